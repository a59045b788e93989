/* test_staff.c: PIN hashes, staff rules, sign-in and lock-out, roles, and who wrote what. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHEAP 1000 /* iterations for hashes made directly in these tests */

static int64_t query_int(const char *path, const char *sql, int64_t arg)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, arg);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

/* The iteration count in the stored PIN hash of a login. */
static int stored_iterations(const char *path, const char *login)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int iterations = -1;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(s, "SELECT pin_hash FROM staff WHERE login = ?1", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *hash = (const char *)sqlite3_column_text(st, 0);
    assert_non_null(hash);
    assert_int_equal(sscanf(hash, "pbkdf2-sha256$%d$", &iterations), 1);
    assert_int_equal(vax_pin_verify("4321", hash), 1);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return iterations;
}

static int64_t add_manager(test_db *t)
{
    int64_t id = 0;
    assert_int_equal(vax_staff_add(t->db, "lan", "Trần Thị Lan", VAX_ROLE_MANAGER, "1111", &id),
                     VAX_OK);
    assert_true(id > 0);
    return id;
}

/* ---- PIN hashes ---------------------------------------------------------------------------- */

static void test_pin_hash_round_trip_and_wrong_pin(void **state)
{
    (void)state;
    char h[VAX_PIN_HASH_MAX];
    assert_int_equal(vax_pin_hash("482915", CHEAP, h), VAX_OK);
    assert_int_equal(strncmp(h, "pbkdf2-sha256$1000$", 19), 0);
    assert_int_equal(vax_pin_verify("482915", h), 1);
    assert_int_equal(vax_pin_verify("482916", h), 0);
    assert_int_equal(vax_pin_verify("48291", h), 0);
    assert_int_equal(vax_pin_verify("", h), 0);
    assert_int_equal(vax_pin_hash("1234", 0, h), VAX_EINVAL);
}

static void test_two_hashes_of_the_same_pin_differ_by_salt(void **state)
{
    (void)state;
    char a[VAX_PIN_HASH_MAX], b[VAX_PIN_HASH_MAX];
    assert_int_equal(vax_pin_hash("1234", CHEAP, a), VAX_OK);
    assert_int_equal(vax_pin_hash("1234", CHEAP, b), VAX_OK);
    assert_string_not_equal(a, b);
    /* The salt (third field) differs, not only the digest. */
    const char *sa = strchr(strchr(a, '$') + 1, '$') + 1;
    const char *sb = strchr(strchr(b, '$') + 1, '$') + 1;
    assert_int_not_equal(strncmp(sa, sb, 32), 0);
    assert_int_equal(vax_pin_verify("1234", a), 1);
    assert_int_equal(vax_pin_verify("1234", b), 1);
}

static void test_tampered_stored_hash_is_refused(void **state)
{
    (void)state;
    char h[VAX_PIN_HASH_MAX], bad[VAX_PIN_HASH_MAX + 8];
    size_t n;
    assert_int_equal(vax_pin_hash("2468", CHEAP, h), VAX_OK);
    n = strlen(h);

    /* One digit of the digest changed: a well-formed hash that no longer matches. */
    snprintf(bad, sizeof bad, "%s", h);
    bad[n - 1] = bad[n - 1] == '0' ? '1' : '0';
    assert_int_equal(vax_pin_verify("2468", bad), 0);
    /* One digit of the salt changed. */
    snprintf(bad, sizeof bad, "%s", h);
    char *salt = strchr(strchr(bad, '$') + 1, '$') + 1;
    salt[0] = salt[0] == 'a' ? 'b' : 'a';
    assert_int_equal(vax_pin_verify("2468", bad), 0);
    /* The iteration count changed. */
    snprintf(bad, sizeof bad, "pbkdf2-sha256$1001%s", h + strlen("pbkdf2-sha256$1000"));
    assert_int_equal(vax_pin_verify("2468", bad), 0);

    /* Malformed strings are errors, never a match. */
    snprintf(bad, sizeof bad, "%sff", h);
    assert_true(vax_pin_verify("2468", bad) < 0);
    snprintf(bad, sizeof bad, "%.*s", (int)(n - 2), h);
    assert_true(vax_pin_verify("2468", bad) < 0);
    snprintf(bad, sizeof bad, "md5%s", h + strlen("pbkdf2-sha256"));
    assert_true(vax_pin_verify("2468", bad) < 0);
    snprintf(bad, sizeof bad, "%s", h);
    bad[n - 3] = 'G';
    assert_true(vax_pin_verify("2468", bad) < 0);
    snprintf(bad, sizeof bad, "pbkdf2-sha256$0%s", h + strlen("pbkdf2-sha256$1000"));
    assert_true(vax_pin_verify("2468", bad) < 0);
    assert_true(vax_pin_verify("2468", "") < 0);
    assert_true(vax_pin_verify("2468", NULL) < 0);
}

