/* vax.h: the public API of libvaxcore, the only header the TUI, tests and benches include. */
#ifndef VAX_H
#define VAX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
    X(VAX_EINTERNAL, -14, "internal error")                                                        \
    X(VAX_EPINRESET, -15, "a new PIN must be set")

enum vax_status {
#define VAX_STATUS_ENUM(name, value, words) name = value,
    VAX_STATUS_LIST(VAX_STATUS_ENUM)
#undef VAX_STATUS_ENUM
};

/* The default words for a code (translated). */
const char *vax_status_str(int code);

/* Files that hold personal data are created only through these: mode 0600 whatever the umask,
 * never through a symbolic link. vax_private_fd: a write-only descriptor (excl: refuse an
 * existing file, else truncate it), -1 and errno on failure; vax_private_fopen: the same as a
 * FILE opened "wb", NULL and errno on failure. */
int vax_private_fd(const char *path, int excl);
FILE *vax_private_fopen(const char *path);

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
    VAX_OPEN_EMPTY = 1 << 2,    /* an existing 0-byte file may become the new site (site init,
                                   demo); without it such a file is refused, never filled */
};

#define VAX_SCHEMA_VERSION 33

/* Opens (and migrates) a database. On failure *out may still hold a handle whose vax_errmsg()
 * says what went wrong; always vax_close() it. */
int vax_open(const char *path, int flags, vax_db **out);
void vax_close(vax_db *db);
/* The whole file at path into *data (NUL-terminated, free it) and *len, the one way the program
 * reads a file whole (buf.c): VAX_ENOTFOUND when it does not exist, VAX_EIO when it cannot be
 * read to its end (never a shortened file as success), VAX_EINVAL when it holds more than
 * max_bytes; each with its sentence on db (which may be NULL). */
int vax_read_file(vax_db *db, const char *path, size_t max_bytes, char **data, size_t *len);
/* The same from an open stream (standard input, a pipe) up to its end, named `name` in messages;
 * the stream stays open. */
int vax_read_stream(vax_db *db, FILE *f, const char *name, size_t max_bytes, char **data,
                    size_t *len);
/* The last error's sentence (in the UI language) and the field it concerns ("" if none). */
const char *vax_errmsg(const vax_db *db);
const char *vax_errfield(const vax_db *db);
/* The file this handle opened. */
const char *vax_db_path(const vax_db *db);
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

/* Every setting the program reads is declared once in setting.c's table: its key, type, default,
 * allowed range and one line of help. Code reads through the table (vax_setting_int/_text), so no
 * default is written where a setting is used; vax_setting_set refuses a declared key's value
 * outside its range, naming the range (field "value"). */
typedef enum vax_setting_type {
    VAX_SETTING_INT,
    VAX_SETTING_BOOL,
    VAX_SETTING_TEXT
} vax_setting_type;
typedef struct vax_setting_decl {
    const char *key;
    vax_setting_type type;
    const char *fallback; /* the default, as text */
    int64_t min, max;     /* INT: the range; TEXT: max is the longest value in bytes */
    const char *help;     /* one line, English; translated by vax_setting_help */
} vax_setting_decl;
/* The table (*n entries), in the order `vaxsite setting list` prints it. */
const vax_setting_decl *vax_setting_decls(int *n);
/* The declaration of key, or NULL if no setting has that key. */
const vax_setting_decl *vax_setting_decl_find(const char *key);
const char *vax_setting_help(const vax_setting_decl *d);
/* The value in force: the stored one if it is valid for its declaration, else the default. A key
 * that is not declared is a programming error: 0 / "". */
int64_t vax_setting_int(vax_db *db, const char *key);
void vax_setting_text(vax_db *db, const char *key, char *buf, size_t size);
/* VAX_OK if value fits key's declaration; VAX_EINVAL with the range named otherwise. */
int vax_setting_check(vax_db *db, const char *key, const char *value);

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
    int active;    /* 0: disabled (left the site): kept for the history, cannot sign in */
    int pin_reset; /* a manager reset the PIN: its owner sets a new one at the next sign-in */
} vax_staff;

/* Adds a staff member with a PIN (4 to 12 digits). The first manager may be added by the
 * operating-system actor; after that only a manager may add staff. */
int vax_staff_add(vax_db *db, const char *login, const char *name, vax_role role, const char *pin,
                  int64_t *out_id);
int vax_staff_list(vax_db *db, vax_staff *out, int max, int *n);
int vax_staff_get(vax_db *db, int64_t id, vax_staff *out);
/* Checks login + PIN; on success makes that member the actor of this handle. Five wrong PINs in
 * a row (staff.max_failed_pins) lock the login for 5 minutes (staff.lock_minutes; VAX_ELOCKED);
 * each further lock before a right PIN lasts staff.lock_growth times the one before, up to
 * staff.lock_max_minutes. The count is read and written in one transaction, so stations signing
 * in at once count every wrong PIN and none beyond the limit. A disabled member is refused as an
 * unknown login. A login whose PIN a manager reset gives VAX_EPINRESET (field "pin") whatever PIN
 * is typed: the old one no longer signs in; the screen asks for a new PIN and calls
 * vax_staff_set_pin. */
int vax_staff_sign_in(vax_db *db, const char *login, const char *pin, vax_staff *out);
/* Sets the new PIN of a login whose PIN was reset (nobody needs to be signed in: this is the
 * sign-in), then signs the member in as vax_staff_sign_in does; audited as "staff.pin_set" by the
 * member. VAX_ESTATE for a login whose PIN was not reset, VAX_EAUTH for an unknown or disabled
 * one, VAX_EINVAL (field "pin") for a PIN that is not 4 to 12 digits. */
int vax_staff_set_pin(vax_db *db, const char *login, const char *new_pin, vax_staff *out);

/* Staff administration (VAX_ACT_STAFF_ADMIN: a manager, or the operating-system user at the command
 * line). Each change is one transaction with its audit row (action "staff.disable", "staff.enable",
 * "staff.role", "staff.pin_reset"; details name the login) by the actor. A member is named by
 * login; the operating-system users are not staff to administer (VAX_ENOTFOUND). */
/* Every member, disabled ones too (sign-in lists only vax_staff_list's active ones): active first,
 * then by name. */
int vax_staff_list_all(vax_db *db, vax_staff *out, int max, int *n);
int vax_staff_by_login(vax_db *db, const char *login, vax_staff *out);
/* Disables (active 0) or enables a member. Disabling the last active manager, or oneself, is
 * refused (VAX_ESTATE); so is a change to the state the member is already in. Enabling clears a
 * lock from wrong PINs. */
int vax_staff_set_active(vax_db *db, const char *login, int active);
/* Changes a member's role (not to "system"); demoting the last active manager is refused. */
int vax_staff_set_role(vax_db *db, const char *login, vax_role role);
/* Forgets the member's PIN and clears any lock: the next sign-in gives VAX_EPINRESET and the
 * member sets a new PIN (vax_staff_set_pin). */
int vax_staff_reset_pin(vax_db *db, const char *login);
/* Clears a login's lock and its count of wrong PINs (a manager, audited as "staff.unlock"), so the
 * member signs in at once with their PIN; VAX_ESTATE if the login is neither locked nor has wrong
 * PINs counted. The next lock then lasts staff.lock_minutes again. */
int vax_staff_unlock(vax_db *db, const char *login);
/* Ends the signed-in member's session on this handle (audited as "sign-out"): nothing more is
 * written in their name until someone signs in. */
int vax_staff_sign_out(vax_db *db);
/* Another member confirms at this station with their login and PIN (checked as a sign-in, with
 * its lockout and audit); refused (VAX_EPERM) unless their role may do `action`. The member
 * signed in here stays the actor; *out is the one who confirmed. */
int vax_staff_confirm(vax_db *db, const char *login, const char *pin, vax_action action,
                      vax_staff *out);
/* The same, with why the session ended in the audit row ("ended: terminal closed"). */
int vax_staff_sign_out_because(vax_db *db, const char *why);
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
    char ethnicity[64];      /* dân tộc as said (NFC), may be empty; the Ministry's forms ask */
} vax_person;

/* Field validators: 0 if ok, else VAX_EINVAL with a sentence in msg. Normalised value in out.
 * An ID number is a 12-digit CCCD, a 9-digit CMND, or a site-made identifier. */
int vax_validate_national_id(const char *in, char out[13], char *msg, size_t msgsize);
/* A person without papers gets a site-made identifier: "KGT" (không giấy tờ, without papers) and 9
 * random characters of Crockford's base32 ("KGT7Q4M0ZC1X"), letters where a national ID has only
 * digits, so that nobody takes it for one; drawn unused here (identity.c). vax_person_register
 * makes one when the ID number is empty. */
#define VAX_SITE_ID_PREFIX "KGT"
#define VAX_SITE_ID_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
int vax_person_site_id(vax_db *db, char out[13]);
int vax_validate_phone(const char *in, char out[16], char *msg, size_t msgsize);
/* dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy) or yyyy-mm-dd; out is YYYY-MM-DD. A birth known only by
 * its month and year (mm/yyyy, yyyy-mm) or its year (yyyy) is kept so: YYYY-MM or YYYY, taken as
 * its first day by ages and comparisons. Dates in the future or before 1900 are refused. */
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

/* The QR code of a chip ID card (CCCD), as a scanner types it: "<12-digit CCCD>|<9-digit old CMND
 * or empty>|<full name>|<ddmmyyyy birth>|<Nam|Nữ>|<address>|<ddmmyyyy issue date>" (identity.c). */
typedef struct vax_idcard {
    char cccd[13];       /* 12 digits, "" on a card that carries only a CMND */
    char cmnd[13];       /* the old 9-digit CMND, "" if none */
    char full_name[256]; /* NFC */
    char birth_date[11]; /* YYYY-MM-DD */
    char sex;            /* 'm' or 'f' */
    char address[256];   /* NFC, as printed */
    char commune[128];   /* the address's commune (third part from the end), "" if it has none */
    char issue_date[11]; /* YYYY-MM-DD */
} vax_idcard;
/* 1 if text is meant as a card scan (it holds a '|'), not as a search. */
int vax_idcard_is_scan(const char *text);
/* Parses a scan; VAX_EINVAL with a sentence in msg naming the field and what is wrong. */
int vax_idcard_parse(const char *text, vax_idcard *out, char *msg, size_t msgsize);
/* The registration form a card fills in: ID (the CCCD, else the CMND), name, birth date, sex,
 * commune. */
void vax_idcard_to_person(const vax_idcard *card, vax_person *out);
/* The registered person of a card: by its CCCD, else by its old CMND; found by the CMND, the CCCD
 * is linked to that record (VAX_ACT_PERSON_WRITE, audited "person.link") and *linked set.
 * VAX_ENOTFOUND when neither is registered: register from vax_idcard_to_person. */
int vax_person_by_idcard(vax_db *db, const vax_idcard *card, vax_person *out, int *linked);

/* A person's ID numbers besides national_id (person_id table): an old CMND, one linked as "the
 * same person", those of a record merged into this one. vax_person_by_national_id finds the
 * person by any of them. */
int vax_person_ids(vax_db *db, int64_t person_id, char out[][13], int max, int *n);
/* Links another ID number to a registered person (VAX_ACT_PERSON_WRITE; audited "person.link"
 * with the reason). Refused (field "national_id") when it is not a valid ID or belongs to anyone.
 */
int vax_person_link_id(vax_db *db, int64_t person_id, const char *id, const char *reason);
/* The people a registration may be a second record of: the same folded name and birth date, or
 * the holder of old_id (the CMND on the new person's card; NULL or "" for none). At most max. */
int vax_person_duplicates(vax_db *db, const vax_person *p, const char *old_id, vax_person *out,
                          int max, int *n);
/* Registration as the desk, the command line and the import do it: when vax_person_duplicates
 * finds anyone and `confirmed` is 0, nothing is written and VAX_EEXIST (field "duplicate") names
 * the first candidate; the caller shows them and either links the new ID to one
 * (vax_person_link_id: "this is the same person") or registers again with confirmed = 1. old_id,
 * when given, is linked to the new record. */
int vax_person_register(vax_db *db, vax_person *p, const char *old_id, int confirmed);
/* Merges record `from` into record `into` (VAX_ACT_OVERRIDE, a reason): doses, visits,
 * appointments, screenings and certificates move; from's ID numbers find `into`; `from` stays,
 * marked merged, with its history; audited "person.merge". Refused when both have a dose of the
 * same number in force (void one first) or either was merged already. */
int vax_person_merge(vax_db *db, int64_t from, int64_t into, const char *reason);

/* The parent or guardian who brings a minor (under 18): a name and a phone to reach them after
 * the dose. A dose to a minor without one on record is refused (dose.c). _set replaces what was
 * there (VAX_ACT_PERSON_WRITE, audited "person.guardian"); _get: VAX_ENOTFOUND when none. */
typedef struct vax_guardian {
    char name[256]; /* NFC, at most 80 characters */
    char phone[16]; /* 0xxxxxxxxx */
} vax_guardian;
int vax_person_guardian_set(vax_db *db, int64_t person_id, const char *name, const char *phone);
int vax_person_guardian_get(vax_db *db, int64_t person_id, vax_guardian *out);
#define VAX_ADULT_AGE 18

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
    int max_age;      /* oldest age in years this product is given at; 0: no bound */
    char dose_ml[8];  /* one dose's volume in mL as the label gives it ("0.2"); "" unknown */
    char not_in[128]; /* "pregnancy breastfeeding" */
    char next[128];   /* products that may give the next dose: "AZ PF MO" */
    int components;   /* 2: dose 1 and dose 2 are different components (Sputnik V) */
    char storage[256];
    char dcc_vp[32], dcc_mp[64], dcc_ma[96];
    int active;
    /* Doses beyond the primary series: set only by the Ministry's dated rules
     * (assets/dose-rules.conf, vax_product_list_on); 0 / "" where no rule in force says. */
    int additional_min, additional_max;  /* days after the series' last dose (max 0: no bound) */
    int booster_min[VAX_MAX_SERIES + 1]; /* [k]: days from the dose before booster k to it */
    int booster_rec[VAX_MAX_SERIES + 1];
    int booster_min_age;    /* youngest age a booster or additional dose is given at */
    char booster_next[128]; /* products that may give a booster after a series with this one */
} vax_product;

int vax_product_list(vax_db *db, vax_product *out, int max, int *n); /* active ones, by code */
/* The same, with the Ministry's rules in force on `day` (YYYY-MM-DD) applied to each product:
 * ages, mixing, intervals, additional and booster doses (assets/dose-rules.conf). */
int vax_product_list_on(vax_db *db, const char *day, vax_product *out, int max, int *n);
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
    /* filled by vax_site_details (site.c); vax_site_get leaves them empty */
    char commune[128], district[128], province[128];
    char kind[8]; /* "fixed" (a clinic) or "mobile" (a team's laptop) */
} vax_site;
/* The site this database belongs to (created on first use with code "SITE"). */
int vax_site_get(vax_db *db, vax_site *out);
int vax_site_set(vax_db *db, const char *code, const char *name, int is_demo);

/* This installation as a device (site.c): the id its events are written under, minted when the
 * file is made and again when a writer opens a copy of it on another machine or path. */
typedef struct vax_device {
    char id[37];
    char previous[37]; /* the id before the last re-mint, "" if never */
    char home[4200];   /* "<machine hash>:<real path>" it was minted for */
    int reminted;      /* this handle's open made the new id: say so */
} vax_device;
int vax_device_get(vax_db *db, vax_device *out);

/* Sets up a real site in a database that has none (VAX_ACT_SETTINGS; audited): code is the
 * facility's code in the national system, 5 digits (2 of the province, 3 of the facility, e.g.
 * 12001); a mobile team may add its team after a dash (12001-M1). name, commune, district and
 * province are required; kind is "fixed" or "mobile". Refused (VAX_EEXIST) if a site is there. */
