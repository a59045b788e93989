/* test_queue.c: the visit state machine, tickets, call-next order and two stations at once. */
#include "internal.h"
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Serial numbers for CCCDs: every person in a test gets a new one. */
static int next_serial = 1;

static int64_t person(test_db *t, int birth_year, const char *group)
{
    char id[13], name[64], birth[11];
    int serial = next_serial++;
    tdb_cccd(id, birth_year, 'm', serial);
    /* Names have no digits: spell the serial in letters. */
    snprintf(name, sizeof name, "Nguyen Van %c%c%c", 'a' + serial / 676 % 26,
             'a' + serial / 26 % 26, 'a' + serial % 26);
    snprintf(birth, sizeof birth, "%04d-03-01", birth_year);
    return tdb_person(t, name, id, birth, group);
}

/* A walk-in born in birth_year, checked in now. */
static vax_visit checkin(test_db *t, int birth_year, const char *group)
{
    vax_visit v;
    int64_t pid = person(t, birth_year, group);
    int rc = vax_queue_checkin(t->db, pid, &v);
    if (rc != VAX_OK)
        fail_msg("checkin: %s", vax_errmsg(t->db));
    return v;
}

static int events(test_db *t, int64_t visit_id)
{
    int n = -1;
    assert_int_equal(vax_visit_event_count(t->db, visit_id, &n), VAX_OK);
    return n;
}

static vax_state state_of(test_db *t, int64_t visit_id)
{
    vax_visit v;
    assert_int_equal(vax_visit_get(t->db, visit_id, &v), VAX_OK);
    return v.state;
}

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

static int64_t query_int(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

/* ---- the state machine table --------------------------------------------------------------- */

/* Written from DESIGN.md section 3, independently of queue.c. */
static int expected_move(vax_state from, vax_state to)
{
    switch (from) {
    case VAX_STATE_BOOKED:
        return to == VAX_STATE_WAITING_SCREENING || to == VAX_STATE_NO_SHOW;
    case VAX_STATE_WAITING_SCREENING:
        return to == VAX_STATE_SCREENING || to == VAX_STATE_LEFT || to == VAX_STATE_CANCELLED;
    case VAX_STATE_SCREENING:
        return to == VAX_STATE_ELIGIBLE || to == VAX_STATE_POSTPONED ||
               to == VAX_STATE_CONTRAINDICATED || to == VAX_STATE_REFERRED ||
               to == VAX_STATE_DECLINED || to == VAX_STATE_WAITING_SCREENING;
    case VAX_STATE_ELIGIBLE:
        return to == VAX_STATE_WAITING_INJECTION || to == VAX_STATE_LEFT;
    case VAX_STATE_WAITING_INJECTION:
        return to == VAX_STATE_INJECTION || to == VAX_STATE_LEFT;
    case VAX_STATE_INJECTION:
        return to == VAX_STATE_OBSERVING || to == VAX_STATE_WAITING_INJECTION;
    case VAX_STATE_OBSERVING:
        return to == VAX_STATE_DONE || to == VAX_STATE_TRANSFERRED;
    default:
        return 0; /* end states */
    }
}

static void test_state_table_matches_design_for_every_pair(void **state)
{
    (void)state;
    int legal = 0;
    for (int f = 0; f < VAX_STATE_COUNT; f++) {
        for (int to = 0; to < VAX_STATE_COUNT; to++) {
            int want = expected_move((vax_state)f, (vax_state)to);
            int got = vax_state_can_move((vax_state)f, (vax_state)to);
            if (got != want)
                fail_msg("%s -> %s: vax_state_can_move says %d, DESIGN.md says %d",
                         vax_state_code((vax_state)f), vax_state_code((vax_state)to), got, want);
            legal += want;
        }
    }
    assert_int_equal(legal, 19);
    assert_int_equal(vax_state_can_move(VAX_STATE_COUNT, VAX_STATE_DONE), 0);
    assert_int_equal(vax_state_can_move(VAX_STATE_OBSERVING, VAX_STATE_COUNT), 0);
    assert_int_equal(vax_state_can_move((vax_state)-1, VAX_STATE_DONE), 0);
}

static void test_state_codes_parse_back(void **state)
{
    (void)state;
    for (int s = 0; s < VAX_STATE_COUNT; s++) {
        vax_state back;
        assert_int_equal(vax_state_parse(vax_state_code((vax_state)s), &back), VAX_OK);
        assert_int_equal(back, s);
        assert_true(vax_state_label((vax_state)s)[0] != 0);
    }
    vax_state dummy;
    assert_int_equal(vax_state_parse("nonsense", &dummy), VAX_EINVAL);
    assert_int_equal(vax_state_parse(NULL, &dummy), VAX_EINVAL);
}

/* A fresh visit in state s, reached through legal moves (booked by setting the row, since only
 * appointments make booked visits and they come in a later module). */
static int64_t visit_in(test_db *t, vax_state s)
{
    static const vax_state path_to_observing[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                                  VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION,
                                                  VAX_STATE_OBSERVING};
    vax_visit v = checkin(t, 1990, NULL);
    const vax_state *path = path_to_observing;
    int n = 0;
    switch (s) {
    case VAX_STATE_BOOKED: {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE visit SET state = 'booked' WHERE id = %lld",
                 (long long)v.id);
        exec_raw(t->path, sql);
        return v.id;
    }
    case VAX_STATE_WAITING_SCREENING:
        n = 0;
        break;
    case VAX_STATE_SCREENING:
        n = 1;
        break;
    case VAX_STATE_ELIGIBLE:
        n = 2;
        break;
    case VAX_STATE_WAITING_INJECTION:
        n = 3;
        break;
    case VAX_STATE_INJECTION:
        n = 4;
        break;
    case VAX_STATE_OBSERVING:
        n = 5;
        break;
    case VAX_STATE_LEFT:
    case VAX_STATE_CANCELLED:
        assert_int_equal(vax_queue_move(t->db, v.id, s, "test"), VAX_OK);
        return v.id;
    case VAX_STATE_POSTPONED:
    case VAX_STATE_CONTRAINDICATED:
    case VAX_STATE_REFERRED:
    case VAX_STATE_DECLINED:
        assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_SCREENING, NULL), VAX_OK);
        assert_int_equal(vax_queue_move(t->db, v.id, s, "test"), VAX_OK);
        return v.id;
    case VAX_STATE_DONE:
    case VAX_STATE_TRANSFERRED:
        for (int i = 0; i < 5; i++)
            assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
        assert_int_equal(vax_queue_move(t->db, v.id, s, NULL), VAX_OK);
        return v.id;
    default: /* no_show: see visit_in_state */
        fail_msg("no path to state %d", (int)s);
    }
    for (int i = 0; i < n; i++)
        if (vax_queue_move(t->db, v.id, path[i], NULL) != VAX_OK)
            fail_msg("to %s: %s", vax_state_code(path[i]), vax_errmsg(t->db));
    return v.id;
}

