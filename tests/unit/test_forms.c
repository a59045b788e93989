/* test_forms.c: the Ministry's report forms (QĐ 43/QĐ-BYT, assets/forms): each dose's vaccination
 * round, the daily results report (annex 5) of a session counted by hand, figure by figure and
 * row by row, and the end-of-round report (annex 6). */
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

/* The normal answers and vital signs of the August 2021 form (QĐ 3802/QĐ-BYT), which the setting
 * names: the proposal is "eligible", so every other outcome is the doctor's. */
static void normal_input(vax_screening_input *in)
{
    vax_screening_input_init(in);
    memset(in->answers, 'n', 10);
    in->vitals[0] = 366;
    in->vitals[1] = 800;
    in->vitals[2] = 1200;
    in->vitals[3] = 800;
    in->vitals[4] = 180;
    in->vitals[5] = 980;
}

/* a person checked in and screened with the doctor's outcome */
static int64_t screened(test_db *t, int64_t pid, vax_outcome o)
{
    vax_visit v;
    vax_screening_input in;
    vax_screening_decision d;
    normal_input(&in);
    memset(&d, 0, sizeof d);
    d.outcome = o;
    if (o != VAX_OUTCOME_DECLINED)
        snprintf(d.reason, sizeof d.reason, "doctor's decision");
    if (o == VAX_OUTCOME_POSTPONED)
        snprintf(d.return_date, sizeof d.return_date, "2021-10-22");
    assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_SCREENING, NULL), VAX_OK);
    if (vax_screening_confirm(t->db, v.id, &in, &d, NULL) != VAX_OK)
        fail_msg("confirm %s: %s", vax_outcome_code(o), vax_errmsg(t->db));
    return v.id;
}

static const char *cell(vax_form *f, const char *table, int row, const char *fig)
{
    const char *v = vax_form_cell(f, table, row, fig);
    if (!v)
        fail_msg("no row %d in %s", row, table);
    return v;
}

/* The session of the acceptance: two vaccines (AstraZeneca twice, Pfizer once), one person who
 * does not consent, one postponed, one contraindicated, one referred; a minor reaction after a
 * Pfizer dose; an AstraZeneca vial broken with 8 doses in it. */
