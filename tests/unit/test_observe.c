/* test_observe.c: the observation period, release before and after it, reactions and their
 * severity, and the board's snapshot. */
#include "internal.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    *state = tdb_open();
    return 0;
}

static int teardown(void **state)
{
    tdb_close(*state);
    return 0;
}

/* A person checked in and moved to observation now (T0 unless the clock was moved). */
static int64_t observing_visit(test_db *t, int serial)
{
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION,
                                     VAX_STATE_OBSERVING};
    char id[13], name[64];
    vax_visit v;
    tdb_cccd(id, 1980, 'm', serial);
    snprintf(name, sizeof name, "Lò Văn %s", serial % 2 ? "Páo" : "Sáng");
    int64_t p = tdb_person(t, name, id, "1980-01-01", NULL);
    assert_int_equal(vax_queue_checkin(t->db, p, &v), VAX_OK);
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
        assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
    return v.id;
}

static vax_state state_of(test_db *t, int64_t visit)
{
    vax_visit v;
    assert_int_equal(vax_visit_get(t->db, visit, &v), VAX_OK);
    return v.state;
}

static void test_period_is_30_minutes_by_default_and_a_setting(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 1);
    int minutes = 0;
    assert_int_equal(vax_observe_minutes(t->db, v, &minutes), VAX_OK);
    assert_int_equal(minutes, 30);
    assert_int_equal(vax_setting_set(t->db, "observe.minutes", "45"), VAX_OK);
    assert_int_equal(vax_observe_minutes(t->db, v, &minutes), VAX_OK);
    assert_int_equal(minutes, 45);
}

static void test_caution_screening_lengthens_the_period(void **state)
{
    test_db *t = *state;
    char id[13];
    vax_visit v;
    vax_screening_input in;
    vax_screening_decision d;
    int64_t screening_id = 0;
    int minutes = 0;
    tdb_cccd(id, 1975, 'f', 40);
    int64_t p = tdb_person(t, "Lường Thị Xoan", id, "1975-01-01", NULL);
    assert_int_equal(vax_queue_checkin(t->db, p, &v), VAX_OK);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-1", &v), VAX_OK);
    /* the form of the day, answered by its keys: on 15/10/2021 the adult form is that of
     * QĐ 4355/QĐ-BYT (10/9/2021, replacing QĐ 3802), whose caution group has "allergy to other
     * allergens"; temperature is the one reading it takes of everyone */
    vax_checklist *c = malloc(sizeof *c);
    assert_non_null(c);
    assert_int_equal(vax_screening_form(t->db, v.id, c), VAX_OK);
    vax_screening_input_init(&in);
    for (int i = 0; i < c->nitems; i++)
        in.answers[i] = strcmp(c->items[i].finding, "allergy") == 0 ? 'y' : 'n';
    for (int i = 0; i < c->nvitals; i++)
        if (c->vitals[i].required && c->vitals[i].has_normal)
            in.vitals[i] = (c->vitals[i].normal_lo + c->vitals[i].normal_hi) / 2;
    free(c);
    memset(&d, 0, sizeof d);
    d.outcome = VAX_OUTCOME_CAUTION;
    if (vax_screening_confirm(t->db, v.id, &in, &d, &screening_id) != VAX_OK)
        fail_msg("confirm: %s", vax_errmsg(t->db));
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_INJECTION, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_OBSERVING, NULL), VAX_OK);
    assert_int_equal(vax_observe_minutes(t->db, v.id, &minutes), VAX_OK);
    assert_int_equal(minutes, 60);
    /* so at 31 minutes the person may not leave yet without a reason */
    vax_clock_advance(31 * 60);
    assert_int_equal(vax_observe_release(t->db, v.id, NULL), VAX_EINVAL);
    vax_clock_advance(30 * 60);
    assert_int_equal(vax_observe_release(t->db, v.id, NULL), VAX_OK);
}

static void test_release_before_the_period_needs_a_reason(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 2);
    vax_clock_advance(29 * 60);
    assert_int_equal(vax_observe_release(t->db, v, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "reason");
    assert_non_null(strstr(vax_errmsg(t->db), "1 more minute"));
    assert_int_equal(state_of(t, v), VAX_STATE_OBSERVING);
    assert_int_equal(vax_observe_release(t->db, v, ""), VAX_EINVAL);
    assert_int_equal(state_of(t, v), VAX_STATE_OBSERVING);
    assert_int_equal(vax_observe_release(t->db, v, "feels well, bus leaving"), VAX_OK);
    assert_int_equal(state_of(t, v), VAX_STATE_DONE);
}

