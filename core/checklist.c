/* checklist.c: screening checklists as data: checking a checklist file, storing it, choosing the
 * one in force. */
#include "datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const outcome_codes[] = {
#define VAX_OUTCOME_CODE(name, code, words) code,
    VAX_OUTCOME_LIST(VAX_OUTCOME_CODE)
#undef VAX_OUTCOME_CODE
};
static const char *const outcome_words[] = {
#define VAX_OUTCOME_WORDS(name, code, words) N_(words),
    VAX_OUTCOME_LIST(VAX_OUTCOME_WORDS)
#undef VAX_OUTCOME_WORDS
};

const char *vax_outcome_code(vax_outcome o)
{
    return (unsigned)o < VAX_OUTCOME_COUNT ? outcome_codes[o] : "?";
}

const char *vax_outcome_label(vax_outcome o)
{
    return (unsigned)o < VAX_OUTCOME_COUNT ? _(outcome_words[o]) : "?";
}

int vax_outcome_parse(const char *code, vax_outcome *out)
{
    for (int i = 0; i < VAX_OUTCOME_COUNT; i++)
        if (code && strcmp(code, outcome_codes[i]) == 0) {
            *out = (vax_outcome)i;
            return VAX_OK;
        }
    return VAX_EINVAL;
}

/* ---- checking a file --------------------------------------------------------------------- */

static const char *const head_keys[] = {"code", "version", "valid_from", "valid_until", "vi",
                                        "en",   "source",  "min_age",    "max_age",     NULL};
static const char *const item_keys[] = {"vi",      "en",      "outcome",       "scope",
                                        "finding", "consent", "postpone_days", NULL};
static const char *const vital_keys[] = {
    "vi",    "en",    "unit",          "decimals", "normal",          "physical", "required",
    "below", "above", "postpone_days", "baseline", "baseline_margin", NULL};

/* The text in the UI language, falling back to the other one. */
static int pick_text(vax_datafile *df, const vax_df_section *s, char *out, size_t size)
{
    const vax_df_entry *vi = vax_datafile_get(df, s, "vi"), *en = vax_datafile_get(df, s, "en");
    const char *v;
    int rc;
    if ((rc = vax_datafile_require(df, s, "vi", &v)) != VAX_OK ||
        (rc = vax_datafile_require(df, s, "en", &v)) != VAX_OK)
        return rc;
    vax_strlcpy(out, strcmp(vax_lang(), "en") == 0 ? en->value : vi->value, size);
    return VAX_OK;
}

static int parse_outcome(vax_datafile *df, const vax_df_entry *e, vax_outcome *out)
{
    /* "does not consent" is the person's answer, which no question of a form proposes */
    if (vax_outcome_parse(e->value, out) != VAX_OK || *out == VAX_OUTCOME_DECLINED)
        return vax_datafile_fail(df, e->line,
                                 _("\"%s\": \"%s\" is not an outcome (use eligible, caution, "
                                   "postponed, referred, contraindicated)"),
                                 e->key, e->value);
    return VAX_OK;
}

