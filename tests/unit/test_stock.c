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
/* sync's merge of a transfer another site sent (internal.h) */
int vax_stock_transfer_merge(vax_db *db, const char *body);

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
    vax_dose_in in = {visit, vial, VAX_ARM_LEFT, 0, NULL, NULL, 0};
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
    assert_int_equal(n, 9); /* every product of the catalogue */
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

/* ---- the ledger ---------------------------------------------------------------------------- */

/* What the test believes a lot holds, kept apart from the program's own figures. */
typedef struct model_lot {
    int64_t id;
    int dpv;
    int received, transferred_in, counted, given, wasted, transferred_out;
    int unopened;
} model_lot;

/* The balance of every lot: the ledger's sums equal the test's model, the equation holds, and the
 * ledger's doses on hand equal the lot's counters; vaxsite check's part finds nothing. */
static void assert_balanced(test_db *t, const model_lot *m, int n)
{
    for (int i = 0; i < n; i++) {
        vax_lot_balance b;
        vax_lot l;
        assert_int_equal(vax_stock_balance(t->db, m[i].id, 0, &b), VAX_OK);
        assert_int_equal(vax_stock_lot_get(t->db, m[i].id, &l), VAX_OK);
        assert_int_equal(b.received + b.transferred_in + b.counted,
                         b.on_hand + b.given + b.wasted + b.transferred_out);
        assert_int_equal(b.on_hand, l.doses_on_hand);
        assert_int_equal(b.vials_unopened, l.vials_unopened);
        assert_int_equal(b.received, m[i].received);
        assert_int_equal(b.transferred_in, m[i].transferred_in);
        assert_int_equal(b.counted, m[i].counted);
        assert_int_equal(b.given, m[i].given);
        assert_int_equal(b.wasted, m[i].wasted);
        assert_int_equal(b.transferred_out, m[i].transferred_out);
        assert_int_equal(b.vials_unopened, m[i].unopened);
    }
    char *lines = NULL;
    int bad = vax_stock_check(t->db, &lines);
    if (bad != 0)
        fail_msg("stock check: %d: %s", bad, lines ? lines : "");
    free(lines);
}

static model_lot *model_of(model_lot *m, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (m[i].id == id)
            return &m[i];
    fail_msg("lot %lld not in the model", (long long)id);
    return NULL;
}

/* Random sequences of every kind of movement; after each one every lot balances, and at the end
 * the stock of each lot at each earlier moment is what it was then. */
