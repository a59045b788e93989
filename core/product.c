/* product.c: the vaccine catalogue: checking a products file, loading it, and reading it. */
#include "datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRODUCT_COLS                                                                               \
    "code, name, manufacturer, series_doses, doses_per_vial, open_vial_minutes, "                  \
    "observation_minutes, min_age, not_in, next, components, storage, dcc_vp, dcc_mp, dcc_ma, "    \
    "active"

static void row_to_product(sqlite3_stmt *st, vax_product *p)
{
    memset(p, 0, sizeof *p);
    vax_strlcpy(p->code, vax_col_text(st, 0), sizeof p->code);
    vax_strlcpy(p->name, vax_col_text(st, 1), sizeof p->name);
    vax_strlcpy(p->manufacturer, vax_col_text(st, 2), sizeof p->manufacturer);
    p->series_doses = sqlite3_column_int(st, 3);
    p->doses_per_vial = sqlite3_column_int(st, 4);
    p->open_vial_minutes = sqlite3_column_int(st, 5);
    p->observation_minutes = sqlite3_column_int(st, 6);
    p->min_age = sqlite3_column_int(st, 7);
    vax_strlcpy(p->not_in, vax_col_text(st, 8), sizeof p->not_in);
    vax_strlcpy(p->next, vax_col_text(st, 9), sizeof p->next);
    p->components = sqlite3_column_int(st, 10);
    vax_strlcpy(p->storage, vax_col_text(st, 11), sizeof p->storage);
    vax_strlcpy(p->dcc_vp, vax_col_text(st, 12), sizeof p->dcc_vp);
    vax_strlcpy(p->dcc_mp, vax_col_text(st, 13), sizeof p->dcc_mp);
    vax_strlcpy(p->dcc_ma, vax_col_text(st, 14), sizeof p->dcc_ma);
    p->active = sqlite3_column_int(st, 15);
}

/* A file before schema 29 has no age band columns (the upgrade steps read and write through such
 * a file): 1 when product.max_age is there. */
static int has_age_band(vax_db *db)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM pragma_table_info('product')"
                                    " WHERE name = 'max_age'");
    int have = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        have = sqlite3_column_int(st, 0) > 0;
    if (st)
        sqlite3_reset(st);
    return have;
}

/* Fills p's age band and dose volume (schema 29). */
static int read_age_band(vax_db *db, vax_product *p)
{
    if (!has_age_band(db))
        return VAX_OK;
    sqlite3_stmt *st = vax_stmt(db, "SELECT max_age, dose_ml FROM product WHERE code = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        p->max_age = sqlite3_column_int(st, 0);
        vax_strlcpy(p->dose_ml, vax_col_text(st, 1), sizeof p->dose_ml);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? VAX_OK
               : vax_fail_sql(db, rc, _("reading the vaccine catalogue"));
}

/* Fills the intervals of p from product_interval. */
static int read_intervals(vax_db *db, vax_product *p)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT after_dose, min_days, rec_days FROM product_interval"
                                    " WHERE product = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_int(st, 0);
        if (n >= 1 && n <= VAX_MAX_SERIES) {
            p->min_interval_days[n] = sqlite3_column_int(st, 1);
            p->rec_interval_days[n] = sqlite3_column_int(st, 2);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the vaccine catalogue"));
    return read_age_band(db, p);
}

int vax_product_get(vax_db *db, const char *code, vax_product *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " PRODUCT_COLS " FROM product WHERE code = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, code ? code : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_product(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, "product", _("Product %s is not in the catalogue."),
                        code ? code : "");
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading the vaccine catalogue"));
    return read_intervals(db, out);
}

int vax_product_list(vax_db *db, vax_product *out, int max, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT " PRODUCT_COLS " FROM product WHERE active = 1 ORDER BY code");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_to_product(st, &out[(*n)++]);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the vaccine catalogue"));
    for (int i = 0; i < *n; i++)
        if ((rc = read_intervals(db, &out[i])) != VAX_OK)
            return rc;
    return VAX_OK;
}

/* 1 if `word` is one of the space-separated words of `list`. */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == n && n > 0 && strncmp(p, word, n) == 0)
            return 1;
        p += w;
    }
    return 0;
}

