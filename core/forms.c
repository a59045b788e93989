/* forms.c: the Ministry's report forms filled with the site's figures: the daily results report
 * (annex 5 of QĐ 43/QĐ-BYT) and the end-of-round report (annex 6), as .xlsx and PDF. The tables,
 * their columns and their order are the layout files' (assets/forms); this file computes each
 * figure under its name and the writers put it in the column the layout gives it. */
#include "datafile.h"
#include "forms.h"
#include "internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define FORM_MAX_CELLS 24
#define FORM_MAX_TABLES 6
#define FORM_FONT "DejaVu Sans"
#define MM (72.0 / 25.4)

typedef struct form_cell {
    char fig[24];
    char text[256];
    double num;
    int is_num;
} form_cell;

typedef struct form_row {
    form_cell cells[FORM_MAX_CELLS];
    int n;
    int total; /* the "Cộng" row: set in bold */
} form_row;

typedef struct form_table {
    char name[24];
    form_row *rows;
    int nrows, cap;
} form_table;

struct vax_form {
    vax_datafile df;
    char kind[8]; /* "daily" or "round" */
    char unit[256], lines[3][400];
    form_table tables[FORM_MAX_TABLES];
    int ntables;
};

static int form_vi(void)
{
    return strcmp(vax_lang(), "en") != 0;
}

void vax_form_free(vax_form *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->ntables; i++)
        free(f->tables[i].rows);
    vax_datafile_free(&f->df);
    free(f);
}

static form_table *table_of(vax_form *f, const char *name)
{
    for (int i = 0; i < f->ntables; i++)
        if (!strcmp(f->tables[i].name, name))
            return &f->tables[i];
    if (f->ntables == FORM_MAX_TABLES)
        return NULL;
    form_table *t = &f->tables[f->ntables++];
    memset(t, 0, sizeof *t);
    vax_strlcpy(t->name, name, sizeof t->name);
    return t;
}

static form_row *row_add(form_table *t)
{
    if (t->nrows == t->cap) {
        int cap = t->cap ? 2 * t->cap : 8;
        form_row *r = realloc(t->rows, (size_t)cap * sizeof *r);
        if (!r)
            return NULL;
        t->rows = r;
        t->cap = cap;
    }
    form_row *r = &t->rows[t->nrows++];
    memset(r, 0, sizeof *r);
    return r;
}

static form_cell *cell_of(form_row *r, const char *fig)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->cells[i].fig, fig))
            return &r->cells[i];
    if (r->n == FORM_MAX_CELLS)
        return NULL;
    form_cell *c = &r->cells[r->n++];
    memset(c, 0, sizeof *c);
    vax_strlcpy(c->fig, fig, sizeof c->fig);
    return c;
}

static void put_text(form_row *r, const char *fig, const char *text)
{
    form_cell *c = cell_of(r, fig);
    if (c)
        vax_strlcpy(c->text, text, sizeof c->text);
}

static void put_num(form_row *r, const char *fig, double v)
{
    form_cell *c = cell_of(r, fig);
    if (c) {
        c->is_num = 1;
        c->num = v;
        snprintf(c->text, sizeof c->text, v == (double)(long long)v ? "%.0f" : "%.1f", v);
    }
}

static void add_num(form_row *r, const char *fig, double v)
{
    form_cell *c = cell_of(r, fig);
    if (c)
        put_num(r, fig, (c->is_num ? c->num : 0) + v);
}

static double num_of(form_row *r, const char *fig)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->cells[i].fig, fig))
            return r->cells[i].num;
    return 0;
}

/* ---- the layout ------------------------------------------------------------------------------ */

static const char *sec_str(const vax_datafile *df, const vax_df_section *s, const char *key)
{
    const vax_df_entry *e = vax_datafile_get(df, s, key);
    return e ? e->value : "";
}

static const vax_df_section *section(const vax_datafile *df, const char *name)
{
    for (int i = 0; i < df->nsections; i++)
        if (!strcmp(df->sections[i].name, name))
            return &df->sections[i];
    return NULL;
}

/* The columns of table `t`: the sections "t.1", "t.2", ... in the file's order. */
static int columns_of(const vax_datafile *df, const char *t, const vax_df_section **out, int max)
{
    int n = 0;
    size_t len = strlen(t);
    for (int i = 0; i < df->nsections && n < max; i++)
        if (!strncmp(df->sections[i].name, t, len) && df->sections[i].name[len] == '.' &&
            strncmp(df->sections[i].name, "table.", 6))
            out[n++] = &df->sections[i];
    return n;
}

static const char *lang_key(const vax_datafile *df, const vax_df_section *s, const char *base)
{
    char key[32];
    snprintf(key, sizeof key, "%s%s%s", base, base[0] ? "." : "", form_vi() ? "vi" : "en");
    return sec_str(df, s, key);
}

