/* conflict.c: a manager's work on the conflicts the merge lists (sync.c): both sides of each, and
 * its resolution. The resolution is made by the code that makes the same change at the desk
 * (identity.c's merge, dose.c's void, person.c's update: their own events sync it), then written
 * as an event of its own, "conflict_resolved", whose uuid is made of the conflict's kind and its
 * two uuids in byte order: the same conflict has those on every laptop and on the server (its id
 * is a row number here), though a laptop may list the two the other way round. The server's list
 * looks the event up when it is read; a laptop marks its conflict resolved when a bundle or a pull
 * brings the event. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef VAX_HAVE_PQ
#include <libpq-fe.h>
#endif

void vax_conflict_resolution_uuid(const char *kind, const char *a, const char *b, char *out,
                                  size_t size)
{
    const char *lo = strcmp(a, b) <= 0 ? a : b, *hi = lo == a ? b : a;
    snprintf(out, size, "resolved/%s/%s/%s", kind, lo, hi);
}

#define CONFLICT_COLS                                                                              \
    "SELECT c.id, c.kind, c.person_uuid, c.a_uuid, c.b_uuid, c.details, c.created_at,"             \
    " coalesce(p.national_id, ''), coalesce(p.full_name, ''), c.resolved_at"                       \
    " FROM sync_conflict c LEFT JOIN person p ON p.id = (SELECT id FROM person"                    \
    " WHERE uuid = c.person_uuid UNION ALL SELECT person_id FROM sync_alias"                       \
    " WHERE uuid = c.person_uuid LIMIT 1)"

static int64_t conflict_row(sqlite3_stmt *st, vax_sync_conflict *c)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(c->kind, vax_col_text(st, 1), sizeof c->kind);
    vax_strlcpy(c->person_uuid, vax_col_text(st, 2), sizeof c->person_uuid);
    vax_strlcpy(c->a_uuid, vax_col_text(st, 3), sizeof c->a_uuid);
    vax_strlcpy(c->b_uuid, vax_col_text(st, 4), sizeof c->b_uuid);
    vax_strlcpy(c->details, vax_col_text(st, 5), sizeof c->details);
    c->created_at = sqlite3_column_int64(st, 6);
    vax_strlcpy(c->national_id, vax_col_text(st, 7), sizeof c->national_id);
    vax_strlcpy(c->full_name, vax_col_text(st, 8), sizeof c->full_name);
    return sqlite3_column_int64(st, 9);
}

static int conflict_get(vax_db *db, int64_t id, vax_sync_conflict *out, int64_t *resolved_at)
{
    sqlite3_stmt *st = vax_stmt(db, CONFLICT_COLS " WHERE c.id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *resolved_at = conflict_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "conflict", "%s", _("Conflict: no such conflict here."));
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading conflicts"));
}

int vax_conflict_get(vax_db *db, int64_t id, vax_sync_conflict *out)
{
    int64_t resolved = 0;
    vax_clear_error(db);
    return conflict_get(db, id, out, &resolved);
}

/* The open conflicts here, a page at a time, with how many there are. */
int vax_sync_conflicts(vax_db *db, int offset, vax_sync_conflict *out, int max, int *n, int *total)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM sync_conflict WHERE resolved_at = 0");
    int rc;
    *n = *total = 0;
    if (!st)
        return VAX_EINTERNAL;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *total = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading conflicts"));
    st = vax_stmt(db, CONFLICT_COLS " WHERE c.resolved_at = 0 ORDER BY c.id LIMIT ?1 OFFSET ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int(st, 1, max);
    sqlite3_bind_int(st, 2, offset > 0 ? offset : 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        conflict_row(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading conflicts"));
}

/* ---- the two sides ----------------------------------------------------------------------------
 */

/* Where a record or event came from: merged from elsewhere (sync_origin), an event held here,
 * or this laptop. */
static void side_origin(vax_db *db, vax_conflict_side *s)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT site, device FROM sync_origin WHERE uuid = ?1"
                     " UNION ALL SELECT site, device FROM sync_entry WHERE uuid = ?1"
                     " UNION ALL SELECT coalesce((SELECT code FROM site ORDER BY id LIMIT 1),"
                     " 'SITE'), coalesce((SELECT value FROM setting WHERE key ="
                     " 'sync.device_id'), '') LIMIT 1");
    if (!st)
        return;
    sqlite3_bind_text(st, 1, s->uuid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        vax_strlcpy(s->site, vax_col_text(st, 0), sizeof s->site);
        vax_strlcpy(s->device, vax_col_text(st, 1), sizeof s->device);
    }
    sqlite3_reset(st);
}