int vax_product_list_on(vax_db *db, const char *day, vax_product *out, int max, int *n)
{
    int rc = vax_product_list(db, out, max, n);
    for (int i = 0; rc == VAX_OK && i < *n; i++)
        vax_product_rules_on(&out[i], day, NULL, 0);
    return rc;
}

int vax_product_may_follow(const vax_product *prev, const char *next_code)
{
    return has_word(prev->next, next_code);
}

int vax_product_ruled_out_by(const vax_product *p, const char *finding)
{
    return has_word(p->not_in, finding);
}

/* ---- the dated rules (assets/dose-rules.conf) --------------------------------------------- */

static void append_cite(char *cite, size_t size, const char *source)
{
    size_t n;
    if (!cite || !size || strstr(cite, source))
        return;
    n = strlen(cite);
    snprintf(cite + n, size - n, "%s%s", n ? "; " : "", source);
}

/* Applies one rule section to p (its product and day already matched). */
static void apply_rule(const vax_datafile *df, const vax_df_section *s, vax_product *p)
{
    const vax_df_entry *e;
    int lo, hi;
    if ((e = vax_datafile_get(df, s, "min_age")))
        p->min_age = atoi(e->value);
    if ((e = vax_datafile_get(df, s, "max_age")))
        p->max_age = atoi(e->value);
    if ((e = vax_datafile_get(df, s, "next")))
        vax_strlcpy(p->next, e->value, sizeof p->next);
    if ((e = vax_datafile_get(df, s, "interval.1")) && sscanf(e->value, "%d %d", &lo, &hi) == 2) {
        p->min_interval_days[1] = lo;
        p->rec_interval_days[1] = hi;
    }
    /* "additional = MIN [MAX]": no MAX, no last day */
    if ((e = vax_datafile_get(df, s, "additional"))) {
        hi = 0;
        if (sscanf(e->value, "%d %d", &lo, &hi) >= 1) {
            p->additional_min = lo;
            p->additional_max = hi;
        }
    }
    for (int k = 1; k <= VAX_MAX_SERIES; k++) {
        char key[16];
        snprintf(key, sizeof key, "booster.%d", k);
        if ((e = vax_datafile_get(df, s, key)) && sscanf(e->value, "%d %d", &lo, &hi) == 2) {
            p->booster_min[k] = lo;
            p->booster_rec[k] = hi;
        }
    }
    if ((e = vax_datafile_get(df, s, "booster_min_age")))
        p->booster_min_age = atoi(e->value);
    if ((e = vax_datafile_get(df, s, "booster_next"))) {
        /* "same": the product itself (a rule for every product names the same vaccine so) */
        char *out = p->booster_next;
        size_t size = sizeof p->booster_next, used = 0;
        out[0] = 0;
        for (const char *q = e->value; *q;) {
            while (*q == ' ')
                q++;
            size_t w = strcspn(q, " ");
            if (w) {
                int same = w == 4 && strncmp(q, "same", 4) == 0;
                int n = snprintf(out + used, size - used, "%s%.*s", used ? " " : "",
                                 same ? (int)strlen(p->code) : (int)w, same ? p->code : q);
                if (n < 0 || (size_t)n >= size - used)
                    break;
                used += (size_t)n;
            }
            q += w;
        }
    }
}

void vax_product_rules_on(vax_product *p, const char *day, char *cite, size_t size)
{
    vax_datafile df;
    char done[11] = "";
    if (vax_datafile_parse(&df, "dose-rules.conf", vax_asset_dose_rules_conf) != VAX_OK) {
        vax_datafile_free(&df);
        return;
    }
    /* in the order of "from": each pass takes the earliest start after the last one applied */
    for (;;) {
        const char *next_from = NULL;
        for (int i = 0; i < df.nsections; i++) {
            const vax_df_entry *prod = vax_datafile_get(&df, &df.sections[i], "product");
            const vax_df_entry *from = vax_datafile_get(&df, &df.sections[i], "from");
            if (!prod || !from || !has_word(prod->value, p->code) || strcmp(from->value, day) > 0 ||
                strcmp(from->value, done) <= 0)
                continue;
            if (!next_from || strcmp(from->value, next_from) < 0)
                next_from = from->value;
        }
        if (!next_from)
            break;
        for (int i = 0; i < df.nsections; i++) {
            const vax_df_section *s = &df.sections[i];
            const vax_df_entry *prod = vax_datafile_get(&df, s, "product");
            const vax_df_entry *from = vax_datafile_get(&df, s, "from");
            const vax_df_entry *src = NULL;
            if (strcmp(vax_lang(), "vi") == 0)
                src = vax_datafile_get(&df, s, "source.vi");
            if (!src)
                src = vax_datafile_get(&df, s, "source");
            if (prod && from && has_word(prod->value, p->code) && !strcmp(from->value, next_from)) {
                apply_rule(&df, s, p);
                append_cite(cite, size, src ? src->value : s->name);
            }
        }
        vax_strlcpy(done, next_from, sizeof done);
    }
    vax_datafile_free(&df);
}

