/* station_stock.c: the manager's stock screen: today per product, the lots, receiving a lot. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOTS 200
#define MAX_PRODUCTS 16

enum mode { MODE_VIEW, MODE_RECEIVE };

typedef struct stock {
    enum mode mode;
    vax_stock_day day[MAX_PRODUCTS];
    int nday;
    vax_lot lots[MAX_LOTS];
    int nlots;
    ui_list list;
    int list_rows;
    ui_form form;
} stock;

static void load(ui_app *app, stock *s)
{
    char today[11];
    vax_local_date(vax_now(), today);
    if (vax_stock_day_summary(app->db, today, s->day, MAX_PRODUCTS, &s->nday) != VAX_OK ||
        vax_stock_lots(app->db, 0, s->lots, MAX_LOTS, &s->nlots) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        s->nday = s->nlots = 0;
    }
    s->list.count = s->nlots;
    if (s->list.selected >= s->nlots)
        s->list.selected = s->nlots > 0 ? s->nlots - 1 : 0;
}

/* The products with anything to show: stock on hand or vials opened today. */
static int shown(const vax_stock_day *d)
{
    return d->doses_on_hand > 0 || d->vials_opened > 0;
}

static void lot_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    stock *s = ctx;
    vax_lot *l = &s->lots[index];
    char line[300], dmy[11], today[11], soon[11];
    (void)sel;
    vax_date_dmy(l->expiry, dmy);
    vax_local_date(vax_now() + 7 * 24 * 3600, soon);
    vax_local_date(vax_now(), today);
    snprintf(line, sizeof line, "%-4s %-14s %s  %4d/%-4d  %6d  ", l->product, l->lot_no, dmy,
             l->vials_received - l->vials_opened, l->vials_received, l->doses_on_hand);
    int used = ui_put(w, y, x, line, width);
    if (l->expired) {
        ui_role_on(w, ROLE_ERROR);
        used += ui_put(w, y, x + used, _("✗ expired"), width - used);
        ui_role_off(w, ROLE_ERROR);
    } else if (strcmp(l->expiry, soon) <= 0 && l->doses_on_hand > 0) {
        ui_role_on(w, ROLE_WARNING);
        used += ui_put(w, y, x + used, _("! expires within 7 days"), width - used);
        ui_role_off(w, ROLE_WARNING);
    }
    ui_put(w, y, x + used + 1, l->supplier, width - used - 1);
}

static void draw_view(ui_app *app, stock *s, WINDOW *w, int rows, int cols)
{
    char line[300];
    int y = 0, n = 0;
    wattron(w, A_BOLD);
    ui_put(w, y++, 1, _("Product  On hand  Opened today  Given  Wasted  Wastage  Expiring ≤7 days"),
           cols - 2);
    wattroff(w, A_BOLD);
    for (int i = 0; i < s->nday; i++) {
        vax_stock_day *d = &s->day[i];
        if (!shown(d))
            continue;
        snprintf(line, sizeof line, "%-7s  %7d  %12d  %5d  %6d  %5d.%d%%  %16d", d->product,
                 d->doses_on_hand, d->vials_opened, d->doses_given, d->doses_wasted,
                 d->wastage_permille / 10, d->wastage_permille % 10, d->expiring_7d);
        ui_role_on(w, d->expiring_7d > 0 ? ROLE_WARNING : ROLE_NORMAL);
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, d->expiring_7d > 0 ? ROLE_WARNING : ROLE_NORMAL);
        n++;
        if (y > rows / 2)
            break;
    }
    if (n == 0) {
        ui_role_on(w, ROLE_DIM);
        snprintf(line, sizeof line, _("No stock. %s receives a lot."),
                 ui_act_key(app, ACT_RECEIVE_LOT));
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, ROLE_DIM);
    }
    mvwhline(w, y, 0, ACS_HLINE, cols);
    ui_role_on(w, ROLE_TITLE);
    ui_put(w, y++, 2, _(" Lots (soonest expiry first) "), cols - 4);
    ui_role_off(w, ROLE_TITLE);
    wattron(w, A_BOLD);
    ui_put(w, y++, 1, _("Prod Lot            Expiry      Vials/recd   Doses  "), cols - 2);
    wattroff(w, A_BOLD);
    s->list_rows = rows - y > 1 ? rows - y : 1;
    ui_list_draw(w, y, 1, cols - 2, s->list_rows, &s->list, lot_row, s);
}

/* ---- receiving ------------------------------------------------------------------------------ */

static void open_form(ui_app *app, stock *s)
{
    ui_form *f = &s->form;
    ui_form_init(f);
    ui_form_add(f, "product", _("Product"), _("AZ, PF, MO, SP, SV, AB, JJ"), 15, NULL);
    ui_form_add(f, "lot_no", _("Lot number"), _("as on the label"), 32, NULL);
    ui_form_add(f, "expiry", _("Expiry"), _("dd/mm/yyyy"), 10, NULL);
    ui_form_add(f, "vials", _("Vials"), _("number of vials received"), 6, NULL);
    ui_form_add(f, "doses_per_vial", _("Doses per vial"), _("empty: the catalogue's"), 3, NULL);
    ui_form_add(f, "component", _("Component"), _("Sputnik V only: 1 or 2"), 1, NULL);
    ui_form_add(f, "supplier", _("From"), _("who delivered it"), 100, NULL);
    s->mode = MODE_RECEIVE;
    app->msg[0] = 0;
}

static void text_of(stock *s, const char *key, char *buf, size_t size)
{
    ui_input_get(&ui_form_field(&s->form, key)->input, buf, size);
}

