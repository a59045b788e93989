/* schema.c: the schema, version by version, and the data each step loads with its tables. db.c
 * walks this table; the seed functions belong to the modules that own the data, so that db.c
 * itself depends on no domain module. */
#include "internal.h"

/* Version 1: staff, sites, settings, the audit trail and the person registry. */
static const char schema_v1[] =
    "CREATE TABLE staff("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, login TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK (role IN ('volunteer','nurse','doctor','manager','system')),"
    " pin_hash TEXT, active INTEGER NOT NULL DEFAULT 1,"
    " failed_pins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE TABLE setting("
    " key TEXT PRIMARY KEY, value TEXT NOT NULL,"
    " updated_at INTEGER NOT NULL, updated_by INTEGER REFERENCES staff(id));"
    "CREATE TABLE site("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, code TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL, is_demo INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE TABLE audit("
    " id INTEGER PRIMARY KEY, at INTEGER NOT NULL, staff_id INTEGER REFERENCES staff(id),"
    " action TEXT NOT NULL, entity TEXT NOT NULL, entity_id INTEGER,"
    " details TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE priority_group("
    " code TEXT PRIMARY KEY, rank INTEGER NOT NULL, name_vi TEXT NOT NULL,"
    " name_en TEXT NOT NULL);"
    "CREATE TABLE person("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " national_id TEXT NOT NULL UNIQUE, insurance_no TEXT NOT NULL DEFAULT '',"
    " full_name TEXT NOT NULL, name_folded TEXT NOT NULL, birth_date TEXT NOT NULL,"
    " sex TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'm', 'f')),"
    " phone TEXT NOT NULL DEFAULT '', commune TEXT NOT NULL DEFAULT '',"
    " priority_group TEXT REFERENCES priority_group(code),"
    " version INTEGER NOT NULL DEFAULT 1,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE INDEX person_phone ON person(phone) WHERE phone <> '';"
    "CREATE TABLE person_history("
    " id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES person(id),"
    " version INTEGER NOT NULL, national_id TEXT NOT NULL, insurance_no TEXT NOT NULL,"
    " full_name TEXT NOT NULL, birth_date TEXT NOT NULL, sex TEXT NOT NULL,"
    " phone TEXT NOT NULL, commune TEXT NOT NULL, priority_group TEXT,"
    " reason TEXT NOT NULL DEFAULT '', replaced_at INTEGER NOT NULL,"
    " replaced_by INTEGER REFERENCES staff(id));";

/* What the search index holds for a person: "_" + the first word of the name (so that "the name
 * starts with" is an ordinary term, which FTS5 seeks through, rather than a ^ position filter it
 * must check row by row), the folded name, the ID number and the phone. */
#define FTS_TERMS(r)                                                                               \
    "'_' || substr(" r ".name_folded, 1, instr(" r ".name_folded || ' ', ' ') - 1) || ' ' || " r   \
    ".name_folded || ' ' || " r ".national_id || ' ' || " r ".phone"

/* Version 2: the search index and the visit queue with its append-only event log. */
static const char schema_v2[] =
    /* Contentless: the folded words live in person.name_folded; the index holds only postings.
     * prefix='1 2 3' keeps short prefixes ("ng v hu", "_ng") from scanning the term list. */
    "CREATE VIRTUAL TABLE person_fts USING fts5(terms, content='', prefix='1 2 3',"
    " tokenize='unicode61 remove_diacritics 0 tokenchars ''_''');"
    "CREATE VIEW person_fts_terms(id, terms) AS SELECT p.id, " FTS_TERMS(
        "p") " FROM person p;"
             "CREATE TRIGGER person_fts_ai AFTER INSERT ON person BEGIN"
             " INSERT INTO person_fts(rowid, terms) VALUES (new.id, " FTS_TERMS(
                 "new") ");"
                        " END;"
                        "CREATE TRIGGER person_fts_au AFTER UPDATE OF name_folded, national_id, "
                        "phone ON person BEGIN"
                        " INSERT INTO person_fts(person_fts, rowid, terms) VALUES ('delete', "
                        "old.id, " FTS_TERMS(
                            "old") ");"
                                   " INSERT INTO person_fts(rowid, terms) VALUES "
                                   "(new.id, " FTS_TERMS(
                                       "new") ");"
                                              " END;"
                                              "INSERT INTO person_fts(rowid, terms) SELECT id, "
                                              "terms FROM person_fts_terms;"
                                              "CREATE TABLE visit("
                                              " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
                                              " site_id INTEGER NOT NULL REFERENCES site(id), day "
                                              "TEXT NOT NULL,"
                                              " ticket INTEGER NOT NULL CHECK (ticket > 0),"
                                              " person_id INTEGER NOT NULL REFERENCES person(id), "
                                              "state TEXT NOT NULL,"
                                              " urgent INTEGER NOT NULL DEFAULT 0, group_rank "
                                              "INTEGER NOT NULL DEFAULT 99,"
                                              " age_band INTEGER NOT NULL DEFAULT 2, arrived_at "
                                              "INTEGER NOT NULL,"
                                              " state_since INTEGER NOT NULL, slot_start INTEGER "
                                              "NOT NULL DEFAULT 0,"
                                              " station TEXT NOT NULL DEFAULT '',"
                                              " created_at INTEGER NOT NULL, updated_at INTEGER "
                                              "NOT NULL,"
                                              " updated_by INTEGER REFERENCES staff(id),"
                                              " UNIQUE (site_id, day, ticket));"
                                              /* covers call-next: the waiting visits of a day are
                                                 ranked from the index alone */
                                              "CREATE INDEX visit_state ON visit(state, day, "
                                              "urgent, group_rank, age_band, slot_start,"
                                              " state_since);"
                                              "CREATE INDEX visit_person ON visit(person_id, day);"
                                              "CREATE TABLE visit_event("
                                              " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
                                              " visit_id INTEGER NOT NULL REFERENCES visit(id), at "
                                              "INTEGER NOT NULL,"
                                              " staff_id INTEGER REFERENCES staff(id), from_state "
                                              "TEXT, to_state TEXT NOT NULL,"
                                              " station TEXT NOT NULL DEFAULT '', details TEXT NOT "
                                              "NULL DEFAULT '');"
                                              "CREATE INDEX visit_event_visit ON "
                                              "visit_event(visit_id);"
                                              "CREATE TRIGGER visit_event_no_update BEFORE UPDATE "
                                              "ON visit_event BEGIN"
                                              " SELECT RAISE(ABORT, 'visit_event is append-only'); "
                                              "END;"
                                              "CREATE TRIGGER visit_event_no_delete BEFORE DELETE "
                                              "ON visit_event BEGIN"
                                              " SELECT RAISE(ABORT, 'visit_event is append-only'); "
                                              "END;"
                                              "CREATE TABLE dose("
                                              " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
                                              " person_id INTEGER NOT NULL REFERENCES person(id),"
                                              " visit_id INTEGER REFERENCES visit(id), product "
                                              "TEXT NOT NULL,"
                                              " dose_number INTEGER NOT NULL CHECK (dose_number > "
                                              "0), given_at INTEGER NOT NULL,"
                                              " lot_no TEXT NOT NULL DEFAULT '', voided INTEGER "
                                              "NOT NULL DEFAULT 0,"
                                              " created_at INTEGER NOT NULL, updated_at INTEGER "
                                              "NOT NULL,"
                                              " updated_by INTEGER REFERENCES staff(id));"
                                              "CREATE INDEX dose_person ON dose(person_id);";

/* Version 3: the vocabulary of name words, with how many people carry each. Search expands a typed
 * prefix ("nguy") to the few words it can be ("nguyen") and asks the index for those exact terms,
 * which FTS5 reads lazily, instead of a long prefix that it must merge in full before the first
 * row. Triggers keep it, so every way into the person table maintains it. A trigger cannot hold a
 * WITH clause, so the name is split into words through json_each: the punctuation the tokenizer
 * splits on (and the quote and backslash JSON would choke on) becomes a space; spaces, ",". */
#define NAME_JSON(x)                                                                               \
    "'[\"' || replace(replace(replace(replace(replace(replace(replace(replace(replace(" x ","      \
    " '\\', ' '), '\"', ' '), '-', ' '), '.', ' '), ',', ' '), '''', ' '), '(', ' '), ')', ' '),"  \
    " ' ', '\",\"') || '\"]'"
#define NAME_WORDS(x) "SELECT value AS term FROM json_each(" NAME_JSON(x) ") WHERE value <> ''"
static const char schema_v3[] =
    "CREATE TABLE name_word(term TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TRIGGER name_word_ai AFTER INSERT ON person BEGIN"
    " INSERT INTO name_word(term, n) SELECT term, 1 FROM (" NAME_WORDS(
        "new.name_folded") ")"
                           "  WHERE 1 ON CONFLICT(term) DO UPDATE SET n = n + 1;"
                           " END;"
                           "CREATE TRIGGER name_word_au AFTER UPDATE OF name_folded ON person BEGIN"
                           " UPDATE name_word SET n = n - 1 WHERE term IN (" NAME_WORDS(
                               "old.name_folded") ");"
                                                  " INSERT INTO name_word(term, n) SELECT term, 1 "
                                                  "FROM (" NAME_WORDS(
                                                      "new.name_folded") ")"
                                                                         "  WHERE 1 ON "
                                                                         "CONFLICT(term) DO UPDATE "
                                                                         "SET n = n + 1;"
                                                                         " END;"
                                                                         "INSERT INTO "
                                                                         "name_word(term, n) "
                                                                         "SELECT w.value, count(*) "
                                                                         "FROM person p,"
                                                                         " json_each(" NAME_JSON(
                                                                             "p.name_folded") ") w "
                                                                                              "WHER"
                                                                                              "E "
                                                                                              "w."
                                                                                              "valu"
                                                                                              "e "
                                                                                              "<> "
                                                                                              "'' "
                                                                                              "GROU"
                                                                                              "P "
                                                                                              "BY "
                                                                                              "w."
                                                                                              "valu"
                                                                                              "e;";

/* Version 4: the vaccine catalogue, loaded from the products.conf the binary carries. */
static const char schema_v4[] =
    "CREATE TABLE product("
    " code TEXT PRIMARY KEY, name TEXT NOT NULL, manufacturer TEXT NOT NULL,"
    " series_doses INTEGER NOT NULL CHECK (series_doses BETWEEN 1 AND 5),"
    " doses_per_vial INTEGER NOT NULL CHECK (doses_per_vial BETWEEN 1 AND 50),"
    " open_vial_minutes INTEGER NOT NULL CHECK (open_vial_minutes > 0),"
    " observation_minutes INTEGER NOT NULL, min_age INTEGER NOT NULL,"
    " not_in TEXT NOT NULL DEFAULT '', next TEXT NOT NULL,"
    " components INTEGER NOT NULL DEFAULT 1, storage TEXT NOT NULL DEFAULT '',"
    " dcc_vp TEXT NOT NULL, dcc_mp TEXT NOT NULL, dcc_ma TEXT NOT NULL,"
    " active INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE TABLE product_interval("
    " product TEXT NOT NULL REFERENCES product(code), after_dose INTEGER NOT NULL,"
    " min_days INTEGER NOT NULL, rec_days INTEGER NOT NULL,"
    " PRIMARY KEY (product, after_dose)) WITHOUT ROWID;";

/* Versions 5 to 8 are taken by work under way (5 stock and doses; 6 slots and appointments;
 * 7 screening; 8 certificates); each is one transaction like the others. */
static const char schema_v5[] =
    /* Lots received: expiry is the last local day the lot may be used. Stock is counted in
     * vials; the CHECKs keep it from going negative whatever the code does. */
    "CREATE TABLE lot("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " product TEXT NOT NULL REFERENCES product(code), lot_no TEXT NOT NULL,"
    " expiry TEXT NOT NULL, doses_per_vial INTEGER NOT NULL CHECK (doses_per_vial BETWEEN 1 AND "
    "50),"
    " component INTEGER NOT NULL DEFAULT 0 CHECK (component BETWEEN 0 AND 2),"
    " vials_received INTEGER NOT NULL CHECK (vials_received > 0),"
    " vials_opened INTEGER NOT NULL DEFAULT 0"
    "  CHECK (vials_opened >= 0 AND vials_opened <= vials_received),"
    " supplier TEXT NOT NULL DEFAULT '', received_at INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id), UNIQUE (product, lot_no));"
    "CREATE TABLE vial("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " lot_id INTEGER NOT NULL REFERENCES lot(id), station TEXT NOT NULL DEFAULT '',"
    " opened_at INTEGER NOT NULL, opened_by INTEGER REFERENCES staff(id),"
    " expires_at INTEGER NOT NULL,"
    " doses INTEGER NOT NULL CHECK (doses BETWEEN 1 AND 50),"
    " drawn INTEGER NOT NULL DEFAULT 0 CHECK (drawn >= 0 AND drawn <= doses),"
    " discarded_at INTEGER, discarded_by INTEGER REFERENCES staff(id),"
    " discard_reason TEXT CHECK (discard_reason IS NULL OR discard_reason IN"
    "  ('expired', 'broken', 'contaminated', 'cold_chain', 'end_of_day')),"
    " wasted INTEGER NOT NULL DEFAULT 0 CHECK (wasted >= 0 AND drawn + wasted <= doses),"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE INDEX vial_open ON vial(station) WHERE discarded_at IS NULL;"
    "CREATE INDEX vial_lot ON vial(lot_id);"
    "CREATE INDEX vial_opened_at ON vial(opened_at);"
    /* The dose of v2 gains where it came from and who gave it. */
    "ALTER TABLE dose ADD COLUMN series TEXT NOT NULL DEFAULT 'covid-19';"
    "ALTER TABLE dose ADD COLUMN lot_id INTEGER REFERENCES lot(id);"
    "ALTER TABLE dose ADD COLUMN vial_id INTEGER REFERENCES vial(id);"
    "ALTER TABLE dose ADD COLUMN arm TEXT NOT NULL DEFAULT ''"
    " CHECK (arm IN ('', 'left', 'right'));"
    "ALTER TABLE dose ADD COLUMN vaccinator INTEGER REFERENCES staff(id);"
    "ALTER TABLE dose ADD COLUMN station TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE dose ADD COLUMN number_reason TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE dose ADD COLUMN override_reason TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE dose ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';"
    /* one dose per person, series and number, unless a manager overrode with a reason */
    "CREATE UNIQUE INDEX dose_series_number ON dose(person_id, series, dose_number)"
    " WHERE voided = 0 AND override_reason = '';"
    "CREATE INDEX dose_given_at ON dose(given_at);";
/* Version 6: planned site days, their time slots, and appointments as their own rows
 * until check-in (a no-show is recorded on the appointment, never as a visit). A visit keeps the
 * appointment it came from, and a walk-in the slot it arrived in, so a slot's fill counts both. */
static const char schema_v6[] =
    "CREATE TABLE site_day("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " site_id INTEGER NOT NULL REFERENCES site(id), day TEXT NOT NULL,"
    " opens TEXT NOT NULL, closes TEXT NOT NULL,"
    " slot_minutes INTEGER NOT NULL CHECK (slot_minutes > 0),"
    " capacity INTEGER NOT NULL CHECK (capacity > 0),"
    " risk TEXT NOT NULL CHECK (risk IN ('low','medium','high','very_high')),"
    " products TEXT NOT NULL DEFAULT '', closed_at INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id), UNIQUE (site_id, day));"
    "CREATE TABLE slot("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " day_id INTEGER NOT NULL REFERENCES site_day(id), day TEXT NOT NULL,"
    " starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),"
    " capacity INTEGER NOT NULL CHECK (capacity > 0), open INTEGER NOT NULL DEFAULT 1,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE INDEX slot_day ON slot(day, starts_at);"
    "CREATE TABLE appointment("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " slot_id INTEGER NOT NULL REFERENCES slot(id),"
    " person_id INTEGER NOT NULL REFERENCES person(id), day TEXT NOT NULL,"
    " dose_number INTEGER NOT NULL CHECK (dose_number > 0), product TEXT NOT NULL DEFAULT '',"
    " state TEXT NOT NULL CHECK (state IN ('booked','checked_in','no_show','cancelled')),"
    " visit_id INTEGER REFERENCES visit(id), override_reason TEXT NOT NULL DEFAULT '',"
    " note TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE INDEX appointment_slot ON appointment(slot_id, state);"
    "CREATE INDEX appointment_day ON appointment(day, state);"
    /* one live booking per person and day: a second one is refused by core first, this is the
       guard behind it */
    "CREATE UNIQUE INDEX appointment_person_day ON appointment(person_id, day)"
    " WHERE state IN ('booked','checked_in');"
    "ALTER TABLE visit ADD COLUMN appointment_id INTEGER REFERENCES appointment(id);"
    "ALTER TABLE visit ADD COLUMN slot_id INTEGER REFERENCES slot(id);"
    "CREATE INDEX visit_slot ON visit(slot_id) WHERE slot_id IS NOT NULL;";
/* Version 7: pre-vaccination screening: the checklists in force (their text, as loaded) and one
 * row per screening with its answers, vital signs, proposed and final outcome, who and when. */
static const char schema_v7[] =
    "CREATE TABLE checklist("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, code TEXT NOT NULL,"
    " version INTEGER NOT NULL, valid_from TEXT NOT NULL, name TEXT NOT NULL,"
    " source TEXT NOT NULL, file TEXT NOT NULL, text TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id), UNIQUE (code, version));"
    "CREATE TABLE screening("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " visit_id INTEGER NOT NULL REFERENCES visit(id),"
    " person_id INTEGER NOT NULL REFERENCES person(id),"
    " checklist_id INTEGER NOT NULL REFERENCES checklist(id), checklist_code TEXT NOT NULL,"
    " checklist_version INTEGER NOT NULL, answers TEXT NOT NULL, vitals TEXT NOT NULL,"
    " findings TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',"
    " proposed_outcome TEXT NOT NULL CHECK (proposed_outcome IN ('eligible','caution',"
    "  'referred','postponed','contraindicated')),"
    " reasons TEXT NOT NULL DEFAULT '',"
    " final_outcome TEXT NOT NULL CHECK (final_outcome IN ('eligible','caution','referred',"
    "  'postponed','contraindicated')),"
    " override_reason TEXT NOT NULL DEFAULT '',"
    " products TEXT NOT NULL DEFAULT '', ruled_out TEXT NOT NULL DEFAULT '',"
    " return_date TEXT NOT NULL DEFAULT '',"
    " observation_minutes INTEGER NOT NULL DEFAULT 0, consent INTEGER NOT NULL DEFAULT 0,"
    " screened_by INTEGER REFERENCES staff(id), screened_at INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id),"
    " CHECK (final_outcome = proposed_outcome OR override_reason <> ''),"
    " CHECK (final_outcome <> 'postponed' OR return_date <> ''));"
    "CREATE INDEX screening_visit ON screening(visit_id);"
    "CREATE INDEX screening_person ON screening(person_id);"
    /* the due list reads who was postponed until when */
    "CREATE INDEX screening_return ON screening(return_date) WHERE final_outcome = 'postponed';";
/* Version 8: dose certificates issued here, and the revocation list of the ones a
 * correction replaced. At most one certificate of a dose is in force. */
static const char schema_v8[] =
    "CREATE TABLE certificate("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " dose_id INTEGER NOT NULL REFERENCES dose(id),"
    " person_id INTEGER NOT NULL REFERENCES person(id),"
    " ci TEXT NOT NULL UNIQUE, kid TEXT NOT NULL, issued_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, hc1 TEXT NOT NULL CHECK (hc1 LIKE 'HC1:%'),"
    " revoked_at INTEGER NOT NULL DEFAULT 0, revoke_reason TEXT NOT NULL DEFAULT '',"
    " replaced_by INTEGER REFERENCES certificate(id),"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE UNIQUE INDEX certificate_in_force ON certificate(dose_id) WHERE revoked_at = 0;"
    "CREATE INDEX certificate_person ON certificate(person_id);"
    "CREATE TABLE certificate_revocation("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " certificate_id INTEGER NOT NULL UNIQUE REFERENCES certificate(id),"
    " ci TEXT NOT NULL UNIQUE, revoked_at INTEGER NOT NULL, reason TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));";

/* Version 9: observation after the injection: reactions (AEFI) and releases. */
static const char schema_v9[] =
    "CREATE TABLE reaction("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " visit_id INTEGER NOT NULL REFERENCES visit(id),"
    " person_id INTEGER NOT NULL REFERENCES person(id), seen_at INTEGER NOT NULL,"
    " signs TEXT NOT NULL CHECK (signs <> ''),"
    " severity TEXT NOT NULL CHECK (severity IN ('minor', 'serious')),"
    " action TEXT NOT NULL CHECK (action IN ('observed', 'treated', 'anaphylaxis',"
    "  'transferred')),"
    " notes TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE INDEX reaction_visit ON reaction(visit_id);";

/* Version 10 makes nothing: the reports read the tables above and need none of their own, and
 * files already carry the number, so it stays an empty step. */
static const char schema_v10[] = "";

/* Version 11: the outbox of events that leave this machine (sync.c writes the triggers
 * that fill it, and the rows already there, in the seed step), merged aliases, conflicts for a
 * manager, quarantined events, and where merged records came from. */
static const char schema_v11[] =
    "CREATE TABLE sync_outbox("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    " record_uuid TEXT NOT NULL, site TEXT NOT NULL, device TEXT NOT NULL,"
    " device_seq INTEGER, at INTEGER NOT NULL, body TEXT NOT NULL);"
    "CREATE TRIGGER sync_outbox_no_update BEFORE UPDATE ON sync_outbox BEGIN"
    " SELECT RAISE(ABORT, 'sync_outbox is append-only'); END;"
    "CREATE TRIGGER sync_outbox_no_delete BEFORE DELETE ON sync_outbox BEGIN"
    " SELECT RAISE(ABORT, 'sync_outbox is append-only'); END;"
    "CREATE TABLE sync_applying(x INTEGER);"
    "CREATE TABLE sync_alias("
    " uuid TEXT PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES person(id)) WITHOUT ROWID;"
    "CREATE TABLE sync_origin("
    " uuid TEXT PRIMARY KEY, site TEXT NOT NULL, device TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE sync_conflict("
    " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, person_uuid TEXT NOT NULL DEFAULT '',"
    " a_uuid TEXT NOT NULL, b_uuid TEXT NOT NULL DEFAULT '', details TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, resolved_at INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE (kind, a_uuid, b_uuid));"
    "CREATE TABLE sync_quarantine("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, kind TEXT NOT NULL, device TEXT NOT NULL,"
    " body TEXT NOT NULL, stored_body TEXT NOT NULL, source TEXT NOT NULL, at INTEGER NOT NULL,"
    " UNIQUE (uuid, body));";

/* Version 12: call-next's index, cheaper to keep and in the queue's own order.
 * - Only the states a station or the board looks visits up by are in it (the two queues, the two
 *   calls, observation): a visit that leaves them (eligible between the queues, every end state)
 *   drops out with one index page written instead of two, and past days' finished visits are not
 *   carried at all. A query must name its state as a literal for the planner to use it.
 * - The policy's "urgent" key sorts DESC; with the column DESC in the index too, SQLite reads a
 *   stage's waiting visits in (urgent, group, age) order and sorts only the first run of equal
 *   keys (queue.c, rank_best) instead of the whole queue before every call. */
static const char schema_v12[] =
    "DROP INDEX visit_state;"
    "CREATE INDEX visit_state ON visit(state, day, urgent DESC, group_rank, age_band, slot_start,"
    " state_since) WHERE state = 'waiting_screening' OR state = 'screening'"
    " OR state = 'waiting_injection' OR state = 'injection' OR state = 'observing';";

/* Version 13: a reaction is kept from the moment its signs are confirmed, and what is still to
 * record (the action taken, the severity) is completed later: "pending" names what is missing
 * while action and severity hold their provisional values ('observed'; 'serious' when a sign
 * suggests anaphylaxis, else 'minor'). A serious reaction's release records the outcome, the
 * doctor's note and the doctor who confirmed it (the actor may be the nurse at the station). */
static const char schema_v13[] =
    "ALTER TABLE reaction ADD COLUMN pending TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE reaction ADD COLUMN outcome TEXT NOT NULL DEFAULT ''"
    " CHECK (outcome IN ('', 'recovered', 'transferred', 'other'));"
    "ALTER TABLE reaction ADD COLUMN outcome_note TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE reaction ADD COLUMN confirmed_by INTEGER REFERENCES staff(id);";

/* Version 14 adds no table: its seed stores the screening forms that came after step 7 (QĐ 4355 and
 * 5785 for adults, QĐ 5002 version 2 for children), which a database made earlier lacks. */
static const char schema_v14[] = "";

/* Version 15: a real site's details (the commune, district and province it serves; a fixed clinic
 * or a mobile team) and a PIN a manager has reset: its owner sets a new one at the next sign-in. */
static const char schema_v15[] =
    "ALTER TABLE site ADD COLUMN commune TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE site ADD COLUMN district TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE site ADD COLUMN province TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE site ADD COLUMN kind TEXT NOT NULL DEFAULT 'fixed'"
    " CHECK (kind IN ('fixed', 'mobile'));"
    "ALTER TABLE staff ADD COLUMN pin_reset INTEGER NOT NULL DEFAULT 0;";

/* Version 16: the site's layout: its desks and rooms. A desk's code is what visits, vials and doses
 * record as their station ("screening-2"), so it never changes; its name is what the board and the
 * calls show, and a retired desk stays for the history that names it. One active desk per name, so
 * that two rooms are never called by the same words. */
static const char schema_v16[] =
    "CREATE TABLE desk("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, code TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL CHECK (name <> ''),"
    " kind TEXT NOT NULL CHECK (kind IN ('screening', 'injection', 'observation', 'checkin')),"
    " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE UNIQUE INDEX desk_name_active ON desk(name) WHERE active = 1;";

/* Version 17: one person, one record.
 * - person_id: the other ID numbers of a person (an old 9-digit CMND beside the 12-digit CCCD,
 *   an ID linked at registration as "the same person", the IDs of a record merged into this one),
 *   each found like the main one; an ID is in person.national_id or here, never twice.
 * - person.merged_into: a record merged into another stays (its history and audit name it) but
 *   every lookup follows it to the surviving record.
 * - person_dup: the duplicate check at registration (same folded name and birth date) is one
 *   index seek, however large the registry.
 * - A dose given elsewhere (another site, another province, abroad) is a dose row without a visit,
 *   vial or lot id: where (place), how it was learnt (source: manual, or an EU DCC "hc1"), its
 *   UVCI and what the signature check said, so that dose numbers, intervals and due lists count
 *   it like any other.
 * - certificate.stale: the printed fields of the person that changed since it was issued (a
 *   corrected name or birth date), until it is re-issued. */
static const char schema_v17[] =
    "CREATE TABLE person_id("
    " value TEXT PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES person(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('cccd', 'cmnd', 'site')),"
    " created_at INTEGER NOT NULL, created_by INTEGER REFERENCES staff(id)) WITHOUT ROWID;"
    "CREATE INDEX person_id_person ON person_id(person_id);"
    "ALTER TABLE person ADD COLUMN merged_into INTEGER REFERENCES person(id);"
    "CREATE INDEX person_dup ON person(name_folded, birth_date);"
    "ALTER TABLE dose ADD COLUMN place TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE dose ADD COLUMN source TEXT NOT NULL DEFAULT ''"
    " CHECK (source IN ('', 'manual', 'hc1'));"
    "ALTER TABLE dose ADD COLUMN uvci TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE dose ADD COLUMN verified TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE certificate ADD COLUMN stale TEXT NOT NULL DEFAULT '';";

/* Version 18: two things the desks reach for first.
 * - The search index also holds the birth date, so that "huong 1954", "bui trang 14/12" or
 *   "huong 12/1954" narrow a common name inside the index: "_y" + the year, "_m" + year and month
 *   ("_m195412"), "_d" + day and month ("_d1412"); a full date is the year and the day together.
 *   A name has no digits, so these never meet "_" + a name's first word. The triggers now follow an
 *   edit of the birth date too, and the index is rebuilt once from the view.
 * - An urgent mark carries when it was made and why (a code from vax_urgent_reason's list, with
 *   free text for "other"): call-next takes urgent visits in the order they were marked, so the
 *   index visit_state holds urgent_at right after urgent. A mark made before this step becomes
 *   "other" at the time of its last change, with its words kept in the visit's events. */
#define FTS_TERMS_V18(r)                                                                           \
    FTS_TERMS(r)                                                                                   \
    " || ' _y' || substr(" r ".birth_date, 1, 4) || ' _m' || substr(" r                            \
    ".birth_date, 1, 4) || substr(" r ".birth_date, 6, 2) || ' _d' || substr(" r                   \
    ".birth_date, 9, 2) || substr(" r ".birth_date, 6, 2)"
static const char schema_v18[] =
    "DROP TRIGGER person_fts_ai;"
    "DROP TRIGGER person_fts_au;"
    "DROP VIEW person_fts_terms;"
    "CREATE VIEW person_fts_terms(id, terms) AS SELECT p.id, " FTS_TERMS_V18(
        "p") " FROM person p;"
             "CREATE TRIGGER person_fts_ai AFTER INSERT ON person BEGIN"
             " INSERT INTO person_fts(rowid, terms) VALUES (new.id, " FTS_TERMS_V18(
                 "new") ");"
                        " END;"
                        "CREATE TRIGGER person_fts_au AFTER UPDATE OF name_folded, national_id, "
                        "phone, birth_date"
                        " ON person BEGIN"
                        " INSERT INTO person_fts(person_fts, rowid, terms) VALUES ('delete', "
                        "old.id, " FTS_TERMS_V18(
                            "old") ");"
                                   " INSERT INTO person_fts(rowid, terms) VALUES "
                                   "(new.id, " FTS_TERMS_V18(
                                       "new") ");"
                                              " END;"
                                              "INSERT INTO person_fts(person_fts) VALUES "
                                              "('delete-all');"
                                              "INSERT INTO person_fts(rowid, terms) SELECT id, "
                                              "terms FROM person_fts_terms;"
                                              "ALTER TABLE visit ADD COLUMN urgent_at INTEGER NOT "
                                              "NULL DEFAULT 0;"
                                              "ALTER TABLE visit ADD COLUMN urgent_reason TEXT NOT "
                                              "NULL DEFAULT '';"
                                              "ALTER TABLE visit ADD COLUMN urgent_note TEXT NOT "
                                              "NULL DEFAULT '';"
                                              "UPDATE visit SET urgent_at = updated_at, "
                                              "urgent_reason = 'other' WHERE urgent <> 0;"
                                              "DROP INDEX visit_state;"
                                              "CREATE INDEX visit_state ON visit(state, day, "
                                              "urgent DESC, urgent_at, group_rank, age_band,"
                                              " slot_start, state_since) WHERE state = "
                                              "'waiting_screening' OR state = 'screening'"
                                              " OR state = 'waiting_injection' OR state = "
                                              "'injection' OR state = 'observing';";

/* Version 19: certificate codes from the EU DCC value sets. Databases made before it hold the
 * catalogue as it was shipped then: Abdala with codes that are in no value set ("CIGB-66" and the
 * antigen-vaccine type) and no Covishield, whose doses were certified as Vaxzevria. A product the
 * site changed itself is left as the site made it. */
static const char schema_v19[] =
    "UPDATE product SET dcc_vp = 'J07BX03', dcc_mp = 'Abdala'"
    " WHERE code = 'AB' AND dcc_mp = 'CIGB-66' AND dcc_vp = '1119305005';"
    "UPDATE product SET name = 'AstraZeneca (Vaxzevria)'"
    " WHERE code = 'AZ' AND name = 'AstraZeneca (Vaxzevria / Covishield)';"
    "INSERT INTO product(code, name, manufacturer, series_doses, doses_per_vial,"
    " open_vial_minutes, observation_minutes, min_age, not_in, next, components, storage,"
    " dcc_vp, dcc_mp, dcc_ma, active, updated_at) VALUES ('CS',"
    " 'Covishield (Serum Institute of India)', 'Serum Institute of India Pvt. Ltd.', 2, 10, 360,"
    " 30, 18, '', 'CS AZ PF MO', 1, '2-8 °C, do not freeze; opened vial 6 h at 2-25 °C',"
    " 'J07BX03', 'Covishield', 'ORG-100001981', 1, CAST(strftime('%s', 'now') AS INTEGER))"
    " ON CONFLICT(code) DO NOTHING;"
    "INSERT INTO product_interval(product, after_dose, min_days, rec_days)"
    " VALUES ('CS', 1, 28, 56) ON CONFLICT DO NOTHING;";

/* Version 20: reminders by text message.
 * - sms_message: every reminder, once per person and due day (the unique index is what keeps a
 *   second run, or a second desk running it at the same time, from texting anyone twice), with
 *   the words sent, the number, its state (pending until the modem says; sent; failed with the
 *   modem's words) and how many times it was tried.
 * - sms_optout: the people who asked not to be texted; the CSV call list still names them, since
 *   a call is made by a person who can be told no. */
static const char schema_v20[] =
    "CREATE TABLE sms_message("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " person_id INTEGER NOT NULL REFERENCES person(id), due_day TEXT NOT NULL,"
    " dose_number INTEGER NOT NULL, phone TEXT NOT NULL, body TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
    " sent_at INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));"
    "CREATE UNIQUE INDEX sms_message_once ON sms_message(person_id, due_day);"
    "CREATE TABLE sms_optout("
    " person_id INTEGER PRIMARY KEY REFERENCES person(id), reason TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, created_by INTEGER REFERENCES staff(id));";

/* A random version-4 uuid in SQL, for the rows the ledger's backfill makes. */
#define SQL_UUID4                                                                                  \
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)),"  \
    " 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) ||"   \
    " '-' || hex(randomblob(6)))"

