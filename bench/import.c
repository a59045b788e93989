/* bench/import.c: how long a pre-registration list takes to import (target: 100,000 rows in under
 * 5 s): the dry run (every row checked) and the real import (one transaction), into a new
 * registry and again into the same one (every row already there).
 * Run: build/bench/import [--rows N] */
#include "vax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

int main(int argc, char **argv)
{
    int rows = 100000;
    for (int i = 1; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "--rows"))
            rows = atoi(argv[i + 1]);
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
    static const char *const what[] = {"dry run (every row checked)", "import into a new registry",
                                       "the same list again (all registered)"};
    vax_import_opts opts[] = {{1, 0, 0}, {0, 0, 0}, {0, 0, 1}};
    for (int k = 0; k < 3; k++) {
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
    }
    vax_close(db);
    free(csv);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
