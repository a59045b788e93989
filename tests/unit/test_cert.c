/* test_cert.c: certificates: names, UVCI, CBOR/COSE structure, ES256 and PS256 signing and
 * verifying, every tampered layer caught with its reason, issue / re-issue / revocation, QR. */
#include "testutil.h"

#include "certkeys.h"

#include <cbor.h>
#include <openssl/x509v3.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* A dose row as the dose module writes it (written here directly, so these tests do not depend
 * on the injection flow). */
static int64_t add_dose(test_db *t, int64_t person, const char *product, int number, int voided)
{
    sqlite3 *s;
    sqlite3_stmt *st;
    char uuid[37];
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "INSERT INTO dose(uuid, person_id, product, dose_number,"
                                        " given_at, lot_no, voided, created_at, updated_at)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5, 'ABV5300', ?6, ?5, ?5)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    vax_uuid(uuid);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, person);
    sqlite3_bind_text(st, 3, product, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, number);
    sqlite3_bind_int64(st, 5, T0);
    sqlite3_bind_int(st, 6, voided);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    int64_t id = sqlite3_last_insert_rowid(s);
    sqlite3_close(s);
    return id;
}

static int count_rows(test_db *t, const char *sql)
{
    sqlite3 *s;
    sqlite3_stmt *st;
    int n = -1;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return n;
}

static test_db *site_with_key(int rsa_bits)
{
    test_db *t = tdb_open();
    char dir[512];
    assert_int_equal(vax_site_set(t->db, "BVLC", "Trạm Y tế phường Tân Phong", 0), VAX_OK);
    assert_int_equal(vax_keys_dir(t->db, dir, sizeof dir), VAX_OK);
    assert_int_equal(vax_keys_init(t->db, dir, rsa_bits), VAX_OK);
    return t;
}

