/* slot.c: site days, time slots with capacity, appointments, bulk scheduling and the call list. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- codes and words ----------------------------------------------------------------------- */

static const char *const risk_codes[] = {
#define VAX_RISK_CODE(name, code, words) code,
    VAX_RISK_LIST(VAX_RISK_CODE)
#undef VAX_RISK_CODE
};
static const char *const risk_words[] = {
#define VAX_RISK_WORDS(name, code, words) N_(words),
    VAX_RISK_LIST(VAX_RISK_WORDS)
#undef VAX_RISK_WORDS
};
const char *vax_risk_code(vax_risk r)
{
    return (unsigned)r < VAX_RISK_COUNT ? risk_codes[r] : "?";
}

const char *vax_risk_label(vax_risk r)
{
    return (unsigned)r < VAX_RISK_COUNT ? _(risk_words[r]) : "?";
}

int vax_risk_parse(const char *code, vax_risk *out)
{
    for (int i = 0; i < VAX_RISK_COUNT; i++)
        if (code && strcmp(code, risk_codes[i]) == 0) {
            *out = (vax_risk)i;
            return VAX_OK;
        }
    return VAX_EINVAL;
}

int vax_risk_cap(vax_db *db, vax_risk r, int *cap)
{
    char key[64];
    int64_t v;
    if ((unsigned)r >= VAX_RISK_COUNT)
        return VAX_EINVAL;
    snprintf(key, sizeof key, "slot.cap.%s", risk_codes[r]);
    v = vax_setting_int(db, key);
    *cap = (int)v;
    return VAX_OK;
}

static const char *const appt_codes[] = {
#define VAX_APPT_CODE(name, code, words) code,
    VAX_APPT_STATE_LIST(VAX_APPT_CODE)
#undef VAX_APPT_CODE
};
static const char *const appt_words[] = {
#define VAX_APPT_WORDS(name, code, words) N_(words),
    VAX_APPT_STATE_LIST(VAX_APPT_WORDS)
#undef VAX_APPT_WORDS
};

const char *vax_appt_state_code(vax_appt_state s)
{
    return (unsigned)s < VAX_APPT_STATE_COUNT ? appt_codes[s] : "?";
}

const char *vax_appt_state_label(vax_appt_state s)
{
    return (unsigned)s < VAX_APPT_STATE_COUNT ? _(appt_words[s]) : "?";
}

static vax_appt_state appt_state_parse(const char *s)
{
    for (int i = 0; i < VAX_APPT_STATE_COUNT; i++)
        if (strcmp(s, appt_codes[i]) == 0)
            return (vax_appt_state)i;
    return VAX_APPT_CANCELLED;
}

/* ---- small helpers ------------------------------------------------------------------------- */

/* "HH:MM" -> minutes after midnight, or -1. */
static int parse_hhmm(const char *s)
{
    int h, m, n = 0;
    if (!s || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] || h < 0 || h > 24 || m < 0 ||
        m > 59 || (h == 24 && m))
        return -1;
    return h * 60 + m;
}

/* Local day + minutes after midnight -> epoch seconds. */
static int local_time(const char *day, int minutes, int64_t *out)
{
    char iso[40];
    char d[11];
    if (minutes >= 24 * 60) { /* 24:00 is the next day's midnight */
        if (vax_date_add(day, 1, d) != VAX_OK)
            return VAX_EINVAL;
        minutes -= 24 * 60;
    } else {
        vax_strlcpy(d, day, sizeof d);
    }
    snprintf(iso, sizeof iso, "%sT%02d:%02d", d, minutes / 60, minutes % 60);
    return vax_parse_time(iso, out);
}

static void slot_span(int64_t a, int64_t b, char out[12])
{
    char x[6], y[6], tmp[16];
    vax_local_hhmm(a, x);
    vax_local_hhmm(b, y);
    snprintf(tmp, sizeof tmp, "%s-%s", x, y);
    vax_strlcpy(out, tmp, 12);
}

static int check_day(vax_db *db, const char *day, int allow_past)
{
    char today[11];
    int diff;
    if (vax_date_diff(day ? day : "", "2000-01-01", &diff) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "day", _("Day: \"%s\" is not a date (YYYY-MM-DD)."),
                        day ? day : "");
    vax_local_date(vax_now(), today);
    if (!allow_past && strcmp(day, today) < 0) {
        char d[11];
        vax_date_dmy(day, d);
        return vax_fail(db, VAX_EINVAL, "day", _("Day: %s is in the past."), d);
    }
    return VAX_OK;
}

static int step_done(vax_db *db, sqlite3_stmt *st, const char *doing);

static int step_done(vax_db *db, sqlite3_stmt *st, const char *doing)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, doing);
}

/* Product codes: each must be in the catalogue. */
static int check_products(vax_db *db, const char *list)
{
    char buf[128], *save = NULL;
    vax_product p;
    vax_strlcpy(buf, list ? list : "", sizeof buf);
    for (char *t = strtok_r(buf, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
        if (vax_product_get(db, t, &p) != VAX_OK || !p.active)
            return vax_fail(db, VAX_EINVAL, "products",
                            _("Products: %s is not in the vaccine catalogue."), t);
    return VAX_OK;
}

static int offers(const char *list, const char *product)
{
    size_t n = strlen(product);
    if (!list[0] || !n)
        return 1;
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t w = strcspn(p, " ,");
        if (w == n && strncmp(p, product, n) == 0)
            return 1;
        p += w;
    }
    return 0;
}

/* ---- site days ----------------------------------------------------------------------------- */

#define DAY_COLS                                                                                   \
    "d.id, d.day, d.opens, d.closes, d.slot_minutes, d.capacity, d.risk, d.products, d.closed_at," \
    " (SELECT count(*) FROM slot s WHERE s.day_id = d.id AND s.open = 1)"

static void row_to_day(vax_db *db, sqlite3_stmt *st, vax_site_day *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(d->day, vax_col_text(st, 1), sizeof d->day);
    vax_strlcpy(d->opens, vax_col_text(st, 2), sizeof d->opens);
    vax_strlcpy(d->closes, vax_col_text(st, 3), sizeof d->closes);
    d->slot_minutes = sqlite3_column_int(st, 4);
    d->capacity = sqlite3_column_int(st, 5);
    vax_risk_parse(vax_col_text(st, 6), &d->risk);
    vax_strlcpy(d->products, vax_col_text(st, 7), sizeof d->products);
    d->closed_at = sqlite3_column_int64(st, 8);
    d->slots = sqlite3_column_int(st, 9);
    (void)db;
}

int vax_day_get(vax_db *db, const char *day, vax_site_day *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " DAY_COLS " FROM site_day d WHERE d.day = ?1"
                                    " ORDER BY d.site_id LIMIT 1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, day ? day : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_day(db, st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) {
        int cap = 0;
        vax_risk_cap(db, out->risk, &cap);
        out->cap = out->capacity < cap ? out->capacity : cap;
        return VAX_OK;
    }
    if (rc == SQLITE_DONE) {
        char d[11];
        vax_date_dmy(day ? day : "0000-00-00", d);
        return vax_fail(db, VAX_ENOTFOUND, "day", _("Day: %s is not planned yet."), d);
    }
    return vax_fail_sql(db, rc, _("reading the plan"));
}

