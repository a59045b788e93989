/* stock.c: vaccine stock: lots received, vials opened at stations, doses drawn, discards, wastage,
 * and the ledger every movement writes (stock_move: see schema step 21), unopened vials written
 * off, transfers between sites, physical counts, a carton's scan, and what must be used fast.
 *
 * The ledger and the counters. A lot keeps counters (vials received, opened, removed unopened)
 * and each vial its doses drawn and wasted; those are what the guarded UPDATEs race on. Each
 * movement also appends one stock_move row in the same transaction, and the rows alone say what
 * the stock was at any moment. vax_stock_check holds one against the other. */
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

/* ---- the ledger ------------------------------------------------------------------------- */

/* One movement inside the caller's transaction: vials is the change of the lot's unopened vials,
 * doses the change of its doses on hand. */
typedef struct move {
    int64_t lot_id, vial_id;
    const char *kind;
    int vials, doses;
    const char *reason, *other_site;
    int expected, counted, has_count;
} move;

static int move_add(vax_db *db, const move *m, char uuid[37])
{
    char own[37];
    int rc;
    if (!uuid)
        uuid = own;
    if ((rc = vax_uuid_v7(uuid)) != VAX_OK)
        return rc;
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO stock_move(uuid, lot_id, vial_id, kind, vials,"
                                    " doses, reason, other_site, expected, counted, at, staff_id)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, m->lot_id);
    if (m->vial_id)
        sqlite3_bind_int64(st, 3, m->vial_id);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, m->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, m->vials);
    sqlite3_bind_int(st, 6, m->doses);
    sqlite3_bind_text(st, 7, m->reason ? m->reason : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, m->other_site ? m->other_site : "", -1, SQLITE_TRANSIENT);
    if (m->has_count) {
        sqlite3_bind_int(st, 9, m->expected);
        sqlite3_bind_int(st, 10, m->counted);
    } else {
        sqlite3_bind_null(st, 9);
        sqlite3_bind_null(st, 10);
    }
    sqlite3_bind_int64(st, 11, vax_now());
    vax_bind_actor(db, st, 12);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("writing the stock ledger"));
}

/* ---- lots -------------------------------------------------------------------------------- */

/* What unopened vials hold plus what the lot's open vials still hold. */
#define LOT_ON_HAND                                                                                \
    "(l.vials_received - l.vials_opened - l.vials_removed) * l.doses_per_vial + coalesce((SELECT " \
    "sum(x.doses -"                                                                                \
    " x.drawn) FROM vial x WHERE x.lot_id = l.id AND x.discarded_at IS NULL), 0)"

#define LOT_COLS                                                                                   \
    "l.id, l.uuid, l.product, l.lot_no, l.expiry, l.doses_per_vial, l.component,"                  \
    " l.vials_received, l.vials_opened, " LOT_ON_HAND ", l.supplier, l.received_at,"               \
    " l.vials_removed, EXISTS (SELECT 1 FROM lot_hold h WHERE h.lot_id = l.id"                     \
    " AND h.decided_at IS NULL)"

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
    l->vials_removed = sqlite3_column_int(st, 12);
    l->vials_unopened = l->vials_received - l->vials_opened - l->vials_removed;
    l->on_hold = sqlite3_column_int(st, 13);
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

/* A receipt, or vials taken in from another site (from_site; transfer_uuid: the transfer to
 * receive it settles, whose details fill in's), with its ledger row, in one transaction. */
