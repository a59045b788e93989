/* keys.c: the site's signing key and certificate, COSE signatures, and verifier trust lists. */
#include "certkeys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE "site.key"
#define CRT_FILE "site.crt"

int vax_cert_kid(X509 *cert, uint8_t kid[8])
{
    unsigned char *der = NULL, md[32];
    int n = i2d_X509(cert, &der);
    unsigned int mdlen = 0;
    if (n <= 0)
        return VAX_EINVAL;
    int ok = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_free(der);
    if (!ok)
        return VAX_EINTERNAL;
    memcpy(kid, md, 8);
    return VAX_OK;
}

int vax_key_cose_alg(EVP_PKEY *key)
{
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64];
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &len) &&
            strcmp(group, "prime256v1") == 0)
            return COSE_ES256;
        return 0;
    }
    if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS"))
        return COSE_PS256;
    return 0;
}

static const EVP_MD *alg_md(int alg, int *ec)
{
    *ec = alg == COSE_ES256 || alg == COSE_ES384 || alg == COSE_ES512;
    switch (alg) {
    case COSE_ES256:
    case COSE_PS256:
        return EVP_sha256();
    case COSE_ES384:
    case COSE_PS384:
        return EVP_sha384();
    case COSE_ES512:
    case COSE_PS512:
        return EVP_sha512();
    }
    return NULL;
}

/* COSE's raw ECDSA signature is r||s, each as long as the signer's curve order; the key decides,
 * not the header: some issuers sign with a P-384 key under an ES256 header (SHA-256 hash). */
static int ec_coord(EVP_PKEY *key)
{
    return (EVP_PKEY_get_bits(key) + 7) / 8;
}

int vax_cose_sign_raw(EVP_PKEY *key, int alg, const uint8_t *msg, size_t n, uint8_t **sig,
                      size_t *siglen)
{
    int ec = 0, coord = 0, rc = VAX_EINTERNAL;
    const EVP_MD *md = alg_md(alg, &ec);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    size_t derlen = 0;
    ECDSA_SIG *es = NULL;
    *sig = NULL;
    if (!md || !ctx || EVP_DigestSignInit(ctx, &pctx, md, NULL, key) != 1)
        goto done;
    if (ec && (coord = ec_coord(key)) <= 0)
        goto done;
    if (!ec && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
        goto done;
    if (EVP_DigestSign(ctx, NULL, &derlen, msg, n) != 1 || !(der = OPENSSL_malloc(derlen)) ||
        EVP_DigestSign(ctx, der, &derlen, msg, n) != 1)
        goto done;
    if (!ec) {
        if (!(*sig = malloc(derlen)))
            goto done;
        memcpy(*sig, der, derlen);
        *siglen = derlen;
        rc = VAX_OK;
        goto done;
    }
    /* COSE wants the raw r||s form, each padded to the curve size, not DER. */
    const unsigned char *p = der;
    const BIGNUM *r, *s;
    if (!(es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)))
        goto done;
    ECDSA_SIG_get0(es, &r, &s);
    if (!(*sig = malloc((size_t)coord * 2)))
        goto done;
    if (BN_bn2binpad(r, *sig, coord) != coord || BN_bn2binpad(s, *sig + coord, coord) != coord) {
        free(*sig);
        *sig = NULL;
        goto done;
    }
    *siglen = (size_t)coord * 2;
    rc = VAX_OK;
done:
    ECDSA_SIG_free(es);
    OPENSSL_free(der);
    EVP_MD_CTX_free(ctx);
    return rc;
}

