/* cli_site.c: setting up a real site: site init|show, device show, setting list|get|set. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <string.h>

/* device show: the id this file writes its events under, where it was minted, the one before. */
int cli_device(const char *path, const args *a)
{
    static const char *const known[] = {NULL};
    vax_device d;
    const char *sub = a->npos > 1 ? a->pos[1] : "show";
    if (!only_opts(a, known))
        return 2;
    if (strcmp(sub, "show") != 0) {
        fprintf(stderr, "%s", _("vaxsite: device needs show\n"));
        return 2;
    }
    /* a writer's open: a copy gets its id here, before it is shown */
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = vax_device_get(db, &d);
    if (rc != VAX_OK) {
        rc = fail_db(db);
    } else {
        printf(_("device: %s\n"), d.id);
        printf(_("minted for: %s\n"), d.home);
        printf(_("previous device: %s\n"), d.previous[0] ? d.previous : _("none"));
    }
    vax_close(db);
    return rc;
}

/* site init --code --name --commune --district --province [--kind fixed|mobile] | site show */
int cli_site(const char *path, const args *a)
{
    static const char *const known[] = {"code",     "name", "commune", "district",
                                        "province", "kind", NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    vax_site s;
    int rc;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "show")) {
        vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
        if (!db)
            return 1;
        if ((rc = vax_site_details(db, &s)) != VAX_OK) {
            rc = fail_db(db);
        } else {
            printf(_("code: %s\n"), s.code);
            printf(_("name: %s\n"), s.name);
            printf(_("commune: %s\n"), s.commune);
            printf(_("district: %s\n"), s.district);
            printf(_("province: %s\n"), s.province);
            printf(_("kind: %s\n"), !strcmp(s.kind, "mobile") ? _("mobile team") : _("fixed site"));
            if (s.is_demo)
                printf("%s\n", _("DEMO – not valid: made-up people; push and bundle export are "
                                 "refused."));
        }
        vax_close(db);
        return rc;
    }
    if (strcmp(sub, "init") != 0) {
        fprintf(stderr, "%s", _("vaxsite: site needs init or show\n"));
        return 2;
    }
    if (!opt(a, "code") || !opt(a, "name") || !opt(a, "commune") || !opt(a, "district") ||
        !opt(a, "province")) {
        fprintf(stderr, "%s",
                _("vaxsite: site init needs --code, --name, --commune, --district and "
                  "--province\n"));
        return 2;
    }
    memset(&s, 0, sizeof s);
    if (!cli_copy(s.code, sizeof s.code, opt(a, "code"), "code") ||
        !cli_copy(s.name, sizeof s.name, opt(a, "name"), "name") ||
        !cli_copy(s.commune, sizeof s.commune, opt(a, "commune"), "commune") ||
        !cli_copy(s.district, sizeof s.district, opt(a, "district"), "district") ||
        !cli_copy(s.province, sizeof s.province, opt(a, "province"), "province") ||
        !cli_copy(s.kind, sizeof s.kind, opt(a, "kind") ? opt(a, "kind") : "fixed", "kind"))
        return 2;
    /* asked to make a site, so an empty file (made beforehand, 0 bytes) may become it */
    vax_db *db = open_db(path, VAX_OPEN_CREATE | VAX_OPEN_EMPTY, 1);
    if (!db)
        return 1;
    if ((rc = vax_site_init(db, &s)) != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("Site %s (%s) is set up. Next: add the first manager with 'vaxsite staff add "
                 "--role manager', or open the stations.\n"),
               s.code, s.name);
    vax_close(db);
    return rc;
}

/* The range of a declaration in words: "15-240", "0/1", "text, up to 127". */
static void range_words(const vax_setting_decl *d, char *out, size_t size)
{
    if (d->type == VAX_SETTING_BOOL)
        snprintf(out, size, "0/1");
    else if (d->type == VAX_SETTING_TEXT)
        snprintf(out, size, _("text, up to %lld"), (long long)d->max);
    else
        snprintf(out, size, "%lld-%lld", (long long)d->min, (long long)d->max);
}

static void value_in_force(vax_db *db, const vax_setting_decl *d, char *out, size_t size)
{
    if (d->type == VAX_SETTING_TEXT)
        vax_setting_text(db, d->key, out, size);
    else
        snprintf(out, size, "%lld", (long long)vax_setting_int(db, d->key));
}

/* setting list [--markdown] | get KEY | set KEY VALUE */
int cli_setting(const char *path, const args *a)
{
    static const char *const known[] = {"markdown", NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    const vax_setting_decl *d;
    char value[1100], range[64];
    int rc = 0, n;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "list")) {
        const vax_setting_decl *all = vax_setting_decls(&n);
        vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
        if (!db)
            return 1;
        if (opt(a, "markdown"))
            printf("%s\n|---|---|---|---|---|\n",
                   _("| setting | value here | default | allowed | what it does |"));
        for (int i = 0; i < n; i++) {
            range_words(&all[i], range, sizeof range);
            value_in_force(db, &all[i], value, sizeof value);
            if (opt(a, "markdown"))
                printf("| `%s` | %s | %s | %s | %s |\n", all[i].key, value, all[i].fallback, range,
                       vax_setting_help(&all[i]));
            else
                printf("%s\t%s\t%s\t%s\t%s\n", all[i].key, value, all[i].fallback, range,
                       vax_setting_help(&all[i]));
        }
        vax_close(db);
        return 0;
    }
    if (strcmp(sub, "get") != 0 && strcmp(sub, "set") != 0) {
        fprintf(stderr, "%s", _("vaxsite: setting needs list, get KEY or set KEY VALUE\n"));
        return 2;
    }
    if (a->npos < (strcmp(sub, "set") ? 3 : 4)) {
        fprintf(stderr, "%s", _("vaxsite: setting needs list, get KEY or set KEY VALUE\n"));
        return 2;
    }
    if (!(d = vax_setting_decl_find(a->pos[2]))) {
        fprintf(stderr, _("vaxsite: there is no setting %s (see vaxsite setting list)\n"),
                a->pos[2]);
        return 1;
    }
    vax_db *db = open_db(path, strcmp(sub, "set") ? VAX_OPEN_READONLY : 0, !strcmp(sub, "set"));
    if (!db)
        return 1;
    if (!strcmp(sub, "set") && vax_setting_set(db, d->key, a->pos[3]) != VAX_OK) {
        rc = fail_db(db);
    } else {
        value_in_force(db, d, value, sizeof value);
        /* set prints the value now in force, as get does; an empty one would be a blank line that
         * says nothing of what was done */
        if (!strcmp(sub, "set") && !value[0])
            printf(_("%s is now empty.\n"), d->key);
        else
            printf("%s\n", value);
    }
    vax_close(db);
    return rc;
}

void cli_site_usage(void)
{
    printf("%s",
           _("\n"
             "Setting up a site (manager; changes are audited):\n"
             "  site init --code CODE --name NAME --commune C --district D --province P\n"
             "            [--kind fixed|mobile]\n"
             "                                a real site in a new file (CODE: 5 digits, 12001;\n"
             "                                a mobile team may add -TEAM: 12001-M1)\n"
             "  site show                     the site's code, name, place and kind\n"
             "  device show                   this installation's device id (new on a copy)\n"
             "  setting list [--markdown]     every setting: value here, default, range, help\n"
             "  setting get KEY | setting set KEY VALUE\n"
             "                                one setting; a value out of its range is refused\n"));
}
