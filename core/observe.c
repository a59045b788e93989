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

void vax_aefi_sign_names(const char *codes, const char *sep, char *out, size_t size)
{
    vax_aefi_sign all[64];
    const char *seen[64];
    int n = 0, nseen = 0;
    char words[512], *save = NULL;
    size_t len = 0;
    out[0] = 0;
    if (vax_aefi_signs(all, 64, &n) != VAX_OK)
        n = 0;
    vax_strlcpy(words, codes ? codes : "", sizeof words);
    for (char *w = strtok_r(words, " ,", &save); w; w = strtok_r(NULL, " ,", &save)) {
        int again = 0;
        for (int i = 0; i < nseen && !again; i++)
            again = !strcmp(seen[i], w);
        if (again)
            continue;
        if (nseen < 64)
            seen[nseen++] = w;
        const char *name = w;
        for (int i = 0; i < n; i++)
            if (!strcmp(all[i].code, w))
                name = all[i].name;
        int k = snprintf(out + len, size - len, "%s%s", len ? sep : "", name);
        if (k < 0 || (size_t)k >= size - len)
            break;
        len += (size_t)k;
    }
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
    vax_buf text;
    vax_buf_init(&text);
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
                vax_buf_printf(&text, "%d. %s\n", step, e->value);
            }
        }
    }
    vax_datafile_free(&df);
    char *s = vax_buf_take(&text, NULL);
    return s ? s : strdup("");
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
    int64_t fallback = vax_setting_int(db, "observe.minutes");
    vax_screening s;
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

/* The reactions of one visit in one row: serious if any, what is still to record, the signs. */
#define LIST_SQL                                                                                   \
    "SELECT v.id, coalesce(p.full_name, ''),"                                                      \
    " (SELECT count(*) FROM reaction r WHERE r.visit_id = v.id),"                                  \
    " (SELECT count(*) FROM reaction r WHERE r.visit_id = v.id AND r.severity = 'serious'),"       \
    " (SELECT max(r.id) FROM reaction r WHERE r.visit_id = v.id AND r.pending <> ''),"             \
    " (SELECT group_concat(trim(r.signs), ' ') FROM reaction r WHERE r.visit_id = v.id)"           \
    " FROM visit v LEFT JOIN person p ON p.id = v.person_id"                                       \
    " WHERE v.day = ?1 AND v.state = 'observing' ORDER BY v.state_since, v.id"

/* Grows the list by one row (doubling); NULL if out of memory. */
static vax_observing *list_push(vax_observing **list, int *n, int *cap)
{
    if (*n == *cap) {
        int want = *cap ? *cap * 2 : 64;
        vax_observing *grown = realloc(*list, (size_t)want * sizeof **list);
        if (!grown)
            return NULL;
        *list = grown;
        *cap = want;
    }
    vax_observing *o = &(*list)[(*n)++];
    memset(o, 0, sizeof *o);
    return o;
}

/* Whoever a doctor must see comes first, then the soonest to leave. */
static int list_order(const void *a, const void *b)
{
    const vax_observing *x = a, *y = b;
    if (x->serious != y->serious)
        return y->serious - x->serious;
    if (x->ends_at != y->ends_at)
        return x->ends_at < y->ends_at ? -1 : 1;
    return x->visit.id < y->visit.id ? -1 : x->visit.id > y->visit.id;
}

/* Fills the times and visit of each row read; stops at the first error. */
static int list_finish(vax_db *db, vax_observing *list, int n, int64_t now)
{
    for (int i = 0; i < n; i++) {
        vax_observing *o = &list[i];
        int minutes, rc;
        if ((rc = vax_visit_get(db, o->visit.id, &o->visit)) != VAX_OK ||
            (rc = vax_observe_minutes(db, o->visit.id, &minutes)) != VAX_OK)
            return rc;
        o->ends_at = o->visit.state_since + (int64_t)minutes * 60;
        /* a serious or unfinished reaction is never "may leave": a bare key must not release it */
        o->may_leave = now >= o->ends_at && !o->serious && !o->pending_reaction;
    }
    return VAX_OK;
}