static void test_every_movement_keeps_every_lot_balanced_at_every_moment(void **state)
{
    (void)state;
    /* thousands of movements; the valgrind stage of ./test asks for fewer (it looks for memory
     * errors, and this loop under valgrind would take minutes) */
    enum { MAX_STEPS = 2000, MAXLOT = 8 };
    const int steps = getenv("VAXSITE_TEST_QUICK") ? 200 : MAX_STEPS;
    static const char *const products[] = {"AZ", "PF"};
    static const char *const lot_names[] = {"R1", "R2", "R3", "T1", "T2", "T3", "R4", "T4"};
    model_lot m[MAXLOT];
    int nlot = 0, kinds_done[8] = {0};
    struct {
        int64_t at;
        int on_hand[MAXLOT];
    } past[MAX_STEPS];
    unsigned seed = 20211015;
    test_db *t = tdb_open();
    memset(m, 0, sizeof m);
    for (int step = 0; step < steps; step++) {
        int kind = (int)(rand_r(&seed) % 8);
        int li = nlot ? (int)(rand_r(&seed) % (unsigned)nlot) : 0;
        vax_clock_advance(300);
        if (nlot == 0 || (kind <= 1 && nlot < MAXLOT && rand_r(&seed) % 3 == 0)) {
            /* a new lot: received, or taken in from another site */
            int vials = 1 + (int)(rand_r(&seed) % 6);
            const char *product = products[nlot % 2];
            vax_lot_in in = {product, lot_names[nlot], "2021-12-31", vials, 0, VAX_DPV_CATALOGUE,
                             0,       "CDC Lai Chau"};
            int64_t id = 0;
            int transfer = kind == 1;
            int rc = transfer ? vax_stock_transfer_in(t->db, &in, "LC-02", NULL, &id)
                              : vax_stock_receive(t->db, &in, &id);
            if (rc != VAX_OK)
                fail_msg("new lot: %s", vax_errmsg(t->db));
            vax_lot l;
            assert_int_equal(vax_stock_lot_get(t->db, id, &l), VAX_OK);
            m[nlot].id = id;
            m[nlot].dpv = l.doses_per_vial;
            if (transfer)
                m[nlot].transferred_in += vials * l.doses_per_vial;
            else
                m[nlot].received += vials * l.doses_per_vial;
            m[nlot].unopened += vials;
            nlot++;
            kinds_done[kind == 1 ? 1 : 0]++;
        } else {
            model_lot *x = &m[li];
            vax_lot l;
            assert_int_equal(vax_stock_lot_get(t->db, x->id, &l), VAX_OK);
            int n = x->unopened ? 1 + (int)(rand_r(&seed) % (unsigned)x->unopened) : 1;
            switch (kind) {
            case 0:
            case 1: { /* more of a lot already here */
                vax_lot_in in = {l.product, l.lot_no,          l.expiry, 2,
                                 0,         VAX_DPV_CATALOGUE, 0,        "CDC Lai Chau"};
                int rc = kind == 1 ? vax_stock_transfer_in(t->db, &in, "LC-02", NULL, NULL)
                                   : vax_stock_receive(t->db, &in, NULL);
                assert_int_equal(rc, VAX_OK);
                if (kind == 1)
                    x->transferred_in += 2 * x->dpv;
                else
                    x->received += 2 * x->dpv;
                x->unopened += 2;
                kinds_done[kind]++;
                break;
            }
            case 2: { /* open a vial and give from it */
                int64_t vid = 0;
                int rc = vax_stock_open_vial(t->db, x->id, "injection", &vid);
                if (x->unopened == 0) {
                    assert_int_equal(rc, VAX_ESTATE);
                    break;
                }
                assert_int_equal(rc, VAX_OK);
                x->unopened--;
                kinds_done[2]++;
                int doses = (int)(rand_r(&seed) % 3);
                for (int k = 0; k < doses; k++) {
                    assert_int_equal(give(t->db, visit_in_injection(t->db, t), vid), VAX_OK);
                    x->given++;
                }
                break;
            }
            case 3: { /* give from any open vial of the lot, or discard it */
                vax_vial v[64];
                int nv = 0;
                assert_int_equal(vax_stock_open_vials(t->db, NULL, v, 64, &nv), VAX_OK);
                for (int k = 0; k < nv; k++) {
                    model_lot *y = model_of(m, nlot, v[k].lot_id);
                    if (v[k].remaining > 0 && rand_r(&seed) % 2) {
                        assert_int_equal(give(t->db, visit_in_injection(t->db, t), v[k].id),
                                         VAX_OK);
                        y->given++;
                    } else {
                        int wasted = -1;
                        assert_int_equal(
                            vax_stock_discard_vial(t->db, v[k].id, VAX_DISCARD_BROKEN, &wasted),
                            VAX_OK);
                        assert_int_equal(wasted, v[k].remaining);
                        y->wasted += wasted;
                    }
                    kinds_done[3]++;
                    break;
                }
                break;
            }
            case 4: { /* unopened vials written off without opening them */
                int rc = vax_stock_writeoff(t->db, x->id, n, VAX_WRITEOFF_COLD_CHAIN);
                if (x->unopened == 0) {
                    assert_int_equal(rc, VAX_ESTATE);
                    break;
                }
                assert_int_equal(rc, VAX_OK);
                x->unopened -= n;
                x->wasted += n * x->dpv;
                kinds_done[4]++;
                break;
            }
            case 5: { /* sent to another site; one vial more than there is is refused */
                assert_int_equal(vax_stock_transfer_out(t->db, x->id, x->unopened + 1, "LC-03"),
                                 VAX_ESTATE);
                if (x->unopened == 0)
                    break;
                assert_int_equal(vax_stock_transfer_out(t->db, x->id, n, "LC-03"), VAX_OK);
                x->unopened -= n;
                x->transferred_out += n * x->dpv;
                kinds_done[5]++;
                break;
            }
            case 6: { /* a physical count finds a few more or fewer */
                int found = x->unopened + (int)(rand_r(&seed) % 5) - 2;
                int diff = 99;
                if (found < 0)
                    found = 0;
                if (found != x->unopened)
                    assert_int_equal(vax_stock_count(t->db, x->id, found, "", &diff), VAX_EINVAL);
                assert_int_equal(vax_stock_count(t->db, x->id, found, "đếm tủ lạnh", &diff),
                                 VAX_OK);
                assert_int_equal(diff, found - x->unopened);
                x->counted += diff * x->dpv;
                x->unopened = found;
                kinds_done[6]++;
                break;
            }
            default: { /* end of the day */
                vax_vial v[64];
                int nv = 0, vials = 0, wasted = 0, expect = 0;
                assert_int_equal(vax_stock_open_vials(t->db, NULL, v, 64, &nv), VAX_OK);
                for (int k = 0; k < nv; k++) {
                    model_of(m, nlot, v[k].lot_id)->wasted += v[k].remaining;
                    expect += v[k].remaining;
                }
                assert_int_equal(vax_stock_end_of_day(t->db, &vials, &wasted), VAX_OK);
                assert_int_equal(wasted, expect);
                kinds_done[7]++;
                break;
            }
            }
        }
        assert_balanced(t, m, nlot);
        past[step].at = vax_now();
        for (int i = 0; i < nlot; i++) {
            vax_lot l;
            assert_int_equal(vax_stock_lot_get(t->db, m[i].id, &l), VAX_OK);
            past[step].on_hand[i] = l.doses_on_hand;
        }
        for (int i = nlot; i < MAXLOT; i++)
            past[step].on_hand[i] = 0;
    }
    for (int k = 0; k < 8; k++)
        if (!kinds_done[k])
            fail_msg("movement kind %d never happened; change the seed", k);
    /* the stock at each earlier moment, read back from the ledger alone */
    for (int step = 0; step < steps; step++)
        for (int i = 0; i < nlot; i++) {
            vax_lot_balance b;
            assert_int_equal(vax_stock_balance(t->db, m[i].id, past[step].at, &b), VAX_OK);
            assert_int_equal(b.on_hand, past[step].on_hand[i]);
            assert_int_equal(b.received + b.transferred_in + b.counted,
                             b.on_hand + b.given + b.wasted + b.transferred_out);
        }
    tdb_close(t);
}