/* A whole number, or `empty` when the field is blank; -1000 when it is not a number. */
static int number_of(stock *s, const char *key, int empty)
{
    char buf[32], *end;
    text_of(s, key, buf, sizeof buf);
    if (!buf[0])
        return empty;
    long v = strtol(buf, &end, 10);
    return *end || v < -1000 || v > 1000000 ? -1000 : (int)v;
}

static void save_form(ui_app *app, stock *s)
{
    char product[32], lot[64], expiry[32], supplier[256];
    int64_t id;
    text_of(s, "product", product, sizeof product);
    for (char *p = product; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    text_of(s, "lot_no", lot, sizeof lot);
    text_of(s, "expiry", expiry, sizeof expiry);
    text_of(s, "supplier", supplier, sizeof supplier);
    vax_lot_in in = {product,
                     lot,
                     expiry,
                     number_of(s, "vials", 0),
                     0,
                     number_of(s, "doses_per_vial", VAX_DPV_CATALOGUE),
                     number_of(s, "component", 0),
                     supplier};
    if (vax_stock_receive(app->db, &in, &id) != VAX_OK) {
        const char *field = vax_errfield(app->db);
        ui_form_show_error(&s->form, !strcmp(field, "doses") ? "vials" : field,
                           vax_errmsg(app->db));
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    vax_lot l;
    if (vax_stock_lot_get(app->db, id, &l) == VAX_OK)
        ui_message(app, MSG_OK, _("Received %s lot %s: %d doses on hand."), l.product, l.lot_no,
                   l.doses_on_hand);
    s->mode = MODE_VIEW;
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    stock *s = app->screen->state;
    if (s->mode == MODE_RECEIVE) {
        ui_role_on(w, ROLE_TITLE);
        ui_put(w, 0, 1, _("Receive a lot"), cols - 2);
        ui_role_off(w, ROLE_TITLE);
        ui_form_draw(w, 2, 1, cols - 2, rows - 2, &s->form);
        ui_cursor_here(app, w);
        return;
    }
    draw_view(app, s, w, rows, cols);
}

/* ---- the key table ------------------------------------------------------------------------ */

static stock *store(ui_app *app)
{
    return app->screen->state;
}

static void act_receive(ui_app *app)
{
    if (!vax_role_may(app->staff.role, VAX_ACT_SETTINGS)) {
        ui_message(app, MSG_ERROR, "%s", _("Only a manager receives lots."));
        return;
    }
    open_form(app, store(app));
}

static void act_save(ui_app *app)
{
    save_form(app, store(app));
}

static void act_next_field(ui_app *app)
{
    ui_form_key(&store(app)->form, (ui_key){UI_KEY_TAB, 0});
}

/* Esc leaves the form; with changes typed it asks first, and keeping them is the easy answer. */
static void act_cancel(ui_app *app)
{
    if (!ui_form_may_discard(app, &store(app)->form))
        return;
    store(app)->mode = MODE_VIEW;
    app->msg[0] = 0;
}

/* F9, F10 and Ctrl-C ask before leaving a form with changes. */
static int unsaved(ui_app *app, char *what, size_t size)
{
    return store(app)->mode == MODE_RECEIVE && ui_form_unsaved(&store(app)->form, what, size);
}

enum { VIEW = 1, FORM = 2 };

static unsigned mode(ui_app *app)
{
    return store(app)->mode == MODE_RECEIVE ? FORM : VIEW;
}

static const ui_keyrow rows[] = {
    {UI_KEY_F2, NULL, ACT_RECEIVE_LOT, N_("Receive lot"), N_("records a lot received"), VIEW, 80,
     act_receive},
    {UI_KEY_F5, NULL, ACT_SAVE, N_("Save"), N_("saves the form"), FORM, 90, act_save},
    {UI_KEY_TAB, NULL, ACT_NEXT_FIELD, N_("Next field"), N_("the next field of the form"), FORM, 50,
     act_next_field},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Cancel"), N_("leaves the form without saving"), FORM, 60,
     act_cancel},
};
static const char *const mode_names[] = {"view", "form"};
const ui_keytable ui_keys_stock = UI_KEYTABLE("stock", rows, mode_names);

/* What no row takes: the form's typing (Enter moves on, and saves on the last field), the list. */
static int key(ui_app *app, ui_key k)
{
    stock *s = store(app);
    if (s->mode == MODE_RECEIVE) {
        if (k.code == UI_KEY_ENTER && s->form.focus == s->form.n - 1) {
            save_form(app, s);
            return 1;
        }
        if (k.code == UI_KEY_ENTER)
            k.code = UI_KEY_TAB;
        return ui_form_key(&s->form, k);
    }
    return ui_list_key(&s->list, k, s->list_rows);
}

static void load_screen(ui_app *app)
{
    if (store(app)->mode == MODE_VIEW)
        load(app, store(app));
}

ui_screen *ui_station_stock(ui_app *app)
{
    ui_screen *scr = calloc(1, sizeof *scr);
    stock *s = calloc(1, sizeof *s);
    (void)app;
    if (!scr || !s) {
        free(scr);
        free(s);
        return NULL;
    }
    scr->name = _("Vaccine stock");
    scr->draw = draw;
    scr->load = load_screen;
    scr->key = key;
    scr->keys = &ui_keys_stock;
    scr->mode = mode;
    scr->unsaved = unsaved;
    scr->state = s;
    return scr;
}

void ui_station_stock_free(ui_screen *s)
{
    if (!s)
        return;
    free(s->state);
    free(s);
}
