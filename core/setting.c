/* setting.c: the site's settings, one key and value a row, changed only by those allowed to. */
#include "internal.h"

#include <stdlib.h>

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
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
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
    if ((rc = vax_audit(db, "setting", "setting", 0, key)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}
