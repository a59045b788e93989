/* workbook.c: the first sheet of an .xlsx (libzip + expat) or .xls (libfreexl) list as CSV text,
 * so that a workbook goes through the very same header search and row checks as a CSV list. */
#include "workbook.h"

#include "internal.h"

#include <expat.h>
#include <freexl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

/* ---- the CSV the importer reads ----------------------------------------------------------- */

/* Rows are written as the sheet numbers them (empty rows as empty lines), so that a message's
 * line number is the row number the clerk sees in the spreadsheet. */
typedef struct grid {
    vax_buf out;
    int row;  /* rows written, 1-based number of the current row */
    int col;  /* cells written in the current row */
    int open; /* a row is started */
} grid;

static void grid_row(grid *g, int number)
{
    if (g->open)
        vax_buf_char(&g->out, '\n');
    while (g->row + 1 < number) {
        vax_buf_char(&g->out, '\n');
        g->row++;
    }
    g->row = number > g->row ? number : g->row + 1;
    g->col = 0;
    g->open = 1;
}

/* A cell in column col (0-based); cells before it that the sheet left out are written empty. A
 * line break inside a cell (Alt+Enter) becomes a space: one sheet row is one line. */
static void grid_cell(grid *g, int col, const char *text)
{
    if (col < g->col)
        col = g->col;
    for (; g->col < col; g->col++)
        if (g->col > 0)
            vax_buf_char(&g->out, ',');
    if (col > 0)
        vax_buf_char(&g->out, ',');
    vax_buf_char(&g->out, '"');
    for (const char *s = text; *s; s++) {
        if (*s == '"')
            vax_buf_add(&g->out, "\"\"", 2);
        else if (*s == '\n' || *s == '\r')
            vax_buf_char(&g->out, ' ');
        else
            vax_buf_char(&g->out, *s);
    }
    vax_buf_char(&g->out, '"');
    g->col++;
}

/* Ends the last row and gives every row that has a cell as many fields as the widest: a sheet
 * leaves out the empty cells at a row's end, where a CSV row would have its separators (the row
 * checks refuse a row with fewer fields than the header). Empty rows stay empty lines. */
static int grid_finish(grid *g)
{
    vax_buf padded;
    size_t widest = 0, n;
    const char *s;
    if (g->open)
        vax_buf_char(&g->out, '\n');
    g->open = 0;
    n = g->out.len;
    s = g->out.data ? g->out.data : "";
    for (int pass = 0; pass < 2; pass++) {
        size_t fields = 0;
        int quoted = 0, any = 0;
        vax_buf_init(&padded);
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            if (c == '"')
                quoted = !quoted;
            if (c == '\n' && !quoted) {
                if (any && pass == 1)
                    for (; fields + 1 < widest; fields++)
                        vax_buf_char(&padded, ',');
                if (any && pass == 0 && fields + 1 > widest)
                    widest = fields + 1;
                fields = 0;
                any = 0;
            } else {
                any = 1;
                if (c == ',' && !quoted)
                    fields++;
            }
            if (pass == 1)
                vax_buf_char(&padded, c);
        }
        if (pass == 0)
            vax_buf_free(&padded);
    }
    if (padded.failed || g->out.failed) {
        vax_buf_free(&padded);
        return VAX_ENOMEM;
    }
    vax_buf_free(&g->out);
    g->out = padded;
    return VAX_OK;
}

/* A number as a clerk typed it: a whole number (an ID or phone stored as a number) as its
 * digits, never "7.9e+10" or "79090000123.0"; other numbers with up to 15 significant digits. */
static void number_text(double v, char *out, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(out, size, "%.0f", v);
    else
        snprintf(out, size, "%.15g", v);
}

/* A date serial (days since 1899-12-30, or since 1904-01-01) as dd/mm/yyyy. */
static void serial_date(double v, int date1904, char *out, size_t size)
{
    long days = (long)floor(v) + (date1904 ? 1462 : 0);
    /* days from 1899-12-30 to a civil date (Howard Hinnant's days_from_civil, inverted) */
    long z = days - 25569 + 719468; /* 25569: 1970-01-01 */
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, size, "%02ld/%02ld/%04ld", d, m, y + (m <= 2));
}

/* ---- .xlsx ------------------------------------------------------------------------------- */

enum part { P_WORKBOOK, P_RELS, P_STRINGS, P_STYLES, P_SHEET };

typedef struct xlsx {
    enum part part;
    int failed;
    /* workbook.xml and its relations */
    char first_rid[128];
    int date1904;
    char target[512];
    /* shared strings */
    char **strings;
    size_t nstrings, capstrings;
    int in_si, in_t, in_rph;
    vax_buf text;
    /* styles: which cell formats are dates */
    int in_cellxfs;
    unsigned char *date_xf;
    size_t nxf, capxf;
    int custom_ids[256];
    unsigned char custom_date[256];
    int ncustom;
    /* the sheet */
    grid g;
    int c_col, c_style, in_v, in_is;
    char c_type[16];
} xlsx;

