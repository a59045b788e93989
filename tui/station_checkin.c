/* station_checkin.c: the check-in desk: find or register a person, check in, show the ticket;
 * correct a person's record (with a reason; certificates that print what changed re-issued) and,
 * with a manager, void a dose recorded by mistake. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_RESULTS 50

enum mode { MODE_SEARCH, MODE_FORM, MODE_EDIT };

typedef struct checkin {
    enum mode mode;
    ui_input search;
    vax_person results[MAX_RESULTS];
    int tickets[MAX_RESULTS]; /* today's open ticket per result, 0 if none */
    int urgent[MAX_RESULTS];  /* that ticket is urgent */
    ui_list list;
    int64_t want; /* the person the cursor stays on when the results are read again */
    /* the person a certificate scanned into the search is for: the one selected before the
     * scanner began typing "HC1:" over the search */
    int64_t held;
    /* the selected person as loaded: doses, today's visit and what the desk says of it */
    int minor, has_guardian; /* under 18 today, and a parent or guardian on record */
    vax_guardian guardian;
    int doses, next, has_today; /* next: the number the next dose gets (after one from elsewhere
                                   that says "2 of 2", 3) */
    vax_visit today;
    char today_text[512];
    ui_form form;
    vax_person editing; /* MODE_EDIT: the record as it was when the form opened */
    char old_id[13];    /* the old CMND of a scanned card, linked to the record the form makes */
    vax_priority_group groups[32];
    int ngroups;
    int list_rows;
} checkin;

/* ---- field checks: the same validators the core applies, run as each field is left -------- */

static int check_name(const char *v, char *msg, size_t size)
{
    const char *p = v;
    while (*p == ' ')
        p++;
    if (!*p) {
        snprintf(msg, size, "%s", _("Full name: missing."));
        return -1;
    }
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            snprintf(msg, size, "%s", _("Full name: must not contain digits."));
            return -1;
        }
    }
    return 0;
}

/* empty: a person without papers, for whom the site makes an identifier */
static int check_id(const char *v, char *msg, size_t size)
{
    char out[13];
    return v[strspn(v, " ")] ? vax_validate_national_id(v, out, msg, size) : VAX_OK;
}

static int check_dob(const char *v, char *msg, size_t size)
{
    char out[11];
    return vax_validate_birth_date(v, out, msg, size);
}

static int check_phone(const char *v, char *msg, size_t size)
{
    char out[16];
    return vax_validate_phone(v, out, msg, size);
}

static int check_insurance(const char *v, char *msg, size_t size)
{
    char out[16];
    return vax_validate_insurance_no(v, out, msg, size);
}

/* m, f, or the Vietnamese words; empty allowed. */
static int parse_sex(const char *v, char *out)
{
    char *f = vax_text_fold(v);
    int ok = 1;
    *out = 0;
    if (!f)
        return 0;
    if (!strcmp(f, "m") || !strcmp(f, "nam") || !strcmp(f, "male"))
        *out = 'm';
    else if (!strcmp(f, "f") || !strcmp(f, "nu") || !strcmp(f, "female"))
        *out = 'f';
    else if (*f)
        ok = 0;
    free(f);
    return ok;
}

static int check_sex(const char *v, char *msg, size_t size)
{
    char sex;
    if (parse_sex(v, &sex))
        return 0;
    snprintf(msg, size, "%s", _("Sex: m (male) or f (female)."));
    return -1;
}

static int check_group(const char *v, char *msg, size_t size)
{
    if (!*v || (v[0] == 'G' && strlen(v) == 3) || (v[0] == 'g' && strlen(v) == 3))
        return 0;
    snprintf(msg, size, "%s", _("Priority group: a code from the list (G01, G02, ...)."));
    return -1;
}

static int check_reason(const char *v, char *msg, size_t size)
{
    if (v[strspn(v, " ")])
        return 0;
    snprintf(msg, size, "%s", _("Reason: say why the record is corrected."));
    return -1;
}

/* ---- search ------------------------------------------------------------------------------ */

#define HC1 "HC1:"

/* 1 while the search's end may be the start of an EU DCC's QR being typed ("H", "HC", "HC1", or
 * "HC1:..." itself): the person selected before it is the one the certificate is for. */
static int scan_starting(const char *text)
{
    size_t n = strlen(text);
    if (strstr(text, HC1))
        return 1;
    for (size_t k = 1; k < sizeof HC1 - 1; k++)
        if (n >= k && strncmp(text + n - k, HC1, k) == 0)
            return 1;
    return 0;
}

static void run_search(ui_app *app, checkin *c)
{
    char text[UI_INPUT_MAX * 4 + 1], *scan;
    int n = 0;
    ui_input_get(&c->search, text, sizeof text);
    /* a certificate's QR is no search: what was searched before it stays on the list */
    if ((scan = strstr(text, HC1)))
        *scan = 0;
    /* the identifier a person without papers was given is found as an ID is, whole */
    char id[13], why[256];
    if (strncasecmp(text, VAX_SITE_ID_PREFIX, sizeof VAX_SITE_ID_PREFIX - 1) == 0 &&
        vax_validate_national_id(text, id, why, sizeof why) == VAX_OK &&
        vax_person_by_national_id(app->db, id, &c->results[0]) == VAX_OK)
        n = 1;
    else if (vax_person_search(app->db, text, c->results, MAX_RESULTS, &n) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        n = 0;
    }
    for (int i = 0; i < n; i++) {
        vax_visit v;
        int open = vax_visit_open_for_person(app->db, c->results[i].id, &v) == VAX_OK;
        c->tickets[i] = open ? v.ticket : 0;
        c->urgent[i] = open && v.urgent;
    }
    c->list.count = n;
    c->list.selected = 0;
    c->list.top = 0;
    c->want = n > 0 ? c->results[0].id : 0;
    ui_input_get(&c->search, text, sizeof text);
    if (!scan_starting(text))
        c->held = c->want;
}

static vax_person *selected(checkin *c)
{
    return c->list.count > 0 ? &c->results[c->list.selected] : NULL;
}

/* ---- drawing ----------------------------------------------------------------------------- */

