/* dose.c: dose records: the dose number from history, the series rules, giving and voiding. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *vax_arm_code(vax_arm a)
{
    return a == VAX_ARM_LEFT ? "left" : a == VAX_ARM_RIGHT ? "right" : "";
}

const char *vax_arm_label(vax_arm a)
{
    return a == VAX_ARM_LEFT ? _("left arm") : a == VAX_ARM_RIGHT ? _("right arm") : "-";
}

#define DOSE_COLS                                                                                  \
    "d.id, d.uuid, d.person_id, coalesce(d.visit_id, 0), coalesce(d.lot_id, 0),"                   \
    " coalesce(d.vial_id, 0), d.product, d.lot_no, d.series, d.dose_number, d.arm,"                \
    " coalesce(d.vaccinator, 0), coalesce(s.name, ''), d.station, d.given_at, d.number_reason,"    \
    " d.override_reason, d.place"

#define DOSE_FROM " FROM dose d LEFT JOIN staff s ON s.id = d.vaccinator"

static void row_to_dose(sqlite3_stmt *st, vax_dose *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(d->uuid, vax_col_text(st, 1), sizeof d->uuid);
    d->person_id = sqlite3_column_int64(st, 2);
    d->visit_id = sqlite3_column_int64(st, 3);
    d->lot_id = sqlite3_column_int64(st, 4);
    d->vial_id = sqlite3_column_int64(st, 5);
    vax_strlcpy(d->product, vax_col_text(st, 6), sizeof d->product);
    vax_strlcpy(d->lot_no, vax_col_text(st, 7), sizeof d->lot_no);
    vax_strlcpy(d->series, vax_col_text(st, 8), sizeof d->series);
    d->dose_number = sqlite3_column_int(st, 9);
    const char *arm = vax_col_text(st, 10);
    d->arm = !strcmp(arm, "left") ? VAX_ARM_LEFT : !strcmp(arm, "right") ? VAX_ARM_RIGHT : 0;
    d->vaccinator = sqlite3_column_int64(st, 11);
    vax_strlcpy(d->vaccinator_name, vax_col_text(st, 12), sizeof d->vaccinator_name);
    vax_strlcpy(d->station, vax_col_text(st, 13), sizeof d->station);
    d->given_at = sqlite3_column_int64(st, 14);
    vax_strlcpy(d->number_reason, vax_col_text(st, 15), sizeof d->number_reason);
    vax_strlcpy(d->override_reason, vax_col_text(st, 16), sizeof d->override_reason);
    vax_strlcpy(d->place, vax_col_text(st, 17), sizeof d->place);
}

int vax_dose_get(vax_db *db, int64_t dose_id, vax_dose *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " DOSE_COLS DOSE_FROM " WHERE d.id = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, dose_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_dose(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "dose", "%s", _("Dose: no such dose."));
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading doses"));
}

int vax_dose_list(vax_db *db, int64_t person_id, vax_dose *out, int max, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " DOSE_COLS DOSE_FROM " WHERE d.person_id = ?1 AND d.voided = 0"
                     " ORDER BY d.given_at, d.dose_number, d.id");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_dose(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading doses"));
}

int vax_dose_next_number(vax_db *db, int64_t person_id, int *number)
{
    /* a certificate from elsewhere may say "dose 2 of 2" where dose 1 was never recorded here:
     * the next is 3, after the highest number, not after the count */
    sqlite3_stmt *st = vax_stmt(db, "SELECT max(count(*), coalesce(max(dose_number), 0)) FROM dose"
                                    " WHERE person_id = ?1 AND series = ?2 AND voided = 0");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, VAX_SERIES_PRIMARY, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *number = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) + 1 : 1;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading doses"));
}

/* The dose of the series with the highest number below `number` (0 if none): what dose `number`
 * follows. */
static int previous_dose(vax_db *db, int64_t person_id, int number, vax_dose *prev, int *found)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " DOSE_COLS DOSE_FROM
                                    " WHERE d.person_id = ?1 AND d.series = ?2 AND d.voided = 0"
                                    " AND d.dose_number < ?3"
                                    " ORDER BY d.dose_number DESC, d.given_at DESC LIMIT 1");
    int rc;
    *found = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, VAX_SERIES_PRIMARY, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, number);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row_to_dose(st, prev);
        *found = 1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading doses"));
}

