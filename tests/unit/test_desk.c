/* test_desk.c: the site's desks and rooms: codes and names, each room's own vials, the board's
 * names, a new site's desks. */
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

static void add_desk(test_db *t, vax_desk_kind kind, const char *name, const char *want_code)
{
    char code[VAX_DESK_CODE_MAX] = "";
    if (vax_desk_add(t->db, kind, name, code) != VAX_OK)
        fail_msg("desk add %s: %s", name, vax_errmsg(t->db));
    assert_string_equal(code, want_code);
}

static int64_t new_person(test_db *t, int serial)
{
    char id[13], name[64];
    tdb_cccd(id, 1975, 'f', serial);
    snprintf(name, sizeof name, "Lo Thi %c", 'A' + serial % 26);
    return tdb_person(t, name, id, "1975-01-20", NULL);
}

/* Checks a person in and walks the visit to waiting for injection. */
static int64_t waiting_injection(test_db *t, int serial)
{
    vax_visit v;
    if (vax_queue_checkin(t->db, new_person(t, serial), &v) != VAX_OK)
        fail_msg("checkin: %s", vax_errmsg(t->db));
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION};
    for (int i = 0; i < 3; i++)
        assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
    return v.id;
}

static int drawn(test_db *t, int64_t vial_id)
{
    vax_vial v;
    assert_int_equal(vax_stock_vial_get(t->db, vial_id, &v), VAX_OK);
    return v.drawn;
}

/* ---- each injection room's own vials ----------------------------------------------------- */

static void test_two_rooms_each_give_doses_only_from_their_own_vial(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_desk(t, VAX_DESK_INJECTION, "Phòng tiêm 1", "injection-1");
    add_desk(t, VAX_DESK_INJECTION, "Phòng tiêm 2", "injection-2");
    int64_t lot;
    vax_lot_in in = {"AZ", "A1067", "2022-12-31", 4, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, &lot), VAX_OK);
    int64_t vial1, vial2;
    assert_int_equal(vax_stock_open_vial(t->db, lot, "injection-1", &vial1), VAX_OK);
    assert_int_equal(vax_stock_open_vial(t->db, lot, "injection-2", &vial2), VAX_OK);

    /* each room lists only its own vial; the bare code of stations before desks is room 1 */
    vax_vial list[4];
    int n = 0;
    assert_int_equal(vax_stock_open_vials(t->db, "injection-1", list, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, vial1);
    assert_int_equal(vax_stock_open_vials(t->db, "injection-2", list, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, vial2);
    assert_int_equal(vax_stock_open_vials(t->db, "injection", list, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, vial1);
    assert_int_equal(vax_stock_open_vials(t->db, NULL, list, 4, &n), VAX_OK);
    assert_int_equal(n, 2);

    waiting_injection(t, 1);
    waiting_injection(t, 2);
    vax_visit a, b;
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_INJECTION, "injection-1", &a), VAX_OK);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_INJECTION, "injection-2", &b), VAX_OK);

    /* room 1 may not draw from room 2's vial, and the other way round; nothing is drawn */
    vax_dose_in wrong = {a.id, vial2, VAX_ARM_LEFT, 0, NULL, NULL, 0};
    assert_int_equal(vax_dose_give(t->db, &wrong, NULL), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "vial");
    assert_non_null(strstr(vax_errmsg(t->db), "Phòng tiêm 2"));
    wrong = (vax_dose_in){b.id, vial1, VAX_ARM_LEFT, 0, NULL, NULL, 0};
    assert_int_equal(vax_dose_give(t->db, &wrong, NULL), VAX_ESTATE);
    assert_int_equal(drawn(t, vial1), 0);
    assert_int_equal(drawn(t, vial2), 0);

    vax_dose da, db;
    vax_dose_in ok = {a.id, vial1, VAX_ARM_LEFT, 0, NULL, NULL, 0};
    assert_int_equal(vax_dose_give(t->db, &ok, &da), VAX_OK);
    ok = (vax_dose_in){b.id, vial2, VAX_ARM_RIGHT, 0, NULL, NULL, 0};
    assert_int_equal(vax_dose_give(t->db, &ok, &db), VAX_OK);
    assert_int_equal(drawn(t, vial1), 1);
    assert_int_equal(drawn(t, vial2), 1);
    /* the dose record keeps the room it was given in */
    assert_string_equal(da.station, "injection-1");
    assert_string_equal(db.station, "injection-2");
    assert_int_equal(query_int(t->path,
                               "SELECT count(*) FROM dose d JOIN vial v ON v.id = d.vial_id"
                               " WHERE d.station = v.station"),
                     2);
    tdb_close(t);
}