static void test_release_after_the_period_needs_no_reason(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 3);
    vax_clock_advance(30 * 60);
    assert_int_equal(vax_observe_release(t->db, v, NULL), VAX_OK);
    assert_int_equal(state_of(t, v), VAX_STATE_DONE);
    /* only once */
    assert_int_equal(vax_observe_release(t->db, v, NULL), VAX_ESTATE);
}

static void test_release_of_a_visit_not_under_observation_is_refused(void **state)
{
    test_db *t = *state;
    char id[13];
    vax_visit v;
    tdb_cccd(id, 1970, 'f', 9);
    int64_t p = tdb_person(t, "Hà Thị Lan", id, "1970-01-01", NULL);
    assert_int_equal(vax_queue_checkin(t->db, p, &v), VAX_OK);
    assert_int_equal(vax_observe_release(t->db, v.id, "x"), VAX_ESTATE);
    assert_int_equal(state_of(t, v.id), VAX_STATE_WAITING_SCREENING);
}

static void test_minor_reaction_is_recorded_and_the_person_stays(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 4);
    int serious = -1, has = 0;
    assert_int_equal(
        vax_observe_record_reaction(t->db, v, "local fever", 0, "observed", "", &serious), VAX_OK);
    assert_int_equal(serious, 0);
    assert_int_equal(vax_observe_has_reaction(t->db, v, &has), VAX_OK);
    assert_int_equal(has, 1);
    assert_int_equal(state_of(t, v), VAX_STATE_OBSERVING);
}

static void test_anaphylaxis_signs_make_a_reaction_serious(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 5);
    int serious = -1;
    /* the nurse chose "minor" both times. Circular 51/2017/TT-BYT: swelling of the lips, tongue
     * or throat alone is a skin and mucosa sign, grade I (Annex II), not yet anaphylaxis; with
     * difficulty breathing it meets picture 1 of Annex I */
    assert_int_equal(vax_observe_record_reaction(t->db, v, "swelling", 0, "treated", "", &serious),
                     VAX_OK);
    assert_int_equal(serious, 0);
    assert_int_equal(
        vax_observe_record_reaction(t->db, v, "swelling breathing", 0, "treated", "", &serious),
        VAX_OK);
    assert_int_equal(serious, 1);
    vax_observing *list = NULL;
    int n = 0;
    assert_int_equal(vax_observe_list(t->db, &list, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].serious, 1);
    free(list);
    char *protocol = vax_aefi_protocol();
    assert_non_null(strstr(protocol, "ADRENALINE"));
    free(protocol);
}

static void test_transfer_ends_the_visit_as_transferred(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 6);
    int serious = 0;
    assert_int_equal(vax_observe_record_reaction(t->db, v, "breathing", 1, "transferred",
                                                 "to hospital", &serious),
                     VAX_OK);
    assert_int_equal(state_of(t, v), VAX_STATE_TRANSFERRED);
}

static void test_bad_reactions_are_refused_and_write_nothing(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 7);
    int has = 1;
    assert_int_equal(vax_observe_record_reaction(t->db, v, "", 0, "observed", "", NULL),
                     VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "signs");
    assert_int_equal(
        vax_observe_record_reaction(t->db, v, "fever sneezing", 0, "observed", "", NULL),
        VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "sneezing"));
    assert_int_equal(vax_observe_record_reaction(t->db, v, "fever", 0, "prayed", "", NULL),
                     VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "action");
    assert_int_equal(vax_observe_has_reaction(t->db, v, &has), VAX_OK);
    assert_int_equal(has, 0);
}

static void test_a_volunteer_may_not_release(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 8);
    vax_clock_advance(31 * 60);
    assert_int_equal(vax_staff_add(t->db, "boss", "Quản Lý", VAX_ROLE_MANAGER, "1111", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "tnv", "Tình Nguyện", VAX_ROLE_VOLUNTEER, "2222", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "tnv", "2222", NULL), VAX_OK);
    assert_int_equal(vax_observe_release(t->db, v, NULL), VAX_EPERM);
    assert_int_equal(state_of(t, v), VAX_STATE_OBSERVING);
}

