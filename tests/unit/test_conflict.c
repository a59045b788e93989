/* test_conflict.c: a manager's resolution of the conflicts two laptops make (conflict.c): each
 * kind of resolution, the two sides listed, who may resolve, and the resolution travelling in a
 * bundle to the other laptop (tests/e2e/test_sync_conflicts.sh does it through PostgreSQL). */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t count(test_db *t, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static test_db *laptop(const char *site)
{
    test_db *t = tdb_open();
    assert_int_equal(vax_site_set(t->db, site, site, 0), VAX_OK);
    return t;
}

static void trust(test_db *b, test_db *a)
{
    char fp[65];
    assert_int_equal(vax_bundle_fingerprint(a->db, fp), VAX_OK);
    if (vax_sync_trust(b->db, fp) != VAX_OK)
        fail_msg("trust: %s", vax_errmsg(b->db));
}

/* a's events into b through a bundle file */
static void carry(test_db *a, test_db *b, const char *name)
{
    char f[400];
    vax_sync_stats s;
    snprintf(f, sizeof f, "%s/%s", a->dir, name);
    unlink(f);
    if (vax_bundle_export(a->db, f, &s) != VAX_OK)
        fail_msg("export: %s", vax_errmsg(a->db));
    if (vax_bundle_import(b->db, f, &s) != VAX_OK)
        fail_msg("import: %s", vax_errmsg(b->db));
    unlink(f);
}

/* The first open conflict of a kind here. */
static void open_conflict(test_db *t, const char *kind, vax_sync_conflict *out)
{
    vax_sync_conflict c[16];
    int n = 0, total = 0;
    assert_int_equal(vax_sync_conflicts(t->db, 0, c, 16, &n, &total), VAX_OK);
    for (int i = 0; i < n; i++)
        if (!strcmp(c[i].kind, kind)) {
            *out = c[i];
            return;
        }
    fail_msg("no open %s conflict", kind);
}

/* Two laptops, one person with one ID given dose 1 at each: same_dose_number (and
 * duplicate_person) on both once each has the other's bundle. */
static void dose_twice(test_db **a, test_db **b)
{
    char id[13];
    *a = laptop("TEAM-A");
    *b = laptop("TEAM-B");
    trust(*a, *b);
    trust(*b, *a);
    tdb_cccd(id, 1975, 'f', 1);
    tdb_dose(*a, tdb_person(*a, "Lò Thị Mai", id, "1975-01-20", NULL));
    vax_clock_advance(600);
    tdb_dose(*b, tdb_person(*b, "Lò Thị Mai", id, "1975-01-20", NULL));
    carry(*a, *b, "a1.vxb");
    carry(*b, *a, "b1.vxb");
}

static void test_both_doses_are_listed_with_site_day_product_and_lot(void **state)
{
    (void)state;
    test_db *a, *b;
    dose_twice(&a, &b);
    vax_sync_conflict c;
    vax_conflict_side side[2];
    open_conflict(b, "same_dose_number", &c);
    assert_int_equal(vax_conflict_sides(b->db, &c, side), VAX_OK);
    int from_a = !strcmp(side[0].site, "TEAM-A") ? 0 : 1;
    assert_string_equal(side[from_a].site, "TEAM-A");
    assert_string_equal(side[1 - from_a].site, "TEAM-B");
    for (int i = 0; i < 2; i++) {
        assert_string_equal(side[i].what, "dose");
        assert_string_equal(side[i].full_name, "Lò Thị Mai");
        assert_non_null(strstr(side[i].value, "AZ"));
        assert_non_null(strstr(side[i].value, "15/10/2021"));
        assert_true(side[i].device[0] != 0);
        assert_true(side[i].at >= T0);
    }
    assert_non_null(strstr(side[from_a].value, "L1"));
    /* the duplicate registration: both records, one from each site */
    open_conflict(b, "duplicate_person", &c);
    assert_int_equal(vax_conflict_sides(b->db, &c, side), VAX_OK);
    assert_string_equal(side[0].what, "person");
    assert_string_equal(side[1].what, "person");
    assert_string_equal(side[0].full_name, "Lò Thị Mai");
    assert_string_equal(side[1].full_name, "Lò Thị Mai");
    assert_true(strcmp(side[0].site, side[1].site) != 0);
    tdb_close(a);
    tdb_close(b);
}

static void test_a_dose_given_twice_is_voided_by_a_manager_and_the_resolution_travels(void **state)
{
    (void)state;
    test_db *a, *b;
    dose_twice(&a, &b);
    vax_sync_conflict c;
    open_conflict(a, "same_dose_number", &c);
    /* a nurse may not; a manager must say why */
    assert_int_equal(vax_staff_add(a->db, "boss", "Site Manager", VAX_ROLE_MANAGER, "1234", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(a->db, "yta", "Y Tá", VAX_ROLE_NURSE, "1234", NULL), VAX_OK);
    vax_staff s;
    assert_int_equal(vax_staff_sign_in(a->db, "yta", "1234", &s), VAX_OK);
    assert_int_equal(
        vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_VOID, c.b_uuid, "recorded twice"), VAX_EPERM);
    assert_int_equal(vax_staff_sign_in(a->db, "boss", "1234", &s), VAX_OK);
    assert_int_equal(vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_VOID, c.b_uuid, ""), VAX_EINVAL);
    assert_string_equal(vax_errfield(a->db), "reason");
    /* a dose that is not one of the two is refused */
    assert_int_equal(vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_VOID, "nope", "twice"),
                     VAX_EINVAL);
    assert_string_equal(vax_errfield(a->db), "dose");
    assert_int_equal(vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_MERGE, NULL, "twice"),
                     VAX_EINVAL);
    assert_string_equal(vax_errfield(a->db), "action");
    assert_int_equal(
        vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_VOID, c.b_uuid, "entered at both tables"),
        VAX_OK);
    char sql[1200];
    snprintf(sql, sizeof sql, "SELECT voided FROM dose WHERE uuid = '%s'", c.b_uuid);
    assert_int_equal(count(a, sql), 1);
    snprintf(sql, sizeof sql, "SELECT resolved_at > 0 FROM sync_conflict WHERE id = %lld",
             (long long)c.id);
    assert_int_equal(count(a, sql), 1);
    /* the event: its uuid from the conflict's identity, who, why, what */
    char uuid[320];
    vax_conflict_resolution_uuid(c.kind, c.b_uuid, c.a_uuid, uuid, sizeof uuid);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM sync_outbox WHERE kind = 'conflict_resolved' AND uuid = '%s'"
             " AND json_extract(body, '$.action') = 'void' AND json_extract(body, '$.by') = 'boss'"
             " AND json_extract(body, '$.reason') = 'entered at both tables'"
             " AND json_extract(body, '$.dose_uuid') = '%s' AND site = 'TEAM-A'",
             uuid, c.b_uuid);
    assert_int_equal(count(a, sql), 1);
    assert_int_equal(count(a, "SELECT count(*) FROM audit a JOIN staff s ON s.id = a.staff_id"
                              " WHERE a.action = 'sync.conflict_resolve' AND s.login = 'boss'"),
                     1);
    /* twice is refused */
    assert_int_equal(vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_VOID, c.b_uuid, "again"),
                     VAX_ESTATE);
    /* B: open until A's bundle brings the resolution (and the void) */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM sync_conflict WHERE kind = 'same_dose_number'"
             " AND resolved_at = 0");
    assert_int_equal(count(b, sql), 1);
    carry(a, b, "a2.vxb");
    assert_int_equal(count(b, sql), 0);
    snprintf(sql, sizeof sql, "SELECT voided FROM dose WHERE uuid = '%s'", c.b_uuid);
    assert_int_equal(count(b, sql), 1);
    vax_sync_conflict l[8];
    int n, total;
    assert_int_equal(vax_sync_conflicts(b->db, 0, l, 8, &n, &total), VAX_OK);
    for (int i = 0; i < n; i++)
        assert_string_not_equal(l[i].kind, "same_dose_number");
    tdb_close(a);
    tdb_close(b);
}

