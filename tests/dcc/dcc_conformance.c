/* dcc_conformance.c: runs every case of the public DCC test data (dcc-testdata) through our
 * decoder and verifier and checks we agree with each EXPECTED* flag the case sets. */
#include "vax.h"

#include <cairo.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- a small JSON reader: enough for the test files ---------------------------------------- */
typedef struct jv {
    char type; /* o a s n b z */
    char *str; /* s: UTF-8, n: text */
    int b;
    int n;
    char **keys;
    struct jv **vals;
} jv;

static void jfree(jv *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        jfree(v->vals[i]);
    }
    free(v->keys);
    free(v->vals);
    free(v->str);
    free(v);
}

static void ws(const char **p)
{
    while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t')
        (*p)++;
}

static void put_utf8(char **o, unsigned c)
{
    unsigned char *u = (unsigned char *)*o;
    if (c < 0x80)
        *u++ = (unsigned char)c;
    else if (c < 0x800) {
        *u++ = (unsigned char)(0xc0 | c >> 6);
        *u++ = (unsigned char)(0x80 | (c & 63));
    } else if (c < 0x10000) {
        *u++ = (unsigned char)(0xe0 | c >> 12);
        *u++ = (unsigned char)(0x80 | ((c >> 6) & 63));
        *u++ = (unsigned char)(0x80 | (c & 63));
    } else {
        *u++ = (unsigned char)(0xf0 | c >> 18);
        *u++ = (unsigned char)(0x80 | ((c >> 12) & 63));
        *u++ = (unsigned char)(0x80 | ((c >> 6) & 63));
        *u++ = (unsigned char)(0x80 | (c & 63));
    }
    *o = (char *)u;
}

static char *jstring(const char **p)
{
    const char *s = ++*p;
    size_t n = 0;
    while (s[n] && s[n] != '"')
        n += s[n] == '\\' && s[n + 1] ? 2 : 1;
    char *out = malloc(n * 2 + 4), *o = out;
    while (**p && **p != '"') {
        if (**p == '\\') {
            (*p)++;
            char e = *(*p)++;
            if (e == 'u') {
                unsigned c = 0;
                sscanf(*p, "%4x", &c);
                *p += 4;
                if (c >= 0xd800 && c < 0xdc00 && (*p)[0] == '\\' && (*p)[1] == 'u') {
                    unsigned lo = 0;
                    sscanf(*p + 2, "%4x", &lo);
                    *p += 6;
                    c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                }
                put_utf8(&o, c);
            } else
                *o++ = e == 'n'   ? '\n'
                       : e == 't' ? '\t'
                       : e == 'r' ? '\r'
                       : e == 'b' ? '\b'
                       : e == 'f' ? '\f'
                                  : e;
        } else
            *o++ = *(*p)++;
    }
    if (**p == '"')
        (*p)++;
    *o = 0;
    return out;
}

static jv *jparse(const char **p)
{
    jv *v = calloc(1, sizeof *v);
    ws(p);
    if (**p == '{' || **p == '[') {
        int obj = **p == '{';
        v->type = obj ? 'o' : 'a';
        (*p)++;
        int cap = 8;
        v->vals = calloc((size_t)cap, sizeof *v->vals);
        if (obj)
            v->keys = calloc((size_t)cap, sizeof *v->keys);
        for (;;) {
            ws(p);
            if (**p == (obj ? '}' : ']')) {
                (*p)++;
                break;
            }
            if (!**p)
                break;
            if (v->n == cap) {
                cap *= 2;
                v->vals = realloc(v->vals, (size_t)cap * sizeof *v->vals);
                if (obj)
                    v->keys = realloc(v->keys, (size_t)cap * sizeof *v->keys);
            }
            if (obj) {
                ws(p);
                v->keys[v->n] = **p == '"' ? jstring(p) : strdup("");
                ws(p);
                if (**p == ':')
                    (*p)++;
            }
            v->vals[v->n++] = jparse(p);
            ws(p);
            if (**p == ',')
                (*p)++;
        }
    } else if (**p == '"') {
        v->type = 's';
        v->str = jstring(p);
    } else if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
        v->type = 'b';
        v->b = **p == 't';
        *p += v->b ? 4 : 5;
    } else if (!strncmp(*p, "null", 4)) {
        v->type = 'z';
        *p += 4;
    } else {
        const char *s = *p;
        while (**p && !strchr(",]} \n\r\t", **p))
            (*p)++;
        v->type = 'n';
        v->str = strndup(s, (size_t)(*p - s));
    }
    return v;
}