static int same_number_given(vax_db *db, int64_t person_id, int number, int *given)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM dose WHERE person_id = ?1"
                                    " AND series = ?2 AND dose_number = ?3 AND voided = 0");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, VAX_SERIES_PRIMARY, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, number);
    rc = sqlite3_step(st);
    *given = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading doses"));
}

static int reason_given(const char *r)
{
    if (!r)
        return 0;
    while (*r == ' ')
        r++;
    return *r != 0;
}

static int actor_is(const vax_db *db, vax_action act)
{
    const vax_staff *a = vax_actor(db);
    return a && vax_role_may(a->role, act);
}

/* Interval overrides are a medical decision: a doctor, or whoever may override any rule. */
static int may_override_interval(const vax_db *db)
{
    const vax_staff *a = vax_actor(db);
    return a && (a->role == VAX_ROLE_DOCTOR || vax_role_may(a->role, VAX_ACT_OVERRIDE));
}

static int not_additional(vax_db *db, int number)
{
    return vax_fail(db, VAX_EINVAL, "additional",
                    _("Dose %d: an additional dose comes once, after the primary series and "
                      "before any booster, where a rule in force offers one."),
                    number);
}

/* A dose after the primary series (an additional dose, a booster): the rules in force on the
 * day say whether one is offered, which products may give it and how long after the dose before
 * (dose-rules.conf). Refusals for the day's rules may be overridden with a reason by a doctor or
 * a manager, as an interval is. */
static int check_beyond_series(vax_db *db, int number, const vax_product *p,
                               const vax_sched_next *next, const char *today, const vax_dose_in *in)
{
    char dmy[11];
    int days = 0;
    if (in->additional && (next->none || next->kind != VAX_KIND_ADDITIONAL))
        return not_additional(db, number);
    if (next->none) {
        if (!reason_given(in->override_reason))
            return vax_fail(db, VAX_ESTATE, "override",
                            _("Dose %d: the series is complete and no rule in force today offers "
                              "a further dose at this age. A doctor may override with a reason."),
                            number);
        return may_override_interval(db)
                   ? VAX_OK
                   : vax_fail(db, VAX_EPERM, "override",
                              _("Dose %d: no rule offers it; only a doctor or a manager may give "
                                "it."),
                              number);
    }
    int listed = 0;
    size_t w = strlen(p->code);
    for (const char *q = next->products; *q;) {
        while (*q == ' ')
            q++;
        size_t k = strcspn(q, " ");
        listed |= k == w && strncmp(q, p->code, w) == 0;
        q += k;
    }
    if (!listed)
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: %s cannot give dose %d (%s) after this series; allowed: %s."),
                        p->code, number, vax_dose_kind_label(next->kind),
                        next->products[0] ? next->products : "-");
    if (next->latest[0] && strcmp(today, next->latest) > 0) {
        vax_date_dmy(next->latest, dmy);
        return vax_fail(db, VAX_EINVAL, "additional",
                        _("Dose %d: an additional dose is given by %s at the latest; later, the "
                          "next dose is a booster."),
                        number, dmy);
    }
    if (vax_date_diff(today, next->earliest, &days) == VAX_OK && days > 0) {
        vax_date_dmy(next->earliest, dmy);
        if (!reason_given(in->override_reason))
            return vax_fail(db, VAX_ESTATE, "override",
                            _("Interval: dose %d (%s) may be given from %s, %d days from now. A "
                              "doctor may override with a reason."),
                            number, vax_dose_kind_label(next->kind), dmy, days);
        if (!may_override_interval(db))
            return vax_fail(db, VAX_EPERM, "override",
                            _("Interval: dose %d may be given from %s; only a doctor or a "
                              "manager may override."),
                            number, dmy);
    }
    return VAX_OK;
}

