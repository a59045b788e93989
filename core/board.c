/* board.c: what the queue display shows, read as one snapshot. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "Nguyễn Văn Hùng" -> "N.V.H." (first letter of each word, as written). */
static void initials_of(const char *name, char *out, size_t size)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)name;
    out[0] = 0;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        if (o + len + 2 >= size)
            break;
        memcpy(out + o, p, len);
        o += len;
        out[o++] = '.';
        out[o] = 0;
        while (*p && *p != ' ')
            p++;
    }
}

static int person_initials(vax_db *db, int64_t visit_id, char *out, size_t size)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT p.full_name FROM visit v JOIN person p"
                                    " ON p.id = v.person_id WHERE v.id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        initials_of(vax_col_text(st, 0), out, size);
    sqlite3_reset(st);
    return VAX_OK;
}

/* [start, end) of the local day of t, in epoch seconds. */
static void local_day_bounds(int64_t t, int64_t *start, int64_t *end)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    *start = (int64_t)mktime(&tm);
    tm.tm_mday++;
    tm.tm_isdst = -1;
    *end = (int64_t)mktime(&tm);
}

/* A call stays on the board while the visit is at the station and the call is recent: a visit
 * moved on or returned leaves the query, and one left at a desk that ended is dropped after
 * queue.stranded_min (the queue overview lists it) instead of being shown the rest of the day. */
static int read_called(vax_db *db, vax_board *b)
{
    int64_t since;
    vax_queue_stranded_after(db, &since);
    /* one literal state per arm: the planner takes the partial index visit_state (schema 12)
     * only for a state it can see is in it, which an IN list does not show */
    sqlite3_stmt *st = vax_stmt(db, "SELECT v.id, v.ticket, v.station, v.state, v.state_since"
                                    " FROM visit v WHERE v.day = ?1 AND v.state = 'screening'"
                                    " AND v.state_since >= ?3"
                                    " UNION ALL"
                                    " SELECT v.id, v.ticket, v.station, v.state, v.state_since"
                                    " FROM visit v WHERE v.day = ?1 AND v.state = 'injection'"
                                    " AND v.state_since >= ?3"
                                    " ORDER BY 5 DESC, 1 DESC LIMIT ?2");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, b->day, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, VAX_BOARD_MAX);
    sqlite3_bind_int64(st, 3, since);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_board_called *c = &b->called[b->ncalled++];
        c->ticket = sqlite3_column_int(st, 1);
        vax_strlcpy(c->station, vax_col_text(st, 2), sizeof c->station);
        c->stage = strcmp(vax_col_text(st, 3), "injection") == 0 ? VAX_STAGE_INJECTION
                                                                 : VAX_STAGE_SCREENING;
        c->called_at = sqlite3_column_int64(st, 4);
        c->initials[0] = 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the queue"));
    /* the words the board calls a desk by ("017 → Bàn khám 2"); same read transaction */
    for (int i = 0; i < b->ncalled; i++)
        vax_desk_name(db, b->called[i].station, b->called[i].name, sizeof b->called[i].name);
    return VAX_OK;
}

/* How many of today's visits are in a state: the lists hold at most VAX_BOARD_MAX. */
static int count_state(vax_db *db, const char *day, vax_state state, int *out)
{
    char sql[160];
    /* the state as a literal, for the partial index visit_state (schema 12) */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM visit WHERE state = '%s' AND day = ?1",
             vax_state_code(state));
    sqlite3_stmt *st = vax_stmt(db, sql);
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the queue"));
}

/* The waiting tickets of a stage, in the order call-next would take them. */
static int read_waiting(vax_db *db, vax_board *b, int stage)
{
    char order[1024], sql[1400];
    int64_t now = vax_now(), max_wait;
    int rc = vax_queue_order_sql(db, order, sizeof order);
    if (rc != VAX_OK)
        return rc;
    max_wait = vax_setting_int(db, "queue.max_wait_min");
    /* the state as a literal, for the partial index visit_state (schema 12) */
    snprintf(sql, sizeof sql,
             "SELECT v.ticket, v.urgent FROM visit v WHERE v.state = '%s' AND v.day = ?2"
             " ORDER BY %s"
             " LIMIT %d",
             vax_state_code(stage ? VAX_STATE_WAITING_INJECTION : VAX_STATE_WAITING_SCREENING),
             order, VAX_BOARD_MAX);
    sqlite3_stmt *st = vax_stmt(db, sql);
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 2, b->day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, now - max_wait * 60);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        b->waiting_urgent[stage][b->nwaiting[stage]] = sqlite3_column_int(st, 1) != 0;
        b->waiting[stage][b->nwaiting[stage]++] = sqlite3_column_int(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the queue"));
    return count_state(db, b->day,
                       stage ? VAX_STATE_WAITING_INJECTION : VAX_STATE_WAITING_SCREENING,
                       &b->waiting_total[stage]);
}

