/* vax.h: the public API of libvaxcore, the only header the TUI, tests and benches include. */
#ifndef VAX_H
#define VAX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Status codes. One X-macro table holds each code with its default words so they never drift.
 * Functions return VAX_OK (0) or a negative code; vax_errmsg(db) has the specific sentence.
 * ------------------------------------------------------------------------------------------- */
#define VAX_STATUS_LIST(X)                                                                         \
    X(VAX_OK, 0, "ok")                                                                             \
    X(VAX_EINVAL, -1, "invalid input")                                                             \
    X(VAX_ENOTFOUND, -2, "not found")                                                              \
    X(VAX_EEXIST, -3, "already exists")                                                            \
    X(VAX_ESTATE, -4, "not allowed in the current state")                                          \
    X(VAX_EPERM, -5, "not allowed for this role")                                                  \
    X(VAX_EBUSY, -6, "the database is busy")                                                       \
    X(VAX_ECORRUPT, -7, "the database is damaged")                                                 \
    X(VAX_ENEWER, -8, "the database was made by a newer vaxsite")                                  \
    X(VAX_EIO, -9, "cannot read or write the file")                                                \
    X(VAX_ENOMEM, -10, "out of memory")                                                            \
    X(VAX_EAUTH, -11, "wrong PIN")                                                                 \
    X(VAX_ELOCKED, -12, "sign-in locked after too many wrong PINs")                                \
    X(VAX_EEMPTY, -13, "nobody is waiting")                                                        \
    X(VAX_EINTERNAL, -14, "internal error")

enum vax_status {
#define VAX_STATUS_ENUM(name, value, words) name = value,
    VAX_STATUS_LIST(VAX_STATUS_ENUM)
#undef VAX_STATUS_ENUM
};

/* The default words for a code (translated). */
const char *vax_status_str(int code);

/* ---------------------------------------------------------------------------------------------
 * Clock: the only source of "now" (seconds since the epoch, UTC).
 * Environment for tests: VAXSITE_CLOCK=<epoch | YYYY-MM-DDTHH:MM[:SS][Z]> starts the clock at that
 * instant and lets it run; VAXSITE_CLOCK_FILE=<path> reads the instant from that file on every
 * call (a frozen clock that any process can move by rewriting the file).
 * ------------------------------------------------------------------------------------------- */
int64_t vax_now(void);
void vax_clock_set(int64_t t);      /* freeze the clock at t (tests) */
void vax_clock_advance(int64_t dt); /* move a frozen clock (tests) */
void vax_clock_reset(void);         /* back to the system clock */
int vax_clock_from_env(void);       /* read VAXSITE_CLOCK / VAXSITE_CLOCK_FILE; VAX_EINVAL if bad */
/* Local calendar date (YYYY-MM-DD) and time (HH:MM) of t in the process's time zone. */
void vax_local_date(int64_t t, char out[11]);
void vax_local_hhmm(int64_t t, char out[6]);
/* Parse an ISO local date+time or epoch string; VAX_EINVAL on garbage. */
int vax_parse_time(const char *s, int64_t *out);

/* ---------------------------------------------------------------------------------------------
 * Text: NFC normalisation and Vietnamese-aware folding (fold.c).
 * ------------------------------------------------------------------------------------------- */
/* NFC of s with invalid UTF-8 replaced by U+FFFD, whitespace runs collapsed and trimmed.
 * Returns a malloc'd string (free()), or NULL on out of memory. */
char *vax_text_nfc(const char *s);
/* Folded form: NFC, tone and vowel marks stripped, đ/Đ -> d, lower case, single spaces.
 * Returns a malloc'd string (free()), or NULL on out of memory. */
char *vax_text_fold(const char *s);
/* The UI language for data that carries both ("vi" or "en"; default "vi"). Messages follow gettext.
 */
void vax_set_lang(const char *lang);
const char *vax_lang(void);
/* Display width of UTF-8 text in terminal columns (wcwidth per code point; invalid bytes = 1). */
int vax_text_width(const char *s);

/* ---------------------------------------------------------------------------------------------
 * The database handle (db.c).
 * ------------------------------------------------------------------------------------------- */
typedef struct vax_db vax_db;

enum vax_open_flags {
    VAX_OPEN_CREATE = 1 << 0,   /* create the file (mode 0600) and the schema if missing */
    VAX_OPEN_READONLY = 1 << 1, /* never write; for the board */
};

#define VAX_SCHEMA_VERSION 7

/* Opens (and migrates) a database. On failure *out may still hold a handle whose vax_errmsg()
 * says what went wrong; always vax_close() it. */
