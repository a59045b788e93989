/* station_due.c: who is due (or overdue) for the next dose, with filters, and one key to book the
 * selected people into the next free slots. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DUE 2000
#define BOOK_AHEAD_DAYS 30

typedef struct due_view {
    vax_due *rows;
    /* ticks and the cursor follow people, not rows: the list is read again whenever another
     * station writes (a dose given, a booking made), and rows move */
    int64_t *picked;
    int npicked;
    int n, truncated;
    ui_list list;
    int list_rows;
    vax_due_filter filter;
    vax_product products[16];
    int nproducts, product_index; /* -1: any */
} due_view;

static int collect(const vax_due *d, void *ctx)
{
    due_view *v = ctx;
    if (v->n >= MAX_DUE) {
        v->truncated = 1;
        return 1;
    }
    v->rows[v->n++] = *d;
    return 0;
}

/* Most urgent first: overdue (longest first), then due (earliest first), then not yet. */
static int urgency(const vax_due *d)
{
    switch (d->state) {
    case VAX_DUE_OVERDUE:
        return 0;
    case VAX_DUE_DUE:
        return 1;
    case VAX_DUE_NOT_YET:
        return 2;
    default:
        return 3;
    }
}

static int by_urgency(const void *pa, const void *pb)
{
    const vax_due *a = pa, *b = pb;
    int c = urgency(a) - urgency(b);
    if (c)
        return c;
    if (a->state == VAX_DUE_OVERDUE && a->days_overdue != b->days_overdue)
        return b->days_overdue - a->days_overdue;
    if ((c = strcmp(a->earliest, b->earliest)))
        return c;
    return a->person_id < b->person_id ? -1 : a->person_id > b->person_id;
}

static int picked_at(const due_view *v, int64_t person_id)
{
    for (int i = 0; i < v->npicked; i++)
        if (v->picked[i] == person_id)
            return i;
    return -1;
}

static int is_picked(const due_view *v, int64_t person_id)
{
    return picked_at(v, person_id) >= 0;
}

static void set_picked(due_view *v, int64_t person_id, int on)
{
    int at = picked_at(v, person_id);
    if (on && at < 0 && v->npicked < MAX_DUE)
        v->picked[v->npicked++] = person_id;
    else if (!on && at >= 0)
        v->picked[at] = v->picked[--v->npicked];
}

static void load(ui_app *app, due_view *v)
{
    int64_t cursor = v->n > 0 && v->list.selected < v->n ? v->rows[v->list.selected].person_id : 0;
    v->n = 0;
    v->truncated = 0;
    int rc = vax_due_list(app->db, &v->filter, collect, v);
    if (rc != VAX_OK && rc != 1)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    qsort(v->rows, (size_t)v->n, sizeof *v->rows, by_urgency);
    v->list.count = v->n;
    for (int i = 0; cursor && i < v->n; i++)
        if (v->rows[i].person_id == cursor)
            v->list.selected = i;
    if (v->list.selected >= v->n)
        v->list.selected = v->n > 0 ? v->n - 1 : 0;
}

