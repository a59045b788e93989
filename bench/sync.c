/* bench/sync.c: push 100,000 records from a laptop's database to a loopback PostgreSQL.
 * Usage: build/bench/sync [--n RECORDS] [--batch N] [--url POSTGRES_URL] [--dir PATH]
 * Without --url it starts a throwaway cluster (initdb/pg_ctl, as the postgres user when run as
 * root) on a loopback port in a temporary folder, and stops it at the end.
 * The yardstick: the same outbox rows, as the push sends them (COPY text), copied in one COPY FROM
 * STDIN into a bare table keyed by the uuid on the same server; push time over copy time is the
 * ratio printed beside it: what the merge costs over writing the rows once (the target is the
 * push's 10 s; the ratio is measured in the same run so that the machine's load weighs on both). */
#include "pgcluster.h"
#include "vax.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n records: half registrations, half their doses, written as the stations write them (the
 * outbox triggers fill the outbox). */
static int fill(const char *path, int n)
{
    sqlite3 *s = NULL;
    char sql[2048];
    int people = n / 2;
    if (sqlite3_open(path, &s) != SQLITE_OK)
        return -1;
    snprintf(sql, sizeof sql,
             "BEGIN;"
             "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d)"
             " INSERT INTO person(uuid, national_id, full_name, name_folded, birth_date, sex,"
             " commune, created_at, updated_at)"
             " SELECT lower(hex(randomblob(16))), printf('0011%%08d', i), 'Nguyen Van ' || i,"
             " 'nguyen van ' || i, '1980-01-01', 'm', 'Phuong ' || (i %% 20), 1634263200 + i,"
             " 1634263200 + i FROM k;"
             "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, series,"
             " created_at, updated_at)"
             " SELECT lower(hex(randomblob(16))), id, 'AZ', 1, created_at, 'covid-19', created_at,"
             " created_at FROM person LIMIT %d;"
             "COMMIT;",
             people, n - people);
    int rc = sqlite3_exec(s, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "bench/sync: %s\n", sqlite3_errmsg(s));
    sqlite3_close(s);
    return rc == SQLITE_OK ? 0 : -1;
}

/* COPY text format, as the push writes it: backslash, tab, newline and carriage return escaped. */
static void copy_field(FILE *f, const char *s, char sep)
{
    for (; s && *s; s++)
        switch (*s) {
        case '\\':
            fputs("\\\\", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        default:
            fputc(*s, f);
        }
    fputc(sep, f);
}

/* The outbox's rows (the columns and order of the push) copied into a bare table with the uuid as
 * its primary key: one COPY, one commit, as psql's \copy does. Returns the seconds the COPY and
 * its commit took (the rows read from the laptop beforehand, as a file \copy reads), -1 on error.
 */
static double copy_bare(const char *path, const char *url, int64_t *rows)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char *text = NULL;
    size_t len = 0;
    double took = -1;
    FILE *f = open_memstream(&text, &len);
    *rows = 0;
    if (!f || sqlite3_open(path, &s) != SQLITE_OK ||
        sqlite3_prepare_v2(s,
                           "SELECT seq, uuid, kind, record_uuid, site, device,"
                           " coalesce(device_seq, seq), at, body FROM sync_outbox ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench/sync: %s\n", s ? sqlite3_errmsg(s) : "out of memory");
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int col = 0; col < 9; col++)
            copy_field(f, (const char *)sqlite3_column_text(st, col), col == 8 ? '\n' : '\t');
        ++*rows;
    }
    fflush(f);
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench/sync: %s", PQerrorMessage(c));
        PQfinish(c);
        goto out;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning; DROP TABLE IF EXISTS bare_copy"));
    PGresult *r = PQexec(c, "CREATE TABLE bare_copy(seq bigint, uuid text PRIMARY KEY, kind text,"
                            " record_uuid text, site text, device text, device_seq bigint,"
                            " at bigint, body jsonb)");
    PQclear(r);
    double t0 = now_s();
    PQclear(PQexec(c, "BEGIN"));
    r = PQexec(c, "COPY bare_copy FROM STDIN");
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    ok = ok && PQputCopyData(c, text, (int)len) == 1 && PQputCopyEnd(c, NULL) == 1;
    while ((r = PQgetResult(c))) {
        ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    r = PQexec(c, "COMMIT");
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok)
        took = now_s() - t0;
    else
        fprintf(stderr, "bench/sync: copy: %s", PQerrorMessage(c));
    PQfinish(c);
