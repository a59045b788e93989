/* station_observe.c: the observation area: who is watched, time left, reactions, release. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WATCHED 256

typedef struct observe {
    vax_observing list[MAX_WATCHED];
    int n;
    ui_list cursor;
    int rows;
    int bell;                  /* ring when someone's period ends */
    int64_t rang[MAX_WATCHED]; /* visit ids already rung for */
    int nrang;
} observe;

static const ui_action keys[] = {UI_SAVE, UI_REACTION, UI_BELL, UI_HELP, UI_SWITCH, UI_QUIT};
static const char *const labels[] = {N_("Release"), N_("Reaction"), N_("Bell"),
                                     N_("Help"),    N_("Station"),  N_("Quit")};

static void load(ui_app *app, observe *o)
{
    if (vax_observe_list(app->db, o->list, MAX_WATCHED, &o->n) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        o->n = 0;
    }
    o->cursor.count = o->n;
}

static void row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    observe *o = ctx;
    const vax_observing *v = &o->list[index];
    int64_t left = v->ends_at - vax_now();
    char head[32], when[64];
    (void)sel;
    snprintf(head, sizeof head, "%03d  ", v->visit.ticket % 1000);
    int used = ui_put(w, y, x, head, width);
    /* the state in words and a symbol, the colour only adds to them */
    ui_role r;
    if (v->serious) {
        snprintf(when, sizeof when, "! %s", _("serious reaction"));
        r = ROLE_URGENT;
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
    ui_role_on(w, r);
    ui_put_pad(w, y, x + used, when, 22 < width - used ? 22 : width - used);
    ui_role_off(w, r);
    used += 22 < width - used ? 22 : width - used;
    ui_put(w, y, x + used + 1, v->full_name, width - used - 1);
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    observe *o = app->screen->state;
    char head[200];
    load(app, o);
    int may = 0;
    for (int i = 0; i < o->n; i++)
        may += o->list[i].may_leave;
    snprintf(head, sizeof head, _("Under observation: %d · may leave: %d · bell: %s"), o->n, may,
             o->bell ? _("on") : _("off"));
    ui_put(w, 0, 1, head, cols - 2);
    o->rows = rows - 2;
    if (o->n == 0) {
        ui_role_on(w, ROLE_DIM);
        ui_put(w, 2, 1, _("Nobody is under observation."), cols - 2);
        ui_role_off(w, ROLE_DIM);
        return;
    }
    ui_list_draw(w, 2, 1, cols - 2, rows - 2, &o->cursor, row, o);
}

/* Rings once for each person whose period has just ended. */
static void tick(ui_app *app)
{
    observe *o = app->screen->state;
    load(app, o);
    for (int i = 0; i < o->n; i++) {
        if (!o->list[i].may_leave)
            continue;
        int done = 0;
        for (int k = 0; k < o->nrang && !done; k++)
            done = o->rang[k] == o->list[i].visit.id;
        if (done)
            continue;
        if (o->nrang < MAX_WATCHED)
            o->rang[o->nrang++] = o->list[i].visit.id;
        if (o->bell)
            beep();
    }
}

static vax_observing *selected(observe *o)
{
    return o->n > 0 && o->cursor.selected < o->n ? &o->list[o->cursor.selected] : NULL;
}

static void release(ui_app *app, observe *o)
{
    vax_observing *v = selected(o);
    char reason[200] = "";
    if (!v)
        return;
    if (!v->may_leave &&
        !ui_dialog_ask(app, _("Early release"), _("The period is not over. Why release now?"),
                       reason, sizeof reason))
        return;
    if (vax_observe_release(app->db, v->visit.id, reason) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    int64_t visit_id = v->visit.id;
    ui_message(app, MSG_OK, _("Ticket %03d released."), v->visit.ticket);
    load(app, o);
    /* released with a dose: the certificate, to print or show */
    ui_cert_for_visit(app, visit_id);
}

static void reaction(ui_app *app, observe *o)
{
    vax_observing *v = selected(o);
    vax_aefi_sign signs[64];
    const char *names[64];
    int chosen[64] = {0}, n = 0, serious = 0;
    if (!v)
        return;
    if (vax_aefi_signs(signs, 64, &n) != VAX_OK || n == 0) {
        ui_message(app, MSG_ERROR, "%s", _("The list of reaction signs cannot be read."));
        return;
    }
    for (int i = 0; i < n; i++)
        names[i] = signs[i].name;
    if (!ui_dialog_choose_many(app, _("Signs seen"), names, n, chosen))
        return;
    char codes[512] = "";
    int anaphylaxis = 0;
    for (int i = 0; i < n; i++) {
        if (!chosen[i])
            continue;
        strncat(codes, signs[i].code, sizeof codes - strlen(codes) - 2);
        strcat(codes, " ");
        anaphylaxis |= signs[i].anaphylaxis;
    }
    if (anaphylaxis) {
        /* first the protocol: every second counts */
        char *protocol = vax_aefi_protocol();
        ui_dialog_text(app, _("SUSPECTED ANAPHYLAXIS"), protocol, ROLE_ERROR);
        free(protocol);
    }
    static const char *const actions[] = {"observed", "treated", "anaphylaxis", "transferred"};
    const char *action_names[] = {_("Observed"), _("Treated on site"), _("Anaphylaxis protocol"),
                                  _("Transferred to hospital")};
    int a = ui_dialog_choose(app, _("Action taken"), action_names, 4);
    if (a < 0)
        return;
    const char *sev[] = {_("Minor"), _("Serious")};
    int s = anaphylaxis || a >= 2 ? 1 : ui_dialog_choose(app, _("Severity"), sev, 2);
    if (s < 0)
        return;
    char notes[200] = "";
    if (vax_observe_record_reaction(app->db, v->visit.id, codes, s == 1, actions[a], notes,
                                    &serious) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, serious ? MSG_ERROR : MSG_OK,
               serious ? _("Serious reaction recorded for ticket %03d.")
                       : _("Reaction recorded for ticket %03d."),
               v->visit.ticket);
    load(app, o);
}

static int key(ui_app *app, ui_key k)
{
    observe *o = app->screen->state;
    switch (k.action) {
    case UI_SAVE:
    case UI_ENTER:
        release(app, o);
        return 1;
    case UI_REACTION:
        reaction(app, o);
        return 1;
    case UI_BELL:
        o->bell = !o->bell;
        ui_message(app, MSG_INFO, o->bell ? _("Bell on.") : _("Bell off."));
        return 1;
    default:
        return ui_list_key(&o->cursor, k, o->rows);
    }
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
    for (int i = 0; i < o->n && o->nrang < MAX_WATCHED; i++)
        if (o->list[i].may_leave)
            o->rang[o->nrang++] = o->list[i].visit.id;
    s->name = _("Observation");
    s->draw = draw;
    s->key = key;
    s->keys = keys;
    s->key_labels = labels;
    s->nkeys = 6;
    s->state = o;
    s->tick_ms = 1000;
    s->tick = tick;
    return s;
}

void ui_station_observe_free(ui_screen *s)
{
    if (!s)
        return;
    free(s->state);
    free(s);
}