static int64_t visit_in_state(test_db *t, vax_state s)
{
    if (s == VAX_STATE_NO_SHOW) {
        int64_t id = visit_in(t, VAX_STATE_BOOKED);
        assert_int_equal(vax_queue_move(t->db, id, VAX_STATE_NO_SHOW, "end of day"), VAX_OK);
        return id;
    }
    int64_t id = visit_in(t, s);
    assert_int_equal(state_of(t, id), s);
    return id;
}

static void test_every_legal_move_succeeds_and_appends_one_event(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int moved = 0;
    for (int f = 0; f < VAX_STATE_COUNT; f++) {
        for (int to = 0; to < VAX_STATE_COUNT; to++) {
            if (!expected_move((vax_state)f, (vax_state)to))
                continue;
            int64_t id = visit_in_state(t, (vax_state)f);
            int before = events(t, id);
            int rc = vax_queue_move(t->db, id, (vax_state)to, "moved by test");
            if (rc != VAX_OK)
                fail_msg("%s -> %s refused: %s", vax_state_code((vax_state)f),
                         vax_state_code((vax_state)to), vax_errmsg(t->db));
            assert_int_equal(state_of(t, id), to);
            assert_int_equal(events(t, id), before + 1);
            moved++;
        }
    }
    assert_int_equal(moved, 19);
    tdb_close(t);
}

static void test_every_illegal_move_is_refused_naming_the_state_and_changes_nothing(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int refused = 0;
    for (int f = 0; f < VAX_STATE_COUNT; f++) {
        /* One visit per state: a refused move must leave it exactly as it was. */
        int64_t id = visit_in_state(t, (vax_state)f);
        vax_visit before;
        assert_int_equal(vax_visit_get(t->db, id, &before), VAX_OK);
        int nevents = events(t, id);
        char quoted[128];
        snprintf(quoted, sizeof quoted, "\"%s\"", vax_state_label((vax_state)f));
        for (int to = 0; to < VAX_STATE_COUNT; to++) {
            if (expected_move((vax_state)f, (vax_state)to))
                continue;
            int rc = vax_queue_move(t->db, id, (vax_state)to, "should not happen");
            if (rc != VAX_ESTATE)
                fail_msg("%s -> %s gave %d (%s), want VAX_ESTATE", vax_state_code((vax_state)f),
                         vax_state_code((vax_state)to), rc, vax_errmsg(t->db));
            if (!strstr(vax_errmsg(t->db), quoted))
                fail_msg("message \"%s\" does not name the current state %s", vax_errmsg(t->db),
                         quoted);
            vax_visit after;
            assert_int_equal(vax_visit_get(t->db, id, &after), VAX_OK);
            assert_int_equal(after.state, before.state);
            assert_int_equal(after.state_since, before.state_since);
            assert_string_equal(after.station, before.station);
            assert_int_equal(events(t, id), nevents);
            refused++;
        }
    }
    assert_int_equal(refused, VAX_STATE_COUNT * VAX_STATE_COUNT - 19);
    tdb_close(t);
}

static void test_move_to_unknown_state_or_visit_is_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v = checkin(t, 1990, NULL);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_COUNT, NULL), VAX_EINVAL);
    assert_int_equal(vax_queue_move(t->db, v.id + 1000, VAX_STATE_LEFT, NULL), VAX_ENOTFOUND);
    assert_int_equal(state_of(t, v.id), VAX_STATE_WAITING_SCREENING);
    assert_int_equal(events(t, v.id), 1);
    tdb_close(t);
}

/* ---- check-in and tickets ------------------------------------------------------------------ */

static void test_checkin_gives_tickets_1_2_3_and_a_new_day_restarts_at_1(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit a = checkin(t, 1990, NULL);
    vax_visit b = checkin(t, 1980, NULL);
    vax_visit c = checkin(t, 1970, NULL);
    assert_int_equal(a.ticket, 1);
    assert_int_equal(b.ticket, 2);
    assert_int_equal(c.ticket, 3);
    assert_string_equal(a.day, "2021-10-15");
    assert_int_equal(a.state, VAX_STATE_WAITING_SCREENING);
    assert_int_equal(a.arrived_at, T0);
    assert_int_equal(events(t, a.id), 1);

    vax_clock_advance(24 * 3600);
    vax_visit d = checkin(t, 1960, NULL);
    assert_int_equal(d.ticket, 1);
    assert_string_equal(d.day, "2021-10-16");
    /* Yesterday's people may come again today: their open visit was yesterday's. */
    vax_visit again;
    assert_int_equal(vax_queue_checkin(t->db, a.person_id, &again), VAX_OK);
    assert_int_equal(again.ticket, 2);

    vax_visit list[8];
    int n = 0;
    assert_int_equal(vax_queue_list(t->db, "2021-10-15", list, 8, &n), VAX_OK);
    assert_int_equal(n, 3);
    assert_int_equal(vax_queue_list(t->db, "2021-10-16", list, 8, &n), VAX_OK);
    assert_int_equal(n, 2);
    vax_visit byt;
    assert_int_equal(vax_visit_by_ticket(t->db, "2021-10-15", 2, &byt), VAX_OK);
    assert_int_equal(byt.id, b.id);
    tdb_close(t);
}

static void test_second_checkin_of_same_person_is_refused_naming_the_ticket(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    checkin(t, 1990, NULL);
    vax_visit v = checkin(t, 1985, NULL);
    assert_int_equal(v.ticket, 2);
    vax_visit again;
    assert_int_equal(vax_queue_checkin(t->db, v.person_id, &again), VAX_EEXIST);
    assert_non_null(strstr(vax_errmsg(t->db), "002"));
    vax_visit list[4];
    int n = 0;
    assert_int_equal(vax_queue_list(t->db, v.day, list, 4, &n), VAX_OK);
    assert_int_equal(n, 2);
    /* Still refused after being called: the visit is open until it ends. */
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_SCREENING, NULL), VAX_OK);
    assert_int_equal(vax_queue_checkin(t->db, v.person_id, &again), VAX_EEXIST);
    assert_int_equal(vax_queue_checkin(t->db, 99999, &again), VAX_ENOTFOUND);
    tdb_close(t);
}

static void test_undo_checkin_needs_a_reason_and_cancels_the_visit(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v = checkin(t, 1990, NULL);
    assert_int_equal(vax_queue_undo_checkin(t->db, v.id, NULL), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "reason");
    assert_int_equal(vax_queue_undo_checkin(t->db, v.id, ""), VAX_EINVAL);
    assert_int_equal(state_of(t, v.id), VAX_STATE_WAITING_SCREENING);
    assert_int_equal(events(t, v.id), 1);

    assert_int_equal(vax_queue_undo_checkin(t->db, v.id, "wrong person checked in"), VAX_OK);
    assert_int_equal(state_of(t, v.id), VAX_STATE_CANCELLED);
    assert_int_equal(events(t, v.id), 2);
    vax_visit open;
    assert_int_equal(vax_visit_open_for_person(t->db, v.person_id, &open), VAX_ENOTFOUND);
    /* The cancelled visit is kept, and the person may check in again with a new ticket. */
    vax_visit again;
    assert_int_equal(vax_queue_checkin(t->db, v.person_id, &again), VAX_OK);
    assert_int_equal(again.ticket, 2);
    assert_int_equal(vax_queue_undo_checkin(t->db, v.id, "twice"), VAX_ESTATE);
    tdb_close(t);
}

