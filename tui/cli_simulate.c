/* cli_simulate.c: `vaxsite simulate` (a site's day through the core, sim.c) and
 * `vaxsite plan advise` (the simulator over candidate plans, the smallest that keeps the limits).
 */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"day",
                                    "seed",
                                    "people",
                                    "capacity",
                                    "capacities",
                                    "opens",
                                    "closes",
                                    "slot-minutes",
                                    "checkin",
                                    "screening",
                                    "rooms",
                                    "product",
                                    "policy",
                                    "no-show",
                                    "walk-ins",
                                    "defer",
                                    "checkin-min",
                                    "screening-min",
                                    "injection-min",
                                    "standby",
                                    "crowd-limit",
                                    "png",
                                    "ascii",
                                    "max-wait",
                                    "screening-range",
                                    "rooms-range",
                                    "checkin-range",
                                    "days",
                                    NULL};

static void usage(void)
{
    fprintf(stderr, "%s",
            _("Usage: vaxsite simulate [DAY] [--seed N] [--people N] [--capacity N]\n"
              "         [--opens HH:MM] [--closes HH:MM] [--slot-minutes N]\n"
              "         [--checkin N] [--screening N] [--rooms N] [--product P]\n"
              "         [--policy plain|vial|both] [--no-show %] [--walk-ins %] [--defer %]\n"
              "         [--checkin-min M] [--screening-min M] [--injection-min M]\n"
              "         [--standby N] [--crowd-limit N] [--png FILE] [--ascii]\n"
              "       vaxsite plan advise DAY [the same options] [--max-wait MIN] [--days N]\n"
              "         [--capacities \"45 50 60\"] [--checkin-range 1-4]\n"
              "         [--screening-range 3-8] [--rooms-range 2-4]\n"
              "The day runs on a scratch copy of the database; the file itself is not changed.\n"
              "With --people N, N made-up people are booked into the day on the copy.\n"));
}

static int int_opt(const args *a, const char *name, int lo, int hi, int *out)
{
    const char *v = opt(a, name);
    char *end;
    if (!v)
        return 1;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < lo || n > hi) {
        fprintf(stderr, _("vaxsite: --%s: a whole number from %d to %d\n"), name, lo, hi);
        return 0;
    }
    *out = (int)n;
    return 1;
}

/* "2.5" minutes -> 25 tenths */
static int minutes_opt(const args *a, const char *name, int *tenths)
{
    const char *v = opt(a, name);
    char *end;
    if (!v)
        return 1;
    double m = strtod(v, &end);
    if (end == v || *end || m <= 0 || m > 120) {
        fprintf(stderr, _("vaxsite: --%s: minutes above 0 and at most 120\n"), name);
        return 0;
    }
    *tenths = (int)(m * 10 + 0.5) > 0 ? (int)(m * 10 + 0.5) : 1;
    return 1;
}

static int read_params(const args *a, vax_sim_params *p, int first_pos)
{
    const char *day = opt(a, "day") ? opt(a, "day") : a->npos > first_pos ? a->pos[first_pos] : "";
    char today[11];
    vax_sim_defaults(p);
    vax_local_date(vax_now(), today);
    if (!*day || !strcmp(day, "tomorrow"))
        vax_date_add(today, 1, p->day);
    else if (!strcmp(day, "today"))
        snprintf(p->day, sizeof p->day, "%s", today);
    else if (vax_date_add(day, 0, p->day) != VAX_OK) {
        fprintf(stderr, _("vaxsite: \"%s\" is not a day (YYYY-MM-DD, today, tomorrow)\n"), day);
        return 0;
    }
    if (opt(a, "seed"))
        p->seed = strtoull(opt(a, "seed"), NULL, 10);
    if (opt(a, "opens"))
        snprintf(p->opens, sizeof p->opens, "%.5s", opt(a, "opens"));
    if (opt(a, "closes"))
        snprintf(p->closes, sizeof p->closes, "%.5s", opt(a, "closes"));
    if (opt(a, "product"))
        snprintf(p->product, sizeof p->product, "%.15s", opt(a, "product"));
    return int_opt(a, "people", 0, 20000, &p->people) &&
           int_opt(a, "capacity", 1, 1000, &p->capacity) &&
           int_opt(a, "slot-minutes", 5, 240, &p->slot_minutes) &&
           int_opt(a, "checkin", 1, 16, &p->checkin_desks) &&
           int_opt(a, "screening", 1, 16, &p->screening_desks) &&
           int_opt(a, "rooms", 1, 16, &p->injection_rooms) &&
           int_opt(a, "no-show", 0, 100, &p->no_show_pct) &&
           int_opt(a, "walk-ins", 0, 100, &p->walkin_pct) &&
           int_opt(a, "defer", 0, 100, &p->defer_pct) &&
           int_opt(a, "standby", 0, 1000, &p->standby_people) &&
           int_opt(a, "crowd-limit", 1, 100000, &p->crowd_limit) &&
           minutes_opt(a, "checkin-min", &p->checkin_tenths) &&
           minutes_opt(a, "screening-min", &p->screening_tenths) &&
           minutes_opt(a, "injection-min", &p->injection_tenths);
}

