/* board.c (bench): how soon the queue display shows a change committed by another process, and
 * what it costs when nothing changes. Runs the real `vaxsite board` in a pseudo-terminal. */
#include "vax.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads whatever the board wrote to the terminal, so that it never blocks on a full pty. */
static void drain(int fd, int wait_ms)
{
    char buf[65536];
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, wait_ms) > 0 && (p.revents & POLLIN)) {
        if (read(fd, buf, sizeof buf) <= 0)
            break;
        wait_ms = 0;
    }
}

/* The newest trace line's data_version, and its time. 0 if none yet. */
static int64_t last_trace(const char *path, double *when)
{
    FILE *f = fopen(path, "r");
    char line[128];
    int64_t version = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        double t;
        long long v;
        if (sscanf(line, "%lf %lld", &t, &v) == 2) {
            version = v;
            *when = t;
        }
    }
    fclose(f);
    return version;
}

static long cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    long utime = 0, stime = 0;
    /* fields after the command: state is 3rd; utime 14th, stime 15th */
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime) != 2)
        return -1;
    return utime + stime;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void row(const char *figure, const char *target, const char *measured)
{
    printf("%-44s | %-16s | %s\n", figure, target, measured);
}

static int cpu_percent(pid_t pid, int fd, int seconds, double *out)
{
    long t0 = cpu_ticks(pid);
    double w0 = mono_s();
    while (mono_s() - w0 < seconds)
        drain(fd, 200);
    long t1 = cpu_ticks(pid);
    if (t0 < 0 || t1 < 0)
        return -1;
    *out = 100.0 * (double)(t1 - t0) / (double)sysconf(_SC_CLK_TCK) / (mono_s() - w0);
    return 0;
}

int main(int argc, char **argv)
{
    int changes = 200, idle = 60;
    const char *bin = VAXSITE_BIN;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--changes") && i + 1 < argc)
            changes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--idle") && i + 1 < argc)
            idle = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--vaxsite") && i + 1 < argc)
            bin = argv[++i];
        else {
            fprintf(stderr, "usage: board [--changes N] [--idle SECONDS] [--vaxsite PATH]\n");
            return 2;
        }
    }
    char dir[] = "/tmp/vaxbench-board.XXXXXX", db_path[256], trace[256];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(db_path, sizeof db_path, "%s/site.db", dir);
    snprintf(trace, sizeof trace, "%s/trace", dir);
    vax_db *db = NULL;
    if (vax_open(db_path, VAX_OPEN_CREATE, &db) != VAX_OK ||
        vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        fprintf(stderr, "board: %s\n", vax_errmsg(db));
        return 1;
    }
    /* the people the changes check in; none under observation, so an idle board has no
     * countdown to redraw */
    for (int i = 0; i < changes; i++) {
        vax_person p;
        memset(&p, 0, sizeof p);
        snprintf(p.full_name, sizeof p.full_name, "Người Thử %c%c", 'A' + i % 26, 'A' + i / 26);
        snprintf(p.national_id, sizeof p.national_id, "0010900%05u", (unsigned)i % 100000u);
        snprintf(p.birth_date, sizeof p.birth_date, "1990-01-01");
        if (vax_person_add(db, &p) != VAX_OK) {
            fprintf(stderr, "board: %s\n", vax_errmsg(db));
            return 1;
        }
    }

    struct winsize ws = {30, 100, 0, 0};
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid < 0) {
        perror("forkpty");
        return 1;
    }
    if (pid == 0) {
        setenv("TERM", "xterm", 1);
        execl(bin, bin, "--db", db_path, "--lang", "en", "board", "--trace", trace, (char *)NULL);
        _exit(127);
    }
    double when = 0, deadline = mono_s() + 10;
    while (last_trace(trace, &when) == 0 && mono_s() < deadline)
        drain(master, 10);
    if (last_trace(trace, &when) == 0) {
        fprintf(stderr, "board: %s did not start (no trace)\n", bin);
        kill(pid, SIGTERM);
        return 1;
    }

    printf("vaxsite board benchmark: %d changes, then %d s idle; vaxsite board in a 100x30 pty\n",
           changes, idle);
    printf("%-44s | %-16s | %s\n", "figure", "target", "measured");
    printf("---------------------------------------------+------------------+------------------\n");

    double *lat = calloc((size_t)changes, sizeof *lat);
    int got = 0;
    for (int i = 0; i < changes; i++) {
        vax_person p;
        vax_visit v;
        char id[13];
        snprintf(id, sizeof id, "0010900%05u", (unsigned)i % 100000u);
        int64_t before = last_trace(trace, &when);
        if (vax_person_by_national_id(db, id, &p) != VAX_OK ||
            vax_queue_checkin(db, p.id, &v) != VAX_OK) {
            fprintf(stderr, "board: %s\n", vax_errmsg(db));
            break;
        }
        double committed = mono_s();
        double limit = committed + 5;
        int64_t now_v;
        while ((now_v = last_trace(trace, &when)) == before && mono_s() < limit)
            drain(master, 1);
        if (now_v != before)
            lat[got++] = (when - committed) * 1000.0;
        drain(master, 20 + rand() % 30); /* changes arrive at uneven moments */
    }
    qsort(lat, (size_t)got, sizeof *lat, cmp_double);
    char m[128];
    snprintf(m, sizeof m, "%d of %d seen", got, changes);
    row("changes the board redrew for", "all", m);
    if (got) {
        snprintf(m, sizeof m, "%.1f ms", lat[got / 2]);
        row("commit -> redraw, median", "-", m);
        snprintf(m, sizeof m, "%.1f ms%s", lat[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1],
                 lat[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1] < 300 ? " (met)"
                                                                                : " (NOT met)");
        row("commit -> redraw, p99", "< 300 ms", m);
    }
    double pct;
    if (cpu_percent(pid, master, idle, &pct) == 0) {
        snprintf(m, sizeof m, "%.2f %%%s", pct, pct < 1.0 ? " (met)" : " (NOT met)");
        char fig[64];
        snprintf(fig, sizeof fig, "CPU idle over %d s", idle);
        row(fig, "< 1 %", m);
    }
    kill(pid, SIGTERM);
    drain(master, 100);
    waitpid(pid, NULL, 0);
    free(lat);
    vax_close(db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "board: could not remove %s\n", dir);
    return got == changes ? 0 : 1;
}
