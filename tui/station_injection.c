/* station_injection.c: the injection room: call next, the person, the open vial, record a dose. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VIALS 16
#define MAX_DOSES 8

typedef struct injection {
    vax_visit visit;   /* the person called here; id 0 if none */
    vax_visit pending; /* left here unfinished (the room ended): offered first, Enter takes up */
    vax_person person;
    vax_dose doses[MAX_DOSES];
    int ndoses, next_number;
    vax_screening screening;
    int has_screening;
    vax_sched_next next; /* what the person called may be given today (ages, series) */
    int has_next;
    vax_vial vials[MAX_VIALS];
    int nvials;
    int64_t want_vial; /* keep this vial selected across reloads */
    ui_list list;
    int temp_due;         /* fridges with a temperature reading due (the cold chain) */
    vax_fridge first_due; /* the most pressing one */
} injection;

/* ---- data -------------------------------------------------------------------------------- */

static void load_vials(ui_app *app, injection *s)
{
    if (vax_stock_open_vials(app->db, app->desk, s->vials, MAX_VIALS, &s->nvials) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        s->nvials = 0;
    }
    s->list.count = s->nvials;
    if (s->want_vial) {
        for (int i = 0; i < s->nvials; i++)
            if (s->vials[i].id == s->want_vial)
                s->list.selected = i;
    }
    if (s->list.selected >= s->nvials)
        s->list.selected = s->nvials > 0 ? s->nvials - 1 : 0;
    if (s->nvials > 0)
        s->want_vial = s->vials[s->list.selected].id;
    if ((s->temp_due = vax_temp_due_count(app->db, vax_now(), &s->first_due)) < 0)
        s->temp_due = 0;
}

static void load_person(ui_app *app, injection *s)
{
    s->ndoses = 0;
    s->has_screening = 0;
    if (!s->visit.id)
        return;
    if (vax_person_get(app->db, s->visit.person_id, &s->person) != VAX_OK ||
        vax_dose_list(app->db, s->visit.person_id, s->doses, MAX_DOSES, &s->ndoses) != VAX_OK ||
        vax_dose_next_number(app->db, s->visit.person_id, &s->next_number) != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    s->has_screening = vax_screening_for_visit(app->db, s->visit.id, &s->screening) == VAX_OK;
    s->has_next =
        vax_schedule_for_person(app->db, s->visit.person_id, &s->next) == VAX_OK && !s->next.none;
}

/* 1 if the vial's product may be given to the person called (their age, their series); with
 * nobody called, or no rule to go by, every vial may. */
static int vial_allowed(const injection *s, const vax_vial *v)
{
    size_t n = strlen(v->product);
    if (!s->visit.id || !s->has_next)
        return 1;
    for (const char *p = s->next.products; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == n && strncmp(p, v->product, n) == 0)
            return 1;
        p += w;
    }
    return 0;
}

/* A visit left in injection at this station (the program ended with them called) is offered
 * first: the nurse sees who it is and takes them up (Enter) or sends them back (Esc). */