int vax_cose_verify_raw(X509 *cert, int alg, const uint8_t *msg, size_t n, const uint8_t *sig,
                        size_t siglen)
{
    int ec = 0, coord = 0, ok = 0;
    const EVP_MD *md = alg_md(alg, &ec);
    EVP_PKEY *key = X509_get0_pubkey(cert);
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    int derlen = 0;
    ECDSA_SIG *es = NULL;
    if (!md || !key)
        return 0;
    if (ec != (EVP_PKEY_is_a(key, "EC") == 1))
        return 0;
    if (ec && (coord = ec_coord(key)) <= 0)
        return 0;
    if (ec) {
        BIGNUM *r, *s;
        if (siglen != (size_t)coord * 2 || !(es = ECDSA_SIG_new()))
            return 0;
        r = BN_bin2bn(sig, coord, NULL);
        s = BN_bin2bn(sig + coord, coord, NULL);
        if (!r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
            BN_free(r);
            BN_free(s);
            goto done;
        }
        if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
            goto done;
    }
    if (!(ctx = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key) != 1)
        goto done;
    if (!ec && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1))
        goto done;
    ok = EVP_DigestVerify(ctx, ec ? der : sig, ec ? (size_t)derlen : siglen, msg, n) == 1;
done:
    ERR_clear_error();
    ECDSA_SIG_free(es);
    OPENSSL_free(der);
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* ---- files ---------------------------------------------------------------------------------- */

int vax_keys_dir(vax_db *db, char *buf, size_t size)
{
    char set[1024] = "";
    vax_setting_text(db, "cert.key_dir", set, sizeof set);
    if (set[0]) {
        vax_strlcpy(buf, set, size);
        return VAX_OK;
    }
    if ((size_t)snprintf(buf, size, "%s.keys", db->path) >= size)
        return vax_fail(db, VAX_EINVAL, "keys", _("Keys: the folder name is too long."));
    return VAX_OK;
}

static int path_in(vax_db *db, const char *dir, const char *file, char *out, size_t size)
{
    if ((size_t)snprintf(out, size, "%s/%s", dir, file) >= size)
        return vax_fail(db, VAX_EINVAL, "keys", _("Keys: the folder name is too long."));
    return VAX_OK;
}

/* A certificate or key file is a few kB; a larger file here is not one. */
#define PEM_MAX ((size_t)1 << 20)

/* Writes a whole file with the given mode through a temporary name, so a reader never sees half. */
static int write_file(vax_db *db, const char *path, const char *data, size_t n, mode_t mode)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return vax_fail(db, VAX_EIO, "keys", _("Keys: cannot write %s: %s."), tmp, strerror(errno));
    fchmod(fd, mode);
    ssize_t w = write(fd, data, n);
    int bad = w < 0 || (size_t)w != n || fsync(fd) != 0;
    close(fd);
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return vax_fail(db, VAX_EIO, "keys", _("Keys: cannot write %s."), path);
    }
    return VAX_OK;
}

static char *bio_text(BIO *b, size_t *n)
{
    char *p;
    long len = BIO_get_mem_data(b, &p);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!s)
        return NULL;
    memcpy(s, p, (size_t)len);
    s[len] = 0;
    if (n)
        *n = (size_t)len;
    return s;
}

static X509 *self_signed(EVP_PKEY *key, const char *cn, int64_t now)
{
    X509 *x = X509_new();
    X509_NAME *name;
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    int ok = x != NULL;
    ok = ok && X509_set_version(x, 2);
    ok = ok && RAND_bytes(serial, sizeof serial) == 1;
    serial[0] &= 0x7f;
    ok = ok && (bn = BN_bin2bn(serial, sizeof serial, NULL)) &&
         BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    ok = ok && ASN1_TIME_set(X509_getm_notBefore(x), (time_t)now) &&
         ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(now + 2 * 365 * 86400LL));
    ok = ok && X509_set_pubkey(x, key);
    ok = ok && (name = X509_get_subject_name(x)) &&
         X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"VN", -1, -1,
                                    0) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0) &&
         X509_set_issuer_name(x, name);
    if (ok) {
        X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
        ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage, "critical,digitalSignature");
        ok = ext && X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
        /* DCC Document Signer key usage: may sign vaccination certificates
         * (1.3.6.1.4.1.1847.2021.1.2) */
        ext = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage, "1.3.6.1.4.1.1847.2021.1.2");
        ok = ok && ext && X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* A new signing key (RSA of rsa_bits, or P-256 when 0) and its self-signed certificate, as PEM
 * texts (malloc'd; the key's is cleansed by key_pem_free). */
typedef struct key_pem {
    char *key, *crt;
    size_t key_n, crt_n;
} key_pem;

