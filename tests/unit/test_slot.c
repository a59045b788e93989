/* test_slot.c: site days, slots, appointments, capacity with walk-ins, overbooking, risk caps,
 * day close, slot close, bulk fill order and capacity, the call list, and refused input. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* T0 is 2021-10-15 09:00 +07. */
#define TODAY "2021-10-15"
#define TOMORROW "2021-10-16"

static int next_serial = 1;

static int64_t person(test_db *t, int birth_year, const char *group)
{
    char id[13], name[64], birth[11];
    int serial = next_serial++;
    tdb_cccd(id, birth_year, 'm', serial);
    snprintf(name, sizeof name, "Tran Van %c%c%c", 'a' + serial / 676 % 26, 'a' + serial / 26 % 26,
             'a' + serial % 26);
    snprintf(birth, sizeof birth, "%04d-03-01", birth_year);
    return tdb_person(t, name, id, birth, group);
}

static int64_t count(test_db *t, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static int64_t writes(test_db *t)
{
    return count(t, "SELECT (SELECT count(*) FROM site_day) + (SELECT count(*) FROM slot) +"
                    " (SELECT count(*) FROM appointment) + (SELECT count(*) FROM audit)");
}

static vax_site_day plan(test_db *t, const char *day, const char *opens, const char *closes,
                         int minutes, int capacity, vax_risk risk)
{
    vax_site_day d;
    memset(&d, 0, sizeof d);
    snprintf(d.day, sizeof d.day, "%s", day);
    snprintf(d.opens, sizeof d.opens, "%s", opens);
    snprintf(d.closes, sizeof d.closes, "%s", closes);
    d.slot_minutes = minutes;
    d.capacity = capacity;
    d.risk = risk;
    if (vax_day_plan(t->db, &d) != VAX_OK)
        fail_msg("plan: %s", vax_errmsg(t->db));
    return d;
}

static vax_slot slot_at(test_db *t, const char *day, int index)
{
    vax_slot s[64];
    int n = 0;
    assert_int_equal(vax_slot_list(t->db, day, s, 64, &n), VAX_OK);
    assert_true(index < n);
    return s[index];
}

/* Staff are added by the OS actor first (the first must be a manager), then one signs in. */
static void sign_in_as(test_db *t, const char *login, vax_role role)
{
    vax_staff s;
    (void)role;
    assert_int_equal(vax_staff_sign_in(t->db, login, "1234", &s), VAX_OK);
}

static void add_staff(test_db *t)
{
    assert_int_equal(vax_staff_add(t->db, "hoa", "Hoa", VAX_ROLE_MANAGER, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "lan", "Lan", VAX_ROLE_NURSE, "1234", NULL), VAX_OK);
}

/* ---- planning ------------------------------------------------------------------------------ */

static void test_plan_makes_slots_of_the_given_length(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    vax_site_day d = plan(t, TOMORROW, "07:00", "11:00", 30, 20, VAX_RISK_LOW);
    assert_int_equal(d.slots, 8);
    assert_int_equal(d.cap, 20);
    vax_slot s = slot_at(t, TOMORROW, 1);
    char hhmm[6];
    vax_local_hhmm(s.starts_at, hhmm);
    assert_string_equal(hhmm, "07:30");
    assert_int_equal(s.ends_at - s.starts_at, 1800);
    assert_int_equal(s.capacity, 20);
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'day.plan'"), 1);
    tdb_close(t);
}

static void test_risk_level_caps_capacity_per_slot(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    assert_int_equal(vax_setting_set(t->db, "slot.cap.very_high", "6"), VAX_OK);
    vax_site_day d = plan(t, TOMORROW, "07:00", "08:00", 30, 40, VAX_RISK_VERY_HIGH);
    assert_int_equal(d.cap, 6);
    assert_int_equal(slot_at(t, TOMORROW, 0).capacity, 6);
    /* the default caps when no setting is made: high = 25 */
    vax_site_day e = plan(t, "2021-10-17", "07:00", "08:00", 30, 40, VAX_RISK_HIGH);
    assert_int_equal(e.cap, 25);
    /* a capacity under the cap stays */
    vax_site_day f = plan(t, "2021-10-18", "07:00", "08:00", 30, 4, VAX_RISK_VERY_HIGH);
    assert_int_equal(f.cap, 4);
    int cap = 0;
    assert_int_equal(vax_risk_cap(t->db, VAX_RISK_LOW, &cap), VAX_OK);
    assert_int_equal(cap, 100);
    tdb_close(t);
}

static void expect_plan_refused(test_db *t, const char *day, const char *opens, const char *closes,
                                int minutes, int capacity, int code, const char *field)
{
    vax_site_day d;
    int64_t before = writes(t);
    memset(&d, 0, sizeof d);
    snprintf(d.day, sizeof d.day, "%s", day);
    snprintf(d.opens, sizeof d.opens, "%s", opens);
    snprintf(d.closes, sizeof d.closes, "%s", closes);
    d.slot_minutes = minutes;
    d.capacity = capacity;
    d.risk = VAX_RISK_LOW;
    assert_int_equal(vax_day_plan(t->db, &d), code);
    assert_string_equal(vax_errfield(t->db), field);
    assert_true(strlen(vax_errmsg(t->db)) > 10);
    assert_int_equal(writes(t), before);
}

static void test_bad_plans_are_refused_and_write_nothing(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    expect_plan_refused(t, "2021-10-14", "07:00", "11:00", 30, 10, VAX_EINVAL, "day");
    assert_non_null(strstr(vax_errmsg(t->db), "in the past"));
    expect_plan_refused(t, TOMORROW, "11:00", "07:00", 30, 10, VAX_EINVAL, "closes");
    assert_non_null(strstr(vax_errmsg(t->db), "not after"));
    expect_plan_refused(t, TOMORROW, "07:00", "11:00", 30, 0, VAX_EINVAL, "capacity");
    expect_plan_refused(t, TOMORROW, "07:00", "11:00", 0, 10, VAX_EINVAL, "slot_minutes");
    expect_plan_refused(t, TOMORROW, "7h", "11:00", 30, 10, VAX_EINVAL, "opens");
    expect_plan_refused(t, "2021-02-30", "07:00", "11:00", 30, 10, VAX_EINVAL, "day");
    plan(t, TOMORROW, "07:00", "11:00", 30, 10, VAX_RISK_LOW);
    expect_plan_refused(t, TOMORROW, "13:00", "15:00", 30, 10, VAX_EEXIST, "day");
    tdb_close(t);
}

static void test_a_plan_needs_a_manager(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    add_staff(t);
    sign_in_as(t, "lan", VAX_ROLE_NURSE);
    vax_site_day d;
    memset(&d, 0, sizeof d);
    snprintf(d.day, sizeof d.day, TOMORROW);
    snprintf(d.opens, sizeof d.opens, "07:00");
    snprintf(d.closes, sizeof d.closes, "09:00");
    d.slot_minutes = 30;
    d.capacity = 5;
    assert_int_equal(vax_day_plan(t->db, &d), VAX_EPERM);
    assert_int_equal(count(t, "SELECT count(*) FROM site_day"), 0);
    tdb_close(t);
}

static void test_added_slots_must_not_overlap_end_before_start_or_be_empty(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TOMORROW, "07:00", "09:00", 30, 10, VAX_RISK_LOW);
    int64_t before = writes(t), id = 0;
    assert_int_equal(vax_slot_add(t->db, TOMORROW, "08:45", "09:15", 10, &id), VAX_EEXIST);
    assert_non_null(strstr(vax_errmsg(t->db), "overlaps the slot 08:30-09:00"));
    assert_int_equal(vax_slot_add(t->db, TOMORROW, "10:00", "09:30", 10, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "end");
    assert_int_equal(vax_slot_add(t->db, TOMORROW, "10:00", "10:30", 0, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "capacity");
    assert_int_equal(vax_slot_add(t->db, "2021-10-14", "10:00", "10:30", 5, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "day");
    assert_int_equal(writes(t), before);
    /* right after the last slot is fine */
    assert_int_equal(vax_slot_add(t->db, TOMORROW, "09:00", "09:30", 10, &id), VAX_OK);
    assert_true(id > 0);
    tdb_close(t);
}

static void test_copy_day_copies_the_slots_not_the_bookings(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TOMORROW, "07:00", "09:00", 30, 10, VAX_RISK_MEDIUM);
    int64_t p = person(t, 1980, NULL);
    assert_int_equal(vax_appt_book(t->db, p, slot_at(t, TOMORROW, 0).id, 1, "", NULL, NULL),
                     VAX_OK);
    assert_int_equal(vax_day_copy(t->db, TOMORROW, "2021-10-20"), VAX_OK);
    vax_site_day d;
    assert_int_equal(vax_day_get(t->db, "2021-10-20", &d), VAX_OK);
    assert_int_equal(d.slots, 4);
    assert_int_equal(d.risk, VAX_RISK_MEDIUM);
    vax_slot s = slot_at(t, "2021-10-20", 0);
    char hhmm[6];
    vax_local_hhmm(s.starts_at, hhmm);
    assert_string_equal(hhmm, "07:00");
    assert_int_equal(s.booked, 0);
    /* into a planned day or the past: refused */
    assert_int_equal(vax_day_copy(t->db, TOMORROW, "2021-10-20"), VAX_EEXIST);
    assert_int_equal(vax_day_copy(t->db, TOMORROW, "2021-10-01"), VAX_EINVAL);
    assert_int_equal(count(t, "SELECT count(*) FROM site_day"), 2);
    tdb_close(t);
}

/* ---- booking ------------------------------------------------------------------------------- */

static void test_capacity_counts_walk_ins_checked_in_during_the_slot(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    /* today 09:00-09:30 is running at T0 (09:00) */
    plan(t, TODAY, "09:00", "10:00", 30, 3, VAX_RISK_LOW);
    vax_slot s = slot_at(t, TODAY, 0);
    vax_visit v;
    assert_int_equal(vax_queue_checkin(t->db, person(t, 1990, NULL), &v), VAX_OK);
    assert_int_equal(vax_queue_checkin(t->db, person(t, 1991, NULL), &v), VAX_OK);
    assert_int_equal(count(t, "SELECT count(*) FROM visit WHERE slot_id IS NOT NULL"), 2);
    assert_int_equal(v.slot_start, 0); /* still a walk-in for the call order */
    assert_int_equal(vax_appt_book(t->db, person(t, 1970, NULL), s.id, 1, "", NULL, NULL), VAX_OK);
    assert_int_equal(vax_slot_get(t->db, s.id, &s), VAX_OK);
    assert_int_equal(s.walk_ins, 2);
    assert_int_equal(s.booked, 1);
    /* two walk-ins and one booking fill 3 */
    int64_t late = person(t, 1960, NULL);
    assert_int_equal(vax_appt_book(t->db, late, s.id, 1, "", NULL, NULL), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "is full (3 of 3, walk-ins included)"));
    assert_int_equal(count(t, "SELECT count(*) FROM appointment"), 1);
    /* an undone walk-in frees its place */
    assert_int_equal(vax_queue_undo_checkin(t->db, v.id, "wrong person"), VAX_OK);
    assert_int_equal(vax_appt_book(t->db, late, s.id, 1, "", NULL, NULL), VAX_OK);
    tdb_close(t);
}

static void test_overbooking_needs_a_manager_and_a_reason(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TOMORROW, "07:00", "07:30", 30, 1, VAX_RISK_LOW);
    vax_slot s = slot_at(t, TOMORROW, 0);
    int64_t a = person(t, 1980, NULL), b = person(t, 1981, NULL), c = person(t, 1982, NULL);
    assert_int_equal(vax_appt_book(t->db, a, s.id, 1, "", NULL, NULL), VAX_OK);
    /* a nurse: refused, with or without a reason */
    add_staff(t);
    sign_in_as(t, "lan", VAX_ROLE_NURSE);
    assert_int_equal(vax_appt_book(t->db, b, s.id, 1, "", NULL, NULL), VAX_ESTATE);
    assert_int_equal(vax_appt_book(t->db, b, s.id, 1, "", "old neighbour", NULL), VAX_EPERM);
    assert_int_equal(count(t, "SELECT count(*) FROM appointment"), 1);
    /* a manager with a reason: booked, the reason kept and audited */
    sign_in_as(t, "hoa", VAX_ROLE_MANAGER);
    assert_int_equal(vax_appt_book(t->db, b, s.id, 1, "", "", NULL), VAX_ESTATE);
    vax_appt appt;
    assert_int_equal(vax_appt_book(t->db, b, s.id, 1, "", "frontline worker", &appt), VAX_OK);
    assert_string_equal(appt.override_reason, "frontline worker");
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'appointment.overbook'"),
                     1);
    assert_int_equal(vax_slot_get(t->db, s.id, &s), VAX_OK);
    assert_int_equal(s.booked, 2);
    (void)c;
    tdb_close(t);
}

