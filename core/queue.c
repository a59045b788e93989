/* queue.c: the visit state machine (DESIGN.md section 3), tickets, and call-next per station. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_codes[] = {
#define VAX_STATE_CODE(name, code, words) code,
    VAX_STATE_LIST(VAX_STATE_CODE)
#undef VAX_STATE_CODE
};
static const char *const state_words[] = {
#define VAX_STATE_WORDS(name, code, words) N_(words),
    VAX_STATE_LIST(VAX_STATE_WORDS)
#undef VAX_STATE_WORDS
};

const char *vax_state_code(vax_state s)
{
    return (unsigned)s < VAX_STATE_COUNT ? state_codes[s] : "?";
}

const char *vax_state_label(vax_state s)
{
    return (unsigned)s < VAX_STATE_COUNT ? _(state_words[s]) : "?";
}

int vax_state_parse(const char *code, vax_state *out)
{
    for (int i = 0; i < VAX_STATE_COUNT; i++) {
        if (code && strcmp(code, state_codes[i]) == 0) {
            *out = (vax_state)i;
            return VAX_OK;
        }
    }
    return VAX_EINVAL;
}

int vax_stage_parse(const char *s, vax_stage *out)
{
    if (s && strcmp(s, "screening") == 0)
        *out = VAX_STAGE_SCREENING;
    else if (s && strcmp(s, "injection") == 0)
        *out = VAX_STAGE_INJECTION;
    else
        return VAX_EINVAL;
    return VAX_OK;
}

/* ---- the state machine ------------------------------------------------------------------- */

#define S(x) (1u << VAX_STATE_##x)

/* next[from] = the set of states a visit in `from` may move to. End states have none. */
static const unsigned next_states[VAX_STATE_COUNT] = {
    [VAX_STATE_BOOKED] = S(WAITING_SCREENING) | S(NO_SHOW),
    [VAX_STATE_WAITING_SCREENING] = S(SCREENING) | S(LEFT) | S(CANCELLED),
    [VAX_STATE_SCREENING] = S(ELIGIBLE) | S(POSTPONED) | S(CONTRAINDICATED) | S(REFERRED) |
                            S(DECLINED) | S(WAITING_SCREENING),
    [VAX_STATE_ELIGIBLE] = S(WAITING_INJECTION) | S(LEFT),
    [VAX_STATE_WAITING_INJECTION] = S(INJECTION) | S(LEFT),
    [VAX_STATE_INJECTION] = S(OBSERVING) | S(WAITING_INJECTION),
    [VAX_STATE_OBSERVING] = S(DONE) | S(TRANSFERRED),
};

int vax_state_can_move(vax_state from, vax_state to)
{
    if ((unsigned)from >= VAX_STATE_COUNT || (unsigned)to >= VAX_STATE_COUNT)
        return 0;
    return (next_states[from] & (1u << to)) != 0;
}

static int is_open(vax_state s)
{
    return next_states[s] != 0;
}

/* Which permission a move into `to` needs. */
static vax_action action_for(vax_state to)
{
    switch (to) {
    case VAX_STATE_SCREENING:
    case VAX_STATE_ELIGIBLE:
    case VAX_STATE_POSTPONED:
    case VAX_STATE_CONTRAINDICATED:
    case VAX_STATE_REFERRED:
    case VAX_STATE_DECLINED:
        return VAX_ACT_CALL_SCREEN;
    case VAX_STATE_WAITING_INJECTION:
    case VAX_STATE_INJECTION:
    case VAX_STATE_OBSERVING:
        return VAX_ACT_CALL_INJECT;
    case VAX_STATE_DONE:
    case VAX_STATE_TRANSFERRED:
        return VAX_ACT_OBSERVE;
    default:
        return VAX_ACT_CHECKIN;
    }
}

/* ---- rows -------------------------------------------------------------------------------- */

/* The columns row_to_visit reads, in its order; RETURNING takes them without the "v." */
#define VISIT_COLS_OF(p)                                                                           \
    p "id, " p "uuid, " p "person_id, " p "day, " p "ticket, " p "state, " p "urgent, " p          \
      "group_rank, " p "age_band, " p "arrived_at, " p "state_since, " p "slot_start, " p          \
      "station, " p "urgent_reason, " p "urgent_note, " p "urgent_at"
#define VISIT_COLS VISIT_COLS_OF("v.")