int vax_site_init(vax_db *db, const vax_site *s);
/* The site with all its details; VAX_ENOTFOUND if the database has none yet. */
int vax_site_details(vax_db *db, vax_site *out);
/* The site's name as shown on what leaves the screen: a demo's carries "DEMO – not valid". */
void vax_site_display_name(const vax_site *s, char *out, size_t size);
/* VAX_ESTATE with a one-line reason if this is a demo site: its made-up people never leave. */
int vax_site_refuse_demo(vax_db *db, const char *what);

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
    X(VAX_STATE_CANCELLED, "cancelled", "Check-in undone")                                         \
    X(VAX_STATE_DECLINED, "declined", "Did not consent")

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
    int64_t slot_start;    /* 0 if walk-in */
    char station[32];      /* the station that called it, if any */
    int urgent_reason;     /* a vax_urgent_reason while urgent, else VAX_URGENT_NONE */
    char urgent_note[128]; /* the words given with the mark (required for "other") */
    int64_t urgent_at;     /* when it was marked: urgent visits are called in this order */
} vax_visit;

/* Why a visit goes first. The code is what the database, the audit and the report keep; the words
 * (through gettext) are what the desk picks from and the list and the board show. */
#define VAX_URGENT_LIST(X)                                                                         \
    X(VAX_URGENT_ELDERLY, "elderly", "elderly or frail", 1)                                        \
    X(VAX_URGENT_PREGNANT, "pregnant", "pregnant", 2)                                              \
    X(VAX_URGENT_DISABILITY, "disability", "disability", 3)                                        \
    X(VAX_URGENT_CHILD, "child", "child", 4)                                                       \
    X(VAX_URGENT_REACTION_CHECK, "reaction_check", "returning for a reaction check", 5)            \
    X(VAX_URGENT_OTHER, "other", "other", 6)

typedef enum vax_urgent_reason {
    VAX_URGENT_NONE = 0,
#define VAX_URGENT_ENUM(name, code, words, value) name = value,
    VAX_URGENT_LIST(VAX_URGENT_ENUM)
#undef VAX_URGENT_ENUM
        VAX_URGENT_COUNT
} vax_urgent_reason;
const char *vax_urgent_code(int reason);  /* "elderly"; "" for none or out of range */
const char *vax_urgent_label(int reason); /* the words, translated; "" for none */
const char *vax_urgent_short(int reason); /* a word or two for a list row ("elderly"); "" none */
int vax_urgent_parse(const char *code, int *reason);

/* Check in a person today (walk-in). Refused if the person already has an open visit today
 * (the message names the ticket). */
int vax_queue_checkin(vax_db *db, int64_t person_id, vax_visit *out);
/* Moves a visit; illegal moves are refused with VAX_ESTATE naming the current state. */
int vax_queue_move(vax_db *db, int64_t visit_id, vax_state to, const char *details);
/* Marks a waiting visit urgent for a reason from VAX_URGENT_LIST (note: free text, required for
 * VAX_URGENT_OTHER), or takes the mark off (VAX_URGENT_NONE; note says why). Urgent means the next
 * call at the next station: call-next takes urgent visits first, in the order they were marked,
 * ahead of anyone waiting past queue.max_wait_min (with the default queue.order). Changing the
 * reason of a visit already urgent keeps its place. Audited ("visit.urgent") with an event. */
int vax_queue_set_urgent(vax_db *db, int64_t visit_id, int reason, const char *note);
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
/* Check in a person vaccinated today once more: refused by vax_queue_checkin (VAX_EEXIST, field
 * "override"); here a role with VAX_ACT_OVERRIDE gives the reason, audited with the ticket. */
int vax_queue_checkin_again(vax_db *db, int64_t person_id, const char *override_reason,
                            vax_visit *out);
/* The same where the member at the desk may not override: a manager's login and PIN confirm it
 * (vax_staff_confirm), and the audit row names the manager. */
int vax_queue_checkin_confirmed(vax_db *db, int64_t person_id, const char *override_reason,
                                const char *login, const char *pin, vax_visit *out);
/* The person's visit of today that has a dose (not voided), VAX_ENOTFOUND if none. */
int vax_visit_vaccinated_today(vax_db *db, int64_t person_id, vax_visit *out);
/* The person's visit of today in any state but cancelled (the open one first), for the check-in
 * desk; VAX_ENOTFOUND if none. */
int vax_visit_today_for_person(vax_db *db, int64_t person_id, vax_visit *out);
/* A visit at a station (screening, injection) unchanged for queue.stranded_min minutes has no
 * desk working on it: the desk ended without the user, or forgot them. *since: the state_since
 * before which a call counts as left (the board stops showing such a call). */
#define VAX_STRANDED_MIN_DEFAULT 15
int vax_queue_stranded_after(vax_db *db, int64_t *since);
/* Today's visits left at a station, longest left first. */
int vax_queue_stranded(vax_db *db, vax_visit *out, int max, int *n);
/* Returns a visit at a station to its waiting list (screening -> waiting_screening, injection ->
 * waiting_injection), its station cleared: one transaction with its event (the station it was
 * left at, the reason) and an audit row, by the actor. */
int vax_queue_return_waiting(vax_db *db, int64_t visit_id, const char *reason);

/* Doses a person has had so far (the dose module fills this in later issues). */
int vax_person_dose_count(vax_db *db, int64_t person_id, int *n);

/* ---------------------------------------------------------------------------------------------
 * The site's desks and rooms (desk.c). A desk's code ("screening-2", "injection-1") is what visits,
 * vials and doses record as their station and never changes; its name ("Bàn khám 2") is what the
 * board and the calls show. A code without a number ("injection", as stations recorded it while a
 * site had one room) is that kind's desk 1. Changes need VAX_ACT_SETTINGS (a manager) and are
 * audited ("desk.add", "desk.rename", "desk.retire"); a retired desk keeps its code and name for
 * the history that names it.
 * ------------------------------------------------------------------------------------------- */
#define VAX_DESK_KIND_LIST(X)                                                                      \
    X(VAX_DESK_SCREENING, "screening", "Screening desk", "Screening")                              \
    X(VAX_DESK_INJECTION, "injection", "Injection room", "Injection")                              \
    X(VAX_DESK_OBSERVATION, "observation", "Observation", "Observation")                           \
    X(VAX_DESK_CHECKIN, "checkin", "Check-in desk", "Check-in desk")

typedef enum vax_desk_kind {
#define VAX_DESK_KIND_ENUM(name, code, words, fallback) name,
    VAX_DESK_KIND_LIST(VAX_DESK_KIND_ENUM)
#undef VAX_DESK_KIND_ENUM
        VAX_DESK_KIND_COUNT
} vax_desk_kind;

const char *vax_desk_kind_code(vax_desk_kind k);  /* "injection" */
const char *vax_desk_kind_label(vax_desk_kind k); /* translated "Injection room" */
int vax_desk_kind_parse(const char *code, vax_desk_kind *out);

#define VAX_DESK_CODE_MAX 32
typedef struct vax_desk {
    int64_t id;
    char code[VAX_DESK_CODE_MAX];
    char name[64];
    vax_desk_kind kind;
    int active; /* 0: retired */
} vax_desk;

/* Adds a desk of a kind with a name (1 to 63 bytes, not the name of another active desk:
 * VAX_EEXIST); its code is the kind and the next number ("screening-2"), written to code. */
int vax_desk_add(vax_db *db, vax_desk_kind kind, const char *name, char code[VAX_DESK_CODE_MAX]);
/* The desks (retired ones too unless active_only), check-in, screening, injection, observation. */
int vax_desk_list(vax_db *db, int active_only, vax_desk *out, int max, int *n);
/* The desk of a code (or of its alias: "injection" is injection-1), retired or not. */
int vax_desk_get(vax_db *db, const char *code, vax_desk *out);
int vax_desk_rename(vax_db *db, const char *code, const char *name);
/* Retires an active desk; refused (VAX_ESTATE) while vials are open in it or people are called to
 * it. */
int vax_desk_retire(vax_db *db, const char *code);
/* The name a station code is shown by: the desk's name, else the words stations used before the
 * table ("Screening 2", "Injection"), else the code itself. Never fails. */
void vax_desk_name(vax_db *db, const char *code, char *out, size_t size);
/* 1 if two station codes name the same desk ("injection" and "injection-1"). */
int vax_desk_same(const char *a, const char *b);
/* The other spelling of a desk 1's code ("injection" <-> "injection-1"), or "". */
void vax_desk_alias(const char *code, char *out, size_t size);

/* ---------------------------------------------------------------------------------------------
 * The queue display (board.c): one consistent snapshot of what the board shows. Read-only.
 * ------------------------------------------------------------------------------------------- */
/* The most tickets of each list a snapshot holds: more than a 200x50 screen shows of a waiting list
 * (40 a line); the totals below count every one, so a display says how many it left out. */
#define VAX_BOARD_MAX 256

typedef struct vax_board_called {
    int ticket;
    char station[32]; /* "screening-2" */
    char name[64];    /* the desk's name, "Bàn khám 2" (vax_desk_name) */
    vax_stage stage;
    int64_t called_at;
    char initials[8]; /* "N.V.H." when the setting board.initials is 1, else "" */
} vax_board_called;

typedef struct vax_board_observing {
    int ticket;
    int64_t ends_at;  /* when the observation period is over */
    int may_leave;    /* the period is over and no reaction was recorded */
    int has_reaction; /* a reaction was recorded */
    char initials[8];
} vax_board_observing;

typedef struct vax_board {
    char day[11];
    int64_t data_version; /* PRAGMA data_version when taken */
    vax_board_called called[VAX_BOARD_MAX];
    int ncalled;
    int waiting[2][VAX_BOARD_MAX]; /* tickets waiting per stage (screening, injection), in order */
    int nwaiting[2];
    int waiting_total[2]; /* all waiting per stage, nwaiting[] of them held above */
    /* 1 where that waiting ticket is urgent (called first); never why: the board is public */
    unsigned char waiting_urgent[2][VAX_BOARD_MAX];
    vax_board_observing observing[VAX_BOARD_MAX];
    int nobserving;
    int observing_total; /* all under observation, nobserving of them held above */
    int doses_by_number[VAX_MAX_SERIES + 1]; /* doses given today, index = dose number */
    int doses_today;
} vax_board;

/* ---------------------------------------------------------------------------------------------
 * Observation after the injection and reactions (observe.c).
 * ------------------------------------------------------------------------------------------- */
typedef struct vax_aefi_sign {
    char code[24];   /* "breathing" */
    char name[160];  /* in the UI language */
    int anaphylaxis; /* alone meets Circular 51's criteria (low blood pressure, arrest) */
    char system[16]; /* organ system Circular 51 Annex I counts: skin, breathing, circulation,
                        gut; "none" */
    int grade;       /* least grade (Annex II) the sign alone sets, 0 if none */
} vax_aefi_sign;

/* The signs from assets/aefi.conf, in file order. */
int vax_aefi_signs(vax_aefi_sign *out, int max, int *n);
/* Sign codes ("fever rash", separated by spaces or commas) as their names in the UI language,
 * joined by sep; a code the file does not name stays as it is, one given twice is named once;
 * what does not fit in out is cut there. */
void vax_aefi_sign_names(const char *codes, const char *sep, char *out, size_t size);
/* Whether the signs seen (codes separated by spaces) meet the criteria of anaphylaxis of Circular
 * 51/2017/TT-BYT Annex I (skin with breathing or low blood pressure; two or more organ systems;
 * low blood pressure alone), and its grade (Annex II: 1 skin only .. 4 arrest; 0 when no sign is
 * of an allergic kind). VAX_EINVAL for an unknown sign. */
int vax_aefi_assess(const char *signs, int *anaphylaxis, int *grade);
/* The anaphylaxis protocol, one step per line, in the UI language (malloc'd, free()). */
char *vax_aefi_protocol(void);

typedef struct vax_observing {
    vax_visit visit;
    char full_name[256];
    int64_t ends_at;
    int may_leave; /* the period is over and no reaction holds them: a plain release will do */
    int has_reaction;
    int serious;              /* a serious reaction was recorded: a doctor confirms the release */
    int64_t pending_reaction; /* a reaction whose action or severity is still to record, or 0 */
    char signs[256];          /* the sign codes of the reactions recorded, space separated */
} vax_observing;

/* People under observation today: serious reactions first, then the soonest to leave. *out is
 * malloc'd (the caller free()s it); on any error it is NULL, *n is 0 and nothing is cut short. */
int vax_observe_list(vax_db *db, vax_observing **out, int *n);
int vax_observe_has_reaction(vax_db *db, int64_t visit_id, int *has);
/* Records a reaction seen at a visit under observation. signs: codes separated by spaces;
 * action: observed, treated, anaphylaxis or transferred. A sign suggesting anaphylaxis makes it
 * serious whatever was chosen (*serious says what was stored); "transferred" ends the visit as
 * transferred to hospital, in the same transaction. */
int vax_observe_record_reaction(vax_db *db, int64_t visit_id, const char *signs, int serious,
                                const char *action, const char *notes, int *stored_serious);

/* A reaction after an earlier dose of the person, recorded here or at another site (a bundle, a
 * pull): what the screening desk shows before the next dose. */
typedef struct vax_person_reaction {
    int64_t id;
    int64_t seen_at;
    int serious;
    char action[16]; /* observed, treated, anaphylaxis, transferred */
    char signs[512];
    int dose_number;  /* of the dose it followed (the visit's, else the last given before); 0 */
    char product[16]; /* that dose's product code; "" */
    char site[64];    /* the site code it was recorded at; "" for this site */
    int missing;      /* VAX_REACTION_NEEDS_*: what its site had still to record when it was
                         last heard of (action shows "observed", serious what the signs say) */
} vax_person_reaction;
/* The person's reactions (of every record merged into them), newest first; at most max, *n of
 * them. */
int vax_person_reactions(vax_db *db, int64_t person_id, vax_person_reaction *out, int max, int *n);

/* A reaction kept from the moment its signs are confirmed; missing says what is still to record
 * (while missing, action is "observed" and serious is what the signs alone say). */
enum { VAX_REACTION_NEEDS_ACTION = 1, VAX_REACTION_NEEDS_SEVERITY = 2 };
typedef struct vax_reaction {
    int64_t id, visit_id;
    char signs[512];
    int serious;
    char action[16];
    int missing;      /* VAX_REACTION_NEEDS_* bits; 0 when complete */
    char outcome[16]; /* set when a doctor confirmed the release: recovered, transferred, other */
} vax_reaction;
/* Saves the signs of a reaction at once (committed), the action and severity to follow: a sign
 * suggesting anaphylaxis settles the severity (serious) now. *out (may be NULL) is the row. */
int vax_observe_reaction_signs(vax_db *db, int64_t visit_id, const char *signs, vax_reaction *out);
int vax_observe_reaction_get(vax_db *db, int64_t reaction_id, vax_reaction *out);
/* Completes a kept reaction with what is known now: action (NULL: not yet), serious (1, 0, or -1
 * not yet; an action of anaphylaxis or transfer makes it serious). "transferred" ends the visit
 * as transferred, in the same transaction. *out (may be NULL) is the row as stored. */
int vax_observe_reaction_complete(vax_db *db, int64_t reaction_id, const char *action, int serious,
                                  vax_reaction *out);
/* Releases a person at the end of observation (visit -> done). Before the period is over it
 * needs a reason (early release), recorded in the event. Refused while a reaction is not
 * complete, and for a serious reaction (see vax_observe_release_serious). */
int vax_observe_release(vax_db *db, int64_t visit_id, const char *early_reason);
/* Releases a person whose reaction was serious, with a doctor's confirmation: the signed-in
 * member if a doctor (doctor_login NULL), else doctor_login + doctor_pin checked as at sign-in
 * (lockout and audit apply; the actor stays who it was). outcome: recovered or other (visit ->
 * done), transferred (visit -> transferred); note is required. Outcome, note and doctor are
 * written on the serious reaction rows, the visit event and the audit, in one transaction, by the
 * actor. *doctor (may be NULL) is who confirmed. */