int vax_day_list(vax_db *db, const char *from, const char *to, vax_site_day *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " DAY_COLS " FROM site_day d WHERE d.day BETWEEN ?1"
                                    " AND ?2 ORDER BY d.day");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_day(db, st, &out[(*n)++]);
    sqlite3_reset(st);
    for (int i = 0; i < *n; i++) {
        int cap = 0;
        vax_risk_cap(db, out[i].risk, &cap);
        out[i].cap = out[i].capacity < cap ? out[i].capacity : cap;
    }
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the plan"));
}

static int insert_day(vax_db *db, const vax_site_day *d, int64_t site, int64_t *id)
{
    char uuid[37];
    int64_t now = vax_now();
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO site_day(uuid, site_id, day, opens, closes,"
                                    " slot_minutes, capacity, risk, products, created_at,"
                                    " updated_at, updated_by)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)");
    int rc;
    if (!st || vax_uuid(uuid) != VAX_OK)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, site);
    sqlite3_bind_text(st, 3, d->day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, d->opens, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, d->closes, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 6, d->slot_minutes);
    sqlite3_bind_int(st, 7, d->capacity);
    sqlite3_bind_text(st, 8, vax_risk_code(d->risk), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, d->products, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 10, now);
    sqlite3_bind_int64(st, 11, vax_actor_id(db));
    if ((rc = step_done(db, st, _("saving the plan of a day"))) != VAX_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(db->sql);
    return VAX_OK;
}

static int insert_slot(vax_db *db, int64_t day_id, const char *day, int64_t a, int64_t b, int cap,
                       int64_t *id)
{
    char uuid[37];
    int64_t now = vax_now();
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO slot(uuid, day_id, day, starts_at, ends_at,"
                                    " capacity, created_at, updated_at, updated_by)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)");
    int rc;
    if (!st || vax_uuid(uuid) != VAX_OK)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, day_id);
    sqlite3_bind_text(st, 3, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, a);
    sqlite3_bind_int64(st, 5, b);
    sqlite3_bind_int(st, 6, cap);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_int64(st, 8, vax_actor_id(db));
    if ((rc = step_done(db, st, _("saving a slot"))) != VAX_OK)
        return rc;
    if (id)
        *id = sqlite3_last_insert_rowid(db->sql);
    return VAX_OK;
}

/* Checks a plan's fields (nothing written); fills d->cap and d->slots. */
static int check_plan(vax_db *db, vax_site_day *d)
{
    int rc, opens, closes, cap;
    vax_site_day old;
    if ((rc = check_day(db, d->day, 0)) != VAX_OK)
        return rc;
    opens = parse_hhmm(d->opens);
    closes = parse_hhmm(d->closes);
    if (opens < 0)
        return vax_fail(db, VAX_EINVAL, "opens", _("Opens: \"%s\" is not a time (HH:MM)."),
                        d->opens);
    if (closes < 0)
        return vax_fail(db, VAX_EINVAL, "closes", _("Closes: \"%s\" is not a time (HH:MM)."),
                        d->closes);
    if (closes <= opens)
        return vax_fail(db, VAX_EINVAL, "closes", _("Closes: %s is not after the opening time %s."),
                        d->closes, d->opens);
    if (d->slot_minutes < 5 || d->slot_minutes > 480)
        return vax_fail(db, VAX_EINVAL, "slot_minutes",
                        _("Slot length: %d minutes; give 5 to 480 minutes."), d->slot_minutes);
    if (d->slot_minutes > closes - opens)
        return vax_fail(db, VAX_EINVAL, "slot_minutes",
                        _("Slot length: %d minutes is longer than the opening hours."),
                        d->slot_minutes);
    if (d->capacity <= 0 || d->capacity > 10000)
        return vax_fail(db, VAX_EINVAL, "capacity",
                        _("Capacity: %d people per slot; give at least 1."), d->capacity);
    if ((unsigned)d->risk >= VAX_RISK_COUNT)
        return vax_fail(db, VAX_EINVAL, "risk", _("Risk level: low, medium, high or very_high."));
    if ((rc = check_products(db, d->products)) != VAX_OK)
        return rc;
    if (vax_day_get(db, d->day, &old) == VAX_OK) {
        char x[11];
        vax_date_dmy(d->day, x);
        return vax_fail(db, VAX_EEXIST, "day",
                        _("Day: %s is already planned (%s-%s); add or close slots instead."), x,
                        old.opens, old.closes);
    }
    vax_clear_error(db);
    vax_risk_cap(db, d->risk, &cap);
    d->cap = d->capacity < cap ? d->capacity : cap;
    d->slots = (closes - opens) / d->slot_minutes;
    return VAX_OK;
}

int vax_day_plan(vax_db *db, vax_site_day *d)
{
    int rc, opens;
    int64_t site = 0, day_id = 0;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = check_plan(db, d)) != VAX_OK)
        goto fail;
    if ((rc = vax_site_ensure_locked(db, &site)) != VAX_OK ||
        (rc = insert_day(db, d, site, &day_id)) != VAX_OK)
        goto fail;
    opens = parse_hhmm(d->opens);
    for (int i = 0; i < d->slots; i++) {
        int64_t a, b;
        if (local_time(d->day, opens + i * d->slot_minutes, &a) != VAX_OK ||
            local_time(d->day, opens + (i + 1) * d->slot_minutes, &b) != VAX_OK) {
            rc = vax_fail(db, VAX_EINVAL, "day", _("Day: the times of this day cannot be made."));
            goto fail;
        }
        if ((rc = insert_slot(db, day_id, d->day, a, b, d->cap, NULL)) != VAX_OK)
            goto fail;
    }
    char details[200];
    snprintf(details, sizeof details, "%s %s-%s %dmin cap %d risk %s", d->day, d->opens, d->closes,
             d->slot_minutes, d->cap, vax_risk_code(d->risk));
    if ((rc = vax_audit(db, "day.plan", "site_day", day_id, details)) != VAX_OK)
        goto fail;
    d->id = day_id;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_day_copy(vax_db *db, const char *from_day, const char *to_day)
{
    vax_site_day d;
    int rc, n = 0;
    int64_t site = 0, day_id = 0;
    vax_slot *slots = NULL;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_day_get(db, from_day, &d)) != VAX_OK)
        return rc;
    if (!(slots = calloc(512, sizeof *slots)))
        return VAX_ENOMEM;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    vax_strlcpy(d.day, to_day ? to_day : "", sizeof d.day);
    if ((rc = check_plan(db, &d)) != VAX_OK)
        goto fail;
    if ((rc = vax_slot_list(db, from_day, slots, 512, &n)) != VAX_OK)
        goto fail;
    if ((rc = vax_site_ensure_locked(db, &site)) != VAX_OK ||
        (rc = insert_day(db, &d, site, &day_id)) != VAX_OK)
        goto fail;
    for (int i = 0; i < n; i++) {
        char a[6], b[6];
        int64_t sa, sb;
        if (!slots[i].open)
            continue;
        vax_local_hhmm(slots[i].starts_at, a);
        vax_local_hhmm(slots[i].ends_at, b);
        int ma = parse_hhmm(a), mb = parse_hhmm(b);
        if (mb <= ma)
            mb += 24 * 60;
        if (local_time(to_day, ma, &sa) != VAX_OK || local_time(to_day, mb, &sb) != VAX_OK) {
            rc = vax_fail(db, VAX_EINVAL, "day", _("Day: the times of this day cannot be made."));
            goto fail;
        }
        if ((rc = insert_slot(db, day_id, to_day, sa, sb, slots[i].capacity, NULL)) != VAX_OK)
            goto fail;
    }
    if ((rc = vax_audit(db, "day.copy", "site_day", day_id, from_day)) != VAX_OK)
        goto fail;
    rc = vax_tx_commit(db);
    goto out;
