/* sync.c: what leaves a laptop (its outbox of events), bundle files, and the merge into the
 * district's PostgreSQL through libpq (compiled when libpq is found). DESIGN.md section 6.
 *
 * Identity. Every event that leaves carries its uuid, the uuid of the record it is about, the site
 * code, the device id (setting sync.device_id, random, made once when the outbox was created) and
 * the device's sequence number (sync_outbox.seq: rows are never deleted, so never reused). Rows
 * refer to each other by uuid (person_uuid, visit_uuid, dose_uuid) and staff by login; a rowid
 * never leaves.
 *
 * The outbox. Triggers append one row per fact as it is committed, in the same transaction:
 * person (a registration, the whole record), person_edit (only the fields that changed, the
 * version it was based on and its updated_at), visit_event, screening, dose, dose_void,
 * reaction, certificate, certificate_revocation, and (schema 28) aefi_report: a serious
 * reaction's report, once per version, its body the whole case flagged "serious". A laptop keeps
 * another site's reports in its outbox and forwards them (they are facts of that site's visits);
 * the server keeps the newest version of each (server schema 6). The outbox is append-only; rows
 * written while merging what came from elsewhere (sync_applying holds a row) are not re-emitted.
 * A bundle imported here is forwarded: its events join this outbox with their own device and
 * sequence.
 * Since schema 22 the rows are in sync_entry and sync_outbox is a view of them with the same
 * columns: a visit event of this machine is not copied, its row names it (event_id) and keeps
 * only what its body reads from rows that can change later (the person's uuid, the login).
 *
 * The merge rules, the same on the server (vs_apply(), PL/pgSQL) and in a laptop (bundles):
 *  - an event is stored once by uuid (ON CONFLICT (uuid) DO NOTHING); a repeat with the same
 *    content is a no-op; the same uuid with different content goes to quarantine, untouched;
 *  - a registration whose national ID is already known under another uuid is merged into the
 *    person first stored: its uuid becomes an alias, every visit and dose under it is kept and
 *    counted for the merged person, and a "duplicate_person" conflict goes to a manager;
 *  - a person edit merges field by field on a hybrid logical clock (schema 31; server schema 7):
 *    each field keeps the stamp of the edit that wrote it, an edit's field is applied when its
 *    stamp is later, and an edit that did not see the value it replaces (the stamp it names as its
 *    base is not the field's) is a "concurrent_edit" conflict with both values kept; the loser is
 *    kept in history. The result does not depend on the order edits arrive in (merge_person_edit);
 *  - a dose is never dropped: a second dose of the same number for the same (merged) person,
 *    with no manager's override, is kept and a "same_dose_number" conflict names both;
 *  - a void marks the dose voided (a dose is never edited otherwise);
 *  - a manager's merge of two records (person_merge, written by identity.c's merge in its own
 *    transaction) is made by the same code here (a bundle, a pull) and on the server (schema 2,
 *    vs_apply_merges()): the merged record's uuid leads to the kept one; a merge of a person not
 *    held yet waits ("merge_waiting") until the person arrives;
 *  - a manager's resolution of a conflict (conflict_resolved, conflict.c) has a uuid made of the
 *    conflict's kind and two uuids: the server's list leaves out a conflict whose resolution it
 *    holds, a laptop marks it resolved when a bundle or a pull brings it.
 *  - a reaction recorded at another site, and its later states (reaction_update, schema 32), is
 *    stored once by uuid against the (merged) person, with no visit and the site it came from
 *    (sync_pull.c); a dose given elsewhere keeps its place, source and UVCI.
 *  - a dose keeps its additional-dose mark and round (schema 33; server schema 10), which a dose
 *    sent before sends in a dose_marks event; a minor's guardian (a "guardian" event) is kept when
 *    its stamp, on the same clock as edits, is later than the guardian held;
 *  - a dose, dose_marks, reaction or guardian of a person not held yet waits (sync_waiting) and is
 *    merged, in its order of arrival, when a bundle or a pull brings the person.
 *
 * Commit order on the server. Each push batch takes one transaction-level advisory lock before it
 * draws any number from the sequence vs_seq, so writers are serialised and the numbers are handed
 * out in commit order: a reader that has seen number N has seen every committed number below N.
 * Pull asks for rows with seq above the last one it saw. (pg_current_xact_id and snapshot
 * arithmetic would allow parallel writers; a district's pushes are few and short, so the lock
 * is the simpler guarantee.) */
#include "certkeys.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef VAX_HAVE_PQ
#include <libpq-fe.h>
#endif

#define BUNDLE_FORMAT "vaxsite-bundle-1"
/* The most a bundle file may hold: a district's day is a few MB; this leaves years of room. */
#define BUNDLE_MAX ((size_t)1 << 30)

/* ---- the outbox: triggers and the bodies they write ---------------------------------------- */

/* SQL built from macros reads best one clause a line. */
// clang-format off
#define SQ_SITE "coalesce((SELECT code FROM site ORDER BY id LIMIT 1), 'SITE')"
#define SQ_DEVICE "(SELECT value FROM setting WHERE key = 'sync.device_id')"
#define SQ_LOGIN(x) "coalesce((SELECT login FROM staff WHERE id = " x "), '')"
#define SQ_PERSON(x) "(SELECT uuid FROM person WHERE id = " x ")"
#define SQ_VISIT(x) "(SELECT uuid FROM visit WHERE id = " x ")"
#define NOT_APPLYING " WHEN NOT EXISTS (SELECT 1 FROM sync_applying)"
#define OUTBOX_COLS "INSERT INTO sync_outbox(uuid, kind, record_uuid, site, device, at, body) "

#define PERSON_BODY(r)                                                                             \
    "json_object('uuid', " r ".uuid, 'national_id', " r ".national_id,"                            \
    " 'insurance_no', " r ".insurance_no, 'full_name', " r ".full_name,"                           \
    " 'name_folded', " r ".name_folded,"                                                          \
    " 'birth_date', " r ".birth_date, 'sex', " r ".sex, 'phone', " r ".phone,"                     \
    " 'commune', " r ".commune, 'priority_group', " r ".priority_group,"                           \
    " 'version', " r ".version, 'created_at', " r ".created_at,"                                   \
    " 'updated_at', " r ".updated_at, 'updated_by', " SQ_LOGIN(r ".updated_by") ")"

/* person and staff: the person's uuid and the staff member's login, as SQL */
#define VISIT_EVENT_JSON(r, person, staff)                                                         \
    "json_object('visit_uuid', v.uuid, 'person_uuid', " person ","                                 \
    " 'day', v.day, 'ticket', v.ticket, 'from', " r ".from_state, 'to', " r ".to_state,"           \
    " 'at', " r ".at, 'station', " r ".station, 'details', " r ".details,"                         \
    " 'staff', " staff ")"
#define VISIT_EVENT_BODY(r) VISIT_EVENT_JSON(r, SQ_PERSON("v.person_id"), SQ_LOGIN(r ".staff_id"))

#define SCREENING_BODY(r)                                                                          \
    "json_object('visit_uuid', " SQ_VISIT(r ".visit_id") ","                                       \
    " 'person_uuid', " SQ_PERSON(r ".person_id") ","                                               \
    " 'checklist_code', " r ".checklist_code, 'checklist_version', " r ".checklist_version,"       \
    " 'answers', " r ".answers, 'vitals', " r ".vitals, 'findings', " r ".findings,"               \
    " 'notes', " r ".notes, 'proposed', " r ".proposed_outcome, 'final', " r ".final_outcome,"     \
    " 'reasons', " r ".reasons, 'override_reason', " r ".override_reason,"                         \
    " 'products', " r ".products, 'ruled_out', " r ".ruled_out,"                                   \
    " 'return_date', " r ".return_date, 'observation_minutes', " r ".observation_minutes,"         \
    " 'consent', " r ".consent, 'screened_by', " SQ_LOGIN(r ".screened_by") ","                    \
    " 'screened_at', " r ".screened_at)"

/* day: the local calendar day of the site that gave it, the day the site's report counts it. */
#define DOSE_BODY(r)                                                                               \
    "json_object('person_uuid', " SQ_PERSON(r ".person_id") ","                                    \
    " 'visit_uuid', " SQ_VISIT(r ".visit_id") ", 'product', " r ".product,"                        \
    " 'series', " r ".series, 'dose_number', " r ".dose_number, 'given_at', " r ".given_at,"       \
    " 'day', date(" r ".given_at, 'unixepoch', 'localtime'), 'lot_no', " r ".lot_no,"              \
    " 'arm', " r ".arm, 'station', " r ".station, 'vaccinator', " SQ_LOGIN(r ".vaccinator") ","    \
    " 'number_reason', " r ".number_reason, 'override_reason', " r ".override_reason,"             \
    " 'voided', " r ".voided, 'void_reason', " r ".void_reason)"

#define REACTION_BODY(r)                                                                           \
    "json_object('visit_uuid', " SQ_VISIT(r ".visit_id") ","                                       \
    " 'person_uuid', " SQ_PERSON(r ".person_id") ", 'seen_at', " r ".seen_at,"                     \
    " 'signs', " r ".signs, 'severity', " r ".severity, 'action', " r ".action,"                   \
    " 'notes', " r ".notes)"

#define CERT_BODY(r)                                                                               \
    "json_object('dose_uuid', (SELECT uuid FROM dose WHERE id = " r ".dose_id),"                   \
    " 'person_uuid', " SQ_PERSON(r ".person_id") ", 'ci', " r ".ci, 'kid', " r ".kid,"             \
    " 'issued_at', " r ".issued_at, 'expires_at', " r ".expires_at, 'hc1', " r ".hc1)"

#define REVOCATION_BODY(r)                                                                         \
    "json_object('certificate_uuid', (SELECT uuid FROM certificate WHERE id = " r                  \
    ".certificate_id), 'ci', " r ".ci, 'revoked_at', " r ".revoked_at, 'reason', " r ".reason)"

/* The fields of an edit: only those that changed. */
#define EDIT_FIELD(f) "SELECT '" f "' AS k, new." f " AS v WHERE old." f " IS NOT new." f
#define EDIT_FIELDS                                                                                \
    "(SELECT json_group_object(k, v) FROM ("                                                       \
    EDIT_FIELD("national_id") " UNION ALL " EDIT_FIELD("insurance_no") " UNION ALL "               \
    EDIT_FIELD("full_name") " UNION ALL " EDIT_FIELD("birth_date") " UNION ALL "                   \
    EDIT_FIELD("sex") " UNION ALL " EDIT_FIELD("phone") " UNION ALL "                              \
    EDIT_FIELD("commune") " UNION ALL " EDIT_FIELD("priority_group") "))"

/* Since schema 27 a registration carries the person's ethnicity, and an edit carries it when it
 * changed (the bodies above, the field added). */
#define PERSON_BODY_V27(r) "json_set(" PERSON_BODY(r) ", '$.ethnicity', " r ".ethnicity)"
#define EDIT_FIELDS_V27                                                                            \
    "json_patch(" EDIT_FIELDS ", CASE WHEN old.ethnicity IS NOT new.ethnicity THEN"                \
    " json_object('ethnicity', new.ethnicity) ELSE '{}' END)"

/* One outbox row per fact, in the transaction that records it. */
#define FACT_TRIGGER(table, kind, at, body)                                                        \
    "CREATE TRIGGER sync_" table "_ai AFTER INSERT ON " table NOT_APPLYING " BEGIN "               \
    OUTBOX_COLS "VALUES (new.uuid, '" kind "', new.uuid, " SQ_SITE ", " SQ_DEVICE ", "             \
    at ", " body "); END;"

static const char sync_triggers[] =
    FACT_TRIGGER("person", "person", "new.created_at", PERSON_BODY("new"))
    "CREATE TRIGGER sync_person_au AFTER UPDATE ON person" NOT_APPLYING
    " AND (old.version IS NOT new.version OR old.national_id IS NOT new.national_id"
    " OR old.full_name IS NOT new.full_name OR old.birth_date IS NOT new.birth_date"
    " OR old.sex IS NOT new.sex OR old.phone IS NOT new.phone"
    " OR old.commune IS NOT new.commune OR old.insurance_no IS NOT new.insurance_no"
    " OR old.priority_group IS NOT new.priority_group) BEGIN " OUTBOX_COLS
    "VALUES (new.uuid || '/' || " SQ_DEVICE " || '/' || new.version, 'person_edit',"
    " new.uuid, " SQ_SITE ", " SQ_DEVICE ", new.updated_at, json_object("
    " 'person_uuid', new.uuid, 'base_version', old.version, 'version', new.version,"
    " 'updated_at', new.updated_at, 'updated_by', " SQ_LOGIN("new.updated_by") ","
    " 'fields', json(" EDIT_FIELDS "))); END;"
    "CREATE TRIGGER sync_visit_event_ai AFTER INSERT ON visit_event" NOT_APPLYING " BEGIN "
    OUTBOX_COLS "SELECT new.uuid, 'visit_event', new.uuid, " SQ_SITE ", " SQ_DEVICE ", new.at, "
    VISIT_EVENT_BODY("new") " FROM visit v WHERE v.id = new.visit_id; END;"
    FACT_TRIGGER("screening", "screening", "new.screened_at", SCREENING_BODY("new"))
    FACT_TRIGGER("dose", "dose", "new.given_at", DOSE_BODY("new"))
    "CREATE TRIGGER sync_dose_void AFTER UPDATE OF voided ON dose" NOT_APPLYING
    " AND new.voided <> 0 AND old.voided = 0 BEGIN " OUTBOX_COLS
    "VALUES (new.uuid || '/void', 'dose_void', new.uuid, " SQ_SITE ", " SQ_DEVICE ","
    " new.updated_at, json_object('dose_uuid', new.uuid, 'void_reason', new.void_reason,"
    " 'at', new.updated_at)); END;"
    FACT_TRIGGER("reaction", "reaction", "new.seen_at", REACTION_BODY("new"))
    FACT_TRIGGER("certificate", "certificate", "new.issued_at", CERT_BODY("new"))
    FACT_TRIGGER("certificate_revocation", "certificate_revocation", "new.revoked_at",
                 REVOCATION_BODY("new"));

/* What was there before the outbox existed, oldest first within each kind. */
#define BACKFILL(table, kind, at, body)                                                            \
    OUTBOX_COLS "SELECT r.uuid, '" kind "', r.uuid, " SQ_SITE ", " SQ_DEVICE ", " at ", " body     \
    " FROM " table " r ORDER BY r.id;"

static const char sync_backfill[] =
    BACKFILL("person", "person", "r.created_at", PERSON_BODY("r"))
    OUTBOX_COLS "SELECT r.uuid, 'visit_event', r.uuid, " SQ_SITE ", " SQ_DEVICE ", r.at, "
    VISIT_EVENT_BODY("r") " FROM visit_event r JOIN visit v ON v.id = r.visit_id ORDER BY r.id;"
    BACKFILL("screening", "screening", "r.screened_at", SCREENING_BODY("r"))
    BACKFILL("dose", "dose", "r.given_at", DOSE_BODY("r"))
    BACKFILL("reaction", "reaction", "r.seen_at", REACTION_BODY("r"))
    BACKFILL("certificate", "certificate", "r.issued_at", CERT_BODY("r"))
    BACKFILL("certificate_revocation", "certificate_revocation", "r.revoked_at",
             REVOCATION_BODY("r"));
// clang-format on

/* Schema 22 (schema.c moved the rows into sync_entry). The view reads a referring row's body from
 * its event, its visit and the two values kept in the row: the same text the trigger of schema 11
 * wrote, and the same every time it is read (visit_event is append-only; a visit's uuid, day and
 * ticket are fixed by a trigger). */
static const char sync_refs[] =
    "DROP TRIGGER IF EXISTS sync_visit_event_ai;"
    "CREATE VIEW sync_outbox AS SELECT o.seq AS seq, coalesce(o.uuid, e.uuid) AS uuid,"
    " o.kind AS kind, coalesce(o.record_uuid, e.uuid) AS record_uuid, o.site AS site,"
    " o.device AS device, o.device_seq AS device_seq, coalesce(o.at, e.at) AS at,"
    " coalesce(o.body, " VISIT_EVENT_JSON(
        "e", "o.person_uuid",
        "o.staff") ") AS body"
                   " FROM sync_entry o LEFT JOIN visit_event e ON e.id = o.event_id"
                   " LEFT JOIN visit v ON v.id = e.visit_id;"
                   /* what inserted into the table inserts into the view (the triggers of other
                      steps) */
                   "CREATE TRIGGER sync_outbox_insert INSTEAD OF INSERT ON sync_outbox BEGIN"
                   " INSERT INTO sync_entry(uuid, kind, record_uuid, site, device, device_seq, at, "
                   "body)"
                   " VALUES (new.uuid, new.kind, new.record_uuid, new.site, new.device, "
                   "new.device_seq, new.at,"
                   " new.body); END;"
                   "CREATE TRIGGER sync_visit_event_ai AFTER INSERT ON visit_event" NOT_APPLYING
                   " BEGIN"
                   " INSERT INTO sync_entry(event_id, person_uuid, staff, kind, site, device)"
                   " SELECT new.id, " SQ_PERSON("v.person_id") ", " SQ_LOGIN(
                       "new.staff_id") ", 'visit_event', " SQ_SITE ", " SQ_DEVICE
                                       " FROM visit v WHERE v.id = new.visit_id; END;";

/* What sync_person_ai writes through the view's trigger, for the new people ?1 to ?2 (ids) at
 * once and in their order, straight into sync_entry: an import of a long list inserts them with
 * the triggers off on its connection and runs this in the same transaction (exchange.c). A change
 * to the trigger or to sync_outbox_insert changes this too; test_exchange compares an import with
 * registering the same people one by one. */
// clang-format off
const char vax_sync_person_bulk[] =
    "INSERT INTO sync_entry(uuid, kind, record_uuid, site, device, device_seq, at, body)"
    " SELECT p.uuid, 'person', p.uuid, " SQ_SITE ", " SQ_DEVICE ", NULL, p.created_at, "
    PERSON_BODY_V27("p") " FROM person p WHERE p.id BETWEEN ?1 AND ?2"
    " AND NOT EXISTS (SELECT 1 FROM sync_applying) ORDER BY p.id";
// clang-format on

/* Version 24: a void's event names the later doses it renumbers (VAX_LATER_DOSES), so that the
 * server renumbers the same ones; a laptop that applies the void reads the list too. */
#define DOSE_VOID_TRIGGER(event_uuid)                                                              \
    "DROP TRIGGER sync_dose_void;"                                                                 \
    "CREATE TRIGGER sync_dose_void AFTER UPDATE OF voided ON dose" NOT_APPLYING                    \
    " AND new.voided <> 0 AND old.voided = 0 BEGIN " OUTBOX_COLS "VALUES (" event_uuid ","         \
    " 'dose_void', new.uuid, " SQ_SITE ", " SQ_DEVICE ", new.updated_at,"                          \
    " json_object('dose_uuid', new.uuid, 'void_reason', new.void_reason, 'at', new.updated_at,"    \
    " 'later', json(" VAX_LATER_DOSES("new") "))); END;"
static const char sync_dose_void_v24[] = DOSE_VOID_TRIGGER("new.uuid || '/void'");

int vax_sync_seed_v24(vax_db *db)
{
    int rc = sqlite3_exec(db->sql, sync_dose_void_v24, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, _("upgrading the database"));
}

/* Schema 27: the person's ethnicity travels with a registration and, when it changes, with an
 * edit (the triggers of schema 11, with the field added). */
// clang-format off
static const char sync_person_v27[] =
    "DROP TRIGGER sync_person_ai; DROP TRIGGER sync_person_au;"
    FACT_TRIGGER("person", "person", "new.created_at", PERSON_BODY_V27("new"))
    "CREATE TRIGGER sync_person_au AFTER UPDATE ON person" NOT_APPLYING
    " AND (old.version IS NOT new.version OR old.national_id IS NOT new.national_id"
    " OR old.full_name IS NOT new.full_name OR old.birth_date IS NOT new.birth_date"
    " OR old.sex IS NOT new.sex OR old.phone IS NOT new.phone"
    " OR old.commune IS NOT new.commune OR old.insurance_no IS NOT new.insurance_no"
    " OR old.priority_group IS NOT new.priority_group OR old.ethnicity IS NOT new.ethnicity)"
    " BEGIN " OUTBOX_COLS
    "VALUES (new.uuid || '/' || " SQ_DEVICE " || '/' || new.version, 'person_edit',"
    " new.uuid, " SQ_SITE ", " SQ_DEVICE ", new.updated_at, json_object("
    " 'person_uuid', new.uuid, 'base_version', old.version, 'version', new.version,"
    " 'updated_at', new.updated_at, 'updated_by', " SQ_LOGIN("new.updated_by") ","
    " 'fields', json(" EDIT_FIELDS_V27 "))); END;";
// clang-format on

int vax_sync_seed_person_v27(vax_db *db)
{
    int rc = sqlite3_exec(db->sql, sync_person_v27, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, _("upgrading the database"));
}

/* Schema 28: a serious reaction's report (aefi.c) leaves when it is saved and again, as a new
 * event (uuid/version), each time it is corrected. Its body is the case as the district reads
 * it: the reaction, the person, the dose and what was typed, with "serious" as the flag the
 * district lists it by. */
// clang-format off
#define AEFI_BODY(r)                                                                               \
    "(SELECT json_object('report_uuid', " r ".uuid, 'version', " r ".version,"                      \
    " 'serious', json(CASE x.severity WHEN 'serious' THEN 'true' ELSE 'false' END),"                 \
    " 'reaction_uuid', x.uuid, 'person_uuid', p.uuid,"                                              \
    " 'visit_uuid', v.uuid, 'dose_uuid', d.uuid, 'product', d.product,"                            \
    " 'dose_number', d.dose_number, 'lot_no', d.lot_no, 'given_at', d.given_at, 'arm', d.arm,"     \
    " 'seen_at', x.seen_at, 'signs', x.signs, 'action', x.action,"                                  \
    " 'onset_at', " r ".onset_at, 'treatment', " r ".treatment, 'hospital', " r ".hospital,"        \
    " 'outcome', " r ".outcome, 'parent_name', " r ".parent_name,"                                 \
    " 'reporter_name', " r ".reporter_name, 'reporter_title', " r ".reporter_title,"               \
    " 'reporter_phone', " r ".reporter_phone, 'injection_site', " r ".injection_site,"             \
    " 'notes', " r ".notes, 'updated_at', " r ".updated_at,"                                       \
    " 'updated_by', " SQ_LOGIN(r ".updated_by") ")"                                                \
    " FROM reaction x JOIN person p ON p.id = x.person_id JOIN visit v ON v.id = x.visit_id"       \
    " LEFT JOIN dose d ON d.id = (SELECT max(id) FROM dose WHERE visit_id = x.visit_id"            \
    "  AND voided = 0) WHERE x.id = " r ".reaction_id)"
#define AEFI_TRIGGER(when)                                                                         \
    "CREATE TRIGGER sync_aefi_report_" when " AFTER " when " ON aefi_report" NOT_APPLYING         \
    " BEGIN " OUTBOX_COLS "VALUES (new.uuid || '/' || new.version, 'aefi_report', new.uuid, "      \
    SQ_SITE ", " SQ_DEVICE ", new.updated_at, " AEFI_BODY("new") "); END;"
static const char sync_aefi_v28[] = AEFI_TRIGGER("INSERT") AEFI_TRIGGER("UPDATE");
// clang-format on

int vax_sync_seed_aefi_v28(vax_db *db)
{
    int rc = sqlite3_exec(db->sql, sync_aefi_v28, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, _("upgrading the database"));
}

/* Schema 31: an edit is stamped by this laptop's hybrid logical clock. The clock's milliseconds
 * are the edit's wall time unless the clock has already seen later ones (from another laptop's
 * edits, clock_seen()), when its counter goes up instead: an edit made after another was seen
 * always stamps later, whatever the laptop's clock says. The stamp is text that sorts in time
 * order, 15 digits of milliseconds, 5 of counter and the device (no two devices stamp alike):
 * HLC_TEXT. The event names the stamps of the fields it changed as the laptop saw them ("base"),
 * which tells a merge whether the edit knew the value it replaces; its uuid is the record's and
 * its stamp (a pulled record's version cannot make it repeat an earlier uuid). */
// clang-format off
#define HLC_TEXT "(SELECT printf('%015d.%05d.', ms, n) || " SQ_DEVICE " FROM sync_clock)"
#define CHANGED_FIELDS "json_each(" EDIT_FIELDS_V27 ")"
static const char sync_clock_v31[] =
    "DROP TRIGGER sync_person_au;"
    "CREATE TRIGGER sync_person_au AFTER UPDATE ON person" NOT_APPLYING
    " AND (old.version IS NOT new.version OR old.national_id IS NOT new.national_id"
    " OR old.full_name IS NOT new.full_name OR old.birth_date IS NOT new.birth_date"
    " OR old.sex IS NOT new.sex OR old.phone IS NOT new.phone"
    " OR old.commune IS NOT new.commune OR old.insurance_no IS NOT new.insurance_no"
    " OR old.priority_group IS NOT new.priority_group OR old.ethnicity IS NOT new.ethnicity)"
    " BEGIN"
    " UPDATE sync_clock SET n = CASE WHEN new.updated_at * 1000 > ms THEN 0 ELSE n + 1 END,"
    " ms = max(ms, new.updated_at * 1000);"
    OUTBOX_COLS "VALUES (new.uuid || '/' || " HLC_TEXT ", 'person_edit',"
    " new.uuid, " SQ_SITE ", " SQ_DEVICE ", new.updated_at, json_object("
    " 'person_uuid', new.uuid, 'base_version', old.version, 'version', new.version,"
    " 'updated_at', new.updated_at, 'updated_by', " SQ_LOGIN("new.updated_by") ","
    " 'hlc', " HLC_TEXT ", 'base', json((SELECT json_group_object(f.key, coalesce(c.hlc, ''))"
    " FROM " CHANGED_FIELDS " f LEFT JOIN person_clock c ON c.person_id = new.id"
    " AND c.field = f.key)), 'fields', json(" EDIT_FIELDS_V27 ")));"
    " INSERT OR REPLACE INTO person_clock(person_id, field, hlc, event_uuid)"
    " SELECT new.id, f.key, " HLC_TEXT ", new.uuid || '/' || " HLC_TEXT " FROM " CHANGED_FIELDS " f;"
    " END;";
// clang-format on

/* Also schema 31: a person's other ID (person_id: the old CMND of someone registered by CCCD, or
 * the reverse) travels as a person_link event, those linked before it as well, so that the
 * district and the other laptops know both numbers lead to one person (merge_person_link). */