int vax_observe_release_serious(vax_db *db, int64_t visit_id, const char *outcome, const char *note,
                                const char *doctor_login, const char *doctor_pin,
                                vax_staff *doctor);

/* ---------------------------------------------------------------------------------------------
 * The report of a serious reaction (aefi.c): the Ministry's form (assets/aefi-report.conf), the
 * WHO core variables, as a PDF and a FHIR AdverseEvent; it leaves with the next sync.
 * ------------------------------------------------------------------------------------------- */
/* What the observation desk types; the rest is read from the person, the dose, its lot and the
 * site. Outcomes as the WHO form has them: recovering, recovered, sequelae (recovered with
 * sequelae), not_recovered, died, unknown. */
typedef struct vax_aefi_report {
    int64_t id, reaction_id;
    char uuid[37];
    int64_t onset_at; /* when the reaction began */
    char treatment[512];
    char hospital[256]; /* where treated or transferred; "" none */
    char outcome[16];
    char parent_name[256]; /* a child's mother or father */
    char reporter_name[128], reporter_title[64], reporter_phone[64];
    char injection_site[64]; /* typed when the dose records no arm */
    char notes[512];
    int version; /* 1 when made, +1 for each correction */
    int64_t updated_at;
} vax_aefi_report;
int vax_aefi_outcome_valid(const char *code);
/* The report of a reaction; VAX_ENOTFOUND if none yet. */
int vax_aefi_report_get(vax_db *db, int64_t reaction_id, vax_aefi_report *out);
/* The report if made, else a new one with what is known: onset at the time the reaction was
 * seen, the outcome a doctor gave at release (recovered, else unknown), a child's guardian as
 * the parent, the signed-in member as the reporter. */
int vax_aefi_report_defaults(vax_db *db, int64_t reaction_id, vax_aefi_report *out);
/* Saves (makes or corrects, version + 1) the report of a serious reaction, audited
 * ("aefi.report") and put in the outbox in the same transaction. Needs VAX_ACT_OBSERVE;
 * VAX_ESTATE for a minor reaction; vax_errfield names a bad field. *r is the row as stored. */
int vax_aefi_report_save(vax_db *db, vax_aefi_report *r);

typedef struct vax_aefi_item {
    int64_t reaction_id, seen_at;
    char full_name[256];
    char national_id[13];
    char signs[512];
    int version;      /* 0: no report made yet */
    char outcome[16]; /* the report's */
} vax_aefi_item;
/* The serious reactions of the local days from..to (YYYY-MM-DD) with their report's state;
 * free() the list. */
int vax_aefi_list(vax_db *db, const char *from, const char *to, vax_aefi_item **out, int *n);

/* The whole case the form prints. */
typedef struct vax_aefi_case {
    vax_aefi_report report;
    char reaction_uuid[37], person_uuid[37], dose_uuid[37];
    int64_t person_id, seen_at, given_at;
    char signs[512];
    int serious;
    char full_name[256], birth_date[11], ethnicity[64], phone[16], commune[128];
    char national_id[13];
    char sex;
    int age;                 /* on the day of the reaction; -1 unknown */
    char guardian_phone[16]; /* a child's parent's, when recorded */
    char product[16], product_name[128], manufacturer[128], lot_no[64], arm[8], expiry[11];
    int dose_number;
    vax_site site; /* with its details */
} vax_aefi_case;
/* VAX_ENOTFOUND when the reaction has no report yet. */
int vax_aefi_case_get(vax_db *db, int64_t reaction_id, vax_aefi_case *out);
/* One field of the form by its name in assets/aefi-report.conf, as printed ("" when empty). */
void vax_aefi_case_field(const vax_aefi_case *c, const char *name, char *out, size_t size);
/* The report on the Ministry's form, one A4 page (0600). */
int vax_aefi_pdf(vax_db *db, int64_t reaction_id, const char *path);
/* A FHIR R4 Bundle (collection) of the Patient, the Immunization and the AdverseEvent; free()
 * *json. */
int vax_aefi_fhir(vax_db *db, int64_t reaction_id, char **json);
/* The visit's latest serious reaction; VAX_ENOTFOUND if it has none. */
int vax_aefi_reaction_of_visit(vax_db *db, int64_t visit_id, int64_t *reaction_id);

/* Reads everything the board shows in one read transaction (so it never mixes two states). */
int vax_board_read(vax_db *db, vax_board *out);
/* The observation's defaults, each written here only: the period after an injection when neither
 * the product nor the setting observe.minutes says otherwise (a catalogue entry without
 * observation_minutes gets it too), and the longer period for a person screened "with caution"
 * (setting screening.caution_observation_min). */
#define VAX_OBSERVE_MINUTES_DEFAULT 30
#define VAX_OBSERVE_CAUTION_MINUTES_DEFAULT 60
/* Minutes a visit's observation lasts: the product's (or setting observe.minutes,
 * VAX_OBSERVE_MINUTES_DEFAULT), longer for people screened "with caution" when the screening says
 * so. */
int vax_observe_minutes(vax_db *db, int64_t visit_id, int *minutes);

/* ---------------------------------------------------------------------------------------------
 * Vaccine stock (stock.c): lots received, vials opened at a station, doses drawn, discards and
 * wastage. Stock is counted in vials of a lot; it never goes below zero (core checks and CHECK
 * constraints both).
 * ------------------------------------------------------------------------------------------- */
#define VAX_DISCARD_LIST(X)                                                                        \
    X(VAX_DISCARD_EXPIRED, "expired", "Expired after opening")                                     \
    X(VAX_DISCARD_BROKEN, "broken", "Broken")                                                      \
    X(VAX_DISCARD_CONTAMINATED, "contaminated", "Contaminated")                                    \
    X(VAX_DISCARD_COLD_CHAIN, "cold_chain", "Cold chain break")                                    \
    X(VAX_DISCARD_END_OF_DAY, "end_of_day", "End of day")

typedef enum vax_discard {
#define VAX_DISCARD_ENUM(name, code, words) name,
    VAX_DISCARD_LIST(VAX_DISCARD_ENUM)
#undef VAX_DISCARD_ENUM
        VAX_DISCARD_COUNT
} vax_discard;

const char *vax_discard_code(vax_discard r);  /* "cold_chain" */
const char *vax_discard_label(vax_discard r); /* translated */
int vax_discard_parse(const char *code, vax_discard *out);

#define VAX_LOT_NO_MAX 32
#define VAX_DPV_CATALOGUE (-1) /* vax_lot_in.doses_per_vial: take the catalogue's */

/* What a receipt says. Give vials or doses (a whole number of vials), not both. */
typedef struct vax_lot_in {
    const char *product;  /* catalogue code: "AZ" */
    const char *lot_no;   /* as printed; normalised (spaces removed, upper case) */
    const char *expiry;   /* YYYY-MM-DD or dd/mm/yyyy: the last day it may be used */
    int vials, doses;     /* one of them */
    int doses_per_vial;   /* from the label, 1 to 50, or VAX_DPV_CATALOGUE */
    int component;        /* 1 or 2 for two-component products (Sputnik V), else 0 */
    const char *supplier; /* from whom: "CDC Lai Chau" */
} vax_lot_in;

typedef struct vax_lot {
    int64_t id;
    char uuid[37];
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    char expiry[11]; /* YYYY-MM-DD */
    int doses_per_vial, component;
    int vials_received, vials_opened;
    int doses_on_hand;  /* unopened vials x doses per vial + what its open vials still hold */
    int vials_removed;  /* left unopened: written off, sent to another site, missing at a count */
    int vials_unopened; /* vials_received - vials_opened - vials_removed */
    int on_hold;        /* on "check before use" after a cold-chain breach */
    char supplier[128];
    int64_t received_at;
    int expired; /* expiry is before today */
} vax_lot;

/* Lot number as stored: trimmed, spaces removed, upper case; letters, digits, - / . only. */
int vax_lot_normalise(const char *in, char out[VAX_LOT_NO_MAX + 1], char *msg, size_t msgsize);
/* Receives a lot (VAX_ACT_SETTINGS). The same lot number again adds vials to it when expiry and
 * doses per vial agree. An expiry in the past is refused. */
int vax_stock_receive(vax_db *db, const vax_lot_in *in, int64_t *lot_id);
int vax_stock_lot_get(vax_db *db, int64_t lot_id, vax_lot *out);
/* Lots by expiry; usable_only: not expired and with doses on hand. */
int vax_stock_lots(vax_db *db, int usable_only, vax_lot *out, int max, int *n);

typedef struct vax_vial {
    int64_t id;
    char uuid[37];
    int64_t lot_id;
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    char station[32];
    int64_t opened_at, opened_by, expires_at;
    int doses, drawn, remaining;
    int minutes_left;     /* until expires_at, rounded up; 0 or less: expired */
    int64_t discarded_at; /* 0 while open */
    vax_discard reason;
    int wasted;
} vax_vial;

/* Opens a vial of a lot at a station (VAX_ACT_CALL_INJECT); it may be used open_vial_minutes of
 * the product. An expired lot, or one with no unopened vial, is refused. */
int vax_stock_open_vial(vax_db *db, int64_t lot_id, const char *station, int64_t *vial_id);
int vax_stock_vial_get(vax_db *db, int64_t vial_id, vax_vial *out);
/* Vials not yet discarded, at one station (NULL: all), soonest to expire first. */
int vax_stock_open_vials(vax_db *db, const char *station, vax_vial *out, int max, int *n);
/* Discards an open vial; what it still held is recorded as wasted (*wasted, may be NULL). */
int vax_stock_discard_vial(vax_db *db, int64_t vial_id, vax_discard reason, int *wasted);
/* End of day: discards every vial still open (reason end_of_day, or expired for those past
 * their time), in one transaction. */
int vax_stock_end_of_day(vax_db *db, int *vials, int *wasted);

/* A product's stock and use on a local day. Wastage: doses of the vials opened that day that were
 * discarded unused, per mille of the doses those vials held (integers; 125 = 12.5 %). */
typedef struct vax_stock_day {
    char product[16];
    int doses_on_hand;    /* now, in lots not expired */
    int vials_opened;     /* vials opened that day */
    int doses_opened;     /* doses those vials held */
    int doses_given;      /* drawn from them */
    int doses_wasted;     /* discarded unused from them */
    int doses_still_open; /* still in those vials, not yet discarded */
    int expiring_7d;      /* doses on hand in lots expiring within 7 days of that day */
    int wastage_permille;
} vax_stock_day;

/* One row per active product of the catalogue (by code). */
int vax_stock_day_summary(vax_db *db, const char *day, vax_stock_day *out, int max, int *n);
/* One product on one day (the daily report's wastage rate). */
int vax_stock_wastage(vax_db *db, const char *product, const char *day, vax_stock_day *out);

/* The stock ledger (stock.c): every movement of a lot is a row (stock_move). For every lot at
 * every moment: received + transferred_in + counted = on_hand + given + wasted + transferred_out,
 * where counted is the net difference its physical counts found (negative when vials were
 * missing) and wasted holds open vials' rests and unopened vials written off. */
#define VAX_WRITEOFF_LIST(X)                                                                       \
    X(VAX_WRITEOFF_EXPIRED, "expired", "Expired")                                                  \
    X(VAX_WRITEOFF_BROKEN, "broken", "Broken")                                                     \
    X(VAX_WRITEOFF_CONTAMINATED, "contaminated", "Contaminated")                                   \
    X(VAX_WRITEOFF_COLD_CHAIN, "cold_chain", "Cold chain breach")

typedef enum vax_writeoff {
#define VAX_WRITEOFF_ENUM(name, code, words) name,
    VAX_WRITEOFF_LIST(VAX_WRITEOFF_ENUM)
#undef VAX_WRITEOFF_ENUM
        VAX_WRITEOFF_COUNT
} vax_writeoff;
const char *vax_writeoff_code(vax_writeoff r);  /* "cold_chain" */
const char *vax_writeoff_label(vax_writeoff r); /* translated */
int vax_writeoff_parse(const char *code, vax_writeoff *out);

#define VAX_SITE_CODE_MAX 32

typedef struct vax_lot_balance {
    int64_t lot_id;
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    char expiry[11];
    int doses_per_vial;
    int received, transferred_in, counted; /* doses */
    int given, wasted, transferred_out;    /* doses */
    int on_hand;                           /* doses: unopened vials and what open vials hold */
    int vials_unopened, vials_opened;
} vax_lot_balance;

/* A lot's ledger summed up to moment `at` (rows at or before it; 0: now and everything). */
int vax_stock_balance(vax_db *db, int64_t lot_id, int64_t at, vax_lot_balance *out);
/* Every lot that had a movement at or before `at` (0: now), by expiry: the stock at that moment. */
int vax_stock_at(vax_db *db, int64_t at, vax_lot_balance *out, int max, int *n);

/* Unopened vials written off without being opened (VAX_ACT_SETTINGS); the doses count as
 * wasted with the reason. */
int vax_stock_writeoff(vax_db *db, int64_t lot_id, int vials, vax_writeoff reason);
/* Unopened vials sent to another site by its code (VAX_ACT_SETTINGS). The transfer syncs
 * ("stock_transfer") and appears at that site as a transfer to receive. */
int vax_stock_transfer_out(vax_db *db, int64_t lot_id, int vials, const char *to_site);
/* Vials taken in from another site (VAX_ACT_SETTINGS): a receipt whose supplier is that site.
 * transfer_uuid: the transfer to receive it settles (then in's product, lot, expiry and
 * quantity may be NULL/0 and are the transfer's), or NULL. */
int vax_stock_transfer_in(vax_db *db, const vax_lot_in *in, const char *from_site,
                          const char *transfer_uuid, int64_t *lot_id);
/* A physical count of a lot's unopened vials (VAX_ACT_SETTINGS): the difference from what the
 * ledger holds is recorded with the reason (required when there is one). *difference: counted
 * minus expected, in vials (may be NULL). */
int vax_stock_count(vax_db *db, int64_t lot_id, int vials_counted, const char *reason,
                    int *difference);

/* A transfer another site sent here, not yet taken in. */
typedef struct vax_transfer {
    char uuid[37];
    char from_site[VAX_SITE_CODE_MAX];
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    char expiry[11];
    int doses_per_vial, component, vials;
    int64_t sent_at;
} vax_transfer;
int vax_stock_transfers_to_receive(vax_db *db, vax_transfer *out, int max, int *n);

/* The ledger against the lots' and vials' counters, and the balance of every lot. Returns the
 * number of problems (0: all agree) and *lines one line per problem (malloc'd, NULL when none),
 * or a negative VAX_E* code. */
int vax_stock_check(vax_db *db, char **lines);

/* ---------------------------------------------------------------------------------------------
 * A carton's GS1 DataMatrix (gs1.c): GTIN (01), expiry (17), lot (10), serial (21).
 * ------------------------------------------------------------------------------------------- */
typedef struct vax_gs1 {
    char gtin[15];   /* 14 digits, check digit verified */
    char expiry[11]; /* YYYY-MM-DD, "" when absent */
    char lot[21];
    char serial[21];
} vax_gs1;
/* GTIN-8/12/13/14 with a right check digit into 14 digits; VAX_EINVAL otherwise. */
int vax_gtin_normalise(const char *in, char out[15]);
/* Parses what a scanner typed: FNC1 as 0x1D, "^]", "]d2" (or the other symbology identifiers),
 * or the printed form "(01)...(17)...". this_year decides the century of (17). msg says why not. */
int vax_gs1_parse(const char *text, int this_year, vax_gs1 *out, char *msg, size_t msgsize);

/* A scan checked against the catalogue (stock.c): the product its GTIN names, lot and expiry.
 * Refused: an unreadable code (VAX_EINVAL, field "scan"), a GTIN not in the catalogue
 * (VAX_ENOTFOUND, "gtin"), an expired lot (VAX_ESTATE, "expiry"). */