fail:
    vax_tx_rollback(db);
out:
    free(slots);
    return rc;
}

int vax_day_close(vax_db *db, const char *day, int *no_shows)
{
    vax_site_day d;
    int rc;
    sqlite3_stmt *st;
    vax_clear_error(db);
    if (no_shows)
        *no_shows = 0;
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_day_get(db, day, &d)) != VAX_OK)
        goto fail;
    if (d.closed_at) {
        rc = vax_fail(db, VAX_ESTATE, "day", _("Day: this day is already closed."));
        goto fail;
    }
    st = vax_stmt(db, "UPDATE appointment SET state = 'no_show', note = 'absent at day close',"
                      " updated_at = ?2, updated_by = ?3 WHERE day = ?1 AND state = 'booked'");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, vax_now());
    sqlite3_bind_int64(st, 3, vax_actor_id(db));
    if ((rc = step_done(db, st, _("closing the day"))) != VAX_OK)
        goto fail;
    int n = sqlite3_changes(db->sql);
    st = vax_stmt(db, "UPDATE site_day SET closed_at = ?2, updated_at = ?2, updated_by = ?3"
                      " WHERE id = ?1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, d.id);
    sqlite3_bind_int64(st, 2, vax_now());
    sqlite3_bind_int64(st, 3, vax_actor_id(db));
    if ((rc = step_done(db, st, _("closing the day"))) != VAX_OK)
        goto fail;
    char details[64];
    snprintf(details, sizeof details, "%d no-show", n);
    if ((rc = vax_audit(db, "day.close", "site_day", d.id, details)) != VAX_OK)
        goto fail;
    if (no_shows)
        *no_shows = n;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- slots --------------------------------------------------------------------------------- */

/* Live bookings plus walk-ins checked in during the slot (a check-in undone does not count). */
#define SLOT_FILL(s)                                                                               \
    "(SELECT count(*) FROM appointment a WHERE a.slot_id = " s ".id AND a.state IN"                \
    " ('booked','checked_in'))"                                                                    \
    " + (SELECT count(*) FROM visit v WHERE v.slot_id = " s ".id AND v.appointment_id IS NULL"     \
    " AND v.state <> 'cancelled')"

#define SLOT_COLS                                                                                  \
    "s.id, s.day, s.starts_at, s.ends_at, s.capacity, s.open,"                                     \
    " (SELECT count(*) FROM appointment a WHERE a.slot_id = s.id AND a.state IN"                   \
    " ('booked','checked_in')),"                                                                   \
    " (SELECT count(*) FROM visit v WHERE v.slot_id = s.id AND v.appointment_id IS NULL"           \
    " AND v.state <> 'cancelled'),"                                                                \
    " (SELECT count(*) FROM appointment a WHERE a.slot_id = s.id AND a.state = 'checked_in')"

static void row_to_slot(sqlite3_stmt *st, vax_slot *s)
{
    memset(s, 0, sizeof *s);
    s->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(s->day, vax_col_text(st, 1), sizeof s->day);
    s->starts_at = sqlite3_column_int64(st, 2);
    s->ends_at = sqlite3_column_int64(st, 3);
    s->capacity = sqlite3_column_int(st, 4);
    s->open = sqlite3_column_int(st, 5);
    s->booked = sqlite3_column_int(st, 6);
    s->walk_ins = sqlite3_column_int(st, 7);
    s->checked_in = sqlite3_column_int(st, 8);
}

int vax_slot_get(vax_db *db, int64_t slot_id, vax_slot *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " SLOT_COLS " FROM slot s WHERE s.id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, slot_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_slot(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "slot", _("Slot: no such slot."));
    return vax_fail_sql(db, rc, _("reading the slots"));
}

int vax_slot_list(vax_db *db, const char *day, vax_slot *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " SLOT_COLS
                                    " FROM slot s WHERE s.day = ?1 ORDER BY s.starts_at, s.id");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_slot(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the slots"));
}

int vax_slot_add(vax_db *db, const char *day, const char *start, const char *end, int capacity,
                 int64_t *out_id)
{
    vax_site_day d;
    int rc, a, b, cap;
    int64_t sa, sb;
    sqlite3_stmt *st;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = check_day(db, day, 0)) != VAX_OK)
        return rc;
    a = parse_hhmm(start);
    b = parse_hhmm(end);
    if (a < 0)
        return vax_fail(db, VAX_EINVAL, "start", _("Start: \"%s\" is not a time (HH:MM)."),
                        start ? start : "");
    if (b < 0)
        return vax_fail(db, VAX_EINVAL, "end", _("End: \"%s\" is not a time (HH:MM)."),
                        end ? end : "");
    if (b <= a)
        return vax_fail(db, VAX_EINVAL, "end", _("End: %s is not after the start %s."), end, start);
    if (capacity <= 0)
        return vax_fail(db, VAX_EINVAL, "capacity",
                        _("Capacity: %d people per slot; give at least 1."), capacity);
    if (local_time(day, a, &sa) != VAX_OK || local_time(day, b, &sb) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "start", _("Start: this time does not exist that day."));
    if (sb <= vax_now())
        return vax_fail(db, VAX_EINVAL, "end", _("End: %s today is already past."), end);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_day_get(db, day, &d)) != VAX_OK)
        goto fail;
    if (d.closed_at) {
        rc = vax_fail(db, VAX_ESTATE, "day", _("Day: this day is closed."));
        goto fail;
    }
    st = vax_stmt(db, "SELECT starts_at, ends_at FROM slot WHERE day = ?1 AND open = 1"
                      " AND starts_at < ?3 AND ends_at > ?2 ORDER BY starts_at LIMIT 1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, sa);
    sqlite3_bind_int64(st, 3, sb);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char span[12];
        slot_span(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), span);
        sqlite3_reset(st);
        rc = vax_fail(db, VAX_EEXIST, "start", _("Start: %s-%s overlaps the slot %s of that day."),
                      start, end, span);
        goto fail;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("reading the slots"));
        goto fail;
    }
    vax_risk_cap(db, d.risk, &cap);
    int64_t id = 0;
    if ((rc = insert_slot(db, d.id, day, sa, sb, capacity < cap ? capacity : cap, &id)) != VAX_OK)
        goto fail;
    if ((rc = vax_audit(db, "slot.add", "slot", id, day)) != VAX_OK)
        goto fail;
    if (out_id)
        *out_id = id;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* The first open slot of an open day, not over at `now`, starting at or after `from`, with room,
 * where the person (if any) has no other live booking that day. 0 when none. */
