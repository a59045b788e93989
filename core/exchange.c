/* exchange.c: the import of pre-registration lists (CSV; a workbook's first sheet through
 * workbook.c) and the exports for the national systems (the national CSV template, FHIR R4 JSON).
 */
#include "datafile.h"
#include "internal.h"
#include "workbook.h"

#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>

/* ---- the header table (assets/import_headers.conf) ------------------------------------------ */

enum column {
    COL_ID,
    COL_NAME,
    COL_BIRTH,
    COL_SEX,
    COL_PHONE,
    COL_INSURANCE,
    COL_COMMUNE,
    COL_GROUP,
    COL_ETHNICITY,
    NCOLUMNS
};

static const char *const column_keys[NCOLUMNS] = {"national_id", "full_name",      "birth_date",
                                                  "sex",         "phone",          "insurance_no",
                                                  "commune",     "priority_group", "ethnicity"};

#define MAX_NAMES 256

typedef struct header_table {
    char *names[MAX_NAMES]; /* folded */
    int column[MAX_NAMES];
    int nnames;
    int required[NCOLUMNS];
    char *sex_words[2][16]; /* [0] male, [1] female, folded */
    int nsex[2];
} header_table;

/* Copies src without what a copy from a web page, a chat or another program leaves unseen: a
 * no-break space (U+00A0, U+2007, U+202F) becomes a space; zero-width characters (U+200B-U+200D,
 * U+2060), the byte order mark (U+FEFF) and the soft hyphen (U+00AD) are dropped, so a name is
 * stored as it reads and found by the search. Runs of spaces become one; no space at either end. */
static void clean_copy(char *dst, const char *src, size_t size)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0;
    int space = 1; /* drops the leading ones */
    if (size == 0)
        return;
    while (*s && o + 1 < size) {
        int sp = 0;
        size_t skip = 0;
        if (s[0] == 0xC2 && (s[1] == 0xA0 || s[1] == 0xAD))
            sp = s[1] == 0xA0, skip = 2;
        else if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x87 || s[2] == 0xAF))
            sp = 1, skip = 3;
        else if (s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x8B && s[2] <= 0x8D)
            skip = 3;
        else if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0xA0)
            skip = 3;
        else if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
            skip = 3;
        else if (isspace(s[0]))
            sp = 1, skip = 1;
        if (skip) {
            s += skip;
            if (sp && !space) {
                dst[o++] = ' ';
                space = 1;
            }
            continue;
        }
        /* never a character cut in two at the end of dst */
        size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
        if (o + n >= size)
            break;
        for (size_t i = 0; i < n && s[0]; i++)
            dst[o++] = (char)*s++;
        space = 0;
    }
    if (o > 0 && dst[o - 1] == ' ')
        o--;
    dst[o] = 0;
}

/* Folded, and every character that is not a letter or a digit read as a space. */
static char *fold_key(const char *s)
{
    size_t len = strlen(s) + 1;
    char *clean = malloc(len);
    if (!clean)
        return NULL;
    clean_copy(clean, s, len);
    char *f = vax_text_fold(clean);
    free(clean);
    if (!f)
        return NULL;
    char *o = f;
    int space = 1;
    for (char *p = f; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c >= 0x80) {
            *o++ = (char)c;
            space = 0;
        } else if (!space) {
            *o++ = ' ';
            space = 1;
        }
    }
    if (o > f && o[-1] == ' ')
        o--;
    *o = 0;
    return f;
}

static void headers_free(header_table *h)
{
    for (int i = 0; i < h->nnames; i++)
        free(h->names[i]);
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < h->nsex[k]; i++)
            free(h->sex_words[k][i]);
    memset(h, 0, sizeof *h);
}

/* Splits "a | b | c" and stores each folded word; 0 on out of memory. */
static int split_names(const char *value, char **out, int *n, int max, int *column, int col)
{
    const char *p = value;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char *word = strndup(p, len);
        if (!word)
            return 0;
        char *f = fold_key(word);
        free(word);
        if (!f)
            return 0;
        if (*f && *n < max) {
            if (column)
                column[*n] = col;
            out[(*n)++] = f;
        } else {
            free(f);
        }
        p = bar ? bar + 1 : p + len;
    }
    return 1;
}

/* Adds the names of one header file to h. The program's (site 0) declares each column and whether
 * it is required; a site's own file (site 1) only adds spellings, and a name it gives that already
 * belongs to another column is an error naming its line (the list's column would be ambiguous). */
static int headers_add(vax_db *db, header_table *h, const char *name, const char *text, int site)
{
    static const char *const known[] = {"names", "required", "value.", NULL};
    static const char *const known_site[] = {"names", "value.", NULL};
    vax_datafile df;
    int rc;
    if ((rc = vax_datafile_parse(&df, name, text)) != VAX_OK)
        goto bad;
    for (int i = 0; i < df.nsections; i++) {
        const vax_df_section *s = &df.sections[i];
        int col = -1;
        const char *names = "";
        for (int k = 0; k < NCOLUMNS; k++)
            if (strcmp(s->name, column_keys[k]) == 0)
                col = k;
        if (col < 0) {
            rc = vax_datafile_fail(&df, s->line, "unknown column [%s]", s->name);
            goto bad;
        }
        if ((rc = vax_datafile_unknown_keys(&df, s, site ? known_site : known)) != VAX_OK)
            goto bad;
        if (!site && (rc = vax_datafile_require(&df, s, "names", &names)) != VAX_OK)
            goto bad;
        const vax_df_entry *given = vax_datafile_get(&df, s, "names");
        if (site && given)
            names = given->value;
        if (!site) {
            const vax_df_entry *req = vax_datafile_get(&df, s, "required");
            h->required[col] = req && strcmp(req->value, "yes") == 0;
        }
        int from = h->nnames;
        if (!split_names(names, h->names, &h->nnames, MAX_NAMES, h->column, col))
            goto oom;
        for (int k = from; site && k < h->nnames; k++)
            for (int j = 0; j < from; j++)
                if (strcmp(h->names[k], h->names[j]) == 0 && h->column[j] != col) {
                    rc = vax_datafile_fail(&df, given ? given->line : s->line,
                                           _("\"%s\" is already a name of [%s]"), h->names[k],
                                           column_keys[h->column[j]]);
                    goto bad;
                }
        const vax_df_entry *m = vax_datafile_get(&df, s, "value.m");
        const vax_df_entry *f = vax_datafile_get(&df, s, "value.f");
        if ((m && !split_names(m->value, h->sex_words[0], &h->nsex[0], 16, NULL, 0)) ||
            (f && !split_names(f->value, h->sex_words[1], &h->nsex[1], 16, NULL, 0)))
            goto oom;
    }
    vax_datafile_free(&df);
    return VAX_OK;
oom:
    vax_datafile_free(&df);
    return VAX_ENOMEM;
bad:
    rc = vax_fail(db, site ? VAX_EINVAL : VAX_EINTERNAL, site ? "file" : NULL, "%s", df.error);
    vax_datafile_free(&df);
    return rc;
}

/* The program's header names, and a site's own spellings from import_headers.conf next to the
 * database when there is one. */
static int headers_load(vax_db *db, header_table *h)
{
    int rc;
    memset(h, 0, sizeof *h);
    rc = headers_add(db, h, "import_headers.conf", vax_asset_import_headers_conf, 0);
    const char *db_path = vax_db_path(db);
    const char *slash = db_path ? strrchr(db_path, '/') : NULL;
    char path[4200];
    if (rc == VAX_OK && db_path && *db_path && strcmp(db_path, ":memory:") != 0) {
        snprintf(path, sizeof path, "%.*s%simport_headers.conf", slash ? (int)(slash - db_path) : 0,
                 db_path, slash ? "/" : "");
        if (access(path, F_OK) == 0) {
            char *text = NULL;
            size_t len = 0;
            if ((rc = vax_read_file(db, path, (size_t)1 << 20, &text, &len)) == VAX_OK) {
                rc = headers_add(db, h, path, text, 1);
                free(text);
            }
        }
    }
    if (rc != VAX_OK)
        headers_free(h);
    return rc;
}

/* ---- CSV reading ---------------------------------------------------------------------------- */

typedef struct csv_reader {
    const char *p, *end;
    char delim;
    int line;    /* line of the next character */
    vax_buf buf; /* the fields of the record read last, NUL-separated */
} csv_reader;

#define MAX_FIELDS 64

typedef struct csv_record {
    int line; /* where it starts */
    int n;
    char *field[MAX_FIELDS]; /* into the reader's buffer */
    int unterminated;        /* a quote was never closed */
    int too_many;
} csv_record;

/* Reads one record (fields into r->buf, NUL-separated). 0 at the end of the text. */
static int csv_next(csv_reader *c, csv_record *rec)
{
    size_t need = (size_t)(c->end - c->p) + MAX_FIELDS + 2;
    size_t o = 0;
    if (c->p >= c->end)
        return 0;
    /* a record can never be longer than what is left of the text */
    if (vax_buf_reserve(&c->buf, need < 65536 ? 65536 : need) != VAX_OK)
        return -1;
    char *buf = c->buf.data;
    memset(rec, 0, sizeof *rec);
    rec->line = c->line;
    rec->field[rec->n++] = buf;
    int quoted = 0, was_quoted = 0;
    while (c->p < c->end) {
        char ch = *c->p;
        if (quoted) {
            c->p++;
            if (ch == '"') {
                if (c->p < c->end && *c->p == '"') {
                    buf[o++] = '"';
                    c->p++;
                } else {
                    quoted = 0;
                }
            } else {
                if (ch == '\n')
                    c->line++;
                buf[o++] = ch;
            }
            continue;
        }
        if (ch == '"' && !was_quoted && buf + o == rec->field[rec->n - 1]) {
            quoted = was_quoted = 1;
            c->p++;
            continue;
        }
        if (ch == c->delim) {
            c->p++;
            buf[o++] = 0;
            was_quoted = 0;
            if (rec->n < MAX_FIELDS)
                rec->field[rec->n++] = buf + o;
            else
                rec->too_many = 1;
            continue;
        }
        if (ch == '\r' || ch == '\n') {
            c->p++;
            if (ch == '\r' && c->p < c->end && *c->p == '\n')
                c->p++;
            c->line++;
            break;
        }
        buf[o++] = ch;
        c->p++;
    }
    buf[o] = 0;
    rec->unterminated = quoted;
    return 1;
}

static int record_blank(const csv_record *r)
{
    for (int i = 0; i < r->n; i++)
        for (const char *s = r->field[i]; *s; s++)
            if (!isspace((unsigned char)*s))
                return 0;
    return 1;
}

/* The delimiter of the header line: the most frequent of ; , and tab outside quotes. */
static char guess_delim(const char *p, const char *end)
{
    int semi = 0, comma = 0, tab = 0, quoted = 0;
    for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted)
            semi += *p == ';', comma += *p == ',', tab += *p == '\t';
    }
    if (tab > semi && tab > comma)
        return '\t';
    return semi > comma ? ';' : ',';
}