static jv *jget(const jv *o, const char *k)
{
    for (int i = 0; o && o->type == 'o' && i < o->n; i++)
        if (!strcmp(o->keys[i], k))
            return o->vals[i];
    return NULL;
}

static const char *jstr(const jv *o, const char *k)
{
    jv *v = jget(o, k);
    return v && v->type == 's' ? v->str : NULL;
}

/* ---- helpers ------------------------------------------------------------------------------ */
static uint8_t *unhex(const char *s, size_t *n)
{
    size_t l = strlen(s);
    uint8_t *b = malloc(l / 2 + 1);
    *n = 0;
    for (size_t i = 0; i + 1 < l; i += 2) {
        unsigned v;
        if (sscanf(s + i, "%2x", &v) != 1) {
            free(b);
            return NULL;
        }
        b[(*n)++] = (uint8_t)v;
    }
    return b;
}

static uint8_t *unbase64(const char *s, size_t *n)
{
    size_t l = strlen(s);
    char *clean = malloc(l + 1);
    size_t k = 0;
    for (size_t i = 0; i < l; i++)
        if (s[i] != '\n' && s[i] != '\r' && s[i] != ' ')
            clean[k++] = s[i];
    clean[k] = 0;
    uint8_t *b = malloc(k + 4);
    int r = EVP_DecodeBlock(b, (unsigned char *)clean, (int)k);
    if (r < 0) {
        free(b);
        free(clean);
        return NULL;
    }
    size_t pad = 0;
    while (k && clean[k - 1] == '=')
        pad++, k--;
    *n = (size_t)r - pad;
    free(clean);
    return b;
}

/* ISO 8601 with Z, an offset, or fractions of a second; -1 on garbage. */
static int64_t parse_clock(const char *s)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%d-%d-%dT%d:%d:%d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return -1;
    const char *p = s + n;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    int off = 0;
    if (*p == '+' || *p == '-') {
        int oh = 0, om = 0; /* +hh:mm or +hhmm */
        if (strlen(p + 1) == 4 && !strchr(p + 1, ':'))
            sscanf(p + 1, "%2d%2d", &oh, &om);
        else
            sscanf(p + 1, "%d:%d", &oh, &om);
        off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm) - off;
}

static int eqbytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static char *slurp(const char *path);

/* ---- the steps ------------------------------------------------------------------------------ */
typedef struct kase {
    const jv *j;
    const char *prefix, *b45;
    uint8_t *z, *cose, *cbor;
    size_t zn, cosen, cborn;
    int has_z, has_cose, has_cbor;
} kase;

static int step_unprefix(kase *k)
{
    if (!k->prefix || strncmp(k->prefix, "HC1:", 4) != 0)
        return 0;
    return !k->b45 || strcmp(k->prefix + 4, k->b45) == 0;
}

static const char *case_b45(const kase *k)
{
    if (k->b45 && *k->b45)
        return k->b45;
    return k->prefix && !strncmp(k->prefix, "HC1:", 4) ? k->prefix + 4 : NULL;
}

/* Without a COMPRESSED field, the base45 layer is checked against the COSE it inflates to. */
static int step_b45(kase *k)
{
    const char *in = case_b45(k);
    uint8_t *out, *raw;
    size_t n, rn;
    if (!in || vax_base45_decode(in, strlen(in), &out, &n) != VAX_OK)
        return 0;
    int ok = 1;
    if (k->has_z)
        ok = eqbytes(out, n, k->z, k->zn);
    else if (k->has_cose) {
        ok = vax_zlib_inflate(out, n, &raw, &rn) == VAX_OK;
        if (ok) {
            ok = eqbytes(raw, rn, k->cose, k->cosen);
            free(raw);
        } else
            ok = eqbytes(out, n, k->cose, k->cosen);
    }
    free(out);
    return ok;
}

static int step_compression(kase *k)
{
    uint8_t *out, *z = k->z;
    size_t n, zn = k->zn;
    const char *in = case_b45(k);
    if (!k->has_z && (!in || vax_base45_decode(in, strlen(in), &z, &zn) != VAX_OK))
        return 0;
    int ok = vax_zlib_inflate(z, zn, &out, &n) == VAX_OK;
    if (ok) {
        ok = k->has_cose ? eqbytes(out, n, k->cose, k->cosen) : 1;
        free(out);
    }
    if (z != k->z)
        free(z);
    return ok;
}

