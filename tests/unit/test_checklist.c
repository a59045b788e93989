/* test_checklist.c: screening checklists as data: the Ministry files, the loader's line-numbered
 * errors, a site's own checklist, and which one is in force. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char vax_asset_moh_3802_2021_08_conf[];
extern const char vax_asset_moh_5002_2021_10_conf[];
extern const char vax_asset_moh_4355_2021_09_conf[];
extern const char vax_asset_moh_5785_2021_12_conf[];
/* db.c: opens and migrates only up to `target`, to build the file an earlier build made */
int vax_open_at_version(const char *path, int flags, int target, vax_db **out);

/* 1 if the form asks the question with this key */
static int asks(const vax_checklist *c, const char *key)
{
    for (int i = 0; i < c->nitems; i++)
        if (strcmp(c->items[i].key, key) == 0)
            return 1;
    return 0;
}

#define HEAD                                                                                       \
    "# a site's own form\n"        /* 1 */                                                         \
    "[checklist]\n"                /* 2 */                                                         \
    "code = SITE-1\n"              /* 3 */                                                         \
    "version = 1\n"                /* 4 */                                                         \
    "valid_from = 2021-09-01\n"    /* 5 */                                                         \
    "vi = Phiếu của trạm\n"        /* 6 */                                                         \
    "en = The site's form\n"       /* 7 */                                                         \
    "source = Trạm Y tế, 9/2021\n" /* 8 */                                                         \
    "\n"                           /* 9 */                                                         \
    "[fever]\n"                    /* 10 */                                                        \
    "vi = Sốt\n"                   /* 11 */                                                        \
    "en = Fever now\n"             /* 12 */

static void expect_error(const char *text, const char *want)
{
    vax_checklist *c = malloc(sizeof *c);
    char err[600];
    assert_non_null(c);
    assert_int_equal(vax_checklist_check("site.conf", text, c, err, sizeof err), VAX_EINVAL);
    if (!strstr(err, want))
        fail_msg("expected \"%s\" in \"%s\"", want, err);
    free(c);
}

static int count_rows(test_db *t, const char *code)
{
    vax_checklist *all = malloc(sizeof *all * 16);
    int n = 0, found = 0;
    assert_non_null(all);
    assert_int_equal(vax_checklist_list(t->db, all, 16, &n), VAX_OK);
    for (int i = 0; i < n; i++)
        found += code ? strcmp(all[i].code, code) == 0 : 1;
    free(all);
    return found;
}

