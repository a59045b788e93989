/* test_clock.c: the one source of "now": frozen, moved, reset, parsed and read from the env. */
#include "testutil.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Every test starts and ends on the system clock with no clock variables set. */
static int clean(void **state)
{
    (void)state;
    unsetenv("VAXSITE_CLOCK");
    unsetenv("VAXSITE_CLOCK_FILE");
    vax_clock_reset();
    return 0;
}

static int64_t parse(const char *s)
{
    int64_t t = -1;
    if (vax_parse_time(s, &t) != VAX_OK)
        fail_msg("vax_parse_time(\"%s\") refused", s);
    return t;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void near_system_time(int64_t t)
{
    int64_t sys = (int64_t)time(NULL);
    assert_true(t >= sys - 5 && t <= sys + 5);
}

/* ---- set, advance, reset --------------------------------------------------------------------- */

static void test_dates_are_shown_day_month_year(void **state)
{
    (void)state;
    char out[11], same[11] = "2021-10-15";
    vax_date_dmy("2021-10-15", out);
    assert_string_equal(out, "15/10/2021");
    vax_date_dmy(same, same); /* in place */
    assert_string_equal(same, "15/10/2021");
    vax_date_dmy("1963", out); /* not a whole date: as it is */
    assert_string_equal(out, "1963");
    vax_date_dmy("", out);
    assert_string_equal(out, "");
    vax_date_dmy(NULL, out);
    assert_string_equal(out, "");
    vax_date_dmy("2021-10-15T10:00", out); /* longer: its first ten characters */
    assert_string_equal(out, "15/10/2021");
}

static void test_clock_set_freezes_now(void **state)
{
    (void)state;
    vax_clock_set(T0);
    assert_int_equal(vax_now(), T0);
    sleep(1);
    assert_int_equal(vax_now(), T0);
    vax_clock_set(0);
    assert_int_equal(vax_now(), 0);
}

static void test_clock_advance_moves_frozen_clock(void **state)
{
    (void)state;
    vax_clock_set(T0);
    vax_clock_advance(60);
    assert_int_equal(vax_now(), T0 + 60);
    vax_clock_advance(30 * 60);
    assert_int_equal(vax_now(), T0 + 60 + 30 * 60);
    vax_clock_advance(-60);
    assert_int_equal(vax_now(), T0 + 30 * 60);
    vax_clock_advance(0);
    assert_int_equal(vax_now(), T0 + 30 * 60);
}

static void test_clock_advance_on_system_clock_freezes_from_now(void **state)
{
    (void)state;
    vax_clock_reset();
    int64_t before = (int64_t)time(NULL);
    vax_clock_advance(3600);
    int64_t t = vax_now();
    assert_true(t >= before + 3600 && t <= before + 3600 + 5);
    sleep(1);
    assert_int_equal(vax_now(), t); /* now frozen */
}

static void test_clock_reset_returns_to_system_time(void **state)
{
    (void)state;
    vax_clock_set(T0);
    vax_clock_reset();
    near_system_time(vax_now());
    assert_true(vax_now() > T0);
}

/* ---- parsing --------------------------------------------------------------------------------- */

static void test_parse_epoch(void **state)
{
    (void)state;
    assert_int_equal(parse("1634263200"), T0);
    assert_int_equal(parse("@1634263200"), T0);
    assert_int_equal(parse("  1634263200"), T0);
    assert_int_equal(parse("1634263200\n"), T0);
    assert_int_equal(parse("0"), 0);
}

static void test_parse_iso_local_time(void **state)
{
    (void)state;
    /* TZ is Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
    assert_int_equal(parse("2021-10-15T09:00"), T0);
    assert_int_equal(parse("2021-10-15T09:00:00"), T0);
    assert_int_equal(parse("2021-10-15 09:00"), T0);
    assert_int_equal(parse("2021-10-15T09:00:59"), T0 + 59);
    assert_int_equal(parse("2021-10-15T09:00\n"), T0);
    assert_int_equal(parse("2021-10-15"), T0 - 9 * 3600);
    assert_int_equal(parse("2021-10-16T00:00"), T0 + 15 * 3600);
}

static void test_parse_iso_utc_with_z(void **state)
{
    (void)state;
    assert_int_equal(parse("2021-10-15T02:00Z"), T0);
    assert_int_equal(parse("2021-10-15T02:00:00Z"), T0);
    assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse("2021-10-15T09:00Z") - parse("2021-10-15T09:00"), 7 * 3600);
}

static void test_parse_refuses_garbage(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "   ",
        "@",
        "abc",
        "12abc",
        "1634263200Z",
        "2021/10/15",
        "15/10/2021",
        "2021-13-01",
        "2021-00-10",
        "2021-10-32",
        "2021-10-00",
        "2021-10-15T25:00",
        "2021-10-15T09:60",
        "2021-10-15T09:00:61",
        "2021-10-15T9",
        "2021-10-15Txx:00",
        "2021-10-15T09:00Zjunk",
        "2021-10-15T09:00 tomorrow",
        "2021-10-15T-1:00",
        "2021-10-15T09:-5",
        "2021-02-30",
        "2021-04-31T10:00",
        "2021-10",
        "yesterday",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 12345;
        if (vax_parse_time(bad[i], &t) != VAX_EINVAL)
            fail_msg("vax_parse_time(\"%s\") accepted as %lld", bad[i], (long long)t);
    }
}

/* ---- local dates ----------------------------------------------------------------------------- */

static void test_local_date_is_in_vietnam_time(void **state)
{
    (void)state;
    char d[11], hm[6];
    vax_local_date(T0, d);
    assert_string_equal(d, "2021-10-15");
    vax_local_hhmm(T0, hm);
    assert_string_equal(hm, "09:00");
    /* 17:00 UTC is midnight in Hà Nội: the local day changes 7 hours before the UTC one. */
    vax_local_date(parse("2021-10-15T16:59:59Z"), d);
    assert_string_equal(d, "2021-10-15");
    vax_local_date(parse("2021-10-15T17:00:00Z"), d);
    assert_string_equal(d, "2021-10-16");
    vax_local_hhmm(parse("2021-10-15T17:00:00Z"), hm);
    assert_string_equal(hm, "00:00");
    vax_local_date(parse("2020-12-31T17:30:00Z"), d);
    assert_string_equal(d, "2021-01-01");
    vax_local_hhmm(parse("2020-12-31T17:30:00Z"), hm);
    assert_string_equal(hm, "00:30");
}

/* ---- environment ----------------------------------------------------------------------------- */

static void test_env_clock_file_is_read_on_every_call(void **state)
{
    (void)state;
    char dir[] = "/tmp/vaxclock.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/clock", dir);
    write_file(path, "2021-10-15T09:00\n");
    assert_int_equal(setenv("VAXSITE_CLOCK_FILE", path, 1), 0);
    assert_int_equal(vax_clock_from_env(), VAX_OK);
    assert_int_equal(vax_now(), T0);
    sleep(1);
    assert_int_equal(vax_now(), T0); /* frozen until the file changes */
    write_file(path, "@1634263500\n");
    assert_int_equal(vax_now(), T0 + 300);
    write_file(path, "2021-10-15T02:10:00Z");
    assert_int_equal(vax_now(), T0 + 600);
    /* A file that cannot be read or parsed falls back to the system clock, never to 0. */
    write_file(path, "not a time\n");
    near_system_time(vax_now());
    unlink(path);
    near_system_time(vax_now());
    rmdir(dir);
}

static void test_env_clock_file_wins_over_clock(void **state)
{
    (void)state;
    char dir[] = "/tmp/vaxclock.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/clock", dir);
    write_file(path, "1634263200");
    assert_int_equal(setenv("VAXSITE_CLOCK", "2030-01-01T00:00", 1), 0);
    assert_int_equal(setenv("VAXSITE_CLOCK_FILE", path, 1), 0);
    assert_int_equal(vax_clock_from_env(), VAX_OK);
    assert_int_equal(vax_now(), T0);
    unlink(path);
    rmdir(dir);
}