static void resume(ui_app *app, injection *s)
{
    char today[11];
    int n = 0;
    vax_visit *all = calloc(4000, sizeof *all);
    if (!all)
        return;
    vax_local_date(vax_now(), today);
    if (vax_queue_list(app->db, today, all, 4000, &n) == VAX_OK) {
        for (int i = 0; i < n; i++)
            if (all[i].state == VAX_STATE_INJECTION && vax_desk_same(all[i].station, app->desk))
                s->pending = all[i];
    }
    free(all);
    if (s->pending.id && vax_person_get(app->db, s->pending.person_id, &s->person) != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
}

/* The unfinished person becomes the person called here. */
static void take_up(ui_app *app, injection *s)
{
    s->visit = s->pending;
    memset(&s->pending, 0, sizeof s->pending);
    load_person(app, s);
}

static int draw_pending(injection *s, WINDOW *w, int y, int cols)
{
    char line[600];
    snprintf(line, sizeof line,
             _("Ticket %03d · %s was left here unfinished. %s takes them up again; %s sends them "
               "back to the waiting list."),
             s->pending.ticket % 1000, s->person.full_name, ui_key_name(UI_KEY_ENTER),
             ui_key_name(UI_KEY_F4));
    ui_role_on(w, ROLE_WARNING);
    int used = ui_put_wrapped(w, y, 1, cols - 2, 3, line);
    ui_role_off(w, ROLE_WARNING);
    return used;
}

static vax_vial *selected_vial(injection *s)
{
    return s->nvials > 0 ? &s->vials[s->list.selected] : NULL;
}

/* ---- drawing ----------------------------------------------------------------------------- */

/* What screening found, for the nurse to read before the dose: the outcome, every reason, the
 * doctor's notes and how long to observe; one item per line, each wrapped on screen. */
static void screening_text(const vax_screening *sc, char *out, size_t size)
{
    size_t o = (size_t)snprintf(out, size, _("Screening: %s%s%s"), vax_outcome_label(sc->final),
                                sc->products[0] ? _(" · may have ") : "", sc->products);
    for (const char *p = sc->reasons; *p && o < size;) {
        size_t len = strcspn(p, "\n");
        const char *colon = memchr(p, ':', len);
        /* stored as "caution: text": the outcome is already said above */
        const char *text = colon ? colon + 1 + (colon[1] == ' ') : p;
        o += (size_t)snprintf(out + o, size - o, "\n· %.*s", (int)(p + len - text), text);
        p += len + (p[len] == '\n');
    }
    if (sc->notes[0] && o < size)
        o += (size_t)snprintf(out + o, size - o, "\n· %s %s", _("Notes:"), sc->notes);
    if (sc->observation_minutes > 0 && o < size)
        snprintf(out + o, size - o, _("\nObserve for %d minutes after the injection."),
                 sc->observation_minutes);
}

/* The person called: who, their doses, and what screening found, wrapped and never cut; at most
 * `room` rows (the rest is behind S). Returns the rows used. */
static int draw_person(ui_app *app, injection *s, WINDOW *w, int y, int cols, int room)
{
    char line[600], today[11], date[11], dmy[11], text[3072];
    if (!s->visit.id && s->pending.id)
        return draw_pending(s, w, y, cols);
    if (!s->visit.id) {
        ui_role_on(w, ROLE_DIM);
        snprintf(line, sizeof line,
                 _("Nobody called. %s calls the next person waiting for injection."),
                 ui_act_key(app, ACT_CALL_NEXT));
        ui_put(w, y, 1, line, cols - 2);
        ui_role_off(w, ROLE_DIM);
        return 1;
    }
    vax_local_date(vax_now(), today);
    snprintf(line, sizeof line, _("Ticket %03d · %s · %d years"), s->visit.ticket % 1000,
             s->person.full_name, vax_age_on(s->person.birth_date, today));
    if (s->visit.urgent) { /* why this person came first; the line is wrapped, never cut */
        size_t o = strlen(line);
        snprintf(line + o, sizeof line - o, _(" · URGENT: %s"),
                 vax_urgent_short(s->visit.urgent_reason));
    }
    wattron(w, A_BOLD);
    if (s->visit.urgent)
        ui_role_on(w, ROLE_URGENT);
    int row = ui_put_wrapped(w, y, 1, cols - 2, 2, line);
    if (s->visit.urgent)
        ui_role_off(w, ROLE_URGENT);
    wattroff(w, A_BOLD);
    if (s->ndoses == 0) {
        snprintf(line, sizeof line, _("Doses so far: none · this is dose %d"), s->next_number);
    } else {
        int o = snprintf(line, sizeof line, _("Doses so far: %d ("), s->ndoses);
        for (int i = 0; i < s->ndoses && o < (int)sizeof line - 40; i++) {
            vax_local_date(s->doses[i].given_at, date);
            vax_date_dmy(date, dmy);
            o += snprintf(line + o, sizeof line - (size_t)o, "%s%s %s", i ? ", " : "",
                          s->doses[i].product, dmy);
        }
        snprintf(line + o, sizeof line - (size_t)o, _(") · this is dose %d"), s->next_number);
    }
    row += ui_put_wrapped(w, y + row, 1, cols - 2, 2, line);
    if (!s->has_screening) {
        ui_role_on(w, ROLE_DIM);
        ui_put(w, y + row, 1, _("Screening: no record on this screen"), cols - 2);
        ui_role_off(w, ROLE_DIM);
        return row + 1;
    }
    int caution = s->screening.final != VAX_OUTCOME_ELIGIBLE;
    screening_text(&s->screening, text, sizeof text);
    int need = ui_wrap_count(text, cols - 4), fits = room - row;
    if (need > fits)
        fits--; /* a row to say where the rest is */
    ui_role_on(w, caution ? ROLE_WARNING : ROLE_OK);
    ui_put(w, y + row, 1, caution ? "! " : "✓ ", 2);
    int used = ui_put_wrapped(w, y + row, 3, cols - 4, fits, text);
    ui_role_off(w, caution ? ROLE_WARNING : ROLE_OK);
    if (need > used) {
        ui_role_on(w, ROLE_DIM);
        snprintf(line, sizeof line, _("▼ more: %s shows the whole screening"),
                 ui_act_key(app, ACT_SHOW_SCREENING));
        ui_put(w, y + row + used, 3, line, cols - 4);
        ui_role_off(w, ROLE_DIM);
        used++;
    }
    return row + used;
}

static void vial_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    injection *s = ctx;
    vax_vial *v = &s->vials[index];
    char line[300], state[96];
    ui_role r;
    (void)sel;
    snprintf(line, sizeof line, _("%-4s lot %-12s %2d of %2d doses left"), v->product, v->lot_no,
             v->remaining, v->doses);
    int used = ui_put(w, y, x, line, width);
    /* the words carry the meaning; the colour only adds to them */
    if (!vial_allowed(s, v)) {
        /* seen before the nurse picks it: a dose from it would be refused */
        snprintf(state, sizeof state, "  ✗ %s", _("not for this person"));
        r = ROLE_ERROR;
    } else if (v->minutes_left <= 0) {
        snprintf(state, sizeof state, "  ✗ %s", _("EXPIRED: discard"));
        r = ROLE_ERROR;
    } else if (v->remaining <= 0) {
        snprintf(state, sizeof state, "  ✗ %s", _("EMPTY: discard"));
        r = ROLE_ERROR;
    } else if (v->minutes_left < 30) {
        snprintf(state, sizeof state, _("  ! %d min left"), v->minutes_left);
        r = ROLE_WARNING;
    } else {
        snprintf(state, sizeof state, _("  %d min left"), v->minutes_left);
        r = ROLE_OK;
    }
    ui_role_on(w, r);
    ui_put(w, y, x + used, state, width - used);
    ui_role_off(w, r);
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    injection *s = app->screen->state;
    char head[200];
    /* the person first, as many rows as the screening needs; the vials keep at least three */
    int top = draw_person(app, s, w, 0, cols, rows - 5 > 4 ? rows - 5 : 4);
    int bar = top > 4 ? top : 4;
    mvwhline(w, bar, 0, ACS_HLINE, cols);
    snprintf(head, sizeof head, _(" Open vials at %s "), app->station_label);
    ui_role_on(w, ROLE_TITLE);
    int hw = ui_put(w, bar, 2, head, cols - 4);
    ui_role_off(w, ROLE_TITLE);
    if (s->temp_due > 0 && hw + 4 < cols - 4) {
        /* the cold chain's reminder, on the vials' own line: a nurse here logs the fridge */
        char hhmm[6];
        int late = s->first_due.due == VAX_TEMP_DUE_LATE;
        vax_local_hhmm(s->first_due.due_at, hhmm);
        snprintf(head, sizeof head,
                 late ? _(" ! %s: temperature reading late since %s ")
                      : _(" %s: temperature reading due by %s "),
                 s->first_due.code, hhmm);
        ui_role_on(w, late ? ROLE_ERROR : ROLE_WARNING);
        ui_put(w, bar, 2 + hw + 2, head, cols - 4 - hw - 2);
        ui_role_off(w, late ? ROLE_ERROR : ROLE_WARNING);
    }
    if (s->nvials == 0) {
        ui_role_on(w, ROLE_WARNING);
        snprintf(head, sizeof head, _("No open vial. %s opens a vial of a lot in stock."),
                 ui_act_key(app, ACT_OPEN_VIAL));
        ui_put_wrapped(w, bar + 2, 1, cols - 2, 2, head);
        ui_role_off(w, ROLE_WARNING);
        return;
    }
    ui_list_draw(w, bar + 1, 1, cols - 2, rows - bar - 1 > 1 ? rows - bar - 1 : 1, &s->list,
                 vial_row, s);
}

