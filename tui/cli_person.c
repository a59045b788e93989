/* cli_person.c: the registry from the command line: add (with the duplicate check), find (a name,
 * an ID or a chip ID card's scan), edit with a reason, link a second ID, merge two records; and a
 * person's doses: given elsewhere, listed, voided (dose elsewhere, list, void). */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One person as a line: ID, name, birth date (dd/mm/yyyy). */
static void print_person(const vax_person *p)
{
    char dob[11];
    vax_date_dmy(p->birth_date, dob);
    printf("%s\t%s\t%s\n", p->national_id, p->full_name, dob);
}

/* The words after the subcommand joined by spaces (a scan or a name may be split by the shell). */
static void join_words(const args *a, int from, char *out, size_t size)
{
    out[0] = 0;
    for (int i = from; i < a->npos; i++) {
        if (i > from)
            strncat(out, " ", size - strlen(out) - 1);
        strncat(out, a->pos[i], size - strlen(out) - 1);
    }
}

int cli_person_resolve(vax_db *db, const char *text, vax_person *out)
{
    char id[13], msg[256];
    if (vax_idcard_is_scan(text)) {
        vax_idcard card;
        int linked = 0, rc;
        if (vax_idcard_parse(text, &card, msg, sizeof msg) != VAX_OK) {
            fprintf(stderr, "vaxsite: %s\n", msg);
            return 1;
        }
        rc = vax_person_by_idcard(db, &card, out, &linked);
        if (rc == VAX_ENOTFOUND) {
            char dob[11];
            vax_date_dmy(card.birth_date, dob);
            fprintf(stderr,
                    _("vaxsite: %s (ID %s, born %s) is not registered; register with: vaxsite "
                      "person add --scan '<the scan>'\n"),
                    card.full_name, card.cccd[0] ? card.cccd : card.cmnd, dob);
            return 1;
        }
        if (rc != VAX_OK)
            return fail_db(db);
        if (linked)
            fprintf(stderr, _("vaxsite: the CCCD %s is now linked to the record of CMND %s.\n"),
                    card.cccd, card.cmnd);
        return 0;
    }
    if (vax_validate_national_id(text, id, msg, sizeof msg) != VAX_OK) {
        fprintf(stderr, "vaxsite: %s\n", msg);
        return 1;
    }
    if (vax_person_by_national_id(db, id, out) != VAX_OK)
        return fail_db(db);
    return 0;
}

