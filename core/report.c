/* report.c: the daily report of a site (every figure, computed in one place), coverage, and the
 * report's writers: text, CSV and .xlsx (libxlsxwriter). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <xlsxwriter.h>

/* ---- days ---------------------------------------------------------------------------------- */

/* dd/mm/yyyy or yyyy-mm-dd into YYYY-MM-DD; VAX_EINVAL if it is not a real date. */
static int report_day(const char *in, char out[11])
{
    int y = 0, m = 0, d = 0, n = 0;
    char iso[48];
    int64_t days;
    if (!in)
        return VAX_EINVAL;
    if (!(sscanf(in, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 && !in[n]) &&
        !(sscanf(in, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && !in[n] && y >= 1000))
        return VAX_EINVAL;
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    if (vax_date_to_days(iso, &days) != VAX_OK)
        return VAX_EINVAL;
    vax_days_to_date(days, out); /* refuses 31/02 by round trip */
    return strcmp(out, iso) == 0 ? VAX_OK : VAX_EINVAL;
}

/* The epoch second of local midnight at the start of a YYYY-MM-DD day. */
static int64_t local_midnight(const char *day)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(day) - 1900;
    tm.tm_mon = atoi(day + 5) - 1;
    tm.tm_mday = atoi(day + 8);
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static void next_day(const char *day, char out[11])
{
    int64_t d = 0;
    vax_date_to_days(day, &d);
    vax_days_to_date(d + 1, out);
}

int vax_permille(int64_t part, int64_t whole)
{
    if (whole <= 0)
        return 0;
    return (int)((part * 2000 + whole) / (2 * whole));
}

/* ---- the figures --------------------------------------------------------------------------- */

typedef struct span {
    int64_t site_id;
    char from[11], to[11];
    int64_t t0, t1; /* [local midnight of from, local midnight after to) */
} span;

static int step_fail(vax_db *db, sqlite3_stmt *st, int rc)
{
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("making the report"));
}

/* The visits of those days still marked urgent when the report is made, by reason (a mark taken
 * off is not counted; the visit's events keep it). */
static int count_urgent(vax_db *db, const span *s, vax_report *r)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT urgent_reason, count(*) FROM visit WHERE site_id = ?1"
                                    " AND day >= ?2 AND day <= ?3 AND state <> 'cancelled'"
                                    " AND urgent = 1 GROUP BY urgent_reason");
    int rc, reason;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->site_id);
    sqlite3_bind_text(st, 2, s->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, s->to, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        r->urgent[vax_urgent_parse(vax_col_text(st, 0), &reason) == VAX_OK ? reason
                                                                           : VAX_URGENT_OTHER] +=
            sqlite3_column_int(st, 1);
    return step_fail(db, st, rc);
}

static int count_checkins(vax_db *db, const span *s, vax_report *r)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM visit WHERE site_id = ?1"
                                    " AND day >= ?2 AND day <= ?3 AND state <> 'cancelled'");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->site_id);
    sqlite3_bind_text(st, 2, s->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, s->to, -1, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        r->checked_in = sqlite3_column_int(st, 0);
        rc = SQLITE_DONE;
    }
    return step_fail(db, st, rc);
}

static void add_reason(vax_report *r, vax_outcome o, const char *text, size_t len)
{
    char t[256];
    if (len >= sizeof t)
        len = sizeof t - 1;
    memcpy(t, text, len);
    t[len] = 0;
    if (!t[0])
        vax_strlcpy(t, _("(no reason recorded)"), sizeof t);
    for (int i = 0; i < r->nreasons; i++)
        if (r->reasons[i].outcome == o && strcmp(r->reasons[i].text, t) == 0) {
            r->reasons[i].n++;
            return;
        }
    if (r->nreasons == VAX_REPORT_MAX_REASONS)
        return;
    vax_report_reason *x = &r->reasons[r->nreasons++];
    x->outcome = o;
    vax_strlcpy(x->text, t, sizeof x->text);
    x->n = 1;
}

/* The reasons of one screening that ended the visit: the doctor's override when the outcome
 * differs from the proposal, else the proposal's lines of that outcome ("postponed: ..."). */
static void screening_reasons(vax_report *r, vax_outcome fin, vax_outcome proposed,
                              const char *reasons, const char *override)
{
    const char *code = vax_outcome_code(fin);
    size_t clen = strlen(code);
    int found = 0;
    if (fin != proposed && override[0]) {
        add_reason(r, fin, override, strlen(override));
        return;
    }
    for (const char *p = reasons; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > clen + 1 && strncmp(p, code, clen) == 0 && p[clen] == ':') {
            const char *t = p + clen + 1;
            while (*t == ' ')
                t++;
            add_reason(r, fin, t, len - (size_t)(t - p));
            found = 1;
        }
        p = end ? end + 1 : p + len;
    }
    if (!found)
        add_reason(r, fin, "", 0);
}

static int count_screenings(vax_db *db, const span *s, vax_report *r)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT sc.final_outcome, sc.proposed_outcome, sc.reasons, sc.override_reason"
                     " FROM visit v JOIN screening sc ON sc.visit_id = v.id"
                     " WHERE v.site_id = ?1 AND v.day >= ?2 AND v.day <= ?3"
                     " AND sc.id = (SELECT max(s2.id) FROM screening s2 WHERE s2.visit_id = v.id)");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->site_id);
    sqlite3_bind_text(st, 2, s->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, s->to, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_outcome fin, proposed;
        if (vax_outcome_parse(vax_col_text(st, 0), &fin) != VAX_OK)
            continue;
        if (vax_outcome_parse(vax_col_text(st, 1), &proposed) != VAX_OK)
            proposed = fin;
        r->screened++;
        r->outcomes[fin]++;
        if (fin == VAX_OUTCOME_POSTPONED || fin == VAX_OUTCOME_CONTRAINDICATED ||
            fin == VAX_OUTCOME_REFERRED)
            screening_reasons(r, fin, proposed, vax_col_text(st, 2), vax_col_text(st, 3));
    }
    return step_fail(db, st, rc);
}

static vax_report_product *product_slot(vax_db *db, vax_report *r, const char *code)
{
    for (int i = 0; i < r->nproducts; i++)
        if (strcmp(r->products[i].product, code) == 0)
            return &r->products[i];
    if (r->nproducts == VAX_REPORT_MAX_PRODUCTS)
        return NULL;
    vax_report_product *p = &r->products[r->nproducts++];
    vax_product cat;
    memset(p, 0, sizeof *p);
    vax_strlcpy(p->product, code, sizeof p->product);
    if (vax_product_get(db, code, &cat) == VAX_OK)
        vax_strlcpy(p->name, cat.name, sizeof p->name);
    else
        vax_strlcpy(p->name, code, sizeof p->name);
    vax_clear_error(db);
    return p;
}

static vax_report_group *group_slot(vax_report *r, const char *code)
{
    for (int i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].code, code) == 0)
            return &r->groups[i];
    if (r->ngroups == VAX_REPORT_MAX_GROUPS)
        return NULL;
    vax_report_group *g = &r->groups[r->ngroups++];
    memset(g, 0, sizeof *g);
    vax_strlcpy(g->code, code, sizeof g->code);
    return g;
}

static int count_doses(vax_db *db, const span *s, vax_report *r)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT d.product, d.dose_number, d.given_at, p.birth_date, p.sex,"
            " coalesce(p.priority_group, '')"
            " FROM dose d JOIN visit v ON v.id = d.visit_id JOIN person p ON p.id = d.person_id"
            " WHERE v.site_id = ?1 AND d.given_at >= ?2 AND d.given_at < ?3 AND d.voided = 0");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->site_id);
    sqlite3_bind_int64(st, 2, s->t0);
    sqlite3_bind_int64(st, 3, s->t1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int number = sqlite3_column_int(st, 1);
        time_t at = (time_t)sqlite3_column_int64(st, 2);
        const char *sex = vax_col_text(st, 4);
        struct tm tm;
        char day[48];
        vax_report_product *p = product_slot(db, r, vax_col_text(st, 0));
        vax_report_group *g = group_slot(r, vax_col_text(st, 5));
        localtime_r(&at, &tm);
        snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        r->doses++;
        if (p) {
            p->doses[0]++;
            if (number >= 1 && number <= VAX_MAX_SERIES)
                p->doses[number]++;
        }
        if (g)
            g->doses++;
        int age = vax_age_on(vax_col_text(st, 3), day), band = vax_age_band(age);
        int sx = sex[0] == 'm' ? VAX_SEX_MALE : sex[0] == 'f' ? VAX_SEX_FEMALE : VAX_SEX_UNKNOWN;
        if (band == 3 && age >= 5) /* the children's campaigns count 12-17 and 5-11 apart */
            band = age >= 12 ? 4 : 5;
        r->by_band_sex[band < 0 || band > 5 ? 3 : band][sx]++;
        r->per_hour[tm.tm_hour]++;
    }
    return step_fail(db, st, rc);
}

/* Names of the groups in the UI language; groups in rank order, "no group" last. */
static int name_groups(vax_db *db, vax_report *r)
{
    vax_priority_group all[VAX_REPORT_MAX_GROUPS];
    int n = 0, rc;
    vax_report_group sorted[VAX_REPORT_MAX_GROUPS];
    int ns = 0;
    if ((rc = vax_priority_groups(db, all, VAX_REPORT_MAX_GROUPS, &n)) != VAX_OK)
        return rc;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < r->ngroups; k++)
            if (strcmp(r->groups[k].code, all[i].code) == 0) {
                sorted[ns] = r->groups[k];
                vax_strlcpy(sorted[ns++].name, all[i].name, sizeof sorted[0].name);
            }
    for (int k = 0; k < r->ngroups; k++) {
        int known = 0;
        for (int i = 0; i < n; i++)
            known |= strcmp(r->groups[k].code, all[i].code) == 0;
        if (!known) {
            sorted[ns] = r->groups[k];
            vax_strlcpy(sorted[ns++].name,
                        r->groups[k].code[0] ? r->groups[k].code : _("No priority group"),
                        sizeof sorted[0].name);
        }
    }
    memcpy(r->groups, sorted, sizeof sorted[0] * (size_t)ns);
    r->ngroups = ns;
    return VAX_OK;
}

static int count_wastage(vax_db *db, const span *s, vax_report *r)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT l.product, count(*), sum(v.doses), sum(v.wasted)"
                                    " FROM vial v JOIN lot l ON l.id = v.lot_id"
                                    " WHERE v.opened_at >= ?1 AND v.opened_at < ?2"
                                    " GROUP BY l.product");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->t0);
    sqlite3_bind_int64(st, 2, s->t1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char code[16];
        vax_strlcpy(code, vax_col_text(st, 0), sizeof code);
        vax_report_product *p = product_slot(db, r, code);
        if (!p)
            continue;
        p->vials_opened = sqlite3_column_int(st, 1);
        p->doses_opened = sqlite3_column_int(st, 2);
        p->doses_wasted = sqlite3_column_int(st, 3);
        p->wastage_permille = vax_permille(p->doses_wasted, p->doses_opened);
    }
    return step_fail(db, st, rc);
}

