/* test_db.c: opening, file modes, pragmas, migrations, refusing foreign or damaged files,
 * checks, read-only handles, settings, status words and a busy database. */
#include "testutil.h"

/* The handle's own connection: foreign_keys and synchronous are per connection, so a second
 * connection cannot see them, and the statements the core runs are traced on it to check their
 * query plans. Only this test reaches inside. */
#include "internal.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int vax_open_at_version(const char *path, int flags, int target, vax_db **out);

/* A temporary directory with a file name in it that does not exist yet. */
typedef struct scratch {
    char dir[64];
    char path[128];
} scratch;

static void scratch_make(scratch *s)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/vaxdb.XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->path, sizeof s->path, "%s/site.db", s->dir);
    vax_clock_set(T0);
    vax_set_lang("en");
}

static void scratch_remove(scratch *s)
{
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", s->path, suffix[i]);
        unlink(p);
    }
    assert_int_equal(rmdir(s->dir), 0);
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
    sqlite3_close(db);
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

typedef struct file_bytes {
    unsigned char *data;
    size_t size;
} file_bytes;

static file_bytes read_all(const char *path)
{
    file_bytes b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    b.size = (size_t)n;
    b.data = malloc(b.size + 1);
    assert_non_null(b.data);
    assert_int_equal(fread(b.data, 1, b.size, f), b.size);
    fclose(f);
    return b;
}

static void assert_same_file(const char *path, file_bytes before)
{
    file_bytes now = read_all(path);
    assert_int_equal(now.size, before.size);
    assert_memory_equal(now.data, before.data, before.size);
    free(now.data);
    free(before.data);
}

/* A standalone number n in s (not part of a longer number). */
static int has_number(const char *s, int n)
{
    char want[16];
    size_t len = (size_t)snprintf(want, sizeof want, "%d", n);
    for (const char *p = strstr(s, want); p; p = strstr(p + 1, want)) {
        int digit_before = p > s && p[-1] >= '0' && p[-1] <= '9';
        int digit_after = p[len] >= '0' && p[len] <= '9';
        if (!digit_before && !digit_after)
            return 1;
    }
    return 0;
}

/* ---- a new file ---------------------------------------------------------------------------- */

