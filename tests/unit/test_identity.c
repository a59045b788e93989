/* test_identity.c: the chip ID card's QR text, a person's other IDs, the duplicate check at
 * registration and merging two records. */
#include "testutil.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A real-looking card: CCCD of a woman born 1962 in Lai Châu (province 062). */
#define CARD_CCCD "062162000123"
#define CARD                                                                                                          \
    CARD_CCCD "|045123456|Lò Thị Xuân|15031962|Nữ|Bản Hon, Xã Bản Hon, Huyện Tam Đường, Tỉnh Lai " \
              "Châu|10052021"

static void parse_ok(const char *text, vax_idcard *c)
{
    char msg[256] = "";
    if (vax_idcard_parse(text, c, msg, sizeof msg) != VAX_OK)
        fail_msg("parse(%s): %s", text, msg);
}

static void parse_bad(const char *text, const char *want_in_msg)
{
    vax_idcard c;
    char msg[256] = "";
    assert_int_equal(vax_idcard_parse(text, &c, msg, sizeof msg), VAX_EINVAL);
    if (!strstr(msg, want_in_msg))
        fail_msg("parse(%s): \"%s\" does not say \"%s\"", text, msg, want_in_msg);
}

static void test_card_scan_well_formed_gives_every_field(void **state)
{
    (void)state;
    vax_idcard c;
    parse_ok(CARD "\r\n", &c);
    assert_string_equal(c.cccd, CARD_CCCD);
    assert_string_equal(c.cmnd, "045123456");
    assert_string_equal(c.full_name, "Lò Thị Xuân");
    assert_string_equal(c.birth_date, "1962-03-15");
    assert_int_equal(c.sex, 'f');
    assert_string_equal(c.commune, "Xã Bản Hon");
    assert_string_equal(c.issue_date, "2021-05-10");
    vax_person p;
    vax_idcard_to_person(&c, &p);
    assert_string_equal(p.national_id, CARD_CCCD);
    assert_string_equal(p.full_name, "Lò Thị Xuân");
    assert_string_equal(p.commune, "Xã Bản Hon");
    assert_int_equal(vax_idcard_is_scan(CARD), 1);
    assert_int_equal(vax_idcard_is_scan("Lò Thị Xuân"), 0);
}

static void test_card_scan_missing_fields_are_named(void **state)
{
    (void)state;
    parse_bad(CARD_CCCD "|045123456|Lò Thị Xuân|15031962|Nữ", "5 fields");
    parse_bad(CARD_CCCD "||Lò Thị Xuân||Nữ|Xã A, Huyện B, Tỉnh C|10052021", "birth date");
    parse_bad(CARD_CCCD "|||15031962|Nữ|Xã A, Huyện B, Tỉnh C|10052021", "name is missing");
    parse_bad(CARD_CCCD "||Lò Thị Xuân|15031962||Xã A, Huyện B, Tỉnh C|10052021", "Nam nor Nữ");
    parse_bad("|||Lò Thị Xuân|15031962|Nữ|Xã A|10052021", "fields");
    parse_bad("||Lò Thị Xuân|15031962|Nữ|Xã A|10052021", "no ID number");
}

static void test_card_scan_extra_separators(void **state)
{
    (void)state;
    vax_idcard c;
    /* a scanner that adds a separator at the end is read as the card */
    parse_ok(CARD "|", &c);
    assert_string_equal(c.issue_date, "2021-05-10");
    parse_ok(CARD "||", &c);
    /* an extra field with content is not a card */
    parse_bad(CARD "|x", "8 fields");
    parse_bad(CARD_CCCD "||Lò Thị|Xuân|15031962|Nữ|Xã A, Huyện B, Tỉnh C|10052021", "8 fields");
}

static void test_card_scan_name_in_nfd_is_stored_nfc(void **state)
{
    (void)state;
    vax_idcard c;
    /* "Lò Thị Xuân" with its marks as combining characters, as some readers send it */
    parse_ok(CARD_CCCD "||Lo\xcc\x80 Thi\xcc\xa3 Xua\xcc\x82n|15031962|Nu\xcc\x9b\xcc\x83|Xã A, "
                       "Huyện B, Tỉnh C|10052021",
             &c);
    assert_string_equal(c.full_name, "Lò Thị Xuân");
    assert_int_equal(c.sex, 'f');
    assert_string_equal(c.cmnd, "");
}