static void test_keep_a_voids_the_other_dose_and_both_keeps_both(void **state)
{
    (void)state;
    test_db *a, *b;
    dose_twice(&a, &b);
    vax_sync_conflict c;
    open_conflict(b, "same_dose_number", &c);
    assert_int_equal(vax_conflict_resolve(b->db, c.id, VAX_RESOLVE_KEEP_A, NULL, "b was a slip"),
                     VAX_OK);
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT voided FROM dose WHERE uuid = '%s') = 0"
             " AND (SELECT voided FROM dose WHERE uuid = '%s') = 1",
             c.a_uuid, c.b_uuid);
    assert_int_equal(count(b, sql), 1);
    /* on A: both doses were really given (a documented repeat) */
    open_conflict(a, "same_dose_number", &c);
    assert_int_equal(vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_BOTH, NULL, "both given"),
                     VAX_OK);
    assert_int_equal(count(a, "SELECT count(*) FROM dose WHERE voided = 0"), 2);
    assert_int_equal(count(a, "SELECT count(*) FROM sync_outbox WHERE kind = 'conflict_resolved'"
                              " AND json_extract(body, '$.action') = 'both'"),
                     1);
    /* the duplicate registration: one person, confirmed */
    open_conflict(a, "duplicate_person", &c);
    assert_int_equal(vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_MERGE, NULL, "same woman"),
                     VAX_OK);
    assert_int_equal(count(a, "SELECT count(*) FROM sync_conflict WHERE resolved_at = 0"), 0);
    tdb_close(a);
    tdb_close(b);
}

