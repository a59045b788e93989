/* station_admin.c: the manager's screens of the site: its staff, its desks and rooms, its
 * settings. Each change goes through the same core function as the command line (vaxsite staff,
 * desk, setting), so the checks (the last manager, a desk with people called to it, a value out
 * of its range) and the audit rows are the core's, not this screen's. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STAFF 200

enum view { VIEW_STAFF, VIEW_DESKS, VIEW_SETTINGS };

typedef struct admin {
    enum view view;
    int adding; /* the new member's form is open */
    ui_form form;
    char error[512]; /* what the form's save refused, drawn whole under the form */
    ui_list list[3];
    int list_rows;
    vax_staff staff[MAX_STAFF];
    int nstaff;
    /* the settings' values in force, read with each load (draw never reads the database) */
    char (*values)[256];
    int nsettings;
} admin;

static admin *state(ui_app *app)
{
    return app->screen->state;
}

static void load(ui_app *app)
{
    admin *s = state(app);
    const vax_setting_decl *d = vax_setting_decls(&s->nsettings);
    if (s->adding)
        return;
    if (vax_staff_list_all(app->db, s->staff, MAX_STAFF, &s->nstaff) != VAX_OK)
        s->nstaff = 0;
    for (int i = 0; i < s->nsettings && s->values; i++) {
        if (d[i].type == VAX_SETTING_TEXT)
            vax_setting_text(app->db, d[i].key, s->values[i], sizeof s->values[i]);
        else
            snprintf(s->values[i], sizeof s->values[i], "%lld",
                     (long long)vax_setting_int(app->db, d[i].key));
    }
    int counts[3] = {s->nstaff, app->ndesks, s->nsettings};
    for (int v = 0; v < 3; v++) {
        s->list[v].count = counts[v];
        if (s->list[v].selected >= counts[v])
            s->list[v].selected = counts[v] > 0 ? counts[v] - 1 : 0;
    }
}

/* ---- drawing ---------------------------------------------------------------------------- */

/* The columns of each list, for its rows and its header alike: padded by display columns (a
 * Vietnamese word has more bytes than columns), the last one taking what is left. */
#define COLS_MAX 4
typedef struct columns {
    int n, width[COLS_MAX];
} columns;

static columns staff_columns(int width)
{
    int name_w = width - 15 - 19 - 16;
    name_w = name_w < 20 ? 20 : name_w > 40 ? 40 : name_w;
    return (columns){4, {14, name_w, 18, 0}};
}

static columns desk_columns(int width)
{
    int name_w = width / 2 - 2;
    name_w = name_w < 20 ? 20 : name_w > 40 ? 40 : name_w;
    return (columns){3, {name_w, 14, 0, 0}};
}

/* At 80 columns a setting's key, value and help; wide enough, its default too. */
static columns setting_columns(int width)
{
    if (width >= 150)
        return (columns){4, {34, 36, 36, 0}};
    return (columns){3, {34, 14, 0, 0}};
}

/* Puts the cells from x; the cell at `role_at` (-1: none) in role r. */
static void put_cells(WINDOW *w, int y, int x, int width, columns c, const char *const *text,
                      int role_at, ui_role r)
{
    int at = 0;
    for (int i = 0; i < c.n && at < width; i++) {
        int cw = i == c.n - 1 || c.width[i] > width - at ? width - at : c.width[i];
        if (i == role_at)
            ui_role_on(w, r);
        ui_put_fit(w, y, x + at, text[i], cw);
        if (i == role_at)
            ui_role_off(w, r);
        at += cw + 1;
    }
}

static void staff_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    admin *s = ctx;
    const vax_staff *m = &s->staff[index];
    (void)sel;
    const char *text[] = {m->login, m->name, vax_role_label(m->role),
                          !m->active     ? _("disabled")
                          : m->pin_reset ? _("sets a new PIN")
                                         : _("active")};
    put_cells(w, y, x, width, staff_columns(width), text, 3,
              m->active ? (m->pin_reset ? ROLE_WARNING : ROLE_OK) : ROLE_DIM);
}

static void desk_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    ui_app *app = ctx;
    const vax_desk *d = &app->desks[index];
    (void)sel;
    const char *text[] = {d->name, d->code, d->active ? _("in use") : _("retired")};
    put_cells(w, y, x, width, desk_columns(width), text, 2, d->active ? ROLE_OK : ROLE_DIM);
}