static void test_new_database_and_its_wal_are_private_0600(void **state)
{
    (void)state;
    scratch s;
    char wal[160];
    struct stat sb;
    vax_db *db = NULL;
    scratch_make(&s);
    mode_t old = umask(0); /* the widest umask: the mode must not depend on it */
    int rc = vax_open(s.path, VAX_OPEN_CREATE, &db);
    umask(old);
    assert_int_equal(rc, VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    assert_int_equal(vax_setting_set(db, "site.note", "written"), VAX_OK);
    assert_int_equal(stat(s.path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(wal, sizeof wal, "%s-wal", s.path);
    assert_int_equal(stat(wal, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(vax_db_schema_version(db), VAX_SCHEMA_VERSION);
    vax_close(db);
    scratch_remove(&s);
}

static void test_handle_uses_wal_foreign_keys_and_full_sync(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    sqlite3 *own = t->db->sql;
    assert_int_equal(raw_int(own, "PRAGMA foreign_keys"), 1);
    assert_int_equal(raw_int(own, "PRAGMA synchronous"), 2);
    /* journal_mode is stored in the file: a second connection sees it. */
    sqlite3 *other = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(t->path, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(other, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(raw_int(other, "PRAGMA application_id"), 0x56415853);
    assert_int_equal(raw_int(other, "PRAGMA user_version"), VAX_SCHEMA_VERSION);
    sqlite3_close(other);
    tdb_close(t);
}

static void test_new_database_has_every_table_the_core_uses(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    const char *tables[] = {"staff",  "setting",        "site",       "audit", "priority_group",
                            "person", "person_history", "person_fts", "visit", "visit_event",
                            "dose"};
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open_v2(t->path, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE name = '%s'",
                 tables[i]);
        if (raw_int(other, sql) != 1)
            fail_msg("table %s is missing from a new database (schema version %d)", tables[i],
                     VAX_SCHEMA_VERSION);
    }
    assert_true(raw_int(other, "SELECT count(*) FROM priority_group") >= 5);
    sqlite3_close(other);
    tdb_close(t);
}

/* ---- migrations ---------------------------------------------------------------------------- */

static void test_version_1_file_is_migrated_and_its_people_become_searchable(void **state)
{
    (void)state;
    scratch s;
    vax_db *db = NULL;
    scratch_make(&s);
    assert_int_equal(vax_open_at_version(s.path, VAX_OPEN_CREATE, 1, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), 1);
    vax_close(db);
    raw_exec(s.path, "INSERT INTO person(uuid, national_id, full_name, name_folded, birth_date,"
                     " created_at, updated_at) VALUES ('3f0a2c1e-8d5b-4c8e-9a61-0b7d2e4f5a6c',"
                     " '001090012345', 'Nguyễn Văn Thành', 'nguyen van thanh', '1990-02-03',"
                     " 1634263200, 1634263200)");

    assert_int_equal(vax_open(s.path, 0, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), VAX_SCHEMA_VERSION);
    vax_person found[4];
    int n = 0;
    assert_int_equal(vax_person_search(db, "thanh", found, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(found[0].full_name, "Nguyễn Văn Thành");
    assert_int_equal(vax_person_search(db, "Nguyễn Thành", found, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(vax_person_search(db, "001090012345", found, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    char *report = NULL;
    assert_int_equal(vax_db_check(db, &report), VAX_OK);
    free(report);
    vax_close(db);

    /* Opening again does nothing more. */
    assert_int_equal(vax_open(s.path, 0, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), VAX_SCHEMA_VERSION);
    vax_close(db);
    scratch_remove(&s);
}

/* Schema 12 makes visit_state partial (only the states looked up by state) with urgent DESC. */
static void test_version_11_file_keeps_its_queue_in_the_partial_index_of_version_12(void **state)
{
    (void)state;
    scratch s;
    vax_db *db = NULL;
    scratch_make(&s);
    assert_int_equal(vax_open_at_version(s.path, VAX_OPEN_CREATE, 11, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), 11);
    vax_close(db);
    /* a waiting visit and a finished one of today, and one waiting since yesterday */
    raw_exec(s.path,
             "INSERT INTO site(uuid, code, name, created_at, updated_at)"
             " VALUES ('5b1e7c2a-3d4f-4a6b-8c9d-0e1f2a3b4c5d', 'LC01', 'Lai Chau', 0, 0);"
             "INSERT INTO person(uuid, national_id, full_name, name_folded, birth_date,"
             " created_at, updated_at) VALUES ('3f0a2c1e-8d5b-4c8e-9a61-0b7d2e4f5a6c',"
             " '001090012345', 'Nguyễn Văn Thành', 'nguyen van thanh', '1990-02-03', 0, 0);"
             "INSERT INTO visit(uuid, site_id, day, ticket, person_id, state, arrived_at,"
             " state_since, created_at, updated_at) VALUES"
             " ('0a7e2c1e-8d5b-4c8e-9a61-0b7d2e4f5a01', 1, '2021-10-15', 1, 1, 'done', 1, 1, 1, 1),"
             " ('0a7e2c1e-8d5b-4c8e-9a61-0b7d2e4f5a02', 1, '2021-10-15', 2, 1,"
             " 'waiting_screening', 1, 1, 1, 1),"
             " ('0a7e2c1e-8d5b-4c8e-9a61-0b7d2e4f5a03', 1, '2021-10-14', 1, 1,"
             " 'waiting_screening', 1, 1, 1, 1);");

    assert_int_equal(vax_open(s.path, 0, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), VAX_SCHEMA_VERSION);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open_v2(s.path, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(raw_int(other, "SELECT count(*) FROM pragma_index_list('visit')"
                                    " WHERE name = 'visit_state' AND partial = 1"),
                     1);
    assert_int_equal(raw_int(other, "SELECT desc FROM pragma_index_xinfo('visit_state')"
                                    " WHERE name = 'urgent'"),
                     1);
    /* the index holds the two waiting visits and not the finished one */
    assert_int_equal(raw_int(other, "SELECT count(*) FROM visit INDEXED BY visit_state"
                                    " WHERE state = 'waiting_screening'"),
                     2);
    sqlite3_stmt *st = NULL;
    assert_int_not_equal(sqlite3_prepare_v2(other,
                                            "SELECT count(*) FROM visit INDEXED BY visit_state"
                                            " WHERE state = 'done'",
                                            -1, &st, NULL),
                         SQLITE_OK);
    sqlite3_finalize(st);
    sqlite3_close(other);
    char *report = NULL;
    assert_int_equal(vax_db_check(db, &report), VAX_OK);
    free(report);
    /* and call-next finds today's waiting visit through it */
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    vax_visit v;
    assert_int_equal(vax_queue_call_next(db, VAX_STAGE_SCREENING, "s1", &v), VAX_OK);
    assert_int_equal(v.ticket, 2);
    assert_string_equal(v.day, "2021-10-15");
    assert_int_equal(vax_queue_call_next(db, VAX_STAGE_SCREENING, "s1", &v), VAX_EEMPTY);
    vax_close(db);
    scratch_remove(&s);
}

/* The distinct SQL texts a handle ran while tracing. */
typedef struct sql_seen {
    char *text[64];
    int n;
} sql_seen;

static int trace_sql(unsigned type, void *ctx, void *stmt, void *x)
{
    sql_seen *seen = ctx;
    const char *sql = sqlite3_sql(stmt);
    (void)type;
    (void)x;
    if (!sql || strncmp(sql, "--", 2) == 0) /* trigger bodies */
        return 0;
    for (int i = 0; i < seen->n; i++)
        if (strcmp(seen->text[i], sql) == 0)
            return 0;
    if (seen->n < 64)
        seen->text[seen->n++] = strdup(sql);
    return 0;
}

static void query_plan(sqlite3 *db, const char *sql, char *out, size_t size)
{
    char explain[2048];
    sqlite3_stmt *st = NULL;
    size_t o = 0;
    snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
    out[0] = 0;
    while (sqlite3_step(st) == SQLITE_ROW && o < size)
        o += (size_t)snprintf(out + o, size - o, "%s\n", (const char *)sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
}

/* Every lookup of visits by state (call-next, the board, the observation list) reads the partial
 * index visit_state, which it can only do with the state written into the SQL; call-next's
 * ranking reads it in order and sorts at most the first run of equal keys. */
static void
test_queue_lookups_by_state_read_the_index_and_call_next_sorts_no_whole_queue(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char id[13], name[32], birth[11];
    for (int i = 0; i < 12; i++) {
        vax_visit v;
        tdb_cccd(id, 1940 + i * 5, 'f', 100 + i);
        snprintf(name, sizeof name, "Tran Thi %c", 'a' + i);
        snprintf(birth, sizeof birth, "%d-05-05", 1940 + i * 5);
        int64_t pid = tdb_person(t, name, id, birth, i % 3 ? NULL : "G05");
        assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
        vax_clock_advance(60);
    }
    sql_seen seen = {{NULL}, 0};
    sqlite3_trace_v2(t->db->sql, SQLITE_TRACE_STMT, trace_sql, &seen);
    vax_visit v;
    vax_board board;
    vax_observing *watched = NULL;
    int n = 0;
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "s1", &v), VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "5"), VAX_OK);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "s1", &v), VAX_OK);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_INJECTION, "i1", &v), VAX_EEMPTY);
    assert_int_equal(vax_board_read(t->db, &board), VAX_OK);
    assert_int_equal(vax_observe_list(t->db, &watched, &n), VAX_OK);
    free(watched);
    sqlite3_trace_v2(t->db->sql, 0, NULL, NULL);

    int by_state = 0, ranked_in_order = 0;
    for (int i = 0; i < seen.n; i++) {
        const char *sql = seen.text[i];
        if (strncmp(sql, "SELECT", 6) == 0 && strstr(sql, "FROM visit ") &&
            (strstr(sql, "state = ") || strstr(sql, "state IN ("))) {
            char plan[1024];
            query_plan(t->db->sql, sql, plan, sizeof plan);
            by_state++;
            if (!strstr(plan, "INDEX visit_state") || strstr(plan, "SCAN v"))
                fail_msg("%s\nreads no index:\n%s", sql, plan);
            /* call-next's ranking of those who did not wait too long */
            if (strstr(sql, "state_since > ?4")) {
                ranked_in_order++;
                if (!strstr(plan, "COVERING INDEX visit_state") ||
                    strstr(plan, "USE TEMP B-TREE FOR ORDER BY"))
                    fail_msg("%s\nsorts the whole queue:\n%s", sql, plan);
            }
        }
        free(seen.text[i]);
    }
    assert_true(by_state >= 6); /* 2 stages x 2 passes of call-next, the board's lists */
    assert_int_equal(ranked_in_order, 2);
    tdb_close(t);
}

static void test_file_from_a_newer_vaxsite_is_refused_and_unchanged(void **state)
{
    (void)state;
    scratch s;
    vax_db *db = NULL;
    char sql[64];
    const int newer = VAX_SCHEMA_VERSION + 40;
    scratch_make(&s);
    assert_int_equal(vax_open(s.path, VAX_OPEN_CREATE, &db), VAX_OK);
    vax_close(db);
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", newer);
    raw_exec(s.path, sql);
    file_bytes before = read_all(s.path);

    assert_int_equal(vax_open(s.path, 0, &db), VAX_ENEWER);
    const char *msg = vax_errmsg(db);
    const char *after_path = strstr(msg, s.path);
    after_path = after_path ? after_path + strlen(s.path) : msg;
    if (!has_number(after_path, newer) || !has_number(after_path, VAX_SCHEMA_VERSION))
        fail_msg("message does not name versions %d and %d: %s", newer, VAX_SCHEMA_VERSION, msg);
    vax_close(db);
    assert_same_file(s.path, before);
    scratch_remove(&s);
}

/* ---- foreign and damaged files ------------------------------------------------------------- */

static void test_garbage_file_is_refused_as_damaged_and_unchanged(void **state)
{
    (void)state;
    scratch s;
    vax_db *db = NULL;
    unsigned char junk[16384];
    uint32_t x = 2463534242u;
    scratch_make(&s);
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        junk[i] = (unsigned char)x;
    }
    FILE *f = fopen(s.path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(junk, 1, sizeof junk, f), sizeof junk);
    fclose(f);
    file_bytes before = read_all(s.path);

    assert_int_equal(vax_open(s.path, VAX_OPEN_CREATE, &db), VAX_ECORRUPT);
    assert_non_null(strstr(vax_errmsg(db), s.path));
    assert_non_null(strstr(vax_errmsg(db), "not a vaxsite database"));
    vax_close(db);
    assert_same_file(s.path, before);
    scratch_remove(&s);
}

static void test_sqlite_file_of_another_program_is_refused_and_unchanged(void **state)
{
    (void)state;
    scratch s;
    vax_db *db = NULL;
    scratch_make(&s);
    raw_exec(s.path, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);"
                     "INSERT INTO notes(body) VALUES ('shopping list');");
    file_bytes before = read_all(s.path);

    assert_int_equal(vax_open(s.path, VAX_OPEN_CREATE, &db), VAX_ECORRUPT);
    assert_non_null(strstr(vax_errmsg(db), "another program"));
    vax_close(db);
    assert_same_file(s.path, before);

    /* The same with a user_version of its own. */
    raw_exec(s.path, "PRAGMA user_version = 1");
    before = read_all(s.path);
    assert_int_equal(vax_open(s.path, 0, &db), VAX_ECORRUPT);
    assert_non_null(strstr(vax_errmsg(db), "another program"));
    vax_close(db);
    assert_same_file(s.path, before);
    scratch_remove(&s);
}

/* A 0-byte file (a failed copy, a `touch` by mistake) is not a site: every open refuses it with
 * its name and leaves it empty; only the creation of a site (site init, demo) may fill it. */
static void test_empty_file_is_refused_unless_a_site_is_made_in_it(void **state)
{
    (void)state;
    scratch s;
    vax_db *db = NULL;
    struct stat sb;
    scratch_make(&s);
    FILE *f = fopen(s.path, "wb");
    assert_non_null(f);
    fclose(f);
    const int flags[] = {0, VAX_OPEN_CREATE, VAX_OPEN_READONLY};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        assert_int_equal(vax_open(s.path, flags[i], &db), VAX_ECORRUPT);
        assert_non_null(strstr(vax_errmsg(db), s.path));
        assert_non_null(strstr(vax_errmsg(db), "empty"));
        assert_null(strchr(vax_errmsg(db), '\n'));
        vax_close(db);
        db = NULL;
        assert_int_equal(stat(s.path, &sb), 0);
        assert_int_equal(sb.st_size, 0);
    }
    assert_int_equal(vax_open(s.path, VAX_OPEN_CREATE | VAX_OPEN_EMPTY, &db), VAX_OK);
    assert_true(vax_db_schema_version(db) == VAX_SCHEMA_VERSION);
    vax_close(db);
    scratch_remove(&s);
}

static void test_missing_file_without_create_is_not_found_and_not_made(void **state)
{
    (void)state;
    scratch s;
    vax_db *db = NULL;
    struct stat sb;
    scratch_make(&s);
    assert_int_equal(vax_open(s.path, 0, &db), VAX_ENOTFOUND);
    assert_non_null(strstr(vax_errmsg(db), s.path));
    vax_close(db);
    assert_int_equal(vax_open(s.path, VAX_OPEN_READONLY | VAX_OPEN_CREATE, &db), VAX_ENOTFOUND);
    vax_close(db);
    assert_int_equal(stat(s.path, &sb), -1);
    scratch_remove(&s);
}

static void test_check_of_a_clean_database_is_ok(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char id[13];
    tdb_cccd(id, 1980, 'm', 1);
    tdb_person(t, "Lê Văn Tám", id, "1980-01-01", "G05");
    char *report = (char *)"untouched";
    assert_int_equal(vax_db_check(t->db, &report), VAX_OK);
    assert_null(report);
    tdb_close(t);
}

static void test_check_of_a_damaged_page_reports_corruption_without_crashing(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char path[300];
    snprintf(path, sizeof path, "%s", t->path);
    /* Thousands of rows, in one transaction on a plain connection for speed. */
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                                  " WHERE i < 5000) INSERT INTO setting(key, value, updated_at)"
                                  " SELECT printf('bulk.%06d', i), printf('%0100d', i), 0 FROM n",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    vax_close(t->db);
    t->db = NULL;

    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    struct stat sb;
    assert_int_equal(fstat(fd, &sb), 0);
    const off_t page = 4096;
    off_t pages = sb.st_size / page;
    assert_true(pages > 50);
    unsigned char junk[700];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    /* The head of several pages in the middle of the file: each page's header and cell pointers
     * (bytes in the middle of a page may fall in its free space, which no check reads) */
    for (off_t p = pages / 3; p < pages / 3 + 8; p++)
        assert_int_equal(pwrite(fd, junk, sizeof junk, p * page), (ssize_t)sizeof junk);
    close(fd);

    vax_db *db = NULL;
    int rc = vax_open(path, 0, &db);
    if (rc == VAX_OK) {
        char *report = NULL;
        rc = vax_db_check(db, &report);
        assert_int_equal(rc, VAX_ECORRUPT);
        assert_true(vax_errmsg(db)[0] != 0);
        free(report);
    } else {
        assert_true(vax_errmsg(db)[0] != 0);
    }
    vax_close(db);
    tdb_close(t);
}

/* ---- read-only, settings, words ------------------------------------------------------------ */

static void test_read_only_handle_refuses_writes(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "45"), VAX_OK);
    vax_db *ro = NULL;
    assert_int_equal(vax_open(t->path, VAX_OPEN_READONLY, &ro), VAX_OK);
    char v[16];
    assert_int_equal(vax_setting_get(ro, "queue.max_wait_min", v, sizeof v), VAX_OK);
    assert_string_equal(v, "45");
    /* Without an actor, and with one: both refused. */
    assert_int_not_equal(vax_setting_set(ro, "queue.max_wait_min", "5"), VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(ro, "tester"), VAX_OK);
    assert_int_equal(vax_setting_set(ro, "queue.max_wait_min", "5"), VAX_EIO);
    assert_non_null(strstr(vax_errmsg(ro), "read-only"));
    char id[13];
    tdb_cccd(id, 1980, 'm', 2);
    vax_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.full_name, sizeof p.full_name, "Lê Văn Tám");
    snprintf(p.national_id, sizeof p.national_id, "%s", id);
    snprintf(p.birth_date, sizeof p.birth_date, "1980-01-01");
    assert_int_not_equal(vax_person_add(ro, &p), VAX_OK);
    /* A new OS user cannot be recorded through a read-only handle either. */
    assert_int_equal(vax_staff_act_as_os_user(ro, "someone-else"), VAX_EIO);
    vax_close(ro);
    assert_int_equal(vax_setting_get(t->db, "queue.max_wait_min", v, sizeof v), VAX_OK);
    assert_string_equal(v, "45");
    vax_person found;
    assert_int_equal(vax_person_by_national_id(t->db, id, &found), VAX_ENOTFOUND);
    tdb_close(t);
}

static void test_settings_get_set_and_fallbacks(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char v[64];
    int64_t n = 0;
    assert_int_equal(vax_setting_get(t->db, "queue.max_wait_min", v, sizeof v), VAX_ENOTFOUND);
    assert_int_equal(vax_setting_get_int(t->db, "queue.max_wait_min", 60, &n), VAX_OK);
    assert_int_equal(n, 60);
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "45"), VAX_OK);
    assert_int_equal(vax_setting_get(t->db, "queue.max_wait_min", v, sizeof v), VAX_OK);
    assert_string_equal(v, "45");
    assert_int_equal(vax_setting_get_int(t->db, "queue.max_wait_min", 60, &n), VAX_OK);
    assert_int_equal(n, 45);
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "30"), VAX_OK);
    assert_int_equal(vax_setting_get_int(t->db, "queue.max_wait_min", 60, &n), VAX_OK);
    assert_int_equal(n, 30);
    /* Not a number: refused with its range named, and the value in force is unchanged. */
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "30 minutes"), VAX_EINVAL);
    assert_string_equal(vax_errmsg(t->db),
                        "Setting queue.max_wait_min: a whole number from 1 to 600.");
    assert_int_equal(vax_setting_get_int(t->db, "queue.max_wait_min", 60, &n), VAX_OK);
    assert_int_equal(n, 30);
    /* Unicode values survive, and a short buffer is cut cleanly. */
    assert_int_equal(vax_setting_set(t->db, "site.title", "Trạm Y tế xã"), VAX_OK);
    assert_int_equal(vax_setting_get(t->db, "site.title", v, sizeof v), VAX_OK);
    assert_string_equal(v, "Trạm Y tế xã");
    char small[5];
    assert_int_equal(vax_setting_get(t->db, "site.title", small, sizeof small), VAX_OK);
    assert_string_equal(small, "Tr");
    /* Kept across a reopen. */
    vax_close(t->db);
    assert_int_equal(vax_open(t->path, 0, &t->db), VAX_OK);
    assert_int_equal(vax_setting_get(t->db, "site.title", v, sizeof v), VAX_OK);
    assert_string_equal(v, "Trạm Y tế xã");
    tdb_close(t);
}

