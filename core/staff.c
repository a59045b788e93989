/* staff.c: staff members, roles and what each may do, PIN hashes, sign-in, and the audit trail. */
#include "internal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_codes[] = {
#define VAX_ROLE_CODE(name, code, words) code,
    VAX_ROLE_LIST(VAX_ROLE_CODE)
#undef VAX_ROLE_CODE
};
static const char *const role_words[] = {
#define VAX_ROLE_WORDS(name, code, words) N_(words),
    VAX_ROLE_LIST(VAX_ROLE_WORDS)
#undef VAX_ROLE_WORDS
};

const char *vax_role_code(vax_role r)
{
    return (unsigned)r < VAX_ROLE_COUNT ? role_codes[r] : "?";
}

const char *vax_role_label(vax_role r)
{
    return (unsigned)r < VAX_ROLE_COUNT ? _(role_words[r]) : "?";
}

int vax_role_parse(const char *code, vax_role *out)
{
    for (int i = 0; i < VAX_ROLE_COUNT; i++) {
        if (code && strcmp(code, role_codes[i]) == 0) {
            *out = (vax_role)i;
            return VAX_OK;
        }
    }
    return VAX_EINVAL;
}

/* Who may do what. Columns: volunteer, nurse, doctor, manager, system (the OS user at the
 * command line, whose guard is the file's 0600 mode). Screening outcomes are a doctor's call. */
static const unsigned char may[VAX_ACT_COUNT][VAX_ROLE_COUNT] = {
    [VAX_ACT_PERSON_WRITE] = {1, 1, 1, 1, 1}, [VAX_ACT_CHECKIN] = {1, 1, 1, 1, 1},
    [VAX_ACT_CALL_SCREEN] = {0, 0, 1, 1, 1},  [VAX_ACT_CALL_INJECT] = {0, 1, 1, 1, 1},
    [VAX_ACT_OBSERVE] = {0, 1, 1, 1, 1},      [VAX_ACT_STAFF_ADMIN] = {0, 0, 0, 1, 1},
    [VAX_ACT_SETTINGS] = {0, 0, 0, 1, 1},     [VAX_ACT_OVERRIDE] = {0, 0, 0, 1, 1},
};

static const char *const action_words[VAX_ACT_COUNT] = {
    [VAX_ACT_PERSON_WRITE] = N_("register or edit people"),
    [VAX_ACT_CHECKIN] = N_("check people in"),
    [VAX_ACT_CALL_SCREEN] = N_("screen people"),
    [VAX_ACT_CALL_INJECT] = N_("give injections"),
    [VAX_ACT_OBSERVE] = N_("release people from observation"),
    [VAX_ACT_STAFF_ADMIN] = N_("manage staff"),
    [VAX_ACT_SETTINGS] = N_("change settings"),
    [VAX_ACT_OVERRIDE] = N_("override a rule"),
};

int vax_role_may(vax_role r, vax_action a)
{
    if ((unsigned)r >= VAX_ROLE_COUNT || (unsigned)a >= VAX_ACT_COUNT)
        return 0;
    return may[a][r];
}

int vax_require(vax_db *db, vax_action act)
{
    if (!db->has_actor)
        return vax_fail(db, VAX_EPERM, NULL, _("Nobody is signed in: sign in to %s."),
                        _(action_words[act]));
    if (db->readonly)
        return vax_fail(db, VAX_EIO, NULL, _("This display opened the database read-only."));
    if (!vax_role_may(db->actor.role, act))
        return vax_fail(db, VAX_EPERM, NULL, _("Your role (%s) may not %s."),
                        vax_role_label(db->actor.role), _(action_words[act]));
    return VAX_OK;
}

int64_t vax_actor_id(const vax_db *db)
{
    return db->has_actor ? db->actor.id : 0;
}

void vax_bind_actor(vax_db *db, sqlite3_stmt *st, int index)
{
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, index, vax_actor_id(db));
    else
        sqlite3_bind_null(st, index);
}

int vax_staff_sign_out(vax_db *db)
{
    return vax_staff_sign_out_because(db, NULL);
}

