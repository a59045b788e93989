/* queue.c: queue step benchmark: durable check-in, call-next and move against a bare commit. */
#include "vax.h"

#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define TMPFS_MAGIC_NUMBER 0x01021994
#define BARE_WARMUP 1200 /* > 1000 pages, SQLite's default auto-checkpoint */

static const char *const families[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh",
                                       "Phan",   "Vũ",   "Võ", "Đặng", "Bùi",   "Đỗ"};
static const char *const middles[] = {"Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu"};
static const char *const givens[] = {"Hùng", "Lan", "Hương", "Dũng", "Mai", "Tuấn", "Linh", "Nam"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void table_head(void)
{
    printf("%-48s | %-16s | %s\n", "figure", "target", "measured");
    printf("%.48s-+-%.16s-+-%.24s\n", "----------------------------------------------------------",
           "------------------------", "------------------------");
}

static void row(const char *figure, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void row(const char *figure, const char *target, const char *fmt, ...)
{
    char measured[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(measured, sizeof measured, fmt, ap);
    va_end(ap);
    printf("%-48s | %-16s | %s\n", figure, target, measured);
    fflush(stdout);
}

static int sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "queue: %s: %s\n", sql, err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

/* Loads people 0..n-1 in one transaction, with the columns person.c writes; valid CCCDs (born
 * 1940-1999, serial = i) that agree with birth year and sex. */
static int load_people(const char *path, long n)
{
    static const char sql[] =
        "INSERT INTO person(uuid, national_id, insurance_no, full_name, name_folded, birth_date,"
        " sex, phone, commune, priority_group, created_at, updated_at)"
        " VALUES (?1, ?2, '', ?3, ?4, ?5, ?6, ?7, 'Phường Bến Nghé', NULL, ?8, ?8)";
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "queue: loading people: %s\n", sqlite3_errmsg(db));
        goto out;
    }
    if (sql_exec(db, "BEGIN") != 0)
        goto out;
    for (long i = 0; i < n; i++) {
        int female = (int)(i & 1), year = 1940 + (int)(i % 60);
        char id[16], birth[16], phone[16], name[128], uuid[37], *nfc, *folded;
        snprintf(id, sizeof id, "001%d%02d%06ld", female, year % 100, i % 1000000);
        snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, 1 + (int)(i % 12), 1 + (int)(i % 28));
        snprintf(phone, sizeof phone, "09%08ld", (i * 7919) % 100000000);
        snprintf(name, sizeof name, "%s %s %s", families[i % COUNT(families)],
                 middles[(i / 3) % COUNT(middles)], givens[(i / 7) % COUNT(givens)]);
        nfc = vax_text_nfc(name);
        folded = nfc ? vax_text_fold(nfc) : NULL;
        if (!nfc || !folded || vax_uuid(uuid) != VAX_OK) {
            free(nfc);
            free(folded);
            fprintf(stderr, "queue: out of memory or no random bytes\n");
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            goto out;
        }
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, nfc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, folded, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, birth, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, female ? "f" : "m", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, phone, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 8, vax_now());
        int step = sqlite3_step(st);
        sqlite3_reset(st);
        free(nfc);
        free(folded);
        if (step != SQLITE_DONE) {
            fprintf(stderr, "queue: inserting person %ld: %s\n", i, sqlite3_errmsg(db));
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            goto out;
        }
    }
    if (sql_exec(db, "COMMIT") != 0)
        goto out;
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* The disk's commit limit: single-row INSERT commits into a small table, WAL, synchronous=FULL,
 * on its own connection and file. The connection stays open for the whole run: closing it would
 * delete the WAL file, and commits that grow a new WAL file cost more than ones that reuse it. */
struct bare {
    sqlite3 *db;
    sqlite3_stmt *st;
};

static int bare_commit(struct bare *b)
{
    sqlite3_bind_text(b->st, 1, "waiting_screening", -1, SQLITE_STATIC);
    int rc = sqlite3_step(b->st);
    sqlite3_reset(b->st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "queue: bare commit: %s\n", sqlite3_errmsg(b->db));
        return -1;
    }
    return 0;
}

