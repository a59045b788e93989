/* identity.c: one person, one record: the chip ID card's QR text, a person's other ID numbers,
 * the duplicate check at registration, and merging two records of one person.
 *
 * Why a second table of IDs rather than a second column: a person may hold an old 9-digit CMND and
 * a 12-digit CCCD, and a record merged into another brings its own; each must find the person, and
 * none may belong to two people. person.national_id stays the ID the person is shown and printed
 * with; person_id holds the others, and every write checks both places. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the card's QR text ------------------------------------------------------------------ */

#define CARD_FIELDS 7

int vax_idcard_is_scan(const char *text)
{
    return text && strchr(text, '|') != NULL;
}

static int all_digits_n(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* ddmmyyyy -> YYYY-MM-DD through the registry's own birth-date check (real day, not future). */
static int card_date(const char *in, char out[11], const char *field, char *msg, size_t msgsize)
{
    char dmy[16], why[256];
    if (!all_digits_n(in, 8)) {
        snprintf(msg, msgsize, _("Card scan: the %s \"%.20s\" is not 8 digits (ddmmyyyy)."), field,
                 in);
        return VAX_EINVAL;
    }
    snprintf(dmy, sizeof dmy, "%.2s/%.2s/%.4s", in, in + 2, in + 4);
    if (vax_validate_birth_date(dmy, out, why, sizeof why) != VAX_OK) {
        snprintf(msg, msgsize, _("Card scan: the %s %s is not a real date in the past."), field,
                 dmy);
        return VAX_EINVAL;
    }
    return VAX_OK;
}

/* Trims spaces, tabs and a scanner's CR/LF at both ends, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

/* The commune of an address written "..., <commune>, <district>, <province>", as cards print it. */
static void address_commune(const char *address, char *out, size_t size)
{
    const char *part[32];
    size_t len[32];
    int n = 0;
    const char *p = address;
    out[0] = 0;
    while (n < 32) {
        const char *comma = strchr(p, ',');
        part[n] = p;
        len[n] = comma ? (size_t)(comma - p) : strlen(p);
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (n < 3)
        return;
    const char *c = part[n - 3];
    size_t l = len[n - 3];
    while (l && *c == ' ') {
        c++;
        l--;
    }
    while (l && c[l - 1] == ' ')
        l--;
    if (l + 1 > size)
        l = size - 1;
    memcpy(out, c, l);
    out[l] = 0;
}

int vax_idcard_parse(const char *text, vax_idcard *out, char *msg, size_t msgsize)
{
    char *copy, *f[CARD_FIELDS + 8], *p, *nfc;
    int n = 0, rc = VAX_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text || !strchr(text, '|')) {
        snprintf(msg, msgsize, "%s",
                 _("Card scan: this is not the QR code of a chip ID card (no | between fields)."));
        return VAX_EINVAL;
    }
    if (strlen(text) > 1024) {
        snprintf(msg, msgsize, "%s", _("Card scan: longer than any ID card's QR code."));
        return VAX_EINVAL;
    }
    if (!(copy = strdup(text)))
        return VAX_ENOMEM;
    p = trim(copy);
    for (;;) {
        char *bar = strchr(p, '|');
        if (n < (int)(sizeof f / sizeof f[0]))
            f[n] = p;
        n++;
        if (!bar)
            break;
        *bar = 0;
        p = bar + 1;
    }
    /* a scanner set to add a separator after the last field: empty fields at the end are dropped */
    while (n > CARD_FIELDS && n <= (int)(sizeof f / sizeof f[0]) && !*trim(f[n - 1]))
        n--;
    if (n != CARD_FIELDS) {
        snprintf(msg, msgsize,
                 _("Card scan: %d fields; a chip ID card's QR code has 7 (ID|old ID|name|birth "
                   "date|sex|address|issue date)."),
                 n);
        goto out;
    }
    for (int i = 0; i < CARD_FIELDS; i++)
        f[i] = trim(f[i]);
    /* ID: a 12-digit CCCD, or (a card of the old kind) an empty first field and the CMND second,
     * or a 9-digit CMND first */
    if (all_digits_n(f[0], 12)) {
        if (vax_validate_national_id(f[0], out->cccd, msg, msgsize) != VAX_OK)
            goto out;
    } else if (all_digits_n(f[0], 9) && !*f[1]) {
        f[1] = f[0];
    } else if (*f[0]) {
        snprintf(msg, msgsize, _("Card scan: the ID \"%.20s\" is not a 12-digit CCCD."), f[0]);
        goto out;
    }
    if (*f[1]) {
        if (!all_digits_n(f[1], 9) ||
            vax_validate_national_id(f[1], out->cmnd, msg, msgsize) != VAX_OK) {
            snprintf(msg, msgsize, _("Card scan: the old ID \"%.20s\" is not a 9-digit CMND."),
                     f[1]);
            goto out;
        }
    }
    if (!out->cccd[0] && !out->cmnd[0]) {
        snprintf(msg, msgsize, "%s", _("Card scan: the card carries no ID number."));
        goto out;
    }
    if (!*f[2]) {
        snprintf(msg, msgsize, "%s", _("Card scan: the name is missing."));
        goto out;
    }
    if (!(nfc = vax_text_nfc(f[2]))) {
        rc = VAX_ENOMEM;
        goto out;
    }
    vax_strlcpy(out->full_name, nfc, sizeof out->full_name);
    free(nfc);
    if (card_date(f[3], out->birth_date, _("birth date"), msg, msgsize) != VAX_OK)
        goto out;
    char *sex = vax_text_fold(f[4]);
    if (!sex) {
        rc = VAX_ENOMEM;
        goto out;
    }
    out->sex = !strcmp(sex, "nam") ? 'm' : !strcmp(sex, "nu") ? 'f' : 0;
    free(sex);
    if (!out->sex) {
        snprintf(msg, msgsize, _("Card scan: the sex \"%.20s\" is neither Nam nor Nữ."), f[4]);
        goto out;
    }
    if (!(nfc = vax_text_nfc(f[5]))) {
        rc = VAX_ENOMEM;
        goto out;
    }
    vax_strlcpy(out->address, nfc, sizeof out->address);
    free(nfc);
    address_commune(out->address, out->commune, sizeof out->commune);
    if (card_date(f[6], out->issue_date, _("issue date"), msg, msgsize) != VAX_OK)
        goto out;
    if (strcmp(out->issue_date, out->birth_date) < 0) {
        snprintf(msg, msgsize, "%s", _("Card scan: the issue date is before the birth date."));
        goto out;
    }
    rc = VAX_OK;
out:
    free(copy);
    return rc;
}

void vax_idcard_to_person(const vax_idcard *card, vax_person *out)
{
    memset(out, 0, sizeof *out);
    vax_strlcpy(out->national_id, card->cccd[0] ? card->cccd : card->cmnd, sizeof out->national_id);
    vax_strlcpy(out->full_name, card->full_name, sizeof out->full_name);
    vax_strlcpy(out->birth_date, card->birth_date, sizeof out->birth_date);
    out->sex = card->sex;
    vax_strlcpy(out->commune, card->commune, sizeof out->commune);
}

/* ---- other ID numbers -------------------------------------------------------------------- */

static const char *id_kind(const char *id)
{
    return strlen(id) == 12 ? "cccd" : strlen(id) == 9 ? "cmnd" : "site";
}

/* Inside the caller's transaction: the ID must belong to nobody, then it is added to person_id. */
static int link_locked(vax_db *db, int64_t person_id, const char *id, const char *reason)
{
    vax_person other;
    char details[300];
    int rc = vax_person_by_national_id(db, id, &other);
    if (rc == VAX_OK)
        return vax_fail(db, VAX_EEXIST, "national_id",
                        other.id == person_id
                            ? _("ID number: %s already finds this person.")
                            : _("ID number: %s is already registered to someone else."),
                        id);
    if (rc != VAX_ENOTFOUND)
        return rc;
    vax_clear_error(db);
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO person_id(value, person_id, kind, created_at,"
                                    " created_by) VALUES (?1, ?2, ?3, ?4, nullif(?5, 0))");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, person_id);
    sqlite3_bind_text(st, 3, id_kind(id), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, vax_now());
    sqlite3_bind_int64(st, 5, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("linking an ID number"));
    snprintf(details, sizeof details, "%s %.200s", id, reason ? reason : "");
    return vax_audit(db, "person.link", "person", person_id, details);
}

