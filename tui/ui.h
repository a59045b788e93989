/* ui.h: the front end's shared pieces: the app, actions, colour roles, widgets and screens. */
#ifndef VAX_UI_H
#define VAX_UI_H

#include <curses.h>
#include <libintl.h>
#include <signal.h>
#include <stddef.h>
#include <wchar.h>

#include "vax.h"

#define _(s) gettext(s)
#define N_(s) (s)

#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24

/* ---- language (i18n.c) ------------------------------------------------------------------- */
/* Sets up gettext; lang is "vi", "en" or NULL (from the locale). Returns the language chosen. */
const char *ui_i18n_init(const char *lang);

/* ---- actions and the keymap (keymap.c) ----------------------------------------------------- */
typedef enum ui_action {
    UI_NONE,
    UI_CHAR, /* a printable character for the focused text input */
    UI_UP,
    UI_DOWN,
    UI_LEFT,
    UI_RIGHT,
    UI_HOME,
    UI_END,
    UI_PGUP,
    UI_PGDN,
    UI_NEXT_FIELD,
    UI_PREV_FIELD,
    UI_BACKSPACE,
    UI_DELETE,
    UI_ENTER,
    UI_CANCEL,
    UI_HELP,     /* F1 */
    UI_NEW,      /* F2 */
    UI_URGENT,   /* F3 */
    UI_UNDO,     /* F4 */
    UI_SAVE,     /* F5 */
    UI_REACTION, /* F6 */
    UI_BELL,     /* F7 */
    UI_BOOK,     /* F8: book an appointment */
    UI_SWITCH,   /* F9: change station */
    UI_QUIT,     /* F10 */
    UI_RESIZE,
    UI_ACTION_COUNT
} ui_action;

typedef struct ui_key {
    ui_action action;
    wint_t ch; /* for UI_CHAR */
} ui_key;

/* Reads one key (or a timeout: UI_NONE) and turns it into an action. */
ui_key ui_read_key(void);
/* The label of the key that triggers an action ("F2") and its help text. */
const char *ui_action_key(ui_action a);

/* ---- colour roles (app.c) ---------------------------------------------------------------- */
typedef enum ui_role {
    ROLE_NORMAL,
    ROLE_TITLE,
    ROLE_KEYBAR,
    ROLE_KEY,
    ROLE_SELECTED,
    ROLE_FIELD,
    ROLE_FIELD_FOCUS,
    ROLE_OK,
    ROLE_WARNING,
    ROLE_ERROR,
    ROLE_DIM,
    ROLE_URGENT,
    ROLE_TICKET,
    ROLE_QR, /* dark modules on a light ground, whatever the terminal's colours */
    ROLE_COUNT
} ui_role;

void ui_role_on(WINDOW *w, ui_role r);
int ui_colors_on(void);
void ui_role_off(WINDOW *w, ui_role r);

/* ---- drawing helpers (draw.c) -------------------------------------------------------------- */
/* Prints UTF-8 text at (y, x), cut to at most `width` columns (by display width, not bytes). */
int ui_put(WINDOW *w, int y, int x, const char *utf8, int width);
/* Same, but text that does not fit ends with "…", so that a cut is never read as a whole word. */
int ui_put_fit(WINDOW *w, int y, int x, const char *utf8, int width);
/* Same as ui_put, padded with spaces to exactly `width` columns. */
void ui_put_pad(WINDOW *w, int y, int x, const char *utf8, int width);
/* Centred in [x, x+width). */
void ui_put_center(WINDOW *w, int y, int x, const char *utf8, int width);
/* Display width of UTF-8 text. */
int ui_width(const char *utf8);
/* Text over as many lines as it needs, cut between words by display width, a new line at each
 * '\n' (at most rows lines); returns the lines used. */
int ui_put_wrapped(WINDOW *w, int y, int x, int width, int rows, const char *text);
/* The same, leaving out the first `skip` wrapped lines (a scrolled view). */
int ui_put_wrapped_from(WINDOW *w, int y, int x, int width, int rows, const char *text, int skip);
/* How many lines ui_put_wrapped needs for text at this width. */
int ui_wrap_count(const char *text, int width);
/* The bytes of text's first wrapped line; *rest: where the next line starts, NULL at the end. */
size_t ui_wrap_line(const char *text, int width, const char **rest);
/* Big digits for a ticket number: each digit is 5 rows x 6 columns. */
#define UI_BIG_ROWS 5
#define UI_BIG_COLS 6
void ui_big_number(WINDOW *w, int y, int x, const char *digits);
int ui_big_width(const char *digits);
/* The same font at any odd height from UI_BIG_ROWS up (an even height is one row less): its open
 * rows and columns stretch, its strokes thicken a little, so a digit stays the same shape. */
