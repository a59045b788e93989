/* pgcluster.h: a throwaway PostgreSQL cluster on a loopback port for the sync benchmarks
 * (bench/sync, bench/district): initdb and pg_ctl as the postgres user when run as root, in a
 * temporary folder that pg_stop removes. */
#ifndef VAX_BENCH_PGCLUSTER_H
#define VAX_BENCH_PGCLUSTER_H

#include <stddef.h>

/* Runs a shell command; a failure is said on stderr under `who` ("bench/sync"). */
int bench_sh(const char *who, const char *cmd);
/* Starts the cluster (max_connections: 0 for PostgreSQL's default) and writes the URL of its
 * "postgres" database; 0 on success. */
int bench_pg_start(const char *who, int max_connections, char *url, size_t size);
/* Stops the cluster and removes its folder (nothing when none was started). */
void bench_pg_stop(const char *who);

#endif