/* vaxsite check finds counters that no movement explains. */
static void test_check_finds_stock_changed_outside_the_ledger(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "AZ", "CHK1", "2021-12-31", 4);
    int64_t vial = open_vial(t, lot, "injection");
    char *lines = NULL;
    assert_int_equal(vax_stock_check(t->db, &lines), 0);
    assert_null(lines);
    assert_true(!raw_refused(t->path, "UPDATE lot SET vials_removed = 1"));
    assert_true(vax_stock_check(t->db, &lines) >= 2);
    assert_non_null(strstr(lines, "CHK1"));
    free(lines);
    assert_true(!raw_refused(t->path, "UPDATE lot SET vials_removed = 0"));
    assert_true(!raw_refused(t->path, "UPDATE vial SET drawn = 2"));
    assert_int_equal(vax_stock_check(t->db, &lines), 2); /* the doses on hand and the vial */
    free(lines);
    char *report = NULL;
    assert_int_equal(vax_db_check(t->db, &report), VAX_ECORRUPT);
    assert_non_null(strstr(report, "stock ledger"));
    free(report);
    assert_true(raw_refused(t->path, "DELETE FROM stock_move"));
    (void)vial;
    tdb_close(t);
}

/* Unopened vials leave only as many as there are, with a reason from the list, and never from a
 * lot that would then be opened below zero; a count that differs needs its reason. */