static void site_close(test_db *t)
{
    char dir[512], p[700];
    vax_keys_dir(t->db, dir, sizeof dir);
    snprintf(p, sizeof p, "%s/site.key", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/site.crt", dir);
    unlink(p);
    rmdir(dir);
    tdb_close(t);
}

static vax_trust *site_trust(test_db *t)
{
    vax_trust *tr;
    vax_signer *s;
    char dir[512];
    assert_int_equal(vax_trust_new(&tr), VAX_OK);
    vax_keys_dir(t->db, dir, sizeof dir);
    assert_int_equal(vax_signer_load(t->db, dir, &s), VAX_OK);
    assert_int_equal(vax_trust_add_signer(tr, s), VAX_OK);
    vax_signer_free(s);
    return tr;
}

static vax_cert_result verify(const char *hc1, const vax_trust *tr, const char *revoked,
                              int64_t now)
{
    vax_cert_check c;
    assert_int_equal(vax_hc1_verify(hc1, tr, revoked, now, &c), VAX_OK);
    vax_cert_check_free(&c);
    return c.result;
}

/* ---- names and identifiers ---------------------------------------------------------------- */

static void test_icao_transliteration_table(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } table[] = {
        {"Nguyễn", "NGUYEN"},
        {"Văn Hùng", "VAN<HUNG"},
        {"Đặng Thị Ánh", "DANG<THI<ANH"},
        {"đỗ", "DO"},
        {"Phạm  Quỳnh-Như", "PHAM<QUYNH<NHU"},
        {"Ưng Hoàng Phúc", "UNG<HOANG<PHUC"},
        {"Lê Thị Ngọc Trâm", "LE<THI<NGOC<TRAM"},
        {"Müller", "MUELLER"},
        {"Gößinger", "GOESSINGER"},
        {"Ota Yhteyttä", "OTA<YHTEYTTAE"},
        {"  ", ""},
        {"O'Brien", "OBRIEN"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        char out[81];
        vax_icao_name(table[i].in, out, sizeof out);
        assert_string_equal(out, table[i].out);
    }
    /* never longer than the schema's 80 */
    char long_name[400] = "", out[81];
    for (int i = 0; i < 40; i++)
        strcat(long_name, "Nguyễn ");
    vax_icao_name(long_name, out, sizeof out);
    assert_true(strlen(out) <= 80);
}

static void test_uvci_check_character_matches_published_certificate(void **state)
{
    (void)state;
    /* from the Austrian test certificate URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B */
    assert_int_equal(vax_uvci_check_char("URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813"), 'B');
    assert_int_equal(vax_uvci_check_char("URN:UVCI:01:NL:187/37512422923"), 'Z');
    assert_int_equal(vax_uvci_check_char("urn:lower"), 0);
}

/* ---- issue and verify ---------------------------------------------------------------------- */

static void test_issued_certificate_verifies_and_carries_the_dose(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    int64_t p = tdb_person(t, "Nguyễn Văn Đức", "001090001234", "1990-02-01", NULL);
    int64_t d = add_dose(t, p, "AZ", 1, 0);
    vax_certificate c;
    assert_int_equal(vax_cert_issue(t->db, d, &c), VAX_OK);
    assert_true(c.id > 0);
    assert_int_equal(strncmp(c.hc1, "HC1:", 4), 0);
    assert_int_equal(strncmp(c.ci, "URN:UVCI:01:VN:BVLC/", 20), 0);
    char body[81];
    snprintf(body, sizeof body, "%s", c.ci);
    char *hash = strchr(body, '#');
    assert_non_null(hash);
    *hash = 0;
    assert_int_equal(hash[1], vax_uvci_check_char(body));

    vax_trust *tr = site_trust(t);
    vax_cert_check chk;
    assert_int_equal(vax_hc1_verify(c.hc1, tr, NULL, T0 + 60, &chk), VAX_OK);
    assert_int_equal(chk.result, VAX_CERT_VALID);
    assert_int_equal(chk.alg, -7);
    assert_string_equal(chk.hc.fn, "Nguyễn");
    assert_string_equal(chk.hc.gn, "Văn Đức");
    assert_string_equal(chk.hc.fnt, "NGUYEN");
    assert_string_equal(chk.hc.gnt, "VAN<DUC");
    assert_string_equal(chk.hc.dob, "1990-02-01");
    assert_string_equal(chk.hc.tg, "840539006");
    assert_string_equal(chk.hc.vp, "J07BX03");
    assert_string_equal(chk.hc.mp, "EU/1/21/1529");
    assert_string_equal(chk.hc.ma, "ORG-100001699");
    assert_int_equal(chk.hc.dn, 1);
    assert_int_equal(chk.hc.sd, 2);
    assert_string_equal(chk.hc.dt, "2021-10-15");
    assert_string_equal(chk.hc.co, "VN");
    assert_string_equal(chk.hc.iss, "VN");
    assert_string_equal(chk.hc.ci, c.ci);
    assert_int_equal(chk.hc.iat, T0);
    assert_int_equal(chk.hc.exp, T0 + 365 * 86400LL);
    /* the payload is hcert 1.3.0 with exactly the vaccination group */
    assert_non_null(strstr(chk.json, "\"ver\":\"1.3.0\""));
    assert_non_null(strstr(chk.json, "\"v\":[{"));
    assert_null(strstr(chk.json, "\"t\":"));
    vax_cert_check_free(&chk);

    vax_certificate back;
    assert_int_equal(vax_cert_for_dose(t->db, d, &back), VAX_OK);
    assert_int_equal(back.id, c.id);
    assert_string_equal(back.lot_no, "ABV5300");
    assert_string_equal(back.hc.gn, "Văn Đức");
    assert_int_equal(count_rows(t, "SELECT count(*) FROM audit WHERE action='certificate.issue'"),
                     1);
    vax_trust_free(tr);
    site_close(t);
}

static void test_cose_structure_is_tagged_sign1_with_kid_of_signer_certificate(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    int64_t p = tdb_person(t, "Trần Thị Hoa", "001190001236", "1990-06-05", NULL);
    vax_certificate c;
    assert_int_equal(vax_cert_issue(t->db, add_dose(t, p, "PF", 2, 0), &c), VAX_OK);
    uint8_t *z, *raw;
    size_t zn, rn;
    assert_int_equal(vax_base45_decode(c.hc1 + 4, strlen(c.hc1 + 4), &z, &zn), VAX_OK);
    assert_int_equal(z[0], 0x78); /* zlib header */
    assert_int_equal(vax_zlib_inflate(z, zn, &raw, &rn), VAX_OK);
    assert_int_equal(raw[0], 0xd2); /* tag 18: COSE_Sign1 */
    assert_int_equal(raw[1], 0x84); /* an array of four */
    vax_cose *cose;
    char why[128];
    assert_int_equal(vax_cose_parse(raw, rn, &cose, why, sizeof why), VAX_OK);
    char *claims;
    assert_int_equal(vax_cose_claims_json(cose, &claims), VAX_OK);
    /* CWT: iss 1, exp 4, iat 6, hcert -260 {1: ...} */
    assert_non_null(strstr(claims, "\"1\":\"VN\""));
    assert_non_null(strstr(claims, "\"-260\":{\"1\":{"));
    assert_non_null(strstr(claims, "\"4\":"));
    assert_non_null(strstr(claims, "\"6\":1634263200"));
    assert_int_equal(vax_cose_schema_check(cose, why, sizeof why), VAX_OK);
    int64_t iat, exp;
    int has_exp;
    vax_cose_times(cose, &iat, &exp, &has_exp);
    assert_int_equal(iat, T0);
    assert_true(has_exp);
    free(claims);
    vax_cose_free(cose);
    free(z);
    free(raw);
    site_close(t);
}

static void test_ps256_key_signs_certificates_that_verify(void **state)
{
    (void)state;
    test_db *t = site_with_key(2048);
    int64_t p = tdb_person(t, "Lê Văn Tám", "001090001299", "1990-01-01", NULL);
    vax_certificate c;
    assert_int_equal(vax_cert_issue(t->db, add_dose(t, p, "MO", 1, 0), &c), VAX_OK);
    vax_trust *tr = site_trust(t);
    vax_cert_check chk;
    assert_int_equal(vax_hc1_verify(c.hc1, tr, NULL, T0, &chk), VAX_OK);
    assert_int_equal(chk.result, VAX_CERT_VALID);
    assert_int_equal(chk.alg, -37);
    vax_cert_check_free(&chk);
    vax_trust_free(tr);
    site_close(t);
}

/* Rebuilds an HC1 string from COSE bytes. */
static char *hc1_of_cose(const uint8_t *cose, size_t n)
{
    uLongf zn = compressBound(n);
    uint8_t *z = malloc(zn);
    assert_int_equal(compress2(z, &zn, cose, n, 9), Z_OK);
    char *b45, *out;
    assert_int_equal(vax_base45_encode(z, zn, &b45), VAX_OK);
    out = malloc(strlen(b45) + 5);
    sprintf(out, "HC1:%s", b45);
    free(b45);
    free(z);
    return out;
}

static void test_every_tampered_layer_is_caught_with_its_reason(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    int64_t p = tdb_person(t, "Phạm Minh Châu", "001090001250", "1990-09-09", NULL);
    vax_certificate c;
    assert_int_equal(vax_cert_issue(t->db, add_dose(t, p, "AZ", 1, 0), &c), VAX_OK);
    vax_trust *tr = site_trust(t), *empty;
    assert_int_equal(vax_trust_new(&empty), VAX_OK);
    char buf[4200];

    assert_int_equal(verify(c.hc1, tr, NULL, T0), VAX_CERT_VALID);
    /* prefix */
    snprintf(buf, sizeof buf, "HC2:%s", c.hc1 + 4);
    assert_int_equal(verify(buf, tr, NULL, T0), VAX_CERT_BAD_PREFIX);
    /* base45: a lower-case letter is outside the alphabet */
    snprintf(buf, sizeof buf, "%s", c.hc1);
    buf[10] = 'a';
    assert_int_equal(verify(buf, tr, NULL, T0), VAX_CERT_BAD_BASE45);
    /* zlib: one byte of the deflate stream changed */
    uint8_t *z, *raw;
    size_t zn, rn;
    char *b45, *bad;
    assert_int_equal(vax_base45_decode(c.hc1 + 4, strlen(c.hc1 + 4), &z, &zn), VAX_OK);
    z[zn / 2] ^= 0x55;
    z[zn - 2] ^= 0x55; /* and the Adler-32 checksum */
    assert_int_equal(vax_base45_encode(z, zn, &b45), VAX_OK);
    snprintf(buf, sizeof buf, "HC1:%s", b45);
    free(b45);
    assert_int_equal(verify(buf, tr, NULL, T0), VAX_CERT_BAD_ZLIB);
    free(z);
    /* COSE: the array header changed from four items to three */
    assert_int_equal(vax_base45_decode(c.hc1 + 4, strlen(c.hc1 + 4), &z, &zn), VAX_OK);
    assert_int_equal(vax_zlib_inflate(z, zn, &raw, &rn), VAX_OK);
    raw[1] = 0x83;
    bad = hc1_of_cose(raw, rn);
    assert_int_equal(verify(bad, tr, NULL, T0), VAX_CERT_BAD_COSE);
    free(bad);
    raw[1] = 0x84;
    /* kid: a verifier that does not have our certificate */
    assert_int_equal(verify(c.hc1, empty, NULL, T0), VAX_CERT_UNKNOWN_KID);
    /* signature: its last byte changed */
    raw[rn - 1] ^= 1;
    bad = hc1_of_cose(raw, rn);
    assert_int_equal(verify(bad, tr, NULL, T0), VAX_CERT_BAD_SIGNATURE);
    free(bad);
    raw[rn - 1] ^= 1;
    /* payload: one letter of the name changed, the signature no longer matches */
    for (size_t i = 0; i + 6 < rn; i++)
        if (!memcmp(raw + i, "PHAM", 4)) {
            raw[i] = 'B';
            break;
        }
    bad = hc1_of_cose(raw, rn);
    assert_int_equal(verify(bad, tr, NULL, T0), VAX_CERT_BAD_SIGNATURE);
    free(bad);
    free(z);
    free(raw);
    /* expiry */
    assert_int_equal(verify(c.hc1, tr, NULL, T0 + 366 * 86400LL), VAX_CERT_EXPIRED);
    /* revocation list */
    char list[200];
    snprintf(list, sizeof list, "# list\nURN:UVCI:01:VN:OTHER/1#A\n%s\n", c.ci);
    assert_int_equal(verify(c.hc1, tr, list, T0), VAX_CERT_REVOKED);
    assert_int_equal(verify(c.hc1, tr, "# nothing\n", T0), VAX_CERT_VALID);
    vax_trust_free(tr);
    vax_trust_free(empty);
    site_close(t);
}

static vax_hcert good_hcert(void)
{
    vax_hcert h = {.fn = "Nguyễn",
                   .fnt = "NGUYEN",
                   .gn = "Văn An",
                   .gnt = "VAN<AN",
                   .dob = "1990-01-01",
                   .tg = "840539006",
                   .vp = "J07BX03",
                   .mp = "EU/1/21/1529",
                   .ma = "ORG-100001699",
                   .dn = 1,
                   .sd = 2,
                   .dt = "2021-10-15",
                   .co = "VN",
                   .is = "MoH",
                   .ci = "URN:UVCI:01:VN:X",
                   .iss = "VN",
                   .iat = T0,
                   .exp = T0 + 86400};
    return h;
}

static void test_schema_violation_is_reported_after_a_good_signature(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    vax_signer *s;
    char dir[512], *hc1;
    vax_keys_dir(t->db, dir, sizeof dir);
    assert_int_equal(vax_signer_load(t->db, dir, &s), VAX_OK);
    vax_hcert h = good_hcert();
    snprintf(h.fnt, sizeof h.fnt, "nguyen"); /* small letters: outside A-Z and < */
    assert_int_equal(vax_hc1_make(&h, s, &hc1), VAX_OK);
    vax_trust *tr;
    vax_trust_new(&tr);
    vax_trust_add_signer(tr, s);
    vax_cert_check chk;
    assert_int_equal(vax_hc1_verify(hc1, tr, NULL, T0, &chk), VAX_OK);
    assert_int_equal(chk.result, VAX_CERT_SCHEMA);
    assert_non_null(strstr(chk.why, "fnt"));
    vax_cert_check_free(&chk);
    free(hc1);
    /* dose number 0 breaks the schema's minimum */
    snprintf(h.fnt, sizeof h.fnt, "NGUYEN");
    h.dn = 0;
    assert_int_equal(vax_hc1_make(&h, s, &hc1), VAX_OK);
    assert_int_equal(verify(hc1, tr, NULL, T0), VAX_CERT_SCHEMA);
    free(hc1);
    vax_trust_free(tr);
    vax_signer_free(s);
    site_close(t);
}

/* ---- checks beyond the published schema, key usage, curve by key ----------------------------- */

static void test_self_contradicting_payloads_are_schema_violations(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    vax_signer *s;
    char dir[512];
    vax_keys_dir(t->db, dir, sizeof dir);
    assert_int_equal(vax_signer_load(t->db, dir, &s), VAX_OK);
    vax_trust *tr;
    vax_trust_new(&tr);
    vax_trust_add_signer(tr, s);
    static const struct {
        const char *field, *value, *why; /* why: NULL when the certificate is valid */
    } cases[] = {
        {"dob", "2021-10-16", "dob"}, /* born the day after the certificate was issued (T0) */
        {"dob", "2022", "dob"},       {"dob", "2021-10", NULL}, /* October 2021 may be before the
                                                                   15th */
        {"gnt", "", "gnt"}, /* a given name without its transliteration */
        {"ma", "ORG-99999999", "ma"}, {"ma", "9999", "ma"},     {"ma", "ORG-100030215", NULL},
        {"co", "XY", "co"},                               /* ISO 3166 private use: no country */
        {"co", "QZ", "co"},           {"co", "XK", NULL}, /* Kosovo, as the EU value set writes it
                                                           */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vax_hcert h = good_hcert();
        char *f = !strcmp(cases[i].field, "dob")   ? h.dob
                  : !strcmp(cases[i].field, "gnt") ? h.gnt
                  : !strcmp(cases[i].field, "ma")  ? h.ma
                                                   : h.co;
        strcpy(f, cases[i].value);
        char *hc1;
        vax_cert_check chk;
        assert_int_equal(vax_hc1_make(&h, s, &hc1), VAX_OK);
        assert_int_equal(vax_hc1_verify(hc1, tr, NULL, T0, &chk), VAX_OK);
        if (chk.result != (cases[i].why ? VAX_CERT_SCHEMA : VAX_CERT_VALID))
            fail_msg("%s=%s: result %s (%s)", cases[i].field, cases[i].value,
                     vax_cert_result_code(chk.result), chk.why);
        if (cases[i].why)
            assert_non_null(strstr(chk.why, cases[i].why));
        vax_cert_check_free(&chk);
        free(hc1);
    }
    vax_trust_free(tr);
    vax_signer_free(s);
    site_close(t);
}

/* hcert CBOR {ver, nam{fnt}, dob, v[{... dn, sd}]} for the bare schema check. */
static uint8_t *hcert_cbor(const char *ver, int dn, size_t *n)
{
    cbor_item_t *root = cbor_new_definite_map(4), *nam = cbor_new_definite_map(1);
    cbor_item_t *v = cbor_new_definite_array(1), *e = cbor_new_definite_map(10);
    static const char *const text[][2] = {{"tg", "840539006"},    {"vp", "J07BX03"},
                                          {"mp", "EU/1/21/1529"}, {"ma", "ORG-100001699"},
                                          {"dt", "2021-10-15"},   {"co", "VN"},
                                          {"is", "MoH"},          {"ci", "URN:UVCI:01:VN:X"}};
    for (size_t i = 0; i < 8; i++)
        cbor_map_add(e, (struct cbor_pair){cbor_move(cbor_build_string(text[i][0])),
                                           cbor_move(cbor_build_string(text[i][1]))});
    cbor_map_add(e, (struct cbor_pair){cbor_move(cbor_build_string("dn")),
                                       cbor_move(cbor_build_uint8((uint8_t)dn))});
    cbor_map_add(
        e, (struct cbor_pair){cbor_move(cbor_build_string("sd")), cbor_move(cbor_build_uint8(2))});
    cbor_array_push(v, cbor_move(e));
    cbor_map_add(nam, (struct cbor_pair){cbor_move(cbor_build_string("fnt")),
                                         cbor_move(cbor_build_string("NGUYEN"))});
    cbor_map_add(root, (struct cbor_pair){cbor_move(cbor_build_string("ver")),
                                          cbor_move(cbor_build_string(ver))});
    cbor_map_add(root, (struct cbor_pair){cbor_move(cbor_build_string("nam")), cbor_move(nam)});
    cbor_map_add(root, (struct cbor_pair){cbor_move(cbor_build_string("dob")),
                                          cbor_move(cbor_build_string("1990-01-01"))});
    cbor_map_add(root, (struct cbor_pair){cbor_move(cbor_build_string("v")), cbor_move(v)});
    uint8_t *buf = NULL;
    size_t cap;
    *n = cbor_serialize_alloc(root, &buf, &cap);
    cbor_decref(&root);
    return buf;
}

static void test_dose_number_zero_passes_only_in_version_1_0(void **state)
{
    (void)state;
    static const struct {
        const char *ver;
        int dn, ok;
    } cases[] = {{"1.0.0", 0, 1}, {"1.0.4", 0, 1}, {"1.2.1", 0, 0},
                 {"1.3.0", 0, 0}, {"1.3.0", 1, 1}, {"1.0.0", 1, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        char why[256] = "";
        uint8_t *b = hcert_cbor(cases[i].ver, cases[i].dn, &n);
        assert_non_null(b);
        int rc = vax_hcert_schema_check_cbor(b, n, why, sizeof why);
        if ((rc == VAX_OK) != cases[i].ok)
            fail_msg("ver %s dn %d: %s", cases[i].ver, cases[i].dn, why);
        free(b);
    }
}

/* A self-signed P-256 certificate with the given extended key usage ("" for none). */
static uint8_t *cert_with_eku(EVP_PKEY *key, const char *eku, size_t *n)
{
    X509 *x = X509_new();
    X509V3_CTX v3;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"DSC", -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    if (*eku) {
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage, eku);
        assert_non_null(ext);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    assert_true(len > 0);
    uint8_t *out = malloc((size_t)len);
    memcpy(out, der, (size_t)len);
    *n = (size_t)len;
    OPENSSL_free(der);
    X509_free(x);
    return out;
}

static void test_signer_key_usage_decides_which_kinds_it_may_sign(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    int64_t p = tdb_person(t, "Trần Thị Hoa", "001190001236", "1990-06-05", NULL);
    vax_certificate c;
    assert_int_equal(vax_cert_issue(t->db, add_dose(t, p, "PF", 2, 0), &c), VAX_OK);
    uint8_t *z, *raw;
    size_t zn, rn;
    vax_cose *cose;
    char why[128];
    assert_int_equal(vax_base45_decode(c.hc1 + 4, strlen(c.hc1 + 4), &z, &zn), VAX_OK);
    assert_int_equal(vax_zlib_inflate(z, zn, &raw, &rn), VAX_OK);
    assert_int_equal(vax_cose_parse(raw, rn, &cose, why, sizeof why), VAX_OK);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    static const struct {
        const char *eku;
        int ok; /* for a vaccination certificate */
    } cases[] = {
        {"", 1},                                                    /* no extension: every kind */
        {"1.3.6.1.4.1.1847.2021.1.2", 1},                           /* vaccination */
        {"1.3.6.1.4.1.1847.2021.1.1", 0},                           /* tests only */
        {"1.3.6.1.4.1.1847.2021.1.1,1.3.6.1.4.1.1847.2021.1.3", 0}, /* tests and recovery */
        {"1.3.6.1.4.1.0.1847.2021.1.2", 1},                         /* the early spelling */
        {"2.23.136.1.1.14.2", 0},   /* only the ICAO document signer's usage */
        {"anyExtendedKeyUsage", 1}, /* 2.5.29.37.0 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *der = cert_with_eku(key, cases[i].eku, &n);
        if (vax_cose_key_usage_der(cose, der, n) != cases[i].ok)
            fail_msg("extended key usage '%s': expected %d", cases[i].eku, cases[i].ok);
        free(der);
    }
    /* the site's own certificate names vaccination, so what it issues passes the verifier */
    vax_trust *tr = site_trust(t);
    assert_int_equal(verify(c.hc1, tr, NULL, T0 + 60), VAX_CERT_VALID);
    vax_trust_free(tr);
    EVP_PKEY_free(key);
    vax_cose_free(cose);
    free(z);
    free(raw);
    site_close(t);
}

/* Some issuers sign under an ES256 header with a P-384 key: r and s are 48 bytes each and the
 * hash is SHA-256. The key's curve decides the sizes; a signature of the wrong size is refused. */
static void test_es256_header_with_p384_key_verifies_by_the_key(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_EC_gen("P-384");
    size_t n;
    uint8_t *der = cert_with_eku(key, "", &n);
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)n);
    static const uint8_t msg[] = "Sig_structure";
    uint8_t *sig;
    size_t siglen;
    assert_int_equal(vax_cose_sign_raw(key, COSE_ES256, msg, sizeof msg, &sig, &siglen), VAX_OK);
    assert_int_equal(siglen, 96);
    assert_true(vax_cose_verify_raw(cert, COSE_ES256, msg, sizeof msg, sig, siglen));
    assert_false(vax_cose_verify_raw(cert, COSE_ES256, msg, sizeof msg - 1, sig, siglen));
    assert_false(vax_cose_verify_raw(cert, COSE_ES256, msg, sizeof msg, sig, 64));
    sig[10] ^= 1;
    assert_false(vax_cose_verify_raw(cert, COSE_ES256, msg, sizeof msg, sig, siglen));
    free(sig);
    X509_free(cert);
    free(der);
    EVP_PKEY_free(key);
}

/* ---- keys ------------------------------------------------------------------------------------ */

static void test_keys_init_makes_private_key_0600_and_refuses_to_replace_it(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    char dir[512], p[700];
    struct stat st;
    vax_keys_dir(t->db, dir, sizeof dir);
    snprintf(p, sizeof p, "%s/site.key", dir);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(vax_keys_init(t->db, dir, 0), VAX_EEXIST);
    char *pem;
    assert_int_equal(vax_keys_export(t->db, dir, &pem), VAX_OK);
    assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE-----"));
    /* re-importing our own certificate is accepted; another key's certificate is not */
    assert_int_equal(vax_keys_import(t->db, dir, pem), VAX_OK);
    test_db *other = site_with_key(0);
    char odir[512], *opem;
    vax_keys_dir(other->db, odir, sizeof odir);
    assert_int_equal(vax_keys_export(other->db, odir, &opem), VAX_OK);
    assert_int_equal(vax_keys_import(t->db, dir, opem), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "certificate");
    char *after;
    assert_int_equal(vax_keys_export(t->db, dir, &after), VAX_OK);
    assert_string_equal(after, pem);
    assert_int_equal(vax_keys_import(t->db, dir, "not a certificate"), VAX_EINVAL);
    free(pem);
    free(opem);
    free(after);
    site_close(other);
    site_close(t);
}

static int count_text(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* keys rotate: certificates signed before verify with the site's trust list (its own and what it
 * exports), new ones are signed with the new key under a new kid; audited, the key stays 0600. */
static void rotation(int rsa_bits)
{
    test_db *t = site_with_key(rsa_bits);
    char dir[512], p[700];
    struct stat st;
    vax_keys_dir(t->db, dir, sizeof dir);
    int64_t person = tdb_person(t, "Trần Văn Bình", "001090001275", "1990-01-01", NULL);
    vax_certificate before, after;
    assert_int_equal(vax_cert_issue(t->db, add_dose(t, person, "AZ", 1, 0), &before), VAX_OK);
    vax_trust *old_only = site_trust(t);
    vax_key_rotation r;
    assert_int_equal(vax_keys_rotate(t->db, dir, 0, &r), VAX_OK);
    assert_string_not_equal(r.old_kid, r.new_kid);
    assert_string_not_equal(r.old_fingerprint, r.new_fingerprint);
    assert_int_equal((int)strlen(r.new_fingerprint), 64);
    snprintf(p, sizeof p, "%s/site.key", dir);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(r.retired, &st), 0);
    assert_non_null(strstr(r.retired, r.old_fingerprint));
    assert_int_equal(vax_cert_issue(t->db, add_dose(t, person, "AZ", 2, 0), &after), VAX_OK);
    /* the kid the certificates carry changed with the key, and the new one is the key's */
    vax_cert_check a, b;
    assert_int_equal(vax_hc1_verify(before.hc1, NULL, NULL, 0, &a), VAX_OK);
    assert_int_equal(vax_hc1_verify(after.hc1, NULL, NULL, 0, &b), VAX_OK);
    assert_string_equal(a.kid, r.old_kid);
    assert_string_equal(b.kid, r.new_kid);
    assert_int_equal(b.alg, rsa_bits ? COSE_PS256 : COSE_ES256);
    vax_cert_check_free(&a);
    vax_cert_check_free(&b);
    /* the site's trust list: both verify */
    vax_trust *site;
    assert_int_equal(vax_trust_new(&site), VAX_OK);
    assert_int_equal(vax_trust_add_site(t->db, dir, site), VAX_OK);
    assert_int_equal(verify(before.hc1, site, NULL, T0), VAX_CERT_VALID);
    assert_int_equal(verify(after.hc1, site, NULL, T0), VAX_CERT_VALID);
    /* a verifier that has only the old certificate does not know the new key */
    assert_int_equal(verify(before.hc1, old_only, NULL, T0), VAX_CERT_VALID);
    assert_int_equal(verify(after.hc1, old_only, NULL, T0), VAX_CERT_UNKNOWN_KID);
    /* what keys export gives verifiers: the new certificate first, then the old */
    char *pem;
    assert_int_equal(vax_keys_export(t->db, dir, &pem), VAX_OK);
    assert_int_equal(count_text(pem, "-----BEGIN CERTIFICATE-----"), 2);
    vax_trust *exported;
    assert_int_equal(vax_trust_new(&exported), VAX_OK);
    assert_int_equal(vax_trust_add_pem(exported, pem, strlen(pem)), VAX_OK);
    assert_int_equal(verify(before.hc1, exported, NULL, T0), VAX_CERT_VALID);
    assert_int_equal(verify(after.hc1, exported, NULL, T0), VAX_CERT_VALID);
    X509 *first = vax_cert_from_pem(pem);
    char fp[65];
    assert_non_null(first);
    vax_cert_fingerprint(first, fp);
    assert_string_equal(fp, r.new_fingerprint);
    X509_free(first);
    free(pem);
    /* audited with both kids */
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'keys.rotate' AND details LIKE '%%%s%%'"
             " AND details LIKE '%%%s%%'",
             r.old_kid, r.new_kid);
    assert_int_equal(count_rows(t, sql), 1);
    /* rotated again, the first two keys' certificates are both kept */
    vax_key_rotation r2;
    assert_int_equal(vax_keys_rotate(t->db, dir, 0, &r2), VAX_OK);
    assert_string_equal(r2.old_kid, r.new_kid);
    vax_trust *three;
    assert_int_equal(vax_trust_new(&three), VAX_OK);
    assert_int_equal(vax_trust_add_site(t->db, dir, three), VAX_OK);
    assert_int_equal(verify(before.hc1, three, NULL, T0), VAX_CERT_VALID);
    assert_int_equal(verify(after.hc1, three, NULL, T0), VAX_CERT_VALID);
    vax_trust_free(three);
    vax_trust_free(exported);
    vax_trust_free(site);
    vax_trust_free(old_only);
    unlink(r.retired);
    unlink(r2.retired);
    snprintf(p, sizeof p, "%s/retired", dir);
    rmdir(p);
    site_close(t);
}