static int form_parse(vax_db *db, vax_form *f, const char *name, const char *text)
{
    static const char *const form_keys[] = {"form", "source", "title.vi", "title.en", NULL};
    static const char *const table_keys[] = {"title.vi", "title.en", NULL};
    static const char *const col_keys[] = {"figure",   "vi",    "en", "group.vi",
                                           "group.en", "width", NULL};
    int rc = vax_datafile_parse(&f->df, name, text);
    if (rc == VAX_OK) {
        for (int i = 0; i < f->df.nsections && rc == VAX_OK; i++) {
            const vax_df_section *s = &f->df.sections[i];
            rc = vax_datafile_unknown_keys(&f->df, s,
                                           !strcmp(s->name, "form")         ? form_keys
                                           : !strncmp(s->name, "table.", 6) ? table_keys
                                                                            : col_keys);
        }
    }
    if (rc == VAX_OK && !section(&f->df, "form"))
        rc = vax_datafile_fail(&f->df, 1, "no [form] section");
    if (rc != VAX_OK)
        return vax_fail(db, rc, "layout", "%s", f->df.error);
    return VAX_OK;
}

/* ---- shared figures ----------------------------------------------------------------------------
 */

static void product_name(vax_db *db, const char *code, char *out, size_t size)
{
    vax_product p;
    if (code[0] && vax_product_get(db, code, &p) == VAX_OK)
        vax_strlcpy(out, p.name, size);
    else
        vax_strlcpy(out, code, size);
    vax_clear_error(db);
}

static void site_unit(vax_db *db, vax_form *f, int64_t *site_id)
{
    vax_site s;
    *site_id = 0;
    if (vax_site_details(db, &s) == VAX_OK) {
        vax_site_display_name(&s, f->unit, sizeof f->unit);
        *site_id = s.id;
    } else if (vax_site_get(db, &s) == VAX_OK) {
        vax_site_display_name(&s, f->unit, sizeof f->unit);
        *site_id = s.id;
    }
    vax_clear_error(db);
}

/* ---- annex 5: the day ---------------------------------------------------------------------------
 */

/* the daily table's figures that are counts: 0 until counted */
static const char *const daily_figures[] = {
    "planned",   "referred",  "declined",   "postponed", "contraindicated", "primary.1",
    "primary.2", "primary.3", "additional", "booster.1", "booster.2",       "used",
    "wasted",    "minor",     "serious",    NULL};

/* The row of (product, round) of the daily table, made when first named. */
static form_row *daily_row(vax_db *db, form_table *t, const char *product, const char *round,
                           const char *place)
{
    for (int i = 0; i < t->nrows; i++) {
        form_row *r = &t->rows[i];
        form_cell *p = cell_of(r, "product"), *rd = cell_of(r, "round");
        if (p && rd && !strcmp(p->text, product) && !strcmp(rd->text, round))
            return r;
    }
    form_row *r = row_add(t);
    if (!r)
        return NULL;
    char name[160];
    put_text(r, "product", product);
    put_text(r, "round", round);
    put_text(r, "place", place);
    if (product[0])
        product_name(db, product, name, sizeof name);
    else
        vax_strlcpy(name, form_vi() ? "(chưa xác định vắc xin)" : "(vaccine not attributed)",
                    sizeof name);
    put_text(r, "vaccine", name);
    for (const char *const *z = daily_figures; *z; z++)
        put_num(r, *z, 0);
    return r;
}

static int step_done(vax_db *db, sqlite3_stmt *st, int rc)
{
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("making the report"));
    return VAX_OK;
}

/* The product a visit of the day is counted under: its dose's, its booking's, else the day's only
 * vaccine in the plan, else "" (SQL over visit v). */
#define VISIT_PRODUCT_SQL                                                                          \
    "coalesce((SELECT d.product FROM dose d WHERE d.visit_id = v.id AND d.voided = 0"              \
    "  ORDER BY d.id DESC LIMIT 1),"                                                               \
    " nullif((SELECT a.product FROM appointment a WHERE a.id = v.appointment_id), ''),"            \
    " (SELECT trim(sd.products) FROM site_day sd WHERE sd.site_id = v.site_id AND sd.day = v.day"  \
    "  AND trim(sd.products) <> '' AND instr(trim(sd.products), ' ') = 0), '')"

