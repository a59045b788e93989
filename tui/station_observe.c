/* station_observe.c: the observation area: who is watched, time left, reactions, release. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct observe {
    vax_observing *list; /* malloc'd by the core, as long as the day needs */
    int n;
    ui_list cursor;
    int64_t selected_visit; /* the cursor follows a person when the list re-sorts */
    int rows;
    int bell;      /* ring when someone's period ends */
    int64_t *rang; /* visit ids already rung for, sorted; grows with the day */
    int nrang, caprang;
    /* right after a release the release key does nothing until the cursor is moved: a key
     * pressed twice (or Enter held down) must never release the next person in the list */
    int released;
} observe;

/* Puts the cursor back on the person it was on; if they left, on the row where they were. */
static void follow_selection(observe *o)
{
    o->cursor.count = o->n;
    for (int i = 0; i < o->n; i++)
        if (o->list[i].visit.id == o->selected_visit)
            o->cursor.selected = i;
    if (o->cursor.selected >= o->n)
        o->cursor.selected = o->n > 0 ? o->n - 1 : 0;
    o->selected_visit = o->n > 0 ? o->list[o->cursor.selected].visit.id : 0;
}

static void load(ui_app *app, observe *o)
{
    vax_observing *list = NULL;
    int n = 0;
    if (vax_observe_list(app->db, &list, &n) != VAX_OK) {
        /* keep what was shown rather than a list that silently lacks people; say why */
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    free(o->list);
    o->list = list;
    o->n = n;
    follow_selection(o);
}

static void row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    observe *o = ctx;
    const vax_observing *v = &o->list[index];
    int64_t left = v->ends_at - vax_now();
    char head[32], when[64], name[700];
    (void)sel;
    snprintf(head, sizeof head, "%03d  ", v->visit.ticket % 1000);
    int used = ui_put(w, y, x, head, width);
    /* the state in words and a symbol, the colour only adds to them */
    ui_role r;
    if (v->serious) {
        snprintf(when, sizeof when, "✗ %s", _("serious reaction"));
        r = ROLE_URGENT;
    } else if (v->pending_reaction) {
        snprintf(when, sizeof when, "! %s", _("reaction to complete"));
        r = ROLE_WARNING;
    } else if (v->has_reaction) {
        snprintf(when, sizeof when, "! %s", _("reaction recorded"));
        r = ROLE_WARNING;
    } else if (v->may_leave) {
        snprintf(when, sizeof when, "✓ %s", _("may leave"));
        r = ROLE_OK;
    } else {
        snprintf(when, sizeof when, "%02lld:%02lld %s", (long long)(left / 60),
                 (long long)(left % 60), _("left"));
        r = ROLE_NORMAL;
    }
    int status_w = 24 < width - used ? 24 : width - used;
    ui_role_on(w, r);
    ui_put_pad(w, y, x + used, when, status_w);
    ui_role_off(w, r);
    used += status_w;
    /* a reaction is named with the person: the nurse sees what happened without a dialog */
    if (v->has_reaction) {
        char signs[400];
        vax_aefi_sign_names(v->signs, ", ", signs, sizeof signs);
        snprintf(name, sizeof name, "%s · %s", v->full_name, signs);
    } else
        snprintf(name, sizeof name, "%s", v->full_name);
    /* cut with "…": the selected person's reaction is shown whole below the list */
    ui_put_fit(w, y, x + used + 1, name, width - used - 1);
}

/* The selected person's reaction in full ("Ticket 003, name: signs"); 0 if they have none. A row
 * of the list may have to cut the signs: this is shown whole under the list. */