static void key_pem_free(key_pem *p)
{
    if (p->key)
        OPENSSL_cleanse(p->key, p->key_n);
    free(p->key);
    free(p->crt);
    memset(p, 0, sizeof *p);
}

static int key_pem_make(vax_db *db, const char *site_code, int rsa_bits, key_pem *out)
{
    EVP_PKEY *key = NULL;
    X509 *x = NULL;
    BIO *kb = NULL, *cb = NULL;
    char cn[200];
    int rc = VAX_OK;
    memset(out, 0, sizeof *out);
    key = rsa_bits ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)rsa_bits)
                   : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    snprintf(cn, sizeof cn, "vaxsite DSC %s", site_code);
    if (!key || !(x = self_signed(key, cn, vax_now()))) {
        rc = vax_fail(db, VAX_EINTERNAL, "keys", _("Keys: the key could not be made."));
        goto done;
    }
    kb = BIO_new(BIO_s_mem());
    cb = BIO_new(BIO_s_mem());
    if (!kb || !cb || !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
        !PEM_write_bio_X509(cb, x) || !(out->key = bio_text(kb, &out->key_n)) ||
        !(out->crt = bio_text(cb, &out->crt_n))) {
        key_pem_free(out);
        rc = vax_fail(db, VAX_ENOMEM, "keys", _("Keys: out of memory."));
    }
done:
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

static int audit_keys(vax_db *db, const char *action, int64_t site_id, const char *detail)
{
    int rc = vax_tx_begin(db);
    if (rc != VAX_OK)
        return rc;
    if ((rc = vax_audit(db, action, "site", site_id, detail)) != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    return vax_tx_commit(db);
}

int vax_keys_init(vax_db *db, const char *dir, int rsa_bits)
{
    char kpath[4200], cpath[4200];
    key_pem pem;
    struct stat st;
    vax_site site;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = path_in(db, dir, KEY_FILE, kpath, sizeof kpath)) != VAX_OK ||
        (rc = path_in(db, dir, CRT_FILE, cpath, sizeof cpath)) != VAX_OK)
        return rc;
    if (rsa_bits && (rsa_bits < 2048 || rsa_bits > 8192))
        return vax_fail(db, VAX_EINVAL, "rsa",
                        _("RSA key size: use 2048 to 8192 bits, or a P-256 key."));
    if (stat(kpath, &st) == 0)
        return vax_fail(db, VAX_EEXIST, "keys",
                        _("Keys: the site already has a key in %s; it is never replaced "
                          "silently (a new one: vaxsite keys rotate)."),
                        dir);
    if ((rc = vax_site_get(db, &site)) != VAX_OK)
        return rc;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return vax_fail(db, VAX_EIO, "keys", _("Keys: cannot make the folder %s: %s."), dir,
                        strerror(errno));
    if ((rc = key_pem_make(db, site.code, rsa_bits, &pem)) != VAX_OK)
        return rc;
    if ((rc = write_file(db, kpath, pem.key, pem.key_n, 0600)) == VAX_OK &&
        (rc = write_file(db, cpath, pem.crt, pem.crt_n, 0644)) == VAX_OK)
        rc = audit_keys(db, "keys.init", site.id, rsa_bits ? "RSA PS256" : "P-256 ES256");
    key_pem_free(&pem);
    return rc;
}

/* ---- rotation: a new key signs, the old ones' certificates stay for verifiers ---------------- */

#define RETIRED_DIR "retired"

static void kid_text(X509 *x, char out[16])
{
    uint8_t kid[8];
    unsigned char b64[16];
    out[0] = 0;
    if (vax_cert_kid(x, kid) != VAX_OK)
        return;
    EVP_EncodeBlock(b64, kid, 8);
    vax_strlcpy(out, (const char *)b64, 16);
}

