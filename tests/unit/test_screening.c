/* test_screening.c: outcome rules (each question, each vital-sign boundary, age, dose history,
 * product rules), the doctor's decision, and what is recorded with the visit's move. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int next_serial = 1;

/* A person born on birth (YYYY-MM-DD), checked in and called to screening. */
static vax_visit called(test_db *t, const char *birth)
{
    char id[13], name[64];
    vax_visit v;
    int serial = next_serial++;
    tdb_cccd(id, atoi(birth), 'f', serial);
    snprintf(name, sizeof name, "Tran Thi %c%c", 'a' + serial / 26 % 26, 'a' + serial % 26);
    int64_t pid = tdb_person(t, name, id, birth, NULL);
    /* These tests exercise the August 2021 form (QĐ 3802/QĐ-BYT) on 15/10/2021, when QĐ 4355/QĐ-BYT
     * had replaced it (10/9/2021): the setting names it, as a site keeping the old form would.
     * The forms in force by date are tested in test_clinical_rules.c. */
    assert_int_equal(vax_setting_set(t->db, "screening.checklist", "BYT-3802"), VAX_OK);
    assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
    if (vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-1", &v) != VAX_OK)
        fail_msg("call next: %s", vax_errmsg(t->db));
    return v;
}

static vax_visit adult(test_db *t)
{
    return called(t, "1980-05-01");
}

/* All answers "no", normal vitals (the August 2021 form: temperature, pulse, systolic,
 * diastolic, breathing, SpO2). */
static void normal_input(vax_screening_input *in)
{
    vax_screening_input_init(in);
    memset(in->answers, 'n', 10);
    in->vitals[0] = 366;
    in->vitals[1] = 800;
    in->vitals[2] = 1200;
    in->vitals[3] = 800;
    in->vitals[4] = 180;
    in->vitals[5] = 980;
}

static int64_t count(test_db *t, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static void give_dose(test_db *t, int64_t person_id, const char *product, int number,
                      int64_t given_at)
{
    sqlite3 *s = NULL;
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, created_at,"
             " updated_at) VALUES (lower(hex(randomblob(16))), %lld, '%s', %d, %lld, %lld, %lld)",
             (long long)person_id, product, number, (long long)given_at, (long long)given_at,
             (long long)given_at);
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
}

static vax_screening_proposal propose(test_db *t, const vax_visit *v, const vax_screening_input *in)
{
    vax_screening_proposal p;
    if (vax_screening_propose(t->db, v->id, in, &p) != VAX_OK)
        fail_msg("propose: %s", vax_errmsg(t->db));
    return p;
}

static int has_reason(const vax_screening_proposal *p, vax_outcome o, const char *words)
{
    for (int i = 0; i < p->nreasons; i++)
        if (p->reasons[i].outcome == o && strstr(p->reasons[i].text, words))
            return 1;
    return 0;
}

static vax_screening_decision decide(vax_outcome o, const char *reason)
{
    vax_screening_decision d;
    memset(&d, 0, sizeof d);
    d.outcome = o;
    snprintf(d.reason, sizeof d.reason, "%s", reason ? reason : "");
    return d;
}

static vax_state state_of(test_db *t, int64_t visit_id)
{
    vax_visit v;
    assert_int_equal(vax_visit_get(t->db, visit_id, &v), VAX_OK);
    return v.state;
}

/* ---- each question to its outcome --------------------------------------------------------- */

static void test_all_no_and_normal_vitals_is_eligible_for_every_product(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    normal_input(&in);
    vax_visit v = adult(t);
    vax_screening_proposal p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_ELIGIBLE);
    assert_string_equal(p.products, "AB AZ CS JJ MO PF SP SV");
    assert_string_equal(p.ruled_out, "");
    assert_int_equal(p.observation_minutes, 30);
    assert_int_equal(p.age, 41);
    assert_int_equal(p.needs_consent, 0);
    tdb_close(t);
}

