/* cli_slot.c: `vaxsite plan`, `vaxsite book` and `vaxsite due` for scripted planning. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* YYYY-MM-DD, dd/mm/yyyy, "today" or "tomorrow" -> YYYY-MM-DD; 0 if not a date. */
static int parse_day(const char *in, char out[11])
{
    char today[11], tmp[32];
    int d, m, y, n = 0;
    vax_local_date(vax_now(), today);
    if (!in || !*in || !strcmp(in, "today"))
        return vax_date_add(today, 0, out) == VAX_OK;
    if (!strcmp(in, "tomorrow"))
        return vax_date_add(today, 1, out) == VAX_OK;
    if (sscanf(in, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && !in[n]) {
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
        return vax_date_add(tmp, 0, out) == VAX_OK;
    }
    return vax_date_add(in, 0, out) == VAX_OK;
}

static int bad_day(const char *what, const char *value)
{
    fprintf(stderr, _("vaxsite: %s: \"%s\" is not a date (YYYY-MM-DD, dd/mm/yyyy, today)\n"), what,
            value ? value : "");
    return 2;
}

static int print_call(const vax_call *c, void *ctx)
{
    int csv = *(int *)ctx;
    if (csv) {
        char line[1024];
        vax_call_csv(c, line, sizeof line);
        printf("%s\n", line);
    } else {
        printf("%s\t%s\t%s\t%s\t%s\n", c->day, c->slot_time, c->phone[0] ? c->phone : "-",
               c->full_name, c->site);
    }
    return 0;
}

static void print_slots(vax_db *db, const char *day)
{
    vax_slot s[256];
    int n = 0;
    if (vax_slot_list(db, day, s, 256, &n) != VAX_OK)
        return;
    for (int i = 0; i < n; i++) {
        char a[6], b[6];
        vax_local_hhmm(s[i].starts_at, a);
        vax_local_hhmm(s[i].ends_at, b);
        printf("%s-%s\t%d/%d\t%s\n", a, b, s[i].booked + s[i].walk_ins, s[i].capacity,
               s[i].open ? "open" : "closed");
    }
}

/* Finds the slot of `day` starting at hh:mm. */
static int slot_at(vax_db *db, const char *day, const char *hhmm, vax_slot *out)
{
    vax_slot s[256];
    int n = 0;
    if (vax_slot_list(db, day, s, 256, &n) != VAX_OK)
        return 0;
    for (int i = 0; i < n; i++) {
        char a[6];
        vax_local_hhmm(s[i].starts_at, a);
        if (!strcmp(a, hhmm) && s[i].open) {
            *out = s[i];
            return 1;
        }
    }
    return 0;
}

int cli_plan(const char *path, const args *a)
{
    static const char *const known[] = {"opens", "closes",   "slot-minutes", "capacity",
                                        "risk",  "products", "mode",         NULL};
    const char *sub = a->npos > 1 ? a->pos[1] : "";
    char day[11], to[11];
    vax_db *db = NULL;
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(sub, "show")) {
        if (!parse_day(a->npos > 2 ? a->pos[2] : NULL, day))
            return bad_day("plan show", a->pos[2]);
        if (!(db = open_db(path, VAX_OPEN_READONLY, 0)))
            return 1;
        vax_site_day d;
        if (vax_day_get(db, day, &d) != VAX_OK) {
            rc = fail_db(db);
        } else {
            printf(_("%s %s-%s, %d min slots, %d per slot (%s)%s\n"), d.day, d.opens, d.closes,
                   d.slot_minutes, d.cap, vax_risk_label(d.risk), d.closed_at ? _(", closed") : "");
            print_slots(db, day);
        }
    } else if (!strcmp(sub, "copy")) {
        if (a->npos < 4)
            return fprintf(stderr, "%s", _("vaxsite: plan copy needs FROM and TO days\n")), 2;
        if (!parse_day(a->pos[2], day))
            return bad_day("plan copy", a->pos[2]);
        if (!parse_day(a->pos[3], to))
            return bad_day("plan copy", a->pos[3]);
        if (!(db = open_db(path, 0, 1)))
            return 1;
        if (vax_day_copy(db, day, to) != VAX_OK)
            rc = fail_db(db);
        else
            printf(_("Copied the plan of %s to %s.\n"), day, to);
    } else if (!strcmp(sub, "close-day")) {
        int n = 0;
        if (!parse_day(a->npos > 2 ? a->pos[2] : NULL, day))
            return bad_day("plan close-day", a->pos[2]);
        if (!(db = open_db(path, 0, 1)))
            return 1;
        if (vax_day_close(db, day, &n) != VAX_OK) {
            rc = fail_db(db);
        } else {
            int csv = 0;
            printf(_("Day %s closed: %d did not come.\n"), day, n);
            vax_call_list(db, day, day, VAX_APPT_NO_SHOW, print_call, &csv);
        }
    } else if (!strcmp(sub, "close-slot")) {
        vax_slot s;
        int moved = 0, cancelled = 0;
        const char *mode = opt(a, "mode") ? opt(a, "mode") : "move";
        if (a->npos < 4 || (strcmp(mode, "move") && strcmp(mode, "cancel")))
            return fprintf(stderr, "%s",
                           _("vaxsite: plan close-slot DAY HH:MM [--mode move|cancel]\n")),
                   2;
        if (!parse_day(a->pos[2], day))
            return bad_day("plan close-slot", a->pos[2]);
        if (!(db = open_db(path, 0, 1)))
            return 1;
        if (!slot_at(db, day, a->pos[3], &s)) {
            fprintf(stderr, _("vaxsite: no open slot starts at %s on %s\n"), a->pos[3], day);
            rc = 1;
        } else if (vax_slot_close(db, s.id, !strcmp(mode, "move") ? VAX_SLOT_MOVE : VAX_SLOT_CANCEL,
                                  &moved, &cancelled) != VAX_OK) {
            rc = fail_db(db);
        } else {
            int csv = 0;
            printf(_("Slot closed: %d moved, %d cancelled (to phone):\n"), moved, cancelled);
            if (cancelled)
                vax_call_list(db, day, day, VAX_APPT_CANCELLED, print_call, &csv);
        }
    } else {
        /* vaxsite plan DAY --opens --closes --slot-minutes --capacity [--risk] [--products] */
        vax_site_day d;
        memset(&d, 0, sizeof d);
        if (!a->npos || a->npos < 2 || !opt(a, "opens") || !opt(a, "closes") ||
            !opt(a, "capacity")) {
            fprintf(stderr, "%s",
                    _("vaxsite: plan DAY --opens HH:MM --closes HH:MM --capacity N "
                      "[--slot-minutes 30] [--risk low|medium|high|very_high] [--products \"AZ "
                      "PF\"]\n"));
            return 2;
        }
        if (!parse_day(sub, d.day))
            return bad_day("plan", sub);
        snprintf(d.opens, sizeof d.opens, "%.5s", opt(a, "opens"));
        snprintf(d.closes, sizeof d.closes, "%.5s", opt(a, "closes"));
        d.slot_minutes = opt(a, "slot-minutes") ? atoi(opt(a, "slot-minutes")) : 30;
        d.capacity = atoi(opt(a, "capacity"));
        if (opt(a, "risk") && vax_risk_parse(opt(a, "risk"), &d.risk) != VAX_OK) {
            fprintf(stderr, "%s", _("vaxsite: --risk is low, medium, high or very_high\n"));
            return 2;
        }
        if (!cli_copy(d.products, sizeof d.products, opt(a, "products") ? opt(a, "products") : "",
                      "products"))
            return 2;
        if (!(db = open_db(path, 0, 1)))
            return 1;
        if (vax_day_plan(db, &d) != VAX_OK) {
            rc = fail_db(db);
        } else {
            printf(_("Planned %s: %d slots of %d min, %d per slot (%s).\n"), d.day, d.slots,
                   d.slot_minutes, d.cap, vax_risk_label(d.risk));
        }
    }
    vax_close(db);
    return rc;
}

