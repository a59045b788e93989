/* observe.c: the 30-minute observation: who is watched and until when, reactions, release. */
#include "datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the signs (assets/aefi.conf) -------------------------------------------------------- */

static int parse_signs(vax_datafile *df)
{
    return vax_datafile_parse(df, "aefi.conf", vax_asset_aefi_conf);
}

int vax_aefi_signs(vax_aefi_sign *out, int max, int *n)
{
    vax_datafile df;
    int vi = strcmp(vax_lang(), "vi") == 0;
    *n = 0;
    if (parse_signs(&df) != VAX_OK) {
        vax_datafile_free(&df);
        return VAX_EINTERNAL;
    }
    for (int i = 0; i < df.nsections && *n < max; i++) {
        const vax_df_section *s = &df.sections[i];
        if (strcmp(s->name, "protocol") == 0)
            continue;
        const vax_df_entry *name = vax_datafile_get(&df, s, vi ? "vi" : "en");
        const vax_df_entry *sys = vax_datafile_get(&df, s, "system");
        const vax_df_entry *grade = vax_datafile_get(&df, s, "grade");
        vax_aefi_sign *g = &out[(*n)++];
        memset(g, 0, sizeof *g);
        vax_strlcpy(g->code, s->name, sizeof g->code);
        vax_strlcpy(g->name, name ? name->value : s->name, sizeof g->name);
        vax_strlcpy(g->system, sys ? sys->value : "none", sizeof g->system);
        g->grade = grade ? atoi(grade->value) : 0;
        /* Annex I picture 3: low blood pressure after the vaccine is enough on its own */
        g->anaphylaxis = strcmp(g->system, "circulation") == 0;
    }
    vax_datafile_free(&df);
    return VAX_OK;
}

/* Circular 51/2017/TT-BYT Annex I: the three clinical pictures, from the organ systems seen. */
static int meets_annex_i(int skin, int breathing, int circulation, int gut)
{
    int systems = skin + breathing + circulation + gut;
    return (skin && (breathing || circulation)) || systems >= 2 || circulation;
}

int vax_aefi_assess(const char *signs, int *anaphylaxis, int *grade)
{
    vax_aefi_sign all[64];
    int n, skin = 0, breathing = 0, circulation = 0, gut = 0, least = 0;
    char words[512], *save = NULL;
    *anaphylaxis = 0;
    *grade = 0;
    if (vax_aefi_signs(all, 64, &n) != VAX_OK)
        return VAX_EINTERNAL;
    vax_strlcpy(words, signs ? signs : "", sizeof words);
    for (char *w = strtok_r(words, " ,", &save); w; w = strtok_r(NULL, " ,", &save)) {
        const vax_aefi_sign *g = NULL;
        for (int i = 0; i < n && !g; i++)
            if (strcmp(all[i].code, w) == 0)
                g = &all[i];
        if (!g)
            return VAX_EINVAL;
        skin |= strcmp(g->system, "skin") == 0;
        breathing |= strcmp(g->system, "breathing") == 0;
        circulation |= strcmp(g->system, "circulation") == 0;
        gut |= strcmp(g->system, "gut") == 0;
        if (g->grade > least)
            least = g->grade;
    }
    int systems = skin + breathing + circulation + gut;
    *anaphylaxis = meets_annex_i(skin, breathing, circulation, gut);
    /* Annex II: skin only is grade I; two or more systems grade II; the severe signs set more */
    *grade = systems == 0 ? 0 : systems == 1 && skin ? 1 : 2;
    if (*anaphylaxis && least > *grade)
        *grade = least;
    if (!*anaphylaxis && *grade > 1)
        *grade = 0;
    return VAX_OK;
}

char *vax_aefi_protocol(void)
{
    vax_datafile df;
    const char *lang = strcmp(vax_lang(), "vi") == 0 ? "vi" : "en";
    char *text = NULL;
    size_t len = 0;
    if (parse_signs(&df) == VAX_OK) {
        for (int i = 0; i < df.nsections; i++) {
            if (strcmp(df.sections[i].name, "protocol") != 0)
                continue;
            for (int step = 1; step < 20; step++) {
                char key[16];
                snprintf(key, sizeof key, "%s.%d", lang, step);
                const vax_df_entry *e = vax_datafile_get(&df, &df.sections[i], key);
                if (!e)
                    break;
                size_t add = strlen(e->value) + 8;
                char *t = realloc(text, len + add);
                if (!t)
                    break;
                text = t;
                len += (size_t)snprintf(text + len, add, "%d. %s\n", step, e->value);
            }
        }
    }
    vax_datafile_free(&df);
    return text ? text : strdup("");
}