static void test_default_iterations_are_strong_and_used_when_the_setting_is_absent(void **state)
{
    (void)state;
    char dir[] = "/tmp/vaxstaff.XXXXXX", path[64], p[96];
    vax_db *db = NULL;
    assert_true(VAX_PIN_ITERATIONS_DEFAULT >= 100000);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/site.db", dir);
    vax_clock_set(T0);
    assert_int_equal(vax_open(path, VAX_OPEN_CREATE, &db), VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    char value[32];
    assert_int_equal(vax_setting_get(db, "staff.pin_iterations", value, sizeof value),
                     VAX_ENOTFOUND);
    assert_int_equal(vax_staff_add(db, "lan", "Tran Thi Lan", VAX_ROLE_MANAGER, "4321", NULL),
                     VAX_OK);
    assert_int_equal(stored_iterations(path, "lan"), VAX_PIN_ITERATIONS_DEFAULT);
    vax_close(db);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    assert_int_equal(rmdir(dir), 0);
}

static void test_staff_add_uses_the_iterations_setting(void **state)
{
    (void)state;
    test_db *t = tdb_open(); /* sets staff.pin_iterations = 1000 */
    assert_int_equal(vax_staff_add(t->db, "lan", "Tran Thi Lan", VAX_ROLE_MANAGER, "4321", NULL),
                     VAX_OK);
    assert_int_equal(stored_iterations(t->path, "lan"), 1000);
    tdb_close(t);
}

/* ---- adding staff -------------------------------------------------------------------------- */

static void test_first_staff_member_must_be_a_manager(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t id = 0;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2222", &id),
                     VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "role");
    assert_int_equal(id, 0);
    vax_staff list[4];
    int n = -1;
    assert_int_equal(vax_staff_list(t->db, list, 4, &n), VAX_OK);
    assert_int_equal(n, 0);
    add_manager(t);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2222", &id), VAX_OK);
    assert_int_equal(vax_staff_list(t->db, list, 4, &n), VAX_OK);
    assert_int_equal(n, 2);
    vax_staff got;
    assert_int_equal(vax_staff_get(t->db, id, &got), VAX_OK);
    assert_string_equal(got.login, "hoa");
    assert_int_equal(got.role, VAX_ROLE_NURSE);
    assert_int_equal(got.active, 1);
    tdb_close(t);
}