static void test_observation_list_is_sorted_by_time_left(void **state)
{
    test_db *t = *state;
    int64_t first = observing_visit(t, 10);
    vax_clock_advance(10 * 60);
    int64_t second = observing_visit(t, 11);
    vax_observing *list = NULL;
    int n = 0;
    assert_int_equal(vax_observe_list(t->db, &list, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].visit.id, first);
    assert_int_equal(list[1].visit.id, second);
    assert_int_equal(list[0].ends_at - list[1].ends_at, -10 * 60);
    free(list);
    vax_clock_advance(20 * 60);
    assert_int_equal(vax_observe_list(t->db, &list, &n), VAX_OK);
    assert_int_equal(list[0].may_leave, 1);
    assert_int_equal(list[1].may_leave, 0);
    free(list);
}

/* One text value from SQL (the first column of the first row), for checking stored rows. */
static void sql_text(test_db *t, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(t->db->sql, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* A nurse and a doctor on the staff; the nurse is signed in. Returns the nurse's id. */
static int64_t nurse_at_the_station(test_db *t, int64_t *doctor_id)
{
    vax_staff nurse, doctor;
    assert_int_equal(vax_staff_add(t->db, "ql", "Quản Lý", VAX_ROLE_MANAGER, "9999", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "ydt", "Lò Thị Y Tá", VAX_ROLE_NURSE, "1111", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "bsi", "Đèo Văn Sĩ", VAX_ROLE_DOCTOR, "3333", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "bsi", "3333", &doctor), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "ydt", "1111", &nurse), VAX_OK);
    if (doctor_id)
        *doctor_id = doctor.id;
    return nurse.id;
}

static void test_a_serious_reaction_is_not_released_by_a_plain_release(void **state)
{
    test_db *t = *state;
    int64_t quiet = observing_visit(t, 30);
    int64_t v = observing_visit(t, 31);
    nurse_at_the_station(t, NULL);
    assert_int_equal(vax_observe_record_reaction(t->db, v, "fever", 1, "treated", "", NULL),
                     VAX_OK);
    vax_clock_advance(31 * 60);
    assert_int_equal(vax_observe_release(t->db, v, NULL), VAX_EPERM);
    assert_int_equal(vax_observe_release(t->db, v, "feels fine"), VAX_EPERM);
    assert_int_equal(state_of(t, v), VAX_STATE_OBSERVING);
    /* in the list: first, and not "may leave" although the period is over */
    vax_observing *list = NULL;
    int n = 0;
    assert_int_equal(vax_observe_list(t->db, &list, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].visit.id, v);
    assert_int_equal(list[0].serious, 1);
    assert_int_equal(list[0].may_leave, 0);
    assert_string_equal(list[0].signs, "fever");
    assert_int_equal(list[1].visit.id, quiet);
    assert_int_equal(list[1].may_leave, 1);
    free(list);
}

static void test_a_doctor_confirms_a_serious_release_with_outcome_and_note(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 32);
    int64_t doctor_id = 0, nurse_id = nurse_at_the_station(t, &doctor_id);
    char text[512], sql[256];
    vax_staff doctor;
    assert_int_equal(vax_observe_record_reaction(t->db, v, "fever", 1, "treated", "", NULL),
                     VAX_OK);
    /* refused, and nothing written: a wrong PIN, a nurse's login, no note, no outcome */
    assert_int_equal(
        vax_observe_release_serious(t->db, v, "recovered", "stable", "bsi", "0000", NULL),
        VAX_EAUTH);
    assert_int_equal(
        vax_observe_release_serious(t->db, v, "recovered", "stable", "ydt", "1111", NULL),
        VAX_EPERM);
    assert_int_equal(vax_observe_release_serious(t->db, v, "recovered", "", "bsi", "3333", NULL),
                     VAX_EINVAL);
    assert_int_equal(vax_observe_release_serious(t->db, v, "gone", "stable", "bsi", "3333", NULL),
                     VAX_EINVAL);
    assert_int_equal(vax_observe_release_serious(t->db, v, "recovered", "stable", NULL, NULL, NULL),
                     VAX_EPERM);
    assert_int_equal(state_of(t, v), VAX_STATE_OBSERVING);
    /* the doctor's PIN at the nurse's station: the nurse stays the actor */
    assert_int_equal(vax_observe_release_serious(t->db, v, "recovered", "BP 120/80, stable", "bsi",
                                                 "3333", &doctor),
                     VAX_OK);
    assert_int_equal(doctor.id, doctor_id);
    assert_int_equal(vax_actor(t->db)->id, nurse_id);
    assert_int_equal(state_of(t, v), VAX_STATE_DONE);
    snprintf(sql, sizeof sql,
             "SELECT outcome || '|' || outcome_note || '|' || confirmed_by || '|' || updated_by"
             " FROM reaction WHERE visit_id = %lld",
             (long long)v);
    sql_text(t, sql, text, sizeof text);
    char want[128];
    snprintf(want, sizeof want, "recovered|BP 120/80, stable|%lld|%lld", (long long)doctor_id,
             (long long)nurse_id);
    assert_string_equal(text, want);
    snprintf(sql, sizeof sql,
             "SELECT staff_id || '|' || to_state || '|' || details FROM visit_event"
             " WHERE visit_id = %lld ORDER BY id DESC LIMIT 1",
             (long long)v);
    sql_text(t, sql, text, sizeof text);
    snprintf(want, sizeof want, "%lld|done|serious reaction; outcome: recovered; confirmed by: bsi",
             (long long)nurse_id);
    assert_true(strncmp(text, want, strlen(want)) == 0);
}

