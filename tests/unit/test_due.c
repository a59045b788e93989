/* test_due.c: next-dose dates per product (boundary days), due / overdue / complete, the due list
 * and its filters, the interval rule with a doctor's override, and mixed schedules. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

static int next_serial = 1;

static int64_t person(test_db *t, const char *commune)
{
    vax_person p;
    int serial = next_serial++;
    memset(&p, 0, sizeof p);
    tdb_cccd(p.national_id, 1980, 'f', serial);
    snprintf(p.full_name, sizeof p.full_name, "Lo Thi %c%c", 'a' + serial / 26 % 26,
             'a' + serial % 26);
    snprintf(p.birth_date, sizeof p.birth_date, "1980-05-05");
    snprintf(p.commune, sizeof p.commune, "%s", commune ? commune : "");
    if (vax_person_add(t->db, &p) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    return p.id;
}

/* A dose row the way the dose table has held them since schema 2. */
static void dose(test_db *t, int64_t pid, const char *product, int number, int64_t at)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char uuid[37];
    assert_int_equal(vax_uuid(uuid), VAX_OK);
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "INSERT INTO dose(uuid, person_id, product, dose_number,"
                                        " given_at, created_at, updated_at) VALUES (?1, ?2, ?3,"
                                        " ?4, ?5, ?5, ?5)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, pid);
    sqlite3_bind_text(st, 3, product, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, number);
    sqlite3_bind_int64(st, 5, at);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(s);
}

static void test_date_arithmetic_crosses_months_and_leap_years(void **state)
{
    char out[11];
    int d = 0;
    (void)state;
    assert_int_equal(vax_date_add("2021-10-15", 28, out), VAX_OK);
    assert_string_equal(out, "2021-11-12");
    assert_int_equal(vax_date_add("2020-02-28", 1, out), VAX_OK);
    assert_string_equal(out, "2020-02-29");
    assert_int_equal(vax_date_add("2021-12-31", 1, out), VAX_OK);
    assert_string_equal(out, "2022-01-01");
    assert_int_equal(vax_date_add("2021-03-01", -1, out), VAX_OK);
    assert_string_equal(out, "2021-02-28");
    assert_int_equal(vax_date_diff("2021-08-20", "2021-10-15", &d), VAX_OK);
    assert_int_equal(d, 56);
    assert_int_equal(vax_date_add("2021-02-29", 1, out), VAX_EINVAL);
    assert_int_equal(vax_date_add("15/10/2021", 1, out), VAX_EINVAL);
}

/* Per product, from the catalogue: dose 1 on 2021-09-01, checked on the boundary days. */
static void check_product(test_db *t, const char *code, int min, int rec)
{
    vax_product p;
    vax_due d;
    char earliest[11], recommended[11], day[11];
    assert_int_equal(vax_product_get(t->db, code, &p), VAX_OK);
    vax_date_add("2021-09-01", min, earliest);
    vax_date_add("2021-09-01", rec, recommended);
    /* the day before the earliest: not yet, one day to go */
    vax_date_add(earliest, -1, day);
    assert_int_equal(vax_due_compute(&p, 1, "2021-09-01", day, &d), VAX_OK);
    assert_int_equal(d.state, VAX_DUE_NOT_YET);
    assert_int_equal(d.days_to_earliest, 1);
    assert_string_equal(d.earliest, earliest);
    assert_string_equal(d.recommended, recommended);
    /* the earliest day itself: due */
    assert_int_equal(vax_due_compute(&p, 1, "2021-09-01", earliest, &d), VAX_OK);
    assert_int_equal(d.state, VAX_DUE_DUE);
    assert_int_equal(d.next_dose, 2);
    /* the recommended day: still due; the day after: overdue by 1 */
    assert_int_equal(vax_due_compute(&p, 1, "2021-09-01", recommended, &d), VAX_OK);
    assert_int_equal(d.state, VAX_DUE_DUE);
    vax_date_add(recommended, 1, day);
    assert_int_equal(vax_due_compute(&p, 1, "2021-09-01", day, &d), VAX_OK);
    assert_int_equal(d.state, VAX_DUE_OVERDUE);
    assert_int_equal(d.days_overdue, 1);
}

