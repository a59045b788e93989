/* test_schedule.c: the schedule rules as data: history in, next dose and due date out (one table
 * row a rule of assets/dose-rules.conf: primary series, age gates, additional dose, boosters after
 * same and mixed series, the second booster), then the same rules where a dose is given. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

typedef struct sched_case {
    const char *name;
    const char *day;  /* the rules in force on this day */
    int age;          /* -1: unknown */
    int immuno;       /* immunocompromised */
    const char *hist; /* "PF 2021-08-01, PF 2021-08-22, PF+ 2021-12-20" (+: additional) */
    int number;       /* expected next dose number */
    vax_dose_kind kind;
    int booster;
    int none;
    const char *earliest, *recommended, *latest, *products;
} sched_case;

static const sched_case cases[] = {
    {"no dose: every product allowed at 30", "2021-09-01", 30, 0, "", 1, VAX_KIND_PRIMARY, 0, 0, "",
     "", "", "AB AZ CS JJ MO PF SP SV"},
    {"no dose at 15 before CV 8688: nothing", "2021-10-01", 15, 0, "", 1, VAX_KIND_PRIMARY, 0, 0,
     "", "", "", ""},
    {"no dose at 15 after CV 8688: Pfizer only", "2021-10-20", 15, 0, "", 1, VAX_KIND_PRIMARY, 0, 0,
     "", "", "", "PF"},
    {"child of 8 before CV 1535: nothing", "2022-03-27", 8, 0, "", 1, VAX_KIND_PRIMARY, 0, 0, "",
     "", "", ""},
    {"child of 8 from CV 1535: the children's formulation only", "2022-03-28", 8, 0, "", 1,
     VAX_KIND_PRIMARY, 0, 0, "", "", "", "PFC"},
    {"15-year-old in 2022: the 12-and-over Pfizer only", "2022-04-01", 15, 0, "", 1,
     VAX_KIND_PRIMARY, 0, 0, "", "", "", "PF"},
    {"child of 9 after PFC dose 1: PFC dose 2 at 21 days", "2022-04-10", 9, 0, "PFC 2022-04-01", 2,
     VAX_KIND_PRIMARY, 0, 0, "2022-04-22", "2022-04-22", "", "PFC"},
    {"PFC dose 1 at 11, 12 at dose 2: the 12-and-over vial (CV 3405)", "2022-04-22", 12, 0,
     "PFC 2022-04-01", 2, VAX_KIND_PRIMARY, 0, 0, "2022-04-22", "2022-04-22", "", "PF"},
    {"a child's series: no booster rule for children", "2022-12-01", 10, 0,
     "PFC 2022-04-01, PFC 2022-04-22", 3, VAX_KIND_PRIMARY, 0, 1, "", "", "", ""},
    {"AZ dose 1: dose 2 at 28-84 days, AZ or PF (CV 6030, 7820)", "2021-10-01", 30, 0,
     "AZ 2021-09-25", 2, VAX_KIND_PRIMARY, 0, 0, "2021-10-23", "2021-12-18", "", "AZ PF"},
    {"AZ dose 1 at 15: dose 2 only of what a 15-year-old may have", "2021-10-20", 15, 0,
     "AZ 2021-09-25", 2, VAX_KIND_PRIMARY, 0, 0, "2021-10-23", "2021-12-18", "", "PF"},
    {"PF series before any booster rule: complete", "2021-11-25", 30, 0,
     "PF 2021-08-01, PF 2021-08-22", 3, VAX_KIND_PRIMARY, 0, 1, "", "", "", ""},
    {"PF series under CV 10225: booster at 6 months, same vaccine", "2021-12-05", 30, 0,
     "PF 2021-08-01, PF 2021-08-22", 3, VAX_KIND_BOOSTER, 1, 0, "2022-02-18", "2022-02-18", "",
     "PF"},
    {"PF series under CV 10722: booster at 3 months, same or mRNA", "2021-12-20", 30, 0,
     "PF 2021-08-01, PF 2021-08-22", 3, VAX_KIND_BOOSTER, 1, 0, "2021-11-20", "2021-11-20", "",
     "PF MO"},
    {"mixed AZ then PF: booster of either's list, 3 months after dose 2", "2022-01-10", 30, 0,
     "AZ 2021-07-01, PF 2021-09-01", 3, VAX_KIND_BOOSTER, 1, 0, "2021-11-30", "2021-11-30", "",
     "AZ PF MO"},
    {"mixed AZ then MO: AZ's list and MO's", "2022-01-10", 40, 0, "AZ 2021-07-01, MO 2021-09-01", 3,
     VAX_KIND_BOOSTER, 1, 0, "2021-11-30", "2021-11-30", "", "AZ PF MO"},
    {"Sinopharm series: Sinopharm or mRNA booster", "2022-01-10", 60, 0,
     "SP 2021-08-01, SP 2021-08-29", 3, VAX_KIND_BOOSTER, 1, 0, "2021-11-27", "2021-11-27", "",
     "SP PF MO"},
    {"Janssen (one dose): the booster is dose 2", "2022-01-10", 30, 0, "JJ 2021-09-01", 2,
     VAX_KIND_BOOSTER, 1, 0, "2021-11-30", "2021-11-30", "", "JJ PF MO"},
    {"16-year-old after the series: no booster (18 and over)", "2022-01-10", 16, 0,
     "PF 2021-10-20, PF 2021-11-10", 3, VAX_KIND_PRIMARY, 0, 1, "", "", "", ""},
    {"immunocompromised under CV 10225: additional at 28 days, no last day", "2021-12-05", 50, 1,
     "PF 2021-11-01, PF 2021-11-22", 3, VAX_KIND_ADDITIONAL, 0, 0, "2021-12-20", "2021-12-20", "",
     "PF"},
    {"immunocompromised under CV 10722: additional 28 days to 3 months", "2021-12-20", 50, 1,
     "PF 2021-11-01, PF 2021-11-22", 3, VAX_KIND_ADDITIONAL, 0, 0, "2021-12-20", "2021-12-20",
     "2022-02-20", "PF MO"},
    {"after the additional dose: booster 1, dose 4, 3 months after it", "2022-01-10", 50, 1,
     "PF 2021-11-01, PF 2021-11-22, PF+ 2021-12-20", 4, VAX_KIND_BOOSTER, 1, 0, "2022-03-20",
     "2022-03-20", "", "PF MO"},
    {"after booster 1, before CV 3309: no second booster", "2022-05-01", 50, 0,
     "PF 2021-08-01, PF 2021-08-22, MO 2022-01-10", 4, VAX_KIND_PRIMARY, 0, 1, "", "", "", ""},
    {"after booster 1, from CV 3309: booster 2 at 4 months", "2022-07-01", 50, 0,
     "PF 2021-08-01, PF 2021-08-22, MO 2022-01-10", 4, VAX_KIND_BOOSTER, 2, 0, "2022-05-10",
     "2022-05-10", "", "PF MO"},
    {"after booster 2: nothing further", "2022-12-01", 50, 0,
     "PF 2021-08-01, PF 2021-08-22, MO 2022-01-10, PF 2022-06-01", 5, VAX_KIND_PRIMARY, 0, 1, "",
     "", "", ""},
};