// clang-format off
#define LINK_EVENT(r)                                                                              \
    OUTBOX_COLS "SELECT p.uuid || '/id/' || " r ".value, 'person_link', p.uuid, " SQ_SITE ", "      \
    SQ_DEVICE ", " r ".created_at, json_object('person_uuid', p.uuid, 'value', " r ".value,"        \
    " 'kind', " r ".kind, 'at', " r ".created_at, 'by', " SQ_LOGIN(r ".created_by") ")"
/* And: two laptops that void one dose (each before seeing the other's void) wrote two events of
 * one uuid, the second quarantined at the district: a void's uuid names its device. */
static const char sync_void_v31[] = DOSE_VOID_TRIGGER("new.uuid || '/void/' || " SQ_DEVICE);
static const char sync_links_v31[] =
    "CREATE TRIGGER sync_person_id_ai AFTER INSERT ON person_id" NOT_APPLYING " BEGIN "
    LINK_EVENT("new") " FROM person p WHERE p.id = new.person_id; END;"
    LINK_EVENT("l") " FROM person_id l JOIN person p ON p.id = l.person_id"
    " ORDER BY l.created_at, l.value;";
// clang-format on

int vax_sync_seed_clock_v31(vax_db *db)
{
    int rc = sqlite3_exec(db->sql, sync_clock_v31, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db->sql, sync_links_v31, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db->sql, sync_void_v31, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, _("upgrading the database"));
}

/* Schema 32: a dose given elsewhere (elsewhere.c) leaves with where it was given and how it was
 * learnt (place, source, uvci, verified); a dose given here leaves with the same body as before.
 * The reaction table was rebuilt (schema.c): its trigger, dropped with it, is made again, its
 * body naming what is still provisional (pending) when something is. A reaction is completed
 * after it is kept (observe.c: the action, the severity, the outcome at release): each change of
 * this site's reaction leaves as a "reaction_update" event, the reaction as it now is, so that
 * another site shows what was decided and not the first provisional values; the reactions kept
 * before this step leave so once, as they are now. */
// clang-format off
/* body, with the fields of a dose given elsewhere when the dose r is one */
#define WITH_ELSEWHERE(r, body)                                                                    \
    "CASE WHEN " r ".source = '' THEN " body " ELSE json_set(" body ","                            \
    " '$.place', " r ".place, '$.source', " r ".source, '$.uvci', " r ".uvci,"                     \
    " '$.verified', " r ".verified) END"
#define DOSE_BODY_V31(r) WITH_ELSEWHERE(r, DOSE_BODY(r))
#define REACTION_BODY_V31(r)                                                                       \
    "CASE WHEN " r ".pending = '' THEN " REACTION_BODY(r) " ELSE json_set(" REACTION_BODY(r) ","   \
    " '$.pending', " r ".pending) END"
#define REACTION_UPDATE_BODY(r)                                                                    \
    "json_set(" REACTION_BODY(r) ", '$.reaction_uuid', " r ".uuid, '$.pending', " r ".pending,"    \
    " '$.outcome', " r ".outcome, '$.updated_at', " r ".updated_at)"
static const char sync_v32[] =
    "DROP TRIGGER sync_dose_ai;"
    FACT_TRIGGER("dose", "dose", "new.given_at", DOSE_BODY_V31("new"))
    FACT_TRIGGER("reaction", "reaction", "new.seen_at", REACTION_BODY_V31("new"))
    "CREATE TRIGGER sync_reaction_au AFTER UPDATE ON reaction" NOT_APPLYING
    " AND new.site = '' AND (old.signs IS NOT new.signs OR old.severity IS NOT new.severity"
    " OR old.action IS NOT new.action OR old.notes IS NOT new.notes"
    " OR old.pending IS NOT new.pending OR old.outcome IS NOT new.outcome) BEGIN " OUTBOX_COLS
    "VALUES (new.uuid || '/' || lower(hex(randomblob(8))), 'reaction_update', new.uuid, "
    SQ_SITE ", " SQ_DEVICE ", new.updated_at, " REACTION_UPDATE_BODY("new") "); END;"
    /* the reactions already here left as they were first kept: each leaves once more as it is */
    OUTBOX_COLS "SELECT r.uuid || '/v32', 'reaction_update', r.uuid, " SQ_SITE ", " SQ_DEVICE ","
    " r.updated_at, " REACTION_UPDATE_BODY("r") " FROM reaction r WHERE r.site = '' ORDER BY r.id;";
// clang-format on

int vax_sync_seed_v32(vax_db *db)
{
    int rc = sqlite3_exec(db->sql, sync_v32, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, _("upgrading the database"));
}

/* Schema 33 (schema.c says why). The round is the one the trigger dose_round_ai writes after the
 * insert (whichever of the two runs first); a guardian's stamp ticks the registry's clock as an
 * edit does, and is kept with the guardian. The guardian's update trigger runs when the name or
 * the phone changed, not for the stamp written by either. */
// clang-format off
#define DOSE_ROUND(r)                                                                              \
    "CASE WHEN " r ".round = '' AND " r ".visit_id IS NOT NULL AND " r ".source = ''"              \
    " THEN coalesce((SELECT value FROM setting WHERE key = 'campaign.round'), '')"                 \
    " ELSE " r ".round END"
#define DOSE_BODY_V33(r)                                                                           \
    "json_set(" DOSE_BODY_V31(r) ", '$.additional', " r ".additional, '$.round', " DOSE_ROUND(r) ")"
#define MARKS_BODY(r)                                                                              \
    "json_object('dose_uuid', " r ".uuid, 'person_uuid', " SQ_PERSON(r ".person_id") ","           \
    " 'additional', " r ".additional, 'round', " r ".round)"
#define GUARDIAN_EVENT(r, from)                                                                    \
    OUTBOX_COLS "SELECT p.uuid || '/guardian/' || " HLC_TEXT ", 'guardian', p.uuid, " SQ_SITE ", " \
    SQ_DEVICE ", " r ".updated_at, json_object('person_uuid', p.uuid, 'name', " r ".name,"         \
    " 'phone', " r ".phone, 'updated_at', " r ".updated_at, 'updated_by', "                        \
    SQ_LOGIN(r ".updated_by") ", 'hlc', " HLC_TEXT ") FROM " from "person p"                       \
    " WHERE p.id = " r ".person_id;"
#define GUARDIAN_TRIGGER(when, cond)                                                               \
    "CREATE TRIGGER sync_guardian_" when " AFTER " when " ON person_guardian" NOT_APPLYING cond    \
    " BEGIN UPDATE sync_clock SET n = CASE WHEN new.updated_at * 1000 > ms THEN 0 ELSE n + 1 END," \
    " ms = max(ms, new.updated_at * 1000);"                                                        \
    " UPDATE person_guardian SET hlc = " HLC_TEXT " WHERE person_id = new.person_id; "             \
    GUARDIAN_EVENT("new", "") " END;"
static const char sync_v33[] =
    "DROP TRIGGER sync_dose_ai;"
    FACT_TRIGGER("dose", "dose", "new.given_at", DOSE_BODY_V33("new"))
    GUARDIAN_TRIGGER("INSERT", "")
    GUARDIAN_TRIGGER("UPDATE", " AND (old.name IS NOT new.name OR old.phone IS NOT new.phone)")
    /* what left before: the marks of this site's own doses that have any, and of a dose given
     * elsewhere where and how it was learnt (its event before schema 32 did not say); the
     * guardians */
    OUTBOX_COLS "SELECT d.uuid || '/marks', 'dose_marks', d.uuid, " SQ_SITE ", " SQ_DEVICE ","
    " d.given_at, " WITH_ELSEWHERE("d", MARKS_BODY("d")) " FROM dose d"
    " WHERE (d.additional <> 0 OR d.round <> '' OR d.source <> '')"
    " AND NOT EXISTS (SELECT 1 FROM sync_origin o WHERE o.uuid = d.uuid) ORDER BY d.id;"
    "UPDATE sync_clock SET n = n + 1;"
    "UPDATE person_guardian SET hlc = " HLC_TEXT ";"
    GUARDIAN_EVENT("g", "person_guardian g, ");
// clang-format on

int vax_sync_seed_v33(vax_db *db)
{
    int rc = sqlite3_exec(db->sql, sync_v33, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, _("upgrading the database"));
}

int vax_sync_seed_refs(vax_db *db)
{
    int rc = sqlite3_exec(db->sql, sync_refs, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, _("upgrading the database"));
}

int vax_sync_seed(vax_db *db)
{
    char dev[37];
    int rc;
    if ((rc = vax_uuid(dev)) != VAX_OK)
        return vax_fail(db, rc, NULL, "%s", _("Cannot make a random device id."));
    sqlite3_stmt *st = vax_stmt(db, "INSERT OR IGNORE INTO setting(key, value, updated_at)"
                                    " VALUES ('sync.device_id', ?1, ?2)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, dev, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, vax_now());
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("upgrading the database"));
    if ((rc = sqlite3_exec(db->sql, sync_triggers, NULL, NULL, NULL)) != SQLITE_OK ||
        (rc = sqlite3_exec(db->sql, sync_backfill, NULL, NULL, NULL)) != SQLITE_OK)
        return vax_fail_sql(db, rc, _("upgrading the database"));
    return VAX_OK;
}

/* ---- small helpers ------------------------------------------------------------------------- */

int vax_sync_device_id(vax_db *db, char out[37])
{
    int rc = vax_setting_get(db, "sync.device_id", out, 37);
    return rc;
}

static int64_t mark_get(vax_db *db, const char *key)
{
    int64_t v = 0;
    vax_setting_get_int(db, key, 0, &v);
    return v;
}

/* Inside the caller's transaction. */
static int setting_put(vax_db *db, const char *key, const char *value)
{
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO setting(key, value, updated_at, updated_by)"
                                    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET"
                                    " value = excluded.value, updated_at = excluded.updated_at,"
                                    " updated_by = excluded.updated_by");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, vax_now());
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 4, vax_actor_id(db));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("saving what was sent"));
}

static int mark_set(vax_db *db, const char *key, int64_t value)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)value);
    return setting_put(db, key, buf);
}

int vax_sync_pending(vax_db *db, const char *channel, int64_t *n)
{
    const char *key =
        channel && !strcmp(channel, "bundle") ? "sync.bundled_seq" : "sync.pushed_seq";
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM sync_entry WHERE seq > ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, mark_get(db, key));
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the outbox"));
}

/* A text field of a JSON body ("" when missing or null); the statement is cached. */
static void jtext(vax_db *db, const char *body, const char *path, char *out, size_t size)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT json_extract(?1, ?2)");
    out[0] = 0;
    if (!st)
        return;
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        vax_strlcpy(out, vax_col_text(st, 0), size);
    sqlite3_reset(st);
}

static int64_t jint(vax_db *db, const char *body, const char *path)
{
    char buf[32];
    jtext(db, body, path, buf, sizeof buf);
    return strtoll(buf, NULL, 10);
}

/* A conflict listed for a manager, once (kind and the two uuids); field, a_value and b_value
 * (NULL: none) are the fields two edits disputed and each one's values, set on a listing that
 * has none yet. */
static int conflict_add_values(vax_db *db, const char *kind, const char *person_uuid, const char *a,
                               const char *b, const char *details, const char *field,
                               const char *a_value, const char *b_value)
{
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO sync_conflict(kind, person_uuid, a_uuid, b_uuid, details, created_at,"
            " field, a_value, b_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            " ON CONFLICT (kind, a_uuid, b_uuid) DO UPDATE SET field = excluded.field,"
            " a_value = excluded.a_value, b_value = excluded.b_value"
            " WHERE excluded.a_value IS NOT NULL");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, person_uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, b ? b : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, details, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, vax_now());
    sqlite3_bind_text(st, 7, field ? field : "", -1, SQLITE_STATIC);
    if (a_value)
        sqlite3_bind_text(st, 8, a_value, -1, SQLITE_STATIC);
    if (b_value)
        sqlite3_bind_text(st, 9, b_value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("listing a conflict"));
}

static int conflict_add(vax_db *db, const char *kind, const char *person_uuid, const char *a,
                        const char *b, const char *details)
{
    return conflict_add_values(db, kind, person_uuid, a, b, details, NULL, NULL, NULL);
}

/* The local person a uuid names (itself or a merged alias); 0 if none. */
static int64_t person_by_uuid(vax_db *db, const char *uuid)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT id FROM person WHERE uuid = ?1"
                     " UNION ALL SELECT person_id FROM sync_alias WHERE uuid = ?1 LIMIT 1");
    int64_t id = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

/* The record a local person was merged into (itself when it was not): a merge points straight
 * at the surviving record (identity.c moves older pointers along). */
static int64_t person_canon(vax_db *db, int64_t id)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT coalesce(merged_into, id) FROM person WHERE id = ?1");
    if (!st)
        return id;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

int64_t vax_sync_person_here(vax_db *db, const char *uuid)
{
    int64_t id = person_by_uuid(db, uuid);
    return id ? person_canon(db, id) : 0;
}

static int exec1(vax_db *db, const char *sql, const char *doing)
{
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, doing);
}

/* ---- merging one event into this database (bundle import, pull) ---------------------------- */

typedef struct merge_ctx {
    vax_sync_stats *stats;
    const char *site, *device; /* where the event comes from */
} merge_ctx;

static int origin_add(vax_db *db, const char *uuid, const merge_ctx *m)
{
    sqlite3_stmt *st = vax_stmt(db, "INSERT OR IGNORE INTO sync_origin(uuid, site, device)"
                                    " VALUES (?1, ?2, ?3)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->device, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging records"));
}

/* Keeps a losing edit in person_history: the current record with the edit's fields over it. */
#define LOSTF(f)                                                                                   \
    " CASE WHEN json_type(?2, '$." f "') IS NULL THEN " f " ELSE json_extract(?2, '$." f "') END,"
static int history_lost(vax_db *db, int64_t person_id, const char *fields)
{
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO person_history(person_id, version, national_id, insurance_no, full_name,"
            " birth_date, sex, phone, commune, ethnicity, priority_group, reason, replaced_at,"
            " replaced_by) SELECT id, version," LOSTF("national_id") LOSTF("insurance_no")
                LOSTF("full_name") LOSTF("birth_date") LOSTF("sex") LOSTF("phone") LOSTF("commune")
                    LOSTF("ethnicity") " priority_group, 'sync: older edit from another device,"
                                       " not applied', ?3, ?4 FROM person WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, fields, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, vax_now());
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 4, vax_actor_id(db));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("saving a person's history"));
}
#undef LOSTF

/* Sets the fields present in the JSON object `fields` (a whole record or an edit's changes). */
static int person_set_fields(vax_db *db, int64_t id, const char *fields, int64_t version,
                             int64_t updated_at)
{
    char name[256];
    char *folded = NULL;
    jtext(db, fields, "$.full_name", name, sizeof name);
    if (name[0] && !(folded = vax_text_fold(name)))
        return VAX_ENOMEM;
#define SETF(f)                                                                                    \
    " " f " = CASE WHEN json_type(?2, '$." f "') IS NULL THEN " f " ELSE json_extract(?2, '$." f   \
    "') END,"
    sqlite3_stmt *st = vax_stmt(
        db,
        "UPDATE person SET" SETF("national_id") SETF("insurance_no") SETF("full_name")
            SETF("birth_date") SETF("sex") SETF("phone") SETF("ethnicity") SETF(
                "commune") " priority_group = CASE WHEN json_type(?2, '$.priority_group') IS NULL "
                           "THEN"
                           " priority_group ELSE (SELECT code FROM priority_group WHERE code ="
                           " json_extract(?2, '$.priority_group')) END,"
                           " name_folded = coalesce(?3, name_folded), version = ?4, updated_at = ?5"
                           " WHERE id = ?1");
#undef SETF
    if (!st) {
        free(folded);
        return VAX_EINTERNAL;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, fields, -1, SQLITE_STATIC);
    if (folded)
        sqlite3_bind_text(st, 3, folded, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, version);
    sqlite3_bind_int64(st, 5, updated_at);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(folded);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging a person"));
}

/* A registration (or the registry's current record, from a pull). */
/* A registration of a person under an ID that another record holds is the same person only when
 * the birth date and the name (folded: marks and case aside) agree; otherwise the two are kept
 * apart (keep_apart), never folded into one. */
static int same_identity(vax_db *db, int64_t holder, const char *body, int *same)
{
    char name[256], dob[16];
    jtext(db, body, "$.birth_date", dob, sizeof dob);
    jtext(db, body, "$.name_folded", name, sizeof name);
    char *folded = NULL;
    if (!name[0]) { /* an event written before the body carried it */
        jtext(db, body, "$.full_name", name, sizeof name);
        if (!(folded = vax_text_fold(name)))
            return VAX_ENOMEM;
        vax_strlcpy(name, folded, sizeof name);
        free(folded);
    }
    sqlite3_stmt *st = vax_stmt(db, "SELECT name_folded = ?2 AND birth_date = ?3 FROM person"
                                    " WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, holder);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, dob, -1, SQLITE_TRANSIENT);
    *same = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return VAX_OK;
}

/* The identifier a record kept apart gets while its ID is in dispute: a site-made identifier
 * ("KGT" and the first 9 hex digits of its uuid, upper case), the same on every laptop and on the
 * server (vs_identity), so that all of them hold the same records under the same IDs. */
static void disputed_id(const char *uuid, char out[13])
{
    size_t n = 3;
    memcpy(out, VAX_SITE_ID_PREFIX, 3);
    for (const char *p = uuid; *p && n < 12; p++)
        if (*p != '-')
            out[n++] = (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
    out[n] = 0;
}

static int insert_person(vax_db *db, const char *body, const char *national_id);

/* Two records of one ID that are not one person: the earlier registration (created_at, then uuid)
 * keeps the ID, the other takes its disputed identifier (disputed_id), whichever arrived first,
 * so that every database ends the same; a "same_id_differs" conflict names both for a manager. */
static int keep_apart(vax_db *db, int64_t holder, const char *body, const merge_ctx *m)
{
    char uuid[64], nid[16], huuid[64] = "", hname[256] = "", hdob[16] = "", name[256], dob[16];
    char kept_id[13];
    int64_t hcreated = 0;
    int rc;
    jtext(db, body, "$.uuid", uuid, sizeof uuid);
    jtext(db, body, "$.national_id", nid, sizeof nid);
    jtext(db, body, "$.full_name", name, sizeof name);
    jtext(db, body, "$.birth_date", dob, sizeof dob);
    int64_t created = jint(db, body, "$.created_at");
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT uuid, full_name, birth_date, created_at FROM person WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, holder);
    if (sqlite3_step(st) == SQLITE_ROW) {
        vax_strlcpy(huuid, vax_col_text(st, 0), sizeof huuid);
        vax_strlcpy(hname, vax_col_text(st, 1), sizeof hname);
        vax_strlcpy(hdob, vax_col_text(st, 2), sizeof hdob);
        hcreated = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    int incoming_first = created < hcreated || (created == hcreated && strcmp(uuid, huuid) < 0);
    const char *apart_uuid = incoming_first ? huuid : uuid;
    disputed_id(apart_uuid, kept_id);
    if (incoming_first) { /* the record here gives the ID up; its old version goes to history */
        if ((rc = vax_person_history_keep(db, holder, "sync: ID in dispute with another record",
                                          vax_now())) != VAX_OK)
            return rc;
        st = vax_stmt(db, "UPDATE person SET national_id = ?2 WHERE id = ?1");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, holder);
        sqlite3_bind_text(st, 2, kept_id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("merging a person"));
    }
    if ((rc = insert_person(db, body, incoming_first ? nid : kept_id)) != VAX_OK)
        return rc;
    const char *first = incoming_first ? uuid : huuid, *second = incoming_first ? huuid : uuid;
    vax_buf details = {0};
    if (vax_buf_printf(&details,
                       "ID %s registered for %s (born %s) and for %s (born %s): kept apart; the"
                       " second is %s until a manager decides",
                       nid, incoming_first ? name : hname, incoming_first ? dob : hdob,
                       incoming_first ? hname : name, incoming_first ? hdob : dob,
                       kept_id) != VAX_OK)
        return VAX_ENOMEM;
    m->stats->people++;
    m->stats->conflicts++;
    rc = conflict_add(db, "same_id_differs", first, first, second, details.data);
    vax_buf_free(&details);
    if (rc != VAX_OK)
        return rc;
    return origin_add(db, uuid, m);
}

static int merge_pulled_fields(vax_db *db, int64_t id, const char *body, const merge_ctx *m);

/* A record from the district, known here: its values are taken field by field unless the district
 * merged it into another record (whose own record, pulled too, is the one that counts). */
static int pulled_record(vax_db *db, int64_t id, const char *body, const merge_ctx *m)
{
    char merged[64];
    jtext(db, body, "$.merged_into", merged, sizeof merged);
    return merged[0] ? VAX_OK : merge_pulled_fields(db, id, body, m);
}
static int merge_person_linked(vax_db *db, const char *body, const merge_ctx *m);
static int alias_person(vax_db *db, int64_t id, const char *other, const char *body,
                        const merge_ctx *m);

static int merge_person(vax_db *db, const char *body, const merge_ctx *m)
{
    char uuid[64], nid[16];
    int rc;
    jtext(db, body, "$.uuid", uuid, sizeof uuid);
    jtext(db, body, "$.national_id", nid, sizeof nid);
    int64_t id = person_by_uuid(db, uuid);
    if (id) {
        /* known: a newer record (from a pull) replaces ours, the old one kept in history */
        sqlite3_stmt *st = vax_stmt(db, "SELECT updated_at, uuid FROM person WHERE id = ?1");
        int64_t ours = 0;
        int same = 0;
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            ours = sqlite3_column_int64(st, 0);
            same = !strcmp(vax_col_text(st, 1), uuid);
        }
        sqlite3_reset(st);
        int64_t theirs = jint(db, body, "$.updated_at");
        char clock[4];
        jtext(db, body, "$.clock", clock, sizeof clock);
        /* the district's record, with its fields' stamps; also when it is the record this laptop
         * holds under another uuid (one ID registered twice: the district kept the other) */
        if (clock[0])
            return pulled_record(db, id, body, m);
        if (!same || theirs <= ours)
            return VAX_OK;
        if ((rc = vax_person_history_keep(db, id, "sync: replaced by the district's newer version",
                                          vax_now())) != VAX_OK)
            return rc;
        m->stats->people++;
        return person_set_fields(db, id, body, jint(db, body, "$.version"), theirs);
    }
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, uuid FROM person WHERE national_id = ?1");
    char other[64] = "";
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, nid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        vax_strlcpy(other, vax_col_text(st, 1), sizeof other);
    }
    sqlite3_reset(st);
    if (!id) /* new here, or held as a person's other ID (merge_person_link) */
        return merge_person_linked(db, body, m);
    int same_person = 0;
    if ((rc = same_identity(db, id, body, &same_person)) != VAX_OK)
        return rc;
    return same_person ? alias_person(db, id, other, body, m) : keep_apart(db, id, body, m);
}

/* Registered twice with the same ID (or one of the person's IDs): one person, both uuids lead to
 * it; a manager is told. */
static int alias_person(vax_db *db, int64_t id, const char *other, const char *body,
                        const merge_ctx *m)
{
    char details[300], uuid[64], nid[16], clock[4];
    jtext(db, body, "$.uuid", uuid, sizeof uuid);
    jtext(db, body, "$.national_id", nid, sizeof nid);
    sqlite3_stmt *st =
        vax_stmt(db, "INSERT OR IGNORE INTO sync_alias(uuid, person_id) VALUES (?1, ?2)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("merging a person"));
    snprintf(details, sizeof details, "ID %s registered at %s (device %.8s) and here", nid, m->site,
             m->device);
    m->stats->conflicts++;
    if ((rc = conflict_add(db, "duplicate_person", other, other, uuid, details)) != VAX_OK)
        return rc;
    /* the district's record of them (a pull): its values where not edited here since, so that
     * this laptop holds what the district holds, whichever registration it kept */
    jtext(db, body, "$.clock", clock, sizeof clock);
    return clock[0] ? pulled_record(db, id, body, m) : VAX_OK;
}

/* Two local people the same person by their folded names and birth dates. */
static int same_people(vax_db *db, int64_t a, int64_t b)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT x.name_folded = y.name_folded AND"
                                    " x.birth_date = y.birth_date FROM person x, person y"
                                    " WHERE x.id = ?1 AND y.id = ?2");
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int same = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return same;
}

/* The person here who holds the ID as another of their numbers (person_id), or 0. */
static int64_t person_by_link(vax_db *db, const char *value, char uuid[64])
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT p.id, p.uuid FROM person_id l JOIN person p"
                                    " ON p.id = l.person_id WHERE l.value = ?1");
    int64_t id = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        vax_strlcpy(uuid, vax_col_text(st, 1), 64);
    }
    sqlite3_reset(st);
    return id;
}

static int conflict_linked_differs(vax_db *db, const char *holder_uuid, const char *other_uuid,
                                   const char *value, const merge_ctx *m)
{
    char details[300];
    snprintf(details, sizeof details,
             "ID %s is one person's other ID and another person's own (from %s): not merged,"
             " a manager decides",
             value, m->site);
    m->stats->conflicts++;
    return conflict_add(db, "linked_id_differs", holder_uuid, holder_uuid, other_uuid, details);
}

/* A registration under an ID nobody here has as their own: when a person here has it as another
 * of their numbers (a CCCD linked to the CMND they were registered by), the registration is theirs
 * when the names and birth dates agree, as a second registration of one ID is (alias_person);
 * otherwise it is a person of its own and a manager is told. */
static int merge_person_linked(vax_db *db, const char *body, const merge_ctx *m)
{
    char uuid[64], nid[16], holder_uuid[64] = "";
    int rc;
    jtext(db, body, "$.uuid", uuid, sizeof uuid);
    jtext(db, body, "$.national_id", nid, sizeof nid);
    int64_t holder = nid[0] ? person_by_link(db, nid, holder_uuid) : 0;
    if (holder) {
        int same = 0;
        if ((rc = same_identity(db, holder, body, &same)) != VAX_OK)
            return rc;
        if (same)
            return alias_person(db, holder, holder_uuid, body, m);
    }
    if ((rc = insert_person(db, body, NULL)) != VAX_OK)
        return rc;
    m->stats->people++;
    if (holder && (rc = conflict_linked_differs(db, holder_uuid, uuid, nid, m)) != VAX_OK)
        return rc;
    return origin_add(db, uuid, m);
}