static int compare_products(const void *a, const void *b)
{
    return strcmp(((const vax_report_product *)a)->product,
                  ((const vax_report_product *)b)->product);
}

static int count_reactions(vax_db *db, const span *s, vax_report *r)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT x.severity, x.seen_at, p.full_name, p.national_id, x.signs, x.action, x.notes,"
            " x.outcome,"
            " (SELECT d.product FROM dose d WHERE d.visit_id = x.visit_id AND d.voided = 0"
            "  ORDER BY d.id DESC LIMIT 1),"
            " (SELECT d.dose_number FROM dose d WHERE d.visit_id = x.visit_id AND d.voided = 0"
            "  ORDER BY d.id DESC LIMIT 1),"
            " coalesce((SELECT a.version FROM aefi_report a WHERE a.reaction_id = x.id), 0), x.id"
            " FROM visit v JOIN reaction x ON x.visit_id = v.id JOIN person p ON p.id = x.person_id"
            " WHERE v.site_id = ?1 AND v.day >= ?2 AND v.day <= ?3 ORDER BY x.seen_at, x.id");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->site_id);
    sqlite3_bind_text(st, 2, s->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, s->to, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (strcmp(vax_col_text(st, 0), "serious") != 0) {
            r->reactions_minor++;
            continue;
        }
        r->reactions_serious++;
        if (r->nserious == VAX_REPORT_MAX_SERIOUS)
            continue;
        vax_report_serious *x = &r->serious[r->nserious++];
        x->seen_at = sqlite3_column_int64(st, 1);
        vax_strlcpy(x->full_name, vax_col_text(st, 2), sizeof x->full_name);
        vax_strlcpy(x->national_id, vax_col_text(st, 3), sizeof x->national_id);
        vax_strlcpy(x->signs, vax_col_text(st, 4), sizeof x->signs);
        vax_strlcpy(x->action, vax_col_text(st, 5), sizeof x->action);
        vax_strlcpy(x->notes, vax_col_text(st, 6), sizeof x->notes);
        vax_strlcpy(x->outcome, vax_col_text(st, 7), sizeof x->outcome);
        vax_strlcpy(x->product, vax_col_text(st, 8), sizeof x->product);
        x->dose_number = sqlite3_column_int(st, 9);
        x->aefi_version = sqlite3_column_int(st, 10);
        x->reaction_id = sqlite3_column_int64(st, 11);
    }
    return step_fail(db, st, rc);
}

/* The lots usable on the report's last day with the stock they held at its end, read from the
 * ledger at that moment (a report of a past day shows that day's stock, not today's). */
static int count_lots(vax_db *db, const span *s, vax_report *r)
{
    enum { MAX_BALANCES = 4 * VAX_REPORT_MAX_LOTS };
    vax_lot_balance *b = calloc(MAX_BALANCES, sizeof *b);
    char soon[11];
    int64_t d = 0;
    int n = 0, rc;
    if (!b)
        return VAX_ENOMEM;
    vax_date_to_days(s->to, &d);
    vax_days_to_date(d + 7, soon);
    if ((rc = vax_stock_at(db, s->t1 - 1, b, MAX_BALANCES, &n)) == VAX_OK) {
        for (int i = 0; i < n && r->nlots < VAX_REPORT_MAX_LOTS; i++) {
            if (b[i].on_hand <= 0 || strcmp(b[i].expiry, s->to) < 0)
                continue;
            vax_report_lot *l = &r->lots[r->nlots++];
            vax_strlcpy(l->product, b[i].product, sizeof l->product);
            vax_strlcpy(l->lot_no, b[i].lot_no, sizeof l->lot_no);
            vax_strlcpy(l->expiry, b[i].expiry, sizeof l->expiry);
            l->doses_on_hand = b[i].on_hand;
            l->expires_soon = strcmp(b[i].expiry, soon) <= 0;
        }
    }
    free(b);
    return rc;
}

/* The cold chain's log of those days and its breaches. */
static int count_temps(vax_db *db, const span *s, vax_report *r)
{
    int rc = vax_temp_list(db, NULL, s->t0, s->t1, r->temps, VAX_REPORT_MAX_TEMPS, &r->ntemps);
    for (int i = 0; rc == VAX_OK && i < r->ntemps; i++)
        r->temp_breaches += r->temps[i].state != VAX_TEMP_OK;
    return rc;
}

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the value at rank ceil(p/100 x n), 1-based, of the sorted values. */
static int nearest_rank(const int *v, int n, int p)
{
    int rank = (int)(((int64_t)p * n + 99) / 100);
    if (rank < 1)
        rank = 1;
    return v[rank - 1];
}

static int count_waits(vax_db *db, const span *s, vax_report *r)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT e.to_state, e.at - (SELECT max(w.at) FROM visit_event w"
            "  WHERE w.visit_id = e.visit_id AND w.to_state = e.from_state AND w.id < e.id)"
            " FROM visit v JOIN visit_event e ON e.visit_id = v.id"
            " WHERE v.site_id = ?1 AND v.day >= ?2 AND v.day <= ?3"
            " AND ((e.from_state = 'waiting_screening' AND e.to_state = 'screening')"
            "  OR (e.from_state = 'waiting_injection' AND e.to_state = 'injection'))");
    int *w[2] = {NULL, NULL}, n[2] = {0, 0}, cap[2] = {0, 0}, rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->site_id);
    sqlite3_bind_text(st, 2, s->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, s->to, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k = strcmp(vax_col_text(st, 0), "injection") == 0 ? VAX_STAGE_INJECTION
                                                              : VAX_STAGE_SCREENING;
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            continue;
        int secs = sqlite3_column_int(st, 1);
        if (n[k] == cap[k]) {
            int *bigger = realloc(w[k], sizeof(int) * (size_t)(cap[k] ? cap[k] * 2 : 256));
            if (!bigger) {
                sqlite3_reset(st);
                free(w[0]);
                free(w[1]);
                return VAX_ENOMEM;
            }
            w[k] = bigger;
            cap[k] = cap[k] ? cap[k] * 2 : 256;
        }
        w[k][n[k]++] = secs < 0 ? 0 : secs;
    }
    for (int k = 0; k < 2; k++) {
        r->wait[k].n = n[k];
        if (n[k] > 0) {
            qsort(w[k], (size_t)n[k], sizeof(int), compare_int);
            r->wait[k].median_s = nearest_rank(w[k], n[k], 50);
            r->wait[k].p90_s = nearest_rank(w[k], n[k], 90);
            r->wait[k].max_s = w[k][n[k] - 1];
        }
        free(w[k]);
    }
    return step_fail(db, st, rc);
}

/* People whose next dose is due or overdue on the report's last day, from the doses given up to
 * its end: the catalogue's intervals (vax_due_compute). */
static int count_due(vax_db *db, const span *s, vax_report *r)
{
    static const char sql[] = "SELECT person_id, product, dose_number, given_at FROM dose"
                              " WHERE voided = 0 AND given_at < ?1"
                              " ORDER BY person_id, dose_number, given_at";
    vax_product products[32];
    int np = 0, rc;
    sqlite3_stmt *st = NULL;
    int64_t person = 0;
    char product[16] = "";
    int number = 0;
    int64_t at = 0;
    if ((rc = vax_product_list(db, products, 32, &np)) != VAX_OK)
        return rc;
    if ((rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL)) != SQLITE_OK)
        return vax_fail_sql(db, rc, _("making the report"));
    sqlite3_bind_int64(st, 1, s->t1);
    for (;;) {
        rc = sqlite3_step(st);
        int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        if (id != person && person != 0) {
            const vax_product *p = NULL;
            char last[11];
            vax_due d;
            for (int i = 0; i < np; i++)
                if (strcmp(products[i].code, product) == 0)
                    p = &products[i];
            vax_local_date(at, last);
            if (p && number < p->series_doses &&
                vax_due_compute(p, number, last, s->to, &d) == VAX_OK) {
                r->dose2_due += d.state == VAX_DUE_DUE;
                r->dose2_overdue += d.state == VAX_DUE_OVERDUE;
            }
        }
        if (rc != SQLITE_ROW)
            break;
        person = id;
        vax_strlcpy(product, vax_col_text(st, 1), sizeof product);
        number = sqlite3_column_int(st, 2);
        at = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("making the report"));
}

static void born_by(const char *day, int years, char out[11]);

/* ---- the province's daily form: each figure for the days and since the campaign began ------- */

static void bind_span(sqlite3_stmt *st, const span *s, int by_time)
{
    sqlite3_bind_int64(st, 1, s->site_id);
    if (by_time) {
        sqlite3_bind_int64(st, 2, s->t0);
        sqlite3_bind_int64(st, 3, s->t1);
    } else {
        sqlite3_bind_text(st, 2, s->from, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, s->to, -1, SQLITE_TRANSIENT);
    }
}

/* One count of a query over a span, into *n. */
static int count_one(vax_db *db, const char *sql, const span *s, int by_time, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, sql);
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    bind_span(st, s, by_time);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *n = sqlite3_column_int(st, 0);
        rc = SQLITE_DONE;
    }
    return step_fail(db, st, rc);
}

/* Doses by dose number, priority group and kind of point, and the people who completed their
 * primary series: the dose numbered its product's series_doses (products.conf). */
static int period_doses(vax_db *db, const span *s, vax_report *r, vax_report_period *p, int cum)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT coalesce(p.priority_group, ''), d.dose_number, si.kind, count(*)"
            " FROM dose d JOIN visit v ON v.id = d.visit_id JOIN person p ON p.id = d.person_id"
            " JOIN site si ON si.id = v.site_id"
            " WHERE v.site_id = ?1 AND d.given_at >= ?2 AND d.given_at < ?3 AND d.voided = 0"
            " GROUP BY 1, 2, 3");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    bind_span(st, s, 1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int number = sqlite3_column_int(st, 1), n = sqlite3_column_int(st, 3);
        int in_series = number >= 1 && number <= VAX_MAX_SERIES;
        vax_report_group *g = group_slot(r, vax_col_text(st, 0));
        p->doses += n;
        if (in_series)
            p->by_number[number] += n;
        if (strcmp(vax_col_text(st, 2), "mobile") == 0)
            p->mobile += n;
        else
            p->fixed += n;
        if (g && cum)
            g->doses_cum += n;
        else if (g && in_series)
            g->by_number[number] += n;
    }
    if ((rc = step_fail(db, st, rc)) != VAX_OK)
        return rc;
    return count_one(
        db,
        "SELECT count(DISTINCT d.person_id) FROM dose d JOIN visit v ON v.id = d.visit_id"
        " JOIN product pr ON pr.code = d.product WHERE v.site_id = ?1"
        " AND d.given_at >= ?2 AND d.given_at < ?3 AND d.voided = 0"
        " AND d.dose_number = pr.series_doses",
        s, 1, &p->completed);
}