static void test_duplicate_login_is_refused_naming_who_has_it(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    assert_int_equal(vax_staff_add(t->db, "lan", "Someone Else", VAX_ROLE_NURSE, "2222", NULL),
                     VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "login");
    assert_non_null(strstr(vax_errmsg(t->db), "Trần Thị Lan"));
    vax_staff list[4];
    int n = -1;
    assert_int_equal(vax_staff_list(t->db, list, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    /* Logins that could pass for an OS user or hold spaces are refused too. */
    assert_int_equal(vax_staff_add(t->db, "os:root", "Root", VAX_ROLE_NURSE, "2222", NULL),
                     VAX_EINVAL);
    assert_int_equal(vax_staff_add(t->db, "a b", "Ab", VAX_ROLE_NURSE, "2222", NULL), VAX_EINVAL);
    assert_int_equal(vax_staff_add(t->db, "sys", "Sys", VAX_ROLE_SYSTEM, "2222", NULL), VAX_EINVAL);
    tdb_close(t);
}

static void test_pin_must_be_4_to_12_digits(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    const char *bad[] = {"123", "", "1234567890123", "12a4", "12 34", "-1234", "１２３４"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (vax_staff_add(t->db, "n1", "Nurse One", VAX_ROLE_NURSE, bad[i], NULL) != VAX_EINVAL)
            fail_msg("PIN \"%s\" was accepted", bad[i]);
        assert_string_equal(vax_errfield(t->db), "pin");
    }
    assert_int_equal(vax_staff_add(t->db, "n1", "Nurse One", VAX_ROLE_NURSE, NULL, NULL),
                     VAX_EINVAL);
    assert_int_equal(vax_staff_add(t->db, "n1", "Nurse One", VAX_ROLE_NURSE, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "n2", "Nurse Two", VAX_ROLE_NURSE, "123456789012", NULL),
                     VAX_OK);
    vax_staff s;
    assert_int_equal(vax_staff_sign_in(t->db, "n2", "123456789012", &s), VAX_OK);
    tdb_close(t);
}

/* ---- sign-in ------------------------------------------------------------------------------- */

static void test_sign_in_makes_the_member_the_actor(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    int64_t nurse = 0;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", &nurse),
                     VAX_OK);
    assert_int_equal(vax_actor(t->db)->role, VAX_ROLE_SYSTEM);
    vax_staff s;
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    assert_int_equal(s.id, nurse);
    const vax_staff *a = vax_actor(t->db);
    assert_non_null(a);
    assert_int_equal(a->id, nurse);
    assert_int_equal(a->role, VAX_ROLE_NURSE);
    assert_string_equal(a->login, "hoa");
    assert_int_equal(
        query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'sign-in' AND staff_id = ?1",
                  nurse),
        1);
    tdb_close(t);
}

static void test_sign_out_ends_the_session_and_is_audited(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    int64_t nurse = 0;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", &nurse),
                     VAX_OK);
    vax_staff s;
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    assert_int_equal(vax_staff_sign_out(t->db), VAX_OK);
    assert_null(vax_actor(t->db));
    /* nothing is written in anybody's name now */
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "1"), VAX_EPERM);
    assert_int_equal(vax_staff_add(t->db, "tam", "Vo Tam", VAX_ROLE_NURSE, "3690", NULL),
                     VAX_EPERM);
    assert_int_equal(
        query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'sign-out' AND staff_id = ?1",
                  s.id),
        1);
    /* a second sign-out (nobody signed in) writes nothing */
    assert_int_equal(vax_staff_sign_out(t->db), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action = 'sign-out'", 0),
                     1);
    tdb_close(t);
}

static void test_wrong_pin_or_unknown_login_keeps_the_actor(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t mgr = add_manager(t);
    vax_staff s;
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "9999", &s), VAX_EAUTH);
    assert_int_equal(vax_actor(t->db)->id, mgr);
    assert_int_equal(vax_staff_sign_in(t->db, "nobody", "1111", &s), VAX_EAUTH);
    assert_int_equal(vax_actor(t->db)->id, mgr);
    /* The OS user has no PIN and cannot be signed into. */
    assert_int_equal(vax_staff_sign_in(t->db, "os:tester", "", &s), VAX_EAUTH);
    tdb_close(t);
}

static void test_five_wrong_pins_lock_for_five_minutes(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    vax_staff s;
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_EAUTH);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_ELOCKED);
    assert_non_null(strstr(vax_errmsg(t->db), "hoa"));
    /* Locked: even the right PIN is refused, and the actor stays who it was. */
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_ELOCKED);
    assert_int_equal(vax_actor(t->db)->role, VAX_ROLE_SYSTEM);
    vax_clock_advance(4 * 60 + 59);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_ELOCKED);
    vax_clock_advance(1);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    assert_string_equal(vax_actor(t->db)->login, "hoa");
    /* The count starts again after the lock. */
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_EAUTH);
    tdb_close(t);
}

/* Eight stations press Enter at once with a wrong PIN, each its own process and connection. The
 * count is read and written in one transaction, so exactly the limit is counted and the rest
 * meet the lock; a count read outside it lets every station write "1" over the others. */