out:
    sqlite3_finalize(st);
    sqlite3_close(s);
    if (f)
        fclose(f);
    free(text);
    return took;
}

int main(int argc, char **argv)
{
    int n = 100000, batch = 5000, own = 0, status = 1;
    char url[512] = "", dir[256] = "", path[400];
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--n"))
            n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch"))
            batch = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--url"))
            snprintf(url, sizeof url, "%s", argv[i + 1]);
        else if (!strcmp(argv[i], "--dir"))
            snprintf(dir, sizeof dir, "%s", argv[i + 1]);
    }
    if (!vax_sync_available()) {
        fprintf(stderr, "bench/sync: this build has no PostgreSQL (libpq)\n");
        return 1;
    }
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/vaxsite-bench.XXXXXX");
        if (!mkdtemp(dir))
            return 1;
    }
    snprintf(path, sizeof path, "%s/laptop.db", dir);
    unlink(path);
    if (!url[0]) {
        if (bench_pg_start("bench/sync", 0, url, sizeof url))
            goto out;
        own = 1;
    }
    vax_db *db = NULL;
    vax_sync_stats st;
    int64_t pending = 0;
    if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK ||
        vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        fprintf(stderr, "bench/sync: %s\n", vax_errmsg(db));
        vax_close(db);
        goto out;
    }
    double t0 = now_s();
    if (fill(path, n)) {
        vax_close(db);
        goto out;
    }
    double t1 = now_s();
    vax_sync_pending(db, "push", &pending);
    printf("laptop: %lld records in the outbox (written in %.2f s)\n", (long long)pending, t1 - t0);
    if (vax_sync_init_server(db, url) != VAX_OK) {
        fprintf(stderr, "bench/sync: %s\n", vax_errmsg(db));
        vax_close(db);
        goto out;
    }
    t0 = now_s();
    int rc = vax_sync_push(db, url, batch, &st);
    t1 = now_s();
    if (rc != VAX_OK) {
        fprintf(stderr, "bench/sync: %s\n", vax_errmsg(db));
        vax_close(db);
        goto out;
    }
    printf("push: %lld records in %.2f s (%.0f records/s), %lld batches of %d, %lld new"
           " (target: under 10 s)\n",
           (long long)st.sent, t1 - t0, (double)st.sent / (t1 - t0), (long long)st.batches, batch,
           (long long)st.received);
    double push_s = t1 - t0;
    int64_t copied = 0;
    double copy_s = copy_bare(path, url, &copied);
    if (copy_s > 0)
        printf("copy: the same %lld rows in one COPY into a bare table keyed by uuid: %.2f s;"
               " push / copy = %.1fx\n",
               (long long)copied, copy_s, push_s / copy_s);
    /* the same records again, as after a push cut before the laptop marked them sent */
    sqlite3 *s = NULL;
    if (sqlite3_open(path, &s) == SQLITE_OK) {
        sqlite3_exec(s, "UPDATE setting SET value = '0' WHERE key = 'sync.pushed_seq'", NULL, NULL,
                     NULL);
        sqlite3_close(s);
    }
    t0 = now_s();
    rc = vax_sync_push(db, url, batch, &st);
    t1 = now_s();
    if (rc == VAX_OK)
        printf("repeat: %lld records in %.2f s, %lld new, %lld already there\n", (long long)st.sent,
               t1 - t0, (long long)st.received, (long long)st.duplicates);
    /* another team, before it leaves: the registry and doses of two communes */
    vax_db *team = NULL;
    char path2[400];
    snprintf(path2, sizeof path2, "%s/team2.db", dir);
    unlink(path2);
    if (vax_open(path2, VAX_OPEN_CREATE, &team) == VAX_OK &&
        vax_staff_act_as_os_user(team, "bench") == VAX_OK) {
        t0 = now_s();
        rc = vax_sync_pull(team, url, "Phuong 1;Phuong 2", &st);
        t1 = now_s();
        if (rc == VAX_OK)
            printf("pull (2 of 20 communes) into another laptop: %lld people, %lld doses in"
                   " %.2f s\n",
                   (long long)st.people, (long long)st.doses, t1 - t0);
        else
            fprintf(stderr, "bench/sync: %s\n", vax_errmsg(team));
    }
    vax_close(team);
    vax_close(db);
    status = 0;
out:
    if (own)
        bench_pg_stop("bench/sync");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    bench_sh("bench/sync", cmd);
    return status;
}
