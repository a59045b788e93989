/* pgcluster.c: see pgcluster.h. */
#include "pgcluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char pg_dir[256], pg_bin[512];

int bench_sh(const char *who, const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "%s: failed (%d): %s\n", who, rc, cmd);
    return rc;
}

/* The shell that runs a cluster command: as the postgres user when root (it refuses root). */
static const char *as_pg(void)
{
    return getuid() == 0 ? "su postgres -s /bin/sh -c " : "sh -c ";
}

int bench_pg_start(const char *who, int max_connections, char *url, size_t size)
{
    char cmd[4096], conns[48] = "";
    FILE *f = popen("ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1", "r");
    if (!f || !fgets(pg_bin, sizeof pg_bin, f)) {
        if (f)
            pclose(f);
        fprintf(stderr, "%s: PostgreSQL is not installed (scripts/deps installs it)\n", who);
        return -1;
    }
    pclose(f);
    pg_bin[strcspn(pg_bin, "\n")] = 0;
    snprintf(pg_dir, sizeof pg_dir, "/tmp/vaxsite-pgbench.XXXXXX");
    if (!mkdtemp(pg_dir))
        return -1;
    if (getuid() == 0) {
        snprintf(cmd, sizeof cmd, "chown postgres '%s'", pg_dir);
        if (bench_sh(who, cmd))
            return -1;
    }
    snprintf(cmd, sizeof cmd,
             "%s\"'%s/initdb' -D '%s/data' -A trust -U vax -E UTF8 --no-locale >/dev/null\"",
             as_pg(), pg_bin, pg_dir);
    if (bench_sh(who, cmd))
        return -1;
    if (max_connections > 0)
        snprintf(conns, sizeof conns, " -c max_connections=%d", max_connections);
    /* a port another cluster holds fails the start: three tries on other ports */
    int port = 0, rc = -1;
    for (int attempt = 0; attempt < 3 && rc; attempt++) {
        port = 40000 + (int)((getpid() + attempt * 7919) % 20000);
        snprintf(cmd, sizeof cmd,
                 "%s\"'%s/pg_ctl' -D '%s/data' -l '%s/log' -w -o \\\"-p %d -k '%s' "
                 "-c listen_addresses=127.0.0.1%s\\\" start >/dev/null\"",
                 as_pg(), pg_bin, pg_dir, pg_dir, port, pg_dir, conns);
        rc = bench_sh(who, cmd);
    }
    if (rc)
        return -1;
    snprintf(url, size, "postgresql://vax@127.0.0.1:%d/postgres", port);
    return 0;
}

void bench_pg_stop(const char *who)
{
    char cmd[1024];
    if (!pg_dir[0])
        return;
    snprintf(cmd, sizeof cmd, "%s\"'%s/pg_ctl' -D '%s/data' -m fast stop >/dev/null\"", as_pg(),
             pg_bin, pg_dir);
    bench_sh(who, cmd);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", pg_dir);
    bench_sh(who, cmd);
    pg_dir[0] = 0;
}
