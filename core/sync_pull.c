/* sync_pull.c: what a team needs from elsewhere besides people, doses, voids and merges (sync.c,
 * whose header describes the outbox, the merge rules and the server): the reactions another site
 * recorded. A serious reaction after dose 1 at one site must be before the doctor who screens the
 * person for dose 2 at another. Bundles (sync.c, merge_event) and the pull store them through the
 * same function, once by uuid. The fields of a dose given elsewhere travel with its dose event
 * (laptop schema 32, server schema 9); merge_dose and the dose pull read them; so do a dose's
 * additional-dose mark and round (laptop schema 33, server schema 10). The server keeps a minor's
 * guardian too (server schema 10), and the pull brings the team's people's. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#ifdef VAX_HAVE_PQ
#include <libpq-fe.h>
#endif

/* The person a reaction belongs to here: the body's person_uuid, or the record an alias or a
 * merge leads to; 0 when this database does not hold them. */
static int64_t reaction_person(vax_db *db, const char *body)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT json_extract(?1, '$.person_uuid')");
    char uuid[64] = "";
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        vax_strlcpy(uuid, vax_col_text(st, 0), sizeof uuid);
    sqlite3_reset(st);
    return uuid[0] ? vax_sync_person_here(db, uuid) : 0;
}

/* A copy of another site's reaction takes the state a later event gives (a "reaction_update"
 * not older than what it holds); this site's own reactions are never changed from outside. */
static int reaction_refresh(vax_db *db, const char *uuid, const char *body)
{
    sqlite3_stmt *st = vax_stmt(
        db, "UPDATE OR IGNORE reaction SET signs = coalesce(json_extract(?2, '$.signs'), signs),"
            " severity = coalesce(json_extract(?2, '$.severity'), severity),"
            " action = coalesce(json_extract(?2, '$.action'), action),"
            " notes = coalesce(json_extract(?2, '$.notes'), notes),"
            " pending = coalesce(json_extract(?2, '$.pending'), ''),"
            " outcome = coalesce(json_extract(?2, '$.outcome'), outcome),"
            " updated_at = json_extract(?2, '$.updated_at')"
            " WHERE uuid = ?1 AND site <> '' AND json_type(?2, '$.updated_at') = 'integer'"
            " AND updated_at <= json_extract(?2, '$.updated_at')");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging a reaction"));
}

int vax_sync_merge_reaction(vax_db *db, const char *kind, const char *uuid, const char *body,
                            const char *site, const char *device, vax_sync_stats *stats)
{
    char rx[64];
    int rc, update = !strcmp(kind, "reaction_update");
    /* an update names its reaction; the reaction's own event is named by it */
    if (update) {
        sqlite3_stmt *j = vax_stmt(db, "SELECT coalesce(json_extract(?1, '$.reaction_uuid'), '')");
        if (!j)
            return VAX_EINTERNAL;
        sqlite3_bind_text(j, 1, body, -1, SQLITE_STATIC);
        rx[0] = 0;
        if (sqlite3_step(j) == SQLITE_ROW)
            vax_strlcpy(rx, vax_col_text(j, 0), sizeof rx);
        sqlite3_reset(j);
        if (!rx[0]) {
            stats->unapplied++;
            return VAX_OK;
        }
        uuid = rx;
    }
    sqlite3_stmt *st = vax_stmt(db, "SELECT 1 FROM reaction WHERE uuid = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    int have = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (have) /* this site's own, or stored from an earlier bundle or pull */
        return update ? reaction_refresh(db, uuid, body) : VAX_OK;
    int64_t pid = reaction_person(db, body);
    if (!pid) {
        stats->unapplied++; /* kept in the outbox for the district; no person here */
        return VAX_OK;
    }
    /* a body the table's checks refuse (no signs, an unknown severity) is passed over, kept in
     * the outbox as it came; it does not stop the rest of the bundle or pull */
    st = vax_stmt(db, "INSERT OR IGNORE INTO reaction(uuid, visit_id, person_id, seen_at, signs,"
                      " severity, action, notes, pending, outcome, created_at, updated_at, site,"
                      " visit_uuid)"
                      " VALUES (?1, NULL, ?2, json_extract(?3, '$.seen_at'),"
                      " coalesce(json_extract(?3, '$.signs'), ''), json_extract(?3, '$.severity'),"
                      " json_extract(?3, '$.action'), coalesce(json_extract(?3, '$.notes'), ''),"
                      " coalesce(json_extract(?3, '$.pending'), ''),"
                      " coalesce(json_extract(?3, '$.outcome'), ''), json_extract(?3, '$.seen_at'),"
                      " coalesce(json_extract(?3, '$.updated_at'), json_extract(?3, '$.seen_at')),"
                      " coalesce(nullif(?4, ''), '?'),"
                      " coalesce(json_extract(?3, '$.visit_uuid'), ''))");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, pid);
    sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, site ? site : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("merging a reaction"));
    if (sqlite3_changes(db->sql) != 1) {
        stats->unapplied++;
        return VAX_OK;
    }
    stats->reactions++;
    st = vax_stmt(db, "INSERT OR IGNORE INTO sync_origin(uuid, site, device) VALUES (?1, ?2, ?3)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, site ? site : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, device ? device : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging a reaction"));
}

#ifdef VAX_HAVE_PQ

/* Server schema 9.
 * - Reaction events are found by sequence (a pull since its cursor) and by person (the
 *   reactions of a person new to a team's pull, recorded before its cursor): two partial indexes,
 *   as version 2's for merges.
 * - A dose given elsewhere keeps where it was given and how it was learnt (laptop schema 32);
 *   vs_apply_extra() stores them, after what version 8's did (kept as vs_apply_extra_v8). */
