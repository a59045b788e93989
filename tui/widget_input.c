/* widget_input.c: a one-line text input of wide characters, cut and scrolled by columns. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

void ui_input_init(ui_input *in, int max_chars)
{
    memset(in, 0, sizeof *in);
    in->max_chars = max_chars > 0 && max_chars <= UI_INPUT_MAX ? max_chars : UI_INPUT_MAX;
}

void ui_input_clear(ui_input *in)
{
    in->len = in->cursor = in->scroll = 0;
    in->text[0] = 0;
}

void ui_input_set(ui_input *in, const char *utf8)
{
    mbstate_t st;
    const char *src = utf8;
    memset(&st, 0, sizeof st);
    size_t n = mbsrtowcs(in->text, &src, (size_t)in->max_chars, &st);
    if (n == (size_t)-1)
        n = 0;
    in->text[n] = 0;
    in->len = (int)n;
    in->cursor = in->len;
    in->scroll = 0;
}

void ui_input_get(const ui_input *in, char *buf, size_t size)
{
    const wchar_t *src = in->text;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcsrtombs(buf, &src, size - 1, &st);
    if (n == (size_t)-1)
        n = 0;
    buf[n < size ? n : size - 1] = 0;
}

int ui_input_key(ui_input *in, ui_key k, int *used)
{
    *used = 1;
    switch (k.code) {
    case UI_KEY_CHAR:
        if (in->len >= in->max_chars) {
            beep();
            return 0;
        }
        memmove(&in->text[in->cursor + 1], &in->text[in->cursor],
                sizeof(wchar_t) * (size_t)(in->len - in->cursor + 1));
        in->text[in->cursor++] = (wchar_t)k.ch;
        in->len++;
        return 1;
    case UI_KEY_BACKSPACE:
        if (in->cursor == 0)
            return 0;
        memmove(&in->text[in->cursor - 1], &in->text[in->cursor],
                sizeof(wchar_t) * (size_t)(in->len - in->cursor + 1));
        in->cursor--;
        in->len--;
        return 1;
    case UI_KEY_DELETE:
        if (in->cursor >= in->len)
            return 0;
        memmove(&in->text[in->cursor], &in->text[in->cursor + 1],
                sizeof(wchar_t) * (size_t)(in->len - in->cursor));
        in->len--;
        return 1;
    case UI_KEY_LEFT:
        if (in->cursor > 0)
            in->cursor--;
        return 0;
    case UI_KEY_RIGHT:
        if (in->cursor < in->len)
            in->cursor++;
        return 0;
    case UI_KEY_HOME:
        in->cursor = 0;
        return 0;
    case UI_KEY_END:
        in->cursor = in->len;
        return 0;
    default:
        *used = 0;
        return 0;
    }
}

static int wwidth(wchar_t c)
{
    int w = wcwidth(c);
    return w < 0 ? 1 : w;
}

void ui_input_draw(WINDOW *w, int y, int x, int width, ui_input *in, int focused)
{
    int cols = 0, cursor_x = x;
    if (width < 1)
        return;
    /* keep the cursor visible: scroll so that text from `scroll` to the cursor fits */
    if (in->cursor < in->scroll)
        in->scroll = in->cursor;
    for (;;) {
        int span = 0;
        for (int i = in->scroll; i < in->cursor; i++)
            span += in->secret ? 1 : wwidth(in->text[i]);
        if (span < width || in->scroll >= in->cursor)
            break;
        in->scroll++;
    }
    ui_role_on(w, focused ? ROLE_FIELD_FOCUS : ROLE_FIELD);
    wmove(w, y, x);
    for (int i = in->scroll; i < in->len; i++) {
        wchar_t c[2] = {in->secret ? L'*' : in->text[i], 0};
        int cw = wwidth(c[0]);
        if (cols + cw > width)
            break;
        if (i == in->cursor)
            cursor_x = x + cols;
        waddnwstr(w, c, 1);
        cols += cw;
    }
    if (in->cursor >= in->len)
        cursor_x = x + cols;
    for (; cols < width; cols++)
        waddch(w, ' ');
    ui_role_off(w, focused ? ROLE_FIELD_FOCUS : ROLE_FIELD);
    if (focused) {
        if (cursor_x >= x + width)
            cursor_x = x + width - 1;
        wmove(w, y, cursor_x);
    }
}
