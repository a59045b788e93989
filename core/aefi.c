/* aefi.c: the report of a serious reaction (AEFI): what the observation desk types, the case as
 * the Ministry's form and the WHO core variables read it, its PDF and its FHIR AdverseEvent. */
#include "datafile.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const outcomes[] = {"recovering",    "recovered", "sequelae",
                                       "not_recovered", "died",      "unknown"};

int vax_aefi_outcome_valid(const char *code)
{
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
        if (code && !strcmp(code, outcomes[i]))
            return 1;
    return 0;
}

/* ---- the typed part ---------------------------------------------------------------------- */

#define REPORT_COLS                                                                                \
    "a.id, a.reaction_id, a.uuid, a.onset_at, a.treatment, a.hospital, a.outcome,"                 \
    " a.parent_name, a.reporter_name, a.reporter_title, a.reporter_phone, a.injection_site,"       \
    " a.notes, a.version, a.updated_at"

static void row_to_report(sqlite3_stmt *st, vax_aefi_report *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->reaction_id = sqlite3_column_int64(st, 1);
    vax_strlcpy(r->uuid, vax_col_text(st, 2), sizeof r->uuid);
    r->onset_at = sqlite3_column_int64(st, 3);
    vax_strlcpy(r->treatment, vax_col_text(st, 4), sizeof r->treatment);
    vax_strlcpy(r->hospital, vax_col_text(st, 5), sizeof r->hospital);
    vax_strlcpy(r->outcome, vax_col_text(st, 6), sizeof r->outcome);
    vax_strlcpy(r->parent_name, vax_col_text(st, 7), sizeof r->parent_name);
    vax_strlcpy(r->reporter_name, vax_col_text(st, 8), sizeof r->reporter_name);
    vax_strlcpy(r->reporter_title, vax_col_text(st, 9), sizeof r->reporter_title);
    vax_strlcpy(r->reporter_phone, vax_col_text(st, 10), sizeof r->reporter_phone);
    vax_strlcpy(r->injection_site, vax_col_text(st, 11), sizeof r->injection_site);
    vax_strlcpy(r->notes, vax_col_text(st, 12), sizeof r->notes);
    r->version = sqlite3_column_int(st, 13);
    r->updated_at = sqlite3_column_int64(st, 14);
}

int vax_aefi_report_get(vax_db *db, int64_t reaction_id, vax_aefi_report *out)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " REPORT_COLS " FROM aefi_report a WHERE a.reaction_id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, reaction_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_report(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, NULL, "%s",
                        _("No report of this reaction has been made yet."));
    return vax_fail_sql(db, rc, _("reading a reaction's report"));
}

/* The reaction's severity, when it was seen and its outcome at release; VAX_ENOTFOUND if none. */
static int reaction_row(vax_db *db, int64_t reaction_id, int *serious, int64_t *seen_at,
                        char outcome[16])
{
    char site[64] = "";
    sqlite3_stmt *st = vax_stmt(db, "SELECT severity = 'serious', seen_at, outcome, site"
                                    " FROM reaction WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, reaction_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *serious = sqlite3_column_int(st, 0);
        *seen_at = sqlite3_column_int64(st, 1);
        vax_strlcpy(outcome, vax_col_text(st, 2), 16);
        vax_strlcpy(site, vax_col_text(st, 3), sizeof site);
    }
    sqlite3_reset(st);
    /* a reaction another site recorded (a bundle, a pull) is reported by that site */
    if (rc == SQLITE_ROW && site[0])
        return vax_fail(db, VAX_ESTATE, NULL,
                        _("Reaction #%lld was recorded at %s: that site reports it."),
                        (long long)reaction_id, site);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, NULL, _("No reaction #%lld."), (long long)reaction_id);
    return vax_fail_sql(db, rc, _("reading a reaction's report"));
}

