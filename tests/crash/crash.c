/* crash.c: reliability harness: worker processes run the whole visit flow (check-in, screening,
 * injection with stock, observation release, certificate) on one database while this program
 * SIGKILLs them at random moments, copies the files mid-write (power loss), or runs 8 stations
 * and 2 boards at once; after each event it reopens the database and checks the invariants.
 * Prints TAP. Modes and their long forms: see README.md, "Reliability".
 *   crash kill        [--kills N] [--workers N] [--check-every N] [--seed N] [--dir D] [--keep]
 *   crash power       [--copies N] [--workers N] [--seed N] [--dir D] [--keep]
 *   crash concurrency [--seconds N] [--pace N] [--seed N] [--dir D] [--keep]
 *   crash check       --dir D   (the invariants on a kept run's files) */
#include "vax.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 16
#define OS_USER "crash"

/* ---- options, TAP and small helpers ---------------------------------------------------------- */

static struct {
    const char *mode;
    int kills, workers, copies, seconds, pace, keep, check_every;
    unsigned seed;
    char dir[512];
} opt = {.kills = 150, .workers = 4, .copies = 8, .seconds = 45, .pace = 10, .check_every = 1};

static char db_path[600], keys_dir[600], ack_path[600];
static int tap_n, tap_failed;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
    va_list ap;
    printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!ok)
        tap_failed++;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(double ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000) * 1e6)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* xorshift: each process has its own stream */
static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}
static int rnd_between(int lo, int hi)
{
    return lo + (int)(rnd() % (uint32_t)(hi - lo + 1));
}

/* ---- what the processes share: their step, their counters ------------------------------------ */

enum step {
    STEP_IDLE,
    STEP_OPEN,
    STEP_CHECKIN,
    STEP_CALL_SCREENING,
    STEP_SCREENING,
    STEP_CALL_INJECTION,
    STEP_VIAL,
    STEP_DOSE,
    STEP_RELEASE,
    STEP_CERT,
    STEP_BOARD,
    STEP_COUNT
};
static const char *const step_names[STEP_COUNT] = {
    "idle", "open", "check-in", "call to screening", "screening", "call to injection",
    "vial", "dose", "release",  "certificate",       "board read"};

struct proc_shared {
    volatile int step;
    volatile long ok_ops; /* steps that returned VAX_OK */
    volatile long busy;   /* VAX_EBUSY returned to the caller */
    volatile long errors; /* any other unexpected code */
    volatile long doses;  /* doses acknowledged */
    volatile long snapshots;
    char last_error[240];
};
static struct proc_shared *shared; /* MAX_PROCS entries, MAP_SHARED */

/* ---- the site ---------------------------------------------------------------------------------
 */

static int fail_setup(vax_db *db, const char *what)
{
    fprintf(stderr, "crash: %s: %s\n", what, db ? vax_errmsg(db) : "");
    printf("Bail out! %s: %s\n", what, db ? vax_errmsg(db) : "");
    return 1;
}