/* Version 21: the stock ledger and the cold chain.
 * - stock_move: every movement of a lot, append-only: received, transferred in (from another
 *   site), a vial opened, a dose drawn, wasted (an open vial's rest, or unopened vials written
 *   off), transferred out (to another site), a physical count. vials is the change of the lot's
 *   unopened vials, doses the change of its doses on hand, so that summing a lot's rows up to a
 *   moment gives its stock at that moment. lot keeps its counters (vials_removed: unopened vials
 *   that left without being opened) and vaxsite check holds the two against each other.
 *   What was there before is backfilled: a draw row per vial for what it gave (at its last
 *   change), so that stock before this step is exact per lot but not per dose's minute.
 * - a transfer out goes to the sync outbox ("stock_transfer"); at the site it names it becomes a
 *   stock_incoming row, "to receive" until a transfer in takes it.
 * - product_gtin: the GTINs printed on the cartons (catalogue data, products.conf "gtin").
 * - fridge, temp_reading, lot_hold: each fridge or cold box, its readings (tenths of a degree),
 *   and the lots a reading outside 2-8 degC put on "check before use" until a manager decides. */
static const char schema_v21[] =
    "CREATE TABLE fridge("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, code TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('fridge', 'cold_box')),"
    " active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, updated_by INTEGER REFERENCES staff(id));"
    "CREATE TABLE temp_reading("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " fridge_id INTEGER NOT NULL REFERENCES fridge(id), at INTEGER NOT NULL,"
    " tenths INTEGER NOT NULL CHECK (tenths BETWEEN -500 AND 600),"
    " breach INTEGER NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '',"
    " staff_id INTEGER REFERENCES staff(id));"
    "CREATE INDEX temp_reading_fridge ON temp_reading(fridge_id, at);"
    "CREATE INDEX temp_reading_at ON temp_reading(at);"
    "ALTER TABLE lot ADD COLUMN vials_removed INTEGER NOT NULL DEFAULT 0"
    " CHECK (vials_removed >= 0 AND vials_opened + vials_removed <= vials_received);"
    "ALTER TABLE lot ADD COLUMN fridge_id INTEGER REFERENCES fridge(id);"
    "CREATE TABLE lot_hold("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " lot_id INTEGER NOT NULL REFERENCES lot(id),"
    " reading_id INTEGER NOT NULL REFERENCES temp_reading(id), since INTEGER NOT NULL,"
    " decided_at INTEGER, decided_by INTEGER REFERENCES staff(id),"
    " decision TEXT CHECK (decision IS NULL OR decision IN ('use', 'discard')),"
    " note TEXT NOT NULL DEFAULT '');"
    "CREATE UNIQUE INDEX lot_hold_open ON lot_hold(lot_id) WHERE decided_at IS NULL;"
    "CREATE TABLE stock_move("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " lot_id INTEGER NOT NULL REFERENCES lot(id), vial_id INTEGER REFERENCES vial(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('receive', 'transfer_in', 'open', 'draw', 'waste',"
    "  'transfer_out', 'count')),"
    " vials INTEGER NOT NULL DEFAULT 0, doses INTEGER NOT NULL DEFAULT 0,"
    " reason TEXT NOT NULL DEFAULT '', other_site TEXT NOT NULL DEFAULT '',"
    " expected INTEGER, counted INTEGER, at INTEGER NOT NULL,"
    " staff_id INTEGER REFERENCES staff(id));"
    "CREATE INDEX stock_move_lot ON stock_move(lot_id, at);"
    "CREATE INDEX stock_move_at ON stock_move(at);"
    "CREATE INDEX stock_move_vial ON stock_move(vial_id) WHERE vial_id IS NOT NULL;"
    "CREATE TRIGGER stock_move_no_update BEFORE UPDATE ON stock_move BEGIN"
    " SELECT RAISE(ABORT, 'stock_move is append-only'); END;"
    "CREATE TRIGGER stock_move_no_delete BEFORE DELETE ON stock_move BEGIN"
    " SELECT RAISE(ABORT, 'stock_move is append-only'); END;"
    "CREATE TABLE stock_incoming("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, from_site TEXT NOT NULL,"
    " to_site TEXT NOT NULL, product TEXT NOT NULL, lot_no TEXT NOT NULL, expiry TEXT NOT NULL,"
    " doses_per_vial INTEGER NOT NULL, component INTEGER NOT NULL DEFAULT 0,"
    " vials INTEGER NOT NULL CHECK (vials > 0), sent_at INTEGER NOT NULL,"
    " received_at INTEGER, lot_id INTEGER REFERENCES lot(id));"
    "CREATE TABLE product_gtin("
    " gtin TEXT PRIMARY KEY, product TEXT NOT NULL REFERENCES product(code)) WITHOUT ROWID;"
    "CREATE TRIGGER sync_stock_transfer_ai AFTER INSERT ON stock_move"
    " WHEN new.kind = 'transfer_out' AND NOT EXISTS (SELECT 1 FROM sync_applying) BEGIN"
    " INSERT INTO sync_outbox(uuid, kind, record_uuid, site, device, at, body)"
    " SELECT new.uuid, 'stock_transfer', l.uuid,"
    " coalesce((SELECT code FROM site ORDER BY id LIMIT 1), 'SITE'),"
    " (SELECT value FROM setting WHERE key = 'sync.device_id'), new.at,"
    " json_object('uuid', new.uuid, 'from_site',"
    " coalesce((SELECT code FROM site ORDER BY id LIMIT 1), 'SITE'), 'to_site', new.other_site,"
    " 'product', l.product, 'lot_no', l.lot_no, 'expiry', l.expiry,"
    " 'doses_per_vial', l.doses_per_vial, 'component', l.component, 'vials', -new.vials,"
    " 'at', new.at, 'by', coalesce((SELECT login FROM staff WHERE id = new.staff_id), ''))"
    " FROM lot l WHERE l.id = new.lot_id; END;"
    /* the backfill: what the counters say happened before the ledger */
    "INSERT INTO stock_move(uuid, lot_id, kind, vials, doses, reason, at, staff_id)"
    " SELECT " SQL_UUID4 ", id, 'receive', vials_received, vials_received * doses_per_vial,"
    " supplier, received_at, updated_by FROM lot ORDER BY id;"
    "INSERT INTO stock_move(uuid, lot_id, vial_id, kind, vials, doses, at, staff_id)"
    " SELECT " SQL_UUID4 ", lot_id, id, 'open', -1, 0, opened_at, opened_by FROM vial ORDER BY id;"
    "INSERT INTO stock_move(uuid, lot_id, vial_id, kind, vials, doses, at, staff_id)"
    " SELECT " SQL_UUID4 ", lot_id, id, 'draw', 0, -drawn, coalesce(discarded_at, updated_at),"
    " updated_by FROM vial WHERE drawn > 0 ORDER BY id;"
    "INSERT INTO stock_move(uuid, lot_id, vial_id, kind, vials, doses, reason, at, staff_id)"
    " SELECT " SQL_UUID4 ", lot_id, id, 'waste', 0, -wasted, discard_reason, discarded_at,"
    " discarded_by FROM vial WHERE discarded_at IS NOT NULL ORDER BY id;";