static void test_eight_concurrent_wrong_pins_lock_at_the_limit(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    /* a dearer hash keeps every station inside its check while the others read the count */
    assert_int_equal(vax_setting_set(t->db, "staff.pin_iterations", "20000"), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    int64_t hoa = query_int(t->path, "SELECT id FROM staff WHERE login = 'hoa'", 0);
    vax_close(t->db);
    t->db = NULL;
    int go[2], ready[2];
    pid_t kids[8];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(ready), 0);
    for (int i = 0; i < 8; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            vax_db *db = NULL;
            char c;
            close(go[1]);
            close(ready[0]);
            if (vax_open(t->path, 0, &db) != VAX_OK)
                _exit(10);
            if (write(ready[1], "r", 1) != 1)
                _exit(11);
            /* every station waits here until all are open: the parent closes the pipe */
            if (read(go[0], &c, 1) != 0)
                _exit(12);
            int rc = vax_staff_sign_in(db, "hoa", "0000", NULL);
            vax_close(db);
            _exit(rc == VAX_EAUTH ? 1 : rc == VAX_ELOCKED ? 2 : 20 + (rc < 0 ? -rc : rc));
        }
    }
    close(go[0]);
    close(ready[1]);
    for (int i = 0; i < 8; i++) {
        char c;
        assert_int_equal(read(ready[0], &c, 1), 1);
    }
    close(ready[0]);
    close(go[1]);
    int wrong = 0, locked = 0;
    for (int i = 0; i < 8; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status));
        int code = WEXITSTATUS(status);
        if (code == 1)
            wrong++;
        else if (code == 2)
            locked++;
        else
            fail_msg("a station ended with %d", code);
    }
    /* the fifth wrong PIN locks (and says so); the last three meet the lock, uncounted */
    assert_int_equal(wrong, 4);
    assert_int_equal(locked, 4);
    assert_int_equal(query_int(t->path,
                               "SELECT count(*) FROM audit WHERE action = 'sign-in.failed'"
                               " AND entity_id = ?1",
                               hoa),
                     5);
    assert_true(query_int(t->path, "SELECT locked_until FROM staff WHERE id = ?1", hoa) > T0);
    assert_int_equal(vax_open(t->path, 0, &t->db), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", NULL), VAX_ELOCKED);
    tdb_close(t);
}

/* Five wrong PINs lock for staff.lock_minutes; each lock after the first, with no right PIN
 * between, lasts staff.lock_growth times the one before, up to staff.lock_max_minutes. */
static void test_each_further_lock_lasts_longer(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "staff.lock_max_minutes", "12"), VAX_OK);
    vax_staff s;
    const int minutes[] = {5, 10, 12, 12};
    for (int lock = 0; lock < 4; lock++) {
        for (int i = 0; i < 4; i++)
            assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_EAUTH);
        assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_ELOCKED);
        char words[32];
        snprintf(words, sizeof words, "%d minutes", minutes[lock]);
        assert_non_null(strstr(vax_errmsg(t->db), words));
        vax_clock_advance(minutes[lock] * 60 - 1);
        assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_ELOCKED);
        vax_clock_advance(1);
    }
    /* a right PIN starts again from the first lock's length */
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_EAUTH);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_ELOCKED);
    assert_non_null(strstr(vax_errmsg(t->db), "5 minutes"));
    tdb_close(t);
}

/* A manager unlocks a locked login at once (audited); a nurse may not; an unlocked login with no
 * wrong PIN counted is not "unlocked" again. */
static void test_a_manager_unlocks_a_locked_login(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t lan = add_manager(t);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "tam", "Vo Tam", VAX_ROLE_NURSE, "3690", NULL), VAX_OK);
    vax_staff s;
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_EAUTH);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "0000", &s), VAX_ELOCKED);
    assert_int_equal(vax_staff_sign_in(t->db, "tam", "3690", &s), VAX_OK);
    assert_int_equal(vax_staff_unlock(t->db, "hoa"), VAX_EPERM);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    assert_int_equal(vax_staff_unlock(t->db, "nobody"), VAX_ENOTFOUND);
    assert_int_equal(vax_staff_unlock(t->db, "tam"), VAX_ESTATE);
    assert_int_equal(vax_staff_unlock(t->db, "hoa"), VAX_OK);
    assert_int_equal(query_int(t->path,
                               "SELECT staff_id FROM audit WHERE action = 'staff.unlock'"
                               " AND entity_id = (SELECT id FROM staff WHERE login = 'hoa')",
                               0),
                     lan);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    assert_string_equal(vax_actor(t->db)->login, "hoa");
    tdb_close(t);
}

