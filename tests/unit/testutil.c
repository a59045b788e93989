/* testutil.c: temporary databases for the unit tests. */
#include "testutil.h"

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