int vax_keys_rotate(vax_db *db, const char *dir, int rsa_bits, vax_key_rotation *out)
{
    char kpath[4200], cpath[4200], rdir[4200], rpath[4300], knew[4210], cnew[4210], detail[400];
    vax_signer *old = NULL, *cur = NULL;
    key_pem pem = {0};
    vax_site site;
    int rc;
    memset(out, 0, sizeof *out);
    knew[0] = cnew[0] = 0;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (rsa_bits && (rsa_bits < 2048 || rsa_bits > 8192))
        return vax_fail(db, VAX_EINVAL, "rsa",
                        _("RSA key size: use 2048 to 8192 bits, or a P-256 key."));
    if ((rc = path_in(db, dir, KEY_FILE, kpath, sizeof kpath)) != VAX_OK ||
        (rc = path_in(db, dir, CRT_FILE, cpath, sizeof cpath)) != VAX_OK ||
        (rc = path_in(db, dir, RETIRED_DIR, rdir, sizeof rdir)) != VAX_OK)
        return rc;
    if ((rc = vax_site_get(db, &site)) != VAX_OK)
        return rc;
    if (access(kpath, F_OK) != 0)
        return vax_fail(db, VAX_ENOTFOUND, "keys",
                        _("Keys: the site has no key in %s yet (run: vaxsite keys init)."), dir);
    /* the old pair must be whole: its certificate is what keeps its certificates verifiable */
    if ((rc = vax_signer_load(db, dir, &old)) != VAX_OK)
        return rc;
    /* the same kind of key as before unless told: a verifier that takes ES256 only stays able */
    if (!rsa_bits && vax_key_cose_alg(old->key) == COSE_PS256)
        rsa_bits = EVP_PKEY_get_bits(old->key);
    kid_text(old->cert, out->old_kid);
    vax_cert_fingerprint(old->cert, out->old_fingerprint);
    if (mkdir(rdir, 0700) != 0 && errno != EEXIST) {
        rc = vax_fail(db, VAX_EIO, "keys", _("Keys: cannot make the folder %s: %s."), rdir,
                      strerror(errno));
        goto done;
    }
    snprintf(rpath, sizeof rpath, "%s/%s.crt", rdir, out->old_fingerprint);
    vax_strlcpy(out->retired, rpath, sizeof out->retired);
    /* the old certificate is kept before anything is replaced, so a failure at any step leaves
     * every certificate issued so far verifiable */
    char *old_pem = vax_cert_pem(old->cert);
    if (!old_pem) {
        rc = vax_fail(db, VAX_ENOMEM, "keys", _("Keys: out of memory."));
        goto done;
    }
    rc = write_file(db, rpath, old_pem, strlen(old_pem), 0644);
    free(old_pem);
    if (rc != VAX_OK || (rc = key_pem_make(db, site.code, rsa_bits, &pem)) != VAX_OK)
        goto done;
    /* both new files are written whole beside the old ones, then renamed over them: a failure
     * while writing leaves the old pair signing; a crash between the two renames leaves a pair
     * that does not match, which refuses to sign (vax_signer_load) rather than signing under the
     * wrong certificate */
    snprintf(knew, sizeof knew, "%s.new", kpath);
    snprintf(cnew, sizeof cnew, "%s.new", cpath);
    if ((rc = write_file(db, knew, pem.key, pem.key_n, 0600)) != VAX_OK ||
        (rc = write_file(db, cnew, pem.crt, pem.crt_n, 0644)) != VAX_OK)
        goto done;
    if (rename(knew, kpath) != 0 || rename(cnew, cpath) != 0) {
        rc = vax_fail(db, VAX_EIO, "keys", _("Keys: cannot write %s."), kpath);
        goto done;
    }
    if ((rc = vax_signer_load(db, dir, &cur)) != VAX_OK)
        goto done;
    kid_text(cur->cert, out->new_kid);
    vax_cert_fingerprint(cur->cert, out->new_fingerprint);
    snprintf(detail, sizeof detail, "kid %s -> %s; sha256 %s -> %s; %s", out->old_kid, out->new_kid,
             out->old_fingerprint, out->new_fingerprint, rsa_bits ? "RSA PS256" : "P-256 ES256");
    rc = audit_keys(db, "keys.rotate", site.id, detail);
done:
    if (rc != VAX_OK && knew[0]) {
        unlink(knew);
        unlink(cnew);
    }
    key_pem_free(&pem);
    vax_signer_free(old);
    vax_signer_free(cur);
    return rc;
}

