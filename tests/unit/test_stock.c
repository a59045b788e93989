/* test_stock.c: lots, vials, drawing, discards, wastage, and two stations on one vial. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* core-private date helpers (internal.h), tested here */
int vax_date_to_days(const char *ymd, int64_t *days);
void vax_days_to_date(int64_t days, char out[11]);

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

/* 1 if the raw statement is refused by the database itself (a CHECK constraint). */
static int raw_refused(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    int rc = sqlite3_exec(s, sql, NULL, NULL, NULL);
    sqlite3_close(s);
    return rc == SQLITE_CONSTRAINT;
}

static int64_t receive(test_db *t, const char *product, const char *lot, const char *expiry,
                       int vials)
{
    vax_lot_in in = {product, lot, expiry, vials, 0, VAX_DPV_CATALOGUE, 0, "CDC Lai Chau"};
    int64_t id = 0;
    if (vax_stock_receive(t->db, &in, &id) != VAX_OK)
        fail_msg("receive %s: %s", lot, vax_errmsg(t->db));
    return id;
}

static int64_t open_vial(test_db *t, int64_t lot, const char *station)
{
    int64_t id = 0;
    if (vax_stock_open_vial(t->db, lot, station, &id) != VAX_OK)
        fail_msg("open vial: %s", vax_errmsg(t->db));
    return id;
}

/* A new person whose visit today is in injection. */
static int64_t visit_in_injection(vax_db *db, test_db *t)
{
    char id[13], name[64];
    int serial = next_serial++;
    vax_visit v;
    tdb_cccd(id, 1980, 'm', serial);
    snprintf(name, sizeof name, "Tran Van %c%c%c", 'a' + serial / 676 % 26, 'a' + serial / 26 % 26,
             'a' + serial % 26);
    int64_t pid = tdb_person(t, name, id, "1980-05-05", NULL);
    assert_int_equal(vax_queue_checkin(db, pid, &v), VAX_OK);
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION};
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_queue_move(db, v.id, path[i], NULL), VAX_OK);
    return v.id;
}

static int give(vax_db *db, int64_t visit, int64_t vial)
{
    vax_dose_in in = {visit, vial, VAX_ARM_LEFT, 0, NULL, NULL};
    return vax_dose_give(db, &in, NULL);
}

static vax_vial vial_of(test_db *t, int64_t id)
{
    vax_vial v;
    assert_int_equal(vax_stock_vial_get(t->db, id, &v), VAX_OK);
    return v;
}

static int64_t audit_rows(test_db *t)
{
    return query_int(t->path, "SELECT count(*) FROM audit");
}

/* ---- receipt ------------------------------------------------------------------------------ */

static void test_lot_number_with_spaces_and_lower_case_is_normalised(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t id = receive(t, "AZ", "  ab 12-3c ", "2021-12-31", 5);
    vax_lot l;
    assert_int_equal(vax_stock_lot_get(t->db, id, &l), VAX_OK);
    assert_string_equal(l.lot_no, "AB12-3C");
    assert_string_equal(l.expiry, "2021-12-31");
    assert_int_equal(l.doses_per_vial, 10); /* the catalogue's */
    assert_int_equal(l.vials_received, 5);
    assert_int_equal(l.doses_on_hand, 50);
    assert_string_equal(l.supplier, "CDC Lai Chau");
    char out[VAX_LOT_NO_MAX + 1], msg[256];
    assert_int_equal(vax_lot_normalise("lot#1", out, msg, sizeof msg), VAX_EINVAL);
    assert_non_null(strstr(msg, "Lot number"));
    assert_int_equal(vax_lot_normalise("   ", out, msg, sizeof msg), VAX_EINVAL);
    tdb_close(t);
}

static void test_expiry_in_the_past_is_refused_and_nothing_is_written(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t audits = audit_rows(t);
    vax_lot_in in = {"AZ", "X1", "14/10/2021", 5, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "expiry");
    assert_non_null(strstr(vax_errmsg(t->db), "14/10/2021 has passed"));
    in.expiry = "31/02/2022";
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "expiry");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM lot"), 0);
    assert_int_equal(audit_rows(t), audits);
    /* the last day of use may be today */
    in.expiry = "15/10/2021";
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_OK);
    tdb_close(t);
}

