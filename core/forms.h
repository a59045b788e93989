/* forms.h: what the Ministry's forms share (core-private): paper.c and forms.c. */
#ifndef VAX_FORMS_H
#define VAX_FORMS_H

/* A dose's place among the form's columns, from its number, the series of the product that began
 * the person's history and the additional dose before it: "primary.N", "additional",
 * "booster.N": the annex 4 paper's rows and the annex 5 report's columns. */
#define DOSE_SLOT_SQL(d)                                                                           \
    "CASE WHEN " d ".additional = 1 THEN 'additional'"                                             \
    " WHEN " d ".dose_number <= coalesce((SELECT p1.series_doses FROM dose f1 JOIN product p1"     \
    "  ON p1.code = f1.product WHERE f1.person_id = " d ".person_id AND f1.series = " d ".series"  \
    "  AND f1.voided = 0 ORDER BY f1.dose_number LIMIT 1), 2)"                                     \
    " THEN 'primary.' || " d ".dose_number"                                                        \
    " ELSE 'booster.' || (" d ".dose_number - coalesce((SELECT p1.series_doses FROM dose f1"       \
    "  JOIN product p1 ON p1.code = f1.product WHERE f1.person_id = " d ".person_id"               \
    "  AND f1.series = " d ".series AND f1.voided = 0 ORDER BY f1.dose_number LIMIT 1), 2)"        \
    "  - (SELECT count(*) FROM dose a1 WHERE a1.person_id = " d ".person_id"                       \
    "  AND a1.series = " d ".series AND a1.voided = 0 AND a1.additional = 1"                       \
    "  AND a1.dose_number < " d ".dose_number))"                                                   \
    " END"

#endif
