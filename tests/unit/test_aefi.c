/* test_aefi.c: the report of a serious reaction: defaults, validation, versions, the outbox, the
 * fields the Ministry's form prints and the FHIR AdverseEvent. */
#include "internal.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    *state = tdb_open();
    return 0;
}

static int teardown(void **state)
{
    tdb_close(*state);
    return 0;
}

static int64_t count(test_db *t, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(t->db->sql, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A child under observation since now with a minor reaction (*minor) and a serious one
 * (*serious), recorded by a nurse who stays signed in. */
static void case_of(test_db *t, int64_t *serious, int64_t *minor)
{
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION,
                                     VAX_STATE_OBSERVING};
    char id[13];
    vax_visit v;
    vax_staff nurse;
    vax_reaction r;
    int is_serious = 0;
    assert_int_equal(vax_staff_add(t->db, "ql", "Quản Lý", VAX_ROLE_MANAGER, "9999", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "ydt", "Lò Thị Y Tá", VAX_ROLE_NURSE, "1111", NULL),
                     VAX_OK);
    tdb_cccd(id, 2012, 'f', 7);
    int64_t p = tdb_person(t, "Lò Thị Ón", id, "2012-03-04", NULL);
    assert_int_equal(vax_queue_checkin(t->db, p, &v), VAX_OK);
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
        assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "ydt", "1111", &nurse), VAX_OK);
    assert_int_equal(vax_observe_record_reaction(t->db, v.id, "local", 0, "observed", "", NULL),
                     VAX_OK);
    *minor = count(t, "SELECT id FROM reaction WHERE severity = 'minor'");
    assert_int_equal(vax_observe_reaction_signs(t->db, v.id, "hives breathing", &r), VAX_OK);
    assert_int_equal(vax_observe_reaction_complete(t->db, r.id, "anaphylaxis", 1, &r), VAX_OK);
    is_serious = r.serious;
    assert_int_equal(is_serious, 1);
    *serious = r.id;
}

static void test_defaults_come_from_the_reaction_and_the_member_signed_in(void **state)
{
    test_db *t = *state;
    int64_t serious, minor;
    vax_aefi_report r;
    case_of(t, &serious, &minor);
    assert_int_equal(vax_aefi_report_get(t->db, serious, &r), VAX_ENOTFOUND);
    assert_int_equal(vax_aefi_report_defaults(t->db, serious, &r), VAX_OK);
    assert_int_equal(r.onset_at, vax_now());
    assert_string_equal(r.outcome, "unknown");
    assert_string_equal(r.reporter_name, "Lò Thị Y Tá");
    assert_int_equal(r.version, 0);
}

/* A child's report names the guardian recorded at the dose, and the form prints their phone. */
static void test_a_childs_parent_is_the_guardian_on_record(void **state)
{
    test_db *t = *state;
    int64_t serious, minor;
    vax_aefi_report r;
    vax_aefi_case c;
    char text[256];
    case_of(t, &serious, &minor);
    int64_t person = count(t, "SELECT person_id FROM reaction WHERE severity = 'serious'");
    assert_int_equal(vax_person_guardian_set(t->db, person, "Lò Văn Pá", "0912000333"), VAX_OK);
    assert_int_equal(vax_aefi_report_defaults(t->db, serious, &r), VAX_OK);
    assert_string_equal(r.parent_name, "Lò Văn Pá");
    assert_int_equal(vax_aefi_report_save(t->db, &r), VAX_OK);
    assert_int_equal(vax_aefi_case_get(t->db, serious, &c), VAX_OK);
    vax_aefi_case_field(&c, "phone", text, sizeof text);
    assert_string_equal(text, "0912000333");
}

