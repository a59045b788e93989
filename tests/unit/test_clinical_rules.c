/* test_clinical_rules.c: the clinical rules as a table, one row per rule, each row citing the
 * Ministry of Health text it checks. Screening rows go through vax_screening_propose on the
 * visit's day; anaphylaxis rows through the recognition of Circular 51/2017/TT-BYT. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANY_MINUTES (-1)

typedef struct dose_given {
    const char *product;
    const char *day; /* YYYY-MM-DD */
} dose_given;

typedef struct vital_value {
    const char *key; /* "temperature" */
    int tenths;
} vital_value;

typedef struct screening_row {
    const char *name;
    const char *source; /* document number, date, item: what the row checks */
    const char *cite;   /* a word the applied rules must name (checklist or product rule) */
    const char *day;    /* the visit's day */
    const char *birth;
    char sex;
    const char *yes;       /* questions answered yes, by meaning (see question_keys) */
    vital_value vitals[3]; /* readings other than the normal ones */
    dose_given doses[2];
    vax_outcome outcome;
    const char *products; /* exactly the products offered */
    const char *ruled_out_has;
    const char *return_date;
    int observation_minutes;
    const char *form; /* checklist code applied, or NULL */
} screening_row;

/* A question by meaning: its key in the forms (the August 2021 form numbered its questions). */
static const struct {
    const char *meaning;
    const char *keys[3];
} question_keys[] = {
    {"anaph_vaccine", {"anaph_vaccine", "q01", NULL}},
    {"covid_6m", {"covid_6m", "q02", NULL}},
    {"acute", {"acute", "q03", NULL}},
    {"preg_lt13", {"preg_lt13", "q04", NULL}},
    {"anaph_g3", {"anaph_g3", "q05", NULL}},
    {"preg_ge13", {"preg_ge13", "q06", NULL}},
    {"breastfeeding", {"breastfeeding", NULL, NULL}},
    {"chronic", {"chronic", NULL, NULL}},
    {"hypertension", {"hypertension", NULL, NULL}},
};

#define V(k, x)                                                                                    \
    {                                                                                              \
        k, x                                                                                       \
    }
#define D(p, d)                                                                                    \
    {                                                                                              \
        p, d                                                                                       \
    }
#define ADULT "1980-05-01"