int vax_observe_list(vax_db *db, vax_observing **out, int *n)
{
    char today[11];
    int64_t now = vax_now();
    vax_observing *list = NULL;
    int count = 0, cap = 0, rc;
    *out = NULL;
    *n = 0;
    vax_local_date(now, today);
    sqlite3_stmt *st = vax_stmt(db, LIST_SQL);
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_observing *o = list_push(&list, &count, &cap);
        if (!o) {
            rc = SQLITE_NOMEM;
            break;
        }
        o->visit.id = sqlite3_column_int64(st, 0);
        vax_strlcpy(o->full_name, vax_col_text(st, 1), sizeof o->full_name);
        o->has_reaction = sqlite3_column_int(st, 2) > 0;
        o->serious = sqlite3_column_int(st, 3) > 0;
        o->pending_reaction = sqlite3_column_int64(st, 4);
        vax_strlcpy(o->signs, vax_col_text(st, 5), sizeof o->signs);
    }
    sqlite3_reset(st);
    /* a read error part-way is an error: a short list would hide people still being watched */
    if (rc != SQLITE_DONE) {
        rc = rc == SQLITE_NOMEM ? vax_fail(db, VAX_ENOMEM, NULL, _("Out of memory while %s."),
                                           _("reading the observation list"))
                                : vax_fail_sql(db, rc, _("reading the observation list"));
        goto fail;
    }
    if ((rc = list_finish(db, list, count, now)) != VAX_OK)
        goto fail;
    if (count > 1)
        qsort(list, (size_t)count, sizeof *list, list_order);
    *out = list;
    *n = count;
    return VAX_OK;
fail:
    free(list);
    return rc;
}

/* ---- writing ----------------------------------------------------------------------------- */

static int is_action(const char *a)
{
    return a && (!strcmp(a, "observed") || !strcmp(a, "treated") || !strcmp(a, "anaphylaxis") ||
                 !strcmp(a, "transferred"));
}

/* The visit, which must be under observation (in the open transaction). */
static int observing_locked(vax_db *db, int64_t visit_id, vax_visit *v)
{
    int rc = vax_visit_get(db, visit_id, v);
    if (rc != VAX_OK)
        return rc;
    if (v->state != VAX_STATE_OBSERVING)
        return vax_fail(db, VAX_ESTATE, NULL,
                        _("Ticket %03d is \"%s\"; reactions are recorded during observation."),
                        v->ticket, vax_state_label(v->state));
    return VAX_OK;
}

/* What is still to record, in words stored in reaction.pending ("action severity"). */
static void pending_words(int missing, char out[32])
{
    snprintf(out, 32, "%s%s%s", missing & VAX_REACTION_NEEDS_ACTION ? "action" : "",
             missing == (VAX_REACTION_NEEDS_ACTION | VAX_REACTION_NEEDS_SEVERITY) ? " " : "",
             missing & VAX_REACTION_NEEDS_SEVERITY ? "severity" : "");
}

static int pending_bits(const char *words)
{
    return (strstr(words, "action") ? VAX_REACTION_NEEDS_ACTION : 0) |
           (strstr(words, "severity") ? VAX_REACTION_NEEDS_SEVERITY : 0);
}

/* Inserts a reaction row; missing says which of action and severity are provisional. */
static int insert_reaction(vax_db *db, const vax_visit *v, const char *signs, int serious,
                           const char *action, int missing, const char *notes, int64_t *id)
{
    char uuid[37], pending[32];
    int64_t now = vax_now();
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO reaction(uuid, visit_id, person_id, seen_at,"
                                    " signs, severity, action, notes, pending, created_at,"
                                    " updated_at, updated_by)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?4, ?4, ?10)");
    if (!st || vax_uuid(uuid) != VAX_OK)
        return VAX_EINTERNAL;
    pending_words(missing, pending);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, v->id);
    sqlite3_bind_int64(st, 3, v->person_id);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_text(st, 5, signs, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, serious ? "serious" : "minor", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, notes ? notes : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, pending, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, vax_actor_id(db));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("recording a reaction"));
    *id = sqlite3_last_insert_rowid(db->sql);
    return vax_audit(db, "reaction.add", "reaction", *id, signs);
}

