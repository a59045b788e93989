/* desk.c: the site's layout: its desks and rooms, their codes (what visits, vials and doses record
 * as their station) and their names (what the board and the calls show). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_codes[] = {
#define VAX_DESK_KIND_CODE(name, code, words, fallback) code,
    VAX_DESK_KIND_LIST(VAX_DESK_KIND_CODE)
#undef VAX_DESK_KIND_CODE
};
static const char *const kind_words[] = {
#define VAX_DESK_KIND_WORDS(name, code, words, fallback) N_(words),
    VAX_DESK_KIND_LIST(VAX_DESK_KIND_WORDS)
#undef VAX_DESK_KIND_WORDS
};
/* What a desk missing from the table is called, as stations named desks before the table:
 * "Screening 2". */
static const char *const kind_fallback[] = {
#define VAX_DESK_KIND_FALLBACK(name, code, words, fallback) N_(fallback),
    VAX_DESK_KIND_LIST(VAX_DESK_KIND_FALLBACK)
#undef VAX_DESK_KIND_FALLBACK
};

const char *vax_desk_kind_code(vax_desk_kind k)
{
    return (unsigned)k < VAX_DESK_KIND_COUNT ? kind_codes[k] : "?";
}

const char *vax_desk_kind_label(vax_desk_kind k)
{
    return (unsigned)k < VAX_DESK_KIND_COUNT ? _(kind_words[k]) : "?";
}

int vax_desk_kind_parse(const char *code, vax_desk_kind *out)
{
    for (int i = 0; i < VAX_DESK_KIND_COUNT; i++) {
        if (code && strcmp(code, kind_codes[i]) == 0) {
            *out = (vax_desk_kind)i;
            return VAX_OK;
        }
    }
    return VAX_EINVAL;
}

/* The kind a code starts with ("injection-2" -> injection) and where its number starts ("" when
 * it has none: the bare "injection" stations recorded while a site had one room). */
static int code_kind(const char *code, vax_desk_kind *kind, const char **num)
{
    for (int i = 0; code && i < VAX_DESK_KIND_COUNT; i++) {
        size_t n = strlen(kind_codes[i]);
        if (strncmp(code, kind_codes[i], n) == 0 && (code[n] == 0 || code[n] == '-')) {
            *kind = (vax_desk_kind)i;
            *num = code[n] ? code + n + 1 : "";
            return 1;
        }
    }
    return 0;
}

void vax_desk_alias(const char *code, char *out, size_t size)
{
    vax_desk_kind k;
    const char *num;
    out[0] = 0;
    if (!code_kind(code, &k, &num))
        return;
    if (!num[0])
        snprintf(out, size, "%s-1", kind_codes[k]);
    else if (strcmp(num, "1") == 0)
        snprintf(out, size, "%s", kind_codes[k]);
}

int vax_desk_same(const char *a, const char *b)
{
    char alias[32];
    if (strcmp(a ? a : "", b ? b : "") == 0)
        return 1;
    vax_desk_alias(a, alias, sizeof alias);
    return alias[0] && strcmp(alias, b ? b : "") == 0;
}

static void row_to_desk(sqlite3_stmt *st, vax_desk *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(d->code, vax_col_text(st, 1), sizeof d->code);
    vax_strlcpy(d->name, vax_col_text(st, 2), sizeof d->name);
    vax_desk_kind_parse(vax_col_text(st, 3), &d->kind);
    d->active = sqlite3_column_int(st, 4);
}

#define DESK_COLS "id, code, name, kind, active"

