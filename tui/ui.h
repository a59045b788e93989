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

/* ---- keys (keymap.c) ---------------------------------------------------------------------- */
/* A key as the terminal gives it, before any meaning: what it does is the station's to say (its
 * key table below), so that one key can mean one thing wherever it is pressed. */
typedef enum ui_keycode {
    UI_KEY_NONE, /* a timeout: no key */
    UI_KEY_CHAR, /* a printable character (ui_key.ch) */
    UI_KEY_UP,
    UI_KEY_DOWN,
    UI_KEY_LEFT,
    UI_KEY_RIGHT,
    UI_KEY_HOME,
    UI_KEY_END,
    UI_KEY_PGUP,
    UI_KEY_PGDN,
    UI_KEY_TAB,
    UI_KEY_BTAB,
    UI_KEY_BACKSPACE,
    UI_KEY_DELETE,
    UI_KEY_ENTER,
    UI_KEY_ESC,
    UI_KEY_F1,
    UI_KEY_F2,
    UI_KEY_F3,
    UI_KEY_F4,
    UI_KEY_F5,
    UI_KEY_F6,
    UI_KEY_F7,
    UI_KEY_F8,
    UI_KEY_F9,
    UI_KEY_F10,
    UI_KEY_F11,
    UI_KEY_F12,
    UI_KEY_CTRL_C,  /* raw mode: Ctrl-C arrives as a key */
    UI_KEY_REPAINT, /* Ctrl-L */
    UI_KEY_RESIZE,
    UI_KEY_COUNT
} ui_keycode;

typedef struct ui_key {
    ui_keycode code;
    wint_t ch; /* for UI_KEY_CHAR */
} ui_key;

/* Reads one key (or a timeout: UI_KEY_NONE). */
ui_key ui_read_key(void);
/* The key's name as the key bar and the help show it ("F2", "Enter"), in the UI language. */
const char *ui_key_name(ui_keycode code);
/* A resize or Ctrl-L: only the screen is drawn again. */
int ui_key_redraws(ui_key k);
/* Esc, F10 or Ctrl-C: what closes a dialog without an answer. */
int ui_key_cancels(ui_key k);

/* ---- what keys do: each station's key table (keymap.c) ------------------------------------ */
/* Actions are named for what they do; a station binds each to one key, and an action has the
 * same key at every station that has it (tests/keys checks it). */
typedef enum ui_act {
    ACT_NONE,
    /* everywhere (the common rows) */
    ACT_HELP,
    ACT_STATION,
    ACT_QUIT,
    ACT_REPAINT,
    /* forms */
    ACT_SAVE,
    ACT_NEXT_FIELD,
    ACT_CANCEL,
    /* sign-in */
    ACT_SIGN_IN,
    ACT_OPEN_STATION,
    ACT_SIGN_OUT,
    /* the people's path */
    ACT_CHECK_IN,
    ACT_REGISTER,
    ACT_URGENT,
    ACT_UNDO_CHECKIN,
    ACT_CERTIFICATE,
    ACT_BOOK,
    ACT_CLEAR_SEARCH,
    ACT_CORRECT,
    ACT_VOID_DOSE,
    ACT_CALL_NEXT,
    ACT_RESUME,
    ACT_SEND_BACK,
    ACT_CONFIRM,
    ACT_CHANGE_OUTCOME,
    ACT_NEXT_PART,
    ACT_DISCARD_ANSWERS,
    ACT_RECORD_DOSE,
    ACT_RECORD_ADDITIONAL,
    ACT_SHOW_SCREENING,
    ACT_OPEN_VIAL,
    ACT_DISCARD_VIAL,
    ACT_END_OF_DAY,
    ACT_RELEASE,
    ACT_REACTION,
    ACT_AEFI_REPORT,
    ACT_BELL,
    ACT_RETURN_WAITING,
    /* lists and the manager's screens */
    ACT_SELECT,
    ACT_SELECT_ALL,
    ACT_FILTER_PRODUCT,
    ACT_FILTER_OVERDUE,
    ACT_FILTER_COMMUNE,
    ACT_PREV_DAY,
    ACT_NEXT_DAY,
    ACT_PLAN_DAY,
    ACT_COPY_PLAN,
    ACT_CLOSE_SLOT,
    ACT_CLOSE_DAY,
    ACT_RECEIVE_LOT,
    ACT_VIEW_COLD_CHAIN,
    ACT_VIEW_USE_FAST,
    ACT_LOG_TEMP,
    ACT_DECIDE_HOLD,
    ACT_EXPORT,
    ACT_QUICK_REPORT,
    ACT_MOH_DAILY,
    ACT_ADD,
    ACT_CHANGE,
    ACT_VIEW_STAFF,
    ACT_VIEW_DESKS,
    ACT_VIEW_SETTINGS,
    ACT_NEXT_STEP,
    ACT_RESOLVE,
    ACT_PREV_PAGE,
    ACT_NEXT_PAGE,
    ACT_VIEW_CONFLICTS,
    ACT_VIEW_QUARANTINE,
    ACT_COUNT
} ui_act;