static const vax_observing *selected_reaction(const observe *o, char *text, size_t size)
{
    if (o->n == 0 || o->cursor.selected < 0 || o->cursor.selected >= o->n ||
        !o->list[o->cursor.selected].has_reaction)
        return NULL;
    const vax_observing *v = &o->list[o->cursor.selected];
    char signs[400];
    vax_aefi_sign_names(v->signs, ", ", signs, sizeof signs);
    snprintf(text, size, _("Ticket %03d, %s: %s"), v->visit.ticket % 1000, v->full_name, signs);
    return v;
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    observe *o = app->screen->state;
    char head[200];
    int may = 0;
    for (int i = 0; i < o->n; i++)
        may += o->list[i].may_leave;
    snprintf(head, sizeof head, _("Under observation: %d · may leave: %d · bell: %s"), o->n, may,
             o->bell ? _("on") : _("off"));
    ui_put(w, 0, 1, head, cols - 2);
    char reaction[700];
    const vax_observing *sel = selected_reaction(o, reaction, sizeof reaction);
    int detail = sel ? ui_wrap_count(reaction, cols - 2) : 0;
    detail = detail > 3 ? 3 : detail; /* the list keeps the rest of the screen */
    o->rows = rows - 2 - (detail ? detail + 1 : 0);
    if (o->n == 0) {
        ui_role_on(w, ROLE_DIM);
        ui_put(w, 2, 1, _("Nobody is under observation."), cols - 2);
        ui_role_off(w, ROLE_DIM);
        return;
    }
    /* more people than rows: the last row says how many are below */
    if (o->n > o->rows)
        o->rows--;
    ui_list_draw(w, 2, 1, cols - 2, o->rows, &o->cursor, row, o);
    int below = o->n - (o->cursor.top + o->rows);
    if (below > 0) {
        char more[64];
        snprintf(more, sizeof more, _("+%d more"), below);
        ui_role_on(w, ROLE_DIM);
        ui_put(w, 2 + o->rows, 1, more, cols - 2);
        ui_role_off(w, ROLE_DIM);
    }
    if (sel) {
        ui_role on = sel->serious ? ROLE_ERROR : ROLE_WARNING;
        ui_role_on(w, on);
        ui_put_wrapped(w, rows - detail, 1, cols - 2, detail, reaction);
        ui_role_off(w, on);
    }
}

static int rang_find(const observe *o, int64_t id, int *at)
{
    int lo = 0, hi = o->nrang;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (o->rang[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < o->nrang && o->rang[lo] == id;
}

/* Remembers a visit rung for; 0 if it was already (or if memory ran out: better silent once
 * more than ringing every second). */
static int rang_add(observe *o, int64_t id)
{
    int at;
    if (rang_find(o, id, &at))
        return 0;
    if (o->nrang == o->caprang) {
        int want = o->caprang ? o->caprang * 2 : 256;
        int64_t *grown = realloc(o->rang, (size_t)want * sizeof *grown);
        if (!grown)
            return 0;
        o->rang = grown;
        o->caprang = want;
    }
    memmove(&o->rang[at + 1], &o->rang[at], (size_t)(o->nrang - at) * sizeof *o->rang);
    o->rang[at] = id;
    o->nrang++;
    return 1;
}

/* The bell; VAXSITE_BELL_LOG names a file that gets one line per bell (the visit), so that the
 * end-to-end tests can count bells, which a terminal does not show. */
static void ring(int64_t visit_id)
{
    const char *log = getenv("VAXSITE_BELL_LOG");
    beep();
    if (log && *log) {
        FILE *f = fopen(log, "a");
        if (f) {
            fprintf(f, "%lld\n", (long long)visit_id);
            fclose(f);
        }
    }
}

/* Rings once for each person whose period has just ended. */
static void tick(ui_app *app)
{
    observe *o = app->screen->state;
    for (int i = 0; i < o->n; i++)
        if (o->list[i].may_leave && rang_add(o, o->list[i].visit.id) && o->bell)
            ring(o->list[i].visit.id);
}

/* A copy of the selected row: every dialog redraws the screen, which reloads the list. */
static int selected(observe *o, vax_observing *out)
{
    if (o->n <= 0 || o->cursor.selected >= o->n)
        return 0;
    *out = o->list[o->cursor.selected];
    return 1;
}

static int choose_outcome(ui_app *app, const char **code)
{
    static const char *const codes[] = {"recovered", "transferred", "other"};
    const char *names[] = {_("Recovered"), _("Transferred to hospital"),
                           _("Other (say what in the note)")};
    int a = ui_dialog_choose(app, _("Outcome"), names, 3);
    if (a < 0)
        return 0;
    *code = codes[a];
    return 1;
}

/* A serious reaction: the outcome and the doctor's note, then the doctor signs (or is the one
 * signed in). A refused PIN asks again in the same box; Esc releases nobody. */
static int release_serious(ui_app *app, const vax_observing *v)
{
    const char *outcome;
    char note[200] = "", login[64] = "", pin[32] = "", line[400], error[300] = "";
    vax_staff doctor;
    if (!choose_outcome(app, &outcome) ||
        !ui_dialog_ask(app, _("Doctor's note"), _("What happened and what the doctor decided:"),
                       note, sizeof note))
        return 0;
    int is_doctor = app->staff.role == VAX_ROLE_DOCTOR;
    snprintf(line, sizeof line, _("Ticket %03d, serious reaction: the doctor signs the release."),
             v->visit.ticket);
    for (;;) {
        if (!is_doctor && !ui_dialog_doctor(app, _("Doctor's confirmation"), line, error, login,
                                            sizeof login, pin, sizeof pin))
            return 0;
        int rc = vax_observe_release_serious(app->db, v->visit.id, outcome, note,
                                             is_doctor ? NULL : login, pin, &doctor);
        memset(pin, 0, sizeof pin);
        if (rc == VAX_OK)
            break;
        const char *field = vax_errfield(app->db);
        if (is_doctor || !(!strcmp(field, "login") || !strcmp(field, "pin"))) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            return 0;
        }
        snprintf(error, sizeof error, "%s", vax_errmsg(app->db));
        ui_message(app, MSG_ERROR, "%s", error);
    }
    const char *outcome_name = !strcmp(outcome, "recovered")     ? _("Recovered")
                               : !strcmp(outcome, "transferred") ? _("Transferred to hospital")
                                                                 : _("Other");
    ui_message(app, MSG_OK, _("Ticket %03d: %s, confirmed by Dr %s."), v->visit.ticket,
               outcome_name, doctor.name);
    return 1;
}

static void release(ui_app *app, observe *o)
{
    vax_observing row, *v = &row;
    char reason[200] = "";
    if (!selected(o, v))
        return;
    if (o->released) {
        ui_message(app, MSG_INFO, "%s",
                   _("Choose the next person with ↑ ↓ first, then release them."));
        return;
    }
    int64_t visit_id = v->visit.id;
    int ticket = v->visit.ticket, with_cert = 1;
    if (v->serious) {
        if (!release_serious(app, v))
            return;
        with_cert = 0; /* the doctor's outcome is the message to read; the card comes later */
    } else {
        if (!v->may_leave && !v->pending_reaction &&
            !ui_dialog_ask(app, _("Early release"), _("The period is not over. Why release now?"),
                           reason, sizeof reason))
            return;
        if (vax_observe_release(app->db, visit_id, reason) != VAX_OK) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            return;
        }
        ui_message(app, MSG_OK, _("Ticket %03d released."), ticket);
    }
    o->released = 1;
    load(app, o);
    /* released with a dose: the certificate, to print or show */
    if (with_cert)
        ui_cert_for_visit(app, visit_id);
}

