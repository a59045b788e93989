/* bench/cert.c: certificate costs: sign + encode + QR per certificate (ES256 and PS256), a full
 * issue through the database, and a PDF card per certificate. Prints figures; asserts nothing.
 * Run: build/bench/cert [--n N] [--dir PATH] */
#include "vax.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int die(vax_db *db, const char *what)
{
    fprintf(stderr, "bench/cert: %s: %s\n", what, db ? vax_errmsg(db) : "");
    return 1;
}

static double sign_encode_qr(vax_signer *s, int n)
{
    vax_hcert h = {.fn = "Nguyễn",
                   .gn = "Văn Đức",
                   .fnt = "NGUYEN",
                   .gnt = "VAN<DUC",
                   .dob = "1990-02-01",
                   .tg = "840539006",
                   .vp = "J07BX03",
                   .mp = "EU/1/21/1529",
                   .ma = "ORG-100001699",
                   .dn = 2,
                   .sd = 2,
                   .dt = "2021-10-15",
                   .co = "VN",
                   .is = "Ministry of Health of Viet Nam",
                   .ci = "URN:UVCI:01:VN:BVLC/72FF346C8EF7415F80F236EC#1",
                   .iss = "VN",
                   .iat = 1634263200,
                   .exp = 1634263200 + 365 * 86400};
    double t0 = now_ms();
    for (int i = 0; i < n; i++) {
        char *hc1;
        vax_qr *q;
        h.iat++;
        if (vax_hc1_make(&h, s, &hc1) != VAX_OK || vax_qr_make(hc1, &q) != VAX_OK)
            return -1;
        vax_qr_free(q);
        free(hc1);
    }
    return (now_ms() - t0) / n;
}

int main(int argc, char **argv)
{
    int n = 500;
    char dir[512] = "";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--n"))
            n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--dir"))
            snprintf(dir, sizeof dir, "%s", argv[i + 1]);
    }
    if (n < 1)
        n = 1;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/vaxsite-bench-cert.XXXXXX");
        if (!mkdtemp(dir))
            return die(NULL, "mkdtemp");
    }
    char path[600], k1[700], k2[700];
    snprintf(path, sizeof path, "%s/site.db", dir);
    snprintf(k1, sizeof k1, "%s/es256", dir);
    snprintf(k2, sizeof k2, "%s/ps256", dir);
    unlink(path);
    vax_db *db;
    vax_clock_set(1634263200);
    if (vax_open(path, VAX_OPEN_CREATE, &db) != VAX_OK)
        return die(db, "open");
    if (vax_staff_act_as_os_user(db, "bench") != VAX_OK ||
        vax_site_set(db, "BVLC", "Trạm Y tế phường Tân Phong", 0) != VAX_OK ||
        vax_keys_init(db, k1, 0) != VAX_OK || vax_keys_init(db, k2, 2048) != VAX_OK)
        return die(db, "setup");
    vax_signer *es, *ps;
    if (vax_signer_load(db, k1, &es) != VAX_OK || vax_signer_load(db, k2, &ps) != VAX_OK)
        return die(db, "signer");

    double es_ms = sign_encode_qr(es, n), ps_ms = sign_encode_qr(ps, n / 5 + 1);
    printf("sign+encode+QR, ES256: %.3f ms per certificate (%d)\n", es_ms, n);
    printf("sign+encode+QR, PS256 (RSA 2048): %.3f ms per certificate (%d)\n", ps_ms, n / 5 + 1);

    /* a person and doses, then issue through the database (reads the rows, loads the key) */
    vax_person p = {.sex = 'm'};
    snprintf(p.national_id, sizeof p.national_id, "001090001234");
    snprintf(p.full_name, sizeof p.full_name, "Nguyễn Văn Đức");
    snprintf(p.birth_date, sizeof p.birth_date, "1990-02-01");
    if (vax_person_add(db, &p) != VAX_OK)
        return die(db, "person");
    vax_close(db);
    sqlite3 *s;
    sqlite3_open(path, &s);
    sqlite3_exec(s, "BEGIN", NULL, NULL, NULL);
    for (int i = 0; i < n; i++) {
        char sql[300];
        snprintf(sql, sizeof sql,
                 "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no,"
                 " created_at, updated_at) VALUES ('b%d', %lld, 'AZ', %d, 1634263200, 'ABV5300',"
                 " 0, 0)",
                 i, (long long)p.id, i + 1);
        sqlite3_exec(s, sql, NULL, NULL, NULL);
    }
    sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(s);
    if (vax_open(path, 0, &db) != VAX_OK || vax_staff_act_as_os_user(db, "bench") != VAX_OK)
        return die(db, "reopen");
    char set[800];
    snprintf(set, sizeof set, "%s", k1);
    vax_setting_set(db, "cert.key_dir", set);
    vax_certificate *c = malloc(sizeof *c);
    double t0 = now_ms();
    int issued = 0;
    for (int i = 1; i <= n; i++)
        if (vax_cert_issue(db, i, c) == VAX_OK)
            issued++;
    double issue_ms = (now_ms() - t0) / (issued ? issued : 1);
    printf("issue through the database (row, key load, sign, store): %.3f ms per certificate "
           "(%d)\n",
           issue_ms, issued);
    int cards = n < 100 ? n : 100;
    char pdf[700];
    snprintf(pdf, sizeof pdf, "%s/card.pdf", dir);
    t0 = now_ms();
    for (int i = 0; i < cards; i++)
        if (vax_cert_get(db, i + 1, c) != VAX_OK || vax_cert_card_pdf(db, c, pdf) != VAX_OK)
            return die(db, "pdf");
    printf("PDF card: %.3f ms per certificate (%d)\n", (now_ms() - t0) / cards, cards);
    free(c);
    vax_signer_free(es);
    vax_signer_free(ps);
    vax_close(db);
    printf("targets: sign+encode+QR < 2 ms, PDF < 50 ms; files in %s\n", dir);
    return 0;
}