static void test_bad_bookings_are_refused_and_write_nothing(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    vax_site_day d = plan(t, TODAY, "07:00", "11:00", 60, 5, VAX_RISK_LOW);
    (void)d;
    vax_slot over = slot_at(t, TODAY, 0); /* 07:00-08:00, over at 09:00 */
    vax_slot later = slot_at(t, TODAY, 2);
    vax_slot last = slot_at(t, TODAY, 3);
    int64_t p = person(t, 1975, NULL);
    assert_int_equal(vax_appt_book(t->db, p, later.id, 1, "", NULL, NULL), VAX_OK);
    int64_t before = writes(t);
    /* already booked that day */
    assert_int_equal(vax_appt_book(t->db, p, last.id, 1, "", NULL, NULL), VAX_EEXIST);
    assert_non_null(strstr(vax_errmsg(t->db), "already booked on 15/10/2021 at 09:00-10:00"));
    /* a slot in the past */
    int64_t q = person(t, 1976, NULL);
    before = writes(t);
    assert_int_equal(vax_appt_book(t->db, q, over.id, 1, "", NULL, NULL), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "already over"));
    /* a product not offered, a bad dose number, no such person */
    assert_int_equal(vax_appt_book(t->db, q, later.id, 0, "", NULL, NULL), VAX_EINVAL);
    assert_int_equal(vax_appt_book(t->db, 999999, later.id, 1, "", NULL, NULL), VAX_ENOTFOUND);
    assert_int_equal(writes(t), before);
    /* a day in the past, once the clock has moved on */
    vax_clock_advance(86400);
    assert_int_equal(vax_appt_book(t->db, q, last.id, 1, "", NULL, NULL), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "in the past"));
    assert_int_equal(writes(t), before);
    tdb_close(t);
}