static int64_t next_free(vax_db *db, int64_t now, int64_t from, int64_t not_slot, int64_t person_id,
                         int64_t not_appt)
{
    sqlite3_stmt *st = vax_stmt(
        db,
        "SELECT s.id FROM slot s JOIN site_day d ON d.id = s.day_id"
        " WHERE s.open = 1 AND d.closed_at = 0 AND s.ends_at > ?1 AND s.starts_at >= ?2"
        " AND s.starts_at < max(?1, ?2) + 60 * 86400 AND s.id <> ?3 AND s.capacity > " SLOT_FILL(
            "s") " AND NOT EXISTS (SELECT 1 FROM appointment x WHERE x.person_id = ?4"
                 " AND x.day = s.day AND x.state IN ('booked','checked_in') AND x.id <> ?5)"
                 " ORDER BY s.starts_at, s.id LIMIT 1");
    int64_t id = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, not_slot);
    sqlite3_bind_int64(st, 4, person_id);
    sqlite3_bind_int64(st, 5, not_appt);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

int vax_slot_next_free(vax_db *db, int64_t after, vax_slot *out)
{
    int64_t now = vax_now();
    /* slots already begun but not over count: someone may still come in them */
    int64_t id = next_free(db, after > now ? after : now, 0, 0, 0, 0);
    if (!id)
        return vax_fail(db, VAX_ENOTFOUND, "slot", _("No free slot is planned."));
    return vax_slot_get(db, id, out);
}

static int set_appt(vax_db *db, int64_t appt_id, const char *state, int64_t slot_id,
                    const char *day, const char *note)
{
    sqlite3_stmt *st = vax_stmt(db, "UPDATE appointment SET state = ?2, slot_id = ?3, day = ?4,"
                                    " note = ?5, updated_at = ?6, updated_by = ?7 WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, appt_id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, slot_id);
    sqlite3_bind_text(st, 4, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, note, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, vax_now());
    sqlite3_bind_int64(st, 7, vax_actor_id(db));
    return step_done(db, st, _("saving an appointment"));
}

int vax_slot_close(vax_db *db, int64_t slot_id, vax_slot_close_mode mode, int *moved,
                   int *cancelled)
{
    vax_slot s;
    int rc, nm = 0, nc = 0, n = 0;
    int64_t now = vax_now();
    vax_appt *list = NULL;
    char span[12], note[96];
    vax_clear_error(db);
    if (moved)
        *moved = 0;
    if (cancelled)
        *cancelled = 0;
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_slot_get(db, slot_id, &s)) != VAX_OK)
        goto fail;
    if (!s.open) {
        rc = vax_fail(db, VAX_ESTATE, "slot", _("Slot: already closed."));
        goto fail;
    }
    sqlite3_stmt *st = vax_stmt(db, "UPDATE slot SET open = 0, updated_at = ?2, updated_by = ?3"
                                    " WHERE id = ?1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, slot_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, vax_actor_id(db));
    if ((rc = step_done(db, st, _("closing a slot"))) != VAX_OK)
        goto fail;
    int max = s.booked + 1;
    if (!(list = calloc((size_t)max, sizeof *list))) {
        rc = VAX_ENOMEM;
        goto fail;
    }
    if ((rc = vax_appt_list(db, s.day, VAX_APPT_BOOKED, list, max, &n)) != VAX_OK)
        goto fail;
    slot_span(s.starts_at, s.ends_at, span);
    for (int i = 0; i < n; i++) {
        if (list[i].slot_id != slot_id)
            continue;
        int64_t to = mode == VAX_SLOT_MOVE
                         ? next_free(db, now, s.starts_at, slot_id, list[i].person_id, list[i].id)
                         : 0;
        if (to) {
            vax_slot t;
            if ((rc = vax_slot_get(db, to, &t)) != VAX_OK)
                goto fail;
            snprintf(note, sizeof note, "moved from %s %s (slot closed)", s.day, span);
            rc = set_appt(db, list[i].id, "booked", to, t.day, note);
            nm++;
        } else {
            snprintf(note, sizeof note, "slot %s %s closed: phone to rebook", s.day, span);
            rc = set_appt(db, list[i].id, "cancelled", slot_id, s.day, note);
            nc++;
        }
        if (rc != VAX_OK)
            goto fail;
    }
    snprintf(note, sizeof note, "%s %s: %d moved, %d cancelled", s.day, span, nm, nc);
    if ((rc = vax_audit(db, "slot.close", "slot", slot_id, note)) != VAX_OK)
        goto fail;
    free(list);
    if (moved)
        *moved = nm;
    if (cancelled)
        *cancelled = nc;
    return vax_tx_commit(db);
fail:
    free(list);
    vax_tx_rollback(db);
    return rc;
}

/* ---- appointments -------------------------------------------------------------------------- */

#define APPT_COLS                                                                                  \
    "a.id, a.uuid, a.slot_id, a.person_id, coalesce(a.visit_id, 0), a.day, s.starts_at,"           \
    " s.ends_at, a.dose_number, a.product, a.state, a.override_reason, a.note"

static void row_to_appt(sqlite3_stmt *st, vax_appt *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(a->uuid, vax_col_text(st, 1), sizeof a->uuid);
    a->slot_id = sqlite3_column_int64(st, 2);
    a->person_id = sqlite3_column_int64(st, 3);
    a->visit_id = sqlite3_column_int64(st, 4);
    vax_strlcpy(a->day, vax_col_text(st, 5), sizeof a->day);
    a->starts_at = sqlite3_column_int64(st, 6);
    a->ends_at = sqlite3_column_int64(st, 7);
    a->dose_number = sqlite3_column_int(st, 8);
    vax_strlcpy(a->product, vax_col_text(st, 9), sizeof a->product);
    a->state = appt_state_parse(vax_col_text(st, 10));
    vax_strlcpy(a->override_reason, vax_col_text(st, 11), sizeof a->override_reason);
    vax_strlcpy(a->note, vax_col_text(st, 12), sizeof a->note);
}

