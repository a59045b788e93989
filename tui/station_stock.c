/* station_stock.c: the manager's stock screen: today per product, the lots, receiving a lot; the
 * cold chain (fridges, readings due, today's log, lots on hold and a manager's decision); and the
 * vaccine to be used fast (doses on hand by expiry, doses a day needed, lots at risk). */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LOTS 200
#define MAX_PRODUCTS 16
#define MAX_FRIDGES 32
#define MAX_HOLDS 64
#define MAX_TEMPS 200

enum mode { MODE_VIEW, MODE_RECEIVE, MODE_COLD, MODE_FAST };

typedef struct stock {
    enum mode mode;
    vax_stock_day day[MAX_PRODUCTS];
    int nday;
    vax_lot lots[MAX_LOTS];
    int nlots;
    ui_list list;
    int list_rows;
    ui_form form;
    /* the cold chain */
    vax_fridge fridges[MAX_FRIDGES];
    int nfridges, ndue;
    vax_fridge first_due;
    vax_lot_hold holds[MAX_HOLDS];
    int nholds;
    vax_temp_reading temps[MAX_TEMPS];
    int ntemps;
    ui_list hold_list;
    int hold_rows;
    /* transfers other sites sent here, not yet taken in */
    vax_transfer incoming[8];
    int nincoming;
    /* used fast */
    vax_use_fast fast[MAX_LOTS];
    int nfast;
    ui_list fast_list;
    int fast_rows;
} stock;

static void fit(ui_list *l, int n)
{
    l->count = n;
    if (l->selected >= n)
        l->selected = n > 0 ? n - 1 : 0;
}

static void load(ui_app *app, stock *s)
{
    char today[11];
    int64_t now = vax_now();
    vax_local_date(now, today);
    if (vax_stock_day_summary(app->db, today, s->day, MAX_PRODUCTS, &s->nday) != VAX_OK ||
        vax_stock_lots(app->db, 0, s->lots, MAX_LOTS, &s->nlots) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        s->nday = s->nlots = 0;
    }
    fit(&s->list, s->nlots);
    s->ndue = vax_temp_due_count(app->db, now, &s->first_due);
    if (s->ndue < 0 || vax_fridge_list(app->db, 0, now, s->fridges, MAX_FRIDGES, &s->nfridges) ||
        vax_lot_holds(app->db, s->holds, MAX_HOLDS, &s->nholds) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        s->ndue = s->nfridges = s->nholds = 0;
    }
    fit(&s->hold_list, s->nholds);
    if (vax_stock_transfers_to_receive(app->db, s->incoming, 8, &s->nincoming) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        s->nincoming = 0;
    }
    if (s->mode == MODE_COLD) {
        /* today's log, newest last (the screen shows the end of it) */
        time_t t = (time_t)now;
        struct tm tm;
        localtime_r(&t, &tm);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        int64_t midnight = (int64_t)mktime(&tm);
        if (vax_temp_list(app->db, NULL, midnight, now + 1, s->temps, MAX_TEMPS, &s->ntemps) !=
            VAX_OK) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            s->ntemps = 0;
        }
    }
    if (s->mode == MODE_FAST) {
        if (vax_stock_use_fast(app->db, 7, s->fast, MAX_LOTS, &s->nfast) != VAX_OK) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            s->nfast = 0;
        }
        fit(&s->fast_list, s->nfast);
    }
}

