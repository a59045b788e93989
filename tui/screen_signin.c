/* screen_signin.c: who is working (login and PIN) and at which station. */
#include "ui.h"

#include <stdio.h>
#include <string.h>

#define NSTATIONS ui_nstations
#define stations ui_stations

enum phase { PHASE_LOGIN, PHASE_NEWPIN, PHASE_STATION };

typedef struct signin {
    ui_form form;
    ui_form newpin; /* a PIN a manager reset: the new one, twice */
    char reset_login[64];
    char reset_why[256]; /* vax_errmsg of the sign-in that found the reset */
    enum phase phase;
    ui_list stations;
    vax_staff staff[64];
    int nstaff;
    vax_device device; /* .reminted: this file was copied here; its events get a new device id */
} signin;

static void station_row(WINDOW *w, int y, int x, int width, int index, int selected, void *ctx)
{
    char line[160];
    (void)ctx;
    (void)selected;
    /* a number is a key that opens the station; past 9 there is none to type (a "1" would open
     * the first station at once), so the row shows none and is reached with the arrows */
    if (index < 9)
        snprintf(line, sizeof line, " %d  %s", index + 1, _(stations[index].label));
    else
        snprintf(line, sizeof line, "    %s", _(stations[index].label));
    ui_put(w, y, x, line, width);
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    signin *s = app->screen->state;
    int x = 2, y = 1;
    ui_role_on(w, ROLE_TITLE);
    ui_put(w, y, x,
           s->phase == PHASE_LOGIN    ? _("Sign in")
           : s->phase == PHASE_NEWPIN ? _("Set a new PIN")
                                      : _("Choose your station"),
           cols - 4);
    ui_role_off(w, ROLE_TITLE);
    y += 2;
    if (s->phase == PHASE_NEWPIN) {
        char who[200];
        snprintf(who, sizeof who, _("Login: %s"), s->reset_login);
        ui_put(w, y++, x, who, cols - 4);
        ui_role_on(w, ROLE_WARNING);
        y += ui_put_wrapped(w, y, x, cols - 2 * x, 2, s->reset_why);
        ui_role_off(w, ROLE_WARNING);
        y++;
        ui_form_draw(w, y, x, cols - 2 * x, 4, &s->newpin);
        ui_cursor_here(app, w);
        return;
    }
    if (s->phase == PHASE_STATION) {
        char hello[200];
        snprintf(hello, sizeof hello, _("Signed in: %s (%s)"), app->staff.name,
                 vax_role_label(app->staff.role));
        ui_put(w, y, x, hello, cols - 4);
        ui_list_draw(w, y + 2, x, cols - 2 * x < 50 ? cols - 2 * x : 50, NSTATIONS, &s->stations,
                     station_row, NULL);
        return;
    }
    ui_form_draw(w, y, x, cols - 2 * x, 4, &s->form);
    int cy, cx;
    getyx(w, cy, cx);
    y += 5;
    if (app->site.is_demo) {
        ui_role_on(w, ROLE_WARNING);
        ui_put(w, y++, x, _("Demo site: every PIN is 1234."), cols - 4);
        ui_role_off(w, ROLE_WARNING);
    }
    if (s->device.reminted) {
        char line[200];
        snprintf(line, sizeof line,
                 _("This database was copied from another machine or folder: it is now device "
                   "%.8s (was %.8s)."),
                 s->device.id, s->device.previous);
        ui_role_on(w, ROLE_WARNING);
        ui_put(w, y++, x, line, cols - 4);
        ui_role_off(w, ROLE_WARNING);
    }
    y++;
    ui_role_on(w, ROLE_DIM);
    ui_put(w, y++, x, _("Staff of this site (login · name · role):"), cols - 4);
    ui_role_off(w, ROLE_DIM);
    for (int i = 0; i < s->nstaff && y < rows; i++, y++) {
        char line[300];
        /* logins are ASCII, so %-12s pads them by columns too */
        snprintf(line, sizeof line, "  %-12s %s · %s", s->staff[i].login, s->staff[i].name,
                 vax_role_label(s->staff[i].role));
        ui_put(w, y, x, line, cols - 4);
    }
    wmove(w, cy, cx);
    ui_cursor_here(app, w);
}

