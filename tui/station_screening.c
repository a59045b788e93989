/* station_screening.c: the screening desk: call the next person, ask the checklist, take the
 * vital signs, show the proposed outcome with its reasons, and record the doctor's decision. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum focus { FOCUS_QUESTIONS, FOCUS_VITALS, FOCUS_NOTES };

typedef struct screening_desk {
    int active; /* a person is called */
    vax_visit visit;
    vax_person person;
    char group[256];
    char history[512];
    int doses;
    vax_person_reaction reactions[8]; /* after earlier doses, here or elsewhere; newest first */
    int nreactions;
    int earlier_question; /* the form's question on a reaction to an earlier dose (1-based); 0 */
    vax_checklist checklist;
    vax_screening_input in;
    ui_input vitals[VAX_CHECKLIST_MAX_VITALS];
    ui_input notes;
    ui_list questions;
    int question_rows;
    enum focus focus;
    int vital_focus;
    int consent;
    int has_proposal;
    vax_screening_proposal proposal;
    char problem[512]; /* why there is no proposal yet */
    int problem_is_error;
    char station[32];
    int changed;       /* an answer, vital or note typed since the person was called */
    int has_own;       /* idle: a visit of today still in screening at this desk */
    int outcome_top;   /* the proposal's first row shown (PgUp/PgDn scroll it) */
    int outcome_more;  /* rows of the proposal below the screen at the last draw */
    vax_visit own;     /* that visit, offered before calling anyone new */
    char waiting[256]; /* idle: how many wait, as loaded */
} screening_desk;

static ui_role outcome_role(vax_outcome o)
{
    switch (o) {
    case VAX_OUTCOME_ELIGIBLE:
        return ROLE_OK;
    case VAX_OUTCOME_CAUTION:
        return ROLE_WARNING;
    default:
        return ROLE_ERROR;
    }
}

/* A symbol with the colour, so the meaning survives without colour. */
static const char *outcome_symbol(vax_outcome o)
{
    switch (o) {
    case VAX_OUTCOME_ELIGIBLE:
        return "✓";
    case VAX_OUTCOME_CAUTION:
        return "!";
    case VAX_OUTCOME_POSTPONED:
        return "⏸";
    case VAX_OUTCOME_REFERRED:
        return "→";
    case VAX_OUTCOME_DECLINED:
        return "⊘";
    default:
        return "✗";
    }
}

/* Units are data (the checklist file); the one that is a word is shown in the UI language. */
static const char *unit_label(const char *unit)
{
    return strcmp(unit, "/min") == 0 ? _("/min") : unit;
}

/* "36.6", "36,6" or "80" into tenths; "" is not measured. -2 if not a number. */
static int parse_vital(const char *s, int *out)
{
    int v = 0, digits = 0;
    while (*s == ' ')
        s++;
    if (!*s) {
        *out = VAX_VITAL_NONE;
        return 0;
    }
    for (; *s >= '0' && *s <= '9'; s++, digits++)
        if ((v = v * 10 + (*s - '0')) > 10000)
            return -2;
    v *= 10;
    if (*s == '.' || *s == ',') {
        s++;
        if (*s >= '0' && *s <= '9')
            v += *s++ - '0';
    }
    while (*s == ' ')
        s++;
    if (*s || !digits)
        return -2;
    *out = v;
    return 0;
}

/* A vital's tenths as it is shown: "37.5" or "140". */
static void format_tenths(const vax_vital_def *v, int tenths, char *out, size_t size)
{
    snprintf(out, size, v->decimals ? "%d.%d" : "%d", tenths / 10, tenths % 10);
}

/* Checks the focused vital against its own physical range before the focus leaves it: a pulse
 * typed where the temperature goes must stop there, or every later reading shifts one field.
 * Returns 1 if the focus may move; else the message names the field and the focus stays. */
static int vital_may_leave(ui_app *app, screening_desk *d)
{
    const vax_vital_def *v = &d->checklist.vitals[d->vital_focus];
    char text[32], lo[16], hi[16];
    int tenths;
    ui_input_get(&d->vitals[d->vital_focus], text, sizeof text);
    if (parse_vital(text, &tenths) != 0) {
        ui_message(app, MSG_ERROR, _("%s: \"%s\" is not a number."), v->name, text);
        return 0;
    }
    if (tenths == VAX_VITAL_NONE || (tenths >= v->physical_lo && tenths <= v->physical_hi))
        return 1;
    format_tenths(v, v->physical_lo, lo, sizeof lo);
    format_tenths(v, v->physical_hi, hi, sizeof hi);
    ui_message(app, MSG_ERROR,
               _("%s: %s %s is not possible (%s to %s %s); is it meant for another field?"),
               v->name, text, unit_label(v->unit), lo, hi, unit_label(v->unit));
    beep();
    return 0;
}

static void reproposal(ui_app *app, screening_desk *d)
{
    d->has_proposal = 0;
    d->problem[0] = 0;
    d->problem_is_error = 1;
    for (int i = 0; i < d->checklist.nvitals; i++) {
        char text[32];
        ui_input_get(&d->vitals[i], text, sizeof text);
        if (parse_vital(text, &d->in.vitals[i]) != 0) {
            snprintf(d->problem, sizeof d->problem, _("%s: \"%s\" is not a number."),
                     d->checklist.vitals[i].name, text);
            return;
        }
    }
    ui_input_get(&d->notes, d->in.notes, sizeof d->in.notes);
    int unanswered = 0;
    for (int i = 0; i < d->checklist.nitems; i++)
        unanswered += d->in.answers[i] != 'y' && d->in.answers[i] != 'n';
    if (unanswered) {
        d->problem_is_error = 0;
        snprintf(d->problem, sizeof d->problem,
                 _("%d questions not answered yet (y yes, n no, a: all no)."), unanswered);
        return;
    }
    if (vax_screening_propose(app->db, d->visit.id, &d->in, &d->proposal) != VAX_OK) {
        snprintf(d->problem, sizeof d->problem, "%s", vax_errmsg(app->db));
        return;
    }
    d->has_proposal = 1;
}