/* ---- actions ----------------------------------------------------------------------------- */

static void call_next(ui_app *app, injection *s)
{
    vax_visit v;
    if (s->visit.id || s->pending.id) {
        ui_message(app, MSG_ERROR,
                   _("Ticket %03d is here: %s records the dose, %s sends them back."),
                   (s->visit.id ? s->visit.ticket : s->pending.ticket) % 1000,
                   ui_key_name(UI_KEY_ENTER), ui_key_name(UI_KEY_F4));
        return;
    }
    if (vax_queue_call_next(app->db, VAX_STAGE_INJECTION, app->desk, &v) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    s->visit = v;
    load_person(app, s);
    ui_message(app, MSG_OK, _("Ticket %03d: %s."), v.ticket % 1000, s->person.full_name);
}

/* additional: the additional dose of an immunocompromised person, as the doctor decided at
 * screening (its own interval after the series; the core says when it is not one). */
static void record_dose(ui_app *app, injection *s, int additional)
{
    static const char *arm_items[2];
    vax_vial *vial = selected_vial(s);
    char reason[200] = "";
    vax_dose d;
    if (!s->visit.id) {
        ui_message(app, MSG_ERROR, _("Call the next person first (%s)."),
                   ui_key_name(UI_KEY_ENTER));
        return;
    }
    if (!vial) {
        ui_message(app, MSG_ERROR, _("Open a vial first (%s)."), ui_act_key(app, ACT_OPEN_VIAL));
        return;
    }
    arm_items[0] = _("Left arm");
    arm_items[1] = _("Right arm");
    int arm = ui_dialog_pick(app, additional ? _("Record the additional dose") : _("Record dose"),
                             _("Which arm? (L or R)"), arm_items, "LR", 2, 0);
    if (arm < 0)
        return;
    vax_dose_in in = {s->visit.id, vial->id,  arm == 0 ? VAX_ARM_LEFT : VAX_ARM_RIGHT, 0, NULL,
                      NULL,        additional};
    int rc = vax_dose_give(app->db, &in, &d);
    if (rc != VAX_OK && strcmp(vax_errfield(app->db), "override") == 0 &&
        (app->staff.role == VAX_ROLE_DOCTOR || vax_role_may(app->staff.role, VAX_ACT_OVERRIDE))) {
        char prompt[600];
        snprintf(prompt, sizeof prompt, "%s", vax_errmsg(app->db));
        ui_message(app, MSG_ERROR, "%s", prompt);
        if (!ui_dialog_ask(app, _("Override"), _("Reason to give the dose anyway:"), reason,
                           sizeof reason))
            return;
        in.override_reason = reason;
        rc = vax_dose_give(app->db, &in, &d);
    }
    if (rc != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    /* committed: only now does the screen say so */
    ui_message(app, MSG_OK,
               _("Dose %d (%s lot %s, %s) recorded; ticket %03d is under observation."),
               d.dose_number, d.product, d.lot_no, vax_arm_label(d.arm), s->visit.ticket % 1000);
    memset(&s->visit, 0, sizeof s->visit);
    load_person(app, s);
}

static void open_vial(ui_app *app, injection *s)
{
    vax_lot lots[32];
    char text[32][160], dmy[11];
    const char *items[32];
    int n = 0;
    int64_t id;
    if (vax_stock_lots(app->db, 1, lots, 32, &n) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    if (n == 0) {
        ui_message(app, MSG_ERROR, "%s", _("No lot in stock can be opened (none, or expired)."));
        return;
    }
    if (n > 9)
        n = 9;
    for (int i = 0; i < n; i++) {
        vax_date_dmy(lots[i].expiry, dmy);
        snprintf(text[i], sizeof text[i], _("%-4s lot %-12s expires %s · %d vials"),
                 lots[i].product, lots[i].lot_no, dmy,
                 lots[i].vials_received - lots[i].vials_opened);
        if (lots[i].on_hold) /* warned before it is chosen; the core refuses it with why */
            snprintf(text[i] + strlen(text[i]), sizeof text[i] - strlen(text[i]), "%s",
                     _(" · ✗ check before use"));
        items[i] = text[i];
    }
    int k = ui_dialog_pick(app, _("Open vial"), _("Which lot? (soonest expiry first)"), items, NULL,
                           n, 0);
    if (k < 0)
        return;
    if (vax_stock_open_vial(app->db, lots[k].id, app->desk, &id) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    s->want_vial = id;
    ui_message(app, MSG_OK, _("Vial of %s lot %s opened."), lots[k].product, lots[k].lot_no);
}

static void discard_vial(ui_app *app, injection *s)
{
    const char *items[VAX_DISCARD_COUNT];
    vax_vial *v = selected_vial(s);
    char prompt[200];
    int wasted = 0;
    if (!v) {
        ui_message(app, MSG_ERROR, "%s", _("No open vial to discard."));
        return;
    }
    for (int i = 0; i < VAX_DISCARD_COUNT; i++)
        items[i] = vax_discard_label((vax_discard)i);
    snprintf(prompt, sizeof prompt, _("Discard the vial of lot %s (%d doses left): why?"),
             v->lot_no, v->remaining);
    int k = ui_dialog_pick(app, _("Discard vial"), prompt, items, NULL, VAX_DISCARD_COUNT,
                           v->minutes_left <= 0 ? VAX_DISCARD_EXPIRED : 0);
    if (k < 0)
        return;
    if (vax_stock_discard_vial(app->db, v->id, (vax_discard)k, &wasted) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("Vial discarded (%s): %d doses wasted."),
               vax_discard_label((vax_discard)k), wasted);
}

/* A vial as the nurse reads it: where it is, the product's name, the lot, what is left in it and
 * how long it has been open. */
static void vial_words(ui_app *app, const vax_vial *v, char *out, size_t size)
{
    vax_product p;
    char place[64];
    int64_t open_min = (vax_now() - v->opened_at) / 60;
    if (vax_product_get(app->db, v->product, &p) != VAX_OK)
        snprintf(p.name, sizeof p.name, "%s", v->product);
    ui_place_name(app, v->station, place, sizeof place);
    /* a room without a number is named with a trailing space */
    for (size_t n = strlen(place); n > 0 && place[n - 1] == ' '; n--)
        place[n - 1] = 0;
    snprintf(out, size, _("%s: %s, lot %s: %d of %d doses left, open %d h %02d min"), place, p.name,
             v->lot_no, v->remaining, v->doses, (int)(open_min / 60), (int)(open_min % 60));
}

static int same_vials(const vax_vial *a, int na, const vax_vial *b, int nb)
{
    if (na != nb)
        return 0;
    for (int i = 0; i < na; i++)
        if (a[i].id != b[i].id)
            return 0;
    return 1;
}

static void end_of_day(ui_app *app, injection *s)
{
    vax_vial all[64], now[64];
    char text[64][400], question[200];
    const char *lines[64];
    int n = 0, total = 0, vials = 0, wasted = 0, again = 0;
    (void)s;
    if (vax_stock_open_vials(app->db, NULL, all, 64, &n) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    if (n == 0) {
        ui_message(app, MSG_INFO, "%s", _("End of day: no vial is open."));
        return;
    }
    for (int i = 0; i < n; i++) {
        vial_words(app, &all[i], text[i], sizeof text[i]);
        lines[i] = text[i];
        total += all[i].remaining;
    }
    snprintf(question, sizeof question,
             _("Discard all %d open vials at every station (%d doses wasted)?"), n, total);
    if (!ui_dialog_confirm_key(app, _("End of day"), lines, n, question, _("Discard all")))
        return;
    /* another room may have opened or discarded a vial while the list was read */
    if (vax_stock_open_vials(app->db, NULL, now, 64, &again) != VAX_OK ||
        !same_vials(all, n, now, again)) {
        ui_message(app, MSG_ERROR,
                   _("The open vials changed while the list was shown; nothing was discarded. "
                     "%s shows the list again."),
                   ui_act_key(app, ACT_END_OF_DAY));
        return;
    }
    if (vax_stock_end_of_day(app->db, &vials, &wasted) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("End of day: %d vials discarded, %d doses wasted."), vials, wasted);
}

static void send_back(ui_app *app, injection *s)
{
    static const char *items[2];
    if (!s->visit.id)
        return;
    items[0] = _("Yes, back to the injection queue");
    items[1] = _("No");
    char prompt[200];
    snprintf(prompt, sizeof prompt, _("Send ticket %03d back without a dose?"),
             s->visit.ticket % 1000);
    if (ui_dialog_pick(app, _("Send back"), prompt, items, "YN", 2, 1) != 0)
        return;
    if (vax_queue_move(app->db, s->visit.id, VAX_STATE_WAITING_INJECTION, "sent back") != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("Ticket %03d is waiting for injection again."),
               s->visit.ticket % 1000);
    memset(&s->visit, 0, sizeof s->visit);
}

/* ---- the key table ------------------------------------------------------------------------ */

static injection *room(ui_app *app)
{
    return app->screen->state;
}

static void act_call_next(ui_app *app)
{
    call_next(app, room(app));
}

static void act_resume(ui_app *app)
{
    take_up(app, room(app));
}

static void act_record_dose(ui_app *app)
{
    record_dose(app, room(app), 0);
}

static void act_record_additional(ui_app *app)
{
    record_dose(app, room(app), 1);
}

/* The person left unfinished is taken up first, so that the question names them. */
static void act_send_back(ui_app *app)
{
    injection *s = room(app);
    if (s->pending.id)
        take_up(app, s);
    send_back(app, s);
}

static void act_show_screening(ui_app *app)
{
    injection *s = room(app);
    char text[3072];
    if (!s->has_screening)
        return;
    screening_text(&s->screening, text, sizeof text);
    ui_dialog_text(app, _("Screening"), text, ROLE_WARNING);
}

static void act_open_vial(ui_app *app)
{
    open_vial(app, room(app));
}

static void act_discard_vial(ui_app *app)
{
    discard_vial(app, room(app));
}

static void act_end_of_day(ui_app *app)
{
    end_of_day(app, room(app));
}

enum { IDLE = 1, PENDING = 2, CALLED = 4 };

static unsigned mode(ui_app *app)
{
    injection *s = room(app);
    return s->visit.id ? CALLED : s->pending.id ? PENDING : IDLE;
}

/* The vial keys are letters: no F-key here means something else than it does at another station,
 * and end of day, which discards every open vial, is nowhere near a key pressed out of habit. */
static const ui_keyrow rows[] = {
    {UI_KEY_ENTER, NULL, ACT_CALL_NEXT, N_("Call next"),
     N_("calls the next person waiting for injection to this room: urgent tickets first, in the "
        "order they were marked at check-in, then the usual order"),
     IDLE, 90, act_call_next},
    {UI_KEY_ENTER, NULL, ACT_RESUME, N_("Resume"),
     N_("takes up again the person left unfinished in this room"), PENDING, 90, act_resume},
    {UI_KEY_ENTER, NULL, ACT_RECORD_DOSE, N_("Record dose"),
     N_("records the dose from the selected vial (asks which arm)"), CALLED, 90, act_record_dose},
    {UI_KEY_F4, NULL, ACT_SEND_BACK, N_("Send back"),
     N_("sends the person back to the waiting list, asking first"), PENDING | CALLED, 50,
     act_send_back},
    /* TRANSLATORS: the key that records the additional dose of an immunocompromised person
     * (Vietnamese: b, bổ sung); one letter, different from the room's other letters */
    {UI_KEY_CHAR, N_("additional dose|a"), ACT_RECORD_ADDITIONAL, N_("Additional dose"),
     N_("the doctor's, for the immunocompromised"), CALLED, 5, act_record_additional},
    /* TRANSLATORS: the key that shows the screening at the injection room (Vietnamese: s, sàng
     * lọc); one letter, different from the room's other letters */
    {UI_KEY_CHAR, N_("show screening|s"), ACT_SHOW_SCREENING, N_("Screening"),
     N_("shows the whole screening of the person called"), CALLED, 20, act_show_screening},
    /* TRANSLATORS: the key that opens a vial (Vietnamese: m, mở lọ) */
    {UI_KEY_CHAR, N_("open vial|o"), ACT_OPEN_VIAL, N_("Open vial"),
     N_("opens a vial of a lot in stock"), 0, 70, act_open_vial},
    /* TRANSLATORS: the key that discards a vial (Vietnamese: h, hủy lọ) */
    {UI_KEY_CHAR, N_("discard vial|d"), ACT_DISCARD_VIAL, N_("Discard vial"),
     N_("discards the selected vial, with the reason"), 0, 40, act_discard_vial},
    /* TRANSLATORS: the key for the end of the day (Vietnamese: k, kết thúc ngày) */
    {UI_KEY_CHAR, N_("end of day|e"), ACT_END_OF_DAY, N_("End of day"),
     N_("discards every open vial at every station, asking first"), 0, 10, act_end_of_day},
};
static const char *const mode_names[] = {"idle", "pending", "called"};
const ui_keytable ui_keys_injection = UI_KEYTABLE("injection", rows, mode_names);

/* What no row takes: moving in the list of vials. */
static int key(ui_app *app, ui_key k)
{
    injection *s = room(app);
    if (ui_list_key(&s->list, k, 5)) {
        if (s->nvials > 0)
            s->want_vial = s->vials[s->list.selected].id;
        return 1;
    }
    return 0;
}

/* The open vials (another room draws from them, the minutes run) are read when the data or the
 * minute changes. */
static void load(ui_app *app)
{
    load_vials(app, room(app));
}

/* A person called here and not yet given the dose would wait at the door of a closed room. */
static int unsaved(ui_app *app, char *what, size_t size)
{
    injection *s = app->screen->state;
    const vax_visit *v = s->visit.id ? &s->visit : &s->pending;
    if (!v->id)
        return 0;
    snprintf(what, size, _("Ticket %03d is called to this room and has no dose recorded."),
             v->ticket % 1000);
    return 1;
}

ui_screen *ui_station_injection(ui_app *app)
{
    ui_screen *scr = calloc(1, sizeof *scr);
    injection *s = calloc(1, sizeof *s);
    if (!scr || !s) {
        free(scr);
        free(s);
        return NULL;
    }
    resume(app, s);
    scr->unsaved = unsaved;
    scr->name = _("Injection");
    scr->draw = draw;
    scr->load = load;
    scr->key = key;
    scr->keys = &ui_keys_injection;
    scr->mode = mode;
    scr->state = s;
    return scr;
}

void ui_station_injection_free(ui_screen *s)
{
    if (!s)
        return;
    free(s->state);
    free(s);
}