static void test_product_must_be_offered_that_day(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    vax_site_day d;
    memset(&d, 0, sizeof d);
    snprintf(d.day, sizeof d.day, TOMORROW);
    snprintf(d.opens, sizeof d.opens, "07:00");
    snprintf(d.closes, sizeof d.closes, "08:00");
    snprintf(d.products, sizeof d.products, "AZ PF");
    d.slot_minutes = 60;
    d.capacity = 5;
    assert_int_equal(vax_day_plan(t->db, &d), VAX_OK);
    vax_slot s = slot_at(t, TOMORROW, 0);
    int64_t p = person(t, 1980, NULL);
    assert_int_equal(vax_appt_book(t->db, p, s.id, 1, "SP", NULL, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "product");
    assert_int_equal(vax_appt_book(t->db, p, s.id, 1, "PF", NULL, NULL), VAX_OK);
    /* a plan naming an unknown product is refused */
    snprintf(d.day, sizeof d.day, "2021-10-20");
    snprintf(d.products, sizeof d.products, "XX");
    assert_int_equal(vax_day_plan(t->db, &d), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "products");
    tdb_close(t);
}

/* ---- check-in ------------------------------------------------------------------------------ */

static void test_checkin_links_the_appointment_and_says_early_or_late(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TODAY, "09:00", "12:00", 30, 5, VAX_RISK_LOW);
    vax_slot s930 = slot_at(t, TODAY, 1); /* 09:30-10:00 */
    vax_slot s900 = slot_at(t, TODAY, 0);
    int64_t early = person(t, 1980, NULL), late = person(t, 1981, NULL);
    vax_appt a;
    assert_int_equal(vax_appt_book(t->db, early, s930.id, 1, "", NULL, &a), VAX_OK);
    assert_int_equal(vax_appt_book(t->db, late, s900.id, 1, "", NULL, NULL), VAX_OK);
    vax_clock_advance(10 * 60); /* 09:10 */
    vax_visit v;
    assert_int_equal(vax_queue_checkin(t->db, early, &v), VAX_OK);
    assert_int_equal(v.slot_start, s930.starts_at);
    vax_appt got;
    assert_int_equal(vax_appt_for_visit(t->db, v.id, &got), VAX_OK);
    assert_int_equal(got.id, a.id);
    assert_int_equal(got.state, VAX_APPT_CHECKED_IN);
    assert_int_equal(got.visit_id, v.id);
    int minutes = 0;
    assert_int_equal(vax_appt_arrival(got.starts_at, got.ends_at, v.arrived_at, &minutes),
                     VAX_ARRIVE_EARLY);
    assert_int_equal(minutes, 20);
    assert_int_equal(count(t, "SELECT count(*) FROM visit_event WHERE details ="
                              " 'appointment 09:30-10:00: 20 min early'"),
                     1);
    vax_clock_advance(35 * 60); /* 09:45: the 09:00 slot is over */
    assert_int_equal(vax_queue_checkin(t->db, late, &v), VAX_OK);
    assert_int_equal(vax_appt_for_visit(t->db, v.id, &got), VAX_OK);
    assert_int_equal(vax_appt_arrival(got.starts_at, got.ends_at, v.arrived_at, &minutes),
                     VAX_ARRIVE_LATE);
    assert_int_equal(minutes, 16);
    assert_int_equal(vax_slot_get(t->db, s900.id, &s900), VAX_OK);
    assert_int_equal(s900.checked_in, 1);
    assert_int_equal(s900.walk_ins, 0);
    /* a walk-in still works, counted against the 09:30 slot */
    assert_int_equal(vax_queue_checkin(t->db, person(t, 1990, NULL), &v), VAX_OK);
    assert_int_equal(vax_appt_for_visit(t->db, v.id, &got), VAX_ENOTFOUND);
    assert_int_equal(vax_slot_get(t->db, s930.id, &s930), VAX_OK);
    assert_int_equal(s930.walk_ins, 1);
    assert_int_equal(s930.booked, 1);
    tdb_close(t);
}