static int bare_open(struct bare *b, const char *path, long warmup)
{
    if (sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sql_exec(b->db, "PRAGMA journal_mode=WAL") != 0 ||
        sql_exec(b->db, "PRAGMA synchronous=FULL") != 0 ||
        sql_exec(b->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)") != 0 ||
        sqlite3_prepare_v2(b->db, "INSERT INTO t(v) VALUES (?1)", -1, &b->st, NULL) != SQLITE_OK) {
        fprintf(stderr, "queue: bare baseline %s: %s\n", path, sqlite3_errmsg(b->db));
        return -1;
    }
    for (long i = 0; i < warmup; i++)
        if (bare_commit(b) != 0)
            return -1;
    return 0;
}

/* Mean wall seconds per commit over ops commits (or -1), and mean CPU seconds in *cpu. */
static double bare_time(struct bare *b, long ops, double *cpu)
{
    double a = now_s(), ca = cpu_s();
    for (long i = 0; i < ops; i++)
        if (bare_commit(b) != 0)
            return -1;
    *cpu = (cpu_s() - ca) / (double)ops;
    return (now_s() - a) / (double)ops;
}

static void bare_close(struct bare *b)
{
    sqlite3_finalize(b->st);
    sqlite3_close(b->db);
}

/* ---- where the time goes: WAL pages written per commit --------------------------------------- */

/* Frames in the WAL of path since the last wal_restart (a PASSIVE checkpoint through its own
 * connection reports them), or -1. */