/* First invalid UTF-8 byte, or NULL. */
static const char *bad_utf8(const char *s, const char *end)
{
    const unsigned char *p = (const unsigned char *)s, *e = (const unsigned char *)end;
    while (p < e) {
        int n;
        if (*p < 0x80) {
            p++;
            continue;
        }
        if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
            n = 1;
        else if ((*p & 0xF0) == 0xE0)
            n = 2;
        else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
            n = 3;
        else
            return (const char *)p;
        if (e - p <= n)
            return (const char *)p;
        for (int i = 1; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return (const char *)p;
        p += n + 1;
    }
    return NULL;
}

/* ---- encodings ------------------------------------------------------------------------------ */

/* The glibc iconv name of an encoding as a clerk may write it; NULL for UTF-8. */
static const char *iconv_name(const char *enc)
{
    char f[32];
    size_t n = 0;
    for (const char *s = enc; *s && n + 1 < sizeof f; s++)
        if (isalnum((unsigned char)*s))
            f[n++] = (char)tolower((unsigned char)*s);
    f[n] = 0;
    if (strcmp(f, "utf8") == 0)
        return NULL;
    if (strcmp(f, "cp1258") == 0 || strcmp(f, "windows1258") == 0)
        return "WINDOWS-1258";
    /* TCVN3 (the ABC fonts' encoding) is TCVN 5712:1993 VN3, which glibc calls TCVN5712-1 */
    if (strcmp(f, "tcvn") == 0 || strcmp(f, "tcvn3") == 0 || strcmp(f, "tcvn5712") == 0 ||
        strcmp(f, "tcvn57121") == 0 || strcmp(f, "tcvn571211993") == 0 || strcmp(f, "abc") == 0)
        return "TCVN5712-1";
    return enc;
}

/* text in `from` as UTF-8 in NFC (Windows-1258 writes tones as combining marks after the
 * letter: composed, they are the letters typed at the desk). 1 done, 0 not that encoding,
 * -1 out of memory, -2 no such encoding in iconv. */
static int convert(const char *from, const char *text, size_t len, char **out, size_t *outlen)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return -2;
    size_t cap = len * 6 + 16; /* a byte is at most a letter and a mark */
    char *buf = malloc(cap), *in = (char *)text, *o = buf;
    size_t inleft = len, outleft = cap;
    if (!buf) {
        iconv_close(cd);
        return -1;
    }
    size_t rc = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (rc == (size_t)-1 || memchr(buf, 0, cap - outleft)) {
        free(buf);
        return 0;
    }
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t *)buf, (utf8proc_ssize_t)(cap - outleft), &nfc,
                     (utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    free(buf);
    if (n < 0)
        return n == UTF8PROC_ERROR_NOMEM ? -1 : 0;
    *out = (char *)nfc;
    *outlen = (size_t)n;
    return 1;
}

/* A letter of Vietnamese: ASCII, or one of the letters with marks (U+1EA0-U+1EF9 and those of
 * Latin-1 and Latin Extended-A/B it uses). */
static int vietnamese_letter(int32_t c)
{
    static const int32_t extra[] = {0xC0,  0xC1,  0xC2,  0xC3,  0xC8,  0xC9,  0xCA,
                                    0xCC,  0xCD,  0xD2,  0xD3,  0xD4,  0xD5,  0xD9,
                                    0xDA,  0xDD,  0x102, 0x103, 0x110, 0x111, 0x128,
                                    0x129, 0x168, 0x169, 0x1A0, 0x1A1, 0x1AF, 0x1B0};
    if (c >= 0x1EA0 && c <= 0x1EF9)
        return 1;
    if (c >= 0xE0 && c <= 0xFD)
        return vietnamese_letter(c - 0x20); /* the lower case of Latin-1's */
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++)
        if (extra[i] == c)
            return 1;
    return 0;
}

/* How many words of the (NFC) text could not be written in Vietnamese: a character that is not a
 * Vietnamese letter (nor ASCII, nor common punctuation), two tone marks in one syllable, a mark
 * left uncomposed, or a capital after a small letter ("NguyÔn": TCVN3 read as Windows-1258). */
static int odd_words(const char *text, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text, *e = p + len;
    int odd = 0, tones = 0, lower = 0, bad = 0;
    while (p < e) {
        int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, e - p, &c);
        if (n <= 0)
            return 1 << 30;
        p += n;
        if (c < 0x80 && !isalpha((int)c)) { /* the end of a word */
            odd += bad || tones > 1;
            tones = lower = bad = 0;
            continue;
        }
        if (c < 0x80) {
            if (isupper((int)c) && lower)
                bad = 1;
            lower |= islower((int)c) != 0;
            continue;
        }
        if (!vietnamese_letter(c) && c != 0xA0 && c != 0x2013 && c != 0x2014 && c != 0x2018 &&
            c != 0x2019 && c != 0x201C && c != 0x201D) {
            bad = 1;
            continue;
        }
        utf8proc_int32_t d[4];
        int lb = 0;
        utf8proc_ssize_t nd = utf8proc_decompose_char(c, d, 4, UTF8PROC_DECOMPOSE, &lb);
        for (utf8proc_ssize_t i = 1; i < nd && i < 4; i++)
            tones +=
                d[i] == 0x300 || d[i] == 0x301 || d[i] == 0x303 || d[i] == 0x309 || d[i] == 0x323;
        if (utf8proc_get_property(c)->category == UTF8PROC_CATEGORY_LU && lower)
            bad = 1;
        lower |= utf8proc_get_property(c)->category == UTF8PROC_CATEGORY_LL;
    }
    return odd + (bad || tones > 1);
}

/* Windows-1252's characters for the bytes 0x80-0x9F (0: none). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* The byte Windows-1252 (or Latin-1) writes for c, -1 if none. */
static int cp1252_byte(int32_t c)
{
    if (c < 0x80 || (c >= 0xA0 && c <= 0xFF))
        return (int)c;
    if (c >= 0x80 && c <= 0x9F)
        return (int)c; /* a byte Windows-1252 has no character for, kept as is */
    for (int i = 0; i < 32; i++)
        if (cp1252_high[i] && cp1252_high[i] == c)
            return 0x80 + i;
    return -1;
}

/* The word as it was before the round trip: each character back to its Windows-1252 byte, when
 * that gives UTF-8; the word as it is otherwise. Never cut mid-character. */
static void mend(const char *w, size_t n, char *out, size_t size)
{
    char bytes[256], word[256];
    size_t o = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)w, *e = p + n;
    while (p < e && o + 1 < sizeof bytes) {
        int32_t c;
        utf8proc_ssize_t m = utf8proc_iterate(p, e - p, &c);
        int b = m > 0 ? cp1252_byte(c) : -1;
        if (b < 0) {
            o = 0;
            break;
        }
        bytes[o++] = (char)b;
        p += m;
    }
    bytes[o] = 0;
    snprintf(word, sizeof word, "%.*s", (int)(n < 255 ? n : 255), w);
    clean_copy(out, o && !bad_utf8(bytes, bytes + o) ? bytes : word, size);
}

/* Text that was UTF-8, read as Windows-1252 and saved as UTF-8 again ("Nguyá»…n" for
 * "Nguyễn"): a character whose Windows-1252 byte leads a UTF-8 sequence, followed by those whose
 * bytes complete it. The first such place, and what it was (`was`, UTF-8), or NULL. */
static const char *mojibake(const char *text, size_t len, char *seen, char *was, size_t size)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text, *e = p + len;
    while (p < e) {
        int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, e - p, &c);
        if (n <= 0)
            return NULL;
        int lead = c >= 0xC2 && c <= 0xF4 ? (int)c : -1, need = 0;
        if (lead >= 0)
            need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
        unsigned char bytes[4] = {(unsigned char)lead};
        const utf8proc_uint8_t *q = p + n;
        int k = 1;
        for (; need && k <= need && q < e; k++) {
            int32_t d;
            utf8proc_ssize_t m = utf8proc_iterate(q, e - q, &d);
            int b = m > 0 ? cp1252_byte(d) : -1;
            if (b < 0x80 || b > 0xBF)
                break;
            bytes[k] = (unsigned char)b;
            q += m;
        }
        if (need && k == need + 1) {
            int32_t orig;
            /* only what gives a Vietnamese letter: "Ô" before a no-break space is a name */
            if (utf8proc_iterate(bytes, need + 1, &orig) == need + 1 && orig >= 0x80 &&
                vietnamese_letter(orig)) {
                /* the word around it, mended, says what it was */
                const char *ws = (const char *)p, *we = (const char *)q;
                while (ws > text && !isspace((unsigned char)ws[-1]) && ws[-1] != ',' &&
                       ws[-1] != ';' && ws[-1] != '\t' && ws[-1] != '"')
                    ws--;
                while (we < text + len && !isspace((unsigned char)*we) && *we != ',' &&
                       *we != ';' && *we != '\t' && *we != '"')
                    we++;
                char word[256];
                snprintf(word, sizeof word, "%.*s", (int)(we - ws < 255 ? we - ws : 255), ws);
                clean_copy(seen, word, size);
                mend(ws, (size_t)(we - ws), was, size);
                return (const char *)p;
            }
        }
        p += n;
    }
    return NULL;
}

/* ---- one row ----------------------------------------------------------------------------------
 */

typedef struct row {
    vax_person p;
    int line;
    int bad;
    int skip;         /* a repeat of an earlier row: counted once */
    int64_t existing; /* id of the person with this ID already, 0 if none */
    int same;         /* the registered person already has every field of the row */
    int add;          /* to be registered (the transaction's pass over the rows found nobody) */
    char *folded;     /* the folded name, once asked for (row_folded) */
} row;

typedef struct import_ctx {
    vax_db *db;
    header_table h;
    int col_of[NCOLUMNS]; /* field index of each column in the file, -1 absent */
    vax_import_result *out;
    int cap_issues;
    struct {
        char code[16];
        int rank;
        char *name[2]; /* Vietnamese and English, folded */
    } groups[32];
    int ngroups;
    sqlite3_stmt *st_lookup, *st_other, *st_dup, *st_triggers; /* import_stmt */
    struct memo *sex, *commune, *group;                        /* check_row's, see memo */
} import_ctx;

/* What a column's text came to, for the texts a list repeats on every row (the sex, the commune,
 * the group): the same text gives the same result, and folding or composing it again for each
 * row was a tenth of a long list's import. Texts of MEMO_TEXT bytes or more are not kept. */
enum { MEMO_N = 32, MEMO_TEXT = 128 };
typedef struct memo {
    size_t len[MEMO_N];
    char key[MEMO_N][MEMO_TEXT];
    char val[MEMO_N][MEMO_TEXT];
    int n, next;
} memo;

static const char *memo_get(const memo *m, const char *key)
{
    size_t len = strlen(key);
    for (int i = 0; m && i < m->n; i++)
        if (m->len[i] == len && memcmp(m->key[i], key, len) == 0)
            return m->val[i];
    return NULL;
}

static void memo_put(memo *m, const char *key, const char *val)
{
    size_t len = strlen(key);
    if (!m || len >= MEMO_TEXT || strlen(val) >= MEMO_TEXT)
        return;
    int i = m->n < MEMO_N ? m->n++ : m->next++ % MEMO_N;
    m->len[i] = len;
    memcpy(m->key[i], key, len + 1);
    memcpy(m->val[i], val, strlen(val) + 1);
}