/* "PF 2021-08-01, PF+ 2021-12-20" -> a history. */
static int parse_hist(const char *text, vax_sched_dose *h, int max)
{
    int n = 0;
    const char *p = text;
    while (*p && n < max) {
        char product[16], day[11];
        int used = 0;
        if (sscanf(p, " %15[A-Z+] %10s%n", product, day, &used) != 2)
            break;
        memset(&h[n], 0, sizeof h[n]);
        size_t len = strlen(product);
        if (len && product[len - 1] == '+') {
            product[len - 1] = 0;
            h[n].additional = 1;
        }
        snprintf(h[n].product, sizeof h[n].product, "%s", product);
        snprintf(h[n].day, sizeof h[n].day, "%.10s", day);
        n++;
        p += used;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return n;
}

static void test_schedule_rules_table(void **state)
{
    test_db *t = tdb_open();
    vax_product cat[32];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sched_case *c = &cases[i];
        vax_sched_dose h[8];
        vax_sched_next next;
        int ncat = 0, n = parse_hist(c->hist, h, 8);
        assert_int_equal(vax_product_list_on(t->db, c->day, cat, 32, &ncat), VAX_OK);
        assert_int_equal(vax_schedule_next(cat, ncat, h, n, c->age, c->immuno, &next), VAX_OK);
        if (next.number != c->number || next.none != c->none ||
            (!c->none && (next.kind != c->kind || next.booster != c->booster)) ||
            strcmp(next.earliest, c->earliest) || strcmp(next.recommended, c->recommended) ||
            strcmp(next.latest, c->latest) || strcmp(next.products, c->products))
            fail_msg("%s: got dose %d kind %d booster %d none %d earliest '%s' rec '%s' latest "
                     "'%s' products '%s'",
                     c->name, next.number, next.kind, next.booster, next.none, next.earliest,
                     next.recommended, next.latest, next.products);
    }
    tdb_close(t);
}