/* "! Temperature reading late since 12:00: F1" or "due by 17:00"; "" when none is due. */
static void due_line(const stock *s, char *out, size_t size)
{
    char hhmm[6];
    out[0] = 0;
    if (s->ndue <= 0)
        return;
    vax_local_hhmm(s->first_due.due_at, hhmm);
    if (s->first_due.due == VAX_TEMP_DUE_LATE)
        snprintf(out, size, _("! Temperature reading late since %s: %s%s"), hhmm, s->first_due.code,
                 s->ndue > 1 ? _(" and others") : "");
    else
        snprintf(out, size, _("Temperature reading due by %s: %s%s"), hhmm, s->first_due.code,
                 s->ndue > 1 ? _(" and others") : "");
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
    if (l->on_hold) {
        ui_role_on(w, ROLE_ERROR);
        used += ui_put(w, y, x + used, _("✗ check before use"), width - used);
        ui_role_off(w, ROLE_ERROR);
    } else if (l->expired) {
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
    due_line(s, line, sizeof line);
    if (line[0] || s->nholds > 0) {
        if (s->nholds > 0)
            snprintf(line + strlen(line), sizeof line - strlen(line),
                     _("%s%d lots on \"check before use\" (%s)"), line[0] ? " · " : "! ", s->nholds,
                     ui_act_key(app, ACT_VIEW_COLD_CHAIN));
        ui_role_on(w, line[0] == '!' || s->nholds > 0 ? ROLE_ERROR : ROLE_WARNING);
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, line[0] == '!' || s->nholds > 0 ? ROLE_ERROR : ROLE_WARNING);
    }
    if (s->nincoming > 0) {
        const vax_transfer *t = &s->incoming[0];
        snprintf(line, sizeof line, _("To receive: %d vials of %s lot %s from %s"), t->vials,
                 t->product, t->lot_no, t->from_site);
        if (s->nincoming > 1)
            snprintf(line + strlen(line), sizeof line - strlen(line), _(" (+%d more)"),
                     s->nincoming - 1);
        ui_role_on(w, ROLE_WARNING);
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, ROLE_WARNING);
    }
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

/* ---- the cold chain ----------------------------------------------------------------------- */

static void when_text(int64_t t, char out[20])
{
    char day[11], dmy[11], hhmm[6];
    vax_local_date(t, day);
    vax_date_dmy(day, dmy);
    vax_local_hhmm(t, hhmm);
    snprintf(out, 20, "%s %s", hhmm, dmy);
}

static void hold_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    stock *s = ctx;
    vax_lot_hold *h = &s->holds[index];
    char line[300], when[20], t[16];
    (void)sel;
    when_text(h->since, when);
    vax_temp_format(h->tenths, t, sizeof t);
    snprintf(line, sizeof line, _("%-4s lot %-12s %5d doses  %s read %s °C at %s"), h->product,
             h->lot_no, h->doses_on_hand, h->fridge, t, when);
    ui_put(w, y, x, line, width);
}

