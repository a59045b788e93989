/* test_site.c: the device id of a copied database, the site's set-up, its demo mark, settings. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* site.c: claims the file for a given home, as a writer on another machine would. */
int vax_device_claim_at(vax_db *db, const char *home);

/* Closes t's handle (so the file is whole, its WAL folded in) and copies the file to dst. */
static void copy_file(const char *src, const char *dst)
{
    char buf[65536];
    size_t n;
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static vax_db *open_as_tester(const char *path)
{
    vax_db *db = NULL;
    assert_int_equal(vax_open(path, 0, &db), VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    return db;
}

static void remove_db(const char *path)
{
    char p[400];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

static void test_copy_on_another_path_gets_a_new_device_id(void **state)
{
    test_db *t = tdb_open();
    vax_device d0, d1, d2;
    char copy[400];
    assert_int_equal(vax_device_get(t->db, &d0), VAX_OK);
    assert_int_equal(d0.reminted, 0);
    assert_string_equal(d0.previous, "");
    assert_non_null(strstr(d0.home, "/site.db"));
    vax_close(t->db);
    snprintf(copy, sizeof copy, "%s/copy.db", t->dir);
    copy_file(t->path, copy);

    vax_db *c = open_as_tester(copy);
    assert_int_equal(vax_device_get(c, &d1), VAX_OK);
    assert_int_equal(d1.reminted, 1);
    assert_string_not_equal(d1.id, d0.id);
    assert_string_equal(d1.previous, d0.id);
    assert_non_null(strstr(d1.home, "/copy.db"));
    vax_close(c);

    /* the copy keeps its new id from now on; the original keeps its own */
    c = open_as_tester(copy);
    assert_int_equal(vax_device_get(c, &d2), VAX_OK);
    assert_int_equal(d2.reminted, 0);
    assert_string_equal(d2.id, d1.id);
    vax_close(c);
    t->db = open_as_tester(t->path);
    assert_int_equal(vax_device_get(t->db, &d2), VAX_OK);
    assert_int_equal(d2.reminted, 0);
    assert_string_equal(d2.id, d0.id);
    remove_db(copy);
    tdb_close(t);
}

static void test_copy_on_another_machine_gets_a_new_device_id(void **state)
{
    test_db *t = tdb_open();
    vax_device d0, d1;
    assert_int_equal(vax_device_get(t->db, &d0), VAX_OK);
    /* the same path on a machine whose id hashes differently */
    char home[4300];
    snprintf(home, sizeof home, "ffffffffffffffff:%s", strchr(d0.home, ':') + 1);
    assert_int_equal(vax_device_claim_at(t->db, home), VAX_OK);
    assert_int_equal(vax_device_get(t->db, &d1), VAX_OK);
    assert_int_equal(d1.reminted, 1);
    assert_string_not_equal(d1.id, d0.id);
    assert_string_equal(d1.home, home);
    tdb_close(t);
}

static void test_read_only_open_of_a_copy_keeps_the_id(void **state)
{
    test_db *t = tdb_open();
    vax_device d0, d1;
    char copy[400];
    assert_int_equal(vax_device_get(t->db, &d0), VAX_OK);
    vax_close(t->db);
    t->db = NULL;
    snprintf(copy, sizeof copy, "%s/board.db", t->dir);
    copy_file(t->path, copy);
    vax_db *c = NULL;
    assert_int_equal(vax_open(copy, VAX_OPEN_READONLY, &c), VAX_OK);
    assert_int_equal(vax_device_get(c, &d1), VAX_OK);
    assert_int_equal(d1.reminted, 0);
    assert_string_equal(d1.id, d0.id);
    vax_close(c);
    remove_db(copy);
    t->db = open_as_tester(t->path);
    tdb_close(t);
}

/* The outbox uuids of the person edits in a file, in order, joined by spaces. */
static void edit_uuids(const char *path, char *out, size_t size)
{
    sqlite3 *s;
    sqlite3_stmt *st;
    out[0] = 0;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "SELECT uuid FROM sync_outbox WHERE kind = 'person_edit'"
                                        " ORDER BY seq",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        strncat(out, (const char *)sqlite3_column_text(st, 0), size - strlen(out) - 2);
        strcat(out, " ");
    }
    sqlite3_finalize(st);
    sqlite3_close(s);
}

static void edit_phone(vax_db *db, int64_t id, const char *phone)
{
    vax_person p;
    assert_int_equal(vax_person_get(db, id, &p), VAX_OK);
    snprintf(p.phone, sizeof p.phone, "%s", phone);
    assert_int_equal(vax_person_update(db, &p, "phone"), VAX_OK);
}

static void test_two_copies_editing_one_person_write_distinct_event_uuids(void **state)
{
    test_db *t = tdb_open();
    char nid[13], a[400], b[400], ua[2000], ub[2000];
    tdb_cccd(nid, 1960, 'f', 7);
    int64_t id = tdb_person(t, "Lò Thị Mai", nid, "1960-03-02", NULL);
    vax_close(t->db);
    t->db = NULL;
    snprintf(a, sizeof a, "%s/laptop-a.db", t->dir);
    snprintf(b, sizeof b, "%s/laptop-b.db", t->dir);
    copy_file(t->path, a);
    copy_file(t->path, b);
    vax_db *da = open_as_tester(a), *dbb = open_as_tester(b);
    /* the same edit from the same version on both laptops */
    edit_phone(da, id, "0912345678");
    edit_phone(dbb, id, "0912345678");
    vax_close(da);
    vax_close(dbb);
    edit_uuids(a, ua, sizeof ua);
    edit_uuids(b, ub, sizeof ub);
    assert_string_not_equal(ua, "");
    assert_string_not_equal(ub, "");
    assert_string_not_equal(ua, ub);
    remove_db(a);
    remove_db(b);
    t->db = open_as_tester(t->path);
    tdb_close(t);
}

static vax_site real_site(const char *code, const char *kind)
{
    vax_site s;
    memset(&s, 0, sizeof s);
    snprintf(s.code, sizeof s.code, "%s", code);
    snprintf(s.name, sizeof s.name, "Trạm Y tế xã Bản Giang");
    snprintf(s.commune, sizeof s.commune, "Bản Giang");
    snprintf(s.district, sizeof s.district, "Tam Đường");
    snprintf(s.province, sizeof s.province, "Lai Châu");
    snprintf(s.kind, sizeof s.kind, "%s", kind);
    return s;
}

static void test_site_init_checks_the_facility_code_and_sets_up_once(void **state)
{
    test_db *t = tdb_open();
    vax_site s = real_site("LCU", "fixed"), got;
    assert_int_equal(vax_site_details(t->db, &got), VAX_ENOTFOUND);
    assert_int_equal(vax_site_init(t->db, &s), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "code");
    s = real_site("00123", "fixed");
    assert_int_equal(vax_site_init(t->db, &s), VAX_EINVAL);
    s = real_site("12001-M1", "fixed"); /* a team's code is for a mobile team */
    assert_int_equal(vax_site_init(t->db, &s), VAX_EINVAL);
    s = real_site("12001", "van");
    assert_int_equal(vax_site_init(t->db, &s), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "kind");
    s = real_site("12001", "fixed");
    s.district[0] = 0;
    assert_int_equal(vax_site_init(t->db, &s), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "district");
    s = real_site("12001", "fixed");
    assert_int_equal(vax_site_init(t->db, &s), VAX_OK);
    assert_int_equal(vax_site_details(t->db, &got), VAX_OK);
    assert_string_equal(got.code, "12001");
    assert_string_equal(got.district, "Tam Đường");
    assert_string_equal(got.kind, "fixed");
    assert_int_equal(got.is_demo, 0);
    s = real_site("12002", "fixed");
    assert_int_equal(vax_site_init(t->db, &s), VAX_EEXIST);
    assert_int_equal(vax_site_details(t->db, &got), VAX_OK);
    assert_string_equal(got.code, "12001");
    tdb_close(t);
}

static void test_mobile_team_joins_a_site_code_and_replaces_the_stand_in(void **state)
{
    test_db *t = tdb_open();
    vax_site s = real_site("12001-M1", "mobile"), got;
    char nid[13];
    vax_visit v;
    /* a check-in before any set-up makes the stand-in site "SITE" */
    tdb_cccd(nid, 1950, 'm', 3);
    int64_t id = tdb_person(t, "Lò Văn Pá", nid, "1950-01-01", NULL);
    assert_int_equal(vax_queue_checkin(t->db, id, &v), VAX_OK);
    assert_int_equal(vax_site_details(t->db, &got), VAX_OK);
    assert_string_equal(got.code, "SITE");
    assert_int_equal(vax_site_init(t->db, &s), VAX_OK);
    assert_int_equal(vax_site_details(t->db, &got), VAX_OK);
    assert_string_equal(got.code, "12001-M1");
    assert_string_equal(got.kind, "mobile");
    tdb_close(t);
}

static void test_demo_site_is_marked_and_never_leaves(void **state)
{
    test_db *t = tdb_open();
    vax_site s = real_site("12001", "fixed"), got;
    char shown[200], bundle[400];
    vax_sync_stats st;
    assert_int_equal(vax_site_set(t->db, "LCU-DEMO", "Trạm Y tế (demo)", 1), VAX_OK);
    assert_int_equal(vax_site_get(t->db, &got), VAX_OK);
    vax_site_display_name(&got, shown, sizeof shown);
    assert_non_null(strstr(shown, "DEMO – not valid"));
    snprintf(bundle, sizeof bundle, "%s/demo.vxb", t->dir);
    assert_int_equal(vax_bundle_export(t->db, bundle, &st), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "demo site"));
    assert_int_equal(access(bundle, F_OK), -1);
    assert_int_equal(vax_sync_push(t->db, "postgresql://localhost:1/none", 0, &st), VAX_ESTATE);
    assert_non_null(strstr(vax_errmsg(t->db), "demo site"));
    /* a real site is made in a new file, never over the demo */
    assert_int_equal(vax_site_init(t->db, &s), VAX_EEXIST);
    tdb_close(t);
}

static void test_real_site_is_not_marked_and_exports_its_bundle(void **state)
{
    test_db *t = tdb_open();
    vax_site s = real_site("12001", "fixed"), got;
    char shown[200], bundle[400];
    vax_sync_stats st;
    assert_int_equal(vax_site_init(t->db, &s), VAX_OK);
    assert_int_equal(vax_site_get(t->db, &got), VAX_OK);
    vax_site_display_name(&got, shown, sizeof shown);
    assert_string_equal(shown, "Trạm Y tế xã Bản Giang");
    snprintf(bundle, sizeof bundle, "%s/real.vxb", t->dir);
    assert_int_equal(vax_bundle_export(t->db, bundle, &st), VAX_OK);
    unlink(bundle);
    tdb_close(t);
}

static void test_every_declared_default_fits_its_own_range(void **state)
{
    test_db *t = tdb_open();
    int n = 0;
    const vax_setting_decl *d = vax_setting_decls(&n);
    assert_true(n >= 20);
    for (int i = 0; i < n; i++) {
        if (vax_setting_check(t->db, d[i].key, d[i].fallback) != VAX_OK)
            fail_msg("%s: default %s is outside its range", d[i].key, d[i].fallback);
        assert_ptr_equal(vax_setting_decl_find(d[i].key), &d[i]);
        assert_true(strlen(d[i].help) > 10);
    }
    /* the settings the README names are declared */
    assert_non_null(vax_setting_decl_find("board.initials"));
    assert_non_null(vax_setting_decl_find("cert.printer"));
    assert_non_null(vax_setting_decl_find("queue.stranded_min"));
    tdb_close(t);
}

static void test_setting_out_of_range_is_refused_naming_the_range(void **state)
{
    test_db *t = tdb_open();
    assert_int_equal(vax_setting_int(t->db, "observe.minutes"), 30);
    assert_int_equal(vax_setting_set(t->db, "observe.minutes", "5"), VAX_EINVAL);
    assert_string_equal(vax_errmsg(t->db),
                        "Setting observe.minutes: a whole number from 15 to 240.");
    assert_string_equal(vax_errfield(t->db), "value");
    assert_int_equal(vax_setting_set(t->db, "board.initials", "yes"), VAX_EINVAL);
    assert_int_equal(vax_setting_int(t->db, "observe.minutes"), 30);
    assert_int_equal(vax_setting_set(t->db, "observe.minutes", "45"), VAX_OK);
    assert_int_equal(vax_setting_int(t->db, "observe.minutes"), 45);
    char printer[64];
    vax_setting_text(t->db, "cert.printer", printer, sizeof printer);
    assert_string_equal(printer, "");
    assert_int_equal(vax_setting_set(t->db, "cert.printer", "HP_LaserJet"), VAX_OK);
    vax_setting_text(t->db, "cert.printer", printer, sizeof printer);
    assert_string_equal(printer, "HP_LaserJet");
    tdb_close(t);
}

static void test_value_stored_out_of_range_gives_way_to_the_default(void **state)
{
    test_db *t = tdb_open();
    sqlite3 *s;
    vax_close(t->db);
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s,
                                  "INSERT INTO setting(key, value, updated_at) VALUES"
                                  " ('queue.stranded_min', '0', 0), ('slot.cap.low', 'many', 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(s);
    t->db = open_as_tester(t->path);
    assert_int_equal(vax_setting_int(t->db, "queue.stranded_min"), 15);
    int cap = 0;
    assert_int_equal(vax_risk_cap(t->db, VAX_RISK_LOW, &cap), VAX_OK);
    assert_int_equal(cap, 100);
    tdb_close(t);
}

static void test_lockout_follows_its_settings(void **state)
{
    test_db *t = tdb_open();
    assert_int_equal(vax_staff_add(t->db, "hoa", "Nguyễn Thị Hoa", VAX_ROLE_MANAGER, "2468", NULL),
                     VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "staff.max_failed_pins", "3"), VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "staff.lock_minutes", "10"), VAX_OK);
    vax_staff who;
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "1111", &who), VAX_EAUTH);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "1111", &who), VAX_EAUTH);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "1111", &who), VAX_ELOCKED);
    assert_non_null(strstr(vax_errmsg(t->db), "10 minutes"));
    vax_clock_advance(9 * 60);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2468", &who), VAX_ELOCKED);
    vax_clock_advance(61);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2468", &who), VAX_OK);
    tdb_close(t);
}