// clang-format off
const char vax_server_schema_v9[] =
    "CREATE INDEX sync_event_reaction ON sync_event(server_seq)"
    " WHERE kind IN ('reaction', 'reaction_update');"
    "CREATE INDEX sync_event_reaction_person ON sync_event((body->>'person_uuid'))"
    " WHERE kind IN ('reaction', 'reaction_update');"
    "ALTER TABLE dose ADD COLUMN place text NOT NULL DEFAULT '',"
    " ADD COLUMN source text NOT NULL DEFAULT '', ADD COLUMN uvci text NOT NULL DEFAULT '',"
    " ADD COLUMN verified text NOT NULL DEFAULT '';"
    "ALTER FUNCTION vs_apply_extra() RENAME TO vs_apply_extra_v8;"
    "CREATE FUNCTION vs_apply_extra(OUT serious int) LANGUAGE plpgsql AS $f$\n"
    "BEGIN\n"
    "  serious := vs_apply_extra_v8();\n"
    "  UPDATE dose d SET place = coalesce(i.body->>'place', ''),"
    " source = coalesce(i.body->>'source', ''), uvci = coalesce(i.body->>'uvci', ''),"
    " verified = coalesce(i.body->>'verified', '') FROM incoming i WHERE i.fresh"
    " AND i.kind = 'dose' AND d.uuid = i.record_uuid AND i.body ? 'source';\n"
    "END\n"
    "$f$;";
// clang-format on

// clang-format off
/* The guardians of the communes' ($1) people that other devices ($3) recorded since the cursor
 * ($2), or of a person new to this pull, as the event's body, under the person the server keeps. */
static const char pull_guardians[] =
    "SELECT jsonb_build_object('person_uuid', p.uuid, 'name', g.name, 'phone', g.phone, 'hlc',"
    " g.hlc, 'updated_at', g.updated_at)::text, g.site, g.device, g.seq FROM guardian g"
    " JOIN person p ON p.uuid = coalesce((SELECT merged_into FROM person WHERE uuid ="
    " g.person_uuid), g.person_uuid) WHERE p.commune = ANY($1::text[])"
    " AND (g.seq > $2::bigint OR p.seq > $2::bigint) AND g.device <> $3 ORDER BY g.seq";
// clang-format on

// clang-format off
/* The reactions other devices recorded for the people of the communes ($1): those stored since
 * the cursor ($2) with the later states of each (reaction_update), and those of a person whose
 * record is new to this pull (a person who moved
 * into the communes, a list of communes changed); under the person the server keeps (an alias or
 * a merged record leads to it), in the order the server stored them. */
static const char pull_reactions[] =
    "WITH w AS (SELECT x.uuid FROM sync_event x WHERE x.kind IN ('reaction', 'reaction_update')"
    "  AND x.server_seq > $2::bigint"
    " UNION SELECT x.uuid FROM person q CROSS JOIN LATERAL (SELECT q.uuid AS u UNION ALL"
    "  SELECT a.uuid FROM person_alias a WHERE a.person_uuid = q.uuid) k"
    "  JOIN sync_event x ON x.kind IN ('reaction', 'reaction_update')"
    "  AND x.body->>'person_uuid' = k.u"
    "  WHERE q.seq > $2::bigint AND q.commune = ANY($1::text[]))"
    " SELECT e.uuid, jsonb_set(e.body, '{person_uuid}', to_jsonb(p.uuid))::text, e.site,"
    " e.device, e.server_seq, e.kind FROM w JOIN sync_event e ON e.uuid = w.uuid"
    " JOIN person p ON p.uuid = (SELECT coalesce(y.merged_into, y.uuid) FROM person y"
    "  WHERE y.uuid = vs_person(e.body->>'person_uuid'))"
    " WHERE e.device <> $3 AND p.commune = ANY($1::text[]) ORDER BY e.server_seq";
// clang-format on

/* Runs one of the pull's reads (params: the communes as a text[], the cursor, this device) and
 * raises *seen to the largest sequence number in column seq_col of its rows. */
static int pull_read(vax_db *db, PGconn *c, const char *sql, const char *const params[3],
                     int seq_col, const char *doing, PGresult **out, int64_t *seen)
{
    PGresult *r = PQexecParams(c, sql, 3, NULL, params, NULL, NULL, 0);
    *out = NULL;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char msg[300];
        vax_strlcpy(msg, r ? PQresultErrorMessage(r) : "", sizeof msg);
        msg[strcspn(msg, "\n")] = 0;
        PQclear(r);
        return vax_fail(db, VAX_EIO, "url", _("Server: %s failed: %s"), doing, msg);
    }
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t at = strtoll(PQgetvalue(r, i, seq_col), NULL, 10);
        if (at > *seen)
            *seen = at;
    }
    *out = r;
    return VAX_OK;
}

int vax_sync_pull_reactions_read(vax_db *db, PGconn *c, const char *const params[3], PGresult **out,
                                 int64_t *seen)
{
    return pull_read(db, c, pull_reactions, params, 4, _("reading reactions"), out, seen);
}

int vax_sync_pull_guardians_read(vax_db *db, PGconn *c, const char *const params[3], PGresult **out,
                                 int64_t *seen)
{
    return pull_read(db, c, pull_guardians, params, 3, _("reading guardians"), out, seen);
}

int vax_sync_pull_reactions_merge(vax_db *db, const PGresult *r, vax_sync_stats *stats)
{
    for (int i = 0; r && i < PQntuples(r); i++) {
        int rc = vax_sync_merge_reaction(db, PQgetvalue(r, i, 5), PQgetvalue(r, i, 0),
                                         PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                                         PQgetvalue(r, i, 3), stats);
        if (rc != VAX_OK)
            return rc;
    }
    return VAX_OK;
}

#endif