typedef struct vax_scan {
    vax_gs1 gs1;
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
} vax_scan;
int vax_stock_scan(vax_db *db, const char *text, vax_scan *out);
/* The lot in stock that a scan names (for opening a vial); VAX_ENOTFOUND if not received. */
int vax_stock_scan_lot(vax_db *db, const char *text, int64_t *lot_id);

/* ---------------------------------------------------------------------------------------------
 * The cold chain (coldchain.c): fridges and cold boxes, the lots stored in each, temperature
 * readings (tenths of a degree), and the lots a reading outside 2-8 degC put on "check before use"
 * until a manager decides. A reading is due by each of the hours coldchain.due_1_hour and
 * coldchain.due_2_hour (local) of a day.
 * ------------------------------------------------------------------------------------------- */
#define VAX_TEMP_MIN_TENTHS 20 /* 2.0 degC: the lowest reading within range */
#define VAX_TEMP_MAX_TENTHS 80 /* 8.0 degC: the highest */

enum vax_temp_state { VAX_TEMP_OK, VAX_TEMP_OUT_OF_RANGE, VAX_TEMP_FREEZE };
/* VAX_TEMP_FREEZE at or below 0.0, VAX_TEMP_OUT_OF_RANGE below 2.0 or above 8.0. */
int vax_temp_state_of(int tenths);
/* "5.2", "-0.5": a reading as staff write it (out: 8 bytes or more). */
void vax_temp_format(int tenths, char *out, size_t size);
/* "5.2", "5,2", "-1" into tenths; VAX_EINVAL when it is not a reading with one decimal at most. */
int vax_temp_parse(const char *text, int *tenths);

enum vax_temp_due { VAX_TEMP_DUE_NONE, VAX_TEMP_DUE_SOON, VAX_TEMP_DUE_LATE };
typedef struct vax_fridge {
    int64_t id;
    char code[32];
    char name[64];
    int cold_box, active;
    int has_reading, last_tenths;
    int64_t last_at;
    int due;        /* vax_temp_due: a reading due by due_at (SOON), or missing since (LATE) */
    int64_t due_at; /* 0 when nothing is due */
    int lots_stored, lots_on_hold;
} vax_fridge;

/* Registers a fridge or cold box (VAX_ACT_SETTINGS; audited fridge.add). */
int vax_fridge_add(vax_db *db, const char *code, const char *name, int cold_box);
/* Retires one (VAX_ACT_SETTINGS): refused while it stores lots with doses on hand. */
int vax_fridge_retire(vax_db *db, const char *code);
/* Fridges by code (all: retired ones too), each with its reading due as at `now`. */
int vax_fridge_list(vax_db *db, int all, int64_t now, vax_fridge *out, int max, int *n);
/* Puts a lot in an active fridge, at receipt or moved (VAX_ACT_SETTINGS; audited lot.store). */
int vax_fridge_store_lot(vax_db *db, const char *fridge_code, int64_t lot_id);

typedef struct vax_temp_reading {
    int64_t id, at;
    char fridge[32];
    int tenths;
    int state; /* vax_temp_state */
    int held;  /* lots it put on hold */
    char by[64];
} vax_temp_reading;
/* Logs a reading (VAX_ACT_CALL_INJECT; audited temp.log): a breach puts every lot stored there
 * with doses on hand on hold (*held: how many; may be NULL), in the same transaction. */
int vax_temp_log(vax_db *db, const char *fridge_code, int tenths, int *held);
/* Readings with from <= at < to, oldest first; fridge_code NULL: every fridge. */
int vax_temp_list(vax_db *db, const char *fridge_code, int64_t from, int64_t to,
                  vax_temp_reading *out, int max, int *n);
/* Active fridges with a reading due at `now` (*first: the earliest due, may be NULL). */
int vax_temp_due_count(vax_db *db, int64_t now, vax_fridge *first);

typedef struct vax_lot_hold {
    int64_t lot_id, since;
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    char fridge[32];
    int tenths; /* the reading that put it on hold */
    int doses_on_hand;
} vax_lot_hold;
/* Lots on hold now, oldest first. */
int vax_lot_holds(vax_db *db, vax_lot_hold *out, int max, int *n);
/* 1 when the lot is on hold (*out filled, may be NULL), 0 when not, or a VAX_E* code. */
int vax_lot_on_hold(vax_db *db, int64_t lot_id, vax_lot_hold *out);
/* A manager's decision on a held lot (VAX_ACT_SETTINGS; audited lot.hold_decide): use, or
 * discard: its unopened vials are written off in the ledger with reason cold_chain. */
int vax_lot_hold_decide(vax_db *db, int64_t lot_id, int use, const char *note);

/* ---------------------------------------------------------------------------------------------
 * Vaccine used before it expires (stock.c): per lot in date, the doses on hand, the days left,
 * the doses a day needed to use it in time, the pace of the last days, and whether it is at risk.
 * ------------------------------------------------------------------------------------------- */
typedef struct vax_use_fast {
    int64_t lot_id;
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    char expiry[11];
    int doses_on_hand;
    int days_left;      /* including today and the expiry day */
    int needed_per_day; /* doses on hand / days left, rounded up */
    int pace_tenths;    /* doses of this product a day over the last pace_days, x 10 */
    int at_risk;        /* at the pace, doses would be left on the expiry day */
    int doses_at_risk;  /* how many */
} vax_use_fast;
/* pace_days: the days the pace is measured over (7 if 0); lots of one product are used earliest
 * expiry first, so a later lot gets what is left of the pace after the earlier ones. */
int vax_stock_use_fast(vax_db *db, int pace_days, vax_use_fast *out, int max, int *n);

/* ---------------------------------------------------------------------------------------------
 * Dose records (dose.c). A dose is given from an open vial to a visit in injection; the visit
 * moves to observing in the same transaction. A dose is never edited: a correction voids it.
 * ------------------------------------------------------------------------------------------- */
typedef enum vax_arm { VAX_ARM_NONE, VAX_ARM_LEFT, VAX_ARM_RIGHT } vax_arm;
const char *vax_arm_code(vax_arm a);  /* "left" */
const char *vax_arm_label(vax_arm a); /* translated */

#define VAX_SERIES_PRIMARY "covid-19"

typedef struct vax_dose_in {
    int64_t visit_id;
    int64_t vial_id;
    vax_arm arm;
    int dose_number;             /* 0: computed from the history (the usual case) */
    const char *number_reason;   /* required when dose_number differs from the computed one */
    const char *override_reason; /* a second dose of the same number (manager) or one earlier
                                    than the minimum interval (doctor or manager) */
    int additional; /* the doctor's decision: the additional dose of an immunocompromised person
                       (after the primary series, its own interval; dose-rules.conf) */
} vax_dose_in;

typedef struct vax_dose {
    int64_t id;
    char uuid[37];
    int64_t person_id, visit_id, lot_id, vial_id; /* lot_id/vial_id 0 for doses from elsewhere */
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    char series[16];
    int dose_number;
    vax_arm arm;
    int64_t vaccinator;
    char vaccinator_name[128];
    char station[32];
    int64_t given_at;
    char number_reason[200];
    char override_reason[200];
    char place[201]; /* a dose given elsewhere: where; "" for a dose given here */
} vax_dose;

/* The dose number the person's next dose of the primary series gets (non-voided history + 1). */
int vax_dose_next_number(vax_db *db, int64_t person_id, int *number);
/* Records a dose (VAX_ACT_CALL_INJECT) and moves the visit injection -> observing. Refusals name
 * the field: "vial", "arm", "dose_number", "product" (mixing not allowed), "override" (a rule
 * that a doctor or manager may override with a reason). out may be NULL. */
int vax_dose_give(vax_db *db, const vax_dose_in *in, vax_dose *out);
int vax_dose_get(vax_db *db, int64_t dose_id, vax_dose *out);
/* A person's doses (not voided), oldest first: what certificates, due lists and screens read. */
int vax_dose_list(vax_db *db, int64_t person_id, vax_dose *out, int max, int *n);
/* A dose given at another site (elsewhere.c): what the person's paper or certificate says. */
typedef struct vax_dose_elsewhere {
    int64_t person_id;
    const char *product;  /* catalogue code ("AZ") */
    const char *date;     /* dd/mm/yyyy or YYYY-MM-DD; a past day */
    int dose_number;      /* 0: the next from the history */
    const char *place;    /* where (site, commune, province or country); required */
    const char *lot_no;   /* NULL or "" if unknown */
    const char *uvci;     /* from an EU DCC ("HC1:"), else NULL: source "hc1" or "manual" */
    const char *verified; /* what the certificate's check said, NULL if none */
} vax_dose_elsewhere;
/* Records it (VAX_ACT_CALL_INJECT; audited "dose.elsewhere"). Refusals name the field: "place",
 * "date", "product" (not in the catalogue, or mixing not allowed after the dose before it),
 * "dose_number" (out of range, or that number already recorded), "lot". */
int vax_dose_record_elsewhere(vax_db *db, const vax_dose_elsewhere *in, int64_t *dose_id);
/* Voids a dose recorded by mistake (VAX_ACT_OVERRIDE), with a reason; the row is kept, the
 * dose numbers after it and the due list follow, its certificate is revoked, the void syncs. */
int vax_dose_void(vax_db *db, int64_t dose_id, const char *reason);
/* The same where the member signed in may not: a manager confirms at this station with their
 * login and PIN (vax_staff_confirm) and is named in the audit row. */
int vax_dose_void_confirmed(vax_db *db, int64_t dose_id, const char *reason, const char *login,
                            const char *pin);

/* ---------------------------------------------------------------------------------------------
 * Site days, time slots and appointments (slot.c). Appointments are their own rows until
 * check-in links them to the visit; a booked person who never came becomes "no_show" on the
 * appointment at day close (no visit is made for them). A slot's fill counts live bookings plus
 * walk-ins checked in during that slot.
 * ------------------------------------------------------------------------------------------- */
#define VAX_RISK_LIST(X)                                                                           \
    X(VAX_RISK_LOW, "low", "Low risk")                                                             \
    X(VAX_RISK_MEDIUM, "medium", "Medium risk")                                                    \
    X(VAX_RISK_HIGH, "high", "High risk")                                                          \
    X(VAX_RISK_VERY_HIGH, "very_high", "Very high risk")

typedef enum vax_risk {
#define VAX_RISK_ENUM(name, code, words) name,
    VAX_RISK_LIST(VAX_RISK_ENUM)
#undef VAX_RISK_ENUM
        VAX_RISK_COUNT
} vax_risk;

const char *vax_risk_code(vax_risk r);  /* "very_high" */
const char *vax_risk_label(vax_risk r); /* translated */
int vax_risk_parse(const char *code, vax_risk *out);
/* People per slot allowed at a risk level: setting "slot.cap.<code>" (defaults 100, 50, 25, 10). */
int vax_risk_cap(vax_db *db, vax_risk r, int *cap);

typedef struct vax_site_day {
    int64_t id;
    char day[11];       /* YYYY-MM-DD, local */
    char opens[6];      /* HH:MM */
    char closes[6];     /* HH:MM */
    int slot_minutes;   /* e.g. 30 */
    int capacity;       /* people per slot asked for */
    vax_risk risk;      /* the site's risk level that day */
    char products[128]; /* product codes offered, "AZ PF"; "" = any */
    int cap;            /* out: capacity per slot after the risk cap */
    int slots;          /* out: number of slots */
    int64_t closed_at;  /* 0 while the day is open */
} vax_site_day;

typedef struct vax_slot {
    int64_t id;
    char day[11];
    int64_t starts_at, ends_at;
    int capacity;
    int booked;     /* live appointments (booked or checked in) */
    int walk_ins;   /* visits checked in during the slot without an appointment */
    int checked_in; /* appointments already checked in */
    int open;       /* 0: closed by a manager */
} vax_slot;

/* Plans a day: slots of slot_minutes from opens to closes, each with capacity people, capped by
 * the risk level. Needs VAX_ACT_SETTINGS. Refused (nothing written): a day in the past, a day
 * already planned, closes not after opens, slot length or capacity not above 0, unknown product.
 * On success d->id, d->cap and d->slots are filled. */
int vax_day_plan(vax_db *db, vax_site_day *d);
int vax_day_get(vax_db *db, const char *day, vax_site_day *out);
/* Planned days from..to (inclusive), by date. */
int vax_day_list(vax_db *db, const char *from, const char *to, vax_site_day *out, int max, int *n);
/* Copies the plan (hours, slots, capacity, risk, products; not the bookings) of one day to
 * another day that is not planned yet and not in the past. */
int vax_day_copy(vax_db *db, const char *from_day, const char *to_day);
/* Day close: every appointment of the day still "booked" becomes "no_show" (listed by
 * vax_appt_list for follow-up); the day takes no more bookings. *no_shows may be NULL. */
int vax_day_close(vax_db *db, const char *day, int *no_shows);

/* Adds one slot to a planned day ("HH:MM" local times). Refused: end not after start, capacity
 * not above 0, overlap with another slot of the day, a slot that is over. Capped by risk. */
int vax_slot_add(vax_db *db, const char *day, const char *start, const char *end, int capacity,
                 int64_t *out_id);
int vax_slot_get(vax_db *db, int64_t slot_id, vax_slot *out);
/* The slots of a day with their fill, by start time. */
int vax_slot_list(vax_db *db, const char *day, vax_slot *out, int max, int *n);
/* The first open slot not yet over at `after`, with room (or any room when none), from `after`
 * on up to 60 days; VAX_ENOTFOUND when there is none. */
int vax_slot_next_free(vax_db *db, int64_t after, vax_slot *out);

typedef enum vax_slot_close_mode {
    VAX_SLOT_MOVE,  /* move each booking to the next free slot (cancelled if there is none) */
    VAX_SLOT_CANCEL /* cancel them: they are listed for a phone call */
} vax_slot_close_mode;
/* Closes a slot to new bookings. Its live bookings are moved or cancelled as mode says;
 * *moved and *cancelled (may be NULL) count them. Needs VAX_ACT_SETTINGS. */
int vax_slot_close(vax_db *db, int64_t slot_id, vax_slot_close_mode mode, int *moved,
                   int *cancelled);

#define VAX_APPT_STATE_LIST(X)                                                                     \
    X(VAX_APPT_BOOKED, "booked", "Booked")                                                         \
    X(VAX_APPT_CHECKED_IN, "checked_in", "Checked in")                                             \
    X(VAX_APPT_NO_SHOW, "no_show", "Did not come")                                                 \
    X(VAX_APPT_CANCELLED, "cancelled", "Cancelled")

typedef enum vax_appt_state {
#define VAX_APPT_ENUM(name, code, words) name,
    VAX_APPT_STATE_LIST(VAX_APPT_ENUM)
#undef VAX_APPT_ENUM
        VAX_APPT_STATE_COUNT
} vax_appt_state;
const char *vax_appt_state_code(vax_appt_state s);
const char *vax_appt_state_label(vax_appt_state s);

typedef struct vax_appt {
    int64_t id;
    char uuid[37];
    int64_t slot_id, person_id, visit_id;
    char day[11];
    int64_t starts_at, ends_at; /* the slot's */
    int dose_number;
    char product[16]; /* "" = any offered */
    vax_appt_state state;
    char override_reason[200];
    char note[200]; /* why it was cancelled or moved */
} vax_appt;

/* Books a person into a slot for a dose. Needs VAX_ACT_CHECKIN. Refused (nothing written): a
 * slot that is over or closed, a day closed or in the past, a person already booked that day
 * (the message names the time), a product not offered that day. A full slot (bookings plus
 * walk-ins) is refused unless override_reason is given by a role with VAX_ACT_OVERRIDE. */
int vax_appt_book(vax_db *db, int64_t person_id, int64_t slot_id, int dose_number,
                  const char *product, const char *override_reason, vax_appt *out);