/* Checks the sign codes; *anaphylaxis if together they meet Circular 51's criteria. */
static int check_signs(vax_db *db, const char *signs, int *anaphylaxis)
{
    char words[512], *save = NULL;
    int grade = 0, count = 0, rc;
    vax_strlcpy(words, signs ? signs : "", sizeof words);
    for (char *w = strtok_r(words, " ,", &save); w; w = strtok_r(NULL, " ,", &save))
        if (vax_aefi_assess(w, anaphylaxis, &grade) == VAX_EINVAL)
            return vax_fail(db, VAX_EINVAL, "signs", _("Signs: \"%s\" is not a known sign."), w);
        else
            count++;
    if (count == 0)
        return vax_fail(db, VAX_EINVAL, "signs", _("Signs: choose at least one sign seen."));
    if ((rc = vax_aefi_assess(signs, anaphylaxis, &grade)) != VAX_OK)
        return vax_fail(db, VAX_EINTERNAL, NULL, _("The list of reaction signs cannot be read."));
    return VAX_OK;
}

/* ---- reading ----------------------------------------------------------------------------- */

int vax_observe_minutes(vax_db *db, int64_t visit_id, int *minutes)
{
    int64_t fallback;
    vax_screening s;
    vax_setting_get_int(db, "observe.minutes", 30, &fallback);
    vax_clear_error(db);
    *minutes = (int)fallback;
    /* the product of the dose given at this visit sets its own period */
    sqlite3_stmt *st = vax_stmt(db, "SELECT max(p.observation_minutes) FROM dose d"
                                    " JOIN product p ON p.code = d.product"
                                    " WHERE d.visit_id = ?1 AND d.voided = 0");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
        sqlite3_column_int(st, 0) > *minutes)
        *minutes = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return vax_fail_sql(db, rc, _("reading the observation period"));
    /* screened "with caution": the screening set a longer period */
    rc = vax_screening_for_visit(db, visit_id, &s);
    if (rc == VAX_OK && s.observation_minutes > *minutes)
        *minutes = s.observation_minutes;
    else if (rc != VAX_OK && rc != VAX_ENOTFOUND)
        return rc;
    vax_clear_error(db);
    return VAX_OK;
}

int vax_observe_has_reaction(vax_db *db, int64_t visit_id, int *has)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*), max(severity = 'serious') FROM reaction"
                                    " WHERE visit_id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    int rc = sqlite3_step(st);
    *has = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading reactions"));
}

static int serious_reaction(vax_db *db, int64_t visit_id, int *serious)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM reaction WHERE visit_id = ?1"
                                    " AND severity = 'serious'");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    int rc = sqlite3_step(st);
    *serious = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading reactions"));
}

