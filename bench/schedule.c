/* schedule.c: bulk scheduling benchmark: fill 30 days x 20 slots from a list of 100,000 people. */
#include "vax.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* People 0..n-1 straight into the table (the registry's own path is measured by bench/search). */
static int load_people(const char *path, long n)
{
    static const char *const groups[] = {NULL, NULL, NULL, "G05", "G01", "G09", NULL};
    static const char sql[] =
        "INSERT INTO person(uuid, national_id, full_name, name_folded, birth_date, sex, phone,"
        " priority_group, created_at, updated_at) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, 0, 0)";
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto out;
    for (long i = 0; i < n; i++) {
        char uuid[37], id[16], name[64], birth[16], phone[16];
        int year = 1935 + (int)(i % 68), female = (int)(i & 1);
        vax_uuid(uuid);
        snprintf(id, sizeof id, "001%d%02d%06ld", (year >= 2000 ? 2 : 0) + female, year % 100,
                 i % 1000000);
        snprintf(name, sizeof name, "nguyen van %c%c%c", 'a' + (int)(i % 26),
                 'a' + (int)(i / 26 % 26), 'a' + (int)(i / 676 % 26));
        snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, 1 + (int)(i % 12), 1 + (int)(i % 28));
        snprintf(phone, sizeof phone, "09%08ld", (i * 7919) % 100000000);
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, birth, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, female ? "f" : "m", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, phone, -1, SQLITE_TRANSIENT);
        if (groups[i % 7])
            sqlite3_bind_text(st, 7, groups[i % 7], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 7);
        int s = sqlite3_step(st);
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            goto out;
    }
    rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
out:
    if (rc)
        fprintf(stderr, "schedule: loading people: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

static long query_long(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

int main(int argc, char **argv)
{
    long people = 100000;
    int days = 30, capacity = 50;
    char dir[] = "/tmp/vaxbench-schedule.XXXXXX", path[256], day[11], first[11], last[11];
    vax_db *db = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--people"))
            people = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--capacity"))
            capacity = atoi(argv[i + 1]);
    }
    if (people < 1 || capacity < 1 || !mkdtemp(dir))
        return 2;
    snprintf(path, sizeof path, "%s/site.db", dir);
    vax_clock_set(1634263200); /* 2021-10-15 09:00 +07 */
    if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK ||
        vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        fprintf(stderr, "schedule: %s\n", vax_errmsg(db));
        return 1;
    }
    vax_setting_set(db, "slot.cap.low", "1000");
    vax_local_date(vax_now(), day);
    vax_date_add(day, 1, first);
    /* 30 days of 20 slots: 07:00-17:00 in 30-minute slots */
    for (int d = 0; d < days; d++) {
        vax_site_day sd;
        memset(&sd, 0, sizeof sd);
        vax_date_add(first, d, sd.day);
        snprintf(sd.opens, sizeof sd.opens, "07:00");
        snprintf(sd.closes, sizeof sd.closes, "17:00");
        sd.slot_minutes = 30;
        sd.capacity = capacity;
        sd.risk = VAX_RISK_LOW;
        if (vax_day_plan(db, &sd) != VAX_OK) {
            fprintf(stderr, "schedule: %s\n", vax_errmsg(db));
            return 1;
        }
        snprintf(last, sizeof last, "%s", sd.day);
    }
    vax_close(db);
    if (load_people(path, people) != 0)
        return 1;
    if (vax_open(path, 0, &db) != VAX_OK || vax_staff_act_as_os_user(db, "bench") != VAX_OK)
        return 1;
    vax_book_req *reqs = calloc((size_t)people, sizeof *reqs);
    if (!reqs)
        return 1;
    for (long i = 0; i < people; i++)
        reqs[i].person_id = i + 1;
    int booked = 0;
    double t0 = now_s();
    int rc = vax_slot_fill(db, first, last, "", reqs, (int)people, &booked);
    double t1 = now_s();
    if (rc != VAX_OK) {
        fprintf(stderr, "schedule: %s\n", vax_errmsg(db));
        return 1;
    }
    int unplaced = 0;
    for (long i = 0; i < people; i++)
        unplaced += reqs[i].status == VAX_EEMPTY;
    vax_close(db);
    long slots = query_long(path, "SELECT count(*) FROM slot");
    long over = query_long(path, "SELECT count(*) FROM slot s WHERE (SELECT count(*) FROM"
                                 " appointment a WHERE a.slot_id = s.id AND a.state = 'booked')"
                                 " > s.capacity");
    long full = query_long(path, "SELECT count(*) FROM slot s WHERE (SELECT count(*) FROM"
                                 " appointment a WHERE a.slot_id = s.id) = s.capacity");
    /* priority order: nobody of a lower group is booked while someone of a higher one is not */
    long inversions =
        query_long(path, "SELECT count(*) FROM person p LEFT JOIN priority_group g ON"
                         " g.code = p.priority_group WHERE NOT EXISTS (SELECT 1 FROM appointment"
                         " a WHERE a.person_id = p.id) AND coalesce(g.rank, 99) < (SELECT"
                         " max(coalesce(g2.rank, 99)) FROM appointment a2 JOIN person p2 ON"
                         " p2.id = a2.person_id LEFT JOIN priority_group g2 ON"
                         " g2.code = p2.priority_group)");
    printf("%-44s | %-10s | %s\n", "figure", "target", "measured");
    printf("%-44s | %-10s | %ld people, %ld slots (%d days x 20), %d per slot\n", "input", "",
           people, slots, days, capacity);
    printf("%-44s | %-10s | %.3f s\n", "vax_slot_fill (one transaction, durable)", "< 1 s",
           t1 - t0);
    printf("%-44s | %-10s | %d booked, %d left without a slot\n", "bookings", "", booked, unplaced);
    printf("%-44s | %-10s | %ld of %ld full\n", "slots filled to capacity", "", full, slots);
    printf("%-44s | %-10s | %ld %s\n", "slots over capacity", "0", over, over == 0 ? "ok" : "FAIL");
    printf("%-44s | %-10s | %ld %s\n", "priority inversions (unbooked outranks booked)", "0",
           inversions, inversions == 0 ? "ok" : "FAIL");
    free(reqs);
    char f[300];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        unlink(f);
    }
    rmdir(dir);
    return over == 0 && inversions == 0 ? 0 : 1;
}
