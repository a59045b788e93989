/* station_queue.c: today's queue at a glance: every ticket, its state, who is urgent, and first
 * the visits left at a station with no desk working on them, which F4 returns to waiting. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VISITS 2000

#define MAX_STRANDED 50

typedef struct queue_view {
    vax_visit stranded[MAX_STRANDED]; /* shown first: rows 0 .. nstranded-1 */
    int nstranded;
    vax_visit visits[MAX_VISITS];
    char names[MAX_VISITS][256]; /* each visit's person, read with the list */
    int n;
    int waiting_s, waiting_i, observing;
    ui_list list;
    int rows;
} queue_view;

typedef struct queue_ctx {
    queue_view view;
    vax_db *db;
    const ui_app *app; /* the desks' names, for the rows */
} queue_ctx;

/* The visit on list row index: the stranded ones first, then every ticket of the day. */
static vax_visit *row_visit(queue_view *q, int index)
{
    return index < q->nstranded ? &q->stranded[index] : &q->visits[index - q->nstranded];
}

static void stranded_row(const ui_app *app, WINDOW *w, int y, int x, int width, vax_visit *v)
{
    char line[300], place[64], hhmm[6];
    ui_place_name(app, v->station, place, sizeof place);
    vax_local_hhmm(v->state_since, hhmm);
    snprintf(line, sizeof line, _("! %03d  %s at %s since %s, no desk working on it"), v->ticket,
             vax_state_label(v->state), place, hhmm);
    ui_role_on(w, ROLE_WARNING);
    ui_put(w, y, x, line, width);
    ui_role_off(w, ROLE_WARNING);
}

static void row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    queue_ctx *qc = ctx;
    vax_visit *v = row_visit(&qc->view, index);
    char line[512], hhmm[6];
    (void)sel;
    if (index < qc->view.nstranded) {
        stranded_row(qc->app, w, y, x, width, v);
        return;
    }
    vax_local_hhmm(v->arrived_at, hhmm);
    snprintf(line, sizeof line, "%03d  %s  ", v->ticket, hhmm);
    int used = ui_put(w, y, x, line, width);
    /* padded by display width: Vietnamese labels have more bytes than columns */
    ui_put_pad(w, y, x + used, vax_state_label(v->state), width - used < 26 ? width - used : 26);
    used += width - used < 26 ? width - used : 26;
    if (v->urgent) {
        /* the mark and why, for the staff who call: "URGENT elderly" */
        char mark[128];
        snprintf(mark, sizeof mark, "%s %s", _("URGENT"), vax_urgent_short(v->urgent_reason));
        ui_role_on(w, ROLE_URGENT);
        used += ui_put(w, y, x + used, mark, width - used);
        ui_role_off(w, ROLE_URGENT);
        used += ui_put(w, y, x + used, " ", width - used);
    }
    ui_put(w, y, x + used, qc->view.names[index - qc->view.nstranded], width - used);
}

