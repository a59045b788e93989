/* cli_cert.c: the command line of certificates and keys: keys init/export/import, cert issue,
 * show, pdf/png/print, verify, reissue/revoke and the revocation list. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* certificates, trust lists, revocation lists and a scanned QR's text are small: 16 MiB is far
 * beyond any of them */
#define CERT_TEXT_MAX ((size_t)16 << 20)

static char *read_path(const char *path)
{
    return cli_read_text(path, CERT_TEXT_MAX);
}

static int write_text(const char *path, const char *text)
{
    if (!path || !strcmp(path, "-")) {
        fputs(text, stdout);
        return 0;
    }
    FILE *f = vax_private_fopen(path);
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, _("vaxsite: cannot write %s\n"), path);
        return 1;
    }
    return 0;
}

/* --out names a file (not absent, not "-" for standard output): the command then says what it
 * wrote there, since nothing else shows it did anything. */
static int to_file(const char *out)
{
    return out && strcmp(out, "-") != 0;
}

/* Lines of text that start with prefix ("" counts every line). */
static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, prefix, strlen(prefix)))
            n++;
    return n;
}

static int key_dir(vax_db *db, const args *a, char *buf, size_t size)
{
    if (opt(a, "dir")) {
        snprintf(buf, size, "%s", opt(a, "dir"));
        return VAX_OK;
    }
    return vax_keys_dir(db, buf, size);
}