int vax_staff_sign_out_because(vax_db *db, const char *why)
{
    if (!db || !db->has_actor)
        return VAX_OK;
    /* the audit row is the member's last act; the session ends even if it cannot be written */
    int rc = vax_audit(db, "sign-out", "staff", db->actor.id, why);
    db->has_actor = 0;
    memset(&db->actor, 0, sizeof db->actor);
    return rc;
}

const vax_staff *vax_actor(const vax_db *db)
{
    return db && db->has_actor ? &db->actor : NULL;
}

int vax_audit(vax_db *db, const char *action, const char *entity, int64_t entity_id,
              const char *details)
{
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO audit(at, staff_id, action, entity, entity_id,"
                                    " details) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, vax_now());
    if (db->has_actor)
        sqlite3_bind_int64(st, 2, db->actor.id);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, entity, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, entity_id);
    sqlite3_bind_text(st, 6, details ? details : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("writing the audit trail"));
}

int vax_auditf(vax_db *db, const char *action, const char *entity, int64_t entity_id,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *details = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (!details)
        return vax_fail(db, VAX_ENOMEM, NULL, _("Out of memory while %s."),
                        _("writing the audit trail"));
    int rc = vax_audit(db, action, entity, entity_id, details);
    sqlite3_free(details);
    return rc;
}

/* ---- PIN hashes -------------------------------------------------------------------------- */

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n] = 0;
}

static int from_hex(const char *s, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else
                return -1;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

static int pbkdf2(const char *pin, const unsigned char salt[16], int iterations,
                  unsigned char key[32])
{
    return PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, 16, iterations, EVP_sha256(), 32, key) ==
                   1
               ? VAX_OK
               : VAX_EINTERNAL;
}

int vax_pin_hash(const char *pin, int iterations, char out[VAX_PIN_HASH_MAX])
{
    unsigned char salt[16], key[32];
    char salt_hex[33], key_hex[65];
    if (iterations < 1)
        return VAX_EINVAL;
    if (RAND_bytes(salt, sizeof salt) != 1 || pbkdf2(pin, salt, iterations, key) != VAX_OK)
        return VAX_EINTERNAL;
    to_hex(salt, 16, salt_hex);
    to_hex(key, 32, key_hex);
    snprintf(out, VAX_PIN_HASH_MAX, "pbkdf2-sha256$%d$%s$%s", iterations, salt_hex, key_hex);
    OPENSSL_cleanse(key, sizeof key);
    return VAX_OK;
}

int vax_pin_verify(const char *pin, const char *stored)
{
    unsigned char salt[16], want[32], got[32];
    int iterations = 0, n = 0;
    char salt_hex[33], key_hex[65];
    if (!stored ||
        sscanf(stored, "pbkdf2-sha256$%d$%32[0-9a-f]$%64[0-9a-f]%n", &iterations, salt_hex, key_hex,
               &n) != 3 ||
        stored[n] != 0 || iterations < 1 || strlen(salt_hex) != 32 || strlen(key_hex) != 64)
        return VAX_EINVAL;
    if (from_hex(salt_hex, 16, salt) || from_hex(key_hex, 32, want))
        return VAX_EINVAL;
    if (pbkdf2(pin, salt, iterations, got) != VAX_OK)
        return VAX_EINTERNAL;
    int same = CRYPTO_memcmp(want, got, 32) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return same;
}

