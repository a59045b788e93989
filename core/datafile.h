/* datafile.h: the parser of the data files (core-private). */
#ifndef VAX_DATAFILE_H
#define VAX_DATAFILE_H

#include "internal.h"

typedef struct vax_df_entry {
    const char *key;
    const char *value;
    int line;
} vax_df_entry;

typedef struct vax_df_section {
    const char *name;
    int line;
    int first, count; /* its entries */
} vax_df_section;

typedef struct vax_datafile {
    char name[128]; /* for messages: "products.conf" */
    char *text;     /* the owned copy the pointers point into */
    vax_df_section *sections;
    int nsections;
    vax_df_entry *entries;
    int nentries;
    char error[600]; /* "products.conf:12: unknown key ..." */
    int error_line;
} vax_datafile;

/* Parses "[section]" headers and "key = value" lines ('#' starts a comment line). Duplicate
 * keys in a section and duplicate sections are errors. VAX_EINVAL with df->error on failure;
 * always vax_datafile_free(). */
int vax_datafile_parse(vax_datafile *df, const char *name, const char *text);
void vax_datafile_free(vax_datafile *df);
const vax_df_entry *vax_datafile_get(const vax_datafile *df, const vax_df_section *s,
                                     const char *key);
int vax_datafile_require(vax_datafile *df, const vax_df_section *s, const char *key,
                         const char **value);
/* An integer in [min, max]; a missing key gives fallback, or an error if fallback < min. */
int vax_datafile_int(vax_datafile *df, const vax_df_section *s, const char *key, int min, int max,
                     int fallback, int *out);
/* Every key of s must equal one of known (or start with one ending in '.'). */
int vax_datafile_unknown_keys(vax_datafile *df, const vax_df_section *s,
                              const char *const *known_prefixes);
/* Records an error at a line ("name:line: ...") and returns VAX_EINVAL. */
int vax_datafile_fail(vax_datafile *df, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