int vax_product_same_kind(const char *a, const char *b)
{
    vax_datafile df;
    int same = strcmp(a, b) == 0;
    memset(&df, 0, sizeof df);
    if (!same && vax_datafile_parse(&df, "dose-rules.conf", vax_asset_dose_rules_conf) == VAX_OK) {
        for (int i = 0; i < df.nsections; i++) {
            if (strcmp(df.sections[i].name, "kind") != 0)
                continue;
            const vax_df_entry *ka = vax_datafile_get(&df, &df.sections[i], a);
            const vax_df_entry *kb = vax_datafile_get(&df, &df.sections[i], b);
            same = ka && kb && strcmp(ka->value, kb->value) == 0;
        }
    }
    vax_datafile_free(&df);
    return same;
}

/* ---- loading a catalogue ----------------------------------------------------------------- */

static const char *const known_keys[] = {"name",
                                         "manufacturer",
                                         "series_doses",
                                         "interval.",
                                         "doses_per_vial",
                                         "open_vial_minutes",
                                         "observation_minutes",
                                         "min_age",
                                         "max_age",
                                         "dose_ml",
                                         "not_in",
                                         "next",
                                         "components",
                                         "storage",
                                         "dcc.vp",
                                         "dcc.mp",
                                         "dcc.ma",
                                         "gtin",
                                         "snomed",
                                         "cvx",
                                         NULL};

/* The findings a product may be ruled out by (the screening checklists name the same words). */
static const char *const findings[] = {"pregnancy", "breastfeeding", NULL};

static int valid_code(const char *code)
{
    size_t n = strlen(code);
    if (n < 1 || n > 15)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '0' && code[i] <= '9')))
            return 0;
    return 1;
}

