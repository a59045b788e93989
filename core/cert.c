/* cert.c: EU Digital COVID Certificates: the hcert payload, CWT, COSE_Sign1, HC1 strings, the
 * verifier and its schema check, and the certificates this site has issued. */
#include "certkeys.h"

#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define HC1_PREFIX "HC1:"
#define CWT_ISS 1
#define CWT_EXP 4
#define CWT_IAT 6
#define CWT_HCERT (-260)
#define COSE_HDR_ALG 1
#define COSE_HDR_KID 4

struct vax_cose {
    cbor_item_t *root; /* the whole COSE message */
    uint8_t *prot;     /* protected header bytes, as signed */
    size_t prot_len;
    uint8_t *payload; /* CWT bytes, as signed */
    size_t payload_len;
    uint8_t *sig;
    size_t sig_len;
    cbor_item_t *claims; /* CWT claims map */
    cbor_item_t *hcert;  /* claims[-260][1], borrowed from claims */
    int alg;
    uint8_t kid[64];
    size_t kid_len;
    int64_t iat, exp;
    int has_exp;
    char iss[11];
};

/* ---- small CBOR helpers --------------------------------------------------------------------- */

static cbor_item_t *build_int(int64_t v)
{
    if (v >= 0) {
        uint64_t u = (uint64_t)v;
        if (u <= 0xff)
            return cbor_build_uint8((uint8_t)u);
        if (u <= 0xffff)
            return cbor_build_uint16((uint16_t)u);
        if (u <= 0xffffffffu)
            return cbor_build_uint32((uint32_t)u);
        return cbor_build_uint64(u);
    }
    uint64_t u = (uint64_t)(-1 - v);
    if (u <= 0xff)
        return cbor_build_negint8((uint8_t)u);
    if (u <= 0xffff)
        return cbor_build_negint16((uint16_t)u);
    if (u <= 0xffffffffu)
        return cbor_build_negint32((uint32_t)u);
    return cbor_build_negint64(u);
}

static int map_put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
    int ok = k && v && cbor_map_add(map, (struct cbor_pair){.key = k, .value = v});
    if (k)
        cbor_decref(&k);
    if (v)
        cbor_decref(&v);
    return ok;
}

static int map_put_str(cbor_item_t *map, const char *k, const char *v)
{
    return map_put(map, cbor_build_string(k), cbor_build_string(v));
}

/* An integer item's value; 0 if it is not one. */
static int get_int(const cbor_item_t *it, int64_t *out)
{
    if (cbor_isa_uint(it)) {
        uint64_t u = cbor_get_int(it);
        if (u > INT64_MAX)
            return 0;
        *out = (int64_t)u;
        return 1;
    }
    if (cbor_isa_negint(it)) {
        uint64_t u = cbor_get_int(it);
        if (u > INT64_MAX)
            return 0;
        *out = -1 - (int64_t)u;
        return 1;
    }
    if (cbor_isa_float_ctrl(it) && cbor_is_float(it)) {
        double d = cbor_float_get_float(it);
        if (d < -9e18 || d > 9e18)
            return 0;
        *out = (int64_t)d;
        return 1;
    }
    return 0;
}

/* A (possibly chunked) byte or text string as one malloc'd buffer with a NUL after it. */
static uint8_t *string_bytes(const cbor_item_t *it, size_t *n)
{
    int bytes = cbor_isa_bytestring(it);
    if (!bytes && !cbor_isa_string(it))
        return NULL;
    int definite = bytes ? cbor_bytestring_is_definite(it) : cbor_string_is_definite(it);
    size_t len = 0;
    if (definite) {
        len = bytes ? cbor_bytestring_length(it) : cbor_string_length(it);
        uint8_t *b = malloc(len + 1);
        if (!b)
            return NULL;
        if (len)
            memcpy(b, bytes ? cbor_bytestring_handle(it) : cbor_string_handle(it), len);
        b[len] = 0;
        *n = len;
        return b;
    }
    size_t count = bytes ? cbor_bytestring_chunk_count(it) : cbor_string_chunk_count(it);
    cbor_item_t **ch = bytes ? cbor_bytestring_chunks_handle(it) : cbor_string_chunks_handle(it);
    for (size_t i = 0; i < count; i++)
        len += bytes ? cbor_bytestring_length(ch[i]) : cbor_string_length(ch[i]);
    uint8_t *b = malloc(len + 1), *p = b;
    if (!b)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        size_t l = bytes ? cbor_bytestring_length(ch[i]) : cbor_string_length(ch[i]);
        if (l)
            memcpy(p, bytes ? cbor_bytestring_handle(ch[i]) : cbor_string_handle(ch[i]), l);
        p += l;
    }
    *p = 0;
    *n = len;
    return b;
}

/* Map lookup by text key or integer key. Borrowed. */
static cbor_item_t *map_get_str(const cbor_item_t *map, const char *key)
{
    if (!map || !cbor_isa_map(map))
        return NULL;
    struct cbor_pair *p = cbor_map_handle(map);
    size_t kl = strlen(key);
    for (size_t i = 0; i < cbor_map_size(map); i++) {
        if (cbor_isa_string(p[i].key) && cbor_string_is_definite(p[i].key) &&
            cbor_string_length(p[i].key) == kl &&
            memcmp(cbor_string_handle(p[i].key), key, kl) == 0)
            return p[i].value;
    }
    return NULL;
}

static cbor_item_t *map_get_int(const cbor_item_t *map, int64_t key)
{
    if (!map || !cbor_isa_map(map))
        return NULL;
    struct cbor_pair *p = cbor_map_handle(map);
    for (size_t i = 0; i < cbor_map_size(map); i++) {
        int64_t k;
        if ((cbor_isa_uint(p[i].key) || cbor_isa_negint(p[i].key)) && get_int(p[i].key, &k) &&
            k == key)
            return p[i].value;
    }
    return NULL;
}

/* Copies a text item into buf; 0 if it is not text. */
static int get_text(const cbor_item_t *it, char *buf, size_t size)
{
    size_t n;
    if (!it || !cbor_isa_string(it))
        return 0;
    uint8_t *b = string_bytes(it, &n);
    if (!b)
        return 0;
    vax_strlcpy(buf, (const char *)b, size);
    free(b);
    return 1;
}

/* Reads one CBOR item's header at p (n bytes left): major type, argument, header length. */
static int cbor_head(const uint8_t *p, size_t n, int *major, uint64_t *arg, size_t *len,
                     int *indefinite)
{
    if (n < 1)
        return 0;
    int ai = p[0] & 31;
    *major = p[0] >> 5;
    *indefinite = 0;
    if (ai < 24) {
        *arg = (uint64_t)ai;
        *len = 1;
        return 1;
    }
    if (ai == 31) {
        *indefinite = 1;
        *arg = 0;
        *len = 1;
        return *major >= 2 && *major <= 5;
    }
    if (ai > 27)
        return 0;
    size_t k = (size_t)1 << (ai - 24);
    if (n < 1 + k)
        return 0;
    *arg = 0;
    for (size_t i = 0; i < k; i++)
        *arg = *arg << 8 | p[1 + i];
    *len = 1 + k;
    return 1;
}

/* Walks one item without allocating; returns its size, 0 if malformed or if any declared length
 * is larger than what is left. libcbor allocates what a header declares before it reads the
 * items, so a 50-byte QR could ask for gigabytes: this check comes first. */
static size_t cbor_sane(const uint8_t *p, size_t n, int depth)
{
    int major, indefinite;
    uint64_t arg;
    size_t head;
    if (depth > 32 || !cbor_head(p, n, &major, &arg, &head, &indefinite))
        return 0;
    size_t used = head;
    if (indefinite) {
        for (;;) {
            if (used >= n)
                return 0;
            if (p[used] == 0xff)
                return used + 1;
            size_t item = cbor_sane(p + used, n - used, depth + 1);
            if (!item)
                return 0;
            used += item;
        }
    }
    switch (major) {
    case 0:
    case 1:
    case 7:
        return used;
    case 2:
    case 3:
        return arg <= n - used ? used + (size_t)arg : 0;
    case 4:
    case 5: {
        uint64_t items = major == 5 ? arg * 2 : arg;
        if (arg > n || items > n - used) /* each item takes at least one byte */
            return 0;
        for (uint64_t i = 0; i < items; i++) {
            size_t item = cbor_sane(p + used, n - used, depth + 1);
            if (!item)
                return 0;
            used += item;
        }
        return used;
    }
    case 6: {
        size_t item = cbor_sane(p + used, n - used, depth + 1);
        return item ? used + item : 0;
    }
    }
    return 0;
}

static cbor_item_t *load_one(const uint8_t *in, size_t n)
{
    if (cbor_sane(in, n, 0) != n)
        return NULL;
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load(in, n, &res);
    if (it && (res.error.code != CBOR_ERR_NONE || res.read != n)) {
        cbor_decref(&it);
        return NULL;
    }
    return it;
}

/* ---- CBOR to JSON (sorted keys), for display and for comparing two encodings ------------- */

/* The core's one buffer; a failed append leaves it failed, checked once at the end. */
typedef vax_buf sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    vax_buf_add(b, s, n);
}

#define sb_printf vax_buf_printf

