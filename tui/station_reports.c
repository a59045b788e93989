/* station_reports.c: the manager's Reports screen: a day's figures, a bar chart of the doses per
 * hour drawn in the terminal, the whole report scrolled below, and saving it as .xlsx and CSV. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reports {
    char day[11]; /* YYYY-MM-DD shown */
    vax_report *r;
    vax_coverage cov;
    int64_t version; /* data_version the report was made at */
    char loaded_day[11];
    char *text; /* the text report */
    size_t len, cap;
    char **lines;
    int nlines, top, page;
    int quick;        /* the quick report shown instead (F6) */
    char *quick_text; /* its lines */
    size_t quick_len;
} reports;

static int to_buf(const char *data, size_t n, void *ctx)
{
    reports *s = ctx;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8192;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *p = realloc(s->text, cap);
        if (!p)
            return 1;
        s->text = p;
        s->cap = cap;
    }
    memcpy(s->text + s->len, data, n);
    s->len += n;
    s->text[s->len] = 0;
    return 0;
}

static int to_quick(const char *data, size_t n, void *ctx)
{
    reports *s = ctx;
    char *p = realloc(s->quick_text, s->quick_len + n + 1);
    if (!p)
        return 1;
    memcpy(p + s->quick_len, data, n);
    s->quick_text = p;
    s->quick_len += n;
    p[s->quick_len] = 0;
    return 0;
}

static void split_lines(reports *s)
{
    free(s->lines);
    s->lines = NULL;
    s->nlines = 0;
    if (!s->text)
        return;
    int n = 1;
    for (char *p = s->text; *p; p++)
        n += *p == '\n';
    if (!(s->lines = calloc((size_t)n, sizeof *s->lines)))
        return;
    for (char *p = s->text; p && *p;) {
        s->lines[s->nlines++] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = 0;
    }
}

/* Makes the report again when the day changed or another station committed. */
static void load(ui_app *app, reports *s)
{
    int64_t v = 0;
    vax_db_data_version(app->db, &v);
    if (s->r && v == s->version && strcmp(s->loaded_day, s->day) == 0)
        return;
    vax_report_free(s->r);
    s->r = NULL;
    s->len = 0;
    s->quick_len = 0;
    if (vax_report_make(app->db, s->day, NULL, &s->r) != VAX_OK ||
        vax_coverage_get(app->db, NULL, s->day, &s->cov) != VAX_OK ||
        vax_report_text(app->db, s->r, to_buf, s) != VAX_OK ||
        vax_report_quick_text(app->db, s->r, to_quick, s) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        vax_report_free(s->r);
        s->r = NULL;
        s->len = 0;
        if (s->text)
            s->text[0] = 0;
    }
    split_lines(s);
    s->version = v;
    memcpy(s->loaded_day, s->day, sizeof s->loaded_day);
}

static int percent10(int part, int whole)
{
    return vax_permille(part, whole);
}

/* Vertical bars, one per hour from the first to the last hour with doses (at least 07-17):
 * the count above each bar, the hour below it. */
