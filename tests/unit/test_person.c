/* test_person.c: field validators, add/update with history, lookup and ranked search. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- helpers ------------------------------------------------------------------------------- */

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

/* Rows of a table, read through a second connection so that nothing is hidden by the handle. */
static int count_rows(test_db *t, const char *table)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char sql[128];
    int n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return n;
}

static void fill(vax_person *p, const char *name, const char *id, const char *birth, char sex,
                 const char *phone)
{
    memset(p, 0, sizeof *p);
    snprintf(p->full_name, sizeof p->full_name, "%s", name);
    snprintf(p->national_id, sizeof p->national_id, "%s", id);
    snprintf(p->birth_date, sizeof p->birth_date, "%s", birth);
    p->sex = sex;
    if (phone)
        snprintf(p->phone, sizeof p->phone, "%s", phone);
}

static int64_t add_with_phone(test_db *t, const char *name, const char *id, const char *birth,
                              const char *phone)
{
    vax_person p;
    fill(&p, name, id, birth, 0, phone);
    if (vax_person_add(t->db, &p) != VAX_OK)
        fail_msg("person_add(%s): %s", name, vax_errmsg(t->db));
    return p.id;
}

/* Searches and checks that the result ids are exactly `want` (n ids), in that order. */
static void assert_search(test_db *t, const char *query, const int64_t *want, int n)
{
    vax_person out[16];
    int got = -1;
    int rc = vax_person_search(t->db, query, out, 16, &got);
    if (rc != VAX_OK)
        fail_msg("search(%s): %d %s", query, rc, vax_errmsg(t->db));
    if (got != n) {
        for (int i = 0; i < got; i++)
            print_message("# search(%s)[%d] = #%lld %s\n", query, i, (long long)out[i].id,
                          out[i].full_name);
        fail_msg("search(%s): %d results, expected %d", query, got, n);
    }
    for (int i = 0; i < n; i++)
        if (out[i].id != want[i])
            fail_msg("search(%s)[%d]: #%lld (%s), expected #%lld", query, i, (long long)out[i].id,
                     out[i].full_name, (long long)want[i]);
}

/* Searches and checks that the results are exactly the ids in `want`, in any order. */
static void assert_search_set(test_db *t, const char *query, const int64_t *want, int n)
{
    vax_person out[16];
    int got = -1;
    int rc = vax_person_search(t->db, query, out, 16, &got);
    if (rc != VAX_OK)
        fail_msg("search(%s): %d %s", query, rc, vax_errmsg(t->db));
    if (got != n)
        fail_msg("search(%s): %d results, expected %d", query, got, n);
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int j = 0; j < got; j++)
            found += out[j].id == want[i];
        if (found != 1)
            fail_msg("search(%s): #%lld found %d times", query, (long long)want[i], found);
    }
}

static int search_count(test_db *t, const char *query)
{
    vax_person out[16];
    int got = -1;
    int rc = vax_person_search(t->db, query, out, 16, &got);
    if (rc != VAX_OK)
        fail_msg("search(%s): %d %s", query, rc, vax_errmsg(t->db));
    return got;
}

static int id_ok(const char *in, const char *want)
{
    char out[13] = "", msg[256] = "";
    int rc = vax_validate_national_id(in, out, msg, sizeof msg);
    if (rc == VAX_OK && want)
        assert_string_equal(out, want);
    if (rc != VAX_OK)
        assert_true(strlen(msg) > 0);
    return rc == VAX_OK;
}

static int phone_ok(const char *in, const char *want)
{
    char out[16] = "", msg[256] = "";
    int rc = vax_validate_phone(in, out, msg, sizeof msg);
    if (rc == VAX_OK && want)
        assert_string_equal(out, want);
    if (rc != VAX_OK)
        assert_non_null(strstr(msg, "Phone"));
    return rc == VAX_OK;
}

static int birth_ok(const char *in, const char *want)
{
    char out[11] = "", msg[256] = "";
    int rc = vax_validate_birth_date(in, out, msg, sizeof msg);
    if (rc == VAX_OK && want)
        assert_string_equal(out, want);
    if (rc != VAX_OK)
        assert_non_null(strstr(msg, "Birth date"));
    return rc == VAX_OK;
}

static int insurance_ok(const char *in, const char *want)
{
    char out[16] = "", msg[256] = "";
    int rc = vax_validate_insurance_no(in, out, msg, sizeof msg);
    if (rc == VAX_OK && want)
        assert_string_equal(out, want);
    if (rc != VAX_OK)
        assert_non_null(strstr(msg, "Insurance"));
    return rc == VAX_OK;
}

/* ---- national ID ----------------------------------------------------------------------------- */

static void test_id_accepts_cccd_with_valid_province(void **state)
{
    (void)state;
    assert_true(id_ok("001090000001", "001090000001")); /* Hà Nội */
    assert_true(id_ok("096190000001", "096190000001")); /* Cà Mau */
    assert_true(id_ok("079085001234", "079085001234")); /* TP Hồ Chí Minh */
    assert_true(id_ok("012301000001", "012301000001")); /* Lai Châu */
}

static void test_id_refuses_cccd_with_unknown_province(void **state)
{
    (void)state;
    assert_false(id_ok("003090000001", NULL));
    assert_false(id_ok("097090000001", NULL));
    assert_false(id_ok("000090000001", NULL));
    assert_false(id_ok("099090000001", NULL));
    assert_false(id_ok("100090000001", NULL));
    char out[13], msg[256] = "";
    assert_int_equal(vax_validate_national_id("003090000001", out, msg, sizeof msg), VAX_EINVAL);
    assert_non_null(strstr(msg, "003"));
}

static void test_id_accepts_9_digit_cmnd(void **state)
{
    (void)state;
    assert_true(id_ok("123456789", "123456789"));
    assert_true(id_ok("012 345 678", "012345678"));
    assert_false(id_ok("000000000", NULL));
}

static void test_id_refuses_other_lengths(void **state)
{
    (void)state;
    assert_false(id_ok("0010900000", NULL));    /* 10 */
    assert_false(id_ok("00109000000", NULL));   /* 11 */
    assert_false(id_ok("0010900000011", NULL)); /* 13 */
    assert_false(id_ok("12345678", NULL));      /* 8 */
    assert_false(id_ok("0010900000010000000000000000000000000", NULL));
    char out[13], msg[256] = "";
    assert_int_equal(vax_validate_national_id("0010900000011", out, msg, sizeof msg), VAX_EINVAL);
    assert_non_null(strstr(msg, "13"));
}

