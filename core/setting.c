/* setting.c: the site's settings, one key and value a row, changed only by those allowed to. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the declarations -------------------------------------------------------------------- */

/* One row per setting the program reads. The defaults of the queue, observation and certificate
 * rows are the Ministry's and the site's usual practice (30 minutes' observation, QĐ 3802/QĐ-BYT;
 * a year's certificate); the caps per risk level follow the province's plan for crowd-free
 * sessions. README's settings table is `vaxsite setting list`, printed from this table. */
#define INT_ROW(k, def, lo, hi, help)                                                              \
    {                                                                                              \
        k, VAX_SETTING_INT, def, lo, hi, help                                                      \
    }
#define BOOL_ROW(k, def, help)                                                                     \
    {                                                                                              \
        k, VAX_SETTING_BOOL, def, 0, 1, help                                                       \
    }
#define TEXT_ROW(k, def, len, help)                                                                \
    {                                                                                              \
        k, VAX_SETTING_TEXT, def, 0, len, help                                                     \
    }
static const vax_setting_decl decls[] = {
    INT_ROW("observe.minutes", "30", 15, 240,
            N_("minutes of observation after an injection when the product names none")),
    INT_ROW("screening.caution_observation_min", "60", 30, 240,
            N_("minutes of observation for a person screened \"vaccinate with caution\"")),
    INT_ROW("screening.min_age", "0", 0, 120,
            N_("youngest age screened at this site; 0 lets the products' ages decide")),
    TEXT_ROW("screening.checklist", "", 64,
             N_("code of the screening form in force; empty: the newest the Ministry issued")),
    INT_ROW("queue.max_wait_min", "60", 1, 600,
            N_("a visit waiting longer than this many minutes is called first")),
    INT_ROW("queue.stranded_min", "15", 1, 240,
            N_("minutes a called person may sit at a station before the overview lists them")),
    TEXT_ROW("queue.order", "urgent,boost,group,age,slot,arrival", 255,
             N_("call-next order, best first, of: boost urgent group age slot arrival")),
    BOOL_ROW("board.initials", "0", N_("1: the board shows initials (N.V.H.) beside each ticket")),
    INT_ROW("slot.cap.low", "100", 1, 99999, N_("people per slot when the risk level is low")),
    INT_ROW("slot.cap.medium", "50", 1, 99999, N_("people per slot when the risk level is medium")),
    INT_ROW("slot.cap.high", "25", 1, 99999, N_("people per slot when the risk level is high")),
    INT_ROW("slot.cap.very_high", "10", 1, 99999,
            N_("people per slot when the risk level is very high")),
    TEXT_ROW("cert.printer", "", 127,
             N_("printer (CUPS name) that certificate cards are sent to; empty: save a PDF")),
    TEXT_ROW("cert.paper_size", "a5", 2,
             N_("paper of the Ministry's certificate (annex 4): a5 as the annex, or a4")),
    TEXT_ROW("campaign.round", "", 32,
             N_("vaccination round (đợt tiêm) each dose given now belongs to, as the province "
                "numbers it; the daily and end-of-round reports count by it")),
    TEXT_ROW("cert.issuer", "Ministry of Health of Viet Nam", 80,
             N_("issuer named on certificates")),
    INT_ROW("cert.valid_days", "365", 1, 3650, N_("days a certificate is valid")),
    TEXT_ROW("cert.key_dir", "", 1000,
             N_("folder of the site's signing key; empty: the database file's name + .keys")),
    INT_ROW("staff.max_failed_pins", "5", 3, 20, N_("wrong PINs in a row that lock a login")),
    INT_ROW("staff.lock_minutes", "5", 1, 1440, N_("minutes a login stays locked")),
    INT_ROW("staff.lock_growth", "2", 1, 10,
            N_("each further lock before a right PIN lasts this many times the one before")),
    INT_ROW("staff.lock_max_minutes", "1440", 1, 10080,
            N_("the longest a login stays locked, in minutes")),
    BOOL_ROW(
        "cli.require_staff", "0",
        N_("1: command-line changes need --as LOGIN and that member's PIN (reading does not)")),
    INT_ROW("staff.pin_iterations", "210000", 1000, 10000000,
            N_("PBKDF2 rounds of a new PIN hash (lower only on a test machine)")),
    INT_ROW("coldchain.due_1_hour", "12", 0, 23,
            N_("hour (local) by which the first fridge temperature reading of the day is due")),
    INT_ROW("coldchain.due_2_hour", "17", 0, 23,
            N_("hour (local) by which the second fridge temperature reading of the day is due")),
    TEXT_ROW("sync.communes", "", 500,
             N_("the mobile team's communes, separated by ';', for sync pull")),
    TEXT_ROW("fhir.id_system", "urn:vaxsite:vn:national-id", 200,
             N_("identifier system of national ID numbers in FHIR exports")),
    TEXT_ROW("fhir.insurance_system", "urn:vaxsite:vn:health-insurance", 200,
             N_("identifier system of health insurance numbers in FHIR exports")),
};

