/* paper.c: the Ministry's paper certificate (annex 4), drawn from its layout data with cairo: the
 * person, every dose in its row, the vaccination unit with its box for signature and stamp, and the
 * QR of the site's certificate; A5 as the annex, or A4 (the same layout scaled). */
#include "datafile.h"
#include "forms.h"
#include "internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stddef.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAPER_FONT "DejaVu Sans"
#define MM (72.0 / 25.4)

/* the slots of annex 4 (2022): three primary doses, one additional dose, three boosters */
enum { SLOT_PRIMARY = 0, SLOT_ADDITIONAL = 3, SLOT_BOOSTER = 4, SLOTS = 7 };

typedef struct paper_dose {
    char date[11]; /* dd/mm/yyyy */
    char vaccine[200];
} paper_dose;

typedef struct paper_data {
    char name[256], birth_date[11], id_number[32], phone[32], address[400];
    char unit[200], unit_place[400], issued[11], ci[81];
    paper_dose slot[SLOTS];
    int set[SLOTS];
} paper_data;

/* "primary.2" -> 1, "additional" -> 3, "booster.1" -> 4; -1 if unknown */
static int slot_index(const char *s)
{
    if (!strcmp(s, "additional"))
        return SLOT_ADDITIONAL;
    if (!strncmp(s, "primary.", 8) && s[8] >= '1' && s[8] <= '3' && !s[9])
        return SLOT_PRIMARY + s[8] - '1';
    if (!strncmp(s, "booster.", 8) && s[8] >= '1' && s[8] <= '3' && !s[9])
        return SLOT_BOOSTER + s[8] - '1';
    return -1;
}

static const char *field_value(const paper_data *p, const char *f)
{
    static const struct {
        const char *name;
        size_t off;
    } fields[] = {
        {"name", offsetof(paper_data, name)},
        {"birth_date", offsetof(paper_data, birth_date)},
        {"id_number", offsetof(paper_data, id_number)},
        {"phone", offsetof(paper_data, phone)},
        {"address", offsetof(paper_data, address)},
        {"unit", offsetof(paper_data, unit)},
        {"unit_place", offsetof(paper_data, unit_place)},
        {"issued", offsetof(paper_data, issued)},
        {"ci", offsetof(paper_data, ci)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!strcmp(f, fields[i].name))
            return (const char *)p + fields[i].off;
    return NULL;
}

/* The person, the unit and the doses, as the paper prints them. */
static int paper_collect(vax_db *db, const vax_certificate *c, paper_data *p)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *st = vax_stmt(db, "SELECT full_name, birth_date, national_id, phone, commune"
                                    " FROM person WHERE id = ?1");
    if (!st)
        return VAX_EIO;
    sqlite3_bind_int64(st, 1, c->person_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return vax_fail(db, VAX_ENOTFOUND, "person", _("Person: not found."));
    }
    vax_strlcpy(p->name, vax_col_text(st, 0), sizeof p->name);
    vax_date_dmy(vax_col_text(st, 1), p->birth_date);
    vax_strlcpy(p->id_number, vax_col_text(st, 2), sizeof p->id_number);
    vax_strlcpy(p->phone, vax_col_text(st, 3), sizeof p->phone);
    vax_strlcpy(p->address, vax_col_text(st, 4), sizeof p->address);
    sqlite3_reset(st);

    vax_site s;
    if (vax_site_details(db, &s) == VAX_OK) {
        vax_site_display_name(&s, p->unit, sizeof p->unit);
        snprintf(p->unit_place, sizeof p->unit_place, "%s%s%s%s%s", s.commune,
                 s.commune[0] && s.district[0] ? ", " : "", s.district,
                 s.province[0] && (s.commune[0] || s.district[0]) ? ", " : "", s.province);
    } else {
        vax_clear_error(db);
        vax_strlcpy(p->unit, c->site_name, sizeof p->unit);
    }
    char day[11];
    vax_local_date(vax_now(), day);
    vax_date_dmy(day, p->issued);
    vax_strlcpy(p->ci, c->ci, sizeof p->ci);

    /* every dose the person has in force, given here or recorded from elsewhere, in its slot as
     * the report forms count it (forms.h): a dose above its series is a booster, numbered after
     * the additional dose if there was one */
    st = vax_stmt(db, "SELECT " DOSE_SLOT_SQL(
                          "d") ", date(d.given_at, 'unixepoch', 'localtime'),"
                               " coalesce(pr.name, d.product), d.lot_no"
                               " FROM dose d LEFT JOIN product pr ON pr.code = d.product"
                               " WHERE d.person_id = ?1 AND d.voided = 0 AND d.series = 'covid-19'"
                               " ORDER BY d.given_at, d.dose_number");
    if (!st)
        return VAX_EIO;
    sqlite3_bind_int64(st, 1, c->person_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int k = slot_index(vax_col_text(st, 0));
        if (k < 0)
            continue; /* a fourth primary dose or booster: the paper has no row for it */
        vax_date_dmy(vax_col_text(st, 1), p->slot[k].date);
        const char *lot = vax_col_text(st, 3);
        snprintf(p->slot[k].vaccine, sizeof p->slot[k].vaccine, "%s%s%s%s", vax_col_text(st, 2),
                 lot[0] ? " (" : "", lot, lot[0] ? ")" : "");
        p->set[k] = 1;
    }
    sqlite3_reset(st);
    return VAX_OK;
}

