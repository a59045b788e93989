/* testutil.h: a fresh temporary database per test, with the clock set by the test. */
#ifndef VAX_TESTUTIL_H
#define VAX_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vax.h"

/* 2021-10-15 09:00 local time (UTC+7): a weekday of the Lai Chau campaign. */
#define T0 ((int64_t)1634263200)

typedef struct test_db {
    vax_db *db;
    char dir[256];
    char path[300];
} test_db;

/* Makes a temporary directory and opens a new database in it as the OS user "tester", with the
 * clock frozen at T0 and a cheap PIN hash cost (the default cost is tested on its own). */
test_db *tdb_open(void);
void tdb_close(test_db *t);
/* Adds a person quickly; returns the id. birth is YYYY-MM-DD. */
int64_t tdb_person(test_db *t, const char *name, const char *id, const char *birth,
                   const char *group);
/* A valid 12-digit CCCD for a birth year and sex, unique by serial. */
void tdb_cccd(char out[13], int year, char sex, int serial);
/* Checks the person in, walks the visit to injection, gives the next dose (AZ, a vial of a new
 * lot), ends the visit. */
void tdb_dose(test_db *t, int64_t person_id);
/* Runs SQL on the database file at path through a connection of its own, as another program
 * would (waiting up to 5 s for a lock); a failure fails the test, naming the SQL. */
void tdb_exec_at(const char *path, const char *sql);

/* A vax_sink that gathers everything written into one NUL-terminated string (free s). */
typedef struct tdb_text {
    char *s;
    size_t n;
} tdb_text;
int tdb_to_text(const char *data, size_t n, void *ctx);

#endif