/* Version 22: a visit event is written once. Until 21 each queue step wrote its visit_event row
 * and, through a trigger, a copy of it in sync_outbox: the body again, a second uuid index entry
 * and the AUTOINCREMENT counter's page (3.5 of the 9-13 pages a durable step writes). Now the
 * outbox's rows are in sync_entry and a local visit event's row only refers to it (event_id), with
 * the two values its body reads from rows that may still change (the person's uuid, which a merge
 * moves the visit away from, and the staff member's login). sync_outbox becomes a view with the
 * columns it always had, so every reader and every trigger that inserts into it is unchanged
 * (sync.c makes the view and the triggers in this step's seed).
 * - seq without AUTOINCREMENT: rows are never deleted (a trigger refuses it), so the largest
 *   number plus one, SQLite's rowid rule, is never a number used before.
 * - uuid is unique among the rows that carry one (a partial index: a referring row has none;
 *   visit_event's own index holds its uuid). A referring row is found from its event by an
 *   integer index (a bundle brings this machine's own events back, and each is matched with the
 *   row that sent it): increasing keys append to one page, where a uuid lands anywhere.
 * - the rows already there are copied as they are, bodies included: what was written is what
 *   leaves, whatever has changed since in the rows it was read from. */
static const char schema_v22[] =
    "CREATE TABLE sync_entry("
    " seq INTEGER PRIMARY KEY, event_id INTEGER REFERENCES visit_event(id),"
    " person_uuid TEXT, staff TEXT, uuid TEXT, kind TEXT NOT NULL, record_uuid TEXT,"
    " site TEXT NOT NULL, device TEXT NOT NULL, device_seq INTEGER, at INTEGER, body TEXT,"
    " CHECK (CASE WHEN event_id IS NULL"
    "  THEN uuid IS NOT NULL AND record_uuid IS NOT NULL AND at IS NOT NULL AND body IS NOT NULL"
    "  ELSE kind = 'visit_event' AND uuid IS NULL AND body IS NULL END));"
    "CREATE UNIQUE INDEX sync_entry_uuid ON sync_entry(uuid) WHERE uuid IS NOT NULL;"
    "CREATE UNIQUE INDEX sync_entry_event ON sync_entry(event_id) WHERE event_id IS NOT NULL;"
    "INSERT INTO sync_entry(seq, uuid, kind, record_uuid, site, device, device_seq, at, body)"
    " SELECT seq, uuid, kind, record_uuid, site, device, device_seq, at, body FROM sync_outbox"
    " ORDER BY seq;"
    "DROP TABLE sync_outbox;"
    "DELETE FROM sqlite_sequence WHERE name = 'sync_outbox';"
    "CREATE TRIGGER sync_entry_no_update BEFORE UPDATE ON sync_entry BEGIN"
    " SELECT RAISE(ABORT, 'sync_entry is append-only'); END;"
    "CREATE TRIGGER sync_entry_no_delete BEFORE DELETE ON sync_entry BEGIN"
    " SELECT RAISE(ABORT, 'sync_entry is append-only'); END;"
    /* a referring row's body reads the visit's uuid, day and ticket: they never change */
    "CREATE TRIGGER visit_key_fixed BEFORE UPDATE OF uuid, day, ticket ON visit"
    " WHEN old.uuid IS NOT new.uuid OR old.day IS NOT new.day OR old.ticket IS NOT new.ticket"
    " BEGIN SELECT RAISE(ABORT, 'a visit keeps its uuid, day and ticket'); END;";

