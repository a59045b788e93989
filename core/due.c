/* due.c: next-dose due dates from the catalogue's intervals, the due list, the interval rule. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PRODUCTS 32

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

/* ---- the schedule: primary series, additional dose, boosters -------------------------------- */

static const char *const kind_words[] = {N_("primary"), N_("additional"), N_("booster")};

const char *vax_dose_kind_label(vax_dose_kind k)
{
    return (unsigned)k <= VAX_KIND_BOOSTER ? _(kind_words[k]) : "?";
}

static const vax_product *find_code(const vax_product *ps, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcmp(ps[i].code, code) == 0)
            return &ps[i];
    return NULL;
}

static int word_in(const char *list, const char *word, size_t n)
{
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == n && n > 0 && strncmp(p, word, n) == 0)
            return 1;
        p += w;
    }
    return 0;
}

/* Adds to `out` each word of `list` that names a product of the catalogue allowed at `age` and
 * is not there yet. */
static void add_allowed(char *out, size_t size, const char *list, const vax_product *cat, int ncat,
                        int age)
{
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        char code[16];
        if (w > 0 && w < sizeof code) {
            memcpy(code, p, w);
            code[w] = 0;
            const vax_product *c = find_code(cat, ncat, code);
            size_t used = strlen(out);
            if (c && (age < 0 || (age >= c->min_age && (!c->max_age || age <= c->max_age))) &&
                !word_in(out, code, w) && used + w + 2 < size)
                snprintf(out + used, size - used, "%s%s", used ? " " : "", code);
        }
        p += w;
    }
}

int vax_schedule_next(const vax_product *cat, int ncat, const vax_sched_dose *hist, int n, int age,
                      int immunocompromised, vax_sched_next *out)
{
    memset(out, 0, sizeof *out);
    out->number = n + 1;
    if (n <= 0) {
        for (int i = 0; i < ncat; i++)
            add_allowed(out->products, sizeof out->products, cat[i].code, cat, ncat, age);
        return VAX_OK;
    }
    const vax_product *first = find_code(cat, ncat, hist[0].product);
    const vax_product *last = find_code(cat, ncat, hist[n - 1].product);
    const char *last_day = hist[n - 1].day;
    if (!first || !last) { /* a product the catalogue does not know: no rule to follow */
        out->none = 1;
        return VAX_OK;
    }
    int primary = first->series_doses;
    if (n < primary && n <= VAX_MAX_SERIES) {
        /* the primary series goes on by the previous dose's product, as dose.c checks it */
        out->kind = VAX_KIND_PRIMARY;
        if (vax_date_add(last_day, last->min_interval_days[n], out->earliest) != VAX_OK ||
            vax_date_add(last_day, last->rec_interval_days[n], out->recommended) != VAX_OK)
            return VAX_EINVAL;
        add_allowed(out->products, sizeof out->products, last->next, cat, ncat, age);
        return VAX_OK;
    }
    /* past the series: what may follow is what any product of the primary series allows (a
     * series AstraZeneca then Pfizer takes a booster of either's list); the intervals are those
     * of the product that began it */
    int additional = 0;
    for (int i = primary; i < n; i++)
        additional |= hist[i].additional;
    int boosters = n - primary - additional;
    char allowed[128] = "";
    for (int i = 0; i < primary && i < n; i++) {
        const vax_product *c = find_code(cat, ncat, hist[i].product);
        if (c)
            add_allowed(allowed, sizeof allowed, c->booster_next, cat, ncat, age);
    }
    if (age >= 0 && age < first->booster_min_age) {
        out->none = 1;
        return VAX_OK;
    }
    if (immunocompromised && !additional && boosters == 0 && first->additional_min > 0) {
        out->kind = VAX_KIND_ADDITIONAL;
        if (vax_date_add(last_day, first->additional_min, out->earliest) != VAX_OK)
            return VAX_EINVAL;
        vax_strlcpy(out->recommended, out->earliest, sizeof out->recommended);
        if (first->additional_max > 0 &&
            vax_date_add(last_day, first->additional_max, out->latest) != VAX_OK)
            return VAX_EINVAL;
        vax_strlcpy(out->products, allowed, sizeof out->products);
        return VAX_OK;
    }
    int k = boosters + 1;
    if (k > VAX_MAX_SERIES || first->booster_min[k] <= 0 || !allowed[0]) {
        out->none = 1;
        return VAX_OK;
    }
    out->kind = VAX_KIND_BOOSTER;
    out->booster = k;
    if (vax_date_add(last_day, first->booster_min[k], out->earliest) != VAX_OK ||
        vax_date_add(last_day, first->booster_rec[k], out->recommended) != VAX_OK)
        return VAX_EINVAL;
    vax_strlcpy(out->products, allowed, sizeof out->products);
    return VAX_OK;
}

