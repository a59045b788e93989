/* sim.c: a site's day simulated through the real core on a scratch copy of the site's file.
 *
 * Why through the core and not a model of it: the figures a manager plans with must come from the
 * rules the stations obey (call-next's policy with its starvation boost, the screening outcome,
 * the vial that expires, the dose that needs an open vial), so a change to any of them shows in
 * the simulated day without anyone keeping a second copy in step.
 *
 * How: a discrete-event loop. Each event sets the test clock to its instant and calls what a
 * station would call at that instant (vax_queue_checkin, vax_queue_call_next,
 * vax_screening_confirm, vax_stock_open_vial, vax_dose_give, vax_observe_release); the loop only
 * decides when people arrive, how long each desk takes and who gives up. The random draws come
 * from one generator seeded by the caller, taken in event order, so a seed gives the same day.
 * The scratch copy runs with synchronous=NORMAL (in WAL mode a commit is then not synced, a
 * checkpoint is): it is thrown away, and a day of 1,000 people is several thousand commits. The
 * site's own file keeps its setting; the result says what both were.
 */
#include "internal.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void vax_sim_defaults(vax_sim_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 1;
    vax_strlcpy(p->opens, "07:30", sizeof p->opens);
    vax_strlcpy(p->closes, "16:30", sizeof p->closes);
    p->slot_minutes = 30;
    p->capacity = 50;
    p->checkin_desks = 2;
    p->screening_desks = 4;
    p->injection_rooms = 4;
    /* assumed, not measured at a site yet: override them from a real day's report */
    p->no_show_pct = 10;
    p->walkin_pct = 5;
    p->defer_pct = 4;
    p->early_pct = 30;
    p->late_pct = 15;
    p->checkin_tenths = 15;
    p->screening_tenths = 40;
    p->injection_tenths = 25;
    p->service_cv_pct = 50;
    p->patience_min = 240;
    p->policy = VAX_SIM_PLAIN;
    p->late_min = 60;
    p->standby_people = 40;
    p->standby_accept_pct = 60;
    p->grace_min = 30;
    p->crowd_limit = 50;
}

void vax_sim_result_free(vax_sim_result *r)
{
    if (!r)
        return;
    free(r->crowd);
    free(r->observing);
    free(r);
}

/* ---- randomness: splitmix64, so a seed is the whole state -------------------------------- */