static void add_sign(vax_report *r, const char *code, size_t len, int cum)
{
    vax_report_sign *x = NULL;
    for (int i = 0; i < r->nsigns && !x; i++)
        if (strlen(r->signs[i].code) == len && strncmp(r->signs[i].code, code, len) == 0)
            x = &r->signs[i];
    if (!x) {
        if (r->nsigns == VAX_REPORT_MAX_SIGNS || len >= sizeof x->code)
            return;
        x = &r->signs[r->nsigns++];
        memcpy(x->code, code, len);
        x->code[len] = 0;
    }
    if (cum)
        x->cum++;
    else
        x->day++;
}

/* Reactions by severity, and the minor ones by sign. */
static int period_reactions(vax_db *db, const span *s, vax_report *r, vax_report_period *p, int cum)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT x.severity, x.signs FROM visit v"
                                    " JOIN reaction x ON x.visit_id = v.id"
                                    " WHERE v.site_id = ?1 AND v.day >= ?2 AND v.day <= ?3");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    bind_span(st, s, 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (strcmp(vax_col_text(st, 0), "serious") == 0) {
            p->reactions_serious++;
            continue;
        }
        p->reactions_minor++;
        for (const char *c = vax_col_text(st, 1); *c;) {
            size_t len = strcspn(c, " ");
            if (len)
                add_sign(r, c, len, cum);
            c += len + (c[len] == ' ');
        }
    }
    return step_fail(db, st, rc);
}

/* Appointments of those days against check-ins: who came, who did not, who came unbooked. */
static int period_bookings(vax_db *db, const span *s, vax_report_period *p)
{
    char today[11];
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*), coalesce(sum(a.state = 'checked_in'), 0),"
                                    " coalesce(sum(a.state = 'booked' AND a.day >= ?4), 0)"
                                    " FROM appointment a JOIN slot sl ON sl.id = a.slot_id"
                                    " JOIN site_day sd ON sd.id = sl.day_id"
                                    " WHERE sd.site_id = ?1 AND a.day >= ?2 AND a.day <= ?3"
                                    " AND a.state <> 'cancelled'");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    bind_span(st, s, 0);
    vax_local_date(vax_now(), today);
    sqlite3_bind_text(st, 4, today, -1, SQLITE_TRANSIENT);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        p->booked = sqlite3_column_int(st, 0);
        p->attended = sqlite3_column_int(st, 1);
        p->expected = sqlite3_column_int(st, 2);
        p->no_shows = p->booked - p->attended - p->expected;
        rc = SQLITE_DONE;
    }
    if ((rc = step_fail(db, st, rc)) != VAX_OK)
        return rc;
    return count_one(db,
                     "SELECT count(*) FROM visit WHERE site_id = ?1 AND day >= ?2 AND day <= ?3"
                     " AND state <> 'cancelled' AND appointment_id IS NULL",
                     s, 0, &p->walk_ins);
}

/* Coverage of the registry on the report's last day, and who reached it in the days: each adult's
 * first dose and first dose completing a series, wherever given. */
static int period_coverage(vax_db *db, const span *s, vax_report *r)
{
    char cut18[11], cut50[11];
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT p.birth_date <= ?2,"
            " (SELECT min(d.given_at) FROM dose d WHERE d.person_id = p.id AND d.voided = 0),"
            " (SELECT min(d.given_at) FROM dose d JOIN product pr ON pr.code = d.product"
            "  WHERE d.person_id = p.id AND d.voided = 0 AND d.dose_number >= pr.series_doses)"
            " FROM person p WHERE p.birth_date <= ?1 AND p.merged_into IS NULL");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    born_by(s->to, 18, cut18);
    born_by(s->to, 50, cut50);
    sqlite3_bind_text(st, 1, cut18, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, cut50, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int over50 = sqlite3_column_int(st, 0);
        int has1 = sqlite3_column_type(st, 1) != SQLITE_NULL,
            hasc = sqlite3_column_type(st, 2) != SQLITE_NULL;
        int64_t first = sqlite3_column_int64(st, 1), done = sqlite3_column_int64(st, 2);
        int got1 = has1 && first < s->t1, gotc = hasc && done < s->t1;
        int new1 = got1 && first >= s->t0, newc = gotc && done >= s->t0;
        r->adults++;
        r->cum.dose1_18 += got1;
        r->cum.complete_18 += gotc;
        r->day.dose1_18 += new1;
        r->day.complete_18 += newc;
        if (over50) {
            r->over50++;
            r->cum.dose1_50 += got1;
            r->cum.complete_50 += gotc;
            r->day.dose1_50 += new1;
            r->day.complete_50 += newc;
        }
    }
    return step_fail(db, st, rc);
}

static const vax_lot_balance *balance_of(const vax_lot_balance *b, int n, int64_t lot_id)
{
    for (int i = 0; i < n; i++)
        if (b[i].lot_id == lot_id)
            return &b[i];
    return NULL;
}

static void ledger_add(vax_report_ledger *to, const vax_report_ledger *x)
{
    to->opening += x->opening;
    to->received += x->received;
    to->used += x->used;
    to->wasted += x->wasted;
    to->other += x->other;
    to->closing += x->closing;
    to->received_cum += x->received_cum;
    to->used_cum += x->used_cum;
    to->wasted_cum += x->wasted_cum;
}

static int compare_ledgers(const void *a, const void *b)
{
    return strcmp(((const vax_report_ledger *)a)->product, ((const vax_report_ledger *)b)->product);
}

/* The stock ledger at the start of the first day and at the end of the last (vax_stock_at): each
 * lot's opening and closing stock and its movements between, summed by product. */
static int period_stock(vax_db *db, const span *s, vax_report *r)
{
    enum { MAX_BALANCES = 4 * VAX_REPORT_MAX_LOTS };
    vax_lot_balance *b0 = calloc(MAX_BALANCES, sizeof *b0), *b1 = calloc(MAX_BALANCES, sizeof *b1);
    int n0 = 0, n1 = 0, rc;
    if (!b0 || !b1) {
        free(b0);
        free(b1);
        return VAX_ENOMEM;
    }
    if ((rc = vax_stock_at(db, s->t0 - 1, b0, MAX_BALANCES, &n0)) != VAX_OK ||
        (rc = vax_stock_at(db, s->t1 - 1, b1, MAX_BALANCES, &n1)) != VAX_OK)
        goto out;
    for (int i = 0; i < n1; i++) {
        const vax_lot_balance *e = &b1[i], *o = balance_of(b0, n0, e->lot_id);
        vax_report_ledger x, *prod = NULL;
        memset(&x, 0, sizeof x);
        vax_strlcpy(x.product, e->product, sizeof x.product);
        vax_strlcpy(x.lot_no, e->lot_no, sizeof x.lot_no);
        x.opening = o ? o->on_hand : 0;
        x.closing = e->on_hand;
        x.received_cum = e->received + e->transferred_in;
        x.used_cum = e->given;
        x.wasted_cum = e->wasted;
        x.received = x.received_cum - (o ? o->received + o->transferred_in : 0);
        x.used = x.used_cum - (o ? o->given : 0);
        x.wasted = x.wasted_cum - (o ? o->wasted : 0);
        x.other = x.closing - x.opening - x.received + x.used + x.wasted;
        r->day.received += x.received;
        r->day.used += x.used;
        r->day.wasted += x.wasted;
        r->cum.received += x.received_cum;
        r->cum.used += x.used_cum;
        r->cum.wasted += x.wasted_cum;
        for (int k = 0; k < r->nstock && !prod; k++)
            if (strcmp(r->stock[k].product, x.product) == 0)
                prod = &r->stock[k];
        if (!prod && r->nstock < VAX_REPORT_MAX_PRODUCTS) {
            prod = &r->stock[r->nstock++];
            memset(prod, 0, sizeof *prod);
            vax_strlcpy(prod->product, x.product, sizeof prod->product);
        }
        if (prod)
            ledger_add(prod, &x);
        if ((x.opening || x.closing || x.received || x.used || x.wasted || x.other) &&
            r->nlot_stock < VAX_REPORT_MAX_LOTS)
            r->lot_stock[r->nlot_stock++] = x;
    }
    qsort(r->stock, (size_t)r->nstock, sizeof r->stock[0], compare_ledgers);
out:
    free(b0);
    free(b1);
    return rc;
}

static int compare_signs(const void *a, const void *b)
{
    const vax_report_sign *x = a, *y = b;
    if (x->cum != y->cum)
        return y->cum - x->cum;
    return strcmp(x->code, y->code);
}

/* Every figure of the province's form, for the days and since the site's first dose. */
static int count_periods(vax_db *db, const span *s, vax_report *r)
{
    span all = *s;
    int rc;
    sqlite3_stmt *st = vax_stmt(db, "SELECT min(d.given_at) FROM dose d"
                                    " JOIN visit v ON v.id = d.visit_id"
                                    " WHERE v.site_id = ?1 AND d.voided = 0 AND d.given_at < ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, s->site_id);
    sqlite3_bind_int64(st, 2, s->t1);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            vax_local_date(sqlite3_column_int64(st, 0), r->campaign_from);
        rc = SQLITE_DONE;
    }
    if ((rc = step_fail(db, st, rc)) != VAX_OK)
        return rc;
    /* the campaign: everything before the end of the last day */
    vax_strlcpy(all.from, "0000-01-01", sizeof all.from);
    all.t0 = INT64_MIN;
    if ((rc = period_doses(db, s, r, &r->day, 0)) != VAX_OK ||
        (rc = period_doses(db, &all, r, &r->cum, 1)) != VAX_OK ||
        (rc = period_reactions(db, s, r, &r->day, 0)) != VAX_OK ||
        (rc = period_reactions(db, &all, r, &r->cum, 1)) != VAX_OK ||
        (rc = period_bookings(db, s, &r->day)) != VAX_OK ||
        (rc = period_bookings(db, &all, &r->cum)) != VAX_OK ||
        (rc = period_coverage(db, s, r)) != VAX_OK || (rc = period_stock(db, s, r)) != VAX_OK)
        return rc;
    qsort(r->signs, (size_t)r->nsigns, sizeof r->signs[0], compare_signs);
    return VAX_OK;
}