/* Today's tickets, their people and the stranded ones, read when another station commits. */
static void load(ui_app *app)
{
    queue_ctx *qc = app->screen->state;
    queue_view *q = &qc->view;
    char today[11];
    vax_person p;
    vax_local_date(vax_now(), today);
    if (vax_queue_list(app->db, today, q->visits, MAX_VISITS, &q->n) != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    q->waiting_s = q->waiting_i = q->observing = 0;
    for (int i = 0; i < q->n; i++) {
        q->waiting_s += q->visits[i].state == VAX_STATE_WAITING_SCREENING;
        q->waiting_i += q->visits[i].state == VAX_STATE_WAITING_INJECTION;
        q->observing += q->visits[i].state == VAX_STATE_OBSERVING;
        q->names[i][0] = 0;
        if (vax_person_get(app->db, q->visits[i].person_id, &p) == VAX_OK)
            snprintf(q->names[i], sizeof q->names[i], "%s", p.full_name);
    }
    if (vax_queue_stranded(app->db, q->stranded, MAX_STRANDED, &q->nstranded) != VAX_OK)
        q->nstranded = 0;
    q->list.count = q->nstranded + q->n;
    if (q->list.selected >= q->list.count)
        q->list.selected = q->list.count > 0 ? q->list.count - 1 : 0;
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    queue_ctx *qc = app->screen->state;
    queue_view *q = &qc->view;
    char head[200];
    snprintf(head, sizeof head,
             _("Today: %d tickets · %d waiting for screening · %d waiting for injection · %d "
               "under observation"),
             q->n, q->waiting_s, q->waiting_i, q->observing);
    if (ui_width(head) > cols - 2)
        snprintf(head, sizeof head,
                 _("Today: %d tickets · waiting: %d screening, %d injection · %d "
                   "observed"),
                 q->n, q->waiting_s, q->waiting_i, q->observing);
    ui_put_fit(w, 0, 1, head, cols - 2);
    if (q->nstranded > 0) {
        snprintf(head, sizeof head,
                 _("%d at a station with no desk working on them: %s returns one to the waiting "
                   "list"),
                 q->nstranded, ui_act_key(app, ACT_RETURN_WAITING));
        ui_role_on(w, ROLE_WARNING);
        ui_put(w, 1, 1, head, cols - 2);
        ui_role_off(w, ROLE_WARNING);
    }
    q->rows = rows - 2;
    ui_list_draw(w, 2, 1, cols - 2, rows - 2, &q->list, row, qc);
}

/* Returns the selected stranded visit to its waiting list, after a yes; the core records the
 * move, its event and the audit row with the signed-in member in one transaction. */
static void return_selected(ui_app *app, queue_view *q)
{
    char what[300], question[200], place[64];
    if (q->list.selected >= q->nstranded) {
        ui_message(app, MSG_ERROR, "%s",
                   _("Only a ticket left at a station (marked !) goes back to the waiting list."));
        return;
    }
    vax_visit v = q->stranded[q->list.selected];
    ui_place_name(app, v.station, place, sizeof place);
    snprintf(what, sizeof what, _("Ticket %03d has been \"%s\" at %s with no change."), v.ticket,
             vax_state_label(v.state), place);
    snprintf(question, sizeof question, _("Return ticket %03d to the waiting list?"), v.ticket);
    const char *lines[] = {what};
    if (!ui_dialog_confirm_lines(app, _("Return to waiting"), lines, 1, question))
        return;
    if (vax_queue_return_waiting(app->db, v.id, "left at a station: returned from the overview") !=
        VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("Ticket %03d is waiting again."), v.ticket);
}

static void act_return(ui_app *app)
{
    queue_ctx *qc = app->screen->state;
    return_selected(app, &qc->view);
}

static const ui_keyrow rows[] = {
    {UI_KEY_F4, NULL, ACT_RETURN_WAITING, N_("Return to waiting"),
     N_("returns the ticket left at a station (marked !) to its waiting list"), 0, 60, act_return},
};
static const char *const mode_names[] = {"list"};
const ui_keytable ui_keys_queue = UI_KEYTABLE("queue", rows, mode_names);

static int key(ui_app *app, ui_key k)
{
    queue_ctx *qc = app->screen->state;
    return ui_list_key(&qc->view.list, k, qc->view.rows);
}

ui_screen *ui_station_queue(ui_app *app)
{
    ui_screen *s = calloc(1, sizeof *s);
    queue_ctx *qc = calloc(1, sizeof *qc);
    if (!s || !qc) {
        free(s);
        free(qc);
        return NULL;
    }
    qc->db = app->db;
    qc->app = app;
    s->name = _("Queue overview");
    s->draw = draw;
    s->load = load;
    s->key = key;
    s->keys = &ui_keys_queue;
    s->state = qc;
    return s;
}

void ui_station_queue_free(ui_screen *s)
{
    if (!s)
        return;
    free(s->state);
    free(s);
}