/* A person by uuid: the record here, or (a registration merged into another) its event. */
static int side_person(vax_db *db, const char *uuid, vax_conflict_side *s)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT national_id, full_name, birth_date, created_at FROM person WHERE uuid = ?1"
            " UNION ALL SELECT json_extract(body, '$.national_id'), json_extract(body,"
            " '$.full_name'), json_extract(body, '$.birth_date'), json_extract(body,"
            " '$.created_at') FROM sync_entry WHERE uuid = ?1 AND kind = 'person' LIMIT 1");
    if (!st)
        return VAX_EINTERNAL;
    vax_strlcpy(s->uuid, uuid, sizeof s->uuid);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char dmy[11];
        vax_strlcpy(s->what, "person", sizeof s->what);
        vax_strlcpy(s->national_id, vax_col_text(st, 0), sizeof s->national_id);
        vax_strlcpy(s->full_name, vax_col_text(st, 1), sizeof s->full_name);
        vax_date_dmy(vax_col_text(st, 2), dmy);
        snprintf(s->value, sizeof s->value, _("born %s"), dmy);
        s->at = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading conflicts"));
    if (rc == SQLITE_ROW)
        side_origin(db, s);
    return VAX_OK;
}

static int side_dose(vax_db *db, const char *uuid, vax_conflict_side *s)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT d.dose_number, d.product, d.lot_no, date(d.given_at, 'unixepoch',"
                     " 'localtime'), d.given_at, d.station, d.voided, p.national_id, p.full_name"
                     " FROM dose d JOIN person p ON p.id = d.person_id WHERE d.uuid = ?1");
    if (!st)
        return VAX_EINTERNAL;
    vax_strlcpy(s->uuid, uuid, sizeof s->uuid);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char dmy[11];
        vax_strlcpy(s->what, "dose", sizeof s->what);
        vax_date_dmy(vax_col_text(st, 3), dmy);
        snprintf(s->value, sizeof s->value, _("dose %d, %s, lot %s, %s%s"),
                 sqlite3_column_int(st, 0), vax_col_text(st, 1), vax_col_text(st, 2), dmy,
                 sqlite3_column_int(st, 6) ? _(" (voided)") : "");
        s->at = sqlite3_column_int64(st, 4);
        vax_strlcpy(s->desk, vax_col_text(st, 5), sizeof s->desk);
        vax_strlcpy(s->national_id, vax_col_text(st, 7), sizeof s->national_id);
        vax_strlcpy(s->full_name, vax_col_text(st, 8), sizeof s->full_name);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading conflicts"));
    if (rc == SQLITE_ROW)
        side_origin(db, s);
    return VAX_OK;
}

/* An edit event (side a) and the record as it is now, in the fields the edit set (side b). */
/* The edit a conflict names: its a_uuid is the event's on the server, the person's on a laptop
 * (the merge is handed the record's uuid); there, the newest edit another device made. */
static void edit_event(vax_db *db, const char *a_uuid, char *out, size_t size)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT uuid FROM sync_entry WHERE uuid = ?1 AND kind = 'person_edit' UNION ALL"
            " SELECT * FROM (SELECT uuid FROM sync_entry WHERE kind = 'person_edit' AND"
            " record_uuid = ?1 AND device IS NOT (SELECT value FROM setting WHERE key ="
            " 'sync.device_id') ORDER BY seq DESC LIMIT 1) LIMIT 1");
    vax_strlcpy(out, a_uuid, size);
    if (!st)
        return;
    sqlite3_bind_text(st, 1, a_uuid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        vax_strlcpy(out, vax_col_text(st, 0), size);
    sqlite3_reset(st);
}