/* Checks the series rules for dose `number` of product p to person_id (inside the transaction). */
static int check_series(vax_db *db, int64_t person_id, int number, const vax_product *p,
                        const vax_lot *lot, const vax_dose_in *in)
{
    vax_dose prev;
    int found = 0, given = 0, rc;
    if ((rc = same_number_given(db, person_id, number, &given)) != VAX_OK)
        return rc;
    if (given) {
        if (!reason_given(in->override_reason))
            return vax_fail(db, VAX_EEXIST, "override",
                            _("Dose %d: this person already has a dose %d; a manager may record "
                              "another only with a reason."),
                            number, number);
        if (!actor_is(db, VAX_ACT_OVERRIDE))
            return vax_fail(db, VAX_EPERM, "override",
                            _("Dose %d: this person already has a dose %d; only a manager may "
                              "record another."),
                            number, number);
    }
    if (p->components == 2 && lot->component && lot->component != number)
        return vax_fail(db, VAX_EINVAL, "vial",
                        _("Vial: lot %s is component %d of %s; dose %d needs component %d."),
                        lot->lot_no, lot->component, p->name, number, number > 2 ? 2 : number);
    if ((rc = previous_dose(db, person_id, number, &prev, &found)) != VAX_OK)
        return rc;
    if (!found)
        return in->additional ? not_additional(db, number) : VAX_OK;
    vax_sched_next next;
    char rules_day[11];
    vax_local_date(vax_now(), rules_day);
    if ((rc = vax_schedule_person(db, person_id, number, rules_day, in->additional, &next)) !=
        VAX_OK)
        return rc;
    if (next.none || next.kind != VAX_KIND_PRIMARY || in->additional)
        return check_beyond_series(db, number, p, &next, rules_day, in);
    vax_product pp;
    if (vax_product_get(db, prev.product, &pp) != VAX_OK) {
        vax_clear_error(db); /* a dose from a product no longer in the catalogue: no rule */
        return VAX_OK;
    }
    /* mixing and intervals as the Ministry's dispatches stood on the day of this dose */
    vax_product_rules_on(&pp, rules_day, NULL, 0);
    if (!vax_product_may_follow(&pp, p->code))
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: dose %d of %s cannot follow %s (dose %d); allowed: %s."),
                        number, p->code, pp.code, prev.dose_number, pp.next);
    int after = prev.dose_number;
    int min_days = after >= 1 && after <= VAX_MAX_SERIES ? pp.min_interval_days[after] : 0;
    char then[11], today[11];
    int64_t d0, d1;
    vax_local_date(prev.given_at, then);
    vax_local_date(vax_now(), today);
    if (vax_date_to_days(then, &d0) != VAX_OK || vax_date_to_days(today, &d1) != VAX_OK)
        return vax_fail(db, VAX_EINTERNAL, NULL, "%s", _("Dose: a date could not be read."));
    if (min_days > 0 && d1 - d0 < min_days) {
        char earliest[11], then_dmy[11];
        vax_days_to_date(d0 + min_days, earliest);
        vax_date_dmy(earliest, earliest);
        vax_date_dmy(then, then_dmy);
        if (!reason_given(in->override_reason))
            return vax_fail(db, VAX_ESTATE, "override",
                            _("Interval: dose %d was given on %s, %d days ago; %s needs at least "
                              "%d days (from %s). A doctor may override with a reason."),
                            prev.dose_number, then_dmy, (int)(d1 - d0), pp.code, min_days,
                            earliest);
        if (!may_override_interval(db))
            return vax_fail(db, VAX_EPERM, "override",
                            _("Interval: only %d days since dose %d (at least %d); only a doctor "
                              "or a manager may override."),
                            (int)(d1 - d0), prev.dose_number, min_days);
    }
    return VAX_OK;
}

/* A minor's guardian is on record, and the product's ages as the Ministry's rules stand today
 * (dose-rules.conf, products.conf): a product for another age band is refused, whatever the
 * history (no override: a child's formulation is another dose, not a matter of judgement). */
