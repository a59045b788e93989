/* cli_sync.c: sync init-server|push|pull|status|conflicts|resolve|quarantine|report|trust,
 * export/import --bundle. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_stats(const char *what, const vax_sync_stats *s)
{
    printf(_("%s: %lld sent, %lld new, %lld already there, %lld quarantined, %lld conflicts"), what,
           (long long)s->sent, (long long)s->received, (long long)s->duplicates,
           (long long)s->quarantined, (long long)s->conflicts);
    if (s->batches)
        printf(_(", %lld batches"), (long long)s->batches);
    if (s->people || s->doses)
        printf(_("; here: %lld people, %lld doses"), (long long)s->people, (long long)s->doses);
    if (s->reactions)
        printf(_("; %lld reactions recorded elsewhere"), (long long)s->reactions);
    printf("\n");
}

static int bundle(const char *path, const args *a, int export)
{
    static const char *const known[] = {"bundle", "since", "all", NULL};
    vax_sync_stats s;
    const char *since = opt(a, "since");
    char *end = NULL;
    long long from = since ? strtoll(since, &end, 10) : 0;
    if (!only_opts(a, known))
        return 2;
    if ((since || opt(a, "all")) &&
        (!export || (since && opt(a, "all")) || (since && (!*since || *end || from < 0)))) {
        fprintf(stderr, "%s",
                _("vaxsite: export --bundle FILE [--since SEQ | --all]: SEQ is a number from "
                  "0\n"));
        return 2;
    }
    vax_db *db = open_db(path, export ? 0 : VAX_OPEN_CREATE, 1);
    if (!db)
        return 1;
    int rc = !export                  ? vax_bundle_import(db, opt(a, "bundle"), &s)
             : since || opt(a, "all") ? vax_bundle_export_since(db, opt(a, "bundle"), from, &s)
                                      : vax_bundle_export(db, opt(a, "bundle"), &s);
    if (rc != VAX_OK)
        rc = fail_db(db);
    else if (export)
        printf(_("Bundle %s: %lld events.\n"), opt(a, "bundle"), (long long)s.sent);
    else {
        s.sent = s.received + s.duplicates + s.quarantined;
        print_stats(_("Imported"), &s);
    }
    vax_close(db);
    return rc;
}

static int print_counts(const vax_dose_count *c, int n)
{
    for (int i = 0; i < n; i++)
        printf("%s\t%d\t%d\n", c[i].product, c[i].dose_number, c[i].n);
    return 0;
}

/* report --day D: the server's figures for a site (--site) or the district; with --local, the
 * figures of this site's daily report (report.c) for the same day, in the same form. */
static int report(vax_db *db, const args *a, const char *url)
{
    const char *day = opt(a, "day");
    vax_dose_count c[64];
    int n = 0, rc;
    if (!day) {
        fprintf(stderr, "%s", _("vaxsite: sync report needs --day YYYY-MM-DD\n"));
        return 2;
    }
    if (opt(a, "local")) {
        vax_report *r = NULL;
        if ((rc = vax_report_make(db, day, day, &r)) != VAX_OK)
            return fail_db(db);
        for (int i = 0; i < r->nproducts && n < 64; i++)
            for (int k = 1; k <= VAX_MAX_SERIES && n < 64; k++)
                if (r->products[i].doses[k]) {
                    snprintf(c[n].product, sizeof c[n].product, "%s", r->products[i].product);
                    c[n].dose_number = k;
                    c[n].n = r->products[i].doses[k];
                    n++;
                }
        vax_report_free(r);
        /* the same order as the server's: product, then dose number */
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0; j--) {
                int cmp = strcmp(c[j - 1].product, c[j].product);
                if (cmp < 0 || (cmp == 0 && c[j - 1].dose_number < c[j].dose_number))
                    break;
                vax_dose_count t = c[j];
                c[j] = c[j - 1];
                c[j - 1] = t;
            }
        return print_counts(c, n);
    }
    if (!url) {
        fprintf(stderr, "%s", _("vaxsite: sync report needs the server's URL or --local\n"));
        return 2;
    }
    if (vax_sync_server_dose_counts(db, url, day, opt(a, "site"), c, 64, &n) != VAX_OK)
        return fail_db(db);
    return print_counts(c, n);
}

enum { CONFLICTS_PER_PAGE = 50 };

