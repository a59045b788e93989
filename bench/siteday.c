/* siteday.c: a whole site day (1,000 booked by default) simulated through the core (sim.c) for
 * each product asked for (AZ, 10-dose vials, and Pfizer, 6-dose, by default), with the plain
 * calling and the vial-aware one on the same arrivals; prints the figures, the time each
 * simulation took, and the targets met or not:
 *   open-vial wastage <= 2 % with the vial-aware policy (the figure without it printed too),
 *   median wait <= 15 min and p90 <= 30 min (a person's whole wait, arrival to the injection
 *   room's call, and each stage's), the crowd never above the configured limit, and one day
 *   simulated in <= 10 s. */
#include "vax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double minutes(int s)
{
    return s / 60.0;
}

static void print_result(const char *name, const vax_sim_result *r, double took)
{
    static const char *const stage[] = {"check-in", "screening", "injection"};
    char at[6];
    vax_local_hhmm(r->crowd_max_at, at);
    printf("== %s (%.1f s to simulate)\n", name, took);
    printf("booked %d, no-show %d, walk-ins %d, standby phoned %d came %d; arrived %d\n", r->booked,
           r->no_show, r->walk_ins, r->standby_called, r->standby_came, r->arrived);
    printf("vaccinated %d, deferred %d, left %d, refused %d\n", r->vaccinated, r->deferred, r->left,
           r->failed);
    for (int k = 0; k < VAX_SIM_STAGES; k++)
        printf("wait %-10s n %4d  median %5.1f  p90 %5.1f  max %5.1f min\n", stage[k], r->wait[k].n,
               minutes(r->wait[k].median_s), minutes(r->wait[k].p90_s), minutes(r->wait[k].max_s));
    printf("wait %-10s n %4d  median %5.1f  p90 %5.1f  max %5.1f min\n", "whole", r->wait_whole.n,
           minutes(r->wait_whole.median_s), minutes(r->wait_whole.p90_s),
           minutes(r->wait_whole.max_s));
    printf("crowd: most waiting at once %d at %s\n", r->crowd_max, at);
    printf("%s vials opened %d (%d doses), drawn %d, wasted %d (%.1f %%); db: doses %d, wasted %d;"
           " stock added %d\n",
           r->product, r->vials_opened, r->doses_opened, r->doses_drawn, r->doses_wasted,
           r->doses_opened ? 100.0 * r->doses_wasted / r->doses_opened : 0.0, r->db_doses,
           r->db_wasted, r->stock_added);
    for (int i = 0; i < r->ndesks; i++)
        printf("  %-12s served %4d  busy %5.0f min  idle %5.0f min\n", r->desks[i].name,
               r->desks[i].served, minutes(r->desks[i].busy_s), minutes(r->desks[i].idle_s));
    printf("crowd by quarter hour:");
    for (int m = 0; m < r->minutes; m += 15) {
        int most = 0;
        for (int k = m; k < m + 15 && k < r->minutes; k++)
            most = r->crowd[k] > most ? r->crowd[k] : most;
        printf(" %d", most);
    }
    printf("\n");
}

struct target_row {
    char product[16], policy[12];
    int opened, wasted, median_s, p90_s, worst_stage_p90_s, crowd;
    double took;
};

static const char *verdict(int ok)
{
    return ok ? "ok" : "MISSED";
}

