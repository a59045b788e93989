/* search.c: registry search benchmark: bulk-load N people, then indexed search vs a LIKE scan, and
 * the duplicate check at registration. */
#include "vax.h"

#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH_ROWS 50000 /* rows per bulk-load transaction */
#define RESULTS_MAX 20
#define WARMUP_QUERIES 20
#define SLOWEST_SHOWN 3
#define ADD_SAMPLES 200 /* durable vax_person_add calls, for comparison with the bulk load */

/* ---- names ----------------------------------------------------------------------------------- */

/* Family names with rough shares (per mille) of the population: Nguyễn alone is ~38%. */
static const struct {
    const char *name;
    int share;
} families[] = {
    {"Nguyễn", 380}, {"Trần", 110}, {"Lê", 95},    {"Phạm", 70}, {"Hoàng", 51}, {"Huỳnh", 50},
    {"Phan", 45},    {"Vũ", 39},    {"Võ", 30},    {"Đặng", 21}, {"Bùi", 20},   {"Đỗ", 14},
    {"Hồ", 13},      {"Ngô", 13},   {"Dương", 10}, {"Lý", 5},    {"Đinh", 5},   {"Đào", 5},
    {"Trương", 5},   {"Lâm", 4},    {"Mai", 3},    {"Tô", 2},    {"Hà", 2},     {"Lương", 2},
    {"Trịnh", 2},    {"Cao", 2},    {"Châu", 1},   {"Tạ", 1},
};

static const char *const middle_m[] = {"Văn",   "Đức",  "Minh", "Quốc",  "Hữu",  "Thanh",
                                       "Công",  "Ngọc", "Xuân", "Hoàng", "Gia",  "Anh",
                                       "Trọng", "Tuấn", "Bá",   "Đình",  "Mạnh", "Việt"};
static const char *const middle_f[] = {"Thị",   "Ngọc",  "Thu",  "Thanh", "Phương", "Kim",
                                       "Bảo",   "Mỹ",    "Hồng", "Diệu",  "Minh",   "Thùy",
                                       "Khánh", "Quỳnh", "Bích", "Hoài",  "Tuyết",  "Lệ"};
static const char *const given_m[] = {
    "Hùng",  "Dũng",  "Minh",  "Tuấn", "Nam",   "Long", "Huy",   "Khoa",  "Phúc", "Thắng",
    "Cường", "Hải",   "Sơn",   "Đạt",  "Trung", "Hiếu", "Quang", "Thành", "Vinh", "Bình",
    "Tài",   "Lộc",   "Khang", "Kiên", "Đông",  "Tùng", "Phong", "Hoàng", "Việt", "An",
    "Duy",   "Thịnh", "Nghĩa", "Lực",  "Toàn",  "Khải", "Quý",   "Bảo",   "Đức",  "Tâm"};
static const char *const given_f[] = {
    "Lan",   "Hương", "Hoa",   "Mai", "Linh", "Trang", "Thảo", "Hằng",   "Ngọc",  "Yến",
    "Nhung", "Hạnh",  "Loan",  "Vy",  "Ánh",  "Tuyết", "Thủy", "Phượng", "Quyên", "Nga",
    "Hà",    "Oanh",  "Trinh", "Nhi", "Dung", "Giang", "Hiền", "Uyên",   "Xuân",  "Châu",
    "Diệp",  "Huyền", "My",    "Thư", "Trâm", "Ngân",  "Khuê", "Duyên",  "Liên",  "Thơ"};
static const char *const communes[] = {
    "Phường Bến Nghé", "Phường Hàng Bạc", "Phường Láng Hạ",   "Xã Đông Anh",  "Xã Tân Phú",
    "Phường Cầu Kho",  "Xã Nhơn Trạch",   "Phường Thảo Điền", "Xã Hòa Phước", "Phường Vĩnh Hải"};

/* Province codes (from the CCCD list in person.c): people beyond the first million move on to
 * the next province so that every ID stays unique. */