int vax_aefi_report_defaults(vax_db *db, int64_t reaction_id, vax_aefi_report *out)
{
    int serious = 0, rc;
    int64_t seen_at = 0;
    char released[16] = "";
    vax_clear_error(db);
    rc = vax_aefi_report_get(db, reaction_id, out);
    if (rc != VAX_ENOTFOUND)
        return rc;
    vax_clear_error(db);
    if ((rc = reaction_row(db, reaction_id, &serious, &seen_at, released)) != VAX_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->reaction_id = reaction_id;
    out->onset_at = seen_at;
    /* the outcome a doctor gave at release, where it says one */
    vax_strlcpy(out->outcome, !strcmp(released, "recovered") ? "recovered" : "unknown",
                sizeof out->outcome);
    /* a child's parent: the guardian recorded when the child was vaccinated */
    vax_guardian g;
    int age = -1;
    sqlite3_stmt *st = vax_stmt(db, "SELECT x.person_id, p.birth_date FROM reaction x"
                                    " JOIN person p ON p.id = x.person_id WHERE x.id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, reaction_id);
    int64_t person_id = 0;
    char day[11];
    vax_local_date(seen_at, day);
    if (sqlite3_step(st) == SQLITE_ROW) {
        person_id = sqlite3_column_int64(st, 0);
        age = vax_age_on(vax_col_text(st, 1), day);
    }
    sqlite3_reset(st);
    if (person_id && age >= 0 && age < VAX_ADULT_AGE &&
        vax_person_guardian_get(db, person_id, &g) == VAX_OK)
        vax_strlcpy(out->parent_name, g.name, sizeof out->parent_name);
    vax_clear_error(db);
    vax_staff me;
    if (vax_actor_id(db) && vax_staff_get(db, vax_actor_id(db), &me) == VAX_OK) {
        vax_strlcpy(out->reporter_name, me.name, sizeof out->reporter_name);
        vax_strlcpy(out->reporter_title, vax_role_label(me.role), sizeof out->reporter_title);
    }
    vax_clear_error(db);
    return VAX_OK;
}

/* Copies a typed text, NFC, refusing one longer than its field. */
static int typed(vax_db *db, char *dst, size_t size, const char *field, const char *label)
{
    char *nfc = vax_text_nfc(dst);
    if (!nfc)
        return VAX_ENOMEM;
    int too_long = strlen(nfc) >= size;
    if (!too_long)
        vax_strlcpy(dst, nfc, size);
    free(nfc);
    if (too_long)
        return vax_fail(db, VAX_EINVAL, field, _("%s: at most %d bytes."), label, (int)size - 1);
    return VAX_OK;
}

int vax_aefi_report_save(vax_db *db, vax_aefi_report *r)
{
    int serious = 0, rc;
    int64_t seen_at = 0, now = vax_now();
    char released[16];
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_OBSERVE)) != VAX_OK)
        return rc;
    if ((rc = reaction_row(db, r->reaction_id, &serious, &seen_at, released)) != VAX_OK)
        return rc;
    if (!serious)
        return vax_fail(db, VAX_ESTATE, NULL, "%s",
                        _("Only a serious reaction is reported on the Ministry's form."));
    if (r->onset_at <= 0 || r->onset_at > now)
        return vax_fail(db, VAX_EINVAL, "onset", "%s",
                        _("Onset: the time the reaction began, not in the future."));
    sqlite3_stmt *st = vax_stmt(db, "SELECT max(d.given_at) FROM reaction x JOIN dose d"
                                    " ON d.visit_id = x.visit_id AND d.voided = 0 WHERE x.id = ?1");
    int64_t given = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, r->reaction_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        given = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (given > 0 && r->onset_at < given)
        return vax_fail(db, VAX_EINVAL, "onset", "%s",
                        _("Onset: a reaction after the vaccination begins after the dose was "
                          "given."));
    if (!vax_aefi_outcome_valid(r->outcome))
        return vax_fail(db, VAX_EINVAL, "outcome", "%s",
                        _("Outcome: recovering, recovered, sequelae, not_recovered, died or "
                          "unknown."));
    if ((rc = typed(db, r->treatment, sizeof r->treatment, "treatment", _("Treatment"))) ||
        (rc = typed(db, r->hospital, sizeof r->hospital, "hospital", _("Treated at"))) ||
        (rc = typed(db, r->parent_name, sizeof r->parent_name, "parent", _("Parent"))) ||
        (rc = typed(db, r->reporter_name, sizeof r->reporter_name, "reporter", _("Reporter"))) ||
        (rc = typed(db, r->reporter_title, sizeof r->reporter_title, "reporter_title",
                    _("Reporter's title"))) ||
        (rc = typed(db, r->reporter_phone, sizeof r->reporter_phone, "reporter_phone",
                    _("Reporter's phone"))) ||
        (rc = typed(db, r->injection_site, sizeof r->injection_site, "injection_site",
                    _("Injection site"))) ||
        (rc = typed(db, r->notes, sizeof r->notes, "notes", _("Notes"))))
        return rc;
    if (!r->reporter_name[strspn(r->reporter_name, " ")])
        return vax_fail(db, VAX_EINVAL, "reporter", "%s",
                        _("Reporter: the name of who reports the case."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    st = vax_stmt(
        db, "INSERT INTO aefi_report(uuid, reaction_id, onset_at, treatment, hospital, outcome,"
            " parent_name, reporter_name, reporter_title, reporter_phone, injection_site, notes,"
            " created_at, updated_at, updated_by)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14)"
            " ON CONFLICT(reaction_id) DO UPDATE SET onset_at = excluded.onset_at,"
            " treatment = excluded.treatment, hospital = excluded.hospital,"
            " outcome = excluded.outcome, parent_name = excluded.parent_name,"
            " reporter_name = excluded.reporter_name, reporter_title = excluded.reporter_title,"
            " reporter_phone = excluded.reporter_phone, injection_site = excluded.injection_site,"
            " notes = excluded.notes, version = version + 1, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by");
    char uuid[37];
    if (!st || vax_uuid(uuid) != VAX_OK) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->reaction_id);
    sqlite3_bind_int64(st, 3, r->onset_at);
    sqlite3_bind_text(st, 4, r->treatment, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->hospital, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->parent_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, r->reporter_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->reporter_title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, r->reporter_phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, r->injection_site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, r->notes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 13, now);
    vax_bind_actor(db, st, 14);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("saving a reaction's report"));
        goto fail;
    }
    vax_aefi_report saved;
    if ((rc = vax_aefi_report_get(db, r->reaction_id, &saved)) != VAX_OK ||
        (rc = vax_auditf(db, "aefi.report", "aefi_report", saved.id,
                         "reaction %lld, version %d, outcome %s", (long long)r->reaction_id,
                         saved.version, saved.outcome)) != VAX_OK ||
        (rc = vax_tx_commit(db)) != VAX_OK)
        goto fail;
    *r = saved;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_aefi_list(vax_db *db, const char *from, const char *to, vax_aefi_item **out, int *n)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT x.id, x.seen_at, p.full_name, p.national_id, x.signs,"
            " coalesce(a.version, 0), coalesce(a.outcome, '')"
            " FROM reaction x JOIN visit v ON v.id = x.visit_id JOIN person p ON p.id = x.person_id"
            " LEFT JOIN aefi_report a ON a.reaction_id = x.id"
            " WHERE x.severity = 'serious' AND v.day BETWEEN ?1 AND ?2 ORDER BY x.seen_at, x.id");
    vax_aefi_item *list = NULL;
    int count = 0, cap = 0, rc;
    *out = NULL;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            int want = cap ? cap * 2 : 16;
            vax_aefi_item *grown = realloc(list, (size_t)want * sizeof *list);
            if (!grown) {
                rc = SQLITE_NOMEM;
                break;
            }
            list = grown;
            cap = want;
        }
        vax_aefi_item *it = &list[count++];
        memset(it, 0, sizeof *it);
        it->reaction_id = sqlite3_column_int64(st, 0);
        it->seen_at = sqlite3_column_int64(st, 1);
        vax_strlcpy(it->full_name, vax_col_text(st, 2), sizeof it->full_name);
        vax_strlcpy(it->national_id, vax_col_text(st, 3), sizeof it->national_id);
        vax_strlcpy(it->signs, vax_col_text(st, 4), sizeof it->signs);
        it->version = sqlite3_column_int(st, 5);
        vax_strlcpy(it->outcome, vax_col_text(st, 6), sizeof it->outcome);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(list);
        return rc == SQLITE_NOMEM ? VAX_ENOMEM : vax_fail_sql(db, rc, _("reading reactions"));
    }
    *out = list;
    *n = count;
    return VAX_OK;
}