/* ASCII letters, digits, '.', '_' and '-': typed at every station, whatever its keyboard. */
static int valid_login(const char *login)
{
    size_t n = login ? strlen(login) : 0;
    if (n < 1 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = login[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int valid_pin(const char *pin)
{
    size_t n = pin ? strlen(pin) : 0;
    if (n < 4 || n > 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return 0;
    return 1;
}

/* ---- staff rows -------------------------------------------------------------------------- */

static void row_to_staff(sqlite3_stmt *st, vax_staff *s)
{
    memset(s, 0, sizeof *s);
    s->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(s->login, vax_col_text(st, 1), sizeof s->login);
    vax_strlcpy(s->name, vax_col_text(st, 2), sizeof s->name);
    vax_role_parse(vax_col_text(st, 3), &s->role);
    s->active = sqlite3_column_int(st, 4);
    s->pin_reset = sqlite3_column_int(st, 5);
}

#define STAFF_COLS "id, login, name, role, active, pin_reset"

static int count_managers(vax_db *db, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT count(*) FROM staff WHERE role = 'manager' AND active = 1");
    if (!st)
        return VAX_EINTERNAL;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading staff"));
}

static int insert_staff(vax_db *db, const char *login, const char *name, vax_role role,
                        const char *pin_hash, int64_t *out_id)
{
    char uuid[37];
    int64_t now = vax_now();
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO staff(uuid, login, name, role, pin_hash,"
                                    " created_at, updated_at, updated_by)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)");
    int rc;
    if (!st || vax_uuid(uuid) != VAX_OK)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, vax_role_code(role), -1, SQLITE_STATIC);
    if (pin_hash)
        sqlite3_bind_text(st, 5, pin_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, now);
    if (db->has_actor)
        sqlite3_bind_int64(st, 7, db->actor.id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("adding a staff member"));
    *out_id = sqlite3_last_insert_rowid(db->sql);
    return VAX_OK;
}

int vax_staff_add(vax_db *db, const char *login, const char *name, vax_role role, const char *pin,
                  int64_t *out_id)
{
    char hash[VAX_PIN_HASH_MAX];
    char *clean_name = NULL;
    int64_t iterations, id = 0;
    int rc, managers;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_STAFF_ADMIN)) != VAX_OK)
        return rc;
    if (!valid_login(login))
        return vax_fail(
            db, VAX_EINVAL, "login",
            _("Login: use 1 to 63 letters (a-z, without marks), digits, '.', '_' or '-'."));
    if (!name || !*name)
        return vax_fail(db, VAX_EINVAL, "name", _("Name: the staff member's name is missing."));
    if (role == VAX_ROLE_SYSTEM || (unsigned)role >= VAX_ROLE_COUNT)
        return vax_fail(db, VAX_EINVAL, "role",
                        _("Role: choose volunteer, nurse, doctor or manager."));
    if (!valid_pin(pin))
        return vax_fail(db, VAX_EINVAL, "pin", _("PIN: use 4 to 12 digits."));
    if ((rc = count_managers(db, &managers)) != VAX_OK)
        return rc;
    if (managers == 0 && role != VAX_ROLE_MANAGER)
        return vax_fail(db, VAX_EINVAL, "role",
                        _("Role: the first staff member must be a manager."));
    iterations = vax_setting_int(db, "staff.pin_iterations");
    if ((rc = vax_pin_hash(pin, (int)iterations, hash)) != VAX_OK)
        return vax_fail(db, rc, "pin", _("PIN: could not be hashed."));
    if (!(clean_name = vax_text_nfc(name)))
        return VAX_ENOMEM;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    sqlite3_stmt *st = vax_stmt(db, "SELECT name FROM staff WHERE login = ?1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        rc = vax_fail(db, VAX_EEXIST, "login", _("Login: %s is already used by %s."), login,
                      vax_col_text(st, 0));
        sqlite3_reset(st);
        goto fail;
    }
    sqlite3_reset(st);
    if ((rc = insert_staff(db, login, clean_name, role, hash, &id)) != VAX_OK)
        goto fail;
    if ((rc = vax_audit(db, "staff.add", "staff", id, login)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        goto out;
    if (out_id)
        *out_id = id;
    goto out;
fail:
    vax_tx_rollback(db);
out:
    free(clean_name);
    OPENSSL_cleanse(hash, sizeof hash);
    return rc;
}

/* The rows of a staff query, at most max of them. */
static int read_staff(vax_db *db, sqlite3_stmt *st, vax_staff *out, int max, int *n)
{
    int rc;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        row_to_staff(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading staff"));
}

int vax_staff_list(vax_db *db, vax_staff *out, int max, int *n)
{
    return read_staff(db,
                      vax_stmt(db, "SELECT " STAFF_COLS " FROM staff"
                                   " WHERE role <> 'system' AND active = 1 ORDER BY name"),
                      out, max, n);
}

int vax_staff_get(vax_db *db, int64_t id, vax_staff *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " STAFF_COLS " FROM staff WHERE id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_staff(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    return rc == SQLITE_DONE ? vax_fail(db, VAX_ENOTFOUND, NULL, _("No such staff member."))
                             : vax_fail_sql(db, rc, _("reading staff"));
}

static int record_sign_in(vax_db *db, int64_t id, int ok, int failed, int64_t locked_until,
                          const char *details)
{
    int rc;
    sqlite3_stmt *st =
        vax_stmt(db, "UPDATE staff SET failed_pins = ?2, locked_until = ?3 WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, failed);
    sqlite3_bind_int64(st, 3, locked_until);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("signing in"));
    st = vax_stmt(db, "INSERT INTO audit(at, staff_id, action, entity, entity_id, details)"
                      " VALUES (?1, ?2, ?3, 'staff', ?2, ?4)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, vax_now());
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, ok ? "sign-in" : "sign-in.failed", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, details ? details : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("signing in"));
}

/* What a sign-in needs of a login: its row, PIN hash, wrong PINs in a row and lock. */
typedef struct sign_in_row {
    vax_staff s;
    char hash[VAX_PIN_HASH_MAX];
    int failed;
    int64_t locked_until;
} sign_in_row;

static int read_sign_in(vax_db *db, const char *login, sign_in_row *r)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " STAFF_COLS ", pin_hash, failed_pins, locked_until FROM staff"
                     " WHERE login = ?1 AND role <> 'system'");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, login ? login : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("signing in"));
        return vax_fail(db, VAX_EAUTH, "login", _("Unknown login or wrong PIN."));
    }
    row_to_staff(st, &r->s);
    vax_strlcpy(r->hash, vax_col_text(st, 6), sizeof r->hash);
    r->failed = sqlite3_column_int(st, 7);
    r->locked_until = sqlite3_column_int64(st, 8);
    sqlite3_reset(st);
    return VAX_OK;
}

