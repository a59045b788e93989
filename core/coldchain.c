/* coldchain.c: the cold chain: fridges and cold boxes, the lots stored in each, temperature
 * readings, when the next reading is due, and lots on "check before use" after a breach.
 *
 * The Ministry's cold-chain rule for COVID-19 vaccines in use at a site is 2-8 degC, a reading at
 * least twice a day; a freeze (0 degC or below) spoils adsorbed vaccines even briefly. A reading
 * outside the range puts every lot stored in that fridge with doses on hand on hold in the same
 * transaction as the reading, so no vial of it can be opened (stock.c refuses) until a manager
 * decides: use (the vaccine was checked, e.g. its vial monitors) or discard (its unopened vials
 * are written off in the ledger, reason cold_chain). Readings are kept in tenths of a degree so
 * that 2.0 and 8.0 compare exactly. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int vax_temp_state_of(int tenths)
{
    if (tenths <= 0)
        return VAX_TEMP_FREEZE;
    if (tenths < VAX_TEMP_MIN_TENTHS || tenths > VAX_TEMP_MAX_TENTHS)
        return VAX_TEMP_OUT_OF_RANGE;
    return VAX_TEMP_OK;
}

void vax_temp_format(int tenths, char *out, size_t size)
{
    snprintf(out, size, "%s%d.%d", tenths < 0 ? "-" : "", abs(tenths) / 10, abs(tenths) % 10);
}

int vax_temp_parse(const char *text, int *tenths)
{
    const char *p = text ? text : "";
    int neg = 0, whole = 0, digits = 0, tenth = 0;
    while (*p == ' ')
        p++;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
        whole = whole * 10 + (*p - '0');
    if (!digits)
        return VAX_EINVAL;
    if (*p == '.' || *p == ',') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return VAX_EINVAL;
        tenth = *p++ - '0';
    }
    while (*p == ' ')
        p++;
    if (*p)
        return VAX_EINVAL;
    *tenths = (neg ? -1 : 1) * (whole * 10 + tenth);
    return VAX_OK;
}

/* A fridge's code as staff write it on its door: letters, digits, - and _. */
static int code_ok(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 1 || n >= 32)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* The fridge by code inside the caller's transaction (*active: 1 unless retired). */
static int fridge_find(vax_db *db, const char *code, int64_t *id, int *active)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, active FROM fridge WHERE code = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, code ? code : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *active = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "fridge",
                        _("Fridge: no fridge or cold box %.31s (vaxsite fridge list)."),
                        code ? code : "");
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the cold chain"));
}

static int active_fridge(vax_db *db, const char *code, int64_t *id)
{
    int active = 0, rc = fridge_find(db, code, id, &active);
    if (rc == VAX_OK && !active)
        rc = vax_fail(db, VAX_ESTATE, "fridge",
                      _("Fridge: %.31s is retired; use a fridge in service."), code);
    return rc;
}

int vax_fridge_add(vax_db *db, const char *code, const char *name, int cold_box)
{
    char uuid[37], details[160];
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (!code_ok(code))
        return vax_fail(db, VAX_EINVAL, "code", "%s",
                        _("Code: letters, digits, - and _, up to 31 (as written on the door)."));
    char *nfc = vax_text_nfc(name ? name : "");
    if (!nfc)
        return VAX_ENOMEM;
    if (!nfc[0] || strlen(nfc) >= 64) {
        free(nfc);
        return vax_fail(db, VAX_EINVAL, "name", "%s",
                        _("Name: say where it is (e.g. \"Tủ lạnh phòng tiêm\"), up to 63 bytes."));
    }
    if ((rc = vax_uuid(uuid)) != VAX_OK || (rc = vax_tx_begin(db)) != VAX_OK) {
        free(nfc);
        return rc;
    }
    int64_t now = vax_now();
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO fridge(uuid, code, name, kind, created_at,"
                                    " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)"
                                    " ON CONFLICT(code) DO NOTHING");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, nfc, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, cold_box ? "cold_box" : "fridge", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    vax_bind_actor(db, st, 6);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("registering a fridge"));
        goto fail;
    }
    if (sqlite3_changes(db->sql) != 1) {
        rc = vax_fail(db, VAX_EEXIST, "code", _("Code: %.31s is already registered."), code);
        goto fail;
    }
    snprintf(details, sizeof details, "%s %.31s: %.63s", cold_box ? "cold_box" : "fridge", code,
             nfc);
    if ((rc = vax_audit(db, "fridge.add", "fridge", sqlite3_last_insert_rowid(db->sql), details)) !=
        VAX_OK)
        goto fail;
    free(nfc);
    return vax_tx_commit(db);
