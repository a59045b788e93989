/* board.c: the queue display for a second terminal or a TV: read-only, large called tickets. */
#include "board.h"

#include "ui.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define POLL_MS 100       /* how often data_version is asked: a change shows within ~100 ms */
#define HIGHLIGHT_SECS 10 /* a newly called ticket stands out this long */

typedef struct board {
    vax_db *db;
    char path[4096];
    ino_t ino;
    dev_t dev;
    vax_board snap;
    int have_snap;
    int64_t lost_since; /* 0, or when reading the database started failing */
    int rotate_secs;    /* >0: one page at a time, changing every rotate_secs */
    int page;
    FILE *trace;
    int use_color;
} board;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void header(WINDOW *w, int y, int cols, const char *text)
{
    ui_role_on(w, ROLE_TITLE);
    mvwhline(w, y, 0, ' ', cols);
    ui_put(w, y, 1, text, cols - 2);
    ui_role_off(w, ROLE_TITLE);
}

/* The waiting lists put a ticket every TICKET_COL columns ("017" and two spaces); the observation
 * list a person every OBS_COL ("017 12 min", "017 ✓ may leave", and a gap). */
#define TICKET_COL 5
#define OBS_COL 22

/* The tallest big digits the screen takes: 5 rows below 30 rows, where the lists need the room
 * more; then two fifths of the height, so that big digits never crowd out the lists. Odd, as
 * ui_big_number_sized draws. */
static int big_rows_max(int rows)
{
    int h = rows < 30 ? UI_BIG_ROWS : rows * 2 / 5;
    if (h % 2 == 0)
        h--;
    return h < UI_BIG_ROWS ? UI_BIG_ROWS : h;
}

/* "→ Bàn khám 2  N.V.H." */
static void called_label(const vax_board_called *c, char *out, size_t size)
{
    /* the desk's name as the site calls it ("Bàn khám 2"), read with the snapshot */
    snprintf(out, size, "→ %s%s%s", c->name[0] ? c->name : c->station, c->initials[0] ? "  " : "",
             c->initials);
}

/* The lines a label takes beside digits `height` rows tall in `width` columns: one when it fits,
 * else wrapped between words (a desk's name such as "Injection room 2" beside tall digits has
 * rows to spare, not columns); 0 if it would need more lines than the digits are tall, or a word
 * (the arrow counted with the first) would be cut. */
static int label_lines(const char *text, int width, int height)
{
    if (ui_width(text) <= width)
        return 1;
    char word[256];
    const char *p = text;
    for (int first = 1; *p; first = 0) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (first && *p && p[n] == ' ') /* "→" and the name's first word go together */
            n += 1 + strcspn(p + n + 1, " ");
        snprintf(word, sizeof word, "%.*s", (int)n, p);
        if (ui_width(word) > width)
            return 0;
        p += n;
    }
    int lines = ui_wrap_count(text, width);
    return lines <= height ? lines : 0;
}

/* How the called tickets fit in a number of rows: under the header, a grid of `ncol` columns of
 * tickets in digits `height` rows tall, one blank row between grid rows; when not even 5-row
 * digits fit for all, the first `nbig` in 5-row digits and the others one to a line. */
typedef struct called_fit {
    int height, ncol, nbig, used;
} called_fit;

static called_fit fit_called(const vax_board *s, int rows, int cols, int hmax)
{
    called_fit f = {UI_BIG_ROWS, 1, 0, 2};
    int n = s->ncalled;
    char text[256];
    if (n == 0)
        return f; /* the header and "(nobody is being called)" */
    /* the tallest digits first, in as few columns as will take them: one column reads best; each
     * label beside its digits, on as many of their rows as it needs */
    for (int h = hmax; h >= UI_BIG_ROWS && cols >= 40; h -= 2)
        for (int ncol = 1; ncol <= n; ncol++) {
            int nrow = (n + ncol - 1) / ncol,
                width = cols / ncol - 6 - ui_big_width_sized("000", h);
            int fits = 1;
            if (nrow * (h + 1) > rows)
                continue;
            for (int i = 0; i < n && fits; i++) {
                called_label(&s->called[i], text, sizeof text);
                fits = label_lines(text, width, h) > 0;
            }
            if (!fits)
                break; /* more columns are only narrower */
            return (called_fit){h, ncol, n, nrow * (h + 1)};
        }
    /* 5-row digits for the first ones that fit, a line each for the others */
    f.nbig = cols >= 40 ? n : 0;
    for (; f.nbig > 0; f.nbig--)
        if (1 + f.nbig * (UI_BIG_ROWS + 1) + (n - f.nbig) - (f.nbig == n) <= rows)
            break;
    f.used = 1 + f.nbig * (UI_BIG_ROWS + 1) + (n - f.nbig) - (f.nbig == n);
    if (f.used > rows)
        f.used = rows; /* the lines that fit */
    return f;
}