/* dd/mm/yyyy hh:mm, local */
static void when_text(int64_t t, char out[20])
{
    char day[11], dmy[11], hhmm[6];
    vax_local_date(t, day);
    vax_date_dmy(day, dmy);
    vax_local_hhmm(t, hhmm);
    snprintf(out, 20, "%s %s", dmy, hhmm);
}

/* One side of a conflict on one line: what, whose, the value, where from, when. */
static void side_text(const vax_conflict_side *s, char *out, size_t size)
{
    char when[20];
    if (!s->what[0]) {
        snprintf(out, size, "-");
        return;
    }
    when_text(s->at, when);
    snprintf(out, size, _("%s %s %s: %s; site %s, device %.8s%s%s, %s"), s->what,
             s->national_id[0] ? s->national_id : "-", s->full_name[0] ? s->full_name : "-",
             s->value, s->site, s->device, s->desk[0] ? _(", desk ") : "", s->desk, when);
}

/* conflicts [URL] [--page N]: this database's list, or the district server's, a page at a time:
 * a line each (kind, the person's ID and name, when, what happened, the two records, the id that
 * sync resolve takes, and here each side: whose, its value, site, device, desk, when), and on
 * standard error how many there are and which page this is, so that a list is never cut without
 * a word. */
static int conflicts(vax_db *db, const char *url, const char *page_opt)
{
    vax_sync_conflict *c = calloc(CONFLICTS_PER_PAGE, sizeof *c);
    int n = 0, total = 0, page = page_opt ? atoi(page_opt) : 1;
    if (!c)
        return 1;
    if (page < 1) {
        fprintf(stderr, "%s", _("vaxsite: --page needs a page number from 1\n"));
        free(c);
        return 2;
    }
    int offset = (page - 1) * CONFLICTS_PER_PAGE;
    if ((url ? vax_sync_server_conflicts(db, url, offset, c, CONFLICTS_PER_PAGE, &n, &total)
             : vax_sync_conflicts(db, offset, c, CONFLICTS_PER_PAGE, &n, &total)) != VAX_OK) {
        free(c);
        return fail_db(db);
    }
    /* the server's: both sides from the events it holds, read at once */
    vax_conflict_side(*ss)[2] = url && n ? calloc((size_t)n, sizeof *ss) : NULL;
    if (url && n && (!ss || vax_sync_server_conflict_sides(db, url, c, n, ss) != VAX_OK)) {
        free(ss);
        free(c);
        return fail_db(db);
    }
    for (int i = 0; i < n; i++) {
        char when[20], sa[1024] = "-", sb[1024] = "-";
        vax_conflict_side side[2];
        when_text(c[i].created_at, when);
        /* here, both sides as this database holds them */
        if (ss || vax_conflict_sides(db, &c[i], side) == VAX_OK) {
            side_text(ss ? &ss[i][0] : &side[0], sa, sizeof sa);
            side_text(ss ? &ss[i][1] : &side[1], sb, sizeof sb);
        }
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t#%lld\t%s\t%s\n", c[i].kind,
               c[i].national_id[0] ? c[i].national_id : "-",
               c[i].full_name[0] ? c[i].full_name : "-", when, c[i].details, c[i].a_uuid,
               c[i].b_uuid[0] ? c[i].b_uuid : "-", (long long)c[i].id, sa, sb);
    }
    int pages = (total + CONFLICTS_PER_PAGE - 1) / CONFLICTS_PER_PAGE;
    if (total == 0)
        fprintf(stderr, "%s", _("No conflict to resolve.\n"));
    else if (page < pages)
        fprintf(stderr, _("%d conflicts to resolve; page %d of %d: --page %d shows the next.\n"),
                total, page, pages, page + 1);
    else
        fprintf(stderr, _("%d conflicts to resolve; page %d of %d.\n"), total, page,
                pages > 0 ? pages : 1);
    free(ss);
    free(c);
    return 0;
}

/* resolve [URL] ID --keep a|b | --both [--id ID] | --merge | --void DOSE --reason R: one of them;
 * with URL, ID is the number in the server's list. */
