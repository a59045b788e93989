/* station_conflicts.c: the manager's screen of the conflicts the sync lists (conflict.c): a page
 * of them with how many in all, the chosen one's two sides (whose, the value, site, device, desk,
 * when), and its resolution with a reason after a confirmation; and the events kept apart
 * (quarantine). The resolution is the core's (the manager's role, the audit, the event that
 * syncs), the same as `vaxsite sync resolve`. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 50

enum view { VIEW_CONFLICTS, VIEW_QUARANTINE };

typedef struct conflicts {
    enum view view;
    int page[2], total[2], n[2];
    ui_list list[2];
    int list_rows;
    vax_sync_conflict c[PER_PAGE];
    vax_conflict_side side[2]; /* the chosen conflict's, read with each load */
    int64_t side_of;
    vax_sync_quarantined q[PER_PAGE];
    char device[37]; /* this laptop's: its own records say "this device" */
} conflicts;

static conflicts *state(ui_app *app)
{
    return app->screen->state;
}

static void load(ui_app *app)
{
    conflicts *s = state(app);
    for (int v = 0; v < 2; v++) {
        int rc = v == VIEW_CONFLICTS ? vax_sync_conflicts(app->db, s->page[v] * PER_PAGE, s->c,
                                                          PER_PAGE, &s->n[v], &s->total[v])
                                     : vax_sync_quarantine(app->db, s->page[v] * PER_PAGE, s->q,
                                                           PER_PAGE, &s->n[v], &s->total[v]);
        if (rc != VAX_OK)
            s->n[v] = s->total[v] = 0;
        /* a page emptied by resolutions: the last one that has rows */
        if (s->n[v] == 0 && s->page[v] > 0) {
            s->page[v] = (s->total[v] + PER_PAGE - 1) / PER_PAGE - 1;
            if (s->page[v] < 0)
                s->page[v] = 0;
            v--;
            continue;
        }
        s->list[v].count = s->n[v];
        if (s->list[v].selected >= s->n[v])
            s->list[v].selected = s->n[v] > 0 ? s->n[v] - 1 : 0;
    }
    memset(s->side, 0, sizeof s->side);
    s->side_of = 0;
    if (!s->device[0] && vax_sync_device_id(app->db, s->device) != VAX_OK)
        s->device[0] = 0;
    if (s->n[VIEW_CONFLICTS] > 0) {
        const vax_sync_conflict *c = &s->c[s->list[VIEW_CONFLICTS].selected];
        if (vax_conflict_sides(app->db, c, s->side) == VAX_OK)
            s->side_of = c->id;
    }
}

/* ---- drawing ---------------------------------------------------------------------------- */

static const char *kind_words(const char *kind)
{
    static const struct {
        const char *kind, *words;
    } k[] = {
        {"duplicate_person", N_("Registered twice")},
        {"same_id_differs", N_("One ID, two people")},
        {"concurrent_edit", N_("Edited on two devices")},
        {"edit_id_taken", N_("Edit gave a held ID")},
        {"orphan_edit", N_("Edit of an unknown person")},
        {"same_dose_number", N_("Dose given twice")},
        {"merge_waiting", N_("Merge waiting")},
        {"merge_refused", N_("Merge refused")},
        {"linked_id_differs", N_("Other ID held by another")},
    };
    for (size_t i = 0; i < sizeof k / sizeof *k; i++)
        if (!strcmp(kind, k[i].kind))
            return _(k[i].words);
    return kind;
}

/* What happened, in the interface's language (the merge stores its details in English, for the
 * district's list and the audit); a kind this build does not know shows those details. */
static const char *kind_story(const vax_sync_conflict *c)
{
    static const struct {
        const char *kind, *story;
    } k[] = {
        {"duplicate_person", N_("One person registered twice with one ID: one record.")},
        {"same_id_differs",
         N_("One ID for two different people: kept apart until a manager decides.")},
        {"concurrent_edit",
         N_("Edited on two devices unseen by each other: the later edit shows.")},
        {"edit_id_taken", N_("An edit gave an ID another person holds: not applied.")},
        {"orphan_edit", N_("An edit of a person not held here.")},
        {"same_dose_number", N_("One dose number recorded twice: both doses kept.")},
        {"merge_waiting", N_("A merge waits for a record not held here yet.")},
        {"merge_refused", N_("Merge refused: both records have a dose of this number.")},
        {"linked_id_differs", N_("One person's other ID is another person's own: not merged.")},
    };
    for (size_t i = 0; i < sizeof k / sizeof *k; i++)
        if (!strcmp(c->kind, k[i].kind))
            return _(k[i].story);
    return c->details;
}

