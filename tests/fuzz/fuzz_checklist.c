/* fuzz_checklist.c: the screening checklist loader (vax_checklist_check) on any text. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size), err[600];
    vax_checklist *cl = malloc(sizeof *cl);
    if (text && cl && vax_checklist_check("fuzz.conf", text, cl, err, sizeof err) == VAX_OK) {
        /* what a loaded checklist promises its users */
        if (cl->nitems < 0 || cl->nitems > VAX_CHECKLIST_MAX_ITEMS || cl->nvitals < 0 ||
            cl->nvitals > VAX_CHECKLIST_MAX_VITALS)
            abort();
        for (int i = 0; i < cl->nvitals; i++)
            if (cl->vitals[i].physical_lo > cl->vitals[i].physical_hi)
                abort();
    }
    free(cl);
    free(text);
    return 0;
}
