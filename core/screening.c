/* screening.c: the outcome of a pre-vaccination screening (answers, vital signs, age, dose
 * history, product rules) and the doctor's decision, recorded with the visit's move. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PRODUCTS 32
#define MAX_DOSES 16

void vax_screening_input_init(vax_screening_input *in)
{
    memset(in, 0, sizeof *in);
    for (int i = 0; i < VAX_CHECKLIST_MAX_VITALS; i++)
        in->vitals[i] = VAX_VITAL_NONE;
}

/* "36.6" from 366 with one decimal, "80" from 800 with none. */
static void vital_text(const vax_vital_def *v, int tenths, char *out, size_t size)
{
    if (v->decimals)
        snprintf(out, size, "%d.%d", tenths / 10, tenths % 10);
    else
        snprintf(out, size, "%d", (tenths + 5) / 10);
}

static int check_input(vax_db *db, const vax_checklist *c, const vax_screening_input *in)
{
    for (int i = 0; i < c->nitems; i++)
        if (in->answers[i] != 'y' && in->answers[i] != 'n')
            return vax_fail(db, VAX_EINVAL, c->items[i].key,
                            _("Question %d: answer yes or no (\"%s\")."), i + 1, c->items[i].text);
    for (int i = 0; i < c->nvitals; i++) {
        const vax_vital_def *v = &c->vitals[i];
        int x = in->vitals[i];
        char val[32], lo[32], hi[32];
        if (x == VAX_VITAL_NONE) {
            if (v->required)
                return vax_fail(db, VAX_EINVAL, v->key, _("%s: missing."), v->name);
            continue;
        }
        if (x < v->physical_lo || x > v->physical_hi) {
            vital_text(v, x < 0 ? 0 : x, val, sizeof val);
            vital_text(v, v->physical_lo, lo, sizeof lo);
            vital_text(v, v->physical_hi, hi, sizeof hi);
            return vax_fail(db, VAX_EINVAL, v->key,
                            _("%s: %s %s cannot be a real reading (%s to %s %s); is it a typing "
                              "error?"),
                            v->name, x < 0 ? "?" : val, v->unit, lo, hi, v->unit);
        }
    }
    if (memchr(in->notes, 0, sizeof in->notes) == NULL)
        return vax_fail(db, VAX_EINVAL, "notes", _("Notes: too long."));
    return VAX_OK;
}

/* ---- the proposal ------------------------------------------------------------------------ */

static void add_reason(vax_screening_proposal *p, vax_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_reason(vax_screening_proposal *p, vax_outcome o, const char *fmt, ...)
{
    va_list ap;
    if (o > p->outcome)
        p->outcome = o;
    if (p->nreasons == VAX_SCREENING_MAX_REASONS)
        return;
    vax_screening_reason *r = &p->reasons[p->nreasons++];
    r->outcome = o;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

/* The later of the return date and t + days, as a local date. */
static void return_after(vax_screening_proposal *p, int64_t t, int days)
{
    char d[11];
    vax_local_date(t + (int64_t)days * 86400, d);
    if (strcmp(d, p->return_date) > 0)
        vax_strlcpy(p->return_date, d, sizeof p->return_date);
}

static void append_word(char *list, size_t size, const char *w)
{
    size_t n = strlen(list);
    snprintf(list + n, size - n, "%s%s", n ? " " : "", w);
}

/* The person's usual reading (treated hypertension) and one this far above it: QĐ 4355/QĐ-BYT
 * counts a systolic pressure 30 mmHg above the daily one as abnormal even inside 90-140. */
static int above_usual(const vax_checklist *c, const vax_screening_input *in,
                       const vax_vital_def *vd, int x)
{
    for (int k = 0; k < c->nvitals; k++)
        if (strcmp(c->vitals[k].key, vd->baseline) == 0 && in->vitals[k] != VAX_VITAL_NONE)
            return x >= in->vitals[k] + vd->baseline_margin;
    return 0;
}

/* The rules of the visit's day, recorded with the screening: the form, then each dated product
 * rule applied (dose-rules.conf), one reason each. */
static void cite_rules(vax_screening_proposal *p, const vax_checklist *c, const char *day,
                       char *cite)
{
    char *save = NULL;
    add_reason(p, VAX_OUTCOME_ELIGIBLE, _("Rules of %s: form %s v%d (%s)."), day, c->code,
               c->version, c->source);
    for (char *s = strtok_r(cite, ";", &save); s; s = strtok_r(NULL, ";", &save))
        add_reason(p, VAX_OUTCOME_ELIGIBLE, _("Rule applied: %s."), s + (*s == ' '));
}

typedef struct dose_row {
    char product[16];
    int dose_number;
    int64_t given_at;
} dose_row;

static int read_doses(vax_db *db, int64_t person_id, dose_row *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT product, dose_number, given_at FROM dose"
                                    " WHERE person_id = ?1 AND voided = 0"
                                    " ORDER BY given_at, dose_number");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dose_row d;
        vax_strlcpy(d.product, vax_col_text(st, 0), sizeof d.product);
        d.dose_number = sqlite3_column_int(st, 1);
        d.given_at = sqlite3_column_int64(st, 2);
        if (*n < max)
            out[(*n)++] = d;
        else
            out[max - 1] = d; /* keep the last one */
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("reading doses"));
}