static void row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    due_view *v = ctx;
    vax_due *d = &v->rows[index];
    char line[400], when[64], e[11];
    (void)sel;
    ui_put(w, y, x, is_picked(v, d->person_id) ? "[x] " : "[ ] ", width);
    int name_w = width - 4 - 46 > 12 ? width - 4 - 46 : 12;
    ui_put_pad(w, y, x + 4, d->full_name, name_w);
    vax_date_dmy(d->earliest, e);
    if (d->state == VAX_DUE_OVERDUE)
        snprintf(when, sizeof when, _("overdue %d d"), d->days_overdue);
    else if (d->state == VAX_DUE_NOT_YET)
        snprintf(when, sizeof when, _("in %d d"), d->days_to_earliest);
    else
        snprintf(when, sizeof when, "%s", vax_due_state_label(d->state));
    char dose[32];
    snprintf(dose, sizeof dose, _("dose %d"), d->next_dose);
    snprintf(line, sizeof line, " %-3s %s %s %s", d->product, dose, e, when);
    int col = 4 + name_w;
    ui_role_on(w, d->state == VAX_DUE_OVERDUE ? ROLE_WARNING : ROLE_NORMAL);
    col += ui_put(w, y, x + col, line, width - col);
    ui_role_off(w, d->state == VAX_DUE_OVERDUE ? ROLE_WARNING : ROLE_NORMAL);
    if (d->booked_day[0]) {
        char b[11], t[48];
        vax_date_dmy(d->booked_day, b);
        snprintf(t, sizeof t, _(" · booked %s"), b);
        ui_role_on(w, ROLE_OK);
        ui_put(w, y, x + col, t, width - col);
        ui_role_off(w, ROLE_OK);
    }
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    due_view *v = app->screen->state;
    char line[400];
    int picked = 0;
    for (int i = 0; i < v->n; i++)
        picked += is_picked(v, v->rows[i].person_id);
    snprintf(line, sizeof line, _("Product: %s · %s · commune: %s"),
             v->product_index < 0 ? _("any") : v->products[v->product_index].code,
             v->filter.only_overdue ? _("overdue only") : _("due and overdue"),
             v->filter.commune[0] ? v->filter.commune : _("any"));
    ui_put(w, 0, 1, line, cols - 2);
    snprintf(line, sizeof line, _("%d people%s · %d selected"), v->n,
             v->truncated ? _(" (the first ones)") : "", picked);
    ui_role_on(w, ROLE_DIM);
    ui_put(w, 1, 1, line, cols - 2);
    ui_role_off(w, ROLE_DIM);
    /* the letters (not on the key bar) on one row, or two rather than cut */
    ui_keys_hint(app->screen->keys, 0, line, sizeof line);
    int hint_rows = ui_wrap_count(line, cols - 2) > 1 ? 2 : 1;
    v->list_rows = rows - 3 - hint_rows;
    ui_list_draw(w, 2, 1, cols - 2, v->list_rows, &v->list, row, v);
    ui_role_on(w, ROLE_DIM);
    ui_put_wrapped(w, rows - hint_rows, 1, cols - 2, hint_rows, line);
    ui_role_off(w, ROLE_DIM);
}

static void book(ui_app *app, due_view *v)
{
    vax_book_req *reqs = calloc((size_t)(v->n > 0 ? v->n : 1), sizeof *reqs);
    char from[11], to[11];
    int n = 0, booked = 0, full = 0;
    if (!reqs)
        return;
    for (int i = 0; i < v->n; i++)
        if (is_picked(v, v->rows[i].person_id) && !v->rows[i].booked_day[0]) {
            reqs[n].person_id = v->rows[i].person_id;
            reqs[n].dose_number = v->rows[i].next_dose;
            snprintf(reqs[n].not_before, sizeof reqs[n].not_before, "%s", v->rows[i].earliest);
            n++;
        }
    /* nobody ticked: the person under the cursor */
    if (!n && v->n > 0 && !v->rows[v->list.selected].booked_day[0]) {
        vax_due *d = &v->rows[v->list.selected];
        reqs[0].person_id = d->person_id;
        reqs[0].dose_number = d->next_dose;
        snprintf(reqs[0].not_before, sizeof reqs[0].not_before, "%s", d->earliest);
        n = 1;
    }
    if (!n) {
        ui_message(app, MSG_ERROR, _("Select people not booked yet (%s), then %s."),
                   ui_act_key(app, ACT_SELECT), ui_act_key(app, ACT_BOOK));
        free(reqs);
        return;
    }
    vax_local_date(vax_now(), from);
    vax_date_add(from, BOOK_AHEAD_DAYS, to);
    if (vax_slot_fill(app->db, from, to,
                      v->product_index < 0 ? "" : v->products[v->product_index].code, reqs, n,
                      &booked) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        free(reqs);
        return;
    }
    for (int i = 0; i < n; i++)
        full += reqs[i].status == VAX_EEMPTY;
    v->npicked = 0;
    if (full)
        ui_message(app, MSG_ERROR, _("Booked %d; %d found no free slot in the next %d days."),
                   booked, full, BOOK_AHEAD_DAYS);
    else
        ui_message(app, MSG_OK, _("Booked %d into the next free slots (call list: vaxsite book)."),
                   booked);
    free(reqs);
}

/* ---- the key table ------------------------------------------------------------------------ */

static due_view *view(ui_app *app)
{
    return app->screen->state;
}

static void act_book(ui_app *app)
{
    book(app, view(app));
}

