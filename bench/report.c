/* bench/report.c: how long the daily report takes: a day of 5,000 doses (target: under 100 ms),
 * and a month over a registry of 1,000,000 people. The data is loaded with plain SQL (the search
 * index triggers dropped: the report does not read them) so that building it takes seconds.
 * Run: build/bench/report [--people N] [--per-day N] [--days N] [--earlier N] [--runs N] */
#include "vax.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void die(sqlite3 *s, const char *what)
{
    fprintf(stderr, "bench/report: %s: %s\n", what, s ? sqlite3_errmsg(s) : "?");
    exit(1);
}

static void exec(sqlite3 *s, const char *sql)
{
    if (sqlite3_exec(s, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(s, sql);
}

static sqlite3_stmt *prep(sqlite3 *s, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        die(s, sql);
    return st;
}

static void step(sqlite3 *s, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die(s, "insert");
    sqlite3_reset(st);
}

/* Local midnight of day index d (days after 2021-09-01). */
static int64_t midnight(int d)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = 121;
    tm.tm_mon = 8;
    tm.tm_mday = 1 + d;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static void day_name(int d, char out[11])
{
    vax_local_date(midnight(d) + 12 * 3600, out);
}

/* people; `earlier` of them had dose 1 in August; per_day doses on each of `days` days from
 * 2021-09-01, each with its visit, events and screening. */
static void build(const char *path, int people, int earlier, int per_day, int days)
{
    vax_db *db = NULL;
    sqlite3 *s;
    char uuid[64], id[16], name[64], birth[16], day[11];
    if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK || vax_staff_act_as_os_user(db, "bench") ||
        vax_site_set(db, "BENCH", "Bench site", 0) != VAX_OK) {
        fprintf(stderr, "bench/report: %s\n", vax_errmsg(db));
        exit(1);
    }
    vax_close(db);
    if (sqlite3_open(path, &s) != SQLITE_OK)
        die(s, "open");
    exec(s, "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL;"
            "DROP TRIGGER person_fts_ai; DROP TRIGGER name_word_ai; BEGIN");
    sqlite3_stmt *ps = prep(s, "INSERT INTO person(uuid, national_id, full_name, name_folded,"
                               " birth_date, sex, commune, created_at, updated_at)"
                               " VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, 0, 0)");
    static const char *const communes[] = {"Phường Tân Phong", "Xã Sơn Bình", "Xã Bản Giang",
                                           "Phường Đông Phong"};
    for (int i = 1; i <= people; i++) {
        int year = 1940 + i % 63;
        snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", i);
        snprintf(id, sizeof id, "001%d%02d%06d", year >= 2000 ? 2 : 0, year % 100, i % 1000000);
        snprintf(name, sizeof name, "Nguyen Van %d", i);
        snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, 1 + i % 12, 1 + i % 28);
        /* ids repeat after a million: make them unique by the century digit's sex bit */
        if (i > 1000000)
            id[3] = (char)(id[3] + 1);
        sqlite3_bind_text(ps, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ps, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ps, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ps, 4, birth, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ps, 5, i % 2 ? "m" : "f", -1, SQLITE_STATIC);
        sqlite3_bind_text(ps, 6, communes[i % 4], -1, SQLITE_STATIC);
        step(s, ps);
    }
    sqlite3_finalize(ps);
    exec(s, "INSERT INTO lot(uuid, product, lot_no, expiry, doses_per_vial, vials_received,"
            " received_at, created_at, updated_at) VALUES ('lot-1', 'AZ', 'B1', '2022-12-31', 10,"
            " 100000, 0, 0, 0)");
    sqlite3_stmt *vs = prep(s, "INSERT INTO visit(uuid, site_id, day, ticket, person_id, state,"
                               " arrived_at, state_since, created_at, updated_at)"
                               " VALUES (?1, 1, ?2, ?3, ?4, 'done', ?5, ?5, ?5, ?5)");
    sqlite3_stmt *es = prep(s, "INSERT INTO visit_event(uuid, visit_id, at, from_state, to_state)"
                               " VALUES (?1, ?2, ?3, ?4, ?5)");
    sqlite3_stmt *ds = prep(s, "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number,"
                               " given_at, lot_no, lot_id, created_at, updated_at)"
                               " VALUES (?1, ?2, ?3, 'AZ', ?4, ?5, 'B1', 1, ?5, ?5)");
    sqlite3_stmt *ss = prep(
        s, "INSERT INTO screening(uuid, visit_id, person_id, checklist_id, checklist_code,"
           " checklist_version, answers, vitals, proposed_outcome, final_outcome, screened_at,"
           " created_at, updated_at) VALUES (?1, ?2, ?3, (SELECT min(id) FROM checklist), 'x', 1,"
           " '', '', 'eligible', 'eligible', ?4, ?4, ?4)");
    sqlite3_stmt *vl = prep(s, "INSERT INTO vial(uuid, lot_id, opened_at, expires_at, doses, drawn,"
                               " wasted, discarded_at, discard_reason, created_at, updated_at)"
                               " VALUES (?1, 1, ?2, ?2 + 21600, 10, 10, 0, ?2 + 21600,"
                               " 'end_of_day', ?2, ?2)");
    static const char *const path_states[][2] = {{NULL, "waiting_screening"},
                                                 {"waiting_screening", "screening"},
                                                 {"screening", "eligible"},
                                                 {"eligible", "waiting_injection"},
                                                 {"waiting_injection", "injection"},
                                                 {"injection", "observing"},
                                                 {"observing", "done"}};
    int64_t n = 0, ev = 0;
    /* dose 1 in August for `earlier` people (no visit here: doses from elsewhere) */
    for (int i = 0; i < earlier; i++) {
        snprintf(uuid, sizeof uuid, "d0000000-0000-4000-8000-%012lld", (long long)++n);
        sqlite3_bind_text(ds, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ds, 2, 1 + (i * 7) % people);
        sqlite3_bind_null(ds, 3);
        sqlite3_bind_int(ds, 4, 1);
        sqlite3_bind_int64(ds, 5, midnight(-30) + 9 * 3600 + i % 28800);
        step(s, ds);
    }
    for (int d = 0; d < days; d++) {
        int64_t t0 = midnight(d) + 7 * 3600;
        day_name(d, day);
        for (int k = 0; k < per_day / 10; k++) {
            snprintf(uuid, sizeof uuid, "v0000000-0000-4000-8000-%06d%06d", d, k);
            sqlite3_bind_text(vl, 1, uuid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(vl, 2, t0 + k * 36);
            step(s, vl);
        }
        for (int k = 0; k < per_day; k++) {
            int64_t person = 1 + ((int64_t)d * per_day + k) % people;
            int64_t at = t0 + (int64_t)k * 36000 / per_day, visit;
            snprintf(uuid, sizeof uuid, "w0000000-0000-4000-8000-%06d%06d", d, k);
            sqlite3_bind_text(vs, 1, uuid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(vs, 2, day, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(vs, 3, k + 1);
            sqlite3_bind_int64(vs, 4, person);
            sqlite3_bind_int64(vs, 5, at);
            step(s, vs);
            visit = sqlite3_last_insert_rowid(s);
            for (int e = 0; e < 7; e++) {
                snprintf(uuid, sizeof uuid, "e0000000-0000-4000-8000-%012lld", (long long)++ev);
                sqlite3_bind_text(es, 1, uuid, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(es, 2, visit);
                sqlite3_bind_int64(es, 3, at + e * 300 + (k % 7) * 60);
                if (path_states[e][0])
                    sqlite3_bind_text(es, 4, path_states[e][0], -1, SQLITE_STATIC);
                else
                    sqlite3_bind_null(es, 4);
                sqlite3_bind_text(es, 5, path_states[e][1], -1, SQLITE_STATIC);
                step(s, es);
            }
            snprintf(uuid, sizeof uuid, "s0000000-0000-4000-8000-%06d%06d", d, k);
            sqlite3_bind_text(ss, 1, uuid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ss, 2, visit);
            sqlite3_bind_int64(ss, 3, person);
            sqlite3_bind_int64(ss, 4, at + 600);
            step(s, ss);
            snprintf(uuid, sizeof uuid, "d0000000-0000-4000-8000-%012lld", (long long)++n);
            sqlite3_bind_text(ds, 1, uuid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ds, 2, person);
            sqlite3_bind_int64(ds, 3, visit);
            sqlite3_bind_int(ds, 4, 2 + d * per_day / people + (person % 3 == 0));
            sqlite3_bind_int64(ds, 5, at + 1500);
            step(s, ds);
        }
    }
    sqlite3_finalize(vs);
    sqlite3_finalize(es);
    sqlite3_finalize(ds);
    sqlite3_finalize(ss);
    sqlite3_finalize(vl);
    exec(s, "COMMIT; ANALYZE");
    sqlite3_close(s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median and slowest of `runs` reports of from..to. */
static void time_report(const char *path, const char *label, const char *from, const char *to,
                        int runs)
{
    vax_db *db = NULL;
    double t[64];
    vax_report *r = NULL;
    if (runs > 64)
        runs = 64;
    if (vax_open(path, VAX_OPEN_READONLY, &db) != VAX_OK) {
        fprintf(stderr, "bench/report: %s\n", vax_errmsg(db));
        exit(1);
    }
    for (int i = 0; i < runs; i++) {
        double a = now_ms();
        if (vax_report_make(db, from, to, &r) != VAX_OK) {
            fprintf(stderr, "bench/report: %s\n", vax_errmsg(db));
            exit(1);
        }
        t[i] = now_ms() - a;
        if (i + 1 < runs)
            vax_report_free(r);
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp_double);
    printf("%-44s %8d doses  median %8.1f ms  slowest %8.1f ms  (%d runs; due %d, overdue %d)\n",
           label, r->doses, t[runs / 2], t[runs - 1], runs, r->dose2_due, r->dose2_overdue);
    vax_report_free(r);
    vax_close(db);
}

int main(int argc, char **argv)
{
    int people = 1000000, per_day = 5000, days = 30, earlier = 300000, runs = 5;
    int day_people = 50000;
    char dir[] = "/tmp/vaxsite-bench-report.XXXXXX", path[128], d0[11], d1[11];
    for (int i = 1; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--people"))
            people = v;
        else if (!strcmp(argv[i], "--per-day"))
            per_day = v;
        else if (!strcmp(argv[i], "--days"))
            days = v;
        else if (!strcmp(argv[i], "--earlier"))
            earlier = v;
        else if (!strcmp(argv[i], "--runs"))
            runs = v;
        else if (!strcmp(argv[i], "--day-people"))
            day_people = v;
    }
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
    vax_clock_set(midnight(days) + 18 * 3600);
    if (!mkdtemp(dir))
        return 1;
    /* 1. a site's day: 5,000 doses, a registry of 50,000 (15,000 with an earlier dose) */
    snprintf(path, sizeof path, "%s/day.db", dir);
    double a = now_ms();
    build(path, day_people, day_people * 3 / 10, per_day, 1);
    printf("built a day: %d people, %d doses in %.1f s\n", day_people, per_day,
           (now_ms() - a) / 1000);
    vax_clock_set(midnight(0) + 18 * 3600);
    day_name(0, d0);
    time_report(path, "report of a day (target < 100 ms)", d0, NULL, runs * 4);
    /* 2. a month over a registry of 1,000,000 */
    snprintf(path, sizeof path, "%s/month.db", dir);
    a = now_ms();
    build(path, people, earlier, per_day, days);
    printf("built a month: %d people, %d doses a day for %d days, %d earlier doses in %.1f s\n",
           people, per_day, days, earlier, (now_ms() - a) / 1000);
    vax_clock_set(midnight(days) + 18 * 3600);
    day_name(days - 1, d1);
    time_report(path, "report of one day, registry of 1,000,000", d1, NULL, runs);
    time_report(path, "report of the month, registry of 1,000,000", d0, d1, runs);
    {
        vax_db *db = NULL;
        vax_coverage c;
        vax_open(path, VAX_OPEN_READONLY, &db);
        a = now_ms();
        vax_coverage_get(db, NULL, d1, &c);
        printf("%-44s %8d adults   %8.1f ms\n", "coverage of the whole registry", c.adults,
               now_ms() - a);
        a = now_ms();
        vax_coverage_get(db, "xa son binh", d1, &c);
        printf("%-44s %8d adults   %8.1f ms\n", "coverage of one commune", c.adults, now_ms() - a);
        vax_close(db);
    }
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
