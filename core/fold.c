/* fold.c: text as it enters: valid UTF-8, NFC, tidy spaces; and the folded form used for search. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Copies s replacing every invalid UTF-8 sequence with U+FFFD and every control character with a
 * space, so that nothing downstream (utf8proc, the terminal, the database) sees broken text. */
static char *sanitize(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1); /* each bad byte may become 3 bytes of U+FFFD */
    size_t o = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    if (!out)
        return NULL;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p, -1, &cp);
        if (len <= 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            p++;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            out[o++] = ' ';
        } else {
            memcpy(out + o, p, (size_t)len);
            o += (size_t)len;
        }
        p += len;
    }
    out[o] = 0;
    return out;
}

/* Collapses runs of white space (ASCII and U+00A0) into one space and trims both ends, in place. */
static void tidy_spaces(char *s)
{
    char *r = s, *w = s;
    int pending = 0;
    while (*r) {
        int space = (*r == ' ' || *r == '\t');
        int nbsp = ((unsigned char)r[0] == 0xC2 && (unsigned char)r[1] == 0xA0);
        if (space || nbsp) {
            pending = (w != s);
            r += nbsp ? 2 : 1;
            continue;
        }
        if (pending) {
            *w++ = ' ';
            pending = 0;
        }
        *w++ = *r++;
    }
    *w = 0;
}

static char *map(const char *s, int options)
{
    char *clean = sanitize(s);
    utf8proc_uint8_t *out = NULL;
    if (!clean)
        return NULL;
    utf8proc_ssize_t rc =
        utf8proc_map((const utf8proc_uint8_t *)clean, 0, &out,
                     (utf8proc_option_t)(UTF8PROC_NULLTERM | UTF8PROC_STABLE | options));
    free(clean);
    if (rc < 0)
        return NULL;
    tidy_spaces((char *)out);
    return (char *)out;
}

char *vax_text_nfc(const char *s)
{
    return map(s ? s : "", UTF8PROC_COMPOSE);
}

char *vax_text_fold(const char *s)
{
    /* Decompose so that tone marks and vowel marks (circumflex, breve, horn) become combining
     * characters, strip them, and case-fold. Old and new tone placement (hoà / hòa) and NFD input
     * therefore fold to the same letters. đ has no decomposition: it is mapped by hand. */
    char *f = map(s ? s : "", UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
    char *r, *w;
    if (!f)
        return NULL;
    for (r = w = f; *r;) {
        if ((unsigned char)r[0] == 0xC4 && (unsigned char)r[1] == 0x91) { /* U+0111 đ */
            *w++ = 'd';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = 0;
    return f;
}

int vax_text_width(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");
    int width = 0;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p, -1, &cp);
        if (len <= 0) {
            width++;
            p++;
            continue;
        }
        width += utf8proc_charwidth(cp);
        p += len;
    }
    return width;
}