/* Version 23: the vaccine codes of each product other systems know it by (SNOMED CT, CVX),
 * catalogue data (products.conf "snomed", "cvx"); the FHIR export names them in vaccineCode. */
static const char schema_v23[] =
    "CREATE TABLE product_coding("
    " product TEXT NOT NULL REFERENCES product(code), system TEXT NOT NULL, code TEXT NOT NULL,"
    " PRIMARY KEY (product, system)) WITHOUT ROWID;";

/* Version 25: doses beyond the primary series. A booster is told by its number (after the
 * series of the product that began it); an additional dose, which only a doctor's decision makes
 * (an immunocompromised person, its own interval), is marked on the dose. */
static const char schema_v25[] = "ALTER TABLE dose ADD COLUMN additional INTEGER NOT NULL DEFAULT 0"
                                 " CHECK (additional IN (0, 1));";

/* Version 26: what the Ministry's daily report (annex 5 of QĐ 43/QĐ-BYT) counts and the site did
 * not record. Each dose's vaccination round ("đợt tiêm"): the setting campaign.round when a dose
 * is given at a visit here, written by a trigger so that every path that records a dose (the
 * injection room, a correction) takes it; a dose recorded from elsewhere or merged from another
 * machine keeps "". The screening outcome "declined" (the person does not consent) is added to
 * screening's CHECK by its seed (vax_screening_seed_v26), which rebuilds the table. */