static void test_id_refuses_letters_and_empty(void **state)
{
    (void)state;
    assert_false(id_ok("00109000000A", NULL));
    assert_false(id_ok("B12345678", NULL));
    assert_false(id_ok("００１０９００００００１", NULL)); /* full-width digits */
    assert_false(id_ok("", NULL));
    assert_false(id_ok("   ", NULL));
    assert_false(id_ok(NULL, NULL));
}

static void test_id_removes_spaces(void **state)
{
    (void)state;
    assert_true(id_ok("001 090 000 001", "001090000001"));
    assert_true(id_ok("  001090000001  ", "001090000001"));
    assert_true(id_ok("0010-9000-0001", "001090000001"));
    assert_true(id_ok("001.090.000.001", "001090000001"));
}

/* ---- CCCD against birth year and sex --------------------------------------------------------- */

static int add_check(test_db *t, const char *id, const char *birth, char sex)
{
    vax_person p;
    fill(&p, "Nguyễn Văn Hùng", id, birth, sex, NULL);
    return vax_person_add(t->db, &p);
}

static void test_cccd_century_and_sex_digit_must_match(void **state)
{
    test_db *t = *state;
    assert_int_equal(add_check(t, "001090000001", "1990-05-01", 'm'), VAX_OK); /* 0: 1900s m */
    assert_int_equal(add_check(t, "001190000002", "1990-05-01", 'f'), VAX_OK); /* 1: 1900s f */
    assert_int_equal(add_check(t, "001205000003", "2005-05-01", 'm'), VAX_OK); /* 2: 2000s m */
    assert_int_equal(add_check(t, "001305000004", "2005-05-01", 'f'), VAX_OK); /* 3: 2000s f */
    assert_int_equal(add_check(t, "001090000005", "1990-05-01", 0), VAX_OK);   /* sex unknown */
    assert_int_equal(count_rows(t, "person"), 5);
}

static void test_cccd_refuses_wrong_birth_year(void **state)
{
    test_db *t = *state;
    assert_int_equal(add_check(t, "001090000001", "1991-05-01", 'm'), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "national_id");
    assert_non_null(strstr(vax_errmsg(t->db), "1990"));
    /* Right two digits, wrong century. */
    assert_int_equal(add_check(t, "001005000001", "2005-05-01", 'm'), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "national_id");
    assert_int_equal(add_check(t, "001205000001", "1905-05-01", 'm'), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "national_id");
    /* A century digit above 5 is no CCCD. */
    assert_int_equal(add_check(t, "001790000001", "1990-05-01", 'm'), VAX_EINVAL);
    assert_int_equal(count_rows(t, "person"), 0);
}

static void test_cccd_refuses_wrong_sex(void **state)
{
    test_db *t = *state;
    assert_int_equal(add_check(t, "001090000001", "1990-05-01", 'f'), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "man"));
    assert_int_equal(add_check(t, "001190000001", "1990-05-01", 'm'), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "woman"));
    assert_int_equal(add_check(t, "001205000001", "2005-05-01", 'f'), VAX_EINVAL);
    assert_int_equal(add_check(t, "001305000001", "2005-05-01", 'm'), VAX_EINVAL);
    assert_int_equal(count_rows(t, "person"), 0);
}

static void test_cmnd_is_not_checked_against_birth(void **state)
{
    test_db *t = *state;
    assert_int_equal(add_check(t, "123456789", "1950-01-01", 'f'), VAX_OK);
}

/* ---- phone ----------------------------------------------------------------------------------- */

static void test_phone_normalises_plus_84(void **state)
{
    (void)state;
    assert_true(phone_ok("+84 912 345 678", "0912345678"));
    assert_true(phone_ok("+84912345678", "0912345678"));
    assert_true(phone_ok("84912345678", "0912345678"));
    assert_true(phone_ok("0912 345 678", "0912345678"));
    assert_true(phone_ok("0912.345.678", "0912345678"));
    assert_true(phone_ok("0912-345-678", "0912345678"));
    assert_true(phone_ok("0362123456", "0362123456"));
    assert_true(phone_ok("0562123456", "0562123456"));
    assert_true(phone_ok("0772123456", "0772123456"));
    assert_true(phone_ok("0862123456", "0862123456"));
}

static void test_phone_refuses_old_11_digit_number(void **state)
{
    (void)state;
    char out[16], msg[256] = "";
    assert_false(phone_ok("01621234567", NULL));
    assert_false(phone_ok("0162 123 4567", NULL));
    assert_int_equal(vax_validate_phone("01691234567", out, msg, sizeof msg), VAX_EINVAL);
    assert_non_null(strstr(msg, "11-digit"));
}

static void test_phone_refuses_landline_and_bad_lengths(void **state)
{
    (void)state;
    assert_false(phone_ok("02438251234", NULL)); /* Hà Nội landline */
    assert_false(phone_ok("0241234567", NULL));
    assert_false(phone_ok("0612345678", NULL));
    assert_false(phone_ok("0112345678", NULL));
    assert_false(phone_ok("1912345678", NULL));
    assert_false(phone_ok("091234567", NULL));
    assert_false(phone_ok("09123456789", NULL));
    assert_false(phone_ok("+1 212 555 0100", NULL));
    assert_false(phone_ok("+", NULL));
    assert_false(phone_ok("0912abc678", NULL));
    assert_false(phone_ok("(091) 234 5678", NULL));
}

static void test_phone_empty_is_allowed(void **state)
{
    (void)state;
    char out[16] = "x", msg[64];
    assert_int_equal(vax_validate_phone("", out, msg, sizeof msg), VAX_OK);
    assert_string_equal(out, "");
    strcpy(out, "x");
    assert_int_equal(vax_validate_phone("   ", out, msg, sizeof msg), VAX_OK);
    assert_string_equal(out, "");
    strcpy(out, "x");
    assert_int_equal(vax_validate_phone(NULL, out, msg, sizeof msg), VAX_OK);
    assert_string_equal(out, "");
}

/* ---- birth date ------------------------------------------------------------------------------ */

static void test_birth_accepts_day_month_year(void **state)
{
    (void)state;
    assert_true(birth_ok("15/10/1990", "1990-10-15"));
    assert_true(birth_ok("1/2/1990", "1990-02-01"));
    assert_true(birth_ok("01-02-1990", "1990-02-01"));
    assert_true(birth_ok("01.02.1990", "1990-02-01"));
    assert_true(birth_ok("  15/10/1990  ", "1990-10-15"));
    assert_true(birth_ok("31/12/1999", "1999-12-31"));
}

