/* dialog_book.c: the Book dialog: the next free slots for a person's next dose; Enter books. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOK_MAX 64
#define BOOK_DAYS 14

typedef struct book_ctx {
    vax_slot slots[BOOK_MAX];
    int n;
    ui_list list;
} book_ctx;

/* A bar of `width` cells: filled part for people in the slot, the rest for free places. */
static void fill_bar(char *out, size_t size, int used, int cap, int width)
{
    size_t o = 0;
    int full = cap > 0 ? (used * width + cap - 1) / cap : width;
    if (full > width)
        full = width;
    for (int i = 0; i < width && o + 4 < size; i++) {
        const char *cell = i < full ? "█" : "░";
        memcpy(out + o, cell, strlen(cell));
        o += strlen(cell);
    }
    out[o] = 0;
}

static void book_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    book_ctx *b = ctx;
    vax_slot *s = &b->slots[index];
    char a[6], e[6], bar[64], line[200], d[11];
    int used = s->booked + s->walk_ins;
    (void)sel;
    vax_local_hhmm(s->starts_at, a);
    vax_local_hhmm(s->ends_at, e);
    vax_date_dmy(s->day, d);
    fill_bar(bar, sizeof bar, used, s->capacity, 10);
    snprintf(line, sizeof line, "%s  %s-%s  %s %d/%d%s", d, a, e, bar, used, s->capacity,
             used >= s->capacity ? _("  full") : "");
    ui_put_pad(w, y, x, line, width);
}

/* Open slots not over, of open days from `from` on, for BOOK_DAYS days. */
static void load_slots(ui_app *app, book_ctx *b, const char *from)
{
    vax_site_day days[BOOK_DAYS];
    vax_slot tmp[128];
    char to[11];
    int nd = 0, nt = 0;
    int64_t now = vax_now();
    b->n = 0;
    vax_date_add(from, BOOK_DAYS - 1, to);
    if (vax_day_list(app->db, from, to, days, BOOK_DAYS, &nd) != VAX_OK)
        return;
    for (int i = 0; i < nd && b->n < BOOK_MAX; i++) {
        if (days[i].closed_at || vax_slot_list(app->db, days[i].day, tmp, 128, &nt) != VAX_OK)
            continue;
        for (int k = 0; k < nt && b->n < BOOK_MAX; k++)
            if (tmp[k].open && tmp[k].ends_at > now)
                b->slots[b->n++] = tmp[k];
    }
    /* start on the first slot with room */
    b->list.count = b->n;
    b->list.selected = 0;
    for (int i = 0; i < b->n; i++)
        if (b->slots[i].booked + b->slots[i].walk_ins < b->slots[i].capacity) {
            b->list.selected = i;
            break;
        }
    b->list.top = 0;
}

int ui_dialog_book(ui_app *app, const vax_person *p)
{
    book_ctx *b = calloc(1, sizeof *b);
    vax_due due;
    char today[11], from[11], head[400], sub[300];
    int done = 0;
    if (!b)
        return 0;
    vax_local_date(vax_now(), today);
    snprintf(from, sizeof from, "%s", today);
    if (vax_due_for_person(app->db, p->id, &due) != VAX_OK)
        memset(&due, 0, sizeof due), due.next_dose = 1;
    /* dose 2 and later: not before the earliest day the catalogue allows */
    if (due.earliest[0] && strcmp(due.earliest, today) > 0)
        snprintf(from, sizeof from, "%s", due.earliest);
    if (due.state == VAX_DUE_COMPLETE) {
        ui_message(app, MSG_ERROR, _("%s has completed the series (%d doses)."), p->full_name,
                   due.doses);
        free(b);
        return 0;
    }
    load_slots(app, b, from);
    snprintf(head, sizeof head, _("%s · dose %d"), p->full_name, due.next_dose);
    if (due.earliest[0]) {
        char d[11];
        vax_date_dmy(due.earliest, d);
        snprintf(sub, sizeof sub, _("%s · earliest %s (%s)"), due.product, d,
                 vax_due_state_label(due.state));
    } else if (due.booked_day[0]) {
        char d[11];
        vax_date_dmy(due.booked_day, d); /* dd/mm/yyyy, as every date a nurse reads */
        snprintf(sub, sizeof sub, _("already booked on %s"), d);
    } else {
        snprintf(sub, sizeof sub, "%s", _("the next free slots"));
    }
    for (;;) {
        ui_redraw(app);
        if (!app->too_small) {
            int rows = app->rows - 4 < 20 ? app->rows - 4 : 20;
            int cols = app->cols - 4 < 72 ? app->cols - 4 : 72;
            WINDOW *w = newwin(rows, cols, (app->rows - rows) / 2, (app->cols - cols) / 2);
            if (w) {
                werase(w);
                box(w, 0, 0);
                ui_role_on(w, ROLE_TITLE);
                ui_put_center(w, 0, 1, _("Book an appointment"), cols - 2);
                ui_role_off(w, ROLE_TITLE);
                ui_put(w, 1, 2, head, cols - 4);
                ui_role_on(w, ROLE_DIM);
                ui_put(w, 2, 2, sub, cols - 4);
                ui_role_off(w, ROLE_DIM);
                if (b->n == 0) {
                    ui_role_on(w, ROLE_WARNING);
                    ui_put(w, 4, 2, _("! No open slot is planned: plan the days at Planning."),
                           cols - 4);
                    ui_role_off(w, ROLE_WARNING);
                } else {
                    ui_list_draw(w, 4, 2, cols - 4, rows - 7, &b->list, book_row, b);
                }
                ui_role_on(w, ROLE_DIM);
                ui_put(w, rows - 2, 2, _("Enter: book this slot   Up/Down: choose   Esc: cancel"),
                       cols - 4);
                ui_role_off(w, ROLE_DIM);
                curs_set(0);
                wrefresh(w);
                delwin(w);
            }
        }
        timeout(-1);
        ui_key k = ui_read_key();
        if (ui_got_sigterm || ui_key_cancels(k))
            break;
        if (k.code == UI_KEY_ENTER && b->n > 0) {
            vax_slot *s = &b->slots[b->list.selected];
            char reason[200] = "", a[6], e[6], d[11];
            const char *why = NULL;
            if (s->booked + s->walk_ins >= s->capacity) {
                const vax_staff *me = vax_actor(app->db);
                if (!me || !vax_role_may(me->role, VAX_ACT_OVERRIDE)) {
                    ui_message(app, MSG_ERROR, "%s",
                               _("This slot is full; choose another, or ask a manager to "
                                 "overbook."));
                    continue;
                }
                if (!ui_dialog_ask(app, _("Overbook"), _("The slot is full. Why overbook it?"),
                                   reason, sizeof reason))
                    continue;
                why = reason;
            }
            if (vax_appt_book(app->db, p->id, s->id, due.next_dose, "", why, NULL) != VAX_OK) {
                ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
                break;
            }
            vax_local_hhmm(s->starts_at, a);
            vax_local_hhmm(s->ends_at, e);
            vax_date_dmy(s->day, d);
            ui_message(app, MSG_OK, _("Booked %s for dose %d on %s at %s-%s."), p->full_name,
                       due.next_dose, d, a, e);
            done = 1;
            break;
        }
        ui_list_key(&b->list, k, 8);
    }
    free(b);
    return done;
}