static const char *attr(const char **a, const char *name)
{
    for (int i = 0; a[i]; i += 2) {
        const char *n = a[i], *colon = strrchr(n, ':');
        if (strcmp(n, name) == 0 || (colon && strcmp(colon + 1, name) == 0))
            return a[i + 1];
    }
    return NULL;
}

static const char *local(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon ? colon + 1 : name;
}

/* A format code that shows a date: d or y outside quotes, brackets and backslash escapes (an m
 * alone is the minutes of a time such as h:mm, which is not a birth date). */
static int format_is_date(const char *code)
{
    int quoted = 0, bracket = 0;
    for (const char *s = code; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            continue;
        }
        if (*s == '"')
            quoted = !quoted;
        else if (!quoted && *s == '[')
            bracket = 1;
        else if (!quoted && *s == ']')
            bracket = 0;
        else if (!quoted && !bracket && strchr("dDyY", *s))
            return 1;
    }
    return 0;
}

static int builtin_date(int id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

static void on_start(void *ud, const char *el, const char **a)
{
    xlsx *x = ud;
    const char *n = local(el), *v;
    switch (x->part) {
    case P_WORKBOOK:
        if (strcmp(n, "sheet") == 0 && !x->first_rid[0] && (v = attr(a, "id")))
            vax_strlcpy(x->first_rid, v, sizeof x->first_rid);
        else if (strcmp(n, "workbookPr") == 0 && (v = attr(a, "date1904")))
            x->date1904 = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
        break;
    case P_RELS:
        if (strcmp(n, "Relationship") == 0 && (v = attr(a, "Id")) && strcmp(v, x->first_rid) == 0 &&
            (v = attr(a, "Target")))
            vax_strlcpy(x->target, v, sizeof x->target);
        break;
    case P_STRINGS:
        if (strcmp(n, "si") == 0) {
            x->in_si = 1;
            vax_buf_free(&x->text);
            vax_buf_init(&x->text);
            vax_buf_str(&x->text, "");
        } else if (strcmp(n, "rPh") == 0)
            x->in_rph = 1;
        else if (strcmp(n, "t") == 0)
            x->in_t = 1;
        break;
    case P_STYLES:
        if (strcmp(n, "numFmt") == 0 && x->ncustom < 256 && (v = attr(a, "numFmtId"))) {
            const char *code = attr(a, "formatCode");
            x->custom_ids[x->ncustom] = atoi(v);
            x->custom_date[x->ncustom++] = code && format_is_date(code);
        } else if (strcmp(n, "cellXfs") == 0)
            x->in_cellxfs = 1;
        else if (x->in_cellxfs && strcmp(n, "xf") == 0) {
            int id = (v = attr(a, "numFmtId")) ? atoi(v) : 0, date = builtin_date(id);
            for (int i = 0; i < x->ncustom; i++)
                if (x->custom_ids[i] == id)
                    date = x->custom_date[i];
            if (x->nxf == x->capxf) {
                size_t cap = x->capxf ? x->capxf * 2 : 64;
                unsigned char *bigger = realloc(x->date_xf, cap);
                if (!bigger) {
                    x->failed = 1;
                    return;
                }
                x->date_xf = bigger;
                x->capxf = cap;
            }
            x->date_xf[x->nxf++] = (unsigned char)date;
        }
        break;
    case P_SHEET:
        if (strcmp(n, "row") == 0)
            grid_row(&x->g, (v = attr(a, "r")) ? atoi(v) : x->g.row + 1);
        else if (strcmp(n, "c") == 0) {
            x->c_col = x->g.col;
            if ((v = attr(a, "r")) && *v >= 'A' && *v <= 'Z') {
                int col = 0;
                for (; *v >= 'A' && *v <= 'Z'; v++)
                    col = col * 26 + (*v - 'A' + 1);
                x->c_col = col - 1;
            }
            vax_strlcpy(x->c_type, (v = attr(a, "t")) ? v : "n", sizeof x->c_type);
            x->c_style = (v = attr(a, "s")) ? atoi(v) : 0;
            vax_buf_free(&x->text);
            vax_buf_init(&x->text);
            vax_buf_str(&x->text, "");
        } else if (strcmp(n, "v") == 0)
            x->in_v = 1;
        else if (strcmp(n, "is") == 0)
            x->in_is = 1;
        else if (strcmp(n, "rPh") == 0)
            x->in_rph = 1;
        else if (strcmp(n, "t") == 0 && x->in_is)
            x->in_t = 1;
        break;
    }
}

static void on_text(void *ud, const char *s, int len)
{
    xlsx *x = ud;
    int take = x->part == P_STRINGS ? x->in_si && x->in_t && !x->in_rph
                                    : x->part == P_SHEET && (x->in_v || (x->in_t && !x->in_rph));
    if (take && vax_buf_add(&x->text, s, (size_t)len) != VAX_OK)
        x->failed = 1;
}

static void cell_value(xlsx *x, char *out, size_t size)
{
    const char *v = x->text.data ? x->text.data : "";
    if (strcmp(x->c_type, "s") == 0) {
        long i = strtol(v, NULL, 10);
        vax_strlcpy(out, i >= 0 && (size_t)i < x->nstrings ? x->strings[i] : "", size);
    } else if (strcmp(x->c_type, "n") == 0 && *v) {
        char *end;
        double d = strtod(v, &end);
        if (*end)
            vax_strlcpy(out, v, size);
        else if (x->c_style >= 0 && (size_t)x->c_style < x->nxf && x->date_xf[x->c_style])
            serial_date(d, x->date1904, out, size);
        else
            number_text(d, out, size);
    } else
        vax_strlcpy(out, v, size); /* str, inlineStr, b, e, d (ISO text) */
}

static void on_end(void *ud, const char *el)
{
    xlsx *x = ud;
    const char *n = local(el);
    if (x->part == P_STRINGS) {
        if (strcmp(n, "t") == 0)
            x->in_t = 0;
        else if (strcmp(n, "rPh") == 0)
            x->in_rph = 0;
        else if (strcmp(n, "si") == 0) {
            x->in_si = 0;
            if (x->nstrings == x->capstrings) {
                size_t cap = x->capstrings ? x->capstrings * 2 : 256;
                char **bigger = realloc(x->strings, cap * sizeof *bigger);
                if (!bigger) {
                    x->failed = 1;
                    return;
                }
                x->strings = bigger;
                x->capstrings = cap;
            }
            x->strings[x->nstrings] = vax_buf_take(&x->text, NULL);
            if (!x->strings[x->nstrings++])
                x->failed = 1;
        }
    } else if (x->part == P_STYLES) {
        if (strcmp(n, "cellXfs") == 0)
            x->in_cellxfs = 0;
    } else if (x->part == P_SHEET) {
        if (strcmp(n, "v") == 0)
            x->in_v = 0;
        else if (strcmp(n, "is") == 0)
            x->in_is = 0;
        else if (strcmp(n, "t") == 0)
            x->in_t = 0;
        else if (strcmp(n, "rPh") == 0)
            x->in_rph = 0;
        else if (strcmp(n, "c") == 0) {
            char value[1024];
            if (!x->g.open)
                grid_row(&x->g, x->g.row + 1);
            cell_value(x, value, sizeof value);
            grid_cell(&x->g, x->c_col, value);
        }
    }
}

/* Reads one member of the archive through the parser; 0 when it is absent (optional parts),
 * 1 when read, -1 when it is not well-formed XML or memory ran out. */
static int parse_member(zip_t *z, const char *member, xlsx *x, enum part part)
{
    zip_stat_t st;
    zip_file_t *f;
    if (zip_stat(z, member, 0, &st) != 0 || !(f = zip_fopen(z, member, 0)))
        return 0;
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p) {
        zip_fclose(f);
        return -1;
    }
    x->part = part;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    int ok = 1;
    for (;;) {
        char chunk[65536];
        zip_int64_t n = zip_fread(f, chunk, sizeof chunk);
        if (n < 0 || XML_Parse(p, chunk, (int)(n > 0 ? n : 0), n == 0) == XML_STATUS_ERROR ||
            x->failed) {
            ok = 0;
            break;
        }
        if (n == 0)
            break;
    }
    XML_ParserFree(p);
    zip_fclose(f);
    return ok ? 1 : -1;
}