static int cmd_keys(const char *path, const args *a)
{
    static const char *const known[] = {"dir", "rsa", "out", NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    char dir[4096];
    int rc = 1;
    if (!only_opts(a, known))
        return 2;
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    if (key_dir(db, a, dir, sizeof dir) != VAX_OK) {
        rc = fail_db(db);
    } else if (!strcmp(sub, "init")) {
        int bits = opt(a, "rsa") ? atoi(opt(a, "rsa")) : 0;
        if (vax_keys_init(db, dir, bits) != VAX_OK)
            rc = fail_db(db);
        else {
            printf(_("key and certificate made in %s\n"), dir);
            rc = 0;
        }
    } else if (!strcmp(sub, "rotate")) {
        vax_key_rotation r;
        if (vax_keys_rotate(db, dir, opt(a, "rsa") ? atoi(opt(a, "rsa")) : 0, &r) != VAX_OK) {
            rc = fail_db(db);
        } else {
            printf(_("new signing key made in %s: kid %s (certificate SHA-256 %s); new "
                     "certificates are signed with it.\n"),
                   dir, r.new_kid, r.new_fingerprint);
            printf(_("the old key (kid %s, certificate SHA-256 %s) is destroyed; its certificate "
                     "is kept in %s, so certificates it signed still verify.\n"),
                   r.old_kid, r.old_fingerprint, r.retired);
            printf("%s", _("give verifiers the new trust list: vaxsite keys export\n"));
            /* bundles are signed with the site's key too: a district that trusted the old one
             * refuses them until it trusts this one */
            printf(_("bundles are signed with it as well: where they are imported, run: vaxsite "
                     "sync trust %s\n"),
                   r.new_fingerprint);
            rc = 0;
        }
    } else if (!strcmp(sub, "export")) {
        char *pem = NULL;
        if (vax_keys_export(db, dir, &pem) != VAX_OK)
            rc = fail_db(db);
        else if ((rc = write_text(opt(a, "out"), pem)) == 0 && to_file(opt(a, "out")))
            printf(_("%d certificate(s) of the site's keys written to %s (the current one "
                     "first).\n"),
                   count_lines(pem, "-----BEGIN CERTIFICATE-----"), opt(a, "out"));
        free(pem);
    } else if (!strcmp(sub, "import") && a->npos > 2) {
        char *pem = read_path(a->pos[2]);
        if (!pem)
            rc = 1;
        else if (vax_keys_import(db, dir, pem) != VAX_OK)
            rc = fail_db(db);
        else {
            printf("%s", _("certificate installed\n"));
            rc = 0;
        }
        free(pem);
    } else {
        fprintf(stderr, "%s", _("vaxsite: keys init|rotate|export|import FILE\n"));
        rc = 2;
    }
    vax_close(db);
    return rc;
}

/* A certificate by its number or its UVCI. */
static int find_cert(vax_db *db, const char *ref, vax_certificate *c)
{
    if (!strncmp(ref, "URN:", 4) || !strncmp(ref, "urn:", 4))
        return vax_cert_by_ci(db, ref, c);
    return vax_cert_get(db, strtoll(ref, NULL, 10), c);
}

/* The columns of the terminal the QR goes to: the window's when stdout is one, else $COLUMNS if
 * set; 0 when unknown (a file or a pipe takes any width). */
static int terminal_columns(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *e = getenv("COLUMNS");
    return e && atoi(e) > 0 ? atoi(e) : 0;
}

/* Draws the QR with its 4-module quiet zone, dark modules as ink. On a terminal the colours are
 * set explicitly (black on white), so it scans the same on light and dark themes; a QR wider
 * than the terminal would wrap into a picture no phone reads, so it is refused, naming the width
 * it needs. 0, or 1 when it was not drawn. */
static int print_qr(const char *hc1, int ascii)
{
    vax_qr *q;
    char **lines;
    int n, rc = 1;
    if (vax_qr_make(hc1, &q) != VAX_OK)
        return 1;
    int need = (vax_qr_width(q) + 8) * (ascii ? 2 : 1), cols = terminal_columns();
    int colour = isatty(STDOUT_FILENO);
    if (cols && need > cols) {
        fprintf(stderr,
                _("vaxsite: the QR code needs %d columns and the terminal has %d: it would wrap "
                  "and could not be scanned. Widen the window (or make the font smaller), or "
                  "use cert png.\n"),
                need, cols);
    } else if (vax_qr_lines(q, 4, ascii, 0, &lines, &n) == VAX_OK) {
        for (int i = 0; i < n; i++)
            printf(colour ? "\033[30;107m%s\033[0m\n" : "%s\n", lines[i]);
        vax_lines_free(lines, n);
        rc = 0;
    }
    vax_qr_free(q);
    return rc;
}

/* What a revoked or replaced certificate says instead of its QR. */
static void print_revoked(FILE *f, const vax_certificate *c)
{
    char day[11];
    vax_local_date(c->revoked_at, day);
    vax_date_dmy(day, day);
    fprintf(f, _("NOT VALID: certificate %s was revoked on %s (%s).\n"), c->ci, day,
            c->revoke_reason);
    if (c->replaced_by)
        fprintf(f, _("It was replaced by certificate %lld.\n"), (long long)c->replaced_by);
}

static void print_fields(const vax_hcert *h)
{
    printf(_("name: %s %s\n"), h->fn, h->gn);
    printf(_("name (ICAO): %s<<%s\n"), h->fnt, h->gnt);
    printf(_("birth date: %s\n"), h->dob);
    if (h->type == 'v') {
        printf(_("vaccine: %s %s %s\n"), h->vp, h->mp, h->ma);
        printf(_("dose: %d of %d on %s in %s\n"), h->dn, h->sd, h->dt, h->co);
    } else if (h->type)
        printf(_("entry: %c on %s in %s\n"), h->type, h->dt, h->co);
    printf(_("issuer: %s\n"), h->is);
    printf(_("certificate id: %s\n"), h->ci);
    char a[11], b[11];
    vax_local_date(h->iat, a);
    vax_local_date(h->exp, b);
    printf(_("issued: %s (%s), expires: %s\n"), a, h->iss, b);
}

static void json_string(const char *v)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* cert verify --json: one JSON object and nothing else, for programs: the verdict ("valid" or
 * "invalid"), the result code (stable, English) and the reason (in the interface's language),
 * the signature and the decoded health certificate when it could be decoded. */
static void print_verdict_json(const vax_cert_check *chk)
{
    printf("{\"verdict\":");
    json_string(chk->result == VAX_CERT_VALID ? "valid" : "invalid");
    printf(",\"result\":");
    json_string(vax_cert_result_code(chk->result));
    printf(",\"reasons\":[");
    if (chk->result != VAX_CERT_VALID) {
        json_string(vax_cert_result_label(chk->result));
        if (chk->why[0]) {
            putchar(',');
            json_string(chk->why);
        }
    }
    printf("]");
    if (chk->decoded) {
        printf(",\"signature\":{\"alg\":");
        json_string(chk->alg == -7 ? "ES256" : chk->alg == -37 ? "PS256" : "?");
        printf(",\"kid\":");
        json_string(chk->kid);
        printf("},\"hcert\":%s", chk->json ? chk->json : "null");
    }
    printf("}\n");
}

static int cmd_cert_verify(const char *path, const args *a)
{
    char *text = NULL, *revoked = NULL;
    vax_trust *trust = NULL;
    vax_cert_check chk;
    int rc = 1;
    if (vax_trust_new(&trust) != VAX_OK)
        return 1;
    if (opt(a, "png")) {
        /* no database needed to read a picture (and none is made in the working folder) */
        int r = vax_qr_read_png(NULL, opt(a, "png"), &text);
        if (r != VAX_OK) {
            fprintf(stderr, "vaxsite: ");
            fprintf(stderr,
                    r == VAX_ENOTFOUND ? _("File: no QR code found in %s.")
                                       : _("File: %s is not a readable PNG or JPEG picture."),
                    opt(a, "png"));
            fputc('\n', stderr);
            goto done;
        }
    } else if (a->npos > 2 && strcmp(a->pos[2], "-") != 0) {
        text = strdup(a->pos[2]);
    } else {
        text = read_path("-");
    }
    if (!text)
        goto done;
    if (opt(a, "trust")) {
        char *pem = read_path(opt(a, "trust"));
        if (!pem || vax_trust_add_pem(trust, pem, strlen(pem)) != VAX_OK) {
            fprintf(stderr, _("vaxsite: %s holds no PEM certificate\n"), opt(a, "trust"));
            free(pem);
            goto done;
        }
        free(pem);
    }
    if (opt(a, "revoked") && !(revoked = read_path(opt(a, "revoked"))))
        goto done;
    /* the site's own certificate is trusted when its database is there, and what the site
     * revoked is revoked: a site never calls valid a certificate it withdrew itself */
    struct stat sb;
    if (!opt(a, "no-site") && stat(path, &sb) == 0) {
        vax_db *db = NULL;
        char dir[4096], *own = NULL;
        vax_open(path, VAX_OPEN_READONLY, &db);
        /* its current key's certificate and those of the keys it replaced (keys rotate) */
        if (db && vax_keys_dir(db, dir, sizeof dir) == VAX_OK)
            vax_trust_add_site(db, dir, trust);
        if (db && vax_cert_revoked_export(db, &own) == VAX_OK) {
            size_t n = revoked ? strlen(revoked) : 0;
            char *both = realloc(revoked, n + strlen(own) + 2);
            if (both) {
                both[n] = 0;
                if (n)
                    strcat(both, "\n");
                strcat(both, own);
                revoked = both;
            }
        }
        free(own);
        vax_close(db);
    }
    if (vax_hc1_verify(text, trust, revoked, vax_now(), &chk) != VAX_OK) {
        fprintf(stderr, "%s", _("vaxsite: out of memory\n"));
        goto done;
    }
    if (opt(a, "json")) {
        print_verdict_json(&chk);
        rc = chk.result == VAX_CERT_VALID ? 0 : 1;
        vax_cert_check_free(&chk);
        goto done;
    }
    if (chk.result == VAX_CERT_VALID)
        printf("%s\n", _("valid"));
    else
        printf(_("invalid: %s\n"), vax_cert_result_label(chk.result));
    if (chk.why[0])
        printf(_("reason: %s\n"), chk.why);
    if (chk.decoded) {
        printf(_("signature: %s, kid %s\n"),
               chk.alg == -7    ? "ES256"
               : chk.alg == -37 ? "PS256"
                                : "?",
               chk.kid);
        print_fields(&chk.hc);
    }
    rc = chk.result == VAX_CERT_VALID ? 0 : 1;
    vax_cert_check_free(&chk);
done:
    free(text);
    free(revoked);
    vax_trust_free(trust);
    return rc;
}

static int cmd_cert_print(vax_db *db, const vax_certificate *c)
{
    char printer[128];
    if (vax_cert_print(db, c) != VAX_OK)
        return fail_db(db);
    vax_setting_text(db, "cert.printer", printer, sizeof printer);
    printf(_("Card of certificate %lld (%s) sent to the printer %s.\n"), (long long)c->id, c->ci,
           printer);
    return 0;
}

/* cert paper CERT|--person ID: annex 4's paper of the certificate, or of the person's newest
 * certificate in force (the QR it carries). */
static int cmd_cert_paper(vax_db *db, const args *a, vax_certificate *c)
{
    const char *size = opt(a, "size") ? opt(a, "size") : "a5";
    char *layout = NULL;
    size_t len = 0;
    int rc = 1;
    if (opt(a, "person")) {
        vax_certificate *all = calloc(32, sizeof *all);
        int n = 0;
        if (!all)
            return 1;
        if (vax_cert_list_for_person(db, strtoll(opt(a, "person"), NULL, 10), all, 32, &n) !=
            VAX_OK) {
            free(all);
            return fail_db(db);
        }
        int best = -1;
        for (int i = 0; i < n; i++)
            if (!all[i].revoked_at &&
                (best < 0 || all[i].hc.dn > all[best].hc.dn ||
                 (all[i].hc.dn == all[best].hc.dn && all[i].issued_at > all[best].issued_at)))
                best = i;
        if (best >= 0)
            *c = all[best];
        free(all);
        if (best < 0) {
            fprintf(stderr, "%s",
                    _("vaxsite: this person has no certificate in force; issue one first "
                      "(cert issue DOSE).\n"));
            return 1;
        }
    } else if (find_cert(db, a->pos[2], c) != VAX_OK) {
        return fail_db(db);
    }
    if (opt(a, "layout") && vax_read_file(db, opt(a, "layout"), 1 << 20, &layout, &len) != VAX_OK)
        return fail_db(db);
    if (opt(a, "print")) {
        if (vax_cert_paper_print(db, c, size) != VAX_OK)
            rc = fail_db(db);
        else {
            char printer[128];
            vax_setting_text(db, "cert.printer", printer, sizeof printer);
            printf(_("Paper certificate of %s sent to the printer %s.\n"), c->ci, printer);
            rc = 0;
        }
    } else if (!opt(a, "out")) {
        fprintf(stderr, "%s", _("vaxsite: give the file with --out FILE, or --print\n"));
        rc = 2;
    } else if (vax_cert_paper_pdf(db, c, size, layout, opt(a, "out")) != VAX_OK) {
        rc = fail_db(db);
    } else {
        printf(_("Paper certificate (annex 4) of certificate %lld (%s) saved to %s.\n"),
               (long long)c->id, c->ci, opt(a, "out"));
        rc = 0;
    }
    free(layout);
    return rc;
}

static int cmd_cert(const char *path, const args *a)
{
    static const char *const known[] = {"out",     "reason", "ascii",  "png",     "trust",
                                        "revoked", "json",   "dir",    "no-site", "stale",
                                        "size",    "layout", "person", "print",   NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    vax_certificate *c = NULL;
    int rc = 1;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "verify"))
        return cmd_cert_verify(path, a);
    int writes = !strcmp(sub, "issue") || !strcmp(sub, "reissue") || !strcmp(sub, "revoke");
    /* cert reissue --stale: every certificate whose person's printed fields were corrected */
    int needs_ref = strcmp(sub, "revoked") != 0 && !(opt(a, "stale") && !strcmp(sub, "reissue")) &&
                    !(opt(a, "person") && !strcmp(sub, "paper"));
    if ((needs_ref && a->npos < 3) ||
        (strcmp(sub, "issue") && strcmp(sub, "reissue") && strcmp(sub, "revoke") &&
         strcmp(sub, "revoked") && strcmp(sub, "show") && strcmp(sub, "hc1") &&
         strcmp(sub, "pdf") && strcmp(sub, "png") && strcmp(sub, "print") && strcmp(sub, "qr") &&
         strcmp(sub, "paper"))) {
        fprintf(stderr, "%s",
                _("vaxsite: cert issue DOSE|show|qr|hc1|pdf|png|print|paper|reissue|"
                  "revoke CERT|revoked|verify\n"));
        return 2;
    }
    vax_db *db = open_db(path, writes ? 0 : VAX_OPEN_READONLY, writes);
    if (!db)
        return 1;
    if (!(c = calloc(1, sizeof *c)))
        goto done;
    if (!strcmp(sub, "revoked")) {
        char *text = NULL;
        if (vax_cert_revoked_export(db, &text) != VAX_OK)
            rc = fail_db(db);
        else if ((rc = write_text(opt(a, "out"), text)) == 0 && to_file(opt(a, "out")))
            printf(_("Revocation list written to %s: %d certificate(s).\n"), opt(a, "out"),
                   count_lines(text, ""));
        free(text);
    } else if (!strcmp(sub, "issue")) {
        if (vax_cert_issue(db, strtoll(a->pos[2], NULL, 10), c) != VAX_OK)
            rc = fail_db(db);
        else {
            printf("%lld %s\n", (long long)c->id, c->ci);
            rc = 0;
        }
    } else if (!strcmp(sub, "reissue") && opt(a, "stale")) {
        int n = 0;
        rc = vax_cert_reissue_stale(db, opt(a, "reason"), &n) != VAX_OK ? fail_db(db) : 0;
        printf(_("%d certificate(s) re-issued.\n"), n);
    } else if (!strcmp(sub, "reissue") || !strcmp(sub, "revoke")) {
        vax_certificate old;
        if (find_cert(db, a->pos[2], &old) != VAX_OK)
            rc = fail_db(db);
        else if (!strcmp(sub, "revoke")) {
            rc = vax_cert_revoke(db, old.id, opt(a, "reason")) != VAX_OK ? fail_db(db) : 0;
            if (!rc)
                printf(_("certificate %lld (%s) revoked: %s; it is on the revocation list "
                         "(cert revoked).\n"),
                       (long long)old.id, old.ci, opt(a, "reason"));
        } else if (vax_cert_reissue(db, old.id, opt(a, "reason"), c) != VAX_OK)
            rc = fail_db(db);
        else {
            printf("%lld %s\n", (long long)c->id, c->ci);
            rc = 0;
        }
    } else if (!strcmp(sub, "paper")) {
        rc = cmd_cert_paper(db, a, c);
    } else if (find_cert(db, a->pos[2], c) != VAX_OK) {
        rc = fail_db(db);
    } else if (!strcmp(sub, "show")) {
        /* the fields stay readable for the staff; a revoked one's QR is never drawn */
        print_fields(&c->hc);
        if (c->revoked_at)
            print_revoked(stdout, c);
        rc = c->revoked_at ? 1 : print_qr(c->hc1, opt(a, "ascii") != NULL);
    } else if (c->revoked_at && (!strcmp(sub, "hc1") || !strcmp(sub, "qr"))) {
        print_revoked(stderr, c);
        rc = 1;
    } else if (!strcmp(sub, "hc1")) {
        printf("%s\n", c->hc1);
        rc = 0;
    } else if (!strcmp(sub, "qr")) {
        rc = print_qr(c->hc1, opt(a, "ascii") != NULL);
    } else if (!strcmp(sub, "print")) {
        rc = cmd_cert_print(db, c);
    } else if (!opt(a, "out")) {
        fprintf(stderr, "%s", _("vaxsite: give the file with --out FILE\n"));
        rc = 2;
    } else {
        int r = !strcmp(sub, "pdf") ? vax_cert_card_pdf(db, c, opt(a, "out"))
                                    : vax_cert_card_png(db, c, opt(a, "out"));
        rc = r != VAX_OK ? fail_db(db) : 0;
        if (!rc)
            printf(_("Card of certificate %lld (%s) saved to %s.\n"), (long long)c->id, c->ci,
                   opt(a, "out"));
    }
done:
    free(c);
    vax_close(db);
    return rc;
}

void cli_cert_usage(void)
{
    printf("%s",
           _("\n"
             "Signing keys (manager; changes are audited):\n"
             "  keys rotate [--rsa BITS]      a new signing key; the old one's certificate is\n"
             "                                kept, so what it signed still verifies\n"));
}

int cli_cert(const char *path, const args *a)
{
    if (!strcmp(a->pos[0], "keys"))
        return cmd_keys(path, a);
    return cmd_cert(path, a);
}