int vax_open(const char *path, int flags, vax_db **out);
void vax_close(vax_db *db);
/* The last error's sentence (in the UI language) and the field it concerns ("" if none). */
const char *vax_errmsg(const vax_db *db);
const char *vax_errfield(const vax_db *db);
/* Schema version stored in the file. */
int vax_db_schema_version(vax_db *db);
/* PRAGMA integrity_check + foreign_key_check. VAX_OK when clean; otherwise VAX_ECORRUPT and the
 * report (one problem per line) in *report (malloc'd, free()). */
int vax_db_check(vax_db *db, char **report);
/* PRAGMA data_version: changes whenever another connection commits. For cheap change polling. */
int vax_db_data_version(vax_db *db, int64_t *out);
/* The default database path: $XDG_DATA_HOME/vaxsite/vaxsite.db (or ~/.local/share/...). The
 * directory is created mode 0700. Writes into buf; VAX_EIO if it cannot be made. */
int vax_default_db_path(char *buf, size_t size);

/* Settings (key/value text), e.g. "queue.max_wait_min". */
int vax_setting_get(vax_db *db, const char *key, char *buf, size_t size);
int vax_setting_get_int(vax_db *db, const char *key, int64_t fallback, int64_t *out);
int vax_setting_set(vax_db *db, const char *key, const char *value);

/* ---------------------------------------------------------------------------------------------
 * Staff, roles, sign-in and the audit trail (staff.c).
 * Every write is done by an actor: a signed-in staff member (TUI) or the operating-system user
 * (command line; the file's 0600 mode is the guard). Role checks are made here, in core.
 * ------------------------------------------------------------------------------------------- */
#define VAX_ROLE_LIST(X)                                                                           \
    X(VAX_ROLE_VOLUNTEER, "volunteer", "Volunteer")                                                \
    X(VAX_ROLE_NURSE, "nurse", "Nurse")                                                            \
    X(VAX_ROLE_DOCTOR, "doctor", "Doctor")                                                         \
    X(VAX_ROLE_MANAGER, "manager", "Manager")                                                      \
    X(VAX_ROLE_SYSTEM, "system", "Operating-system user")

typedef enum vax_role {
#define VAX_ROLE_ENUM(name, code, words) name,
    VAX_ROLE_LIST(VAX_ROLE_ENUM)
#undef VAX_ROLE_ENUM
        VAX_ROLE_COUNT
} vax_role;

const char *vax_role_code(vax_role r);  /* "nurse" */
const char *vax_role_label(vax_role r); /* translated "Nurse" */
int vax_role_parse(const char *code, vax_role *out);

/* What a role may do. The table lives in staff.c. */
typedef enum vax_action {
    VAX_ACT_PERSON_WRITE, /* register or edit a person */
    VAX_ACT_CHECKIN,      /* check in, mark urgent, undo a check-in */
    VAX_ACT_CALL_SCREEN,  /* call next to screening, screening outcome */
    VAX_ACT_CALL_INJECT,  /* call next to injection, record a dose */
    VAX_ACT_OBSERVE,      /* release from observation, record a reaction */
    VAX_ACT_STAFF_ADMIN,  /* add staff, reset PINs */
    VAX_ACT_SETTINGS,     /* change settings */
    VAX_ACT_OVERRIDE,     /* manager overrides with a reason */
    VAX_ACT_COUNT
} vax_action;

int vax_role_may(vax_role r, vax_action a);

typedef struct vax_staff {
    int64_t id;
    char login[64];
    char name[128];
    vax_role role;
    int active;
} vax_staff;

/* Adds a staff member with a PIN (4 to 12 digits). The first manager may be added by the
 * operating-system actor; after that only a manager may add staff. */
int vax_staff_add(vax_db *db, const char *login, const char *name, vax_role role, const char *pin,
                  int64_t *out_id);
int vax_staff_list(vax_db *db, vax_staff *out, int max, int *n);
int vax_staff_get(vax_db *db, int64_t id, vax_staff *out);
/* Checks login + PIN; on success makes that member the actor of this handle. Five wrong PINs in
 * a row lock the login for 5 minutes (VAX_ELOCKED). */
int vax_staff_sign_in(vax_db *db, const char *login, const char *pin, vax_staff *out);
/* Makes the operating-system user (by name) the actor (command-line use). */
int vax_staff_act_as_os_user(vax_db *db, const char *os_user);
/* The current actor, or NULL. */
const vax_staff *vax_actor(const vax_db *db);

/* PIN hashing, exposed for tests: "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>". */
#define VAX_PIN_HASH_MAX 160
#define VAX_PIN_ITERATIONS_DEFAULT 210000
int vax_pin_hash(const char *pin, int iterations, char out[VAX_PIN_HASH_MAX]);
int vax_pin_verify(const char *pin, const char *stored); /* 1 match, 0 no, <0 error */

/* ---------------------------------------------------------------------------------------------
 * The person registry (person.c).
 * ------------------------------------------------------------------------------------------- */