static void act_select(ui_app *app)
{
    due_view *v = view(app);
    if (v->n) {
        int64_t id = v->rows[v->list.selected].person_id;
        set_picked(v, id, !is_picked(v, id));
    }
    if (v->list.selected + 1 < v->n)
        v->list.selected++;
}

static void act_select_all(ui_app *app)
{
    due_view *v = view(app);
    for (int i = 0; i < v->n; i++)
        set_picked(v, v->rows[i].person_id, 1);
}

static void act_product(ui_app *app)
{
    due_view *v = view(app);
    v->product_index = v->product_index + 1 >= v->nproducts ? -1 : v->product_index + 1;
    snprintf(v->filter.product, sizeof v->filter.product, "%s",
             v->product_index < 0 ? "" : v->products[v->product_index].code);
    v->npicked = 0;
}

static void act_overdue(ui_app *app)
{
    due_view *v = view(app);
    v->filter.only_overdue ^= 1;
    v->npicked = 0;
}

static void act_commune(ui_app *app)
{
    due_view *v = view(app);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", v->filter.commune);
    if (ui_dialog_ask(app, _("Commune"), _("Show people of the commune (empty: all):"), buf,
                      sizeof buf))
        snprintf(v->filter.commune, sizeof v->filter.commune, "%s", buf);
    else
        v->filter.commune[0] = 0;
    v->npicked = 0;
}

static const ui_keyrow rows[] = {
    {UI_KEY_F8, NULL, ACT_BOOK, N_("Book"),
     N_("books the selected people (or the one under the cursor) into the next free slots"), 0, 80,
     act_book},
    {UI_KEY_CHAR, " ", ACT_SELECT, N_("select"), N_("selects the person or not, and moves down"), 0,
     UI_BAR_NEVER, act_select},
    /* TRANSLATORS: the due list's key that selects everyone (Vietnamese: t, tất cả); one letter,
     * different from the list's other letters */
    {UI_KEY_CHAR, N_("select all|a"), ACT_SELECT_ALL, N_("all"), N_("selects everyone listed"), 0,
     UI_BAR_NEVER, act_select_all},
    /* TRANSLATORS: the due list's key for the product filter (Vietnamese: v, vắc xin) */
    {UI_KEY_CHAR, N_("product filter|p"), ACT_FILTER_PRODUCT, N_("product"),
     N_("shows one product after another, then any"), 0, UI_BAR_NEVER, act_product},
    /* TRANSLATORS: the due list's key for overdue only (Vietnamese: q, quá hạn) */
    {UI_KEY_CHAR, N_("overdue filter|o"), ACT_FILTER_OVERDUE, N_("overdue"),
     N_("overdue people only, or due and overdue"), 0, UI_BAR_NEVER, act_overdue},
    /* TRANSLATORS: the due list's key for the commune filter (Vietnamese: x, xã) */
    {UI_KEY_CHAR, N_("commune filter|f"), ACT_FILTER_COMMUNE, N_("commune"),
     N_("shows the people of a commune"), 0, UI_BAR_NEVER, act_commune},
};
static const char *const mode_names[] = {"list"};
const ui_keytable ui_keys_due = UI_KEYTABLE("due", rows, mode_names);

static int key(ui_app *app, ui_key k)
{
    due_view *v = view(app);
    return ui_list_key(&v->list, k, v->list_rows > 0 ? v->list_rows : 10);
}

static void load_screen(ui_app *app)
{
    load(app, view(app));
}

ui_screen *ui_station_due(ui_app *app)
{
    ui_screen *s = calloc(1, sizeof *s);
    due_view *v = calloc(1, sizeof *v);
    if (!s || !v || !(v->rows = calloc(MAX_DUE, sizeof *v->rows)) ||
        !(v->picked = calloc(MAX_DUE, sizeof *v->picked))) {
        if (v) {
            free(v->rows);
            free(v->picked);
        }
        free(s);
        free(v);
        return NULL;
    }
    v->product_index = -1;
    vax_product_list(app->db, v->products, 16, &v->nproducts);
    s->name = _("Due list");
    s->draw = draw;
    s->load = load_screen;
    s->key = key;
    s->keys = &ui_keys_due;
    s->state = v;
    return s;
}

void ui_station_due_free(ui_screen *s)
{
    if (!s)
        return;
    due_view *v = s->state;
    if (v) {
        free(v->rows);
        free(v->picked);
    }
    free(v);
    free(s);
}