struct products {
    vax_product p[MAX_PRODUCTS];
    int n;
    int allowed[MAX_PRODUCTS];
    int ruled_out[MAX_PRODUCTS]; /* contraindicated (not merely "not the series' product") */
};

static void list_codes(const struct products *pr, const int *flags, char *out, size_t size)
{
    out[0] = 0;
    for (int i = 0; i < pr->n; i++)
        if (flags[i])
            append_word(out, size, pr->p[i].code);
}

static int compute(vax_db *db, const vax_visit *v, const vax_checklist *c,
                   const vax_screening_input *in, vax_screening_proposal *out)
{
    struct products *pr = calloc(1, sizeof *pr);
    dose_row doses[MAX_DOSES];
    vax_person person;
    char today[11], list[160], day[11];
    int64_t now = vax_now(), min_age = 0, caution_min = VAX_OBSERVE_CAUTION_MINUTES_DEFAULT;
    char cite[2048] = ""; /* every dated rule applied, "; "-joined (a dozen by 2022) */
    int ndoses = 0, rc;
    memset(out, 0, sizeof *out);
    out->outcome = VAX_OUTCOME_ELIGIBLE;
    if (!pr)
        return VAX_ENOMEM;
    if ((rc = vax_person_get(db, v->person_id, &person)) != VAX_OK ||
        (rc = read_doses(db, v->person_id, doses, MAX_DOSES, &ndoses)) != VAX_OK ||
        (rc = vax_product_list(db, pr->p, MAX_PRODUCTS, &pr->n)) != VAX_OK)
        goto out;
    /* no site limit unless a site sets one: the products' dated ages decide (dose-rules.conf) */
    min_age = vax_setting_int(db, "screening.min_age");
    caution_min = vax_setting_int(db, "screening.caution_observation_min");
    vax_clear_error(db);
    vax_local_date(now, today);
    vax_date_dmy(today, day);
    out->age = vax_age_on(person.birth_date, today);
    out->doses = ndoses;
    for (int i = 0; i < pr->n; i++) {
        pr->allowed[i] = 1;
        vax_product_rules_on(&pr->p[i], today, cite, sizeof cite);
    }
    cite_rules(out, c, day, cite);

    /* age: the site's limit, then each product's own */
    if (min_age > 0 && out->age < min_age) {
        add_reason(out, VAX_OUTCOME_CONTRAINDICATED,
                   _("Age %d: under %d, the youngest age vaccinated (setting screening.min_age)."),
                   out->age, (int)min_age);
        for (int i = 0; i < pr->n; i++)
            pr->allowed[i] = 0, pr->ruled_out[i] = 1;
    } else {
        list[0] = 0;
        for (int i = 0; i < pr->n; i++) {
            if (out->age < pr->p[i].min_age) {
                pr->allowed[i] = 0, pr->ruled_out[i] = 1;
                append_word(list, sizeof list, pr->p[i].code);
            } else if (pr->p[i].max_age && out->age > pr->p[i].max_age) {
                pr->allowed[i] = 0; /* a children's formulation: not a reason worth a line */
            }
        }
        if (list[0])
            add_reason(out, VAX_OUTCOME_ELIGIBLE, _("Age %d: too young for %s (product rule)."),
                       out->age, list);
    }

    /* dose history: the next dose must follow the series' product, after its interval */
    if (ndoses > 0) {
        const dose_row *last = &doses[ndoses - 1];
        vax_product lp;
        int known = vax_product_get(db, last->product, &lp) == VAX_OK;
        if (known)
            vax_product_rules_on(&lp, today, NULL, 0);
        if (!known) {
            vax_clear_error(db);
            add_reason(out, VAX_OUTCOME_CAUTION,
                       _("Dose %d was %s, which is not in the catalogue: check the card."),
                       last->dose_number, last->product);
        } else {
            for (int i = 0; i < pr->n; i++)
                if (!vax_product_may_follow(&lp, pr->p[i].code))
                    pr->allowed[i] = 0;
            vax_local_date(last->given_at, day);
            vax_date_dmy(day, day); /* for the reasons the doctor reads */
            if (last->dose_number < lp.series_doses) {
                int gap = lp.min_interval_days[last->dose_number];
                int64_t due = last->given_at + (int64_t)gap * 86400;
                add_reason(out, VAX_OUTCOME_ELIGIBLE,
                           _("Dose %d of %s was given on %s; dose %d may be %s."),
                           last->dose_number, lp.code, day, last->dose_number + 1, lp.next);
                if (now < due) {
                    char due_day[11];
                    vax_local_date(due, due_day);
                    vax_date_dmy(due_day, due_day);
                    add_reason(out, VAX_OUTCOME_POSTPONED,
                               _("Too early for dose %d: at least %d days after dose %d, from "
                                 "%s."),
                               last->dose_number + 1, gap, last->dose_number, due_day);
                    return_after(out, last->given_at, gap);
                }
            } else {
                add_reason(out, VAX_OUTCOME_ELIGIBLE,
                           _("The %s series is complete (%d doses, the last on %s); a further "
                             "dose may be %s."),
                           lp.code, lp.series_doses, day, lp.next);
            }
        }
    }

    /* the answers */
    for (int i = 0; i < c->nitems; i++) {
        const vax_checklist_item *it = &c->items[i];
        if (in->answers[i] != 'y')
            continue;
        if (it->outcome == VAX_OUTCOME_CONTRAINDICATED && strcmp(it->scope, "earlier") == 0 &&
            ndoses == 0) {
            /* the vaccine it followed is not on record, so its kind is unknown: ruling out every
             * product would be a guess; a hospital screens and vaccinates (see the form's note) */
            add_reason(out, VAX_OUTCOME_REFERRED,
                       _("%s: the earlier dose is not on record; record it (vaccination card) to "
                         "rule out the same kind, or vaccinate at a hospital."),
                       it->text);
        } else if (it->outcome == VAX_OUTCOME_CONTRAINDICATED) {
            list[0] = 0;
            for (int k = 0; k < pr->n; k++) {
                int hit = strcmp(it->scope, "all") == 0;
                /* the same kind as an earlier dose (QĐ 4355/QĐ-BYT, dose-rules.conf [kind]) */
                for (int d = 0; d < ndoses && !hit; d++)
                    hit = vax_product_same_kind(doses[d].product, pr->p[k].code);
                if (hit) {
                    pr->allowed[k] = 0, pr->ruled_out[k] = 1;
                    append_word(list, sizeof list, pr->p[k].code);
                }
            }
            /* contraindicated for the vaccine it concerns; the others may still be given */
            int left = 0;
            for (int k = 0; k < pr->n; k++)
                left += pr->allowed[k];
            add_reason(out, left ? VAX_OUTCOME_CAUTION : VAX_OUTCOME_CONTRAINDICATED,
                       _("%s: contraindicated for %s."), it->text, list[0] ? list : "-");
        } else {
            add_reason(out, it->outcome, "%s.", it->text);
        }
        if (it->outcome == VAX_OUTCOME_POSTPONED)
            return_after(out, now, it->postpone_days);
        if (it->consent)
            out->needs_consent = 1;
        if (it->finding[0]) {
            list[0] = 0;
            for (int k = 0; k < pr->n; k++)
                if (vax_product_ruled_out_by(&pr->p[k], it->finding)) {
                    pr->allowed[k] = 0, pr->ruled_out[k] = 1;
                    append_word(list, sizeof list, pr->p[k].code);
                }
            if (list[0])
                add_reason(out, VAX_OUTCOME_ELIGIBLE, _("%s is not given in %s (product rule)."),
                           list, it->finding);
        }
    }

    /* the vital signs */
    for (int i = 0; i < c->nvitals; i++) {
        const vax_vital_def *vd = &c->vitals[i];
        int x = in->vitals[i];
        char val[32], lim[32];
        if (x == VAX_VITAL_NONE)
            continue;
        if (vd->baseline[0] && above_usual(c, in, vd, x)) {
            vital_text(vd, x, val, sizeof val);
            add_reason(out, vd->above, _("%s %s %s: %d or more above the usual reading."), vd->name,
                       val, vd->unit, vd->baseline_margin / 10);
            if (vd->above == VAX_OUTCOME_POSTPONED)
                return_after(out, now, vd->postpone_days);
        }
        if (!vd->has_normal)
            continue;
        if (x < vd->normal_lo || x > vd->normal_hi) {
            int low = x < vd->normal_lo;
            vax_outcome o = low ? vd->below : vd->above;
            vital_text(vd, x, val, sizeof val);
            vital_text(vd, low ? vd->normal_lo : vd->normal_hi, lim, sizeof lim);
            add_reason(out, o, low ? _("%s %s %s: below %s %s.") : _("%s %s %s: above %s %s."),
                       vd->name, val, vd->unit, lim, vd->unit);
            if (o == VAX_OUTCOME_POSTPONED)
                return_after(out, now, vd->postpone_days);
        }
    }

    int left = 0;
    for (int k = 0; k < pr->n; k++)
        left += pr->allowed[k];
    if (!left && out->outcome < VAX_OUTCOME_CONTRAINDICATED)
        add_reason(out, VAX_OUTCOME_CONTRAINDICATED,
                   _("No vaccine in the catalogue may be given to this person."));
    list_codes(pr, pr->allowed, out->products, sizeof out->products);
    list_codes(pr, pr->ruled_out, out->ruled_out, sizeof out->ruled_out);
    out->observation_minutes = VAX_OBSERVE_MINUTES_DEFAULT;
    for (int k = 0, first = 1; k < pr->n; k++)
        if (pr->allowed[k] && (first || pr->p[k].observation_minutes > out->observation_minutes)) {
            out->observation_minutes = pr->p[k].observation_minutes;
            first = 0;
        }
    if (out->outcome == VAX_OUTCOME_CAUTION && caution_min > out->observation_minutes)
        out->observation_minutes = (int)caution_min;
    if (out->outcome != VAX_OUTCOME_POSTPONED)
        out->return_date[0] = 0;
    if (out->outcome >= VAX_OUTCOME_REFERRED)
        out->products[0] = 0;
out:
    free(pr);
    return rc;
}

