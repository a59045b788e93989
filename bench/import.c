/* bench/import.c: how long a pre-registration list takes to import (target: 100,000 rows in under
 * 5 s on a quiet machine, and within 5x of the sqlite3 shell's .import of the same file into a bare
 * table, measured in the same run so that the machine's load weighs on both): the dry run (every
 * row checked) and the real import (one transaction), into a new registry and again into the same
 * one (every row already there), then `sqlite3 .import` of the same CSV into a fresh database.
 * Then the floor: the same people copied by one INSERT ... SELECT from the registry that now holds
 * them into an empty one, with their search terms and outbox rows written by the import's own bulk
 * statements, in one transaction, no row read or checked: what the registry's
 * data model writes for 100,000 registrations, which no importer can go below; and the people alone
 * (the person rows with their indexes, no search index, no outbox).
 * Run: build/bench/import [--rows N] [--no-sqlite3] [--import-only]
 * (--import-only: the import into a new registry alone, e.g. under a profiler) */
#include "internal.h" /* the import's bulk statements, for the floor */
#include "vax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static const char *const family[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"};
static const char *const middle[] = {"Văn", "Thị", "Đức", "Minh", "Thu", "Hữu"};
static const char *const given[] = {"An",  "Bình", "Cường", "Dung",   "Giang", "Hà",  "Khánh",
                                    "Lan", "Mai",  "Nam",   "Phương", "Quân",  "Sơn", "Tâm"};

static void print_load(const char *when)
{
    char line[200] = "";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    printf("load average %s: %s\n", when, line[0] ? line : "unknown");
}

/* The sqlite3 shell imports the same file into a bare table of seven text columns in a fresh
 * database: what reading the CSV and writing its rows costs with no checking, folding, index or
 * audit. Its wall and CPU times (the child's, from wait4) are the yardstick. */
static int sqlite3_import(const char *dir, const char *csv_path, double *wall_s, double *cpu)
{
    char db_path[200], script[400];
    snprintf(db_path, sizeof db_path, "%s/bare.db", dir);
    snprintf(script, sizeof script,
             "CREATE TABLE t(name TEXT, birth TEXT, sex TEXT, national_id TEXT, phone TEXT, "
             "address TEXT, grp TEXT);\n.mode csv\n.separator ;\n.import --skip 1 %s t\n",
             csv_path);
    int in[2];
    if (pipe(in) != 0)
        return -1;
    double a = now_ms();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(in[0], 0);
        close(in[0]);
        close(in[1]);
        execlp("sqlite3", "sqlite3", "-bail", db_path, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    size_t n = strlen(script);
    int ok = write(in[1], script, n) == (ssize_t)n;
    close(in[1]);
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *wall_s = (now_ms() - a) / 1000;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    /* the rows it holds, read back, so that a shell that read the file wrongly is not taken for a
     * fast one */
    char cmd[300];
    long held = -1;
    snprintf(cmd, sizeof cmd, "sqlite3 %s 'SELECT count(*) FROM t'", db_path);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    if (fscanf(f, "%ld", &held) != 1)
        held = -1;
    pclose(f);
    return (int)held;
}

static int exec_sql(sqlite3 *sql, const char *text)
{
    char *err = NULL;
    if (sqlite3_exec(sql, text, NULL, NULL, &err) == SQLITE_OK)
        return 0;
    fprintf(stderr, "bench/import: %s\n", err ? err : "?");
    sqlite3_free(err);
    return -1;
}

static int exec_range_sql(sqlite3 *sql, const char *text, int64_t first, int64_t last)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(sql, text, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, first);
        sqlite3_bind_int64(st, 2, last);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    fprintf(stderr, "bench/import: %s\n", sqlite3_errmsg(sql));
    return -1;
}

/* The floor (see the top): the people of the registry at `from` copied into a new registry at
 * `to`, as the import writes them (triggers off on the connection, then the bulk statements), in
 * one transaction with the import's page cache; `all` 0: the person rows alone. Prints each part;
 * *total_s is the whole. */