static double minutes(int s)
{
    return s / 60.0;
}

static void print_table(const char *title, const vax_sim_result *r)
{
    const char *stage[VAX_SIM_STAGES] = {_("check-in"), _("screening"), _("injection")};
    char at[6];
    printf("== %s\n", title);
    printf(_("Booked %d, did not come %d, walk-ins %d, standby phoned %d (came %d): %d came.\n"),
           r->booked, r->no_show, r->walk_ins, r->standby_called, r->standby_came, r->arrived);
    printf(_("Vaccinated %d, deferred at screening %d, left before their turn %d, refused %d.\n"),
           r->vaccinated, r->deferred, r->left, r->failed);
    printf("%s\n", _("Wait (minutes)      people  median     p90     max"));
    for (int k = 0; k < VAX_SIM_STAGES; k++)
        printf("  %-16s %7d %7.1f %7.1f %7.1f\n", stage[k], r->wait[k].n,
               minutes(r->wait[k].median_s), minutes(r->wait[k].p90_s), minutes(r->wait[k].max_s));
    /* what a person lives: the three waits of one visit summed, arrival to the injection room */
    printf("  %-16s %7d %7.1f %7.1f %7.1f\n", _("in all"), r->wait_whole.n,
           minutes(r->wait_whole.median_s), minutes(r->wait_whole.p90_s),
           minutes(r->wait_whole.max_s));
    vax_local_hhmm(r->crowd_max_at, at);
    printf(_("Most people waiting at once: %d (at %s).\n"), r->crowd_max, at);
    printf(_("%s: %d vials opened (%d doses), %d doses given, %d wasted (%.1f %%).\n"), r->product,
           r->vials_opened, r->doses_opened, r->doses_drawn, r->doses_wasted,
           r->doses_opened ? 100.0 * r->doses_wasted / r->doses_opened : 0.0);
    if (r->stock_added)
        printf(_("(The copy received %d simulated doses: the stock on file was short.)\n"),
               r->stock_added);
    printf("%s\n", _("Desk            served   busy min   idle min"));
    for (int i = 0; i < r->ndesks; i++)
        printf("  %-14s %6d %10.0f %10.0f\n", r->desks[i].name, r->desks[i].served,
               minutes(r->desks[i].busy_s), minutes(r->desks[i].idle_s));
}

/* The crowd as bars, one line per quarter hour: the most waiting at once in it. */
static void print_chart(const vax_sim_result *r, int limit, int ascii)
{
    int top = limit, width = 50;
    for (int m = 0; m < r->minutes; m++)
        top = r->crowd[m] > top ? r->crowd[m] : top;
    printf("%s\n", _("People waiting at once, by quarter hour (| marks the limit):"));
    for (int m = 0; m < r->minutes; m += 15) {
        int most = 0;
        char hhmm[6];
        for (int k = m; k < m + 15 && k < r->minutes; k++)
            most = r->crowd[k] > most ? r->crowd[k] : most;
        vax_local_hhmm(r->start + (int64_t)m * 60, hhmm);
        int bar = top ? (most * width + top - 1) / top : 0, mark = top ? limit * width / top : -1;
        printf("%s ", hhmm);
        /* one column past the bars: the limit is marked even when it is the top */
        for (int c = 0; c <= width; c++)
            printf("%s", c == mark ? "|" : c < bar ? (ascii ? "#" : "█") : " ");
        printf(" %d\n", most);
    }
}