typedef struct vax_person {
    int64_t id;
    char uuid[37];
    char national_id[13];  /* 12-digit CCCD or 9-digit CMND */
    char insurance_no[16]; /* health insurance card number, may be empty */
    char full_name[256];   /* NFC */
    char birth_date[11];   /* YYYY-MM-DD */
    char sex;              /* 'm', 'f' or 0 */
    char phone[16];        /* 0xxxxxxxxx, may be empty */
    char commune[128];
    char priority_group[16]; /* code from priority_group, may be empty */
} vax_person;

/* Field validators: 0 if ok, else VAX_EINVAL with a sentence in msg. Normalised value in out. */
int vax_validate_national_id(const char *in, char out[13], char *msg, size_t msgsize);
int vax_validate_phone(const char *in, char out[16], char *msg, size_t msgsize);
/* dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy) or yyyy-mm-dd; out is YYYY-MM-DD. Dates in the future
 * or before 1900 are refused. */
int vax_validate_birth_date(const char *in, char out[11], char *msg, size_t msgsize);
int vax_validate_insurance_no(const char *in, char out[16], char *msg, size_t msgsize);
/* Age in whole years on local date `on` (YYYY-MM-DD). */
int vax_age_on(const char *birth_date, const char *on);
/* 0: 65+, 1: 50-64, 2: 18-49, 3: under 18. */
int vax_age_band(int age);

/* Validates every field (vax_errfield names the first bad one), then inserts. The person's
 * national_id must not exist yet (VAX_EEXIST names who has it). */
int vax_person_add(vax_db *db, vax_person *p);
/* Updates the person with p->id; the previous version goes to person_history. */
int vax_person_update(vax_db *db, const vax_person *p, const char *reason);
int vax_person_get(vax_db *db, int64_t id, vax_person *out);
int vax_person_by_national_id(vax_db *db, const char *national_id, vax_person *out);
/* Search by words of a name in any order (prefixes), phone, or ID, with or without marks.
 * Ranked: exact ID first, then full-name matches, then prefixes. Fills up to max results. */
int vax_person_search(vax_db *db, const char *query, vax_person *out, int max, int *n);
/* Number of previous versions kept for a person. */
int vax_person_history_count(vax_db *db, int64_t person_id, int *n);

typedef struct vax_priority_group {
    char code[16];
    int rank;
    char name[256]; /* in the UI language */
} vax_priority_group;
int vax_priority_groups(vax_db *db, vax_priority_group *out, int max, int *n);

/* ---------------------------------------------------------------------------------------------
 * The vaccine catalogue (product.c), loaded from assets/products.conf and editable by a manager.
 * ------------------------------------------------------------------------------------------- */
#define VAX_MAX_SERIES 5

typedef struct vax_product {
    char code[16]; /* "AZ" */
    char name[128];
    char manufacturer[160];
    int series_doses;
    /* days from dose n to dose n+1, for n = 1 .. series_doses-1 (index n) */
    int min_interval_days[VAX_MAX_SERIES + 1];
    int rec_interval_days[VAX_MAX_SERIES + 1];
    int doses_per_vial;
    int open_vial_minutes;
    int observation_minutes;
    int min_age;
    char not_in[128]; /* "pregnancy breastfeeding" */
    char next[128];   /* products that may give the next dose: "AZ PF MO" */
    int components;   /* 2: dose 1 and dose 2 are different components (Sputnik V) */
    char storage[256];
    char dcc_vp[32], dcc_mp[64], dcc_ma[96];
    int active;
} vax_product;

int vax_product_list(vax_db *db, vax_product *out, int max, int *n); /* active ones, by code */
int vax_product_get(vax_db *db, const char *code, vax_product *out);
/* 1 if a series begun (or continued) with `prev` may take its next dose with `next`. */
int vax_product_may_follow(const vax_product *prev, const char *next_code);
/* 1 if the product is ruled out by a screening finding word ("pregnancy"). */
int vax_product_ruled_out_by(const vax_product *p, const char *finding);
/* Checks a catalogue text (the products.conf format) and, if every line is right, makes it the
 * catalogue in one transaction: products not in it become inactive (their records stay). Errors
 * name the file and the line. Needs VAX_ACT_SETTINGS. */
int vax_product_load(vax_db *db, const char *name, const char *text);

/* ---------------------------------------------------------------------------------------------
 * Sites.
 * ------------------------------------------------------------------------------------------- */
typedef struct vax_site {
    int64_t id;
    char code[32];
    char name[128];
    int is_demo;
} vax_site;
/* The site this database belongs to (created on first use with code "SITE"). */
int vax_site_get(vax_db *db, vax_site *out);
int vax_site_set(vax_db *db, const char *code, const char *name, int is_demo);

/* ---------------------------------------------------------------------------------------------
 * The visit queue (queue.c): DESIGN.md section 3.
 * ------------------------------------------------------------------------------------------- */
