/* due.c: next-dose due dates from the catalogue's intervals, the due list, the interval rule. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- due state ----------------------------------------------------------------------------- */

static const char *const due_words[] = {N_("No dose yet"), N_("Not due yet"), N_("Due"),
                                        N_("Overdue"), N_("Complete")};

const char *vax_due_state_label(vax_due_state s)
{
    return (unsigned)s <= VAX_DUE_COMPLETE ? _(due_words[s]) : "?";
}

int vax_due_compute(const vax_product *p, int doses, const char *last_day, const char *today,
                    vax_due *out)
{
    out->doses = doses;
    out->next_dose = doses + 1;
    out->earliest[0] = out->recommended[0] = 0;
    out->days_overdue = out->days_to_earliest = 0;
    vax_strlcpy(out->last_day, doses > 0 ? last_day : "", sizeof out->last_day);
    if (doses <= 0) {
        out->state = VAX_DUE_NONE;
        return VAX_OK;
    }
    if (!p || doses >= p->series_doses || doses > VAX_MAX_SERIES) {
        out->state = VAX_DUE_COMPLETE;
        return VAX_OK;
    }
    int days;
    if (vax_date_add(last_day, p->min_interval_days[doses], out->earliest) != VAX_OK ||
        vax_date_add(last_day, p->rec_interval_days[doses], out->recommended) != VAX_OK)
        return VAX_EINVAL;
    if (vax_date_diff(today, out->earliest, &days) != VAX_OK)
        return VAX_EINVAL;
    if (days > 0) {
        out->state = VAX_DUE_NOT_YET;
        out->days_to_earliest = days;
        return VAX_OK;
    }
    vax_date_diff(out->recommended, today, &days);
    out->state = days > 0 ? VAX_DUE_OVERDUE : VAX_DUE_DUE;
    out->days_overdue = days > 0 ? days : 0;
    return VAX_OK;
}

/* The last valid dose of a person: product, number, time. VAX_ENOTFOUND when none. Plain SQL on
 * the columns the dose table has had since schema 2. */
static int last_dose(vax_db *db, int64_t person_id, char product[16], int *number, int64_t *at)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT product, dose_number, given_at FROM dose"
                                    " WHERE person_id = ?1 AND voided = 0"
                                    " ORDER BY dose_number DESC, given_at DESC LIMIT 1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        vax_strlcpy(product, vax_col_text(st, 0), 16);
        *number = sqlite3_column_int(st, 1);
        *at = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return VAX_ENOTFOUND;
    return vax_fail_sql(db, rc, _("reading the doses given"));
}

static int booked_from(vax_db *db, int64_t person_id, const char *today, char out[11])
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT min(day) FROM appointment WHERE person_id = ?1"
                                    " AND state = 'booked' AND day >= ?2");
    int rc;
    out[0] = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        vax_strlcpy(out, vax_col_text(st, 0), 11);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading appointments"));
}

int vax_due_for_person(vax_db *db, int64_t person_id, vax_due *out)
{
    vax_person p;
    vax_product prod;
    char today[11], product[16] = "", last[11] = "";
    int number = 0, rc;
    int64_t at = 0;
    memset(out, 0, sizeof *out);
    if ((rc = vax_person_get(db, person_id, &p)) != VAX_OK)
        return rc;
    out->person_id = p.id;
    vax_strlcpy(out->full_name, p.full_name, sizeof out->full_name);
    vax_strlcpy(out->national_id, p.national_id, sizeof out->national_id);
    vax_strlcpy(out->phone, p.phone, sizeof out->phone);
    vax_strlcpy(out->commune, p.commune, sizeof out->commune);
    vax_local_date(vax_now(), today);
    rc = last_dose(db, person_id, product, &number, &at);
    if (rc != VAX_OK && rc != VAX_ENOTFOUND)
        return rc;
    if (rc == VAX_OK)
        vax_local_date(at, last);
    vax_strlcpy(out->product, product, sizeof out->product);
    int have = number > 0 && vax_product_get(db, product, &prod) == VAX_OK;
    vax_clear_error(db);
    if ((rc = vax_due_compute(have ? &prod : NULL, number, last, today, out)) != VAX_OK)
        return vax_fail(db, rc, NULL, _("The dose dates of this person cannot be read."));
    return booked_from(db, person_id, today, out->booked_day);
}

/* ---- the due list ------------------------------------------------------------------------- */

#define MAX_PRODUCTS 32

static const vax_product *find_product(const vax_product *ps, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcmp(ps[i].code, code) == 0)
            return &ps[i];
    return NULL;
}

