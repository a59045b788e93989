/* test_coldchain.c: fridges, temperature readings, breaches, holds and decisions, reminders. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t query_int(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static int64_t receive(test_db *t, const char *lot, int vials)
{
    vax_lot_in in = {"AZ", lot, "2021-12-31", vials, 0, VAX_DPV_CATALOGUE, 0, "CDC Lai Chau"};
    int64_t id = 0;
    if (vax_stock_receive(t->db, &in, &id) != VAX_OK)
        fail_msg("receive %s: %s", lot, vax_errmsg(t->db));
    return id;
}

/* A site with fridge F1 holding lot A1 (10 vials) and fridge F2 holding lot B1 (4 vials). */
static test_db *site_with_fridges(int64_t *a1, int64_t *b1)
{
    test_db *t = tdb_open();
    assert_int_equal(vax_fridge_add(t->db, "F1", "Tủ lạnh phòng tiêm", 0), VAX_OK);
    assert_int_equal(vax_fridge_add(t->db, "F2", "Hòm lạnh", 1), VAX_OK);
    *a1 = receive(t, "A1", 10);
    *b1 = receive(t, "B1", 4);
    assert_int_equal(vax_fridge_store_lot(t->db, "F1", *a1), VAX_OK);
    assert_int_equal(vax_fridge_store_lot(t->db, "F2", *b1), VAX_OK);
    return t;
}

static int on_hold(test_db *t, int64_t lot)
{
    int rc = vax_lot_on_hold(t->db, lot, NULL);
    assert_true(rc == 0 || rc == 1);
    return rc;
}

static void test_states_at_the_edges_of_2_and_8_degrees(void **state)
{
    (void)state;
    assert_int_equal(vax_temp_state_of(20), VAX_TEMP_OK);
    assert_int_equal(vax_temp_state_of(80), VAX_TEMP_OK);
    assert_int_equal(vax_temp_state_of(52), VAX_TEMP_OK);
    assert_int_equal(vax_temp_state_of(19), VAX_TEMP_OUT_OF_RANGE);
    assert_int_equal(vax_temp_state_of(81), VAX_TEMP_OUT_OF_RANGE);
    assert_int_equal(vax_temp_state_of(1), VAX_TEMP_OUT_OF_RANGE);
    assert_int_equal(vax_temp_state_of(0), VAX_TEMP_FREEZE);
    assert_int_equal(vax_temp_state_of(-5), VAX_TEMP_FREEZE);
    int v = 0;
    assert_int_equal(vax_temp_parse("5.2", &v), VAX_OK);
    assert_int_equal(v, 52);
    assert_int_equal(vax_temp_parse("8,0", &v), VAX_OK);
    assert_int_equal(v, 80);
    assert_int_equal(vax_temp_parse("-0.5", &v), VAX_OK);
    assert_int_equal(v, -5);
    assert_int_equal(vax_temp_parse("2", &v), VAX_OK);
    assert_int_equal(v, 20);
    assert_int_equal(vax_temp_parse("5.25", &v), VAX_EINVAL);
    assert_int_equal(vax_temp_parse("warm", &v), VAX_EINVAL);
    assert_int_equal(vax_temp_parse("", &v), VAX_EINVAL);
    char s[16];
    vax_temp_format(-5, s, sizeof s);
    assert_string_equal(s, "-0.5");
    vax_temp_format(52, s, sizeof s);
    assert_string_equal(s, "5.2");
}

/* 2.0 and 8.0 are within range and hold nothing; 1.9 and 8.1 hold the fridge's lots only. */
static void test_readings_at_2_and_8_hold_nothing_just_outside_hold(void **state)
{
    (void)state;
    int64_t a1, b1;
    int held = -1;
    test_db *t = site_with_fridges(&a1, &b1);
    assert_int_equal(vax_temp_log(t->db, "F1", 20, &held), VAX_OK);
    assert_int_equal(held, 0);
    assert_int_equal(vax_temp_log(t->db, "F1", 80, &held), VAX_OK);
    assert_int_equal(held, 0);
    assert_int_equal(on_hold(t, a1), 0);
    assert_int_equal(vax_temp_log(t->db, "F1", 81, &held), VAX_OK);
    assert_int_equal(held, 1);
    assert_int_equal(on_hold(t, a1), 1);
    assert_int_equal(on_hold(t, b1), 0);
    assert_int_equal(vax_temp_log(t->db, "F2", 19, &held), VAX_OK);
    assert_int_equal(held, 1);
    assert_int_equal(on_hold(t, b1), 1);
    /* a second breach keeps the first hold: one open hold a lot */
    assert_int_equal(vax_temp_log(t->db, "F1", 95, &held), VAX_OK);
    assert_int_equal(held, 0);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM lot_hold"), 2);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM temp_reading WHERE breach <> 0"), 3);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'temp.log'"), 5);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'lot.hold'"), 2);
    tdb_close(t);
}

