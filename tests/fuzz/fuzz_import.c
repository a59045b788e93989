/* fuzz_import.c: the CSV importer of pre-registration lists (vax_import_csv, exchange.c) on any
 * bytes, as a dry run and as a valid-rows-only import, on a small database. */
#include "fuzz.h"

#include <stdio.h>

static vax_db *db;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char path[] = "/tmp/vaxsite-fuzz-import.XXXXXX";
    char file[64];
    (void)argc;
    (void)argv;
    if (!mkdtemp(path))
        abort();
    snprintf(file, sizeof file, "%s/site.db", path);
    if (vax_open(file, VAX_OPEN_CREATE, &db) != VAX_OK || vax_staff_act_as_os_user(db, "fuzz"))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vax_import_result r;
    /* the first byte picks the options; the rest is the file, NULs and all */
    vax_import_opts o = {1, 0, 0};
    if (size > 0) {
        o.valid_only = data[0] & 1;
        o.merge = (data[0] >> 1) & 1;
        data++;
        size--;
    }
    memset(&r, 0, sizeof r);
    int rc = vax_import_csv(db, "fuzz.csv", (const char *)data, size, &o, &r);
    if (rc == VAX_OK && (r.valid + r.errors > r.rows || r.written))
        abort(); /* a dry run writes nothing; every row is valid or refused */
    vax_import_result_free(&r);
    return 0;
}