/* The certificates of the site's earlier keys (retired/ *.crt), each added to t; a file that
 * holds none is passed over. */
static int trust_add_retired(vax_db *db, const char *dir, vax_trust *t, vax_buf *pem_all)
{
    char rdir[4200], path[4500];
    struct dirent **names = NULL;
    int rc = path_in(db, dir, RETIRED_DIR, rdir, sizeof rdir);
    if (rc != VAX_OK)
        return rc;
    int n = scandir(rdir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]->d_name);
        if (rc == VAX_OK && len > 4 && strcmp(names[i]->d_name + len - 4, ".crt") == 0) {
            snprintf(path, sizeof path, "%s/%s", rdir, names[i]->d_name);
            size_t pn = 0;
            char *pem = NULL;
            /* one that cannot be read whole is left out, never taken in part */
            vax_read_file(NULL, path, PEM_MAX, &pem, &pn);
            if (pem && t && vax_trust_add_pem(t, pem, pn) == VAX_ENOMEM)
                rc = VAX_ENOMEM;
            X509 *x = pem && pem_all ? vax_cert_from_pem(pem) : NULL;
            if (x && vax_buf_add(pem_all, pem, pn) != VAX_OK)
                rc = VAX_ENOMEM;
            X509_free(x);
            free(pem);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int vax_trust_add_site(vax_db *db, const char *dir, vax_trust *t)
{
    vax_signer *s = NULL;
    int rc = vax_signer_load(db, dir, &s);
    if (rc == VAX_OK)
        rc = vax_trust_add_signer(t, s);
    vax_signer_free(s);
    int r = trust_add_retired(db, dir, t, NULL);
    return rc == VAX_OK ? r : rc;
}

int vax_keys_export(vax_db *db, const char *dir, char **pem)
{
    char cpath[4200];
    int rc;
    vax_clear_error(db);
    if ((rc = path_in(db, dir, CRT_FILE, cpath, sizeof cpath)) != VAX_OK)
        return rc;
    if ((rc = vax_read_file(db, cpath, PEM_MAX, pem, NULL)) == VAX_ENOTFOUND)
        return vax_fail(db, VAX_ENOTFOUND, "keys",
                        _("Keys: there is no site certificate in %s (run: vaxsite keys init)."),
                        dir);
    if (rc != VAX_OK)
        return rc;
    /* the current certificate first, then those of the keys it replaced: a verifier given this
     * file accepts every certificate the site has issued */
    vax_buf all;
    vax_buf_init(&all);
    if (vax_buf_str(&all, *pem) == VAX_OK)
        rc = trust_add_retired(db, dir, NULL, &all);
    else
        rc = VAX_ENOMEM;
    free(*pem);
    *pem = rc == VAX_OK ? vax_buf_take(&all, NULL) : NULL;
    vax_buf_free(&all);
    if (!*pem)
        return vax_fail(db, VAX_ENOMEM, "keys", _("Keys: out of memory."));
    return VAX_OK;
}

static EVP_PKEY *load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    return k;
}

int vax_keys_import(vax_db *db, const char *dir, const char *pem)
{
    char kpath[4200], cpath[4200];
    EVP_PKEY *key = NULL;
    X509 *x = NULL;
    BIO *in = NULL;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = path_in(db, dir, KEY_FILE, kpath, sizeof kpath)) != VAX_OK ||
        (rc = path_in(db, dir, CRT_FILE, cpath, sizeof cpath)) != VAX_OK)
        return rc;
    if (!(key = load_key(kpath)))
        return vax_fail(db, VAX_ENOTFOUND, "keys",
                        _("Keys: the site has no key in %s yet (run: vaxsite keys init)."), dir);
    in = BIO_new_mem_buf(pem, -1);
    if (!in || !(x = PEM_read_bio_X509(in, NULL, NULL, NULL))) {
        rc = vax_fail(db, VAX_EINVAL, "certificate",
                      _("Certificate: the file is not a PEM X.509 certificate."));
        goto done;
    }
    if (X509_check_private_key(x, key) != 1) {
        rc = vax_fail(db, VAX_EINVAL, "certificate",
                      _("Certificate: it was issued for another key, not this site's key."));
        goto done;
    }
    BIO_free(in);
    in = BIO_new(BIO_s_mem());
    char *text = NULL;
    size_t n = 0;
    if (!in || !PEM_write_bio_X509(in, x) || !(text = bio_text(in, &n))) {
        rc = vax_fail(db, VAX_ENOMEM, "keys", _("Keys: out of memory."));
        goto done;
    }
    rc = write_file(db, cpath, text, n, 0644);
    free(text);
    if (rc != VAX_OK)
        goto done;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto done;
    if ((rc = vax_audit(db, "keys.import", "site", 0, "certificate installed")) != VAX_OK) {
        vax_tx_rollback(db);
        goto done;
    }
    rc = vax_tx_commit(db);
