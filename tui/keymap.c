/* keymap.c: keys become actions before any screen sees them; one table holds keys and help. */
#include "ui.h"

#include <wctype.h>

static const struct {
    ui_action action;
    const char *key;
    const char *help;
} keymap[] = {
    {UI_ENTER, N_("Enter"), N_("choose, confirm")},
    {UI_CANCEL, N_("Esc"), N_("back, clear, cancel")},
    {UI_NEXT_FIELD, N_("Tab"), N_("next field")},
    {UI_PREV_FIELD, N_("Shift-Tab"), N_("previous field")},
    {UI_UP, N_("Up/Down"), N_("move in a list")},
    {UI_PGUP, N_("PgUp/PgDn"), N_("page through a list")},
    {UI_LEFT, N_("Left/Right"), N_("previous / next day (reports)")},
    {UI_RESIZE, N_("Ctrl-L"), N_("repaint the screen")},
    {UI_HELP, "F1", N_("this help")},
    {UI_NEW, "F2", N_("register a new person")},
    {UI_URGENT, "F3", N_("mark urgent / not urgent")},
    {UI_UNDO, "F4", N_("undo a check-in made by mistake")},
    {UI_SAVE, "F5", N_("save the form; release from observation")},
    {UI_REACTION, "F6", N_("record a reaction (observation); certificates (check-in)")},
    {UI_BELL, "F7", N_("bell on or off (observation); end of day (injection room)")},
    {UI_BOOK, "F8", N_("book an appointment; book the selected people")},
    {UI_SWITCH, "F9", N_("change station or sign out")},
    {UI_QUIT, "F10", N_("quit")},
};

const char *ui_action_key(ui_action a)
{
    for (size_t i = 0; i < sizeof keymap / sizeof keymap[0]; i++)
        if (keymap[i].action == a)
            return _(keymap[i].key);
    return "";
}

void ui_dialog_help_lines(int *n, ui_action *actions, const char **keys, const char **help, int max)
{
    *n = 0;
    for (size_t i = 0; i < sizeof keymap / sizeof keymap[0] && *n < max; i++) {
        actions[*n] = keymap[i].action;
        keys[*n] = _(keymap[i].key);
        help[*n] = _(keymap[i].help);
        (*n)++;
    }
}

static ui_action function_key(int code)
{
    switch (code) {
    case KEY_UP:
        return UI_UP;
    case KEY_DOWN:
        return UI_DOWN;
    case KEY_LEFT:
        return UI_LEFT;
    case KEY_RIGHT:
        return UI_RIGHT;
    case KEY_HOME:
        return UI_HOME;
    case KEY_END:
        return UI_END;
    case KEY_PPAGE:
        return UI_PGUP;
    case KEY_NPAGE:
        return UI_PGDN;
    case KEY_BTAB:
        return UI_PREV_FIELD;
    case KEY_BACKSPACE:
        return UI_BACKSPACE;
    case KEY_DC:
        return UI_DELETE;
    case KEY_ENTER:
        return UI_ENTER;
    case KEY_RESIZE:
        return UI_RESIZE;
    case KEY_F(1):
        return UI_HELP;
    case KEY_F(2):
        return UI_NEW;
    case KEY_F(3):
        return UI_URGENT;
    case KEY_F(4):
        return UI_UNDO;
    case KEY_F(5):
        return UI_SAVE;
    case KEY_F(6):
        return UI_REACTION;
    case KEY_F(7):
        return UI_BELL;
    case KEY_F(8):
        return UI_BOOK;
    case KEY_F(9):
        return UI_SWITCH;
    case KEY_F(10):
        return UI_QUIT;
    default:
        return UI_NONE;
    }
}

ui_key ui_read_key(void)
{
    ui_key k = {UI_NONE, 0};
    wint_t ch;
    int rc = ui_term_get_wch(&ch);
    if (rc == ERR)
        return k;
    if (rc == KEY_CODE_YES) {
        k.action = function_key((int)ch);
        return k;
    }
    switch (ch) {
    case L'\n':
    case L'\r':
        k.action = UI_ENTER;
        break;
    case L'\t':
        k.action = UI_NEXT_FIELD;
        break;
    case 27:
        k.action = UI_CANCEL;
        break;
    case 127:
    case 8:
        k.action = UI_BACKSPACE;
        break;
    case 3: /* Ctrl-C: the terminal is in raw mode, so it arrives as a key */
        k.action = UI_QUIT;
        break;
    case 12: /* Ctrl-L: repaint everything, as in every terminal program */
        k.action = UI_RESIZE;
        clearok(curscr, TRUE);
        break;
    case 4: /* Ctrl-D */
        k.action = UI_DELETE;
        break;
    default:
        /* Printable characters only: stray control bytes from a confused terminal are dropped. */
        if (iswprint(ch)) {
            k.action = UI_CHAR;
            k.ch = ch;
        }
        break;
    }
    return k;
}