/* ---- names ------------------------------------------------------------------------------- */

static void test_board_names_called_desks_by_their_names(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_desk(t, VAX_DESK_SCREENING, "Bàn khám 1", "screening-1");
    add_desk(t, VAX_DESK_SCREENING, "Bàn khám Đông", "screening-2");
    vax_visit v;
    for (int i = 1; i <= 3; i++)
        assert_int_equal(vax_queue_checkin(t->db, new_person(t, i), &v), VAX_OK);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-2", &v), VAX_OK);
    vax_clock_advance(10);
    /* a desk the table does not know keeps the words stations used before desks had names */
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-7", &v), VAX_OK);

    vax_board *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_int_equal(vax_board_read(t->db, b), VAX_OK);
    assert_int_equal(b->ncalled, 2);
    assert_string_equal(b->called[0].station, "screening-7");
    assert_string_equal(b->called[0].name, "Screening 7");
    assert_string_equal(b->called[1].station, "screening-2");
    assert_string_equal(b->called[1].name, "Bàn khám Đông");

    /* a rename shows on the next snapshot; the visit still records the code */
    assert_int_equal(vax_desk_rename(t->db, "screening-2", "Bàn khám Tây"), VAX_OK);
    assert_int_equal(vax_board_read(t->db, b), VAX_OK);
    assert_string_equal(b->called[1].name, "Bàn khám Tây");
    assert_string_equal(b->called[1].station, "screening-2");
    free(b);
    tdb_close(t);
}

static void test_names_fall_back_to_the_words_of_stations_before_desks(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char name[64];
    vax_desk_name(t->db, "screening-2", name, sizeof name);
    assert_string_equal(name, "Screening 2");
    vax_desk_name(t->db, "injection", name, sizeof name);
    assert_string_equal(name, "Injection");
    vax_desk_name(t->db, "room-9", name, sizeof name);
    assert_string_equal(name, "room-9");
    add_desk(t, VAX_DESK_INJECTION, "Phòng tiêm A", "injection-1");
    vax_desk_name(t->db, "injection", name, sizeof name);
    assert_string_equal(name, "Phòng tiêm A");
    vax_desk_name(t->db, "injection-2", name, sizeof name);
    assert_string_equal(name, "Injection 2");
    tdb_close(t);
}

/* ---- the layout -------------------------------------------------------------------------- */

static void test_desks_are_numbered_per_kind_and_named_once(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_desk(t, VAX_DESK_SCREENING, "Bàn khám 1", "screening-1");
    add_desk(t, VAX_DESK_INJECTION, "Phòng tiêm 1", "injection-1");
    add_desk(t, VAX_DESK_SCREENING, "  Bàn khám   2 ", "screening-2");
    add_desk(t, VAX_DESK_OBSERVATION, "Khu theo dõi", "observation-1");
    add_desk(t, VAX_DESK_CHECKIN, "Bàn tiếp đón 1", "checkin-1");
    vax_desk d;
    assert_int_equal(vax_desk_get(t->db, "screening-2", &d), VAX_OK);
    assert_string_equal(d.name, "Bàn khám 2"); /* spaces as one would say it */
    assert_int_equal(d.kind, VAX_DESK_SCREENING);
    /* the name of another active desk, an empty one and an unknown kind are refused */
    char code[VAX_DESK_CODE_MAX];
    assert_int_equal(vax_desk_add(t->db, VAX_DESK_INJECTION, "Bàn khám 1", code), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "name");
    assert_int_equal(vax_desk_add(t->db, VAX_DESK_INJECTION, "  ", code), VAX_EINVAL);
    assert_int_equal(vax_desk_add(t->db, VAX_DESK_KIND_COUNT, "X", code), VAX_EINVAL);
    assert_int_equal(vax_desk_rename(t->db, "screening-1", "Bàn khám 2"), VAX_EEXIST);
    assert_int_equal(vax_desk_rename(t->db, "screening-9", "Bàn khám 9"), VAX_ENOTFOUND);

    vax_desk list[8];
    int n = 0;
    assert_int_equal(vax_desk_list(t->db, 1, list, 8, &n), VAX_OK);
    assert_int_equal(n, 5);
    assert_string_equal(list[0].code, "checkin-1");
    assert_string_equal(list[1].code, "screening-1");
    assert_string_equal(list[2].code, "screening-2");
    assert_string_equal(list[3].code, "injection-1");
    assert_string_equal(list[4].code, "observation-1");
    tdb_close(t);
}