static void test_doses_per_vial_zero_or_absurd_is_refused_and_nothing_is_written(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int bad[] = {0, 500, 51, -3};
    for (int i = 0; i < 4; i++) {
        vax_lot_in in = {"AZ", "X1", "2022-01-31", 5, 0, bad[i], 0, "CDC"};
        assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
        assert_string_equal(vax_errfield(t->db), "doses_per_vial");
        assert_non_null(strstr(vax_errmsg(t->db), "Doses per vial"));
    }
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM lot"), 0);
    /* a label of 8 doses per vial overrides the catalogue's 10 */
    vax_lot_in in = {"AZ", "X8", "2022-01-31", 0, 40, 8, 0, "CDC"};
    int64_t id;
    assert_int_equal(vax_stock_receive(t->db, &in, &id), VAX_OK);
    vax_lot l;
    assert_int_equal(vax_stock_lot_get(t->db, id, &l), VAX_OK);
    assert_int_equal(l.doses_per_vial, 8);
    assert_int_equal(l.vials_received, 5);
    /* and the database refuses it too */
    assert_true(raw_refused(t->path, "UPDATE lot SET doses_per_vial = 500"));
    tdb_close(t);
}

static void test_quantity_must_be_vials_or_whole_vials_of_doses(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_lot_in in = {"AZ", "X1", "2022-01-31", 0, 25, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "doses");
    in.vials = 2;
    in.doses = 20;
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    in.vials = 0;
    in.doses = 0;
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    in.doses = 20;
    in.supplier = "  ";
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "supplier");
    in.supplier = "CDC";
    in.product = "XX";
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_ENOTFOUND);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM lot"), 0);
    tdb_close(t);
}

static void test_same_lot_again_adds_vials_but_other_expiry_is_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t a = receive(t, "PF", "FF100", "2021-11-30", 10);
    int64_t b = receive(t, "PF", "ff 100", "2021-11-30", 5);
    assert_int_equal(a, b);
    vax_lot l;
    assert_int_equal(vax_stock_lot_get(t->db, a, &l), VAX_OK);
    assert_int_equal(l.vials_received, 15);
    assert_int_equal(l.doses_on_hand, 90);
    vax_lot_in in = {"PF", "FF100", "2021-12-30", 5, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EEXIST);
    assert_int_equal(vax_stock_lot_get(t->db, a, &l), VAX_OK);
    assert_int_equal(l.vials_received, 15);
    tdb_close(t);
}

static void test_a_nurse_cannot_receive_but_can_open_a_vial(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_staff s;
    int64_t lot = receive(t, "AZ", "A1", "2021-12-31", 2);
    assert_int_equal(vax_staff_add(t->db, "boss", "Site Manager", VAX_ROLE_MANAGER, "1234", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "yta", "Lo Thi Mai", VAX_ROLE_NURSE, "1234", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "yta", "1234", &s), VAX_OK);
    vax_lot_in in = {"AZ", "A2", "2021-12-31", 2, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EPERM);
    int64_t vial = open_vial(t, lot, "injection");
    assert_int_equal(vial_of(t, vial).opened_by, s.id);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM lot"), 1);
    tdb_close(t);
}

static void test_sputnik_lots_say_which_component(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_lot_in in = {"SV", "S1", "2021-12-31", 2, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "component");
    in.component = 2;
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_OK);
    vax_lot_in az = {"AZ", "A1", "2021-12-31", 2, 0, VAX_DPV_CATALOGUE, 1, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &az, NULL), VAX_EINVAL);
    tdb_close(t);
}

/* ---- opening and drawing ------------------------------------------------------------------- */