static void test_birth_accepts_iso(void **state)
{
    (void)state;
    assert_true(birth_ok("1990-10-15", "1990-10-15"));
    assert_true(birth_ok("2000-02-29", "2000-02-29"));
}

static void test_birth_checks_leap_years(void **state)
{
    (void)state;
    assert_true(birth_ok("29/02/2000", "2000-02-29"));
    assert_true(birth_ok("29/02/1996", "1996-02-29"));
    assert_false(birth_ok("29/02/2001", NULL));
    assert_false(birth_ok("29/02/1900", NULL)); /* 1900 was not a leap year */
    assert_false(birth_ok("2001-02-29", NULL));
}

static void test_birth_refuses_days_that_do_not_exist(void **state)
{
    (void)state;
    assert_false(birth_ok("31/04/1990", NULL));
    assert_false(birth_ok("31/06/1990", NULL));
    assert_false(birth_ok("31/09/1990", NULL));
    assert_false(birth_ok("31/11/1990", NULL));
    assert_false(birth_ok("30/02/2000", NULL));
    assert_false(birth_ok("00/01/1990", NULL));
    assert_false(birth_ok("32/01/1990", NULL));
    assert_false(birth_ok("15/13/1990", NULL));
    assert_false(birth_ok("15/00/1990", NULL));
    assert_false(birth_ok("1990-04-31", NULL));
    assert_true(birth_ok("30/04/1990", "1990-04-30"));
}

static void test_birth_refuses_future_by_frozen_clock(void **state)
{
    (void)state;
    vax_clock_set(T0); /* 2021-10-15 09:00 in Hà Nội */
    assert_true(birth_ok("15/10/2021", "2021-10-15"));
    assert_false(birth_ok("16/10/2021", NULL));
    assert_false(birth_ok("2022-01-01", NULL));
    char out[11], msg[256] = "";
    assert_int_equal(vax_validate_birth_date("16/10/2021", out, msg, sizeof msg), VAX_EINVAL);
    assert_non_null(strstr(msg, "future"));
    /* The same date is fine once the clock has moved on: the check follows vax_now(). */
    vax_clock_advance(24 * 3600);
    assert_true(birth_ok("16/10/2021", "2021-10-16"));
    vax_clock_set(T0);
}

static void test_birth_refuses_before_1900(void **state)
{
    (void)state;
    assert_true(birth_ok("01/01/1900", "1900-01-01"));
    assert_false(birth_ok("31/12/1899", NULL));
    assert_false(birth_ok("1850-06-01", NULL));
}

static void test_birth_refuses_garbage(void **state)
{
    (void)state;
    assert_false(birth_ok("", NULL));
    assert_false(birth_ok("   ", NULL));
    assert_false(birth_ok(NULL, NULL));
    assert_false(birth_ok("abc", NULL));
    assert_false(birth_ok("199", NULL));
    assert_false(birth_ok("1990 x", NULL));
    assert_false(birth_ok("15/10/90", NULL));
    assert_false(birth_ok("15/10/1990x", NULL));
    assert_false(birth_ok("15/10/19901", NULL));
    assert_false(birth_ok("1990-1-1", NULL));
    assert_false(birth_ok("15 10 1990", NULL));
    assert_false(birth_ok("-1/10/1990", NULL));
}

/* ---- insurance ------------------------------------------------------------------------------- */

static void test_insurance_accepts_card_and_social_numbers(void **state)
{
    (void)state;
    assert_true(insurance_ok("DN4010123456789", "DN4010123456789"));
    assert_true(insurance_ok("dn 401 0123456789", "DN4010123456789"));
    assert_true(insurance_ok("HT3-01-0123456789", "HT3010123456789"));
    assert_true(insurance_ok("0123456789", "0123456789"));
    assert_true(insurance_ok("", ""));
    assert_true(insurance_ok(NULL, ""));
}

static void test_insurance_refuses_bad_numbers(void **state)
{
    (void)state;
    assert_false(insurance_ok("D14010123456789", NULL));
    assert_false(insurance_ok("DN401012345678", NULL));   /* 14 */
    assert_false(insurance_ok("DN40101234567890", NULL)); /* 16 */
    assert_false(insurance_ok("012345678A", NULL));
    assert_false(insurance_ok("012345678", NULL));
    assert_false(insurance_ok("DN401012345678Đ", NULL));
    assert_false(insurance_ok("DN4010123456/89", NULL));
}

/* ---- add --------------------------------------------------------------------------------------
 */

static void test_add_normalises_and_stores_every_field(void **state)
{
    test_db *t = *state;
    vax_person p, got;
    /* The struct's ID field holds 12 characters: spaces are removed before it (the validator). */
    fill(&p, "  Nguyễn   Văn Hùng ", "001090000001", "15/10/1990", 'm', "+84 912 345 678");
    strcpy(p.insurance_no, "dn4010123456789");
    strcpy(p.commune, "  Phường   Tân Phong ");
    strcpy(p.priority_group, "G05");
    assert_int_equal(vax_person_add(t->db, &p), VAX_OK);
    assert_true(p.id > 0);
    assert_int_equal(strlen(p.uuid), 36);
    assert_int_equal(vax_person_get(t->db, p.id, &got), VAX_OK);
    assert_int_equal(got.id, p.id);
    assert_string_equal(got.uuid, p.uuid);
    assert_string_equal(got.full_name, "Nguyễn Văn Hùng");
    assert_string_equal(got.national_id, "001090000001");
    assert_string_equal(got.birth_date, "1990-10-15");
    assert_int_equal(got.sex, 'm');
    assert_string_equal(got.phone, "0912345678");
    assert_string_equal(got.insurance_no, "DN4010123456789");
    assert_string_equal(got.commune, "Phường Tân Phong");
    assert_string_equal(got.priority_group, "G05");
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &got), VAX_OK);
    assert_int_equal(got.id, p.id);
    assert_int_equal(count_rows(t, "person"), 1);
}

static void test_get_unknown_person_is_not_found(void **state)
{
    test_db *t = *state;
    vax_person got;
    assert_int_equal(vax_person_get(t->db, 4242, &got), VAX_ENOTFOUND);
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &got), VAX_ENOTFOUND);
    assert_non_null(strstr(vax_errmsg(t->db), "001090000001"));
}

struct bad_field {
    const char *why;
    const char *name, *id, *birth;
    char sex;
    const char *phone, *insurance, *group;
    const char *field;
};