static void test_card_scan_cmnd_only_card(void **state)
{
    (void)state;
    vax_idcard c;
    parse_ok("|045123456|Lò Văn Pấu|01011950|Nam|Xã A, Huyện B, Tỉnh C|01012015", &c);
    assert_string_equal(c.cccd, "");
    assert_string_equal(c.cmnd, "045123456");
    assert_int_equal(c.sex, 'm');
    parse_ok("045123456||Lò Văn Pấu|01011950|Nam|Xã A, Huyện B, Tỉnh C|01012015", &c);
    assert_string_equal(c.cmnd, "045123456");
    vax_person p;
    vax_idcard_to_person(&c, &p);
    assert_string_equal(p.national_id, "045123456");
}

static void test_card_scan_garbage_is_refused_with_the_reason(void **state)
{
    (void)state;
    parse_bad("Lò Thị Xuân", "not the QR code");
    parse_bad("", "not the QR code");
    parse_bad("https://example.com/?a|b", "fields");
    parse_bad("99916200012X||Lò Thị Xuân|15031962|Nữ|Xã A, Huyện B, Tỉnh C|10052021",
              "not a 12-digit CCCD");
    /* a CCCD whose province code does not exist */
    parse_bad("999162000123||Lò Thị Xuân|15031962|Nữ|Xã A, Huyện B, Tỉnh C|10052021", "999");
    parse_bad(CARD_CCCD "|12345|Lò Thị Xuân|15031962|Nữ|Xã A, Huyện B, Tỉnh C|10052021",
              "9-digit CMND");
    parse_bad(CARD_CCCD "||Lò Thị Xuân|31021962|Nữ|Xã A, Huyện B, Tỉnh C|10052021", "31/02/1962");
    parse_bad(CARD_CCCD "||Lò Thị Xuân|15031962|Nữ|Xã A, Huyện B, Tỉnh C|10051950",
              "before the birth date");
}

static void test_card_finds_by_cccd_or_links_it_to_the_cmnd_record(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_idcard c;
    vax_person p;
    int linked = -1;
    parse_ok(CARD, &c);
    assert_int_equal(vax_person_by_idcard(t->db, &c, &p, &linked), VAX_ENOTFOUND);
    /* registered under her old CMND: the scan finds her and links the CCCD */
    int64_t id = tdb_person(t, "Lò Thị Xuân", "045123456", "1962-03-15", NULL);
    assert_int_equal(vax_person_by_idcard(t->db, &c, &p, &linked), VAX_OK);
    assert_int_equal(p.id, id);
    assert_int_equal(linked, 1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'person.link'"),
                     1);
    assert_int_equal(vax_person_by_national_id(t->db, CARD_CCCD, &p), VAX_OK);
    assert_int_equal(p.id, id);
    /* the next scan finds her by the CCCD and links nothing more */
    assert_int_equal(vax_person_by_idcard(t->db, &c, &p, &linked), VAX_OK);
    assert_int_equal(linked, 0);
    char ids[4][13];
    int n = 0;
    assert_int_equal(vax_person_ids(t->db, id, ids, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0], CARD_CCCD);
    tdb_close(t);
}