/* ---- drawing ----------------------------------------------------------------------------- */

/* "  1 [Y] ": the number and the answer's mark, before the question's text. */
#define QUESTION_MARK_W 7

static int question_height(const screening_desk *d, int index, int width)
{
    int h = ui_wrap_count(d->checklist.items[index].text, width - QUESTION_MARK_W);
    return h < 1 ? 1 : h;
}

/* One question over as many rows as its text needs (at most rows); returns the rows drawn. */
static int question_item(screening_desk *d, WINDOW *w, int y, int x, int width, int rows, int index,
                         int sel)
{
    const vax_checklist_item *it = &d->checklist.items[index];
    char a = d->in.answers[index], mark[32];
    /* TRANSLATORS: the mark of a "yes" answer, the key that gives it (Vietnamese: C, có) */
    const char *yes = _("Y");
    /* TRANSLATORS: the mark of a "no" answer, the key that gives it (Vietnamese: K, không) */
    const char *no = _("N");
    int h = question_height(d, index, width);
    h = h < rows ? h : rows;
    ui_role r = sel ? ROLE_SELECTED : a == 'y' ? outcome_role(it->outcome) : ROLE_NORMAL;
    ui_role_on(w, r);
    for (int i = 0; i < h; i++)
        mvwhline(w, y + i, x, ' ', width);
    snprintf(mark, sizeof mark, "%2d [%s] ", index + 1, a == 'y' ? yes : a == 'n' ? no : " ");
    ui_put(w, y, x, mark, QUESTION_MARK_W);
    ui_put_wrapped(w, y, x + QUESTION_MARK_W, width - QUESTION_MARK_W, h, it->text);
    ui_role_off(w, r);
    return h;
}

/* Rows all the questions need, wrapped to width. */
static int questions_height(const screening_desk *d, int width)
{
    int rows = 0;
    for (int i = 0; i < d->checklist.nitems; i++)
        rows += question_height(d, i, width);
    return rows;
}

/* The questions, each whole and wrapped, never cut mid-word: the list scrolls by question so that
 * the selected one is on screen; ▲ and ▼ at the right edge say that more are above or below. */
static void draw_questions(screening_desk *d, WINDOW *w, int y, int x, int width, int rows)
{
    ui_list *l = &d->questions;
    int n = d->checklist.nitems, row = 0, i;
    if (rows <= 0 || n == 0)
        return;
    l->count = n;
    l->selected = l->selected < 0 ? 0 : l->selected >= n ? n - 1 : l->selected;
    if (l->selected < l->top)
        l->top = l->selected;
    for (;;) { /* the first shown moves down until the selected one fits whole */
        int need = 0;
        for (i = l->top; i <= l->selected; i++)
            need += question_height(d, i, width - 1);
        if (need <= rows || l->top >= l->selected)
            break;
        l->top++;
    }
    for (i = l->top; i < n && row < rows; i++) {
        if (i > l->top && row + question_height(d, i, width - 1) > rows)
            break; /* a question is shown whole or not at all */
        int sel = i == l->selected && d->focus == FOCUS_QUESTIONS;
        row += question_item(d, w, y + row, x, width - 1, rows - row, i, sel);
    }
    ui_role_on(w, ROLE_DIM);
    if (l->top > 0)
        mvwaddstr(w, y, x + width - 1, "▲");
    if (i < n)
        mvwaddstr(w, y + rows - 1, x + width - 1, "▼");
    ui_role_off(w, ROLE_DIM);
}

/* Wide enough for the longest vital sign's name ("Huyết áp tâm trương" and "Huyết áp tâm thu"
 * must not both shrink to "Huyết áp tâm"), as far as the cell allows. */
static int vital_label_width(const screening_desk *d, int cell)
{
    int w = 0;
    for (int i = 0; i < d->checklist.nvitals; i++) {
        int n = ui_width(d->checklist.vitals[i].name);
        w = n > w ? n : w;
    }
    w += 1;
    int most = cell - 5 - 12; /* the input and " mmHg 60–90" */
    return w < 10 ? 10 : w > most && most >= 10 ? most : w;
}

static void draw_vital(screening_desk *d, WINDOW *w, int i, int y, int x, int width, int *cy,
                       int *cx)
{
    const vax_vital_def *v = &d->checklist.vitals[i];
    int focused = d->focus == FOCUS_VITALS && d->vital_focus == i;
    char hint[64] = "", lo[16], hi[16];
    int label_w = vital_label_width(d, width), input_w = 5; /* "37.5", "140" */
    if (focused)
        ui_role_on(w, ROLE_KEY);
    /* a name too long for the cell ends with "…" (the help line names it whole) */
    for (int used = ui_put_fit(w, y, x, v->name, label_w - 1); used < label_w - 1; used++)
        waddch(w, ' ');
    if (focused)
        ui_role_off(w, ROLE_KEY);
    ui_input_draw(w, y, x + label_w, input_w, &d->vitals[i], focused);
    if (focused)
        getyx(w, *cy, *cx);
    int used = label_w + input_w;
    used += ui_put(w, y, x + used, " ", width - used);
    used += ui_put(w, y, x + used, unit_label(v->unit), width - used);
    if (v->has_normal) {
        snprintf(lo, sizeof lo, v->decimals ? "%d.%d" : "%d", v->normal_lo / 10, v->normal_lo % 10);
        snprintf(hi, sizeof hi, v->decimals ? "%d.%d" : "%d", v->normal_hi / 10, v->normal_hi % 10);
        if (v->normal_lo == 0)
            snprintf(hint, sizeof hint, " ≤%s", hi);
        else
            snprintf(hint, sizeof hint, " %s–%s", lo, hi);
    } else if (!v->required) {
        snprintf(hint, sizeof hint, " %s", _("optional"));
    }
    /* the whole range or none: "35.5–37." would read as a different range */
    if (ui_width(hint) > width - used)
        return;
    ui_role_on(w, ROLE_DIM);
    ui_put(w, y, x + used, hint, width - used);
    ui_role_off(w, ROLE_DIM);
}