static void test_each_question_of_the_august_2021_form_gives_its_outcome(void **state)
{
    (void)state;
    /* written from the summary of Decision 3802, independently of the data file */
    static const vax_outcome want[10] = {
        /* anaphylaxis to a COVID-19 vaccine "lần trước" (the earlier dose): with no dose on
         * record that vaccine is unknown, so no product is ruled out blindly and the person is
         * sent to a hospital; QĐ 4355/QĐ-BYT 10/9/2021 narrowed the contraindication to the same
         * kind, which needs the earlier dose too (test_clinical_rules.c has the row) */
        VAX_OUTCOME_REFERRED,  VAX_OUTCOME_POSTPONED, /* COVID-19 within 6 months */
        VAX_OUTCOME_POSTPONED,                        /* acute illness */
        VAX_OUTCOME_POSTPONED,                        /* pregnant under 13 weeks */
        VAX_OUTCOME_REFERRED,                         /* anaphylaxis grade 3+ */
        VAX_OUTCOME_CAUTION,                          /* pregnant 13 weeks or more */
        VAX_OUTCOME_CAUTION,                          /* immunodeficiency, end-stage cancer */
        VAX_OUTCOME_CAUTION,                          /* allergy */
        VAX_OUTCOME_CAUTION,                          /* clotting disorder */
        VAX_OUTCOME_CAUTION,                          /* altered consciousness */
    };
    test_db *t = tdb_open();
    vax_visit v = adult(t);
    for (int i = 0; i < 10; i++) {
        vax_screening_input in;
        normal_input(&in);
        in.answers[i] = 'y';
        vax_screening_proposal p = propose(t, &v, &in);
        if (p.outcome != want[i])
            fail_msg("question %d: %s, expected %s", i + 1, vax_outcome_code(p.outcome),
                     vax_outcome_code(want[i]));
        assert_true(p.nreasons >= 1);
        assert_int_equal(p.return_date[0] != 0, want[i] == VAX_OUTCOME_POSTPONED);
        if (want[i] == VAX_OUTCOME_CAUTION)
            assert_int_equal(p.observation_minutes, 60);
        if (want[i] >= VAX_OUTCOME_REFERRED)
            assert_string_equal(p.products, "");
    }
    /* with the earlier dose on record, question 1 is a contraindication (QĐ 3802/QĐ-BYT) */
    vax_screening_input in;
    normal_input(&in);
    in.answers[0] = 'y';
    vax_visit w = adult(t);
    give_dose(t, w.person_id, "SP", 1, T0 - 30 * 86400);
    assert_int_equal(propose(t, &w, &in).outcome, VAX_OUTCOME_CONTRAINDICATED);
    tdb_close(t);
}

static void test_every_reason_is_listed_and_the_heaviest_outcome_wins(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    normal_input(&in);
    in.answers[2] = 'y'; /* acute illness: postponed */
    in.answers[4] = 'y'; /* grade 3 anaphylaxis: referred */
    in.answers[7] = 'y'; /* allergy: caution */
    in.vitals[1] = 1100; /* pulse 110: caution */
    vax_visit v = adult(t);
    vax_screening_proposal p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_POSTPONED);
    /* the four findings, besides the rules of the day that every proposal cites */
    int findings = 0;
    for (int i = 0; i < p.nreasons; i++)
        findings += p.reasons[i].outcome != VAX_OUTCOME_ELIGIBLE;
    assert_int_equal(findings, 4);
    assert_true(has_reason(&p, VAX_OUTCOME_ELIGIBLE, "Rules of 15/10/2021: form BYT-3802 v1"));
    assert_true(has_reason(&p, VAX_OUTCOME_POSTPONED, "acute illness"));
    assert_true(has_reason(&p, VAX_OUTCOME_REFERRED, "grade 3"));
    assert_true(has_reason(&p, VAX_OUTCOME_CAUTION, "allergy"));
    assert_true(has_reason(&p, VAX_OUTCOME_CAUTION, "Pulse 110 /min: above 100 /min."));
    assert_string_equal(p.return_date, "2021-10-22");
    tdb_close(t);
}

