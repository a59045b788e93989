/* qr.c: QR codes of certificates (libqrencode), drawn as terminal text, PDF and PNG cards (cairo),
 * and read back from a PNG (libzbar). */
#include "internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <zbar.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

struct vax_qr {
    int width;
    unsigned char *dark; /* width * width, 1 = dark */
};

int vax_qr_make(const char *text, vax_qr **out)
{
    /* Q keeps the code readable with a quarter of it damaged (a folded paper); M when Q cannot
     * hold the text. Version 0: the smallest that fits. Mixed modes: HC1 text is alphanumeric. */
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
    if (!q)
        q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    *out = NULL;
    if (!q)
        return VAX_EINVAL;
    vax_qr *r = malloc(sizeof *r);
    if (r && (r->dark = malloc((size_t)q->width * (size_t)q->width))) {
        r->width = q->width;
        for (int i = 0; i < q->width * q->width; i++)
            r->dark[i] = q->data[i] & 1;
    } else {
        free(r);
        r = NULL;
    }
    QRcode_free(q);
    if (!r)
        return VAX_ENOMEM;
    *out = r;
    return VAX_OK;
}

int vax_qr_width(const vax_qr *q)
{
    return q->width;
}

int vax_qr_dark(const vax_qr *q, int x, int y)
{
    if (x < 0 || y < 0 || x >= q->width || y >= q->width)
        return 0;
    return q->dark[y * q->width + x];
}

void vax_qr_free(vax_qr *q)
{
    if (q) {
        free(q->dark);
        free(q);
    }
}

void vax_lines_free(char **lines, int n)
{
    for (int i = 0; lines && i < n; i++)
        free(lines[i]);
    free(lines);
}

int vax_qr_lines(const vax_qr *q, int quiet, int ascii, int invert, char ***lines, int *n)
{
    int size = q->width + 2 * quiet;
    int rows = ascii ? size : (size + 1) / 2;
    char **l = calloc((size_t)rows, sizeof *l);
    *lines = NULL;
    *n = 0;
    if (!l)
        return VAX_ENOMEM;
    for (int r = 0; r < rows; r++) {
        char *s = malloc((size_t)size * 3 + 1), *p = s;
        if (!s) {
            vax_lines_free(l, r);
            return VAX_ENOMEM;
        }
        for (int c = 0; c < size; c++) {
            int x = c - quiet;
            if (ascii) {
                int d = vax_qr_dark(q, x, r - quiet) ^ (invert != 0);
                *p++ = d ? '#' : ' ';
                *p++ = d ? '#' : ' ';
                continue;
            }
            /* one cell: the module row 2r on top, 2r+1 below; "drawn" = ink on screen */
            int top = vax_qr_dark(q, x, 2 * r - quiet) ^ (invert != 0);
            int bot = 2 * r + 1 < size ? vax_qr_dark(q, x, 2 * r + 1 - quiet) ^ (invert != 0)
                                       : (invert != 0);
            const char *g = top && bot ? "\xe2\x96\x88" /* █ */
                            : top      ? "\xe2\x96\x80" /* ▀ */
                            : bot      ? "\xe2\x96\x84" /* ▄ */
                                       : " ";
            size_t gl = strlen(g);
            memcpy(p, g, gl);
            p += gl;
        }
        *p = 0;
        l[r] = s;
    }
    *lines = l;
    *n = rows;
    return VAX_OK;
}

/* ---- cards ---------------------------------------------------------------------------------- */

#define CARD_FONT "DejaVu Sans"

/* A6 portrait in points: the PDF card's width, for card_text's margins */
static const double card_width_pt = 297.64;

/* One line from the left margin x; a line wider than the card between its two margins (the
 * Vietnamese title is) is set smaller, so the right margin is never narrower than the left. */