/* A person's other ID from another laptop or the district (a person_link event). Held here by
 * nobody: linked. The own ID of another record here with the same name and birth date: the two
 * records are one person, that record is merged into the one the link names (the same on every
 * laptop and on the server: the link's holder is kept). Another person's: listed, not merged. */
static int merge_person_link(vax_db *db, const char *body, const merge_ctx *m)
{
    char puuid[64], value[16], kind[8], origin[200];
    int rc;
    jtext(db, body, "$.person_uuid", puuid, sizeof puuid);
    jtext(db, body, "$.value", value, sizeof value);
    jtext(db, body, "$.kind", kind, sizeof kind);
    int64_t x = vax_sync_person_here(db, puuid);
    if (!x || !value[0]) {
        m->stats->unapplied++; /* forwarded to the district; no such person here */
        return VAX_OK;
    }
    char holder_uuid[64] = "";
    int64_t holder = person_by_link(db, value, holder_uuid);
    if (holder)
        return person_canon(db, holder) == x
                   ? VAX_OK
                   : conflict_linked_differs(db, holder_uuid, puuid, value, m);
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, uuid FROM person WHERE national_id = ?1"
                                    " AND merged_into IS NULL AND id <> ?2");
    int64_t y = 0;
    char yuuid[64] = "";
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, x);
    if (sqlite3_step(st) == SQLITE_ROW) {
        y = sqlite3_column_int64(st, 0);
        vax_strlcpy(yuuid, vax_col_text(st, 1), sizeof yuuid);
    }
    sqlite3_reset(st);
    if (y && !same_people(db, x, y)) {
        /* listed; the link is kept as a registration under it would have found it */
        if ((rc = conflict_linked_differs(db, puuid, yuuid, value, m)) != VAX_OK)
            return rc;
        y = 0;
    }
    if (y) {
        snprintf(origin, sizeof origin, "one person's two ID numbers, linked at %s", m->site);
        rc = vax_person_merge_locked(db, y, x, "sync: one person's two ID numbers", origin);
        if (rc == VAX_EEXIST) {
            vax_clear_error(db);
            m->stats->conflicts++;
            return conflict_add(db, "merge_refused", puuid, puuid, yuuid,
                                "one person's two ID numbers, both records with a dose of the same"
                                " number here; void the one recorded by mistake, then merge them");
        }
        if (rc != VAX_OK)
            return rc;
        m->stats->people++;
    }
    st = vax_stmt(db, "INSERT INTO person_id(value, person_id, kind, created_at)"
                      " VALUES (?1, ?2, CASE WHEN ?3 IN ('cccd', 'cmnd', 'site') THEN ?3"
                      " ELSE 'site' END, ?4)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, x);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, jint(db, body, "$.at"));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("linking an ID number"));
}

/* A person from an event's body, under national_id (NULL: the body's). */
static int insert_person(vax_db *db, const char *body, const char *national_id)
{
    char name[256];
    int rc;
    char *folded = NULL;
    jtext(db, body, "$.full_name", name, sizeof name);
    if (!(folded = vax_text_fold(name)))
        return VAX_ENOMEM;
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO person(uuid, national_id, insurance_no, full_name, name_folded,"
            " birth_date, sex, phone, commune, priority_group, version, created_at, updated_at)"
            " SELECT json_extract(?1, '$.uuid'), coalesce(?3, json_extract(?1, '$.national_id')),"
            " coalesce(json_extract(?1, '$.insurance_no'), ''), json_extract(?1, '$.full_name'),"
            " ?2, json_extract(?1, '$.birth_date'), coalesce(json_extract(?1, '$.sex'), ''),"
            " coalesce(json_extract(?1, '$.phone'), ''),"
            " coalesce(json_extract(?1, '$.commune'), ''),"
            " (SELECT code FROM priority_group WHERE code = json_extract(?1, '$.priority_group')),"
            " coalesce(json_extract(?1, '$.version'), 1), json_extract(?1, '$.created_at'),"
            " json_extract(?1, '$.updated_at')");
    if (!st) {
        free(folded);
        return VAX_EINTERNAL;
    }
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, folded, -1, SQLITE_STATIC);
    if (national_id)
        sqlite3_bind_text(st, 3, national_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(folded);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging a person"));
}

/* ---- field by field, on the hybrid logical clock (schema 31) ---------------------------------
 *
 * Each field of a person carries the stamp of the edit that wrote it (person_clock; "" for what
 * the registration wrote). An edit of a field is applied when its stamp is later than the field's;
 * it knew the value it replaces when the stamp it names as its base is the field's stamp. When it
 * did not (two laptops edited the field without seeing each other's edit), both values are kept
 * in a concurrent_edit conflict and the later stamp shows. Later stamp wins, whatever the order
 * the edits arrive in, so every database and the server end with the same record. */

#define HLC_MAX 80
#define FIELD_EVENT_MAX 160
static const char *const person_fields[] = {
    "national_id", "insurance_no", "full_name",      "birth_date", "sex",
    "phone",       "commune",      "priority_group", "ethnicity"};
enum { PERSON_FIELDS = sizeof person_fields / sizeof person_fields[0] };

/* The clock has seen a stamp: it will not stamp an edit of its own before it. */
static int clock_seen(vax_db *db, const char *hlc)
{
    long long ms = 0;
    int n = 0;
    if (sscanf(hlc, "%15lld.%5d.", &ms, &n) != 2)
        return VAX_OK; /* "" or a legacy stamp: nothing seen */
    sqlite3_stmt *st = vax_stmt(db, "UPDATE sync_clock SET n = CASE WHEN ?1 > ms THEN ?2"
                                    " WHEN ?1 = ms THEN max(n, ?2) ELSE n END, ms = max(ms, ?1)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, ms);
    sqlite3_bind_int(st, 2, n);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging records"));
}

/* An edit's stamp: its own, or for an edit written before schema 31, its wall time. */
static void event_hlc(vax_db *db, const char *body, const char *device, char out[HLC_MAX])
{
    jtext(db, body, "$.hlc", out, HLC_MAX);
    if (!out[0])
        snprintf(out, HLC_MAX, "%015lld.00000.%s", (long long)jint(db, body, "$.updated_at") * 1000,
                 device);
}

/* The stamp of a field here and the event that wrote it (the registration: the person's uuid). */
static int field_stamp(vax_db *db, int64_t id, const char *field, const char *puuid,
                       char hlc[HLC_MAX], char event[FIELD_EVENT_MAX])
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT hlc, event_uuid FROM person_clock WHERE person_id = ?1 AND field = ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    hlc[0] = 0;
    vax_strlcpy(event, puuid, FIELD_EVENT_MAX);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        vax_strlcpy(hlc, vax_col_text(st, 0), HLC_MAX);
        vax_strlcpy(event, vax_col_text(st, 1), FIELD_EVENT_MAX);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("merging a person"));
}

static int field_stamp_set(vax_db *db, int64_t id, const char *field, const char *hlc,
                           const char *event)
{
    if (!hlc[0])
        return VAX_OK;
    sqlite3_stmt *st = vax_stmt(db, "INSERT OR REPLACE INTO person_clock(person_id, field, hlc,"
                                    " event_uuid) VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hlc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, event, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging a person"));
}

/* A field of a JSON object as JSON text ("null" when missing), into a malloc'd string. */
static char *jvalue(vax_db *db, const char *obj, const char *field)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT json_quote(json_extract(?1, '$.' || ?2))");
    char *v = NULL;
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, obj, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = strdup(vax_col_text(st, 0));
    sqlite3_reset(st);
    return v;
}

/* *obj (a malloc'd JSON object, NULL for empty) with field set to the JSON text value. */
static int json_put(vax_db *db, char **obj, const char *field, const char *value)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT json_set(coalesce(?1, '{}'), '$.' || ?2, json(?3))");
    char *v = NULL;
    if (!st)
        return VAX_EINTERNAL;
    if (*obj)
        sqlite3_bind_text(st, 1, *obj, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && !(v = strdup(vax_col_text(st, 0))))
        rc = SQLITE_NOMEM;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_NOMEM ? VAX_ENOMEM : vax_fail_sql(db, rc, _("merging a person"));
    free(*obj);
    *obj = v;
    return VAX_OK;
}

/* A person's fields as one JSON object. */
static char *person_json(vax_db *db, int64_t id)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " VAX_PERSON_FIELDS_JSON("") " FROM person WHERE id = ?1");
    char *v = NULL;
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = strdup(vax_col_text(st, 0));
    sqlite3_reset(st);
    return v;
}

/* The fields two edits changed without seeing each other, grouped by the edit that wrote the
 * value held here: one conflict per pair of edits, with both values of each field. */
typedef struct dispute {
    char event[FIELD_EVENT_MAX];
    char fields[160];
    char *ours, *theirs; /* JSON objects: the value held, the edit's value */
    int theirs_wins;
} dispute;

static int dispute_add(vax_db *db, dispute *d, int *nd, const char *event, const char *field,
                       const char *ours, const char *theirs, int theirs_wins)
{
    int i = 0;
    while (i < *nd && strcmp(d[i].event, event))
        i++;
    if (i == *nd) {
        memset(&d[i], 0, sizeof d[i]);
        vax_strlcpy(d[i].event, event, sizeof d[i].event);
        d[i].theirs_wins = theirs_wins;
        (*nd)++;
    }
    size_t n = strlen(d[i].fields);
    snprintf(d[i].fields + n, sizeof d[i].fields - n, "%s%s", n ? "," : "", field);
    int rc = json_put(db, &d[i].ours, field, ours);
    return rc == VAX_OK ? json_put(db, &d[i].theirs, field, theirs) : rc;
}

static int disputes_list(vax_db *db, const char *person_uuid, const char *event_uuid, dispute *d,
                         int nd, const merge_ctx *m)
{
    int rc = VAX_OK;
    for (int i = 0; i < nd && rc == VAX_OK; i++) {
        int ours_first = strcmp(d[i].event, event_uuid) < 0;
        char details[300];
        snprintf(details, sizeof details,
                 "%s edited on two devices without seeing each other's edit (one at %s); the"
                 " later edit is shown, both values are kept",
                 d[i].fields, m->site);
        m->stats->conflicts++;
        rc = conflict_add_values(
            db, "concurrent_edit", person_uuid, ours_first ? d[i].event : event_uuid,
            ours_first ? event_uuid : d[i].event, details, d[i].fields,
            ours_first ? d[i].ours : d[i].theirs, ours_first ? d[i].theirs : d[i].ours);
    }
    for (int i = 0; i < nd; i++) {
        free(d[i].ours);
        free(d[i].theirs);
    }
    return rc;
}

/* Whether another person here holds the national ID in the JSON text value nid. */
static int id_taken(vax_db *db, int64_t id, const char *nid)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT 1 FROM person WHERE national_id = json_extract(?1, '$') AND id <> ?2");
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, nid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    int taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return taken;
}

/* The person's stamps, values and the edit's outcome, field by field (above). */
static int merge_person_edit(vax_db *db, const char *event_uuid, const char *body,
                             const merge_ctx *m)
{
    char puuid[64], cur_uuid[64] = "", hlc[HLC_MAX], has_base[8];
    int rc;
    jtext(db, body, "$.person_uuid", puuid, sizeof puuid);
    int64_t id = person_by_uuid(db, puuid);
    if (!id) {
        m->stats->conflicts++;
        return conflict_add(db, "orphan_edit", puuid, event_uuid, NULL,
                            "an edit of a person this database does not hold");
    }
    sqlite3_stmt *st = vax_stmt(db, "SELECT version, updated_at, uuid FROM person WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    int64_t version = 0, updated_at = 0;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        version = sqlite3_column_int64(st, 0);
        updated_at = sqlite3_column_int64(st, 1);
        vax_strlcpy(cur_uuid, vax_col_text(st, 2), sizeof cur_uuid);
    }
    sqlite3_reset(st);
    event_hlc(db, body, m->device, hlc);
    if ((rc = clock_seen(db, hlc)) != VAX_OK)
        return rc;
    int64_t at = jint(db, body, "$.updated_at");
    /* an edit written before schema 31 names the version it was based on, not stamps */
    jtext(db, body, "$.base", has_base, sizeof has_base);
    int legacy_known =
        !has_base[0] && jint(db, body, "$.base_version") == version && !strcmp(cur_uuid, puuid);
    char *fields = NULL, *current = person_json(db, id), *apply = NULL, *lost = NULL;
    dispute d[PERSON_FIELDS];
    int nd = 0;
    {
        char *f = jvalue(db, body, "fields");
        fields = f && strcmp(f, "null") ? f : (free(f), strdup("{}"));
    }
    if (!fields || !current) {
        rc = VAX_ENOMEM;
        goto out;
    }
    for (int i = 0; i < PERSON_FIELDS && rc == VAX_OK; i++) {
        const char *f = person_fields[i];
        char path[40], type[16], cur_hlc[HLC_MAX], cur_event[FIELD_EVENT_MAX], base[HLC_MAX];
        snprintf(path, sizeof path, "$.%s", f);
        sqlite3_stmt *t = vax_stmt(db, "SELECT json_type(?1, ?2)");
        if (!t) {
            rc = VAX_EINTERNAL;
            break;
        }
        sqlite3_bind_text(t, 1, fields, -1, SQLITE_STATIC);
        sqlite3_bind_text(t, 2, path, -1, SQLITE_STATIC);
        type[0] = 0;
        if (sqlite3_step(t) == SQLITE_ROW)
            vax_strlcpy(type, vax_col_text(t, 0), sizeof type);
        sqlite3_reset(t);
        if (!type[0])
            continue; /* not changed by this edit */
        char *theirs = jvalue(db, fields, f), *ours = jvalue(db, current, f);
        if (!theirs || !ours) {
            free(theirs);
            free(ours);
            rc = VAX_ENOMEM;
            break;
        }
        if (!strcmp(f, "national_id") && id_taken(db, id, theirs)) {
            m->stats->conflicts++;
            rc = conflict_add(db, "edit_id_taken", cur_uuid, event_uuid, NULL,
                              "an edit gave an ID another person holds");
            free(theirs);
            free(ours);
            continue;
        }
        if ((rc = field_stamp(db, id, f, cur_uuid, cur_hlc, cur_event)) == VAX_OK) {
            char base_path[48];
            snprintf(base_path, sizeof base_path, "$.base.%s", f);
            jtext(db, body, base_path, base, sizeof base);
            int knew = has_base[0] ? !strcmp(base, cur_hlc) : legacy_known;
            int wins = strcmp(hlc, cur_hlc) > 0;
            rc = json_put(db, wins ? &apply : &lost, f, theirs);
            if (rc == VAX_OK && wins)
                rc = field_stamp_set(db, id, f, hlc, event_uuid);
            if (rc == VAX_OK && !knew && strcmp(ours, theirs))
                rc = dispute_add(db, d, &nd, cur_event, f, ours, theirs, wins);
        }
        free(theirs);
        free(ours);
    }
    if (rc == VAX_OK && apply) {
        if ((rc = vax_person_history_keep(db, id,
                                          "sync: replaced by a later edit from another device",
                                          vax_now())) == VAX_OK &&
            (rc = person_set_fields(db, id, apply, version + 1,
                                    at > updated_at ? at : updated_at)) == VAX_OK)
            m->stats->people++;
    }
    if (rc == VAX_OK && lost)
        rc = history_lost(db, id, lost);
    if (rc == VAX_OK)
        rc = disputes_list(db, cur_uuid, event_uuid, d, nd, m);
    else
        for (int i = 0; i < nd; i++) {
            free(d[i].ours);
            free(d[i].theirs);
        }
out:
    free(fields);
    free(current);
    free(apply);
    free(lost);
    return rc;
}

/* A record from the district (a pull): each field whose stamp there is not older than the one
 * here takes the district's value and stamp; a field edited here since, not pushed yet, keeps
 * the edit (it reaches the district with the next push, which stamps it the same). */
static int merge_pulled_fields(vax_db *db, int64_t id, const char *body, const merge_ctx *m)
{
    char puuid[64], *current = person_json(db, id), *take = NULL;
    int rc = current ? VAX_OK : VAX_ENOMEM;
    jtext(db, body, "$.uuid", puuid, sizeof puuid);
    for (int i = 0; i < PERSON_FIELDS && rc == VAX_OK; i++) {
        const char *f = person_fields[i];
        char path[48], hlc[HLC_MAX], event[FIELD_EVENT_MAX], here[HLC_MAX],
            here_event[FIELD_EVENT_MAX];
        snprintf(path, sizeof path, "$.clock.%s.h", f);
        jtext(db, body, path, hlc, sizeof hlc);
        snprintf(path, sizeof path, "$.clock.%s.e", f);
        jtext(db, body, path, event, sizeof event);
        if ((rc = clock_seen(db, hlc)) != VAX_OK ||
            (rc = field_stamp(db, id, f, puuid, here, here_event)) != VAX_OK)
            break;
        if (strcmp(here, hlc) > 0)
            continue; /* edited here since */
        char *theirs = jvalue(db, body, f), *ours = jvalue(db, current, f);
        if (!theirs || !ours)
            rc = VAX_ENOMEM;
        else if (strcmp(theirs, ours) && !(!strcmp(f, "national_id") && id_taken(db, id, theirs)))
            rc = json_put(db, &take, f, theirs);
        if (rc == VAX_OK)
            rc = field_stamp_set(db, id, f, hlc, event);
        free(theirs);
        free(ours);
    }
    if (rc == VAX_OK && take) {
        int64_t version = jint(db, body, "$.version"), at = jint(db, body, "$.updated_at");
        if ((rc = vax_person_history_keep(db, id, "sync: replaced by the district's newer version",
                                          vax_now())) == VAX_OK &&
            (rc = person_set_fields(db, id, take, version, at)) == VAX_OK)
            m->stats->people++;
    }
    free(current);
    free(take);
    return rc;
}

/* Sets on dose `uuid` (NULL: the one the body names as dose_uuid) the marks a body gives (its
 * additional-dose mark, its round; for a dose given elsewhere, where and how it was learnt) where
 * the dose has none: a dose that left before schema 33 sends them in a "dose_marks" event (its
 * event before schema 32 did not carry a dose elsewhere's fields). *held: whether the dose is
 * here (NULL: not asked). */
static int dose_marks_set(vax_db *db, const char *uuid, const char *body, int *held)
{
    static const char *const sql[] = {
        "UPDATE dose SET additional = CASE WHEN json_extract(?1, '$.additional') = 1 THEN 1"
        " ELSE additional END, round = CASE WHEN round = '' AND json_type(?1, '$.round') ="
        " 'text' THEN json_extract(?1, '$.round') ELSE round END"
        " WHERE uuid = coalesce(?2, json_extract(?1, '$.dose_uuid'))",
        "UPDATE dose SET (" VAX_SYNC_ELSEWHERE_COLS ") = (SELECT " VAX_SYNC_ELSEWHERE_VALUES(
            "?1") ") WHERE uuid = coalesce(?2, json_extract(?1, '$.dose_uuid')) AND source = ''"
                  " AND json_extract(?1, '$.source') IN ('manual', 'hc1')"};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = vax_stmt(db, sql[i]);
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
        if (uuid)
            sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 2);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("merging a dose"));
        if (i == 0 && held)
            *held = sqlite3_changes(db->sql) > 0;
    }
    return VAX_OK;
}

static int merge_dose(vax_db *db, const char *uuid, const char *body, const merge_ctx *m)
{
    char puuid[64], series[32], reason[200], other[64] = "";
    int rc;
    sqlite3_stmt *st = vax_stmt(db, "SELECT 1 FROM dose WHERE uuid = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    int have = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (have) /* held already: the marks a later pull brings (a dose_marks event at the server) */
        return dose_marks_set(db, uuid, body, NULL);
    jtext(db, body, "$.person_uuid", puuid, sizeof puuid);
    /* a dose of a merged record is the surviving one's */
    int64_t pid = vax_sync_person_here(db, puuid);
    if (!pid) {
        m->stats->unapplied++; /* kept in the outbox for the district; no person here */
        return VAX_OK;
    }
    jtext(db, body, "$.series", series, sizeof series);
    jtext(db, body, "$.override_reason", reason, sizeof reason);
    int number = (int)jint(db, body, "$.dose_number");
    if (!jint(db, body, "$.voided")) {
        st = vax_stmt(db, "SELECT uuid FROM dose WHERE person_id = ?1 AND series = ?2 AND"
                          " dose_number = ?3 AND voided = 0 AND override_reason = ''");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, pid);
        sqlite3_bind_text(st, 2, series, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, number);
        if (sqlite3_step(st) == SQLITE_ROW)
            vax_strlcpy(other, vax_col_text(st, 0), sizeof other);
        sqlite3_reset(st);
    }
    if (other[0] && !reason[0]) {
        /* both doses are real: kept, the second one marked so the one-dose-per-number rule lets
         * it in, and a manager is told */
        char details[200], puuid_here[64] = "";
        snprintf(reason, sizeof reason, "sync: dose %d also given at %s", number, m->site);
        snprintf(details, sizeof details, "dose %d given twice (here and at %s)", number, m->site);
        st = vax_stmt(db, "SELECT uuid FROM person WHERE id = ?1");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, pid);
        if (sqlite3_step(st) == SQLITE_ROW)
            vax_strlcpy(puuid_here, vax_col_text(st, 0), sizeof puuid_here);
        sqlite3_reset(st);
        const char *a = strcmp(other, uuid) < 0 ? other : uuid, *b = a == other ? uuid : other;
        m->stats->conflicts++;
        if ((rc = conflict_add(db, "same_dose_number", puuid_here, a, b, details)) != VAX_OK)
            return rc;
    }
    st = vax_stmt(
        db, "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at,"
            " lot_no, series, arm, station, number_reason, override_reason, voided,"
            " void_reason, created_at, updated_at, additional, round, " VAX_SYNC_ELSEWHERE_COLS ")"
            " SELECT ?1, ?2, NULL, json_extract(?3, '$.product'), ?4,"
            " json_extract(?3, '$.given_at'), coalesce(json_extract(?3, '$.lot_no'), ''),"
            " coalesce(json_extract(?3, '$.series'), 'covid-19'),"
            " coalesce(json_extract(?3, '$.arm'), ''),"
            " coalesce(json_extract(?3, '$.station'), ''),"
            " coalesce(json_extract(?3, '$.number_reason'), ''), ?5,"
            " coalesce(json_extract(?3, '$.voided'), 0),"
            " coalesce(json_extract(?3, '$.void_reason'), ''),"
            " json_extract(?3, '$.given_at'), json_extract(?3, '$.given_at'),"
            " json_extract(?3, '$.additional') IS 1, CASE WHEN json_type(?3, '$.round')"
            " = 'text' THEN json_extract(?3, '$.round') ELSE '' END"
            ", " VAX_SYNC_ELSEWHERE_VALUES("?3"));
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, pid);
    sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, number);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("merging a dose"));
    m->stats->doses++;
    return origin_add(db, uuid, m);
}

/* ?1 the void's body, ?2 the dose's uuid (NULL: the one the body names). */
static void bind_void(sqlite3_stmt *st, const char *body, const char *uuid)
{
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    if (uuid)
        sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
}

/* A void of the dose `uuid` (NULL: the one the event's body names), with the body's reason. */
static int merge_dose_void(vax_db *db, const char *uuid, const char *body)
{
    sqlite3_stmt *st = vax_stmt(db, "UPDATE dose SET voided = 1, void_reason ="
                                    " coalesce(json_extract(?1, '$.void_reason'), ''),"
                                    " updated_at = coalesce(json_extract(?1, '$.at'), updated_at)"
                                    " WHERE uuid = coalesce(?2, json_extract(?1, '$.dose_uuid'))"
                                    " AND voided = 0");
    if (!st)
        return VAX_EINTERNAL;
    bind_void(st, body, uuid);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("merging a void"));
    if (sqlite3_changes(db->sql) != 1)
        return VAX_OK; /* voided here already, or a dose not held here */
    /* the later doses the void renumbered where it was made (an event of an older version, or a
     * server's row, names none: they are read here by the same rule) */
    st = vax_stmt(
        db, "SELECT json_extract(?1, '$.later'),"
            " (SELECT id FROM dose WHERE uuid = coalesce(?2, json_extract(?1, '$.dose_uuid')))");
    if (!st)
        return VAX_EINTERNAL;
    bind_void(st, body, uuid);
    char *later = NULL;
    int64_t id = 0;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 1);
        if (sqlite3_column_type(st, 0) != SQLITE_NULL && !(later = strdup(vax_col_text(st, 0))))
            rc = SQLITE_NOMEM;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_NOMEM)
        return VAX_ENOMEM;
    rc = later ? vax_dose_renumber(db, later) : id ? vax_dose_renumber_after(db, id) : VAX_OK;
    free(later);
    return rc;
}

/* A manager's merge of two records made elsewhere, made here by the same code (identity.c). The
 * event's uuid is its record_uuid. Applied twice is once: the second finds one person already.
 * When this database does not hold both people yet, the event waits: a "merge_waiting" conflict
 * names it (a manager sees why the two are still apart) and merges_waiting() applies it at the
 * end of each import or pull that brings the missing person. It is not quarantined: nothing is
 * wrong with it, it is early. When both records here have a dose of the same number, the merge
 * is refused as the manager's would be, and a "merge_refused" conflict says why. */
static int merge_person_merge(vax_db *db, const char *event_uuid, const char *body,
                              const merge_ctx *m, int retry)
{
    char kept[64], gone[64], reason[400], by[64], origin[200];
    int rc;
    jtext(db, body, "$.kept_uuid", kept, sizeof kept);
    jtext(db, body, "$.merged_uuid", gone, sizeof gone);
    jtext(db, body, "$.reason", reason, sizeof reason);
    jtext(db, body, "$.by", by, sizeof by);
    int64_t from = person_by_uuid(db, gone), into = person_by_uuid(db, kept);
    if (!from || !into) {
        if (retry)
            return VAX_OK;
        m->stats->unapplied++;
        return conflict_add(db, "merge_waiting", kept, event_uuid, gone,
                            "a merge of two records this database does not both hold yet;"
                            " made when the other arrives");
    }
    from = person_canon(db, from);
    into = person_canon(db, into);
    if (from != into) {
        snprintf(origin, sizeof origin, "merged at %s by %s", m->site, by[0] ? by : "?");
        rc = vax_person_merge_locked(db, from, into, reason[0] ? reason : "sync", origin);
        if (rc == VAX_EEXIST) {
            vax_clear_error(db);
            m->stats->conflicts++;
            if ((rc = conflict_add(db, "merge_refused", kept, event_uuid, gone,
                                   "both records have a dose of the same number here; void the"
                                   " one recorded by mistake, then merge them")) != VAX_OK)
                return rc;
        } else if (rc != VAX_OK) {
            return rc;
        } else {
            m->stats->people++;
        }
    }
    sqlite3_stmt *st = vax_stmt(db, "UPDATE sync_conflict SET resolved_at = ?2"
                                    " WHERE kind = 'merge_waiting' AND a_uuid = ?1"
                                    " AND resolved_at = 0");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, event_uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, vax_now());
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging two records"));
}

