/* widget_form.c: labelled inputs with a validation message under each, checked field by field. */
#include "ui.h"

#include <stdio.h>
#include <string.h>
#include <wctype.h>
#include <stdlib.h>

void ui_form_init(ui_form *f)
{
    memset(f, 0, sizeof *f);
}

ui_field *ui_form_add(ui_form *f, const char *key, const char *label, const char *hint,
                      int max_chars, ui_field_check check)
{
    if (f->n >= UI_FORM_MAX)
        return NULL;
    ui_field *fl = &f->fields[f->n++];
    memset(fl, 0, sizeof *fl);
    fl->key = key;
    fl->label = label;
    fl->hint = hint;
    fl->check = check;
    ui_input_init(&fl->input, max_chars);
    return fl;
}

ui_field *ui_form_field(ui_form *f, const char *key)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].key, key) == 0)
            return &f->fields[i];
    return NULL;
}

static int check_field(ui_field *fl)
{
    char value[512];
    fl->error[0] = 0;
    if (!fl->check)
        return 1;
    ui_input_get(&fl->input, value, sizeof value);
    return fl->check(value, fl->error, sizeof fl->error) == 0;
}

int ui_form_check_all(ui_form *f)
{
    int first_bad = -1;
    for (int i = 0; i < f->n; i++)
        if (!check_field(&f->fields[i]) && first_bad < 0)
            first_bad = i;
    if (first_bad >= 0)
        f->focus = first_bad;
    return first_bad < 0;
}

void ui_form_show_error(ui_form *f, const char *field, const char *msg)
{
    for (int i = 0; i < f->n; i++) {
        if (field && strcmp(f->fields[i].key, field) == 0) {
            snprintf(f->fields[i].error, sizeof f->fields[i].error, "%s", msg);
            f->focus = i;
            return;
        }
    }
}

static void move_focus(ui_form *f, int to)
{
    if (to < 0 || to >= f->n || to == f->focus)
        return;
    check_field(&f->fields[f->focus]); /* say what is wrong as soon as the field is left */
    f->focus = to;
}

int ui_form_key(ui_form *f, ui_key k)
{
    int used;
    switch (k.code) {
    case UI_KEY_TAB:
    case UI_KEY_DOWN:
        move_focus(f, f->focus + 1);
        return 1;
    case UI_KEY_BTAB:
    case UI_KEY_UP:
        move_focus(f, f->focus - 1);
        return 1;
    default:
        break;
    }
    if (f->n == 0)
        return 0;
    if (ui_input_key(&f->fields[f->focus].input, k, &used)) {
        f->fields[f->focus].error[0] = 0; /* edited: the old message no longer applies */
        f->changed = 1;
    }
    return used;
}

/* Each field takes two lines: "Label  [input]  hint", then its message (if any). */
void ui_form_draw(WINDOW *w, int y, int x, int width, int rows, ui_form *f)
{
    int label_w = 0;
    for (int i = 0; i < f->n; i++) {
        int lw = ui_width(f->fields[i].label);
        if (lw > label_w)
            label_w = lw;
    }
    label_w += 2;
    /* the inputs give way to the widest hint down to 16 columns (a long text scrolls in its
     * input), so that a hint is read whole rather than cut */
    int hint_w = 0;
    for (int i = 0; i < f->n; i++) {
        int hw = f->fields[i].hint ? ui_width(f->fields[i].hint) : 0;
        if (hw > hint_w)
            hint_w = hw;
    }
    int input_w = width - label_w - 2 - (hint_w ? hint_w + 2 : 0);
    if (input_w > 40)
        input_w = 40;
    if (input_w < 16)
        input_w = width - label_w - 2 < 16 ? width - label_w - 2 : 16;
    int cursor_y = -1, cursor_x = 0;
    for (int i = 0; i < f->n && 2 * i < rows; i++) {
        ui_field *fl = &f->fields[i];
        int ly = y + 2 * i;
        int focused = i == f->focus;
        if (focused)
            ui_role_on(w, ROLE_KEY);
        ui_put_pad(w, ly, x, fl->label, label_w);
        if (focused)
            ui_role_off(w, ROLE_KEY);
        ui_input_draw(w, ly, x + label_w, input_w, &fl->input, focused);
        if (focused)
            getyx(w, cursor_y, cursor_x);
        if (fl->hint) {
            ui_role_on(w, ROLE_DIM);
            ui_put_fit(w, ly, x + label_w + input_w + 2, fl->hint, width - label_w - input_w - 2);
            ui_role_off(w, ROLE_DIM);
        }
        if (fl->error[0] && 2 * i + 1 < rows) {
            char line[300];
            snprintf(line, sizeof line, "✗ %s", fl->error);
            ui_role_on(w, ROLE_ERROR);
            ui_put(w, ly + 1, x + label_w, line, width - label_w);
            ui_role_off(w, ROLE_ERROR);
        }
    }
    if (cursor_y >= 0)
        wmove(w, cursor_y, cursor_x);
}

int ui_form_unsaved(const ui_form *f, char *what, size_t size)
{
    if (!f->changed)
        return 0;
    snprintf(what, size, "%s", _("The form has changes that are not saved."));
    return 1;
}

/* Discarding is the one answer that loses work, so it takes its own key (the first letter of the
 * word, in the UI language); Enter, pressed out of habit, keeps the input as Esc does. */
int ui_form_may_discard(ui_app *app, const ui_form *f)
{
    char what[256], footer[200];
    const char *word = _("Discard");
    wchar_t letter = 0;
    int top = 0;
    if (!ui_form_unsaved(f, what, sizeof what))
        return 1;
    mbtowc(&letter, word, strlen(word));
    snprintf(footer, sizeof footer, _("%lc: %s   Enter or Esc: keep the input"),
             (wint_t)towupper((wint_t)letter), word);
    for (;;) {
        ui_key k = ui_dialog_scroll(app, _("Discard changes"), what, ROLE_WARNING,
                                    _("Discard what was typed?"), footer, &top);
        if (ui_got_sigterm || ui_key_cancels(k) || k.code == UI_KEY_ENTER)
            return 0;
        if (k.code == UI_KEY_CHAR && towlower(k.ch) == towlower((wint_t)letter))
            return 1;
    }
}