static void draw_cold(ui_app *app, stock *s, WINDOW *w, int rows, int cols)
{
    char line[300], when[20], t[16];
    int y = 0;
    due_line(s, line, sizeof line);
    if (line[0]) {
        ui_role_on(w, line[0] == '!' ? ROLE_ERROR : ROLE_WARNING);
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, line[0] == '!' ? ROLE_ERROR : ROLE_WARNING);
    }
    wattron(w, A_BOLD);
    ui_put(w, y++, 1, _("Fridge     Last reading          Lots  On hold  Next reading"), cols - 2);
    wattroff(w, A_BOLD);
    if (s->nfridges == 0) {
        ui_role_on(w, ROLE_DIM);
        ui_put(w, y++, 1, _("No fridge registered: vaxsite fridge add CODE --name NAME."),
               cols - 2);
        ui_role_off(w, ROLE_DIM);
    }
    for (int i = 0; i < s->nfridges && y < rows / 2; i++) {
        vax_fridge *f = &s->fridges[i];
        char last[48] = "-", next[80] = "";
        ui_role r = ROLE_NORMAL;
        if (f->has_reading) {
            vax_temp_format(f->last_tenths, t, sizeof t);
            when_text(f->last_at, when);
            snprintf(last, sizeof last, "%s °C %s", t, when);
            if (vax_temp_state_of(f->last_tenths) != VAX_TEMP_OK)
                r = ROLE_ERROR;
        }
        if (f->due != VAX_TEMP_DUE_NONE) {
            char hhmm[6];
            vax_local_hhmm(f->due_at, hhmm);
            snprintf(next, sizeof next,
                     f->due == VAX_TEMP_DUE_LATE ? _("! late since %s") : _("due by %s"), hhmm);
            if (f->due == VAX_TEMP_DUE_LATE)
                r = ROLE_ERROR;
        }
        snprintf(line, sizeof line, "%-10s %-21s %4d  %7d  %s", f->code, last, f->lots_stored,
                 f->lots_on_hold, next);
        ui_role_on(w, r);
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, r);
    }
    /* today's readings, the latest few */
    mvwhline(w, y, 0, ACS_HLINE, cols);
    ui_role_on(w, ROLE_TITLE);
    ui_put(w, y++, 2, _(" Today's readings "), cols - 4);
    ui_role_off(w, ROLE_TITLE);
    int room = (rows - y) / 2 - 1;
    if (room < 1)
        room = 1;
    for (int i = s->ntemps > room ? s->ntemps - room : 0; i < s->ntemps; i++) {
        vax_temp_reading *r = &s->temps[i];
        char hhmm[6];
        vax_local_hhmm(r->at, hhmm);
        vax_temp_format(r->tenths, t, sizeof t);
        snprintf(line, sizeof line, "%s  %-10s %6s °C  %s  %s", hhmm, r->fridge, t,
                 r->state == VAX_TEMP_FREEZE         ? _("✗ FREEZE")
                 : r->state == VAX_TEMP_OUT_OF_RANGE ? _("✗ outside 2-8 °C")
                                                     : _("ok"),
                 r->by);
        ui_role_on(w, r->state != VAX_TEMP_OK ? ROLE_ERROR : ROLE_NORMAL);
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, r->state != VAX_TEMP_OK ? ROLE_ERROR : ROLE_NORMAL);
    }
    if (s->ntemps == 0) {
        ui_role_on(w, ROLE_DIM);
        snprintf(line, sizeof line, _("No reading yet today. %s logs one."),
                 ui_act_key(app, ACT_LOG_TEMP));
        ui_put(w, y++, 1, line, cols - 2);
        ui_role_off(w, ROLE_DIM);
    }
    mvwhline(w, y, 0, ACS_HLINE, cols);
    ui_role_on(w, ROLE_TITLE);
    snprintf(line, sizeof line, _(" Check before use: a manager decides (%s) "),
             ui_act_key(app, ACT_DECIDE_HOLD));
    ui_put(w, y++, 2, line, cols - 4);
    ui_role_off(w, ROLE_TITLE);
    if (s->nholds == 0) {
        ui_role_on(w, ROLE_DIM);
        ui_put(w, y, 1, _("No lot on hold."), cols - 2);
        ui_role_off(w, ROLE_DIM);
        return;
    }
    s->hold_rows = rows - y > 1 ? rows - y : 1;
    ui_role_on(w, ROLE_ERROR);
    ui_list_draw(w, y, 1, cols - 2, s->hold_rows, &s->hold_list, hold_row, s);
    ui_role_off(w, ROLE_ERROR);
}

