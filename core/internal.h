/* internal.h: what the core modules share and nobody else sees (handle, errors, transactions). */
#ifndef VAX_INTERNAL_H
#define VAX_INTERNAL_H

#include "vax.h"

#include <libintl.h>
#include <sqlite3.h>

#define VAX_DOMAIN "vaxsite"
#define _(s) dgettext(VAX_DOMAIN, s)
#define N_(s) (s)

struct vax_db {
    sqlite3 *sql;
    int readonly;
    int tx_depth; /* vax_tx_begin: 1 in a transaction, more inside savepoints of a caller's */
    char path[4096];
    char errmsg[512];
    char errfield[32];
    vax_staff actor;
    int has_actor;
    int device_reminted;      /* this open gave the file a new device id (site.c) */
    char device_previous[37]; /* the id it had */
};

/* Records an error on the handle and returns code. fmt is already translated by the caller. */
int vax_fail(vax_db *db, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Maps an SQLite error to a status and a sentence naming what was being done. */
int vax_fail_sql(vax_db *db, int rc, const char *doing);
void vax_clear_error(vax_db *db);

/* Binds a person's fields as ?2 to ?10: national_id, insurance_no, full_name, name_folded (the
 * folded full name, given), birth_date, sex, phone, commune, priority_group (NULL when empty). */
void vax_person_bind_fields(sqlite3_stmt *st, const vax_person *p, const char *folded);
/* Inside the caller's transaction: copies the current version of a person to person_history
 * with the reason, stamped now and with the actor (if any). */
int vax_person_history_keep(vax_db *db, int64_t person_id, const char *reason, int64_t now);
/* identity.c: a merge inside the caller's transaction, no permission checked (a manager's, or one
 * a person_merge event brings); origin names where the event came from (NULL: here) */
int vax_person_merge_locked(vax_db *db, int64_t from, int64_t into, const char *reason,
                            const char *origin);
/* sync.c: the person_merge event of a merge made here, in its transaction */
int vax_sync_person_merge_emit(vax_db *db, int64_t from, int64_t into, const char *reason);
/* conflict.c: in a pull's transaction, the resolutions other devices made (c: the connection) */
struct pg_conn;
int vax_conflict_pull(vax_db *db, struct pg_conn *c);
/* What person's insert triggers write (name_word_ai, person_fts_ai: schema.c; sync_person_ai:
 * sync.c), as one statement each for the new people with ids ?1 to ?2: for an import that inserts
 * them with the triggers off. */
extern const char vax_person_bulk_words[];
extern const char vax_person_bulk_fts[];
extern const char vax_sync_person_bulk[];
/* Inside the caller's transaction: keeps the version of person p->id in person_history with the
 * reason, then writes p over it (version + 1, stamped now and with the actor). */
int vax_person_write_update(vax_db *db, const vax_person *p, const char *folded, const char *reason,
                            int64_t now);

/* The calendar (clock.c, core's only copy): proleptic Gregorian leap years and month lengths (0
 * for a month outside 1..12); days since 1970-01-01 of a date (H. Hinnant's days_from_civil) and
 * back. */
int vax_leap_year(int64_t y);
int vax_days_in_month(int64_t y, int m);
int64_t vax_days_from_civil(int64_t y, int m, int d);
void vax_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* BEGIN IMMEDIATE ... COMMIT / ROLLBACK. begin returns VAX_OK or VAX_EBUSY and friends. Inside a
 * transaction that vax_tx_begin began, begin makes a savepoint instead: commit releases it into
 * the caller's transaction and rollback undoes only what was done since (a manager's resolution
 * of a conflict runs the desk's own change in its transaction, conflict.c). */
int vax_tx_begin(vax_db *db);
int vax_tx_commit(vax_db *db);
void vax_tx_rollback(vax_db *db);

/* One schema version: the SQL that makes its tables and the data it loads with them (NULL when
 * none), both in the step's transaction (schema.c). db.c walks the steps without knowing what
 * they hold, so that the store depends on no domain module. */
struct vax_schema_step {
    const char *sql;
    int (*seed)(vax_db *db);
};
/* The step that brings a database to `version` (1..VAX_SCHEMA_VERSION), or NULL. */
const struct vax_schema_step *vax_schema_step(int version);

/* Prepared statement cached on the handle by its text (prepared once, reset on each use). */
sqlite3_stmt *vax_stmt(vax_db *db, const char *sql);
/* Convenience: prepare (cached) and bind text/int params given as a format "tiI" string. */

/* Requires an actor allowed to do act; VAX_EPERM otherwise (with the role named). */
int vax_require(vax_db *db, vax_action act);
/* The actor's staff id, for updated_by columns. */
int64_t vax_actor_id(const vax_db *db);
/* Binds the signed-in member's id at index, or NULL when nobody is signed in. */
void vax_bind_actor(vax_db *db, sqlite3_stmt *st, int index);
/* The store's own checks (integrity, foreign keys): *report gets one line per problem (malloc'd,
 * NULL if none), *problems their number. vax_db_check adds the domain's checks. */
int vax_store_check(vax_db *db, char **report, int *problems);
/* Appends an audit row inside the caller's transaction. */
int vax_audit(vax_db *db, const char *action, const char *entity, int64_t entity_id,
              const char *details);
/* The same with details written by sqlite3_mprintf's format, whole: an audit row keeps every
 * character of a reason or note, never a cut copy. */
int vax_auditf(vax_db *db, const char *action, const char *entity, int64_t entity_id,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A time-ordered UUID (RFC 9562 version 7: Unix time to 1/4096 ms, strictly increasing within
 * the process, then 62 random bits), for rows that are only appended, many a minute (visits and
 * their events): the next one sorts after the last, so the unique index on uuid grows at its
 * right edge instead of dirtying a random page per commit that the next checkpoint must copy. */
int vax_uuid_v7(char out[37]);
/* n of them, in order, their random bits drawn 64 at a time: a long list's import makes one per new
 * person, and each draw of random bytes has a cost of its own; time-ordered, the people's uuids
 * (and their outbox rows', the same) go to the right edge of the two unique indexes. */
int vax_uuids_v7(char (*out)[37], size_t n);

/* Copies src into a fixed buffer, always NUL-terminated. */
void vax_strlcpy(char *dst, const char *src, size_t size);

/* A growable byte buffer (buf.c): data is NUL-terminated whenever it is set, and may hold NULs.
 * Every append returns VAX_OK or VAX_ENOMEM (out of memory, or a size that does not fit in a
 * size_t); after a failure the buffer stays failed and every later append returns VAX_ENOMEM,
 * so a caller may append freely and check the last result or `failed` once. */
typedef struct vax_buf {
    char *data;
    size_t len, cap;
    int failed;
} vax_buf;
void vax_buf_init(vax_buf *b);
/* Room for extra more bytes (and the NUL) without another allocation. */
int vax_buf_reserve(vax_buf *b, size_t extra);
int vax_buf_add(vax_buf *b, const void *bytes, size_t n);
int vax_buf_str(vax_buf *b, const char *s);
int vax_buf_char(vax_buf *b, char c);
int vax_buf_printf(vax_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The bytes (free them; "" when nothing was added) and their length; NULL after a failure.
 * The buffer is empty again. */
char *vax_buf_take(vax_buf *b, size_t *len);
void vax_buf_free(vax_buf *b);
/* sqlite3_column_text that never returns NULL. */
const char *vax_col_text(sqlite3_stmt *st, int col);

/* Priority group table loaded from the embedded asset (migration step). */
int vax_priority_groups_seed(vax_db *db);

/* Moves visit v (as read inside the caller's transaction) to `to` and appends its event; for a
 * step that writes other rows in the same transaction (a dose, a screening). Checks the state
 * machine is the caller's job (vax_state_can_move); a visit changed meanwhile gives VAX_ESTATE.
 * station NULL keeps the visit's station. */
int vax_queue_move_locked(vax_db *db, const vax_visit *v, vax_state to, const char *station,
                          const char *details);

/* The site's id inside the caller's transaction; a database made without a site gets the
 * default one (person.c, with the site's other functions). */
int vax_site_ensure_locked(vax_db *db, int64_t *site_id);

/* A new site's desks (one of each kind, desk 1, named in the UI language) inside the caller's
 * transaction; nothing when the site already has desks (desk.c). */
int vax_desk_defaults_locked(vax_db *db);

/* Revokes the certificate in force of a dose (none: nothing) inside the caller's transaction, for a
 * dose being voided (cert.c). */
int vax_cert_revoke_for_dose_locked(vax_db *db, int64_t dose_id, const char *reason);
/* The doses a void of the dose row `v` renumbers, as a JSON array of uuids: the person's later
 * doses of its series whose number came from the history (none stated by a nurse or read from a
 * certificate, none overridden). Read where the void is made (dose.c) and written into the void's
 * sync event (sync.c), so that every database that applies the void renumbers the same doses. */
#define VAX_LATER_DOSES(v)                                                                         \
    "(SELECT json_group_array(x.uuid) FROM (SELECT l.uuid FROM dose l WHERE l.person_id = " v      \
    ".person_id AND l.series = " v ".series AND l.dose_number > " v ".dose_number AND"             \
    " l.voided = 0 AND l.number_reason = '' AND l.override_reason = '' AND l.source <> 'hc1'"      \
    " ORDER BY l.dose_number) x)"
/* After a void (in the caller's transaction): each dose of `later` (a JSON array of uuids, from
 * VAX_LATER_DOSES) takes the number before its own, in order, where that number is free in its
 * series; a certificate in force of a dose renumbered is marked stale ("dose_number"). */
int vax_dose_renumber(vax_db *db, const char *later);
/* The same for the voided dose `dose_id`, the later doses read here. */
int vax_dose_renumber_after(vax_db *db, int64_t dose_id);
/* The void's sync event carries the doses it renumbers (schema version 24). */
int vax_sync_seed_v24(vax_db *db);

/* Loads a catalogue text inside the caller's transaction (product.c). */
int vax_product_load_locked(vax_db *db, const char *name, const char *text);
/* Schema step 21: the GTINs of the catalogue the binary carries, for the products stored. */
int vax_product_gtin_seed(vax_db *db);
int vax_product_coding_seed(vax_db *db);
/* Schema step 29: age bands, dose volumes and the products the site lacks (product.c). */
int vax_product_seed_v29(vax_db *db);

/* The ORDER BY of call-next's policy (setting queue.order), with ?3 = now and ?4 = the
 * starvation cut-off as parameters (queue.c); the board shows the waiting in the same order. */
int vax_queue_order_sql(vax_db *db, char *out, size_t size);

/* Days since 1970-01-01 of a YYYY-MM-DD date (VAX_EINVAL if it is not a real date), and back
 * (clock.c). Stock and doses (stock.c, dose.c) below. */
int vax_date_to_days(const char *ymd, int64_t *days);
void vax_days_to_date(int64_t days, char out[11]);
/* Draws one dose from an open vial inside the caller's transaction; refuses (field "vial") a
 * discarded, expired or empty vial, or one of an expired lot. Fills *vial as it was read. */
int vax_stock_draw_locked(vax_db *db, int64_t vial_id, vax_vial *vial);
/* A transfer out another site synced ("stock_transfer" body): one to receive here if it names
 * this site, else nothing; a repeat is a no-op (stock.c, for sync's merge). */
int vax_stock_transfer_merge(vax_db *db, const char *body);
/* Writes off unopened vials of lot inside the caller's transaction (ledger row and audit). */
int vax_stock_writeoff_locked(vax_db *db, const vax_lot *lot, int vials, vax_writeoff reason);
/* Demo: a few lots received and a vial open at the demo's injection station. */
int vax_stock_demo(vax_db *db);
/* Demo: gives the visit (in injection) its dose from the demo vial. */
int vax_dose_demo(vax_db *db, const vax_visit *v);

/* Screening (checklist.c, screening.c): the Ministry checklists the binary carries, stored at
 * migration time; the demo's screenings of the visits that went past screening. */
int vax_checklist_seed(vax_db *db);
/* Schema 26: screening's final outcome may be "declined" (the table made again, screening.c). */
int vax_screening_seed_v26(vax_db *db);
/* The forms a build after step 7 added or replaced (schema step 14); see checklist.c. */
int vax_checklist_seed_late_2021(vax_db *db);
/* Schema step 30: BYT-5002 version 3, the children's checklist of the Decision's annex. */
int vax_checklist_seed_v30(vax_db *db);
int vax_screening_demo(vax_db *db);

/* Slots (slot.c): links a new visit to the person's booking of today, or counts a
 * walk-in against the slot running now; details gets the event text ("walk-in", "appointment
 * 09:00-09:30: 5 min early"). Inside the caller's transaction. */
int vax_appt_checkin_locked(vax_db *db, int64_t visit_id, int64_t person_id, int64_t now,
                            char *details, size_t size);
/* Demo plans, bookings and dose-1 records for the due list (slot.c). */
int vax_slot_demo(vax_db *db);

/* The device (site.c): a writer's open re-mints the device id when the file was minted for another
 * machine or path (vax_device_home: "<machine hash>:<real path>"); _at takes the home to compare,
 * for tests that play a second machine. */
void vax_device_home(const vax_db *db, char *out, size_t size);
/* The store's open and migration up to `target` (db.c); vax_open adds the device claim. */
int vax_open_at_version(const char *path, int flags, int target, vax_db **out);
int vax_device_claim(vax_db *db);
int vax_device_claim_at(vax_db *db, const char *home);

/* Sync (sync.c): the device id, the outbox triggers and the rows already there
 * (migration step 11); the demo's team communes. */
int vax_sync_seed(vax_db *db);
/* Migration step 22: sync_outbox as a view of sync_entry, a visit event's row referring to it. */
int vax_sync_seed_refs(vax_db *db);
/* Schema 27: the person triggers of the outbox carry the ethnicity (sync.c). */
int vax_sync_seed_person_v27(vax_db *db);
/* Schema 28: an AEFI report leaves in the outbox when saved and each time it is corrected. */
int vax_sync_seed_aefi_v28(vax_db *db);
/* Schema 31: person edits stamped by the hybrid logical clock (sync.c). */
int vax_sync_seed_clock_v31(vax_db *db);
/* The record a person's uuid leads to here (its own, an alias's, the one it was merged into);
 * 0 when this database holds none (sync.c). */
int64_t vax_sync_person_here(vax_db *db, const char *uuid);
/* A person's fields that edits change, as one JSON object (SQL; p: the table's prefix, e.g. "p."
 * or ""); the merge compares and copies them by these names. */
#define VAX_PERSON_FIELDS_JSON(p)                                                                  \
    "json_object('national_id', " p "national_id, 'insurance_no', " p "insurance_no,"              \
    " 'full_name', " p "full_name, 'birth_date', " p "birth_date, 'sex', " p "sex,"                \
    " 'phone', " p "phone, 'commune', " p "commune, 'priority_group', " p "priority_group,"        \
    " 'ethnicity', " p "ethnicity)"
/* Schema 32: the dose's outbox event carries the fields of a dose given elsewhere; the reaction
 * table's trigger again after its rebuild (sync.c). */
int vax_sync_seed_v32(vax_db *db);
/* Schema 33: a dose's additional-dose mark and round in its event, the doses already sent in a
 * "dose_marks" event each; a guardian's event, stamped (sync.c). */
int vax_sync_seed_v33(vax_db *db);
/* sync_pull.c: what a team needs from elsewhere besides people and doses.
 * The columns of a dose given elsewhere, and their values read from a dose event's body (SQL
 * text; an event of an older version lacks them: "" as before). */
#define VAX_SYNC_ELSEWHERE_COLS "place, source, uvci, verified"
#define VAX_SYNC_ELSEWHERE_VALUES(body)                                                            \
    "coalesce(json_extract(" body ", '$.place'), ''), CASE WHEN json_extract(" body                \
    ", '$.source') IN ('manual', 'hc1') THEN json_extract(" body ", '$.source') ELSE '' END,"      \
    " coalesce(json_extract(" body ", '$.uvci'), ''), coalesce(json_extract(" body                 \
    ", '$.verified'), '')"
/* A reaction recorded at another site (a "reaction" event from a bundle or a pull), stored once
 * by its uuid against the person its body names (an alias or a merged record leads to the one
 * kept), with no visit and the site it came from; not held here: counted in stats->unapplied.
 * A "reaction_update" (the reaction as that site completed it) replaces what a copy held when it
 * is not older, or stores the reaction when its first event has not come yet. */
int vax_sync_merge_reaction(vax_db *db, const char *kind, const char *uuid, const char *body,
                            const char *site, const char *device, vax_sync_stats *stats);
#ifdef VAX_HAVE_PQ
struct pg_conn;
struct pg_result;
/* The server's schema version 9 (reaction events found by sequence and by person, the fields of
 * a dose given elsewhere). */
extern const char vax_server_schema_v9[];
/* In the pull's read transaction: the guardians of the team's communes' people that other devices
 * recorded (params as for the reactions), as "guardian" event bodies; raises *seen. */
int vax_sync_pull_guardians_read(vax_db *db, struct pg_conn *c, const char *const params[3],
                                 struct pg_result **out, int64_t *seen);
/* In the pull's read transaction: the reactions of the team's communes' people that other
 * devices recorded, since the cursor (params: the communes as a text[], the cursor, this
 * device); raises *seen to the last one's sequence. */
int vax_sync_pull_reactions_read(vax_db *db, struct pg_conn *c, const char *const params[3],
                                 struct pg_result **out, int64_t *seen);
/* Merges them here (in the pull's transaction, sync_applying held). */
int vax_sync_pull_reactions_merge(vax_db *db, const struct pg_result *r, vax_sync_stats *stats);
#endif
int vax_sync_demo(vax_db *db);

/* The dated dose rules (assets/dose-rules.conf, product.c): overlays on p the age, mixing and
 * interval rules in force on day (YYYY-MM-DD); appends the sources applied to cite ("; "-joined,
 * may be NULL). */
void vax_product_rules_on(vax_product *p, const char *day, char *cite, size_t size);
/* The next dose of a person on `day` by the rules then in force (due.c): the history of doses
 * numbered below `below` (0: all), the person's age on the day. */
int vax_schedule_person(vax_db *db, int64_t person_id, int below, const char *day,
                        int immunocompromised, vax_sched_next *out);
/* 1 if a and b are the same product or of one kind (anaphylaxis to one rules out the other). */
int vax_product_same_kind(const char *a, const char *b);

/* Embedded assets (generated). */
extern const char vax_asset_moh_3802_2021_08_conf[];
extern const char vax_asset_moh_5002_2021_10_conf[];
extern const char vax_asset_aefi_conf[];
extern const char vax_asset_aefi_report_conf[];
/* the Ministry's forms: layouts of Decision 43/QĐ-BYT's annexes (paper.c, forms.c)
 */
extern const char vax_asset_moh_43_2022_annex4_conf[];
extern const char vax_asset_moh_43_2022_annex5_conf[];
extern const char vax_asset_moh_43_2022_annex6_conf[];
extern const char vax_asset_dose_rules_conf[];
extern const char vax_asset_moh_4355_2021_09_conf[];
extern const char vax_asset_moh_5785_2021_12_conf[];
extern const char vax_asset_products_conf[];
extern const size_t vax_asset_products_conf_len;
extern const char vax_asset_priority_groups_tsv[];
extern const size_t vax_asset_priority_groups_tsv_len;
extern const char vax_asset_import_headers_conf[];
extern const char vax_asset_demo_names_tsv[];
extern const size_t vax_asset_demo_names_tsv_len;

/* Makes path an empty private file (0600 whatever the umask) for a writer that opens it by name
 * (SQLite); the error names field. */
int vax_private_create(vax_db *db, const char *path, const char *field);

#endif