static double num(const vax_datafile *df, const vax_df_section *s, const char *key, double dflt)
{
    const vax_df_entry *e = vax_datafile_get(df, s, key);
    return e ? strtod(e->value, NULL) : dflt;
}

static const char *str(const vax_datafile *df, const vax_df_section *s, const char *key)
{
    const vax_df_entry *e = vax_datafile_get(df, s, key);
    return e ? e->value : "";
}

/* how near the page's edge (mm) a text may come */
#define PAGE_MARGIN 10.0

/* Text at (x, y) in mm, its baseline at y; align "center" or "right" puts x at its middle or end.
 * A text longer than the room between x and the page's margin (a long name, a vaccine's name
 * with its lot) is set smaller, never cut and never over the edge. */
static void show(cairo_t *cr, double page_width, double x, double y, double size, int bold,
                 const char *align, const char *s)
{
    cairo_text_extents_t e;
    cairo_select_font_face(cr, PAPER_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, s, &e);
    double room = !strcmp(align, "center")  ? 2 * (x < page_width - x ? x : page_width - x)
                  : !strcmp(align, "right") ? x - PAGE_MARGIN
                                            : page_width - PAGE_MARGIN - x;
    room -= 2 * (!strcmp(align, "center") ? PAGE_MARGIN : 0);
    if (room > 0 && e.x_advance > room * MM) {
        cairo_set_font_size(cr, size * room * MM / e.x_advance);
        cairo_text_extents(cr, s, &e);
    }
    double px = x * MM;
    if (!strcmp(align, "center"))
        px -= e.x_advance / 2;
    else if (!strcmp(align, "right"))
        px -= e.x_advance;
    cairo_move_to(cr, px, y * MM);
    cairo_show_text(cr, s);
}

static const char *const known_keys[] = {
    "kind", "x",     "y",     "x2",      "y2",       "w",    "h",      "size", "bold",      "align",
    "text", "label", "field", "value_x", "value_dy", "slot", "date_x", "side", "vaccine_x", NULL};
static const char *const page_keys[] = {"form", "source", "paper", "width", "height", NULL};