static void row_to_visit(sqlite3_stmt *st, vax_visit *v)
{
    memset(v, 0, sizeof *v);
    v->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(v->uuid, vax_col_text(st, 1), sizeof v->uuid);
    v->person_id = sqlite3_column_int64(st, 2);
    vax_strlcpy(v->day, vax_col_text(st, 3), sizeof v->day);
    v->ticket = sqlite3_column_int(st, 4);
    vax_state_parse(vax_col_text(st, 5), &v->state);
    v->urgent = sqlite3_column_int(st, 6);
    v->group_rank = sqlite3_column_int(st, 7);
    v->age_band = sqlite3_column_int(st, 8);
    v->arrived_at = sqlite3_column_int64(st, 9);
    v->state_since = sqlite3_column_int64(st, 10);
    v->slot_start = sqlite3_column_int64(st, 11);
    vax_strlcpy(v->station, vax_col_text(st, 12), sizeof v->station);
    if (v->urgent)
        vax_urgent_parse(vax_col_text(st, 13), &v->urgent_reason);
    vax_strlcpy(v->urgent_note, vax_col_text(st, 14), sizeof v->urgent_note);
    v->urgent_at = sqlite3_column_int64(st, 15);
}

/* ---- urgent reasons ------------------------------------------------------------------------ */

static const char *const urgent_codes[VAX_URGENT_COUNT] = {
#define VAX_URGENT_CODE(name, code, words, value) [value] = code,
    VAX_URGENT_LIST(VAX_URGENT_CODE)
#undef VAX_URGENT_CODE
};
static const char *const urgent_words[VAX_URGENT_COUNT] = {
#define VAX_URGENT_WORDS(name, code, words, value) [value] = N_(words),
    VAX_URGENT_LIST(VAX_URGENT_WORDS)
#undef VAX_URGENT_WORDS
};

const char *vax_urgent_code(int reason)
{
    return reason > VAX_URGENT_NONE && reason < VAX_URGENT_COUNT ? urgent_codes[reason] : "";
}

const char *vax_urgent_label(int reason)
{
    return reason > VAX_URGENT_NONE && reason < VAX_URGENT_COUNT ? _(urgent_words[reason]) : "";
}

/* The reason in a list row beside the mark, where the whole words do not fit at 80 columns. */
static const char *const urgent_short[VAX_URGENT_COUNT] = {
    [VAX_URGENT_ELDERLY] = N_("elderly"),
    [VAX_URGENT_PREGNANT] = N_("pregnant"),
    [VAX_URGENT_DISABILITY] = N_("disability"),
    [VAX_URGENT_CHILD] = N_("child"),
    [VAX_URGENT_REACTION_CHECK] = N_("reaction check"),
    [VAX_URGENT_OTHER] = N_("other"),
};

const char *vax_urgent_short(int reason)
{
    return reason > VAX_URGENT_NONE && reason < VAX_URGENT_COUNT ? _(urgent_short[reason]) : "";
}

int vax_urgent_parse(const char *code, int *reason)
{
    for (int i = VAX_URGENT_NONE + 1; i < VAX_URGENT_COUNT; i++)
        if (code && strcmp(code, urgent_codes[i]) == 0) {
            *reason = i;
            return VAX_OK;
        }
    return VAX_EINVAL;
}

static int visit_one(vax_db *db, sqlite3_stmt *st, vax_visit *out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out)
        row_to_visit(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, NULL, _("No such visit."));
    return vax_fail_sql(db, rc, _("reading the queue"));
}

int vax_visit_get(vax_db *db, int64_t visit_id, vax_visit *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " VISIT_COLS " FROM visit v WHERE v.id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    return visit_one(db, st, out);
}

int vax_visit_by_ticket(vax_db *db, const char *day, int ticket, vax_visit *out)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " VISIT_COLS " FROM visit v WHERE v.day = ?1 AND v.ticket = ?2"
                     " ORDER BY v.site_id LIMIT 1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, ticket);
    return visit_one(db, st, out);
}

int vax_visit_open_for_person(vax_db *db, int64_t person_id, vax_visit *out)
{
    char today[11];
    sqlite3_stmt *st;
    int rc;
    vax_local_date(vax_now(), today);
    st = vax_stmt(db, "SELECT " VISIT_COLS " FROM visit v WHERE v.person_id = ?1 AND v.day = ?2"
                      " ORDER BY v.id DESC");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row_to_visit(st, out);
        if (is_open(out->state)) {
            sqlite3_reset(st);
            return VAX_OK;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the queue"));
    return VAX_ENOTFOUND;
}

int vax_queue_list(vax_db *db, const char *day, vax_visit *out, int max, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " VISIT_COLS " FROM visit v WHERE v.day = ?1 ORDER BY v.ticket");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_visit(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the queue"));
}