static void sb_json_string(sbuf *b, const uint8_t *s, size_t n)
{
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_put(b, e, 2);
        } else if (c < 0x20)
            sb_printf(b, "\\u%04x", c);
        else
            sb_put(b, (const char *)&c, 1);
    }
    sb_put(b, "\"", 1);
}

static void json_item(sbuf *b, const cbor_item_t *it, int depth);

typedef struct keyed {
    char *key;
    const cbor_item_t *value;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

static void json_map(sbuf *b, const cbor_item_t *it, int depth)
{
    size_t n = cbor_map_size(it);
    struct cbor_pair *p = cbor_map_handle(it);
    keyed *k = calloc(n ? n : 1, sizeof *k);
    if (!k) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        sbuf kb = {0};
        /* a key is a string or a number (an hcert's keys are): a map or an array as a key would be
         * written as JSON into a string, escaped again at each level above, so that keys nested
         * thirty deep make a gigabyte from a hundred bytes */
        cbor_type kt = cbor_typeof(p[i].key);
        if (kt == CBOR_TYPE_MAP || kt == CBOR_TYPE_ARRAY || kt == CBOR_TYPE_TAG) {
            b->failed = 1;
            n = i;
            break;
        }
        if (cbor_isa_string(p[i].key)) {
            size_t l;
            uint8_t *s = string_bytes(p[i].key, &l);
            if (s)
                sb_put(&kb, (const char *)s, l);
            else
                kb.failed = 1;
            free(s);
        } else
            json_item(&kb, p[i].key, depth + 1);
        if (kb.failed || !kb.data) {
            free(kb.data);
            kb.data = strdup("");
            if (!kb.data)
                b->failed = 1;
        }
        k[i].key = kb.data;
        k[i].value = p[i].value;
    }
    if (!b->failed)
        qsort(k, n, sizeof *k, keyed_cmp);
    sb_put(b, "{", 1);
    for (size_t i = 0; i < n && !b->failed; i++) {
        if (i)
            sb_put(b, ",", 1);
        sb_json_string(b, (const uint8_t *)k[i].key, strlen(k[i].key));
        sb_put(b, ":", 1);
        json_item(b, k[i].value, depth + 1);
    }
    sb_put(b, "}", 1);
    for (size_t i = 0; i < n; i++)
        free(k[i].key);
    free(k);
}

static void json_item(sbuf *b, const cbor_item_t *it, int depth)
{
    int64_t v;
    if (depth > 32) {
        b->failed = 1;
        return;
    }
    switch (cbor_typeof(it)) {
    case CBOR_TYPE_UINT:
        sb_printf(b, "%llu", (unsigned long long)cbor_get_int(it));
        break;
    case CBOR_TYPE_NEGINT:
        if (get_int(it, &v))
            sb_printf(b, "%lld", (long long)v);
        else
            sb_printf(b, "-1-%llu", (unsigned long long)cbor_get_int(it));
        break;
    case CBOR_TYPE_BYTESTRING:
    case CBOR_TYPE_STRING: {
        size_t n;
        uint8_t *s = string_bytes(it, &n);
        if (!s) {
            b->failed = 1;
            break;
        }
        if (cbor_isa_string(it))
            sb_json_string(b, s, n);
        else {
            sb_put(b, "\"h'", 3);
            for (size_t i = 0; i < n; i++)
                sb_printf(b, "%02x", s[i]);
            sb_put(b, "'\"", 2);
        }
        free(s);
        break;
    }
    case CBOR_TYPE_ARRAY: {
        cbor_item_t **a = cbor_array_handle(it);
        sb_put(b, "[", 1);
        for (size_t i = 0; i < cbor_array_size(it); i++) {
            if (i)
                sb_put(b, ",", 1);
            json_item(b, a[i], depth + 1);
        }
        sb_put(b, "]", 1);
        break;
    }
    case CBOR_TYPE_MAP:
        json_map(b, it, depth);
        break;
    case CBOR_TYPE_TAG: {
        cbor_item_t *in = cbor_tag_item(it);
        json_item(b, in, depth + 1);
        cbor_decref(&in);
        break;
    }
    case CBOR_TYPE_FLOAT_CTRL:
        if (cbor_is_float(it)) {
            double d = cbor_float_get_float(it);
            /* the range first: casting a large (or NaN) double to an integer is undefined */
            if (d > -9e15 && d < 9e15 && d == (double)(int64_t)d)
                sb_printf(b, "%lld", (long long)d);
            else
                sb_printf(b, "%.17g", d);
        } else if (cbor_is_bool(it))
            sb_put(b, cbor_get_bool(it) ? "true" : "false", cbor_get_bool(it) ? 4 : 5);
        else
            sb_put(b, "null", 4);
        break;
    }
}

static int item_json(const cbor_item_t *it, char **json)
{
    sbuf b = {0};
    json_item(&b, it, 0);
    if (b.failed || !b.data) {
        free(b.data);
        return VAX_ENOMEM;
    }
    *json = b.data;
    return VAX_OK;
}

int vax_cbor_to_json(const uint8_t *in, size_t n, char **json)
{
    cbor_item_t *it = load_one(in, n);
    if (!it)
        return VAX_EINVAL;
    int rc = item_json(it, json);
    cbor_decref(&it);
    return rc;
}

/* ---- names and identifiers ------------------------------------------------------------------ */

/* ICAO 9303 part 3 transliterations that are not just "drop the mark". */
static const struct {
    const char *from, *to;
} icao_special[] = {
    {"Ä", "AE"}, {"ä", "AE"}, {"Ö", "OE"}, {"ö", "OE"}, {"Ü", "UE"}, {"ü", "UE"}, {"ß", "SS"},
    {"Å", "AA"}, {"å", "AA"}, {"Æ", "AE"}, {"æ", "AE"}, {"Ø", "OE"}, {"ø", "OE"}, {"Þ", "TH"},
    {"þ", "TH"}, {"Œ", "OE"}, {"œ", "OE"}, {"Ð", "D"},  {"Đ", "D"},  {"đ", "D"},
};

void vax_icao_name(const char *name, char *out, size_t size)
{
    sbuf pre = {0};
    size_t o = 0;
    if (size == 0)
        return;
    out[0] = 0;
    for (const char *s = name ? name : ""; *s;) {
        size_t i, adv = 0;
        for (i = 0; i < sizeof icao_special / sizeof icao_special[0]; i++) {
            size_t l = strlen(icao_special[i].from);
            if (strncmp(s, icao_special[i].from, l) == 0) {
                sb_put(&pre, icao_special[i].to, strlen(icao_special[i].to));
                adv = l;
                break;
            }
        }
        if (!adv) {
            sb_put(&pre, s, 1);
            adv = 1;
        }
        s += adv;
    }
    char *folded = pre.data ? vax_text_fold(pre.data) : NULL;
    free(pre.data);
    if (!folded)
        return;
    int gap = 0;
    for (const char *s = folded; *s && o + 1 < size && o < 80; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z') {
            if (gap && o > 0 && o + 2 < size && o < 79)
                out[o++] = '<';
            gap = 0;
            out[o++] = c;
        } else if (c == ' ' || c == '-' || c == ',')
            gap = 1;
    }
    out[o] = 0;
    free(folded);
}

