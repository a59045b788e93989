/* cli_report.c: "vaxsite report", "vaxsite import FILE" and "vaxsite export national|fhir". */
#include "cli.h"

#include "ui.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int to_file(const char *data, size_t n, void *ctx)
{
    return fwrite(data, 1, n, (FILE *)ctx) == n ? 0 : 1;
}

/* Opens --out FILE (mode 0600: it holds personal data), or standard output. */
static FILE *open_out(const char *path)
{
    if (!path || !strcmp(path, "-"))
        return stdout;
    FILE *f = vax_private_fopen(path);
    if (!f) {
        fprintf(stderr, _("vaxsite: cannot write %s\n"), path);
    }
    return f;
}

static int close_out(FILE *f, const char *path)
{
    if (f == stdout)
        return fflush(stdout) == 0 ? 0 : 1;
    if (fclose(f) != 0) {
        fprintf(stderr, _("vaxsite: cannot write %s\n"), path);
        return 1;
    }
    return 0;
}

/* dd/mm/yyyy, yyyy-mm-dd, an ISO local date and time, or epoch seconds. */
static int parse_since(const char *s, int64_t *out)
{
    char iso[48];
    int d, m, y, n = 0;
    if (sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && !s[n]) {
        snprintf(iso, sizeof iso, "%04d-%02d-%02dT00:00", y, m, d);
        return vax_parse_time(iso, out);
    }
    if (strlen(s) == 10 && s[4] == '-') {
        snprintf(iso, sizeof iso, "%sT00:00", s);
        return vax_parse_time(iso, out);
    }
    return vax_parse_time(s, out);
}

static int report_coverage(const char *path, const args *a)
{
    static const char *const known[] = {"commune", "date", NULL};
    char today[11];
    vax_coverage c;
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    vax_local_date(vax_now(), today);
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_coverage_get(db, opt(a, "commune"), opt(a, "date") ? opt(a, "date") : today, &c) !=
        VAX_OK) {
        rc = fail_db(db);
    } else {
        char dmy[11];
        vax_date_dmy(c.day, dmy);
        printf(_("Coverage on %s: %s\n"), dmy, c.commune[0] ? c.commune : _("whole registry"));
        int a1 = vax_permille(c.adults_dose1, c.adults),
            ac = vax_permille(c.adults_complete, c.adults),
            o1 = vax_permille(c.over50_dose1, c.over50),
            oc = vax_permille(c.over50_complete, c.over50);
        printf(_("18+\t%d people\tdose 1: %d (%d.%d %%)\tcomplete: %d (%d.%d %%)\n"), c.adults,
               c.adults_dose1, a1 / 10, a1 % 10, c.adults_complete, ac / 10, ac % 10);
        printf(_("50+\t%d people\tdose 1: %d (%d.%d %%)\tcomplete: %d (%d.%d %%)\n"), c.over50,
               c.over50_dose1, o1 / 10, o1 % 10, c.over50_complete, oc / 10, oc % 10);
    }
    vax_close(db);
    return rc;
}

/* "report quick": the one-page quick report of a day, on the terminal or as an A4 PDF. */
static int report_quick(const char *path, const args *a)
{
    static const char *const known[] = {"date", "out", NULL};
    const char *out = opt(a, "out");
    char today[11];
    vax_report *r = NULL;
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (out && (strlen(out) < 5 || strcmp(out + strlen(out) - 4, ".pdf") != 0)) {
        fprintf(stderr, "%s", _("vaxsite: report quick: --out must name a .pdf file\n"));
        return 2;
    }
    vax_local_date(vax_now(), today);
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_report_make(db, opt(a, "date") ? opt(a, "date") : today, NULL, &r) != VAX_OK)
        rc = fail_db(db);
    else if (out && vax_report_quick_pdf(db, r, out) != VAX_OK)
        rc = fail_db(db);
    else if (out)
        printf(_("Quick report written to %s.\n"), out);
    else if (vax_report_quick_text(db, r, to_file, stdout) != VAX_OK || fflush(stdout) != 0)
        rc = 1;
    vax_report_free(r);
    vax_close(db);
    return rc;
}

