/* test_forms.c: what the Ministry's forms count that the site records for them: each dose's
 * vaccination round (annex 5 of QĐ 43/QĐ-BYT, "Đợt tiêm"). */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int next_serial = 1;

static int64_t person(test_db *t, const char *name, int year)
{
    char id[13];
    char birth[11];
    tdb_cccd(id, year, 'm', next_serial++);
    snprintf(birth, sizeof birth, "%04d-03-01", year);
    return tdb_person(t, name, id, birth, NULL);
}

static int64_t lot(test_db *t, const char *product, const char *lot_no)
{
    int64_t id;
    vax_lot_in in = {product, lot_no, "2022-06-30", 10, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    if (vax_stock_receive(t->db, &in, &id) != VAX_OK)
        fail_msg("receive: %s", vax_errmsg(t->db));
    return id;
}

/* a person checked in, screened eligible, vaccinated from vial: the dose's id */
static int64_t vaccinated(test_db *t, int64_t pid, int64_t vial)
{
    vax_visit v;
    vax_dose dose;
    assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_SCREENING, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_ELIGIBLE, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_WAITING_INJECTION, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_INJECTION, NULL), VAX_OK);
    vax_dose_in in = {.visit_id = v.id, .vial_id = vial, .arm = VAX_ARM_LEFT};
    if (vax_dose_give(t->db, &in, &dose) != VAX_OK)
        fail_msg("dose: %s", vax_errmsg(t->db));
    return dose.id;
}

static void round_of(test_db *t, int64_t dose, char out[33])
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, "SELECT round FROM dose WHERE id = ?1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, dose);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, 33, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(s);
}

static void test_a_dose_takes_the_round_in_progress_when_it_is_given(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char r[33];
    int64_t vial;
    assert_int_equal(vax_stock_open_vial(t->db, lot(t, "AZ", "A1"), "injection", &vial), VAX_OK);
    int64_t before = vaccinated(t, person(t, "Nguyen Van An", 1980), vial);
    round_of(t, before, r);
    assert_string_equal(r, ""); /* no round set: none is made up */
    assert_int_equal(vax_setting_set(t->db, "campaign.round", "12"), VAX_OK);
    int64_t in12 = vaccinated(t, person(t, "Tran Van Binh", 1975), vial);
    round_of(t, in12, r);
    assert_string_equal(r, "12");
    assert_int_equal(vax_setting_set(t->db, "campaign.round", "13"), VAX_OK);
    int64_t in13 = vaccinated(t, person(t, "Le Van Cuong", 1970), vial);
    round_of(t, in13, r);
    assert_string_equal(r, "13");
    /* a dose keeps the round it was given in */
    round_of(t, in12, r);
    assert_string_equal(r, "12");
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_dose_takes_the_round_in_progress_when_it_is_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
