/* base45.c: the Base45 encoding of RFC 9285, which HC1 certificate strings use. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static const char b45_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

int vax_base45_encode(const uint8_t *in, size_t n, char **out)
{
    size_t len = n / 2 * 3 + (n % 2) * 2;
    char *s = malloc(len + 1), *p = s;
    if (!s)
        return VAX_ENOMEM;
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned v = (unsigned)in[i] * 256u + in[i + 1];
        *p++ = b45_alphabet[v % 45];
        *p++ = b45_alphabet[v / 45 % 45];
        *p++ = b45_alphabet[v / 2025];
    }
    if (n % 2) {
        unsigned v = in[n - 1];
        *p++ = b45_alphabet[v % 45];
        *p++ = b45_alphabet[v / 45];
    }
    *p = '\0';
    *out = s;
    return VAX_OK;
}

static int b45_value(char c)
{
    const char *p = c ? strchr(b45_alphabet, c) : NULL;
    return p ? (int)(p - b45_alphabet) : -1;
}

/* RFC 9285 section 4.2: a character outside the alphabet, a single dangling character, or a group
 * worth more than its bytes can hold makes the whole input invalid. */
int vax_base45_decode(const char *in, size_t n, uint8_t **out, size_t *outn)
{
    if (n % 3 == 1)
        return VAX_EINVAL;
    uint8_t *b = malloc(n / 3 * 2 + 2), *p = b;
    if (!b)
        return VAX_ENOMEM;
    for (size_t i = 0; i < n; i += 3) {
        size_t k = n - i >= 3 ? 3 : 2;
        unsigned v = 0, f = 1;
        for (size_t j = 0; j < k; j++, f *= 45) {
            int d = b45_value(in[i + j]);
            if (d < 0)
                goto bad;
            v += (unsigned)d * f;
        }
        if (k == 3) {
            if (v > 0xffff)
                goto bad;
            *p++ = (uint8_t)(v >> 8);
            *p++ = (uint8_t)(v & 0xff);
        } else {
            if (v > 0xff)
                goto bad;
            *p++ = (uint8_t)v;
        }
    }
    *out = b;
    *outn = (size_t)(p - b);
    return VAX_OK;
bad:
    free(b);
    return VAX_EINVAL;
}
