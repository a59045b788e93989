/* testutil.c: temporary databases for the unit tests. */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

test_db *tdb_open(void)
{
    test_db *t = calloc(1, sizeof *t);
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/vaxtest.XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/site.db", t->dir);
    vax_clock_set(T0);
    vax_set_lang("en");
    assert_int_equal(vax_open(t->path, VAX_OPEN_CREATE, &t->db), VAX_OK);
    assert_int_equal(vax_staff_act_as_os_user(t->db, "tester"), VAX_OK);
    assert_int_equal(vax_setting_set(t->db, "staff.pin_iterations", "1000"), VAX_OK);
    return t;
}

void tdb_close(test_db *t)
{
    char p[400];
    if (!t)
        return;
    vax_close(t->db);
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
        unlink(p);
    }
    rmdir(t->dir);
    free(t);
}

void tdb_cccd(char out[13], int year, char sex, int serial)
{
    int code = (year >= 2000 ? 2 : 0) + (sex == 'f' ? 1 : 0);
    snprintf(out, 13, "001%u%02u%06u", (unsigned)code % 10, (unsigned)year % 100,
             (unsigned)serial % 1000000u);
}

int64_t tdb_person(test_db *t, const char *name, const char *id, const char *birth,
                   const char *group)
{
    vax_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.full_name, sizeof p.full_name, "%s", name);
    snprintf(p.national_id, sizeof p.national_id, "%s", id);
    snprintf(p.birth_date, sizeof p.birth_date, "%s", birth);
    if (group)
        snprintf(p.priority_group, sizeof p.priority_group, "%s", group);
    int rc = vax_person_add(t->db, &p);
    if (rc != VAX_OK)
        fail_msg("person_add(%s): %s", name, vax_errmsg(t->db));
    return p.id;
}

int tdb_to_text(const char *data, size_t n, void *ctx)
{
    tdb_text *x = ctx;
    char *p = realloc(x->s, x->n + n + 1);
    if (!p)
        return 1;
    memcpy(p + x->n, data, n);
    x->s = p;
    x->n += n;
    x->s[x->n] = 0;
    return 0;
}

/* A vial of a new AZ lot, opened at the injection room. */
static int64_t vial(test_db *t)
{
    static int lots = 0;
    char lot[16];
    int64_t lot_id, vial_id;
    snprintf(lot, sizeof lot, "L%d", ++lots);
    vax_lot_in in = {"AZ", lot, "2022-12-31", 5, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    if (vax_stock_receive(t->db, &in, &lot_id) != VAX_OK)
        fail_msg("receive: %s", vax_errmsg(t->db));
    if (vax_stock_open_vial(t->db, lot_id, "injection", &vial_id) != VAX_OK)
        fail_msg("open: %s", vax_errmsg(t->db));
    return vial_id;
}

/* Checks the person in, walks the visit to injection, gives the next dose, ends the visit. */
void tdb_dose(test_db *t, int64_t person_id)
{
    vax_visit v;
    vax_dose d;
    if (vax_queue_checkin(t->db, person_id, &v) != VAX_OK)
        fail_msg("checkin: %s", vax_errmsg(t->db));
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION};
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
    vax_dose_in in = {v.id, vial(t), VAX_ARM_LEFT, 0, NULL, NULL, 0};
    if (vax_dose_give(t->db, &in, &d) != VAX_OK)
        fail_msg("dose: %s", vax_errmsg(t->db));
    assert_int_equal(vax_queue_move(t->db, v.id, VAX_STATE_DONE, NULL), VAX_OK);
}

void tdb_exec_at(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    if (sqlite3_exec(s, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    sqlite3_close(s);
}