static void
test_pregnancy_from_13_weeks_is_caution_needs_consent_and_rules_out_sputnik(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    int64_t id = 0;
    normal_input(&in);
    in.answers[5] = 'y';
    vax_visit v = adult(t);
    vax_screening_proposal p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_CAUTION);
    assert_int_equal(p.needs_consent, 1);
    assert_string_equal(p.products, "AB AZ CS JJ MO PF SP");
    assert_string_equal(p.ruled_out, "SV");
    assert_true(has_reason(&p, VAX_OUTCOME_ELIGIBLE, "SV is not given in pregnancy"));
    /* without the signed consent: refused, nothing written */
    vax_screening_decision d = decide(VAX_OUTCOME_CAUTION, NULL);
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "consent");
    assert_int_equal(count(t, "SELECT count(*) FROM screening"), 0);
    assert_int_equal(state_of(t, v.id), VAX_STATE_SCREENING);
    d.consent = 1;
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &id), VAX_OK);
    vax_screening s;
    assert_int_equal(vax_screening_get(t->db, id, &s), VAX_OK);
    assert_int_equal(s.consent, 1);
    assert_int_equal(s.observation_minutes, 60);
    assert_string_equal(s.products, "AB AZ CS JJ MO PF SP");
    assert_int_equal(state_of(t, v.id), VAX_STATE_WAITING_INJECTION);
    tdb_close(t);
}

static void test_a_site_question_on_breastfeeding_rules_out_sputnik_by_product_data(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    const char *site = "[checklist]\ncode = SITE-BF\nversion = 1\nvalid_from = 2021-09-01\n"
                       "vi = a\nen = a\nsource = site\n"
                       "[bf]\nvi = Đang cho con bú\nen = Breastfeeding\noutcome = eligible\n"
                       "finding = breastfeeding\n";
    int64_t cid = 0;
    assert_int_equal(vax_checklist_add(t->db, "site.conf", site, &cid), VAX_OK);
    vax_screening_input in;
    vax_screening_input_init(&in);
    in.checklist_id = cid;
    in.answers[0] = 'y';
    vax_visit v = adult(t);
    vax_screening_proposal p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_ELIGIBLE);
    assert_string_equal(p.ruled_out, "SV");
    assert_null(strstr(p.products, "SV"));
    tdb_close(t);
}

/* ---- vital signs at each boundary --------------------------------------------------------- */

static void test_vitals_at_each_boundary(void **state)
{
    (void)state;
    static const struct {
        int vital, value;
        vax_outcome want;
    } cases[] = {
        /* 37.5 / 37.6 °C: QĐ 3802/QĐ-BYT 10/8/2021 form item 10, an abnormal vital sign is the
         * caution group, fever included (it used to postpone, a choice the form does not make) */
        {0, 375, VAX_OUTCOME_ELIGIBLE}, {0, 376, VAX_OUTCOME_CAUTION},
        {0, 385, VAX_OUTCOME_CAUTION},  {0, 355, VAX_OUTCOME_ELIGIBLE},
        {0, 354, VAX_OUTCOME_CAUTION},  {1, 600, VAX_OUTCOME_ELIGIBLE}, /* pulse 60 / 59 */
        {1, 590, VAX_OUTCOME_CAUTION},  {1, 1000, VAX_OUTCOME_ELIGIBLE},
        {1, 1010, VAX_OUTCOME_CAUTION}, {2, 900, VAX_OUTCOME_ELIGIBLE}, /* systolic 90 / 89 */
        {2, 890, VAX_OUTCOME_CAUTION},  {2, 1400, VAX_OUTCOME_ELIGIBLE},
        {2, 1410, VAX_OUTCOME_CAUTION}, {3, 600, VAX_OUTCOME_ELIGIBLE}, /* diastolic 60 / 59 */
        {3, 590, VAX_OUTCOME_CAUTION},  {3, 900, VAX_OUTCOME_ELIGIBLE},
        {3, 910, VAX_OUTCOME_CAUTION},  {4, 250, VAX_OUTCOME_ELIGIBLE}, /* breathing 25 / 26 */
        {4, 260, VAX_OUTCOME_CAUTION},  {5, 500, VAX_OUTCOME_ELIGIBLE}, /* SpO2: recorded */
    };
    test_db *t = tdb_open();
    vax_visit v = adult(t);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vax_screening_input in;
        normal_input(&in);
        in.vitals[cases[i].vital] = cases[i].value;
        vax_screening_proposal p = propose(t, &v, &in);
        if (p.outcome != cases[i].want)
            fail_msg("vital %d = %d: %s, expected %s", cases[i].vital, cases[i].value,
                     vax_outcome_code(p.outcome), vax_outcome_code(cases[i].want));
    }
    tdb_close(t);
}

