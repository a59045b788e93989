/* keymap.c: curses input becomes a neutral key value; the key tables say what a key does at a
 * screen (the key bar, F1 and the dispatch all read them), and the common rows live here. */
#include "ui.h"

#include <stdio.h>
#include <string.h>
#include <wctype.h>

/* The arrows are named by their signs, as the keys show them: a word would be translated with the
 * word's other meanings ("Left" is also what a person who has gone is). */
static const char *const key_names[UI_KEY_COUNT] = {
    [UI_KEY_UP] = "↑",
    [UI_KEY_DOWN] = "↓",
    [UI_KEY_LEFT] = "←",
    [UI_KEY_RIGHT] = "→",
    [UI_KEY_HOME] = N_("Home"),
    [UI_KEY_END] = N_("End"),
    [UI_KEY_PGUP] = N_("PgUp"),
    [UI_KEY_PGDN] = N_("PgDn"),
    [UI_KEY_TAB] = N_("Tab"),
    [UI_KEY_BTAB] = N_("Shift-Tab"),
    [UI_KEY_BACKSPACE] = N_("Backspace"),
    [UI_KEY_DELETE] = N_("Delete"),
    [UI_KEY_ENTER] = N_("Enter"),
    [UI_KEY_ESC] = N_("Esc"),
    [UI_KEY_F1] = "F1",
    [UI_KEY_F2] = "F2",
    [UI_KEY_F3] = "F3",
    [UI_KEY_F4] = "F4",
    [UI_KEY_F5] = "F5",
    [UI_KEY_F6] = "F6",
    [UI_KEY_F7] = "F7",
    [UI_KEY_F8] = "F8",
    [UI_KEY_F9] = "F9",
    [UI_KEY_F10] = "F10",
    [UI_KEY_F11] = "F11",
    [UI_KEY_F12] = "F12",
    [UI_KEY_CTRL_C] = "Ctrl-C",
    [UI_KEY_REPAINT] = "Ctrl-L",
};

const char *ui_key_name(ui_keycode code)
{
    if (code < 0 || code >= UI_KEY_COUNT || !key_names[code])
        return "";
    int sign = code <= UI_KEY_RIGHT || (code >= UI_KEY_F1 && code <= UI_KEY_REPAINT);
    return sign ? key_names[code] : _(key_names[code]);
}

int ui_key_redraws(ui_key k)
{
    return k.code == UI_KEY_RESIZE || k.code == UI_KEY_REPAINT;
}

int ui_key_cancels(ui_key k)
{
    return k.code == UI_KEY_ESC || k.code == UI_KEY_F10 || k.code == UI_KEY_CTRL_C;
}

static ui_keycode function_key(int code)
{
    static const struct {
        int curses;
        ui_keycode key;
    } map[] = {
        {KEY_UP, UI_KEY_UP},         {KEY_DOWN, UI_KEY_DOWN},
        {KEY_LEFT, UI_KEY_LEFT},     {KEY_RIGHT, UI_KEY_RIGHT},
        {KEY_HOME, UI_KEY_HOME},     {KEY_END, UI_KEY_END},
        {KEY_PPAGE, UI_KEY_PGUP},    {KEY_NPAGE, UI_KEY_PGDN},
        {KEY_BTAB, UI_KEY_BTAB},     {KEY_BACKSPACE, UI_KEY_BACKSPACE},
        {KEY_DC, UI_KEY_DELETE},     {KEY_ENTER, UI_KEY_ENTER},
        {KEY_RESIZE, UI_KEY_RESIZE},
    };
    if (code >= KEY_F(1) && code <= KEY_F(12))
        return (ui_keycode)(UI_KEY_F1 + (code - KEY_F(1)));
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].curses == code)
            return map[i].key;
    return UI_KEY_NONE;
}

ui_key ui_read_key(void)
{
    ui_key k = {UI_KEY_NONE, 0};
    wint_t ch;
    int rc = ui_term_get_wch(&ch);
    if (rc == ERR)
        return k;
    if (rc == KEY_CODE_YES) {
        k.code = function_key((int)ch);
        return k;
    }
    switch (ch) {
    case L'\n':
    case L'\r':
        k.code = UI_KEY_ENTER;
        break;
    case L'\t':
        k.code = UI_KEY_TAB;
        break;
    case 27:
        k.code = UI_KEY_ESC;
        break;
    case 127:
    case 8:
        k.code = UI_KEY_BACKSPACE;
        break;
    case 3: /* Ctrl-C: the terminal is in raw mode, so it arrives as a key */
        k.code = UI_KEY_CTRL_C;
        break;
    case 12: /* Ctrl-L: repaint everything, as in every terminal program */
        k.code = UI_KEY_REPAINT;
        clearok(curscr, TRUE);
        break;
    case 4: /* Ctrl-D */
        k.code = UI_KEY_DELETE;
        break;
    default:
        /* Printable characters only: stray control bytes from a confused terminal are dropped. */
        if (iswprint(ch)) {
            k.code = UI_KEY_CHAR;
            k.ch = ch;
        }
        break;
    }
    return k;
}

/* ---- the tables -------------------------------------------------------------------------- */

static void run_help(ui_app *app)
{
    ui_dialog_help(app);
}

static void run_station(ui_app *app)
{
    app->leave = 1;
}

static void run_quit(ui_app *app)
{
    app->leave = 2;
}

static void run_repaint(ui_app *app)
{
    app->dirty = 1;
}

/* F1, F9 and F10 are on every bar, so that help, another station and the way out are always in
 * sight; the app asks before leaving something behind (ui_screen.unsaved). */
