/* stock.c: vaccine stock: lots received, vials opened at stations, doses drawn, discards, wastage.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const discard_codes[] = {
#define VAX_DISCARD_CODE(name, code, words) code,
    VAX_DISCARD_LIST(VAX_DISCARD_CODE)
#undef VAX_DISCARD_CODE
};
static const char *const discard_words[] = {
#define VAX_DISCARD_WORDS(name, code, words) N_(words),
    VAX_DISCARD_LIST(VAX_DISCARD_WORDS)
#undef VAX_DISCARD_WORDS
};

const char *vax_discard_code(vax_discard r)
{
    return (unsigned)r < VAX_DISCARD_COUNT ? discard_codes[r] : "?";
}

const char *vax_discard_label(vax_discard r)
{
    return (unsigned)r < VAX_DISCARD_COUNT ? _(discard_words[r]) : "?";
}

int vax_discard_parse(const char *code, vax_discard *out)
{
    for (int i = 0; i < VAX_DISCARD_COUNT; i++) {
        if (code && strcmp(code, discard_codes[i]) == 0) {
            *out = (vax_discard)i;
            return VAX_OK;
        }
    }
    return VAX_EINVAL;
}

static void today_str(char out[11])
{
    vax_local_date(vax_now(), out);
}

/* The epoch seconds of local midnight starting `day` and the next day. */
static int day_bounds(const char *day, int64_t *from, int64_t *to)
{
    int64_t d;
    struct tm tm;
    if (vax_date_to_days(day, &d) != VAX_OK)
        return VAX_EINVAL;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(day) - 1900;
    tm.tm_mon = atoi(day + 5) - 1;
    tm.tm_mday = atoi(day + 8);
    tm.tm_isdst = -1;
    *from = (int64_t)mktime(&tm);
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(day) - 1900;
    tm.tm_mon = atoi(day + 5) - 1;
    tm.tm_mday = atoi(day + 8) + 1;
    tm.tm_isdst = -1;
    *to = (int64_t)mktime(&tm);
    return VAX_OK;
}

/* dd/mm/yyyy or yyyy-mm-dd into YYYY-MM-DD. */
static int parse_date(const char *in, char out[11])
{
    int y, m, d, n = 0;
    char iso[32];
    int64_t days;
    const char *s = in ? in : "";
    while (*s == ' ')
        s++;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10) {
    } else if (sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && n >= 8 && y >= 1000) {
    } else {
        return VAX_EINVAL;
    }
    for (s += n; *s == ' '; s++)
        ;
    if (*s || y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return VAX_EINVAL;
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    if (vax_date_to_days(iso, &days) != VAX_OK)
        return VAX_EINVAL;
    vax_strlcpy(out, iso, 11);
    return VAX_OK;
}

/* ---- lot numbers ------------------------------------------------------------------------- */

int vax_lot_normalise(const char *in, char out[VAX_LOT_NO_MAX + 1], char *msg, size_t msgsize)
{
    size_t n = 0;
    out[0] = 0;
    for (const char *p = in ? in : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '/' ||
              c == '.')) {
            snprintf(msg, msgsize, "%s",
                     _("Lot number: only letters, digits, - / and . as printed on the label."));
            return VAX_EINVAL;
        }
        if (n >= VAX_LOT_NO_MAX) {
            snprintf(msg, msgsize, _("Lot number: longer than %d characters."), VAX_LOT_NO_MAX);
            return VAX_EINVAL;
        }
        out[n++] = (char)c;
    }
    out[n] = 0;
    if (n == 0) {
        snprintf(msg, msgsize, "%s", _("Lot number: missing."));
        return VAX_EINVAL;
    }
    return VAX_OK;
}

/* ---- lots -------------------------------------------------------------------------------- */