static int side_edit(vax_db *db, const vax_sync_conflict *c, vax_conflict_side s[2])
{
    char ev[128];
    edit_event(db, c->a_uuid, ev, sizeof ev);
    sqlite3_stmt *st = vax_stmt(
        db,
        "SELECT e.site, e.device, e.at, json_extract(e.body, '$.fields'),"
        " (SELECT json_group_object(j.key, json_extract(" VAX_PERSON_FIELDS_JSON(
            "p.") ", '$.' || j.key))"
                  " FROM json_each(e.body, '$.fields') j), p.uuid, p.national_id, p.full_name,"
                  " p.updated_at FROM sync_entry e LEFT JOIN person p ON p.id = (SELECT coalesce("
                  " merged_into, id) FROM person WHERE id = (SELECT id FROM person WHERE uuid ="
                  " json_extract(e.body, '$.person_uuid') UNION ALL SELECT person_id FROM "
                  "sync_alias"
                  " WHERE uuid = json_extract(e.body, '$.person_uuid') LIMIT 1)) WHERE e.uuid = "
                  "?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, ev, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        vax_strlcpy(s[0].what, "edit", sizeof s[0].what);
        vax_strlcpy(s[0].uuid, ev, sizeof s[0].uuid);
        vax_strlcpy(s[0].site, vax_col_text(st, 0), sizeof s[0].site);
        vax_strlcpy(s[0].device, vax_col_text(st, 1), sizeof s[0].device);
        s[0].at = sqlite3_column_int64(st, 2);
        vax_strlcpy(s[0].value, vax_col_text(st, 3), sizeof s[0].value);
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
            vax_strlcpy(s[1].what, "record", sizeof s[1].what);
            vax_strlcpy(s[1].value, vax_col_text(st, 4), sizeof s[1].value);
            vax_strlcpy(s[1].uuid, vax_col_text(st, 5), sizeof s[1].uuid);
            for (int i = 0; i < 2; i++) {
                vax_strlcpy(s[i].national_id, vax_col_text(st, 6), sizeof s[i].national_id);
                vax_strlcpy(s[i].full_name, vax_col_text(st, 7), sizeof s[i].full_name);
            }
            s[1].at = sqlite3_column_int64(st, 8);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading conflicts"));
    if (s[1].what[0]) /* the record now: the newest version's origin */
        side_origin(db, &s[1]);
    return VAX_OK;
}

/* A concurrent edit's values (schema 31: the fields in dispute, each edit's values as a JSON
 * object); 0 when the conflict was listed before it (then side_edit reads the edit). */
static int edit_values(vax_db *db, int64_t id, char **a, char **b)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT a_value, b_value FROM sync_conflict WHERE id = ?1"
                                    " AND a_value IS NOT NULL AND b_value IS NOT NULL");
    *a = *b = NULL;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *a = strdup(vax_col_text(st, 0));
        *b = strdup(vax_col_text(st, 1));
    }
    sqlite3_reset(st);
    if (!*a || !*b) {
        free(*a);
        free(*b);
        *a = *b = NULL;
        return 0;
    }
    return 1;
}

/* Each side an edit (a_uuid, b_uuid) with its values; where it came from, as its event says. */
static int side_edits(vax_db *db, const vax_sync_conflict *c, const char *va, const char *vb,
                      vax_conflict_side s[2])
{
    const char *uuid[2] = {c->a_uuid, c->b_uuid}, *value[2] = {va, vb};
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT site, device, at FROM sync_entry WHERE uuid = ?1 AND kind ="
                     " 'person_edit'");
    if (!st)
        return VAX_EINTERNAL;
    for (int i = 0; i < 2; i++) {
        vax_strlcpy(s[i].what, "edit", sizeof s[i].what);
        vax_strlcpy(s[i].uuid, uuid[i], sizeof s[i].uuid);
        vax_strlcpy(s[i].value, value[i], sizeof s[i].value);
        vax_strlcpy(s[i].national_id, c->national_id, sizeof s[i].national_id);
        vax_strlcpy(s[i].full_name, c->full_name, sizeof s[i].full_name);
        vax_strlcpy(s[i].site, "-", sizeof s[i].site);
        sqlite3_bind_text(st, 1, uuid[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            vax_strlcpy(s[i].site, vax_col_text(st, 0), sizeof s[i].site);
            vax_strlcpy(s[i].device, vax_col_text(st, 1), sizeof s[i].device);
            s[i].at = sqlite3_column_int64(st, 2);
        }
        sqlite3_reset(st);
    }
    return VAX_OK;
}

int vax_conflict_sides(vax_db *db, const vax_sync_conflict *c, vax_conflict_side side[2])
{
    char *va, *vb;
    memset(side, 0, 2 * sizeof *side);
    vax_clear_error(db);
    if (!strcmp(c->kind, "same_dose_number")) {
        int rc = side_dose(db, c->a_uuid, &side[0]);
        return rc == VAX_OK ? side_dose(db, c->b_uuid, &side[1]) : rc;
    }
    if (!strcmp(c->kind, "concurrent_edit") && edit_values(db, c->id, &va, &vb)) {
        int rc = side_edits(db, c, va, vb, side);
        free(va);
        free(vb);
        return rc;
    }
    if (!strcmp(c->kind, "concurrent_edit") || !strcmp(c->kind, "edit_id_taken") ||
        !strcmp(c->kind, "orphan_edit"))
        return side_edit(db, c, side);
    if (!strcmp(c->kind, "duplicate_person") || !strcmp(c->kind, "same_id_differs") ||
        !strcmp(c->kind, "linked_id_differs")) {
        int rc = side_person(db, c->a_uuid, &side[0]);
        return rc == VAX_OK ? side_person(db, c->b_uuid, &side[1]) : rc;
    }
    /* merges (a_uuid is the merge's event): the kept record and the other */
    int rc = side_person(db, c->person_uuid, &side[0]);
    return rc == VAX_OK ? side_person(db, c->b_uuid, &side[1]) : rc;
}

/* ---- resolving --------------------------------------------------------------------------------
 */

/* Voids a dose by uuid unless it is voided already (a resolution tried again). */
static int void_dose(vax_db *db, const char *uuid, const char *reason)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, voided FROM dose WHERE uuid = ?1");
    int64_t id = 0;
    int voided = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        voided = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    if (!id)
        return vax_fail(db, VAX_ENOTFOUND, "dose", "%s", _("Dose: not held here."));
    return voided ? VAX_OK : vax_dose_void(db, id, reason);
}