static void test_writeoff_transfer_and_count_refuse_what_is_not_there(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lot = receive(t, "AZ", "W1", "2021-12-31", 3);
    int64_t before = audit_rows(t);
    assert_int_equal(vax_stock_writeoff(t->db, lot, 4, VAX_WRITEOFF_BROKEN), VAX_ESTATE);
    assert_int_equal(vax_stock_writeoff(t->db, lot, 0, VAX_WRITEOFF_BROKEN), VAX_EINVAL);
    assert_int_equal(vax_stock_writeoff(t->db, lot, 1, VAX_WRITEOFF_COUNT), VAX_EINVAL);
    assert_int_equal(vax_stock_transfer_out(t->db, lot, 1, ""), VAX_EINVAL);
    assert_int_equal(audit_rows(t), before);
    assert_int_equal(vax_stock_writeoff(t->db, lot, 1, VAX_WRITEOFF_EXPIRED), VAX_OK);
    assert_int_equal(vax_stock_transfer_out(t->db, lot, 1, "LC-09"), VAX_OK);
    vax_lot l;
    assert_int_equal(vax_stock_lot_get(t->db, lot, &l), VAX_OK);
    assert_int_equal(l.vials_unopened, 1);
    assert_int_equal(l.doses_on_hand, 10);
    open_vial(t, lot, "injection");
    assert_int_equal(vax_stock_open_vial(t->db, lot, "injection", NULL), VAX_ESTATE);
    assert_int_equal(vax_stock_count(t->db, lot, 1, NULL, NULL), VAX_EINVAL);
    assert_int_equal(vax_stock_count(t->db, lot, 0, NULL, NULL), VAX_OK);
    assert_int_equal(audit_rows(t), before + 4);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM stock_move WHERE kind = 'waste'"
                                        " AND reason = 'expired' AND vials = -1 AND doses = -10"),
                     1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM stock_move WHERE staff_id IS NULL"),
                     0);
    tdb_close(t);
}

/* A transfer out goes into the sync outbox; at the site it names it becomes a transfer to
 * receive, taken in once with the sender's details. */