static int check_age(vax_db *db, int64_t person_id, const vax_product *p)
{
    vax_person who;
    vax_product rules = *p;
    char today[11];
    int rc, age;
    if ((rc = vax_person_get(db, person_id, &who)) != VAX_OK)
        return rc;
    vax_local_date(vax_now(), today);
    vax_product_rules_on(&rules, today, NULL, 0);
    age = vax_age_on(who.birth_date, today);
    if (age >= 0 && age < VAX_ADULT_AGE) {
        /* a minor comes with a parent or guardian, who is reached if anything follows */
        vax_guardian g;
        rc = vax_person_guardian_get(db, person_id, &g);
        if (rc == VAX_ENOTFOUND)
            return vax_fail(db, VAX_EINVAL, "guardian",
                            _("Guardian: %s is %d; record the parent's or guardian's name and "
                              "phone first."),
                            who.full_name, age);
        if (rc != VAX_OK)
            return rc;
    }
    if (age < 0 || (age >= rules.min_age && (!rules.max_age || age <= rules.max_age)))
        return VAX_OK;
    if (rules.max_age && rules.max_age < rules.min_age)
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: %s is not given at any age today (no rule in force allows "
                          "it)."),
                        p->code);
    if (rules.max_age)
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: %s is given from %d to %d years of age; this person is %d."),
                        p->code, rules.min_age, rules.max_age, age);
    return vax_fail(db, VAX_EINVAL, "product",
                    _("Product: %s is given from %d years of age; this person is %d."), p->code,
                    rules.min_age, age);
}

/* Each injection room gives doses from its own open vials: a vial opened in another room is
 * refused. The visit's station is its room once an injection room called it (a visit moved
 * straight into injection still names its screening desk, which has no vials to compare). */
static int same_room(vax_db *db, const vax_visit *v, const vax_vial *vial)
{
    char room[64], other[64];
    if (strncmp(v->station, "injection", 9) != 0 || vax_desk_same(v->station, vial->station))
        return VAX_OK;
    vax_desk_name(db, v->station, room, sizeof room);
    vax_desk_name(db, vial->station, other, sizeof other);
    return vax_fail(db, VAX_ESTATE, "vial",
                    _("Vial of lot %s is open in %s; %s gives doses only from its own vials."),
                    vial->lot_no, other, room);
}

