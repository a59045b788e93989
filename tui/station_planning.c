/* station_planning.c: the manager's planning screen: plan, copy and close days and slots, and
 * see each slot's fill as a bar. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SLOTS 256

enum mode { MODE_VIEW, MODE_FORM };

typedef struct planning {
    enum mode mode;
    char day[11];
    vax_site_day plan;
    int planned;
    vax_slot slots[MAX_SLOTS];
    int n;
    ui_list list;
    int list_rows;
    int to_now; /* on the next load: put the cursor on the slot running now (today only) */
    ui_form form;
} planning;

static void load(ui_app *app, planning *pl)
{
    pl->planned = vax_day_get(app->db, pl->day, &pl->plan) == VAX_OK;
    pl->n = 0;
    if (pl->planned && vax_slot_list(app->db, pl->day, pl->slots, MAX_SLOTS, &pl->n) != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    pl->list.count = pl->n;
    if (pl->to_now && pl->n > 0) {
        /* the slot running now, or the next one; after closing time the last */
        int64_t now = vax_now();
        int i = 0;
        while (i < pl->n - 1 && pl->slots[i].ends_at <= now)
            i++;
        pl->list.selected = i;
    }
    pl->to_now = 0;
    if (pl->list.selected >= pl->n)
        pl->list.selected = pl->n > 0 ? pl->n - 1 : 0;
}

static void slot_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    planning *pl = ctx;
    vax_slot *s = &pl->slots[index];
    char a[6], e[6], line[300];
    int used = s->booked + s->walk_ins;
    int bar_w = width >= 100 ? 30 : 16;
    (void)sel;
    vax_local_hhmm(s->starts_at, a);
    vax_local_hhmm(s->ends_at, e);
    snprintf(line, sizeof line, "%s-%s  ", a, e);
    int col = ui_put(w, y, x, line, width);
    /* the bar: one cell per share of the capacity; full slots in the warning colour */
    int full = s->capacity > 0 ? (used * bar_w + s->capacity - 1) / s->capacity : bar_w;
    if (full > bar_w)
        full = bar_w;
    ui_role_on(w, !s->open ? ROLE_DIM : used >= s->capacity ? ROLE_WARNING : ROLE_OK);
    for (int i = 0; i < bar_w && col < width; i++, col++)
        mvwaddstr(w, y, x + col, i < full ? "█" : "░");
    ui_role_off(w, !s->open ? ROLE_DIM : used >= s->capacity ? ROLE_WARNING : ROLE_OK);
    snprintf(line, sizeof line, _("  %d/%d · booked %d · walk-ins %d · checked in %d%s%s"), used,
             s->capacity, s->booked, s->walk_ins, s->checked_in,
             used > s->capacity    ? _(" · OVERBOOKED")
             : used == s->capacity ? _(" · full")
                                   : "",
             s->open ? "" : _(" · closed"));
    ui_put(w, y, x + col, line, width - col);
}