static const char schema_v26[] =
    "ALTER TABLE dose ADD COLUMN round TEXT NOT NULL DEFAULT '';"
    "CREATE TRIGGER dose_round_ai AFTER INSERT ON dose"
    " WHEN new.round = '' AND new.visit_id IS NOT NULL AND new.source = ''"
    " AND NOT EXISTS (SELECT 1 FROM sync_applying) BEGIN"
    " UPDATE dose SET round = coalesce((SELECT value FROM setting"
    " WHERE key = 'campaign.round'), '') WHERE id = new.id; END;"
    "CREATE INDEX dose_round ON dose(round) WHERE round <> '';";

/* Version 27: the person's ethnicity (dân tộc), optional: the Ministry's serious-reaction report
 * asks for it (the form of Circular 34/2018/TT-BYT, assets/aefi-report.conf), and most people of
 * Lai Châu belong to an ethnic minority. Free text as the person says it; "" when not asked.
 * History keeps it. */
static const char schema_v27[] =
    "ALTER TABLE person ADD COLUMN ethnicity TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE person_history ADD COLUMN ethnicity TEXT NOT NULL DEFAULT '';";

/* Version 28: the report of a serious reaction (aefi.c), one per reaction: what the observation
 * desk types that the site does not hold already (when the reaction began, the treatment, where
 * the person was treated, the outcome, the reporter, a child's parent, the injection site when the
 * dose has no arm); the rest of the Ministry's form is read from the person, the dose, its lot and
 * the site when it is printed or sent. version counts the corrections: each one leaves in the
 * outbox as its own event (sync.c). */
