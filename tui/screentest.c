/* screentest.c: the whole-screen test mode: scripted keys in, whole screens (text and colour roles)
 * out, with no terminal at all.
 *
 * A test in a real terminal has to wait and guess when the program has finished drawing; here the
 * program asks for its next key, and that is the moment the screen is complete. So the keys come
 * from a script, read at the one place every key is read (ui_term_get_wch), never wait, and the
 * screen is written where the script says, from what curses has put on the (absent) terminal: the
 * stations, the board and every dialog, whatever window they draw in. Keys are handed to the
 * terminal library's own queue and read back with get_wch, so the library refreshes exactly as
 * it does before a real read. Diagnostics go to stderr; nothing here is shown to a user.
 *
 * VAXSITE_SCREEN_SCRIPT=FILE  the script (one step a line, see below)
 * VAXSITE_SCREEN_OUT=DIR      where NAME.txt and NAME.roles are written (default ".")
 * VAXSITE_SCREEN_SIZE=80x24   the terminal's size at the start
 *
 * Steps: "text T" (each character of T is a key), "key NAME [N]" (Enter, Esc, Tab, BTab, Up,
 * Down, Left, Right, Home, End, PgUp, PgDn, Backspace, Delete, Space, F1..F12, Resize, C-c,
 * C-l; N times), "tick [N]" (no key, as when a wait times out), "clock TIME" (writes the test
 * clock file, VAXSITE_CLOCK_FILE), "resize COLS ROWS", "screen NAME"; '#' starts a comment.
 * When the script ends the program ends as on a closed terminal, but with status 0. */
#include "ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

/* One letter per colour role, by the pair number app.c gives each role (pair r is role r). */
static const char role_letters[] = ".TbKSfFowedutq";
_Static_assert(sizeof role_letters - 1 == ROLE_COUNT, "one letter per colour role");

enum step_kind { STEP_CHAR, STEP_CODE, STEP_TICK, STEP_RESIZE };

static struct {
    int on;      /* -1: not looked at yet */
    char **line; /* the script, one step a line */
    int nlines, next;
    wchar_t text[512]; /* the characters of a "text" step not yet handed out */
    int ntext, itext;
    int repeat;      /* further copies of the last key or tick step */
    int repeat_kind; /* what they are */
    int repeat_code;
    const char *out;
} st = {.on = -1};

int ui_screentest_on(void)
{
    if (st.on < 0) {
        const char *s = getenv("VAXSITE_SCREEN_SCRIPT");
        st.on = s && *s;
    }
    return st.on;
}