static void test_day_close_makes_absent_bookings_no_show(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TODAY, "09:00", "11:00", 60, 5, VAX_RISK_LOW);
    vax_slot s = slot_at(t, TODAY, 1);
    int64_t came = person(t, 1980, NULL), absent = person(t, 1981, NULL);
    int64_t absent2 = person(t, 1982, NULL);
    assert_int_equal(vax_appt_book(t->db, came, s.id, 1, "", NULL, NULL), VAX_OK);
    assert_int_equal(vax_appt_book(t->db, absent, s.id, 1, "", NULL, NULL), VAX_OK);
    assert_int_equal(vax_appt_book(t->db, absent2, s.id, 2, "", NULL, NULL), VAX_OK);
    vax_visit v;
    assert_int_equal(vax_queue_checkin(t->db, came, &v), VAX_OK);
    int n = -1;
    assert_int_equal(vax_day_close(t->db, TODAY, &n), VAX_OK);
    assert_int_equal(n, 2);
    vax_appt list[8];
    int k = 0;
    assert_int_equal(vax_appt_list(t->db, TODAY, VAX_APPT_NO_SHOW, list, 8, &k), VAX_OK);
    assert_int_equal(k, 2);
    assert_int_equal(list[0].person_id, absent);
    assert_int_equal(count(t, "SELECT count(*) FROM appointment WHERE state = 'checked_in'"), 1);
    /* no visit is made for a no-show */
    assert_int_equal(count(t, "SELECT count(*) FROM visit"), 1);
    /* closed: no more bookings, no second close */
    assert_int_equal(vax_appt_book(t->db, person(t, 1983, NULL), s.id, 1, "", NULL, NULL),
                     VAX_ESTATE);
    assert_int_equal(vax_day_close(t->db, TODAY, &n), VAX_ESTATE);
    tdb_close(t);
}