static void test_vitals_outside_physical_limits_are_refused_as_typos_and_write_nothing(void **state)
{
    (void)state;
    static const struct {
        int vital, value;
        const char *field;
    } typos[] = {
        {0, 600, "temperature"}, /* 60 °C */
        {5, 1400, "spo2"},       /* 140 % */
        {1, 4000, "pulse"},      /* 400 /min */
        {2, 100, "systolic"},    {0, 0, "temperature"},
    };
    test_db *t = tdb_open();
    vax_visit v = adult(t);
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
        vax_screening_input in;
        vax_screening_proposal p;
        normal_input(&in);
        in.vitals[typos[i].vital] = typos[i].value;
        assert_int_equal(vax_screening_propose(t->db, v.id, &in, &p), VAX_EINVAL);
        assert_string_equal(vax_errfield(t->db), typos[i].field);
        assert_non_null(strstr(vax_errmsg(t->db), "typing error"));
        vax_screening_decision d = decide(VAX_OUTCOME_ELIGIBLE, NULL);
        assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, NULL), VAX_EINVAL);
    }
    /* a required vital left out, a question unanswered */
    vax_screening_input in;
    vax_screening_proposal p;
    normal_input(&in);
    in.vitals[0] = VAX_VITAL_NONE;
    assert_int_equal(vax_screening_propose(t->db, v.id, &in, &p), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "temperature");
    normal_input(&in);
    in.answers[3] = 0;
    assert_int_equal(vax_screening_propose(t->db, v.id, &in, &p), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "q04");
    /* breathing and SpO2 may be left out */
    normal_input(&in);
    in.vitals[4] = in.vitals[5] = VAX_VITAL_NONE;
    assert_int_equal(vax_screening_propose(t->db, v.id, &in, &p), VAX_OK);
    assert_int_equal(count(t, "SELECT count(*) FROM screening"), 0);
    assert_int_equal(state_of(t, v.id), VAX_STATE_SCREENING);
    tdb_close(t);
}

/* ---- age and dose history ----------------------------------------------------------------- */

static void test_age_limit_is_a_setting(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    normal_input(&in);
    /* no site limit by default: each product's age of the day decides. CV 8688/BYT-DP of
     * 14/10/2021 opened Pfizer to children aged 12-17, so a 17-year-old on 15/10/2021 may have
     * Pfizer and nothing else (assets/dose-rules.conf [pf-8688]) */
    vax_visit young = called(t, "2004-01-01"); /* 17 on 15 Oct 2021 */
    vax_screening_proposal p = propose(t, &young, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_ELIGIBLE);
    assert_string_equal(p.products, "PF");
    assert_true(has_reason(&p, VAX_OUTCOME_ELIGIBLE, "too young for AB AZ CS JJ MO SP SV"));
    vax_visit child = called(t, "2010-01-01"); /* 11: under every product's age */
    p = propose(t, &child, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_CONTRAINDICATED);
    assert_string_equal(p.products, "");
    vax_visit v = called(t, "2002-01-01"); /* 19 */
    assert_int_equal(propose(t, &v, &in).outcome, VAX_OUTCOME_ELIGIBLE);
    /* a site that vaccinates only from an age sets it */
    assert_int_equal(vax_setting_set(t->db, "screening.min_age", "18"), VAX_OK);
    p = propose(t, &young, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_CONTRAINDICATED);
    assert_true(has_reason(&p, VAX_OUTCOME_CONTRAINDICATED, "under 18"));
    assert_int_equal(vax_setting_set(t->db, "screening.min_age", "20"), VAX_OK);
    p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_CONTRAINDICATED);
    assert_true(has_reason(&p, VAX_OUTCOME_CONTRAINDICATED, "under 20"));
    tdb_close(t);
}

