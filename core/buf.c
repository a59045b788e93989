/* buf.c: the one growable byte buffer of the core. Text is kept NUL-terminated (data[len] == 0
 * whenever data is set) so that a caller may hand it out as a string; bytes may hold NULs too.
 * Sizes are checked before they are added or doubled, so a request that cannot be met fails
 * instead of wrapping round to a small allocation. A buffer that failed once stays failed, and
 * every later append says so: a caller may append a whole report and check once at the end. */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_FIRST 256

void vax_buf_init(vax_buf *b)
{
    memset(b, 0, sizeof *b);
}

int vax_buf_reserve(vax_buf *b, size_t extra)
{
    if (b->failed)
        return VAX_ENOMEM;
    /* room for extra bytes and the terminating NUL */
    if (extra > SIZE_MAX - 1 - b->len) {
        b->failed = 1;
        return VAX_ENOMEM;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return VAX_OK;
    size_t cap = b->cap ? b->cap : BUF_FIRST;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return VAX_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return VAX_OK;
}

int vax_buf_add(vax_buf *b, const void *bytes, size_t n)
{
    int rc = vax_buf_reserve(b, n);
    if (rc != VAX_OK)
        return rc;
    if (n)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = 0;
    return VAX_OK;
}

int vax_buf_str(vax_buf *b, const char *s)
{
    return vax_buf_add(b, s ? s : "", s ? strlen(s) : 0);
}

int vax_buf_char(vax_buf *b, char c)
{
    return vax_buf_add(b, &c, 1);
}

int vax_buf_printf(vax_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    if (b->failed)
        return VAX_ENOMEM;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return VAX_ENOMEM;
    }
    if ((size_t)n < sizeof small)
        return vax_buf_add(b, small, (size_t)n);
    int rc = vax_buf_reserve(b, (size_t)n);
    if (rc != VAX_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return VAX_OK;
}

char *vax_buf_take(vax_buf *b, size_t *len)
{
    char *s = NULL;
    if (!b->failed)
        s = b->data ? b->data : calloc(1, 1);
    else
        free(b->data);
    if (len)
        *len = s ? b->len : 0;
    vax_buf_init(b);
    return s;
}

void vax_buf_free(vax_buf *b)
{
    free(b->data);
    vax_buf_init(b);
}

/* ---- whole files ----------------------------------------------------------------------------- */

int vax_read_stream(vax_db *db, FILE *f, const char *name, size_t max_bytes, char **data,
                    size_t *len)
{
    vax_buf b;
    int rc = VAX_OK, err = 0;
    *data = NULL;
    if (len)
        *len = 0;
    vax_buf_init(&b);
    for (;;) {
        /* one byte past the limit tells a file of the limit from a longer one */
        size_t room = b.len <= max_bytes ? max_bytes - b.len + 1 : 0;
        if (room == 0)
            break;
        if ((rc = vax_buf_reserve(&b, room < 65536 ? room : 65536)) != VAX_OK)
            break;
        size_t want = b.cap - b.len - 1 < room ? b.cap - b.len - 1 : room;
        size_t got = fread(b.data + b.len, 1, want, f);
        b.len += got;
        b.data[b.len] = 0;
        if (got < want) {
            if (ferror(f)) {
                err = errno;
                rc = VAX_EIO;
            }
            break;
        }
    }
    if (rc == VAX_ENOMEM) {
        vax_buf_free(&b);
        return vax_fail(db, VAX_ENOMEM, "file", _("Cannot read %s: out of memory."), name);
    }
    if (rc == VAX_EIO) {
        vax_buf_free(&b);
        return vax_fail(db, VAX_EIO, "file", _("Cannot read %s: %s."), name,
                        strerror(err ? err : EIO));
    }
    if (b.len > max_bytes) {
        vax_buf_free(&b);
        return vax_fail(db, VAX_EINVAL, "file",
                        _("%s is larger than %zu bytes, the most this file may hold."), name,
                        max_bytes);
    }
    *data = vax_buf_take(&b, len);
    if (!*data)
        return vax_fail(db, VAX_ENOMEM, "file", _("Cannot read %s: out of memory."), name);
    return VAX_OK;
}

int vax_read_file(vax_db *db, const char *path, size_t max_bytes, char **data, size_t *len)
{
    *data = NULL;
    if (len)
        *len = 0;
    FILE *f = path && *path ? fopen(path, "rb") : NULL;
    if (!f) {
        int err = path && *path ? errno : ENOENT;
        return vax_fail(db, err == ENOENT ? VAX_ENOTFOUND : VAX_EIO, "file",
                        _("Cannot read %s: %s."), path ? path : "", strerror(err));
    }
    int rc = vax_read_stream(db, f, path, max_bytes, data, len);
    fclose(f);
    return rc;
}