/* IDs from a file: the first field of each line (a pre-registration CSV or a plain list). */
static int read_list(vax_db *db, const char *file, vax_book_req **out, int *n)
{
    FILE *f = fopen(file, "r");
    char line[1024];
    int cap = 1024;
    *n = 0;
    if (!f) {
        fprintf(stderr, _("vaxsite: cannot read %s\n"), file);
        return 0;
    }
    *out = calloc((size_t)cap, sizeof **out);
    while (*out && fgets(line, sizeof line, f)) {
        char id[13], msg[256], *group = line + strcspn(line, ",;\t\r\n");
        vax_person p;
        /* an optional second field names a household or commune, booked into one slot */
        if (*group == ',' || *group == ';' || *group == '\t') {
            *group++ = 0;
            group[strcspn(group, ",;\t\r\n")] = 0;
        } else {
            *group = 0;
        }
        if (vax_validate_national_id(line, id, msg, sizeof msg) != VAX_OK ||
            vax_person_by_national_id(db, id, &p) != VAX_OK)
            continue; /* a header line, or someone not registered */
        if (*n == cap) {
            vax_book_req *m = realloc(*out, (size_t)cap * 2 * sizeof **out);
            if (!m)
                break;
            memset(m + cap, 0, (size_t)cap * sizeof *m);
            *out = m;
            cap *= 2;
        }
        snprintf((*out)[*n].group, sizeof(*out)[*n].group, "%s", group);
        (*out)[(*n)++].person_id = p.id;
    }
    fclose(f);
    return *out != NULL;
}

