/* dialog_doctor.c: a doctor confirms at someone else's station: login and PIN in a box. */
#include "ui.h"

#include <stdio.h>
#include <string.h>

static void draw_box(ui_app *app, const char *title, const char *line, const char *error,
                     ui_form *f)
{
    WINDOW *w = ui_dialog_box(app, 12, 76, title);
    if (!w)
        return;
    int rows, cols;
    getmaxyx(w, rows, cols);
    int lines = ui_put_wrapped(w, 2, 2, cols - 4, 2, line);
    ui_form_draw(w, 3 + lines, 2, cols - 4, 4, f);
    int cy, cx;
    getyx(w, cy, cx);
    if (error && *error) {
        char text[300];
        snprintf(text, sizeof text, "✗ %s", error);
        ui_role_on(w, ROLE_ERROR);
        ui_put(w, rows - 3, 2, text, cols - 4);
        ui_role_off(w, ROLE_ERROR);
    }
    ui_role_on(w, ROLE_DIM);
    ui_put(w, rows - 2, 2, _("Enter: confirm   Tab: next field   Esc: cancel"), cols - 4);
    ui_role_off(w, ROLE_DIM);
    wmove(w, cy, cx);
    curs_set(1);
    wrefresh(w);
    delwin(w);
}

int ui_dialog_doctor(ui_app *app, const char *title, const char *line, const char *error,
                     char *login, size_t login_size, char *pin, size_t pin_size)
{
    ui_form f;
    int ok = 0;
    ui_form_init(&f);
    ui_form_add(&f, "login", _("Login"), NULL, 60, NULL);
    ui_form_add(&f, "pin", _("PIN"), NULL, 12, NULL)->input.secret = 1;
    /* after a refused PIN the login stays and the PIN is asked again */
    ui_input_set(&f.fields[0].input, login);
    f.focus = login[0] ? 1 : 0;
    for (;;) {
        draw_box(app, title, line, error, &f);
        timeout(-1);
        ui_key k = ui_read_key();
        if (ui_got_sigterm || ui_key_cancels(k))
            break;
        if (k.code == UI_KEY_ENTER) {
            ui_input_get(&f.fields[0].input, login, login_size);
            ui_input_get(&f.fields[1].input, pin, pin_size);
            if (f.focus == 0 || !pin[0]) {
                f.focus = login[0] ? 1 : 0; /* Enter on the login moves on to the PIN */
                continue;
            }
            ok = login[0] != 0;
            if (ok)
                break;
            f.focus = 0;
            continue;
        }
        ui_form_key(&f, k);
    }
    memset(&f, 0, sizeof f); /* no PIN left in memory */
    if (!ok)
        memset(pin, 0, pin_size);
    return ok;
}