/* Says that the reaction is kept and what is still to record. */
static void kept_message(ui_app *app, int ticket, int missing)
{
    const char *key = ui_act_key(app, ACT_REACTION);
    if (missing == (VAX_REACTION_NEEDS_ACTION | VAX_REACTION_NEEDS_SEVERITY))
        ui_message(app, MSG_INFO,
                   _("Reaction saved for ticket %03d; still to record: action taken and severity "
                     "(%s)."),
                   ticket, key);
    else if (missing & VAX_REACTION_NEEDS_ACTION)
        ui_message(app, MSG_INFO,
                   _("Reaction saved for ticket %03d; still to record: action taken (%s)."), ticket,
                   key);
    else
        ui_message(app, MSG_INFO,
                   _("Reaction saved for ticket %03d; still to record: severity (%s)."), ticket,
                   key);
}

/* Asks for what the kept reaction still lacks, saving each answer as it is given. */
static void complete_reaction(ui_app *app, int ticket, vax_reaction *r, int later)
{
    static const char *const actions[] = {"observed", "treated", "anaphylaxis", "transferred"};
    const char *action_names[] = {_("Observed"), _("Treated on site"), _("Anaphylaxis protocol"),
                                  _("Transferred to hospital")};
    const char *sev[] = {_("Minor"), _("Serious")};
    if (r->missing & VAX_REACTION_NEEDS_ACTION) {
        int a = ui_dialog_choose(app, _("Action taken"), action_names, 4);
        if (a < 0) {
            kept_message(app, ticket, r->missing);
            return;
        }
        if (vax_observe_reaction_complete(app->db, r->id, actions[a], -1, r) != VAX_OK) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            return;
        }
    }
    if (r->missing & VAX_REACTION_NEEDS_SEVERITY) {
        int s = ui_dialog_choose(app, _("Severity"), sev, 2);
        if (s < 0) {
            kept_message(app, ticket, r->missing);
            return;
        }
        if (vax_observe_reaction_complete(app->db, r->id, NULL, s, r) != VAX_OK) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            return;
        }
    }
    if (r->serious)
        ui_message(app, MSG_ERROR, _("Serious reaction recorded for ticket %03d."), ticket);
    else if (later)
        ui_message(app, MSG_OK, _("Reaction for ticket %03d completed."), ticket);
    else
        ui_message(app, MSG_OK, _("Reaction recorded for ticket %03d."), ticket);
}