static void draw_view(ui_app *app, planning *pl, WINDOW *w, int rows, int cols)
{
    char d[11], line[400], hint[400];
    vax_date_dmy(pl->day, d);
    ui_role_on(w, ROLE_TITLE);
    snprintf(line, sizeof line, _("Day %s  (Left/Right: other days)"), d);
    ui_put(w, 0, 1, line, cols - 2);
    ui_role_off(w, ROLE_TITLE);
    if (!pl->planned) {
        ui_role_on(w, ROLE_DIM);
        snprintf(line, sizeof line,
                 _("Not planned yet. %s plans this day; %s copies the previous "
                   "day's plan."),
                 ui_act_key(app, ACT_PLAN_DAY), ui_act_key(app, ACT_COPY_PLAN));
        ui_put(w, 2, 1, line, cols - 2);
        ui_role_off(w, ROLE_DIM);
        return;
    }
    int booked = 0, cap = 0;
    for (int i = 0; i < pl->n; i++) {
        booked += pl->slots[i].booked + pl->slots[i].walk_ins;
        cap += pl->slots[i].open ? pl->slots[i].capacity : 0;
    }
    snprintf(line, sizeof line, _("%s-%s · %d min · %d per slot · %s · %s · %d/%d places%s"),
             pl->plan.opens, pl->plan.closes, pl->plan.slot_minutes, pl->plan.cap,
             vax_risk_label(pl->plan.risk),
             pl->plan.products[0] ? pl->plan.products : _("any product"), booked, cap,
             pl->plan.closed_at ? _(" · day closed") : "");
    ui_put(w, 1, 1, line, cols - 2);
    /* the letters (not on the key bar) on one row, or two rather than cut */
    ui_keys_hint(app->screen->keys, ui_screen_mode(app), hint, sizeof hint);
    int hint_rows = ui_wrap_count(hint, cols - 2) > 1 ? 2 : 1;
    pl->list_rows = rows - 3 - hint_rows;
    ui_list_draw(w, 2, 1, cols - 2, pl->list_rows, &pl->list, slot_row, pl);
    ui_role_on(w, ROLE_DIM);
    ui_put_wrapped(w, rows - hint_rows, 1, cols - 2, hint_rows, hint);
    ui_role_off(w, ROLE_DIM);
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    planning *pl = app->screen->state;
    if (pl->mode == MODE_FORM) {
        char d[11], title[64];
        vax_date_dmy(pl->day, d);
        snprintf(title, sizeof title, _("Plan the day %s"), d);
        ui_role_on(w, ROLE_TITLE);
        ui_put(w, 0, 1, title, cols - 2);
        ui_role_off(w, ROLE_TITLE);
        ui_form_draw(w, 2, 1, cols - 2, rows - 2, &pl->form);
        ui_cursor_here(app, w);
        return;
    }
    draw_view(app, pl, w, rows, cols);
}

static void open_form(planning *pl)
{
    ui_form *f = &pl->form;
    ui_form_init(f);
    ui_input_set(&ui_form_add(f, "opens", _("Opens"), _("HH:MM"), 5, NULL)->input, "07:00");
    ui_input_set(&ui_form_add(f, "closes", _("Closes"), _("HH:MM"), 5, NULL)->input, "17:00");
    ui_input_set(&ui_form_add(f, "slot_minutes", _("Slot length"), _("minutes"), 3, NULL)->input,
                 "30");
    ui_input_set(&ui_form_add(f, "capacity", _("People per slot"), NULL, 4, NULL)->input, "20");
    ui_input_set(
        &ui_form_add(f, "risk", _("Risk level"), _("low, medium, high, very_high"), 9, NULL)->input,
        "low");
    ui_form_add(f, "products", _("Products"), _("codes, e.g. AZ PF; empty: any"), 40, NULL);
    f->focus = 0;
    pl->mode = MODE_FORM;
}

static void text(planning *pl, const char *key, char *buf, size_t size)
{
    ui_input_get(&ui_form_field(&pl->form, key)->input, buf, size);
}