/* ---- the case: what the form prints ------------------------------------------------------ */

/* "HH:MM dd/mm/yyyy", local time; "" for 0. */
static void when_text(int64_t t, char out[32])
{
    out[0] = 0;
    if (t <= 0)
        return;
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 32, "%H:%M %d/%m/%Y", &tm);
}

/* The signs' Vietnamese names (the form is the Ministry's), comma-separated. */
static void signs_vi(const char *codes, char *out, size_t size)
{
    vax_datafile df;
    char words[512], *save = NULL;
    out[0] = 0;
    if (vax_datafile_parse(&df, "aefi.conf", vax_asset_aefi_conf) != VAX_OK) {
        vax_datafile_free(&df);
        vax_strlcpy(out, codes, size);
        return;
    }
    vax_strlcpy(words, codes, sizeof words);
    size_t len = 0;
    for (char *w = strtok_r(words, " ,", &save); w; w = strtok_r(NULL, " ,", &save)) {
        const char *name = w;
        for (int i = 0; i < df.nsections; i++)
            if (!strcmp(df.sections[i].name, w)) {
                const vax_df_entry *e = vax_datafile_get(&df, &df.sections[i], "vi");
                if (e)
                    name = e->value;
            }
        int k = snprintf(out + len, size - len, "%s%s", len ? "; " : "", name);
        if (k < 0 || (size_t)k >= size - len)
            break;
        len += (size_t)k;
    }
    vax_datafile_free(&df);
}

