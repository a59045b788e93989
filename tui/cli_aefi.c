/* cli_aefi.c: "vaxsite aefi": the serious reactions and their reports (list, report, pdf, fhir). */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "HH:MM" on the local day `day` (YYYY-MM-DD), "HH:MM dd/mm/yyyy", or an ISO local time. */
static int parse_onset(const char *s, const char *day, int64_t *out)
{
    char iso[48];
    int h, mi, d, mo, y, n = 0;
    if (sscanf(s, "%2d:%2d%n", &h, &mi, &n) == 2 && !s[n]) {
        snprintf(iso, sizeof iso, "%sT%02d:%02d", day, h, mi);
        return vax_parse_time(iso, out);
    }
    n = 0;
    if (sscanf(s, "%2d:%2d %2d/%2d/%4d%n", &h, &mi, &d, &mo, &y, &n) == 5 && !s[n]) {
        snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
        return vax_parse_time(iso, out);
    }
    return vax_parse_time(s, out);
}

/* dd/mm/yyyy (or YYYY-MM-DD) as YYYY-MM-DD; 0 if not a date. */
static int parse_day(const char *in, char out[16])
{
    int d, m, y, n = 0;
    if (in && sscanf(in, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && !in[n] && d >= 1 && d <= 31 &&
        m >= 1 && m <= 12) {
        snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m, d);
        return 1;
    }
    if (in && strlen(in) == 10 && in[4] == '-' && in[7] == '-') {
        memcpy(out, in, 11);
        return 1;
    }
    return 0;
}

static int64_t reaction_arg(const args *a)
{
    char *end = NULL;
    long long id = a->npos > 2 ? strtoll(a->pos[2], &end, 10) : 0;
    if (id <= 0 || (end && *end)) {
        fprintf(stderr, "%s", _("vaxsite: give the reaction's number (see vaxsite aefi list)\n"));
        return 0;
    }
    return id;
}

static int cmd_list(const char *path, const args *a)
{
    static const char *const known[] = {"date", "from", "to", NULL};
    char today[16], from[16], to[16];
    if (!only_opts(a, known))
        return 2;
    vax_local_date(vax_now(), today);
    const char *d = opt(a, "date");
    if ((d || opt(a, "from")) &&
        (!parse_day(d ? d : opt(a, "from"), from) || !parse_day(d              ? d
                                                                : opt(a, "to") ? opt(a, "to")
                                                                               : today,
                                                                to))) {
        fprintf(stderr, "%s", _("vaxsite: a date is dd/mm/yyyy\n"));
        return 2;
    }
    if (!d && !opt(a, "from")) {
        memcpy(from, today, sizeof from);
        memcpy(to, today, sizeof to);
    }
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    vax_aefi_item *list = NULL;
    int n = 0, rc = 0;
    if (vax_aefi_list(db, from, to, &list, &n) != VAX_OK) {
        rc = fail_db(db);
    } else {
        for (int i = 0; i < n; i++) {
            char when[32], state[64];
            time_t t = (time_t)list[i].seen_at;
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(when, sizeof when, "%d/%m/%Y %H:%M", &tm);
            if (list[i].version)
                snprintf(state, sizeof state, _("reported (version %d)"), list[i].version);
            else
                snprintf(state, sizeof state, "%s", _("not reported yet"));
            printf("%lld\t%s\t%s\t%s\t%s\n", (long long)list[i].reaction_id, when,
                   list[i].full_name, list[i].national_id, state);
        }
    }
    free(list);
    vax_close(db);
    return rc;
}

