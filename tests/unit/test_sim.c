/* test_sim.c: the simulated day (sim.c) on a small day: its books balance against the scratch
 * copy's rows, a seed gives the same day, a day worked out by hand comes out as worked out, the
 * calls never break the queue's order nor call anyone twice, and the site's own file is never
 * written. */
#include "internal.h"
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY "2021-10-16" /* the day after T0 */

/* A small day kept small for valgrind: 24 booked in four half-hour slots, one desk of each. */
static void small_day(vax_sim_params *p, uint64_t seed)
{
    vax_sim_defaults(p);
    snprintf(p->day, sizeof p->day, "%s", DAY);
    snprintf(p->opens, sizeof p->opens, "08:00");
    snprintf(p->closes, sizeof p->closes, "10:00");
    snprintf(p->product, sizeof p->product, "AZ");
    p->capacity = 6;
    p->people = 24;
    p->seed = seed;
    p->checkin_desks = p->screening_desks = p->injection_rooms = 1;
    p->walkin_pct = 10;
    p->no_show_pct = 15;
    p->defer_pct = 10;
    p->patience_min = 60; /* short, so that someone may give up */
    p->standby_people = 8;
}

/* ---- the calls of a simulated day, checked against the queue's policy -------------------------
 *
 * What "never breaks priority order" means here, from core/queue.c: when a desk of a stage calls,
 * the visit it gets must be the first, among the visits waiting for that stage at that instant,
 * by the keys of the setting queue.order (default urgent, boost, group, age, slot, arrival), then
 * the visit id:
 *   urgent  - urgent first, in the order they were marked (urgent DESC, urgent_at);
 *   boost   - the no-starvation rule: whoever has waited queue.max_wait_min or longer in this
 *             waiting state comes before everyone who has not, the longest waiting first;
 *   group   - group_rank (a priority group before no group);
 *   age     - age_band (older bands first);
 *   slot    - on time or late for a booked slot, then walk-ins, then early for their slot;
 *   arrival - the time they began to wait for this stage.
 * The vial-aware rule allows no exception to that order: it decides whether a room without an
 * open vial calls at all late in the session, never whom (the simulated day has one product, so
 * everyone waiting can receive it), so a held-back room is an idle room, not a skip. "Waiting" and
 * "began to wait" are replayed from the day's visit_event rows in the order the core wrote them
 * (each move sets state_since to the event's time); the keys that do not change during a
 * simulated day (urgent, group_rank, age_band, slot_start) come from the visit rows.
 * "Calls one person twice": a call of a visit that is not waiting for that stage, a second call of
 * one visit to one stage, or two visits of one person called to one stage, is a violation. */

struct call_event {
    int64_t visit, at;
    int from, to; /* vax_state; from -1 for the check-in's first row */
};

struct sim_visit {
    int64_t id, person, urgent_at, slot_start;
    int urgent, group_rank, age_band;
};

struct day_log {
    struct call_event *ev;
    int nev;
    struct sim_visit *v;
    int nv;
    char order[256];
    int64_t max_wait_s;
};