int vax_aefi_case_get(vax_db *db, int64_t reaction_id, vax_aefi_case *c)
{
    int rc;
    memset(c, 0, sizeof *c);
    vax_clear_error(db);
    if ((rc = vax_aefi_report_get(db, reaction_id, &c->report)) != VAX_OK)
        return rc;
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT x.uuid, x.seen_at, x.signs, x.severity = 'serious', p.uuid, p.full_name,"
            " p.birth_date, p.sex, p.ethnicity, p.phone, p.commune, p.national_id,"
            " d.uuid, d.product, coalesce(pr.name, d.product), d.dose_number, d.lot_no,"
            " d.given_at, d.arm, coalesce((SELECT l.expiry FROM lot l WHERE l.product = d.product"
            "  AND l.lot_no = d.lot_no ORDER BY l.id LIMIT 1), ''),"
            " coalesce(pr.manufacturer, ''), x.person_id"
            " FROM reaction x JOIN person p ON p.id = x.person_id"
            " LEFT JOIN dose d ON d.id = (SELECT max(id) FROM dose WHERE visit_id = x.visit_id"
            "  AND voided = 0)"
            " LEFT JOIN product pr ON pr.code = d.product WHERE x.id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, reaction_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        vax_strlcpy(c->reaction_uuid, vax_col_text(st, 0), sizeof c->reaction_uuid);
        c->seen_at = sqlite3_column_int64(st, 1);
        vax_strlcpy(c->signs, vax_col_text(st, 2), sizeof c->signs);
        c->serious = sqlite3_column_int(st, 3);
        vax_strlcpy(c->person_uuid, vax_col_text(st, 4), sizeof c->person_uuid);
        vax_strlcpy(c->full_name, vax_col_text(st, 5), sizeof c->full_name);
        vax_strlcpy(c->birth_date, vax_col_text(st, 6), sizeof c->birth_date);
        c->sex = vax_col_text(st, 7)[0];
        vax_strlcpy(c->ethnicity, vax_col_text(st, 8), sizeof c->ethnicity);
        vax_strlcpy(c->phone, vax_col_text(st, 9), sizeof c->phone);
        vax_strlcpy(c->commune, vax_col_text(st, 10), sizeof c->commune);
        vax_strlcpy(c->national_id, vax_col_text(st, 11), sizeof c->national_id);
        vax_strlcpy(c->dose_uuid, vax_col_text(st, 12), sizeof c->dose_uuid);
        vax_strlcpy(c->product, vax_col_text(st, 13), sizeof c->product);
        vax_strlcpy(c->product_name, vax_col_text(st, 14), sizeof c->product_name);
        c->dose_number = sqlite3_column_int(st, 15);
        vax_strlcpy(c->lot_no, vax_col_text(st, 16), sizeof c->lot_no);
        c->given_at = sqlite3_column_int64(st, 17);
        vax_strlcpy(c->arm, vax_col_text(st, 18), sizeof c->arm);
        vax_strlcpy(c->expiry, vax_col_text(st, 19), sizeof c->expiry);
        vax_strlcpy(c->manufacturer, vax_col_text(st, 20), sizeof c->manufacturer);
        c->person_id = sqlite3_column_int64(st, 21);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? vax_fail(db, VAX_ENOTFOUND, NULL, _("No reaction #%lld."),
                                            (long long)reaction_id)
                                 : vax_fail_sql(db, rc, _("reading a reaction's report"));
    if ((rc = vax_site_details(db, &c->site)) != VAX_OK)
        return rc;
    char day[11];
    vax_local_date(c->seen_at, day);
    c->age = c->birth_date[0] ? vax_age_on(c->birth_date, day) : -1;
    /* a child is reached through the parent who brought them */
    vax_guardian g;
    if (c->age >= 0 && c->age < VAX_ADULT_AGE &&
        vax_person_guardian_get(db, c->person_id, &g) == VAX_OK)
        vax_strlcpy(c->guardian_phone, g.phone, sizeof c->guardian_phone);
    vax_clear_error(db);
    return VAX_OK;
}