int vax_form_daily(vax_db *db, const char *day, vax_form **out)
{
    vax_form *f = calloc(1, sizeof *f);
    vax_report *rep = NULL;
    char round_now[33] = "", dmy[11], place[300];
    int64_t site_id;
    int rc;
    *out = NULL;
    vax_clear_error(db);
    if (!f)
        return VAX_ENOMEM;
    vax_strlcpy(f->kind, "daily", sizeof f->kind);
    if ((rc = form_parse(db, f, "moh-43-2022-annex5.conf", vax_asset_moh_43_2022_annex5_conf)) !=
        VAX_OK)
        goto fail;
    /* the daily report's own figures: the day's checks of the date and the stock ledger */
    if ((rc = vax_report_make(db, day, NULL, &rep)) != VAX_OK)
        goto fail;
    site_unit(db, f, &site_id);
    vax_setting_text(db, "campaign.round", round_now, sizeof round_now);
    vax_date_dmy(rep->from, dmy);
    snprintf(place, sizeof place, "%s / %s", f->unit, dmy);
    char from_dmy[11] = "";
    if (rep->campaign_from[0])
        vax_date_dmy(rep->campaign_from, from_dmy);
    snprintf(f->lines[0], sizeof f->lines[0], "%s: %s", form_vi() ? "Đơn vị" : "Unit", f->unit);
    snprintf(f->lines[1], sizeof f->lines[1], "%s: %s",
             form_vi() ? "Thời gian bắt đầu triển khai" : "Campaign started",
             from_dmy[0] ? from_dmy : "-");
    snprintf(f->lines[2], sizeof f->lines[2], "%s: %s", form_vi() ? "Ngày báo cáo" : "Report day",
             dmy);
    form_table *t = table_of(f, "daily");
    if (!t) {
        rc = VAX_ENOMEM;
        goto fail;
    }

    /* doses of the day, by product, round and slot */
    sqlite3_stmt *st = vax_stmt(db, "SELECT d.product, d.round, " DOSE_SLOT_SQL(
                                        "d") " FROM dose d JOIN visit v ON v.id = d.visit_id"
                                             " WHERE v.site_id = ?1 AND d.voided = 0"
                                             " AND date(d.given_at, 'unixepoch', 'localtime') = ?2"
                                             " ORDER BY d.product, d.round");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, rep->from, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        form_row *r = daily_row(db, t, vax_col_text(st, 0), vax_col_text(st, 1), place);
        if (r)
            add_num(r, vax_col_text(st, 2), 1);
    }
    if ((rc = step_done(db, st, rc)) != VAX_OK)
        goto fail;

    /* visits of the day: people planned, and how the screening ended for those not vaccinated */
    st = vax_stmt(db,
                  "SELECT " VISIT_PRODUCT_SQL ","
                  " coalesce((SELECT d.round FROM dose d WHERE d.visit_id = v.id"
                  "  AND d.voided = 0 ORDER BY d.id DESC LIMIT 1), ?3),"
                  " coalesce((SELECT sc.final_outcome FROM screening sc WHERE sc.visit_id = v.id"
                  "  ORDER BY sc.id DESC LIMIT 1), '')"
                  " FROM visit v WHERE v.site_id = ?1 AND v.day = ?2 AND v.state <> 'cancelled'");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, rep->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, round_now, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        form_row *r = daily_row(db, t, vax_col_text(st, 0), vax_col_text(st, 1), place);
        const char *o = vax_col_text(st, 2);
        if (!r)
            continue;
        add_num(r, "planned", 1);
        if (!strcmp(o, "referred") || !strcmp(o, "declined") || !strcmp(o, "postponed") ||
            !strcmp(o, "contraindicated"))
            add_num(r, o, 1);
    }
    if ((rc = step_done(db, st, rc)) != VAX_OK)
        goto fail;

    /* booked for the day and not come: planned too */
    st = vax_stmt(db, "SELECT coalesce(nullif(a.product, ''),"
                      " (SELECT trim(sd.products) FROM site_day sd WHERE sd.day = a.day"
                      "  AND trim(sd.products) <> '' AND instr(trim(sd.products), ' ') = 0), '')"
                      " FROM appointment a WHERE a.day = ?1 AND a.state IN ('booked', 'no_show')");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, rep->from, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        form_row *r = daily_row(db, t, vax_col_text(st, 0), round_now, place);
        if (r)
            add_num(r, "planned", 1);
    }
    if ((rc = step_done(db, st, rc)) != VAX_OK)
        goto fail;

    /* reactions seen that day, in the row of the visit's dose */
    st = vax_stmt(db, "SELECT coalesce(d.product, ''), coalesce(d.round, ?3), x.severity"
                      " FROM reaction x JOIN visit v ON v.id = x.visit_id"
                      " LEFT JOIN dose d ON d.id = (SELECT max(d2.id) FROM dose d2"
                      "  WHERE d2.visit_id = v.id AND d2.voided = 0)"
                      " WHERE v.site_id = ?1 AND v.day = ?2");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, rep->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, round_now, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        form_row *r = daily_row(db, t, vax_col_text(st, 0), vax_col_text(st, 1), place);
        if (r)
            add_num(r, !strcmp(vax_col_text(st, 2), "serious") ? "serious" : "minor", 1);
    }
    if ((rc = step_done(db, st, rc)) != VAX_OK)
        goto fail;

    /* doses used and discarded: the daily report's stock ledger, in each product's first row */
    for (int i = 0; i < rep->nstock; i++) {
        const vax_report_ledger *l = &rep->stock[i];
        if (!l->used && !l->wasted)
            continue;
        form_row *r = NULL;
        for (int k = 0; k < t->nrows && !r; k++)
            if (!strcmp(cell_of(&t->rows[k], "product")->text, l->product))
                r = &t->rows[k];
        if (!r && !(r = daily_row(db, t, l->product, round_now, place)))
            continue;
        add_num(r, "used", l->used);
        add_num(r, "wasted", l->wasted);
    }

    /* numbered rows, then the total */
    for (int i = 0; i < t->nrows; i++)
        put_num(&t->rows[i], "tt", i + 1);
    form_row *sum = row_add(t);
    if (!sum) {
        rc = VAX_ENOMEM;
        goto fail;
    }
    sum->total = 1;
    put_text(sum, "place", form_vi() ? "Cộng" : "Total");
    for (const char *const *z = daily_figures; *z; z++)
        put_num(sum, *z, 0);
    for (int i = 0; i < t->nrows - 1; i++)
        for (int c = 0; c < t->rows[i].n; c++)
            if (t->rows[i].cells[c].is_num && strcmp(t->rows[i].cells[c].fig, "tt"))
                add_num(sum, t->rows[i].cells[c].fig, t->rows[i].cells[c].num);
    vax_report_free(rep);
    *out = f;
    return VAX_OK;