static void test_dose_2_before_the_interval_is_postponed_to_the_earliest_day(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    normal_input(&in);
    vax_visit v = adult(t);
    give_dose(t, v.person_id, "AZ", 1, T0 - 10 * 86400);
    vax_screening_proposal p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_POSTPONED);
    assert_int_equal(p.doses, 1);
    assert_string_equal(p.return_date, "2021-11-02"); /* 5 Oct + 28 days */
    assert_true(has_reason(&p, VAX_OUTCOME_POSTPONED, "Too early for dose 2"));
    /* the doctor reads dates as they are written in Vietnam */
    assert_true(has_reason(&p, VAX_OUTCOME_POSTPONED, "from 02/11/2021"));
    assert_true(has_reason(&p, VAX_OUTCOME_ELIGIBLE, "was given on 05/10/2021"));
    tdb_close(t);
}

static void test_dose_2_after_the_interval_may_be_only_a_product_the_first_allows(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    normal_input(&in);
    vax_visit v = adult(t);
    give_dose(t, v.person_id, "AZ", 1, T0 - 40 * 86400);
    vax_screening_proposal p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_ELIGIBLE);
    /* CV 6030/BYT-DP 27/7/2021: after AstraZeneca, AstraZeneca or Pfizer, not Moderna; Moderna
     * follows AstraZeneca only from the Ministry's dispatch of 12/12/2021 (dose-rules.conf) */
    assert_string_equal(p.products, "AZ PF");
    vax_visit w = adult(t);
    give_dose(t, w.person_id, "SP", 1, T0 - 30 * 86400);
    p = propose(t, &w, &in);
    assert_string_equal(p.products, "SP");
    /* a voided dose does not count */
    vax_visit x = adult(t);
    give_dose(t, x.person_id, "SP", 1, T0 - 3 * 86400);
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE dose SET voided = 1 WHERE person_id = %lld",
             (long long)x.person_id);
    assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    p = propose(t, &x, &in);
    assert_int_equal(p.doses, 0);
    assert_int_equal(p.outcome, VAX_OUTCOME_ELIGIBLE);
    tdb_close(t);
}

static void test_anaphylaxis_to_an_earlier_dose_rules_out_that_product_only(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    normal_input(&in);
    in.answers[0] = 'y';
    vax_visit v = adult(t);
    give_dose(t, v.person_id, "AZ", 1, T0 - 40 * 86400);
    vax_screening_proposal p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_CAUTION);
    /* Moderna may not follow AstraZeneca on 15/10/2021 (CV 6030/BYT-DP 27/7/2021) */
    assert_string_equal(p.products, "PF");
    /* and Covishield with it: the same vaccine made under licence (dose-rules.conf, [kind]) */
    assert_string_equal(p.ruled_out, "AZ CS");
    assert_true(has_reason(&p, VAX_OUTCOME_CAUTION, "contraindicated for AZ"));
    /* after Sinopharm, whose series only Sinopharm continues: nothing is left */
    vax_visit w = adult(t);
    give_dose(t, w.person_id, "SP", 1, T0 - 30 * 86400);
    p = propose(t, &w, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_CONTRAINDICATED);
    assert_string_equal(p.products, "");
    tdb_close(t);
}

/* ---- the decision ------------------------------------------------------------------------- */

static void test_confirm_eligible_moves_to_waiting_injection_and_records_everything(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    int64_t id = 0;
    int before = 0, after = 0;
    normal_input(&in);
    snprintf(in.notes, sizeof in.notes, "%s", "dị ứng hải sản");
    vax_visit v = adult(t);
    assert_int_equal(vax_visit_event_count(t->db, v.id, &before), VAX_OK);
    vax_screening_decision d = decide(VAX_OUTCOME_ELIGIBLE, NULL);
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &id), VAX_OK);
    assert_int_equal(state_of(t, v.id), VAX_STATE_WAITING_INJECTION);
    assert_int_equal(vax_visit_event_count(t->db, v.id, &after), VAX_OK);
    assert_int_equal(after, before + 2); /* eligible, then waiting_injection */
    assert_int_equal(count(t, "SELECT count(*) FROM visit_event WHERE to_state = 'eligible'"
                              " AND details = 'screening eligible'"),
                     1);
    vax_screening s;
    assert_int_equal(vax_screening_get(t->db, id, &s), VAX_OK);
    assert_int_equal(s.visit_id, v.id);
    assert_int_equal(s.person_id, v.person_id);
    assert_string_equal(s.checklist_code, "BYT-3802");
    assert_int_equal(s.checklist_version, 1);
    assert_string_equal(s.answers, "nnnnnnnnnn");
    assert_string_equal(s.vitals,
                        "temperature=36.6 pulse=80 systolic=120 diastolic=80 breathing=18 spo2=98");
    assert_string_equal(s.notes, "dị ứng hải sản");
    assert_int_equal(s.proposed, VAX_OUTCOME_ELIGIBLE);
    assert_int_equal(s.final, VAX_OUTCOME_ELIGIBLE);
    assert_string_equal(s.products, "AB AZ CS JJ MO PF SP SV");
    assert_int_equal(s.observation_minutes, 30);
    assert_int_equal(s.screened_at, T0);
    assert_true(s.screened_by > 0);
    assert_int_equal(s.screened_by, vax_actor(t->db)->id);
    assert_true(strlen(s.uuid) == 36);
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'screening.confirm'"), 1);
    /* the notes show at the person's next screening */
    char notes[512];
    assert_int_equal(vax_screening_history_notes(t->db, v.person_id, notes, sizeof notes), VAX_OK);
    assert_string_equal(notes, "2021-10-15 dị ứng hải sản");
    tdb_close(t);
}