static void test_urgent_flag_is_stored_and_refused_once_the_visit_ended(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v = checkin(t, 1990, NULL);
    assert_int_equal(v.urgent, 0);
    assert_int_equal(vax_queue_set_urgent(t->db, v.id, 1, "pregnant, feels faint"), VAX_OK);
    vax_visit got;
    assert_int_equal(vax_visit_get(t->db, v.id, &got), VAX_OK);
    assert_int_equal(got.urgent, 1);
    assert_int_equal(got.state, VAX_STATE_WAITING_SCREENING);
    assert_int_equal(events(t, v.id), 2);
    assert_int_equal(vax_queue_set_urgent(t->db, v.id, 0, "better"), VAX_OK);
    assert_int_equal(vax_visit_get(t->db, v.id, &got), VAX_OK);
    assert_int_equal(got.urgent, 0);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_LEFT, NULL), VAX_OK);
    assert_int_equal(vax_queue_set_urgent(t->db, v.id, 1, "late"), VAX_ESTATE);
    assert_int_equal(vax_visit_get(t->db, v.id, &got), VAX_OK);
    assert_int_equal(got.urgent, 0);
    tdb_close(t);
}

/* ---- call-next order ----------------------------------------------------------------------- */

static int64_t call(test_db *t)
{
    vax_visit v;
    int rc = vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screen-1", &v);
    if (rc != VAX_OK)
        fail_msg("call_next: %s", vax_errmsg(t->db));
    assert_int_equal(v.state, VAX_STATE_SCREENING);
    assert_string_equal(v.station, "screen-1");
    return v.id;
}

static void test_call_next_when_nobody_waits_is_empty(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v;
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "s1", &v), VAX_EEMPTY);
    assert_true(vax_errmsg(t->db)[0] != 0);
    vax_visit w = checkin(t, 1990, NULL);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_INJECTION, "i1", &v), VAX_EEMPTY);
    assert_int_equal(call(t), w.id);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "s1", &v), VAX_EEMPTY);
    tdb_close(t);
}

static void test_call_next_prefers_urgent_over_priority_group(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit g1 = checkin(t, 1950, "G01");
    vax_visit plain = checkin(t, 1995, NULL);
    assert_int_equal(vax_queue_set_urgent(t->db, plain.id, 1, "fainted"), VAX_OK);
    assert_int_equal(call(t), plain.id);
    assert_int_equal(call(t), g1.id);
    tdb_close(t);
}

/* The late-arriving elderly person: marked urgent after others waited over an hour, called next. */
static void test_call_next_takes_urgent_in_the_order_marked_ahead_of_a_long_wait(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit waited1 = checkin(t, 1995, NULL), waited2 = checkin(t, 1990, NULL);
    vax_clock_advance(65 * 60);
    vax_visit g1 = checkin(t, 1950, "G01");
    vax_visit late = checkin(t, 1938, NULL), child = checkin(t, 2010, NULL);
    /* marked in this order, within the same second: the order still holds */
    assert_int_equal(vax_queue_set_urgent(t->db, late.id, VAX_URGENT_ELDERLY, ""), VAX_OK);
    assert_int_equal(vax_queue_set_urgent(t->db, child.id, VAX_URGENT_CHILD, ""), VAX_OK);
    /* a new reason keeps the place in the urgent line */
    assert_int_equal(vax_queue_set_urgent(t->db, late.id, VAX_URGENT_OTHER, "dizzy"), VAX_OK);
    assert_int_equal(call(t), late.id);
    assert_int_equal(call(t), child.id);
    assert_int_equal(call(t), waited1.id);
    assert_int_equal(call(t), waited2.id);
    assert_int_equal(call(t), g1.id);
    tdb_close(t);
}

static void test_urgent_is_urgent_at_the_next_station_too(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit a = checkin(t, 1950, "G01"), b = checkin(t, 1995, NULL);
    assert_int_equal(vax_queue_set_urgent(t->db, b.id, VAX_URGENT_PREGNANT, ""), VAX_OK);
    assert_int_equal(call(t), b.id);
    assert_int_equal(call(t), a.id);
    /* both eligible; a first in the injection queue, yet b stays urgent there */
    assert_int_equal(vax_queue_move(t->db, a.id, VAX_STATE_ELIGIBLE, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, a.id, VAX_STATE_WAITING_INJECTION, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, b.id, VAX_STATE_ELIGIBLE, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, b.id, VAX_STATE_WAITING_INJECTION, NULL), VAX_OK);
    vax_visit v;
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_INJECTION, "inj-1", &v), VAX_OK);
    assert_int_equal(v.id, b.id);
    tdb_close(t);
}

/* The board shows who goes first: its waiting lists carry the mark, in call-next's order, and
 * nothing of why (the reason is health data; the board is a public screen). */
static void test_board_marks_urgent_tickets_in_the_waiting_lists_without_the_reason(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit a = checkin(t, 1950, "G01"), b = checkin(t, 1995, NULL), c = checkin(t, 1980, NULL);
    static vax_board board; /* large */
    assert_int_equal(vax_queue_set_urgent(t->db, c.id, VAX_URGENT_PREGNANT, ""), VAX_OK);
    assert_int_equal(vax_board_read(t->db, &board), VAX_OK);
    assert_int_equal(board.nwaiting[VAX_STAGE_SCREENING], 3);
    assert_int_equal(board.waiting[VAX_STAGE_SCREENING][0], c.ticket);
    assert_int_equal(board.waiting_urgent[VAX_STAGE_SCREENING][0], 1);
    assert_int_equal(board.waiting[VAX_STAGE_SCREENING][1], a.ticket);
    assert_int_equal(board.waiting_urgent[VAX_STAGE_SCREENING][1], 0);
    assert_int_equal(board.waiting_urgent[VAX_STAGE_SCREENING][2], 0);
    /* urgent at the next station too: the injection list carries the mark */
    assert_int_equal(call(t), c.id);
    assert_int_equal(vax_queue_move(t->db, c.id, VAX_STATE_ELIGIBLE, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, c.id, VAX_STATE_WAITING_INJECTION, NULL), VAX_OK);
    /* the mark taken off is off the board */
    assert_int_equal(vax_queue_set_urgent(t->db, b.id, VAX_URGENT_ELDERLY, ""), VAX_OK);
    assert_int_equal(vax_queue_set_urgent(t->db, b.id, VAX_URGENT_NONE, "mistake"), VAX_OK);
    assert_int_equal(vax_board_read(t->db, &board), VAX_OK);
    assert_int_equal(board.nwaiting[VAX_STAGE_INJECTION], 1);
    assert_int_equal(board.waiting[VAX_STAGE_INJECTION][0], c.ticket);
    assert_int_equal(board.waiting_urgent[VAX_STAGE_INJECTION][0], 1);
    assert_int_equal(board.nwaiting[VAX_STAGE_SCREENING], 2);
    assert_int_equal(board.waiting_urgent[VAX_STAGE_SCREENING][0], 0);
    assert_int_equal(board.waiting_urgent[VAX_STAGE_SCREENING][1], 0);
    tdb_close(t);
}