int vax_report_make(vax_db *db, const char *from, const char *to, vax_report **out)
{
    vax_report *r;
    vax_site site;
    span s;
    int rc;
    *out = NULL;
    vax_clear_error(db);
    memset(&s, 0, sizeof s);
    if (report_day(from, s.from) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "date", _("Date: \"%.20s\" is not a date (dd/mm/yyyy)."),
                        from ? from : "");
    if (to && *to) {
        if (report_day(to, s.to) != VAX_OK)
            return vax_fail(db, VAX_EINVAL, "to", _("To: \"%.20s\" is not a date (dd/mm/yyyy)."),
                            to);
        if (strcmp(s.to, s.from) < 0)
            return vax_fail(db, VAX_EINVAL, "to", "%s",
                            _("To: the last day is before the first day."));
    } else {
        memcpy(s.to, s.from, sizeof s.to);
    }
    char after[11];
    next_day(s.to, after);
    s.t0 = local_midnight(s.from);
    s.t1 = local_midnight(after);
    if (!(r = calloc(1, sizeof *r)))
        return VAX_ENOMEM;
    memcpy(r->from, s.from, sizeof r->from);
    memcpy(r->to, s.to, sizeof r->to);
    r->made_at = vax_now();
    if ((rc = vax_site_get(db, &site)) == VAX_OK) {
        s.site_id = site.id;
        vax_strlcpy(r->site_code, site.code, sizeof r->site_code);
        vax_site_display_name(&site, r->site_name, sizeof r->site_name);
    } else if (rc != VAX_ENOTFOUND) {
        goto fail;
    }
    vax_clear_error(db);
    /* one read transaction: every figure from the same snapshot */
    if ((rc = sqlite3_exec(db->sql, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = vax_fail_sql(db, rc, _("making the report"));
        goto fail;
    }
    if ((rc = count_checkins(db, &s, r)) != VAX_OK || (rc = count_urgent(db, &s, r)) != VAX_OK ||
        (rc = count_screenings(db, &s, r)) != VAX_OK || (rc = count_doses(db, &s, r)) != VAX_OK ||
        (rc = count_wastage(db, &s, r)) != VAX_OK || (rc = count_reactions(db, &s, r)) != VAX_OK ||
        (rc = count_lots(db, &s, r)) != VAX_OK || (rc = count_waits(db, &s, r)) != VAX_OK ||
        (rc = count_due(db, &s, r)) != VAX_OK || (rc = count_temps(db, &s, r)) != VAX_OK ||
        (rc = count_periods(db, &s, r)) != VAX_OK || (rc = name_groups(db, r)) != VAX_OK) {
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        goto fail;
    }
    sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
    qsort(r->products, (size_t)r->nproducts, sizeof r->products[0], compare_products);
    *out = r;
    return VAX_OK;
fail:
    free(r);
    return rc;
}

void vax_report_free(vax_report *r)
{
    free(r);
}

/* ---- coverage ------------------------------------------------------------------------------ */

/* YYYY-MM-DD of the birth date of someone who turns `years` on day (born on or before it). */
static void born_by(const char *day, int years, char out[11])
{
    char buf[48];
    snprintf(buf, sizeof buf, "%04d%s", atoi(day) - years, day + 4);
    vax_strlcpy(out, buf, 11);
}

static int coverage_of(vax_db *db, const char *commune, int64_t end, const char *cut18,
                       const char *cut50, vax_coverage *out)
{
    /* 0: no dose, 1: dose 1, 2: a complete series */
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT CASE WHEN p.birth_date <= ?2 THEN 1 ELSE 0 END,"
                     " (SELECT max(CASE WHEN d.dose_number >= pr.series_doses THEN 2 ELSE 1 END)"
                     "  FROM dose d JOIN product pr ON pr.code = d.product"
                     "  WHERE d.person_id = p.id AND d.voided = 0 AND d.given_at < ?3)"
                     " FROM person p WHERE p.birth_date <= ?1 AND p.merged_into IS NULL"
                     " AND (?4 IS NULL OR p.commune = ?4)");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, cut18, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, cut50, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, end);
    if (commune)
        sqlite3_bind_text(st, 4, commune, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 4);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int over50 = sqlite3_column_int(st, 0), got = sqlite3_column_int(st, 1);
        out->adults++;
        out->adults_dose1 += got >= 1;
        out->adults_complete += got >= 2;
        if (over50) {
            out->over50++;
            out->over50_dose1 += got >= 1;
            out->over50_complete += got >= 2;
        }
    }
    return step_fail(db, st, rc);
}

int vax_coverage_get(vax_db *db, const char *commune, const char *day, vax_coverage *out)
{
    char d[11], after[11], cut18[11], cut50[11], *want = NULL;
    sqlite3_stmt *names = NULL;
    int rc;
    vax_clear_error(db);
    memset(out, 0, sizeof *out);
    if (report_day(day, d) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "date", _("Date: \"%.20s\" is not a date (dd/mm/yyyy)."),
                        day ? day : "");
    memcpy(out->day, d, sizeof out->day);
    next_day(d, after);
    born_by(d, 18, cut18);
    born_by(d, 50, cut50);
    int64_t end = local_midnight(after);
    if (!commune || !*commune)
        return coverage_of(db, NULL, end, cut18, cut50, out);
    vax_strlcpy(out->commune, commune, sizeof out->commune);
    if (!(want = vax_text_fold(commune)))
        return VAX_ENOMEM;
    /* The commune as typed matches every spelling of it in the registry (marks, case). */
    rc = sqlite3_prepare_v2(db->sql, "SELECT DISTINCT commune FROM person", -1, &names, NULL);
    if (rc != SQLITE_OK) {
        rc = vax_fail_sql(db, rc, _("reading the registry"));
        goto out;
    }
    while ((rc = sqlite3_step(names)) == SQLITE_ROW) {
        char *f = vax_text_fold(vax_col_text(names, 0));
        int match = f && strcmp(f, want) == 0;
        free(f);
        if (match &&
            (rc = coverage_of(db, vax_col_text(names, 0), end, cut18, cut50, out)) != VAX_OK)
            goto out;
    }
    rc = rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("reading the registry"));
out:
    sqlite3_finalize(names);
    free(want);
    return rc;
}

/* ---- the report as tables ------------------------------------------------------------------ */

/* Every writer (text, CSV, xlsx) walks the same tables: the layout lives here once. */
enum cell_kind { CELL_TEXT, CELL_INT, CELL_DATE, CELL_TIME, CELL_PERMILLE, CELL_MINUTES };

typedef struct cell {
    enum cell_kind kind;
    const char *text; /* CELL_TEXT; CELL_DATE: YYYY-MM-DD */
    int64_t n;        /* CELL_INT; CELL_TIME: epoch; CELL_PERMILLE: per mille; MINUTES: seconds */
} cell;

typedef struct label {
    const char *vi, *en;
} label;

typedef struct writer {
    int (*table)(struct writer *w, const label *title, const label *cols, int ncols);
    int (*row)(struct writer *w, const cell *cells, int n);
    int (*end)(struct writer *w);
    int vi;                     /* labels in Vietnamese (the UI language is vi) */
    const vax_aefi_sign *signs; /* the reaction signs, named in the UI language */
    int nsigns;
} writer;

/* The language of every label of the report: the UI's. */
static int report_vi(void)
{
    return strcmp(vax_lang(), "en") != 0;
}

static const char *lbl(const writer *w, const label *l)
{
    return w->vi ? l->vi : l->en;
}

static cell T(const char *s)
{
    cell c = {CELL_TEXT, s ? s : "", 0};
    return c;
}
static cell N(int64_t n)
{
    cell c = {CELL_INT, NULL, n};
    return c;
}

static const label outcome_labels[VAX_OUTCOME_COUNT] = {
    {"Đủ điều kiện tiêm", "Eligible"},
    {"Tiêm thận trọng", "Caution"},
    {"Chuyển tiêm tại bệnh viện", "Referred to hospital"},
    {"Trì hoãn tiêm chủng", "Postponed"},
    {"Chống chỉ định", "Contraindicated"},
    {"Không đồng ý tiêm chủng", "Does not consent"},
};
/* a new screening outcome needs its words here, or its line of the report has none */
_Static_assert(VAX_OUTCOME_DECLINED == 5 && VAX_OUTCOME_COUNT == 6,
               "every screening outcome has its words in outcome_labels");

/* A coded value and its words in each language. */
typedef struct coded {
    const char *code;
    label words;
} coded;

static const coded action_labels[] = {
    {"observed", {"Theo dõi", "Observed"}},
    {"treated", {"Xử trí tại chỗ", "Treated on site"}},
    {"anaphylaxis", {"Xử trí theo phác đồ phản vệ", "Anaphylaxis protocol"}},
    {"transferred", {"Chuyển viện", "Transferred to hospital"}},
    {NULL, {NULL, NULL}},
};

static const coded reaction_outcome_labels[] = {
    {"", {"Chưa ghi kết quả", "Not recorded yet"}},
    {"recovered", {"Đã hồi phục", "Recovered"}},
    {"transferred", {"Chuyển viện", "Transferred to hospital"}},
    {"other", {"Khác", "Other"}},
    {NULL, {NULL, NULL}},
};

/* The words of a code; a code the table does not know (a newer version's) as it is. */
static const char *code_label(const writer *w, const coded *t, const char *code)
{
    for (; t->code; t++)
        if (strcmp(t->code, code) == 0)
            return lbl(w, &t->words);
    return code;
}

const char *vax_reaction_words(const char *action, const char *outcome)
{
    const coded *t = outcome[0] ? reaction_outcome_labels : action_labels;
    const char *code = outcome[0] ? outcome : action;
    for (; t->code; t++)
        if (strcmp(t->code, code) == 0)
            return report_vi() ? t->words.vi : t->words.en;
    return code;
}

/* The signs of a reaction (codes separated by spaces) as their names in the report's language
 * (assets/aefi.conf), separated by "; " since a name may hold a comma. */