#define MAX_HISTORY 16

/* Adds dose `number` (1-based) to a history read in dose-number order: a second row of the same
 * number replaces the first (the latest counts), and a gap (a certificate from elsewhere said
 * dose 2 where dose 1 was never recorded) is filled with this dose, which stands for the missing
 * one as the dose number's count does elsewhere. */
static void history_put(vax_sched_dose *h, int *n, int number, const char *product,
                        int64_t given_at, int additional)
{
    vax_sched_dose d;
    memset(&d, 0, sizeof d);
    vax_strlcpy(d.product, product, sizeof d.product);
    vax_local_date(given_at, d.day);
    d.additional = additional;
    if (number < 1 || number > MAX_HISTORY)
        return;
    while (*n < number - 1)
        h[(*n)++] = d;
    h[number - 1] = d;
    if (*n < number)
        *n = number;
}

/* Fills the due fields of `out` from a history (the person's fields are the caller's). */
static int due_from_history(const vax_product *cat, int ncat, const vax_sched_dose *h, int n,
                            int age, const char *today, vax_due *out)
{
    vax_sched_next next;
    int days, rc;
    out->doses = n;
    out->next_dose = n + 1;
    out->kind = VAX_KIND_PRIMARY;
    out->earliest[0] = out->recommended[0] = out->last_day[0] = out->product[0] = 0;
    out->days_overdue = out->days_to_earliest = 0;
    if (n <= 0) {
        out->state = VAX_DUE_NONE;
        return VAX_OK;
    }
    vax_strlcpy(out->last_day, h[n - 1].day, sizeof out->last_day);
    vax_strlcpy(out->product, h[n - 1].product, sizeof out->product);
    if ((rc = vax_schedule_next(cat, ncat, h, n, age, 0, &next)) != VAX_OK)
        return rc;
    if (next.none) {
        out->state = VAX_DUE_COMPLETE;
        return VAX_OK;
    }
    out->kind = next.kind;
    vax_strlcpy(out->earliest, next.earliest, sizeof out->earliest);
    vax_strlcpy(out->recommended, next.recommended, sizeof out->recommended);
    if (vax_date_diff(today, out->earliest, &days) != VAX_OK)
        return VAX_EINVAL;
    if (days > 0) {
        out->state = VAX_DUE_NOT_YET;
        out->days_to_earliest = days;
        return VAX_OK;
    }
    /* a booster has no advised day to be late for: "at least N months after" */
    vax_date_diff(out->recommended, today, &days);
    out->state = days > 0 && next.kind == VAX_KIND_PRIMARY ? VAX_DUE_OVERDUE : VAX_DUE_DUE;
    out->days_overdue = out->state == VAX_DUE_OVERDUE ? days : 0;
    return VAX_OK;
}

static int read_history(vax_db *db, int64_t person_id, int below, vax_sched_dose *h, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT product, dose_number, given_at, additional FROM dose"
                                    " WHERE person_id = ?1 AND voided = 0"
                                    " AND (?2 = 0 OR dose_number < ?2)"
                                    " ORDER BY dose_number, given_at, id");
    int rc;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_int(st, 2, below);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        history_put(h, n, sqlite3_column_int(st, 1), vax_col_text(st, 0),
                    sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("reading the doses given"));
}

int vax_schedule_person(vax_db *db, int64_t person_id, int below, const char *day,
                        int immunocompromised, vax_sched_next *out)
{
    vax_sched_dose h[MAX_HISTORY];
    vax_product *cat = calloc(MAX_PRODUCTS, sizeof *cat);
    vax_person p;
    int n = 0, ncat = 0, rc;
    if (!cat)
        return VAX_ENOMEM;
    if ((rc = vax_person_get(db, person_id, &p)) != VAX_OK ||
        (rc = read_history(db, person_id, below, h, &n)) != VAX_OK ||
        (rc = vax_product_list_on(db, day, cat, MAX_PRODUCTS, &ncat)) != VAX_OK)
        goto out;
    rc = vax_schedule_next(cat, ncat, h, n, vax_age_on(p.birth_date, day), immunocompromised, out);
    if (rc != VAX_OK)
        rc = vax_fail(db, rc, NULL, "%s", _("The dose dates of this person cannot be read."));
out:
    free(cat);
    return rc;
}