/* "report annex5|annex6": the Ministry's forms (QĐ 43/QĐ-BYT): the day's results report or the
 * end-of-round report, as .xlsx or PDF by the file's name. */
static int report_form(const char *path, const args *a, int annex)
{
    static const char *const known[] = {"date", "round", "out", NULL};
    const char *out = opt(a, "out");
    char today[11];
    vax_form *f = NULL;
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    size_t n = out ? strlen(out) : 0;
    int pdf = n > 4 && !strcmp(out + n - 4, ".pdf"), xlsx = n > 5 && !strcmp(out + n - 5, ".xlsx");
    if (!pdf && !xlsx) {
        fprintf(stderr, "%s", _("vaxsite: give the file with --out FILE.xlsx or FILE.pdf\n"));
        return 2;
    }
    vax_local_date(vax_now(), today);
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    int made = annex == 5 ? vax_form_daily(db, opt(a, "date") ? opt(a, "date") : today, &f)
                          : vax_form_round(db, opt(a, "round"), &f);
    if (made != VAX_OK)
        rc = fail_db(db);
    else if ((pdf ? vax_form_pdf(db, f, out) : vax_form_xlsx(db, f, out)) != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("Annex %d of QĐ 43/QĐ-BYT written to %s.\n"), annex, out);
    vax_form_free(f);
    vax_close(db);
    return rc;
}

static int cmd_report(const char *path, const args *a)
{
    static const char *const known[] = {"date", "from", "to", "format", "out", NULL};
    const char *format = opt(a, "format") ? opt(a, "format") : "text";
    const char *from = opt(a, "from") ? opt(a, "from") : opt(a, "date");
    const char *out = opt(a, "out");
    char today[11], name[64];
    vax_report *r = NULL;
    int rc = 0;
    if (a->npos > 1 && !strcmp(a->pos[1], "coverage"))
        return report_coverage(path, a);
    if (a->npos > 1 && !strcmp(a->pos[1], "quick"))
        return report_quick(path, a);
    if (a->npos > 1 && !strcmp(a->pos[1], "annex5"))
        return report_form(path, a, 5);
    if (a->npos > 1 && !strcmp(a->pos[1], "annex6"))
        return report_form(path, a, 6);
    if (!only_opts(a, known))
        return 2;
    if (a->npos > 1) {
        fprintf(stderr, _("vaxsite: report: unknown word \"%s\" (see vaxsite --help)\n"),
                a->pos[1]);
        return 2;
    }
    if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "xlsx")) {
        fprintf(stderr, "%s", _("vaxsite: --format must be text, csv or xlsx\n"));
        return 2;
    }
    vax_local_date(vax_now(), today);
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_report_make(db, from ? from : today, opt(a, "to"), &r) != VAX_OK) {
        rc = fail_db(db);
        goto done;
    }
    if (!strcmp(format, "xlsx")) {
        if (!out) {
            snprintf(name, sizeof name, "vaxsite-report-%s.xlsx", r->from);
            out = name;
        }
        if (vax_report_xlsx(db, r, out) != VAX_OK)
            rc = fail_db(db);
        else
            printf(_("Report written to %s.\n"), out);
        goto done;
    }
    FILE *f = open_out(out);
    if (!f) {
        rc = 1;
        goto done;
    }
    if ((!strcmp(format, "csv") ? vax_report_csv(db, r, to_file, f)
                                : vax_report_text(db, r, to_file, f)) != VAX_OK)
        rc = fail_db(db);
    if (close_out(f, out))
        rc = 1;
    /* written to a file, nothing else shows it was done (on stdout the report is what shows) */
    else if (rc == 0 && f != stdout)
        printf(_("Report written to %s.\n"), out);