static void day_log_free(struct day_log *l)
{
    free(l->ev);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void load_day(const char *path, struct day_log *l)
{
    vax_db *db = NULL;
    sqlite3_stmt *st = NULL;
    memset(l, 0, sizeof *l);
    assert_int_equal(vax_open(path, VAX_OPEN_READONLY, &db), VAX_OK);
    vax_setting_text(db, "queue.order", l->order, sizeof l->order);
    l->max_wait_s = vax_setting_int(db, "queue.max_wait_min") * 60;
    assert_int_equal(sqlite3_prepare_v2(db->sql,
                                        "SELECT id, person_id, urgent, urgent_at, group_rank,"
                                        " age_band, slot_start FROM visit WHERE day = ?1"
                                        " ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, DAY, -1, SQLITE_STATIC);
    l->v = calloc(4000, sizeof *l->v);
    assert_non_null(l->v);
    while (sqlite3_step(st) == SQLITE_ROW && l->nv < 4000) {
        struct sim_visit *v = &l->v[l->nv++];
        v->id = sqlite3_column_int64(st, 0);
        v->person = sqlite3_column_int64(st, 1);
        v->urgent = sqlite3_column_int(st, 2);
        v->urgent_at = sqlite3_column_int64(st, 3);
        v->group_rank = sqlite3_column_int(st, 4);
        v->age_band = sqlite3_column_int(st, 5);
        v->slot_start = sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
    /* the events in the order the core wrote them (rowid), not by time alone: several happen
     * within one second of the test clock */
    assert_int_equal(sqlite3_prepare_v2(db->sql,
                                        "SELECT e.visit_id, e.at, e.from_state, e.to_state"
                                        " FROM visit_event e JOIN visit v ON v.id = e.visit_id"
                                        " WHERE v.day = ?1 ORDER BY e.id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, DAY, -1, SQLITE_STATIC);
    l->ev = calloc(40000, sizeof *l->ev);
    assert_non_null(l->ev);
    while (sqlite3_step(st) == SQLITE_ROW && l->nev < 40000) {
        struct call_event *e = &l->ev[l->nev++];
        vax_state from, to;
        e->visit = sqlite3_column_int64(st, 0);
        e->at = sqlite3_column_int64(st, 1);
        e->from = sqlite3_column_type(st, 2) == SQLITE_NULL ||
                          vax_state_parse((const char *)sqlite3_column_text(st, 2), &from) != VAX_OK
                      ? -1
                      : (int)from;
        assert_int_equal(vax_state_parse((const char *)sqlite3_column_text(st, 3), &to), VAX_OK);
        e->to = (int)to;
    }
    sqlite3_finalize(st);
    vax_close(db);
}

static int visit_index(const struct day_log *l, int64_t id)
{
    for (int i = 0; i < l->nv; i++)
        if (l->v[i].id == id)
            return i;
    return -1;
}

/* <0 when visit a goes before visit b by the policy at `at` (since[]: when each began to wait) */
static int policy_cmp(const struct day_log *l, const int64_t *since, int a, int b, int64_t at)
{
    char order[256], *save = NULL;
    const struct sim_visit *x = &l->v[a], *y = &l->v[b];
    int64_t cutoff = at - l->max_wait_s;
    snprintf(order, sizeof order, "%s", l->order);
    for (char *t = strtok_r(order, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int64_t kx = 0, ky = 0;
        if (!strcmp(t, "urgent")) {
            if (x->urgent != y->urgent)
                return x->urgent ? -1 : 1;
            kx = x->urgent_at;
            ky = y->urgent_at;
        } else if (!strcmp(t, "boost")) {
            kx = since[a] <= cutoff ? since[a] : INT64_MAX;
            ky = since[b] <= cutoff ? since[b] : INT64_MAX;
        } else if (!strcmp(t, "group")) {
            kx = x->group_rank;
            ky = y->group_rank;
        } else if (!strcmp(t, "age")) {
            kx = x->age_band;
            ky = y->age_band;
        } else if (!strcmp(t, "slot")) {
            kx = !x->slot_start ? 1 : x->slot_start <= at ? 0 : 2;
            ky = !y->slot_start ? 1 : y->slot_start <= at ? 0 : 2;
        } else if (!strcmp(t, "arrival")) {
            kx = since[a];
            ky = since[b];
        } else {
            fail_msg("queue.order key \"%s\" unknown to the checker", t);
        }
        if (kx != ky)
            return kx < ky ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The number of violations of the day's calls; the first is described in why. *calls counts the
 * calls checked and *contested those made while someone else was waiting too (a day where nobody
 * ever waited beside another would check nothing). */
static int check_calls(const struct day_log *l, char *why, size_t size, int *calls, int *contested)
{
    int bad = 0, *state = malloc((size_t)l->nv * sizeof *state);
    int *called = calloc((size_t)l->nv * 2, sizeof *called);
    int64_t *since = calloc((size_t)l->nv, sizeof *since);
    assert_non_null(state);
    assert_non_null(called);
    assert_non_null(since);
    *calls = *contested = 0;
    why[0] = 0;
    for (int i = 0; i < l->nv; i++)
        state[i] = -1;
#define VIOLATION(...)                                                                             \
    do {                                                                                           \
        if (!bad++)                                                                                \
            snprintf(why, size, __VA_ARGS__);                                                      \
    } while (0)
    for (int k = 0; k < l->nev; k++) {
        const struct call_event *e = &l->ev[k];
        int v = visit_index(l, e->visit);
        assert_true(v >= 0);
        int stage = e->to == VAX_STATE_SCREENING ? 0 : e->to == VAX_STATE_INJECTION ? 1 : -1;
        int waiting = stage == 0 ? VAX_STATE_WAITING_SCREENING : VAX_STATE_WAITING_INJECTION;
        if (stage >= 0 && e->from == waiting) {
            (*calls)++;
            if (state[v] != waiting)
                VIOLATION("visit %lld called to %s while %s", (long long)e->visit,
                          vax_state_code((vax_state)e->to),
                          state[v] < 0 ? "not checked in" : vax_state_code((vax_state)state[v]));
            if (called[2 * v + stage]++)
                VIOLATION("visit %lld called to %s twice", (long long)e->visit,
                          vax_state_code((vax_state)e->to));
            for (int o = 0; o < l->nv; o++)
                if (o != v && called[2 * o + stage] && l->v[o].person == l->v[v].person)
                    VIOLATION("person %lld called to %s on two visits", (long long)l->v[v].person,
                              vax_state_code((vax_state)e->to));
            int others = 0;
            for (int o = 0; o < l->nv; o++) {
                if (o == v || state[o] != waiting)
                    continue;
                others++;
                if (state[v] == waiting && policy_cmp(l, since, o, v, e->at) < 0)
                    VIOLATION("at %lld visit %lld called to %s before visit %lld, first by %.80s",
                              (long long)e->at, (long long)e->visit,
                              vax_state_code((vax_state)e->to), (long long)l->v[o].id, l->order);
            }
            *contested += others > 0;
        }
        state[v] = e->to;
        if (e->to == VAX_STATE_WAITING_SCREENING || e->to == VAX_STATE_WAITING_INJECTION)
            since[v] = e->at;
    }
#undef VIOLATION
    free(state);
    free(called);
    free(since);
    return bad;
}

static void remove_scratch(const char *scratch)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char f[4300], dir[4200];
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s%s", scratch, suffix[i]);
        unlink(f);
    }
    snprintf(dir, sizeof dir, "%s", scratch);
    *strrchr(dir, '/') = 0;
    rmdir(dir);
}

/* Every simulated day of these tests goes through here: run, then the calls checked on the
 * scratch copy's rows. The copy is removed unless keep. */
static vax_sim_result *run_checked(test_db *t, vax_sim_params *p, int keep)
{
    vax_sim_result *r = NULL;
    struct day_log l;
    char why[300];
    int calls = 0, contested = 0;
    p->keep_scratch = 1;
    if (vax_sim_run(t->db, p, &r) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    load_day(r->scratch, &l);
    if (check_calls(&l, why, sizeof why, &calls, &contested))
        fail_msg("seed %llu, policy %d: %s", (unsigned long long)p->seed, (int)p->policy, why);
    /* every called person's call was seen, once to screening and once to injection */
    assert_int_equal(calls, r->wait[VAX_SIM_SCREENING].n + r->wait[VAX_SIM_INJECTION].n);
    day_log_free(&l);
    if (!keep)
        remove_scratch(r->scratch);
    return r;
}

static void count_states(const char *path, int states[VAX_STATE_COUNT], int *no_show, int *doses)
{
    vax_db *db = NULL;
    vax_visit *v = calloc(1000, sizeof *v);
    vax_appt *a = calloc(1000, sizeof *a);
    int n = 0;
    assert_non_null(v);
    assert_non_null(a);
    memset(states, 0, sizeof(int) * VAX_STATE_COUNT);
    assert_int_equal(vax_open(path, VAX_OPEN_READONLY, &db), VAX_OK);
    assert_int_equal(vax_queue_list(db, DAY, v, 1000, &n), VAX_OK);
    *doses = 0;
    for (int i = 0; i < n; i++) {
        vax_dose d[4];
        int nd = 0;
        states[v[i].state]++;
        assert_int_equal(vax_dose_list(db, v[i].person_id, d, 4, &nd), VAX_OK);
        *doses += nd;
    }
    assert_int_equal(vax_appt_list(db, DAY, VAX_APPT_NO_SHOW, a, 1000, &n), VAX_OK);
    *no_show = n;
    vax_close(db);
    free(v);
    free(a);
}

static void test_sim_accounts_for_every_arrival(void **state)
{
    test_db *t = tdb_open();
    vax_sim_params p;
    vax_sim_result *r = NULL;
    int states[VAX_STATE_COUNT], no_show = 0, doses = 0;
    (void)state;
    small_day(&p, 7);
    r = run_checked(t, &p, 1);
    /* the scratch copy is another file, and the site's file has no visit of that day */
    assert_string_not_equal(r->scratch, t->path);
    vax_visit v[4];
    int n = -1;
    assert_int_equal(vax_queue_list(t->db, DAY, v, 4, &n), VAX_OK);
    assert_int_equal(n, 0);
    vax_site_day d;
    assert_int_equal(vax_day_get(t->db, DAY, &d), VAX_ENOTFOUND);

    assert_int_equal(r->booked, 24);
    assert_true(r->walk_ins > 0);
    /* every arrival ends somewhere, and everyone booked either came or is a no-show */
    assert_int_equal(r->arrived, r->booked - r->no_show + r->walk_ins + r->standby_came);
    assert_int_equal(r->vaccinated + r->deferred + r->left + r->failed, r->arrived);
    assert_true(r->vaccinated > 0);
    /* and the scratch copy's rows say the same */
    count_states(r->scratch, states, &no_show, &doses);
    assert_int_equal(states[VAX_STATE_DONE], r->vaccinated);
    assert_int_equal(states[VAX_STATE_POSTPONED], r->deferred);
    assert_int_equal(states[VAX_STATE_LEFT], r->left + r->failed);
    assert_int_equal(no_show, r->no_show);
    assert_int_equal(doses, r->vaccinated);
    assert_int_equal(r->db_doses, r->vaccinated);
    assert_int_equal(r->doses_drawn, r->vaccinated);
    /* wasted = what the opened vials held less what was drawn, as the vial rows record it */
    assert_int_equal(r->doses_opened, r->vials_opened * 10);
    assert_int_equal(r->doses_wasted, r->doses_opened - r->doses_drawn);
    assert_int_equal(r->db_wasted, r->doses_wasted);
    /* waits were measured for everyone called */
    assert_int_equal(r->wait[VAX_SIM_INJECTION].n, r->vaccinated);
    assert_true(r->wait[VAX_SIM_SCREENING].p90_s >= r->wait[VAX_SIM_SCREENING].median_s);
    assert_true(r->crowd_max > 0);
    int most = 0;
    for (int i = 0; i < r->minutes; i++)
        most = r->crowd[i] > most ? r->crowd[i] : most;
    assert_int_equal(most, r->crowd_max);
    remove_scratch(r->scratch);
    vax_sim_result_free(r);
    tdb_close(t);
}

static void assert_same_day(const vax_sim_result *a, const vax_sim_result *b);

/* A day whose copy is removed leaves no rows to check, so the same seed is run once kept and
 * checked first: the removed day is that day (a seed gives one day). */
static void test_sim_removes_its_scratch_copy(void **state)
{
    test_db *t = tdb_open();
    vax_sim_params p;
    vax_sim_result *r = NULL, *checked;
    (void)state;
    small_day(&p, 3);
    p.people = 6;
    checked = run_checked(t, &p, 0);
    p.keep_scratch = 0;
    if (vax_sim_run(t->db, &p, &r) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    assert_int_not_equal(access(r->scratch, F_OK), 0);
    assert_same_day(r, checked);
    vax_sim_result_free(r);
    vax_sim_result_free(checked);
    tdb_close(t);
}

static void test_sim_same_seed_same_day(void **state)
{
    test_db *t = tdb_open();
    vax_sim_params p;
    vax_sim_result *a = NULL, *b = NULL, *c = NULL;
    (void)state;
    small_day(&p, 11);
    a = run_checked(t, &p, 0);
    b = run_checked(t, &p, 0);
    p.seed = 12;
    c = run_checked(t, &p, 0);
    assert_int_equal(a->vaccinated, b->vaccinated);
    assert_int_equal(a->no_show, b->no_show);
    assert_int_equal(a->doses_wasted, b->doses_wasted);
    assert_int_equal(a->last_out, b->last_out);
    assert_int_equal(a->minutes, b->minutes);
    assert_memory_equal(a->crowd, b->crowd, sizeof(int) * (size_t)a->minutes);
    assert_memory_equal(a->wait, b->wait, sizeof a->wait);
    for (int i = 0; i < a->ndesks; i++)
        assert_int_equal(a->desks[i].busy_s, b->desks[i].busy_s);
    /* and the seed is what decides it: another seed, another day */
    assert_true(a->last_out != c->last_out || a->no_show != c->no_show ||
                memcmp(a->wait, c->wait, sizeof a->wait) != 0);
    vax_sim_result_free(a);
    vax_sim_result_free(b);
    vax_sim_result_free(c);
    tdb_close(t);
}

/* The vial-aware policy on the same day: it may only throw away less, and what it saves comes
 * from the standby list it phoned. */
static void test_sim_vial_policy_wastes_less(void **state)
{
    test_db *t = tdb_open();
    vax_sim_params p;
    vax_sim_result *plain = NULL, *vial = NULL;
    (void)state;
    small_day(&p, 5);
    p.injection_rooms = 2;
    p.standby_accept_pct = 100;
    p.grace_min = 60; /* a short session: time for the phoned to come */
    plain = run_checked(t, &p, 0);
    p.policy = VAX_SIM_VIAL;
    vial = run_checked(t, &p, 0);
    assert_int_equal(plain->standby_called, 0);
    assert_true(plain->doses_wasted > 0); /* a day that had something to save */
    if (vial->doses_wasted >= plain->doses_wasted)
        fail_msg("wasted: plain %d of %d, vial-aware %d of %d (standby: %d phoned, %d came)",
                 plain->doses_wasted, plain->doses_opened, vial->doses_wasted, vial->doses_opened,
                 vial->standby_called, vial->standby_came);
    assert_true(vial->standby_came > 0);
    assert_int_equal(vial->doses_wasted, vial->doses_opened - vial->doses_drawn);
    vax_sim_result_free(plain);
    vax_sim_result_free(vial);
    tdb_close(t);
}

/* A day worked out by hand. The site plans 08:00-10:00 in slots of 10 minutes and books six
 * adults of one age band, no priority group, for AZ (10-dose vials): A, B, C at 08:00 and D, E,
 * F at 08:10. Nobody is missing, early, late, deferred or walks in; each comes at their slot's
 * start (punctual). One check-in desk (1 min each), one screening desk (3 min), one injection
 * room (4 min), no spread; observation 30 min (AZ). Nobody waits past queue.max_wait_min, so every
 * desk serves in the order people began to wait (same group, age band and slot class). Times in
 * minutes after 08:00:
 *
 *   check-in (in order of arrival):   A 0-1  B 1-2  C 2-3  D 10-11  E 11-12  F 12-13
 *     waits: A 0, B 1, C 2, D 0, E 1, F 2
 *   screening (waits from check-in):  A 1-4  B 4-7  C 7-10  D 11-14  E 14-17  F 17-20
 *     waits: A 1-1=0, B 4-2=2, C 7-3=4, D 11-11=0, E 14-12=2, F 17-13=4
 *   injection (waits from screening): A 4-8  B 8-12  C 12-16  D 16-20  E 20-24  F 24-28
 *     waits: A 4-4=0, B 8-7=1, C 12-10=2, D 16-14=2, E 20-17=3, F 24-20=4
 *     (at 20 D leaves the room and F leaves screening; E, waiting since 17, goes in)
 *   whole wait per person: A 0, B 1+2+1=4, C 2+4+2=8, D 0+0+2=2, E 1+2+3=6, F 2+4+4=10
 *
 * Median and p90 by nearest rank of 6 sorted values: the 3rd and the 6th.
 *   check-in  0 0 1 1 2 2   -> median 1, p90 2, max 2
 *   screening 0 0 2 2 4 4   -> median 2, p90 4, max 4
 *   injection 0 1 2 2 3 4   -> median 2, p90 4, max 4
 *   whole     0 2 4 6 8 10  -> median 4, p90 10, max 10
 *
 * The waiting area holds those in the check-in line (the one at the desk included), waiting for
 * screening and waiting for injection. Who is waiting, interval by interval:
 *   [0,1) A B C in line: 3      [1,2) B C: 2      [2,3) C in line, B for screening: 2
 *   [3,4) B C for screening: 2  [4,7) C: 1        [7,8) B for injection: 1     [8,10) nobody
 *   [10,11) C for injection, D E F in line: 4     [11,12) C, E F: 3   [12,13) F, E for screening: 2
 *   [13,14) E F: 2   [14,16) F, D for injection: 2   [16,17) F: 1   [17,20) E: 1   [20,24) F: 1
 * A person who leaves one desk and is called by the next in the same instant never waited: a
 * minute counts the most waiting at once over a stretch of time in it, not in between two moves
 * of one instant. So the crowd by minute is 3 2 2 2 1 1 1 1 0 0 4 3 2 2 2 2 1 1 1 1 1 1 1 1, then
 * 0; the most is 4, at 08:10.
 * Under observation (30 min from each injection's end): [8,12) 1, [12,16) 2, [16,20) 3, [20,24)
 * 4, [24,28) 5, [28,38) 6, [38,42) 5, [42,46) 4, [46,50) 3, [50,54) 2, [54,58) 1; the last person
 * (F) goes home at 08:58. One vial, opened for A at 08:04: 10 doses, 6 given, 4 wasted at the
 * end of the day. The series runs to closing, 10:00: 121 minutes. Desks busy 6, 18 and 24 min.
 * Both policies give this day: the vial-aware one has nobody to phone and no second vial. */
static void test_sim_day_worked_out_by_hand(void **state)
{
    static const int crowd[24] = {3, 2, 2, 2, 1, 1, 1, 1, 0, 0, 4, 3,
                                  2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1};
    static const struct {
        int from, to, n;
    } observing[] = {{8, 12, 1},  {12, 16, 2}, {16, 20, 3}, {20, 24, 4}, {24, 28, 5}, {28, 38, 6},
                     {38, 42, 5}, {42, 46, 4}, {46, 50, 3}, {50, 54, 2}, {54, 58, 1}};
    test_db *t = tdb_open();
    vax_site_day d;
    vax_slot slots[16];
    int n = 0;
    (void)state;
    memset(&d, 0, sizeof d);
    snprintf(d.day, sizeof d.day, "%s", DAY);
    snprintf(d.opens, sizeof d.opens, "08:00");
    snprintf(d.closes, sizeof d.closes, "10:00");
    snprintf(d.products, sizeof d.products, "AZ");
    d.slot_minutes = 10;
    d.capacity = 3;
    d.risk = VAX_RISK_LOW;
    if (vax_day_plan(t->db, &d) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    assert_int_equal(vax_slot_list(t->db, DAY, slots, 16, &n), VAX_OK);
    assert_int_equal(n, 12);
    for (int i = 0; i < 6; i++) {
        char cccd[13], name[32];
        snprintf(name, sizeof name, "Người %c", 'A' + i);
        tdb_cccd(cccd, 1990, 'f', 500 + i);
        int64_t id = tdb_person(t, name, cccd, "1990-03-01", NULL);
        if (vax_appt_book(t->db, id, slots[i / 3].id, 1, "AZ", NULL, NULL) != VAX_OK)
            fail_msg("%s", vax_errmsg(t->db));
    }
    int64_t opens = T0 + 23 * 3600; /* 2021-10-16 08:00 local */
    for (int k = 0; k < 2; k++) {
        vax_sim_params p;
        vax_sim_defaults(&p);
        snprintf(p.day, sizeof p.day, "%s", DAY);
        snprintf(p.product, sizeof p.product, "AZ");
        p.people = 0; /* the day's own bookings */
        p.punctual = 1;
        p.no_show_pct = p.walkin_pct = p.defer_pct = 0;
        p.checkin_desks = p.screening_desks = p.injection_rooms = 1;
        p.checkin_tenths = 10;
        p.screening_tenths = 30;
        p.injection_tenths = 40;
        p.service_cv_pct = 0;
        p.standby_people = 0;
        p.policy = k ? VAX_SIM_VIAL : VAX_SIM_PLAIN;
        vax_sim_result *r = run_checked(t, &p, 0);
        const vax_report_wait *w = r->wait;
        assert_int_equal(r->booked, 6);
        assert_int_equal(r->arrived, 6);
        assert_int_equal(r->vaccinated, 6);
        assert_int_equal(r->deferred + r->left + r->failed + r->no_show + r->walk_ins, 0);
        assert_int_equal(w[VAX_SIM_CHECKIN].n, 6);
        assert_int_equal(w[VAX_SIM_CHECKIN].median_s, 60);
        assert_int_equal(w[VAX_SIM_CHECKIN].p90_s, 120);
        assert_int_equal(w[VAX_SIM_CHECKIN].max_s, 120);
        assert_int_equal(w[VAX_SIM_SCREENING].n, 6);
        assert_int_equal(w[VAX_SIM_SCREENING].median_s, 120);
        assert_int_equal(w[VAX_SIM_SCREENING].p90_s, 240);
        assert_int_equal(w[VAX_SIM_SCREENING].max_s, 240);
        assert_int_equal(w[VAX_SIM_INJECTION].n, 6);
        assert_int_equal(w[VAX_SIM_INJECTION].median_s, 120);
        assert_int_equal(w[VAX_SIM_INJECTION].p90_s, 240);
        assert_int_equal(w[VAX_SIM_INJECTION].max_s, 240);
        assert_int_equal(r->wait_whole.n, 6);
        assert_int_equal(r->wait_whole.median_s, 240);
        assert_int_equal(r->wait_whole.p90_s, 600);
        assert_int_equal(r->wait_whole.max_s, 600);
        assert_int_equal(r->start, opens);
        assert_int_equal(r->minutes, 121);
        for (int m = 0; m < r->minutes; m++) {
            int want = m < 24 ? crowd[m] : 0, obs = 0;
            for (size_t i = 0; i < sizeof observing / sizeof *observing; i++)
                if (m >= observing[i].from && m < observing[i].to)
                    obs = observing[i].n;
            if (r->crowd[m] != want || r->observing[m] != obs)
                fail_msg("policy %d, minute %d (08:%02d): waiting %d, observing %d; by hand %d, %d",
                         k, m, m, r->crowd[m], r->observing[m], want, obs);
        }
        assert_int_equal(r->crowd_max, 4);
        assert_int_equal(r->crowd_max_at, opens + 10 * 60);
        assert_int_equal(r->last_out, opens + 58 * 60);
        assert_int_equal(r->vials_opened, 1);
        assert_int_equal(r->doses_opened, 10);
        assert_int_equal(r->doses_drawn, 6);
        assert_int_equal(r->doses_wasted, 4);
        assert_int_equal(r->db_wasted, 4);
        assert_int_equal(r->standby_called, 0);
        assert_int_equal(r->ndesks, 3);
        static const int busy[3] = {6 * 60, 18 * 60, 24 * 60};
        for (int i = 0; i < 3; i++) {
            assert_int_equal(r->desks[i].served, 6);
            assert_int_equal(r->desks[i].busy_s, busy[i]);
            assert_int_equal(r->desks[i].idle_s, 120 * 60 - busy[i]);
        }
        vax_sim_result_free(r);
    }
    tdb_close(t);
}

/* The checker itself must see a broken day: the same day's rows with two calls swapped (someone
 * behind called first) and with one call written twice. */
static void test_sim_checker_sees_a_broken_day(void **state)
{
    test_db *t = tdb_open();
    vax_sim_params p;
    struct day_log l;
    char why[300];
    int calls = 0, contested = 0;
    (void)state;
    small_day(&p, 21);
    p.defer_pct = 0;
    vax_sim_result *r = run_checked(t, &p, 1);
    load_day(r->scratch, &l);
    assert_int_equal(check_calls(&l, why, sizeof why, &calls, &contested), 0);
    assert_true(contested > 0);
    /* the first call made while another was waiting, and that other's later call */
    int first = -1, later = -1;
    for (int k = 0; k < l.nev && later < 0; k++) {
        struct call_event *e = &l.ev[k];
        if (e->to != VAX_STATE_SCREENING || e->from != VAX_STATE_WAITING_SCREENING)
            continue;
        if (first < 0) {
            /* was anyone else waiting for screening at this call? replay up to here */
            for (int o = 0; o < k && first < 0; o++) {
                if (l.ev[o].to != VAX_STATE_WAITING_SCREENING || l.ev[o].visit == e->visit)
                    continue;
                int64_t w = l.ev[o].visit;
                int called_before = 0;
                for (int q = o; q < k; q++)
                    called_before |= l.ev[q].visit == w && l.ev[q].to == VAX_STATE_SCREENING;
                if (!called_before)
                    first = k;
            }
        } else {
            /* a later call of someone who was waiting at `first` */
            for (int o = 0; o < first; o++)
                if (l.ev[o].to == VAX_STATE_WAITING_SCREENING && l.ev[o].visit == e->visit)
                    later = k;
        }
    }
    assert_true(first >= 0 && later > first);
    struct day_log broken = l;
    broken.ev = malloc((size_t)(l.nev + 1) * sizeof *broken.ev);
    assert_non_null(broken.ev);
    memcpy(broken.ev, l.ev, (size_t)l.nev * sizeof *l.ev);
    int64_t a = broken.ev[first].visit, b = broken.ev[later].visit;
    broken.ev[first].visit = b;
    broken.ev[later].visit = a;
    assert_true(check_calls(&broken, why, sizeof why, &calls, &contested) > 0);
    assert_non_null(strstr(why, "before visit"));
    /* one call written twice, the second straight after the first */
    memcpy(broken.ev, l.ev, (size_t)first * sizeof *l.ev);
    broken.ev[first] = l.ev[first];
    memcpy(broken.ev + first + 1, l.ev + first, (size_t)(l.nev - first) * sizeof *l.ev);
    broken.nev = l.nev + 1;
    assert_true(check_calls(&broken, why, sizeof why, &calls, &contested) > 0);
    assert_non_null(strstr(why, "while screening"));
    free(broken.ev);
    day_log_free(&l);
    remove_scratch(r->scratch);
    vax_sim_result_free(r);
    tdb_close(t);
}

/* Everything a run reports, compared field by field (the scratch path differs). */
static void assert_same_day(const vax_sim_result *a, const vax_sim_result *b)
{
    assert_string_equal(a->product, b->product);
    assert_int_equal(a->booked, b->booked);
    assert_int_equal(a->no_show, b->no_show);
    assert_int_equal(a->walk_ins, b->walk_ins);
    assert_int_equal(a->standby_called, b->standby_called);
    assert_int_equal(a->standby_came, b->standby_came);
    assert_int_equal(a->arrived, b->arrived);
    assert_int_equal(a->vaccinated, b->vaccinated);
    assert_int_equal(a->deferred, b->deferred);
    assert_int_equal(a->left, b->left);
    assert_int_equal(a->failed, b->failed);
    assert_memory_equal(a->wait, b->wait, sizeof a->wait);
    assert_memory_equal(&a->wait_whole, &b->wait_whole, sizeof a->wait_whole);
    assert_int_equal(a->crowd_max, b->crowd_max);
    assert_int_equal(a->crowd_max_at, b->crowd_max_at);
    assert_int_equal(a->start, b->start);
    assert_int_equal(a->minutes, b->minutes);
    assert_memory_equal(a->crowd, b->crowd, sizeof(int) * (size_t)a->minutes);
    assert_memory_equal(a->observing, b->observing, sizeof(int) * (size_t)a->minutes);
    assert_int_equal(a->vials_opened, b->vials_opened);
    assert_int_equal(a->doses_opened, b->doses_opened);
    assert_int_equal(a->doses_drawn, b->doses_drawn);
    assert_int_equal(a->doses_wasted, b->doses_wasted);
    assert_int_equal(a->stock_added, b->stock_added);
    assert_int_equal(a->db_doses, b->db_doses);
    assert_int_equal(a->db_wasted, b->db_wasted);
    assert_int_equal(a->last_out, b->last_out);
    assert_int_equal(a->ndesks, b->ndesks);
    assert_memory_equal(a->desks, b->desks, sizeof a->desks[0] * (size_t)a->ndesks);
}

/* Several seeds, both policies, two injection rooms so that the vial-aware rule has a room to
 * hold back: every day's calls keep the order (run_checked), and a seed run twice gives the same
 * day to the last figure. Priority groups and older people are among the made-up people, and a
 * short max wait puts the no-starvation rule to work. */
static void test_sim_policy_keeps_order_on_every_day(void **state)
{
    test_db *t = tdb_open();
    int phoned = 0, boosted_days = 0;
    (void)state;
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "15"), VAX_OK);
    for (uint64_t seed = 31; seed < 35; seed++) {
        for (int k = 0; k < 2; k++) {
            vax_sim_params p;
            small_day(&p, seed);
            p.people = 30;
            p.injection_rooms = 2;
            p.standby_accept_pct = 100;
            p.grace_min = 60;
            p.policy = k ? VAX_SIM_VIAL : VAX_SIM_PLAIN;
            vax_sim_result *a = run_checked(t, &p, 0), *b = run_checked(t, &p, 0);
            assert_same_day(a, b);
            phoned += k && a->standby_called > 0;
            boosted_days += a->wait[VAX_SIM_SCREENING].max_s >= 15 * 60;
            vax_sim_result_free(a);
            vax_sim_result_free(b);
        }
    }
    /* days that put both rules to work were among those checked */
    assert_true(phoned > 0);
    assert_true(boosted_days > 0);
    tdb_close(t);
}

static void test_sim_refuses_a_site_without_rooms(void **state)
{
    test_db *t = tdb_open();
    vax_sim_params p;
    vax_sim_result *r = NULL;
    (void)state;
    small_day(&p, 1);
    p.injection_rooms = 0;
    assert_int_equal(vax_sim_run(t->db, &p, &r), VAX_EINVAL);
    assert_null(r);
    assert_string_equal(vax_errfield(t->db), "desks");
    snprintf(p.day, sizeof p.day, "2021-13-01");
    p.injection_rooms = 1;
    assert_int_equal(vax_sim_run(t->db, &p, &r), VAX_EINVAL);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_accounts_for_every_arrival),
        cmocka_unit_test(test_sim_removes_its_scratch_copy),
        cmocka_unit_test(test_sim_same_seed_same_day),
        cmocka_unit_test(test_sim_vial_policy_wastes_less),
        cmocka_unit_test(test_sim_refuses_a_site_without_rooms),
        cmocka_unit_test(test_sim_day_worked_out_by_hand),
        cmocka_unit_test(test_sim_checker_sees_a_broken_day),
        cmocka_unit_test(test_sim_policy_keeps_order_on_every_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