/* Draws every section of the layout on cr (already scaled to the layout's millimetre page). */
static int draw_layout(vax_db *db, vax_datafile *df, cairo_t *cr, double W, const paper_data *p,
                       const char *hc1)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.6);
    for (int i = 0; i < df->nsections; i++) {
        const vax_df_section *s = &df->sections[i];
        if (!strcmp(s->name, "page"))
            continue;
        if (vax_datafile_unknown_keys(df, s, known_keys) != VAX_OK)
            return vax_fail(db, VAX_EINVAL, "layout", "%s", df->error);
        const char *kind = str(df, s, "kind"), *align = str(df, s, "align");
        double x = num(df, s, "x", 0), y = num(df, s, "y", 0), size = num(df, s, "size", 9);
        int bold = (int)num(df, s, "bold", 0);
        if (!strcmp(kind, "text")) {
            show(cr, W, x, y, size, bold, align, str(df, s, "text"));
        } else if (!strcmp(kind, "field")) {
            const char *v = field_value(p, str(df, s, "field"));
            if (!v) {
                vax_datafile_fail(df, s->line, "[%s]: unknown field \"%s\"", s->name,
                                  str(df, s, "field"));
                return vax_fail(db, VAX_EINVAL, "layout", "%s", df->error);
            }
            const char *label = str(df, s, "label");
            if (!strcmp(align, "center")) { /* one centred line: the label and its value */
                char line[600];
                snprintf(line, sizeof line, "%s%s%s", label, label[0] ? " " : "", v);
                show(cr, W, x, y, size, !label[0], align, line);
                continue;
            }
            if (label[0])
                show(cr, W, x, y, size, 0, align, label);
            double vx = num(df, s, "value_x", x), vy = y + num(df, s, "value_dy", 0);
            show(cr, W, vx, vy, size, 1, align, v);
        } else if (!strcmp(kind, "dose")) {
            int k = slot_index(str(df, s, "slot"));
            if (k < 0) {
                vax_datafile_fail(df, s->line, "[%s]: unknown slot \"%s\"", s->name,
                                  str(df, s, "slot"));
                return vax_fail(db, VAX_EINVAL, "layout", "%s", df->error);
            }
            /* the row's label, then the date and the vaccine under the layout's column heads;
             * a slot without a dose keeps its dotted places to be filled by hand */
            show(cr, W, x, y, size, 0, "left", str(df, s, "label"));
            show(cr, W, num(df, s, "date_x", x + 30), y, size, p->set[k], "left",
                 p->set[k] ? p->slot[k].date : "..................");
            show(cr, W, num(df, s, "vaccine_x", x + 60), y, size, p->set[k], "left",
                 p->set[k] ? p->slot[k].vaccine : "........................................");
        } else if (!strcmp(kind, "line")) {
            cairo_move_to(cr, x * MM, y * MM);
            cairo_line_to(cr, num(df, s, "x2", x) * MM, num(df, s, "y2", y) * MM);
            cairo_stroke(cr);
        } else if (!strcmp(kind, "box")) {
            double w = num(df, s, "w", 10), h = num(df, s, "h", 10);
            cairo_rectangle(cr, x * MM, y * MM, w * MM, h * MM);
            cairo_stroke(cr);
            if (str(df, s, "text")[0])
                show(cr, W, x + w / 2, y + 4, 7, 0, "center", str(df, s, "text"));
        } else if (!strcmp(kind, "qr")) {
            vax_qr *q = NULL;
            int rc = vax_qr_make(hc1, &q);
            if (rc != VAX_OK)
                return vax_fail(db, rc, "certificate",
                                _("Certificate: its QR code could not be made."));
            int n = vax_qr_width(q) + 8; /* a 4-module quiet zone */
            double side = num(df, s, "side", 50) * MM, mod = side / n;
            for (int yy = 0; yy < vax_qr_width(q); yy++)
                for (int xx = 0; xx < vax_qr_width(q); xx++)
                    if (vax_qr_dark(q, xx, yy))
                        cairo_rectangle(cr, x * MM + (xx + 4) * mod, y * MM + (yy + 4) * mod, mod,
                                        mod);
            cairo_fill(cr);
            vax_qr_free(q);
        } else {
            vax_datafile_fail(df, s->line, "[%s]: unknown kind \"%s\"", s->name, kind);
            return vax_fail(db, VAX_EINVAL, "layout", "%s", df->error);
        }
    }
    return VAX_OK;
}