/* Merges record `from` (uuid) into `into` unless they are one already. */
static int merge_people(vax_db *db, const char *from, const char *into, const char *reason)
{
    int64_t f = vax_sync_person_here(db, from), i = vax_sync_person_here(db, into);
    if (!f || !i)
        return vax_fail(db, VAX_ENOTFOUND, "conflict", "%s",
                        _("Conflict: one of the two records is not held here."));
    return f == i ? VAX_OK : vax_person_merge(db, f, i, reason);
}

/* Sets the fields an edit event set (its body's "fields") on the record, as a new edit. */
static int apply_fields(vax_db *db, const char *puuid, char *fields, const char *reason);

/* given_a, given_b: the two values as the server's list holds them (NULL: this database's) */
static int apply_edit(vax_db *db, const vax_sync_conflict *c, int keep_b, const char *reason,
                      const char *given_a, const char *given_b)
{
    char event_uuid[128], *va, *vb;
    if (given_a && given_b) {
        char *v = strdup(keep_b ? given_b : given_a);
        return v ? apply_fields(db, c->person_uuid, v, reason) : VAX_ENOMEM;
    }
    if (!strcmp(c->kind, "concurrent_edit") && edit_values(db, c->id, &va, &vb)) {
        free(keep_b ? va : vb);
        return apply_fields(db, c->person_uuid, keep_b ? vb : va, reason);
    }
    if (keep_b) /* a conflict listed before schema 31: b is the record as it is */
        return VAX_OK;
    edit_event(db, c->a_uuid, event_uuid, sizeof event_uuid);
    sqlite3_stmt *st = vax_stmt(db, "SELECT json_extract(body, '$.person_uuid'),"
                                    " json_extract(body, '$.fields') FROM sync_entry"
                                    " WHERE uuid = ?1");
    char puuid[64] = "", *fields = NULL;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, event_uuid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        vax_strlcpy(puuid, vax_col_text(st, 0), sizeof puuid);
        fields = strdup(vax_col_text(st, 1));
    }
    sqlite3_reset(st);
    return apply_fields(db, puuid, fields, reason);
}

/* Sets the fields of the JSON object `fields` (freed here) on the record, as a new edit: one that
 * has seen both values, so that it stands everywhere. */
static int apply_fields(vax_db *db, const char *puuid, char *fields, const char *reason)
{
    sqlite3_stmt *st;
    int64_t id = puuid[0] ? vax_sync_person_here(db, puuid) : 0;
    vax_person p;
    int rc;
    if (!id || !fields || (rc = vax_person_get(db, id, &p)) != VAX_OK) {
        free(fields);
        return vax_fail(db, VAX_ENOTFOUND, "conflict", "%s",
                        _("Conflict: the edited record is not held here."));
    }
    static const struct {
        const char *key;
        size_t off, size;
    } f[] = {
#define F(x) {"$." #x, offsetof(vax_person, x), sizeof((vax_person *)0)->x}
        F(national_id), F(insurance_no), F(full_name),      F(birth_date),
        F(phone),       F(commune),      F(priority_group), F(ethnicity),
#undef F
    };
    st = vax_stmt(db, "SELECT json_type(?1, ?2), json_extract(?1, ?2)");
    if (!st) {
        free(fields);
        return VAX_EINTERNAL;
    }
    for (size_t i = 0; i < sizeof f / sizeof *f + 1; i++) {
        sqlite3_bind_text(st, 1, fields, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, i < sizeof f / sizeof *f ? f[i].key : "$.sex", -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            const char *v = vax_col_text(st, 1);
            if (i < sizeof f / sizeof *f)
                vax_strlcpy((char *)&p + f[i].off, v, f[i].size);
            else
                p.sex = v[0];
        }
        sqlite3_reset(st);
    }
    free(fields);
    return vax_person_update(db, &p, reason);
}