int vax_appt_get(vax_db *db, int64_t appt_id, vax_appt *out);
/* The person's live booking on a day (booked or checked in); VAX_ENOTFOUND if none. */
int vax_appt_for_person(vax_db *db, int64_t person_id, const char *day, vax_appt *out);
/* Appointments of a day in a state (-1: any), by slot time then person. */
int vax_appt_list(vax_db *db, const char *day, int state, vax_appt *out, int max, int *n);

/* How an arrival at `arrived_at` fits a slot: <0 early by -*minutes, 0 on time, >0 late. */
typedef enum vax_arrival {
    VAX_ARRIVE_EARLY = -1,
    VAX_ARRIVE_ON_TIME = 0,
    VAX_ARRIVE_LATE = 1
} vax_arrival;
vax_arrival vax_appt_arrival(int64_t starts_at, int64_t ends_at, int64_t arrived_at, int *minutes);
/* The appointment a visit was checked in for; VAX_ENOTFOUND for a walk-in. */
int vax_appt_for_visit(vax_db *db, int64_t visit_id, vax_appt *out);

/* Bulk scheduling: one request per person. */
typedef struct vax_book_req {
    int64_t person_id;
    int dose_number;     /* 0: the next dose from the person's dose history */
    char not_before[11]; /* "" or the earliest day the person may come (dose-2 due date) */
    char group[64];      /* "" or a household or commune: its people go into one slot */
    int64_t appt_id;     /* out: the booking made, 0 if none */
    int status;          /* out: VAX_OK, VAX_EEXIST (already booked in the range), VAX_EEMPTY
                            (no room left), VAX_ENOTFOUND (no such person) */
} vax_book_req;
/* Fills the open slots of days from..to in priority order (priority group, then 65+, 50-64,
 * 18-49, then the order of reqs: registration order), never over capacity, in one transaction.
 * Days are filled earliest first; within a day the people are spread so that every slot ends at
 * about the same share of its capacity (equal capacities: one person apart at most), and the
 * slots are handed out in time order, so that nobody gets a later slot than someone of lower
 * priority. The people of one group (a household or commune) go together, at the place of the
 * first of them, into one slot while it has room. reqs is reordered into that order (a group's
 * people together). *booked counts the bookings made. */
int vax_slot_fill(vax_db *db, const char *from, const char *to, const char *product,
                  vax_book_req *reqs, int n, int *booked);

/* The call list: who to tell to come when. */
typedef struct vax_call {
    int64_t appt_id, person_id;
    char full_name[256];
    char phone[16];
    char national_id[13];
    char day[11];
    char slot_time[12]; /* "08:00-08:30" */
    char site[128];
    int dose_number;
    vax_appt_state state;
} vax_call;
/* Calls fn for each appointment of days from..to in `state` (-1: booked; use VAX_APPT_CANCELLED
 * for those to phone after a slot was closed), by time; fn returning non-zero stops (its value
 * is returned). */
int vax_call_list(vax_db *db, const char *from, const char *to, int state,
                  int (*fn)(const vax_call *c, void *ctx), void *ctx);
/* One CSV line (RFC 4180 quoting, no newline) of a call: name,phone,day,slot,site,dose. */
void vax_call_csv(const vax_call *c, char *buf, size_t size);

/* ---------------------------------------------------------------------------------------------
 * Next-dose due dates (due.c): from the catalogue's minimum and recommended intervals.
 * Doses are read from the dose table (not voided).
 * ------------------------------------------------------------------------------------------- */
/* Calendar arithmetic on YYYY-MM-DD (no time zone): out = day + n days; diff = b - a in days. */
/* "2021-10-15" -> "15/10/2021", the way dates are written in Vietnam (and in every message);
 * anything else is copied as it is. out may be iso (converted in place). */
void vax_date_dmy(const char *iso, char out[11]);
int vax_date_add(const char *day, int n, char out[11]);
int vax_date_diff(const char *a, const char *b, int *days);

typedef enum vax_due_state {
    VAX_DUE_NONE,    /* no dose yet: dose 1 whenever */
    VAX_DUE_NOT_YET, /* before the earliest date */
    VAX_DUE_DUE,     /* between the earliest and the recommended date */
    VAX_DUE_OVERDUE, /* after the recommended date */
    VAX_DUE_COMPLETE /* the series is complete */
} vax_due_state;
const char *vax_due_state_label(vax_due_state s);

/* What a dose is in a person's schedule. A primary dose is numbered within the series of the
 * product that began it; an additional dose (immunocompromised people) and boosters follow it
 * and go on with the numbers (dose 3, 4): the DCC's dn counts every dose. */
typedef enum vax_dose_kind {
    VAX_KIND_PRIMARY,
    VAX_KIND_ADDITIONAL,
    VAX_KIND_BOOSTER,
} vax_dose_kind;
const char *vax_dose_kind_label(vax_dose_kind k); /* translated: "primary", "booster 1" */

/* One dose of a history, oldest first. */
typedef struct vax_sched_dose {
    char product[16];
    char day[11];   /* YYYY-MM-DD */
    int additional; /* recorded as the additional dose */
} vax_sched_dose;

typedef struct vax_sched_next {
    int number; /* the next dose's number (dn) */
    vax_dose_kind kind;
    int booster;       /* which booster (1, 2, ...) when kind is VAX_KIND_BOOSTER */
    int none;          /* 1: no further dose under the rules in force (earliest etc. empty) */
    char earliest[11]; /* "" for dose 1 */
    char recommended[11];
    char latest[11];    /* additional dose: the last day it is one; "" otherwise */
    char products[128]; /* products that may give it, allowed for the age */
} vax_sched_next;

/* The next dose after `hist` (n doses, oldest first) by the catalogue `cat` with the rules of the
 * day already applied (vax_product_list_on). age: years on the day, or -1 when unknown (no age
 * gate). immunocompromised: the additional dose is offered before any booster. Pure: no
 * database. VAX_EINVAL when a date cannot be read. */
int vax_schedule_next(const vax_product *cat, int ncat, const vax_sched_dose *hist, int n, int age,
                      int immunocompromised, vax_sched_next *out);
/* The same for a person today, from their doses and age: what the injection room may give. */
int vax_schedule_for_person(vax_db *db, int64_t person_id, vax_sched_next *out);

typedef struct vax_due {
    int64_t person_id;
    char full_name[256];
    char national_id[13];
    char phone[16];
    char commune[128];
    char product[16];  /* of the last dose */
    int doses;         /* doses given */
    int next_dose;     /* doses + 1 */
    char last_day[11]; /* local day of the last dose */
    char earliest[11]; /* "" when complete or no dose */
    char recommended[11];
    vax_due_state state;
    int days_overdue;     /* > 0 when overdue */
    int days_to_earliest; /* > 0 when not yet */
    char booked_day[11];  /* a live booking today or later, "" if none */
    vax_dose_kind kind;   /* of the next dose: booster when a rule in force offers one */
} vax_due;

/* Due state of a series on `today` from the product, the doses given and the last dose's day. */
int vax_due_compute(const vax_product *p, int doses, const char *last_day, const char *today,
                    vax_due *out);
int vax_due_for_person(vax_db *db, int64_t person_id, vax_due *out);

typedef struct vax_due_filter {
    char product[16];  /* "" any */
    char commune[128]; /* "" any; matched without accents or case */
    int only_overdue;
    int include_not_yet;  /* also list people not due yet */
    int include_complete; /* also list completed series */
    char due_by[11];      /* "" or: only those whose earliest date is on or before this day */
} vax_due_filter;
/* People with at least one dose, by earliest date then registration; fn as vax_call_list. */
int vax_due_list(vax_db *db, const vax_due_filter *f, int (*fn)(const vax_due *d, void *ctx),
                 void *ctx);

/* The interval and mixing rules for giving `product` as dose `dose_number` at `given_at`:
 * VAX_OK, or VAX_ESTATE (too early: names the earliest date) / VAX_EINVAL (a product that may
 * not follow the previous one; a wrong dose number). A doctor or manager may override with a
 * reason. For the dose module to call before it records a dose. */
int vax_due_check_dose(vax_db *db, int64_t person_id, const char *product, int dose_number,
                       int64_t given_at, const char *override_reason);

/* ---------------------------------------------------------------------------------------------
 * Reminders by text message (remind.c): the people whose dose falls in N days (a booking that
 * day, or, with no booking, the day their next dose becomes due) are sent a short message in
 * Vietnamese through a GSM modem driven by libgammu. Every message is a row (sms_message), once
 * per person and due day; people may ask to be left out (sms_optout).
 * ------------------------------------------------------------------------------------------- */
typedef enum vax_remind_outcome {
    VAX_REMIND_SENT,      /* sent now */
    VAX_REMIND_FAILED,    /* tried now; the modem refused (error says why) */
    VAX_REMIND_WOULD,     /* dry run: would be sent */
    VAX_REMIND_ALREADY,   /* already texted for this due day */
    VAX_REMIND_OPTED_OUT, /* asked not to be texted */
    VAX_REMIND_NO_PHONE,  /* no mobile number on record */
} vax_remind_outcome;

typedef struct vax_remind_item {
    int64_t person_id;
    char full_name[256];
    char phone[16];
    char due_day[11];   /* the booking's day, or the first day the dose is due */
    char slot_time[12]; /* "08:00-08:30" when booked, else "" */
    int dose_number;
    char body[480]; /* the words sent (UTF-8) */
    vax_remind_outcome outcome;
    int attempts;    /* tries of this message so far */
    char error[160]; /* the modem's words when it failed */
} vax_remind_item;

typedef struct vax_remind_opts {
    int days;            /* who is due this many days from today (0: today) */
    int dry_run;         /* list and compose, send and write nothing */
    const char *gammurc; /* the modem's gammu configuration; NULL: gammu's own search */
    int max_attempts;    /* a failed message is tried again on a later run up to this; 0: 3 */
} vax_remind_opts;

typedef struct vax_remind_stats {
    int listed, sent, failed, already, opted_out, no_phone;
} vax_remind_stats;

/* 1 when this build can drive a modem (libgammu); without it vax_remind_run refuses with a
 * sentence and the CSV call list ("vaxsite book --csv") stays the way to reach people. */
int vax_remind_available(void);
/* The message for one person (Vietnamese: the people texted read it, whatever the interface
 * language): site, dose number, day and, when booked, the slot's time. */
void vax_remind_compose(const char *site, int dose_number, const char *due_day,
                        const char *slot_time, char *out, size_t size);
/* Sends the reminders of opts->days (VAX_ACT_CHECKIN). Each message is written as pending before
 * the modem is asked, then marked sent or failed with its attempts (audited "sms.send"), so a
 * second run never texts a person twice for one due day, even after a crash in between. fn (may
 * be NULL) is told of every person considered. Refused when the modem cannot be opened. */
int vax_remind_run(vax_db *db, const vax_remind_opts *opts,
                   void (*fn)(const vax_remind_item *it, void *ctx), void *ctx,
                   vax_remind_stats *stats);
/* Leaves a person out of reminders from now on (VAX_ACT_PERSON_WRITE; audited "sms.optout").
 * include = 1 takes them back ("sms.optin"). */
int vax_remind_exclude(vax_db *db, int64_t person_id, int include, const char *reason);

/* ---------------------------------------------------------------------------------------------
 * Pre-vaccination screening (checklist.c, screening.c): checklists as data (assets/screening/),
 * the outcome proposed from answers, vital signs, age, dose history and product rules, and the
 * doctor's decision recorded with the visit's move in one transaction.
 * ------------------------------------------------------------------------------------------- */
#define VAX_OUTCOME_LIST(X)                                                                        \
    X(VAX_OUTCOME_ELIGIBLE, "eligible", "Eligible")                                                \
    X(VAX_OUTCOME_CAUTION, "caution", "Caution: vaccinate, longer observation")                    \
    X(VAX_OUTCOME_REFERRED, "referred", "Refer: vaccinate at a hospital")                          \
    X(VAX_OUTCOME_POSTPONED, "postponed", "Postponed")                                             \
    X(VAX_OUTCOME_CONTRAINDICATED, "contraindicated", "Contraindicated")                           \
    X(VAX_OUTCOME_DECLINED, "declined", "Does not consent")

/* In order of weight: the proposal is the heaviest outcome any reason gives. "Does not consent"
 * is never proposed: the person's own answer, which the doctor records (annex 5 of QĐ 43/QĐ-BYT
 * counts it apart from postponed and contraindicated); the visit ends "declined". */
typedef enum vax_outcome {
#define VAX_OUTCOME_ENUM(name, code, words) name,
    VAX_OUTCOME_LIST(VAX_OUTCOME_ENUM)
#undef VAX_OUTCOME_ENUM
        VAX_OUTCOME_COUNT
} vax_outcome;

const char *vax_outcome_code(vax_outcome o);  /* "postponed" */
const char *vax_outcome_label(vax_outcome o); /* translated */
int vax_outcome_parse(const char *code, vax_outcome *out);

#define VAX_CHECKLIST_MAX_ITEMS 24
#define VAX_CHECKLIST_MAX_VITALS 8
#define VAX_VITAL_NONE (-1) /* a vital sign not measured */

typedef struct vax_checklist_item {
    char key[16];        /* "q01" */
    char text[512];      /* in the UI language */
    vax_outcome outcome; /* what a "yes" proposes */
    char scope[16];      /* contraindicated: "earlier" or "all" */
    char finding[32];    /* "pregnancy" (products.conf not_in), "" if none */
    int consent;         /* 1: vaccinating needs a signed consent */
    int postpone_days;
} vax_checklist_item;

/* Values are in tenths of the unit (36.6 °C is 366), whatever `decimals` says. */
typedef struct vax_vital_def {
    char key[16];  /* "temperature" */
    char name[64]; /* in the UI language */
    char unit[16];
    int decimals;
    int has_normal;
    int normal_lo, normal_hi;     /* outside: a finding */
    int physical_lo, physical_hi; /* outside: refused as a typing error */
    int required;
    vax_outcome below, above;
    int postpone_days;
    char baseline[16];   /* key of the person's usual reading ("usual_systolic"), or "" */
    int baseline_margin; /* tenths: a reading this far above the usual one is "above" */
} vax_vital_def;

typedef struct vax_checklist {
    int64_t id; /* row in the database (0 for a file only checked) */
    char code[32];
    int version;
    char valid_from[11];
    char name[256];
    char source[256];
    char valid_until[11]; /* "" open-ended: the last day a newer text had not replaced it */
    int min_age, max_age; /* years; 0 = no bound (a children's form names both) */
    int nitems;
    vax_checklist_item items[VAX_CHECKLIST_MAX_ITEMS];
    int nvitals;
    vax_vital_def vitals[VAX_CHECKLIST_MAX_VITALS];
} vax_checklist;

/* Checks a checklist text (the assets/screening format) without a database. On a bad line
 * VAX_EINVAL with "name:line: what is wrong" in err. */
int vax_checklist_check(const char *name, const char *text, vax_checklist *out, char *err,
                        size_t errsize);
/* Checks and stores a site's checklist (VAX_ACT_SETTINGS). The same code and version with other
 * text is refused: a changed form needs a new version. */
int vax_checklist_add(vax_db *db, const char *name, const char *text, int64_t *out_id);
int vax_checklist_get(vax_db *db, int64_t id, vax_checklist *out);
/* The checklist in force today: setting "screening.checklist" (a code: its newest version), or
 * else the newest valid_from on or before today. */
int vax_checklist_current(vax_db *db, vax_checklist *out);
/* The form a visit is screened with: setting "screening.checklist" if set, else the form in force
 * on the visit's day for the person's age (valid_from, valid_until, min_age, max_age). */
int vax_screening_form(vax_db *db, int64_t visit_id, vax_checklist *out);
/* Stored checklists, newest valid_from first (id, code, version, valid_from, name filled). */
int vax_checklist_list(vax_db *db, vax_checklist *out, int max, int *n);