fail:
    vax_report_free(rep);
    vax_form_free(f);
    return rc;
}

/* ---- annex 6: the round ---------------------------------------------------------------------- */

int vax_form_round(vax_db *db, const char *round, vax_form **out)
{
    vax_form *f = calloc(1, sizeof *f);
    vax_report *rep = NULL;
    char rnd[33] = "", first[11] = "", last[11] = "";
    int64_t site_id;
    int rc;
    *out = NULL;
    vax_clear_error(db);
    if (!f)
        return VAX_ENOMEM;
    vax_strlcpy(f->kind, "round", sizeof f->kind);
    if (round && round[0])
        vax_strlcpy(rnd, round, sizeof rnd);
    else
        vax_setting_text(db, "campaign.round", rnd, sizeof rnd);
    if (!rnd[0]) {
        rc = vax_fail(db, VAX_EINVAL, "round",
                      _("Round: name the vaccination round (--round), or set campaign.round."));
        goto fail;
    }
    if ((rc = form_parse(db, f, "moh-43-2022-annex6.conf", vax_asset_moh_43_2022_annex6_conf)) !=
        VAX_OK)
        goto fail;
    site_unit(db, f, &site_id);
    sqlite3_stmt *st = vax_stmt(db, "SELECT date(min(d.given_at), 'unixepoch', 'localtime'),"
                                    " date(max(d.given_at), 'unixepoch', 'localtime')"
                                    " FROM dose d JOIN visit v ON v.id = d.visit_id"
                                    " WHERE v.site_id = ?1 AND d.round = ?2 AND d.voided = 0");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, rnd, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        vax_strlcpy(first, vax_col_text(st, 0), sizeof first);
        vax_strlcpy(last, vax_col_text(st, 1), sizeof last);
    }
    sqlite3_reset(st);
    if (!first[0]) {
        rc = vax_fail(db, VAX_ENOTFOUND, "round",
                      _("Round %s: no dose of this round was given at this site."), rnd);
        goto fail;
    }
    /* the stock ledger over the round's days: the daily report's figures */
    if ((rc = vax_report_make(db, first, last, &rep)) != VAX_OK)
        goto fail;
    char d1[11], d2[11];
    vax_date_dmy(first, d1);
    vax_date_dmy(last, d2);
    snprintf(f->lines[0], sizeof f->lines[0], "%s: %s", form_vi() ? "Đơn vị" : "Unit", f->unit);
    snprintf(f->lines[1], sizeof f->lines[1], form_vi() ? "Đợt tiêm số %s" : "Round %s", rnd);
    snprintf(f->lines[2], sizeof f->lines[2], "%s %s - %s",
             form_vi() ? "Thời gian triển khai:" : "Days:", d1, d2);

    /* I. by priority group */
    form_table *t = table_of(f, "groups");
    if (!t) {
        rc = VAX_ENOMEM;
        goto fail;
    }
    st = vax_stmt(
        db, "SELECT g.code, CASE WHEN ?3 = 'vi' THEN g.name_vi ELSE g.name_en END,"
            " (SELECT count(*) FROM person p WHERE p.priority_group = g.code"
            "  AND p.merged_into IS NULL),"
            " (SELECT count(DISTINCT d.person_id) FROM dose d JOIN person p ON p.id = d.person_id"
            "  JOIN visit v ON v.id = d.visit_id WHERE p.priority_group = g.code AND d.voided = 0"
            "  AND v.site_id = ?1 AND d.round <> ?2),"
            " (SELECT count(*) FROM dose d JOIN person p ON p.id = d.person_id"
            "  JOIN visit v ON v.id = d.visit_id WHERE p.priority_group = g.code AND d.voided = 0"
            "  AND v.site_id = ?1 AND d.round <> ?2 AND d.dose_number = 1),"
            " (SELECT count(*) FROM dose d JOIN person p ON p.id = d.person_id"
            "  JOIN visit v ON v.id = d.visit_id WHERE p.priority_group = g.code AND d.voided = 0"
            "  AND v.site_id = ?1 AND d.round <> ?2 AND d.dose_number = 2),"
            " (SELECT count(DISTINCT d.person_id) FROM dose d JOIN person p ON p.id = d.person_id"
            "  JOIN visit v ON v.id = d.visit_id WHERE p.priority_group = g.code AND d.voided = 0"
            "  AND v.site_id = ?1 AND d.round = ?2)"
            " FROM priority_group g ORDER BY g.rank");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, rnd, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, form_vi() ? "vi" : "en", -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int people = sqlite3_column_int(st, 2), vaccinated = sqlite3_column_int(st, 6);
        if (!people && !vaccinated && !sqlite3_column_int(st, 3))
            continue; /* a group with nobody in the registry and no dose: not a line */
        form_row *r = row_add(t);
        if (!r) {
            sqlite3_reset(st);
            rc = VAX_ENOMEM;
            goto fail;
        }
        put_text(r, "group", vax_col_text(st, 1));
        put_num(r, "prev.people", sqlite3_column_int(st, 3));
        put_num(r, "prev.dose1", sqlite3_column_int(st, 4));
        put_num(r, "prev.dose2", sqlite3_column_int(st, 5));
        put_num(r, "people", people);
        put_num(r, "vaccinated", vaccinated);
        put_num(r, "coverage", vax_permille(vaccinated, people) / 10.0);
    }
    if ((rc = step_done(db, st, rc)) != VAX_OK)
        goto fail;
    form_row *sum = row_add(t);
    if (!sum) {
        rc = VAX_ENOMEM;
        goto fail;
    }
    sum->total = 1;
    put_text(sum, "group", form_vi() ? "Cộng" : "Total");
    static const char *const summed[] = {"prev.people", "prev.dose1", "prev.dose2",
                                         "people",      "vaccinated", NULL};
    for (int i = 0; i < t->nrows - 1; i++)
        for (const char *const *s = summed; *s; s++)
            add_num(sum, *s, num_of(&t->rows[i], *s));
    for (const char *const *s = summed; *s; s++)
        add_num(sum, *s, 0);
    put_num(sum, "coverage",
            vax_permille((int64_t)num_of(sum, "vaccinated"), (int64_t)num_of(sum, "people")) /
                10.0);

    /* by unit: this site */
    t = table_of(f, "units");
    form_row *u = t ? row_add(t) : NULL;
    if (!u) {
        rc = VAX_ENOMEM;
        goto fail;
    }
    put_text(u, "unit", f->unit);
    static const char *const slots[] = {"primary.1", "primary.2", "additional", "booster", NULL};
    for (const char *const *s = slots; *s; s++)
        put_num(u, *s, 0);
    st = vax_stmt(
        db, "SELECT " DOSE_SLOT_SQL("d") " FROM dose d JOIN visit v ON v.id = d.visit_id"
                                         " WHERE v.site_id = ?1 AND d.round = ?2 AND d.voided = 0");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, rnd, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *slot = vax_col_text(st, 0);
        add_num(u, !strncmp(slot, "booster.", 8) ? "booster" : slot, 1);
    }
    if ((rc = step_done(db, st, rc)) != VAX_OK)
        goto fail;
    st = vax_stmt(db, "SELECT (SELECT count(*) FROM person WHERE merged_into IS NULL),"
                      " (SELECT count(DISTINCT d.person_id) FROM dose d JOIN visit v"
                      "  ON v.id = d.visit_id WHERE v.site_id = ?1 AND d.round = ?2"
                      "  AND d.voided = 0)");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, rnd, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        put_num(u, "people", sqlite3_column_int(st, 0));
        put_num(u, "vaccinated", sqlite3_column_int(st, 1));
        put_num(u, "coverage",
                vax_permille(sqlite3_column_int(st, 1), sqlite3_column_int(st, 0)) / 10.0);
    }
    sqlite3_reset(st);

    /* II. serious reactions after a dose of the round */
    t = table_of(f, "serious");
    st = vax_stmt(db, "SELECT p.full_name, substr(p.birth_date, 1, 4), d.product, d.dose_number,"
                      " date(x.seen_at, 'unixepoch', 'localtime'), x.signs, x.outcome, x.action"
                      " FROM reaction x JOIN visit v ON v.id = x.visit_id"
                      " JOIN person p ON p.id = x.person_id"
                      " JOIN dose d ON d.id = (SELECT max(d2.id) FROM dose d2"
                      "  WHERE d2.visit_id = v.id AND d2.voided = 0)"
                      " WHERE v.site_id = ?1 AND d.round = ?2 AND x.severity = 'serious'"
                      " ORDER BY x.seen_at, x.id");
    if (!st || !t) {
        rc = st ? VAX_ENOMEM : VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_text(st, 2, rnd, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        form_row *r = row_add(t);
        char name[160], day[11], signs[256];
        if (!r)
            break;
        put_num(r, "tt", t->nrows);
        put_text(r, "name", vax_col_text(st, 0));
        put_text(r, "birth_year", vax_col_text(st, 1));
        product_name(db, vax_col_text(st, 2), name, sizeof name);
        put_text(r, "vaccine", name);
        put_num(r, "dose", sqlite3_column_int(st, 3));
        vax_date_dmy(vax_col_text(st, 4), day);
        put_text(r, "day", day);
        /* the signs by their names (assets/aefi.conf), as the daily report writes them */
        vax_aefi_sign_names(vax_col_text(st, 5), "; ", signs, sizeof signs);
        put_text(r, "signs", signs);
        put_text(r, "outcome", vax_reaction_words(vax_col_text(st, 7), vax_col_text(st, 6)));
    }
    if ((rc = step_done(db, st, rc)) != VAX_OK)
        goto fail;

    /* III. vaccine received, used, discarded, left: the ledger of the round's days */
    t = table_of(f, "vaccine");
    if (!t) {
        rc = VAX_ENOMEM;
        goto fail;
    }
    for (int i = 0; i < rep->nstock; i++) {
        const vax_report_ledger *l = &rep->stock[i];
        form_row *r = row_add(t);
        char name[160];
        if (!r) {
            rc = VAX_ENOMEM;
            goto fail;
        }
        product_name(db, l->product, name, sizeof name);
        put_text(r, "vaccine", name);
        put_num(r, "received", l->received);
        put_num(r, "used", l->used);
        put_num(r, "wasted", l->wasted);
        put_num(r, "left", l->closing);
    }
    vax_report_free(rep);
    *out = f;
    return VAX_OK;
fail:
    vax_report_free(rep);
    vax_form_free(f);
    return rc;
}