static void test_add_refuses_each_bad_field_naming_it_and_writes_nothing(void **state)
{
    test_db *t = *state;
    static const struct bad_field cases[] = {
        {"no ID", "Lê Thị Thủy", "", "1990-01-01", 'f', "", "", "", "national_id"},
        {"bad province", "Lê Thị Thủy", "003190000001", "1990-01-01", 'f', "", "", "",
         "national_id"},
        {"10 digits", "Lê Thị Thủy", "0011900000", "1990-01-01", 'f', "", "", "", "national_id"},
        {"no name", "   ", "001190000001", "1990-01-01", 'f', "", "", "", "full_name"},
        {"digits in name", "Lê Thị 3", "001190000001", "1990-01-01", 'f', "", "", "", "full_name"},
        {"long name",
         "Lê Thị Thủy Lê Thị Thủy Lê Thị Thủy Lê Thị Thủy Lê Thị Thủy Lê Thị Thủy Lê Thị Thủy "
         "Lê Thị Thủy",
         "001190000001", "1990-01-01", 'f', "", "", "", "full_name"},
        {"no birth", "Lê Thị Thủy", "001190000001", "", 'f', "", "", "", "birth_date"},
        {"31/04", "Lê Thị Thủy", "001190000001", "31/04/1990", 'f', "", "", "", "birth_date"},
        {"future", "Lê Thị Thủy", "001321000001", "2021-12-01", 'f', "", "", "", "birth_date"},
        {"bad sex", "Lê Thị Thủy", "001190000001", "1990-01-01", 'x', "", "", "", "sex"},
        {"year vs ID", "Lê Thị Thủy", "001190000001", "1991-01-01", 'f', "", "", "", "national_id"},
        {"old phone", "Lê Thị Thủy", "001190000001", "1990-01-01", 'f', "01621234567", "", "",
         "phone"},
        {"landline", "Lê Thị Thủy", "001190000001", "1990-01-01", 'f', "02438251234", "", "",
         "phone"},
        {"insurance", "Lê Thị Thủy", "001190000001", "1990-01-01", 'f', "", "DN40101", "",
         "insurance_no"},
        {"group", "Lê Thị Thủy", "001190000001", "1990-01-01", 'f', "", "", "G99",
         "priority_group"},
    };
    int persons = count_rows(t, "person"), audits = count_rows(t, "audit");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_field *c = &cases[i];
        vax_person p;
        fill(&p, c->name, c->id, c->birth, c->sex, c->phone);
        strcpy(p.insurance_no, c->insurance);
        strcpy(p.priority_group, c->group);
        int rc = vax_person_add(t->db, &p);
        if (rc != VAX_EINVAL)
            fail_msg("%s: rc %d, expected VAX_EINVAL", c->why, rc);
        if (strcmp(vax_errfield(t->db), c->field) != 0)
            fail_msg("%s: field '%s', expected '%s'", c->why, vax_errfield(t->db), c->field);
        assert_true(strlen(vax_errmsg(t->db)) > 0);
        assert_int_equal(p.id, 0);
        assert_int_equal(count_rows(t, "person"), persons);
        assert_int_equal(count_rows(t, "person_history"), 0);
        assert_int_equal(count_rows(t, "audit"), audits);
    }
    /* The same record with every field right goes in. */
    vax_person ok;
    fill(&ok, "Lê Thị Thủy", "001190000001", "1990-01-01", 'f', "0912345678");
    assert_int_equal(vax_person_add(t->db, &ok), VAX_OK);
    assert_int_equal(count_rows(t, "person"), persons + 1);
    assert_string_equal(vax_errfield(t->db), "");
}

static void test_add_refuses_duplicate_id_naming_the_existing_person(void **state)
{
    test_db *t = *state;
    int64_t first = tdb_person(t, "Nguyễn Văn Hùng", "001090000001", "1990-10-15", NULL);
    vax_person p, got;
    fill(&p, "Trần Văn Nam", "001090000001", "1990-03-03", 'm', NULL);
    assert_int_equal(vax_person_add(t->db, &p), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "national_id");
    assert_non_null(strstr(vax_errmsg(t->db), "Nguyễn Văn Hùng"));
    assert_non_null(strstr(vax_errmsg(t->db), "15/10/1990"));
    assert_int_equal(p.id, 0);
    assert_int_equal(count_rows(t, "person"), 1);
    assert_int_equal(vax_person_get(t->db, first, &got), VAX_OK);
    assert_string_equal(got.full_name, "Nguyễn Văn Hùng");
}

static void test_add_stores_nfd_name_as_nfc(void **state)
{
    test_db *t = *state;
    const char *nfc = "Đặng Thị Ánh";
    char *nfd = (char *)utf8proc_NFD((const utf8proc_uint8_t *)nfc);
    vax_person got;
    assert_non_null(nfd);
    assert_string_not_equal(nfd, nfc);
    int64_t id = tdb_person(t, nfd, "001185000001", "1985-01-01", NULL);
    free(nfd);
    assert_int_equal(vax_person_get(t->db, id, &got), VAX_OK);
    assert_string_equal(got.full_name, nfc);
}

/* ---- update -----------------------------------------------------------------------------------
 */