static void test_an_expired_lot_cannot_be_opened(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "AZ", "A1", "2021-10-15", 3);
    int64_t v1 = open_vial(t, lot, "injection"); /* its last day: still allowed */
    assert_true(v1 > 0);
    vax_clock_advance(24 * 3600);
    int64_t id = 0;
    assert_int_equal(vax_stock_open_vial(t->db, lot, "injection", &id), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "expired on 15/10/2021"));
    assert_int_equal(query_int(t->path, "SELECT vials_opened FROM lot"), 1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM vial"), 1);
    vax_lot l;
    assert_int_equal(vax_stock_lot_get(t->db, lot, &l), VAX_OK);
    assert_true(l.expired);
    int n = -1;
    vax_lot usable[4];
    assert_int_equal(vax_stock_lots(t->db, 1, usable, 4, &n), VAX_OK);
    assert_int_equal(n, 0);
    tdb_close(t);
}

static void test_open_vial_expiry_boundary(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "AZ", "A1", "2021-12-31", 3);
    int64_t vial = open_vial(t, lot, "injection");
    vax_vial v = vial_of(t, vial);
    assert_int_equal(v.expires_at, T0 + 360 * 60); /* AstraZeneca: 6 h after opening */
    assert_int_equal(v.minutes_left, 360);
    assert_int_equal(v.remaining, 10);
    int64_t a = visit_in_injection(t->db, t), b = visit_in_injection(t->db, t);
    vax_clock_advance(360 * 60 - 1); /* one second before: still usable */
    assert_int_equal(vial_of(t, vial).minutes_left, 1);
    assert_int_equal(give(t->db, a, vial), VAX_OK);
    vax_clock_advance(1); /* at the limit: expired */
    assert_int_equal(vial_of(t, vial).minutes_left, 0);
    assert_int_equal(give(t->db, b, vial), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "vial");
    assert_non_null(strstr(vax_errmsg(t->db), "expired after opening"));
    vax_visit vb;
    assert_int_equal(vax_visit_get(t->db, b, &vb), VAX_OK);
    assert_int_equal(vb.state, VAX_STATE_INJECTION);
    assert_int_equal(vial_of(t, vial).drawn, 1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 1);
    tdb_close(t);
}

static void test_doses_drawn_never_exceed_the_vial(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "PF", "F1", "2021-12-31", 1);
    int64_t vial = open_vial(t, lot, "injection");
    for (int i = 0; i < 6; i++)
        assert_int_equal(give(t->db, visit_in_injection(t->db, t), vial), VAX_OK);
    int64_t late = visit_in_injection(t->db, t);
    assert_int_equal(give(t->db, late, vial), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "empty"));
    vax_vial v = vial_of(t, vial);
    assert_int_equal(v.drawn, 6);
    assert_int_equal(v.remaining, 0);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 6);
    /* no vial left in the lot either */
    int64_t id;
    assert_int_equal(vax_stock_open_vial(t->db, lot, "injection", &id), VAX_ESTATE);
    assert_int_equal(query_int(t->path, "SELECT vials_opened FROM lot"), 1);
    tdb_close(t);
}

static void test_negative_stock_is_impossible_in_the_database_too(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "AZ", "A1", "2021-12-31", 1);
    open_vial(t, lot, "injection");
    const char *p = t->path;
    assert_true(raw_refused(p, "UPDATE vial SET drawn = -1"));
    assert_true(raw_refused(p, "UPDATE vial SET drawn = 11"));
    assert_true(raw_refused(p, "UPDATE vial SET drawn = 4, wasted = 7"));
    assert_true(raw_refused(p, "UPDATE lot SET vials_opened = 2"));
    assert_true(raw_refused(p, "UPDATE lot SET vials_opened = -1"));
    assert_true(raw_refused(p, "UPDATE lot SET vials_received = 0, vials_opened = 0"));
    assert_int_equal(query_int(p, "SELECT drawn FROM vial"), 0);
    assert_int_equal(query_int(p, "SELECT vials_opened FROM lot"), 1);
    tdb_close(t);
}

/* ---- discards and wastage ------------------------------------------------------------------ */