/* ---- the tables as the layout orders them ------------------------------------------------------
 */

#define FORM_MAX_COLS 32

typedef struct layout_table {
    const vax_df_section *table;
    const vax_df_section *cols[FORM_MAX_COLS];
    int ncols;
    form_table *data;
} layout_table;

/* The layout's tables in order, each with its columns and its rows (an empty table if none). */
static int layout_tables(vax_form *f, layout_table *out, int max)
{
    int n = 0;
    for (int i = 0; i < f->df.nsections && n < max; i++) {
        const vax_df_section *s = &f->df.sections[i];
        if (strncmp(s->name, "table.", 6))
            continue;
        layout_table *l = &out[n++];
        l->table = s;
        l->ncols = columns_of(&f->df, s->name + 6, l->cols, FORM_MAX_COLS);
        l->data = table_of(f, s->name + 6);
    }
    return n;
}

static const char *cell_text(form_row *r, const char *fig)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->cells[i].fig, fig))
            return r->cells[i].text;
    return "";
}

static form_cell *find_cell(form_row *r, const char *fig)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->cells[i].fig, fig))
            return &r->cells[i];
    return NULL;
}

const char *vax_form_cell(vax_form *f, const char *table, int row, const char *figure)
{
    for (int i = 0; i < f->ntables; i++)
        if (!strcmp(f->tables[i].name, table))
            return row >= 0 && row < f->tables[i].nrows ? cell_text(&f->tables[i].rows[row], figure)
                                                        : NULL;
    return NULL;
}

