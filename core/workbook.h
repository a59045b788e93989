/* workbook.h: a workbook list (.xlsx, .xls) read as the CSV text the importer reads. */
#ifndef VAX_WORKBOOK_H
#define VAX_WORKBOOK_H

#include "vax.h"

#include <stddef.h>

enum { VAX_WORKBOOK_XLSX = 1, VAX_WORKBOOK_XLS = 2 };

/* VAX_WORKBOOK_XLSX or VAX_WORKBOOK_XLS by the file's first bytes, else 0. */
int vax_workbook_kind(const char *data, size_t len);

/* The first sheet as UTF-8 CSV (every cell quoted, ',' between cells, one line per sheet row so
 * that line numbers are the sheet's row numbers): text as written, a whole number as its digits, a
 * cell formatted as a date as dd/mm/yyyy. *csv is malloc'd (free it). VAX_EINVAL, naming the
 * file, when it cannot be read. */
int vax_workbook_csv(vax_db *db, const char *name, const char *data, size_t len, char **csv,
                     size_t *csvlen);

#endif