static int receive_tx(vax_db *db, const vax_lot_in *given, const char *from_site,
                      const char *transfer_uuid, int64_t *lot_id)
{
    vax_lot_in in_copy = *given;
    const vax_lot_in *in = &in_copy;
    char t_product[16], t_lot[VAX_LOT_NO_MAX + 1], t_expiry[11], t_from[VAX_SITE_CODE_MAX];
    vax_product p;
    char lot_no[VAX_LOT_NO_MAX + 1], expiry[11], supplier[128], uuid[37], details[256];
    int dpv = 0, vials = 0, rc;
    int64_t now = vax_now(), id = 0;
    sqlite3_stmt *st;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if (transfer_uuid) {
        /* the transfer's own details: what the other site sent, not what was typed */
        sqlite3_stmt *t = vax_stmt(db, "SELECT product, lot_no, expiry, doses_per_vial, component,"
                                       " vials, from_site, received_at IS NOT NULL"
                                       " FROM stock_incoming WHERE uuid = ?1");
        if (!t) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_text(t, 1, transfer_uuid, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(t);
        if (rc == SQLITE_ROW) {
            vax_strlcpy(t_product, vax_col_text(t, 0), sizeof t_product);
            vax_strlcpy(t_lot, vax_col_text(t, 1), sizeof t_lot);
            vax_strlcpy(t_expiry, vax_col_text(t, 2), sizeof t_expiry);
            in_copy.doses_per_vial = sqlite3_column_int(t, 3);
            in_copy.component = sqlite3_column_int(t, 4);
            in_copy.vials = sqlite3_column_int(t, 5);
            in_copy.doses = 0;
            vax_strlcpy(t_from, vax_col_text(t, 6), sizeof t_from);
            in_copy.product = t_product;
            in_copy.lot_no = t_lot;
            in_copy.expiry = t_expiry;
            in_copy.supplier = t_from;
            from_site = t_from;
            int done = sqlite3_column_int(t, 7);
            sqlite3_reset(t);
            if (done) {
                rc = vax_fail(db, VAX_ESTATE, "transfer", "%s", _("Transfer: already received."));
                goto fail;
            }
        } else {
            sqlite3_reset(t);
            rc = rc == SQLITE_DONE ? vax_fail(db, VAX_ENOTFOUND, "transfer", "%s",
                                              _("Transfer: no such transfer to receive here."))
                                   : vax_fail_sql(db, rc, _("reading the stock"));
            goto fail;
        }
    } else if (from_site) {
        in_copy.supplier = from_site;
    }
    if ((rc = check_receipt(db, in, &p, lot_no, expiry, &dpv, &vials, supplier, sizeof supplier)) !=
        VAX_OK)
        goto fail;
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
    move m = {id,
              0,
              from_site ? "transfer_in" : "receive",
              vials,
              vials * dpv,
              supplier,
              from_site ? from_site : "",
              0,
              0,
              0};
    if ((rc = move_add(db, &m, NULL)) != VAX_OK)
        goto fail;
    if (transfer_uuid) {
        sqlite3_stmt *t = vax_stmt(db, "UPDATE stock_incoming SET received_at = ?2, lot_id = ?3"
                                       " WHERE uuid = ?1 AND received_at IS NULL");
        if (!t) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_text(t, 1, transfer_uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(t, 2, now);
        sqlite3_bind_int64(t, 3, id);
        rc = sqlite3_step(t);
        sqlite3_reset(t);
        if (rc != SQLITE_DONE) {
            rc = vax_fail_sql(db, rc, _("receiving a lot"));
            goto fail;
        }
    }
    snprintf(details, sizeof details, "%s %s exp %s: %d vials x %d doses from %.100s%s", p.code,
             lot_no, expiry, vials, dpv, supplier, from_site ? " (transfer)" : "");
    if ((rc = vax_audit(db, from_site ? "lot.transfer_in" : "lot.receive", "lot", id, details)) !=
        VAX_OK)
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

int vax_stock_receive(vax_db *db, const vax_lot_in *in, int64_t *lot_id)
{
    return receive_tx(db, in, NULL, NULL, lot_id);
}

int vax_stock_transfer_in(vax_db *db, const vax_lot_in *in, const char *from_site,
                          const char *transfer_uuid, int64_t *lot_id)
{
    vax_lot_in none = {NULL, NULL, NULL, 0, 0, VAX_DPV_CATALOGUE, 0, NULL};
    vax_clear_error(db);
    if (!transfer_uuid && (!from_site || !from_site[0] || strlen(from_site) >= VAX_SITE_CODE_MAX))
        return vax_fail(db, VAX_EINVAL, "from", "%s",
                        _("From: give the code of the site that sent the vials."));
    return receive_tx(db, in ? in : &none, transfer_uuid ? "" : from_site, transfer_uuid, lot_id);
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
    if (lot.on_hold) {
        /* the cold chain: a breach in its fridge; only a manager's decision lifts it */
        vax_lot_hold h;
        char hhmm[6], dmy[11], day[11], temp[16];
        memset(&h, 0, sizeof h);
        vax_lot_on_hold(db, lot_id, &h);
        vax_temp_format(h.tenths, temp, sizeof temp);
        vax_local_hhmm(h.since, hhmm);
        vax_local_date(h.since, day);
        vax_date_dmy(day, dmy);
        rc = vax_fail(db, VAX_ESTATE, "hold",
                      _("Lot %s: check before use. %s read %s °C at %s %s; a manager must "
                        "decide (use or discard) before a vial is opened."),
                      lot.lot_no, h.fridge, temp, hhmm, dmy);
        goto fail;
    }
    if (lot.vials_unopened <= 0) {
        rc = vax_fail(db, VAX_ESTATE, "lot", _("Lot %s has no unopened vial left."), lot.lot_no);
        goto fail;
    }
    if ((rc = vax_product_get(db, lot.product, &p)) != VAX_OK)
        goto fail;
    /* guarded by the count, so two stations can never open more vials than were received */
    st = vax_stmt(db, "UPDATE lot SET vials_opened = vials_opened + 1, updated_at = ?2,"
                      " updated_by = ?3 WHERE id = ?1"
                      " AND vials_opened + vials_removed < vials_received");
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
    move m = {lot_id, id, "open", -1, 0, NULL, NULL, 0, 0, 0};
    if ((rc = move_add(db, &m, NULL)) != VAX_OK)
        goto fail;
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
    move m = {vial->lot_id, vial_id, "draw", 0, -1, NULL, NULL, 0, 0, 0};
    if ((rc = move_add(db, &m, NULL)) != VAX_OK)
        return rc;
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
    move m = {v->lot_id, v->id, "waste", 0, -wasted, vax_discard_code(reason), NULL, 0, 0, 0};
    if ((rc = move_add(db, &m, NULL)) != VAX_OK)
        return rc;
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
    out->wastage_permille = vax_permille(out->doses_wasted, out->doses_opened);
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

/* ---- unopened vials leaving, counts, transfers ------------------------------------------- */

static const char *const writeoff_codes[] = {
#define VAX_WRITEOFF_CODE(name, code, words) code,
    VAX_WRITEOFF_LIST(VAX_WRITEOFF_CODE)
#undef VAX_WRITEOFF_CODE
};
static const char *const writeoff_words[] = {
#define VAX_WRITEOFF_WORDS(name, code, words) N_(words),
    VAX_WRITEOFF_LIST(VAX_WRITEOFF_WORDS)
#undef VAX_WRITEOFF_WORDS
};

const char *vax_writeoff_code(vax_writeoff r)
{
    return (unsigned)r < VAX_WRITEOFF_COUNT ? writeoff_codes[r] : "?";
}

const char *vax_writeoff_label(vax_writeoff r)
{
    return (unsigned)r < VAX_WRITEOFF_COUNT ? _(writeoff_words[r]) : "?";
}

int vax_writeoff_parse(const char *code, vax_writeoff *out)
{
    for (int i = 0; i < VAX_WRITEOFF_COUNT; i++) {
        if (code && strcmp(code, writeoff_codes[i]) == 0) {
            *out = (vax_writeoff)i;
            return VAX_OK;
        }
    }
    return VAX_EINVAL;
}

/* Moves the lot's unopened-vial counters by `removed` (vials that left unopened) and `added`
 * (vials found at a count), guarded so that the counters never disagree with a concurrent open. */
static int lot_counters(vax_db *db, const vax_lot *lot, int removed, int added)
{
    sqlite3_stmt *st = vax_stmt(db, "UPDATE lot SET vials_removed = vials_removed + ?2,"
                                    " vials_received = vials_received + ?3, updated_at = ?4,"
                                    " updated_by = ?5 WHERE id = ?1 AND vials_opened = ?6"
                                    " AND vials_removed = ?7 AND vials_received = ?8");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, lot->id);
    sqlite3_bind_int(st, 2, removed);
    sqlite3_bind_int(st, 3, added);
    sqlite3_bind_int64(st, 4, vax_now());
    sqlite3_bind_int64(st, 5, vax_actor_id(db));
    sqlite3_bind_int(st, 6, lot->vials_opened);
    sqlite3_bind_int(st, 7, lot->vials_removed);
    sqlite3_bind_int(st, 8, lot->vials_received);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("writing the stock ledger"));
    if (sqlite3_changes(db->sql) != 1)
        return vax_fail(db, VAX_ESTATE, "lot", _("Lot %s changed at another station; try again."),
                        lot->lot_no);
    return VAX_OK;
}

/* Reads the lot and checks that n unopened vials can leave it (inside the transaction). */
static int lot_for_out(vax_db *db, int64_t lot_id, int vials, vax_lot *lot)
{
    int rc = vax_stock_lot_get(db, lot_id, lot);
    if (rc != VAX_OK)
        return rc;
    if (vials < 1)
        return vax_fail(db, VAX_EINVAL, "vials", "%s",
                        _("Vials: give a number of vials, 1 or more."));
    if (vials > lot->vials_unopened)
        return vax_fail(db, VAX_ESTATE, "vials", _("Vials: lot %s has only %d unopened vials."),
                        lot->lot_no, lot->vials_unopened);
    return VAX_OK;
}

int vax_stock_writeoff_locked(vax_db *db, const vax_lot *lot, int vials, vax_writeoff reason)
{
    char details[160];
    int rc;
    if ((rc = lot_counters(db, lot, vials, 0)) != VAX_OK)
        return rc;
    move m = {lot->id, 0, "waste", -vials, -vials * lot->doses_per_vial, vax_writeoff_code(reason),
              NULL,    0, 0,       0};
    if ((rc = move_add(db, &m, NULL)) != VAX_OK)
        return rc;
    snprintf(details, sizeof details, "%s %s: %d unopened vials (%d doses) written off, %s",
             lot->product, lot->lot_no, vials, vials * lot->doses_per_vial,
             vax_writeoff_code(reason));
    return vax_audit(db, "lot.writeoff", "lot", lot->id, details);
}

int vax_stock_writeoff(vax_db *db, int64_t lot_id, int vials, vax_writeoff reason)
{
    vax_lot lot;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((unsigned)reason >= VAX_WRITEOFF_COUNT)
        return vax_fail(db, VAX_EINVAL, "reason", "%s",
                        _("Reason: expired, broken, contaminated or cold_chain."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = lot_for_out(db, lot_id, vials, &lot)) != VAX_OK ||
        (rc = vax_stock_writeoff_locked(db, &lot, vials, reason)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* A site code as the sites write it: letters, digits, - and _. */
static int site_code_ok(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 1 || n >= VAX_SITE_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

int vax_stock_transfer_out(vax_db *db, int64_t lot_id, int vials, const char *to_site)
{
    vax_lot lot;
    char details[200], own[VAX_SITE_CODE_MAX] = "";
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (!site_code_ok(to_site))
        return vax_fail(db, VAX_EINVAL, "to", "%s",
                        _("To: give the code of the site the vials go to."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    sqlite3_stmt *st = vax_stmt(db, "SELECT code FROM site ORDER BY id LIMIT 1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        vax_strlcpy(own, vax_col_text(st, 0), sizeof own);
    sqlite3_reset(st);
    if (!strcmp(own, to_site)) {
        rc = vax_fail(db, VAX_EINVAL, "to", _("To: %s is this site."), to_site);
        goto fail;
    }
    if ((rc = lot_for_out(db, lot_id, vials, &lot)) != VAX_OK)
        goto fail;
    if (lot.expired) {
        char shown[11];
        vax_date_dmy(lot.expiry, shown);
        rc = vax_fail(db, VAX_ESTATE, "lot", _("Lot %s expired on %s: it cannot be sent."),
                      lot.lot_no, shown);
        goto fail;
    }
    if (lot.on_hold) {
        rc = vax_fail(db, VAX_ESTATE, "lot",
                      _("Lot %s is on \"check before use\" after a cold-chain breach: a manager "
                        "decides first."),
                      lot.lot_no);
        goto fail;
    }
    if ((rc = lot_counters(db, &lot, vials, 0)) != VAX_OK)
        goto fail;
    move m = {lot_id, 0, "transfer_out", -vials, -vials * lot.doses_per_vial, NULL, to_site, 0,
              0,      0};
    if ((rc = move_add(db, &m, NULL)) != VAX_OK)
        goto fail;
    snprintf(details, sizeof details, "%s %s: %d vials (%d doses) to %.31s", lot.product,
             lot.lot_no, vials, vials * lot.doses_per_vial, to_site);
    if ((rc = vax_audit(db, "lot.transfer_out", "lot", lot_id, details)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_stock_count(vax_db *db, int64_t lot_id, int vials_counted, const char *reason,
                    int *difference)
{
    vax_lot lot;
    char details[300];
    int rc, diff;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (vials_counted < 0 || vials_counted > 100000)
        return vax_fail(db, VAX_EINVAL, "vials", "%s",
                        _("Counted: give the unopened vials found, 0 or more."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_stock_lot_get(db, lot_id, &lot)) != VAX_OK)
        goto fail;
    diff = vials_counted - lot.vials_unopened;
    if (diff != 0 && (!reason || !reason[0])) {
        rc = vax_fail(db, VAX_EINVAL, "reason",
                      _("Reason: the count differs by %+d vials from the %d expected; say why."),
                      diff, lot.vials_unopened);
        goto fail;
    }
    if (diff != 0 &&
        (rc = lot_counters(db, &lot, diff < 0 ? -diff : 0, diff > 0 ? diff : 0)) != VAX_OK)
        goto fail;
    move m = {lot_id,
              0,
              "count",
              diff,
              diff * lot.doses_per_vial,
              reason,
              NULL,
              lot.vials_unopened,
              vials_counted,
              1};
    if ((rc = move_add(db, &m, NULL)) != VAX_OK)
        goto fail;
    snprintf(details, sizeof details, "%s %s: counted %d unopened vials, expected %d (%+d)%s%.150s",
             lot.product, lot.lot_no, vials_counted, lot.vials_unopened, diff,
             reason && reason[0] ? ": " : "", reason ? reason : "");
    if ((rc = vax_audit(db, "lot.count", "lot", lot_id, details)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (difference)
        *difference = diff;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_stock_transfers_to_receive(vax_db *db, vax_transfer *out, int max, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT uuid, from_site, product, lot_no, expiry,"
                     " doses_per_vial, component, vials, sent_at"
                     " FROM stock_incoming WHERE received_at IS NULL ORDER BY sent_at");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_transfer *t = &out[(*n)++];
        memset(t, 0, sizeof *t);
        vax_strlcpy(t->uuid, vax_col_text(st, 0), sizeof t->uuid);
        vax_strlcpy(t->from_site, vax_col_text(st, 1), sizeof t->from_site);
        vax_strlcpy(t->product, vax_col_text(st, 2), sizeof t->product);
        vax_strlcpy(t->lot_no, vax_col_text(st, 3), sizeof t->lot_no);
        vax_strlcpy(t->expiry, vax_col_text(st, 4), sizeof t->expiry);
        t->doses_per_vial = sqlite3_column_int(st, 5);
        t->component = sqlite3_column_int(st, 6);
        t->vials = sqlite3_column_int(st, 7);
        t->sent_at = sqlite3_column_int64(st, 8);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the stock"));
}

int vax_stock_transfer_merge(vax_db *db, const char *body)
{
    /* only a transfer addressed to this site becomes one to receive; a repeat is a no-op */
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO stock_incoming(uuid, from_site, to_site, product, lot_no, expiry,"
            " doses_per_vial, component, vials, sent_at)"
            " SELECT json_extract(?1, '$.uuid'), json_extract(?1, '$.from_site'),"
            " json_extract(?1, '$.to_site'), json_extract(?1, '$.product'),"
            " json_extract(?1, '$.lot_no'), json_extract(?1, '$.expiry'),"
            " json_extract(?1, '$.doses_per_vial'), coalesce(json_extract(?1, '$.component'), 0),"
            " json_extract(?1, '$.vials'), json_extract(?1, '$.at')"
            " WHERE json_extract(?1, '$.to_site') ="
            " (SELECT code FROM site ORDER BY id LIMIT 1)"
            " ON CONFLICT(uuid) DO NOTHING");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, body, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging a transfer"));
}

/* ---- the ledger read back: balances, stock at a moment, the check ------------------------ */

#define BALANCE_COLS                                                                               \
    "l.id, l.product, l.lot_no, l.expiry, l.doses_per_vial,"                                       \
    " coalesce(sum(CASE m.kind WHEN 'receive' THEN m.doses END), 0),"                              \
    " coalesce(sum(CASE m.kind WHEN 'transfer_in' THEN m.doses END), 0),"                          \
    " coalesce(sum(CASE m.kind WHEN 'count' THEN m.doses END), 0),"                                \
    " -coalesce(sum(CASE m.kind WHEN 'draw' THEN m.doses END), 0),"                                \
    " -coalesce(sum(CASE m.kind WHEN 'waste' THEN m.doses END), 0),"                               \
    " -coalesce(sum(CASE m.kind WHEN 'transfer_out' THEN m.doses END), 0),"                        \
    " coalesce(sum(m.doses), 0), coalesce(sum(m.vials), 0),"                                       \
    " coalesce(sum(m.kind = 'open'), 0)"

static void row_to_balance(sqlite3_stmt *st, vax_lot_balance *b)
{
    memset(b, 0, sizeof *b);
    b->lot_id = sqlite3_column_int64(st, 0);
    vax_strlcpy(b->product, vax_col_text(st, 1), sizeof b->product);
    vax_strlcpy(b->lot_no, vax_col_text(st, 2), sizeof b->lot_no);
    vax_strlcpy(b->expiry, vax_col_text(st, 3), sizeof b->expiry);
    b->doses_per_vial = sqlite3_column_int(st, 4);
    b->received = sqlite3_column_int(st, 5);
    b->transferred_in = sqlite3_column_int(st, 6);
    b->counted = sqlite3_column_int(st, 7);
    b->given = sqlite3_column_int(st, 8);
    b->wasted = sqlite3_column_int(st, 9);
    b->transferred_out = sqlite3_column_int(st, 10);
    b->on_hand = sqlite3_column_int(st, 11);
    b->vials_unopened = sqlite3_column_int(st, 12);
    b->vials_opened = sqlite3_column_int(st, 13);
}

int vax_stock_balance(vax_db *db, int64_t lot_id, int64_t at, vax_lot_balance *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " BALANCE_COLS " FROM lot l LEFT JOIN stock_move m"
                                    " ON m.lot_id = l.id AND (?2 = 0 OR m.at <= ?2)"
                                    " WHERE l.id = ?1 GROUP BY l.id");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, lot_id);
    sqlite3_bind_int64(st, 2, at);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_balance(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "lot", "%s", _("Lot: no such lot."));
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the stock"));
}

int vax_stock_at(vax_db *db, int64_t at, vax_lot_balance *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " BALANCE_COLS " FROM lot l JOIN stock_move m"
                                    " ON m.lot_id = l.id AND (?1 = 0 OR m.at <= ?1)"
                                    " GROUP BY l.id ORDER BY l.expiry, l.product, l.lot_no");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, at);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_balance(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the stock"));
}

int vax_stock_check(vax_db *db, char **lines)
{
    /* each row is a problem: the lot (or vial), what the counters say, what the ledger says */
    static const char *const checks[] = {
        /* doses on hand and the balance: received + in + counted - given - wasted - out */
        "SELECT l.lot_no, " LOT_ON_HAND ", coalesce(sum(m.doses), 0),"
        " coalesce(sum(CASE WHEN m.kind IN ('receive', 'transfer_in', 'count') THEN m.doses"
        "  WHEN m.kind IN ('draw', 'waste', 'transfer_out') THEN m.doses END), 0)"
        " FROM lot l LEFT JOIN stock_move m ON m.lot_id = l.id GROUP BY l.id"
        " HAVING " LOT_ON_HAND " <> coalesce(sum(m.doses), 0) OR " LOT_ON_HAND " <>"
        " coalesce(sum(CASE WHEN m.kind IN ('receive', 'transfer_in', 'count') THEN m.doses"
        "  WHEN m.kind IN ('draw', 'waste', 'transfer_out') THEN m.doses END), 0)",
        /* unopened vials */
        "SELECT l.lot_no, l.vials_received - l.vials_opened - l.vials_removed,"
        " coalesce(sum(m.vials), 0), 0 FROM lot l LEFT JOIN stock_move m ON m.lot_id = l.id"
        " GROUP BY l.id HAVING l.vials_received - l.vials_opened - l.vials_removed <>"
        " coalesce(sum(m.vials), 0)",
        /* vials opened: the lot's counter, the vial rows and the ledger's rows */
        "SELECT l.lot_no, l.vials_opened, (SELECT count(*) FROM stock_move m WHERE m.lot_id = l.id"
        " AND m.kind = 'open'), (SELECT count(*) FROM vial v WHERE v.lot_id = l.id) FROM lot l"
        " WHERE l.vials_opened <> (SELECT count(*) FROM stock_move m WHERE m.lot_id = l.id"
        " AND m.kind = 'open') OR l.vials_opened <> (SELECT count(*) FROM vial v"
        " WHERE v.lot_id = l.id)",
        /* each vial's doses drawn and wasted */
        "SELECT l.lot_no, v.drawn + v.wasted, -coalesce((SELECT sum(m.doses) FROM stock_move m"
        " WHERE m.vial_id = v.id AND m.kind IN ('draw', 'waste')), 0), v.id"
        " FROM vial v JOIN lot l ON l.id = v.lot_id WHERE v.drawn <> -coalesce((SELECT"
        " sum(m.doses) FROM stock_move m WHERE m.vial_id = v.id AND m.kind = 'draw'), 0)"
        " OR v.wasted <> -coalesce((SELECT sum(m.doses) FROM stock_move m WHERE m.vial_id = v.id"
        " AND m.kind = 'waste'), 0)",
    };
    vax_buf buf;
    vax_buf_init(&buf);
    int problems = 0;
    *lines = NULL;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        sqlite3_stmt *st = vax_stmt(db, checks[i]);
        int rc;
        if (!st) {
            vax_buf_free(&buf);
            return VAX_EINTERNAL;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            char line[256];
            const char *lot = vax_col_text(st, 0);
            long long x = sqlite3_column_int64(st, 1), y = sqlite3_column_int64(st, 2),
                      z = sqlite3_column_int64(st, 3);
            if (i == 0)
                snprintf(line, sizeof line,
                         _("stock ledger: lot %s holds %lld doses, its ledger %lld (balance %lld)"),
                         lot, x, y, z);
            else if (i == 1)
                snprintf(line, sizeof line,
                         _("stock ledger: lot %s has %lld unopened vials, its ledger %lld"), lot, x,
                         y);
            else if (i == 2)
                snprintf(line, sizeof line,
                         _("stock ledger: lot %s opened %lld vials, its ledger %lld, vial rows "
                           "%lld"),
                         lot, x, y, z);
            else
                snprintf(line, sizeof line,
                         _("stock ledger: lot %s: vial %lld drew and wasted %lld doses, its ledger "
                           "%lld"),
                         lot, z, x, y);
            vax_buf_printf(&buf, "%s\n", line);
            problems++;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            vax_buf_free(&buf);
            return vax_fail_sql(db, rc, _("checking the stock ledger"));
        }
    }
    if (buf.failed) {
        vax_buf_free(&buf);
        return VAX_ENOMEM;
    }
    *lines = buf.len ? vax_buf_take(&buf, NULL) : NULL;
    return problems;
}

/* ---- a carton's scan ---------------------------------------------------------------------- */

int vax_stock_scan(vax_db *db, const char *text, vax_scan *out)
{
    char msg[256], today[11];
    int rc;
    memset(out, 0, sizeof *out);
    vax_clear_error(db);
    today_str(today);
    if (vax_gs1_parse(text, atoi(today), &out->gs1, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "scan", "%s", msg);
    sqlite3_stmt *st = vax_stmt(db, "SELECT g.product FROM product_gtin g JOIN product p"
                                    " ON p.code = g.product WHERE g.gtin = ?1 AND p.active = 1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, out->gs1.gtin, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        vax_strlcpy(out->product, vax_col_text(st, 0), sizeof out->product);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "gtin",
                        _("Scan: GTIN %s is not in the catalogue; add it to the product's gtin "
                          "(product load) or type the product."),
                        out->gs1.gtin);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading the stock"));
    if (out->gs1.expiry[0] && strcmp(out->gs1.expiry, today) < 0) {
        char shown[11];
        vax_date_dmy(out->gs1.expiry, shown);
        return vax_fail(db, VAX_ESTATE, "expiry",
                        _("Scan: lot %s of %s expired on %s; it cannot be used."), out->gs1.lot,
                        out->product, shown);
    }
    if (out->gs1.lot[0] && vax_lot_normalise(out->gs1.lot, out->lot_no, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "scan", "%s", msg);
    return VAX_OK;
}

int vax_stock_scan_lot(vax_db *db, const char *text, int64_t *lot_id)
{
    vax_scan sc;
    int rc = vax_stock_scan(db, text, &sc);
    if (rc != VAX_OK)
        return rc;
    if (!sc.lot_no[0])
        return vax_fail(db, VAX_EINVAL, "scan", "%s", _("Scan: the code holds no lot (10)."));
    sqlite3_stmt *st = vax_stmt(db, "SELECT id FROM lot WHERE product = ?1 AND lot_no = ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, sc.product, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, sc.lot_no, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *lot_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "lot", _("Scan: lot %s of %s was never received here."),
                        sc.lot_no, sc.product);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the stock"));
}

/* ---- vaccine to be used fast -------------------------------------------------------------- */

int vax_stock_use_fast(vax_db *db, int pace_days, vax_use_fast *out, int max, int *n)
{
    char today[11], prev_product[16] = "";
    int64_t today_d, now = vax_now();
    int rc = SQLITE_DONE;
    int64_t used_before = 0, pace_doses = 0; /* of the current product */
    *n = 0;
    vax_clear_error(db);
    if (pace_days <= 0)
        pace_days = 7;
    today_str(today);
    if (vax_date_to_days(today, &today_d) != VAX_OK)
        return VAX_EINTERNAL;
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT l.id, l.product, l.lot_no, l.expiry, " LOT_ON_HAND ","
            " (SELECT -coalesce(sum(m.doses), 0) FROM stock_move m JOIN lot k ON k.id = m.lot_id"
            "  WHERE k.product = l.product AND m.kind = 'draw' AND m.at > ?2)"
            " FROM lot l WHERE l.expiry >= ?1 AND " LOT_ON_HAND " > 0"
            " ORDER BY l.product, l.expiry, l.id");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, today, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now - (int64_t)pace_days * 86400);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_use_fast *u = &out[(*n)++];
        int64_t exp_d = today_d;
        memset(u, 0, sizeof *u);
        u->lot_id = sqlite3_column_int64(st, 0);
        vax_strlcpy(u->product, vax_col_text(st, 1), sizeof u->product);
        vax_strlcpy(u->lot_no, vax_col_text(st, 2), sizeof u->lot_no);
        vax_strlcpy(u->expiry, vax_col_text(st, 3), sizeof u->expiry);
        u->doses_on_hand = sqlite3_column_int(st, 4);
        if (strcmp(prev_product, u->product) != 0) {
            vax_strlcpy(prev_product, u->product, sizeof prev_product);
            used_before = 0;
            pace_doses = sqlite3_column_int64(st, 5);
        }
        vax_date_to_days(u->expiry, &exp_d);
        u->days_left = (int)(exp_d - today_d + 1);
        u->needed_per_day = (u->doses_on_hand + u->days_left - 1) / u->days_left;
        u->pace_tenths = (int)(pace_doses * 10 / pace_days);
        /* at the pace, the product's doses used by this lot's last day; the lots expiring
         * earlier are used first, so what they took does not come from this one */
        int64_t can_use = pace_doses * u->days_left / pace_days;
        int64_t through = used_before + u->doses_on_hand;
        if (through > can_use)
            through = can_use > used_before ? can_use : used_before;
        u->doses_at_risk = (int)(used_before + u->doses_on_hand - through);
        u->at_risk = u->doses_at_risk > 0;
        used_before = through;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the stock"));
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