static void test_closing_a_slot_moves_or_cancels_its_bookings(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TOMORROW, "07:00", "09:00", 30, 2, VAX_RISK_LOW);
    vax_slot a = slot_at(t, TOMORROW, 0), b = slot_at(t, TOMORROW, 1);
    int64_t p1 = person(t, 1980, NULL), p2 = person(t, 1981, NULL), p3 = person(t, 1982, NULL);
    assert_int_equal(vax_appt_book(t->db, p1, a.id, 1, "", NULL, NULL), VAX_OK);
    assert_int_equal(vax_appt_book(t->db, p2, a.id, 1, "", NULL, NULL), VAX_OK);
    assert_int_equal(vax_appt_book(t->db, p3, b.id, 1, "", NULL, NULL), VAX_OK);
    int moved = -1, cancelled = -1;
    assert_int_equal(vax_slot_close(t->db, a.id, VAX_SLOT_MOVE, &moved, &cancelled), VAX_OK);
    assert_int_equal(moved, 2);
    assert_int_equal(cancelled, 0);
    /* 07:30 had one place, so one went there and one to 08:00 */
    assert_int_equal(vax_slot_get(t->db, b.id, &b), VAX_OK);
    assert_int_equal(b.booked, 2);
    assert_int_equal(slot_at(t, TOMORROW, 2).booked, 1);
    assert_int_equal(vax_slot_get(t->db, a.id, &a), VAX_OK);
    assert_int_equal(a.open, 0);
    assert_int_equal(a.booked, 0);
    /* cancel mode: listed for a phone call */
    assert_int_equal(vax_slot_close(t->db, b.id, VAX_SLOT_CANCEL, &moved, &cancelled), VAX_OK);
    assert_int_equal(cancelled, 2);
    int calls = 0;
    vax_appt list[8];
    assert_int_equal(vax_appt_list(t->db, TOMORROW, VAX_APPT_CANCELLED, list, 8, &calls), VAX_OK);
    assert_int_equal(calls, 2);
    assert_non_null(strstr(list[0].note, "phone to rebook"));
    /* a closed slot takes no bookings */
    assert_int_equal(vax_appt_book(t->db, person(t, 1990, NULL), a.id, 1, "", NULL, NULL),
                     VAX_ESTATE);
    tdb_close(t);
}

/* ---- bulk fill and the call list ---------------------------------------------------------------
 */

