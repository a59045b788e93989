/* test_dose.c: dose records: number from history, duplicates, intervals, mixing, the visit move. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int next_serial = 1;

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

static int64_t new_person(test_db *t)
{
    char id[13], name[64];
    int serial = next_serial++;
    tdb_cccd(id, 1975, 'f', serial);
    snprintf(name, sizeof name, "Lo Thi %c%c%c", 'a' + serial / 676 % 26, 'a' + serial / 26 % 26,
             'a' + serial % 26);
    return tdb_person(t, name, id, "1975-01-20", NULL);
}

/* Checks the person in today and walks the visit to injection. */
static int64_t to_injection(test_db *t, int64_t person)
{
    vax_visit v;
    if (vax_queue_checkin(t->db, person, &v) != VAX_OK)
        fail_msg("checkin: %s", vax_errmsg(t->db));
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION};
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
    return v.id;
}

/* A fresh vial of a product (its own lot), usable now. */
static int64_t vial(test_db *t, const char *product, int component)
{
    static int lots = 0;
    char lot[16];
    int64_t lot_id, vial_id;
    snprintf(lot, sizeof lot, "L%d", ++lots);
    vax_lot_in in = {product, lot, "2022-12-31", 5, 0, VAX_DPV_CATALOGUE, component, "CDC"};
    if (vax_stock_receive(t->db, &in, &lot_id) != VAX_OK)
        fail_msg("receive: %s", vax_errmsg(t->db));
    if (vax_stock_open_vial(t->db, lot_id, "injection", &vial_id) != VAX_OK)
        fail_msg("open: %s", vax_errmsg(t->db));
    return vial_id;
}

static int give(test_db *t, int64_t visit, int64_t vial_id, int number, const char *number_reason,
                const char *override_reason)
{
    vax_dose_in in = {visit, vial_id, VAX_ARM_RIGHT, number, number_reason, override_reason, 0};
    return vax_dose_give(t->db, &in, NULL);
}

/* Gives a dose now and ends the visit so the person can come back another day. */
static void dose_now(test_db *t, int64_t person, int64_t vial_id)
{
    int64_t visit = to_injection(t, person);
    if (give(t, visit, vial_id, 0, NULL, NULL) != VAX_OK)
        fail_msg("dose: %s", vax_errmsg(t->db));
    assert_int_equal(vax_queue_move(t->db, visit, VAX_STATE_DONE, NULL), VAX_OK);
}

static vax_state state_of(test_db *t, int64_t visit)
{
    vax_visit v;
    assert_int_equal(vax_visit_get(t->db, visit, &v), VAX_OK);
    return v.state;
}

static int drawn(test_db *t, int64_t vial_id)
{
    vax_vial v;
    assert_int_equal(vax_stock_vial_get(t->db, vial_id, &v), VAX_OK);
    return v.drawn;
}

static void sign_in(test_db *t, const char *login, vax_role role)
{
    vax_staff s;
    assert_int_equal(vax_staff_act_as_os_user(t->db, "tester"), VAX_OK);
    /* the first staff member must be a manager */
    int rc = vax_staff_add(t->db, "boss", "Site Manager", VAX_ROLE_MANAGER, "1234", NULL);
    assert_true(rc == VAX_OK || rc == VAX_EEXIST);
    rc = vax_staff_add(t->db, login, "Staff Member", role, "1234", NULL);
    assert_true(rc == VAX_OK || rc == VAX_EEXIST);
    assert_int_equal(vax_staff_sign_in(t->db, login, "1234", &s), VAX_OK);
}

#define DAY (24 * 3600)

/* ---- the record and the visit -------------------------------------------------------------- */

static void test_dose_is_recorded_and_the_visit_moves_to_observing_together(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), v = vial(t, "AZ", 0);
    int64_t visit = to_injection(t, p);
    sign_in(t, "yta", VAX_ROLE_NURSE);
    vax_dose_in in = {visit, v, VAX_ARM_LEFT, 0, NULL, NULL, 0};
    vax_dose d;
    assert_int_equal(vax_dose_give(t->db, &in, &d), VAX_OK);
    assert_int_equal(d.dose_number, 1);
    assert_string_equal(d.product, "AZ");
    assert_string_equal(d.lot_no, "L1");
    assert_int_equal(d.vial_id, v);
    assert_int_equal(d.arm, VAX_ARM_LEFT);
    assert_int_equal(d.given_at, T0);
    assert_int_equal(d.vaccinator, vax_actor(t->db)->id);
    assert_string_equal(d.vaccinator_name, "Staff Member");
    assert_int_equal(state_of(t, visit), VAX_STATE_OBSERVING);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM visit_event WHERE to_state ="
                                        " 'observing' AND details LIKE 'dose 1 AZ lot L1 left'"),
                     1);
    assert_int_equal(drawn(t, v), 1);
    vax_dose list[4];
    int n = 0, count = 0;
    assert_int_equal(vax_dose_list(t->db, p, list, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, d.id);
    assert_int_equal(vax_person_dose_count(t->db, p, &count), VAX_OK);
    assert_int_equal(count, 1);
    /* not twice: the visit is no longer in injection */
    assert_int_equal(vax_dose_give(t->db, &in, NULL), VAX_ESTATE);
    assert_int_equal(drawn(t, v), 1);
    tdb_close(t);
}