void vax_aefi_case_field(const vax_aefi_case *c, const char *name, char *out, size_t size)
{
    const vax_aefi_report *r = &c->report;
    char buf[64];
    out[0] = 0;
#define IS(n) (strcmp(name, n) == 0)
    if (IS("case_code")) {
        char day[11];
        vax_local_date(c->seen_at, day);
        snprintf(out, size, "%s-%.4s%.2s%.2s-%lld", c->site.code, day, day + 5, day + 8,
                 (long long)r->reaction_id);
    } else if (IS("full_name"))
        vax_strlcpy(out, c->full_name, size);
    else if (IS("birth_date")) {
        vax_date_dmy(c->birth_date, buf);
        vax_strlcpy(out, buf, size);
    } else if (IS("sex"))
        snprintf(out, size, "%c", c->sex ? c->sex : ' ');
    else if (IS("ethnicity"))
        vax_strlcpy(out, c->ethnicity, size);
    else if (IS("parent_name"))
        vax_strlcpy(out, r->parent_name, size);
    else if (IS("phone"))
        vax_strlcpy(out, c->guardian_phone[0] ? c->guardian_phone : c->phone, size);
    else if (IS("commune"))
        vax_strlcpy(out, c->commune, size);
    else if (IS("district"))
        vax_strlcpy(out, c->site.district, size);
    else if (IS("province"))
        vax_strlcpy(out, c->site.province, size);
    else if (IS("facility") || IS("reporter_unit"))
        vax_strlcpy(out, c->site.name, size);
    /* the COVID-19 campaign is the state's programme, free of charge: not a paid service */
    else if (IS("programme"))
        vax_strlcpy(out, "tcmr", size);
    else if (IS("place"))
        vax_strlcpy(out, strcmp(c->site.kind, "mobile") ? "station" : "outreach", size);
    else if (IS("reporter_name"))
        vax_strlcpy(out, r->reporter_name, size);
    else if (IS("reporter_title"))
        vax_strlcpy(out, r->reporter_title, size);
    else if (IS("reporter_address"))
        snprintf(out, size, "%s%s%s%s%s", c->site.commune,
                 c->site.commune[0] && c->site.district[0] ? ", " : "", c->site.district,
                 c->site.province[0] ? ", " : "", c->site.province);
    else if (IS("reporter_phone"))
        vax_strlcpy(out, r->reporter_phone, size);
    else if (IS("vaccine"))
        snprintf(out, size, "%s%s%s%s", c->product_name, c->manufacturer[0] ? " (" : "",
                 c->manufacturer, c->manufacturer[0] ? ")" : "");
    else if (IS("dose_number")) {
        if (c->dose_number > 0)
            snprintf(out, size, "%d", c->dose_number);
    }
    /* every COVID-19 vaccine of the catalogue is given into the deltoid muscle */
    else if (IS("route"))
        vax_strlcpy(out, c->product[0] ? "Tiêm bắp" : "", size);
    else if (IS("injection_site"))
        vax_strlcpy(out,
                    r->injection_site[0]       ? r->injection_site
                    : !strcmp(c->arm, "left")  ? "Cơ delta cánh tay trái"
                    : !strcmp(c->arm, "right") ? "Cơ delta cánh tay phải"
                                               : "",
                    size);
    else if (IS("lot_no"))
        vax_strlcpy(out, c->lot_no, size);
    else if (IS("expiry")) {
        vax_date_dmy(c->expiry, buf);
        vax_strlcpy(out, c->expiry[0] ? buf : "", size);
    } else if (IS("vaccinated_at")) {
        when_text(c->given_at, buf);
        vax_strlcpy(out, buf, size);
    } else if (IS("onset_at")) {
        when_text(r->onset_at, buf);
        vax_strlcpy(out, buf, size);
    } else if (IS("signs"))
        signs_vi(c->signs, out, size);
    else if (IS("serious"))
        vax_strlcpy(out, c->serious ? "yes" : "no", size);
    else if (IS("treatment"))
        vax_strlcpy(out, r->treatment, size);
    else if (IS("hospital"))
        vax_strlcpy(out, r->hospital, size);
    else if (IS("outcome"))
        vax_strlcpy(out, r->outcome, size);
    else if (IS("notes"))
        vax_strlcpy(out, r->notes, size);
    else if (IS("reported_at")) {
        char day[11];
        vax_local_date(r->updated_at, day);
        vax_date_dmy(day, buf);
        vax_strlcpy(out, buf, size);
    }
    /* village (thôn/ấp): the registry keeps the commune only; left for the pen */
#undef IS
}

/* ---- the Ministry's form as a PDF (assets/aefi-report.conf) ------------------------------ */