/* The merges that waited for a person, tried again once an import or pull has merged its own. */
static int merges_waiting(vax_db *db, vax_sync_stats *stats)
{
    int64_t last = 0;
    for (;;) {
        sqlite3_stmt *st =
            vax_stmt(db, "SELECT c.id, e.uuid, e.body, e.site, e.device FROM sync_conflict c"
                         " JOIN sync_entry e ON e.uuid = c.a_uuid AND e.kind = 'person_merge'"
                         " WHERE c.kind = 'merge_waiting' AND c.resolved_at = 0 AND c.id > ?1"
                         " ORDER BY c.id LIMIT 1");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, last);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            sqlite3_reset(st);
            return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging two records"));
        }
        last = sqlite3_column_int64(st, 0);
        char *uuid = strdup(vax_col_text(st, 1)), *body = strdup(vax_col_text(st, 2)),
             *site = strdup(vax_col_text(st, 3)), *device = strdup(vax_col_text(st, 4));
        sqlite3_reset(st);
        merge_ctx m = {stats, site, device};
        rc =
            uuid && body && site && device ? merge_person_merge(db, uuid, body, &m, 1) : VAX_ENOMEM;
        free(uuid);
        free(body);
        free(site);
        free(device);
        if (rc != VAX_OK)
            return rc;
    }
}

int vax_sync_person_merge_emit(vax_db *db, int64_t from, int64_t into, const char *reason)
{
    char uuid[37];
    int rc;
    if ((rc = vax_uuid(uuid)) != VAX_OK)
        return vax_fail(db, rc, NULL, "%s", _("merging two records"));
    // clang-format off
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO sync_entry(uuid, kind, record_uuid, site, device, at, body)"
            " SELECT ?1, 'person_merge', ?1, " SQ_SITE ", " SQ_DEVICE ", ?4,"
            " json_object('kept_uuid', k.uuid, 'merged_uuid', f.uuid,"
            " 'kept_national_id', k.national_id, 'merged_national_id', f.national_id,"
            " 'reason', ?3, 'by', " SQ_LOGIN("?5") ", 'at', ?4)"
            " FROM person f JOIN person k ON k.id = ?6 WHERE f.id = ?2");
    // clang-format on
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, vax_now());
    sqlite3_bind_int64(st, 5, vax_actor_id(db));
    sqlite3_bind_int64(st, 6, into);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("merging two records"));
    return sqlite3_changes(db->sql) == 1
               ? VAX_OK
               : vax_fail(db, VAX_EINTERNAL, NULL, "%s", _("merging two records"));
}

/* A registration's ethnicity, on the record it made here (one known already took it from the
 * body with its other fields). */
static int person_ethnicity(vax_db *db, const char *body)
{
    sqlite3_stmt *st = vax_stmt(db, "UPDATE person SET ethnicity = json_extract(?1, '$.ethnicity')"
                                    " WHERE uuid = json_extract(?1, '$.uuid') AND ethnicity = ''"
                                    " AND json_type(?1, '$.ethnicity') = 'text'");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging a person"));
}

/* ---- what schema 33 sends: a dose's marks, a guardian; events waiting for their person --------
 */

/* A minor's guardian from another laptop: kept when its stamp is later than the guardian held
 * here (any order of arrival gives the later one); the stamp moves this laptop's clock on, as an
 * edit's does. A person not held here: counted unapplied (the event waits with them). */
static int merge_guardian(vax_db *db, const char *body, const merge_ctx *m)
{
    char puuid[64], hlc[HLC_MAX];
    jtext(db, body, "$.person_uuid", puuid, sizeof puuid);
    jtext(db, body, "$.hlc", hlc, sizeof hlc);
    int64_t pid = puuid[0] ? vax_sync_person_here(db, puuid) : 0;
    if (!pid) {
        m->stats->unapplied++;
        return VAX_OK;
    }
    int rc = clock_seen(db, hlc);
    if (rc != VAX_OK)
        return rc;
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO person_guardian(person_id, name, phone, updated_at, hlc)"
            " SELECT ?1, json_extract(?2, '$.name'), json_extract(?2, '$.phone'),"
            " coalesce(json_extract(?2, '$.updated_at'), 0), ?3"
            " WHERE json_type(?2, '$.name') = 'text' AND json_extract(?2, '$.name') <> ''"
            " AND json_type(?2, '$.phone') = 'text' AND json_extract(?2, '$.phone') <> ''"
            " ON CONFLICT(person_id) DO UPDATE SET name = excluded.name, phone = excluded.phone,"
            " updated_at = excluded.updated_at, updated_by = NULL, hlc = excluded.hlc"
            " WHERE excluded.hlc > person_guardian.hlc");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hlc, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging a guardian"));
}

/* The kinds of event that belong to a person already registered: read before the person (two
 * bundles in the wrong order), they wait for them. */
static int waits_for_person(const char *kind)
{
    static const char *const kinds[] = {"dose", "dose_marks", "guardian", "reaction",
                                        "reaction_update"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(kind, kinds[i]))
            return 1;
    return 0;
}

static int wait_for_person(vax_db *db, int64_t seq, const char *body)
{
    sqlite3_stmt *st = vax_stmt(db, "INSERT OR IGNORE INTO sync_waiting(seq, person_uuid)"
                                    " SELECT ?1, json_extract(?2, '$.person_uuid')"
                                    " WHERE json_type(?2, '$.person_uuid') = 'text'");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging records"));
}

static int merge_event(vax_db *db, const char *kind, const char *uuid, const char *body,
                       const merge_ctx *m);

/* Merges the event stored at seq; one of a kind that belongs to a person, not merged for want of
 * them, waits for them. */
static int merge_or_wait(vax_db *db, int64_t seq, const char *kind, const char *uuid,
                         const char *body, const merge_ctx *m)
{
    int64_t before = m->stats->unapplied;
    int rc = merge_event(db, kind, uuid, body, m);
    if (rc == VAX_OK && m->stats->unapplied > before && waits_for_person(kind))
        rc = wait_for_person(db, seq, body);
    return rc;
}

/* Merges the waiting events whose person this database now holds, in the order they arrived; one
 * that still cannot be merged (its dose not here) waits again. */
static int events_waiting(vax_db *db, vax_sync_stats *stats)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT seq, person_uuid FROM sync_waiting ORDER BY seq");
    int64_t *ready = NULL;
    size_t n = 0, cap = 0;
    int rc = VAX_OK, step;
    if (!st)
        return VAX_EINTERNAL;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!vax_sync_person_here(db, vax_col_text(st, 1)))
            continue;
        if (n == cap) {
            int64_t *more = realloc(ready, sizeof *ready * (cap = cap ? cap * 2 : 16));
            if (!more) {
                rc = VAX_ENOMEM;
                break;
            }
            ready = more;
        }
        ready[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc == VAX_OK && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = vax_fail_sql(db, step, _("merging records"));
    for (size_t i = 0; i < n && rc == VAX_OK; i++) {
        char *kind = NULL, *uuid = NULL, *body = NULL, *site = NULL, *device = NULL;
        st = vax_stmt(db, "DELETE FROM sync_waiting WHERE seq = ?1");
        if (!st) {
            rc = VAX_EINTERNAL;
            break;
        }
        sqlite3_bind_int64(st, 1, ready[i]);
        step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            rc = vax_fail_sql(db, step, _("merging records"));
            break;
        }
        st = vax_stmt(db, "SELECT kind, uuid, body, site, device FROM sync_entry WHERE seq = ?1");
        if (!st) {
            rc = VAX_EINTERNAL;
            break;
        }
        sqlite3_bind_int64(st, 1, ready[i]);
        if (sqlite3_step(st) == SQLITE_ROW) {
            kind = strdup(vax_col_text(st, 0));
            uuid = strdup(vax_col_text(st, 1));
            body = strdup(vax_col_text(st, 2));
            site = strdup(vax_col_text(st, 3));
            device = strdup(vax_col_text(st, 4));
        }
        sqlite3_reset(st);
        if (kind && uuid && body && site && device) {
            merge_ctx m = {stats, site, device};
            rc = merge_or_wait(db, ready[i], kind, uuid, body, &m);
        } else if (kind || uuid || body || site || device) {
            rc = VAX_ENOMEM;
        }
        free(kind);
        free(uuid);
        free(body);
        free(site);
        free(device);
    }
    free(ready);
    return rc;
}

static int merge_event(vax_db *db, const char *kind, const char *uuid, const char *body,
                       const merge_ctx *m)
{
    if (!strcmp(kind, "person")) {
        int rc = merge_person(db, body, m);
        return rc == VAX_OK ? person_ethnicity(db, body) : rc;
    }
    if (!strcmp(kind, "person_edit"))
        return merge_person_edit(db, uuid, body, m);
    if (!strcmp(kind, "dose"))
        return merge_dose(db, uuid, body, m);
    if (!strcmp(kind, "dose_void"))
        return merge_dose_void(db, NULL, body);
    if (!strcmp(kind, "dose_marks")) {
        /* a dose not held here: it waits with its person */
        int held = 0, rc = dose_marks_set(db, NULL, body, &held);
        m->stats->unapplied += rc == VAX_OK && !held;
        return rc;
    }
    if (!strcmp(kind, "guardian"))
        return merge_guardian(db, body, m);
    if (!strcmp(kind, "person_merge"))
        return merge_person_merge(db, uuid, body, m, 0);
    if (!strcmp(kind, "person_link"))
        return merge_person_link(db, body, m);
    if (!strcmp(kind, "reaction") || !strcmp(kind, "reaction_update"))
        return vax_sync_merge_reaction(db, kind, uuid, body, m->site, m->device, m->stats);
    /* a transfer of vials another site sent: "to receive" here when it names this site */
    if (!strcmp(kind, "stock_transfer"))
        return vax_stock_transfer_merge(db, body);
    /* visit events, screenings, certificates: facts of another site's visits; they are kept in
     * the outbox (forwarded to the district) and not made into this site's queue. A manager's
     * resolution (conflict_resolved) is kept so too: the import settles the conflicts it names
     * once all its events are in (vax_conflict_settle) */
    return VAX_OK;
}

static int applying(vax_db *db, int on)
{
    return exec1(db, on ? "INSERT INTO sync_applying VALUES (1)" : "DELETE FROM sync_applying",
                 _("merging records"));
}

/* ---- bundles ------------------------------------------------------------------------------- */

static const char bundle_schema[] =
    "CREATE TABLE bundle_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE event(seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    " record_uuid TEXT NOT NULL, site TEXT NOT NULL, device TEXT NOT NULL,"
    " device_seq INTEGER NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL);";

/* What a bundle says about itself, in the order its digest reads them; then its signature. */
static const char *const meta_signed[] = {"format", "site",  "device",    "from_seq",
                                          "to_seq", "count", "created_at"};
enum { META_SIGNED = sizeof meta_signed / sizeof meta_signed[0] };

/* An event fit to travel: an outbox row with a uuid, a kind and a JSON object for a body. An
 * empty body (a cut bundle imported by an earlier version left such rows) breaks every push. */
#define EVENT_FIT "uuid <> '' AND kind <> '' AND json_valid(body) AND json_type(body) = 'object'"

/* The digest reads every field as length:bytes, so that no two contents read the same. */
static void dg_field(EVP_MD_CTX *c, const char *s, size_t n)
{
    char len[24];
    int k = snprintf(len, sizeof len, "%zu:", n);
    EVP_DigestUpdate(c, len, (size_t)k);
    EVP_DigestUpdate(c, s, n);
    EVP_DigestUpdate(c, ",", 1);
}

static void dg_text(EVP_MD_CTX *c, const char *s)
{
    dg_field(c, s, strlen(s));
}

/* The nine columns of an event row, the integers in decimal, as the importer reads them back. */
static void dg_event(EVP_MD_CTX *c, sqlite3_stmt *st)
{
    for (int col = 0; col < 9; col++)
        dg_field(c, (const char *)sqlite3_column_text(st, col),
                 (size_t)sqlite3_column_bytes(st, col));
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int unhex(const char *s, unsigned char *out, size_t cap, size_t *n)
{
    size_t len = strlen(s);
    if (len % 2 || len / 2 > cap)
        return 0;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (unsigned char)v;
    }
    *n = len / 2;
    return 1;
}

/* What the signature covers: the format's name and the digest. */
static void signed_text(const char *digest_hex, char out[96])
{
    snprintf(out, 96, "%s %s", BUNDLE_FORMAT, digest_hex);
}

static int bundle_fail(vax_db *db, sqlite3 *b, const char *path)
{
    return vax_fail(db, VAX_EIO, "bundle", _("Bundle: cannot write %s: %s."), path,
                    b ? sqlite3_errmsg(b) : strerror(errno));
}

static int bundle_write(vax_db *db, const char *path, int64_t since, vax_sync_stats *stats)
{
    sqlite3 *b = NULL;
    sqlite3_stmt *ins = NULL, *meta = NULL, *back = NULL;
    vax_signer *signer = NULL;
    EVP_MD_CTX *dg = NULL;
    char tmp[4200], dev[37] = "", site[40], *pem = NULL;
    uint8_t *sig = NULL;
    size_t siglen = 0;
    int rc;
    vax_sync_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_site_refuse_demo(db, _("Bundle export"))) != VAX_OK)
        return rc;
    if (!path || !*path)
        return vax_fail(db, VAX_EINVAL, "bundle", "%s", _("Bundle: give a file name."));
    if (access(path, F_OK) == 0)
        return vax_fail(db, VAX_EEXIST, "bundle",
                        _("Bundle: %s exists already; give a new file name."), path);
    if ((rc = vax_bundle_signer(db, &signer)) != VAX_OK)
        return rc;
    if (!(pem = vax_cert_pem(signer->cert)) || !(dg = EVP_MD_CTX_new()) ||
        EVP_DigestInit_ex(dg, EVP_sha256(), NULL) != 1) {
        free(pem);
        EVP_MD_CTX_free(dg);
        vax_signer_free(signer);
        return VAX_ENOMEM;
    }
    snprintf(tmp, sizeof tmp, "%s.part", path);
    unlink(tmp);
    vax_sync_device_id(db, dev);
    vax_site site_row;
    vax_strlcpy(site, vax_site_get(db, &site_row) == VAX_OK ? site_row.code : "SITE", sizeof site);
    /* a read transaction here: the bundle holds exactly what was committed when it began */
    if ((rc = exec1(db, "BEGIN", _("reading the outbox"))) != VAX_OK)
        goto fail;
    int64_t mark = mark_get(db, "sync.bundled_seq");
    int64_t from = since >= 0 ? since : mark, to = from;
    if ((rc = vax_private_create(db, tmp, "bundle")) != VAX_OK)
        goto fail;
    if (sqlite3_open_v2(tmp, &b, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(b, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(b, bundle_schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b, "INSERT INTO event VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1,
                           &ins, NULL) != SQLITE_OK) {
        rc = bundle_fail(db, b, tmp);
        goto fail;
    }
    sqlite3_stmt *st = vax_stmt(db, "SELECT seq, uuid, kind, record_uuid, site, device,"
                                    " coalesce(device_seq, seq), at, body FROM sync_outbox"
                                    " WHERE seq > ?1 AND " EVENT_FIT " ORDER BY seq");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, from);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < 9; c++)
            if (c == 0 || c == 6 || c == 7)
                sqlite3_bind_int64(ins, c + 1, sqlite3_column_int64(st, c));
            else
                sqlite3_bind_text(ins, c + 1, vax_col_text(st, c), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            sqlite3_reset(st);
            rc = bundle_fail(db, b, tmp);
            goto fail;
        }
        sqlite3_reset(ins);
        to = sqlite3_column_int64(st, 0);
        stats->sent++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("reading the outbox"));
        goto fail;
    }
    /* the range covers what was skipped as unfit too, so the mark passes over it */
    if (since < 0) {
        sqlite3_stmt *mx = vax_stmt(db, "SELECT coalesce(max(seq), ?1) FROM sync_entry");
        if (!mx) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_int64(mx, 1, to);
        if (sqlite3_step(mx) == SQLITE_ROW && sqlite3_column_int64(mx, 0) > to)
            to = sqlite3_column_int64(mx, 0);
        sqlite3_reset(mx);
    }
    char sfrom[24], sto[24], snow[24], scount[24], salg[16], dhex[65], sigtext[96];
    snprintf(sfrom, sizeof sfrom, "%lld", (long long)from);
    snprintf(sto, sizeof sto, "%lld", (long long)to);
    snprintf(scount, sizeof scount, "%lld", (long long)stats->sent);
    snprintf(snow, sizeof snow, "%lld", (long long)vax_now());
    snprintf(salg, sizeof salg, "%d", signer->alg);
    const char *kv[][2] = {{"format", BUNDLE_FORMAT}, {"site", site},     {"device", dev},
                           {"from_seq", sfrom},       {"to_seq", sto},    {"count", scount},
                           {"created_at", snow},      {"digest", dhex},   {"alg", salg},
                           {"signer", pem},           {"signature", NULL}};
    /* the digest: what the bundle says about itself, then its events as written */
    for (int i = 0; i < META_SIGNED; i++) {
        dg_text(dg, kv[i][0]);
        dg_text(dg, kv[i][1]);
    }
    if (sqlite3_prepare_v2(b,
                           "SELECT seq, uuid, kind, record_uuid, site, device, device_seq, at, body"
                           " FROM event ORDER BY seq",
                           -1, &back, NULL) != SQLITE_OK) {
        rc = bundle_fail(db, b, tmp);
        goto fail;
    }
    while (sqlite3_step(back) == SQLITE_ROW)
        dg_event(dg, back);
    sqlite3_finalize(back);
    back = NULL;
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (EVP_DigestFinal_ex(dg, md, &mdlen) != 1) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    hex(md, 32, dhex);
    signed_text(dhex, sigtext);
    if (vax_cose_sign_raw(signer->key, signer->alg, (const uint8_t *)sigtext, strlen(sigtext), &sig,
                          &siglen) != VAX_OK) {
        rc = vax_fail(db, VAX_EINTERNAL, "bundle", "%s", _("Bundle: it could not be signed."));
        goto fail;
    }
    char *sighex = malloc(siglen * 2 + 1);
    if (!sighex) {
        rc = VAX_ENOMEM;
        goto fail;
    }
    hex(sig, siglen, sighex);
    sighex[siglen * 2] = 0;
    kv[sizeof kv / sizeof kv[0] - 1][1] = sighex;
    if (sqlite3_prepare_v2(b, "INSERT INTO bundle_meta VALUES (?1, ?2)", -1, &meta, NULL) !=
        SQLITE_OK) {
        free(sighex);
        rc = bundle_fail(db, b, tmp);
        goto fail;
    }
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        sqlite3_bind_text(meta, 1, kv[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(meta, 2, kv[i][1], -1, SQLITE_STATIC);
        if (sqlite3_step(meta) != SQLITE_DONE) {
            free(sighex);
            rc = bundle_fail(db, b, tmp);
            goto fail;
        }
        sqlite3_reset(meta);
    }
    free(sighex);
    sqlite3_finalize(meta);
    meta = NULL;
    sqlite3_finalize(ins);
    ins = NULL;
    if (sqlite3_exec(b, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = bundle_fail(db, b, tmp);
        goto fail;
    }
    sqlite3_close(b);
    b = NULL;
    /* the file is whole (closed) before it gets its name, and before we count it as made */
    FILE *f = fopen(tmp, "rb+");
    if (!f || fsync(fileno(f)) != 0) {
        if (f)
            fclose(f);
        rc = bundle_fail(db, NULL, tmp);
        goto fail;
    }
    fclose(f);
    if (link(tmp, path) != 0) {
        rc = errno == EEXIST ? vax_fail(db, VAX_EEXIST, "bundle",
                                        _("Bundle: %s exists already; give a new file name."), path)
                             : bundle_fail(db, NULL, path);
        goto fail;
    }
    unlink(tmp);
    exec1(db, "COMMIT", _("reading the outbox"));
    free(pem);
    free(sig);
    EVP_MD_CTX_free(dg);
    vax_signer_free(signer);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    /* a bundle written again from an older number never moves the mark back */
    if ((to > mark && (rc = mark_set(db, "sync.bundled_seq", to)) != VAX_OK) ||
        (rc = vax_audit(db, "sync.bundle_export", "sync_outbox", to, path)) != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    return vax_tx_commit(db);
fail:
    if (back)
        sqlite3_finalize(back);
    if (meta)
        sqlite3_finalize(meta);
    if (ins)
        sqlite3_finalize(ins);
    if (b)
        sqlite3_close(b);
    unlink(tmp);
    vax_tx_rollback(db);
    free(pem);
    free(sig);
    EVP_MD_CTX_free(dg);
    vax_signer_free(signer);
    return rc;
}

int vax_bundle_export(vax_db *db, const char *path, vax_sync_stats *stats)
{
    return bundle_write(db, path, -1, stats);
}

int vax_bundle_export_since(vax_db *db, const char *path, int64_t since, vax_sync_stats *stats)
{
    return bundle_write(db, path, since < 0 ? 0 : since, stats);
}

/* Takes one event from elsewhere: stored once in the outbox (forwarded to the district), merged
 * into this database's tables; the same uuid with other content goes to quarantine. */
static int take_event(vax_db *db, sqlite3_stmt *ev, const char *source, vax_sync_stats *stats)
{
    const char *uuid = vax_col_text(ev, 1), *kind = vax_col_text(ev, 2),
               *body = vax_col_text(ev, 8), *site = vax_col_text(ev, 4),
               *device = vax_col_text(ev, 5);
    int rc;
    /* this machine's own visit events come back in a bundle that forwards them: their uuid is
     * in visit_event, their row found by the event */
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT kind, body FROM sync_outbox WHERE seq = coalesce("
            "(SELECT seq FROM sync_entry WHERE uuid = ?1), (SELECT o.seq FROM visit_event e"
            " JOIN sync_entry o ON o.event_id = e.id WHERE e.uuid = ?1))");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int same = !strcmp(vax_col_text(st, 0), kind) && !strcmp(vax_col_text(st, 1), body);
        char *stored = same ? NULL : strdup(vax_col_text(st, 1));
        sqlite3_reset(st);
        if (same) {
            stats->duplicates++;
            return VAX_OK;
        }
        if (!stored)
            return VAX_ENOMEM;
        st = vax_stmt(db, "INSERT OR IGNORE INTO sync_quarantine(uuid, kind, device, body,"
                          " stored_body, source, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        if (!st) {
            free(stored);
            return VAX_EINTERNAL;
        }
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, device, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, stored, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, vax_now());
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        free(stored);
        if (rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("keeping a record apart"));
        stats->quarantined++;
        return VAX_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the outbox"));
    st = vax_stmt(db, "INSERT INTO sync_entry(uuid, kind, record_uuid, site, device, device_seq,"
                      " at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return VAX_EINTERNAL;
    for (int c = 1; c < 9; c++)
        if (c == 6 || c == 7)
            sqlite3_bind_int64(st, c, sqlite3_column_int64(ev, c));
        else
            sqlite3_bind_text(st, c, vax_col_text(ev, c), -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("storing a record from elsewhere"));
    stats->received++;
    merge_ctx m = {stats, site, device};
    return merge_or_wait(db, sqlite3_last_insert_rowid(db->sql), kind, vax_col_text(ev, 1), body,
                         &m);
}

/* The whole file read once into memory and opened from there: what is checked is what is merged,
 * whatever happens to the file (a stick pulled, a second copy) in between. */
static int bundle_open(vax_db *db, const char *path, sqlite3 **out)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = vax_read_file(db, path, BUNDLE_MAX, &data, &len);
    if (rc == VAX_EINVAL) /* over the limit: its own sentence says so */
        return rc;
    if (rc != VAX_OK || len == 0) {
        char why[300];
        vax_strlcpy(why, rc != VAX_OK ? vax_errmsg(db) : _("an empty file"), sizeof why);
        free(data);
        return vax_fail(db, VAX_EINVAL, "bundle", _("Bundle: %s is not a vaxsite bundle (%s)."),
                        path ? path : "", why);
    }
    const unsigned char *b = (const unsigned char *)data;
    int64_t n = (int64_t)len;
    /* SQLite wrote the file whole and closed it, so its header gives its true size: a file of
     * another size was cut (or grown) on the way, even where the lost bytes held none of the
     * events */
    unsigned page = n >= 100 ? (unsigned)b[16] << 8 | b[17] : 0;
    uint32_t pages =
        n >= 100 ? (uint32_t)b[28] << 24 | (uint32_t)b[29] << 16 | (uint32_t)b[30] << 8 | b[31] : 0;
    if (page == 1)
        page = 65536;
    if (n >= 100 && !memcmp(b, "SQLite format 3", 16) && (int64_t)page * pages != n) {
        free(data);
        return vax_fail(db, VAX_EINVAL, "bundle",
                        _("Bundle: %s is cut or altered (%lld bytes where it should have "
                          "%lld); nothing was imported."),
                        path, (long long)n, (long long)page * pages);
    }
    /* SQLite frees what it was given with its own allocator */
    unsigned char *copy = sqlite3_malloc64((sqlite3_uint64)len);
    if (!copy) {
        free(data);
        return vax_fail(db, VAX_ENOMEM, "bundle", "%s", vax_status_str(VAX_ENOMEM));
    }
    memcpy(copy, data, len);
    free(data);
    if (sqlite3_open_v2(":memory:", out, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        sqlite3_free(copy);
    /* sqlite3_deserialize frees the copy when it is done with it, on failure too */
    else if (sqlite3_deserialize(*out, "main", copy, n, n,
                                 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) ==
             SQLITE_OK)
        return VAX_OK;
    sqlite3_close(*out);
    *out = NULL;
    return vax_fail(db, VAX_ENOMEM, "bundle", "%s", vax_status_str(VAX_ENOMEM));
}

typedef struct bundle_meta {
    char v[META_SIGNED][64];
    char digest[65], alg[16];
    char *signer, *signature;
} bundle_meta;

static int meta_read(sqlite3 *b, bundle_meta *m)
{
    sqlite3_stmt *st = NULL;
    memset(m, 0, sizeof *m);
    if (sqlite3_prepare_v2(b, "SELECT key, value FROM bundle_meta", -1, &st, NULL) != SQLITE_OK)
        return 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0),
                   *v = (const char *)sqlite3_column_text(st, 1);
        if (!k || !v)
            continue;
        for (int i = 0; i < META_SIGNED; i++)
            if (!strcmp(k, meta_signed[i]))
                vax_strlcpy(m->v[i], v, sizeof m->v[i]);
        if (!strcmp(k, "digest"))
            vax_strlcpy(m->digest, v, sizeof m->digest);
        else if (!strcmp(k, "alg"))
            vax_strlcpy(m->alg, v, sizeof m->alg);
        else if (!strcmp(k, "signer") && !m->signer)
            m->signer = strdup(v);
        else if (!strcmp(k, "signature") && !m->signature)
            m->signature = strdup(v);
    }
    sqlite3_finalize(st);
    return 1;
}

static void meta_free(bundle_meta *m)
{
    free(m->signer);
    free(m->signature);
}

static int trusted(vax_db *db, const char *fp)
{
    char key[96], v[8] = "";
    snprintf(key, sizeof key, "sync.trust.%s", fp);
    if (vax_setting_get(db, key, v, sizeof v) == VAX_OK && v[0])
        return 1;
    /* this database's own key (a bundle it wrote, or another laptop of the site with its key) */
    vax_signer *own = NULL;
    char mine[65] = "";
    if (vax_bundle_signer(db, &own) == VAX_OK)
        vax_cert_fingerprint(own->cert, mine);
    vax_signer_free(own);
    vax_clear_error(db);
    return !strcmp(mine, fp);
}

/* Checks a bundle whole before anything is written: its digest over what it says about itself and
 * every event, the signature over the digest, a signer this database trusts, and events fit to
 * travel. One line says why it is refused. */
static int bundle_verify(vax_db *db, sqlite3 *b, const char *path)
{
    bundle_meta m;
    sqlite3_stmt *st = NULL;
    EVP_MD_CTX *dg = NULL;
    X509 *cert = NULL;
    unsigned char *sig = NULL;
    int rc = VAX_OK;
    if (!meta_read(b, &m) || strcmp(m.v[0], BUNDLE_FORMAT) != 0) {
        rc = m.v[0][0] || !meta_read(b, &m)
                 ? vax_fail(db, VAX_EINVAL, "bundle",
                            _("Bundle: %s is not a vaxsite bundle of a format this version reads."),
                            path)
                 : vax_fail(db, VAX_EINVAL, "bundle", _("Bundle: %s is not a vaxsite bundle (%s)."),
                            path, sqlite3_errmsg(b));
        goto done;
    }
    if (!m.digest[0] || !m.signer || !m.signature || !m.alg[0]) {
        rc = vax_fail(db, VAX_EINVAL, "bundle",
                      _("Bundle: %s is not signed; it is refused and nothing was imported."), path);
        goto done;
    }
    if (!(dg = EVP_MD_CTX_new()) || EVP_DigestInit_ex(dg, EVP_sha256(), NULL) != 1) {
        rc = VAX_ENOMEM;
        goto done;
    }
    for (int i = 0; i < META_SIGNED; i++) {
        dg_text(dg, meta_signed[i]);
        dg_text(dg, m.v[i]);
    }
    int64_t from = strtoll(m.v[3], NULL, 10), to = strtoll(m.v[4], NULL, 10), n = 0, bad = 0;
    if (sqlite3_prepare_v2(
            b,
            "SELECT seq, uuid, kind, record_uuid, site, device, device_seq, at, body,"
            " " EVENT_FIT " FROM event ORDER BY seq",
            -1, &st, NULL) != SQLITE_OK) {
        rc = vax_fail(db, VAX_EINVAL, "bundle",
                      _("Bundle: %s is cut or damaged (%s); nothing was imported."), path,
                      sqlite3_errmsg(b));
        goto done;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        dg_event(dg, st);
        int64_t seq = sqlite3_column_int64(st, 0);
        if (!bad && (!sqlite3_column_int(st, 9) || seq <= from || seq > to))
            bad = seq;
        n++;
    }
    if (step != SQLITE_DONE) {
        rc = vax_fail(db, VAX_EINVAL, "bundle",
                      _("Bundle: %s is cut or damaged (%s); nothing was imported."), path,
                      sqlite3_errmsg(b));
        goto done;
    }
    unsigned char md[32];
    unsigned int mdlen = 0;
    char dhex[65], text[96];
    if (EVP_DigestFinal_ex(dg, md, &mdlen) != 1) {
        rc = VAX_EINTERNAL;
        goto done;
    }
    hex(md, 32, dhex);
    if (strcmp(dhex, m.digest) != 0 || n != strtoll(m.v[5], NULL, 10)) {
        rc = vax_fail(db, VAX_EINVAL, "bundle",
                      _("Bundle: %s is cut or altered (its content does not match its digest); "
                        "nothing was imported."),
                      path);
        goto done;
    }
    size_t siglen = 0, cap = strlen(m.signature) / 2 + 1;
    signed_text(dhex, text);
    if (!(sig = malloc(cap)) || !unhex(m.signature, sig, cap, &siglen) ||
        !(cert = vax_cert_from_pem(m.signer)) ||
        !vax_cose_verify_raw(cert, atoi(m.alg), (const uint8_t *)text, strlen(text), sig, siglen)) {
        rc = vax_fail(db, VAX_EINVAL, "bundle",
                      _("Bundle: the signature of %s does not match its content; nothing was "
                        "imported."),
                      path);
        goto done;
    }
    char fp[65];
    if (vax_cert_fingerprint(cert, fp) != VAX_OK) {
        rc = VAX_EINTERNAL;
        goto done;
    }
    if (!trusted(db, fp)) {
        rc = vax_fail(db, VAX_EPERM, "bundle",
                      _("Bundle: %s is signed by a key this site does not trust yet (site %s, "
                        "device %s, fingerprint %s); if a manager knows that key, run: vaxsite "
                        "sync trust %s"),
                      path, m.v[1], m.v[2], fp, fp);
        goto done;
    }
    if (bad)
        rc = vax_fail(db, VAX_EINVAL, "bundle",
                      _("Bundle: %s holds an empty or malformed event (number %lld); nothing "
                        "was imported."),
                      path, (long long)bad);
done:
    if (st)
        sqlite3_finalize(st);
    EVP_MD_CTX_free(dg);
    X509_free(cert);
    free(sig);
    meta_free(&m);
    return rc;
}

int vax_bundle_import(vax_db *db, const char *path, vax_sync_stats *stats)
{
    sqlite3 *b = NULL;
    sqlite3_stmt *ev = NULL;
    int rc;
    vax_sync_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = bundle_open(db, path, &b)) != VAX_OK || (rc = bundle_verify(db, b, path)) != VAX_OK)
        goto out;
    if (sqlite3_prepare_v2(b,
                           "SELECT seq, uuid, kind, record_uuid, site, device, device_seq, at,"
                           " body FROM event ORDER BY seq",
                           -1, &ev, NULL) != SQLITE_OK) {
        rc = vax_fail(db, VAX_EINVAL, "bundle", _("Bundle: %s is damaged (%s)."), path,
                      sqlite3_errmsg(b));
        goto out;
    }
    /* all or nothing: a bundle is merged in one transaction */
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = applying(db, 1)) != VAX_OK)
        goto fail;
    while ((rc = sqlite3_step(ev)) == SQLITE_ROW)
        if ((rc = take_event(db, ev, path, stats)) != VAX_OK)
            goto fail;
    if (rc != SQLITE_DONE) {
        rc = vax_fail(db, VAX_EINVAL, "bundle", _("Bundle: %s is damaged (%s)."), path,
                      sqlite3_errmsg(b));
        goto fail;
    }
    if ((rc = events_waiting(db, stats)) != VAX_OK || (rc = merges_waiting(db, stats)) != VAX_OK ||
        (rc = vax_conflict_settle(db)) != VAX_OK || (rc = applying(db, 0)) != VAX_OK ||
        (rc = vax_audit(db, "sync.bundle_import", "sync_outbox", stats->received, path)) != VAX_OK)
        goto fail;
    rc = vax_tx_commit(db);
    goto out;
