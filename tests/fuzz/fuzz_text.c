/* fuzz_text.c: UTF-8 handling on any bytes: NFC, Vietnamese folding, widths, ICAO names, and the
 * registry search on a small database. */
#include "fuzz.h"

#include <stdio.h>
#include <unistd.h>

static vax_db *db;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const names[] = {"Nguyễn Văn Hùng", "Trần Thị Hoa", "Lò Văn Đức",
                                        "Phạm Minh Tú", "Đặng Thị Lan"};
    static char path[] = "/tmp/vaxsite-fuzz-text.XXXXXX";
    char file[64];
    (void)argc;
    (void)argv;
    if (!mkdtemp(path))
        abort();
    snprintf(file, sizeof file, "%s/site.db", path);
    if (vax_open(file, VAX_OPEN_CREATE, &db) != VAX_OK || vax_staff_act_as_os_user(db, "fuzz"))
        abort();
    for (int i = 0; i < 5; i++) {
        vax_person p;
        memset(&p, 0, sizeof p);
        snprintf(p.national_id, sizeof p.national_id, "0010850000%02d", i + 1);
        snprintf(p.full_name, sizeof p.full_name, "%s", names[i]);
        snprintf(p.birth_date, sizeof p.birth_date, "1985-03-0%d", i + 1);
        p.sex = 'm';
        p.phone[0] = 0;
        if (vax_person_add(db, &p) != VAX_OK)
            abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size), icao[81];
    if (!s)
        return 0;
    char *nfc = vax_text_nfc(s), *fold = vax_text_fold(s);
    if (nfc) {
        /* NFC output is valid UTF-8 and stable */
        char *again = vax_text_nfc(nfc);
        if (again && strcmp(again, nfc) != 0)
            abort();
        free(again);
    }
    if (fold) {
        char *again = vax_text_fold(fold);
        if (again && strcmp(again, fold) != 0)
            abort();
        free(again);
    }
    if (vax_text_width(s) < 0)
        abort();
    vax_icao_name(s, icao, sizeof icao);
    if (strlen(icao) > 80)
        abort();
    if (size < 200) {
        vax_person out[8];
        int n = 0;
        vax_person_search(db, s, out, 8, &n);
        if (n < 0 || n > 8)
            abort();
    }
    free(nfc);
    free(fold);
    free(s);
    return 0;
}