/* The COSE bytes of the case: its COSE field, else what its earlier layers give. */
static vax_cose *case_cose(kase *k)
{
    vax_cose *c = NULL;
    char why[256];
    if (k->has_cose) {
        vax_cose_parse(k->cose, k->cosen, &c, why, sizeof why);
        return c;
    }
    uint8_t *z = NULL, *raw = NULL;
    size_t zn, rn;
    const char *in = case_b45(k);
    if (k->has_z)
        z = memcpy(malloc(k->zn + 1), k->z, k->zn), zn = k->zn;
    else if (!in || vax_base45_decode(in, strlen(in), &z, &zn) != VAX_OK)
        return NULL;
    if (vax_zlib_inflate(z, zn, &raw, &rn) == VAX_OK) {
        vax_cose_parse(raw, rn, &c, why, sizeof why);
        free(raw);
    }
    free(z);
    return c;
}

static int step_decode(kase *k)
{
    vax_cose *c = case_cose(k);
    char *a = NULL, *b = NULL;
    int ok = c && vax_cose_hcert_json(c, &a) == VAX_OK;
    /* the CBOR field holds the hcert payload, or (some issuers) the whole CWT claims map */
    if (ok && k->has_cbor) {
        ok = vax_cbor_to_json(k->cbor, k->cborn, &b) == VAX_OK;
        if (ok && strcmp(a, b) != 0) {
            free(a);
            a = NULL;
            ok = vax_cose_claims_json(c, &a) == VAX_OK && strcmp(a, b) == 0;
        }
        if (!ok && getenv("DCC_DEBUG"))
            fprintf(stderr, "ours:  %s\ntheirs: %s\n", a ? a : "-", b ? b : "-");
    }
    free(a);
    free(b);
    vax_cose_free(c);
    return ok;
}

static int step_verify(kase *k)
{
    const jv *ctx = jget(k->j, "TESTCTX");
    const char *cert = jstr(ctx, "CERTIFICATE");
    uint8_t *der;
    size_t n;
    vax_cose *c = case_cose(k);
    int ok = c && cert && (der = unbase64(cert, &n)) != NULL;
    if (ok) {
        ok = vax_cose_verify_der(c, der, n);
        free(der);
    }
    vax_cose_free(c);
    return ok;
}

static int step_expiration(kase *k)
{
    const char *clock = jstr(jget(k->j, "TESTCTX"), "VALIDATIONCLOCK");
    vax_cose *c = case_cose(k);
    int64_t iat, exp, now = clock ? parse_clock(clock) : -1;
    int has_exp, ok = 0;
    if (c && now >= 0) {
        vax_cose_times(c, &iat, &exp, &has_exp);
        ok = has_exp && now <= exp && now >= iat;
    }
    vax_cose_free(c);
    return ok;
}

static int step_schema(kase *k)
{
    char why[256] = "";
    vax_cose *c = case_cose(k);
    int ok;
    if (c)
        ok = vax_cose_schema_check(c, why, sizeof why) == VAX_OK;
    else
        ok = k->has_cbor &&
             vax_hcert_schema_check_cbor(k->cbor, k->cborn, why, sizeof why) == VAX_OK;
    if (getenv("DCC_DEBUG"))
        fprintf(stderr, "schema: %s\n", ok ? "ok" : why);
    vax_cose_free(c);
    return ok;
}

static int step_keyusage(kase *k)
{
    const char *cert = jstr(jget(k->j, "TESTCTX"), "CERTIFICATE");
    uint8_t *der;
    size_t n;
    vax_cose *c = case_cose(k);
    int ok = c && cert && (der = unbase64(cert, &n)) != NULL;
    if (ok) {
        ok = vax_cose_key_usage_der(c, der, n);
        free(der);
    }
    vax_cose_free(c);
    return ok;
}

/* Draws text as a QR code PNG (4 pixels a module, quiet zone of 4) with our encoder. */
static uint8_t *draw_qr_png(const char *text, size_t *n)
{
    vax_qr *q;
    if (vax_qr_make(text, &q) != VAX_OK)
        return NULL;
    int w = vax_qr_width(q), side = (w + 8) * 4;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (vax_qr_dark(q, x, y))
                cairo_rectangle(cr, (x + 4) * 4, (y + 4) * 4, 4, 4);
    cairo_fill(cr);
    cairo_destroy(cr);
    char path[] = "/tmp/dcc-draw-XXXXXX";
    int fd = mkstemp(path);
    uint8_t *out = NULL;
    if (fd >= 0) {
        close(fd);
        if (cairo_surface_write_to_png(s, path) == CAIRO_STATUS_SUCCESS) {
            char *t = slurp(path);
            struct stat st;
            if (t && stat(path, &st) == 0) {
                out = (uint8_t *)t;
                *n = (size_t)st.st_size;
            } else
                free(t);
        }
        unlink(path);
    }
    cairo_surface_destroy(s);
    vax_qr_free(q);
    return out;
}

