/* cli_stock.c: "vaxsite product ..." and "vaxsite stock ...": the catalogue and the stock. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A whole number option: *out = the value, or fallback when absent. 0 if it is not a number. */
static int int_opt(const args *a, const char *name, int fallback, int *out)
{
    const char *v = opt(a, name);
    char *end;
    *out = fallback;
    if (!v)
        return 1;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < -1000000 || n > 1000000) {
        fprintf(stderr, _("vaxsite: --%s must be a whole number, not \"%s\"\n"), name, v);
        return 0;
    }
    *out = (int)n;
    return 1;
}

static int product_cmd(const char *path, const args *a)
{
    static const char *const known[] = {NULL};
    const char *what = a->npos > 1 ? a->pos[1] : "";
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(what, "list")) {
        vax_product all[32];
        int n = 0;
        vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
        if (!db)
            return 1;
        if (vax_product_list(db, all, 32, &n) != VAX_OK) {
            rc = fail_db(db);
            n = 0;
        }
        for (int i = 0; i < n; i++) {
            char intervals[64] = "";
            size_t o = 0;
            for (int k = 1; k < all[i].series_doses && o < sizeof intervals - 16; k++)
                o += (size_t)snprintf(intervals + o, sizeof intervals - o, "%s%d-%d",
                                      k > 1 ? "," : "", all[i].min_interval_days[k],
                                      all[i].rec_interval_days[k]);
            printf("%s\t%s\t%d doses\t%s days\t%d/vial\t%d min open\tnext: %s\n", all[i].code,
                   all[i].name, all[i].series_doses, intervals[0] ? intervals : "-",
                   all[i].doses_per_vial, all[i].open_vial_minutes, all[i].next);
        }
        vax_close(db);
        return rc;
    }
    if (!strcmp(what, "load")) {
        if (a->npos < 3) {
            fprintf(stderr, "%s", _("vaxsite: product load needs a FILE\n"));
            return 2;
        }
        /* a catalogue is a text of a few kilobytes; 4 MiB is far beyond one */
        char *text = cli_read_text(a->pos[2], (size_t)4 << 20);
        if (!text)
            return 1;
        const char *base = strrchr(a->pos[2], '/');
        vax_db *db = open_db(path, 0, 1);
        if (!db) {
            free(text);
            return 1;
        }
        if (vax_product_load(db, base ? base + 1 : a->pos[2], text) != VAX_OK)
            rc = fail_db(db);
        else
            printf(_("Catalogue loaded from %s.\n"), a->pos[2]);
        free(text);
        vax_close(db);
        return rc;
    }
    fprintf(stderr, "%s", _("vaxsite: product needs list or load\n"));
    return 2;
}