/* What unopened vials hold plus what the lot's open vials still hold. */
#define LOT_ON_HAND                                                                                \
    "(l.vials_received - l.vials_opened) * l.doses_per_vial + coalesce((SELECT sum(x.doses -"      \
    " x.drawn) FROM vial x WHERE x.lot_id = l.id AND x.discarded_at IS NULL), 0)"

#define LOT_COLS                                                                                   \
    "l.id, l.uuid, l.product, l.lot_no, l.expiry, l.doses_per_vial, l.component,"                  \
    " l.vials_received, l.vials_opened, " LOT_ON_HAND ", l.supplier, l.received_at"

static void row_to_lot(sqlite3_stmt *st, vax_lot *l, const char *today)
{
    memset(l, 0, sizeof *l);
    l->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(l->uuid, vax_col_text(st, 1), sizeof l->uuid);
    vax_strlcpy(l->product, vax_col_text(st, 2), sizeof l->product);
    vax_strlcpy(l->lot_no, vax_col_text(st, 3), sizeof l->lot_no);
    vax_strlcpy(l->expiry, vax_col_text(st, 4), sizeof l->expiry);
    l->doses_per_vial = sqlite3_column_int(st, 5);
    l->component = sqlite3_column_int(st, 6);
    l->vials_received = sqlite3_column_int(st, 7);
    l->vials_opened = sqlite3_column_int(st, 8);
    l->doses_on_hand = sqlite3_column_int(st, 9);
    vax_strlcpy(l->supplier, vax_col_text(st, 10), sizeof l->supplier);
    l->received_at = sqlite3_column_int64(st, 11);
    l->expired = strcmp(l->expiry, today) < 0;
}

int vax_stock_lot_get(vax_db *db, int64_t lot_id, vax_lot *out)
{
    char today[11];
    sqlite3_stmt *st = vax_stmt(db, "SELECT " LOT_COLS " FROM lot l WHERE l.id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    today_str(today);
    sqlite3_bind_int64(st, 1, lot_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_lot(st, out, today);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "lot", _("Lot: no such lot."));
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the stock"));
}

int vax_stock_lots(vax_db *db, int usable_only, vax_lot *out, int max, int *n)
{
    char today[11];
    sqlite3_stmt *st = vax_stmt(db, "SELECT " LOT_COLS " FROM lot l"
                                    " WHERE ?1 = 0 OR (l.expiry >= ?2 AND " LOT_ON_HAND " > 0)"
                                    " ORDER BY l.expiry, l.product, l.lot_no");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    today_str(today);
    sqlite3_bind_int(st, 1, usable_only ? 1 : 0);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_TRANSIENT);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_lot(st, &out[(*n)++], today);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the stock"));
}