static int try_sign_in(ui_app *app, signin *s)
{
    char login[64], pin[32];
    ui_input_get(&ui_form_field(&s->form, "login")->input, login, sizeof login);
    ui_input_get(&ui_form_field(&s->form, "pin")->input, pin, sizeof pin);
    int rc = vax_staff_sign_in(app->db, login, pin, &app->staff);
    ui_input_clear(&ui_form_field(&s->form, "pin")->input);
    memset(pin, 0, sizeof pin);
    if (rc == VAX_EPINRESET) {
        /* the old PIN no longer signs in: the member sets a new one here, then works as usual */
        snprintf(s->reset_login, sizeof s->reset_login, "%s", login);
        snprintf(s->reset_why, sizeof s->reset_why, "%s", vax_errmsg(app->db));
        ui_input_clear(&s->newpin.fields[0].input);
        ui_input_clear(&s->newpin.fields[1].input);
        s->newpin.focus = 0;
        s->phase = PHASE_NEWPIN;
        app->msg[0] = 0;
        return 0;
    }
    if (rc != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        s->form.focus = strcmp(vax_errfield(app->db), "login") == 0 ? 0 : 1;
        return 0;
    }
    ui_message(app, MSG_OK, _("Welcome, %s."), app->staff.name);
    return 1;
}

/* Enter on the login goes to the PIN; on the PIN it signs in. */
enum { MODE_LOGIN = 1, MODE_STATION = 2, MODE_NEWPIN = 4 };

static void do_sign_in(ui_app *app)
{
    signin *s = app->screen->state;
    if (s->form.focus == 0) {
        s->form.focus = 1;
        return;
    }
    if (try_sign_in(app, s))
        s->phase = PHASE_STATION;
}

/* Enter on the new PIN goes to its repeat; on the repeat it sets the PIN, which signs in. */
static void do_set_pin(ui_app *app)
{
    signin *s = app->screen->state;
    char pin[32], again[32];
    if (s->newpin.focus == 0) {
        s->newpin.focus = 1;
        return;
    }
    ui_input_get(&s->newpin.fields[0].input, pin, sizeof pin);
    ui_input_get(&s->newpin.fields[1].input, again, sizeof again);
    ui_input_clear(&s->newpin.fields[0].input);
    ui_input_clear(&s->newpin.fields[1].input);
    s->newpin.focus = 0;
    if (strcmp(pin, again) != 0) {
        ui_message(app, MSG_ERROR, "%s",
                   _("The two PINs are not the same: type the new PIN again."));
        goto out;
    }
    int rc = vax_staff_set_pin(app->db, s->reset_login, pin, &app->staff);
    if (rc == VAX_OK) {
        s->phase = PHASE_STATION;
        ui_message(app, MSG_OK, _("New PIN set. Welcome, %s."), app->staff.name);
    } else if (rc == VAX_EINVAL) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    } else {
        /* VAX_ESTATE: someone set this PIN meanwhile; the login screen is where to go on */
        memset(&app->staff, 0, sizeof app->staff);
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        s->phase = PHASE_LOGIN;
        s->form.focus = 1;
    }
out:
    memset(pin, 0, sizeof pin);
    memset(again, 0, sizeof again);
}

static void next_field(ui_app *app)
{
    signin *s = app->screen->state;
    ui_form_key(s->phase == PHASE_NEWPIN ? &s->newpin : &s->form, (ui_key){UI_KEY_TAB, 0});
}

static void cancel_pin(ui_app *app)
{
    signin *s = app->screen->state;
    ui_input_clear(&s->newpin.fields[0].input);
    ui_input_clear(&s->newpin.fields[1].input);
    s->phase = PHASE_LOGIN;
    s->form.focus = 1;
    ui_message(app, MSG_INFO, "%s", _("No new PIN set: the login still needs one."));
}

static void open_station(ui_app *app)
{
    signin *s = app->screen->state;
    int i = s->stations.selected;
    if (stations[i].needs >= 0 && !vax_role_may(app->staff.role, (vax_action)stations[i].needs)) {
        ui_message(app, MSG_ERROR, _("Your role (%s) cannot work at the %s."),
                   vax_role_label(app->staff.role), _(stations[i].label));
        return;
    }
    snprintf(app->station_label, sizeof app->station_label, "%s", _(stations[i].label));
    /* a station of which the site has several desks works at one, named in the title */
    if (!strcmp(stations[i].code, "screening") || !strcmp(stations[i].code, "injection")) {
        if (!ui_desk_choose(app, stations[i].code))
            return;
    } else
        app->desk[0] = 0;
    snprintf(app->station, sizeof app->station, "%s", stations[i].code);
    app->running = 0;
}

static void sign_out(ui_app *app)
{
    signin *s = app->screen->state;
    s->phase = PHASE_LOGIN;
    vax_staff_sign_out(app->db);
    memset(&app->staff, 0, sizeof app->staff);
    snprintf(app->station_label, sizeof app->station_label, "%s", _("Sign in"));
    ui_message(app, MSG_OK, "%s", _("Signed out."));
}