static void test_ministry_august_2021_file_has_ten_questions_and_the_vital_limits(void **state)
{
    (void)state;
    vax_checklist *c = malloc(sizeof *c);
    char err[600];
    assert_non_null(c);
    vax_set_lang("en");
    assert_int_equal(
        vax_checklist_check("moh", vax_asset_moh_3802_2021_08_conf, c, err, sizeof err), VAX_OK);
    assert_string_equal(c->code, "BYT-3802");
    assert_string_equal(c->valid_from, "2021-08-10");
    assert_non_null(strstr(c->source, "3802/QĐ-BYT"));
    assert_int_equal(c->nitems, 10);
    assert_int_equal(c->items[0].outcome, VAX_OUTCOME_CONTRAINDICATED);
    assert_string_equal(c->items[0].scope, "earlier");
    assert_int_equal(c->items[4].outcome, VAX_OUTCOME_REFERRED);
    assert_int_equal(c->items[5].consent, 1);
    assert_string_equal(c->items[5].finding, "pregnancy");
    assert_int_equal(c->nvitals, 6);
    /* temperature <35.5 or >37.5 °C, in tenths */
    assert_string_equal(c->vitals[0].key, "temperature");
    assert_int_equal(c->vitals[0].normal_lo, 355);
    assert_int_equal(c->vitals[0].normal_hi, 375);
    /* form item 10: an abnormal vital sign, a fever too, is the caution group */
    assert_int_equal(c->vitals[0].above, VAX_OUTCOME_CAUTION);
    assert_int_equal(c->vitals[1].normal_lo, 600); /* pulse 60-100 */
    assert_int_equal(c->vitals[1].normal_hi, 1000);
    assert_int_equal(c->vitals[4].normal_hi, 250); /* breathing > 25 */
    assert_int_equal(c->vitals[5].has_normal, 0);  /* SpO2: recorded, no limit in the form */
    /* annulled by QĐ 4355/QĐ-BYT 10/9/2021, Article 3 */
    assert_string_equal(c->valid_until, "2021-09-09");
    /* QĐ 4355/QĐ-BYT 10/9/2021: COVID-19 within 6 months postpones */
    assert_int_equal(
        vax_checklist_check("moh", vax_asset_moh_4355_2021_09_conf, c, err, sizeof err), VAX_OK);
    assert_string_equal(c->code, "BYT-4355");
    assert_string_equal(c->valid_from, "2021-09-10");
    assert_string_equal(c->valid_until, "2021-12-20");
    assert_int_equal(c->max_age, 0);
    assert_true(asks(c, "covid_6m"));
    /* QĐ 5785/QĐ-BYT 21/12/2021 replaces it for people aged 18 and over, and postpones only for
     * an acute illness and pregnancy under 13 weeks: the COVID-19 question is gone */
    assert_int_equal(
        vax_checklist_check("moh", vax_asset_moh_5785_2021_12_conf, c, err, sizeof err), VAX_OK);
    assert_string_equal(c->code, "BYT-5785");
    assert_string_equal(c->valid_from, "2021-12-21");
    assert_int_equal(c->min_age, 18);
    assert_false(asks(c, "covid_6m"));
    assert_true(asks(c, "acute") && asks(c, "preg_lt13"));
    /* QĐ 5002/QĐ-BYT 29/10/2021 is the children's checklist (5-17), not a December adult form:
     * its annex's eight questions, item 1 contraindicates, item 2 postpones, items 3 and 4 are
     * caution */
    assert_int_equal(
        vax_checklist_check("moh", vax_asset_moh_5002_2021_10_conf, c, err, sizeof err), VAX_OK);
    assert_string_equal(c->code, "BYT-5002");
    assert_int_equal(c->version, 3);
    assert_string_equal(c->valid_from, "2021-10-29");
    assert_int_equal(c->min_age, 5);
    assert_int_equal(c->max_age, 17);
    assert_int_equal(c->nitems, 8);
    assert_int_equal(c->items[0].outcome, VAX_OUTCOME_CONTRAINDICATED);
    assert_int_equal(c->items[1].outcome, VAX_OUTCOME_POSTPONED);
    assert_int_equal(c->items[2].outcome, VAX_OUTCOME_CAUTION);
    assert_int_equal(c->items[3].outcome, VAX_OUTCOME_CAUTION);
    assert_false(asks(c, "preg_lt13")); /* the children's checklist asks no pregnancy question */
    free(c);
}

static void test_question_text_follows_the_ui_language(void **state)
{
    (void)state;
    vax_checklist *c = malloc(sizeof *c);
    assert_non_null(c);
    vax_set_lang("vi");
    assert_int_equal(vax_checklist_check("moh", vax_asset_moh_3802_2021_08_conf, c, NULL, 0),
                     VAX_OK);
    assert_string_equal(c->items[2].text, "Đang mắc bệnh cấp tính");
    vax_set_lang("en");
    assert_int_equal(vax_checklist_check("moh", vax_asset_moh_3802_2021_08_conf, c, NULL, 0),
                     VAX_OK);
    assert_string_equal(c->items[2].text, "An acute illness now");
    free(c);
}