static void test_the_daily_report_puts_each_figure_of_a_session_in_its_column(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t az, pf, az2;
    vax_form *f = NULL;
    int wasted = 0, stored = 0;
    assert_int_equal(vax_setting_set(t->db, "screening.checklist", "BYT-3802"), VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "campaign.round", "12"), VAX_OK);
    assert_int_equal(vax_stock_open_vial(t->db, lot(t, "AZ", "A1"), "injection", &az), VAX_OK);
    assert_int_equal(vax_stock_open_vial(t->db, lot(t, "PF", "P1"), "injection", &pf), VAX_OK);
    vaccinated(t, person(t, "Nguyen Van An", 1980), az);
    vaccinated(t, person(t, "Tran Van Binh", 1975), az);
    int64_t c = vaccinated(t, person(t, "Le Thi Cuc", 1990), pf);
    vax_dose dc;
    assert_int_equal(vax_dose_get(t->db, c, &dc), VAX_OK);
    assert_int_equal(
        vax_observe_record_reaction(t->db, dc.visit_id, "fever", 0, "observed", "", &stored),
        VAX_OK);
    screened(t, person(t, "Pham Van Dung", 1985), VAX_OUTCOME_DECLINED);
    screened(t, person(t, "Hoang Van Em", 1995), VAX_OUTCOME_POSTPONED);
    screened(t, person(t, "Vu Thi Phuong", 1970), VAX_OUTCOME_CONTRAINDICATED);
    screened(t, person(t, "Do Van Giang", 1960), VAX_OUTCOME_REFERRED);
    assert_int_equal(vax_stock_open_vial(t->db, lot(t, "AZ", "A2"), "injection", &az2), VAX_OK);
    assert_int_equal(vax_stock_discard_vial(t->db, az2, VAX_DISCARD_BROKEN, &wasted), VAX_OK);

    assert_int_equal(vax_form_daily(t->db, "2021-10-15", &f), VAX_OK);
    /* rows: AstraZeneca, Pfizer, the four not vaccinated (no vaccine of theirs), the total */
    assert_int_equal(vax_form_rows(f, "daily"), 4);
    int azr = -1, pfr = -1, none = -1;
    for (int i = 0; i < 3; i++) {
        const char *p = cell(f, "daily", i, "product");
        if (!strcmp(p, "AZ"))
            azr = i;
        else if (!strcmp(p, "PF"))
            pfr = i;
        else if (!p[0])
            none = i;
    }
    assert_true(azr >= 0 && pfr >= 0 && none >= 0);
    assert_string_equal(cell(f, "daily", azr, "round"), "12");
    assert_string_equal(cell(f, "daily", azr, "vaccine"), "AstraZeneca (Vaxzevria)");
    assert_string_equal(cell(f, "daily", azr, "planned"), "2");
    assert_string_equal(cell(f, "daily", azr, "primary.1"), "2");
    assert_string_equal(cell(f, "daily", azr, "primary.2"), "0");
    assert_string_equal(cell(f, "daily", azr, "used"), "2");
    assert_string_equal(cell(f, "daily", azr, "wasted"), "10"); /* the broken vial's 10 doses */
    assert_string_equal(cell(f, "daily", pfr, "primary.1"), "1");
    assert_string_equal(cell(f, "daily", pfr, "used"), "1");
    assert_string_equal(cell(f, "daily", pfr, "minor"), "1");
    assert_string_equal(cell(f, "daily", pfr, "serious"), "0");
    assert_string_equal(cell(f, "daily", none, "declined"), "1");
    assert_string_equal(cell(f, "daily", none, "postponed"), "1");
    assert_string_equal(cell(f, "daily", none, "contraindicated"), "1");
    assert_string_equal(cell(f, "daily", none, "referred"), "1");
    assert_string_equal(cell(f, "daily", none, "planned"), "4");
    assert_string_equal(cell(f, "daily", none, "round"), "12"); /* the round in progress */
    assert_string_equal(cell(f, "daily", 3, "planned"), "7");
    assert_string_equal(cell(f, "daily", 3, "primary.1"), "3");
    assert_string_equal(cell(f, "daily", 3, "wasted"), "10");
    assert_string_equal(cell(f, "daily", 3, "tt"), "");
    /* the same figures as the daily report counts them */
    vax_report *r = NULL;
    assert_int_equal(vax_report_make(t->db, "2021-10-15", NULL, &r), VAX_OK);
    assert_int_equal(r->outcomes[VAX_OUTCOME_DECLINED], 1);
    /* and the daily report names the outcome (its line had no words before) */
    tdb_text txt = {NULL, 0};
    vax_set_lang("en");
    assert_int_equal(vax_report_text(t->db, r, tdb_to_text, &txt), VAX_OK);
    assert_non_null(strstr(txt.s, "Does not consent"));
    free(txt.s);
    assert_int_equal(r->day.doses, 3);
    assert_int_equal(r->day.wasted, 10);
    vax_report_free(r);
    vax_form_free(f);

    /* a booked vaccine places the person who did not come under it; the day's only vaccine too */
    assert_int_equal(vax_form_daily(t->db, "2021-10-16", &f), VAX_OK);
    assert_int_equal(vax_form_rows(f, "daily"), 1); /* nothing that day: the total alone */
    assert_string_equal(cell(f, "daily", 0, "planned"), "0");
    vax_form_free(f);
    assert_int_equal(vax_form_daily(t->db, "15/10/2021x", &f), VAX_EINVAL);
    tdb_close(t);
}