/* Gives record `uuid` another ID (its real one, once a manager has seen the papers). */
static int give_id(vax_db *db, const char *uuid, const char *id, const char *reason)
{
    char norm[13], msg[200];
    if (vax_validate_national_id(id, norm, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "id", "%s", msg);
    int64_t pid = vax_sync_person_here(db, uuid);
    vax_person p;
    int rc;
    if (!pid)
        return vax_fail(db, VAX_ENOTFOUND, "conflict", "%s",
                        _("Conflict: one of the two records is not held here."));
    if ((rc = vax_person_get(db, pid, &p)) != VAX_OK)
        return rc;
    if (!strcmp(p.national_id, norm))
        return VAX_OK;
    vax_strlcpy(p.national_id, norm, sizeof p.national_id);
    return vax_person_update(db, &p, reason);
}

static const char *const action_names[] = {"", "keep_a", "keep_b", "both", "merge", "void"};

/* What each kind allows, and what it does. */
static int act(vax_db *db, const vax_sync_conflict *c, vax_resolution a, const char *arg,
               const char *reason, const char **dose_uuid, const char *va, const char *vb)
{
    const char *k = c->kind;
    *dose_uuid = "";
    if (!strcmp(k, "same_dose_number")) {
        if (a == VAX_RESOLVE_VOID) {
            if (!arg || (strcmp(arg, c->a_uuid) && strcmp(arg, c->b_uuid)))
                return vax_fail(db, VAX_EINVAL, "dose", "%s",
                                _("Dose: name one of the two doses of the conflict."));
            *dose_uuid = !strcmp(arg, c->a_uuid) ? c->a_uuid : c->b_uuid;
        } else if (a == VAX_RESOLVE_KEEP_A || a == VAX_RESOLVE_KEEP_B) {
            *dose_uuid = a == VAX_RESOLVE_KEEP_A ? c->b_uuid : c->a_uuid;
        } else if (a != VAX_RESOLVE_BOTH) {
            goto refused;
        }
        return **dose_uuid ? void_dose(db, *dose_uuid, reason) : VAX_OK;
    }
    if (!strcmp(k, "same_id_differs")) {
        if (a == VAX_RESOLVE_BOTH)
            return arg && *arg ? give_id(db, c->b_uuid, arg, reason) : VAX_OK;
        if (a == VAX_RESOLVE_MERGE || a == VAX_RESOLVE_KEEP_A)
            return merge_people(db, c->b_uuid, c->a_uuid, reason);
        if (a == VAX_RESOLVE_KEEP_B)
            return merge_people(db, c->a_uuid, c->b_uuid, reason);
        goto refused;
    }
    if (!strcmp(k, "linked_id_differs")) {
        /* a: the person the number was linked to, b: the one whose own ID it is */
        if (a == VAX_RESOLVE_BOTH)
            return VAX_OK;
        if (a == VAX_RESOLVE_MERGE || a == VAX_RESOLVE_KEEP_A)
            return merge_people(db, c->b_uuid, c->a_uuid, reason);
        if (a == VAX_RESOLVE_KEEP_B)
            return merge_people(db, c->a_uuid, c->b_uuid, reason);
        goto refused;
    }
    if (!strcmp(k, "duplicate_person")) {
        /* the second registration is an alias of the first already: one person, confirmed */
        if (a == VAX_RESOLVE_MERGE || a == VAX_RESOLVE_KEEP_A)
            return VAX_OK;
        goto refused;
    }
    if (!strcmp(k, "concurrent_edit") || !strcmp(k, "edit_id_taken") || !strcmp(k, "orphan_edit")) {
        if (a == VAX_RESOLVE_KEEP_A || a == VAX_RESOLVE_KEEP_B)
            return apply_edit(db, c, a == VAX_RESOLVE_KEEP_B, reason, va, vb);
        goto refused;
    }
    if (!strcmp(k, "merge_refused")) {
        if (a == VAX_RESOLVE_MERGE)
            return merge_people(db, c->b_uuid, c->person_uuid, reason);
        if (a == VAX_RESOLVE_BOTH)
            return VAX_OK;
        goto refused;
    }
refused:
    return vax_fail(db, VAX_EINVAL, "action", _("Conflict: a %s conflict cannot be resolved so."),
                    k);
}

/* Marks resolved here the conflict (kind, a, b), whichever way round it is listed. */
static int mark_resolved(vax_db *db, const char *kind, const char *a, const char *b)
{
    sqlite3_stmt *st = vax_stmt(db, "UPDATE sync_conflict SET resolved_at = ?4 WHERE kind = ?1"
                                    " AND resolved_at = 0 AND ((a_uuid = ?2 AND b_uuid = ?3)"
                                    " OR (a_uuid = ?3 AND b_uuid = ?2))");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, vax_now());
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("resolving a conflict"));
}

static int may_resolve(vax_db *db, vax_resolution action, const char *reason)
{
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_OVERRIDE)) != VAX_OK)
        return rc;
    if (!reason || !*reason)
        return vax_fail(db, VAX_EINVAL, "reason", "%s",
                        _("Reason: say why the conflict is resolved so."));
    if (action < VAX_RESOLVE_KEEP_A || action > VAX_RESOLVE_VOID)
        return vax_fail(db, VAX_EINVAL, "action", "%s", _("Conflict: no such resolution."));
    return VAX_OK;
}

static int resolve(vax_db *db, const vax_sync_conflict *pc, int64_t id, vax_resolution action,
                   const char *arg, const char *reason, const char *va, const char *vb);

