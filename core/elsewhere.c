/* elsewhere.c: doses given at another site (another commune or province, abroad): recorded from
 * what the person or their paper says, so that dose numbers, intervals, mixing and due lists count
 * them. A dose from elsewhere has no visit, vial or lot id; it keeps where it was given and how it
 * was learnt (dose.place, dose.source). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int blank(const char *s)
{
    if (!s)
        return 1;
    while (*s == ' ')
        s++;
    return *s == 0;
}

/* VAX_OK if no dose in force carries this UVCI and this site did not issue it; else VAX_EEXIST
 * (field "uvci") saying whose dose it is. */
static int uvci_unrecorded(vax_db *db, const char *uvci)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT d.dose_number, p.full_name, d.given_at FROM dose d"
                                    " JOIN person p ON p.id = d.person_id"
                                    " WHERE d.uvci = ?1 AND d.voided = 0 LIMIT 1");
    char name[256] = "", day[11] = "";
    int number = 0, rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uvci, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        number = sqlite3_column_int(st, 0);
        vax_strlcpy(name, vax_col_text(st, 1), sizeof name);
        vax_local_date(sqlite3_column_int64(st, 2), day);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) {
        char dmy[11];
        vax_date_dmy(day, dmy);
        return vax_fail(db, VAX_EEXIST, "uvci",
                        _("Certificate: already recorded, as dose %d of %s given on %s (UVCI "
                          "%.80s)."),
                        number, name, dmy, uvci);
    }
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading doses"));
    st = vax_stmt(db, "SELECT 1 FROM certificate WHERE ci = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uvci, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return vax_fail(db, VAX_EEXIST, "uvci", "%s",
                        _("Certificate: issued by this site; its dose is recorded here already."));
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading certificates"));
    return VAX_OK;
}

/* 1 if code is one of the space-separated words of list. */
static int product_listed(const char *list, const char *code)
{
    size_t n = strlen(code);
    for (const char *q = list; *q;) {
        while (*q == ' ')
            q++;
        size_t w = strcspn(q, " ");
        if (w == n && n > 0 && strncmp(q, code, n) == 0)
            return 1;
        q += w;
    }
    return 0;
}

