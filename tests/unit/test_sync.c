/* test_sync.c: the outbox (identity of what leaves), bundle files and the merge rules, on two
 * laptops' databases (no PostgreSQL here: tests/e2e/test_sync.sh runs the real server). */
#include "testutil.h"

#include <sqlite3.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY (24 * 3600)

static int64_t query_int(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static void query_text(const char *path, const char *sql, char *out, size_t size)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(s);
}

static test_db *laptop(const char *site)
{
    test_db *t = tdb_open();
    assert_int_equal(vax_site_set(t->db, site, site, 0), VAX_OK);
    return t;
}

static int64_t person(test_db *t, const char *name, int serial)
{
    char id[13];
    tdb_cccd(id, 1975, 'f', serial);
    return tdb_person(t, name, id, "1975-01-20", NULL);
}

static void bundle_path(test_db *t, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", t->dir, name);
}

static int64_t count(test_db *t, const char *sql)
{
    return query_int(t->path, sql);
}

/* b trusts the key a signs its bundles with, as a manager does once per producer. */
static void trust(test_db *b, test_db *a)
{
    char fp[65];
    assert_int_equal(vax_bundle_fingerprint(a->db, fp), VAX_OK);
    if (vax_sync_trust(b->db, fp) != VAX_OK)
        fail_msg("trust: %s", vax_errmsg(b->db));
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *buf = malloc(*n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, *n, f), *n);
    fclose(f);
    return buf;
}

static void spill(const char *path, const unsigned char *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

/* Rows of b's outbox from site that are not, uuid and body alike, in the bundle file orig. */
static int64_t not_in_bundle(test_db *b, const char *orig, const char *site)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char sql[600];
    assert_int_equal(sqlite3_open_v2(b->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *att = sqlite3_mprintf("ATTACH %Q AS orig", orig);
    assert_int_equal(sqlite3_exec(s, att, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(att);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM sync_outbox o WHERE site = '%s' AND NOT EXISTS (SELECT 1 FROM"
             " orig.event e WHERE e.uuid = o.uuid AND e.body = o.body AND e.kind = o.kind)",
             site);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

/* ---- what leaves ---------------------------------------------------------------------------- */

static void test_every_fact_leaves_with_uuid_site_device_and_sequence_never_a_rowid(void **state)
{
    test_db *t = laptop("TEAM-A");
    char dev[37], body[4096];
    int64_t p = person(t, "Lo Thi Mai", 1);
    tdb_dose(t, p);
    assert_int_equal(vax_sync_device_id(t->db, dev), VAX_OK);
    assert_int_equal(strlen(dev), 36);
    /* a person, the visit's events, the dose: each once, in the order they happened */
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox WHERE kind = 'person'"), 1);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox WHERE kind = 'dose'"), 1);
    assert_true(count(t, "SELECT count(*) FROM sync_outbox WHERE kind = 'visit_event'") >= 5);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox WHERE site <> 'TEAM-A'"), 0);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sync_outbox WHERE device <> '%s'", dev);
    assert_int_equal(count(t, sql), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox o JOIN dose d ON d.uuid ="
                              " o.uuid AND o.kind = 'dose'"),
                     1);
    assert_true(count(t, "SELECT max(seq) FROM sync_outbox WHERE kind = 'person'") <
                count(t, "SELECT min(seq) FROM sync_outbox WHERE kind = 'dose'"));
    /* references are uuids; no local id goes out */
    query_text(t->path, "SELECT body FROM sync_outbox WHERE kind = 'dose'", body, sizeof body);
    assert_null(strstr(body, "\"id\""));
    assert_null(strstr(body, "person_id"));
    assert_non_null(strstr(body, "\"person_uuid\""));
    assert_non_null(strstr(body, "\"day\":\"2021-10-15\""));
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox o JOIN person p ON"
                              " json_extract(o.body, '$.person_uuid') = p.uuid WHERE"
                              " o.kind = 'dose'"),
                     1);
    /* the outbox is append-only */
    int64_t n = count(t, "SELECT count(*) FROM sync_outbox");
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(s, "DELETE FROM sync_outbox", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox"), n);
    tdb_close(t);
}

static void test_person_edit_carries_only_changed_fields_and_its_base_version(void **state)
{
    test_db *t = laptop("TEAM-A");
    vax_person p;
    char body[2048];
    int64_t id = person(t, "Lo Thi Mai", 1);
    assert_int_equal(vax_person_get(t->db, id, &p), VAX_OK);
    snprintf(p.phone, sizeof p.phone, "0912345678");
    assert_int_equal(vax_person_update(t->db, &p, "new phone"), VAX_OK);
    query_text(t->path, "SELECT body FROM sync_outbox WHERE kind = 'person_edit'", body,
               sizeof body);
    assert_non_null(strstr(body, "\"fields\":{\"phone\":\"0912345678\"}"));
    assert_non_null(strstr(body, "\"base_version\":1"));
    assert_non_null(strstr(body, "\"version\":2"));
    /* a refused edit leaves nothing */
    snprintf(p.national_id, sizeof p.national_id, "123");
    assert_int_not_equal(vax_person_update(t->db, &p, "bad"), VAX_OK);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox WHERE kind = 'person_edit'"), 1);
    tdb_close(t);
}

/* db.c's step by step opening, as test_db.c uses it: a database made by an older vaxsite. */
int vax_open_at_version(const char *path, int flags, int target, vax_db **out);

static void test_upgrade_puts_the_records_already_there_in_the_outbox(void **state)
{
    char dir[] = "/tmp/vaxsync.XXXXXX", path[300], wal[320], shm[320];
    vax_db *db = NULL;
    vax_person p;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/old.db", dir);
    vax_clock_set(T0);
    assert_int_equal(vax_open_at_version(path, VAX_OPEN_CREATE, 9, &db), VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    memset(&p, 0, sizeof p);
    tdb_cccd(p.national_id, 1975, 'f', 7);
    snprintf(p.full_name, sizeof p.full_name, "Lo Thi Mai");
    snprintf(p.birth_date, sizeof p.birth_date, "1975-01-20");
    p.sex = 'f';
    assert_int_equal(vax_person_add(db, &p), VAX_OK);
    vax_close(db);
    /* the upgrade: the person already registered leaves with everything made after */
    assert_int_equal(vax_open(path, 0, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), VAX_SCHEMA_VERSION);
    vax_close(db);
    assert_int_equal(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind = 'person' AND"
                                     " device = (SELECT value FROM setting WHERE key ="
                                     " 'sync.device_id') AND length(device) = 36"),
                     1);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
    rmdir(dir);
}

/* ---- a visit event is recorded once ---------------------------------------------------------- */

/* Every event's nine columns in outbox order, one line each, as a bundle or a push reads them. */
static void outbox_dump(const char *path, char *out, size_t size)
{
    query_text(path,
               "SELECT coalesce(group_concat(line, char(10)), '') FROM (SELECT seq || '|' ||"
               " uuid || '|' || kind || '|' || record_uuid || '|' || site || '|' || device ||"
               " '|' || coalesce(device_seq, seq) || '|' || at || '|' || body AS line"
               " FROM sync_outbox ORDER BY seq)",
               out, size);
}

/* A queue step writes its visit_event row and, in the outbox, only a short row that refers to it:
 * no copy of the body, no second uuid index entry, no AUTOINCREMENT counter. What leaves is the
 * same event, and it stays the same when the visit later moves to a merged person. */