static void card_text(cairo_t *cr, double x, double y, double size, int bold, const char *s)
{
    cairo_text_extents_t e;
    cairo_surface_t *target = cairo_get_target(cr);
    double w = cairo_image_surface_get_width(target);
    if (cairo_surface_get_type(target) != CAIRO_SURFACE_TYPE_IMAGE)
        w = card_width_pt;
    cairo_select_font_face(cr, CARD_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, s, &e);
    if (e.x_advance > 0 && x + e.x_bearing + e.width > w - x) {
        size *= (w - 2 * x) / (e.x_bearing + e.width);
        cairo_set_font_size(cr, size);
    }
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

/* The ID number as the card shows it: its last 4 digits, the others as '*', as long as the number
 * is. A card is shown at doors and counters and photocopied: the whole number (with the birth
 * date and name beside it) is what opens a bank account or a SIM card in someone's name, while 4
 * digits are enough to match the card against the person's CCCD. The length stays, so a 12-digit
 * CCCD and a 9-digit CMND still look like what they are; '*' prints in every font. */
static void id_masked(vax_db *db, int64_t person_id, char *out, size_t size)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT national_id FROM person WHERE id = ?1");
    size_t k = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, person_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *id = vax_col_text(st, 0);
            size_t n = strlen(id);
            for (size_t i = 0; i < n && k + 1 < size; i++)
                out[k++] = i + 4 < n ? '*' : id[i];
        }
        sqlite3_reset(st);
    }
    out[k] = 0;
}

/* Draws the card in a w x h box (points or pixels). */
static int draw_card(vax_db *db, cairo_t *cr, const vax_certificate *c, double w, double h)
{
    vax_qr *q = NULL;
    char line[512], name[200], date[11];
    int rc = vax_qr_make(c->hc1, &q);
    if (rc != VAX_OK)
        return vax_fail(db, rc, "certificate", _("Certificate: its QR code could not be made."));
    double m = w * 0.06, fs = w * 0.034, y = m + fs;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    card_text(cr, m, y, fs * 1.25, 1, _("COVID-19 vaccination certificate"));
    y += fs * 1.6;
    card_text(cr, m, y, fs, 0, c->site_name);
    y += fs * 1.9;
    snprintf(name, sizeof name, "%s%s%s", c->hc.fn, c->hc.gn[0] ? " " : "", c->hc.gn);
    card_text(cr, m, y, fs * 1.4, 1, name);
    y += fs * 1.7;
    char day[11];
    vax_date_dmy(c->hc.dob, day);
    snprintf(line, sizeof line, _("Born: %s"), day);
    card_text(cr, m, y, fs, 0, line);
    y += fs * 1.5;
    char masked[16];
    id_masked(db, c->person_id, masked, sizeof masked);
    if (masked[0]) {
        snprintf(line, sizeof line, _("ID number: %s"), masked);
        card_text(cr, m, y, fs, 0, line);
        y += fs * 1.5;
    }
    snprintf(line, sizeof line, _("Vaccine: %s"), c->product_name);
    card_text(cr, m, y, fs * (strlen(line) > 48 ? 0.8 : 1), 0, line);
    y += fs * 1.5;
    snprintf(line, sizeof line, _("Lot: %s"), c->lot_no[0] ? c->lot_no : "-");
    card_text(cr, m, y, fs, 0, line);
    y += fs * 1.5;
    vax_date_dmy(c->hc.dt, day);
    snprintf(line, sizeof line, _("Dose %d of %d, %s"), c->hc.dn, c->hc.sd, day);
    card_text(cr, m, y, fs, 1, line);
    y += fs * 1.2;
    /* the QR, square, as large as the rest of the card allows, with a 4-module quiet zone */
    int n = vax_qr_width(q) + 8;
    double room = h - y - m - fs * 2.2, side = room < w - 2 * m ? room : w - 2 * m;
    double mod = side / n, x0 = (w - side) / 2, y0 = y;
    for (int yy = 0; yy < vax_qr_width(q); yy++)
        for (int xx = 0; xx < vax_qr_width(q); xx++)
            if (vax_qr_dark(q, xx, yy))
                cairo_rectangle(cr, x0 + (xx + 4) * mod, y0 + (yy + 4) * mod, mod, mod);
    cairo_fill(cr);
    y = y0 + side + fs * 1.2;
    card_text(cr, m, y, fs * 0.72, 0, c->ci);
    vax_local_date(c->issued_at, date);
    vax_date_dmy(date, date);
    snprintf(line, sizeof line, _("Issued %s"), date);
    card_text(cr, m, y + fs * 1.0, fs * 0.72, 0, line);
    vax_qr_free(q);
    return VAX_OK;
}

/* A card is what a person shows as proof: one of a certificate that was revoked or replaced is
 * never made, so that no printed copy of it looks valid. */
