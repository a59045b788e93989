/* widget_dialog.c: modal boxes over the current screen: ask for a line, show a ticket, help. */
#include "ui.h"

#include <stdio.h>
#include <string.h>

typedef void (*dialog_body)(WINDOW *w, int rows, int cols, void *ctx);

/* Draws the screen underneath, then a centred box of the given size with a title. Returns the
 * box window (caller deletes it) or NULL if the terminal is too small. */
WINDOW *ui_dialog_box(ui_app *app, int rows, int cols, const char *title)
{
    ui_redraw(app);
    if (app->too_small)
        return NULL;
    if (cols > app->cols - 2)
        cols = app->cols - 2;
    if (rows > app->rows - 2)
        rows = app->rows - 2;
    WINDOW *w = newwin(rows, cols, (app->rows - rows) / 2, (app->cols - cols) / 2);
    if (!w)
        return NULL;
    keypad(w, TRUE);
    werase(w);
    box(w, 0, 0);
    ui_role_on(w, ROLE_TITLE);
    ui_put_center(w, 0, 1, title, cols - 2);
    ui_role_off(w, ROLE_TITLE);
    return w;
}

static int dialog_ask(ui_app *app, const char *title, const char *prompt, char *buf, size_t size,
                      int may_be_empty)
{
    ui_input in;
    ui_input_init(&in, 100);
    ui_input_set(&in, buf);
    for (;;) {
        /* as wide as the prompt wants (up to the screen); a prompt longer still takes two lines */
        int want = ui_width(prompt) + 6 > 70 ? ui_width(prompt) + 6 : 70;
        int two = want > app->cols - 2;
        WINDOW *w = ui_dialog_box(app, 7 + two, want, title);
        if (w) {
            int rows, cols;
            getmaxyx(w, rows, cols);
            int lines = ui_put_wrapped(w, 2 - two, 2, cols - 4, 1 + two, prompt);
            ui_input_draw(w, 2 - two + lines, 2, cols - 4, &in, 1);
            int cy, cx;
            getyx(w, cy, cx);
            ui_role_on(w, ROLE_DIM);
            char keys[128];
            snprintf(keys, sizeof keys, _("Enter: confirm   Esc: cancel"));
            ui_put(w, rows - 2, 2, keys, cols - 4);
            ui_role_off(w, ROLE_DIM);
            wmove(w, cy, cx);
            curs_set(1);
            wrefresh(w);
            delwin(w);
        }
        timeout(-1);
        ui_key k = ui_read_key();
        int used;
        if (ui_got_sigterm || ui_key_cancels(k))
            return 0;
        if (k.code == UI_KEY_ENTER) {
            ui_input_get(&in, buf, size);
            if (buf[0] || may_be_empty)
                return 1;
            beep();
            continue;
        }
        ui_input_key(&in, k, &used);
    }
}

int ui_dialog_ask(ui_app *app, const char *title, const char *prompt, char *buf, size_t size)
{
    return dialog_ask(app, title, prompt, buf, size, 0);
}

int ui_dialog_ask_optional(ui_app *app, const char *title, const char *prompt, char *buf,
                           size_t size)
{
    return dialog_ask(app, title, prompt, buf, size, 1);
}

ui_key ui_dialog_ticket(ui_app *app, const char *title, int ticket, const char *line)
{
    char digits[16];
    snprintf(digits, sizeof digits, "%03d", ticket % 1000);
    for (;;) {
        WINDOW *w = ui_dialog_box(app, UI_BIG_ROWS + 8, 60, title);
        if (w) {
            int rows, cols;
            getmaxyx(w, rows, cols);
            int bw = ui_big_width(digits);
            ui_role_on(w, ROLE_TICKET);
            ui_big_number(w, 2, bw < cols ? (cols - bw) / 2 : 1, digits);
            ui_role_off(w, ROLE_TICKET);
            char text[64];
            snprintf(text, sizeof text, _("Ticket %s"), digits);
            ui_put_center(w, UI_BIG_ROWS + 3, 1, text, cols - 2);
            ui_put_center(w, UI_BIG_ROWS + 4, 1, line, cols - 2);
            ui_role_on(w, ROLE_DIM);
            ui_put_center(w, rows - 2, 1, _("Press any key"), cols - 2);
            ui_role_off(w, ROLE_DIM);
            curs_set(0);
            wrefresh(w);
            delwin(w);
        }
        timeout(-1);
        ui_key k = ui_read_key();
        if (!ui_key_redraws(k) && k.code != UI_KEY_NONE)
            return k;
    }
}