static unsigned mode(ui_app *app)
{
    signin *s = app->screen->state;
    return s->phase == PHASE_LOGIN    ? MODE_LOGIN
           : s->phase == PHASE_NEWPIN ? MODE_NEWPIN
                                      : MODE_STATION;
}

static const ui_keyrow rows[] = {
    {UI_KEY_ENTER, NULL, ACT_SIGN_IN, N_("Sign in"), N_("from the login to the PIN; signs in"),
     MODE_LOGIN, 90, do_sign_in},
    {UI_KEY_TAB, NULL, ACT_NEXT_FIELD, N_("Next field"), N_("the next field of the form"),
     MODE_LOGIN, 50, next_field},
    {UI_KEY_ENTER, NULL, ACT_SIGN_IN, N_("Set PIN"),
     N_("from the new PIN to its repeat; sets the PIN and signs in"), MODE_NEWPIN, 90, do_set_pin},
    {UI_KEY_TAB, NULL, ACT_NEXT_FIELD, N_("Next field"), N_("the next field of the form"),
     MODE_NEWPIN, 50, next_field},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Cancel"), N_("back to the login without a new PIN"),
     MODE_NEWPIN, 60, cancel_pin},
    {UI_KEY_ENTER, NULL, ACT_OPEN_STATION, N_("Open station"),
     N_("opens the station chosen (or press its number)"), MODE_STATION, 90, open_station},
    {UI_KEY_ESC, NULL, ACT_SIGN_OUT, N_("Back"), N_("signs out, back to the login"), MODE_STATION,
     50, sign_out},
};
static const char *const mode_names[] = {"login", "station", "newpin"};
const ui_keytable ui_keys_signin = UI_KEYTABLE("signin", rows, mode_names);

/* The keys no row takes: a station's number, list movement, the form's typing. */
static int key(ui_app *app, ui_key k)
{
    signin *s = app->screen->state;
    if (s->phase == PHASE_STATION) {
        if (k.code == UI_KEY_CHAR && k.ch >= L'1' && k.ch <= L'9' &&
            k.ch < (wint_t)(L'1' + NSTATIONS)) {
            s->stations.selected = (int)(k.ch - L'1');
            open_station(app);
            return 1;
        }
        return ui_list_key(&s->stations, k, NSTATIONS);
    }
    if (s->phase == PHASE_NEWPIN) {
        /* digits only: a PIN is never a word */
        if (k.code == UI_KEY_CHAR && (k.ch < L'0' || k.ch > L'9'))
            return 1;
        return ui_form_key(&s->newpin, k);
    }
    if (k.code == UI_KEY_ESC) {
        ui_input_clear(&s->form.fields[s->form.focus].input);
        return 1;
    }
    return ui_form_key(&s->form, k);
}

int ui_signin_run(ui_app *app, int keep_staff)
{
    signin s;
    ui_screen screen = {0};
    memset(&s, 0, sizeof s);
    /* F9 from a station: the same person picks another station (Esc there signs out) */
    if (keep_staff && app->staff.id) {
        s.phase = PHASE_STATION;
        for (int i = 0; i < NSTATIONS; i++)
            if (!strcmp(stations[i].code, app->station))
                s.stations.selected = i;
    } else
        memset(&app->staff, 0, sizeof app->staff);
    ui_form_init(&s.form);
    ui_form_add(&s.form, "login", _("Login"), NULL, 60, NULL);
    ui_form_add(&s.form, "pin", _("PIN"), _("4 to 12 digits"), 12, NULL)->input.secret = 1;
    ui_form_init(&s.newpin);
    ui_form_add(&s.newpin, "pin", _("New PIN"), _("4 to 12 digits"), 12, NULL)->input.secret = 1;
    ui_form_add(&s.newpin, "pin2", _("New PIN again"), NULL, 12, NULL)->input.secret = 1;
    s.stations.count = NSTATIONS;
    vax_staff_list(app->db, s.staff, 64, &s.nstaff);
    if (vax_device_get(app->db, &s.device) != VAX_OK)
        memset(&s.device, 0, sizeof s.device);
    snprintf(app->station_label, sizeof app->station_label, "%s",
             s.phase == PHASE_LOGIN ? _("Sign in") : _("Choose your station"));
    screen.draw = draw;
    screen.key = key;
    screen.keys = &ui_keys_signin;
    screen.mode = mode;
    screen.state = &s;
    app->screen = &screen;
    app->running = 1;
    app->dirty = 1;
    while (app->running && ui_modal_turn(app) == 0)
        ;
    app->screen = NULL;
    int ok = !app->running && app->station[0] && app->staff.id && !ui_got_sigterm;
    memset(&s.form, 0, sizeof s.form); /* no PIN left in memory */
    memset(&s.newpin, 0, sizeof s.newpin);
    return ok;
}
