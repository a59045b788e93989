/* cli_screening.c: screening checklists from the command line: check a file, add a site's own,
 * list what is stored. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A checklist is a small text file: 1 MiB is far beyond one. */
static char *read_file(const char *file)
{
    return cli_read_text(file, (size_t)1 << 20);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int check_file(const char *file)
{
    vax_checklist *c = malloc(sizeof *c);
    char err[600];
    char *text = read_file(file);
    int rc = 1;
    if (!text || !c)
        goto out;
    if (vax_checklist_check(base_name(file), text, c, err, sizeof err) != VAX_OK) {
        fprintf(stderr, "vaxsite: %s\n", err);
        goto out;
    }
    printf(_("%s: ok: %s version %d from %s, %d questions, %d vital signs\n"), file, c->code,
           c->version, c->valid_from, c->nitems, c->nvitals);
    rc = 0;
out:
    free(text);
    free(c);
    return rc;
}

static int add_file(const char *path, const char *file)
{
    int64_t id = 0;
    char *text = read_file(file);
    vax_db *db;
    int rc = 1;
    if (!text)
        return 1;
    if ((db = open_db(path, 0, 1)) != NULL) {
        if (vax_checklist_add(db, base_name(file), text, &id) != VAX_OK) {
            rc = fail_db(db);
        } else {
            vax_checklist c;
            if (vax_checklist_get(db, id, &c) == VAX_OK)
                printf(_("Loaded %s version %d (%d questions), in force from %s.\n"), c.code,
                       c.version, c.nitems, c.valid_from);
            rc = 0;
        }
        vax_close(db);
    }
    free(text);
    return rc;
}

static int list(const char *path)
{
    vax_checklist *all = malloc(sizeof *all * 64);
    vax_checklist current;
    vax_db *db;
    int n = 0, rc = 1;
    if (!all)
        return 1;
    if ((db = open_db(path, VAX_OPEN_READONLY, 0)) != NULL) {
        int64_t now_id = vax_checklist_current(db, &current) == VAX_OK ? current.id : 0;
        if (vax_checklist_list(db, all, 64, &n) != VAX_OK) {
            rc = fail_db(db);
        } else {
            for (int i = 0; i < n; i++)
                printf("%s\t%d\t%s\t%s%s\n", all[i].code, all[i].version, all[i].valid_from,
                       all[i].name, all[i].id == now_id ? _("\t(in force)") : "");
            rc = 0;
        }
        vax_close(db);
    }
    free(all);
    return rc;
}

int cli_screening(const char *path, const args *a)
{
    static const char *const known[] = {NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "check") && a->npos == 3)
        return check_file(a->pos[2]);
    if (!strcmp(sub, "add") && a->npos == 3)
        return add_file(path, a->pos[2]);
    if (!strcmp(sub, "list") && a->npos == 2)
        return list(path);
    fprintf(stderr, "%s",
            _("vaxsite: use checklist check FILE, checklist add FILE or checklist "
              "list\n"));
    return 2;
}