static int appt_one(vax_db *db, sqlite3_stmt *st, vax_appt *out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_appt(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return VAX_ENOTFOUND;
    return vax_fail_sql(db, rc, _("reading appointments"));
}

int vax_appt_get(vax_db *db, int64_t appt_id, vax_appt *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " APPT_COLS " FROM appointment a JOIN slot s"
                                    " ON s.id = a.slot_id WHERE a.id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, appt_id);
    rc = appt_one(db, st, out);
    return rc == VAX_ENOTFOUND ? vax_fail(db, rc, NULL, _("No such appointment.")) : rc;
}

int vax_appt_for_person(vax_db *db, int64_t person_id, const char *day, vax_appt *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " APPT_COLS " FROM appointment a JOIN slot s"
                                    " ON s.id = a.slot_id WHERE a.person_id = ?1 AND a.day = ?2"
                                    " AND a.state IN ('booked','checked_in') LIMIT 1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    return appt_one(db, st, out);
}

int vax_appt_for_visit(vax_db *db, int64_t visit_id, vax_appt *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " APPT_COLS " FROM visit v JOIN appointment a"
                                    " ON a.id = v.appointment_id JOIN slot s ON s.id = a.slot_id"
                                    " WHERE v.id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    return appt_one(db, st, out);
}

int vax_appt_list(vax_db *db, const char *day, int state, vax_appt *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " APPT_COLS " FROM appointment a JOIN slot s"
                                    " ON s.id = a.slot_id WHERE a.day = ?1"
                                    " AND (?2 = '' OR a.state = ?2) ORDER BY s.starts_at, a.id");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, state < 0 ? "" : vax_appt_state_code((vax_appt_state)state), -1,
                      SQLITE_STATIC);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_appt(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading appointments"));
}

static int insert_appt(vax_db *db, int64_t slot_id, int64_t person_id, const char *day, int dose,
                       const char *product, const char *reason, int64_t *id)
{
    char uuid[37];
    int64_t now = vax_now();
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO appointment(uuid, slot_id, person_id, day,"
                                    " dose_number, product, state, override_reason, created_at,"
                                    " updated_at, updated_by)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'booked', ?7, ?8, ?8, ?9)");
    int rc;
    if (!st || vax_uuid(uuid) != VAX_OK)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, slot_id);
    sqlite3_bind_int64(st, 3, person_id);
    sqlite3_bind_text(st, 4, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, dose);
    sqlite3_bind_text(st, 6, product ? product : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, reason ? reason : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_int64(st, 9, vax_actor_id(db));
    if ((rc = step_done(db, st, _("booking"))) != VAX_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(db->sql);
    return VAX_OK;
}

int vax_appt_book(vax_db *db, int64_t person_id, int64_t slot_id, int dose_number,
                  const char *product, const char *override_reason, vax_appt *out)
{
    vax_slot s;
    vax_site_day d;
    vax_person p;
    vax_appt old;
    char today[11], span[12], x[11];
    int rc, over = 0;
    int64_t id = 0, now = vax_now();
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CHECKIN)) != VAX_OK)
        return rc;
    if (dose_number < 1 || dose_number > VAX_MAX_SERIES + 3)
        return vax_fail(db, VAX_EINVAL, "dose_number", _("Dose number: %d is not a dose number."),
                        dose_number);
    vax_local_date(now, today);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_slot_get(db, slot_id, &s)) != VAX_OK)
        goto fail;
    if ((rc = vax_person_get(db, person_id, &p)) != VAX_OK)
        goto fail;
    if ((rc = vax_day_get(db, s.day, &d)) != VAX_OK)
        goto fail;
    slot_span(s.starts_at, s.ends_at, span);
    vax_date_dmy(s.day, x);
    if (strcmp(s.day, today) < 0) {
        rc = vax_fail(db, VAX_EINVAL, "day", _("Day: %s is in the past."), x);
        goto fail;
    }
    if (d.closed_at) {
        rc = vax_fail(db, VAX_ESTATE, "day", _("Day: %s is closed; it takes no more bookings."), x);
        goto fail;
    }
    if (!s.open) {
        rc = vax_fail(db, VAX_ESTATE, "slot", _("Slot: %s on %s is closed."), span, x);
        goto fail;
    }
    if (s.ends_at <= now) {
        rc = vax_fail(db, VAX_EINVAL, "slot", _("Slot: %s on %s is already over."), span, x);
        goto fail;
    }
    if (product && product[0]) {
        vax_product pr;
        if ((rc = vax_product_get(db, product, &pr)) != VAX_OK)
            goto fail;
        if (!offers(d.products, product)) {
            rc = vax_fail(db, VAX_EINVAL, "product", _("Product: %s is not offered on %s (%s)."),
                          pr.name, x, d.products);
            goto fail;
        }
    }
    rc = vax_appt_for_person(db, person_id, s.day, &old);
    if (rc == VAX_OK) {
        char os[12];
        slot_span(old.starts_at, old.ends_at, os);
        rc = vax_fail(db, VAX_EEXIST, "person", _("%s is already booked on %s at %s."), p.full_name,
                      x, os);
        goto fail;
    }
    if (rc != VAX_ENOTFOUND)
        goto fail;
    if (s.booked + s.walk_ins >= s.capacity) {
        if (!override_reason || !override_reason[0]) {
            rc = vax_fail(db, VAX_ESTATE, "slot",
                          _("Slot: %s on %s is full (%d of %d, walk-ins included); a manager may "
                            "overbook with a reason."),
                          span, x, s.booked + s.walk_ins, s.capacity);
            goto fail;
        }
        if ((rc = vax_require(db, VAX_ACT_OVERRIDE)) != VAX_OK)
            goto fail;
        over = 1;
    }
    if ((rc = insert_appt(db, slot_id, person_id, s.day, dose_number, product,
                          over ? override_reason : "", &id)) != VAX_OK)
        goto fail;
    char details[300];
    snprintf(details, sizeof details, "%s %s dose %d%s%s", s.day, span, dose_number,
             over ? " OVERBOOKED: " : "", over ? override_reason : "");
    if ((rc = vax_audit(db, over ? "appointment.overbook" : "appointment.book", "appointment", id,
                        details)) != VAX_OK)
        goto fail;
    if (out && (rc = vax_appt_get(db, id, out)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

vax_arrival vax_appt_arrival(int64_t starts_at, int64_t ends_at, int64_t arrived_at, int *minutes)
{
    int m = 0;
    vax_arrival r = VAX_ARRIVE_ON_TIME;
    if (arrived_at < starts_at) {
        m = (int)((starts_at - arrived_at + 59) / 60);
        r = VAX_ARRIVE_EARLY;
    } else if (arrived_at >= ends_at) {
        m = (int)((arrived_at - ends_at) / 60) + 1;
        r = VAX_ARRIVE_LATE;
    }
    if (minutes)
        *minutes = m;
    return r;
}

/* Called by vax_queue_checkin inside its transaction, once the visit row exists: links the
 * person's booking of today to the visit (and the visit to its slot), or, for a walk-in, counts
 * the visit against the slot running now. details gets "walk-in" or how the arrival fits. */
int vax_appt_checkin_locked(vax_db *db, int64_t visit_id, int64_t person_id, int64_t now,
                            char *details, size_t size)
{
    char today[11], span[12];
    vax_appt a;
    sqlite3_stmt *st;
    int rc, minutes;
    vax_local_date(now, today);
    rc = vax_appt_for_person(db, person_id, today, &a);
    if (rc == VAX_OK && a.state == VAX_APPT_BOOKED) {
        st = vax_stmt(db, "UPDATE appointment SET state = 'checked_in', visit_id = ?2,"
                          " updated_at = ?3, updated_by = ?4 WHERE id = ?1");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, a.id);
        sqlite3_bind_int64(st, 2, visit_id);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, vax_actor_id(db));
        if ((rc = step_done(db, st, _("checking in"))) != VAX_OK)
            return rc;
        st = vax_stmt(db, "UPDATE visit SET appointment_id = ?2, slot_id = ?3, slot_start = ?4"
                          " WHERE id = ?1");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, visit_id);
        sqlite3_bind_int64(st, 2, a.id);
        sqlite3_bind_int64(st, 3, a.slot_id);
        sqlite3_bind_int64(st, 4, a.starts_at);
        if ((rc = step_done(db, st, _("checking in"))) != VAX_OK)
            return rc;
        slot_span(a.starts_at, a.ends_at, span);
        vax_arrival arr = vax_appt_arrival(a.starts_at, a.ends_at, now, &minutes);
        if (arr == VAX_ARRIVE_EARLY)
            snprintf(details, size, "appointment %s: %d min early", span, minutes);
        else if (arr == VAX_ARRIVE_LATE)
            snprintf(details, size, "appointment %s: %d min late", span, minutes);
        else
            snprintf(details, size, "appointment %s: on time", span);
        return VAX_OK;
    }
    if (rc != VAX_OK && rc != VAX_ENOTFOUND)
        return rc;
    vax_clear_error(db);
    snprintf(details, size, "walk-in");
    st = vax_stmt(db, "UPDATE visit SET slot_id = (SELECT s.id FROM slot s WHERE s.day = ?2"
                      " AND s.open = 1 AND s.starts_at <= ?3 AND s.ends_at > ?3"
                      " ORDER BY s.starts_at LIMIT 1) WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    return step_done(db, st, _("checking in"));
}