/* A fever is proposed as caution (QĐ 3802/QĐ-BYT 10/8/2021 form item 10: abnormal vital signs);
 * the doctor may still postpone, with a reason and a day to come back, and the visit ends so. */
static void test_fever_is_caution_and_a_doctor_may_postpone_with_a_return_date(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    int64_t id = 0;
    normal_input(&in);
    in.vitals[0] = 385;
    vax_visit v = adult(t);
    vax_screening_proposal p = propose(t, &v, &in);
    assert_int_equal(p.outcome, VAX_OUTCOME_CAUTION);
    vax_screening_decision d = decide(VAX_OUTCOME_POSTPONED, "fever 38.5, come back when well");
    snprintf(d.return_date, sizeof d.return_date, "%s", "2021-10-22");
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &id), VAX_OK);
    assert_int_equal(state_of(t, v.id), VAX_STATE_POSTPONED);
    vax_screening s;
    assert_int_equal(vax_screening_for_visit(t->db, v.id, &s), VAX_OK);
    assert_int_equal(s.id, id);
    assert_string_equal(s.return_date, "2021-10-22");
    assert_non_null(strstr(s.reasons, "caution: Temperature 38.5 °C: above 37.5 °C."));
    assert_string_equal(s.products, "");
    assert_int_equal(count(t, "SELECT count(*) FROM visit_event WHERE to_state = 'postponed'"
                              " AND details = 'screening postponed until 2021-10-22'"),
                     1);
    tdb_close(t);
}

static void test_referred_and_contraindicated_end_the_visit_in_that_state(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    normal_input(&in);
    in.answers[4] = 'y';
    vax_visit v = adult(t);
    vax_screening_decision d = decide(VAX_OUTCOME_REFERRED, NULL);
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, NULL), VAX_OK);
    assert_int_equal(state_of(t, v.id), VAX_STATE_REFERRED);
    normal_input(&in);
    in.answers[0] = 'y';
    vax_visit w = adult(t);
    /* anaphylaxis after a Sinopharm dose on record: only Sinopharm may follow it, so nothing */
    give_dose(t, w.person_id, "SP", 1, T0 - 30 * 86400);
    d = decide(VAX_OUTCOME_CONTRAINDICATED, NULL);
    assert_int_equal(vax_screening_confirm(t->db, w.id, &in, &d, NULL), VAX_OK);
    assert_int_equal(state_of(t, w.id), VAX_STATE_CONTRAINDICATED);
    tdb_close(t);
}

/* Annex 5 of QĐ 43/QĐ-BYT counts "does not consent" apart from postponed and contraindicated:
 * the person's own answer, recorded without a reason from the doctor, ending the visit. */