static int refuse_revoked(vax_db *db, const vax_certificate *c)
{
    char day[11];
    vax_local_date(c->revoked_at, day);
    vax_date_dmy(day, day);
    if (c->replaced_by)
        return vax_fail(db, VAX_ESTATE, "certificate",
                        _("Certificate: %s was revoked on %s (%s) and replaced by certificate "
                          "%lld; it is not valid and no card of it is made. Print the new one."),
                        c->ci, day, c->revoke_reason, (long long)c->replaced_by);
    return vax_fail(db, VAX_ESTATE, "certificate",
                    _("Certificate: %s was revoked on %s (%s); it is not valid and no card of it "
                      "is made."),
                    c->ci, day, c->revoke_reason);
}

int vax_cert_card_pdf(vax_db *db, const vax_certificate *c, const char *path)
{
    /* A6 portrait in points */
    const double w = card_width_pt, h = 419.53;
    vax_clear_error(db);
    if (c->revoked_at)
        return refuse_revoked(db, c);
    /* cairo creates the file with the umask's mode; made private first, it stays private */
    int fd = vax_private_fd(path, 0);
    if (fd < 0)
        return vax_fail(db, VAX_EIO, "file", _("File: cannot write %s."), path);
    close(fd);
    cairo_surface_t *s = cairo_pdf_surface_create(path, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return vax_fail(db, VAX_EIO, "file", _("File: cannot write %s."), path);
    }
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, c->ci);
    cairo_t *cr = cairo_create(s);
    int rc = draw_card(db, cr, c, w, h);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (rc == VAX_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = vax_fail(db, VAX_EIO, "file", _("File: cannot write %s."), path);
    cairo_surface_destroy(s);
    return rc;
}

int vax_cert_card_png(vax_db *db, const vax_certificate *c, const char *path)
{
    const int w = 1000, h = 1410;
    vax_clear_error(db);
    if (c->revoked_at)
        return refuse_revoked(db, c);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(s);
    int rc = draw_card(db, cr, c, w, h);
    cairo_destroy(cr);
    int fd = rc == VAX_OK ? vax_private_fd(path, 0) : -1;
    if (fd >= 0)
        close(fd);
    if (rc == VAX_OK && (fd < 0 || cairo_surface_write_to_png(s, path) != CAIRO_STATUS_SUCCESS))
        rc = vax_fail(db, VAX_EIO, "file", _("File: cannot write %s."), path);
    cairo_surface_destroy(s);
    return rc;
}

/* ---- reading a QR from a picture ------------------------------------------------------------ */

struct jpeg_fail {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static void jpeg_fail_exit(j_common_ptr c)
{
    longjmp(((struct jpeg_fail *)c->err)->jump, 1);
}

/* JPEG bytes as grey levels (some "PNG" samples are JPEG inside); NULL if they are not one. */
static unsigned char *read_jpeg_grey(const unsigned char *data, size_t len, int *w, int *h)
{
    struct jpeg_decompress_struct c;
    struct jpeg_fail err;
    unsigned char *volatile grey = NULL;
    c.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail_exit;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&c);
        free(grey);
        return NULL;
    }
    jpeg_create_decompress(&c);
    jpeg_mem_src(&c, data, (unsigned long)len);
    jpeg_read_header(&c, TRUE);
    c.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&c);
    *w = (int)c.output_width;
    *h = (int)c.output_height;
    grey = malloc((size_t)*w * (size_t)*h);
    if (grey)
        while (c.output_scanline < c.output_height) {
            JSAMPROW row = grey + (size_t)c.output_scanline * (size_t)*w;
            jpeg_read_scanlines(&c, &row, 1);
        }
    jpeg_finish_decompress(&c);
    jpeg_destroy_decompress(&c);
    return grey;
}

static int is_jpeg(const unsigned char *m, size_t n)
{
    return n >= 3 && m[0] == 0xff && m[1] == 0xd8 && m[2] == 0xff;
}

/* cairo reads a PNG through this, from the bytes read once */
typedef struct png_bytes {
    const unsigned char *p;
    size_t left;
} png_bytes;