/* The called tickets, newest first, laid out as fit_called says; returns the rows used. */
static int draw_called(board *b, WINDOW *w, int y, int rows, int cols, int hmax)
{
    const vax_board *s = &b->snap;
    int64_t now = vax_now();
    char line[256], digits[8];
    called_fit f = fit_called(s, rows, cols, hmax);
    header(w, y, cols, _("Now calling"));
    if (s->ncalled == 0) {
        if (rows > 1)
            ui_put(w, y + 1, 2, _("(nobody is being called)"), cols - 4);
        return rows > 1 ? 2 : 1;
    }
    int cw = cols / f.ncol, small_y = y + 1 + f.nbig / f.ncol * (f.height + 1);
    for (int i = 0; i < s->ncalled; i++) {
        const vax_board_called *c = &s->called[i];
        int fresh = now - c->called_at < HIGHLIGHT_SECS;
        snprintf(digits, sizeof digits, "%03d", c->ticket % 1000);
        called_label(c, line, sizeof line);
        if (fresh)
            wattron(w, A_REVERSE);
        if (i < f.nbig) {
            int ty = y + 1 + i / f.ncol * (f.height + 1), tx = i % f.ncol * cw + 2;
            ui_role_on(w, ROLE_TICKET);
            ui_big_number_sized(w, ty, tx, digits, f.height);
            ui_role_off(w, ROLE_TICKET);
            tx += ui_big_width_sized(digits, f.height) + 3;
            int width = i % f.ncol * cw + cw - tx - 1;
            int lines = label_lines(line, width, f.height);
            wattron(w, A_BOLD);
            /* centred on the digits' height: one line on their middle row */
            if (lines > 1)
                ui_put_wrapped(w, ty + (f.height - lines) / 2, tx, width, lines, line);
            else
                ui_put(w, ty + f.height / 2, tx, line, width);
            wattroff(w, A_BOLD);
        } else if (small_y < y + rows) {
            char small[300];
            snprintf(small, sizeof small, "%s  %s", digits, line);
            ui_put(w, small_y++, 2, small, cols - 4);
        }
        if (fresh)
            wattroff(w, A_REVERSE);
    }
    return f.used;
}

/* Where "+N more" goes after `shown` of a list laid out `per` to a line on `lines` lines: right
 * after the last one shown, or at the start of the next line; 0 if it does not fit. */
static int more_at(int shown, int per, int lines, int width, int more_width, int *line, int *x)
{
    int l = shown / per, c = shown % per;
    if (l < lines && c * TICKET_COL + more_width <= width) {
        *line = l;
        *x = c * TICKET_COL;
        return 1;
    }
    if (c > 0 && l + 1 < lines && more_width <= width) {
        *line = l + 1;
        *x = 0;
        return 1;
    }
    return 0;
}

/* Lines a waiting list of this many tickets takes to show them all. */
static int ticket_lines(int held, int total, int width)
{
    int per = (width + 2) / TICKET_COL > 0 ? (width + 2) / TICKET_COL : 1;
    int slots = held + (held < total ? 3 : 0); /* "+N more" takes about three tickets' room */
    return slots > 0 ? (slots + per - 1) / per : 1;
}

/* Whole tickets only, `per` to a line; when they do not all fit, the last ones give way to
 * "+N more" (N counts the ones the snapshot does not hold too). An urgent ticket is "017*" in the
 * urgent colour (the star for a screen without colours): why it goes first is not said, as the
 * reasons are health data and the board is a public screen. */