static const char schema_v28[] =
    "CREATE TABLE aefi_report("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " reaction_id INTEGER NOT NULL UNIQUE REFERENCES reaction(id),"
    " onset_at INTEGER NOT NULL, treatment TEXT NOT NULL DEFAULT '',"
    " hospital TEXT NOT NULL DEFAULT '',"
    " outcome TEXT NOT NULL CHECK (outcome IN ('recovering', 'recovered', 'sequelae',"
    "  'not_recovered', 'died', 'unknown')),"
    " parent_name TEXT NOT NULL DEFAULT '',"
    " reporter_name TEXT NOT NULL CHECK (reporter_name <> ''),"
    " reporter_title TEXT NOT NULL DEFAULT '', reporter_phone TEXT NOT NULL DEFAULT '',"
    " injection_site TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',"
    " version INTEGER NOT NULL DEFAULT 1,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id));";

/* Version 29: children.
 * - product.max_age, product.dose_ml: a product's age band and one dose's volume (products.conf;
 *   the children's formulation of Pfizer's vaccine is 0.2 mL for 5-11). The seed fills them for
 *   the products stored and adds the catalogue's products the site lacks.
 * - person_guardian: the parent or guardian who brings a minor (name, phone), to be reached after
 *   the dose; one row a person, replaced when it changes (audited). */