static int stock_receive(const char *path, const args *a)
{
    static const char *const known[] = {"product",        "lot",       "expiry", "vials", "doses",
                                        "doses-per-vial", "component", "from",   "scan",  NULL};
    int vials, doses, dpv, component;
    int64_t id;
    vax_lot l;
    vax_scan sc;
    if (!only_opts(a, known))
        return 2;
    if (opt(a, "scan")) {
        /* the carton's code gives product, lot and expiry; what is typed as well is refused */
        if (opt(a, "product") || opt(a, "lot") || opt(a, "expiry")) {
            fprintf(stderr, "%s",
                    _("vaxsite: --scan gives the product, lot and expiry; do not type them too\n"));
            return 2;
        }
        vax_db *sdb = open_db(path, VAX_OPEN_READONLY, 0);
        if (!sdb)
            return 1;
        int src = vax_stock_scan(sdb, opt(a, "scan"), &sc);
        if (src != VAX_OK) {
            fail_db(sdb);
            vax_close(sdb);
            return 1;
        }
        vax_close(sdb);
    }
    const char *product = opt(a, "scan") ? sc.product : opt(a, "product");
    const char *lot_no = opt(a, "scan") ? sc.lot_no : opt(a, "lot");
    const char *expiry = opt(a, "scan") ? sc.gs1.expiry : opt(a, "expiry");
    if (!product || !lot_no || !lot_no[0] || !expiry || !expiry[0] || !opt(a, "from") ||
        (!opt(a, "vials") && !opt(a, "doses"))) {
        fprintf(stderr, "%s",
                _("vaxsite: stock receive needs --product, --lot, --expiry (or --scan with a lot "
                  "and expiry), --vials or --doses, and --from\n"));
        return 2;
    }
    if (!int_opt(a, "vials", 0, &vials) || !int_opt(a, "doses", 0, &doses) ||
        !int_opt(a, "doses-per-vial", VAX_DPV_CATALOGUE, &dpv) ||
        !int_opt(a, "component", 0, &component))
        return 2;
    /* a value given as 0 is refused by the core with its reason, not taken as "absent" */
    if (opt(a, "doses-per-vial") && dpv == VAX_DPV_CATALOGUE)
        dpv = 0;
    vax_lot_in in = {product, lot_no, expiry, vials, doses, dpv, component, opt(a, "from")};
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (vax_stock_receive(db, &in, &id) != VAX_OK || vax_stock_lot_get(db, id, &l) != VAX_OK)
        rc = fail_db(db);
    else
        printf("%lld\t%s\t%s\t%s\t%d doses on hand\n", (long long)l.id, l.product, l.lot_no,
               l.expiry, l.doses_on_hand);
    vax_close(db);
    return rc;
}

static int stock_list(const char *path, const args *a)
{
    static const char *const known[] = {"all", NULL};
    static vax_lot lots[2000];
    int n = 0, rc = 0;
    if (!only_opts(a, known))
        return 2;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_stock_lots(db, !opt(a, "all"), lots, 2000, &n) != VAX_OK) {
        rc = fail_db(db);
        n = 0;
    }
    for (int i = 0; i < n; i++)
        printf("%lld\t%s\t%s\t%s\t%d/%d vials\t%d doses\t%s%s%s\n", (long long)lots[i].id,
               lots[i].product, lots[i].lot_no, lots[i].expiry, lots[i].vials_unopened,
               lots[i].vials_received, lots[i].doses_on_hand, lots[i].supplier,
               lots[i].expired ? "\texpired" : "", lots[i].on_hold ? "\ton hold" : "");
    vax_close(db);
    return rc;
}

static int stock_vials(const char *path, const args *a)
{
    static const char *const known[] = {"station", NULL};
    vax_vial v[200];
    int n = 0, rc = 0;
    if (!only_opts(a, known))
        return 2;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_stock_open_vials(db, opt(a, "station"), v, 200, &n) != VAX_OK) {
        rc = fail_db(db);
        n = 0;
    }
    for (int i = 0; i < n; i++)
        printf("%lld\t%s\t%s\t%s\t%d/%d doses left\t%d min left\n", (long long)v[i].id,
               v[i].station, v[i].product, v[i].lot_no, v[i].remaining, v[i].doses,
               v[i].minutes_left);
    vax_close(db);
    return rc;
}