static void test_keys_rotate_keeps_old_certificates_verifiable(void **state)
{
    (void)state;
    rotation(0);
}

static void test_keys_rotate_keeps_an_rsa_site_on_ps256(void **state)
{
    (void)state;
    rotation(2048);
}

static void test_keys_rotate_needs_a_key_and_the_right(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char dir[512];
    vax_key_rotation r;
    assert_int_equal(vax_site_set(t->db, "BVLC", "Trạm Y tế", 0), VAX_OK);
    vax_keys_dir(t->db, dir, sizeof dir);
    assert_int_equal(vax_keys_rotate(t->db, dir, 0, &r), VAX_ENOTFOUND);
    assert_non_null(strstr(vax_errmsg(t->db), "keys init"));
    assert_int_equal(vax_keys_init(t->db, dir, 0), VAX_OK);
    /* a nurse may issue certificates but not replace the site's key */
    assert_int_equal(vax_staff_add(t->db, "hoa", "Nguyễn Thị Hoa", VAX_ROLE_MANAGER, "2468", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "lan", "Lê Thị Lan", VAX_ROLE_NURSE, "1357", NULL),
                     VAX_OK);
    vax_staff who;
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1357", &who), VAX_OK);
    assert_int_equal(vax_keys_rotate(t->db, dir, 0, &r), VAX_EPERM);
    assert_int_equal(count_rows(t, "SELECT count(*) FROM audit WHERE action = 'keys.rotate'"), 0);
    site_close(t);
}