int vax_conflict_resolve(vax_db *db, int64_t id, vax_resolution action, const char *arg,
                         const char *reason)
{
    vax_sync_conflict c;
    int64_t resolved = 0;
    int rc;
    if ((rc = may_resolve(db, action, reason)) != VAX_OK ||
        (rc = conflict_get(db, id, &c, &resolved)) != VAX_OK)
        return rc;
    if (resolved)
        return vax_fail(db, VAX_ESTATE, "conflict", "%s", _("Conflict: resolved already."));
    return resolve(db, &c, id, action, arg, reason, NULL, NULL);
}

int vax_conflict_resolve_server(vax_db *db, const char *url, int64_t id, vax_resolution action,
                                const char *arg, const char *reason)
{
    vax_sync_conflict c;
    char *va = NULL, *vb = NULL;
    int rc;
    if ((rc = may_resolve(db, action, reason)) != VAX_OK ||
        (rc = vax_sync_server_conflict(db, url, id, &c, &va, &vb)) != VAX_OK)
        return rc;
    rc = resolve(db, &c, 0, action, arg, reason, va, vb);
    free(va);
    free(vb);
    return rc;
}

/* id: the conflict's here (0: one of the server's list); va, vb: a concurrent edit's two values
 * as the server holds them (NULL: this database's). */
static int resolve(vax_db *db, const vax_sync_conflict *pc, int64_t id, vax_resolution action,
                   const char *arg, const char *reason, const char *va, const char *vb)
{
    vax_sync_conflict c = *pc;
    const char *dose_uuid = "";
    char uuid[320];
    int rc;
    if (!strcmp(c.kind, "merge_waiting"))
        return vax_fail(db, VAX_EINVAL, "action", "%s",
                        _("Conflict: the merge is made when the other record arrives."));
    /* the change itself, by the desk's code (its event syncs it), and the resolution in one
     * transaction: the desk's own transaction is a savepoint of it (vax_tx_begin), so that a
     * failure or a crash leaves neither; a change already made (a resolution tried again after
     * the same change came from elsewhere) is not made twice */
    vax_conflict_resolution_uuid(c.kind, c.a_uuid, c.b_uuid, uuid, sizeof uuid);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = act(db, &c, action, arg, reason, &dose_uuid, va, vb)) != VAX_OK)
        goto fail;
    const vax_staff *who = vax_actor(db);
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO sync_entry(uuid, kind, record_uuid, site, device, at, body)"
            " SELECT ?1, 'conflict_resolved', ?2, coalesce((SELECT code FROM site ORDER BY id"
            " LIMIT 1), 'SITE'), (SELECT value FROM setting WHERE key = 'sync.device_id'), ?3,"
            " json_object('conflict_kind', ?4, 'a_uuid', ?5, 'b_uuid', ?6, 'person_uuid', ?2,"
            " 'action', ?7, 'dose_uuid', ?8, 'national_id', ?9, 'reason', ?10, 'by', ?11,"
            " 'at', ?3) ON CONFLICT DO NOTHING");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c.person_uuid[0] ? c.person_uuid : c.a_uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, vax_now());
    sqlite3_bind_text(st, 4, c.kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, c.a_uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c.b_uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, action_names[action], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, dose_uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, action == VAX_RESOLVE_BOTH && arg ? arg : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, who ? who->login : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("resolving a conflict"));
        goto fail;
    }
    if ((rc = mark_resolved(db, c.kind, c.a_uuid, c.b_uuid)) != VAX_OK ||
        (rc = vax_auditf(db, "sync.conflict_resolve", "sync_conflict", id, "%s %s%s: %s", c.kind,
                         action_names[action], id ? "" : " (the server's list)", reason)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_conflict_settle(vax_db *db)
{
    sqlite3_stmt *st = vax_stmt(
        db,
        "UPDATE sync_conflict SET resolved_at = ?1 WHERE resolved_at = 0 AND EXISTS"
        " (SELECT 1 FROM sync_entry e WHERE e.uuid = 'resolved/' || sync_conflict.kind || '/' ||"
        " min(a_uuid, b_uuid) || '/' || max(a_uuid, b_uuid))");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, vax_now());
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("resolving a conflict"));
}

/* ---- quarantine --------------------------------------------------------------------------------
 */