typedef struct vax_screening_input {
    int64_t checklist_id;                  /* 0: the current one */
    char answers[VAX_CHECKLIST_MAX_ITEMS]; /* 'y' or 'n' per item, in the checklist's order */
    int vitals[VAX_CHECKLIST_MAX_VITALS];  /* tenths, or VAX_VITAL_NONE */
    char notes[256];                       /* the doctor's notes (allergies, ...) */
} vax_screening_input;

/* Fills in: every answer unanswered ('\0') and every vital VAX_VITAL_NONE. */
void vax_screening_input_init(vax_screening_input *in);

#define VAX_SCREENING_MAX_REASONS 32
typedef struct vax_screening_reason {
    vax_outcome outcome;
    char text[256];
} vax_screening_reason;

typedef struct vax_screening_proposal {
    vax_outcome outcome;
    int nreasons;
    vax_screening_reason reasons[VAX_SCREENING_MAX_REASONS]; /* every reason, in check order */
    char products[128];   /* eligible/caution: products that may be given ("AZ PF MO") */
    char ruled_out[128];  /* products contraindicated for this person */
    char return_date[11]; /* postponed: the earliest day to come back (local YYYY-MM-DD) */
    int observation_minutes;
    int needs_consent;
    int age;
    int doses; /* doses given so far (not voided) */
} vax_screening_proposal;

/* Proposes the outcome for the visit (in screening) from the input; writes nothing. Vital signs
 * outside physical limits and unanswered questions are VAX_EINVAL naming the field. Age limit:
 * setting "screening.min_age" (18). Observation: the products' minutes, or setting
 * "screening.caution_observation_min" (60) for caution. */
int vax_screening_propose(vax_db *db, int64_t visit_id, const vax_screening_input *in,
                          vax_screening_proposal *out);

typedef struct vax_screening_decision {
    vax_outcome outcome;  /* the doctor's final outcome */
    char reason[256];     /* required when it differs from the proposal */
    int consent;          /* 1: the signed consent is on file (when the proposal needs one) */
    char return_date[11]; /* postponed: another day than proposed, YYYY-MM-DD, or "" */
} vax_screening_decision;

/* Records the screening and moves the visit in one transaction: eligible or caution ->
 * eligible -> waiting_injection; the others end the visit in that state. A visit not in
 * screening is refused (VAX_ESTATE). Needs VAX_ACT_CALL_SCREEN. */
int vax_screening_confirm(vax_db *db, int64_t visit_id, const vax_screening_input *in,
                          const vax_screening_decision *d, int64_t *out_id);

typedef struct vax_screening {
    int64_t id;
    char uuid[37];
    int64_t visit_id, person_id, checklist_id;
    char checklist_code[32];
    int checklist_version;
    char answers[VAX_CHECKLIST_MAX_ITEMS + 1]; /* "nnnynnnnnn" */
    char vitals[256];                          /* "temperature=36.6 pulse=80 ..." */
    char notes[256];
    vax_outcome proposed, final;
    char reasons[2048]; /* one per line */
    char override_reason[256];
    char products[128], ruled_out[128];
    char return_date[11];
    int observation_minutes;
    int consent;
    int64_t screened_by, screened_at;
} vax_screening;

int vax_screening_get(vax_db *db, int64_t id, vax_screening *out);
/* The newest screening of a visit; VAX_ENOTFOUND if none. */
int vax_screening_for_visit(vax_db *db, int64_t visit_id, vax_screening *out);
/* Notes and allergy findings of the person's earlier screenings, newest first, "; "-joined. */
int vax_screening_history_notes(vax_db *db, int64_t person_id, char *buf, size_t size);

/* ---------------------------------------------------------------------------------------------
 * Dose certificates (cert.c, base45.c, keys.c, qr.c): the EU Digital COVID Certificate format
 * (an hcert 1.3.0 payload in a CWT, signed COSE_Sign1 ES256 or PS256, zlib, base45, "HC1:"), the
 * site's signing key, the verifier with its trust list and revocation list, and the renderers.
 * ------------------------------------------------------------------------------------------- */
/* Base45 (RFC 9285). encode: a malloc'd NUL-terminated string. decode: malloc'd bytes; VAX_EINVAL
 * for a character outside the alphabet, a dangling character or a group above its range. */
int vax_base45_encode(const uint8_t *in, size_t n, char **out);
int vax_base45_decode(const char *in, size_t n, uint8_t **out, size_t *outn);
/* zlib inflate into malloc'd bytes; VAX_EINVAL if the stream is damaged or incomplete. */
int vax_zlib_inflate(const uint8_t *in, size_t n, uint8_t **out, size_t *outn);
/* ICAO 9303 machine-readable form of a name (fnt/gnt): marks removed, Đ -> D, upper case, '<'
 * for spaces and hyphens, other characters dropped, at most 80 characters. */
void vax_icao_name(const char *name, char *out, size_t size);
/* The UVCI check character (Luhn mod 38 over "A-Z0-9/:"), 0 if a character is outside that. */
char vax_uvci_check_char(const char *uvci);

typedef struct vax_hcert {
    char fn[81], gn[81], fnt[81], gnt[81]; /* surname, forename, and their ICAO forms */
    char dob[11];
    char type; /* 'v' vaccination, 't' test, 'r' recovery (decoded), 0 none */
    char tg[16], vp[32], mp[64], ma[96];
    int dn, sd;
    char dt[11];
    char co[11];
    char is[81];
    char ci[81];
    char iss[11]; /* CWT issuer country */
    int64_t iat, exp;
} vax_hcert;

typedef struct vax_signer vax_signer; /* the site's private key and its X.509 certificate */
typedef struct vax_trust vax_trust;   /* verifier certificates, found by kid */

/* The folder of the site's key: setting cert.key_dir, else "<database file>.keys". */
int vax_keys_dir(vax_db *db, char *buf, size_t size);
/* Makes the site's key (site.key, mode 0600; P-256, or RSA of rsa_bits for PS256) and a
 * self-signed certificate (site.crt) in dir (made 0700). Refused if a key is there already.
 * Needs VAX_ACT_SETTINGS. */
int vax_keys_init(vax_db *db, const char *dir, int rsa_bits);
/* The site's certificate as PEM (malloc'd), for verifiers: the current one first, then those of
 * the keys it replaced (keys rotate), so that every certificate the site issued verifies. */
int vax_keys_export(vax_db *db, const char *dir, char **pem);
/* keys rotate: a new key (of the old one's kind, or RSA of rsa_bits) and self-signed certificate
 * replace site.key (0600) and site.crt; the old key is gone and its certificate is kept in
 * dir/retired/<sha256>.crt for verifiers. Audited keys.rotate. Needs VAX_ACT_SETTINGS. */
typedef struct vax_key_rotation {
    char old_kid[16], new_kid[16];                 /* base64, as certificates carry them */
    char old_fingerprint[65], new_fingerprint[65]; /* SHA-256 of the certificates, hex */
    char retired[4300];                            /* where the old certificate is kept */
} vax_key_rotation;
int vax_keys_rotate(vax_db *db, const char *dir, int rsa_bits, vax_key_rotation *out);
/* Installs a certificate (PEM) issued for the site's key by an authority; refused unless its
 * public key is the site's. Needs VAX_ACT_SETTINGS. */
int vax_keys_import(vax_db *db, const char *dir, const char *pem);
int vax_signer_load(vax_db *db, const char *dir, vax_signer **out);
void vax_signer_free(vax_signer *s);
void vax_signer_kid(const vax_signer *s, uint8_t kid[8]);

int vax_trust_new(vax_trust **out);
/* Adds every certificate in PEM text; VAX_EINVAL if it holds none. */
int vax_trust_add_pem(vax_trust *t, const char *pem, size_t n);
int vax_trust_add_signer(vax_trust *t, const vax_signer *s);
/* The site's certificates in dir: its signer's and those of its retired keys. */
int vax_trust_add_site(vax_db *db, const char *dir, vax_trust *t);
void vax_trust_free(vax_trust *t);

/* Makes the HC1 string of hc signed by s (malloc'd). */
int vax_hc1_make(const vax_hcert *hc, const vax_signer *s, char **hc1);

#define VAX_CERT_RESULT_LIST(X)                                                                    \
    X(VAX_CERT_VALID, "valid", "valid")                                                            \
    X(VAX_CERT_BAD_PREFIX, "bad_prefix", "bad prefix")                                             \
    X(VAX_CERT_BAD_BASE45, "bad_base45", "bad base45")                                             \
    X(VAX_CERT_BAD_ZLIB, "bad_zlib", "bad zlib")                                                   \
    X(VAX_CERT_BAD_COSE, "bad_cose", "bad COSE")                                                   \
    X(VAX_CERT_UNKNOWN_KID, "unknown_kid", "unknown kid")                                          \
    X(VAX_CERT_BAD_SIGNATURE, "bad_signature", "bad signature")                                    \
    X(VAX_CERT_KEY_USAGE, "key_usage", "key not for this kind")                                    \
    X(VAX_CERT_EXPIRED, "expired", "expired")                                                      \
    X(VAX_CERT_SCHEMA, "schema_violation", "schema violation")                                     \
    X(VAX_CERT_REVOKED, "revoked", "revoked")

typedef enum vax_cert_result {
#define VAX_CERT_RESULT_ENUM(name, code, words) name,
    VAX_CERT_RESULT_LIST(VAX_CERT_RESULT_ENUM)
#undef VAX_CERT_RESULT_ENUM
} vax_cert_result;
const char *vax_cert_result_code(vax_cert_result r);  /* "unknown_kid" */
const char *vax_cert_result_label(vax_cert_result r); /* translated "unknown kid" */

typedef struct vax_cert_check {
    vax_cert_result result;
    char why[256]; /* the detail, e.g. which field broke the schema */
    int decoded;   /* hc, alg, kid and json hold the payload */
    vax_hcert hc;  /* vaccination fields are filled when the entry is one */
    int alg;       /* COSE algorithm: -7 ES256, -37 PS256 */
    char kid[16];  /* base64 of the kid */
    char *json;    /* the hcert payload as JSON with sorted keys (malloc'd) */
} vax_cert_check;
void vax_cert_check_free(vax_cert_check *c);
/* Checks an HC1 string (surrounding white space ignored) layer by layer and reports the first
 * failure: prefix, base45, zlib, COSE, kid in trust, signature, expiry at `now`, schema, and the
 * revocation list (text, one UVCI per line, '#' comments; NULL for none). The fields are decoded
 * whenever the COSE layer is readable. Returns VAX_OK when the check ran (see out->result). */
int vax_hc1_verify(const char *text, const vax_trust *trust, const char *revoked, int64_t now,
                   vax_cert_check *out);

/* Layer by layer, for conformance tests and tools: a parsed COSE_Sign1 with its CWT claims. */
typedef struct vax_cose vax_cose;
int vax_cose_parse(const uint8_t *in, size_t n, vax_cose **out, char *why, size_t whysize);
void vax_cose_free(vax_cose *c);
/* 1 if the signature verifies with the certificate (DER), 0 if not. */
int vax_cose_verify_der(const vax_cose *c, const uint8_t *der, size_t n);
/* 1 if the signer's certificate (DER) may sign this kind of certificate (vaccination, test or
 * recovery): its extended key usages name the kinds, and naming none allows them all. */
int vax_cose_key_usage_der(const vax_cose *c, const uint8_t *der, size_t n);
/* CWT claims; has_exp 0 when the claim is missing. */
void vax_cose_times(const vax_cose *c, int64_t *iat, int64_t *exp, int *has_exp);
/* The hcert payload (claim -260, key 1) as JSON with sorted keys; VAX_ENOTFOUND if none. */
int vax_cose_hcert_json(const vax_cose *c, char **json);
/* All the CWT claims as JSON with sorted keys. */
int vax_cose_claims_json(const vax_cose *c, char **json);
/* Checks the hcert payload against the DCC schema of its version; VAX_EINVAL with the reason. */
int vax_cose_schema_check(const vax_cose *c, char *why, size_t whysize);
/* Any one CBOR item as JSON with sorted keys (bytes as hex); VAX_EINVAL if not well-formed. */
int vax_cbor_to_json(const uint8_t *in, size_t n, char **json);
/* The schema check on bare hcert CBOR. */
int vax_hcert_schema_check_cbor(const uint8_t *in, size_t n, char *why, size_t whysize);

/* Certificates issued at this site (table certificate). */
typedef struct vax_certificate {
    int64_t id;
    char uuid[37];
    int64_t dose_id, person_id;
    char ci[81];
    int64_t issued_at, expires_at;
    int64_t revoked_at; /* 0 if in force */
    char revoke_reason[256];
    int64_t replaced_by; /* the certificate that replaced it, 0 if none */
    char hc1[2048];
    vax_hcert hc; /* what it says */
    char product_name[128], lot_no[64], site_name[128];
    char stale[64]; /* the person's printed fields changed since ("full_name birth_date"), or "" */
} vax_certificate;

/* Issues the certificate of a dose (signed with the site's key): the codes come from the product
 * catalogue, the names from the registry, ci is a UVCI "URN:UVCI:01:VN:<site>/<id>#<check>".
 * VAX_EEXIST if the dose has one in force (the message names it). Needs VAX_ACT_OBSERVE. */
int vax_cert_issue(vax_db *db, int64_t dose_id, vax_certificate *out);
int vax_cert_get(vax_db *db, int64_t id, vax_certificate *out);
int vax_cert_by_ci(vax_db *db, const char *ci, vax_certificate *out);
/* The certificate in force for a dose; VAX_ENOTFOUND if none. */
int vax_cert_for_dose(vax_db *db, int64_t dose_id, vax_certificate *out);
/* A person's certificates in force, newest first. */
int vax_cert_list_for_person(vax_db *db, int64_t person_id, vax_certificate *out, int max, int *n);
/* After a correction: a new certificate (new id) from the person and dose as they are now; the
 * old one is revoked with the reason and points to the new one. Needs VAX_ACT_OVERRIDE. */
int vax_cert_reissue(vax_db *db, int64_t cert_id, const char *reason, vax_certificate *out);
int vax_cert_revoke(vax_db *db, int64_t cert_id, const char *reason);
/* Re-issues every certificate in force that prints a field of the person changed since (stale),
 * each as vax_cert_reissue does; *reissued counts them. Needs VAX_ACT_OVERRIDE. */
int vax_cert_reissue_stale(vax_db *db, const char *reason, int *reissued);
/* The revocation list: one revoked UVCI per line after '#' comment lines (malloc'd). */
int vax_cert_revoked_export(vax_db *db, char **text);

/* A dose given elsewhere read from the person's EU DCC, as a scanner types its QR ("HC1:...")
 * (elsewhere.c): decoded and checked by vax_hc1_verify, shown to the nurse, then recorded. */
/* The trust list scanned certificates are checked against: this site's own certificates and the
 * signers of other issuers in <key folder>/trust.pem (PEM), if the site was given one. */
#define VAX_TRUST_FILE "trust.pem"
int vax_trust_load(vax_db *db, vax_trust **out);
/* What the nurse must confirm before such a dose is recorded. */
enum vax_dcc_warning {
    VAX_DCC_SIGNER_UNKNOWN = 1 << 0, /* its signer is not in the trust list: not verified */
    VAX_DCC_NAME_DIFFERS = 1 << 1,   /* its name is not the person's (marks and order aside) */
    VAX_DCC_DOB_DIFFERS = 1 << 2,    /* its birth date is not the person's, as far as both go */
};
typedef struct vax_dcc_dose {
    vax_cert_result result; /* VALID; EXPIRED: sound when issued, its validity over since;
                               UNKNOWN_KID: signer unknown */
    char why[256];          /* the verifier's words */
    vax_hcert hc;     /* name, birth date, product, dose dn of sd, date, country, issuer, UVCI */
    char product[16]; /* the catalogue's product of hc.mp */
    char product_name[128];
    unsigned warnings; /* vax_dcc_warning bits */
} vax_dcc_dose;
/* Reads a scan for a person (0: none, no name check). Refused (field "hc1"): unreadable, a bad
 * signature, schema or key usage, revoked, not a COVID-19 vaccination; (field "product") a
 * vaccine not in the catalogue; VAX_EEXIST (field "uvci") when a dose in force carries its UVCI
 * or this site issued it. */
