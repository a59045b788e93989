/* demo.c: a demo site (staff, thousands of made-up people, today's queue) to try every station. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { FAMILY, MIDDLE_M, MIDDLE_F, GIVEN_M, GIVEN_F, COMMUNE, KINDS };
static const char *const kind_names[KINDS] = {"family",  "middle_m", "middle_f",
                                              "given_m", "given_f",  "commune"};

#define MAX_WORDS 64

struct word_lists {
    char *words[KINDS][MAX_WORDS];
    int count[KINDS];
    char *text;
};

static void load_words(struct word_lists *w)
{
    char *save = NULL;
    memset(w, 0, sizeof *w);
    w->text = strdup(vax_asset_demo_names_tsv);
    if (!w->text)
        return;
    for (char *line = strtok_r(w->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        if (*line == '#' || !tab)
            continue;
        *tab = 0;
        for (int k = 0; k < KINDS; k++)
            if (strcmp(line, kind_names[k]) == 0 && w->count[k] < MAX_WORDS)
                w->words[k][w->count[k]++] = tab + 1;
    }
}

/* xorshift32: a fixed seed gives the same demo every time (tests rely on it). */
static uint32_t next_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static const char *pick(struct word_lists *w, int kind, uint32_t *seed)
{
    return w->count[kind] ? w->words[kind][next_rand(seed) % (uint32_t)w->count[kind]] : "";
}

static void make_person(struct word_lists *w, uint32_t *seed, int index, vax_person *p)
{
    int male = next_rand(seed) % 2;
    /* Ages 18 to 90, weighted towards working age like a real site. */
    int age = 18 + (int)(next_rand(seed) % 50);
    if (next_rand(seed) % 4 == 0)
        age += (int)(next_rand(seed) % 23);
    char today[11];
    vax_local_date(vax_now(), today);
    int year = atoi(today) - age - 1;
    int month = 1 + (int)(next_rand(seed) % 12), day = 1 + (int)(next_rand(seed) % 28);
    memset(p, 0, sizeof *p);
    snprintf(p->full_name, sizeof p->full_name, "%s %s %s", pick(w, FAMILY, seed),
             pick(w, male ? MIDDLE_M : MIDDLE_F, seed), pick(w, male ? GIVEN_M : GIVEN_F, seed));
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", year, month, day);
    vax_strlcpy(p->birth_date, tmp, sizeof p->birth_date);
    p->sex = male ? 'm' : 'f';
    /* CCCD: province 012 (Lai Chau), century/sex digit, year, then a serial unique per index. */
    int century_sex = (year >= 2000 ? 2 : 0) + (male ? 0 : 1);
    snprintf(tmp, sizeof tmp, "012%d%02d%06d", century_sex, year % 100, index % 1000000);
    vax_strlcpy(p->national_id, tmp, sizeof p->national_id);
    if (next_rand(seed) % 5 != 0)
        snprintf(p->phone, sizeof p->phone, "09%08u", next_rand(seed) % 100000000u);
    if (next_rand(seed) % 3 != 0)
        snprintf(p->insurance_no, sizeof p->insurance_no, "GD4%02u%010u", 12u,
                 next_rand(seed) % 1000000000u);
    vax_strlcpy(p->commune, pick(w, COMMUNE, seed), sizeof p->commune);
    uint32_t g = next_rand(seed) % 20;
    if (age >= 65 || g < 3)
        vax_strlcpy(p->priority_group, "G05", sizeof p->priority_group);
    else if (g < 5)
        vax_strlcpy(p->priority_group, "G01", sizeof p->priority_group);
    else if (g < 7)
        vax_strlcpy(p->priority_group, "G04", sizeof p->priority_group);
    else if (g < 10)
        vax_strlcpy(p->priority_group, "G09", sizeof p->priority_group);
}

static const struct {
    const char *login, *name;
    vax_role role;
} demo_staff[] = {
    {"quanly", "Nguyễn Thị Hoa", VAX_ROLE_MANAGER},
    {"bacsi", "Trần Văn Minh", VAX_ROLE_DOCTOR},
    {"dieuduong", "Lê Thị Lan", VAX_ROLE_NURSE},
    {"tinhnguyen", "Phạm Đức Anh", VAX_ROLE_VOLUNTEER},
};

#define DEMO_PIN "1234"

static int add_staff(vax_db *db)
{
    for (size_t i = 0; i < sizeof demo_staff / sizeof demo_staff[0]; i++) {
        int rc = vax_staff_add(db, demo_staff[i].login, demo_staff[i].name, demo_staff[i].role,
                               DEMO_PIN, NULL);
        if (rc != VAX_OK && rc != VAX_EEXIST)
            return rc;
    }
    return VAX_OK;
}

/* Two screening desks and two injection rooms (the queue below uses both of each), named as a
 * site would name them. */