/* The change a resolution makes and the resolution itself are one transaction: when recording
 * the resolution fails (here a trigger refuses to mark the conflict resolved, as a full disk
 * would), the dose is not voided either, no event leaves, and the conflict is still open; tried
 * again, it resolves. */
static void test_a_resolution_that_fails_changes_nothing(void **state)
{
    (void)state;
    test_db *a, *b;
    dose_twice(&a, &b);
    vax_sync_conflict c;
    open_conflict(b, "same_dose_number", &c);
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT voided FROM dose WHERE uuid = '%s') || '|' ||"
             " (SELECT count(*) FROM sync_outbox WHERE kind IN ('dose_void', 'conflict_resolved'))"
             " || '|' || (SELECT count(*) FROM sync_conflict WHERE id = %lld AND resolved_at = 0)",
             c.b_uuid, (long long)c.id);
    tdb_exec_at(b->path,
                "CREATE TRIGGER refuse_resolution BEFORE UPDATE OF resolved_at ON sync_conflict"
                " BEGIN SELECT RAISE(ABORT, 'refused'); END");
    assert_int_not_equal(
        vax_conflict_resolve(b->db, c.id, VAX_RESOLVE_KEEP_A, NULL, "b was a slip"), VAX_OK);
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(b->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "0|0|1");
    sqlite3_finalize(st);
    tdb_exec_at(b->path, "DROP TRIGGER refuse_resolution");
    assert_int_equal(vax_conflict_resolve(b->db, c.id, VAX_RESOLVE_KEEP_A, NULL, "b was a slip"),
                     VAX_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "1|2|0");
    sqlite3_finalize(st);
    sqlite3_close(s);
    tdb_close(a);
    tdb_close(b);
}

/* One ID, two people: kept apart, the second under a KGT identifier. */
static void one_id_two_people(test_db **a, test_db **b, char id[13])
{
    *a = laptop("TEAM-A");
    *b = laptop("TEAM-B");
    trust(*a, *b);
    trust(*b, *a);
    tdb_cccd(id, 1975, 'f', 77);
    tdb_person(*a, "Lò Thị Mai", id, "1975-01-20", NULL);
    vax_clock_advance(60);
    tdb_person(*b, "Trần Thị Hoa", id, "1975-08-03", NULL);
    carry(*a, *b, "a1.vxb");
    carry(*b, *a, "b1.vxb");
}

static void test_two_people_confirmed_and_the_second_given_her_real_id(void **state)
{
    (void)state;
    test_db *a, *b;
    char id[13], real[13], sql[300];
    one_id_two_people(&a, &b, id);
    vax_sync_conflict c;
    vax_conflict_side side[2];
    open_conflict(a, "same_id_differs", &c);
    assert_int_equal(vax_conflict_sides(a->db, &c, side), VAX_OK);
    assert_string_equal(side[0].full_name, "Lò Thị Mai");
    assert_string_equal(side[0].national_id, id);
    assert_string_equal(side[0].site, "TEAM-A");
    assert_string_equal(side[1].full_name, "Trần Thị Hoa");
    assert_memory_equal(side[1].national_id, "KGT", 3);
    assert_string_equal(side[1].site, "TEAM-B");
    /* an invalid ID is refused, nothing written */
    assert_int_equal(vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_BOTH, "12", "two women"),
                     VAX_EINVAL);
    assert_string_equal(vax_errfield(a->db), "id");
    assert_int_equal(count(a, "SELECT count(*) FROM sync_conflict WHERE resolved_at = 0"), 1);
    tdb_cccd(real, 1975, 'f', 78);
    assert_int_equal(vax_conflict_resolve(a->db, c.id, VAX_RESOLVE_BOTH, real, "her CCCD seen"),
                     VAX_OK);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM person WHERE national_id = '%s'"
             " AND full_name = 'Trần Thị Hoa'",
             real);
    assert_int_equal(count(a, sql), 1);
    /* B gets her ID and the resolution */
    carry(a, b, "a2.vxb");
    assert_int_equal(count(b, sql), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_conflict WHERE resolved_at = 0"), 0);
    tdb_close(a);
    tdb_close(b);
}

