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

/* Prints at most len bytes of s, cut to width columns. */
static int put_bytes(WINDOW *w, int y, int x, const char *s, size_t len, int width)
{
    const char *end = s + len;
    int used = 0;
    if (width <= 0)
        return 0;
    wmove(w, y, x);
    while (s < end && *s) {
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

int ui_put(WINDOW *w, int y, int x, const char *s, int width)
{
    return put_bytes(w, y, x, s, s ? strlen(s) : 0, width);
}

int ui_put_fit(WINDOW *w, int y, int x, const char *s, int width)
{
    if (ui_width(s) <= width)
        return ui_put(w, y, x, s, width);
    if (width < 2)
        return ui_put(w, y, x, "…", width);
    int used = ui_put(w, y, x, s, width - 1);
    return used + ui_put(w, y, x + used, "…", 1);
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

/* How a font row or column maps to screen cells at a height: the bars (rows 0, 2, 4) stay one row
 * and the two open rows stretch; the columns stretch the same way, their strokes (0, 2, 4) growing
 * by one column every three steps, since a cell is about half as wide as it is tall. A digit is
 * about as many columns wide as it is rows tall, as at 5x5. */
typedef struct big_geometry {
    int row[UI_BIG_ROWS], col[UI_BIG_ROWS], width, gap, stroke;
} big_geometry;

static big_geometry big_geometry_of(int rows)
{
    big_geometry g;
    int k = rows > UI_BIG_ROWS ? (rows - UI_BIG_ROWS) / 2 : 0;
    int open;
    g.stroke = 1 + k / 3;
    open = (UI_BIG_ROWS + 2 * k + 1 - 3 * g.stroke) / 2;
    if (open < 1)
        open = 1;
    for (int i = 0; i < UI_BIG_ROWS; i++) {
        g.row[i] = i % 2 ? 1 + k : 1;
        g.col[i] = i % 2 ? open : g.stroke;
    }
    g.width = 3 * g.stroke + 2 * open;
    g.gap = g.stroke;
    return g;
}

static int font_on(const char *const *glyph, int row, int col)
{
    return row >= 0 && row < UI_BIG_ROWS && col >= 0 && col < UI_BIG_ROWS && glyph[row][col] == '#';
}

/* Whether font cell (row, col) is drawn at screen repeat (rep_row, rep_col) of its stretched
 * cell. A cell joined to a neighbour along the stretch (a stroke, a bar) fills the whole stretch;
 * a lone one (the flag of the 1, the bend of the 7) stays stroke-sized, at the top of its rows and
 * the middle of its columns, so that it is not blown up into a block. */
static int big_cell_on(const char *const *glyph, const big_geometry *g, int row, int col,
                       int rep_row, int rep_col)
{
    if (!font_on(glyph, row, col))
        return 0;
    if (g->row[row] > 1 && !font_on(glyph, row - 1, col) && !font_on(glyph, row + 1, col) &&
        rep_row > 0)
        return 0;
    if (g->col[col] > g->stroke && !font_on(glyph, row, col - 1) && !font_on(glyph, row, col + 1)) {
        int from = (g->col[col] - g->stroke) / 2;
        return rep_col >= from && rep_col < from + g->stroke;
    }
    return 1;
}

int ui_big_width_sized(const char *digits, int rows)
{
    big_geometry g = big_geometry_of(rows);
    int n = (int)strlen(digits);
    return n > 0 ? n * g.width + (n - 1) * g.gap : 0;
}

void ui_big_number_sized(WINDOW *w, int y, int x, const char *digits, int rows)
{
    big_geometry g = big_geometry_of(rows);
    for (int row = 0; row < UI_BIG_ROWS; row++) {
        for (int rep = 0; rep < g.row[row]; rep++, y++) {
            wmove(w, y, x);
            for (const char *d = digits; *d; d++) {
                if (*d < '0' || *d > '9')
                    continue;
                for (int c = 0; c < UI_BIG_ROWS; c++)
                    for (int n = 0; n < g.col[c]; n++) {
                        if (big_cell_on(font[*d - '0'], &g, row, c, rep, n))
                            waddwstr(w, L"\x2588");
                        else
                            waddch(w, ' ');
                    }
                for (int n = 0; d[1] && n < g.gap; n++)
                    waddch(w, ' ');
            }
        }
    }
}

int ui_big_width(const char *digits)
{
    return ui_big_width_sized(digits, UI_BIG_ROWS);
}

void ui_big_number(WINDOW *w, int y, int x, const char *digits)
{
    ui_big_number_sized(w, y, x, digits, UI_BIG_ROWS);
}

/* Breaks between words: a line ends at the last space that lets it fit, or at a '\n'. Only a
 * word wider than the whole line is cut, at the width, since nothing else can show it. */
size_t ui_wrap_line(const char *p, int width, const char **rest)
{
    size_t i = 0, fit = 0;
    int used = 0;
    if (width < 1)
        width = 1;
    while (p[i] && p[i] != '\n') {
        wchar_t wc;
        size_t n = next_wchar(p + i, &wc);
        if (used + char_width(wc) > width)
            break;
        used += char_width(wc);
        i += n;
        if (p[i] == ' ' || p[i] == '\n' || !p[i])
            fit = i;
    }
    if (!p[i] || p[i] == '\n')
        fit = i;
    else if (fit == 0) {
        wchar_t wc;
        fit = i > 0 ? i : next_wchar(p, &wc);
    }
    const char *q = p + fit;
    while (*q == ' ')
        q++;
    if (*q == '\n')
        q++;
    *rest = *q ? q : NULL;
    return fit;
}

int ui_wrap_count(const char *text, int width)
{
    int lines = 0;
    for (const char *p = text && *text ? text : NULL; p; lines++)
        ui_wrap_line(p, width, &p);
    return lines;
}

int ui_put_wrapped_from(WINDOW *w, int y, int x, int width, int rows, const char *text, int skip)
{
    int row = 0, line = 0;
    for (const char *p = text && *text ? text : NULL; p && row < rows; line++) {
        const char *start = p;
        size_t len = ui_wrap_line(start, width, &p);
        if (line >= skip)
            put_bytes(w, y + row++, x, start, len, width);
    }
    return row;
}

int ui_put_wrapped(WINDOW *w, int y, int x, int width, int rows, const char *text)
{
    return ui_put_wrapped_from(w, y, x, width, rows, text, 0);
}