int vax_observe_list(vax_db *db, vax_observing *out, int max, int *n)
{
    char today[11];
    int64_t now = vax_now();
    int rc;
    *n = 0;
    vax_local_date(now, today);
    /* only the visits under observation: a busy day has far more tickets than watched people */
    sqlite3_stmt *st = vax_stmt(db, "SELECT id FROM visit WHERE day = ?1 AND state = 'observing'"
                                    " ORDER BY state_since, id");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    int64_t *ids = calloc((size_t)(max > 0 ? max : 1), sizeof *ids);
    int nids = 0;
    if (!ids) {
        sqlite3_reset(st);
        return VAX_ENOMEM;
    }
    while (nids < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        ids[nids++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    rc = VAX_OK;
    for (int i = 0; i < nids && rc == VAX_OK; i++) {
        vax_observing *o = &out[(*n)++];
        vax_person p;
        int minutes;
        memset(o, 0, sizeof *o);
        if ((rc = vax_visit_get(db, ids[i], &o->visit)) != VAX_OK)
            break;
        if (vax_person_get(db, o->visit.person_id, &p) == VAX_OK)
            vax_strlcpy(o->full_name, p.full_name, sizeof o->full_name);
        if ((rc = vax_observe_minutes(db, ids[i], &minutes)) != VAX_OK ||
            (rc = vax_observe_has_reaction(db, ids[i], &o->has_reaction)) != VAX_OK ||
            (rc = serious_reaction(db, ids[i], &o->serious)) != VAX_OK)
            break;
        o->ends_at = o->visit.state_since + (int64_t)minutes * 60;
        o->may_leave = now >= o->ends_at;
    }
    free(ids);
    if (rc != VAX_OK)
        return rc;
    for (int i = 1; i < *n; i++)
        for (int j = i; j > 0 && out[j].ends_at < out[j - 1].ends_at; j--) {
            vax_observing t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return VAX_OK;
}

/* ---- writing ----------------------------------------------------------------------------- */

static int is_action(const char *a)
{
    return a && (!strcmp(a, "observed") || !strcmp(a, "treated") || !strcmp(a, "anaphylaxis") ||
                 !strcmp(a, "transferred"));
}

int vax_observe_record_reaction(vax_db *db, int64_t visit_id, const char *signs, int serious,
                                const char *action, const char *notes, int *stored_serious)
{
    vax_visit v;
    char uuid[37];
    int rc, anaphylaxis;
    int64_t now = vax_now();
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_OBSERVE)) != VAX_OK)
        return rc;
    if ((rc = check_signs(db, signs, &anaphylaxis)) != VAX_OK)
        return rc;
    if (!is_action(action))
        return vax_fail(db, VAX_EINVAL, "action",
                        _("Action: observed, treated, anaphylaxis or transferred."));
    /* signs of anaphylaxis make it serious whatever was chosen; so does a transfer */
    serious =
        serious || anaphylaxis || !strcmp(action, "anaphylaxis") || !strcmp(action, "transferred");
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK)
        goto fail;
    if (v.state != VAX_STATE_OBSERVING) {
        rc = vax_fail(db, VAX_ESTATE, NULL,
                      _("Ticket %03d is \"%s\"; reactions are recorded during observation."),
                      v.ticket, vax_state_label(v.state));
        goto fail;
    }
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO reaction(uuid, visit_id, person_id, seen_at,"
                                    " signs, severity, action, notes, created_at, updated_at,"
                                    " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?4, ?4,"
                                    " ?9)");
    if (!st || vax_uuid(uuid) != VAX_OK) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, v.id);
    sqlite3_bind_int64(st, 3, v.person_id);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_text(st, 5, signs, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, serious ? "serious" : "minor", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, notes ? notes : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("recording a reaction"));
        goto fail;
    }
    int64_t id = sqlite3_last_insert_rowid(db->sql);
    if ((rc = vax_audit(db, "reaction.add", "reaction", id, signs)) != VAX_OK)
        goto fail;
    if (!strcmp(action, "transferred") &&
        (rc = vax_queue_move_locked(db, &v, VAX_STATE_TRANSFERRED, NULL, signs)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (stored_serious)
        *stored_serious = serious;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

int vax_observe_release(vax_db *db, int64_t visit_id, const char *early_reason)
{
    vax_visit v;
    int rc, minutes, has = 0;
    char details[300];
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_OBSERVE)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK)
        goto fail;
    if (v.state != VAX_STATE_OBSERVING) {
        rc = vax_fail(db, VAX_ESTATE, NULL, _("Ticket %03d is \"%s\", not under observation."),
                      v.ticket, vax_state_label(v.state));
        goto fail;
    }
    if ((rc = vax_observe_minutes(db, v.id, &minutes)) != VAX_OK ||
        (rc = vax_observe_has_reaction(db, v.id, &has)) != VAX_OK)
        goto fail;
    int64_t left = v.state_since + (int64_t)minutes * 60 - vax_now();
    if (left > 0 && (!early_reason || !*early_reason)) {
        rc = vax_fail(db, VAX_EINVAL, "reason",
                      _("Ticket %03d has %lld more minute(s) of observation; an early release "
                        "needs a reason."),
                      v.ticket, (long long)((left + 59) / 60));
        goto fail;
    }
    snprintf(details, sizeof details, "%s%s%s", has ? "reaction recorded" : "no reaction",
             left > 0 ? "; early release: " : "", left > 0 ? early_reason : "");
    if ((rc = vax_queue_move_locked(db, &v, VAX_STATE_DONE, NULL, details)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}