static int load_checklist(vax_db *db, int64_t visit_id, const vax_screening_input *in,
                          vax_checklist *c)
{
    return in->checklist_id ? vax_checklist_get(db, in->checklist_id, c)
                            : vax_screening_form(db, visit_id, c);
}

int vax_screening_propose(vax_db *db, int64_t visit_id, const vax_screening_input *in,
                          vax_screening_proposal *out)
{
    vax_checklist *c = malloc(sizeof *c);
    vax_visit v;
    int rc;
    vax_clear_error(db);
    if (!c)
        return VAX_ENOMEM;
    if ((rc = vax_visit_get(db, visit_id, &v)) == VAX_OK &&
        (rc = load_checklist(db, visit_id, in, c)) == VAX_OK &&
        (rc = check_input(db, c, in)) == VAX_OK)
        rc = compute(db, &v, c, in, out);
    free(c);
    return rc;
}

/* ---- the decision ------------------------------------------------------------------------ */

static int valid_future_date(const char *d, const char *today)
{
    int y, m, dd, used = 0;
    return strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d%n", &y, &m, &dd, &used) == 3 && !d[used] &&
           m >= 1 && m <= 12 && dd >= 1 && dd <= 31 && strcmp(d, today) > 0;
}

static void join_reasons(const vax_screening_proposal *p, char *out, size_t size)
{
    out[0] = 0;
    for (int i = 0; i < p->nreasons; i++) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s: %s", n ? "\n" : "",
                 vax_outcome_code(p->reasons[i].outcome), p->reasons[i].text);
    }
}

