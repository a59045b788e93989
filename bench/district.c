/* bench/district.c: a district's laptops pushing and pulling at once into one PostgreSQL.
 * Usage: build/bench/district [--laptops N] [--events M] [--rounds R] [--kills K] [--batch B]
 *        [--url POSTGRES_URL] [--dir PATH] [--seed S] [--edit-duplicates] [--void-others]
 * N laptops (default 200), each a process with its own SQLite file made through the core, write
 * about M events in all (default 1,000,000) over R rounds (default 4); after each round a laptop
 * pushes and pulls its communes. K times (default N / 10) a laptop is killed (kill -9) while it
 * pushes, then started again: it repeats its push. Then every laptop pushes and pulls until a
 * whole pass brings nothing new (the time to converge). Checked at the end, PASS or FAIL each (the
 * exit status is 1 on a failure): every outbox event of every laptop is on the server exactly
 * once and nothing else is; nothing was quarantined; each laptop's registry of its communes (ID,
 * name, birth date, phone, doses with their voids) equals the server's.
 *
 * The data. Laptop i belongs to site i / 2 and serves communes i, i+1, i+2 (of N), so each
 * commune is served by three laptops. A round registers people in its communes (events: the
 * registration, two visit events, the first dose), gives second doses to some of its own people
 * of earlier rounds and voids a few of them, edits some people of its communes (its own and those
 * it pulled, so that two laptops edit one person), and registers again a few people the next
 * laptop registers (the same ID, name and birth date: a duplicate the server merges). The rows
 * are written with SQL in one transaction a round, as an import would; the outbox triggers make
 * the events. An edit changes the phone, and the name of people that are never registered twice;
 * the people registered twice are left unedited unless --edit-duplicates (a laptop keeps its own
 * record of such a person and does not take the district's newer version of it). A laptop voids
 * only second doses it gave that round, unless --void-others, which voids any second dose it
 * holds: a pull brings no dose of the laptop's own device, so the laptop that gave a dose never
 * learns of another's void of it, and two laptops' voids of one dose share the event's uuid
 * (dose uuid + "/void") with different bodies, so the second is quarantined.
 * Without --url it starts a throwaway cluster as bench/sync does. */
#include "pgcluster.h"
#include "vax.h"

#include <errno.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LAPTOPS 999
/* 2021-10-15 07:00 local, the first round's day; each round a day later */
#define BASE_TIME 1634256000LL

enum { IDLE, SETUP, WRITING, PUSHING, PULLING, DONE };
enum { RUN_SETUP, RUN_LOAD, RUN_CONVERGE };

/* what the laptops tell the parent, in memory shared across fork */
struct board {
    volatile int phase[MAX_LAPTOPS];
    double write_s[MAX_LAPTOPS], push_s[MAX_LAPTOPS], pull_s[MAX_LAPTOPS];
    int64_t fresh[MAX_LAPTOPS]; /* converge: what the last pass brought, both ways */
};

static struct board *bd;
static int laptops = 200, rounds = 4, batch = 5000, edit_dups = 0, void_others = 0;
static long events = 1000000;
static char url[512], dir[256];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void laptop_path(int i, char *out, size_t size)
{
    snprintf(out, size, "%s/laptop%03d.db", dir, i);
}

/* the communes of laptop i, as pull takes them ("Xa 007;Xa 008;Xa 009") */
static void communes_of(int i, char *out, size_t size)
{
    int c = laptops < 3 ? laptops : 3;
    out[0] = 0;
    for (int k = 0; k < c; k++) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%sXa %03d", k ? ";" : "", (i + k) % laptops);
    }
}

/* the same as an SQL list ('Xa 007', 'Xa 008', 'Xa 009') */
static void communes_sql_of(int i, char *out, size_t size)
{
    int c = laptops < 3 ? laptops : 3;
    out[0] = 0;
    for (int k = 0; k < c; k++) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s'Xa %03d'", k ? ", " : "", (i + k) % laptops);
    }
}

static int fail_db(int i, vax_db *db, const char *doing)
{
    fprintf(stderr, "bench/district: laptop %d: %s: %s\n", i, doing, vax_errmsg(db));
    return 1;
}

