/* test_search.c: the registry's search with a birth year or date typed among the name words. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static int setup(void **state)
{
    *state = tdb_open();
    return 0;
}

static int teardown(void **state)
{
    tdb_close(*state);
    return 0;
}

/* Searches and checks that the results are exactly the ids in `want`, in any order. */
static void assert_found(test_db *t, const char *query, const int64_t *want, int n)
{
    vax_person out[16];
    int got = -1;
    int rc = vax_person_search(t->db, query, out, 16, &got);
    if (rc != VAX_OK)
        fail_msg("search(%s): %d %s", query, rc, vax_errmsg(t->db));
    if (got != n) {
        for (int i = 0; i < got; i++)
            print_message("# search(%s)[%d] = #%lld %s %s\n", query, i, (long long)out[i].id,
                          out[i].full_name, out[i].birth_date);
        fail_msg("search(%s): %d results, expected %d", query, got, n);
    }
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int j = 0; j < got; j++)
            found += out[j].id == want[i];
        if (found != 1)
            fail_msg("search(%s): #%lld found %d times", query, (long long)want[i], found);
    }
}

static int64_t add(test_db *t, const char *name, const char *birth, char sex, int serial)
{
    char id[13];
    tdb_cccd(id, atoi(birth), sex, serial);
    return tdb_person(t, name, id, birth, NULL);
}

/* Four women called Nguyễn Thị Hương, told apart by their birth dates alone. */
struct namesakes {
    int64_t dec54, may54, dec60, mar54_other;
};

static void add_namesakes(test_db *t, struct namesakes *n)
{
    n->dec54 = add(t, "Nguyễn Thị Hương", "1954-12-14", 'f', 1);
    n->may54 = add(t, "Nguyễn Thị Hương", "1954-05-01", 'f', 2);
    n->dec60 = add(t, "Nguyễn Thị Hương", "1960-12-14", 'f', 3);
    n->mar54_other = add(t, "Bùi Thị Trang", "1954-03-14", 'f', 4);
    for (int i = 0; i < 20; i++) /* more namesakes, none born in 1954 */
        add(t, "Nguyễn Thị Hương", i % 2 ? "1970-01-02" : "1981-07-09", 'f', 10 + i);
}

static void test_search_year_narrows_namesakes(void **state)
{
    test_db *t = *state;
    struct namesakes n;
    add_namesakes(t, &n);
    const int64_t y54[] = {n.dec54, n.may54}, y60[] = {n.dec60};
    assert_found(t, "huong 1954", y54, 2);
    assert_found(t, "hương 1954", y54, 2);
    assert_found(t, "1954 huong", y54, 2);
    assert_found(t, "nguyen 1954 thi huong", y54, 2);
    assert_found(t, "nguyen thi huong 1960", y60, 1);
    assert_found(t, "ng th hu 1960", y60, 1); /* prefixes still work with a year */
}

static void test_search_day_month_narrows_namesakes(void **state)
{
    test_db *t = *state;
    struct namesakes n;
    add_namesakes(t, &n);
    const int64_t dec14[] = {n.dec54, n.dec60}, trang[] = {n.mar54_other};
    assert_found(t, "huong 14/12", dec14, 2);
    assert_found(t, "huong 14-12", dec14, 2);
    assert_found(t, "bui trang 14/3", trang, 1);
    assert_found(t, "bui trang 14/12", NULL, 0);
}

static void test_search_month_year_and_full_date(void **state)
{
    test_db *t = *state;
    struct namesakes n;
    add_namesakes(t, &n);
    const int64_t one[] = {n.dec54}, may[] = {n.may54};
    assert_found(t, "hương 12/1954", one, 1);
    assert_found(t, "huong 5/1954", may, 1);
    assert_found(t, "huong 14/12/1954", one, 1);
    assert_found(t, "huong 14.12.1954", one, 1);
    assert_found(t, "huong 14121954", one, 1);
    assert_found(t, "huong 14/12 1954", one, 1); /* day/month and year apart */
    assert_found(t, "14/12/1954", one, 1);       /* a date with '/' alone: everyone born then */
    assert_found(t, "huong 15/12/1954", NULL, 0);
    assert_found(t, "huong 1954 1960", NULL, 0); /* two years: nobody */
}