static void describe_input(const vax_checklist *c, const vax_screening_input *in, char *answers,
                           char *vitals, size_t vsize, char *findings, size_t fsize)
{
    for (int i = 0; i < c->nitems; i++) {
        answers[i] = in->answers[i];
        if (in->answers[i] == 'y' && c->items[i].finding[0] &&
            !strstr(findings, c->items[i].finding))
            append_word(findings, fsize, c->items[i].finding);
    }
    answers[c->nitems] = 0;
    for (int i = 0; i < c->nvitals; i++) {
        char val[32], w[64];
        if (in->vitals[i] == VAX_VITAL_NONE)
            continue;
        vital_text(&c->vitals[i], in->vitals[i], val, sizeof val);
        snprintf(w, sizeof w, "%s=%s", c->vitals[i].key, val);
        append_word(vitals, vsize, w);
    }
}

static int insert_row(vax_db *db, const vax_visit *v, const vax_checklist *c,
                      const vax_screening_input *in, const vax_screening_proposal *p,
                      const vax_screening_decision *d, const char *return_date, int observe,
                      int64_t *out_id)
{
    char uuid[37], answers[VAX_CHECKLIST_MAX_ITEMS + 1], vitals[256] = "", findings[256] = "";
    char *reasons = malloc(8192);
    int64_t now = vax_now();
    int rc;
    if (!reasons)
        return VAX_ENOMEM;
    join_reasons(p, reasons, 8192);
    describe_input(c, in, answers, vitals, sizeof vitals, findings, sizeof findings);
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO screening(uuid, visit_id, person_id, checklist_id, checklist_code,"
            " checklist_version, answers, vitals, findings, notes, proposed_outcome, reasons,"
            " final_outcome, override_reason, products, ruled_out, return_date,"
            " observation_minutes, consent, screened_by, screened_at, created_at, updated_at,"
            " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
            " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?21, ?20)");
    if (!st || vax_uuid(uuid) != VAX_OK) {
        free(reasons);
        return VAX_EINTERNAL;
    }
    int keep_products = d->outcome == VAX_OUTCOME_ELIGIBLE || d->outcome == VAX_OUTCOME_CAUTION;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, v->id);
    sqlite3_bind_int64(st, 3, v->person_id);
    sqlite3_bind_int64(st, 4, c->id);
    sqlite3_bind_text(st, 5, c->code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 6, c->version);
    sqlite3_bind_text(st, 7, answers, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, vitals, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, findings, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, in->notes, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 11, vax_outcome_code(p->outcome), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, reasons, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 13, vax_outcome_code(d->outcome), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, d->outcome == p->outcome ? "" : d->reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 15, keep_products ? p->products : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 16, p->ruled_out, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 17, return_date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 18, keep_products ? observe : 0);
    sqlite3_bind_int(st, 19, d->consent ? 1 : 0);
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 20, vax_actor_id(db));
    sqlite3_bind_int64(st, 21, now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(reasons);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("saving the screening"));
    *out_id = sqlite3_last_insert_rowid(db->sql);
    return VAX_OK;
}