static void test_one_person_after_all_merges_the_second_record_into_the_first(void **state)
{
    (void)state;
    test_db *a, *b;
    char id[13];
    one_id_two_people(&a, &b, id);
    vax_sync_conflict c;
    open_conflict(b, "same_id_differs", &c);
    assert_int_equal(vax_conflict_resolve(b->db, c.id, VAX_RESOLVE_MERGE, NULL, "name misspelt"),
                     VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE merged_into IS NOT NULL"
                              " AND full_name = 'Trần Thị Hoa'"),
                     1);
    carry(b, a, "b2.vxb");
    assert_int_equal(count(a, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 1);
    assert_int_equal(count(a, "SELECT count(*) FROM sync_conflict WHERE resolved_at = 0"), 0);
    tdb_close(a);
    tdb_close(b);
}

static void test_a_concurrent_edit_keeps_the_value_the_manager_chose(void **state)
{
    (void)state;
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char id[13];
    vax_person p;
    tdb_cccd(id, 1975, 'f', 1);
    int64_t pa = tdb_person(a, "Lò Thị Mai", id, "1975-01-20", NULL);
    carry(a, b, "a1.vxb");
    vax_clock_advance(60);
    assert_int_equal(vax_person_by_national_id(b->db, id, &p), VAX_OK);
    snprintf(p.phone, sizeof p.phone, "0911111111");
    assert_int_equal(vax_person_update(b->db, &p, "phone"), VAX_OK);
    vax_clock_advance(60);
    assert_int_equal(vax_person_get(a->db, pa, &p), VAX_OK);
    snprintf(p.phone, sizeof p.phone, "0922222222");
    assert_int_equal(vax_person_update(a->db, &p, "phone"), VAX_OK);
    carry(b, a, "b1.vxb");
    vax_sync_conflict c;
    vax_conflict_side side[2];
    open_conflict(a, "concurrent_edit", &c);
    assert_int_equal(vax_conflict_sides(a->db, &c, side), VAX_OK);
    /* both edits, each with its value and the site it came from */
    int from_b = strstr(side[0].value, "0911111111") ? 0 : 1;
    assert_string_equal(side[from_b].what, "edit");
    assert_string_equal(side[1 - from_b].what, "edit");
    assert_string_equal(side[from_b].site, "TEAM-B");
    assert_string_equal(side[1 - from_b].site, "TEAM-A");
    assert_non_null(strstr(side[from_b].value, "0911111111"));
    assert_non_null(strstr(side[1 - from_b].value, "0922222222"));
    assert_string_equal(side[0].full_name, "Lò Thị Mai");
    assert_true(side[from_b].at < side[1 - from_b].at);
    /* A's later edit is shown; the manager knows B's number is right */
    assert_int_equal(count(a, "SELECT count(*) FROM person WHERE phone = '0922222222'"), 1);
    assert_int_equal(vax_conflict_resolve(a->db, c.id,
                                          from_b ? VAX_RESOLVE_KEEP_B : VAX_RESOLVE_KEEP_A, NULL,
                                          "she called"),
                     VAX_OK);
    assert_int_equal(count(a, "SELECT count(*) FROM person WHERE phone = '0911111111'"), 1);
    /* B lists the same conflict (the same two edits) until A's resolution arrives */
    carry(a, b, "a1b.vxb");
    carry(b, a, "b2.vxb");
    const char *open_edit =
        "SELECT count(*) FROM sync_conflict WHERE kind = 'concurrent_edit' AND resolved_at = 0";
    char same[700];
    snprintf(same, sizeof same,
             "SELECT count(*) FROM sync_conflict WHERE kind = 'concurrent_edit' AND a_uuid = '%s'"
             " AND b_uuid = '%s'",
             c.a_uuid, c.b_uuid);
    assert_int_equal(count(b, same), 1);
    assert_int_equal(count(a, open_edit), 0);
    carry(a, b, "a2.vxb");
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE phone = '0911111111'"), 1);
    assert_int_equal(count(b, open_edit), 0);
    tdb_close(a);
    tdb_close(b);
}