static const char luhn_points[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:";

char vax_uvci_check_char(const char *uvci)
{
    const int n = 38;
    int factor = 2, total = 0;
    for (size_t i = strlen(uvci); i-- > 0;) {
        const char *p = strchr(luhn_points, uvci[i]);
        if (!p || !uvci[i])
            return 0;
        int addend = factor * (int)(p - luhn_points);
        factor = factor == 2 ? 1 : 2;
        total += addend / n + addend % n;
    }
    return luhn_points[(n - total % n) % n];
}

/* ---- zlib ----------------------------------------------------------------------------------- */

int vax_zlib_inflate(const uint8_t *in, size_t n, uint8_t **out, size_t *outn)
{
    z_stream z;
    vax_buf b;
    int zr = Z_OK;
    vax_buf_init(&b);
    /* a QR payload is a few kB; four times it is the usual room for what it holds */
    if (n > (SIZE_MAX - 256) / 4 || vax_buf_reserve(&b, n * 4 + 256) != VAX_OK)
        return VAX_ENOMEM;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) {
        vax_buf_free(&b);
        return VAX_ENOMEM;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    do {
        /* full (the buffer keeps a byte for its NUL): twice the room, up to 16 MB */
        if (b.len + 1 == b.cap && (b.cap > 16u << 20 || vax_buf_reserve(&b, b.cap) != VAX_OK))
            break;
        z.next_out = (Bytef *)b.data + b.len;
        z.avail_out = (uInt)(b.cap - 1 - b.len);
        zr = inflate(&z, Z_NO_FLUSH);
        b.len = z.total_out;
    } while (zr == Z_OK || (zr == Z_BUF_ERROR && z.avail_out == 0));
    inflateEnd(&z);
    if (zr != Z_STREAM_END) {
        vax_buf_free(&b);
        return VAX_EINVAL;
    }
    *outn = b.len;
    *out = (uint8_t *)vax_buf_take(&b, NULL);
    return *out ? VAX_OK : VAX_ENOMEM;
}

static int zlib_deflate(const uint8_t *in, size_t n, uint8_t **out, size_t *outn)
{
    uLongf cap = compressBound((uLong)n);
    uint8_t *b = malloc(cap);
    if (!b)
        return VAX_ENOMEM;
    if (compress2(b, &cap, in, (uLong)n, 9) != Z_OK) {
        free(b);
        return VAX_EINTERNAL;
    }
    *out = b;
    *outn = cap;
    return VAX_OK;
}

/* ---- COSE ----------------------------------------------------------------------------------- */

void vax_cose_free(vax_cose *c)
{
    if (!c)
        return;
    if (c->root)
        cbor_decref(&c->root);
    if (c->claims)
        cbor_decref(&c->claims);
    free(c->prot);
    free(c->payload);
    free(c->sig);
    free(c);
}

static void set_why(char *why, size_t size, const char *s)
{
    if (why && size)
        vax_strlcpy(why, s, size);
}

static void header_fields(vax_cose *c, const cbor_item_t *h)
{
    cbor_item_t *alg = map_get_int(h, COSE_HDR_ALG), *kid = map_get_int(h, COSE_HDR_KID);
    int64_t a;
    if (alg && !c->alg && get_int(alg, &a))
        c->alg = (int)a;
    if (kid && !c->kid_len && cbor_isa_bytestring(kid)) {
        size_t n;
        uint8_t *b = string_bytes(kid, &n);
        if (b && n <= sizeof c->kid) {
            memcpy(c->kid, b, n);
            c->kid_len = n;
        }
        free(b);
    }
}

int vax_cose_parse(const uint8_t *in, size_t n, vax_cose **out, char *why, size_t whysize)
{
    vax_cose *c = calloc(1, sizeof *c);
    cbor_item_t *msg, *ph = NULL;
    *out = NULL;
    if (!c)
        return VAX_ENOMEM;
    /* A CWT tag (61) may wrap the COSE_Sign1 tag (18), which is optional itself. They are read
     * here: libcbor 0.8's cbor_load refuses a tagged item as malformed. */
    for (int i = 0; i < 2 && n && (in[0] >> 5) == 6; i++) {
        uint64_t t = in[0] & 31;
        size_t hl = 1;
        if (t == 24 && n >= 2)
            t = in[1], hl = 2;
        else if (t == 25 && n >= 3)
            t = (uint64_t)in[1] << 8 | in[2], hl = 3;
        else if (t >= 24) {
            set_why(why, whysize, _("The COSE message has an unexpected tag."));
            goto bad;
        }
        if (t != 18 && t != 61) {
            set_why(why, whysize, _("The COSE message has an unexpected tag."));
            goto bad;
        }
        in += hl;
        n -= hl;
    }
    if (!(c->root = load_one(in, n))) {
        set_why(why, whysize, _("The COSE message is not well-formed CBOR."));
        goto bad;
    }
    msg = c->root;
    if (!cbor_isa_array(msg) || cbor_array_size(msg) != 4) {
        set_why(why, whysize, _("A COSE_Sign1 message is an array of four items."));
        goto bad;
    }
    cbor_item_t **a = cbor_array_handle(msg);
    if (!cbor_isa_bytestring(a[0]) || !cbor_isa_map(a[1]) || !cbor_isa_bytestring(a[2]) ||
        !cbor_isa_bytestring(a[3])) {
        set_why(why, whysize, _("A COSE_Sign1 item has the wrong type."));
        goto bad;
    }
    if (!(c->prot = string_bytes(a[0], &c->prot_len)) ||
        !(c->payload = string_bytes(a[2], &c->payload_len)) ||
        !(c->sig = string_bytes(a[3], &c->sig_len))) {
        vax_cose_free(c);
        return VAX_ENOMEM;
    }
    if (c->prot_len) {
        if (!(ph = load_one(c->prot, c->prot_len)) || !cbor_isa_map(ph)) {
            set_why(why, whysize, _("The COSE protected header is not a CBOR map."));
            goto bad;
        }
        header_fields(c, ph);
        cbor_decref(&ph);
    }
    header_fields(c, a[1]);
    if (!(c->claims = load_one(c->payload, c->payload_len)) || !cbor_isa_map(c->claims)) {
        set_why(why, whysize, _("The COSE payload is not a CWT claims map."));
        goto bad;
    }
    cbor_item_t *v;
    if ((v = map_get_int(c->claims, CWT_EXP)) && get_int(v, &c->exp))
        c->has_exp = 1;
    if ((v = map_get_int(c->claims, CWT_IAT)))
        get_int(v, &c->iat);
    get_text(map_get_int(c->claims, CWT_ISS), c->iss, sizeof c->iss);
    v = map_get_int(c->claims, CWT_HCERT);
    c->hcert = map_get_int(v, 1);
    *out = c;
    return VAX_OK;
bad:
    if (ph)
        cbor_decref(&ph);
    vax_cose_free(c);
    return VAX_EINVAL;
}

void vax_cose_times(const vax_cose *c, int64_t *iat, int64_t *exp, int *has_exp)
{
    *iat = c->iat;
    *exp = c->exp;
    *has_exp = c->has_exp;
}

int vax_cose_claims_json(const vax_cose *c, char **json)
{
    return item_json(c->claims, json);
}

int vax_cose_hcert_json(const vax_cose *c, char **json)
{
    if (!c->hcert)
        return VAX_ENOTFOUND;
    return item_json(c->hcert, json);
}

/* Sig_structure (RFC 9052 section 4.4): ["Signature1", protected, external_aad = h'', payload]. */
static int sig_structure(const uint8_t *prot, size_t plen, const uint8_t *payload, size_t n,
                         uint8_t **out, size_t *outn)
{
    cbor_item_t *a = cbor_new_definite_array(4);
    int ok = a != NULL;
    ok = ok && cbor_array_push(a, cbor_move(cbor_build_string("Signature1")));
    ok = ok && cbor_array_push(a, cbor_move(cbor_build_bytestring(prot, plen)));
    ok = ok && cbor_array_push(a, cbor_move(cbor_build_bytestring(NULL, 0)));
    ok = ok && cbor_array_push(a, cbor_move(cbor_build_bytestring(payload, n)));
    size_t cap = 0;
    *outn = ok ? cbor_serialize_alloc(a, out, &cap) : 0;
    if (a)
        cbor_decref(&a);
    return ok && *outn ? VAX_OK : VAX_ENOMEM;
}

static int cose_verify_cert(const vax_cose *c, X509 *cert)
{
    uint8_t *tbs;
    size_t n;
    if (sig_structure(c->prot, c->prot_len, c->payload, c->payload_len, &tbs, &n) != VAX_OK)
        return 0;
    int ok = vax_cose_verify_raw(cert, c->alg, tbs, n, c->sig, c->sig_len);
    free(tbs);
    return ok;
}

int vax_cose_verify_der(const vax_cose *c, const uint8_t *der, size_t n)
{
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)n);
    uint8_t kid[8];
    if (!cert)
        return 0;
    /* the message must name this certificate: its kid (protected header first) is the cert's */
    int ok = vax_cert_kid(cert, kid) == VAX_OK && c->kid_len == 8 && !memcmp(kid, c->kid, 8) &&
             cose_verify_cert(c, cert);
    X509_free(cert);
    return ok;
}

/* The kind of certificate: 'v', 't' or 'r' for the group the hcert holds, 0 if none. */
static char hcert_kind(const cbor_item_t *h)
{
    static const char kinds[] = "vtr";
    for (int i = 0; h && cbor_isa_map(h) && i < 3; i++) {
        char key[2] = {kinds[i], 0};
        const cbor_item_t *g = map_get_str(h, key);
        if (g && cbor_isa_array(g) && cbor_array_size(g) > 0)
            return kinds[i];
    }
    return 0;
}

/* Document signer key usage (eHealth Network, DCC certificate governance): extended key usages
 * 1.3.6.1.4.1.1847.2021.1.1 test, .1.2 vaccination, .1.3 recovery; early issuers wrote the arc
 * as 1.3.6.1.4.1.0.1847.2021.1.x, which verifiers accept too. A certificate without the extended
 * key usage extension signs every kind; one with it signs only what it lists (RFC 5280 4.2.1.12),
 * so a list without any DCC usage (e.g. only the ICAO document signer's) signs none. */
static int key_usage_allows(X509 *cert, char kind)
{
    int crit = 0;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(cert, NID_ext_key_usage, &crit, NULL);
    if (!eku)
        return crit == -1; /* -1: absent; anything else: present but unreadable */
    int named = 0, allowed = 0, any = 0;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        char oid[80];
        OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(eku, i), 1);
        any |= !strcmp(oid, "2.5.29.37.0"); /* anyExtendedKeyUsage */
        const char *tail = NULL;
        if (!strncmp(oid, "1.3.6.1.4.1.1847.2021.1.", 24))
            tail = oid + 24;
        else if (!strncmp(oid, "1.3.6.1.4.1.0.1847.2021.1.", 26))
            tail = oid + 26;
        if (!tail || tail[1] || tail[0] < '1' || tail[0] > '3')
            continue;
        named = 1;
        allowed |= "tvr"[tail[0] - '1'] == kind;
    }
    int empty = sk_ASN1_OBJECT_num(eku) == 0; /* malformed, but it restricts nothing */
    EXTENDED_KEY_USAGE_free(eku);
    return named ? allowed : any || empty;
}

int vax_cose_key_usage_der(const vax_cose *c, const uint8_t *der, size_t n)
{
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)n);
    if (!cert)
        return 0;
    int ok = key_usage_allows(cert, hcert_kind(c->hcert));
    X509_free(cert);
    return ok;
}

