/* test_buf.c: the growable buffer and the whole-file reader of the core (buf.c). */
#include "testutil.h"

#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_many_appends_grow_the_buffer_and_keep_every_byte(void **state)
{
    (void)state;
    vax_buf b;
    vax_buf_init(&b);
    for (int i = 0; i < 20000; i++)
        assert_int_equal(vax_buf_printf(&b, "%05d,", i), VAX_OK);
    assert_int_equal(b.len, 20000 * 6);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], 0);
    for (int i = 0; i < 20000; i += 997) {
        char want[8];
        snprintf(want, sizeof want, "%05d,", i);
        assert_memory_equal(b.data + 6 * i, want, 6);
    }
    size_t n = 0;
    char *s = vax_buf_take(&b, &n);
    assert_non_null(s);
    assert_int_equal(n, 120000);
    assert_int_equal(strlen(s), 120000);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
}

static void test_bytes_keep_their_nuls_and_strings_append_after_them(void **state)
{
    (void)state;
    vax_buf b;
    vax_buf_init(&b);
    static const unsigned char raw[] = {'a', 0, 'b', 0, 0, 0xff};
    assert_int_equal(vax_buf_add(&b, raw, sizeof raw), VAX_OK);
    assert_int_equal(vax_buf_str(&b, "xyz"), VAX_OK);
    assert_int_equal(vax_buf_char(&b, 0), VAX_OK);
    assert_int_equal(vax_buf_str(&b, NULL), VAX_OK);
    assert_int_equal(b.len, sizeof raw + 4);
    assert_memory_equal(b.data, raw, sizeof raw);
    assert_memory_equal(b.data + sizeof raw, "xyz\0", 4);
    vax_buf_free(&b);
    /* nothing appended: take gives an empty string, not NULL */
    size_t n = 7;
    char *s = vax_buf_take(&b, &n);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(n, 0);
    free(s);
}

static void test_printf_longer_than_any_first_size_is_whole(void **state)
{
    (void)state;
    vax_buf b;
    vax_buf_init(&b);
    char *big = malloc(100001);
    assert_non_null(big);
    memset(big, 'q', 100000);
    big[100000] = 0;
    assert_int_equal(vax_buf_str(&b, "<"), VAX_OK);
    assert_int_equal(vax_buf_printf(&b, "%s|%d|%s", big, 42, big), VAX_OK);
    assert_int_equal(b.len, 1 + 100000 + 4 + 100000);
    assert_int_equal(b.data[0], '<');
    assert_memory_equal(b.data + 1 + 100000, "|42|", 4);
    assert_int_equal(b.data[b.len - 1], 'q');
    assert_int_equal(b.data[b.len], 0);
    free(big);
    vax_buf_free(&b);
}

static void test_a_size_that_overflows_is_refused_and_the_buffer_stays_failed(void **state)
{
    (void)state;
    vax_buf b;
    vax_buf_init(&b);
    assert_int_equal(vax_buf_str(&b, "abc"), VAX_OK);
    /* len + SIZE_MAX - 2 + 1 wraps round: refused before any allocation */
    assert_int_equal(vax_buf_reserve(&b, SIZE_MAX - 2), VAX_ENOMEM);
    assert_int_equal(b.failed, 1);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    /* every later append says so, and take gives nothing */
    assert_int_equal(vax_buf_str(&b, "d"), VAX_ENOMEM);
    assert_int_equal(vax_buf_printf(&b, "%d", 1), VAX_ENOMEM);
    size_t n = 9;
    assert_null(vax_buf_take(&b, &n));
    assert_int_equal(n, 0);
    /* so is a doubling that would pass SIZE_MAX (len near it, without allocating it) */
    vax_buf_init(&b);
    b.len = SIZE_MAX - 10;
    assert_int_equal(vax_buf_add(&b, "0123456789", 10), VAX_ENOMEM);
    assert_int_equal(b.len, SIZE_MAX - 10);
    assert_null(b.data);
    vax_buf_init(&b);
}

/* ---- whole files ----------------------------------------------------------------------------- */

static void file_with(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void test_read_file_missing_empty_at_and_over_its_limit(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    char path[400], *data = (char *)"x";
    size_t len = 99;
    snprintf(path, sizeof path, "%s/f.bin", t->dir);

    assert_int_equal(vax_read_file(t->db, path, 100, &data, &len), VAX_ENOTFOUND);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_non_null(strstr(vax_errmsg(t->db), "f.bin"));

    file_with(path, "", 0);
    assert_int_equal(vax_read_file(t->db, path, 100, &data, &len), VAX_OK);
    assert_non_null(data);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    free(data);

    /* exactly the limit, NULs included */
    char bytes[5000];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (char)(i % 7 ? 'a' + i % 26 : 0);
    file_with(path, bytes, sizeof bytes);
    assert_int_equal(vax_read_file(t->db, path, sizeof bytes, &data, &len), VAX_OK);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(data, bytes, sizeof bytes);
    assert_int_equal(data[len], 0);
    free(data);

    /* one byte over: refused, with the limit named */
    data = (char *)"x";
    assert_int_equal(vax_read_file(t->db, path, sizeof bytes - 1, &data, &len), VAX_EINVAL);
    assert_null(data);
    assert_non_null(strstr(vax_errmsg(t->db), "4999"));

    /* a directory opens but cannot be read: an error, not an empty file */
    data = (char *)"x";
    assert_int_not_equal(vax_read_file(t->db, t->dir, 100, &data, &len), VAX_OK);
    assert_null(data);
    /* with no database handle the code alone */
    assert_int_equal(vax_read_file(NULL, "/nonexistent/vaxsite/file", 10, &data, &len),
                     VAX_ENOTFOUND);
    unlink(path);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_appends_grow_the_buffer_and_keep_every_byte),
        cmocka_unit_test(test_bytes_keep_their_nuls_and_strings_append_after_them),
        cmocka_unit_test(test_printf_longer_than_any_first_size_is_whole),
        cmocka_unit_test(test_a_size_that_overflows_is_refused_and_the_buffer_stays_failed),
        cmocka_unit_test(test_read_file_missing_empty_at_and_over_its_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