static void test_duplicate_finder_same_name_and_birth_or_old_id(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char a_id[13], b_id[13];
    tdb_cccd(a_id, 1962, 'f', 1);
    tdb_cccd(b_id, 1962, 'f', 2);
    int64_t a = tdb_person(t, "Lò Thị Xuân", "045123456", "1962-03-15", NULL);
    tdb_person(t, "Lò Thị Xuân", a_id, "1962-03-16", NULL); /* another day: not a candidate */
    vax_person q, out[8];
    int n = -1;
    memset(&q, 0, sizeof q);
    /* written without marks and in capitals, with the birth date as typed at the desk */
    snprintf(q.full_name, sizeof q.full_name, "LO THI XUAN");
    snprintf(q.birth_date, sizeof q.birth_date, "15/03/1962");
    snprintf(q.national_id, sizeof q.national_id, "%s", b_id);
    assert_int_equal(vax_person_duplicates(t->db, &q, NULL, out, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, a);
    /* another name, but the card's old CMND is hers */
    snprintf(q.full_name, sizeof q.full_name, "Lò Thị Xuan Mai");
    assert_int_equal(vax_person_duplicates(t->db, &q, NULL, out, 8, &n), VAX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(vax_person_duplicates(t->db, &q, "045 123 456", out, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, a);
    tdb_close(t);
}

static void test_register_shows_the_candidate_then_links_or_confirms(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char cccd[13];
    tdb_cccd(cccd, 1962, 'f', 7);
    int64_t a = tdb_person(t, "Lò Thị Xuân", "045123456", "1962-03-15", NULL);
    vax_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.full_name, sizeof p.full_name, "Lò Thị Xuân");
    snprintf(p.birth_date, sizeof p.birth_date, "1962-03-15");
    snprintf(p.national_id, sizeof p.national_id, "%s", cccd);
    p.sex = 'f';
    int before = (int)query_int(t->path, "SELECT count(*) FROM person");
    assert_int_equal(vax_person_register(t->db, &p, NULL, 0), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "duplicate");
    assert_non_null(strstr(vax_errmsg(t->db), "045123456"));
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM person"), before);
    /* "this is the same person": both IDs find her, her doses stay on one record */
    assert_int_equal(vax_person_link_id(t->db, a, cccd, "same person"), VAX_OK);
    vax_person f;
    assert_int_equal(vax_person_by_national_id(t->db, cccd, &f), VAX_OK);
    assert_int_equal(f.id, a);
    assert_int_equal(vax_person_by_national_id(t->db, "045123456", &f), VAX_OK);
    assert_int_equal(f.id, a);
    /* the linked ID can no longer be registered to anyone */
    assert_int_equal(vax_person_register(t->db, &p, NULL, 1), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "national_id");
    assert_int_equal(vax_person_link_id(t->db, a, cccd, "again"), VAX_EEXIST);
    /* a real namesake: confirmed, a second record is made */
    tdb_cccd(cccd, 1962, 'f', 8);
    snprintf(p.national_id, sizeof p.national_id, "%s", cccd);
    assert_int_equal(vax_person_register(t->db, &p, NULL, 1), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM person"), before + 1);
    tdb_close(t);
}

static void test_merge_moves_doses_visits_and_keeps_history(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char cccd[13];
    tdb_cccd(cccd, 1962, 'f', 9);
    int64_t a = tdb_person(t, "Lò Thị Xuân", "045123456", "1962-03-15", NULL);
    int64_t b = tdb_person(t, "Lò Thị Xuân", cccd, "1962-03-15", NULL);
    vax_visit v;
    assert_int_equal(vax_queue_checkin(t->db, b, &v), VAX_OK);
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, created_at,"
             " updated_at) VALUES ('d-a', %lld, 'AZ', 1, 1, 1, 1), ('d-b', %lld, 'AZ', 2, 2, 2, 2)",
             (long long)a, (long long)b);
    assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    sign_in(t, "vol", VAX_ROLE_VOLUNTEER);
    assert_int_equal(vax_person_merge(t->db, b, a, "same woman, two IDs"), VAX_EPERM);
    sign_in(t, "boss", VAX_ROLE_MANAGER);
    assert_int_equal(vax_person_merge(t->db, b, a, ""), VAX_EINVAL);
    assert_int_equal(vax_person_merge(t->db, b, a, "same woman, two IDs"), VAX_OK);
    vax_dose d[4];
    int n = 0;
    assert_int_equal(vax_dose_list(t->db, a, d, 4, &n), VAX_OK);
    assert_int_equal(n, 2);
    int next = 0;
    assert_int_equal(vax_dose_next_number(t->db, a, &next), VAX_OK);
    assert_int_equal(next, 3);
    snprintf(sql, sizeof sql, "SELECT person_id FROM visit WHERE id = %lld", (long long)v.id);
    assert_int_equal(query_int(t->path, sql), a);
    vax_person f;
    assert_int_equal(vax_person_by_national_id(t->db, cccd, &f), VAX_OK);
    assert_int_equal(f.id, a);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM person_history WHERE person_id = %lld",
             (long long)b);
    assert_int_equal(query_int(t->path, sql), 1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'person.merge'"),
                     1);
    /* merged once: never again */
    assert_int_equal(vax_person_merge(t->db, b, a, "again"), VAX_ESTATE);
    tdb_close(t);
}

static void test_merge_is_refused_when_both_have_the_same_dose(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char cccd[13];
    tdb_cccd(cccd, 1962, 'f', 10);
    int64_t a = tdb_person(t, "Lò Thị Xuân", "045123456", "1962-03-15", NULL);
    int64_t b = tdb_person(t, "Lò Thị Xuân", cccd, "1962-03-15", NULL);
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, created_at,"
             " updated_at) VALUES ('d-a', %lld, 'AZ', 1, 1, 1, 1), ('d-b', %lld, 'AZ', 1, 2, 2, 2)",
             (long long)a, (long long)b);
    assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    sign_in(t, "boss", VAX_ROLE_MANAGER);
    assert_int_equal(vax_person_merge(t->db, b, a, "same"), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "dose");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM dose WHERE person_id = %lld", (long long)b);
    assert_int_equal(query_int(t->path, sql), 1);
    tdb_close(t);
}

