/* site.c: what makes one installation one device: the device id this database file writes its
 * events under, and the home (machine and path) it was minted for.
 *
 * Why a home. The device id is random and made once, when the file is created; sync and bundles
 * take "same uuid" to mean "same fact". A laptop set up by copying another laptop's database would
 * keep that id, and its person edits (whose uuid is person/device/version) would collide with the
 * other laptop's. So the id is tied to where it was minted: a hash of the machine's id and the
 * file's real path, kept beside it. A writer that opens the file somewhere else mints a new id
 * (the rows already in the outbox keep the id they were written under: they are the same facts
 * on both copies) and says so; readers (the board) never write and never re-mint. Moving the file
 * counts as a copy: one needless new id is cheap, a shared one is not. */
#include "internal.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEY_DEVICE "sync.device_id"
#define KEY_HOME "sync.device_home"
#define KEY_PREVIOUS "sync.device_previous"

/* The machine's identity, hashed: systemd asks that the raw machine id not be shown or sent. */
static void machine_hash(char out[17])
{
    static const char *const files[] = {"/etc/machine-id", "/var/lib/dbus/machine-id", NULL};
    char id[256] = "";
    for (const char *const *f = files; *f && !id[0]; f++) {
        FILE *fp = fopen(*f, "r");
        if (!fp)
            continue;
        if (!fgets(id, sizeof id, fp))
            id[0] = 0;
        fclose(fp);
        id[strcspn(id, "\r\n")] = 0;
    }
    if (!id[0] && gethostname(id, sizeof id - 1) != 0)
        vax_strlcpy(id, "unknown", sizeof id);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(id, strlen(id), md, &n, EVP_sha256(), NULL) != 1 || n < 8) {
        vax_strlcpy(out, "0000000000000000", 17);
        return;
    }
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void vax_device_home(const vax_db *db, char *out, size_t size)
{
    char mh[17], real[PATH_MAX];
    machine_hash(mh);
    if (!realpath(db->path, real))
        vax_strlcpy(real, db->path, sizeof real);
    snprintf(out, size, "%s:%s", mh, real);
}

/* Inside the caller's transaction. */
static int put(vax_db *db, const char *key, const char *value)
{
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO setting(key, value, updated_at, updated_by)"
                                    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET"
                                    " value = excluded.value, updated_at = excluded.updated_at,"
                                    " updated_by = excluded.updated_by");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, vax_now());
    if (db->has_actor)
        sqlite3_bind_int64(st, 4, db->actor.id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("saving the device id"));
}

int vax_device_claim_at(vax_db *db, const char *home)
{
    char dev[37] = "", stored[4200] = "", fresh[37];
    int rc;
    db->device_reminted = 0;
    if (db->readonly)
        return VAX_OK;
    /* the usual open reads only: a station must not wait for another's write lock to start */
    if (vax_setting_get(db, KEY_HOME, stored, sizeof stored) == VAX_OK && !strcmp(stored, home))
        return VAX_OK;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    /* a file older than the outbox has no device id yet: nothing to claim */
    if (vax_setting_get(db, KEY_DEVICE, dev, sizeof dev) != VAX_OK) {
        vax_tx_rollback(db);
        vax_clear_error(db);
        return VAX_OK;
    }
    rc = vax_setting_get(db, KEY_HOME, stored, sizeof stored);
    if (rc == VAX_OK && strcmp(stored, home) == 0) {
        vax_tx_rollback(db);
        return VAX_OK;
    }
    if (rc != VAX_OK && rc != VAX_ENOTFOUND)
        goto fail;
    if (rc == VAX_OK) { /* minted elsewhere: this copy becomes a device of its own */
        char details[600];
        if ((rc = vax_uuid(fresh)) != VAX_OK) {
            rc = vax_fail(db, rc, NULL, "%s", _("Cannot make a random device id."));
            goto fail;
        }
        snprintf(details, sizeof details, "%s -> %s; minted for %.400s", dev, fresh, stored);
        if ((rc = put(db, KEY_PREVIOUS, dev)) != VAX_OK || (rc = put(db, KEY_DEVICE, fresh)) ||
            (rc = vax_audit(db, "device.remint", "setting", 0, details)) != VAX_OK)
            goto fail;
        vax_strlcpy(db->device_previous, dev, sizeof db->device_previous);
        db->device_reminted = 1;
    }
    /* no home yet (a file made before homes were kept, or just made): it is this one */
    if ((rc = put(db, KEY_HOME, home)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    db->device_reminted = 0;
    vax_tx_rollback(db);
    return rc;
}

int vax_device_claim(vax_db *db)
{
    char home[4200];
    if (db->readonly)
        return VAX_OK;
    vax_device_home(db, home, sizeof home);
    return vax_device_claim_at(db, home);
}

/* Opening is the store's open (db.c, which knows no domain module) and then the claim of the device
 * id, so that no writer, whoever it is, writes an event under another file's id. */
int vax_open(const char *path, int flags, vax_db **out)
{
    int rc = vax_open_at_version(path, flags, VAX_SCHEMA_VERSION, out);
    if (rc != VAX_OK)
        return rc;
    return vax_device_claim(*out);
}

int vax_device_get(vax_db *db, vax_device *out)
{
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = vax_setting_get(db, KEY_DEVICE, out->id, sizeof out->id)) != VAX_OK)
        return rc == VAX_ENOTFOUND
                   ? vax_fail(db, rc, NULL, "%s", _("This database has no device id yet."))
                   : rc;
    vax_setting_get(db, KEY_HOME, out->home, sizeof out->home);
    vax_setting_get(db, KEY_PREVIOUS, out->previous, sizeof out->previous);
    out->reminted = db->device_reminted;
    vax_clear_error(db);
    return VAX_OK;
}