static const ui_keyrow common_rows[] = {
    {UI_KEY_F1, NULL, ACT_HELP, N_("Help"), N_("what each key does here"), 0, UI_BAR_ALWAYS,
     run_help},
    {UI_KEY_F9, NULL, ACT_STATION, N_("Station"), N_("change station or sign out"), 0,
     UI_BAR_ALWAYS, run_station},
    {UI_KEY_F10, NULL, ACT_QUIT, N_("Quit"), N_("quit, asking first if work would be left"), 0,
     UI_BAR_ALWAYS, run_quit},
    {UI_KEY_CTRL_C, NULL, ACT_QUIT, N_("Quit"), N_("quit, as F10"), 0, UI_BAR_NEVER, run_quit},
    {UI_KEY_REPAINT, NULL, ACT_REPAINT, N_("Repaint"), N_("repaint the screen"), 0, UI_BAR_NEVER,
     run_repaint},
};
const ui_keytable ui_keys_common = {"common", common_rows,
                                    (int)(sizeof common_rows / sizeof common_rows[0]), NULL, 0};

/* A letter's msgid is "what it does|letter" so that the same letter at two stations can be two
 * letters in another language; what follows the last '|' is the key. */
static const char *letter_of(const ui_keyrow *r)
{
    const char *t = _(r->letter), *bar = strrchr(t, '|');
    return bar ? bar + 1 : t;
}

const char *ui_keyrow_key(const ui_keyrow *r)
{
    if (r->key != UI_KEY_CHAR)
        return ui_key_name(r->key);
    if (r->letter && !strcmp(r->letter, " "))
        return _("Space");
    return r->letter ? letter_of(r) : "";
}

static int applies(const ui_keyrow *r, unsigned mode)
{
    return !r->modes || (r->modes & mode);
}

/* The letter a row shows in this language, as one wide character (0 if none). */
static wint_t row_letter(const ui_keyrow *r)
{
    wchar_t wc = 0;
    const char *l = r->letter ? (strcmp(r->letter, " ") ? letter_of(r) : " ") : "";
    mbstate_t st;
    memset(&st, 0, sizeof st);
    if (!*l || mbrtowc(&wc, l, strlen(l), &st) > 4)
        return 0;
    return (wint_t)wc;
}

const ui_keyrow *ui_keys_find(const ui_keytable *t, unsigned mode, ui_key k)
{
    for (int i = 0; t && i < t->n; i++) {
        const ui_keyrow *r = &t->rows[i];
        if (!applies(r, mode) || r->key != k.code)
            continue;
        if (r->key != UI_KEY_CHAR || towlower(row_letter(r)) == towlower(k.ch))
            return r;
    }
    return NULL;
}

const ui_keyrow *ui_keys_find_act(const ui_keytable *t, unsigned mode, ui_act a)
{
    for (int i = 0; t && i < t->n; i++)
        if (t->rows[i].act == a && applies(&t->rows[i], mode))
            return &t->rows[i];
    return NULL;
}

static size_t help_rows(const ui_keytable *t, unsigned mode, int in_station, char *out, size_t size,
                        size_t o)
{
    for (int i = 0; t && i < t->n && o < size; i++) {
        const ui_keyrow *r = &t->rows[i];
        if (!applies(r, mode) || (r->act == ACT_STATION && !in_station))
            continue;
        /* padded by columns, not bytes: "←" and "đ" take one column and more bytes */
        const char *key = ui_keyrow_key(r);
        int pad = 9 - ui_width(key);
        o += (size_t)snprintf(out + o, size - o, "%s%s%*s %s: %s", o ? "\n" : "", key,
                              pad > 0 ? pad : 0, "", _(r->label), _(r->help));
    }
    return o < size ? o : size - 1;
}

size_t ui_keys_help_text(const ui_keytable *t, unsigned mode, int in_station, char *out,
                         size_t size)
{
    size_t o;
    if (!size)
        return 0;
    out[0] = 0;
    o = help_rows(t, mode, in_station, out, size, 0);
    o = help_rows(&ui_keys_common, 0, in_station, out, size, o);
    if (o < size)
        o += (size_t)snprintf(out + o, size - o, "\n%s",
                              _("Everywhere: arrows, PgUp/PgDn, Home/End move in a list; Tab and "
                                "Shift-Tab between fields; Esc goes back."));
    return o < size ? o : size - 1;
}

void ui_keys_hint(const ui_keytable *t, unsigned mode, char *out, size_t size)
{
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; t && i < t->n && o < size; i++) {
        const ui_keyrow *r = &t->rows[i];
        if (applies(r, mode) && r->key == UI_KEY_CHAR)
            o += (size_t)snprintf(out + o, size - o, "%s%s %s", o ? " · " : "", ui_keyrow_key(r),
                                  _(r->label));
    }
}

unsigned ui_screen_mode(ui_app *app)
{
    return app->screen && app->screen->mode ? app->screen->mode(app) : 0;
}

const char *ui_act_key(ui_app *app, ui_act a)
{
    const ui_keyrow *r =
        ui_keys_find_act(app->screen ? app->screen->keys : NULL, ui_screen_mode(app), a);
    if (!r)
        r = ui_keys_find_act(&ui_keys_common, 0, a);
    return r ? ui_keyrow_key(r) : "";
}

int ui_keys_dispatch(ui_app *app, ui_key k)
{
    const ui_keyrow *r =
        ui_keys_find(app->screen ? app->screen->keys : NULL, ui_screen_mode(app), k);
    if (!r)
        r = ui_keys_find(&ui_keys_common, 0, k);
    if (!r || (r->act == ACT_STATION && !app->in_station))
        return 0;
    r->run(app);
    return 1;
}