static void sign_words(const writer *w, const char *codes, char *out, size_t size)
{
    char words[256];
    char *save = NULL;
    size_t len = 0;
    out[0] = 0;
    vax_strlcpy(words, codes, sizeof words);
    for (char *c = strtok_r(words, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
        const char *name = c;
        for (int i = 0; i < w->nsigns; i++)
            if (strcmp(w->signs[i].code, c) == 0)
                name = w->signs[i].name;
        len +=
            (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", len ? "; " : "", name);
        if (len >= size)
            break;
    }
}

/* A row of the period-and-cumulative table; whole >= 0 adds the cumulative figure's rate. */
static int figure(writer *w, const label *name, int day, int cum, int whole)
{
    cell c[4] = {T(lbl(w, name)), N(day), N(cum), T("")};
    if (whole >= 0)
        c[3] = (cell){CELL_PERMILLE, NULL, vax_permille(cum, whole)};
    return w->row(w, c, 4);
}

static int walk_all(writer *w, const vax_report *r)
{
    int rc;
#define TRY(x)                                                                                     \
    if ((rc = (x)) != VAX_OK)                                                                      \
    return rc
    /* 1. summary */
    {
        static const label title = {"Tổng hợp", "Summary"};
        static const label cols[] = {{"Chỉ tiêu", "Figure"}, {"Giá trị", "Value"}};
        TRY(w->table(w, &title, cols, 2));
        static const label site = {"Điểm tiêm", "Site"}, from = {"Từ ngày", "From"},
                           to = {"Đến ngày", "To"}, made = {"Lập lúc", "Made at"};
        cell c[2];
        c[0] = T(lbl(w, &site)), c[1] = T(r->site_name[0] ? r->site_name : r->site_code);
        TRY(w->row(w, c, 2));
        c[0] = T(lbl(w, &from)), c[1] = (cell){CELL_DATE, r->from, 0};
        TRY(w->row(w, c, 2));
        c[0] = T(lbl(w, &to)), c[1] = (cell){CELL_DATE, r->to, 0};
        TRY(w->row(w, c, 2));
        c[0] = T(lbl(w, &made)), c[1] = (cell){CELL_TIME, NULL, r->made_at};
        TRY(w->row(w, c, 2));
        static const label figs[] = {
            {"Số người đến tiêm (đã đăng ký vào)", "People checked in"},
            {"Số người được khám sàng lọc", "People screened"},
            {"Số mũi tiêm", "Doses given"},
            {"Phản ứng thông thường", "Minor reactions"},
            {"Tai biến nặng", "Serious reactions"},
            {"Đến hạn mũi tiếp theo", "Next dose due"},
            {"Quá hạn mũi tiếp theo", "Next dose overdue"},
        };
        int64_t v[] = {r->checked_in,        r->screened,  r->doses,        r->reactions_minor,
                       r->reactions_serious, r->dose2_due, r->dose2_overdue};
        for (int i = 0; i < 2; i++) {
            c[0] = T(lbl(w, &figs[i])), c[1] = N(v[i]);
            TRY(w->row(w, c, 2));
        }
        for (int o = 0; o < VAX_OUTCOME_COUNT; o++) {
            c[0] = T(lbl(w, &outcome_labels[o])), c[1] = N(r->outcomes[o]);
            TRY(w->row(w, c, 2));
        }
        for (int i = 2; i < 7; i++) {
            c[0] = T(lbl(w, &figs[i])), c[1] = N(v[i]);
            TRY(w->row(w, c, 2));
        }
        /* in the order of VAX_URGENT_LIST; the report's own two languages, as every label here */
        static const label urgent[VAX_URGENT_COUNT] = {
            [VAX_URGENT_ELDERLY] = {"Gọi trước: người cao tuổi, yếu", "Urgent: elderly or frail"},
            [VAX_URGENT_PREGNANT] = {"Gọi trước: phụ nữ có thai", "Urgent: pregnant"},
            [VAX_URGENT_DISABILITY] = {"Gọi trước: người khuyết tật", "Urgent: disability"},
            [VAX_URGENT_CHILD] = {"Gọi trước: trẻ em", "Urgent: child"},
            [VAX_URGENT_REACTION_CHECK] = {"Gọi trước: quay lại kiểm tra phản ứng",
                                           "Urgent: returning for a reaction check"},
            [VAX_URGENT_OTHER] = {"Gọi trước: lý do khác", "Urgent: other"},
        };
        for (int i = VAX_URGENT_NONE + 1; i < VAX_URGENT_COUNT; i++) {
            c[0] = T(lbl(w, &urgent[i])), c[1] = N(r->urgent[i]);
            TRY(w->row(w, c, 2));
        }
        TRY(w->end(w));
    }
    /* 1b. the province's daily form: each figure for the days and cumulative */
    {
        static const label title = {"Số liệu trong kỳ và lũy kế", "Period and cumulative"};
        static const label cols[] = {{"Chỉ tiêu", "Figure"},
                                     {"Trong kỳ báo cáo", "Report period"},
                                     {"Lũy kế", "Cumulative"},
                                     {"Tỷ lệ (lũy kế)", "Rate (cumulative)"}};
        static const label since = {"Lũy kế tính từ ngày (mũi đầu tiên của điểm)",
                                    "Cumulative since (the site's first dose)"};
        const vax_report_period *d = &r->day, *c = &r->cum;
        TRY(w->table(w, &title, cols, 4));
        {
            cell x[3] = {T(lbl(w, &since)), T(""), T(r->campaign_from)};
            if (r->campaign_from[0])
                x[2] = (cell){CELL_DATE, r->campaign_from, 0};
            TRY(w->row(w, x, 3));
        }
        TRY(figure(w, &(label){"Số mũi tiêm", "Doses given"}, d->doses, c->doses, -1));
        int top = 1;
        for (int k = 1; k <= VAX_MAX_SERIES; k++)
            top = c->by_number[k] || d->by_number[k] ? k : top;
        for (int k = 1; k <= top; k++) {
            char vi[32], en[32];
            snprintf(vi, sizeof vi, "Mũi %d", k);
            snprintf(en, sizeof en, "Dose %d", k);
            TRY(figure(w, &(label){vi, en}, d->by_number[k], c->by_number[k], -1));
        }
        TRY(figure(
            w, &(label){"Số người tiêm đủ liều cơ bản", "People who completed the primary series"},
            d->completed, c->completed, -1));
        TRY(figure(w, &(label){"Mũi tiêm tại điểm cố định", "Doses at a fixed point"}, d->fixed,
                   c->fixed, -1));
        TRY(figure(w, &(label){"Mũi tiêm tại điểm lưu động", "Doses at a mobile point"}, d->mobile,
                   c->mobile, -1));
        TRY(figure(w, &(label){"Số liều vắc xin nhận", "Vaccine doses received"}, d->received,
                   c->received, -1));
        TRY(figure(w, &(label){"Số liều đã sử dụng", "Doses used"}, d->used, c->used, -1));
        TRY(figure(w, &(label){"Số liều hao phí", "Doses wasted"}, d->wasted, c->wasted, -1));
        TRY(figure(w, &(label){"Phản ứng thông thường", "Minor reactions"}, d->reactions_minor,
                   c->reactions_minor, -1));
        TRY(figure(w, &(label){"Tai biến nặng", "Serious reactions"}, d->reactions_serious,
                   c->reactions_serious, -1));
        TRY(figure(w, &(label){"Số người hẹn tiêm", "People booked"}, d->booked, c->booked, -1));
        TRY(figure(w, &(label){"Người có hẹn đã đến", "Booked and came"}, d->attended, c->attended,
                   c->booked));
        TRY(figure(w, &(label){"Người có hẹn không đến", "Booked, did not come (no-shows)"},
                   d->no_shows, c->no_shows, c->booked));
        TRY(figure(w, &(label){"Người có hẹn hôm nay chưa đến", "Booked for today, not come yet"},
                   d->expected, c->expected, c->booked));
        TRY(figure(w, &(label){"Đến không hẹn trước", "Came without booking"}, d->walk_ins,
                   c->walk_ins, -1));
        TRY(figure(w,
                   &(label){"Người 18+ đã tiêm ít nhất 1 mũi", "People 18+ with at least one dose"},
                   d->dose1_18, c->dose1_18, r->adults));
        TRY(figure(
            w,
            &(label){"Người 18+ tiêm đủ liều cơ bản", "People 18+ with a complete primary series"},
            d->complete_18, c->complete_18, r->adults));
        TRY(figure(w,
                   &(label){"Người 50+ đã tiêm ít nhất 1 mũi", "People 50+ with at least one dose"},
                   d->dose1_50, c->dose1_50, r->over50));
        TRY(figure(
            w,
            &(label){"Người 50+ tiêm đủ liều cơ bản", "People 50+ with a complete primary series"},
            d->complete_50, c->complete_50, r->over50));
        {
            static const label den18 = {"Mẫu số: người 18+ trong sổ đăng ký của điểm",
                                        "Denominator: people 18+ in the site's registry"},
                               den50 = {"Mẫu số: người 50+ trong sổ đăng ký của điểm",
                                        "Denominator: people 50+ in the site's registry"};
            cell x[3] = {T(lbl(w, &den18)), T(""), N(r->adults)};
            TRY(w->row(w, x, 3));
            x[0] = T(lbl(w, &den50)), x[2] = N(r->over50);
            TRY(w->row(w, x, 3));
        }
        TRY(w->end(w));
    }
    /* 2. screening reasons */
    {
        static const label title = {"Lý do trì hoãn, chống chỉ định", "Reasons not vaccinated"};
        static const label cols[] = {
            {"Kết quả khám", "Outcome"}, {"Lý do", "Reason"}, {"Số người", "People"}};
        TRY(w->table(w, &title, cols, 3));
        for (int i = 0; i < r->nreasons; i++) {
            cell c[3] = {T(lbl(w, &outcome_labels[r->reasons[i].outcome])), T(r->reasons[i].text),
                         N(r->reasons[i].n)};
            TRY(w->row(w, c, 3));
        }
        TRY(w->end(w));
    }
    /* 3. doses by product and dose number */
    {
        static const label title = {"Mũi tiêm theo vắc xin", "Doses by product"};
        static const label cols[] = {{"Mã vắc xin", "Code"}, {"Vắc xin", "Product"},
                                     {"Mũi 1", "Dose 1"},    {"Mũi 2", "Dose 2"},
                                     {"Mũi 3", "Dose 3"},    {"Mũi 4", "Dose 4"},
                                     {"Mũi 5", "Dose 5"},    {"Tổng", "Total"}};
        TRY(w->table(w, &title, cols, 8));
        for (int i = 0; i < r->nproducts; i++) {
            const vax_report_product *p = &r->products[i];
            if (p->doses[0] == 0)
                continue;
            cell c[8] = {T(p->product), T(p->name)};
            for (int k = 1; k <= VAX_MAX_SERIES; k++)
                c[1 + k] = N(p->doses[k]);
            c[7] = N(p->doses[0]);
            TRY(w->row(w, c, 8));
        }
        TRY(w->end(w));
    }
    /* 4. by priority group and dose number */
    {
        static const label title = {"Mũi tiêm theo nhóm ưu tiên", "Doses by priority group"};
        static const label cols[] = {
            {"Nhóm", "Group"},   {"Tên nhóm", "Name"}, {"Mũi 1", "Dose 1"},
            {"Mũi 2", "Dose 2"}, {"Mũi 3", "Dose 3"},  {"Mũi 4", "Dose 4"},
            {"Mũi 5", "Dose 5"}, {"Số mũi", "Doses"},  {"Lũy kế", "Cumulative"}};
        TRY(w->table(w, &title, cols, 9));
        for (int i = 0; i < r->ngroups; i++) {
            const vax_report_group *g = &r->groups[i];
            cell c[9] = {T(g->code), T(g->name)};
            for (int k = 1; k <= VAX_MAX_SERIES; k++)
                c[1 + k] = N(g->by_number[k]);
            c[7] = N(g->doses);
            c[8] = N(g->doses_cum);
            TRY(w->row(w, c, 9));
        }
        TRY(w->end(w));
    }
    /* 5. by age band and sex */
    {
        static const label title = {"Mũi tiêm theo tuổi và giới", "Doses by age and sex"};
        static const label cols[] = {{"Nhóm tuổi", "Age"},
                                     {"Nam", "Male"},
                                     {"Nữ", "Female"},
                                     {"Không rõ", "Unknown"},
                                     {"Tổng", "Total"}};
        static const label bands[] = {{"18-49", "18-49"}, {"50-64", "50-64"},
                                      {"65+", "65+"},     {"12-17", "12-17"},
                                      {"5-11", "5-11"},   {"Tuổi khác", "Other ages"}};
        static const int order[] = {2, 1, 0, 4, 5, 3}; /* vax_age_band: 0 is 65+ */
        TRY(w->table(w, &title, cols, 5));
        for (int i = 0; i < 6; i++) {
            const int *b = r->by_band_sex[order[i]];
            if (i >= 3 && b[0] + b[1] + b[2] == 0) /* the children's rows once they have doses */
                continue;
            cell c[5] = {T(lbl(w, &bands[i])), N(b[0]), N(b[1]), N(b[2]), N(b[0] + b[1] + b[2])};
            TRY(w->row(w, c, 5));
        }
        TRY(w->end(w));
    }
    /* 6. serious reactions: signs, action and outcome in words, never their codes */
    {
        static const label title = {"Tai biến nặng", "Serious reactions"};
        static const label cols[] = {
            {"Thời gian", "Time"},  {"Họ và tên", "Name"},
            {"Số CCCD/CMND", "ID"}, {"Vắc xin", "Product"},
            {"Mũi", "Dose"},        {"Dấu hiệu", "Signs"},
            {"Xử trí", "Action"},   {"Kết quả", "Outcome"},
            {"Ghi chú", "Notes"},   {"Báo cáo tai biến nặng", "AEFI report"}};
        TRY(w->table(w, &title, cols, 10));
        for (int i = 0; i < r->nserious; i++) {
            const vax_report_serious *x = &r->serious[i];
            char signs[600], aefi[64];
            /* the case's number for "vaxsite aefi", and whether its report was made (and sent
             * with the sync since) */
            if (x->aefi_version && w->vi)
                snprintf(aefi, sizeof aefi, "#%lld: đã lập (lần %d)", (long long)x->reaction_id,
                         x->aefi_version);
            else if (x->aefi_version)
                snprintf(aefi, sizeof aefi, "#%lld: made (v%d)", (long long)x->reaction_id,
                         x->aefi_version);
            else
                snprintf(aefi, sizeof aefi, "#%lld: %s", (long long)x->reaction_id,
                         w->vi ? "chưa lập" : "not made");
            sign_words(w, x->signs, signs, sizeof signs);
            cell c[10] = {{CELL_TIME, NULL, x->seen_at},
                          T(x->full_name),
                          T(x->national_id),
                          T(x->product),
                          N(x->dose_number),
                          T(signs),
                          T(code_label(w, action_labels, x->action)),
                          T(code_label(w, reaction_outcome_labels, x->outcome)),
                          T(x->notes),
                          T(aefi)};
            TRY(w->row(w, c, 10));
        }
        TRY(w->end(w));
    }
    /* 7. vials and wastage */
    {
        static const label title = {"Lọ mở và hao phí", "Vials and wastage"};
        static const label cols[] = {{"Mã vắc xin", "Code"},
                                     {"Số lọ đã mở", "Vials opened"},
                                     {"Số liều trong lọ", "Doses in them"},
                                     {"Số liều hao phí", "Doses wasted"},
                                     {"Tỷ lệ hao phí", "Wastage"}};
        TRY(w->table(w, &title, cols, 5));
        for (int i = 0; i < r->nproducts; i++) {
            const vax_report_product *p = &r->products[i];
            if (p->vials_opened == 0)
                continue;
            cell c[5] = {T(p->product),
                         N(p->vials_opened),
                         N(p->doses_opened),
                         N(p->doses_wasted),
                         {CELL_PERMILLE, NULL, p->wastage_permille}};
            TRY(w->row(w, c, 5));
        }
        TRY(w->end(w));
    }
    /* 8. stock per lot */
    {
        static const label title = {"Tồn kho theo lô", "Stock by lot"};
        static const label cols[] = {{"Mã vắc xin", "Code"},
                                     {"Số lô", "Lot"},
                                     {"Hạn dùng", "Expiry"},
                                     {"Số liều tồn", "Doses on hand"},
                                     {"Hết hạn trong 7 ngày", "Expires within 7 days"}};
        static const label yes = {"Có", "Yes"};
        TRY(w->table(w, &title, cols, 5));
        for (int i = 0; i < r->nlots; i++) {
            const vax_report_lot *l = &r->lots[i];
            cell c[5] = {T(l->product),
                         T(l->lot_no),
                         {CELL_DATE, l->expiry, 0},
                         N(l->doses_on_hand),
                         T(l->expires_soon ? lbl(w, &yes) : "")};
            TRY(w->row(w, c, 5));
        }
        TRY(w->end(w));
    }
    /* 8a. the stock ledger: by product, and each lot's use */
    {
        static const label title = {"Tồn kho theo vắc xin", "Stock by product"};
        static const label lot_title = {"Sử dụng theo lô", "Doses used by lot"};
        static const label cols[] = {{"Mã vắc xin", "Code"},
                                     {"Số lô", "Lot"},
                                     {"Tồn đầu kỳ", "Opening stock"},
                                     {"Nhận trong kỳ", "Received"},
                                     {"Sử dụng trong kỳ", "Used"},
                                     {"Hao phí trong kỳ", "Wasted"},
                                     {"Khác (chuyển đi, kiểm kê)", "Other (sent away, counts)"},
                                     {"Tồn cuối kỳ", "Closing stock"},
                                     {"Nhận lũy kế", "Received (cumulative)"},
                                     {"Sử dụng lũy kế", "Used (cumulative)"},
                                     {"Hao phí lũy kế", "Wasted (cumulative)"}};
        static const label by_product[] = {
            {"Mã vắc xin", "Code"},
            {"Tồn đầu kỳ", "Opening stock"},
            {"Nhận trong kỳ", "Received"},
            {"Sử dụng trong kỳ", "Used"},
            {"Hao phí trong kỳ", "Wasted"},
            {"Khác (chuyển đi, kiểm kê)", "Other (sent away, counts)"},
            {"Tồn cuối kỳ", "Closing stock"},
            {"Nhận lũy kế", "Received (cumulative)"},
            {"Sử dụng lũy kế", "Used (cumulative)"},
            {"Hao phí lũy kế", "Wasted (cumulative)"}};
        TRY(w->table(w, &title, by_product, 10));
        for (int i = 0; i < r->nstock; i++) {
            const vax_report_ledger *l = &r->stock[i];
            cell c[10] = {T(l->product),  N(l->opening),   N(l->received), N(l->used),
                          N(l->wasted),   N(l->other),     N(l->closing),  N(l->received_cum),
                          N(l->used_cum), N(l->wasted_cum)};
            TRY(w->row(w, c, 10));
        }
        TRY(w->end(w));
        TRY(w->table(w, &lot_title, cols, 11));
        for (int i = 0; i < r->nlot_stock; i++) {
            const vax_report_ledger *l = &r->lot_stock[i];
            cell c[11] = {T(l->product),      T(l->lot_no),   N(l->opening),   N(l->received),
                          N(l->used),         N(l->wasted),   N(l->other),     N(l->closing),
                          N(l->received_cum), N(l->used_cum), N(l->wasted_cum)};
            TRY(w->row(w, c, 11));
        }
        TRY(w->end(w));
    }
    /* 8a'. minor reactions by sign */
    {
        static const label title = {"Dấu hiệu phản ứng thông thường", "Minor reactions by sign"};
        static const label cols[] = {
            {"Dấu hiệu", "Sign"}, {"Trong kỳ báo cáo", "Report period"}, {"Lũy kế", "Cumulative"}};
        TRY(w->table(w, &title, cols, 3));
        for (int i = 0; i < r->nsigns; i++) {
            char name[600];
            sign_words(w, r->signs[i].code, name, sizeof name);
            cell c[3] = {T(name), N(r->signs[i].day), N(r->signs[i].cum)};
            TRY(w->row(w, c, 3));
        }
        TRY(w->end(w));
    }
    /* 8b. the cold chain: every reading, a breach named (the lots it put on hold) */
    {
        static const label title = {"Nhiệt độ bảo quản", "Cold chain"};
        static const label cols[] = {{"Thời điểm", "Time"},
                                     {"Tủ lạnh", "Fridge"},
                                     {"Nhiệt độ (°C)", "Temperature (°C)"},
                                     {"Vi phạm", "Breach"},
                                     {"Số lô tạm dừng", "Lots on hold"},
                                     {"Người đo", "By"}};
        static const label freeze = {"Đông băng", "Freeze"},
                           out = {"Ngoài 2-8 °C", "Outside 2-8 °C"};
        TRY(w->table(w, &title, cols, 6));
        for (int i = 0; i < r->ntemps; i++) {
            const vax_temp_reading *x = &r->temps[i];
            char t[16];
            vax_temp_format(x->tenths, t, sizeof t);
            cell c[6] = {{CELL_TIME, NULL, x->at},
                         T(x->fridge),
                         T(t),
                         T(x->state == VAX_TEMP_FREEZE         ? lbl(w, &freeze)
                           : x->state == VAX_TEMP_OUT_OF_RANGE ? lbl(w, &out)
                                                               : ""),
                         N(x->held),
                         T(x->by)};
            TRY(w->row(w, c, 6));
        }
        TRY(w->end(w));
    }
    /* 9. waiting times */
    {
        static const label title = {"Thời gian chờ", "Waiting times"};
        static const label cols[] = {{"Khâu", "Stage"},
                                     {"Số lượt", "Waits"},
                                     {"Trung vị (phút)", "Median (min)"},
                                     {"Bách phân vị 90 (phút)", "90th percentile (min)"},
                                     {"Lâu nhất (phút)", "Longest (min)"}};
        static const label stages[] = {{"Chờ khám sàng lọc", "Waiting for screening"},
                                       {"Chờ tiêm", "Waiting for injection"}};
        TRY(w->table(w, &title, cols, 5));
        for (int k = 0; k < 2; k++) {
            cell c[5] = {T(lbl(w, &stages[k])),
                         N(r->wait[k].n),
                         {CELL_MINUTES, NULL, r->wait[k].median_s},
                         {CELL_MINUTES, NULL, r->wait[k].p90_s},
                         {CELL_MINUTES, NULL, r->wait[k].max_s}};
            TRY(w->row(w, c, 5));
        }
        TRY(w->end(w));
    }
    /* 10. doses per hour */
    {
        static const label title = {"Mũi tiêm theo giờ", "Doses per hour"};
        static const label cols[] = {{"Giờ", "Hour"}, {"Số mũi", "Doses"}};
        char hours[24][8];
        int first = 24, last = -1;
        for (int h = 0; h < 24; h++)
            if (r->per_hour[h]) {
                first = first < h ? first : h;
                last = h;
            }
        TRY(w->table(w, &title, cols, 2));
        for (int h = first; h <= last; h++) {
            snprintf(hours[h], sizeof hours[h], "%02d:00", h);
            cell c[2] = {T(hours[h]), N(r->per_hour[h])};
            TRY(w->row(w, c, 2));
        }
        TRY(w->end(w));
    }
#undef TRY
    return VAX_OK;
}

/* Every writer's walk: the labels in the UI language, the signs' names read once. */
static int walk_tables(writer *w, const vax_report *r)
{
    enum { MAX_SIGNS = 64 };
    vax_aefi_sign *signs = calloc(MAX_SIGNS, sizeof *signs);
    int rc;
    if (!signs)
        return VAX_ENOMEM;
    w->vi = report_vi();
    if (vax_aefi_signs(signs, MAX_SIGNS, &w->nsigns) != VAX_OK)
        w->nsigns = 0; /* the codes, then: the report is still made */
    w->signs = signs;
    rc = walk_all(w, r);
    w->signs = NULL;
    free(signs);
    return rc;
}

/* ---- a growing string ---------------------------------------------------------------------- */

/* The text of a report: appends that fail leave the buffer failed, checked once at the end. */
typedef vax_buf sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    vax_buf_add(b, s, n);
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* A cell as plain text: dates dd/mm/yyyy for people (text) or ISO for machines (CSV). */
static void cell_text(const cell *c, int iso, char *out, size_t size)
{
    switch (c->kind) {
    case CELL_TEXT:
        vax_strlcpy(out, c->text, size);
        break;
    case CELL_INT:
        snprintf(out, size, "%lld", (long long)c->n);
        break;
    case CELL_DATE:
        if (iso || strlen(c->text) != 10)
            vax_strlcpy(out, c->text, size);
        else
            snprintf(out, size, "%.2s/%.2s/%.4s", c->text + 8, c->text + 5, c->text);
        break;
    case CELL_TIME: {
        char d[11], hm[6];
        vax_local_date(c->n, d);
        vax_local_hhmm(c->n, hm);
        if (iso)
            snprintf(out, size, "%s %s", d, hm);
        else
            snprintf(out, size, "%.2s/%.2s/%.4s %s", d + 8, d + 5, d, hm);
        break;
    }
    case CELL_PERMILLE:
        snprintf(out, size, "%lld.%lld%s", (long long)(c->n / 10), (long long)(c->n % 10),
                 iso ? "" : " %");
        break;
    case CELL_MINUTES:
        snprintf(out, size, "%lld.%lld", (long long)(c->n / 60), (long long)(c->n % 60 * 10 / 60));
        break;
    }
}

/* ---- CSV ------------------------------------------------------------------------------------ */

typedef struct csv_writer {
    writer w;
    sbuf b;
    vax_sink sink;
    void *ctx;
} csv_writer;

static void csv_field(sbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n;")) {
        sb_str(b, s);
        return;
    }
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            sb_add(b, "\"", 1);
        sb_add(b, s, 1);
    }
    sb_add(b, "\"", 1);
}