int vax_form_rows(vax_form *f, const char *table)
{
    for (int i = 0; i < f->ntables; i++)
        if (!strcmp(f->tables[i].name, table))
            return f->tables[i].nrows;
    return 0;
}

/* ---- xlsx ------------------------------------------------------------------------------------ */

/* One sheet per table of the layout: the form's title and heading lines in rows 1-4, the group
 * headings in row 6, the column headings in row 7 (the layout's order), the figures from row 8. */
int vax_form_xlsx(vax_db *db, vax_form *f, const char *path)
{
    layout_table lt[FORM_MAX_TABLES];
    int nt = layout_tables(f, lt, FORM_MAX_TABLES), rc = VAX_OK;
    vax_clear_error(db);
    int probe = vax_private_fd(path, 0); /* a report names people: 0600 */
    if (probe < 0)
        return vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s."), path);
    close(probe);
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s."), path);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_text_wrap(head);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_align(head, LXW_ALIGN_CENTER);
    format_set_align(head, LXW_ALIGN_VERTICAL_CENTER);
    lxw_format *cellf = workbook_add_format(wb);
    format_set_border(cellf, LXW_BORDER_THIN);
    lxw_format *sumf = workbook_add_format(wb);
    format_set_border(sumf, LXW_BORDER_THIN);
    format_set_bold(sumf);
    const vax_df_section *form = section(&f->df, "form");
    for (int t = 0; t < nt; t++) {
        char sheet[32];
        /* a sheet's name: at most 31 characters, none of []:*?/\ */
        snprintf(sheet, sizeof sheet, "%.31s", lt[t].table->name + 6);
        lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
        if (!ws) {
            rc = VAX_EIO;
            break;
        }
        worksheet_write_string(ws, 0, 0, lang_key(&f->df, form, "title"), bold);
        worksheet_write_string(ws, 1, 0, f->lines[0], NULL);
        worksheet_write_string(ws, 2, 0, f->lines[1], NULL);
        worksheet_write_string(ws, 3, 0, f->lines[2], NULL);
        worksheet_write_string(ws, 4, 0, lang_key(&f->df, lt[t].table, "title"), bold);
        for (int c = 0; c < lt[t].ncols; c++) {
            const vax_df_section *col = lt[t].cols[c];
            worksheet_write_string(ws, 5, (lxw_col_t)c, lang_key(&f->df, col, "group"), head);
            worksheet_write_string(ws, 6, (lxw_col_t)c, lang_key(&f->df, col, ""), head);
            const vax_df_entry *w = vax_datafile_get(&f->df, col, "width");
            worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w ? atof(w->value) / 2.2 : 12,
                                 NULL);
        }
        worksheet_set_row(ws, 6, 45, NULL);
        form_table *d = lt[t].data;
        for (int r = 0; d && r < d->nrows; r++)
            for (int c = 0; c < lt[t].ncols; c++) {
                const char *fig = sec_str(&f->df, lt[t].cols[c], "figure");
                form_cell *cl = find_cell(&d->rows[r], fig);
                lxw_format *fm = d->rows[r].total ? sumf : cellf;
                if (cl && cl->is_num)
                    worksheet_write_number(ws, (lxw_row_t)(7 + r), (lxw_col_t)c, cl->num, fm);
                else
                    worksheet_write_string(ws, (lxw_row_t)(7 + r), (lxw_col_t)c, cl ? cl->text : "",
                                           fm);
            }
    }
    lxw_error err = workbook_close(wb);
    if (rc == VAX_OK && err != LXW_NO_ERROR)
        rc = vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s (%s)."), path,
                      lxw_strerror(err));
    else if (rc != VAX_OK)
        rc = vax_fail(db, rc, "out", _("Report: cannot write %s."), path);
    return rc;
}