/* ---- the DCC schema (eu-dcc-schema, versions 1.0.0 to 1.3.0) -------------------------------- */

typedef struct schema_ctx {
    char *why;
    size_t size;
    int minor;      /* 0 for 1.0.x, 3 for 1.3.x */
    int64_t issued; /* the CWT's issued-at, 0 when unknown (bare hcert CBOR) */
} schema_ctx;

static int schema_fail(schema_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int schema_fail(schema_ctx *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (x->why && x->size)
        vsnprintf(x->why, x->size, fmt, ap);
    va_end(ap);
    return 0;
}

/* dob: "^((19|20)\d\d(-\d\d){0,2}){0,1}$". Schemas before 1.2 had an unanchored full-date
 * pattern, so a date followed by a time passed there. */
static int match_dob(const char *s, int minor)
{
    size_t n = strlen(s);
    if (minor < 2 && n > 10 && s[10] == 'T')
        n = 10;
    if (n == 0)
        return 1;
    if (n != 4 && n != 7 && n != 10)
        return 0;
    if (strncmp(s, "19", 2) != 0 && strncmp(s, "20", 2) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

/* JSON Schema's maxLength counts characters (code points), not bytes. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int text_field(schema_ctx *x, const cbor_item_t *map, const char *k, int required,
                      size_t maxlen, char *buf, size_t size)
{
    const cbor_item_t *v = map_get_str(map, k);
    buf[0] = 0;
    if (!v)
        return required ? schema_fail(x, _("%s is missing."), k) : 1;
    if (cbor_isa_tag(v)) {
        /* a date-time string may come tagged (tag 0, RFC 8949); the text is what counts */
        cbor_item_t *in = cbor_tag_item(v);
        int ok = cbor_isa_string(in) && get_text(in, buf, size);
        cbor_decref(&in);
        if (!ok)
            return schema_fail(x, _("%s is not text."), k);
    } else if (!cbor_isa_string(v) || !get_text(v, buf, size))
        return schema_fail(x, _("%s is not text."), k);
    if (maxlen && utf8_chars(buf) > maxlen)
        return schema_fail(x, _("%s is too long."), k);
    return 1;
}

static int icao_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || *s == '<'))
            return 0;
    return 1;
}

/* ISO 3166-1 keeps AA, QM-QZ, XA-XZ and ZZ for private use: they never name a country. XK is
 * the exception the EU value set (country-2-codes) makes, for Kosovo. */
static int user_assigned_country(const char *s)
{
    if (strlen(s) != 2 || strcmp(s, "XK") == 0)
        return 0;
    return strcmp(s, "AA") == 0 || strcmp(s, "ZZ") == 0 || s[0] == 'X' ||
           (s[0] == 'Q' && s[1] >= 'M' && s[1] <= 'Z');
}

static int country_ok(const char *s, int minor)
{
    if (user_assigned_country(s))
        return 0;
    /* "[A-Z]{1,10}" from 1.3.0 on (unanchored: one capital letter somewhere) */
    if (minor < 3)
        return 1;
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return 1;
    return 0;
}

/* A run of nines ("9999", "ORG-99999999") is the filler issuing systems write when they do not
 * know the device or manufacturer; it names nothing in the value sets, so the entry is incomplete.
 */
static int placeholder_code(const char *s)
{
    if (strncmp(s, "ORG-", 4) == 0)
        s += 4;
    size_t n = strspn(s, "9");
    return n >= 4 && s[n] == 0;
}

static int posint_field(schema_ctx *x, const cbor_item_t *map, const char *k)
{
    const cbor_item_t *v = map_get_str(map, k);
    int64_t n;
    if (!v)
        return schema_fail(x, _("%s is missing."), k);
    if (!cbor_isa_uint(v) || !get_int(v, &n))
        return schema_fail(x, _("%s is not a positive whole number."), k);
    /* 1.0 issuers wrote 0 for a dose number or series they did not know (the reference test
     * data of that version expects it to pass); from 1.1 on the minimum of 1 holds. */
    if (n < (x->minor == 0 ? 0 : 1))
        return schema_fail(x, _("%s must be at least 1."), k);
    return 1;
}

static int manufacturer_ok(schema_ctx *x, const cbor_item_t *e)
{
    char buf[512]; /* as the other fields: a longer value, cut, must not read as a run of 9s */
    if (!text_field(x, e, "ma", 0, 0, buf, sizeof buf))
        return 0;
    if (placeholder_code(buf))
        return schema_fail(x, _("%s is a placeholder (%s), not a manufacturer or device code."),
                           "ma", buf);
    return 1;
}

static int entry_ok(schema_ctx *x, const cbor_item_t *e, char kind)
{
    char buf[512];
    if (!cbor_isa_map(e))
        return schema_fail(x, _("The %s entry is not an object."),
                           kind == 'v'   ? "v"
                           : kind == 't' ? "t"
                                         : "r");
    if (!text_field(x, e, "tg", 1, 0, buf, sizeof buf) ||
        !text_field(x, e, "co", 1, 0, buf, sizeof buf))
        return 0;
    if (!country_ok(buf, x->minor))
        return schema_fail(x, _("%s is not a country code."), "co");
    if (!text_field(x, e, "is", 1, x->minor < 3 ? 0 : 80, buf, sizeof buf) ||
        !text_field(x, e, "ci", 1, x->minor < 3 ? 0 : 80, buf, sizeof buf))
        return 0;
    if (kind == 'v') {
        if (!text_field(x, e, "vp", 1, 0, buf, sizeof buf) ||
            !text_field(x, e, "mp", 1, 0, buf, sizeof buf) ||
            !text_field(x, e, "ma", 1, 0, buf, sizeof buf) || !posint_field(x, e, "dn") ||
            !posint_field(x, e, "sd") || !text_field(x, e, "dt", 1, 0, buf, sizeof buf) ||
            !manufacturer_ok(x, e))
            return 0;
    } else if (kind == 't') {
        if (!text_field(x, e, "tt", 1, 0, buf, sizeof buf) ||
            !text_field(x, e, "nm", 0, 0, buf, sizeof buf) ||
            !text_field(x, e, "ma", 0, 0, buf, sizeof buf) ||
            !text_field(x, e, "tr", 1, 0, buf, sizeof buf) ||
            !text_field(x, e, "tc", x->minor >= 3, x->minor < 3 ? 0 : 80, buf, sizeof buf) ||
            !text_field(x, e, "sc", 1, 0, buf, sizeof buf) || !manufacturer_ok(x, e))
            return 0;
        if (!text_field(x, e, "dr", 0, 0, buf, sizeof buf))
            return 0;
    } else {
        static const char *const dates[] = {"fr", "df", "du"};
        for (int i = 0; i < 3; i++) {
            if (!text_field(x, e, dates[i], 1, 0, buf, sizeof buf))
                return 0;
        }
    }
    return 1;
}

/* The first day a birth date written as YYYY, YYYY-MM or YYYY-MM-DD can be, as days since
 * 1970-01-01 (a month of 00 counts as January). */
static int64_t dob_first_day(const char *s)
{
    int y = 0, m = 1, d = 1;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) < 1)
        return INT64_MIN;
    if (m < 1)
        m = 1;
    if (d < 1)
        d = 1;
    return vax_days_from_civil(y, m, d);
}

/* Checks beyond the published schema that the payload does not contradict itself: the person
 * was born before the certificate was issued, and a given name has its transliteration. */
static int hcert_consistent(schema_ctx *x, const cbor_item_t *nam, const char *dob)
{
    char gn[512], gnt[512];
    if (x->issued > 0) {
        int64_t born = dob_first_day(dob);
        if (born != INT64_MIN && dob[0] && born > x->issued / 86400)
            return schema_fail(x, _("%s is after the day the certificate was issued."), "dob");
    }
    if (!text_field(x, nam, "gn", 0, 0, gn, sizeof gn) ||
        !text_field(x, nam, "gnt", 0, 0, gnt, sizeof gnt))
        return 0;
    if (gn[0] && !gnt[0])
        return schema_fail(x, _("%s is given but %s, its transliteration, is empty."), "gn", "gnt");
    return 1;
}