static int64_t count_sql(test_db *t, const char *sql)
{
    return query_int(t->path, sql);
}

static void test_urgent_reason_comes_from_the_list_and_is_audited_and_reported(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit a = checkin(t, 1940, NULL), b = checkin(t, 1990, NULL), c = checkin(t, 1992, NULL);
    assert_int_equal(vax_queue_set_urgent(t->db, a.id, VAX_URGENT_OTHER, "  "), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "note");
    assert_int_equal(vax_queue_set_urgent(t->db, a.id, 7, "x"), VAX_EINVAL);
    assert_int_equal(vax_queue_set_urgent(t->db, a.id, -1, "x"), VAX_EINVAL);
    assert_int_equal(count_sql(t, "SELECT count(*) FROM visit WHERE urgent <> 0"), 0);
    assert_int_equal(vax_queue_set_urgent(t->db, a.id, VAX_URGENT_ELDERLY, ""), VAX_OK);
    assert_int_equal(vax_queue_set_urgent(t->db, b.id, VAX_URGENT_OTHER, "fainted"), VAX_OK);
    assert_int_equal(vax_queue_set_urgent(t->db, c.id, VAX_URGENT_ELDERLY, ""), VAX_OK);
    assert_int_equal(vax_queue_set_urgent(t->db, c.id, VAX_URGENT_NONE, "mistake"), VAX_OK);
    vax_visit got;
    assert_int_equal(vax_visit_get(t->db, b.id, &got), VAX_OK);
    assert_int_equal(got.urgent, 1);
    assert_int_equal(got.urgent_reason, VAX_URGENT_OTHER);
    assert_string_equal(got.urgent_note, "fainted");
    assert_string_equal(vax_urgent_code(got.urgent_reason), "other");
    assert_int_equal(vax_visit_get(t->db, c.id, &got), VAX_OK);
    assert_int_equal(got.urgent, 0);
    assert_int_equal(got.urgent_reason, VAX_URGENT_NONE);
    assert_true(got.urgent_at == 0);
    assert_int_equal(count_sql(t, "SELECT count(*) FROM audit WHERE action = 'visit.urgent'"), 4);
    assert_int_equal(count_sql(t, "SELECT count(*) FROM audit WHERE action = 'visit.urgent'"
                                  " AND details = 'urgent other: fainted'"),
                     1);
    vax_report *r = NULL;
    assert_int_equal(vax_report_make(t->db, "2021-10-15", NULL, &r), VAX_OK);
    assert_int_equal(r->urgent[VAX_URGENT_ELDERLY], 1);
    assert_int_equal(r->urgent[VAX_URGENT_OTHER], 1);
    assert_int_equal(r->urgent[VAX_URGENT_PREGNANT], 0);
    vax_report_free(r);
    tdb_close(t);
}

static void test_call_next_orders_by_priority_group_rank(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit none = checkin(t, 1990, NULL);
    vax_visit g5 = checkin(t, 1990, "G05");
    vax_visit g1 = checkin(t, 1990, "G01");
    assert_int_equal(none.group_rank, 99);
    assert_int_equal(g5.group_rank, 5);
    assert_int_equal(g1.group_rank, 1);
    assert_int_equal(call(t), g1.id);
    assert_int_equal(call(t), g5.id);
    assert_int_equal(call(t), none.id);
    tdb_close(t);
}

static void test_call_next_prefers_group_over_age(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit old = checkin(t, 1940, NULL);
    vax_visit g5 = checkin(t, 1995, "G05");
    assert_int_equal(call(t), g5.id);
    assert_int_equal(call(t), old.id);
    tdb_close(t);
}

static void test_call_next_prefers_65_plus_then_50_to_64_then_18_to_49(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit young = checkin(t, 1991, NULL); /* 30 */
    vax_visit mid = checkin(t, 1965, NULL);   /* 56 */
    vax_visit old = checkin(t, 1950, NULL);   /* 71 */
    assert_int_equal(young.age_band, 2);
    assert_int_equal(mid.age_band, 1);
    assert_int_equal(old.age_band, 0);
    assert_int_equal(call(t), old.id);
    assert_int_equal(call(t), mid.id);
    assert_int_equal(call(t), young.id);
    tdb_close(t);
}

static void test_call_next_takes_equal_keys_in_arrival_order(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit a = checkin(t, 1990, NULL);
    vax_clock_advance(60);
    vax_visit b = checkin(t, 1990, NULL);
    vax_clock_advance(60);
    vax_visit c = checkin(t, 1990, NULL);
    assert_int_equal(call(t), a.id);
    assert_int_equal(call(t), b.id);
    assert_int_equal(call(t), c.id);
    tdb_close(t);
}

static void test_call_next_lifts_someone_waiting_longer_than_max_wait(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit waited = checkin(t, 1995, NULL);
    vax_clock_advance(59 * 60);
    vax_visit best = checkin(t, 1940, "G01");
    /* 59 minutes: not yet starving, the better key wins. */
    assert_int_equal(call(t), best.id);
    vax_visit best2 = checkin(t, 1940, "G01");
    assert_int_equal(vax_queue_set_urgent(t->db, best2.id, 1, "urgent"), VAX_OK);
    vax_visit plain = checkin(t, 1940, "G01");
    vax_clock_advance(2 * 60); /* 61 minutes */
    /* urgent goes first even past a long wait; the long wait then comes before better keys */
    assert_int_equal(call(t), best2.id);
    assert_int_equal(call(t), waited.id);
    assert_int_equal(call(t), plain.id);
    tdb_close(t);
}

static void test_call_next_max_wait_comes_from_the_setting(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    assert_int_equal(vax_setting_set(t->db, "queue.max_wait_min", "10"), VAX_OK);
    vax_visit waited = checkin(t, 1995, NULL);
    vax_clock_advance(11 * 60);
    vax_visit best = checkin(t, 1940, "G01");
    assert_int_equal(call(t), waited.id);
    assert_int_equal(call(t), best.id);
    tdb_close(t);
}