/* A dose and a certificate in force for it (the row as cert.c writes it; the signature is not
 * what these tests are about). */
static void dose_with_cert(test_db *t, int64_t person, int number, const char *tag)
{
    char sql[600];
    snprintf(
        sql, sizeof sql,
        "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, created_at,"
        " updated_at) VALUES ('d-%s', %lld, 'AZ', %d, 1, 1, 1);"
        "INSERT INTO certificate(uuid, dose_id, person_id, ci, kid, issued_at, expires_at, hc1,"
        " created_at, updated_at) SELECT 'c-%s', id, person_id, 'URN:UVCI:01:VN:T/%s', 'k', 1,"
        " 2, 'HC1:X', 1, 1 FROM dose WHERE uuid = 'd-%s'",
        tag, (long long)person, number, tag, tag, tag);
    tdb_exec_at(t->path, sql);
}

static void test_edit_keeps_the_old_version_and_flags_printed_fields(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t a = tdb_person(t, "Lò Thị Xuân", "045123456", "1962-03-15", NULL);
    dose_with_cert(t, a, 1, "e1");
    vax_person p;
    assert_int_equal(vax_person_get(t->db, a, &p), VAX_OK);
    /* the phone is not printed on a certificate: nothing to re-issue */
    snprintf(p.phone, sizeof p.phone, "0912345678");
    assert_int_equal(vax_person_update(t->db, &p, "phone given"), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM certificate WHERE stale <> ''"), 0);
    snprintf(p.full_name, sizeof p.full_name, "Lò Thị Xuân Mai");
    assert_int_equal(vax_person_update(t->db, &p, "name misspelt"), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM certificate WHERE stale ="
                                        " 'full_name'"),
                     1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM person_history WHERE"
                                        " full_name = 'Lò Thị Xuân' AND reason = 'name misspelt'"),
                     1);
    /* a refused edit (a bad phone) changes nothing, the flag included */
    snprintf(p.phone, sizeof p.phone, "12");
    snprintf(p.birth_date, sizeof p.birth_date, "1962-03-16");
    assert_int_equal(vax_person_update(t->db, &p, "bad"), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "phone");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM certificate WHERE stale ="
                                        " 'full_name'"),
                     1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM person_history"), 2);
    tdb_close(t);
}

static void test_void_revokes_the_dose_certificate_and_the_number_follows(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t a = tdb_person(t, "Lò Thị Xuân", "045123456", "1962-03-15", NULL);
    dose_with_cert(t, a, 1, "v1");
    int64_t dose = query_int(t->path, "SELECT id FROM dose WHERE uuid = 'd-v1'");
    int next = 0;
    assert_int_equal(vax_dose_next_number(t->db, a, &next), VAX_OK);
    assert_int_equal(next, 2);
    sign_in(t, "nurse", VAX_ROLE_NURSE);
    assert_int_equal(vax_dose_void(t->db, dose, "wrong person"), VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM certificate WHERE revoked_at = 0"),
                     1);
    sign_in(t, "boss", VAX_ROLE_MANAGER);
    assert_int_equal(vax_dose_void(t->db, dose, "wrong person"), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM certificate WHERE revoked_at = 0"),
                     0);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM certificate_revocation WHERE"
                                        " ci = 'URN:UVCI:01:VN:T/v1' AND reason = 'wrong person'"),
                     1);
    assert_int_equal(vax_dose_next_number(t->db, a, &next), VAX_OK);
    assert_int_equal(next, 1);
    tdb_close(t);
}