static void result_row(WINDOW *w, int y, int x, int width, int index, int sel, void *ctx)
{
    checkin *c = ctx;
    vax_person *p = &c->results[index];
    char dob[11], line[512], ticket[16] = "";
    (void)sel;
    vax_date_dmy(p->birth_date, dob);
    if (c->tickets[index])
        snprintf(ticket, sizeof ticket, "#%03d", c->tickets[index]);
    int name_w = width - 12 - 2 - 10 - 2 - 5 - 2;
    if (name_w < 10)
        name_w = 10;
    snprintf(line, sizeof line, "%-12s  ", p->national_id);
    ui_put(w, y, x, line, width);
    ui_put_pad(w, y, x + 14, p->full_name, name_w);
    snprintf(line, sizeof line, "  %s  %s", dob, ticket);
    int used = ui_put(w, y, x + 14 + name_w, line, width - 14 - name_w);
    if (c->urgent[index]) { /* "#017*" as on the board; the details say why */
        ui_role_on(w, ROLE_URGENT);
        ui_put(w, y, x + 14 + name_w + used, "*", width - 14 - name_w - used);
        ui_role_off(w, ROLE_URGENT);
    }
}

static const char *group_name(checkin *c, const char *code)
{
    for (int i = 0; i < c->ngroups; i++)
        if (strcmp(c->groups[i].code, code) == 0)
            return c->groups[i].name;
    return code[0] ? code : _("none");
}

/* A visit of today as the desk reads it: waiting, at a station, observing, done with the time,
 * postponed with the day to come back. */
static void today_line(ui_app *app, const vax_visit *v, char *line, size_t size)
{
    char hhmm[6], dmy[11], mark[200] = "";
    vax_screening sc;
    /* urgent and why: the note given for "other", else the reason in short */
    if (v->urgent)
        snprintf(mark, sizeof mark, _(" · URGENT: %s"),
                 v->urgent_reason == VAX_URGENT_OTHER && v->urgent_note[0]
                     ? v->urgent_note
                     : vax_urgent_short(v->urgent_reason));
    vax_local_hhmm(v->state_since, hhmm);
    if (v->state == VAX_STATE_DONE) {
        snprintf(line, size, _("Today: ticket %03d · vaccinated, done at %s"), v->ticket, hhmm);
    } else if (v->state == VAX_STATE_POSTPONED &&
               vax_screening_for_visit(app->db, v->id, &sc) == VAX_OK && sc.return_date[0]) {
        vax_date_dmy(sc.return_date, dmy);
        snprintf(line, size, _("Today: ticket %03d · postponed, come back on %s"), v->ticket, dmy);
    } else if (v->station[0] &&
               (v->state == VAX_STATE_SCREENING || v->state == VAX_STATE_INJECTION)) {
        char place[64];
        ui_place_name(app, v->station, place, sizeof place);
        snprintf(line, size, _("Today: ticket %03d · %s at %s since %s%s"), v->ticket,
                 vax_state_label(v->state), place, hhmm, mark);
    } else {
        snprintf(line, size, _("Today: ticket %03d · %s since %s%s"), v->ticket,
                 vax_state_label(v->state), hhmm, mark);
    }
}

static void draw_details(ui_app *app, checkin *c, WINDOW *w, int y, int x, int width, int rows)
{
    vax_person *p = selected(c);
    char line[512], dob[11], today[11];
    int doses = c->doses;
    const vax_visit *v = &c->today;
    (void)app;
    if (!p || rows < 3)
        return;
    vax_local_date(vax_now(), today);
    vax_date_dmy(p->birth_date, dob);
    wattron(w, A_BOLD);
    ui_put(w, y, x, p->full_name, width);
    wattroff(w, A_BOLD);
    snprintf(line, sizeof line, _("ID %s · born %s (%d years) · %s"), p->national_id, dob,
             vax_age_on(p->birth_date, today),
             p->sex == 'm'   ? _("male")
             : p->sex == 'f' ? _("female")
                             : "-");
    ui_put(w, y + 1, x, line, width);
    snprintf(line, sizeof line, _("Phone %s · %s"), p->phone[0] ? p->phone : "-",
             p->commune[0] ? p->commune : "-");
    ui_put(w, y + 2, x, line, width);
    if (rows > 3) {
        /* a child: who brings them, as the injection room will want it */
        if (c->minor && c->has_guardian)
            snprintf(line, sizeof line, _("Priority group: %s · guardian %s, %s"),
                     group_name(c, p->priority_group), c->guardian.name, c->guardian.phone);
        else if (c->minor)
            snprintf(line, sizeof line, _("Priority group: %s · under 18: no guardian on record"),
                     group_name(c, p->priority_group));
        else
            snprintf(line, sizeof line, _("Priority group: %s"), group_name(c, p->priority_group));
        ui_put(w, y + 3, x, line, width);
    }
    if (rows > 4) {
        if (doses == 0)
            snprintf(line, sizeof line, "%s", _("Doses so far: none · due for dose 1"));
        else
            snprintf(line, sizeof line, _("Doses so far: %d · next: dose %d"), doses, c->next);
        ui_put(w, y + 4, x, line, width);
    }
    if (rows > 5) {
        if (c->has_today) {
            ui_role r = v->urgent ? ROLE_URGENT : ROLE_OK;
            if (v->state == VAX_STATE_DONE || v->state == VAX_STATE_POSTPONED ||
                v->state == VAX_STATE_CONTRAINDICATED || v->state == VAX_STATE_REFERRED ||
                v->state == VAX_STATE_DECLINED)
                r = ROLE_WARNING; /* a second ticket today would be a mistake: make it stand out */
            ui_role_on(w, r);
            ui_put(w, y + 5, x, c->today_text, width);
            ui_role_off(w, r);
        } else {
            ui_role_on(w, ROLE_DIM);
            snprintf(line, sizeof line, _("Today: not checked in · %s checks in"),
                     ui_act_key(app, ACT_CHECK_IN));
            ui_put(w, y + 5, x, line, width);
            ui_role_off(w, ROLE_DIM);
        }
    }
}

static void draw_search(ui_app *app, checkin *c, WINDOW *w, int rows, int cols)
{
    const char *label = _("Search:");
    int lw = ui_width(label) + 1;
    int wide = cols >= 140;
    int list_w = wide ? cols * 55 / 100 : cols - 2;
    int detail_rows = wide ? rows - 3 : 7;
    int list_rows = wide ? rows - 3 : rows - 3 - detail_rows - 1;
    char count[128], text[UI_INPUT_MAX * 4 + 1];
    ui_put(w, 0, 1, label, lw);
    ui_input_get(&c->search, text, sizeof text);
    if (!text[0])
        snprintf(count, sizeof count, "%s", _("type a name, ID or phone; accents not needed"));
    else if (strstr(text, HC1))
        snprintf(count, sizeof count, _("a vaccination certificate's QR code: %s reads it"),
                 ui_act_key(app, ACT_CHECK_IN));
    else if (c->list.count >= MAX_RESULTS)
        snprintf(count, sizeof count, _("the first %d found; type more to narrow"), c->list.count);
    else
        snprintf(count, sizeof count, _("%d found"), c->list.count);
    ui_role_on(w, ROLE_DIM);
    ui_put(w, 1, 1 + lw, count, cols - 2 - lw);
    ui_role_off(w, ROLE_DIM);
    c->list_rows = list_rows;
    ui_list_draw(w, 2, 1, list_w, list_rows, &c->list, result_row, c);
    if (wide) {
        mvwvline(w, 2, list_w + 2, ACS_VLINE, rows - 3);
        draw_details(app, c, w, 2, list_w + 4, cols - list_w - 5, detail_rows);
    } else {
        mvwhline(w, 2 + list_rows, 1, ACS_HLINE, cols - 2);
        draw_details(app, c, w, 3 + list_rows, 1, cols - 2, detail_rows);
    }
    /* the search input last, so the terminal cursor stays in it */
    ui_input_draw(w, 0, 1 + lw, cols - 2 - lw < 50 ? cols - 2 - lw : 50, &c->search, 1);
    ui_cursor_here(app, w);
}

