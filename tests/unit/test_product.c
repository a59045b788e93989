/* test_product.c: the vaccine catalogue: the shipped file, the mixing table, and the loader's
 * refusals, each naming the file and line and changing nothing. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A minimal valid catalogue; the broken cases are this with one line changed. */
static const char good[] = "# test catalogue\n"   /* 1 */
                           "[AZ]\n"               /* 2 */
                           "name = AstraZeneca\n" /* 3 */
                           "manufacturer = AZ AB\n"
                           "series_doses = 2\n" /* 5 */
                           "interval.1 = 28 56\n"
                           "doses_per_vial = 10\n" /* 7 */
                           "open_vial_minutes = 360\n"
                           "next = AZ PF\n" /* 9 */
                           "dcc.vp = J07BX03\n"
                           "dcc.mp = EU/1/21/1529\n" /* 11 */
                           "dcc.ma = ORG-100001699\n"
                           "\n" /* 13 */
                           "[PF]\n"
                           "name = Pfizer\n" /* 15 */
                           "manufacturer = BioNTech\n"
                           "series_doses = 2\n" /* 17 */
                           "interval.1 = 21 21\n"
                           "doses_per_vial = 6\n" /* 19 */
                           "open_vial_minutes = 360\n"
                           "next = PF\n" /* 21 */
                           "dcc.vp = 1119349007\n"
                           "dcc.mp = EU/1/20/1528\n" /* 23 */
                           "dcc.ma = ORG-100030215\n";

/* good with line `line` (1-based) replaced by `with` (NULL: removed). malloc'd. */
static char *edit_line(int line, const char *with)
{
    size_t cap = sizeof good + 256;
    char *out = malloc(cap);
    const char *p = good;
    size_t o = 0;
    assert_non_null(out);
    for (int n = 1; *p; n++) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);
        if (n == line) {
            if (with)
                o += (size_t)snprintf(out + o, cap - o, "%s\n", with);
        } else {
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
    }
    out[o] = 0;
    return out;
}