static void test_queue_order_setting_reorders_the_keys(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit old = checkin(t, 1940, NULL);
    vax_visit g1 = checkin(t, 1995, "G01");
    vax_visit old2 = checkin(t, 1940, NULL);
    vax_visit g1b = checkin(t, 1995, "G01");
    /* Default: group before age. */
    assert_int_equal(call(t), g1.id);
    /* Policy: age before group. */
    assert_int_equal(vax_setting_set(t->db, "queue.order", "age, group, arrival"), VAX_OK);
    assert_int_equal(call(t), old.id);
    /* Policy: arrival only. */
    assert_int_equal(vax_setting_set(t->db, "queue.order", "arrival"), VAX_OK);
    assert_int_equal(call(t), old2.id);
    assert_int_equal(call(t), g1b.id);
    tdb_close(t);
}

static void test_queue_order_with_an_unknown_key_is_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v = checkin(t, 1990, NULL);
    assert_int_equal(vax_setting_set(t->db, "queue.order", "urgent,shoe_size"), VAX_OK);
    vax_visit got;
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "s1", &got), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "shoe_size"));
    assert_string_equal(vax_errfield(t->db), "queue.order");
    assert_int_equal(state_of(t, v.id), VAX_STATE_WAITING_SCREENING);
    assert_int_equal(events(t, v.id), 1);
    /* SQL in the setting is never pasted into the query. */
    assert_int_equal(vax_setting_set(t->db, "queue.order", "v.id; DROP TABLE visit"), VAX_OK);
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "s1", &got), VAX_EINVAL);
    assert_int_equal(state_of(t, v.id), VAX_STATE_WAITING_SCREENING);
    tdb_close(t);
}

/* call-next against the policy as DESIGN.md states it, worked out here key by key over every
 * waiting visit (queue.c ranks in two index-ordered passes; the answer must not differ). */
static const char *const policies[] = {
    "urgent,boost,group,age,slot,arrival", /* the default */
    "boost,urgent,group,age,slot,arrival",
    "urgent,group,age,slot,arrival",
    "age, group, arrival",
    "slot,boost,urgent",
    "group,boost,age,arrival",
    "boost",
    "arrival",
};

static int64_t policy_key(const char *name, const vax_visit *v, int64_t now, int64_t cutoff)
{
    if (strcmp(name, "boost") == 0)
        return v->state_since <= cutoff ? v->state_since : INT64_MAX;
    if (strcmp(name, "urgent") == 0) /* urgent first, in the order marked */
        return v->urgent ? v->urgent_at : INT64_MAX;
    if (strcmp(name, "group") == 0)
        return v->group_rank;
    if (strcmp(name, "age") == 0)
        return v->age_band;
    if (strcmp(name, "slot") == 0)
        return v->slot_start == 0 ? 1 : v->slot_start <= now ? 0 : 2;
    return v->state_since; /* arrival */
}

/* -1 if a goes before b by the policy (then by id). */
static int policy_cmp(const char *policy, const vax_visit *a, const vax_visit *b, int64_t now,
                      int64_t cutoff)
{
    char copy[128], *save = NULL;
    snprintf(copy, sizeof copy, "%s", policy);
    for (char *k = strtok_r(copy, ", ", &save); k; k = strtok_r(NULL, ", ", &save)) {
        int64_t x = policy_key(k, a, now, cutoff), y = policy_key(k, b, now, cutoff);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return a->id < b->id ? -1 : 1;
}

static void test_call_next_takes_the_best_by_the_policy_key_by_key_for_every_policy(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
        test_db *t = tdb_open();
        static const char *const groups[] = {NULL, "G05", NULL, "G01", NULL};
        unsigned seed = 7;
        if (p > 0)
            assert_int_equal(vax_setting_set(t->db, "queue.order", policies[p]), VAX_OK);
        /* 40 arrivals over two hours; ages in all three bands, groups, a few urgent, some with
         * a slot already begun, some early for a later one; equal keys on purpose */
        for (int i = 0; i < 40; i++) {
            seed = seed * 1103515245u + 12345u;
            vax_visit v = checkin(t, 1945 + (int)(seed >> 16) % 60, groups[(seed >> 8) % 5]);
            if ((seed >> 4) % 7 == 0) /* reasons in turn; marked in arrival order */
                assert_int_equal(vax_queue_set_urgent(t->db, v.id, 1 + i % 6, "test"), VAX_OK);
            if ((seed >> 12) % 3 != 2) {
                char sql[128];
                snprintf(sql, sizeof sql, "UPDATE visit SET slot_start = %lld WHERE id = %lld",
                         (long long)(T0 + ((seed >> 12) % 3 ? 3 : 1) * 3600), (long long)v.id);
                exec_raw(t->path, sql);
            }
            vax_clock_advance((seed >> 20) % 4 * 60);
        }
        /* now: an hour and a half after the first; the first ones waited past max_wait */
        vax_clock_set(T0 + 90 * 60);
        int64_t now = T0 + 90 * 60, cutoff = now - 60 * 60;
        for (int called = 0; called < 40; called++) {
            static vax_visit all[64];
            int n = 0;
            const vax_visit *best = NULL;
            assert_int_equal(vax_queue_list(t->db, "2021-10-15", all, 64, &n), VAX_OK);
            for (int i = 0; i < n; i++)
                if (all[i].state == VAX_STATE_WAITING_SCREENING &&
                    (!best || policy_cmp(policies[p], &all[i], best, now, cutoff) < 0))
                    best = &all[i];
            assert_non_null(best);
            int64_t got = call(t);
            if (got != best->id)
                fail_msg("policy \"%s\", call %d: got visit %lld, the policy says %lld",
                         policies[p], called + 1, (long long)got, (long long)best->id);
        }
        vax_visit v;
        assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "s1", &v), VAX_EEMPTY);
        tdb_close(t);
    }
}

/* Visits and their events get version 7 UUIDs, each sorting after the one before. */
static void test_visits_and_events_get_uuids_that_sort_in_the_order_they_were_made(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit a = checkin(t, 1990, NULL);
    vax_visit b = checkin(t, 1991, NULL);
    assert_int_equal(call(t), a.id);
    assert_int_equal(strlen(a.uuid), 36);
    assert_int_equal(a.uuid[14], '7');
    assert_non_null(strchr("89ab", a.uuid[19]));
    assert_true(strcmp(a.uuid, b.uuid) < 0);
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char last[37] = "";
    int n = 0;
    assert_int_equal(sqlite3_open_v2(t->path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(s, "SELECT uuid FROM visit_event ORDER BY id", -1, &st, NULL),
        SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(st, 0);
        assert_int_equal(u[14], '7');
        assert_true(strcmp(last, u) < 0);
        snprintf(last, sizeof last, "%s", u);
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(s);
    assert_int_equal(n, 3);
    tdb_close(t);
}

static void test_call_next_to_injection_takes_the_waiting_injection_queue(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit a = checkin(t, 1990, NULL);
    vax_visit b = checkin(t, 1990, NULL);
    assert_int_equal(vax_queue_move(t->db, b.id, VAX_STATE_SCREENING, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, b.id, VAX_STATE_ELIGIBLE, NULL), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, b.id, VAX_STATE_WAITING_INJECTION, NULL), VAX_OK);
    vax_visit got;
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_INJECTION, "room-2", &got), VAX_OK);
    assert_int_equal(got.id, b.id);
    assert_int_equal(got.state, VAX_STATE_INJECTION);
    assert_string_equal(got.station, "room-2");
    assert_int_equal(state_of(t, a.id), VAX_STATE_WAITING_SCREENING);
    tdb_close(t);
}