static void draw_form(ui_app *app, checkin *c, WINDOW *w, int rows, int cols)
{
    char title[300];
    if (c->mode == MODE_EDIT)
        snprintf(title, sizeof title, _("Correct the record of %s"), c->editing.full_name);
    else
        snprintf(title, sizeof title, "%s", _("Register a new person"));
    ui_role_on(w, ROLE_TITLE);
    ui_put(w, 0, 1, title, cols - 2);
    ui_role_off(w, ROLE_TITLE);
    ui_form_draw(w, 2, 1, cols - 2, rows - 2, &c->form);
    int cy, cx;
    getyx(w, cy, cx);
    /* the list of groups beside the form while the group field is focused */
    ui_field *g = ui_form_field(&c->form, "priority_group");
    if (g == &c->form.fields[c->form.focus]) {
        int gy = 2 + 2 * c->form.n - 2 - c->ngroups;
        if (gy < 2)
            gy = 2;
        int gx = cols >= 120 ? 70 : 1;
        for (int i = 0; i < c->ngroups && gy + i < rows; i++) {
            char line[300];
            snprintf(line, sizeof line, "%s  %s", c->groups[i].code, c->groups[i].name);
            if (cols < 120 && gy + i >= 2 + 2 * (c->form.n - 1))
                break;
            ui_role_on(w, ROLE_DIM);
            ui_put(w, gy + i, gx, line, cols - gx - 1);
            ui_role_off(w, ROLE_DIM);
        }
    }
    wmove(w, cy, cx);
    ui_cursor_here(app, w);
}

static void draw(ui_app *app, WINDOW *w, int rows, int cols)
{
    checkin *c = app->screen->state;
    if (c->mode != MODE_SEARCH)
        draw_form(app, c, w, rows, cols);
    else
        draw_search(app, c, w, rows, cols);
}

/* ---- actions ----------------------------------------------------------------------------- */

/* The person's fields, for a registration and for a correction. */
static void add_person_fields(ui_form *f)
{
    ui_form_init(f);
    ui_form_add(f, "full_name", _("Full name"), NULL, 80, check_name);
    /* empty: a person without papers; a birth date may also be a year alone (the hints stay as
     * short as the phone's, which sets the form's layout at 80 columns) */
    ui_form_add(f, "national_id", _("ID number"), _("12/9 digits or empty"), 14, check_id);
    ui_form_add(f, "birth_date", _("Birth date"), _("dd/mm/yyyy"), 10, check_dob);
    ui_form_add(f, "sex", _("Sex"), _("m / f"), 6, check_sex);
    ui_form_add(f, "phone", _("Phone"), _("optional, 0912345678"), 16, check_phone);
    ui_form_add(f, "insurance_no", _("Insurance no."), _("optional"), 16, check_insurance);
    ui_form_add(f, "commune", _("Commune"), _("optional"), 60, NULL);
    ui_form_add(f, "ethnicity", _("Ethnicity"), _("optional, e.g. Thái"), 40, NULL);
    ui_form_add(f, "priority_group", _("Priority group"), _("G01-G11, optional"), 3, check_group);
}

static void open_form(ui_app *app, checkin *c)
{
    char text[256];
    int digits = 0;
    ui_form *f = &c->form;
    ui_input_get(&c->search, text, sizeof text);
    for (const char *p = text; *p; p++)
        digits += *p >= '0' && *p <= '9';
    add_person_fields(f);
    /* what was typed in the search carries over: a name, or an ID number */
    ui_input_set(&ui_form_field(f, digits ? "national_id" : "full_name")->input, text);
    f->focus = digits ? 0 : 1;
    if (!text[0])
        f->focus = 0;
    c->old_id[0] = 0;
    c->mode = MODE_FORM;
    app->msg[0] = 0;
}

/* The form filled in from a scanned card that nobody is registered under. */
static void open_form_from_card(ui_app *app, checkin *c, const vax_idcard *card)
{
    vax_person p;
    char dmy[11];
    ui_input_clear(&c->search);
    open_form(app, c);
    vax_idcard_to_person(card, &p);
    ui_input_set(&ui_form_field(&c->form, "full_name")->input, p.full_name);
    ui_input_set(&ui_form_field(&c->form, "national_id")->input, p.national_id);
    vax_date_dmy(p.birth_date, dmy);
    ui_input_set(&ui_form_field(&c->form, "birth_date")->input, dmy);
    ui_input_set(&ui_form_field(&c->form, "sex")->input, p.sex == 'f' ? "f" : "m");
    ui_input_set(&ui_form_field(&c->form, "commune")->input, p.commune);
    /* a card with a CCCD and the old CMND: the CMND stays a way to find the new record */
    if (card->cccd[0] && card->cmnd[0])
        snprintf(c->old_id, sizeof c->old_id, "%s", card->cmnd);
    c->form.focus = 4; /* the phone: what a card does not hold */
    c->form.changed = 1;
}