/* "36.6" -> 366: a number with at most one decimal, in tenths. No floating point. */
static int parse_tenths(const char *s, int *out)
{
    int v = 0, digits = 0, neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    for (; *s >= '0' && *s <= '9'; s++, digits++)
        if ((v = v * 10 + (*s - '0')) > 100000)
            return -1;
    v *= 10;
    if (*s == '.' || *s == ',') {
        s++;
        if (*s >= '0' && *s <= '9')
            v += *s++ - '0';
        else
            return -1;
    }
    if (*s || !digits)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

/* "LOW HIGH" in tenths. */
static int parse_range(vax_datafile *df, const vax_df_entry *e, int *lo, int *hi)
{
    char a[32] = "", b[32] = "";
    int used = 0;
    if (sscanf(e->value, "%31s %31s %n", a, b, &used) != 2 || e->value[used] ||
        parse_tenths(a, lo) || parse_tenths(b, hi) || *lo > *hi || *lo < 0)
        return vax_datafile_fail(df, e->line,
                                 _("\"%s\" must be two numbers, low then high, not \"%s\""), e->key,
                                 e->value);
    return VAX_OK;
}

static int valid_word(const char *w)
{
    if (!*w || strlen(w) > 31)
        return 0;
    if (*w < 'a' || *w > 'z')
        return 0;
    for (; *w; w++)
        if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9') || *w == '_'))
            return 0;
    return 1;
}

static int check_item(vax_datafile *df, const vax_df_section *s, vax_checklist_item *it)
{
    const vax_df_entry *e;
    int rc;
    memset(it, 0, sizeof *it);
    if (strlen(s->name) >= sizeof it->key)
        return vax_datafile_fail(df, s->line, _("[%s]: a question key is at most 15 characters"),
                                 s->name);
    vax_strlcpy(it->key, s->name, sizeof it->key);
    if ((rc = vax_datafile_unknown_keys(df, s, item_keys)) != VAX_OK ||
        (rc = pick_text(df, s, it->text, sizeof it->text)) != VAX_OK)
        return rc;
    if (!(e = vax_datafile_get(df, s, "outcome")) || !*e->value)
        return vax_datafile_fail(df, s->line, _("[%s] has no \"outcome\""), s->name);
    if ((rc = parse_outcome(df, e, &it->outcome)) != VAX_OK)
        return rc;
    if ((e = vax_datafile_get(df, s, "scope"))) {
        if (it->outcome != VAX_OUTCOME_CONTRAINDICATED)
            return vax_datafile_fail(df, e->line, _("\"scope\" is only for a contraindication"));
        if (strcmp(e->value, "earlier") && strcmp(e->value, "all"))
            return vax_datafile_fail(
                df, e->line, _("\"scope\" is \"earlier\" or \"all\", not \"%s\""), e->value);
        vax_strlcpy(it->scope, e->value, sizeof it->scope);
    } else if (it->outcome == VAX_OUTCOME_CONTRAINDICATED) {
        vax_strlcpy(it->scope, "all", sizeof it->scope);
    }
    if ((e = vax_datafile_get(df, s, "finding"))) {
        if (!valid_word(e->value))
            return vax_datafile_fail(
                df, e->line, _("\"finding\" is one word of small letters and digits, not \"%s\""),
                e->value);
        vax_strlcpy(it->finding, e->value, sizeof it->finding);
    }
    if ((rc = vax_datafile_int(df, s, "consent", 0, 1, 0, &it->consent)) ||
        (rc = vax_datafile_int(df, s, "postpone_days", 1, 366,
                               it->outcome == VAX_OUTCOME_POSTPONED ? 0 : 1, &it->postpone_days)))
        return rc;
    if (it->outcome != VAX_OUTCOME_POSTPONED)
        it->postpone_days = 0;
    return VAX_OK;
}

static int check_vital(vax_datafile *df, const vax_df_section *s, vax_vital_def *v)
{
    const vax_df_entry *e;
    const char *u;
    int rc;
    memset(v, 0, sizeof *v);
    const char *key = s->name + strlen("vital.");
    if (!valid_word(key) || strlen(key) >= sizeof v->key)
        return vax_datafile_fail(
            df, s->line, _("[%s]: a vital sign key is one word of small letters and digits"),
            s->name);
    vax_strlcpy(v->key, key, sizeof v->key);
    if ((rc = vax_datafile_unknown_keys(df, s, vital_keys)) != VAX_OK ||
        (rc = pick_text(df, s, v->name, sizeof v->name)) != VAX_OK ||
        (rc = vax_datafile_require(df, s, "unit", &u)) != VAX_OK ||
        (rc = vax_datafile_int(df, s, "decimals", 0, 1, 0, &v->decimals)) ||
        (rc = vax_datafile_int(df, s, "required", 0, 1, 0, &v->required)))
        return rc;
    vax_strlcpy(v->unit, u, sizeof v->unit);
    if (!(e = vax_datafile_get(df, s, "physical")))
        return vax_datafile_fail(df, s->line, _("[%s] has no \"physical\""), s->name);
    if ((rc = parse_range(df, e, &v->physical_lo, &v->physical_hi)) != VAX_OK)
        return rc;
    if ((e = vax_datafile_get(df, s, "normal"))) {
        if ((rc = parse_range(df, e, &v->normal_lo, &v->normal_hi)) != VAX_OK)
            return rc;
        v->has_normal = 1;
    }
    v->below = v->above = VAX_OUTCOME_CAUTION;
    if ((e = vax_datafile_get(df, s, "below")) && (rc = parse_outcome(df, e, &v->below)))
        return rc;
    if ((e = vax_datafile_get(df, s, "above")) && (rc = parse_outcome(df, e, &v->above)))
        return rc;
    int postpones = v->below == VAX_OUTCOME_POSTPONED || v->above == VAX_OUTCOME_POSTPONED;
    if ((rc = vax_datafile_int(df, s, "postpone_days", 1, 366, postpones ? 0 : 1,
                               &v->postpone_days)))
        return rc;
    if ((e = vax_datafile_get(df, s, "baseline"))) {
        if (!valid_word(e->value) || strlen(e->value) >= sizeof v->baseline)
            return vax_datafile_fail(df, e->line, _("\"baseline\" names a vital sign key"));
        vax_strlcpy(v->baseline, e->value, sizeof v->baseline);
        if ((rc = vax_datafile_int(df, s, "baseline_margin", 1, 1000, 0, &v->baseline_margin)))
            return rc;
        v->baseline_margin *= 10;
    }
    return VAX_OK;
}

static int check_head(vax_datafile *df, const vax_df_section *s, vax_checklist *c)
{
    const char *v;
    int rc, y, m, d, used = 0;
    if ((rc = vax_datafile_unknown_keys(df, s, head_keys)) != VAX_OK ||
        (rc = vax_datafile_require(df, s, "code", &v)) != VAX_OK)
        return rc;
    if (strlen(v) >= sizeof c->code)
        return vax_datafile_fail(df, vax_datafile_get(df, s, "code")->line,
                                 _("\"code\" is at most 31 characters"));
    vax_strlcpy(c->code, v, sizeof c->code);
    if ((rc = vax_datafile_int(df, s, "version", 1, 1000000, 0, &c->version)) ||
        (rc = vax_datafile_require(df, s, "valid_from", &v)) != VAX_OK)
        return rc;
    if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || v[used] || strlen(v) != 10 || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return vax_datafile_fail(df, vax_datafile_get(df, s, "valid_from")->line,
                                 _("\"valid_from\" is a date YYYY-MM-DD, not \"%s\""), v);
    vax_strlcpy(c->valid_from, v, sizeof c->valid_from);
    if ((rc = pick_text(df, s, c->name, sizeof c->name)) != VAX_OK ||
        (rc = vax_datafile_require(df, s, "source", &v)) != VAX_OK)
        return rc;
    vax_strlcpy(c->source, v, sizeof c->source);
    const vax_df_entry *u = vax_datafile_get(df, s, "valid_until");
    vax_strlcpy(c->valid_until, u ? u->value : "", sizeof c->valid_until);
    if ((rc = vax_datafile_int(df, s, "min_age", 0, 120, 0, &c->min_age)) ||
        (rc = vax_datafile_int(df, s, "max_age", 0, 120, 0, &c->max_age)))
        return rc;
    return VAX_OK;
}

static int check_text(vax_datafile *df, const char *name, const char *text, vax_checklist *out)
{
    int rc, head = -1;
    memset(out, 0, sizeof *out);
    if ((rc = vax_datafile_parse(df, name, text)) != VAX_OK)
        return rc;
    for (int i = 0; i < df->nsections; i++)
        if (strcmp(df->sections[i].name, "checklist") == 0)
            head = i;
    if (head < 0)
        return vax_datafile_fail(df, 1, _("the file has no [checklist] section"));
    if ((rc = check_head(df, &df->sections[head], out)) != VAX_OK)
        return rc;
    for (int i = 0; i < df->nsections; i++) {
        const vax_df_section *s = &df->sections[i];
        if (i == head)
            continue;
        if (strncmp(s->name, "vital.", 6) == 0) {
            if (out->nvitals == VAX_CHECKLIST_MAX_VITALS)
                return vax_datafile_fail(df, s->line, _("more than %d vital signs"),
                                         VAX_CHECKLIST_MAX_VITALS);
            if ((rc = check_vital(df, s, &out->vitals[out->nvitals++])) != VAX_OK)
                return rc;
        } else {
            if (out->nitems == VAX_CHECKLIST_MAX_ITEMS)
                return vax_datafile_fail(df, s->line, _("more than %d questions"),
                                         VAX_CHECKLIST_MAX_ITEMS);
            if ((rc = check_item(df, s, &out->items[out->nitems++])) != VAX_OK)
                return rc;
        }
    }
    if (out->nitems == 0)
        return vax_datafile_fail(df, df->sections[head].line, _("the checklist has no question"));
    return VAX_OK;
}

int vax_checklist_check(const char *name, const char *text, vax_checklist *out, char *err,
                        size_t errsize)
{
    vax_datafile df;
    int rc = check_text(&df, name, text, out);
    if (err && errsize)
        vax_strlcpy(err, rc == VAX_OK ? "" : df.error, errsize);
    vax_datafile_free(&df);
    return rc;
}

/* ---- storing and reading ----------------------------------------------------------------- */

/* Stores a checked text inside the caller's transaction; an identical one already stored is
 * kept as it is. */
static int store(vax_db *db, const char *name, const char *text, int64_t *out_id)
{
    vax_checklist c;
    char err[600], uuid[37];
    int64_t now = vax_now();
    int rc = vax_checklist_check(name, text, &c, err, sizeof err);
    if (rc != VAX_OK)
        return vax_fail(db, rc, "file", "%s", err);
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT id, text = ?3 FROM checklist WHERE code = ?1 AND version = ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, c.code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, c.version);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int same = rc == SQLITE_ROW && sqlite3_column_int(st, 1);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the checklists"));
    if (id && !same)
        return vax_fail(db, VAX_EEXIST, "version",
                        _("Checklist %s version %d is already loaded with other questions; a "
                          "changed form needs a new \"version\"."),
                        c.code, c.version);
    if (id) {
        if (out_id)
            *out_id = id;
        return VAX_OK;
    }
    if (vax_uuid(uuid) != VAX_OK)
        return VAX_EINTERNAL;
    st = vax_stmt(db, "INSERT INTO checklist(uuid, code, version, valid_from, name, source, file,"
                      " text, created_at, updated_at, updated_by)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, c.code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, c.version);
    sqlite3_bind_text(st, 4, c.valid_from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, c.name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, c.source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 10, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("saving a checklist"));
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(db->sql);
    return VAX_OK;
}

int vax_checklist_seed(vax_db *db)
{
    int rc = store(db, "moh-3802-2021-08.conf", vax_asset_moh_3802_2021_08_conf, NULL);
    if (rc == VAX_OK)
        rc = vax_checklist_seed_late_2021(db);
    return rc;
}

/* A database made by an earlier build holds QĐ 3802 and an adult BYT-5002 version 1 from step 7;
 * this stores the forms that came after (4355 and 5785 for adults, 5002 version 2 for children).
 * A form already stored with the same text is kept as it is, so on a new database, whose step 7
 * stored them, it changes nothing. 3802 is left out: its row in such a database differs from
 * the file only by the valid_until that 4355 makes moot, and storing it would be refused. */
int vax_checklist_seed_late_2021(vax_db *db)
{
    int rc = store(db, "moh-4355-2021-09.conf", vax_asset_moh_4355_2021_09_conf, NULL);
    if (rc == VAX_OK)
        rc = store(db, "moh-5002-2021-10.conf", vax_asset_moh_5002_2021_10_conf, NULL);
    if (rc == VAX_OK)
        rc = store(db, "moh-5785-2021-12.conf", vax_asset_moh_5785_2021_12_conf, NULL);
    return rc;
}

int vax_checklist_seed_v30(vax_db *db)
{
    return store(db, "moh-5002-2021-10.conf", vax_asset_moh_5002_2021_10_conf, NULL);
}

int vax_checklist_add(vax_db *db, const char *name, const char *text, int64_t *out_id)
{
    int rc;
    int64_t id = 0;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = store(db, name ? name : "checklist", text ? text : "", &id)) != VAX_OK)
        goto fail;
    if ((rc = vax_audit(db, "checklist.add", "checklist", id, name)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (out_id)
        *out_id = id;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_checklist_get(vax_db *db, int64_t id, vax_checklist *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT file, text FROM checklist WHERE id = ?1");
    char err[600];
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return vax_fail(db, VAX_ENOTFOUND, "checklist", _("No such checklist."));
        return vax_fail_sql(db, rc, _("reading the checklists"));
    }
    char *name = strdup(vax_col_text(st, 0)), *text = strdup(vax_col_text(st, 1));
    sqlite3_reset(st);
    if (!name || !text) {
        free(name);
        free(text);
        return VAX_ENOMEM;
    }
    rc = vax_checklist_check(name, text, out, err, sizeof err);
    free(name);
    free(text);
    if (rc != VAX_OK)
        return vax_fail(db, VAX_ECORRUPT, "checklist", "%s", err);
    out->id = id;
    return VAX_OK;
}

/* 1 if form c is in force on day for a person of age (age < 0: any age the form has no upper
 * bound for, the adult form). */
static int in_force(const vax_checklist *c, const char *day, int age)
{
    if (strcmp(c->valid_from, day) > 0 || (c->valid_until[0] && strcmp(c->valid_until, day) < 0))
        return 0;
    if (age < 0)
        return c->max_age == 0;
    return age >= c->min_age && (c->max_age == 0 || age <= c->max_age);
}

/* 1 if a higher version of form all[i]'s code is valid from day or earlier: a new version replaces
 * the old one from its valid_from on, even where the old one's own dates and ages would still
 * apply (the old row stays, for the screenings made with it). */
static int superseded(const vax_checklist *all, int n, int i, const char *day)
{
    for (int j = 0; j < n; j++)
        if (strcmp(all[j].code, all[i].code) == 0 && all[j].version > all[i].version &&
            strcmp(all[j].valid_from, day) <= 0)
            return 1;
    return 0;
}

/* The newest form in force on day for age; the setting screening.checklist wins if set. */
static int form_on(vax_db *db, const char *day, int age, vax_checklist *out)
{
    char code[64] = "", dmy[11];
    vax_checklist *all = malloc(sizeof *all * 32);
    int n = 0, rc;
    int64_t best = 0;
    if (!all)
        return VAX_ENOMEM;
    vax_setting_text(db, "screening.checklist", code, sizeof code);
    vax_clear_error(db);
    if ((rc = vax_checklist_list(db, all, 32, &n)) != VAX_OK)
        goto out;
    /* newest valid_from first: the first one in force is the one */
    for (int i = 0; i < n && !best; i++) {
        if (code[0]
                ? strcmp(all[i].code, code) == 0
                : !superseded(all, n, i, day) && vax_checklist_get(db, all[i].id, out) == VAX_OK &&
                      in_force(out, day, age))
            best = all[i].id;
        vax_clear_error(db);
    }
    if (!best && code[0])
        rc = vax_fail(db, VAX_ENOTFOUND, "screening.checklist",
                      _("Setting screening.checklist names %s, which is not loaded."), code);
    else if (!best) {
        vax_date_dmy(day, dmy);
        rc = vax_fail(db, VAX_ENOTFOUND, "checklist",
                      _("No screening checklist is in force on %s."), dmy);
    } else
        rc = vax_checklist_get(db, best, out);
out:
    free(all);
    return rc;
}

int vax_checklist_current(vax_db *db, vax_checklist *out)
{
    char today[11];
    vax_local_date(vax_now(), today);
    return form_on(db, today, -1, out);
}

int vax_screening_form(vax_db *db, int64_t visit_id, vax_checklist *out)
{
    vax_visit v;
    vax_person p;
    char today[11];
    int rc;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK ||
        (rc = vax_person_get(db, v.person_id, &p)) != VAX_OK)
        return rc;
    vax_local_date(vax_now(), today);
    return form_on(db, today, vax_age_on(p.birth_date, today), out);
}

int vax_checklist_list(vax_db *db, vax_checklist *out, int max, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, code, version, valid_from, name FROM checklist"
                                    " ORDER BY valid_from DESC, version DESC, id DESC");
    int rc = SQLITE_DONE;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_checklist *c = &out[(*n)++];
        memset(c, 0, sizeof *c);
        c->id = sqlite3_column_int64(st, 0);
        vax_strlcpy(c->code, vax_col_text(st, 1), sizeof c->code);
        c->version = sqlite3_column_int(st, 2);
        vax_strlcpy(c->valid_from, vax_col_text(st, 3), sizeof c->valid_from);
        vax_strlcpy(c->name, vax_col_text(st, 4), sizeof c->name);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the checklists"));
    return VAX_OK;
}