static int hcert_schema_ok(const cbor_item_t *h, int64_t issued, char *why, size_t size)
{
    schema_ctx x = {why, size, 3, issued};
    char ver[32], buf[512];
    int major, minor, patch;
    if (!h || !cbor_isa_map(h))
        return schema_fail(&x, _("The %s payload is not an object."), "hcert");
    if (!text_field(&x, h, "ver", 1, 0, ver, sizeof ver))
        return 0;
    if (sscanf(ver, "%d.%d.%d", &major, &minor, &patch) != 3 || major != 1)
        return schema_fail(&x, _("%s is not a known schema version."), "ver");
    x.minor = minor;
    const cbor_item_t *nam = map_get_str(h, "nam");
    if (!nam)
        return schema_fail(&x, _("%s is missing."), "nam");
    if (!cbor_isa_map(nam))
        return schema_fail(&x, _("%s is not an object."), "nam");
    size_t maxname = 80;
    if (!text_field(&x, nam, "fn", 0, maxname, buf, sizeof buf) ||
        !text_field(&x, nam, "gn", 0, maxname, buf, sizeof buf) ||
        !text_field(&x, nam, "fnt", 1, maxname, buf, sizeof buf))
        return 0;
    if (!icao_ok(buf))
        return schema_fail(&x, _("%s has characters outside A-Z and <."), "fnt");
    if (!text_field(&x, nam, "gnt", 0, maxname, buf, sizeof buf))
        return 0;
    if (!icao_ok(buf))
        return schema_fail(&x, _("%s has characters outside A-Z and <."), "gnt");
    if (!text_field(&x, h, "dob", 1, 0, buf, sizeof buf))
        return 0;
    if (!match_dob(buf, minor))
        return schema_fail(&x, _("%s is not a birth date from 1900 to 2099."), "dob");
    if (!hcert_consistent(&x, nam, buf))
        return 0;
    static const char kinds[] = "vtr";
    int groups = 0;
    for (int i = 0; i < 3; i++) {
        char key[2] = {kinds[i], 0};
        const cbor_item_t *g = map_get_str(h, key);
        /* some issuers write the groups a certificate does not have as null */
        if (!g || (cbor_isa_float_ctrl(g) && cbor_is_null(g)))
            continue;
        groups++;
        /* one entry per certificate from 1.3 on (maxItems); earlier versions allowed several */
        if (!cbor_isa_array(g) || cbor_array_size(g) < 1 || (minor >= 3 && cbor_array_size(g) != 1))
            return schema_fail(&x, _("%s must hold exactly one entry."), key);
        for (size_t e = 0; e < cbor_array_size(g); e++)
            if (!entry_ok(&x, cbor_array_handle(g)[e], kinds[i]))
                return 0;
    }
    if (groups != 1)
        return schema_fail(&x, _("%s: a certificate holds exactly one of v, t and r."), "hcert");
    return 1;
}

int vax_cose_schema_check(const vax_cose *c, char *why, size_t whysize)
{
    return hcert_schema_ok(c->hcert, c->iat, why, whysize) ? VAX_OK : VAX_EINVAL;
}

int vax_hcert_schema_check_cbor(const uint8_t *in, size_t n, char *why, size_t whysize)
{
    cbor_item_t *it = load_one(in, n);
    if (!it) {
        set_why(why, whysize, _("The payload is not well-formed CBOR."));
        return VAX_EINVAL;
    }
    int ok = hcert_schema_ok(it, 0, why, whysize);
    cbor_decref(&it);
    return ok ? VAX_OK : VAX_EINVAL;
}

/* ---- making an HC1 string ------------------------------------------------------------------- */

static cbor_item_t *hcert_item(const vax_hcert *hc)
{
    cbor_item_t *root = cbor_new_definite_map(4), *nam = cbor_new_definite_map(4);
    cbor_item_t *v = cbor_new_definite_map(10), *arr = cbor_new_definite_array(1);
    int ok = root && nam && v && arr;
    ok = ok && map_put_str(root, "ver", "1.3.0");
    if (ok && hc->fn[0])
        ok = map_put_str(nam, "fn", hc->fn);
    ok = ok && map_put_str(nam, "fnt", hc->fnt);
    if (ok && hc->gn[0])
        ok = map_put_str(nam, "gn", hc->gn);
    if (ok && hc->gnt[0])
        ok = map_put_str(nam, "gnt", hc->gnt);
    ok = ok && map_put(root, cbor_build_string("nam"), cbor_incref(nam));
    ok = ok && map_put_str(root, "dob", hc->dob);
    ok = ok && map_put_str(v, "tg", hc->tg) && map_put_str(v, "vp", hc->vp) &&
         map_put_str(v, "mp", hc->mp) && map_put_str(v, "ma", hc->ma) &&
         map_put(v, cbor_build_string("dn"), build_int(hc->dn)) &&
         map_put(v, cbor_build_string("sd"), build_int(hc->sd)) && map_put_str(v, "dt", hc->dt) &&
         map_put_str(v, "co", hc->co) && map_put_str(v, "is", hc->is) &&
         map_put_str(v, "ci", hc->ci);
    ok = ok && cbor_array_push(arr, v);
    ok = ok && map_put(root, cbor_build_string("v"), cbor_incref(arr));
    if (nam)
        cbor_decref(&nam);
    if (v)
        cbor_decref(&v);
    if (arr)
        cbor_decref(&arr);
    if (!ok && root)
        cbor_decref(&root);
    return ok ? root : NULL;
}

static int serialize(cbor_item_t *it, uint8_t **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = it ? cbor_serialize_alloc(it, out, &cap) : 0;
    if (it)
        cbor_decref(&it);
    if (!*n) {
        free(*out);
        *out = NULL;
        return VAX_ENOMEM;
    }
    return VAX_OK;
}

int vax_hc1_make(const vax_hcert *hc, const vax_signer *s, char **hc1)
{
    uint8_t *prot = NULL, *payload = NULL, *tbs = NULL, *sig = NULL, *cose = NULL, *z = NULL;
    size_t plen, paylen, tbslen, siglen, coselen, zlen;
    char *b45 = NULL;
    int rc;
    *hc1 = NULL;

    cbor_item_t *ph = cbor_new_definite_map(2);
    if (ph && (!map_put(ph, build_int(COSE_HDR_ALG), build_int(s->alg)) ||
               !map_put(ph, build_int(COSE_HDR_KID), cbor_build_bytestring(s->kid, 8)))) {
        cbor_decref(&ph);
        ph = NULL;
    }
    if ((rc = serialize(ph, &prot, &plen)) != VAX_OK)
        goto done;

    cbor_item_t *claims = cbor_new_definite_map(4), *hmap = cbor_new_definite_map(1);
    cbor_item_t *h = hcert_item(hc);
    int ok = claims && hmap && h && map_put(hmap, build_int(1), h);
    h = NULL;
    ok = ok && map_put(claims, build_int(CWT_ISS), cbor_build_string(hc->iss));
    ok = ok && map_put(claims, build_int(CWT_IAT), build_int(hc->iat));
    ok = ok && map_put(claims, build_int(CWT_EXP), build_int(hc->exp));
    ok = ok && map_put(claims, build_int(CWT_HCERT), cbor_incref(hmap));
    if (h)
        cbor_decref(&h);
    if (hmap)
        cbor_decref(&hmap);
    if (!ok && claims)
        cbor_decref(&claims);
    if ((rc = serialize(ok ? claims : NULL, &payload, &paylen)) != VAX_OK)
        goto done;

    if ((rc = sig_structure(prot, plen, payload, paylen, &tbs, &tbslen)) != VAX_OK)
        goto done;
    if ((rc = vax_cose_sign_raw(s->key, s->alg, tbs, tbslen, &sig, &siglen)) != VAX_OK)
        goto done;

    cbor_item_t *arr = cbor_new_definite_array(4);
    ok = arr && cbor_array_push(arr, cbor_move(cbor_build_bytestring(prot, plen))) &&
         cbor_array_push(arr, cbor_move(cbor_new_definite_map(0))) &&
         cbor_array_push(arr, cbor_move(cbor_build_bytestring(payload, paylen))) &&
         cbor_array_push(arr, cbor_move(cbor_build_bytestring(sig, siglen)));
    cbor_item_t *tagged = ok ? cbor_build_tag(18, arr) : NULL;
    if (arr)
        cbor_decref(&arr);
    if ((rc = serialize(tagged, &cose, &coselen)) != VAX_OK)
        goto done;
    if ((rc = zlib_deflate(cose, coselen, &z, &zlen)) != VAX_OK)
        goto done;
    if ((rc = vax_base45_encode(z, zlen, &b45)) != VAX_OK)
        goto done;
    *hc1 = malloc(strlen(b45) + sizeof HC1_PREFIX);
    if (!*hc1) {
        rc = VAX_ENOMEM;
        goto done;
    }
    strcpy(*hc1, HC1_PREFIX);
    strcat(*hc1, b45);
done:
    free(prot);
    free(payload);
    free(tbs);
    free(sig);
    free(cose);
    free(z);
    free(b45);
    return rc;
}

/* ---- verifying ------------------------------------------------------------------------------ */

static const char *const result_codes[] = {
#define VAX_CERT_RESULT_CODE(name, code, words) code,
    VAX_CERT_RESULT_LIST(VAX_CERT_RESULT_CODE)
#undef VAX_CERT_RESULT_CODE
};
static const char *const result_words[] = {
#define VAX_CERT_RESULT_WORDS(name, code, words) N_(words),
    VAX_CERT_RESULT_LIST(VAX_CERT_RESULT_WORDS)
#undef VAX_CERT_RESULT_WORDS
};

const char *vax_cert_result_code(vax_cert_result r)
{
    return (unsigned)r < sizeof result_codes / sizeof result_codes[0] ? result_codes[r] : "?";
}

const char *vax_cert_result_label(vax_cert_result r)
{
    return (unsigned)r < sizeof result_words / sizeof result_words[0] ? _(result_words[r]) : "?";
}

void vax_cert_check_free(vax_cert_check *c)
{
    if (c) {
        free(c->json);
        c->json = NULL;
    }
}