int vax_due_list(vax_db *db, const vax_due_filter *f, int (*fn)(const vax_due *d, void *ctx),
                 void *ctx)
{
    static const char sql[] =
        "SELECT p.id, p.full_name, p.national_id, p.phone, p.commune, d.product, d.dose_number,"
        " d.given_at,"
        " (SELECT min(a.day) FROM appointment a WHERE a.person_id = p.id AND a.state = 'booked'"
        "   AND a.day >= ?1)"
        " FROM (SELECT person_id, max(dose_number) AS n FROM dose WHERE voided = 0"
        "       GROUP BY person_id) m"
        " JOIN dose d ON d.person_id = m.person_id AND d.dose_number = m.n AND d.voided = 0"
        " JOIN person p ON p.id = m.person_id"
        " ORDER BY p.id, d.given_at DESC";
    vax_product *products = calloc(MAX_PRODUCTS, sizeof *products);
    char today[11], *commune = NULL;
    sqlite3_stmt *st = NULL;
    int nprod = 0, rc, stop = 0;
    int64_t last_id = 0;
    if (!products)
        return VAX_ENOMEM;
    vax_clear_error(db);
    vax_local_date(vax_now(), today);
    if ((rc = vax_product_list(db, products, MAX_PRODUCTS, &nprod)) != VAX_OK)
        goto out;
    if (f && f->commune[0] && !(commune = vax_text_fold(f->commune))) {
        rc = VAX_ENOMEM;
        goto out;
    }
    /* Its own statement: fn may read the database through the cached ones. */
    if ((rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL)) != SQLITE_OK) {
        rc = vax_fail_sql(db, rc, _("listing who is due"));
        goto out;
    }
    sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_due d;
        char last[11];
        int64_t id = sqlite3_column_int64(st, 0);
        if (id == last_id)
            continue; /* two valid rows with the same number: the latest counts */
        last_id = id;
        memset(&d, 0, sizeof d);
        d.person_id = id;
        vax_strlcpy(d.full_name, vax_col_text(st, 1), sizeof d.full_name);
        vax_strlcpy(d.national_id, vax_col_text(st, 2), sizeof d.national_id);
        vax_strlcpy(d.phone, vax_col_text(st, 3), sizeof d.phone);
        vax_strlcpy(d.commune, vax_col_text(st, 4), sizeof d.commune);
        vax_strlcpy(d.product, vax_col_text(st, 5), sizeof d.product);
        vax_strlcpy(d.booked_day, vax_col_text(st, 8), sizeof d.booked_day);
        vax_local_date(sqlite3_column_int64(st, 7), last);
        if (vax_due_compute(find_product(products, nprod, d.product), sqlite3_column_int(st, 6),
                            last, today, &d) != VAX_OK)
            continue;
        if (f) {
            if (f->product[0] && strcmp(f->product, d.product) != 0)
                continue;
            if (f->only_overdue && d.state != VAX_DUE_OVERDUE)
                continue;
            if (d.state == VAX_DUE_NOT_YET && !f->include_not_yet && !f->only_overdue)
                continue;
            if (d.state == VAX_DUE_COMPLETE && !f->include_complete)
                continue;
            if (f->due_by[0] && (!d.earliest[0] || strcmp(d.earliest, f->due_by) > 0))
                continue;
            if (commune) {
                char *c = vax_text_fold(d.commune);
                int match = c && strstr(c, commune) != NULL;
                free(c);
                if (!match)
                    continue;
            }
        }
        stop = fn(&d, ctx);
    }
    if (stop)
        rc = stop;
    else if (rc == SQLITE_DONE)
        rc = VAX_OK;
    else
        rc = vax_fail_sql(db, rc, _("listing who is due"));
out:
    sqlite3_finalize(st);
    free(commune);
    free(products);
    return rc;
}

/* ---- the interval rule --------------------------------------------------------------------- */

int vax_due_check_dose(vax_db *db, int64_t person_id, const char *product, int dose_number,
                       int64_t given_at, const char *override_reason)
{
    vax_product prev, next;
    char last_product[16] = "", last_day[11], day[11], earliest[11], dmy[11];
    int number = 0, rc, days;
    int64_t at = 0;
    const vax_staff *actor = vax_actor(db);
    /* doctors and managers may override an interval rule, always with a reason */
    int may_override = override_reason && override_reason[0] && actor &&
                       (actor->role == VAX_ROLE_DOCTOR || actor->role == VAX_ROLE_MANAGER ||
                        actor->role == VAX_ROLE_SYSTEM);
    vax_clear_error(db);
    if ((rc = vax_product_get(db, product, &next)) != VAX_OK)
        return rc;
    rc = last_dose(db, person_id, last_product, &number, &at);
    if (rc != VAX_OK && rc != VAX_ENOTFOUND)
        return rc;
    vax_clear_error(db);
    if (dose_number != number + 1 && !may_override)
        return vax_fail(db, VAX_EINVAL, "dose_number",
                        _("Dose number: this person has had %d dose(s), so this is dose %d; "
                          "a doctor may change it with a reason."),
                        number, number + 1);
    if (number == 0)
        return VAX_OK;
    if ((rc = vax_product_get(db, last_product, &prev)) != VAX_OK)
        return rc;
    if (!vax_product_may_follow(&prev, product) && !may_override)
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: a series begun with %s may continue only with %s, not %s; a "
                          "doctor may override with a reason."),
                        prev.name, prev.next, next.name);
    if (number > VAX_MAX_SERIES || number >= prev.series_doses)
        return VAX_OK; /* past the primary series: no interval in the catalogue */
    vax_local_date(at, last_day);
    vax_local_date(given_at, day);
    vax_date_add(last_day, prev.min_interval_days[number], earliest);
    if (vax_date_diff(earliest, day, &days) == VAX_OK && days < 0 && !may_override) {
        snprintf(dmy, sizeof dmy, "%.2s/%.2s/%.4s", earliest + 8, earliest + 5, earliest);
        return vax_fail(db, VAX_ESTATE, "given_at",
                        _("Interval: dose %d of %s comes at least %d days after dose %d; the "
                          "earliest day is %s (%d days from now). A doctor may override with a "
                          "reason."),
                        number + 1, prev.name, prev.min_interval_days[number], number, dmy, -days);
    }
    return VAX_OK;
}