static double num(vax_datafile *df, const vax_df_section *s, const char *key, double dflt)
{
    const vax_df_entry *e = vax_datafile_get(df, s, key);
    return e ? strtod(e->value, NULL) : dflt;
}

static const char *text_of(vax_datafile *df, const vax_df_section *s, const char *key)
{
    const vax_df_entry *e = vax_datafile_get(df, s, key);
    return e ? e->value : NULL;
}

/* "[x] words  [ ] words" from "code:words | code:words", the value's code ticked. */
static void choices_text(const char *choices, const char *value, char *out, size_t size)
{
    char list[512], *save = NULL;
    size_t len = 0;
    out[0] = 0;
    vax_strlcpy(list, choices, sizeof list);
    for (char *item = strtok_r(list, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
        while (*item == ' ')
            item++;
        char *colon = strchr(item, ':');
        if (!colon)
            continue;
        *colon = 0;
        char *words = colon + 1;
        size_t wl = strlen(words);
        while (wl && words[wl - 1] == ' ')
            words[--wl] = 0;
        int k = snprintf(out + len, size - len, "%s[%c] %s", len ? "   " : "",
                         !strcmp(item, value) ? 'x' : ' ', words);
        if (k < 0 || (size_t)k >= size - len)
            break;
        len += (size_t)k;
    }
}

/* Replaces each %field% of a static text with the field's value. */
static void expand(const vax_aefi_case *c, const char *in, char *out, size_t size)
{
    size_t len = 0;
    out[0] = 0;
    while (*in && len + 1 < size) {
        const char *end = *in == '%' ? strchr(in + 1, '%') : NULL;
        if (end && end > in + 1 && end - in < 40) {
            char name[40], value[512];
            snprintf(name, sizeof name, "%.*s", (int)(end - in - 1), in + 1);
            vax_aefi_case_field(c, name, value, sizeof value);
            len += (size_t)snprintf(out + len, size - len, "%s", value);
            if (len >= size)
                len = size - 1;
            in = end + 1;
        } else
            out[len++] = *in++, out[len] = 0;
    }
}

/* Draws text from (x, y), wrapped at `width` points (0: one line); returns the lines drawn. */
static int draw_wrapped(cairo_t *cr, double x, double y, double width, double lead,
                        const char *text)
{
    if (width <= 0 || !*text) {
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, text);
        return 1;
    }
    char line[1024] = "", word[512];
    int lines = 0;
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " ");
        snprintf(word, sizeof word, "%.*s", (int)n, p);
        p += n;
        while (*p == ' ')
            p++;
        char trial[1600];
        snprintf(trial, sizeof trial, "%s%s%s", line, line[0] ? " " : "", word);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, trial, &ext);
        if (line[0] && ext.x_advance > width) {
            cairo_move_to(cr, x, y + lines * lead);
            cairo_show_text(cr, line);
            lines++;
            vax_strlcpy(line, word, sizeof line);
        } else
            vax_strlcpy(line, trial, sizeof line);
    }
    cairo_move_to(cr, x, y + lines * lead);
    cairo_show_text(cr, line);
    return lines + 1;
}