_Noreturn static void fail(const char *what, const char *detail)
{
    endwin();
    fprintf(stderr, "vaxsite: screen test: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    exit(2);
}

static void load_script(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[2048];
    if (!f)
        fail(path, strerror(errno));
    while (fgets(buf, sizeof buf, f)) {
        size_t n = strcspn(buf, "\r\n");
        buf[n] = 0;
        char *s = buf;
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        char **grown = realloc(st.line, (size_t)(st.nlines + 1) * sizeof *grown);
        if (!grown || !(grown[st.nlines] = strdup(s)))
            fail("out of memory", NULL);
        st.line = grown;
        st.nlines++;
    }
    fclose(f);
}

static int parse_size(const char *s, int *cols, int *rows)
{
    char x;
    return s && sscanf(s, "%d%c%d", cols, &x, rows) == 3 && (x == 'x' || x == ' ') && *cols > 0 &&
           *rows > 0 && *cols <= 1000 && *rows <= 1000;
}

void ui_screentest_start(void)
{
    const char *size = getenv("VAXSITE_SCREEN_SIZE");
    int cols = 80, rows = 24;
    char num[16];
    if (size && *size && !parse_size(size, &cols, &rows))
        fail("VAXSITE_SCREEN_SIZE is COLSxROWS", size);
    load_script(getenv("VAXSITE_SCREEN_SCRIPT"));
    st.out = getenv("VAXSITE_SCREEN_OUT");
    if (!st.out || !*st.out)
        st.out = ".";
    /* the size comes from the environment when the output is no terminal */
    snprintf(num, sizeof num, "%d", rows);
    setenv("LINES", num, 1);
    snprintf(num, sizeof num, "%d", cols);
    setenv("COLUMNS", num, 1);
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    if (!out || !in)
        fail("/dev/null", strerror(errno));
    if (!newterm("xterm-256color", out, in))
        fail("no terminal description for xterm-256color", NULL);
    if (LINES != rows || COLS != cols)
        resize_term(rows, cols); /* unlike resizeterm(), queues no KEY_RESIZE */
}

/* Line-drawing characters are stored as their terminal's alternate-charset letters ('q' for a
 * horizontal line); the screen files show what a person sees. */
static wchar_t acs_char(wchar_t c)
{
    static const struct {
        char acs;
        wchar_t shown;
    } map[] = {
        {'q', L'─'}, {'x', L'│'}, {'l', L'┌'}, {'k', L'┐'}, {'m', L'└'}, {'j', L'┘'},
        {'t', L'├'}, {'u', L'┤'}, {'v', L'┴'}, {'w', L'┬'}, {'n', L'┼'}, {'a', L'▒'},
        {'0', L'█'}, {'~', L'·'}, {'`', L'◆'}, {'f', L'°'}, {'g', L'±'}, {'h', L'░'},
        {',', L'←'}, {'+', L'→'}, {'.', L'↓'}, {'-', L'↑'}, {'y', L'≤'}, {'z', L'≥'},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (c == (wchar_t)map[i].acs)
            return map[i].shown;
    return c;
}

/* ---- writing the screen ------------------------------------------------------------------ */

/* NAME.txt: the text, one line per screen row, trailing spaces cut; NAME.roles: one letter per
 * cell. Read from curscr, which holds what was last sent to the terminal, dialogs included. */
static void write_screen(const char *name)
{
    char path[4096];
    int y0, x0;
    if (strchr(name, '/') || !*name)
        fail("a screen name is one word", name);
    snprintf(path, sizeof path, "%s/%s.txt", st.out, name);
    FILE *txt = fopen(path, "w");
    if (!txt)
        fail(path, strerror(errno));
    snprintf(path, sizeof path, "%s/%s.roles", st.out, name);
    FILE *roles = fopen(path, "w");
    if (!roles)
        fail(path, strerror(errno));
    getyx(curscr, y0, x0);
    for (int y = 0; y < LINES; y++) {
        char line[8192];
        size_t len = 0, kept = 0;
        for (int x = 0; x < COLS; x++) {
            cchar_t cc;
            wchar_t wch[CCHARW_MAX + 1] = {0};
            attr_t attrs = 0;
            short pair;
            if (mvwin_wch(curscr, y, x, &cc) == ERR ||
                getcchar(&cc, wch, &attrs, &pair, NULL) == ERR) {
                wch[0] = L'?';
                pair = 0;
            }
            fputc(pair >= 0 && pair < ROLE_COUNT ? role_letters[pair] : '?', roles);
            if (attrs & A_ALTCHARSET)
                wch[0] = acs_char(wch[0]);
            for (int i = 0; wch[i] && i < CCHARW_MAX; i++) {
                char mb[MB_LEN_MAX];
                mbstate_t ms = {0};
                size_t n = wcrtomb(mb, wch[i], &ms);
                if (n == (size_t)-1) {
                    mb[0] = '?';
                    n = 1;
                }
                if (len + n < sizeof line) {
                    memcpy(line + len, mb, n);
                    len += n;
                }
            }
            if (!wch[0] && len + 1 < sizeof line)
                line[len++] = ' ';
            if (!(wch[0] == L' ' && !wch[1]))
                kept = len;
            /* the second cell of a wide character holds no character of its own */
            if (wch[0] && wcwidth(wch[0]) == 2 && x + 1 < COLS) {
                x++;
                fputc(pair >= 0 && pair < ROLE_COUNT ? role_letters[pair] : '?', roles);
            }
        }
        fwrite(line, 1, kept, txt);
        fputc('\n', txt);
        fputc('\n', roles);
    }
    wmove(curscr, y0, x0);
    if (fclose(txt) || fclose(roles))
        fail("cannot write the screen", name);
}

/* ---- the script -------------------------------------------------------------------------- */

static const struct {
    const char *name;
    int code; /* a curses key code (KEY_MIN and up) or a character */
} key_names[] = {
    {"Enter", '\r'},    {"Esc", 27},        {"Tab", '\t'},       {"BTab", KEY_BTAB},
    {"Up", KEY_UP},     {"Down", KEY_DOWN}, {"Left", KEY_LEFT},  {"Right", KEY_RIGHT},
    {"Home", KEY_HOME}, {"End", KEY_END},   {"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE},
    {"Backspace", 127}, {"Delete", KEY_DC}, {"Space", ' '},      {"Resize", KEY_RESIZE},
    {"C-c", 3},         {"C-l", 12},
};

static int key_code(const char *name)
{
    int n;
    char end;
    if (sscanf(name, "F%d%c", &n, &end) == 1 && n >= 1 && n <= 12)
        return KEY_F(n);
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (!strcmp(name, key_names[i].name))
            return key_names[i].code;
    fail("no such key", name);
}

static void write_clock(const char *when)
{
    const char *path = getenv("VAXSITE_CLOCK_FILE");
    int64_t t;
    if (!path || !*path)
        fail("a clock step needs VAXSITE_CLOCK_FILE", when);
    if (vax_parse_time(when, &t) != VAX_OK)
        fail("not a time", when);
    FILE *f = fopen(path, "w");
    if (!f || fprintf(f, "%s\n", when) < 0 || fclose(f))
        fail(path, strerror(errno));
}

/* The next step that is a key or a tick; screens and clock changes on the way are done here. At
 * the end of the script the program ends. */
static enum step_kind next_step(int *code)
{
    if (st.itext < st.ntext) {
        *code = (int)st.text[st.itext++];
        return STEP_CHAR;
    }
    if (st.repeat > 0) {
        st.repeat--;
        *code = st.repeat_code;
        return (enum step_kind)st.repeat_kind;
    }
    while (st.next < st.nlines) {
        char *s = st.line[st.next++];
        char *arg = strchr(s, ' ');
        size_t cmd = arg ? (size_t)(arg - s) : strlen(s);
        arg = arg ? arg + 1 : s + cmd;
        int n = 1;
        if (cmd == 4 && !strncmp(s, "text", 4)) {
            size_t len = mbstowcs(st.text, arg, sizeof st.text / sizeof st.text[0] - 1);
            if (len == (size_t)-1)
                fail("text is not valid UTF-8 in this locale", arg);
            st.ntext = (int)len;
            st.itext = 0;
            if (st.ntext > 0) {
                *code = (int)st.text[st.itext++];
                return STEP_CHAR;
            }
        } else if (cmd == 3 && !strncmp(s, "key", 3)) {
            char name[32];
            if (sscanf(arg, "%31s %d", name, &n) < 1 || n < 1)
                fail("key NAME [COUNT]", s);
            *code = key_code(name);
            st.repeat = n - 1;
            st.repeat_code = *code;
            st.repeat_kind = *code >= KEY_MIN ? STEP_CODE : STEP_CHAR;
            return (enum step_kind)st.repeat_kind;
        } else if (cmd == 4 && !strncmp(s, "tick", 4)) {
            if (*arg && (sscanf(arg, "%d", &n) != 1 || n < 1))
                fail("tick [COUNT]", s);
            st.repeat = n - 1;
            st.repeat_kind = STEP_TICK;
            return STEP_TICK;
        } else if (cmd == 5 && !strncmp(s, "clock", 5)) {
            write_clock(arg);
        } else if (cmd == 6 && !strncmp(s, "resize", 6)) {
            int cols, rows;
            if (!parse_size(arg, &cols, &rows))
                fail("resize COLS ROWS", s);
            *code = rows * 10000 + cols;
            return STEP_RESIZE;
        } else if (cmd == 6 && !strncmp(s, "screen", 6)) {
            wint_t none;
            /* a read that finds nothing refreshes the screen as a real read would first */
            int delay = wgetdelay(stdscr);
            timeout(0);
            get_wch(&none);
            timeout(delay);
            write_screen(arg);
        } else {
            fail("unknown step", s);
        }
    }
    ui_term_finish();
}

int ui_screentest_get_wch(wint_t *ch)
{
    int code, rc, delay = wgetdelay(stdscr);
    enum step_kind kind = next_step(&code);
    if (kind == STEP_RESIZE) {
        resizeterm(code / 10000, code % 10000);
        code = KEY_RESIZE;
        kind = STEP_CODE;
        flushinp(); /* resizeterm() may queue a KEY_RESIZE of its own: hand out exactly one */
    }
    if (kind == STEP_CODE)
        ungetch(code);
    else if (kind == STEP_CHAR)
        unget_wch((wchar_t)code);
    timeout(0);
    rc = get_wch(ch);
    timeout(delay);
    if (kind != STEP_TICK && rc == ERR)
        fail("a scripted key was lost", NULL);
    return rc;
}
