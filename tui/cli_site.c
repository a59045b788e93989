/* cli_site.c: the installation as a device (device show). */
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

void cli_site_usage(void)
{
    printf("%s", _("\n"
                   "Setting up a site (manager; changes are audited):\n"
                   "  device show                   this installation's device id (new on a "
                   "copy)\n"));
}