static void test_discard_records_wasted_doses_and_reason_once(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "AZ", "A1", "2021-12-31", 2);
    int64_t vial = open_vial(t, lot, "injection");
    for (int i = 0; i < 3; i++)
        assert_int_equal(give(t->db, visit_in_injection(t->db, t), vial), VAX_OK);
    int wasted = -1;
    assert_int_equal(vax_stock_discard_vial(t->db, vial, VAX_DISCARD_BROKEN, &wasted), VAX_OK);
    assert_int_equal(wasted, 7);
    vax_vial v = vial_of(t, vial);
    assert_int_equal(v.wasted, 7);
    assert_int_equal(v.reason, VAX_DISCARD_BROKEN);
    assert_int_equal(v.discarded_at, T0);
    assert_int_equal(vax_stock_discard_vial(t->db, vial, VAX_DISCARD_EXPIRED, &wasted), VAX_ESTATE);
    assert_int_equal(vial_of(t, vial).reason, VAX_DISCARD_BROKEN);
    assert_int_equal(give(t->db, visit_in_injection(t->db, t), vial), VAX_ESTATE);
    assert_int_equal(vax_stock_discard_vial(t->db, vial, (vax_discard)99, NULL), VAX_EINVAL);
    vax_lot l;
    assert_int_equal(vax_stock_lot_get(t->db, lot, &l), VAX_OK);
    assert_int_equal(l.doses_on_hand, 10); /* the unopened vial only */
    vax_discard r;
    assert_int_equal(vax_discard_parse("cold_chain", &r), VAX_OK);
    assert_int_equal(r, VAX_DISCARD_COLD_CHAIN);
    assert_int_equal(vax_discard_parse("lost", &r), VAX_EINVAL);
    tdb_close(t);
}

static void test_wastage_arithmetic_for_a_day(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t az = receive(t, "AZ", "A1", "2021-12-31", 5);
    int64_t pf = receive(t, "PF", "F1", "2021-10-20", 4);
    int64_t v1 = open_vial(t, az, "injection-1");
    int64_t v2 = open_vial(t, az, "injection-2");
    int64_t v3 = open_vial(t, az, "injection-2");
    for (int i = 0; i < 3; i++)
        assert_int_equal(give(t->db, visit_in_injection(t->db, t), v1), VAX_OK);
    for (int i = 0; i < 10; i++)
        assert_int_equal(give(t->db, visit_in_injection(t->db, t), v2), VAX_OK);
    assert_int_equal(give(t->db, visit_in_injection(t->db, t), v3), VAX_OK);
    assert_int_equal(vax_stock_discard_vial(t->db, v1, VAX_DISCARD_CONTAMINATED, NULL), VAX_OK);
    assert_int_equal(vax_stock_discard_vial(t->db, v2, VAX_DISCARD_END_OF_DAY, NULL), VAX_OK);
    vax_stock_day d;
    assert_int_equal(vax_stock_wastage(t->db, "AZ", "2021-10-15", &d), VAX_OK);
    assert_int_equal(d.vials_opened, 3);
    assert_int_equal(d.doses_opened, 30);
    assert_int_equal(d.doses_given, 14);
    assert_int_equal(d.doses_wasted, 7);
    assert_int_equal(d.doses_still_open, 9);
    assert_int_equal(d.wastage_permille, 233); /* 7 of 30 */
    assert_int_equal(d.doses_on_hand, 2 * 10 + 9);
    assert_int_equal(d.expiring_7d, 0);
    /* the Pfizer lot expires on the 20th: within 7 days */
    assert_int_equal(vax_stock_wastage(t->db, "PF", "2021-10-15", &d), VAX_OK);
    assert_int_equal(d.expiring_7d, 24);
    assert_int_equal(d.vials_opened, 0);
    assert_int_equal(d.wastage_permille, 0);
    /* another day has nothing opened */
    assert_int_equal(vax_stock_wastage(t->db, "AZ", "2021-10-16", &d), VAX_OK);
    assert_int_equal(d.vials_opened, 0);
    assert_int_equal(vax_stock_wastage(t->db, "AZ", "15/10", &d), VAX_EINVAL);
    (void)pf;
    vax_stock_day all[16];
    int n = 0;
    assert_int_equal(vax_stock_day_summary(t->db, "2021-10-15", all, 16, &n), VAX_OK);
    assert_int_equal(n, 8); /* every product of the catalogue */
    int found = 0;
    for (int i = 0; i < n; i++)
        if (!strcmp(all[i].product, "AZ")) {
            found = 1;
            assert_int_equal(all[i].doses_wasted, 7);
        }
    assert_true(found);
    tdb_close(t);
}