static int64_t query_int(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static void test_shipped_catalogue_holds_the_nine_products_with_their_facts(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_product all[16], p;
    int n = 0;
    assert_int_equal(vax_product_list(t->db, all, 16, &n), VAX_OK);
    assert_int_equal(n, 9);
    const char *codes[] = {"AB", "AZ", "CS", "JJ", "MO", "PF", "PFC", "SP", "SV"};
    for (int i = 0; i < 9; i++)
        assert_string_equal(all[i].code, codes[i]);
    assert_int_equal(vax_product_get(t->db, "AZ", &p), VAX_OK);
    assert_int_equal(p.series_doses, 2);
    assert_int_equal(p.min_interval_days[1], 28);
    assert_int_equal(p.rec_interval_days[1], 56);
    assert_int_equal(p.doses_per_vial, 10);
    assert_int_equal(p.open_vial_minutes, 360);
    assert_int_equal(vax_product_get(t->db, "PF", &p), VAX_OK);
    assert_int_equal(p.doses_per_vial, 6);
    assert_int_equal(p.min_interval_days[1], 21);
    assert_string_equal(p.dose_ml, "0.3");
    assert_int_equal(p.max_age, 0);
    /* the children's formulation: its own volume, vial and time after dilution; ages 5-11 from
     * CV 1535/BYT-DP (28/3/2022), none before it */
    assert_int_equal(vax_product_get(t->db, "PFC", &p), VAX_OK);
    assert_string_equal(p.dose_ml, "0.2");
    assert_int_equal(p.doses_per_vial, 10);
    assert_int_equal(p.open_vial_minutes, 720);
    assert_true(p.min_age > p.max_age);
    vax_product_list_on(t->db, "2022-03-27", all, 16, &n);
    assert_string_equal(all[6].code, "PFC");
    assert_true(all[6].min_age > all[6].max_age);
    vax_product_list_on(t->db, "2022-03-28", all, 16, &n);
    assert_int_equal(all[6].min_age, 5);
    assert_int_equal(all[6].max_age, 11);
    assert_string_equal(all[6].dose_ml, "0.2");
    assert_int_equal(vax_product_get(t->db, "AB", &p), VAX_OK);
    assert_int_equal(p.series_doses, 3);
    assert_int_equal(p.min_interval_days[1], 14);
    assert_int_equal(p.min_interval_days[2], 14);
    assert_int_equal(vax_product_get(t->db, "JJ", &p), VAX_OK);
    assert_int_equal(p.series_doses, 1);
    assert_int_equal(p.doses_per_vial, 5);
    assert_int_equal(vax_product_get(t->db, "SV", &p), VAX_OK);
    assert_int_equal(p.components, 2);
    assert_true(vax_product_ruled_out_by(&p, "pregnancy"));
    assert_false(vax_product_ruled_out_by(&p, "preg"));
    assert_int_equal(vax_product_get(t->db, "XX", &p), VAX_ENOTFOUND);
    assert_string_equal(vax_errfield(t->db), "product");
    tdb_close(t);
}

static void test_mixing_table_of_2021(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_product az, pf, mo, sp;
    assert_int_equal(vax_product_get(t->db, "AZ", &az), VAX_OK);
    assert_int_equal(vax_product_get(t->db, "PF", &pf), VAX_OK);
    assert_int_equal(vax_product_get(t->db, "MO", &mo), VAX_OK);
    assert_int_equal(vax_product_get(t->db, "SP", &sp), VAX_OK);
    assert_true(vax_product_may_follow(&az, "PF"));
    assert_true(vax_product_may_follow(&az, "MO"));
    assert_true(vax_product_may_follow(&az, "AZ"));
    assert_true(vax_product_may_follow(&pf, "MO"));
    assert_true(vax_product_may_follow(&mo, "PF"));
    assert_false(vax_product_may_follow(&pf, "AZ"));
    assert_false(vax_product_may_follow(&sp, "AZ"));
    assert_true(vax_product_may_follow(&sp, "SP"));
    assert_false(vax_product_may_follow(&az, "P")); /* whole words only */
    assert_false(vax_product_may_follow(&az, ""));
    tdb_close(t);
}

static void test_a_valid_file_becomes_the_catalogue_and_others_become_inactive(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_product all[16], p;
    int n = 0;
    assert_int_equal(vax_product_load(t->db, "site.conf", good), VAX_OK);
    assert_int_equal(vax_product_list(t->db, all, 16, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(vax_product_get(t->db, "MO", &p), VAX_OK); /* kept, inactive */
    assert_int_equal(p.active, 0);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action ="
                                        " 'product.load'"),
                     1);
    /* the shipped file loads back */
    tdb_close(t);
}

static void test_loading_needs_the_settings_right(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_staff s;
    assert_int_equal(vax_staff_add(t->db, "boss", "Site Manager", VAX_ROLE_MANAGER, "1234", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "yta", "Y Ta", VAX_ROLE_NURSE, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "yta", "1234", &s), VAX_OK);
    assert_int_equal(vax_product_load(t->db, "site.conf", good), VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM product WHERE active = 1"), 9);
    tdb_close(t);
}

static const struct {
    int line;         /* of good to replace (0: append `with` at the end) */
    const char *with; /* NULL: remove the line */
    int error_line;
    const char *words; /* in the message */
} broken[] = {
    {7, "doses_per_vial = 0", 7, "doses_per_vial"},
    {7, "doses_per_vial = 500", 7, "from 1 to 50"},
    {7, "doses_per_vial = ten", 7, "not \"ten\""},
    {7, "dose_per_vial = 10", 7, "unknown key \"dose_per_vial\""},
    {7, "interval.1 = 28 56", 7, "given twice in [AZ] (first on line 6)"},
    {6, "interval.1 = 56 28", 6, "earliest then advised"},
    {6, "interval.1 = 28", 6, "two numbers"},
    {6, NULL, 2, "no \"interval.1 = MIN REC\""},
    {6, "interval.2 = 28 56", 2, "interval.1"},
    {3, NULL, 2, "no \"name\""},
    {3, "name =", 2, "no \"name\""},
    {9, "next = AZ XX", 9, "names XX"},
    {14, "[AZ]", 14, "[AZ] is given twice (first on line 2)"},
    {14, "[pf]", 14, "capital letters"},
    {14, "[PF", 14, "section header"},
    {1, "name = stray", 1, "before the first [section]"},
    {3, "name AstraZeneca", 3, "key = value"},
    {5, "series_doses = 9", 5, "series_doses"},
    {0, "not_in = smoking", 25, "not a finding"},
    {0, "interval.7 = 1 2", 25, "interval.7"},
    {0, "interval.x = 1 2", 25, "interval.x"},
    {0, "components = 3", 25, "components"},
    /* a vaccine code is digits: a slip is not sent on as a code */
    {0, "cvx = 21O", 25, "\"cvx\" is a code of 1 to 18 digits, not \"21O\""},
    {0, "snomed = 2876-1000087108", 25, "\"snomed\""},
};

static void test_each_broken_file_gives_a_line_numbered_error_and_changes_nothing(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t before = query_int(t->path, "SELECT count(*) FROM product WHERE active = 1");
    int64_t audits = query_int(t->path, "SELECT count(*) FROM audit");
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        char *text;
        if (broken[i].line) {
            text = edit_line(broken[i].line, broken[i].with);
        } else {
            text = malloc(sizeof good + 64);
            assert_non_null(text);
            snprintf(text, sizeof good + 64, "%s%s\n", good, broken[i].with);
        }
        char where[64];
        snprintf(where, sizeof where, "site.conf:%d: ", broken[i].error_line);
        int rc = vax_product_load(t->db, "site.conf", text);
        if (rc != VAX_EINVAL || strncmp(vax_errmsg(t->db), where, strlen(where)) != 0 ||
            !strstr(vax_errmsg(t->db), broken[i].words))
            fail_msg("case %zu (%s): rc %d, \"%s\"; wanted \"%s...%s\"", i,
                     broken[i].with ? broken[i].with : "(removed)", rc, vax_errmsg(t->db), where,
                     broken[i].words);
        assert_string_equal(vax_errfield(t->db), "file");
        free(text);
        assert_int_equal(query_int(t->path, "SELECT count(*) FROM product WHERE active = 1"),
                         before);
        assert_int_equal(query_int(t->path, "SELECT doses_per_vial FROM product WHERE code ="
                                            " 'AZ'"),
                         10);
    }
    assert_int_equal(vax_product_load(t->db, "empty.conf", "# nothing\n"), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "empty.conf:1:"));
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit"), audits);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_catalogue_holds_the_nine_products_with_their_facts),
        cmocka_unit_test(test_mixing_table_of_2021),
        cmocka_unit_test(test_a_valid_file_becomes_the_catalogue_and_others_become_inactive),
        cmocka_unit_test(test_loading_needs_the_settings_right),
        cmocka_unit_test(test_each_broken_file_gives_a_line_numbered_error_and_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