static void test_bulk_fill_orders_by_group_then_age_then_registration(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TOMORROW, "07:00", "08:00", 30, 2, VAX_RISK_LOW);
    /* registration order: young, old, middle, group G01 (health workers), young2, old2 */
    int64_t young = person(t, 1995, NULL), old = person(t, 1950, NULL);
    int64_t middle = person(t, 1965, NULL), worker = person(t, 1996, "G01");
    int64_t young2 = person(t, 1994, NULL), old2 = person(t, 1951, NULL);
    vax_book_req r[6];
    memset(r, 0, sizeof r);
    int64_t ids[] = {young, old, middle, worker, young2, old2};
    for (int i = 0; i < 6; i++)
        r[i].person_id = ids[i];
    int booked = 0;
    assert_int_equal(vax_slot_fill(t->db, TOMORROW, TOMORROW, "", r, 6, &booked), VAX_OK);
    assert_int_equal(booked, 4);
    /* reordered by priority */
    assert_int_equal(r[0].person_id, worker);
    assert_int_equal(r[1].person_id, old);
    assert_int_equal(r[2].person_id, old2);
    assert_int_equal(r[3].person_id, middle);
    assert_int_equal(r[4].person_id, young);
    assert_int_equal(r[5].person_id, young2);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r[i].status, VAX_OK);
    assert_int_equal(r[4].status, VAX_EEMPTY);
    assert_int_equal(r[5].status, VAX_EEMPTY);
    /* first slot: worker and old; second: old2 and middle; never over capacity */
    vax_appt a;
    assert_int_equal(vax_appt_get(t->db, r[1].appt_id, &a), VAX_OK);
    assert_int_equal(a.slot_id, slot_at(t, TOMORROW, 0).id);
    assert_int_equal(vax_appt_get(t->db, r[3].appt_id, &a), VAX_OK);
    assert_int_equal(a.slot_id, slot_at(t, TOMORROW, 1).id);
    assert_int_equal(count(t, "SELECT count(*) FROM slot s WHERE (SELECT count(*) FROM appointment"
                              " a WHERE a.slot_id = s.id) > s.capacity"),
                     0);
    /* a second fill skips those already booked and fills nothing more */
    memset(r, 0, sizeof r);
    r[0].person_id = worker;
    r[1].person_id = young;
    assert_int_equal(vax_slot_fill(t->db, TOMORROW, TOMORROW, "", r, 2, &booked), VAX_OK);
    assert_int_equal(booked, 0);
    assert_int_equal(r[0].status, VAX_EEXIST);
    assert_int_equal(r[1].status, VAX_EEMPTY);
    tdb_close(t);
}

/* Where each booked request went: the slot's index in the day, from its appointment. */
static int slot_index_of(test_db *t, const vax_book_req *r, int nslots)
{
    vax_appt a;
    assert_int_equal(vax_appt_get(t->db, r->appt_id, &a), VAX_OK);
    for (int i = 0; i < nslots; i++)
        if (slot_at(t, TOMORROW, i).id == a.slot_id)
            return i;
    fail_msg("appointment %lld in no slot of the day", (long long)r->appt_id);
    return -1;
}

/* The planner's case: 18 people due, 8 slots of 25: 2 or 3 in each, not 18 in the first. */
static void test_bulk_fill_spreads_18_people_over_8_slots_of_25(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TOMORROW, "07:00", "11:00", 30, 25, VAX_RISK_LOW);
    vax_book_req r[18];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 18; i++)
        r[i].person_id = person(t, 1940 + i * 3, i % 5 == 0 ? "G01" : NULL);
    int booked = 0;
    assert_int_equal(vax_slot_fill(t->db, TOMORROW, TOMORROW, "", r, 18, &booked), VAX_OK);
    assert_int_equal(booked, 18);
    for (int i = 0; i < 8; i++) {
        vax_slot s = slot_at(t, TOMORROW, i);
        if (s.booked < 2 || s.booked > 3)
            fail_msg("slot %d holds %d of 18", i, s.booked);
    }
    /* reqs come back in priority order: their slots never go back in time */
    for (int i = 1; i < 18; i++)
        assert_true(slot_index_of(t, &r[i - 1], 8) <= slot_index_of(t, &r[i], 8));
    tdb_close(t);
}

/* A person's place in the priority order (group rank, then age band): lower comes first. */
static int64_t priority_key(test_db *t, int64_t person_id)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(g.rank, 99) * 10 + CASE WHEN p.birth_date <= '1956-10-15'"
             " THEN 0 WHEN p.birth_date <= '1971-10-15' THEN 1 ELSE 2 END FROM person p LEFT JOIN"
             " priority_group g ON g.code = p.priority_group WHERE p.id = %lld",
             (long long)person_id);
    return count(t, sql);
}

/* Property, over random lists: no slot over capacity, nobody of higher priority in a later slot
 * than someone of lower priority, and with equal capacities the fullest and emptiest slot one
 * person apart at most. */