fail:
    vax_tx_rollback(db);
out:
    if (ev)
        sqlite3_finalize(ev);
    if (b)
        sqlite3_close(b);
    return rc;
}

int vax_bundle_fingerprint(vax_db *db, char out[65])
{
    vax_signer *s = NULL;
    int rc;
    out[0] = 0;
    vax_clear_error(db);
    if ((rc = vax_bundle_signer(db, &s)) != VAX_OK)
        return rc;
    rc = vax_cert_fingerprint(s->cert, out);
    vax_signer_free(s);
    return rc;
}

int vax_sync_trust(vax_db *db, const char *fingerprint)
{
    char fp[65], key[96];
    size_t n = 0;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    for (const char *p = fingerprint ? fingerprint : ""; *p; p++) {
        if (*p == ':' || *p == ' ')
            continue;
        char c = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == 64) {
            n = 0;
            break;
        }
        fp[n++] = c;
    }
    fp[n] = 0;
    if (n != 64)
        return vax_fail(db, VAX_EINVAL, "fingerprint", "%s",
                        _("Trust: a fingerprint is 64 hexadecimal digits, as the refused "
                          "bundle named it."));
    snprintf(key, sizeof key, "sync.trust.%s", fp);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = setting_put(db, key, "1")) != VAX_OK ||
        (rc = vax_audit(db, "sync.trust", "setting", 0, fp)) != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    return vax_tx_commit(db);
}

/* Where the password is in a server address: the URI's user info after the colon, a password=
 * parameter of its query, or the keyword form's password= (a value in quotes included). */
static int pw_span(const char *url, size_t *at, size_t *len)
{
    const char *p, *scheme = strstr(url, "://");
    if (scheme) {
        const char *host = scheme + 3, *end = host + strcspn(host, "/?#"), *atsign = NULL;
        for (p = host; p < end; p++)
            if (*p == '@')
                atsign = p;
        const char *colon = atsign ? memchr(host, ':', (size_t)(atsign - host)) : NULL;
        if (colon) {
            *at = (size_t)(colon + 1 - url);
            *len = (size_t)(atsign - colon - 1);
            return 1;
        }
        for (p = strchr(end, '?'); p && *p; p += strcspn(p + 1, "&") + 1)
            if (!strncmp(p + 1, "password=", 9)) {
                *at = (size_t)(p + 10 - url);
                *len = strcspn(p + 10, "&#");
                return 1;
            }
        return 0;
    }
    for (p = url; (p = strstr(p, "password")); p += 8) {
        if (p > url && p[-1] != ' ' && p[-1] != '\t')
            continue;
        const char *v = p + 8 + strspn(p + 8, " \t");
        if (*v != '=')
            continue;
        v += 1 + strspn(v + 1, " \t");
        const char *e = v;
        if (*v == '\'') {
            for (e = v + 1; *e && *e != '\''; e++)
                if (*e == '\\' && e[1])
                    e++;
            if (*e)
                e++;
        } else
            e = v + strcspn(v, " \t");
        *at = (size_t)(v - url);
        *len = (size_t)(e - v);
        return 1;
    }
    return 0;
}

void vax_sync_url_redact(const char *url, char *out, size_t size)
{
    size_t at = 0, len = 0;
    if (!url)
        url = "";
    if (!pw_span(url, &at, &len) || !len) {
        vax_strlcpy(out, url, size);
        return;
    }
    snprintf(out, size, "%.*s***%s", (int)at, url, url + at + len);
}

/* ---- conflicts and figures ------------------------------------------------------------------ */

int vax_sync_site_dose_counts(vax_db *db, const char *day, vax_dose_count *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT product, dose_number, count(*) FROM dose"
                                    " WHERE voided = 0 AND given_at >= ?2 AND given_at < ?3"
                                    " AND date(given_at, 'unixepoch', 'localtime') = ?1"
                                    " GROUP BY product, dose_number ORDER BY product, dose_number");
    int64_t days;
    int rc;
    *n = 0;
    if (vax_date_to_days(day, &days) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "day", _("Day: %s is not a date (YYYY-MM-DD)."), day);
    if (!st)
        return VAX_EINTERNAL;
    /* a window of two days around it lets the index on given_at narrow the scan */
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, days * 86400 - 86400);
    sqlite3_bind_int64(st, 3, days * 86400 + 2 * 86400);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        vax_strlcpy(out[*n].product, vax_col_text(st, 0), sizeof out[*n].product);
        out[*n].dose_number = sqlite3_column_int(st, 1);
        out[*n].n = sqlite3_column_int(st, 2);
        (*n)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("counting doses"));
}

/* Demo: the team's communes, so that "vaxsite sync pull" knows what to bring. */
int vax_sync_demo(vax_db *db)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT group_concat(commune, ';') FROM (SELECT DISTINCT"
                                    " commune FROM person WHERE commune <> '' ORDER BY commune"
                                    " LIMIT 5)");
    char communes[1024] = "";
    if (!st)
        return VAX_EINTERNAL;
    if (sqlite3_step(st) == SQLITE_ROW)
        vax_strlcpy(communes, vax_col_text(st, 0), sizeof communes);
    sqlite3_reset(st);
    return communes[0] ? vax_setting_set(db, "sync.communes", communes) : VAX_OK;
}

/* ---- PostgreSQL ---------------------------------------------------------------------------- */

#ifndef VAX_HAVE_PQ

int vax_sync_available(void)
{
    return 0;
}

static int no_pq(vax_db *db)
{
    return vax_fail(db, VAX_EINVAL, "url", "%s",
                    _("Server: this vaxsite was built without PostgreSQL (libpq)."));
}

int vax_sync_init_server(vax_db *db, const char *url)
{
    (void)url;
    return no_pq(db);
}

int vax_sync_push(vax_db *db, const char *url, int batch, vax_sync_stats *stats)
{
    (void)url, (void)batch, (void)stats;
    vax_clear_error(db);
    if (vax_site_refuse_demo(db, _("Push")) != VAX_OK)
        return VAX_ESTATE;
    return no_pq(db);
}

int vax_sync_pull(vax_db *db, const char *url, const char *communes, vax_sync_stats *stats)
{
    (void)url, (void)communes, (void)stats;
    return no_pq(db);
}

int vax_sync_server_dose_counts(vax_db *db, const char *url, const char *day, const char *site,
                                vax_dose_count *out, int max, int *n)
{
    (void)url, (void)day, (void)site, (void)out, (void)max;
    *n = 0;
    return no_pq(db);
}

int vax_sync_server_conflicts(vax_db *db, const char *url, int offset, vax_sync_conflict *out,
                              int max, int *n, int *total)
{
    (void)url, (void)out, (void)max, (void)offset;
    *n = *total = 0;
    return no_pq(db);
}

int vax_sync_server_quarantine(vax_db *db, const char *url, int offset, vax_sync_quarantined *out,
                               int max, int *n, int *total)
{
    (void)url, (void)out, (void)max, (void)offset;
    *n = *total = 0;
    return no_pq(db);
}

int vax_sync_server_conflict(vax_db *db, const char *url, int64_t id, vax_sync_conflict *out,
                             char **a_value, char **b_value)
{
    (void)url, (void)id, (void)out;
    *a_value = *b_value = NULL;
    return no_pq(db);
}

int vax_sync_server_conflict_sides(vax_db *db, const char *url, const vax_sync_conflict *c, int n,
                                   vax_conflict_side (*sides)[2])
{
    (void)url, (void)c, (void)n, (void)sides;
    return no_pq(db);
}

#else

int vax_sync_available(void)
{
    return 1;
}

#define SERVER_VERSION 10
/* pg_advisory_xact_lock key of the writers (vs_apply) and of init-server */
#define PUSH_LOCK_KEY_TEXT "7402091"
#define INIT_LOCK_KEY_TEXT "7402090"

/* vs_apply() in three parts: version 7 replaces the edits in the middle (vs_apply_edits). */
// clang-format off
#define VS_APPLY_HEAD \
    /* Merges the batch in the session's temporary table incoming (see the rules at the top of \
     * sync.c). Returns what it did. */ \
    "FUNCTION vs_apply(OUT fresh int, OUT quarantined int, OUT conflicts int)" \
    " LANGUAGE plpgsql AS $f$\n" \
    "DECLARE r record; p person%ROWTYPE; canon text; f jsonb; n int; wins boolean;\n" \
    "BEGIN\n" \
    "  conflicts := 0;\n" \
    /* Every lookup below is driven by the batch, row by row through an index (LATERAL ... OFFSET \
     * 0 keeps the planner from turning it around): the function's plans are made once per \
     * session, for the first batch, and the tables' statistics lag behind a long push. */ \
    "  SET LOCAL jit = off;\n" \
    /* one writer at a time from here to its commit: every number drawn from vs_seq below is \
     * handed out in commit order (see the top of this file) */ \
    "  PERFORM pg_advisory_xact_lock(" PUSH_LOCK_KEY_TEXT ");\n" \
    "  WITH ins AS (INSERT INTO sync_event(uuid, kind, record_uuid, site, device, device_seq, at," \
    " body)\n" \
    "      SELECT uuid, kind, record_uuid, site, device, device_seq, at, body FROM incoming" \
    " ORDER BY seq\n" \
    "      ON CONFLICT (uuid) DO NOTHING RETURNING uuid)\n" \
    "    UPDATE incoming SET fresh = true FROM ins WHERE incoming.uuid = ins.uuid;\n" \
    "  GET DIAGNOSTICS fresh = ROW_COUNT;\n" \
    /* what was there already: the same content is a no-op, other content is quarantined */ \
    "  quarantined := 0;\n" \
    "  IF fresh < (SELECT count(*) FROM incoming) THEN\n" \
    "    INSERT INTO quarantine(uuid, kind, site, device, device_seq, body, stored_body)\n" \
    "      SELECT i.uuid, i.kind, i.site, i.device, i.device_seq, i.body, e.body\n" \
    "      FROM incoming i CROSS JOIN LATERAL (SELECT kind, body FROM sync_event x" \
    " WHERE x.uuid = i.uuid OFFSET 0) e\n" \
    "      WHERE NOT i.fresh AND (e.body <> i.body OR e.kind <> i.kind) ON CONFLICT DO NOTHING;\n" \
    "    GET DIAGNOSTICS quarantined = ROW_COUNT;\n" \
    "  END IF;\n" \
    /* registrations: the first of an ID stays; a later one becomes its alias */ \
    "  INSERT INTO person(uuid, national_id, insurance_no, full_name, birth_date, sex, phone," \
    " commune, priority_group, version, created_at, updated_at, updated_by, site, device, seq)\n" \
    "    SELECT DISTINCT ON (ip.body->>'national_id') ip.record_uuid, ip.body->>'national_id'," \
    " coalesce(ip.body->>'insurance_no', ''), ip.body->>'full_name', ip.body->>'birth_date'," \
    " coalesce(ip.body->>'sex', ''), coalesce(ip.body->>'phone', '')," \
    " coalesce(ip.body->>'commune', ''), ip.body->>'priority_group'," \
    " coalesce((ip.body->>'version')::int, 1), (ip.body->>'created_at')::bigint," \
    " (ip.body->>'updated_at')::bigint, coalesce(ip.body->>'updated_by', ''), ip.site, ip.device," \
    " nextval('vs_seq')\n" \
    "    FROM incoming ip WHERE ip.fresh AND ip.kind = 'person'" \
    " ORDER BY ip.body->>'national_id', ip.seq\n" \
    "    ON CONFLICT DO NOTHING;\n" \
    "  WITH a AS (INSERT INTO person_alias(uuid, person_uuid, site, device, body)\n" \
    "      SELECT ip.record_uuid, x.uuid, ip.site, ip.device, ip.body FROM incoming ip\n" \
    "      CROSS JOIN LATERAL (SELECT uuid FROM person y WHERE y.national_id =" \
    " ip.body->>'national_id' OFFSET 0) x\n" \
    "      WHERE ip.fresh AND ip.kind = 'person' AND x.uuid <> ip.record_uuid\n" \
    "      ON CONFLICT DO NOTHING RETURNING uuid, person_uuid, site, body)\n" \
    "    INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details)" \
    " SELECT 'duplicate_person', a.person_uuid, a.person_uuid, a.uuid, format('ID %s registered" \
    " twice; the second registration (site %s) is merged into the first'," \
    " a.body->>'national_id', a.site) FROM a ON CONFLICT DO NOTHING;\n" \
    "  GET DIAGNOSTICS n = ROW_COUNT; conflicts := conflicts + n;\n"
#define VS_APPLY_EDITS_V1 \
    /* edits, in the order they were made */ \
    "  FOR r IN SELECT * FROM incoming WHERE incoming.fresh AND kind = 'person_edit'" \
    " ORDER BY seq LOOP\n" \
    "    BEGIN\n" \
    "      canon := vs_person(r.body->>'person_uuid');\n" \
    "      SELECT * INTO p FROM person WHERE uuid = canon FOR UPDATE;\n" \
    "      IF NOT FOUND THEN\n" \
    "        INSERT INTO conflict(kind, person_uuid, a_uuid, details) VALUES ('orphan_edit'," \
    " canon, r.uuid, 'an edit of a person the server does not hold') ON CONFLICT DO NOTHING;\n" \
    "        GET DIAGNOSTICS n = ROW_COUNT; conflicts := conflicts + n;\n" \
    "        CONTINUE;\n" \
    "      END IF;\n" \
    "      f := coalesce(r.body->'fields', '{}'::jsonb);\n" \
    "      wins := (r.body->>'updated_at')::bigint >= p.updated_at;\n" \
    "      IF f ? 'national_id' AND EXISTS (SELECT 1 FROM person WHERE national_id =" \
    " f->>'national_id' AND uuid <> canon) THEN\n" \
    "        INSERT INTO conflict(kind, person_uuid, a_uuid, details) VALUES ('edit_id_taken'," \
    " canon, r.uuid, 'an edit gave an ID another person holds') ON CONFLICT DO NOTHING;\n" \
    "        GET DIAGNOSTICS n = ROW_COUNT; conflicts := conflicts + n;\n" \
    "        wins := false;\n" \
    "      END IF;\n" \
    "      IF wins THEN\n" \
    "        INSERT INTO person_history(person_uuid, version, body, reason, event_uuid)" \
    " VALUES (canon, p.version, to_jsonb(p), 'replaced by a newer edit', r.uuid);\n" \
    "        UPDATE person SET national_id = coalesce(f->>'national_id', national_id)," \
    " insurance_no = coalesce(f->>'insurance_no', insurance_no)," \
    " full_name = coalesce(f->>'full_name', full_name)," \
    " birth_date = coalesce(f->>'birth_date', birth_date), sex = coalesce(f->>'sex', sex)," \
    " phone = coalesce(f->>'phone', phone), commune = coalesce(f->>'commune', commune)," \
    " priority_group = CASE WHEN f ? 'priority_group' THEN f->>'priority_group' ELSE" \
    " priority_group END, version = version + 1, updated_at = (r.body->>'updated_at')::bigint," \
    " updated_by = coalesce(r.body->>'updated_by', ''), seq = nextval('vs_seq')" \
    " WHERE uuid = canon;\n" \
    "      ELSE\n" \
    "        INSERT INTO person_history(person_uuid, version, body, reason, event_uuid)" \
    " VALUES (canon, p.version, to_jsonb(p) || f, 'older edit, not applied', r.uuid);\n" \
    "      END IF;\n" \
    "      IF (r.body->>'base_version')::int <> p.version OR canon <> r.body->>'person_uuid'" \
    " THEN\n" \
    "        INSERT INTO conflict(kind, person_uuid, a_uuid, details) VALUES ('concurrent_edit'," \
    " canon, r.uuid, format('edited on two devices from version %s; %s', r.body->>'base_version'," \
    " CASE WHEN wins THEN 'this newer edit is shown' ELSE 'this older edit lost' END))" \
    " ON CONFLICT DO NOTHING;\n" \
    "        GET DIAGNOSTICS n = ROW_COUNT; conflicts := conflicts + n;\n" \
    "      END IF;\n" \
    "    END;\n" \
    "  END LOOP;\n"
/* The doses of the batch; cols and vals: the columns a later version adds, and their values. */
#define VS_DOSE_INSERT(cols, vals) \
    "  INSERT INTO dose(uuid, person_uuid, person_canon, visit_uuid, product, series, dose_number," \
    " given_at, day, lot_no, arm, station, vaccinator, number_reason, override_reason, voided," \
    " void_reason, site, device, seq" cols ")\n" \
    "    SELECT i.record_uuid, i.body->>'person_uuid', coalesce(al.person_uuid," \
    " i.body->>'person_uuid')," \
    " i.body->>'visit_uuid', i.body->>'product', coalesce(i.body->>'series', 'covid-19')," \
    " (i.body->>'dose_number')::int, (i.body->>'given_at')::bigint, i.body->>'day'," \
    " coalesce(i.body->>'lot_no', ''), coalesce(i.body->>'arm', '')," \
    " coalesce(i.body->>'station', ''), coalesce(i.body->>'vaccinator', '')," \
    " coalesce(i.body->>'number_reason', ''), coalesce(i.body->>'override_reason', '')," \
    " coalesce((i.body->>'voided')::int, 0), coalesce(i.body->>'void_reason', ''), i.site," \
    " i.device, nextval('vs_seq')" vals "\n" \
    "    FROM incoming i LEFT JOIN LATERAL (SELECT person_uuid FROM person_alias z WHERE" \
    " z.uuid = i.body->>'person_uuid' OFFSET 0) al ON true\n" \
    "    WHERE i.fresh AND i.kind = 'dose' ORDER BY i.seq\n" \
    "    ON CONFLICT (uuid) DO NOTHING;\n"
#define VS_APPLY_TAIL VS_DOSE_INSERT("", "") VS_APPLY_TAIL_REST
#define VS_APPLY_TAIL_REST \
    "  INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details)\n" \
    "    SELECT 'same_dose_number', d.person_canon, least(d.uuid, o.uuid), greatest(d.uuid," \
    " o.uuid), format('dose %s given twice: at %s and at %s', d.dose_number, o.site, d.site)\n" \
    "    FROM incoming i\n" \
    "    CROSS JOIN LATERAL (SELECT * FROM dose x WHERE x.uuid = i.record_uuid AND x.voided = 0" \
    " AND x.override_reason = '' OFFSET 0) d\n" \
    "    CROSS JOIN LATERAL (SELECT * FROM dose y WHERE y.person_canon = d.person_canon AND" \
    " y.series = d.series AND y.dose_number = d.dose_number AND y.uuid <> d.uuid AND" \
    " y.voided = 0 AND y.override_reason = '' OFFSET 0) o\n" \
    "    WHERE i.fresh AND i.kind = 'dose'\n" \
    "    ON CONFLICT DO NOTHING;\n" \
    "  GET DIAGNOSTICS n = ROW_COUNT; conflicts := conflicts + n;\n" \
    "  FOR r IN SELECT * FROM incoming WHERE incoming.fresh AND kind = 'dose_void' ORDER BY seq" \
    " LOOP\n" \
    "    UPDATE dose SET voided = 1, void_reason = coalesce(r.body->>'void_reason', '')," \
    " seq = nextval('vs_seq') WHERE uuid = r.body->>'dose_uuid' AND voided = 0;\n" \
    "  END LOOP;\n" \
    "END\n" \
    "$f$;"