static uint64_t rnd_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rnd_unit(uint64_t *s) /* in (0, 1) */
{
    return ((double)(rnd_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static int rnd_pct(uint64_t *s, int pct)
{
    return rnd_unit(s) * 100.0 < pct;
}

/* A service time in seconds: lognormal with the mean and coefficient of variation given, so it is
 * never negative and has the long right tail desks show (the one person with many questions). */
static int64_t rnd_service(uint64_t *s, int mean_tenths, int cv_pct)
{
    /* no spread: the mean itself, to the second, as a day worked out by hand takes it
     * (exp(log(m)) may come out a hair below m and be cut to m - 1) */
    if (cv_pct == 0)
        return mean_tenths * 6 < 10 ? 10 : (int64_t)mean_tenths * 6;
    double mean = mean_tenths * 6.0, cv = cv_pct / 100.0;
    double s2 = log(1.0 + cv * cv), mu = log(mean) - s2 / 2.0;
    double u1 = rnd_unit(s), u2 = rnd_unit(s);
    double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    double v = exp(mu + sqrt(s2) * z);
    return v < 10 ? 10 : (int64_t)v;
}

static int64_t rnd_exp(uint64_t *s, double mean)
{
    return (int64_t)(-log(rnd_unit(s)) * mean);
}

/* ---- the people of the day --------------------------------------------------------------- */

enum { KIND_BOOKED, KIND_WALKIN, KIND_STANDBY };
enum {
    P_HOME,
    P_LINE,
    P_WAIT_SCREEN,
    P_SCREENING,
    P_WAIT_INJECT,
    P_INJECTING,
    P_OBSERVING,
    P_DONE,
    P_DEFERRED,
    P_LEFT,
    P_FAILED,
    P_NO_SHOW
};

struct person {
    int64_t person_id, visit_id;
    int64_t slot_start, slot_end;
    int kind, state, defer;
    int64_t since;  /* when the current wait began */
    int64_t waited; /* the waits of the stages so far, summed */
    int64_t patience;
};

enum { EV_ARRIVE, EV_CHECKIN_DONE, EV_SCREEN_DONE, EV_INJECT_DONE, EV_RELEASE, EV_RENEGE, EV_TICK };

struct event {
    int64_t t;
    uint32_t seq;
    int kind, who, desk;
};

struct desk {
    char name[32];
    int stage, busy, who, served;
    int64_t busy_s;
    int64_t vial_id, vial_expires; /* injection rooms: the vial in use */
    int vial_left;
};

struct waits {
    int *v, n, cap;
};

struct sim {
    vax_db *db, *site;
    const vax_sim_params *p;
    vax_sim_result *r;
    uint64_t rng, rng_standby; /* the standby list's own stream: both policies see one day */
    struct person *people;
    int npeople, cappeople;
    struct event *heap;
    int nheap, capheap;
    uint32_t seq;
    struct desk desks[VAX_SIM_MAX_DESKS];
    int ndesks;
    int *line; /* the check-in line, first come first served */
    int line_head, line_tail;
    int64_t *visit_owner; /* visit id - visit_base -> person index + 1 */
    int64_t visit_base;
    int nvisit_owner;
    int n_line, n_wait_screen, n_screening, n_wait_inject, n_injecting, n_observing;
    int standby_next, standby_first, standby_pending;
    int64_t opens, closes, now;
    struct waits waits[VAX_SIM_STAGES], whole;
    vax_checklist *form;
    int dpv, open_vial_min;
    char scratch_dir[4096];
    uint32_t id_serial;
};

static int sim_fail(struct sim *s, const char *what)
{
    /* the scratch handle's words, on the site's handle where the caller reads them */
    return vax_fail(s->site, VAX_EINTERNAL, NULL, _("Simulation: %s: %s"), what, vax_errmsg(s->db));
}

static int push_event(struct sim *s, int64_t t, int kind, int who, int desk)
{
    if (s->nheap == s->capheap) {
        int cap = s->capheap ? s->capheap * 2 : 1024;
        struct event *h = realloc(s->heap, (size_t)cap * sizeof *h);
        if (!h)
            return VAX_ENOMEM;
        s->heap = h;
        s->capheap = cap;
    }
    struct event e = {t, s->seq++, kind, who, desk};
    int i = s->nheap++;
    while (i > 0) {
        int up = (i - 1) / 2;
        struct event *u = &s->heap[up];
        if (u->t < e.t || (u->t == e.t && u->seq < e.seq))
            break;
        s->heap[i] = *u;
        i = up;
    }
    s->heap[i] = e;
    return VAX_OK;
}

static struct event pop_event(struct sim *s)
{
    struct event top = s->heap[0], last = s->heap[--s->nheap];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap &&
            (s->heap[c + 1].t < s->heap[c].t ||
             (s->heap[c + 1].t == s->heap[c].t && s->heap[c + 1].seq < s->heap[c].seq)))
            c++;
        if (last.t < s->heap[c].t || (last.t == s->heap[c].t && last.seq < s->heap[c].seq))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->nheap)
        s->heap[i] = last;
    return top;
}

static int wait_add(struct waits *w, int64_t secs)
{
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 256;
        int *v = realloc(w->v, (size_t)cap * sizeof *v);
        if (!v)
            return VAX_ENOMEM;
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = (int)(secs > 0 ? secs : 0);
    return VAX_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Median, p90 and max by nearest rank, as the daily report counts them. */
static void wait_summary(struct waits *w, vax_report_wait *out)
{
    memset(out, 0, sizeof *out);
    out->n = w->n;
    if (!w->n)
        return;
    qsort(w->v, (size_t)w->n, sizeof *w->v, cmp_int);
    out->median_s = w->v[(w->n * 50 + 99) / 100 - 1];
    out->p90_s = w->v[(w->n * 90 + 99) / 100 - 1];
    out->max_s = w->v[w->n - 1];
}

/* ---- the crowd, minute by minute ----------------------------------------------------------- */

static int waiting_now(const struct sim *s)
{
    return s->n_line + s->n_wait_screen + s->n_wait_inject;
}

static int grow_series(struct sim *s, int minute)
{
    vax_sim_result *r = s->r;
    if (minute < r->minutes)
        return VAX_OK;
    int n = minute + 120;
    int *c = realloc(r->crowd, (size_t)n * sizeof *c);
    if (!c)
        return VAX_ENOMEM;
    r->crowd = c;
    int *o = realloc(r->observing, (size_t)n * sizeof *o);
    if (!o)
        return VAX_ENOMEM;
    r->observing = o;
    for (int i = r->minutes; i < n; i++)
        r->crowd[i] = r->observing[i] = 0;
    r->minutes = n;
    return VAX_OK;
}

/* The levels that held from s->now until `until`: everything of the instant s->now has been
 * done, so they are what the waiting area and the observation room showed over that stretch. A
 * minute holds the most seen at once over any stretch of time within it. The levels in between
 * two moves of one instant are never counted: a person who leaves screening and is called into
 * an idle room in the same second did not wait, and one who sits down at 08:01:00 was not
 * waiting in the minute 08:01. */
static int hold_levels(struct sim *s, int64_t until)
{
    vax_sim_result *r = s->r;
    int w = waiting_now(s), rc;
    if (until <= s->now)
        return VAX_OK;
    int first = (int)((s->now - s->opens) / 60), last = (int)((until - 1 - s->opens) / 60);
    if ((rc = grow_series(s, last)) != VAX_OK)
        return rc;
    for (int m = first; m <= last; m++) {
        if (w > r->crowd[m])
            r->crowd[m] = w;
        if (s->n_observing > r->observing[m])
            r->observing[m] = s->n_observing;
    }
    if (w > r->crowd_max) {
        r->crowd_max = w;
        r->crowd_max_at = s->now;
    }
    return VAX_OK;
}

/* ---- setting up the scratch copy ------------------------------------------------------------ */

/* PRAGMA synchronous by its name, as the connection has it now */
static void read_synchronous(vax_db *db, char *out, size_t size)
{
    static const char *const names[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db->sql, "PRAGMA synchronous", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    vax_strlcpy(out, v >= 0 && v < 4 ? names[v] : "?", size);
}

static int copy_to_scratch(struct sim *s)
{
    const char *tmp = getenv("TMPDIR");
    char *sql;
    int rc;
    snprintf(s->scratch_dir, sizeof s->scratch_dir, "%s/vaxsim.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->scratch_dir))
        return vax_fail(s->site, VAX_EIO, NULL, "%s",
                        _("Simulation: cannot make a folder for the scratch copy."));
    snprintf(s->r->scratch, sizeof s->r->scratch, "%s/scratch.db", s->scratch_dir);
    /* VACUUM INTO reads one consistent snapshot even while stations write to the site's file */
    sql = sqlite3_mprintf("VACUUM INTO %Q", s->r->scratch);
    if (!sql)
        return VAX_ENOMEM;
    rc = sqlite3_exec(s->site->sql, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return vax_fail_sql(s->site, rc, _("copying the site's file for the simulation"));
    if ((rc = vax_open(s->r->scratch, 0, &s->db)) != VAX_OK) {
        int code = vax_fail(s->site, rc, NULL, _("Simulation: %s"), vax_errmsg(s->db));
        vax_close(s->db);
        s->db = NULL;
        return code;
    }
    if (sqlite3_exec(s->db->sql, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK)
        return sim_fail(s, _("copying the site's file for the simulation"));
    read_synchronous(s->db, s->r->sync_scratch, sizeof s->r->sync_scratch);
    read_synchronous(s->site, s->r->sync_site, sizeof s->r->sync_site);
    if ((rc = vax_staff_act_as_os_user(s->db, "simulator")) != VAX_OK)
        return sim_fail(s, _("acting on the scratch copy"));
    return VAX_OK;
}

static void remove_scratch(struct sim *s)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[4300];
    if (!s->scratch_dir[0])
        return;
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", s->r->scratch, suffix[i]);
        unlink(p);
    }
    /* the signing keys folder a copy may get beside it */
    snprintf(p, sizeof p, "%s.keys", s->r->scratch);
    rmdir(p);
    rmdir(s->scratch_dir);
}

static int64_t at_local(const char *day, const char *hhmm)
{
    char buf[32];
    int64_t t = 0;
    snprintf(buf, sizeof buf, "%.10sT%.5s", day, hhmm);
    return vax_parse_time(buf, &t) == VAX_OK ? t : 0;
}

static int add_person(struct sim *s, int kind, int64_t slot_start, int64_t slot_end,
                      int64_t person_id)
{
    if (s->npeople == s->cappeople) {
        int cap = s->cappeople ? s->cappeople * 2 : 1024;
        struct person *p = realloc(s->people, (size_t)cap * sizeof *p);
        if (!p)
            return VAX_ENOMEM;
        s->people = p;
        s->cappeople = cap;
    }
    struct person *p = &s->people[s->npeople++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->person_id = person_id;
    p->slot_start = slot_start;
    p->slot_end = slot_end;
    p->state = P_HOME;
    return VAX_OK;
}

/* Registers a made-up adult on the scratch copy, as the desk registers a walk-in. Ages as at the
 * demo site: 18 to 67, a quarter of them older. */
static int made_up_person(struct sim *s, uint64_t *rng, int64_t *id)
{
    vax_person p;
    const char *today = s->p->day;
    for (int tries = 0; tries < 50; tries++) {
        int age = 18 + (int)(rnd_next(rng) % 50);
        if (rnd_next(rng) % 4 == 0)
            age += (int)(rnd_next(rng) % 23);
        int year = atoi(today) - age - 1, male = (int)(rnd_next(rng) % 2);
        memset(&p, 0, sizeof p);
        /* names take no digits: the serial spelled in ten given names */
        static const char *const w[] = {"An", "Bình",  "Chi", "Dũng", "Giang",
                                        "Hà", "Khánh", "Lan", "Minh", "Nam"};
        unsigned k = s->id_serial;
        snprintf(p.full_name, sizeof p.full_name, "Mô Phỏng %s %s %s %s", w[k / 1000 % 10],
                 w[k / 100 % 10], w[k / 10 % 10], w[k % 10]);
        /* one draw per statement: the order of arguments' evaluation is not the language's */
        int month = 1 + (int)(rnd_next(rng) % 12);
        int mday = 1 + (int)(rnd_next(rng) % 28);
        char tmp[48];
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", year, month, mday);
        vax_strlcpy(p.birth_date, tmp, sizeof p.birth_date);
        p.sex = male ? 'm' : 'f';
        snprintf(tmp, sizeof tmp, "096%d%02d%06u", (year >= 2000 ? 2 : 0) + !male, year % 100,
                 s->id_serial % 1000000u);
        vax_strlcpy(p.national_id, tmp, sizeof p.national_id);
        s->id_serial++;
        if (age >= 65)
            vax_strlcpy(p.priority_group, "G05", sizeof p.priority_group);
        int rc = vax_person_add(s->db, &p);
        if (rc == VAX_EEXIST)
            continue;
        if (rc != VAX_OK)
            return sim_fail(s, _("registering a simulated person"));
        *id = p.id;
        return VAX_OK;
    }
    return sim_fail(s, _("registering a simulated person"));
}

/* The day on the scratch copy: the site's own plan and bookings, or a plan and made-up bookings
 * when asked for (p->people) or when the site has not planned the day. */
static int prepare_day(struct sim *s, vax_site_day *d)
{
    const vax_sim_params *p = s->p;
    int rc;
    rc = vax_day_get(s->db, p->day, d);
    if (rc == VAX_ENOTFOUND) {
        memset(d, 0, sizeof *d);
        vax_strlcpy(d->day, p->day, sizeof d->day);
        vax_strlcpy(d->opens, p->opens, sizeof d->opens);
        vax_strlcpy(d->closes, p->closes, sizeof d->closes);
        d->slot_minutes = p->slot_minutes;
        d->capacity = p->capacity;
        d->risk = VAX_RISK_LOW;
        vax_strlcpy(d->products, p->product, sizeof d->products);
        /* planned the day before, as a manager would */
        vax_clock_set(at_local(p->day, "00:00") - 12 * 3600);
        if ((rc = vax_day_plan(s->db, d)) != VAX_OK)
            return vax_fail(s->site, rc, vax_errfield(s->db), _("Simulation: %s"),
                            vax_errmsg(s->db));
        if ((rc = vax_day_get(s->db, p->day, d)) != VAX_OK)
            return sim_fail(s, _("reading the day"));
    } else if (rc != VAX_OK) {
        return sim_fail(s, _("reading the day"));
    }
    sqlite3_stmt *st = vax_stmt(s->db, "SELECT count(*) FROM visit WHERE day = ?1");
    if (!st)
        return sim_fail(s, _("reading the day"));
    sqlite3_bind_text(st, 1, p->day, -1, SQLITE_TRANSIENT);
    int visits = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    if (visits != 0)
        return vax_fail(s->site, VAX_ESTATE, "day",
                        _("Simulation: %s already has visits; simulate a day still to come."),
                        p->day);
    vax_clock_set(at_local(p->day, "00:00") - 12 * 3600);
    if (p->people > 0) {
        vax_book_req *reqs = calloc((size_t)p->people, sizeof *reqs);
        int booked = 0;
        if (!reqs)
            return VAX_ENOMEM;
        for (int i = 0; i < p->people; i++) {
            if ((rc = made_up_person(s, &s->rng, &reqs[i].person_id)) != VAX_OK) {
                free(reqs);
                return rc;
            }
        }
        rc = vax_slot_fill(s->db, p->day, p->day, NULL, reqs, p->people, &booked);
        free(reqs);
        if (rc != VAX_OK)
            return vax_fail(s->site, rc, vax_errfield(s->db), _("Simulation: %s"),
                            vax_errmsg(s->db));
    }
    return VAX_OK;
}

static int pick_product(struct sim *s, const vax_site_day *d)
{
    vax_product pr;
    char code[16] = "";
    if (s->p->product[0])
        vax_strlcpy(code, s->p->product, sizeof code);
    else if (d->products[0])
        sscanf(d->products, "%15s", code);
    else
        vax_strlcpy(code, "AZ", sizeof code);
    if (vax_product_get(s->db, code, &pr) != VAX_OK)
        return vax_fail(s->site, VAX_EINVAL, "product", _("Simulation: no product \"%s\"."), code);
    vax_strlcpy(s->r->product, pr.code, sizeof s->r->product);
    s->dpv = pr.doses_per_vial;
    s->open_vial_min = pr.open_vial_minutes;
    return VAX_OK;
}

/* Enough of the product in stock for everyone who might come: a site short of vaccine is another
 * question than the one the simulator answers. What it added is reported. */
static int ensure_stock(struct sim *s, int need)
{
    vax_lot lots[128];
    int n = 0, have = 0, rc;
    if ((rc = vax_stock_lots(s->db, 1, lots, 128, &n)) != VAX_OK)
        return sim_fail(s, _("reading the stock"));
    for (int i = 0; i < n; i++)
        if (!strcmp(lots[i].product, s->r->product))
            have += (lots[i].vials_received - lots[i].vials_opened) * lots[i].doses_per_vial;
    if (have >= need)
        return VAX_OK;
    char expiry[11], lot_no[32];
    int64_t d;
    if (vax_date_to_days(s->p->day, &d) != VAX_OK)
        return VAX_EINVAL;
    vax_days_to_date(d + 60, expiry);
    snprintf(lot_no, sizeof lot_no, "SIM-%s", s->r->product);
    int vials = (need - have) / s->dpv + 2;
    vax_lot_in in = {s->r->product, lot_no, expiry, vials, 0, VAX_DPV_CATALOGUE, 0, "simulation"};
    if ((rc = vax_stock_receive(s->db, &in, NULL)) != VAX_OK)
        return sim_fail(s, _("receiving the simulated lot"));
    s->r->stock_added = vials * s->dpv;
    return VAX_OK;
}

static int setup_people(struct sim *s, const vax_site_day *d)
{
    const vax_sim_params *p = s->p;
    vax_appt *appts = NULL;
    int n = 0, rc, max = 20000;
    if (!(appts = malloc((size_t)max * sizeof *appts)))
        return VAX_ENOMEM;
    rc = vax_appt_list(s->db, p->day, VAX_APPT_BOOKED, appts, max, &n);
    for (int i = 0; rc == VAX_OK && i < n; i++)
        rc = add_person(s, KIND_BOOKED, appts[i].starts_at, appts[i].ends_at, appts[i].person_id);
    free(appts);
    if (rc != VAX_OK)
        return rc == VAX_ENOMEM ? rc : sim_fail(s, _("reading the bookings"));
    s->r->booked = n;
    /* arrivals of the booked: some early, most within their slot, some late, some never */
    for (int i = 0; i < n; i++) {
        struct person *q = &s->people[i];
        int64_t len = q->slot_end - q->slot_start, t;
        if (rnd_pct(&s->rng, p->no_show_pct)) {
            q->state = P_NO_SHOW;
            continue;
        }
        double u = rnd_unit(&s->rng) * 100.0;
        if (p->punctual)
            t = q->slot_start;
        else if (u < p->early_pct)
            t = q->slot_start - (int64_t)(rnd_unit(&s->rng) * 1800);
        else if (u < p->early_pct + p->late_pct)
            t = q->slot_end + (int64_t)(rnd_unit(&s->rng) * 2700);
        else
            t = q->slot_start + (int64_t)(rnd_unit(&s->rng) * (double)len);
        if (t < s->opens - 1800)
            t = s->opens - 1800;
        if ((rc = push_event(s, t, EV_ARRIVE, i, -1)) != VAX_OK)
            return rc;
    }
    /* walk-ins through the day, none in the last half hour */
    int walkins = (n * p->walkin_pct + 50) / 100;
    int64_t span = s->closes - 1800 - s->opens;
    for (int i = 0; i < walkins && span > 0; i++) {
        int64_t id, t = s->opens + (int64_t)(rnd_unit(&s->rng) * (double)span);
        if ((rc = made_up_person(s, &s->rng, &id)) != VAX_OK ||
            (rc = add_person(s, KIND_WALKIN, 0, 0, id)) != VAX_OK)
            return rc;
        if ((rc = push_event(s, t, EV_ARRIVE, s->npeople - 1, -1)) != VAX_OK)
            return rc;
    }
    s->r->walk_ins = walkins;
    /* whether screening defers someone, and how long they will wait, are theirs from the start */
    for (int i = 0; i < s->npeople; i++) {
        s->people[i].defer = rnd_pct(&s->rng, p->defer_pct);
        s->people[i].patience = 600 + rnd_exp(&s->rng, p->patience_min * 60.0);
    }
    /* the standby list: registered, due, living nearby; phoned only by the vial-aware policy */
    s->standby_first = s->standby_next = s->npeople;
    for (int i = 0; p->policy == VAX_SIM_VIAL && i < p->standby_people; i++) {
        int64_t id;
        if ((rc = made_up_person(s, &s->rng_standby, &id)) != VAX_OK ||
            (rc = add_person(s, KIND_STANDBY, 0, 0, id)) != VAX_OK)
            return rc;
        s->people[s->npeople - 1].defer = rnd_pct(&s->rng_standby, p->defer_pct);
        s->people[s->npeople - 1].patience = 600 + rnd_exp(&s->rng_standby, p->patience_min * 60.0);
    }
    return ensure_stock(s, s->npeople + 4 * s->dpv * (p->injection_rooms + 1));
}

/* ---- the stations ---------------------------------------------------------------------------- */

static int set_visit_owner(struct sim *s, int64_t visit_id, int who)
{
    if (!s->nvisit_owner && !s->visit_owner)
        s->visit_base = visit_id;
    int64_t i = visit_id - s->visit_base;
    if (i < 0)
        return VAX_EINTERNAL;
    if (i >= s->nvisit_owner) {
        int n = (int)i + 1024;
        int64_t *v = realloc(s->visit_owner, (size_t)n * sizeof *v);
        if (!v)
            return VAX_ENOMEM;
        for (int k = s->nvisit_owner; k < n; k++)
            v[k] = 0;
        s->visit_owner = v;
        s->nvisit_owner = n;
    }
    s->visit_owner[i] = who + 1;
    return VAX_OK;
}

static int owner_of(struct sim *s, int64_t visit_id)
{
    int64_t i = visit_id - s->visit_base;
    return i >= 0 && i < s->nvisit_owner ? (int)s->visit_owner[i] - 1 : -1;
}

static int service_tenths(const vax_sim_params *p, int stage)
{
    return stage == VAX_SIM_CHECKIN     ? p->checkin_tenths
           : stage == VAX_SIM_SCREENING ? p->screening_tenths
                                        : p->injection_tenths;
}

static void start_service(struct sim *s, struct desk *d, int who, int kind)
{
    int64_t dt = rnd_service(&s->rng, service_tenths(s->p, d->stage), s->p->service_cv_pct);
    d->busy = 1;
    d->who = who;
    d->busy_s += dt;
    push_event(s, s->now + dt, kind, who, (int)(d - s->desks));
}

/* The room's vial, or a new one from the lot that expires first. A vial past its time is thrown
 * away first: its doses count as wasted, as the station's stock screen records them. */
static int room_vial(struct sim *s, struct desk *d)
{
    int rc;
    if (d->vial_id && d->vial_left > 0 && d->vial_expires > s->now)
        return VAX_OK;
    if (d->vial_id && d->vial_left > 0) {
        if ((rc = vax_stock_discard_vial(s->db, d->vial_id, VAX_DISCARD_EXPIRED, NULL)) != VAX_OK)
            return sim_fail(s, _("discarding a vial"));
    }
    vax_lot lots[128];
    int n = 0;
    if ((rc = vax_stock_lots(s->db, 1, lots, 128, &n)) != VAX_OK)
        return sim_fail(s, _("reading the stock"));
    for (int i = 0; i < n; i++) {
        if (strcmp(lots[i].product, s->r->product) ||
            lots[i].vials_opened >= lots[i].vials_received)
            continue;
        if ((rc = vax_stock_open_vial(s->db, lots[i].id, d->name, &d->vial_id)) != VAX_OK)
            return sim_fail(s, _("opening a vial"));
        d->vial_left = lots[i].doses_per_vial;
        d->vial_expires = s->now + (int64_t)s->open_vial_min * 60;
        s->r->vials_opened++;
        s->r->doses_opened += d->vial_left;
        return VAX_OK;
    }
    return vax_fail(s->site, VAX_ESTATE, "stock", "%s",
                    _("Simulation: the stock ran out of the product."));
}

/* Of the booked who come, the share who arrive after `now`: the arrival pattern of setup_people
 * (early up to 30 minutes, within the slot, late up to 45 minutes), each part uniform. */
static double still_to_arrive(const vax_sim_params *p, const struct person *q, int64_t now)
{
    double early = p->early_pct / 100.0, late = p->late_pct / 100.0, on = 1.0 - early - late;
    struct {
        double from, to, mass;
    } part[3] = {{(double)q->slot_start - 1800, (double)q->slot_start, early},
                 {(double)q->slot_start, (double)q->slot_end, on},
                 {(double)q->slot_end, (double)q->slot_end + 2700, late}};
    double r = 0;
    for (int k = 0; k < 3; k++) {
        double len = part[k].to - part[k].from;
        if (now <= part[k].from)
            r += part[k].mass;
        else if (now < part[k].to && len > 0)
            r += part[k].mass * (part[k].to - (double)now) / len;
    }
    return r;
}

/* The people expected to still need a dose before `horizon`: everyone inside who has not been
 * vaccinated, less the usual deferrals; the booked whose slot begins before it and who may still
 * come; the standby people who said yes and are on their way. The site knows who has not come
 * yet, not who never will: the chance that someone not here yet still comes is taken from the
 * usual no-show rate and arrival pattern. */
static double expected_demand(const struct sim *s, int64_t horizon)
{
    const vax_sim_params *p = s->p;
    double keep = 1.0 - p->defer_pct / 100.0, come = 1.0 - p->no_show_pct / 100.0;
    double expect = s->n_wait_inject + s->n_injecting +
                    (s->n_line + s->n_wait_screen + s->n_screening) * keep +
                    s->standby_pending * keep;
    for (int i = 0; i < s->standby_first; i++) {
        const struct person *q = &s->people[i];
        if ((q->state == P_HOME || q->state == P_NO_SHOW) && q->kind == KIND_BOOKED &&
            q->slot_start < horizon) {
            double r = still_to_arrive(p, q, s->now);
            expect += come * r / (come * r + 1.0 - come) * keep;
        }
    }
    return expect;
}

/* The doses other rooms' open vials still hold. */
static int other_rooms_doses(const struct sim *s, const struct desk *d)
{
    int n = 0;
    for (int i = 0; i < s->ndesks; i++) {
        const struct desk *o = &s->desks[i];
        if (o != d && o->stage == VAX_SIM_INJECTION && o->vial_id && o->vial_left > 0 &&
            o->vial_expires > s->now)
            n += o->vial_left;
    }
    return n;
}

static int dispatch(struct sim *s)
{
    int rc;
    for (int i = 0; i < s->ndesks; i++) {
        struct desk *d = &s->desks[i];
        vax_visit v;
        if (d->busy)
            continue;
        if (d->stage == VAX_SIM_CHECKIN && s->line_head < s->line_tail) {
            int who = s->line[s->line_head++];
            s->people[who].waited += s->now - s->people[who].since;
            if ((rc = wait_add(&s->waits[VAX_SIM_CHECKIN], s->now - s->people[who].since)))
                return rc;
            /* still in the line until the desk is done: the waiting area counts them */
            start_service(s, d, who, EV_CHECKIN_DONE);
        } else if (d->stage == VAX_SIM_SCREENING && s->n_wait_screen > 0) {
            rc = vax_queue_call_next(s->db, VAX_STAGE_SCREENING, d->name, &v);
            if (rc == VAX_EEMPTY)
                continue;
            if (rc != VAX_OK)
                return sim_fail(s, _("calling to screening"));
            int who = owner_of(s, v.id);
            if (who < 0)
                return vax_fail(s->site, VAX_EINTERNAL, NULL, "%s",
                                _("Simulation: a visit that no simulated person holds."));
            s->n_wait_screen--;
            s->n_screening++;
            s->people[who].state = P_SCREENING;
            s->people[who].waited += s->now - s->people[who].since;
            if ((rc = wait_add(&s->waits[VAX_SIM_SCREENING], s->now - s->people[who].since)))
                return rc;
            start_service(s, d, who, EV_SCREEN_DONE);
        } else if (d->stage == VAX_SIM_INJECTION && s->n_wait_inject > 0) {
            int has_vial = d->vial_id && d->vial_left > 0 && d->vial_expires > s->now;
            /* late in the session a room without a vial leaves the last people to the rooms
             * whose vials are open, when those hold enough for everyone still expected, rather
             * than open one more that the end of the day throws away */
            if (!has_vial && s->p->policy == VAX_SIM_VIAL &&
                s->now >= s->closes - (int64_t)s->p->late_min * 60) {
                int64_t end = s->closes + (int64_t)s->p->grace_min * 60;
                if (expected_demand(s, end) <= other_rooms_doses(s, d))
                    continue;
            }
            rc = vax_queue_call_next(s->db, VAX_STAGE_INJECTION, d->name, &v);
            if (rc == VAX_EEMPTY)
                continue;
            if (rc != VAX_OK)
                return sim_fail(s, _("calling to injection"));
            int who = owner_of(s, v.id);
            if (who < 0)
                return vax_fail(s->site, VAX_EINTERNAL, NULL, "%s",
                                _("Simulation: a visit that no simulated person holds."));
            s->n_wait_inject--;
            s->n_injecting++;
            s->people[who].state = P_INJECTING;
            s->people[who].waited += s->now - s->people[who].since;
            if ((rc = wait_add(&s->waits[VAX_SIM_INJECTION], s->now - s->people[who].since)) ||
                (rc = wait_add(&s->whole, s->people[who].waited)))
                return rc;
            if ((rc = room_vial(s, d)) != VAX_OK)
                return rc;
            start_service(s, d, who, EV_INJECT_DONE);
        }
    }
    return VAX_OK;
}

static int on_arrive(struct sim *s, int who)
{
    struct person *q = &s->people[who];
    q->state = P_LINE;
    q->since = s->now;
    s->line[s->line_tail++] = who;
    s->n_line++;
    s->r->arrived++;
    if (q->kind == KIND_STANDBY) {
        s->r->standby_came++;
        s->standby_pending--;
    }
    return VAX_OK;
}

static int on_checkin_done(struct sim *s, struct event *e)
{
    struct person *q = &s->people[e->who];
    vax_visit v;
    int ok = vax_queue_checkin(s->db, q->person_id, &v) == VAX_OK, rc;
    s->desks[e->desk].busy = 0;
    s->desks[e->desk].served++;
    s->n_line--;
    if (!ok) {
        /* refused at the desk (already vaccinated today, say): home without a ticket */
        q->state = P_FAILED;
        s->r->failed++;
        return VAX_OK;
    }
    if ((rc = set_visit_owner(s, v.id, e->who)) != VAX_OK)
        return rc;
    q->visit_id = v.id;
    q->state = P_WAIT_SCREEN;
    q->since = s->now;
    s->n_wait_screen++;
    if ((rc = push_event(s, s->now + q->patience, EV_RENEGE, e->who, -1)) != VAX_OK)
        return rc;
    return VAX_OK;
}

static int on_screen_done(struct sim *s, struct event *e)
{
    struct person *q = &s->people[e->who];
    vax_screening_input in;
    vax_screening_decision dec;
    char back[11];
    int64_t d, id;
    s->desks[e->desk].busy = 0;
    s->desks[e->desk].served++;
    vax_screening_input_init(&in);
    in.checklist_id = 0;
    /* a person with nothing to declare and normal readings: the proposal is "eligible" and a
     * deferral is the doctor's decision with a reason, as at the desk */
    if (vax_screening_form(s->db, q->visit_id, s->form) != VAX_OK)
        return sim_fail(s, _("reading the screening form"));
    in.checklist_id = s->form->id;
    memset(in.answers, 'n', (size_t)s->form->nitems);
    for (int i = 0; i < s->form->nvitals; i++)
        if (s->form->vitals[i].has_normal)
            in.vitals[i] = (s->form->vitals[i].normal_lo + s->form->vitals[i].normal_hi) / 2;
    memset(&dec, 0, sizeof dec);
    dec.outcome = q->defer ? VAX_OUTCOME_POSTPONED : VAX_OUTCOME_ELIGIBLE;
    if (q->defer) {
        vax_strlcpy(dec.reason, "simulated deferral", sizeof dec.reason);
        vax_date_to_days(s->p->day, &d);
        vax_days_to_date(d + 7, back);
        vax_strlcpy(dec.return_date, back, sizeof dec.return_date);
    }
    s->n_screening--;
    if (vax_screening_confirm(s->db, q->visit_id, &in, &dec, &id) != VAX_OK) {
        /* a refusal (no vaccine may be given to this person): they go home unvaccinated */
        q->state = P_FAILED;
        s->r->failed++;
        return VAX_OK;
    }
    if (q->defer) {
        q->state = P_DEFERRED;
        s->r->deferred++;
    } else {
        q->state = P_WAIT_INJECT;
        q->since = s->now;
        s->n_wait_inject++;
    }
    return VAX_OK;
}

static int on_inject_done(struct sim *s, struct event *e)
{
    struct person *q = &s->people[e->who];
    struct desk *d = &s->desks[e->desk];
    int minutes = VAX_OBSERVE_MINUTES_DEFAULT, rc;
    d->busy = 0;
    d->served++;
    /* the vial may have passed its time while the person sat down */
    if ((rc = room_vial(s, d)) != VAX_OK)
        return rc;
    vax_dose_in in = {q->visit_id, d->vial_id, e->who % 2 ? VAX_ARM_LEFT : VAX_ARM_RIGHT, 0, NULL,
                      NULL,        0};
    s->n_injecting--;
    if (vax_dose_give(s->db, &in, NULL) != VAX_OK) {
        /* a rule of the dose (interval, mixing) sends them home: back to waiting, then left */
        vax_queue_move(s->db, q->visit_id, VAX_STATE_WAITING_INJECTION, "simulation");
        vax_queue_move(s->db, q->visit_id, VAX_STATE_LEFT, "simulation: dose refused");
        q->state = P_FAILED;
        s->r->failed++;
        return VAX_OK;
    }
    d->vial_left--;
    s->r->doses_drawn++;
    q->state = P_OBSERVING;
    s->n_observing++;
    vax_observe_minutes(s->db, q->visit_id, &minutes);
    vax_clear_error(s->db);
    if ((rc = push_event(s, s->now + (int64_t)minutes * 60, EV_RELEASE, e->who, -1)) != VAX_OK)
        return rc;
    return VAX_OK;
}

static int on_release(struct sim *s, int who)
{
    struct person *q = &s->people[who];
    if (vax_observe_release(s->db, q->visit_id, NULL) != VAX_OK)
        return sim_fail(s, _("releasing after observation"));
    s->n_observing--;
    q->state = P_DONE;
    s->r->vaccinated++;
    if (s->now > s->r->last_out)
        s->r->last_out = s->now;
    return VAX_OK;
}

static int on_renege(struct sim *s, int who)
{
    struct person *q = &s->people[who];
    if (q->state != P_WAIT_SCREEN && q->state != P_WAIT_INJECT)
        return VAX_OK;
    if (vax_queue_move(s->db, q->visit_id, VAX_STATE_LEFT, "simulation: waited too long") != VAX_OK)
        return sim_fail(s, _("recording that someone left"));
    if (q->state == P_WAIT_SCREEN)
        s->n_wait_screen--;
    else
        s->n_wait_inject--;
    q->state = P_LEFT;
    s->r->left++;
    return VAX_OK;
}

/* The vial-aware policy's phone calls, once a minute. A vial is "closing" within late_min of its
 * horizon: its own expiry, or the end of injections (closing time and the grace after it). The
 * doses left in closing vials are compared with the people expected to still need one before
 * that horizon: everyone inside who has not been vaccinated, less the usual deferrals; the booked
 * whose slot begins before it and who may still come; the standby people who said yes and are on
 * their way. Each dose with nobody to take it is a call to the next person on the standby list,
 * while they can still arrive (10 to 30 minutes) before the horizon. */
static int on_tick(struct sim *s)
{
    const vax_sim_params *p = s->p;
    int left = 0, rc;
    int64_t end = s->closes + (int64_t)p->grace_min * 60, horizon = 0;
    for (int i = 0; i < s->ndesks; i++) {
        struct desk *d = &s->desks[i];
        if (d->stage != VAX_SIM_INJECTION || !d->vial_id || d->vial_left <= 0 ||
            d->vial_expires <= s->now)
            continue;
        int64_t h = d->vial_expires < end ? d->vial_expires : end;
        if (s->now < h - (int64_t)p->late_min * 60)
            continue;
        left += d->vial_left;
        if (h > horizon)
            horizon = h;
    }
    if (left > 0) {
        double keep = 1.0 - p->defer_pct / 100.0, expect = expected_demand(s, horizon);
        while (left - expect >= 1.0 && s->standby_next < s->npeople && s->now + 1800 <= horizon) {
            int who = s->standby_next++;
            s->r->standby_called++;
            if (!rnd_pct(&s->rng_standby, p->standby_accept_pct))
                continue;
            s->standby_pending++;
            expect += keep;
            int64_t t = s->now + 600 + (int64_t)(rnd_unit(&s->rng_standby) * 1200);
            if ((rc = push_event(s, t, EV_ARRIVE, who, -1)) != VAX_OK)
                return rc;
        }
    }
    /* ticks stop when nothing more can come: the day's end, or nobody left to phone */
    if (s->now + 60 <= end && s->standby_next < s->npeople)
        return push_event(s, s->now + 60, EV_TICK, -1, -1);
    return VAX_OK;
}

/* ---- the run --------------------------------------------------------------------------------- */

static int add_desks(struct sim *s, int stage, int n, const char *prefix)
{
    for (int i = 0; i < n; i++) {
        if (s->ndesks == VAX_SIM_MAX_DESKS)
            return vax_fail(s->site, VAX_EINVAL, "desks", _("Simulation: at most %d desks."),
                            VAX_SIM_MAX_DESKS);
        struct desk *d = &s->desks[s->ndesks++];
        memset(d, 0, sizeof *d);
        d->stage = stage;
        snprintf(d->name, sizeof d->name, "%s-%d", prefix, i + 1);
    }
    return VAX_OK;
}

static int check_params(vax_db *site, const vax_sim_params *p)
{
    int64_t d;
    if (vax_date_to_days(p->day, &d) != VAX_OK)
        return vax_fail(site, VAX_EINVAL, "day", _("Day: \"%.20s\" is not a date (YYYY-MM-DD)."),
                        p->day);
    if (p->checkin_desks < 1 || p->screening_desks < 1 || p->injection_rooms < 1)
        return vax_fail(site, VAX_EINVAL, "desks", "%s",
                        _("Simulation: at least one check-in desk, screening desk and injection "
                          "room."));
    if (p->checkin_tenths < 1 || p->screening_tenths < 1 || p->injection_tenths < 1 ||
        p->service_cv_pct < 0 || p->service_cv_pct > 300)
        return vax_fail(site, VAX_EINVAL, "service", "%s",
                        _("Simulation: service times above 0 and a spread of 0 to 300 %."));
    if (p->people < 0 || p->people > 20000 || p->no_show_pct < 0 || p->no_show_pct > 100 ||
        p->walkin_pct < 0 || p->walkin_pct > 100 || p->defer_pct < 0 || p->defer_pct > 100 ||
        p->early_pct < 0 || p->late_pct < 0 || p->early_pct + p->late_pct > 100 ||
        p->standby_people < 0 || p->standby_people > 1000 || p->standby_accept_pct < 0 ||
        p->standby_accept_pct > 100 || p->patience_min < 1)
        return vax_fail(site, VAX_EINVAL, "rates", "%s",
                        _("Simulation: a rate outside 0 to 100 %, or too many people."));
    return VAX_OK;
}

static int db_figures(struct sim *s)
{
    sqlite3_stmt *st = vax_stmt(s->db, "SELECT count(*) FROM dose d JOIN visit v"
                                       " ON v.id = d.visit_id WHERE v.day = ?1 AND d.voided = 0");
    int rc;
    if (!st)
        return sim_fail(s, _("reading the doses"));
    sqlite3_bind_text(st, 1, s->p->day, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    s->r->db_doses = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    vax_stock_day sd;
    if (vax_stock_wastage(s->db, s->r->product, s->p->day, &sd) != VAX_OK)
        return sim_fail(s, _("reading the stock"));
    s->r->db_wasted = sd.doses_wasted;
    return VAX_OK;
}

int vax_sim_run(vax_db *site, const vax_sim_params *p, vax_sim_result **out)
{
    struct sim s;
    vax_site_day day;
    int rc;
    *out = NULL;
    vax_clear_error(site);
    if ((rc = check_params(site, p)) != VAX_OK)
        return rc;
    memset(&s, 0, sizeof s);
    s.site = site;
    s.p = p;
    s.rng = p->seed;
    s.rng_standby = p->seed ^ 0x5354414E4442590Aull;
    s.id_serial = 900000;
    if (!(s.r = calloc(1, sizeof *s.r)) || !(s.form = malloc(sizeof *s.form))) {
        rc = VAX_ENOMEM;
        goto out;
    }
    if ((rc = copy_to_scratch(&s)) != VAX_OK)
        goto out;
    if ((rc = prepare_day(&s, &day)) != VAX_OK || (rc = pick_product(&s, &day)) != VAX_OK)
        goto out;
    s.opens = at_local(p->day, day.opens);
    s.closes = at_local(p->day, day.closes);
    s.r->start = s.opens;
    if ((rc = setup_people(&s, &day)) != VAX_OK)
        goto out;
    if (!(s.line = malloc((size_t)(s.npeople + 1) * sizeof *s.line))) {
        rc = VAX_ENOMEM;
        goto out;
    }
    if ((rc = add_desks(&s, VAX_SIM_CHECKIN, p->checkin_desks, "checkin")) != VAX_OK ||
        (rc = add_desks(&s, VAX_SIM_SCREENING, p->screening_desks, "screening")) != VAX_OK ||
        (rc = add_desks(&s, VAX_SIM_INJECTION, p->injection_rooms, "injection")) != VAX_OK)
        goto out;
    if (p->policy == VAX_SIM_VIAL && (rc = push_event(&s, s.opens, EV_TICK, -1, -1)) != VAX_OK)
        goto out;
    /* desks open at opening time: nobody is seen before, whoever came early */
    s.now = s.opens;
    if ((rc = grow_series(&s, 0)) != VAX_OK)
        goto out;
    while (s.nheap > 0) {
        struct event e = pop_event(&s);
        /* a give-up for someone already called changes nothing: it must not stretch the day */
        if (e.kind == EV_RENEGE && s.people[e.who].state != P_WAIT_SCREEN &&
            s.people[e.who].state != P_WAIT_INJECT)
            continue;
        int64_t t = e.t < s.opens ? s.opens : e.t;
        if ((rc = hold_levels(&s, t)) != VAX_OK)
            goto out;
        s.now = t;
        vax_clock_set(s.now);
        switch (e.kind) {
        case EV_ARRIVE:
            rc = on_arrive(&s, e.who);
            break;
        case EV_CHECKIN_DONE:
            rc = on_checkin_done(&s, &e);
            break;
        case EV_SCREEN_DONE:
            rc = on_screen_done(&s, &e);
            break;
        case EV_INJECT_DONE:
            rc = on_inject_done(&s, &e);
            break;
        case EV_RELEASE:
            rc = on_release(&s, e.who);
            break;
        case EV_RENEGE:
            rc = on_renege(&s, e.who);
            break;
        default:
            rc = on_tick(&s);
            break;
        }
        if (rc == VAX_OK)
            rc = dispatch(&s);
        if (rc != VAX_OK)
            goto out;
    }
    /* the end of the day as the site does it: open vials discarded, the booked who never came
     * marked */
    if (s.now < s.closes) {
        if ((rc = hold_levels(&s, s.closes)) != VAX_OK)
            goto out;
        s.now = s.closes;
    }
    vax_clock_set(s.now + 60);
    int vials = 0, wasted = 0, no_shows = 0;
    if (vax_stock_end_of_day(s.db, &vials, &wasted) != VAX_OK) {
        rc = sim_fail(&s, _("discarding the open vials"));
        goto out;
    }
    if (vax_day_close(s.db, p->day, &no_shows) != VAX_OK) {
        rc = sim_fail(&s, _("closing the day"));
        goto out;
    }
    s.r->no_show = no_shows;
    s.r->doses_wasted = s.r->doses_opened - s.r->doses_drawn;
    for (int k = 0; k < VAX_SIM_STAGES; k++)
        wait_summary(&s.waits[k], &s.r->wait[k]);
    wait_summary(&s.whole, &s.r->wait_whole);
    if ((rc = db_figures(&s)) != VAX_OK)
        goto out;
    int span = (int)((s.now - s.opens) / 60) + 1;
    if ((rc = grow_series(&s, span)) != VAX_OK)
        goto out;
    s.r->minutes = span;
    for (int i = 0; i < s.ndesks; i++) {
        vax_sim_desk *d = &s.r->desks[i];
        vax_strlcpy(d->name, s.desks[i].name, sizeof d->name);
        d->served = s.desks[i].served;
        d->busy_s = (int)s.desks[i].busy_s;
        d->idle_s = (int)(s.now - s.opens - s.desks[i].busy_s);
        if (d->idle_s < 0)
            d->idle_s = 0;
    }
    s.r->ndesks = s.ndesks;
    rc = VAX_OK;
out:
    if (s.db)
        vax_close(s.db);
    if (s.r && s.scratch_dir[0] && !p->keep_scratch)
        remove_scratch(&s);
    for (int k = 0; k < VAX_SIM_STAGES; k++)
        free(s.waits[k].v);
    free(s.whole.v);
    free(s.people);
    free(s.heap);
    free(s.line);
    free(s.visit_owner);
    free(s.form);
    if (rc == VAX_OK)
        *out = s.r;
    else
        vax_sim_result_free(s.r);
    return rc;
}

/* ---- the picture ----------------------------------------------------------------------------- */

int vax_sim_png(vax_db *site, const vax_sim_result *r, int crowd_limit, const char *path)
{
    const int w = 1000, h = 480, left = 60, right = 20, top = 40, bottom = 50;
    int top_value = crowd_limit > 0 ? crowd_limit : 1;
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(sf);
    char label[160];
    for (int i = 0; i < r->minutes; i++) {
        if (r->crowd[i] > top_value)
            top_value = r->crowd[i];
        if (r->observing[i] > top_value)
            top_value = r->observing[i];
    }
    top_value = (top_value + 9) / 10 * 10;
    double pw = w - left - right, ph = h - top - bottom;
    double xs = r->minutes > 1 ? pw / (r->minutes - 1) : pw, ys = ph / top_value;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    /* axes, hours and tens of people */
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1);
    for (int v = 0; v <= top_value; v += top_value > 100 ? 50 : 10) {
        double y = top + ph - v * ys;
        cairo_move_to(cr, left, y);
        cairo_line_to(cr, left + pw, y);
        cairo_stroke(cr);
        snprintf(label, sizeof label, "%d", v);
        cairo_move_to(cr, 10, y + 4);
        cairo_show_text(cr, label);
    }
    for (int m = 0; m < r->minutes; m++) {
        int64_t t = r->start + (int64_t)m * 60;
        char hhmm[6];
        vax_local_hhmm(t, hhmm);
        if (strcmp(hhmm + 2, ":00") != 0)
            continue;
        cairo_move_to(cr, left + m * xs, top + ph);
        cairo_line_to(cr, left + m * xs, top + ph + 5);
        cairo_stroke(cr);
        cairo_move_to(cr, left + m * xs - 16, top + ph + 20);
        cairo_show_text(cr, hhmm);
    }
    if (crowd_limit > 0) {
        double dash[] = {6, 4};
        cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, left, top + ph - crowd_limit * ys);
        cairo_line_to(cr, left + pw, top + ph - crowd_limit * ys);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    /* under observation (grey), then the waiting area (blue) on top */
    for (int k = 0; k < 2; k++) {
        const int *v = k ? r->crowd : r->observing;
        if (k)
            cairo_set_source_rgb(cr, 0.1, 0.3, 0.8);
        else
            cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
        cairo_set_line_width(cr, k ? 2 : 1.5);
        for (int m = 0; m < r->minutes; m++) {
            double x = left + m * xs, y = top + ph - v[m] * ys;
            if (m)
                cairo_line_to(cr, x, y);
            else
                cairo_move_to(cr, x, y);
        }
        cairo_stroke(cr);
    }
    cairo_set_font_size(cr, 14);
    cairo_set_source_rgb(cr, 0, 0, 0);
    snprintf(label, sizeof label,
             _("People waiting at once (blue, most %d), under observation (grey)"), r->crowd_max);
    cairo_move_to(cr, left, 24);
    cairo_show_text(cr, label);
    if (crowd_limit > 0) {
        cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
        snprintf(label, sizeof label, _("limit %d"), crowd_limit);
        cairo_move_to(cr, left + pw - 70, top + ph - crowd_limit * ys - 6);
        cairo_show_text(cr, label);
    }
    cairo_destroy(cr);
    cairo_status_t st = cairo_surface_write_to_png(sf, path);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS)
        return vax_fail(site, VAX_EIO, "png", _("PNG: cannot write %s."), path);
    return VAX_OK;
}