static int issue(import_ctx *x, int line, int error, const char *field, const char *id,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int issue(import_ctx *x, int line, int error, const char *field, const char *id,
                 const char *fmt, ...)
{
    vax_import_result *r = x->out;
    va_list ap;
    if (r->nissues == x->cap_issues) {
        int cap = x->cap_issues ? x->cap_issues * 2 : 64;
        vax_import_issue *p = realloc(r->issues, sizeof *p * (size_t)cap);
        if (!p)
            return VAX_ENOMEM;
        r->issues = p;
        x->cap_issues = cap;
    }
    vax_import_issue *i = &r->issues[r->nissues++];
    memset(i, 0, sizeof *i);
    i->line = line;
    i->error = error;
    vax_strlcpy(i->field, field, sizeof i->field);
    vax_strlcpy(i->national_id, id ? id : "", sizeof i->national_id);
    va_start(ap, fmt);
    vsnprintf(i->message, sizeof i->message, fmt, ap);
    va_end(ap);
    return VAX_OK;
}

static const char *field_of(const import_ctx *x, const csv_record *rec, enum column c)
{
    int i = x->col_of[c];
    return i >= 0 && i < rec->n ? rec->field[i] : "";
}

static void trim_copy(char *dst, const char *src, size_t size)
{
    clean_copy(dst, src, size);
}

/* 1.2E+11, 1,2E+11 or 1.23457e11: how a spreadsheet shows a long number it has rounded. */
static int looks_scientific(const char *s)
{
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.' || *p == ',') {
        p++;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p != 'E' && *p != 'e')
        return 0;
    p++;
    if (*p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == 0;
}

static int count_digits(const char *s)
{
    int n = 0;
    for (; *s; s++) {
        if (isdigit((unsigned char)*s))
            n++;
        else if (*s != ' ' && *s != '.' && *s != '-')
            return -1;
    }
    return n;
}

/* The CCCD's 4th digit gives the century and sex of birth, digits 5-6 the year (Circular
 * 07/2016/TT-BCA): the same rule the registry applies to a person added by hand. */
static const char *cccd_mismatch(const vax_person *p, char *msg, size_t size)
{
    if (strlen(p->national_id) != 12)
        return NULL;
    int code = p->national_id[3] - '0';
    int year = 1900 + (code / 2) * 100 + (p->national_id[4] - '0') * 10 + (p->national_id[5] - '0');
    if (code > 5) {
        snprintf(msg, size, "%s",
                 _("ID number: the 4th digit of a CCCD gives the century and sex of birth and "
                   "must be 0 to 5."));
        return "national_id";
    }
    if (year != atoi(p->birth_date)) {
        snprintf(msg, size,
                 _("ID number: this CCCD is of someone born in %d, but the birth date says %d; "
                   "check both."),
                 year, atoi(p->birth_date));
        return "national_id";
    }
    if (p->sex && ((code % 2 == 0) != (p->sex == 'm'))) {
        snprintf(msg, size, "%s",
                 code % 2 == 0 ? _("Sex: this CCCD belongs to a man; check the sex or the ID.")
                               : _("Sex: this CCCD belongs to a woman; check the sex or the ID."));
        return "sex";
    }
    return NULL;
}

/* The number in "5", "Nhóm 5", "Nhóm ưu tiên 5", "Group 5", "Priority group 5", "G5" or "G05"
 * (folded); 0 if it is none of these. */
static int group_number(const char *folded)
{
    static const char *const prefixes[] = {"nhom uu tien ",   "nhom doi tuong ", "nhom ",
                                           "priority group ", "group ",          "g"};
    const char *s = folded;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0) {
            s += strlen(prefixes[i]);
            break;
        }
    if (!*s || strlen(s) > 3)
        return 0;
    for (const char *q = s; *q; q++)
        if (!isdigit((unsigned char)*q))
            return 0;
    return atoi(s);
}

/* The priority groups with both their names folded. */
static int groups_load(import_ctx *x)
{
    sqlite3_stmt *st = vax_stmt(x->db, "SELECT code, rank, name_vi, name_en FROM priority_group"
                                       " ORDER BY rank, code");
    int rc = SQLITE_DONE;
    if (!st)
        return VAX_EINTERNAL;
    while (x->ngroups < 32 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = x->ngroups++;
        vax_strlcpy(x->groups[i].code, vax_col_text(st, 0), sizeof x->groups[i].code);
        x->groups[i].rank = sqlite3_column_int(st, 1);
        for (int k = 0; k < 2; k++)
            if (!(x->groups[i].name[k] = fold_key(vax_col_text(st, 2 + k)))) {
                sqlite3_reset(st);
                return VAX_ENOMEM;
            }
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? VAX_OK
               : vax_fail_sql(x->db, rc, _("reading the priority groups"));
}

/* The forms of a mobile number a list carries beside 0912 345 678: "+84 0912…" (the country code
 * and the 0 both), "0084 912…" (the international prefix), "84912…" (a spreadsheet dropped the +):
 * rewritten as the +84 form the validator reads; spaces, dots and dashes dropped. */
static void phone_forms(char *v)
{
    char d[16];
    size_t n = 0;
    int plus = v[0] == '+';
    for (const char *q = v + plus; *q; q++) {
        if (isdigit((unsigned char)*q) && n + 1 < sizeof d)
            d[n++] = *q;
        else if (*q != ' ' && *q != '.' && *q != '-')
            return; /* not a number: the validator says why */
    }
    d[n] = 0;
    if (n == 12 && strncmp(d, "840", 3) == 0)
        snprintf(v, 16, "+84%.9s", d + 3);
    else if (!plus && n == 13 && strncmp(d, "0084", 4) == 0 && d[4] != '0')
        snprintf(v, 16, "+84%.9s", d + 4);
    else if (!plus && n == 14 && strncmp(d, "00840", 5) == 0)
        snprintf(v, 16, "+84%.9s", d + 5);
}

/* s shortened to at most max bytes at a character, for a message that quotes it ("%.40s" alone
 * would cut inside one and the message would not be text). */
static const char *cut_at_char(char *s, size_t max)
{
    if (strlen(s) <= max)
        return s;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    s[max] = 0;
    return s;
}

static int has_digit(const char *s)
{
    for (; *s; s++)
        if (isdigit((unsigned char)*s))
            return 1;
    return 0;
}

/* Checks and normalises one record into r; every bad field becomes an issue. */
static int check_row(import_ctx *x, const csv_record *rec, int ncols, row *r)
{
    char v[512], msg[300];
    int rc, bad = 0, zeros = 0; /* zeros: how many leading 0s of the ID were put back */
    vax_person *p = &r->p;
    memset(r, 0, sizeof *r);
    r->line = rec->line;
#define BAD(field, ...)                                                                            \
    do {                                                                                           \
        bad = 1;                                                                                   \
        if ((rc = issue(x, rec->line, 1, field, p->national_id, __VA_ARGS__)) != VAX_OK)           \
            return rc;                                                                             \
    } while (0)
    if (rec->unterminated)
        BAD("file", "%s",
            _("Row: a quoted field is never closed; the rest of the file is inside it."));
    int extra = 0;
    for (int i = ncols; i < rec->n; i++)
        extra |= !record_blank(&(csv_record){.n = 1, .field = {rec->field[i]}});
    if (rec->n < ncols || extra || rec->too_many)
        BAD("file",
            _("Row: has %d fields but the header has %d (a separator too many or too few)."),
            rec->n, ncols);
    if (bad) {
        r->bad = 1;
        return VAX_OK;
    }
    /* ID */
    trim_copy(v, field_of(x, rec, COL_ID), sizeof v);
    if (looks_scientific(v)) {
        BAD("national_id",
            _("ID number: \"%.40s\" is how a spreadsheet shows a number it has rounded; the "
              "digits are lost. Format the column as text and type the IDs again."),
            v);
    } else if (vax_validate_national_id(v, p->national_id, msg, sizeof msg) != VAX_OK) {
        int n = count_digits(v);
        if (n == 11 || n == 10) {
            /* a CCCD starts with its province's code, 001 for Hà Nội: a spreadsheet that took it
             * for a number dropped one or two zeros. Put back, it must be a valid CCCD and agree
             * with the birth date (checked below), or the row is refused with this hint. */
            char z[16] = "00";
            size_t o = (size_t)(12 - n);
            for (const char *q = v; *q && o + 1 < sizeof z; q++)
                if (isdigit((unsigned char)*q))
                    z[o++] = *q;
            z[o] = 0;
            if (vax_validate_national_id(z, p->national_id, msg, sizeof msg) == VAX_OK)
                zeros = 12 - n;
        }
        if (zeros) {
            /* noted below, once the birth date has been compared */
        } else if (n == 11 || n == 10 || n == 8) {
            BAD("national_id", "%s %s", msg,
                _("A spreadsheet may have dropped its leading 0: format the column as text."));
            p->national_id[0] = 0;
        } else {
            BAD("national_id", "%s", msg);
            p->national_id[0] = 0;
        }
    }
    /* name */
    trim_copy(v, field_of(x, rec, COL_NAME), sizeof v);
    char *name = vax_text_nfc(v);
    if (!name)
        return VAX_ENOMEM;
    if (!*name)
        BAD("full_name", "%s", _("Full name: missing."));
    else if (has_digit(name))
        BAD("full_name", "%s", _("Full name: must not contain digits."));
    else if (vax_text_width(name) > 80)
        BAD("full_name", "%s", _("Full name: longer than 80 characters."));
    vax_strlcpy(p->full_name, name, sizeof p->full_name);
    free(name);
    /* birth date */
    trim_copy(v, field_of(x, rec, COL_BIRTH), sizeof v);
    if (vax_validate_birth_date(v, p->birth_date, msg, sizeof msg) != VAX_OK) {
        int n = count_digits(v);
        if (n == 5 && strlen(v) == 5)
            BAD("birth_date", "%s %s", msg,
                _("A spreadsheet stored it as a day number: format the column as a date "
                  "(dd/mm/yyyy)."));
        else
            BAD("birth_date", "%s", msg);
        p->birth_date[0] = 0;
    }
    /* sex */
    trim_copy(v, field_of(x, rec, COL_SEX), sizeof v);
    const char *known = memo_get(x->sex, v);
    if (known) {
        p->sex = known[0];
    } else if (v[0]) {
        char *f = fold_key(v);
        if (!f)
            return VAX_ENOMEM;
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < x->h.nsex[k]; i++)
                if (strcmp(f, x->h.sex_words[k][i]) == 0)
                    p->sex = k == 0 ? 'm' : 'f';
        free(f);
        memo_put(x->sex, v, p->sex == 'm' ? "m" : p->sex == 'f' ? "f" : "");
    }
    if (v[0]) {
        if (!p->sex)
            BAD("sex", _("Sex: \"%.20s\" is neither Nam/Male nor Nữ/Female."), cut_at_char(v, 20));
    }
    if (p->national_id[0] && p->birth_date[0]) {
        const char *which = cccd_mismatch(p, msg, sizeof msg);
        if (which && zeros)
            BAD("national_id", "%s %s", msg,
                _("A spreadsheet may have dropped its leading 0: format the column as text."));
        else if (which)
            BAD(which, "%s", msg);
        else if (zeros && (rc = issue(x, rec->line, 0, "national_id", p->national_id,
                                      _("ID number: read as %s; a spreadsheet had dropped its "
                                        "leading 0 (%d digits were left). Check it on the "
                                        "papers."),
                                      p->national_id, 12 - zeros)) != VAX_OK)
            return rc;
    } else if (zeros) {
        BAD("national_id",
            _("ID number: %d digits: a spreadsheet may have dropped its leading 0 "
              "(%s?); without a birth date this cannot be checked."),
            12 - zeros, p->national_id);
    }
    /* phone */
    trim_copy(v, field_of(x, rec, COL_PHONE), sizeof v);
    phone_forms(v);
    if (vax_validate_phone(v, p->phone, msg, sizeof msg) != VAX_OK) {
        int n = count_digits(v);
        char z[16];
        snprintf(z, sizeof z, "0%.12s", v);
        if (n == 9 && strchr("35789", v[0]) &&
            vax_validate_phone(z, p->phone, msg, sizeof msg) == VAX_OK) {
            if ((rc = issue(x, rec->line, 0, "phone", p->national_id,
                            _("Phone: read as %s; a spreadsheet had dropped its leading 0."),
                            p->phone)) != VAX_OK)
                return rc;
        } else if (n == 9 && strchr("35789", v[0]))
            BAD("phone", "%s %s", msg,
                _("A spreadsheet may have dropped its leading 0: format the column as text."));
        else if (looks_scientific(v))
            BAD("phone",
                _("Phone: \"%.40s\" is how a spreadsheet shows a rounded number; format the "
                  "column as text."),
                v);
        else
            BAD("phone", "%s", msg);
    }
    /* insurance */
    trim_copy(v, field_of(x, rec, COL_INSURANCE), sizeof v);
    if (vax_validate_insurance_no(v, p->insurance_no, msg, sizeof msg) != VAX_OK)
        BAD("insurance_no", "%s", msg);
    /* commune */
    trim_copy(v, field_of(x, rec, COL_COMMUNE), sizeof v);
    known = memo_get(x->commune, v);
    char *commune = known ? strdup(known) : vax_text_nfc(v);
    if (!commune)
        return VAX_ENOMEM;
    if (!known)
        memo_put(x->commune, v, commune);
    /* a commune cut to the record's field would be stored as a place that does not exist */
    if (strlen(commune) >= sizeof p->commune)
        BAD("commune", _("Commune: at most %d bytes (this one has %d)."),
            (int)sizeof p->commune - 1, (int)strlen(commune));
    vax_strlcpy(p->commune, commune, sizeof p->commune);
    free(commune);
    /* ethnicity (dân tộc), optional: the name as the list writes it */
    trim_copy(v, field_of(x, rec, COL_ETHNICITY), sizeof v);
    char *ethnicity = vax_text_nfc(v);
    if (!ethnicity)
        return VAX_ENOMEM;
    int too_long = strlen(ethnicity) >= sizeof p->ethnicity || vax_text_width(ethnicity) > 40;
    vax_strlcpy(p->ethnicity, ethnicity, sizeof p->ethnicity);
    free(ethnicity);
    if (too_long)
        BAD("ethnicity", "%s",
            _("Ethnicity: at most 40 characters (the group's name, e.g. Thái, Mông)."));
    /* priority group: its code, its name in either language (a commune's list is written in
     * the commune's language, not the site's interface), or its number */
    trim_copy(v, field_of(x, rec, COL_GROUP), sizeof v);
    known = memo_get(x->group, v);
    if (known) {
        vax_strlcpy(p->priority_group, known, sizeof p->priority_group);
        if (v[0] && !p->priority_group[0])
            BAD("priority_group", _("Priority group: \"%.40s\" is not a known group."),
                cut_at_char(v, 40));
    } else if (v[0]) {
        char *f = fold_key(v);
        if (!f)
            return VAX_ENOMEM;
        int number = group_number(f);
        for (int i = 0; i < x->ngroups && !p->priority_group[0]; i++)
            if (strcasecmp(v, x->groups[i].code) == 0 ||
                (x->groups[i].name[0] && strcmp(f, x->groups[i].name[0]) == 0) ||
                (x->groups[i].name[1] && strcmp(f, x->groups[i].name[1]) == 0) ||
                (number > 0 && number == x->groups[i].rank))
                vax_strlcpy(p->priority_group, x->groups[i].code, sizeof p->priority_group);
        free(f);
        memo_put(x->group, v, p->priority_group);
        if (!p->priority_group[0])
            BAD("priority_group", _("Priority group: \"%.40s\" is not a known group."),
                cut_at_char(v, 40));
    }
#undef BAD
    r->bad = bad;
    return VAX_OK;
}