/* A chip ID card's QR as the scanner typed it into the search, with Enter. */
static void do_scan(ui_app *app, checkin *c, const char *text)
{
    vax_idcard card;
    vax_person p;
    char msg[256];
    int linked = 0;
    if (vax_idcard_parse(text, &card, msg, sizeof msg) != VAX_OK) {
        ui_input_clear(&c->search);
        run_search(app, c);
        ui_message(app, MSG_ERROR, "%s", msg);
        return;
    }
    int rc = vax_person_by_idcard(app->db, &card, &p, &linked);
    if (rc == VAX_ENOTFOUND) {
        open_form_from_card(app, c, &card);
        ui_message(app, MSG_INFO,
                   _("%s is not registered: check the card's details, then %s saves."),
                   card.full_name, ui_act_key(app, ACT_SAVE));
        return;
    }
    if (rc != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_input_set(&c->search, p.national_id);
    run_search(app, c);
    if (linked)
        ui_message(app, MSG_OK,
                   _("%s found by the old ID %s; the card's CCCD %s is now linked to the record. "
                     "Enter checks in."),
                   p.full_name, card.cmnd, card.cccd);
    else
        ui_message(app, MSG_OK, _("%s found by the ID card. Enter checks in."), p.full_name);
}

/* An EU DCC scanned into the search, after the person was selected: what it says is shown, and
 * on the nurse's word it is recorded as a dose given elsewhere. */
static void do_hc1(ui_app *app, checkin *c, char *text)
{
    char *hc1 = strstr(text, HC1), lines[10][400], dob[11], dt[11], pdob[11];
    const char *shown[10];
    int n = 0;
    int64_t who = c->held, id = 0;
    vax_person p;
    vax_dcc_dose d;
    vax_trust *trust = NULL;
    /* the search as it was before the scan, the cursor on the person */
    char *code = strdup(hc1);
    if (!code) {
        ui_message(app, MSG_ERROR, "%s", vax_status_str(VAX_ENOMEM));
        return;
    }
    *hc1 = 0;
    ui_input_set(&c->search, text);
    run_search(app, c);
    for (int i = 0; i < c->list.count; i++)
        if (c->results[i].id == who)
            c->list.selected = i;
    c->want = c->held = who;
    if (!who || vax_person_get(app->db, who, &p) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s",
                   _("Find and select the person first, then scan their certificate."));
        goto done;
    }
    if (vax_trust_load(app->db, &trust) != VAX_OK ||
        vax_dcc_dose_read(app->db, code, trust, who, &d) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        goto done;
    }
    /* a birth date the certificate gives as a year (or year and month) is shown as it is */
    if (strlen(d.hc.dob) == 10)
        vax_date_dmy(d.hc.dob, dob);
    else
        snprintf(dob, sizeof dob, "%s", d.hc.dob[0] ? d.hc.dob : "-");
    vax_date_dmy(d.hc.dt, dt);
    vax_date_dmy(p.birth_date, pdob);
    snprintf(lines[n++], sizeof lines[0], _("For: %s, born %s"), p.full_name, pdob);
    snprintf(lines[n++], sizeof lines[0], _("Certificate of: %s %s, born %s"), d.hc.gn, d.hc.fn,
             dob);
    snprintf(lines[n++], sizeof lines[0], _("Vaccine: %s · dose %d of %d · %s"), d.product_name,
             d.hc.dn, d.hc.sd, dt);
    snprintf(lines[n++], sizeof lines[0], _("Given in: %s · by %s"), d.hc.co, d.hc.is);
    snprintf(lines[n++], sizeof lines[0], _("UVCI: %s"), d.hc.ci);
    snprintf(lines[n++], sizeof lines[0], "%s",
             d.result == VAX_CERT_VALID     ? _("Signature: verified.")
             : d.result == VAX_CERT_EXPIRED ? _("Signature: verified; its validity has ended (the "
                                                "dose still counts).")
                                            : _("! Signer unknown: not in this site's trust list, "
                                                "so the signature is not verified."));
    if (d.warnings & VAX_DCC_NAME_DIFFERS)
        snprintf(lines[n++], sizeof lines[0], _("! The name is not %s's."), p.full_name);
    if (d.warnings & VAX_DCC_DOB_DIFFERS)
        snprintf(lines[n++], sizeof lines[0], _("! The birth date is not %s."), pdob);
    for (int i = 0; i < n; i++)
        shown[i] = lines[i];
    /* a warning is confirmed by a letter typed, not by an Enter a scanner may send twice */
    int yes = d.warnings ? ui_dialog_confirm_key(app, _("Dose given elsewhere"), shown, n,
                                                 _("Record it anyway?"), _("Record"))
                         : ui_dialog_confirm_lines(app, _("Dose given elsewhere"), shown, n,
                                                   _("Record this dose?"));
    if (!yes) {
        ui_message(app, MSG_INFO, "%s", _("The certificate was not recorded."));
        goto done;
    }
    if (vax_dose_record_hc1(app->db, who, code, trust, d.warnings, &id) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        goto done;
    }
    ui_message(app, MSG_OK, _("Recorded for %s: dose %d (%s) given elsewhere on %s."), p.full_name,
               d.hc.dn, d.product_name, dt);
done:
    vax_trust_free(trust);
    free(code);
}

static void field_text(checkin *c, const char *key, char *buf, size_t size)
{
    ui_input_get(&ui_form_field(&c->form, key)->input, buf, size);
}

/* The registration may be a second record of someone registered: the desk says whether it is
 * the same person (the new ID is linked to their record) or someone else (a new record). */
static void save_duplicate(ui_app *app, checkin *c, vax_person *p)
{
    enum { MAXDUP = 8 };
    vax_person dup[MAXDUP];
    char lines[MAXDUP + 1][300], dmy[11];
    const char *items[MAXDUP + 1];
    int n = 0;
    if (vax_person_duplicates(app->db, p, c->old_id, dup, MAXDUP, &n) != VAX_OK || n == 0) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    for (int i = 0; i < n; i++) {
        vax_date_dmy(dup[i].birth_date, dmy);
        snprintf(lines[i], sizeof lines[i], _("Same person: %s · %s · ID %s"), dup[i].full_name,
                 dmy, dup[i].national_id);
        items[i] = lines[i];
    }
    snprintf(lines[n], sizeof lines[n], _("Someone else: register %s as a new person"),
             p->full_name);
    items[n] = lines[n];
    int k = ui_dialog_pick(app, _("Registered already?"),
                           _("Someone with this name and birth date (or this old ID) is "
                             "registered:"),
                           (const char *const *)items, NULL, n + 1, 0);
    if (k < 0)
        return;
    int64_t found = 0;
    if (k < n) {
        if (vax_person_link_id(app->db, dup[k].id, p->national_id,
                               "the same person, at the check-in desk") != VAX_OK) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            return;
        }
        found = dup[k].id;
        snprintf(p->full_name, sizeof p->full_name, "%s", dup[k].full_name);
    } else if (vax_person_register(app->db, p, c->old_id, 1) != VAX_OK) {
        ui_form_show_error(&c->form, vax_errfield(app->db), vax_errmsg(app->db));
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    c->mode = MODE_SEARCH;
    ui_input_set(&c->search, found ? dup[k].national_id : p->national_id);
    run_search(app, c);
    if (found)
        ui_message(app, MSG_OK, _("ID %s linked to %s's record. Press Enter to check in."),
                   p->national_id, p->full_name);
    else
        ui_message(app, MSG_OK, _("Registered %s. Press Enter to check in."), p->full_name);
}