int vax_sync_quarantine(vax_db *db, int offset, vax_sync_quarantined *out, int max, int *n,
                        int *total)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM sync_quarantine");
    int rc;
    *n = *total = 0;
    vax_clear_error(db);
    if (!st)
        return VAX_EINTERNAL;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *total = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading the quarantine"));
    /* the site: the stored event's (the same uuid), else any event of that device here */
    st = vax_stmt(
        db, "SELECT q.id, q.uuid, q.kind, coalesce((SELECT site FROM sync_entry WHERE uuid ="
            " q.uuid), (SELECT site FROM sync_entry WHERE device = q.device LIMIT 1), ''),"
            " q.device, q.at, coalesce((SELECT group_concat(k, ', ') FROM (SELECT key AS k FROM"
            " json_each(q.body) UNION SELECT key FROM json_each(q.stored_body) ORDER BY 1)"
            " WHERE json_extract(q.body, '$.' || k) IS NOT json_extract(q.stored_body, '$.' ||"
            " k)), '') FROM sync_quarantine q ORDER BY q.id LIMIT ?1 OFFSET ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int(st, 1, max);
    sqlite3_bind_int(st, 2, offset > 0 ? offset : 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        vax_sync_quarantined *q = &out[(*n)++];
        memset(q, 0, sizeof *q);
        q->id = sqlite3_column_int64(st, 0);
        vax_strlcpy(q->uuid, vax_col_text(st, 1), sizeof q->uuid);
        vax_strlcpy(q->kind, vax_col_text(st, 2), sizeof q->kind);
        vax_strlcpy(q->site, vax_col_text(st, 3), sizeof q->site);
        vax_strlcpy(q->device, vax_col_text(st, 4), sizeof q->device);
        q->at = sqlite3_column_int64(st, 5);
        vax_strlcpy(q->differs, vax_col_text(st, 6), sizeof q->differs);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? VAX_OK
               : vax_fail_sql(db, rc, _("reading the quarantine"));
}

/* ---- the server -------------------------------------------------------------------------------
 */

#ifdef VAX_HAVE_PQ

/* Resolutions other devices made (the server's events since the last look): each marks the
 * conflict resolved here, and when it is not listed here yet a resolved row stands for it both
 * ways round, so that the conflict, when a later merge lists it, is not opened again (the listing
 * ignores a conflict already there). The event is not kept in the outbox: the server's copy of
 * its body is not the text it left in, and a bundle bringing the original would be quarantined.
 * Inside the pull's transaction. */
int vax_conflict_pull(vax_db *db, PGconn *c)
{
    char dev[37] = "", since[24];
    int64_t seen = 0;
    vax_sync_device_id(db, dev);
    vax_setting_get_int(db, "sync.resolved_seq", 0, &seen);
    snprintf(since, sizeof since, "%lld", (long long)seen);
    const char *params[2] = {since, dev};
    PGresult *r = PQexecParams(c,
                               "SELECT server_seq, body->>'conflict_kind', body->>'a_uuid',"
                               " coalesce(body->>'b_uuid', ''), coalesce(body->>'person_uuid',"
                               " ''), site, coalesce(body->>'by', ''), body->>'action'"
                               " FROM sync_event WHERE kind = 'conflict_resolved'"
                               " AND server_seq > $1::bigint AND device <> $2 ORDER BY server_seq",
                               2, NULL, params, NULL, NULL, 0);
    int rc = VAX_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = vax_fail(db, VAX_EIO, "server", _("PostgreSQL: %s (%s)."), PQerrorMessage(c),
                      _("reading conflicts"));
        PQclear(r);
        return rc;
    }
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO sync_conflict(kind, person_uuid, a_uuid, b_uuid, details, created_at,"
            " resolved_at) SELECT ?1, ?4, x.a, x.b, ?5, ?6, ?6 FROM (SELECT ?2 AS a, ?3 AS b"
            " UNION SELECT ?3, ?2 WHERE ?3 <> '') x WHERE true ON CONFLICT DO NOTHING");
    for (int i = 0; st && rc == VAX_OK && i < PQntuples(r); i++) {
        const char *kind = PQgetvalue(r, i, 1), *a = PQgetvalue(r, i, 2), *b = PQgetvalue(r, i, 3);
        char details[300];
        int64_t at = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        if (at > seen)
            seen = at;
        if ((rc = mark_resolved(db, kind, a, b)) != VAX_OK)
            break;
        snprintf(details, sizeof details, "resolved at %s by %s (%s)", PQgetvalue(r, i, 5),
                 PQgetvalue(r, i, 6), PQgetvalue(r, i, 7));
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, PQgetvalue(r, i, 4), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, details, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, vax_now());
        int s = sqlite3_step(st);
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            rc = vax_fail_sql(db, s, _("resolving a conflict"));
    }
    PQclear(r);
    if (!st)
        return VAX_EINTERNAL;
    if (rc != VAX_OK)
        return rc;
    st = vax_stmt(db, "INSERT INTO setting(key, value, updated_at, updated_by) VALUES"
                      " ('sync.resolved_seq', ?1, ?2, ?3) ON CONFLICT(key) DO UPDATE SET"
                      " value = excluded.value, updated_at = excluded.updated_at,"
                      " updated_by = excluded.updated_by");
    if (!st)
        return VAX_EINTERNAL;
    snprintf(since, sizeof since, "%lld", (long long)seen);
    sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, vax_now());
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 3, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("resolving a conflict"));
}

#endif

/* ---- a demo's conflicts ------------------------------------------------------------------------
 */