static void test_volunteer_may_check_in_but_not_call_to_screening(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t mgr, vol;
    assert_int_equal(vax_staff_add(t->db, "lan", "Tran Thi Lan", VAX_ROLE_MANAGER, "1111", &mgr),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "minh", "Le Minh", VAX_ROLE_VOLUNTEER, "2222", &vol),
                     VAX_OK);
    int64_t pid = person(t, 1990, NULL);
    vax_staff who;
    assert_int_equal(vax_staff_sign_in(t->db, "minh", "2222", &who), VAX_OK);
    assert_int_equal(vax_actor(t->db)->role, VAX_ROLE_VOLUNTEER);
    vax_visit v;
    assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
    vax_visit got;
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "s1", &got), VAX_EPERM);
    assert_true(vax_errmsg(t->db)[0] != 0);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_SCREENING, NULL), VAX_EPERM);
    assert_int_equal(state_of(t, v.id), VAX_STATE_WAITING_SCREENING);
    assert_int_equal(events(t, v.id), 1);
    tdb_close(t);
}

/* ---- two stations at once ------------------------------------------------------------------ */

#define PER_CHILD 100

/* The parent's test_db, copied into each child and left alone there (the child makes its own
 * connection and ends with _exit): kept in a static so that valgrind in a child sees it as still
 * reachable rather than lost, and does not turn the child's exit status into an error. */
static test_db *volatile forked_parent;

/* Runs in a forked child: its own connection, its own share of people. Returns failures. */
static int station_child(const char *path, const int64_t *people, int n, const char *station)
{
    vax_db *db = NULL;
    int failures = 0;
    vax_clock_set(T0);
    if (vax_open(path, 0, &db) != VAX_OK || vax_staff_act_as_os_user(db, "tester") != VAX_OK) {
        vax_close(db);
        return 100;
    }
    for (int i = 0; i < n; i++) {
        vax_visit v;
        if (vax_queue_checkin(db, people[i], &v) != VAX_OK) {
            fprintf(stderr, "%s: check-in: %s\n", station, vax_errmsg(db));
            failures++;
        }
        if (vax_queue_call_next(db, VAX_STAGE_SCREENING, station, &v) != VAX_OK) {
            fprintf(stderr, "%s: call next: %s\n", station, vax_errmsg(db));
            failures++;
        }
    }
    vax_close(db);
    return failures;
}

static void test_two_processes_never_share_a_ticket_or_call_anyone_twice(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t people[2 * PER_CHILD];
    pid_t kids[2];
    for (int i = 0; i < 2 * PER_CHILD; i++)
        people[i] = person(t, 1960 + i % 40, i % 7 == 0 ? "G05" : NULL);
    /* No SQLite connection may cross a fork: the parent closes its own and reopens after. */
    vax_close(t->db);
    t->db = NULL;
    forked_parent = t;
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            int failures = station_child(t->path, people + k * PER_CHILD, PER_CHILD,
                                         k == 0 ? "screen-1" : "screen-2");
            _exit(failures > 100 ? 100 : failures);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) != 0)
            fail_msg("station %d had %d failed calls", k + 1, WEXITSTATUS(status));
    }

    assert_int_equal(vax_open(t->path, 0, &t->db), VAX_OK);

    /* A fresh connection sees what both stations did. */
    const char *p = t->path;
    assert_int_equal(query_int(p, "SELECT count(*) FROM visit"), 2 * PER_CHILD);
    assert_int_equal(query_int(p, "SELECT count(DISTINCT ticket) FROM visit"), 2 * PER_CHILD);
    assert_int_equal(query_int(p, "SELECT max(ticket) FROM visit"), 2 * PER_CHILD);
    assert_int_equal(query_int(p, "SELECT count(DISTINCT person_id) FROM visit"), 2 * PER_CHILD);
    assert_int_equal(query_int(p, "SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM"
                                  " visit_event WHERE to_state = 'screening' GROUP BY visit_id)"),
                     1);
    assert_int_equal(query_int(p, "SELECT count(*) FROM visit_event WHERE to_state = 'screening'"),
                     2 * PER_CHILD);
    assert_int_equal(query_int(p, "SELECT count(*) FROM visit WHERE state = 'screening'"),
                     2 * PER_CHILD);
    assert_true(query_int(p, "SELECT count(*) FROM visit WHERE station = 'screen-1'") > 0);
    assert_true(query_int(p, "SELECT count(*) FROM visit WHERE station = 'screen-2'") > 0);

    /* The same through the API on the parent's own handle. */
    static vax_visit list[2 * PER_CHILD + 1];
    int n = 0;
    assert_int_equal(vax_queue_list(t->db, "2021-10-15", list, 2 * PER_CHILD + 1, &n), VAX_OK);
    assert_int_equal(n, 2 * PER_CHILD);
    for (int i = 0; i < n; i++) {
        assert_int_equal(list[i].ticket, i + 1);
        assert_int_equal(list[i].state, VAX_STATE_SCREENING);
        assert_int_equal(events(t, list[i].id), 2);
    }
    forked_parent = NULL;
    tdb_close(t);
}

/* ---- visits left at a station, and a second ticket the same day ------------------------------ */

static vax_visit called_to_screening(test_db *t)
{
    vax_visit v = checkin(t, 1980, NULL), got;
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-1", &got), VAX_OK);
    assert_int_equal(got.id, v.id);
    return got;
}