static void test_a_visit_event_is_written_once_and_the_outbox_refers_to_it(void **state)
{
    (void)state;
    test_db *t = laptop("TEAM-A");
    vax_visit v;
    char body[4096], dev[37], sql[900];
    int64_t p = person(t, "Lo Thi Mai", 1), q = person(t, "Lo Van Nam", 2);
    assert_int_equal(vax_queue_checkin(t->db, p, &v), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_SCREENING, NULL), VAX_OK);
    int64_t events = count(t, "SELECT count(*) FROM visit_event");
    assert_true(events >= 2);
    /* the outbox's own rows: a reference per event, nothing copied, no uuid of its own */
    assert_int_equal(count(t, "SELECT count(*) FROM sync_entry WHERE event_id IS NOT NULL AND"
                              " body IS NULL AND uuid IS NULL"),
                     events);
    assert_int_equal(count(t, "SELECT count(*) FROM sqlite_sequence WHERE name LIKE 'sync%'"), 0);
    assert_int_equal(count(t, "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'sync_entry'"
                              " AND type = 'index' AND sql IS NULL"),
                     0);
    /* what leaves is the event whole, as the outbox wrote it before */
    assert_int_equal(vax_sync_device_id(t->db, dev), VAX_OK);
    snprintf(
        sql, sizeof sql,
        "SELECT count(*) FROM sync_outbox o JOIN visit_event e ON e.uuid = o.uuid"
        " WHERE o.kind = 'visit_event' AND o.record_uuid = e.uuid AND o.at = e.at"
        " AND o.site = 'TEAM-A' AND o.device = '%s' AND o.device_seq IS NULL"
        " AND json_extract(o.body, '$.visit_uuid') = '%s'"
        " AND json_extract(o.body, '$.person_uuid') = (SELECT uuid FROM person WHERE id = %lld)"
        " AND json_extract(o.body, '$.to') = e.to_state AND json_extract(o.body, '$.day') ="
        " '2021-10-15' AND json_extract(o.body, '$.staff') = (SELECT login FROM staff WHERE id = "
        "e.staff_id)",
        dev, v.uuid, (long long)p);
    assert_int_equal(count(t, sql), events);
    query_text(t->path,
               "SELECT body FROM sync_outbox WHERE kind = 'visit_event' ORDER BY seq"
               " DESC LIMIT 1",
               body, sizeof body);
    /* a visit moved to another person (a merge) leaves the events already written as they were */
    snprintf(sql, sizeof sql, "UPDATE visit SET person_id = %lld WHERE id = %lld", (long long)q,
             (long long)v.id);
    tdb_exec_at(t->path, sql);
    char after[4096];
    query_text(t->path,
               "SELECT body FROM sync_outbox WHERE kind = 'visit_event' ORDER BY seq"
               " DESC LIMIT 1",
               after, sizeof after);
    assert_string_equal(after, body);
    /* an event, and what its body reads from its visit, cannot be changed */
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(t->path, &s), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(s, "UPDATE visit_event SET details = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(s, "UPDATE visit SET ticket = ticket + 100", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(s, "UPDATE visit SET day = '2021-10-16'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(s, "UPDATE visit SET uuid = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(s, "DELETE FROM sync_entry", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(s, "UPDATE sync_entry SET site = 'X'", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(s);
    query_text(t->path,
               "SELECT body FROM sync_outbox WHERE kind = 'visit_event' ORDER BY seq"
               " DESC LIMIT 1",
               after, sizeof after);
    assert_string_equal(after, body);
    tdb_close(t);
}

/* A file of version 21 with events not yet sent: after the upgrade the outbox reads the same,
 * event for event, and a bundle carries exactly those; a later event follows them. */
static void test_an_outbox_of_version_21_upgrades_and_sends_the_same_events(void **state)
{
    (void)state;
    char dir[] = "/tmp/vaxsync.XXXXXX", path[300], f[400], tail[96];
    static char before[65536], after[65536], sent[65536];
    vax_db *db = NULL;
    vax_person p;
    vax_visit v;
    vax_sync_stats s;
    int64_t pending = 0;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/old.db", dir);
    snprintf(f, sizeof f, "%s/old.vxb", dir);
    vax_clock_set(T0);
    assert_int_equal(vax_open_at_version(path, VAX_OPEN_CREATE, 21, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), 21);
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    assert_int_equal(vax_site_set(db, "TEAM-A", "TEAM-A", 0), VAX_OK);
    memset(&p, 0, sizeof p);
    tdb_cccd(p.national_id, 1975, 'f', 7);
    snprintf(p.full_name, sizeof p.full_name, "Lo Thi Mai");
    snprintf(p.birth_date, sizeof p.birth_date, "1975-01-20");
    p.sex = 'f';
    assert_int_equal(vax_person_add(db, &p), VAX_OK);
    assert_int_equal(vax_queue_checkin(db, p.id, &v), VAX_OK);
    assert_int_equal(vax_queue_move(db, v.id, VAX_STATE_SCREENING, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(db, v.id, VAX_STATE_ELIGIBLE, NULL), VAX_OK);
    vax_close(db);
    assert_true(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind = 'visit_event'") >=
                3);
    outbox_dump(path, before, sizeof before);

    assert_int_equal(vax_open(path, 0, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), VAX_SCHEMA_VERSION);
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    outbox_dump(path, after, sizeof after);
    assert_string_equal(after, before);
    assert_int_equal(vax_sync_pending(db, "bundle", &pending), VAX_OK);
    assert_int_equal(pending, query_int(path, "SELECT count(*) FROM sync_outbox"));
    assert_int_equal(vax_bundle_export(db, f, &s), VAX_OK);
    assert_int_equal(s.sent, pending);
    query_text(f,
               "SELECT coalesce(group_concat(line, char(10)), '') FROM (SELECT seq || '|' ||"
               " uuid || '|' || kind || '|' || record_uuid || '|' || site || '|' || device ||"
               " '|' || device_seq || '|' || at || '|' || body AS line FROM event ORDER BY seq)",
               sent, sizeof sent);
    assert_string_equal(sent, before);
    /* an event made after the upgrade comes next, with the next number */
    int64_t last = query_int(path, "SELECT max(seq) FROM sync_outbox");
    assert_int_equal(vax_queue_move(db, v.id, VAX_STATE_WAITING_INJECTION, NULL), VAX_OK);
    snprintf(tail, sizeof tail, "SELECT count(*) FROM sync_outbox WHERE seq = %lld",
             (long long)last + 1);
    assert_int_equal(query_int(path, tail), 1);
    assert_int_equal(vax_sync_pending(db, "bundle", &pending), VAX_OK);
    assert_int_equal(pending, 1);
    vax_close(db);
    char side[360];
    unlink(f);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    unlink(path);
    rmdir(dir);
}

/* A's own events come back in B's bundle (B forwards what it took in): each is known by its uuid,
 * visit events included (they are not copied into A's outbox, only referred to), and is a no-op. */
static void test_own_events_forwarded_back_are_known_and_change_nothing(void **state)
{
    (void)state;
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    char f[400], g[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    bundle_path(b, "b.vxb", g, sizeof g);
    trust(b, a);
    trust(a, b);
    tdb_dose(a, person(a, "Lo Thi Mai", 1));
    int64_t mine = count(a, "SELECT count(*) FROM sync_outbox");
    int64_t visits = count(a, "SELECT count(*) FROM sync_outbox WHERE kind = 'visit_event'");
    assert_true(visits >= 5);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(s.received, mine);
    assert_int_equal(vax_bundle_export(b->db, g, &s), VAX_OK);
    assert_int_equal(s.sent, mine);
    assert_int_equal(vax_bundle_import(a->db, g, &s), VAX_OK);
    assert_int_equal(s.received, 0);
    assert_int_equal(s.duplicates, mine);
    assert_int_equal(s.quarantined, 0);
    assert_int_equal(count(a, "SELECT count(*) FROM sync_outbox"), mine);
    assert_int_equal(count(a, "SELECT count(*) FROM sync_quarantine"), 0);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

/* ---- bundles -------------------------------------------------------------------------------- */

static void test_bundle_holds_the_events_since_the_last_bundle_only(void **state)
{
    test_db *t = laptop("TEAM-A");
    char b1[400], b2[400];
    vax_sync_stats s;
    int64_t pending;
    bundle_path(t, "one.vxb", b1, sizeof b1);
    bundle_path(t, "two.vxb", b2, sizeof b2);
    person(t, "Lo Thi Mai", 1);
    person(t, "Lo Van Nam", 2);
    assert_int_equal(vax_bundle_export(t->db, b1, &s), VAX_OK);
    assert_int_equal(s.sent, 2);
    assert_int_equal(query_int(b1, "SELECT count(*) FROM event"), 2);
    assert_int_equal(vax_sync_pending(t->db, "bundle", &pending), VAX_OK);
    assert_int_equal(pending, 0);
    /* the push channel keeps its own mark */
    assert_int_equal(vax_sync_pending(t->db, "push", &pending), VAX_OK);
    assert_int_equal(pending, 2);
    /* an existing file is refused and the mark does not move */
    person(t, "Lo Thi Hoa", 3);
    assert_int_equal(vax_bundle_export(t->db, b1, &s), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "bundle");
    assert_int_equal(vax_sync_pending(t->db, "bundle", &pending), VAX_OK);
    assert_int_equal(pending, 1);
    assert_int_equal(vax_bundle_export(t->db, b2, &s), VAX_OK);
    assert_int_equal(s.sent, 1);
    char meta[64];
    query_text(b2, "SELECT value FROM bundle_meta WHERE key = 'site'", meta, sizeof meta);
    assert_string_equal(meta, "TEAM-A");
    unlink(b1);
    unlink(b2);
    tdb_close(t);
}

static void test_bundle_import_merges_people_and_doses_and_a_repeat_changes_nothing(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char f[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    int64_t pa = person(a, "Lo Thi Mai", 1);
    tdb_dose(a, pa);
    person(b, "Lo Van Nam", 2);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    int64_t events = s.sent;
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(s.received, events);
    assert_int_equal(s.people, 1);
    assert_int_equal(s.doses, 1);
    assert_int_equal(s.conflicts, 0);
    assert_int_equal(count(b, "SELECT count(*) FROM person"), 2);
    assert_int_equal(count(b, "SELECT count(*) FROM dose"), 1);
    /* kept to be forwarded to the district, with A's device and sequence */
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE site = 'TEAM-A'"), events);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE site = 'TEAM-A' AND"
                              " device_seq IS NULL"),
                     0);
    /* merging wrote no events of B's own */
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE site = 'TEAM-B'"), 1);
    /* B now knows the dose: the person's next dose is 2 */
    vax_person p;
    int next;
    char id[13];
    tdb_cccd(id, 1975, 'f', 1);
    assert_int_equal(vax_person_by_national_id(b->db, id, &p), VAX_OK);
    assert_int_equal(vax_dose_next_number(b->db, p.id, &next), VAX_OK);
    assert_int_equal(next, 2);
    /* again: nothing new */
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(s.received, 0);
    assert_int_equal(s.duplicates, events);
    assert_int_equal(count(b, "SELECT count(*) FROM person"), 2);
    assert_int_equal(count(b, "SELECT count(*) FROM dose"), 1);
    unlink(f);
    tdb_close(a);
    tdb_close(b);
}

static void test_dose_2_at_another_site_after_a_bundle_gets_number_2_and_no_conflict(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char f[400], g[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    bundle_path(b, "b.vxb", g, sizeof g);
    int64_t pa = person(a, "Lo Thi Mai", 1);
    tdb_dose(a, pa);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    vax_clock_advance(70 * DAY);
    vax_person p;
    char id[13];
    tdb_cccd(id, 1975, 'f', 1);
    assert_int_equal(vax_person_by_national_id(b->db, id, &p), VAX_OK);
    tdb_dose(b, p.id);
    assert_int_equal(count(b, "SELECT max(dose_number) FROM dose"), 2);
    /* back to A: both doses, numbers 1 and 2, no conflict */
    assert_int_equal(vax_bundle_export(b->db, g, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(a->db, g, &s), VAX_OK);
    assert_int_equal(s.conflicts, 0);
    assert_int_equal(count(a, "SELECT count(*) FROM dose WHERE voided = 0"), 2);
    assert_int_equal(count(a, "SELECT count(DISTINCT dose_number) FROM dose"), 2);
    assert_int_equal(count(a, "SELECT count(*) FROM sync_conflict"), 0);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

/* ---- conflicts that matter ------------------------------------------------------------------ */

static void test_same_dose_number_from_two_teams_keeps_both_and_lists_a_conflict(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char f[400];
    vax_sync_stats s;
    vax_sync_conflict c[8];
    int n;
    bundle_path(a, "a.vxb", f, sizeof f);
    /* the same person (same ID) registered and vaccinated offline by both teams */
    tdb_dose(a, person(a, "Lo Thi Mai", 1));
    tdb_dose(b, person(b, "Lò Thị Mai", 1));
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM person"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM dose WHERE dose_number = 1 AND voided = 0"), 2);
    int total = 0;
    assert_int_equal(vax_sync_conflicts(b->db, 0, c, 8, &n, &total), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(c[0].full_name, "Lò Thị Mai"); /* the person, by name, not a uuid */
    assert_int_equal(vax_sync_conflicts(b->db, 1, c, 8, &n, &total), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 2);
    assert_string_equal(c[0].kind, "same_dose_number");
    assert_int_equal(vax_sync_conflicts(b->db, 0, c, 8, &n, &total), VAX_OK);
    assert_string_equal(c[0].kind, "duplicate_person");
    assert_string_equal(c[1].kind, "same_dose_number");
    char ua[64], ub[64];
    query_text(a->path, "SELECT uuid FROM dose", ua, sizeof ua);
    query_text(b->path, "SELECT uuid FROM dose WHERE override_reason = ''", ub, sizeof ub);
    assert_true((!strcmp(c[1].a_uuid, ua) && !strcmp(c[1].b_uuid, ub)) ||
                (!strcmp(c[1].a_uuid, ub) && !strcmp(c[1].b_uuid, ua)));
    /* again: no second listing */
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_conflict"), 2);
    assert_int_equal(count(b, "SELECT count(*) FROM dose"), 2);
    unlink(f);
    tdb_close(a);
    tdb_close(b);
}

static void test_person_registered_twice_is_merged_and_every_visit_is_kept(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char f[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    tdb_dose(a, person(a, "Lo Thi Mai", 1));
    int64_t pb = person(b, "Lo Thi Mai", 1);
    int64_t a_events = count(a, "SELECT count(*) FROM sync_outbox WHERE kind = 'visit_event'");
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM person"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_alias"), 1);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM dose WHERE person_id = %lld", (long long)pb);
    assert_int_equal(count(b, sql), 1);
    /* A's visit is kept (forwarded with A's identity) */
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE kind = 'visit_event' AND"
                              " site = 'TEAM-A'"),
                     a_events);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_conflict WHERE kind ="
                              " 'duplicate_person'"),
                     1);
    unlink(f);
    tdb_close(a);
    tdb_close(b);
}