void ui_big_number_sized(WINDOW *w, int y, int x, const char *digits, int rows);
int ui_big_width_sized(const char *digits, int rows);

/* ---- the app (app.c) --------------------------------------------------------------------- */
typedef struct ui_app ui_app;

typedef enum ui_msg_kind { MSG_INFO, MSG_OK, MSG_ERROR } ui_msg_kind;

typedef struct ui_screen {
    const char *name; /* translated title */
    void (*draw)(ui_app *app, WINDOW *w, int rows, int cols);
    /* returns 1 if the key was used */
    int (*key)(ui_app *app, ui_key k);
    /* the key bar: actions with their labels */
    const ui_action *keys;
    const char *const *key_labels;
    int nkeys;
    void *state;
    int watch_ms; /* >0: poll the database for other stations' changes this often */
    int tick_ms;  /* >0: redraw this often anyway (a countdown) */
    /* called at each tick before the redraw (may be NULL): bells, timers */
    void (*tick)(ui_app *app);
    /* (may be NULL) 1 if leaving the station now would leave something behind: a person called
     * to this desk, a form with changed fields; what says it in a line ("Ticket 017 is called to
     * this desk"). F9, F10 and Ctrl-C ask before leaving when it does. */
    int (*unsaved)(ui_app *app, char *what, size_t size);
    /* (may be NULL) the program is ending without the user (terminal gone, a signal): record what
     * must be recorded (e.g. audit that a called person stays with this desk); no dialog. */
    void (*end)(ui_app *app, const char *why);
} ui_screen;

struct ui_app {
    vax_db *db;
    vax_site site;
    vax_staff staff;
    char station[32];       /* "checkin" */
    char station_label[64]; /* translated */
    ui_screen *screen;
    int running;
    int too_small;
    int rows, cols;
    char msg[512];
    ui_msg_kind msg_kind;
    int use_color;
    int dirty;
    int cursor_y, cursor_x, show_cursor; /* where the text cursor goes after a redraw */
};