static void test_a_valid_site_file_loads(void **state)
{
    (void)state;
    vax_checklist *c = malloc(sizeof *c);
    assert_non_null(c);
    assert_int_equal(vax_checklist_check(
                         "site.conf", HEAD "outcome = postponed\npostpone_days = 3\n", c, NULL, 0),
                     VAX_OK);
    assert_int_equal(c->nitems, 1);
    assert_int_equal(c->items[0].outcome, VAX_OUTCOME_POSTPONED);
    assert_int_equal(c->items[0].postpone_days, 3);
    assert_int_equal(c->nvitals, 0);
    free(c);
}

static void test_unknown_outcome_is_an_error_on_its_line(void **state)
{
    (void)state;
    expect_error(HEAD "outcome = maybe\n",
                 "site.conf:13: \"outcome\": \"maybe\" is not an outcome");
}

static void test_does_not_consent_is_no_question_s_outcome(void **state)
{
    (void)state;
    expect_error(HEAD "outcome = declined\n",
                 "site.conf:13: \"outcome\": \"declined\" is not an outcome");
}

static void test_duplicate_key_is_an_error_on_the_second_line(void **state)
{
    (void)state;
    expect_error(HEAD "outcome = caution\nen = Fever\n",
                 "site.conf:14: \"en\" is given twice in [fever] (first on line 12)");
}

static void test_missing_field_is_an_error_on_the_section_line(void **state)
{
    (void)state;
    expect_error(HEAD "postpone_days = 3\n", "site.conf:10: [fever] has no \"outcome\"");
    expect_error(HEAD "outcome = postponed\n", "site.conf:10: [fever] has no \"postpone_days\"");
    expect_error("[checklist]\ncode = X\nversion = 1\nvalid_from = 2021-09-01\nvi = a\nen = b\n"
                 "[q]\nvi = a\nen = b\noutcome = caution\n",
                 "site.conf:1: [checklist] has no \"source\"");
}

static void test_other_broken_lines_are_named(void **state)
{
    (void)state;
    expect_error(HEAD "outcome = caution\ncolour = red\n", "site.conf:14: unknown key \"colour\"");
    expect_error(HEAD "outcome = caution\nscope = all\n",
                 "site.conf:14: \"scope\" is only for a contraindication");
    expect_error(HEAD "outcome = caution\n[vital.pulse]\nvi = Mạch\nen = Pulse\nunit = /min\n"
                      "physical = 20 250\nnormal = 100 60\n",
                 "site.conf:19: \"normal\" must be two numbers, low then high");
    expect_error(HEAD "outcome = caution\n[vital.pulse]\nvi = Mạch\nen = Pulse\nunit = /min\n",
                 "site.conf:14: [vital.pulse] has no \"physical\"");
    expect_error("[fever]\nvi = a\nen = b\noutcome = caution\n",
                 "site.conf:1: the file has no [checklist] section");
}

static void test_migration_stores_every_ministry_form(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    /* adults: QĐ 3802 (10/8/2021), QĐ 4355 (10/9/2021), QĐ 5785 (21/12/2021); children 12-17:
     * QĐ 5002 (29/10/2021) */
    assert_int_equal(count_rows(t, NULL), 4);
    assert_int_equal(count_rows(t, "BYT-3802"), 1);
    assert_int_equal(count_rows(t, "BYT-4355"), 1);
    assert_int_equal(count_rows(t, "BYT-5785"), 1);
    assert_int_equal(count_rows(t, "BYT-5002"), 1);
    tdb_close(t);
}