fail:
    free(nfc);
    vax_tx_rollback(db);
    return rc;
}

/* What unopened vials and open vials of a lot still hold (as stock.c counts it). */
#define HOLD_ON_HAND                                                                               \
    "((l.vials_received - l.vials_opened - l.vials_removed) * l.doses_per_vial + coalesce((SELECT" \
    " sum(x.doses - x.drawn) FROM vial x WHERE x.lot_id = l.id AND x.discarded_at IS NULL), 0))"

int vax_fridge_retire(vax_db *db, const char *code)
{
    int64_t id;
    int rc, stored = 0;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = active_fridge(db, code, &id)) != VAX_OK)
        goto fail;
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT count(*) FROM lot l WHERE l.fridge_id = ?1 AND " HOLD_ON_HAND " > 0");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        stored = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        rc = vax_fail_sql(db, rc, _("reading the cold chain"));
        goto fail;
    }
    if (stored > 0) {
        rc = vax_fail(db, VAX_ESTATE, "fridge",
                      _("Fridge: %.31s still stores %d lots with doses; move them first (fridge "
                        "store)."),
                      code, stored);
        goto fail;
    }
    st = vax_stmt(db, "UPDATE fridge SET active = 0, updated_at = ?2, updated_by = ?3"
                      " WHERE id = ?1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, vax_now());
    vax_bind_actor(db, st, 3);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("retiring a fridge"));
        goto fail;
    }
    if ((rc = vax_audit(db, "fridge.retire", "fridge", id, code)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_fridge_store_lot(vax_db *db, const char *fridge_code, int64_t lot_id)
{
    int64_t id;
    vax_lot lot;
    char details[160];
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = active_fridge(db, fridge_code, &id)) != VAX_OK ||
        (rc = vax_stock_lot_get(db, lot_id, &lot)) != VAX_OK)
        goto fail;
    sqlite3_stmt *st = vax_stmt(db, "UPDATE lot SET fridge_id = ?2, updated_at = ?3,"
                                    " updated_by = ?4 WHERE id = ?1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, lot_id);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, vax_now());
    vax_bind_actor(db, st, 4);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("storing a lot"));
        goto fail;
    }
    snprintf(details, sizeof details, "%s %s in %.31s", lot.product, lot.lot_no, fridge_code);
    if ((rc = vax_audit(db, "lot.store", "lot", lot_id, details)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- when a reading is due ---------------------------------------------------------------- */

/* The moment `hour`:00 local of the day `days` after the local day of t. */
static int64_t local_hour(int64_t t, int days, int hour)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_mday += days;
    tm.tm_hour = hour;
    tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

/* A reading is due by each of the day's two hours. The one by a deadline is any reading after
 * the deadline before it: at `now`, the last deadline passed is `last`, the one before it
 * `prev`, the next `next`. Nothing since prev, for a fridge registered before last: late since
 * last. Nothing since last: due by next. Otherwise nothing is due. */
static void due_of(vax_db *db, int64_t now, int64_t since, vax_fridge *f)
{
    int h1 = (int)vax_setting_int(db, "coldchain.due_1_hour");
    int h2 = (int)vax_setting_int(db, "coldchain.due_2_hour");
    int64_t marks[6];
    int n = 0;
    if (h1 > h2) {
        int t = h1;
        h1 = h2;
        h2 = t;
    }
    for (int d = -1; d <= 1; d++) {
        marks[n++] = local_hour(now, d, h1);
        if (h2 != h1)
            marks[n++] = local_hour(now, d, h2);
    }
    int64_t last = 0, prev = 0, next = 0;
    for (int i = 0; i < n; i++) {
        if (marks[i] <= now) {
            prev = last;
            last = marks[i];
        } else if (!next) {
            next = marks[i];
        }
    }
    int64_t seen = f->has_reading ? f->last_at : 0;
    f->due = VAX_TEMP_DUE_NONE;
    f->due_at = 0;
    if (seen <= prev && since < last) {
        f->due = VAX_TEMP_DUE_LATE;
        f->due_at = last;
    } else if (seen <= last) {
        /* registered after the last deadline and not read yet: due by the next */
        f->due = VAX_TEMP_DUE_SOON;
        f->due_at = next;
    }
}

int vax_fridge_list(vax_db *db, int all, int64_t now, vax_fridge *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT f.id, f.code, f.name, f.kind = 'cold_box', f.active, f.created_at,"
            " (SELECT r.at FROM temp_reading r WHERE r.fridge_id = f.id ORDER BY r.at DESC,"
            "  r.id DESC LIMIT 1),"
            " (SELECT r.tenths FROM temp_reading r WHERE r.fridge_id = f.id ORDER BY r.at DESC,"
            "  r.id DESC LIMIT 1),"
            " (SELECT count(*) FROM lot l WHERE l.fridge_id = f.id AND " HOLD_ON_HAND " > 0),"
            " (SELECT count(*) FROM lot l JOIN lot_hold h ON h.lot_id = l.id"
            "  AND h.decided_at IS NULL WHERE l.fridge_id = f.id)"
            " FROM fridge f WHERE ?1 = 1 OR f.active = 1 ORDER BY f.code");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int(st, 1, all ? 1 : 0);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_fridge *f = &out[(*n)++];
        memset(f, 0, sizeof *f);
        f->id = sqlite3_column_int64(st, 0);
        vax_strlcpy(f->code, vax_col_text(st, 1), sizeof f->code);
        vax_strlcpy(f->name, vax_col_text(st, 2), sizeof f->name);
        f->cold_box = sqlite3_column_int(st, 3);
        f->active = sqlite3_column_int(st, 4);
        int64_t since = sqlite3_column_int64(st, 5);
        f->has_reading = sqlite3_column_type(st, 6) != SQLITE_NULL;
        f->last_at = sqlite3_column_int64(st, 6);
        f->last_tenths = sqlite3_column_int(st, 7);
        f->lots_stored = sqlite3_column_int(st, 8);
        f->lots_on_hold = sqlite3_column_int(st, 9);
        if (f->active)
            due_of(db, now, since, f);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? VAX_OK
               : vax_fail_sql(db, rc, _("reading the cold chain"));
}

int vax_temp_due_count(vax_db *db, int64_t now, vax_fridge *first)
{
    vax_fridge f[64];
    int n = 0, due = 0, rc;
    if ((rc = vax_fridge_list(db, 0, now, f, 64, &n)) != VAX_OK)
        return rc;
    for (int i = 0; i < n; i++) {
        if (f[i].due == VAX_TEMP_DUE_NONE)
            continue;
        /* a late one comes before one merely due, then the earliest */
        if (first && (!due || (f[i].due > first->due) ||
                      (f[i].due == first->due && f[i].due_at < first->due_at)))
            *first = f[i];
        due++;
    }
    return due;
}

/* ---- readings ----------------------------------------------------------------------------- */

int vax_temp_log(vax_db *db, const char *fridge_code, int tenths, int *held)
{
    char uuid[37], details[200], shown[16];
    int64_t fridge_id, reading_id, now = vax_now();
    int rc, state = vax_temp_state_of(tenths), n = 0;
    vax_clear_error(db);
    vax_temp_format(tenths, shown, sizeof shown);
    if ((rc = vax_require(db, VAX_ACT_CALL_INJECT)) != VAX_OK)
        return rc;
    if (tenths < -500 || tenths > 600)
        return vax_fail(db, VAX_EINVAL, "temp", "%s",
                        _("Temperature: -50.0 to 60.0 degC; check the thermometer."));
    if ((rc = vax_uuid_v7(uuid)) != VAX_OK || (rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = active_fridge(db, fridge_code, &fridge_id)) != VAX_OK)
        goto fail;
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO temp_reading(uuid, fridge_id, at, tenths, breach,"
                                    " staff_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, fridge_id);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int(st, 4, tenths);
    sqlite3_bind_int(st, 5, state);
    vax_bind_actor(db, st, 6);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("logging a temperature"));
        goto fail;
    }
    reading_id = sqlite3_last_insert_rowid(db->sql);
    if (state != VAX_TEMP_OK) {
        /* every lot stored there with doses; one already on hold keeps its first hold */
        sqlite3_stmt *lots =
            vax_stmt(db, "SELECT l.id, l.product, l.lot_no FROM lot l WHERE l.fridge_id = ?1"
                         " AND " HOLD_ON_HAND " > 0 AND NOT EXISTS (SELECT 1 FROM lot_hold h"
                         " WHERE h.lot_id = l.id AND h.decided_at IS NULL) ORDER BY l.id");
        sqlite3_stmt *ins = vax_stmt(db, "INSERT INTO lot_hold(uuid, lot_id, reading_id, since)"
                                         " VALUES (?1, ?2, ?3, ?4)");
        int64_t ids[512];
        char names[512][48];
        int k = 0;
        if (!lots || !ins) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_int64(lots, 1, fridge_id);
        while (k < 512 && (rc = sqlite3_step(lots)) == SQLITE_ROW) {
            ids[k] = sqlite3_column_int64(lots, 0);
            snprintf(names[k], sizeof names[k], "%.15s %.31s", vax_col_text(lots, 1),
                     vax_col_text(lots, 2));
            k++;
        }
        sqlite3_reset(lots);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            rc = vax_fail_sql(db, rc, _("reading the cold chain"));
            goto fail;
        }
        for (int i = 0; i < k; i++) {
            char hold_uuid[37];
            if ((rc = vax_uuid(hold_uuid)) != VAX_OK)
                goto fail;
            sqlite3_bind_text(ins, 1, hold_uuid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 2, ids[i]);
            sqlite3_bind_int64(ins, 3, reading_id);
            sqlite3_bind_int64(ins, 4, now);
            rc = sqlite3_step(ins);
            sqlite3_reset(ins);
            if (rc != SQLITE_DONE) {
                rc = vax_fail_sql(db, rc, _("putting a lot on hold"));
                goto fail;
            }
            snprintf(details, sizeof details, "%s: %.31s read %s degC", names[i], fridge_code,
                     shown);
            if ((rc = vax_audit(db, "lot.hold", "lot", ids[i], details)) != VAX_OK)
                goto fail;
            n++;
        }
    }
    snprintf(details, sizeof details, "%.31s: %s degC%s", fridge_code, shown,
             state == VAX_TEMP_FREEZE         ? " (freeze)"
             : state == VAX_TEMP_OUT_OF_RANGE ? " (out of range)"
                                              : "");
    if ((rc = vax_audit(db, "temp.log", "temp_reading", reading_id, details)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (held)
        *held = n;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_temp_list(vax_db *db, const char *fridge_code, int64_t from, int64_t to,
                  vax_temp_reading *out, int max, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT r.id, r.at, f.code, r.tenths, r.breach,"
                     " (SELECT count(*) FROM lot_hold h WHERE h.reading_id = r.id),"
                     " coalesce((SELECT s.login FROM staff s WHERE s.id = r.staff_id), '')"
                     " FROM temp_reading r JOIN fridge f ON f.id = r.fridge_id"
                     " WHERE r.at >= ?1 AND r.at < ?2 AND (?3 IS NULL OR f.code = ?3)"
                     " ORDER BY r.at, r.id");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    if (fridge_code)
        sqlite3_bind_text(st, 3, fridge_code, -1, SQLITE_TRANSIENT);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_temp_reading *r = &out[(*n)++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->at = sqlite3_column_int64(st, 1);
        vax_strlcpy(r->fridge, vax_col_text(st, 2), sizeof r->fridge);
        r->tenths = sqlite3_column_int(st, 3);
        r->state = sqlite3_column_int(st, 4);
        r->held = sqlite3_column_int(st, 5);
        vax_strlcpy(r->by, vax_col_text(st, 6), sizeof r->by);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? VAX_OK
               : vax_fail_sql(db, rc, _("reading the cold chain"));
}

/* ---- holds -------------------------------------------------------------------------------- */

#define HOLD_SELECT                                                                                \
    "SELECT l.id, h.since, l.product, l.lot_no, f.code, r.tenths, " HOLD_ON_HAND                   \
    " FROM lot_hold h JOIN lot l ON l.id = h.lot_id JOIN temp_reading r ON r.id = h.reading_id"    \
    " JOIN fridge f ON f.id = r.fridge_id WHERE h.decided_at IS NULL"

static void row_to_hold(sqlite3_stmt *st, vax_lot_hold *h)
{
    memset(h, 0, sizeof *h);
    h->lot_id = sqlite3_column_int64(st, 0);
    h->since = sqlite3_column_int64(st, 1);
    vax_strlcpy(h->product, vax_col_text(st, 2), sizeof h->product);
    vax_strlcpy(h->lot_no, vax_col_text(st, 3), sizeof h->lot_no);
    vax_strlcpy(h->fridge, vax_col_text(st, 4), sizeof h->fridge);
    h->tenths = sqlite3_column_int(st, 5);
    h->doses_on_hand = sqlite3_column_int(st, 6);
}

int vax_lot_holds(vax_db *db, vax_lot_hold *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, HOLD_SELECT " ORDER BY h.since, l.id");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_hold(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? VAX_OK
               : vax_fail_sql(db, rc, _("reading the cold chain"));
}

int vax_lot_on_hold(vax_db *db, int64_t lot_id, vax_lot_hold *out)
{
    sqlite3_stmt *st = vax_stmt(db, HOLD_SELECT " AND h.lot_id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, lot_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out)
        row_to_hold(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : vax_fail_sql(db, rc, _("reading the cold chain"));
}

int vax_lot_hold_decide(vax_db *db, int64_t lot_id, int use, const char *note)
{
    vax_lot lot;
    char details[300];
    int rc, written_off = 0;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_stock_lot_get(db, lot_id, &lot)) != VAX_OK)
        goto fail;
    sqlite3_stmt *st =
        vax_stmt(db, "UPDATE lot_hold SET decided_at = ?2, decided_by = ?3, decision = ?4,"
                     " note = ?5 WHERE lot_id = ?1 AND decided_at IS NULL");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, lot_id);
    sqlite3_bind_int64(st, 2, vax_now());
    vax_bind_actor(db, st, 3);
    sqlite3_bind_text(st, 4, use ? "use" : "discard", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, note ? note : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("deciding on a held lot"));
        goto fail;
    }
    if (sqlite3_changes(db->sql) != 1) {
        rc = vax_fail(db, VAX_ESTATE, "lot", _("Lot %s is not on \"check before use\"."),
                      lot.lot_no);
        goto fail;
    }
    if (!use && lot.vials_unopened > 0) {
        if ((rc = vax_stock_writeoff_locked(db, &lot, lot.vials_unopened,
                                            VAX_WRITEOFF_COLD_CHAIN)) != VAX_OK)
            goto fail;
        written_off = lot.vials_unopened;
    }
    snprintf(details, sizeof details, " (%d unopened vials written off)", written_off);
    if ((rc = vax_auditf(db, "lot.hold_decide", "lot", lot_id, "%s %s: %s%s%s%s", lot.product,
                         lot.lot_no, use ? "use" : "discard", note && note[0] ? ": " : "",
                         note ? note : "", use ? "" : details)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}