/* ---- the same rules where doses are given ---------------------------------------------------- */

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

static int64_t vial(test_db *t, const char *product)
{
    static int lots = 0;
    char lot[16];
    int64_t lot_id, vial_id;
    snprintf(lot, sizeof lot, "S%d", ++lots);
    vax_lot_in in = {product, lot, "2023-12-31", 5, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    if (vax_stock_receive(t->db, &in, &lot_id) != VAX_OK)
        fail_msg("receive: %s", vax_errmsg(t->db));
    if (vax_stock_open_vial(t->db, lot_id, "injection", &vial_id) != VAX_OK)
        fail_msg("open: %s", vax_errmsg(t->db));
    return vial_id;
}

/* the refusal of the last give(), before the visit is moved on */
static char last_msg[600], last_field[64];

/* Gives a dose of `product` now: the visit ends when it is recorded, stays in injection if not. */
static int give(test_db *t, int64_t person, const char *product, int additional,
                const char *override, vax_dose *out)
{
    int64_t visit = to_injection(t, person);
    vax_dose_in in = {visit, vial(t, product), VAX_ARM_LEFT, 0, NULL, override, additional};
    int rc = vax_dose_give(t->db, &in, out);
    snprintf(last_msg, sizeof last_msg, "%s", vax_errmsg(t->db));
    snprintf(last_field, sizeof last_field, "%s", vax_errfield(t->db));
    if (rc == VAX_OK)
        assert_int_equal(vax_queue_move(t->db, visit, VAX_STATE_DONE, NULL), VAX_OK);
    else { /* refused: the person leaves, and may come back */
        assert_int_equal(vax_queue_move(t->db, visit, VAX_STATE_WAITING_INJECTION, NULL), VAX_OK);
        assert_int_equal(vax_queue_move(t->db, visit, VAX_STATE_LEFT, NULL), VAX_OK);
    }
    return rc;
}

static void sign_in(test_db *t, const char *login, vax_role role)
{
    vax_staff s;
    assert_int_equal(vax_staff_act_as_os_user(t->db, "tester"), VAX_OK);
    int rc = vax_staff_add(t->db, "boss", "Site Manager", VAX_ROLE_MANAGER, "1234", NULL);
    assert_true(rc == VAX_OK || rc == VAX_EEXIST);
    rc = vax_staff_add(t->db, login, "Staff Member", role, "1234", NULL);
    assert_true(rc == VAX_OK || rc == VAX_EEXIST);
    assert_int_equal(vax_staff_sign_in(t->db, login, "1234", &s), VAX_OK);
}

/* 09:00 local (UTC+7) on a day */
static int64_t at9(const char *day)
{
    int days;
    assert_int_equal(vax_date_diff("1970-01-01", day, &days), VAX_OK);
    return (int64_t)days * DAY + 2 * 3600;
}

static void test_booster_after_mixed_series_is_dose_3_by_the_rules_of_its_day(void **state)
{
    test_db *t = tdb_open();
    vax_dose d;
    vax_due due;
    (void)state;
    sign_in(t, "quanly", VAX_ROLE_MANAGER);
    int64_t p = tdb_person(t, "Lo Van Ba", "011090000101", "1990-03-03", NULL);
    vax_clock_set(at9("2021-08-02"));
    assert_int_equal(give(t, p, "AZ", 0, NULL, &d), VAX_OK);
    vax_clock_set(at9("2021-11-01"));
    assert_int_equal(give(t, p, "PF", 0, NULL, &d), VAX_OK); /* AZ then PF (CV 6030) */
    assert_int_equal(d.dose_number, 2);
    /* 20/11/2021: no booster rule yet; the series is complete and dose 3 needs an override with a
     * reason */
    vax_clock_set(at9("2021-11-20"));
    assert_int_equal(vax_due_for_person(t->db, p, &due), VAX_OK);
    assert_int_equal(due.state, VAX_DUE_COMPLETE);
    assert_int_equal(give(t, p, "PF", 0, NULL, NULL), VAX_ESTATE);
    assert_string_equal(last_field, "override");
    /* 20/12/2021 (CV 10722): a booster 3 months after dose 2, from 30/01/2022 */
    vax_clock_set(at9("2021-12-20"));
    assert_int_equal(vax_due_for_person(t->db, p, &due), VAX_OK);
    assert_int_equal(due.state, VAX_DUE_NOT_YET);
    assert_int_equal(due.kind, VAX_KIND_BOOSTER);
    assert_int_equal(due.next_dose, 3);
    assert_string_equal(due.earliest, "2022-01-30");
    assert_int_equal(give(t, p, "MO", 0, NULL, NULL), VAX_ESTATE);
    assert_non_null(strstr(last_msg, "30/01/2022"));
    /* on the day: Sinopharm may not give it (not the series' vaccine, not mRNA); Moderna may */
    vax_clock_set(at9("2022-01-30"));
    assert_int_equal(vax_due_for_person(t->db, p, &due), VAX_OK);
    assert_int_equal(due.state, VAX_DUE_DUE);
    assert_int_equal(give(t, p, "SP", 0, NULL, NULL), VAX_EINVAL);
    assert_string_equal(last_field, "product");
    assert_non_null(strstr(last_msg, "AZ PF MO"));
    assert_int_equal(give(t, p, "MO", 0, NULL, &d), VAX_OK);
    assert_int_equal(d.dose_number, 3);
    /* and the due list: the next is booster 2, from CV 3309 only */
    assert_int_equal(vax_due_for_person(t->db, p, &due), VAX_OK);
    assert_int_equal(due.state, VAX_DUE_COMPLETE);
    vax_clock_set(at9("2022-07-01"));
    assert_int_equal(vax_due_for_person(t->db, p, &due), VAX_OK);
    assert_int_equal(due.state, VAX_DUE_DUE);
    assert_int_equal(due.next_dose, 4);
    assert_string_equal(due.earliest, "2022-05-30");
    tdb_close(t);
}

static void test_additional_dose_is_a_decision_with_its_own_window(void **state)
{
    test_db *t = tdb_open();
    vax_dose d;
    vax_due due;
    (void)state;
    sign_in(t, "quanly2", VAX_ROLE_MANAGER);
    int64_t p = tdb_person(t, "Lo Thi Bon", "011170000102", "1970-04-04", NULL);
    vax_clock_set(at9("2021-11-01"));
    assert_int_equal(give(t, p, "PF", 1, NULL, NULL), VAX_EINVAL); /* not before a series */
    assert_string_equal(last_field, "additional");
    assert_int_equal(give(t, p, "PF", 0, NULL, &d), VAX_OK);
    vax_clock_set(at9("2021-11-22"));
    assert_int_equal(give(t, p, "PF", 0, NULL, &d), VAX_OK);
    /* 28 days after dose 2 (CV 10722): the additional dose, but only as one */
    vax_clock_set(at9("2021-12-20"));
    assert_int_equal(give(t, p, "PF", 0, NULL, NULL), VAX_ESTATE); /* a booster: too early */
    assert_int_equal(give(t, p, "PF", 1, NULL, &d), VAX_OK);
    assert_int_equal(d.dose_number, 3);
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(s, "SELECT additional FROM dose WHERE dose_number = 3", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(s);
    /* the booster after it is dose 4, 3 months after the additional dose */
    assert_int_equal(vax_due_for_person(t->db, p, &due), VAX_OK);
    assert_int_equal(due.kind, VAX_KIND_BOOSTER);
    assert_int_equal(due.next_dose, 4);
    assert_string_equal(due.earliest, "2022-03-20");
    /* a second additional dose is refused */
    vax_clock_set(at9("2022-03-20"));
    assert_int_equal(give(t, p, "PF", 1, NULL, NULL), VAX_EINVAL);
    assert_string_equal(last_field, "additional");
    tdb_close(t);
}

/* A booster given at another site is recorded by the booster rules of its day, not by the
 * primary series' mixing: Pfizer after two Sinopharm doses (CV 10722/BYT-DP: the same vaccine or
 * mRNA) is a booster, AstraZeneca after two Pfizer doses is not. */
static void test_a_booster_from_elsewhere_follows_the_booster_rules(void **state)
{
    test_db *t = tdb_open();
    (void)state;
    sign_in(t, "quanly3", VAX_ROLE_MANAGER);
    vax_clock_set(at9("2022-05-02"));
    int64_t a = tdb_person(t, "Lo Van Nam", "011080000103", "1980-05-05", NULL);
    int64_t b = tdb_person(t, "Lo Thi Sau", "011181000104", "1981-06-06", NULL);
    int64_t id = 0;
    vax_dose_elsewhere sp1 = {a, "SP", "01/08/2021", 0, "Trạm Y tế xã Nậm Tăm", NULL, NULL, NULL};
    vax_dose_elsewhere sp2 = {a, "SP", "29/08/2021", 0, "Trạm Y tế xã Nậm Tăm", NULL, NULL, NULL};
    vax_dose_elsewhere pf3 = {a, "PF", "01/03/2022", 0, "Bệnh viện tỉnh", NULL, NULL, NULL};
    assert_int_equal(vax_dose_record_elsewhere(t->db, &sp1, &id), VAX_OK);
    assert_int_equal(vax_dose_record_elsewhere(t->db, &sp2, &id), VAX_OK);
    if (vax_dose_record_elsewhere(t->db, &pf3, &id) != VAX_OK)
        fail_msg("Pfizer booster after Sinopharm: %s", vax_errmsg(t->db));
    vax_dose_elsewhere pf1 = {b, "PF", "01/08/2021", 0, "Trạm Y tế xã Nậm Tăm", NULL, NULL, NULL};
    vax_dose_elsewhere pf2 = {b, "PF", "22/08/2021", 0, "Trạm Y tế xã Nậm Tăm", NULL, NULL, NULL};
    vax_dose_elsewhere az3 = {b, "AZ", "01/03/2022", 0, "Bệnh viện tỉnh", NULL, NULL, NULL};
    assert_int_equal(vax_dose_record_elsewhere(t->db, &pf1, &id), VAX_OK);
    assert_int_equal(vax_dose_record_elsewhere(t->db, &pf2, &id), VAX_OK);
    assert_int_equal(vax_dose_record_elsewhere(t->db, &az3, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "product");
    assert_non_null(strstr(vax_errmsg(t->db), "PF MO"));
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_rules_table),
        cmocka_unit_test(test_booster_after_mixed_series_is_dose_3_by_the_rules_of_its_day),
        cmocka_unit_test(test_additional_dose_is_a_decision_with_its_own_window),
        cmocka_unit_test(test_a_booster_from_elsewhere_follows_the_booster_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