int vax_dose_give(vax_db *db, const vax_dose_in *in, vax_dose *out)
{
    vax_visit v;
    vax_vial vial;
    vax_lot lot;
    vax_product p;
    char uuid[37], details[400];
    int computed = 0, number, rc;
    int64_t now = vax_now(), id;
    sqlite3_stmt *st;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CALL_INJECT)) != VAX_OK)
        return rc;
    if (in->arm != VAX_ARM_LEFT && in->arm != VAX_ARM_RIGHT)
        return vax_fail(db, VAX_EINVAL, "arm", "%s", _("Arm: left or right."));
    if (in->dose_number < 0 || in->dose_number > 10)
        return vax_fail(db, VAX_EINVAL, "dose_number", _("Dose number: %d is not possible."),
                        in->dose_number);
    if ((in->number_reason && strlen(in->number_reason) >= 200) ||
        (in->override_reason && strlen(in->override_reason) >= 200))
        return vax_fail(db, VAX_EINVAL, "reason", "%s", _("Reason: keep it under 200 characters."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_visit_get(db, in->visit_id, &v)) != VAX_OK)
        goto fail;
    if (v.state != VAX_STATE_INJECTION || !vax_state_can_move(v.state, VAX_STATE_OBSERVING)) {
        rc = vax_fail(db, VAX_ESTATE, "visit",
                      _("Ticket %03d is \"%s\"; a dose is recorded only in injection."), v.ticket,
                      vax_state_label(v.state));
        goto fail;
    }
    if ((rc = vax_stock_vial_get(db, in->vial_id, &vial)) != VAX_OK)
        goto fail;
    if ((rc = same_room(db, &v, &vial)) != VAX_OK)
        goto fail;
    if ((rc = vax_stock_lot_get(db, vial.lot_id, &lot)) != VAX_OK ||
        (rc = vax_product_get(db, lot.product, &p)) != VAX_OK)
        goto fail;
    if ((rc = check_age(db, v.person_id, &p)) != VAX_OK)
        goto fail;
    if ((rc = vax_dose_next_number(db, v.person_id, &computed)) != VAX_OK)
        goto fail;
    number = in->dose_number ? in->dose_number : computed;
    if (number != computed && !reason_given(in->number_reason)) {
        rc = vax_fail(db, VAX_EINVAL, "dose_number",
                      _("Dose number: the history gives dose %d; say why this is dose %d."),
                      computed, number);
        goto fail;
    }
    if ((rc = check_series(db, v.person_id, number, &p, &lot, in)) != VAX_OK)
        goto fail;
    /* the vial last among the checks: the draw is the first write */
    if ((rc = vax_stock_draw_locked(db, in->vial_id, &vial)) != VAX_OK)
        goto fail;
    if ((rc = vax_uuid(uuid)) != VAX_OK)
        goto fail;
    st = vax_stmt(db, "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at,"
                      " lot_no, series, lot_id, vial_id, arm, vaccinator, station, number_reason,"
                      " override_reason, created_at, updated_at, updated_by, additional)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                      " ?6, ?6, ?12, ?16)");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, v.person_id);
    sqlite3_bind_int64(st, 3, v.id);
    sqlite3_bind_text(st, 4, p.code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, number);
    sqlite3_bind_int64(st, 6, now);
    sqlite3_bind_text(st, 7, lot.lot_no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, VAX_SERIES_PRIMARY, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, lot.id);
    sqlite3_bind_int64(st, 10, vial.id);
    sqlite3_bind_text(st, 11, vax_arm_code(in->arm), -1, SQLITE_STATIC);
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 12, vax_actor_id(db));
    sqlite3_bind_text(st, 13, v.station, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 14, number != computed ? in->number_reason : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 15, reason_given(in->override_reason) ? in->override_reason : "", -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 16, in->additional ? 1 : 0);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("recording a dose"));
        goto fail;
    }
    id = sqlite3_last_insert_rowid(db->sql);
    snprintf(details, sizeof details, "dose %d %s lot %s %s", number, p.code, lot.lot_no,
             vax_arm_code(in->arm));
    if ((rc = vax_queue_move_locked(db, &v, VAX_STATE_OBSERVING, NULL, details)) != VAX_OK)
        goto fail;
    if (reason_given(in->override_reason) || number != computed) {
        if ((rc = vax_auditf(db, "dose.override", "dose", id, "dose %d (history: %d) %s / %s",
                             number, computed, in->number_reason ? in->number_reason : "",
                             in->override_reason ? in->override_reason : "")) != VAX_OK)
            goto fail;
    }
    if (out && (rc = vax_dose_get(db, id, out)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* One later dose one number down, if that number is free in its series; its certificate in force
 * is marked as printing a number that changed. */
static int renumber_one(vax_db *db, int64_t id, int64_t person, const char *series, int to)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT 1 FROM dose WHERE person_id = ?1 AND series = ?2 AND"
                                    " dose_number = ?3 AND voided = 0");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person);
    sqlite3_bind_text(st, 2, series, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, to);
    int taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (taken || to < 1)
        return VAX_OK;
    st = vax_stmt(db, "UPDATE dose SET dose_number = ?2 WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, to);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("voiding a dose"));
    st = vax_stmt(db, "UPDATE certificate SET stale = trim(stale || ' dose_number')"
                      " WHERE dose_id = ?1 AND revoked_at = 0 AND instr(stale, 'dose_number') = 0");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("voiding a dose"));
}

int vax_dose_renumber(vax_db *db, const char *later)
{
    enum { MAX = 16 };
    int64_t ids[MAX], persons[MAX];
    int numbers[MAX], n = 0, rc = SQLITE_DONE;
    char series[MAX][16];
    if (!later || !*later)
        return VAX_OK;
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT d.id, d.dose_number, d.person_id, d.series FROM json_each(?1) j JOIN dose d ON"
            " d.uuid = j.value WHERE d.voided = 0 ORDER BY d.dose_number");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, later, -1, SQLITE_TRANSIENT);
    while (n < MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ids[n] = sqlite3_column_int64(st, 0);
        numbers[n] = sqlite3_column_int(st, 1);
        persons[n] = sqlite3_column_int64(st, 2);
        vax_strlcpy(series[n], vax_col_text(st, 3), sizeof series[n]);
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("voiding a dose"));
    for (int i = 0; i < n; i++)
        if ((rc = renumber_one(db, ids[i], persons[i], series[i], numbers[i] - 1)) != VAX_OK)
            return rc;
    return VAX_OK;
}