/* ---- corrections ----------------------------------------------------------------------------- */

static void test_reissue_gives_new_id_and_revokes_old_one(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    int64_t p = tdb_person(t, "Nguyen Van Hung", "001090001260", "1990-02-01", NULL);
    int64_t d = add_dose(t, p, "AZ", 1, 0);
    vax_certificate c1, c2, old;
    assert_int_equal(vax_cert_issue(t->db, d, &c1), VAX_OK);
    assert_int_equal(vax_cert_issue(t->db, d, NULL), VAX_EEXIST);
    /* the name is corrected with its marks, then the certificate re-issued */
    vax_person per;
    assert_int_equal(vax_person_get(t->db, p, &per), VAX_OK);
    snprintf(per.full_name, sizeof per.full_name, "Nguyễn Văn Hùng");
    assert_int_equal(vax_person_update(t->db, &per, "typo in the name"), VAX_OK);
    assert_int_equal(vax_cert_reissue(t->db, c1.id, "   ", &c2), VAX_EINVAL);
    assert_int_equal(count_rows(t, "SELECT count(*) FROM certificate"), 1);
    vax_clock_advance(60);
    assert_int_equal(vax_cert_reissue(t->db, c1.id, "name corrected", &c2), VAX_OK);
    assert_true(c2.id != c1.id);
    assert_string_not_equal(c2.ci, c1.ci);
    assert_string_equal(c2.hc.fn, "Nguyễn");
    assert_int_equal(vax_cert_get(t->db, c1.id, &old), VAX_OK);
    assert_true(old.revoked_at > 0);
    assert_int_equal(old.replaced_by, c2.id);
    assert_string_equal(old.revoke_reason, "name corrected");
    assert_int_equal(vax_cert_reissue(t->db, c1.id, "again", NULL), VAX_ESTATE);

    char *list;
    assert_int_equal(vax_cert_revoked_export(t->db, &list), VAX_OK);
    assert_non_null(strstr(list, c1.ci));
    assert_null(strstr(list, c2.ci));
    vax_trust *tr = site_trust(t);
    assert_int_equal(verify(c1.hc1, tr, list, T0 + 120), VAX_CERT_REVOKED);
    assert_int_equal(verify(c2.hc1, tr, list, T0 + 120), VAX_CERT_VALID);
    free(list);
    vax_certificate mine[4];
    int n;
    assert_int_equal(vax_cert_list_for_person(t->db, p, mine, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(mine[0].id, c2.id);
    vax_trust_free(tr);
    site_close(t);
}

static void test_voided_dose_gets_no_certificate_and_nothing_is_written(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    int64_t p = tdb_person(t, "Đỗ Thị Lan", "001190001270", "1990-03-03", NULL);
    assert_int_equal(vax_cert_issue(t->db, add_dose(t, p, "AZ", 1, 1), NULL), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "dose");
    assert_int_equal(vax_cert_issue(t->db, 9999, NULL), VAX_ENOTFOUND);
    assert_int_equal(count_rows(t, "SELECT count(*) FROM certificate"), 0);
    site_close(t);
}

static void test_issue_without_a_key_is_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    assert_int_equal(vax_site_set(t->db, "BVLC", "Trạm Y tế", 0), VAX_OK);
    int64_t p = tdb_person(t, "Đỗ Thị Lan", "001190001271", "1990-03-03", NULL);
    assert_int_equal(vax_cert_issue(t->db, add_dose(t, p, "AZ", 1, 0), NULL), VAX_ENOTFOUND);
    assert_string_equal(vax_errfield(t->db), "keys");
    assert_int_equal(count_rows(t, "SELECT count(*) FROM certificate"), 0);
    tdb_close(t);
}

/* The stand-in site a check-in makes before any set-up is called "SITE": a certificate names its
 * site on the card and in the UVCI, so none is issued until the site has its real code and name. */
static void test_issue_at_a_stand_in_site_is_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char dir[512];
    sqlite3 *s;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s,
                                  "INSERT INTO site(uuid, code, name, created_at, updated_at)"
                                  " VALUES ('stand-in', 'SITE', 'SITE', 0, 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(s);
    assert_int_equal(vax_keys_dir(t->db, dir, sizeof dir), VAX_OK);
    assert_int_equal(vax_keys_init(t->db, dir, 0), VAX_OK);
    int64_t p = tdb_person(t, "Đỗ Thị Lan", "001190001272", "1990-03-03", NULL);
    int64_t d = add_dose(t, p, "AZ", 1, 0);
    assert_int_equal(vax_cert_issue(t->db, d, NULL), VAX_ESTATE);
    assert_string_equal(vax_errfield(t->db), "site");
    assert_non_null(strstr(vax_errmsg(t->db), "site init"));
    assert_int_equal(count_rows(t, "SELECT count(*) FROM certificate"), 0);
    /* once the site is set up, the same dose is certified under its real code */
    vax_site site;
    assert_int_equal(vax_site_get(t->db, &site), VAX_OK);
    vax_strlcpy(site.code, "12001", sizeof site.code);
    vax_strlcpy(site.name, "Trạm Y tế xã Bản Giang", sizeof site.name);
    vax_strlcpy(site.commune, "Bản Giang", sizeof site.commune);
    vax_strlcpy(site.district, "Tam Đường", sizeof site.district);
    vax_strlcpy(site.province, "Lai Châu", sizeof site.province);
    vax_strlcpy(site.kind, "fixed", sizeof site.kind);
    assert_int_equal(vax_site_init(t->db, &site), VAX_OK);
    vax_certificate c;
    assert_int_equal(vax_cert_issue(t->db, d, &c), VAX_OK);
    assert_int_equal(strncmp(c.ci, "URN:UVCI:01:VN:12001/", 21), 0);
    assert_string_equal(c.site_name, "Trạm Y tế xã Bản Giang");
    site_close(t);
}

