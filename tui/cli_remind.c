/* cli_remind.c: reminders by text message at the command line: remind [--days N] [--dry-run]
 * [--modem GAMMURC], remind exclude|include ID. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *outcome_word(vax_remind_outcome o)
{
    switch (o) {
    case VAX_REMIND_SENT:
        return _("sent");
    case VAX_REMIND_FAILED:
        return _("failed");
    case VAX_REMIND_WOULD:
        return _("would send");
    case VAX_REMIND_ALREADY:
        return _("already texted");
    case VAX_REMIND_OPTED_OUT:
        return _("asked not to be texted");
    case VAX_REMIND_NO_PHONE:
        return _("no phone number");
    }
    return "?";
}

static void print_item(const vax_remind_item *it, void *ctx)
{
    const int *dry = ctx;
    char dmy[11];
    vax_date_dmy(it->due_day, dmy);
    printf("%s\t%s\t%s\t%s\t%s", outcome_word(it->outcome), it->full_name, it->phone, dmy,
           it->slot_time[0] ? it->slot_time : "-");
    if (it->outcome == VAX_REMIND_FAILED)
        printf(_("\ttry %d: %s"), it->attempts, it->error);
    if (*dry && it->outcome == VAX_REMIND_WOULD)
        printf("\t%s", it->body);
    printf("\n");
}

static int remind_send(const char *path, const args *a)
{
    vax_remind_opts o;
    vax_remind_stats st;
    const char *days = opt(a, "days");
    char *end = NULL;
    int dry, rc;
    memset(&o, 0, sizeof o);
    o.days = 1;
    if (days) {
        long v = strtol(days, &end, 10);
        if (!*days || *end || v < 0 || v > 60) {
            fprintf(stderr, "%s", _("vaxsite: --days is a number of days, 0 to 60\n"));
            return 2;
        }
        o.days = (int)v;
    }
    o.dry_run = dry = opt(a, "dry-run") != NULL;
    o.gammurc = opt(a, "modem");
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    rc = vax_remind_run(db, &o, print_item, &dry, &st);
    if (rc != VAX_OK) {
        rc = fail_db(db);
    } else {
        rc = st.failed ? 1 : 0;
        if (dry)
            printf(_("%d due: %d would be texted, %d already were, %d asked not to be, %d have "
                     "no phone number.\n"),
                   st.listed, st.listed - st.already - st.opted_out - st.no_phone, st.already,
                   st.opted_out, st.no_phone);
        else
            printf(_("%d due: %d texted, %d failed (tried again next run), %d already were, %d "
                     "asked not to be, %d have no phone number.\n"),
                   st.listed, st.sent, st.failed, st.already, st.opted_out, st.no_phone);
    }
    vax_close(db);
    return rc;
}

static int remind_exclude(const char *path, const args *a, int include)
{
    vax_person p;
    int rc;
    if (a->npos < 3) {
        fprintf(stderr, _("vaxsite: remind %s needs a person's ID\n"), a->pos[1]);
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    if (cli_person_resolve(db, a->pos[2], &p) != 0) {
        vax_close(db);
        return 1;
    }
    rc = vax_remind_exclude(db, p.id, include, opt(a, "reason"));
    if (rc != VAX_OK) {
        rc = fail_db(db);
    } else {
        rc = 0;
        if (include)
            printf(_("%s will be texted reminders again.\n"), p.full_name);
        else
            printf(_("%s will not be texted reminders (still on the call list).\n"), p.full_name);
    }
    vax_close(db);
    return rc;
}

int cli_remind(const char *path, const args *a)
{
    static const char *const known[] = {"days", "dry-run", "modem", "reason", NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "exclude"))
        return remind_exclude(path, a, 0);
    if (!strcmp(sub, "include"))
        return remind_exclude(path, a, 1);
    if (sub[0]) {
        fprintf(stderr, "%s",
                _("vaxsite: remind [--days N] [--dry-run] [--modem GAMMURC], or "
                  "remind exclude|include ID\n"));
        return 2;
    }
    return remind_send(path, a);
}