static void test_bad_arm_or_visit_not_in_injection_writes_nothing(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), v = vial(t, "AZ", 0);
    vax_visit waiting;
    assert_int_equal(vax_queue_checkin(t->db, p, &waiting), VAX_OK);
    vax_dose_in in = {waiting.id, v, VAX_ARM_NONE, 0, NULL, NULL, 0};
    assert_int_equal(vax_dose_give(t->db, &in, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "arm");
    in.arm = VAX_ARM_LEFT;
    assert_int_equal(vax_dose_give(t->db, &in, NULL), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "only in injection"));
    in.vial_id = 9999;
    assert_int_equal(vax_dose_give(t->db, &in, NULL), VAX_ESTATE);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 0);
    assert_int_equal(drawn(t, v), 0);
    assert_int_equal(state_of(t, waiting.id), VAX_STATE_WAITING_SCREENING);
    /* a volunteer may not give injections */
    int64_t visit = to_injection(t, new_person(t));
    sign_in(t, "tn", VAX_ROLE_VOLUNTEER);
    assert_int_equal(give(t, visit, v, 0, NULL, NULL), VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 0);
    tdb_close(t);
}

/* ---- the dose number ----------------------------------------------------------------------- */

static void test_dose_number_is_computed_from_the_non_voided_history(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), az = vial(t, "AZ", 0);
    int n = 0;
    assert_int_equal(vax_dose_next_number(t->db, p, &n), VAX_OK);
    assert_int_equal(n, 1);
    dose_now(t, p, az);
    vax_clock_advance(60 * DAY);
    int64_t az2 = vial(t, "AZ", 0);
    assert_int_equal(vax_dose_next_number(t->db, p, &n), VAX_OK);
    assert_int_equal(n, 2);
    dose_now(t, p, az2);
    vax_dose list[4];
    int count = 0;
    assert_int_equal(vax_dose_list(t->db, p, list, 4, &count), VAX_OK);
    assert_int_equal(count, 2);
    assert_int_equal(list[0].dose_number, 1);
    assert_int_equal(list[1].dose_number, 2);
    /* voiding dose 2 (recorded by mistake) makes the next dose number 2 again */
    assert_int_equal(vax_dose_void(t->db, list[1].id, ""), VAX_EINVAL);
    assert_int_equal(vax_dose_void(t->db, list[1].id, "wrong person"), VAX_OK);
    assert_int_equal(vax_dose_void(t->db, list[1].id, "again"), VAX_ESTATE);
    assert_int_equal(vax_dose_next_number(t->db, p, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(vax_dose_list(t->db, p, list, 4, &count), VAX_OK);
    assert_int_equal(count, 1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 2); /* kept */
    tdb_close(t);
}

static void test_changing_the_dose_number_needs_a_reason_which_is_recorded(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), v = vial(t, "AZ", 0);
    int64_t visit = to_injection(t, p);
    /* dose 1 given abroad, not in our records: the nurse says this is dose 2 */
    assert_int_equal(give(t, visit, v, 2, NULL, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "dose_number");
    assert_non_null(strstr(vax_errmsg(t->db), "the history gives dose 1"));
    assert_int_equal(give(t, visit, v, 2, "  ", NULL), VAX_EINVAL);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 0);
    assert_int_equal(drawn(t, v), 0);
    assert_int_equal(state_of(t, visit), VAX_STATE_INJECTION);
    assert_int_equal(give(t, visit, v, 2, "dose 1 in Ha Noi, card seen", NULL), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT dose_number FROM dose"), 2);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE number_reason ="
                                        " 'dose 1 in Ha Noi, card seen'"),
                     1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action ="
                                        " 'dose.override'"),
                     1);
    /* a reason of up to 199 bytes (the most it may have) reaches the audit row whole (it was cut
     * at 150) */
    char reason[400], sql[600];
    snprintf(reason, sizeof reason, "%s", "card seen");
    while (strlen(reason) < 150)
        strcat(reason, ", then the booklet checked line by line");
    int64_t v2 = vial(t, "AZ", 0), p2 = new_person(t), visit2 = to_injection(t, p2);
    assert_int_equal(give(t, visit2, v2, 2, reason, NULL), VAX_OK);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'dose.override' AND instr(details, '%s')",
             reason);
    assert_int_equal(query_int(t->path, sql), 1);
    tdb_close(t);
}