const vax_setting_decl *vax_setting_decls(int *n)
{
    *n = (int)(sizeof decls / sizeof decls[0]);
    return decls;
}

const vax_setting_decl *vax_setting_decl_find(const char *key)
{
    for (size_t i = 0; key && i < sizeof decls / sizeof decls[0]; i++)
        if (!strcmp(decls[i].key, key))
            return &decls[i];
    return NULL;
}

const char *vax_setting_help(const vax_setting_decl *d)
{
    return _(d->help);
}

/* 1 if text is a whole number inside d's range (INT, BOOL) or short enough (TEXT). */
static int fits(const vax_setting_decl *d, const char *text, int64_t *num)
{
    char *end;
    if (d->type == VAX_SETTING_TEXT)
        return strlen(text) <= (size_t)d->max;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end || v < d->min || v > d->max)
        return 0;
    if (num)
        *num = v;
    return 1;
}

int vax_setting_check(vax_db *db, const char *key, const char *value)
{
    const vax_setting_decl *d = vax_setting_decl_find(key);
    if (!d || fits(d, value ? value : "", NULL))
        return VAX_OK;
    if (d->type == VAX_SETTING_BOOL)
        return vax_fail(db, VAX_EINVAL, "value", _("Setting %s: 0 (off) or 1 (on)."), key);
    if (d->type == VAX_SETTING_TEXT)
        return vax_fail(db, VAX_EINVAL, "value", _("Setting %s: at most %lld characters."), key,
                        (long long)d->max);
    return vax_fail(db, VAX_EINVAL, "value", _("Setting %s: a whole number from %lld to %lld."),
                    key, (long long)d->min, (long long)d->max);
}

int64_t vax_setting_int(vax_db *db, const char *key)
{
    const vax_setting_decl *d = vax_setting_decl_find(key);
    char buf[64];
    int64_t v = 0;
    if (!d || d->type == VAX_SETTING_TEXT)
        return 0;
    /* a value stored before its range was declared (or by hand) gives way to the default */
    if (vax_setting_get(db, key, buf, sizeof buf) == VAX_OK && fits(d, buf, &v))
        return v;
    fits(d, d->fallback, &v);
    return v;
}

void vax_setting_text(vax_db *db, const char *key, char *buf, size_t size)
{
    const vax_setting_decl *d = vax_setting_decl_find(key);
    if (!d || d->type != VAX_SETTING_TEXT) {
        vax_strlcpy(buf, "", size);
        return;
    }
    if (vax_setting_get(db, key, buf, size) != VAX_OK || !buf[0])
        vax_strlcpy(buf, d->fallback, size);
}

int vax_setting_get(vax_db *db, const char *key, char *buf, size_t size)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT value FROM setting WHERE key = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        vax_strlcpy(buf, vax_col_text(st, 0), size);
        sqlite3_reset(st);
        return VAX_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return VAX_ENOTFOUND;
    return vax_fail_sql(db, rc, _("reading a setting"));
}

int vax_setting_get_int(vax_db *db, const char *key, int64_t fallback, int64_t *out)
{
    char buf[64];
    char *end;
    *out = fallback;
    if (vax_setting_get(db, key, buf, sizeof buf) != VAX_OK)
        return VAX_OK;
    long long v = strtoll(buf, &end, 10);
    if (end != buf && *end == 0)
        *out = v;
    return VAX_OK;
}

int vax_setting_set(vax_db *db, const char *key, const char *value)
{
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_setting_check(db, key, value)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO setting(key, value, updated_at, updated_by)"
                                    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET"
                                    " value = excluded.value, updated_at = excluded.updated_at,"
                                    " updated_by = excluded.updated_by");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, vax_now());
    sqlite3_bind_int64(st, 4, vax_actor_id(db));
    if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("saving a setting"));
        goto fail;
    }
    sqlite3_reset(st);
    /* the audit keeps what it became, whole: a changed observation time is a clinical decision */
    char *details = sqlite3_mprintf("%s=%s", key, value);
    if (!details) {
        rc = vax_fail(db, VAX_ENOMEM, NULL, _("out of memory"));
        goto fail;
    }
    rc = vax_audit(db, "setting", "setting", 0, details);
    sqlite3_free(details);
    if (rc != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}