done:
    vax_report_free(r);
    vax_close(db);
    return rc;
}

/* The most a list to import may hold: a commune's registry is a few MB. */
#define IMPORT_MAX ((size_t)256 << 20)

static int cmd_import(const char *path, const args *a)
{
    static const char *const known[] = {"dry-run", "valid-only", "merge", "encoding", NULL};
    vax_import_opts o = {opt(a, "dry-run") != NULL, opt(a, "valid-only") != NULL,
                         opt(a, "merge") != NULL};
    vax_import_result r;
    size_t len = 0;
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (a->npos != 2) {
        fprintf(stderr, "%s", _("vaxsite: import needs one FILE (a CSV list)\n"));
        return 2;
    }
    const char *file = a->pos[1], *base = strrchr(file, '/');
    char *text = NULL;
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    /* a list cut short by a read error is refused, not imported in part */
    if (vax_read_file(db, file, IMPORT_MAX, &text, &len) != VAX_OK) {
        rc = fail_db(db);
        vax_close(db);
        return rc;
    }
    base = base ? base + 1 : file;
    /* --encoding: the list's encoding when it is not UTF-8 (without it, guessed and said so) */
    int status = vax_import_csv_as(db, base, text, len, opt(a, "encoding"), &o, &r);
    /* the rows to fix, one per line, before the outcome */
    for (int i = 0; i < r.nissues; i++)
        printf("%s:%d: %s%s\n", base, r.issues[i].line, r.issues[i].error ? "" : _("note: "),
               r.issues[i].message);
    if (status != VAX_OK) {
        rc = fail_db(db);
    } else {
        printf(_("%s (%s): %d rows, %d refused, %d repeated. %s %d added, %d merged, %d "
                 "unchanged, %d already registered left as they were.\n"),
               base, r.dialect, r.rows, r.errors, r.duplicates,
               o.dry_run ? _("Dry run, nothing written; would be:") : _("Imported:"), r.added,
               r.merged, r.unchanged, r.existing);
        if (r.ignored[0])
            printf(_("Columns not used: %s\n"), r.ignored);
        if (o.dry_run && r.errors > 0)
            rc = 1;
    }
    vax_import_result_free(&r);
    vax_close(db);
    free(text);
    return rc;
}

static int cmd_export(const char *path, const args *a)
{
    static const char *const known[] = {"since", "out", NULL};
    const char *what = a->npos > 1 ? a->pos[1] : "";
    int64_t since = 0;
    int n = 0, rc = 0, status;
    if (!only_opts(a, known))
        return 2;
    if (strcmp(what, "national") && strcmp(what, "fhir")) {
        fprintf(stderr, "%s", _("vaxsite: export needs national or fhir\n"));
        return 2;
    }
    if (opt(a, "since") && parse_since(opt(a, "since"), &since) != VAX_OK) {
        fprintf(stderr, _("vaxsite: --since \"%s\" is not a date or time\n"), opt(a, "since"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    FILE *f = open_out(opt(a, "out"));
    if (!f) {
        vax_close(db);
        return 1;
    }
    status = !strcmp(what, "fhir") ? vax_export_fhir(db, since, to_file, f, &n)
                                   : vax_export_national(db, since, to_file, f, &n);
    if (status != VAX_OK)
        rc = fail_db(db);
    if (close_out(f, opt(a, "out")))
        rc = 1;
    if (rc == 0 && opt(a, "out"))
        printf(_("%d doses written to %s.\n"), n, opt(a, "out"));
    vax_close(db);
    return rc;
}

int cli_report(const char *path, const args *a)
{
    const char *cmd = a->pos[0];
    if (!strcmp(cmd, "import"))
        return cmd_import(path, a);
    if (!strcmp(cmd, "export"))
        return cmd_export(path, a);
    return cmd_report(path, a);
}