static void draw_reasons(screening_desk *d, WINDOW *w, int y, int x, int width, int rows);

/* The proposal: the outcome, its products and every reason, in colour with a symbol. */
static void draw_outcome(screening_desk *d, WINDOW *w, int y, int x, int width, int rows)
{
    char line[512];
    if (rows <= 0)
        return;
    if (!d->has_proposal) {
        ui_role_on(w, d->problem_is_error ? ROLE_ERROR : ROLE_DIM);
        ui_put_wrapped(w, y, x, width, rows, d->problem);
        ui_role_off(w, d->problem_is_error ? ROLE_ERROR : ROLE_DIM);
        return;
    }
    vax_screening_proposal *p = &d->proposal;
    if (p->outcome == VAX_OUTCOME_POSTPONED) {
        char dmy[11];
        vax_date_dmy(p->return_date, dmy);
        snprintf(line, sizeof line, _("%s Proposed: %s until %s"), outcome_symbol(p->outcome),
                 vax_outcome_label(p->outcome), dmy);
    } else if (p->outcome <= VAX_OUTCOME_CAUTION) {
        snprintf(line, sizeof line, _("%s Proposed: %s · %s · observe %d min"),
                 outcome_symbol(p->outcome), vax_outcome_label(p->outcome), p->products,
                 p->observation_minutes);
    } else {
        snprintf(line, sizeof line, _("%s Proposed: %s"), outcome_symbol(p->outcome),
                 vax_outcome_label(p->outcome));
    }
    ui_role_on(w, outcome_role(p->outcome));
    wattron(w, A_BOLD);
    int row = ui_put_wrapped(w, y, x, width, rows, line);
    wattroff(w, A_BOLD);
    ui_role_off(w, outcome_role(p->outcome));
    if (p->needs_consent && row < rows) {
        snprintf(line, sizeof line, _("[%s] Signed consent on file (Space)"),
                 d->consent ? "x" : " ");
        ui_role_on(w, d->consent ? ROLE_OK : ROLE_WARNING);
        ui_put_fit(w, y + row++, x, line, width);
        ui_role_off(w, d->consent ? ROLE_OK : ROLE_WARNING);
    }
    draw_reasons(d, w, y + row, x, width, rows - row);
}

/* The reasons under the proposal, each whole with a hanging indent; they scroll with PgUp/PgDn
 * when they do not fit, and ▲ / ▼ say that more are above or below. */
static void draw_reasons(screening_desk *d, WINDOW *w, int y, int x, int width, int rows)
{
    const vax_screening_proposal *p = &d->proposal;
    const int indent = 4, text_w = width - indent - 1;
    int total = 0, row = 0, line = 0;
    char sym[8];
    for (int i = 0; i < p->nreasons; i++)
        total += ui_wrap_count(p->reasons[i].text, text_w);
    if (rows <= 0)
        return;
    if (d->outcome_top > total - rows)
        d->outcome_top = total - rows > 0 ? total - rows : 0;
    for (int i = 0; i < p->nreasons && row < rows; i++) {
        const vax_screening_reason *r = &p->reasons[i];
        int h = ui_wrap_count(r->text, text_w);
        int skip = d->outcome_top > line ? d->outcome_top - line : 0;
        line += h;
        if (skip >= h)
            continue;
        if (r->outcome != VAX_OUTCOME_ELIGIBLE)
            ui_role_on(w, outcome_role(r->outcome));
        if (skip == 0) {
            snprintf(sym, sizeof sym, "%s", outcome_symbol(r->outcome));
            ui_put(w, y + row, x + 2, sym, 2);
        }
        row += ui_put_wrapped_from(w, y + row, x + indent, text_w, rows - row, r->text, skip);
        if (r->outcome != VAX_OUTCOME_ELIGIBLE)
            ui_role_off(w, outcome_role(r->outcome));
    }
    d->outcome_more = total - d->outcome_top - rows;
    ui_role_on(w, ROLE_DIM);
    if (d->outcome_top > 0)
        mvwaddstr(w, y, x + width - 1, "▲");
    if (d->outcome_more > 0)
        mvwaddstr(w, y + rows - 1, x + width - 1, "▼");
    ui_role_off(w, ROLE_DIM);
}

/* How many wait for screening now (the board's snapshot; it lists up to VAX_BOARD_MAX). */
static void waiting_line(ui_app *app, char *out, size_t size)
{
    static vax_board b; /* large; one screen at a time */
    if (vax_board_read(app->db, &b) != VAX_OK) {
        out[0] = 0;
        return;
    }
    int n = b.waiting_total[VAX_STAGE_SCREENING]; /* all of them, not only those listed */
    int urgent = 0;
    for (int i = 0; i < b.nwaiting[VAX_STAGE_SCREENING]; i++)
        urgent += b.waiting_urgent[VAX_STAGE_SCREENING][i];
    if (n == 0)
        snprintf(out, size, "%s", _("Nobody is waiting for screening."));
    else if (urgent > 0) /* urgent ones are called first, so the next is one of them */
        snprintf(out, size, _("Waiting for screening: %d, %d urgent (next: ticket %03d, urgent)."),
                 n, urgent, b.waiting[VAX_STAGE_SCREENING][0]);
    else
        snprintf(out, size, _("Waiting for screening: %d (next: ticket %03d)."), n,
                 b.waiting[VAX_STAGE_SCREENING][0]);
}