typedef struct ui_app ui_app;
#define UI_DESKS_MAX 64

/* Key bar priorities: a row with a higher one stays longer when the bar is too narrow. */
#define UI_BAR_NEVER 0 /* F1 only */
#define UI_BAR_ALWAYS 100

/* One row: a key, what it does (the action), its word on the key bar, its line in F1, the modes
 * of the station it applies in, and the function that does it. */
typedef struct ui_keyrow {
    ui_keycode key;
    /* UI_KEY_CHAR: N_("what it does|letter"), translated with a translator comment, so that each
     * language shows and accepts its own letter (either case); " " is Space */
    const char *letter;
    ui_act act;
    const char *label; /* N_: the key bar's word */
    const char *help;  /* N_: what it does, for F1 */
    unsigned modes;    /* the station's modes (bits) where it applies; 0: all */
    int bar;           /* UI_BAR_NEVER, or the key bar's priority */
    void (*run)(ui_app *app);
} ui_keyrow;

typedef struct ui_keytable {
    const char *name; /* "checkin": for the tests */
    const ui_keyrow *rows;
    int n;
    const char *const *mode_names; /* for the tests: what each mode bit is ("search", "form") */
    int nmodes;
} ui_keytable;

#define UI_KEYTABLE(name, rows, modes)                                                             \
    {                                                                                              \
        name, rows, (int)(sizeof rows / sizeof rows[0]), modes,                                    \
            (int)(sizeof modes / sizeof modes[0])                                                  \
    }

/* The common rows (help, station, quit, repaint), after each station's own. */
extern const ui_keytable ui_keys_common;
/* The key's name ("F2", or the letter in this language). */
const char *ui_keyrow_key(const ui_keyrow *r);
/* The row a key triggers in a mode of the table (NULL: none): letters match either case. */
const ui_keyrow *ui_keys_find(const ui_keytable *t, unsigned mode, ui_key k);
/* The row of an action in the table and mode (NULL: none). */
const ui_keyrow *ui_keys_find_act(const ui_keytable *t, unsigned mode, ui_act a);
/* F1's text for a table in a mode: each row's key, word and help on a line, then the common rows
 * and the keys that move and type everywhere. Returns the length written. */
size_t ui_keys_help_text(const ui_keytable *t, unsigned mode, int in_station, char *out,
                         size_t size);
/* A line of the rows not on the bar (letters), "Space select · a all": where a screen hints them.
 */
void ui_keys_hint(const ui_keytable *t, unsigned mode, char *out, size_t size);
/* The key of an action at the screen shown now (for messages that name it), "" if none. */
const char *ui_act_key(ui_app *app, ui_act a);

/* The stations' tables, for the tests. */
extern const ui_keytable ui_keys_signin, ui_keys_checkin, ui_keys_screening, ui_keys_injection,
    ui_keys_observe, ui_keys_queue, ui_keys_due, ui_keys_planning, ui_keys_stock, ui_keys_reports,
    ui_keys_firstrun, ui_keys_admin, ui_keys_conflicts;

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

typedef enum ui_msg_kind { MSG_INFO, MSG_OK, MSG_ERROR } ui_msg_kind;