static void test_interval_rules_per_product_on_boundary_days(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    /* the Ministry of Health intervals in assets/products.conf */
    check_product(t, "AZ", 28, 56);
    check_product(t, "PF", 21, 21);
    check_product(t, "MO", 28, 28);
    check_product(t, "SP", 21, 28);
    check_product(t, "SV", 21, 21);
    check_product(t, "AB", 14, 14);
    /* Abdala's third dose, 14 days after the second */
    vax_product ab, jj;
    vax_due d;
    assert_int_equal(vax_product_get(t->db, "AB", &ab), VAX_OK);
    assert_int_equal(vax_due_compute(&ab, 2, "2021-10-01", "2021-10-15", &d), VAX_OK);
    assert_int_equal(d.state, VAX_DUE_DUE);
    assert_int_equal(d.next_dose, 3);
    assert_int_equal(vax_due_compute(&ab, 3, "2021-10-01", "2021-10-15", &d), VAX_OK);
    assert_int_equal(d.state, VAX_DUE_COMPLETE);
    /* Janssen: one dose completes the series */
    assert_int_equal(vax_product_get(t->db, "JJ", &jj), VAX_OK);
    assert_int_equal(vax_due_compute(&jj, 1, "2021-09-01", "2021-10-15", &d), VAX_OK);
    assert_int_equal(d.state, VAX_DUE_COMPLETE);
    assert_int_equal(vax_due_compute(&jj, 0, "", "2021-10-15", &d), VAX_OK);
    assert_int_equal(d.state, VAX_DUE_NONE);
    tdb_close(t);
}

struct seen {
    int n;
    int64_t ids[16];
    vax_due rows[16];
};

static int collect(const vax_due *d, void *ctx)
{
    struct seen *s = ctx;
    if (s->n < 16) {
        s->ids[s->n] = d->person_id;
        s->rows[s->n] = *d;
    }
    s->n++;
    return 0;
}

static void test_due_list_says_due_overdue_and_complete_with_filters(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    int64_t due = person(t, "Phường Tân Phong");       /* AZ 30 days ago: due */
    int64_t overdue = person(t, "Xã San Thàng");       /* PF 25 days ago: overdue by 4 */
    int64_t notyet = person(t, "Phường Tân Phong");    /* AZ 10 days ago: not yet */
    int64_t complete = person(t, "Phường Đông Phong"); /* PF twice: complete */
    dose(t, due, "AZ", 1, T0 - 30 * DAY);
    dose(t, overdue, "PF", 1, T0 - 25 * DAY);
    dose(t, notyet, "AZ", 1, T0 - 10 * DAY);
    dose(t, complete, "PF", 1, T0 - 50 * DAY);
    dose(t, complete, "PF", 2, T0 - 29 * DAY);
    person(t, NULL); /* no dose: not listed */
    struct seen s;
    vax_due_filter f;
    memset(&f, 0, sizeof f);
    memset(&s, 0, sizeof s);
    assert_int_equal(vax_due_list(t->db, &f, collect, &s), VAX_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], due);
    assert_int_equal(s.rows[0].state, VAX_DUE_DUE);
    assert_int_equal(s.ids[1], overdue);
    assert_int_equal(s.rows[1].state, VAX_DUE_OVERDUE);
    assert_int_equal(s.rows[1].days_overdue, 4);
    /* overdue only */
    memset(&s, 0, sizeof s);
    f.only_overdue = 1;
    assert_int_equal(vax_due_list(t->db, &f, collect, &s), VAX_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], overdue);
    /* by product, with the ones not due yet */
    memset(&s, 0, sizeof s);
    memset(&f, 0, sizeof f);
    snprintf(f.product, sizeof f.product, "AZ");
    f.include_not_yet = 1;
    assert_int_equal(vax_due_list(t->db, &f, collect, &s), VAX_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.rows[1].state, VAX_DUE_NOT_YET);
    assert_int_equal(s.rows[1].days_to_earliest, 18);
    /* by commune, typed without accents */
    memset(&s, 0, sizeof s);
    memset(&f, 0, sizeof f);
    snprintf(f.commune, sizeof f.commune, "tan phong");
    f.include_not_yet = 1;
    f.include_complete = 1;
    assert_int_equal(vax_due_list(t->db, &f, collect, &s), VAX_OK);
    assert_int_equal(s.n, 2);
    /* complete is listed when asked */
    memset(&s, 0, sizeof s);
    memset(&f, 0, sizeof f);
    f.include_complete = 1;
    assert_int_equal(vax_due_list(t->db, &f, collect, &s), VAX_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.rows[2].state, VAX_DUE_COMPLETE);
    /* one person's view, with a booking */
    vax_due d;
    assert_int_equal(vax_due_for_person(t->db, overdue, &d), VAX_OK);
    assert_int_equal(d.next_dose, 2);
    assert_string_equal(d.earliest, "2021-10-11");
    tdb_close(t);
}