int vax_dcc_dose_read(vax_db *db, const char *hc1, const vax_trust *trust, int64_t person_id,
                      vax_dcc_dose *out);
/* Reads it again and records it with vax_dose_record_elsewhere (source "hc1", its UVCI, the
 * check's code in dose.verified; place "<issuer> (<country>)"). A warning not in `confirmed` is
 * refused with VAX_ESTATE (field "signer", "name" or "birth_date"). */
int vax_dose_record_hc1(vax_db *db, int64_t person_id, const char *hc1, const vax_trust *trust,
                        unsigned confirmed, int64_t *dose_id);

/* QR code (qr.c, libqrencode): error correction Q (M if Q cannot hold it), smallest version. */
typedef struct vax_qr vax_qr;
int vax_qr_make(const char *text, vax_qr **out);
int vax_qr_width(const vax_qr *q);
int vax_qr_dark(const vax_qr *q, int x, int y); /* outside the symbol: 0 (quiet zone) */
void vax_qr_free(vax_qr *q);
/* The QR as text lines with a quiet zone of `quiet` modules: Unicode half blocks (one column by
 * two rows of modules per cell; `invert` draws the light modules, for light-on-dark terminals),
 * or ASCII ("##" per dark module, one line per row). Free with vax_lines_free. */
int vax_qr_lines(const vax_qr *q, int quiet, int ascii, int invert, char ***lines, int *n);
void vax_lines_free(char **lines, int n);
/* A certificate card (site, name, birth date, product, lot, dose n of N, date, QR, id) as a PDF
 * (A6) or a PNG file, drawn with cairo in DejaVu Sans. */
int vax_cert_card_pdf(vax_db *db, const vax_certificate *c, const char *path);
/* The Ministry's paper certificate (annex 4 of Decision 43/QĐ-BYT, assets/forms): the person (name,
 * birth date, ID number, phone, address), each dose in force in its slot (three primary, one
 * additional, three boosters), the unit with its box for signature and stamp, and c's QR. size
 * "a5" (the annex; NULL too) or "a4"; layout: the text of another layout file, or NULL for the
 * annex's. A revoked certificate is refused (VAX_ESTATE). PDF written 0600. */
int vax_cert_paper_pdf(vax_db *db, const vax_certificate *c, const char *size, const char *layout,
                       const char *path);
/* The same paper sent to the printer cert.printer through lp, on media of its size. */
int vax_cert_paper_print(vax_db *db, const vax_certificate *c, const char *size);
int vax_cert_card_png(vax_db *db, const vax_certificate *c, const char *path);
/* Prints the card on the printer of the setting cert.printer with lp (CUPS). */
int vax_cert_print(vax_db *db, const vax_certificate *c);
/* Reads the QR code in a PNG (or JPEG) picture with libzbar; the text is malloc'd. VAX_ENOTFOUND
 * if there is none. */
int vax_qr_read_png(vax_db *db, const char *path, char **text);

/* ---------------------------------------------------------------------------------------------
 * Reports and data exchange (report.c, exchange.c): the daily report of a site (text,
 * CSV, .xlsx), coverage, the import of pre-registration lists, and the exports for the national
 * systems (the national CSV template, FHIR R4). Every figure is computed in vax_report_make.
 * ------------------------------------------------------------------------------------------- */
/* Where text output goes: called with each piece in order; non-zero stops (and is returned). */
typedef int (*vax_sink)(const char *data, size_t n, void *ctx);

#define VAX_REPORT_MAX_PRODUCTS 16
#define VAX_REPORT_MAX_GROUPS 24
#define VAX_REPORT_MAX_REASONS 64
#define VAX_REPORT_MAX_SERIOUS 100
#define VAX_REPORT_MAX_LOTS 100
#define VAX_REPORT_MAX_TEMPS 400

typedef struct vax_report_reason {
    vax_outcome outcome; /* postponed, contraindicated or referred */
    char text[256];      /* the reason as screening recorded it (or the doctor's override) */
    int n;
} vax_report_reason;

typedef struct vax_report_product {
    char product[16];
    char name[128];
    int doses[VAX_MAX_SERIES + 1]; /* doses given, by dose number; [0] all of them */
    int vials_opened, doses_opened, doses_wasted;
    int wastage_permille; /* doses wasted per mille of the doses the vials opened held */
} vax_report_product;

typedef struct vax_report_group {
    char code[16]; /* "" for people with no priority group */
    char name[256];
    int doses;
    int by_number[VAX_MAX_SERIES + 1]; /* the doses by dose number ([0] unused) */
    int doses_cum;                     /* since the campaign's first dose */
} vax_report_group;

typedef struct vax_report_serious {
    int64_t seen_at;
    char full_name[256];
    char national_id[13];
    char product[16];
    int dose_number;
    char signs[256];
    char action[16];  /* reaction.action: observed, treated, anaphylaxis, transferred */
    char outcome[16]; /* reaction.outcome: "" (not released yet), recovered, transferred, other */
    char notes[256];
    int64_t reaction_id; /* the case's number for "vaxsite aefi" */
    int aefi_version;    /* its report's version; 0: not made yet */
} vax_report_serious;

typedef struct vax_report_lot {
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    char expiry[11];
    int doses_on_hand; /* at the end of the report's last day (the ledger) */
    int expires_soon;  /* expiry within 7 days of the report's last day */
} vax_report_lot;

/* Waits from entering a stage's waiting state to being called (visit_event), in seconds:
 * median and 90th percentile by nearest rank (the value at rank ceil(p/100 x n) in order). */
typedef struct vax_report_wait {
    int n;
    int median_s, p90_s, max_s;
} vax_report_wait;

enum { VAX_SEX_MALE, VAX_SEX_FEMALE, VAX_SEX_UNKNOWN, VAX_SEX_COUNT };

#define VAX_REPORT_MAX_SIGNS 32

/* The figures of the province's daily form over one period: the report's days (vax_report.day), or
 * the campaign so far (vax_report.cum: from the site's first dose in the database to the end of the
 * report's last day). Doses are this site's, voided ones left out. */
typedef struct vax_report_period {
    int doses;
    int by_number[VAX_MAX_SERIES + 1]; /* doses by dose number ([0] unused) */
    int completed;     /* people whose dose numbered its product's series_doses was given then */
    int fixed, mobile; /* doses given at a fixed point (a clinic) and by a mobile team: the kind of
                          the site that gave them (site.kind) */
    int received;      /* doses into stock: receipts and transfers in (the ledger) */
    int used, wasted;  /* doses drawn for an injection, doses wasted (the ledger) */
    int reactions_minor, reactions_serious;
    int booked;   /* appointments of those days, cancelled ones left out */
    int attended; /* of them, checked in */
    int no_shows; /* of them, not checked in: marked absent, or still booked on a day gone by */
    int expected; /* of them, still booked for today (not a no-show while the day lasts) */
    int walk_ins; /* check-ins without an appointment */
    /* people of the registry who got their first dose / completed their primary series (any site,
     * doses given elsewhere too), aged 18+ / 50+ on the report's last day */
    int dose1_18, complete_18, dose1_50, complete_50;
} vax_report_period;

/* The stock ledger of one lot, or of one product (lot_no ""), over the report's days: opening at
 * the start of the first day, closing at the end of the last; other is transfers out and counts
 * (opening + received - used - wasted + other = closing). *_cum: since the first receipt. */
typedef struct vax_report_ledger {
    char product[16];
    char lot_no[VAX_LOT_NO_MAX + 1];
    int opening, received, used, wasted, other, closing;
    int received_cum, used_cum, wasted_cum;
} vax_report_ledger;

typedef struct vax_report_sign {
    char code[24]; /* assets/aefi.conf */
    int day, cum;  /* minor reactions with this sign (a reaction counts once for each sign) */
} vax_report_sign;

typedef struct vax_report {
    char from[11], to[11]; /* local days, inclusive */
    char site_code[32], site_name[128];
    int64_t made_at;
    int checked_in; /* visits of those days, check-ins undone left out */
    int screened;   /* visits screened; the outcome is the visit's last screening's */
    int outcomes[VAX_OUTCOME_COUNT];
    vax_report_reason reasons[VAX_REPORT_MAX_REASONS];
    int nreasons;
    int doses; /* doses given at this site in those days (voided ones left out) */
    vax_report_product products[VAX_REPORT_MAX_PRODUCTS];
    int nproducts; /* products with a dose or a vial opened */
    vax_report_group groups[VAX_REPORT_MAX_GROUPS];
    int ngroups;
    /* by age on the day of the dose, by sex: vax_age_band's 0-2 (65+, 50-64, 18-49), 3 the other
     * minors (under 5, or no birth date read), 4 children of 12-17, 5 children of 5-11 */
    int by_band_sex[6][VAX_SEX_COUNT];
    int reactions_minor, reactions_serious;
    vax_report_serious serious[VAX_REPORT_MAX_SERIOUS];
    int nserious;
    vax_report_lot lots[VAX_REPORT_MAX_LOTS];
    int nlots;                    /* lots with doses on hand, soonest expiry first */
    vax_report_wait wait[2];      /* by vax_stage */
    int per_hour[24];             /* doses by local hour of the day */
    int dose2_due, dose2_overdue; /* people whose next dose is due / overdue on `to` */
    int urgent[VAX_URGENT_COUNT]; /* visits still marked urgent, by vax_urgent_reason */
    vax_temp_reading temps[VAX_REPORT_MAX_TEMPS]; /* the days' temperature log, oldest first */
    int ntemps, temp_breaches;
    /* the province's daily form: each figure for the days and cumulative */
    char campaign_from[11];     /* the day of the site's first dose ("" if none yet) */
    vax_report_period day, cum; /* day.doses == doses */
    int adults, over50;         /* coverage's denominators: people in the registry (merged records
                                   left out) aged 18+ / 50+ on the report's last day */
    vax_report_ledger stock[VAX_REPORT_MAX_PRODUCTS]; /* by product code */
    int nstock;
    vax_report_ledger lot_stock[VAX_REPORT_MAX_LOTS]; /* lots with stock or a movement, by expiry */
    int nlot_stock;
    vax_report_sign signs[VAX_REPORT_MAX_SIGNS]; /* signs of minor reactions, most frequent first */
    int nsigns;
} vax_report;

/* part of whole in tenths of a per cent (per mille), rounded half up: 1 of 6 is 167 (16.7 %);
 * 0 when whole is 0. Every percentage of the reports is this. */
int vax_permille(int64_t part, int64_t whole);

/* The report of local days from..to (to NULL or "": one day). Read-only. Free with
 * vax_report_free. */
int vax_report_make(vax_db *db, const char *from, const char *to, vax_report **out);
void vax_report_free(vax_report *r);
/* The report as text, as CSV (one section per table, RFC 4180) and as an .xlsx workbook at path
 * (one sheet per table, dates as dates and numbers as numbers). Every heading, column and coded
 * value (reaction signs, actions and outcomes, screening outcomes) is in the UI language
 * (vax_set_lang) in all three; percentages are vax_permille's. */
int vax_report_text(vax_db *db, const vax_report *r, vax_sink sink, void *ctx);
int vax_report_csv(vax_db *db, const vax_report *r, vax_sink sink, void *ctx);
int vax_report_xlsx(vax_db *db, const vax_report *r, const char *path);
/* The quick report ("báo cáo nhanh"): the short figures the upper level asks for each day (doses
 * of the days and cumulative by dose number, people who completed the series, reactions minor and
 * serious, bookings and no-shows, stock left by product), in the UI language: at most
 * VAX_QUICK_LINES lines of at most VAX_QUICK_COLS columns (an 80x24 screen), and the same lines on
 * one A4 page of a PDF at path (cairo). */
#define VAX_QUICK_LINES 21
#define VAX_QUICK_COLS 78
int vax_report_quick_text(vax_db *db, const vax_report *r, vax_sink sink, void *ctx);
int vax_report_quick_pdf(vax_db *db, const vax_report *r, const char *path);

/* The Ministry's report forms (forms.c), their tables and columns in the order of their layouts
 * (assets/forms, QĐ 43/QĐ-BYT): vax_form_daily, annex 5, the results of local day `day` by
 * vaccine and round (people planned, referred, not consenting, postponed, contraindicated,
 * vaccinated by dose, doses used and discarded, reactions); vax_form_round, annex 6, the report
 * at the end of a vaccination round (NULL: the setting campaign.round), by priority group, by
 * unit, its serious reactions and its vaccine. Labels in the UI language. Read-only. */
/* What became of a serious reaction, in the UI language: its outcome's words (recovered,
 * transferred, other) once the doctor released the person, else its action's (observed,
 * treated, anaphylaxis protocol, transferred), as the daily report writes them. */
const char *vax_reaction_words(const char *action, const char *outcome);
typedef struct vax_form vax_form;
int vax_form_daily(vax_db *db, const char *day, vax_form **out);
int vax_form_round(vax_db *db, const char *round, vax_form **out);
/* One sheet per table (its headings in row 7, figures from row 8) / A4 landscape pages; 0600. */
int vax_form_xlsx(vax_db *db, vax_form *f, const char *path);
int vax_form_pdf(vax_db *db, vax_form *f, const char *path);
void vax_form_free(vax_form *f);
/* A figure as the form writes it ("" when the row has none), by table ("daily"; "groups", "units",
 * "serious", "vaccine"), row (0-based; the last row of "daily" and "groups" is the total) and
 * figure name (the layouts' "figure" keys); NULL for no such table or row. */
const char *vax_form_cell(vax_form *f, const char *table, int row, const char *figure);
int vax_form_rows(vax_form *f, const char *table);

/* Coverage of the registry (or of one commune, matched without accents or case) on a local day:
 * people 18+ and 50+, with dose 1 and with a complete primary series (a dose numbered at least
 * its product's series_doses). Read-only. */
typedef struct vax_coverage {
    char commune[128]; /* "" = the whole registry */
    char day[11];
    int adults, adults_dose1, adults_complete;
    int over50, over50_dose1, over50_complete;
} vax_coverage;
int vax_coverage_get(vax_db *db, const char *commune, const char *day, vax_coverage *out);

/* Import of a pre-registration list (exchange.c): CSV in UTF-8 (with or without BOM), comma or
 * semicolon, CRLF or LF, quoted fields; columns named in Vietnamese or English
 * (assets/import_headers.conf); dates dd/mm/yyyy or yyyy-mm-dd. */
typedef struct vax_import_opts {
    int dry_run;    /* check every row and report; write nothing */
    int valid_only; /* import the valid rows and skip the others; 0: any bad row, nothing */
    int merge;      /* an ID already registered: update it with the list's non-empty fields
                       (history kept); 0: report it and leave it */
} vax_import_opts;

typedef struct vax_import_issue {
    int line;  /* line of the file where the row starts (the header is line 1) */
    int error; /* 1: the row is refused; 0: a notice (duplicate counted once, left as it was) */
    char field[32];
    char national_id[13];
    char message[300];
} vax_import_issue;

typedef struct vax_import_result {
    int rows;                               /* data rows read */
    int valid;                              /* rows without error */
    int errors;                             /* rows refused */
    int added, merged, unchanged, existing; /* existing: registered already, left (no merge) */
    int duplicates;                         /* rows repeating an ID of an earlier row */
    int written;                            /* 1 when the rows were committed */
    char dialect[96];                       /* "UTF-8 with BOM; ';'; CRLF" */
    char ignored[256];                      /* columns not recognised */
    vax_import_issue *issues;               /* by line */
    int nissues;
} vax_import_result;