static int run_one(vax_db *db, vax_sim_params *p, const char *title, const args *a)
{
    vax_sim_result *r = NULL;
    int rc = vax_sim_run(db, p, &r);
    vax_clock_reset();
    vax_clock_from_env();
    if (rc != VAX_OK)
        return fail_db(db);
    print_table(title, r);
    printf(_("Commits on the scratch copy: synchronous=%s (the site's file, not written: %s).\n"),
           r->sync_scratch, r->sync_site);
    print_chart(r, p->crowd_limit, opt(a, "ascii") != NULL);
    if (opt(a, "png")) {
        if (vax_sim_png(db, r, p->crowd_limit, opt(a, "png")) != VAX_OK)
            rc = fail_db(db);
        else
            printf(_("Chart written to %s.\n"), opt(a, "png"));
    }
    vax_sim_result_free(r);
    return rc;
}

static int simulate(const char *path, const args *a)
{
    vax_sim_params p;
    const char *policy = opt(a, "policy") ? opt(a, "policy") : "plain";
    int rc = 0;
    if (!read_params(a, &p, 1))
        return 2;
    if (strcmp(policy, "plain") && strcmp(policy, "vial") && strcmp(policy, "both")) {
        usage();
        return 2;
    }
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    printf(_("Day %s, seed %llu: desks check-in %d, screening %d, injection rooms %d.\n"), p.day,
           (unsigned long long)p.seed, p.checkin_desks, p.screening_desks, p.injection_rooms);
    if (strcmp(policy, "vial")) {
        p.policy = VAX_SIM_PLAIN;
        rc = run_one(db, &p, _("Calling as the stations do"), a);
    }
    if (!rc && strcmp(policy, "plain")) {
        p.policy = VAX_SIM_VIAL;
        rc = run_one(db, &p, _("Vial-aware calling (standby list, no late vial)"), a);
    }
    vax_close(db);
    return rc;
}

static int parse_range(const char *s, int *lo, int *hi)
{
    if (!s)
        return 1;
    return sscanf(s, "%d-%d", lo, hi) == 2 && *lo >= 1 && *hi >= *lo && *hi <= 16;
}