int vax_observe_record_reaction(vax_db *db, int64_t visit_id, const char *signs, int serious,
                                const char *action, const char *notes, int *stored_serious)
{
    vax_visit v;
    int rc, anaphylaxis;
    int64_t id;
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
    if ((rc = observing_locked(db, visit_id, &v)) != VAX_OK ||
        (rc = insert_reaction(db, &v, signs, serious, action, 0, notes, &id)) != VAX_OK)
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

int vax_observe_reaction_signs(vax_db *db, int64_t visit_id, const char *signs, vax_reaction *out)
{
    vax_visit v;
    int rc, anaphylaxis;
    int64_t id;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_OBSERVE)) != VAX_OK)
        return rc;
    if ((rc = check_signs(db, signs, &anaphylaxis)) != VAX_OK)
        return rc;
    /* a sign of anaphylaxis settles the severity now; the action is still to record */
    int missing = VAX_REACTION_NEEDS_ACTION | (anaphylaxis ? 0 : VAX_REACTION_NEEDS_SEVERITY);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = observing_locked(db, visit_id, &v)) != VAX_OK ||
        (rc = insert_reaction(db, &v, signs, anaphylaxis, "observed", missing, NULL, &id)) !=
            VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    return out ? vax_observe_reaction_get(db, id, out) : VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

/* The dose a reaction followed: its visit's (a reaction of this site), else, for one recorded
 * elsewhere, the person's last dose given before it was seen. */
int vax_person_reactions(vax_db *db, int64_t person_id, vax_person_reaction *out, int max, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT x.id, x.seen_at, x.severity = 'serious', x.action, x.signs,"
                     " coalesce(d.dose_number, 0), coalesce(d.product, ''), x.site, x.pending"
                     " FROM reaction x LEFT JOIN dose d ON d.id = coalesce("
                     "  (SELECT max(id) FROM dose WHERE visit_id = x.visit_id AND voided = 0),"
                     "  (SELECT id FROM dose WHERE person_id = x.person_id AND voided = 0"
                     "   AND given_at <= x.seen_at AND x.visit_id IS NULL"
                     "   ORDER BY given_at DESC, id DESC LIMIT 1))"
                     " WHERE x.person_id = ?1"
                     "  OR x.person_id IN (SELECT id FROM person WHERE merged_into = ?1)"
                     " ORDER BY x.seen_at DESC, x.id DESC");
    int rc;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        vax_person_reaction *r = &out[(*n)++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->seen_at = sqlite3_column_int64(st, 1);
        r->serious = sqlite3_column_int(st, 2);
        vax_strlcpy(r->action, vax_col_text(st, 3), sizeof r->action);
        vax_strlcpy(r->signs, vax_col_text(st, 4), sizeof r->signs);
        r->dose_number = sqlite3_column_int(st, 5);
        vax_strlcpy(r->product, vax_col_text(st, 6), sizeof r->product);
        vax_strlcpy(r->site, vax_col_text(st, 7), sizeof r->site);
        r->missing = pending_bits(vax_col_text(st, 8));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading reactions"));
}

int vax_observe_reaction_get(vax_db *db, int64_t reaction_id, vax_reaction *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, visit_id, signs, severity = 'serious', action,"
                                    " pending, outcome FROM reaction WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, reaction_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(st, 0);
        out->visit_id = sqlite3_column_int64(st, 1);
        vax_strlcpy(out->signs, vax_col_text(st, 2), sizeof out->signs);
        out->serious = sqlite3_column_int(st, 3);
        vax_strlcpy(out->action, vax_col_text(st, 4), sizeof out->action);
        out->missing = pending_bits(vax_col_text(st, 5));
        vax_strlcpy(out->outcome, vax_col_text(st, 6), sizeof out->outcome);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    return rc == SQLITE_DONE ? vax_fail(db, VAX_ENOTFOUND, NULL, _("No such reaction."))
                             : vax_fail_sql(db, rc, _("reading reactions"));
}

