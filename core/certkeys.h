/* certkeys.h: what cert.c and keys.c share about signing keys and trust lists (OpenSSL types). */
#ifndef VAX_CERTKEYS_H
#define VAX_CERTKEYS_H

#include "internal.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

/* COSE algorithm identifiers (RFC 9053, RFC 8230). */
#define COSE_ES256 (-7)
#define COSE_ES384 (-35)
#define COSE_ES512 (-36)
#define COSE_PS256 (-37)
#define COSE_PS384 (-38)
#define COSE_PS512 (-39)

struct vax_signer {
    EVP_PKEY *key;
    X509 *cert;
    uint8_t kid[8];
    int alg; /* COSE_ES256 for a P-256 key, COSE_PS256 for RSA */
};

struct vax_trust_entry {
    uint8_t kid[8];
    X509 *cert;
};

struct vax_trust {
    struct vax_trust_entry *e;
    int n, cap;
};

/* kid: the first 8 bytes of the SHA-256 of the certificate's DER (the DCC rule). */
int vax_cert_kid(X509 *cert, uint8_t kid[8]);
/* The COSE algorithm a key signs with: ES256 for P-256, PS256 for RSA; 0 otherwise. */
int vax_key_cose_alg(EVP_PKEY *key);
/* Signs msg with the COSE algorithm alg; for ECDSA the signature is raw r||s. */
int vax_cose_sign_raw(EVP_PKEY *key, int alg, const uint8_t *msg, size_t n, uint8_t **sig,
                      size_t *siglen);
/* 1 if sig is a valid COSE signature of msg under the certificate's key, 0 if not. */
int vax_cose_verify_raw(X509 *cert, int alg, const uint8_t *msg, size_t n, const uint8_t *sig,
                        size_t siglen);

/* The key this database signs bundles with: the site's (keys init), else a device key made once
 * in the keys folder (0600). Free with vax_signer_free. */
int vax_bundle_signer(vax_db *db, vax_signer **out);
/* SHA-256 of the certificate's DER, 64 lowercase hex digits. */
int vax_cert_fingerprint(X509 *cert, char out[65]);
/* The certificate as PEM text (malloc'd), and back (NULL if it is not one). */
char *vax_cert_pem(X509 *cert);
X509 *vax_cert_from_pem(const char *pem);

#endif