int vax_schedule_for_person(vax_db *db, int64_t person_id, vax_sched_next *out)
{
    char today[11];
    vax_clear_error(db);
    vax_local_date(vax_now(), today);
    return vax_schedule_person(db, person_id, 0, today, 0, out);
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
    vax_sched_dose h[MAX_HISTORY];
    vax_product *cat = NULL;
    char today[11];
    int n = 0, ncat = 0, rc;
    memset(out, 0, sizeof *out);
    if ((rc = vax_person_get(db, person_id, &p)) != VAX_OK)
        return rc;
    out->person_id = p.id;
    vax_strlcpy(out->full_name, p.full_name, sizeof out->full_name);
    vax_strlcpy(out->national_id, p.national_id, sizeof out->national_id);
    vax_strlcpy(out->phone, p.phone, sizeof out->phone);
    vax_strlcpy(out->commune, p.commune, sizeof out->commune);
    vax_local_date(vax_now(), today);
    if (!(cat = calloc(MAX_PRODUCTS, sizeof *cat)))
        return VAX_ENOMEM;
    if ((rc = read_history(db, person_id, 0, h, &n)) != VAX_OK ||
        (rc = vax_product_list_on(db, today, cat, MAX_PRODUCTS, &ncat)) != VAX_OK)
        goto out;
    if (due_from_history(cat, ncat, h, n, vax_age_on(p.birth_date, today), today, out) != VAX_OK) {
        rc = vax_fail(db, VAX_EINVAL, NULL, "%s",
                      _("The dose dates of this person cannot be read."));
        goto out;
    }
    rc = booked_from(db, person_id, today, out->booked_day);
out:
    free(cat);
    return rc;
}

/* ---- the due list ------------------------------------------------------------------------- */

/* 1 if the filter keeps d. */
static int due_keep(const vax_due_filter *f, const char *commune, const vax_due *d)
{
    if (!f)
        return 1;
    if (f->product[0] && strcmp(f->product, d->product) != 0)
        return 0;
    if (f->only_overdue && d->state != VAX_DUE_OVERDUE)
        return 0;
    if (d->state == VAX_DUE_NOT_YET && !f->include_not_yet && !f->only_overdue)
        return 0;
    if (d->state == VAX_DUE_COMPLETE && !f->include_complete)
        return 0;
    if (f->due_by[0] && (!d->earliest[0] || strcmp(d->earliest, f->due_by) > 0))
        return 0;
    if (commune) {
        char *c = vax_text_fold(d->commune);
        int match = c && strstr(c, commune) != NULL;
        free(c);
        if (!match)
            return 0;
    }
    return 1;
}

int vax_due_list(vax_db *db, const vax_due_filter *f, int (*fn)(const vax_due *d, void *ctx),
                 void *ctx)
{
    /* every valid dose, a person's together in dose-number order: the schedule reads the whole
     * history (a booster follows the series of the product that began it) */
    static const char sql[] =
        "SELECT p.id, p.full_name, p.national_id, p.phone, p.commune, p.birth_date, d.product,"
        " d.dose_number, d.given_at, d.additional,"
        " (SELECT min(a.day) FROM appointment a WHERE a.person_id = p.id AND a.state = 'booked'"
        "   AND a.day >= ?1)"
        " FROM dose d JOIN person p ON p.id = d.person_id WHERE d.voided = 0"
        " ORDER BY p.id, d.dose_number, d.given_at, d.id";
    vax_product *products = calloc(MAX_PRODUCTS, sizeof *products);
    vax_sched_dose h[MAX_HISTORY];
    vax_due d;
    char today[11], birth[11] = "", *commune = NULL;
    sqlite3_stmt *st = NULL;
    int nprod = 0, rc, stop = 0, n = 0;
    int64_t id = 0;
    if (!products)
        return VAX_ENOMEM;
    vax_clear_error(db);
    vax_local_date(vax_now(), today);
    if ((rc = vax_product_list_on(db, today, products, MAX_PRODUCTS, &nprod)) != VAX_OK)
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
    memset(&d, 0, sizeof d);
    for (;;) {
        rc = sqlite3_step(st);
        int64_t next_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        if (id && next_id != id) { /* the person before is whole */
            if (due_from_history(products, nprod, h, n, vax_age_on(birth, today), today, &d) ==
                    VAX_OK &&
                due_keep(f, commune, &d) && (stop = fn(&d, ctx)) != 0)
                break;
        }
        if (rc != SQLITE_ROW)
            break;
        if (next_id != id) {
            id = next_id;
            n = 0;
            memset(&d, 0, sizeof d);
            d.person_id = id;
            vax_strlcpy(d.full_name, vax_col_text(st, 1), sizeof d.full_name);
            vax_strlcpy(d.national_id, vax_col_text(st, 2), sizeof d.national_id);
            vax_strlcpy(d.phone, vax_col_text(st, 3), sizeof d.phone);
            vax_strlcpy(d.commune, vax_col_text(st, 4), sizeof d.commune);
            vax_strlcpy(birth, vax_col_text(st, 5), sizeof birth);
            vax_strlcpy(d.booked_day, vax_col_text(st, 10), sizeof d.booked_day);
        }
        history_put(h, &n, sqlite3_column_int(st, 7), vax_col_text(st, 6),
                    sqlite3_column_int64(st, 8), sqlite3_column_int(st, 9));
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