static void test_a_signed_in_doctor_confirms_a_transfer_without_a_pin(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 33);
    nurse_at_the_station(t, NULL);
    assert_int_equal(vax_observe_record_reaction(t->db, v, "fever", 1, "treated", "", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "bsi", "3333", NULL), VAX_OK);
    assert_int_equal(vax_observe_release_serious(t->db, v, "transferred",
                                                 "to the district hospital", NULL, NULL, NULL),
                     VAX_OK);
    assert_int_equal(state_of(t, v), VAX_STATE_TRANSFERRED);
    /* a visit with no serious reaction is released the usual way, not this one */
    int64_t w = observing_visit(t, 34);
    assert_int_equal(
        vax_observe_release_serious(t->db, w, "recovered", "nothing", NULL, NULL, NULL),
        VAX_ESTATE);
}

static void test_a_reaction_is_kept_from_its_signs_and_completed_later(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 35);
    vax_reaction r;
    nurse_at_the_station(t, NULL);
    assert_int_equal(vax_observe_reaction_signs(t->db, v, "fever", &r), VAX_OK);
    assert_int_equal(r.missing, VAX_REACTION_NEEDS_ACTION | VAX_REACTION_NEEDS_SEVERITY);
    /* kept and listed as to complete; it holds the person back */
    vax_observing *list = NULL;
    int n = 0;
    vax_clock_advance(31 * 60);
    assert_int_equal(vax_observe_list(t->db, &list, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].pending_reaction, r.id);
    assert_int_equal(list[0].may_leave, 0);
    free(list);
    assert_int_equal(vax_observe_release(t->db, v, NULL), VAX_ESTATE);
    /* the action now, the severity later: each step kept */
    assert_int_equal(vax_observe_reaction_complete(t->db, r.id, "treated", -1, &r), VAX_OK);
    assert_int_equal(r.missing, VAX_REACTION_NEEDS_SEVERITY);
    assert_int_equal(vax_observe_reaction_get(t->db, r.id, &r), VAX_OK);
    assert_string_equal(r.action, "treated");
    assert_int_equal(r.missing, VAX_REACTION_NEEDS_SEVERITY);
    assert_int_equal(vax_observe_reaction_complete(t->db, r.id, NULL, 0, &r), VAX_OK);
    assert_int_equal(r.missing, 0);
    assert_int_equal(r.serious, 0);
    assert_int_equal(vax_observe_list(t->db, &list, &n), VAX_OK);
    assert_int_equal(list[0].pending_reaction, 0);
    assert_int_equal(list[0].may_leave, 1);
    free(list);
    assert_int_equal(vax_observe_release(t->db, v, NULL), VAX_OK);
    char text[64];
    sql_text(t, "SELECT count(*) || '|' || action || '|' || severity FROM reaction", text,
             sizeof text);
    assert_string_equal(text, "1|treated|minor");
}