/* The form's fields into *p (its other members as they were); 0 with the first error said. */
static int read_form(ui_app *app, checkin *c, vax_person *p)
{
    char sex[16], group[8];
    if (!ui_form_check_all(&c->form)) {
        ui_message(app, MSG_ERROR, "%s", c->form.fields[c->form.focus].error);
        return 0;
    }
    field_text(c, "full_name", p->full_name, sizeof p->full_name);
    field_text(c, "national_id", p->national_id, sizeof p->national_id);
    field_text(c, "birth_date", p->birth_date, sizeof p->birth_date);
    field_text(c, "phone", p->phone, sizeof p->phone);
    field_text(c, "insurance_no", p->insurance_no, sizeof p->insurance_no);
    field_text(c, "commune", p->commune, sizeof p->commune);
    field_text(c, "ethnicity", p->ethnicity, sizeof p->ethnicity);
    field_text(c, "sex", sex, sizeof sex);
    field_text(c, "priority_group", group, sizeof group);
    parse_sex(sex, &p->sex);
    for (char *g = group; *g; g++)
        if (*g >= 'a' && *g <= 'z')
            *g = (char)(*g - 'a' + 'A');
    snprintf(p->priority_group, sizeof p->priority_group, "%s", group);
    /* the form's text fields are wider than some struct fields; fetch those in full */
    char id[64], dob[64], phone[64], ins[64];
    field_text(c, "national_id", id, sizeof id);
    field_text(c, "birth_date", dob, sizeof dob);
    field_text(c, "phone", phone, sizeof phone);
    field_text(c, "insurance_no", ins, sizeof ins);
    char msg[256];
    if ((check_id(id, msg, sizeof msg) != VAX_OK ||
         (id[strspn(id, " ")] &&
          vax_validate_national_id(id, p->national_id, msg, sizeof msg) != VAX_OK)) ||
        vax_validate_birth_date(dob, p->birth_date, msg, sizeof msg) != VAX_OK ||
        vax_validate_phone(phone, p->phone, msg, sizeof msg) != VAX_OK ||
        vax_validate_insurance_no(ins, p->insurance_no, msg, sizeof msg) != VAX_OK) {
        ui_form_check_all(&c->form);
        ui_message(app, MSG_ERROR, "%s", msg);
        return 0;
    }
    if (!id[strspn(id, " ")])
        p->national_id[0] = 0;
    return 1;
}

static void save_form(ui_app *app, checkin *c)
{
    vax_person p;
    memset(&p, 0, sizeof p);
    if (!read_form(app, c, &p))
        return; /* an empty ID: the core makes the site's identifier */
    int rc = vax_person_register(app->db, &p, c->old_id, 0);
    if (rc == VAX_EEXIST && !strcmp(vax_errfield(app->db), "duplicate")) {
        save_duplicate(app, c, &p);
        return;
    }
    if (rc != VAX_OK) {
        ui_form_show_error(&c->form, vax_errfield(app->db), vax_errmsg(app->db));
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    /* saved: back to the search, with the new person found and selected */
    c->mode = MODE_SEARCH;
    ui_input_set(&c->search, p.national_id);
    run_search(app, c);
    ui_message(app, MSG_OK, _("Registered %s. Press Enter to check in."), p.full_name);
}

static int key(ui_app *app, ui_key k);

/* What a manager confirms at this desk with their login and PIN, in a box, without the member
 * signed in here signing out: `attempt` runs it through the core. A refused login or PIN asks
 * again in the box; any other refusal is said. 1 when it was done. */
typedef int (*manager_attempt)(ui_app *app, const char *login, const char *pin, void *ctx);

static int with_manager(ui_app *app, const char *line, manager_attempt attempt, void *ctx)
{
    char login[64] = "", pin[16] = "", error[300] = "";
    for (;;) {
        if (!ui_dialog_doctor(app, _("A manager confirms"), line, error, login, sizeof login, pin,
                              sizeof pin))
            return 0;
        int rc = attempt(app, login, pin, ctx);
        memset(pin, 0, sizeof pin);
        if (rc == VAX_OK)
            return 1;
        if (strcmp(vax_errfield(app->db), "login") != 0 && strcmp(vax_errfield(app->db), "pin") &&
            rc != VAX_EAUTH && rc != VAX_ELOCKED) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            return 0;
        }
        snprintf(error, sizeof error, "%s", vax_errmsg(app->db)); /* asked again, in the box */
    }
}

typedef struct second_ticket {
    const vax_person *p;
    const char *reason;
    vax_visit *v;
} second_ticket;

static int second_ticket_confirmed(ui_app *app, const char *login, const char *pin, void *ctx)
{
    second_ticket *t = ctx;
    return vax_queue_checkin_confirmed(app->db, t->p->id, t->reason, login, pin, t->v);
}

/* Someone with a dose today: a second ticket only with a manager's reason (the core audits it).
 * A manager at the desk gives it; anyone else asks a manager to confirm. Returns 1 with *v
 * checked in. */
static int checkin_again(ui_app *app, const vax_person *p, vax_visit *v)
{
    char reason[200] = "", prompt[600];
    if (strcmp(vax_errfield(app->db), "override") != 0) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return 0;
    }
    snprintf(prompt, sizeof prompt, "%s %s", vax_errmsg(app->db),
             _("Why does this person get a second ticket today?"));
    if (!ui_dialog_ask(app, _("Second ticket today"), prompt, reason, sizeof reason))
        return 0;
    if (vax_role_may(app->staff.role, VAX_ACT_OVERRIDE)) {
        if (vax_queue_checkin_again(app->db, p->id, reason, v) == VAX_OK)
            return 1;
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return 0;
    }
    second_ticket t = {p, reason, v};
    return with_manager(app, _("A manager confirms the second ticket with their login and PIN."),
                        second_ticket_confirmed, &t);
}

/* ---- corrections ------------------------------------------------------------------------- */