static void draw_idle(ui_app *app, screening_desk *d, WINDOW *w, int rows, int cols)
{
    char line[256];
    ui_role_on(w, ROLE_TITLE);
    ui_put(w, 1, 2, _("Screening desk"), cols - 4);
    ui_role_off(w, ROLE_TITLE);
    if (d->has_own) {
        snprintf(line, sizeof line,
                 _("Ticket %03d is still at this desk, not finished. Press Enter to resume."),
                 d->own.ticket);
        ui_role_on(w, ROLE_WARNING);
        ui_put_wrapped(w, 3, 2, cols - 4, 2, line);
        ui_role_off(w, ROLE_WARNING);
    } else {
        ui_put(w, 3, 2, _("Press Enter to call the next person waiting for screening."), cols - 4);
    }
    if (rows > 5)
        ui_put(w, 5, 2, d->waiting, cols - 4);
    ui_role_on(w, ROLE_DIM);
    if (rows > 7)
        ui_put_wrapped(w, 7, 2, cols - 4, rows - 7,
                       _("Each person is screened with the form in force on the day of the visit "
                         "for their age (children 12-17 have their own form)."));
    ui_role_off(w, ROLE_DIM);
}

static const char *reaction_action(const char *code)
{
    return !strcmp(code, "anaphylaxis")   ? _("anaphylaxis")
           : !strcmp(code, "treated")     ? _("treated on site")
           : !strcmp(code, "transferred") ? _("transferred to hospital")
                                          : _("observed");
}

/* What a reaction's record still lacks, as the doctor reads it: the observation desk keeps a
 * reaction at once and records the action and the severity after; one that left another site
 * before they were recorded says so, rather than "observed" (what a missing action reads as). */
static const char *reaction_missing(int missing)
{
    if (missing == (VAX_REACTION_NEEDS_ACTION | VAX_REACTION_NEEDS_SEVERITY))
        return _("not complete: action taken and severity not recorded yet");
    if (missing & VAX_REACTION_NEEDS_ACTION)
        return _("not complete: action taken not recorded yet");
    return _("not complete: severity not recorded yet");
}

/* One reaction as the doctor reads it: "Serious reaction after dose 1 (anaphylaxis), 12/10/2021
 * at TEAM-A.", the form's question on it, then the signs (what a narrow screen cuts). The facts
 * as recorded; the decision is the doctor's. */
static void reaction_text(const screening_desk *d, const vax_person_reaction *r, int point,
                          char *out, size_t size)
{
    char day[11], dmy[11], after[64] = "", where[96], signs[600], ask[96] = "";
    vax_local_date(r->seen_at, day);
    vax_date_dmy(day, dmy);
    if (r->dose_number > 0)
        snprintf(after, sizeof after, _(" after dose %d"), r->dose_number);
    if (r->site[0])
        snprintf(where, sizeof where, _("at %s"), r->site);
    else
        snprintf(where, sizeof where, "%s", _("here"));
    vax_aefi_sign_names(r->signs, ", ", signs, sizeof signs);
    if (point && d->earlier_question > 0)
        snprintf(ask, sizeof ask, _(" See question %d of the form."), d->earlier_question);
    snprintf(out, size, "%s%s%s (%s), %s %s.%s %s.", r->serious ? "⚠ " : "",
             r->serious ? _("Serious reaction") : _("Reaction"), after,
             r->missing ? reaction_missing(r->missing) : reaction_action(r->action), dmy, where,
             ask, signs);
}

/* The person's reactions after earlier doses under the header, serious ones first and
 * prominent (a serious one may take two rows), within `budget` rows; returns the rows used. */
static int draw_reactions(screening_desk *d, WINDOW *w, int y, int width, int budget)
{
    char text[1200];
    int used = 0, shown = 0, pointed = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < d->nreactions; i++) {
            const vax_person_reaction *r = &d->reactions[i];
            if (r->serious != (pass == 0))
                continue;
            /* a row is kept for "and N more" when this one is not the last */
            int room = budget - used - (shown + 1 < d->nreactions ? 1 : 0);
            if (room < 1)
                goto more;
            reaction_text(d, r, r->serious && !pointed, text, sizeof text);
            pointed |= r->serious;
            ui_role_on(w, r->serious ? ROLE_ERROR : ROLE_WARNING);
            if (r->serious)
                wattron(w, A_BOLD);
            used += ui_put_wrapped(w, y + used, 1, width, r->serious && room > 1 ? 2 : 1, text);
            wattroff(w, A_BOLD);
            ui_role_off(w, r->serious ? ROLE_ERROR : ROLE_WARNING);
            shown++;
        }
more:
    if (shown < d->nreactions && used < budget) {
        snprintf(text, sizeof text, _("… and %d more earlier reaction(s)"), d->nreactions - shown);
        ui_role_on(w, ROLE_WARNING);
        ui_put(w, y + used++, 1, text, width);
        ui_role_off(w, ROLE_WARNING);
    }
    return used;
}