/* A fresh site: the OS user acts, a signing key, one big lot of AZ (received = 5000 x 10 doses). */
static int site_setup(void)
{
    vax_db *db = NULL;
    int64_t lot;
    unlink(db_path);
    if (vax_open(db_path, VAX_OPEN_CREATE, &db) != VAX_OK)
        return fail_setup(db, "open");
    vax_lot_in in = {"AZ", "CRASH-1", "2031-12-31", 5000, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    if (vax_staff_act_as_os_user(db, OS_USER) != VAX_OK ||
        vax_site_set(db, "CRASH", "Crash test site", 0) != VAX_OK ||
        vax_keys_init(db, keys_dir, 0) != VAX_OK ||
        vax_setting_set(db, "cert.key_dir", keys_dir) != VAX_OK ||
        vax_stock_receive(db, &in, &lot) != VAX_OK) {
        int rc = fail_setup(db, "setup");
        vax_close(db);
        return rc;
    }
    vax_close(db);
    int fd = open(ack_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0)
        close(fd);
    return 0;
}

/* ---- a worker: one station or the whole flow --------------------------------------------------
 */

typedef struct worker {
    int idx;
    vax_db *db;
    sqlite3 *ro; /* plain reads the API has no call for (resuming a killed worker's visit) */
    char scr_station[32], inj_station[32];
    int64_t lot_id, vial_id;
    int ack_fd;
    int serial;
    double accel; /* observation runs this many times faster (concurrency mode) */
} worker;

/* Counts a result; returns 1 if it is VAX_OK. Expected refusals (nobody waiting, another
 * station was quicker) are neither OK nor errors. */
static int count_rc(worker *w, int rc, const char *what)
{
    struct proc_shared *s = &shared[w->idx];
    if (rc == VAX_OK) {
        s->ok_ops++;
        return 1;
    }
    if (rc == VAX_EEMPTY || rc == VAX_ESTATE || rc == VAX_EEXIST)
        return 0;
    if (rc == VAX_EBUSY)
        s->busy++;
    else
        s->errors++;
    snprintf(s->last_error, sizeof s->last_error, "%s: %d %s", what, rc, vax_errmsg(w->db));
    return 0;
}

static int64_t ro_int(worker *w, const char *sql, const char *text, int64_t num)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    if (sqlite3_prepare_v2(w->ro, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, num);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void step_checkin(worker *w)
{
    static const char *const family[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Lò", "Đặng"};
    static const char *const given[] = {"Văn Hùng", "Thị Hoa", "Minh Đức", "Thị Lan", "Văn Tú"};
    vax_person p;
    vax_visit v;
    shared[w->idx].step = STEP_CHECKIN;
    for (int tries = 0; tries < 20; tries++) {
        int year = rnd_between(1950, 1999), female = rnd() & 1;
        memset(&p, 0, sizeof p);
        /* CCCD: province 001, century/sex code, year, a serial unique enough; a clash is
         * refused (VAX_EEXIST) and retried with another */
        char id[32];
        snprintf(id, sizeof id, "001%d%02d%06u", female, year % 100, rnd() % 1000000u);
        snprintf(p.national_id, sizeof p.national_id, "%.12s", id);
        snprintf(p.full_name, sizeof p.full_name, "%s %s %c%c", family[rnd() % 7], given[rnd() % 5],
                 'a' + rnd() % 26, 'a' + rnd() % 26);
        snprintf(p.birth_date, sizeof p.birth_date, "%d-%02d-%02d", year, rnd_between(1, 12),
                 rnd_between(1, 28));
        p.sex = female ? 'f' : 'm';
        int rc = vax_person_add(w->db, &p);
        if (rc == VAX_EEXIST)
            continue;
        if (!count_rc(w, rc, "person add"))
            return;
        count_rc(w, vax_queue_checkin(w->db, p.id, &v), "check-in");
        return;
    }
}

static void screen_visit(worker *w, int64_t visit_id)
{
    vax_checklist *cl = malloc(sizeof *cl);
    vax_screening_input in;
    vax_screening_decision d = {VAX_OUTCOME_ELIGIBLE, "", 1, ""};
    int64_t id;
    if (!cl)
        return;
    shared[w->idx].step = STEP_SCREENING;
    if (count_rc(w, vax_checklist_current(w->db, cl), "checklist")) {
        vax_screening_input_init(&in);
        memset(in.answers, 'n', (size_t)cl->nitems);
        for (int i = 0; i < cl->nvitals; i++) {
            const vax_vital_def *vd = &cl->vitals[i];
            in.vitals[i] = vd->has_normal ? (vd->normal_lo + vd->normal_hi) / 2
                                          : (vd->physical_lo + vd->physical_hi) / 2;
        }
        count_rc(w, vax_screening_confirm(w->db, visit_id, &in, &d, &id), "screening");
    }
    free(cl);
}

static void step_screening(worker *w)
{
    vax_visit v;
    shared[w->idx].step = STEP_CALL_SCREENING;
    if (count_rc(w, vax_queue_call_next(w->db, VAX_STAGE_SCREENING, w->scr_station, &v),
                 "call to screening"))
        screen_visit(w, v.id);
}

/* The worker's open vial with doses left, opening one when there is none. */
static int ensure_vial(worker *w)
{
    vax_vial vl;
    shared[w->idx].step = STEP_VIAL;
    if (w->vial_id && vax_stock_vial_get(w->db, w->vial_id, &vl) == VAX_OK && !vl.discarded_at &&
        vl.remaining > 0 && vl.minutes_left > 0)
        return 1;
    if (w->vial_id && vax_stock_vial_get(w->db, w->vial_id, &vl) == VAX_OK && !vl.discarded_at)
        count_rc(w, vax_stock_discard_vial(w->db, w->vial_id, VAX_DISCARD_EXPIRED, NULL),
                 "discard");
    w->vial_id = 0;
    /* a killed worker's vial at this station is used up first */
    vax_vial open[8];
    int n = 0;
    if (vax_stock_open_vials(w->db, w->inj_station, open, 8, &n) == VAX_OK)
        for (int i = 0; i < n; i++)
            if (open[i].remaining > 0 && open[i].minutes_left > 0) {
                w->vial_id = open[i].id;
                return 1;
            }
    return count_rc(w, vax_stock_open_vial(w->db, w->lot_id, w->inj_station, &w->vial_id),
                    "open vial");
}

static void give_dose(worker *w, int64_t visit_id)
{
    vax_dose d;
    if (!ensure_vial(w))
        return;
    shared[w->idx].step = STEP_DOSE;
    vax_dose_in in = {visit_id, w->vial_id, rnd() & 1 ? VAX_ARM_LEFT : VAX_ARM_RIGHT, 0, NULL,
                      NULL,     0};
    if (!count_rc(w, vax_dose_give(w->db, &in, &d), "dose"))
        return;
    /* acknowledged: the commit returned; only now is it written down, and synced */
    char line[40];
    snprintf(line, sizeof line, "%s\n", d.uuid);
    if (write(w->ack_fd, line, 37) == 37)
        fsync(w->ack_fd);
    shared[w->idx].doses++;
    /* now and then a vial breaks: what it held is wasted */
    if (rnd() % 20 == 0) {
        shared[w->idx].step = STEP_VIAL;
        if (count_rc(w, vax_stock_discard_vial(w->db, w->vial_id, VAX_DISCARD_BROKEN, NULL),
                     "discard"))
            w->vial_id = 0;
    }
}

static void step_injection(worker *w)
{
    vax_visit v;
    shared[w->idx].step = STEP_CALL_INJECTION;
    if (count_rc(w, vax_queue_call_next(w->db, VAX_STAGE_INJECTION, w->inj_station, &v),
                 "call to injection"))
        give_dose(w, v.id);
}

/* Releases whoever has been observed long enough (all of them when accel is 0), with a
 * certificate for their dose. The visits are found with SQL: vax_observe_list reads only the
 * first 256 visits of the day (a finding of this harness, reported on issue 10). */
static void step_release(worker *w, int max)
{
    sqlite3_stmt *st = NULL;
    int64_t ids[64], since[64];
    int n = 0;
    shared[w->idx].step = STEP_RELEASE;
    if (sqlite3_prepare_v2(w->ro,
                           "SELECT id, state_since FROM visit WHERE state = 'observing'"
                           " ORDER BY state_since, id LIMIT 64",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    while (n < 64 && sqlite3_step(st) == SQLITE_ROW) {
        ids[n] = sqlite3_column_int64(st, 0);
        since[n++] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n && max > 0; i++) {
        int minutes = 30;
        if (w->accel > 0 &&
            (!count_rc(w, vax_observe_minutes(w->db, ids[i], &minutes), "observe minutes") ||
             vax_now() < since[i] + (int64_t)(minutes * 60 / w->accel)))
            continue;
        shared[w->idx].step = STEP_RELEASE;
        if (!count_rc(w, vax_observe_release(w->db, ids[i], "reliability test: time runs faster"),
                      "release"))
            continue;
        max--;
        int64_t dose =
            ro_int(w, "SELECT id FROM dose WHERE visit_id = ?1 AND voided = 0", NULL, ids[i]);
        vax_certificate *c = malloc(sizeof *c);
        shared[w->idx].step = STEP_CERT;
        if (c && dose)
            count_rc(w, vax_cert_issue(w->db, dose, c), "certificate");
        free(c);
    }
}

/* A restarted worker finishes what its killed predecessor left at its stations. */
static void resume(worker *w)
{
    int64_t v = ro_int(w, "SELECT id FROM visit WHERE state = 'screening' AND station = ?1",
                       w->scr_station, 0);
    if (v)
        screen_visit(w, v);
    v = ro_int(w, "SELECT id FROM visit WHERE state = 'injection' AND station = ?1", w->inj_station,
               0);
    if (v)
        give_dose(w, v);
}

/* role: -1 the whole flow in a loop; else a station of the concurrency test. */
enum role { ROLE_FLOW = -1, ROLE_CHECKIN, ROLE_SCREENING, ROLE_INJECTION, ROLE_OBSERVATION };

static void worker_main(int idx, int role, double deadline)
{
    worker w = {.idx = idx};
    rng_state ^= ((uint64_t)getpid() << 20) ^ (uint64_t)(now_s() * 1e6) ^ opt.seed;
    for (int i = 0; i < 8; i++)
        rnd();
    snprintf(w.scr_station, sizeof w.scr_station, "screening-%d", idx + 1);
    snprintf(w.inj_station, sizeof w.inj_station, "injection-%d", idx + 1);
    shared[idx].step = STEP_OPEN;
    if (vax_open(db_path, 0, &w.db) != VAX_OK ||
        vax_staff_act_as_os_user(w.db, OS_USER) != VAX_OK ||
        sqlite3_open_v2(db_path, &w.ro, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(shared[idx].last_error, sizeof shared[idx].last_error, "open: %s",
                 w.db ? vax_errmsg(w.db) : "");
        _exit(3);
    }
    sqlite3_busy_timeout(w.ro, 5000);
    w.lot_id = ro_int(&w, "SELECT id FROM lot WHERE lot_no = ?1", "CRASH-1", 0);
    w.ack_fd = open(ack_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (role == ROLE_FLOW) {
        resume(&w);
        for (;;) {
            step_checkin(&w);
            step_screening(&w);
            step_injection(&w);
            step_release(&w, 1);
            shared[idx].step = STEP_IDLE;
        }
    }
    /* a station at `pace` times a real site's speed: seconds between people at a real site */
    static const double real_interval[] = {15, 30, 20, 10};
    w.accel = opt.pace;
    while (now_s() < deadline) {
        switch (role) {
        case ROLE_CHECKIN:
            step_checkin(&w);
            break;
        case ROLE_SCREENING:
            step_screening(&w);
            break;
        case ROLE_INJECTION:
            step_injection(&w);
            break;
        default:
            step_release(&w, 64);
        }
        shared[idx].step = STEP_IDLE;
        /* +-50 % so that the stations drift in and out of step */
        sleep_ms(real_interval[role] * 1000.0 / opt.pace * (0.5 + (rnd() % 1000) / 1000.0));
    }
    sqlite3_close(w.ro);
    vax_close(w.db);
    _exit(0);
}

static pid_t spawn(int idx, int role, double deadline)
{
    pid_t pid;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the harness */
        worker_main(idx, role, deadline);
    }
    return pid;
}

/* ---- invariants -------------------------------------------------------------------------------
 */

typedef struct check_ctx {
    sqlite3 *s;
    int bad;
    char first[600];
} check_ctx;

static void bad(check_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(check_ctx *c, const char *fmt, ...)
{
    va_list ap;
    if (!c->bad++) {
        va_start(ap, fmt);
        vsnprintf(c->first, sizeof c->first, fmt, ap);
        va_end(ap);
    }
}

static int64_t q_int(check_ctx *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(c->s, sql, -1, &st, NULL) != SQLITE_OK) {
        bad(c, "query %s: %s", sql, sqlite3_errmsg(c->s));
        return -1;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Each query counts rows that break a rule; 0 is right. */
static const struct {
    const char *rule, *sql;
} zero_rules[] = {
    {"every visit has a known state",
     "SELECT count(*) FROM visit WHERE state NOT IN ('booked','waiting_screening','screening',"
     "'eligible','postponed','contraindicated','referred','waiting_injection','injection',"
     "'observing','done','transferred','left','no_show','cancelled')"},
    {"visits given a dose are observing, done or transferred, with exactly one dose",
     "SELECT count(*) FROM visit v LEFT JOIN (SELECT visit_id, count(*) AS n FROM dose WHERE"
     " voided = 0 GROUP BY visit_id) d ON d.visit_id = v.id"
     " WHERE (v.state IN ('observing','done','transferred')) != (coalesce(d.n, 0) = 1)"},
    {"no visit has two doses",
     "SELECT count(*) FROM (SELECT visit_id FROM dose WHERE voided = 0 GROUP BY visit_id"
     " HAVING count(*) > 1)"},
    {"visits past screening have their screening",
     "SELECT count(*) FROM visit v WHERE v.state IN ('eligible','waiting_injection','injection',"
     "'observing','done') AND v.id NOT IN (SELECT visit_id FROM screening)"},
    {"the last event of each visit is its state",
     "SELECT count(*) FROM visit v WHERE v.state IS NOT (SELECT e.to_state FROM visit_event e"
     " WHERE e.visit_id = v.id ORDER BY e.id DESC LIMIT 1)"},
    {"each event starts where the one before ended",
     "SELECT count(*) FROM visit_event e WHERE e.from_state IS NOT (SELECT p.to_state FROM"
     " visit_event p WHERE p.visit_id = e.visit_id AND p.id < e.id ORDER BY p.id DESC LIMIT 1)"},
    {"tickets are unique per day", "SELECT count(*) FROM (SELECT 1 FROM visit GROUP BY site_id, "
                                   "day, ticket HAVING count(*) > 1)"},
    {"each vial's drawn doses are its dose records",
     "SELECT count(*) FROM vial l LEFT JOIN (SELECT vial_id, count(*) AS n FROM dose WHERE"
     " voided = 0 GROUP BY vial_id) d ON d.vial_id = l.id WHERE l.drawn != coalesce(d.n, 0)"},
    {"the doses received are the 5000 vials x 10 doses the harness received",
     "SELECT (SELECT sum(vials_received * doses_per_vial) FROM lot) != 50000"},
    {"each lot's opened vials are its vial rows",
     "SELECT count(*) FROM lot t WHERE t.vials_opened != (SELECT count(*) FROM vial l WHERE"
     " l.lot_id = t.id)"},
    {"each certificate in force is for a dose given",
     "SELECT count(*) FROM certificate c WHERE c.revoked_at = 0 AND NOT EXISTS (SELECT 1 FROM"
     " dose d WHERE d.id = c.dose_id AND d.voided = 0)"},
};

/* Every acknowledged dose (the first n_ack lines of the log; -1 all) is there exactly once. */
static void check_acked(check_ctx *c, long n_ack, long *checked)
{
    FILE *f = fopen(ack_path, "r");
    char line[64];
    sqlite3_stmt *st = NULL;
    long n = 0;
    *checked = 0;
    if (!f) {
        bad(c, "cannot read %s", ack_path);
        return;
    }
    sqlite3_prepare_v2(c->s, "SELECT count(*) FROM dose WHERE uuid = ?1 AND voided = 0", -1, &st,
                       NULL);
    while ((n_ack < 0 || n < n_ack) && fgets(line, sizeof line, f)) {
        if (strlen(line) != 37 || line[36] != '\n')
            continue; /* a line being written when the log was read */
        line[36] = 0;
        n++;
        sqlite3_bind_text(st, 1, line, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 1)
            bad(c, "acknowledged dose %s is missing (or there twice)", line);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    fclose(f);
    *checked = n;
}

/* received = on hand + given + wasted, per lot, in doses, all read in the check's snapshot; when
 * nothing writes (quiet), on hand must also be what core counts (vax_stock_lot_get). */
static void check_stock(check_ctx *c, vax_db *db, int quiet)
{
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(c->s,
                       "SELECT t.id, t.vials_received * t.doses_per_vial,"
                       " (t.vials_received - t.vials_opened) * t.doses_per_vial + (SELECT"
                       "  coalesce(sum(doses - drawn - wasted), 0) FROM vial l WHERE l.lot_id ="
                       "  t.id AND l.discarded_at IS NULL),"
                       " (SELECT count(*) FROM dose d WHERE d.lot_id = t.id AND d.voided = 0),"
                       " (SELECT coalesce(sum(wasted), 0) FROM vial l WHERE l.lot_id = t.id)"
                       " FROM lot t",
                       -1, &st, NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        vax_lot lot;
        int64_t id = sqlite3_column_int64(st, 0), received = sqlite3_column_int64(st, 1),
                on_hand = sqlite3_column_int64(st, 2), given = sqlite3_column_int64(st, 3),
                wasted = sqlite3_column_int64(st, 4);
        if (received != on_hand + given + wasted)
            bad(c, "lot %lld: received %lld != on hand %lld + given %lld + wasted %lld",
                (long long)id, (long long)received, (long long)on_hand, (long long)given,
                (long long)wasted);
        if (!quiet)
            continue;
        if (vax_stock_lot_get(db, id, &lot) != VAX_OK)
            bad(c, "lot %lld: %s", (long long)id, vax_errmsg(db));
        else if (lot.doses_on_hand != on_hand)
            bad(c, "lot %lld: core counts %d doses on hand, the rows %lld", (long long)id,
                lot.doses_on_hand, (long long)on_hand);
    }
    sqlite3_finalize(st);
}

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    long n = 0;
    int ch;
    if (!f)
        return 0;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

typedef struct inv_stats {
    long visits, doses, acked, certs;
} inv_stats;

/* Opens the database as a station would (recovering a WAL), then checks everything. Returns the
 * number of broken rules; *why says the first. */
static int check_invariants(const char *path, long n_ack, int quiet, inv_stats *stats, char *why,
                            size_t whysize)
{
    check_ctx c = {0};
    vax_db *db = NULL;
    char *report = NULL;
    memset(stats, 0, sizeof *stats);
    /* the log is read before the snapshot starts: a dose written down later may be missing
     * from the snapshot, one written down earlier may not */
    if (n_ack < 0)
        n_ack = count_lines(ack_path);
    if (vax_open(path, 0, &db) != VAX_OK) {
        snprintf(why, whysize, "reopen: %s", db ? vax_errmsg(db) : "");
        vax_close(db);
        return 1;
    }
    if (vax_db_check(db, &report) != VAX_OK)
        bad(&c, "integrity_check: %s", report ? report : vax_errmsg(db));
    free(report);
    if (sqlite3_open_v2(path, &c.s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        bad(&c, "open read-only: %s", sqlite3_errmsg(c.s));
    } else {
        sqlite3_busy_timeout(c.s, 5000);
        sqlite3_exec(c.s, "BEGIN", NULL, NULL, NULL);
        for (size_t i = 0; i < sizeof zero_rules / sizeof zero_rules[0]; i++) {
            int64_t n = q_int(&c, zero_rules[i].sql);
            if (n != 0)
                bad(&c, "%s: %lld rows break it", zero_rules[i].rule, (long long)n);
        }
        check_stock(&c, db, quiet);
        check_acked(&c, n_ack, &stats->acked);
        stats->visits = (long)q_int(&c, "SELECT count(*) FROM visit");
        stats->doses = (long)q_int(&c, "SELECT count(*) FROM dose");
        stats->certs = (long)q_int(&c, "SELECT count(*) FROM certificate");
        sqlite3_exec(c.s, "COMMIT", NULL, NULL, NULL);
    }
    sqlite3_close(c.s);
    vax_close(db);
    snprintf(why, whysize, "%s", c.first);
    return c.bad;
}

/* ---- mode: kill -------------------------------------------------------------------------------
 */

static void report_procs(int n)
{
    for (int i = 0; i < n; i++)
        if (shared[i].last_error[0])
            diag("process %d: last error: %s", i, shared[i].last_error);
}

static int mode_kill(void)
{
    pid_t pids[MAX_PROCS];
    long killed_in[STEP_COUNT] = {0};
    int kills = 0, failures = 0, died = 0, checks = 0;
    char why[600] = "", first[700] = "";
    inv_stats st = {0};
    double t0 = now_s();
    if (site_setup())
        return 1;
    for (int i = 0; i < opt.workers; i++)
        pids[i] = spawn(i, ROLE_FLOW, 0);
    while (kills < opt.kills) {
        /* some kills land at once, most after a while of work */
        sleep_ms(rnd() % 4 == 0 ? rnd() % 10 : 10 + rnd() % 150);
        int i = (int)(rnd() % (uint32_t)opt.workers);
        int status;
        if (waitpid(pids[i], &status, WNOHANG) == pids[i]) {
            died++;
            diag("worker %d died by itself (status %d): %s", i, status, shared[i].last_error);
        } else {
            killed_in[shared[i].step]++;
            kill(pids[i], SIGKILL);
            waitpid(pids[i], &status, 0);
            kills++;
        }
        if (kills % opt.check_every == 0 && ++checks &&
            check_invariants(db_path, -1, 0, &st, why, sizeof why)) {
            if (!failures++) {
                diag("after kill %d: %s", kills, why);
                snprintf(first, sizeof first, "after kill %d: %s", kills, why);
            }
        }
        pids[i] = spawn(i, ROLE_FLOW, 0);
    }
    for (int i = 0; i < opt.workers; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
    }
    int last = check_invariants(db_path, -1, 1, &st, why, sizeof why);
    if (last && !first[0])
        snprintf(first, sizeof first, "at the end: %s", why);
    long busy = 0, errors = 0;
    for (int i = 0; i < opt.workers; i++)
        busy += shared[i].busy, errors += shared[i].errors;
    diag("%d SIGKILLs in %.1f s across %d workers; invariants checked %d times (after every "
         "%d kill(s) and at the end)",
         kills, now_s() - t0, opt.workers, checks + 1, opt.check_every);
    for (int s = 0; s < STEP_COUNT; s++)
        if (killed_in[s])
            diag("  killed during %-18s %ld", step_names[s], killed_in[s]);
    diag("database: %ld visits, %ld doses (%ld acknowledged, all found), %ld certificates",
         st.visits, st.doses, st.acked, st.certs);
    report_procs(opt.workers);
    tap(kills >= opt.kills, "%d workers killed with SIGKILL %d times at random moments",
        opt.workers, kills);
    tap(died == 0, "no worker died by itself (%d)", died);
    tap(failures == 0 && last == 0,
        "after every check: integrity_check ok, one legal state per visit, acknowledged doses "
        "there "
        "once, stock balances, event log replays%s%s",
        first[0] ? ": " : "", first);
    tap(st.doses > 0 && st.certs > 0, "the flow got through: %ld doses, %ld certificates", st.doses,
        st.certs);
    tap(busy == 0, "no VAX_EBUSY reached a worker (%ld)", busy);
    return 0;
}

/* ---- mode: power loss -------------------------------------------------------------------------
 */

static int copy_file(const char *from, const char *to, off_t *copied)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char buf[16384];
    ssize_t n;
    *copied = 0;
    if (in < 0 || out < 0) {
        if (in >= 0)
            close(in);
        if (out >= 0)
            close(out);
        return in < 0 && errno == ENOENT ? 0 : -1;
    }
    while ((n = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, (size_t)n) != n)
            break;
        *copied += n;
    }
    close(in);
    close(out);
    return 0;
}

/* The WAL's current generation: its salt and how many frames carry it (frame headers only; the
 * checksums are SQLite's business). WAL header 32 bytes, frames of 24 + page size. */
typedef struct wal_gen {
    uint32_t salt[2], page;
    long frames;
} wal_gen;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wal_scan(const char *path, wal_gen *g)
{
    unsigned char h[32];
    FILE *f = fopen(path, "rb");
    memset(g, 0, sizeof *g);
    if (!f)
        return;
    if (fread(h, 1, 32, f) == 32) {
        g->page = be32(h + 8);
        g->salt[0] = be32(h + 16);
        g->salt[1] = be32(h + 20);
        while (g->page >= 512 && g->page <= 65536 &&
               fseek(f, 32 + g->frames * (long)(24 + g->page), SEEK_SET) == 0 &&
               fread(h, 1, 24, f) == 24 && be32(h + 8) == g->salt[0] && be32(h + 12) == g->salt[1])
            g->frames++;
    }
    fclose(f);
}

static int mode_power(void)
{
    pid_t pids[MAX_PROCS];
    int failures = 0, torn = 0, cuts = 0, kills = 0, copies = 0;
    long acked_total = 0;
    char first[700] = "", why[600] = "", cdir[700], cdb[800], cwal[800], wal[700];
    inv_stats st = {0};
    if (site_setup())
        return 1;
    snprintf(wal, sizeof wal, "%s-wal", db_path);
    snprintf(cdir, sizeof cdir, "%s/copy", opt.dir);
    mkdir(cdir, 0700);
    snprintf(cdb, sizeof cdb, "%s/site.db", cdir);
    snprintf(cwal, sizeof cwal, "%s/site.db-wal", cdir);
    for (int round = 0; round < opt.copies; round++) {
        for (int i = 0; i < opt.workers; i++)
            pids[i] = spawn(i, ROLE_FLOW, 0);
        sleep_ms(300 + rnd() % 1200);
        /* what was acknowledged before the copy starts must survive it */
        long n_ack = count_lines(ack_path);
        wal_gen before, after;
        wal_scan(wal, &before);
        off_t dbn, waln;
        unlink(cdb);
        unlink(cwal);
        char shm[810];
        snprintf(shm, sizeof shm, "%s-shm", cdb);
        unlink(shm);
        /* The power cut: every writer frozen wherever it is (between two writes of a frame, in
         * the middle of a checkpoint, before an fsync), and the files copied as they are. A
         * copy made while they run would mix database pages written by a checkpoint after the
         * WAL was read with a WAL restarted under the copy: an image no power cut can make. */
        for (int i = 0; i < opt.workers; i++) {
            kill(pids[i], SIGSTOP);
            waitpid(pids[i], NULL, WUNTRACED);
        }
        /* frames a checkpoint has copied, or started to copy, into the database file (the
         * wal-index's nBackfill at byte 96 and nBackfillAttempted at byte 128 of its checkpoint
         * information, native byte order, after the two 48-byte headers): a checkpoint syncs the
         * WAL before it writes a page of the database file, so no power cut can lose those frames
         * and cutting them would be an image no power cut makes (the database file holding pages
         * of frames the WAL no longer has) */
        uint32_t backfilled = 0, attempted = 0;
        char live_shm[700];
        snprintf(live_shm, sizeof live_shm, "%s-shm", db_path);
        int sfd = open(live_shm, O_RDONLY);
        if (sfd >= 0) {
            if (pread(sfd, &backfilled, sizeof backfilled, 96) != sizeof backfilled)
                backfilled = 0;
            if (pread(sfd, &attempted, sizeof attempted, 128) != sizeof attempted)
                attempted = 0;
            close(sfd);
        }
        if (attempted > backfilled)
            backfilled = attempted;
        if (copy_file(db_path, cdb, &dbn) != 0 || copy_file(wal, cwal, &waln) != 0) {
            tap(0, "copying the files: %s", strerror(errno));
            return 1;
        }
        for (int i = 0; i < opt.workers; i++) {
            kill(pids[i], SIGKILL);
            waitpid(pids[i], NULL, 0);
            kills++;
        }
        /* the writer may have been stopped between a frame's header and its page */
        wal_scan(cwal, &after);
        off_t fs = 24 + (off_t)after.page, end = 32 + after.frames * fs;
        if (after.page && waln > end && waln < end + fs)
            torn++;
        /* and a power cut may lose any unsynced tail: cut the copy at a random byte among the
         * frames written after the acknowledged doses were counted (all of the generation if
         * the WAL restarted since: a restart comes only after every frame reached the
         * database file), leaving a torn last frame */
        off_t from = 32;
        if (after.salt[0] == before.salt[0] && after.salt[1] == before.salt[1])
            from = 32 + before.frames * fs;
        if (32 + (off_t)backfilled * fs > from)
            from = 32 + (off_t)backfilled * fs;
        if (after.page && end > from && (copies % 2 == 0 || cuts == 0)) {
            off_t cut = from + (off_t)(rnd() % (uint32_t)(end - from));
            if (truncate(cwal, cut) == 0) {
                cuts++;
                torn += (cut - 32) % fs != 0;
            }
        }
        copies++;
        int nbad = check_invariants(cdb, n_ack, 1, &st, why, sizeof why);
        acked_total = st.acked;
        if (nbad && !failures++)
            snprintf(first, sizeof first, "copy %d: %s", copies, why);
        diag("copy %d: WAL %ld frames when the doses were counted, %ld when frozen%s; %ld doses "
             "acknowledged before, %ld in the recovered copy",
             copies, before.frames, after.frames,
             after.salt[0] != before.salt[0] ? " (restarted since)" : "", n_ack, st.doses);
        /* the live database after the workers were killed, then a checkpoint for the next round */
        nbad = check_invariants(db_path, -1, 1, &st, why, sizeof why);
        if (nbad && !failures++)
            snprintf(first, sizeof first, "live database after round %d: %s", round + 1, why);
        sqlite3 *s;
        if (sqlite3_open(db_path, &s) == SQLITE_OK)
            sqlite3_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        sqlite3_close(s);
    }
    report_procs(opt.workers);
    tap(copies == opt.copies,
        "%d copies of the database and WAL taken with %d writers frozen mid-work", copies,
        opt.workers);
    tap(failures == 0,
        "every copy recovers: integrity_check ok, legal states, doses acknowledged before the copy "
        "there once, stock balances, event log replays%s%s",
        failures ? ": " : "", first);
    diag("%d copies had their WAL tail cut at a random byte, %d had a torn last frame; %d "
         "workers killed after the copies; last copy had %ld acknowledged doses",
         cuts, torn, kills, acked_total);
    tap(torn > 0 || opt.copies < 4, "some copies had a torn last frame (%d)", torn);
    return 0;
}

/* ---- mode: concurrency ------------------------------------------------------------------------
 */

/* A board reader writes each snapshot as a line: called, waiting (2 stages), observing, doses. */
static void board_main(int idx, double deadline)
{
    vax_db *db = NULL;
    vax_board *b = malloc(sizeof *b);
    char path[700];
    snprintf(path, sizeof path, "%s/board-%d.log", opt.dir, idx);
    FILE *f = fopen(path, "w");
    if (!b || !f || vax_open(db_path, VAX_OPEN_READONLY, &db) != VAX_OK)
        _exit(3);
    while (now_s() < deadline) {
        shared[idx].step = STEP_BOARD;
        int rc = vax_board_read(db, b);
        if (rc != VAX_OK) {
            if (rc == VAX_EBUSY)
                shared[idx].busy++;
            else
                shared[idx].errors++;
            snprintf(shared[idx].last_error, sizeof shared[idx].last_error, "board: %s",
                     vax_errmsg(db));
            continue;
        }
        shared[idx].snapshots++;
        fprintf(f, "%d", b->ncalled);
        for (int i = 0; i < b->ncalled; i++)
            fprintf(f, " %d %d %s", b->called[i].ticket, (int)b->called[i].stage,
                    b->called[i].station);
        for (int s = 0; s < 2; s++) {
            fprintf(f, " %d", b->nwaiting[s]);
            for (int i = 0; i < b->nwaiting[s]; i++)
                fprintf(f, " %d", b->waiting[s][i]);
        }
        fprintf(f, " %d", b->nobserving);
        for (int i = 0; i < b->nobserving; i++)
            fprintf(f, " %d", b->observing[i].ticket);
        fprintf(f, " %d\n", b->doses_today);
        shared[idx].step = STEP_IDLE;
        sleep_ms(5 + rnd() % 20);
    }
    fclose(f);
    free(b);
    vax_close(db);
    _exit(0);
}

/* What a board can show of a visit: nothing, called to a station, waiting, observing. */
enum cat { CAT_NONE, CAT_CALLED_SCR, CAT_CALLED_INJ, CAT_WAIT_SCR, CAT_WAIT_INJ, CAT_OBS, CAT_N };

typedef struct ev {
    int visit; /* index into the visit table */
    int cat;
    char station[32];
} ev;

typedef struct board_check {
    int nvisits, nevents;
    int *ticket_visit; /* ticket -> visit index + 1 */
    int max_ticket;
    ev *events;
    int *next_of; /* event index -> index of the same visit's next event, or nevents */
} board_check;

static int cat_of(const char *state)
{
    if (!strcmp(state, "screening"))
        return CAT_CALLED_SCR;
    if (!strcmp(state, "injection"))
        return CAT_CALLED_INJ;
    if (!strcmp(state, "waiting_screening"))
        return CAT_WAIT_SCR;
    if (!strcmp(state, "waiting_injection"))
        return CAT_WAIT_INJ;
    if (!strcmp(state, "observing"))
        return CAT_OBS;
    return CAT_NONE;
}

static int load_events(board_check *bc, sqlite3 *s)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(s, "SELECT max(ticket), count(*) FROM visit", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW) {
        bc->max_ticket = sqlite3_column_int(st, 0);
        bc->nvisits = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    bc->ticket_visit = calloc((size_t)bc->max_ticket + 2, sizeof(int));
    int *visit_of_id = NULL, max_id = 0;
    sqlite3_prepare_v2(s, "SELECT max(id) FROM visit", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        max_id = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    visit_of_id = calloc((size_t)max_id + 2, sizeof(int));
    sqlite3_prepare_v2(s, "SELECT id, ticket FROM visit ORDER BY id", -1, &st, NULL);
    for (int i = 0; sqlite3_step(st) == SQLITE_ROW; i++) {
        visit_of_id[sqlite3_column_int(st, 0)] = i;
        bc->ticket_visit[sqlite3_column_int(st, 1)] = i + 1;
    }
    sqlite3_finalize(st);
    sqlite3_prepare_v2(s, "SELECT count(*) FROM visit_event", -1, &st, NULL);
    sqlite3_step(st);
    bc->nevents = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    bc->events = calloc((size_t)bc->nevents + 1, sizeof(ev));
    bc->next_of = calloc((size_t)bc->nevents + 1, sizeof(int));
    int *last = malloc(sizeof(int) * ((size_t)bc->nvisits + 1));
    for (int i = 0; i <= bc->nvisits; i++)
        last[i] = -1;
    /* event ids follow commit order (each is max+1 under the write lock), so a snapshot sees a
     * prefix of them */
    sqlite3_prepare_v2(s, "SELECT visit_id, to_state, station FROM visit_event ORDER BY id", -1,
                       &st, NULL);
    for (int i = 0; i < bc->nevents && sqlite3_step(st) == SQLITE_ROW; i++) {
        ev *e = &bc->events[i];
        e->visit = visit_of_id[sqlite3_column_int(st, 0)];
        e->cat = cat_of((const char *)sqlite3_column_text(st, 1));
        snprintf(e->station, sizeof e->station, "%s", (const char *)sqlite3_column_text(st, 2));
        bc->next_of[i] = bc->nevents;
        if (last[e->visit] >= 0)
            bc->next_of[last[e->visit]] = i;
        last[e->visit] = i;
    }
    sqlite3_finalize(st);
    free(last);
    free(visit_of_id);
    return 0;
}

typedef struct shown {
    int cat;
    char station[32];
} shown;

/* A visit's category at a prefix disagrees with the snapshot. Lists cut at VAX_BOARD_MAX may
 * leave out visits of their category. */
static int mismatch(const shown *sh, const int *cut, int cat, const char *station)
{
    if (sh->cat == CAT_NONE)
        return cat != CAT_NONE && !cut[cat];
    if (sh->cat != cat)
        return 1;
    return (cat == CAT_CALLED_SCR || cat == CAT_CALLED_INJ) && strcmp(sh->station, station) != 0;
}

/* 1 if some commit prefix shows exactly what the snapshot line shows. */
static int snapshot_real(board_check *bc, char *line, char *why, size_t whysize)
{
    shown *sh = calloc((size_t)bc->nvisits + 1, sizeof *sh);
    int cut[CAT_N] = {0}, ok = 0, n, lo = 0, hi = bc->nevents;
    int *cat_now = calloc((size_t)bc->nvisits + 1, sizeof(int));
    const char **st_now = calloc((size_t)bc->nvisits + 1, sizeof(char *));
    char *save = NULL, *tok = strtok_r(line, " \n", &save);
#define NEXT() ((tok = strtok_r(NULL, " \n", &save)) ? atoi(tok) : -1)
    why[0] = 0;
    n = tok ? atoi(tok) : 0;
    cut[CAT_CALLED_SCR] = cut[CAT_CALLED_INJ] = n >= VAX_BOARD_MAX;
    for (int i = 0; i < n; i++) {
        int t = NEXT(), stage = NEXT();
        tok = strtok_r(NULL, " \n", &save);
        if (t <= 0 || t > bc->max_ticket || !bc->ticket_visit[t] || !tok) {
            snprintf(why, whysize, "called ticket %d does not exist", t);
            goto out;
        }
        shown *s = &sh[bc->ticket_visit[t] - 1];
        if (s->cat != CAT_NONE) {
            snprintf(why, whysize, "ticket %d is called twice", t);
            goto out;
        }
        s->cat = stage == VAX_STAGE_INJECTION ? CAT_CALLED_INJ : CAT_CALLED_SCR;
        snprintf(s->station, sizeof s->station, "%s", tok);
    }
    for (int c = CAT_WAIT_SCR; c <= CAT_OBS; c++) {
        n = NEXT();
        cut[c] = n >= VAX_BOARD_MAX;
        for (int i = 0; i < n; i++) {
            int t = NEXT();
            if (t <= 0 || t > bc->max_ticket || !bc->ticket_visit[t]) {
                snprintf(why, whysize, "ticket %d does not exist", t);
                goto out;
            }
            if (sh[bc->ticket_visit[t] - 1].cat != CAT_NONE) {
                snprintf(why, whysize, "ticket %d is shown twice", t);
                goto out;
            }
            sh[bc->ticket_visit[t] - 1].cat = c;
        }
    }
#undef NEXT
    /* each shown visit bounds the prefix: after the event that put it there, before its next */
    for (int i = 0; i < bc->nevents; i++) {
        ev *e = &bc->events[i];
        if (sh[e->visit].cat != CAT_NONE && !mismatch(&sh[e->visit], cut, e->cat, e->station)) {
            if (i + 1 > lo)
                lo = i + 1;
            if (bc->next_of[i] < hi)
                hi = bc->next_of[i];
        }
    }
    if (lo > hi) {
        snprintf(why, whysize, "no commit shows these visits together (prefix %d..%d)", lo, hi);
        goto out;
    }
    int bad_count = 0;
    for (int i = 0; i < lo; i++) {
        cat_now[bc->events[i].visit] = bc->events[i].cat;
        st_now[bc->events[i].visit] = bc->events[i].station;
    }
    for (int v = 0; v < bc->nvisits; v++)
        bad_count += mismatch(&sh[v], cut, cat_now[v], st_now[v] ? st_now[v] : "");
    for (int p = lo;; p++) {
        if (bad_count == 0) {
            ok = 1;
            break;
        }
        if (p >= hi)
            break;
        ev *e = &bc->events[p];
        bad_count -= mismatch(&sh[e->visit], cut, cat_now[e->visit],
                              st_now[e->visit] ? st_now[e->visit] : "");
        cat_now[e->visit] = e->cat;
        st_now[e->visit] = e->station;
        bad_count += mismatch(&sh[e->visit], cut, e->cat, e->station);
    }
    if (!ok)
        snprintf(why, whysize, "no commit between events %d and %d shows this board", lo, hi);
out:
    free(sh);
    free(cat_now);
    free(st_now);
    return ok;
}

static int mode_concurrency(void)
{
    enum { STATIONS = 8, BOARDS = 2 };
    static const int roles[STATIONS] = {ROLE_CHECKIN,   ROLE_CHECKIN,    ROLE_SCREENING,
                                        ROLE_SCREENING, ROLE_INJECTION,  ROLE_INJECTION,
                                        ROLE_INJECTION, ROLE_OBSERVATION};
    pid_t pids[STATIONS + BOARDS];
    char why[600] = "";
    inv_stats st;
    if (site_setup())
        return 1;
    double deadline = now_s() + opt.seconds;
    for (int i = 0; i < STATIONS; i++)
        pids[i] = spawn(i, roles[i], deadline);
    for (int i = 0; i < BOARDS; i++) {
        fflush(stdout);
        if ((pids[STATIONS + i] = fork()) == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            board_main(STATIONS + i, deadline);
        }
    }
    int died = 0;
    for (int i = 0; i < STATIONS + BOARDS; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            died++;
            diag("process %d ended with status %d", i, status);
        }
    }
    long busy = 0, errors = 0, ops = 0, snaps = 0, doses = 0;
    for (int i = 0; i < STATIONS + BOARDS; i++) {
        busy += shared[i].busy;
        errors += shared[i].errors;
        ops += shared[i].ok_ops;
        snaps += shared[i].snapshots;
        doses += shared[i].doses;
    }
    report_procs(STATIONS + BOARDS);
    diag(
        "%d s at %dx a real site's pace: %ld calls returned VAX_OK, %ld doses, %ld board snapshots",
        opt.seconds, opt.pace, ops, doses, snaps);
    tap(died == 0, "8 stations and 2 boards ran to the end (%d did not)", died);
    tap(busy == 0, "no \"database is locked\" (VAX_EBUSY) reached a station or board: %ld", busy);
    tap(errors == 0, "no other unexpected error: %ld", errors);
    int nbad = check_invariants(db_path, -1, 1, &st, why, sizeof why);
    tap(nbad == 0, "invariants hold at the end (%ld visits, %ld doses, %ld certificates)%s%s",
        st.visits, st.doses, st.certs, nbad ? ": " : "", why);

    sqlite3 *s;
    check_ctx c = {0};
    sqlite3_open_v2(db_path, &c.s, SQLITE_OPEN_READONLY, NULL);
    s = c.s;
    int64_t dup_tickets = q_int(&c, "SELECT count(*) FROM (SELECT 1 FROM visit GROUP BY day, ticket"
                                    " HAVING count(*) > 1)");
    int64_t called_twice =
        q_int(&c, "SELECT count(*) FROM (SELECT 1 FROM visit_event WHERE to_state IN"
                  " ('screening', 'injection') GROUP BY visit_id, to_state HAVING count(*) > 1)");
    int64_t calls = q_int(&c, "SELECT count(*) FROM visit_event WHERE to_state IN"
                              " ('screening', 'injection')");
    tap(dup_tickets == 0 && st.visits > 0, "no duplicate ticket among %ld visits (%lld)", st.visits,
        (long long)dup_tickets);
    tap(called_twice == 0 && calls > 0, "no person called twice to a stage in %lld calls (%lld)",
        (long long)calls, (long long)called_twice);

    board_check bc = {0};
    load_events(&bc, s);
    long checked = 0, unreal = 0;
    int doses_back = 0;
    for (int i = 0; i < BOARDS; i++) {
        char path[700], why2[300];
        snprintf(path, sizeof path, "%s/board-%d.log", opt.dir, STATIONS + i);
        FILE *f = fopen(path, "r");
        char *line = NULL;
        size_t cap = 0;
        long last_doses = 0;
        while (f && getline(&line, &cap, f) > 0) {
            char *end = strrchr(line, ' ');
            long d = end ? atol(end + 1) : 0;
            if (d < last_doses)
                doses_back++;
            last_doses = d;
            checked++;
            if (!snapshot_real(&bc, line, why2, sizeof why2) && !unreal++)
                diag("board %d snapshot %ld: %s", i, checked, why2);
        }
        free(line);
        if (f)
            fclose(f);
    }
    free(bc.ticket_visit);
    free(bc.events);
    free(bc.next_of);
    sqlite3_close(s);
    tap(unreal == 0 && checked > 0,
        "every board snapshot (%ld) shows a state that existed: some commit of the event log "
        "has exactly those calls, waiting lists and observation list (%ld did not)",
        checked, unreal);
    tap(doses_back == 0, "the board's dose count never goes back (%d)", doses_back);
    return 0;
}

/* ---- main -------------------------------------------------------------------------------------
 */

static int usage(void)
{
    fprintf(stderr, "usage: crash kill|power|concurrency|check [--kills N] [--workers N]"
                    " [--check-every N] [--copies N] [--seconds N] [--pace N] [--seed N]"
                    " [--dir D] [--keep]\n");
    return 2;
}

static void remove_tree(const char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "crash: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    opt.mode = argv[1];
    opt.seed = (unsigned)time(NULL);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--keep")) {
            opt.keep = 1;
            continue;
        }
        if (!v)
            return usage();
        i++;
        if (!strcmp(a, "--kills"))
            opt.kills = atoi(v);
        else if (!strcmp(a, "--workers"))
            opt.workers = atoi(v);
        else if (!strcmp(a, "--copies"))
            opt.copies = atoi(v);
        else if (!strcmp(a, "--seconds"))
            opt.seconds = atoi(v);
        else if (!strcmp(a, "--check-every"))
            opt.check_every = atoi(v);
        else if (!strcmp(a, "--pace"))
            opt.pace = atoi(v);
        else if (!strcmp(a, "--seed"))
            opt.seed = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--dir"))
            snprintf(opt.dir, sizeof opt.dir, "%s", v);
        else
            return usage();
    }
    if (opt.workers < 1 || opt.workers > MAX_PROCS - 2 || opt.pace < 1 || opt.seconds < 1 ||
        opt.check_every < 1)
        return usage();
    rng_state ^= opt.seed;
    if (!getenv("TZ"))
        setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    if (!opt.dir[0]) {
        snprintf(opt.dir, sizeof opt.dir, "/tmp/vaxsite-crash.XXXXXX");
        if (!mkdtemp(opt.dir))
            return 1;
    } else {
        mkdir(opt.dir, 0700);
    }
    snprintf(db_path, sizeof db_path, "%s/site.db", opt.dir);
    snprintf(keys_dir, sizeof keys_dir, "%s/keys", opt.dir);
    snprintf(ack_path, sizeof ack_path, "%s/acknowledged-doses.log", opt.dir);
    shared = mmap(NULL, sizeof *shared * MAX_PROCS, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return 1;
    memset(shared, 0, sizeof *shared * MAX_PROCS);
    printf("# crash %s: seed %u, files in %s\n", opt.mode, opt.seed, opt.dir);
    int rc;
    if (!strcmp(opt.mode, "kill"))
        rc = mode_kill();
    else if (!strcmp(opt.mode, "power"))
        rc = mode_power();
    else if (!strcmp(opt.mode, "concurrency"))
        rc = mode_concurrency();
    else if (!strcmp(opt.mode, "check")) {
        /* the invariants on a kept run's files (--dir), e.g. after editing them by hand */
        char why[600];
        inv_stats st;
        int nbad = check_invariants(db_path, -1, 1, &st, why, sizeof why);
        tap(nbad == 0, "invariants hold in %s (%ld visits, %ld doses)%s%s", db_path, st.visits,
            st.doses, nbad ? ": " : "", why);
        opt.keep = 1;
        rc = 0;
    } else
        return usage();
    printf("1..%d\n", tap_n);
    if (!opt.keep && tap_failed == 0 && rc == 0)
        remove_tree(opt.dir);
    else
        printf("# files kept in %s\n", opt.dir);
    return rc || tap_failed ? 1 : 0;
}
