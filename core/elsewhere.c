/* elsewhere.c: doses given at another site (another commune or province, abroad): recorded from
 * what the person or their paper says, so that dose numbers, intervals, mixing and due lists count
 * them. A dose from elsewhere has no visit, vial or lot id; it keeps where it was given and how it
 * was learnt (dose.place, dose.source). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int blank(const char *s)
{
    if (!s)
        return 1;
    while (*s == ' ')
        s++;
    return *s == 0;
}

int vax_dose_record_elsewhere(vax_db *db, const vax_dose_elsewhere *in, int64_t *dose_id)
{
    vax_product p, pp;
    vax_person person;
    char day[11], msg[256], uuid[37], details[400];
    int64_t given_at;
    int number, computed = 0, rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_CALL_INJECT)) != VAX_OK)
        return rc;
    if (blank(in->place) || strlen(in->place) > 200)
        return vax_fail(db, VAX_EINVAL, "place", "%s",
                        _("Place: say where the dose was given (site, commune or province; at "
                          "most 200 characters)."));
    if (in->lot_no && strlen(in->lot_no) > VAX_LOT_NO_MAX)
        return vax_fail(db, VAX_EINVAL, "lot", _("Lot: at most %d characters."), VAX_LOT_NO_MAX);
    if (in->dose_number < 0 || in->dose_number > 10)
        return vax_fail(db, VAX_EINVAL, "dose_number", _("Dose number: %d is not possible."),
                        in->dose_number);
    /* the date as a birth date is checked: a real day, not in the future */
    if (vax_validate_birth_date(in->date, day, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "date",
                        _("Date: \"%.20s\" is not a past day (dd/mm/yyyy)."),
                        in->date ? in->date : "");
    if (strcmp(day, "2020-12-01") < 0)
        return vax_fail(db, VAX_EINVAL, "date", "%s",
                        _("Date: no COVID-19 vaccine was given before December 2020."));
    if ((rc = vax_product_get(db, in->product ? in->product : "", &p)) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "product",
                        _("Product: %.20s is not in the catalogue (vaxsite product list)."),
                        in->product ? in->product : "");
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    if ((rc = vax_person_get(db, in->person_id, &person)) != VAX_OK ||
        (rc = vax_dose_next_number(db, in->person_id, &computed)) != VAX_OK)
        goto fail;
    number = in->dose_number ? in->dose_number : computed;
    /* the dose that this one follows (by number) must allow the product: mixing as the catalogue
     * says */
    sqlite3_stmt *st = vax_stmt(db, "SELECT product, dose_number FROM dose WHERE person_id = ?1"
                                    " AND series = ?2 AND voided = 0 AND dose_number <> ?3"
                                    " ORDER BY abs(dose_number - ?3), dose_number LIMIT 1");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, in->person_id);
    sqlite3_bind_text(st, 2, VAX_SERIES_PRIMARY, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, number);
    char prev[16] = "";
    int prev_n = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        vax_strlcpy(prev, vax_col_text(st, 0), sizeof prev);
        prev_n = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    if (prev[0] && prev_n < number && vax_product_get(db, prev, &pp) == VAX_OK) {
        vax_product_rules_on(&pp, day, NULL, 0);
        if (!vax_product_may_follow(&pp, p.code)) {
            rc = vax_fail(db, VAX_EINVAL, "product",
                          _("Product: dose %d of %s cannot follow %s (dose %d); allowed: %s."),
                          number, p.code, pp.code, prev_n, pp.next);
            goto fail;
        }
    }
    vax_clear_error(db);
    /* noon local time of that day: the day is what is known, and noon keeps it in every zone of
     * the country's reports */
    {
        char noon[32];
        snprintf(noon, sizeof noon, "%sT12:00", day);
        if (vax_parse_time(noon, &given_at) != VAX_OK) {
            rc = vax_fail(db, VAX_EINTERNAL, "date", "%s", _("Dose: a date could not be read."));
            goto fail;
        }
    }
    if ((rc = vax_uuid(uuid)) != VAX_OK)
        goto fail;
    st = vax_stmt(db, "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no,"
                      " series, place, source, uvci, verified, created_at, updated_at, updated_by)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12,"
                      " nullif(?13, 0))");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, in->person_id);
    sqlite3_bind_text(st, 3, p.code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, number);
    sqlite3_bind_int64(st, 5, given_at);
    sqlite3_bind_text(st, 6, in->lot_no ? in->lot_no : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, VAX_SERIES_PRIMARY, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, in->place, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, in->uvci && *in->uvci ? "hc1" : "manual", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, in->uvci ? in->uvci : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, in->verified ? in->verified : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, vax_now());
    sqlite3_bind_int64(st, 13, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT) {
        rc = vax_fail(db, VAX_EEXIST, "dose_number",
                      _("Dose %d: this person already has a dose %d."), number, number);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("recording a dose"));
        goto fail;
    }
    int64_t id = sqlite3_last_insert_rowid(db->sql);
    snprintf(details, sizeof details, "dose %d %s %s at %.200s %s", number, p.code, day, in->place,
             in->uvci ? in->uvci : "");
    if ((rc = vax_audit(db, "dose.elsewhere", "dose", id, details)) != VAX_OK)
        goto fail;
    if (dose_id)
        *dose_id = id;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}