// clang-format on

/* The server schema, version 1. Tables keep uuids as text; bigint epoch seconds like the sites.
 * vs_seq numbers every change in commit order (see the top of this file). */
static const char server_schema_v1[] =
    "CREATE SEQUENCE vs_seq;"
    "CREATE TABLE sync_event(server_seq bigint NOT NULL DEFAULT nextval('vs_seq'),"
    " uuid text PRIMARY KEY, kind text NOT NULL, record_uuid text NOT NULL, site text NOT NULL,"
    " device text NOT NULL, device_seq bigint NOT NULL, at bigint NOT NULL, body jsonb NOT NULL,"
    " received_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE quarantine(id bigserial PRIMARY KEY, uuid text NOT NULL, kind text NOT NULL,"
    " site text NOT NULL, device text NOT NULL, device_seq bigint NOT NULL, body jsonb NOT NULL,"
    " stored_body jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now(),"
    " UNIQUE (uuid, body));"
    "CREATE TABLE person(uuid text PRIMARY KEY, national_id text NOT NULL UNIQUE,"
    " insurance_no text NOT NULL DEFAULT '', full_name text NOT NULL, birth_date text NOT NULL,"
    " sex text NOT NULL DEFAULT '', phone text NOT NULL DEFAULT '',"
    " commune text NOT NULL DEFAULT '', priority_group text, version int NOT NULL,"
    " created_at bigint NOT NULL, updated_at bigint NOT NULL, updated_by text NOT NULL DEFAULT '',"
    " site text NOT NULL, device text NOT NULL, seq bigint NOT NULL);"
    "CREATE INDEX person_commune ON person(commune, seq);"
    "CREATE INDEX person_seq ON person(seq);"
    /* a second registration of a known ID: its uuid leads to the person first stored */
    "CREATE TABLE person_alias(uuid text PRIMARY KEY, person_uuid text NOT NULL"
    " REFERENCES person(uuid), site text NOT NULL, device text NOT NULL, body jsonb NOT NULL);"
    "CREATE TABLE person_history(id bigserial PRIMARY KEY, person_uuid text NOT NULL,"
    " version int NOT NULL, body jsonb NOT NULL, reason text NOT NULL,"
    " event_uuid text NOT NULL DEFAULT '', at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX person_history_person ON person_history(person_uuid);"
    "CREATE TABLE dose(uuid text PRIMARY KEY, person_uuid text NOT NULL,"
    " person_canon text NOT NULL, visit_uuid text, product text NOT NULL, series text NOT NULL,"
    " dose_number int NOT NULL, given_at bigint NOT NULL, day text NOT NULL,"
    " lot_no text NOT NULL DEFAULT '', arm text NOT NULL DEFAULT '',"
    " station text NOT NULL DEFAULT '', vaccinator text NOT NULL DEFAULT '',"
    " number_reason text NOT NULL DEFAULT '', override_reason text NOT NULL DEFAULT '',"
    " voided int NOT NULL DEFAULT 0, void_reason text NOT NULL DEFAULT '',"
    " site text NOT NULL, device text NOT NULL, seq bigint NOT NULL);"
    "CREATE INDEX dose_person ON dose(person_canon, series, dose_number);"
    "CREATE INDEX dose_day ON dose(day, site);"
    "CREATE INDEX dose_seq ON dose(seq);"
    "CREATE TABLE conflict(id bigserial PRIMARY KEY, kind text NOT NULL,"
    " person_uuid text NOT NULL DEFAULT '', a_uuid text NOT NULL, b_uuid text NOT NULL DEFAULT '',"
    " details text NOT NULL DEFAULT '', created_at timestamptz NOT NULL DEFAULT now(),"
    " resolved_at timestamptz, UNIQUE (kind, a_uuid, b_uuid));"
    /* every visit's events with the person they belong to after merges */
    "CREATE VIEW visit_event AS SELECT e.record_uuid AS uuid, e.body->>'visit_uuid' AS visit_uuid,"
    " coalesce(a.person_uuid, e.body->>'person_uuid') AS person_uuid, e.site, e.device,"
    " e.body->>'day' AS day, (e.body->>'ticket')::int AS ticket, e.body->>'from' AS from_state,"
    " e.body->>'to' AS to_state, (e.body->>'at')::bigint AS at, e.body->>'station' AS station"
    " FROM sync_event e LEFT JOIN person_alias a ON a.uuid = e.body->>'person_uuid'"
    " WHERE e.kind = 'visit_event';"
    "CREATE FUNCTION vs_person(u text) RETURNS text LANGUAGE sql STABLE AS"
    " $$ SELECT coalesce((SELECT person_uuid FROM person_alias WHERE uuid = u), u) $$;"
    "CREATE " VS_APPLY_HEAD VS_APPLY_EDITS_V1 VS_APPLY_TAIL;

/* Version 2: a manager's merge of two person records (a person_merge event). The merged record
 * stays (its national ID still finds it when registered again) with merged_into naming the kept
 * one; its uuid becomes an alias of the kept one, so what comes later under it (doses, edits)
 * is the kept person's, and its doses are counted for the kept person (person_canon). A merge
 * of a person the server does not hold yet waits as a "merge_waiting" conflict and is made by
 * the push that brings them. Two doses of the same number that the merge puts together are
 * kept and listed (same_dose_number), as two sites' doses are. Run after vs_apply(), in the
 * same transaction, on the same batch (incoming). */
static const char server_schema_v2[] =
    "ALTER TABLE person ADD COLUMN merged_into text;"
    "CREATE INDEX sync_event_merge ON sync_event(server_seq) WHERE kind = 'person_merge';"
    "CREATE FUNCTION vs_apply_merges(OUT merged int, OUT waiting int, OUT conflicts int)"
    " LANGUAGE plpgsql AS $f$\n"
    "DECLARE r record; kept text; gone text; n int;\n"
    "BEGIN\n"
    "  merged := 0; waiting := 0; conflicts := 0;\n"
    "  FOR r IN SELECT e.uuid, e.body, e.site FROM (SELECT i.uuid FROM incoming i WHERE i.fresh"
    " AND i.kind = 'person_merge' UNION SELECT c.a_uuid FROM conflict c"
    " WHERE c.kind = 'merge_waiting' AND c.resolved_at IS NULL) w CROSS JOIN LATERAL"
    " (SELECT * FROM sync_event x WHERE x.uuid = w.uuid AND x.kind = 'person_merge' OFFSET 0) e"
    " ORDER BY e.server_seq LOOP\n"
    "    kept := vs_person(r.body->>'kept_uuid');\n"
    "    gone := vs_person(r.body->>'merged_uuid');\n"
    "    kept := coalesce((SELECT merged_into FROM person WHERE uuid = kept), kept);\n"
    "    gone := coalesce((SELECT merged_into FROM person WHERE uuid = gone), gone);\n"
    "    IF NOT EXISTS (SELECT 1 FROM person WHERE uuid = kept)"
    " OR NOT EXISTS (SELECT 1 FROM person WHERE uuid = gone) THEN\n"
    "      INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details) VALUES"
    " ('merge_waiting', r.body->>'kept_uuid', r.uuid, r.body->>'merged_uuid', 'a merge of two"
    " records the server does not both hold yet; made when the other arrives')"
    " ON CONFLICT DO NOTHING;\n"
    "      GET DIAGNOSTICS n = ROW_COUNT; waiting := waiting + n;\n"
    "      CONTINUE;\n"
    "    END IF;\n"
    "    IF kept <> gone THEN\n"
    "      INSERT INTO person_history(person_uuid, version, body, reason, event_uuid)"
    " SELECT gone, p.version, to_jsonb(p), format('merged into %s at %s by %s: %s', kept, r.site,"
    " r.body->>'by', r.body->>'reason'), r.uuid FROM person p WHERE p.uuid = gone;\n"
    "      UPDATE person SET merged_into = kept WHERE merged_into = gone;\n"
    "      UPDATE person SET merged_into = kept, seq = nextval('vs_seq') WHERE uuid = gone;\n"
    "      UPDATE person_alias SET person_uuid = kept WHERE person_uuid = gone;\n"
    "      INSERT INTO person_alias(uuid, person_uuid, site, device, body)"
    " SELECT gone, kept, p.site, p.device, to_jsonb(p) FROM person p WHERE p.uuid = gone"
    " ON CONFLICT (uuid) DO UPDATE SET person_uuid = excluded.person_uuid;\n"
    "      UPDATE dose SET person_canon = kept, seq = nextval('vs_seq') WHERE person_canon = "
    "gone;\n"
    "      INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details)"
    " SELECT 'same_dose_number', kept, least(d.uuid, o.uuid), greatest(d.uuid, o.uuid),"
    " format('dose %s of both records merged into one', d.dose_number)"
    " FROM dose d JOIN dose o ON o.person_canon = d.person_canon AND o.series = d.series"
    " AND o.dose_number = d.dose_number AND o.uuid > d.uuid AND o.voided = 0"
    " AND o.override_reason = '' WHERE d.person_canon = kept AND d.voided = 0"
    " AND d.override_reason = '' ON CONFLICT DO NOTHING;\n"
    "      GET DIAGNOSTICS n = ROW_COUNT; conflicts := conflicts + n;\n"
    "      merged := merged + 1;\n"
    "    END IF;\n"
    "    UPDATE conflict SET resolved_at = now() WHERE kind = 'merge_waiting' AND a_uuid = r.uuid"
    " AND resolved_at IS NULL;\n"
    "  END LOOP;\n"
    "END\n"
    "$f$;";

/* Version 3: a void renumbers the later doses its event names (the laptop that made it chose them
 * by its rule, VAX_LATER_DOSES: the server holds no dose's source), each one number down where
 * that number is free, in their order; their rows go out again to the pulls (seq). Run after
 * vs_apply_merges(), in the same transaction, on the same batch (incoming). */
static const char server_schema_v3[] =
    "CREATE FUNCTION vs_apply_renumber(OUT renumbered int) LANGUAGE plpgsql AS $f$\n"
    "DECLARE r record; d record;\n"
    "BEGIN\n"
    "  renumbered := 0;\n"
    "  FOR r IN SELECT * FROM incoming WHERE incoming.fresh AND kind = 'dose_void'"
    " AND jsonb_typeof(body->'later') = 'array' ORDER BY seq LOOP\n"
    "    FOR d IN SELECT x.uuid, x.person_canon, x.series, x.dose_number FROM"
    " jsonb_array_elements_text(r.body->'later') l(uuid) JOIN dose x ON x.uuid = l.uuid"
    " WHERE x.voided = 0 ORDER BY x.dose_number LOOP\n"
    "      IF d.dose_number > 1 AND NOT EXISTS (SELECT 1 FROM dose o WHERE"
    " o.person_canon = d.person_canon AND o.series = d.series AND"
    " o.dose_number = d.dose_number - 1 AND o.voided = 0) THEN\n"
    "        UPDATE dose SET dose_number = d.dose_number - 1, seq = nextval('vs_seq')"
    " WHERE uuid = d.uuid;\n"
    "        renumbered := renumbered + 1;\n"
    "      END IF;\n"
    "    END LOOP;\n"
    "  END LOOP;\n"
    "END\n"
    "$f$;";

/* Version 4: the person's ethnicity (laptop schema 27). vs_apply() is left as it is; what
 * later versions add to a push is done by vs_apply_extra(), run after the others in the same
 * transaction on the same batch: a registration's ethnicity is stored with it, and an edit's
 * when the edit won (vs_apply() kept the record it replaced in history under the edit's uuid). */
#define VS_ETHNICITY                                                                               \
    "  UPDATE person p SET ethnicity = i.body->>'ethnicity' FROM incoming i WHERE i.fresh"         \
    " AND i.kind = 'person' AND p.uuid = i.record_uuid AND i.body ? 'ethnicity';\n"                \
    "  FOR r IN SELECT * FROM incoming i WHERE i.fresh AND i.kind = 'person_edit'"                 \
    " AND i.body->'fields' ? 'ethnicity' ORDER BY i.seq LOOP\n"                                    \
    "    UPDATE person SET ethnicity = r.body->'fields'->>'ethnicity' WHERE uuid ="                \
    " vs_person(r.body->>'person_uuid') AND EXISTS (SELECT 1 FROM person_history h"                \
    " WHERE h.event_uuid = r.uuid AND h.reason = 'replaced by a newer edit');\n"                   \
    "  END LOOP;\n"
static const char server_schema_v4[] =
    "ALTER TABLE person ADD COLUMN ethnicity text NOT NULL DEFAULT '';"
    "CREATE FUNCTION vs_apply_extra(OUT serious int) LANGUAGE plpgsql AS $f$\n"
    "DECLARE r record;\n"
    "BEGIN\n"
    "  serious := 0;\n" VS_ETHNICITY "END\n"
    "$f$;";

/* Version 5: one ID registered for two different people is kept apart, as a laptop keeps them
 * (keep_apart): a registration that vs_apply() would make an alias of a person with another birth
 * date or folded name becomes its own person instead; the earlier registration (created_at, then
 * uuid) keeps the ID and the other takes its disputed identifier ("KGT" and the first 9 hex digits
 * of its uuid, upper case), whatever the order of the pushes; a same_id_differs conflict names
 * both. The person first stored may be the one that gives the ID up (its row goes out again). */
static const char server_schema_v5[] =
    "CREATE FUNCTION vs_identity() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
    "DECLARE k person%ROWTYPE; kf text; nf text; first boolean; apart text; a text; b text;\n"
    "BEGIN\n"
    "  SELECT * INTO k FROM person WHERE uuid = NEW.person_uuid;\n"
    /* a manager's merge of two records held (vs_apply_merges) is not a registration */
    "  IF NOT FOUND OR EXISTS (SELECT 1 FROM person WHERE uuid = NEW.uuid) THEN RETURN NEW;"
    " END IF;\n"
    "  kf := coalesce((SELECT body->>'name_folded' FROM sync_event WHERE uuid = k.uuid"
    " AND kind = 'person'), lower(k.full_name));\n"
    "  nf := coalesce(NEW.body->>'name_folded', lower(NEW.body->>'full_name'));\n"
    "  IF NEW.body->>'birth_date' = k.birth_date AND nf = kf THEN RETURN NEW; END IF;\n"
    "  first := (NEW.body->>'created_at')::bigint < k.created_at OR"
    " ((NEW.body->>'created_at')::bigint = k.created_at AND NEW.uuid < k.uuid);\n"
    "  apart := 'KGT' || upper(substr(replace(CASE WHEN first THEN k.uuid ELSE NEW.uuid END,"
    " '-', ''), 1, 9));\n"
    "  IF first THEN\n"
    "    INSERT INTO person_history(person_uuid, version, body, reason, event_uuid)"
    " VALUES (k.uuid, k.version, to_jsonb(k), 'ID in dispute with another record', NEW.uuid);\n"
    "    UPDATE person SET national_id = apart, seq = nextval('vs_seq') WHERE uuid = k.uuid;\n"
    "  END IF;\n"
    "  INSERT INTO person(uuid, national_id, insurance_no, full_name, birth_date, sex, phone,"
    " commune, priority_group, version, created_at, updated_at, updated_by, site, device, seq)"
    " VALUES (NEW.uuid, CASE WHEN first THEN k.national_id ELSE apart END,"
    " coalesce(NEW.body->>'insurance_no', ''), NEW.body->>'full_name', NEW.body->>'birth_date',"
    " coalesce(NEW.body->>'sex', ''), coalesce(NEW.body->>'phone', ''),"
    " coalesce(NEW.body->>'commune', ''), NEW.body->>'priority_group',"
    " coalesce((NEW.body->>'version')::int, 1), (NEW.body->>'created_at')::bigint,"
    " (NEW.body->>'updated_at')::bigint, coalesce(NEW.body->>'updated_by', ''), NEW.site,"
    " NEW.device, nextval('vs_seq'));\n"
    "  a := CASE WHEN first THEN NEW.uuid ELSE k.uuid END;\n"
    "  b := CASE WHEN first THEN k.uuid ELSE NEW.uuid END;\n"
    "  INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details) VALUES"
    " ('same_id_differs', a, a, b, format('ID %s registered for %s (born %s) and for %s (born"
    " %s): kept apart; the second is %s until a manager decides', k.national_id,"
    " CASE WHEN first THEN NEW.body->>'full_name' ELSE k.full_name END,"
    " CASE WHEN first THEN NEW.body->>'birth_date' ELSE k.birth_date END,"
    " CASE WHEN first THEN k.full_name ELSE NEW.body->>'full_name' END,"
    " CASE WHEN first THEN k.birth_date ELSE NEW.body->>'birth_date' END, apart))"
    " ON CONFLICT DO NOTHING;\n"
    "  RETURN NULL;\n"
    "END\n"
    "$f$;"
    "CREATE TRIGGER person_alias_identity BEFORE INSERT ON person_alias FOR EACH ROW"
    " EXECUTE FUNCTION vs_identity();";

/* vs_apply_extra() of version 6 in two parts: version 8 makes it again (a registration's
 * ethnicity written only when there is one). */
// clang-format off
#define VS_EXTRA_HEAD \
    "CREATE OR REPLACE FUNCTION vs_apply_extra(OUT serious int) LANGUAGE plpgsql AS $f$\n" \
    /* the table's column "serious", not the result of the same name */ \
    "#variable_conflict use_column\n" \
    "DECLARE r record;\n" \
    "BEGIN\n"
#define VS_AEFI_REPORTS \
    "  WITH up AS (INSERT INTO aefi_report(uuid, person_uuid, reaction_uuid, site, device," \
    " serious, version, onset_at, outcome, body, seq)\n" \
    "    SELECT DISTINCT ON (i.record_uuid) i.record_uuid, vs_person(i.body->>'person_uuid')," \
    " i.body->>'reaction_uuid', i.site, i.device, coalesce((i.body->>'serious')::boolean, false)," \
    " (i.body->>'version')::int, (i.body->>'onset_at')::bigint, coalesce(i.body->>'outcome', '')," \
    " i.body, nextval('vs_seq') FROM incoming i WHERE i.fresh AND i.kind = 'aefi_report'" \
    " ORDER BY i.record_uuid, (i.body->>'version')::int DESC\n" \
    "    ON CONFLICT (uuid) DO UPDATE SET serious = excluded.serious, version = excluded.version," \
    " onset_at = excluded.onset_at, outcome = excluded.outcome, body = excluded.body," \
    " seq = excluded.seq WHERE excluded.version > aefi_report.version" \
    " RETURNING aefi_report.serious AS is_serious)\n" \
    "  SELECT count(*) FILTER (WHERE up.is_serious) INTO serious FROM up;\n"
// clang-format on

/* Version 6: serious reactions' reports (laptop schema 28, aefi_report events): the newest
 * version of each report, flagged serious (the district lists those), by site; vs_apply_extra()
 * made again to store them as well. */
static const char server_schema_v6[] =
    "CREATE TABLE aefi_report(uuid text PRIMARY KEY, person_uuid text NOT NULL,"
    " reaction_uuid text NOT NULL, site text NOT NULL, device text NOT NULL,"
    " serious boolean NOT NULL, version int NOT NULL, onset_at bigint,"
    " outcome text NOT NULL DEFAULT '', body jsonb NOT NULL, seq bigint NOT NULL);"
    "CREATE INDEX aefi_report_serious ON aefi_report(site, seq) WHERE serious;" VS_EXTRA_HEAD
        VS_ETHNICITY VS_AEFI_REPORTS "END\n$f$;";

/* Version 7: edits merge field by field on the hybrid logical clock, as a laptop merges them
 * (merge_person_edit, above): person.clock holds each field's stamp and the event that wrote it
 * ({"full_name": {"h": stamp, "e": event uuid}}), an edit's field is applied when its stamp is
 * later, and a field two laptops edited without seeing each other's edit keeps both values in a
 * concurrent_edit conflict (field, a_value, b_value). Stamps compare byte by byte (COLLATE "C"),
 * as the laptops compare them. vs_apply() is made again with vs_apply_edits() for its loop of
 * version 1; the pull sends the stamps with the record. */
#define VS_FIELDS                                                                                  \
    "('national_id', 'insurance_no', 'full_name', 'birth_date', 'sex', 'phone',"                   \
    " 'commune', 'priority_group', 'ethnicity')"
#define VS_SET(f) " " f " = CASE WHEN ap ? '" f "' THEN ap->>'" f "' ELSE " f " END,"
// clang-format off
static const char server_schema_v7[] =
    "ALTER TABLE person ADD COLUMN clock jsonb NOT NULL DEFAULT '{}';"
    "ALTER TABLE conflict ADD COLUMN field text NOT NULL DEFAULT '',"
    " ADD COLUMN a_value jsonb, ADD COLUMN b_value jsonb;"
    "CREATE FUNCTION vs_apply_edits() RETURNS int LANGUAGE plpgsql AS $f$\n"
    "DECLARE r record; p person%ROWTYPE; cur jsonb; canon text; f jsonb; k text; v jsonb;"
    " h text; cur_h text; cur_e text; knew boolean; ap jsonb; lost jsonb; stamps jsonb;"
    " disp jsonb; g jsonb; e text; n int; total int := 0;\n"
    "BEGIN\n"
    "  FOR r IN SELECT * FROM incoming WHERE incoming.fresh AND kind = 'person_edit'"
    " ORDER BY seq LOOP\n"
    "    canon := vs_person(r.body->>'person_uuid');\n"
    "    SELECT * INTO p FROM person WHERE uuid = canon FOR UPDATE;\n"
    "    IF NOT FOUND THEN\n"
    "      INSERT INTO conflict(kind, person_uuid, a_uuid, details) VALUES ('orphan_edit',"
    " canon, r.uuid, 'an edit of a person the server does not hold') ON CONFLICT DO NOTHING;\n"
    "      GET DIAGNOSTICS n = ROW_COUNT; total := total + n;\n"
    "      CONTINUE;\n"
    "    END IF;\n"
    "    cur := to_jsonb(p);\n"
    "    f := coalesce(r.body->'fields', '{}'::jsonb);\n"
    /* an edit made before laptop schema 31: its wall time, and its base version */
    "    h := coalesce(r.body->>'hlc', lpad(((r.body->>'updated_at')::bigint * 1000)::text, 15,"
    " '0') || '.00000.' || r.device);\n"
    "    ap := '{}'; lost := '{}'; stamps := '{}'; disp := '{}';\n"
    "    FOR k, v IN SELECT x.key, x.value FROM jsonb_each(f) x WHERE x.key IN " VS_FIELDS
    " ORDER BY x.key LOOP\n"
    "      IF k = 'national_id' AND EXISTS (SELECT 1 FROM person WHERE national_id = v #>> '{}'"
    " AND uuid <> canon) THEN\n"
    "        INSERT INTO conflict(kind, person_uuid, a_uuid, details) VALUES ('edit_id_taken',"
    " canon, r.uuid, 'an edit gave an ID another person holds') ON CONFLICT DO NOTHING;\n"
    "        GET DIAGNOSTICS n = ROW_COUNT; total := total + n;\n"
    "        CONTINUE;\n"
    "      END IF;\n"
    "      cur_h := coalesce(p.clock->k->>'h', '');\n"
    "      cur_e := coalesce(p.clock->k->>'e', canon);\n"
    "      knew := CASE WHEN r.body ? 'base' THEN coalesce(r.body->'base'->>k, '') = cur_h"
    " ELSE (r.body->>'base_version')::int = p.version AND canon = r.body->>'person_uuid' END;\n"
    "      IF h COLLATE \"C\" > cur_h COLLATE \"C\" THEN\n"
    "        ap := ap || jsonb_build_object(k, v);\n"
    "        stamps := stamps || jsonb_build_object(k, jsonb_build_object('h', h, 'e', r.uuid));\n"
    "      ELSE\n"
    "        lost := lost || jsonb_build_object(k, v);\n"
    "      END IF;\n"
    "      IF NOT knew AND cur->k IS DISTINCT FROM v THEN\n"
    "        g := coalesce(disp->cur_e, '{\"f\": [], \"o\": {}, \"t\": {}}'::jsonb);\n"
    "        disp := disp || jsonb_build_object(cur_e, jsonb_build_object('f', (g->'f') ||"
    " to_jsonb(k), 'o', (g->'o') || jsonb_build_object(k, cur->k), 't', (g->'t') ||"
    " jsonb_build_object(k, v)));\n"
    "      END IF;\n"
    "    END LOOP;\n"
    "    IF ap <> '{}' THEN\n"
    "      INSERT INTO person_history(person_uuid, version, body, reason, event_uuid)"
    " VALUES (canon, p.version, cur, 'replaced by a later edit', r.uuid);\n"
    "      UPDATE person SET" VS_SET("national_id") VS_SET("insurance_no") VS_SET("full_name")
    VS_SET("birth_date") VS_SET("sex") VS_SET("phone") VS_SET("commune") VS_SET("ethnicity")
    " priority_group = CASE WHEN ap ? 'priority_group' THEN ap->>'priority_group' ELSE"
    " priority_group END, clock = clock || stamps, version = version + 1,"
    " updated_at = greatest(updated_at, (r.body->>'updated_at')::bigint),"
    " updated_by = coalesce(r.body->>'updated_by', ''), seq = nextval('vs_seq')"
    " WHERE uuid = canon;\n"
    "    END IF;\n"
    "    IF lost <> '{}' THEN\n"
    "      INSERT INTO person_history(person_uuid, version, body, reason, event_uuid)"
    " VALUES (canon, p.version, cur || lost, 'older edit, not applied', r.uuid);\n"
    "    END IF;\n"
    "    FOR e, g IN SELECT x.key, x.value FROM jsonb_each(disp) x LOOP\n"
    "      INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details, field, a_value,"
    " b_value) VALUES ('concurrent_edit', canon, CASE WHEN e COLLATE \"C\" < r.uuid COLLATE \"C\""
    " THEN e ELSE r.uuid END, CASE WHEN e COLLATE \"C\" < r.uuid COLLATE \"C\" THEN r.uuid"
    " ELSE e END, format('%s edited on two devices without seeing each other''s edit (one at"
    " %s); the later edit is shown, both values are kept', array_to_string(ARRAY(SELECT"
    " jsonb_array_elements_text(g->'f')), ','), r.site), array_to_string(ARRAY(SELECT"
    " jsonb_array_elements_text(g->'f')), ','), CASE WHEN e COLLATE \"C\" < r.uuid COLLATE \"C\""
    " THEN g->'o' ELSE g->'t' END, CASE WHEN e COLLATE \"C\" < r.uuid COLLATE \"C\" THEN g->'t'"
    " ELSE g->'o' END) ON CONFLICT DO NOTHING;\n"
    "      GET DIAGNOSTICS n = ROW_COUNT; total := total + n;\n"
    "    END LOOP;\n"
    "  END LOOP;\n"
    "  RETURN total;\n"
    "END\n"
    "$f$;"
    "CREATE OR REPLACE " VS_APPLY_HEAD "  conflicts := conflicts + vs_apply_edits();\n"
    VS_APPLY_TAIL;