/* Checks a receipt; fills the normalised lot number, expiry and doses per vial and vial count. */
static int check_receipt(vax_db *db, const vax_lot_in *in, vax_product *p,
                         char lot_no[VAX_LOT_NO_MAX + 1], char expiry[11], int *dpv, int *vials,
                         char *supplier, size_t supsize)
{
    char msg[256], today[11];
    int rc;
    if (!in->product || !in->product[0])
        return vax_fail(db, VAX_EINVAL, "product", "%s", _("Product: missing."));
    if ((rc = vax_product_get(db, in->product, p)) != VAX_OK)
        return rc;
    if (!p->active)
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: %s is no longer in the catalogue in use."), p->code);
    if (vax_lot_normalise(in->lot_no, lot_no, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "lot_no", "%s", msg);
    if (parse_date(in->expiry, expiry) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "expiry",
                        _("Expiry: \"%.20s\" is not a date; write dd/mm/yyyy."),
                        in->expiry ? in->expiry : "");
    today_str(today);
    if (strcmp(expiry, today) < 0) {
        char shown[11];
        vax_date_dmy(expiry, shown);
        return vax_fail(db, VAX_EINVAL, "expiry",
                        _("Expiry: %s has passed; an expired lot cannot be received."), shown);
    }
    *dpv = in->doses_per_vial == VAX_DPV_CATALOGUE ? p->doses_per_vial : in->doses_per_vial;
    if (*dpv < 1 || *dpv > 50)
        return vax_fail(db, VAX_EINVAL, "doses_per_vial",
                        _("Doses per vial: %d is not possible; give 1 to 50 as on the label."),
                        *dpv);
    if ((in->vials > 0) == (in->doses > 0) || in->vials < 0 || in->doses < 0)
        return vax_fail(db, VAX_EINVAL, "vials", "%s",
                        _("Quantity: give the number of vials or of doses received."));
    if (in->doses > 0 && in->doses % *dpv != 0)
        return vax_fail(db, VAX_EINVAL, "doses",
                        _("Doses: %d is not a whole number of vials of %d doses."), in->doses,
                        *dpv);
    *vials = in->vials > 0 ? in->vials : in->doses / *dpv;
    if (*vials > 100000)
        return vax_fail(db, VAX_EINVAL, "vials",
                        _("Quantity: %d vials in one receipt is not believable."), *vials);
    if (p->components == 2 && in->component != 1 && in->component != 2)
        return vax_fail(db, VAX_EINVAL, "component",
                        _("Component: %s comes as component 1 and component 2; say which."),
                        p->name);
    if (p->components != 2 && in->component != 0)
        return vax_fail(db, VAX_EINVAL, "component", _("Component: %s has only one."), p->name);
    char *sup = vax_text_nfc(in->supplier ? in->supplier : "");
    if (!sup)
        return VAX_ENOMEM;
    vax_strlcpy(supplier, sup, supsize);
    free(sup);
    if (!supplier[0])
        return vax_fail(db, VAX_EINVAL, "supplier", "%s",
                        _("From: say who delivered the lot (e.g. the district centre)."));
    return VAX_OK;
}

int vax_stock_receive(vax_db *db, const vax_lot_in *in, int64_t *lot_id)
{
    vax_product p;
    char lot_no[VAX_LOT_NO_MAX + 1], expiry[11], supplier[128], uuid[37], details[256];
    int dpv = 0, vials = 0, rc;
    int64_t now = vax_now(), id = 0;
    sqlite3_stmt *st;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = check_receipt(db, in, &p, lot_no, expiry, &dpv, &vials, supplier, sizeof supplier)) !=
        VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    st = vax_stmt(db, "SELECT id, expiry, doses_per_vial, component FROM lot"
                      " WHERE product = ?1 AND lot_no = ?2");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, p.code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, lot_no, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        int same = strcmp(vax_col_text(st, 1), expiry) == 0 && sqlite3_column_int(st, 2) == dpv &&
                   sqlite3_column_int(st, 3) == in->component;
        char old_expiry[11];
        vax_date_dmy(vax_col_text(st, 1), old_expiry);
        sqlite3_reset(st);
        if (!same) {
            rc = vax_fail(db, VAX_EEXIST, "lot_no",
                          _("Lot number: %s of %s is already in stock with expiry %s and other "
                            "details; check the label."),
                          lot_no, p.code, old_expiry);
            goto fail;
        }
        st = vax_stmt(db, "UPDATE lot SET vials_received = vials_received + ?2, updated_at = ?3,"
                          " updated_by = ?4 WHERE id = ?1");
        if (!st) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, vials);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, vax_actor_id(db));
    } else {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            rc = vax_fail_sql(db, rc, _("reading the stock"));
            goto fail;
        }
        if ((rc = vax_uuid(uuid)) != VAX_OK)
            goto fail;
        st = vax_stmt(db, "INSERT INTO lot(uuid, product, lot_no, expiry, doses_per_vial,"
                          " component, vials_received, supplier, received_at, created_at,"
                          " updated_at, updated_by)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9, ?10)");
        if (!st) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, p.code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, lot_no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, expiry, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 5, dpv);
        sqlite3_bind_int(st, 6, in->component);
        sqlite3_bind_int(st, 7, vials);
        sqlite3_bind_text(st, 8, supplier, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 9, now);
        sqlite3_bind_int64(st, 10, vax_actor_id(db));
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("receiving a lot"));
        goto fail;
    }
    if (!id)
        id = sqlite3_last_insert_rowid(db->sql);
    snprintf(details, sizeof details, "%s %s exp %s: %d vials x %d doses from %.100s", p.code,
             lot_no, expiry, vials, dpv, supplier);
    if ((rc = vax_audit(db, "lot.receive", "lot", id, details)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (lot_id)
        *lot_id = id;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- vials ------------------------------------------------------------------------------- */

#define VIAL_COLS                                                                                  \
    "v.id, v.uuid, v.lot_id, l.product, l.lot_no, v.station, v.opened_at, v.opened_by,"            \
    " v.expires_at, v.doses, v.drawn, v.discarded_at, v.discard_reason, v.wasted"

static void row_to_vial(sqlite3_stmt *st, vax_vial *v, int64_t now)
{
    memset(v, 0, sizeof *v);
    v->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(v->uuid, vax_col_text(st, 1), sizeof v->uuid);
    v->lot_id = sqlite3_column_int64(st, 2);
    vax_strlcpy(v->product, vax_col_text(st, 3), sizeof v->product);
    vax_strlcpy(v->lot_no, vax_col_text(st, 4), sizeof v->lot_no);
    vax_strlcpy(v->station, vax_col_text(st, 5), sizeof v->station);
    v->opened_at = sqlite3_column_int64(st, 6);
    v->opened_by = sqlite3_column_int64(st, 7);
    v->expires_at = sqlite3_column_int64(st, 8);
    v->doses = sqlite3_column_int(st, 9);
    v->drawn = sqlite3_column_int(st, 10);
    v->discarded_at = sqlite3_column_int64(st, 11);
    vax_discard_parse(vax_col_text(st, 12), &v->reason);
    v->wasted = sqlite3_column_int(st, 13);
    v->remaining = v->discarded_at ? 0 : v->doses - v->drawn;
    int64_t left = v->expires_at - now;
    v->minutes_left = left > 0 ? (int)((left + 59) / 60) : (int)(left / 60);
}

int vax_stock_vial_get(vax_db *db, int64_t vial_id, vax_vial *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " VIAL_COLS " FROM vial v JOIN lot l ON l.id = v.lot_id"
                                    " WHERE v.id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, vial_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_vial(st, out, vax_now());
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "vial", "%s", _("Vial: no such vial."));
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the stock"));
}

int vax_stock_open_vials(vax_db *db, const char *station, vax_vial *out, int max, int *n)
{
    /* a room's own vials only: ?2 is the other spelling of a room 1 ("injection" and
     * "injection-1" are one room) */
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " VIAL_COLS " FROM vial v JOIN lot l ON l.id = v.lot_id"
                     " WHERE v.discarded_at IS NULL AND (?1 IS NULL OR v.station = ?1"
                     " OR v.station = ?2) ORDER BY v.expires_at, v.id");
    char alias[VAX_DESK_CODE_MAX];
    int rc = SQLITE_DONE;
    int64_t now = vax_now();
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    if (station) {
        vax_desk_alias(station, alias, sizeof alias);
        sqlite3_bind_text(st, 1, station, -1, SQLITE_TRANSIENT);
        if (alias[0])
            sqlite3_bind_text(st, 2, alias, -1, SQLITE_TRANSIENT);
    }
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_vial(st, &out[(*n)++], now);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the stock"));
}