static const screening_row screening_rows[] = {
    {"an adult with every answer no is eligible for every product",
     "QĐ 4355/QĐ-BYT 10/9/2021, eligible group",
     "4355",
     "2021-10-15",
     ADULT,
     'm',
     "",
     {{0}},
     {{0}},
     VAX_OUTCOME_ELIGIBLE,
     "AB AZ CS JJ MO PF SP SV",
     "",
     "",
     30,
     "BYT-4355"},
    {"anaphylaxis after a Pfizer dose rules out Pfizer and Moderna, one kind in 2021",
     "QĐ 4355/QĐ-BYT 10/9/2021, contraindication: anaphylaxis to the same kind of vaccine; "
     "CV 7548/BYT-DP 10/9/2021: Pfizer and Moderna interchangeable",
     "4355",
     "2021-10-15",
     ADULT,
     'f',
     "anaph_vaccine",
     {{0}},
     {D("PF", "2021-09-20")},
     VAX_OUTCOME_CONTRAINDICATED,
     "",
     "MO PF",
     "",
     ANY_MINUTES,
     NULL},
    {"anaphylaxis after a COVID-19 vaccine with no dose on record rules out no product blindly",
     "QĐ 4355/QĐ-BYT 10/9/2021: the contraindication is for the same kind; the kind is unknown, "
     "so the person is sent to a hospital (grade-3 anaphylaxis item)",
     "4355",
     "2021-10-15",
     ADULT,
     'f',
     "anaph_vaccine",
     {{0}},
     {{0}},
     VAX_OUTCOME_REFERRED,
     "",
     "",
     "",
     ANY_MINUTES,
     NULL},
    {"COVID-19 in the last 6 months postpones until 6 months after (not 30 days)",
     "QĐ 4355/QĐ-BYT 10/9/2021, postponement: clear history of COVID-19 within 6 months",
     "4355",
     "2021-10-15",
     ADULT,
     'm',
     "covid_6m",
     {{0}},
     {{0}},
     VAX_OUTCOME_POSTPONED,
     "",
     "",
     "2022-04-15",
     ANY_MINUTES,
     NULL},
    {"COVID-19 history is no longer a postponement from 21/12/2021",
     "QĐ 5785/QĐ-BYT 21/12/2021: postponement only for acute illness and pregnancy < 13 weeks",
     "5785",
     "2021-12-22",
     ADULT,
     'm',
     "covid_6m",
     {{0}},
     {{0}},
     VAX_OUTCOME_ELIGIBLE,
     "AB AZ CS JJ MO PF SP SV",
     "",
     "",
     30,
     "BYT-5785"},
    {"chronic disease is in the caution group from 21/12/2021",
     "QĐ 5785/QĐ-BYT 21/12/2021, caution group: underlying or chronic disease",
     "5785",
     "2021-12-22",
     ADULT,
     'm',
     "chronic",
     {{0}},
     {{0}},
     VAX_OUTCOME_CAUTION,
     "AB AZ CS JJ MO PF SP SV",
     "",
     "",
     ANY_MINUTES,
     "BYT-5785"},
    {"August 2021: COVID-19 in the last 6 months postpones until 6 months after (not 30 days)",
     "QĐ 3802/QĐ-BYT 10/8/2021, screening form item 2: postpone until 6 months after COVID-19",
     "3802",
     "2021-08-20",
     ADULT,
     'm',
     "covid_6m",
     {{0}},
     {{0}},
     VAX_OUTCOME_POSTPONED,
     "",
     "",
     "2022-02-18",
     ANY_MINUTES,
     "BYT-3802"},
    {"August 2021: a temperature above 37.5 is an abnormal vital sign, caution (not postponed)",
     "QĐ 3802/QĐ-BYT 10/8/2021, screening form item 10: abnormal vital signs, caution group",
     "3802",
     "2021-08-20",
     ADULT,
     'm',
     "",
     {V("temperature", 380)},
     {{0}},
     VAX_OUTCOME_CAUTION,
     "AB AZ CS JJ MO PF SP SV",
     "",
     "",
     ANY_MINUTES,
     "BYT-3802"},
    {"a temperature above 37.5 is an abnormal vital sign: caution, not postponed",
     "QĐ 4355/QĐ-BYT 10/9/2021, caution group: abnormal vital signs, temperature > 37.5 °C",
     "4355",
     "2021-10-15",
     ADULT,
     'm',
     "",
     {V("temperature", 380)},
     {{0}},
     VAX_OUTCOME_CAUTION,
     "AB AZ CS JJ MO PF SP SV",
     "",
     "",
     ANY_MINUTES,
     NULL},
    {"treated hypertension 30 mmHg above the usual systolic pressure is caution",
     "QĐ 4355/QĐ-BYT 10/9/2021, caution group: systolic 30 mmHg above the daily pressure in "
     "treated hypertension",
     "4355",
     "2021-10-15",
     ADULT,
     'm',
     "hypertension",
     {V("systolic", 1350), V("usual_systolic", 1000)},
     {{0}},
     VAX_OUTCOME_CAUTION,
     "AB AZ CS JJ MO PF SP SV",
     "",
     "",
     ANY_MINUTES,
     NULL},
    {"breastfeeding rules out Sputnik V only",
     "QĐ 4355/QĐ-BYT 10/9/2021: Sputnik V is not given in pregnancy or breastfeeding",
     "4355",
     "2021-10-15",
     ADULT,
     'f',
     "breastfeeding",
     {{0}},
     {{0}},
     VAX_OUTCOME_ELIGIBLE,
     "AB AZ CS JJ MO PF SP",
     "SV",
     "",
     ANY_MINUTES,
     NULL},
    {"pregnancy of 13 weeks or more is caution, with consent",
     "QĐ 4355/QĐ-BYT 10/9/2021, caution group: pregnant >= 13 weeks (Sputnik V excluded)",
     "4355",
     "2021-10-15",
     ADULT,
     'f',
     "preg_ge13",
     {{0}},
     {{0}},
     VAX_OUTCOME_CAUTION,
     "AB AZ CS JJ MO PF SP",
     "SV",
     "",
     ANY_MINUTES,
     NULL},
    {"a 15-year-old after 14/10/2021 may have Pfizer",
     "CV 8688/BYT-DP 14/10/2021: Pfizer for children aged 12-17",
     "8688",
     "2021-10-15",
     "2006-03-01",
     'm',
     "",
     {{0}},
     {{0}},
     VAX_OUTCOME_ELIGIBLE,
     "PF",
     "AB AZ CS JJ MO SP SV",
     "",
     ANY_MINUTES,
     NULL},
    {"a 15-year-old before 14/10/2021 is not vaccinated",
     "QĐ 4355/QĐ-BYT 10/9/2021: the manufacturer's ages as licensed then, 18 and over",
     "4355",
     "2021-10-10",
     "2006-03-01",
     'm',
     "",
     {{0}},
     {{0}},
     VAX_OUTCOME_CONTRAINDICATED,
     "",
     "AB AZ CS JJ MO PF SP SV",
     "",
     ANY_MINUTES,
     NULL},
    {"a 15-year-old from 29/10/2021 is screened with the children's form",
     "QĐ 5002/QĐ-BYT 29/10/2021: screening of children",
     "5002",
     "2021-11-02",
     "2006-03-01",
     'f',
     "",
     {{0}},
     {{0}},
     VAX_OUTCOME_ELIGIBLE,
     "PF",
     "AB AZ CS JJ MO SP SV",
     "",
     ANY_MINUTES,
     "BYT-5002"},
    {"a 9-year-old from 28/3/2022 may have Pfizer's children's formulation, nothing else",
     "CV 1535/BYT-DP 28/3/2022 (products and ages of CV 3405/BYT-DP): Pfizer for 5 to under 12",
     "1535",
     "2022-04-15",
     "2012-09-01",
     'f',
     "",
     {{0}},
     {{0}},
     VAX_OUTCOME_ELIGIBLE,
     "PFC",
     "AB AZ CS JJ MO PF SP SV",
     "",
     ANY_MINUTES,
     "BYT-5002"},
    {"a 9-year-old before 28/3/2022 is not vaccinated, screened with the children's checklist",
     "QĐ 5002/QĐ-BYT 29/10/2021 (children), before CV 1535/BYT-DP: no product for under 12",
     "5002",
     "2022-03-01",
     "2012-09-01",
     'm',
     "",
     {{0}},
     {{0}},
     VAX_OUTCOME_CONTRAINDICATED,
     "",
     "AB AZ CS JJ MO PF PFC SP SV",
     "",
     ANY_MINUTES,
     "BYT-5002"},
    {"an adult on 02/11/2021 is screened with the adult form of 4355, not the children's",
     "QĐ 4355/QĐ-BYT 10/9/2021 (adults) in force until QĐ 5785/QĐ-BYT 21/12/2021",
     "4355",
     "2021-11-02",
     ADULT,
     'm',
     "",
     {{0}},
     {{0}},
     VAX_OUTCOME_ELIGIBLE,
     "AB AZ CS JJ MO PF SP SV",
     "",
     "",
     30,
     "BYT-4355"},
    {"AstraZeneca dose 1 may be followed by AstraZeneca or Pfizer, not Moderna, in October 2021",
     "CV 6030/BYT-DP 27/7/2021: Pfizer after AstraZeneca if supply is short; not Moderna",
     "6030",
     "2021-10-15",
     ADULT,
     'm',
     "",
     {{0}},
     {D("AZ", "2021-08-01")},
     VAX_OUTCOME_ELIGIBLE,
     "AZ PF",
     "",
     "",
     ANY_MINUTES,
     NULL},
    {"AstraZeneca dose 1 may be followed by Moderna from 12/12/2021",
     "CV of the Ministry of 12/12/2021 on Moderna: dose 2 after Pfizer or AstraZeneca",
     "12/12/2021",
     "2021-12-15",
     ADULT,
     'm',
     "",
     {{0}},
     {D("AZ", "2021-10-01")},
     VAX_OUTCOME_ELIGIBLE,
     "AZ MO PF",
     "",
     "",
     ANY_MINUTES,
     NULL},
    {"Pfizer dose 1 is followed only by Pfizer before September 2021",
     "CV 6030/BYT-DP 27/7/2021: mRNA dose 2 of the same vaccine",
     "6030",
     "2021-08-25",
     ADULT,
     'm',
     "",
     {{0}},
     {D("PF", "2021-08-01")},
     VAX_OUTCOME_ELIGIBLE,
     "PF",
     "",
     "",
     ANY_MINUTES,
     NULL},
    {"Pfizer and Moderna are interchangeable from 10/9/2021",
     "CV 7548/BYT-DP 10/9/2021: Moderna after Pfizer and the reverse when unavoidable",
     "7548",
     "2021-10-01",
     ADULT,
     'm',
     "",
     {{0}},
     {D("PF", "2021-09-01")},
     VAX_OUTCOME_ELIGIBLE,
     "MO PF",
     "",
     "",
     ANY_MINUTES,
     NULL},
    {"AstraZeneca dose 2 waits 8 weeks before 20/9/2021",
     "CV 6030/BYT-DP 27/7/2021: AstraZeneca interval 8-12 weeks",
     "6030",
     "2021-09-05",
     ADULT,
     'm',
     "",
     {{0}},
     {D("AZ", "2021-08-01")},
     VAX_OUTCOME_POSTPONED,
     "",
     "",
     "2021-09-26",
     ANY_MINUTES,
     NULL},
};