/* Help: every key of the screen's table in its mode, with what it does here, then the common
 * keys; generated from the same table as the key bar and the dispatch. */
static int widest_line(const char *text)
{
    int widest = 0;
    char line[1024];
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line - 1 ? len : sizeof line - 1),
                 p);
        if (ui_width(line) > widest)
            widest = ui_width(line);
        p += len + (p[len] == '\n');
    }
    return widest;
}

/* F1's lines are "key      label: help": a line too long for the box goes on under its words,
 * not under the key, so that the keys stand alone down the left edge. */
static void hang_keys(const char *text, int width, char *out, size_t size)
{
    size_t o = 0;
    out[0] = 0;
    for (const char *p = text; p && *p && o < size;) {
        size_t len = strcspn(p, "\n");
        char key[64];
        size_t kb = strcspn(p, " \n"), spaces = strspn(p + kb, " ");
        snprintf(key, sizeof key, "%.*s", (int)(kb < sizeof key ? kb : sizeof key - 1), p);
        int hang = kb > 0 && ui_width(key) + (int)spaces == 10 && kb + spaces < len ? 10 : 0;
        const char *rest;
        size_t n = ui_wrap_line(p, width, &rest);
        o += (size_t)snprintf(out + o, size - o, "%s%.*s", o ? "\n" : "", (int)n, p);
        while (rest && rest < p + len && o < size) {
            const char *q = rest;
            n = ui_wrap_line(q, width - hang, &rest);
            o += (size_t)snprintf(out + o, size - o, "\n%*s%.*s", hang, "", (int)n, q);
        }
        p += len + (p[len] == '\n');
    }
}

void ui_dialog_help(ui_app *app)
{
    char text[8192], hung[10240];
    ui_keys_help_text(app->screen ? app->screen->keys : NULL, ui_screen_mode(app), app->in_station,
                      text, sizeof text);
    /* the box's inner width as ui_dialog_scroll makes it for the widest line */
    int inner = (widest_line(text) + 6 < app->cols - 2 ? widest_line(text) + 6 : app->cols - 2) - 4;
    hang_keys(text, inner, hung, sizeof hung);
    int top = 0; /* scrolls when taller than the screen; any other key closes */
    ui_dialog_scroll(app, _("Keys"), hung, ROLE_NORMAL, NULL, _("Press any key"), &top);
}

/* A list in a box; `chosen` NULL: pick one; else tick several with Space. */
static int choose(ui_app *app, const char *title, const char *const *items, int n, int *chosen)
{
    int sel = 0, top = 0;
    for (;;) {
        int want = n + 5 < app->rows - 2 ? n + 5 : app->rows - 2;
        WINDOW *w = ui_dialog_box(app, want, 72, title);
        if (w) {
            int rows, cols;
            getmaxyx(w, rows, cols);
            int visible = rows - 4;
            if (sel < top)
                top = sel;
            if (sel >= top + visible)
                top = sel - visible + 1;
            for (int i = 0; i < visible && top + i < n; i++) {
                int k = top + i;
                char line[300];
                if (chosen)
                    snprintf(line, sizeof line, "[%s] %s", chosen[k] ? "x" : " ", items[k]);
                else
                    snprintf(line, sizeof line, "%2d  %s", k + 1, items[k]);
                if (k == sel)
                    ui_role_on(w, ROLE_SELECTED);
                ui_put_pad(w, 2 + i, 2, line, cols - 4);
                if (k == sel)
                    ui_role_off(w, ROLE_SELECTED);
            }
            ui_role_on(w, ROLE_DIM);
            ui_put(w, rows - 2, 2,
                   chosen ? _("Space: tick   Enter: confirm   Esc: cancel")
                          : _("Enter or a number: choose   Esc: cancel"),
                   cols - 4);
            ui_role_off(w, ROLE_DIM);
            curs_set(0);
            wrefresh(w);
            delwin(w);
        }
        timeout(-1);
        ui_key k = ui_read_key();
        if (ui_got_sigterm || ui_key_cancels(k))
            return -1;
        if (k.code == UI_KEY_UP && sel > 0)
            sel--;
        else if (k.code == UI_KEY_DOWN && sel < n - 1)
            sel++;
        else if (k.code == UI_KEY_CHAR && k.ch == L' ' && chosen)
            chosen[sel] = !chosen[sel];
        else if (k.code == UI_KEY_CHAR && !chosen && k.ch >= L'1' && k.ch <= L'9' &&
                 (int)(k.ch - L'1') < n)
            return (int)(k.ch - L'1');
        else if (k.code == UI_KEY_ENTER) {
            if (!chosen)
                return sel;
            for (int i = 0; i < n; i++)
                if (chosen[i])
                    return 1;
            beep();
        }
    }
}