static int advise(const char *path, const args *a)
{
    vax_sim_params p;
    int max_wait = 30, s_lo = 2, s_hi = 8, r_lo = 2, r_hi = 5, caps[16], ncaps = 0, rc = 0;
    int c_lo, c_hi, best = -1, best_desks = 0, best_cap = 0, best_c = 0, best_s = 0, best_r = 0;
    int days = 1;
    if (!read_params(a, &p, 2) || !int_opt(a, "max-wait", 1, 600, &max_wait) ||
        !int_opt(a, "days", 1, 100, &days))
        return 2;
    uint64_t first_seed = p.seed;
    /* check-in desks are tried too (a line at the door is a crowd as well), from the number
     * given (default 2) unless a range is */
    c_lo = c_hi = p.checkin_desks;
    if (!parse_range(opt(a, "checkin-range"), &c_lo, &c_hi) ||
        !parse_range(opt(a, "screening-range"), &s_lo, &s_hi) ||
        !parse_range(opt(a, "rooms-range"), &r_lo, &r_hi)) {
        usage();
        return 2;
    }
    if (opt(a, "capacities") && p.people > 0) {
        char *buf = strdup(opt(a, "capacities")), *save = NULL;
        if (!buf)
            return 1;
        for (char *t = strtok_r(buf, ", ", &save); t && ncaps < 16; t = strtok_r(NULL, ", ", &save))
            if (atoi(t) > 0)
                caps[ncaps++] = atoi(t);
        free(buf);
    }
    if (!ncaps)
        caps[ncaps++] = p.capacity; /* the day's own bookings keep their slots */
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    p.policy = opt(a, "policy") && !strcmp(opt(a, "policy"), "vial") ? VAX_SIM_VIAL : VAX_SIM_PLAIN;
    printf(_("Plans for %s: p90 of a person's whole wait at most %d min, at most %d waiting at "
             "once.\n"),
           p.day, max_wait, p.crowd_limit);
    /* one simulated day is one draw of who comes when: a plan that keeps the limits on one seed
     * may miss them on the next, so a plan can be judged by the worst of several */
    if (days > 1)
        printf(_("Each plan over %d days (seeds %llu to %llu), judged by its worst day; wasted and "
                 "vaccinated: all days.\n"),
               days, (unsigned long long)first_seed,
               (unsigned long long)(first_seed + (uint64_t)days - 1));
    printf("%s\n", _("per slot  check-in  screening  rooms  p90 check-in  p90 screening  "
                     "p90 injection  p90 in all  crowd  wasted  vaccinated"));
    for (int c = 0; c < ncaps && !rc; c++) {
        for (int cd = c_lo; cd <= c_hi && !rc; cd++) {
            for (int sd = s_lo; sd <= s_hi && !rc; sd++) {
                for (int rm = r_lo; rm <= r_hi && !rc; rm++) {
                    int p90[VAX_SIM_STAGES] = {0}, whole = 0, crowd = 0, wasted = 0, done = 0;
                    p.capacity = caps[c];
                    p.checkin_desks = cd;
                    p.screening_desks = sd;
                    p.injection_rooms = rm;
                    for (int d = 0; d < days && !rc; d++) {
                        vax_sim_result *r = NULL;
                        p.seed = first_seed + (uint64_t)d;
                        if (vax_sim_run(db, &p, &r) != VAX_OK) {
                            rc = fail_db(db);
                            break;
                        }
                        for (int k = 0; k < VAX_SIM_STAGES; k++)
                            p90[k] = r->wait[k].p90_s > p90[k] ? r->wait[k].p90_s : p90[k];
                        whole = r->wait_whole.p90_s > whole ? r->wait_whole.p90_s : whole;
                        crowd = r->crowd_max > crowd ? r->crowd_max : crowd;
                        wasted += r->doses_wasted;
                        done += r->vaccinated;
                        vax_sim_result_free(r);
                    }
                    if (rc)
                        break;
                    /* a person's wait is the three summed: p90s of each stage could all be
                     * under the limit while many people wait past it in all */
                    int ok = whole <= max_wait * 60 && crowd <= p.crowd_limit;
                    printf("%8d %9d %10d %6d %13.1f %14.1f %14.1f %11.1f %6d %7d %11d%s%s\n",
                           caps[c], cd, sd, rm, minutes(p90[0]), minutes(p90[1]), minutes(p90[2]),
                           minutes(whole), crowd, wasted, done, ok ? "  " : "",
                           ok ? _("keeps the limits") : "");
                    /* the smallest plan: fewest desks, then the smallest slots (the least
                     * crowd) */
                    if (ok && (best < 0 || cd + sd + rm < best_desks ||
                               (cd + sd + rm == best_desks && caps[c] < best_cap))) {
                        best = 1;
                        best_desks = cd + sd + rm;
                        best_cap = caps[c];
                        best_c = cd;
                        best_s = sd;
                        best_r = rm;
                    }
                }
            }
        }
    }
    vax_clock_reset();
    vax_clock_from_env();
    if (!rc && best < 0)
        printf("%s\n", _("No plan tried keeps both limits: widen the ranges or open longer."));
    else if (!rc)
        printf(_("Advice: %d per slot, %d check-in desks, %d screening desks, %d injection "
                 "rooms.\n"),
               best_cap, best_c, best_s, best_r);
    vax_close(db);
    return rc;
}

int cli_simulate(const char *path, const args *a)
{
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(a->pos[0], "plan"))
        return advise(path, a);
    return simulate(path, a);
}
