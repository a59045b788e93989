/* fuzz_datafile.c: the data-file parser (core/datafile.c) and its typed getters on any text. */
#include "datafile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const known[] = {"name", "doses", "note.", NULL};
    char *text = fuzz_cstr(data, size);
    vax_datafile df;
    if (!text)
        return 0;
    if (vax_datafile_parse(&df, "fuzz.conf", text) == VAX_OK) {
        for (int i = 0; i < df.nsections; i++) {
            const vax_df_section *s = &df.sections[i];
            const char *v;
            int n;
            if (s->first < 0 || s->first + s->count > df.nentries)
                abort();
            vax_datafile_get(&df, s, "name");
            vax_datafile_require(&df, s, "name", &v);
            vax_datafile_int(&df, s, "doses", 1, 50, 0, &n);
            vax_datafile_int(&df, s, "minutes", -2147483647, 2147483647, 5, &n);
            vax_datafile_unknown_keys(&df, s, known);
        }
    }
    vax_datafile_free(&df);
    free(text);
    return 0;
}