/* Checks one [CODE] section into p; errors go to df. */
static int check_product(vax_datafile *df, const vax_df_section *s, vax_product *p)
{
    const char *v;
    int rc;
    memset(p, 0, sizeof *p);
    if (!valid_code(s->name))
        return vax_datafile_fail(
            df, s->line, _("[%s]: a product code is 1 to 15 capital letters or digits"), s->name);
    vax_strlcpy(p->code, s->name, sizeof p->code);
    if ((rc = vax_datafile_unknown_keys(df, s, known_keys)) != VAX_OK)
        return rc;
    if ((rc = vax_datafile_require(df, s, "name", &v)) != VAX_OK)
        return rc;
    vax_strlcpy(p->name, v, sizeof p->name);
    if ((rc = vax_datafile_require(df, s, "manufacturer", &v)) != VAX_OK)
        return rc;
    vax_strlcpy(p->manufacturer, v, sizeof p->manufacturer);
    if ((rc = vax_datafile_int(df, s, "series_doses", 1, VAX_MAX_SERIES, 0, &p->series_doses)) ||
        (rc = vax_datafile_int(df, s, "doses_per_vial", 1, 50, 0, &p->doses_per_vial)) ||
        (rc = vax_datafile_int(df, s, "open_vial_minutes", 1, 7 * 24 * 60, 0,
                               &p->open_vial_minutes)) ||
        (rc = vax_datafile_int(df, s, "observation_minutes", 15, 240, VAX_OBSERVE_MINUTES_DEFAULT,
                               &p->observation_minutes)) ||
        (rc = vax_datafile_int(df, s, "min_age", 0, 120, 18, &p->min_age)) ||
        (rc = vax_datafile_int(df, s, "max_age", 0, 120, 0, &p->max_age)) ||
        (rc = vax_datafile_int(df, s, "components", 1, 2, 1, &p->components)))
        return rc;
    /* "interval." passes the known-key check as a prefix: the rest must be a dose number */
    for (int i = s->first; i < s->first + s->count; i++) {
        const char *k = df->entries[i].key;
        if (strncmp(k, "interval.", 9) != 0)
            continue;
        if (!(k[9] >= '1' && k[9] < '0' + VAX_MAX_SERIES && k[10] == 0))
            return vax_datafile_fail(df, df->entries[i].line,
                                     _("\"%s\": the number after \"interval.\" is a dose, 1 to %d"),
                                     k, VAX_MAX_SERIES - 1);
    }
    for (int n = 1; n <= VAX_MAX_SERIES; n++) {
        char key[32];
        snprintf(key, sizeof key, "interval.%d", n);
        const vax_df_entry *e = vax_datafile_get(df, s, key);
        if (n < p->series_doses && !e)
            return vax_datafile_fail(df, s->line,
                                     _("[%s] has %d doses but no \"%s = MIN REC\" (days)"), s->name,
                                     p->series_doses, key);
        if (n >= p->series_doses && e)
            return vax_datafile_fail(df, e->line, _("[%s] has only %d doses: \"%s\" has no use"),
                                     s->name, p->series_doses, key);
        if (!e)
            continue;
        int lo, hi, used = 0;
        if (sscanf(e->value, "%d %d %n", &lo, &hi, &used) != 2 || e->value[used] || lo < 1 ||
            hi < lo || hi > 365)
            return vax_datafile_fail(df, e->line,
                                     _("\"%s\" must be two numbers of days, earliest then "
                                       "advised (1 to 365), not \"%s\""),
                                     key, e->value);
        p->min_interval_days[n] = lo;
        p->rec_interval_days[n] = hi;
    }
    const vax_df_entry *e = vax_datafile_get(df, s, "dose_ml");
    if (e) {
        double ml = 0;
        int used = 0;
        if (strlen(e->value) >= sizeof p->dose_ml || sscanf(e->value, "%lf%n", &ml, &used) != 1 ||
            e->value[used] || ml < 0.05 || ml > 2)
            return vax_datafile_fail(df, e->line,
                                     _("\"dose_ml\" is one dose's volume in mL, 0.05 to 2 (e.g. "
                                       "0.3), not \"%s\""),
                                     e->value);
        vax_strlcpy(p->dose_ml, e->value, sizeof p->dose_ml);
    }
    e = vax_datafile_get(df, s, "not_in");
    if (e) {
        char words[128], *save = NULL;
        vax_strlcpy(words, e->value, sizeof words);
        for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            int ok = 0;
            for (const char *const *f = findings; *f; f++)
                ok |= strcmp(*f, w) == 0;
            if (!ok)
                return vax_datafile_fail(df, e->line,
                                         _("\"not_in\": \"%s\" is not a finding (use pregnancy, "
                                           "breastfeeding)"),
                                         w);
        }
        vax_strlcpy(p->not_in, e->value, sizeof p->not_in);
    }
    if ((rc = vax_datafile_require(df, s, "next", &v)) != VAX_OK)
        return rc;
    vax_strlcpy(p->next, v, sizeof p->next);
    e = vax_datafile_get(df, s, "storage");
    vax_strlcpy(p->storage, e ? e->value : "", sizeof p->storage);
    if ((rc = vax_datafile_require(df, s, "dcc.vp", &v)) != VAX_OK)
        return rc;
    vax_strlcpy(p->dcc_vp, v, sizeof p->dcc_vp);
    if ((rc = vax_datafile_require(df, s, "dcc.mp", &v)) != VAX_OK)
        return rc;
    vax_strlcpy(p->dcc_mp, v, sizeof p->dcc_mp);
    if ((rc = vax_datafile_require(df, s, "dcc.ma", &v)) != VAX_OK)
        return rc;
    vax_strlcpy(p->dcc_ma, v, sizeof p->dcc_ma);
    if (p->components > p->series_doses)
        return vax_datafile_fail(df, s->line, _("[%s] has more components than doses"), s->name);
    p->active = 1;
    return VAX_OK;
}