static void test_a_retired_desk_keeps_its_name_and_code_for_the_history(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_desk(t, VAX_DESK_INJECTION, "Phòng tiêm 1", "injection-1");
    add_desk(t, VAX_DESK_INJECTION, "Phòng tiêm 2", "injection-2");
    int64_t lot, vial;
    vax_lot_in in = {"AZ", "A1067", "2022-12-31", 4, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, &lot), VAX_OK);
    assert_int_equal(vax_stock_open_vial(t->db, lot, "injection-2", &vial), VAX_OK);
    /* not while a vial is open in it */
    assert_int_equal(vax_desk_retire(t->db, "injection-2"), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "Phòng tiêm 2"));
    assert_int_equal(vax_stock_discard_vial(t->db, vial, VAX_DISCARD_END_OF_DAY, NULL), VAX_OK);
    assert_int_equal(vax_desk_retire(t->db, "injection-2"), VAX_OK);
    assert_int_equal(vax_desk_retire(t->db, "injection-2"), VAX_ESTATE);
    assert_int_equal(vax_desk_rename(t->db, "injection-2", "Phòng cũ"), VAX_ESTATE);

    char name[64];
    vax_desk_name(t->db, "injection-2", name, sizeof name);
    assert_string_equal(name, "Phòng tiêm 2");
    vax_desk list[4];
    int n = 0;
    assert_int_equal(vax_desk_list(t->db, 1, list, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(vax_desk_list(t->db, 0, list, 4, &n), VAX_OK);
    assert_int_equal(n, 2);
    /* its name is free again, and its code is never given to the new desk */
    char code[VAX_DESK_CODE_MAX];
    assert_int_equal(vax_desk_add(t->db, VAX_DESK_INJECTION, "Phòng tiêm 2", code), VAX_OK);
    assert_string_equal(code, "injection-3");
    tdb_close(t);
}

static void test_only_a_manager_changes_desks_and_each_change_is_audited(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_staff s;
    assert_int_equal(vax_staff_add(t->db, "lan", "Tran Thi Lan", VAX_ROLE_MANAGER, "1111", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    int64_t mgr = s.id;
    add_desk(t, VAX_DESK_SCREENING, "Bàn khám 1", "screening-1");
    assert_int_equal(vax_desk_rename(t->db, "screening-1", "Bàn khám A"), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    char code[VAX_DESK_CODE_MAX];
    assert_int_equal(vax_desk_add(t->db, VAX_DESK_SCREENING, "Bàn khám B", code), VAX_EPERM);
    assert_int_equal(vax_desk_rename(t->db, "screening-1", "Bàn khám C"), VAX_EPERM);
    assert_int_equal(vax_desk_retire(t->db, "screening-1"), VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM desk"), 1);
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE staff_id = %lld AND ((action = 'desk.add' AND"
             " details = 'screening-1 Bàn khám 1') OR (action = 'desk.rename' AND"
             " details = 'screening-1: Bàn khám 1 -> Bàn khám A'))",
             (long long)mgr);
    assert_int_equal(query_int(t->path, sql), 2);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action LIKE 'desk.%'"),
                     2);
    tdb_close(t);
}

static void test_a_new_site_gets_one_desk_of_each_kind(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_site s;
    memset(&s, 0, sizeof s);
    snprintf(s.code, sizeof s.code, "12001");
    snprintf(s.name, sizeof s.name, "Trạm Y tế xã Bản Giang");
    snprintf(s.commune, sizeof s.commune, "Bản Giang");
    snprintf(s.district, sizeof s.district, "Tam Đường");
    snprintf(s.province, sizeof s.province, "Lai Châu");
    snprintf(s.kind, sizeof s.kind, "fixed");
    assert_int_equal(vax_site_init(t->db, &s), VAX_OK);
    vax_desk list[8];
    int n = 0;
    assert_int_equal(vax_desk_list(t->db, 1, list, 8, &n), VAX_OK);
    assert_int_equal(n, 4);
    const char *codes[] = {"checkin-1", "screening-1", "injection-1", "observation-1"};
    const char *names[] = {"Check-in desk 1", "Screening desk 1", "Injection room 1",
                           "Observation area"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(list[i].code, codes[i]);
        assert_string_equal(list[i].name, names[i]);
    }
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_rooms_each_give_doses_only_from_their_own_vial),
        cmocka_unit_test(test_board_names_called_desks_by_their_names),
        cmocka_unit_test(test_names_fall_back_to_the_words_of_stations_before_desks),
        cmocka_unit_test(test_desks_are_numbered_per_kind_and_named_once),
        cmocka_unit_test(test_a_retired_desk_keeps_its_name_and_code_for_the_history),
        cmocka_unit_test(test_only_a_manager_changes_desks_and_each_change_is_audited),
        cmocka_unit_test(test_a_new_site_gets_one_desk_of_each_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