/* ---- duplicates in the file: IDs hashed to the first row that has them ---------------------- */

typedef struct id_index {
    int *slot; /* row index + 1, 0 empty */
    size_t mask;
} id_index;

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int same_fields(const vax_person *a, const vax_person *b)
{
    return strcmp(a->full_name, b->full_name) == 0 && strcmp(a->birth_date, b->birth_date) == 0 &&
           a->sex == b->sex && strcmp(a->phone, b->phone) == 0 &&
           strcmp(a->insurance_no, b->insurance_no) == 0 && strcmp(a->commune, b->commune) == 0 &&
           strcmp(a->priority_group, b->priority_group) == 0 &&
           strcmp(a->ethnicity, b->ethnicity) == 0;
}

/* What merging the row into the registered person q gives: the row's non-empty fields. */
static void merged(const vax_person *q, const vax_person *in, vax_person *out)
{
    *out = *q;
    vax_strlcpy(out->full_name, in->full_name, sizeof out->full_name);
    vax_strlcpy(out->birth_date, in->birth_date, sizeof out->birth_date);
    if (in->sex)
        out->sex = in->sex;
    if (in->phone[0])
        vax_strlcpy(out->phone, in->phone, sizeof out->phone);
    if (in->insurance_no[0])
        vax_strlcpy(out->insurance_no, in->insurance_no, sizeof out->insurance_no);
    if (in->commune[0])
        vax_strlcpy(out->commune, in->commune, sizeof out->commune);
    if (in->priority_group[0])
        vax_strlcpy(out->priority_group, in->priority_group, sizeof out->priority_group);
    if (in->ethnicity[0])
        vax_strlcpy(out->ethnicity, in->ethnicity, sizeof out->ethnicity);
}

/* ---- writing the rows -------------------------------------------------------------------------
 */

/* A statement of this import, prepared on its first use and finalized at the end of the import:
 * a row runs up to three lookups and an insert, and the connection's cache finds a statement by
 * hashing its whole text on every call. */
static sqlite3_stmt *import_stmt(import_ctx *x, sqlite3_stmt **slot, const char *sql)
{
    if (*slot) {
        sqlite3_reset(*slot);
        return *slot;
    }
    int rc = sqlite3_prepare_v3(x->db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
    if (rc != SQLITE_OK) {
        vax_fail_sql(x->db, rc, _("preparing a query"));
        *slot = NULL;
    }
    return *slot;
}

/* The row's folded name, made once for the duplicate check and the record. */
static const char *row_folded(row *r)
{
    if (!r->folded)
        r->folded = vax_text_fold(r->p.full_name);
    return r->folded;
}

/* Whether person's insert triggers are the ones whose rows vax_person_bulk_words,
 * vax_person_bulk_fts and vax_sync_person_bulk write: then new people are inserted with the
 * triggers off and those rows written for all of them at once. With any other set (a later step
 * that adds one), the triggers write them row by row, as for everyone else. */
static int bulk_triggers_known(import_ctx *x)
{
    sqlite3_stmt *st = import_stmt(
        x, &x->st_triggers,
        "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema"
        " WHERE type = 'trigger' AND tbl_name = 'person'"
        " AND instr(upper(substr(sql, 1, instr(upper(sql), ' BEGIN'))), ' INSERT ON ') > 0"
        " ORDER BY name)");
    if (!st)
        return -1;
    int known = sqlite3_step(st) == SQLITE_ROW &&
                strcmp(vax_col_text(st, 0), "name_word_ai person_fts_ai sync_person_ai") == 0;
    sqlite3_reset(st);
    return known;
}

static int exec_range(vax_db *db, const char *sql, int64_t first, int64_t last)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, first);
        sqlite3_bind_int64(st, 2, last);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("importing the list"));
}

/* The name words of the new people and how many times each occurs, counted here: the trigger
 * name_word_ai (schema.c, NAME_JSON) reads them through json_each, which for a whole list cost
 * as much as the records' inserts. */
typedef struct word_count {
    const char *w; /* into a row's folded name; not NUL-terminated */
    size_t len;
    int n;
} word_count;

typedef struct word_counts {
    word_count *slot;
    size_t mask, used;
} word_counts;

static int words_add(word_counts *c, const char *w, size_t len)
{
    if (c->used * 2 >= c->mask) {
        size_t size = c->slot ? (c->mask + 1) * 2 : 1024;
        word_count *grown = calloc(size, sizeof *grown);
        if (!grown)
            return VAX_ENOMEM;
        for (size_t i = 0; c->slot && i <= c->mask; i++) {
            if (!c->slot[i].w)
                continue;
            uint64_t h = 1469598103934665603ULL;
            for (size_t k = 0; k < c->slot[i].len; k++)
                h = (h ^ (unsigned char)c->slot[i].w[k]) * 1099511628211ULL;
            size_t j = (size_t)h & (size - 1);
            while (grown[j].w)
                j = (j + 1) & (size - 1);
            grown[j] = c->slot[i];
        }
        free(c->slot);
        c->slot = grown;
        c->mask = size - 1;
    }
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < len; k++)
        h = (h ^ (unsigned char)w[k]) * 1099511628211ULL;
    size_t j = (size_t)h & c->mask;
    while (c->slot[j].w && (c->slot[j].len != len || memcmp(c->slot[j].w, w, len) != 0))
        j = (j + 1) & c->mask;
    if (!c->slot[j].w) {
        c->slot[j] = (word_count){w, len, 0};
        c->used++;
    }
    c->slot[j].n++;
    return VAX_OK;
}

/* The trigger's split: \ " - . , ' ( ) and the space separate words; empty words are none. 0 for a
 * name the trigger's JSON cannot hold (a control character: json_each refuses it, and the
 * import must fail as the trigger would), which is then left to vax_person_bulk_words. */
static int words_count(word_counts *c, const char *folded, int *rc)
{
    const char *start = folded;
    for (const char *p = folded;; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch && ch < 0x20)
            return 0;
        if (ch && !strchr("\\\"-.,'() ", ch))
            continue;
        if (p > start && (*rc = words_add(c, start, (size_t)(p - start))) != VAX_OK)
            return 0;
        if (!ch)
            return 1;
        start = p + 1;
    }
}