static int draw_chart(WINDOW *w, int y, int x, int width, int height, const vax_report *r)
{
    int first = 7, last = 17, max = 0;
    char buf[32];
    for (int h = 0; h < 24; h++)
        if (r->per_hour[h]) {
            first = h < first ? h : first;
            last = h > last ? h : last;
            max = r->per_hour[h] > max ? r->per_hour[h] : max;
        }
    int n = last - first + 1;
    int colw = width / n;
    if (colw > 6)
        colw = 6;
    if (colw < 3) { /* too narrow: the busiest hours only */
        colw = 3;
        n = width / colw;
    }
    int bar_rows = height - 2; /* a row for the counts, one for the hours */
    if (bar_rows < 1)
        return 0;
    for (int i = 0; i < n; i++) {
        int h = first + i, cx = x + i * colw;
        int count = h < 24 ? r->per_hour[h] : 0;
        int filled = max ? (count * bar_rows + max - 1) / max : 0;
        if (h > 23)
            break;
        for (int k = 0; k < filled; k++) {
            ui_role_on(w, ROLE_OK);
            for (int c = 0; c < colw - 1; c++)
                ui_put(w, y + height - 2 - k, cx + c, "█", 1);
            ui_role_off(w, ROLE_OK);
        }
        if (count) {
            snprintf(buf, sizeof buf, "%d", count);
            ui_put(w, y + height - 2 - filled, cx, buf, colw);
        }
        snprintf(buf, sizeof buf, "%02dh", h);
        ui_role_on(w, ROLE_DIM);
        ui_put(w, y + height - 1, cx, buf, colw);
        ui_role_off(w, ROLE_DIM);
    }
    return height;
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    reports *s = app->screen->state;
    char line[512], dmy[11];
    int y = 0;
    vax_date_dmy(s->day, dmy);
    if (!s->r) {
        ui_put(w, 0, 1, dmy, cols - 2);
        return;
    }
    const vax_report *r = s->r;
    if (s->quick && s->quick_text) { /* the quick report: its lines as they are, 80x24 at least */
        const char *p = s->quick_text;
        for (int i = 0; *p && i < rows; i++) {
            const char *end = strchr(p, '\n');
            size_t n = end ? (size_t)(end - p) : strlen(p);
            snprintf(line, sizeof line, "%.*s", (int)n, p);
            if (i == 0)
                wattron(w, A_BOLD);
            ui_put(w, i, 1, line, cols - 2);
            if (i == 0)
                wattroff(w, A_BOLD);
            p += n + (end != NULL);
        }
        return;
    }
    wattron(w, A_BOLD);
    snprintf(line, sizeof line, _("Report of %s  ←/→ another day"), dmy);
    ui_put(w, y++, 1, line, cols - 2);
    wattroff(w, A_BOLD);
    snprintf(line, sizeof line,
             _("Checked in %d · screened %d · doses %d · reactions %d minor, %d serious"),
             r->checked_in, r->screened, r->doses, r->reactions_minor, r->reactions_serious);
    /* the Vietnamese terms of these two lines are longer than 80 columns: wrap, never cut */
    y += ui_put_wrapped(w, y, 1, cols - 2, 2, line);
    snprintf(line, sizeof line,
             _("Not vaccinated: postponed %d, contraindicated %d, referred %d · next dose: %d "
               "due, %d overdue"),
             r->outcomes[VAX_OUTCOME_POSTPONED], r->outcomes[VAX_OUTCOME_CONTRAINDICATED],
             r->outcomes[VAX_OUTCOME_REFERRED], r->dose2_due, r->dose2_overdue);
    y += ui_put_wrapped(w, y, 1, cols - 2, 2, line);
    int stock = 0;
    char since[11] = "-";
    for (int i = 0; i < r->nstock; i++)
        stock += r->stock[i].closing;
    if (r->campaign_from[0])
        vax_date_dmy(r->campaign_from, since);
    snprintf(line, sizeof line,
             _("Bookings %d, came %d, no-shows %d · since %s: %d doses, %d completed the series · "
               "stock left %d doses"),
             r->day.booked, r->day.attended, r->day.no_shows, since, r->cum.doses, r->cum.completed,
             stock);
    y += ui_put_wrapped(w, y, 1, cols - 2, 2, line);
    int c1 = percent10(s->cov.adults_dose1, s->cov.adults),
        c2 = percent10(s->cov.adults_complete, s->cov.adults);
    snprintf(line, sizeof line, _("Coverage 18+: dose 1 %d.%d %%, complete %d.%d %% (%d people)"),
             c1 / 10, c1 % 10, c2 / 10, c2 % 10, s->cov.adults);
    ui_put(w, y++, 1, line, cols - 2);
    if (r->reactions_serious > 0) {
        ui_role_on(w, ROLE_ERROR);
        snprintf(line, sizeof line, _("✗ %d serious reaction(s): see the list below"),
                 r->reactions_serious);
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, ROLE_ERROR);
    }
    /* the chart takes about a third of the screen */
    int chart = rows / 3 < 6 ? 6 : rows / 3;
    if (chart > 14)
        chart = 14;
    ui_role_on(w, ROLE_TITLE);
    ui_put(w, y++, 2, _(" Doses per hour "), cols - 4);
    ui_role_off(w, ROLE_TITLE);
    if (r->doses == 0) {
        ui_role_on(w, ROLE_DIM);
        ui_put(w, y++, 1, _("No doses given this day."), cols - 2);
        ui_role_off(w, ROLE_DIM);
    } else {
        y += draw_chart(w, y, 1, cols - 2, chart, r);
    }
    mvwhline(w, y++, 0, ACS_HLINE, cols);
    s->page = rows - y;
    if (s->page < 1)
        return;
    if (s->top > s->nlines - s->page)
        s->top = s->nlines - s->page;
    if (s->top < 0)
        s->top = 0;
    for (int i = 0; i < s->page && s->top + i < s->nlines; i++)
        ui_put(w, y + i, 1, s->lines[s->top + i], cols - 2);
}

static int to_file(const char *data, size_t n, void *ctx)
{
    return fwrite(data, 1, n, (FILE *)ctx) == n ? 0 : 1;
}