/* The selected person's record in the form, every field as it is, and a reason to give. */
static void open_edit(ui_app *app, checkin *c)
{
    vax_person *p = selected(c);
    char dmy[11], sex[2] = "";
    if (!p) {
        ui_message(app, MSG_ERROR, "%s", _("Find the person first, then correct their record."));
        return;
    }
    c->editing = *p;
    ui_form *f = &c->form;
    add_person_fields(f);
    ui_form_add(f, "reason", _("Reason"), _("why it is corrected"), 80, check_reason);
    ui_input_set(&ui_form_field(f, "full_name")->input, p->full_name);
    ui_input_set(&ui_form_field(f, "national_id")->input, p->national_id);
    vax_date_dmy(p->birth_date, dmy);
    ui_input_set(&ui_form_field(f, "birth_date")->input, dmy);
    sex[0] = p->sex == 'm' || p->sex == 'f' ? p->sex : 0;
    ui_input_set(&ui_form_field(f, "sex")->input, sex);
    ui_input_set(&ui_form_field(f, "phone")->input, p->phone);
    ui_input_set(&ui_form_field(f, "insurance_no")->input, p->insurance_no);
    ui_input_set(&ui_form_field(f, "commune")->input, p->commune);
    ui_input_set(&ui_form_field(f, "ethnicity")->input, p->ethnicity);
    ui_input_set(&ui_form_field(f, "priority_group")->input, p->priority_group);
    f->focus = 0;
    f->changed = 0;
    c->old_id[0] = 0;
    c->mode = MODE_EDIT;
    ui_message(app, MSG_INFO, _("Correct what is wrong, say why, then %s saves."),
               ui_act_key(app, ACT_SAVE));
}

/* After a correction of what a certificate prints: a manager re-issues the person's certificates
 * at once (each old one revoked); anyone else is told a manager does it. */
static void reissue_after_edit(ui_app *app, const vax_person *p, const char *reason)
{
    enum { MAX = 16 };
    vax_certificate *certs = calloc(MAX, sizeof *certs), *fresh = malloc(sizeof *fresh);
    int n = 0, stale = 0, done = 0;
    char line[300];
    if (!certs || !fresh || vax_cert_list_for_person(app->db, p->id, certs, MAX, &n) != VAX_OK)
        goto out;
    for (int i = 0; i < n; i++)
        stale += certs[i].stale[0] != 0;
    if (!stale)
        goto out;
    if (!vax_role_may(app->staff.role, VAX_ACT_OVERRIDE)) {
        ui_message(app, MSG_INFO,
                   _("Corrected. %d certificate(s) print the old details: a manager re-issues them "
                     "(%s, R)."),
                   stale, ui_act_key(app, ACT_CERTIFICATE));
        goto out;
    }
    snprintf(line, sizeof line,
             _("%d certificate(s) of %s print what was corrected. A new one replaces each; the "
               "old one is revoked."),
             stale, p->full_name);
    const char *lines[] = {line};
    if (!ui_dialog_confirm_lines(app, _("Re-issue certificates"), lines, 1,
                                 _("Re-issue them now?"))) {
        ui_message(app, MSG_INFO, _("Corrected; %d certificate(s) still print the old details."),
                   stale);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        if (!certs[i].stale[0])
            continue;
        if (vax_cert_reissue(app->db, certs[i].id, reason, fresh) != VAX_OK) {
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            goto out;
        }
        done++;
    }
    ui_message(app, MSG_OK, _("Corrected; %d certificate(s) re-issued, the old ones revoked."),
               done);
out:
    free(certs);
    free(fresh);
}

