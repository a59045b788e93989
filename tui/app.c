/* app.c: the ncurses application: start-up, colour roles, the layout, the one event loop. */
#include "ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- colour roles ------------------------------------------------------------------------ */

static int colors_on;

int ui_colors_on(void)
{
    return colors_on;
}

static const struct {
    short fg, bg;
    attr_t attr; /* with colour */
    attr_t mono; /* without colour (NO_COLOR, monochrome terminals) */
} roles[ROLE_COUNT] = {
    [ROLE_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
    [ROLE_TITLE] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [ROLE_KEYBAR] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_NORMAL},
    [ROLE_KEY] = {COLOR_WHITE, COLOR_BLACK, A_BOLD, A_REVERSE},
    [ROLE_SELECTED] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE},
    [ROLE_FIELD] = {-1, -1, A_UNDERLINE, A_UNDERLINE},
    [ROLE_FIELD_FOCUS] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE},
    [ROLE_OK] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [ROLE_WARNING] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [ROLE_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [ROLE_DIM] = {-1, -1, A_DIM, A_DIM},
    [ROLE_URGENT] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
    [ROLE_TICKET] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [ROLE_QR] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_NORMAL},
};

static void roles_init(int use_color)
{
    colors_on = use_color && has_colors();
    if (!colors_on)
        return;
    start_color();
    use_default_colors();
    for (int r = 1; r < ROLE_COUNT; r++)
        init_pair((short)r, roles[r].fg, roles[r].bg);
}

void ui_role_on(WINDOW *w, ui_role r)
{
    if (colors_on)
        wattron(w, COLOR_PAIR(r) | roles[r].attr);
    else
        wattron(w, roles[r].mono);
}

void ui_role_off(WINDOW *w, ui_role r)
{
    if (colors_on)
        wattroff(w, COLOR_PAIR(r) | roles[r].attr);
    else
        wattroff(w, roles[r].mono);
}

/* ---- messages ---------------------------------------------------------------------------- */

void ui_message(ui_app *app, ui_msg_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->msg, sizeof app->msg, fmt, ap);
    va_end(ap);
    app->msg_kind = kind;
    app->dirty = 1;
}

void ui_set_screen(ui_app *app, ui_screen *screen)
{
    app->screen = screen;
    app->dirty = 1;
}

/* ---- layout ------------------------------------------------------------------------------ */

/* Station first: a nurse glancing up must see where she is; a demo site says so next, in the
 * urgent colour, so that nobody vaccinates real people into it; the site name gives way when
 * short (ending with "…"). */
static void draw_title(ui_app *app)
{
    char station[256], site[300], right[512], hhmm[6];
    const char *demo = app->site.is_demo ? _("DEMO – not valid") : NULL;
    vax_local_hhmm(vax_now(), hhmm);
    snprintf(station, sizeof station, " %s · ", app->station_label);
    snprintf(site, sizeof site, "%s%s", demo ? " · " : "", app->site.name);
    int lw = ui_width(station) + (demo ? ui_width(demo) : 0) + ui_width(site);
    if (app->staff.id)
        snprintf(right, sizeof right, " %s (%s) · %s ", app->staff.name,
                 vax_role_label(app->staff.role), hhmm);
    else
        snprintf(right, sizeof right, " %s ", hhmm);
    if (lw + ui_width(right) > app->cols && app->staff.id)
        snprintf(right, sizeof right, " %s · %s ", app->staff.name, hhmm);
    ui_role_on(stdscr, ROLE_TITLE);
    mvhline(0, 0, ' ', app->cols);
    int rw = ui_width(right), x = 0, room = app->cols - rw;
    x += ui_put_fit(stdscr, 0, x, station, room - x);
    ui_role_off(stdscr, ROLE_TITLE);
    if (demo && x < room) {
        ui_role_on(stdscr, ROLE_URGENT);
        x += ui_put_fit(stdscr, 0, x, demo, room - x);
        ui_role_off(stdscr, ROLE_URGENT);
    }
    ui_role_on(stdscr, ROLE_TITLE);
    if (x < room - 1)
        ui_put_fit(stdscr, 0, x, site, room - x - 1);
    ui_put(stdscr, 0, app->cols - rw, right, rw);
    ui_role_off(stdscr, ROLE_TITLE);
}