int ui_dialog_choose(ui_app *app, const char *title, const char *const *items, int n)
{
    return choose(app, title, items, n, NULL);
}

int ui_dialog_choose_many(ui_app *app, const char *title, const char *const *items, int n,
                          int *chosen)
{
    return choose(app, title, items, n, chosen) == 1;
}

/* The widest line of text (lines end at '\n'), in columns. */

/* Clinical text must be read whole, so it is never cut: it wraps to the box, which is as wide as
 * the longest line allows on this screen, and scrolls when it is taller than the screen. */
ui_key ui_dialog_scroll(ui_app *app, const char *title, const char *text, ui_role role,
                        const char *question, const char *footer, int *top)
{
    for (;;) {
        int want = widest_line(text) + 6;
        if (question && ui_width(question) + 6 > want)
            want = ui_width(question) + 6;
        if (ui_width(footer) + 6 > want)
            want = ui_width(footer) + 6;
        if (want < 40)
            want = 40;
        int inner = (want < app->cols - 2 ? want : app->cols - 2) - 4;
        int asked = question ? ui_wrap_count(question, inner) : 0;
        int total = ui_wrap_count(text, inner);
        WINDOW *w = ui_dialog_box(app, total + asked + 5 + (asked > 0), want, title);
        int visible = 1;
        if (w) {
            int rows, cols;
            getmaxyx(w, rows, cols);
            inner = cols - 4;
            visible = rows - 5 - asked - (asked > 0);
            if (visible < 1)
                visible = 1;
            if (*top > total - visible)
                *top = total - visible;
            if (*top < 0)
                *top = 0;
            ui_role_on(w, ROLE_DIM);
            if (*top > 0)
                ui_put(w, 1, 2, _("▲ more above (↑, PgUp)"), inner);
            if (*top + visible < total)
                ui_put(w, 2 + visible, 2, _("▼ more below (↓, PgDn)"), inner);
            ui_role_off(w, ROLE_DIM);
            ui_role_on(w, role);
            ui_put_wrapped_from(w, 2, 2, inner, visible, text, *top);
            ui_role_off(w, role);
            if (question) {
                ui_role_on(w, ROLE_WARNING);
                ui_put_wrapped(w, 3 + visible, 2, inner, asked, question);
                ui_role_off(w, ROLE_WARNING);
            }
            ui_role_on(w, ROLE_DIM);
            ui_put_wrapped(w, rows - 2, 2, inner, 1,
                           total > visible ? _("↑↓ PgUp PgDn: scroll") : "");
            ui_role_off(w, ROLE_DIM);
            ui_role_on(w, ROLE_KEY);
            ui_put(w, rows - 2, total > visible ? cols - 2 - ui_width(footer) : 2, footer, inner);
            ui_role_off(w, ROLE_KEY);
            curs_set(0);
            wrefresh(w);
            delwin(w);
        }
        timeout(-1);
        ui_key k = ui_read_key();
        int page = visible > 1 ? visible - 1 : 1;
        if (ui_got_sigterm)
            return k;
        if (k.code == UI_KEY_UP)
            (*top)--;
        else if (k.code == UI_KEY_DOWN)
            (*top)++;
        else if (k.code == UI_KEY_PGUP)
            *top -= page;
        else if (k.code == UI_KEY_PGDN)
            *top += page;
        else if (k.code == UI_KEY_HOME)
            *top = 0;
        else if (k.code == UI_KEY_END)
            *top = total;
        else if (!ui_key_redraws(k) && k.code != UI_KEY_NONE)
            return k;
    }
}

/* Only Enter or Esc closes: a key pressed by mistake must not hide a protocol still being read. */
void ui_dialog_text(ui_app *app, const char *title, const char *text, ui_role role)
{
    int top = 0;
    for (;;) {
        ui_key k = ui_dialog_scroll(app, title, text, role, NULL, _("Enter or Esc: close"), &top);
        if (ui_got_sigterm || k.code == UI_KEY_ENTER || k.code == UI_KEY_ESC)
            return;
    }
}