static void test_quarantined_events_are_listed_with_what_differs(void **state)
{
    (void)state;
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(b, a);
    char id[13], f[400];
    vax_sync_stats s;
    tdb_cccd(id, 1975, 'f', 1);
    tdb_person(a, "Lò Thị Mai", id, "1975-01-20", NULL);
    carry(a, b, "a1.vxb");
    sqlite3 *q = NULL;
    assert_int_equal(sqlite3_open(a->path, &q), SQLITE_OK);
    assert_int_equal(sqlite3_exec(q,
                                  "DROP TRIGGER sync_entry_no_update; UPDATE sync_entry SET body ="
                                  " json_set(body, '$.full_name', 'Someone Else')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(q);
    snprintf(f, sizeof f, "%s/a2.vxb", a->dir);
    assert_int_equal(vax_bundle_export_since(a->db, f, 0, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    unlink(f);
    vax_sync_quarantined out[4];
    int n = 0, total = 0;
    assert_int_equal(vax_sync_quarantine(b->db, 0, out, 4, &n, &total), VAX_OK);
    assert_int_equal(total, 1);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].kind, "person");
    assert_string_equal(out[0].site, "TEAM-A");
    assert_string_equal(out[0].differs, "full_name");
    assert_true(out[0].device[0] != 0);
    assert_int_equal(vax_sync_quarantine(b->db, 1, out, 4, &n, &total), VAX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 1);
    tdb_close(a);
    tdb_close(b);
}

/* A number linked at A to one person is B's own ID of another (linked_id_differs): the names
 * differ. "Two people" leaves both, and the other laptop marks it resolved too; "one person" (a
 * name mistyped) merges B's record into A's, on both laptops. */
static void linked_to_another(test_db **a, test_db **b, const char *name_b, int serial)
{
    *a = laptop("TEAM-A");
    *b = laptop("TEAM-B");
    trust(*a, *b);
    trust(*b, *a);
    char cccd[13], cmnd[10];
    tdb_cccd(cccd, 1980, 'f', serial);
    snprintf(cmnd, sizeof cmnd, "0123456%02d", serial);
    int64_t pa = tdb_person(*a, "Hà Thị Quế", cmnd, "1980-03-03", NULL);
    tdb_person(*b, name_b, cccd, "1980-03-03", NULL);
    assert_int_equal(vax_person_link_id((*a)->db, pa, cccd, "typed from a paper"), VAX_OK);
    carry(*a, *b, "a1.vxb");
    carry(*b, *a, "b1.vxb");
}

static void test_a_linked_id_of_another_is_kept_apart_or_merged_by_a_manager(void **state)
{
    (void)state;
    test_db *a, *b;
    vax_sync_conflict c;
    vax_conflict_side side[2];
    linked_to_another(&a, &b, "Mùa Thị Súa", 41);
    open_conflict(b, "linked_id_differs", &c);
    assert_int_equal(vax_conflict_sides(b->db, &c, side), VAX_OK);
    assert_string_equal(side[0].what, "person");
    assert_string_equal(side[1].what, "person");
    assert_int_equal(vax_conflict_resolve(b->db, c.id, VAX_RESOLVE_BOTH, NULL,
                                          "two women; the link was typed against the wrong one"),
                     VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 2);
    carry(b, a, "b2.vxb");
    assert_int_equal(count(a, "SELECT count(*) FROM sync_conflict WHERE kind ="
                              " 'linked_id_differs' AND resolved_at = 0"),
                     0);
    tdb_close(a);
    tdb_close(b);

    linked_to_another(&a, &b, "Hà Thị Quý", 42);
    open_conflict(b, "linked_id_differs", &c);
    assert_int_equal(vax_conflict_resolve(b->db, c.id, VAX_RESOLVE_MERGE, NULL,
                                          "one woman: her name mistyped at B"),
                     VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE merged_into IS NULL"
                              " AND full_name = 'Hà Thị Quế'"),
                     1);
    carry(b, a, "b2.vxb");
    assert_int_equal(count(a, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 1);
    assert_int_equal(count(a, "SELECT count(*) FROM sync_conflict WHERE kind ="
                              " 'linked_id_differs' AND resolved_at = 0"),
                     0);
    tdb_close(a);
    tdb_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_doses_are_listed_with_site_day_product_and_lot),
        cmocka_unit_test(test_a_dose_given_twice_is_voided_by_a_manager_and_the_resolution_travels),
        cmocka_unit_test(test_keep_a_voids_the_other_dose_and_both_keeps_both),
        cmocka_unit_test(test_a_resolution_that_fails_changes_nothing),
        cmocka_unit_test(test_two_people_confirmed_and_the_second_given_her_real_id),
        cmocka_unit_test(test_one_person_after_all_merges_the_second_record_into_the_first),
        cmocka_unit_test(test_a_concurrent_edit_keeps_the_value_the_manager_chose),
        cmocka_unit_test(test_quarantined_events_are_listed_with_what_differs),
        cmocka_unit_test(test_a_linked_id_of_another_is_kept_apart_or_merged_by_a_manager),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