/* The audit row of a setting keeps the whole value it became (a 600-character folder was cut at
 * 500 in the audit while the setting held all of it). */
static void test_a_setting_is_audited_whole(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char dir[620], want[700], got[800];
    memset(dir, 'd', sizeof dir - 1);
    dir[0] = '/';
    dir[sizeof dir - 1] = 0;
    assert_int_equal(vax_setting_set(t->db, "cert.key_dir", dir), VAX_OK);
    snprintf(want, sizeof want, "cert.key_dir=%s", dir);
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "SELECT details FROM audit WHERE action = 'setting'"
                                        " ORDER BY id DESC LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(got, sizeof got, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(s);
    assert_string_equal(got, want);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_on_another_path_gets_a_new_device_id),
        cmocka_unit_test(test_copy_on_another_machine_gets_a_new_device_id),
        cmocka_unit_test(test_read_only_open_of_a_copy_keeps_the_id),
        cmocka_unit_test(test_two_copies_editing_one_person_write_distinct_event_uuids),
        cmocka_unit_test(test_site_init_checks_the_facility_code_and_sets_up_once),
        cmocka_unit_test(test_mobile_team_joins_a_site_code_and_replaces_the_stand_in),
        cmocka_unit_test(test_demo_site_is_marked_and_never_leaves),
        cmocka_unit_test(test_real_site_is_not_marked_and_exports_its_bundle),
        cmocka_unit_test(test_every_declared_default_fits_its_own_range),
        cmocka_unit_test(test_setting_out_of_range_is_refused_naming_the_range),
        cmocka_unit_test(test_value_stored_out_of_range_gives_way_to_the_default),
        cmocka_unit_test(test_lockout_follows_its_settings),
        cmocka_unit_test(test_a_setting_is_audited_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