static void draw_tickets(WINDOW *w, int y, int x, int width, int lines, const int *tickets,
                         const unsigned char *urgent, int held, int total)
{
    int per = (width + 2) / TICKET_COL > 0 ? (width + 2) / TICKET_COL : 1;
    int shown = held < lines * per ? held : lines * per, ml = 0, mx = 0;
    char more[64] = "", t[8];
    if (total == 0) {
        ui_put(w, y, x, "-", width);
        return;
    }
    if (shown < total)
        for (;; shown--) {
            snprintf(more, sizeof more, _("+%d more"), total - shown);
            if (more_at(shown, per, lines, width, ui_width(more), &ml, &mx) || shown == 0)
                break;
        }
    for (int i = 0; i < shown; i++) {
        snprintf(t, sizeof t, "%03d%s", tickets[i] % 1000, urgent[i] ? "*" : "");
        if (urgent[i])
            ui_role_on(w, ROLE_URGENT);
        ui_put(w, y + i / per, x + i % per * TICKET_COL, t, TICKET_COL - 1);
        if (urgent[i])
            ui_role_off(w, ROLE_URGENT);
    }
    if (*more)
        ui_put(w, y + ml, x + mx, more, width - mx);
}

/* The two waiting lists, each in the rows given (its header and its lines); returns rows used. */
static int draw_waiting(board *b, WINDOW *w, int y, const int rows[2], int cols)
{
    const vax_board *s = &b->snap;
    const char *titles[2] = {_("Waiting for screening"), _("Waiting for injection")};
    int used = 0;
    for (int stage = 0; stage < 2; stage++) {
        char head[128];
        if (rows[stage] < 1)
            continue;
        int urgent = 0;
        for (int i = 0; i < s->nwaiting[stage]; i++)
            urgent |= s->waiting_urgent[stage][i];
        snprintf(head, sizeof head, "%s (%d)", titles[stage], s->waiting_total[stage]);
        /* what the star means, where there is one: the room sees why a ticket went ahead */
        if (urgent && ui_width(head) + ui_width(_("  * called first")) <= cols - 2)
            snprintf(head + strlen(head), sizeof head - strlen(head), "%s", _("  * called first"));
        header(w, y + used, cols, head);
        draw_tickets(w, y + used + 1, 2, cols - 4, rows[stage] - 1, s->waiting[stage],
                     s->waiting_urgent[stage], s->nwaiting[stage], s->waiting_total[stage]);
        used += rows[stage];
    }
    return used;
}

static int obs_per_row(int cols)
{
    return (cols - 2) / OBS_COL > 0 ? (cols - 2) / OBS_COL : 1;
}

/* Lines the observation list takes to show everyone. */
static int obs_lines(const vax_board *s, int cols)
{
    int cells = s->nobserving + (s->nobserving < s->observing_total);
    return cells > 0 ? (cells + obs_per_row(cols) - 1) / obs_per_row(cols) : 1;
}

static int draw_observing(board *b, WINDOW *w, int y, int rows, int cols)
{
    const vax_board *s = &b->snap;
    int64_t now = vax_now();
    int per_row = obs_per_row(cols), cells = (rows - 1) * per_row;
    int shown = s->nobserving < cells ? s->nobserving : cells;
    char head[128], cell[96];
    if (rows < 1)
        return 0;
    snprintf(head, sizeof head, "%s (%d)", _("Observation after the injection"),
             s->observing_total);
    header(w, y, cols, head);
    if (shown < s->observing_total && shown == cells)
        shown--; /* the last cell says how many more */
    for (int i = 0; i < shown; i++) {
        const vax_board_observing *o = &s->observing[i];
        /* from the clock, not the snapshot: the period ends without any commit */
        int may_leave = now >= o->ends_at;
        if (o->has_reaction)
            snprintf(cell, sizeof cell, "%03d ! %s", o->ticket % 1000, _("see staff"));
        else if (may_leave)
            snprintf(cell, sizeof cell, "%03d ✓ %s", o->ticket % 1000, _("may leave"));
        else
            snprintf(cell, sizeof cell, "%03d %2lld %s", o->ticket % 1000,
                     (long long)((o->ends_at - now + 59) / 60), _("min"));
        ui_role r = o->has_reaction ? ROLE_URGENT : may_leave ? ROLE_OK : ROLE_NORMAL;
        ui_role_on(w, r);
        ui_put(w, y + 1 + i / per_row, 2 + i % per_row * OBS_COL, cell, OBS_COL - 1);
        ui_role_off(w, r);
    }
    if (shown < s->observing_total && shown >= 0 && rows > 1) {
        snprintf(cell, sizeof cell, _("+%d more"), s->observing_total - shown);
        ui_put(w, y + 1 + shown / per_row, 2 + shown % per_row * OBS_COL, cell, OBS_COL - 1);
    }
    if (s->observing_total == 0 && rows > 1)
        ui_put(w, y + 1, 2, "-", cols - 4);
    return rows;
}