int vax_aefi_pdf(vax_db *db, int64_t reaction_id, const char *path)
{
    vax_aefi_case c;
    vax_datafile df;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_aefi_case_get(db, reaction_id, &c)) != VAX_OK)
        return rc;
    int probe = vax_private_fd(path, 0); /* a person's health record: 0600 */
    if (probe < 0)
        return vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s."), path);
    close(probe);
    if (vax_datafile_parse(&df, "aefi-report.conf", vax_asset_aefi_report_conf) != VAX_OK) {
        vax_datafile_free(&df);
        return vax_fail(db, VAX_EINTERNAL, NULL, "%s",
                        _("The layout of the reaction report cannot be read."));
    }
    const double mm = 72.0 / 25.4;
    const vax_df_section *page = NULL;
    for (int i = 0; i < df.nsections && !page; i++)
        if (!strcmp(df.sections[i].name, "page"))
            page = &df.sections[i];
    double w = 210, h = 297, margin = 16, size = 9.5;
    const char *font = "DejaVu Sans";
    if (page) {
        w = num(&df, page, "width", w);
        h = num(&df, page, "height", h);
        margin = num(&df, page, "margin", margin);
        size = num(&df, page, "size", size);
        font = text_of(&df, page, "font") ? text_of(&df, page, "font") : font;
    }
    cairo_surface_t *sf = cairo_pdf_surface_create(path, w * mm, h * mm);
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double shift = 0; /* what wrapped lines above pushed down, in mm */
    for (int i = 0; i < df.nsections; i++) {
        const vax_df_section *s = &df.sections[i];
        if (strncmp(s->name, "line.", 5) != 0)
            continue;
        double x = num(&df, s, "x", margin) * mm, y = (num(&df, s, "y", 0) + shift) * mm;
        double pt = num(&df, s, "size", size), wrap = num(&df, s, "wrap", 0) * mm;
        const char *label = text_of(&df, s, "label"), *field = text_of(&df, s, "field"),
                   *static_text = text_of(&df, s, "text"), *choices = text_of(&df, s, "choices");
        int bold = num(&df, s, "bold", 0) != 0;
        char value[1024] = "", shown[1200];
        cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, pt);
        if (static_text) {
            expand(&c, static_text, shown, sizeof shown);
            cairo_move_to(cr, x, y);
            cairo_show_text(cr, shown);
            continue;
        }
        if (field) {
            vax_aefi_case_field(&c, field, value, sizeof value);
            if (choices) {
                choices_text(choices, value, shown, sizeof shown);
                vax_strlcpy(value, shown, sizeof value);
            }
        }
        if (label) {
            cairo_text_extents_t ext;
            cairo_move_to(cr, x, y);
            cairo_show_text(cr, label);
            cairo_text_extents(cr, label, &ext);
            x += ext.x_advance + pt * 0.4;
        }
        int lines = draw_wrapped(cr, x, y, wrap, pt * 1.3, value);
        if (lines > 1)
            shift += (lines - 1) * pt * 1.3 / mm;
    }
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    rc = VAX_OK;
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        rc = vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s (%s)."), path,
                      cairo_status_to_string(cairo_surface_status(sf)));
        remove(path);
    }
    cairo_surface_destroy(sf);
    vax_datafile_free(&df);
    /* the fonts' process-wide caches, as the quick report gives them back (report.c) */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}

/* ---- FHIR R4: a Bundle with the Patient, the Immunization and the AdverseEvent ------------ */

/* An instant as FHIR dateTime with the local offset. */
static void fhir_when(int64_t t, char out[64])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}

/* The WHO form's outcomes as FHIR's adverse-event-outcome codes. */
static const char *fhir_outcome(const char *o)
{
    return !strcmp(o, "recovered")       ? "resolved"
           : !strcmp(o, "recovering")    ? "recovering"
           : !strcmp(o, "sequelae")      ? "resolvedWithSequelae"
           : !strcmp(o, "not_recovered") ? "ongoing"
           : !strcmp(o, "died")          ? "fatal"
                                         : "unknown";
}

// clang-format off
static const char fhir_sql[] =
    "SELECT json_object('resourceType', 'Bundle', 'type', 'collection', 'timestamp', ?1,"
    " 'entry', json_array("
    /* the person (json_patch over {} leaves out what is NULL: FHIR has no empty values) */
    "  json_object('fullUrl', 'urn:uuid:' || ?2, 'resource', json_patch('{}', json_object("
    "   'resourceType', 'Patient', 'id', ?2,"
    "   'identifier', json_array(json_object('system', ?3, 'value', ?4)),"
    "   'name', json_array(json_object('text', ?5)),"
    "   'gender', ?6, 'birthDate', NULLIF(?7, ''),"
    "   'address', json_array(json_patch('{}', json_object('text', NULLIF(?8, ''),"
    "     'district', NULLIF(?9, ''), 'state', NULLIF(?10, ''), 'country', 'VN')))))),"
    /* the dose */
    "  json_object('fullUrl', 'urn:uuid:' || ?11, 'resource', json_patch('{}', json_object("
    "   'resourceType', 'Immunization', 'id', ?11, 'status', 'completed',"
    "   'vaccineCode', json_object('coding', json_array(json_object("
    "     'system', 'urn:vaxsite:product', 'code', ?12)), 'text', ?13),"
    "   'patient', json_object('reference', 'urn:uuid:' || ?2),"
    "   'occurrenceDateTime', ?14, 'lotNumber', NULLIF(?15, ''),"
    "   'route', json_object('coding', json_array(json_object('system',"
    "     'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration', 'code', 'IM',"
    "     'display', 'Injection, intramuscular'))),"
    "   'protocolApplied', json_array(json_object('doseNumberPositiveInt', ?16))))),"
    /* the reaction */
    "  json_object('fullUrl', 'urn:uuid:' || ?17, 'resource', json_object("
    "   'resourceType', 'AdverseEvent', 'id', ?17,"
    "   'identifier', json_object('system', 'urn:vaxsite:aefi', 'value', ?18),"
    "   'actuality', 'actual',"
    "   'event', json_object('coding', json_array(json_object('system',"
    "     'http://snomed.info/sct', 'code', '293104008',"
    "     'display', 'Adverse reaction to component of vaccine product')), 'text', ?19),"
    "   'subject', json_object('reference', 'urn:uuid:' || ?2),"
    "   'date', ?20, 'detected', ?21, 'recordedDate', ?22,"
    "   'location', json_object('display', ?23),"
    "   'seriousness', json_object('coding', json_array(json_object('system',"
    "     'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness',"
    "     'code', ?24, 'display', ?25))),"
    "   'outcome', json_object('coding', json_array(json_object('system',"
    "     'http://terminology.hl7.org/CodeSystem/adverse-event-outcome', 'code', ?26))),"
    "   'recorder', json_object('display', ?27),"
    "   'suspectEntity', json_array(json_object('instance',"
    "     json_object('reference', 'urn:uuid:' || ?11)))))))";