/* ---- running a screening row ------------------------------------------------------------- */

static int64_t day_time(const char *day)
{
    int diff = 0;
    assert_int_equal(vax_date_diff("2021-10-15", day, &diff), VAX_OK);
    return T0 + (int64_t)diff * 86400;
}

static void insert_dose(test_db *t, int64_t person_id, const char *product, int number, int64_t at)
{
    sqlite3 *s = NULL;
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, created_at,"
             " updated_at) VALUES (lower(hex(randomblob(16))), %lld, '%s', %d, %lld, %lld, %lld)",
             (long long)person_id, product, number, (long long)at, (long long)at, (long long)at);
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
}

static int question_index(const vax_checklist *c, const char *meaning)
{
    for (size_t m = 0; m < sizeof question_keys / sizeof question_keys[0]; m++) {
        if (strcmp(question_keys[m].meaning, meaning) != 0)
            continue;
        for (int k = 0; k < 3 && question_keys[m].keys[k]; k++)
            for (int i = 0; i < c->nitems; i++)
                if (strcmp(c->items[i].key, question_keys[m].keys[k]) == 0)
                    return i;
    }
    return -1;
}

static int vital_index(const vax_checklist *c, const char *key)
{
    for (int i = 0; i < c->nvitals; i++)
        if (strcmp(c->vitals[i].key, key) == 0)
            return i;
    return -1;
}