static int read_xlsx(vax_db *db, const char *name, const char *data, size_t len, grid *g)
{
    xlsx x;
    zip_error_t ze;
    int rc = VAX_OK;
    memset(&x, 0, sizeof x);
    vax_buf_init(&x.text);
    vax_buf_init(&x.g.out);
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        vax_buf_free(&x.g.out);
        return vax_fail(db, VAX_EINVAL, "file",
                        _("%s: looks like an Excel workbook (.xlsx) but cannot be opened as one."),
                        name);
    }
    char sheet[2048] = "xl/worksheets/sheet1.xml";
    if (parse_member(z, "xl/workbook.xml", &x, P_WORKBOOK) == 1 && x.first_rid[0] &&
        parse_member(z, "xl/_rels/workbook.xml.rels", &x, P_RELS) == 1 && x.target[0])
        snprintf(sheet, sizeof sheet, "%s%s", x.target[0] == '/' ? "" : "xl/",
                 x.target[0] == '/' ? x.target + 1 : x.target);
    int s1 = parse_member(z, "xl/sharedStrings.xml", &x, P_STRINGS);
    int s2 = s1 < 0 ? -1 : parse_member(z, "xl/styles.xml", &x, P_STYLES);
    int s3 = s2 < 0 ? -1 : parse_member(z, sheet, &x, P_SHEET);
    if (x.failed || s1 < 0 || s2 < 0 || s3 <= 0)
        rc = x.failed
                 ? VAX_ENOMEM
                 : vax_fail(db, VAX_EINVAL, "file",
                            _("%s: an Excel workbook (.xlsx) whose first sheet cannot be read."),
                            name);
    zip_discard(z);
    zip_error_fini(&ze);
    for (size_t i = 0; i < x.nstrings; i++)
        free(x.strings[i]);
    free(x.strings);
    free(x.date_xf);
    vax_buf_free(&x.text);
    *g = x.g;
    return rc;
}

