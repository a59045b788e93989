/* cli_staff.c: staff administration (list, disable, enable, reset-pin, role) and the site's desks
 * and rooms (desk add|list|rename|retire) at the command line. staff add is in cli.c. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <string.h>

#define MAX_ROWS 500

static int staff_list(const char *path)
{
    static vax_staff all[MAX_ROWS];
    int n = 0, rc = 0;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_staff_list_all(db, all, MAX_ROWS, &n) != VAX_OK) {
        rc = fail_db(db);
    } else {
        for (int i = 0; i < n; i++)
            printf("%s\t%s\t%s\t%s%s\n", all[i].login, all[i].name, vax_role_label(all[i].role),
                   all[i].active ? _("active") : _("disabled"),
                   all[i].pin_reset ? _("\tnew PIN at next sign-in") : "");
    }
    vax_close(db);
    return rc;
}

/* staff list | disable LOGIN | enable LOGIN | reset-pin LOGIN | unlock LOGIN | role LOGIN ROLE */
int cli_staff(const char *path, const args *a)
{
    static const char *const known[] = {NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    const char *login = a->npos > 2 ? a->pos[2] : NULL;
    vax_role role = VAX_ROLE_VOLUNTEER;
    int rc;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "list"))
        return staff_list(path);
    if (strcmp(sub, "disable") && strcmp(sub, "enable") && strcmp(sub, "reset-pin") &&
        strcmp(sub, "unlock") && strcmp(sub, "role")) {
        fprintf(stderr, "%s",
                _("vaxsite: staff needs list, add, disable, enable, reset-pin, unlock or role\n"));
        return 2;
    }
    if (!strcmp(sub, "role") && a->npos < 4) {
        fprintf(stderr, "%s", _("vaxsite: staff role needs a login and a role\n"));
        return 2;
    }
    if (!login) {
        fprintf(stderr, _("vaxsite: staff %s needs a login\n"), sub);
        return 2;
    }
    if (!strcmp(sub, "role") &&
        (vax_role_parse(a->pos[3], &role) != VAX_OK || role == VAX_ROLE_SYSTEM)) {
        fprintf(stderr, "%s", _("vaxsite: the role is volunteer, nurse, doctor or manager\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    if (!strcmp(sub, "disable"))
        rc = vax_staff_set_active(db, login, 0);
    else if (!strcmp(sub, "enable"))
        rc = vax_staff_set_active(db, login, 1);
    else if (!strcmp(sub, "reset-pin"))
        rc = vax_staff_reset_pin(db, login);
    else if (!strcmp(sub, "unlock"))
        rc = vax_staff_unlock(db, login);
    else
        rc = vax_staff_set_role(db, login, role);
    if (rc != VAX_OK) {
        rc = fail_db(db);
    } else {
        rc = 0;
        if (!strcmp(sub, "disable"))
            printf(_("%s is disabled: kept in the records, cannot sign in.\n"), login);
        else if (!strcmp(sub, "enable"))
            printf(_("%s is enabled and can sign in.\n"), login);
        else if (!strcmp(sub, "reset-pin"))
            printf(_("The PIN of %s is reset: at the next sign-in they choose a new one.\n"),
                   login);
        else if (!strcmp(sub, "unlock"))
            printf(_("%s is unlocked: they can sign in with their PIN now.\n"), login);
        else
            printf(_("%s is now %s.\n"), login, vax_role_label(role));
    }
    vax_close(db);
    return rc;
}

static int desk_list(const char *path, const args *a)
{
    static vax_desk all[MAX_ROWS];
    int n = 0, rc = 0;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_desk_list(db, !opt(a, "all"), all, MAX_ROWS, &n) != VAX_OK) {
        rc = fail_db(db);
    } else {
        for (int i = 0; i < n; i++)
            printf("%s\t%s\t%s%s\n", all[i].code, all[i].name, vax_desk_kind_label(all[i].kind),
                   all[i].active ? "" : _("\tretired"));
    }
    vax_close(db);
    return rc;
}

/* desk add --kind K --name N | list [--all] | rename CODE NAME | retire CODE */
int cli_desk(const char *path, const args *a)
{
    static const char *const known[] = {"kind", "name", "all", NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    char code[VAX_DESK_CODE_MAX];
    vax_desk_kind kind;
    vax_db *db;
    int rc;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "list"))
        return desk_list(path, a);
    if (!strcmp(sub, "add")) {
        if (!opt(a, "kind") || !opt(a, "name")) {
            fprintf(stderr, "%s", _("vaxsite: desk add needs --kind and --name\n"));
            return 2;
        }
        if (vax_desk_kind_parse(opt(a, "kind"), &kind) != VAX_OK) {
            fprintf(stderr, "%s",
                    _("vaxsite: --kind is screening, injection, observation or checkin\n"));
            return 2;
        }
        if (!(db = open_db(path, 0, 1)))
            return 1;
        if ((rc = vax_desk_add(db, kind, opt(a, "name"), code)) != VAX_OK) {
            rc = fail_db(db);
        } else {
            char name[64];
            vax_desk_name(db, code, name, sizeof name);
            printf("%s\t%s\n", code, name);
        }
        vax_close(db);
        return rc;
    }
    if ((strcmp(sub, "rename") && strcmp(sub, "retire")) ||
        a->npos < (strcmp(sub, "rename") ? 3 : 4)) {
        fprintf(stderr, "%s",
                _("vaxsite: desk needs add --kind K --name N, list, rename CODE NAME or retire "
                  "CODE\n"));
        return 2;
    }
    if (!(db = open_db(path, 0, 1)))
        return 1;
    rc = !strcmp(sub, "rename") ? vax_desk_rename(db, a->pos[2], a->pos[3])
                                : vax_desk_retire(db, a->pos[2]);
    if (rc != VAX_OK) {
        rc = fail_db(db);
    } else {
        rc = 0;
        char name[64];
        vax_desk_name(db, a->pos[2], name, sizeof name);
        if (!strcmp(sub, "rename"))
            printf("%s\t%s\n", a->pos[2], name);
        else
            printf(_("%s (%s) is retired; its history keeps its name.\n"), a->pos[2], name);
    }
    vax_close(db);
    return rc;
}

void cli_staff_usage(void)
{
    printf("%s",
           _("\n"
             "Staff and desks (manager; changes are audited):\n"
             "  staff list                    everyone: login, name, role, active or disabled\n"
             "  staff disable|enable LOGIN    one who left keeps their records, cannot sign in\n"
             "  staff reset-pin LOGIN         a forgotten PIN: a new one is chosen at sign-in\n"
             "  staff unlock LOGIN            lift a lock from wrong PINs at once\n"
             "  staff role LOGIN volunteer|nurse|doctor|manager\n"
             "                                the last active manager is never demoted\n"
             "  desk add --kind screening|injection|observation|checkin --name NAME\n"
             "                                a desk or room; prints its code (screening-2)\n"
             "  desk list [--all]             code, name, kind (--all: retired ones too)\n"
             "  desk rename CODE NAME | desk retire CODE\n"
             "                                the board shows the name; history keeps the code\n"));
}