/* The form in the header: which text applies, by its name and its source (at most 2 lines). */
static int draw_form_line(screening_desk *d, WINDOW *w, int y, int width)
{
    char line[600];
    snprintf(line, sizeof line, "%s · %s", d->checklist.name, d->checklist.source);
    ui_role_on(w, ROLE_DIM);
    int used = ui_put_wrapped(w, y, 1, width, 2, line);
    ui_role_off(w, ROLE_DIM);
    return used;
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    screening_desk *d = app->screen->state;
    char line[768], today[11];
    int cy = -1, cx = 0;
    if (!d->active) {
        draw_idle(app, d, w, rows, cols);
        return;
    }
    vax_local_date(vax_now(), today);
    /* header: who, age, group, doses, what earlier screenings noted */
    snprintf(line, sizeof line, "#%03d  ", d->visit.ticket);
    int used = ui_put(w, 0, 1, line, cols - 2);
    wattron(w, A_BOLD);
    used += ui_put(w, 0, 1 + used, d->person.full_name, cols - 2 - used);
    wattroff(w, A_BOLD);
    snprintf(line, sizeof line, _(" · %d years · %s"), vax_age_on(d->person.birth_date, today),
             d->person.sex == 'm'   ? _("male")
             : d->person.sex == 'f' ? _("female")
                                    : "-");
    used += ui_put(w, 0, 1 + used, line, cols - 2 - used);
    if (d->visit.urgent) { /* why this person came first */
        snprintf(line, sizeof line, _(" · URGENT: %s"), vax_urgent_short(d->visit.urgent_reason));
        ui_role_on(w, ROLE_URGENT);
        ui_put(w, 0, 1 + used, line, cols - 2 - used);
        ui_role_off(w, ROLE_URGENT);
    }
    if (d->doses)
        snprintf(line, sizeof line, _("Group: %s · doses so far: %d"), d->group, d->doses);
    else
        snprintf(line, sizeof line, _("Group: %s · doses so far: none"), d->group);
    used = ui_put(w, 1, 1, line, cols - 2);
    if (d->history[0]) {
        snprintf(line, sizeof line, _(" · noted before: %s"), d->history);
        ui_role_on(w, ROLE_WARNING);
        ui_put(w, 1, 1 + used, line, cols - 2 - used);
        ui_role_off(w, ROLE_WARNING);
    }
    int wide = cols >= 140;
    int left_w = wide ? cols * 58 / 100 : cols - 2;
    int vital_cols = wide ? 1 : 2;
    int vital_rows = (d->checklist.nvitals + vital_cols - 1) / vital_cols;
    int top = 2 + draw_reactions(d, w, 2, cols - 2, rows < 30 ? 2 : 5);
    top += draw_form_line(d, w, top, cols - 2);
    ui_role_on(w, ROLE_DIM);
    ui_put(w, top, 1, _("Questions: y yes · n no · a all no · ↑↓ move · Tab vital signs"), left_w);
    ui_role_off(w, ROLE_DIM);
    top++;
    int avail = rows - top - 1; /* questions, vitals, notes (and the outcome below when narrow) */
    int qrows = wide ? avail - vital_rows - 2 : avail - vital_rows - 1 - 4;
    int qneed = questions_height(d, left_w - 1);
    if (qrows > qneed)
        qrows = qneed;
    if (qrows < 1)
        qrows = 1;
    d->question_rows = qrows;
    draw_questions(d, w, top, 1, left_w, qrows);
    int y = top + qrows + (wide ? 1 : 0);
    int cell_w = (left_w - 1) / vital_cols;
    for (int i = 0; i < d->checklist.nvitals; i++)
        draw_vital(d, w, i, y + i / vital_cols, 1 + (i % vital_cols) * (cell_w + 1), cell_w, &cy,
                   &cx);
    y += vital_rows;
    const char *nl = _("Notes");
    ui_put(w, y, 1, nl, 13);
    ui_input_draw(w, y, 14, left_w - 13, &d->notes, d->focus == FOCUS_NOTES);
    if (d->focus == FOCUS_NOTES)
        getyx(w, cy, cx);
    y++;
    if (wide) {
        mvwvline(w, top - 1, left_w + 2, ACS_VLINE, rows - top + 1);
        draw_outcome(d, w, top - 1, left_w + 4, cols - left_w - 5, rows - top + 1);
    } else {
        mvwhline(w, y, 1, ACS_HLINE, cols - 2);
        draw_outcome(d, w, y + 1, 1, cols - 2, rows - y - 1);
    }
    if (cy >= 0) {
        wmove(w, cy, cx);
        ui_cursor_here(app, w);
    }
}

/* ---- actions ----------------------------------------------------------------------------- */

/* Empty answers, readings and notes on the called person's form, the focus on question 1. */
static void reset_answers(ui_app *app, screening_desk *d)
{
    d->changed = 0;
    d->consent = 0;
    d->focus = FOCUS_QUESTIONS;
    d->vital_focus = 0;
    d->questions.selected = d->questions.top = 0;
    d->outcome_top = 0;
    vax_screening_input_init(&d->in);
    d->in.checklist_id = d->checklist.id; /* the form stays the same while it is filled in */
    for (int i = 0; i < VAX_CHECKLIST_MAX_VITALS; i++)
        ui_input_init(&d->vitals[i], 6);
    ui_input_init(&d->notes, 120);
    reproposal(app, d);
}