typedef struct ui_screen {
    const char *name; /* translated title */
    /* draws what load() read: never reads the database itself */
    void (*draw)(ui_app *app, WINDOW *w, int rows, int cols);
    /* (may be NULL) reads what draw() shows: after each key, when another station commits
     * (data_version), when the clock's minute turns, and at each tick */
    void (*load)(ui_app *app);
    /* the keys no table row takes (text input, list movement); returns 1 if the key was used */
    int (*key)(ui_app *app, ui_key k);
    /* what the keys do: the key bar, F1 and the dispatch come from it */
    const ui_keytable *keys;
    /* (may be NULL) the mode the screen is in now, one bit of the table's modes */
    unsigned (*mode)(ui_app *app);
    void *state;
    int tick_ms; /* >0: load and redraw this often anyway (a countdown in seconds) */
    /* called at each tick after the load (may be NULL): bells, timers */
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
    int leave;                           /* set by F9 (1: change station) or F10 (2: quit) */
    int in_station;                      /* 0 at sign-in: F9 does not apply */
    /* the desk or room of a station that has several ("screening-2"), chosen at sign-in; what
     * its calls, vials and doses record; "" at a station that has none */
    char desk[VAX_DESK_CODE_MAX];
    /* every desk, retired ones too (their names stay in the history), read with each load so
     * that a screen names desks without reading the database while it draws */
    vax_desk desks[UI_DESKS_MAX];
    int ndesks;
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
/* the longest a scanner types into the check-in's search: an EU DCC's QR ("HC1:...", up to about
 * 1100 characters in the public test data); a chip ID card's takes about 200 */
#define UI_INPUT_MAX 2048
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
/* The same where an empty answer is one (an optional field). */
int ui_dialog_ask_optional(ui_app *app, const char *title, const char *prompt, char *buf,
                           size_t size);
/* Shows a ticket number in big digits with a line of text until a key is pressed, and returns
 * that key, so that a letter typed at once (the next name) is not lost. */
ui_key ui_dialog_ticket(ui_app *app, const char *title, int ticket, const char *line);
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
/* Help: what each key does at the screen shown (its key table, in its mode). */
void ui_dialog_help(ui_app *app);
/* The screen's mode now (0 without a mode function). */
unsigned ui_screen_mode(ui_app *app);
/* Runs the screen's table row for k, then the common rows; 1 if one took it. */
int ui_keys_dispatch(ui_app *app, ui_key k);

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
/* The name of the desk a station code records ("screening-2" -> "Bàn khám 2"), from the desks
 * app->desks holds; a code of no desk there is named by its kind and number. */
void ui_place_name(const ui_app *app, const char *code, char *out, size_t size);
/* Reads the site's desks into app->desks (none on an error: places are then named by kind). */
void ui_desks_load(ui_app *app);
/* Which desk of a kind ("screening", "injection") this terminal works at: VAXSITE_DESK=N names
 * desk N (for tests and fixed terminals); else the one active desk, or a choice among the
 * active desks' names. Sets app->desk and the title; 0 if the choice was cancelled. */
int ui_desk_choose(ui_app *app, const char *kind);

/* ---- screens ----------------------------------------------------------------------------- */
/* Signs a staff member in and chooses the station; returns 0 if the user quit. keep_staff (after
 * F9 at a station): the member still signed in goes straight to the station list, where Esc signs
 * them out. */
/* One turn of the modal screen app->screen (the sign-in, the first run): draws if needed, waits
 * for a key and gives it to the screen's key table, then to its key(). 0: go on; 1: a signal ended
 * the program; 2: the screen asked to leave (app->leave == 2). */
int ui_modal_turn(ui_app *app);
int ui_signin_run(ui_app *app, int keep_staff);
/* 1 if the database has no site yet, or a site and no staff (screen_firstrun.c). */
int ui_firstrun_needed(ui_app *app);
/* The manager's set-up of the site and its first manager; 1 when both are saved, 0 if the user
 * quit (nothing written unless a save got as far as the site). */
int ui_firstrun_run(ui_app *app);
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
/* The manager's screens (station_admin.c): staff, desks and rooms, settings. */
ui_screen *ui_station_admin(ui_app *app);
void ui_station_admin_free(ui_screen *s);
ui_screen *ui_station_conflicts(ui_app *app);
void ui_station_conflicts_free(ui_screen *s);

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
/* Ends the program now (as ui_term_end) if a signal asked it to: for a loop that left because it
 * saw the flag between two keys, so that it never exits as if the user had quit. */
void ui_term_pending(void);
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