static void test_concurrent_edits_newest_wins_and_the_loser_is_kept_in_history(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char f[400], g[400], phone[32];
    vax_sync_stats s;
    vax_person p;
    bundle_path(a, "a.vxb", f, sizeof f);
    bundle_path(b, "b.vxb", g, sizeof g);
    int64_t pa = person(a, "Lo Thi Mai", 1);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    unlink(f);
    /* B edits first, A later: A's phone is newest and wins everywhere */
    vax_clock_advance(60);
    char id[13];
    tdb_cccd(id, 1975, 'f', 1);
    assert_int_equal(vax_person_by_national_id(b->db, id, &p), VAX_OK);
    snprintf(p.phone, sizeof p.phone, "0911111111");
    assert_int_equal(vax_person_update(b->db, &p, "phone"), VAX_OK);
    vax_clock_advance(60);
    assert_int_equal(vax_person_get(a->db, pa, &p), VAX_OK);
    snprintf(p.phone, sizeof p.phone, "0922222222");
    assert_int_equal(vax_person_update(a->db, &p, "phone"), VAX_OK);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_export(b->db, g, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(a->db, g, &s), VAX_OK);
    query_text(a->path, "SELECT phone FROM person", phone, sizeof phone);
    assert_string_equal(phone, "0922222222");
    query_text(b->path, "SELECT phone FROM person", phone, sizeof phone);
    assert_string_equal(phone, "0922222222");
    /* the losing version is in A's history; both list the conflict */
    assert_int_equal(count(a, "SELECT count(*) FROM person_history WHERE phone = '0911111111'"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM person_history WHERE phone = '0911111111'"), 1);
    assert_int_equal(count(a, "SELECT count(*) FROM sync_conflict WHERE kind ="
                              " 'concurrent_edit'"),
                     1);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_conflict WHERE kind ="
                              " 'concurrent_edit'"),
                     1);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

static void test_same_uuid_with_other_content_is_quarantined_not_merged(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char f[400], name[64];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    person(a, "Lo Thi Mai", 1);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    /* a copy of the bundle altered on the way is refused whole (its digest) */
    tdb_exec_at(f, "UPDATE event SET body = json_set(body, '$.full_name', 'Someone Else')");
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_EINVAL);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_quarantine"), 0);
    /* a trusted producer that sends other content under the same uuid (a damaged outbox) */
    unlink(f);
    tdb_exec_at(a->path,
                "DROP TRIGGER sync_entry_no_update;"
                " UPDATE sync_entry SET body = json_set(body, '$.full_name', 'Someone Else')");
    assert_int_equal(vax_bundle_export_since(a->db, f, 0, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(s.quarantined, 1);
    assert_int_equal(s.received, 0);
    query_text(b->path, "SELECT full_name FROM person", name, sizeof name);
    assert_string_equal(name, "Lo Thi Mai");
    assert_int_equal(count(b, "SELECT count(*) FROM sync_quarantine"), 1);
    /* the same altered copy again is not listed twice */
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_quarantine"), 1);
    unlink(f);
    tdb_close(a);
    tdb_close(b);
}

static void test_a_file_that_is_not_a_bundle_is_refused_and_writes_nothing(void **state)
{
    test_db *t = laptop("TEAM-B");
    vax_sync_stats s;
    char f[400];
    int64_t before = count(t, "SELECT count(*) FROM sync_outbox");
    assert_int_equal(vax_bundle_import(t->db, t->path, &s), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "bundle");
    bundle_path(t, "missing.vxb", f, sizeof f);
    assert_int_equal(vax_bundle_import(t->db, f, &s), VAX_EINVAL);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox"), before);
    assert_int_equal(count(t, "SELECT count(*) FROM person"), 0);
    tdb_close(t);
}

static void test_site_dose_counts_equal_the_daily_report(void **state)
{
    test_db *t = laptop("TEAM-A");
    vax_dose_count c[8];
    vax_report *r = NULL;
    int n;
    for (int i = 1; i <= 3; i++)
        tdb_dose(t, person(t, "Lo Thi Mai", i));
    assert_int_equal(vax_sync_site_dose_counts(t->db, "2021-10-15", c, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].product, "AZ");
    assert_int_equal(c[0].dose_number, 1);
    assert_int_equal(c[0].n, 3);
    assert_int_equal(vax_report_make(t->db, "2021-10-15", NULL, &r), VAX_OK);
    assert_int_equal(r->nproducts >= 1, 1);
    assert_string_equal(r->products[0].product, "AZ");
    assert_int_equal(r->products[0].doses[1], c[0].n);
    vax_report_free(r);
    assert_int_equal(vax_sync_site_dose_counts(t->db, "2021-10-16", c, 8, &n), VAX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(vax_sync_site_dose_counts(t->db, "15/10", c, 8, &n), VAX_EINVAL);
    tdb_close(t);
}

/* A void travels like the dose: the other laptop's copy is voided once, and merging it writes no
 * void of that laptop's own. */
static void test_a_void_in_a_later_bundle_voids_the_merged_dose_once(void **state)
{
    (void)state;
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char f[400], g[400];
    vax_sync_stats s;
    vax_dose list[2];
    int n = 0;
    bundle_path(a, "a1.vxb", f, sizeof f);
    bundle_path(a, "a2.vxb", g, sizeof g);
    int64_t pa = person(a, "Lo Thi Mai", 1);
    tdb_dose(a, pa);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(vax_dose_list(a->db, pa, list, 2, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(vax_dose_void(a->db, list[0].id, "wrong person"), VAX_OK);
    assert_int_equal(vax_bundle_export(a->db, g, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, g, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM dose WHERE voided = 1 AND"
                              " void_reason = 'wrong person'"),
                     1);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE kind = 'dose_void'"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE kind = 'dose_void' AND"
                              " site = 'TEAM-A'"),
                     1);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

/* A void of dose 1 where dose 2 was given after it: the laptop that imports the void renumbers
 * dose 2 to 1 as the laptop that made it did (the event names it); again is once. */
static void test_a_void_renumbers_the_later_dose_at_every_laptop(void **state)
{
    (void)state;
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(b, a);
    char f[400], g[400];
    vax_sync_stats s;
    vax_dose list[2];
    int n = 0;
    bundle_path(a, "a1.vxb", f, sizeof f);
    bundle_path(a, "a2.vxb", g, sizeof g);
    int64_t pa = person(a, "Lo Thi Mai", 1);
    tdb_dose(a, pa);
    vax_clock_advance(60 * 86400);
    tdb_dose(a, pa);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b,
                           "SELECT group_concat(dose_number, '') FROM (SELECT dose_number FROM dose"
                           " ORDER BY given_at)"),
                     12);
    assert_int_equal(vax_dose_list(a->db, pa, list, 2, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(vax_dose_void(a->db, list[0].id, "wrong person"), VAX_OK);
    assert_int_equal(count(a, "SELECT dose_number FROM dose WHERE voided = 0"), 1);
    assert_int_equal(vax_bundle_export(a->db, g, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, g, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM dose WHERE voided = 1"), 1);
    assert_int_equal(count(b, "SELECT dose_number FROM dose WHERE voided = 0"), 1);
    assert_int_equal(vax_bundle_import(b->db, g, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) || dose_number FROM dose WHERE voided = 0"), 11);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

/* One ID registered for two people (different name and birth date) on two laptops: never folded
 * into one. Each laptop keeps both; the earlier registration keeps the ID and the other takes an
 * identifier made from its uuid, the same on both laptops whichever bundle came first; a
 * "same_id_differs" conflict names both people for a manager. */
static void test_one_id_for_two_people_keeps_both_apart_the_same_everywhere(void **state)
{
    (void)state;
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(a, b);
    trust(b, a);
    char f[400], g[400], id[13], apart[13] = "KGT", uuid_b[64] = "";
    vax_sync_stats s;
    bundle_path(a, "a1.vxb", f, sizeof f);
    bundle_path(b, "b1.vxb", g, sizeof g);
    tdb_cccd(id, 1975, 'f', 77);
    int64_t pa = tdb_person(a, "Lò Thị Mai", id, "1975-01-20", NULL);
    vax_clock_advance(60);
    int64_t pb = tdb_person(b, "Trần Thị Hoa", id, "1975-08-03", NULL);
    vax_person p;
    assert_int_equal(vax_person_get(b->db, pb, &p), VAX_OK);
    snprintf(uuid_b, sizeof uuid_b, "%s", p.uuid);
    size_t len = 3; /* after "KGT": the first 9 hex digits of her uuid, upper case */
    for (const char *c = uuid_b; *c && len < 12; c++)
        if (*c != '-')
            apart[len++] = (char)toupper((unsigned char)*c);
    apart[len] = 0;
    (void)pa;
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_export(b->db, g, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK); /* B: the earlier one arrives */
    assert_int_equal(vax_bundle_import(a->db, g, &s), VAX_OK); /* A: the later one arrives */
    char sql[400];
    for (int i = 0; i < 2; i++) {
        test_db *t = i ? b : a;
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT full_name FROM person WHERE national_id = '%s') = 'Lò Thị Mai'"
                 " AND (SELECT full_name FROM person WHERE national_id = '%s') = 'Trần Thị Hoa'"
                 " AND (SELECT count(*) FROM person) = 2 AND (SELECT count(*) FROM sync_alias) = 0",
                 id, apart);
        assert_int_equal(count(t, sql), 1);
        assert_int_equal(count(t, "SELECT count(*) FROM sync_conflict WHERE kind ="
                                  " 'same_id_differs' AND details LIKE '%Lò Thị Mai%'"
                                  " AND details LIKE '%Trần Thị Hoa%'"),
                         1);
    }
    /* her own laptop kept her record's history of the ID she gave up */
    assert_int_equal(
        count(b, "SELECT count(*) FROM person_history WHERE full_name = 'Trần Thị Hoa'"), 1);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

/* Each field a person edit may change leaves as an edit, the priority group too. */
static void test_an_edit_of_the_priority_group_alone_leaves_as_an_edit(void **state)
{
    (void)state;
    test_db *t = laptop("TEAM-A");
    vax_person p;
    char body[2048];
    int64_t id = person(t, "Lo Thi Mai", 1);
    assert_int_equal(vax_person_get(t->db, id, &p), VAX_OK);
    snprintf(p.priority_group, sizeof p.priority_group, "G01");
    assert_int_equal(vax_person_update(t->db, &p, "health worker"), VAX_OK);
    assert_int_equal(count(t, "SELECT count(*) FROM sync_outbox WHERE kind = 'person_edit'"), 1);
    query_text(t->path, "SELECT body FROM sync_outbox WHERE kind = 'person_edit'", body,
               sizeof body);
    assert_non_null(strstr(body, "\"fields\":{\"priority_group\":\"G01\"}"));
    tdb_close(t);
}

/* A USB stick pulled mid-copy: the tail of the file is missing. Whatever the cut, the bundle is
 * refused whole and nothing is written; above all no empty event enters the outbox (it would
 * break every later push and travel on in the next bundle). */
static void test_a_bundle_cut_anywhere_in_its_last_4k_is_refused_and_writes_nothing(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    char f[400], g[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    bundle_path(b, "cut.vxb", g, sizeof g);
    trust(b, a);
    for (int i = 1; i <= 6; i++)
        tdb_dose(a, person(a, "Lo Thi Mai", i));
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    size_t n;
    unsigned char *buf = slurp(f, &n);
    assert_true(n > 4096);
    int64_t outbox = count(b, "SELECT count(*) FROM sync_outbox");
    int accepted = 0;
    for (size_t cut = 100; cut <= 4096; cut += 100) {
        spill(g, buf, n - cut);
        if (vax_bundle_import(b->db, g, &s) == VAX_OK)
            accepted++;
        assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE body = ''"
                                  " OR NOT json_valid(body)"),
                         0);
        assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox"), outbox);
        assert_int_equal(count(b, "SELECT count(*) FROM person"), 0);
    }
    assert_int_equal(accepted, 0);
    /* the whole file still imports */
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM dose"), 6);
    free(buf);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

/* One byte changed anywhere in a dose event's data: refused, or (a byte that does not matter)
 * exactly the original imported; never a changed fact (dose 1 read as dose 3). */
static void test_a_flipped_byte_in_an_event_is_refused_or_changes_nothing(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    char f[400], g[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    bundle_path(b, "flip.vxb", g, sizeof g);
    trust(b, a);
    tdb_dose(a, person(a, "Lo Thi Mai", 1));
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    size_t n;
    unsigned char *buf = slurp(f, &n);
    static const char needle[] = "\"dose_number\":1";
    size_t at = 0;
    for (size_t i = 0; i + sizeof needle - 1 <= n && !at; i++)
        if (!memcmp(buf + i, needle, sizeof needle - 1))
            at = i + sizeof needle - 2; /* the digit itself */
    assert_true(at > 0);
    size_t lo = at > 300 ? at - 300 : 0, hi = at + 100 < n ? at + 100 : n;
    int refused = 0;
    for (size_t i = lo; i < hi; i++) {
        buf[i] ^= 0x02; /* '1' becomes '3' */
        spill(g, buf, n);
        buf[i] ^= 0x02;
        if (vax_bundle_import(b->db, g, &s) != VAX_OK)
            refused++;
        assert_int_equal(not_in_bundle(b, f, "TEAM-A"), 0);
        assert_int_equal(count(b, "SELECT count(*) FROM dose WHERE dose_number <> 1"), 0);
        assert_int_equal(count(b, "SELECT count(*) FROM sync_quarantine"), 0);
        assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE body = ''"), 0);
    }
    assert_true(refused > 0);
    free(buf);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

static void test_an_unsigned_bundle_is_refused_and_writes_nothing(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    char f[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    trust(b, a);
    person(a, "Lo Thi Mai", 1);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    tdb_exec_at(f, "DELETE FROM bundle_meta WHERE key = 'signature'");
    int64_t outbox = count(b, "SELECT count(*) FROM sync_outbox");
    assert_int_not_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_string_equal(vax_errfield(b->db), "bundle");
    assert_null(strchr(vax_errmsg(b->db), '\n'));
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox"), outbox);
    assert_int_equal(count(b, "SELECT count(*) FROM person"), 0);
    unlink(f);
    tdb_close(a);
    tdb_close(b);
}

/* A new producer is refused with its fingerprint named, until a manager trusts that key once. */
static void test_an_unknown_signer_is_named_by_fingerprint_and_trusted_once(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    char f[400], fp[65];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    person(a, "Lo Thi Mai", 1);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_fingerprint(a->db, fp), VAX_OK);
    assert_int_equal(strlen(fp), 64);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_EPERM);
    assert_non_null(strstr(vax_errmsg(b->db), fp));
    assert_int_equal(count(b, "SELECT count(*) FROM person"), 0);
    /* a wrong fingerprint is refused; the right one, with colons and capitals, is trusted */
    assert_int_equal(vax_sync_trust(b->db, "12ab"), VAX_EINVAL);
    char shown[100];
    int k = 0;
    for (int i = 0; i < 64; i++) {
        shown[k++] = (char)(fp[i] >= 'a' ? fp[i] - 32 : fp[i]);
        if (i % 2 && i < 63)
            shown[k++] = ':';
    }
    shown[k] = 0;
    assert_int_equal(vax_sync_trust(b->db, shown), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM audit WHERE action = 'sync.trust'"), 1);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM person"), 1);
    /* its own bundles are trusted without asking */
    assert_int_equal(vax_bundle_import(a->db, f, &s), VAX_OK);
    unlink(f);
    tdb_close(a);
    tdb_close(b);
}

/* A bundle lost on the way is written again from a sequence number; the mark never moves back. */
static void test_export_since_writes_again_what_was_lost(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    char f[400], g[400];
    vax_sync_stats s;
    int64_t pending;
    bundle_path(a, "lost.vxb", f, sizeof f);
    bundle_path(a, "again.vxb", g, sizeof g);
    trust(b, a);
    tdb_dose(a, person(a, "Lo Thi Mai", 1));
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    int64_t events = s.sent;
    unlink(f);
    assert_int_equal(vax_bundle_export_since(a->db, g, 0, &s), VAX_OK);
    assert_int_equal(s.sent, events);
    assert_int_equal(vax_sync_pending(a->db, "bundle", &pending), VAX_OK);
    assert_int_equal(pending, 0);
    assert_int_equal(vax_bundle_import(b->db, g, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM dose"), 1);
    unlink(g);
    assert_int_equal(vax_bundle_export_since(a->db, g, events - 1, &s), VAX_OK);
    assert_int_equal(s.sent, 1);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

/* An empty event left in an outbox (by the cut-bundle defect of earlier versions) does not travel
 * on: it is left out of the next bundle and never enters the receiver's outbox. */
static void test_an_empty_event_in_the_outbox_does_not_travel_on(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    char f[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    trust(b, a);
    person(a, "Lo Thi Mai", 1);
    tdb_exec_at(a->path, "INSERT INTO sync_outbox(uuid, kind, record_uuid, site, device, at, body)"
                         " VALUES ('blank-1', 'dose', 'blank-1', 'TEAM-X', 'dev', 0, '')");
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(query_int(f, "SELECT count(*) FROM event WHERE body = ''"), 0);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE body = ''"
                              " OR NOT json_valid(body)"),
                     0);
    assert_int_equal(count(b, "SELECT count(*) FROM person"), 1);
    unlink(f);
    tdb_close(a);
    tdb_close(b);
}

/* A password in the server's address never reaches an error message: a mistyped scheme, a
 * server that does not answer, the keyword form. */
static void test_a_password_in_the_server_address_is_never_echoed(void **state)
{
    test_db *t = laptop("TEAM-A");
    vax_sync_stats s;
    if (!vax_sync_available())
        skip();
    static const char *const urls[] = {
        "postgresq://vax:s3cretPW@127.0.0.1:1/district",
        "postgresql://vax:s3cretPW@127.0.0.1:1/district",
        "host=127.0.0.1 port=1 user=vax password=s3cretPW dbname=district",
        "postgresql://vax:s3cretPW@127.0.0.1:1/district?sslmode=bogus",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        assert_int_not_equal(vax_sync_pull(t->db, urls[i], NULL, &s), VAX_OK);
        if (strstr(vax_errmsg(t->db), "s3cretPW"))
            fail_msg("%s: %s", urls[i], vax_errmsg(t->db));
        assert_int_not_equal(vax_sync_push(t->db, urls[i], 0, &s), VAX_OK);
        if (strstr(vax_errmsg(t->db), "s3cretPW"))
            fail_msg("%s: %s", urls[i], vax_errmsg(t->db));
    }
    assert_int_equal(count(t, "SELECT count(*) FROM audit WHERE details LIKE '%s3cretPW%'"), 0);
    char red[300];
    vax_sync_url_redact("postgresql://vax:s3cretPW@db.example:5432/district", red, sizeof red);
    assert_string_equal(red, "postgresql://vax:***@db.example:5432/district");
    vax_sync_url_redact("host=h password='s3 cretPW' dbname=d", red, sizeof red);
    assert_string_equal(red, "host=h password=*** dbname=d");
    vax_sync_url_redact("postgresql://h/d?password=s3cretPW&sslmode=require", red, sizeof red);
    assert_string_equal(red, "postgresql://h/d?password=***&sslmode=require");
    tdb_close(t);
}

/* A manager's merge at A travels: B, which holds both records, makes them one (doses moved, the
 * merged record's ID finds the kept one, an audit row); a second import changes nothing. */
static void test_a_merge_travels_in_a_bundle_and_twice_is_once(void **state)
{
    (void)state;
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(b, a);
    char f[400], g[400], old_id[13], new_id[13];
    vax_sync_stats s;
    bundle_path(a, "a1.vxb", f, sizeof f);
    bundle_path(a, "a2.vxb", g, sizeof g);
    tdb_cccd(old_id, 1975, 'f', 1);
    tdb_cccd(new_id, 1975, 'f', 2);
    int64_t kept = tdb_person(a, "Lo Thi Mai", old_id, "1975-01-20", NULL);
    int64_t gone = tdb_person(a, "Lo Thi Mai", new_id, "1975-01-20", NULL);
    tdb_dose(a, gone);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 2);
    if (vax_person_merge(a->db, gone, kept, "same woman, two IDs") != VAX_OK)
        fail_msg("merge: %s", vax_errmsg(a->db));
    assert_int_equal(count(a, "SELECT count(*) FROM sync_outbox WHERE kind = 'person_merge'"), 1);
    assert_int_equal(vax_bundle_export(a->db, g, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, g, &s), VAX_OK);
    /* one person at B, found by both IDs, with the dose */
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 1);
    vax_person p, q;
    assert_int_equal(vax_person_by_national_id(b->db, old_id, &p), VAX_OK);
    assert_int_equal(vax_person_by_national_id(b->db, new_id, &q), VAX_OK);
    assert_int_equal(p.id, q.id);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM dose WHERE person_id = %lld", (long long)p.id);
    assert_int_equal(count(b, sql), 1);
    int next = 0;
    assert_int_equal(vax_dose_next_number(b->db, p.id, &next), VAX_OK);
    assert_int_equal(next, 2);
    assert_int_equal(count(b, "SELECT count(*) FROM audit WHERE action = 'person.merge'"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM person_history WHERE reason ="
                              " 'same woman, two IDs'"),
                     1);
    /* B's merge wrote no event of its own: A's event is forwarded as it came */
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE kind = 'person_merge'"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE site = 'TEAM-B'"), 0);
    /* again: nothing changes */
    int64_t history = count(b, "SELECT count(*) FROM person_history");
    assert_int_equal(vax_bundle_import(b->db, g, &s), VAX_OK);
    assert_int_equal(s.received, 0);
    assert_int_equal(count(b, "SELECT count(*) FROM audit WHERE action = 'person.merge'"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM person_history"), history);
    assert_int_equal(count(b, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 1);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
}

/* The merge arrives before one of the two people (C has only seen the merge's bundle): it waits,
 * listed for a manager with its reason, and is applied when the person arrives. */
static void test_a_merge_of_an_unknown_person_waits_for_them(void **state)
{
    (void)state;
    test_db *a = laptop("TEAM-A"), *c = laptop("TEAM-C");
    trust(c, a);
    char f[400], g[400], old_id[13], new_id[13];
    vax_sync_stats s;
    bundle_path(a, "a1.vxb", f, sizeof f);
    bundle_path(a, "a2.vxb", g, sizeof g);
    tdb_cccd(old_id, 1975, 'f', 1);
    tdb_cccd(new_id, 1975, 'f', 2);
    int64_t kept = tdb_person(a, "Lo Thi Mai", old_id, "1975-01-20", NULL);
    int64_t gone = tdb_person(a, "Lo Thi Mai", new_id, "1975-01-20", NULL);
    tdb_dose(a, gone);
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    if (vax_person_merge(a->db, gone, kept, "same woman, two IDs") != VAX_OK)
        fail_msg("merge: %s", vax_errmsg(a->db));
    assert_int_equal(vax_bundle_export(a->db, g, &s), VAX_OK);
    /* the second bundle first: neither person is known at C */
    assert_int_equal(vax_bundle_import(c->db, g, &s), VAX_OK);
    assert_int_equal(s.unapplied, 1);
    assert_int_equal(count(c, "SELECT count(*) FROM sync_conflict WHERE kind = 'merge_waiting'"
                              " AND resolved_at = 0"),
                     1);
    assert_int_equal(vax_bundle_import(c->db, f, &s), VAX_OK);
    assert_int_equal(count(c, "SELECT count(*) FROM person WHERE merged_into IS NULL"), 1);
    assert_int_equal(count(c, "SELECT count(*) FROM sync_conflict WHERE kind = 'merge_waiting'"
                              " AND resolved_at = 0"),
                     0);
    vax_person p;
    assert_int_equal(vax_person_by_national_id(c->db, new_id, &p), VAX_OK);
    assert_int_equal(p.id, count(c, "SELECT id FROM person WHERE merged_into IS NULL"));
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM dose WHERE person_id = %lld", (long long)p.id);
    assert_int_equal(count(c, sql), 1);
    unlink(f);
    unlink(g);
    tdb_close(a);
    tdb_close(c);
}

/* ---- the merge rules as a table: two laptops' histories in, the merged record and conflicts out
 *
 * tests/data/merge-rules.tsv (its header says how to read it): what laptop A and laptop B edit in
 * one person registered at A and known to both, at which clock, and whether B had A's edits before
 * making its own; out, the record every database holds after the edits crossed (A and B exchange
 * bundles; C1 takes A's then B's, C2 B's then A's) and the fields of the concurrent_edit conflict
 * each lists. test_sync_merge.sh runs the same rows through the district's PostgreSQL. */
#define CLOCK_ABSOLUTE 1000000000 /* an edit's time above this is a clock's own, not an offset */
#define MAX_EDITS 4
typedef struct field_edit {
    char field[16], value[64];
    int64_t at;
} field_edit;

typedef struct merge_row {
    char what[128];
    field_edit a[MAX_EDITS + 1], b[MAX_EDITS + 1];
    int b_saw_a;
    char name[64], phone[16], birth[16], commune[64], conflict[64];
} merge_row;

/* "field=value@at;field=value@at" */
static void parse_edits(char *text, field_edit *out)
{
    int n = 0;
    for (char *e = strtok(text, ";"); e && n < MAX_EDITS; e = strtok(NULL, ";")) {
        char *eq = strchr(e, '='), *at = strrchr(e, '@');
        assert_non_null(eq);
        assert_non_null(at);
        *eq = *at = 0;
        snprintf(out[n].field, sizeof out[n].field, "%s", e);
        snprintf(out[n].value, sizeof out[n].value, "%s", eq + 1);
        out[n].at = strtoll(at + 1, NULL, 10);
        n++;
    }
    out[n].field[0] = 0;
}

static int merge_rows_read(merge_row *rows, int max)
{
    char path[512], line[1024];
    const char *dir = getenv("VAX_TEST_DATA");
    snprintf(path, sizeof path, "%s/merge-rules.tsv", dir ? dir : "tests/data");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    int n = 0;
    while (fgets(line, sizeof line, f) && n < max) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char *col[9];
        int k = 0;
        for (char *p = line; k < 9; k++) {
            col[k] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                k++;
                break;
            }
            *tab = 0;
            p = tab + 1;
        }
        if (k != 9)
            fail_msg("%s: a row of %d columns, 9 expected", path, k);
        merge_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        snprintf(r->what, sizeof r->what, "%s", col[0]);
        parse_edits(col[1], r->a);
        parse_edits(col[2], r->b);
        r->b_saw_a = atoi(col[3]);
        snprintf(r->name, sizeof r->name, "%s", col[4]);
        snprintf(r->phone, sizeof r->phone, "%s", col[5]);
        snprintf(r->birth, sizeof r->birth, "%s", col[6]);
        snprintf(r->commune, sizeof r->commune, "%s", col[7]);
        snprintf(r->conflict, sizeof r->conflict, "%s", strcmp(col[8], "-") ? col[8] : "");
    }
    fclose(f);
    return n;
}

/* A value of the table into a field of the record; one too long for it fails the test. */
static void put(char *field, size_t size, const char *value)
{
    size_t n = strlen(value);
    assert_true(n < size);
    memcpy(field, value, n + 1);
}

static void apply_edits(test_db *t, const char *nid, int64_t t0, const field_edit *e)
{
    for (; e->field[0]; e++) {
        vax_person p;
        vax_clock_set(e->at > CLOCK_ABSOLUTE ? e->at : t0 + e->at);
        assert_int_equal(vax_person_by_national_id(t->db, nid, &p), VAX_OK);
        if (!strcmp(e->field, "phone"))
            put(p.phone, sizeof p.phone, e->value);
        else if (!strcmp(e->field, "full_name"))
            put(p.full_name, sizeof p.full_name, e->value);
        else if (!strcmp(e->field, "birth_date"))
            put(p.birth_date, sizeof p.birth_date, e->value);
        else
            put(p.commune, sizeof p.commune, e->value);
        if (vax_person_update(t->db, &p, "typed again") != VAX_OK)
            fail_msg("edit %s: %s", e->field, vax_errmsg(t->db));
    }
}

static void move_bundle(test_db *from, test_db *to, const char *name)
{
    char f[400];
    vax_sync_stats s;
    bundle_path(from, name, f, sizeof f);
    if (access(f, F_OK) != 0 && vax_bundle_export(from->db, f, &s) != VAX_OK)
        fail_msg("export: %s", vax_errmsg(from->db));
    if (vax_bundle_import(to->db, f, &s) != VAX_OK)
        fail_msg("import: %s", vax_errmsg(to->db));
}

static void expect_merged(test_db *t, const char *who, const merge_row *r)
{
    char got[600], want[600], conflict[200];
    query_text(
        t->path,
        "SELECT full_name || '|' || phone || '|' || birth_date || '|' || commune FROM person", got,
        sizeof got);
    snprintf(want, sizeof want, "%s|%s|%s|%s", r->name, r->phone, r->birth, r->commune);
    if (strcmp(got, want))
        fail_msg("%s, at %s: %s, expected %s", r->what, who, got, want);
    query_text(t->path,
               "SELECT coalesce(group_concat(field || '=' || a_value || '/' || b_value, ';'), '')"
               " FROM sync_conflict WHERE kind = 'concurrent_edit'",
               conflict, sizeof conflict);
    if (r->conflict[0] ? !strstr(conflict, r->conflict) || !strstr(conflict, "/") : conflict[0])
        fail_msg("%s, at %s: conflicts '%s', expected '%s'", r->what, who, conflict, r->conflict);
    /* a disputed field keeps both values, each side's */
    for (const field_edit *e = r->a; r->conflict[0] && e->field[0]; e++)
        if (strstr(r->conflict, e->field) && !strstr(conflict, e->value))
            fail_msg("%s, at %s: A's value %s not kept in '%s'", r->what, who, e->value, conflict);
    for (const field_edit *e = r->b; r->conflict[0] && e->field[0]; e++)
        if (strstr(r->conflict, e->field) && !strstr(conflict, e->value))
            fail_msg("%s, at %s: B's value %s not kept in '%s'", r->what, who, e->value, conflict);
}

static void test_the_merge_rules_table_gives_one_record_whatever_the_order(void **state)
{
    static merge_row rows[32];
    int n = merge_rows_read(rows, 32);
    assert_true(n >= 8);
    for (int i = 0; i < n; i++) {
        const merge_row *r = &rows[i];
        test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B"), *c1 = laptop("TEAM-C"),
                *c2 = laptop("TEAM-D");
        test_db *all[] = {a, b, c1, c2};
        for (int x = 0; x < 4; x++)
            for (int y = 0; y < 4; y++)
                if (x != y)
                    trust(all[x], all[y]);
        char nid[13];
        int64_t t0 = 1633046400 + (int64_t)i * DAY; /* 2021-10-01 */
        vax_clock_set(t0);
        tdb_cccd(nid, 1975, 'f', 1);
        vax_person p;
        int64_t id = person(a, "Lo Thi Mai", 1);
        assert_int_equal(vax_person_get(a->db, id, &p), VAX_OK);
        snprintf(p.commune, sizeof p.commune, "Xã Bản Giang");
        p.phone[0] = 0;
        assert_int_equal(vax_person_update(a->db, &p, "commune"), VAX_OK);
        move_bundle(a, b, "reg.vxb");
        move_bundle(a, c1, "reg.vxb");
        move_bundle(a, c2, "reg.vxb");
        apply_edits(a, nid, t0, r->a);
        if (r->b_saw_a)
            move_bundle(a, b, "a.vxb");
        apply_edits(b, nid, t0, r->b);
        move_bundle(a, b, "a.vxb");
        move_bundle(b, a, "b.vxb");
        move_bundle(a, c1, "a.vxb");
        move_bundle(b, c1, "b.vxb");
        move_bundle(b, c2, "b.vxb");
        move_bundle(a, c2, "a.vxb");
        expect_merged(a, "A", r);
        expect_merged(b, "B", r);
        expect_merged(c1, "C (A first)", r);
        expect_merged(c2, "C (B first)", r);
        for (int x = 0; x < 4; x++)
            tdb_close(all[x]);
    }
}

/* An old CMND and a CCCD of one person: A registered him by his CMND and later linked his chip
 * card's CCCD; B registered him by the CCCD and gave him a dose. Whatever the order the two
 * laptops' events arrive in, every database holds one person that both numbers find, A's record
 * kept (the link's holder) with B's dose. A CCCD linked at A that is the ID of someone else at B
 * (another name) merges nothing and is listed; the number finds her, its owner, everywhere. */
static void test_an_old_cmnd_and_a_cccd_of_one_person_link_in_any_order(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B"), *c1 = laptop("TEAM-C"),
            *c2 = laptop("TEAM-D");
    test_db *all[] = {a, b, c1, c2};
    for (int x = 0; x < 4; x++)
        for (int y = 0; y < 4; y++)
            if (x != y)
                trust(all[x], all[y]);
    char cccd[13], other[13];
    tdb_cccd(cccd, 1975, 'm', 7);
    tdb_cccd(other, 1975, 'f', 8);
    int64_t pa = tdb_person(a, "Lò Văn Pá", "012345678", "1975-01-20", NULL);
    int64_t pq = tdb_person(a, "Hà Thị Quế", "012345679", "1975-01-20", NULL);
    tdb_dose(b, tdb_person(b, "LÒ VĂN PÁ", cccd, "1975-01-20", NULL));
    tdb_person(b, "Mùa Thị Súa", other, "1975-03-03", NULL);
    assert_int_equal(vax_person_link_id(a->db, pa, cccd, "chip ID card"), VAX_OK);
    assert_int_equal(vax_person_link_id(a->db, pq, other, "typed from a paper"), VAX_OK);
    move_bundle(a, c1, "a.vxb");
    move_bundle(b, c1, "b.vxb");
    move_bundle(b, c2, "b.vxb");
    move_bundle(a, c2, "a.vxb");
    move_bundle(a, b, "a.vxb");
    move_bundle(b, a, "b.vxb");
    char a_uuid[64];
    query_text(a->path, "SELECT uuid FROM person WHERE national_id = '012345678'", a_uuid,
               sizeof a_uuid);
    for (int x = 0; x < 4; x++) {
        vax_person by_cmnd, by_cccd, by_other;
        assert_int_equal(vax_person_by_national_id(all[x]->db, "012345678", &by_cmnd), VAX_OK);
        assert_int_equal(vax_person_by_national_id(all[x]->db, cccd, &by_cccd), VAX_OK);
        assert_int_equal(by_cmnd.id, by_cccd.id);
        assert_string_equal(by_cmnd.uuid, a_uuid);
        int n = -1;
        assert_int_equal(vax_person_dose_count(all[x]->db, by_cmnd.id, &n), VAX_OK);
        assert_int_equal(n, 1);
        assert_int_equal(count(all[x], "SELECT count(*) FROM person WHERE merged_into IS NULL AND"
                                       " name_folded = 'lo van pa'"),
                         1);
        /* the other link: two people, one conflict */
        assert_int_equal(vax_person_by_national_id(all[x]->db, other, &by_other), VAX_OK);
        assert_string_equal(by_other.full_name, "Mùa Thị Súa"); /* her own ID, everywhere */
        assert_int_equal(count(all[x], "SELECT count(*) FROM person_id WHERE value LIKE '%08'"), 1);
        assert_int_equal(count(all[x], "SELECT count(*) FROM person WHERE merged_into IS NULL AND"
                                       " name_folded IN ('ha thi que', 'mua thi sua')"),
                         2);
        assert_int_equal(count(all[x], "SELECT count(*) FROM sync_conflict"
                                       " WHERE kind = 'linked_id_differs'"),
                         1);
    }
    for (int x = 0; x < 4; x++)
        tdb_close(all[x]);
}

/* ---- what a team needs from elsewhere: reactions, doses given elsewhere
 * ---------------------- */

/* A serious reaction after dose 1 at A and a dose A recorded from elsewhere (with its place and
 * certificate) reach B in a bundle: the reaction is stored once against the person (no visit at
 * B, the site it came from), the dose keeps where it was given; B's own figures count neither.
 */
static void test_a_reaction_and_a_dose_elsewhere_travel_in_a_bundle(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(b, a);
    char f[400], fields[200];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    int64_t pa = person(a, "Lo Thi Mai", 1), pb = person(a, "Lo Van Nam", 2);
    tdb_dose(a, pa);
    /* kept at once with what is still provisional, then completed (observe.c's order) */
    tdb_exec_at(a->path, "INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity,"
                         " action, pending, created_at, updated_at) SELECT 'rx-1', d.visit_id,"
                         " d.person_id, d.given_at + 600, 'hives breathing', 'serious', 'observed',"
                         " 'action', d.given_at + 600, d.given_at + 600 FROM dose d;"
                         "UPDATE reaction SET action = 'anaphylaxis', pending = '',"
                         " notes = 'adrenalin 0.5 mg', updated_at = updated_at + 60");
    vax_dose_elsewhere e = {pb,
                            "AZ",
                            "2021-09-01",
                            1,
                            "Bach Mai hospital, Ha Noi",
                            "AB1",
                            "URN:UVCI:01:VN:ABC123#4",
                            "signature valid"};
    int64_t de;
    if (vax_dose_record_elsewhere(a->db, &e, &de) != VAX_OK)
        fail_msg("elsewhere: %s", vax_errmsg(a->db));
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(s.unapplied, 0);
    assert_int_equal(count(b, "SELECT count(*) FROM reaction x JOIN person p ON p.id = x.person_id"
                              " WHERE x.uuid = 'rx-1' AND x.visit_id IS NULL AND x.site = 'TEAM-A'"
                              " AND x.severity = 'serious' AND x.action = 'anaphylaxis'"
                              " AND x.signs = 'hives breathing' AND x.notes = 'adrenalin 0.5 mg'"
                              " AND p.full_name = 'Lo Thi Mai'"),
                     1);
    query_text(b->path,
               "SELECT place || '|' || source || '|' || uvci || '|' || verified || '|' ||"
               " dose_number FROM dose d JOIN person p ON p.id = d.person_id"
               " WHERE p.full_name = 'Lo Van Nam'",
               fields, sizeof fields);
    assert_string_equal(fields, "Bach Mai hospital, Ha Noi|hc1|URN:UVCI:01:VN:ABC123#4|"
                                "signature valid|1");
    /* B's screening desk reads it: after dose 1, at TEAM-A */
    vax_person p;
    char id[13];
    tdb_cccd(id, 1975, 'f', 1);
    assert_int_equal(vax_person_by_national_id(b->db, id, &p), VAX_OK);
    vax_person_reaction r[4];
    int n = 0;
    assert_int_equal(vax_person_reactions(b->db, p.id, r, 4, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].serious, 1);
    assert_int_equal(r[0].dose_number, 1);
    assert_string_equal(r[0].action, "anaphylaxis");
    assert_string_equal(r[0].site, "TEAM-A");
    /* B's own figures: no serious reaction of B's, none to report on the Ministry's form */
    vax_aefi_item *items = NULL;
    assert_int_equal(vax_aefi_list(b->db, "2021-01-01", "2030-12-31", &items, &n), VAX_OK);
    assert_int_equal(n, 0);
    free(items);
    /* merged, not re-emitted as B's; kept to forward with A's identity */
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE kind = 'reaction'"
                              " AND site = 'TEAM-B'"),
                     0);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE kind = 'reaction'"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE kind = 'reaction_update'"),
                     1);
    /* again: stored once */
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(count(b, "SELECT count(*) FROM reaction"), 1);
    assert_int_equal(count(b, "SELECT count(*) FROM dose"), 2);
    /* the outcome recorded at A's release reaches B's copy in the next bundle; an older state
     * that arrives again changes nothing */
    tdb_exec_at(a->path,
                "UPDATE reaction SET outcome = 'recovered', updated_at = updated_at + 600");
    char f2[400];
    bundle_path(a, "a2.vxb", f2, sizeof f2);
    assert_int_equal(vax_bundle_export(a->db, f2, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f2, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    query_text(b->path,
               "SELECT action || '|' || outcome || '|' || pending || '|' || notes FROM reaction",
               fields, sizeof fields);
    assert_string_equal(fields, "anaphylaxis|recovered||adrenalin 0.5 mg");
    unlink(f2);
    /* a report on the Ministry's form is the recording site's */
    int64_t rx = count(b, "SELECT id FROM reaction WHERE uuid = 'rx-1'");
    vax_aefi_report ar;
    assert_int_equal(vax_aefi_report_defaults(b->db, rx, &ar), VAX_ESTATE);
    unlink(f);
    tdb_close(a);
    tdb_close(b);
}

/* What a laptop records of a dose and a child that another laptop needs: the additional dose (a
 * doctor's decision; the next dose is booster 1 after it, not booster 2), the vaccination round
 * the dose was given in (the Ministry's round report), the guardian of a minor (the desk asks for
 * one before a minor's dose, and the serious-reaction report names them). Each leaves in the
 * outbox and is taken by the other laptop; a guardian changed later travels as the change, and an
 * older guardian arriving after a newer one changes nothing. */
static void test_an_additional_dose_its_round_and_a_guardian_travel_in_a_bundle(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(b, a);
    trust(a, b);
    char f[400], f2[400], g[400], g2[400], text[300], sql[900];
    vax_sync_stats s;
    vax_visit v;
    bundle_path(a, "a.vxb", f, sizeof f);
    bundle_path(a, "a2.vxb", f2, sizeof f2);
    bundle_path(b, "b.vxb", g, sizeof g);
    assert_int_equal(vax_setting_set(a->db, "campaign.round", "Đợt 7"), VAX_OK);
    int64_t pa = person(a, "Lo Thi Mai", 1);
    assert_int_equal(vax_person_guardian_set(a->db, pa, "Lo Van Cha", "0912345678"), VAX_OK);
    assert_int_equal(vax_queue_checkin(a->db, pa, &v), VAX_OK);
    /* AZ, AZ long ago elsewhere in A's records, then the additional dose at today's visit */
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, additional,"
             " given_at, created_at, updated_at) VALUES"
             " ('d1', %1$lld, NULL, 'AZ', 1, 0, %3$lld - 200 * 86400, 0, 0),"
             " ('d2', %1$lld, NULL, 'AZ', 2, 0, %3$lld - 140 * 86400, 0, 0),"
             " ('d3', %1$lld, %2$lld, 'PF', 3, 1, %3$lld, 0, 0)",
             (long long)pa, (long long)v.id, (long long)T0);
    tdb_exec_at(a->path, sql);
    query_text(a->path,
               "SELECT group_concat(uuid || ':' || additional || ':' || round, ' ')"
               " FROM (SELECT * FROM dose ORDER BY uuid)",
               text, sizeof text);
    assert_string_equal(text, "d1:0: d2:0: d3:1:Đợt 7");
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    assert_int_equal(s.unapplied, 0);
    query_text(b->path,
               "SELECT group_concat(uuid || ':' || additional || ':' || round, ' ')"
               " FROM (SELECT * FROM dose ORDER BY uuid)",
               text, sizeof text);
    assert_string_equal(text, "d1:0: d2:0: d3:1:Đợt 7");
    /* B's injection room offers what A's does after the additional dose */
    vax_sched_next na, nb;
    int64_t pb0 = count(b, "SELECT id FROM person WHERE full_name = 'Lo Thi Mai'");
    vax_clock_advance(200 * DAY);
    assert_int_equal(vax_schedule_for_person(a->db, pa, &na), VAX_OK);
    assert_int_equal(vax_schedule_for_person(b->db, pb0, &nb), VAX_OK);
    assert_int_equal(na.number, 4);
    assert_int_equal(na.kind, VAX_KIND_BOOSTER);
    assert_int_equal(na.booster, 1);
    assert_int_equal(nb.number, 4);
    assert_int_equal(nb.kind, VAX_KIND_BOOSTER);
    assert_int_equal(nb.booster, 1);
    /* (without the mark, as B held it before schema 33, dose 3 was booster 1 and B's injection
     * room offered no further dose) */
    tdb_exec_at(b->path, "UPDATE dose SET additional = 0 WHERE uuid = 'd3'");
    assert_int_equal(vax_schedule_for_person(b->db, pb0, &nb), VAX_OK);
    assert_int_equal(nb.none, 1);
    tdb_exec_at(b->path, "UPDATE dose SET additional = 1 WHERE uuid = 'd3'");
    query_text(b->path,
               "SELECT g.name || '|' || g.phone FROM person_guardian g"
               " JOIN person p ON p.id = g.person_id WHERE p.full_name = 'Lo Thi Mai'",
               text, sizeof text);
    assert_string_equal(text, "Lo Van Cha|0912345678");
    /* merged, not re-emitted as B's own */
    assert_int_equal(count(b, "SELECT count(*) FROM sync_outbox WHERE site = 'TEAM-B'"
                              " AND kind = 'guardian'"),
                     0);
    /* B changes the guardian's phone: it travels back to A; then A's first bundle again, older,
     * changes nothing at either */
    int64_t pb = count(b, "SELECT id FROM person WHERE full_name = 'Lo Thi Mai'");
    vax_clock_advance(3600);
    assert_int_equal(vax_person_guardian_set(b->db, pb, "Lo Van Cha", "0987654321"), VAX_OK);
    assert_int_equal(vax_bundle_export(b->db, g, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(a->db, g, &s), VAX_OK);
    query_text(a->path, "SELECT name || '|' || phone FROM person_guardian", text, sizeof text);
    assert_string_equal(text, "Lo Van Cha|0987654321");
    /* A's next bundle forwards B's change, with a dose A gave since; B has the change already */
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at,"
             " created_at, updated_at) VALUES ('d4', %lld, NULL, 'PF', 4, %lld, 0, 0)",
             (long long)pa, (long long)T0 + 86400);
    tdb_exec_at(a->path, sql);
    assert_int_equal(vax_bundle_export(a->db, f2, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f2, &s), VAX_OK);
    query_text(b->path, "SELECT name || '|' || phone FROM person_guardian", text, sizeof text);
    assert_string_equal(text, "Lo Van Cha|0987654321");
    /* B changes the phone again; its next bundle holds that change alone */
    vax_clock_advance(3600);
    assert_int_equal(vax_person_guardian_set(b->db, pb, "Lo Van Cha", "0911111111"), VAX_OK);
    bundle_path(b, "b2.vxb", g2, sizeof g2);
    assert_int_equal(vax_bundle_export(b->db, g2, &s), VAX_OK);
    /* a third laptop reads the bundles in the wrong order: the guardian's latest change and the
     * fourth dose before the person they belong to; they wait for the person, then the latest
     * guardian stands and every dose is there */
    test_db *c = laptop("TEAM-C");
    trust(c, a);
    trust(c, b);
    assert_int_equal(vax_bundle_import(c->db, g2, &s), VAX_OK);
    assert_int_equal(s.unapplied, 2); /* the change and d4, which B forwards */
    assert_int_equal(vax_bundle_import(c->db, f2, &s), VAX_OK);
    assert_int_equal(count(c, "SELECT count(*) FROM sync_waiting"), 3);
    assert_int_equal(count(c, "SELECT count(*) FROM dose"), 0);
    assert_int_equal(vax_bundle_import(c->db, f, &s), VAX_OK);
    assert_int_equal(count(c, "SELECT count(*) FROM sync_waiting"), 0);
    query_text(c->path,
               "SELECT group_concat(uuid || ':' || additional || ':' || round, ' ')"
               " FROM (SELECT * FROM dose ORDER BY uuid)",
               text, sizeof text);
    assert_string_equal(text, "d1:0: d2:0: d3:1:Đợt 7 d4:0:");
    query_text(c->path, "SELECT name || '|' || phone FROM person_guardian", text, sizeof text);
    assert_string_equal(text, "Lo Van Cha|0911111111");
    /* and A, given B's last bundle, takes the latest too */
    assert_int_equal(vax_bundle_import(a->db, g2, &s), VAX_OK);
    query_text(a->path, "SELECT name || '|' || phone FROM person_guardian", text, sizeof text);
    assert_string_equal(text, "Lo Van Cha|0911111111");
    unlink(g2);
    unlink(f);
    unlink(f2);
    unlink(g);
    tdb_close(a);
    tdb_close(b);
    tdb_close(c);
}

/* A database made by an older version at path (its schema `version`), acting as "tester", with
 * the site `site` (NULL: none set) and Lo Thi Mai registered (*p); left open in *db. */
static void old_database(const char *path, int version, const char *site, vax_db **db,
                         vax_person *p)
{
    vax_clock_set(T0);
    assert_int_equal(vax_open_at_version(path, VAX_OPEN_CREATE, version, db), VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(*db, "tester"), VAX_OK);
    if (site)
        assert_int_equal(vax_site_set(*db, site, site, 0), VAX_OK);
    memset(p, 0, sizeof *p);
    tdb_cccd(p->national_id, 1975, 'f', 7);
    snprintf(p->full_name, sizeof p->full_name, "Lo Thi Mai");
    snprintf(p->birth_date, sizeof p->birth_date, "1975-01-20");
    p->sex = 'f';
    assert_int_equal(vax_person_add(*db, p), VAX_OK);
}

/* A dose given elsewhere recorded before schema 32 left without where and how it was learnt; a
 * laptop that took it holds a dose from nowhere. The upgrade to 33 sends them (a dose_marks event)
 * and that laptop fills them in. */
static void test_a_dose_elsewhere_sent_before_32_gets_its_place_at_the_upgrade(void **state)
{
    char dir[] = "/tmp/vaxsync.XXXXXX", path[300], text[300], f[400], f2[400], fp[65];
    vax_db *db = NULL;
    vax_person p;
    vax_sync_stats s;
    int64_t de;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/old.db", dir);
    snprintf(f, sizeof f, "%s/old.vxb", dir);
    snprintf(f2, sizeof f2, "%s/new.vxb", dir);
    old_database(path, 31, "TEAM-OLD", &db, &p);
    vax_dose_elsewhere e = {p.id,  "AZ", "2021-09-01", 1, "Bach Mai hospital, Ha Noi",
                            "AB1", NULL, NULL};
    if (vax_dose_record_elsewhere(db, &e, &de) != VAX_OK)
        fail_msg("elsewhere: %s", vax_errmsg(db));
    test_db *b = laptop("TEAM-B");
    assert_int_equal(vax_bundle_fingerprint(db, fp), VAX_OK);
    assert_int_equal(vax_sync_trust(b->db, fp), VAX_OK);
    assert_int_equal(vax_bundle_export(db, f, &s), VAX_OK);
    vax_close(db);
    assert_int_equal(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind = 'dose'"
                                     " AND json_type(body, '$.source') IS NULL"),
                     1);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    query_text(b->path, "SELECT source || '|' || place FROM dose", text, sizeof text);
    assert_string_equal(text, "|");
    assert_int_equal(vax_open(path, 0, &db), VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    assert_int_equal(vax_bundle_export(db, f2, &s), VAX_OK);
    vax_close(db);
    assert_int_equal(vax_bundle_import(b->db, f2, &s), VAX_OK);
    query_text(b->path, "SELECT source || '|' || place || '|' || dose_number FROM dose", text,
               sizeof text);
    assert_string_equal(text, "manual|Bach Mai hospital, Ha Noi|1");
    tdb_close(b);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* A reaction that left its site before the action was recorded (the observation desk keeps it at
 * once) is read at another site as not complete, not as "observed"; the later state completes
 * it there. */
static void test_a_provisional_reaction_from_elsewhere_says_what_it_lacks(void **state)
{
    test_db *a = laptop("TEAM-A"), *b = laptop("TEAM-B");
    trust(b, a);
    char f[400], f2[400];
    vax_sync_stats s;
    bundle_path(a, "a.vxb", f, sizeof f);
    bundle_path(a, "a2.vxb", f2, sizeof f2);
    int64_t pa = person(a, "Lo Thi Mai", 1);
    tdb_dose(a, pa);
    tdb_exec_at(a->path, "INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity,"
                         " action, pending, created_at, updated_at) SELECT 'rx-p', d.visit_id,"
                         " d.person_id, d.given_at + 600, 'hives breathing', 'serious', 'observed',"
                         " 'action', d.given_at + 600, d.given_at + 600 FROM dose d");
    assert_int_equal(vax_bundle_export(a->db, f, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    int64_t pb = count(b, "SELECT id FROM person WHERE full_name = 'Lo Thi Mai'");
    vax_person_reaction r[2];
    int n = 0;
    assert_int_equal(vax_person_reactions(b->db, pb, r, 2, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].serious, 1);
    assert_int_equal(r[0].missing, VAX_REACTION_NEEDS_ACTION);
    assert_string_equal(r[0].site, "TEAM-A");
    tdb_exec_at(a->path, "UPDATE reaction SET action = 'anaphylaxis', pending = '',"
                         " updated_at = updated_at + 60");
    assert_int_equal(vax_bundle_export(a->db, f2, &s), VAX_OK);
    assert_int_equal(vax_bundle_import(b->db, f2, &s), VAX_OK);
    assert_int_equal(vax_person_reactions(b->db, pb, r, 2, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].missing, 0);
    assert_string_equal(r[0].action, "anaphylaxis");
    unlink(f);
    unlink(f2);
    tdb_close(a);
    tdb_close(b);
}

/* A database of schema 30 with a reaction (and its Ministry report) upgrades: the reaction
 * keeps its row, id and report; new reactions still leave in the outbox. */
static void test_an_upgrade_from_30_keeps_the_reactions_and_their_reports(void **state)
{
    char dir[] = "/tmp/vaxsync.XXXXXX", path[300], wal[320], shm[320], before[400], after[400];
    vax_db *db = NULL;
    vax_person p;
    vax_visit v;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/old.db", dir);
    old_database(path, 30, NULL, &db, &p);
    assert_int_equal(vax_queue_checkin(db, p.id, &v), VAX_OK);
    vax_close(db);
    tdb_exec_at(path,
                "INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity,"
                " action, pending, outcome, created_at, updated_at) SELECT 'rx-old', id,"
                " person_id, 1634263800, 'rash', 'serious', 'treated', '', 'recovered',"
                " 1634263800, 1634263800 FROM visit;"
                "INSERT INTO aefi_report(uuid, reaction_id, onset_at, outcome, reporter_name,"
                " created_at, updated_at) SELECT 'ar-1', id, seen_at, 'recovered', 'Lo Thi Hoa',"
                " seen_at, seen_at FROM reaction");
    const char *row = "SELECT group_concat(id || '|' || uuid || '|' || visit_id || '|' ||"
                      " person_id || '|' || seen_at || '|' || signs || '|' || severity || '|' ||"
                      " action || '|' || outcome || '|' || (SELECT reaction_id FROM aefi_report),"
                      " ';') FROM reaction";
    query_text(path, row, before, sizeof before);
    assert_int_equal(vax_open(path, 0, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), VAX_SCHEMA_VERSION);
    vax_close(db);
    query_text(path, row, after, sizeof after);
    assert_string_equal(after, before);
    assert_int_equal(query_int(path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_int_equal(query_int(path, "SELECT count(*) FROM reaction WHERE site = ''"), 1);
    /* it left as first kept; it leaves once more as it is now (treated, recovered) */
    assert_int_equal(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind ="
                                     " 'reaction_update' AND record_uuid = 'rx-old' AND"
                                     " json_extract(body, '$.action') = 'treated' AND"
                                     " json_extract(body, '$.outcome') = 'recovered'"),
                     1);
    assert_int_equal(query_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                     " AND tbl_name = 'reaction' AND name = 'reaction_visit'"),
                     1);
    /* a reaction recorded after the upgrade leaves as before */
    tdb_exec_at(path, "INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity,"
                      " action, created_at, updated_at) SELECT 'rx-new', id, person_id, 1634264000,"
                      " 'fever', 'minor', 'observed', 1634264000, 1634264000 FROM visit");
    assert_int_equal(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind = 'reaction'"
                                     " AND uuid = 'rx-new' AND json_extract(body, '$.visit_uuid')"
                                     " = (SELECT uuid FROM visit)"),
                     1);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
    rmdir(dir);
}

/* A database of schema 32 whose additional dose, round and guardian left without them: the
 * upgrade sends each once (a dose_marks event for each own dose that has a mark, a guardian event
 * with its stamp), and a laptop that took the dose before takes its marks from them. */
static void test_an_upgrade_from_32_sends_the_marks_and_guardians_that_did_not_leave(void **state)
{
    char dir[] = "/tmp/vaxsync.XXXXXX", path[300], text[200], f[400], sql[700];
    vax_db *db = NULL;
    vax_person p;
    vax_visit v;
    vax_sync_stats s;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/old.db", dir);
    old_database(path, 32, "TEAM-OLD", &db, &p);
    assert_int_equal(vax_setting_set(db, "campaign.round", "Đợt 3"), VAX_OK);
    assert_int_equal(vax_person_guardian_set(db, p.id, "Lo Van Cha", "0912345678"), VAX_OK);
    assert_int_equal(vax_queue_checkin(db, p.id, &v), VAX_OK);
    vax_close(db);
    snprintf(sql, sizeof sql,
             "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, additional,"
             " given_at, created_at, updated_at) VALUES"
             " ('o1', %1$lld, NULL, 'AZ', 1, 0, %3$lld - 200 * 86400, 0, 0),"
             " ('o2', %1$lld, NULL, 'AZ', 2, 0, %3$lld - 140 * 86400, 0, 0),"
             " ('o3', %1$lld, %2$lld, 'PF', 3, 1, %3$lld, 0, 0)",
             (long long)p.id, (long long)v.id, (long long)T0);
    tdb_exec_at(path, sql);
    /* the dose left as schema 32 wrote it: no marks */
    assert_int_equal(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind = 'dose'"
                                     " AND json_type(body, '$.additional') IS NOT NULL"),
                     0);
    /* a laptop takes the old bundle first */
    test_db *b = laptop("TEAM-B");
    snprintf(f, sizeof f, "%s/old.vxb", dir);
    assert_int_equal(vax_open(path, 0, &db), VAX_OK);
    assert_int_equal(vax_db_schema_version(db), VAX_SCHEMA_VERSION);
    assert_int_equal(vax_staff_act_as_os_user(db, "tester"), VAX_OK);
    char fp[65];
    assert_int_equal(vax_bundle_fingerprint(db, fp), VAX_OK);
    assert_int_equal(vax_sync_trust(b->db, fp), VAX_OK);
    assert_int_equal(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind = 'dose_marks'"
                                     " AND record_uuid = 'o3' AND json_extract(body,"
                                     " '$.additional') = 1 AND json_extract(body, '$.round') ="
                                     " 'Đợt 3'"),
                     1);
    assert_int_equal(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind = 'dose_marks'"),
                     1);
    assert_int_equal(query_int(path, "SELECT count(*) FROM sync_outbox WHERE kind = 'guardian'"
                                     " AND json_extract(body, '$.phone') = '0912345678'"
                                     " AND json_extract(body, '$.hlc') <> ''"),
                     1);
    assert_int_equal(query_int(path, "SELECT count(*) FROM person_guardian WHERE hlc = ''"), 0);
    assert_int_equal(vax_bundle_export(db, f, &s), VAX_OK);
    vax_close(db);
    assert_int_equal(vax_bundle_import(b->db, f, &s), VAX_OK);
    query_text(b->path,
               "SELECT group_concat(uuid || ':' || additional || ':' || round, ' ')"
               " FROM (SELECT * FROM dose ORDER BY uuid)",
               text, sizeof text);
    assert_string_equal(text, "o1:0: o2:0: o3:1:Đợt 3");
    query_text(b->path, "SELECT name || '|' || phone FROM person_guardian", text, sizeof text);
    assert_string_equal(text, "Lo Van Cha|0912345678");
    tdb_close(b);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fact_leaves_with_uuid_site_device_and_sequence_never_a_rowid),
        cmocka_unit_test(test_person_edit_carries_only_changed_fields_and_its_base_version),
        cmocka_unit_test(test_upgrade_puts_the_records_already_there_in_the_outbox),
        cmocka_unit_test(test_a_visit_event_is_written_once_and_the_outbox_refers_to_it),
        cmocka_unit_test(test_an_outbox_of_version_21_upgrades_and_sends_the_same_events),
        cmocka_unit_test(test_own_events_forwarded_back_are_known_and_change_nothing),
        cmocka_unit_test(test_bundle_holds_the_events_since_the_last_bundle_only),
        cmocka_unit_test(test_bundle_import_merges_people_and_doses_and_a_repeat_changes_nothing),
        cmocka_unit_test(test_dose_2_at_another_site_after_a_bundle_gets_number_2_and_no_conflict),
        cmocka_unit_test(test_same_dose_number_from_two_teams_keeps_both_and_lists_a_conflict),
        cmocka_unit_test(test_person_registered_twice_is_merged_and_every_visit_is_kept),
        cmocka_unit_test(test_concurrent_edits_newest_wins_and_the_loser_is_kept_in_history),
        cmocka_unit_test(test_the_merge_rules_table_gives_one_record_whatever_the_order),
        cmocka_unit_test(test_an_old_cmnd_and_a_cccd_of_one_person_link_in_any_order),
        cmocka_unit_test(test_same_uuid_with_other_content_is_quarantined_not_merged),
        cmocka_unit_test(test_a_file_that_is_not_a_bundle_is_refused_and_writes_nothing),
        cmocka_unit_test(test_site_dose_counts_equal_the_daily_report),
        cmocka_unit_test(test_a_void_in_a_later_bundle_voids_the_merged_dose_once),
        cmocka_unit_test(test_a_void_renumbers_the_later_dose_at_every_laptop),
        cmocka_unit_test(test_one_id_for_two_people_keeps_both_apart_the_same_everywhere),
        cmocka_unit_test(test_an_edit_of_the_priority_group_alone_leaves_as_an_edit),
        cmocka_unit_test(test_a_bundle_cut_anywhere_in_its_last_4k_is_refused_and_writes_nothing),
        cmocka_unit_test(test_a_flipped_byte_in_an_event_is_refused_or_changes_nothing),
        cmocka_unit_test(test_an_unsigned_bundle_is_refused_and_writes_nothing),
        cmocka_unit_test(test_an_unknown_signer_is_named_by_fingerprint_and_trusted_once),
        cmocka_unit_test(test_export_since_writes_again_what_was_lost),
        cmocka_unit_test(test_an_empty_event_in_the_outbox_does_not_travel_on),
        cmocka_unit_test(test_a_password_in_the_server_address_is_never_echoed),
        cmocka_unit_test(test_a_merge_travels_in_a_bundle_and_twice_is_once),
        cmocka_unit_test(test_a_merge_of_an_unknown_person_waits_for_them),
        cmocka_unit_test(test_a_reaction_and_a_dose_elsewhere_travel_in_a_bundle),
        cmocka_unit_test(test_an_upgrade_from_30_keeps_the_reactions_and_their_reports),
        cmocka_unit_test(test_an_additional_dose_its_round_and_a_guardian_travel_in_a_bundle),
        cmocka_unit_test(test_an_upgrade_from_32_sends_the_marks_and_guardians_that_did_not_leave),
        cmocka_unit_test(test_a_provisional_reaction_from_elsewhere_says_what_it_lacks),
        cmocka_unit_test(test_a_dose_elsewhere_sent_before_32_gets_its_place_at_the_upgrade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