static void
test_same_person_series_and_number_twice_is_refused_unless_a_manager_overrides(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), v = vial(t, "AZ", 0);
    dose_now(t, p, v);
    vax_clock_advance(60 * DAY);
    int64_t v2 = vial(t, "AZ", 0);
    int64_t visit = to_injection(t, p);
    sign_in(t, "yta", VAX_ROLE_NURSE);
    assert_int_equal(give(t, visit, v2, 1, "card says dose 1", NULL), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "override");
    assert_non_null(strstr(vax_errmsg(t->db), "already has a dose 1"));
    assert_int_equal(give(t, visit, v2, 1, "card says dose 1", "repeat"), VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 1);
    assert_int_equal(drawn(t, v2), 0);
    assert_int_equal(state_of(t, visit), VAX_STATE_INJECTION);
    /* the database refuses a second row too */
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s,
                                  "INSERT INTO dose(uuid, person_id, product, dose_number,"
                                  " given_at, created_at, updated_at) SELECT 'x', person_id,"
                                  " product, 1, 0, 0, 0 FROM dose",
                                  NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    sqlite3_close(s);
    sign_in(t, "ql", VAX_ROLE_MANAGER);
    assert_int_equal(give(t, visit, v2, 1, "card says dose 1", "first dose was a saline error"),
                     VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE dose_number = 1"), 2);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE override_reason ="
                                        " 'first dose was a saline error'"),
                     1);
    tdb_close(t);
}

/* ---- intervals and mixing ------------------------------------------------------------------ */

static void test_dose_2_before_the_minimum_interval_is_refused_at_the_boundary(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), q = new_person(t), v = vial(t, "AZ", 0);
    dose_now(t, p, v);
    dose_now(t, q, v);
    vax_clock_advance(27 * DAY); /* AstraZeneca: at least 28 days */
    int64_t v2 = vial(t, "AZ", 0);
    int64_t visit = to_injection(t, p);
    assert_int_equal(give(t, visit, v2, 0, NULL, NULL), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "override");
    assert_non_null(strstr(vax_errmsg(t->db), "27 days ago"));
    assert_non_null(strstr(vax_errmsg(t->db), "from 12/11/2021"));
    sign_in(t, "yta", VAX_ROLE_NURSE);
    assert_int_equal(give(t, visit, v2, 0, NULL, "travelling abroad"), VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 2);
    assert_int_equal(drawn(t, v2), 0);
    sign_in(t, "bs", VAX_ROLE_DOCTOR);
    assert_int_equal(give(t, visit, v2, 0, NULL, "travelling abroad"), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE dose_number = 2 AND"
                                        " override_reason = 'travelling abroad'"),
                     1);
    /* on day 28 no override is needed */
    vax_clock_advance(DAY);
    assert_int_equal(vax_staff_act_as_os_user(t->db, "tester"), VAX_OK);
    int64_t v3 = vial(t, "AZ", 0), other = to_injection(t, q);
    sign_in(t, "yta", VAX_ROLE_NURSE);
    assert_int_equal(give(t, other, v2, 0, NULL, NULL), VAX_ESTATE); /* v2 is 24 h old */
    assert_int_equal(give(t, other, v3, 0, NULL, NULL), VAX_OK);
    tdb_close(t);
}