static int words_write(vax_db *db, const word_counts *c)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql,
                                "INSERT INTO name_word(term, n) VALUES (?1, ?2)"
                                " ON CONFLICT(term) DO UPDATE SET n = n + excluded.n",
                                -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && c->slot && i <= c->mask; i++) {
        if (!c->slot[i].w)
            continue;
        sqlite3_bind_text(st, 1, c->slot[i].w, (int)c->slot[i].len, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, c->slot[i].n);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? VAX_OK : vax_fail_sql(db, rc, _("importing the list"));
}

/* Registers the rows marked to add, in their order, inside the import's transaction. Each
 * statement that writes the search index makes it flush its pending terms, and the triggers
 * run their statements once per row: so the people are inserted with the triggers off on this
 * connection, and their name words, index terms and outbox rows are then written by one statement
 * each, which the triggers would have written row by row. */
static int add_rows(import_ctx *x, row *rows, int nrows, int64_t now)
{
    vax_db *db = x->db;
    int64_t first = 0, last = 0;
    word_counts words = {NULL, 0, 0};
    int rc = VAX_OK, bulk = bulk_triggers_known(x), counted = 1;
    if (bulk < 0)
        return VAX_EINTERNAL;
    if (bulk)
        sqlite3_db_config(db->sql, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
    /* prepared after the switch: a statement carries the triggers it was prepared with */
    sqlite3_stmt *st = NULL;
    char uuids[64][37];
    int nuuids = 0, used = 0;
    int src = sqlite3_prepare_v2(
        db->sql,
        "INSERT INTO person(uuid, national_id, insurance_no, full_name, name_folded,"
        " birth_date, sex, phone, commune, priority_group, created_at, updated_at, updated_by,"
        " ethnicity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13)",
        -1, &st, NULL);
    if (src != SQLITE_OK) {
        rc = vax_fail_sql(db, src, _("importing the list"));
    } else {
        sqlite3_bind_int64(st, 11, now);
        sqlite3_bind_int64(st, 12, vax_actor_id(db));
    }
    for (int i = 0; i < nrows && rc == VAX_OK; i++) {
        row *r = &rows[i];
        if (!r->add)
            continue;
        const char *folded = row_folded(r);
        if (!folded) {
            rc = VAX_ENOMEM;
            break;
        }
        if (bulk && counted && !words_count(&words, folded, &rc))
            counted = 0;
        if (rc == VAX_OK && used == nuuids) {
            rc = vax_uuids_v7(uuids, 64);
            nuuids = 64;
            used = 0;
        }
        if (rc != VAX_OK)
            break;
        memcpy(r->p.uuid, uuids[used++], sizeof r->p.uuid);
        sqlite3_bind_text(st, 1, r->p.uuid, -1, SQLITE_STATIC);
        vax_person_bind_fields(st, &r->p, folded);
        src = sqlite3_step(st);
        sqlite3_reset(st);
        if (src != SQLITE_DONE) {
            rc = vax_fail_sql(db, src, _("importing the list"));
            break;
        }
        last = sqlite3_last_insert_rowid(db->sql);
        if (!first)
            first = last;
    }
    sqlite3_finalize(st);
    if (bulk)
        sqlite3_db_config(db->sql, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, (int *)NULL);
    if (rc == VAX_OK && bulk && first) {
        /* the ids are consecutive: each new rowid is the largest plus one, and nothing else
         * wrote */
        rc = counted ? words_write(db, &words) : exec_range(db, vax_person_bulk_words, first, last);
        if (rc == VAX_OK)
            rc = exec_range(db, vax_person_bulk_fts, first, last);
        if (rc == VAX_OK)
            rc = exec_range(db, vax_sync_person_bulk, first, last);
    }
    free(words.slot);
    return rc;
}

/* Updates a registered person with the merged fields; the previous version goes to history. */
static int update_person(vax_db *db, const vax_person *p, const char *reason, int64_t now)
{
    char *folded = vax_text_fold(p->full_name);
    if (!folded)
        return VAX_ENOMEM;
    int rc = vax_person_write_update(db, p, folded, reason, now);
    free(folded);
    return rc;
}

/* The registered person with a row's ID: *found 0 if none. */
static int lookup(import_ctx *x, const char *national_id, vax_person *q, int *found)
{
    vax_db *db = x->db;
    sqlite3_stmt *st = import_stmt(x, &x->st_lookup,
                                   "SELECT id, uuid, national_id, insurance_no, full_name,"
                                   " birth_date, sex, phone, commune, coalesce(priority_group, ''),"
                                   " ethnicity FROM person WHERE national_id = ?1");
    int rc;
    *found = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, national_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(q, 0, sizeof *q);
        q->id = sqlite3_column_int64(st, 0);
        vax_strlcpy(q->uuid, vax_col_text(st, 1), sizeof q->uuid);
        vax_strlcpy(q->national_id, vax_col_text(st, 2), sizeof q->national_id);
        vax_strlcpy(q->insurance_no, vax_col_text(st, 3), sizeof q->insurance_no);
        vax_strlcpy(q->full_name, vax_col_text(st, 4), sizeof q->full_name);
        vax_strlcpy(q->birth_date, vax_col_text(st, 5), sizeof q->birth_date);
        q->sex = vax_col_text(st, 6)[0];
        vax_strlcpy(q->phone, vax_col_text(st, 7), sizeof q->phone);
        vax_strlcpy(q->commune, vax_col_text(st, 8), sizeof q->commune);
        vax_strlcpy(q->priority_group, vax_col_text(st, 9), sizeof q->priority_group);
        vax_strlcpy(q->ethnicity, vax_col_text(st, 10), sizeof q->ethnicity);
        *found = 1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the registry"));
}

/* Whether the statement gives a row for the ID (?1), or the folded name and birth date (?1, ?2). */
static int any_row(import_ctx *x, sqlite3_stmt *st, const char *a, const char *b, int *yes)
{
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? VAX_OK
               : vax_fail_sql(x->db, rc, _("reading the registry"));
}

/* A row whose ID is not anyone's main ID: still one person with someone registered when the IDs
 * say so (an old CMND linked to a CCCD record, the ID of a record merged into another): then *q is
 * that person and *found 1, as for its main ID. Otherwise a registered person with the same folded
 * name and birth date is a possible second record: reported with the row's line and not added
 * (*dup 1), as the desk asks before registering; the desk or "person add --same-as" links them
 * once someone has looked. */
static int lookup_other(import_ctx *x, row *r, vax_person *q, int *found, int *dup)
{
    vax_db *db = x->db;
    vax_person cand[4];
    char born[11];
    int n = 0, rc, yes;
    *dup = 0;
    /* most rows are nobody's: asked first with the import's own statements, the same conditions
     * as vax_person_by_national_id and vax_person_duplicates, which then give the person */
    rc = any_row(x,
                 import_stmt(x, &x->st_other,
                             "SELECT 1 FROM person p WHERE p.id = coalesce("
                             "(SELECT coalesce(q.merged_into, q.id) FROM person q"
                             " WHERE q.national_id = ?1),"
                             " (SELECT i.person_id FROM person_id i WHERE i.value = ?1))"),
                 r->p.national_id, NULL, &yes);
    if (rc != VAX_OK)
        return rc;
    const char *folded = yes ? "" : row_folded(r);
    if (!folded)
        return VAX_ENOMEM;
    if (!yes) {
        rc = any_row(x,
                     import_stmt(x, &x->st_dup,
                                 "SELECT 1 FROM person WHERE name_folded = ?1 AND birth_date = ?2"
                                 " AND merged_into IS NULL LIMIT 1"),
                     folded, r->p.birth_date, &yes);
        if (rc != VAX_OK || !yes)
            return rc;
        rc = VAX_ENOTFOUND;
    } else {
        rc = vax_person_by_national_id(db, r->p.national_id, q);
    }
    if (rc == VAX_OK) {
        *found = 1;
        return issue(x, r->line, 0, "national_id", r->p.national_id,
                     _("ID number: %s is another ID of %s (registered under %s): the row is "
                       "that person."),
                     r->p.national_id, q->full_name, q->national_id);
    }
    if (rc != VAX_ENOTFOUND)
        return rc;
    vax_clear_error(db);
    if ((rc = vax_person_duplicates(db, &r->p, NULL, cand, 4, &n)) != VAX_OK)
        return rc;
    if (n == 0)
        return VAX_OK;
    *dup = 1;
    vax_date_dmy(cand[0].birth_date, born);
    return issue(x, r->line, 0, "duplicate", r->p.national_id,
                 _("Possibly registered already: %s, born %s, ID %s (%d in all); not added. If it "
                   "is the same person, link the ID at the desk or with: vaxsite person add "
                   "--same-as %s."),
                 cand[0].full_name, born, cand[0].national_id, n, cand[0].national_id);
}

/* ---- the import ----------------------------------------------------------------------------- */

void vax_import_result_free(vax_import_result *r)
{
    if (!r)
        return;
    free(r->issues);
    r->issues = NULL;
    r->nissues = 0;
}

static int compare_issue(const void *a, const void *b)
{
    const vax_import_issue *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

/* A required column in words, for the message that says it is missing. */
static const char *column_label(int c)
{
    switch (c) {
    case COL_ID:
        return _("the ID number");
    case COL_NAME:
        return _("the full name");
    case COL_BIRTH:
        return _("the birth date");
    default:
        return column_keys[c];
    }
}

static const char *column_example(int c)
{
    return c == COL_ID      ? "Số CCCD"
           : c == COL_NAME  ? "Họ và tên"
           : c == COL_BIRTH ? "Ngày sinh"
                            : "";
}

/* Maps the header's fields to columns; fails naming what is missing or doubled. */
static int map_header(import_ctx *x, const csv_record *head, const char *name)
{
    vax_db *db = x->db;
    size_t used = 0;
    for (int c = 0; c < NCOLUMNS; c++)
        x->col_of[c] = -1;
    x->out->ignored[0] = 0;
    for (int i = 0; i < head->n; i++) {
        char *f = fold_key(head->field[i]);
        int col = -1;
        if (!f)
            return VAX_ENOMEM;
        for (int k = 0; k < x->h.nnames && col < 0; k++)
            if (strcmp(f, x->h.names[k]) == 0)
                col = x->h.column[k];
        free(f);
        if (col < 0) {
            if (head->field[i][0]) {
                int n = snprintf(x->out->ignored + used, sizeof x->out->ignored - used, "%s%s",
                                 used ? ", " : "", head->field[i]);
                if (n > 0 && used + (size_t)n < sizeof x->out->ignored)
                    used += (size_t)n;
            }
            continue;
        }
        if (x->col_of[col] >= 0)
            return vax_fail(db, VAX_EINVAL, "file",
                            _("%s: line %d: columns %d and %d are both \"%s\"; keep one."), name,
                            head->line, x->col_of[col] + 1, i + 1, column_keys[col]);
        x->col_of[col] = i;
    }
    for (int c = 0; c < NCOLUMNS; c++)
        if (x->h.required[c] && x->col_of[c] < 0)
            return vax_fail(db, VAX_EINVAL, "file",
                            _("%s: no row names the columns a list needs: %s (e.g. \"%s\"). "
                              "The header is the first row naming the ID number, the full name "
                              "and the birth date; rows above it are skipped."),
                            name, column_label(c), column_example(c));
    return VAX_OK;
}

/* Whether the record names every required column (the header), without side effects. */
static int names_required(const import_ctx *x, const csv_record *rec, int *ok)
{
    int seen[NCOLUMNS] = {0};
    *ok = 1;
    for (int i = 0; i < rec->n; i++) {
        char *f = fold_key(rec->field[i]);
        if (!f)
            return VAX_ENOMEM;
        for (int k = 0; k < x->h.nnames; k++)
            if (strcmp(f, x->h.names[k]) == 0) {
                seen[x->h.column[k]] = 1;
                break;
            }
        free(f);
    }
    for (int c = 0; c < NCOLUMNS; c++)
        if (x->h.required[c] && !seen[c])
            *ok = 0;
    return VAX_OK;
}

#define TITLE_ROWS 30 /* rows above the header looked through: titles, dates, signatures */

/* Finds the header: the first row that names every required column, read with whichever of ; , and
 * tab makes it one (the rows above it, a commune's title and the list's name, may hold other
 * separators or none). The reader is left after it, with that separator. Without one, the first
 * row that is not blank is taken as the header and the error names what it lacks. */
static int find_header(import_ctx *x, csv_reader *rd, csv_record *rec, const char *name)
{
    const char *first = NULL;
    int first_line = 0;
    for (int tried = 0; tried < TITLE_ROWS && rd->p < rd->end;) {
        const char *start = rd->p;
        int line = rd->line, blank = 0;
        char order[3] = {guess_delim(start, rd->end), ',', ';'};
        if (order[0] != '\t')
            order[order[0] == ',' ? 1 : 2] = '\t';
        for (int k = 0; k < 3; k++) {
            int ok, rc;
            rd->p = start;
            rd->line = line;
            rd->delim = order[k];
            if ((rc = csv_next(rd, rec)) < 0)
                return VAX_ENOMEM;
            if ((blank = record_blank(rec)))
                break;
            if ((rc = names_required(x, rec, &ok)) != VAX_OK)
                return rc;
            if (ok)
                return map_header(x, rec, name);
        }
        if (!blank) {
            if (!first) {
                first = start;
                first_line = line;
            }
            tried++;
        }
    }
    if (!first)
        return vax_fail(x->db, VAX_EINVAL, "file", _("%s: the file is empty."), name);
    rd->p = first;
    rd->line = first_line;
    rd->delim = guess_delim(first, rd->end);
    if (csv_next(rd, rec) < 0)
        return VAX_ENOMEM;
    return map_header(x, rec, name);
}

int vax_import_csv(vax_db *db, const char *name, const char *text, size_t len,
                   const vax_import_opts *opts, vax_import_result *out)
{
    return vax_import_csv_as(db, name, text, len, NULL, opts, out);
}

int vax_import_csv_as(vax_db *db, const char *name, const char *text, size_t len,
                      const char *encoding, const vax_import_opts *opts, vax_import_result *out)
{
    char *converted = NULL;
    const char *shown = "UTF-8";
    int guessed = 0;
    static const vax_import_opts defaults = {0, 0, 0};
    import_ctx x;
    csv_reader rd;
    csv_record rec;
    row *rows = NULL;
    id_index idx = {NULL, 0};
    int nrows = 0, caprows = 0, rc, ncols, big_cache = 0, reading = 0;
    const char *p = text, *end = text + len;
    char dialect[96];
    int64_t now = vax_now();
    const vax_import_opts *o = opts ? opts : &defaults;
    memset(out, 0, sizeof *out);
    memset(&x, 0, sizeof x);
    memset(&rd, 0, sizeof rd);
    x.db = db;
    x.out = out;
    name = name && *name ? name : "list";
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_PERSON_WRITE)) != VAX_OK)
        return rc;
    /* the file as text */
    if (len >= 2 && (((unsigned char)p[0] == 0xFF && (unsigned char)p[1] == 0xFE) ||
                     ((unsigned char)p[0] == 0xFE && (unsigned char)p[1] == 0xFF)))
        return vax_fail(db, VAX_EINVAL, "file",
                        _("%s: saved as UTF-16 text; save it as \"CSV UTF-8\" instead."), name);
    /* a workbook: its first sheet's cells, written as CSV, go through the same header search and
     * row checks as a CSV list */
    if (vax_workbook_kind(p, len)) {
        int kind = vax_workbook_kind(p, len);
        char *sheet = NULL;
        size_t n = 0;
        if ((rc = vax_workbook_csv(db, name, p, len, &sheet, &n)) != VAX_OK)
            return rc;
        rc = vax_import_csv_as(db, name, sheet, n, NULL, opts, out);
        free(sheet);
        if (out->dialect[0] || rc == VAX_OK)
            vax_strlcpy(out->dialect,
                        kind == VAX_WORKBOOK_XLSX ? _(".xlsx workbook, first sheet")
                                                  : _(".xls workbook, first sheet"),
                        sizeof out->dialect);
        return rc;
    }
    int bom = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0;
    if (bom)
        p += 3;
    const char *from = encoding && *encoding ? iconv_name(encoding) : NULL;
    const char *bad = from ? NULL : bad_utf8(p, end);
    if (bad && !(encoding && *encoding)) {
        /* not UTF-8: the old Vietnamese encodings, each tried; the one whose words can all be
         * Vietnamese is taken, and the message says it was a guess */
        static const char *const tries[] = {"WINDOWS-1258", "TCVN5712-1"};
        int best = -1, best_odd = 0;
        for (int i = 0; i < 2; i++) {
            char *t = NULL;
            size_t n = 0;
            int c = convert(tries[i], p, (size_t)(end - p), &t, &n);
            if (c == -1)
                return VAX_ENOMEM;
            if (c != 1)
                continue;
            int odd = odd_words(t, n);
            free(t);
            if (best < 0 || odd < best_odd)
                best = i, best_odd = odd;
        }
        if (best >= 0 && best_odd == 0) {
            from = tries[best];
            guessed = 1;
        }
    }
    if (from) {
        size_t n = 0;
        int c = convert(from, p, (size_t)(end - p), &converted, &n);
        if (c == -1)
            return VAX_ENOMEM;
        if (c == -2)
            return vax_fail(db, VAX_EINVAL, "encoding",
                            _("%s: no encoding is called \"%s\"; give UTF-8, WINDOWS-1258 or "
                              "TCVN3."),
                            name, encoding);
        if (c == 0)
            return vax_fail(db, VAX_EINVAL, "file", _("%s: cannot be read as %s."), name, from);
        p = converted;
        end = converted + n;
        shown = from;
        bad = NULL;
    }
    if (bad) {
        int line = 1;
        for (const char *q = p; q < bad; q++)
            line += *q == '\n';
        return vax_fail(db, VAX_EINVAL, "file",
                        _("%s: line %d: not UTF-8, and read as Windows-1258 or TCVN3 it is not "
                          "Vietnamese; give its encoding with --encoding, or save it as \"CSV "
                          "UTF-8\"."),
                        name, line);
    }
    const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
    int crlf = nl && nl > p && nl[-1] == '\r';
    {
        char seen[120], was[120];
        const char *m = mojibake(p, (size_t)(end - p), seen, was, sizeof seen);
        if (m) {
            int line = 1;
            for (const char *q = p; q < m; q++)
                line += *q == '\n';
            rc = vax_fail(db, VAX_EINVAL, "file",
                          _("%s: line %d: \"%s\" is garbled: the list was opened in a program "
                            "that took its UTF-8 for another encoding and saved again (it was "
                            "\"%s\"). Nothing was imported: take the list as it was sent, or "
                            "ask for it again, saved as \"CSV UTF-8\"."),
                          name, line, seen, was);
            free(converted);
            return rc;
        }
    }
    rd.p = p;
    rd.end = end;
    rd.line = 1;
    if ((rc = headers_load(db, &x.h)) != VAX_OK)
        goto out;
    if (guessed && (rc = issue(&x, 1, 0, "file", NULL,
                               _("The list is not UTF-8; read as %s, a guess: if the names look "
                                 "wrong, import it with --encoding WINDOWS-1258 or TCVN3."),
                               shown)) != VAX_OK)
        goto out;
    if ((rc = groups_load(&x)) != VAX_OK)
        goto out;
    /* without them (no memory) every row is read in full, as before */
    x.sex = calloc(1, sizeof *x.sex);
    x.commune = calloc(1, sizeof *x.commune);
    x.group = calloc(1, sizeof *x.group);
    if ((rc = find_header(&x, &rd, &rec, name)) != VAX_OK)
        goto out;
    ncols = rec.n;
    snprintf(dialect, sizeof dialect, "%s%s%s; '%s'; %s", shown, guessed ? _(" (guessed)") : "",
             bom ? _(" with BOM") : "",
             rd.delim == '\t'  ? "tab"
             : rd.delim == ';' ? ";"
                               : ",",
             crlf ? "CRLF" : "LF");
    vax_strlcpy(out->dialect, dialect, sizeof out->dialect);
    /* every row checked, nothing written yet */
    for (;;) {
        int got = csv_next(&rd, &rec);
        if (got < 0) {
            rc = VAX_ENOMEM;
            goto out;
        }
        if (got == 0)
            break;
        if (record_blank(&rec))
            continue;
        if (nrows == caprows) {
            int cap = caprows ? caprows * 2 : 256;
            row *bigger = realloc(rows, sizeof *rows * (size_t)cap);
            if (!bigger) {
                rc = VAX_ENOMEM;
                goto out;
            }
            rows = bigger;
            caprows = cap;
        }
        row *r = &rows[nrows++];
        if ((rc = check_row(&x, &rec, ncols, r)) != VAX_OK)
            goto out;
        out->rows++;
        if (rec.unterminated)
            break;
    }
    /* repeats of an ID inside the file */
    size_t size = 16;
    while (size < (size_t)nrows * 2)
        size *= 2;
    if (!(idx.slot = calloc(size, sizeof *idx.slot))) {
        rc = VAX_ENOMEM;
        goto out;
    }
    idx.mask = size - 1;
    for (int i = 0; i < nrows; i++) {
        row *r = &rows[i];
        if (!r->p.national_id[0])
            continue;
        size_t h = (size_t)hash_id(r->p.national_id) & idx.mask;
        while (idx.slot[h] && strcmp(rows[idx.slot[h] - 1].p.national_id, r->p.national_id) != 0)
            h = (h + 1) & idx.mask;
        if (!idx.slot[h]) {
            idx.slot[h] = i + 1;
            continue;
        }
        row *first = &rows[idx.slot[h] - 1];
        out->duplicates++;
        if (!r->bad && !first->bad && same_fields(&first->p, &r->p)) {
            r->skip = 1;
            rc = issue(&x, r->line, 0, "national_id", r->p.national_id,
                       _("ID number: the same person as on line %d; counted once."), first->line);
        } else {
            r->bad = 1;
            rc = issue(&x, r->line, 1, "national_id", r->p.national_id,
                       _("ID number: %s is also on line %d with other details; keep one of the "
                         "two rows."),
                       r->p.national_id, first->line);
        }
        if (rc != VAX_OK)
            goto out;
    }
    /* against the registry: a dry run reads it in one read transaction, one snapshot, and not
     * a lock taken and dropped (two system calls) for each of a row's lookups: that was 0.6 s of
     * a dry run of 100,000 rows */
    if (o->dry_run && sqlite3_get_autocommit(db->sql) &&
        sqlite3_exec(db->sql, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        reading = 1;
    for (int i = 0; i < nrows; i++) {
        row *r = &rows[i];
        vax_person q, m;
        int found;
        if (r->bad) {
            out->errors++;
            continue;
        }
        out->valid++;
        /* a real import classifies the rows inside its transaction, below */
        if (r->skip || !o->dry_run)
            continue;
        if ((rc = lookup(&x, r->p.national_id, &q, &found)) != VAX_OK)
            goto out;
        int dup = 0;
        if (!found && (rc = lookup_other(&x, r, &q, &found, &dup)) != VAX_OK)
            goto out;
        if (dup)
            continue;
        if (!found) {
            out->added++;
            continue;
        }
        r->existing = q.id;
        merged(&q, &r->p, &m);
        if (same_fields(&m, &q)) {
            r->same = 1;
            out->unchanged++;
        } else if (o->merge) {
            out->merged++;
        } else {
            out->existing++;
            if ((rc = issue(&x, r->line, 0, "national_id", r->p.national_id,
                            _("ID number: %s is already registered to %s with other details; "
                              "left as it is (import with merge to update)."),
                            r->p.national_id, q.full_name)) != VAX_OK)
                goto out;
        }
    }
    if (out->nissues > 1) /* qsort wants a real array, even of none */
        qsort(out->issues, (size_t)out->nissues, sizeof out->issues[0], compare_issue);
    if (o->dry_run) {
        rc = VAX_OK;
        goto out;
    }
    if (out->errors > 0 && !o->valid_only) {
        const vax_import_issue *first = NULL;
        for (int i = 0; i < out->nissues && !first; i++)
            if (out->issues[i].error)
                first = &out->issues[i];
        rc = vax_fail(db, VAX_EINVAL, "rows",
                      _("%s: %d of %d rows have errors; nothing was imported. First: line %d: %s"),
                      name, out->errors, out->rows, first ? first->line : 0,
                      first ? first->message : "");
        goto out;
    }
    /* one transaction: every valid row, or nothing. A big list touches many pages of the
     * search index: a larger page cache for this import keeps them from spilling to the WAL. */
    sqlite3_exec(db->sql, "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY", NULL, NULL,
                 NULL);
    big_cache = 1;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    int added = 0, merged_n = 0, unchanged = 0, existing = 0;
    char reason[160];
    snprintf(reason, sizeof reason, _("imported from %s"), name);
    for (int i = 0; i < nrows; i++) {
        row *r = &rows[i];
        vax_person q, m;
        int found;
        if (r->bad || r->skip)
            continue;
        /* again inside the transaction: another station may have registered the ID meanwhile */
        if ((rc = lookup(&x, r->p.national_id, &q, &found)) != VAX_OK)
            goto fail;
        int dup = 0;
        if (!found && (rc = lookup_other(&x, r, &q, &found, &dup)) != VAX_OK)
            goto fail;
        if (dup)
            continue;
        if (!found) {
            r->add = 1;
            added++;
            continue;
        }
        merged(&q, &r->p, &m);
        if (same_fields(&m, &q)) {
            unchanged++;
        } else if (o->merge) {
            if ((rc = update_person(db, &m, reason, now)) != VAX_OK)
                goto fail;
            merged_n++;
        } else {
            existing++;
            if ((rc = issue(&x, r->line, 0, "national_id", r->p.national_id,
                            _("ID number: %s is already registered to %s with other details; "
                              "left as it is (import with merge to update)."),
                            r->p.national_id, q.full_name)) != VAX_OK)
                goto fail;
        }
    }
    if ((rc = add_rows(&x, rows, nrows, now)) != VAX_OK)
        goto fail;
    char details[300];
    snprintf(details, sizeof details,
             "%s: %d rows, %d added, %d merged, %d unchanged, %d left, %d "
             "refused",
             name, out->rows, added, merged_n, unchanged, existing, out->errors);
    if ((rc = vax_audit(db, "person.import", "person", 0, details)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        goto out;
    if (out->nissues > 1) /* qsort wants a real array, even of none */
        qsort(out->issues, (size_t)out->nissues, sizeof out->issues[0], compare_issue);
    out->added = added;
    out->merged = merged_n;
    out->unchanged = unchanged;
    out->existing = existing;
    out->written = 1;
    goto out;
fail:
    vax_tx_rollback(db);
out:
    if (reading)
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    if (big_cache)
        sqlite3_exec(db->sql, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
    for (int i = 0; i < x.ngroups; i++)
        for (int k = 0; k < 2; k++)
            free(x.groups[i].name[k]);
    headers_free(&x.h);
    sqlite3_finalize(x.st_lookup);
    sqlite3_finalize(x.st_other);
    sqlite3_finalize(x.st_dup);
    sqlite3_finalize(x.st_triggers);
    free(x.sex);
    free(x.commune);
    free(x.group);
    for (int i = 0; i < nrows; i++)
        free(rows[i].folded);
    free(idx.slot);
    free(rows);
    free(converted);
    vax_buf_free(&rd.buf);
    return rc;
}

/* ---- exports ----------------------------------------------------------------------------------
 */

/* What is written goes to the sink in pieces of about 60 kB. */
typedef struct out_buf {
    vax_buf buf; /* failed: out of memory */
    vax_sink sink;
    void *ctx;
    int refused; /* the sink refused */
    int failed;  /* either: nothing more is written */
} out_buf;

static void ob_add(out_buf *b, const char *s, size_t n)
{
    if (!b->failed && vax_buf_add(&b->buf, s, n) != VAX_OK)
        b->failed = 1;
}

static void ob_str(out_buf *b, const char *s)
{
    ob_add(b, s, strlen(s));
}

static void ob_flush(out_buf *b, int force)
{
    if (b->failed || (!force && b->buf.len < 60000) || b->buf.len == 0)
        return;
    if (b->sink(b->buf.data, b->buf.len, b->ctx))
        b->refused = b->failed = 1;
    b->buf.len = 0; /* the room stays for the next piece */
}

static int ob_finish(vax_db *db, out_buf *b)
{
    ob_flush(b, 1);
    int oom = b->buf.failed;
    vax_buf_free(&b->buf);
    if (oom)
        return VAX_ENOMEM;
    if (b->refused)
        return vax_fail(db, VAX_EIO, "out", "%s", _("Export: cannot write the output."));
    return VAX_OK;
}

static void csv_cell(out_buf *b, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n;")) {
        ob_add(b, "\"", 1);
        for (; *s; s++) {
            if (*s == '"')
                ob_add(b, "\"", 1);
            ob_add(b, s, 1);
        }
        ob_add(b, "\"", 1);
    } else {
        ob_str(b, s);
    }
    ob_str(b, last ? "\r\n" : ",");
}

/* Doses given at this site (they have a visit) changed since `since`. */
#define EXPORT_SQL                                                                                 \
    "SELECT p.uuid, p.full_name, p.birth_date, p.sex, p.national_id, p.insurance_no, p.phone,"     \
    " p.commune, coalesce(g.name_vi, ''), d.uuid, d.product, coalesce(pr.name, d.product),"        \
    " d.lot_no, d.dose_number, d.given_at, d.voided, coalesce(s.name, ''), d.arm,"                 \
    " coalesce(pr.dcc_vp, ''), coalesce(pr.dcc_mp, ''), coalesce(pr.series_doses, 0),"             \
    " coalesce(p.priority_group, '')"                                                              \
    " FROM dose d JOIN person p ON p.id = d.person_id JOIN visit v ON v.id = d.visit_id"           \
    " LEFT JOIN product pr ON pr.code = d.product"                                                 \
    " LEFT JOIN priority_group g ON g.code = p.priority_group"                                     \
    " LEFT JOIN staff s ON s.id = d.vaccinator"                                                    \
    " WHERE d.updated_at >= ?1"

int vax_export_national(vax_db *db, int64_t since, vax_sink sink, void *ctx, int *rows)
{
    static const char *const heads[] = {"Họ và tên",   "Ngày sinh",     "Giới tính", "Số CCCD/CMND",
                                        "Số thẻ BHYT", "Số điện thoại", "Địa chỉ",   "Nhóm ưu tiên",
                                        "Vắc xin",     "Số lô",         "Mũi thứ",   "Ngày tiêm",
                                        "Điểm tiêm"};
    out_buf b = {.sink = sink, .ctx = ctx};
    vax_site site;
    sqlite3_stmt *st = NULL;
    int rc, n = 0;
    if (rows)
        *rows = 0;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (vax_site_get(db, &site) != VAX_OK) {
        memset(&site, 0, sizeof site);
        vax_clear_error(db);
    } else { /* a demo's rows say so wherever they are opened */
        char shown[200];
        vax_site_display_name(&site, shown, sizeof shown);
        vax_strlcpy(site.name, shown, sizeof site.name);
    }
    if ((rc = sqlite3_prepare_v2(db->sql, EXPORT_SQL " AND d.voided = 0 ORDER BY d.given_at, d.id",
                                 -1, &st, NULL)) != SQLITE_OK)
        return vax_fail_sql(db, rc, _("exporting the doses"));
    sqlite3_bind_int64(st, 1, since);
    ob_str(&b, "\xEF\xBB\xBF");
    for (int i = 0; i < 13; i++)
        csv_cell(&b, heads[i], i == 12);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !b.failed) {
        char birth[11], day[11], num[16], given[11];
        const char *sex = vax_col_text(st, 3);
        vax_date_dmy(vax_col_text(st, 2), birth);
        vax_local_date(sqlite3_column_int64(st, 14), day);
        vax_date_dmy(day, given);
        snprintf(num, sizeof num, "%d", sqlite3_column_int(st, 13));
        csv_cell(&b, vax_col_text(st, 1), 0);
        csv_cell(&b, birth, 0);
        csv_cell(&b, sex[0] == 'm' ? "Nam" : sex[0] == 'f' ? "Nữ" : "", 0);
        csv_cell(&b, vax_col_text(st, 4), 0);
        csv_cell(&b, vax_col_text(st, 5), 0);
        csv_cell(&b, vax_col_text(st, 6), 0);
        csv_cell(&b, vax_col_text(st, 7), 0);
        csv_cell(&b, vax_col_text(st, 8), 0);
        csv_cell(&b, vax_col_text(st, 11), 0);
        csv_cell(&b, vax_col_text(st, 12), 0);
        csv_cell(&b, num, 0);
        csv_cell(&b, given, 0);
        csv_cell(&b, site.name, 1);
        n++;
        ob_flush(&b, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        vax_buf_free(&b.buf);
        return vax_fail_sql(db, rc, _("exporting the doses"));
    }
    if ((rc = ob_finish(db, &b)) == VAX_OK && rows)
        *rows = n;
    return rc;
}

/* ---- FHIR R4 ----------------------------------------------------------------------------------
 */

static void json_str(out_buf *b, const char *s)
{
    ob_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            ob_add(b, e, 2);
        } else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            ob_str(b, e);
        } else {
            ob_add(b, s, 1);
        }
    }
    ob_add(b, "\"", 1);
}