static int add_desks(vax_db *db)
{
    char names[6][64];
    static const vax_desk_kind kinds[6] = {VAX_DESK_CHECKIN,   VAX_DESK_SCREENING,
                                           VAX_DESK_SCREENING, VAX_DESK_INJECTION,
                                           VAX_DESK_INJECTION, VAX_DESK_OBSERVATION};
    snprintf(names[0], sizeof names[0], _("Check-in desk %d"), 1);
    snprintf(names[1], sizeof names[1], _("Screening desk %d"), 1);
    snprintf(names[2], sizeof names[2], _("Screening desk %d"), 2);
    snprintf(names[3], sizeof names[3], _("Injection room %d"), 1);
    snprintf(names[4], sizeof names[4], _("Injection room %d"), 2);
    snprintf(names[5], sizeof names[5], "%s", _("Observation area"));
    for (int i = 0; i < 6; i++) {
        int rc = vax_desk_add(db, kinds[i], names[i], NULL);
        if (rc != VAX_OK)
            return rc;
    }
    return VAX_OK;
}

/* Moves a demo visit as the stations would: a call to screening or injection names a station. */
static int demo_move(vax_db *db, int64_t visit_id, vax_state to, int i)
{
    char station[32] = "";
    vax_visit v;
    int rc;
    if (to == VAX_STATE_SCREENING)
        snprintf(station, sizeof station, "screening-%d", i % 2 + 1);
    else if (to == VAX_STATE_INJECTION)
        snprintf(station, sizeof station, "injection-%d", i % 2 + 1);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK ||
        (rc = vax_queue_move_locked(db, &v, to, station[0] ? station : NULL, "demo")) != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    return vax_tx_commit(db);
}

/* Puts today's first visits into the states a newcomer should see at each station. */
static int make_queue(vax_db *db, const int64_t *people, int n)
{
    static const vax_state path[] = {VAX_STATE_SCREENING,         VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION,
                                     VAX_STATE_OBSERVING,         VAX_STATE_DONE};
    /* how far along the path each of the first visits goes (-1: still waiting) */
    static const int depth[] = {5, 5, 4, 4, 4, 3, 2, 2, 2, 1, 0, -1, -1, -1, -1, -1, -1, -1};
    int visits = (int)(sizeof depth / sizeof depth[0]);
    int rc;
    for (int i = 0; i < visits && i < n; i++) {
        vax_visit v;
        if ((rc = vax_queue_checkin(db, people[i * 7 % n], &v)) != VAX_OK)
            return rc;
        for (int k = 0; k <= depth[i]; k++) {
            /* the dose is a real record from the demo's open vial (stock.c, dose.c) */
            rc = path[k] == VAX_STATE_OBSERVING ? vax_dose_demo(db, &v)
                                                : demo_move(db, v.id, path[k], i);
            if (rc != VAX_OK)
                return rc;
        }
    }
    return VAX_OK;
}

int vax_demo_create(vax_db *db, int people, uint32_t seed)
{
    struct word_lists w;
    int64_t *ids = NULL;
    int rc, made = 0;
    if (seed == 0)
        seed = 2021;
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    load_words(&w);
    if (!w.text)
        return VAX_ENOMEM;
    ids = calloc((size_t)(people > 0 ? people : 1), sizeof *ids);
    if (!ids) {
        free(w.text);
        return VAX_ENOMEM;
    }
    /* A demo is throw-away data made in one go: skip the per-commit fsync while it is built, then
     * checkpoint once with synchronous=FULL back on. */
    sqlite3_exec(db->sql, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
    if ((rc = vax_site_set(db, "LCU-DEMO", "Trạm Y tế phường Tân Phong (demo)", 1)) != VAX_OK)
        goto out;
    if ((rc = add_staff(db)) != VAX_OK)
        goto out;
    if ((rc = add_desks(db)) != VAX_OK)
        goto out;
    /* the site's signing key, so that released people get their certificate */
    char keys[4200];
    if ((rc = vax_keys_dir(db, keys, sizeof keys)) != VAX_OK ||
        ((rc = vax_keys_init(db, keys, 0)) != VAX_OK && rc != VAX_EEXIST))
        goto out;
    for (int i = 0; i < people; i++) {
        vax_person p;
        make_person(&w, &seed, i, &p);
        rc = vax_person_add(db, &p);
        if (rc == VAX_EEXIST)
            continue;
        if (rc != VAX_OK)
            goto out;
        ids[made++] = p.id;
    }
    if ((rc = vax_stock_demo(db)) != VAX_OK)
        goto out;
    rc = made ? make_queue(db, ids, made) : VAX_OK;
    if (rc == VAX_OK && made)
        rc = vax_slot_demo(db); /* plans, bookings, people due for dose 2 */
    if (rc == VAX_OK && made)
        rc = vax_screening_demo(db);
    if (rc == VAX_OK && made)
        rc = vax_sync_demo(db); /* the team's communes for sync pull */
out:
    sqlite3_exec(db->sql, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    sqlite3_exec(db->sql, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    free(ids);
    free(w.text);
    return rc;
}