int vax_person_link_id(vax_db *db, int64_t person_id, const char *id, const char *reason)
{
    char norm[13], msg[256];
    vax_person p;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_PERSON_WRITE)) != VAX_OK)
        return rc;
    if (vax_validate_national_id(id, norm, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "national_id", "%s", msg);
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_person_get(db, person_id, &p)) != VAX_OK ||
        (rc = link_locked(db, p.id, norm, reason)) != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    return vax_tx_commit(db);
}

int vax_person_ids(vax_db *db, int64_t person_id, char out[][13], int max, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT value FROM person_id WHERE person_id = ?1 ORDER BY created_at, value");
    int rc;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        vax_strlcpy(out[(*n)++], vax_col_text(st, 0), 13);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VAX_OK
                                                 : vax_fail_sql(db, rc, _("reading the registry"));
}

int vax_person_by_idcard(vax_db *db, const vax_idcard *card, vax_person *out, int *linked)
{
    int rc;
    *linked = 0;
    vax_clear_error(db);
    if (card->cccd[0]) {
        rc = vax_person_by_national_id(db, card->cccd, out);
        if (rc != VAX_ENOTFOUND)
            return rc;
    }
    if (!card->cmnd[0])
        return rc;
    if ((rc = vax_person_by_national_id(db, card->cmnd, out)) != VAX_OK || !card->cccd[0])
        return rc;
    /* registered under the old CMND: the card's CCCD becomes one of the record's IDs */
    if ((rc = vax_require(db, VAX_ACT_PERSON_WRITE)) != VAX_OK)
        return rc;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = link_locked(db, out->id, card->cccd, _("chip ID card scanned"))) != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    if ((rc = vax_tx_commit(db)) == VAX_OK)
        *linked = 1;
    return rc;
}