static void start(ui_app *app, screening_desk *d, const vax_visit *v)
{
    vax_priority_group groups[32];
    int ngroups = 0;
    d->visit = *v;
    d->active = 1;
    d->focus = FOCUS_QUESTIONS;
    d->vital_focus = 0;
    d->consent = 0;
    d->questions.selected = d->questions.top = 0;
    vax_person_get(app->db, v->person_id, &d->person);
    vax_person_dose_count(app->db, v->person_id, &d->doses);
    vax_screening_history_notes(app->db, v->person_id, d->history, sizeof d->history);
    snprintf(d->group, sizeof d->group, "%s", _("none"));
    vax_priority_groups(app->db, groups, 32, &ngroups);
    for (int i = 0; i < ngroups; i++)
        if (strcmp(groups[i].code, d->person.priority_group) == 0)
            snprintf(d->group, sizeof d->group, "%s", groups[i].name);
    /* the form for this visit's day and this person's age, not today's adult form */
    if (vax_screening_form(app->db, v->id, &d->checklist) != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    /* reactions after earlier doses (recorded here, or elsewhere and brought by a bundle or a
     * pull), and the question of the form that asks about one */
    if (vax_person_reactions(app->db, v->person_id, d->reactions, 8, &d->nreactions) != VAX_OK)
        d->nreactions = 0;
    d->earlier_question = 0;
    for (int i = 0; i < d->checklist.nitems && !d->earlier_question; i++)
        if (d->checklist.items[i].outcome == VAX_OUTCOME_CONTRAINDICATED &&
            !strcmp(d->checklist.items[i].scope, "earlier"))
            d->earlier_question = i + 1;
    reset_answers(app, d);
}

#define OWN_SCAN_MAX 10000 /* visits of one day looked through for this desk's own */

/* A visit of today left in screening at this desk (the program ended with the person called, the
 * terminal closed): nobody else will call it, so this desk offers it before anyone new. */
static void find_own(ui_app *app, screening_desk *d)
{
    char today[11];
    int n = 0;
    vax_visit *visits = malloc(OWN_SCAN_MAX * sizeof *visits);
    d->has_own = 0;
    if (!visits)
        return;
    vax_local_date(vax_now(), today);
    if (vax_queue_list(app->db, today, visits, OWN_SCAN_MAX, &n) != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    for (int i = 0; i < n && !d->has_own; i++) {
        if (visits[i].state == VAX_STATE_SCREENING &&
            vax_desk_same(visits[i].station, d->station)) {
            d->own = visits[i];
            d->has_own = 1;
        }
    }
    free(visits);
}

/* Takes up this desk's unfinished person again; nothing is written: the visit is already in
 * screening here, and the answers were never saved, so they are asked again. */
static void resume_own(ui_app *app, screening_desk *d)
{
    vax_visit v;
    if (vax_visit_get(app->db, d->own.id, &v) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    d->has_own = 0;
    if (v.state != VAX_STATE_SCREENING || strcmp(v.station, d->station) != 0) {
        /* finished or taken back meanwhile (another terminal with the same desk code) */
        find_own(app, d);
        ui_message(app, MSG_INFO, _("Ticket %03d is no longer at this desk."), v.ticket);
        return;
    }
    start(app, d, &v);
    ui_message(app, MSG_OK, _("Ticket %03d resumed: ask the questions again."), v.ticket);
}

static void call_next(ui_app *app, screening_desk *d)
{
    vax_visit v;
    int rc = vax_queue_call_next(app->db, VAX_STAGE_SCREENING, d->station, &v);
    if (rc != VAX_OK) {
        ui_message(app, rc == VAX_EEMPTY ? MSG_INFO : MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    start(app, d, &v);
    char place[64];
    ui_place_name(app, d->station, place, sizeof place);
    ui_message(app, MSG_OK, _("Ticket %03d called to %s."), v.ticket, place);
}

static void finish(ui_app *app, screening_desk *d, const vax_screening_decision *dec)
{
    int64_t id = 0;
    vax_screening s;
    char dmy[11], line[256];
    if (vax_screening_confirm(app->db, d->visit.id, &d->in, dec, &id) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    /* committed: only now does the screen say so */
    d->active = 0;
    find_own(app, d);
    if (vax_screening_get(app->db, id, &s) != VAX_OK)
        memset(&s, 0, sizeof s);
    if (dec->outcome == VAX_OUTCOME_POSTPONED) {
        vax_date_dmy(s.return_date, dmy);
        snprintf(line, sizeof line, _("%s: please come back on %s or later."), d->person.full_name,
                 dmy);
        ui_message(app, MSG_OK, _("Ticket %03d postponed: come back on %s."), d->visit.ticket, dmy);
        (void)ui_dialog_ticket(app, _("Postponed"), d->visit.ticket, line);
    } else if (dec->outcome <= VAX_OUTCOME_CAUTION) {
        ui_message(app, MSG_OK, _("Ticket %03d: %s, waiting for injection (%s; observe %d min)."),
                   d->visit.ticket, vax_outcome_label(dec->outcome), s.products,
                   s.observation_minutes);
    } else {
        ui_message(app, MSG_OK, _("Ticket %03d: %s."), d->visit.ticket,
                   vax_outcome_label(dec->outcome));
    }
}

static void confirm(ui_app *app, screening_desk *d)
{
    vax_screening_decision dec;
    reproposal(app, d);
    if (!d->has_proposal) {
        ui_message(app, MSG_ERROR, "%s", d->problem);
        return;
    }
    memset(&dec, 0, sizeof dec);
    dec.outcome = d->proposal.outcome;
    dec.consent = d->consent;
    finish(app, d, &dec);
}

/* e c p r x n (or the outcome's first words) into an outcome. */
static int parse_choice(const char *s, vax_outcome *out)
{
    switch (s[0] | 0x20) {
    case 'e':
        *out = VAX_OUTCOME_ELIGIBLE;
        return 0;
    case 'c':
        *out = VAX_OUTCOME_CAUTION;
        return 0;
    case 'p':
        *out = VAX_OUTCOME_POSTPONED;
        return 0;
    case 'r':
        *out = VAX_OUTCOME_REFERRED;
        return 0;
    case 'x':
        *out = VAX_OUTCOME_CONTRAINDICATED;
        return 0;
    case 'n':
        *out = VAX_OUTCOME_DECLINED;
        return 0;
    default:
        return -1;
    }
}

static void change_outcome(ui_app *app, screening_desk *d)
{
    vax_screening_decision dec;
    char choice[32] = "", date[32] = "";
    reproposal(app, d);
    if (!d->has_proposal) {
        ui_message(app, MSG_ERROR, "%s", d->problem);
        return;
    }
    memset(&dec, 0, sizeof dec);
    if (!ui_dialog_ask(app, _("Change outcome"),
                       _("e eligible · c caution · p postponed · r refer · x contraindicated · "
                         "n no consent"),
                       choice, sizeof choice))
        return;
    if (parse_choice(choice, &dec.outcome) != 0) {
        ui_message(app, MSG_ERROR, "%s", _("Outcome: type e, c, p, r, x or n."));
        return;
    }
    /* "does not consent" is the person's answer: no reason is asked of the doctor */
    if (dec.outcome != d->proposal.outcome && dec.outcome != VAX_OUTCOME_DECLINED &&
        !ui_dialog_ask(app, _("Change outcome"),
                       _("Why does the outcome differ from the proposal?"), dec.reason,
                       sizeof dec.reason))
        return;
    if (dec.outcome == VAX_OUTCOME_POSTPONED) {
        if (d->proposal.return_date[0])
            vax_date_dmy(d->proposal.return_date, date);
        if (!ui_dialog_ask(app, _("Postponed"), _("Come back on (dd/mm/yyyy)"), date, sizeof date))
            return;
        unsigned dd, mm, yy;
        char iso[32];
        if (sscanf(date, "%u/%u/%u", &dd, &mm, &yy) != 3 || dd > 31 || mm > 12 || yy > 9999) {
            ui_message(app, MSG_ERROR, "%s", _("Return date: dd/mm/yyyy."));
            return;
        }
        snprintf(iso, sizeof iso, "%04u-%02u-%02u", yy, mm, dd);
        memcpy(dec.return_date, iso, 10); /* bounded above: exactly YYYY-MM-DD */
        dec.return_date[10] = 0;
    }
    dec.consent = d->consent;
    finish(app, d, &dec);
}

static void send_back(ui_app *app, screening_desk *d)
{
    if (vax_queue_move(app->db, d->visit.id, VAX_STATE_WAITING_SCREENING, "sent back") != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    d->active = 0;
    find_own(app, d);
    ui_message(app, MSG_OK, _("Ticket %03d is back in the screening queue."), d->visit.ticket);
}

/* Esc means "back" everywhere; here it would throw typed answers away, so it asks first, and the
 * answer given without thought (Enter on the first choice, or Esc) keeps them. */
static void ask_discard(ui_app *app, screening_desk *d)
{
    char prompt[256];
    const char *items[] = {_("Keep the answers"), _("Discard the answers")};
    if (!d->changed) {
        ui_message(app, MSG_INFO, _("Nothing typed yet. %s sends the person back to the queue."),
                   ui_act_key(app, ACT_SEND_BACK));
        return;
    }
    snprintf(prompt, sizeof prompt, _("Ticket %03d: the answers typed are not saved yet."),
             d->visit.ticket);
    if (ui_dialog_pick(app, _("Discard the answers?"), prompt, items, NULL, 2, 0) != 1)
        return;
    reset_answers(app, d);
    ui_message(app, MSG_INFO, _("Answers discarded; ticket %03d is still at this desk."),
               d->visit.ticket);
}

static void next_focus(screening_desk *d, int dir)
{
    if (d->focus == FOCUS_VITALS) {
        int to = d->vital_focus + dir;
        if (to >= 0 && to < d->checklist.nvitals) {
            d->vital_focus = to;
            return;
        }
        d->focus = dir > 0 ? FOCUS_NOTES : FOCUS_QUESTIONS;
        return;
    }
    if (d->focus == FOCUS_QUESTIONS) {
        d->focus = dir > 0 ? FOCUS_VITALS : FOCUS_NOTES;
        d->vital_focus = dir > 0 ? 0 : d->checklist.nvitals - 1;
    } else {
        d->focus = dir > 0 ? FOCUS_QUESTIONS : FOCUS_VITALS;
        d->vital_focus = d->checklist.nvitals - 1;
    }
    if (d->focus == FOCUS_VITALS && d->checklist.nvitals == 0)
        d->focus = dir > 0 ? FOCUS_NOTES : FOCUS_QUESTIONS;
}

/* After the last question the next thing typed is the temperature: the focus goes there, so a
 * form typed in one go loses no digit. */
static void answered(ui_app *app, screening_desk *d, int i)
{
    d->changed = 1;
    if (i + 1 < d->checklist.nitems) {
        d->questions.selected = i + 1;
    } else if (d->checklist.nvitals > 0) {
        d->focus = FOCUS_VITALS;
        d->vital_focus = 0;
    }
    reproposal(app, d);
}

static int question_key(ui_app *app, screening_desk *d, ui_key k)
{
    int i = d->questions.selected;
    if (k.code == UI_KEY_CHAR) {
        /* both languages' keys answer (no letter means yes in one and no in the other); the mark
         * is shown in the UI language */
        switch (k.ch) {
        case L'y':
        case L'Y':
        case L'c': /* có */
        case L'C':
            d->in.answers[i] = 'y';
            break;
        case L'n':
        case L'N':
        case L'k': /* không */
        case L'K':
            d->in.answers[i] = 'n';
            break;
        case L'a':
        case L'A':
            for (int q = 0; q < d->checklist.nitems; q++)
                d->in.answers[q] = 'n';
            d->changed = 1;
            reproposal(app, d);
            d->focus = FOCUS_VITALS; /* next: the vital signs */
            d->vital_focus = 0;
            return 1;
        case L' ':
            if (d->has_proposal && d->proposal.needs_consent)
                d->consent = !d->consent;
            return 1;
        default:
            if (k.ch >= L'0' && k.ch <= L'9') {
                /* a reading typed while a question is focused is not silently lost */
                ui_message(app, MSG_ERROR, "%s",
                           _("Answer the questions first (y yes, n no); Tab goes to the vital "
                             "signs."));
                beep();
            }
            return 1;
        }
        answered(app, d, i);
        return 1;
    }
    return ui_list_key(&d->questions, k, d->question_rows);
}

/* ---- the key table ------------------------------------------------------------------------ */

static screening_desk *desk(ui_app *app)
{
    return app->screen->state;
}

static void act_call_next(ui_app *app)
{
    call_next(app, desk(app));
}

static void act_resume(ui_app *app)
{
    resume_own(app, desk(app));
}

/* A reading out of its range keeps the focus (and the key does nothing) until it is corrected. */
static int may_act(ui_app *app, screening_desk *d)
{
    return d->focus != FOCUS_VITALS || vital_may_leave(app, d);
}

static void act_confirm(ui_app *app)
{
    confirm(app, desk(app));
}

static void act_change_outcome(ui_app *app)
{
    change_outcome(app, desk(app));
}

static void act_send_back(ui_app *app)
{
    send_back(app, desk(app));
}

static void act_next_part(ui_app *app)
{
    if (may_act(app, desk(app)))
        next_focus(desk(app), 1);
}

static void act_discard(ui_app *app)
{
    ask_discard(app, desk(app));
}

enum { IDLE = 1, OWN = 2, BUSY = 4 };

static unsigned mode(ui_app *app)
{
    screening_desk *d = desk(app);
    return d->active ? BUSY : d->has_own ? OWN : IDLE;
}

static const ui_keyrow rows[] = {
    {UI_KEY_ENTER, NULL, ACT_CALL_NEXT, N_("Call next"),
     N_("calls the next person waiting for screening to this desk: urgent tickets first, in the "
        "order they were marked at check-in, then the usual order"),
     IDLE, 90, act_call_next},
    {UI_KEY_ENTER, NULL, ACT_RESUME, N_("Resume"),
     N_("takes up again the person left unfinished at this desk"), OWN, 90, act_resume},
    {UI_KEY_F5, NULL, ACT_CONFIRM, N_("Confirm"),
     N_("records the proposed outcome: the person goes on"), BUSY, 90, act_confirm},
    {UI_KEY_F3, NULL, ACT_CHANGE_OUTCOME, N_("Change outcome"),
     N_("records another outcome than the proposal, with the reason"), BUSY, 60,
     act_change_outcome},
    {UI_KEY_F4, NULL, ACT_SEND_BACK, N_("Send back"),
     N_("sends the person back to the waiting list, nothing recorded"), BUSY, 50, act_send_back},
    {UI_KEY_TAB, NULL, ACT_NEXT_PART, N_("Next part"),
     N_("questions, vital signs, notes in turn (Shift-Tab back)"), BUSY, 40, act_next_part},
    {UI_KEY_ESC, NULL, ACT_DISCARD_ANSWERS, N_("Discard"),
     N_("discards the answers typed, asking first; the person stays"), BUSY, UI_BAR_NEVER,
     act_discard},
};
static const char *const mode_names[] = {"idle", "own", "busy"};
const ui_keytable ui_keys_screening = UI_KEYTABLE("screening", rows, mode_names);

/* What no row takes: answers, readings and notes as they are typed, moving between them. */
static int key(ui_app *app, ui_key k)
{
    screening_desk *d = desk(app);
    int used = 0;
    if (!d->active)
        return 0;
    if (d->focus == FOCUS_VITALS &&
        (k.code == UI_KEY_BTAB || k.code == UI_KEY_DOWN || k.code == UI_KEY_UP ||
         k.code == UI_KEY_ENTER) &&
        !vital_may_leave(app, d))
        return 1;
    switch (k.code) {
    case UI_KEY_PGDN: /* the proposal's reasons, whatever has the focus */
        d->outcome_top += d->outcome_more > 0 ? 3 : 0;
        return 1;
    case UI_KEY_PGUP:
        d->outcome_top = d->outcome_top > 3 ? d->outcome_top - 3 : 0;
        return 1;
    case UI_KEY_BTAB:
        next_focus(d, -1);
        return 1;
    default:
        break;
    }
    if (d->focus == FOCUS_QUESTIONS)
        return question_key(app, d, k);
    if (d->focus == FOCUS_VITALS) {
        if (k.code == UI_KEY_DOWN || k.code == UI_KEY_ENTER) {
            next_focus(d, 1);
            return 1;
        }
        if (k.code == UI_KEY_UP) {
            next_focus(d, -1);
            return 1;
        }
        if (ui_input_key(&d->vitals[d->vital_focus], k, &used)) {
            d->changed = 1;
            reproposal(app, d);
        }
        return used;
    }
    if (k.code == UI_KEY_UP) {
        next_focus(d, -1);
        return 1;
    }
    if (ui_input_key(&d->notes, k, &used)) {
        d->changed = 1;
        reproposal(app, d);
    }
    return used;
}

/* The idle desk's waiting count and its own unfinished person follow the other stations. */
static void load(ui_app *app)
{
    screening_desk *d = desk(app);
    if (d->active)
        return;
    find_own(app, d);
    waiting_line(app, d->waiting, sizeof d->waiting);
}

/* A called person counts as left behind even with nothing typed: nobody else will call them. So
 * does this desk's unfinished person offered and not yet resumed: they are in screening at this
 * desk all the same (as at the injection room). */
static int unsaved(ui_app *app, char *what, size_t size)
{
    screening_desk *d = app->screen->state;
    if (!d->active && d->has_own) {
        snprintf(what, size, _("Ticket %03d is at this desk, not finished."), d->own.ticket);
        return 1;
    }
    if (!d->active)
        return 0;
    if (d->changed)
        snprintf(what, size, _("Ticket %03d is at this desk; the answers typed are not saved."),
                 d->visit.ticket);
    else
        snprintf(what, size, _("Ticket %03d is at this desk, not finished."), d->visit.ticket);
    return 1;
}

/* The program ends without the doctor (terminal gone, a signal): the called person stays in
 * screening at this desk, which offers them first when it opens again. Nothing else is written:
 * unconfirmed answers are not a screening, and the app audits the session's end with the reason. */
static void end(ui_app *app, const char *why)
{
    (void)app;
    (void)why;
}

ui_screen *ui_station_screening(ui_app *app)
{
    ui_screen *s = calloc(1, sizeof *s);
    screening_desk *d = calloc(1, sizeof *d);
    if (!s || !d) {
        free(s);
        free(d);
        return NULL;
    }
    /* several desks may screen at once: each names itself in the queue's events (the desk
     * chosen at sign-in) */
    snprintf(d->station, sizeof d->station, "%s", app->desk[0] ? app->desk : "screening-1");
    find_own(app, d);
    s->name = _("Screening desk");
    s->draw = draw;
    s->load = load;
    s->key = key;
    s->keys = &ui_keys_screening;
    s->mode = mode;
    s->unsaved = unsaved;
    s->end = end;
    s->state = d;
    return s;
}

void ui_station_screening_free(ui_screen *s)
{
    if (!s)
        return;
    free(s->state);
    free(s);
}