/* Every code in a product's "next" must be a product of the same file. */
static int check_next(vax_datafile *df, const vax_product *all, int n)
{
    for (int i = 0; i < n; i++) {
        char words[128], *save = NULL;
        vax_strlcpy(words, all[i].next, sizeof words);
        for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            int found = 0;
            for (int j = 0; j < n; j++)
                found |= strcmp(all[j].code, w) == 0;
            if (!found) {
                const vax_df_entry *e = NULL;
                for (int k = 0; k < df->nsections && !e; k++)
                    if (strcmp(df->sections[k].name, all[i].code) == 0)
                        e = vax_datafile_get(df, &df->sections[k], "next");
                return vax_datafile_fail(df, e ? e->line : 0,
                                         _("\"next\" of [%s] names %s, which is not in the file"),
                                         all[i].code, w);
            }
        }
    }
    return VAX_OK;
}

static int save_age_band(vax_db *db, const vax_product *p)
{
    if (!has_age_band(db))
        return VAX_OK;
    sqlite3_stmt *st =
        vax_stmt(db, "UPDATE product SET max_age = ?2, dose_ml = ?3 WHERE code = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, p->max_age);
    sqlite3_bind_text(st, 3, p->dose_ml, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("saving the vaccine catalogue"));
}

static int save_product(vax_db *db, const vax_product *p)
{
    sqlite3_stmt *st = vax_stmt(
        db,
        "INSERT INTO product(" PRODUCT_COLS ", updated_at, updated_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, ?16, ?17)"
        " ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
        " manufacturer = excluded.manufacturer, series_doses = excluded.series_doses,"
        " doses_per_vial = excluded.doses_per_vial,"
        " open_vial_minutes = excluded.open_vial_minutes,"
        " observation_minutes = excluded.observation_minutes, min_age = excluded.min_age,"
        " not_in = excluded.not_in, next = excluded.next, components = excluded.components,"
        " storage = excluded.storage, dcc_vp = excluded.dcc_vp, dcc_mp = excluded.dcc_mp,"
        " dcc_ma = excluded.dcc_ma, active = 1, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->manufacturer, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, p->series_doses);
    sqlite3_bind_int(st, 5, p->doses_per_vial);
    sqlite3_bind_int(st, 6, p->open_vial_minutes);
    sqlite3_bind_int(st, 7, p->observation_minutes);
    sqlite3_bind_int(st, 8, p->min_age);
    sqlite3_bind_text(st, 9, p->not_in, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, p->next, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, p->components);
    sqlite3_bind_text(st, 12, p->storage, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, p->dcc_vp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, p->dcc_mp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, p->dcc_ma, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 16, vax_now());
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 17, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("saving the vaccine catalogue"));
    if ((rc = save_age_band(db, p)) != VAX_OK)
        return rc;
    st = vax_stmt(db, "DELETE FROM product_interval WHERE product = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("saving the vaccine catalogue"));
    for (int n = 1; n < p->series_doses; n++) {
        st = vax_stmt(db, "INSERT INTO product_interval(product, after_dose, min_days, rec_days)"
                          " VALUES (?1, ?2, ?3, ?4)");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, n);
        sqlite3_bind_int(st, 3, p->min_interval_days[n]);
        sqlite3_bind_int(st, 4, p->rec_interval_days[n]);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("saving the vaccine catalogue"));
    }
    return VAX_OK;
}

/* Calls fn on each GTIN (as 14 digits) of each section's "gtin" list; stops at the first error.
 * A GTIN with a wrong check digit is an error of the file. */
static int each_gtin(vax_datafile *df, vax_db *db,
                     int (*fn)(vax_db *db, const char *product, const char *gtin))
{
    for (int i = 0; i < df->nsections; i++) {
        const vax_df_section *s = &df->sections[i];
        const vax_df_entry *e = vax_datafile_get(df, s, "gtin");
        const char *p = e ? e->value : "";
        while (*p) {
            char word[32], gtin[15];
            size_t n = 0;
            while (*p == ' ' || *p == ',')
                p++;
            while (*p && *p != ' ' && *p != ',' && n + 1 < sizeof word)
                word[n++] = *p++;
            word[n] = 0;
            if (!n)
                continue;
            if (vax_gtin_normalise(word, gtin) != VAX_OK)
                return vax_datafile_fail(
                    df, e->line,
                    _("[%s]: gtin %s is not a GTIN (8 to 14 digits, right check digit)"), s->name,
                    word);
            if (fn) {
                int rc = fn(db, s->name, gtin);
                if (rc != VAX_OK)
                    return rc;
            }
        }
    }
    return VAX_OK;
}

