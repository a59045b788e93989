/* stations.c: the stations a staff member can choose at sign-in, and what each needs. */
#include "ui.h"

#include <stdio.h>
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
};

const int ui_nstations = (int)(sizeof ui_stations / sizeof ui_stations[0]);

const ui_station *ui_station_find(const char *code)
{
    for (int i = 0; i < ui_nstations; i++)
        if (strcmp(ui_stations[i].code, code) == 0)
            return &ui_stations[i];
    return NULL;
}

/* "screening-2" -> "Screening 2" in the UI language: where a ticket is called to. */
void ui_place_name(const char *code, char *out, size_t size)
{
    const char *dash = strrchr(code, '-');
    const char *num = dash ? dash + 1 : "";
    if (!strncmp(code, "screening", 9))
        snprintf(out, size, "%s %s", _("Screening"), num);
    else if (!strncmp(code, "injection", 9))
        snprintf(out, size, "%s %s", _("Injection"), num);
    else
        snprintf(out, size, "%s", code);
}
