/* widget_list.c: a scrollable list whose rows a screen draws through a callback. */
#include "ui.h"

void ui_list_draw(WINDOW *w, int y, int x, int width, int rows, ui_list *l, ui_list_row row,
                  void *ctx)
{
    if (rows <= 0)
        return;
    if (l->selected >= l->count)
        l->selected = l->count - 1;
    if (l->selected < 0)
        l->selected = 0;
    if (l->selected < l->top)
        l->top = l->selected;
    if (l->selected >= l->top + rows)
        l->top = l->selected - rows + 1;
    if (l->top < 0)
        l->top = 0;
    for (int i = 0; i < rows; i++) {
        int index = l->top + i;
        wmove(w, y + i, x);
        for (int c = 0; c < width; c++)
            waddch(w, ' ');
        if (index >= l->count)
            continue;
        int sel = index == l->selected;
        if (sel)
            ui_role_on(w, ROLE_SELECTED);
        row(w, y + i, x, width, index, sel, ctx);
        if (sel)
            ui_role_off(w, ROLE_SELECTED);
    }
}

int ui_list_key(ui_list *l, ui_key k, int page)
{
    int before = l->selected;
    if (page < 1)
        page = 1;
    switch (k.code) {
    case UI_KEY_UP:
        l->selected--;
        break;
    case UI_KEY_DOWN:
        l->selected++;
        break;
    case UI_KEY_PGUP:
        l->selected -= page;
        break;
    case UI_KEY_PGDN:
        l->selected += page;
        break;
    default:
        return 0;
    }
    if (l->selected >= l->count)
        l->selected = l->count - 1;
    if (l->selected < 0)
        l->selected = 0;
    (void)before;
    return 1;
}