static void setting_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    admin *s = ctx;
    int n;
    const vax_setting_decl *d = &vax_setting_decls(&n)[index];
    const char *value = s->values ? s->values[index] : "";
    char marked[300];
    (void)sel;
    /* a value changed here is marked, so that what differs from the default stands out */
    snprintf(marked, sizeof marked, "%s%s", strcmp(value, d->fallback) ? "* " : "", value);
    columns c = setting_columns(width);
    const char *text[] = {d->key, marked, c.n == 4 ? d->fallback : vax_setting_help(d),
                          vax_setting_help(d)};
    put_cells(w, y, x, width, c, text, strcmp(value, d->fallback) ? 1 : -1, ROLE_WARNING);
}

/* "15-240", "0/1", "text, up to 127": the range in words, as `setting list` says it. */
static void range_words(const vax_setting_decl *d, char *out, size_t size)
{
    if (d->type == VAX_SETTING_BOOL)
        snprintf(out, size, "0/1");
    else if (d->type == VAX_SETTING_TEXT)
        snprintf(out, size, _("text, up to %lld"), (long long)d->max);
    else
        snprintf(out, size, "%lld-%lld", (long long)d->min, (long long)d->max);
}

static void draw_tabs(WINDOW *w, admin *s, int cols)
{
    const char *names[3] = {_("Staff"), _("Desks and rooms"), _("Settings")};
    const char *keys[3] = {"F6", "F7", "F8"};
    int x = 1;
    for (int v = 0; v < 3 && x < cols - 1; v++) {
        char tab[128];
        snprintf(tab, sizeof tab, " %s %s ", keys[v], names[v]);
        if ((int)s->view == v)
            ui_role_on(w, ROLE_SELECTED);
        x += ui_put(w, 0, x, tab, cols - 1 - x);
        if ((int)s->view == v)
            ui_role_off(w, ROLE_SELECTED);
        x += 1;
    }
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    admin *s = state(app);
    char line[600];
    int y = 2;
    if (s->adding) {
        ui_role_on(w, ROLE_TITLE);
        ui_put(w, 0, 1, _(" Add a staff member "), cols - 2);
        ui_role_off(w, ROLE_TITLE);
        ui_put_wrapped(w, 1, 1, cols - 2, 1,
                       _("F5 saves, then asks the role. The member signs in with this PIN."));
        ui_form_draw(w, 3, 1, cols - 2, rows - 3, &s->form);
        int cy, cx;
        getyx(w, cy, cx);
        if (s->error[0]) {
            snprintf(line, sizeof line, "✗ %s", s->error);
            ui_role_on(w, ROLE_ERROR);
            ui_put_wrapped(w, 3 + 2 * s->form.n, 1, cols - 2, rows - 3 - 2 * s->form.n, line);
            ui_role_off(w, ROLE_ERROR);
        }
        wmove(w, cy, cx);
        ui_cursor_here(app, w);
        return;
    }
    draw_tabs(w, s, cols);
    wattron(w, A_BOLD);
    if (s->view == VIEW_STAFF) {
        const char *head[] = {_("Login"), _("Name"), _("Role"), _("State")};
        put_cells(w, y, 1, cols - 2, staff_columns(cols - 2), head, -1, ROLE_NORMAL);
    } else if (s->view == VIEW_DESKS) {
        const char *head[] = {_("Name"), _("Code"), _("State")};
        put_cells(w, y, 1, cols - 2, desk_columns(cols - 2), head, -1, ROLE_NORMAL);
    } else {
        columns c = setting_columns(cols - 2);
        const char *head[] = {_("Setting"), _("Value"), c.n == 4 ? _("Default") : _("What it does"),
                              _("What it does")};
        put_cells(w, y, 1, cols - 2, c, head, -1, ROLE_NORMAL);
    }
    wattroff(w, A_BOLD);
    y++;
    int foot = s->view == VIEW_SETTINGS ? 3 : 0;
    s->list_rows = rows - y - foot > 1 ? rows - y - foot : 1;
    ui_list *l = &s->list[s->view];
    if (s->view == VIEW_STAFF)
        ui_list_draw(w, y, 1, cols - 2, s->list_rows, l, staff_row, s);
    else if (s->view == VIEW_DESKS)
        ui_list_draw(w, y, 1, cols - 2, s->list_rows, l, desk_row, app);
    else
        ui_list_draw(w, y, 1, cols - 2, s->list_rows, l, setting_row, s);
    if (s->view == VIEW_SETTINGS && l->count > 0) {
        int n;
        const vax_setting_decl *d = &vax_setting_decls(&n)[l->selected];
        char range[64];
        range_words(d, range, sizeof range);
        y = rows - foot;
        mvwhline(w, y++, 0, ACS_HLINE, cols);
        snprintf(line, sizeof line, _("%s: default %s, allowed %s; * marks a value changed here."),
                 d->key, d->fallback[0] ? d->fallback : "\"\"", range);
        ui_put_fit(w, y++, 1, line, cols - 2);
        ui_role_on(w, ROLE_DIM);
        ui_put_fit(w, y, 1, vax_setting_help(d), cols - 2);
        ui_role_off(w, ROLE_DIM);
    }
}

