/* db.c: the store: open, pragmas, schema migrations, errors, transactions, settings, checks. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 'VAXS': marks our files so that another SQLite file is refused instead of "migrated". */
#define VAX_APPLICATION_ID 0x56415853
#define BUSY_TIMEOUT_MS 5000
#define BOARD_BUSY_TIMEOUT_MS 250
#define STMT_CACHE_FIRST 128

struct stmt_slot {
    uint64_t hash; /* of the SQL text, which the statement itself keeps (sqlite3_sql) */
    sqlite3_stmt *st;
};

/* The statement cache lives beside the handle so that vax.h stays opaque. It only grows: a caller
 * may hold a statement from vax_stmt() while it asks for another, so no entry can be finalized
 * behind its back. Its size is bounded by the program's own SQL texts plus the call-next orders
 * built from the queue policy, one per policy a manager has set while this handle was open. */
struct vax_db_full {
    struct vax_db db;
    struct stmt_slot *cache;
    int ncache, cap;
};

/* ---- status words ------------------------------------------------------------------------ */

const char *vax_status_str(int code)
{
    switch (code) {
#define VAX_STATUS_CASE(name, value, words)                                                        \
    case name:                                                                                     \
        return _(words);
        VAX_STATUS_LIST(VAX_STATUS_CASE)
#undef VAX_STATUS_CASE
    }
    return _("unknown error");
}

static char ui_lang[8] = "vi";

void vax_set_lang(const char *lang)
{
    vax_strlcpy(ui_lang, lang && strncmp(lang, "en", 2) == 0 ? "en" : "vi", sizeof ui_lang);
}

const char *vax_lang(void)
{
    return ui_lang;
}

/* ---- errors ------------------------------------------------------------------------------ */

int vax_fail(vax_db *db, int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    if (!db)
        return code;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
    vax_strlcpy(db->errfield, field ? field : "", sizeof db->errfield);
    return code;
}

void vax_clear_error(vax_db *db)
{
    if (!db)
        return;
    db->errmsg[0] = 0;
    db->errfield[0] = 0;
}

int vax_fail_sql(vax_db *db, int rc, const char *doing)
{
    const char *detail = db && db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return vax_fail(db, VAX_EBUSY, NULL,
                        _("The database is busy: another station held it for more than %d "
                          "seconds while %s. Nothing was saved; try again."),
                        BUSY_TIMEOUT_MS / 1000, doing);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return vax_fail(db, VAX_ECORRUPT, NULL,
                        _("The database file %s is damaged or is not a vaxsite database (%s, "
                          "while %s). Nothing was changed; run 'vaxsite check'."),
                        db ? db->path : "", detail, doing);
    case SQLITE_NOMEM:
        return vax_fail(db, VAX_ENOMEM, NULL, _("Out of memory while %s."), doing);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return vax_fail(db, VAX_EIO, NULL, _("Cannot write the database %s while %s: %s."),
                        db ? db->path : "", doing, detail);
    case SQLITE_CONSTRAINT:
        return vax_fail(db, VAX_EINVAL, NULL, _("Refused while %s: %s."), doing, detail);
    default:
        return vax_fail(db, VAX_EINTERNAL, NULL, _("Database error while %s: %s."), doing, detail);
    }
}

const char *vax_errmsg(const vax_db *db)
{
    return db ? db->errmsg : _("no database");
}

const char *vax_errfield(const vax_db *db)
{
    return db ? db->errfield : "";
}

/* ---- small helpers ----------------------------------------------------------------------- */

void vax_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n;
    if (size == 0)
        return;
    n = src ? strlen(src) : 0;
    if (n >= size) {
        n = size - 1;
        /* never cut a UTF-8 sequence in half */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = 0;
}

const char *vax_col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