/* "key":"value" with a leading comma unless first. */
static void json_kv(out_buf *b, const char *key, const char *value, int comma)
{
    if (comma)
        ob_add(b, ",", 1);
    json_str(b, key);
    ob_add(b, ":", 1);
    json_str(b, value);
}

/* An instant as FHIR dateTime with the local offset: 2021-10-15T09:00:00+07:00. */
static void fhir_time(int64_t t, char out[64])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}

static void fhir_patient(out_buf *b, sqlite3_stmt *st, const char *id_system,
                         const char *insurance_system, int first)
{
    const char *sex = vax_col_text(st, 3), *name = vax_col_text(st, 1);
    const char *space = strchr(name, ' ');
    ob_str(b, first ? "{" : ",{");
    ob_str(b, "\"fullUrl\":\"urn:uuid:");
    ob_str(b, vax_col_text(st, 0));
    ob_str(b, "\",\"resource\":{\"resourceType\":\"Patient\"");
    json_kv(b, "id", vax_col_text(st, 0), 1);
    ob_str(b, ",\"identifier\":[{");
    json_kv(b, "system", id_system, 0);
    json_kv(b, "value", vax_col_text(st, 4), 1);
    ob_str(b, "}");
    if (vax_col_text(st, 5)[0]) {
        ob_str(b, ",{");
        json_kv(b, "system", insurance_system, 0);
        json_kv(b, "value", vax_col_text(st, 5), 1);
        ob_str(b, "}");
    }
    /* Vietnamese names are family name first: "Nguyễn Văn Hùng" */
    ob_str(b, "],\"name\":[{");
    json_kv(b, "text", name, 0);
    if (space) {
        char family[256];
        size_t n = (size_t)(space - name) < sizeof family ? (size_t)(space - name) : 255;
        memcpy(family, name, n);
        family[n] = 0;
        json_kv(b, "family", family, 1);
        ob_str(b, ",\"given\":[");
        json_str(b, space + 1);
        ob_str(b, "]");
    }
    ob_str(b, "}]");
    json_kv(b, "gender", sex[0] == 'm' ? "male" : sex[0] == 'f' ? "female" : "unknown", 1);
    json_kv(b, "birthDate", vax_col_text(st, 2), 1);
    if (vax_col_text(st, 6)[0]) {
        ob_str(b, ",\"telecom\":[{\"system\":\"phone\"");
        json_kv(b, "value", vax_col_text(st, 6), 1);
        ob_str(b, "}]");
    }
    if (vax_col_text(st, 7)[0]) {
        ob_str(b, ",\"address\":[{");
        json_kv(b, "text", vax_col_text(st, 7), 0);
        json_kv(b, "country", "VN", 1);
        ob_str(b, "}]");
    }
    ob_str(b, "}}");
}

