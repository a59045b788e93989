/* screen_cert.c: a dose certificate on the terminal: the QR to scan, what it says, print, PDF. */
#include "ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define QUIET 2 /* modules of light border around the QR (a screen has its own dark frame) */

/* The terminal size the QR needs in half blocks (one column and half a row per module). */
static void qr_cells(const vax_qr *q, int *cols, int *rows)
{
    int n = vax_qr_width(q) + 2 * QUIET;
    *cols = n;
    *rows = (n + 1) / 2;
}

/* Draws the QR at (y, x) in half blocks, so that each module is square on a terminal whose
 * cells are twice as tall as wide; returns the columns used, 0 if it does not fit. */
static int draw_qr(WINDOW *w, int y, int x, int rows, int cols, const vax_qr *q, int *used_rows)
{
    int cw, ch;
    qr_cells(q, &cw, &ch);
    *used_rows = 0;
    if (cw > cols || ch > rows)
        return 0;
    /* on a light ground the ink is the dark modules; without colours the terminal's own
     * (usually dark) ground is the light: draw the light modules instead */
    int ink_is_dark = ui_colors_on();
    if (ink_is_dark)
        wattron(w, COLOR_PAIR(ROLE_QR));
    for (int cy = 0; cy < ch; cy++) {
        int my = cy * 2 - QUIET;
        wmove(w, y + cy, x);
        for (int cx = 0; cx < cw; cx++) {
            int mx = cx - QUIET;
            int top = vax_qr_dark(q, mx, my) == ink_is_dark;
            int bottom = vax_qr_dark(q, mx, my + 1) == ink_is_dark;
            wchar_t c[2] = {top && bottom ? L'\x2588'
                            : top         ? L'\x2580'
                            : bottom      ? L'\x2584'
                                          : L' ',
                            0};
            waddnwstr(w, c, 1);
        }
    }
    if (ink_is_dark)
        wattroff(w, COLOR_PAIR(ROLE_QR));
    *used_rows = ch;
    return cw;
}

static void details(const vax_certificate *c, char *out, size_t size)
{
    char born[11], given[11];
    vax_date_dmy(c->hc.dob, born); /* a birth year alone stays as it is */
    vax_date_dmy(c->hc.dt, given);
    snprintf(out, size, "%s %s\n%s: %s\n%s: %s\n%s: %s\n%s %d/%d · %s\n%s\n%s%s", c->hc.fn,
             c->hc.gn, _("Born"), born, _("Vaccine"), c->product_name, _("Lot"),
             c->lot_no[0] ? c->lot_no : "-", _("Dose"), c->hc.dn, c->hc.sd, given, c->ci,
             c->revoked_at ? _("REVOKED: ") : "", c->revoked_at ? c->revoke_reason : "");
}

/* <database>.certificates/<id>.pdf, the folder made 0700. */
static void default_pdf_path(ui_app *app, const vax_certificate *c, char *out, size_t size)
{
    char dir[4200], name[96];
    snprintf(dir, sizeof dir, "%s.certificates", vax_db_path(app->db));
    mkdir(dir, 0700);
    size_t o = 0;
    for (const char *p = c->ci + (strncmp(c->ci, "URN:UVCI:", 9) == 0 ? 9 : 0);
         *p && o + 1 < sizeof name; p++)
        name[o++] = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
                        ? *p
                        : '-';
    name[o] = 0;
    snprintf(out, size, "%s/%s.pdf", dir, name);
}