static void test_a_freeze_holds_and_blocks_opening_a_vial_with_the_reason(void **state)
{
    (void)state;
    int64_t a1, b1, vial = 0;
    vax_lot_hold h;
    test_db *t = site_with_fridges(&a1, &b1);
    assert_int_equal(vax_temp_log(t->db, "F1", 0, NULL), VAX_OK);
    assert_int_equal(vax_lot_on_hold(t->db, a1, &h), 1);
    assert_string_equal(h.fridge, "F1");
    assert_int_equal(h.tenths, 0);
    assert_int_equal(h.since, T0);
    assert_int_equal(h.doses_on_hand, 100);
    vax_lot l;
    assert_int_equal(vax_stock_lot_get(t->db, a1, &l), VAX_OK);
    assert_int_equal(l.on_hold, 1);
    assert_int_equal(vax_stock_open_vial(t->db, a1, "injection-1", &vial), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "hold");
    assert_non_null(strstr(vax_errmsg(t->db), "check before use"));
    assert_non_null(strstr(vax_errmsg(t->db), "a manager must decide"));
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM vial"), 0);
    /* the other fridge's lot opens */
    assert_int_equal(vax_stock_open_vial(t->db, b1, "injection-1", &vial), VAX_OK);
    tdb_close(t);
}

