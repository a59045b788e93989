/* clock.c: the one source of "now"; tests freeze or move it, e2e runs set it from outside. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum clock_mode { CLOCK_SYSTEM, CLOCK_FROZEN, CLOCK_OFFSET, CLOCK_FILE };

static enum clock_mode mode = CLOCK_SYSTEM;
static int64_t frozen_at;
static int64_t offset;
static char clock_file[1024];

static int64_t system_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static int64_t read_clock_file(void)
{
    FILE *f = fopen(clock_file, "r");
    char line[64] = "";
    int64_t t = 0;
    if (!f)
        return system_now();
    if (!fgets(line, sizeof line, f) || vax_parse_time(line, &t) != VAX_OK)
        t = system_now();
    fclose(f);
    return t;
}

int64_t vax_now(void)
{
    switch (mode) {
    case CLOCK_FROZEN:
        return frozen_at;
    case CLOCK_OFFSET:
        return system_now() + offset;
    case CLOCK_FILE:
        return read_clock_file();
    case CLOCK_SYSTEM:
        break;
    }
    return system_now();
}

void vax_clock_set(int64_t t)
{
    mode = CLOCK_FROZEN;
    frozen_at = t;
}

void vax_clock_advance(int64_t dt)
{
    if (mode != CLOCK_FROZEN)
        vax_clock_set(vax_now());
    frozen_at += dt;
}

void vax_clock_reset(void)
{
    mode = CLOCK_SYSTEM;
}

int vax_clock_from_env(void)
{
    const char *file = getenv("VAXSITE_CLOCK_FILE");
    const char *start = getenv("VAXSITE_CLOCK");
    if (file && *file) {
        vax_strlcpy(clock_file, file, sizeof clock_file);
        mode = CLOCK_FILE;
        return VAX_OK;
    }
    if (start && *start) {
        int64_t t;
        if (vax_parse_time(start, &t) != VAX_OK)
            return VAX_EINVAL;
        offset = t - system_now();
        mode = CLOCK_OFFSET;
    }
    return VAX_OK;
}

void vax_local_date(int64_t t, char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void vax_local_hhmm(int64_t t, char out[6])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 6, "%H:%M", &tm);
}

/* ---- the calendar (proleptic Gregorian; core's only copy) ------------------------------------ */

int vax_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int vax_days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && vax_leap_year(y) ? 29 : days[m - 1];
}

/* Accepts "@1700000000", "1700000000", "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (local time) and the
 * same with a trailing 'Z' (UTC). */
int vax_parse_time(const char *s, int64_t *out)
{
    char *end;
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    while (*s == ' ' || *s == '@')
        s++;
    if (strlen(s) <= 12 && strchr(s, '-') == NULL) {
        long long v = strtoll(s, &end, 10);
        while (*end == ' ' || *end == '\n' || *end == '\r')
            end++;
        if (end == s || *end)
            return VAX_EINVAL;
        *out = v;
        return VAX_OK;
    }
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return VAX_EINVAL;
    s += n;
    if (*s == 'T' || *s == ' ') {
        int m = 0;
        if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &m) != 2)
            return VAX_EINVAL;
        s += 1 + m;
        if (*s == ':') {
            if (sscanf(s + 1, "%2d%n", &sec, &m) != 1)
                return VAX_EINVAL;
            s += 1 + m;
        }
    }
    /* %2d also reads a sign, and mktime would quietly turn 30 February into 2 March. */
    if (mo < 1 || mo > 12 || d < 1 || d > vax_days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || sec < 0 || sec > 60)
        return VAX_EINVAL;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    if (*s == 'Z') {
        *out = (int64_t)timegm(&tm);
        s++;
    } else {
        *out = (int64_t)mktime(&tm);
    }
    while (*s == '\n' || *s == '\r' || *s == ' ')
        s++;
    return *s ? VAX_EINVAL : VAX_OK;
}

int64_t vax_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* H. Hinnant's civil_from_days, the inverse of vax_days_from_civil. */
void vax_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int vax_date_to_days(const char *ymd, int64_t *days)
{
    int y, m, d, n = 0;
    if (!ymd || sscanf(ymd, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || ymd[10])
        return VAX_EINVAL;
    if (m < 1 || m > 12 || d < 1)
        return VAX_EINVAL;
    if (d > vax_days_in_month(y, m))
        return VAX_EINVAL;
    *days = vax_days_from_civil(y, m, d);
    return VAX_OK;
}

void vax_days_to_date(int64_t z, char out[11])
{
    int64_t y;
    int m, d;
    char buf[32];
    vax_civil_from_days(z, &y, &m, &d);
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)y % 10000, m, d);
    vax_strlcpy(out, buf, 11);
}

/* A day for vax_date_add and vax_date_diff: YYYY-MM-DD of a year people are vaccinated in. */
static int parse_day(const char *s, int *y, int *m, int *d)
{
    int n = 0;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", y, m, d, &n) != 3 || n != 10)
        return VAX_EINVAL;
    if (*y < 1900 || *y > 2200 || *m < 1 || *m > 12 || *d < 1)
        return VAX_EINVAL;
    if (*d > vax_days_in_month(*y, *m))
        return VAX_EINVAL;
    return VAX_OK;
}

int vax_date_add(const char *day, int n, char out[11])
{
    int y, m, d;
    if (parse_day(day, &y, &m, &d) != VAX_OK)
        return VAX_EINVAL;
    vax_days_to_date(vax_days_from_civil(y, m, d) + n, out);
    return VAX_OK;
}

int vax_date_diff(const char *a, const char *b, int *days)
{
    int y1, m1, d1, y2, m2, d2;
    if (parse_day(a, &y1, &m1, &d1) != VAX_OK || parse_day(b, &y2, &m2, &d2) != VAX_OK)
        return VAX_EINVAL;
    *days = (int)(vax_days_from_civil(y2, m2, d2) - vax_days_from_civil(y1, m1, d1));
    return VAX_OK;
}

void vax_date_dmy(const char *iso, char out[11])
{
    char in[11]; /* a copy: out may be iso itself */
    vax_strlcpy(in, iso ? iso : "", sizeof in);
    if (strlen(in) == 10 && in[4] == '-' && in[7] == '-')
        snprintf(out, 11, "%.2s/%.2s/%.4s", in + 8, in + 5, in);
    else if (strlen(in) == 7 && in[4] == '-') /* a birth known by its month: mm/yyyy */
        snprintf(out, 11, "%.2s/%.4s", in + 5, in);
    else
        vax_strlcpy(out, in, 11);
}