/* The refusals that come before any PIN is checked: disabled, locked, PIN reset. */
static int sign_in_refused(vax_db *db, const char *login, const sign_in_row *r, int64_t now)
{
    if (!r->s.active)
        return vax_fail(db, VAX_EAUTH, "login", _("Unknown login or wrong PIN."));
    if (r->locked_until > now)
        return vax_fail(db, VAX_ELOCKED, "pin",
                        _("Too many wrong PINs: %s is locked; try again in %lld min."), login,
                        (long long)((r->locked_until - now + 59) / 60));
    /* the reset forgot the old PIN: whatever is typed, the member chooses a new one now */
    if (r->s.pin_reset)
        return vax_fail(db, VAX_EPINRESET, "pin",
                        _("The PIN of %s was reset by a manager: choose a new PIN."), login);
    return VAX_OK;
}

/* Minutes of the lock that the `nth` lock since the last right PIN brings: the first lasts
 * staff.lock_minutes, each further one staff.lock_growth times the one before (one who keeps
 * guessing waits ever longer, a member who mistypes twice a day does not), up to
 * staff.lock_max_minutes. */
static int64_t lock_length(vax_db *db, int64_t nth)
{
    int64_t minutes = vax_setting_int(db, "staff.lock_minutes");
    int64_t growth = vax_setting_int(db, "staff.lock_growth");
    int64_t most = vax_setting_int(db, "staff.lock_max_minutes");
    for (int64_t i = 1; i < nth && minutes < most; i++)
        minutes *= growth;
    return minutes < most ? minutes : most;
}