/* ---- bulk scheduling ------------------------------------------------------------------------ */

struct fill_slot {
    int64_t id;
    char day[11];
    int room, capacity;
    int quota, given; /* this fill's share, and how many it placed there */
};

struct fill_person {
    int rank, band, index;
    int dose;
    int status;
    int unit; /* position of the first of its household or commune in priority order, else own */
    int slot; /* where it goes, -1 if nowhere yet */
};

static int by_priority(const void *a, const void *b)
{
    const struct fill_person *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->band != y->band)
        return x->band < y->band ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A household or commune keeps the place of its first member: the others follow right after. */
static int by_unit(const void *a, const void *b)
{
    const struct fill_person *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    return by_priority(a, b);
}

struct group_pos {
    const char *group;
    int pos;
};

static int by_group(const void *a, const void *b)
{
    const struct group_pos *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Shares out `take` people over slots [lo, hi) of one day so that each ends at about the same
 * share of its capacity: one at a time to the slot whose share after it is lowest (the earlier
 * slot on a tie), never over its room. With equal capacities the quotas differ by one at most. */
static void share_out(struct fill_slot *slots, int lo, int hi, int take)
{
    for (int i = lo; i < hi; i++)
        slots[i].quota = slots[i].given = 0;
    while (take-- > 0) {
        int best = -1;
        for (int i = lo; i < hi; i++) {
            if (slots[i].quota >= slots[i].room || slots[i].capacity <= 0)
                continue;
            /* (load + 1) / capacity, compared without division */
            int64_t load = slots[i].capacity - slots[i].room + slots[i].quota + 1;
            if (best < 0 ||
                load * slots[best].capacity <
                    (int64_t)(slots[best].capacity - slots[best].room + slots[best].quota + 1) *
                        slots[i].capacity)
                best = i;
        }
        if (best < 0)
            return;
        slots[best].quota++;
    }
}

int vax_slot_fill(vax_db *db, const char *from, const char *to, const char *product,
                  vax_book_req *reqs, int n, int *booked)
{
    struct fill_slot *slots = NULL;
    struct fill_person *order = NULL;
    vax_book_req *sorted = NULL;
    struct group_pos *groups = NULL;
    int rc, nslots = 0, cap_slots = 256, made = 0, span;
    int64_t now = vax_now();
    char today[11];
    sqlite3_stmt *st;
    vax_clear_error(db);
    if (booked)
        *booked = 0;
    if ((rc = vax_require(db, VAX_ACT_CHECKIN)) != VAX_OK)
        return rc;
    if ((rc = check_day(db, from, 0)) != VAX_OK)
        return rc;
    if ((rc = check_day(db, to, 0)) != VAX_OK)
        return rc;
    if (vax_date_diff(from, to, &span) != VAX_OK || span < 0 || span > 366)
        return vax_fail(db, VAX_EINVAL, "to",
                        _("To: give a day on or after the first day, within "
                          "a year."));
    if (product && product[0] && (rc = check_products(db, product)) != VAX_OK)
        return rc;
    if (n < 0 || (n > 0 && !reqs))
        return vax_fail(db, VAX_EINVAL, NULL, _("The list of people is empty."));
    vax_local_date(now, today);
    slots = malloc((size_t)cap_slots * sizeof *slots);
    order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    sorted = malloc((size_t)(n > 0 ? n : 1) * sizeof *sorted);
    if (!slots || !order || !sorted) {
        rc = VAX_ENOMEM;
        goto out;
    }
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    /* the open slots of the range with the room they have left */
    st = vax_stmt(db, "SELECT s.id, s.day, s.capacity - (" SLOT_FILL(
                          "s") "), d.products, s.capacity FROM slot s JOIN site_day d"
                               " ON d.id = s.day_id"
                               " WHERE s.day BETWEEN ?1 AND ?2 AND s.open = 1 AND d.closed_at = 0"
                               " AND s.ends_at > ?3 ORDER BY s.starts_at, s.id");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (product && product[0] && !offers(vax_col_text(st, 3), product))
            continue;
        if (nslots == cap_slots) {
            struct fill_slot *m = realloc(slots, (size_t)cap_slots * 2 * sizeof *slots);
            if (!m) {
                sqlite3_reset(st);
                rc = VAX_ENOMEM;
                goto fail;
            }
            slots = m;
            cap_slots *= 2;
        }
        slots[nslots].id = sqlite3_column_int64(st, 0);
        vax_strlcpy(slots[nslots].day, vax_col_text(st, 1), sizeof slots[nslots].day);
        slots[nslots].room = sqlite3_column_int(st, 2);
        slots[nslots].capacity = sqlite3_column_int(st, 4);
        nslots++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("reading the slots"));
        goto fail;
    }
    /* each person's priority, next dose, and whether they are booked in the range already */
    st = vax_stmt(db, "SELECT coalesce(g.rank, 99), p.birth_date,"
                      " (SELECT coalesce(max(dose_number), 0) FROM dose WHERE person_id = p.id"
                      "  AND voided = 0),"
                      " EXISTS (SELECT 1 FROM appointment a WHERE a.person_id = p.id AND a.day"
                      "  BETWEEN ?2 AND ?3 AND a.state IN ('booked','checked_in'))"
                      " FROM person p LEFT JOIN priority_group g ON g.code = p.priority_group"
                      " WHERE p.id = ?1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, reqs[i].person_id);
        sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        order[i].index = i;
        order[i].status = VAX_OK;
        order[i].slot = -1;
        if (rc == SQLITE_ROW) {
            order[i].rank = sqlite3_column_int(st, 0);
            order[i].band = vax_age_band(vax_age_on(vax_col_text(st, 1), today));
            order[i].dose =
                reqs[i].dose_number > 0 ? reqs[i].dose_number : sqlite3_column_int(st, 2) + 1;
            if (sqlite3_column_int(st, 3))
                order[i].status = VAX_EEXIST;
        } else {
            order[i].rank = 1000;
            order[i].band = 9;
            order[i].dose = 1;
            order[i].status = VAX_ENOTFOUND;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            rc = vax_fail_sql(db, rc, _("reading the registry"));
            goto fail;
        }
    }
    qsort(order, (size_t)n, sizeof *order, by_priority);
    /* the people of one household or commune (a group the list names) go together */
    if (!(groups = malloc((size_t)(n > 0 ? n : 1) * sizeof *groups))) {
        rc = VAX_ENOMEM;
        goto fail;
    }
    int ngroups = 0;
    for (int k = 0; k < n; k++) {
        order[k].unit = k;
        if (reqs[order[k].index].group[0])
            groups[ngroups++] = (struct group_pos){reqs[order[k].index].group, k};
    }
    qsort(groups, (size_t)ngroups, sizeof *groups, by_group);
    for (int g = 1; g < ngroups; g++)
        if (strcmp(groups[g].group, groups[g - 1].group) == 0) {
            order[groups[g].pos].unit = order[groups[g - 1].pos].unit;
            groups[g].pos = groups[g - 1].pos; /* the first member's place, down the run */
        }
    qsort(order, (size_t)n, sizeof *order, by_unit);
    /* Day by day, earliest first, so that nobody waits for a later day while an earlier one has
     * room: the day takes the first people by priority that may come that day and fit, shares
     * them out over its slots (share_out), then hands the slots out in time order, so that
     * nobody of lower priority gets an earlier slot than someone of higher priority. */
    for (int lo = 0, hi; lo < nslots; lo = hi) {
        int room = 0, take = 0;
        for (hi = lo; hi < nslots && strcmp(slots[hi].day, slots[lo].day) == 0; hi++)
            room += slots[hi].room > 0 ? slots[hi].room : 0;
        for (int k = 0, end; k < n && take < room; k = end) {
            for (end = k + 1; end < n && order[end].unit == order[k].unit; end++)
                ;
            int size = 0, ok = 1;
            for (int j = k; j < end; j++) {
                const vax_book_req *r = &reqs[order[j].index];
                if (order[j].status != VAX_OK || order[j].slot >= 0)
                    continue;
                ok &= !r->not_before[0] || strcmp(r->not_before, slots[lo].day) <= 0;
                size++;
            }
            if (ok && size > 0 && take + size <= room)
                take += size, order[k].slot = -2; /* -2: chosen for this day */
        }
        share_out(slots, lo, hi, take);
        int at = lo;
        for (int k = 0, end; k < n; k = end) {
            for (end = k + 1; end < n && order[end].unit == order[k].unit; end++)
                ;
            if (order[k].slot != -2)
                continue;
            order[k].slot = -1;
            for (int j = k; j < end; j++) {
                if (order[j].status != VAX_OK || order[j].slot >= 0)
                    continue;
                /* the next slot with its share left; a household that began in a slot stays
                 * there while it has room, taking from the next slot's share */
                int stay = j > k && order[j - 1].slot >= 0 &&
                           slots[order[j - 1].slot].given < slots[order[j - 1].slot].room;
                if (stay) {
                    at = order[j - 1].slot;
                    if (slots[at].given >= slots[at].quota)
                        for (int q = at + 1; q < hi; q++)
                            if (slots[q].quota > slots[q].given) {
                                slots[q].quota--;
                                slots[at].quota++;
                                break;
                            }
                } else {
                    while (at < hi && slots[at].given >= slots[at].quota)
                        at++;
                    if (at >= hi) /* shares moved to a household: any slot with room */
                        for (at = lo; at < hi && slots[at].given >= slots[at].room; at++)
                            ;
                }
                if (at >= hi)
                    break;
                order[j].slot = at;
                slots[at].given++;
            }
        }
        for (int i = lo; i < hi; i++)
            slots[i].room -= slots[i].given;
    }
    for (int k = 0; k < n; k++) {
        vax_book_req *r = &sorted[k];
        *r = reqs[order[k].index];
        r->appt_id = 0;
        r->status = order[k].status;
        if (r->status != VAX_OK)
            continue;
        if (order[k].slot < 0) {
            r->status = VAX_EEMPTY;
            continue;
        }
        const struct fill_slot *at = &slots[order[k].slot];
        if ((rc = insert_appt(db, at->id, r->person_id, at->day, order[k].dose, product, "",
                              &r->appt_id)) != VAX_OK)
            goto fail;
        made++;
    }
    char details[128];
    snprintf(details, sizeof details, "%s..%s: %d of %d booked", from, to, made, n);
    if ((rc = vax_audit(db, "appointment.bulk", "appointment", 0, details)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        goto out;
    if (n > 0)
        memcpy(reqs, sorted, (size_t)n * sizeof *reqs);
    if (booked)
        *booked = made;
    goto out;
fail:
    vax_tx_rollback(db);
out:
    free(groups);
    free(slots);
    free(order);
    free(sorted);
    return rc;
}

/* ---- the call list ------------------------------------------------------------------------- */

int vax_call_list(vax_db *db, const char *from, const char *to, int state,
                  int (*fn)(const vax_call *c, void *ctx), void *ctx)
{
    static const char sql[] =
        "SELECT a.id, a.person_id, p.full_name, p.phone, p.national_id, a.day, s.starts_at,"
        " s.ends_at, a.dose_number, a.state FROM appointment a JOIN slot s ON s.id = a.slot_id"
        " JOIN person p ON p.id = a.person_id WHERE a.day BETWEEN ?1 AND ?2 AND a.state = ?3"
        " ORDER BY s.starts_at, a.id";
    sqlite3_stmt *st = NULL;
    vax_site site;
    int rc, stop = 0;
    vax_clear_error(db);
    if (vax_site_get(db, &site) != VAX_OK)
        memset(&site, 0, sizeof site);
    vax_clear_error(db);
    /* its own statement: fn may use the cached ones */
    if ((rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL)) != SQLITE_OK)
        return vax_fail_sql(db, rc, _("making the call list"));
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3,
                      vax_appt_state_code(state < 0 ? VAX_APPT_BOOKED : (vax_appt_state)state), -1,
                      SQLITE_STATIC);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_call c;
        memset(&c, 0, sizeof c);
        c.appt_id = sqlite3_column_int64(st, 0);
        c.person_id = sqlite3_column_int64(st, 1);
        vax_strlcpy(c.full_name, vax_col_text(st, 2), sizeof c.full_name);
        vax_strlcpy(c.phone, vax_col_text(st, 3), sizeof c.phone);
        vax_strlcpy(c.national_id, vax_col_text(st, 4), sizeof c.national_id);
        vax_strlcpy(c.day, vax_col_text(st, 5), sizeof c.day);
        slot_span(sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7), c.slot_time);
        vax_strlcpy(c.site, site.name, sizeof c.site);
        c.dose_number = sqlite3_column_int(st, 8);
        c.state = appt_state_parse(vax_col_text(st, 9));
        stop = fn(&c, ctx);
    }
    if (stop)
        rc = stop;
    else if (rc == SQLITE_DONE)
        rc = VAX_OK;
    else
        rc = vax_fail_sql(db, rc, _("making the call list"));
    sqlite3_finalize(st);
    return rc;
}