/* Writes a kept reaction's action, severity and what is still missing. */
static int update_reaction(vax_db *db, const vax_reaction *r)
{
    char pending[32];
    sqlite3_stmt *st = vax_stmt(db, "UPDATE reaction SET action = ?2, severity = ?3, pending = ?4,"
                                    " updated_at = ?5, updated_by = ?6 WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    pending_words(r->missing, pending);
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_text(st, 2, r->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->serious ? "serious" : "minor", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, pending, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, vax_now());
    sqlite3_bind_int64(st, 6, vax_actor_id(db));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("recording a reaction"));
    return vax_audit(db, "reaction.complete", "reaction", r->id, pending);
}

int vax_observe_reaction_complete(vax_db *db, int64_t reaction_id, const char *action, int serious,
                                  vax_reaction *out)
{
    vax_reaction r;
    vax_visit v;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_OBSERVE)) != VAX_OK)
        return rc;
    if (action && !is_action(action))
        return vax_fail(db, VAX_EINVAL, "action",
                        _("Action: observed, treated, anaphylaxis or transferred."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_observe_reaction_get(db, reaction_id, &r)) != VAX_OK ||
        (rc = observing_locked(db, r.visit_id, &v)) != VAX_OK)
        goto fail;
    if (action) {
        vax_strlcpy(r.action, action, sizeof r.action);
        r.missing &= ~VAX_REACTION_NEEDS_ACTION;
    }
    if (serious >= 0 && (r.missing & VAX_REACTION_NEEDS_SEVERITY)) {
        r.serious = serious;
        r.missing &= ~VAX_REACTION_NEEDS_SEVERITY;
    }
    /* anaphylaxis treated or a transfer is serious whatever was chosen */
    if (action && (!strcmp(action, "anaphylaxis") || !strcmp(action, "transferred"))) {
        r.serious = 1;
        r.missing &= ~VAX_REACTION_NEEDS_SEVERITY;
    }
    if ((rc = update_reaction(db, &r)) != VAX_OK)
        goto fail;
    if (action && !strcmp(action, "transferred") &&
        (rc = vax_queue_move_locked(db, &v, VAX_STATE_TRANSFERRED, NULL, r.signs)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (out)
        *out = r;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}

/* Counts the visit's reactions that are serious and those still to complete. */
static int reaction_counts(vax_db *db, int64_t visit_id, int *serious, int *pending)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FILTER (WHERE severity = 'serious'),"
                                    " count(*) FILTER (WHERE pending <> '') FROM reaction"
                                    " WHERE visit_id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    int rc = sqlite3_step(st);
    *serious = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    *pending = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading reactions"));
}

int vax_observe_release(vax_db *db, int64_t visit_id, const char *early_reason)
{
    vax_visit v;
    int rc, minutes, has = 0, serious = 0, pending = 0;
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
        (rc = vax_observe_has_reaction(db, v.id, &has)) != VAX_OK ||
        (rc = reaction_counts(db, v.id, &serious, &pending)) != VAX_OK)
        goto fail;
    if (serious) {
        rc = vax_fail(db, VAX_EPERM, NULL,
                      _("Ticket %03d had a serious reaction: a doctor confirms the release and "
                        "records the outcome."),
                      v.ticket);
        goto fail;
    }
    if (pending) {
        rc = vax_fail(db, VAX_ESTATE, NULL,
                      _("Ticket %03d: the reaction is not complete; record the action taken and "
                        "the severity first."),
                      v.ticket);
        goto fail;
    }
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

/* The doctor who confirms: the signed-in member if a doctor, else the login and PIN given,
 * checked by sign-in (its lockout and audit apply) without changing who the actor is. */