static void test_the_end_of_round_report_counts_the_round_and_the_ones_before(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t az;
    vax_form *f = NULL;
    vax_set_lang("en");
    assert_int_equal(vax_stock_open_vial(t->db, lot(t, "AZ", "A1"), "injection", &az), VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "campaign.round", "11"), VAX_OK);
    int64_t a = person(t, "Nguyen Van An", 1980), b = person(t, "Tran Van Binh", 1975);
    vaccinated(t, a, az);
    assert_int_equal(vax_setting_set(t->db, "campaign.round", "12"), VAX_OK);
    vax_dose db;
    assert_int_equal(vax_dose_get(t->db, vaccinated(t, b, az), &db), VAX_OK);
    int stored = 0;
    assert_int_equal(vax_observe_record_reaction(t->db, db.visit_id, "fever headache", 1, "treated",
                                                 "", &stored),
                     VAX_OK);
    person(t, "Le Van Cuong", 1970); /* in the registry, not vaccinated */
    assert_int_equal(vax_form_round(t->db, "13", &f), VAX_ENOTFOUND);
    assert_int_equal(vax_form_round(t->db, NULL, &f), VAX_OK); /* the round in progress: 12 */
    assert_string_equal(cell(f, "units", 0, "people"), "3");
    assert_string_equal(cell(f, "units", 0, "primary.1"), "1");
    assert_string_equal(cell(f, "units", 0, "vaccinated"), "1");
    assert_string_equal(cell(f, "units", 0, "coverage"), "33.3");
    /* no priority group given: the total row holds the people with one */
    int n = vax_form_rows(f, "groups");
    assert_true(n >= 1);
    assert_string_equal(cell(f, "groups", n - 1, "group"), "Total");
    assert_int_equal(vax_form_rows(f, "vaccine"), 1);
    /* the stock ledger is by day: rounds 11 and 12 on one day share its receipt and draws */
    assert_string_equal(cell(f, "vaccine", 0, "received"), "100");
    assert_string_equal(cell(f, "vaccine", 0, "used"), "2");
    assert_string_equal(cell(f, "vaccine", 0, "left"), "98");
    /* the round's serious reaction, its signs by their names */
    assert_int_equal(vax_form_rows(f, "serious"), 1);
    assert_string_equal(cell(f, "serious", 0, "name"), "Tran Van Binh");
    assert_string_equal(cell(f, "serious", 0, "birth_year"), "1975");
    assert_string_equal(cell(f, "serious", 0, "vaccine"), "AstraZeneca (Vaxzevria)");
    assert_string_equal(cell(f, "serious", 0, "dose"), "1");
    assert_string_equal(cell(f, "serious", 0, "signs"), "Fever; Headache");
    assert_string_equal(cell(f, "serious", 0, "outcome"), "Treated on site"); /* not released */
    vax_form_free(f);
    tdb_close(t);
}

/* Each dose in its column: a booster is numbered after the product's series and after the
 * additional dose when there was one (the history of an immunocompromised person: AZ, AZ, the
 * additional dose, then a booster, which is dose 4 but booster 1). */
static void test_a_booster_after_an_additional_dose_is_booster_1(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_form *f = NULL;
    vax_visit v, w;
    char sql[1024];
    int64_t a = person(t, "Nguyen Van An", 1960), b = person(t, "Tran Van Binh", 1961);
    assert_int_equal(vax_queue_checkin(t->db, a, &v), VAX_OK);
    assert_int_equal(vax_queue_checkin(t->db, b, &w), VAX_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, additional,"
             " given_at, created_at, updated_at) VALUES"
             " ('a1', %1$lld, NULL, 'AZ', 1, 0, %3$lld - 200 * 86400, 0, 0),"
             " ('a2', %1$lld, NULL, 'AZ', 2, 0, %3$lld - 140 * 86400, 0, 0),"
             " ('a3', %1$lld, NULL, 'PF', 3, 1, %3$lld - 100 * 86400, 0, 0),"
             " ('a4', %1$lld, %2$lld, 'PF', 4, 0, %3$lld, 0, 0),"
             " ('b1', %4$lld, NULL, 'AZ', 1, 0, %3$lld - 200 * 86400, 0, 0),"
             " ('b2', %4$lld, %5$lld, 'AZ', 2, 0, %3$lld, 0, 0)",
             (long long)a, (long long)v.id, (long long)T0, (long long)b, (long long)w.id);
    tdb_exec_at(t->path, sql);
    assert_int_equal(vax_form_daily(t->db, "2021-10-15", &f), VAX_OK);
    int pf = strcmp(cell(f, "daily", 0, "product"), "PF") == 0 ? 0 : 1;
    assert_string_equal(cell(f, "daily", pf, "booster.1"), "1");
    assert_string_equal(cell(f, "daily", pf, "booster.2"), "0");
    assert_string_equal(cell(f, "daily", pf, "additional"), "0");
    assert_string_equal(cell(f, "daily", 1 - pf, "primary.2"), "1");
    vax_form_free(f);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_dose_takes_the_round_in_progress_when_it_is_given),
        cmocka_unit_test(test_the_daily_report_puts_each_figure_of_a_session_in_its_column),
        cmocka_unit_test(test_the_end_of_round_report_counts_the_round_and_the_ones_before),
        cmocka_unit_test(test_a_booster_after_an_additional_dose_is_booster_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