static void test_the_form_in_force_follows_valid_from_and_the_setting(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_checklist *c = malloc(sizeof *c);
    assert_non_null(c);
    /* the adult form of the day: QĐ 4355/QĐ-BYT annulled QĐ 3802 on 10/9/2021 (Article 3) */
    assert_int_equal(vax_checklist_current(t->db, c), VAX_OK); /* 15 Oct 2021 */
    assert_string_equal(c->code, "BYT-4355");
    vax_clock_set(T0 - 60 * 86400); /* 16 Aug 2021 */
    assert_int_equal(vax_checklist_current(t->db, c), VAX_OK);
    assert_string_equal(c->code, "BYT-3802");
    /* QĐ 5002/QĐ-BYT of 29/10/2021 is for children aged 12-17: adults keep QĐ 4355 */
    vax_clock_set(T0 + 20 * 86400); /* 4 Nov 2021 */
    assert_int_equal(vax_checklist_current(t->db, c), VAX_OK);
    assert_string_equal(c->code, "BYT-4355");
    vax_clock_set(T0 + 66 * 86400); /* 20 Dec 2021: the last day of QĐ 4355 */
    assert_int_equal(vax_checklist_current(t->db, c), VAX_OK);
    assert_string_equal(c->code, "BYT-4355");
    vax_clock_set(T0 + 67 * 86400); /* 21 Dec 2021: QĐ 5785/QĐ-BYT replaces it */
    assert_int_equal(vax_checklist_current(t->db, c), VAX_OK);
    assert_string_equal(c->code, "BYT-5785");
    assert_int_equal(vax_setting_set(t->db, "screening.checklist", "BYT-3802"), VAX_OK);
    assert_int_equal(vax_checklist_current(t->db, c), VAX_OK);
    assert_string_equal(c->code, "BYT-3802");
    assert_int_equal(vax_setting_set(t->db, "screening.checklist", "NONE"), VAX_OK);
    assert_int_equal(vax_checklist_current(t->db, c), VAX_ENOTFOUND);
    assert_string_equal(vax_errfield(t->db), "screening.checklist");
    free(c);
    tdb_close(t);
}

static void test_a_site_adds_its_own_checklist_and_a_changed_form_needs_a_new_version(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_checklist *c = malloc(sizeof *c);
    int64_t id = 0, again = 0;
    const char *v1 = HEAD "outcome = postponed\npostpone_days = 3\n";
    assert_non_null(c);
    assert_int_equal(vax_checklist_add(t->db, "site.conf", v1, &id), VAX_OK);
    assert_true(id > 0);
    assert_int_equal(count_rows(t, "SITE-1"), 1);
    /* the same file again: nothing new */
    assert_int_equal(vax_checklist_add(t->db, "site.conf", v1, &again), VAX_OK);
    assert_int_equal(again, id);
    assert_int_equal(count_rows(t, "SITE-1"), 1);
    /* other questions under the same version: refused, nothing written */
    assert_int_equal(vax_checklist_add(t->db, "site.conf", HEAD "outcome = caution\n", NULL),
                     VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "version");
    assert_int_equal(count_rows(t, "SITE-1"), 1);
    /* a broken file: the line, and nothing written */
    assert_int_equal(vax_checklist_add(t->db, "site.conf", HEAD "outcome = perhaps\n", NULL),
                     VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "site.conf:13:"));
    assert_int_equal(count_rows(t, NULL), 5); /* the four Ministry forms and the site's */
    assert_int_equal(vax_checklist_get(t->db, id, c), VAX_OK);
    assert_string_equal(c->items[0].key, "fever");
    free(c);
    tdb_close(t);
}

/* A site database of schema 13 as the builds of that schema left it: step 7 stored QĐ 3802 and a
 * BYT-5002 version 1 that was an adult form (no ages), and neither QĐ 4355 nor QĐ 5785. Opening
 * it migrates it: on 15/11/2021 an adult is screened with QĐ 4355 and a 15-year-old with the
 * children's 5002, version 3 (its annex's checklist, schema 30), not with the old adult row. */