static const char schema_v29[] =
    "ALTER TABLE product ADD COLUMN max_age INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE product ADD COLUMN dose_ml TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE person_guardian("
    " person_id INTEGER PRIMARY KEY REFERENCES person(id),"
    " name TEXT NOT NULL CHECK (name <> ''), phone TEXT NOT NULL CHECK (phone <> ''),"
    " updated_at INTEGER NOT NULL, updated_by INTEGER REFERENCES staff(id));";

/* Version 30: the children's screening checklist of QĐ 5002/QĐ-BYT as its annex has it (version 3
 * of BYT-5002: its eight questions, for children of 5 to 17), stored by the seed; nothing else. */
static const char schema_v30[] = "";

/* Version 31: a clock for the registry's edits that does not trust a laptop's wall clock alone
 * (sync.c): a hybrid logical clock (sync_clock: milliseconds and a counter, never behind what
 * this laptop has seen from others), the stamp of each field's last edit (person_clock: the
 * field's value was written by the edit event_uuid, stamped hlc), so that edits merge field by
 * field whatever order they arrive in; a concurrent edit of one field keeps both values in its
 * conflict (field, a_value and b_value: JSON objects of the fields in dispute). */
static const char schema_v31[] =
    "CREATE TABLE sync_clock(id INTEGER PRIMARY KEY CHECK (id = 1),"
    " ms INTEGER NOT NULL, n INTEGER NOT NULL);"
    "INSERT INTO sync_clock VALUES (1, 0, 0);"
    "CREATE TABLE person_clock(person_id INTEGER NOT NULL REFERENCES person(id),"
    " field TEXT NOT NULL, hlc TEXT NOT NULL, event_uuid TEXT NOT NULL,"
    " PRIMARY KEY (person_id, field)) WITHOUT ROWID;"
    "ALTER TABLE sync_conflict ADD COLUMN field TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE sync_conflict ADD COLUMN a_value TEXT;"
    "ALTER TABLE sync_conflict ADD COLUMN b_value TEXT;";