static void save_edit(ui_app *app, checkin *c)
{
    vax_person p = c->editing;
    char reason[400];
    if (!read_form(app, c, &p))
        return;
    if (!p.national_id[0]) { /* a record keeps an identifier: the site's, if there are no papers */
        ui_form_show_error(&c->form, "national_id", _("ID number: missing."));
        ui_message(app, MSG_ERROR, "%s", _("ID number: missing."));
        return;
    }
    field_text(c, "reason", reason, sizeof reason);
    if (vax_person_update(app->db, &p, reason) != VAX_OK) {
        ui_form_show_error(&c->form, vax_errfield(app->db), vax_errmsg(app->db));
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    c->mode = MODE_SEARCH;
    c->want = p.id;
    ui_input_set(&c->search, p.national_id);
    run_search(app, c);
    ui_message(app, MSG_OK, _("%s's record corrected; the previous version is kept."), p.full_name);
    reissue_after_edit(app, &p, reason);
}

typedef struct void_dose {
    int64_t id;
    const char *reason;
} void_dose;

static int void_confirmed(ui_app *app, const char *login, const char *pin, void *ctx)
{
    void_dose *d = ctx;
    return vax_dose_void_confirmed(app->db, d->id, d->reason, login, pin);
}

/* A dose recorded by mistake, chosen from the person's doses: voided for a reason by a manager
 * (at this desk, or confirming with their login and PIN); the record keeps it, its certificate
 * is revoked, and the doses after it and the due list follow. */
static void do_void(ui_app *app, checkin *c)
{
    enum { MAX = 16 };
    vax_dose doses[MAX];
    char labels[MAX][400], day[11], dmy[11], where[201], reason[200] = "", prompt[300];
    const char *items[MAX];
    int n = 0;
    if (vax_dose_list(app->db, c->editing.id, doses, MAX, &n) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    if (n == 0) {
        ui_message(app, MSG_ERROR, _("%s has no dose recorded."), c->editing.full_name);
        return;
    }
    for (int i = 0; i < n; i++) {
        vax_local_date(doses[i].given_at, day);
        vax_date_dmy(day, dmy);
        if (doses[i].place[0])
            snprintf(where, sizeof where, "%s", doses[i].place);
        else
            ui_place_name(app, doses[i].station, where, sizeof where);
        snprintf(labels[i], sizeof labels[i], _("Dose %d · %s · %s · lot %s · %s"),
                 doses[i].dose_number, dmy, doses[i].product,
                 doses[i].lot_no[0] ? doses[i].lot_no : "-", where);
        items[i] = labels[i];
    }
    int k = ui_dialog_pick(app, _("Void a dose"), _("Which dose was recorded by mistake?"), items,
                           NULL, n, n - 1);
    if (k < 0)
        return;
    snprintf(prompt, sizeof prompt, _("Dose %d of %s: why is this record wrong?"),
             doses[k].dose_number, c->editing.full_name);
    if (!ui_dialog_ask(app, _("Void a dose"), prompt, reason, sizeof reason))
        return;
    int done;
    if (vax_role_may(app->staff.role, VAX_ACT_OVERRIDE)) {
        done = vax_dose_void(app->db, doses[k].id, reason) == VAX_OK;
        if (!done)
            ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    } else {
        void_dose d = {doses[k].id, reason};
        done = with_manager(app, _("A manager confirms voiding the dose with their login and PIN."),
                            void_confirmed, &d);
    }
    if (done)
        ui_message(app, MSG_OK,
                   _("Dose %d of %s voided (kept in the record); its certificate is revoked."),
                   doses[k].dose_number, c->editing.full_name);
}

/* A child (under 18) is vaccinated only with a parent or guardian on record (the injection room
 * refuses the dose otherwise): the desk asks for their name and phone at check-in, once. 0 when
 * the nurse cancelled or the core refused what was typed (said). */
static int ensure_guardian(ui_app *app, const vax_person *p)
{
    char today[11], name[256] = "", phone[32] = "", prompt[400];
    vax_guardian g;
    vax_local_date(vax_now(), today);
    if (vax_age_on(p->birth_date, today) >= VAX_ADULT_AGE ||
        vax_person_guardian_get(app->db, p->id, &g) == VAX_OK)
        return 1;
    snprintf(prompt, sizeof prompt,
             _("%s is under 18: the full name of the parent or guardian who brings them"),
             p->full_name);
    if (!ui_dialog_ask(app, _("Parent or guardian"), prompt, name, sizeof name))
        return 0;
    snprintf(prompt, sizeof prompt, _("The phone of %s"), name);
    if (!ui_dialog_ask(app, _("Parent or guardian"), prompt, phone, sizeof phone))
        return 0;
    if (vax_person_guardian_set(app->db, p->id, name, phone) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return 0;
    }
    return 1;
}

static void do_checkin(ui_app *app, checkin *c)
{
    vax_person *p;
    vax_visit v;
    char line[300], text[UI_INPUT_MAX * 4 + 1];
    ui_input_get(&c->search, text, sizeof text);
    if (strstr(text, HC1)) {
        do_hc1(app, c, text);
        return;
    }
    if (vax_idcard_is_scan(text)) {
        do_scan(app, c, text);
        return;
    }
    p = selected(c);
    if (!p) {
        ui_message(app, MSG_ERROR, _("Find the person first, or press %s to register."),
                   ui_act_key(app, ACT_REGISTER));
        return;
    }
    if (!ensure_guardian(app, p))
        return;
    if (vax_queue_checkin(app->db, p->id, &v) != VAX_OK && !checkin_again(app, p, &v))
        return;
    /* committed: only now does the screen say so */
    snprintf(line, sizeof line, "%s", p->full_name);
    vax_appt ap; /* an appointment's check-in says early, on time or late */
    if (vax_appt_for_visit(app->db, v.id, &ap) == VAX_OK) {
        char a[6], b[6];
        int min = 0;
        vax_arrival arr = vax_appt_arrival(ap.starts_at, ap.ends_at, v.arrived_at, &min);
        vax_local_hhmm(ap.starts_at, a);
        vax_local_hhmm(ap.ends_at, b);
        if (arr == VAX_ARRIVE_ON_TIME)
            snprintf(line, sizeof line, _("%s · slot %s-%s · on time"), p->full_name, a, b);
        else
            snprintf(line, sizeof line,
                     arr == VAX_ARRIVE_EARLY ? _("%s · slot %s-%s · %d min early")
                                             : _("%s · slot %s-%s · %d min late"),
                     p->full_name, a, b, min);
    }
    ui_message(app, MSG_OK, _("%s checked in: ticket %03d."), p->full_name, v.ticket);
    ui_key next = ui_dialog_ticket(app, _("Checked in"), v.ticket, line);
    ui_input_clear(&c->search);
    run_search(app, c);
    /* the nurse types the next name at once: that letter closed the ticket and starts the search */
    if (next.code == UI_KEY_CHAR)
        key(app, next);
}

static void do_urgent(ui_app *app, checkin *c)
{
    vax_person *p = selected(c);
    vax_visit v;
    char note[128] = "";
    const char *items[VAX_URGENT_COUNT];
    int reason = VAX_URGENT_NONE;
    if (!p || vax_visit_open_for_person(app->db, p->id, &v) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", _("Only a person checked in today can be marked urgent."));
        return;
    }
    if (v.urgent) {
        snprintf(note, sizeof note, "%s", "unmarked at the check-in desk");
    } else {
        for (int r = 1; r < VAX_URGENT_COUNT; r++)
            items[r - 1] = vax_urgent_label(r);
        int k = ui_dialog_pick(app, _("Mark urgent"), _("Why does this person go first?"), items,
                               NULL, VAX_URGENT_COUNT - 1, 0);
        if (k < 0)
            return;
        reason = k + 1;
        if (reason == VAX_URGENT_OTHER &&
            (!ui_dialog_ask(app, _("Mark urgent"), _("Other: say why"), note, sizeof note) ||
             !note[0]))
            return;
    }
    if (vax_queue_set_urgent(app->db, v.id, reason, note) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK,
               v.urgent ? _("Ticket %03d is no longer urgent.")
                        : _("Ticket %03d is marked urgent."),
               v.ticket);
}

static void do_undo(ui_app *app, checkin *c)
{
    vax_person *p = selected(c);
    vax_visit v;
    char reason[200] = "";
    if (!p || vax_visit_open_for_person(app->db, p->id, &v) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", _("This person is not checked in today."));
        return;
    }
    if (!ui_dialog_ask(app, _("Undo check-in"), _("Why is this check-in a mistake?"), reason,
                       sizeof reason))
        return;
    if (vax_queue_undo_checkin(app->db, v.id, reason) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    ui_message(app, MSG_OK, _("Check-in of ticket %03d undone (kept in the record)."), v.ticket);
    run_search(app, c);
}

/* ---- the key table ------------------------------------------------------------------------ */

static checkin *desk(ui_app *app)
{
    return app->screen->state;
}

static void act_check_in(ui_app *app)
{
    do_checkin(app, desk(app));
}

static void act_register(ui_app *app)
{
    open_form(app, desk(app));
}

static void act_urgent(ui_app *app)
{
    do_urgent(app, desk(app));
}

static void act_undo(ui_app *app)
{
    do_undo(app, desk(app));
}

static void act_certificate(ui_app *app)
{
    if (selected(desk(app)))
        ui_cert_for_person(app, selected(desk(app))->id);
}

static void act_book(ui_app *app)
{
    checkin *c = desk(app);
    if (selected(c))
        ui_dialog_book(app, selected(c));
    else
        ui_message(app, MSG_ERROR, _("Find the person first, then press %s to book."),
                   ui_act_key(app, ACT_BOOK));
}

static void act_clear(ui_app *app)
{
    ui_input_clear(&desk(app)->search);
    run_search(app, desk(app));
    app->msg[0] = 0;
}

static void act_save(ui_app *app)
{
    if (desk(app)->mode == MODE_EDIT)
        save_edit(app, desk(app));
    else
        save_form(app, desk(app));
}

static void act_correct(ui_app *app)
{
    open_edit(app, desk(app));
}

static void act_void_dose(ui_app *app)
{
    do_void(app, desk(app));
}

static void act_next_field(ui_app *app)
{
    ui_form_key(&desk(app)->form, (ui_key){UI_KEY_TAB, 0});
}

static void act_cancel(ui_app *app)
{
    checkin *c = desk(app);
    if (!ui_form_may_discard(app, &c->form))
        return;
    c->mode = MODE_SEARCH;
    app->msg[0] = 0;
}

enum { IN_SEARCH = 1, IN_FORM = 2, IN_EDIT = 4 };

static unsigned mode(ui_app *app)
{
    enum mode m = desk(app)->mode;
    return m == MODE_FORM ? IN_FORM : m == MODE_EDIT ? IN_EDIT : IN_SEARCH;
}

static const ui_keyrow rows[] = {
    {UI_KEY_ENTER, NULL, ACT_CHECK_IN, N_("Check in"),
     N_("checks the selected person in and shows the ticket"), IN_SEARCH, 90, act_check_in},
    {UI_KEY_F2, NULL, ACT_REGISTER, N_("New person"), N_("registers a new person"), IN_SEARCH, 80,
     act_register},
    {UI_KEY_F3, NULL, ACT_URGENT, N_("Urgent"),
     N_("marks the ticket urgent, for a reason: called next at the next station, after anyone "
        "already urgent; or takes the mark off"),
     IN_SEARCH, 60, act_urgent},
    {UI_KEY_F4, NULL, ACT_UNDO_CHECKIN, N_("Undo"),
     N_("undoes a check-in made by mistake (kept in the record)"), IN_SEARCH, 40, act_undo},
    {UI_KEY_F6, NULL, ACT_CERTIFICATE, N_("Certificate"),
     N_("the person's certificates: show, print, save"), IN_SEARCH, 30, act_certificate},
    {UI_KEY_F7, NULL, ACT_CORRECT, N_("Correct"), N_("corrects the person's record, with a reason"),
     IN_SEARCH, 35, act_correct},
    {UI_KEY_F8, NULL, ACT_BOOK, N_("Book"), N_("books an appointment in a free slot"), IN_SEARCH,
     50, act_book},
    {UI_KEY_ESC, NULL, ACT_CLEAR_SEARCH, N_("Clear"), N_("clears the search"), IN_SEARCH,
     UI_BAR_NEVER, act_clear},
    {UI_KEY_F5, NULL, ACT_SAVE, N_("Save"), N_("saves the form"), IN_FORM | IN_EDIT, 90, act_save},
    {UI_KEY_F4, NULL, ACT_VOID_DOSE, N_("Void dose"),
     N_("voids a dose recorded by mistake, with a reason: a manager, or a manager's login and PIN "
        "(kept in the record; its certificate is revoked)"),
     IN_EDIT, 40, act_void_dose},
    {UI_KEY_TAB, NULL, ACT_NEXT_FIELD, N_("Next field"), N_("the next field of the form"),
     IN_FORM | IN_EDIT, 50, act_next_field},
    {UI_KEY_ESC, NULL, ACT_CANCEL, N_("Cancel"),
     N_("leaves the form, asking first if anything was typed"), IN_FORM | IN_EDIT, 60, act_cancel},
};
static const char *const mode_names[] = {"search", "form", "edit"};
const ui_keytable ui_keys_checkin = UI_KEYTABLE("checkin", rows, mode_names);

/* What no row takes: the search as it is typed, list movement, the form's typing (Enter moves
 * to the next field, and saves on the last). */
static int key(ui_app *app, ui_key k)
{
    checkin *c = desk(app);
    int used;
    if (c->mode != MODE_SEARCH) {
        if (k.code == UI_KEY_ENTER && c->form.focus == c->form.n - 1) {
            act_save(app);
            return 1;
        }
        if (k.code == UI_KEY_ENTER)
            k.code = UI_KEY_TAB;
        return ui_form_key(&c->form, k);
    }
    if (ui_list_key(&c->list, k, c->list_rows)) {
        c->want = c->held = selected(c) ? selected(c)->id : 0;
        return 1;
    }
    if (ui_input_key(&c->search, k, &used)) {
        run_search(app, c); /* results follow every key */
        app->msg[0] = 0;
    }
    return used;
}

/* The results again (another desk checked someone in, a ticket moved on), the cursor on the same
 * person; then what the desk shows of them. */
static void load(ui_app *app)
{
    checkin *c = desk(app);
    int64_t want = c->want;
    if (c->mode != MODE_SEARCH)
        return;
    run_search(app, c);
    for (int i = 0; i < c->list.count; i++)
        if (c->results[i].id == want)
            c->list.selected = i;
    vax_person *p = selected(c);
    c->want = p ? p->id : 0;
    char text[UI_INPUT_MAX * 4 + 1];
    ui_input_get(&c->search, text, sizeof text);
    if (!scan_starting(text))
        c->held = c->want;
    c->doses = 0;
    c->has_today = 0;
    c->minor = c->has_guardian = 0;
    if (!p)
        return;
    char today[11];
    vax_local_date(vax_now(), today);
    c->minor = vax_age_on(p->birth_date, today) < VAX_ADULT_AGE;
    c->has_guardian = c->minor && vax_person_guardian_get(app->db, p->id, &c->guardian) == VAX_OK;
    vax_person_dose_count(app->db, p->id, &c->doses);
    if (vax_dose_next_number(app->db, p->id, &c->next) != VAX_OK)
        c->next = c->doses + 1;
    if (vax_visit_today_for_person(app->db, p->id, &c->today) == VAX_OK) {
        c->has_today = 1;
        today_line(app, &c->today, c->today_text, sizeof c->today_text);
    }
}

static int unsaved(ui_app *app, char *what, size_t size)
{
    checkin *c = app->screen->state;
    return c->mode != MODE_SEARCH && ui_form_unsaved(&c->form, what, size);
}

ui_screen *ui_station_checkin(ui_app *app)
{
    ui_screen *s = calloc(1, sizeof *s);
    checkin *c = calloc(1, sizeof *c);
    if (!s || !c) {
        free(s);
        free(c);
        return NULL;
    }
    ui_input_init(&c->search, UI_INPUT_MAX);
    vax_priority_groups(app->db, c->groups, 32, &c->ngroups);
    s->name = _("Check-in desk");
    s->draw = draw;
    s->load = load;
    s->key = key;
    s->keys = &ui_keys_checkin;
    s->mode = mode;
    s->state = c;
    s->unsaved = unsaved;
    return s;
}

void ui_station_checkin_free(ui_screen *s)
{
    if (!s)
        return;
    free(s->state);
    free(s);
}