static void when_text(int64_t t, char out[20])
{
    char day[11], dmy[11], hhmm[6];
    vax_local_date(t, day);
    vax_date_dmy(day, dmy);
    vax_local_hhmm(t, hhmm);
    snprintf(out, 20, "%s %s", dmy, hhmm);
}

/* kind, ID, name, when: the last column takes what is left */
static void cells(WINDOW *w, int y, int x, int width, const char *const *text, int n,
                  const int *widths)
{
    int at = 0;
    for (int i = 0; i < n && at < width; i++) {
        int cw = i == n - 1 || widths[i] > width - at ? width - at : widths[i];
        ui_put_fit(w, y, x + at, text[i], cw);
        at += cw + 1;
    }
}

static void conflict_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    conflicts *s = ctx;
    const vax_sync_conflict *c = &s->c[index];
    char when[20];
    (void)sel;
    when_text(c->created_at, when);
    const char *text[] = {kind_words(c->kind), c->national_id[0] ? c->national_id : "-", when,
                          c->full_name[0] ? c->full_name : "-"};
    const int widths[] = {26, 13, 16, 0};
    cells(w, y, x, width, text, 4, widths);
}

static void quarantine_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    conflicts *s = ctx;
    const vax_sync_quarantined *q = &s->q[index];
    char when[20], dev[9];
    (void)sel;
    when_text(q->at, when);
    snprintf(dev, sizeof dev, "%.8s", q->device);
    const char *text[] = {q->kind, q->site[0] ? q->site : "-", dev, when,
                          q->differs[0] ? q->differs : "-"};
    const int widths[] = {16, 12, 8, 16, 0};
    cells(w, y, x, width, text, 5, widths);
}

static void draw_tabs(WINDOW *w, conflicts *s, int cols)
{
    char names[2][128];
    snprintf(names[0], sizeof names[0], _("Conflicts (%d)"), s->total[0]);
    snprintf(names[1], sizeof names[1], _("Kept apart (%d)"), s->total[1]);
    const char *keys[2] = {"F6", "F7"};
    int x = 1;
    for (int v = 0; v < 2 && x < cols - 1; v++) {
        char tab[160];
        snprintf(tab, sizeof tab, " %s %s ", keys[v], names[v]);
        if ((int)s->view == v)
            ui_role_on(w, ROLE_SELECTED);
        x += ui_put(w, 0, x, tab, cols - 1 - x);
        if ((int)s->view == v)
            ui_role_off(w, ROLE_SELECTED);
        x += 1;
    }
}

/* One side in two lines: whose and what, then where from and when. */
static int draw_side(WINDOW *w, int y, int cols, const char *label, const vax_conflict_side *d,
                     const char *here)
{
    char line[1024], when[20], dev[64];
    if (!d->what[0]) {
        snprintf(line, sizeof line, "%s  %s", label, _("(not held here)"));
        ui_put_fit(w, y, 1, line, cols - 2);
        return 1;
    }
    snprintf(line, sizeof line, "%s  %s %s · %s", label, d->national_id[0] ? d->national_id : "-",
             d->full_name, d->value);
    ui_put_fit(w, y, 1, line, cols - 2);
    when_text(d->at, when);
    if (here[0] && !strcmp(d->device, here))
        snprintf(dev, sizeof dev, "%s", _("this device"));
    else
        snprintf(dev, sizeof dev, _("device %.8s"), d->device);
    snprintf(line, sizeof line, _("   site %s · %s%s%s · %s"), d->site, dev,
             d->desk[0] ? _(" · desk ") : "", d->desk, when);
    ui_role_on(w, ROLE_DIM);
    ui_put_fit(w, y + 1, 1, line, cols - 2);
    ui_role_off(w, ROLE_DIM);
    return 2;
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    conflicts *s = state(app);
    enum view v = s->view;
    char line[600];
    int y = 1;
    (void)app;
    draw_tabs(w, s, cols);
    int pages = (s->total[v] + PER_PAGE - 1) / PER_PAGE;
    if (s->total[v] == 0)
        snprintf(line, sizeof line, "%s",
                 v == VIEW_CONFLICTS ? _("No conflict to resolve.") : _("No event kept apart."));
    else
        snprintf(line, sizeof line,
                 v == VIEW_CONFLICTS ? _("%d conflicts to resolve; page %d of %d (← →).")
                                     : _("%d events kept apart; page %d of %d (← →)."),
                 s->total[v], s->page[v] + 1, pages > 0 ? pages : 1);
    ui_put_fit(w, y++, 1, line, cols - 2);
    wattron(w, A_BOLD);
    if (v == VIEW_CONFLICTS) {
        const char *head[] = {_("Conflict"), _("ID"), _("Listed"), _("Name")};
        const int widths[] = {26, 13, 16, 0};
        cells(w, y, 1, cols - 2, head, 4, widths);
    } else {
        const char *head[] = {_("Kind"), _("Site"), _("Device"), _("Kept apart"), _("Differs in")};
        const int widths[] = {16, 12, 8, 16, 0};
        cells(w, y, 1, cols - 2, head, 5, widths);
    }
    wattroff(w, A_BOLD);
    y++;
    int foot = v == VIEW_CONFLICTS ? 7 : 3;
    s->list_rows = rows - y - foot > 1 ? rows - y - foot : 1;
    ui_list *l = &s->list[v];
    ui_list_draw(w, y, 1, cols - 2, s->list_rows, l,
                 v == VIEW_CONFLICTS ? conflict_row : quarantine_row, s);
    if (l->count == 0)
        return;
    y = rows - foot;
    mvwhline(w, y++, 0, ACS_HLINE, cols);
    if (v == VIEW_QUARANTINE) {
        const vax_sync_quarantined *q = &s->q[l->selected];
        snprintf(line, sizeof line, _("Event %s (%s) from device %s: kept apart, not merged."),
                 q->uuid, q->kind, q->device);
        ui_put_wrapped(w, y, 1, cols - 2, 2, line);
        return;
    }
    const vax_sync_conflict *c = &s->c[l->selected];
    ui_role_on(w, ROLE_DIM);
    ui_put_fit(w, y++, 1, kind_story(c), cols - 2);
    ui_role_off(w, ROLE_DIM);
    if (s->side_of != c->id)
        return;
    y += draw_side(w, y, cols, "a", &s->side[0], s->device);
    if (s->side[1].what[0] || strcmp(c->kind, "concurrent_edit"))
        draw_side(w, y, cols, "b", &s->side[1], s->device);
}