int vax_visit_event_count(vax_db *db, int64_t visit_id, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM visit_event WHERE visit_id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the queue"));
}

/* ---- writes (each inside the caller's transaction) ----------------------------------------- */

static int append_event(vax_db *db, int64_t visit_id, int from, vax_state to, const char *station,
                        const char *details, int64_t now)
{
    char uuid[37];
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO visit_event(uuid, visit_id, at, staff_id,"
                                    " from_state, to_state, station, details)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    int rc;
    if (!st || vax_uuid_v7(uuid) != VAX_OK)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, visit_id);
    sqlite3_bind_int64(st, 3, now);
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 4, vax_actor_id(db));
    if (from >= 0)
        sqlite3_bind_text(st, 5, vax_state_code((vax_state)from), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, vax_state_code(to), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, station ? station : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, details ? details : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("recording a queue event"));
}

/* The UPDATE of a move, guarded by the state the caller read so that a concurrent change made by
 * another station is never overwritten. station NULL keeps the row's. With out, the row as the
 * UPDATE left it comes back through RETURNING (no second read); *moved says whether it moved. */
static int move_row(vax_db *db, int64_t id, vax_state from, vax_state to, const char *station,
                    int64_t now, vax_visit *out, int *moved)
{
    sqlite3_stmt *st =
        out ? vax_stmt(db, "UPDATE visit SET state = ?3, state_since = ?4,"
                           " station = coalesce(?5, station), updated_at = ?4, updated_by = ?6"
                           " WHERE id = ?1 AND state = ?2 RETURNING " VISIT_COLS_OF(""))
            : vax_stmt(db, "UPDATE visit SET state = ?3, state_since = ?4,"
                           " station = coalesce(?5, station), updated_at = ?4, updated_by = ?6"
                           " WHERE id = ?1 AND state = ?2");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, vax_state_code(from), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, vax_state_code(to), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    if (station)
        sqlite3_bind_text(st, 5, station, -1, SQLITE_TRANSIENT);
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 6, vax_actor_id(db));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out)
        row_to_visit(st, out);
    *moved = out ? rc == SQLITE_ROW : rc == SQLITE_DONE && sqlite3_changes(db->sql) == 1;
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("moving a visit"));
    return VAX_OK;
}

int vax_queue_move_locked(vax_db *db, const vax_visit *v, vax_state to, const char *station,
                          const char *details)
{
    int64_t now = vax_now();
    int rc, moved = 0;
    if ((rc = move_row(db, v->id, v->state, to, station ? station : v->station, now, NULL,
                       &moved)) != VAX_OK)
        return rc;
    if (!moved)
        return vax_fail(db, VAX_ESTATE, NULL, _("Ticket %03d changed at another station."),
                        v->ticket);
    return append_event(db, v->id, (int)v->state, to, station ? station : v->station, details, now);
}