static int keybar_entry_width(const ui_keyrow *r)
{
    return ui_width(ui_keyrow_key(r)) + ui_width(_(r->label)) + 2;
}

#define KEYBAR_MAX 32

/* The rows of the screen's table (in its mode), then the common ones, that go on the bar. */
static int keybar_rows(ui_app *app, const ui_keyrow **rows)
{
    const ui_keytable *tables[] = {app->screen ? app->screen->keys : NULL, &ui_keys_common};
    unsigned mode = ui_screen_mode(app);
    int n = 0;
    for (int t = 0; t < 2; t++)
        for (int i = 0; tables[t] && i < tables[t]->n && n < KEYBAR_MAX; i++) {
            const ui_keyrow *r = &tables[t]->rows[i];
            if (r->bar == UI_BAR_NEVER || (r->modes && !(r->modes & (t ? 0u : mode))) ||
                (r->act == ACT_STATION && !app->in_station))
                continue;
            rows[n++] = r;
        }
    return n;
}

/* The key bar, from the screen's key table: when the rows do not all fit, the one with the lowest
 * priority gives way first (the later of equals), so that F1, F9 and F10 always show and F1 lists
 * what is left out. */
static void draw_keybar(ui_app *app)
{
    int x = 0, y = app->rows - 1, total = 0;
    const ui_keyrow *rows[KEYBAR_MAX];
    int shown[KEYBAR_MAX];
    move(y, 0);
    clrtoeol();
    ui_role_on(stdscr, ROLE_KEYBAR);
    mvhline(y, 0, ' ', app->cols);
    ui_role_off(stdscr, ROLE_KEYBAR);
    if (!app->screen)
        return;
    int n = keybar_rows(app, rows);
    for (int i = 0; i < n; i++) {
        shown[i] = 1;
        total += keybar_entry_width(rows[i]);
    }
    while (total > app->cols) {
        int drop = -1;
        for (int i = 0; i < n; i++)
            if (shown[i] && rows[i]->bar < UI_BAR_ALWAYS &&
                (drop < 0 || rows[i]->bar <= rows[drop]->bar))
                drop = i;
        if (drop < 0)
            break;
        shown[drop] = 0;
        total -= keybar_entry_width(rows[drop]);
    }
    for (int i = 0; i < n && x < app->cols; i++) {
        if (!shown[i])
            continue;
        if (x + keybar_entry_width(rows[i]) > app->cols)
            break;
        ui_role_on(stdscr, ROLE_KEY);
        x += ui_put(stdscr, y, x, ui_keyrow_key(rows[i]), app->cols - x);
        ui_role_off(stdscr, ROLE_KEY);
        ui_role_on(stdscr, ROLE_KEYBAR);
        x += ui_put(stdscr, y, x, " ", app->cols - x);
        x += ui_put(stdscr, y, x, _(rows[i]->label), app->cols - x);
        x += ui_put(stdscr, y, x, " ", app->cols - x);
        ui_role_off(stdscr, ROLE_KEYBAR);
    }
}

static void draw_message(ui_app *app)
{
    int y = app->rows - 2;
    ui_role r = app->msg_kind == MSG_ERROR ? ROLE_ERROR
                : app->msg_kind == MSG_OK  ? ROLE_OK
                                           : ROLE_NORMAL;
    char line[600];
    move(y, 0);
    clrtoeol();
    if (!app->msg[0])
        return;
    /* a symbol with the colour, so the meaning survives without colour */
    snprintf(line, sizeof line, "%s %s",
             app->msg_kind == MSG_ERROR ? "✗"
             : app->msg_kind == MSG_OK  ? "✓"
                                        : "·",
             app->msg);
    ui_role_on(stdscr, r);
    ui_put_fit(stdscr, y, 0, line, app->cols);
    ui_role_off(stdscr, r);
}