/* ---- resolving -------------------------------------------------------------------------- */

typedef struct choice {
    const char *words;
    vax_resolution action;
} choice;

/* What each kind allows (as conflict.c's act()), in words. */
static int choices(const char *kind, choice *out)
{
    int n = 0;
#define C(w, a)                                                                                    \
    out[n++] = (choice)                                                                            \
    {                                                                                              \
        w, a                                                                                       \
    }
    if (!strcmp(kind, "same_dose_number")) {
        C(_("Keep dose a, void dose b"), VAX_RESOLVE_KEEP_A);
        C(_("Keep dose b, void dose a"), VAX_RESOLVE_KEEP_B);
        C(_("Both doses were given: keep both"), VAX_RESOLVE_BOTH);
    } else if (!strcmp(kind, "same_id_differs")) {
        C(_("Two people: keep both (b may get its real ID)"), VAX_RESOLVE_BOTH);
        C(_("One person: merge b into a"), VAX_RESOLVE_MERGE);
        C(_("One person: merge a into b"), VAX_RESOLVE_KEEP_B);
    } else if (!strcmp(kind, "linked_id_differs")) {
        C(_("Two people: keep both"), VAX_RESOLVE_BOTH);
        C(_("One person: merge b into a"), VAX_RESOLVE_MERGE);
        C(_("One person: merge a into b"), VAX_RESOLVE_KEEP_B);
    } else if (!strcmp(kind, "duplicate_person")) {
        C(_("One person: confirm the merge"), VAX_RESOLVE_MERGE);
    } else if (!strcmp(kind, "concurrent_edit") || !strcmp(kind, "edit_id_taken") ||
               !strcmp(kind, "orphan_edit")) {
        C(_("Keep a: apply the edit"), VAX_RESOLVE_KEEP_A);
        C(_("Keep b: the record as it is"), VAX_RESOLVE_KEEP_B);
    } else if (!strcmp(kind, "merge_refused")) {
        C(_("One person: merge b into a"), VAX_RESOLVE_MERGE);
        C(_("Two people: keep both"), VAX_RESOLVE_BOTH);
    }
#undef C
    return n;
}

static void side_line(const char *label, const vax_conflict_side *d, char *out, size_t size)
{
    if (!d->what[0])
        snprintf(out, size, "%s  -", label);
    else
        snprintf(out, size, "%s  %s %s · %s · %s", label, d->national_id, d->full_name, d->value,
                 d->site);
}