/* Every answer no, normal readings, then the row's answers and readings. A question the form
 * of the day does not ask is left out (the form decides what is asked). */
static void fill_input(const vax_checklist *c, const screening_row *r, vax_screening_input *in)
{
    char words[128], *save = NULL;
    vax_screening_input_init(in);
    in->checklist_id = c->id;
    memset(in->answers, 'n', (size_t)c->nitems);
    for (int i = 0; i < c->nvitals; i++)
        if (c->vitals[i].has_normal && c->vitals[i].required)
            in->vitals[i] = (c->vitals[i].normal_lo + c->vitals[i].normal_hi) / 2;
    snprintf(words, sizeof words, "%s", r->yes);
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        int q = question_index(c, w);
        if (q >= 0)
            in->answers[q] = 'y';
    }
    for (int i = 0; i < 3 && r->vitals[i].key; i++) {
        int k = vital_index(c, r->vitals[i].key);
        if (k >= 0)
            in->vitals[k] = r->vitals[i].tenths;
    }
}

static int applied_rules_cite(const vax_screening_proposal *p, const vax_checklist *c,
                              const char *cite)
{
    if (strstr(c->source, cite) || strstr(c->name, cite))
        return 1;
    for (int i = 0; i < p->nreasons; i++)
        if (strstr(p->reasons[i].text, cite))
            return 1;
    return 0;
}