static void test_a_manager_decides_use_and_the_vial_opens(void **state)
{
    (void)state;
    int64_t a1, b1, vial = 0;
    vax_staff s;
    test_db *t = site_with_fridges(&a1, &b1);
    assert_int_equal(vax_temp_log(t->db, "F1", 95, NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "boss", "Site Manager", VAX_ROLE_MANAGER, "1234", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "yta", "Lo Thi Mai", VAX_ROLE_NURSE, "1234", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "yta", "1234", &s), VAX_OK);
    assert_int_equal(vax_lot_hold_decide(t->db, a1, 1, "vial monitors fine"), VAX_EPERM);
    assert_int_equal(on_hold(t, a1), 1);
    assert_int_equal(vax_staff_sign_in(t->db, "boss", "1234", &s), VAX_OK);
    assert_int_equal(vax_lot_hold_decide(t->db, a1, 1, "vial monitors fine"), VAX_OK);
    assert_int_equal(on_hold(t, a1), 0);
    assert_int_equal(vax_lot_hold_decide(t->db, a1, 1, NULL), VAX_ESTATE);
    assert_int_equal(vax_stock_open_vial(t->db, a1, "injection-1", &vial), VAX_OK);
    assert_int_equal(query_int(t->path,
                               "SELECT count(*) FROM lot_hold WHERE decision = 'use' AND decided_by"
                               " IS NOT NULL AND note = 'vial monitors fine'"),
                     1);
    assert_int_equal(
        query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'lot.hold_decide'"), 1);
    tdb_close(t);
}

/* Discard writes the unopened vials off in the ledger (cold_chain) and the ledger balances. */
static void test_a_manager_decides_discard_and_the_ledger_writes_off(void **state)
{
    (void)state;
    int64_t a1, b1, vial = 0;
    test_db *t = site_with_fridges(&a1, &b1);
    assert_int_equal(vax_stock_open_vial(t->db, a1, "injection-1", &vial), VAX_OK);
    assert_int_equal(vax_temp_log(t->db, "F1", 120, NULL), VAX_OK);
    assert_int_equal(vax_lot_hold_decide(t->db, a1, 0, "12 degC for hours"), VAX_OK);
    vax_lot l;
    assert_int_equal(vax_stock_lot_get(t->db, a1, &l), VAX_OK);
    assert_int_equal(l.vials_unopened, 0);
    assert_int_equal(l.on_hold, 0);
    assert_int_equal(query_int(t->path, "SELECT -sum(doses) FROM stock_move WHERE kind = 'waste'"
                                        " AND reason = 'cold_chain'"),
                     90);
    char *lines = NULL;
    assert_int_equal(vax_stock_check(t->db, &lines), 0);
    free(lines);
    vax_lot_balance b;
    assert_int_equal(vax_stock_balance(t->db, a1, 0, &b), VAX_OK);
    assert_int_equal(b.received, b.on_hand + b.given + b.wasted + b.transferred_out);
    assert_int_equal(b.wasted, 90);
    assert_int_equal(vax_stock_open_vial(t->db, a1, "injection-1", &vial), VAX_ESTATE);
    tdb_close(t);
}

static void test_a_retired_fridge_is_refused(void **state)
{
    (void)state;
    int64_t a1, b1;
    test_db *t = site_with_fridges(&a1, &b1);
    /* it still stores a lot with doses */
    assert_int_equal(vax_fridge_retire(t->db, "F2"), VAX_ESTATE);
    assert_int_equal(vax_fridge_store_lot(t->db, "F1", b1), VAX_OK);
    assert_int_equal(vax_fridge_retire(t->db, "F2"), VAX_OK);
    assert_int_equal(vax_temp_log(t->db, "F2", 50, NULL), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "fridge");
    assert_int_equal(vax_fridge_store_lot(t->db, "F2", a1), VAX_ESTATE);
    assert_int_equal(vax_fridge_retire(t->db, "F2"), VAX_ESTATE);
    assert_int_equal(vax_temp_log(t->db, "F9", 50, NULL), VAX_ENOTFOUND);
    assert_int_equal(vax_fridge_add(t->db, "F1", "again", 0), VAX_EEXIST);
    assert_int_equal(vax_fridge_add(t->db, "F 3", "space", 0), VAX_EINVAL);
    vax_fridge f[4];
    int n = 0;
    assert_int_equal(vax_fridge_list(t->db, 0, T0, f, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(vax_fridge_list(t->db, 1, T0, f, 4, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(f[1].active, 0);
    assert_int_equal(f[0].lots_stored, 2);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM temp_reading"), 0);
    tdb_close(t);
}

/* Readings due by 12:00 and 17:00 (T0 is 09:00 local). */
static void test_reminders_due_by_noon_and_five_late_after(void **state)
{
    (void)state;
    int64_t a1, b1;
    vax_fridge first;
    test_db *t = site_with_fridges(&a1, &b1);
    int64_t noon = T0 + 3 * 3600, five = T0 + 8 * 3600;
    /* registered at 09:00, no reading: due by 12:00 */
    assert_int_equal(vax_temp_due_count(t->db, T0, &first), 2);
    assert_int_equal(first.due, VAX_TEMP_DUE_SOON);
    assert_int_equal(first.due_at, noon);
    assert_int_equal(vax_temp_log(t->db, "F1", 50, NULL), VAX_OK);
    assert_int_equal(vax_temp_due_count(t->db, T0, &first), 1);
    assert_string_equal(first.code, "F2");
    /* 13:00: F1's morning reading counts for noon; the next is due by 17:00; F2 is late */
    assert_int_equal(vax_temp_due_count(t->db, T0 + 4 * 3600, &first), 2);
    assert_string_equal(first.code, "F2");
    assert_int_equal(first.due, VAX_TEMP_DUE_LATE);
    assert_int_equal(first.due_at, noon);
    vax_clock_set(T0 + 4 * 3600);
    assert_int_equal(vax_temp_log(t->db, "F2", 40, NULL), VAX_OK);
    vax_fridge f[4];
    int n = 0;
    assert_int_equal(vax_fridge_list(t->db, 0, T0 + 4 * 3600, f, 4, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(f[0].due, VAX_TEMP_DUE_SOON);
    assert_int_equal(f[0].due_at, five);
    assert_int_equal(f[1].due, VAX_TEMP_DUE_NONE);
    assert_int_equal(f[1].last_tenths, 40);
    /* 18:00: F1 missed 17:00 */
    assert_int_equal(vax_fridge_list(t->db, 0, T0 + 9 * 3600, f, 4, &n), VAX_OK);
    assert_int_equal(f[0].due, VAX_TEMP_DUE_LATE);
    assert_int_equal(f[0].due_at, five);
    /* the hours are settings */
    assert_int_equal(vax_setting_set(t->db, "coldchain.due_1_hour", "10"), VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "coldchain.due_1_hour", "24"), VAX_EINVAL);
    assert_int_equal(vax_fridge_list(t->db, 0, T0 + 4 * 3600, f, 4, &n), VAX_OK);
    assert_int_equal(f[0].due, VAX_TEMP_DUE_SOON);
    tdb_close(t);
}

static void test_the_log_lists_readings_with_the_lots_they_held(void **state)
{
    (void)state;
    int64_t a1, b1;
    test_db *t = site_with_fridges(&a1, &b1);
    assert_int_equal(vax_temp_log(t->db, "F1", 52, NULL), VAX_OK);
    vax_clock_set(T0 + 60);
    assert_int_equal(vax_temp_log(t->db, "F2", -10, NULL), VAX_OK);
    assert_int_equal(vax_temp_log(t->db, "F2", 601, NULL), VAX_EINVAL);
    vax_temp_reading r[8];
    int n = 0;
    assert_int_equal(vax_temp_list(t->db, NULL, T0 - 3600, T0 + 3600, r, 8, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].fridge, "F1");
    assert_int_equal(r[0].state, VAX_TEMP_OK);
    assert_int_equal(r[1].state, VAX_TEMP_FREEZE);
    assert_int_equal(r[1].held, 1);
    assert_string_equal(r[1].by, "os:tester");
    assert_int_equal(vax_temp_list(t->db, "F1", T0 - 3600, T0 + 3600, r, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    vax_lot_hold h[4];
    assert_int_equal(vax_lot_holds(t->db, h, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(h[0].lot_id, b1);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states_at_the_edges_of_2_and_8_degrees),
        cmocka_unit_test(test_readings_at_2_and_8_hold_nothing_just_outside_hold),
        cmocka_unit_test(test_a_freeze_holds_and_blocks_opening_a_vial_with_the_reason),
        cmocka_unit_test(test_a_manager_decides_use_and_the_vial_opens),
        cmocka_unit_test(test_a_manager_decides_discard_and_the_ledger_writes_off),
        cmocka_unit_test(test_a_retired_fridge_is_refused),
        cmocka_unit_test(test_reminders_due_by_noon_and_five_late_after),
        cmocka_unit_test(test_the_log_lists_readings_with_the_lots_they_held),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