static void test_a_transfer_out_becomes_one_to_receive_at_the_other_site(void **state)
{
    (void)state;
    test_db *a = tdb_open();
    test_db *b = tdb_open();
    assert_true(!raw_refused(b->path, "INSERT INTO site(uuid, code, name, created_at, updated_at)"
                                      " SELECT 'b', 'x', 'Tam Đường', 0, 0"
                                      " WHERE NOT EXISTS (SELECT 1 FROM site)"));
    assert_true(!raw_refused(b->path, "UPDATE site SET code = 'LC-TAMDUONG'"));
    int64_t lot = receive(a, "PF", "FT9", "2021-12-31", 5);
    assert_int_equal(vax_stock_transfer_out(a->db, lot, 2, "LC-TAMDUONG"), VAX_OK);
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(a->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "SELECT body FROM sync_outbox WHERE kind = "
                                        "'stock_transfer'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *body = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(s);
    /* what sync's merge does with it: twice, and at a site it does not name */
    assert_int_equal(vax_stock_transfer_merge(b->db, body), VAX_OK);
    assert_int_equal(vax_stock_transfer_merge(b->db, body), VAX_OK);
    assert_int_equal(vax_stock_transfer_merge(a->db, body), VAX_OK);
    free(body);
    vax_transfer tr[4];
    int n = 0;
    assert_int_equal(vax_stock_transfers_to_receive(a->db, tr, 4, &n), VAX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(vax_stock_transfers_to_receive(b->db, tr, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(tr[0].lot_no, "FT9");
    assert_int_equal(tr[0].vials, 2);
    int64_t got = 0;
    assert_int_equal(vax_stock_transfer_in(b->db, NULL, NULL, tr[0].uuid, &got), VAX_OK);
    assert_int_equal(vax_stock_transfer_in(b->db, NULL, NULL, tr[0].uuid, NULL), VAX_ESTATE);
    vax_lot_balance bal;
    assert_int_equal(vax_stock_balance(b->db, got, 0, &bal), VAX_OK);
    assert_int_equal(bal.transferred_in, 2 * 6);
    assert_int_equal(bal.received, 0);
    assert_int_equal(vax_stock_transfers_to_receive(b->db, tr, 4, &n), VAX_OK);
    assert_int_equal(n, 0);
    tdb_close(a);
    tdb_close(b);
}

/* ---- GS1 ---------------------------------------------------------------------------------- */

static void test_gtin_check_digit(void **state)
{
    (void)state;
    char g[15];
    assert_int_equal(vax_gtin_normalise("09520000000103", g), VAX_OK);
    assert_int_equal(vax_gtin_normalise("9520000000103", g), VAX_OK); /* GTIN-13 */
    assert_string_equal(g, "09520000000103");
    assert_int_equal(vax_gtin_normalise("4006381333931", g), VAX_OK); /* GS1's own example */
    assert_int_equal(vax_gtin_normalise("09520000000104", g), VAX_EINVAL);
    assert_int_equal(vax_gtin_normalise("0952000000010", g), VAX_EINVAL);
    assert_int_equal(vax_gtin_normalise("0952000000010A", g), VAX_EINVAL);
}

static void test_gs1_element_strings_as_scanners_type_them(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "]d2010952000000010317211200"
        "10AB-12\x1d"
        "21SER9",
        "\x1d"
        "010952000000010317211200"
        "10AB-12\x1d"
        "21SER9",
        "010952000000010317211200"
        "10AB-12^]21SER9",
        "]d2010952000000010317211200"
        "10AB-12]d221SER9",
        "(01)09520000000103(17)211200(10)AB-12(21)SER9",
        "010952000000010321SER9\x1d"
        "17211200"
        "10AB-12",
    };
    char msg[200];
    vax_gs1 g;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (vax_gs1_parse(forms[i], 2021, &g, msg, sizeof msg) != VAX_OK)
            fail_msg("form %zu: %s", i, msg);
        assert_string_equal(g.gtin, "09520000000103");
        assert_string_equal(g.expiry, "2021-12-31"); /* day 00: the month's last */
        assert_string_equal(g.lot, "AB-12");
        assert_string_equal(g.serial, "SER9");
    }
    assert_int_equal(vax_gs1_parse("0109520000000103172202"
                                   "00",
                                   2021, &g, msg, sizeof msg),
                     VAX_OK);
    assert_string_equal(g.expiry, "2022-02-28");
    assert_int_equal(vax_gs1_parse("0109520000000103172402"
                                   "00",
                                   2021, &g, msg, sizeof msg),
                     VAX_OK);
    assert_string_equal(g.expiry, "2024-02-29");
    /* the century nearest the year of the scan */
    assert_int_equal(vax_gs1_parse("0109520000000103179912"
                                   "31",
                                   2021, &g, msg, sizeof msg),
                     VAX_OK);
    assert_string_equal(g.expiry, "1999-12-31");
    assert_int_equal(vax_gs1_parse("0109520000000104", 2021, &g, msg, sizeof msg), VAX_EINVAL);
    assert_non_null(strstr(msg, "check digit"));
    assert_int_equal(vax_gs1_parse("0109520000000103171313"
                                   "01",
                                   2021, &g, msg, sizeof msg),
                     VAX_EINVAL);
    assert_int_equal(vax_gs1_parse("01095200000001", 2021, &g, msg, sizeof msg), VAX_EINVAL);
    assert_int_equal(vax_gs1_parse("10ABC", 2021, &g, msg, sizeof msg), VAX_EINVAL);
    assert_int_equal(vax_gs1_parse("0109520000000103"
                                   "10"
                                   "ABCDEFGHIJKLMNOPQRSTU",
                                   2021, &g, msg, sizeof msg),
                     VAX_EINVAL);
    assert_int_equal(vax_gs1_parse("", 2021, &g, msg, sizeof msg), VAX_EINVAL);
}

/* A scan names the product by the catalogue's GTIN; an unknown GTIN and an expired lot are
 * refused with the reason; the scan receives and finds the lot. */
static void test_scan_receives_and_refuses_unknown_or_expired(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_scan sc;
    assert_int_equal(vax_stock_scan(t->db,
                                    "]d2010952000000030117211231"
                                    "10PF77\x1d"
                                    "21X1",
                                    &sc),
                     VAX_OK);
    assert_string_equal(sc.product, "PF");
    assert_string_equal(sc.lot_no, "PF77");
    assert_int_equal(vax_stock_scan(t->db,
                                    "]d201"
                                    "04006381333931"
                                    "17211231"
                                    "10L1",
                                    &sc),
                     VAX_ENOTFOUND);
    assert_non_null(strstr(vax_errmsg(t->db), "04006381333931"));
    assert_int_equal(vax_stock_scan(t->db,
                                    "]d201"
                                    "09520000000301"
                                    "17210930"
                                    "10L1",
                                    &sc),
                     VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "30/09/2021"));
    int64_t lot = 0;
    assert_int_equal(vax_stock_scan_lot(t->db,
                                        "0109520000000301172112311"
                                        "0PF77",
                                        &lot),
                     VAX_ENOTFOUND);
    int64_t id = receive(t, "PF", "pf77", "2021-12-31", 2);
    assert_int_equal(vax_stock_scan_lot(t->db,
                                        "0109520000000301172112311"
                                        "0PF77",
                                        &lot),
                     VAX_OK);
    assert_int_equal(lot, id);
    tdb_close(t);
}

/* Lots to use fast: doses a day before expiry, and those left over at the pace of the last week. */
static void test_use_fast_figures_at_the_current_pace(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t soon = receive(t, "AZ", "SOON", "2021-10-19", 2); /* 5 days with today: 20 doses */
    receive(t, "AZ", "LATER", "2021-10-24", 1);               /* 10 days: 10 doses */
    int64_t v = open_vial(t, soon, "injection");
    for (int k = 0; k < 7; k++) /* 7 doses in the last 7 days: a dose a day */
        assert_int_equal(give(t->db, visit_in_injection(t->db, t), v), VAX_OK);
    vax_use_fast u[8];
    int n = 0;
    assert_int_equal(vax_stock_use_fast(t->db, 7, u, 8, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(u[0].lot_no, "SOON");
    assert_int_equal(u[0].doses_on_hand, 13);
    assert_int_equal(u[0].days_left, 5);
    assert_int_equal(u[0].needed_per_day, 3);
    assert_int_equal(u[0].pace_tenths, 10);
    assert_int_equal(u[0].doses_at_risk, 8); /* 5 of 13 used by then */
    assert_string_equal(u[1].lot_no, "LATER");
    assert_int_equal(u[1].days_left, 10);
    assert_int_equal(u[1].doses_at_risk, 5); /* 10 days of pace, 5 of them went to SOON */
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
        cmocka_unit_test(test_every_movement_keeps_every_lot_balanced_at_every_moment),
        cmocka_unit_test(test_check_finds_stock_changed_outside_the_ledger),
        cmocka_unit_test(test_writeoff_transfer_and_count_refuse_what_is_not_there),
        cmocka_unit_test(test_a_transfer_out_becomes_one_to_receive_at_the_other_site),
        cmocka_unit_test(test_gtin_check_digit),
        cmocka_unit_test(test_gs1_element_strings_as_scanners_type_them),
        cmocka_unit_test(test_scan_receives_and_refuses_unknown_or_expired),
        cmocka_unit_test(test_use_fast_figures_at_the_current_pace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