static void test_right_pin_resets_the_wrong_pin_count(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    vax_staff s;
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_staff_sign_in(t->db, "lan", "0000", &s), VAX_EAUTH);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_staff_sign_in(t->db, "lan", "0000", &s), VAX_EAUTH);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    tdb_close(t);
}

/* ---- roles --------------------------------------------------------------------------------- */

static void test_nurse_may_not_add_staff_or_change_settings(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    vax_staff s;
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "tam", "Vo Tam", VAX_ROLE_NURSE, "3690", NULL),
                     VAX_EPERM);
    assert_non_null(strstr(vax_errmsg(t->db), "Nurse"));
    assert_int_equal(vax_staff_add(t->db, "boss", "Vo Boss", VAX_ROLE_MANAGER, "3690", NULL),
                     VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM staff WHERE role <> 'system'", 0), 2);
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "1"), VAX_EPERM);
    char v[16];
    assert_int_equal(vax_setting_get(t->db, "queue.max_wait_min", v, sizeof v), VAX_ENOTFOUND);
    /* A manager may. */
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "tam", "Vo Tam", VAX_ROLE_NURSE, "3690", NULL), VAX_OK);
    tdb_close(t);
}

static void test_role_table_spot_checks(void **state)
{
    (void)state;
    assert_true(vax_role_may(VAX_ROLE_VOLUNTEER, VAX_ACT_CHECKIN));
    assert_true(vax_role_may(VAX_ROLE_VOLUNTEER, VAX_ACT_PERSON_WRITE));
    assert_false(vax_role_may(VAX_ROLE_VOLUNTEER, VAX_ACT_CALL_SCREEN));
    assert_false(vax_role_may(VAX_ROLE_VOLUNTEER, VAX_ACT_CALL_INJECT));
    assert_false(vax_role_may(VAX_ROLE_VOLUNTEER, VAX_ACT_OBSERVE));
    assert_true(vax_role_may(VAX_ROLE_NURSE, VAX_ACT_CALL_INJECT));
    assert_true(vax_role_may(VAX_ROLE_NURSE, VAX_ACT_OBSERVE));
    assert_false(vax_role_may(VAX_ROLE_NURSE, VAX_ACT_CALL_SCREEN));
    assert_false(vax_role_may(VAX_ROLE_NURSE, VAX_ACT_STAFF_ADMIN));
    assert_false(vax_role_may(VAX_ROLE_NURSE, VAX_ACT_OVERRIDE));
    assert_true(vax_role_may(VAX_ROLE_DOCTOR, VAX_ACT_CALL_SCREEN));
    assert_false(vax_role_may(VAX_ROLE_DOCTOR, VAX_ACT_SETTINGS));
    assert_true(vax_role_may(VAX_ROLE_MANAGER, VAX_ACT_STAFF_ADMIN));
    assert_true(vax_role_may(VAX_ROLE_MANAGER, VAX_ACT_OVERRIDE));
    for (int a = 0; a < VAX_ACT_COUNT; a++)
        assert_true(vax_role_may(VAX_ROLE_SYSTEM, (vax_action)a));
    assert_false(vax_role_may(VAX_ROLE_COUNT, VAX_ACT_CHECKIN));
    assert_false(vax_role_may(VAX_ROLE_MANAGER, VAX_ACT_COUNT));
    for (int r = 0; r < VAX_ROLE_COUNT; r++) {
        vax_role back;
        assert_int_equal(vax_role_parse(vax_role_code((vax_role)r), &back), VAX_OK);
        assert_int_equal(back, r);
    }
    vax_role dummy;
    assert_int_equal(vax_role_parse("admin", &dummy), VAX_EINVAL);
}

/* ---- the audit trail ----------------------------------------------------------------------- */

