/* cli_stock.c: "vaxsite product ..." and "vaxsite stock ...": the catalogue and the stock. */
#include "cli.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (!f)
        return NULL;
    do {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        n = fread(buf + len, 1, 4096, f);
        len += n;
    } while (n > 0 && len < 4 * 1024 * 1024);
    fclose(f);
    buf[len] = 0;
    return buf;
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
        char *text = read_file(a->pos[2]);
        if (!text) {
            fprintf(stderr, _("vaxsite: cannot read %s\n"), a->pos[2]);
            return 1;
        }
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
                                        "doses-per-vial", "component", "from",   NULL};
    int vials, doses, dpv, component;
    int64_t id;
    vax_lot l;
    if (!only_opts(a, known))
        return 2;
    if (!opt(a, "product") || !opt(a, "lot") || !opt(a, "expiry") || !opt(a, "from") ||
        (!opt(a, "vials") && !opt(a, "doses"))) {
        fprintf(stderr, "%s",
                _("vaxsite: stock receive needs --product, --lot, --expiry, --vials or --doses, "
                  "and --from\n"));
        return 2;
    }
    if (!int_opt(a, "vials", 0, &vials) || !int_opt(a, "doses", 0, &doses) ||
        !int_opt(a, "doses-per-vial", VAX_DPV_CATALOGUE, &dpv) ||
        !int_opt(a, "component", 0, &component))
        return 2;
    /* a value given as 0 is refused by the core with its reason, not taken as "absent" */
    if (opt(a, "doses-per-vial") && dpv == VAX_DPV_CATALOGUE)
        dpv = 0;
    vax_lot_in in = {opt(a, "product"), opt(a, "lot"), opt(a, "expiry"), vials, doses, dpv,
                     component,         opt(a, "from")};
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
        printf("%lld\t%s\t%s\t%s\t%d/%d vials\t%d doses\t%s%s\n", (long long)lots[i].id,
               lots[i].product, lots[i].lot_no, lots[i].expiry,
               lots[i].vials_received - lots[i].vials_opened, lots[i].vials_received,
               lots[i].doses_on_hand, lots[i].supplier, lots[i].expired ? "\texpired" : "");
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
    static const char *const known[] = {"station", NULL};
    int64_t vial;
    if (!only_opts(a, known))
        return 2;
    if (a->npos < 3 || atoll(a->pos[2]) <= 0) {
        fprintf(stderr, "%s", _("vaxsite: stock open needs a LOT-ID (see stock list)\n"));
        return 2;
    }
    vax_db *db = open_db(path, 0, 1);
    if (!db)
        return 1;
    int rc = 0;
    if (vax_stock_open_vial(db, atoll(a->pos[2]),
                            opt(a, "station") ? opt(a, "station") : "injection", &vial) != VAX_OK)
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

int cli_stock(const char *path, const args *a)
{
    const char *cmd = a->npos > 0 ? a->pos[0] : "";
    const char *what = a->npos > 1 ? a->pos[1] : "";
    if (!strcmp(cmd, "product"))
        return product_cmd(path, a);
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
    fprintf(stderr, "%s", _("vaxsite: stock needs receive, list, vials, open, discard or day\n"));
    return 2;
}