static int resolve(vax_db *db, const args *a, const char *id_text, const char *server)
{
    const char *keep = opt(a, "keep"), *dose = opt(a, "void"), *reason = opt(a, "reason");
    int picked = !!keep + !!opt(a, "both") + !!opt(a, "merge") + !!dose;
    char *end = NULL;
    long long id = id_text ? strtoll(id_text, &end, 10) : 0;
    if (id_text && *id_text == '#')
        id = strtoll(id_text + 1, &end, 10);
    if (!id_text || !end || *end || id <= 0 || picked != 1 ||
        (keep && strcmp(keep, "a") && strcmp(keep, "b"))) {
        fprintf(stderr, "%s",
                _("vaxsite: sync resolve ID --keep a|b | --both [--id ID] | --merge | --void DOSE"
                  " --reason R\n"));
        return 2;
    }
    vax_resolution r = keep ? (!strcmp(keep, "a") ? VAX_RESOLVE_KEEP_A : VAX_RESOLVE_KEEP_B)
                       : opt(a, "both")  ? VAX_RESOLVE_BOTH
                       : opt(a, "merge") ? VAX_RESOLVE_MERGE
                                         : VAX_RESOLVE_VOID;
    const char *arg = dose ? dose : opt(a, "id");
    if ((server ? vax_conflict_resolve_server(db, server, id, r, arg, reason ? reason : "")
                : vax_conflict_resolve(db, id, r, arg, reason ? reason : "")) != VAX_OK)
        return fail_db(db);
    printf(_("Conflict #%lld resolved; the resolution goes with the next push or bundle.\n"), id);
    return 0;
}

/* quarantine [URL] [--page N]: the events kept apart here or on the server, paged as conflicts. */
static int quarantine(vax_db *db, const char *url, const char *page_opt)
{
    vax_sync_quarantined *q = calloc(CONFLICTS_PER_PAGE, sizeof *q);
    int n = 0, total = 0, page = page_opt ? atoi(page_opt) : 1;
    if (!q)
        return 1;
    if (page < 1) {
        fprintf(stderr, "%s", _("vaxsite: --page needs a page number from 1\n"));
        free(q);
        return 2;
    }
    int offset = (page - 1) * CONFLICTS_PER_PAGE;
    if ((url ? vax_sync_server_quarantine(db, url, offset, q, CONFLICTS_PER_PAGE, &n, &total)
             : vax_sync_quarantine(db, offset, q, CONFLICTS_PER_PAGE, &n, &total)) != VAX_OK) {
        free(q);
        return fail_db(db);
    }
    for (int i = 0; i < n; i++) {
        char when[20];
        when_text(q[i].at, when);
        printf("%s\t%s\t%s\t%s\t%s\t%s\n", q[i].uuid, q[i].kind, q[i].site[0] ? q[i].site : "-",
               q[i].device, when, q[i].differs[0] ? q[i].differs : "-");
    }
    int pages = (total + CONFLICTS_PER_PAGE - 1) / CONFLICTS_PER_PAGE;
    if (total == 0)
        fprintf(stderr, "%s", _("No event kept apart.\n"));
    else if (page < pages)
        fprintf(stderr, _("%d events kept apart; page %d of %d: --page %d shows the next.\n"),
                total, page, pages, page + 1);
    else
        fprintf(stderr, _("%d events kept apart; page %d of %d.\n"), total, page,
                pages > 0 ? pages : 1);
    free(q);
    return 0;
}

static int status(vax_db *db)
{
    char dev[37] = "", communes[512] = "";
    int64_t push = 0, bun = 0;
    vax_site site;
    if (vax_sync_device_id(db, dev) != VAX_OK || vax_sync_pending(db, "push", &push) != VAX_OK ||
        vax_sync_pending(db, "bundle", &bun) != VAX_OK)
        return fail_db(db);
    vax_setting_get(db, "sync.communes", communes, sizeof communes);
    printf(_("device: %s\n"), dev);
    printf(_("site: %s\n"), vax_site_get(db, &site) == VAX_OK ? site.code : "SITE");
    printf(_("not pushed yet: %lld\n"), (long long)push);
    printf(_("not in a bundle yet: %lld\n"), (long long)bun);
    printf(_("team communes: %s\n"), communes);
    printf(_("PostgreSQL: %s\n"), vax_sync_available() ? _("yes") : _("not in this build"));
    char fp[65];
    if (vax_bundle_fingerprint(db, fp) == VAX_OK)
        printf(_("bundles signed by key: %s\n"), fp);
    return 0;
}