static void test_env_clock_starts_running_clock(void **state)
{
    (void)state;
    assert_int_equal(setenv("VAXSITE_CLOCK", "2021-10-15T09:00", 1), 0);
    assert_int_equal(vax_clock_from_env(), VAX_OK);
    int64_t a = vax_now();
    assert_true(a >= T0 && a <= T0 + 2);
    sleep(1);
    int64_t b = vax_now();
    assert_true(b > a && b <= a + 3); /* it runs */
    assert_int_equal(setenv("VAXSITE_CLOCK", "@1634263200", 1), 0);
    assert_int_equal(vax_clock_from_env(), VAX_OK);
    a = vax_now();
    assert_true(a >= T0 && a <= T0 + 2);
    /* advance freezes it where it is, plus the step */
    vax_clock_advance(60);
    a = vax_now();
    assert_true(a >= T0 + 60 && a <= T0 + 62);
}

static void test_env_bad_clock_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    vax_clock_set(T0);
    assert_int_equal(setenv("VAXSITE_CLOCK", "next tuesday", 1), 0);
    assert_int_equal(vax_clock_from_env(), VAX_EINVAL);
    assert_int_equal(vax_now(), T0);
    assert_int_equal(setenv("VAXSITE_CLOCK", "2021-10-15T25:00", 1), 0);
    assert_int_equal(vax_clock_from_env(), VAX_EINVAL);
    assert_int_equal(vax_now(), T0);
}