int vax_stock_open_vial(vax_db *db, int64_t lot_id, const char *station, int64_t *vial_id)
{
    vax_lot lot;
    vax_product p;
    char uuid[37], details[160];
    int64_t now = vax_now(), id;
    int rc;
    sqlite3_stmt *st;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CALL_INJECT)) != VAX_OK)
        return rc;
    if (!station || !station[0] || strlen(station) >= 32)
        return vax_fail(db, VAX_EINVAL, "station", "%s",
                        _("Station: name the station the vial is opened at."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_stock_lot_get(db, lot_id, &lot)) != VAX_OK)
        goto fail;
    if (lot.expired) {
        char shown[11];
        vax_date_dmy(lot.expiry, shown);
        rc = vax_fail(db, VAX_ESTATE, "lot", _("Lot %s expired on %s: its vials cannot be opened."),
                      lot.lot_no, shown);
        goto fail;
    }
    if (lot.vials_opened >= lot.vials_received) {
        rc = vax_fail(db, VAX_ESTATE, "lot", _("Lot %s has no unopened vial left."), lot.lot_no);
        goto fail;
    }
    if ((rc = vax_product_get(db, lot.product, &p)) != VAX_OK)
        goto fail;
    /* guarded by the count, so two stations can never open more vials than were received */
    st = vax_stmt(db, "UPDATE lot SET vials_opened = vials_opened + 1, updated_at = ?2,"
                      " updated_by = ?3 WHERE id = ?1 AND vials_opened < vials_received");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, lot_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("opening a vial"));
        goto fail;
    }
    if (sqlite3_changes(db->sql) != 1) {
        rc = vax_fail(db, VAX_ESTATE, "lot", _("Lot %s has no unopened vial left."), lot.lot_no);
        goto fail;
    }
    if ((rc = vax_uuid(uuid)) != VAX_OK)
        goto fail;
    st = vax_stmt(db, "INSERT INTO vial(uuid, lot_id, station, opened_at, opened_by, expires_at,"
                      " doses, created_at, updated_at, updated_by)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?4, ?4, ?5)");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, lot_id);
    sqlite3_bind_text(st, 3, station, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, vax_actor_id(db));
    sqlite3_bind_int64(st, 6, now + (int64_t)p.open_vial_minutes * 60);
    sqlite3_bind_int(st, 7, lot.doses_per_vial);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("opening a vial"));
        goto fail;
    }
    id = sqlite3_last_insert_rowid(db->sql);
    snprintf(details, sizeof details, "%s %s at %.31s", lot.product, lot.lot_no, station);
    if ((rc = vax_audit(db, "vial.open", "vial", id, details)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (vial_id)
        *vial_id = id;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_stock_draw_locked(vax_db *db, int64_t vial_id, vax_vial *vial)
{
    char today[11];
    vax_lot lot;
    int64_t now = vax_now();
    int rc;
    if ((rc = vax_stock_vial_get(db, vial_id, vial)) != VAX_OK)
        return rc;
    if (vial->discarded_at)
        return vax_fail(db, VAX_ESTATE, "vial", _("Vial of lot %s was discarded."), vial->lot_no);
    if (now >= vial->expires_at)
        return vax_fail(db, VAX_ESTATE, "vial",
                        _("Vial of lot %s expired after opening: discard it and open another."),
                        vial->lot_no);
    if (vial->drawn >= vial->doses)
        return vax_fail(db, VAX_ESTATE, "vial", _("Vial of lot %s is empty: open another."),
                        vial->lot_no);
    if ((rc = vax_stock_lot_get(db, vial->lot_id, &lot)) != VAX_OK)
        return rc;
    today_str(today);
    if (strcmp(lot.expiry, today) < 0) {
        char shown[11];
        vax_date_dmy(lot.expiry, shown);
        return vax_fail(db, VAX_ESTATE, "vial", _("Lot %s expired on %s: discard the vial."),
                        lot.lot_no, shown);
    }
    /* the guard makes the count safe even if a caller forgot BEGIN IMMEDIATE */
    sqlite3_stmt *st = vax_stmt(db, "UPDATE vial SET drawn = drawn + 1, updated_at = ?2,"
                                    " updated_by = ?3 WHERE id = ?1 AND discarded_at IS NULL"
                                    " AND drawn < doses AND expires_at > ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, vial_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("drawing a dose"));
    if (sqlite3_changes(db->sql) != 1)
        return vax_fail(db, VAX_ESTATE, "vial", _("Vial of lot %s changed at another station."),
                        vial->lot_no);
    vial->drawn++;
    vial->remaining--;
    return VAX_OK;
}

/* Discards one open vial inside the caller's transaction. */
static int discard_locked(vax_db *db, const vax_vial *v, vax_discard reason)
{
    char details[160];
    int wasted = v->doses - v->drawn;
    sqlite3_stmt *st = vax_stmt(db, "UPDATE vial SET discarded_at = ?2, discarded_by = ?3,"
                                    " discard_reason = ?4, wasted = doses - drawn,"
                                    " updated_at = ?2, updated_by = ?3"
                                    " WHERE id = ?1 AND discarded_at IS NULL AND drawn = ?5");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, v->id);
    sqlite3_bind_int64(st, 2, vax_now());
    sqlite3_bind_int64(st, 3, vax_actor_id(db));
    sqlite3_bind_text(st, 4, vax_discard_code(reason), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, v->drawn);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("discarding a vial"));
    if (sqlite3_changes(db->sql) != 1)
        return vax_fail(db, VAX_ESTATE, "vial", _("Vial of lot %s changed at another station."),
                        v->lot_no);
    snprintf(details, sizeof details, "%s %s: %s, %d doses wasted", v->product, v->lot_no,
             vax_discard_code(reason), wasted);
    return vax_audit(db, "vial.discard", "vial", v->id, details);
}

int vax_stock_discard_vial(vax_db *db, int64_t vial_id, vax_discard reason, int *wasted)
{
    vax_vial v;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CALL_INJECT)) != VAX_OK)
        return rc;
    if ((unsigned)reason >= VAX_DISCARD_COUNT)
        return vax_fail(db, VAX_EINVAL, "reason", "%s",
                        _("Reason: expired, broken, contaminated, cold chain or end of day."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_stock_vial_get(db, vial_id, &v)) != VAX_OK)
        goto fail;
    if (v.discarded_at) {
        rc = vax_fail(db, VAX_ESTATE, "vial", _("Vial of lot %s was already discarded."), v.lot_no);
        goto fail;
    }
    if ((rc = discard_locked(db, &v, reason)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (wasted)
        *wasted = v.doses - v.drawn;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_stock_end_of_day(vax_db *db, int *vials, int *wasted)
{
    vax_vial *open = NULL;
    int n = 0, rc, total = 0;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CALL_INJECT)) != VAX_OK)
        return rc;
    if (!(open = calloc(1000, sizeof *open)))
        return VAX_ENOMEM;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = vax_stock_open_vials(db, NULL, open, 1000, &n)) != VAX_OK)
        goto fail;
    for (int i = 0; i < n; i++) {
        vax_discard why = open[i].minutes_left <= 0 ? VAX_DISCARD_EXPIRED : VAX_DISCARD_END_OF_DAY;
        if ((rc = discard_locked(db, &open[i], why)) != VAX_OK)
            goto fail;
        total += open[i].doses - open[i].drawn;
    }
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        goto out;
    if (vials)
        *vials = n;
    if (wasted)
        *wasted = total;
    goto out;