static void test_dose_elsewhere_counts_in_numbers_and_rules(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t a = tdb_person(t, "Lò Thị Xuân", "045123456", "1962-03-15", NULL);
    int64_t id = 0;
    int next = 0;
    vax_dose_elsewhere e = {a,         "AZ", "01/08/2021", 0, "TYT xã Bản Hon, Lai Châu",
                            "ABV5300", NULL, NULL};
    int before = (int)query_int(t->path, "SELECT count(*) FROM dose");
    /* each refusal names its field and writes nothing */
    e.place = " ";
    assert_int_equal(vax_dose_record_elsewhere(t->db, &e, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "place");
    e.place = "TYT xã Bản Hon, Lai Châu";
    e.date = "01/11/2021"; /* after T0 (15/10/2021) */
    assert_int_equal(vax_dose_record_elsewhere(t->db, &e, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "date");
    e.date = "01/08/2021";
    e.product = "XX";
    assert_int_equal(vax_dose_record_elsewhere(t->db, &e, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "product");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), before);
    e.product = "AZ";
    assert_int_equal(vax_dose_record_elsewhere(t->db, &e, &id), VAX_OK);
    assert_int_equal(vax_dose_next_number(t->db, a, &next), VAX_OK);
    assert_int_equal(next, 2);
    vax_dose d;
    assert_int_equal(vax_dose_get(t->db, id, &d), VAX_OK);
    assert_int_equal(d.dose_number, 1);
    assert_int_equal(d.visit_id, 0);
    char day[11];
    vax_local_date(d.given_at, day);
    assert_string_equal(day, "2021-08-01");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE source = 'manual' AND"
                                        " place = 'TYT xã Bản Hon, Lai Châu'"),
                     1);
    assert_int_equal(
        query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'dose.elsewhere'"), 1);
    /* dose 1 again is refused; Sinopharm may not follow AstraZeneca */
    e.dose_number = 1;
    assert_int_equal(vax_dose_record_elsewhere(t->db, &e, &id), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "dose_number");
    e.dose_number = 0;
    e.product = "SP";
    e.date = "01/10/2021";
    assert_int_equal(vax_dose_record_elsewhere(t->db, &e, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "product");
    /* Pfizer after AstraZeneca is dose 2 */
    e.product = "PF";
    assert_int_equal(vax_dose_record_elsewhere(t->db, &e, &id), VAX_OK);
    assert_int_equal(vax_dose_get(t->db, id, &d), VAX_OK);
    assert_int_equal(d.dose_number, 2);
    assert_int_equal(vax_dose_next_number(t->db, a, &next), VAX_OK);
    assert_int_equal(next, 3);
    tdb_close(t);
}

/* ---- a dose read from an EU DCC's QR ------------------------------------------------------ */

/* A string field of a public DCC test case (tests/data/dcc-testdata), malloc'd. */
static char *dcc_field(const char *file, const char *key)
{
    const char *root = getenv("VAX_TEST_DATA");
    char path[1024], want[64];
    snprintf(path, sizeof path, "%s/dcc-testdata/%s", root ? root : "tests/data", file);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s (VAX_TEST_DATA=%s)", path, root ? root : "");
    char *b = calloc(1, 1 << 17);
    assert_non_null(b);
    size_t n = fread(b, 1, (1 << 17) - 1, f);
    fclose(f);
    b[n] = 0;
    snprintf(want, sizeof want, "\"%s\": \"", key);
    char *at = strstr(b, want);
    if (!at)
        fail_msg("%s has no %s", path, key);
    at += strlen(want);
    char *end = strchr(at, '"');
    assert_non_null(end);
    char *v = strndup(at, (size_t)(end - at));
    free(b);
    return v;
}

/* The trust list a site would be given: the test case's signer certificate as PEM. */
static vax_trust *dcc_trust(const char *file)
{
    char *der64 = dcc_field(file, "CERTIFICATE"), *pem = calloc(1, strlen(der64) * 2 + 128);
    vax_trust *tr;
    assert_non_null(pem);
    strcat(pem, "-----BEGIN CERTIFICATE-----\n");
    for (size_t i = 0; i < strlen(der64); i += 64) {
        strncat(pem, der64 + i, 64);
        strcat(pem, "\n");
    }
    strcat(pem, "-----END CERTIFICATE-----\n");
    assert_int_equal(vax_trust_new(&tr), VAX_OK);
    assert_int_equal(vax_trust_add_pem(tr, pem, strlen(pem)), VAX_OK);
    free(der64);
    free(pem);
    return tr;
}

/* Germany's public test case 1: Erika Mustermann, born 1964-08-12, Moderna dose 2 of 2 on
 * 2021-05-29 by the Robert Koch-Institut, signed ES256; valid at T0 (expires 2022-01-28). */
#define DCC_DE "DE/2DCode/raw/1.json"
#define DCC_DE_UVCI "URN:UVCI:01DE/IZ12345A/5CWLU12RNOB9RXSEOP6FG8#W"

static void test_dcc_scan_is_shown_then_recorded_once(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t a = tdb_person(t, "Erika Mustermann", "045123456", "1964-08-12", NULL);
    int64_t b = tdb_person(t, "Lò Thị Xuân", "045123457", "1962-03-15", NULL);
    char *hc1 = dcc_field(DCC_DE, "PREFIX");
    vax_trust *tr = dcc_trust(DCC_DE);
    vax_dcc_dose d;
    int64_t id = 0;
    sign_in(t, "nurse", VAX_ROLE_NURSE);
    assert_int_equal(vax_dcc_dose_read(t->db, hc1, tr, a, &d), VAX_OK);
    assert_int_equal(d.result, VAX_CERT_VALID);
    assert_int_equal(d.warnings, 0);
    assert_string_equal(d.product, "MO");
    assert_string_equal(d.hc.gn, "Erika");
    assert_string_equal(d.hc.fn, "Mustermann");
    assert_string_equal(d.hc.dob, "1964-08-12");
    assert_int_equal(d.hc.dn, 2);
    assert_int_equal(d.hc.sd, 2);
    assert_string_equal(d.hc.dt, "2021-05-29");
    assert_string_equal(d.hc.co, "DE");
    assert_string_equal(d.hc.is, "Robert Koch-Institut");
    assert_string_equal(d.hc.ci, DCC_DE_UVCI);
    /* a scanner's line end is no part of it */
    char *typed = calloc(1, strlen(hc1) + 3);
    assert_non_null(typed);
    strcat(strcat(typed, hc1), "\r\n");
    assert_int_equal(vax_dose_record_hc1(t->db, a, typed, tr, 0, &id), VAX_OK);
    free(typed);
    vax_dose dose;
    assert_int_equal(vax_dose_get(t->db, id, &dose), VAX_OK);
    assert_int_equal(dose.dose_number, 2);
    assert_string_equal(dose.product, "MO");
    assert_int_equal(dose.visit_id, 0);
    char day[11];
    vax_local_date(dose.given_at, day);
    assert_string_equal(day, "2021-05-29");
    assert_int_equal(
        query_int(t->path, "SELECT count(*) FROM dose WHERE source = 'hc1' AND uvci = '" DCC_DE_UVCI
                           "' AND verified = 'valid' AND place = 'Robert Koch-Institut (DE)'"),
        1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'dose.elsewhere'"
                                        " AND details LIKE '%" DCC_DE_UVCI "%'"),
                     1);
    int next = 0;
    assert_int_equal(vax_dose_next_number(t->db, a, &next), VAX_OK);
    assert_int_equal(next, 3);
    /* the same certificate again, for her or anyone: already recorded, said before confirming */
    assert_int_equal(vax_dcc_dose_read(t->db, hc1, tr, a, &d), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "uvci");
    assert_non_null(strstr(vax_errmsg(t->db), "Erika Mustermann"));
    assert_int_equal(vax_dose_record_hc1(t->db, b, hc1, tr, ~0u, &id), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "uvci");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 1);
    /* a volunteer does not record doses */
    sign_in(t, "volunteer", VAX_ROLE_VOLUNTEER);
    assert_int_equal(vax_dose_record_hc1(t->db, b, hc1, tr, ~0u, &id), VAX_EPERM);
    vax_trust_free(tr);
    free(hc1);
    tdb_close(t);
}

