/* siteday.c: a whole site day (800 booked by default) simulated through the core (sim.c), with
 * the plain calling and the vial-aware one on the same arrivals; prints the figures and the time
 * the simulation took. */
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

int main(int argc, char **argv)
{
    vax_sim_params p;
    char dir[] = "/tmp/vaxbench.XXXXXX", path[64];
    const char *policy = "both";
    int seeds = 1;
    vax_db *db = NULL;
    setenv("TZ", "Asia/Ho_Chi_Minh", 1);
    tzset();
    vax_set_lang("en");
    vax_sim_defaults(&p);
    snprintf(p.day, sizeof p.day, "2021-10-16");
    p.people = 800;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--people"))
            p.people = atoi(v);
        else if (!strcmp(k, "--seed"))
            p.seed = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--seeds"))
            seeds = atoi(v);
        else if (!strcmp(k, "--capacity"))
            p.capacity = atoi(v);
        else if (!strcmp(k, "--checkin"))
            p.checkin_desks = atoi(v);
        else if (!strcmp(k, "--screening"))
            p.screening_desks = atoi(v);
        else if (!strcmp(k, "--rooms"))
            p.injection_rooms = atoi(v);
        else if (!strcmp(k, "--product"))
            snprintf(p.product, sizeof p.product, "%s", v);
        else if (!strcmp(k, "--policy"))
            policy = v;
        else {
            fprintf(stderr, "usage: siteday [--people N] [--seed S] [--seeds N] [--capacity N]"
                            " [--checkin N] [--screening N] [--rooms N] [--product P]"
                            " [--policy plain|vial|both]\n");
            return 2;
        }
    }
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/site.db", dir);
    if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK ||
        vax_staff_act_as_os_user(db, "bench") != VAX_OK) {
        fprintf(stderr, "siteday: %s\n", vax_errmsg(db));
        return 1;
    }
    printf("site day %s: %d booked, %s-%s, %d per %d-min slot; desks: check-in %d, screening %d,"
           " injection rooms %d\n",
           p.day, p.people, p.opens, p.closes, p.capacity, p.slot_minutes, p.checkin_desks,
           p.screening_desks, p.injection_rooms);
    int wasted[2] = {0, 0}, opened[2] = {0, 0};
    uint64_t first = p.seed;
    for (int s = 0; s < seeds; s++) {
        for (int k = 0; k < 2; k++) {
            if ((k == 0 && !strcmp(policy, "vial")) || (k == 1 && !strcmp(policy, "plain")))
                continue;
            vax_sim_result *r = NULL;
            p.policy = k ? VAX_SIM_VIAL : VAX_SIM_PLAIN;
            p.seed = first + (uint64_t)s;
            double t0 = seconds();
            if (vax_sim_run(db, &p, &r) != VAX_OK) {
                fprintf(stderr, "siteday: %s\n", vax_errmsg(db));
                return 1;
            }
            char name[64];
            snprintf(name, sizeof name, "%s calling, seed %llu", k ? "vial-aware" : "plain",
                     (unsigned long long)p.seed);
            print_result(name, r, seconds() - t0);
            wasted[k] += r->doses_wasted;
            opened[k] += r->doses_opened;
            vax_sim_result_free(r);
        }
    }
    if (seeds > 1 || !strcmp(policy, "both"))
        printf("over %d seed(s): wasted plain %d of %d opened, vial-aware %d of %d opened\n", seeds,
               wasted[0], opened[0], wasted[1], opened[1]);
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
