/* test_sim.c: the simulated day (sim.c) on a small day: its books balance against the scratch
 * copy's rows, a seed gives the same day, and the site's own file is never written. */
#include "testutil.h"

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
    p.keep_scratch = 1;
    if (vax_sim_run(t->db, &p, &r) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
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
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", r->scratch);
    unlink(r->scratch);
    char side[4300];
    snprintf(side, sizeof side, "%s-wal", dir);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", dir);
    unlink(side);
    *strrchr(dir, '/') = 0;
    rmdir(dir);
    vax_sim_result_free(r);
    tdb_close(t);
}

static void test_sim_removes_its_scratch_copy(void **state)
{
    test_db *t = tdb_open();
    vax_sim_params p;
    vax_sim_result *r = NULL;
    (void)state;
    small_day(&p, 3);
    p.people = 6;
    if (vax_sim_run(t->db, &p, &r) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    assert_int_not_equal(access(r->scratch, F_OK), 0);
    vax_sim_result_free(r);
    tdb_close(t);
}

static void test_sim_same_seed_same_day(void **state)
{
    test_db *t = tdb_open();
    vax_sim_params p;
    vax_sim_result *a = NULL, *b = NULL, *c = NULL;
    (void)state;
    small_day(&p, 11);
    if (vax_sim_run(t->db, &p, &a) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    if (vax_sim_run(t->db, &p, &b) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    p.seed = 12;
    if (vax_sim_run(t->db, &p, &c) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
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
    if (vax_sim_run(t->db, &p, &plain) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    p.policy = VAX_SIM_VIAL;
    if (vax_sim_run(t->db, &p, &vial) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