/* ---- staff ------------------------------------------------------------------------------ */

static const vax_role roles[] = {VAX_ROLE_VOLUNTEER, VAX_ROLE_NURSE, VAX_ROLE_DOCTOR,
                                 VAX_ROLE_MANAGER};
#define NROLES (int)(sizeof roles / sizeof roles[0])

/* A role from a choice of the four; -1 if cancelled. */
static int pick_role(ui_app *app, const char *title, vax_role now)
{
    const char *items[NROLES];
    int selected = 0;
    for (int i = 0; i < NROLES; i++) {
        items[i] = vax_role_label(roles[i]);
        if (roles[i] == now)
            selected = i;
    }
    int k = ui_dialog_pick(app, title, _("Role:"), items, NULL, NROLES, selected);
    return k < 0 ? -1 : (int)roles[k];
}

static void open_form(ui_app *app, admin *s)
{
    ui_form_init(&s->form);
    ui_form_add(&s->form, "login", _("Login"), _("a-z, digits, . _ -"), 60, NULL);
    ui_form_add(&s->form, "name", _("Full name"), NULL, 100, NULL);
    ui_form_add(&s->form, "pin", _("PIN"), _("4 to 12 digits"), 12, NULL)->input.secret = 1;
    ui_form_add(&s->form, "pin2", _("PIN again"), NULL, 12, NULL)->input.secret = 1;
    s->error[0] = 0;
    s->adding = 1;
    app->msg[0] = 0;
}

/* Focuses the field the refusal names and keeps its sentence (which names the field too). */
static void refuse(ui_app *app, admin *s, const char *key, const char *msg)
{
    for (int i = 0; i < s->form.n; i++)
        if (key && !strcmp(s->form.fields[i].key, key))
            s->form.focus = i;
    snprintf(s->error, sizeof s->error, "%s", msg);
    app->msg[0] = 0;
}

static void save_member(ui_app *app, admin *s)
{
    char login[64], name[160], pin[32], again[32];
    ui_input_get(&ui_form_field(&s->form, "login")->input, login, sizeof login);
    ui_input_get(&ui_form_field(&s->form, "name")->input, name, sizeof name);
    ui_input_get(&ui_form_field(&s->form, "pin")->input, pin, sizeof pin);
    ui_input_get(&ui_form_field(&s->form, "pin2")->input, again, sizeof again);
    s->error[0] = 0;
    if (strcmp(pin, again) != 0) {
        refuse(app, s, "pin", _("PIN again: the two PINs are not the same; type both again."));
        ui_input_clear(&ui_form_field(&s->form, "pin")->input);
        ui_input_clear(&ui_form_field(&s->form, "pin2")->input);
        goto out;
    }
    int role = pick_role(app, _("Add a staff member"), VAX_ROLE_NURSE);
    if (role < 0)
        goto out;
    if (vax_staff_add(app->db, login, name, (vax_role)role, pin, NULL) != VAX_OK) {
        refuse(app, s, vax_errfield(app->db), vax_errmsg(app->db));
        goto out;
    }
    ui_message(app, MSG_OK, _("%s (%s) is added as %s."), name, login,
               vax_role_label((vax_role)role));
    memset(&s->form, 0, sizeof s->form);
    s->adding = 0;
out:
    memset(pin, 0, sizeof pin);
    memset(again, 0, sizeof again);
}