static int csv_flush(csv_writer *c)
{
    if (c->b.failed)
        return VAX_ENOMEM;
    int rc = c->b.len ? c->sink(c->b.data, c->b.len, c->ctx) : 0;
    c->b.len = 0;
    return rc ? VAX_EIO : VAX_OK;
}

static int csv_table(writer *w, const label *title, const label *cols, int ncols)
{
    csv_writer *c = (csv_writer *)w;
    csv_field(&c->b, lbl(w, title));
    sb_str(&c->b, "\r\n");
    for (int i = 0; i < ncols; i++) {
        if (i)
            sb_add(&c->b, ",", 1);
        csv_field(&c->b, lbl(w, &cols[i]));
    }
    sb_str(&c->b, "\r\n");
    return VAX_OK;
}

static int csv_row(writer *w, const cell *cells, int n)
{
    csv_writer *c = (csv_writer *)w;
    char text[600];
    for (int i = 0; i < n; i++) {
        if (i)
            sb_add(&c->b, ",", 1);
        cell_text(&cells[i], 1, text, sizeof text);
        csv_field(&c->b, text);
    }
    sb_str(&c->b, "\r\n");
    return c->b.len > 65536 ? csv_flush(c) : VAX_OK;
}

static int csv_end(writer *w)
{
    csv_writer *c = (csv_writer *)w;
    sb_str(&c->b, "\r\n");
    return csv_flush(c);
}