static int cmd_add(const char *path, const args *a)
{
    static const char *const known[] = {"name",   "id",        "dob",      "sex",
                                        "phone",  "group",     "commune",  "scan",
                                        "old-id", "same-as",   "new",      "insurance",
                                        "reason", "ethnicity", "guardian", "guardian-phone",
                                        NULL};
    vax_person p;
    char msg[256], old_id[13] = "";
    if (!only_opts(a, known))
        return 2;
    memset(&p, 0, sizeof p);
    if (opt(a, "scan")) {
        vax_idcard card;
        if (vax_idcard_parse(opt(a, "scan"), &card, msg, sizeof msg) != VAX_OK) {
            fprintf(stderr, "vaxsite: %s\n", msg);
            return 1;
        }
        vax_idcard_to_person(&card, &p);
        if (card.cccd[0] && card.cmnd[0])
            snprintf(old_id, sizeof old_id, "%s", card.cmnd);
    } else if (!opt(a, "name") || !opt(a, "dob")) {
        /* no --id: a person without papers, for whom the site makes an identifier */
        fprintf(stderr, "%s",
                _("vaxsite: person add needs --name and --dob, and --id unless the person has no "
                  "papers (or --scan CARD-TEXT)\n"));
        return 2;
    }
    /* what is typed overrides the card; the raw text is checked first so that a too-long value
     * is reported, not cut */
    if (opt(a, "name") && !cli_copy(p.full_name, sizeof p.full_name, opt(a, "name"), "name"))
        return 2;
    if ((opt(a, "id") &&
         vax_validate_national_id(opt(a, "id"), p.national_id, msg, sizeof msg) != VAX_OK) ||
        (opt(a, "dob") &&
         vax_validate_birth_date(opt(a, "dob"), p.birth_date, msg, sizeof msg) != VAX_OK) ||
        vax_validate_phone(opt(a, "phone") ? opt(a, "phone") : "", p.phone, msg, sizeof msg) !=
            VAX_OK ||
        vax_validate_insurance_no(opt(a, "insurance") ? opt(a, "insurance") : "", p.insurance_no,
                                  msg, sizeof msg) != VAX_OK ||
        (opt(a, "old-id") &&
         vax_validate_national_id(opt(a, "old-id"), old_id, msg, sizeof msg) != VAX_OK)) {
        fprintf(stderr, "vaxsite: %s\n", msg);
        return 1;
    }
    if (opt(a, "sex")) {
        const char *s = opt(a, "sex");
        if (strcmp(s, "m") && strcmp(s, "f")) {
            fprintf(stderr, "vaxsite: %s\n", _("Sex: m (male) or f (female)."));
            return 1;
        }
        p.sex = s[0];
    }
    if ((opt(a, "group") &&
         !cli_copy(p.priority_group, sizeof p.priority_group, opt(a, "group"), "group")) ||
        (opt(a, "commune") &&
         !cli_copy(p.commune, sizeof p.commune, opt(a, "commune"), "commune")) ||
        (opt(a, "ethnicity") &&
         !cli_copy(p.ethnicity, sizeof p.ethnicity, opt(a, "ethnicity"), "ethnicity")))
        return 2;
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (opt(a, "same-as")) {
        /* "this is the same person": the new ID (and the card's old one) join that record */
        vax_person same;
        if (cli_person_resolve(db, opt(a, "same-as"), &same) != 0) {
            vax_close(db);
            return 1;
        }
        const char *reason = opt(a, "reason") ? opt(a, "reason") : _("same person at registration");
        if (vax_person_link_id(db, same.id, p.national_id, reason) != VAX_OK ||
            (old_id[0] && strcmp(old_id, same.national_id) != 0 &&
             vax_person_link_id(db, same.id, old_id, reason) != VAX_OK && vax_errfield(db) &&
             strcmp(vax_errfield(db), "national_id") != 0))
            rc = fail_db(db);
        else {
            printf(_("Linked %s to the existing record:\n"), p.national_id);
            print_person(&same);
        }
        vax_close(db);
        return rc;
    }
    if (vax_person_register(db, &p, old_id, opt(a, "new") != NULL) != VAX_OK) {
        if (vax_errfield(db) && !strcmp(vax_errfield(db), "duplicate")) {
            vax_person cand[8];
            int n = 0;
            fprintf(stderr, "%s",
                    _("vaxsite: this may be someone registered already; nothing was saved:\n"));
            if (vax_person_duplicates(db, &p, old_id, cand, 8, &n) == VAX_OK)
                for (int i = 0; i < n; i++) {
                    char dob[11];
                    vax_date_dmy(cand[i].birth_date, dob);
                    fprintf(stderr, "  %s\t%s\t%s\n", cand[i].national_id, cand[i].full_name, dob);
                }
            fprintf(stderr, "%s",
                    _("vaxsite: the same person: add --same-as ID (the new ID is linked to that "
                      "record); someone else: add --new\n"));
            rc = 1;
        } else {
            rc = fail_db(db);
        }
    } else if ((opt(a, "guardian") || opt(a, "guardian-phone")) &&
               vax_person_guardian_set(db, p.id, opt(a, "guardian"), opt(a, "guardian-phone")) !=
                   VAX_OK) {
        /* registered: the guardian may be given again with person guardian */
        fprintf(stderr, _("vaxsite: %s was registered, but not the guardian: %s\n"), p.national_id,
                vax_errmsg(db));
        rc = 1;
    } else {
        printf("%s\t%s\n", p.national_id, p.full_name);
    }
    vax_close(db);
    return rc;
}