// clang-format on
#undef VS_SET
#undef VS_FIELDS

/* Version 8: a person's other ID (laptop schema 31, person_link events), as a laptop takes it
 * (merge_person_link, merge_person_linked): person_link holds each number and whose it is. A
 * registration under a number someone holds as their other ID is theirs when the folded names
 * and birth dates agree (an alias, as a second registration of one ID is), else a person of its
 * own and a linked_id_differs conflict (vs_linked, before the row goes in). A link whose number is
 * another record's own ID merges that record into the link's holder when they agree (vs_merge_pair,
 * the merge of version 2 for one pair), else is listed. Run after the others, on the same batch. */
#define VS_FOLDED(u)                                                                               \
    "coalesce((SELECT body->>'name_folded' FROM sync_event WHERE uuid = " u " AND kind ="          \
    " 'person'), (SELECT lower(full_name) FROM person WHERE uuid = " u "))"
// clang-format off
static const char server_schema_v8[] =
    "CREATE TABLE person_link(value text PRIMARY KEY, person_uuid text NOT NULL,"
    " kind text NOT NULL DEFAULT '', site text NOT NULL, device text NOT NULL,"
    " at bigint NOT NULL DEFAULT 0, seq bigint NOT NULL);"
    "CREATE INDEX person_link_seq ON person_link(seq);"
    /* the pull sends a person who moved out of the team's communes too: their old record is there */
    "CREATE INDEX person_history_commune ON person_history((body->>'commune'));"
    "CREATE FUNCTION vs_linked() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
    "DECLARE k person%ROWTYPE; b jsonb;\n"
    "BEGIN\n"
    "  SELECT p.* INTO k FROM person_link l JOIN person p ON p.uuid = coalesce((SELECT"
    " merged_into FROM person WHERE uuid = vs_person(l.person_uuid)), vs_person(l.person_uuid))"
    " WHERE l.value = NEW.national_id;\n"
    "  IF NOT FOUND OR k.uuid = NEW.uuid THEN RETURN NEW; END IF;\n"
    "  b := (SELECT body FROM sync_event WHERE uuid = NEW.uuid AND kind = 'person');\n"
    "  IF b IS NOT NULL AND NEW.birth_date = k.birth_date AND coalesce(b->>'name_folded',"
    " lower(NEW.full_name)) = " VS_FOLDED("k.uuid") " THEN\n"
    "    INSERT INTO person_alias(uuid, person_uuid, site, device, body) VALUES (NEW.uuid,"
    " k.uuid, NEW.site, NEW.device, b) ON CONFLICT DO NOTHING;\n"
    "    INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details) VALUES"
    " ('duplicate_person', k.uuid, k.uuid, NEW.uuid, format('ID %s registered at %s and linked"
    " to a person already held: one person', NEW.national_id, NEW.site)) ON CONFLICT DO NOTHING;\n"
    "    RETURN NULL;\n"
    "  END IF;\n"
    "  INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details) VALUES"
    " ('linked_id_differs', k.uuid, k.uuid, NEW.uuid, format('ID %s is one person''s other ID and"
    " another person''s own (from %s): not merged, a manager decides', NEW.national_id,"
    " NEW.site)) ON CONFLICT DO NOTHING;\n"
    "  RETURN NEW;\n"
    "END\n"
    "$f$;"
    "CREATE TRIGGER person_linked BEFORE INSERT ON person FOR EACH ROW"
    " EXECUTE FUNCTION vs_linked();"
    "CREATE FUNCTION vs_merge_pair(kept text, gone text, why text, event text) RETURNS int"
    " LANGUAGE plpgsql AS $f$\n"
    "DECLARE n int;\n"
    "BEGIN\n"
    "  INSERT INTO person_history(person_uuid, version, body, reason, event_uuid)"
    " SELECT gone, p.version, to_jsonb(p), why, event FROM person p WHERE p.uuid = gone;\n"
    "  UPDATE person SET merged_into = kept WHERE merged_into = gone;\n"
    "  UPDATE person SET merged_into = kept, seq = nextval('vs_seq') WHERE uuid = gone;\n"
    "  UPDATE person_alias SET person_uuid = kept WHERE person_uuid = gone;\n"
    "  INSERT INTO person_alias(uuid, person_uuid, site, device, body) SELECT gone, kept, p.site,"
    " p.device, to_jsonb(p) FROM person p WHERE p.uuid = gone ON CONFLICT (uuid) DO UPDATE SET"
    " person_uuid = excluded.person_uuid;\n"
    "  UPDATE dose SET person_canon = kept, seq = nextval('vs_seq') WHERE person_canon = gone;\n"
    "  INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details) SELECT"
    " 'same_dose_number', kept, least(d.uuid, o.uuid), greatest(d.uuid, o.uuid), format('dose %s"
    " of both records merged into one', d.dose_number) FROM dose d JOIN dose o"
    " ON o.person_canon = d.person_canon AND o.series = d.series AND o.dose_number = d.dose_number"
    " AND o.uuid > d.uuid AND o.voided = 0 AND o.override_reason = '' WHERE d.person_canon = kept"
    " AND d.voided = 0 AND d.override_reason = '' ON CONFLICT DO NOTHING;\n"
    "  GET DIAGNOSTICS n = ROW_COUNT;\n"
    "  RETURN n;\n"
    "END\n"
    "$f$;"
    /* a registration's ethnicity written when it has one: every row written twice was 0.4 to
     * 0.6 s of a 100,000-event push; an edit's is vs_apply_edits' since version 7 */
    VS_EXTRA_HEAD "  UPDATE person p SET ethnicity = i.body->>'ethnicity' FROM incoming i"
    " WHERE i.fresh AND i.kind = 'person' AND p.uuid = i.record_uuid"
    " AND coalesce(i.body->>'ethnicity', '') <> '' AND p.ethnicity <> i.body->>'ethnicity';\n"
    VS_AEFI_REPORTS "END\n$f$;"
    "CREATE FUNCTION vs_apply_links() RETURNS int LANGUAGE plpgsql AS $f$\n"
    "DECLARE r record; x text; y person%ROWTYPE; holder text; n int; total int := 0;\n"
    "BEGIN\n"
    "  FOR r IN SELECT * FROM incoming WHERE incoming.fresh AND kind = 'person_link'"
    " ORDER BY seq LOOP\n"
    "    x := vs_person(r.body->>'person_uuid');\n"
    "    x := coalesce((SELECT merged_into FROM person WHERE uuid = x), x);\n"
    "    INSERT INTO person_link(value, person_uuid, kind, site, device, at, seq) VALUES"
    " (r.body->>'value', x, coalesce(r.body->>'kind', ''), r.site, r.device,"
    " coalesce((r.body->>'at')::bigint, 0), nextval('vs_seq')) ON CONFLICT (value) DO NOTHING;\n"
    "    GET DIAGNOSTICS n = ROW_COUNT;\n"
    "    IF n = 0 THEN\n"
    "      holder := vs_person((SELECT person_uuid FROM person_link WHERE value ="
    " r.body->>'value'));\n"
    "      holder := coalesce((SELECT merged_into FROM person WHERE uuid = holder), holder);\n"
    "      IF holder <> x THEN\n"
    "        INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details) VALUES"
    " ('linked_id_differs', holder, holder, r.body->>'person_uuid', format('ID %s is one"
    " person''s other ID and another person''s own (from %s): not merged, a manager decides',"
    " r.body->>'value', r.site)) ON CONFLICT DO NOTHING;\n"
    "        GET DIAGNOSTICS n = ROW_COUNT; total := total + n;\n"
    "      END IF;\n"
    "      CONTINUE;\n"
    "    END IF;\n"
    "    SELECT * INTO y FROM person WHERE national_id = r.body->>'value' AND merged_into IS NULL"
    " AND uuid <> x;\n"
    "    IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM person WHERE uuid = x) THEN CONTINUE; END IF;\n"
    "    IF y.birth_date = (SELECT birth_date FROM person WHERE uuid = x) AND " VS_FOLDED("y.uuid")
    " = " VS_FOLDED("x") " THEN\n"
    "      total := total + vs_merge_pair(x, y.uuid, format('one person''s two ID numbers, linked"
    " at %s', r.site), r.uuid);\n"
    "    ELSE\n"
    "      INSERT INTO conflict(kind, person_uuid, a_uuid, b_uuid, details) VALUES"
    " ('linked_id_differs', r.body->>'person_uuid', r.body->>'person_uuid', y.uuid, format('ID %s"
    " is one person''s other ID and another person''s own (from %s): not merged, a manager"
    " decides', r.body->>'value', r.site)) ON CONFLICT DO NOTHING;\n"
    "      GET DIAGNOSTICS n = ROW_COUNT; total := total + n;\n"
    "    END IF;\n"
    "  END LOOP;\n"
    "  RETURN total;\n"
    "END\n"
    "$f$;";
// clang-format on
#undef VS_FOLDED

/* Version 10 (laptop schema 33).
 * - A dose keeps its additional-dose mark and its round, and a dose given elsewhere where and how
 *   it was learnt (version 9 wrote those by an UPDATE after the insert): vs_apply() is made again
 *   with the columns in its insert. An UPDATE of the batch's doses joined to incoming was planned
 *   as a nested loop of two sequential scans (a temporary table has no statistics, a new dose
 *   table looks empty): 12 s for 20,000 events. A "dose_marks" event (the marks of a dose sent
 *   before) sets them where the dose has none, one dose at a time through its index, and moves it
 *   up the sequence, so that the pull sends it again to the teams that hold it.
 * - A minor's guardian: one row a person (the record an alias or a merge leads to), the later
 *   stamp standing whatever order the events arrive in; seq for the pull. */
// clang-format off
static const char server_schema_v10[] =
    "ALTER TABLE dose ADD COLUMN additional int NOT NULL DEFAULT 0,"
    " ADD COLUMN round text NOT NULL DEFAULT '';"
    "CREATE TABLE guardian(person_uuid text PRIMARY KEY, name text NOT NULL,"
    " phone text NOT NULL, hlc text NOT NULL, updated_at bigint NOT NULL DEFAULT 0,"
    " site text NOT NULL, device text NOT NULL, seq bigint NOT NULL);"
    "CREATE INDEX guardian_seq ON guardian(seq);"
    "CREATE OR REPLACE " VS_APPLY_HEAD "  conflicts := conflicts + vs_apply_edits();\n"
    VS_DOSE_INSERT(", additional, round, place, source, uvci, verified",
                   ", CASE WHEN i.body->>'additional' = '1' THEN 1 ELSE 0 END,"
                   " coalesce(i.body->>'round', ''), coalesce(i.body->>'place', ''),"
                   " CASE WHEN i.body->>'source' IN ('manual', 'hc1') THEN i.body->>'source'"
                   " ELSE '' END, coalesce(i.body->>'uvci', ''),"
                   " coalesce(i.body->>'verified', '')")
    VS_APPLY_TAIL_REST
    "ALTER FUNCTION vs_apply_extra() RENAME TO vs_apply_extra_v9;"
    "CREATE FUNCTION vs_apply_extra(OUT serious int) LANGUAGE plpgsql AS $f$\n"
    "DECLARE r record;\n"
    "BEGIN\n"
    /* version 9's UPDATE of a dose given elsewhere is the insert's now */
    "  serious := vs_apply_extra_v8();\n"
    "  FOR r IN SELECT * FROM incoming WHERE incoming.fresh AND kind = 'dose_marks' ORDER BY seq"
    " LOOP\n"
    "    UPDATE dose d SET additional = greatest(d.additional, CASE WHEN"
    " r.body->>'additional' = '1' THEN 1 ELSE 0 END), round = CASE WHEN d.round = '' THEN"
    " coalesce(r.body->>'round', '') ELSE d.round END,"
    " seq = nextval('vs_seq') WHERE d.uuid = r.body->>'dose_uuid';\n"
    "    UPDATE dose d SET place = coalesce(r.body->>'place', ''), source = r.body->>'source',"
    " uvci = coalesce(r.body->>'uvci', ''), verified = coalesce(r.body->>'verified', '')"
    " WHERE d.uuid = r.body->>'dose_uuid' AND d.source = ''"
    " AND r.body->>'source' IN ('manual', 'hc1');\n"
    "  END LOOP;\n"
    "  INSERT INTO guardian(person_uuid, name, phone, hlc, updated_at, site, device, seq)"
    " SELECT DISTINCT ON (g.p) g.p, g.body->>'name', g.body->>'phone',"
    " coalesce(g.body->>'hlc', ''), coalesce((g.body->>'updated_at')::bigint, 0), g.site,"
    " g.device, nextval('vs_seq') FROM (SELECT i.*, coalesce((SELECT merged_into FROM person"
    " WHERE uuid = vs_person(i.body->>'person_uuid')), vs_person(i.body->>'person_uuid')) AS p"
    " FROM incoming i WHERE i.fresh AND i.kind = 'guardian'"
    " AND coalesce(i.body->>'name', '') <> '' AND coalesce(i.body->>'phone', '') <> '') g"
    " WHERE EXISTS (SELECT 1 FROM person WHERE uuid = g.p)"
    " ORDER BY g.p, coalesce(g.body->>'hlc', '') DESC"
    " ON CONFLICT (person_uuid) DO UPDATE SET name = excluded.name, phone = excluded.phone,"
    " hlc = excluded.hlc, updated_at = excluded.updated_at, site = excluded.site,"
    " device = excluded.device, seq = excluded.seq WHERE excluded.hlc > guardian.hlc;\n"
    "END\n"
    "$f$;";
// clang-format on

static const char *const server_migrations[] = {NULL,
                                                server_schema_v1,
                                                server_schema_v2,
                                                server_schema_v3,
                                                server_schema_v4,
                                                server_schema_v5,
                                                server_schema_v6,
                                                server_schema_v7,
                                                server_schema_v8,
                                                vax_server_schema_v9,
                                                server_schema_v10};

static int pq_fail(vax_db *db, PGconn *c, const char *doing)
{
    char msg[300];
    vax_strlcpy(msg, c ? PQerrorMessage(c) : "", sizeof msg);
    msg[strcspn(msg, "\n")] = 0;
    return vax_fail(db, VAX_EIO, "url", _("Server: %s failed: %s"), doing, msg);
}

static int pq_res_fail(vax_db *db, PGresult *r, const char *doing)
{
    char msg[300];
    vax_strlcpy(msg, r ? PQresultErrorMessage(r) : "", sizeof msg);
    msg[strcspn(msg, "\n")] = 0;
    PQclear(r);
    return vax_fail(db, VAX_EIO, "url", _("Server: %s failed: %s"), doing, msg);
}

static int pq_exec(vax_db *db, PGconn *c, const char *sql, const char *doing)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        return pq_res_fail(db, r, doing);
    PQclear(r);
    return VAX_OK;
}

static int pq_connect(vax_db *db, const char *url, PGconn **out)
{
    *out = NULL;
    if (!url || !*url)
        return vax_fail(db, VAX_EINVAL, "url", "%s",
                        _("Server: give the district server's address (postgresql://...)."));
    char shown[1024];
    vax_sync_url_redact(url, shown, sizeof shown);
    /* libpq takes a string it cannot read as a URI for the keyword form and quotes it whole in
     * its complaint, the password with it: a mistyped scheme is answered here */
    const char *scheme = strstr(url, "://");
    if (scheme && strncmp(url, "postgresql://", 13) && strncmp(url, "postgres://", 11))
        return vax_fail(db, VAX_EINVAL, "url",
                        _("Server: the address must begin with postgresql:// (it reads %s)."),
                        shown);
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        /* whatever libpq says, the password is not repeated */
        char msg[600], clean[600];
        size_t at = 0, len = 0, k = 0;
        vax_strlcpy(msg, c ? PQerrorMessage(c) : "", sizeof msg);
        msg[strcspn(msg, "\n")] = 0;
        if (pw_span(url, &at, &len) && len) {
            char pw[256];
            int quoted = url[at] == '\'' && len >= 2;
            snprintf(pw, sizeof pw, "%.*s", (int)(quoted ? len - 2 : len), url + at + quoted);
            for (const char *p = msg; *p && k + 4 < sizeof clean;)
                if (pw[0] && !strncmp(p, pw, strlen(pw))) {
                    memcpy(clean + k, "***", 3);
                    k += 3;
                    p += strlen(pw);
                } else
                    clean[k++] = *p++;
            clean[k] = 0;
        } else
            vax_strlcpy(clean, msg, sizeof clean);
        PQfinish(c);
        return vax_fail(db, VAX_EIO, "url", _("Server: %s failed: %s"), _("connecting"), clean);
    }
    PQsetClientEncoding(c, "UTF8");
    *out = c;
    return VAX_OK;
}

/* The server's schema version; 0 when it has none, -1 on error. */
static int server_version(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT value FROM vs_meta WHERE key = 'schema'");
    int v = PQresultStatus(r) == PGRES_TUPLES_OK
                ? (PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0)
                : (strstr(PQresultErrorMessage(r), "does not exist") ? 0 : -1);
    PQclear(r);
    return v;
}

int vax_sync_init_server(vax_db *db, const char *url)
{
    PGconn *c = NULL;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = pq_connect(db, url, &c)) != VAX_OK)
        return rc;
    pq_exec(db, c, "SET client_min_messages = warning", "");
    /* each step with its version in one transaction; the lock keeps two inits apart */
    for (;;) {
        if ((rc = pq_exec(db, c, "BEGIN", _("starting"))) != VAX_OK)
            break;
        if ((rc = pq_exec(db, c,
                          "SELECT pg_advisory_xact_lock(" INIT_LOCK_KEY_TEXT ");"
                          "CREATE TABLE IF NOT EXISTS vs_meta(key text PRIMARY KEY,"
                          " value text NOT NULL)",
                          _("creating the schema"))) != VAX_OK)
            break;
        int v = server_version(c);
        if (v < 0) {
            rc = pq_fail(db, c, _("reading the schema version"));
            break;
        }
        if (v > SERVER_VERSION) {
            rc = vax_fail(db, VAX_ENEWER, "url",
                          _("Server: its schema (version %d) is newer than this vaxsite's (%d)."),
                          v, SERVER_VERSION);
            break;
        }
        if (v == SERVER_VERSION) {
            rc = pq_exec(db, c, "COMMIT", _("saving"));
            break;
        }
        char meta[160];
        snprintf(meta, sizeof meta,
                 "INSERT INTO vs_meta VALUES ('schema', '%d') ON CONFLICT (key) DO UPDATE SET"
                 " value = excluded.value",
                 v + 1);
        if ((rc = pq_exec(db, c, server_migrations[v + 1], _("creating the schema"))) != VAX_OK ||
            (rc = pq_exec(db, c, meta, _("creating the schema"))) != VAX_OK ||
            (rc = pq_exec(db, c, "COMMIT", _("saving"))) != VAX_OK)
            break;
    }
    if (rc != VAX_OK)
        PQexec(c, "ROLLBACK");
    PQfinish(c);
    return rc;
}

/* COPY text format: backslash, tab, newline and carriage return escaped. */
static int copy_append(vax_buf *b, const char *s, char sep)
{
    size_t n = strlen(s);
    /* each byte escaped at most into two, and the separator */
    if (n > (SIZE_MAX - 1) / 2 || vax_buf_reserve(b, n * 2 + 1) != VAX_OK)
        return VAX_ENOMEM;
    char *o = b->data + b->len;
    for (; *s; s++) {
        switch (*s) {
        case '\\':
            *o++ = '\\', *o++ = '\\';
            break;
        case '\t':
            *o++ = '\\', *o++ = 't';
            break;
        case '\n':
            *o++ = '\\', *o++ = 'n';
            break;
        case '\r':
            *o++ = '\\', *o++ = 'r';
            break;
        default:
            *o++ = *s;
        }
    }
    *o++ = sep;
    b->len = (size_t)(o - b->data);
    b->data[b->len] = 0;
    return VAX_OK;
}

static int server_ready(vax_db *db, PGconn *c)
{
    int v = server_version(c);
    if (v == SERVER_VERSION)
        return VAX_OK;
    if (v < 0)
        return pq_fail(db, c, _("reading the schema version"));
    if (v > 0 && v < SERVER_VERSION)
        return vax_fail(db, VAX_ESTATE, "url", "%s",
                        _("Server: its schema is older than this vaxsite's; run 'vaxsite sync "
                          "init-server URL' once to upgrade it."));
    return vax_fail(db, VAX_ESTATE, "url",
                    v > SERVER_VERSION
                        ? _("Server: its schema is newer than this vaxsite's; update vaxsite.")
                        : _("Server: no vaxsite schema yet; run 'vaxsite sync init-server URL'."));
}

/* A connection to a server whose schema is this vaxsite's (*c set for the caller to finish). */
static int server_open(vax_db *db, const char *url, PGconn **c)
{
    int rc = pq_connect(db, url, c);
    return rc == VAX_OK ? server_ready(db, *c) : rc;
}

int vax_sync_push(vax_db *db, const char *url, int batch, vax_sync_stats *stats)
{
    PGconn *c = NULL;
    vax_buf buf;
    vax_buf_init(&buf);
    int rc;
    vax_sync_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_site_refuse_demo(db, _("Push"))) != VAX_OK)
        return rc;
    if (batch <= 0)
        batch = 5000;
    if ((rc = server_open(db, url, &c)) != VAX_OK)
        goto out;
    if ((rc = pq_exec(db, c,
                      "SET client_min_messages = warning;"
                      "CREATE TEMP TABLE IF NOT EXISTS incoming(seq bigint, uuid text, kind text,"
                      " record_uuid text, site text, device text, device_seq bigint, at bigint,"
                      " body jsonb, fresh boolean NOT NULL DEFAULT false) ON COMMIT DELETE ROWS",
                      _("preparing"))) != VAX_OK)
        goto out;
    for (;;) {
        int64_t from = mark_get(db, "sync.pushed_seq"), to = from;
        buf.len = 0; /* each batch from the start, in the room of the last */
        int rows = 0;
        sqlite3_stmt *st = vax_stmt(db, "SELECT seq, uuid, kind, record_uuid, site, device,"
                                        " coalesce(device_seq, seq), at, body, " EVENT_FIT
                                        " FROM sync_outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        if (!st) {
            rc = VAX_EINTERNAL;
            goto out;
        }
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int(st, 2, batch);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            /* an empty event (left by a cut bundle an earlier version took in) would make the
             * server refuse the whole batch, this one and every later one: it is passed over */
            if (!sqlite3_column_int(st, 9)) {
                to = sqlite3_column_int64(st, 0);
                continue;
            }
            for (int col = 0; col < 9 && rc == SQLITE_ROW; col++)
                if (copy_append(&buf, vax_col_text(st, col), col == 8 ? '\n' : '\t'))
                    rc = SQLITE_NOMEM;
            if (rc != SQLITE_ROW)
                break;
            to = sqlite3_column_int64(st, 0);
            rows++;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            rc = vax_fail_sql(db, rc, _("reading the outbox"));
            goto out;
        }
        if (!rows && to == from)
            break;
        if (!rows) {
            if ((rc = vax_tx_begin(db)) != VAX_OK)
                goto out;
            if ((rc = mark_set(db, "sync.pushed_seq", to)) != VAX_OK) {
                vax_tx_rollback(db);
                goto out;
            }
            if ((rc = vax_tx_commit(db)) != VAX_OK)
                goto out;
            continue;
        }
        if ((rc = pq_exec(db, c, "BEGIN", _("starting a batch"))) != VAX_OK)
            goto out;
        PGresult *r = PQexec(c, "COPY incoming(seq, uuid, kind, record_uuid, site, device,"
                                " device_seq, at, body) FROM STDIN");
        if (PQresultStatus(r) != PGRES_COPY_IN) {
            rc = pq_res_fail(db, r, _("sending a batch"));
            goto out;
        }
        PQclear(r);
        if (PQputCopyData(c, buf.data, (int)buf.len) != 1 || PQputCopyEnd(c, NULL) != 1) {
            rc = pq_fail(db, c, _("sending a batch"));
            goto out;
        }
        r = PQgetResult(c);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = pq_res_fail(db, r, _("sending a batch"));
            goto out;
        }
        PQclear(r);
        while ((r = PQgetResult(c)))
            PQclear(r);
        r = PQexec(c, "SELECT * FROM vs_apply()");
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            rc = pq_res_fail(db, r, _("merging a batch"));
            goto out;
        }
        int fresh = atoi(PQgetvalue(r, 0, 0)), quarantined = atoi(PQgetvalue(r, 0, 1)),
            conflicts = atoi(PQgetvalue(r, 0, 2));
        PQclear(r);
        r = PQexec(c, "SELECT * FROM vs_apply_merges()");
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            rc = pq_res_fail(db, r, _("merging a batch"));
            goto out;
        }
        stats->people += atoi(PQgetvalue(r, 0, 0));
        stats->unapplied += atoi(PQgetvalue(r, 0, 1));
        conflicts += atoi(PQgetvalue(r, 0, 2));
        PQclear(r);
        if ((rc = pq_exec(db, c, "SELECT vs_apply_renumber()", _("merging a batch"))) != VAX_OK)
            goto out;
        if ((rc = pq_exec(db, c, "SELECT vs_apply_extra()", _("merging a batch"))) != VAX_OK)
            goto out;
        r = PQexec(c, "SELECT vs_apply_links()");
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            rc = pq_res_fail(db, r, _("merging a batch"));
            goto out;
        }
        conflicts += atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
        if ((rc = pq_exec(db, c, "COMMIT", _("saving a batch"))) != VAX_OK)
            goto out;
        /* only now, after the server's commit, does the laptop count these as sent */
        if ((rc = vax_tx_begin(db)) != VAX_OK)
            goto out;
        if ((rc = mark_set(db, "sync.pushed_seq", to)) != VAX_OK) {
            vax_tx_rollback(db);
            goto out;
        }
        if ((rc = vax_tx_commit(db)) != VAX_OK)
            goto out;
        stats->sent += rows;
        stats->received += fresh;
        stats->duplicates += rows - fresh - quarantined;
        stats->quarantined += quarantined;
        stats->conflicts += conflicts;
        stats->batches++;
    }
    rc = VAX_OK;