static void
test_completing_a_reaction_with_a_transfer_makes_it_serious_and_ends_the_visit(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 36);
    vax_reaction r;
    nurse_at_the_station(t, NULL);
    assert_int_equal(vax_observe_reaction_signs(t->db, v, "dizziness", &r), VAX_OK);
    assert_int_equal(vax_observe_reaction_complete(t->db, r.id, "transferred", -1, &r), VAX_OK);
    assert_int_equal(r.serious, 1);
    assert_int_equal(r.missing, 0);
    assert_int_equal(state_of(t, v), VAX_STATE_TRANSFERRED);
    /* nothing more is recorded on a visit that left observation */
    assert_int_equal(vax_observe_reaction_complete(t->db, r.id, "treated", 0, NULL), VAX_ESTATE);
    assert_int_equal(vax_observe_reaction_complete(t->db, r.id, "prayed", 0, NULL), VAX_EINVAL);
}

/* Interrupts the statement running at the third progress callback, once: a read error in the
 * middle of a read loop, as a disk error or a corrupt page would give. */
static int interrupt_once(void *ctx)
{
    int *calls = ctx;
    return ++*calls == 3;
}

static void test_a_read_error_in_the_list_is_an_error_not_a_short_list(void **state)
{
    test_db *t = *state;
    for (int i = 0; i < 60; i++)
        observing_visit(t, 100 + i);
    vax_observing *list = NULL;
    int n = 0, calls = 0;
    sqlite3_progress_handler(t->db->sql, 50, interrupt_once, &calls);
    int rc = vax_observe_list(t->db, &list, &n);
    sqlite3_progress_handler(t->db->sql, 0, NULL, NULL);
    assert_true(calls >= 3);
    assert_int_not_equal(rc, VAX_OK);
    assert_null(list);
    assert_int_equal(n, 0);
    /* and without the error, all 60, more than any fixed array of the station held */
    assert_int_equal(vax_observe_list(t->db, &list, &n), VAX_OK);
    assert_int_equal(n, 60);
    free(list);
}

static void test_board_snapshot_shows_calls_waiting_observation_and_doses(void **state)
{
    test_db *t = *state;
    char id[13];
    vax_visit called, waiting;
    int64_t obs = observing_visit(t, 20);
    tdb_cccd(id, 1950, 'm', 21);
    int64_t old = tdb_person(t, "Nguyễn Văn Già", id, "1950-01-01", NULL);
    tdb_cccd(id, 1990, 'f', 22);
    int64_t young = tdb_person(t, "Trần Thị Trẻ", id, "1990-01-01", NULL);
    assert_int_equal(vax_queue_checkin(t->db, young, &waiting), VAX_OK);
    assert_int_equal(vax_queue_checkin(t->db, old, &called), VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "board.initials", "1"), VAX_OK);
    /* the 65+ person is called first, to screening 2 */
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-2", &called),
                     VAX_OK);
    vax_board *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_int_equal(vax_board_read(t->db, b), VAX_OK);
    assert_int_equal(b->ncalled, 1);
    assert_int_equal(b->called[0].ticket, called.ticket);
    assert_string_equal(b->called[0].station, "screening-2");
    assert_string_equal(b->called[0].initials, "N.V.G.");
    assert_int_equal(b->nwaiting[0], 1);
    assert_int_equal(b->waiting[0][0], waiting.ticket);
    assert_int_equal(b->nobserving, 1);
    assert_int_equal(b->observing[0].may_leave, 0);
    assert_string_equal(b->observing[0].initials, "L.V.S.");
    int64_t version = b->data_version;
    (void)obs;
    /* nothing changed: same data_version; the board redraws on a change only */
    assert_int_equal(vax_board_read(t->db, b), VAX_OK);
    assert_int_equal(b->data_version, version);
    free(b);
}

/* The board's snapshot never says "may leave" for a person whose reaction was recorded, even
 * after the period: they see staff first (it used to follow the clock alone). */
static void test_board_never_says_may_leave_with_a_reaction(void **state)
{
    test_db *t = *state;
    int64_t with = observing_visit(t, 41), without = observing_visit(t, 42);
    vax_reaction r;
    nurse_at_the_station(t, NULL);
    assert_int_equal(vax_observe_reaction_signs(t->db, with, "fever", &r), VAX_OK);
    vax_clock_advance(31 * 60);
    vax_board *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_int_equal(vax_board_read(t->db, b), VAX_OK);
    assert_int_equal(b->nobserving, 2);
    int seen = 0;
    for (int i = 0; i < b->nobserving; i++) {
        vax_visit v;
        assert_int_equal(vax_visit_by_ticket(t->db, b->day, b->observing[i].ticket, &v), VAX_OK);
        if (v.id == with) {
            assert_int_equal(b->observing[i].has_reaction, 1);
            assert_int_equal(b->observing[i].may_leave, 0);
            seen |= 1;
        } else if (v.id == without) {
            assert_int_equal(b->observing[i].may_leave, 1);
            seen |= 2;
        }
    }
    assert_int_equal(seen, 3);
    free(b);
}