/* person guardian ID [--name N --phone P]: shows, or records, a minor's parent or guardian */
static int cmd_guardian(const char *path, const args *a)
{
    static const char *const known[] = {"name", "phone", NULL};
    vax_person p;
    vax_guardian g;
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (a->npos < 3 || (!opt(a, "name") != !opt(a, "phone"))) {
        fprintf(stderr, "%s",
                _("vaxsite: person guardian needs the ID, and --name with --phone to "
                  "record one\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    if (cli_person_resolve(db, a->pos[2], &p) != 0) {
        vax_close(db);
        return 1;
    }
    if (opt(a, "name") &&
        vax_person_guardian_set(db, p.id, opt(a, "name"), opt(a, "phone")) != VAX_OK)
        rc = fail_db(db);
    else if ((rc = vax_person_guardian_get(db, p.id, &g)) == VAX_OK)
        printf("%s\t%s\t%s\n", p.national_id, g.name, g.phone);
    else if (rc == VAX_ENOTFOUND) {
        printf(_("%s\tno guardian on record\n"), p.national_id);
        rc = 0;
    } else
        rc = fail_db(db);
    vax_close(db);
    return rc;
}

static int cmd_find(const char *path, const args *a)
{
    static const char *const known[] = {"limit", NULL};
    char query[1024];
    vax_person res[100];
    int n = 0, limit = 20;
    if (!only_opts(a, known))
        return 2;
    if (opt(a, "limit"))
        limit = atoi(opt(a, "limit"));
    if (limit < 1 || limit > 100)
        limit = 20;
    join_words(a, 2, query, sizeof query);
    if (!query[0]) {
        fprintf(stderr, "%s", _("vaxsite: person find needs the text to look for\n"));
        return 2;
    }
    /* a scan may link the card's CCCD to the record of its old CMND: a writer's open */
    int scan = vax_idcard_is_scan(query);
    vax_db *db = open_db(path, scan ? 0 : VAX_OPEN_READONLY, scan);
    if (!db)
        return 1;
    int rc = 0;
    if (scan) {
        vax_person p;
        if ((rc = cli_person_resolve(db, query, &p)) == 0)
            print_person(&p);
        vax_close(db);
        return rc;
    }
    /* an ID number finds its person whether it is the main ID or a linked one */
    char id[13], msg[256];
    if (vax_validate_national_id(query, id, msg, sizeof msg) == VAX_OK &&
        vax_person_by_national_id(db, id, &res[0]) == VAX_OK) {
        print_person(&res[0]);
        vax_close(db);
        return 0;
    }
    if (vax_person_search(db, query, res, limit, &n) != VAX_OK)
        rc = fail_db(db);
    for (int i = 0; i < n; i++)
        print_person(&res[i]);
    vax_close(db);
    return rc;
}

static int cmd_edit(const char *path, const args *a)
{
    static const char *const known[] = {"name",   "id",        "dob",     "sex",
                                        "phone",  "group",     "commune", "insurance",
                                        "reason", "ethnicity", NULL};
    vax_person p;
    if (!only_opts(a, known))
        return 2;
    if (a->npos < 3 || !opt(a, "reason")) {
        fprintf(stderr, "%s", _("vaxsite: person edit needs the ID and --reason\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    if (cli_person_resolve(db, a->pos[2], &p) != 0) {
        vax_close(db);
        return 1;
    }
    /* the fields not given keep their value; validation is the core's, naming the field; a value
     * longer than its field is refused, not cut */
    if ((opt(a, "name") && !cli_copy(p.full_name, sizeof p.full_name, opt(a, "name"), "name")) ||
        (opt(a, "group") &&
         !cli_copy(p.priority_group, sizeof p.priority_group, opt(a, "group"), "group")) ||
        (opt(a, "commune") &&
         !cli_copy(p.commune, sizeof p.commune, opt(a, "commune"), "commune")) ||
        (opt(a, "insurance") &&
         !cli_copy(p.insurance_no, sizeof p.insurance_no, opt(a, "insurance"), "insurance")) ||
        (opt(a, "ethnicity") &&
         !cli_copy(p.ethnicity, sizeof p.ethnicity, opt(a, "ethnicity"), "ethnicity"))) {
        vax_close(db);
        return 2;
    }
    if (opt(a, "id"))
        snprintf(p.national_id, sizeof p.national_id, "%s", opt(a, "id"));
    if (opt(a, "dob"))
        snprintf(p.birth_date, sizeof p.birth_date, "%s", opt(a, "dob"));
    if (opt(a, "sex"))
        p.sex = !strcmp(opt(a, "sex"), "m") ? 'm' : !strcmp(opt(a, "sex"), "f") ? 'f' : '?';
    if (opt(a, "phone"))
        snprintf(p.phone, sizeof p.phone, "%s", opt(a, "phone"));
    int rc = 0;
    if ((opt(a, "id") && strlen(opt(a, "id")) >= sizeof p.national_id) ||
        (opt(a, "phone") && strlen(opt(a, "phone")) >= sizeof p.phone) ||
        (opt(a, "dob") && strlen(opt(a, "dob")) >= sizeof p.birth_date)) {
        fprintf(stderr, "%s", _("vaxsite: a value given is longer than any valid one\n"));
        rc = 1;
    } else if (vax_person_update(db, &p, opt(a, "reason")) != VAX_OK) {
        rc = fail_db(db);
    } else {
        vax_certificate certs[16];
        int n = 0, stale = 0;
        if (vax_person_get(db, p.id, &p) == VAX_OK)
            print_person(&p);
        if (vax_cert_list_for_person(db, p.id, certs, 16, &n) == VAX_OK)
            for (int i = 0; i < n; i++)
                stale += certs[i].stale[0] != 0;
        if (stale)
            printf(_("%d certificate(s) print what changed; re-issue: vaxsite cert reissue "
                     "--stale --reason R\n"),
                   stale);
    }
    vax_close(db);
    return rc;
}

static int cmd_link(const char *path, const args *a)
{
    static const char *const known[] = {"reason", NULL};
    vax_person p;
    if (!only_opts(a, known))
        return 2;
    if (a->npos < 4) {
        fprintf(stderr, "%s", _("vaxsite: person link needs the person's ID and the other ID\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = cli_person_resolve(db, a->pos[2], &p);
    if (rc == 0 && vax_person_link_id(db, p.id, a->pos[3], opt(a, "reason")) != VAX_OK)
        rc = fail_db(db);
    else if (rc == 0)
        print_person(&p);
    vax_close(db);
    return rc;
}

static int cmd_merge(const char *path, const args *a)
{
    static const char *const known[] = {"into", "reason", NULL};
    vax_person from, into;
    if (!only_opts(a, known))
        return 2;
    if (a->npos < 3 || !opt(a, "into") || !opt(a, "reason")) {
        fprintf(stderr, "%s", _("vaxsite: person merge needs the ID, --into ID and --reason\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = cli_person_resolve(db, a->pos[2], &from);
    if (rc == 0)
        rc = cli_person_resolve(db, opt(a, "into"), &into);
    if (rc == 0 && vax_person_merge(db, from.id, into.id, opt(a, "reason")) != VAX_OK)
        rc = fail_db(db);
    else if (rc == 0)
        print_person(&into);
    vax_close(db);
    return rc;
}

/* The certificate's text: the option's value, or standard input for "-" (a scanner's line, or a
 * file piped in). NULL with the reason said when it cannot be read. */
static char *hc1_text(const char *value)
{
    if (strcmp(value, "-") != 0)
        return strdup(value);
    size_t n = 0, cap = 16384;
    char *s = malloc(cap + 1);
    if (!s)
        return NULL;
    n = fread(s, 1, cap, stdin);
    if (n == cap) {
        fprintf(stderr, "%s", _("vaxsite: the certificate on standard input is too long\n"));
        free(s);
        return NULL;
    }
    s[n] = 0;
    return s;
}

/* A dose from the person's EU DCC: what it says is printed, then it is recorded; what needs the
 * nurse's word (signer unknown, another name or birth date) is refused until --accept names it. */
static int cmd_dose_hc1(vax_db *db, const vax_person *p, const args *a)
{
    char *text = hc1_text(opt(a, "hc1")), dt[11];
    vax_trust *trust = NULL;
    vax_dcc_dose d;
    unsigned accepted = 0;
    int64_t id = 0;
    int rc = 1;
    const char *acc = opt(a, "accept") ? opt(a, "accept") : "";
    if (!text)
        return 1;
    if (strstr(acc, "signer"))
        accepted |= VAX_DCC_SIGNER_UNKNOWN;
    if (strstr(acc, "name"))
        accepted |= VAX_DCC_NAME_DIFFERS;
    if (strstr(acc, "birth"))
        accepted |= VAX_DCC_DOB_DIFFERS;
    if (vax_trust_load(db, &trust) != VAX_OK) {
        rc = fail_db(db);
        goto done;
    }
    if (opt(a, "trust")) {
        FILE *f = fopen(opt(a, "trust"), "rb");
        char pem[65536];
        size_t n = f ? fread(pem, 1, sizeof pem - 1, f) : 0;
        if (f)
            fclose(f);
        if (!n || vax_trust_add_pem(trust, pem, n) != VAX_OK) {
            fprintf(stderr, _("vaxsite: %s holds no PEM certificate\n"), opt(a, "trust"));
            goto done;
        }
    }
    if (vax_dcc_dose_read(db, text, trust, p->id, &d) != VAX_OK) {
        rc = fail_db(db);
        goto done;
    }
    vax_date_dmy(d.hc.dt, dt);
    printf(_("certificate of\t%s %s, born %s\n"), d.hc.gn, d.hc.fn, d.hc.dob);
    printf(_("vaccine\t%s (%s), dose %d of %d, %s\n"), d.product_name, d.product, d.hc.dn, d.hc.sd,
           dt);
    printf(_("given in\t%s, by %s\n"), d.hc.co, d.hc.is);
    printf("UVCI\t%s\n", d.hc.ci);
    printf(_("signature\t%s\n"), d.result == VAX_CERT_VALID ? _("verified")
                                 : d.result == VAX_CERT_EXPIRED
                                     ? _("verified, validity ended")
                                     : _("signer unknown, not verified"));
    unsigned open = d.warnings & ~accepted;
    if (open) {
        if (open & VAX_DCC_SIGNER_UNKNOWN)
            fprintf(stderr, "%s",
                    _("vaxsite: its signer is not in the trust list; add --accept signer to "
                      "record it unverified\n"));
        if (open & VAX_DCC_NAME_DIFFERS)
            fprintf(stderr,
                    _("vaxsite: the name is not %s's; add --accept name if it is hers or "
                      "his\n"),
                    p->full_name);
        if (open & VAX_DCC_DOB_DIFFERS)
            fprintf(stderr, "%s",
                    _("vaxsite: the birth date is not the person's; add --accept birth if it is "
                      "right\n"));
        goto done;
    }
    if (vax_dose_record_hc1(db, p->id, text, trust, accepted, &id) != VAX_OK) {
        rc = fail_db(db);
        goto done;
    }
    printf(_("%lld\tdose %d\t%s\n"), (long long)id, d.hc.dn, d.product);
    rc = 0;
done:
    vax_trust_free(trust);
    free(text);
    return rc;
}

static int cmd_dose_elsewhere(const char *path, const args *a)
{
    static const char *const known[] = {"product", "date",   "place", "dose", "lot",
                                        "hc1",     "accept", "trust", NULL};
    vax_person p;
    int64_t id = 0;
    if (!only_opts(a, known))
        return 2;
    if (a->npos >= 3 && opt(a, "hc1")) {
        vax_db *db = open_db(path, 0, 1);
        if (!db)
            return 1;
        int rc = cli_person_resolve(db, a->pos[2], &p);
        if (rc == 0)
            rc = cmd_dose_hc1(db, &p, a);
        vax_close(db);
        return rc;
    }
    if (a->npos < 3 || !opt(a, "product") || !opt(a, "date") || !opt(a, "place")) {
        fprintf(stderr, "%s",
                _("vaxsite: dose elsewhere needs the ID, --product, --date and --place\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = cli_person_resolve(db, a->pos[2], &p);
    if (rc == 0) {
        vax_dose_elsewhere e = {p.id,
                                opt(a, "product"),
                                opt(a, "date"),
                                opt(a, "dose") ? atoi(opt(a, "dose")) : 0,
                                opt(a, "place"),
                                opt(a, "lot"),
                                NULL,
                                NULL};
        vax_dose d;
        if (vax_dose_record_elsewhere(db, &e, &id) != VAX_OK || vax_dose_get(db, id, &d) != VAX_OK)
            rc = fail_db(db);
        else
            printf(_("%lld\tdose %d\t%s\n"), (long long)id, d.dose_number, d.product);
    }
    vax_close(db);
    return rc;
}

/* The person's doses in force, a line each: the dose's number (what dose void takes), the dose
 * number, the day, the product, the lot, and where (the station here, or the place elsewhere). */
static int cmd_dose_list(const char *path, const args *a)
{
    static const char *const known[] = {NULL};
    enum { MAX = 32 };
    vax_person p;
    vax_dose d[MAX];
    int n = 0;
    if (!only_opts(a, known))
        return 2;
    if (a->npos < 3) {
        fprintf(stderr, "%s", _("vaxsite: dose list needs the person's ID\n"));
        return 2;
    }
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    int rc = cli_person_resolve(db, a->pos[2], &p);
    if (rc == 0 && vax_dose_list(db, p.id, d, MAX, &n) != VAX_OK)
        rc = fail_db(db);
    for (int i = 0; rc == 0 && i < n; i++) {
        char day[11], dmy[11];
        vax_local_date(d[i].given_at, day);
        vax_date_dmy(day, dmy);
        printf(_("%lld\tdose %d\t%s\t%s\t%s\t%s\n"), (long long)d[i].id, d[i].dose_number, dmy,
               d[i].product, d[i].lot_no[0] ? d[i].lot_no : "-",
               d[i].place[0] ? d[i].place : d[i].station);
    }
    vax_close(db);
    return rc;
}

/* A dose recorded by mistake (a manager, with a reason): voided, its certificate revoked. */
static int cmd_dose_void(const char *path, const args *a)
{
    static const char *const known[] = {"reason", NULL};
    vax_dose d;
    char *end = NULL;
    if (!only_opts(a, known))
        return 2;
    long long id = a->npos >= 3 ? strtoll(a->pos[2], &end, 10) : 0;
    if (a->npos < 3 || !opt(a, "reason") || !end || *end || id <= 0) {
        fprintf(stderr, "%s",
                _("vaxsite: dose void needs the dose's number (dose list ID) and --reason\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (vax_dose_get(db, id, &d) != VAX_OK || vax_dose_void(db, id, opt(a, "reason")) != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("Dose %d (%s) voided; its certificate, if any, is revoked.\n"), d.dose_number,
               d.product);
    vax_close(db);
    return rc;
}

int cli_dose(const char *path, const args *a)
{
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    if (!strcmp(sub, "elsewhere"))
        return cmd_dose_elsewhere(path, a);
    if (!strcmp(sub, "list"))
        return cmd_dose_list(path, a);
    if (!strcmp(sub, "void"))
        return cmd_dose_void(path, a);
    fprintf(stderr, "%s", _("vaxsite: dose needs elsewhere, list or void\n"));
    return 2;
}

void cli_person_usage(void)
{
    printf(
        "%s",
        _("  person add --scan CARD-TEXT | --name N [--id ID] --dob DD/MM/YYYY [--sex m|f]\n"
          "             [--phone P] [--group G] [--commune C] [--insurance NO] [--old-id CMND]\n"
          "             [--ethnicity E] [--guardian NAME --guardian-phone P]\n"
          "             [--same-as ID | --new]\n"
          "                                register; a possible second record is shown first\n"
          "  person guardian ID [--name N --phone P]\n"
          "                                a minor's parent or guardian: shown, or recorded\n"
          "  person find TEXT|CARD-TEXT    one match per line: ID, name, birth date\n"
          "  person edit ID --reason R [--name N] [--dob D] [--phone P] [--sex m|f]\n"
          "             [--id ID] [--group G] [--commune C] [--insurance NO]\n"
          "             [--ethnicity E]\n"
          "                                correct a record; the old version is kept\n"
          "  person link ID OTHER-ID [--reason R]   another ID of the same person\n"
          "  person merge ID --into ID --reason R   two records of one person (manager)\n"
          "  dose elsewhere ID --product P --date DD/MM/YYYY --place WHERE [--dose N]\n"
          "       [--lot L]                a dose given at another site\n"
          "  dose elsewhere ID --hc1 HC1|- [--trust PEM] [--accept signer,name,birth]\n"
          "                                the same from the person's EU DCC (its QR's text)\n"
          "  dose list ID                  the person's doses: number, dose, day, product, lot, "
          "where\n"
          "  dose void DOSE --reason R     a dose recorded by mistake (manager); its certificate\n"
          "                                is revoked\n"));
}

int cli_person(const char *path, const args *a)
{
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    if (!strcmp(sub, "add"))
        return cmd_add(path, a);
    if (!strcmp(sub, "find"))
        return cmd_find(path, a);
    if (!strcmp(sub, "edit"))
        return cmd_edit(path, a);
    if (!strcmp(sub, "link"))
        return cmd_link(path, a);
    if (!strcmp(sub, "merge"))
        return cmd_merge(path, a);
    if (!strcmp(sub, "guardian"))
        return cmd_guardian(path, a);
    fprintf(stderr, "%s", _("vaxsite: person needs add, find, edit, link, merge or guardian\n"));
    return 2;
}