static void test_search_date_with_nfd_name_and_old_tone_placement(void **state)
{
    test_db *t = *state;
    char *nfd = (char *)utf8proc_NFD((const utf8proc_uint8_t *)"Trần Thị Hoà");
    assert_non_null(nfd);
    int64_t a = add(t, nfd, "1954-12-14", 'f', 1);
    int64_t b = add(t, "Trần Thị Hòa", "1962-02-01", 'f', 2);
    const int64_t want_a[] = {a}, want_b[] = {b};
    assert_found(t, "hòa 1954", want_a, 1); /* new tone placement, NFD name */
    assert_found(t, "hoà 1962", want_b, 1); /* old tone placement */
    char q[128];
    char *nfd_hoa = (char *)utf8proc_NFD((const utf8proc_uint8_t *)"hoà");
    snprintf(q, sizeof q, "%s 14/12", nfd_hoa);
    assert_found(t, q, want_a, 1); /* NFD query */
    free(nfd_hoa);
    free(nfd);
}

static void test_search_number_alone_or_outside_the_years_is_still_an_id(void **state)
{
    test_db *t = *state;
    /* a 9-digit CMND that starts like a year */
    vax_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.full_name, sizeof p.full_name, "%s", "Lê Văn Hương");
    snprintf(p.national_id, sizeof p.national_id, "%s", "195400001");
    snprintf(p.birth_date, sizeof p.birth_date, "%s", "1980-01-01");
    assert_int_equal(vax_person_add(t->db, &p), VAX_OK);
    int64_t born54 = add(t, "Lê Thị Hương", "1954-01-01", 'f', 1);
    const int64_t by_id[] = {p.id}, by_year[] = {born54};
    assert_found(t, "1954", by_id, 1);         /* digits alone: an ID prefix */
    assert_found(t, "huong 1954", by_year, 1); /* beside a name word: a year */
    assert_found(t, "huong 1899", NULL, 0);    /* before 1900: not a year, no ID starts so */
    assert_found(t, "huong 2030", NULL, 0);    /* after this year (2021): not a year */
    char q[64];
    snprintf(q, sizeof q, "huong %.6s", p.national_id);
    assert_found(t, q, by_id, 1); /* 6 digits: an ID prefix as before */
}

static void test_search_follows_a_corrected_birth_date(void **state)
{
    test_db *t = *state;
    int64_t id = add(t, "Phạm Văn Long", "1954-12-14", 'm', 1);
    vax_person p;
    assert_int_equal(vax_person_get(t->db, id, &p), VAX_OK);
    snprintf(p.birth_date, sizeof p.birth_date, "%s", "1955-12-14");
    /* the ID's century and year digits follow the birth year */
    tdb_cccd(p.national_id, 1955, 'm', 1);
    assert_int_equal(vax_person_update(t->db, &p, "birth year typed wrong"), VAX_OK);
    const int64_t want[] = {id};
    assert_found(t, "long 1955", want, 1);
    assert_found(t, "long 1954", NULL, 0);
    assert_found(t, "long 14/12/1955", want, 1);
}

/* Many people of one name and birth year, and one of another name born that year: the index
 * may be asked for the year alone with the name words checked on its rows (the words are common
 * here), and when the rows it may read run out before any passes, every word is asked (the names
 * go together more than the plan supposed); she is found however far down the year's list. */
static void test_search_finds_the_one_behind_many_of_her_year(void **state)
{
    test_db *t = *state;
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open(t->path, &raw), SQLITE_OK);
    sqlite3_busy_timeout(raw, 5000);
    static const char *const sql =
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)"
        " INSERT INTO person(uuid, national_id, insurance_no, full_name, name_folded, birth_date,"
        " sex, phone, commune, priority_group, created_at, updated_at)"
        " SELECT printf('00000000-0000-4000-8000-%012d', i), printf('00100%07d', i), '',"
        " CASE WHEN i <= 1000 THEN 'Lê Văn An' ELSE 'Trần Thị Bình' END,"
        " CASE WHEN i <= 1000 THEN 'le van an' ELSE 'tran thi binh' END,"
        " CASE WHEN i <= 1000 THEN '1954-03-03' ELSE '1960-06-06' END,"
        " 'f', '', '', NULL, 0, 0 FROM s";
    char *err = NULL;
    if (sqlite3_exec(raw, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("bulk insert: %s", err);
    sqlite3_close(raw);
    const int64_t want[] = {add(t, "Lê Thị Bình", "1954-09-09", 'f', 1)};
    assert_found(t, "le binh 1954", want, 1);
    assert_found(t, "binh le 09/1954", want, 1);
    assert_found(t, "Lê Bình 09/09/1954", want, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_search_year_narrows_namesakes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_day_month_narrows_namesakes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_month_year_and_full_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_date_with_nfd_name_and_old_tone_placement,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_search_number_alone_or_outside_the_years_is_still_an_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_follows_a_corrected_birth_date, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_finds_the_one_behind_many_of_her_year, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
