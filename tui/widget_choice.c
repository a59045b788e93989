/* widget_choice.c: modal one-key choices and confirmations over the current screen. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

/* Wide enough for the title, the text and the key hint at the bottom (a translation may be
 * longer than the English), and never narrower than 40 columns. */
static int dialog_width(const char *title, const char *text, const char *footer)
{
    int w = 40;
    if (title && ui_width(title) + 6 > w)
        w = ui_width(title) + 6;
    if (text && ui_width(text) + 6 > w)
        w = ui_width(text) + 6;
    if (ui_width(footer) + 6 > w)
        w = ui_width(footer) + 6;
    return w;
}

int ui_dialog_pick(ui_app *app, const char *title, const char *prompt, const char *const *items,
                   const char *hotkeys, int n, int selected)
{
    if (n <= 0)
        return -1;
    if (selected < 0 || selected >= n)
        selected = 0;
    const char *footer = _("Key or Enter: choose   Esc: cancel");
    for (;;) {
        int width = dialog_width(title, prompt, footer);
        for (int i = 0; i < n; i++)
            if (ui_width(items[i]) + 10 > width)
                width = ui_width(items[i]) + 10;
        WINDOW *w = ui_dialog_box(app, n + 6, width, title);
        if (w) {
            int rows, cols;
            getmaxyx(w, rows, cols);
            ui_put(w, 1, 2, prompt, cols - 4);
            for (int i = 0; i < n && 3 + i < rows - 2; i++) {
                char key[16];
                if (hotkeys)
                    snprintf(key, sizeof key, "%c ", hotkeys[i]);
                else
                    snprintf(key, sizeof key, "%d ", i + 1);
                if (i == selected)
                    ui_role_on(w, ROLE_SELECTED);
                ui_put_pad(w, 3 + i, 2, "", cols - 4);
                ui_role_on(w, ROLE_KEY);
                ui_put(w, 3 + i, 3, key, 3);
                ui_role_off(w, ROLE_KEY);
                if (i == selected)
                    ui_role_on(w, ROLE_SELECTED);
                ui_put(w, 3 + i, 6, items[i], cols - 8);
                if (i == selected)
                    ui_role_off(w, ROLE_SELECTED);
            }
            ui_role_on(w, ROLE_DIM);
            ui_put(w, rows - 2, 2, footer, cols - 4);
            ui_role_off(w, ROLE_DIM);
            curs_set(0);
            wrefresh(w);
            delwin(w);
        }
        timeout(-1);
        ui_key k = ui_read_key();
        if (ui_got_sigterm || ui_key_cancels(k))
            return -1;
        if (k.code == UI_KEY_ENTER)
            return selected;
        if (k.code == UI_KEY_UP && selected > 0)
            selected--;
        else if (k.code == UI_KEY_DOWN && selected < n - 1)
            selected++;
        else if (k.code == UI_KEY_CHAR) {
            for (int i = 0; i < n; i++) {
                wint_t c = hotkeys ? (wint_t)(unsigned char)hotkeys[i] : (wint_t)('1' + i);
                if (i < 9 && towlower(k.ch) == towlower(c))
                    return i;
            }
        }
    }
}

/* The lines as one text for the scrolled box: each line wraps on its own, none is cut. */
static char *join_lines(const char *const *lines, int n)
{
    size_t size = 1;
    for (int i = 0; i < n; i++)
        size += strlen(lines[i]) + 1;
    char *text = malloc(size);
    if (!text)
        return NULL;
    text[0] = 0;
    for (int i = 0; i < n; i++) {
        strcat(text, lines[i]);
        if (i + 1 < n)
            strcat(text, "\n");
    }
    return text;
}

int ui_dialog_confirm_lines(ui_app *app, const char *title, const char *const *lines, int n,
                            const char *question)
{
    char *text = join_lines(lines, n);
    int top = 0, yes = 0;
    if (!text)
        return 0;
    for (;;) {
        ui_key k = ui_dialog_scroll(app, title, text, ROLE_NORMAL, question,
                                    _("Enter: yes   Esc: no"), &top);
        if (ui_got_sigterm || ui_key_cancels(k))
            break;
        if (k.code == UI_KEY_ENTER) {
            yes = 1;
            break;
        }
    }
    free(text);
    return yes;
}

/* For what cannot be undone: Enter alone, pressed out of habit, must not do it; only the key
 * the footer names (the first letter of `word`, in the UI language) does. */
int ui_dialog_confirm_key(ui_app *app, const char *title, const char *const *lines, int n,
                          const char *question, const char *word)
{
    char *text = join_lines(lines, n), footer[200];
    wchar_t letter = 0;
    int top = 0, yes = 0;
    if (!text)
        return 0;
    mbtowc(&letter, word, strlen(word));
    snprintf(footer, sizeof footer, _("%lc: %s   Esc: go back"), (wint_t)towupper((wint_t)letter),
             word);
    for (;;) {
        ui_key k = ui_dialog_scroll(app, title, text, ROLE_NORMAL, question, footer, &top);
        if (ui_got_sigterm || ui_key_cancels(k))
            break;
        if (k.code == UI_KEY_CHAR && towlower(k.ch) == towlower((wint_t)letter)) {
            yes = 1;
            break;
        }
        beep();
    }
    free(text);
    return yes;
}