int vax_screening_confirm(vax_db *db, int64_t visit_id, const vax_screening_input *in,
                          const vax_screening_decision *d, int64_t *out_id)
{
    vax_checklist *c = malloc(sizeof *c);
    vax_screening_proposal *p = malloc(sizeof *p);
    vax_visit v;
    char today[11], return_date[11] = "", details[160];
    int64_t id = 0, caution_min = VAX_OBSERVE_CAUTION_MINUTES_DEFAULT;
    int rc;
    vax_clear_error(db);
    if (!c || !p) {
        rc = VAX_ENOMEM;
        goto done;
    }
    if ((rc = vax_require(db, VAX_ACT_CALL_SCREEN)) != VAX_OK)
        goto done;
    if ((unsigned)d->outcome >= VAX_OUTCOME_COUNT) {
        rc = vax_fail(db, VAX_EINVAL, "outcome", _("Outcome: unknown."));
        goto done;
    }
    vax_local_date(vax_now(), today);
    if (d->return_date[0] && !valid_future_date(d->return_date, today)) {
        rc = vax_fail(db, VAX_EINVAL, "return_date",
                      _("Return date: %s is not a day after today (YYYY-MM-DD)."), d->return_date);
        goto done;
    }
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto done;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK)
        goto fail;
    if (v.state != VAX_STATE_SCREENING) {
        rc = vax_fail(db, VAX_ESTATE, "state",
                      _("Ticket %03d is \"%s\": only a person called to screening can be "
                        "screened."),
                      v.ticket, vax_state_label(v.state));
        goto fail;
    }
    if ((rc = load_checklist(db, visit_id, in, c)) != VAX_OK ||
        (rc = check_input(db, c, in)) != VAX_OK || (rc = compute(db, &v, c, in, p)) != VAX_OK)
        goto fail;
    vax_screening_decision own;
    if (d->outcome == VAX_OUTCOME_DECLINED && !d->reason[0]) {
        /* the person's own answer needs no reason from the doctor; the row still says why the
         * outcome is not the proposal's */
        own = *d;
        vax_strlcpy(own.reason, vax_outcome_label(VAX_OUTCOME_DECLINED), sizeof own.reason);
        d = &own;
    }
    if (d->outcome != p->outcome && !d->reason[0]) {
        rc = vax_fail(db, VAX_EINVAL, "reason",
                      _("Reason: the proposal is \"%s\"; say why the outcome is \"%s\"."),
                      vax_outcome_label(p->outcome), vax_outcome_label(d->outcome));
        goto fail;
    }
    int vaccinate = d->outcome == VAX_OUTCOME_ELIGIBLE || d->outcome == VAX_OUTCOME_CAUTION;
    if (vaccinate && p->needs_consent && !d->consent) {
        rc = vax_fail(db, VAX_EINVAL, "consent",
                      _("Consent: a signed consent is needed before vaccinating (pregnancy of 13 "
                        "weeks or more)."));
        goto fail;
    }
    if (vaccinate && !p->products[0]) {
        rc = vax_fail(db, VAX_EINVAL, "outcome",
                      _("Outcome: no vaccine in the catalogue may be given to this person (%s)."),
                      p->ruled_out[0] ? p->ruled_out : "-");
        goto fail;
    }
    if (d->outcome == VAX_OUTCOME_POSTPONED) {
        vax_strlcpy(return_date, d->return_date[0] ? d->return_date : p->return_date,
                    sizeof return_date);
        if (!return_date[0]) {
            rc = vax_fail(db, VAX_EINVAL, "return_date",
                          _("Return date: give the day the person may come back."));
            goto fail;
        }
    }
    int observe = p->observation_minutes;
    caution_min = vax_setting_int(db, "screening.caution_observation_min");
    vax_clear_error(db);
    if (d->outcome == VAX_OUTCOME_CAUTION && observe < caution_min)
        observe = (int)caution_min;
    if ((rc = insert_row(db, &v, c, in, p, d, return_date, observe, &id)) != VAX_OK)
        goto fail;
    snprintf(details, sizeof details, "screening %s%s%s", vax_outcome_code(d->outcome),
             return_date[0] ? " until " : "", return_date);
    if (vaccinate) {
        if ((rc = vax_queue_move_locked(db, &v, VAX_STATE_ELIGIBLE, NULL, details)) != VAX_OK)
            goto fail;
        v.state = VAX_STATE_ELIGIBLE;
        if ((rc = vax_queue_move_locked(db, &v, VAX_STATE_WAITING_INJECTION, NULL, NULL)) != VAX_OK)
            goto fail;
    } else {
        vax_state to = d->outcome == VAX_OUTCOME_POSTPONED  ? VAX_STATE_POSTPONED
                       : d->outcome == VAX_OUTCOME_REFERRED ? VAX_STATE_REFERRED
                       : d->outcome == VAX_OUTCOME_DECLINED ? VAX_STATE_DECLINED
                                                            : VAX_STATE_CONTRAINDICATED;
        if ((rc = vax_queue_move_locked(db, &v, to, NULL, details)) != VAX_OK)
            goto fail;
    }
    if ((rc = vax_audit(db, "screening.confirm", "screening", id, details)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        goto done;
    if (out_id)
        *out_id = id;
    goto done;
fail:
    vax_tx_rollback(db);
done:
    free(c);
    free(p);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------------- */

#define SCREENING_COLS                                                                             \
    "id, uuid, visit_id, person_id, checklist_id, checklist_code, checklist_version, answers,"     \
    " vitals, notes, proposed_outcome, final_outcome, reasons, override_reason, products,"         \
    " ruled_out, return_date, observation_minutes, consent, screened_by, screened_at"

static int one_screening(vax_db *db, sqlite3_stmt *st, vax_screening *s)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(s, 0, sizeof *s);
        s->id = sqlite3_column_int64(st, 0);
        vax_strlcpy(s->uuid, vax_col_text(st, 1), sizeof s->uuid);
        s->visit_id = sqlite3_column_int64(st, 2);
        s->person_id = sqlite3_column_int64(st, 3);
        s->checklist_id = sqlite3_column_int64(st, 4);
        vax_strlcpy(s->checklist_code, vax_col_text(st, 5), sizeof s->checklist_code);
        s->checklist_version = sqlite3_column_int(st, 6);
        vax_strlcpy(s->answers, vax_col_text(st, 7), sizeof s->answers);
        vax_strlcpy(s->vitals, vax_col_text(st, 8), sizeof s->vitals);
        vax_strlcpy(s->notes, vax_col_text(st, 9), sizeof s->notes);
        vax_outcome_parse(vax_col_text(st, 10), &s->proposed);
        vax_outcome_parse(vax_col_text(st, 11), &s->final);
        vax_strlcpy(s->reasons, vax_col_text(st, 12), sizeof s->reasons);
        vax_strlcpy(s->override_reason, vax_col_text(st, 13), sizeof s->override_reason);
        vax_strlcpy(s->products, vax_col_text(st, 14), sizeof s->products);
        vax_strlcpy(s->ruled_out, vax_col_text(st, 15), sizeof s->ruled_out);
        vax_strlcpy(s->return_date, vax_col_text(st, 16), sizeof s->return_date);
        s->observation_minutes = sqlite3_column_int(st, 17);
        s->consent = sqlite3_column_int(st, 18);
        s->screened_by = sqlite3_column_int64(st, 19);
        s->screened_at = sqlite3_column_int64(st, 20);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, NULL, _("No such screening."));
    return vax_fail_sql(db, rc, _("reading screenings"));
}