/* Rows handed out one at a time to each part in turn while it still wants more: a long list
 * never starves the others of their header and first line. */
static int share_rows(const int *need, int *give, int n, int room)
{
    int given = 0;
    for (int i = 0; i < n; i++)
        give[i] = 0;
    for (int more = 1; more && given < room;) {
        more = 0;
        for (int i = 0; i < n && given < room; i++)
            if (give[i] < need[i]) {
                give[i]++;
                given++;
                more = 1;
            }
    }
    return given;
}

static int draw_counters(board *b, WINDOW *w, int y, int rows, int cols)
{
    const vax_board *s = &b->snap;
    char line[256];
    size_t o = (size_t)snprintf(line, sizeof line, _("Doses today: %d"), s->doses_today);
    for (int n = 1; n <= VAX_MAX_SERIES && o < sizeof line; n++)
        if (s->doses_by_number[n])
            o += (size_t)snprintf(line + o, sizeof line - o, _(" · dose %d: %d"), n,
                                  s->doses_by_number[n]);
    if (rows < 1)
        return 0;
    wattron(w, A_BOLD);
    ui_put(w, y, 1, line, cols - 2);
    wattroff(w, A_BOLD);
    return 1;
}

static void draw(board *b)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    if (rows < 5 || cols < 20) {
        ui_put(stdscr, 0, 0, _("terminal too small"), cols);
        refresh();
        return;
    }
    if (b->lost_since) {
        char lost[128], hhmm[6];
        vax_local_hhmm(b->lost_since, hhmm);
        snprintf(lost, sizeof lost, _("✗ connection lost since %s: showing the last state"), hhmm);
        ui_role_on(stdscr, ROLE_ERROR);
        ui_put(stdscr, rows - 1, 0, lost, cols);
        ui_role_off(stdscr, ROLE_ERROR);
        rows--;
    }
    if (!b->have_snap) {
        refresh();
        return;
    }
    /* Everything below comes from the snapshot and the clock: a redraw never reads the database,
     * so a resize or the second's countdown costs no query and shows the same commit. */
    const vax_board *s = &b->snap;
    int body = rows - 1, hmax = big_rows_max(rows), wrows[2];
    int need[3] = {1 + ticket_lines(s->nwaiting[0], s->waiting_total[0], cols - 4),
                   1 + ticket_lines(s->nwaiting[1], s->waiting_total[1], cols - 4),
                   1 + obs_lines(s, cols)};
    if (b->rotate_secs > 0) {
        /* one page at a time, for small screens */
        switch (b->page % 3) {
        case 0:
            draw_called(b, stdscr, 0, body, cols, hmax);
            break;
        case 1:
            share_rows(need, wrows, 2, body);
            draw_waiting(b, stdscr, 0, wrows, cols);
            break;
        default:
            draw_observing(b, stdscr, 0, body, cols);
            break;
        }
        draw_counters(b, stdscr, rows - 1, 1, cols);
        refresh();
        return;
    }
    /* Everything at once. The called tickets first get what their 5-row digits need (leaving
     * each list at least its header and a line); the lists then share the rest, each up to what
     * shows all of it; the called tickets take every row left and grow their digits into it. The
     * lists sit at the bottom, above the counters. */
    int give[3];
    int base = body - 6 >= 2 ? body - 6 : 2;
    int lists = share_rows(need, give, 3, body - fit_called(s, base, cols, UI_BIG_ROWS).used);
    int called_rows = body - lists;
    draw_called(b, stdscr, 0, called_rows, cols, hmax);
    wrows[0] = give[0];
    wrows[1] = give[1];
    int y = called_rows + draw_waiting(b, stdscr, called_rows, wrows, cols);
    draw_observing(b, stdscr, y, give[2], cols);
    draw_counters(b, stdscr, rows - 1, 1, cols);
    refresh();
}

/* The file the board reads must still be there and be the same file: a pulled USB disk or a
 * database restored from a backup is "connection lost" until a file is back, and a new file is
 * opened afresh. */