int vax_dose_record_elsewhere(vax_db *db, const vax_dose_elsewhere *in, int64_t *dose_id)
{
    vax_product p, pp;
    vax_person person;
    char day[11], msg[256], uuid[37];
    int64_t given_at;
    int number, computed = 0, rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CALL_INJECT)) != VAX_OK)
        return rc;
    if (blank(in->place) || strlen(in->place) > 200)
        return vax_fail(db, VAX_EINVAL, "place", "%s",
                        _("Place: say where the dose was given (site, commune or province; at "
                          "most 200 characters)."));
    if (in->lot_no && strlen(in->lot_no) > VAX_LOT_NO_MAX)
        return vax_fail(db, VAX_EINVAL, "lot", _("Lot: at most %d characters."), VAX_LOT_NO_MAX);
    if (in->dose_number < 0 || in->dose_number > 10)
        return vax_fail(db, VAX_EINVAL, "dose_number", _("Dose number: %d is not possible."),
                        in->dose_number);
    /* the date as a birth date is checked: a real day, not in the future */
    if (vax_validate_birth_date(in->date, day, msg, sizeof msg) != VAX_OK || strlen(day) != 10)
        return vax_fail(db, VAX_EINVAL, "date",
                        _("Date: \"%.20s\" is not a past day (dd/mm/yyyy)."),
                        in->date ? in->date : "");
    if (strcmp(day, "2020-12-01") < 0)
        return vax_fail(db, VAX_EINVAL, "date", "%s",
                        _("Date: no COVID-19 vaccine was given before December 2020."));
    if ((rc = vax_product_get(db, in->product ? in->product : "", &p)) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: %.20s is not in the catalogue (vaxsite product list)."),
                        in->product ? in->product : "");
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_person_get(db, in->person_id, &person)) != VAX_OK ||
        (rc = vax_dose_next_number(db, in->person_id, &computed)) != VAX_OK)
        goto fail;
    /* one certificate is one dose: checked inside the write, so that two desks scanning the same
     * QR at once record it once */
    if (in->uvci && *in->uvci && (rc = uvci_unrecorded(db, in->uvci)) != VAX_OK)
        goto fail;
    number = in->dose_number ? in->dose_number : computed;
    /* the dose that this one follows (by number) must allow the product: mixing as the catalogue
     * says */
    sqlite3_stmt *st = vax_stmt(db, "SELECT product, dose_number FROM dose WHERE person_id = ?1"
                                    " AND series = ?2 AND voided = 0 AND dose_number <> ?3"
                                    " ORDER BY abs(dose_number - ?3), dose_number LIMIT 1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, in->person_id);
    sqlite3_bind_text(st, 2, VAX_SERIES_PRIMARY, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, number);
    char prev[16] = "";
    int prev_n = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        vax_strlcpy(prev, vax_col_text(st, 0), sizeof prev);
        prev_n = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    /* after the primary series the booster rules of that day say what may follow (a Pfizer
     * booster after Sinopharm); a dose no rule offered is still a fact and is recorded */
    vax_sched_next next;
    int beyond = prev[0] && prev_n < number &&
                 vax_schedule_person(db, in->person_id, number, day, 0, &next) == VAX_OK &&
                 (next.none || next.kind != VAX_KIND_PRIMARY);
    vax_clear_error(db);
    if (beyond && !next.none && !product_listed(next.products, p.code)) {
        rc = vax_fail(db, VAX_EINVAL, "product",
                      _("Product: %s cannot give dose %d (%s) after this series; allowed: %s."),
                      p.code, number, vax_dose_kind_label(next.kind),
                      next.products[0] ? next.products : "-");
        goto fail;
    }
    if (!beyond && prev[0] && prev_n < number && vax_product_get(db, prev, &pp) == VAX_OK) {
        vax_product_rules_on(&pp, day, NULL, 0);
        if (!vax_product_may_follow(&pp, p.code)) {
            rc = vax_fail(db, VAX_EINVAL, "product",
                          _("Product: dose %d of %s cannot follow %s (dose %d); allowed: %s."),
                          number, p.code, pp.code, prev_n, pp.next);
            goto fail;
        }
    }
    vax_clear_error(db);
    /* noon local time of that day: the day is what is known, and noon keeps it in every zone of
     * the country's reports */
    {
        char noon[32];
        snprintf(noon, sizeof noon, "%sT12:00", day);
        if (vax_parse_time(noon, &given_at) != VAX_OK) {
            rc = vax_fail(db, VAX_EINTERNAL, "date", "%s", _("Dose: a date could not be read."));
            goto fail;
        }
    }
    if ((rc = vax_uuid(uuid)) != VAX_OK)
        goto fail;
    st = vax_stmt(db, "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no,"
                      " series, place, source, uvci, verified, created_at, updated_at, updated_by)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12,"
                      " nullif(?13, 0))");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, in->person_id);
    sqlite3_bind_text(st, 3, p.code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, number);
    sqlite3_bind_int64(st, 5, given_at);
    sqlite3_bind_text(st, 6, in->lot_no ? in->lot_no : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, VAX_SERIES_PRIMARY, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, in->place, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, in->uvci && *in->uvci ? "hc1" : "manual", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, in->uvci ? in->uvci : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, in->verified ? in->verified : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, vax_now());
    sqlite3_bind_int64(st, 13, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT) {
        rc = vax_fail(db, VAX_EEXIST, "dose_number",
                      _("Dose %d: this person already has a dose %d."), number, number);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("recording a dose"));
        goto fail;
    }
    int64_t id = sqlite3_last_insert_rowid(db->sql);
    if ((rc = vax_auditf(db, "dose.elsewhere", "dose", id, "dose %d %s %s at %s %s", number, p.code,
                         day, in->place, in->uvci ? in->uvci : "")) != VAX_OK)
        goto fail;
    if (dose_id)
        *dose_id = id;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- a dose read from the person's EU DCC ------------------------------------------------ */