static void uuid_text(const unsigned char b[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

int vax_uuid(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return VAX_EINTERNAL;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    uuid_text(b, out);
    return VAX_OK;
}

int vax_uuid_v7(char out[37])
{
    static _Atomic uint64_t last; /* the last tick handed out by this process */
    unsigned char b[16];
    struct timespec ts;
    if (RAND_bytes(b, sizeof b) != 1 || clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return VAX_EINTERNAL;
    /* ticks of 1/4096 ms: 48 bits of Unix milliseconds, then 12 of the millisecond's fraction */
    uint64_t now = ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) << 12 |
                   (uint64_t)(ts.tv_nsec % 1000000) * 4096 / 1000000;
    uint64_t prev = atomic_load(&last), t;
    do { /* strictly increasing within the process, even when the clock steps back */
        t = now > prev ? now : prev + 1;
    } while (!atomic_compare_exchange_weak(&last, &prev, t));
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(t >> (52 - 8 * i));
    b[6] = (unsigned char)(0x70 | ((t >> 8) & 0x0F));
    b[7] = (unsigned char)(t & 0xFF);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    uuid_text(b, out);
    return VAX_OK;
}

static uint64_t sql_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Statements are cached by their text, so one built at run time (call-next's ordering policy)
 * is prepared once too. */
sqlite3_stmt *vax_stmt(vax_db *db, const char *sql)
{
    struct vax_db_full *f = (struct vax_db_full *)db;
    sqlite3_stmt *st = NULL;
    uint64_t h = sql_hash(sql);
    for (int i = 0; i < f->ncache; i++) {
        if (f->cache[i].hash == h && strcmp(sqlite3_sql(f->cache[i].st), sql) == 0) {
            sqlite3_reset(f->cache[i].st);
            sqlite3_clear_bindings(f->cache[i].st);
            return f->cache[i].st;
        }
    }
    int rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        vax_fail_sql(db, rc, _("preparing a query"));
        return NULL;
    }
    if (f->ncache == f->cap) {
        int cap = f->cap ? f->cap * 2 : STMT_CACHE_FIRST;
        struct stmt_slot *grown = realloc(f->cache, sizeof *grown * (size_t)cap);
        if (!grown) {
            sqlite3_finalize(st);
            vax_fail(db, VAX_ENOMEM, NULL, _("out of memory"));
            return NULL;
        }
        f->cache = grown;
        f->cap = cap;
    }
    f->cache[f->ncache].hash = h;
    f->cache[f->ncache].st = st;
    f->ncache++;
    return st;
}

/* ---- transactions ------------------------------------------------------------------------ */

/* BEGIN, COMMIT and ROLLBACK run around every step: prepared once like any hot statement rather
 * than parsed by sqlite3_exec each time. */
static int tx_exec(vax_db *db, const char *sql)
{
    sqlite3_stmt *st = vax_stmt(db, sql);
    int rc;
    if (!st)
        return sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int vax_tx_begin(vax_db *db)
{
    int rc;
    if (db->readonly)
        return vax_fail(db, VAX_EIO, NULL, _("This display opened the database read-only."));
    rc = tx_exec(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return vax_fail_sql(db, rc, _("starting to save"));
    return VAX_OK;
}

int vax_tx_commit(vax_db *db)
{
    int rc = tx_exec(db, "COMMIT");
    if (rc != SQLITE_OK) {
        int code = vax_fail_sql(db, rc, _("saving"));
        vax_tx_rollback(db);
        return code;
    }
    return VAX_OK;
}

void vax_tx_rollback(vax_db *db)
{
    if (!sqlite3_get_autocommit(db->sql))
        tx_exec(db, "ROLLBACK");
}

/* ---- schema ------------------------------------------------------------------------------ */

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
/* Version 6 (issue 3): planned site days, their time slots, and appointments as their own rows
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
/* Version 8 (issue 7): dose certificates issued here, and the revocation list of the ones a
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

/* Version 10 is kept for the reports work under way (issue 8); empty until it lands. */
static const char schema_v10[] = "";

/* Version 11 (issue 9): the outbox of events that leave this machine (sync.c writes the triggers
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

/* Version 12 (issue 2): call-next's index, cheaper to keep and in the queue's own order.
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

static const char *const migrations[] = {
    NULL,      schema_v1, schema_v2, schema_v3,  schema_v4,  schema_v5,  schema_v6,
    schema_v7, schema_v8, schema_v9, schema_v10, schema_v11, schema_v12, schema_v13,
};

/* Data a step loads from what the binary carries, in the same transaction as its tables. */
static int seed_v1(vax_db *db)
{
    char appid[64];
    snprintf(appid, sizeof appid, "PRAGMA application_id=%d", VAX_APPLICATION_ID);
    int rc = sqlite3_exec(db->sql, appid, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return vax_fail_sql(db, rc, _("upgrading the database"));
    return vax_priority_groups_seed(db);
}

static int seed_v4(vax_db *db)
{
    return vax_product_load_locked(db, "products.conf", vax_asset_products_conf);
}

static int seed_v7(vax_db *db)
{
    return vax_checklist_seed(db);
}

static int (*const migration_seeds[])(vax_db *) = {
    NULL,                                        /* 0 */
    seed_v1, NULL,          NULL, seed_v4, NULL, /* 5 */
    NULL,    seed_v7,       NULL, NULL,          /* 9 */
    NULL,    vax_sync_seed, NULL,                /* 12 */
    NULL,
};

static int exec_sql(vax_db *db, const char *sql, const char *doing)
{
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, doing);
}

static int read_int_pragma(vax_db *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return vax_fail_sql(db, rc, _("reading the database header"));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading the database header"));
    return VAX_OK;
}

_Static_assert(sizeof migrations / sizeof migrations[0] == VAX_SCHEMA_VERSION + 1,
               "one migration per schema version");
_Static_assert(sizeof migration_seeds / sizeof migration_seeds[0] == VAX_SCHEMA_VERSION + 1,
               "one seed slot per schema version");

/* Each step runs in its own transaction together with the new user_version, so a crash leaves
 * the file at one version or the next, never between. */
static int migrate_to(vax_db *db, int target)
{
    int version, rc;
    for (;;) {
        if ((rc = vax_tx_begin(db)) != VAX_OK)
            return rc;
        if ((rc = read_int_pragma(db, "PRAGMA user_version", &version)) != VAX_OK)
            goto fail;
        if (version >= target) {
            vax_tx_rollback(db);
            return VAX_OK;
        }
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", version + 1);
        if ((rc = exec_sql(db, migrations[version + 1], _("upgrading the database"))) != VAX_OK)
            goto fail;
        if (migration_seeds[version + 1] && (rc = migration_seeds[version + 1](db)) != VAX_OK)
            goto fail;
        if ((rc = exec_sql(db, pragma, _("upgrading the database"))) != VAX_OK)
            goto fail;
        if ((rc = vax_tx_commit(db)) != VAX_OK)
            return rc;
    }
fail:
    vax_tx_rollback(db);
    return rc;
}

const char *vax_db_path(const vax_db *db)
{
    return db ? db->path : "";
}

int vax_db_schema_version(vax_db *db)
{
    int v = -1;
    read_int_pragma(db, "PRAGMA user_version", &v);
    return v;
}

/* Creates the file with mode 0600 before SQLite sees it, so that no umask can widen it. The WAL
 * and shared-memory files SQLite makes later copy this file's mode. */
static int create_private_file(vax_db *db, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return VAX_OK;
        return vax_fail(db, VAX_EIO, NULL, _("Cannot create the database %s: %s."), path,
                        strerror(errno));
    }
    close(fd);
    return VAX_OK;
}

static int apply_pragmas(vax_db *db)
{
    /* a station waits for another station's commit; the board would rather show its last state
     * with "connection lost" than freeze for seconds */
    sqlite3_busy_timeout(db->sql, db->readonly ? BOARD_BUSY_TIMEOUT_MS : BUSY_TIMEOUT_MS);
    return exec_sql(db, "PRAGMA foreign_keys=ON", _("opening the database"));
}

/* journal_mode=WAL is written into the file's header, so it is set only once the file is known
 * to be ours (check_identity): another program's file must be left exactly as it was. */
static int apply_file_pragmas(vax_db *db)
{
    int rc;
    if (db->readonly)
        return VAX_OK;
    /* synchronous=FULL: a dose that the screen says is saved survives a power cut. */
    if ((rc = exec_sql(db, "PRAGMA journal_mode=WAL", _("opening the database"))) != VAX_OK)
        return rc;
    return exec_sql(db, "PRAGMA synchronous=FULL", _("opening the database"));
}

static int check_identity(vax_db *db, int *version)
{
    int rc, appid = 0;
    if ((rc = read_int_pragma(db, "PRAGMA application_id", &appid)) != VAX_OK)
        return rc;
    if ((rc = read_int_pragma(db, "PRAGMA user_version", version)) != VAX_OK)
        return rc;
    if (*version == 0 && appid == 0) {
        int tables = 0;
        read_int_pragma(db, "SELECT count(*) FROM sqlite_master", &tables);
        if (tables > 0)
            return vax_fail(db, VAX_ECORRUPT, NULL,
                            _("%s is an SQLite file of another program, not a vaxsite database. "
                              "Nothing was changed."),
                            db->path);
        return VAX_OK;
    }
    if (appid != VAX_APPLICATION_ID)
        return vax_fail(db, VAX_ECORRUPT, NULL,
                        _("%s is an SQLite file of another program, not a vaxsite database. "
                          "Nothing was changed."),
                        db->path);
    if (*version > VAX_SCHEMA_VERSION)
        return vax_fail(db, VAX_ENEWER, NULL,
                        _("%s was written by a newer vaxsite (schema %d; this program knows up to "
                          "%d). Update vaxsite on this machine; nothing was changed."),
                        db->path, *version, VAX_SCHEMA_VERSION);
    return VAX_OK;
}

/* Opens and migrates up to `target` (tests use an older target to build old files). */
int vax_open_at_version(const char *path, int flags, int target, vax_db **out);

int vax_open_at_version(const char *path, int flags, int target, vax_db **out)
{
    struct vax_db_full *f = calloc(1, sizeof *f);
    vax_db *db;
    int rc, version = 0, oflags;
    struct stat sb;
    *out = NULL;
    if (!f)
        return VAX_ENOMEM;
    db = &f->db;
    *out = db;
    vax_strlcpy(db->path, path, sizeof db->path);
    db->readonly = (flags & VAX_OPEN_READONLY) != 0;
    if (stat(path, &sb) != 0) {
        if (!(flags & VAX_OPEN_CREATE) || db->readonly)
            return vax_fail(db, VAX_ENOTFOUND, NULL,
                            _("There is no database at %s. Run 'vaxsite demo' to make a demo "
                              "site, or give the right file with --db."),
                            path);
        if ((rc = create_private_file(db, path)) != VAX_OK)
            return rc;
    } else if (S_ISDIR(sb.st_mode)) {
        return vax_fail(db, VAX_EIO, NULL, _("%s is a folder, not a database file."), path);
    }
    oflags = db->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    rc = sqlite3_open_v2(path, &db->sql, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return vax_fail(db, VAX_EIO, NULL, _("Cannot open the database %s: %s."), path,
                        db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
    sqlite3_extended_result_codes(db->sql, 0);
    if ((rc = apply_pragmas(db)) != VAX_OK)
        return rc;
    if ((rc = check_identity(db, &version)) != VAX_OK)
        return rc;
    if ((rc = apply_file_pragmas(db)) != VAX_OK)
        return rc;
    if (version < target) {
        if (db->readonly)
            return vax_fail(db, VAX_ESTATE, NULL,
                            _("The database %s needs an upgrade; open it once from a station "
                              "first."),
                            path);
        if ((rc = migrate_to(db, target)) != VAX_OK)
            return rc;
    }
    vax_clear_error(db);
    return VAX_OK;
}

int vax_open(const char *path, int flags, vax_db **out)
{
    return vax_open_at_version(path, flags, VAX_SCHEMA_VERSION, out);
}

void vax_close(vax_db *db)
{
    struct vax_db_full *f = (struct vax_db_full *)db;
    if (!db)
        return;
    for (int i = 0; i < f->ncache; i++)
        sqlite3_finalize(f->cache[i].st);
    free(f->cache);
    if (db->sql)
        sqlite3_close(db->sql);
    free(f);
}

/* ---- checks ------------------------------------------------------------------------------ */

static void append(char **buf, size_t *len, const char *line)
{
    size_t n = strlen(line);
    char *p = realloc(*buf, *len + n + 2);
    if (!p)
        return;
    memcpy(p + *len, line, n);
    p[*len + n] = '\n';
    p[*len + n + 1] = 0;
    *buf = p;
    *len += n + 1;
}

int vax_db_check(vax_db *db, char **report)
{
    sqlite3_stmt *st;
    char *buf = NULL;
    size_t len = 0;
    int rc, problems = 0;
    *report = NULL;
    rc = sqlite3_prepare_v2(db->sql, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return vax_fail_sql(db, rc, _("checking the database"));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = vax_col_text(st, 0);
        if (strcmp(line, "ok") != 0) {
            append(&buf, &len, line);
            problems++;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(buf);
        return vax_fail_sql(db, rc, _("checking the database"));
    }
    rc = sqlite3_prepare_v2(db->sql, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            char line[256];
            snprintf(line, sizeof line, _("row %lld of table %s points to a missing %s row"),
                     (long long)sqlite3_column_int64(st, 1), vax_col_text(st, 0),
                     vax_col_text(st, 2));
            append(&buf, &len, line);
            problems++;
        }
        sqlite3_finalize(st);
    }
    *report = buf;
    if (problems)
        return vax_fail(db, VAX_ECORRUPT, NULL, _("Problems found in the database %s: %d."),
                        db->path, problems);
    return VAX_OK;
}

int vax_db_data_version(vax_db *db, int64_t *out)
{
    sqlite3_stmt *st = vax_stmt(db, "PRAGMA data_version");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("watching for changes"));
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return VAX_OK;
}

static int make_dir(const char *dir)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

int vax_default_db_path(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char dir[4096];
    if (xdg && *xdg) {
        snprintf(dir, sizeof dir, "%s", xdg);
    } else {
        if (!home || !*home)
            home = "/tmp";
        snprintf(dir, sizeof dir, "%s/.local", home);
        make_dir(dir);
        snprintf(dir, sizeof dir, "%s/.local/share", home);
    }
    make_dir(dir);
    if (strlen(dir) + 10 >= sizeof dir)
        return VAX_EIO;
    strcat(dir, "/vaxsite");
    if (make_dir(dir) != 0)
        return VAX_EIO;
    if ((size_t)snprintf(buf, size, "%s/vaxsite.db", dir) >= size)
        return VAX_EIO;
    return VAX_OK;
}

/* ---- settings ---------------------------------------------------------------------------- */

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