static void test_end_of_day_discards_every_open_vial_with_its_wasted_doses(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t az = receive(t, "AZ", "A1", "2021-12-31", 5);
    int64_t sv = 0;
    vax_lot_in in = {"SV", "S1", "2021-12-31", 2, 0, VAX_DPV_CATALOGUE, 1, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, &sv), VAX_OK);
    int64_t v1 = open_vial(t, az, "injection-1");
    int64_t v2 = open_vial(t, sv, "injection-2"); /* Sputnik: 2 hours */
    assert_int_equal(give(t->db, visit_in_injection(t->db, t), v1), VAX_OK);
    vax_clock_advance(3 * 3600);
    vax_vial open[8];
    int n = 0, vials = 0, wasted = 0;
    assert_int_equal(vax_stock_open_vials(t->db, NULL, open, 8, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(open[0].id, v2); /* soonest to expire first */
    assert_true(open[0].minutes_left <= 0);
    assert_int_equal(vax_stock_open_vials(t->db, "injection-1", open, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(vax_stock_end_of_day(t->db, &vials, &wasted), VAX_OK);
    assert_int_equal(vials, 2);
    assert_int_equal(wasted, 9 + 5);
    assert_int_equal(vial_of(t, v1).reason, VAX_DISCARD_END_OF_DAY);
    assert_int_equal(vial_of(t, v2).reason, VAX_DISCARD_EXPIRED);
    assert_int_equal(vax_stock_open_vials(t->db, NULL, open, 8, &n), VAX_OK);
    assert_int_equal(n, 0);
    tdb_close(t);
}

/* ---- two stations on one vial -------------------------------------------------------------- */

#define PER_CHILD 15
static test_db *volatile forked_parent;

static int injection_child(const char *path, const int64_t *visits, int n, int64_t vial)
{
    vax_db *db = NULL;
    int given = 0;
    vax_clock_set(T0);
    if (vax_open(path, 0, &db) != VAX_OK || vax_staff_act_as_os_user(db, "tester") != VAX_OK) {
        vax_close(db);
        return 200;
    }
    for (int i = 0; i < n; i++) {
        int rc = give(db, visits[i], vial);
        if (rc == VAX_OK)
            given++;
        else if (rc != VAX_ESTATE || strcmp(vax_errfield(db), "vial") != 0) {
            fprintf(stderr, "dose: %s\n", vax_errmsg(db));
            given = 201;
            break;
        }
    }
    vax_close(db);
    return given;
}

static void test_two_stations_drawing_from_one_vial_never_over_draw_it(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "AZ", "A1", "2021-12-31", 1);
    int64_t vial = open_vial(t, lot, "injection");
    int64_t visits[2 * PER_CHILD];
    for (int i = 0; i < 2 * PER_CHILD; i++)
        visits[i] = visit_in_injection(t->db, t);
    vax_close(t->db);
    t->db = NULL;
    forked_parent = t;
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0)
            _exit(injection_child(t->path, visits + k * PER_CHILD, PER_CHILD, vial));
    }
    int total = 0;
    for (int k = 0; k < 2; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) > 10)
            fail_msg("station %d failed (%d)", k + 1, WEXITSTATUS(status));
        total += WEXITSTATUS(status);
    }
    assert_int_equal(vax_open(t->path, 0, &t->db), VAX_OK);
    const char *p = t->path;
    assert_int_equal(total, 10);
    assert_int_equal(query_int(p, "SELECT drawn FROM vial"), 10);
    assert_int_equal(query_int(p, "SELECT count(*) FROM dose WHERE vial_id IS NOT NULL"), 10);
    assert_int_equal(query_int(p, "SELECT min(doses - drawn) FROM vial"), 0);
    assert_int_equal(query_int(p, "SELECT count(*) FROM visit WHERE state = 'observing'"), 10);
    assert_int_equal(query_int(p, "SELECT count(*) FROM visit WHERE state = 'injection'"), 20);
    forked_parent = NULL;
    tdb_close(t);
}

