/* test_base45.c: Base45 against the examples of RFC 9285 and its invalid inputs. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static void encodes(const char *in, const char *want)
{
    char *out = NULL;
    assert_int_equal(vax_base45_encode((const uint8_t *)in, strlen(in), &out), VAX_OK);
    assert_string_equal(out, want);
    free(out);
}

static void decodes(const char *in, const char *want)
{
    uint8_t *out = NULL;
    size_t n = 0;
    assert_int_equal(vax_base45_decode(in, strlen(in), &out, &n), VAX_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    free(out);
}

static void test_encode_matches_rfc9285_examples(void **state)
{
    (void)state;
    encodes("AB", "BB8");
    encodes("Hello!!", "%69 VD92EX0");
    encodes("base-45", "UJCLQE7W581");
    encodes("", "");
}

static void test_decode_matches_rfc9285_examples(void **state)
{
    (void)state;
    decodes("QED8WEX0", "ietf!");
    decodes("BB8", "AB");
    decodes("%69 VD92EX0", "Hello!!");
    decodes("UJCLQE7W581", "base-45");
}

static void test_every_byte_pair_round_trips(void **state)
{
    (void)state;
    uint8_t in[512];
    for (int i = 0; i < 512; i++)
        in[i] = (uint8_t)(i * 7 + i / 256);
    for (size_t n = 0; n < 40; n++) {
        char *s = NULL;
        uint8_t *back = NULL;
        size_t m = 0;
        assert_int_equal(vax_base45_encode(in + n * 3, n, &s), VAX_OK);
        assert_int_equal(vax_base45_decode(s, strlen(s), &back, &m), VAX_OK);
        assert_int_equal(m, n);
        if (n)
            assert_memory_equal(back, in + n * 3, n);
        free(s);
        free(back);
    }
}

static void test_decode_refuses_what_rfc9285_calls_invalid(void **state)
{
    (void)state;
    uint8_t *out = NULL;
    size_t n = 0;
    /* RFC 9285 section 4.2: "GGW" is 65535 + 1 and not valid; a lone character; bad characters */
    assert_int_equal(vax_base45_decode("GGW", 3, &out, &n), VAX_EINVAL);
    assert_int_equal(vax_base45_decode("A", 1, &out, &n), VAX_EINVAL);
    assert_int_equal(vax_base45_decode("BB8a", 4, &out, &n), VAX_EINVAL);
    assert_int_equal(vax_base45_decode("bb8", 3, &out, &n), VAX_EINVAL);
    assert_int_equal(vax_base45_decode(":::", 3, &out, &n), VAX_EINVAL);
    /* two characters worth more than a byte */
    assert_int_equal(vax_base45_decode("::", 2, &out, &n), VAX_EINVAL);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_rfc9285_examples),
        cmocka_unit_test(test_decode_matches_rfc9285_examples),
        cmocka_unit_test(test_every_byte_pair_round_trips),
        cmocka_unit_test(test_decode_refuses_what_rfc9285_calls_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