static void test_a_call_unchanged_past_the_limit_is_stranded_and_leaves_the_board(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v = called_to_screening(t), list[8];
    vax_board b;
    int n = -1;
    assert_int_equal(vax_queue_stranded(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(vax_board_read(t->db, &b), VAX_OK);
    assert_int_equal(b.ncalled, 1);
    vax_clock_advance((VAX_STRANDED_MIN_DEFAULT - 1) * 60);
    assert_int_equal(vax_queue_stranded(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(n, 0);
    vax_clock_advance(2 * 60);
    assert_int_equal(vax_queue_stranded(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, v.id);
    assert_string_equal(list[0].station, "screening-1");
    assert_int_equal(vax_board_read(t->db, &b), VAX_OK);
    assert_int_equal(b.ncalled, 0);
    /* the limit is a setting */
    assert_int_equal(vax_setting_set(t->db, "queue.stranded_min", "60"), VAX_OK);
    assert_int_equal(vax_queue_stranded(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(n, 0);
    tdb_close(t);
}

static void test_return_to_waiting_is_one_move_with_its_event_and_audit(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v = called_to_screening(t), got, list[8];
    int before = events(t, v.id), n = -1;
    assert_int_equal(vax_queue_return_waiting(t->db, v.id, ""), VAX_EINVAL);
    assert_int_equal(events(t, v.id), before);
    vax_clock_advance(20 * 60);
    assert_int_equal(vax_queue_return_waiting(t->db, v.id, "desk closed"), VAX_OK);
    assert_int_equal(vax_visit_get(t->db, v.id, &got), VAX_OK);
    assert_int_equal(got.state, VAX_STATE_WAITING_SCREENING);
    assert_string_equal(got.station, "");
    assert_int_equal(events(t, v.id), before + 1);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM visit_event WHERE visit_id = %lld AND station = 'screening-1'"
             " AND details = 'desk closed' AND to_state = 'waiting_screening'",
             (long long)v.id);
    assert_int_equal(query_int(t->path, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'visit.return' AND entity_id = %lld",
             (long long)v.id);
    assert_int_equal(query_int(t->path, sql), 1);
    assert_int_equal(vax_queue_stranded(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(n, 0);
    /* a waiting visit is not at a station: nothing to return */
    assert_int_equal(vax_queue_return_waiting(t->db, v.id, "again"), VAX_ESTATE);
    assert_int_equal(events(t, v.id), before + 1);
    /* and it is called again like anyone else */
    assert_int_equal(vax_queue_call_next(t->db, VAX_STAGE_SCREENING, "screening-2", &got), VAX_OK);
    assert_int_equal(got.id, v.id);
    tdb_close(t);
}

/* A person with a dose today, their visit done. */
static int64_t vaccinated_today(test_db *t, int64_t *visit_id)
{
    int64_t pid = person(t, 1970, NULL), lot_id, vial_id;
    vax_visit v;
    assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION};
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
    vax_lot_in in = {"AZ", "Q1", "2022-12-31", 5, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, &lot_id), VAX_OK);
    assert_int_equal(vax_stock_open_vial(t->db, lot_id, "injection", &vial_id), VAX_OK);
    vax_dose_in d = {v.id, vial_id, VAX_ARM_LEFT, 0, NULL, NULL, 0};
    if (vax_dose_give(t->db, &d, NULL) != VAX_OK)
        fail_msg("dose: %s", vax_errmsg(t->db));
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_DONE, NULL), VAX_OK);
    *visit_id = v.id;
    return pid;
}

static void test_second_ticket_for_someone_vaccinated_today_needs_a_managers_reason(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t first, staff_id;
    int64_t pid = vaccinated_today(t, &first);
    vax_visit v, again;
    vax_staff who;
    assert_int_equal(vax_visit_vaccinated_today(t->db, pid, &v), VAX_OK);
    assert_int_equal(v.id, first);
    assert_int_equal(vax_visit_today_for_person(t->db, pid, &v), VAX_OK);
    assert_int_equal(v.state, VAX_STATE_DONE);
    assert_int_equal(vax_visit_vaccinated_today(t->db, person(t, 1990, NULL), &v), VAX_ENOTFOUND);
    int visits = (int)query_int(t->path, "SELECT count(*) FROM visit");
    assert_int_equal(vax_queue_checkin(t->db, pid, &again), VAX_EEXIST);
    assert_string_equal(vax_errfield(t->db), "override");
    assert_int_equal(
        vax_staff_add(t->db, "lan", "Tran Thi Lan", VAX_ROLE_MANAGER, "1111", &staff_id), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Le Thi Hoa", VAX_ROLE_NURSE, "2222", &staff_id),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2222", &who), VAX_OK);
    assert_int_equal(vax_queue_checkin_again(t->db, pid, "lost card", &again), VAX_EPERM);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM visit"), visits);
    assert_int_equal(vax_staff_sign_in(t->db, "lan", "1111", &who), VAX_OK);
    assert_int_equal(vax_queue_checkin_again(t->db, pid, "", &again), VAX_EINVAL);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM visit"), visits);
    assert_int_equal(vax_queue_checkin_again(t->db, pid, "dose voided, given again", &again),
                     VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM visit"), visits + 1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit a JOIN staff s ON"
                                        " s.id = a.staff_id WHERE a.action = 'visit.second-ticket'"
                                        " AND a.details = 'dose voided, given again'"
                                        " AND s.login = 'lan'"),
                     1);
    tdb_close(t);
}

/* A nurse at the check-in desk gets a second ticket for someone vaccinated today only with a
 * manager's login and PIN typed at her desk: a wrong PIN or a nurse's login confirm nothing, the
 * nurse stays the actor, and the audit names the manager who confirmed. */
static void test_a_managers_pin_confirms_a_second_ticket_at_a_nurses_desk(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    int64_t first, staff_id;
    int64_t pid = vaccinated_today(t, &first);
    vax_visit again;
    vax_staff who;
    (void)first;
    assert_int_equal(
        vax_staff_add(t->db, "lan", "Tran Thi Lan", VAX_ROLE_MANAGER, "1111", &staff_id), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "hoa", "Le Thi Hoa", VAX_ROLE_NURSE, "2222", &staff_id),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "mai", "Lo Thi Mai", VAX_ROLE_NURSE, "3333", &staff_id),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "hoa", "2222", &who), VAX_OK);
    int visits = (int)query_int(t->path, "SELECT count(*) FROM visit");
    assert_int_equal(vax_queue_checkin_confirmed(t->db, pid, "lost card", "lan", "9999", &again),
                     VAX_EAUTH);
    assert_int_equal(vax_queue_checkin_confirmed(t->db, pid, "lost card", "mai", "3333", &again),
                     VAX_EPERM);
    assert_int_equal(vax_queue_checkin_confirmed(t->db, pid, "", "lan", "1111", &again),
                     VAX_EINVAL);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM visit"), visits);
    assert_int_equal(vax_queue_checkin_confirmed(t->db, pid, "lost card", "lan", "1111", &again),
                     VAX_OK);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM visit"), visits + 1);
    assert_string_equal(vax_actor(t->db)->login, "hoa");
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit a JOIN staff s ON"
                                        " s.id = a.staff_id WHERE a.action = 'visit.second-ticket'"
                                        " AND a.details = 'lost card (confirmed by lan)'"
                                        " AND s.login = 'hoa'"),
                     1);
    tdb_close(t);
}

/* The limit is "waited max_wait minutes or more": the second it is reached, the wait lifts. */
static void test_call_next_lifts_someone_who_waited_exactly_max_wait(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit waited = checkin(t, 1995, NULL);
    vax_clock_advance(30 * 60);
    vax_visit best = checkin(t, 1940, "G01");
    vax_clock_advance(30 * 60); /* the first has waited the default 60 minutes to the second */
    assert_int_equal(call(t), waited.id);
    assert_int_equal(call(t), best.id);
    tdb_close(t);
}

/* The board shows a call until it is taken as left at the station, and the overview lists it from
 * then on: at the limit's second a call is in exactly one of the two. */