/* ---- PDF ------------------------------------------------------------------------------------- */

static double font_size(cairo_t *cr)
{
    cairo_matrix_t m;
    cairo_get_font_matrix(cr, &m);
    return m.xx;
}

/* Words of s set in at most `lines` lines of width w (points) at the font set on cr, each line's
 * baseline `lead` below the one before, centred in [x, x + w] from y. */
static void wrap_centred(cairo_t *cr, double x, double y, double w, double lead, const char *s)
{
    char line[256] = "", word[128];
    const char *p = s;
    cairo_text_extents_t e;
    double yy = y;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word - 1 ? n : sizeof word - 1), p);
        p += n;
        char tryl[400];
        snprintf(tryl, sizeof tryl, "%s%s%s", line, line[0] ? " " : "", word);
        cairo_text_extents(cr, tryl, &e);
        if (line[0] && e.x_advance > w) {
            cairo_text_extents(cr, line, &e);
            cairo_move_to(cr, x + (w - e.x_advance) / 2, yy);
            cairo_show_text(cr, line);
            yy += lead;
            vax_strlcpy(line, word, sizeof line);
        } else {
            vax_strlcpy(line, tryl, sizeof line);
        }
    }
    if (line[0]) {
        cairo_text_extents(cr, line, &e);
        if (e.x_advance > w) /* one word wider than its column: set smaller */
            cairo_set_font_size(cr, font_size(cr) * w / e.x_advance);
        cairo_text_extents(cr, line, &e);
        cairo_move_to(cr, x + (w - e.x_advance) / 2, yy);
        cairo_show_text(cr, line);
    }
}

static void font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FORM_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* One cell's text, right-aligned for a number, left for words, set smaller if it is too wide. */
static void cell_show(cairo_t *cr, double x, double y, double w, int right, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    double size = font_size(cr);
    if (e.x_advance > w - 4) {
        cairo_set_font_size(cr, size * (w - 4) / e.x_advance);
        cairo_text_extents(cr, s, &e);
    }
    cairo_move_to(cr, right ? x + w - 2 - e.x_advance : x + 2, y);
    cairo_show_text(cr, s);
    cairo_set_font_size(cr, size);
}