/* A person screened "with caution" (a longer period: 60 minutes on 15/10/2021) and moved to
 * observation now. */
static int64_t caution_observing_visit(test_db *t, int serial)
{
    char id[13];
    vax_visit v;
    vax_screening_input in;
    vax_screening_decision d;
    int64_t screening_id = 0;
    tdb_cccd(id, 1975, 'f', serial);
    int64_t p = tdb_person(t, "Lường Thị Xoan", id, "1975-01-01", NULL);
    assert_int_equal(vax_queue_checkin(t->db, p, &v), VAX_OK);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-1", &v), VAX_OK);
    vax_checklist *c = malloc(sizeof *c);
    assert_non_null(c);
    assert_int_equal(vax_screening_form(t->db, v.id, c), VAX_OK);
    vax_screening_input_init(&in);
    for (int i = 0; i < c->nitems; i++)
        in.answers[i] = strcmp(c->items[i].finding, "allergy") == 0 ? 'y' : 'n';
    for (int i = 0; i < c->nvitals; i++)
        if (c->vitals[i].required && c->vitals[i].has_normal)
            in.vitals[i] = (c->vitals[i].normal_lo + c->vitals[i].normal_hi) / 2;
    free(c);
    memset(&d, 0, sizeof d);
    d.outcome = VAX_OUTCOME_CAUTION;
    if (vax_screening_confirm(t->db, v.id, &in, &d, &screening_id) != VAX_OK)
        fail_msg("confirm: %s", vax_errmsg(t->db));
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_INJECTION, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_OBSERVING, NULL), VAX_OK);
    return v.id;
}

/* Who came first is not who leaves first: a longer period ends later. */
static void test_observation_list_is_sorted_by_time_left_not_by_arrival(void **state)
{
    test_db *t = *state;
    int64_t longer = caution_observing_visit(t, 60); /* 60 minutes from T0 */
    vax_clock_advance(10 * 60);
    int64_t usual = observing_visit(t, 61); /* 30 minutes from T0 + 10 */
    vax_observing *list = NULL;
    int n = 0;
    assert_int_equal(vax_observe_list(t->db, &list, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].visit.id, usual);
    assert_int_equal(list[1].visit.id, longer);
    assert_int_equal(list[1].ends_at - list[0].ends_at, 20 * 60);
    free(list);
}

/* A transfer is serious whatever severity was chosen, even with signs that are not anaphylaxis. */
static void test_a_transfer_is_serious_even_when_chosen_minor(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 62);
    int serious = 0;
    assert_int_equal(
        vax_observe_record_reaction(t->db, v, "dizziness", 0, "transferred", "", &serious), VAX_OK);
    assert_int_equal(serious, 1);
    assert_int_equal(state_of(t, v), VAX_STATE_TRANSFERRED);
}

/* Signs of anaphylaxis settle the severity when they are saved: only the action is asked, and a
 * later "minor" does not lower it. */
static void test_anaphylaxis_signs_settle_the_severity_of_a_kept_reaction(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 63);
    vax_reaction r;
    assert_int_equal(vax_observe_reaction_signs(t->db, v, "swelling breathing", &r), VAX_OK);
    assert_int_equal(r.serious, 1);
    assert_int_equal(r.missing, VAX_REACTION_NEEDS_ACTION);
    assert_int_equal(vax_observe_reaction_complete(t->db, r.id, "treated", 0, &r), VAX_OK);
    assert_int_equal(r.serious, 1);
    assert_int_equal(r.missing, 0);
    assert_int_equal(vax_observe_reaction_get(t->db, r.id, &r), VAX_OK);
    assert_int_equal(r.serious, 1);
}