int cli_sync(const char *path, const args *a)
{
    static const char *const known[] = {"batch", "communes", "day",  "site",  "local",
                                        "page",  "keep",     "both", "merge", "void",
                                        "id",    "reason",   NULL};
    const char *cmd = a->npos > 0 ? a->pos[0] : "";
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    const char *url = a->npos > 2 ? a->pos[2] : NULL;
    vax_sync_stats s;
    int rc;
    if (!strcmp(cmd, "export") || !strcmp(cmd, "import"))
        return bundle(path, a, !strcmp(cmd, "export"));
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "trust")) {
        if (!url || a->npos > 3) {
            fprintf(stderr, "%s", _("vaxsite: sync trust FINGERPRINT\n"));
            return 2;
        }
        vax_db *db = open_db(path, 0, 1);
        if (!db)
            return 1;
        rc = vax_sync_trust(db, url);
        if (rc == VAX_OK)
            printf(_("Bundles signed by the key %s are trusted here.\n"), url);
        else
            rc = fail_db(db);
        vax_close(db);
        return rc;
    }
    if (!strcmp(sub, "demo-conflicts")) {
        vax_db *db = open_db(path, 0, 1);
        if (!db)
            return 1;
        rc = vax_conflict_demo(db) == VAX_OK ? 0 : fail_db(db);
        if (!rc)
            printf("%s", _("Demo conflicts added: see sync conflicts, or the Sync conflicts "
                           "station.\n"));
        vax_close(db);
        return rc;
    }
    if (!strcmp(sub, "resolve")) {
        vax_db *db = open_db(path, 0, 1);
        if (!db)
            return 1;
        rc = a->npos > 4    ? (fprintf(stderr, "%s", _("vaxsite: sync resolve takes one ID\n")), 2)
             : a->npos == 4 ? resolve(db, a, a->pos[3], url)
                            : resolve(db, a, url, NULL);
        vax_close(db);
        return rc;
    }
    int writes = !strcmp(sub, "pull") || !strcmp(sub, "push") || !strcmp(sub, "init-server");
    if (!writes && strcmp(sub, "status") && strcmp(sub, "conflicts") && strcmp(sub, "report") &&
        strcmp(sub, "quarantine")) {
        fprintf(stderr, "%s",
                _("vaxsite: sync init-server|push|pull URL, sync status, sync conflicts [URL], "
                  "sync resolve ID, sync quarantine [URL], "
                  "sync report URL|--local --day DAY, sync trust FINGERPRINT\n"));
        return 2;
    }
    if (writes && !url) {
        fprintf(stderr, _("vaxsite: sync %s needs the server's URL\n"), sub);
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    if (!strcmp(sub, "init-server")) {
        rc = vax_sync_init_server(db, url);
        if (rc == VAX_OK)
            printf("%s", _("Server schema ready.\n"));
    } else if (!strcmp(sub, "push")) {
        const char *b = opt(a, "batch");
        rc = vax_sync_push(db, url, b ? atoi(b) : 0, &s);
        if (rc == VAX_OK)
            print_stats(_("Pushed"), &s);
    } else if (!strcmp(sub, "pull")) {
        rc = vax_sync_pull(db, url, opt(a, "communes"), &s);
        if (rc == VAX_OK && s.reactions)
            printf(_("Pulled: %lld people, %lld doses given elsewhere, %lld reactions recorded "
                     "elsewhere, %lld conflicts\n"),
                   (long long)s.people, (long long)s.doses, (long long)s.reactions,
                   (long long)s.conflicts);
        else if (rc == VAX_OK)
            printf(_("Pulled: %lld people, %lld doses given elsewhere, %lld conflicts\n"),
                   (long long)s.people, (long long)s.doses, (long long)s.conflicts);
    } else if (!strcmp(sub, "status")) {
        rc = status(db);
        vax_close(db);
        return rc;
    } else if (!strcmp(sub, "conflicts")) {
        rc = conflicts(db, url, opt(a, "page"));
        vax_close(db);
        return rc;
    } else if (!strcmp(sub, "quarantine")) {
        rc = quarantine(db, url, opt(a, "page"));
        vax_close(db);
        return rc;
    } else {
        rc = report(db, a, url);
        vax_close(db);
        return rc;
    }
    if (rc != VAX_OK)
        rc = fail_db(db);
    vax_close(db);
    return rc;
}