static int read_observing(vax_db *db, vax_board *b, int initials)
{
    int64_t ids[VAX_BOARD_MAX], now = vax_now();
    sqlite3_stmt *st = vax_stmt(db, "SELECT v.id, v.ticket, v.state_since FROM visit v"
                                    " WHERE v.day = ?1 AND v.state = 'observing'"
                                    " ORDER BY v.state_since, v.id LIMIT ?2");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, b->day, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, VAX_BOARD_MAX);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_board_observing *o = &b->observing[b->nobserving];
        ids[b->nobserving++] = sqlite3_column_int64(st, 0);
        o->ticket = sqlite3_column_int(st, 1);
        o->ends_at = sqlite3_column_int64(st, 2); /* + the period, below */
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the observation list"));
    if ((rc = count_state(db, b->day, VAX_STATE_OBSERVING, &b->observing_total)) != VAX_OK)
        return rc;
    for (int i = 0; i < b->nobserving; i++) {
        int minutes;
        if ((rc = vax_observe_minutes(db, ids[i], &minutes)) != VAX_OK)
            return rc;
        b->observing[i].ends_at += (int64_t)minutes * 60;
        b->observing[i].has_reaction = 0;
        if ((rc = vax_observe_has_reaction(db, ids[i], &b->observing[i].has_reaction)) != VAX_OK)
            return rc;
        /* a person with a recorded reaction sees staff first, whatever the clock says */
        b->observing[i].may_leave = now >= b->observing[i].ends_at && !b->observing[i].has_reaction;
        if (initials)
            person_initials(db, ids[i], b->observing[i].initials, sizeof b->observing[i].initials);
    }
    /* soonest to leave first */
    for (int i = 1; i < b->nobserving; i++)
        for (int j = i; j > 0 && b->observing[j].ends_at < b->observing[j - 1].ends_at; j--) {
            vax_board_observing t = b->observing[j];
            b->observing[j] = b->observing[j - 1];
            b->observing[j - 1] = t;
        }
    return VAX_OK;
}

static int read_doses(vax_db *db, vax_board *b)
{
    int64_t start, end;
    local_day_bounds(vax_now(), &start, &end);
    sqlite3_stmt *st = vax_stmt(db, "SELECT dose_number, count(*) FROM dose WHERE voided = 0"
                                    " AND given_at >= ?1 AND given_at < ?2 GROUP BY dose_number");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, start);
    sqlite3_bind_int64(st, 2, end);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_int(st, 0), count = sqlite3_column_int(st, 1);
        if (n >= 1 && n <= VAX_MAX_SERIES)
            b->doses_by_number[n] += count;
        b->doses_today += count;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("counting today's doses"));
}

int vax_board_read(vax_db *db, vax_board *out)
{
    int64_t initials = 0;
    int rc;
    memset(out, 0, sizeof *out);
    vax_clear_error(db);
    vax_local_date(vax_now(), out->day);
    /* one read transaction: every part of the snapshot sees the same commit */
    rc = sqlite3_exec(db->sql, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return vax_fail_sql(db, rc, _("reading the queue"));
    if ((rc = vax_db_data_version(db, &out->data_version)) != VAX_OK)
        goto out;
    initials = vax_setting_int(db, "board.initials");
    if ((rc = read_called(db, out)) != VAX_OK || (rc = read_waiting(db, out, 0)) != VAX_OK ||
        (rc = read_waiting(db, out, 1)) != VAX_OK ||
        (rc = read_observing(db, out, (int)initials)) != VAX_OK ||
        (rc = read_doses(db, out)) != VAX_OK)
        goto out;
    if (initials) {
        for (int i = 0; i < out->ncalled; i++) {
            sqlite3_stmt *st = vax_stmt(db, "SELECT id FROM visit WHERE day = ?1 AND ticket = ?2"
                                            " ORDER BY site_id LIMIT 1");
            if (!st)
                continue;
            sqlite3_bind_text(st, 1, out->day, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, out->called[i].ticket);
            int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
            sqlite3_reset(st);
            if (id)
                person_initials(db, id, out->called[i].initials, sizeof out->called[i].initials);
        }
    }
out:
    sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
    return rc;
}