out:
    if (rc != VAX_OK && c && PQtransactionStatus(c) != PQTRANS_IDLE)
        PQclear(PQexec(c, "ROLLBACK"));
    vax_buf_free(&buf);
    PQfinish(c);
    return rc;
}

/* A conflict a manager resolved: its resolution event (conflict.c) is on the server; looked up
 * when the list is read, so the server's tables need nothing new. Byte order, as the laptops'. */
#define VS_UNRESOLVED                                                                              \
    " AND NOT EXISTS (SELECT 1 FROM sync_event r WHERE r.uuid = 'resolved/' || c.kind || '/' ||"   \
    " least(c.a_uuid COLLATE \"C\", c.b_uuid COLLATE \"C\") || '/' ||"                             \
    " greatest(c.a_uuid COLLATE \"C\", c.b_uuid COLLATE \"C\"))"

/* The district's open conflicts about the team's people (two edits of one field are listed only
 * where they meet: on the server), listed here too so that a manager resolves them at the team's
 * own screen; one listed here already (the two sides either way round) stays as it is. Inside the
 * pull's transaction. */
static int pull_open_conflicts(vax_db *db, PGresult *r)
{
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO sync_conflict(kind, person_uuid, a_uuid, b_uuid, details, created_at,"
            " field, a_value, b_value) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, ''),"
            " nullif(?9, '') WHERE NOT EXISTS (SELECT 1 FROM sync_conflict WHERE kind = ?1"
            " AND ((a_uuid = ?3 AND b_uuid = ?4) OR (a_uuid = ?4 AND b_uuid = ?3)))"
            " ON CONFLICT DO NOTHING");
    if (!st)
        return VAX_EINTERNAL;
    for (int i = 0; i < PQntuples(r); i++) {
        for (int k = 0; k < 9; k++)
            if (k == 5)
                sqlite3_bind_int64(st, 6, strtoll(PQgetvalue(r, i, 5), NULL, 10));
            else
                sqlite3_bind_text(st, k + 1, PQgetvalue(r, i, k), -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("listing a conflict"));
    }
    return VAX_OK;
}

int vax_sync_pull(vax_db *db, const char *url, const char *communes, vax_sync_stats *stats)
{
    PGconn *c = NULL;
    PGresult *rp = NULL, *rd = NULL, *rs = NULL, *rm = NULL, *rl = NULL, *ro = NULL;
    PGresult *rr = NULL, *rg = NULL; /* reactions and guardians recorded elsewhere (sync_pull.c) */
    char dev[37] = "", list[1024] = "", arr[1100];
    int rc;
    vax_sync_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (communes && *communes)
        vax_strlcpy(list, communes, sizeof list);
    else
        vax_setting_get(db, "sync.communes", list, sizeof list);
    if (!list[0])
        return vax_fail(db, VAX_EINVAL, "communes", "%s",
                        _("Communes: name the team's communes (separated by ';')."));
    vax_sync_device_id(db, dev);
    /* a Postgres text[] literal: {"a","b"} with quotes and backslashes escaped */
    {
        size_t o = 0;
        arr[o++] = '{';
        for (const char *s = list; *s && o + 4 < sizeof arr;) {
            const char *e = strchr(s, ';');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            if (o > 1)
                arr[o++] = ',';
            arr[o++] = '"';
            for (size_t i = 0; i < n && o + 4 < sizeof arr; i++) {
                if (s[i] == '"' || s[i] == '\\')
                    arr[o++] = '\\';
                arr[o++] = s[i];
            }
            arr[o++] = '"';
            s += n + (e ? 1 : 0);
            if (!e)
                break;
        }
        arr[o++] = '}';
        arr[o] = 0;
    }
    if ((rc = server_open(db, url, &c)) != VAX_OK)
        goto out;
    /* the cursor belongs to the list of communes it was read for: another list starts over */
    char cursor[24], before[1024] = "";
    vax_setting_get(db, "sync.communes", before, sizeof before);
    snprintf(cursor, sizeof cursor, "%lld",
             strcmp(before, list) ? 0LL : (long long)mark_get(db, "sync.pulled_seq"));
    const char *params[3] = {arr, cursor, dev};
    if ((rc = pq_exec(db, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", _("starting"))) !=
        VAX_OK)
        goto out;
    /* the team's people changed since the cursor, and those who moved out of its communes (their
     * record there is out of date: the district's tells the laptop where they went) */
    rp = PQexecParams(c,
                      "SELECT uuid, jsonb_build_object('uuid', uuid, 'national_id', national_id,"
                      " 'insurance_no', insurance_no, 'full_name', full_name, 'birth_date',"
                      " birth_date, 'sex', sex, 'phone', phone, 'commune', commune,"
                      " 'priority_group', priority_group, 'ethnicity', ethnicity, 'version',"
                      " version, 'created_at', created_at, 'updated_at', updated_at, 'clock',"
                      " clock, 'merged_into', merged_into)::text, site,"
                      " device FROM person WHERE seq > $2::bigint AND uuid IN (SELECT uuid FROM"
                      " person WHERE commune = ANY($1::text[]) UNION SELECT h.person_uuid FROM"
                      " person_history h WHERE h.body->>'commune' = ANY($1::text[]))"
                      " ORDER BY seq",
                      2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(rp) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, rp, _("reading the registry"));
        rp = NULL;
        goto out;
    }
    rd = PQexecParams(c,
                      "SELECT d.uuid, jsonb_build_object('person_uuid', d.person_canon,"
                      " 'product', d.product, 'series', d.series, 'dose_number', d.dose_number,"
                      " 'given_at', d.given_at, 'lot_no', d.lot_no, 'arm', d.arm, 'station',"
                      " d.station, 'number_reason', d.number_reason, 'override_reason',"
                      " d.override_reason, 'voided', d.voided, 'void_reason',"
                      " d.void_reason, 'place', d.place, 'source', d.source, 'uvci', d.uvci,"
                      " 'verified', d.verified, 'additional', d.additional, 'round',"
                      " d.round)::text, d.site, d.device, d.voided FROM dose d"
                      " JOIN person p ON p.uuid = d.person_canon"
                      " WHERE p.commune = ANY($1::text[]) AND (d.seq > $2::bigint OR p.seq >"
                      " $2::bigint) AND (d.device <> $3 OR d.voided <> 0) ORDER BY d.seq",
                      3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(rd) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, rd, _("reading doses"));
        rd = NULL;
        goto out;
    }
    rs = PQexec(c, "SELECT greatest((SELECT max(seq) FROM person), (SELECT max(seq) FROM dose))");
    if (PQresultStatus(rs) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, rs, _("reading the registry"));
        rs = NULL;
        goto out;
    }
    /* the merges of the team's people that other devices made (this one's are made here) */
    rm = PQexecParams(c,
                      "SELECT e.uuid, e.body::text, e.site, e.device, e.server_seq"
                      " FROM sync_event e WHERE e.kind = 'person_merge'"
                      " AND e.server_seq > $2::bigint AND e.device <> $3 AND EXISTS (SELECT 1"
                      " FROM person p WHERE p.uuid IN (e.body->>'kept_uuid',"
                      " e.body->>'merged_uuid') AND p.commune = ANY($1::text[]))"
                      " ORDER BY e.server_seq",
                      3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(rm) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, rm, _("reading the registry"));
        rm = NULL;
        goto out;
    }
    /* the team's people's other ID numbers that other devices linked (schema 8) */
    rl = PQexecParams(c,
                      "SELECT jsonb_build_object('person_uuid', l.person_uuid, 'value', l.value,"
                      " 'kind', l.kind, 'at', l.at)::text, l.site, l.device, l.seq"
                      " FROM person_link l JOIN person p ON p.uuid = vs_person(l.person_uuid)"
                      " WHERE p.commune = ANY($1::text[]) AND l.seq > $2::bigint AND l.device <> $3"
                      " ORDER BY l.seq",
                      3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(rl) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, rl, _("reading the registry"));
        rl = NULL;
        goto out;
    }
    /* the district's open conflicts about the team's people */
    ro = PQexecParams(c,
                      "SELECT c.kind, c.person_uuid, c.a_uuid, c.b_uuid, c.details,"
                      " extract(epoch FROM c.created_at)::bigint, c.field,"
                      " coalesce(c.a_value::text, ''), coalesce(c.b_value::text, '')"
                      " FROM conflict c JOIN person p ON p.uuid = vs_person(c.person_uuid)"
                      " WHERE p.commune = ANY($1::text[]) AND c.resolved_at IS NULL" VS_UNRESOLVED
                      " ORDER BY c.id",
                      1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(ro) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, ro, _("reading conflicts"));
        ro = NULL;
        goto out;
    }
    int64_t seen = PQgetisnull(rs, 0, 0) ? 0 : strtoll(PQgetvalue(rs, 0, 0), NULL, 10);
    for (int i = 0; i < PQntuples(rm); i++) {
        int64_t at = strtoll(PQgetvalue(rm, i, 4), NULL, 10);
        if (at > seen)
            seen = at;
    }
    for (int i = 0; i < PQntuples(rl); i++) {
        int64_t at = strtoll(PQgetvalue(rl, i, 3), NULL, 10);
        if (at > seen)
            seen = at;
    }
    if ((rc = vax_sync_pull_reactions_read(db, c, params, &rr, &seen)) != VAX_OK ||
        (rc = vax_sync_pull_guardians_read(db, c, params, &rg, &seen)) != VAX_OK)
        goto out;
    pq_exec(db, c, "COMMIT", "");
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = applying(db, 1)) != VAX_OK)
        goto fail;
    for (int i = 0; i < PQntuples(rp); i++) {
        merge_ctx m = {stats, PQgetvalue(rp, i, 2), PQgetvalue(rp, i, 3)};
        if ((rc = merge_person(db, PQgetvalue(rp, i, 1), &m)) != VAX_OK ||
            (rc = person_ethnicity(db, PQgetvalue(rp, i, 1))) != VAX_OK)
            goto fail;
    }
    for (int i = 0; i < PQntuples(rl); i++) {
        merge_ctx m = {stats, PQgetvalue(rl, i, 1), PQgetvalue(rl, i, 2)};
        if ((rc = merge_person_link(db, PQgetvalue(rl, i, 0), &m)) != VAX_OK)
            goto fail;
    }
    for (int i = 0; i < PQntuples(rd); i++) {
        merge_ctx m = {stats, PQgetvalue(rd, i, 2), PQgetvalue(rd, i, 3)};
        const char *uuid = PQgetvalue(rd, i, 0), *body = PQgetvalue(rd, i, 1);
        if ((rc = merge_dose(db, uuid, body, &m)) != VAX_OK)
            goto fail;
        /* a dose this laptop already held, voided since: the server's row names it, not a body
         * with its uuid */
        if (atoi(PQgetvalue(rd, i, 4)) && (rc = merge_dose_void(db, uuid, body)) != VAX_OK)
            goto fail;
    }
    for (int i = 0; i < PQntuples(rm); i++) {
        merge_ctx m = {stats, PQgetvalue(rm, i, 2), PQgetvalue(rm, i, 3)};
        if ((rc = merge_person_merge(db, PQgetvalue(rm, i, 0), PQgetvalue(rm, i, 1), &m, 0)) !=
            VAX_OK)
            goto fail;
    }
    if ((rc = vax_sync_pull_reactions_merge(db, rr, stats)) != VAX_OK)
        goto fail;
    for (int i = 0; i < PQntuples(rg); i++) {
        merge_ctx m = {stats, PQgetvalue(rg, i, 1), PQgetvalue(rg, i, 2)};
        if ((rc = merge_guardian(db, PQgetvalue(rg, i, 0), &m)) != VAX_OK)
            goto fail;
    }
    if ((rc = events_waiting(db, stats)) != VAX_OK || (rc = merges_waiting(db, stats)) != VAX_OK ||
        (rc = pull_open_conflicts(db, ro)) != VAX_OK || (rc = vax_conflict_pull(db, c)) != VAX_OK ||
        (rc = applying(db, 0)) != VAX_OK || (rc = mark_set(db, "sync.pulled_seq", seen)) != VAX_OK)
        goto fail;
    if (communes && *communes && (rc = setting_put(db, "sync.communes", list)) != VAX_OK)
        goto fail;
    char shown[1024];
    vax_sync_url_redact(url, shown, sizeof shown);
    if ((rc = vax_audit(db, "sync.pull", "person", stats->people, shown)) != VAX_OK)
        goto fail;
    rc = vax_tx_commit(db);
    goto out;
fail:
    vax_tx_rollback(db);
out:
    PQclear(rp);
    PQclear(rd);
    PQclear(rs);
    PQclear(rm);
    PQclear(rl);
    PQclear(ro);
    PQclear(rr);
    PQclear(rg);
    if (c && PQtransactionStatus(c) != PQTRANS_IDLE)
        PQclear(PQexec(c, "ROLLBACK"));
    PQfinish(c);
    return rc;
}

int vax_sync_server_dose_counts(vax_db *db, const char *url, const char *day, const char *site,
                                vax_dose_count *out, int max, int *n)
{
    PGconn *c = NULL;
    int rc;
    *n = 0;
    vax_clear_error(db);
    if ((rc = server_open(db, url, &c)) != VAX_OK)
        goto out;
    const char *params[2] = {day, site && *site ? site : NULL};
    PGresult *r = PQexecParams(c,
                               "SELECT product, dose_number, count(*) FROM dose WHERE day = $1"
                               " AND voided = 0 AND ($2::text IS NULL OR site = $2)"
                               " GROUP BY product, dose_number ORDER BY product, dose_number",
                               2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, r, _("counting doses"));
        goto out;
    }
    for (int i = 0; i < PQntuples(r) && *n < max; i++) {
        vax_strlcpy(out[*n].product, PQgetvalue(r, i, 0), sizeof out[*n].product);
        out[*n].dose_number = atoi(PQgetvalue(r, i, 1));
        out[*n].n = atoi(PQgetvalue(r, i, 2));
        (*n)++;
    }
    PQclear(r);
out:
    PQfinish(c);
    return rc;
}

/* A connection to a server of this schema for one page of a list (lim and off: LIMIT and OFFSET
 * as text); *c is set even when the schema is refused, for the caller to finish. */
static int server_page(vax_db *db, const char *url, int offset, int max, PGconn **c, char lim[16],
                       char off[16])
{
    vax_clear_error(db);
    snprintf(lim, 16, "%d", max);
    snprintf(off, 16, "%d", offset > 0 ? offset : 0);
    return server_open(db, url, c);
}

int vax_sync_server_conflicts(vax_db *db, const char *url, int offset, vax_sync_conflict *out,
                              int max, int *n, int *total)
{
    PGconn *c = NULL;
    char lim[16], off[16];
    *n = *total = 0;
    int rc = server_page(db, url, offset, max, &c, lim, off);
    if (rc != VAX_OK)
        goto out;
    const char *params[] = {lim, off};
    PGresult *r = PQexecParams(
        c,
        "SELECT c.id, c.kind, c.person_uuid, c.a_uuid, c.b_uuid, c.details || coalesce(': ' ||"
        " c.a_value::text || ' / ' || c.b_value::text, ''),"
        " extract(epoch FROM c.created_at)::bigint, coalesce(p.national_id, ''),"
        " coalesce(p.full_name, ''), count(*) OVER () FROM conflict c LEFT JOIN person p"
        " ON p.uuid = vs_person(c.person_uuid) WHERE c.resolved_at IS NULL" VS_UNRESOLVED
        " ORDER BY c.id"
        " LIMIT $1::int OFFSET $2::int",
        2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, r, _("reading conflicts"));
        goto out;
    }
    for (int i = 0; i < PQntuples(r) && *n < max; i++) {
        vax_sync_conflict *k = &out[(*n)++];
        memset(k, 0, sizeof *k);
        k->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        vax_strlcpy(k->kind, PQgetvalue(r, i, 1), sizeof k->kind);
        vax_strlcpy(k->person_uuid, PQgetvalue(r, i, 2), sizeof k->person_uuid);
        vax_strlcpy(k->a_uuid, PQgetvalue(r, i, 3), sizeof k->a_uuid);
        vax_strlcpy(k->b_uuid, PQgetvalue(r, i, 4), sizeof k->b_uuid);
        vax_strlcpy(k->details, PQgetvalue(r, i, 5), sizeof k->details);
        k->created_at = strtoll(PQgetvalue(r, i, 6), NULL, 10);
        vax_strlcpy(k->national_id, PQgetvalue(r, i, 7), sizeof k->national_id);
        vax_strlcpy(k->full_name, PQgetvalue(r, i, 8), sizeof k->full_name);
        *total = atoi(PQgetvalue(r, i, 9));
    }
    PQclear(r);
    if (*n == 0 && offset > 0) { /* a page past the end: the count still */
        r = PQexec(c, "SELECT count(*) FROM conflict c WHERE resolved_at IS NULL" VS_UNRESOLVED);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            *total = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
out:
    PQfinish(c);
    return rc;
}

int vax_sync_server_conflict(vax_db *db, const char *url, int64_t id, vax_sync_conflict *out,
                             char **a_value, char **b_value)
{
    PGconn *c = NULL;
    char ids[24];
    int rc;
    *a_value = *b_value = NULL;
    vax_clear_error(db);
    if ((rc = server_open(db, url, &c)) != VAX_OK)
        goto out;
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *params[] = {ids};
    PGresult *r =
        PQexecParams(c,
                     "SELECT c.id, c.kind, c.person_uuid, c.a_uuid, c.b_uuid, c.details,"
                     " extract(epoch FROM c.created_at)::bigint, coalesce(p.national_id, ''),"
                     " coalesce(p.full_name, ''), c.a_value::text, c.b_value::text, c.resolved_at "
                     "IS NULL" VS_UNRESOLVED
                     " FROM conflict c LEFT JOIN person p ON p.uuid = vs_person(c.person_uuid)"
                     " WHERE c.id = $1::bigint",
                     1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, r, _("reading conflicts"));
        goto out;
    }
    if (PQntuples(r) != 1) {
        rc = vax_fail(db, VAX_ENOTFOUND, "conflict", "%s",
                      _("Conflict: the server lists no such conflict."));
    } else if (strcmp(PQgetvalue(r, 0, 11), "t")) {
        rc = vax_fail(db, VAX_ESTATE, "conflict", "%s", _("Conflict: resolved already."));
    } else {
        memset(out, 0, sizeof *out);
        out->id = id;
        vax_strlcpy(out->kind, PQgetvalue(r, 0, 1), sizeof out->kind);
        vax_strlcpy(out->person_uuid, PQgetvalue(r, 0, 2), sizeof out->person_uuid);
        vax_strlcpy(out->a_uuid, PQgetvalue(r, 0, 3), sizeof out->a_uuid);
        vax_strlcpy(out->b_uuid, PQgetvalue(r, 0, 4), sizeof out->b_uuid);
        vax_strlcpy(out->details, PQgetvalue(r, 0, 5), sizeof out->details);
        out->created_at = strtoll(PQgetvalue(r, 0, 6), NULL, 10);
        vax_strlcpy(out->national_id, PQgetvalue(r, 0, 7), sizeof out->national_id);
        vax_strlcpy(out->full_name, PQgetvalue(r, 0, 8), sizeof out->full_name);
        if (!PQgetisnull(r, 0, 9) && !PQgetisnull(r, 0, 10) &&
            (!(*a_value = strdup(PQgetvalue(r, 0, 9))) ||
             !(*b_value = strdup(PQgetvalue(r, 0, 10))))) {
            free(*a_value);
            *a_value = NULL;
            rc = VAX_ENOMEM;
        }
    }
    PQclear(r);
out:
    PQfinish(c);
    return rc;
}

/* One side from its event on the server (the value in the words vax_conflict_sides uses). */
static void server_side(const PGresult *r, int row, const vax_sync_conflict *k,
                        vax_conflict_side *d)
{
    const char *kind = PQgetvalue(r, row, 1);
    char dmy[11];
    memset(d, 0, sizeof *d);
    vax_strlcpy(d->uuid, PQgetvalue(r, row, 15), sizeof d->uuid);
    vax_strlcpy(d->site, PQgetvalue(r, row, 2), sizeof d->site);
    vax_strlcpy(d->device, PQgetvalue(r, row, 3), sizeof d->device);
    d->at = strtoll(PQgetvalue(r, row, 4), NULL, 10);
    vax_strlcpy(d->national_id, k->national_id, sizeof d->national_id);
    vax_strlcpy(d->full_name, k->full_name, sizeof d->full_name);
    if (!strcmp(kind, "dose")) {
        vax_strlcpy(d->what, "dose", sizeof d->what);
        vax_date_dmy(PQgetvalue(r, row, 10), dmy);
        snprintf(d->value, sizeof d->value, _("dose %d, %s, lot %s, %s%s"),
                 atoi(PQgetvalue(r, row, 7)), PQgetvalue(r, row, 8), PQgetvalue(r, row, 9), dmy,
                 "");
        vax_strlcpy(d->desk, PQgetvalue(r, row, 11), sizeof d->desk);
    } else if (!strcmp(kind, "person")) {
        vax_strlcpy(d->what, "person", sizeof d->what);
        vax_strlcpy(d->national_id, PQgetvalue(r, row, 5), sizeof d->national_id);
        vax_strlcpy(d->full_name, PQgetvalue(r, row, 6), sizeof d->full_name);
        vax_date_dmy(PQgetvalue(r, row, 12), dmy);
        snprintf(d->value, sizeof d->value, _("born %s"), dmy);
    } else if (!strcmp(kind, "person_edit")) {
        vax_strlcpy(d->what, "edit", sizeof d->what);
        vax_strlcpy(d->value, PQgetvalue(r, row, 13), sizeof d->value);
    } else {
        vax_strlcpy(d->what, kind, sizeof d->what);
    }
}

int vax_sync_server_conflict_sides(vax_db *db, const char *url, const vax_sync_conflict *k, int n,
                                   vax_conflict_side (*sides)[2])
{
    PGconn *c = NULL;
    vax_buf arr = {0};
    int rc;
    vax_clear_error(db);
    memset(sides, 0, (size_t)n * sizeof *sides);
    /* a text[] literal of the 2n uuids, quotes and backslashes escaped */
    for (int i = 0; i < 2 * n; i++) {
        const char *u = i % 2 ? k[i / 2].b_uuid : k[i / 2].a_uuid;
        if (vax_buf_printf(&arr, "%s\"", i ? "," : "{") != VAX_OK)
            return VAX_ENOMEM;
        for (; *u; u++)
            if (vax_buf_printf(&arr, "%s%c", *u == '"' || *u == '\\' ? "\\" : "", *u) != VAX_OK)
                return VAX_ENOMEM;
        if (vax_buf_printf(&arr, "\"") != VAX_OK)
            return VAX_ENOMEM;
    }
    if (vax_buf_printf(&arr, n ? "}" : "{}") != VAX_OK)
        return VAX_ENOMEM;
    if ((rc = server_open(db, url, &c)) != VAX_OK)
        goto out;
    const char *params[] = {arr.data};
    PGresult *r = PQexecParams(
        c,
        "SELECT x.i - 1, e.kind, e.site, e.device, e.at, coalesce(e.body->>'national_id', ''),"
        " coalesce(e.body->>'full_name', ''), coalesce(e.body->>'dose_number', '0'),"
        " coalesce(e.body->>'product', ''), coalesce(e.body->>'lot_no', ''),"
        " coalesce(e.body->>'day', ''), coalesce(e.body->>'station', ''),"
        " coalesce(e.body->>'birth_date', ''), coalesce((e.body->'fields')::text, ''), '', e.uuid"
        " FROM unnest($1::text[]) WITH ORDINALITY x(u, i) JOIN sync_event e ON e.uuid = x.u",
        1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, r, _("reading conflicts"));
        goto out;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        int at = atoi(PQgetvalue(r, i, 0));
        if (at >= 0 && at < 2 * n)
            server_side(r, i, &k[at / 2], &sides[at / 2][at % 2]);
    }
    PQclear(r);
out:
    vax_buf_free(&arr);
    PQfinish(c);
    return rc;
}

int vax_sync_server_quarantine(vax_db *db, const char *url, int offset, vax_sync_quarantined *out,
                               int max, int *n, int *total)
{
    PGconn *c = NULL;
    char lim[16], off[16];
    *n = *total = 0;
    int rc = server_page(db, url, offset, max, &c, lim, off);
    if (rc != VAX_OK)
        goto out;
    const char *params[] = {lim, off};
    /* the count in a query of its own: a page past the end still says how many */
    PGresult *r = PQexecParams(
        c,
        "SELECT q.id, q.uuid, q.kind, q.site, q.device, extract(epoch FROM q.received_at)::bigint,"
        " coalesce((SELECT string_agg(k, ', ' ORDER BY k) FROM (SELECT jsonb_object_keys(q.body)"
        " AS k UNION SELECT jsonb_object_keys(q.stored_body)) x WHERE q.body -> k IS DISTINCT"
        " FROM q.stored_body -> k), ''), (SELECT count(*) FROM quarantine) FROM quarantine q"
        " ORDER BY q.id LIMIT $1::int OFFSET $2::int",
        2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pq_res_fail(db, r, _("reading the quarantine"));
        goto out;
    }
    for (int i = 0; i < PQntuples(r) && *n < max; i++) {
        vax_sync_quarantined *q = &out[(*n)++];
        memset(q, 0, sizeof *q);
        q->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        vax_strlcpy(q->uuid, PQgetvalue(r, i, 1), sizeof q->uuid);
        vax_strlcpy(q->kind, PQgetvalue(r, i, 2), sizeof q->kind);
        vax_strlcpy(q->site, PQgetvalue(r, i, 3), sizeof q->site);
        vax_strlcpy(q->device, PQgetvalue(r, i, 4), sizeof q->device);
        q->at = strtoll(PQgetvalue(r, i, 5), NULL, 10);
        vax_strlcpy(q->differs, PQgetvalue(r, i, 6), sizeof q->differs);
        *total = atoi(PQgetvalue(r, i, 7));
    }
    PQclear(r);
    if (*n == 0) {
        r = PQexec(c, "SELECT count(*) FROM quarantine");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            *total = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
out:
    PQfinish(c);
    return rc;
}

#endif
