/* test_report.c: every figure of the daily report on a day the test builds, counted by hand;
 * coverage; the text, CSV and xlsx writers. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY (24 * 3600)
/* local 2021-10-15 hh:mm (T0 is 09:00) */
#define AT(hh, mm) (T0 + ((hh)-9) * 3600 + (mm)*60)

static int next_serial = 1;

static void exec_raw(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    char *err = NULL;
    assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    if (sqlite3_exec(s, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
    sqlite3_close(s);
}

static int64_t person(test_db *t, const char *name, int year, char sex, const char *group)
{
    vax_person p;
    memset(&p, 0, sizeof p);
    tdb_cccd(p.national_id, year, sex, next_serial++);
    snprintf(p.full_name, sizeof p.full_name, "%s", name);
    snprintf(p.birth_date, sizeof p.birth_date, "%04d-03-01", year);
    p.sex = sex;
    if (group)
        snprintf(p.priority_group, sizeof p.priority_group, "%s", group);
    if (vax_person_add(t->db, &p) != VAX_OK)
        fail_msg("person_add(%s): %s", name, vax_errmsg(t->db));
    return p.id;
}

static int64_t checkin(test_db *t, int64_t pid)
{
    vax_visit v;
    if (vax_queue_checkin(t->db, pid, &v) != VAX_OK)
        fail_msg("checkin: %s", vax_errmsg(t->db));
    return v.id;
}

static void move(test_db *t, int64_t visit, vax_state to)
{
    if (vax_queue_move(t->db, visit, to, NULL) != VAX_OK)
        fail_msg("move to %s: %s", vax_state_code(to), vax_errmsg(t->db));
}

static int64_t lot(test_db *t, const char *product, const char *lot_no, const char *expiry,
                   int vials)
{
    int64_t id;
    vax_lot_in in = {product, lot_no, expiry, vials, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    if (vax_stock_receive(t->db, &in, &id) != VAX_OK)
        fail_msg("receive: %s", vax_errmsg(t->db));
    return id;
}

static int64_t open_vial(test_db *t, int64_t lot_id)
{
    int64_t id;
    if (vax_stock_open_vial(t->db, lot_id, "injection", &id) != VAX_OK)
        fail_msg("open: %s", vax_errmsg(t->db));
    return id;
}

static void give(test_db *t, int64_t visit, int64_t vial)
{
    vax_dose_in in = {visit, vial, VAX_ARM_LEFT, 0, NULL, NULL, 0};
    if (vax_dose_give(t->db, &in, NULL) != VAX_OK)
        fail_msg("dose: %s", vax_errmsg(t->db));
}

/* A whole visit on an earlier day: check-in to done with a dose from vial. */
static void earlier_dose(test_db *t, int64_t pid, int64_t vial)
{
    int64_t v = checkin(t, pid);
    move(t, v, VAX_STATE_SCREENING);
    move(t, v, VAX_STATE_ELIGIBLE);
    move(t, v, VAX_STATE_WAITING_INJECTION);
    move(t, v, VAX_STATE_INJECTION);
    give(t, v, vial);
    move(t, v, VAX_STATE_DONE);
}

static void screening_row(test_db *t, int64_t visit, int64_t pid, const char *proposed,
                          const char *final, const char *reasons, const char *override)
{
    char sql[1200];
    snprintf(sql, sizeof sql,
             "INSERT INTO screening(uuid, visit_id, person_id, checklist_id, checklist_code,"
             " checklist_version, answers, vitals, proposed_outcome, reasons, final_outcome,"
             " override_reason, return_date, screened_at, created_at, updated_at)"
             " VALUES (lower(hex(randomblob(16))), %lld, %lld, (SELECT min(id) FROM checklist),"
             " 'x', 1, 'nnnn', '', '%s', '%s', '%s', '%s', '%s', %lld, %lld, %lld)",
             (long long)visit, (long long)pid, proposed, reasons, final, override,
             strcmp(final, "postponed") == 0 ? "2021-10-22" : "", (long long)T0, (long long)T0,
             (long long)T0);
    exec_raw(t->path, sql);
}

/* The day, as the comments of the test below count it. */
typedef struct day {
    int64_t a, b, c, d, e, f, g, h, j, k;
    int64_t vp; /* the PF vial opened on the day, still open at its end */
} day;

static void build_day(test_db *t, day *p)
{
    int64_t old, az, pf, va, vp, v;
    vax_visit visit;
    int serious;
    p->a = person(t, "Nguyen Van An", 1990, 'm', "G01"); /* 31: 18-49 */
    p->b = person(t, "Tran Thi Binh", 1960, 'f', "G01"); /* 61: 50-64 */
    p->c = person(t, "Le Van Cuong", 1950, 'm', "G03");  /* 71: 65+ */
    p->d = person(t, "Pham Thi Dung", 1985, 'f', NULL);  /* 36: 18-49 */
    p->e = person(t, "Hoang Van Em", 1995, 'm', NULL);   /* postponed */
    p->f = person(t, "Vu Thi Phuong", 1970, 'f', NULL);  /* contraindicated */
    p->g = person(t, "Do Van Giang", 1980, 'm', NULL);   /* referred */
    p->h = person(t, "Bui Thi Hoa", 1992, 'f', NULL);    /* check-in undone */
    p->j = person(t, "Ngo Van Khanh", 1965, 'm', NULL);  /* AZ dose 1 on 01/08: overdue */
    p->k = person(t, "Dang Thi Lan", 1975, 'f', NULL);   /* AZ dose 1 on 10/09: due */

    /* 2021-08-01: J's dose 1 from lot OLD (3 vials, expires 20/10: within 7 days of 15/10) */
    vax_clock_set(T0 - 75 * DAY);
    old = lot(t, "AZ", "OLD", "2021-10-20", 3);
    v = open_vial(t, old);
    earlier_dose(t, p->j, v);
    assert_int_equal(vax_stock_discard_vial(t->db, v, VAX_DISCARD_END_OF_DAY, NULL), VAX_OK);
    /* 2021-09-10: B's and K's dose 1 */
    vax_clock_set(T0 - 35 * DAY);
    v = open_vial(t, old);
    earlier_dose(t, p->b, v);
    earlier_dose(t, p->k, v);
    assert_int_equal(vax_stock_discard_vial(t->db, v, VAX_DISCARD_END_OF_DAY, NULL), VAX_OK);

    /* 2021-10-15 09:00: everyone checks in; H's check-in is undone */
    vax_clock_set(T0);
    az = lot(t, "AZ", "AZ1", "2022-12-31", 5);
    pf = lot(t, "PF", "PF1", "2022-12-31", 5);
    int64_t va_[8];
    int64_t who[8] = {p->a, p->b, p->c, p->d, p->e, p->f, p->g, p->h};
    for (int i = 0; i < 8; i++)
        va_[i] = checkin(t, who[i]);
    assert_int_equal(vax_queue_undo_checkin(t->db, va_[7], "wrong person"), VAX_OK);
    int64_t A = va_[0], B = va_[1], C = va_[2], D = va_[3], E = va_[4], F = va_[5], G = va_[6];

    vax_clock_set(AT(9, 5)); /* A waited 5 min for screening */
    move(t, A, VAX_STATE_SCREENING);
    vax_clock_set(AT(9, 6));
    move(t, A, VAX_STATE_ELIGIBLE);
    move(t, A, VAX_STATE_WAITING_INJECTION);
    vax_clock_set(AT(9, 10)); /* 4 min for injection */
    va = open_vial(t, az);
    move(t, A, VAX_STATE_INJECTION);
    vax_clock_set(AT(9, 12));
    give(t, A, va);           /* AZ dose 1 at 09:12 */
    vax_clock_set(AT(9, 15)); /* B: 15 min */
    move(t, B, VAX_STATE_SCREENING);
    vax_clock_set(AT(9, 16));
    move(t, B, VAX_STATE_ELIGIBLE);
    move(t, B, VAX_STATE_WAITING_INJECTION);
    vax_clock_set(AT(9, 20)); /* C: 20 min */
    move(t, C, VAX_STATE_SCREENING);
    vax_clock_set(AT(9, 21));
    move(t, C, VAX_STATE_ELIGIBLE);
    move(t, C, VAX_STATE_WAITING_INJECTION);
    vax_clock_set(AT(9, 25)); /* D: 25 min */
    move(t, D, VAX_STATE_SCREENING);
    vax_clock_set(AT(9, 26));
    move(t, D, VAX_STATE_ELIGIBLE);
    move(t, D, VAX_STATE_WAITING_INJECTION);
    vax_clock_set(AT(9, 30)); /* B: 14 min for injection; E: 30 min for screening */
    move(t, B, VAX_STATE_INJECTION);
    move(t, E, VAX_STATE_SCREENING);
    vax_clock_set(AT(9, 31));
    give(t, B, va); /* AZ dose 2 at 09:31 */
    vax_clock_set(AT(9, 32));
    move(t, E, VAX_STATE_POSTPONED);
    vax_clock_set(AT(9, 35)); /* F: 35 min */
    move(t, F, VAX_STATE_SCREENING);
    vax_clock_set(AT(9, 36));
    move(t, F, VAX_STATE_CONTRAINDICATED);
    vax_clock_set(AT(9, 40)); /* G: 40 min */
    move(t, G, VAX_STATE_SCREENING);
    vax_clock_set(AT(9, 41));
    move(t, G, VAX_STATE_REFERRED);
    vax_clock_set(AT(10, 0));
    vp = p->vp = open_vial(t, pf);
    vax_clock_set(AT(10, 1)); /* C: 40 min for injection */
    move(t, C, VAX_STATE_INJECTION);
    vax_clock_set(AT(10, 2));
    give(t, C, vp);           /* PF dose 1 at 10:02 */
    vax_clock_set(AT(10, 6)); /* D: 40 min for injection */
    move(t, D, VAX_STATE_INJECTION);
    vax_clock_set(AT(10, 7));
    give(t, D, vp); /* PF dose 1 at 10:07 */
    vax_clock_set(AT(10, 20));
    assert_int_equal(vax_observe_record_reaction(t->db, A, "local", 0, "observed", "", &serious),
                     VAX_OK);
    vax_clock_set(AT(10, 25));
    assert_int_equal(
        vax_observe_record_reaction(t->db, C, "hives", 1, "treated", "adrenaline given", &serious),
        VAX_OK);
    assert_int_equal(serious, 1);
    vax_clock_set(AT(11, 0)); /* the AZ vial: 2 drawn, 8 wasted */
    assert_int_equal(vax_stock_discard_vial(t->db, va, VAX_DISCARD_END_OF_DAY, NULL), VAX_OK);
    assert_int_equal(vax_visit_get(t->db, A, &visit), VAX_OK);
    assert_int_equal(visit.state, VAX_STATE_OBSERVING);

    screening_row(t, A, p->a, "eligible", "eligible", "", "");
    screening_row(t, B, p->b, "eligible", "eligible", "", "");
    screening_row(t, C, p->c, "eligible", "eligible", "", "");
    screening_row(t, D, p->d, "eligible", "eligible", "", "");
    screening_row(t, E, p->e, "postponed", "postponed",
                  "caution: Takes anticoagulants\npostponed: Fever 38.5", "");
    screening_row(t, F, p->f, "contraindicated", "contraindicated",
                  "contraindicated: Anaphylaxis to a previous dose", "");
    screening_row(t, G, p->g, "eligible", "referred", "", "Heart disease, unstable");
    vax_clock_set(AT(17, 0));
}

static const vax_report_product *product(const vax_report *r, const char *code)
{
    for (int i = 0; i < r->nproducts; i++)
        if (strcmp(r->products[i].product, code) == 0)
            return &r->products[i];
    fail_msg("no product %s in the report", code);
    return NULL;
}

static void test_every_figure_of_a_known_day(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    (void)state;
    build_day(t, &p);
    assert_int_equal(vax_report_make(t->db, "15/10/2021", NULL, &r), VAX_OK);
    assert_string_equal(r->from, "2021-10-15");
    assert_string_equal(r->to, "2021-10-15");
    /* 8 checked in, H undone; B's, J's and K's earlier visits are other days */
    assert_int_equal(r->checked_in, 7);
    assert_int_equal(r->screened, 7);
    assert_int_equal(r->outcomes[VAX_OUTCOME_ELIGIBLE], 4);
    assert_int_equal(r->outcomes[VAX_OUTCOME_CAUTION], 0);
    assert_int_equal(r->outcomes[VAX_OUTCOME_POSTPONED], 1);
    assert_int_equal(r->outcomes[VAX_OUTCOME_CONTRAINDICATED], 1);
    assert_int_equal(r->outcomes[VAX_OUTCOME_REFERRED], 1);
    /* reasons: E's postponed line only (not its caution line), F's, and G's override */
    assert_int_equal(r->nreasons, 3);
    int seen = 0;
    for (int i = 0; i < r->nreasons; i++) {
        const vax_report_reason *x = &r->reasons[i];
        assert_int_equal(x->n, 1);
        if (x->outcome == VAX_OUTCOME_POSTPONED)
            assert_string_equal(x->text, "Fever 38.5"), seen |= 1;
        if (x->outcome == VAX_OUTCOME_CONTRAINDICATED)
            assert_string_equal(x->text, "Anaphylaxis to a previous dose"), seen |= 2;
        if (x->outcome == VAX_OUTCOME_REFERRED)
            assert_string_equal(x->text, "Heart disease, unstable"), seen |= 4;
    }
    assert_int_equal(seen, 7);
    /* doses: A AZ 1, B AZ 2, C PF 1, D PF 1 */
    assert_int_equal(r->doses, 4);
    assert_int_equal(r->nproducts, 2);
    assert_string_equal(r->products[0].product, "AZ"); /* by code */
    const vax_report_product *az = product(r, "AZ"), *pf = product(r, "PF");
    assert_int_equal(az->doses[0], 2);
    assert_int_equal(az->doses[1], 1);
    assert_int_equal(az->doses[2], 1);
    assert_int_equal(pf->doses[0], 2);
    assert_int_equal(pf->doses[1], 2);
    assert_int_equal(pf->doses[2], 0);
    /* vials opened today: AZ 1 (10 doses, 2 drawn, 8 wasted), PF 1 (6 doses, still open) */
    assert_int_equal(az->vials_opened, 1);
    assert_int_equal(az->doses_opened, 10);
    assert_int_equal(az->doses_wasted, 8);
    assert_int_equal(az->wastage_permille, 800);
    assert_int_equal(pf->vials_opened, 1);
    assert_int_equal(pf->doses_opened, 6);
    assert_int_equal(pf->doses_wasted, 0);
    assert_int_equal(pf->wastage_permille, 0);
    /* the same rate the stock module gives for the day */
    vax_stock_day sd;
    assert_int_equal(vax_stock_wastage(t->db, "AZ", "2021-10-15", &sd), VAX_OK);
    assert_int_equal(sd.wastage_permille, az->wastage_permille);
    /* priority groups: G01 (A, B), G03 (C), none (D), in rank order with "none" last */
    assert_int_equal(r->ngroups, 3);
    assert_string_equal(r->groups[0].code, "G01");
    assert_int_equal(r->groups[0].doses, 2);
    assert_string_equal(r->groups[1].code, "G03");
    assert_int_equal(r->groups[1].doses, 1);
    assert_string_equal(r->groups[2].code, "");
    assert_int_equal(r->groups[2].doses, 1);
    /* age band (vax_age_band: 0 65+, 1 50-64, 2 18-49) x sex */
    assert_int_equal(r->by_band_sex[2][VAX_SEX_MALE], 1);   /* A */
    assert_int_equal(r->by_band_sex[2][VAX_SEX_FEMALE], 1); /* D */
    assert_int_equal(r->by_band_sex[1][VAX_SEX_FEMALE], 1); /* B */
    assert_int_equal(r->by_band_sex[1][VAX_SEX_MALE], 0);
    assert_int_equal(r->by_band_sex[0][VAX_SEX_MALE], 1); /* C */
    assert_int_equal(r->by_band_sex[0][VAX_SEX_FEMALE], 0);
    assert_int_equal(r->by_band_sex[3][VAX_SEX_MALE] + r->by_band_sex[3][VAX_SEX_FEMALE], 0);
    /* reactions: A minor, C serious and listed */
    assert_int_equal(r->reactions_minor, 1);
    assert_int_equal(r->reactions_serious, 1);
    assert_int_equal(r->nserious, 1);
    assert_string_equal(r->serious[0].full_name, "Le Van Cuong");
    assert_string_equal(r->serious[0].product, "PF");
    assert_int_equal(r->serious[0].dose_number, 1);
    assert_string_equal(r->serious[0].signs, "hives");
    assert_string_equal(r->serious[0].action, "treated");
    assert_int_equal(r->serious[0].seen_at, AT(10, 25));
    /* stock: OLD 1 vial left (10, expires 20/10), AZ1 4 vials (40), PF1 4 vials + 4 open (28) */
    assert_int_equal(r->nlots, 3);
    assert_string_equal(r->lots[0].lot_no, "OLD");
    assert_int_equal(r->lots[0].doses_on_hand, 10);
    assert_int_equal(r->lots[0].expires_soon, 1);
    assert_string_equal(r->lots[1].lot_no, "AZ1");
    assert_int_equal(r->lots[1].doses_on_hand, 40);
    assert_int_equal(r->lots[1].expires_soon, 0);
    assert_string_equal(r->lots[2].lot_no, "PF1");
    assert_int_equal(r->lots[2].doses_on_hand, 28);
    /* waits for screening: 5 15 20 25 30 35 40 min; median rank 4 = 25, p90 rank 7 = 40 */
    assert_int_equal(r->wait[VAX_STAGE_SCREENING].n, 7);
    assert_int_equal(r->wait[VAX_STAGE_SCREENING].median_s, 25 * 60);
    assert_int_equal(r->wait[VAX_STAGE_SCREENING].p90_s, 40 * 60);
    assert_int_equal(r->wait[VAX_STAGE_SCREENING].max_s, 40 * 60);
    /* for injection: 4 14 40 40 min; median rank 2 = 14, p90 rank 4 = 40 */
    assert_int_equal(r->wait[VAX_STAGE_INJECTION].n, 4);
    assert_int_equal(r->wait[VAX_STAGE_INJECTION].median_s, 14 * 60);
    assert_int_equal(r->wait[VAX_STAGE_INJECTION].p90_s, 40 * 60);
    /* doses per hour: 09:12, 09:31, 10:02, 10:07 */
    assert_int_equal(r->per_hour[9], 2);
    assert_int_equal(r->per_hour[10], 2);
    int others = 0;
    for (int h = 0; h < 24; h++)
        others += h != 9 && h != 10 ? r->per_hour[h] : 0;
    assert_int_equal(others, 0);
    /* next dose: K (AZ 10/09: 28-56 days) due, J (AZ 01/08) overdue; A, C, D not yet; B done */
    assert_int_equal(r->dose2_due, 1);
    assert_int_equal(r->dose2_overdue, 1);
    vax_report_free(r);
    tdb_close(t);
}

/* A past day's report shows the stock at the end of that day, read from the ledger, not the
 * stock when the report is made: a vial of AZ1 broken the next morning is not in 15/10's table. */
static void test_stock_is_as_at_the_end_of_the_report_day(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    (void)state;
    build_day(t, &p);
    vax_lot lots[8];
    int nlots = 0;
    int64_t az1 = 0;
    assert_int_equal(vax_stock_lots(t->db, 0, lots, 8, &nlots), VAX_OK);
    for (int i = 0; i < nlots; i++)
        if (strcmp(lots[i].lot_no, "AZ1") == 0)
            az1 = lots[i].id;
    assert_true(az1 > 0);
    vax_clock_set(T0 + DAY);
    assert_int_equal(vax_stock_writeoff(t->db, az1, 1, VAX_WRITEOFF_BROKEN), VAX_OK);
    assert_int_equal(vax_report_make(t->db, "15/10/2021", NULL, &r), VAX_OK);
    assert_int_equal(r->nlots, 3);
    assert_string_equal(r->lots[1].lot_no, "AZ1");
    assert_int_equal(r->lots[1].doses_on_hand, 40);
    vax_report_free(r);
    assert_int_equal(vax_report_make(t->db, "16/10/2021", NULL, &r), VAX_OK);
    assert_string_equal(r->lots[1].lot_no, "AZ1");
    assert_int_equal(r->lots[1].doses_on_hand, 30);
    vax_report_free(r);
    tdb_close(t);
}

static void test_a_range_adds_the_days_and_an_empty_day_has_zeros(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    (void)state;
    build_day(t, &p);
    /* 10/09 to 15/10: B's and K's doses 1 on 10/09 too */
    assert_int_equal(vax_report_make(t->db, "2021-09-10", "2021-10-15", &r), VAX_OK);
    assert_int_equal(r->doses, 6);
    assert_int_equal(r->checked_in, 9);
    assert_int_equal(product(r, "AZ")->doses[1], 3);
    assert_int_equal(product(r, "AZ")->vials_opened, 2);
    assert_int_equal(product(r, "AZ")->doses_wasted, 16);
    vax_report_free(r);
    assert_int_equal(vax_report_make(t->db, "2021-10-16", "", &r), VAX_OK);
    assert_int_equal(r->doses, 0);
    assert_int_equal(r->checked_in, 0);
    assert_int_equal(r->screened, 0);
    assert_int_equal(r->nproducts, 0);
    assert_int_equal(r->wait[0].n + r->wait[1].n, 0);
    vax_report_free(r);
    tdb_close(t);
}

static void test_bad_dates_are_refused_naming_the_field(void **state)
{
    test_db *t = tdb_open();
    vax_report *r = (vax_report *)1;
    (void)state;
    assert_int_equal(vax_report_make(t->db, "31/02/2021", NULL, &r), VAX_EINVAL);
    assert_null(r);
    assert_string_equal(vax_errfield(t->db), "date");
    assert_int_equal(vax_report_make(t->db, "2021-10-15", "2021-10-14", &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "to");
    tdb_close(t);
}

static void test_coverage_of_the_registry_and_of_a_commune(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_coverage c;
    char sql[300];
    (void)state;
    build_day(t, &p);
    snprintf(sql, sizeof sql,
             "UPDATE person SET commune = 'Phường Tân Phong' WHERE id IN (%lld, %lld, %lld)",
             (long long)p.a, (long long)p.b, (long long)p.e);
    exec_raw(t->path, sql);
    /* 10 adults; 50+: B 1960, C 1950, F 1970, J 1965; dose 1: A B C D J K; complete: B */
    assert_int_equal(vax_coverage_get(t->db, NULL, "2021-10-15", &c), VAX_OK);
    assert_int_equal(c.adults, 10);
    assert_int_equal(c.adults_dose1, 6);
    assert_int_equal(c.adults_complete, 1);
    assert_int_equal(c.over50, 4);
    assert_int_equal(c.over50_dose1, 3);
    assert_int_equal(c.over50_complete, 1);
    /* the day before: A, C, D had no dose yet and B was not complete */
    assert_int_equal(vax_coverage_get(t->db, "", "14/10/2021", &c), VAX_OK);
    assert_int_equal(c.adults_dose1, 3);
    assert_int_equal(c.adults_complete, 0);
    /* a commune typed without marks or capitals */
    assert_int_equal(vax_coverage_get(t->db, "phuong tan phong", "2021-10-15", &c), VAX_OK);
    assert_int_equal(c.adults, 3);
    assert_int_equal(c.adults_dose1, 2);
    assert_int_equal(c.adults_complete, 1);
    assert_int_equal(c.over50, 1);
    assert_int_equal(c.over50_complete, 1);
    tdb_close(t);
}

static void test_csv_and_text_carry_the_figures(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    tdb_text csv = {NULL, 0}, txt = {NULL, 0};
    (void)state;
    build_day(t, &p);
    assert_int_equal(vax_report_make(t->db, "2021-10-15", NULL, &r), VAX_OK);
    vax_set_lang("vi");
    assert_int_equal(vax_report_csv(t->db, r, tdb_to_text, &csv), VAX_OK);
    assert_memory_equal(csv.s, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(csv.s, "Số người đến tiêm (đã đăng ký vào),7\r\n"));
    assert_non_null(strstr(csv.s, "Số mũi tiêm,4\r\n"));
    assert_non_null(strstr(csv.s, "Mã vắc xin,Vắc xin,Mũi 1,Mũi 2,Mũi 3,Mũi 4,Mũi 5,Tổng\r\n"));
    assert_non_null(strstr(csv.s, "Trì hoãn tiêm chủng,Fever 38.5,1\r\n"));
    assert_non_null(strstr(csv.s, "Chuyển tiêm tại bệnh viện,\"Heart disease, unstable\",1\r\n"));
    assert_non_null(strstr(csv.s, "AZ,1,10,8,80.0\r\n"));
    assert_non_null(strstr(csv.s, "Chờ khám sàng lọc,7,25.0,40.0,40.0\r\n"));
    assert_non_null(strstr(csv.s, "09:00,2\r\n10:00,2\r\n"));
    assert_non_null(strstr(csv.s, "AZ,OLD,2021-10-20,10,Có\r\n"));
    vax_set_lang("en");
    assert_int_equal(vax_report_text(t->db, r, tdb_to_text, &txt), VAX_OK);
    vax_set_lang("vi");
    assert_non_null(strstr(txt.s, "People checked in"));
    assert_non_null(strstr(txt.s, "Serious reactions"));
    assert_non_null(strstr(txt.s, "Le Van Cuong"));
    assert_non_null(strstr(txt.s, "15/10/2021"));
    vax_report_free(r);
    free(csv.s);
    free(txt.s);
    tdb_close(t);
}

static void test_xlsx_is_written_as_a_workbook(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    char path[400];
    unsigned char head[4] = {0};
    (void)state;
    build_day(t, &p);
    snprintf(path, sizeof path, "%s/report.xlsx", t->dir);
    assert_int_equal(vax_report_make(t->db, "2021-10-15", NULL, &r), VAX_OK);
    assert_int_equal(vax_report_xlsx(t->db, r, path), VAX_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(head, 1, 4, f), 4);
    fclose(f);
    assert_memory_equal(head, "PK\x03\x04", 4); /* a zip, as .xlsx is; cells are read back by e2e */
    /* a folder that does not exist: refused, naming the output */
    assert_int_equal(vax_report_xlsx(t->db, r, "/nonexistent/x/report.xlsx"), VAX_EIO);
    assert_string_equal(vax_errfield(t->db), "out");
    unlink(path);
    vax_report_free(r);
    tdb_close(t);
}

/* The report is read by the province in one language: every heading, column and coded value
 * (reaction signs, actions, outcomes) of the CSV and the text in the chosen one, never a raw code
 * ("hives", "treated") and never the other language's headers. */
/* The children's campaigns (12-17 from CV 8688/BYT-DP, 5-11 from CV 1535/BYT-DP) count their
 * doses apart: on 15/4/2022 a girl of 15 and a boy of 17 (Pfizer 12+), a boy of 9 (Pfizer 5-11)
 * and an adult; the rows are in the table, by sex, in both languages. */
static void test_children_are_counted_12_17_and_5_11_apart(void **state)
{
    test_db *t = tdb_open();
    vax_report *r = NULL;
    tdb_text en = {NULL, 0}, vi = {NULL, 0};
    (void)state;
    vax_clock_set(T0 + (int64_t)182 * 86400); /* 15/4/2022 09:00 */
    int64_t pf = open_vial(t, lot(t, "PF", "FK1", "2022-12-31", 1));
    int64_t pfc = open_vial(t, lot(t, "PFC", "FN1", "2022-12-31", 1));
    struct {
        const char *name;
        int year;
        char sex;
        int64_t vial;
    } who[] = {{"Lo Thi Pan", 2006, 'f', 0},
               {"Lo Van Pao", 2005, 'm', 0},
               {"Lo Van Khu", 2012, 'm', 1},
               {"Lo Van Ca", 1980, 'm', 0}};
    for (int i = 0; i < 4; i++) {
        int64_t pid = person(t, who[i].name, who[i].year, who[i].sex, NULL);
        if (who[i].year > 2004) /* minors: their guardian first */
            assert_int_equal(vax_person_guardian_set(t->db, pid, "Lo Van Bo", "0912345678"),
                             VAX_OK);
        earlier_dose(t, pid, who[i].vial ? pfc : pf);
    }
    assert_int_equal(vax_report_make(t->db, "2022-04-15", NULL, &r), VAX_OK);
    assert_int_equal(r->by_band_sex[4][VAX_SEX_FEMALE], 1); /* 12-17 */
    assert_int_equal(r->by_band_sex[4][VAX_SEX_MALE], 1);
    assert_int_equal(r->by_band_sex[5][VAX_SEX_MALE], 1); /* 5-11 */
    assert_int_equal(r->by_band_sex[5][VAX_SEX_FEMALE], 0);
    assert_int_equal(r->by_band_sex[2][VAX_SEX_MALE], 1);
    assert_int_equal(r->by_band_sex[3][VAX_SEX_MALE] + r->by_band_sex[3][VAX_SEX_FEMALE], 0);
    vax_set_lang("en");
    assert_int_equal(vax_report_csv(t->db, r, tdb_to_text, &en), VAX_OK);
    vax_set_lang("vi");
    assert_int_equal(vax_report_csv(t->db, r, tdb_to_text, &vi), VAX_OK);
    assert_non_null(strstr(en.s, "\r\n12-17,1,1,0,2\r\n5-11,1,0,0,1\r\n"));
    assert_non_null(strstr(vi.s, "\r\n12-17,1,1,0,2\r\n5-11,1,0,0,1\r\n"));
    assert_null(strstr(en.s, "Other ages"));
    vax_report_free(r);
    free(en.s);
    free(vi.s);
    tdb_close(t);
}

static void test_labels_are_in_the_chosen_language(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    tdb_text en = {NULL, 0}, vi = {NULL, 0}, ten = {NULL, 0}, tvi = {NULL, 0};
    (void)state;
    build_day(t, &p);
    assert_int_equal(vax_report_make(t->db, "2021-10-15", NULL, &r), VAX_OK);
    vax_set_lang("en");
    assert_int_equal(vax_report_csv(t->db, r, tdb_to_text, &en), VAX_OK);
    assert_int_equal(vax_report_text(t->db, r, tdb_to_text, &ten), VAX_OK);
    vax_set_lang("vi");
    assert_int_equal(vax_report_csv(t->db, r, tdb_to_text, &vi), VAX_OK);
    assert_int_equal(vax_report_text(t->db, r, tdb_to_text, &tvi), VAX_OK);
    /* English */
    assert_memory_equal(en.s, "\xEF\xBB\xBFSummary\r\n", 12);
    assert_non_null(strstr(en.s, "\r\nPeople checked in,7\r\n"));
    assert_non_null(strstr(en.s, "Code,Product,Dose 1,Dose 2,Dose 3,Dose 4,Dose 5,Total\r\n"));
    assert_non_null(strstr(en.s, "\r\nPostponed,Fever 38.5,1\r\n"));
    assert_non_null(strstr(en.s, ",Le Van Cuong,"));
    assert_non_null(strstr(en.s, ",PF,1,Widespread hives,Treated on site,"));
    assert_non_null(strstr(en.s, "AZ,OLD,2021-10-20,10,Yes\r\n"));
    assert_null(strstr(en.s, "Tổng hợp"));
    assert_null(strstr(en.s, "Số mũi"));
    assert_non_null(strstr(ten.s, "Widespread hives"));
    assert_non_null(strstr(ten.s, "Treated on site"));
    /* Vietnamese */
    assert_memory_equal(vi.s, "\xEF\xBB\xBFTổng hợp\r\n", strlen("\xEF\xBB\xBFTổng hợp\r\n"));
    assert_non_null(strstr(vi.s, ",PF,1,Mày đay lan toả,Xử trí tại chỗ,"));
    assert_non_null(strstr(tvi.s, "Mày đay lan toả"));
    assert_non_null(strstr(tvi.s, "Xử trí tại chỗ"));
    assert_null(strstr(vi.s, "Summary"));
    /* no raw code in either language */
    const char *texts[] = {en.s, vi.s, ten.s, tvi.s};
    for (int i = 0; i < 4; i++) {
        assert_null(strstr(texts[i], ",hives,"));
        assert_null(strstr(texts[i], "  hives  ")); /* a text column of its own */
        assert_null(strstr(texts[i], "treated"));
    }
    vax_report_free(r);
    free(en.s);
    free(vi.s);
    free(ten.s);
    free(tvi.s);
    tdb_close(t);
}

/* Percentages are rounded half up to one decimal, not cut: 4 of 6 doses wasted is 66.7 %. */
static void test_percentages_are_rounded(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    tdb_text csv = {NULL, 0}, txt = {NULL, 0};
    (void)state;
    assert_int_equal(vax_permille(1, 6), 167);
    assert_int_equal(vax_permille(1, 3), 333);
    assert_int_equal(vax_permille(2, 3), 667);
    assert_int_equal(vax_permille(1, 16), 63); /* 62.5 per mille: half up */
    assert_int_equal(vax_permille(5, 5), 1000);
    assert_int_equal(vax_permille(3, 0), 0);
    build_day(t, &p);
    /* the PF vial: 2 of its 6 doses drawn, 4 wasted at the end of the day */
    assert_int_equal(vax_stock_discard_vial(t->db, p.vp, VAX_DISCARD_END_OF_DAY, NULL), VAX_OK);
    assert_int_equal(vax_report_make(t->db, "2021-10-15", NULL, &r), VAX_OK);
    assert_int_equal(product(r, "PF")->wastage_permille, 667);
    vax_stock_day sd;
    assert_int_equal(vax_stock_wastage(t->db, "PF", "2021-10-15", &sd), VAX_OK);
    assert_int_equal(sd.wastage_permille, 667);
    assert_int_equal(vax_report_csv(t->db, r, tdb_to_text, &csv), VAX_OK);
    assert_non_null(strstr(csv.s, "\r\nPF,1,6,4,66.7\r\n"));
    assert_int_equal(vax_report_text(t->db, r, tdb_to_text, &txt), VAX_OK);
    assert_non_null(strstr(txt.s, "66.7 %"));
    vax_report_free(r);
    free(csv.s);
    free(txt.s);
    tdb_close(t);
}

/* Bookings of 15/10 (A came, J was marked absent, K never came, H's was cancelled) and of 10/09
 * (B came), written as the planning desk leaves them. */
static void book_days(test_db *t, const day *p)
{
    char sql[3000];
    snprintf(
        sql, sizeof sql,
        "INSERT INTO site_day(uuid, site_id, day, opens, closes, slot_minutes, capacity, risk,"
        " created_at, updated_at) SELECT 'sd1', id, '2021-10-15', '08:00', '17:00', 60, 10,"
        " 'low', 0, 0 FROM site;"
        "INSERT INTO site_day(uuid, site_id, day, opens, closes, slot_minutes, capacity, risk,"
        " created_at, updated_at) SELECT 'sd0', id, '2021-09-10', '08:00', '17:00', 60, 10,"
        " 'low', 0, 0 FROM site;"
        "INSERT INTO slot(uuid, day_id, day, starts_at, ends_at, capacity, created_at,"
        " updated_at) SELECT 's1', id, day, %lld, %lld, 10, 0, 0 FROM site_day WHERE uuid ="
        " 'sd1';"
        "INSERT INTO slot(uuid, day_id, day, starts_at, ends_at, capacity, created_at,"
        " updated_at) SELECT 's0', id, day, %lld, %lld, 10, 0, 0 FROM site_day WHERE uuid ="
        " 'sd0';"
        "INSERT INTO appointment(uuid, slot_id, person_id, day, dose_number, state,"
        " created_at, updated_at) SELECT 'a' || x.p, (SELECT id FROM slot WHERE uuid = x.s),"
        " x.p, x.d, 1, x.st, 0, 0 FROM (SELECT %lld p, 's1' s, '2021-10-15' d,"
        " 'checked_in' st UNION ALL SELECT %lld, 's1', '2021-10-15', 'no_show'"
        " UNION ALL SELECT %lld, 's1', '2021-10-15', 'booked'"
        " UNION ALL SELECT %lld, 's1', '2021-10-15', 'cancelled'"
        " UNION ALL SELECT %lld, 's0', '2021-09-10', 'checked_in') x;"
        "UPDATE visit SET appointment_id = (SELECT a.id FROM appointment a"
        " WHERE a.person_id = visit.person_id AND a.day = visit.day AND a.state = 'checked_in')"
        " WHERE person_id IN (%lld, %lld);",
        (long long)T0, (long long)T0 + 3600, (long long)(T0 - 35 * DAY),
        (long long)(T0 - 35 * DAY + 3600), (long long)p->a, (long long)p->j, (long long)p->k,
        (long long)p->h, (long long)p->b, (long long)p->a, (long long)p->b);
    exec_raw(t->path, sql);
}

/* One number from SQL, for figures checked against the database rather than by hand. */
static int64_t sql_int(test_db *t, const char *sql, int64_t a, int64_t b)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static const vax_report_ledger *ledger(const vax_report_ledger *l, int n, const char *product,
                                       const char *lot_no)
{
    for (int i = 0; i < n; i++)
        if (strcmp(l[i].product, product) == 0 && strcmp(l[i].lot_no, lot_no) == 0)
            return &l[i];
    fail_msg("no ledger line %s %s", product, lot_no);
    return NULL;
}

static const vax_report_group *group(const vax_report *r, const char *code)
{
    for (int i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].code, code) == 0)
            return &r->groups[i];
    fail_msg("no group %s", code);
    return NULL;
}

/* The province's daily form, day and cumulative, counted by hand on the day build_day makes (and
 * the cumulative doses, receipts and use against SQL of the tables). */
static void test_the_province_figures_day_and_cumulative(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    vax_coverage cov;
    (void)state;
    build_day(t, &p);
    book_days(t, &p);
    assert_int_equal(vax_report_make(t->db, "15/10/2021", NULL, &r), VAX_OK);
    const vax_report_period *d = &r->day, *c = &r->cum;
    /* the campaign began with J's dose on 01/08 */
    assert_string_equal(r->campaign_from, "2021-08-01");
    /* doses: the day A1 B2 C1 D1; before it J1 (01/08), B1 K1 (10/09) */
    assert_int_equal(d->doses, 4);
    assert_int_equal(d->doses, r->doses);
    assert_int_equal(d->by_number[1], 3);
    assert_int_equal(d->by_number[2], 1);
    assert_int_equal(c->doses, 7);
    assert_int_equal(c->by_number[1], 6);
    assert_int_equal(c->by_number[2], 1);
    assert_int_equal(c->doses, sql_int(t,
                                       "SELECT count(*) FROM dose WHERE voided = 0 AND"
                                       " visit_id IS NOT NULL AND given_at < ?1",
                                       T0 + 15 * 3600, 0));
    /* B's dose 2 of AZ (series of 2) completed the series, that day and ever */
    assert_int_equal(d->completed, 1);
    assert_int_equal(c->completed, 1);
    /* the site is a fixed clinic */
    assert_int_equal(d->fixed, 4);
    assert_int_equal(d->mobile, 0);
    assert_int_equal(c->fixed, 7);
    /* stock: received AZ1 50 + PF1 30 that day, OLD 30 before; used 4 (7); wasted 8 that day,
     * and the two OLD vials' 9 + 8 before */
    assert_int_equal(d->received, 80);
    assert_int_equal(c->received, 110);
    assert_int_equal(c->received, sql_int(t,
                                          "SELECT sum(doses) FROM stock_move WHERE kind IN"
                                          " ('receive', 'transfer_in') AND at < ?1",
                                          T0 + 15 * 3600, 0));
    assert_int_equal(d->used, 4);
    assert_int_equal(c->used, 7);
    assert_int_equal(d->wasted, 8);
    assert_int_equal(c->wasted, 25);
    /* by product: AZ opened the day with OLD's last vial (10) and ended it with OLD 10 + AZ1 40 */
    assert_int_equal(r->nstock, 2);
    const vax_report_ledger *az = ledger(r->stock, r->nstock, "AZ", "");
    assert_int_equal(az->opening, 10);
    assert_int_equal(az->received, 50);
    assert_int_equal(az->used, 2);
    assert_int_equal(az->wasted, 8);
    assert_int_equal(az->other, 0);
    assert_int_equal(az->closing, 50);
    assert_int_equal(az->received_cum, 80);
    assert_int_equal(az->used_cum, 5);
    assert_int_equal(az->wasted_cum, 25);
    const vax_report_ledger *pf = ledger(r->stock, r->nstock, "PF", "");
    assert_int_equal(pf->opening, 0);
    assert_int_equal(pf->received, 30);
    assert_int_equal(pf->used, 2);
    assert_int_equal(pf->closing, 28);
    /* by lot: doses used per lot, and each lot's ledger adds up */
    assert_int_equal(r->nlot_stock, 3);
    assert_int_equal(ledger(r->lot_stock, r->nlot_stock, "AZ", "OLD")->used, 0);
    assert_int_equal(ledger(r->lot_stock, r->nlot_stock, "AZ", "OLD")->used_cum, 3);
    assert_int_equal(ledger(r->lot_stock, r->nlot_stock, "AZ", "OLD")->closing, 10);
    assert_int_equal(ledger(r->lot_stock, r->nlot_stock, "AZ", "AZ1")->used, 2);
    assert_int_equal(ledger(r->lot_stock, r->nlot_stock, "PF", "PF1")->used, 2);
    for (int i = 0; i < r->nlot_stock; i++) {
        const vax_report_ledger *l = &r->lot_stock[i];
        assert_int_equal(l->opening + l->received - l->used - l->wasted + l->other, l->closing);
    }
    /* the closing stock is the stock table's */
    for (int i = 0; i < r->nlots; i++)
        assert_int_equal(
            ledger(r->lot_stock, r->nlot_stock, r->lots[i].product, r->lots[i].lot_no)->closing,
            r->lots[i].doses_on_hand);
    /* reactions: A's minor (local), C's serious; none before */
    assert_int_equal(d->reactions_minor, 1);
    assert_int_equal(d->reactions_serious, 1);
    assert_int_equal(c->reactions_minor, 1);
    assert_int_equal(r->nsigns, 1);
    assert_string_equal(r->signs[0].code, "local");
    assert_int_equal(r->signs[0].day, 1);
    assert_int_equal(r->signs[0].cum, 1);
    /* priority group by dose number: G01 A1 B2 (B1 before), G03 C1, none D1 (J1 K1 before) */
    assert_int_equal(group(r, "G01")->by_number[1], 1);
    assert_int_equal(group(r, "G01")->by_number[2], 1);
    assert_int_equal(group(r, "G01")->doses_cum, 3);
    assert_int_equal(group(r, "G03")->by_number[1], 1);
    assert_int_equal(group(r, "G03")->doses_cum, 1);
    assert_int_equal(group(r, "")->by_number[1], 1);
    assert_int_equal(group(r, "")->doses_cum, 3);
    /* bookings: 15/10 A came, J and K did not, H's cancelled one is not counted; 10/09 B came.
     * Walk-ins: 6 of the day's 7 check-ins; J, K (and B's first) before */
    assert_int_equal(d->booked, 3);
    assert_int_equal(d->attended, 1);
    assert_int_equal(d->no_shows, 1); /* J; K may still come: the report is made at 17:00 */
    assert_int_equal(d->expected, 1);
    assert_int_equal(d->walk_ins, 6);
    assert_int_equal(c->booked, 4);
    assert_int_equal(c->attended, 2);
    assert_int_equal(c->no_shows, 1);
    assert_int_equal(c->expected, 1);
    assert_int_equal(c->walk_ins, 8);
    /* coverage: 10 adults, 4 of them 50+; the day's first doses A C D, B completed; in all A B C D
     * J K have a dose. The totals are vax_coverage_get's */
    assert_int_equal(r->adults, 10);
    assert_int_equal(r->over50, 4);
    assert_int_equal(d->dose1_18, 3);
    assert_int_equal(d->complete_18, 1);
    assert_int_equal(d->dose1_50, 1);
    assert_int_equal(d->complete_50, 1);
    assert_int_equal(vax_coverage_get(t->db, NULL, "2021-10-15", &cov), VAX_OK);
    assert_int_equal(c->dose1_18, cov.adults_dose1);
    assert_int_equal(c->dose1_18, 6);
    assert_int_equal(c->complete_18, cov.adults_complete);
    assert_int_equal(c->dose1_50, cov.over50_dose1);
    assert_int_equal(c->complete_50, cov.over50_complete);
    vax_report_free(r);

    /* 10/09 to 15/10: the opening stock is OLD's 2 vials left after 01/08 */
    assert_int_equal(vax_report_make(t->db, "10/09/2021", "15/10/2021", &r), VAX_OK);
    az = ledger(r->stock, r->nstock, "AZ", "");
    assert_int_equal(az->opening, 20);
    assert_int_equal(az->used, 4);
    assert_int_equal(az->wasted, 16);
    assert_int_equal(az->closing, 50);
    assert_int_equal(r->day.doses, 6);
    assert_int_equal(r->day.booked, 4);
    assert_int_equal(r->day.dose1_18, 5);
    assert_int_equal(r->cum.doses, 7);
    vax_report_free(r);

    /* the day after: nothing happened, the cumulative figures stay */
    assert_int_equal(vax_report_make(t->db, "16/10/2021", NULL, &r), VAX_OK);
    assert_int_equal(r->day.doses, 0);
    assert_int_equal(r->day.received, 0);
    assert_int_equal(r->cum.doses, 7);
    assert_int_equal(r->cum.completed, 1);
    assert_int_equal(ledger(r->stock, r->nstock, "AZ", "")->opening, 50);
    assert_int_equal(ledger(r->stock, r->nstock, "AZ", "")->closing, 50);
    vax_report_free(r);

    /* the next morning K's booking of 15/10 is a no-show */
    vax_clock_set(T0 + DAY);
    assert_int_equal(vax_report_make(t->db, "15/10/2021", NULL, &r), VAX_OK);
    assert_int_equal(r->day.no_shows, 2);
    assert_int_equal(r->day.expected, 0);
    vax_report_free(r);

    /* a mobile team's doses are counted as such */
    exec_raw(t->path, "UPDATE site SET kind = 'mobile'");
    assert_int_equal(vax_report_make(t->db, "15/10/2021", NULL, &r), VAX_OK);
    assert_int_equal(r->day.fixed, 0);
    assert_int_equal(r->day.mobile, 4);
    assert_int_equal(r->cum.mobile, 7);
    vax_report_free(r);
    tdb_close(t);
}

/* The new tables in the CSV and text, in each language. */
static void test_the_province_figures_are_written(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    tdb_text en = {NULL, 0}, vi = {NULL, 0}, txt = {NULL, 0};
    (void)state;
    build_day(t, &p);
    book_days(t, &p);
    assert_int_equal(vax_report_make(t->db, "15/10/2021", NULL, &r), VAX_OK);
    vax_set_lang("en");
    assert_int_equal(vax_report_csv(t->db, r, tdb_to_text, &en), VAX_OK);
    assert_int_equal(vax_report_text(t->db, r, tdb_to_text, &txt), VAX_OK);
    vax_set_lang("vi");
    assert_int_equal(vax_report_csv(t->db, r, tdb_to_text, &vi), VAX_OK);
    assert_non_null(strstr(en.s, "Period and cumulative\r\nFigure,Report period,Cumulative,"
                                 "Rate (cumulative)\r\n"));
    assert_non_null(strstr(en.s, "\r\nCumulative since (the site's first dose),,2021-08-01\r\n"));
    assert_non_null(strstr(en.s, "\r\nDoses given,4,7,\r\nDose 1,3,6,\r\nDose 2,1,1,\r\n"));
    assert_non_null(strstr(en.s, "\r\nPeople who completed the primary series,1,1,\r\n"));
    assert_non_null(strstr(en.s, "\r\nDoses at a fixed point,4,7,\r\n"));
    assert_non_null(strstr(en.s, "\r\nVaccine doses received,80,110,\r\n"));
    assert_non_null(strstr(en.s, "\r\n\"Booked, did not come (no-shows)\",1,1,25.0\r\n"));
    assert_non_null(strstr(en.s, "\r\nPeople 18+ with at least one dose,3,6,60.0\r\n"));
    assert_non_null(strstr(en.s, "\r\nPeople 50+ with a complete primary series,1,1,25.0\r\n"));
    assert_non_null(strstr(en.s, "\r\nDenominator: people 18+ in the site's registry,,10\r\n"));
    assert_non_null(strstr(en.s, "\r\nAZ,10,50,2,8,0,50,80,5,25\r\n"));
    assert_non_null(strstr(en.s, "\r\nAZ,AZ1,0,50,2,8,0,40,50,2,8\r\n"));
    assert_non_null(strstr(en.s, "Minor reactions by sign\r\nSign,Report period,Cumulative\r\n"
                                 "\"Pain, swelling or redness at the injection site\",1,1\r\n"));
    assert_non_null(strstr(en.s, "\r\nG01,"));
    assert_non_null(strstr(en.s, ",1,1,0,0,0,2,3\r\n")); /* G01: doses 1 and 2, 3 in all */
    assert_non_null(
        strstr(vi.s, "Số liệu trong kỳ và lũy kế\r\nChỉ tiêu,Trong kỳ báo cáo,Lũy kế,"));
    assert_non_null(strstr(vi.s, "\r\nSố người tiêm đủ liều cơ bản,1,1,\r\n"));
    assert_non_null(strstr(vi.s, "\r\n\"Đau, sưng, đỏ tại chỗ tiêm\",1,1\r\n"));
    assert_non_null(strstr(vi.s, "\r\nNgười có hẹn không đến,1,1,25.0\r\n"));
    assert_non_null(strstr(txt.s, "People who completed the primary series"));
    assert_non_null(strstr(txt.s, "60.0 %"));
    vax_report_free(r);
    free(en.s);
    free(vi.s);
    free(txt.s);
    tdb_close(t);
}

/* The two numbers at the end of the quick report's line that starts with name, as "day|cum". */
static const char *quick_pair(const char *text, const char *name, char *out, size_t size)
{
    char want[200];
    snprintf(want, sizeof want, "\n%s ", name);
    const char *p = strstr(text, want);
    int d = -1, c = -1;
    if (!p)
        fail_msg("no line \"%s\" in:\n%s", name, text);
    p += strlen(want);
    sscanf(p, "%d %d", &d, &c);
    snprintf(out, size, "%d|%d", d, c);
    return out;
}

/* The quick report: the short daily figures, day and cumulative, in each language, on at most
 * VAX_QUICK_LINES lines of VAX_QUICK_COLS columns; the same on one A4 page of a PDF. */
static void test_the_quick_report_fits_a_screen(void **state)
{
    test_db *t = tdb_open();
    day p;
    vax_report *r = NULL;
    char pair[32];
    (void)state;
    build_day(t, &p);
    book_days(t, &p);
    assert_int_equal(vax_report_make(t->db, "15/10/2021", NULL, &r), VAX_OK);
    for (int lang = 0; lang < 2; lang++) {
        tdb_text q = {NULL, 0};
        int vi = lang == 0, lines = 0;
        vax_set_lang(vi ? "vi" : "en");
        assert_int_equal(vax_report_quick_text(t->db, r, tdb_to_text, &q), VAX_OK);
        for (char *l = q.s; *l;) {
            char *end = strchr(l, '\n');
            assert_non_null(end);
            *end = 0;
            if (vax_text_width(l) > VAX_QUICK_COLS)
                fail_msg("%d columns: %s", vax_text_width(l), l);
            *end = '\n';
            lines++;
            l = end + 1;
        }
        assert_true(lines <= VAX_QUICK_LINES);
        char *text = q.s;
        if (vi) {
            assert_memory_equal(text, "BÁO CÁO NHANH NGÀY 15/10/2021\n",
                                strlen("BÁO CÁO NHANH NGÀY 15/10/2021\n"));
            assert_non_null(strstr(text, "lũy kế từ 01/08/2021"));
            assert_string_equal(quick_pair(text, "Số mũi tiêm", pair, sizeof pair), "4|7");
            assert_string_equal(quick_pair(text, "  Mũi 1", pair, sizeof pair), "3|6");
            assert_string_equal(quick_pair(text, "  Mũi 2", pair, sizeof pair), "1|1");
            assert_string_equal(quick_pair(text, "Số người tiêm đủ liều cơ bản", pair, sizeof pair),
                                "1|1");
            assert_string_equal(quick_pair(text, "Phản ứng thông thường", pair, sizeof pair),
                                "1|1");
            assert_string_equal(quick_pair(text, "Tai biến nặng", pair, sizeof pair), "1|1");
            assert_string_equal(quick_pair(text, "Người có hẹn không đến", pair, sizeof pair),
                                "1|1");
            assert_non_null(strstr(text, "\nTồn kho cuối ngày (liều): AZ 50 · PF 28\n"));
            assert_null(strstr(text, "Doses"));
        } else {
            assert_memory_equal(text, "QUICK REPORT OF 15/10/2021\n", 27);
            assert_string_equal(quick_pair(text, "Doses given", pair, sizeof pair), "4|7");
            assert_string_equal(
                quick_pair(text, "People who completed the primary series", pair, sizeof pair),
                "1|1");
            assert_string_equal(
                quick_pair(text, "Booked, did not come (no-shows)", pair, sizeof pair), "1|1");
            assert_non_null(strstr(text, "\nStock left (doses): AZ 50 · PF 28\n"));
            assert_null(strstr(text, "Mũi"));
        }
        free(q.s);
    }
    /* the PDF (one A4 page of these lines) is drawn and read back by e2e-report: cairo and
     * fontconfig keep process-wide caches that valgrind reports. A folder that does not exist is
     * refused before cairo is reached, naming the output */
    assert_int_equal(vax_report_quick_pdf(t->db, r, "/nonexistent/x/quick.pdf"), VAX_EIO);
    assert_string_equal(vax_errfield(t->db), "out");
    vax_report_free(r);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_figure_of_a_known_day),
        cmocka_unit_test(test_a_range_adds_the_days_and_an_empty_day_has_zeros),
        cmocka_unit_test(test_stock_is_as_at_the_end_of_the_report_day),
        cmocka_unit_test(test_bad_dates_are_refused_naming_the_field),
        cmocka_unit_test(test_coverage_of_the_registry_and_of_a_commune),
        cmocka_unit_test(test_csv_and_text_carry_the_figures),
        cmocka_unit_test(test_xlsx_is_written_as_a_workbook),
        cmocka_unit_test(test_labels_are_in_the_chosen_language),
        cmocka_unit_test(test_percentages_are_rounded),
        cmocka_unit_test(test_the_province_figures_day_and_cumulative),
        cmocka_unit_test(test_the_province_figures_are_written),
        cmocka_unit_test(test_the_quick_report_fits_a_screen),
        cmocka_unit_test(test_children_are_counted_12_17_and_5_11_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