/* ---- duplicates at registration ---------------------------------------------------------- */

static int seen(const vax_person *out, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (out[i].id == id)
            return 1;
    return 0;
}

/* yyyy-mm-dd: ten characters, digits and the two dashes */
static int iso_shaped(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return 0;
    return s[10] == '\0';
}

int vax_person_duplicates(vax_db *db, const vax_person *p, const char *old_id, vax_person *out,
                          int max, int *n)
{
    char *folded, birth[11], msg[256], norm[13];
    int rc = SQLITE_DONE;
    *n = 0;
    if (max <= 0)
        return VAX_OK;
    if (old_id && *old_id && vax_validate_national_id(old_id, norm, msg, sizeof msg) == VAX_OK) {
        vax_person holder;
        int r = vax_person_by_national_id(db, norm, &holder);
        if (r == VAX_OK)
            out[(*n)++] = holder;
        else if (r != VAX_ENOTFOUND)
            return r;
        vax_clear_error(db);
    }
    /* the name and birth date as registration will store them. A date already written
     * yyyy-mm-dd (a checked row, a stored record) is what validation would give back, valid or
     * not: it is taken as it is, since validating reads the clock and the time zone, which an
     * import of a large list paid for on every new row. */
    if (iso_shaped(p->birth_date))
        vax_strlcpy(birth, p->birth_date, sizeof birth);
    else if (vax_validate_birth_date(p->birth_date, birth, msg, sizeof msg) != VAX_OK)
        vax_strlcpy(birth, p->birth_date, sizeof birth);
    char *nfc = vax_text_nfc(p->full_name);
    if (!nfc)
        return VAX_ENOMEM;
    folded = vax_text_fold(nfc);
    free(nfc);
    if (!folded)
        return VAX_ENOMEM;
    sqlite3_stmt *st = vax_stmt(db, "SELECT id FROM person WHERE name_folded = ?1"
                                    " AND birth_date = ?2 AND merged_into IS NULL AND id <> ?3"
                                    " ORDER BY id LIMIT ?4");
    if (!st) {
        free(folded);
        return VAX_EINTERNAL;
    }
    sqlite3_bind_text(st, 1, folded, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, birth, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, p->id);
    sqlite3_bind_int(st, 4, max);
    int64_t ids[64];
    int nid = 0;
    while (nid < 64 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        ids[nid++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    free(folded);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the registry"));
    for (int i = 0; i < nid && *n < max; i++) {
        if (seen(out, *n, ids[i]))
            continue;
        int r = vax_person_get(db, ids[i], &out[*n]);
        if (r != VAX_OK)
            return r;
        (*n)++;
    }
    return VAX_OK;
}

/* Random rather than counted: two laptops of one site register people without papers offline on
 * the same day, and their records meet later at the district; 45 random bits make a clash between
 * them as unlikely as a mistyped CCCD, and one on this database is seen here and drawn again. */
int vax_person_site_id(vax_db *db, char out[13])
{
    static const char alphabet[] = VAX_SITE_ID_ALPHABET;
    sqlite3_stmt *st = vax_stmt(db, "SELECT EXISTS (SELECT 1 FROM person WHERE national_id = ?1)"
                                    " OR EXISTS (SELECT 1 FROM person_id WHERE value = ?1)");
    if (!st)
        return VAX_EINTERNAL;
    for (int tries = 0; tries < 16; tries++) {
        unsigned char r[9];
        int rc, used;
        sqlite3_randomness(sizeof r, r);
        memcpy(out, VAX_SITE_ID_PREFIX, sizeof VAX_SITE_ID_PREFIX - 1);
        for (size_t i = 0; i < sizeof r; i++)
            out[sizeof VAX_SITE_ID_PREFIX - 1 + i] = alphabet[r[i] & 31];
        out[12] = 0;
        sqlite3_bind_text(st, 1, out, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        used = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return vax_fail_sql(db, rc, _("reading the registry"));
        if (!used)
            return VAX_OK;
    }
    return vax_fail(db, VAX_EINTERNAL, "national_id", "%s",
                    _("ID number: no free identifier could be made for a person without papers."));
}

int vax_person_register(vax_db *db, vax_person *p, const char *old_id, int confirmed)
{
    vax_person cand[8];
    char norm[13] = "", msg[256];
    int n = 0, rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_PERSON_WRITE)) != VAX_OK)
        return rc;
    if (old_id && *old_id && vax_validate_national_id(old_id, norm, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "old_id", "%s", msg);
    /* no ID number: the site makes one (a person without papers) */
    if (!p->national_id[0] && (rc = vax_person_site_id(db, p->national_id)) != VAX_OK)
        return rc;
    if (!confirmed) {
        if ((rc = vax_person_duplicates(db, p, norm, cand, 8, &n)) != VAX_OK)
            return rc;
        if (n > 0) {
            char dob[11];
            vax_date_dmy(cand[0].birth_date, dob);
            return vax_fail(db, VAX_EEXIST, "duplicate",
                            _("Possibly registered already: %s, born %s, ID %s (%d in all). Link "
                              "the new ID to that record if it is the same person."),
                            cand[0].full_name, dob, cand[0].national_id, n);
        }
    }
    if ((rc = vax_person_add(db, p)) != VAX_OK)
        return rc;
    if (norm[0] && strcmp(norm, p->national_id) != 0)
        return vax_person_link_id(db, p->id, norm, _("old ID on the card"));
    return VAX_OK;
}

/* ---- merging ----------------------------------------------------------------------------- */

/* Runs sql with ?1 = a, ?2 = b and, where it names it, ?3 = the actor. */
static int exec_bind2(vax_db *db, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st = vax_stmt(db, sql);
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, vax_actor_id(db));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("merging two records"));
}

