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

/* The called tickets: big digits when there is room, one per block; returns rows used. */
static int draw_called(board *b, WINDOW *w, int y, int rows, int cols)
{
    const vax_board *s = &b->snap;
    int64_t now = vax_now();
    char line[256], name[64], digits[8];
    int used = 0;
    header(w, y, cols, _("Now calling"));
    used++;
    if (s->ncalled == 0) {
        ui_put(w, y + used, 2, _("(nobody is being called)"), cols - 4);
        return used + 1;
    }
    int big = rows - used >= UI_BIG_ROWS + 1 && cols >= 40;
    for (int i = 0; i < s->ncalled && used < rows; i++) {
        const vax_board_called *c = &s->called[i];
        int fresh = now - c->called_at < HIGHLIGHT_SECS;
        ui_place_name(c->station, name, sizeof name);
        snprintf(digits, sizeof digits, "%03d", c->ticket % 1000);
        snprintf(line, sizeof line, "→ %s%s%s", name, c->initials[0] ? "  " : "", c->initials);
        if (fresh)
            wattron(w, A_REVERSE);
        if (big && used + UI_BIG_ROWS <= rows) {
            ui_role_on(w, ROLE_TICKET);
            ui_big_number(w, y + used, 2, digits);
            ui_role_off(w, ROLE_TICKET);
            int x = 2 + ui_big_width(digits) + 3;
            wattron(w, A_BOLD);
            ui_put(w, y + used + UI_BIG_ROWS / 2, x, line, cols - x - 1);
            wattroff(w, A_BOLD);
            used += UI_BIG_ROWS + 1;
            big = rows - used >= UI_BIG_ROWS + 1; /* the others smaller if space runs out */
        } else {
            char small[300];
            snprintf(small, sizeof small, "%s  %s", digits, line);
            ui_put(w, y + used, 2, small, cols - 4);
            used++;
        }
        if (fresh)
            wattroff(w, A_REVERSE);
    }
    return used;
}

static int draw_waiting(board *b, WINDOW *w, int y, int rows, int cols)
{
    const vax_board *s = &b->snap;
    const char *titles[2] = {_("Waiting for screening"), _("Waiting for injection")};
    int used = 0;
    for (int stage = 0; stage < 2 && used < rows; stage++) {
        char line[1024] = "";
        size_t o = 0;
        for (int i = 0; i < s->nwaiting[stage] && o + 8 < sizeof line; i++)
            o += (size_t)snprintf(line + o, sizeof line - o, "%03d  ", s->waiting[stage][i] % 1000);
        char head[128];
        snprintf(head, sizeof head, "%s (%d)", titles[stage], s->nwaiting[stage]);
        header(w, y + used++, cols, head);
        if (used < rows)
            ui_put(w, y + used++, 2, s->nwaiting[stage] ? line : "-", cols - 4);
    }
    return used;
}

static int draw_observing(board *b, WINDOW *w, int y, int rows, int cols)
{
    const vax_board *s = &b->snap;
    int64_t now = vax_now();
    int used = 0, colw = 22;
    char head[128];
    snprintf(head, sizeof head, "%s (%d)", _("Observation after the injection"), s->nobserving);
    header(w, y + used++, cols, head);
    int per_row = cols / colw > 0 ? cols / colw : 1;
    for (int i = 0; i < s->nobserving && used < rows; i += per_row, used++) {
        for (int k = 0; k < per_row && i + k < s->nobserving; k++) {
            const vax_board_observing *o = &s->observing[i + k];
            char cell[96];
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
            ui_put(w, y + used, 2 + k * colw, cell, colw - 1);
            ui_role_off(w, r);
        }
    }
    if (s->nobserving == 0 && used < rows)
        ui_put(w, y + used++, 2, "-", cols - 4);
    return used;
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
    int y = 0;
    if (b->rotate_secs > 0) {
        /* one page at a time, for small screens */
        switch (b->page % 3) {
        case 0:
            y += draw_called(b, stdscr, y, rows - 1, cols);
            break;
        case 1:
            y += draw_waiting(b, stdscr, y, rows - 1, cols);
            break;
        default:
            y += draw_observing(b, stdscr, y, rows - 1, cols);
            break;
        }
        draw_counters(b, stdscr, rows - 1, 1, cols);
        refresh();
        return;
    }
    /* everything at once: the called tickets take what the other parts leave */
    int waiting_rows = 4;
    int obs_rows = 1 + (b->snap.nobserving + (cols / 22) - 1) / (cols / 22 > 0 ? cols / 22 : 1);
    if (obs_rows < 2)
        obs_rows = 2;
    if (obs_rows > rows / 3)
        obs_rows = rows / 3 > 2 ? rows / 3 : 2;
    int called_rows = rows - 1 - waiting_rows - obs_rows;
    if (called_rows < 2)
        called_rows = 2;
    y += draw_called(b, stdscr, y, called_rows, cols);
    y = called_rows;
    y += draw_waiting(b, stdscr, y, waiting_rows, cols);
    draw_observing(b, stdscr, y, rows - 1 - y, cols);
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
        if (k.action == UI_QUIT || (k.action == UI_CHAR && (k.ch == L'q' || k.ch == L'Q')))
            break;
        int redraw = k.action == UI_RESIZE;
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
    ui_term_on_end(NULL, NULL);
    endwin();
    if (b.trace)
        fclose(b.trace);
    *dbp = b.db; /* the caller closes the handle in use at the end */
    return 0;
}