int vax_screening_get(vax_db *db, int64_t id, vax_screening *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " SCREENING_COLS " FROM screening WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    return one_screening(db, st, out);
}

int vax_screening_for_visit(vax_db *db, int64_t visit_id, vax_screening *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " SCREENING_COLS " FROM screening WHERE visit_id = ?1"
                                    " ORDER BY id DESC LIMIT 1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    return one_screening(db, st, out);
}

int vax_screening_history_notes(vax_db *db, int64_t person_id, char *buf, size_t size)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT notes, findings, screened_at FROM screening"
                                    " WHERE person_id = ?1 AND (notes <> '' OR findings <> '')"
                                    " ORDER BY id DESC LIMIT 10");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    buf[0] = 0;
    sqlite3_bind_int64(st, 1, person_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char day[11], one[600];
        size_t n = strlen(buf);
        vax_local_date(sqlite3_column_int64(st, 2), day);
        const char *notes = vax_col_text(st, 0), *findings = vax_col_text(st, 1);
        snprintf(one, sizeof one, "%s %s%s%s", day, findings, *findings && *notes ? ", " : "",
                 notes);
        snprintf(buf + n, size - n, "%s%s", n ? "; " : "", one);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("reading screenings"));
}

/* ---- demo -------------------------------------------------------------------------------- */