static void test_mixing_follows_the_next_list_of_the_previous_product(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t az_then_pf = new_person(t), pf_then_az = new_person(t), sp_then_pf = new_person(t);
    int64_t az = vial(t, "AZ", 0), pf = vial(t, "PF", 0), sp = vial(t, "SP", 0);
    dose_now(t, az_then_pf, az);
    dose_now(t, pf_then_az, pf);
    dose_now(t, sp_then_pf, sp);
    vax_clock_advance(60 * DAY);
    int64_t az2 = vial(t, "AZ", 0), pf2 = vial(t, "PF", 0);
    assert_int_equal(give(t, to_injection(t, az_then_pf), pf2, 0, NULL, NULL), VAX_OK);
    int64_t visit = to_injection(t, pf_then_az);
    assert_int_equal(give(t, visit, az2, 0, NULL, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "product");
    assert_non_null(strstr(vax_errmsg(t->db), "cannot follow PF"));
    assert_int_equal(give(t, to_injection(t, sp_then_pf), pf2, 0, NULL, NULL), VAX_EINVAL);
    assert_int_equal(drawn(t, az2), 0);
    assert_int_equal(drawn(t, pf2), 1);
    /* Moderna may follow Pfizer */
    int64_t mo = vial(t, "MO", 0);
    assert_int_equal(give(t, visit, mo, 0, NULL, NULL), VAX_OK);
    tdb_close(t);
}

static void test_sputnik_dose_2_needs_component_2(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), c1 = vial(t, "SV", 1);
    dose_now(t, p, c1);
    vax_clock_advance(21 * DAY);
    int64_t again = vial(t, "SV", 1), c2 = vial(t, "SV", 2);
    int64_t visit = to_injection(t, p);
    assert_int_equal(give(t, visit, again, 0, NULL, NULL), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "needs component 2"));
    assert_int_equal(give(t, visit, c2, 0, NULL, NULL), VAX_OK);
    tdb_close(t);
}

/* ---- limits and the void ------------------------------------------------------------------- */

/* 10 is the highest dose number, and a reason is under 200 characters: the limits themselves. */
static void test_dose_number_and_reason_limits_are_refused_at_their_boundary(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), v = vial(t, "AZ", 0);
    int64_t visit = to_injection(t, p);
    char reason[201];
    memset(reason, 'x', 200);
    reason[200] = 0;
    assert_int_equal(give(t, visit, v, 11, "card from abroad", NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "dose_number");
    assert_int_equal(give(t, visit, v, 2, reason, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "reason");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 0);
    assert_int_equal(drawn(t, v), 0);
    reason[199] = 0;
    assert_int_equal(give(t, visit, v, 2, reason, NULL), VAX_OK);
    tdb_close(t);
}

/* A dose is recorded only once the person is called into the injection room. */
static void test_no_dose_while_the_visit_waits_for_injection(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), v = vial(t, "AZ", 0);
    vax_visit w;
    assert_int_equal(vax_queue_checkin(t->db, p, &w), VAX_OK);
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION};
    for (int i = 0; i < 3; i++)
        assert_int_equal(vax_queue_move(t->db, w.id, path[i], NULL), VAX_OK);
    assert_int_equal(give(t, w.id, v, 0, NULL, NULL), VAX_ESTATE);
    assert_int_equal(state_of(t, w.id), VAX_STATE_WAITING_INJECTION);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 0);
    tdb_close(t);
}

/* A voided dose frees its number: the real dose 2 needs no manager; only a manager voids. */
static void test_a_voided_dose_frees_its_number_and_only_a_manager_voids(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), az = vial(t, "AZ", 0);
    vax_dose list[4];
    int count = 0;
    dose_now(t, p, az);
    vax_clock_advance(60 * DAY);
    dose_now(t, p, vial(t, "AZ", 0));
    assert_int_equal(vax_dose_list(t->db, p, list, 4, &count), VAX_OK);
    assert_int_equal(count, 2);
    sign_in(t, "yta", VAX_ROLE_NURSE);
    assert_int_equal(vax_dose_void(t->db, list[1].id, "wrong person"), VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE voided = 1"), 0);
    sign_in(t, "boss", VAX_ROLE_MANAGER);
    assert_int_equal(vax_dose_void(t->db, list[1].id, "wrong person"), VAX_OK);
    int64_t visit = to_injection(t, p);
    assert_int_equal(give(t, visit, vial(t, "AZ", 0), 0, NULL, NULL), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE voided = 0 AND"
                                        " dose_number = 2 AND override_reason = ''"),
                     1);
    tdb_close(t);
}

/* A nurse at the desk voids with a manager's login and PIN: a wrong PIN or a nurse's own login
 * changes nothing; the manager's voids the dose, revokes its certificate, and the audit row names
 * the manager beside the nurse. */