/* ---- .xls -------------------------------------------------------------------------------- */

/* libfreexl reads a file by its path only: the list is written to a private temporary file
 * (created 0600 by mkstemp, unlinked at once after opening). */
static int read_xls(vax_db *db, const char *name, const char *data, size_t len, grid *g)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    const void *h = NULL;
    int rc = VAX_OK;
    snprintf(path, sizeof path, "%s/vaxsite-xls-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return vax_fail(db, VAX_EIO, "file", _("%s: no temporary file to read the workbook from."),
                        name);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    int opened = done == len ? freexl_open(path, &h) : FREEXL_FILE_NOT_FOUND;
    unlink(path);
    if (opened != FREEXL_OK) {
        if (h)
            freexl_close(h);
        return vax_fail(db, VAX_EINVAL, "file",
                        _("%s: looks like an Excel workbook (.xls) but cannot be opened as one."),
                        name);
    }
    unsigned int rows = 0;
    unsigned short cols = 0;
    if (freexl_select_active_worksheet(h, 0) != FREEXL_OK ||
        freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK) {
        freexl_close(h);
        return vax_fail(db, VAX_EINVAL, "file",
                        _("%s: an Excel workbook (.xls) whose first sheet cannot be read."), name);
    }
    vax_buf_init(&g->out);
    for (unsigned int r = 0; r < rows; r++) {
        grid_row(g, (int)r + 1);
        for (unsigned short c = 0; c < cols; c++) {
            FreeXL_CellValue cell;
            char value[1024] = "";
            if (freexl_get_cell_value(h, r, c, &cell) != FREEXL_OK)
                continue;
            switch (cell.type) {
            case FREEXL_CELL_INT:
                snprintf(value, sizeof value, "%d", cell.value.int_value);
                break;
            case FREEXL_CELL_DOUBLE:
                number_text(cell.value.double_value, value, sizeof value);
                break;
            case FREEXL_CELL_DATE:
            case FREEXL_CELL_DATETIME: {
                int y, m, d;
                if (sscanf(cell.value.text_value, "%d-%d-%d", &y, &m, &d) == 3)
                    snprintf(value, sizeof value, "%02d/%02d/%04d", d, m, y);
                else
                    vax_strlcpy(value, cell.value.text_value, sizeof value);
                break;
            }
            case FREEXL_CELL_TEXT:
            case FREEXL_CELL_SST_TEXT:
            case FREEXL_CELL_TIME:
                vax_strlcpy(value, cell.value.text_value ? cell.value.text_value : "",
                            sizeof value);
                break;
            default:
                continue;
            }
            grid_cell(g, c, value);
        }
    }
    freexl_close(h);
    return rc;
}

int vax_workbook_kind(const char *data, size_t len)
{
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
        return VAX_WORKBOOK_XLSX;
    if (len >= 4 && memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0)
        return VAX_WORKBOOK_XLS;
    return 0;
}

int vax_workbook_csv(vax_db *db, const char *name, const char *data, size_t len, char **csv,
                     size_t *csvlen)
{
    grid g;
    memset(&g, 0, sizeof g);
    *csv = NULL;
    *csvlen = 0;
    int kind = vax_workbook_kind(data, len);
    int rc = kind == VAX_WORKBOOK_XLSX ? read_xlsx(db, name, data, len, &g)
             : kind == VAX_WORKBOOK_XLS
                 ? read_xls(db, name, data, len, &g)
                 : vax_fail(db, VAX_EINVAL, "file", _("%s: not a workbook."), name);
    if (rc == VAX_OK && (rc = grid_finish(&g)) == VAX_OK) {
        if (!(*csv = vax_buf_take(&g.out, csvlen)))
            return VAX_ENOMEM;
        return VAX_OK;
    }
    vax_buf_free(&g.out);
    return rc;
}