static void test_does_not_consent_ends_the_visit_declined_without_a_reason(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    vax_screening s;
    normal_input(&in);
    vax_visit v = adult(t);
    vax_screening_decision d = decide(VAX_OUTCOME_DECLINED, NULL);
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, NULL), VAX_OK);
    assert_int_equal(state_of(t, v.id), VAX_STATE_DECLINED);
    assert_int_equal(vax_screening_for_visit(t->db, v.id, &s), VAX_OK);
    assert_int_equal(s.proposed, VAX_OUTCOME_ELIGIBLE);
    assert_int_equal(s.final, VAX_OUTCOME_DECLINED);
    assert_string_equal(s.override_reason, "Does not consent");
    assert_string_equal(vax_state_code(VAX_STATE_DECLINED), "declined");
    /* the visit is over: it can go nowhere, and is never called to injection */
    assert_false(vax_state_can_move(VAX_STATE_DECLINED, VAX_STATE_WAITING_INJECTION));
    assert_int_equal(count(t, "SELECT count(*) FROM visit_event WHERE to_state = 'declined'"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox WHERE kind = 'screening'"
                              " AND json_extract(body, '$.final') = 'declined'"),
                     1);
    tdb_close(t);
}

static void test_changing_the_outcome_needs_a_reason(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    int64_t id = 0;
    normal_input(&in);
    vax_visit v = adult(t);
    /* without a reason: refused, nothing written, the visit stays in screening */
    vax_screening_decision d = decide(VAX_OUTCOME_POSTPONED, "");
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "reason");
    assert_int_equal(count(t, "SELECT count(*) FROM screening"), 0);
    assert_int_equal(state_of(t, v.id), VAX_STATE_SCREENING);
    /* postponed by the doctor's choice needs a day to come back too */
    d = decide(VAX_OUTCOME_POSTPONED, "feels faint, wants to come back");
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &id), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "return_date");
    snprintf(d.return_date, sizeof d.return_date, "%s", "2021-10-15"); /* today: not after */
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &id), VAX_EINVAL);
    assert_int_equal(count(t, "SELECT count(*) FROM screening"), 0);
    snprintf(d.return_date, sizeof d.return_date, "%s", "2021-10-18");
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &id), VAX_OK);
    vax_screening s;
    assert_int_equal(vax_screening_get(t->db, id, &s), VAX_OK);
    assert_int_equal(s.proposed, VAX_OUTCOME_ELIGIBLE);
    assert_int_equal(s.final, VAX_OUTCOME_POSTPONED);
    assert_string_equal(s.override_reason, "feels faint, wants to come back");
    assert_string_equal(s.return_date, "2021-10-18");
    assert_int_equal(state_of(t, v.id), VAX_STATE_POSTPONED);
    /* caution chosen over eligible: with a reason, and the longer observation */
    vax_visit w = adult(t);
    d = decide(VAX_OUTCOME_CAUTION, "nervous, fainted at the last injection");
    assert_int_equal(vax_screening_confirm(t->db, w.id, &in, &d, &id), VAX_OK);
    assert_int_equal(vax_screening_get(t->db, id, &s), VAX_OK);
    assert_int_equal(s.observation_minutes, 60);
    assert_int_equal(state_of(t, w.id), VAX_STATE_WAITING_INJECTION);
    tdb_close(t);
}

static void test_vaccinating_when_no_product_is_left_is_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    normal_input(&in);
    /* 11 years old: under 12, the youngest age of any product on 15/10/2021 (CV 8688/BYT-DP
     * 14/10/2021 opened Pfizer from 12; the others stay 18 and over) */
    vax_visit v = called(t, "2010-01-01");
    vax_screening_decision d = decide(VAX_OUTCOME_ELIGIBLE, "looks older");
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "outcome");
    assert_int_equal(state_of(t, v.id), VAX_STATE_SCREENING);
    tdb_close(t);
}

static void test_a_visit_not_in_screening_is_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    vax_visit waiting;
    normal_input(&in);
    vax_visit v = adult(t);
    int64_t pid = tdb_person(t, "Le Van Cho", "001080000999", "1980-01-01", NULL);
    assert_int_equal(vax_queue_checkin(t->db, pid, &waiting), VAX_OK);
    vax_screening_decision d = decide(VAX_OUTCOME_ELIGIBLE, NULL);
    assert_int_equal(vax_screening_confirm(t->db, waiting.id, &in, &d, NULL), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "Waiting for screening"));
    /* screened once: a second confirmation is refused too */
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, NULL), VAX_OK);
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, NULL), VAX_ESTATE);
    assert_int_equal(count(t, "SELECT count(*) FROM screening"), 1);
    assert_int_equal(state_of(t, waiting.id), VAX_STATE_WAITING_SCREENING);
    tdb_close(t);
}