/* The product's SNOMED CT and CVX codes from the catalogue (product_coding), as codings. */
static void fhir_product_codings(out_buf *b, sqlite3_stmt *codes, const char *product)
{
    sqlite3_bind_text(codes, 1, product, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(codes) == SQLITE_ROW) {
        ob_str(b, ",{");
        json_kv(b, "system", vax_col_text(codes, 0), 0);
        json_kv(b, "code", vax_col_text(codes, 1), 1);
        ob_str(b, "}");
    }
    sqlite3_reset(codes);
}

static void fhir_immunization(out_buf *b, sqlite3_stmt *st, sqlite3_stmt *codes,
                              const char *site_name)
{
    char when[64], n[16];
    const char *vp = vax_col_text(st, 18), *mp = vax_col_text(st, 19), *arm = vax_col_text(st, 17);
    fhir_time(sqlite3_column_int64(st, 14), when);
    ob_str(b, ",{\"fullUrl\":\"urn:uuid:");
    ob_str(b, vax_col_text(st, 9));
    ob_str(b, "\",\"resource\":{\"resourceType\":\"Immunization\"");
    json_kv(b, "id", vax_col_text(st, 9), 1);
    json_kv(b, "status", sqlite3_column_int(st, 15) ? "entered-in-error" : "completed", 1);
    /* the product's codes from the catalogue: the EU DCC medicinal product and prophylaxis
     * value sets (SNOMED CT or ATC), and the site's own product code */
    ob_str(b, ",\"vaccineCode\":{\"coding\":[");
    int first = 1;
    if (mp[0]) {
        ob_str(b, "{");
        json_kv(b, "system",
                strncmp(mp, "EU/", 3) == 0
                    ? "https://ec.europa.eu/health/documents/community-register/html/"
                    : "http://ec.europa.eu/temp/vaccineproductname",
                0);
        json_kv(b, "code", mp, 1);
        json_kv(b, "display", vax_col_text(st, 11), 1);
        ob_str(b, "}");
        first = 0;
    }
    if (vp[0]) {
        ob_str(b, first ? "{" : ",{");
        json_kv(b, "system",
                isdigit((unsigned char)vp[0]) ? "http://snomed.info/sct"
                                              : "http://www.whocc.no/atc",
                0);
        json_kv(b, "code", vp, 1);
        ob_str(b, "}");
        first = 0;
    }
    ob_str(b, first ? "{" : ",{");
    json_kv(b, "system", "urn:vaxsite:product", 0);
    json_kv(b, "code", vax_col_text(st, 10), 1);
    ob_str(b, "}");
    fhir_product_codings(b, codes, vax_col_text(st, 10));
    ob_str(b, "]");
    json_kv(b, "text", vax_col_text(st, 11), 1);
    ob_str(b, "},\"patient\":{\"reference\":\"urn:uuid:");
    ob_str(b, vax_col_text(st, 0));
    ob_str(b, "\"}");
    json_kv(b, "occurrenceDateTime", when, 1);
    json_kv(b, "recorded", when, 1);
    ob_str(b, ",\"primarySource\":true");
    if (site_name[0]) {
        ob_str(b, ",\"location\":{");
        json_kv(b, "display", site_name, 0);
        ob_str(b, "}");
    }
    if (vax_col_text(st, 12)[0])
        json_kv(b, "lotNumber", vax_col_text(st, 12), 1);
    if (arm[0]) {
        int left = strcmp(arm, "left") == 0;
        ob_str(b, ",\"site\":{\"coding\":[{\"system\":"
                  "\"http://terminology.hl7.org/CodeSystem/v3-ActSite\"");
        json_kv(b, "code", left ? "LA" : "RA", 1);
        json_kv(b, "display", left ? "left arm" : "right arm", 1);
        ob_str(b, "}]}");
    }
    ob_str(b, ",\"route\":{\"coding\":[{\"system\":"
              "\"http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration\","
              "\"code\":\"IM\",\"display\":\"Injection, intramuscular\"}]}");
    ob_str(b, ",\"performer\":[{\"function\":{\"coding\":[{\"system\":"
              "\"http://terminology.hl7.org/CodeSystem/v2-0443\",\"code\":\"AP\","
              "\"display\":\"Administering Provider\"}]},\"actor\":{");
    json_kv(b, "display", vax_col_text(st, 16)[0] ? vax_col_text(st, 16) : site_name, 0);
    ob_str(b, "}}]");
    ob_str(b, ",\"protocolApplied\":[{\"targetDisease\":[{\"coding\":[{\"system\":"
              "\"http://snomed.info/sct\",\"code\":\"840539006\",\"display\":\"COVID-19\"}]}]");
    snprintf(n, sizeof n, "%d", sqlite3_column_int(st, 13));
    ob_str(b, ",\"doseNumberPositiveInt\":");
    ob_str(b, n);
    if (sqlite3_column_int(st, 20) > 0) {
        snprintf(n, sizeof n, "%d", sqlite3_column_int(st, 20));
        ob_str(b, ",\"seriesDosesPositiveInt\":");
        ob_str(b, n);
    }
    ob_str(b, "}]}}");
}