static void test_every_write_records_the_signed_in_actor(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t system_id = vax_actor(t->db)->id;
    int64_t mgr = add_manager(t);
    assert_int_equal(query_int(t->path, "SELECT updated_by FROM staff WHERE id = ?1", mgr),
                     system_id);
    assert_int_equal(
        query_int(t->path,
                  "SELECT staff_id FROM audit WHERE action = 'staff.add' AND entity_id = ?1", mgr),
        system_id);

    vax_staff s;
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    int64_t nurse = 0;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", &nurse),
                     VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT updated_by FROM staff WHERE id = ?1", nurse), mgr);
    assert_int_equal(
        query_int(t->path,
                  "SELECT staff_id FROM audit WHERE action = 'staff.add' AND entity_id = ?1",
                  nurse),
        mgr);
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "45"), VAX_OK);
    assert_int_equal(
        query_int(t->path, "SELECT updated_by FROM setting WHERE key = 'queue.max_wait_min'", 0),
        mgr);
    assert_int_equal(query_int(t->path,
                               "SELECT staff_id FROM audit WHERE action = 'setting'"
                               " ORDER BY id DESC LIMIT 1",
                               0),
                     mgr);

    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    char id[13];
    tdb_cccd(id, 1990, 'f', 77);
    int64_t pid = tdb_person(t, "Đỗ Thị Hằng", id, "1990-05-04", NULL);
    assert_int_equal(query_int(t->path, "SELECT updated_by FROM person WHERE id = ?1", pid), nurse);
    assert_int_equal(
        query_int(t->path,
                  "SELECT staff_id FROM audit WHERE action = 'person.add' AND entity_id = ?1", pid),
        nurse);
    vax_visit v;
    assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT updated_by FROM visit WHERE id = ?1", v.id), nurse);
    assert_int_equal(
        query_int(t->path, "SELECT staff_id FROM visit_event WHERE visit_id = ?1", v.id), nurse);
    /* No write is left without an author. */
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE staff_id IS NULL", 0), 0);
    tdb_close(t);
}

/* ---- administration ------------------------------------------------------------------------ */

static int64_t audit_count(test_db *t, const char *action, int64_t by)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = '%s' AND staff_id = ?1",
             action);
    return query_int(t->path, sql, by);
}

static void test_disabled_member_cannot_sign_in_and_is_not_listed_but_kept(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t mgr = add_manager(t);
    int64_t nurse = 0;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", &nurse),
                     VAX_OK);
    vax_staff s, list[8];
    int n = 0;
    /* the nurse registers someone, so the history has rows in her name */
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    char id[13];
    tdb_cccd(id, 1980, 'f', 5);
    int64_t pid = tdb_person(t, "Lò Thị Mai", id, "1980-02-03", NULL);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);

    assert_int_equal(vax_staff_set_active(t->db, "hoa", 0), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_EAUTH);
    assert_int_equal(vax_actor(t->db)->id, mgr);
    assert_int_equal(vax_staff_list(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].login, "lan");
    assert_int_equal(vax_staff_list_all(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[1].login, "hoa");
    assert_int_equal(list[1].active, 0);
    assert_int_equal(query_int(t->path, "SELECT updated_by FROM person WHERE id = ?1", pid), nurse);
    assert_int_equal(audit_count(t, "staff.disable", mgr), 1);
    /* a second disable says so and writes nothing */
    assert_int_equal(vax_staff_set_active(t->db, "hoa", 0), VAX_ESTATE);
    assert_int_equal(audit_count(t, "staff.disable", mgr), 1);

    assert_int_equal(vax_staff_set_active(t->db, "hoa", 1), VAX_OK);
    assert_int_equal(audit_count(t, "staff.enable", mgr), 1);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    assert_int_equal(s.id, nurse);
    tdb_close(t);
}