static void test_env_unset_or_empty_leaves_clock_alone(void **state)
{
    (void)state;
    vax_clock_set(T0);
    assert_int_equal(vax_clock_from_env(), VAX_OK);
    assert_int_equal(vax_now(), T0);
    assert_int_equal(setenv("VAXSITE_CLOCK", "", 1), 0);
    assert_int_equal(setenv("VAXSITE_CLOCK_FILE", "", 1), 0);
    assert_int_equal(vax_clock_from_env(), VAX_OK);
    assert_int_equal(vax_now(), T0);
}

/* The one calendar of the core: month lengths, leap years of the Gregorian rule (1900 is not,
 * 2000 is), and dates that do not exist refused. */
static void test_calendar_months_and_leap_years(void **state)
{
    (void)state;
    int64_t d;
    assert_int_equal(vax_leap_year(2000), 1);
    assert_int_equal(vax_leap_year(1900), 0);
    assert_int_equal(vax_leap_year(2024), 1);
    assert_int_equal(vax_leap_year(2021), 0);
    assert_int_equal(vax_days_in_month(2024, 2), 29);
    assert_int_equal(vax_days_in_month(2021, 2), 28);
    assert_int_equal(vax_days_in_month(2021, 4), 30);
    assert_int_equal(vax_days_in_month(2021, 13), 0);
    assert_int_equal(vax_date_to_days("2000-02-29", &d), VAX_OK);
    assert_int_equal(vax_date_to_days("1900-02-29", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("2021-02-29", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("2021-13-01", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("2021-04-31", &d), VAX_EINVAL);
    assert_int_equal(vax_date_to_days("2021-12-31", &d), VAX_OK);
    int64_t next;
    assert_int_equal(vax_date_to_days("2022-01-01", &next), VAX_OK);
    assert_int_equal(next - d, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_are_shown_day_month_year),
        cmocka_unit_test(test_calendar_months_and_leap_years),
        cmocka_unit_test_setup_teardown(test_clock_set_freezes_now, clean, clean),
        cmocka_unit_test_setup_teardown(test_clock_advance_moves_frozen_clock, clean, clean),
        cmocka_unit_test_setup_teardown(test_clock_advance_on_system_clock_freezes_from_now, clean,
                                        clean),
        cmocka_unit_test_setup_teardown(test_clock_reset_returns_to_system_time, clean, clean),
        cmocka_unit_test_setup_teardown(test_parse_epoch, clean, clean),
        cmocka_unit_test_setup_teardown(test_parse_iso_local_time, clean, clean),
        cmocka_unit_test_setup_teardown(test_parse_iso_utc_with_z, clean, clean),
        cmocka_unit_test_setup_teardown(test_parse_refuses_garbage, clean, clean),
        cmocka_unit_test_setup_teardown(test_local_date_is_in_vietnam_time, clean, clean),
        cmocka_unit_test_setup_teardown(test_env_clock_file_is_read_on_every_call, clean, clean),
        cmocka_unit_test_setup_teardown(test_env_clock_file_wins_over_clock, clean, clean),
        cmocka_unit_test_setup_teardown(test_env_clock_starts_running_clock, clean, clean),
        cmocka_unit_test_setup_teardown(test_env_bad_clock_is_refused_and_changes_nothing, clean,
                                        clean),
        cmocka_unit_test_setup_teardown(test_env_unset_or_empty_leaves_clock_alone, clean, clean),
    };
    /* The expected instants below are for Vietnam; meson's test environment sets the same. */
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