struct due_reqs {
    vax_book_req *r;
    int n, cap;
};

static int add_due(const vax_due *d, void *ctx)
{
    struct due_reqs *q = ctx;
    if (d->booked_day[0])
        return 0;
    if (q->n == q->cap) {
        int cap = q->cap ? q->cap * 2 : 256;
        vax_book_req *m = realloc(q->r, (size_t)cap * sizeof *m);
        if (!m)
            return VAX_ENOMEM;
        q->r = m;
        q->cap = cap;
    }
    memset(&q->r[q->n], 0, sizeof q->r[q->n]);
    q->r[q->n].person_id = d->person_id;
    q->r[q->n].dose_number = d->next_dose;
    snprintf(q->r[q->n].not_before, sizeof q->r[q->n].not_before, "%s", d->earliest);
    q->n++;
    return 0;
}

int cli_book(const char *path, const args *a)
{
    static const char *const known[] = {"day",  "time", "dose", "product", "override", "reason",
                                        "list", "from", "to",   "csv",     NULL};
    vax_db *db = NULL;
    int rc = 0, csv = opt(a, "csv") != NULL;
    char from[11], to[11];
    if (!only_opts(a, known))
        return 2;
    if (opt(a, "list")) {
        /* bulk: fill the slots of from..to from a list file, or from everyone due */
        vax_book_req *reqs = NULL;
        int n = 0, booked = 0;
        if (!parse_day(opt(a, "from"), from))
            return bad_day("--from", opt(a, "from"));
        if (!parse_day(opt(a, "to") ? opt(a, "to") : from, to))
            return bad_day("--to", opt(a, "to"));
        if (!(db = open_db(path, 0, 1)))
            return 1;
        if (!strcmp(opt(a, "list"), "due")) {
            struct due_reqs q = {NULL, 0, 0};
            vax_due_filter f;
            memset(&f, 0, sizeof f);
            snprintf(f.due_by, sizeof f.due_by, "%s", to);
            if (!cli_copy(f.product, sizeof f.product, opt(a, "product") ? opt(a, "product") : "",
                          "product")) {
                vax_close(db);
                return 2;
            }
            f.include_not_yet = 1;
            if (vax_due_list(db, &f, add_due, &q) != VAX_OK) {
                free(q.r);
                rc = fail_db(db);
                goto out;
            }
            reqs = q.r;
            n = q.n;
        } else if (!read_list(db, opt(a, "list"), &reqs, &n)) {
            rc = 1;
            goto out;
        }
        if (vax_slot_fill(db, from, to, opt(a, "product"), reqs, n, &booked) != VAX_OK) {
            rc = fail_db(db);
        } else {
            int unplaced = 0;
            for (int i = 0; i < n; i++)
                unplaced += reqs[i].status == VAX_EEMPTY;
            fprintf(stderr, _("Booked %d of %d; %d without a free slot.\n"), booked, n, unplaced);
            if (csv)
                printf("name,phone,day,slot,site,dose\n");
            vax_call_list(db, from, to, VAX_APPT_BOOKED, print_call, &csv);
        }
        free(reqs);
        goto out;
    }
    /* one person: vaxsite book ID --day DAY --time HH:MM [--dose N] [--product P] */
    char id[13], msg[256], day[11];
    vax_person p;
    vax_slot s;
    vax_appt ap;
    if (a->npos < 2 || !opt(a, "time")) {
        fprintf(stderr, "%s",
                _("vaxsite: book ID --day DAY --time HH:MM [--dose N] [--product P] [--override "
                  "--reason R], or book --list FILE|due --from DAY [--to DAY] [--csv]\n"));
        return 2;
    }
    if (vax_validate_national_id(a->pos[1], id, msg, sizeof msg) != VAX_OK) {
        fprintf(stderr, "vaxsite: %s\n", msg);
        return 1;
    }
    if (!parse_day(opt(a, "day"), day))
        return bad_day("--day", opt(a, "day"));
    if (!(db = open_db(path, 0, 1)))
        return 1;
    if (vax_person_by_national_id(db, id, &p) != VAX_OK) {
        rc = fail_db(db);
        goto out;
    }
    if (!slot_at(db, day, opt(a, "time"), &s)) {
        fprintf(stderr, _("vaxsite: no open slot starts at %s on %s\n"), opt(a, "time"), day);
        rc = 1;
        goto out;
    }
    int dose = 0;
    if (opt(a, "dose")) {
        dose = atoi(opt(a, "dose"));
    } else {
        vax_due d;
        dose = vax_due_for_person(db, p.id, &d) == VAX_OK ? d.next_dose : 1;
    }
    const char *reason = opt(a, "override") ? (opt(a, "reason") ? opt(a, "reason") : "") : NULL;
    if (opt(a, "override") && !reason[0]) {
        fprintf(stderr, "%s", _("vaxsite: --override needs --reason\n"));
        rc = 2;
        goto out;
    }
    if (vax_appt_book(db, p.id, s.id, dose, opt(a, "product"), reason, &ap) != VAX_OK) {
        rc = fail_db(db);
    } else {
        char x[6], y[6];
        vax_local_hhmm(ap.starts_at, x);
        vax_local_hhmm(ap.ends_at, y);
        printf("%s\t%s\t%s-%s\t%s\n", p.national_id, ap.day, x, y, p.full_name);
    }
out:
    vax_close(db);
    return rc;
}