// clang-format on

int vax_aefi_fhir(vax_db *db, int64_t reaction_id, char **json)
{
    vax_aefi_case c;
    char now[64], given[64], onset[64], seen[64], recorded[64], code[96], signs[1024],
        id_system[256] = "", address[512], reporter[256];
    int rc;
    *json = NULL;
    if ((rc = vax_aefi_case_get(db, reaction_id, &c)) != VAX_OK)
        return rc;
    if (!c.dose_uuid[0])
        return vax_fail(db, VAX_ESTATE, NULL, "%s",
                        _("This reaction's visit has no dose recorded; there is no vaccine to "
                          "report it against."));
    vax_setting_text(db, "fhir.id_system", id_system, sizeof id_system);
    if (!id_system[0])
        vax_strlcpy(id_system, "urn:vaxsite:national-id", sizeof id_system);
    fhir_when(vax_now(), now);
    fhir_when(c.given_at, given);
    fhir_when(c.report.onset_at, onset);
    fhir_when(c.seen_at, seen);
    fhir_when(c.report.updated_at, recorded);
    vax_aefi_case_field(&c, "case_code", code, sizeof code);
    signs_vi(c.signs, signs, sizeof signs);
    snprintf(address, sizeof address, "%s", c.commune);
    snprintf(reporter, sizeof reporter, "%s%s%s", c.report.reporter_name,
             c.report.reporter_title[0] ? ", " : "", c.report.reporter_title);
    sqlite3_stmt *st = vax_stmt(db, fhir_sql);
    if (!st)
        return VAX_EINTERNAL;
    const char *text[] = {
        [1] = now,
        [2] = c.person_uuid,
        [3] = id_system,
        [4] = c.national_id,
        [5] = c.full_name,
        [6] = c.sex == 'm'   ? "male"
              : c.sex == 'f' ? "female"
                             : "unknown",
        [8] = address,
        [9] = c.site.district,
        [10] = c.site.province,
        [11] = c.dose_uuid,
        [12] = c.product,
        [13] = c.product_name,
        [14] = given,
        [15] = c.lot_no,
        [17] = c.report.uuid,
        [18] = code,
        [19] = signs,
        [20] = onset,
        [21] = seen,
        [22] = recorded,
        [23] = c.site.name,
        [24] = c.serious ? "serious" : "non-serious",
        [25] = c.serious ? "Serious" : "Non-serious",
        [26] = fhir_outcome(c.report.outcome),
        [27] = reporter,
    };
    for (int i = 1; i < (int)(sizeof text / sizeof text[0]); i++)
        if (text[i])
            sqlite3_bind_text(st, i, text[i], -1, SQLITE_STATIC);
    /* a birth date known by its year alone is still a FHIR date (YYYY or YYYY-MM) */
    sqlite3_bind_text(st, 7, c.birth_date, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 16, c.dose_number > 0 ? c.dose_number : 1);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && !(*json = strdup(vax_col_text(st, 0))))
        rc = SQLITE_NOMEM;
    sqlite3_reset(st);
    if (rc == SQLITE_NOMEM)
        return VAX_ENOMEM;
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("writing the FHIR record"));
}

int vax_aefi_reaction_of_visit(vax_db *db, int64_t visit_id, int64_t *reaction_id)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT max(id) FROM reaction WHERE visit_id = ?1"
                                    " AND severity = 'serious'");
    *reaction_id = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *reaction_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading reactions"));
    return *reaction_id ? VAX_OK
                        : vax_fail(db, VAX_ENOTFOUND, NULL, "%s",
                                   _("This person has no serious reaction to report."));
}