static size_t csv_field(char *buf, size_t size, size_t o, const char *s, int last)
{
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote && o + 1 < size)
        buf[o++] = '"';
    for (; *s && o + 2 < size; s++) {
        if (*s == '"')
            buf[o++] = '"';
        buf[o++] = *s;
    }
    if (quote && o + 1 < size)
        buf[o++] = '"';
    if (!last && o + 1 < size)
        buf[o++] = ',';
    buf[o < size ? o : size - 1] = 0;
    return o;
}

void vax_call_csv(const vax_call *c, char *buf, size_t size)
{
    char dose[16];
    size_t o = 0;
    if (!size)
        return;
    buf[0] = 0;
    snprintf(dose, sizeof dose, "%d", c->dose_number);
    o = csv_field(buf, size, o, c->full_name, 0);
    o = csv_field(buf, size, o, c->phone, 0);
    o = csv_field(buf, size, o, c->day, 0);
    o = csv_field(buf, size, o, c->slot_time, 0);
    o = csv_field(buf, size, o, c->site, 0);
    csv_field(buf, size, o, dose, 1);
}

/* ---- demo ---------------------------------------------------------------------------------- */

/* Today's and tomorrow's plans, some bookings so the planning screen shows fills, and a few
 * people whose dose 1 was weeks ago so the due list has someone due and someone overdue. */