static void show(ui_app *app, vax_certificate *c)
{
    vax_qr *q = NULL;
    if (vax_qr_make(c->hc1, &q) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", _("The QR code cannot be made for this certificate."));
        return;
    }
    for (;;) {
        int rows, cols, qr_rows = 0;
        char text[1024];
        vax_certificate now;
        /* read again at every key: a certificate revoked at another station meanwhile must not
         * stay on this screen as valid */
        if (vax_cert_get(app->db, c->id, &now) == VAX_OK)
            *c = now;
        ui_redraw(app);
        getmaxyx(stdscr, rows, cols);
        erase();
        ui_role_on(stdscr, ROLE_TITLE);
        mvhline(0, 0, ' ', cols);
        ui_put(stdscr, 0, 1, _("Dose certificate"), cols - 2);
        ui_role_off(stdscr, ROLE_TITLE);
        /* a revoked or replaced certificate never shows a code to scan: only why it is not valid */
        int qw = c->revoked_at ? 0 : draw_qr(stdscr, 1, 1, rows - 3, cols - 2, q, &qr_rows);
        details(c, text, sizeof text);
        if (c->revoked_at) {
            char mark[600], day[11], when[11];
            vax_local_date(c->revoked_at, day);
            vax_date_dmy(day, when);
            if (c->replaced_by)
                snprintf(mark, sizeof mark,
                         _("✗ NOT VALID: revoked on %s (%s); replaced by certificate %lld."), when,
                         c->revoke_reason, (long long)c->replaced_by);
            else
                snprintf(mark, sizeof mark, _("✗ NOT VALID: revoked on %s (%s)."), when,
                         c->revoke_reason);
            ui_role_on(stdscr, ROLE_URGENT);
            int used = ui_put_wrapped(stdscr, 2, 1, cols - 2, 3, mark);
            ui_role_off(stdscr, ROLE_URGENT);
            qr_rows = used;
        }
        int tx = qw ? qw + 3 : 1, ty = qw && tx + 30 <= cols ? 2 : qr_rows + 2;
        if (tx + 30 > cols)
            tx = 1;
        if (!qw && c->revoked_at) {
            ty = qr_rows + 3;
        } else if (!qw) {
            char need[160];
            int nc, nr;
            qr_cells(q, &nc, &nr);
            snprintf(need, sizeof need,
                     _("The QR needs a terminal of %dx%d to be scanned; print or save the PDF."),
                     nc + 2, nr + 3);
            ui_role_on(stdscr, ROLE_WARNING);
            ui_put(stdscr, 2, 1, need, cols - 2);
            ui_role_off(stdscr, ROLE_WARNING);
            ty = 4;
        }
        for (const char *p = text; *p && ty < rows - 2; ty++) {
            size_t len = strcspn(p, "\n");
            char line[300];
            snprintf(line, sizeof line, "%.*s", (int)(len < 299 ? len : 299), p);
            if (ty == 2 || (!qw && ty == 4))
                wattron(stdscr, A_BOLD);
            ui_put(stdscr, ty, tx, line, cols - tx - 1);
            wattroff(stdscr, A_BOLD);
            p += len + (p[len] == '\n');
        }
        ui_role_on(stdscr, ROLE_KEYBAR);
        mvhline(rows - 1, 0, ' ', cols);
        ui_put(stdscr, rows - 1, 1,
               c->revoked_at ? _("Esc close")
                             : _("P print  S save PDF  G print paper  A paper PDF  R re-issue  "
                                 "Esc close"),
               cols - 2);
        ui_role_off(stdscr, ROLE_KEYBAR);
        if (app->msg[0]) {
            ui_role_on(stdscr, app->msg_kind == MSG_ERROR ? ROLE_ERROR : ROLE_OK);
            ui_put(stdscr, rows - 2, 1, app->msg, cols - 2);
            ui_role_off(stdscr, app->msg_kind == MSG_ERROR ? ROLE_ERROR : ROLE_OK);
        }
        curs_set(0);
        refresh();
        timeout(-1);
        ui_key k = ui_read_key();
        if (ui_got_sigterm || ui_key_cancels(k) || k.code == UI_KEY_ENTER)
            break;
        if (k.code != UI_KEY_CHAR)
            continue;
        if (c->revoked_at) { /* nothing of a certificate no longer valid leaves the screen */
            ui_message(app, MSG_ERROR, "%s",
                       _("This certificate is not valid: it is not printed."));
            continue;
        }
        if (k.ch == L'p' || k.ch == L'P') {
            if (vax_cert_print(app->db, c) != VAX_OK)
                ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            else
                ui_message(app, MSG_OK, "%s", _("Sent to the printer."));
        } else if (k.ch == L's' || k.ch == L'S') {
            char path[4400];
            default_pdf_path(app, c, path, sizeof path);
            if (!ui_dialog_ask(app, _("Save as PDF"), _("File:"), path, sizeof path))
                continue;
            if (vax_cert_card_pdf(app->db, c, path) != VAX_OK)
                ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            else
                ui_message(app, MSG_OK, _("Saved %s"), path);
        } else if (k.ch == L'g' || k.ch == L'G') {
            /* the Ministry's paper (annex 4), on the paper size the site set (cert.paper_size) */
            char size[8] = "a5";
            vax_setting_text(app->db, "cert.paper_size", size, sizeof size);
            if (vax_cert_paper_print(app->db, c, size) != VAX_OK)
                ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            else
                ui_message(app, MSG_OK, "%s", _("The paper certificate was sent to the printer."));
        } else if (k.ch == L'a' || k.ch == L'A') {
            char path[4400], size[8] = "a5";
            vax_setting_text(app->db, "cert.paper_size", size, sizeof size);
            default_pdf_path(app, c, path, sizeof path);
            memcpy(path + strlen(path) - 4, "-paper.pdf", 11);
            if (!ui_dialog_ask(app, _("Save the paper certificate (annex 4) as PDF"), _("File:"),
                               path, sizeof path))
                continue;
            if (vax_cert_paper_pdf(app->db, c, size, NULL, path) != VAX_OK)
                ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            else
                ui_message(app, MSG_OK, _("Saved %s"), path);
        } else if (k.ch == L'r' || k.ch == L'R') {
            char reason[200] = "";
            vax_certificate *fresh = malloc(sizeof *fresh);
            if (!fresh)
                continue;
            if (ui_dialog_ask(app, _("Re-issue"), _("Why is a new certificate needed?"), reason,
                              sizeof reason) &&
                vax_cert_reissue(app->db, c->id, reason, fresh) == VAX_OK) {
                *c = *fresh;
                vax_qr_free(q);
                q = NULL;
                if (vax_qr_make(c->hc1, &q) != VAX_OK) {
                    free(fresh);
                    break;
                }
                ui_message(app, MSG_OK, "%s", _("Re-issued; the old certificate is revoked."));
            } else if (reason[0]) {
                ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
            }
            free(fresh);
        }
    }
    vax_qr_free(q);
    app->dirty = 1;
}