int vax_export_fhir(vax_db *db, int64_t since, vax_sink sink, void *ctx, int *doses)
{
    out_buf b = {.sink = sink, .ctx = ctx};
    vax_site site;
    sqlite3_stmt *st = NULL;
    char id_system[200], insurance_system[200], bundle_id[37], when[64];
    int rc, n = 0;
    if (doses)
        *doses = 0;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (vax_site_get(db, &site) != VAX_OK) {
        memset(&site, 0, sizeof site);
        vax_clear_error(db);
    } else { /* a demo's rows say so wherever they are opened */
        char shown[200];
        vax_site_display_name(&site, shown, sizeof shown);
        vax_strlcpy(site.name, shown, sizeof site.name);
    }
    /* The national systems name their identifier systems; until a site sets them, these URNs
     * say what the values are. */
    vax_setting_text(db, "fhir.id_system", id_system, sizeof id_system);
    vax_setting_text(db, "fhir.insurance_system", insurance_system, sizeof insurance_system);
    if ((rc = sqlite3_prepare_v2(db->sql, EXPORT_SQL " ORDER BY d.person_id, d.given_at, d.id", -1,
                                 &st, NULL)) != SQLITE_OK)
        return vax_fail_sql(db, rc, _("exporting the doses"));
    sqlite3_stmt *codes = vax_stmt(db, "SELECT system, code FROM product_coding"
                                       " WHERE product = ?1 ORDER BY system DESC");
    if (!codes) {
        sqlite3_finalize(st);
        return VAX_EINTERNAL;
    }
    sqlite3_bind_int64(st, 1, since);
    vax_uuid(bundle_id);
    fhir_time(vax_now(), when);
    ob_str(&b, "{\"resourceType\":\"Bundle\"");
    json_kv(&b, "id", bundle_id, 1);
    ob_str(&b, ",\"meta\":{");
    json_kv(&b, "lastUpdated", when, 0);
    ob_str(&b, "},\"type\":\"collection\"");
    json_kv(&b, "timestamp", when, 1);
    char last[37] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !b.failed) {
        /* FHIR JSON has no empty arrays: a bundle without doses has no "entry" at all */
        if (n == 0)
            ob_str(&b, ",\"entry\":[");
        /* rows come by person: a Patient before that person's first Immunization */
        if (strcmp(last, vax_col_text(st, 0)) != 0) {
            fhir_patient(&b, st, id_system, insurance_system, n == 0);
            vax_strlcpy(last, vax_col_text(st, 0), sizeof last);
        }
        fhir_immunization(&b, st, codes, site.name);
        n++;
        ob_flush(&b, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        vax_buf_free(&b.buf);
        return vax_fail_sql(db, rc, _("exporting the doses"));
    }
    if (n > 0)
        ob_str(&b, "]");
    ob_str(&b, "}\n");
    if ((rc = ob_finish(db, &b)) == VAX_OK && doses)
        *doses = n;
    return rc;
}