static void resolve(ui_app *app)
{
    conflicts *s = state(app);
    if (s->view != VIEW_CONFLICTS || s->n[VIEW_CONFLICTS] == 0)
        return;
    vax_sync_conflict c = s->c[s->list[VIEW_CONFLICTS].selected];
    choice ch[4];
    const char *items[4];
    int n = choices(c.kind, ch);
    if (n == 0) {
        ui_message(app, MSG_INFO, "%s",
                   _("This merge is made when the other record arrives; nothing to resolve."));
        return;
    }
    for (int i = 0; i < n; i++)
        items[i] = ch[i].words;
    char title[200], id[16] = "", reason[256] = "", a[700], b[700], what[300];
    snprintf(title, sizeof title, "%s: %s", kind_words(c.kind), c.full_name[0] ? c.full_name : "-");
    int k = ui_dialog_pick(app, title, _("Resolve it so:"), items, NULL, n, 0);
    if (k < 0)
        return;
    if (ch[k].action == VAX_RESOLVE_BOTH && !strcmp(c.kind, "same_id_differs") &&
        !ui_dialog_ask_optional(app, title, _("b's real ID number (empty: keeps its KGT one):"), id,
                                sizeof id))
        return;
    if (!ui_dialog_ask(app, title, _("Reason (kept in the audit and sent with it):"), reason,
                       sizeof reason))
        return;
    side_line("a", &s->side[0], a, sizeof a);
    side_line("b", &s->side[1], b, sizeof b);
    snprintf(what, sizeof what, _("Resolution: %s. Reason: %s"), ch[k].words, reason);
    const char *lines[] = {a, b, what};
    if (!ui_dialog_confirm_lines(app, title, lines, 3, _("Resolve the conflict so?")))
        return;
    if (vax_conflict_resolve(app->db, c.id, ch[k].action, id[0] ? id : NULL, reason) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("Resolved: %s; it leaves with the next sync."), ch[k].words);
}

/* ---- the key table ------------------------------------------------------------------------ */

static void show(ui_app *app, enum view v)
{
    state(app)->view = v;
    app->msg[0] = 0;
}

static void act_conflicts(ui_app *app)
{
    show(app, VIEW_CONFLICTS);
}

static void act_quarantine(ui_app *app)
{
    show(app, VIEW_QUARANTINE);
}

static void turn(ui_app *app, int by)
{
    conflicts *s = state(app);
    enum view v = s->view;
    int pages = (s->total[v] + PER_PAGE - 1) / PER_PAGE;
    if (s->page[v] + by < 0 || s->page[v] + by >= pages)
        return;
    s->page[v] += by;
    s->list[v].selected = s->list[v].top = 0;
}

static void act_prev_page(ui_app *app)
{
    turn(app, -1);
}

static void act_next_page(ui_app *app)
{
    turn(app, 1);
}

enum { CONFLICTS = 1, QUARANTINE = 2 };

static unsigned mode(ui_app *app)
{
    return state(app)->view == VIEW_CONFLICTS ? CONFLICTS : QUARANTINE;
}

static const ui_keyrow rows[] = {
    {UI_KEY_ENTER, NULL, ACT_RESOLVE, N_("Resolve"),
     N_("resolves the conflict chosen: keep one, keep both, merge, void a dose; with a reason"),
     CONFLICTS, 85, resolve},
    {UI_KEY_LEFT, NULL, ACT_PREV_PAGE, N_("Previous page"), N_("the 50 before"),
     CONFLICTS | QUARANTINE, 30, act_prev_page},
    {UI_KEY_RIGHT, NULL, ACT_NEXT_PAGE, N_("Next page"), N_("the next 50"), CONFLICTS | QUARANTINE,
     30, act_next_page},
    {UI_KEY_F6, NULL, ACT_VIEW_CONFLICTS, N_("Conflicts"),
     N_("the conflicts the sync listed, oldest first"), CONFLICTS | QUARANTINE, 40, act_conflicts},
    {UI_KEY_F7, NULL, ACT_VIEW_QUARANTINE, N_("Kept apart"),
     N_("events that came again with other content: kept apart, not merged"),
     CONFLICTS | QUARANTINE, 40, act_quarantine},
};
static const char *const mode_names[] = {"conflicts", "quarantine"};
const ui_keytable ui_keys_conflicts = UI_KEYTABLE("conflicts", rows, mode_names);

static int key(ui_app *app, ui_key k)
{
    conflicts *s = state(app);
    return ui_list_key(&s->list[s->view], k, s->list_rows);
}

ui_screen *ui_station_conflicts(ui_app *app)
{
    ui_screen *scr = calloc(1, sizeof *scr);
    conflicts *s = calloc(1, sizeof *s);
    (void)app;
    if (!scr || !s) {
        free(scr);
        free(s);
        return NULL;
    }
    scr->name = _("Sync conflicts");
    scr->draw = draw;
    scr->load = load;
    scr->key = key;
    scr->keys = &ui_keys_conflicts;
    scr->mode = mode;
    scr->state = s;
    return scr;
}

void ui_station_conflicts_free(ui_screen *scr)
{
    if (!scr)
        return;
    free(scr->state);
    free(scr);
}