int ui_app_run(vax_db *db);
/* Starts ncurses (raw keys, keypad, colour roles unless NO_COLOR); 1 if colours are on. */
int ui_curses_start(void);
void ui_message(ui_app *app, ui_msg_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_set_screen(ui_app *app, ui_screen *screen);
void ui_redraw(ui_app *app);
/* Puts the terminal cursor where w's cursor is once the screen is drawn (focused inputs). */
void ui_cursor_here(ui_app *app, WINDOW *w);

/* ---- widgets ----------------------------------------------------------------------------- */

/* A one-line text input holding wide characters (widget_input.c). */
#define UI_INPUT_MAX 128
typedef struct ui_input {
    wchar_t text[UI_INPUT_MAX + 1];
    int len, cursor, scroll;
    int max_chars;
    int secret; /* draw as * */
} ui_input;

void ui_input_init(ui_input *in, int max_chars);
void ui_input_set(ui_input *in, const char *utf8);
/* The text as UTF-8 into buf. */
void ui_input_get(const ui_input *in, char *buf, size_t size);
void ui_input_clear(ui_input *in);
/* Returns 1 if the key changed the text, 0 if it moved the cursor or was not for the input. */
int ui_input_key(ui_input *in, ui_key k, int *used);
void ui_input_draw(WINDOW *w, int y, int x, int width, ui_input *in, int focused);

/* A form: labelled inputs with a message per field (widget_form.c). */
#define UI_FORM_MAX 12
typedef int (*ui_field_check)(const char *value, char *msg, size_t msgsize);
typedef struct ui_field {
    const char *label; /* translated */
    const char *hint;  /* translated, shown right of the field */
    const char *key;   /* matches vax_errfield() */
    ui_input input;
    ui_field_check check;
    char error[256];
} ui_field;

typedef struct ui_form {
    ui_field fields[UI_FORM_MAX];
    int n, focus;
    int changed; /* a key changed a field's text since ui_form_init */
} ui_form;

void ui_form_init(ui_form *f);
ui_field *ui_form_add(ui_form *f, const char *key, const char *label, const char *hint,
                      int max_chars, ui_field_check check);
/* Focus moves, field checks on leaving a field. Returns 1 if used. */
int ui_form_key(ui_form *f, ui_key k);
void ui_form_draw(WINDOW *w, int y, int x, int width, int rows, ui_form *f);
ui_field *ui_form_field(ui_form *f, const char *key);
/* Runs every field check; focuses and returns 0 at the first failure. */
int ui_form_check_all(ui_form *f);
/* Shows a core error on the field vax_errfield() names (and focuses it). */
void ui_form_show_error(ui_form *f, const char *field, const char *msg);
/* 1 if the form may be left: nothing changed, or the user chose to discard (D); Esc and Enter
 * keep the input. */
int ui_form_may_discard(ui_app *app, const ui_form *f);
/* For a screen's unsaved hook: 1 with a line in what if the form has changes. */
int ui_form_unsaved(const ui_form *f, char *what, size_t size);

/* A scrollable list of rows drawn by a callback (widget_list.c). */
typedef struct ui_list {
    int count, selected, top;
} ui_list;
typedef void (*ui_list_row)(WINDOW *w, int y, int x, int width, int index, int selected, void *ctx);
void ui_list_draw(WINDOW *w, int y, int x, int width, int rows, ui_list *l, ui_list_row row,
                  void *ctx);
int ui_list_key(ui_list *l, ui_key k, int page);

/* Modal dialogs drawn over the screen (widget_dialog.c). */
/* Draws the screen, then a centred box with a title over it (size cut to the terminal); the
 * caller draws inside and deletes it. NULL if the terminal is too small. */
WINDOW *ui_dialog_box(ui_app *app, int rows, int cols, const char *title);
/* Asks for a line of text; returns 1 with the text in buf, 0 if cancelled. */
int ui_dialog_ask(ui_app *app, const char *title, const char *prompt, char *buf, size_t size);
/* Shows a ticket number in big digits with a line of text, until a key is pressed. */
void ui_dialog_ticket(ui_app *app, const char *title, int ticket, const char *line);
/* A list of choices: returns the index chosen (Enter, or its number key), -1 if cancelled. */
int ui_dialog_choose(ui_app *app, const char *title, const char *const *items, int n);
/* Ticks several choices (Space toggles, Enter confirms); 1 if confirmed with at least one. */
int ui_dialog_choose_many(ui_app *app, const char *title, const char *const *items, int n,
                          int *chosen);
/* Shows text (a line per '\n', each wrapped to the box and never cut) until Enter or Esc; it
 * scrolls with Up/Down/PgUp/PgDn when taller than the screen; role colours the text. */
void ui_dialog_text(ui_app *app, const char *title, const char *text, ui_role role);
/* The scrolled text box under ui_dialog_text: text, then the question (may be NULL), then the
 * footer; scroll keys move *top, any other key is returned for the caller to decide. */
ui_key ui_dialog_scroll(ui_app *app, const char *title, const char *text, ui_role role,
                        const char *question, const char *footer, int *top);
/* Help: the key table. */
void ui_dialog_help(ui_app *app);
/* The key table's lines for the help dialog (keymap.c). */
void ui_dialog_help_lines(int *n, ui_action *actions, const char **keys, const char **help,
                          int max);

/* A one-key choice among n items (widget_choice.c): hotkeys[i] picks item i (NULL: digits 1..9),
 * arrows and Enter too. Returns the index, or -1 if cancelled. */
int ui_dialog_pick(ui_app *app, const char *title, const char *prompt, const char *const *items,
                   const char *hotkeys, int n, int selected);
/* Shows lines (wrapped, scrolled) and a yes/no question; 1 for yes (Enter), 0 for no (Esc). */
int ui_dialog_confirm_lines(ui_app *app, const char *title, const char *const *lines, int n,
                            const char *question);
/* Shows lines and a question for something that cannot be undone: 1 only when the first letter
 * of `word` is typed (the footer says so), 0 for Esc; Enter does nothing. */
int ui_dialog_confirm_key(ui_app *app, const char *title, const char *const *lines, int n,
                          const char *question, const char *word);

/* ---- stations (stations.c) --------------------------------------------------------------- */
typedef struct ui_station {
    const char *code;  /* "checkin": also the station name recorded with queue events */
    const char *label; /* N_("Check-in desk") */
    int needs;         /* the vax_action the role must have to open it, or -1 */
    ui_screen *(*create)(ui_app *app);
    void (*destroy)(ui_screen *s);
} ui_station;

extern const ui_station ui_stations[];
extern const int ui_nstations;
const ui_station *ui_station_find(const char *code);
/* "screening-2" -> "Screening 2" in the UI language: the place a ticket is called to. */
void ui_place_name(const char *code, char *out, size_t size);

/* ---- screens ----------------------------------------------------------------------------- */
/* Signs a staff member in and chooses the station; returns 0 if the user quit. keep_staff (after
 * F9 at a station): the member still signed in goes straight to the station list, where Esc signs
 * them out. */
int ui_signin_run(ui_app *app, int keep_staff);
ui_screen *ui_station_checkin(ui_app *app);
void ui_station_checkin_free(ui_screen *s);
ui_screen *ui_station_queue(ui_app *app);
void ui_station_queue_free(ui_screen *s);
ui_screen *ui_station_injection(ui_app *app);
void ui_station_injection_free(ui_screen *s);
ui_screen *ui_station_stock(ui_app *app);
void ui_station_stock_free(ui_screen *s);
ui_screen *ui_station_observe(ui_app *app);
void ui_station_observe_free(ui_screen *s);
ui_screen *ui_station_screening(ui_app *app);
/* Planning (manager) and the due list, and the Book dialog: books person p into a slot
 * chosen from the next free ones; returns 1 if a booking was made (message set). */
ui_screen *ui_station_planning(ui_app *app);
void ui_station_planning_free(ui_screen *s);
ui_screen *ui_station_due(ui_app *app);
void ui_station_due_free(ui_screen *s);
int ui_dialog_book(ui_app *app, const vax_person *p);
/* A doctor's login and PIN (dialog_doctor.c) for a confirmation at another member's station:
 * 1 with both filled in, 0 if cancelled (pin wiped). login comes in as the text to start from;
 * error (may be "") says why the last try was refused. The caller checks them through the core. */
int ui_dialog_doctor(ui_app *app, const char *title, const char *line, const char *error,
                     char *login, size_t login_size, char *pin, size_t pin_size);
void ui_station_screening_free(ui_screen *s);
/* Reports: the day's figures, doses per hour as a bar chart, saving xlsx and CSV. */
ui_screen *ui_station_reports(ui_app *app);
void ui_station_reports_free(ui_screen *s);

/* ---- certificates (screen_cert.c) --------------------------------------------------------- */
/* The certificate of the dose given at a visit (issued now if it has none), on screen with print,
 * save as PDF and re-issue. */
void ui_cert_for_visit(ui_app *app, int64_t visit_id);
/* A person's certificates in force (a choice if several), to show and re-print. */
void ui_cert_for_person(ui_app *app, int64_t person_id);

/* ---- ending when the terminal goes away or on a signal (term.c) -------------------------- */
/* The signal that asked the program to end (SIGTERM, SIGINT, SIGHUP), 0 if none. */
extern volatile sig_atomic_t ui_got_sigterm;

typedef enum ui_end_reason {
    UI_END_HANGUP,
    UI_END_SIGTERM,
    UI_END_SIGINT,
    UI_END_SIGHUP
} ui_end_reason;
typedef void (*ui_end_hook)(void *ctx, ui_end_reason why);

/* Installs the handlers for SIGTERM, SIGINT and SIGHUP (they only set ui_got_sigterm). */
void ui_term_signals(void);
/* What runs before the program ends on its own (one hook: the session or the board). */
void ui_term_on_end(ui_end_hook hook, void *ctx);
/* get_wch() with the wait the caller set by timeout(), which never outlives the terminal: on a
 * hang-up, end of file, read error or signal it runs the end hook and exits (ui_end_status). */
int ui_term_get_wch(wint_t *ch);
/* Runs the end hook, leaves curses and exits with ui_end_status(why). */
_Noreturn void ui_term_end(ui_end_reason why);
/* The same end when the input ends as planned (a finished test script): exit status 0. */
_Noreturn void ui_term_finish(void);
/* 129 for a hang-up (SIGHUP or the terminal closed), 130 SIGINT, 143 SIGTERM. */
int ui_end_status(ui_end_reason why);
/* "terminal closed", "SIGTERM", ... for the audit trail. */
const char *ui_end_reason_code(ui_end_reason why);

/* ---- whole-screen tests (screentest.c) -------------------------------------------------- */
/* 1 when VAXSITE_SCREEN_SCRIPT names a script: keys come from it and no terminal is used. */
int ui_screentest_on(void);
/* Starts curses on no terminal (xterm-256color, colours on) at VAXSITE_SCREEN_SIZE; instead of
 * initscr(). Exits with status 2 and a line on stderr if the script or the size is wrong. */
void ui_screentest_start(void);
/* The next key of the script, as get_wch() returns it (ERR for a tick), never waiting; screens
 * and clock steps on the way are done first. At the end of the script: ui_term_finish(). */
int ui_screentest_get_wch(wint_t *ch);

#endif
