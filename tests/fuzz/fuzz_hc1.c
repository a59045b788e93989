/* fuzz_hc1.c: the certificate verifier on any bytes: the whole HC1 check (prefix, base45, zlib,
 * COSE, kid, signature, expiry, schema, revocation), and each layer alone (base45, zlib, COSE,
 * CBOR to JSON, the hcert schema) so that the fuzzer reaches the CBOR without a valid
 * compression around it. The first byte picks the layer. */
#include "fuzz.h"

static vax_trust *trust;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (vax_trust_new(&trust) != VAX_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int layer = data[0] % 6;
    data++;
    size--;
    char why[256];
    switch (layer) {
    case 0: { /* the whole check, on text */
        char *s = fuzz_cstr(data, size);
        vax_cert_check c;
        memset(&c, 0, sizeof c);
        if (s &&
            vax_hc1_verify(s, trust, "# revoked\nURN:UVCI:01:VN:X/1#A\n", 1634263200, &c) ==
                VAX_OK &&
            c.result == VAX_CERT_VALID)
            abort(); /* nothing is valid against an empty trust list */
        vax_cert_check_free(&c);
        free(s);
        break;
    }
    case 1: { /* base45 */
        uint8_t *out = NULL;
        size_t n = 0;
        if (vax_base45_decode((const char *)data, size, &out, &n) == VAX_OK && n > size)
            abort();
        free(out);
        break;
    }
    case 2: { /* zlib */
        uint8_t *out = NULL;
        size_t n = 0;
        vax_zlib_inflate(data, size, &out, &n);
        free(out);
        break;
    }
    case 3: { /* COSE_Sign1 and its claims */
        vax_cose *c = NULL;
        if (vax_cose_parse(data, size, &c, why, sizeof why) == VAX_OK && c) {
            int64_t iat, exp;
            int has_exp;
            char *json = NULL;
            vax_cose_times(c, &iat, &exp, &has_exp);
            if (vax_cose_hcert_json(c, &json) == VAX_OK)
                free(json);
            json = NULL;
            if (vax_cose_claims_json(c, &json) == VAX_OK)
                free(json);
            vax_cose_schema_check(c, why, sizeof why);
            vax_cose_verify_der(c, data, size);
        }
        vax_cose_free(c);
        break;
    }
    case 4: { /* any CBOR item */
        char *json = NULL;
        if (vax_cbor_to_json(data, size, &json) == VAX_OK)
            free(json);
        break;
    }
    default: /* bare hcert CBOR against the schema */
        vax_hcert_schema_check_cbor(data, size, why, sizeof why);
    }
    return 0;
}
