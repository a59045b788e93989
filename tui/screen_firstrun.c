/* screen_firstrun.c: a database with no site yet (or a site without any staff) opens on a
 * manager's set-up: the site's details, then the first manager's login and PIN. It writes through
 * the same core functions as `vaxsite site init` and `staff add`, as the operating-system user (the
 * file's owner, as at the command line), so the audit trail names who set the site up. Nothing is
 * written until the manager saves; Esc on the first page quits. */
#include "ui.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum page { PAGE_SITE, PAGE_MANAGER };

typedef struct firstrun {
    enum page page;
    ui_form site, manager;
    int site_done;  /* a site is there (saved by an earlier try, or found): not made again */
    int quit, done; /* the loop's end: quit (nothing more written) or set up */
    /* what was refused, naming the field: drawn whole under the form (a field's own line would
     * cut the facility code's explanation) */
    char error[512];
} firstrun;

/* "SITE" is what a check-in made before any set-up (queue.c); site init replaces it. */
static int site_is_real(const vax_site *s)
{
    return s->is_demo || strcmp(s->code, "SITE") != 0;
}

int ui_firstrun_needed(ui_app *app)
{
    vax_site s;
    vax_staff one;
    int n = 0;
    if (vax_site_details(app->db, &s) != VAX_OK || !site_is_real(&s))
        return 1;
    /* a site saved by a set-up that stopped before its manager: the manager is still to add */
    return vax_staff_list(app->db, &one, 1, &n) == VAX_OK && n == 0;
}

static void text_of(ui_form *f, const char *key, char *buf, size_t size)
{
    ui_input_get(&ui_form_field(f, key)->input, buf, size);
}

/* The kind as the core spells it, from the word typed in either language; "" if neither. */
static const char *kind_code(const char *typed)
{
    if (!strcmp(typed, "fixed") || !strcmp(typed, _("fixed")))
        return "fixed";
    if (!strcmp(typed, "mobile") || !strcmp(typed, _("mobile")))
        return "mobile";
    return "";
}

static const char *os_user(void)
{
    struct passwd *pw = getpwuid(geteuid());
    const char *u = pw ? pw->pw_name : getenv("USER");
    return u && *u ? u : "unknown";
}

/* Focuses the field key names on a page and says what is wrong with it (the message names the
 * field too), under the form. */
static void refuse(ui_app *app, firstrun *s, enum page page, const char *key, const char *msg)
{
    ui_form *f = page == PAGE_SITE ? &s->site : &s->manager;
    for (int i = 0; i < f->n; i++)
        if (key && !strcmp(f->fields[i].key, key))
            f->focus = i;
    s->page = page;
    snprintf(s->error, sizeof s->error, "%s", msg);
    app->msg[0] = 0;
}

/* The field the core named, on the page that holds it. */
static void show_error(ui_app *app, firstrun *s, enum page page)
{
    const char *field = vax_errfield(app->db);
    refuse(app, s, page, !strcmp(field, "name") && page == PAGE_MANAGER ? "fullname" : field,
           vax_errmsg(app->db));
}