static int confirming_doctor(vax_db *db, const char *login, const char *pin, vax_staff *doctor)
{
    int rc;
    if (!login || !*login) {
        if (!db->has_actor || db->actor.role != VAX_ROLE_DOCTOR)
            return vax_fail(db, VAX_EPERM, "login",
                            _("A doctor confirms this release: enter a doctor's login and PIN."));
        *doctor = db->actor;
        return VAX_OK;
    }
    /* checked as a sign-in (lockout, audit); the nurse at the station stays the actor */
    if ((rc = vax_staff_confirm(db, login, pin, VAX_ACT_OBSERVE, doctor)) != VAX_OK)
        return rc;
    if (doctor->role != VAX_ROLE_DOCTOR)
        return vax_fail(db, VAX_EPERM, "login",
                        _("%s is not a doctor: a doctor confirms this release."), doctor->name);
    return VAX_OK;
}

static int is_outcome(const char *o)
{
    return o && (!strcmp(o, "recovered") || !strcmp(o, "transferred") || !strcmp(o, "other"));
}

/* Writes the outcome, the note and the doctor on the visit's serious reactions. */
static int record_outcome(vax_db *db, int64_t visit_id, const char *outcome, const char *note,
                          int64_t doctor_id)
{
    sqlite3_stmt *st = vax_stmt(db, "UPDATE reaction SET outcome = ?2, outcome_note = ?3,"
                                    " confirmed_by = ?4, updated_at = ?5, updated_by = ?6"
                                    " WHERE visit_id = ?1 AND severity = 'serious'");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, visit_id);
    sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, doctor_id);
    sqlite3_bind_int64(st, 5, vax_now());
    sqlite3_bind_int64(st, 6, vax_actor_id(db));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("recording the outcome"));
}

int vax_observe_release_serious(vax_db *db, int64_t visit_id, const char *outcome, const char *note,
                                const char *doctor_login, const char *doctor_pin, vax_staff *doctor)
{
    vax_visit v;
    vax_staff doc;
    int rc, serious = 0, pending = 0;
    char details[600];
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_OBSERVE)) != VAX_OK)
        return rc;
    if (!is_outcome(outcome))
        return vax_fail(db, VAX_EINVAL, "outcome",
                        _("Outcome: recovered, transferred to hospital or other."));
    if (!note || !*note)
        return vax_fail(db, VAX_EINVAL, "note", _("Note: write what happened and was decided."));
    if ((rc = confirming_doctor(db, doctor_login, doctor_pin, &doc)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_visit_get(db, visit_id, &v)) != VAX_OK ||
        (rc = reaction_counts(db, visit_id, &serious, &pending)) != VAX_OK)
        goto fail;
    if (v.state != VAX_STATE_OBSERVING) {
        rc = vax_fail(db, VAX_ESTATE, NULL, _("Ticket %03d is \"%s\", not under observation."),
                      v.ticket, vax_state_label(v.state));
        goto fail;
    }
    if (!serious) {
        rc =
            vax_fail(db, VAX_ESTATE, NULL,
                     _("Ticket %03d has no serious reaction: release it the usual way."), v.ticket);
        goto fail;
    }
    snprintf(details, sizeof details, "serious reaction; outcome: %s; confirmed by: %s; note: %s",
             outcome, doc.login, note);
    if ((rc = record_outcome(db, visit_id, outcome, note, doc.id)) != VAX_OK ||
        (rc = vax_audit(db, "reaction.outcome", "visit", visit_id, details)) != VAX_OK ||
        (rc = vax_queue_move_locked(
             db, &v, strcmp(outcome, "transferred") ? VAX_STATE_DONE : VAX_STATE_TRANSFERRED, NULL,
             details)) != VAX_OK)
        goto fail;
    if ((rc = vax_tx_commit(db)) != VAX_OK)
        return rc;
    if (doctor)
        *doctor = doc;
    return VAX_OK;
fail:
    vax_tx_rollback(db);
    return rc;
}
