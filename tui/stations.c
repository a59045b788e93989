/* stations.c: the stations a staff member can choose at sign-in, and what each needs. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line per station; the order is the order of the sign-in list (keys 1, 2, ...). */
const ui_station ui_stations[] = {
    /* the order a person goes through the site, then the overview and the manager's screens */
    {"checkin", N_("Check-in desk"), VAX_ACT_CHECKIN, ui_station_checkin, ui_station_checkin_free},
    {"screening", N_("Screening desk"), VAX_ACT_CALL_SCREEN, ui_station_screening,
     ui_station_screening_free},
    {"injection", N_("Injection room"), VAX_ACT_CALL_INJECT, ui_station_injection,
     ui_station_injection_free},
    {"observation", N_("Observation"), VAX_ACT_OBSERVE, ui_station_observe,
     ui_station_observe_free},
    {"queue", N_("Queue overview"), -1, ui_station_queue, ui_station_queue_free},
    {"due", N_("Due list"), VAX_ACT_CHECKIN, ui_station_due, ui_station_due_free},
    {"planning", N_("Planning"), VAX_ACT_SETTINGS, ui_station_planning, ui_station_planning_free},
    {"stock", N_("Vaccine stock"), VAX_ACT_SETTINGS, ui_station_stock, ui_station_stock_free},
    {"reports", N_("Reports"), VAX_ACT_SETTINGS, ui_station_reports, ui_station_reports_free},
    {"admin", N_("Staff, desks and settings"), VAX_ACT_STAFF_ADMIN, ui_station_admin,
     ui_station_admin_free},
    {"conflicts", N_("Sync conflicts"), VAX_ACT_OVERRIDE, ui_station_conflicts,
     ui_station_conflicts_free},
};

const int ui_nstations = (int)(sizeof ui_stations / sizeof ui_stations[0]);

const ui_station *ui_station_find(const char *code)
{
    for (int i = 0; i < ui_nstations; i++)
        if (strcmp(ui_stations[i].code, code) == 0)
            return &ui_stations[i];
    return NULL;
}

void ui_desks_load(ui_app *app)
{
    if (vax_desk_list(app->db, 0, app->desks, UI_DESKS_MAX, &app->ndesks) != VAX_OK)
        app->ndesks = 0;
}

void ui_place_name(const ui_app *app, const char *code, char *out, size_t size)
{
    for (int i = 0; i < app->ndesks; i++)
        if (vax_desk_same(code, app->desks[i].code)) {
            snprintf(out, size, "%s", app->desks[i].name);
            return;
        }
    /* no such desk among those loaded: its kind and number, without reading the database (a
     * screen draws with this) */
    char kind[32];
    vax_desk_kind k;
    const char *dash = strrchr(code, '-');
    snprintf(kind, sizeof kind, "%.*s", dash ? (int)(dash - code) : (int)strlen(code), code);
    if (vax_desk_kind_parse(kind, &k) != VAX_OK)
        snprintf(out, size, "%s", code);
    else if (dash)
        snprintf(out, size, "%s %s", vax_desk_kind_label(k), dash + 1);
    else
        snprintf(out, size, "%s", vax_desk_kind_label(k));
}

int ui_desk_choose(ui_app *app, const char *kind)
{
    vax_desk mine[UI_DESKS_MAX];
    const char *names[UI_DESKS_MAX];
    const char *env = getenv("VAXSITE_DESK");
    int n = 0, selected = 0;
    ui_desks_load(app);
    if (env && *env) {
        snprintf(app->desk, sizeof app->desk, "%s-%s", kind, env);
    } else {
        for (int i = 0; i < app->ndesks; i++) {
            if (!app->desks[i].active || strcmp(vax_desk_kind_code(app->desks[i].kind), kind))
                continue;
            /* the desk this terminal chose last (before F9) comes up first */
            if (!strcmp(app->desks[i].code, app->desk))
                selected = n;
            mine[n] = app->desks[i];
            names[n] = mine[n].name;
            n++;
        }
        int k = 0;
        if (n > 1) {
            char title[128];
            vax_desk_kind dk;
            snprintf(title, sizeof title, _("Which desk? (%s)"),
                     vax_desk_kind_parse(kind, &dk) == VAX_OK ? vax_desk_kind_label(dk) : kind);
            k = ui_dialog_pick(app, title, _("This terminal works at:"), names, NULL, n, selected);
            if (k < 0)
                return 0;
        }
        if (n > 0)
            snprintf(app->desk, sizeof app->desk, "%s", mine[k].code);
        else
            snprintf(app->desk, sizeof app->desk, "%s-1", kind);
    }
    ui_place_name(app, app->desk, app->station_label, sizeof app->station_label);
    return 1;
}