static void test_last_active_manager_cannot_be_disabled_or_demoted(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    vax_staff s;
    /* the command line's OS user administers too, under the same rule */
    assert_int_equal(vax_staff_set_active(t->db, "lan", 0), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "last active manager"));
    assert_int_equal(vax_staff_set_role(t->db, "lan", VAX_ROLE_DOCTOR), VAX_ESTATE);
    assert_int_equal(vax_staff_by_login(t->db, "lan", &s), VAX_OK);
    assert_int_equal(s.role, VAX_ROLE_MANAGER);
    assert_int_equal(s.active, 1);
    /* a disabled manager does not count as a second one */
    assert_int_equal(vax_staff_add(t->db, "tam", "Vo Tam", VAX_ROLE_MANAGER, "3690", NULL), VAX_OK);
    assert_int_equal(vax_staff_set_active(t->db, "tam", 0), VAX_OK);
    assert_int_equal(vax_staff_set_role(t->db, "lan", VAX_ROLE_DOCTOR), VAX_ESTATE);
    /* with two active managers one may go; then the other is the last again */
    assert_int_equal(vax_staff_set_active(t->db, "tam", 1), VAX_OK);
    assert_int_equal(vax_staff_set_role(t->db, "lan", VAX_ROLE_DOCTOR), VAX_OK);
    assert_int_equal(vax_staff_set_active(t->db, "tam", 0), VAX_ESTATE);
    assert_int_equal(vax_staff_set_role(t->db, "tam", VAX_ROLE_NURSE), VAX_ESTATE);
    /* a manager cannot disable themselves even when another manager remains */
    assert_int_equal(vax_staff_set_role(t->db, "lan", VAX_ROLE_MANAGER), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "tam", "3690", &s), VAX_OK);
    assert_int_equal(vax_staff_set_active(t->db, "tam", 0), VAX_ESTATE);
    assert_int_equal(vax_staff_set_active(t->db, "lan", 0), VAX_OK);
    tdb_close(t);
}

static void test_role_change_is_audited_and_takes_effect_at_sign_in(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t mgr = add_manager(t);
    vax_staff s;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    assert_int_equal(vax_staff_set_role(t->db, "hoa", VAX_ROLE_DOCTOR), VAX_OK);
    assert_int_equal(
        query_int(t->path,
                  "SELECT count(*) FROM audit WHERE action = 'staff.role' AND staff_id = ?1"
                  " AND details = 'hoa: nurse -> doctor'",
                  mgr),
        1);
    assert_int_equal(vax_staff_set_role(t->db, "hoa", VAX_ROLE_DOCTOR), VAX_ESTATE);
    assert_int_equal(vax_staff_set_role(t->db, "hoa", VAX_ROLE_SYSTEM), VAX_EINVAL);
    assert_int_equal(vax_staff_set_role(t->db, "nobody", VAX_ROLE_NURSE), VAX_ENOTFOUND);
    /* the OS users are not staff to administer */
    assert_int_equal(vax_staff_set_role(t->db, "os:tester", VAX_ROLE_MANAGER), VAX_ENOTFOUND);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_OK);
    assert_int_equal(s.role, VAX_ROLE_DOCTOR);
    assert_int_equal(vax_actor(t->db)->role, VAX_ROLE_DOCTOR);
    tdb_close(t);
}

static void test_only_a_manager_administers_staff(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    vax_staff s;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "minh", "Tran Minh", VAX_ROLE_DOCTOR, "1357", NULL),
                     VAX_OK);
    const char *who[] = {"hoa", "minh"};
    const char *pin[] = {"2580", "1357"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(vax_staff_sign_in(t->db, who[i], pin[i], &s), VAX_OK);
        assert_int_equal(vax_staff_set_active(t->db, "lan", 0), VAX_EPERM);
        assert_int_equal(vax_staff_set_active(t->db, who[1 - i], 0), VAX_EPERM);
        assert_int_equal(vax_staff_set_role(t->db, who[i], VAX_ROLE_MANAGER), VAX_EPERM);
        assert_int_equal(vax_staff_reset_pin(t->db, "lan"), VAX_EPERM);
    }
    assert_int_equal(query_int(t->path,
                               "SELECT count(*) FROM staff WHERE active = 0"
                               " OR pin_reset = 1 OR (login = 'hoa' AND role <> 'nurse')",
                               0),
                     0);
    tdb_close(t);
}