static void test_a_schema_13_database_gets_the_later_forms_and_5002_version_3(void **state)
{
    (void)state;
    test_db *t = calloc(1, sizeof *t);
    vax_checklist *c = malloc(sizeof *c);
    sqlite3 *raw = NULL;
    vax_visit v;
    char id[13];
    assert_non_null(t);
    assert_non_null(c);
    snprintf(t->dir, sizeof t->dir, "/tmp/vaxtest.XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/site.db", t->dir);
    vax_clock_set(T0);
    vax_set_lang("en");
    assert_int_equal(vax_open_at_version(t->path, VAX_OPEN_CREATE, 13, &t->db), VAX_OK);
    vax_close(t->db);
    t->db = NULL;
    assert_int_equal(sqlite3_open(t->path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "DELETE FROM checklist WHERE code IN ('BYT-4355', 'BYT-5785');"
                                  "UPDATE checklist SET version = 1, text = replace(replace("
                                  "replace(text, 'version = 3', 'version = 1'),"
                                  " 'min_age = 5' || char(10), ''), 'max_age = 17' || char(10),"
                                  " '') WHERE code = 'BYT-5002';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);

    assert_int_equal(vax_open(t->path, 0, &t->db), VAX_OK);
    assert_int_equal(vax_db_schema_version(t->db), VAX_SCHEMA_VERSION);
    assert_int_equal(vax_staff_act_as_os_user(t->db, "tester"), VAX_OK);
    assert_int_equal(count_rows(t, "BYT-4355"), 1);
    assert_int_equal(count_rows(t, "BYT-5785"), 1);
    assert_int_equal(count_rows(t, "BYT-5002"), 2); /* the old row stays for its screenings */
    vax_clock_set(T0 + 31 * 86400);                 /* 15 Nov 2021 */

    tdb_cccd(id, 1990, 'm', 1);
    int64_t adult = tdb_person(t, "Nguyen Van An", id, "1990-02-03", NULL);
    assert_int_equal(vax_queue_checkin(t->db, adult, &v), VAX_OK);
    assert_int_equal(vax_screening_form(t->db, v.id, c), VAX_OK);
    assert_string_equal(c->code, "BYT-4355");

    tdb_cccd(id, 2006, 'f', 2);
    int64_t child = tdb_person(t, "Tran Thi Binh", id, "2006-03-01", NULL);
    assert_int_equal(vax_queue_checkin(t->db, child, &v), VAX_OK);
    assert_int_equal(vax_screening_form(t->db, v.id, c), VAX_OK);
    assert_string_equal(c->code, "BYT-5002");
    assert_int_equal(c->version, 3);
    assert_int_equal(c->max_age, 17);
    free(c);
    tdb_close(t);
}

static void test_outcome_codes_parse_back(void **state)
{
    (void)state;
    for (int i = 0; i < VAX_OUTCOME_COUNT; i++) {
        vax_outcome o;
        assert_int_equal(vax_outcome_parse(vax_outcome_code((vax_outcome)i), &o), VAX_OK);
        assert_int_equal(o, i);
    }
    vax_outcome o;
    assert_int_equal(vax_outcome_parse("maybe", &o), VAX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ministry_august_2021_file_has_ten_questions_and_the_vital_limits),
        cmocka_unit_test(test_question_text_follows_the_ui_language),
        cmocka_unit_test(test_a_valid_site_file_loads),
        cmocka_unit_test(test_unknown_outcome_is_an_error_on_its_line),
        cmocka_unit_test(test_does_not_consent_is_no_question_s_outcome),
        cmocka_unit_test(test_duplicate_key_is_an_error_on_the_second_line),
        cmocka_unit_test(test_missing_field_is_an_error_on_the_section_line),
        cmocka_unit_test(test_other_broken_lines_are_named),
        cmocka_unit_test(test_migration_stores_every_ministry_form),
        cmocka_unit_test(test_the_form_in_force_follows_valid_from_and_the_setting),
        cmocka_unit_test(test_a_site_adds_its_own_checklist_and_a_changed_form_needs_a_new_version),
        cmocka_unit_test(test_a_schema_13_database_gets_the_later_forms_and_5002_version_3),
        cmocka_unit_test(test_outcome_codes_parse_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