/* ---- the codes a certificate carries ------------------------------------------------------- */

/* A value-set file of tests/data/dcc-valuesets (the published EU files, vendored). */
static char *valueset(const char *name)
{
    const char *root = getenv("VAX_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/dcc-valuesets/%s", root ? root : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s (VAX_TEST_DATA=%s)", path, root ? root : "");
    char *b = calloc(1, 1 << 17);
    assert_non_null(b);
    size_t n = fread(b, 1, (1 << 17) - 1, f);
    fclose(f);
    assert_true(n > 0 && n < (1 << 17) - 1);
    return b;
}

/* The object of `code` in a value set's valueSetValues, copied to obj ("" if absent). The files
 * are flat: one level of objects, no braces inside strings. */
static void valueset_entry(const char *json, const char *code, char *obj, size_t size)
{
    char key[128];
    snprintf(key, sizeof key, "\"%s\": {", code);
    const char *at = strstr(json, key), *end = at ? strchr(at, '}') : NULL;
    obj[0] = 0;
    if (at && end)
        snprintf(obj, size, "%.*s", (int)(end - at), at);
}

static void assert_active_in(const char *file, const char *code)
{
    char *json = valueset(file), obj[2048];
    valueset_entry(json, code, obj, sizeof obj);
    if (!obj[0] || !strstr(obj, "\"active\": true"))
        fail_msg("\"%s\" is not an active code of %s", code, file);
    free(json);
}

/* The encoding instructions name, for each vaccine (mp), its manufacturer (ma) and the vaccine
 * types (vp) that may go with it. */
static void assert_encoded_as_instructed(const char *vp, const char *mp, const char *ma)
{
    char *json = valueset("vaccine-encoding-instructions.json"), key[160], obj[2048], want[160];
    snprintf(key, sizeof key, "\"vaccine-code\": \"%s\"", mp);
    const char *at = strstr(json, key), *end = at ? strchr(at, '}') : NULL;
    if (!at || !end)
        fail_msg("%s has no encoding instructions", mp);
    snprintf(obj, sizeof obj, "%.*s", (int)(end - at), at);
    snprintf(want, sizeof want, "\"vaccine-manufacturer\": \"%s\"", ma);
    if (!strstr(obj, want))
        fail_msg("%s: the instructions give another manufacturer than %s", mp, ma);
    const char *codes = strstr(obj, "\"sct-codes\"");
    snprintf(want, sizeof want, "\"%s\"", vp);
    const char *hit = codes ? strstr(codes, want) : NULL, *close = codes ? strchr(codes, ']') : 0;
    if (!hit || hit > close)
        fail_msg("%s: the instructions do not give the vaccine type %s", mp, vp);
    free(json);
}

static void test_every_catalogue_product_is_certified_with_eu_value_set_codes(void **state)
{
    (void)state;
    test_db *t = site_with_key(0);
    vax_product all[32];
    int n = 0, serial = 0;
    assert_int_equal(vax_product_list(t->db, all, 32, &n), VAX_OK);
    int seen_abdala = 0, seen_covishield = 0;
    for (int i = 0; i < n; i++) {
        char id[13];
        tdb_cccd(id, 1990, 'm', 300 + serial++);
        int64_t p = tdb_person(t, "Trần Văn Bình", id, "1990-02-01", NULL);
        vax_certificate c;
        assert_int_equal(vax_cert_issue(t->db, add_dose(t, p, all[i].code, 1, 0), &c), VAX_OK);
        /* what the signed certificate says, read back from its HC1 */
        assert_int_equal(vax_cert_get(t->db, c.id, &c), VAX_OK);
        const vax_hcert *h = &c.hc;
        assert_int_equal(h->type, 'v');
        assert_active_in("vaccine-prophylaxis.json", h->vp);
        assert_active_in("vaccine-medicinal-product.json", h->mp);
        assert_active_in("vaccine-mah-manf.json", h->ma);
        assert_active_in("disease-agent-targeted.json", h->tg);
        assert_active_in("country-2-codes.json", h->co);
        assert_encoded_as_instructed(h->vp, h->mp, h->ma);
        if (!strcmp(all[i].code, "AB")) {
            seen_abdala = 1;
            assert_string_equal(h->mp, "Abdala");
            assert_string_equal(h->vp, "J07BX03");
            assert_string_equal(h->ma, "CIGB");
        }
        if (!strcmp(h->mp, "Covishield")) {
            seen_covishield = 1;
            assert_string_equal(h->ma, "ORG-100001981");
        }
    }
    assert_true(seen_abdala);
    assert_true(seen_covishield); /* its own entry, not certified as Vaxzevria */
    site_close(t);
}

int vax_open_at_version(const char *path, int flags, int target, vax_db **out);

/* A database made before the catalogue's codes were corrected is corrected when it opens. */
static void test_upgrade_gives_an_older_catalogue_the_value_set_codes(void **state)
{
    (void)state;
    test_db *t = calloc(1, sizeof *t);
    sqlite3 *raw = NULL;
    vax_product p;
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/vaxtest.XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/site.db", t->dir);
    vax_clock_set(T0);
    assert_int_equal(vax_open_at_version(t->path, VAX_OPEN_CREATE, 18, &t->db), VAX_OK);
    vax_close(t->db);
    t->db = NULL;
    /* the catalogue as the binaries before this step shipped it */
    assert_int_equal(sqlite3_open(t->path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "UPDATE product SET dcc_vp = '1119305005', dcc_mp = 'CIGB-66'"
                                  " WHERE code = 'AB';"
                                  "DELETE FROM product_interval WHERE product = 'CS';"
                                  "DELETE FROM product WHERE code = 'CS';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(vax_open(t->path, 0, &t->db), VAX_OK);
    assert_int_equal(vax_product_get(t->db, "AB", &p), VAX_OK);
    assert_string_equal(p.dcc_vp, "J07BX03");
    assert_string_equal(p.dcc_mp, "Abdala");
    assert_string_equal(p.dcc_ma, "CIGB");
    assert_int_equal(vax_product_get(t->db, "CS", &p), VAX_OK);
    assert_string_equal(p.dcc_mp, "Covishield");
    assert_string_equal(p.dcc_ma, "ORG-100001981");
    assert_int_equal(p.series_doses, 2);
    assert_int_equal(p.min_interval_days[1], 28);
    tdb_close(t);
}

/* dn/sd as the EU DCC guidelines set them: dn counts every dose the person had; sd is the primary
 * series of the product that began it; a booster after a two-dose (or three-dose) series is n/n,
 * a booster after a one-dose series stays n/1. */
static void test_dose_and_series_numbers_follow_the_eu_rules(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        const char *products[4]; /* dose 1, 2, ... */
        int dn, sd;              /* of the last one */
    } table[] = {
        {"primary, first of two", {"AZ"}, 1, 2},
        {"primary, second of two", {"AZ", "AZ"}, 2, 2},
        {"primary, mixed second dose", {"AZ", "PF"}, 2, 2},
        {"primary, one-dose vaccine", {"JJ"}, 1, 1},
        {"primary, second of three", {"AB", "AB"}, 2, 3},
        {"primary, third of three", {"AB", "AB", "AB"}, 3, 3},
        {"booster after a one-dose series", {"JJ", "PF"}, 2, 1},
        {"second booster after a one-dose series", {"JJ", "PF", "MO"}, 3, 1},
        {"booster after a two-dose series", {"AZ", "AZ", "PF"}, 3, 3},
        {"additional dose after two mRNA doses", {"PF", "PF", "PF"}, 3, 3},
        {"second booster after a two-dose series", {"SP", "SP", "PF", "PF"}, 4, 4},
        {"booster after a three-dose series", {"AB", "AB", "AB", "PF"}, 4, 4},
    };
    test_db *t = site_with_key(0);
    int wrong = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        char id[13];
        tdb_cccd(id, 1985, 'f', 400 + (int)i);
        int64_t p = tdb_person(t, "Lê Thị Hoa", id, "1985-05-05", NULL), d = 0;
        int k = 0;
        for (; k < 4 && table[i].products[k]; k++)
            d = add_dose(t, p, table[i].products[k], k + 1, 0);
        vax_certificate c;
        assert_int_equal(vax_cert_issue(t->db, d, &c), VAX_OK);
        if (c.hc.dn != table[i].dn || c.hc.sd != table[i].sd) {
            print_error("%s: %d/%d, the rules say %d/%d\n", table[i].what, c.hc.dn, c.hc.sd,
                        table[i].dn, table[i].sd);
            wrong++;
        }
    }
    site_close(t);
    assert_int_equal(wrong, 0);
}

/* ---- renderers ------------------------------------------------------------------------------- */

static void test_qr_lines_have_quiet_zone_and_half_blocks(void **state)
{
    (void)state;
    vax_qr *q;
    char **lines;
    int n;
    assert_int_equal(vax_qr_make("HC1:NCFOXN%TS3DH", &q), VAX_OK);
    int w = vax_qr_width(q);
    assert_int_equal(w, 21); /* version 1 is enough for this text at level Q */
    assert_int_equal(vax_qr_lines(q, 4, 0, 0, &lines, &n), VAX_OK);
    assert_int_equal(n, (w + 8 + 1) / 2);
    assert_int_equal(vax_text_width(lines[0]), w + 8);
    for (int i = 0; i < w + 8; i++)
        assert_int_equal(lines[0][i], ' ');            /* quiet zone */
    assert_non_null(strstr(lines[2], "\xe2\x96\x88")); /* a finder pattern row */
    vax_lines_free(lines, n);
    assert_int_equal(vax_qr_lines(q, 2, 1, 0, &lines, &n), VAX_OK);
    assert_int_equal(n, w + 4);
    assert_int_equal((int)strlen(lines[2]), 2 * (w + 4));
    assert_int_equal(strncmp(lines[2], "    ##############", 18), 0);
    vax_lines_free(lines, n);
    vax_qr_free(q);
}

/* The PDF and PNG cards and reading a QR picture (cairo, fontconfig and zbar keep process-wide
 * caches that valgrind reports) are tested end to end in tests/e2e/test_cert.sh. */

/* A map whose key is a map, thirty deep, is a hundred bytes whose JSON would be a gigabyte (each
 * level escaped again); it is refused at once, while number and string keys convert. The fuzzer
 * found it: the verifier of a scanned QR would have hung the desk. */
static void test_a_map_as_a_map_key_is_refused_not_rendered(void **state)
{
    (void)state;
    uint8_t in[64];
    size_t n = 0;
    char *json = NULL;
    for (int i = 0; i < 30; i++)
        in[n++] = 0xa1; /* a map of one pair, whose key is the next map */
    in[n++] = 0x00;     /* the innermost key: 0 */
    for (int i = 0; i < 30; i++)
        in[n++] = 0x00; /* each map's value: 0 */
    assert_int_not_equal(vax_cbor_to_json(in, n, &json), VAX_OK);
    assert_null(json);
    static const uint8_t ok[] = {0xa2, 0x01, 0x02, 0x61, 'v', 0x03}; /* {1: 2, "v": 3} */
    assert_int_equal(vax_cbor_to_json(ok, sizeof ok, &json), VAX_OK);
    assert_string_equal(json, "{\"1\":2,\"v\":3}");
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icao_transliteration_table),
        cmocka_unit_test(test_uvci_check_character_matches_published_certificate),
        cmocka_unit_test(test_issued_certificate_verifies_and_carries_the_dose),
        cmocka_unit_test(test_cose_structure_is_tagged_sign1_with_kid_of_signer_certificate),
        cmocka_unit_test(test_ps256_key_signs_certificates_that_verify),
        cmocka_unit_test(test_every_tampered_layer_is_caught_with_its_reason),
        cmocka_unit_test(test_schema_violation_is_reported_after_a_good_signature),
        cmocka_unit_test(test_self_contradicting_payloads_are_schema_violations),
        cmocka_unit_test(test_dose_number_zero_passes_only_in_version_1_0),
        cmocka_unit_test(test_signer_key_usage_decides_which_kinds_it_may_sign),
        cmocka_unit_test(test_es256_header_with_p384_key_verifies_by_the_key),
        cmocka_unit_test(test_keys_init_makes_private_key_0600_and_refuses_to_replace_it),
        cmocka_unit_test(test_keys_rotate_keeps_old_certificates_verifiable),
        cmocka_unit_test(test_keys_rotate_keeps_an_rsa_site_on_ps256),
        cmocka_unit_test(test_keys_rotate_needs_a_key_and_the_right),
        cmocka_unit_test(test_reissue_gives_new_id_and_revokes_old_one),
        cmocka_unit_test(test_voided_dose_gets_no_certificate_and_nothing_is_written),
        cmocka_unit_test(test_issue_without_a_key_is_refused),
        cmocka_unit_test(test_issue_at_a_stand_in_site_is_refused),
        cmocka_unit_test(test_every_catalogue_product_is_certified_with_eu_value_set_codes),
        cmocka_unit_test(test_dose_and_series_numbers_follow_the_eu_rules),
        cmocka_unit_test(test_upgrade_gives_an_older_catalogue_the_value_set_codes),
        cmocka_unit_test(test_qr_lines_have_quiet_zone_and_half_blocks),
        cmocka_unit_test(test_a_map_as_a_map_key_is_refused_not_rendered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