static int save_gtin(vax_db *db, const char *product, const char *gtin)
{
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO product_gtin(gtin, product)"
                                    " SELECT ?1, code FROM product WHERE code = ?2");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, gtin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, product, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT)
        return vax_fail(db, VAX_EINVAL, "gtin", _("GTIN %s is given to two products."), gtin);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("saving the vaccine catalogue"));
}

/* Empties a table the catalogue fills, inside the caller's transaction; *have = 0 when the
 * database is older than the table (nothing to keep or replace). */
static int clear_catalogue_table(vax_db *db, const char *table, const char *delete_sql, int *have)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *have = rc == SQLITE_ROW;
    sqlite3_reset(st);
    if (*have && (rc = sqlite3_exec(db->sql, delete_sql, NULL, NULL, NULL)) != SQLITE_OK)
        return vax_fail_sql(db, rc, _("saving the vaccine catalogue"));
    return VAX_OK;
}

/* A schema step's seed: the built-in catalogue parsed, and `save` run on it. */
static int seed_from_catalogue(vax_db *db, int (*save)(vax_db *, vax_datafile *))
{
    vax_datafile df;
    int rc = vax_datafile_parse(&df, "products.conf", vax_asset_products_conf);
    if (rc == VAX_OK)
        rc = save(db, &df);
    if (rc == VAX_EINVAL && df.error[0])
        vax_fail(db, rc, "file", "%s", df.error);
    vax_datafile_free(&df);
    return rc;
}

/* The catalogue's GTINs replace those stored; a database before the table has none to keep. */
static int save_gtins(vax_db *db, vax_datafile *df)
{
    int have, rc = clear_catalogue_table(db, "product_gtin", "DELETE FROM product_gtin", &have);
    return rc != VAX_OK || !have ? rc : each_gtin(df, db, save_gtin);
}

int vax_product_gtin_seed(vax_db *db)
{
    return seed_from_catalogue(db, save_gtins);
}

/* The vaccine code systems a product may name (products.conf key, FHIR system). A product
 * without an official code in a system leaves the key out: no code is better than a made-up one. */
static const struct {
    const char *key, *system;
} coding_systems[] = {
    {"snomed", "http://snomed.info/sct"},
    {"cvx", "http://hl7.org/fhir/sid/cvx"},
};

/* Calls fn on each section's vaccine codes; a code is digits (SNOMED CT identifiers and CVX
 * codes both are), so a typing slip is an error of the file, not a code sent on. */
static int each_coding(vax_datafile *df, vax_db *db,
                       int (*fn)(vax_db *db, const char *product, const char *system,
                                 const char *code))
{
    for (int i = 0; i < df->nsections; i++) {
        const vax_df_section *s = &df->sections[i];
        for (size_t k = 0; k < sizeof coding_systems / sizeof coding_systems[0]; k++) {
            const vax_df_entry *e = vax_datafile_get(df, s, coding_systems[k].key);
            if (!e)
                continue;
            size_t n = strlen(e->value);
            int digits = n >= 1 && n <= 18;
            for (size_t j = 0; j < n && digits; j++)
                digits = e->value[j] >= '0' && e->value[j] <= '9';
            if (!digits)
                return vax_datafile_fail(df, e->line,
                                         _("[%s]: \"%s\" is a code of 1 to 18 digits, not \"%s\""),
                                         s->name, coding_systems[k].key, e->value);
            if (fn) {
                int rc = fn(db, s->name, coding_systems[k].system, e->value);
                if (rc != VAX_OK)
                    return rc;
            }
        }
    }
    return VAX_OK;
}