static void test_a_call_is_on_the_board_or_stranded_never_both_at_the_limit(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v = called_to_screening(t), list[8];
    vax_board b;
    int n = -1;
    vax_clock_advance(VAX_STRANDED_MIN_DEFAULT * 60);
    assert_int_equal(vax_board_read(t->db, &b), VAX_OK);
    assert_int_equal(vax_queue_stranded(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(b.ncalled + n, 1);
    vax_clock_advance(1);
    assert_int_equal(vax_board_read(t->db, &b), VAX_OK);
    assert_int_equal(vax_queue_stranded(t->db, list, 8, &n), VAX_OK);
    assert_int_equal(b.ncalled, 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, v.id);
    tdb_close(t);
}

/* Releasing from observation is the observation station's right, not check-in's. */
static void test_volunteer_may_not_move_a_visit_out_of_observation(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION,
                                     VAX_STATE_OBSERVING};
    vax_visit v = checkin(t, 1990, NULL);
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
        assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "lan", "Tran Thi Lan", VAX_ROLE_MANAGER, "1111", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "minh", "Le Minh", VAX_ROLE_VOLUNTEER, "2222", NULL),
                     VAX_OK);
    vax_staff who;
    assert_int_equal(vax_staff_sign_in(t->db, "minh", "2222", &who), VAX_OK);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_DONE, NULL), VAX_EPERM);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_TRANSFERRED, NULL), VAX_EPERM);
    assert_int_equal(state_of(t, v.id), VAX_STATE_OBSERVING);
    assert_int_equal(events(t, v.id), 6);
    tdb_close(t);
}

/* A move made from a visit read before another station moved it changes nothing. */
static void test_a_move_from_a_stale_read_is_refused(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit stale = checkin(t, 1990, NULL);
    assert_int_equal(vax_queue_move(t->db, stale.id, VAX_STATE_LEFT, NULL), VAX_OK);
    assert_int_equal(vax_tx_begin(t->db), VAX_OK);
    assert_int_equal(vax_queue_move_locked(t->db, &stale, VAX_STATE_SCREENING, "s1", NULL),
                     VAX_ESTATE);
    vax_tx_rollback(t->db);
    assert_int_equal(state_of(t, stale.id), VAX_STATE_LEFT);
    assert_int_equal(events(t, stale.id), 2);
    tdb_close(t);
}

/* Every event names who made it: the check-in and each move. */
static void test_each_event_records_the_staff_member(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char sql[128];
    vax_visit v = checkin(t, 1990, NULL);
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_SCREENING, NULL), VAX_OK);
    assert_non_null(vax_actor(t->db));
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM visit_event WHERE visit_id = %lld AND staff_id = %lld",
             (long long)v.id, (long long)vax_actor(t->db)->id);
    assert_int_equal(query_int(t->path, sql), 2);
    tdb_close(t);
}

/* Returning a call to its waiting list is a move of that station: a volunteer may not. */
static void test_a_volunteer_may_not_return_a_call_to_waiting(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_visit v = called_to_screening(t);
    vax_staff who;
    assert_int_equal(vax_staff_add(t->db, "lan", "Tran Thi Lan", VAX_ROLE_MANAGER, "1111", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "minh", "Le Minh", VAX_ROLE_VOLUNTEER, "2222", NULL),
                     VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "minh", "2222", &who), VAX_OK);
    assert_int_equal(vax_queue_return_waiting(t->db, v.id, "desk closed"), VAX_EPERM);
    assert_int_equal(state_of(t, v.id), VAX_STATE_SCREENING);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_table_matches_design_for_every_pair),
        cmocka_unit_test(test_state_codes_parse_back),
        cmocka_unit_test(test_every_legal_move_succeeds_and_appends_one_event),
        cmocka_unit_test(test_every_illegal_move_is_refused_naming_the_state_and_changes_nothing),
        cmocka_unit_test(test_move_to_unknown_state_or_visit_is_refused),
        cmocka_unit_test(test_checkin_gives_tickets_1_2_3_and_a_new_day_restarts_at_1),
        cmocka_unit_test(test_second_checkin_of_same_person_is_refused_naming_the_ticket),
        cmocka_unit_test(test_undo_checkin_needs_a_reason_and_cancels_the_visit),
        cmocka_unit_test(test_urgent_flag_is_stored_and_refused_once_the_visit_ended),
        cmocka_unit_test(test_call_next_when_nobody_waits_is_empty),
        cmocka_unit_test(test_call_next_prefers_urgent_over_priority_group),
        cmocka_unit_test(test_call_next_takes_urgent_in_the_order_marked_ahead_of_a_long_wait),
        cmocka_unit_test(test_urgent_is_urgent_at_the_next_station_too),
        cmocka_unit_test(test_urgent_reason_comes_from_the_list_and_is_audited_and_reported),
        cmocka_unit_test(test_board_marks_urgent_tickets_in_the_waiting_lists_without_the_reason),
        cmocka_unit_test(test_call_next_orders_by_priority_group_rank),
        cmocka_unit_test(test_call_next_prefers_group_over_age),
        cmocka_unit_test(test_call_next_prefers_65_plus_then_50_to_64_then_18_to_49),
        cmocka_unit_test(test_call_next_takes_equal_keys_in_arrival_order),
        cmocka_unit_test(test_call_next_lifts_someone_waiting_longer_than_max_wait),
        cmocka_unit_test(test_call_next_max_wait_comes_from_the_setting),
        cmocka_unit_test(test_queue_order_setting_reorders_the_keys),
        cmocka_unit_test(test_queue_order_with_an_unknown_key_is_refused),
        cmocka_unit_test(test_call_next_takes_the_best_by_the_policy_key_by_key_for_every_policy),
        cmocka_unit_test(test_visits_and_events_get_uuids_that_sort_in_the_order_they_were_made),
        cmocka_unit_test(test_call_next_to_injection_takes_the_waiting_injection_queue),
        cmocka_unit_test(test_volunteer_may_check_in_but_not_call_to_screening),
        cmocka_unit_test(test_two_processes_never_share_a_ticket_or_call_anyone_twice),
        cmocka_unit_test(test_a_call_unchanged_past_the_limit_is_stranded_and_leaves_the_board),
        cmocka_unit_test(test_return_to_waiting_is_one_move_with_its_event_and_audit),
        cmocka_unit_test(test_second_ticket_for_someone_vaccinated_today_needs_a_managers_reason),
        cmocka_unit_test(test_a_managers_pin_confirms_a_second_ticket_at_a_nurses_desk),
        cmocka_unit_test(test_call_next_lifts_someone_who_waited_exactly_max_wait),
        cmocka_unit_test(test_a_call_is_on_the_board_or_stranded_never_both_at_the_limit),
        cmocka_unit_test(test_volunteer_may_not_move_a_visit_out_of_observation),
        cmocka_unit_test(test_a_move_from_a_stale_read_is_refused),
        cmocka_unit_test(test_each_event_records_the_staff_member),
        cmocka_unit_test(test_a_volunteer_may_not_return_a_call_to_waiting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