int vax_staff_sign_in(vax_db *db, const char *login, const char *pin, vax_staff *out)
{
    sign_in_row r, now_r;
    int rc, match;
    int64_t lock_min = 0, now = vax_now();
    vax_clear_error(db);
    if ((rc = read_sign_in(db, login, &r)) != VAX_OK)
        return rc;
    if ((rc = sign_in_refused(db, login, &r, now)) != VAX_OK)
        return rc;
    /* the slow hash is checked before the write lock is taken, so that other stations' saves do
     * not wait for it; the answer counts only against the row as it is inside the transaction */
    match = vax_pin_verify(pin ? pin : "", r.hash);
    int64_t max_failed = vax_setting_int(db, "staff.max_failed_pins");
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = read_sign_in(db, login, &now_r)) != VAX_OK)
        goto fail;
    now = vax_now();
    /* another station's wrong PIN may have locked the login while this one was checked: this
     * answer is then not given, so no more PINs are tried than the limit */
    if ((rc = sign_in_refused(db, login, &now_r, now)) != VAX_OK)
        goto fail;
    if (strcmp(now_r.hash, r.hash) != 0) /* a new PIN was set meanwhile */
        match = vax_pin_verify(pin ? pin : "", now_r.hash);
    if (match == 1) {
        rc = record_sign_in(db, now_r.s.id, 1, 0, 0, NULL);
    } else {
        /* the count goes on across locks until a right PIN, so it also says which lock this is */
        int failed = now_r.failed + 1;
        char details[64] = "";
        int64_t until = 0;
        if (failed % max_failed == 0) {
            lock_min = lock_length(db, failed / max_failed);
            until = now + lock_min * 60;
            snprintf(details, sizeof details, "locked %lld min", (long long)lock_min);
        }
        rc = record_sign_in(db, now_r.s.id, 0, failed, until, details);
    }
    if (rc != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        goto out;
    if (match != 1) {
        rc = lock_min ? vax_fail(db, VAX_ELOCKED, "pin",
                                 _("Too many wrong PINs: %s is locked for %d minutes."), login,
                                 (int)lock_min)
                      : vax_fail(db, VAX_EAUTH, "pin", _("Unknown login or wrong PIN."));
        goto out;
    }
    db->actor = now_r.s;
    db->has_actor = 1;
    if (out)
        *out = now_r.s;
    goto out;
fail:
    vax_tx_rollback(db);
out:
    OPENSSL_cleanse(r.hash, sizeof r.hash);
    OPENSSL_cleanse(now_r.hash, sizeof now_r.hash);
    return rc;
}

int vax_staff_act_as_os_user(vax_db *db, const char *os_user)
{
    char login[64];
    sqlite3_stmt *st;
    int rc;
    snprintf(login, sizeof login, "os:%s", os_user && *os_user ? os_user : "unknown");
    for (int attempt = 0; attempt < 2; attempt++) {
        /* no pin_reset (schema 15): tests write files of older versions as this user */
        st = vax_stmt(db, "SELECT id, login, name, role, active, 0 FROM staff WHERE login = ?1");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            row_to_staff(st, &db->actor);
            db->has_actor = 1;
            sqlite3_reset(st);
            return VAX_OK;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("reading staff"));
        if (db->readonly)
            return vax_fail(db, VAX_EIO, NULL, _("This display opened the database read-only."));
        /* First command-line write by this OS user: give them a staff row to sign changes. */
        int64_t id;
        if ((rc = vax_tx_begin(db)) != VAX_OK)
            return rc;
        st = vax_stmt(db, "SELECT 1 FROM staff WHERE login = ?1");
        if (!st) {
            vax_tx_rollback(db);
            return VAX_EINTERNAL;
        }
        sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            if ((rc = insert_staff(db, login, login + 3, VAX_ROLE_SYSTEM, NULL, &id)) != VAX_OK) {
                vax_tx_rollback(db);
                return rc;
            }
        }
        if ((rc = vax_tx_commit(db)) != VAX_OK)
            return rc;
    }
    return vax_fail(db, VAX_EINTERNAL, NULL, _("Could not record the operating-system user."));
}

/* ---- administration ---------------------------------------------------------------------- */

int vax_staff_list_all(vax_db *db, vax_staff *out, int max, int *n)
{
    return read_staff(db,
                      vax_stmt(db, "SELECT " STAFF_COLS " FROM staff WHERE role <> 'system'"
                                   " ORDER BY active DESC, name, login"),
                      out, max, n);
}

int vax_staff_by_login(vax_db *db, const char *login, vax_staff *out)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " STAFF_COLS " FROM staff WHERE login = ?1 AND role <> 'system'");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, login ? login : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_staff(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    return rc == SQLITE_DONE
               ? vax_fail(db, VAX_ENOTFOUND, "login", _("Login: there is no staff member %s."),
                          login ? login : "")
               : vax_fail_sql(db, rc, _("reading staff"));
}

/* The checks every administrative change starts with, and its transaction: the member is read
 * inside it, so two managers' changes cannot both pass the last-manager rule. */
static int admin_begin(vax_db *db, const char *login, vax_staff *s)
{
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_STAFF_ADMIN)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_staff_by_login(db, login, s)) != VAX_OK)
        vax_tx_rollback(db);
    return rc;
}

