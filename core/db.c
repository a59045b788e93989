/* db.c: the store: open, pragmas, schema migrations (steps from schema.c), errors, the statement
 * cache, transactions, checks. */
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

/* By hand rather than with snprintf: an import of a long list makes a uuid per new person. */
static void uuid_text(const unsigned char b[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = 0;
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

/* The next tick of 1/4096 ms (48 bits of Unix milliseconds, then 12 of the millisecond's
 * fraction), strictly after the last one this process handed out, even when the clock steps
 * back. */
static int v7_tick(uint64_t *t)
{
    static _Atomic uint64_t last;
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return VAX_EINTERNAL;
    uint64_t now = ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) << 12 |
                   (uint64_t)(ts.tv_nsec % 1000000) * 4096 / 1000000;
    uint64_t prev = atomic_load(&last);
    do
        *t = now > prev ? now : prev + 1;
    while (!atomic_compare_exchange_weak(&last, &prev, *t));
    return VAX_OK;
}

/* b: 16 random bytes; the first 8 become the tick and the version, the variant is set. */
static void v7_text(unsigned char *b, uint64_t t, char out[37])
{
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(t >> (52 - 8 * i));
    b[6] = (unsigned char)(0x70 | ((t >> 8) & 0x0F));
    b[7] = (unsigned char)(t & 0xFF);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    uuid_text(b, out);
}

int vax_uuid_v7(char out[37])
{
    unsigned char b[16];
    uint64_t t;
    if (RAND_bytes(b, sizeof b) != 1 || v7_tick(&t) != VAX_OK)
        return VAX_EINTERNAL;
    v7_text(b, t, out);
    return VAX_OK;
}

int vax_uuids_v7(char (*out)[37], size_t n)
{
    unsigned char b[16 * 64];
    for (size_t i = 0; i < n; i += 64) {
        size_t m = n - i < 64 ? n - i : 64;
        if (RAND_bytes(b, (int)(16 * m)) != 1)
            return VAX_EINTERNAL;
        for (size_t k = 0; k < m; k++) {
            uint64_t t;
            if (v7_tick(&t) != VAX_OK)
                return VAX_EINTERNAL;
            v7_text(b + 16 * k, t, out[i + k]);
        }
    }
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
    if (db->tx_depth > 0 && !sqlite3_get_autocommit(db->sql)) {
        rc = tx_exec(db, "SAVEPOINT vax_inner");
        if (rc != SQLITE_OK)
            return vax_fail_sql(db, rc, _("starting to save"));
        db->tx_depth++;
        return VAX_OK;
    }
    rc = tx_exec(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return vax_fail_sql(db, rc, _("starting to save"));
    db->tx_depth = 1;
    return VAX_OK;
}

int vax_tx_commit(vax_db *db)
{
    int nested = db->tx_depth > 1 && !sqlite3_get_autocommit(db->sql);
    int rc = tx_exec(db, nested ? "RELEASE vax_inner" : "COMMIT");
    if (rc != SQLITE_OK) {
        int code = vax_fail_sql(db, rc, _("saving"));
        vax_tx_rollback(db);
        return code;
    }
    db->tx_depth = nested ? db->tx_depth - 1 : 0;
    return VAX_OK;
}

void vax_tx_rollback(vax_db *db)
{
    if (sqlite3_get_autocommit(db->sql)) {
        db->tx_depth = 0; /* (SQLite may have rolled back already, after an I/O error) */
        return;
    }
    if (db->tx_depth > 1) {
        tx_exec(db, "ROLLBACK TO vax_inner");
        tx_exec(db, "RELEASE vax_inner");
        db->tx_depth--;
        return;
    }
    tx_exec(db, "ROLLBACK");
    db->tx_depth = 0;
}

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

/* The file's mark, written by the step that creates the first tables: from then on check_identity
 * tells our files from other programs' SQLite files. */
static int write_application_id(vax_db *db)
{
    char appid[64];
    snprintf(appid, sizeof appid, "PRAGMA application_id=%d", VAX_APPLICATION_ID);
    return exec_sql(db, appid, _("upgrading the database"));
}

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
        const struct vax_schema_step *step = vax_schema_step(version + 1);
        if (!step) {
            rc = vax_fail(db, VAX_EINTERNAL, NULL,
                          _("This program has no step to upgrade the database to schema %d."),
                          version + 1);
            goto fail;
        }
        if ((rc = exec_sql(db, step->sql, _("upgrading the database"))) != VAX_OK)
            goto fail;
        if (version == 0 && (rc = write_application_id(db)) != VAX_OK)
            goto fail;
        if (step->seed && (rc = step->seed(db)) != VAX_OK)
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

/* 1 if path's write-ahead log holds anything: a main file still 0 bytes beside it is a database
 * whose first pages are only in the log, which SQLite reads. */
static int wal_has_frames(const char *path)
{
    char wal[sizeof((struct vax_db *)0)->path + 8];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", path);
    return stat(wal, &sb) == 0 && sb.st_size > 0;
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
    } else if (sb.st_size == 0 && !(flags & VAX_OPEN_EMPTY) && !wal_has_frames(path)) {
        /* SQLite would take it for a new database and the next writer would make a blank site
         * in it: a failed copy or a mistyped name must not pass for the site */
        return vax_fail(db, VAX_ECORRUPT, NULL,
                        _("%s is an empty file (0 bytes), not a vaxsite database; nothing was "
                          "changed. To make a new site in it: vaxsite site init."),
                        path);
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

/* vax_open (site.c) is this and the claim of the device id, which needs the domain modules. */

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

/* The store's own checks: SQLite's integrity check and the foreign keys. What the rows mean
 * (the stock ledger's balance) is checked above this layer, by vax_db_check in site.c. */
int vax_store_check(vax_db *db, char **report, int *problems)
{
    sqlite3_stmt *st;
    vax_buf buf;
    vax_buf_init(&buf);
    int rc;
    *report = NULL;
    *problems = 0;
    rc = sqlite3_prepare_v2(db->sql, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return vax_fail_sql(db, rc, _("checking the database"));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = vax_col_text(st, 0);
        if (strcmp(line, "ok") != 0) {
            vax_buf_printf(&buf, "%s\n", line);
            (*problems)++;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        vax_buf_free(&buf);
        return vax_fail_sql(db, rc, _("checking the database"));
    }
    rc = sqlite3_prepare_v2(db->sql, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            char line[256];
            snprintf(line, sizeof line, _("row %lld of table %s points to a missing %s row"),
                     (long long)sqlite3_column_int64(st, 1), vax_col_text(st, 0),
                     vax_col_text(st, 2));
            vax_buf_printf(&buf, "%s\n", line);
            (*problems)++;
        }
        sqlite3_finalize(st);
    }
    if (buf.failed) {
        vax_buf_free(&buf);
        return vax_fail(db, VAX_ENOMEM, NULL, "%s", vax_status_str(VAX_ENOMEM));
    }
    *report = buf.len ? vax_buf_take(&buf, NULL) : NULL;
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