static int save_coding(vax_db *db, const char *product, const char *system, const char *code)
{
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO product_coding(product, system, code)"
                                    " SELECT code, ?2, ?3 FROM product WHERE code = ?1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, product, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, system, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("saving the vaccine catalogue"));
}

/* The catalogue's vaccine codes replace those stored; a database before the table has none. */
static int save_codings(vax_db *db, vax_datafile *df)
{
    int have, rc = clear_catalogue_table(db, "product_coding", "DELETE FROM product_coding", &have);
    return rc != VAX_OK || !have ? rc : each_coding(df, db, save_coding);
}

int vax_product_coding_seed(vax_db *db)
{
    return seed_from_catalogue(db, save_codings);
}

/* Checks the whole text, then saves it inside the caller's transaction. */
int vax_product_load_locked(vax_db *db, const char *name, const char *text);

int vax_product_load_locked(vax_db *db, const char *name, const char *text)
{
    vax_datafile df;
    vax_product *all = NULL;
    int rc = vax_datafile_parse(&df, name, text);
    if (rc != VAX_OK)
        goto out;
    if (df.nsections == 0) {
        rc = vax_datafile_fail(&df, 1, _("the file holds no [product]"));
        goto out;
    }
    if (!(all = calloc((size_t)df.nsections, sizeof *all))) {
        rc = VAX_ENOMEM;
        goto out;
    }
    for (int i = 0; i < df.nsections; i++)
        if ((rc = check_product(&df, &df.sections[i], &all[i])) != VAX_OK)
            goto out;
    if ((rc = check_next(&df, all, df.nsections)) != VAX_OK)
        goto out;
    if ((rc = each_gtin(&df, db, NULL)) != VAX_OK)
        goto out;
    if ((rc = each_coding(&df, db, NULL)) != VAX_OK)
        goto out;
    rc = sqlite3_exec(db->sql, "UPDATE product SET active = 0", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        rc = vax_fail_sql(db, rc, _("saving the vaccine catalogue"));
        goto out;
    }
    for (int i = 0; i < df.nsections && rc == VAX_OK; i++)
        rc = save_product(db, &all[i]);
    if (rc == VAX_OK)
        rc = save_gtins(db, &df);
    if (rc == VAX_OK)
        rc = save_codings(db, &df);
out:
    if (rc == VAX_EINVAL && df.error[0])
        vax_fail(db, rc, "file", "%s", df.error);
    free(all);
    vax_datafile_free(&df);
    return rc;
}

int vax_product_load(vax_db *db, const char *name, const char *text)
{
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_product_load_locked(db, name, text)) != VAX_OK)
        goto fail;
    if ((rc = vax_audit(db, "product.load", "product", 0, name)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* Schema 29: the products' age bands and dose volumes from the catalogue the binary carries, and
 * the products it has that the site's catalogue lacks (the children's formulation), with their
 * intervals and vaccine codes. A product the site has keeps everything else it holds. */
int vax_product_seed_v29(vax_db *db)
{
    vax_datafile df;
    vax_product p;
    int rc = vax_datafile_parse(&df, "products.conf", vax_asset_products_conf);
    for (int i = 0; rc == VAX_OK && i < df.nsections; i++) {
        const vax_df_section *s = &df.sections[i];
        sqlite3_stmt *st;
        int have;
        if ((rc = check_product(&df, s, &p)) != VAX_OK)
            break;
        if (!(st = vax_stmt(db, "SELECT count(*) FROM product WHERE code = ?1"))) {
            rc = VAX_EINTERNAL;
            break;
        }
        sqlite3_bind_text(st, 1, p.code, -1, SQLITE_STATIC);
        have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
        sqlite3_reset(st);
        if (have) {
            rc = save_age_band(db, &p);
            continue;
        }
        if ((rc = save_product(db, &p)) != VAX_OK)
            break;
        for (size_t k = 0; rc == VAX_OK && k < sizeof coding_systems / sizeof coding_systems[0];
             k++) {
            const vax_df_entry *e = vax_datafile_get(&df, s, coding_systems[k].key);
            if (e)
                rc = save_coding(db, p.code, coding_systems[k].system, e->value);
        }
    }
    if (rc == VAX_EINVAL && df.error[0])
        vax_fail(db, rc, "file", "%s", df.error);
    vax_datafile_free(&df);
    return rc;
}