void ui_redraw(ui_app *app)
{
    getmaxyx(stdscr, app->rows, app->cols);
    app->too_small = app->rows < UI_MIN_ROWS || app->cols < UI_MIN_COLS;
    erase();
    if (app->too_small) {
        char need[128];
        snprintf(need, sizeof need, _("terminal too small (needs %dx%d)"), UI_MIN_COLS,
                 UI_MIN_ROWS);
        ui_role_on(stdscr, ROLE_WARNING);
        /* the message wraps onto as many lines as the terminal has */
        int w = ui_width(need), y = 0;
        for (int off = 0; off < w && y < app->rows; y++) {
            ui_put(stdscr, y, 0, need + off, app->cols);
            off += app->cols > 0 ? app->cols : w;
            if (off >= (int)strlen(need))
                break;
        }
        ui_role_off(stdscr, ROLE_WARNING);
        curs_set(0);
        refresh();
        app->dirty = 0;
        return;
    }
    draw_title(app);
    app->show_cursor = 0;
    if (app->screen) {
        WINDOW *body = derwin(stdscr, app->rows - 3, app->cols, 1, 0);
        if (body) {
            app->screen->draw(app, body, app->rows - 3, app->cols);
            delwin(body);
        }
    }
    draw_message(app);
    draw_keybar(app);
    if (app->show_cursor)
        move(app->cursor_y, app->cursor_x);
    curs_set(app->show_cursor ? 1 : 0);
    refresh();
    app->dirty = 0;
}

void ui_cursor_here(ui_app *app, WINDOW *w)
{
    int by, bx, cy, cx;
    getbegyx(w, by, bx);
    getyx(w, cy, cx);
    app->cursor_y = by + cy;
    app->cursor_x = bx + cx;
    app->show_cursor = 1;
}

/* How often another station's commit is looked for (PRAGMA data_version: no read of the data). */
#define WATCH_MS 500

/* Reads again what the screen shows (after a key, another station's commit, the clock's minute,
 * a tick). */
static void screen_load(ui_app *app)
{
    ui_desks_load(app);
    if (app->screen && app->screen->load)
        app->screen->load(app);
    app->dirty = 1;
}

/* Starts ncurses the same way for the stations and the board; 1 if colours are on. Signal
 * handlers only set a flag (term.c). */
int ui_curses_start(void)
{
    const char *nc = getenv("NO_COLOR");
    ui_term_signals();
    set_escdelay(25);
    if (ui_screentest_on())
        ui_screentest_start();
    else
        initscr();
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    int use_color = !(nc && *nc);
    roles_init(use_color);
    return use_color;
}

static int leave_anyway(ui_app *app, int quit);

/* The event loop of one signed-in session; returns 1 to sign in again, 0 to quit. It wakes for a
 * key, for another station's commit, for the clock's minute (the title's clock, a vial's minutes)
 * and for the screen's tick (a countdown in seconds); the screen loads then and only then. */
int ui_modal_turn(ui_app *app)
{
    if (app->dirty)
        ui_redraw(app);
    timeout(60000);
    ui_key k = ui_read_key();
    if (ui_got_sigterm)
        return 1;
    if (k.code == UI_KEY_NONE || k.code == UI_KEY_RESIZE) {
        app->dirty = 1;
        return 0;
    }
    if (app->too_small && k.code != UI_KEY_F10 && k.code != UI_KEY_CTRL_C)
        return 0;
    app->leave = 0;
    if (!ui_keys_dispatch(app, k))
        app->screen->key(app, k);
    app->dirty = 1;
    return app->leave == 2 ? 2 : 0;
}