fail:
    vax_tx_rollback(db);
out:
    free(open);
    return rc;
}

/* ---- the day's figures ------------------------------------------------------------------- */

static int day_figures(vax_db *db, const char *product, const char *day, vax_stock_day *out)
{
    int64_t from, to, d;
    char soon[11];
    int rc;
    memset(out, 0, sizeof *out);
    vax_strlcpy(out->product, product, sizeof out->product);
    if (day_bounds(day, &from, &to) != VAX_OK || vax_date_to_days(day, &d) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "day", _("Day: \"%.20s\" is not a date (YYYY-MM-DD)."),
                        day);
    vax_days_to_date(d + 7, soon);
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT count(*), coalesce(sum(v.doses), 0), coalesce(sum(v.drawn), 0),"
            " coalesce(sum(v.wasted), 0),"
            " coalesce(sum(CASE WHEN v.discarded_at IS NULL THEN v.doses - v.drawn END), 0)"
            " FROM vial v JOIN lot l ON l.id = v.lot_id"
            " WHERE l.product = ?1 AND v.opened_at >= ?2 AND v.opened_at < ?3");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, product, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->vials_opened = sqlite3_column_int(st, 0);
        out->doses_opened = sqlite3_column_int(st, 1);
        out->doses_given = sqlite3_column_int(st, 2);
        out->doses_wasted = sqlite3_column_int(st, 3);
        out->doses_still_open = sqlite3_column_int(st, 4);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading the stock"));
    st = vax_stmt(db, "SELECT coalesce(sum(" LOT_ON_HAND "), 0),"
                      " coalesce(sum(CASE WHEN l.expiry <= ?3 THEN " LOT_ON_HAND " END), 0)"
                      " FROM lot l WHERE l.product = ?1 AND l.expiry >= ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, product, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, soon, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->doses_on_hand = sqlite3_column_int(st, 0);
        out->expiring_7d = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading the stock"));
    out->wastage_permille =
        out->doses_opened ? (int)((int64_t)out->doses_wasted * 1000 / out->doses_opened) : 0;
    return VAX_OK;
}