static void log_temp(ui_app *app, stock *s)
{
    const char *items[9];
    char text[9][120], buf[32], t[16];
    int n = s->nfridges < 9 ? s->nfridges : 9, k = 0, tenths, held = 0;
    if (n == 0) {
        ui_message(app, MSG_ERROR, "%s",
                   _("No fridge registered: vaxsite fridge add CODE --name NAME."));
        return;
    }
    for (int i = 0; i < n; i++) {
        snprintf(text[i], sizeof text[i], "%s · %s", s->fridges[i].code, s->fridges[i].name);
        items[i] = text[i];
    }
    if (n > 1 && (k = ui_dialog_pick(app, _("Log a temperature"), _("Which fridge?"), items, NULL,
                                     n, 0)) < 0)
        return;
    buf[0] = 0;
    snprintf(text[0], sizeof text[0], _("%s: degrees C now (e.g. 5.2)"), s->fridges[k].code);
    if (!ui_dialog_ask(app, _("Log a temperature"), text[0], buf, sizeof buf))
        return;
    if (vax_temp_parse(buf, &tenths) != VAX_OK) {
        ui_message(app, MSG_ERROR, _("\"%s\" is not a temperature: write it like 5.2."), buf);
        return;
    }
    if (vax_temp_log(app->db, s->fridges[k].code, tenths, &held) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    /* committed: only now does the screen say so */
    vax_temp_format(tenths, t, sizeof t);
    if (vax_temp_state_of(tenths) == VAX_TEMP_OK)
        ui_message(app, MSG_OK, _("%s: %s °C logged."), s->fridges[k].code, t);
    else
        ui_message(app, MSG_ERROR,
                   _("%s: %s °C is outside 2-8 °C: %d lots on \"check before use\" until a manager "
                     "decides."),
                   s->fridges[k].code, t, held);
}

static void decide_hold(ui_app *app, stock *s)
{
    static const char *items[2];
    char prompt[300], note[200] = "", t[16];
    if (s->nholds == 0) {
        ui_message(app, MSG_ERROR, "%s", _("No lot on hold."));
        return;
    }
    if (!vax_role_may(app->staff.role, VAX_ACT_SETTINGS)) {
        ui_message(app, MSG_ERROR, "%s", _("Only a manager decides on a held lot."));
        return;
    }
    vax_lot_hold h = s->holds[s->hold_list.selected];
    items[0] = _("Use: the vaccine was checked and may be used");
    items[1] = _("Discard: write off its unopened vials (cold chain)");
    vax_temp_format(h.tenths, t, sizeof t);
    snprintf(prompt, sizeof prompt, _("Lot %s of %s (%s read %s °C): use or discard?"), h.lot_no,
             h.product, h.fridge, t);
    int k = ui_dialog_pick(app, _("Check before use"), prompt, items, NULL, 2, 0);
    if (k < 0)
        return;
    if (!ui_dialog_ask(app, _("Check before use"), _("What was checked, or why (kept):"), note,
                       sizeof note))
        return;
    if (vax_lot_hold_decide(app->db, h.lot_id, k == 0, note) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    if (k == 0)
        ui_message(app, MSG_OK, _("Lot %s may be used again."), h.lot_no);
    else
        ui_message(app, MSG_OK, _("Lot %s discarded: its unopened vials are written off."),
                   h.lot_no);
}

/* ---- vaccine to be used fast ------------------------------------------------------------- */

static void fast_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    stock *s = ctx;
    vax_use_fast *u = &s->fast[index];
    char line[300], dmy[11];
    (void)sel;
    vax_date_dmy(u->expiry, dmy);
    snprintf(line, sizeof line, "%-4s %-12s %s %6d %4d %6d %4d.%d  ", u->product, u->lot_no, dmy,
             u->doses_on_hand, u->days_left, u->needed_per_day, u->pace_tenths / 10,
             u->pace_tenths % 10);
    int used = ui_put(w, y, x, line, width);
    if (u->at_risk) {
        char risk[80];
        snprintf(risk, sizeof risk, _("✗ at risk: %d"), u->doses_at_risk);
        ui_role_on(w, ROLE_ERROR);
        ui_put(w, y, x + used, risk, width - used);
        ui_role_off(w, ROLE_ERROR);
    }
}

static void draw_fast(ui_app *app, stock *s, WINDOW *w, int rows, int cols)
{
    char line[300];
    int y = 0, risk = 0, doses = 0;
    (void)app;
    for (int i = 0; i < s->nfast; i++)
        if (s->fast[i].at_risk) {
            risk++;
            doses += s->fast[i].doses_at_risk;
        }
    if (risk)
        snprintf(line, sizeof line,
                 _("! %d lots at risk: %d doses would be left on their expiry day at the pace of "
                   "the last 7 days."),
                 risk, doses);
    else
        snprintf(line, sizeof line, "%s",
                 _("No lot at risk at the pace of the last 7 days (doses a day per product)."));
    ui_role_on(w, risk ? ROLE_ERROR : ROLE_OK);
    y += ui_put_wrapped(w, y, 1, cols - 2, 2, line);
    ui_role_off(w, risk ? ROLE_ERROR : ROLE_OK);
    wattron(w, A_BOLD);
    ui_put(w, y++, 1, _("Prod Lot          Expiry       Doses Days Need/d Pace/d"), cols - 2);
    wattroff(w, A_BOLD);
    if (s->nfast == 0) {
        ui_role_on(w, ROLE_DIM);
        ui_put(w, y, 1, _("No lot in date with doses on hand."), cols - 2);
        ui_role_off(w, ROLE_DIM);
        return;
    }
    s->fast_rows = rows - y > 1 ? rows - y : 1;
    ui_list_draw(w, y, 1, cols - 2, s->fast_rows, &s->fast_list, fast_row, s);
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
    if (s->mode == MODE_COLD)
        draw_cold(app, s, w, rows, cols);
    else if (s->mode == MODE_FAST)
        draw_fast(app, s, w, rows, cols);
    else
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

static void act_cold(ui_app *app)
{
    store(app)->mode = MODE_COLD;
    app->msg[0] = 0;
    load(app, store(app));
}

static void act_fast(ui_app *app)
{
    store(app)->mode = MODE_FAST;
    app->msg[0] = 0;
    load(app, store(app));
}

static void act_back(ui_app *app)
{
    store(app)->mode = MODE_VIEW;
    app->msg[0] = 0;
}

static void act_log_temp(ui_app *app)
{
    log_temp(app, store(app));
}

static void act_decide(ui_app *app)
{
    decide_hold(app, store(app));
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

enum { VIEW = 1, FORM = 2, COLD = 4, FAST = 8 };

static unsigned mode(ui_app *app)
{
    switch (store(app)->mode) {
    case MODE_RECEIVE:
        return FORM;
    case MODE_COLD:
        return COLD;
    case MODE_FAST:
        return FAST;
    default:
        return VIEW;
    }
}

static const ui_keyrow rows[] = {
    {UI_KEY_F2, NULL, ACT_RECEIVE_LOT, N_("Receive lot"), N_("records a lot received"), VIEW, 80,
     act_receive},
    {UI_KEY_F5, NULL, ACT_SAVE, N_("Save"), N_("saves the form"), FORM, 90, act_save},
    {UI_KEY_TAB, NULL, ACT_NEXT_FIELD, N_("Next field"), N_("the next field of the form"), FORM, 50,
     act_next_field},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Cancel"), N_("leaves the form without saving"), FORM, 60,
     act_cancel},
    {UI_KEY_F6, NULL, ACT_VIEW_COLD_CHAIN, N_("Cold chain"),
     N_("fridges, temperature readings due, today's log and lots on hold"), VIEW | FAST, 70,
     act_cold},
    {UI_KEY_F7, NULL, ACT_VIEW_USE_FAST, N_("Use fast"),
     N_("doses on hand by expiry, doses a day needed, lots at risk"), VIEW | COLD, 65, act_fast},
    {UI_KEY_F2, NULL, ACT_LOG_TEMP, N_("Log temperature"), N_("logs a fridge's temperature now"),
     COLD, 80, act_log_temp},
    {UI_KEY_ENTER, NULL, ACT_DECIDE_HOLD, N_("Decide"),
     N_("a manager's decision on the selected held lot: use or discard"), COLD, 75, act_decide},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Back"), N_("back to the lots"), COLD | FAST, 60, act_back},
};
static const char *const mode_names[] = {"view", "form", "cold", "fast"};
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
    if (s->mode == MODE_COLD)
        return ui_list_key(&s->hold_list, k, s->hold_rows);
    if (s->mode == MODE_FAST)
        return ui_list_key(&s->fast_list, k, s->fast_rows);
    return ui_list_key(&s->list, k, s->list_rows);
}

static void load_screen(ui_app *app)
{
    if (store(app)->mode != MODE_RECEIVE)
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