/* The desk of a code, or of its alias ("injection" is desk injection-1). */
static int find_desk(vax_db *db, const char *code, vax_desk *out)
{
    char alias[32];
    sqlite3_stmt *st = vax_stmt(db, "SELECT " DESK_COLS " FROM desk WHERE code = ?1 OR code = ?2"
                                    " ORDER BY code = ?1 DESC LIMIT 1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    vax_desk_alias(code, alias, sizeof alias);
    sqlite3_bind_text(st, 1, code ? code : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_desk(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    return rc == SQLITE_DONE ? VAX_ENOTFOUND : vax_fail_sql(db, rc, _("reading the desks"));
}

int vax_desk_get(vax_db *db, const char *code, vax_desk *out)
{
    int rc = find_desk(db, code, out);
    if (rc == VAX_ENOTFOUND)
        return vax_fail(db, rc, "code", _("Desk: there is no desk %s (see vaxsite desk list)."),
                        code ? code : "");
    return rc;
}

void vax_desk_name(vax_db *db, const char *code, char *out, size_t size)
{
    vax_desk d;
    vax_desk_kind k;
    const char *num;
    if (find_desk(db, code, &d) == VAX_OK) {
        vax_strlcpy(out, d.name, size);
        return;
    }
    vax_clear_error(db);
    if (!code_kind(code, &k, &num))
        vax_strlcpy(out, code ? code : "", size);
    else if (num[0])
        snprintf(out, size, "%s %s", _(kind_fallback[k]), num);
    else
        vax_strlcpy(out, _(kind_fallback[k]), size);
}

int vax_desk_list(vax_db *db, int active_only, vax_desk *out, int max, int *n)
{
    /* by kind in the order a person goes through the site, then by the desk's number */
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " DESK_COLS " FROM desk WHERE ?1 = 0 OR active = 1"
                     " ORDER BY CASE kind WHEN 'checkin' THEN 0 WHEN 'screening' THEN 1"
                     " WHEN 'injection' THEN 2 ELSE 3 END, length(code), code");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int(st, 1, active_only ? 1 : 0);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_desk(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the desks"));
}

/* A desk's name, NFC, 1 to 63 bytes, not the name of another active desk (the board would call
 * two rooms by the same words). *clean is malloc'd on success. */
static int check_name(vax_db *db, const char *name, const char *except_code, char **clean)
{
    int rc;
    *clean = vax_text_nfc(name ? name : "");
    if (!*clean)
        return VAX_ENOMEM;
    if (!(*clean)[0] || strlen(*clean) > 63) {
        rc =
            vax_fail(db, VAX_EINVAL, "name", "%s", _("Name: 1 to 63 characters, as staff say it."));
        goto fail;
    }
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT code FROM desk WHERE name = ?1 AND active = 1 AND code <> ?2");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, *clean, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, except_code ? except_code : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = vax_fail(db, VAX_EEXIST, "name", _("Name: \"%s\" is already desk %s."), *clean,
                      vax_col_text(st, 0));
        sqlite3_reset(st);
        goto fail;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("reading the desks"));
        goto fail;
    }
    return VAX_OK;
fail:
    free(*clean);
    *clean = NULL;
    return rc;
}

/* The next number of a kind: one more than the highest any of its desks has had, retired ones
 * included, so that a code is never given to a second desk. */
static int next_code(vax_db *db, vax_desk_kind kind, char *out, size_t size)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT code FROM desk WHERE kind = ?1");
    int rc, best = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, kind_codes[kind], -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_desk_kind k;
        const char *num;
        if (code_kind(vax_col_text(st, 0), &k, &num) && atoi(num) > best)
            best = atoi(num);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the desks"));
    snprintf(out, size, "%s-%d", kind_codes[kind], best + 1);
    return VAX_OK;
}

/* Adds a desk inside the caller's transaction. */
static int add_locked(vax_db *db, vax_desk_kind kind, const char *name, char *code, size_t size)
{
    char uuid[37], details[128];
    char *clean = NULL;
    int64_t now = vax_now();
    int rc;
    if ((rc = check_name(db, name, NULL, &clean)) != VAX_OK)
        return rc;
    if ((rc = next_code(db, kind, code, size)) != VAX_OK || (rc = vax_uuid(uuid)) != VAX_OK)
        goto out;
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO desk(uuid, code, name, kind, created_at,"
                                    " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto out;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, clean, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, kind_codes[kind], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 6, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("adding a desk"));
        goto out;
    }
    snprintf(details, sizeof details, "%s %.63s", code, clean);
    rc = vax_audit(db, "desk.add", "desk", sqlite3_last_insert_rowid(db->sql), details);
out:
    free(clean);
    return rc;
}