static int print_due(const vax_due *d, void *ctx)
{
    static const char *const codes[] = {"none", "not_yet", "due", "overdue", "complete"};
    int csv = *(int *)ctx;
    if (csv) {
        vax_call c;
        char line[1024];
        /* names may hold commas: quote through the call-list writer's rules */
        memset(&c, 0, sizeof c);
        snprintf(c.full_name, sizeof c.full_name, "%s", d->full_name);
        snprintf(c.phone, sizeof c.phone, "%s", d->phone);
        snprintf(c.day, sizeof c.day, "%s", d->earliest);
        snprintf(c.slot_time, sizeof c.slot_time, "%.11s", d->product);
        snprintf(c.site, sizeof c.site, "%s", d->commune);
        c.dose_number = d->next_dose;
        vax_call_csv(&c, line, sizeof line);
        printf("%s,%s,%s,%s,%d,%s\n", d->national_id, line, d->recommended, codes[d->state],
               d->days_overdue, d->booked_day);
    } else {
        printf("%s\t%s\t%s\tdose %d\t%s\t%s\t%s\n", d->national_id, d->full_name, d->product,
               d->next_dose, d->earliest, vax_due_state_label(d->state), d->booked_day);
    }
    return 0;
}

int cli_due(const char *path, const args *a)
{
    static const char *const known[] = {"csv", "product", "overdue", "commune", "all", NULL};
    vax_due_filter f;
    int csv = opt(a, "csv") != NULL, rc = 0;
    if (!only_opts(a, known))
        return 2;
    memset(&f, 0, sizeof f);
    if (!cli_copy(f.product, sizeof f.product, opt(a, "product") ? opt(a, "product") : "",
                  "product") ||
        !cli_copy(f.commune, sizeof f.commune, opt(a, "commune") ? opt(a, "commune") : "",
                  "commune"))
        return 2;
    f.only_overdue = opt(a, "overdue") != NULL;
    f.include_not_yet = f.include_complete = opt(a, "all") != NULL;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (csv)
        printf("national_id,name,phone,earliest,product,commune,dose,recommended,state,"
               "days_overdue,booked\n");
    if (vax_due_list(db, &f, print_due, &csv) != VAX_OK)
        rc = fail_db(db);
    vax_close(db);
    return rc;
}
