/* station_queue.c: today's queue at a glance: every ticket, its state, and who is urgent. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VISITS 2000

typedef struct queue_view {
    vax_visit visits[MAX_VISITS];
    int n;
    ui_list list;
    int rows;
} queue_view;

typedef struct queue_ctx {
    queue_view view;
    vax_db *db;
} queue_ctx;

static const ui_action keys[] = {UI_UP, UI_HELP, UI_SWITCH, UI_QUIT};
static const char *const labels[] = {N_("Move"), N_("Help"), N_("Station"), N_("Quit")};

static void row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    queue_ctx *qc = ctx;
    vax_visit *v = &qc->view.visits[index];
    vax_person p;
    char line[512], hhmm[6];
    (void)sel;
    vax_local_hhmm(v->arrived_at, hhmm);
    snprintf(line, sizeof line, "%03d  %s  ", v->ticket, hhmm);
    int used = ui_put(w, y, x, line, width);
    /* padded by display width: Vietnamese labels have more bytes than columns */
    ui_put_pad(w, y, x + used, vax_state_label(v->state), width - used < 26 ? width - used : 26);
    used += width - used < 26 ? width - used : 26;
    if (v->urgent) {
        ui_role_on(w, ROLE_URGENT);
        used += ui_put(w, y, x + used, _("URGENT"), width - used);
        ui_role_off(w, ROLE_URGENT);
        used += ui_put(w, y, x + used, " ", width - used);
    }
    if (vax_person_get(qc->db, v->person_id, &p) == VAX_OK)
        ui_put(w, y, x + used, p.full_name, width - used);
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    queue_ctx *qc = app->screen->state;
    queue_view *q = &qc->view;
    char today[11], head[200];
    int waiting_s = 0, waiting_i = 0, observing = 0;
    vax_local_date(vax_now(), today);
    if (vax_queue_list(app->db, today, q->visits, MAX_VISITS, &q->n) != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    for (int i = 0; i < q->n; i++) {
        waiting_s += q->visits[i].state == VAX_STATE_WAITING_SCREENING;
        waiting_i += q->visits[i].state == VAX_STATE_WAITING_INJECTION;
        observing += q->visits[i].state == VAX_STATE_OBSERVING;
    }
    snprintf(head, sizeof head,
             _("Today: %d tickets · %d waiting for screening · %d waiting for injection · %d "
               "under observation"),
             q->n, waiting_s, waiting_i, observing);
    ui_put(w, 0, 1, head, cols - 2);
    q->list.count = q->n;
    q->rows = rows - 2;
    ui_list_draw(w, 2, 1, cols - 2, rows - 2, &q->list, row, qc);
}

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
    s->name = _("Queue overview");
    s->draw = draw;
    s->key = key;
    s->keys = keys;
    s->key_labels = labels;
    s->nkeys = 4;
    s->state = qc;
    s->watch_ms = 500;
    return s;
}

void ui_station_queue_free(ui_screen *s)
{
    if (!s)
        return;
    free(s->state);
    free(s);
}