static void test_a_volunteer_may_not_screen(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    vax_staff me;
    normal_input(&in);
    vax_visit v = adult(t);
    assert_int_equal(vax_staff_add(t->db, "boss", "Boss", VAX_ROLE_MANAGER, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "tn", "Helper", VAX_ROLE_VOLUNTEER, "1234", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "tn", "1234", &me), VAX_OK);
    vax_screening_decision d = decide(VAX_OUTCOME_ELIGIBLE, NULL);
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, NULL), VAX_EPERM);
    assert_int_equal(count(t, "SELECT count(*) FROM screening"), 0);
    assert_int_equal(state_of(t, v.id), VAX_STATE_SCREENING);
    tdb_close(t);
}

static void test_screenings_keep_the_checklist_version_they_were_made_with(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_screening_input in;
    vax_screening s;
    int64_t a = 0, b = 0;
    normal_input(&in);
    vax_visit v = adult(t);
    vax_screening_decision d = decide(VAX_OUTCOME_ELIGIBLE, NULL);
    assert_int_equal(vax_screening_confirm(t->db, v.id, &in, &d, &a), VAX_OK);
    vax_clock_set(T0 + 20 * 86400); /* 4 Nov 2021 */
    vax_visit w = adult(t);
    /* without the site's setting, the adult form in force: QĐ 4355/QĐ-BYT 10/9/2021 (QĐ 5002 of
     * 29/10/2021 is for children aged 12-17), twelve questions, temperature the one reading
     * every person has */
    assert_int_equal(vax_setting_set(t->db, "screening.checklist", ""), VAX_OK);
    vax_screening_input_init(&in);
    memset(in.answers, 'n', 12);
    in.vitals[0] = 366;
    assert_int_equal(vax_screening_confirm(t->db, w.id, &in, &d, &b), VAX_OK);
    assert_int_equal(vax_screening_get(t->db, a, &s), VAX_OK);
    assert_string_equal(s.checklist_code, "BYT-3802");
    assert_string_equal(s.answers, "nnnnnnnnnn");
    assert_int_equal(vax_screening_get(t->db, b, &s), VAX_OK);
    assert_string_equal(s.checklist_code, "BYT-4355");
    assert_string_equal(s.answers, "nnnnnnnnnnnn");
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_no_and_normal_vitals_is_eligible_for_every_product),
        cmocka_unit_test(test_each_question_of_the_august_2021_form_gives_its_outcome),
        cmocka_unit_test(test_every_reason_is_listed_and_the_heaviest_outcome_wins),
        cmocka_unit_test(
            test_pregnancy_from_13_weeks_is_caution_needs_consent_and_rules_out_sputnik),
        cmocka_unit_test(test_a_site_question_on_breastfeeding_rules_out_sputnik_by_product_data),
        cmocka_unit_test(test_vitals_at_each_boundary),
        cmocka_unit_test(
            test_vitals_outside_physical_limits_are_refused_as_typos_and_write_nothing),
        cmocka_unit_test(test_age_limit_is_a_setting),
        cmocka_unit_test(test_dose_2_before_the_interval_is_postponed_to_the_earliest_day),
        cmocka_unit_test(test_dose_2_after_the_interval_may_be_only_a_product_the_first_allows),
        cmocka_unit_test(test_anaphylaxis_to_an_earlier_dose_rules_out_that_product_only),
        cmocka_unit_test(test_confirm_eligible_moves_to_waiting_injection_and_records_everything),
        cmocka_unit_test(test_fever_is_caution_and_a_doctor_may_postpone_with_a_return_date),
        cmocka_unit_test(test_referred_and_contraindicated_end_the_visit_in_that_state),
        cmocka_unit_test(test_changing_the_outcome_needs_a_reason),
        cmocka_unit_test(test_vaccinating_when_no_product_is_left_is_refused),
        cmocka_unit_test(test_does_not_consent_ends_the_visit_declined_without_a_reason),
        cmocka_unit_test(test_a_visit_not_in_screening_is_refused),
        cmocka_unit_test(test_a_volunteer_may_not_screen),
        cmocka_unit_test(test_screenings_keep_the_checklist_version_they_were_made_with),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