/* Today's demo visits that went past screening get the screening they would have had: every
 * answer "no", normal vital signs. */
int vax_screening_demo(vax_db *db)
{
    vax_checklist *c = malloc(sizeof *c);
    vax_screening_proposal *p = malloc(sizeof *p);
    vax_visit *visits = malloc(sizeof *visits * 64);
    vax_screening_input in;
    vax_screening_decision d;
    char today[11];
    int n = 0, rc;
    if (!c || !p || !visits) {
        rc = VAX_ENOMEM;
        goto out;
    }
    vax_local_date(vax_now(), today);
    if ((rc = vax_checklist_current(db, c)) != VAX_OK ||
        (rc = vax_queue_list(db, today, visits, 64, &n)) != VAX_OK)
        goto out;
    vax_screening_input_init(&in);
    in.checklist_id = c->id;
    memset(in.answers, 'n', (size_t)c->nitems);
    for (int i = 0; i < c->nvitals; i++)
        if (c->vitals[i].has_normal)
            in.vitals[i] = (c->vitals[i].normal_lo + c->vitals[i].normal_hi) / 2;
    memset(&d, 0, sizeof d);
    d.outcome = VAX_OUTCOME_ELIGIBLE;
    /* the demo gives some of them their dose today, before this runs */
    vax_strlcpy(d.reason, "demo", sizeof d.reason);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    for (int i = 0; i < n; i++) {
        vax_state s = visits[i].state;
        int64_t id;
        if (s != VAX_STATE_WAITING_INJECTION && s != VAX_STATE_INJECTION &&
            s != VAX_STATE_OBSERVING && s != VAX_STATE_DONE)
            continue;
        if ((rc = compute(db, &visits[i], c, &in, p)) != VAX_OK ||
            (rc = insert_row(db, &visits[i], c, &in, p, &d, "", p->observation_minutes, &id)) !=
                VAX_OK) {
            vax_tx_rollback(db);
            goto out;
        }
    }
    rc = vax_tx_commit(db);
out:
    free(c);
    free(p);
    free(visits);
    return rc;
}