/* The signs first: once confirmed they are saved, whatever happens in the next steps. */
static void new_reaction(ui_app *app, const vax_observing *v)
{
    vax_aefi_sign signs[64];
    const char *names[64];
    int chosen[64] = {0}, n = 0;
    vax_reaction r;
    if (vax_aefi_signs(signs, 64, &n) != VAX_OK || n == 0) {
        ui_message(app, MSG_ERROR, "%s", _("The list of reaction signs cannot be read."));
        return;
    }
    for (int i = 0; i < n; i++)
        names[i] = signs[i].name;
    if (!ui_dialog_choose_many(app, _("Signs seen"), names, n, chosen))
        return;
    char codes[512] = "";
    for (int i = 0; i < n; i++) {
        if (!chosen[i])
            continue;
        strncat(codes, signs[i].code, sizeof codes - strlen(codes) - 2);
        strcat(codes, " ");
    }
    if (vax_observe_reaction_signs(app->db, v->visit.id, codes, &r) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    if (r.serious) {
        /* first the protocol: every second counts */
        char *protocol = vax_aefi_protocol();
        ui_dialog_text(app, _("SUSPECTED ANAPHYLAXIS"), protocol, ROLE_ERROR);
        free(protocol);
    }
    complete_reaction(app, v->visit.ticket, &r, 0);
}

/* The reaction key: completes the person's unfinished reaction, else records a new one. */
static void reaction(ui_app *app, observe *o)
{
    vax_observing row, *v = &row;
    vax_reaction r;
    if (!selected(o, v))
        return;
    int ticket = v->visit.ticket;
    if (v->pending_reaction) {
        if (vax_observe_reaction_get(app->db, v->pending_reaction, &r) != VAX_OK)
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        else
            complete_reaction(app, ticket, &r, 1);
    } else
        new_reaction(app, v);
    load(app, o);
}

/* The serious-reaction report (the Ministry's form): what the site does not hold already is asked
 * here, each box filled with what the report holds (or its defaults); Esc at any box saves
 * nothing. The rest of the form comes from the person, the dose and the site. */
static void aefi_report(ui_app *app, observe *o)
{
    vax_observing row, *v = &row;
    vax_aefi_report r;
    int64_t reaction_id = 0;
    if (!selected(o, v))
        return;
    if (vax_aefi_reaction_of_visit(app->db, v->visit.id, &reaction_id) != VAX_OK ||
        vax_aefi_report_defaults(app->db, reaction_id, &r) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    static const char *const codes[] = {"recovering",    "recovered", "sequelae",
                                        "not_recovered", "died",      "unknown"};
    const char *names[] = {_("Recovering"),    _("Recovered"), _("Recovered with sequelae"),
                           _("Not recovered"), _("Died"),      _("Unknown")};
    char onset[32], line[200];
    time_t t = (time_t)r.onset_at;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(onset, sizeof onset, "%H:%M", &tm);
    snprintf(line, sizeof line, _("Ticket %03d: when did the reaction begin (HH:MM, today)?"),
             v->visit.ticket);
    if (!ui_dialog_ask(app, _("Serious reaction report"), line, onset, sizeof onset) ||
        !ui_dialog_ask(app, _("Serious reaction report"), _("Treatment given:"), r.treatment,
                       sizeof r.treatment) ||
        !ui_dialog_ask_optional(app, _("Serious reaction report"),
                                _("Treated at or transferred to (empty: here):"), r.hospital,
                                sizeof r.hospital))
        return;
    int a = ui_dialog_choose(app, _("Outcome now"), names, 6);
    if (a < 0)
        return;
    snprintf(r.outcome, sizeof r.outcome, "%s", codes[a]);
    if (!ui_dialog_ask_optional(app, _("Serious reaction report"),
                                _("For a child: the mother's or father's name (else empty):"),
                                r.parent_name, sizeof r.parent_name) ||
        !ui_dialog_ask(app, _("Serious reaction report"), _("Reporter:"), r.reporter_name,
                       sizeof r.reporter_name) ||
        !ui_dialog_ask_optional(app, _("Serious reaction report"),
                                _("Reporter's phone and e-mail:"), r.reporter_phone,
                                sizeof r.reporter_phone))
        return;
    int h, m, n = 0;
    if (sscanf(onset, "%2d:%2d%n", &h, &m, &n) != 2 || onset[n] || h > 23 || m > 59) {
        ui_message(app, MSG_ERROR, "%s", _("Onset: HH:MM, e.g. 09:45."));
        return;
    }
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    r.onset_at = (int64_t)mktime(&tm);
    if (vax_aefi_report_save(app->db, &r) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK,
               _("Ticket %03d: report %lld saved (version %d); it leaves with the next sync "
                 "(vaxsite aefi pdf %lld prints it)."),
               v->visit.ticket, (long long)reaction_id, r.version, (long long)reaction_id);
}

/* Cursor keys, Home and End included (the list may hold the whole day). */
static int move_cursor(observe *o, ui_key k)
{
    if (o->n == 0)
        return 0;
    if (k.code == UI_KEY_HOME)
        o->cursor.selected = 0;
    else if (k.code == UI_KEY_END)
        o->cursor.selected = o->n - 1;
    else if (!ui_list_key(&o->cursor, k, o->rows))
        return 0;
    o->selected_visit = o->list[o->cursor.selected].visit.id;
    o->released = 0;
    return 1;
}

/* ---- the key table ------------------------------------------------------------------------ */

static observe *area(ui_app *app)
{
    return app->screen->state;
}

static void act_release(ui_app *app)
{
    release(app, area(app));
}

static void act_reaction(ui_app *app)
{
    reaction(app, area(app));
}

static void act_aefi(ui_app *app)
{
    aefi_report(app, area(app));
}

static void act_bell(ui_app *app)
{
    observe *o = area(app);
    o->bell = !o->bell;
    ui_message(app, MSG_INFO, "%s", o->bell ? _("Bell on.") : _("Bell off."));
}

static const ui_keyrow rows[] = {
    {UI_KEY_ENTER, NULL, ACT_RELEASE, N_("Release"),
     N_("releases the selected person (a serious reaction: the doctor signs)"), 0, 90, act_release},
    {UI_KEY_F7, NULL, ACT_REACTION, N_("Reaction"),
     N_("records a reaction of the selected person, or completes it"), 0, 80, act_reaction},
    {UI_KEY_F8, NULL, ACT_AEFI_REPORT, N_("Report"),
     N_("the serious-reaction report on the Ministry's form: onset, treatment, outcome, reporter"),
     0, 70, act_aefi},
    /* TRANSLATORS: the key that turns the bell on or off (Vietnamese: c, chuông) */
    {UI_KEY_CHAR, N_("bell|b"), ACT_BELL, N_("Bell"),
     N_("the bell when someone's period ends: on or off"), 0, 30, act_bell},
};
static const char *const mode_names[] = {"list"};
const ui_keytable ui_keys_observe = UI_KEYTABLE("observation", rows, mode_names);

static int key(ui_app *app, ui_key k)
{
    return move_cursor(area(app), k);
}

static void load_screen(ui_app *app)
{
    load(app, area(app));
}

ui_screen *ui_station_observe(ui_app *app)
{
    ui_screen *s = calloc(1, sizeof *s);
    observe *o = calloc(1, sizeof *o);
    if (!s || !o) {
        free(s);
        free(o);
        return NULL;
    }
    o->bell = 1;
    load(app, o);
    /* people already free to leave when the station opens are not rung for */
    for (int i = 0; i < o->n; i++)
        if (o->list[i].may_leave)
            rang_add(o, o->list[i].visit.id);
    s->name = _("Observation");
    s->draw = draw;
    s->load = load_screen;
    s->key = key;
    s->keys = &ui_keys_observe;
    s->state = o;
    s->tick_ms = 1000;
    s->tick = tick;
    return s;
}

void ui_station_observe_free(ui_screen *s)
{
    if (!s)
        return;
    observe *o = s->state;
    if (o) {
        free(o->list);
        free(o->rang);
    }
    free(s->state);
    free(s);
}