/* The QR picture (2DCODE, a base64 PNG) read back with our reader gives the PREFIX text. A case
 * that carries no picture gets one drawn from its PREFIX by our encoder: the round trip through
 * our renderer and reader is then what the flag checks. */
static int step_picture(kase *k)
{
    const char *png = jstr(k->j, "2DCODE");
    uint8_t *bytes;
    size_t n;
    if (png && *png)
        bytes = unbase64(png, &n);
    else
        bytes = k->prefix ? draw_qr_png(k->prefix, &n) : NULL;
    if (!bytes)
        return 0;
    char path[] = "/tmp/dcc-qr-XXXXXX";
    int fd = mkstemp(path), ok = 0;
    if (fd >= 0) {
        ok = write(fd, bytes, n) == (ssize_t)n;
        close(fd);
        char *text = NULL;
        ok = ok && vax_qr_read_png(NULL, path, &text) == VAX_OK &&
             (!k->prefix || strcmp(text, k->prefix) == 0);
        free(text);
        unlink(path);
    }
    free(bytes);
    return ok;
}

/* Same JSON value: objects compared by key whatever the order, numbers by value. */
static int jequal(const jv *a, const jv *b)
{
    if (!a || !b || a->type != b->type || a->n != b->n)
        return 0;
    switch (a->type) {
    case 's':
        /* a date-time is the instant it names: "12:34:56Z" and "12:34:56+00:00" are one */
        if (strlen(a->str) > 10 && a->str[10] == 'T' && parse_clock(a->str) >= 0)
            return parse_clock(a->str) == parse_clock(b->str);
        return !strcmp(a->str, b->str);
    case 'n':
        return strtod(a->str, NULL) == strtod(b->str, NULL);
    case 'b':
        return a->b == b->b;
    case 'z':
        return 1;
    case 'a':
        for (int i = 0; i < a->n; i++)
            if (!jequal(a->vals[i], b->vals[i]))
                return 0;
        return 1;
    default:
        for (int i = 0; i < a->n; i++)
            if (!jequal(a->vals[i], jget(b, a->keys[i])))
                return 0;
        return 1;
    }
}

/* The whole chain from the PREFIX text decodes to the payload the case's JSON holds. */
static int step_validjson(kase *k)
{
    const jv *want = jget(k->j, "JSON");
    uint8_t *z = NULL, *raw = NULL;
    size_t zn, rn;
    vax_cose *c = NULL;
    char why[256], *ours = NULL;
    int ok = 0;
    if (!k->prefix || strncmp(k->prefix, "HC1:", 4) != 0 ||
        vax_base45_decode(k->prefix + 4, strlen(k->prefix + 4), &z, &zn) != VAX_OK)
        return 0;
    if (vax_zlib_inflate(z, zn, &raw, &rn) == VAX_OK &&
        vax_cose_parse(raw, rn, &c, why, sizeof why) == VAX_OK &&
        vax_cose_hcert_json(c, &ours) == VAX_OK) {
        const char *p = ours;
        jv *got = jparse(&p);
        ok = !want || jequal(got, want);
        if (!ok && getenv("DCC_DEBUG"))
            fprintf(stderr, "validjson: ours %s\n", ours);
        jfree(got);
    }
    free(ours);
    vax_cose_free(c);
    free(raw);
    free(z);
    return ok;
}

static const struct {
    const char *flag;
    int (*run)(kase *);
} steps[] = {
    {"EXPECTEDUNPREFIX", step_unprefix},       {"EXPECTEDB45DECODE", step_b45},
    {"EXPECTEDCOMPRESSION", step_compression}, {"EXPECTEDDECODE", step_decode},
    {"EXPECTEDVERIFY", step_verify},           {"EXPECTEDEXPIRATIONCHECK", step_expiration},
    {"EXPECTEDSCHEMAVALIDATION", step_schema}, {"EXPECTEDKEYUSAGE", step_keyusage},
    {"EXPECTEDPICTUREDECODE", step_picture},   {"EXPECTEDVALIDJSON", step_validjson},
};