int vax_slot_demo(vax_db *db)
{
    char today[11], tomorrow[11];
    int rc, n = 0;
    int64_t now = vax_now();
    vax_local_date(now, today);
    vax_date_add(today, 1, tomorrow);
    vax_site_day d;
    memset(&d, 0, sizeof d);
    vax_strlcpy(d.day, today, sizeof d.day);
    vax_strlcpy(d.opens, "07:00", sizeof d.opens);
    vax_strlcpy(d.closes, "17:00", sizeof d.closes);
    d.slot_minutes = 30;
    d.capacity = 10;
    d.risk = VAX_RISK_MEDIUM;
    vax_strlcpy(d.products, "AZ PF MO", sizeof d.products);
    if ((rc = vax_day_plan(db, &d)) != VAX_OK && rc != VAX_EEXIST)
        return rc;
    if ((rc = vax_day_copy(db, today, tomorrow)) != VAX_OK && rc != VAX_EEXIST)
        return rc;
    /* people with no visit today, in registration order */
    sqlite3_stmt *st = vax_stmt(db, "SELECT p.id FROM person p WHERE NOT EXISTS (SELECT 1 FROM"
                                    " visit v WHERE v.person_id = p.id) ORDER BY p.id LIMIT 60");
    int64_t ids[60];
    if (!st)
        return VAX_EINTERNAL;
    while (n < 60 && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    /* dose 1 given 30 to 70 days ago for the last twenty: due, overdue, not yet */
    for (int i = 40; i < n; i++) {
        char uuid[37];
        int64_t at = now - (int64_t)(18 + (i - 40) * 3) * 86400;
        st = vax_stmt(db, "INSERT INTO dose(uuid, person_id, product, dose_number, given_at,"
                          " lot_no, created_at, updated_at, updated_by)"
                          " VALUES (?1, ?2, ?3, 1, ?4, 'DEMO000', ?4, ?4, ?5)");
        if (!st || vax_uuid(uuid) != VAX_OK)
            return VAX_EINTERNAL;
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, ids[i]);
        sqlite3_bind_text(st, 3, i % 2 ? "PF" : "AZ", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, at);
        sqlite3_bind_int64(st, 5, vax_actor_id(db));
        if ((rc = step_done(db, st, _("making the demo"))) != VAX_OK)
            return rc;
    }
    /* bookings: the first forty people into today's slots still to come, then tomorrow's */
    vax_book_req reqs[40];
    memset(reqs, 0, sizeof reqs);
    int m = n < 40 ? n : 40;
    for (int i = 0; i < m; i++) {
        reqs[i].person_id = ids[i];
        reqs[i].dose_number = 1;
    }
    /* a few at a time so the first slots fill more than the later ones */
    vax_slot slots[64];
    int ns = 0, k = 0;
    if ((rc = vax_slot_list(db, today, slots, 64, &ns)) != VAX_OK)
        return rc;
    for (int i = 0; i < ns && k < m; i++) {
        if (slots[i].ends_at <= now)
            continue;
        int want = i % 3 == 0 ? 8 : i % 3 == 1 ? 4 : 2;
        for (int j = 0; j < want && k < m; j++, k++)
            if ((rc = vax_appt_book(db, reqs[k].person_id, slots[i].id, 1, "", NULL, NULL)) !=
                    VAX_OK &&
                rc != VAX_EEXIST)
                return rc;
    }
    if (k < m && (rc = vax_slot_fill(db, tomorrow, tomorrow, "", reqs + k, m - k, NULL)) != VAX_OK)
        return rc;
    vax_clear_error(db);
    return VAX_OK;
}