static void test_a_manager_confirms_a_void_at_the_nurses_desk(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t);
    vax_dose list[4];
    int count = 0, n = 0;
    dose_now(t, p, vial(t, "AZ", 0));
    vax_clock_advance(60 * DAY);
    dose_now(t, p, vial(t, "AZ", 0));
    assert_int_equal(vax_dose_list(t->db, p, list, 4, &count), VAX_OK);
    sign_in(t, "yta", VAX_ROLE_NURSE);
    assert_int_equal(vax_dose_void_confirmed(t->db, list[1].id, "", "boss", "1234"), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "reason");
    assert_int_not_equal(vax_dose_void_confirmed(t->db, list[1].id, "wrong person", "boss", "9999"),
                         VAX_OK);
    assert_int_equal(vax_dose_void_confirmed(t->db, list[1].id, "wrong person", "yta", "1234"),
                     VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE voided = 1"), 0);
    assert_int_equal(vax_dose_void_confirmed(t->db, list[1].id, "wrong person", "boss", "1234"),
                     VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE voided = 1"), 1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit a JOIN staff s ON s.id ="
                                        " a.staff_id WHERE a.action = 'dose.void' AND s.login ="
                                        " 'yta' AND a.details LIKE '%confirmed by boss%'"),
                     1);
    assert_int_equal(vax_dose_next_number(t->db, p, &n), VAX_OK);
    assert_int_equal(n, 2);
    tdb_close(t);
}

/* A dose voided before others: the later doses numbered from the history take the number before
 * theirs (dose 2 becomes 1), a dose whose number a certificate stated keeps it, and the void's
 * sync event names the doses it renumbered, so that a server renumbers the same ones. */
static void test_a_void_renumbers_the_later_doses_numbered_from_the_history(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t p = new_person(t), id = 0;
    vax_dose list[4];
    int count = 0, n = 0;
    dose_now(t, p, vial(t, "AZ", 0));
    vax_clock_advance(60 * DAY);
    dose_now(t, p, vial(t, "AZ", 0));
    vax_clock_advance(60 * DAY);
    char day[11], dmy[11];
    vax_local_date(vax_now() - DAY, day);
    vax_date_dmy(day, dmy);
    vax_dose_elsewhere e = {p, "AZ", dmy, 0, "Hà Nội", NULL, "URN:UVCI:01:XX:RENUMBER#1", NULL};
    assert_int_equal(vax_dose_record_elsewhere(t->db, &e, &id), VAX_OK);
    assert_int_equal(vax_dose_list(t->db, p, list, 4, &count), VAX_OK);
    assert_int_equal(count, 3);
    assert_int_equal(list[2].dose_number, 3);
    sign_in(t, "boss", VAX_ROLE_MANAGER);
    assert_int_equal(vax_dose_void(t->db, list[0].id, "recorded for the wrong person"), VAX_OK);
    vax_dose d;
    assert_int_equal(vax_dose_get(t->db, list[1].id, &d), VAX_OK);
    assert_int_equal(d.dose_number, 1); /* was 2: the history now begins with it */
    assert_int_equal(vax_dose_get(t->db, id, &d), VAX_OK);
    assert_int_equal(d.dose_number, 3); /* its certificate said 3 */
    assert_int_equal(vax_dose_next_number(t->db, p, &n), VAX_OK);
    assert_int_equal(n, 4);
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT json_array_length(body, '$.later') = 1 AND json_extract(body, '$.later[0]') ="
             " (SELECT uuid FROM dose WHERE id = %lld) FROM sync_outbox WHERE kind = 'dose_void'",
             (long long)list[1].id);
    assert_int_equal(query_int(t->path, sql), 1);
    /* voiding the last dose renumbers nothing */
    assert_int_equal(vax_dose_void(t->db, id, "a certificate of someone else"), VAX_OK);
    assert_int_equal(vax_dose_get(t->db, list[1].id, &d), VAX_OK);
    assert_int_equal(d.dose_number, 1);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dose_is_recorded_and_the_visit_moves_to_observing_together),
        cmocka_unit_test(test_bad_arm_or_visit_not_in_injection_writes_nothing),
        cmocka_unit_test(test_dose_number_is_computed_from_the_non_voided_history),
        cmocka_unit_test(test_changing_the_dose_number_needs_a_reason_which_is_recorded),
        cmocka_unit_test(
            test_same_person_series_and_number_twice_is_refused_unless_a_manager_overrides),
        cmocka_unit_test(test_dose_2_before_the_minimum_interval_is_refused_at_the_boundary),
        cmocka_unit_test(test_mixing_follows_the_next_list_of_the_previous_product),
        cmocka_unit_test(test_sputnik_dose_2_needs_component_2),
        cmocka_unit_test(test_dose_number_and_reason_limits_are_refused_at_their_boundary),
        cmocka_unit_test(test_no_dose_while_the_visit_waits_for_injection),
        cmocka_unit_test(test_a_voided_dose_frees_its_number_and_only_a_manager_voids),
        cmocka_unit_test(test_a_manager_confirms_a_void_at_the_nurses_desk),
        cmocka_unit_test(test_a_void_renumbers_the_later_doses_numbered_from_the_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