int vax_form_pdf(vax_db *db, vax_form *f, const char *path)
{
    const double pw = 297 * MM, ph = 210 * MM, margin = 10 * MM;
    layout_table lt[FORM_MAX_TABLES];
    int nt = layout_tables(f, lt, FORM_MAX_TABLES), rc = VAX_OK;
    vax_clear_error(db);
    int probe = vax_private_fd(path, 0);
    if (probe < 0)
        return vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s."), path);
    close(probe);
    const vax_df_section *form = section(&f->df, "form");
    cairo_surface_t *sf = cairo_pdf_surface_create(path, pw, ph);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, sec_str(&f->df, form, "form"));
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_SUBJECT, sec_str(&f->df, form, "source"));
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.5);
    double y = margin + 12;
    font(cr, 8, 1);
    cairo_move_to(cr, margin, y);
    cairo_show_text(cr, f->unit);
    cairo_text_extents_t e;
    const char *nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
               *motto = "Độc lập - Tự do - Hạnh phúc";
    cairo_text_extents(cr, nation, &e);
    cairo_move_to(cr, pw - margin - e.x_advance, y);
    cairo_show_text(cr, nation);
    cairo_text_extents(cr, motto, &e);
    cairo_move_to(cr, pw - margin - e.x_advance, y + 11);
    cairo_show_text(cr, motto);
    y += 32;
    font(cr, 11, 1);
    wrap_centred(cr, margin, y, pw - 2 * margin, 14, lang_key(&f->df, form, "title"));
    y += 18;
    font(cr, 8.5, 0);
    for (int i = 1; i < 3; i++) {
        cairo_text_extents(cr, f->lines[i], &e);
        cairo_move_to(cr, (pw - e.x_advance) / 2, y);
        cairo_show_text(cr, f->lines[i]);
        y += 12;
    }
    y += 6;
    for (int t = 0; t < nt; t++) {
        double widths[FORM_MAX_COLS], total = 0;
        for (int c = 0; c < lt[t].ncols; c++) {
            const vax_df_entry *w = vax_datafile_get(&f->df, lt[t].cols[c], "width");
            widths[c] = (w ? atof(w->value) : 15) * MM;
            total += widths[c];
        }
        double scale = total > pw - 2 * margin ? (pw - 2 * margin) / total : 1;
        for (int c = 0; c < lt[t].ncols; c++)
            widths[c] *= scale;
        const double head_h = 42, group_h = 18, row_h = 14;
        form_table *d = lt[t].data;
        int rows = d ? d->nrows : 0;
        if (y + group_h + head_h + row_h * (rows ? rows : 1) + 20 > ph - margin) {
            cairo_show_page(cr);
            y = margin + 12;
        }
        font(cr, 9, 1);
        cairo_move_to(cr, margin, y);
        cairo_show_text(cr, lang_key(&f->df, lt[t].table, "title"));
        y += 6;
        /* group headings over their columns, then each column's heading */
        double x = margin;
        for (int c = 0; c < lt[t].ncols;) {
            const char *g = lang_key(&f->df, lt[t].cols[c], "group");
            int k = c + 1;
            double w = widths[c];
            while (g[0] && k < lt[t].ncols && !strcmp(g, lang_key(&f->df, lt[t].cols[k], "group")))
                w += widths[k++];
            if (g[0]) {
                cairo_rectangle(cr, x, y, w, group_h);
                cairo_stroke(cr);
                font(cr, 6.5, 1);
                wrap_centred(cr, x + 1, y + 7.5, w - 2, 8, g);
            }
            x += w;
            c = k;
        }
        x = margin;
        for (int c = 0; c < lt[t].ncols; c++) {
            const char *g = lang_key(&f->df, lt[t].cols[c], "group");
            double top = g[0] ? y + group_h : y, h = g[0] ? head_h : head_h + group_h;
            cairo_rectangle(cr, x, top, widths[c], h);
            cairo_stroke(cr);
            font(cr, 6.5, 1);
            wrap_centred(cr, x + 1, top + 9, widths[c] - 2, 8, lang_key(&f->df, lt[t].cols[c], ""));
            x += widths[c];
        }
        y += group_h + head_h;
        for (int r = 0; r < rows; r++) {
            if (y + row_h > ph - margin) {
                cairo_show_page(cr);
                y = margin;
            }
            x = margin;
            font(cr, 7.5, d->rows[r].total);
            for (int c = 0; c < lt[t].ncols; c++) {
                const char *fig = sec_str(&f->df, lt[t].cols[c], "figure");
                form_cell *cl = find_cell(&d->rows[r], fig);
                cairo_rectangle(cr, x, y, widths[c], row_h);
                cairo_stroke(cr);
                cell_show(cr, x, y + 10, widths[c], cl && cl->is_num, cell_text(&d->rows[r], fig));
                x += widths[c];
            }
            y += row_h;
        }
        if (!rows) {
            font(cr, 7.5, 0);
            cairo_move_to(cr, margin + 2, y + 10);
            cairo_show_text(cr, form_vi() ? "Không có." : "None.");
            y += row_h;
        }
        y += 16;
    }
    font(cr, 6.5, 0);
    cairo_move_to(cr, margin, ph - margin / 2);
    cairo_show_text(cr, sec_str(&f->df, form, "source"));
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        rc = vax_fail(db, VAX_EIO, "out", _("Report: cannot write %s (%s)."), path,
                      cairo_status_to_string(cairo_surface_status(sf)));
        remove(path);
    }
    cairo_surface_destroy(sf);
    /* the fonts' process-wide caches, as the quick report gives them back (a leak checker) */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