static void test_voided_doses_do_not_count(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    int64_t p = person(t, NULL);
    dose(t, p, "PF", 1, T0 - 40 * DAY);
    dose(t, p, "PF", 2, T0 - 10 * DAY);
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(s, "UPDATE dose SET voided = 1 WHERE dose_number = 2", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(s);
    vax_due d;
    assert_int_equal(vax_due_for_person(t->db, p, &d), VAX_OK);
    assert_int_equal(d.doses, 1);
    assert_int_equal(d.state, VAX_DUE_OVERDUE);
    assert_int_equal(d.days_overdue, 19);
    tdb_close(t);
}

static void test_dose_before_the_minimum_interval_needs_a_doctor(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    int64_t p = person(t, NULL);
    dose(t, p, "AZ", 1, T0 - 27 * DAY);
    vax_staff s;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Hoa", VAX_ROLE_MANAGER, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "lan", "Lan", VAX_ROLE_NURSE, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "minh", "Minh", VAX_ROLE_DOCTOR, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1234", &s), VAX_OK);
    /* day 27: one day early */
    assert_int_equal(vax_due_check_dose(t->db, p, "AZ", 2, T0, NULL), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "earliest day is 16/10/2021 (1 days from now)"));
    /* a nurse's reason is not enough */
    assert_int_equal(vax_due_check_dose(t->db, p, "AZ", 2, T0, "travel"), VAX_ESTATE);
    /* day 28: allowed */
    assert_int_equal(vax_due_check_dose(t->db, p, "AZ", 2, T0 + DAY, NULL), VAX_OK);
    /* a doctor with a reason may give it early */
    assert_int_equal(vax_staff_sign_in(t->db, "minh", "1234", &s), VAX_OK);
    assert_int_equal(vax_due_check_dose(t->db, p, "AZ", 2, T0, ""), VAX_ESTATE);
    assert_int_equal(vax_due_check_dose(t->db, p, "AZ", 2, T0, "leaves the province"), VAX_OK);
    /* the dose number follows the history */
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1234", &s), VAX_OK);
    assert_int_equal(vax_due_check_dose(t->db, p, "AZ", 3, T0 + DAY, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "dose_number");
    assert_int_equal(vax_due_check_dose(t->db, person(t, NULL), "AZ", 1, T0, NULL), VAX_OK);
    tdb_close(t);
}

static void test_mixed_schedules_follow_the_catalogue_table(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    int64_t az = person(t, NULL), pf = person(t, NULL), sp = person(t, NULL);
    dose(t, az, "AZ", 1, T0 - 60 * DAY);
    dose(t, pf, "PF", 1, T0 - 30 * DAY);
    dose(t, sp, "SP", 1, T0 - 30 * DAY);
    /* AstraZeneca then Pfizer or Moderna */
    assert_int_equal(vax_due_check_dose(t->db, az, "PF", 2, T0, NULL), VAX_OK);
    assert_int_equal(vax_due_check_dose(t->db, az, "MO", 2, T0, NULL), VAX_OK);
    assert_int_equal(vax_due_check_dose(t->db, az, "SP", 2, T0, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "product");
    /* Pfizer and Moderna interchangeable, but not back to AstraZeneca */
    assert_int_equal(vax_due_check_dose(t->db, pf, "MO", 2, T0, NULL), VAX_OK);
    assert_int_equal(vax_due_check_dose(t->db, pf, "AZ", 2, T0, NULL), VAX_EINVAL);
    /* Sinopharm with Sinopharm only */
    assert_int_equal(vax_due_check_dose(t->db, sp, "SP", 2, T0, NULL), VAX_OK);
    assert_int_equal(vax_due_check_dose(t->db, sp, "PF", 2, T0, NULL), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "may continue only with SP"));
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_arithmetic_crosses_months_and_leap_years),
        cmocka_unit_test(test_interval_rules_per_product_on_boundary_days),
        cmocka_unit_test(test_due_list_says_due_overdue_and_complete_with_filters),
        cmocka_unit_test(test_voided_doses_do_not_count),
        cmocka_unit_test(test_dose_before_the_minimum_interval_needs_a_doctor),
        cmocka_unit_test(test_mixed_schedules_follow_the_catalogue_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