/* ---- the site ---------------------------------------------------------------------------- */

static int is_upper_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The facility code of the national system: 5 digits, the first two a province (01-99); a mobile
 * team adds "-" and its team (1 to 8 of A-Z, 0-9). */
static int valid_code(const char *code, int mobile)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 5)
        return 0;
    for (int i = 0; i < 5; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    if (code[0] == '0' && code[1] == '0')
        return 0;
    if (n == 5)
        return 1;
    if (!mobile || code[5] != '-' || n < 7 || n > 14)
        return 0;
    for (size_t i = 6; i < n; i++)
        if (!is_upper_alnum(code[i]))
            return 0;
    return 1;
}

static int need_text(vax_db *db, const char *v, const char *field, const char *label)
{
    if (v && *v && strlen(v) < 128)
        return VAX_OK;
    return vax_fail(db, VAX_EINVAL, field, _("%s: 1 to 127 characters."), label);
}

int vax_site_init(vax_db *db, const vax_site *s)
{
    char uuid[37];
    vax_site old;
    int rc, mobile;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (strcmp(s->kind, "fixed") != 0 && strcmp(s->kind, "mobile") != 0)
        return vax_fail(db, VAX_EINVAL, "kind", "%s",
                        _("Kind: fixed (a vaccination clinic) or mobile (a mobile team)."));
    mobile = strcmp(s->kind, "mobile") == 0;
    if (!valid_code(s->code, mobile))
        return vax_fail(db, VAX_EINVAL, "code",
                        mobile ? _("Site code: the facility's 5-digit code in the national system "
                                   "(province 2 digits, facility 3, e.g. 12001), or it followed "
                                   "by a dash and the team (12001-M1); \"%s\" is not.")
                               : _("Site code: the facility's 5-digit code in the national system "
                                   "(province 2 digits, facility 3, e.g. 12001); \"%s\" is not."),
                        s->code);
    if ((rc = need_text(db, s->name, "name", _("Site name"))) != VAX_OK ||
        (rc = need_text(db, s->commune, "commune", _("Commune"))) != VAX_OK ||
        (rc = need_text(db, s->district, "district", _("District"))) != VAX_OK ||
        (rc = need_text(db, s->province, "province", _("Province"))) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    /* read inside the write transaction: two first-run screens cannot both make a site */
    rc = vax_site_get(db, &old);
    /* "SITE" is the stand-in a queue made before any set-up (queue.c): the real site replaces it */
    int placeholder = rc == VAX_OK && !old.is_demo && strcmp(old.code, "SITE") == 0;
    if (rc == VAX_OK && !placeholder) {
        rc = vax_fail(db, VAX_EEXIST, "code",
                      old.is_demo ? _("This database is the demo site %s; a real site is set up "
                                      "in a new database file (--db FILE).")
                                  : _("This database is already site %s; nothing was changed."),
                      old.code);
        goto fail;
    }
    if (rc != VAX_OK && rc != VAX_ENOTFOUND)
        goto fail;
    vax_clear_error(db);
    if ((rc = vax_uuid(uuid)) != VAX_OK)
        goto fail;
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO site(id, uuid, code, name, is_demo, commune, district, province, kind,"
            " created_at, updated_at, updated_by)"
            " VALUES (?10, ?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?8, ?8, ?9)"
            " ON CONFLICT(id) DO UPDATE SET code = excluded.code, name = excluded.name,"
            " commune = excluded.commune, district = excluded.district,"
            " province = excluded.province, kind = excluded.kind,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    const char *text[] = {uuid, s->code, s->name, s->commune, s->district, s->province, s->kind};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, vax_now());
    if (db->has_actor)
        sqlite3_bind_int64(st, 9, db->actor.id);
    if (placeholder)
        sqlite3_bind_int64(st, 10, old.id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("saving the site"));
        goto fail;
    }
    char details[700];
    snprintf(details, sizeof details, "%s %s; %s, %s, %s; %s", s->code, s->name, s->commune,
             s->district, s->province, s->kind);
    if ((rc = vax_audit(db, "site.init", "site",
                        placeholder ? old.id : sqlite3_last_insert_rowid(db->sql), details)) !=
        VAX_OK)
        goto fail;
    /* a desk of each kind, so that the stations open on named desks from the first day */
    if ((rc = vax_desk_defaults_locked(db)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_site_details(vax_db *db, vax_site *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, code, name, is_demo, commune, district, province,"
                                    " kind FROM site ORDER BY id LIMIT 1");
    int rc;
    memset(out, 0, sizeof *out);
    if (!st)
        return VAX_EINTERNAL;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        vax_strlcpy(out->code, vax_col_text(st, 1), sizeof out->code);
        vax_strlcpy(out->name, vax_col_text(st, 2), sizeof out->name);
        out->is_demo = sqlite3_column_int(st, 3);
        vax_strlcpy(out->commune, vax_col_text(st, 4), sizeof out->commune);
        vax_strlcpy(out->district, vax_col_text(st, 5), sizeof out->district);
        vax_strlcpy(out->province, vax_col_text(st, 6), sizeof out->province);
        vax_strlcpy(out->kind, vax_col_text(st, 7), sizeof out->kind);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the site"));
    return vax_fail(db, VAX_ENOTFOUND, NULL, "%s",
                    _("This database has no site yet: set it up with 'vaxsite site init' or at "
                      "the first-run screen."));
}

void vax_site_display_name(const vax_site *s, char *out, size_t size)
{
    if (s->is_demo)
        snprintf(out, size, "%s · %s", _("DEMO – not valid"), s->name);
    else
        vax_strlcpy(out, s->name, size);
}

int vax_site_refuse_demo(vax_db *db, const char *what)
{
    vax_site s;
    if (vax_site_get(db, &s) != VAX_OK || !s.is_demo) {
        vax_clear_error(db);
        return VAX_OK;
    }
    return vax_fail(db, VAX_ESTATE, NULL,
                    _("%s refused: %s is a demo site, its made-up people never leave this "
                      "machine; set up a real site with 'vaxsite site init'."),
                    what, s.code);
}

/* `vaxsite check`: the store's checks, then what the rows must mean (the stock ledger balances
 * against the lots' and vials' counters), one report. */
int vax_db_check(vax_db *db, char **report)
{
    char *store = NULL, *stock = NULL;
    int problems = 0;
    *report = NULL;
    int rc = vax_store_check(db, &store, &problems);
    if (rc != VAX_OK)
        return rc;
    int bad = vax_stock_check(db, &stock);
    if (bad > 0 && stock && *stock) { /* both are lines ending with '\n' */
        size_t a = store ? strlen(store) : 0, b = strlen(stock);
        char *joined = malloc(a + b + 1);
        if (!joined) {
            free(store);
            free(stock);
            return vax_fail(db, VAX_ENOMEM, NULL, "%s", vax_status_str(VAX_ENOMEM));
        }
        snprintf(joined, a + b + 1, "%s%s", store ? store : "", stock);
        free(store);
        store = joined;
        problems += bad;
    }
    free(stock);
    *report = store;
    if (problems)
        return vax_fail(db, VAX_ECORRUPT, NULL, _("Problems found in the database %s: %d."),
                        vax_db_path(db), problems);
    return VAX_OK;
}