static int stock_open(const char *path, const args *a)
{
    static const char *const known[] = {"station", "scan", NULL};
    int64_t vial, lot = 0;
    if (!only_opts(a, known))
        return 2;
    if (!opt(a, "scan") && (a->npos < 3 || atoll(a->pos[2]) <= 0)) {
        fprintf(stderr, "%s",
                _("vaxsite: stock open needs a LOT-ID (see stock list) or --scan CODE\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (opt(a, "scan") ? vax_stock_scan_lot(db, opt(a, "scan"), &lot) != VAX_OK
                       : (lot = atoll(a->pos[2])) <= 0) {
        rc = fail_db(db);
        vax_close(db);
        return rc;
    }
    if (vax_stock_open_vial(db, lot, opt(a, "station") ? opt(a, "station") : "injection", &vial) !=
        VAX_OK)
        rc = fail_db(db);
    else
        printf("%lld\n", (long long)vial);
    vax_close(db);
    return rc;
}

static int stock_discard(const char *path, const args *a)
{
    static const char *const known[] = {"reason", NULL};
    vax_discard why;
    int wasted = 0;
    if (!only_opts(a, known))
        return 2;
    if (a->npos < 3 || atoll(a->pos[2]) <= 0 || !opt(a, "reason") ||
        vax_discard_parse(opt(a, "reason"), &why) != VAX_OK) {
        fprintf(stderr, "%s",
                _("vaxsite: stock discard VIAL-ID --reason "
                  "expired|broken|contaminated|cold_chain|end_of_day\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (vax_stock_discard_vial(db, atoll(a->pos[2]), why, &wasted) != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("%d doses wasted\n"), wasted);
    vax_close(db);
    return rc;
}

static int stock_day(const char *path, const args *a)
{
    static const char *const known[] = {"date", NULL};
    vax_stock_day d[32];
    char day[11];
    int n = 0, rc = 0;
    if (!only_opts(a, known))
        return 2;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (opt(a, "date"))
        snprintf(day, sizeof day, "%s", opt(a, "date"));
    else
        vax_local_date(vax_now(), day);
    if (vax_stock_day_summary(db, day, d, 32, &n) != VAX_OK) {
        rc = fail_db(db);
        n = 0;
    }
    for (int i = 0; i < n; i++)
        printf("%s\ton hand %d\topened %d vials (%d doses)\tgiven %d\twasted %d\twastage "
               "%d.%d%%\texpiring in 7 days %d\n",
               d[i].product, d[i].doses_on_hand, d[i].vials_opened, d[i].doses_opened,
               d[i].doses_given, d[i].doses_wasted, d[i].wastage_permille / 10,
               d[i].wastage_permille % 10, d[i].expiring_7d);
    vax_close(db);
    return rc;
}

/* LOT-ID as the third word, or 0 after saying what is needed. */
static int64_t lot_arg(const args *a, const char *usage)
{
    if (a->npos < 3 || atoll(a->pos[2]) <= 0) {
        fprintf(stderr, "%s", usage);
        return 0;
    }
    return atoll(a->pos[2]);
}

static int stock_writeoff(const char *path, const args *a)
{
    static const char *const known[] = {"vials", "reason", NULL};
    const char *usage = _("vaxsite: stock writeoff LOT-ID --vials N --reason "
                          "expired|broken|contaminated|cold_chain\n");
    vax_writeoff why;
    int vials;
    int64_t lot;
    if (!only_opts(a, known))
        return 2;
    if (!(lot = lot_arg(a, usage)) || !opt(a, "vials") || !int_opt(a, "vials", 0, &vials) ||
        vax_writeoff_parse(opt(a, "reason"), &why) != VAX_OK) {
        if (lot)
            fprintf(stderr, "%s", usage);
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (vax_stock_writeoff(db, lot, vials, why) != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("%d unopened vials written off: %s\n"), vials, vax_writeoff_label(why));
    vax_close(db);
    return rc;
}

static int stock_transfer_out(const char *path, const args *a)
{
    static const char *const known[] = {"vials", "to", NULL};
    const char *usage = _("vaxsite: stock transfer-out LOT-ID --vials N --to SITE-CODE\n");
    int vials;
    int64_t lot;
    if (!only_opts(a, known))
        return 2;
    if (!(lot = lot_arg(a, usage)) || !opt(a, "vials") || !opt(a, "to") ||
        !int_opt(a, "vials", 0, &vials)) {
        if (lot)
            fprintf(stderr, "%s", usage);
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (vax_stock_transfer_out(db, lot, vials, opt(a, "to")) != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("%d vials sent to %s; they reach it with the next sync.\n"), vials, opt(a, "to"));
    vax_close(db);
    return rc;
}

static int stock_transfer_in(const char *path, const args *a)
{
    static const char *const known[] = {"transfer",  "from",  "product", "lot",
                                        "expiry",    "vials", "doses",   "doses-per-vial",
                                        "component", NULL};
    int vials, doses, dpv, component;
    int64_t id;
    vax_lot l;
    if (!only_opts(a, known))
        return 2;
    if (!opt(a, "transfer") && (!opt(a, "from") || !opt(a, "product") || !opt(a, "lot") ||
                                !opt(a, "expiry") || (!opt(a, "vials") && !opt(a, "doses")))) {
        fprintf(stderr, "%s",
                _("vaxsite: stock transfer-in --transfer UUID (see stock to-receive), or --from "
                  "SITE --product P --lot L --expiry D --vials N|--doses N\n"));
        return 2;
    }
    if (!int_opt(a, "vials", 0, &vials) || !int_opt(a, "doses", 0, &doses) ||
        !int_opt(a, "doses-per-vial", VAX_DPV_CATALOGUE, &dpv) ||
        !int_opt(a, "component", 0, &component))
        return 2;
    vax_lot_in in = {opt(a, "product"), opt(a, "lot"), opt(a, "expiry"), vials, doses, dpv,
                     component,         opt(a, "from")};
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (vax_stock_transfer_in(db, opt(a, "transfer") ? NULL : &in, opt(a, "from"),
                              opt(a, "transfer"), &id) != VAX_OK ||
        vax_stock_lot_get(db, id, &l) != VAX_OK)
        rc = fail_db(db);
    else
        printf("%lld\t%s\t%s\t%s\t%d doses on hand\n", (long long)l.id, l.product, l.lot_no,
               l.expiry, l.doses_on_hand);
    vax_close(db);
    return rc;
}

static int stock_to_receive(const char *path, const args *a)
{
    static const char *const known[] = {NULL};
    vax_transfer t[200];
    int n = 0, rc = 0;
    if (!only_opts(a, known))
        return 2;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_stock_transfers_to_receive(db, t, 200, &n) != VAX_OK) {
        rc = fail_db(db);
        n = 0;
    }
    for (int i = 0; i < n; i++)
        printf("%s\t%s\t%s\t%s\t%s\t%d vials x %d\n", t[i].uuid, t[i].from_site, t[i].product,
               t[i].lot_no, t[i].expiry, t[i].vials, t[i].doses_per_vial);
    vax_close(db);
    return rc;
}

static int stock_count(const char *path, const args *a)
{
    static const char *const known[] = {"vials", "reason", NULL};
    const char *usage = _("vaxsite: stock count LOT-ID --vials N [--reason WHY]\n");
    int vials, diff = 0;
    int64_t lot;
    if (!only_opts(a, known))
        return 2;
    if (!(lot = lot_arg(a, usage)) || !opt(a, "vials") || !int_opt(a, "vials", 0, &vials)) {
        if (lot)
            fprintf(stderr, "%s", usage);
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (vax_stock_count(db, lot, vials, opt(a, "reason"), &diff) != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("Counted %d unopened vials; difference %+d.\n"), vials, diff);
    vax_close(db);
    return rc;
}

/* stock at [--at "YYYY-MM-DD HH:MM"|EPOCH]: each lot's ledger up to then. */
static int stock_at(const char *path, const args *a)
{
    static const char *const known[] = {"at", NULL};
    static vax_lot_balance b[2000];
    int n = 0, rc = 0;
    int64_t at = 0;
    if (!only_opts(a, known))
        return 2;
    if (opt(a, "at") && (at = atoll(opt(a, "at"))) <= 0) {
        fprintf(stderr, "%s", _("vaxsite: --at takes a moment in seconds since 1970\n"));
        return 2;
    }
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_stock_at(db, at, b, 2000, &n) != VAX_OK) {
        rc = fail_db(db);
        n = 0;
    }
    for (int i = 0; i < n; i++)
        printf("%lld\t%s\t%s\t%s\treceived %d\tin %d\tcounted %+d\ton hand %d\tgiven %d\t"
               "wasted %d\tout %d\tunopened %d\n",
               (long long)b[i].lot_id, b[i].product, b[i].lot_no, b[i].expiry, b[i].received,
               b[i].transferred_in, b[i].counted, b[i].on_hand, b[i].given, b[i].wasted,
               b[i].transferred_out, b[i].vials_unopened);
    vax_close(db);
    return rc;
}

static int stock_use_fast(const char *path, const args *a)
{
    static const char *const known[] = {"days", NULL};
    vax_use_fast u[500];
    int n = 0, rc = 0, days;
    if (!only_opts(a, known) || !int_opt(a, "days", 7, &days))
        return 2;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_stock_use_fast(db, days, u, 500, &n) != VAX_OK) {
        rc = fail_db(db);
        n = 0;
    }
    for (int i = 0; i < n; i++)
        printf(_("%s\t%s\texpires %s\t%d doses\t%d days\tneeds %d a day\tpace %d.%d a "
                 "day\t%s\n"),
               u[i].product, u[i].lot_no, u[i].expiry, u[i].doses_on_hand, u[i].days_left,
               u[i].needed_per_day, u[i].pace_tenths / 10, u[i].pace_tenths % 10,
               u[i].at_risk ? _("AT RISK") : _("ok"));
    vax_close(db);
    return rc;
}

/* ---- the cold chain ------------------------------------------------------------------------ */

static void when_text(int64_t t, char out[20])
{
    char day[11], dmy[11], hhmm[6];
    vax_local_date(t, day);
    vax_date_dmy(day, dmy);
    vax_local_hhmm(t, hhmm);
    snprintf(out, 20, "%s %s", dmy, hhmm);
}

/* The local day YYYY-MM-DD as [from, to) in epoch seconds; 0 if it is not such a day. */
static int day_span(const char *day, int64_t *from, int64_t *to)
{
    int y, m, d, n = 0;
    struct tm tm;
    if (sscanf(day, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || day[n] || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return 0;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900, tm.tm_mon = m - 1, tm.tm_mday = d, tm.tm_isdst = -1;
    *from = (int64_t)mktime(&tm);
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900, tm.tm_mon = m - 1, tm.tm_mday = d + 1, tm.tm_isdst = -1;
    *to = (int64_t)mktime(&tm);
    return 1;
}

/* fridge add CODE --name N [--kind fridge|cold_box] | list [--all] | retire CODE | store CODE
 * LOT-ID */
static int fridge_cmd(const char *path, const args *a)
{
    static const char *const known[] = {"name", "kind", "all", NULL};
    const char *what = a->npos > 1 ? a->pos[1] : "";
    const char *code = a->npos > 2 ? a->pos[2] : NULL;
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(what, "list")) {
        vax_fridge f[200];
        int n = 0;
        vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
        if (!db)
            return 1;
        if (vax_fridge_list(db, opt(a, "all") != NULL, vax_now(), f, 200, &n) != VAX_OK) {
            rc = fail_db(db);
            n = 0;
        }
        for (int i = 0; i < n; i++) {
            char last[40] = "-", when[20], due[80] = "";
            if (f[i].has_reading) {
                char t[16];
                vax_temp_format(f[i].last_tenths, t, sizeof t);
                when_text(f[i].last_at, when);
                snprintf(last, sizeof last, "%s °C %s", t, when);
            }
            if (f[i].due != VAX_TEMP_DUE_NONE) {
                when_text(f[i].due_at, when);
                snprintf(due, sizeof due,
                         f[i].due == VAX_TEMP_DUE_LATE ? _("reading late since %s")
                                                       : _("reading due by %s"),
                         when);
            }
            printf("%s\t%s\t%s\t%s\t%d lots\t%d on hold\t%s%s\n", f[i].code, f[i].name,
                   f[i].cold_box ? "cold_box" : "fridge", last, f[i].lots_stored, f[i].lots_on_hold,
                   f[i].active ? due : "retired", "");
        }
        vax_close(db);
        return rc;
    }
    if (!strcmp(what, "add") || !strcmp(what, "retire") || !strcmp(what, "store")) {
        int64_t lot = 0;
        const char *kind = opt(a, "kind") ? opt(a, "kind") : "fridge";
        if (!code || (!strcmp(what, "add") && !opt(a, "name")) ||
            (strcmp(kind, "fridge") && strcmp(kind, "cold_box")) ||
            (!strcmp(what, "store") && (a->npos < 4 || (lot = atoll(a->pos[3])) <= 0))) {
            fprintf(stderr, "%s",
                    _("vaxsite: fridge add CODE --name NAME [--kind fridge|cold_box] | fridge "
                      "retire CODE | "
                      "fridge store CODE LOT-ID\n"));
            return 2;
        }
        vax_db *db = open_db(path, 0, 1);
        if (!db)
            return 1;
        if (!strcmp(what, "add")) {
            if (vax_fridge_add(db, code, opt(a, "name"), !strcmp(kind, "cold_box")) != VAX_OK)
                rc = fail_db(db);
            else
                printf(_("%s registered.\n"), code);
        } else if (!strcmp(what, "retire")) {
            if (vax_fridge_retire(db, code) != VAX_OK)
                rc = fail_db(db);
            else
                printf(_("%s retired.\n"), code);
        } else {
            if (vax_fridge_store_lot(db, code, lot) != VAX_OK)
                rc = fail_db(db);
            else
                printf(_("Lot %lld is stored in %s.\n"), (long long)lot, code);
        }
        vax_close(db);
        return rc;
    }
    fprintf(stderr, "%s", _("vaxsite: fridge needs add, list, retire or store\n"));
    return 2;
}

/* temp log FRIDGE DEGREES | temp list [--date DAY] [--fridge F] */
static int temp_cmd(const char *path, const args *a)
{
    static const char *const known[] = {"date", "fridge", NULL};
    const char *what = a->npos > 1 ? a->pos[1] : "";
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(what, "log")) {
        int tenths = 0, held = 0;
        if (a->npos < 4 || vax_temp_parse(a->pos[3], &tenths) != VAX_OK) {
            fprintf(stderr, "%s",
                    _("vaxsite: temp log FRIDGE DEGREES (e.g. temp log F1 5.2; one decimal)\n"));
            return 2;
        }
        vax_db *db = open_db(path, 0, 1);
        if (!db)
            return 1;
        char t[16];
        vax_temp_format(tenths, t, sizeof t);
        if (vax_temp_log(db, a->pos[2], tenths, &held) != VAX_OK) {
            rc = fail_db(db);
        } else if (vax_temp_state_of(tenths) == VAX_TEMP_OK) {
            printf(_("%s: %s °C logged.\n"), a->pos[2], t);
        } else {
            printf(_("%s: %s °C logged: OUTSIDE 2-8 °C%s. %d lots put on \"check before use\" "
                     "until a manager decides (stock decide LOT-ID use|discard).\n"),
                   a->pos[2], t, vax_temp_state_of(tenths) == VAX_TEMP_FREEZE ? _(", frozen") : "",
                   held);
        }
        vax_close(db);
        return rc;
    }
    if (!strcmp(what, "list")) {
        static vax_temp_reading r[2000];
        char day[32];
        int n = 0;
        int64_t from, to;
        vax_local_date(vax_now(), day);
        if (opt(a, "date"))
            snprintf(day, sizeof day, "%s", opt(a, "date"));
        if (!day_span(day, &from, &to)) {
            fprintf(stderr, "%s", _("vaxsite: --date takes YYYY-MM-DD\n"));
            return 2;
        }
        vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
        if (!db)
            return 1;
        if (vax_temp_list(db, opt(a, "fridge"), from, to, r, 2000, &n) != VAX_OK) {
            rc = fail_db(db);
            n = 0;
        }
        for (int i = 0; i < n; i++) {
            char when[20], t[16];
            when_text(r[i].at, when);
            vax_temp_format(r[i].tenths, t, sizeof t);
            printf("%s\t%s\t%s °C\t%s\t%s\n", when, r[i].fridge, t,
                   r[i].state == VAX_TEMP_FREEZE         ? "FREEZE"
                   : r[i].state == VAX_TEMP_OUT_OF_RANGE ? "OUT OF RANGE"
                                                         : "ok",
                   r[i].by);
        }
        vax_close(db);
        return rc;
    }
    fprintf(stderr, "%s", _("vaxsite: temp needs log or list\n"));
    return 2;
}

/* stock holds | stock decide LOT-ID use|discard [--note TEXT] */
static int stock_holds(const char *path, const args *a)
{
    static const char *const known[] = {NULL};
    vax_lot_hold h[500];
    int n = 0, rc = 0;
    if (!only_opts(a, known))
        return 2;
    vax_db *db = open_db(path, VAX_OPEN_READONLY, 0);
    if (!db)
        return 1;
    if (vax_lot_holds(db, h, 500, &n) != VAX_OK) {
        rc = fail_db(db);
        n = 0;
    }
    for (int i = 0; i < n; i++) {
        char when[20], t[16];
        when_text(h[i].since, when);
        vax_temp_format(h[i].tenths, t, sizeof t);
        printf("%lld\t%s\t%s\t%d doses\t%s %s °C\t%s\n", (long long)h[i].lot_id, h[i].product,
               h[i].lot_no, h[i].doses_on_hand, h[i].fridge, t, when);
    }
    vax_close(db);
    return rc;
}

static int stock_decide(const char *path, const args *a)
{
    static const char *const known[] = {"note", NULL};
    int64_t lot = a->npos > 2 ? atoll(a->pos[2]) : 0;
    const char *how = a->npos > 3 ? a->pos[3] : "";
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (lot <= 0 || (strcmp(how, "use") && strcmp(how, "discard"))) {
        fprintf(stderr, "%s", _("vaxsite: stock decide LOT-ID use|discard [--note TEXT]\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    if (vax_lot_hold_decide(db, lot, !strcmp(how, "use"), opt(a, "note")) != VAX_OK)
        rc = fail_db(db);
    else if (!strcmp(how, "use"))
        printf(_("Lot %lld may be used again.\n"), (long long)lot);
    else
        printf(_("Lot %lld discarded: its unopened vials are written off (cold chain).\n"),
               (long long)lot);
    vax_close(db);
    return rc;
}

int cli_stock(const char *path, const args *a)
{
    const char *cmd = a->npos > 0 ? a->pos[0] : "";
    const char *what = a->npos > 1 ? a->pos[1] : "";
    if (!strcmp(cmd, "product"))
        return product_cmd(path, a);
    if (!strcmp(cmd, "fridge"))
        return fridge_cmd(path, a);
    if (!strcmp(cmd, "temp"))
        return temp_cmd(path, a);
    if (!strcmp(what, "holds"))
        return stock_holds(path, a);
    if (!strcmp(what, "decide"))
        return stock_decide(path, a);
    if (!strcmp(what, "receive"))
        return stock_receive(path, a);
    if (!strcmp(what, "list"))
        return stock_list(path, a);
    if (!strcmp(what, "vials"))
        return stock_vials(path, a);
    if (!strcmp(what, "open"))
        return stock_open(path, a);
    if (!strcmp(what, "discard"))
        return stock_discard(path, a);
    if (!strcmp(what, "day"))
        return stock_day(path, a);
    if (!strcmp(what, "writeoff"))
        return stock_writeoff(path, a);
    if (!strcmp(what, "transfer-out"))
        return stock_transfer_out(path, a);
    if (!strcmp(what, "transfer-in"))
        return stock_transfer_in(path, a);
    if (!strcmp(what, "to-receive"))
        return stock_to_receive(path, a);
    if (!strcmp(what, "count"))
        return stock_count(path, a);
    if (!strcmp(what, "at"))
        return stock_at(path, a);
    if (!strcmp(what, "use-fast"))
        return stock_use_fast(path, a);
    fprintf(stderr, "%s",
            _("vaxsite: stock needs receive, list, vials, open, discard, day, writeoff, "
              "transfer-out, transfer-in, to-receive, count, at, use-fast, holds or decide\n"));
    return 2;
}