static void test_bulk_fill_is_even_never_over_capacity_and_never_inverts_priority(void **state)
{
    (void)state;
    static const char *const groups[] = {NULL, "G01", NULL, "G05", NULL, NULL};
    unsigned seed = 11;
    for (int round = 0; round < 6; round++) {
        test_db *t = tdb_open();
        seed = seed * 1103515245u + 12345u;
        int cap = 3 + (int)(seed >> 16) % 20, nslots = 4 + (int)(seed >> 8) % 8;
        char closes[6];
        snprintf(closes, sizeof closes, "%02d:%02d", 7 + nslots / 2, nslots % 2 ? 30 : 0);
        plan(t, TOMORROW, "07:00", closes, 30, cap, VAX_RISK_LOW);
        int n = 1 + (int)(seed >> 4) % (cap * nslots + 5); /* sometimes more than fit */
        vax_book_req *r = calloc((size_t)n, sizeof *r);
        assert_non_null(r);
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            r[i].person_id = person(t, 1935 + (int)(seed >> 16) % 65, groups[(seed >> 8) % 6]);
        }
        int booked = 0;
        assert_int_equal(vax_slot_fill(t->db, TOMORROW, TOMORROW, "", r, n, &booked), VAX_OK);
        assert_int_equal(booked, n < cap * nslots ? n : cap * nslots);
        int lo = 1 << 30, hi = 0;
        for (int i = 0; i < nslots; i++) {
            vax_slot s = slot_at(t, TOMORROW, i);
            assert_int_equal(s.capacity, cap);
            assert_true(s.booked <= s.capacity);
            lo = s.booked < lo ? s.booked : lo;
            hi = s.booked > hi ? s.booked : hi;
        }
        if (hi - lo > 1)
            fail_msg("round %d: %d people in %d slots of %d: loads from %d to %d", round, n, nslots,
                     cap, lo, hi);
        /* each person's priority and slot read once: the pairs below compare them in memory */
        int64_t *key = calloc((size_t)n, sizeof *key);
        int *slot = calloc((size_t)n, sizeof *slot);
        assert_non_null(key);
        assert_non_null(slot);
        for (int i = 0; i < n; i++) {
            key[i] = priority_key(t, r[i].person_id);
            slot[i] = r[i].status == VAX_OK ? slot_index_of(t, &r[i], nslots) : -1;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                if (r[i].status != VAX_OK || key[i] >= key[j])
                    continue;
                /* i has priority over j: j is not booked, or not in an earlier slot */
                if (r[j].status == VAX_OK && slot[j] < slot[i])
                    fail_msg("round %d: #%lld in an earlier slot than #%lld of higher priority",
                             round, (long long)r[j].person_id, (long long)r[i].person_id);
                if (r[j].status == VAX_OK)
                    continue;
                assert_int_equal(r[j].status, VAX_EEMPTY);
            }
        free(key);
        free(slot);
        free(r);
        tdb_close(t);
    }
}

static void test_bulk_fill_keeps_a_household_in_one_slot(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TOMORROW, "07:00", "09:00", 30, 4, VAX_RISK_LOW);
    vax_book_req r[9];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 9; i++)
        r[i].person_id = person(t, 1960 + i, NULL);
    /* the oldest's household: the two youngest come with her */
    snprintf(r[0].group, sizeof r[0].group, "to 5, thon Na Lang");
    snprintf(r[7].group, sizeof r[7].group, "to 5, thon Na Lang");
    snprintf(r[8].group, sizeof r[8].group, "to 5, thon Na Lang");
    int booked = 0;
    assert_int_equal(vax_slot_fill(t->db, TOMORROW, TOMORROW, "", r, 9, &booked), VAX_OK);
    assert_int_equal(booked, 9);
    int home = -1;
    for (int i = 0; i < 9; i++)
        if (r[i].group[0]) {
            int at = slot_index_of(t, &r[i], 4);
            if (home >= 0)
                assert_int_equal(at, home);
            home = at;
        }
    assert_int_equal(home, 0);
    for (int i = 0; i < 4; i++)
        assert_true(slot_at(t, TOMORROW, i).booked <= 4);
    tdb_close(t);
}

static void test_bulk_fill_respects_existing_fill_and_not_before(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TOMORROW, "07:00", "08:00", 60, 3, VAX_RISK_LOW);
    plan(t, "2021-10-17", "07:00", "08:00", 60, 3, VAX_RISK_LOW);
    int64_t first = person(t, 1980, NULL);
    assert_int_equal(vax_appt_book(t->db, first, slot_at(t, TOMORROW, 0).id, 1, "", NULL, NULL),
                     VAX_OK);
    vax_book_req r[4];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 4; i++)
        r[i].person_id = person(t, 1970 + i, NULL);
    snprintf(r[0].not_before, sizeof r[0].not_before, "2021-10-17");
    int booked = 0;
    assert_int_equal(vax_slot_fill(t->db, TOMORROW, "2021-10-17", "", r, 4, &booked), VAX_OK);
    assert_int_equal(booked, 4);
    assert_int_equal(slot_at(t, TOMORROW, 0).booked, 3);
    assert_int_equal(slot_at(t, "2021-10-17", 0).booked, 2);
    for (int i = 0; i < 4; i++) {
        vax_appt a;
        assert_int_equal(vax_appt_get(t->db, r[i].appt_id, &a), VAX_OK);
        if (!strcmp(r[i].not_before, "2021-10-17"))
            assert_string_equal(a.day, "2021-10-17");
    }
    tdb_close(t);
}