static void change_member(ui_app *app, admin *s)
{
    if (s->list[VIEW_STAFF].count == 0)
        return;
    vax_staff m = s->staff[s->list[VIEW_STAFF].selected];
    const char *items[] = {m.active ? _("Disable (has left the site)") : _("Enable again"),
                           _("Reset the PIN (a new one is set at the next sign-in)"),
                           _("Change the role"), _("Unlock (forget the wrong PINs counted)")};
    char title[200];
    snprintf(title, sizeof title, "%s (%s)", m.name, m.login);
    int k = ui_dialog_pick(app, title, _("What to do:"), items, NULL, 4, 0);
    int rc = VAX_OK;
    if (k < 0)
        return;
    if (k == 0)
        rc = vax_staff_set_active(app->db, m.login, !m.active);
    else if (k == 1)
        rc = vax_staff_reset_pin(app->db, m.login);
    else if (k == 3)
        rc = vax_staff_unlock(app->db, m.login);
    else {
        int role = pick_role(app, title, m.role);
        if (role < 0)
            return;
        rc = vax_staff_set_role(app->db, m.login, (vax_role)role);
        m.role = (vax_role)role;
    }
    if (rc != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    if (k == 0)
        ui_message(app, MSG_OK,
                   m.active ? _("%s is disabled; the history keeps the name.")
                            : _("%s is enabled again."),
                   m.login);
    else if (k == 1)
        ui_message(app, MSG_OK, _("%s's PIN is reset: a new one is set at the next sign-in."),
                   m.login);
    else if (k == 3)
        ui_message(app, MSG_OK, _("%s is unlocked: the member signs in with their PIN."), m.login);
    else
        ui_message(app, MSG_OK, _("%s is now %s."), m.login, vax_role_label(m.role));
}

/* ---- desks and rooms ---------------------------------------------------------------------- */

static void add_desk(ui_app *app)
{
    static const vax_desk_kind kinds[] = {VAX_DESK_CHECKIN, VAX_DESK_SCREENING, VAX_DESK_INJECTION,
                                          VAX_DESK_OBSERVATION};
    const char *items[4];
    char name[64] = "", code[VAX_DESK_CODE_MAX];
    for (int i = 0; i < 4; i++)
        items[i] = vax_desk_kind_label(kinds[i]);
    int k = ui_dialog_pick(app, _("Add a desk or room"), _("Kind:"), items, NULL, 4, 1);
    if (k < 0)
        return;
    if (!ui_dialog_ask(app, _("Add a desk or room"),
                       _("Its name, as the board and the calls show it (e.g. Bàn khám 2):"), name,
                       sizeof name))
        return;
    if (vax_desk_add(app->db, kinds[k], name, code) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("%s is added (%s)."), name, code);
}

static void change_desk(ui_app *app, admin *s)
{
    if (s->list[VIEW_DESKS].count == 0)
        return;
    vax_desk d = app->desks[s->list[VIEW_DESKS].selected];
    char name[64];
    if (!d.active) {
        ui_message(app, MSG_INFO, _("%s is retired: its name stays for the history."), d.name);
        return;
    }
    const char *items[] = {_("Rename"), _("Retire (no longer used)")};
    int k = ui_dialog_pick(app, d.name, _("What to do:"), items, NULL, 2, 0);
    if (k < 0)
        return;
    if (k == 0) {
        snprintf(name, sizeof name, "%s", d.name);
        if (!ui_dialog_ask(app, _("Rename"), _("New name:"), name, sizeof name))
            return;
        if (vax_desk_rename(app->db, d.code, name) != VAX_OK) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            return;
        }
        ui_message(app, MSG_OK, _("%s is now named %s."), d.code, name);
        return;
    }
    if (vax_desk_retire(app->db, d.code) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("%s is retired."), d.name);
}

/* ---- settings --------------------------------------------------------------------------- */

static void change_setting(ui_app *app, admin *s)
{
    int n;
    if (s->list[VIEW_SETTINGS].count == 0 || !s->values)
        return;
    const vax_setting_decl *d = &vax_setting_decls(&n)[s->list[VIEW_SETTINGS].selected];
    char value[256], prompt[400], range[64];
    range_words(d, range, sizeof range);
    snprintf(value, sizeof value, "%s", s->values[s->list[VIEW_SETTINGS].selected]);
    snprintf(prompt, sizeof prompt, _("%s (allowed %s):"), vax_setting_help(d), range);
    if (!ui_dialog_ask(app, d->key, prompt, value, sizeof value))
        return;
    if (vax_setting_set(app->db, d->key, value) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("%s is now %s."), d->key, value);
}

/* ---- the key table ------------------------------------------------------------------------ */

static void act_add(ui_app *app)
{
    admin *s = state(app);
    if (s->view == VIEW_STAFF)
        open_form(app, s);
    else
        add_desk(app);
}

static void act_change(ui_app *app)
{
    admin *s = state(app);
    if (s->view == VIEW_STAFF)
        change_member(app, s);
    else if (s->view == VIEW_DESKS)
        change_desk(app, s);
    else
        change_setting(app, s);
}

static void show(ui_app *app, enum view v)
{
    state(app)->view = v;
    app->msg[0] = 0;
}

static void act_staff(ui_app *app)
{
    show(app, VIEW_STAFF);
}