done:
    ERR_clear_error();
    BIO_free(in);
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

int vax_signer_load(vax_db *db, const char *dir, vax_signer **out)
{
    char kpath[4200], cpath[4200];
    vax_signer *s;
    FILE *f;
    int rc;
    *out = NULL;
    if ((rc = path_in(db, dir, KEY_FILE, kpath, sizeof kpath)) != VAX_OK ||
        (rc = path_in(db, dir, CRT_FILE, cpath, sizeof cpath)) != VAX_OK)
        return rc;
    if (!(s = calloc(1, sizeof *s)))
        return VAX_ENOMEM;
    if (!(s->key = load_key(kpath))) {
        vax_signer_free(s);
        return vax_fail(db, VAX_ENOTFOUND, "keys",
                        _("Keys: the site has no signing key in %s (run: vaxsite keys init)."),
                        dir);
    }
    f = fopen(cpath, "r");
    s->cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!s->cert || X509_check_private_key(s->cert, s->key) != 1 ||
        vax_cert_kid(s->cert, s->kid) != VAX_OK || !(s->alg = vax_key_cose_alg(s->key))) {
        ERR_clear_error();
        vax_signer_free(s);
        return vax_fail(db, VAX_EINVAL, "keys",
                        _("Keys: the certificate in %s does not belong to the site's key."), dir);
    }
    *out = s;
    return VAX_OK;
}

void vax_signer_free(vax_signer *s)
{
    if (!s)
        return;
    EVP_PKEY_free(s->key);
    X509_free(s->cert);
    free(s);
}

void vax_signer_kid(const vax_signer *s, uint8_t kid[8])
{
    memcpy(kid, s->kid, 8);
}

/* ---- trust lists ---------------------------------------------------------------------------- */

int vax_trust_new(vax_trust **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? VAX_OK : VAX_ENOMEM;
}

static int trust_add(vax_trust *t, X509 *x)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 8;
        struct vax_trust_entry *e = realloc(t->e, (size_t)cap * sizeof *e);
        if (!e) {
            X509_free(x);
            return VAX_ENOMEM;
        }
        t->e = e;
        t->cap = cap;
    }
    if (vax_cert_kid(x, t->e[t->n].kid) != VAX_OK) {
        X509_free(x);
        return VAX_EINVAL;
    }
    t->e[t->n++].cert = x;
    return VAX_OK;
}

int vax_trust_add_pem(vax_trust *t, const char *pem, size_t n)
{
    BIO *b = BIO_new_mem_buf(pem, (int)n);
    X509 *x;
    int added = 0, rc = VAX_OK;
    if (!b)
        return VAX_ENOMEM;
    while (rc == VAX_OK && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        rc = trust_add(t, x);
        added++;
    }
    ERR_clear_error();
    BIO_free(b);
    return rc != VAX_OK ? rc : added ? VAX_OK : VAX_EINVAL;
}

int vax_trust_add_signer(vax_trust *t, const vax_signer *s)
{
    if (!X509_up_ref(s->cert))
        return VAX_EINTERNAL;
    return trust_add(t, s->cert);
}

void vax_trust_free(vax_trust *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        X509_free(t->e[i].cert);
    free(t->e);
    free(t);
}

/* ---- the key that signs bundles ----------------------------------------------------------- */

#define DEV_KEY_FILE "device.key"
#define DEV_CRT_FILE "device.crt"