/* Version 32: what a team needs from the pull and from bundles ("Merging laptops").
 * - reaction.visit_id may be NULL: a reaction recorded at another site (a sync event of kind
 *   "reaction") is kept against the person, with the site it came from (site, '' for this site's
 *   own, which always have a visit) and that site's visit uuid; what reads this site's reactions
 *   (observation, reports, the Ministry's form) goes through this site's visits and so never
 *   counts them. SQLite changes a column's constraint only by rebuilding the table: its rows are
 *   copied aside and back under the same ids, with foreign keys deferred to the commit so that
 *   aefi_report's rows, which name the reactions by id, find them again (a missing one fails the
 *   step). The seed (sync.c) makes the table's outbox trigger again, and the dose's.
 * - the dose's outbox event carries where a dose given elsewhere was given and how it was learnt
 *   (place, source, uvci, verified): the seed's new trigger. */
static const char schema_v32[] =
    "PRAGMA defer_foreign_keys = ON;"
    "CREATE TEMP TABLE reaction_v30 AS SELECT * FROM reaction;"
    "DROP TABLE reaction;"
    "CREATE TABLE reaction("
    " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " visit_id INTEGER REFERENCES visit(id),"
    " person_id INTEGER NOT NULL REFERENCES person(id), seen_at INTEGER NOT NULL,"
    " signs TEXT NOT NULL CHECK (signs <> ''),"
    " severity TEXT NOT NULL CHECK (severity IN ('minor', 'serious')),"
    " action TEXT NOT NULL CHECK (action IN ('observed', 'treated', 'anaphylaxis',"
    "  'transferred')),"
    " notes TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " updated_by INTEGER REFERENCES staff(id),"
    " pending TEXT NOT NULL DEFAULT '',"
    " outcome TEXT NOT NULL DEFAULT ''"
    " CHECK (outcome IN ('', 'recovered', 'transferred', 'other')),"
    " outcome_note TEXT NOT NULL DEFAULT '',"
    " confirmed_by INTEGER REFERENCES staff(id),"
    " site TEXT NOT NULL DEFAULT '', visit_uuid TEXT NOT NULL DEFAULT '',"
    " CHECK ((visit_id IS NULL) = (site <> '')));"
    "INSERT INTO reaction(id, uuid, visit_id, person_id, seen_at, signs, severity, action, notes,"
    " created_at, updated_at, updated_by, pending, outcome, outcome_note, confirmed_by)"
    " SELECT id, uuid, visit_id, person_id, seen_at, signs, severity, action, notes, created_at,"
    " updated_at, updated_by, pending, outcome, outcome_note, confirmed_by FROM temp.reaction_v30"
    " ORDER BY id;"
    "DROP TABLE temp.reaction_v30;"
    "CREATE INDEX reaction_visit ON reaction(visit_id);"
    "CREATE INDEX reaction_person ON reaction(person_id);";

/* Version 33: what a laptop recorded and did not send (the seed, sync.c, makes the triggers).
 * - A dose's event carries its additional-dose mark (a doctor's decision: the next dose is booster
 *   1 after it) and its vaccination round (the Ministry's round report); the doses that left
 *   before carry them in a "dose_marks" event each, when they have either, with where and how a
 *   dose given elsewhere was learnt (its event before schema 32 did not say).
 * - A minor's guardian leaves as a "guardian" event, stamped by the registry's clock (sync_clock);
 *   the stamp is kept with the guardian (hlc), so that the later of two stands everywhere.
 * - An event whose person this database does not hold yet (a bundle from a laptop that registered
 *   them, read before the one that brings them) waits in sync_waiting and is merged when a later
 *   bundle or pull brings the person. */
static const char schema_v33[] =
    "ALTER TABLE person_guardian ADD COLUMN hlc TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE sync_waiting(seq INTEGER PRIMARY KEY REFERENCES sync_entry(seq),"
    " person_uuid TEXT NOT NULL);";

/* What person's insert triggers name_word_ai and person_fts_ai write, for the new people
 * ?1 to ?2 (ids) at once: an import of a long list inserts them with the triggers off on its
 * connection and runs these in the same transaction (exchange.c). They read the same macros as
 * the triggers; a step that changes a trigger changes its twin here, and test_exchange compares an
 * import with registering the same people one by one. The split is the trigger's, through
 * json_each, so a name it cannot read fails the import as the trigger would. */
// clang-format off
const char vax_person_bulk_words[] =
    "INSERT INTO name_word(term, n) SELECT w.value, count(*) FROM person p,"
    " json_each(" NAME_JSON("p.name_folded") ") w"
    " WHERE p.id BETWEEN ?1 AND ?2 AND w.value <> '' GROUP BY w.value"
    " ON CONFLICT(term) DO UPDATE SET n = n + excluded.n";
const char vax_person_bulk_fts[] =
    "INSERT INTO person_fts(rowid, terms) SELECT p.id, " FTS_TERMS_V18("p")
    " FROM person p WHERE p.id BETWEEN ?1 AND ?2 ORDER BY p.id";
// clang-format on

/* Data a step loads from what the binary carries, in the same transaction as its tables. */
static int seed_v4(vax_db *db)
{
    return vax_product_load_locked(db, "products.conf", vax_asset_products_conf);
}

static const struct vax_schema_step steps[] = {
    [1] = {schema_v1, vax_priority_groups_seed},
    [2] = {schema_v2, NULL},
    [3] = {schema_v3, NULL},
    [4] = {schema_v4, seed_v4},
    [5] = {schema_v5, NULL},
    [6] = {schema_v6, NULL},
    [7] = {schema_v7, vax_checklist_seed},
    [8] = {schema_v8, NULL},
    [9] = {schema_v9, NULL},
    [10] = {schema_v10, NULL},
    [11] = {schema_v11, vax_sync_seed},
    [12] = {schema_v12, NULL},
    [13] = {schema_v13, NULL},
    [14] = {schema_v14, vax_checklist_seed_late_2021},
    [15] = {schema_v15, NULL},
    [16] = {schema_v16, NULL},
    [17] = {schema_v17, NULL},
    [18] = {schema_v18, NULL},
    [19] = {schema_v19, NULL},
    [20] = {schema_v20, NULL},
    [21] = {schema_v21, vax_product_gtin_seed},
    [22] = {schema_v22, vax_sync_seed_refs},
    [23] = {schema_v23, vax_product_coding_seed},
    /* the void's sync event names the doses it renumbers (sync.c) */
    [24] = {"", vax_sync_seed_v24},
    [25] = {schema_v25, NULL},
    [26] = {schema_v26, vax_screening_seed_v26},
    [27] = {schema_v27, vax_sync_seed_person_v27},
    [28] = {schema_v28, vax_sync_seed_aefi_v28},
    [29] = {schema_v29, vax_product_seed_v29},
    [30] = {schema_v30, vax_checklist_seed_v30},
    [31] = {schema_v31, vax_sync_seed_clock_v31},
    [32] = {schema_v32, vax_sync_seed_v32},
    [33] = {schema_v33, vax_sync_seed_v33},
};

_Static_assert(sizeof steps / sizeof steps[0] == VAX_SCHEMA_VERSION + 1,
               "one step per schema version");

const struct vax_schema_step *vax_schema_step(int version)
{
    if (version < 1 || version > VAX_SCHEMA_VERSION)
        return NULL;
    return &steps[version];
}