static void test_a_report_is_saved_corrected_and_sent_once_per_version(void **state)
{
    test_db *t = *state;
    int64_t serious, minor;
    vax_aefi_report r;
    case_of(t, &serious, &minor);
    assert_int_equal(vax_aefi_report_defaults(t->db, serious, &r), VAX_OK);
    snprintf(r.treatment, sizeof r.treatment, "Adrenalin 0,01 mg/kg tiêm bắp");
    snprintf(r.outcome, sizeof r.outcome, "recovering");
    snprintf(r.parent_name, sizeof r.parent_name, "Lò Văn Pá");
    assert_int_equal(vax_aefi_report_save(t->db, &r), VAX_OK);
    assert_int_equal(r.version, 1);
    snprintf(r.outcome, sizeof r.outcome, "recovered");
    assert_int_equal(vax_aefi_report_save(t->db, &r), VAX_OK);
    assert_int_equal(r.version, 2);
    assert_int_equal(count(t, "SELECT count(*) FROM aefi_report"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE action = 'aefi.report'"), 2);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox WHERE kind = 'aefi_report'"
                              " AND json_extract(body, '$.serious') = 1"),
                     2);
    assert_int_equal(count(t, "SELECT json_extract(body, '$.version') FROM sync_outbox"
                              " WHERE kind = 'aefi_report' ORDER BY seq DESC LIMIT 1"),
                     2);
    /* what the form prints of it */
    vax_aefi_case c;
    char text[512];
    assert_int_equal(vax_aefi_case_get(t->db, serious, &c), VAX_OK);
    vax_aefi_case_field(&c, "parent_name", text, sizeof text);
    assert_string_equal(text, "Lò Văn Pá");
    vax_aefi_case_field(&c, "outcome", text, sizeof text);
    assert_string_equal(text, "recovered");
    vax_aefi_case_field(&c, "serious", text, sizeof text);
    assert_string_equal(text, "yes");
    vax_aefi_case_field(&c, "birth_date", text, sizeof text);
    assert_string_equal(text, "04/03/2012");
    vax_aefi_case_field(&c, "signs", text, sizeof text);
    assert_non_null(strstr(text, "; ")); /* two signs, by their Vietnamese names */
    assert_null(strstr(text, "hives"));
    assert_int_equal(c.age, 9);
}

static void test_a_minor_reaction_and_bad_fields_are_refused(void **state)
{
    test_db *t = *state;
    int64_t serious, minor;
    vax_aefi_report r;
    case_of(t, &serious, &minor);
    assert_int_equal(vax_aefi_report_defaults(t->db, minor, &r), VAX_OK);
    assert_int_equal(vax_aefi_report_save(t->db, &r), VAX_ESTATE);
    assert_int_equal(vax_aefi_report_defaults(t->db, serious, &r), VAX_OK);
    snprintf(r.outcome, sizeof r.outcome, "cured");
    assert_int_equal(vax_aefi_report_save(t->db, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "outcome");
    snprintf(r.outcome, sizeof r.outcome, "recovered");
    r.onset_at = vax_now() + 60;
    assert_int_equal(vax_aefi_report_save(t->db, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "onset");
    r.onset_at = vax_now();
    r.reporter_name[0] = 0;
    assert_int_equal(vax_aefi_report_save(t->db, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "reporter");
    assert_int_equal(count(t, "SELECT count(*) FROM aefi_report"), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox WHERE kind = 'aefi_report'"), 0);
}

static void test_the_list_says_which_serious_reactions_are_reported(void **state)
{
    test_db *t = *state;
    int64_t serious, minor;
    vax_aefi_report r;
    vax_aefi_item *list = NULL;
    int n = 0;
    char today[11];
    case_of(t, &serious, &minor);
    vax_local_date(vax_now(), today);
    assert_int_equal(vax_aefi_list(t->db, today, today, &list, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].reaction_id, serious);
    assert_int_equal(list[0].version, 0);
    free(list);
    assert_int_equal(vax_aefi_report_defaults(t->db, serious, &r), VAX_OK);
    assert_int_equal(vax_aefi_report_save(t->db, &r), VAX_OK);
    assert_int_equal(vax_aefi_list(t->db, today, today, &list, &n), VAX_OK);
    assert_int_equal(list[0].version, 1);
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_defaults_come_from_the_reaction_and_the_member_signed_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_childs_parent_is_the_guardian_on_record, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_report_is_saved_corrected_and_sent_once_per_version,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_minor_reaction_and_bad_fields_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_the_list_says_which_serious_reactions_are_reported,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