int main(int argc, char **argv)
{
    vax_sim_params p;
    char dir[] = "/tmp/vaxbench.XXXXXX", path[64], products[64] = "AZ PF";
    const char *policy = "both", *png = NULL;
    int seeds = 1, capacity = 0, quiet = 0;
    vax_db *db = NULL;
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
    vax_set_lang("en");
    vax_sim_defaults(&p);
    snprintf(p.day, sizeof p.day, "2021-10-16");
    p.people = 1000;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(k, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!v)
            k = "--help";
        i++;
        if (!strcmp(k, "--people"))
            p.people = atoi(v);
        else if (!strcmp(k, "--seed"))
            p.seed = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--seeds"))
            seeds = atoi(v);
        else if (!strcmp(k, "--capacity"))
            capacity = atoi(v);
        else if (!strcmp(k, "--checkin"))
            p.checkin_desks = atoi(v);
        else if (!strcmp(k, "--screening"))
            p.screening_desks = atoi(v);
        else if (!strcmp(k, "--rooms"))
            p.injection_rooms = atoi(v);
        else if (!strcmp(k, "--crowd-limit"))
            p.crowd_limit = atoi(v);
        else if (!strcmp(k, "--product"))
            snprintf(products, sizeof products, "%s", v);
        else if (!strcmp(k, "--policy"))
            policy = v;
        else if (!strcmp(k, "--png"))
            png = v;
        else {
            fprintf(stderr, "usage: siteday [--people N] [--seed S] [--seeds N] [--capacity N]"
                            " [--checkin N] [--screening N] [--rooms N] [--crowd-limit N]"
                            " [--product \"AZ PF\"] [--policy plain|vial|both] [--png FILE]"
                            " [--quiet]\n");
            return 2;
        }
    }
    /* slots enough for everyone booked unless a capacity is given: 1,000 people do not fit the
     * default 50 per slot of 07:30-16:30 (900) */
    int slots =
        ((atoi(p.closes) * 60 + atoi(p.closes + 3)) - (atoi(p.opens) * 60 + atoi(p.opens + 3))) /
        p.slot_minutes;
    p.capacity = capacity > 0 ? capacity : slots > 0 ? (p.people + slots - 1) / slots : 50;
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/site.db", dir);
    if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK ||
        vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        fprintf(stderr, "siteday: %s\n", vax_errmsg(db));
        return 1;
    }
    printf("site day %s: %d booked, %s-%s, %d per %d-min slot; desks: check-in %d, screening %d,"
           " injection rooms %d; crowd limit %d\n",
           p.day, p.people, p.opens, p.closes, p.capacity, p.slot_minutes, p.checkin_desks,
           p.screening_desks, p.injection_rooms, p.crowd_limit);
    struct target_row rows[32];
    int nrows = 0;
    char sync_scratch[8] = "", sync_site[8] = "";
    uint64_t first = p.seed;
    char list[64], *save = NULL;
    snprintf(list, sizeof list, "%s", products);
    for (char *prod = strtok_r(list, ", ", &save); prod; prod = strtok_r(NULL, ", ", &save)) {
        vax_product pr;
        if (vax_product_get(db, prod, &pr) != VAX_OK) {
            fprintf(stderr, "siteday: no product %s\n", prod);
            return 1;
        }
        snprintf(p.product, sizeof p.product, "%s", prod);
        for (int k = 0; k < 2; k++) {
            if ((k == 0 && !strcmp(policy, "vial")) || (k == 1 && !strcmp(policy, "plain")))
                continue;
            struct target_row *row = &rows[nrows < 31 ? nrows++ : 31];
            memset(row, 0, sizeof *row);
            snprintf(row->product, sizeof row->product, "%s", prod);
            snprintf(row->policy, sizeof row->policy, "%s", k ? "vial-aware" : "plain");
            for (int s = 0; s < seeds; s++) {
                vax_sim_result *r = NULL;
                p.policy = k ? VAX_SIM_VIAL : VAX_SIM_PLAIN;
                p.seed = first + (uint64_t)s;
                double t0 = seconds();
                if (vax_sim_run(db, &p, &r) != VAX_OK) {
                    fprintf(stderr, "siteday: %s\n", vax_errmsg(db));
                    return 1;
                }
                double took = seconds() - t0;
                char name[96];
                snprintf(name, sizeof name,
                         "%s (%d-dose vials, %d min open), %s calling, seed %llu", prod,
                         pr.doses_per_vial, pr.open_vial_minutes, row->policy,
                         (unsigned long long)p.seed);
                if (!quiet)
                    print_result(name, r, took);
                snprintf(sync_scratch, sizeof sync_scratch, "%s", r->sync_scratch);
                snprintf(sync_site, sizeof sync_site, "%s", r->sync_site);
                if (png && s == 0 && k == 1 && row == &rows[1]) {
                    if (vax_sim_png(db, r, p.crowd_limit, png) != VAX_OK)
                        fprintf(stderr, "siteday: %s\n", vax_errmsg(db));
                    else
                        printf("plot of this day: %s\n", png);
                }
                /* over several seeds: the sums, and the worst day's waits, crowd and time */
                row->opened += r->doses_opened;
                row->wasted += r->doses_wasted;
                if (r->wait_whole.median_s > row->median_s)
                    row->median_s = r->wait_whole.median_s;
                if (r->wait_whole.p90_s > row->p90_s)
                    row->p90_s = r->wait_whole.p90_s;
                for (int st = 0; st < VAX_SIM_STAGES; st++)
                    if (r->wait[st].p90_s > row->worst_stage_p90_s)
                        row->worst_stage_p90_s = r->wait[st].p90_s;
                if (r->crowd_max > row->crowd)
                    row->crowd = r->crowd_max;
                if (took > row->took)
                    row->took = took;
                vax_sim_result_free(r);
            }
        }
    }
    printf("durable commits: synchronous=%s on the scratch copy only (the site's file: %s)\n",
           sync_scratch, sync_site);
    printf("targets over %d seed(s) from %llu (worst day; wastage over all days):\n", seeds,
           (unsigned long long)first);
    printf("product policy      wasted of opened        median<=15  p90<=30     stage p90  "
           "crowd<=%-4d  day<=10s\n",
           p.crowd_limit);
    for (int i = 0; i < nrows; i++) {
        const struct target_row *w = &rows[i];
        double pct = w->opened ? 100.0 * w->wasted / w->opened : 0.0;
        int vial = !strcmp(w->policy, "vial-aware");
        printf(
            "%-7s %-11s %4d of %5d %5.1f %% %-6s %5.1f %-6s %5.1f %-6s %5.1f %5d %-6s %5.1f %s\n",
            w->product, w->policy, w->wasted, w->opened, pct, vial ? verdict(pct <= 2.0) : "(info)",
            minutes(w->median_s), verdict(w->median_s <= 15 * 60), minutes(w->p90_s),
            verdict(w->p90_s <= 30 * 60), minutes(w->worst_stage_p90_s), w->crowd,
            verdict(w->crowd <= p.crowd_limit), w->took, verdict(w->took <= 10.0));
    }
    vax_close(db);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char f[96];
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        unlink(f);
    }
    rmdir(dir);
    return 0;
}