static double wal_frames(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    double n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(PASSIVE)", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Which b-trees the first `frames` frames of path's WAL wrote, as pages per step over `steps`
 * steps ("visit 1.0, visit_event 1.0, ..."), into out. A frame is a 24-byte header, whose first
 * four bytes are the page number (big-endian), and a page; dbstat names the b-tree of a page. */
static void wal_trees(const char *path, double frames, long steps, char *out, size_t size)
{
    char wal[4300];
    unsigned char head[32], fh[24];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    struct {
        char name[64];
        int n;
    } tree[64];
    int ntree = 0;
    size_t o = 0;
    out[0] = 0;
    snprintf(wal, sizeof wal, "%s-wal", path);
    FILE *f = fopen(wal, "rb");
    if (!f || fread(head, 1, 32, f) != 32 ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT name FROM dbstat WHERE pageno = ?1", -1, &st, NULL) !=
            SQLITE_OK) {
        snprintf(out, size, "(no breakdown: %s)", db ? sqlite3_errmsg(db) : "no WAL");
        goto done;
    }
    long page_size = (long)head[8] << 24 | head[9] << 16 | head[10] << 8 | head[11];
    for (long i = 0; i < (long)frames; i++) {
        if (fseek(f, 32 + i * (24 + page_size), SEEK_SET) != 0 || fread(fh, 1, 24, f) != 24)
            break;
        int pgno = fh[0] << 24 | fh[1] << 16 | fh[2] << 8 | fh[3];
        const char *name = "(free or new)";
        sqlite3_bind_int(st, 1, pgno);
        if (sqlite3_step(st) == SQLITE_ROW)
            name = (const char *)sqlite3_column_text(st, 0);
        int t;
        for (t = 0; t < ntree && strcmp(tree[t].name, name) != 0; t++)
            ;
        if (t == ntree && ntree < 64) {
            snprintf(tree[t].name, sizeof tree[t].name, "%s", name);
            tree[ntree++].n = 0;
        }
        if (t < 64)
            tree[t].n++;
        sqlite3_reset(st);
    }
    for (int t = 0; t < ntree && o < size; t++)
        o += (size_t)snprintf(out + o, size - o, "%s%s %.1f", t ? ", " : "", tree[t].name,
                              (double)tree[t].n / (double)steps);
done:
    if (f)
        fclose(f);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Checkpoints everything and makes the next writer start the WAL over (RESTART: the file is
 * reused, not truncated, so commits cost what they cost in steady use); 0 or -1. */
static int wal_restart(const char *path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
                     sql_exec(db, "PRAGMA wal_checkpoint(RESTART)") == 0
                 ? 0
                 : -1;
    sqlite3_close(db);
    return rc;
}

/* A bare commit that writes `pages` pages and does nothing else: one row into a table with
 * pages - 1 indexes, each key the next in its index, so every index dirties one leaf. */
static int wide_open(struct bare *b, const char *path, int pages, long warmup)
{
    char sql[2048];
    int o = snprintf(sql, sizeof sql, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL");
    for (int i = 1; i < pages; i++)
        o += snprintf(sql + o, sizeof sql - (size_t)o, ", c%d INTEGER", i);
    o += snprintf(sql + o, sizeof sql - (size_t)o, ");");
    for (int i = 1; i < pages; i++)
        o += snprintf(sql + o, sizeof sql - (size_t)o, "CREATE INDEX t%d ON t(c%d);", i, i);
    char ins[1024] = "INSERT INTO t VALUES (NULL, ?1";
    for (int i = 1; i < pages; i++)
        strcat(ins, ", last_insert_rowid()");
    strcat(ins, ")");
    if (sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sql_exec(b->db, "PRAGMA journal_mode=WAL") != 0 ||
        sql_exec(b->db, "PRAGMA synchronous=FULL") != 0 || sql_exec(b->db, sql) != 0 ||
        sqlite3_prepare_v2(b->db, ins, -1, &b->st, NULL) != SQLITE_OK) {
        fprintf(stderr, "queue: wide baseline %s: %s\n", path, sqlite3_errmsg(b->db));
        return -1;
    }
    for (long i = 0; i < warmup; i++)
        if (bare_commit(b) != 0)
            return -1;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: queue [--ops N] [--people N] [--dir PATH]\n"
                    "  --ops N     steps of each kind (default 2000)\n"
                    "  --people N  people in the registry (default 20000, at least --ops)\n"
                    "  --batch N   people checked in before they are called (default 200)\n"
                    "  --dir PATH  folder for the two temporary databases (default $TMPDIR or "
                    "/tmp); they are removed at the end\n");
}

static int parse_count(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1)
        return -1;
    *out = v;
    return 0;
}

/* Wall time per step against the bare commit; the CPU time shows how much is not disk wait. */
static void print_step(const char *what, long ops, double secs, double cpu, double bare)
{
    char fig[96];
    snprintf(fig, sizeof fig, "%s (%ld)", what, ops);
    row(fig, "-", "%.0f ops/s, %.0f us/op (cpu %.0f), %.2fx bare", (double)ops / secs,
        secs / (double)ops * 1e6, cpu / (double)ops * 1e6, secs / (double)ops / bare);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ops", required_argument, NULL, 'o'}, {"people", required_argument, NULL, 'p'},
        {"dir", required_argument, NULL, 'd'}, {"batch", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    long ops = 2000, people = 20000, batch = 200;
    const char *dir_arg = NULL;
    char dir[4096], path[4200], bare_path[4200];
    int64_t *visits = NULL;
    vax_db *db = NULL;
    int status = 1, c;
    struct statfs fs;
    struct bare bare_db = {NULL, NULL}, wide_db = {NULL, NULL};
    char wide_path[4200] = "";

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'd') {
            dir_arg = optarg;
        } else if ((c == 'o' && parse_count(optarg, &ops) == 0) ||
                   (c == 'p' && parse_count(optarg, &people) == 0) ||
                   (c == 'b' && parse_count(optarg, &batch) == 0)) {
            continue;
        } else {
            usage();
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind < argc) {
        usage();
        return 2;
    }
    if (people < ops)
        people = ops;
    if (people > 600000) {
        fprintf(stderr, "queue: at most 600000 people (their IDs must stay unique)\n");
        return 2;
    }
    if (!dir_arg) {
        const char *t = getenv("TMPDIR");
        dir_arg = t && *t ? t : "/tmp";
    }
    snprintf(dir, sizeof dir, "%s/vaxbench-queue.XXXXXX", dir_arg);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "queue: cannot make a temporary folder in %s: %s\n", dir_arg,
                strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/queue.db", dir);
    snprintf(bare_path, sizeof bare_path, "%s/bare.db", dir);
    if (!(visits = calloc((size_t)ops, sizeof *visits))) {
        fprintf(stderr, "queue: out of memory\n");
        goto done;
    }

    if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK) {
        fprintf(stderr, "queue: %s\n", vax_errmsg(db));
        goto done;
    }
    if (vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        fprintf(stderr, "queue: %s\n", vax_errmsg(db));
        goto done;
    }
    if (load_people(path, people) != 0)
        goto done;
    /* Enough un-timed commits that the WAL has wrapped once, as the registry load made it do. */
    if (bare_open(&bare_db, bare_path, BARE_WARMUP) != 0)
        goto done;

    printf("vaxsite queue benchmark: %ld steps of each kind, %ld people, batches of %ld (the queue "
           "call-next ranks holds %ld down to 1)\n",
           ops, people, batch, batch);
    printf("databases: %s and %s (temporary, removed at the end)\n", path, bare_path);
    if (statfs(dir, &fs) == 0 && fs.f_type == TMPFS_MAGIC_NUMBER)
        printf("warning: %s is on tmpfs, where fsync costs nothing; use --dir on a real disk\n",
               dir);
    printf("each step is its own BEGIN IMMEDIATE ... COMMIT, WAL, synchronous=FULL; actor "
           "os:bench\n\n");
    table_head();

    /* The bare commit is measured before and after the steps; their mean is the yardstick, so a
     * disk that speeds up or slows down during the run does not favour either side. */
    double bare_cpu = 0;
    double bare_before = bare_time(&bare_db, ops, &bare_cpu);
    if (bare_before < 0)
        goto done;
    char fig[96];
    snprintf(fig, sizeof fig, "bare INSERT commit, WAL + FULL, before (%ld)", ops);
    row(fig, "-", "%.0f ops/s, %.0f us/op (cpu %.0f)", 1.0 / bare_before, bare_before * 1e6,
        bare_cpu * 1e6);

    /* The steps run in batches of `batch` people: check them all in, call them all to
     * screening, move them all on. So the queue a call-next ranks goes from `batch` down to 1,
     * as at a busy site (a real queue rarely holds more than a few hundred), rather than
     * growing with --ops. */
    double t_checkin = 0, c_checkin = 0, t_call = 0, c_call = 0, t_move = 0, c_move = 0;
    for (long start = 0; start < ops; start += batch) {
        long end = start + batch < ops ? start + batch : ops;
        double a = now_s(), ca = cpu_s();
        for (long i = start; i < end; i++) { /* (a) check-in: each gets a ticket */
            vax_visit v;
            if (vax_queue_checkin(db, (int64_t)i + 1, &v) != VAX_OK) {
                fprintf(stderr, "queue: check-in of person %ld: %s\n", i + 1, vax_errmsg(db));
                goto done;
            }
            visits[i] = v.id;
        }
        t_checkin += now_s() - a;
        c_checkin += cpu_s() - ca;
        a = now_s();
        ca = cpu_s();
        for (long i = start; i < end; i++) { /* (b) call next to screening */
            vax_visit v;
            char station[32];
            snprintf(station, sizeof station, "screen-%ld", i % 4 + 1);
            if (vax_queue_call_next(db, VAX_STAGE_SCREENING, station, &v) != VAX_OK) {
                fprintf(stderr, "queue: call next (%ld): %s\n", i, vax_errmsg(db));
                goto done;
            }
        }
        t_call += now_s() - a;
        c_call += cpu_s() - ca;
        a = now_s();
        ca = cpu_s();
        for (long i = start; i < end; i++) { /* (c) screening -> eligible */
            if (vax_queue_move(db, visits[i], VAX_STATE_ELIGIBLE, NULL) != VAX_OK) {
                fprintf(stderr, "queue: move of visit %lld: %s\n", (long long)visits[i],
                        vax_errmsg(db));
                goto done;
            }
        }
        t_move += now_s() - a;
        c_move += cpu_s() - ca;
    }

    double bare_after = bare_time(&bare_db, ops, &bare_cpu);
    if (bare_after < 0)
        goto done;
    snprintf(fig, sizeof fig, "bare INSERT commit, WAL + FULL, after (%ld)", ops);
    row(fig, "-", "%.0f ops/s, %.0f us/op (cpu %.0f)", 1.0 / bare_after, bare_after * 1e6,
        bare_cpu * 1e6);
    double bare = (bare_before + bare_after) / 2;
    row("bare commit, mean of before and after", "-", "%.0f ops/s, %.0f us/op", 1.0 / bare,
        bare * 1e6);
    print_step("(a) vax_queue_checkin", ops, t_checkin, c_checkin, bare);
    print_step("(b) vax_queue_call_next -> screening", ops, t_call, c_call, bare);
    print_step("(c) vax_queue_move screening -> eligible", ops, t_move, c_move, bare);

    double avg = (t_checkin + t_call + t_move) / (3.0 * (double)ops);
    row("average step / bare commit", "within 1.5x", "%.2fx (%.0f / %.0f us) %s", avg / bare,
        avg * 1e6, bare * 1e6, avg / bare <= 1.5 ? "(met)" : "(NOT met)");
    double worst = t_checkin > t_call ? t_checkin : t_call;
    worst = worst > t_move ? worst : t_move;
    row("slowest step kind / bare commit", "within 1.5x", "%.2fx %s", worst / (double)ops / bare,
        worst / (double)ops / bare <= 1.5 ? "(met)" : "(NOT met)");

    /* Why: a step commits more pages than the bare INSERT (the visit row, its index, the
     * append-only event with its indexes, the sync outbox row). Count them (untimed steps with
     * the WAL emptied before each kind, fewer than an auto-checkpoint's worth), then time a bare
     * commit that writes as many pages and runs no other SQL: the floor a step cannot go under
     * on this disk whatever its SQL costs. */
    printf("\n");
    long probe = 50, first = ops + 1;
    int64_t probe_visits[50];
    double frames[3], bare_frames;
    char trees[3][1024];
    if (wal_restart(path) != 0 || people < ops + probe) {
        fprintf(stderr, "queue: cannot count pages (need --people >= --ops + 50)\n");
        goto done;
    }
    for (long i = 0; i < probe; i++) {
        vax_visit v;
        if (vax_queue_checkin(db, (int64_t)(first + i), &v) != VAX_OK)
            goto done;
        probe_visits[i] = v.id;
    }
    frames[0] = wal_frames(path);
    wal_trees(path, frames[0], probe, trees[0], sizeof trees[0]);
    frames[0] /= (double)probe;
    wal_restart(path);
    for (long i = 0; i < probe; i++)
        if (vax_queue_call_next(db, VAX_STAGE_SCREENING, "screen-1", NULL) != VAX_OK)
            goto done;
    frames[1] = wal_frames(path);
    wal_trees(path, frames[1], probe, trees[1], sizeof trees[1]);
    frames[1] /= (double)probe;
    wal_restart(path);
    for (long i = 0; i < probe; i++)
        if (vax_queue_move(db, probe_visits[i], VAX_STATE_ELIGIBLE, NULL) != VAX_OK)
            goto done;
    frames[2] = wal_frames(path);
    wal_trees(path, frames[2], probe, trees[2], sizeof trees[2]);
    frames[2] /= (double)probe;
    wal_restart(bare_path);
    double ignored;
    if (bare_time(&bare_db, probe, &ignored) < 0)
        goto done;
    bare_frames = wal_frames(bare_path) / (double)probe;
    row("WAL pages per commit: bare INSERT", "-", "%.1f", bare_frames);
    row("WAL pages per step: check-in / call / move", "-", "%.1f / %.1f / %.1f", frames[0],
        frames[1], frames[2]);
    static const char *const kinds[] = {"check-in", "call", "move"};
    for (int k = 0; k < 3; k++)
        printf("  %s writes: %s\n", kinds[k], trees[k]);
    int pages = (int)((frames[0] + frames[1] + frames[2]) / 3 + 0.5);
    snprintf(wide_path, sizeof wide_path, "%s/wide.db", dir);
    if (wide_open(&wide_db, wide_path, pages, BARE_WARMUP) != 0)
        goto done;
    wal_restart(wide_path);
    if (bare_time(&wide_db, probe, &ignored) < 0)
        goto done;
    double wide_frames = wal_frames(wide_path) / (double)probe;
    /* alternating blocks, so that a disk that drifts during the run favours neither */
    double wide = 0, wide_cpu = 0, bare_again = 0;
    for (int r = 0; r < 10; r++) {
        double w, b, cw;
        if ((w = bare_time(&wide_db, ops / 10, &cw)) < 0 ||
            (b = bare_time(&bare_db, ops / 10, &ignored)) < 0)
            goto done;
        wide += w / 10;
        wide_cpu += cw / 10;
        bare_again += b / 10;
    }
    snprintf(fig, sizeof fig, "bare commit of %.1f pages, no other SQL (%ld)", wide_frames,
             ops / 10 * 10);
    row(fig, "-", "%.0f us/op (cpu %.0f), %.2fx a one-page bare commit (%.0f us)", wide * 1e6,
        wide_cpu * 1e6, wide / bare_again, bare_again * 1e6);
    row("average step / that many-page bare commit", "-", "%.2fx (the SQL and the logic)",
        avg / wide);
    status = 0;

done:
    free(visits);
    bare_close(&bare_db);
    bare_close(&wide_db);
    vax_close(db);
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < COUNT(suffixes); i++) {
        char p[4300];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", bare_path, suffixes[i]);
        unlink(p);
        if (wide_path[0]) {
            snprintf(p, sizeof p, "%s%s", wide_path, suffixes[i]);
            unlink(p);
        }
    }
    rmdir(dir);
    return status;
}