/* A doctor's outcome belongs to the serious reaction; a minor one seen before keeps none. */
static void test_the_outcome_is_written_on_the_serious_reaction_only(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 64);
    char text[64], sql[256];
    nurse_at_the_station(t, NULL);
    assert_int_equal(vax_observe_record_reaction(t->db, v, "dizziness", 0, "observed", "", NULL),
                     VAX_OK);
    assert_int_equal(vax_observe_record_reaction(t->db, v, "fever", 1, "treated", "", NULL),
                     VAX_OK);
    assert_int_equal(
        vax_observe_release_serious(t->db, v, "recovered", "stable", "bsi", "3333", NULL), VAX_OK);
    snprintf(sql, sizeof sql,
             "SELECT group_concat(severity || '=' || outcome, ',') FROM"
             " (SELECT severity, outcome FROM reaction WHERE visit_id = %lld ORDER BY id)",
             (long long)v);
    sql_text(t, sql, text, sizeof text);
    assert_string_equal(text, "minor=,serious=recovered");
}

/* The release's event says whether a reaction was recorded during the observation. */
static void test_a_release_after_a_minor_reaction_says_so_in_its_event(void **state)
{
    test_db *t = *state;
    int64_t v = observing_visit(t, 65), w = observing_visit(t, 66);
    char text[128], sql[256];
    assert_int_equal(vax_observe_record_reaction(t->db, v, "dizziness", 0, "observed", "", NULL),
                     VAX_OK);
    vax_clock_advance(30 * 60);
    assert_int_equal(vax_observe_release(t->db, v, NULL), VAX_OK);
    assert_int_equal(vax_observe_release(t->db, w, NULL), VAX_OK);
    snprintf(sql, sizeof sql,
             "SELECT group_concat(details, '|') FROM (SELECT details FROM visit_event"
             " WHERE to_state = 'done' AND visit_id IN (%lld, %lld) ORDER BY visit_id)",
             (long long)v, (long long)w);
    sql_text(t, sql, text, sizeof text);
    assert_string_equal(text, "reaction recorded|no reaction");
}

/* The signs' names as the screens and the Ministry's form print them: each code once, in the
 * order given, a code the file does not know as it is, cut where the room ends. */
static void test_sign_codes_are_named_once_each_in_their_order(void **state)
{
    (void)state;
    vax_aefi_sign all[64];
    int n = 0;
    char want[400], got[400];
    assert_int_equal(vax_aefi_signs(all, 64, &n), VAX_OK);
    const char *fever = NULL, *headache = NULL;
    for (int i = 0; i < n; i++) {
        if (!strcmp(all[i].code, "fever"))
            fever = all[i].name;
        if (!strcmp(all[i].code, "headache"))
            headache = all[i].name;
    }
    assert_non_null(fever);
    assert_non_null(headache);
    snprintf(want, sizeof want, "%s; %s; no_such_sign", headache, fever);
    vax_aefi_sign_names("headache fever,headache no_such_sign fever", "; ", got, sizeof got);
    assert_string_equal(got, want);
    vax_aefi_sign_names("", ", ", got, sizeof got);
    assert_string_equal(got, "");
    vax_aefi_sign_names("headache fever", ", ", got, 4);
    assert_int_equal(strlen(got), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_period_is_30_minutes_by_default_and_a_setting, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_caution_screening_lengthens_the_period, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_release_before_the_period_needs_a_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_release_after_the_period_needs_no_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_release_of_a_visit_not_under_observation_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_minor_reaction_is_recorded_and_the_person_stays, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_anaphylaxis_signs_make_a_reaction_serious, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transfer_ends_the_visit_as_transferred, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_reactions_are_refused_and_write_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_volunteer_may_not_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observation_list_is_sorted_by_time_left, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_read_error_in_the_list_is_an_error_not_a_short_list,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_serious_reaction_is_not_released_by_a_plain_release,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_doctor_confirms_a_serious_release_with_outcome_and_note, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_signed_in_doctor_confirms_a_transfer_without_a_pin,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_reaction_is_kept_from_its_signs_and_completed_later,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_completing_a_reaction_with_a_transfer_makes_it_serious_and_ends_the_visit, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_board_snapshot_shows_calls_waiting_observation_and_doses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_board_never_says_may_leave_with_a_reaction, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_observation_list_is_sorted_by_time_left_not_by_arrival,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_transfer_is_serious_even_when_chosen_minor, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_anaphylaxis_signs_settle_the_severity_of_a_kept_reaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_outcome_is_written_on_the_serious_reaction_only,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_release_after_a_minor_reaction_says_so_in_its_event,
                                        setup, teardown),
        cmocka_unit_test(test_sign_codes_are_named_once_each_in_their_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