static cairo_status_t png_read(void *ctx, unsigned char *out, unsigned int n)
{
    png_bytes *b = ctx;
    if (n > b->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(out, b->p, n);
    b->p += n;
    b->left -= n;
    return CAIRO_STATUS_SUCCESS;
}

/* A photo of a certificate from a phone is a few MB. */
#define PICTURE_MAX ((size_t)64 << 20)

static int scan_grey(vax_db *db, const char *path, unsigned char *grey, int w, int h, char **text);

int vax_qr_read_png(vax_db *db, const char *path, char **text)
{
    char *data = NULL;
    size_t len = 0;
    *text = NULL;
    vax_clear_error(db);
    /* read once, whole: what is looked at is one file, never a shortened one */
    int rc = vax_read_file(db, path, PICTURE_MAX, &data, &len);
    if (rc != VAX_OK)
        return rc;
    if (is_jpeg((const unsigned char *)data, len)) {
        int w, h;
        unsigned char *grey = read_jpeg_grey((const unsigned char *)data, len, &w, &h);
        free(data);
        if (!grey)
            return vax_fail(db, VAX_EIO, "file", _("File: %s is not a readable picture."), path);
        return scan_grey(db, path, grey, w, h, text);
    }
    png_bytes in = {(const unsigned char *)data, len};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(png_read, &in);
    free(data);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return vax_fail(db, VAX_EIO, "file", _("File: %s is not a readable PNG or JPEG picture."),
                        path);
    }
    cairo_surface_flush(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    cairo_format_t fmt = cairo_image_surface_get_format(s);
    const unsigned char *px = cairo_image_surface_get_data(s);
    unsigned char *grey = malloc((size_t)w * (size_t)h);
    if (!grey) {
        cairo_surface_destroy(s);
        return VAX_ENOMEM;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t v;
            if (fmt == CAIRO_FORMAT_A8)
                v = 0xff000000u | (uint32_t)px[y * stride + x] * 0x010101u;
            else
                memcpy(&v, px + y * stride + x * 4, 4);
            unsigned a = fmt == CAIRO_FORMAT_ARGB32 ? v >> 24 : 255;
            unsigned r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
            /* premultiplied alpha over white */
            unsigned l = (r * 30 + g * 59 + b * 11) / 100 + (255 - a);
            grey[y * w + x] = (unsigned char)(l > 255 ? 255 : l);
        }
    cairo_surface_destroy(s);
    return scan_grey(db, path, grey, w, h, text);
}

/* Scans grey levels (w x h, freed here) for a QR code. */
static int scan_grey(vax_db *db, const char *path, unsigned char *grey, int w, int h, char **text)
{
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_t *img = zbar_image_create();
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, grey, (unsigned long)w * (unsigned long)h, NULL);
    int rc = VAX_ENOTFOUND;
    if (zbar_scan_image(sc, img) > 0) {
        const zbar_symbol_t *sym = zbar_image_first_symbol(img);
        for (; sym; sym = zbar_symbol_next(sym))
            if (zbar_symbol_get_type(sym) == ZBAR_QRCODE) {
                *text = strdup(zbar_symbol_get_data(sym));
                rc = *text ? VAX_OK : VAX_ENOMEM;
                break;
            }
    }
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    free(grey);
    if (rc == VAX_ENOTFOUND)
        return vax_fail(db, rc, "file", _("File: no QR code found in %s."), path);
    return rc;
}

/* Prints a certificate card on the printer named by the setting cert.printer, through lp (CUPS).
 * The printer name is checked and lp is started without a shell. */
int vax_cert_print(vax_db *db, const vax_certificate *c)
{
    char printer[128] = "", pdf[] = "/tmp/vaxsite-cert-XXXXXX.pdf";
    vax_setting_text(db, "cert.printer", printer, sizeof printer);
    if (!printer[0])
        return vax_fail(db, VAX_ENOTFOUND, "cert.printer",
                        _("No printer is set up (setting cert.printer); save a PDF instead."));
    for (const char *p = printer; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return vax_fail(db, VAX_EINVAL, "cert.printer",
                            _("Setting cert.printer: a printer name holds letters, digits, - _ ."));
    int fd = mkstemps(pdf, 4);
    if (fd < 0)
        return vax_fail(db, VAX_EIO, NULL, _("Cannot make a temporary file to print."));
    close(fd);
    int rc = vax_cert_card_pdf(db, c, pdf);
    if (rc != VAX_OK) {
        unlink(pdf);
        return rc;
    }
    char *argv[] = {"lp", "-s", "-d", printer, pdf, NULL};
    pid_t pid;
    int status = -1;
    extern char **environ;
    if (posix_spawnp(&pid, "lp", NULL, NULL, argv, environ) != 0 || waitpid(pid, &status, 0) < 0 ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        unlink(pdf);
        return vax_fail(db, VAX_EIO, NULL, _("The printer %s did not take the card (lp)."),
                        printer);
    }
    unlink(pdf);
    return VAX_OK;
}