static void save_form(ui_app *app, planning *pl)
{
    vax_site_day d;
    char num[16], risk[32];
    memset(&d, 0, sizeof d);
    snprintf(d.day, sizeof d.day, "%s", pl->day);
    text(pl, "opens", d.opens, sizeof d.opens);
    text(pl, "closes", d.closes, sizeof d.closes);
    text(pl, "slot_minutes", num, sizeof num);
    d.slot_minutes = atoi(num);
    text(pl, "capacity", num, sizeof num);
    d.capacity = atoi(num);
    text(pl, "risk", risk, sizeof risk);
    if (vax_risk_parse(risk, &d.risk) != VAX_OK) {
        ui_form_show_error(&pl->form, "risk", _("Risk level: low, medium, high or very_high."));
        ui_message(app, MSG_ERROR, "%s", _("Risk level: low, medium, high or very_high."));
        return;
    }
    text(pl, "products", d.products, sizeof d.products);
    if (vax_day_plan(app->db, &d) != VAX_OK) {
        ui_form_show_error(&pl->form, vax_errfield(app->db), vax_errmsg(app->db));
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    pl->mode = MODE_VIEW;
    char x[11];
    vax_date_dmy(d.day, x);
    ui_message(app, MSG_OK, _("Planned %s: %d slots, %d people per slot (%s)."), x, d.slots, d.cap,
               vax_risk_label(d.risk));
}

static void move_day(ui_app *app, planning *pl, int delta)
{
    vax_date_add(pl->day, delta, pl->day);
    pl->list.selected = pl->list.top = 0;
    char today[11];
    vax_local_date(vax_now(), today);
    pl->to_now = strcmp(pl->day, today) == 0;
    app->msg[0] = 0;
}

static void copy_plan(ui_app *app, planning *pl)
{
    char from[11], to[11], x[11];
    /* planned: copy to the next day; not planned: copy the previous day here */
    if (pl->planned) {
        snprintf(from, sizeof from, "%s", pl->day);
        vax_date_add(pl->day, 1, to);
    } else {
        vax_date_add(pl->day, -1, from);
        snprintf(to, sizeof to, "%s", pl->day);
    }
    if (vax_day_copy(app->db, from, to) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    vax_date_dmy(to, x);
    ui_message(app, MSG_OK, _("Plan copied to %s."), x);
}

static void close_slot(ui_app *app, planning *pl)
{
    char answer[16] = "", a[6];
    int moved = 0, cancelled = 0;
    if (!pl->n)
        return;
    vax_slot *s = &pl->slots[pl->list.selected];
    vax_local_hhmm(s->starts_at, a);
    if (s->booked - s->checked_in > 0 &&
        !ui_dialog_ask(app, _("Close the slot"),
                       _("It has bookings: m moves them to the next free slot, c cancels them "
                         "(phone list)."),
                       answer, sizeof answer))
        return;
    if (answer[0] && answer[0] != 'm' && answer[0] != 'c') {
        ui_message(app, MSG_ERROR, "%s", _("Answer m (move) or c (cancel)."));
        return;
    }
    if (vax_slot_close(app->db, s->id, answer[0] == 'c' ? VAX_SLOT_CANCEL : VAX_SLOT_MOVE, &moved,
                       &cancelled) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("Slot %s closed: %d moved, %d cancelled (to phone)."), a, moved,
               cancelled);
}

static void close_day(ui_app *app, planning *pl)
{
    char answer[16] = "";
    int n = 0;
    if (!ui_dialog_ask(app, _("Close the day"),
                       _("Bookings not checked in become \"did not come\". Type yes to close."),
                       answer, sizeof answer) ||
        strcmp(answer, _("yes")) != 0)
        return;
    if (vax_day_close(app->db, pl->day, &n) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("Day closed: %d did not come (listed for follow-up)."), n);
}

/* ---- the key table ------------------------------------------------------------------------ */

static planning *plan(ui_app *app)
{
    return app->screen->state;
}

static void act_prev_day(ui_app *app)
{
    move_day(app, plan(app), -1);
}

static void act_next_day(ui_app *app)
{
    move_day(app, plan(app), 1);
}

static void act_plan_day(ui_app *app)
{
    if (plan(app)->planned)
        ui_message(app, MSG_ERROR, "%s", _("This day is planned already."));
    else
        open_form(plan(app));
}

static void act_copy(ui_app *app)
{
    copy_plan(app, plan(app));
}

static void act_close_slot(ui_app *app)
{
    close_slot(app, plan(app));
}

static void act_close_day(ui_app *app)
{
    if (plan(app)->planned)
        close_day(app, plan(app));
}

static void act_save(ui_app *app)
{
    save_form(app, plan(app));
}

static void act_next_field(ui_app *app)
{
    ui_form_key(&plan(app)->form, (ui_key){UI_KEY_TAB, 0});
}

/* Esc leaves the form; with changes typed it asks first, and keeping them is the easy answer. */
static void act_cancel(ui_app *app)
{
    if (!ui_form_may_discard(app, &plan(app)->form))
        return;
    plan(app)->mode = MODE_VIEW;
    app->msg[0] = 0;
}

/* F9, F10 and Ctrl-C ask before leaving a form with changes. */
static int unsaved(ui_app *app, char *what, size_t size)
{
    return plan(app)->mode == MODE_FORM && ui_form_unsaved(&plan(app)->form, what, size);
}

enum { VIEW = 1, FORM = 2 };

static unsigned mode(ui_app *app)
{
    return plan(app)->mode == MODE_FORM ? FORM : VIEW;
}

static const ui_keyrow rows[] = {
    {UI_KEY_F2, NULL, ACT_PLAN_DAY, N_("Plan day"), N_("plans the day shown: hours, slots, places"),
     VIEW, 80, act_plan_day},
    {UI_KEY_LEFT, NULL, ACT_PREV_DAY, N_("Previous day"), N_("shows the day before"), VIEW,
     UI_BAR_NEVER, act_prev_day},
    {UI_KEY_RIGHT, NULL, ACT_NEXT_DAY, N_("Next day"), N_("shows the day after"), VIEW,
     UI_BAR_NEVER, act_next_day},
    /* TRANSLATORS: the planning key that copies a day's plan (Vietnamese: c, chép); one letter,
     * different from the screen's other letters */
    {UI_KEY_CHAR, N_("copy plan|c"), ACT_COPY_PLAN, N_("copy this plan to the next day"),
     N_("copies the plan to the next day (not planned: the previous day's plan here)"), VIEW,
     UI_BAR_NEVER, act_copy},
    /* TRANSLATORS: the planning key that closes a slot (Vietnamese: k, khung giờ) */
    {UI_KEY_CHAR, N_("close slot|x"), ACT_CLOSE_SLOT, N_("close the slot"),
     N_("closes the selected slot; its bookings move or are cancelled"), VIEW, UI_BAR_NEVER,
     act_close_slot},
    /* TRANSLATORS: the planning key that closes the day (Vietnamese: n, đóng ngày) */
    {UI_KEY_CHAR, N_("close day|d"), ACT_CLOSE_DAY, N_("close the day (no-shows)"),
     N_("closes the day: bookings not checked in become no-shows"), VIEW, UI_BAR_NEVER,
     act_close_day},
    {UI_KEY_F5, NULL, ACT_SAVE, N_("Save"), N_("saves the form"), FORM, 90, act_save},
    {UI_KEY_TAB, NULL, ACT_NEXT_FIELD, N_("Next field"), N_("the next field of the form"), FORM, 50,
     act_next_field},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Cancel"), N_("leaves the form without saving"), FORM, 60,
     act_cancel},
};
static const char *const mode_names[] = {"view", "form"};
const ui_keytable ui_keys_planning = UI_KEYTABLE("planning", rows, mode_names);

/* What no row takes: the form's typing (Enter moves on, and saves on the last field), the list. */
static int key(ui_app *app, ui_key k)
{
    planning *pl = plan(app);
    if (pl->mode == MODE_FORM) {
        if (k.code == UI_KEY_ENTER && pl->form.focus == pl->form.n - 1) {
            save_form(app, pl);
            return 1;
        }
        if (k.code == UI_KEY_ENTER)
            k.code = UI_KEY_TAB;
        return ui_form_key(&pl->form, k);
    }
    return ui_list_key(&pl->list, k, pl->list_rows > 0 ? pl->list_rows : 10);
}

static void load_screen(ui_app *app)
{
    if (plan(app)->mode == MODE_VIEW)
        load(app, plan(app));
}

ui_screen *ui_station_planning(ui_app *app)
{
    ui_screen *s = calloc(1, sizeof *s);
    planning *pl = calloc(1, sizeof *pl);
    if (!s || !pl) {
        free(s);
        free(pl);
        return NULL;
    }
    vax_local_date(vax_now(), pl->day);
    pl->to_now = 1;
    s->name = _("Planning");
    s->draw = draw;
    s->load = load_screen; /* fills change as other stations book and check in */
    s->key = key;
    s->keys = &ui_keys_planning;
    s->mode = mode;
    s->unsaved = unsaved;
    s->state = pl;
    (void)app;
    return s;
}

void ui_station_planning_free(ui_screen *s)
{
    if (!s)
        return;
    free(s->state);
    free(s);
}