static void save(ui_app *app, firstrun *s)
{
    char login[64], name[160], pin[32], again[32], kind[32];
    vax_site site;
    int rc = VAX_OK;
    memset(&site, 0, sizeof site);
    text_of(&s->site, "code", site.code, sizeof site.code);
    text_of(&s->site, "name", site.name, sizeof site.name);
    text_of(&s->site, "commune", site.commune, sizeof site.commune);
    text_of(&s->site, "district", site.district, sizeof site.district);
    text_of(&s->site, "province", site.province, sizeof site.province);
    text_of(&s->site, "kind", kind, sizeof kind);
    snprintf(site.kind, sizeof site.kind, "%s", kind_code(kind));
    text_of(&s->manager, "login", login, sizeof login);
    text_of(&s->manager, "fullname", name, sizeof name);
    text_of(&s->manager, "pin", pin, sizeof pin);
    text_of(&s->manager, "pin2", again, sizeof again);
    s->error[0] = 0;
    if (!s->site_done && !site.kind[0]) {
        refuse(app, s, PAGE_SITE, "kind",
               _("Kind: fixed (a vaccination clinic) or mobile (a mobile team)."));
        goto out;
    }
    if (strcmp(pin, again) != 0) {
        refuse(app, s, PAGE_MANAGER, "pin",
               _("PIN again: the two PINs are not the same; type both again."));
        ui_input_clear(&ui_form_field(&s->manager, "pin")->input);
        ui_input_clear(&ui_form_field(&s->manager, "pin2")->input);
        goto out;
    }
    /* the file's owner sets the site up, as `vaxsite site init` would: the audit names them */
    if ((rc = vax_staff_act_as_os_user(app->db, os_user())) != VAX_OK) {
        refuse(app, s, s->page, NULL, vax_errmsg(app->db));
        goto out;
    }
    if (!s->site_done) {
        if (vax_site_init(app->db, &site) != VAX_OK) {
            show_error(app, s, PAGE_SITE);
            goto out;
        }
        s->site_done = 1;
    }
    if (vax_staff_add(app->db, login, name, VAX_ROLE_MANAGER, pin, NULL) != VAX_OK) {
        /* the site is saved: what is left to do is the manager, on this page */
        show_error(app, s, PAGE_MANAGER);
        goto out;
    }
    vax_site_get(app->db, &app->site);
    ui_desks_load(app);
    ui_message(app, MSG_OK, _("Site %s is set up. Sign in as %s with the PIN just set."),
               site.code[0] ? site.code : app->site.code, login);
    s->done = 1;
out:
    /* nobody is signed in until the sign-in screen */
    vax_staff_sign_out(app->db);
    memset(pin, 0, sizeof pin);
    memset(again, 0, sizeof again);
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    firstrun *s = app->screen->state;
    int x = 2, y = 0;
    char line[300];
    ui_role_on(w, ROLE_TITLE);
    snprintf(line, sizeof line, " %s (%d/2) ",
             s->page == PAGE_SITE ? _("Set up this site") : _("The first manager"),
             s->page == PAGE_SITE ? 1 : 2);
    ui_put(w, y++, x, line, cols - 2 * x);
    ui_role_off(w, ROLE_TITLE);
    y += ui_put_wrapped(w, y, x, cols - 2 * x, 2,
                        s->page == PAGE_SITE
                            ? (s->site_done
                                   ? _("This database's site is set up; its first manager is "
                                       "still to add.")
                                   : _("This database has no site yet. Type the site's details "
                                       "as the national system knows them; nothing is saved "
                                       "before F5."))
                            : _("The manager adds staff, desks and settings. Choose a PIN of 4 "
                                "to 12 digits; it is asked twice."));
    y++;
    ui_form *f = s->page == PAGE_SITE ? &s->site : &s->manager;
    ui_form_draw(w, y, x, cols - 2 * x, rows - y, f);
    int cy, cx;
    getyx(w, cy, cx);
    if (s->error[0]) {
        ui_role_on(w, ROLE_ERROR);
        char says[600];
        snprintf(says, sizeof says, "✗ %s", s->error);
        ui_put_wrapped(w, y + 2 * f->n, x, cols - 2 * x, rows - y - 2 * f->n, says);
        ui_role_off(w, ROLE_ERROR);
    }
    wmove(w, cy, cx);
    ui_cursor_here(app, w);
}

static firstrun *state(ui_app *app)
{
    return app->screen->state;
}

static ui_form *form(firstrun *s)
{
    return s->page == PAGE_SITE ? &s->site : &s->manager;
}

static void act_save(ui_app *app)
{
    save(app, state(app));
}

static void act_next_field(ui_app *app)
{
    ui_form_key(form(state(app)), (ui_key){UI_KEY_TAB, 0});
}

/* Enter moves to the next field; on the site's last field it turns the page, on the manager's
 * last it saves. */
static void act_enter(ui_app *app)
{
    firstrun *s = state(app);
    ui_form *f = form(s);
    if (f->focus < f->n - 1) {
        ui_form_key(f, (ui_key){UI_KEY_TAB, 0});
        return;
    }
    if (s->page == PAGE_SITE) {
        s->page = PAGE_MANAGER;
        app->msg[0] = 0;
        s->error[0] = 0;
        return;
    }
    save(app, s);
}

static void act_back(ui_app *app)
{
    firstrun *s = state(app);
    if (s->page == PAGE_MANAGER) {
        s->page = PAGE_SITE;
        app->msg[0] = 0;
        return;
    }
    s->quit = 1;
}

enum { MODE_SITE = 1, MODE_MANAGER = 2 };

static unsigned mode(ui_app *app)
{
    return state(app)->page == PAGE_SITE ? MODE_SITE : MODE_MANAGER;
}