#define VAX_STATE_LIST(X)                                                                          \
    X(VAX_STATE_BOOKED, "booked", "Booked")                                                        \
    X(VAX_STATE_WAITING_SCREENING, "waiting_screening", "Waiting for screening")                   \
    X(VAX_STATE_SCREENING, "screening", "In screening")                                            \
    X(VAX_STATE_ELIGIBLE, "eligible", "Eligible")                                                  \
    X(VAX_STATE_POSTPONED, "postponed", "Postponed")                                               \
    X(VAX_STATE_CONTRAINDICATED, "contraindicated", "Contraindicated")                             \
    X(VAX_STATE_REFERRED, "referred", "Referred to hospital")                                      \
    X(VAX_STATE_WAITING_INJECTION, "waiting_injection", "Waiting for injection")                   \
    X(VAX_STATE_INJECTION, "injection", "In injection")                                            \
    X(VAX_STATE_OBSERVING, "observing", "Under observation")                                       \
    X(VAX_STATE_DONE, "done", "Done")                                                              \
    X(VAX_STATE_TRANSFERRED, "transferred", "Transferred to hospital")                             \
    X(VAX_STATE_LEFT, "left", "Left")                                                              \
    X(VAX_STATE_NO_SHOW, "no_show", "Did not come")                                                \
    X(VAX_STATE_CANCELLED, "cancelled", "Check-in undone")

typedef enum vax_state {
#define VAX_STATE_ENUM(name, code, words) name,
    VAX_STATE_LIST(VAX_STATE_ENUM)
#undef VAX_STATE_ENUM
        VAX_STATE_COUNT
} vax_state;

const char *vax_state_code(vax_state s);  /* "waiting_screening" */
const char *vax_state_label(vax_state s); /* translated */
int vax_state_parse(const char *code, vax_state *out);
/* 1 if the state machine allows from -> to. */
int vax_state_can_move(vax_state from, vax_state to);

typedef enum vax_stage { VAX_STAGE_SCREENING, VAX_STAGE_INJECTION } vax_stage;
int vax_stage_parse(const char *s, vax_stage *out);

typedef struct vax_visit {
    int64_t id;
    char uuid[37];
    int64_t person_id;
    char day[11]; /* local date */
    int ticket;   /* per site and day: 1, 2, ... shown as 001 */
    vax_state state;
    int urgent;
    int group_rank; /* priority group rank at check-in (lower first; 99 = none) */
    int age_band;   /* vax_age_band at check-in */
    int64_t arrived_at;
    int64_t state_since;
    int64_t slot_start; /* 0 if walk-in */
    char station[32];   /* the station that called it, if any */
} vax_visit;

/* Check in a person today (walk-in). Refused if the person already has an open visit today
 * (the message names the ticket). */
int vax_queue_checkin(vax_db *db, int64_t person_id, vax_visit *out);
/* Moves a visit; illegal moves are refused with VAX_ESTATE naming the current state. */
int vax_queue_move(vax_db *db, int64_t visit_id, vax_state to, const char *details);
int vax_queue_set_urgent(vax_db *db, int64_t visit_id, int urgent, const char *reason);
/* Undo a check-in made by mistake: the visit becomes "cancelled" (kept, with the reason). */
int vax_queue_undo_checkin(vax_db *db, int64_t visit_id, const char *reason);
/* Calls the best waiting visit to a station of a stage; VAX_EEMPTY when nobody waits. Atomic
 * across processes: two stations never get the same person. */
int vax_queue_call_next(vax_db *db, vax_stage stage, const char *station, vax_visit *out);
int vax_visit_get(vax_db *db, int64_t visit_id, vax_visit *out);
int vax_visit_by_ticket(vax_db *db, const char *day, int ticket, vax_visit *out);
/* The person's open visit today (not in an end state), VAX_ENOTFOUND if none. */
int vax_visit_open_for_person(vax_db *db, int64_t person_id, vax_visit *out);
/* Visits of a local day, by ticket. */
int vax_queue_list(vax_db *db, const char *day, vax_visit *out, int max, int *n);
/* Number of visit_event rows of a visit. */
int vax_visit_event_count(vax_db *db, int64_t visit_id, int *n);

/* Doses a person has had so far (the dose module fills this in later issues). */
int vax_person_dose_count(vax_db *db, int64_t person_id, int *n);

/* ---------------------------------------------------------------------------------------------
 * Demo site (demo.c): a site, staff (PIN 1234 for the demo), n people, today's queue.
 * ------------------------------------------------------------------------------------------- */
int vax_demo_create(vax_db *db, int people, uint32_t seed);

/* Random UUID v4 text (36 chars + NUL). */
int vax_uuid(char out[37]);

#ifdef __cplusplus
}
#endif
#endif