static void save(ui_app *app, reports *s)
{
    char path[400], csv[420];
    FILE *f;
    snprintf(path, sizeof path, "vaxsite-report-%s.xlsx", s->day);
    if (!s->r || !ui_dialog_ask(app, _("Save the report"),
                                _("File (.xlsx; a .csv is written "
                                  "beside it):"),
                                path, sizeof path))
        return;
    if (vax_report_xlsx(app->db, s->r, path) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    size_t n = strlen(path);
    snprintf(csv, sizeof csv, "%.*s.csv",
             (int)(n > 5 && strcmp(path + n - 5, ".xlsx") == 0 ? n - 5 : n), path);
    if (!(f = vax_private_fopen(csv))) { /* names and figures of people: 0600 */
        ui_message(app, MSG_ERROR, _("✗ Cannot write %s."), csv);
        return;
    }
    int rc = vax_report_csv(app->db, s->r, to_file, f);
    if (fclose(f) != 0 || rc != VAX_OK) {
        ui_message(app, MSG_ERROR, _("✗ Cannot write %s."), csv);
        return;
    }
    ui_message(app, MSG_OK, _("✓ Saved %s and %s."), path, csv);
}

/* The Ministry's daily results report of the day (annex 5 of QĐ 43/QĐ-BYT): the workbook, and the
 * same as a PDF beside it, for the upper level's table and for the file. */
static void save_annex5(ui_app *app, reports *s)
{
    char path[400], pdf[420];
    vax_form *f = NULL;
    snprintf(path, sizeof path, "vaxsite-annex5-%s.xlsx", s->day);
    if (!ui_dialog_ask(app, _("Save the daily results report (annex 5)"),
                       _("File (.xlsx; a .pdf is written beside it):"), path, sizeof path))
        return;
    size_t n = strlen(path);
    snprintf(pdf, sizeof pdf, "%.*s.pdf",
             (int)(n > 5 && strcmp(path + n - 5, ".xlsx") == 0 ? n - 5 : n), path);
    if (vax_form_daily(app->db, s->day, &f) != VAX_OK ||
        vax_form_xlsx(app->db, f, path) != VAX_OK || vax_form_pdf(app->db, f, pdf) != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    else
        ui_message(app, MSG_OK, _("✓ Saved %s and %s."), path, pdf);
    vax_form_free(f);
}

/* ---- the key table ------------------------------------------------------------------------ */

static reports *report(ui_app *app)
{
    return app->screen->state;
}

static void move_day(reports *s, int delta)
{
    if (vax_date_add(s->day, delta, s->day) == VAX_OK)
        s->top = 0;
}

static void act_prev_day(ui_app *app)
{
    move_day(report(app), -1);
}

static void act_next_day(ui_app *app)
{
    move_day(report(app), 1);
}

static void act_export(ui_app *app)
{
    save(app, report(app));
}

static void act_annex5(ui_app *app)
{
    save_annex5(app, report(app));
}

static void act_quick(ui_app *app)
{
    report(app)->quick = !report(app)->quick;
}

static const ui_keyrow rows[] = {
    {UI_KEY_LEFT, NULL, ACT_PREV_DAY, N_("Previous day"), N_("shows the day before"), 0, 30,
     act_prev_day},
    {UI_KEY_RIGHT, NULL, ACT_NEXT_DAY, N_("Next day"), N_("shows the day after"), 0, 20,
     act_next_day},
    {UI_KEY_F5, NULL, ACT_EXPORT, N_("Save xlsx+csv"),
     N_("saves the day's report as .xlsx with a .csv beside it"), 0, 80, act_export},
    {UI_KEY_F6, NULL, ACT_QUICK_REPORT, N_("Quick report"),
     N_("shows the day's quick report (one page of the short figures); again: the whole report"), 0,
     70, act_quick},
    {UI_KEY_F7, NULL, ACT_MOH_DAILY, N_("Annex 5"),
     N_("saves the Ministry's daily results report (QĐ 43/QĐ-BYT) as .xlsx and .pdf"), 0, 25,
     act_annex5},
};
static const char *const mode_names[] = {"report"};
const ui_keytable ui_keys_reports = UI_KEYTABLE("reports", rows, mode_names);

/* What no row takes: scrolling the report. */
static int key(ui_app *app, ui_key k)
{
    reports *s = report(app);
    switch (k.code) {
    case UI_KEY_UP:
        s->top--;
        return 1;
    case UI_KEY_DOWN:
        s->top++;
        return 1;
    case UI_KEY_PGUP:
        s->top -= s->page > 1 ? s->page - 1 : 1;
        return 1;
    case UI_KEY_PGDN:
        s->top += s->page > 1 ? s->page - 1 : 1;
        return 1;
    case UI_KEY_HOME:
        s->top = 0;
        return 1;
    default:
        return 0;
    }
}

static void load_screen(ui_app *app)
{
    load(app, report(app));
}

ui_screen *ui_station_reports(ui_app *app)
{
    ui_screen *sc = calloc(1, sizeof *sc);
    reports *s = calloc(1, sizeof *s);
    if (!sc || !s) {
        free(sc);
        free(s);
        return NULL;
    }
    vax_local_date(vax_now(), s->day);
    sc->name = _("Reports");
    sc->draw = draw;
    sc->load = load_screen;
    sc->key = key;
    sc->keys = &ui_keys_reports;
    sc->state = s;
    (void)app;
    return sc;
}

void ui_station_reports_free(ui_screen *sc)
{
    if (!sc)
        return;
    reports *s = sc->state;
    if (s) {
        vax_report_free(s->r);
        free(s->text);
        free(s->quick_text);
        free(s->lines);
        free(s);
    }
    free(sc);
}