static const int provinces[] = {1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- deterministic people -------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct gen_person {
    char full_name[160];
    char national_id[13];
    char birth_date[11];
    char sex[2];
    char phone[11];
    const char *commune;
};

/* Person number i, always the same for the same i: queries can be built from any person without
 * keeping a million of them in memory. */
static void gen_person(uint64_t i, struct gen_person *p)
{
    uint64_t s = i * 0x2545F4914F6CDD1Dull + 42, r = splitmix64(&s);
    int female = (int)(r & 1), year = 1930 + (int)((r >> 1) % 76);
    int month = 1 + (int)((r >> 8) % 12), day = 1 + (int)((r >> 12) % 28);
    int share = (int)((r >> 20) % 1000), f = 0;
    /* 7919 is prime to 10^6, so serials are a permutation of the first million people. */
    unsigned serial = (unsigned)(((i % 1000000) * 7919 + 12345) % 1000000);
    int code = (year >= 2000 ? 2 : 0) + female;
    const char *const *mid = female ? middle_f : middle_m;
    const char *const *giv = female ? given_f : given_m;
    size_t nmid = female ? COUNT(middle_f) : COUNT(middle_m);
    size_t ngiv = female ? COUNT(given_f) : COUNT(given_m);

    while (f < (int)COUNT(families) - 1 && share >= families[f].share)
        share -= families[f++].share;
    r = splitmix64(&s);
    size_t m1 = (size_t)(r % nmid), m2 = (size_t)((r >> 16) % nmid), g = (size_t)((r >> 32) % ngiv);
    /* About one name in four has two middle names (Nguyễn Thị Thu Hương). */
    if (((r >> 48) & 3) == 0 && m2 != m1)
        snprintf(p->full_name, sizeof p->full_name, "%s %s %s %s", families[f].name, mid[m1],
                 mid[m2], giv[g]);
    else
        snprintf(p->full_name, sizeof p->full_name, "%s %s %s", families[f].name, mid[m1], giv[g]);
    snprintf(p->national_id, sizeof p->national_id, "%03d%d%02d%06u",
             provinces[(i / 1000000) % COUNT(provinces)], code, year % 100, serial);
    snprintf(p->birth_date, sizeof p->birth_date, "%04d-%02d-%02d", year, month, day);
    p->sex[0] = female ? 'f' : 'm';
    p->sex[1] = 0;
    r = splitmix64(&s);
    snprintf(p->phone, sizeof p->phone, "09%08u", (unsigned)(r % 100000000));
    p->commune = communes[(r >> 32) % COUNT(communes)];
}

/* ---- timing and the table -------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile (p in 0..100) of n samples; sorts v. */
static double percentile(double *v, size_t n, double p)
{
    size_t k;
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    k = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
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

/* ---- bulk load ------------------------------------------------------------------------------- */

static int sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "search: %s: %s\n", sql, err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

/* Inserts people [from, to) in transactions of BATCH_ROWS rows, with the columns person.c writes
 * (priority_group NULL, version and updated_by left to their defaults). */
static int load_people(sqlite3 *db, uint64_t from, uint64_t to)
{
    static const char sql[] =
        "INSERT INTO person(uuid, national_id, insurance_no, full_name, name_folded, birth_date,"
        " sex, phone, commune, priority_group, created_at, updated_at)"
        " VALUES (?1, ?2, '', ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?9)";
    sqlite3_stmt *st = NULL;
    int64_t now = vax_now();
    int rc = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "search: preparing the load: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    for (uint64_t i = from; i < to;) {
        if (sql_exec(db, "BEGIN") != 0)
            goto out;
        for (uint64_t end = i + BATCH_ROWS < to ? i + BATCH_ROWS : to; i < end; i++) {
            struct gen_person p;
            char uuid[37], *name, *folded;
            gen_person(i, &p);
            name = vax_text_nfc(p.full_name);
            folded = name ? vax_text_fold(name) : NULL;
            if (!name || !folded || vax_uuid(uuid) != VAX_OK) {
                free(name);
                free(folded);
                fprintf(stderr, "search: out of memory or no random bytes\n");
                goto out;
            }
            sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, p.national_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, folded, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, p.birth_date, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, p.sex, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 7, p.phone, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 8, p.commune, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 9, now);
            int step = sqlite3_step(st);
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            free(name);
            free(folded);
            if (step != SQLITE_DONE) {
                fprintf(stderr, "search: inserting person %llu: %s\n", (unsigned long long)i,
                        sqlite3_errmsg(db));
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                goto out;
            }
        }
        if (sql_exec(db, "COMMIT") != 0)
            goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

static char *trigger_sql(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                           " AND name = 'person_fts_ai'",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static int64_t int_query(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static double file_mb(const char *path, const char *suffix)
{
    char p[4200];
    struct stat sb;
    snprintf(p, sizeof p, "%s%s", path, suffix);
    return stat(p, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : 0;
}

/* ---- queries --------------------------------------------------------------------------------- */

enum qkind {
    Q_PREFIX,
    Q_PREFIX_MARKS,
    Q_FULL_MARKS,
    Q_FULL_FOLDED,
    Q_ID_PREFIX,
    Q_ID,
    Q_NAME_DATE,
    Q_COUNT
};

static const char *const qkind_words[Q_COUNT] = {
    "1-3 word prefixes, folded", "1-3 word prefixes, with marks", "full name, with marks",
    "full name, folded",         "ID prefix (4-11 digits)",       "full 12-digit ID",
    "name + birth year or date"};

struct query {
    enum qkind kind;
    char text[192];
    char *folded; /* vax_text_fold(text), for the LIKE baseline */
    double indexed_ms, scan_ms;
    int hits;
    int shown;
};

/* Splits s at spaces into at most max words (in place). */
static int split_words(char *s, char **w, int max)
{
    int n = 0;
    for (char *t = strtok(s, " "); t && n < max; t = strtok(NULL, " "))
        w[n++] = t;
    return n;
}

/* Appends the first k code points of word to out. */
static void append_prefix(char *out, size_t size, const char *word, int k)
{
    size_t len = 0;
    const unsigned char *p = (const unsigned char *)word;
    while (p[len] && k > 0) {
        len++;
        while ((p[len] & 0xC0) == 0x80)
            len++;
        k--;
    }
    size_t o = strlen(out);
    if (o + len + 2 < size) {
        if (o)
            out[o++] = ' ';
        memcpy(out + o, word, len);
        out[o + len] = 0;
    }
}

static void make_query(uint64_t people, uint64_t *rng, struct query *q)
{
    uint64_t r = splitmix64(rng);
    struct gen_person p;
    int pick = (int)(r % 100);
    gen_person((r >> 8) % people, &p);
    q->text[0] = 0;
    q->kind = pick < 35   ? Q_PREFIX
              : pick < 50 ? Q_PREFIX_MARKS
              : pick < 60 ? Q_FULL_MARKS
              : pick < 68 ? Q_FULL_FOLDED
              : pick < 82 ? Q_ID_PREFIX
              : pick < 88 ? Q_ID
                          : Q_NAME_DATE;
    switch (q->kind) {
    case Q_PREFIX:
    case Q_PREFIX_MARKS: {
        char *src = q->kind == Q_PREFIX ? vax_text_fold(p.full_name) : strdup(p.full_name);
        char *w[8];
        int nw, k;
        if (!src)
            break;
        nw = split_words(src, w, 8);
        k = 1 + (int)(splitmix64(rng) % 3);
        if (k > nw)
            k = nw;
        /* k distinct words in random order, each cut to 1-4 letters */
        for (int j = 0; j < k; j++) {
            int at = j + (int)(splitmix64(rng) % (uint64_t)(nw - j));
            char *t = w[j];
            w[j] = w[at];
            w[at] = t;
            append_prefix(q->text, sizeof q->text, w[j], 1 + (int)(splitmix64(rng) % 4));
        }
        free(src);
        break;
    }
    case Q_FULL_MARKS:
        snprintf(q->text, sizeof q->text, "%s", p.full_name);
        break;
    case Q_FULL_FOLDED: {
        char *f = vax_text_fold(p.full_name);
        snprintf(q->text, sizeof q->text, "%s", f ? f : "");
        free(f);
        break;
    }
    case Q_ID_PREFIX:
        snprintf(q->text, sizeof q->text, "%.*s", 4 + (int)(splitmix64(rng) % 8), p.national_id);
        break;
    case Q_NAME_DATE: {
        /* "huong 1954", "bui trang 14/12", "hương 12/1954", "14/12/1954 huong", "huong 14121954" */
        char *src = splitmix64(rng) % 2 ? vax_text_fold(p.full_name) : strdup(p.full_name);
        char *w[8], name[128] = "", date[16];
        int y = 0, m = 0, d = 0;
        uint64_t c = splitmix64(rng);
        if (!src)
            break;
        int nw = split_words(src, w, 8);
        sscanf(p.birth_date, "%d-%d-%d", &y, &m, &d);
        if (c % 2 && nw > 1)
            append_prefix(name, sizeof name, w[0], 64);
        append_prefix(name, sizeof name, w[nw - 1], 64);
        switch ((c >> 8) % 5) {
        case 0:
            snprintf(date, sizeof date, "%d", y);
            break;
        case 1:
            snprintf(date, sizeof date, "%d/%d", d, m);
            break;
        case 2:
            snprintf(date, sizeof date, "%d/%d", m, y);
            break;
        case 3:
            snprintf(date, sizeof date, "%02d/%02d/%d", d, m, y);
            break;
        default:
            snprintf(date, sizeof date, "%02d%02d%04d", d, m, y);
            break;
        }
        if ((c >> 16) % 4 == 0)
            snprintf(q->text, sizeof q->text, "%s %s", date, name);
        else
            snprintf(q->text, sizeof q->text, "%s %s", name, date);
        free(src);
        break;
    }
    case Q_ID:
    case Q_COUNT:
        snprintf(q->text, sizeof q->text, "%s", p.national_id);
        break;
    }
    q->folded = vax_text_fold(q->text);
}

/* Loads `people` people (the first tenth through the FTS trigger, as vax_person_add would index
 * them; the rest without it, then indexed in one pass) and times ADD_SAMPLES durable adds. */
static int load_all(vax_db *vdb, sqlite3 *raw, const char *path, const char *trig, long people)
{
    /* the index of the rest in one pass: the 'rebuild' of a contentless FTS5 table */
    uint64_t with_trigger = (uint64_t)people / 10, total = (uint64_t)people;
    double t0 = now_s();
    if (load_people(raw, 0, with_trigger) != 0)
        return -1;
    double t1 = now_s();
    if (sql_exec(raw, "DROP TRIGGER person_fts_ai") != 0)
        return -1;
    if (load_people(raw, with_trigger, total) != 0)
        return -1;
    double t2 = now_s();
    if (sql_exec(raw, "BEGIN") != 0)
        return -1;
    char index_sql[256];
    /* The same terms as the trigger: core/db.c keeps them in the view person_fts_terms. */
    snprintf(index_sql, sizeof index_sql,
             "INSERT INTO person_fts(rowid, terms) SELECT id, terms FROM person_fts_terms"
             " WHERE id > %llu",
             (unsigned long long)with_trigger);
    if (sql_exec(raw, index_sql) != 0 || sql_exec(raw, trig) != 0) {
        sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (sql_exec(raw, "COMMIT") != 0)
        return -1;
    double t3 = now_s();
    if (sql_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)") != 0)
        return -1;
    double t4 = now_s();

    double rows_b = (double)(total - with_trigger);
    char fig[96];
    snprintf(fig, sizeof fig, "load with FTS trigger (first %llu rows)",
             (unsigned long long)with_trigger);
    row(fig, "-", "%.2f s, %.0f rows/s", t1 - t0, (double)with_trigger / (t1 - t0));
    snprintf(fig, sizeof fig, "load, table only (next %llu rows)",
             (unsigned long long)(total - with_trigger));
    row(fig, "-", "%.2f s, %.0f rows/s", t2 - t1, rows_b / (t2 - t1));
    row("FTS index build, INSERT ... SELECT (same rows)", "-", "%.2f s, %.0f rows/s", t3 - t2,
        rows_b / (t3 - t2));
    row("per-row cost: trigger vs table + build", "-", "%.1f us vs %.1f + %.1f us",
        (t1 - t0) / (double)(with_trigger ? with_trigger : 1) * 1e6, (t2 - t1) / rows_b * 1e6,
        (t3 - t2) / rows_b * 1e6);
    row("total load + index + checkpoint", "-", "%.2f s, %.0f rows/s", t4 - t0,
        (double)total / (t4 - t0));
    int64_t fts_bytes = int_query(raw, "SELECT sum(length(block)) FROM person_fts_data");
    row("database file size", "-", "%.1f MB (FTS data %.1f MB)",
        file_mb(path, "") + file_mb(path, "-wal"), (double)fts_bytes / (1024.0 * 1024.0));

    /* Durable single adds through the API, to set the bulk rate beside what a station gets. */
    if (vax_staff_act_as_os_user(vdb, "bench") != VAX_OK) {
        fprintf(stderr, "search: %s\n", vax_errmsg(vdb));
        return -1;
    }
    double ta = now_s();
    for (uint64_t i = total; i < total + ADD_SAMPLES; i++) {
        struct gen_person g;
        vax_person p;
        gen_person(i, &g);
        memset(&p, 0, sizeof p);
        snprintf(p.full_name, sizeof p.full_name, "%s", g.full_name);
        snprintf(p.national_id, sizeof p.national_id, "%s", g.national_id);
        snprintf(p.birth_date, sizeof p.birth_date, "%s", g.birth_date);
        snprintf(p.phone, sizeof p.phone, "%s", g.phone);
        snprintf(p.commune, sizeof p.commune, "%s", g.commune);
        p.sex = g.sex[0];
        if (vax_person_add(vdb, &p) != VAX_OK) {
            fprintf(stderr, "search: adding %s: %s\n", g.national_id, vax_errmsg(vdb));
            return -1;
        }
    }
    double tb = now_s();
    snprintf(fig, sizeof fig, "vax_person_add, own durable commit (%d)", ADD_SAMPLES);
    row(fig, "-", "%.0f rows/s, %.2f ms each", ADD_SAMPLES / (tb - ta),
        (tb - ta) / ADD_SAMPLES * 1e3);

    return 0;
}

/* ---- main ------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: search [--people N] [--db PATH [--reuse]] [--queries N]"
                    " [--baseline-queries N]\n"
                    "  --people N            people to load (default 1000000)\n"
                    "  --db PATH             a new database file to keep (default: a temporary "
                    "file, removed at the end)\n"
                    "  --reuse               search the --db file an earlier run kept, with the "
                    "same --people, instead of loading anew (a change to the search is timed in "
                    "seconds, not minutes)\n"
                    "  --queries N           indexed searches to time (default 1000)\n"
                    "  --baseline-queries N  of those, how many also run as a LIKE scan "
                    "(default 100)\n");
}

static int parse_count(const char *s, long min, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"people", required_argument, NULL, 'p'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"queries", required_argument, NULL, 'q'},
                                         {"baseline-queries", required_argument, NULL, 'b'},
                                         {"reuse", no_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    long people = 1000000, nq = 1000, nbase = 100;
    const char *db_arg = NULL;
    char path[4200] = "", tmpdir[4096] = "";
    vax_db *vdb = NULL;
    sqlite3 *raw = NULL;
    char *trig = NULL;
    struct query *qs = NULL;
    double *lat = NULL;
    vax_person *out = NULL;
    int status = 1, c, reuse = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        long *dst = c == 'p' ? &people : c == 'q' ? &nq : c == 'b' ? &nbase : NULL;
        if (c == 'd') {
            db_arg = optarg;
        } else if (c == 'r') {
            reuse = 1;
        } else if (dst && parse_count(optarg, c == 'b' ? 0 : 1, dst) == 0) {
            continue;
        } else {
            usage();
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind < argc || people < 20 || (reuse && !db_arg)) {
        usage();
        return 2;
    }
    if (nbase > nq)
        nbase = nq;
    if (db_arg) {
        if (!reuse && access(db_arg, F_OK) == 0) {
            fprintf(stderr, "search: %s exists; give the path of a new file\n", db_arg);
            return 2;
        }
        snprintf(path, sizeof path, "%s", db_arg);
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/vaxbench-search.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "search: cannot make a temporary folder %s: %s\n", tmpdir,
                    strerror(errno));
            return 1;
        }
        snprintf(path, sizeof path, "%s/search.db", tmpdir);
    }

    if (vax_open(path, VAX_OPEN_CREATE, &vdb) != VAX_OK) {
        fprintf(stderr, "search: %s\n", vax_errmsg(vdb));
        goto done;
    }
    if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "search: opening %s: %s\n", path, sqlite3_errmsg(raw));
        goto done;
    }
    sqlite3_busy_timeout(raw, 5000);
    /* A bulk import may use a large page cache; it does not change the file that results. */
    if (sql_exec(raw, "PRAGMA cache_size=-262144") != 0)
        goto done;
    if (!(trig = trigger_sql(raw))) {
        fprintf(stderr, "search: %s has no person_fts_ai trigger (schema %d)\n", path,
                vax_db_schema_version(vdb));
        goto done;
    }

    printf("vaxsite search benchmark: %ld people, %ld searches (%ld also as LIKE scans)\n", people,
           nq, nbase);
    printf("database: %s%s\n", path, db_arg ? "" : " (temporary, removed at the end)");
    printf("load: %d rows per transaction; the first 10%% with the FTS trigger, the rest with the "
           "trigger dropped and then indexed by one INSERT ... SELECT\n\n",
           BATCH_ROWS);
    table_head();

    char fig[96];
    if (reuse) {
        int64_t have = int_query(raw, "SELECT count(*) FROM person");
        if (have < people) {
            fprintf(stderr, "search: %s holds %lld people, not %ld\n", path, (long long)have,
                    people);
            goto done;
        }
        snprintf(fig, sizeof fig, "reused, loaded by an earlier run");
        row(fig, "-", "%lld people", (long long)have);
    } else if (load_all(vdb, raw, path, trig, people) != 0) {
        goto done;
    }

    /* Queries. */
    uint64_t rng = 20210501;
    if (!(qs = calloc((size_t)nq, sizeof *qs)) || !(lat = calloc((size_t)nq, sizeof *lat)) ||
        !(out = calloc(RESULTS_MAX, sizeof *out))) {
        fprintf(stderr, "search: out of memory\n");
        goto done;
    }
    for (long i = 0; i < nq; i++) {
        make_query((uint64_t)people, &rng, &qs[i]);
        if (!qs[i].folded) {
            fprintf(stderr, "search: out of memory\n");
            goto done;
        }
    }
    for (int i = 0; i < WARMUP_QUERIES; i++) {
        int n;
        vax_person_search(vdb, qs[i % nq].text, out, RESULTS_MAX, &n);
    }
    long with_hits = 0;
    for (long i = 0; i < nq; i++) {
        int n = 0;
        double a = now_s();
        int rc = vax_person_search(vdb, qs[i].text, out, RESULTS_MAX, &n);
        double b = now_s();
        if (rc != VAX_OK) {
            fprintf(stderr, "search: searching \"%s\": %s\n", qs[i].text, vax_errmsg(vdb));
            goto done;
        }
        qs[i].indexed_ms = (b - a) * 1e3;
        qs[i].hits = n;
        with_hits += n > 0;
    }
    for (long i = 0; i < nq; i++)
        lat[i] = qs[i].indexed_ms;
    double med = percentile(lat, (size_t)nq, 50), p99 = percentile(lat, (size_t)nq, 99);
    snprintf(fig, sizeof fig, "indexed search median (%ld queries)", nq);
    row(fig, "-", "%.3f ms", med);
    snprintf(fig, sizeof fig, "indexed search p99 (%ld queries)", nq);
    row(fig, "< 5 ms", "%.3f ms %s", p99, p99 < 5.0 ? "(met)" : "(NOT met)");
    row("queries with at least one result", "all", "%ld of %ld", with_hits, nq);
    for (int k = 0; k < Q_COUNT; k++) {
        size_t n = 0;
        for (long i = 0; i < nq; i++)
            if (qs[i].kind == (enum qkind)k)
                lat[n++] = qs[i].indexed_ms;
        if (n == 0)
            continue;
        double kmed = percentile(lat, n, 50), kp99 = percentile(lat, n, 99);
        const char *worst = "";
        for (long i = 0; i < nq; i++)
            if (qs[i].kind == (enum qkind)k && qs[i].indexed_ms == lat[n - 1])
                worst = qs[i].folded;
        snprintf(fig, sizeof fig, "  %s (%zu)", qkind_words[k], n);
        row(fig, "p99 < 5 ms", "med %.3f, p99 %.3f, max %.3f ms \"%.24s\"", kmed, kp99, lat[n - 1],
            worst);
    }
    /* The slowest searches, by their folded text (ASCII keeps the table aligned). */
    for (int k = 0; k < SLOWEST_SHOWN && k < nq; k++) {
        long worst = -1;
        for (long i = 0; i < nq; i++)
            if (!qs[i].shown && (worst < 0 || qs[i].indexed_ms > qs[worst].indexed_ms))
                worst = i;
        qs[worst].shown = 1;
        snprintf(fig, sizeof fig, "  slowest #%d: \"%.24s\"", k + 1, qs[worst].folded);
        row(fig, "-", "%.3f ms, %d results", qs[worst].indexed_ms, qs[worst].hits);
    }

    /* The duplicate check at registration (vax_person_duplicates, as the desk, the command line
     * and the import run it before adding anyone): half of the checks are a registered person
     * again under a new ID (one candidate at least), half someone new (the same name and a birth
     * date nobody in the load has), each with an old CMND to look up as a card gives it. */
    {
        vax_person p, cand[8];
        long nd = nq, found = 0;
        for (long i = 0; i < nd; i++) {
            struct gen_person g;
            uint64_t who = splitmix64(&rng) % (uint64_t)people;
            int n = 0;
            gen_person(who, &g);
            memset(&p, 0, sizeof p);
            snprintf(p.full_name, sizeof p.full_name, "%s", g.full_name);
            snprintf(p.birth_date, sizeof p.birth_date, "%s", g.birth_date);
            if (i % 2)
                memcpy(p.birth_date, "2006", 4); /* the load's years end in 2005 */
            double a = now_s();
            int rc = vax_person_duplicates(vdb, &p, "079123456", cand, 8, &n);
            lat[i] = (now_s() - a) * 1e3;
            if (rc != VAX_OK) {
                fprintf(stderr, "search: duplicate check: %s\n", vax_errmsg(vdb));
                goto done;
            }
            found += (i % 2 == 0) == (n > 0);
        }
        double dmed = percentile(lat, (size_t)nd, 50), dp99 = percentile(lat, (size_t)nd, 99);
        snprintf(fig, sizeof fig, "duplicate check at registration (%ld)", nd);
        row(fig, "p99 <= 5 ms", "med %.3f, p99 %.3f ms %s", dmed, dp99,
            dp99 <= 5.0 ? "(met)" : "(NOT met)");
        row("  found as expected (a namesake, or none)", "all", "%ld of %ld", found, nd);
    }

    /* Baseline: a LIKE scan of name_folded with the folded query, on a subset. */
    if (nbase > 0) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(raw,
                               "SELECT id, full_name FROM person"
                               " WHERE name_folded LIKE '%' || ?1 || '%' LIMIT 20",
                               -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "search: preparing the scan: %s\n", sqlite3_errmsg(raw));
            goto done;
        }
        for (long i = 0; i < nbase; i++) {
            double a = now_s();
            int rc;
            sqlite3_bind_text(st, 1, qs[i].folded, -1, SQLITE_STATIC);
            while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                ;
            sqlite3_reset(st);
            qs[i].scan_ms = (now_s() - a) * 1e3;
            if (rc != SQLITE_DONE) {
                fprintf(stderr, "search: scan: %s\n", sqlite3_errmsg(raw));
                sqlite3_finalize(st);
                goto done;
            }
        }
        sqlite3_finalize(st);
        for (long i = 0; i < nbase; i++)
            lat[i] = qs[i].scan_ms;
        double smed = percentile(lat, (size_t)nbase, 50), sp99 = percentile(lat, (size_t)nbase, 99);
        for (long i = 0; i < nbase; i++)
            lat[i] = qs[i].indexed_ms;
        double imed = percentile(lat, (size_t)nbase, 50), ip99 = percentile(lat, (size_t)nbase, 99);
        snprintf(fig, sizeof fig, "LIKE scan median (first %ld queries)", nbase);
        row(fig, "-", "%.3f ms", smed);
        snprintf(fig, sizeof fig, "LIKE scan p99 (first %ld queries)", nbase);
        row(fig, "-", "%.3f ms", sp99);
        snprintf(fig, sizeof fig, "indexed median / p99 (same %ld)", nbase);
        row(fig, "-", "%.3f / %.3f ms", imed, ip99);
        row("speed-up, median (scan / indexed)", ">= 100x", "%.1fx %s", smed / imed,
            smed / imed >= 100 ? "(met)" : "(NOT met)");
        row("speed-up, p99 (scan / indexed)", ">= 100x", "%.1fx %s", sp99 / ip99,
            sp99 / ip99 >= 100 ? "(met)" : "(NOT met)");
    } else {
        row("LIKE scan baseline", ">= 100x", "skipped (--baseline-queries 0)");
    }
    status = 0;

done:
    if (qs)
        for (long i = 0; i < nq; i++)
            free(qs[i].folded);
    free(qs);
    free(lat);
    free(out);
    free(trig);
    if (raw)
        sqlite3_close(raw);
    vax_close(vdb);
    if (!db_arg && tmpdir[0]) {
        const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < COUNT(suffixes); i++) {
            char p[4200];
            snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
            unlink(p);
        }
        rmdir(tmpdir);
    }
    return status;
}