/* Refuses a change that would leave the site with no active manager to administer it. */
static int keep_a_manager(vax_db *db, const vax_staff *s)
{
    int managers, rc;
    if (s->role != VAX_ROLE_MANAGER || !s->active)
        return VAX_OK;
    if ((rc = count_managers(db, &managers)) != VAX_OK)
        return rc;
    if (managers > 1)
        return VAX_OK;
    return vax_fail(db, VAX_ESTATE, "login",
                    _("%s is the last active manager: add or promote another manager first."),
                    s->login);
}

/* One UPDATE of the member's row (the SET list is the caller's literal) and its audit row. */
static int admin_write(vax_db *db, const vax_staff *s, const char *set, const char *action,
                       const char *details)
{
    char sql[256];
    int rc;
    snprintf(sql, sizeof sql, "UPDATE staff SET %s, updated_at = ?2, updated_by = ?3 WHERE id = ?1",
             set);
    sqlite3_stmt *st = vax_stmt(db, sql);
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->id);
    sqlite3_bind_int64(st, 2, vax_now());
    if (db->has_actor)
        sqlite3_bind_int64(st, 3, db->actor.id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("changing a staff member"));
    return vax_audit(db, action, "staff", s->id, details);
}

static int admin_end(vax_db *db, int rc)
{
    if (rc != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    return vax_tx_commit(db);
}

int vax_staff_set_active(vax_db *db, const char *login, int active)
{
    vax_staff s;
    int rc;
    if ((rc = admin_begin(db, login, &s)) != VAX_OK)
        return rc;
    active = active ? 1 : 0;
    if (s.active == active)
        rc = vax_fail(db, VAX_ESTATE, "login",
                      active ? _("%s is already enabled.") : _("%s is already disabled."), s.login);
    else if (!active && db->has_actor && db->actor.id == s.id)
        rc = vax_fail(db, VAX_ESTATE, "login",
                      _("You cannot disable yourself: ask another manager."));
    else if (!active)
        rc = keep_a_manager(db, &s);
    if (rc == VAX_OK)
        rc = active ? admin_write(db, &s, "active = 1, failed_pins = 0, locked_until = 0",
                                  "staff.enable", s.login)
                    : admin_write(db, &s, "active = 0", "staff.disable", s.login);
    return admin_end(db, rc);
}

int vax_staff_set_role(vax_db *db, const char *login, vax_role role)
{
    char details[160];
    vax_staff s;
    int rc;
    if (role == VAX_ROLE_SYSTEM || (unsigned)role >= VAX_ROLE_COUNT) {
        vax_clear_error(db);
        return vax_fail(db, VAX_EINVAL, "role",
                        _("Role: choose volunteer, nurse, doctor or manager."));
    }
    if ((rc = admin_begin(db, login, &s)) != VAX_OK)
        return rc;
    if (s.role == role)
        rc =
            vax_fail(db, VAX_ESTATE, "role", _("%s is already %s."), s.login, vax_role_label(role));
    else if (s.role == VAX_ROLE_MANAGER)
        rc = keep_a_manager(db, &s);
    if (rc == VAX_OK) {
        snprintf(details, sizeof details, "%s: %s -> %s", s.login, vax_role_code(s.role),
                 vax_role_code(role));
        /* the role as a literal of the closed list, never the caller's text */
        char set[64];
        snprintf(set, sizeof set, "role = '%s'", vax_role_code(role));
        rc = admin_write(db, &s, set, "staff.role", details);
    }
    return admin_end(db, rc);
}

int vax_staff_reset_pin(vax_db *db, const char *login)
{
    vax_staff s;
    int rc;
    if ((rc = admin_begin(db, login, &s)) != VAX_OK)
        return rc;
    rc = admin_write(db, &s, "pin_hash = NULL, pin_reset = 1, failed_pins = 0, locked_until = 0",
                     "staff.pin_reset", s.login);
    return admin_end(db, rc);
}

int vax_staff_unlock(vax_db *db, const char *login)
{
    vax_staff s;
    int rc;
    if ((rc = admin_begin(db, login, &s)) != VAX_OK)
        return rc;
    sqlite3_stmt *st = vax_stmt(db, "SELECT failed_pins, locked_until FROM staff WHERE id = ?1");
    if (!st)
        return admin_end(db, VAX_EINTERNAL);
    sqlite3_bind_int64(st, 1, s.id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        return admin_end(db, vax_fail_sql(db, rc, _("reading staff")));
    }
    int failed = sqlite3_column_int(st, 0);
    int64_t locked_until = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    if (failed == 0 && locked_until <= vax_now())
        rc = vax_fail(db, VAX_ESTATE, "login", _("%s is not locked."), s.login);
    else
        rc = admin_write(db, &s, "failed_pins = 0, locked_until = 0", "staff.unlock", s.login);
    return admin_end(db, rc);
}

int vax_staff_set_pin(vax_db *db, const char *login, const char *new_pin, vax_staff *out)
{
    char hash[VAX_PIN_HASH_MAX];
    vax_staff s;
    int rc;
    sqlite3_stmt *st;
    vax_clear_error(db);
    if (db->readonly)
        return vax_fail(db, VAX_EIO, NULL, _("This display opened the database read-only."));
    if (!valid_pin(new_pin))
        return vax_fail(db, VAX_EINVAL, "pin", _("PIN: use 4 to 12 digits."));
    rc = vax_staff_by_login(db, login, &s);
    if (rc == VAX_ENOTFOUND || (rc == VAX_OK && !s.active))
        return vax_fail(db, VAX_EAUTH, "login", _("Unknown login or wrong PIN."));
    if (rc != VAX_OK)
        return rc;
    /* without a reset, a new PIN needs the old one: that is a signed-in change, not this call */
    if (!s.pin_reset)
        return vax_fail(db, VAX_ESTATE, "pin",
                        _("The PIN of %s was not reset: sign in with it, or ask a manager to "
                          "reset it."),
                        s.login);
    if ((rc = vax_pin_hash(new_pin, (int)vax_setting_int(db, "staff.pin_iterations"), hash)) !=
        VAX_OK)
        return vax_fail(db, rc, "pin", _("PIN: could not be hashed."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    /* guarded by pin_reset, so two screens setting the same login's PIN cannot both win */
    st = vax_stmt(db, "UPDATE staff SET pin_hash = ?2, pin_reset = 0, failed_pins = 0,"
                      " locked_until = 0, updated_at = ?3, updated_by = ?1"
                      " WHERE id = ?1 AND pin_reset = 1 AND active = 1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, s.id);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, vax_now());
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("setting a PIN"));
        goto fail;
    }
    if (sqlite3_changes(db->sql) != 1) {
        rc = vax_fail(db, VAX_ESTATE, "pin", _("The PIN of %s changed at another station."),
                      s.login);
        goto fail;
    }
    /* the member is the author of both rows: nobody else was signed in to set it */
    vax_staff previous = db->actor;
    int had_actor = db->has_actor;
    db->actor = s;
    db->has_actor = 1;
    rc = vax_audit(db, "staff.pin_set", "staff", s.id, s.login);
    if (rc == VAX_OK)
        rc = record_sign_in(db, s.id, 1, 0, 0, NULL);
    if (rc != VAX_OK) {
        db->actor = previous;
        db->has_actor = had_actor;
        goto fail;
    }
    if ((rc = vax_tx_commit(db)) != VAX_OK) {
        db->actor = previous;
        db->has_actor = had_actor;
        goto out;
    }
    s.pin_reset = 0;
    db->actor = s;
    if (out)
        *out = s;
    goto out;
fail:
    vax_tx_rollback(db);
out:
    OPENSSL_cleanse(hash, sizeof hash);
    return rc;
}

/* Someone else confirms at this station (a manager's second ticket, a doctor's release): the
 * login and PIN are checked as a sign-in is (its lockout and audit apply), the confirming member
 * must be allowed the action, and whoever is signed in here stays the actor. */
int vax_staff_confirm(vax_db *db, const char *login, const char *pin, vax_action action,
                      vax_staff *out)
{
    vax_staff actor = db->actor;
    int had_actor = db->has_actor;
    int rc = vax_staff_sign_in(db, login, pin, out);
    db->actor = actor;
    db->has_actor = had_actor;
    if (rc != VAX_OK)
        return rc;
    if (!vax_role_may(out->role, action))
        return vax_fail(db, VAX_EPERM, "login", _("%s (%s) may not confirm this."), out->name,
                        vax_role_label(out->role));
    return VAX_OK;
}