/* 0 if the row holds; otherwise prints what differs and returns 1. */
static int run_screening_row(const screening_row *r, int serial)
{
    test_db *t = tdb_open();
    vax_checklist *c = malloc(sizeof *c);
    vax_screening_proposal p;
    vax_screening_input in;
    vax_visit v;
    char id[13], name[64];
    int bad = 0;
    assert_non_null(c);
    vax_clock_set(day_time(r->day));
    tdb_cccd(id, atoi(r->birth), r->sex, serial);
    snprintf(name, sizeof name, "Nguyen Van %c%c", 'a' + serial / 26 % 26, 'a' + serial % 26);
    int64_t pid = tdb_person(t, name, id, r->birth, NULL);
    for (int d = 0; d < 2 && r->doses[d].product; d++)
        insert_dose(t, pid, r->doses[d].product, d + 1, day_time(r->doses[d].day));
    assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-1", &v), VAX_OK);
    /* the form the core applies to this person on this day */
    if (vax_screening_form(t->db, v.id, c) != VAX_OK) {
        printf("# %s: no form: %s\n", r->name, vax_errmsg(t->db));
        bad = 1;
        goto out;
    }
    fill_input(c, r, &in);
    if (vax_screening_propose(t->db, v.id, &in, &p) != VAX_OK) {
        printf("# %s: propose: %s\n", r->name, vax_errmsg(t->db));
        bad = 1;
        goto out;
    }
    if (p.outcome != r->outcome) {
        printf("# %s: outcome %s, expected %s\n", r->name, vax_outcome_code(p.outcome),
               vax_outcome_code(r->outcome));
        bad = 1;
    }
    if (strcmp(p.products, r->products) != 0) {
        printf("# %s: products \"%s\", expected \"%s\"\n", r->name, p.products, r->products);
        bad = 1;
    }
    if (r->ruled_out_has[0] ? !strstr(p.ruled_out, r->ruled_out_has) : p.ruled_out[0] != 0) {
        printf("# %s: ruled out \"%s\", expected \"%s\"\n", r->name, p.ruled_out, r->ruled_out_has);
        bad = 1;
    }
    if (strcmp(p.return_date, r->return_date) != 0) {
        printf("# %s: return \"%s\", expected \"%s\"\n", r->name, p.return_date, r->return_date);
        bad = 1;
    }
    if (r->observation_minutes != ANY_MINUTES && p.observation_minutes != r->observation_minutes) {
        printf("# %s: observation %d, expected %d\n", r->name, p.observation_minutes,
               r->observation_minutes);
        bad = 1;
    }
    if (r->form && strcmp(c->code, r->form) != 0) {
        printf("# %s: form %s, expected %s\n", r->name, c->code, r->form);
        bad = 1;
    }
    if (!applied_rules_cite(&p, c, r->cite)) {
        printf("# %s: the rules applied do not cite %s (form %s)\n", r->name, r->cite, c->code);
        bad = 1;
    }
out:
    free(c);
    tdb_close(t);
    return bad;
}