void ui_cert_for_visit(ui_app *app, int64_t visit_id)
{
    vax_visit v;
    vax_dose doses[16];
    int n = 0;
    int64_t dose_id = 0;
    if (vax_visit_get(app->db, visit_id, &v) != VAX_OK ||
        vax_dose_list(app->db, v.person_id, doses, 16, &n) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
        return;
    }
    for (int i = 0; i < n; i++)
        if (doses[i].visit_id == visit_id)
            dose_id = doses[i].id;
    if (!dose_id) {
        ui_message(app, MSG_ERROR, "%s", _("No dose was recorded at this visit: no certificate."));
        return;
    }
    vax_certificate *c = malloc(sizeof *c);
    if (!c)
        return;
    int rc = vax_cert_for_dose(app->db, dose_id, c);
    if (rc == VAX_ENOTFOUND)
        rc = vax_cert_issue(app->db, dose_id, c);
    if (rc != VAX_OK)
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    else
        show(app, c);
    free(c);
}

void ui_cert_for_person(ui_app *app, int64_t person_id)
{
    enum { MAX = 8 };
    vax_certificate *certs = calloc(MAX, sizeof *certs);
    const char *items[MAX];
    char labels[MAX][160];
    int n = 0;
    if (!certs)
        return;
    if (vax_cert_list_for_person(app->db, person_id, certs, MAX, &n) != VAX_OK) {
        ui_message(app, MSG_ERROR, "%s", vax_errmsg(app->db));
    } else if (n == 0) {
        ui_message(app, MSG_ERROR, "%s", _("This person has no certificate yet."));
    } else {
        int pick = 0;
        if (n > 1) {
            for (int i = 0; i < n; i++) {
                char given[11];
                vax_date_dmy(certs[i].hc.dt, given);
                snprintf(labels[i], sizeof labels[i], _("Dose %d/%d · %s · %s"), certs[i].hc.dn,
                         certs[i].hc.sd, given, certs[i].product_name);
                items[i] = labels[i];
            }
            pick = ui_dialog_choose(app, _("Certificates"), items, n);
        }
        if (pick >= 0)
            show(app, &certs[pick]);
    }
    free(certs);
}