static void test_dcc_scan_with_an_unknown_signer_is_the_nurses_choice(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t a = tdb_person(t, "Erika Mustermann", "045123456", "1964-08-12", NULL);
    char *hc1 = dcc_field(DCC_DE, "PREFIX");
    vax_trust *none;
    vax_dcc_dose d;
    int64_t id = 0;
    assert_int_equal(vax_trust_new(&none), VAX_OK);
    sign_in(t, "nurse", VAX_ROLE_NURSE);
    assert_int_equal(vax_dcc_dose_read(t->db, hc1, none, a, &d), VAX_OK);
    assert_int_equal(d.result, VAX_CERT_UNKNOWN_KID);
    assert_int_equal(d.warnings, VAX_DCC_SIGNER_UNKNOWN);
    assert_int_equal(vax_dose_record_hc1(t->db, a, hc1, none, 0, &id), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "signer");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 0);
    assert_int_equal(vax_dose_record_hc1(t->db, a, hc1, none, VAX_DCC_SIGNER_UNKNOWN, &id), VAX_OK);
    assert_int_equal(
        query_int(t->path,
                  "SELECT count(*) FROM dose WHERE source = 'hc1' AND verified = 'unknown_kid'"),
        1);
    vax_trust_free(none);
    free(hc1);
    tdb_close(t);
}