#define DEMO_DEVICE "b0b0b0b0-0000-4000-8000-00000000000b"
#define DEMO_DOSE "ffffffff-0000-4000-8000-000000000001" /* after any uuid: it is side b */
#define DEMO_ALIAS "c0ffee00-0000-4000-8000-000000000002"

/* ?1 the demo team's device, ?2 now. The first dose of the demo given again at TEAM-B an hour
 * later; the second person registered again at TEAM-B (an alias, its event forwarded); that
 * registration come again with another phone (kept apart). */
static const char demo_sql[] =
    "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at, lot_no, series,"
    " arm, station, override_reason, created_at, updated_at) SELECT '" DEMO_DOSE "', person_id,"
    " NULL, product, dose_number, given_at + 3600, 'DEMO-B', series, arm, 'injection-2',"
    " 'sync: dose ' || dose_number || ' also given at TEAM-B', given_at + 3600, given_at + 3600"
    " FROM dose WHERE voided = 0 ORDER BY id LIMIT 1;"
    "INSERT INTO sync_origin(uuid, site, device) SELECT '" DEMO_DOSE "', 'TEAM-B', ?1"
    " WHERE changes() = 1;"
    "INSERT INTO sync_conflict(kind, person_uuid, a_uuid, b_uuid, details, created_at)"
    " SELECT 'same_dose_number', p.uuid, min(d.uuid, '" DEMO_DOSE "'), max(d.uuid, '" DEMO_DOSE
    "'), 'dose ' || d.dose_number || ' given twice (here and at TEAM-B)', ?2 FROM dose d"
    " JOIN person p ON p.id = d.person_id JOIN dose x ON x.uuid = '" DEMO_DOSE "'"
    " WHERE d.person_id = x.person_id AND d.dose_number = x.dose_number AND d.id <> x.id"
    " ORDER BY d.id LIMIT 1;"
    "INSERT INTO sync_entry(uuid, kind, record_uuid, site, device, device_seq, at, body)"
    " SELECT '" DEMO_ALIAS "', 'person', '" DEMO_ALIAS "', 'TEAM-B', ?1, 1, created_at + 600,"
    " json_object('uuid', '" DEMO_ALIAS "', 'national_id', national_id, 'full_name', full_name,"
    " 'birth_date', birth_date, 'sex', sex, 'phone', phone, 'commune', commune, 'version', 1,"
    " 'created_at', created_at + 600, 'updated_at', created_at + 600)"
    " FROM person ORDER BY id LIMIT 1 OFFSET 1;"
    "INSERT INTO sync_alias(uuid, person_id) SELECT '" DEMO_ALIAS "', id FROM person"
    " ORDER BY id LIMIT 1 OFFSET 1;"
    "INSERT INTO sync_conflict(kind, person_uuid, a_uuid, b_uuid, details, created_at)"
    " SELECT 'duplicate_person', uuid, uuid, '" DEMO_ALIAS "', 'ID ' || national_id ||"
    " ' registered at TEAM-B (device b0b0b0b0) and here', ?2 FROM person ORDER BY id LIMIT 1"
    " OFFSET 1;"
    "INSERT INTO sync_quarantine(uuid, kind, device, body, stored_body, source, at)"
    " SELECT uuid, kind, device, json_set(body, '$.phone', '0900000000'), body, 'demo', ?2"
    " FROM sync_entry WHERE uuid = '" DEMO_ALIAS "';";

int vax_conflict_demo(vax_db *db)
{
    vax_site site;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (vax_site_get(db, &site) != VAX_OK || !site.is_demo)
        return vax_fail(db, VAX_ESTATE, "site", "%s",
                        _("Demo conflicts: only a demo site gets them (vaxsite demo)."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    const char *tail = demo_sql;
    if (sqlite3_exec(db->sql, "INSERT INTO sync_applying VALUES (1)", NULL, NULL, NULL) !=
        SQLITE_OK) {
        rc = vax_fail_sql(db, sqlite3_errcode(db->sql), _("resolving a conflict"));
        goto fail;
    }
    /* one statement at a time: each binds the same two values */
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db->sql, tail, -1, &st, &tail) != SQLITE_OK) {
            rc = vax_fail_sql(db, sqlite3_errcode(db->sql), _("resolving a conflict"));
            goto fail;
        }
        if (!st)
            break;
        sqlite3_bind_text(st, 1, DEMO_DEVICE, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, vax_now());
        int s = sqlite3_step(st);
        sqlite3_finalize(st);
        if (s != SQLITE_DONE) {
            rc = vax_fail_sql(db, s, _("resolving a conflict"));
            goto fail;
        }
    }
    if (sqlite3_exec(db->sql, "DELETE FROM sync_applying", NULL, NULL, NULL) != SQLITE_OK) {
        rc = vax_fail_sql(db, sqlite3_errcode(db->sql), _("resolving a conflict"));
        goto fail;
    }
    if ((rc = vax_audit(db, "sync.demo_conflicts", "sync_conflict", 0, "TEAM-B")) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}