int vax_desk_add(vax_db *db, vax_desk_kind kind, const char *name, char code[VAX_DESK_CODE_MAX])
{
    char made[VAX_DESK_CODE_MAX];
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((unsigned)kind >= VAX_DESK_KIND_COUNT)
        return vax_fail(db, VAX_EINVAL, "kind", "%s",
                        _("Kind: screening, injection, observation or checkin."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = add_locked(db, kind, name, made, sizeof made)) != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (code)
        vax_strlcpy(code, made, VAX_DESK_CODE_MAX);
    return VAX_OK;
}

int vax_desk_defaults_locked(vax_db *db)
{
    char names[4][64], code[VAX_DESK_CODE_MAX];
    static const vax_desk_kind kinds[4] = {VAX_DESK_CHECKIN, VAX_DESK_SCREENING, VAX_DESK_INJECTION,
                                           VAX_DESK_OBSERVATION};
    int n = 0, rc;
    vax_desk one;
    if ((rc = vax_desk_list(db, 0, &one, 1, &n)) != VAX_OK)
        return rc;
    if (n > 0)
        return VAX_OK; /* a layout the site made is never added to */
    snprintf(names[0], sizeof names[0], _("Check-in desk %d"), 1);
    snprintf(names[1], sizeof names[1], _("Screening desk %d"), 1);
    snprintf(names[2], sizeof names[2], _("Injection room %d"), 1);
    snprintf(names[3], sizeof names[3], "%s", _("Observation area"));
    for (int i = 0; i < 4; i++)
        if ((rc = add_locked(db, kinds[i], names[i], code, sizeof code)) != VAX_OK)
            return rc;
    return VAX_OK;
}

/* The start of rename and retire: the desk (by code, not alias: a change names what it changes),
 * read inside the transaction. */
static int change_begin(vax_db *db, const char *code, vax_desk *d)
{
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    sqlite3_stmt *st = vax_stmt(db, "SELECT " DESK_COLS " FROM desk WHERE code = ?1");
    if (!st) {
        vax_tx_rollback(db);
        return VAX_EINTERNAL;
    }
    sqlite3_bind_text(st, 1, code ? code : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_desk(st, d);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) {
        if (d->active)
            return VAX_OK;
        rc = vax_fail(db, VAX_ESTATE, "code", _("Desk: %s (%s) is retired."), d->code, d->name);
    } else if (rc == SQLITE_DONE) {
        rc = vax_fail(db, VAX_ENOTFOUND, "code",
                      _("Desk: there is no desk %s (see vaxsite desk list)."), code ? code : "");
    } else {
        rc = vax_fail_sql(db, rc, _("reading the desks"));
    }
    vax_tx_rollback(db);
    return rc;
}

static int change_write(vax_db *db, const vax_desk *d, const char *name, int active,
                        const char *action, const char *details)
{
    sqlite3_stmt *st = vax_stmt(db, "UPDATE desk SET name = ?2, active = ?3, updated_at = ?4,"
                                    " updated_by = ?5 WHERE id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, active);
    sqlite3_bind_int64(st, 4, vax_now());
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 5, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("changing a desk"));
    return vax_audit(db, action, "desk", d->id, details);
}

static int change_end(vax_db *db, int rc)
{
    if (rc != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    return vax_tx_commit(db);
}

int vax_desk_rename(vax_db *db, const char *code, const char *name)
{
    char details[200];
    char *clean = NULL;
    vax_desk d;
    int rc;
    if ((rc = change_begin(db, code, &d)) != VAX_OK)
        return rc;
    if ((rc = check_name(db, name, d.code, &clean)) == VAX_OK) {
        snprintf(details, sizeof details, "%s: %.63s -> %.63s", d.code, d.name, clean);
        rc = change_write(db, &d, clean, 1, "desk.rename", details);
    }
    free(clean);
    return change_end(db, rc);
}

/* How many rows of a query on the desk's code (and its alias) there are. */
static int count_at(vax_db *db, const char *sql, const char *code, int *n)
{
    char alias[32];
    sqlite3_stmt *st = vax_stmt(db, sql);
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    vax_desk_alias(code, alias, sizeof alias);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, alias, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the desks"));
}

int vax_desk_retire(vax_db *db, const char *code)
{
    vax_desk d;
    int rc, vials = 0, people = 0;
    if ((rc = change_begin(db, code, &d)) != VAX_OK)
        return rc;
    /* a retired room's open vials would be counted as open stock that no room can use, and a
     * person called to a retired desk would wait for nobody */
    if ((rc = count_at(db,
                       "SELECT count(*) FROM vial WHERE discarded_at IS NULL"
                       " AND (station = ?1 OR station = ?2)",
                       d.code, &vials)) != VAX_OK ||
        (rc = count_at(db,
                       "SELECT count(*) FROM visit WHERE (station = ?1 OR station = ?2)"
                       " AND (state = 'screening' OR state = 'injection')",
                       d.code, &people)) != VAX_OK)
        return change_end(db, rc);
    if (vials > 0)
        rc = vax_fail(db, VAX_ESTATE, "code",
                      _("Desk: %s still has %d open vials; discard them before retiring it."),
                      d.name, vials);
    else if (people > 0)
        rc = vax_fail(db, VAX_ESTATE, "code",
                      _("Desk: %d people are called to %s; finish or return them to waiting "
                        "first."),
                      people, d.name);
    else
        rc = change_write(db, &d, d.name, 0, "desk.retire", d.code);
    return change_end(db, rc);
}