static void test_every_screening_row_holds(void **state)
{
    (void)state;
    int n = (int)(sizeof screening_rows / sizeof screening_rows[0]), failed = 0;
    for (int i = 0; i < n; i++)
        failed += run_screening_row(&screening_rows[i], i + 1);
    printf("# screening rows: %d of %d fail\n", failed, n);
    assert_int_equal(failed, 0);
}

/* ---- anaphylaxis (Circular 51/2017/TT-BYT, Annexes I and II) ----------------------------- */

typedef struct aefi_row {
    const char *name;
    const char *source;
    const char *signs;
    int anaphylaxis; /* the Circular's criteria are met: the protocol is raised */
    int grade;       /* Annex II: 1 skin only .. 4 arrest; 0 when no sign of an allergic kind */
} aefi_row;

static const aefi_row aefi_rows[] = {
    {"hives alone is grade I, not the emergency protocol",
     "TT 51/2017/TT-BYT Annex II item 1: grade I, skin and mucosa only", "hives", 0, 1},
    {"abdominal pain with a skin sign is two organ systems",
     "TT 51/2017/TT-BYT Annex I picture 2: two or more of skin, breathing, blood pressure, "
     "persistent gut symptoms",
     "abdominal itching", 1, 2},
    {"swelling of the throat with difficult breathing",
     "TT 51/2017/TT-BYT Annex I picture 1: skin or mucosa with a breathing sign",
     "swelling breathing", 1, 2},
    {"low blood pressure alone after the injection",
     "TT 51/2017/TT-BYT Annex I picture 3: blood pressure falls after a known allergen; Annex II "
     "grade III",
     "hypotension", 1, 3},
    {"loss of consciousness with hives",
     "TT 51/2017/TT-BYT Annex I picture 1b: consequences of low blood pressure; grade III",
     "hives unconscious", 1, 3},
    {"fever and local pain are not anaphylaxis", "TT 51/2017/TT-BYT Annex I (none of the pictures)",
     "fever local", 0, 0},
};

static void test_every_anaphylaxis_row_holds(void **state)
{
    (void)state;
    int n = (int)(sizeof aefi_rows / sizeof aefi_rows[0]), failed = 0;
    for (int i = 0; i < n; i++) {
        const aefi_row *r = &aefi_rows[i];
        int ana = -1, grade = -1;
        assert_int_equal(vax_aefi_assess(r->signs, &ana, &grade), VAX_OK);
        if (ana != r->anaphylaxis || grade != r->grade) {
            printf("# %s (%s): anaphylaxis %d grade %d, expected %d grade %d\n", r->name, r->source,
                   ana, grade, r->anaphylaxis, r->grade);
            failed++;
        }
    }
    printf("# anaphylaxis rows: %d of %d fail\n", failed, n);
    assert_int_equal(failed, 0);
}

/* The protocol the observation dialog shows (Circular 51/2017/TT-BYT, Annex III). */
static void test_the_protocol_has_child_doses_escalation_airway_and_monitoring(void **state)
{
    (void)state;
    static const char *const must[] = {"ANAPHYLAXIS", "< 10 kg",     "20 kg",  "> 30 kg",
                                       "3-5 minutes", "intravenous", "Oxygen", "CPR",
                                       "24 hours",    "fluid",       NULL};
    char *text = vax_aefi_protocol();
    int failed = 0;
    assert_non_null(text);
    for (const char *const *m = must; *m; m++)
        if (!strstr(text, *m)) {
            printf("# protocol lacks \"%s\"\n", *m);
            failed++;
        }
    free(text);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_screening_row_holds),
        cmocka_unit_test(test_every_anaphylaxis_row_holds),
        cmocka_unit_test(test_the_protocol_has_child_doses_escalation_airway_and_monitoring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