int vax_dose_renumber_after(vax_db *db, int64_t dose_id)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " VAX_LATER_DOSES("v") " FROM dose v WHERE v.id = ?1");
    char *later = NULL;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, dose_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && !(later = strdup(vax_col_text(st, 0))))
        rc = SQLITE_NOMEM;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        free(later);
        return rc == SQLITE_DONE    ? VAX_OK
               : rc == SQLITE_NOMEM ? VAX_ENOMEM
                                    : vax_fail_sql(db, rc, _("voiding a dose"));
    }
    rc = vax_dose_renumber(db, later);
    free(later);
    return rc;
}

/* Voids a dose: the signed-in member's role must allow it, or `manager` (who confirmed at this
 * station with their login and PIN) is named in the audit row beside the actor. */
static int dose_void(vax_db *db, int64_t dose_id, const char *reason, const vax_staff *manager)
{
    vax_dose d;
    int rc;
    if (!manager && (rc = vax_require(db, VAX_ACT_OVERRIDE)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_dose_get(db, dose_id, &d)) != VAX_OK)
        goto fail;
    sqlite3_stmt *st = vax_stmt(db, "UPDATE dose SET voided = 1, void_reason = ?2, updated_at = ?3,"
                                    " updated_by = ?4 WHERE id = ?1 AND voided = 0");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, dose_id);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, vax_now());
    sqlite3_bind_int64(st, 4, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("voiding a dose"));
        goto fail;
    }
    if (sqlite3_changes(db->sql) != 1) {
        rc = vax_fail(db, VAX_ESTATE, "dose", "%s", _("Dose: already voided."));
        goto fail;
    }
    rc = manager ? vax_auditf(db, "dose.void", "dose", dose_id, "%s (confirmed by %s)", reason,
                              manager->login)
                 : vax_audit(db, "dose.void", "dose", dose_id, reason);
    if (rc != VAX_OK)
        goto fail;
    /* a certificate must not go on saying a dose that the record no longer holds; the doses
     * after it take their numbers from the history as it now is */
    if ((rc = vax_cert_revoke_for_dose_locked(db, dose_id, reason)) != VAX_OK ||
        (rc = vax_dose_renumber_after(db, dose_id)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_dose_void(vax_db *db, int64_t dose_id, const char *reason)
{
    vax_clear_error(db);
    if (!reason_given(reason))
        return vax_fail(db, VAX_EINVAL, "reason", "%s",
                        _("Reason: say why the dose record is wrong."));
    return dose_void(db, dose_id, reason, NULL);
}

int vax_dose_void_confirmed(vax_db *db, int64_t dose_id, const char *reason, const char *login,
                            const char *pin)
{
    vax_staff manager;
    int rc;
    vax_clear_error(db);
    if (!reason_given(reason))
        return vax_fail(db, VAX_EINVAL, "reason", "%s",
                        _("Reason: say why the dose record is wrong."));
    if ((rc = vax_staff_confirm(db, login, pin, VAX_ACT_OVERRIDE, &manager)) != VAX_OK)
        return rc;
    return dose_void(db, dose_id, reason, &manager);
}

/* ---- demo -------------------------------------------------------------------------------- */

int vax_dose_demo(vax_db *db, const vax_visit *v)
{
    vax_vial open[8];
    vax_visit now;
    int n = 0, rc;
    /* the vials of the room that called the visit (as it is now, not as the caller read it) */
    if ((rc = vax_visit_get(db, v->id, &now)) != VAX_OK ||
        (rc = vax_stock_open_vials(db, now.station, open, 8, &n)) != VAX_OK)
        return rc;
    for (int i = 0; i < n; i++) {
        if (open[i].remaining <= 0 || open[i].minutes_left <= 0)
            continue;
        vax_dose_in in = {v->id, open[i].id, v->ticket % 2 ? VAX_ARM_LEFT : VAX_ARM_RIGHT, 0, NULL,
                          NULL,  0};
        return vax_dose_give(db, &in, NULL);
    }
    return vax_fail(db, VAX_ESTATE, "vial", "%s", _("Vial: the demo has no open vial."));
}