static int cmd_report(const char *path, const args *a)
{
    static const char *const known[] = {"onset",  "treatment", "hospital", "outcome",
                                        "parent", "reporter",  "title",    "phone",
                                        "site",   "notes",     NULL};
    int64_t id;
    if (!only_opts(a, known))
        return 2;
    if (!(id = reaction_arg(a)))
        return 2;
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    vax_aefi_report r;
    int rc = 0;
    if (vax_aefi_report_defaults(db, id, &r) != VAX_OK) {
        rc = fail_db(db);
        vax_close(db);
        return rc;
    }
    /* what is given replaces what the report holds; a value longer than its field is refused */
    if ((opt(a, "treatment") &&
         !cli_copy(r.treatment, sizeof r.treatment, opt(a, "treatment"), "treatment")) ||
        (opt(a, "hospital") &&
         !cli_copy(r.hospital, sizeof r.hospital, opt(a, "hospital"), "hospital")) ||
        (opt(a, "outcome") &&
         !cli_copy(r.outcome, sizeof r.outcome, opt(a, "outcome"), "outcome")) ||
        (opt(a, "parent") &&
         !cli_copy(r.parent_name, sizeof r.parent_name, opt(a, "parent"), "parent")) ||
        (opt(a, "reporter") &&
         !cli_copy(r.reporter_name, sizeof r.reporter_name, opt(a, "reporter"), "reporter")) ||
        (opt(a, "title") &&
         !cli_copy(r.reporter_title, sizeof r.reporter_title, opt(a, "title"), "title")) ||
        (opt(a, "phone") &&
         !cli_copy(r.reporter_phone, sizeof r.reporter_phone, opt(a, "phone"), "phone")) ||
        (opt(a, "site") &&
         !cli_copy(r.injection_site, sizeof r.injection_site, opt(a, "site"), "site")) ||
        (opt(a, "notes") && !cli_copy(r.notes, sizeof r.notes, opt(a, "notes"), "notes"))) {
        vax_close(db);
        return 2;
    }
    if (opt(a, "onset")) {
        char day[11];
        vax_local_date(r.onset_at ? r.onset_at : vax_now(), day);
        if (parse_onset(opt(a, "onset"), day, &r.onset_at) != VAX_OK) {
            fprintf(stderr, "%s", _("vaxsite: --onset is HH:MM or \"HH:MM dd/mm/yyyy\"\n"));
            vax_close(db);
            return 2;
        }
    }
    if (vax_aefi_report_save(db, &r) != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("Report of reaction %lld saved (version %d); it leaves with the next sync.\n"),
               (long long)id, r.version);
    vax_close(db);
    return rc;
}

static int cmd_pdf(const char *path, const args *a)
{
    static const char *const known[] = {"out", NULL};
    int64_t id;
    if (!only_opts(a, known))
        return 2;
    if (!(id = reaction_arg(a)))
        return 2;
    if (!opt(a, "out")) {
        fprintf(stderr, "%s", _("vaxsite: aefi pdf needs --out FILE.pdf\n"));
        return 2;
    }
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    int rc = vax_aefi_pdf(db, id, opt(a, "out")) == VAX_OK ? 0 : fail_db(db);
    vax_close(db);
    return rc;
}

static int cmd_fhir(const char *path, const args *a)
{
    static const char *const known[] = {"out", NULL};
    int64_t id;
    if (!only_opts(a, known))
        return 2;
    if (!(id = reaction_arg(a)))
        return 2;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    char *json = NULL;
    int rc = 0;
    if (vax_aefi_fhir(db, id, &json) != VAX_OK) {
        rc = fail_db(db);
    } else if (opt(a, "out") && strcmp(opt(a, "out"), "-")) {
        FILE *f = vax_private_fopen(opt(a, "out"));
        if (!f || fprintf(f, "%s\n", json) < 0 || fclose(f) != 0) {
            fprintf(stderr, _("vaxsite: cannot write %s\n"), opt(a, "out"));
            rc = 1;
        }
    } else {
        printf("%s\n", json);
    }
    free(json);
    vax_close(db);
    return rc;
}

int cli_aefi(const char *path, const args *a)
{
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    if (!strcmp(sub, "list"))
        return cmd_list(path, a);
    if (!strcmp(sub, "report"))
        return cmd_report(path, a);
    if (!strcmp(sub, "pdf"))
        return cmd_pdf(path, a);
    if (!strcmp(sub, "fhir"))
        return cmd_fhir(path, a);
    fprintf(stderr, "%s", _("vaxsite: aefi list|report|pdf|fhir (see vaxsite --help)\n"));
    return 2;
}

void cli_aefi_usage(void)
{
    printf("%s",
           _("  aefi list [--date D | --from D [--to D]]\n"
             "                                serious reactions: number, time, name, ID, report\n"
             "  aefi report REACTION [--onset HH:MM] [--treatment T] [--hospital H]\n"
             "       [--outcome recovering|recovered|sequelae|not_recovered|died|unknown]\n"
             "       [--parent NAME] [--reporter NAME] [--title T] [--phone P] [--site S]\n"
             "       [--notes N]             make or correct its report (sent with the next sync)\n"
             "  aefi pdf REACTION --out FILE  the report on the Ministry's form\n"
             "  aefi fhir REACTION [--out FILE]  FHIR R4 Bundle with its AdverseEvent\n"));
}