/* One round's rows for laptop i, in one transaction with the round's mark (a laptop killed
 * before the commit writes the round again; after it, never). Person k of laptop j has ID
 * jjjkkkkkkkkk, a name and birth date made from (j, k), and commune j + k % 3. */
static int write_round(int i, int r, sqlite3 *s, const char *communes_sql)
{
    int per = (int)(events / laptops / rounds);
    /* about 4.5 events a person: registration, two visit events, a dose, and a quarter of a
     * second dose, of an edit and of the duplicates */
    int people = per * 2 / 9 > 1 ? per * 2 / 9 : 1;
    int first = r * people, dups = laptops >= 3 ? people / 50 : 0;
    int64_t day0 = BASE_TIME + (int64_t)r * 86400, stamp = day0 + 36000 + i;
    char sql[8192];
    /* the duplicates: people of the next laptop's next round (not pulled here yet, or the
     * INSERT OR IGNORE passes them over) with k % 3 of 0 or 1: in communes both laptops serve,
     * never edited by default */
    snprintf(
        sql, sizeof sql,
        "BEGIN;"
        "CREATE TEMP TABLE IF NOT EXISTS b_new(j int, k int);"
        "DELETE FROM b_new;"
        "CREATE TEMP TABLE IF NOT EXISTS b_mark(m int);"
        "DELETE FROM b_mark;"
        "INSERT INTO b_mark SELECT coalesce(max(id), 0) FROM person;"
        "WITH RECURSIVE n(k) AS (SELECT %d UNION ALL SELECT k + 1 FROM n WHERE k < %d)"
        " INSERT INTO b_new SELECT %d, k FROM n;"
        "WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < %d)"
        " INSERT INTO b_new SELECT %d, %d + x * 3 + x %% 2 FROM n WHERE %d > 0;"
        "INSERT OR IGNORE INTO person(uuid, national_id, full_name, name_folded, birth_date, sex,"
        " phone, commune, created_at, updated_at)"
        " SELECT lower(hex(randomblob(16))), printf('%%03d%%09d', j, k),"
        " printf('Tran Thi %%d-%%d', j, k), printf('tran thi %%d-%%d', j, k),"
        " date('1950-01-01', printf('+%%d days', (j * 7919 + k * 31) %% 20000)),"
        " CASE WHEN k %% 2 THEN 'f' ELSE 'm' END, printf('09%%08d', j * 100000 + k %% 100000),"
        " printf('Xa %%03d', (j + k %% 3) %% %d), %lld + (row_number() OVER ()) * 5,"
        " %lld + (row_number() OVER ()) * 5 FROM b_new ORDER BY j, k;"
        "INSERT INTO visit(uuid, site_id, day, ticket, person_id, state, arrived_at, state_since,"
        " created_at, updated_at)"
        " SELECT lower(hex(randomblob(16))), (SELECT id FROM site ORDER BY id LIMIT 1),"
        " date(p.created_at, 'unixepoch', 'localtime'), row_number() OVER (ORDER BY p.id),"
        " p.id, 'done', p.created_at, p.created_at + 900, p.created_at, p.created_at + 900"
        " FROM person p WHERE p.id > (SELECT m FROM b_mark);"
        "INSERT INTO visit_event(uuid, visit_id, at, from_state, to_state)"
        " SELECT lower(hex(randomblob(16))), v.id, v.arrived_at, NULL, 'waiting' FROM visit v"
        " WHERE v.arrived_at >= %lld AND v.arrived_at < %lld;"
        "INSERT INTO visit_event(uuid, visit_id, at, from_state, to_state)"
        " SELECT lower(hex(randomblob(16))), v.id, v.arrived_at + 900, 'waiting', 'done'"
        " FROM visit v WHERE v.arrived_at >= %lld AND v.arrived_at < %lld;"
        "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at, series,"
        " created_at, updated_at)"
        " SELECT lower(hex(randomblob(16))), v.person_id, v.id, 'AZ', 1, v.arrived_at + 600,"
        " 'covid-19', v.arrived_at + 600, v.arrived_at + 600 FROM visit v"
        " WHERE v.arrived_at >= %lld AND v.arrived_at < %lld;",
        first, first + people - 1, i, dups - 1, (i + 1) % (laptops ? laptops : 1),
        (first + people + 2) / 3 * 3, dups, laptops, (long long)day0, (long long)day0,
        (long long)day0, (long long)day0 + 86400, (long long)day0, (long long)day0 + 86400,
        (long long)day0, (long long)day0 + 86400);
    if (sqlite3_exec(s, sql, NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    /* second doses for some own people of earlier rounds, a few of them voided; edits */
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, series, created_at,"
             " updated_at)"
             " SELECT lower(hex(randomblob(16))), p.id, 'AZ', 2, %lld + p.id %% 20000, 'covid-19',"
             " %lld, %lld FROM person p WHERE p.created_at < %lld"
             " AND substr(p.national_id, 1, 3) = printf('%%03d', %d)"
             " AND NOT EXISTS (SELECT 1 FROM dose d WHERE d.person_id = p.id AND d.dose_number = 2)"
             " ORDER BY random() LIMIT %d;"
             "UPDATE dose SET voided = 1, void_reason = 'bench: wrong lot', updated_at = %lld"
             " WHERE id IN (SELECT d.id FROM dose d JOIN person p ON p.id = d.person_id"
             " WHERE d.dose_number = 2 AND d.voided = 0 AND (%d OR (d.given_at >= %lld"
             " AND substr(p.national_id, 1, 3) = printf('%%03d', %d)))"
             " ORDER BY random() LIMIT %d);"
             "UPDATE person SET phone = printf('08%%08d', (%lld + id) %% 100000000),"
             " full_name = CASE WHEN CAST(substr(national_id, 4) AS int) %% 3 = 2"
             " THEN printf('Tran Thi %%d-%%d', %d, id) ELSE full_name END,"
             " name_folded = CASE WHEN CAST(substr(national_id, 4) AS int) %% 3 = 2"
             " THEN printf('tran thi %%d-%%d', %d, id) ELSE name_folded END,"
             " version = version + 1, updated_at = max(%lld, updated_at + 1)"
             " WHERE id IN (SELECT id FROM person WHERE commune IN (%s)"
             " AND (%d OR CAST(substr(national_id, 4) AS int) %% 3 = 2)"
             " ORDER BY random() LIMIT %d);"
             "CREATE TABLE IF NOT EXISTS bench_round(n INTEGER NOT NULL);"
             "INSERT INTO bench_round VALUES (%d);"
             "COMMIT;",
             (long long)day0 + 40000, (long long)day0 + 40000, (long long)day0 + 40000,
             (long long)day0, i, people / 4, (long long)stamp, void_others, (long long)day0, i,
             people / 40 + 1, (long long)stamp, r * 1000 + i, r * 1000 + i, (long long)stamp,
             communes_sql, edit_dups, people / 4, r + 1);
    if (sqlite3_exec(s, sql, NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "bench/district: laptop %d, round %d: %s\n", i, r, sqlite3_errmsg(s));
    sqlite3_exec(s, "ROLLBACK", NULL, NULL, NULL);
    return 1;
}

static int push_pull(int i, vax_db *db, const char *communes, int64_t *fresh)
{
    vax_sync_stats st;
    double t0 = now_s();
    bd->phase[i] = PUSHING;
    if (vax_sync_push(db, url, batch, &st) != VAX_OK)
        return fail_db(i, db, "push");
    *fresh = st.received;
    bd->push_s[i] += now_s() - t0;
    t0 = now_s();
    bd->phase[i] = PULLING;
    if (vax_sync_pull(db, url, communes, &st) != VAX_OK)
        return fail_db(i, db, "pull");
    *fresh += st.people + st.doses;
    bd->pull_s[i] += now_s() - t0;
    return 0;
}

/* A laptop's process: what it does in this run; 0 when done. */
static int laptop(int i, int run)
{
    char path[400], communes[128], communes_sql[160], code[16], name[64];
    vax_db *db = NULL;
    sqlite3 *s = NULL;
    int rc = 1, done = 0;
    int64_t fresh = 0;
    laptop_path(i, path, sizeof path);
    communes_of(i, communes, sizeof communes);
    communes_sql_of(i, communes_sql, sizeof communes_sql);
    if (run == RUN_SETUP) {
        bd->phase[i] = SETUP;
        unlink(path);
        snprintf(code, sizeof code, "D%03d", i / 2);
        snprintf(name, sizeof name, "Tram %03d", i / 2);
        if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK ||
            vax_staff_act_as_os_user(db, "bench") != VAX_OK || vax_site_set(db, code, name, 0))
            rc = fail_db(i, db, "setup");
        else
            rc = 0;
        vax_close(db);
        bd->phase[i] = DONE;
        return rc;
    }
    if (vax_open(path, 0, &db) != VAX_OK || vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        rc = fail_db(i, db, "open");
        goto out;
    }
    if (run == RUN_CONVERGE) {
        rc = push_pull(i, db, communes, &fresh);
        bd->fresh[i] = fresh;
        goto out;
    }
    if (sqlite3_open(path, &s) != SQLITE_OK)
        goto out;
    sqlite3_busy_timeout(s, 30000);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s, "SELECT count(*) FROM bench_round", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        done = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    /* started again after a kill: what the killed push had not finished first */
    if (done && push_pull(i, db, communes, &fresh))
        goto out;
    for (int r = done; r < rounds; r++) {
        double t0 = now_s();
        bd->phase[i] = WRITING;
        if (write_round(i, r, s, communes_sql))
            goto out;
        bd->write_s[i] += now_s() - t0;
        if (push_pull(i, db, communes, &fresh))
            goto out;
    }
    rc = 0;
out:
    bd->phase[i] = DONE;
    sqlite3_close(s);
    vax_close(db);
    return rc;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static pid_t start(int i, int run)
{
    bd->phase[i] = IDLE;
    fflush(NULL);
    pid_t p = fork();
    if (p == 0)
        _exit(laptop(i, run));
    return p;
}

/* Runs every laptop (at most `at_once` at a time) and, in the load run, kills `kills` of them
 * mid-push and starts them again. Returns the number that failed. */
static int run_all(int run, int at_once, int kills, int *killed)
{
    pid_t *pid = calloc((size_t)laptops, sizeof *pid);
    int next = 0, running = 0, failed = 0;
    *killed = 0;
    if (!pid)
        return laptops;
    while (next < laptops || running) {
        while (next < laptops && running < at_once) {
            pid[next] = start(next, run);
            next++, running++;
        }
        if (run == RUN_LOAD && *killed < kills && rnd() % 4 == 0) {
            /* a laptop in its push, picked at random among those pushing */
            int pushing[MAX_LAPTOPS], n = 0;
            for (int i = 0; i < next; i++)
                if (pid[i] > 0 && bd->phase[i] == PUSHING)
                    pushing[n++] = i;
            if (n) {
                int v = pushing[rnd() % (uint64_t)n];
                if (kill(pid[v], SIGKILL) == 0) {
                    int status;
                    waitpid(pid[v], &status, 0);
                    ++*killed;
                    pid[v] = start(v, run);
                }
            }
        }
        int status;
        pid_t p = waitpid(-1, &status, WNOHANG);
        if (p <= 0) {
            usleep(20000 + (useconds_t)(rnd() % 30000));
            continue;
        }
        for (int i = 0; i < next; i++)
            if (pid[i] == p) {
                pid[i] = 0;
                running--;
                if (!WIFEXITED(status) || WEXITSTATUS(status)) {
                    fprintf(stderr, "bench/district: laptop %d failed (status %d)\n", i, status);
                    failed++;
                }
            }
    }
    free(pid);
    return failed;
}

static int check(const char *what, int ok, const char *detail)
{
    printf("%s: %s%s%s\n", ok ? "PASS" : "FAIL", what, detail[0] ? ": " : "", detail);
    return ok ? 0 : 1;
}

static PGresult *q(PGconn *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
        fprintf(stderr, "bench/district: %s", PQresultErrorMessage(r));
    return r;
}

static int64_t q_int(PGconn *c, const char *sql)
{
    PGresult *r = q(c, sql, 0, NULL);
    int64_t v =
        PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return v;
}

/* Every laptop's outbox uuids into a table on the server, then compared with what it holds. */
static int check_events(PGconn *c, int64_t *total)
{
    char detail[256];
    int bad = 0;
    *total = 0;
    PQclear(q(c, "CREATE TEMP TABLE expected(uuid text NOT NULL)", 0, NULL));
    for (int i = 0; i < laptops; i++) {
        char path[400];
        sqlite3 *s = NULL;
        sqlite3_stmt *st = NULL;
        laptop_path(i, path, sizeof path);
        if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(s, "SELECT uuid FROM sync_outbox", -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "bench/district: laptop %d: %s\n", i, sqlite3_errmsg(s));
            sqlite3_close(s);
            return 1;
        }
        PGresult *r = PQexec(c, "COPY expected FROM STDIN");
        PQclear(r);
        while (sqlite3_step(st) == SQLITE_ROW) {
            char line[200];
            int n = snprintf(line, sizeof line, "%s\n", (const char *)sqlite3_column_text(st, 0));
            PQputCopyData(c, line, n);
            ++*total;
        }
        PQputCopyEnd(c, NULL);
        while ((r = PQgetResult(c)))
            PQclear(r);
        sqlite3_finalize(st);
        sqlite3_close(s);
    }
    int64_t distinct = q_int(c, "SELECT count(DISTINCT uuid) FROM expected");
    int64_t stored = q_int(c, "SELECT count(*) FROM sync_event");
    int64_t missing = q_int(c, "SELECT count(*) FROM expected e WHERE NOT EXISTS"
                               " (SELECT 1 FROM sync_event s WHERE s.uuid = e.uuid)");
    int64_t extra = q_int(c, "SELECT count(*) FROM sync_event s WHERE NOT EXISTS"
                             " (SELECT 1 FROM expected e WHERE e.uuid = s.uuid)");
    int64_t quarantined = q_int(c, "SELECT count(*) FROM quarantine");
    snprintf(detail, sizeof detail,
             "%lld in the laptops' outboxes (%lld distinct), %lld on the server, %lld missing,"
             " %lld not from any outbox",
             (long long)*total, (long long)distinct, (long long)stored, (long long)missing,
             (long long)extra);
    bad += check("every event stored exactly once",
                 distinct == *total && stored == distinct && !missing && !extra, detail);
    snprintf(detail, sizeof detail, "%lld", (long long)quarantined);
    bad += check("nothing quarantined", quarantined == 0, detail);
    return bad;
}

/* The registry of a laptop's communes, one line a person ordered by ID: ID, name, birth date,
 * phone, and its doses (uuid:voided, sorted), the same text from the laptop and the server. */
static char *registry_laptop(int i, const char *communes_sql)
{
    char path[400], sql[1024];
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    laptop_path(i, path, sizeof path);
    snprintf(sql, sizeof sql,
             "SELECT p.national_id, p.full_name, p.birth_date, p.phone, coalesce((SELECT"
             " group_concat(u, ',') FROM (SELECT d.uuid || ':' || d.voided AS u FROM dose d"
             " WHERE d.person_id = p.id ORDER BY 1)), '') FROM person p WHERE p.commune IN (%s)"
             " AND p.merged_into IS NULL ORDER BY p.national_id",
             communes_sql);
    if (f && sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
            fprintf(f, "%s|%s|%s|%s|%s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
                    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                    sqlite3_column_text(st, 4));
    else
        fprintf(stderr, "bench/district: laptop %d: %s\n", i, sqlite3_errmsg(s));
    sqlite3_finalize(st);
    sqlite3_close(s);
    if (f)
        fclose(f);
    return text;
}

static char *registry_server(PGconn *c, const char *communes)
{
    char *text = NULL, arr[256];
    size_t len = 0, o = 0;
    /* {"Xa 001","Xa 002"} from "Xa 001;Xa 002" (names of digits and spaces only) */
    arr[o++] = '{';
    arr[o++] = '"';
    for (const char *p = communes; *p && o + 4 < sizeof arr; p++)
        if (*p == ';')
            arr[o++] = '"', arr[o++] = ',', arr[o++] = '"';
        else
            arr[o++] = *p;
    arr[o++] = '"';
    arr[o++] = '}';
    arr[o] = 0;
    const char *params[1] = {arr};
    PGresult *r = q(c,
                    "SELECT p.national_id, p.full_name, p.birth_date, p.phone, coalesce((SELECT"
                    " string_agg(d.uuid || ':' || d.voided, ',' ORDER BY (d.uuid || ':' ||"
                    " d.voided) COLLATE \"C\") FROM dose d WHERE d.person_canon = p.uuid), '')"
                    " FROM person p WHERE p.commune = ANY($1::text[]) AND p.merged_into IS NULL"
                    " ORDER BY p.national_id COLLATE \"C\"",
                    1, params);
    FILE *f = open_memstream(&text, &len);
    if (f && PQresultStatus(r) == PGRES_TUPLES_OK)
        for (int k = 0; k < PQntuples(r); k++)
            fprintf(f, "%s|%s|%s|%s|%s\n", PQgetvalue(r, k, 0), PQgetvalue(r, k, 1),
                    PQgetvalue(r, k, 2), PQgetvalue(r, k, 3), PQgetvalue(r, k, 4));
    PQclear(r);
    if (f)
        fclose(f);
    return text;
}

static int check_registries(PGconn *c)
{
    int differ = 0, first = -1;
    long people = 0;
    char detail[512] = "";
    for (int i = 0; i < laptops; i++) {
        char communes[128], communes_sql[160];
        communes_of(i, communes, sizeof communes);
        communes_sql_of(i, communes_sql, sizeof communes_sql);
        char *a = registry_laptop(i, communes_sql), *b = registry_server(c, communes);
        if (!a || !b || strcmp(a, b)) {
            if (first < 0 && a && b) {
                /* the first line that differs, to say what */
                const char *x = a, *y = b;
                while (*x && *x == *y)
                    x++, y++;
                while (x > a && x[-1] != '\n')
                    x--, y--;
                snprintf(detail, sizeof detail, "laptop %d has \"%.*s\", the server \"%.*s\"", i,
                         (int)strcspn(x, "\n"), x, (int)strcspn(y, "\n"), y);
                first = i;
            }
            differ++;
        }
        for (const char *p = b; p && *p; p++)
            people += *p == '\n';
        free(a);
        free(b);
    }
    char head[640];
    snprintf(head, sizeof head, "%d of %d laptops differ (%ld people compared)%s%s", differ,
             laptops, people, detail[0] ? "; first: " : "", detail);
    return check("every laptop's registry equals the server's for its communes", differ == 0, head);
}

int main(int argc, char **argv)
{
    int kills = -1, own = 0, status = 1, killed = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(argv[i], "--laptops"))
            laptops = atoi(v), i++;
        else if (!strcmp(argv[i], "--events"))
            events = atol(v), i++;
        else if (!strcmp(argv[i], "--rounds"))
            rounds = atoi(v), i++;
        else if (!strcmp(argv[i], "--kills"))
            kills = atoi(v), i++;
        else if (!strcmp(argv[i], "--batch"))
            batch = atoi(v), i++;
        else if (!strcmp(argv[i], "--url"))
            snprintf(url, sizeof url, "%s", v), i++;
        else if (!strcmp(argv[i], "--dir"))
            snprintf(dir, sizeof dir, "%s", v), i++;
        else if (!strcmp(argv[i], "--seed"))
            rng = strtoull(v, NULL, 10) | 1, i++;
        else if (!strcmp(argv[i], "--edit-duplicates"))
            edit_dups = 1;
        else if (!strcmp(argv[i], "--void-others"))
            void_others = 1;
        else {
            fprintf(stderr, "usage: bench/district [--laptops N] [--events M] [--rounds R]"
                            " [--kills K] [--batch B] [--url URL] [--dir PATH] [--seed S]"
                            " [--edit-duplicates] [--void-others]\n");
            return 2;
        }
    }
    if (laptops < 1 || laptops > MAX_LAPTOPS || rounds < 1 || events < laptops * rounds * 5L) {
        fprintf(stderr, "bench/district: 1 to %d laptops, at least 5 events a laptop a round\n",
                MAX_LAPTOPS);
        return 2;
    }
    if (kills < 0)
        kills = laptops / 10 > 1 ? laptops / 10 : 1;
    if (!vax_sync_available()) {
        fprintf(stderr, "bench/district: this build has no PostgreSQL (libpq)\n");
        return 1;
    }
    bd = mmap(NULL, sizeof *bd, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (bd == MAP_FAILED)
        return 1;
    int own_dir = !dir[0];
    if (own_dir) {
        snprintf(dir, sizeof dir, "/tmp/vaxsite-district.XXXXXX");
        if (!mkdtemp(dir))
            return 1;
    } else
        mkdir(dir, 0700);
    if (!url[0]) {
        own = 1; /* stopped and removed at the end, even when it did not start */
        if (bench_pg_start("bench/district", laptops + 20, url, sizeof url))
            goto out;
    }
    {
        char path[400];
        vax_db *db = NULL;
        snprintf(path, sizeof path, "%s/init.db", dir);
        int rc = vax_open(path, VAX_OPEN_CREATE, &db);
        if (rc == VAX_OK)
            rc = vax_staff_act_as_os_user(db, "bench");
        if (rc == VAX_OK)
            rc = vax_sync_init_server(db, url);
        if (rc != VAX_OK) {
            fprintf(stderr, "bench/district: init-server: %s\n", vax_errmsg(db));
            vax_close(db);
            goto out;
        }
        vax_close(db);
    }
    printf("district: %d laptops, about %ld events in %d rounds, %d kills during pushes\n", laptops,
           events, rounds, kills);
    double t0 = now_s();
    if (run_all(RUN_SETUP, 2, 0, &killed))
        goto out;
    double t1 = now_s();
    printf("setup: %d laptop files made in %.1f s (not counted below)\n", laptops, t1 - t0);
    fflush(stdout);
    t0 = now_s();
    int failed = run_all(RUN_LOAD, laptops, kills, &killed);
    double load_s = now_s() - t0;
    double w = 0, pu = 0, pl = 0;
    for (int i = 0; i < laptops; i++)
        w += bd->write_s[i], pu += bd->push_s[i], pl += bd->pull_s[i];
    printf(
        "load: all laptops writing, pushing and pulling at once: %.1f s wall; %d killed"
        " mid-push and started again; %d failed\n"
        "      summed over laptops: writing %.1f s, pushing %.1f s, pulling %.1f s (with the waits"
        " for the server's lock)\n",
        load_s, killed, failed, w, pu, pl);
    fflush(stdout);
    /* converge: every laptop pushes and pulls until a whole pass brings nothing new */
    t0 = now_s();
    int passes = 0;
    int64_t fresh = 1;
    while (fresh && passes < 10 && !failed) {
        memset(bd->fresh, 0, sizeof bd->fresh);
        failed += run_all(RUN_CONVERGE, laptops, 0, &killed);
        fresh = 0;
        for (int i = 0; i < laptops; i++)
            fresh += bd->fresh[i];
        passes++;
    }
    double conv_s = now_s() - t0;
    printf("converge: %d passes of push + pull by every laptop in %.1f s (the last brought %lld"
           " new rows)\n",
           passes, conv_s, (long long)fresh);
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench/district: %s", PQerrorMessage(c));
        PQfinish(c);
        goto out;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    int64_t total = 0;
    int bad = failed ? 1 : 0;
    bad += check_events(c, &total);
    printf("events/s: %lld events / %.1f s of load = %.0f events/s; time to converge %.1f s\n",
           (long long)total, load_s, (double)total / load_s, conv_s);
    printf("server: %lld people, %lld aliases, %lld doses, conflicts: %s\n",
           (long long)q_int(c, "SELECT count(*) FROM person"),
           (long long)q_int(c, "SELECT count(*) FROM person_alias"),
           (long long)q_int(c, "SELECT count(*) FROM dose"), "");
    PGresult *r = q(c,
                    "SELECT coalesce(string_agg(kind || ' ' || n, ', ' ORDER BY kind), 'none')"
                    " FROM (SELECT kind, count(*) AS n FROM conflict GROUP BY kind) k",
                    0, NULL);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        printf("        %s\n", PQgetvalue(r, 0, 0));
    PQclear(r);
    bad += check_registries(c);
    bad += check("every laptop finished", failed == 0, "");
    PQfinish(c);
    status = bad ? 1 : 0;
out:
    if (own)
        bench_pg_stop("bench/district");
    if (own_dir) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        bench_sh("bench/district", cmd);
    }
    return status;
}