int vax_cert_paper_pdf(vax_db *db, const vax_certificate *c, const char *size, const char *layout,
                       const char *path)
{
    vax_datafile df;
    paper_data *p = NULL;
    int rc;
    vax_clear_error(db);
    if (c->revoked_at)
        return vax_fail(db, VAX_ESTATE, "certificate",
                        _("Certificate: %s was revoked; it is not valid and no paper of it is "
                          "made."),
                        c->ci);
    if (!size || !size[0])
        size = "a5";
    if (strcmp(size, "a5") && strcmp(size, "a4"))
        return vax_fail(db, VAX_EINVAL, "size", _("Size: a4 or a5."));
    if ((rc = vax_datafile_parse(&df, layout ? "layout" : "moh-43-2022-annex4.conf",
                                 layout ? layout : vax_asset_moh_43_2022_annex4_conf)) != VAX_OK) {
        rc = vax_fail(db, rc, "layout", "%s", df.error);
        vax_datafile_free(&df);
        return rc;
    }
    const vax_df_section *page = NULL;
    for (int i = 0; i < df.nsections; i++)
        if (!strcmp(df.sections[i].name, "page"))
            page = &df.sections[i];
    if (!page || vax_datafile_unknown_keys(&df, page, page_keys) != VAX_OK) {
        rc =
            vax_fail(db, VAX_EINVAL, "layout", "%s", page ? df.error : "layout: no [page] section");
        vax_datafile_free(&df);
        return rc;
    }
    double lw = num(&df, page, "width", 148);
    /* A5 148 x 210 mm, A4 210 x 297: the layout's page scaled to the paper's width */
    double pw = !strcmp(size, "a4") ? 210 : 148, ph = !strcmp(size, "a4") ? 297 : 210;
    double scale = pw / lw;
    if (!(p = malloc(sizeof *p))) {
        vax_datafile_free(&df);
        return VAX_ENOMEM;
    }
    if ((rc = paper_collect(db, c, p)) != VAX_OK)
        goto done;
    int fd = vax_private_fd(path, 0); /* a paper names a person: 0600 */
    if (fd < 0) {
        rc = vax_fail(db, VAX_EIO, "file", _("File: cannot write %s."), path);
        goto done;
    }
    close(fd);
    cairo_surface_t *sf = cairo_pdf_surface_create(path, pw * MM, ph * MM);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, str(&df, page, "form"));
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_SUBJECT, str(&df, page, "source"));
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    rc = draw_layout(db, &df, cr, lw, p, c->hc1);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (rc == VAX_OK && cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS)
        rc = vax_fail(db, VAX_EIO, "file", _("File: cannot write %s."), path);
    cairo_surface_destroy(sf);
    if (rc != VAX_OK)
        remove(path);
    /* the fonts' process-wide caches, as the quick report gives them back (a leak checker) */
    cairo_debug_reset_static_data();
    FcFini();
done:
    free(p);
    vax_datafile_free(&df);
    return rc;
}

int vax_cert_paper_print(vax_db *db, const vax_certificate *c, const char *size)
{
    char printer[128] = "", pdf[] = "/tmp/vaxsite-paper-XXXXXX.pdf";
    vax_setting_text(db, "cert.printer", printer, sizeof printer);
    if (!printer[0])
        return vax_fail(db, VAX_ENOTFOUND, "cert.printer",
                        _("No printer is set up (setting cert.printer); save a PDF instead."));
    for (const char *q = printer; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '-' || *q == '_' || *q == '.'))
            return vax_fail(db, VAX_EINVAL, "cert.printer",
                            _("Setting cert.printer: a printer name holds letters, digits, - _ ."));
    int fd = mkstemps(pdf, 4);
    if (fd < 0)
        return vax_fail(db, VAX_EIO, NULL, _("Cannot make a temporary file to print."));
    close(fd);
    int rc = vax_cert_paper_pdf(db, c, size, NULL, pdf);
    if (rc != VAX_OK) {
        unlink(pdf);
        return rc;
    }
    char media[16];
    snprintf(media, sizeof media, "media=%s", size && !strcmp(size, "a4") ? "A4" : "A5");
    char *argv[] = {"lp", "-s", "-d", printer, "-o", media, pdf, NULL};
    pid_t pid;
    int status = -1;
    extern char **environ;
    if (posix_spawnp(&pid, "lp", NULL, NULL, argv, environ) != 0 || waitpid(pid, &status, 0) < 0 ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = vax_fail(db, VAX_EIO, NULL, _("The printer %s did not take the paper (lp)."), printer);
    unlink(pdf);
    return rc;
}