int vax_report_csv(vax_db *db, const vax_report *r, vax_sink sink, void *ctx)
{
    csv_writer c;
    int rc;
    memset(&c, 0, sizeof c);
    c.w.table = csv_table;
    c.w.row = csv_row;
    c.w.end = csv_end;
    c.sink = sink;
    c.ctx = ctx;
    vax_clear_error(db);
    /* the BOM lets a spreadsheet open the text (Vietnamese letters) as UTF-8 */
    sb_str(&c.b, "\xEF\xBB\xBF");
    rc = walk_tables(&c.w, r);
    vax_buf_free(&c.b);
    if (rc == VAX_EIO)
        return vax_fail(db, VAX_EIO, "out", "%s", _("Report: cannot write the output."));
    return rc;
}

/* ---- text ----------------------------------------------------------------------------------- */

#define TEXT_MAX_COLS 12

typedef struct text_writer {
    writer w;
    sbuf out;
    const label *title, *cols;
    int ncols;
    int width[TEXT_MAX_COLS];
    int numeric[TEXT_MAX_COLS];
    char **cells; /* nrows x ncols */
    int nrows, cap;
    vax_sink sink;
    void *ctx;
} text_writer;

static int text_table(writer *w, const label *title, const label *cols, int ncols)
{
    text_writer *t = (text_writer *)w;
    t->title = title;
    t->cols = cols;
    t->ncols = ncols;
    t->nrows = 0;
    memset(t->numeric, 0, sizeof t->numeric);
    for (int i = 0; i < ncols; i++)
        t->width[i] = vax_text_width(lbl(w, &cols[i]));
    /* the header is row 0 */
    return w->row(w, NULL, 0) == VAX_OK ? VAX_OK : VAX_ENOMEM;
}

/* A cell's text; numbers are stored behind a \x01 mark and aligned to the right. */
static int text_store(text_writer *t, int col, const char *s, int numeric)
{
    size_t n = strlen(s);
    char *copy = malloc(n + 2);
    if (!copy)
        return VAX_ENOMEM;
    copy[0] = '\x01';
    memcpy(copy + 1, s, n + 1);
    t->cells[t->nrows * TEXT_MAX_COLS + col] = numeric ? copy : memmove(copy, copy + 1, n + 1);
    int wd = vax_text_width(s);
    if (wd > t->width[col])
        t->width[col] = wd;
    return VAX_OK;
}

static int text_row(writer *w, const cell *cells, int n)
{
    text_writer *t = (text_writer *)w;
    char text[600];
    if (t->nrows == t->cap) {
        int cap = t->cap ? t->cap * 2 : 32;
        char **p = realloc(t->cells, sizeof(char *) * TEXT_MAX_COLS * (size_t)cap);
        if (!p)
            return VAX_ENOMEM;
        t->cells = p;
        t->cap = cap;
    }
    for (int i = 0; i < TEXT_MAX_COLS; i++)
        t->cells[t->nrows * TEXT_MAX_COLS + i] = NULL;
    for (int i = 0; i < t->ncols; i++) {
        int numeric = 0;
        if (!cells)
            vax_strlcpy(text, lbl(w, &t->cols[i]), sizeof text);
        else if (i < n)
            cell_text(&cells[i], 0, text, sizeof text);
        else
            text[0] = 0;
        if (cells && i < n && cells[i].kind != CELL_TEXT && cells[i].kind != CELL_DATE &&
            cells[i].kind != CELL_TIME)
            numeric = t->numeric[i] = 1;
        if (text_store(t, i, text, numeric) != VAX_OK)
            return VAX_ENOMEM;
    }
    t->nrows++;
    return VAX_OK;
}

static void pad(sbuf *b, int n)
{
    for (; n > 0; n--)
        sb_add(b, " ", 1);
}

static int text_end(writer *w)
{
    text_writer *t = (text_writer *)w;
    int rc = VAX_OK;
    sb_str(&t->out, lbl(w, t->title));
    sb_str(&t->out, "\n");
    for (int r = 0; r < t->nrows; r++) {
        size_t start = t->out.len;
        sb_str(&t->out, "  ");
        for (int i = 0; i < t->ncols; i++) {
            const char *s = t->cells[r * TEXT_MAX_COLS + i];
            /* numbers (and the header of a column of numbers) to the right */
            int right = s[0] == '\x01' || (r == 0 && t->numeric[i]);
            if (s[0] == '\x01')
                s++;
            int gap = t->width[i] - vax_text_width(s);
            if (i)
                sb_str(&t->out, "  ");
            if (right)
                pad(&t->out, gap);
            sb_str(&t->out, s);
            if (!right)
                pad(&t->out, gap);
        }
        while (t->out.len > start && t->out.data[t->out.len - 1] == ' ')
            t->out.len--;
        sb_str(&t->out, "\n");
        if (r == 0 && t->nrows == 1)
            sb_str(&t->out, "  -\n");
    }
    sb_str(&t->out, "\n");
    for (int r = 0; r < t->nrows; r++)
        for (int i = 0; i < TEXT_MAX_COLS; i++)
            free(t->cells[r * TEXT_MAX_COLS + i]);
    t->nrows = 0;
    if (t->out.failed)
        return VAX_ENOMEM;
    if (t->sink(t->out.data, t->out.len, t->ctx))
        rc = VAX_EIO;
    t->out.len = 0;
    return rc;
}

int vax_report_text(vax_db *db, const vax_report *r, vax_sink sink, void *ctx)
{
    text_writer t;
    int rc;
    memset(&t, 0, sizeof t);
    t.w.table = text_table;
    t.w.row = text_row;
    t.w.end = text_end;
    t.sink = sink;
    t.ctx = ctx;
    vax_clear_error(db);
    rc = walk_tables(&t.w, r);
    for (int i = 0; i < t.nrows; i++)
        for (int k = 0; k < TEXT_MAX_COLS; k++)
            free(t.cells[i * TEXT_MAX_COLS + k]);
    free(t.cells);
    vax_buf_free(&t.out);
    if (rc == VAX_EIO)
        return vax_fail(db, VAX_EIO, "out", "%s", _("Report: cannot write the output."));
    return rc;
}

/* ---- xlsx ----------------------------------------------------------------------------------- */

typedef struct xlsx_writer {
    writer w;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *head, *date, *time, *pct, *mins;
    int row, ncols;
    double width[TEXT_MAX_COLS];
} xlsx_writer;

static int xlsx_table(writer *w, const label *title, const label *cols, int ncols)
{
    xlsx_writer *x = (xlsx_writer *)w;
    if (!(x->ws = workbook_add_worksheet(x->wb, lbl(w, title))))
        return VAX_EIO;
    x->row = 1;
    x->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        worksheet_write_string(x->ws, 0, (lxw_col_t)i, lbl(w, &cols[i]), x->head);
        x->width[i] = vax_text_width(lbl(w, &cols[i])) + 2;
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    return VAX_OK;
}

static int xlsx_row(writer *w, const cell *cells, int n)
{
    xlsx_writer *x = (xlsx_writer *)w;
    lxw_row_t row = (lxw_row_t)x->row++;
    for (int i = 0; i < n && i < TEXT_MAX_COLS; i++) {
        const cell *c = &cells[i];
        lxw_col_t col = (lxw_col_t)i;
        double wd = 10;
        switch (c->kind) {
        case CELL_TEXT:
            if (c->text[0])
                worksheet_write_string(x->ws, row, col, c->text, NULL);
            wd = vax_text_width(c->text) + 2;
            break;
        case CELL_INT:
            worksheet_write_number(x->ws, row, col, (double)c->n, NULL);
            break;
        case CELL_DATE: {
            lxw_datetime dt = {atoi(c->text), atoi(c->text + 5), atoi(c->text + 8), 0, 0, 0};
            worksheet_write_datetime(x->ws, row, col, &dt, x->date);
            wd = 12;
            break;
        }
        case CELL_TIME: {
            time_t t = (time_t)c->n;
            struct tm tm;
            localtime_r(&t, &tm);
            lxw_datetime dt = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                               tm.tm_hour,        tm.tm_min,     tm.tm_sec};
            worksheet_write_datetime(x->ws, row, col, &dt, x->time);
            wd = 17;
            break;
        }
        case CELL_PERMILLE:
            worksheet_write_number(x->ws, row, col, (double)c->n / 1000.0, x->pct);
            break;
        case CELL_MINUTES:
            worksheet_write_number(x->ws, row, col, (double)c->n / 60.0, x->mins);
            break;
        }
        if (wd > x->width[i])
            x->width[i] = wd > 60 ? 60 : wd;
    }
    return VAX_OK;
}