static void test_date_helpers_round_trip(void **state)
{
    (void)state;
    int64_t d;
    char out[11];
    assert_int_equal(vax_date_to_days("1970-01-01", &d), VAX_OK);
    assert_int_equal(d, 0);
    assert_int_equal(vax_date_to_days("2021-10-15", &d), VAX_OK);
    vax_days_to_date(d + 17, out);
    assert_string_equal(out, "2021-11-01");
    vax_days_to_date(d + 137, out);
    assert_string_equal(out, "2022-03-01");
    assert_int_equal(vax_date_to_days("2021-02-29", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("2024-02-29", &d), VAX_OK);
}

/* Days that do not exist are refused: month 13, 29 February of a century year not divisible by
 * 400; 29 February 2000 exists. */
static void test_date_helpers_refuse_days_that_do_not_exist(void **state)
{
    (void)state;
    int64_t d = 0;
    assert_int_equal(vax_date_to_days("2021-13-01", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("2021-00-01", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("1900-02-29", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("2021-02-29", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("2000-02-29", &d), VAX_OK);
    assert_int_equal(vax_date_to_days("2024-02-29", &d), VAX_OK);
}

/* An expiry with anything after the date is not a date; a lot number has at most
 * VAX_LOT_NO_MAX characters. */
static void
test_receipt_refuses_an_expiry_with_trailing_text_and_a_lot_number_too_long(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char lot[VAX_LOT_NO_MAX + 2], out[VAX_LOT_NO_MAX + 1], msg[128];
    vax_lot_in in = {"AZ", "A1", "31/12/2022 x", 5, 0, VAX_DPV_CATALOGUE, 0, "CDC Lai Chau"};
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "expiry");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM lot"), 0);
    memset(lot, 'A', VAX_LOT_NO_MAX + 1);
    lot[VAX_LOT_NO_MAX + 1] = 0;
    assert_int_equal(vax_lot_normalise(lot, out, msg, sizeof msg), VAX_EINVAL);
    lot[VAX_LOT_NO_MAX] = 0;
    assert_int_equal(vax_lot_normalise(lot, out, msg, sizeof msg), VAX_OK);
    assert_string_equal(out, lot);
    tdb_close(t);
}

/* Usable lots come first-expiry-first, and a lot with nothing left on hand is not usable. */
static void test_usable_lots_are_first_expiry_first_and_never_empty(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t later = receive(t, "AZ", "LATER", "31/12/2022", 2);
    int64_t sooner = receive(t, "PF", "SOONER", "30/11/2021", 2);
    int64_t empty = receive(t, "AZ", "EMPTY", "30/10/2021", 1);
    assert_int_equal(
        vax_stock_discard_vial(t->db, open_vial(t, empty, "injection"), VAX_DISCARD_BROKEN, NULL),
        VAX_OK);
    vax_lot lots[8];
    int n = 0;
    assert_int_equal(vax_stock_lots(t->db, 1, lots, 8, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(lots[0].id, sooner);
    assert_int_equal(lots[1].id, later);
    assert_int_equal(vax_stock_lots(t->db, 0, lots, 8, &n), VAX_OK);
    assert_int_equal(n, 3);
    tdb_close(t);
}

/* The day's figures run from local midnight to the last second before the next; "expiring within
 * 7 days" includes the seventh. */
static void test_day_figures_end_at_midnight_and_count_the_seventh_day_of_expiry(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t az = receive(t, "AZ", "A1", "2021-12-31", 5);
    receive(t, "PF", "F7", "2021-10-22", 1);
    vax_stock_day d;
    assert_int_equal(vax_stock_wastage(t->db, "PF", "2021-10-15", &d), VAX_OK);
    assert_true(d.expiring_7d > 0);
    assert_int_equal(d.expiring_7d, d.doses_on_hand);
    vax_clock_set(T0 + 15 * 3600); /* 16/10/2021 00:00:00 local */
    open_vial(t, az, "injection");
    assert_int_equal(vax_stock_wastage(t->db, "AZ", "2021-10-15", &d), VAX_OK);
    assert_int_equal(d.vials_opened, 0);
    assert_int_equal(vax_stock_wastage(t->db, "AZ", "2021-10-16", &d), VAX_OK);
    assert_int_equal(d.vials_opened, 1);
    assert_int_equal(vax_stock_wastage(t->db, "AZ", "2021-10-14", &d), VAX_OK);
    assert_int_equal(d.vials_opened, 0);
    tdb_close(t);
}

/* A vial opened before midnight of its lot's expiry day gives no dose after it. */
static void test_no_dose_from_a_lot_that_expired_while_its_vial_was_open(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_clock_set(T0 + 14 * 3600); /* 15/10/2021 23:00 local */
    int64_t lot = receive(t, "AZ", "LAST", "2021-10-15", 1);
    int64_t v = open_vial(t, lot, "injection");
    vax_clock_advance(2 * 3600);
    int64_t visit = visit_in_injection(t->db, t);
    assert_true(vial_of(t, v).minutes_left > 0);
    assert_int_equal(give(t->db, visit, v), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "expired"));
    assert_int_equal(vial_of(t, v).drawn, 0);
    tdb_close(t);
}

/* A discarded vial is named as discarded, to the nurse drawing from it and to a second discard;
 * a reason outside the list and an absurd receipt are refused. */
static void test_a_discarded_vial_says_so_and_bad_discards_or_receipts_are_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "AZ", "A1", "2021-12-31", 2);
    int64_t v = open_vial(t, lot, "injection");
    assert_int_equal(vax_stock_discard_vial(t->db, v, VAX_DISCARD_COUNT, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "reason");
    assert_int_equal(vax_stock_discard_vial(t->db, v, VAX_DISCARD_BROKEN, NULL), VAX_OK);
    assert_int_equal(vax_stock_discard_vial(t->db, v, VAX_DISCARD_BROKEN, NULL), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "already discarded"));
    assert_int_equal(give(t->db, visit_in_injection(t->db, t), v), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "was discarded"));
    vax_lot_in in = {"AZ", "HUGE", "2022-12-31", 100001, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "vials");
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lot_number_with_spaces_and_lower_case_is_normalised),
        cmocka_unit_test(test_expiry_in_the_past_is_refused_and_nothing_is_written),
        cmocka_unit_test(test_doses_per_vial_zero_or_absurd_is_refused_and_nothing_is_written),
        cmocka_unit_test(test_quantity_must_be_vials_or_whole_vials_of_doses),
        cmocka_unit_test(test_same_lot_again_adds_vials_but_other_expiry_is_refused),
        cmocka_unit_test(test_a_nurse_cannot_receive_but_can_open_a_vial),
        cmocka_unit_test(test_sputnik_lots_say_which_component),
        cmocka_unit_test(test_an_expired_lot_cannot_be_opened),
        cmocka_unit_test(test_open_vial_expiry_boundary),
        cmocka_unit_test(test_doses_drawn_never_exceed_the_vial),
        cmocka_unit_test(test_negative_stock_is_impossible_in_the_database_too),
        cmocka_unit_test(test_discard_records_wasted_doses_and_reason_once),
        cmocka_unit_test(test_wastage_arithmetic_for_a_day),
        cmocka_unit_test(test_end_of_day_discards_every_open_vial_with_its_wasted_doses),
        cmocka_unit_test(test_two_stations_drawing_from_one_vial_never_over_draw_it),
        cmocka_unit_test(test_date_helpers_round_trip),
        cmocka_unit_test(test_date_helpers_refuse_days_that_do_not_exist),
        cmocka_unit_test(
            test_receipt_refuses_an_expiry_with_trailing_text_and_a_lot_number_too_long),
        cmocka_unit_test(test_usable_lots_are_first_expiry_first_and_never_empty),
        cmocka_unit_test(test_day_figures_end_at_midnight_and_count_the_seventh_day_of_expiry),
        cmocka_unit_test(test_no_dose_from_a_lot_that_expired_while_its_vial_was_open),
        cmocka_unit_test(test_a_discarded_vial_says_so_and_bad_discards_or_receipts_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