static void act_desks(ui_app *app)
{
    show(app, VIEW_DESKS);
}

static void act_settings(ui_app *app)
{
    show(app, VIEW_SETTINGS);
}

static void act_save(ui_app *app)
{
    save_member(app, state(app));
}

static void act_next_field(ui_app *app)
{
    ui_form_key(&state(app)->form, (ui_key){UI_KEY_TAB, 0});
}

static void act_cancel(ui_app *app)
{
    admin *s = state(app);
    if (!ui_form_may_discard(app, &s->form))
        return;
    memset(&s->form, 0, sizeof s->form);
    s->adding = 0;
    app->msg[0] = 0;
}

static int unsaved(ui_app *app, char *what, size_t size)
{
    return state(app)->adding && ui_form_unsaved(&state(app)->form, what, size);
}

enum { STAFF = 1, DESKS = 2, SETTINGS = 4, FORM = 8 };

static unsigned mode(ui_app *app)
{
    admin *s = state(app);
    return s->adding               ? FORM
           : s->view == VIEW_STAFF ? STAFF
           : s->view == VIEW_DESKS ? DESKS
                                   : SETTINGS;
}

static const ui_keyrow rows[] = {
    {UI_KEY_F2, NULL, ACT_ADD, N_("Add"), N_("adds a staff member, or a desk or room"),
     STAFF | DESKS, 80, act_add},
    {UI_KEY_ENTER, NULL, ACT_CHANGE, N_("Change"),
     N_("what to do with the row chosen: disable, reset PIN, role, unlock; rename, retire; a new "
        "value"),
     STAFF | DESKS | SETTINGS, 85, act_change},
    {UI_KEY_F6, NULL, ACT_VIEW_STAFF, N_("Staff"), N_("the site's staff, disabled ones too"),
     STAFF | DESKS | SETTINGS, 40, act_staff},
    {UI_KEY_F7, NULL, ACT_VIEW_DESKS, N_("Desks"), N_("the site's desks and rooms"),
     STAFF | DESKS | SETTINGS, 40, act_desks},
    {UI_KEY_F8, NULL, ACT_VIEW_SETTINGS, N_("Settings"),
     N_("every setting: its value, default, range and help"), STAFF | DESKS | SETTINGS, 40,
     act_settings},
    {UI_KEY_F5, NULL, ACT_SAVE, N_("Save"), N_("saves the form"), FORM, 90, act_save},
    {UI_KEY_TAB, NULL, ACT_NEXT_FIELD, N_("Next field"), N_("the next field of the form"), FORM, 50,
     act_next_field},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Cancel"), N_("leaves the form without saving"), FORM, 60,
     act_cancel},
};
static const char *const mode_names[] = {"staff", "desks", "settings", "form"};
const ui_keytable ui_keys_admin = UI_KEYTABLE("admin", rows, mode_names);

/* What no row takes: the form's typing (Enter moves on, and saves on the last field; a PIN takes
 * digits only), the list's movement. */
static int key(ui_app *app, ui_key k)
{
    admin *s = state(app);
    if (s->adding) {
        if (k.code == UI_KEY_ENTER && s->form.focus == s->form.n - 1) {
            save_member(app, s);
            return 1;
        }
        if (k.code == UI_KEY_ENTER)
            k.code = UI_KEY_TAB;
        if (k.code == UI_KEY_CHAR && s->form.focus >= 2 && (k.ch < L'0' || k.ch > L'9'))
            return 1;
        return ui_form_key(&s->form, k);
    }
    return ui_list_key(&s->list[s->view], k, s->list_rows);
}

ui_screen *ui_station_admin(ui_app *app)
{
    ui_screen *scr = calloc(1, sizeof *scr);
    admin *s = calloc(1, sizeof *s);
    int n;
    (void)app;
    vax_setting_decls(&n);
    if (!scr || !s || !(s->values = calloc((size_t)n + 1, sizeof *s->values))) {
        free(scr);
        if (s)
            free(s->values);
        free(s);
        return NULL;
    }
    scr->name = _("Staff, desks and settings");
    scr->draw = draw;
    scr->load = load;
    scr->key = key;
    scr->keys = &ui_keys_admin;
    scr->mode = mode;
    scr->unsaved = unsaved;
    scr->state = s;
    return scr;
}

void ui_station_admin_free(ui_screen *scr)
{
    if (!scr)
        return;
    admin *s = scr->state;
    if (s) {
        memset(&s->form, 0, sizeof s->form);
        free(s->values);
    }
    free(s);
    free(scr);
}
