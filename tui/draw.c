/* draw.c: putting UTF-8 text on the screen measured in columns, and big ticket digits. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the next character of s; invalid bytes become U+FFFD and count one byte. */
static size_t next_wchar(const char *s, wchar_t *wc)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = mbrtowc(wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *wc = 0xFFFD;
        return 1;
    }
    return n;
}

static int char_width(wchar_t wc)
{
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

int ui_width(const char *s)
{
    int width = 0;
    while (s && *s) {
        wchar_t wc;
        s += next_wchar(s, &wc);
        width += char_width(wc);
    }
    return width;
}

int ui_put(WINDOW *w, int y, int x, const char *s, int width)
{
    int used = 0;
    if (width <= 0)
        return 0;
    wmove(w, y, x);
    while (s && *s) {
        wchar_t wc[2] = {0, 0};
        s += next_wchar(s, &wc[0]);
        int cw = char_width(wc[0]);
        if (used + cw > width)
            break;
        if (wc[0] < 0x20)
            wc[0] = L' ';
        waddnwstr(w, wc, 1);
        used += cw;
    }
    return used;
}

void ui_put_pad(WINDOW *w, int y, int x, const char *s, int width)
{
    int used = ui_put(w, y, x, s, width);
    for (; used < width; used++)
        waddch(w, ' ');
}

void ui_put_center(WINDOW *w, int y, int x, const char *s, int width)
{
    int tw = ui_width(s);
    int off = tw < width ? (width - tw) / 2 : 0;
    ui_put(w, y, x + off, s, width - off);
}

/* A 5x5 font for 0-9, drawn with full blocks so a ticket reads from across a room. */
static const char *const font[10][UI_BIG_ROWS] = {
    {"#####", "#   #", "#   #", "#   #", "#####"}, {"  #  ", " ##  ", "  #  ", "  #  ", " ### "},
    {"#####", "    #", "#####", "#    ", "#####"}, {"#####", "    #", " ####", "    #", "#####"},
    {"#   #", "#   #", "#####", "    #", "    #"}, {"#####", "#    ", "#####", "    #", "#####"},
    {"#####", "#    ", "#####", "#   #", "#####"}, {"#####", "    #", "   # ", "  #  ", "  #  "},
    {"#####", "#   #", "#####", "#   #", "#####"}, {"#####", "#   #", "#####", "    #", "#####"},
};

int ui_big_width(const char *digits)
{
    return (int)strlen(digits) * UI_BIG_COLS - 1;
}

void ui_big_number(WINDOW *w, int y, int x, const char *digits)
{
    for (int row = 0; row < UI_BIG_ROWS; row++) {
        wmove(w, y + row, x);
        for (const char *d = digits; *d; d++) {
            if (*d < '0' || *d > '9')
                continue;
            for (const char *c = font[*d - '0'][row]; *c; c++) {
                if (*c == '#')
                    waddwstr(w, L"\x2588");
                else
                    waddch(w, ' ');
            }
            if (d[1])
                waddch(w, ' ');
        }
    }
}

/* Text over as many lines as it needs (cut between words, by display width); lines used. */
int ui_put_wrapped(WINDOW *w, int y, int x, int width, int rows, const char *text)
{
    char line[512];
    const char *p = text;
    int row = 0;
    while (*p && row < rows) {
        size_t take = 0, fit = 0;
        while (p[take]) {
            size_t next = take;
            while (p[next] == ' ')
                next++;
            while (p[next] && p[next] != ' ')
                next++;
            if (next >= sizeof line)
                break;
            memcpy(line, p, next);
            line[next] = 0;
            if (ui_width(line) > width && fit > 0)
                break;
            fit = take = next;
            if (ui_width(line) > width)
                break;
        }
        if (fit == 0)
            fit = strlen(p) < sizeof line - 1 ? strlen(p) : sizeof line - 1;
        memcpy(line, p, fit);
        line[fit] = 0;
        ui_put(w, y + row++, x, line, width);
        p += fit;
        while (*p == ' ')
            p++;
    }
    return row;
}