static const ui_keyrow rows[] = {
    {UI_KEY_ENTER, NULL, ACT_NEXT_STEP, N_("Next"),
     N_("the next field; on the last one, the manager's page"), MODE_SITE, 85, act_enter},
    {UI_KEY_ENTER, NULL, ACT_NEXT_STEP, N_("Next"),
     N_("the next field; on the last one, saves the site and the manager"), MODE_MANAGER, 85,
     act_enter},
    {UI_KEY_F5, NULL, ACT_SAVE, N_("Save"), N_("saves the site and its first manager"), 0, 90,
     act_save},
    {UI_KEY_TAB, NULL, ACT_NEXT_FIELD, N_("Next field"), N_("the next field of the form"), 0, 50,
     act_next_field},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Quit"), N_("quits without saving anything"), MODE_SITE, 60,
     act_back},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Back"), N_("back to the site's page"), MODE_MANAGER, 60,
     act_back},
};
static const char *const mode_names[] = {"site", "manager"};
const ui_keytable ui_keys_firstrun = UI_KEYTABLE("firstrun", rows, mode_names);

static int key(ui_app *app, ui_key k)
{
    firstrun *s = state(app);
    /* digits only in a PIN: a PIN is never a word */
    if (s->page == PAGE_MANAGER && k.code == UI_KEY_CHAR && s->manager.focus >= 2 &&
        (k.ch < L'0' || k.ch > L'9'))
        return 1;
    return ui_form_key(form(s), k);
}

int ui_firstrun_run(ui_app *app)
{
    firstrun s;
    vax_site found;
    ui_screen screen = {0};
    memset(&s, 0, sizeof s);
    ui_form_init(&s.site);
    ui_form_add(&s.site, "code", _("Site code"), _("5 digits, e.g. 12001"), 14, NULL);
    ui_form_add(&s.site, "name", _("Site name"), NULL, 100, NULL);
    ui_form_add(&s.site, "commune", _("Commune"), NULL, 100, NULL);
    ui_form_add(&s.site, "district", _("District"), NULL, 100, NULL);
    ui_form_add(&s.site, "province", _("Province"), NULL, 100, NULL);
    ui_form_add(&s.site, "kind", _("Kind"), _("fixed or mobile (a mobile team)"), 20, NULL);
    ui_input_set(&ui_form_field(&s.site, "kind")->input, _("fixed"));
    if (vax_site_details(app->db, &found) == VAX_OK && site_is_real(&found)) {
        s.site_done = 1;
        ui_input_set(&ui_form_field(&s.site, "code")->input, found.code);
        ui_input_set(&ui_form_field(&s.site, "name")->input, found.name);
        ui_input_set(&ui_form_field(&s.site, "commune")->input, found.commune);
        ui_input_set(&ui_form_field(&s.site, "district")->input, found.district);
        ui_input_set(&ui_form_field(&s.site, "province")->input, found.province);
        ui_input_set(&ui_form_field(&s.site, "kind")->input,
                     strcmp(found.kind, "mobile") ? _("fixed") : _("mobile"));
        s.page = PAGE_MANAGER;
    }
    ui_form_init(&s.manager);
    ui_form_add(&s.manager, "login", _("Login"), _("a-z, digits, . _ -"), 60, NULL);
    ui_form_add(&s.manager, "fullname", _("Full name"), NULL, 100, NULL);
    ui_form_add(&s.manager, "pin", _("PIN"), _("4 to 12 digits"), 12, NULL)->input.secret = 1;
    ui_form_add(&s.manager, "pin2", _("PIN again"), NULL, 12, NULL)->input.secret = 1;
    snprintf(app->station_label, sizeof app->station_label, "%s", _("Set up this site"));
    snprintf(app->site.name, sizeof app->site.name, "%s", _("(no site)"));
    screen.draw = draw;
    screen.key = key;
    screen.keys = &ui_keys_firstrun;
    screen.mode = mode;
    screen.state = &s;
    app->screen = &screen;
    app->dirty = 1;
    while (!s.quit && !s.done) {
        int turn = ui_modal_turn(app);
        if (turn == 1)
            break;
        if (turn == 2)
            s.quit = 1;
    }
    app->screen = NULL;
    memset(&s.manager, 0, sizeof s.manager); /* no PIN left in memory */
    if (s.done)
        vax_site_get(app->db, &app->site);
    return s.done && !ui_got_sigterm;
}
