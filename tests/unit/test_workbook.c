/* test_workbook.c: a list sent as an .xlsx workbook is read from its first sheet (shared and
 * inline strings, numbers, dates as serial numbers) and goes through the same row checks as a CSV
 * list. The workbooks are written here with libxlsxwriter, as a spreadsheet program saves them. */
#include "testutil.h"
#include "workbook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return s;
}

static const vax_import_issue *issue_on(const vax_import_result *r, int line, const char *field)
{
    for (int i = 0; i < r->nissues; i++)
        if (r->issues[i].line == line && strcmp(r->issues[i].field, field) == 0)
            return &r->issues[i];
    fail_msg("no issue at line %d on %s", line, field);
    return NULL;
}

/* A commune's list: a title row and an empty row above the header, then four people. IDs and a
 * phone stored as numbers (the leading zeros lost, as a spreadsheet does), birth dates as date
 * cells in two formats and as text, a priority group by its number, a name in two runs of rich
 * text, a cell with a line break, a row with a date that does not exist (row 8), and a second
 * sheet that is not the list.
 * inline_strings: libxlsxwriter's constant-memory mode writes strings inline, not shared. */
static void write_list(const char *path, int inline_strings)
{
    lxw_workbook_options opt = {.constant_memory = (uint8_t)inline_strings, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Danh sách");
    lxw_worksheet *other = workbook_add_worksheet(wb, "Ghi chú");
    lxw_format *dmy = workbook_add_format(wb);
    format_set_num_format(dmy, "dd/mm/yyyy");
    lxw_format *builtin = workbook_add_format(wb);
    format_set_num_format_index(builtin, 14); /* the short date of the machine's locale */
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0"); /* a number format that is not a date */
    worksheet_write_string(ws, 0, 0, "UBND XÃ TÂN PHONG, HUYỆN TAM ĐƯỜNG", NULL);
    static const char *const head[] = {"STT",     "Họ và tên",     "Ngày sinh",   "Giới tính",
                                       "Số CCCD", "Số điện thoại", "Nhóm ưu tiên"};
    for (int c = 0; c < 7; c++)
        worksheet_write_string(ws, 2, (lxw_col_t)c, head[c], NULL);
    lxw_datetime d1 = {1990, 3, 1, 0, 0, 0}, d3 = {1950, 1, 2, 0, 0, 0};
    /* row 4 */
    worksheet_write_number(ws, 3, 0, 1, NULL);
    worksheet_write_string(ws, 3, 1, "Nguyễn Văn An", NULL);
    worksheet_write_datetime(ws, 3, 2, &d1, dmy);
    worksheet_write_string(ws, 3, 3, "Nam", NULL);
    worksheet_write_number(ws, 3, 4, 1090000001, money);
    worksheet_write_number(ws, 3, 5, 912345678, NULL);
    worksheet_write_string(ws, 3, 6, "Nhóm 5", NULL);
    /* row 5: the ID as text; no phone, no group (cells left out) */
    worksheet_write_number(ws, 4, 0, 2, NULL);
    /* a name in two runs of text (part of it bold): one string */
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_rich_string_tuple run1 = {.format = NULL, .string = "Trần Thị "};
    lxw_rich_string_tuple run2 = {.format = bold, .string = "\"Bình\""};
    lxw_rich_string_tuple *runs[] = {&run1, &run2, NULL};
    worksheet_write_rich_string(ws, 4, 1, runs, NULL);
    worksheet_write_string(ws, 4, 2, "15/07/1960", NULL);
    worksheet_write_string(ws, 4, 3, "Nữ", NULL);
    worksheet_write_string(ws, 4, 4, "001160000002", NULL);
    /* row 6: a line break typed inside the name cell */
    worksheet_write_number(ws, 5, 0, 3, NULL);
    worksheet_write_string(ws, 5, 1, "Lê Văn\nCường", NULL);
    worksheet_write_datetime(ws, 5, 2, &d3, builtin);
    worksheet_write_string(ws, 5, 3, "Nam", NULL);
    worksheet_write_number(ws, 5, 4, 11050000003.0, NULL);
    /* row 7 empty; row 8: no 31 February */
    worksheet_write_number(ws, 7, 0, 4, NULL);
    worksheet_write_string(ws, 7, 1, "Phạm Văn Lỗi", NULL);
    worksheet_write_string(ws, 7, 2, "31/02/1950", NULL);
    worksheet_write_string(ws, 7, 4, "001050000004", NULL);
    worksheet_write_string(other, 0, 0, "Họ và tên", NULL);
    worksheet_write_string(other, 0, 1, "Ngày sinh", NULL);
    worksheet_write_string(other, 0, 2, "Số CCCD", NULL);
    worksheet_write_string(other, 1, 0, "Không Phải Người", NULL);
    worksheet_write_string(other, 1, 1, "01/01/2000", NULL);
    worksheet_write_string(other, 1, 2, "001200000009", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void check_list(int inline_strings)
{
    test_db *t = tdb_open();
    char path[400];
    size_t len;
    vax_import_result r;
    vax_person p;
    snprintf(path, sizeof path, "%s/list.xlsx", t->dir);
    write_list(path, inline_strings);
    char *data = slurp(path, &len);
    vax_import_opts o = {0, 1, 0};
    if (vax_import_csv(t->db, "list.xlsx", data, len, &o, &r) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    assert_string_equal(r.dialect, ".xlsx workbook, first sheet");
    assert_int_equal(r.rows, 4);
    assert_int_equal(r.added, 3);
    assert_int_equal(r.errors, 1);
    /* line numbers are the sheet's row numbers */
    assert_int_equal(issue_on(&r, 8, "birth_date")->error, 1);
    /* the number 1090000001 is its digits, its two lost zeros put back with a notice */
    assert_int_equal(issue_on(&r, 4, "national_id")->error, 0);
    assert_non_null(strstr(issue_on(&r, 4, "national_id")->message, "001090000001"));
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    assert_string_equal(p.full_name, "Nguyễn Văn An");
    assert_string_equal(p.birth_date, "1990-03-01");
    assert_int_equal(p.sex, 'm');
    assert_string_equal(p.phone, "0912345678");
    assert_string_equal(p.priority_group, "G05");
    assert_int_equal(vax_person_by_national_id(t->db, "001160000002", &p), VAX_OK);
    assert_string_equal(p.full_name, "Trần Thị \"Bình\"");
    assert_string_equal(p.birth_date, "1960-07-15");
    assert_int_equal(p.sex, 'f');
    assert_string_equal(p.phone, "");
    assert_int_equal(vax_person_by_national_id(t->db, "011050000003", &p), VAX_OK);
    assert_string_equal(p.full_name, "Lê Văn Cường");
    assert_string_equal(p.birth_date, "1950-01-02");
    /* the second sheet is not read */
    assert_int_not_equal(vax_person_by_national_id(t->db, "001200000009", &p), VAX_OK);
    vax_import_result_free(&r);
    /* the same workbook again adds nobody */
    assert_int_equal(vax_import_csv(t->db, "list.xlsx", data, len, &o, &r), VAX_OK);
    assert_int_equal(r.added, 0);
    assert_int_equal(r.unchanged, 3);
    vax_import_result_free(&r);
    free(data);
    tdb_close(t);
}

static void test_an_xlsx_list_with_shared_strings(void **state)
{
    (void)state;
    check_list(0);
}

static void test_an_xlsx_list_with_inline_strings(void **state)
{
    (void)state;
    check_list(1);
}

/* All or nothing as for a CSV list: one refused row and nothing is written, the message names
 * the sheet row; a workbook without a list on its first sheet is refused in words. */
static void test_an_xlsx_list_is_all_or_nothing_and_refused_in_words(void **state)
{
    test_db *t = tdb_open();
    char path[400];
    size_t len;
    vax_import_result r;
    vax_person p;
    (void)state;
    snprintf(path, sizeof path, "%s/list.xlsx", t->dir);
    write_list(path, 0);
    char *data = slurp(path, &len);
    assert_int_equal(vax_import_csv(t->db, "list.xlsx", data, len, NULL, &r), VAX_EINVAL);
    assert_int_equal(r.written, 0);
    assert_int_not_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    vax_import_result_free(&r);
    free(data);
    /* no header row naming the ID, the name and the birth date */
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    worksheet_write_string(ws, 0, 0, "Tên", NULL);
    worksheet_write_string(ws, 0, 1, "Ngày sinh", NULL);
    worksheet_write_string(ws, 1, 0, "An", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    data = slurp(path, &len);
    assert_int_equal(vax_import_csv(t->db, "list.xlsx", data, len, NULL, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "file");
    assert_non_null(strstr(vax_errmsg(t->db), "ID number"));
    vax_import_result_free(&r);
    free(data);
    /* a zip that is not a workbook, and a cut workbook */
    static const char zip_only[] = "PK\x03\x04 not a workbook";
    assert_int_equal(vax_import_csv(t->db, "list.xlsx", zip_only, sizeof zip_only - 1, NULL, &r),
                     VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "list.xlsx"));
    vax_import_result_free(&r);
    tdb_close(t);
}

/* The cells as the importer reads them: whole numbers as digits, other numbers as written, a
 * date in any date format as dd/mm/yyyy, a time of day (h:mm, whose m is minutes) left a number,
 * a row's missing trailing cells given as empty fields. */
static void test_the_cells_as_the_importer_reads_them(void **state)
{
    test_db *t = tdb_open();
    char path[400];
    size_t len, n;
    char *csv = NULL;
    (void)state;
    snprintf(path, sizeof path, "%s/cells.xlsx", t->dir);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    lxw_format *time = workbook_add_format(wb), *long_date = workbook_add_format(wb);
    format_set_num_format(time, "h:mm");
    format_set_num_format(long_date, "d mmmm yyyy");
    lxw_datetime d = {2021, 10, 15, 0, 0, 0};
    worksheet_write_number(ws, 0, 0, 79090000123.0, NULL);
    worksheet_write_number(ws, 0, 1, 1234.5, NULL);
    worksheet_write_number(ws, 0, 2, 0.5, time);
    worksheet_write_datetime(ws, 0, 3, &d, long_date);
    worksheet_write_string(ws, 1, 0, "a \"quoted\", word", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    char *data = slurp(path, &len);
    assert_int_equal(vax_workbook_csv(t->db, "cells.xlsx", data, len, &csv, &n), VAX_OK);
    assert_string_equal(csv, "\"79090000123\",\"1234.5\",\"0.5\",\"15/10/2021\"\n"
                             "\"a \"\"quoted\"\", word\",,,\n");
    assert_int_equal(n, strlen(csv));
    free(csv);
    free(data);
    tdb_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_xlsx_list_with_shared_strings),
        cmocka_unit_test(test_an_xlsx_list_with_inline_strings),
        cmocka_unit_test(test_an_xlsx_list_is_all_or_nothing_and_refused_in_words),
        cmocka_unit_test(test_the_cells_as_the_importer_reads_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