static int xlsx_end(writer *w)
{
    xlsx_writer *x = (xlsx_writer *)w;
    for (int i = 0; i < x->ncols; i++)
        worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, x->width[i], NULL);
    return VAX_OK;
}

int vax_report_xlsx(vax_db *db, const vax_report *r, const char *path)
{
    xlsx_writer x;
    int rc;
    vax_clear_error(db);
    memset(&x, 0, sizeof x);
    x.w.table = xlsx_table;
    x.w.row = xlsx_row;
    x.w.end = xlsx_end;
    /* libxlsxwriter reports a file it cannot create on stderr: find out first, quietly; made
     * private here, the file stays 0600 when libxlsxwriter writes over it */
    int probe = vax_private_fd(path, 0);
    if (probe < 0)
        return vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s."), path);
    close(probe);
    if (!(x.wb = workbook_new(path)))
        return vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s."), path);
    x.head = workbook_add_format(x.wb);
    format_set_bold(x.head);
    format_set_bg_color(x.head, 0xDDEBF7);
    format_set_border(x.head, LXW_BORDER_THIN);
    format_set_text_wrap(x.head);
    x.date = workbook_add_format(x.wb);
    format_set_num_format(x.date, "dd/mm/yyyy");
    x.time = workbook_add_format(x.wb);
    format_set_num_format(x.time, "dd/mm/yyyy hh:mm");
    x.pct = workbook_add_format(x.wb);
    format_set_num_format(x.pct, "0.0%");
    x.mins = workbook_add_format(x.wb);
    format_set_num_format(x.mins, "0.0");
    rc = walk_tables(&x.w, r);
    lxw_error err = workbook_close(x.wb);
    if (rc != VAX_OK || err != LXW_NO_ERROR) {
        remove(path);
        return vax_fail(db, rc == VAX_ENOMEM ? VAX_ENOMEM : VAX_EIO, "out",
                        _("Report: cannot write %s (%s)."), path,
                        err != LXW_NO_ERROR ? lxw_strerror(err) : vax_status_str(rc));
    }
    return VAX_OK;
}

/* ---- the quick report ---------------------------------------------------------------------- */

/* Appends s padded with spaces (or cut) to width columns; right: the spaces before it. */
static void quick_cell(sbuf *b, const char *s, int width, int right)
{
    char cut[512];
    vax_strlcpy(cut, s, sizeof cut);
    while (vax_text_width(cut) > width) { /* cut at a character, never inside one */
        size_t n = strlen(cut);
        while (n > 0 && ((unsigned char)cut[n - 1] & 0xC0) == 0x80)
            n--;
        cut[n > 0 ? n - 1 : 0] = 0;
    }
    int gap = width - vax_text_width(cut);
    if (right)
        pad(b, gap);
    sb_str(b, cut);
    if (!right)
        pad(b, gap);
}

enum { QUICK_LABEL = 50, QUICK_NUM = 13 };

static void quick_row(sbuf *b, int *lines, const char *name, const char *day, const char *cum)
{
    size_t start = b->len;
    quick_cell(b, name, QUICK_LABEL, 0);
    sb_str(b, " ");
    quick_cell(b, day, QUICK_NUM, 1);
    sb_str(b, " ");
    quick_cell(b, cum, QUICK_NUM, 1);
    while (b->len > start && b->data[b->len - 1] == ' ')
        b->len--;
    sb_str(b, "\n");
    (*lines)++;
}

static void quick_figure(sbuf *b, int *lines, int vi, const label *name, int day, int cum)
{
    char d[16], c[16];
    snprintf(d, sizeof d, "%d", day);
    snprintf(c, sizeof c, "%d", cum);
    quick_row(b, lines, vi ? name->vi : name->en, d, c);
}

static void quick_line(sbuf *b, int *lines, const char *text)
{
    quick_cell(b, text, VAX_QUICK_COLS, 0);
    while (b->len > 0 && b->data[b->len - 1] == ' ')
        b->len--;
    sb_str(b, "\n");
    (*lines)++;
}

/* The quick report's lines, in the UI language. */
static void quick_lines(const vax_report *r, sbuf *b)
{
    int vi = report_vi(), lines = 0;
    char line[512], from[11], to[11], made[11], hm[6], since[11] = "-";
    const vax_report_period *d = &r->day, *c = &r->cum;
    vax_date_dmy(r->from, from);
    vax_date_dmy(r->to, to);
    vax_local_date(r->made_at, line);
    vax_date_dmy(line, made);
    vax_local_hhmm(r->made_at, hm);
    if (r->campaign_from[0])
        vax_date_dmy(r->campaign_from, since);
    if (strcmp(r->from, r->to) == 0)
        snprintf(line, sizeof line, vi ? "BÁO CÁO NHANH NGÀY %s" : "QUICK REPORT OF %s", from);
    else
        snprintf(line, sizeof line, vi ? "BÁO CÁO NHANH TỪ %s ĐẾN %s" : "QUICK REPORT, %s TO %s",
                 from, to);
    quick_line(b, &lines, line);
    quick_line(b, &lines, r->site_name[0] ? r->site_name : r->site_code);
    snprintf(line, sizeof line,
             vi ? "Lập lúc %s %s · lũy kế từ %s (mũi đầu tiên của điểm)"
                : "Made at %s %s · cumulative since %s (the site's first dose)",
             made, hm, since);
    quick_line(b, &lines, line);
    quick_line(b, &lines, "");
    quick_row(b, &lines, "",
              strcmp(r->from, r->to) == 0 ? (vi ? "Trong ngày" : "The day")
                                          : (vi ? "Trong kỳ" : "The period"),
              vi ? "Lũy kế" : "Cumulative");
    quick_figure(b, &lines, vi, &(label){"Số mũi tiêm", "Doses given"}, d->doses, c->doses);
    for (int k = 1; k <= VAX_MAX_SERIES; k++) {
        if (!c->by_number[k] && !d->by_number[k] && k > 1)
            continue;
        char vk[32], ek[32];
        snprintf(vk, sizeof vk, "  Mũi %d", k);
        snprintf(ek, sizeof ek, "  Dose %d", k);
        quick_figure(b, &lines, vi, &(label){vk, ek}, d->by_number[k], c->by_number[k]);
    }
    quick_figure(
        b, &lines, vi,
        &(label){"Số người tiêm đủ liều cơ bản", "People who completed the primary series"},
        d->completed, c->completed);
    quick_figure(b, &lines, vi, &(label){"Phản ứng thông thường", "Minor reactions"},
                 d->reactions_minor, c->reactions_minor);
    quick_figure(b, &lines, vi, &(label){"Tai biến nặng", "Serious reactions"},
                 d->reactions_serious, c->reactions_serious);
    quick_figure(b, &lines, vi, &(label){"Số người hẹn tiêm", "People booked"}, d->booked,
                 c->booked);
    quick_figure(b, &lines, vi,
                 &(label){"Người có hẹn không đến", "Booked, did not come (no-shows)"}, d->no_shows,
                 c->no_shows);
    quick_line(b, &lines, "");
    /* the stock left, product by product, on as many lines as the page has left */
    snprintf(line, sizeof line, "%s", vi ? "Tồn kho cuối ngày (liều):" : "Stock left (doses):");
    size_t len = strlen(line);
    int shown = 0;
    for (int i = 0; i < r->nstock; i++) {
        char item[64];
        int n = snprintf(item, sizeof item, "%s %s %d", shown ? " ·" : "", r->stock[i].product,
                         r->stock[i].closing);
        if (vax_text_width(line) + n > VAX_QUICK_COLS) {
            if (lines >= VAX_QUICK_LINES - 1)
                break;
            quick_line(b, &lines, line);
            len = (size_t)snprintf(line, sizeof line, " ");
            n = snprintf(item, sizeof item, " %s %d", r->stock[i].product, r->stock[i].closing);
        }
        len += (size_t)snprintf(line + len, sizeof line - len, "%s", item);
        shown++;
    }
    if (!shown)
        snprintf(line + len, sizeof line - len, " %s", vi ? "không có" : "none");
    if (lines < VAX_QUICK_LINES)
        quick_line(b, &lines, line);
}

int vax_report_quick_text(vax_db *db, const vax_report *r, vax_sink sink, void *ctx)
{
    sbuf b;
    int rc = VAX_OK;
    vax_clear_error(db);
    vax_buf_init(&b);
    quick_lines(r, &b);
    if (b.failed)
        rc = VAX_ENOMEM;
    else if (sink(b.data, b.len, ctx))
        rc = vax_fail(db, VAX_EIO, "out", "%s", _("Report: cannot write the output."));
    vax_buf_free(&b);
    return rc;
}

/* The same lines on one A4 page in a monospaced font, so that the columns stay columns: 78
 * columns of 10 pt DejaVu Sans Mono are 469 pt of the page's 595. */
int vax_report_quick_pdf(vax_db *db, const vax_report *r, const char *path)
{
    const double a4_w = 595.28, a4_h = 841.89, margin = 56, size = 10, lead = 15;
    sbuf b;
    int rc = VAX_OK;
    vax_clear_error(db);
    int probe = vax_private_fd(path, 0); /* a report names people's figures: 0600 */
    if (probe < 0)
        return vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s."), path);
    close(probe);
    vax_buf_init(&b);
    quick_lines(r, &b);
    if (b.failed) {
        vax_buf_free(&b);
        return VAX_ENOMEM;
    }
    cairo_surface_t *sf = cairo_pdf_surface_create(path, a4_w, a4_h);
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double y = margin + 14;
    int first = 1;
    for (char *p = b.data; p && p < b.data + b.len;) {
        char *end = memchr(p, '\n', (size_t)(b.data + b.len - p));
        if (end)
            *end = 0;
        cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL,
                               first ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, first ? 14 : size);
        cairo_move_to(cr, margin, y);
        cairo_show_text(cr, p);
        y += first ? 24 : lead;
        first = 0;
        p = end ? end + 1 : NULL;
    }
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        rc = vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s (%s)."), path,
                      cairo_status_to_string(cairo_surface_status(sf)));
        remove(path);
    }
    cairo_surface_destroy(sf);
    /* the fonts' process-wide caches (cairo's, then fontconfig's, which the next page loads
     * again): nothing of this page outlives it, so a leak checker at exit finds nothing */
    cairo_debug_reset_static_data();
    FcFini();
    vax_buf_free(&b);
    return rc;
}