/* The merge itself, inside the caller's transaction: a manager's (vax_person_merge) and one that
 * came from another laptop or the district as a person_merge event (sync.c), which is why it
 * checks no permission. origin, when not NULL, says where the event came from, for the audit. */
int vax_person_merge_locked(vax_db *db, int64_t from, int64_t into, const char *reason,
                            const char *origin)
{
    /* the tables whose rows belong to a person and move with the merge; person_history stays
     * with the record it describes */
    static const char *const moves[] = {
        "UPDATE dose SET person_id = ?2 WHERE person_id = ?1",
        "UPDATE visit SET person_id = ?2 WHERE person_id = ?1",
        "UPDATE appointment SET person_id = ?2 WHERE person_id = ?1",
        "UPDATE screening SET person_id = ?2 WHERE person_id = ?1",
        "UPDATE reaction SET person_id = ?2 WHERE person_id = ?1",
        "UPDATE certificate SET person_id = ?2 WHERE person_id = ?1",
        "UPDATE person_id SET person_id = ?2 WHERE person_id = ?1",
        "UPDATE person SET merged_into = ?2 WHERE merged_into = ?1",
    };
    vax_person a, b;
    char details[600];
    int rc, clash = 0;
    if (from == into)
        return vax_fail(db, VAX_EINVAL, "person", "%s",
                        _("Merge: a record cannot be merged into itself."));
    sqlite3_stmt *st = vax_stmt(db, "SELECT merged_into FROM person WHERE id = ?1");
    for (int i = 0; i < 2; i++) {
        int64_t id = i ? into : from;
        if ((rc = vax_person_get(db, id, i ? &b : &a)) != VAX_OK)
            return rc;
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, id);
        int merged = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
        sqlite3_reset(st);
        if (merged)
            return vax_fail(db, VAX_ESTATE, "person", _("Merge: record #%lld was merged already."),
                            (long long)id);
    }
    st = vax_stmt(db,
                  "SELECT min(d.dose_number) FROM dose d JOIN dose e"
                  " ON e.person_id = ?2 AND e.series = d.series AND e.dose_number = d.dose_number"
                  " AND e.voided = 0 WHERE d.person_id = ?1 AND d.voided = 0");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, into);
    if (sqlite3_step(st) == SQLITE_ROW)
        clash = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (clash)
        return vax_fail(db, VAX_EEXIST, "dose",
                        _("Merge: both records have a dose %d; void the one recorded by mistake "
                          "first."),
                        clash);
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if ((rc = exec_bind2(db, moves[i], from, into)) != VAX_OK)
            return rc;
    /* the merged record's own ID finds the surviving one through merged_into */
    if ((rc = vax_person_history_keep(db, from, reason, vax_now())) != VAX_OK ||
        (rc = exec_bind2(db,
                         "UPDATE person SET merged_into = ?2, version = version + 1 WHERE id = ?1",
                         from, into)) != VAX_OK ||
        (rc = exec_bind2(
             db, "UPDATE person SET updated_at = ?2, updated_by = nullif(?3, 0) WHERE id = ?1",
             from, vax_now())) != VAX_OK)
        return rc;
    snprintf(details, sizeof details, "%s -> %s %.300s%s%.200s", a.national_id, b.national_id,
             reason, origin ? " | " : "", origin ? origin : "");
    return vax_audit(db, "person.merge", "person", into, details);
}

int vax_person_merge(vax_db *db, int64_t from, int64_t into, const char *reason)
{
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_OVERRIDE)) != VAX_OK)
        return rc;
    if (!reason || !*reason)
        return vax_fail(db, VAX_EINVAL, "reason", "%s",
                        _("Reason: say why the two records are one person."));
    if (from == into)
        return vax_fail(db, VAX_EINVAL, "person", "%s",
                        _("Merge: a record cannot be merged into itself."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    /* the event that makes the same merge at the district and on the other laptops, in the
     * merge's own transaction: both happen or neither */
    if ((rc = vax_person_merge_locked(db, from, into, reason, NULL)) != VAX_OK ||
        (rc = vax_sync_person_merge_emit(db, from, into, reason)) != VAX_OK) {
        vax_tx_rollback(db);
        return rc;
    }
    return vax_tx_commit(db);
}