static void fill_hcert(const vax_cose *c, vax_hcert *hc)
{
    const cbor_item_t *h = c->hcert, *nam = map_get_str(h, "nam"), *e = NULL;
    int64_t n;
    memset(hc, 0, sizeof *hc);
    vax_strlcpy(hc->iss, c->iss, sizeof hc->iss);
    hc->iat = c->iat;
    hc->exp = c->exp;
    get_text(map_get_str(nam, "fn"), hc->fn, sizeof hc->fn);
    get_text(map_get_str(nam, "gn"), hc->gn, sizeof hc->gn);
    get_text(map_get_str(nam, "fnt"), hc->fnt, sizeof hc->fnt);
    get_text(map_get_str(nam, "gnt"), hc->gnt, sizeof hc->gnt);
    get_text(map_get_str(h, "dob"), hc->dob, sizeof hc->dob);
    static const char kinds[] = "vtr";
    for (int i = 0; i < 3 && !e; i++) {
        char key[2] = {kinds[i], 0};
        const cbor_item_t *g = map_get_str(h, key);
        if (g && cbor_isa_array(g) && cbor_array_size(g) >= 1) {
            e = cbor_array_handle(g)[0];
            hc->type = kinds[i];
        }
    }
    if (!e)
        return;
    get_text(map_get_str(e, "tg"), hc->tg, sizeof hc->tg);
    get_text(map_get_str(e, "vp"), hc->vp, sizeof hc->vp);
    get_text(map_get_str(e, "mp"), hc->mp, sizeof hc->mp);
    get_text(map_get_str(e, "ma"), hc->ma, sizeof hc->ma);
    const cbor_item_t *dn = map_get_str(e, "dn"), *sd = map_get_str(e, "sd");
    if (dn && get_int(dn, &n))
        hc->dn = (int)n;
    if (sd && get_int(sd, &n))
        hc->sd = (int)n;
    get_text(map_get_str(e, hc->type == 'v'   ? "dt"
                            : hc->type == 't' ? "sc"
                                              : "fr"),
             hc->dt, sizeof hc->dt);
    get_text(map_get_str(e, "co"), hc->co, sizeof hc->co);
    get_text(map_get_str(e, "is"), hc->is, sizeof hc->is);
    get_text(map_get_str(e, "ci"), hc->ci, sizeof hc->ci);
}

static int is_revoked(const char *list, const char *ci)
{
    size_t n = strlen(ci);
    if (!list || !n)
        return 0;
    for (const char *l = list; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        while (len && (l[len - 1] == '\r' || l[len - 1] == ' ' || l[len - 1] == '\t'))
            len--;
        while (len && (*l == ' ' || *l == '\t'))
            l++, len--;
        if (len == n && l[0] != '#' && memcmp(l, ci, n) == 0)
            return 1;
        if (!e)
            break;
        l = e + 1;
    }
    return 0;
}

static X509 *trust_find(const vax_trust *t, const uint8_t *kid, size_t n)
{
    for (int i = 0; t && i < t->n; i++)
        if (n == 8 && memcmp(t->e[i].kid, kid, 8) == 0)
            return t->e[i].cert;
    return NULL;
}

static int verdict(vax_cert_check *out, vax_cert_result r, const char *why)
{
    out->result = r;
    vax_strlcpy(out->why, why ? why : "", sizeof out->why);
    return VAX_OK;
}

int vax_hc1_verify(const char *text, const vax_trust *trust, const char *revoked, int64_t now,
                   vax_cert_check *out)
{
    uint8_t *z = NULL, *raw = NULL;
    size_t zn, rn;
    vax_cose *c = NULL;
    char why[256] = "";
    int rc;
    memset(out, 0, sizeof *out);
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\n' || text[len - 1] == '\r' ||
                   text[len - 1] == '\t'))
        len--;
    if (len < 4 || memcmp(text, HC1_PREFIX, 4) != 0)
        return verdict(out, VAX_CERT_BAD_PREFIX, _("The text does not begin with HC1:."));
    rc = vax_base45_decode(text + 4, len - 4, &z, &zn);
    if (rc == VAX_ENOMEM)
        return rc;
    if (rc != VAX_OK)
        return verdict(out, VAX_CERT_BAD_BASE45, _("The text after HC1: is not base45."));
    rc = vax_zlib_inflate(z, zn, &raw, &rn);
    free(z);
    if (rc == VAX_ENOMEM)
        return rc;
    if (rc != VAX_OK)
        return verdict(out, VAX_CERT_BAD_ZLIB, _("The data is not a complete zlib stream."));
    rc = vax_cose_parse(raw, rn, &c, why, sizeof why);
    free(raw);
    if (rc == VAX_ENOMEM)
        return rc;
    if (rc != VAX_OK)
        return verdict(out, VAX_CERT_BAD_COSE, why);
    if (!c->hcert) {
        vax_cose_free(c);
        return verdict(out, VAX_CERT_BAD_COSE, _("The CWT holds no health certificate."));
    }
    out->decoded = 1;
    out->alg = c->alg;
    fill_hcert(c, &out->hc);
    if ((rc = item_json(c->hcert, &out->json)) != VAX_OK) {
        vax_cose_free(c);
        return rc;
    }
    if (c->kid_len) {
        unsigned char b64[96];
        EVP_EncodeBlock(b64, c->kid, (int)(c->kid_len > 64 ? 64 : c->kid_len));
        vax_strlcpy(out->kid, (const char *)b64, sizeof out->kid);
    }
    X509 *cert = trust_find(trust, c->kid, c->kid_len);
    if (!cert)
        rc = verdict(out, VAX_CERT_UNKNOWN_KID,
                     _("No certificate in the trust list has this key identifier."));
    else if (!cose_verify_cert(c, cert))
        rc = verdict(out, VAX_CERT_BAD_SIGNATURE,
                     _("The signature does not match the signer's key."));
    else if (!key_usage_allows(cert, hcert_kind(c->hcert)))
        rc = verdict(out, VAX_CERT_KEY_USAGE,
                     _("The signer's certificate may not sign this kind of certificate "
                       "(its extended key usage)."));
    else if (c->has_exp && c->exp < now)
        rc = verdict(out, VAX_CERT_EXPIRED, _("The certificate's validity has ended."));
    else if (c->iat > now + 300)
        rc = verdict(out, VAX_CERT_EXPIRED, _("The certificate says it was issued in the future."));
    else if (!hcert_schema_ok(c->hcert, c->iat, why, sizeof why))
        rc = verdict(out, VAX_CERT_SCHEMA, why);
    else if (is_revoked(revoked, out->hc.ci))
        rc = verdict(out, VAX_CERT_REVOKED, _("The certificate is on the revocation list."));
    else
        rc = verdict(out, VAX_CERT_VALID, "");
    vax_cose_free(c);
    return rc;
}

/* ---- certificates issued at this site ------------------------------------------------------- */

#define CERT_TG_COVID "840539006" /* SNOMED CT: COVID-19 (DCC value set disease-agent-targeted) */
#define CERT_COLS                                                                                  \
    "c.id, c.uuid, c.dose_id, c.person_id, c.ci, c.issued_at, c.expires_at, c.revoked_at,"         \
    " c.revoke_reason, coalesce(c.replaced_by, 0), c.hc1, coalesce(pr.name, d.product),"           \
    " coalesce(nullif(d.lot_no, ''), (SELECT l.lot_no FROM lot l WHERE l.id = d.lot_id), ''),"     \
    " c.stale"
#define CERT_FROM                                                                                  \
    " FROM certificate c JOIN dose d ON d.id = c.dose_id LEFT JOIN product pr ON pr.code = "       \
    "d.product"

static void row_to_cert(vax_db *db, sqlite3_stmt *st, vax_certificate *c)
{
    vax_cert_check chk;
    vax_site site;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(c->uuid, vax_col_text(st, 1), sizeof c->uuid);
    c->dose_id = sqlite3_column_int64(st, 2);
    c->person_id = sqlite3_column_int64(st, 3);
    vax_strlcpy(c->ci, vax_col_text(st, 4), sizeof c->ci);
    c->issued_at = sqlite3_column_int64(st, 5);
    c->expires_at = sqlite3_column_int64(st, 6);
    c->revoked_at = sqlite3_column_int64(st, 7);
    vax_strlcpy(c->revoke_reason, vax_col_text(st, 8), sizeof c->revoke_reason);
    c->replaced_by = sqlite3_column_int64(st, 9);
    vax_strlcpy(c->hc1, vax_col_text(st, 10), sizeof c->hc1);
    vax_strlcpy(c->product_name, vax_col_text(st, 11), sizeof c->product_name);
    vax_strlcpy(c->lot_no, vax_col_text(st, 12), sizeof c->lot_no);
    vax_strlcpy(c->stale, vax_col_text(st, 13), sizeof c->stale);
    /* what it says is read back from the signed string itself */
    if (vax_hc1_verify(c->hc1, NULL, NULL, 0, &chk) == VAX_OK && chk.decoded)
        c->hc = chk.hc;
    vax_cert_check_free(&chk);
    if (vax_site_get(db, &site) == VAX_OK)
        vax_site_display_name(&site, c->site_name, sizeof c->site_name);
}

static int read_one(vax_db *db, const char *where, int64_t id, const char *text,
                    vax_certificate *out, const char *what)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT " CERT_COLS CERT_FROM " WHERE %s", where);
    sqlite3_stmt *st = vax_stmt(db, sql);
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_cert(db, st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "certificate", _("Certificate: %s not found."), what);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading a certificate"));
    return VAX_OK;
}