static int file_still_there(board *b)
{
    struct stat st;
    if (stat(b->path, &st) != 0)
        return 0;
    if (st.st_ino == b->ino && st.st_dev == b->dev)
        return 1;
    vax_db *fresh = NULL;
    if (vax_open(b->path, VAX_OPEN_READONLY, &fresh) != VAX_OK) {
        vax_close(fresh);
        return 0;
    }
    vax_close(b->db);
    b->db = fresh;
    b->ino = st.st_ino;
    b->dev = st.st_dev;
    b->have_snap = b->have_snap; /* keep showing the last state until the new one is read */
    b->snap.data_version = -1;   /* forces a read */
    return 1;
}

/* Takes a new snapshot if the database changed; 1 if the screen must be redrawn. */
static int refresh_snapshot(board *b)
{
    int64_t version;
    if (!file_still_there(b)) {
        if (!b->lost_since)
            b->lost_since = vax_now();
        return 1;
    }
    if (vax_db_data_version(b->db, &version) != VAX_OK) {
        if (!b->lost_since)
            b->lost_since = vax_now();
        return 1;
    }
    if (b->have_snap && version == b->snap.data_version && !b->lost_since)
        return 0;
    vax_board next;
    if (vax_board_read(b->db, &next) != VAX_OK) {
        if (!b->lost_since)
            b->lost_since = vax_now();
        return 1;
    }
    b->snap = next;
    b->have_snap = 1;
    b->lost_since = 0;
    return 1;
}

/* Something on screen moves with the clock (a countdown, a highlight)? */
static int clock_matters(const board *b)
{
    int64_t now = vax_now();
    for (int i = 0; i < b->snap.ncalled; i++)
        if (now - b->snap.called[i].called_at < HIGHLIGHT_SECS + 1)
            return 1;
    /* a countdown, or "may leave" that comes with the clock, not with a commit */
    if (b->snap.nobserving > 0)
        return 1;
    return b->rotate_secs > 0;
}

static void trace_redraw(board *b)
{
    struct timespec ts;
    if (!b->trace)
        return;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(b->trace, "%lld.%09ld %lld\n", (long long)ts.tv_sec, ts.tv_nsec,
            (long long)b->snap.data_version);
    fflush(b->trace);
}

/* The board ends without the user (terminal gone, a signal): it only reads, so closing its
 * handle is all there is to do. */
static void board_end(void *ctx, ui_end_reason why)
{
    board *b = ctx;
    (void)why;
    if (b->trace)
        fclose(b->trace);
    vax_close(b->db);
    b->db = NULL;
}

int ui_board_run(vax_db **dbp, int rotate_secs, const char *trace_path)
{
    board b;
    vax_db *db = *dbp;
    memset(&b, 0, sizeof b);
    b.db = db;
    b.rotate_secs = rotate_secs;
    snprintf(b.path, sizeof b.path, "%s", vax_db_path(db));
    struct stat st;
    if (stat(b.path, &st) == 0) {
        b.ino = st.st_ino;
        b.dev = st.st_dev;
    }
    if (trace_path && !(b.trace = fopen(trace_path, "a"))) {
        fprintf(stderr, "vaxsite: %s: %s\n", trace_path, strerror(errno));
        return 1;
    }
    ui_curses_start();
    ui_term_on_end(board_end, &b);
    curs_set(0);
    double last_second = 0, last_page = mono_s();
    refresh_snapshot(&b);
    draw(&b);
    trace_redraw(&b);
    for (;;) {
        timeout(POLL_MS);
        ui_key k = ui_read_key();
        if (k.code == UI_KEY_F10 || k.code == UI_KEY_CTRL_C ||
            (k.code == UI_KEY_CHAR && (k.ch == L'q' || k.ch == L'Q')))
            break;
        int redraw = ui_key_redraws(k);
        redraw |= refresh_snapshot(&b);
        double t = mono_s();
        if (b.rotate_secs > 0 && t - last_page >= b.rotate_secs) {
            b.page++;
            last_page = t;
            redraw = 1;
        }
        if (!redraw && clock_matters(&b) && t - last_second >= 1.0)
            redraw = 1; /* countdowns and highlights move once a second */
        if (redraw) {
            last_second = t;
            draw(&b);
            trace_redraw(&b);
        }
    }
    ui_term_pending();
    ui_term_on_end(NULL, NULL);
    endwin();
    if (b.trace)
        fclose(b.trace);
    *dbp = b.db; /* the caller closes the handle in use at the end */
    return 0;
}