static void test_dcc_scan_of_someone_else_is_a_warning_to_confirm(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    /* the name's words in the other order and without the certificate's case still match */
    int64_t same = tdb_person(t, "MUSTERMANN Erika", "045123456", "1964-08-12", NULL);
    int64_t other = tdb_person(t, "Nguyễn Thị Hoa", "045123457", "1964-08-12", NULL);
    int64_t born = tdb_person(t, "Erika Mustermann", "045123458", "1965-08-12", NULL);
    char *hc1 = dcc_field(DCC_DE, "PREFIX");
    vax_trust *tr = dcc_trust(DCC_DE);
    vax_dcc_dose d;
    int64_t id = 0;
    sign_in(t, "nurse", VAX_ROLE_NURSE);
    assert_int_equal(vax_dcc_dose_read(t->db, hc1, tr, same, &d), VAX_OK);
    assert_int_equal(d.warnings, 0);
    assert_int_equal(vax_dcc_dose_read(t->db, hc1, tr, other, &d), VAX_OK);
    assert_int_equal(d.warnings, VAX_DCC_NAME_DIFFERS);
    assert_int_equal(vax_dcc_dose_read(t->db, hc1, tr, born, &d), VAX_OK);
    assert_int_equal(d.warnings, VAX_DCC_DOB_DIFFERS);
    assert_int_equal(vax_dose_record_hc1(t->db, other, hc1, tr, 0, &id), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "name");
    assert_int_equal(vax_dose_record_hc1(t->db, born, hc1, tr, VAX_DCC_NAME_DIFFERS, &id),
                     VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "birth_date");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose"), 0);
    assert_int_equal(vax_dose_record_hc1(t->db, born, hc1, tr, VAX_DCC_DOB_DIFFERS, &id), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT person_id FROM dose"), born);
    vax_trust_free(tr);
    free(hc1);
    tdb_close(t);
}

static void test_dcc_scan_past_its_expiry_is_judged_as_issued(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t a = tdb_person(t, "Erika Mustermann", "045123456", "1964-08-12", NULL);
    char *hc1 = dcc_field(DCC_DE, "PREFIX"), *test = dcc_field("DE/2DCode/raw/2.json", "PREFIX");
    vax_trust *tr = dcc_trust(DCC_DE);
    vax_dcc_dose d;
    int64_t id = 0;
    sign_in(t, "nurse", VAX_ROLE_NURSE);
    vax_clock_set(T0 + 400 * 86400LL); /* November 2022: its validity ended in January */
    assert_int_equal(vax_dcc_dose_read(t->db, hc1, tr, a, &d), VAX_OK);
    assert_int_equal(d.result, VAX_CERT_EXPIRED);
    assert_int_equal(d.warnings, 0);
    /* a test result is not a dose; nor is text that is no certificate */
    assert_int_equal(vax_dcc_dose_read(t->db, test, tr, a, &d), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "hc1");
    assert_int_equal(vax_dcc_dose_read(t->db, "HC1:NOT BASE45~", tr, a, &d), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "hc1");
    assert_int_equal(vax_dose_record_hc1(t->db, a, hc1, tr, 0, &id), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM dose WHERE verified = 'expired'"), 1);
    vax_trust_free(tr);
    free(hc1);
    free(test);
    tdb_close(t);
}

/* ---- people without papers ---------------------------------------------------------------- */

static void test_person_without_papers_gets_a_site_made_identifier(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_person a, b, got;
    char id[13], msg[256];
    sign_in(t, "volunteer", VAX_ROLE_VOLUNTEER);
    memset(&a, 0, sizeof a);
    snprintf(a.full_name, sizeof a.full_name, "Giàng Thị Máy");
    snprintf(a.birth_date, sizeof a.birth_date, "1948"); /* she knows the year only */
    a.sex = 'f';
    if (vax_person_register(t->db, &a, NULL, 0) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    /* clearly not a national ID: letters where a CCCD or CMND has digits only */
    assert_int_equal(strlen(a.national_id), 12);
    assert_int_equal(strncmp(a.national_id, "KGT", 3), 0);
    for (const char *c = a.national_id + 3; *c; c++)
        assert_non_null(strchr(VAX_SITE_ID_ALPHABET, *c));
    assert_int_equal(vax_validate_national_id(a.national_id, id, msg, sizeof msg), VAX_OK);
    assert_string_equal(id, a.national_id);
    /* typed in lower case at a desk, it is the same identifier */
    char lower[13];
    for (int i = 0; i < 13; i++)
        lower[i] = (char)tolower((unsigned char)a.national_id[i]);
    assert_int_equal(vax_validate_national_id(lower, id, msg, sizeof msg), VAX_OK);
    assert_int_equal(vax_person_by_national_id(t->db, id, &got), VAX_OK);
    assert_int_equal(got.id, a.id);
    assert_string_equal(got.birth_date, "1948");
    /* a made-up one is not accepted as one */
    assert_int_equal(vax_validate_national_id("KGT12345678", id, msg, sizeof msg), VAX_EINVAL);
    assert_int_equal(vax_validate_national_id("KGTIIIIIIIII", id, msg, sizeof msg), VAX_EINVAL);
    /* the same woman again without papers: the duplicate check asks first */
    memset(&b, 0, sizeof b);
    snprintf(b.full_name, sizeof b.full_name, "Giàng Thị Máy");
    snprintf(b.birth_date, sizeof b.birth_date, "1948");
    assert_int_equal(vax_person_register(t->db, &b, NULL, 0), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "duplicate");
    /* someone else without papers gets another identifier */
    memset(&b, 0, sizeof b);
    snprintf(b.full_name, sizeof b.full_name, "Giàng A Páo");
    snprintf(b.birth_date, sizeof b.birth_date, "1950-06");
    assert_int_equal(vax_person_register(t->db, &b, NULL, 0), VAX_OK);
    assert_int_equal(strncmp(b.national_id, "KGT", 3), 0);
    assert_string_not_equal(a.national_id, b.national_id);
    assert_int_equal(
        query_int(t->path, "SELECT count(*) FROM person WHERE national_id LIKE 'KGT%'"), 2);
    tdb_close(t);
}

/* A certificate of someone born in a known year only carries that year as its dob, as the EU DCC
 * allows, and verifies. */
static void test_certificate_of_a_birth_year_only_verifies(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char dir[512], path[700], sql[300];
    vax_certificate c;
    vax_cert_check chk;
    vax_trust *tr = NULL;
    assert_int_equal(vax_site_set(t->db, "BVLC", "Trạm Y tế phường Tân Phong", 0), VAX_OK);
    assert_int_equal(vax_keys_dir(t->db, dir, sizeof dir), VAX_OK);
    assert_int_equal(vax_keys_init(t->db, dir, 0), VAX_OK);
    int64_t a = tdb_person(t, "Giàng Thị Máy", "045123456", "1948", NULL);
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no,"
             " created_at, updated_at) VALUES ('d-y', %lld, 'AZ', 1, %lld, 'ABV5300', 1, 1)",
             (long long)a, (long long)T0);
    tdb_exec_at(t->path, sql);
    int64_t dose = query_int(t->path, "SELECT id FROM dose WHERE uuid = 'd-y'");
    assert_int_equal(vax_cert_issue(t->db, dose, &c), VAX_OK);
    assert_string_equal(c.hc.dob, "1948");
    assert_int_equal(vax_trust_load(t->db, &tr), VAX_OK);
    assert_int_equal(vax_hc1_verify(c.hc1, tr, NULL, T0 + 60, &chk), VAX_OK);
    if (chk.result != VAX_CERT_VALID)
        fail_msg("%s: %s", vax_cert_result_code(chk.result), chk.why);
    vax_cert_check_free(&chk);
    vax_trust_free(tr);
    snprintf(path, sizeof path, "%s/site.key", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/site.crt", dir);
    unlink(path);
    rmdir(dir);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_card_scan_well_formed_gives_every_field),
        cmocka_unit_test(test_card_scan_missing_fields_are_named),
        cmocka_unit_test(test_card_scan_extra_separators),
        cmocka_unit_test(test_card_scan_name_in_nfd_is_stored_nfc),
        cmocka_unit_test(test_card_scan_cmnd_only_card),
        cmocka_unit_test(test_card_scan_garbage_is_refused_with_the_reason),
        cmocka_unit_test(test_card_finds_by_cccd_or_links_it_to_the_cmnd_record),
        cmocka_unit_test(test_duplicate_finder_same_name_and_birth_or_old_id),
        cmocka_unit_test(test_register_shows_the_candidate_then_links_or_confirms),
        cmocka_unit_test(test_merge_moves_doses_visits_and_keeps_history),
        cmocka_unit_test(test_merge_is_refused_when_both_have_the_same_dose),
        cmocka_unit_test(test_edit_keeps_the_old_version_and_flags_printed_fields),
        cmocka_unit_test(test_void_revokes_the_dose_certificate_and_the_number_follows),
        cmocka_unit_test(test_dose_elsewhere_counts_in_numbers_and_rules),
        cmocka_unit_test(test_dcc_scan_is_shown_then_recorded_once),
        cmocka_unit_test(test_dcc_scan_with_an_unknown_signer_is_the_nurses_choice),
        cmocka_unit_test(test_dcc_scan_of_someone_else_is_a_warning_to_confirm),
        cmocka_unit_test(test_dcc_scan_past_its_expiry_is_judged_as_issued),
        cmocka_unit_test(test_person_without_papers_gets_a_site_made_identifier),
        cmocka_unit_test(test_certificate_of_a_birth_year_only_verifies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