static void test_reset_pin_refuses_the_old_pin_until_a_new_one_is_set(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t mgr = add_manager(t);
    int64_t nurse = 0;
    vax_staff s;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", &nurse),
                     VAX_OK);
    /* without a reset nobody sets a PIN this way */
    assert_int_equal(vax_staff_set_pin(t->db, "hoa", "4444", &s), VAX_ESTATE);
    /* a lock from wrong PINs is lifted by the reset */
    for (int i = 0; i < 5; i++)
        vax_staff_sign_in(t->db, "hoa", "0000", &s);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_ELOCKED);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &s), VAX_OK);
    assert_int_equal(vax_staff_reset_pin(t->db, "hoa"), VAX_OK);
    assert_int_equal(audit_count(t, "staff.pin_reset", mgr), 1);
    assert_int_equal(vax_staff_by_login(t->db, "hoa", &s), VAX_OK);
    assert_int_equal(s.pin_reset, 1);

    /* the old PIN, or any, now asks for a new one and signs nobody in */
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_EPINRESET);
    assert_string_equal(vax_errfield(t->db), "pin");
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "9999", &s), VAX_EPINRESET);
    assert_int_equal(vax_actor(t->db)->id, mgr);
    assert_int_equal(vax_staff_set_pin(t->db, "hoa", "12", &s), VAX_EINVAL);
    assert_int_equal(vax_staff_set_pin(t->db, "nobody", "4444", &s), VAX_EAUTH);
    vax_staff_sign_out(t->db);

    assert_int_equal(vax_staff_set_pin(t->db, "hoa", "4444", &s), VAX_OK);
    assert_int_equal(s.id, nurse);
    assert_int_equal(s.pin_reset, 0);
    assert_non_null(vax_actor(t->db));
    assert_int_equal(vax_actor(t->db)->id, nurse);
    assert_int_equal(audit_count(t, "staff.pin_set", nurse), 1);
    assert_int_equal(audit_count(t, "sign-in", nurse), 1);
    /* set once: the next attempt is refused, the old PIN is gone, the new one works */
    assert_int_equal(vax_staff_set_pin(t->db, "hoa", "5555", &s), VAX_ESTATE);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_EAUTH);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "4444", &s), VAX_OK);
    tdb_close(t);
}

static void test_a_disabled_member_cannot_set_a_reset_pin(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    add_manager(t);
    vax_staff s;
    assert_int_equal(vax_staff_add(t->db, "hoa", "Pham Hoa", VAX_ROLE_NURSE, "2580", NULL), VAX_OK);
    assert_int_equal(vax_staff_reset_pin(t->db, "hoa"), VAX_OK);
    assert_int_equal(vax_staff_set_active(t->db, "hoa", 0), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2580", &s), VAX_EAUTH);
    assert_int_equal(vax_staff_set_pin(t->db, "hoa", "4444", &s), VAX_EAUTH);
    assert_int_equal(vax_actor(t->db)->role, VAX_ROLE_SYSTEM);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pin_hash_round_trip_and_wrong_pin),
        cmocka_unit_test(test_two_hashes_of_the_same_pin_differ_by_salt),
        cmocka_unit_test(test_tampered_stored_hash_is_refused),
        cmocka_unit_test(test_default_iterations_are_strong_and_used_when_the_setting_is_absent),
        cmocka_unit_test(test_staff_add_uses_the_iterations_setting),
        cmocka_unit_test(test_first_staff_member_must_be_a_manager),
        cmocka_unit_test(test_duplicate_login_is_refused_naming_who_has_it),
        cmocka_unit_test(test_pin_must_be_4_to_12_digits),
        cmocka_unit_test(test_sign_in_makes_the_member_the_actor),
        cmocka_unit_test(test_sign_out_ends_the_session_and_is_audited),
        cmocka_unit_test(test_wrong_pin_or_unknown_login_keeps_the_actor),
        cmocka_unit_test(test_five_wrong_pins_lock_for_five_minutes),
        cmocka_unit_test(test_eight_concurrent_wrong_pins_lock_at_the_limit),
        cmocka_unit_test(test_each_further_lock_lasts_longer),
        cmocka_unit_test(test_a_manager_unlocks_a_locked_login),
        cmocka_unit_test(test_right_pin_resets_the_wrong_pin_count),
        cmocka_unit_test(test_nurse_may_not_add_staff_or_change_settings),
        cmocka_unit_test(test_role_table_spot_checks),
        cmocka_unit_test(test_every_write_records_the_signed_in_actor),
        cmocka_unit_test(test_disabled_member_cannot_sign_in_and_is_not_listed_but_kept),
        cmocka_unit_test(test_last_active_manager_cannot_be_disabled_or_demoted),
        cmocka_unit_test(test_role_change_is_audited_and_takes_effect_at_sign_in),
        cmocka_unit_test(test_only_a_manager_administers_staff),
        cmocka_unit_test(test_reset_pin_refuses_the_old_pin_until_a_new_one_is_set),
        cmocka_unit_test(test_a_disabled_member_cannot_set_a_reset_pin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
