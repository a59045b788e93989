/* fuzz.h: what the libFuzzer targets share: a NUL-terminated copy of the input and a scratch
 * database made once per process. */
#ifndef VAX_FUZZ_H
#define VAX_FUZZ_H

#include "vax.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (malloc'd; free()). Embedded NULs end it early, as they would for any
 * caller that reads a file into a string. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = 0;
    }
    return s;
}

#endif