/* Schema version 26: screening's final_outcome may be "declined" (does not consent). SQLite
 * cannot change a CHECK in place: the table is made again with the same columns in the same
 * order and the rows copied, and its indexes and triggers (the sync outbox's) are made again from
 * their own text as the file holds it, so that nothing another step wrote is lost. */
int vax_screening_seed_v26(vax_db *db)
{
    static const char make[] =
        "CREATE TABLE screening_v26("
        " id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " visit_id INTEGER NOT NULL REFERENCES visit(id),"
        " person_id INTEGER NOT NULL REFERENCES person(id),"
        " checklist_id INTEGER NOT NULL REFERENCES checklist(id), checklist_code TEXT NOT NULL,"
        " checklist_version INTEGER NOT NULL, answers TEXT NOT NULL, vitals TEXT NOT NULL,"
        " findings TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',"
        " proposed_outcome TEXT NOT NULL CHECK (proposed_outcome IN ('eligible','caution',"
        "  'referred','postponed','contraindicated')),"
        " reasons TEXT NOT NULL DEFAULT '',"
        " final_outcome TEXT NOT NULL CHECK (final_outcome IN ('eligible','caution','referred',"
        "  'postponed','contraindicated','declined')),"
        " override_reason TEXT NOT NULL DEFAULT '',"
        " products TEXT NOT NULL DEFAULT '', ruled_out TEXT NOT NULL DEFAULT '',"
        " return_date TEXT NOT NULL DEFAULT '',"
        " observation_minutes INTEGER NOT NULL DEFAULT 0, consent INTEGER NOT NULL DEFAULT 0,"
        " screened_by INTEGER REFERENCES staff(id), screened_at INTEGER NOT NULL,"
        " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
        " updated_by INTEGER REFERENCES staff(id),"
        " CHECK (final_outcome = proposed_outcome OR override_reason <> ''),"
        " CHECK (final_outcome <> 'postponed' OR return_date <> ''));"
        "INSERT INTO screening_v26 SELECT * FROM screening ORDER BY id;"
        "DROP TABLE screening;"
        "ALTER TABLE screening_v26 RENAME TO screening;";
    vax_buf again;
    int rc = VAX_OK;
    vax_buf_init(&again);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->sql,
                           "SELECT sql FROM sqlite_master WHERE tbl_name = 'screening'"
                           " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return vax_fail(db, VAX_EIO, NULL, "%s", sqlite3_errmsg(db->sql));
    while (sqlite3_step(st) == SQLITE_ROW)
        vax_buf_printf(&again, "%s;", vax_col_text(st, 0));
    sqlite3_finalize(st);
    if (again.failed)
        rc = VAX_ENOMEM;
    else if (sqlite3_exec(db->sql, make, NULL, NULL, NULL) != SQLITE_OK ||
             (again.len && sqlite3_exec(db->sql, again.data, NULL, NULL, NULL) != SQLITE_OK))
        rc = vax_fail(db, VAX_EIO, NULL, "%s", sqlite3_errmsg(db->sql));
    vax_buf_free(&again);
    return rc;
}