static int session_loop(ui_app *app)
{
    int64_t seen = 0, now_version = 0, minute = vax_now() / 60;
    app->running = 1;
    app->in_station = 1;
    vax_db_data_version(app->db, &seen);
    screen_load(app);
    while (app->running) {
        if (app->dirty)
            ui_redraw(app);
        int wait = WATCH_MS;
        if (app->screen && app->screen->tick_ms > 0 && app->screen->tick_ms < wait)
            wait = app->screen->tick_ms;
        timeout(wait);
        ui_key k = ui_read_key();
        if (k.code == UI_KEY_NONE) {
            int changed = vax_now() / 60 != minute;
            minute = vax_now() / 60;
            if (vax_db_data_version(app->db, &now_version) == VAX_OK && now_version != seen) {
                seen = now_version;
                changed = 1;
            }
            if (app->screen && app->screen->tick_ms > 0) {
                screen_load(app);
                if (app->screen->tick)
                    app->screen->tick(app);
            } else if (changed) {
                screen_load(app);
            }
            continue;
        }
        if (k.code == UI_KEY_RESIZE) {
            app->dirty = 1;
            continue;
        }
        if (app->too_small) {
            if (k.code == UI_KEY_F10 || k.code == UI_KEY_CTRL_C)
                return 0;
            continue;
        }
        app->leave = 0;
        if (!ui_keys_dispatch(app, k) && app->screen)
            app->screen->key(app, k);
        if (app->leave && !leave_anyway(app, app->leave == 2))
            app->leave = 0;
        if (app->leave)
            return app->leave == 1;
        screen_load(app);
    }
    return 0;
}

/* F9, F10 and Ctrl-C leave the station at once unless it would leave something behind; then they
 * ask, and only the letter the dialog names leaves: Enter, Esc, F10 or Ctrl-C pressed again out
 * of habit keep what is there. */
static int leave_anyway(ui_app *app, int quit)
{
    char what[256];
    if (!app->screen || !app->screen->unsaved || !app->screen->unsaved(app, what, sizeof what))
        return 1;
    const char *lines[] = {what};
    if (quit)
        return ui_dialog_confirm_key(app, _("Quit?"), lines, 1, _("Quit anyway?"), _("Quit"));
    return ui_dialog_confirm_key(app, _("Change station?"), lines, 1,
                                 _("Leave this station anyway?"), _("Leave"));
}

/* The program ends without the user (terminal gone, a signal): the station records what it must,
 * the session's end is audited with the reason, the database is closed. */
static void session_end(void *ctx, ui_end_reason why)
{
    ui_app *app = ctx;
    char details[400], left[256] = "";
    if (app->screen && app->screen->end)
        app->screen->end(app, ui_end_reason_code(why));
    /* what the desk leaves behind (a person called, a form not saved) goes into the audit row, so
     * that whoever opens the desk again, or the site manager, can see it */
    if (app->screen && app->screen->unsaved && app->screen->unsaved(app, left, sizeof left))
        snprintf(details, sizeof details, "ended: %s; left: %s", ui_end_reason_code(why), left);
    else
        snprintf(details, sizeof details, "ended: %s", ui_end_reason_code(why));
    vax_staff_sign_out_because(app->db, details);
    vax_close(app->db);
    app->db = NULL;
}

int ui_app_run(vax_db *db)
{
    ui_app app;
    int again = 1;
    memset(&app, 0, sizeof app);
    app.db = db;
    if (vax_site_get(db, &app.site) != VAX_OK)
        snprintf(app.site.name, sizeof app.site.name, "%s", _("(no site)"));
    ui_desks_load(&app);
    app.use_color = ui_curses_start();
    ui_term_on_end(session_end, &app);
    /* a database with no site (or no staff) opens on the manager's set-up, then the sign-in */
    if (ui_firstrun_needed(&app) && !ui_firstrun_run(&app))
        again = 0;
    for (int switching = 0; again; switching = 1) {
        app.screen = NULL;
        if (switching) /* the set-up's last word ("sign in as ...") stays on the sign-in */
            app.msg[0] = 0;
        if (!ui_signin_run(&app, switching))
            break;
        const ui_station *station = ui_station_find(app.station);
        ui_screen *s = station ? station->create(&app) : NULL;
        if (!s) {
            endwin();
            return VAX_ENOMEM;
        }
        ui_set_screen(&app, s);
        again = session_loop(&app);
        app.in_station = 0;
        station->destroy(s);
    }
    ui_term_pending(); /* the sign-in or a station left on a signal: end with its status */
    ui_term_on_end(NULL, NULL);
    vax_staff_sign_out(db); /* the audit shows when the session ended */
    endwin();
    return VAX_OK;
}