int vax_cert_get(vax_db *db, int64_t id, vax_certificate *out)
{
    char what[32];
    snprintf(what, sizeof what, "%lld", (long long)id);
    return read_one(db, "c.id = ?1", id, NULL, out, what);
}

int vax_cert_by_ci(vax_db *db, const char *ci, vax_certificate *out)
{
    return read_one(db, "c.ci = ?1", 0, ci ? ci : "", out, ci ? ci : "");
}

int vax_cert_for_dose(vax_db *db, int64_t dose_id, vax_certificate *out)
{
    char what[64];
    snprintf(what, sizeof what, _("for dose %lld"), (long long)dose_id);
    return read_one(db, "c.dose_id = ?1 AND c.revoked_at = 0", dose_id, NULL, out, what);
}

int vax_cert_list_for_person(vax_db *db, int64_t person_id, vax_certificate *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT c.id FROM certificate c WHERE c.person_id = ?1"
                                    " AND c.revoked_at = 0 ORDER BY c.issued_at DESC, c.id DESC");
    int64_t ids[64];
    int k = 0, rc;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    while (k < max && k < 64 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        ids[k++] = sqlite3_column_int64(st, 0);
    if (k < max && k < 64 && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return vax_fail_sql(db, rc, _("reading certificates"));
    }
    sqlite3_reset(st);
    for (int i = 0; i < k; i++)
        if ((rc = vax_cert_get(db, ids[i], &out[(*n)++])) != VAX_OK)
            return rc;
    return VAX_OK;
}

/* The site code as it may stand in a UVCI: capitals and digits, at most 16. */
static void uvci_make(const char *site_code, const char *uuid, char out[81])
{
    char site[17], opaque[25];
    size_t k = 0;
    for (const char *s = site_code; *s && k < 16; s++) {
        char c = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            site[k++] = c;
    }
    site[k] = 0;
    if (!k)
        vax_strlcpy(site, "SITE", sizeof site);
    k = 0;
    for (const char *s = uuid; *s && k < 24; s++)
        if (*s != '-')
            opaque[k++] = *s >= 'a' && *s <= 'f' ? (char)(*s - 'a' + 'A') : *s;
    opaque[k] = 0;
    snprintf(out, 81, "URN:UVCI:01:VN:%s/%s", site, opaque);
    size_t n = strlen(out);
    char check = vax_uvci_check_char(out);
    out[n] = '#';
    out[n + 1] = check;
    out[n + 2] = 0;
}

/* Splits a Vietnamese full name: the family name comes first ("Nguyễn | Văn Hùng"). */
static void split_name(const char *full, char fn[81], char gn[81])
{
    const char *sp = strchr(full, ' ');
    size_t flen = sp ? (size_t)(sp - full) : strlen(full);
    snprintf(fn, 81, "%.*s", (int)(flen < 80 ? flen : 80), full);
    vax_strlcpy(gn, sp ? sp + 1 : "", 81);
}

/* sd of dose number dn, as the EU DCC guidelines on dose numbering set it (the value-set
 * guidelines of the eHealth Network, "dn/sd"): sd is the number of doses in the primary series
 * of the product that began the series, whatever product gave this dose (AZ then Pfizer is 2/2);
 * a booster or additional dose after a series of two or more is n/n (3/3, then 4/4); a booster
 * after a one-dose series keeps sd 1 (Janssen then Pfizer is 2/1, a second booster 3/1), which
 * is how a verifier tells that booster from a second dose of a two-dose series. On entry *sd
 * holds the series of this dose's own product: the fall-back when the first dose's product is
 * not in the catalogue. */
static int series_total(vax_db *db, int64_t dose_id, int dn, int *sd)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT pr.series_doses FROM dose d JOIN dose f ON f.person_id = d.person_id"
            " AND f.series = d.series AND f.voided = 0 JOIN product pr ON pr.code = f.product"
            " WHERE d.id = ?1 ORDER BY f.dose_number, f.given_at, f.id LIMIT 1");
    int rc, primary = *sd;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, dose_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0)
        primary = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the dose"));
    *sd = dn <= primary ? primary : primary == 1 ? 1 : dn;
    return VAX_OK;
}

typedef struct draft {
    vax_certificate c;
    char kid_b64[16];
} draft;

/* Reads the dose, person, product and site as they are now, and signs a new certificate. */
static int cert_draft(vax_db *db, int64_t dose_id, draft *d)
{
    sqlite3_stmt *st = vax_stmt(
        db, "SELECT d.person_id, d.dose_number, d.given_at, d.voided, p.full_name, p.birth_date,"
            " pr.series_doses, pr.dcc_vp, pr.dcc_mp, pr.dcc_ma, pr.name, d.product,"
            " coalesce(nullif(d.lot_no, ''), (SELECT l.lot_no FROM lot l WHERE l.id = d.lot_id),"
            " '') FROM dose d JOIN person p ON p.id = d.person_id"
            " LEFT JOIN product pr ON pr.code = d.product WHERE d.id = ?1");
    vax_hcert *hc = &d->c.hc;
    vax_signer *s = NULL;
    char dir[4096], buf[256], *hc1 = NULL;
    int voided, rc, has_product;
    int64_t days;
    vax_site site;
    memset(d, 0, sizeof *d);
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, dose_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        d->c.dose_id = dose_id;
        d->c.person_id = sqlite3_column_int64(st, 0);
        hc->dn = sqlite3_column_int(st, 1);
        vax_local_date(sqlite3_column_int64(st, 2), hc->dt);
        voided = sqlite3_column_int(st, 3);
        split_name(vax_col_text(st, 4), hc->fn, hc->gn);
        vax_strlcpy(hc->dob, vax_col_text(st, 5), sizeof hc->dob);
        has_product = sqlite3_column_type(st, 6) != SQLITE_NULL;
        hc->sd = sqlite3_column_int(st, 6);
        vax_strlcpy(hc->vp, vax_col_text(st, 7), sizeof hc->vp);
        vax_strlcpy(hc->mp, vax_col_text(st, 8), sizeof hc->mp);
        vax_strlcpy(hc->ma, vax_col_text(st, 9), sizeof hc->ma);
        vax_strlcpy(d->c.product_name, vax_col_text(st, 10), sizeof d->c.product_name);
        vax_strlcpy(buf, vax_col_text(st, 11), sizeof buf);
        vax_strlcpy(d->c.lot_no, vax_col_text(st, 12), sizeof d->c.lot_no);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "dose", _("Dose: no dose %lld."), (long long)dose_id);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading the dose"));
    if (voided)
        return vax_fail(db, VAX_ESTATE, "dose",
                        _("Dose: this dose was voided; certify the dose that corrected it."));
    if (!has_product || !hc->vp[0] || !hc->mp[0] || !hc->ma[0])
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: %s has no certificate codes in the catalogue."), buf);
    if ((rc = series_total(db, dose_id, hc->dn, &hc->sd)) != VAX_OK)
        return rc;
    if ((rc = vax_site_get(db, &site)) != VAX_OK)
        return rc;
    /* the stand-in a check-in makes before any set-up: a certificate names its site on the card
     * and in the UVCI, and one signed under "SITE" would say so for ever */
    if (!site.is_demo && strcmp(site.code, "SITE") == 0)
        return vax_fail(db, VAX_ESTATE, "site",
                        _("Certificate: this site is not set up yet, and a certificate names its "
                          "site; set it up first with 'vaxsite site init'."));
    vax_site_display_name(&site, d->c.site_name, sizeof d->c.site_name);
    vax_icao_name(hc->fn, hc->fnt, sizeof hc->fnt);
    vax_icao_name(hc->gn, hc->gnt, sizeof hc->gnt);
    if (!hc->fnt[0])
        return vax_fail(db, VAX_EINVAL, "full_name",
                        _("Full name: it has no letters for the certificate."));
    vax_strlcpy(hc->tg, CERT_TG_COVID, sizeof hc->tg);
    vax_strlcpy(hc->co, "VN", sizeof hc->co);
    vax_strlcpy(hc->iss, "VN", sizeof hc->iss);
    vax_setting_text(db, "cert.issuer", hc->is, sizeof hc->is);
    days = vax_setting_int(db, "cert.valid_days");
    if ((rc = vax_uuid(d->c.uuid)) != VAX_OK)
        return vax_fail(db, rc, "uuid", _("Certificate: no random id could be made."));
    uvci_make(site.code, d->c.uuid, hc->ci);
    vax_strlcpy(d->c.ci, hc->ci, sizeof d->c.ci);
    hc->iat = d->c.issued_at = vax_now();
    hc->exp = d->c.expires_at = hc->iat + days * 86400;
    if ((rc = vax_keys_dir(db, dir, sizeof dir)) != VAX_OK ||
        (rc = vax_signer_load(db, dir, &s)) != VAX_OK)
        return rc;
    uint8_t kid[8];
    unsigned char b64[16];
    vax_signer_kid(s, kid);
    EVP_EncodeBlock(b64, kid, 8);
    vax_strlcpy(d->kid_b64, (const char *)b64, sizeof d->kid_b64);
    rc = vax_hc1_make(hc, s, &hc1);
    vax_signer_free(s);
    if (rc != VAX_OK)
        return vax_fail(db, rc, "certificate", _("Certificate: it could not be signed."));
    if (strlen(hc1) >= sizeof d->c.hc1) {
        free(hc1);
        return vax_fail(db, VAX_EINVAL, "full_name",
                        _("Full name: too long to fit in a certificate's QR code."));
    }
    vax_strlcpy(d->c.hc1, hc1, sizeof d->c.hc1);
    free(hc1);
    return VAX_OK;
}