int vax_trust_load(vax_db *db, vax_trust **out)
{
    char dir[4096], path[4200];
    char *pem = NULL;
    size_t n = 0;
    int rc;
    *out = NULL;
    if ((rc = vax_trust_new(out)) != VAX_OK)
        return rc;
    if (vax_keys_dir(db, dir, sizeof dir) != VAX_OK)
        return VAX_OK;
    /* this site's own certificates first (a person may bring one the site issued), then the
     * signers of other issuers the site was given; a site without either still reads a scan and
     * says "signer unknown" */
    vax_trust_add_site(db, dir, *out);
    vax_clear_error(db);
    snprintf(path, sizeof path, "%s/" VAX_TRUST_FILE, dir);
    rc = vax_read_file(db, path, 16 << 20, &pem, &n);
    if (rc == VAX_ENOTFOUND) {
        vax_clear_error(db);
        return VAX_OK;
    }
    if (rc == VAX_OK && vax_trust_add_pem(*out, pem, n) != VAX_OK)
        rc = vax_fail(db, VAX_EINVAL, "trust", _("Trust list: %.200s holds no PEM certificate."),
                      path);
    free(pem);
    if (rc != VAX_OK) {
        vax_trust_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The words of a name folded (no marks, lower case), sorted, one space between: "erika
 * mustermann" for "Mustermann, Erika" and for "ERIKA<MUSTERMANN". */
static void name_key(const char *a, const char *b, char *out, size_t size)
{
    char joined[400], *w[32];
    int n = 0;
    snprintf(joined, sizeof joined, "%s %s", a, b);
    for (char *p = joined; *p; p++)
        if (*p == '<' || *p == ',' || *p == '-' || *p == '.')
            *p = ' ';
    char *f = vax_text_fold(joined);
    out[0] = 0;
    if (!f)
        return;
    for (char *save = NULL, *t = strtok_r(f, " ", &save); t && n < 32;
         t = strtok_r(NULL, " ", &save))
        w[n++] = t;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(w[j - 1], w[j]) > 0; j--) {
            char *x = w[j];
            w[j] = w[j - 1];
            w[j - 1] = x;
        }
    for (int i = 0; i < n; i++) {
        if (i)
            strncat(out, " ", size - strlen(out) - 1);
        strncat(out, w[i], size - strlen(out) - 1);
    }
    free(f);
}

static int same_name(const vax_person *p, const vax_hcert *hc)
{
    char mine[400], theirs[400];
    name_key(p->full_name, "", mine, sizeof mine);
    name_key(hc->gn, hc->fn, theirs, sizeof theirs);
    if (mine[0] && strcmp(mine, theirs) == 0)
        return 1;
    /* a certificate with only the machine-readable forms, or printed in another script */
    name_key(hc->gnt, hc->fnt, theirs, sizeof theirs);
    return mine[0] && strcmp(mine, theirs) == 0;
}

/* Birth dates as far as both are known: the DCC allows "1954" and "1954-12" beside a full date. */
static int same_birth(const char *registry, const char *dcc)
{
    size_t a = strlen(registry), b = strlen(dcc), n = a < b ? a : b;
    if (n > 10)
        n = 10;
    return n >= 4 && memcmp(registry, dcc, n) == 0;
}

/* The schema of a certificate whose signer is unknown: what verification would check after the
 * signature, through the same decoder. */
static int schema_unverified(const char *text, char *why, size_t size)
{
    uint8_t *z = NULL, *raw = NULL;
    size_t zn, rn, len;
    vax_cose *c = NULL;
    int rc;
    while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
        text++;
    len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r' ||
                   text[len - 1] == '\n'))
        len--;
    if (len < 4)
        return VAX_EINVAL;
    if ((rc = vax_base45_decode(text + 4, len - 4, &z, &zn)) != VAX_OK)
        return rc;
    rc = vax_zlib_inflate(z, zn, &raw, &rn);
    free(z);
    if (rc != VAX_OK)
        return rc;
    rc = vax_cose_parse(raw, rn, &c, why, size);
    free(raw);
    if (rc != VAX_OK)
        return rc;
    rc = vax_cose_schema_check(c, why, size);
    vax_cose_free(c);
    return rc;
}

#define COVID_19 "840539006" /* SNOMED CT, the DCC's disease-agent-targeted value */