static int floor_copy(const char *from, const char *to, int all, double *total_s)
{
    vax_db *db = NULL;
    if (vax_open(to, VAX_OPEN_CREATE, &db) != VAX_OK ||
        vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        fprintf(stderr, "bench/import: %s\n", vax_errmsg(db));
        vax_close(db);
        return -1;
    }
    sqlite3 *sql = db->sql;
    char attach[300], copy[900];
    snprintf(attach, sizeof attach, "ATTACH '%s' AS src", from);
    snprintf(copy, sizeof copy,
             "INSERT INTO person(uuid, national_id, insurance_no, full_name, name_folded,"
             " birth_date, sex, phone, commune, priority_group, created_at, updated_at, updated_by,"
             " ethnicity) SELECT uuid, national_id, insurance_no, full_name, name_folded,"
             " birth_date, sex, phone, commune, priority_group, created_at, updated_at, %lld,"
             " ethnicity FROM src.person ORDER BY id",
             (long long)vax_actor_id(db));
    int rc = exec_sql(sql, attach) || exec_sql(sql, "PRAGMA cache_size = -262144;"
                                                    " PRAGMA temp_store = MEMORY");
    double a = now_ms(), t = a;
    int64_t first = 0, last = 0;
    rc = rc || exec_sql(sql, "BEGIN IMMEDIATE");
    if (!rc) {
        sqlite3_db_config(sql, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
        rc = exec_sql(sql, copy);
        sqlite3_db_config(sql, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, (int *)NULL);
        last = sqlite3_last_insert_rowid(sql);
        first = last - sqlite3_changes(sql) + 1;
    }
    printf("  %-38s %6.2f s\n", "the person rows and their indexes", (now_ms() - t) / 1000);
    if (all && !rc) {
        /* (not the name words: the import counts them as it reads the names, and writes the few
         * distinct ones, fifty here, in no time; the bulk statement's json_each takes 0.3 s) */
        static const char *const part[] = {"search index terms", "outbox rows"};
        const char *const text[] = {vax_person_bulk_fts, vax_sync_person_bulk};
        for (int i = 0; i < 2 && !rc; i++) {
            t = now_ms();
            rc = exec_range_sql(sql, text[i], first, last);
            printf("  %-38s %6.2f s\n", part[i], (now_ms() - t) / 1000);
        }
    }
    t = now_ms();
    rc = rc || exec_sql(sql, "COMMIT");
    printf("  %-38s %6.2f s\n", "commit (WAL, checkpoint)", (now_ms() - t) / 1000);
    *total_s = (now_ms() - a) / 1000;
    vax_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    int rows = 100000, with_sqlite3 = 1, import_only = 0;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--rows") && i + 1 < argc)
            rows = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-sqlite3"))
            with_sqlite3 = 0;
        else if (!strcmp(argv[i], "--import-only"))
            with_sqlite3 = 0, import_only = 1;
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
    size_t cap = (size_t)rows * 160 + 256, len = 0;
    char *csv = malloc(cap);
    if (!csv)
        return 1;
    len += (size_t)snprintf(csv, cap,
                            "\xEF\xBB\xBFHọ và tên;Ngày sinh;Giới tính;Số CCCD;"
                            "Số điện thoại;Địa chỉ;Nhóm ưu tiên\r\n");
    for (int i = 0; i < rows; i++) {
        int year = 1941 + i % 60, male = i % 2 == 0;
        len += (size_t)snprintf(csv + len, cap - len,
                                "%s %s %s;%02d/%02d/%04d;%s;%03d%d%02d%06d;09%08d;"
                                "\"Xã %s, Tam Đường\";%s\r\n",
                                family[i % 8], male ? "Văn" : middle[i % 6], given[i % 14],
                                1 + i % 28, 1 + i % 12, year, male ? "Nam" : "Nữ",
                                1 + (i / 1000000) % 2, (year >= 2000 ? 2 : 0) + (male ? 0 : 1),
                                year % 100, i % 1000000, i, given[i % 14], i % 5 == 0 ? "G05" : "");
    }
    char dir[] = "/tmp/vaxsite-bench-import.XXXXXX", path[128];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/site.db", dir);
    vax_db *db = NULL;
    if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK ||
        vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        fprintf(stderr, "bench/import: %s\n", vax_errmsg(db));
        return 1;
    }
    printf("a list of %d rows, %.1f MB\n", rows, (double)len / 1e6);
    print_load("before");
    double import_wall = 0, import_cpu = 0;
    static const char *const what[] = {"dry run (every row checked)", "import into a new registry",
                                       "the same list again (all registered)"};
    vax_import_opts opts[] = {{1, 0, 0}, {0, 0, 0}, {0, 0, 1}};
    for (int k = import_only ? 1 : 0; k < (import_only ? 2 : 3); k++) {
        vax_import_result r;
        double a = now_ms(), c = cpu_s();
        int rc = vax_import_csv(db, "bench.csv", csv, len, &opts[k], &r);
        double ms = now_ms() - a, cpu = cpu_s() - c;
        if (rc != VAX_OK) {
            fprintf(stderr, "bench/import: %s\n", vax_errmsg(db));
            return 1;
        }
        printf("%-40s %6.2f s (cpu %5.2f s)  %7.0f rows/s  (%d valid, %d refused, %d added, %d "
               "unchanged)\n",
               what[k], ms / 1000, cpu, rows / (ms / 1000), r.valid, r.errors, r.added,
               r.unchanged);
        vax_import_result_free(&r);
        if (k == 1) {
            import_wall = ms / 1000;
            import_cpu = cpu;
        }
    }
    vax_close(db);
    if (with_sqlite3) {
        char csv_path[160];
        snprintf(csv_path, sizeof csv_path, "%s/list.csv", dir);
        FILE *f = fopen(csv_path, "wb");
        /* the shell is given the list without its BOM, which it would keep in the first field */
        if (!f || fwrite(csv + 3, 1, len - 3, f) != len - 3 || fclose(f) != 0) {
            fprintf(stderr, "bench/import: cannot write %s\n", csv_path);
            return 1;
        }
        double wall = 0, cpu = 0;
        int held = sqlite3_import(dir, csv_path, &wall, &cpu);
        if (held != rows) {
            fprintf(stderr,
                    "bench/import: sqlite3 .import failed or holds %d rows, not %d (is the sqlite3 "
                    "shell installed?)\n",
                    held, rows);
            return 1;
        }
        printf("%-40s %6.2f s (cpu %5.2f s)  %7.0f rows/s\n", "sqlite3 .import into a bare table",
               wall, cpu, rows / wall);
        printf("rows %d: our import %.2f s wall, %.2f s cpu; sqlite3 .import %.2f s wall, %.2f s "
               "cpu; ratio %.1fx wall, %.1fx cpu (target: 100,000 rows <= 5 s, ratio <= 5x)\n",
               rows, import_wall, import_cpu, wall, cpu, import_wall / wall, import_cpu / cpu);
        double whole = 0, people = 0;
        char to[160];
        printf("floor: the same people copied into an empty registry as the import writes them "
               "(one INSERT ... SELECT, nothing read or checked):\n");
        snprintf(to, sizeof to, "%s/floor.db", dir);
        if (floor_copy(path, to, 1, &whole) != 0)
            return 1;
        printf("floor: the person rows alone (no search index, no outbox):\n");
        snprintf(to, sizeof to, "%s/floor-people.db", dir);
        if (floor_copy(path, to, 0, &people) != 0)
            return 1;
        printf("floor %.2f s (%.1fx the .import), the people alone %.2f s (%.1fx); our import is "
               "%.1fx the floor\n",
               whole, whole / wall, people, people / wall, import_wall / whole);
    }
    print_load("after");
    free(csv);
    char cmd[200];
    if (getenv("VAX_BENCH_KEEP")) {
        printf("kept %s\n", dir);
        return 0;
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