int vax_stock_wastage(vax_db *db, const char *product, const char *day, vax_stock_day *out)
{
    vax_product p;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_product_get(db, product, &p)) != VAX_OK)
        return rc;
    return day_figures(db, p.code, day, out);
}

int vax_stock_day_summary(vax_db *db, const char *day, vax_stock_day *out, int max, int *n)
{
    vax_product products[32];
    int np = 0, rc;
    *n = 0;
    vax_clear_error(db);
    if ((rc = vax_product_list(db, products, 32, &np)) != VAX_OK)
        return rc;
    for (int i = 0; i < np && *n < max; i++)
        if ((rc = day_figures(db, products[i].code, day, &out[(*n)++])) != VAX_OK)
            return rc;
    return VAX_OK;
}

/* ---- demo -------------------------------------------------------------------------------- */

int vax_stock_demo(vax_db *db)
{
    static const struct {
        const char *product, *lot;
        int days, vials, component;
    } lots[] = {
        {"AZ", "A1067", 75, 40, 0},         {"AZ", "NX4291", 5, 10, 0},
        {"PF", "FF2588", 28, 30, 0},        {"MO", "3002183", 45, 20, 0},
        {"SP", "202107B2159", 120, 200, 0},
    };
    char today[11], expiry[11];
    int64_t d, lot_id = 0, vial_id;
    int rc;
    today_str(today);
    if (vax_date_to_days(today, &d) != VAX_OK)
        return VAX_EINTERNAL;
    for (size_t i = 0; i < sizeof lots / sizeof lots[0]; i++) {
        vax_lot_in in = {
            lots[i].product,   lots[i].lot,        expiry, lots[i].vials, 0, VAX_DPV_CATALOGUE,
            lots[i].component, "CDC tỉnh Lai Châu"};
        int64_t id;
        vax_days_to_date(d + lots[i].days, expiry);
        if ((rc = vax_stock_receive(db, &in, &id)) != VAX_OK)
            return rc;
        if (i == 0)
            lot_id = id;
    }
    /* each of the demo's injection rooms has begun an AstraZeneca vial (the doses of make_queue:
     * a room gives doses only from its own vials) */
    if ((rc = vax_stock_open_vial(db, lot_id, "injection-1", &vial_id)) != VAX_OK)
        return rc;
    return vax_stock_open_vial(db, lot_id, "injection-2", &vial_id);
}