static void test_update_keeps_history(void **state)
{
    test_db *t = *state;
    int64_t id = tdb_person(t, "Lê Thị Thủy", "001190000001", "1990-01-01", NULL);
    vax_person p;
    int n = -1;
    assert_int_equal(vax_person_history_count(t->db, id, &n), VAX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(vax_person_get(t->db, id, &p), VAX_OK);
    strcpy(p.full_name, "Lê Thị Thanh Thủy");
    strcpy(p.phone, "0912 345 678");
    assert_int_equal(vax_person_update(t->db, &p, "name on the card"), VAX_OK);
    assert_int_equal(vax_person_history_count(t->db, id, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(vax_person_get(t->db, id, &p), VAX_OK);
    assert_string_equal(p.full_name, "Lê Thị Thanh Thủy");
    assert_string_equal(p.phone, "0912345678");
    strcpy(p.commune, "Xã Bản Giang");
    assert_int_equal(vax_person_update(t->db, &p, "commune"), VAX_OK);
    assert_int_equal(vax_person_history_count(t->db, id, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(count_rows(t, "person"), 1);
    /* Search follows the edit: the new name and phone are found, and only once. */
    int64_t want[] = {id};
    assert_search(t, "thanh thuy", want, 1);
    assert_search(t, "0912345678", want, 1);
}

/* A text read through a second connection. */
static void read_text(test_db *t, const char *sql, char *out, size_t size)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    out[0] = 0;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(s);
}

/* Ethnicity is optional, kept as said (NFC), in the history and the outbox like any field. */
static void test_ethnicity_is_stored_edited_and_sent(void **state)
{
    test_db *t = *state;
    vax_person p, q;
    char text[256];
    fill(&p, "Lò Thị Ón", "001190000001", "1990-01-01", 'f', NULL);
    snprintf(p.ethnicity, sizeof p.ethnicity, "Tha\xcc\x81i"); /* "Thái" decomposed */
    assert_int_equal(vax_person_add(t->db, &p), VAX_OK);
    assert_int_equal(vax_person_get(t->db, p.id, &q), VAX_OK);
    assert_string_equal(q.ethnicity, "Thái");
    read_text(t, "SELECT json_extract(body, '$.ethnicity') FROM sync_outbox WHERE kind = 'person'",
              text, sizeof text);
    assert_string_equal(text, "Thái");
    snprintf(q.ethnicity, sizeof q.ethnicity, "Mông");
    assert_int_equal(vax_person_update(t->db, &q, "asked again"), VAX_OK);
    read_text(t, "SELECT body FROM sync_outbox WHERE kind = 'person_edit'", text, sizeof text);
    assert_non_null(strstr(text, "\"fields\":{\"ethnicity\":\"Mông\"}"));
    read_text(t, "SELECT ethnicity FROM person_history", text, sizeof text);
    assert_string_equal(text, "Thái");
    /* a registration without it stays empty; a long text is refused, naming the field */
    fill(&p, "Tòng Văn Ín", "001085000002", "1985-01-01", 'm', NULL);
    memset(p.ethnicity, 'x', 50);
    assert_int_equal(vax_person_add(t->db, &p), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "ethnicity");
    p.ethnicity[0] = 0;
    assert_int_equal(vax_person_add(t->db, &p), VAX_OK);
    assert_int_equal(vax_person_get(t->db, p.id, &q), VAX_OK);
    assert_string_equal(q.ethnicity, "");
}

static void test_update_refused_keeps_record_and_history(void **state)
{
    test_db *t = *state;
    int64_t id = tdb_person(t, "Lê Thị Thủy", "001190000001", "1990-01-01", NULL);
    int64_t other = tdb_person(t, "Trần Văn Nam", "001090000002", "1990-01-01", NULL);
    vax_person p;
    int n = -1;
    assert_int_equal(vax_person_get(t->db, id, &p), VAX_OK);
    strcpy(p.birth_date, "31/04/1990");
    assert_int_equal(vax_person_update(t->db, &p, "typo"), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "birth_date");
    /* Taking someone else's ID is refused naming them. */
    assert_int_equal(vax_person_get(t->db, id, &p), VAX_OK);
    strcpy(p.national_id, "001090000002");
    p.sex = 0;
    strcpy(p.birth_date, "1990-01-01");
    assert_int_equal(vax_person_update(t->db, &p, "typo"), VAX_EEXIST);
    assert_non_null(strstr(vax_errmsg(t->db), "Trần Văn Nam"));
    assert_int_equal(vax_person_history_count(t->db, id, &n), VAX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(vax_person_get(t->db, id, &p), VAX_OK);
    assert_string_equal(p.birth_date, "1990-01-01");
    assert_string_equal(p.national_id, "001190000001");
    assert_true(other != id);
}

static void test_update_of_unknown_person_is_not_found(void **state)
{
    test_db *t = *state;
    vax_person p;
    fill(&p, "Lê Thị Thủy", "001190000001", "1990-01-01", 'f', NULL);
    p.id = 999;
    assert_int_equal(vax_person_update(t->db, &p, "x"), VAX_ENOTFOUND);
    assert_int_equal(count_rows(t, "person"), 0);
    assert_int_equal(count_rows(t, "person_history"), 0);
}

/* ---- search ---------------------------------------------------------------------------------- */

static void test_search_ranks_exact_id_first(void **state)
{
    test_db *t = *state;
    /* Two CCCDs that start with the digits of a 9-digit CMND, added before its holder. */
    int64_t a = tdb_person(t, "Nguyễn Văn An", "001090000001", "1990-01-01", NULL);
    int64_t b = tdb_person(t, "Trần Văn Bình", "001090000002", "1990-01-01", NULL);
    int64_t c = tdb_person(t, "Lê Văn Cường", "001090000", "1970-01-01", NULL);
    int64_t want[] = {c, a, b};
    assert_search(t, "001090000", want, 3);
    int64_t only_b[] = {b};
    assert_search(t, "001090000002", only_b, 1);
}

static void test_search_ranks_whole_words_before_prefixes(void **state)
{
    test_db *t = *state;
    int64_t anh1 = tdb_person(t, "Lê Thị Anh", "001190000001", "1990-01-01", NULL);
    int64_t an1 = tdb_person(t, "Trần Văn An", "001090000002", "1990-01-01", NULL);
    int64_t anh2 = tdb_person(t, "Đỗ Ngọc Ánh", "001190000003", "1990-01-01", NULL);
    int64_t an2 = tdb_person(t, "Phạm Ân", "001090000004", "1990-01-01", NULL);
    tdb_person(t, "Nguyễn Văn Bình", "001090000005", "1990-01-01", NULL);
    int64_t want[] = {an1, an2, anh1, anh2};
    assert_search(t, "an", want, 4);
    int64_t want_anh[] = {anh1, anh2};
    assert_search(t, "anh", want_anh, 2);
}

static void test_search_ranks_whole_name_before_prefix_whatever_the_order_added(void **state)
{
    test_db *t = *state;
    /* A name prefix added before a whole-word match. */
    int64_t prefix = tdb_person(t, "Nguyễn Thị Hoàn", "001190000001", "1990-01-01", NULL);
    int64_t whole = tdb_person(t, "Vũ Thị Hòa", "001190000002", "1990-01-01", NULL);
    tdb_person(t, "Lê Văn Tám", "001090000003", "1990-01-01", NULL);
    int64_t want[] = {whole, prefix};
    assert_search(t, "hoa", want, 2);
    assert_search(t, "Hoà", want, 2);
}

static void test_search_prefixes_of_every_word(void **state)
{
    test_db *t = *state;
    int64_t hung = tdb_person(t, "Nguyễn Văn Hùng", "001090000001", "1990-01-01", NULL);
    int64_t huy = tdb_person(t, "Ngô Vũ Huy", "001090000002", "1990-01-01", NULL);
    tdb_person(t, "Nguyễn Thị Hoa", "001190000003", "1990-01-01", NULL);
    tdb_person(t, "Văn Thị Hùng", "001190000004", "1990-01-01", NULL);
    /* Both are prefix matches of every word; their order is not what this test is about. */
    int64_t want[] = {hung, huy};
    assert_search_set(t, "ng v hu", want, 2);
    assert_search_set(t, "NG V HÙ", want, 2);
    int64_t just_hung[] = {hung};
    assert_search(t, "ng v hun", just_hung, 1);
}

static void test_search_words_in_any_order(void **state)
{
    test_db *t = *state;
    int64_t hung = tdb_person(t, "Nguyễn Văn Hùng", "001090000001", "1990-01-01", NULL);
    tdb_person(t, "Nguyễn Văn Nam", "001090000002", "1990-01-01", NULL);
    int64_t want[] = {hung};
    assert_search(t, "Hùng Nguyễn", want, 1);
    assert_search(t, "hung van nguyen", want, 1);
    assert_search(t, "van hung", want, 1);
    assert_search(t, "hu ng", want, 1);
}

static void test_search_with_or_without_diacritics(void **state)
{
    test_db *t = *state;
    int64_t hung = tdb_person(t, "Nguyễn Văn Hùng", "001090000001", "1990-01-01", NULL);
    int64_t dang = tdb_person(t, "Đặng Thị Ánh", "001190000002", "1990-01-01", NULL);
    int64_t want_hung[] = {hung}, want_dang[] = {dang};
    assert_search(t, "Nguyễn Văn Hùng", want_hung, 1);
    assert_search(t, "nguyen van hung", want_hung, 1);
    assert_search(t, "NGUYEN VAN HUNG", want_hung, 1);
    assert_search(t, "nguyễn văn hùng", want_hung, 1);
    assert_search(t, "dang thi anh", want_dang, 1);
    assert_search(t, "Đặng", want_dang, 1);
    assert_search(t, "đặng ánh", want_dang, 1);
    assert_search(t, "DANG ANH", want_dang, 1);
}

static void test_search_finds_nfd_entry_by_nfc_query(void **state)
{
    test_db *t = *state;
    char *nfd = (char *)utf8proc_NFD((const utf8proc_uint8_t *)"Nguyễn Văn Hùng");
    assert_non_null(nfd);
    int64_t id = tdb_person(t, nfd, "001090000001", "1990-01-01", NULL);
    int64_t want[] = {id};
    assert_search(t, "Nguyễn Văn Hùng", want, 1);
    assert_search(t, "Nguyễn", want, 1);
    assert_search(t, nfd, want, 1);
    free(nfd);
}

static void test_search_old_tone_placement_finds_new(void **state)
{
    test_db *t = *state;
    int64_t hoa = tdb_person(t, "Trần Thị Hòa", "001190000001", "1990-01-01", NULL);
    int64_t thuy = tdb_person(t, "Lê Thị Thuỷ", "001190000002", "1990-01-01", NULL);
    int64_t want_hoa[] = {hoa}, want_thuy[] = {thuy};
    assert_search(t, "hoà", want_hoa, 1);
    assert_search(t, "Hòa", want_hoa, 1);
    assert_search(t, "thủy", want_thuy, 1);
    assert_search(t, "thuỷ", want_thuy, 1);
}

static void test_search_by_phone(void **state)
{
    test_db *t = *state;
    int64_t a = add_with_phone(t, "Nguyễn Văn Hùng", "001090000001", "1990-01-01", "0912345678");
    add_with_phone(t, "Trần Văn Nam", "001090000002", "1990-01-01", "0987654321");
    int64_t want[] = {a};
    assert_search(t, "0912345678", want, 1);
    assert_search(t, "0912 345 678", want, 1);
    assert_search(t, "+84 912 345 678", want, 1);
    assert_search(t, "84912345678", want, 1);
    assert_search(t, "0912", want, 1);
    assert_int_equal(search_count(t, "0911111111"), 0);
}

static void test_search_stops_at_max(void **state)
{
    test_db *t = *state;
    char id[13];
    for (int i = 0; i < 5; i++) {
        tdb_cccd(id, 1990, 'm', i + 1);
        tdb_person(t, "Nguyễn Văn Hùng", id, "1990-01-01", NULL);
    }
    vax_person out[3];
    int n = -1;
    assert_int_equal(vax_person_search(t->db, "hung", out, 3, &n), VAX_OK);
    assert_int_equal(n, 3);
    assert_true(out[0].id < out[1].id && out[1].id < out[2].id);
    assert_int_equal(vax_person_search(t->db, "hung", out, 0, &n), VAX_OK);
    assert_int_equal(n, 0);
}

static void test_search_empty_or_punctuation_only_finds_nothing(void **state)
{
    test_db *t = *state;
    tdb_person(t, "Nguyễn Văn Hùng", "001090000001", "1990-01-01", NULL);
    assert_int_equal(search_count(t, ""), 0);
    assert_int_equal(search_count(t, "   "), 0);
    assert_int_equal(search_count(t, "\"*()-"), 0);
    vax_person out[2];
    int n = -1;
    assert_int_equal(vax_person_search(t->db, NULL, out, 2, &n), VAX_OK);
    assert_int_equal(n, 0);
}

static void test_search_with_fts_syntax_never_errors(void **state)
{
    test_db *t = *state;
    int64_t hung = tdb_person(t, "Nguyễn Văn Hùng", "001090000001", "1990-01-01", NULL);
    tdb_person(t, "Trần Thị Hòa", "001190000002", "1990-01-01", NULL);
    static const char *queries[] = {
        "\"",
        "\"nguyen",
        "nguyen\"",
        "\"nguyen hung\"",
        "*",
        "nguyen*",
        "*nguyen",
        "OR",
        "nguyen OR hoa",
        "AND",
        "nguyen AND",
        "NOT hung",
        "NEAR",
        "NEAR(nguyen hung)",
        "NEAR(nguyen hung, 2)",
        "(",
        ")",
        "(nguyen",
        "nguyen)",
        "-",
        "-nguyen",
        "nguyen -hung",
        "^nguyen",
        "terms:nguyen",
        "{terms}:nguyen",
        "+",
        ":",
        "'",
        "nguyen's",
        "\xE2\x80\xA6",           /* … */
        "\xE2\x80\x94 hung",      /* — */
        "\xC2\xABnguyen\xC2\xBB", /* «nguyen» */
        "\xFF\xFE",
        "\xE4\xB8\xAD\xE6\x96\x87", /* 中文 */
        "a b c d e f g h i j k l m n o p",
        "001090000001 OR 1=1; DROP TABLE person; --",
        "%_\\",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        vax_person out[8];
        int n = -1;
        int rc = vax_person_search(t->db, queries[i], out, 8, &n);
        if (rc != VAX_OK)
            fail_msg("search(%s): %d %s", queries[i], rc, vax_errmsg(t->db));
        assert_true(n >= 0 && n <= 2);
    }
    /* Syntax characters are ignored, the words in them still count. */
    int64_t want[] = {hung};
    assert_search(t, "\"nguyen hung\"", want, 1);
    assert_search(t, "NEAR(nguyen hung)", want, 0); /* "near" is a word no name has */
    assert_search(t, "-nguyen", want, 1);
    assert_search(t, "(nguyen) hung*", want, 1);
    assert_int_equal(count_rows(t, "person"), 2);
}

static void test_search_with_very_long_query_never_errors(void **state)
{
    test_db *t = *state;
    int64_t hung = tdb_person(t, "Nguyễn Văn Hùng", "001090000001", "1990-01-01", NULL);
    char q[2048];
    vax_person out[4];
    int n = -1;
    /* One word longer than any expression buffer. */
    memset(q, 'a', sizeof q - 1);
    q[sizeof q - 1] = 0;
    if (vax_person_search(t->db, q, out, 4, &n) != VAX_OK)
        fail_msg("search(2047 x a): %s", vax_errmsg(t->db));
    assert_int_equal(n, 0);
    /* A real word first, then long ones. */
    snprintf(q, sizeof q, "nguyen %0600d %0600d", 0, 0);
    assert_int_equal(vax_person_search(t->db, q, out, 4, &n), VAX_OK);
    /* Many long Vietnamese words. */
    q[0] = 0;
    for (int i = 0; i < 60; i++)
        strcat(q, "Nguyễnnguyễnnguyễn ");
    assert_int_equal(vax_person_search(t->db, q, out, 4, &n), VAX_OK);
    int64_t want[] = {hung};
    assert_search(t, "nguyen van hung", want, 1);
}

/* How many people the name_word vocabulary says carry a word (-1: not there). */
static int word_count(test_db *t, const char *term)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int n = -1;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(s, "SELECT n FROM name_word WHERE term = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, term, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return n;
}

static void test_vocabulary_follows_adds_and_edits(void **state)
{
    test_db *t = *state;
    char id[13];
    tdb_cccd(id, 1980, 'm', 1);
    int64_t a = tdb_person(t, "Lò-Văn Páo", id, "1980-01-01", NULL);
    tdb_cccd(id, 1981, 'm', 2);
    tdb_person(t, "Giàng A Páo", id, "1981-01-01", NULL);
    assert_int_equal(word_count(t, "pao"), 2);
    assert_int_equal(word_count(t, "lo"), 1); /* the hyphen splits words, as the index does */
    assert_int_equal(word_count(t, "van"), 1);
    const int64_t both[] = {a};
    assert_search(t, "lo van", both, 1);
    vax_person p;
    assert_int_equal(vax_person_get(t->db, a, &p), VAX_OK);
    snprintf(p.full_name, sizeof p.full_name, "Lò Văn Sáng");
    assert_int_equal(vax_person_update(t->db, &p, "name typed wrong"), VAX_OK);
    assert_int_equal(word_count(t, "pao"), 1);
    assert_int_equal(word_count(t, "sang"), 1);
    const int64_t after[] = {a};
    assert_search(t, "sang", after, 1);
    assert_search(t, "lo v s", after, 1);
}

static void test_search_digits_use_id_then_phone_prefixes(void **state)
{
    test_db *t = *state;
    int64_t a = add_with_phone(t, "Trần Văn A", "001090000001", "1990-01-01", "0912000001");
    int64_t b = add_with_phone(t, "Trần Văn B", "001090000002", "1990-01-01", "0987000002");
    int64_t c = add_with_phone(t, "Trần Văn C", "002090000003", "1990-01-01", "0912000003");
    const int64_t by_id[] = {a, b};
    assert_search(t, "0010900", by_id, 2);
    const int64_t by_phone[] = {a, c};
    assert_search(t, "0912", by_phone, 2);
    assert_search(t, "+84 912", by_phone, 2);
    const int64_t none[] = {0};
    assert_search(t, "0999", none, 0);
}

static void test_search_prefers_names_in_typed_order_from_the_first_word(void **state)
{
    test_db *t = *state;
    char id[13];
    tdb_cccd(id, 1984, 'f', 1);
    int64_t vu = tdb_person(t, "Vũ Ngọc Hương", id, "1984-01-01", NULL);
    tdb_cccd(id, 1985, 'm', 2);
    int64_t hieu = tdb_person(t, "Nguyễn Hữu Việt", id, "1985-01-01", NULL);
    tdb_cccd(id, 1986, 'm', 3);
    int64_t hung = tdb_person(t, "Nguyễn Văn Hùng", id, "1986-01-01", NULL);
    /* in order from the first word, then in order, then any order; registration breaks ties */
    const int64_t want[] = {hung, hieu, vu};
    assert_search(t, "ng v hu", want, 3);
}

static void test_search_checks_rows_against_a_word_too_common_to_index(void **state)
{
    test_db *t = *state;
    char id[13];
    int64_t want_id = 0;
    /* "nguyen" is carried by most of this registry, so the index query leaves it out and each
     * row is checked against it instead */
    for (int i = 0; i < 8; i++) {
        tdb_cccd(id, 1970, 'f', 10 + i);
        int64_t p =
            tdb_person(t, i == 3 ? "Nguyễn Thị Hoa" : "Nguyễn Thị Lan", id, "1970-01-01", NULL);
        if (i == 3)
            want_id = p;
    }
    tdb_cccd(id, 1990, 'f', 30);
    tdb_person(t, "Trần Thị Hoa", id, "1990-01-01", NULL);
    const int64_t want[] = {want_id};
    assert_search(t, "ng hoa", want, 1);
    assert_search(t, "nguyen ho", want, 1);
}

/* Elderly people without papers often know only the year they were born, or the year and month;
 * the EU DCC's dob allows the same ("1954", "1954-12"). */
static void test_birth_accepts_a_year_or_a_year_and_month(void **state)
{
    (void)state;
    vax_clock_set(T0); /* 2021-10-15 */
    assert_true(birth_ok("1954", "1954"));
    assert_true(birth_ok(" 1954 ", "1954"));
    assert_true(birth_ok("12/1954", "1954-12"));
    assert_true(birth_ok("2/1954", "1954-02"));
    assert_true(birth_ok("1954-12", "1954-12"));
    assert_true(birth_ok("10/2021", "2021-10"));
    assert_true(birth_ok("2021", "2021"));
    assert_false(birth_ok("13/1954", NULL));
    assert_false(birth_ok("00/1954", NULL));
    assert_false(birth_ok("1954-13", NULL));
    assert_false(birth_ok("1899", NULL));
    assert_false(birth_ok("11/2021", NULL)); /* next month */
    assert_false(birth_ok("2022", NULL));
}

/* Such a date is its first day wherever a computation needs a day: ages, the age band at
 * check-in, "born on or before"; and it is shown and found as it was given. */
static void test_year_only_birth_through_ages_display_and_search(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char dmy[11];
    assert_int_equal(vax_age_on("1956", "2021-01-01"), 65);
    assert_int_equal(vax_age_on("1956", "2020-12-31"), 64);
    assert_int_equal(vax_age_on("1956-12", "2021-11-30"), 64);
    assert_int_equal(vax_age_on("1956-12", "2021-12-01"), 65);
    assert_int_equal(vax_age_band(vax_age_on("1956", "2021-10-15")), 0);
    vax_date_dmy("1954", dmy);
    assert_string_equal(dmy, "1954");
    vax_date_dmy("1954-12", dmy);
    assert_string_equal(dmy, "12/1954");
    vax_date_dmy("1954-12-14", dmy);
    assert_string_equal(dmy, "14/12/1954");

    vax_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.full_name, sizeof p.full_name, "Lò Văn Pấng");
    snprintf(p.national_id, sizeof p.national_id, "062056000111"); /* a man born 1956 */
    snprintf(p.birth_date, sizeof p.birth_date, "1956");
    p.sex = 'm';
    assert_int_equal(vax_person_add(t->db, &p), VAX_OK);
    vax_person got;
    assert_int_equal(vax_person_get(t->db, p.id, &got), VAX_OK);
    assert_string_equal(got.birth_date, "1956");
    /* the CCCD is still checked against the year */
    memset(&p, 0, sizeof p);
    snprintf(p.full_name, sizeof p.full_name, "Lò Thị Ón");
    snprintf(p.national_id, sizeof p.national_id, "062157000112"); /* born 1957 */
    snprintf(p.birth_date, sizeof p.birth_date, "1956-03");
    p.sex = 'f';
    assert_int_equal(vax_person_add(t->db, &p), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "national_id");
    snprintf(p.national_id, sizeof p.national_id, "062156000113"); /* a woman born 1956 */
    assert_int_equal(vax_person_add(t->db, &p), VAX_OK);
    /* found by the birth year, and by the month and year */
    vax_person out[8];
    int n = 0;
    assert_int_equal(vax_person_search(t->db, "pang 1956", out, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].full_name, "Lò Văn Pấng");
    assert_int_equal(vax_person_search(t->db, "lo 03/1956", out, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].full_name, "Lò Thị Ón");
    /* checked in: the age band of 65 and over */
    vax_visit v;
    assert_int_equal(vax_staff_act_as_os_user(t->db, "tester"), VAX_OK);
    assert_int_equal(vax_queue_checkin(t->db, got.id, &v), VAX_OK);
    assert_int_equal(v.age_band, 0);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_accepts_cccd_with_valid_province),
        cmocka_unit_test(test_id_refuses_cccd_with_unknown_province),
        cmocka_unit_test(test_id_accepts_9_digit_cmnd),
        cmocka_unit_test(test_id_refuses_other_lengths),
        cmocka_unit_test(test_id_refuses_letters_and_empty),
        cmocka_unit_test(test_id_removes_spaces),
        cmocka_unit_test_setup_teardown(test_cccd_century_and_sex_digit_must_match, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cccd_refuses_wrong_birth_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cccd_refuses_wrong_sex, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmnd_is_not_checked_against_birth, setup, teardown),
        cmocka_unit_test(test_phone_normalises_plus_84),
        cmocka_unit_test(test_phone_refuses_old_11_digit_number),
        cmocka_unit_test(test_phone_refuses_landline_and_bad_lengths),
        cmocka_unit_test(test_phone_empty_is_allowed),
        cmocka_unit_test(test_birth_accepts_day_month_year),
        cmocka_unit_test(test_birth_accepts_iso),
        cmocka_unit_test(test_birth_checks_leap_years),
        cmocka_unit_test(test_birth_refuses_days_that_do_not_exist),
        cmocka_unit_test(test_birth_refuses_future_by_frozen_clock),
        cmocka_unit_test(test_birth_refuses_before_1900),
        cmocka_unit_test(test_birth_refuses_garbage),
        cmocka_unit_test(test_birth_accepts_a_year_or_a_year_and_month),
        cmocka_unit_test(test_year_only_birth_through_ages_display_and_search),
        cmocka_unit_test(test_insurance_accepts_card_and_social_numbers),
        cmocka_unit_test(test_insurance_refuses_bad_numbers),
        cmocka_unit_test_setup_teardown(test_add_normalises_and_stores_every_field, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_get_unknown_person_is_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_add_refuses_each_bad_field_naming_it_and_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_refuses_duplicate_id_naming_the_existing_person,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_stores_nfd_name_as_nfc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_keeps_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ethnicity_is_stored_edited_and_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_refused_keeps_record_and_history, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_update_of_unknown_person_is_not_found, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_ranks_exact_id_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_ranks_whole_words_before_prefixes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_search_ranks_whole_name_before_prefix_whatever_the_order_added, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_prefixes_of_every_word, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_words_in_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_with_or_without_diacritics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_finds_nfd_entry_by_nfc_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_old_tone_placement_finds_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_by_phone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_stops_at_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_empty_or_punctuation_only_finds_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_with_fts_syntax_never_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_with_very_long_query_never_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_vocabulary_follows_adds_and_edits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_digits_use_id_then_phone_prefixes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_search_prefers_names_in_typed_order_from_the_first_word, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_checks_rows_against_a_word_too_common_to_index,
                                        setup, teardown),
    };
    /* The validators read the clock for "the future": freeze it for the tests without a db. */
    vax_clock_set(T0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