/* A site that issues certificates has its key; a team without one still signs its bundles, with a
 * key of this device made once, so that no bundle ever leaves unsigned. */
static int device_key_make(vax_db *db, const char *dir, const char *kpath, const char *cpath)
{
    EVP_PKEY *key = NULL;
    X509 *x = NULL;
    BIO *kb = NULL, *cb = NULL;
    char *ktext = NULL, *ctext = NULL, dev[37] = "", cn[80];
    size_t kn = 0, cnl = 0;
    int rc;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return vax_fail(db, VAX_EIO, "keys", _("Keys: cannot make the folder %s: %s."), dir,
                        strerror(errno));
    vax_sync_device_id(db, dev);
    snprintf(cn, sizeof cn, "vaxsite bundles %s", dev);
    if (!(key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) ||
        !(x = self_signed(key, cn, vax_now()))) {
        rc = vax_fail(db, VAX_EINTERNAL, "keys", _("Keys: the key could not be made."));
        goto done;
    }
    kb = BIO_new(BIO_s_mem());
    cb = BIO_new(BIO_s_mem());
    if (!kb || !cb || !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
        !PEM_write_bio_X509(cb, x) || !(ktext = bio_text(kb, &kn)) ||
        !(ctext = bio_text(cb, &cnl))) {
        rc = vax_fail(db, VAX_ENOMEM, "keys", _("Keys: out of memory."));
        goto done;
    }
    /* the certificate first: a key file without its certificate would look like a broken pair */
    if ((rc = write_file(db, cpath, ctext, cnl, 0600)) == VAX_OK)
        rc = write_file(db, kpath, ktext, kn, 0600);
done:
    if (ktext)
        OPENSSL_cleanse(ktext, kn);
    free(ktext);
    free(ctext);
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

int vax_bundle_signer(vax_db *db, vax_signer **out)
{
    char dir[4096], kpath[4200], cpath[4200];
    int rc;
    *out = NULL;
    if ((rc = vax_keys_dir(db, dir, sizeof dir)) != VAX_OK ||
        (rc = path_in(db, dir, KEY_FILE, kpath, sizeof kpath)) != VAX_OK)
        return rc;
    if (access(kpath, F_OK) == 0)
        return vax_signer_load(db, dir, out);
    if ((rc = path_in(db, dir, DEV_KEY_FILE, kpath, sizeof kpath)) != VAX_OK ||
        (rc = path_in(db, dir, DEV_CRT_FILE, cpath, sizeof cpath)) != VAX_OK)
        return rc;
    if (access(kpath, F_OK) != 0 && (rc = device_key_make(db, dir, kpath, cpath)) != VAX_OK)
        return rc;
    vax_signer *s = calloc(1, sizeof *s);
    if (!s)
        return VAX_ENOMEM;
    FILE *f = fopen(cpath, "r");
    s->key = load_key(kpath);
    s->cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!s->key || !s->cert || X509_check_private_key(s->cert, s->key) != 1 ||
        vax_cert_kid(s->cert, s->kid) != VAX_OK || !(s->alg = vax_key_cose_alg(s->key))) {
        ERR_clear_error();
        vax_signer_free(s);
        return vax_fail(db, VAX_EINVAL, "keys",
                        _("Keys: the device key in %s is damaged; move it away and try again."),
                        dir);
    }
    *out = s;
    return VAX_OK;
}

int vax_cert_fingerprint(X509 *cert, char out[65])
{
    unsigned char *der = NULL, md[32];
    unsigned int mdlen = 0;
    int n = i2d_X509(cert, &der);
    out[0] = 0;
    if (n <= 0)
        return VAX_EINVAL;
    int ok = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_free(der);
    if (!ok || mdlen != 32)
        return VAX_EINTERNAL;
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return VAX_OK;
}

char *vax_cert_pem(X509 *cert)
{
    BIO *b = BIO_new(BIO_s_mem());
    size_t n = 0;
    char *s = b && PEM_write_bio_X509(b, cert) ? bio_text(b, &n) : NULL;
    BIO_free(b);
    return s;
}

X509 *vax_cert_from_pem(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    ERR_clear_error();
    BIO_free(b);
    return x;
}