static int collect(const vax_call *c, void *ctx)
{
    char *buf = ctx;
    char line[512];
    vax_call_csv(c, line, sizeof line);
    strcat(buf, line);
    strcat(buf, "\n");
    return 0;
}

static void test_call_list_names_phone_time_and_site_as_csv(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    assert_int_equal(vax_site_set(t->db, "LCU", "Tram Y te, Tan Phong", 0), VAX_OK);
    plan(t, TOMORROW, "07:00", "08:00", 30, 5, VAX_RISK_LOW);
    vax_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.full_name, sizeof p.full_name, "Lò Thị \"Mai\"");
    tdb_cccd(p.national_id, 1980, 'f', 77);
    snprintf(p.birth_date, sizeof p.birth_date, "1980-01-01");
    snprintf(p.phone, sizeof p.phone, "0912345678");
    assert_int_equal(vax_person_add(t->db, &p), VAX_OK);
    assert_int_equal(vax_appt_book(t->db, p.id, slot_at(t, TOMORROW, 1).id, 2, "", NULL, NULL),
                     VAX_OK);
    char buf[2048] = "";
    assert_int_equal(vax_call_list(t->db, TOMORROW, TOMORROW, -1, collect, buf), VAX_OK);
    assert_string_equal(buf, "\"Lò Thị \"\"Mai\"\"\",0912345678,2021-10-16,07:30-08:00,"
                             "\"Tram Y te, Tan Phong\",2\n");
    tdb_close(t);
}

static void test_next_free_slot_skips_full_and_past_slots(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    plan(t, TODAY, "07:00", "11:00", 60, 1, VAX_RISK_LOW);
    assert_int_equal(
        vax_appt_book(t->db, person(t, 1980, NULL), slot_at(t, TODAY, 3).id, 1, "", NULL, NULL),
        VAX_OK);
    vax_slot s;
    /* 09:00-10:00 is running (free), then 10:00 is full */
    assert_int_equal(vax_slot_next_free(t->db, vax_now(), &s), VAX_OK);
    char hhmm[6];
    vax_local_hhmm(s.starts_at, hhmm);
    assert_string_equal(hhmm, "09:00");
    assert_int_equal(vax_appt_book(t->db, person(t, 1981, NULL), s.id, 1, "", NULL, NULL), VAX_OK);
    assert_int_equal(vax_slot_next_free(t->db, vax_now(), &s), VAX_ENOTFOUND);
    tdb_close(t);
}

static void test_demo_plans_today_with_bookings(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    assert_int_equal(vax_demo_create(t->db, 120, 7), VAX_OK);
    vax_site_day d;
    assert_int_equal(vax_day_get(t->db, TODAY, &d), VAX_OK);
    assert_int_equal(d.slots, 20);
    assert_true(count(t, "SELECT count(*) FROM appointment WHERE state = 'booked'") >= 30);
    assert_true(count(t, "SELECT count(*) FROM dose WHERE given_at < 1634169600") >= 15);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_makes_slots_of_the_given_length),
        cmocka_unit_test(test_risk_level_caps_capacity_per_slot),
        cmocka_unit_test(test_bad_plans_are_refused_and_write_nothing),
        cmocka_unit_test(test_a_plan_needs_a_manager),
        cmocka_unit_test(test_added_slots_must_not_overlap_end_before_start_or_be_empty),
        cmocka_unit_test(test_copy_day_copies_the_slots_not_the_bookings),
        cmocka_unit_test(test_capacity_counts_walk_ins_checked_in_during_the_slot),
        cmocka_unit_test(test_overbooking_needs_a_manager_and_a_reason),
        cmocka_unit_test(test_bad_bookings_are_refused_and_write_nothing),
        cmocka_unit_test(test_product_must_be_offered_that_day),
        cmocka_unit_test(test_checkin_links_the_appointment_and_says_early_or_late),
        cmocka_unit_test(test_day_close_makes_absent_bookings_no_show),
        cmocka_unit_test(test_closing_a_slot_moves_or_cancels_its_bookings),
        cmocka_unit_test(test_bulk_fill_orders_by_group_then_age_then_registration),
        cmocka_unit_test(test_bulk_fill_respects_existing_fill_and_not_before),
        cmocka_unit_test(test_call_list_names_phone_time_and_site_as_csv),
        cmocka_unit_test(test_next_free_slot_skips_full_and_past_slots),
        cmocka_unit_test(test_demo_plans_today_with_bookings),
        cmocka_unit_test(test_bulk_fill_spreads_18_people_over_8_slots_of_25),
        cmocka_unit_test(test_bulk_fill_is_even_never_over_capacity_and_never_inverts_priority),
        cmocka_unit_test(test_bulk_fill_keeps_a_household_in_one_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