/* VAX_OK when the import (or dry run) ran: see out. With a refused row and valid_only 0, nothing
 * is written and VAX_EINVAL says how many rows are refused and the first one. A file that cannot
 * be read as a list (no header, no ID or name column) is VAX_EINVAL with field "file". Needs
 * VAX_ACT_PERSON_WRITE. Free out with vax_import_result_free (also after a failure). */
int vax_import_csv(vax_db *db, const char *name, const char *text, size_t len,
                   const vax_import_opts *opts, vax_import_result *out);
/* The same, for a list in `encoding` (UTF-8, WINDOWS-1258/CP1258, TCVN3/TCVN5712-1 or another
 * iconv name; NULL: UTF-8, or when the text is not UTF-8, Windows-1258 or TCVN3 as guessed from
 * its words, with a note on line 1). Text that went through a wrong encoding and was saved again
 * ("Nguyá»…n") is refused naming its line. */
int vax_import_csv_as(vax_db *db, const char *name, const char *text, size_t len,
                      const char *encoding, const vax_import_opts *opts, vax_import_result *out);
void vax_import_result_free(vax_import_result *r);

/* Exports of the doses given at this site that changed at or after `since` (0: all); voided ones
 * are left out of the CSV and are "entered-in-error" in FHIR. Need VAX_ACT_SETTINGS.
 * National template: CSV, one row per dose (name, birth date, sex, ID, insurance number, phone,
 * address, priority group, product, lot, dose number, date, site), Vietnamese headers. */
int vax_export_national(vax_db *db, int64_t since, vax_sink sink, void *ctx, int *rows);
/* FHIR R4 JSON: a Bundle (type collection) of Patient and Immunization resources. */
int vax_export_fhir(vax_db *db, int64_t since, vax_sink sink, void *ctx, int *doses);

/* ---------------------------------------------------------------------------------------------
 * Sync (sync.c): the outbox of events that leave a laptop (uuid, site code, device id,
 * device sequence; never a rowid), bundle files, and push/pull to the district's PostgreSQL.
 * The merge rules are written at the top of sync.c. Needs VAX_ACT_SETTINGS.
 * ------------------------------------------------------------------------------------------- */
typedef struct vax_sync_stats {
    int64_t sent;        /* events sent (push) or written (bundle export) */
    int64_t received;    /* events new to the receiver */
    int64_t duplicates;  /* events it had already: no-ops */
    int64_t quarantined; /* the same uuid with other content: kept apart */
    int64_t conflicts;   /* conflicts listed for a manager */
    int64_t batches;     /* push: transactions committed */
    int64_t people;      /* people added or changed here (import, pull) */
    int64_t doses;       /* doses added here (import, pull) */
    int64_t reactions;   /* reactions recorded at another site, stored here (import, pull) */
    int64_t unapplied;   /* kept and forwarded but not merged here (no such person here) */
} vax_sync_stats;

typedef struct vax_sync_conflict {
    int64_t id;
    char kind[24]; /* duplicate_person, same_dose_number, concurrent_edit, edit_id_taken, ... */
    char person_uuid[64];
    char a_uuid[128], b_uuid[128]; /* the two records or events (b may be "") */
    char details[512];
    int64_t created_at;
    /* the person it is about, as the list shows them ("" when not held) */
    char national_id[16];
    char full_name[128];
} vax_sync_conflict;

typedef struct vax_dose_count {
    char product[16];
    int dose_number;
    int n;
} vax_dose_count;

/* This database's device id (made once, random). */
int vax_sync_device_id(vax_db *db, char out[37]);
/* Events not yet sent on a channel: "push" or "bundle". */
int vax_sync_pending(vax_db *db, const char *channel, int64_t *n);
/* Writes the events since the last bundle into a new SQLite file (refused if path exists); the
 * mark moves only once the file is whole. The file names its producer (site, device), its range
 * of sequence numbers and a SHA-256 digest of its content, signed with the site's key (keys.c)
 * or, when the site has none, with a device key made once beside it (0600). */
int vax_bundle_export(vax_db *db, const char *path, vax_sync_stats *stats);
/* The same, of the events with a sequence number above since (0: all of them), to write again
 * what was lost; the mark never moves back. */
int vax_bundle_export_since(vax_db *db, const char *path, int64_t since, vax_sync_stats *stats);
/* Merges a bundle in one transaction with the push rules; its events are kept to be forwarded.
 * Refused whole, nothing written, with one line that says why: a cut or altered file (its digest),
 * no or a wrong signature, a signer this database does not trust (the message names its
 * fingerprint), an empty or malformed event. */
int vax_bundle_import(vax_db *db, const char *path, vax_sync_stats *stats);
/* The fingerprint (SHA-256 of the certificate, 64 hex digits) of the key this database signs its
 * bundles with; the key is made if there is none yet (as vax_bundle_export does). */
int vax_bundle_fingerprint(vax_db *db, char out[65]);
/* Trusts the bundles signed by the key with this fingerprint (VAX_ACT_SETTINGS, a manager;
 * audited "sync.trust"). Colons, spaces and case are ignored. */
int vax_sync_trust(vax_db *db, const char *fingerprint);
/* Conflicts listed here for a manager, oldest first: up to max from the offset-th, and how many
 * there are in all (*total), so that a list is paged and never cut without a word. */
int vax_sync_conflicts(vax_db *db, int offset, vax_sync_conflict *out, int max, int *n, int *total);
/* Doses of a local day by product and dose number (voided left out), from this database. */
int vax_sync_site_dose_counts(vax_db *db, const char *day, vax_dose_count *out, int max, int *n);

/* The server's address with its password shown as *** (URI user info, ?password= or the keyword
 * form's password=), as it may be written to the audit table, a log or an error message. A
 * password need not be in the address: libpq reads PGPASSWORD, or PGPASSFILE (default
 * ~/.pgpass, 0600) when the address has none. */
void vax_sync_url_redact(const char *url, char *out, size_t size);
/* PostgreSQL (libpq): 0 when this build has none (then the calls below fail with a sentence). */
int vax_sync_available(void);
/* Creates or migrates the server's schema. url: a libpq connection string or postgresql:// URI. */
int vax_sync_init_server(vax_db *db, const char *url);
/* Sends the events since the last acknowledged push in batches (0: 5000), each one server
 * transaction; a batch is marked sent here only after the server's commit. */
int vax_sync_push(vax_db *db, const char *url, int batch, vax_sync_stats *stats);
/* Brings the registry of the team's communes (';'-separated; NULL: setting sync.communes, which
 * a given list replaces) and their doses given elsewhere. */
int vax_sync_pull(vax_db *db, const char *url, const char *communes, vax_sync_stats *stats);
/* The server's doses of a local day by product and dose number, for one site (code) or, with
 * site NULL, the whole district. */
int vax_sync_server_dose_counts(vax_db *db, const char *url, const char *day, const char *site,
                                vax_dose_count *out, int max, int *n);
/* The server's conflicts not yet resolved, oldest first (the manager's list for the district),
 * paged as vax_sync_conflicts. */
int vax_sync_server_conflicts(vax_db *db, const char *url, int offset, vax_sync_conflict *out,
                              int max, int *n, int *total);

/* ---------------------------------------------------------------------------------------------
 * A manager's work on conflicts (conflict.c). A conflict's two sides, and its resolution: an
 * event in the outbox ("conflict_resolved") whose uuid is made of the conflict's kind and its two
 * uuids, which are the same on every laptop and on the server (conflict ids are not); the server's
 * list and every laptop that receives it (pull, bundle) leave the conflict out from then on.
 * ------------------------------------------------------------------------------------------- */
typedef struct vax_conflict_side {
    char what[16];        /* "person", "dose", "edit", "record" or "" (nothing held here) */
    char uuid[128];       /* the record or event */
    char national_id[16]; /* the person's, as held here */
    char full_name[128];
    char value[512]; /* born ...; dose N product lot day; the fields an edit set */
    char site[32];   /* where it came from: the site's code ... */
    char device[40]; /* ... the device id */
    char desk[32];   /* the station a dose was given at ("" when none) */
    int64_t at;      /* when it was registered, given or edited */
} vax_conflict_side;

/* The two sides of a conflict listed here (side[1].what is "" when it has one). */
int vax_conflict_sides(vax_db *db, const vax_sync_conflict *c, vax_conflict_side side[2]);
/* One conflict listed here by its id (VAX_ENOTFOUND when none). */
int vax_conflict_get(vax_db *db, int64_t id, vax_sync_conflict *out);

typedef enum vax_resolution {
    VAX_RESOLVE_KEEP_A = 1, /* side a stands: b's dose voided, b's record merged into a, or the
                               record kept as it is */
    VAX_RESOLVE_KEEP_B,     /* side b stands */
    VAX_RESOLVE_BOTH,       /* two people (same_id_differs; arg: b's real ID, may be NULL), or
                               both doses really given (same_dose_number) */
    VAX_RESOLVE_MERGE,      /* one person: b merged into a (identity.c's merge, which syncs) */
    VAX_RESOLVE_VOID,       /* a dose given twice: arg names the one to void (dose.c's void) */
} vax_resolution;

/* Resolves a conflict listed here (VAX_ACT_OVERRIDE: a manager; a reason), makes the action, and
 * writes the resolution event with the action, the reason, the login and the time; audited
 * "sync.conflict_resolve". Refused with a field named: "action" (not one this kind allows),
 * "reason", "conflict" (resolved already, or not found), "id", "dose". */
int vax_conflict_resolve(vax_db *db, int64_t id, vax_resolution action, const char *arg,
                         const char *reason);
/* The same for conflict `id` of the server's list (vax_sync_server_conflicts), made here: the
 * records it names must be held here (a pull brings them); a concurrent edit's values are the
 * server's. The resolution event leaves with the next push. */
int vax_conflict_resolve_server(vax_db *db, const char *url, int64_t id, vax_resolution action,
                                const char *arg, const char *reason);
/* The two sides of n conflicts of the server's list, from the events the server holds (what is
 * "" where it holds none). */
int vax_sync_server_conflict_sides(vax_db *db, const char *url, const vax_sync_conflict *c, int n,
                                   vax_conflict_side (*sides)[2]);
/* One conflict of the server's list, not resolved; a concurrent edit's two values (JSON, freed by
 * the caller; NULL for other kinds). VAX_ENOTFOUND, or VAX_ESTATE when it is resolved. */
int vax_sync_server_conflict(vax_db *db, const char *url, int64_t id, vax_sync_conflict *out,
                             char **a_value, char **b_value);
/* Marks resolved the conflicts here whose resolution event this database holds (a bundle, a
 * pull); inside the caller's transaction. */
int vax_conflict_settle(vax_db *db);
/* A demo site only (VAX_ACT_SETTINGS; audited): a dose of the demo given again by another team
 * (TEAM-B), a person registered again there, and that registration come again with other content,
 * so that a manager can practise on the conflict screen. */
int vax_conflict_demo(vax_db *db);
/* The uuid of the resolution event of a conflict (kind, a, b in either order). */
void vax_conflict_resolution_uuid(const char *kind, const char *a, const char *b, char *out,
                                  size_t size);

typedef struct vax_sync_quarantined {
    int64_t id;
    char uuid[80];
    char kind[24];
    char site[32];
    char device[40];
    int64_t at;        /* when it was kept apart */
    char differs[256]; /* the fields whose values differ from the stored event's */
} vax_sync_quarantined;

/* The events kept apart here (the same uuid, another content), oldest first, paged as the
 * conflicts are; _server: the district's. */
int vax_sync_quarantine(vax_db *db, int offset, vax_sync_quarantined *out, int max, int *n,
                        int *total);
int vax_sync_server_quarantine(vax_db *db, const char *url, int offset, vax_sync_quarantined *out,
                               int max, int *n, int *total);

/* ---------------------------------------------------------------------------------------------
 * A site's day simulated through the real core (sim.c): a scratch copy of the site's database,
 * the test clock moved event by event, people who check in, are called, screened, vaccinated from
 * real vials and released by the same functions the stations call. Figures, never advice by
 * itself; the planning assistant runs it over candidate plans.
 * ------------------------------------------------------------------------------------------- */
typedef enum vax_sim_policy {
    VAX_SIM_PLAIN, /* a room opens a vial whenever it has none and someone is called */
    VAX_SIM_VIAL   /* late in the session: no new vial while another room holds doses, and the
                      standby list is phoned to finish the open vials */
} vax_sim_policy;

enum { VAX_SIM_CHECKIN, VAX_SIM_SCREENING, VAX_SIM_INJECTION, VAX_SIM_STAGES };

typedef struct vax_sim_params {
    char day[11];  /* YYYY-MM-DD */
    uint64_t seed; /* the same seed and database give the same day */
    /* a day the site has not planned is planned on the scratch copy with these */
    char opens[6], closes[6];
    int slot_minutes, capacity;
    int people;       /* made-up people booked on the scratch copy (0: the day's own bookings) */
    char product[16]; /* "" = the first product the day offers, else AZ */
    int checkin_desks, screening_desks, injection_rooms;
    /* rates in per cent */
    int no_show_pct, walkin_pct, defer_pct, early_pct, late_pct;
    /* service times: mean minutes (tenths) and the spread (coefficient of variation, per cent) */
    int checkin_tenths, screening_tenths, injection_tenths, service_cv_pct;
    int patience_min; /* mean wait after check-in before someone gives up and goes home */
    vax_sim_policy policy;
    int late_min;           /* the end of the session: minutes before closing */
    int standby_people;     /* the standby list: due people nearby who agreed to be phoned */
    int standby_accept_pct; /* of those phoned, who say yes and come */
    int grace_min;          /* injections go on this long after closing for those inside */
    int crowd_limit;        /* people waiting at once the site accepts (for plan advice) */
    int keep_scratch;       /* leave the scratch copy (its path is in the result) */
    int punctual; /* 1: the booked come at their slot's start, not early, late or at a random
                     minute in it (a day worked out by hand) */
} vax_sim_params;

void vax_sim_defaults(vax_sim_params *p);

typedef struct vax_sim_desk {
    char name[32]; /* "screening-2" */
    int served;
    int busy_s, idle_s; /* over the site's working span (first opening to the last person out) */
} vax_sim_desk;

#define VAX_SIM_MAX_DESKS 48

typedef struct vax_sim_result {
    char scratch[4200]; /* the scratch copy's path (removed unless keep_scratch) */
    char product[16];
    int booked, no_show, walk_ins, standby_called, standby_came;
    int arrived, vaccinated, deferred, left, failed; /* failed: a refusal of the core */
    vax_report_wait wait[VAX_SIM_STAGES];            /* VAX_SIM_CHECKIN .. INJECTION */
    vax_report_wait wait_whole; /* of each person called to injection: all three waits summed */
    int crowd_max;              /* most people in the waiting area at once */
    int64_t crowd_max_at;       /* when */
    int64_t start;              /* the first minute of the series (the site opens) */
    int minutes;                /* length of the series */
    int *crowd, *observing;     /* per minute: most waiting at once; most under observation */
    int vials_opened, doses_opened, doses_drawn, doses_wasted, stock_added;
    int db_doses;     /* dose rows of the day in the scratch copy */
    int db_wasted;    /* what the vial rows say was discarded unused */
    int64_t last_out; /* the last person's release */
    vax_sim_desk desks[VAX_SIM_MAX_DESKS];
    int ndesks;
    /* PRAGMA synchronous as read back on the scratch copy and on the site's file ("NORMAL") */
    char sync_scratch[8], sync_site[8];
} vax_sim_result;

/* Runs the day of p on a scratch copy of site's file (site is only read). On failure the reason is
 * vax_errmsg(site). The test clock is left frozen at the end of the simulated day: the caller
 * restores it. Free *out with vax_sim_result_free. */
int vax_sim_run(vax_db *site, const vax_sim_params *p, vax_sim_result **out);
void vax_sim_result_free(vax_sim_result *r);
/* The crowd and observation series as a PNG (cairo), with the limit drawn when above 0. */
int vax_sim_png(vax_db *site, const vax_sim_result *r, int crowd_limit, const char *path);

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