/* ---- the run -------------------------------------------------------------------------------- */
typedef struct exc {
    char path[512], flag[64];
    int used;
} exc;
static exc excs[256];
static int nexc;

static void load_exceptions(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    if (!f)
        return;
    while (fgets(line, sizeof line, f) && nexc < 256) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%511s %63s", excs[nexc].path, excs[nexc].flag) == 2)
            nexc++;
    }
    fclose(f);
}

static exc *find_exception(const char *rel, const char *flag)
{
    for (int i = 0; i < nexc; i++)
        if (!strcmp(excs[i].path, rel) && !strcmp(excs[i].flag, flag))
            return &excs[i];
    return NULL;
}

static char **files;
static int nfiles, capfiles;

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        char p[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(p);
        else if (strlen(e->d_name) > 5 && !strcmp(e->d_name + strlen(e->d_name) - 5, ".json")) {
            if (nfiles == capfiles)
                files = realloc(files,
                                (size_t)(capfiles = capfiles ? capfiles * 2 : 256) * sizeof *files);
            files[nfiles++] = strdup(p);
        }
    }
    closedir(d);
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t r = fread(b, 1, (size_t)n, f);
    b[r] = 0;
    fclose(f);
    return b;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: dcc_conformance DCC-TESTDATA-DIR [EXCEPTIONS-FILE] [-v]\n");
        return 2;
    }
    const char *root = argv[1];
    int verbose = argc > 3 && !strcmp(argv[3], "-v");
    if (argc > 2)
        load_exceptions(argv[2]);
    walk(root);
    if (nfiles == 0) {
        fprintf(stderr, "dcc_conformance: no test cases under %s\n", root);
        return 1;
    }
    qsort(files, (size_t)nfiles, sizeof *files, cmpstr);
    int checks = 0, agreed = 0, explained = 0, disagreed = 0, flagless = 0;
    int flag_checks[sizeof steps / sizeof steps[0]] = {0},
                                          flag_agreed[sizeof steps / sizeof steps[0]] = {0};
    for (int i = 0; i < nfiles; i++) {
        const char *rel = files[i] + strlen(root) + 1;
        char *text = slurp(files[i]);
        const char *p = text;
        jv *j = text ? jparse(&p) : NULL;
        const jv *exp = jget(j, "EXPECTEDRESULTS");
        kase k = {.j = j, .prefix = jstr(j, "PREFIX"), .b45 = jstr(j, "BASE45")};
        const char *h;
        /* an empty field is an absent one */
        if ((h = jstr(j, "COMPRESSED")) && *h && (k.z = unhex(h, &k.zn)))
            k.has_z = 1;
        if ((h = jstr(j, "COSE")) && *h && (k.cose = unhex(h, &k.cosen)))
            k.has_cose = 1;
        if ((h = jstr(j, "CBOR")) && *h && (k.cbor = unhex(h, &k.cborn)))
            k.has_cbor = 1;
        int any = 0;
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            jv *want = jget(exp, steps[s].flag);
            if (!want || want->type != 'b')
                continue;
            any = 1;
            checks++;
            int got = steps[s].run(&k);
            exc *x = find_exception(rel, steps[s].flag);
            flag_checks[s]++;
            flag_agreed[s] += got == want->b;
            if (got == want->b) {
                agreed++;
                if (x)
                    printf("# stale exception (we agree now): %s %s\n", rel, steps[s].flag);
                if (x)
                    disagreed++;
            } else if (x) {
                explained++;
                x->used = 1;
            } else {
                disagreed++;
                printf("# DISAGREE %s %s: expected %s, we say %s\n", rel, steps[s].flag,
                       want->b ? "true" : "false", got ? "true" : "false");
            }
            if (verbose)
                printf("# %s %s %d\n", rel, steps[s].flag, got);
        }
        if (!any)
            flagless++;
        free(k.z);
        free(k.cose);
        free(k.cbor);
        jfree(j);
        free(text);
    }
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++)
        printf("#   %-26s %4d of %4d agree\n", steps[s].flag, flag_agreed[s], flag_checks[s]);
    printf("dcc conformance: %d files, %d without flags we check; %d checks: %d agree, %d "
           "disagree for a listed reason (tests/dcc/exceptions.txt), %d disagree\n",
           nfiles, flagless, checks, agreed, explained, disagreed);
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    return disagreed ? 1 : 0;
}