int vax_queue_move(vax_db *db, int64_t visit_id, vax_state to, const char *details)
{
    vax_visit v;
    int rc;
    vax_clear_error(db);
    if ((unsigned)to >= VAX_STATE_COUNT)
        return vax_fail(db, VAX_EINVAL, "state", _("Unknown state."));
    if ((rc = vax_require(db, action_for(to))) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK)
        goto fail;
    if (!vax_state_can_move(v.state, to)) {
        rc = vax_fail(db, VAX_ESTATE, "state",
                      _("Ticket %03d is \"%s\"; it cannot go to \"%s\" from there."), v.ticket,
                      vax_state_label(v.state), vax_state_label(to));
        goto fail;
    }
    if ((rc = vax_queue_move_locked(db, &v, to, NULL, details)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_queue_undo_checkin(vax_db *db, int64_t visit_id, const char *reason)
{
    if (!reason || !*reason)
        return vax_fail(db, VAX_EINVAL, "reason", _("Reason: say why the check-in is undone."));
    return vax_queue_move(db, visit_id, VAX_STATE_CANCELLED, reason);
}

int vax_queue_set_urgent(vax_db *db, int64_t visit_id, int reason, const char *note)
{
    vax_visit v;
    int rc;
    int64_t now = vax_now(), at = 0;
    const char *words = note ? note : "";
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CHECKIN)) != VAX_OK)
        return rc;
    if (reason < VAX_URGENT_NONE || reason >= VAX_URGENT_COUNT)
        return vax_fail(db, VAX_EINVAL, "reason",
                        _("Reason: pick one from the list (elderly or frail, pregnant, disability, "
                          "child, returning for a reaction check, other)."));
    while (*words == ' ')
        words++;
    if (reason == VAX_URGENT_OTHER && !*words)
        return vax_fail(db, VAX_EINVAL, "note", _("Reason: say why this person goes first."));
    if (strlen(words) >= sizeof v.urgent_note)
        return vax_fail(db, VAX_EINVAL, "note", _("Reason: at most %d characters."),
                        (int)sizeof v.urgent_note - 1);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK)
        goto fail;
    if (!is_open(v.state)) {
        rc = vax_fail(db, VAX_ESTATE, NULL, _("Ticket %03d is \"%s\" and no longer waits."),
                      v.ticket, vax_state_label(v.state));
        goto fail;
    }
    if (reason != VAX_URGENT_NONE && v.urgent) {
        at = v.urgent_at; /* a new reason keeps the place in the urgent line */
    } else if (reason != VAX_URGENT_NONE) {
        /* Marks made within one second still keep their order: each takes a second past the
         * last mark of the day when the clock has not moved on. */
        sqlite3_stmt *last =
            vax_stmt(db, "SELECT coalesce(max(urgent_at), 0) FROM visit WHERE day = ?1");
        if (!last) {
            rc = VAX_EINTERNAL;
            goto fail;
        }
        sqlite3_bind_text(last, 1, v.day, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(last);
        at = rc == SQLITE_ROW ? sqlite3_column_int64(last, 0) : 0;
        sqlite3_reset(last);
        if (rc != SQLITE_ROW) {
            rc = vax_fail_sql(db, rc, _("marking a visit urgent"));
            goto fail;
        }
        at = at >= now ? at + 1 : now;
    }
    /* not urgent is urgent_at 0 too, which call-next's index relies on (rank_best) */
    sqlite3_stmt *st = vax_stmt(db, "UPDATE visit SET urgent = ?2, urgent_at = ?3,"
                                    " urgent_reason = ?4, urgent_note = ?5, updated_at = ?6,"
                                    " updated_by = ?7 WHERE id = ?1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, visit_id);
    sqlite3_bind_int(st, 2, reason != VAX_URGENT_NONE);
    sqlite3_bind_int64(st, 3, at);
    sqlite3_bind_text(st, 4, vax_urgent_code(reason), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, reason != VAX_URGENT_NONE ? words : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, now);
    sqlite3_bind_int64(st, 7, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("marking a visit urgent"));
        goto fail;
    }
    char details[300];
    snprintf(details, sizeof details, "%s%s%s%s", reason ? "urgent " : "not urgent",
             vax_urgent_code(reason), *words ? ": " : "", words);
    if ((rc = append_event(db, v.id, (int)v.state, v.state, v.station, details, now)) != VAX_OK ||
        (rc = vax_audit(db, "visit.urgent", "visit", v.id, details)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- check-in ---------------------------------------------------------------------------- */

static int person_rank(vax_db *db, int64_t person_id, int *rank, char birth[11])
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT coalesce(g.rank, 99), p.birth_date FROM person p"
                                    " LEFT JOIN priority_group g ON g.code = p.priority_group"
                                    " WHERE p.id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *rank = sqlite3_column_int(st, 0);
        vax_strlcpy(birth, vax_col_text(st, 1), 11);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, NULL, _("No such person."));
    return vax_fail_sql(db, rc, _("reading the registry"));
}

int vax_visit_vaccinated_today(vax_db *db, int64_t person_id, vax_visit *out)
{
    char today[11];
    vax_local_date(vax_now(), today);
    sqlite3_stmt *st = vax_stmt(db, "SELECT " VISIT_COLS " FROM visit v WHERE v.person_id = ?1"
                                    " AND v.day = ?2 AND EXISTS (SELECT 1 FROM dose d"
                                    " WHERE d.visit_id = v.id AND d.voided = 0)"
                                    " ORDER BY v.id DESC LIMIT 1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    int rc = visit_one(db, st, out);
    if (rc == VAX_ENOTFOUND)
        vax_clear_error(db);
    return rc;
}

int vax_visit_today_for_person(vax_db *db, int64_t person_id, vax_visit *out)
{
    char today[11];
    vax_local_date(vax_now(), today);
    /* the open visit if there is one (a cancelled check-in may be newer than nothing else) */
    int rc = vax_visit_open_for_person(db, person_id, out);
    if (rc != VAX_ENOTFOUND)
        return rc;
    sqlite3_stmt *st = vax_stmt(db, "SELECT " VISIT_COLS " FROM visit v WHERE v.person_id = ?1"
                                    " AND v.day = ?2 AND v.state <> 'cancelled'"
                                    " ORDER BY v.id DESC LIMIT 1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    rc = visit_one(db, st, out);
    if (rc == VAX_ENOTFOUND)
        vax_clear_error(db);
    return rc;
}

/* A dose today already: a second ticket would be a second dose in a day, so only a manager's
 * reason lets it through (audited by the caller's transaction). */
static int second_ticket_rule(vax_db *db, int64_t person_id, const char *override_reason,
                              const vax_staff *manager)
{
    vax_visit done;
    int rc = vax_visit_vaccinated_today(db, person_id, &done);
    if (rc == VAX_ENOTFOUND)
        return VAX_OK;
    if (rc != VAX_OK)
        return rc;
    if (!override_reason)
        return vax_fail(db, VAX_EEXIST, "override",
                        _("Vaccinated today (ticket %03d): a second ticket needs a manager's "
                          "reason."),
                        done.ticket);
    if (!manager && (rc = vax_require(db, VAX_ACT_OVERRIDE)) != VAX_OK)
        return rc;
    if (!*override_reason)
        return vax_fail(db, VAX_EINVAL, "reason",
                        _("Reason: say why this person gets a second ticket today."));
    if (!manager)
        return vax_audit(db, "visit.second-ticket", "person", person_id, override_reason);
    char details[400];
    snprintf(details, sizeof details, "%s (confirmed by %s)", override_reason, manager->login);
    return vax_audit(db, "visit.second-ticket", "person", person_id, details);
}

static int checkin(vax_db *db, int64_t person_id, const char *override_reason,
                   const vax_staff *manager, vax_visit *out);

int vax_queue_checkin_confirmed(vax_db *db, int64_t person_id, const char *override_reason,
                                const char *login, const char *pin, vax_visit *out)
{
    vax_staff manager;
    vax_clear_error(db);
    if (!override_reason || !*override_reason)
        return vax_fail(db, VAX_EINVAL, "reason",
                        _("Reason: say why this person gets a second ticket today."));
    int rc = vax_staff_confirm(db, login, pin, VAX_ACT_OVERRIDE, &manager);
    if (rc != VAX_OK)
        return rc;
    return checkin(db, person_id, override_reason, &manager, out);
}

int vax_queue_checkin(vax_db *db, int64_t person_id, vax_visit *out)
{
    return vax_queue_checkin_again(db, person_id, NULL, out);
}

int vax_queue_checkin_again(vax_db *db, int64_t person_id, const char *override_reason,
                            vax_visit *out)
{
    return checkin(db, person_id, override_reason, NULL, out);
}

static int checkin(vax_db *db, int64_t person_id, const char *override_reason,
                   const vax_staff *manager, vax_visit *out)
{
    char today[11], birth[11], uuid[37];
    int rank = 99, rc, ticket;
    int64_t site_id = 0, now = vax_now();
    vax_visit open;
    sqlite3_stmt *st;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CHECKIN)) != VAX_OK)
        return rc;
    vax_local_date(now, today);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = person_rank(db, person_id, &rank, birth)) != VAX_OK)
        goto fail;
    rc = vax_visit_open_for_person(db, person_id, &open);
    if (rc == VAX_OK) {
        rc = vax_fail(db, VAX_EEXIST, NULL, _("Already checked in today: ticket %03d, \"%s\"."),
                      open.ticket, vax_state_label(open.state));
        goto fail;
    }
    if (rc != VAX_ENOTFOUND)
        goto fail;
    if ((rc = second_ticket_rule(db, person_id, override_reason, manager)) != VAX_OK)
        goto fail;
    if ((rc = vax_site_ensure_locked(db, &site_id)) != VAX_OK)
        goto fail;
    /* BEGIN IMMEDIATE holds the write lock, so max+1 cannot be taken by another station. */
    st = vax_stmt(db, "SELECT coalesce(max(ticket), 0) + 1 FROM visit WHERE site_id = ?1 AND"
                      " day = ?2");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    ticket = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        rc = vax_fail_sql(db, rc, _("taking a ticket number"));
        goto fail;
    }
    if ((rc = vax_uuid_v7(uuid)) != VAX_OK)
        goto fail;
    st = vax_stmt(db,
                  "INSERT INTO visit(uuid, site_id, day, ticket, person_id, state, urgent,"
                  " group_rank, age_band, arrived_at, state_since, created_at, updated_at,"
                  " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?9, ?9, ?9, ?10)");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, site_id);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, ticket);
    sqlite3_bind_int64(st, 5, person_id);
    sqlite3_bind_text(st, 6, vax_state_code(VAX_STATE_WAITING_SCREENING), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, rank);
    sqlite3_bind_int(st, 8, vax_age_band(vax_age_on(birth, today)));
    sqlite3_bind_int64(st, 9, now);
    sqlite3_bind_int64(st, 10, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("checking in"));
        goto fail;
    }
    int64_t visit_id = sqlite3_last_insert_rowid(db->sql);
    /* slot.c: link today's appointment to the visit, or count a walk-in against the
     * slot running now; the event says which, and how early or late */
    char how[128];
    if ((rc = vax_appt_checkin_locked(db, visit_id, person_id, now, how, sizeof how)) != VAX_OK)
        goto fail;
    if ((rc = append_event(db, visit_id, -1, VAX_STATE_WAITING_SCREENING, "checkin", how, now)) !=
        VAX_OK)
        goto fail;
    if (out && (rc = vax_visit_get(db, visit_id, out)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- call next --------------------------------------------------------------------------- */

/* The ordering policy is data: setting "queue.order" lists these keys, best first. Each name maps
 * to a fixed SQL term, so the setting can reorder but never inject SQL. Parameters: ?3 = now,
 * ?4 = the starvation cut-off (state_since at or before it means waited too long). */
enum { TERM_BOOST, TERM_URGENT, TERM_GROUP, TERM_AGE, TERM_SLOT, TERM_ARRIVAL, TERM_COUNT };
static const struct {
    const char *name;
    const char *sql;
} order_terms[TERM_COUNT] = {
    [TERM_BOOST] = {"boost", "CASE WHEN v.state_since <= ?4 THEN v.state_since"
                             " ELSE 9223372036854775807 END"},
    /* DESC as in the index visit_state (schema 12), which then yields the queue in this order */
    /* urgent visits in the order they were marked (urgent_at is 0 for the others) */
    [TERM_URGENT] = {"urgent", "v.urgent DESC, v.urgent_at"},
    [TERM_GROUP] = {"group", "v.group_rank"},
    [TERM_AGE] = {"age", "v.age_band"},
    /* on time or late for a booked slot first, then walk-ins, then early arrivals */
    [TERM_SLOT] = {"slot", "CASE WHEN v.slot_start = 0 THEN 1 WHEN v.slot_start <= ?3 THEN 0"
                           " ELSE 2 END"},
    [TERM_ARRIVAL] = {"arrival", "v.state_since"},
};

#define ORDER_MAX 128 /* keys in a setting of at most 255 bytes */

/* The policy as keys, best first; VAX_EINVAL (field queue.order) names a key that is not one. */
static int order_policy(vax_db *db, int *terms, int *n)
{
    char policy[256], *save = NULL;
    vax_setting_text(db, "queue.order", policy, sizeof policy);
    vax_clear_error(db);
    *n = 0;
    for (char *t = strtok_r(policy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int i;
        for (i = 0; i < TERM_COUNT; i++)
            if (strcmp(t, order_terms[i].name) == 0)
                break;
        if (i == TERM_COUNT)
            return vax_fail(db, VAX_EINVAL, "queue.order",
                            _("Setting queue.order: \"%s\" is not a queue key (use boost, urgent, "
                              "group, age, slot, arrival)."),
                            t);
        if (*n == ORDER_MAX)
            return vax_fail(db, VAX_EINVAL, "queue.order", _("Setting queue.order is too long."));
        terms[(*n)++] = i;
    }
    return VAX_OK;
}

/* Appends the SQL of terms[0..n), then the tie-break v.id, at out + *o. */
static int order_terms_sql(vax_db *db, const int *terms, int n, char *out, size_t size, size_t *o)
{
    for (int i = 0; i < n; i++)
        *o += (size_t)snprintf(out + *o, size > *o ? size - *o : 0, "%s, ",
                               order_terms[terms[i]].sql);
    if (*o + 8 >= size)
        return vax_fail(db, VAX_EINVAL, "queue.order", _("Setting queue.order is too long."));
    strcat(out + *o, "v.id");
    *o += 4;
    return VAX_OK;
}

int vax_queue_order_sql(vax_db *db, char *out, size_t size)
{
    int terms[ORDER_MAX], n, rc;
    size_t o = 0;
    out[0] = 0;
    if ((rc = order_policy(db, terms, &n)) != VAX_OK)
        return rc;
    return order_terms_sql(db, terms, n, out, size, &o);
}

/* The best waiting visit of a stage by the policy, 0 if nobody waits. A policy that starts with
 * "urgent" asks for the urgent visits on their own first (few; in the order they were marked), and
 * the rest follow without urgent (none is left urgent when that finds nobody). A policy that then
 * has "boost" puts whoever waited past the cut-off first, longest waiting first: those are asked
 * for on their own too, and the rest are then ranked without that CASE in front, so the index
 * visit_state (state, day, urgent DESC, urgent_at, group_rank, age_band, ...) hands them over in
 * the order of its leading keys and SQLite sorts only the first run of equal keys instead of the
 * whole queue. Either way the answer is the one the single ORDER BY of vax_queue_order_sql would
 * give. The state is written into the SQL (a code from a fixed table) so that the planner sees
 * which one it is. */
static int rank_best(vax_db *db, vax_state waiting, const char *today, int64_t now, int64_t cutoff,
                     int64_t *best)
{
    int terms[ORDER_MAX], n, rc;
    *best = 0;
    if ((rc = order_policy(db, terms, &n)) != VAX_OK)
        return rc;
    int urgent_first = n > 0 && terms[0] == TERM_URGENT;
    int skip = urgent_first ? 1 : 0;
    int boost = n > skip && terms[skip] == TERM_BOOST;
    /* pass 0: the urgent ones; 1: waited past the cut-off; 2: everyone (else) */
    for (int pass = 0; pass < 3 && !*best; pass++) {
        const char *where, *lead;
        const int *rest;
        int nrest;
        if (pass == 0 && !urgent_first)
            continue;
        if (pass == 1 && !boost)
            continue;
        if (pass == 0) {
            where = " AND v.urgent = 1";
            lead = "v.urgent_at, ";
            rest = terms + 1;
            nrest = n - 1;
        } else {
            /* urgent_at = 0 with urgent = 0 lets the index give group_rank's order */
            where = pass == 1      ? (urgent_first ? " AND v.urgent = 0 AND v.urgent_at = 0"
                                                     " AND v.state_since <= ?4"
                                                   : " AND v.state_since <= ?4")
                    : !boost       ? (urgent_first ? " AND v.urgent = 0 AND v.urgent_at = 0" : "")
                    : urgent_first ? " AND v.urgent = 0 AND v.urgent_at = 0 AND v.state_since > ?4"
                                   : " AND v.state_since > ?4";
            lead = pass == 1 ? "v.state_since, " : "";
            rest = terms + skip + boost;
            nrest = n - skip - boost;
        }
        char sql[1600];
        size_t o = (size_t)snprintf(sql, sizeof sql,
                                    "SELECT v.id FROM visit v WHERE v.state = '%s' AND v.day = ?2"
                                    "%s ORDER BY %s",
                                    vax_state_code(waiting), where, lead);
        if ((rc = order_terms_sql(db, rest, nrest, sql, sizeof sql - 8, &o)) != VAX_OK)
            return rc;
        strcat(sql, " LIMIT 1");
        sqlite3_stmt *st = vax_stmt(db, sql);
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, cutoff);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *best = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("calling the next person"));
    }
    return VAX_OK;
}

int vax_queue_call_next(vax_db *db, vax_stage stage, const char *station, vax_visit *out)
{
    char today[11];
    vax_state waiting, called;
    int64_t now = vax_now(), max_wait, best;
    vax_visit v;
    int rc, moved = 0;
    vax_clear_error(db);
    waiting =
        stage == VAX_STAGE_SCREENING ? VAX_STATE_WAITING_SCREENING : VAX_STATE_WAITING_INJECTION;
    called = stage == VAX_STAGE_SCREENING ? VAX_STATE_SCREENING : VAX_STATE_INJECTION;
    if ((rc = vax_require(db, action_for(called))) != VAX_OK)
        return rc;
    vax_local_date(now, today);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    max_wait = vax_setting_int(db, "queue.max_wait_min");
    if ((rc = rank_best(db, waiting, today, now, now - max_wait * 60, &best)) != VAX_OK)
        goto fail;
    if (!best) {
        rc = vax_fail(db, VAX_EEMPTY, NULL, _("Nobody is waiting for %s."),
                      stage == VAX_STAGE_SCREENING ? _("screening") : _("injection"));
        goto fail;
    }
    /* BEGIN IMMEDIATE holds the write lock since the ranking read, so the guard cannot miss;
     * RETURNING gives the row as moved, which is what out and the event need. */
    if ((rc = move_row(db, best, waiting, called, station, now, &v, &moved)) != VAX_OK)
        goto fail;
    if (!moved) {
        vax_visit gone;
        rc = vax_fail(db, VAX_ESTATE, NULL, _("Ticket %03d changed at another station."),
                      vax_visit_get(db, best, &gone) == VAX_OK ? gone.ticket : 0);
        goto fail;
    }
    if ((rc = append_event(db, v.id, (int)waiting, called, v.station, NULL, now)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (out)
        *out = v;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- visits left at a station ---------------------------------------------------------------
 * A desk that ends without the user (a crash, a closed SSH window, a power cut) cannot say so,
 * and a lease it would renew stops just the same; what is left is the visit itself. So a visit
 * called to a station and unchanged for queue.stranded_min minutes is taken as left there: the
 * board stops showing its call and the queue overview lists it for someone to return. */

int vax_queue_stranded_after(vax_db *db, int64_t *since)
{
    int64_t minutes = vax_setting_int(db, "queue.stranded_min");
    *since = vax_now() - minutes * 60;
    return VAX_OK;
}

int vax_queue_stranded(vax_db *db, vax_visit *out, int max, int *n)
{
    char today[11];
    int64_t since;
    int rc = SQLITE_DONE;
    *n = 0;
    vax_local_date(vax_now(), today);
    vax_queue_stranded_after(db, &since);
    /* one literal state per arm, for the partial index visit_state (schema 12) */
    sqlite3_stmt *st = vax_stmt(db, "SELECT " VISIT_COLS " FROM visit v WHERE v.day = ?1 AND"
                                    " v.state = 'screening' AND v.state_since < ?2 UNION ALL"
                                    " SELECT " VISIT_COLS " FROM visit v WHERE v.day = ?1 AND"
                                    " v.state = 'injection' AND v.state_since < ?2 ORDER BY 11, 1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_visit(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the queue"));
}

int vax_queue_return_waiting(vax_db *db, int64_t visit_id, const char *reason)
{
    vax_visit v;
    vax_state to;
    int rc, moved = 0;
    int64_t now = vax_now();
    vax_clear_error(db);
    if (!reason || !*reason)
        return vax_fail(db, VAX_EINVAL, "reason",
                        _("Reason: say why the ticket goes back to the waiting list."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK)
        goto fail;
    if (v.state != VAX_STATE_SCREENING && v.state != VAX_STATE_INJECTION) {
        rc = vax_fail(db, VAX_ESTATE, "state",
                      _("Ticket %03d is \"%s\"; only a ticket at a station goes back to waiting."),
                      v.ticket, vax_state_label(v.state));
        goto fail;
    }
    to = v.state == VAX_STATE_SCREENING ? VAX_STATE_WAITING_SCREENING : VAX_STATE_WAITING_INJECTION;
    if ((rc = vax_require(db, action_for(v.state))) != VAX_OK)
        goto fail;
    /* the station is cleared (no desk has them now); the event keeps where they were left */
    if ((rc = move_row(db, v.id, v.state, to, "", now, NULL, &moved)) != VAX_OK)
        goto fail;
    if (!moved) {
        rc = vax_fail(db, VAX_ESTATE, NULL, _("Ticket %03d changed at another station."), v.ticket);
        goto fail;
    }
    if ((rc = append_event(db, v.id, (int)v.state, to, v.station, reason, now)) != VAX_OK ||
        (rc = vax_audit(db, "visit.return", "visit", v.id, reason)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}