static int insert_cert(vax_db *db, draft *d)
{
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO certificate(uuid, dose_id, person_id, ci, kid, issued_at, expires_at,"
            " hc1, created_at, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?6,"
            " ?6, ?9)");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, d->c.uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, d->c.dose_id);
    sqlite3_bind_int64(st, 3, d->c.person_id);
    sqlite3_bind_text(st, 4, d->c.ci, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, d->kid_b64, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, d->c.issued_at);
    sqlite3_bind_int64(st, 7, d->c.expires_at);
    sqlite3_bind_text(st, 8, d->c.hc1, -1, SQLITE_STATIC);
    vax_bind_actor(db, st, 9);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("saving the certificate"));
    d->c.id = sqlite3_last_insert_rowid(db->sql);
    return vax_audit(db, "certificate.issue", "certificate", d->c.id, d->c.ci);
}

static int in_force_for_dose(vax_db *db, int64_t dose_id, char ci[81])
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT ci FROM certificate WHERE dose_id = ?1 AND revoked_at = 0");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, dose_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        vax_strlcpy(ci, vax_col_text(st, 0), 81);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return vax_fail_sql(db, rc, _("reading certificates"));
}

int vax_cert_issue(vax_db *db, int64_t dose_id, vax_certificate *out)
{
    draft *d = malloc(sizeof *d);
    char ci[81];
    int rc;
    vax_clear_error(db);
    if (!d)
        return VAX_ENOMEM;
    if ((rc = vax_require(db, VAX_ACT_OBSERVE)) != VAX_OK)
        goto out;
    if ((rc = cert_draft(db, dose_id, d)) != VAX_OK)
        goto out;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = in_force_for_dose(db, dose_id, ci)) != 0) {
        if (rc == 1)
            rc = vax_fail(db, VAX_EEXIST, "dose", _("Dose: it already has certificate %s."), ci);
        goto fail;
    }
    if ((rc = insert_cert(db, d)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        goto out;
    if (out)
        *out = d->c;
    free(d);
    return VAX_OK;
fail:
    vax_tx_rollback(db);
out:
    free(d);
    return rc;
}

static int revoke_locked(vax_db *db, const vax_certificate *old, const char *reason,
                         int64_t replaced_by)
{
    sqlite3_stmt *st = vax_stmt(db, "UPDATE certificate SET revoked_at = ?2, revoke_reason = ?3,"
                                    " replaced_by = nullif(?4, 0), updated_at = ?2,"
                                    " updated_by = nullif(?5, 0) WHERE id = ?1 AND revoked_at = 0");
    char uuid[37];
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    int64_t now = vax_now();
    sqlite3_bind_int64(st, 1, old->id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, replaced_by);
    sqlite3_bind_int64(st, 5, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("revoking the certificate"));
    if (sqlite3_changes(db->sql) != 1)
        return vax_fail(db, VAX_ESTATE, "certificate", _("Certificate: %s was revoked already."),
                        old->ci);
    if ((rc = vax_uuid(uuid)) != VAX_OK)
        return vax_fail(db, rc, "uuid", _("Certificate: no random id could be made."));
    st = vax_stmt(db, "INSERT INTO certificate_revocation(uuid, certificate_id, ci, revoked_at,"
                      " reason, created_at, updated_at, updated_by)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?4, nullif(?6, 0))");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, old->id);
    sqlite3_bind_text(st, 3, old->ci, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("revoking the certificate"));
    return vax_audit(db, "certificate.revoke", "certificate", old->id, reason);
}

static int check_reason(vax_db *db, const char *reason)
{
    for (const char *s = reason ? reason : ""; *s; s++)
        if (*s != ' ' && *s != '\t')
            return VAX_OK;
    return vax_fail(db, VAX_EINVAL, "reason", _("Reason: say why (it is kept with the record)."));
}

int vax_cert_revoke(vax_db *db, int64_t cert_id, const char *reason)
{
    vax_certificate *old = malloc(sizeof *old);
    int rc;
    vax_clear_error(db);
    if (!old)
        return VAX_ENOMEM;
    if ((rc = vax_require(db, VAX_ACT_OVERRIDE)) != VAX_OK ||
        (rc = check_reason(db, reason)) != VAX_OK ||
        (rc = vax_cert_get(db, cert_id, old)) != VAX_OK)
        goto out;
    if (old->revoked_at) {
        rc = vax_fail(db, VAX_ESTATE, "certificate", _("Certificate: %s was revoked already."),
                      old->ci);
        goto out;
    }
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = revoke_locked(db, old, reason, 0)) != VAX_OK) {
        vax_tx_rollback(db);
        goto out;
    }
    rc = vax_tx_commit(db);
out:
    free(old);
    return rc;
}

int vax_cert_reissue(vax_db *db, int64_t cert_id, const char *reason, vax_certificate *out)
{
    vax_certificate *old = malloc(sizeof *old);
    draft *d = malloc(sizeof *d);
    sqlite3_stmt *st;
    int rc;
    vax_clear_error(db);
    if (!old || !d) {
        rc = VAX_ENOMEM;
        goto out;
    }
    if ((rc = vax_require(db, VAX_ACT_OVERRIDE)) != VAX_OK ||
        (rc = check_reason(db, reason)) != VAX_OK ||
        (rc = vax_cert_get(db, cert_id, old)) != VAX_OK)
        goto out;
    if (old->revoked_at) {
        rc =
            vax_fail(db, VAX_ESTATE, "certificate",
                     _("Certificate: %s was revoked already; re-issue the one in force."), old->ci);
        goto out;
    }
    if ((rc = cert_draft(db, old->dose_id, d)) != VAX_OK)
        goto out;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = revoke_locked(db, old, reason, 0)) != VAX_OK || (rc = insert_cert(db, d)) != VAX_OK)
        goto fail;
    if (!(st = vax_stmt(db, "UPDATE certificate SET replaced_by = ?2 WHERE id = ?1"))) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, old->id);
    sqlite3_bind_int64(st, 2, d->c.id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("re-issuing the certificate"));
        goto fail;
    }
    if ((rc = vax_audit(db, "certificate.reissue", "certificate", d->c.id, reason)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        goto out;
    if (out)
        *out = d->c;
    goto out;
fail:
    vax_tx_rollback(db);
out:
    free(old);
    free(d);
    return rc;
}

int vax_cert_reissue_stale(vax_db *db, const char *reason, int *reissued)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT id FROM certificate WHERE stale <> ''"
                                    " AND revoked_at = 0 ORDER BY id");
    int64_t ids[256];
    int k = 0, rc;
    vax_certificate *fresh = malloc(sizeof *fresh);
    *reissued = 0;
    vax_clear_error(db);
    if (!fresh)
        return VAX_ENOMEM;
    if ((rc = vax_require(db, VAX_ACT_OVERRIDE)) != VAX_OK || (rc = check_reason(db, reason)))
        goto out;
    if (!st) {
        rc = VAX_EINTERNAL;
        goto out;
    }
    while (k < 256 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        ids[k++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    rc = VAX_OK;
    /* one transaction each, as vax_cert_reissue makes them: one that fails leaves the others */
    for (int i = 0; i < k && rc == VAX_OK; i++)
        if ((rc = vax_cert_reissue(db, ids[i], reason, fresh)) == VAX_OK)
            (*reissued)++;
out:
    free(fresh);
    return rc;
}

/* Inside the caller's transaction: the certificate in force of a dose being voided is revoked. */
int vax_cert_revoke_for_dose_locked(vax_db *db, int64_t dose_id, const char *reason)
{
    vax_certificate *c = malloc(sizeof *c);
    int rc;
    if (!c)
        return VAX_ENOMEM;
    rc = vax_cert_for_dose(db, dose_id, c);
    if (rc == VAX_ENOTFOUND) {
        vax_clear_error(db);
        rc = VAX_OK;
    } else if (rc == VAX_OK) {
        rc = revoke_locked(db, c, reason, 0);
    }
    free(c);
    return rc;
}

int vax_cert_revoked_export(vax_db *db, char **text)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT ci FROM certificate_revocation ORDER BY revoked_at, id");
    sbuf b = {0};
    vax_site site;
    char when[11];
    int rc;
    *text = NULL;
    if (!st)
        return VAX_EINTERNAL;
    if ((rc = vax_site_get(db, &site)) != VAX_OK)
        return rc;
    vax_local_date(vax_now(), when);
    sb_put(&b, "# vaxsite revocation list: certificates replaced or withdrawn\n", 62);
    sb_put(&b, "# site ", 7);
    sb_put(&b, site.code, strlen(site.code));
    sb_put(&b, ", ", 2);
    sb_put(&b, when, strlen(when));
    sb_put(&b, "\n", 1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *ci = vax_col_text(st, 0);
        sb_put(&b, ci, strlen(ci));
        sb_put(&b, "\n", 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(b.data);
        return vax_fail_sql(db, rc, _("reading the revocation list"));
    }
    if (b.failed) {
        free(b.data);
        return VAX_ENOMEM;
    }
    *text = b.data;
    return VAX_OK;
}