static void test_every_status_code_has_words(void **state)
{
    (void)state;
    const int codes[] = {
#define CODE(name, value, words) name,
        VAX_STATUS_LIST(CODE)
#undef CODE
    };
    const char *unknown = vax_status_str(-999);
    assert_true(unknown && unknown[0]);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *w = vax_status_str(codes[i]);
        assert_non_null(w);
        assert_true(w[0] != 0);
        if (codes[i] != VAX_OK)
            assert_string_not_equal(w, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(w, vax_status_str(codes[j]));
    }
    assert_int_equal(sizeof codes / sizeof codes[0], 16);
}

/* ---- a busy database ----------------------------------------------------------------------- */

/* The parent's test_db, left alone in the child: a static keeps it reachable for valgrind. */
static test_db *volatile forked_parent;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_write_lock_held_past_the_busy_timeout_gives_ebusy(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    /* No SQLite connection may cross a fork: close ours and reopen once the child holds the
     * lock (reading a WAL database needs no write lock). */
    vax_close(t->db);
    t->db = NULL;
    forked_parent = t;
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        /* Another station: takes the write lock and sits on it for 6.5 s. */
        sqlite3 *s = NULL;
        char ok = 'n';
        close(ready[0]);
        if (sqlite3_open(t->path, &s) == SQLITE_OK &&
            sqlite3_exec(s, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
            ok = 'y';
        if (write(ready[1], &ok, 1) != 1)
            _exit(2);
        usleep(6500 * 1000);
        sqlite3_exec(s, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(s);
        _exit(ok == 'y' ? 0 : 1);
    }
    close(ready[1]);
    char ok = 0;
    assert_int_equal(read(ready[0], &ok, 1), 1);
    close(ready[0]);
    assert_int_equal(ok, 'y');
    assert_int_equal(vax_open(t->path, 0, &t->db), VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(t->db, "tester"), VAX_OK);

    double start = seconds_now();
    int rc = vax_setting_set(t->db, "queue.max_wait_min", "15");
    double waited = seconds_now() - start;
    assert_int_equal(rc, VAX_EBUSY);
    assert_true(waited >= 4.5);
    const char *msg = vax_errmsg(t->db);
    assert_true(strlen(msg) > 20);
    assert_non_null(strstr(msg, "busy"));

    int status = 0;
    assert_int_equal(waitpid(kid, &status, 0), kid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char v[16];
    assert_int_equal(vax_setting_get(t->db, "queue.max_wait_min", v, sizeof v), VAX_ENOTFOUND);
    /* Once the lock is gone the same write goes through. */
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "15"), VAX_OK);
    forked_parent = NULL;
    tdb_close(t);
}

/* A statement a caller holds stays valid however many others are prepared after it: the cache
 * used to finalize its oldest entry when full, under a caller that still held it. */
/* An import's people take their uuids in batches: each is a version 7 uuid of the RFC 9562
 * variant, each sorts after the one before (within a batch and across batches and single ones),
 * and none repeats. */
static void test_uuids_in_batches_are_version_7_and_strictly_increasing(void **state)
{
    (void)state;
    enum { N = 200 };
    char(*u)[37] = calloc(N + 1, sizeof *u);
    assert_non_null(u);
    assert_int_equal(vax_uuids_v7(u, 70), VAX_OK);
    assert_int_equal(vax_uuid_v7(u[70]), VAX_OK);
    assert_int_equal(vax_uuids_v7(u + 71, N - 71), VAX_OK);
    for (int i = 0; i < N; i++) {
        assert_int_equal(strlen(u[i]), 36);
        assert_int_equal(u[i][8], '-');
        assert_int_equal(u[i][14], '7');
        assert_non_null(strchr("89ab", u[i][19]));
        if (i > 0)
            assert_true(strcmp(u[i - 1], u[i]) < 0);
    }
    free(u);
}

static void put(test_db *t, const char *x)
{
    char sql[80];
    snprintf(sql, sizeof sql, "INSERT INTO nest(x) VALUES ('%s')", x);
    assert_int_equal(sqlite3_exec(t->db->sql, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* What another connection sees: only what is committed. */
static int64_t committed(test_db *t, const char *sql)
{
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int64_t v = raw_int(s, sql);
    sqlite3_close(s);
    return v;
}

static int64_t nest_rows(test_db *t)
{
    return committed(t, "SELECT count(*) FROM nest");
}

/* A transaction begun inside one of vax_tx_begin's is a savepoint: its commit goes into the outer
 * transaction (nothing is on disk before the outer commit), its rollback undoes only its own
 * changes; the outer rollback undoes both. */
static void test_a_transaction_inside_another_is_a_savepoint_of_it(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    assert_int_equal(sqlite3_exec(t->db->sql, "CREATE TABLE nest(x TEXT)", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(vax_tx_begin(t->db), VAX_OK);
    put(t, "outer");
    assert_int_equal(vax_tx_begin(t->db), VAX_OK);
    put(t, "kept");
    assert_int_equal(vax_tx_commit(t->db), VAX_OK);
    assert_int_equal(nest_rows(t), 0); /* not committed yet */
    assert_int_equal(vax_tx_begin(t->db), VAX_OK);
    put(t, "undone");
    vax_tx_rollback(t->db);
    assert_int_equal(vax_tx_commit(t->db), VAX_OK);
    assert_int_equal(nest_rows(t), 2);
    assert_int_equal(committed(t, "SELECT count(*) FROM nest WHERE x = 'undone'"), 0);
    /* the outer rollback takes the inner commit with it */
    assert_int_equal(vax_tx_begin(t->db), VAX_OK);
    assert_int_equal(vax_tx_begin(t->db), VAX_OK);
    put(t, "gone");
    assert_int_equal(vax_tx_commit(t->db), VAX_OK);
    vax_tx_rollback(t->db);
    assert_int_equal(nest_rows(t), 2);
    assert_int_equal(sqlite3_get_autocommit(t->db->sql), 1);
    /* and a transaction after it is an ordinary one again */
    assert_int_equal(vax_tx_begin(t->db), VAX_OK);
    put(t, "later");
    assert_int_equal(vax_tx_commit(t->db), VAX_OK);
    assert_int_equal(nest_rows(t), 3);
    tdb_close(t);
}

static void test_statement_cache_never_frees_a_statement_in_use(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    sqlite3_stmt *held = vax_stmt(t->db, "SELECT ?1 + 1");
    assert_non_null(held);
    sqlite3_bind_int(held, 1, 41);
    char sql[64];
    for (int i = 0; i < 400; i++) { /* more distinct texts than any fixed cache held */
        snprintf(sql, sizeof sql, "SELECT %d", i);
        sqlite3_stmt *other = vax_stmt(t->db, sql);
        assert_non_null(other);
        assert_int_equal(sqlite3_step(other), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(other, 0), i);
        sqlite3_reset(other);
    }
    assert_int_equal(sqlite3_step(held), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(held, 0), 42);
    sqlite3_reset(held);
    /* and the same text still finds the same statement */
    assert_ptr_equal(vax_stmt(t->db, "SELECT ?1 + 1"), held);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_database_and_its_wal_are_private_0600),
        cmocka_unit_test(test_handle_uses_wal_foreign_keys_and_full_sync),
        cmocka_unit_test(test_new_database_has_every_table_the_core_uses),
        cmocka_unit_test(test_version_1_file_is_migrated_and_its_people_become_searchable),
        cmocka_unit_test(test_version_11_file_keeps_its_queue_in_the_partial_index_of_version_12),
        cmocka_unit_test(
            test_queue_lookups_by_state_read_the_index_and_call_next_sorts_no_whole_queue),
        cmocka_unit_test(test_file_from_a_newer_vaxsite_is_refused_and_unchanged),
        cmocka_unit_test(test_garbage_file_is_refused_as_damaged_and_unchanged),
        cmocka_unit_test(test_sqlite_file_of_another_program_is_refused_and_unchanged),
        cmocka_unit_test(test_missing_file_without_create_is_not_found_and_not_made),
        cmocka_unit_test(test_empty_file_is_refused_unless_a_site_is_made_in_it),
        cmocka_unit_test(test_check_of_a_clean_database_is_ok),
        cmocka_unit_test(test_check_of_a_damaged_page_reports_corruption_without_crashing),
        cmocka_unit_test(test_read_only_handle_refuses_writes),
        cmocka_unit_test(test_settings_get_set_and_fallbacks),
        cmocka_unit_test(test_every_status_code_has_words),
        cmocka_unit_test(test_write_lock_held_past_the_busy_timeout_gives_ebusy),
        cmocka_unit_test(test_statement_cache_never_frees_a_statement_in_use),
        cmocka_unit_test(test_uuids_in_batches_are_version_7_and_strictly_increasing),
        cmocka_unit_test(test_a_transaction_inside_another_is_a_savepoint_of_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