int vax_dcc_dose_read(vax_db *db, const char *hc1, const vax_trust *trust, int64_t person_id,
                      vax_dcc_dose *out)
{
    vax_cert_check chk;
    int rc;
    memset(out, 0, sizeof *out);
    vax_clear_error(db);
    if (!hc1 || strlen(hc1) > 8192)
        return vax_fail(db, VAX_EINVAL, "hc1", "%s",
                        _("Certificate: longer than any EU DCC's QR code."));
    if ((rc = vax_hc1_verify(hc1, trust, NULL, vax_now(), &chk)) != VAX_OK)
        return vax_fail(db, rc, "hc1", "%s", _("Certificate: out of memory."));
    out->result = chk.result;
    vax_strlcpy(out->why, chk.why, sizeof out->why);
    out->hc = chk.hc;
    /* expiry is a traveller's limit, not the dose's: a certificate past it is judged as on the
     * day it was issued (signature, schema), and recorded as "expired" */
    if (chk.result == VAX_CERT_EXPIRED && chk.hc.exp && chk.hc.exp < vax_now()) {
        vax_cert_check then;
        vax_cert_check_free(&chk);
        if ((rc = vax_hc1_verify(hc1, trust, NULL, out->hc.iat, &then)) != VAX_OK)
            return vax_fail(db, rc, "hc1", "%s", _("Certificate: out of memory."));
        if (then.result != VAX_CERT_VALID) {
            out->result = then.result;
            vax_strlcpy(out->why, then.why, sizeof out->why);
        }
        chk = then;
    }
    if (out->result == VAX_CERT_UNKNOWN_KID) {
        char why[256] = "";
        int s = schema_unverified(hc1, why, sizeof why);
        if (s == VAX_ENOMEM) {
            vax_cert_check_free(&chk);
            return vax_fail(db, s, "hc1", "%s", _("Certificate: out of memory."));
        }
        if (s != VAX_OK) {
            out->result = VAX_CERT_SCHEMA;
            vax_strlcpy(out->why, why, sizeof out->why);
        } else {
            out->warnings |= VAX_DCC_SIGNER_UNKNOWN;
        }
    }
    int decoded = chk.decoded;
    vax_cert_check_free(&chk);
    if (out->result != VAX_CERT_VALID && out->result != VAX_CERT_EXPIRED &&
        out->result != VAX_CERT_UNKNOWN_KID)
        return vax_fail(db, VAX_EINVAL, "hc1", _("Certificate: %s. %.200s"),
                        vax_cert_result_label(out->result), out->why);
    if (!decoded || out->hc.type != 'v' || strcmp(out->hc.tg, COVID_19) != 0)
        return vax_fail(db, VAX_EINVAL, "hc1", "%s",
                        _("Certificate: it records no COVID-19 vaccination (a test or a "
                          "recovery certificate is not a dose)."));
    /* the product by its code in the catalogue (EU/1/20/1507 is Moderna's, "Covishield" itself) */
    sqlite3_stmt *st = vax_stmt(db, "SELECT code, name FROM product WHERE dcc_mp = ?1"
                                    " ORDER BY active DESC, code LIMIT 1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, out->hc.mp, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_strlcpy(out->product, vax_col_text(st, 0), sizeof out->product);
        vax_strlcpy(out->product_name, vax_col_text(st, 1), sizeof out->product_name);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the catalogue"));
    if (!out->product[0])
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Certificate: the vaccine %.60s is not in the catalogue; record the dose "
                          "by hand with a product of the catalogue."),
                        out->hc.mp);
    if (out->hc.ci[0] && (rc = uvci_unrecorded(db, out->hc.ci)) != VAX_OK)
        return rc;
    if (person_id) {
        vax_person p;
        if ((rc = vax_person_get(db, person_id, &p)) != VAX_OK)
            return rc;
        if (!same_name(&p, &out->hc))
            out->warnings |= VAX_DCC_NAME_DIFFERS;
        if (!same_birth(p.birth_date, out->hc.dob))
            out->warnings |= VAX_DCC_DOB_DIFFERS;
    }
    return VAX_OK;
}

int vax_dose_record_hc1(vax_db *db, int64_t person_id, const char *hc1, const vax_trust *trust,
                        unsigned confirmed, int64_t *dose_id)
{
    vax_dcc_dose d;
    char place[200], date[11];
    int rc;
    if ((rc = vax_require(db, VAX_ACT_CALL_INJECT)) != VAX_OK)
        return rc;
    if ((rc = vax_dcc_dose_read(db, hc1, trust, person_id, &d)) != VAX_OK)
        return rc;
    unsigned open = d.warnings & ~confirmed;
    if (open & VAX_DCC_SIGNER_UNKNOWN)
        return vax_fail(db, VAX_ESTATE, "signer", "%s",
                        _("Certificate: its signer is not in the trust list, so it is not "
                          "verified; record it only if the nurse accepts that."));
    if (open & (VAX_DCC_NAME_DIFFERS | VAX_DCC_DOB_DIFFERS))
        return vax_fail(db, VAX_ESTATE, open & VAX_DCC_NAME_DIFFERS ? "name" : "birth_date",
                        _("Certificate: it names %.80s %.80s, born %.10s; confirm that it is this "
                          "person's."),
                        d.hc.gn, d.hc.fn, d.hc.dob);
    /* where: the issuer and its country, as a nurse would write them from the paper */
    snprintf(place, sizeof place, "%.150s (%.10s)", d.hc.is[0] ? d.hc.is : d.hc.co, d.hc.co);
    vax_strlcpy(date, d.hc.dt, sizeof date); /* an old schema's date-time: its day */
    vax_dose_elsewhere e = {person_id, d.product, date,    d.hc.dn > 0 ? d.hc.dn : 0,
                            place,     NULL,      d.hc.ci, vax_cert_result_code(d.result)};
    return vax_dose_record_elsewhere(db, &e, dose_id);
}
