/* test_exchange.c: the import of pre-registration lists (dialects, every kind of broken row with
 * its line, all or nothing, duplicates) and the exports (national CSV, FHIR, --since). */
#include "testutil.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t query_int(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static int persons(test_db *t)
{
    return (int)query_int(t->path, "SELECT count(*) FROM person");
}

static int run(test_db *t, const char *csv, int dry, int valid_only, int merge,
               vax_import_result *r)
{
    vax_import_opts o = {dry, valid_only, merge};
    return vax_import_csv(t->db, "list.csv", csv, strlen(csv), &o, r);
}

/* The same three people in every dialect: Nguyễn Văn An (m, 1990), Trần Thị Bình (f, 1960, a
 * commune with a comma), Lê Văn "Cường" (m, 1950). */
static const char *const dialects[] = {
    /* UTF-8 with BOM, semicolon, CRLF, Vietnamese headers, dd/mm/yyyy */
    "\xEF\xBB\xBFHọ và tên;Ngày sinh;Giới tính;Số CCCD/CMND;Số điện thoại;Địa chỉ;Nhóm ưu tiên\r\n"
    "Nguyễn Văn An;01/03/1990;Nam;001090000001;0912345678;Phường Tân Phong;G01\r\n"
    "Trần Thị Bình;15/07/1960;Nữ;001160000002;;\"Xã Sơn Bình, Tam Đường\";\r\n"
    "\"Lê Văn \"\"Cường\"\"\";02/01/1950;Nam;001050000003;;;\r\n",
    /* no BOM, comma, LF, English headers in another order, yyyy-mm-dd, quoted fields */
    "ID,Full name,Date of birth,Sex,Phone,Address,Priority group\n"
    "001090000001,Nguyễn Văn An,1990-03-01,male,+84 912 345 678,Phường Tân Phong,g01\n"
    "\"001160000002\",\"Trần Thị Bình\",1960-07-15,F,,\"Xã Sơn Bình, Tam Đường\",\n"
    "001050000003,\"Lê Văn \"\"Cường\"\"\",1950-01-02,M,,,\n",
    /* comma, CRLF, no final newline, a blank line and extra empty trailing fields */
    "Họ tên,CMND/CCCD,Ngày tháng năm sinh,Giới,SĐT,Xã/Phường,Đối tượng,Ghi chú\r\n"
    "Nguyễn Văn An,001090000001,1/3/1990,nam,0912345678,Phường Tân Phong,G01,\r\n"
    "\r\n"
    "Trần Thị Bình,001160000002,15/07/1960,nữ,,\"Xã Sơn Bình, Tam Đường\",,\r\n"
    "\"Lê Văn \"\"Cường\"\"\",001050000003,02-01-1950,NAM,,,,\"a note\r\non two lines\"",
};

static void check_three(test_db *t)
{
    vax_person p;
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    assert_string_equal(p.full_name, "Nguyễn Văn An");
    assert_string_equal(p.birth_date, "1990-03-01");
    assert_int_equal(p.sex, 'm');
    assert_string_equal(p.phone, "0912345678");
    assert_string_equal(p.commune, "Phường Tân Phong");
    assert_string_equal(p.priority_group, "G01");
    assert_int_equal(vax_person_by_national_id(t->db, "001160000002", &p), VAX_OK);
    assert_string_equal(p.full_name, "Trần Thị Bình");
    assert_int_equal(p.sex, 'f');
    assert_string_equal(p.commune, "Xã Sơn Bình, Tam Đường");
    assert_string_equal(p.priority_group, "");
    assert_int_equal(vax_person_by_national_id(t->db, "001050000003", &p), VAX_OK);
    assert_string_equal(p.full_name, "Lê Văn \"Cường\"");
    assert_string_equal(p.birth_date, "1950-01-02");
}

static void test_every_csv_dialect_reads_the_same_people(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        test_db *t = tdb_open();
        vax_import_result r;
        if (run(t, dialects[i], 0, 0, 0, &r) != VAX_OK)
            fail_msg("dialect %d: %s", i, vax_errmsg(t->db));
        assert_int_equal(r.rows, 3);
        assert_int_equal(r.added, 3);
        assert_int_equal(r.errors, 0);
        assert_int_equal(r.written, 1);
        assert_int_equal(persons(t), 3);
        check_three(t);
        /* the search index sees them like people added by hand */
        vax_person found[4];
        int n = 0;
        assert_int_equal(vax_person_search(t->db, "tran binh", found, 4, &n), VAX_OK);
        assert_int_equal(n, 1);
        if (i == 0)
            assert_string_equal(r.dialect, "UTF-8 with BOM; ';'; CRLF");
        if (i == 1)
            assert_string_equal(r.dialect, "UTF-8; ','; LF");
        if (i == 2)
            assert_string_equal(r.ignored, "Ghi chú");
        vax_import_result_free(&r);
        tdb_close(t);
    }
}

/* Every kind of broken row, one per line (the header is line 1). */
static const char broken[] =
    "Số CCCD;Họ và tên;Ngày sinh;Giới tính;Số điện thoại;Số thẻ BHYT;Nhóm ưu tiên\n"
    "001090000001;Nguyễn Văn An;01/03/1990;Nam;;;\n"         /* 2 ok */
    "1.2E+11;Trần Văn Ba;01/01/1980;Nam;;;\n"                /* 3 Excel rounded the ID */
    "001180000004;Lê Thị Bốn;31/02/1980;Nữ;;;\n"             /* 4 no such date */
    "001090000005;;01/03/1990;Nam;;;\n"                      /* 5 no name */
    "001090000006;Nguyễn Văn 6;01/03/1990;Nam;;;\n"          /* 6 digits in the name */
    "001090000007;Phạm Văn Bảy;01/03/1990;Nam;012345;;\n"    /* 7 bad phone */
    "001090000008;Vũ Văn Tám;01/03/1990;Nam;\n"              /* 8 too few fields */
    "001090000009;Đỗ Văn Chín;01/03/1990;Nam;;;G99\n"        /* 9 unknown group */
    "001090000010;Bùi Văn Mười;01/03/1990;X;;;\n"            /* 10 sex */
    "001085000011;Hồ Văn Mười Một;01/03/1990;Nam;;;\n"       /* 11 CCCD says born 1985 */
    "001090000001;Nguyễn Văn Khác;01/03/1990;Nam;;;\n"       /* 12 ID of line 2, other name */
    "001090000001;Nguyễn Văn An;01/03/1990;Nam;;;\n"         /* 13 line 2 again: once */
    "01090000013;Tạ Văn Mười Ba;01/03/1990;Nam;;;\n"         /* 14 leading 0 lost: put back */
    "001090000014;\"Mai Văn\nMười Bốn\";01/03/1990;Nam;;;\n" /* 15-16 ok, a quoted newline */
    "001090000015;Lý Văn Mười Lăm;01/03/1990;Nam;;AB123;\n"  /* 17 bad insurance */
    "001090000016;Trịnh Văn Mười Sáu;01/03/1990;Nam;;;\n"    /* 18 ok */
    "001090000017;\"Không đóng;01/03/1990;Nam;;;\n";         /* 19 quote never closed */

static const vax_import_issue *issue_at(const vax_import_result *r, int line)
{
    for (int i = 0; i < r->nissues; i++)
        if (r->issues[i].line == line)
            return &r->issues[i];
    fail_msg("no issue at line %d", line);
    return NULL;
}

static void test_each_broken_row_is_reported_with_its_line(void **state)
{
    test_db *t = tdb_open();
    vax_import_result r;
    (void)state;
    assert_int_equal(run(t, broken, 1, 0, 0, &r), VAX_OK);
    assert_int_equal(r.written, 0);
    assert_int_equal(persons(t), 0); /* a dry run writes nothing */
    assert_int_equal(r.rows, 17);
    assert_int_equal(r.valid, 5); /* lines 2, 13 (counted once), 14, 15, 18 */
    assert_int_equal(r.errors, 12);
    assert_int_equal(r.added, 4);
    assert_int_equal(r.duplicates, 2);
    const vax_import_issue *x;
    x = issue_at(&r, 3);
    assert_string_equal(x->field, "national_id");
    assert_non_null(strstr(x->message, "1.2E+11"));
    assert_non_null(strstr(x->message, "spreadsheet"));
    assert_string_equal(issue_at(&r, 4)->field, "birth_date");
    assert_string_equal(issue_at(&r, 5)->field, "full_name");
    assert_string_equal(issue_at(&r, 6)->field, "full_name");
    assert_string_equal(issue_at(&r, 7)->field, "phone");
    assert_string_equal(issue_at(&r, 8)->field, "file");
    assert_non_null(strstr(issue_at(&r, 8)->message, "has 5 fields but the header has 7"));
    assert_string_equal(issue_at(&r, 9)->field, "priority_group");
    assert_string_equal(issue_at(&r, 10)->field, "sex");
    x = issue_at(&r, 11);
    assert_string_equal(x->field, "national_id");
    assert_non_null(strstr(x->message, "1985"));
    x = issue_at(&r, 12);
    assert_int_equal(x->error, 1);
    assert_non_null(strstr(x->message, "line 2"));
    x = issue_at(&r, 13);
    assert_int_equal(x->error, 0);
    assert_non_null(strstr(x->message, "line 2"));
    x = issue_at(&r, 14);
    assert_string_equal(x->field, "national_id");
    assert_int_equal(x->error, 0);
    assert_non_null(strstr(x->message, "leading 0"));
    assert_string_equal(issue_at(&r, 17)->field, "insurance_no");
    assert_string_equal(issue_at(&r, 19)->field, "file");
    for (int i = 0; i < r.nissues; i++)
        assert_true(r.issues[i].line != 2 && r.issues[i].line != 15 && r.issues[i].line != 16 &&
                    r.issues[i].line != 18);
    for (int i = 1; i < r.nissues; i++)
        assert_true(r.issues[i - 1].line <= r.issues[i].line);
    vax_import_result_free(&r);
    tdb_close(t);
}

/* A commune longer than the record's field is reported with the limit, not stored cut short (it
 * was cut at 127 bytes, mid-word, without a word); one that fits to the byte is kept whole. */
static void test_an_over_long_commune_is_reported_not_cut(void **state)
{
    test_db *t = tdb_open();
    vax_import_result r;
    char csv[1024], commune[200];
    (void)state;
    commune[0] = 0;
    while (strlen(commune) + strlen("Bản Giang ") < 140)
        strcat(commune, "Bản Giang ");
    strcat(commune, "Thượng");
    snprintf(csv, sizeof csv,
             "ID,Full name,Date of birth,Sex,Address\n"
             "001090000001,Nguyễn Văn An,1990-03-01,m,%s\n",
             commune);
    assert_int_equal(run(t, csv, 1, 0, 0, &r), VAX_OK);
    assert_int_equal(r.errors, 1);
    assert_string_equal(r.issues[0].field, "commune");
    assert_non_null(strstr(r.issues[0].message, "127"));
    assert_int_equal(persons(t), 0);
    vax_import_result_free(&r);
    /* 127 bytes exactly fit */
    memset(commune, 'x', 127);
    commune[127] = 0;
    snprintf(csv, sizeof csv,
             "ID,Full name,Date of birth,Sex,Address\n"
             "001090000001,Nguyễn Văn An,1990-03-01,m,%s\n",
             commune);
    assert_int_equal(run(t, csv, 0, 0, 0, &r), VAX_OK);
    assert_int_equal(r.errors, 0);
    vax_person p;
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    assert_string_equal(p.commune, commune);
    vax_import_result_free(&r);
    tdb_close(t);
}

static void test_all_or_nothing_by_the_users_choice(void **state)
{
    test_db *t = tdb_open();
    vax_import_result r;
    vax_person p;
    (void)state;
    int64_t audits = query_int(t->path, "SELECT count(*) FROM audit");
    /* all or nothing: one bad row and nothing is written */
    assert_int_equal(run(t, broken, 0, 0, 0, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "rows");
    assert_non_null(strstr(vax_errmsg(t->db), "12 of 17 rows"));
    assert_non_null(strstr(vax_errmsg(t->db), "line 3"));
    assert_int_equal(r.written, 0);
    assert_int_equal(persons(t), 0);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit"), audits);
    vax_import_result_free(&r);
    /* the valid rows only: the four good people (one whose ID had lost its 0), once each, in
     * one audited import */
    assert_int_equal(run(t, broken, 0, 1, 0, &r), VAX_OK);
    assert_int_equal(r.written, 1);
    assert_int_equal(r.added, 4);
    assert_int_equal(persons(t), 4);
    assert_int_equal(vax_person_by_national_id(t->db, "001090000013", &p), VAX_OK);
    assert_int_equal(vax_person_by_national_id(t->db, "001090000014", &p), VAX_OK);
    assert_string_equal(p.full_name, "Mai Văn Mười Bốn"); /* the newline became a space (NFC) */
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM audit WHERE action ="
                                        " 'person.import'"),
                     1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM person WHERE updated_by IS NULL"), 0);
    vax_import_result_free(&r);
    tdb_close(t);
}

static void test_an_id_already_registered_is_reported_or_merged_never_doubled(void **state)
{
    test_db *t = tdb_open();
    vax_import_result r;
    vax_person p;
    (void)state;
    tdb_person(t, "Nguyễn Văn An", "001090000001", "1990-03-01", NULL);
    const char *list = "CCCD,Họ tên,Ngày sinh,Điện thoại\n"
                       "001090000001,Nguyễn Văn An,01/03/1990,0987654321\n"
                       "001090000002,Nguyễn Văn Hai,01/03/1990,\n";
    /* report: left as it is */
    assert_int_equal(run(t, list, 0, 0, 0, &r), VAX_OK);
    assert_int_equal(r.added, 1);
    assert_int_equal(r.existing, 1);
    assert_int_equal(r.nissues, 1);
    assert_int_equal(r.issues[0].line, 2);
    assert_int_equal(r.issues[0].error, 0);
    assert_int_equal(persons(t), 2);
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    assert_string_equal(p.phone, "");
    vax_import_result_free(&r);
    /* merge: the phone is added, the old version kept; the other row is unchanged */
    assert_int_equal(run(t, list, 0, 0, 1, &r), VAX_OK);
    assert_int_equal(r.added, 0);
    assert_int_equal(r.merged, 1);
    assert_int_equal(r.unchanged, 1);
    assert_int_equal(persons(t), 2);
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    assert_string_equal(p.phone, "0987654321");
    int n = 0;
    assert_int_equal(vax_person_history_count(t->db, p.id, &n), VAX_OK);
    assert_int_equal(n, 1);
    vax_import_result_free(&r);
    /* the same list again: nothing changes */
    assert_int_equal(run(t, list, 0, 0, 1, &r), VAX_OK);
    assert_int_equal(r.unchanged, 2);
    assert_int_equal(r.merged, 0);
    vax_import_result_free(&r);
    tdb_close(t);
}

static void test_files_that_are_not_a_list_are_refused(void **state)
{
    test_db *t = tdb_open();
    vax_import_result r;
    (void)state;
    assert_int_equal(run(t, "", 0, 0, 0, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "file");
    vax_import_result_free(&r);
    assert_int_equal(run(t, "Tên,Ngày sinh\nAn,01/01/1990\n", 0, 0, 0, &r), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "ID number"));
    vax_import_result_free(&r);
    assert_int_equal(run(t, "CCCD;CMND;Tên;Ngày sinh\n", 0, 0, 0, &r), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "columns 1 and 2"));
    vax_import_result_free(&r);
    /* neither UTF-8 nor an old Vietnamese encoding (a byte Windows-1258 has not, words that
     * TCVN3 makes no Vietnamese of): refused, the line named */
    assert_int_equal(run(t,
                         "CCCD;T\x81n;Ng\xe0y sinh;Gr\xfc\xdf"
                         "e\n",
                         0, 0, 0, &r),
                     VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "line 1"));
    vax_import_result_free(&r);
    /* a workbook is named as one, not taken for an old encoding */
    assert_int_equal(run(t, "PK\x03\x04\x14\x00\x06\x00", 0, 0, 0, &r), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "Excel workbook"));
    vax_import_result_free(&r);
    assert_int_equal(run(t, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 0, 0, 0, &r), VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "Excel workbook"));
    vax_import_result_free(&r);
    assert_int_equal(persons(t), 0);
    tdb_close(t);
}

/* ---- lists as communes send them ---------------------------------------------------------- */

static const vax_import_issue *notice_of(const vax_import_result *r, int line, const char *field)
{
    for (int i = 0; i < r->nissues; i++)
        if (r->issues[i].line == line && strcmp(r->issues[i].field, field) == 0)
            return &r->issues[i];
    fail_msg("no issue at line %d on %s", line, field);
    return NULL;
}

/* Title rows above the header (with commas of their own, so the first line alone would pick the
 * wrong separator), a BOM, CRLF and ';' between fields: the header is the first row that names the
 * ID, the name and the birth date, and the line numbers stay those of the file. */
static void test_title_rows_above_the_header_are_skipped(void **state)
{
    static const char list[] = "\xEF\xBB\xBFUBND XÃ TÂN PHONG, HUYỆN TAM ĐƯỜNG;;;;\r\n"
                               "DANH SÁCH NGƯỜI ĐĂNG KÝ TIÊM, ĐỢT 3;;;;\r\n"
                               ";;;;\r\n"
                               "STT;Họ và tên;Ngày sinh;Giới tính;Số CCCD\r\n"
                               "1;Nguyễn Văn An;01/03/1990;Nam;001090000001\r\n"
                               "2;Trần Thị Bình;15/07/1960;Nữ;001160000002\r\n";
    test_db *t = tdb_open();
    vax_import_result r;
    vax_person p;
    (void)state;
    if (run(t, list, 0, 0, 0, &r) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    assert_int_equal(r.rows, 2);
    assert_int_equal(r.added, 2);
    assert_int_equal(r.errors, 0);
    assert_string_equal(r.dialect, "UTF-8 with BOM; ';'; CRLF");
    assert_string_equal(r.ignored, "STT");
    assert_int_equal(vax_person_by_national_id(t->db, "001160000002", &p), VAX_OK);
    assert_string_equal(p.full_name, "Trần Thị Bình");
    assert_string_equal(p.birth_date, "1960-07-15");
    vax_import_result_free(&r);
    /* tab-separated, LF, title rows too; a bad row is named by its line in the file */
    static const char tabbed[] = "DANH SÁCH TIÊM CHỦNG\n"
                                 "\n"
                                 "Họ tên\tNgày sinh\tCCCD\n"
                                 "Lê Văn Cường\t02/01/1950\t001050000003\n"
                                 "Lê Văn Lỗi\t31/02/1950\t001050000004\n";
    assert_int_equal(run(t, tabbed, 1, 0, 0, &r), VAX_OK);
    assert_int_equal(r.rows, 2);
    assert_int_equal(r.errors, 1);
    assert_string_equal(r.dialect, "UTF-8; 'tab'; LF");
    assert_string_equal(issue_at(&r, 5)->field, "birth_date");
    vax_import_result_free(&r);
    /* a file whose rows never name the required columns is refused in words, not keys */
    assert_int_equal(run(t, "DANH SÁCH\nTên,Ngày sinh\nAn,01/01/1990\n", 0, 0, 0, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "file");
    assert_null(strstr(vax_errmsg(t->db), "national_id"));
    assert_non_null(strstr(vax_errmsg(t->db), "ID number"));
    vax_import_result_free(&r);
    assert_int_equal(persons(t), 2);
    tdb_close(t);
}

/* Whether s is UTF-8 throughout (a value cut to fit a message must not end mid-character). */
static int whole_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : 3;
        for (int i = 1; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

/* Values quoted in messages are shortened at a character, never inside one. */
static void test_values_in_messages_are_not_cut_mid_character(void **state)
{
    static const char list[] =
        "CCCD,Họ tên,Ngày sinh,Giới tính,Nhóm ưu tiên\n"
        "001090000001,An Một,01/03/1990,Không rõ giới tính,\n"
        "001090000002,An Hai,01/03/1990,Nam,Người cao tuổi trên tám mươi lăm\n";
    test_db *t = tdb_open();
    vax_import_result r;
    (void)state;
    assert_int_equal(run(t, list, 1, 0, 0, &r), VAX_OK);
    assert_int_equal(r.errors, 2);
    assert_string_equal(issue_at(&r, 2)->field, "sex");
    assert_true(whole_utf8(issue_at(&r, 2)->message));
    assert_non_null(strstr(issue_at(&r, 2)->message, "\"Không rõ giới t\""));
    assert_string_equal(issue_at(&r, 3)->field, "priority_group");
    assert_true(whole_utf8(issue_at(&r, 3)->message));
    assert_non_null(strstr(issue_at(&r, 3)->message, "\"Người cao tuổi trên tám mươi l\""));
    vax_import_result_free(&r);
    tdb_close(t);
}

/* A priority group written by its name in either language, whatever the interface's, by its code
 * or by its number ("5", "Nhóm 5", "Group 5", "G5"). */
static void test_priority_groups_by_name_in_either_language_or_by_number(void **state)
{
    static const char list[] =
        "CCCD,Họ tên,Ngày sinh,Nhóm ưu tiên\n"
        "001090000001,An Một,01/03/1990,Người mắc bệnh mạn tính; người trên 65 tuổi\n"
        "001090000002,An Hai,01/03/1990,People with chronic diseases; people over 65\n"
        "001090000003,An Ba,01/03/1990,5\n"
        "001090000004,An Bốn,01/03/1990,Nhóm 5\n"
        "001090000005,An Năm,01/03/1990,Group 5\n"
        "001090000006,An Sáu,01/03/1990,G5\n"
        "001090000007,An Bảy,01/03/1990,g05\n"
        "001090000008,An Tám,01/03/1990,Nhóm 12\n";
    (void)state;
    for (int lang = 0; lang < 2; lang++) {
        test_db *t = tdb_open();
        vax_import_result r;
        vax_set_lang(lang ? "en" : "vi");
        assert_int_equal(run(t, list, 0, 1, 0, &r), VAX_OK);
        vax_set_lang("en");
        assert_int_equal(r.rows, 8);
        assert_int_equal(r.added, 7);
        assert_int_equal(r.errors, 1);
        assert_string_equal(issue_at(&r, 9)->field, "priority_group");
        assert_non_null(strstr(issue_at(&r, 9)->message, "Nhóm 12"));
        assert_int_equal(
            query_int(t->path, "SELECT count(*) FROM person WHERE priority_group = 'G05'"), 7);
        vax_import_result_free(&r);
        tdb_close(t);
    }
}

/* What a spreadsheet does to IDs and phones, and what a copy from a web page or a chat leaves in
 * the text: read as the clerk meant, with a notice where a digit was put back. */
static void test_lost_zeros_phone_forms_and_invisible_characters(void **state)
{
    static const char list[] =
        "Số CCCD;Họ và tên;Ngày sinh;Giới tính;Số điện thoại\n"
        "1090000001;Nguyễn Văn An;01/03/1990;Nam;912345678\n"        /* 2 two 0s, one */
        "11160000002;Trần Thị Bình;15/07/1960;Nữ;+84 0912 345 679\n" /* 3 one 0; +84 0 */
        "001050000003;Lê\xC2\xA0Văn\xE2\x80\x8B Cường;02/01/1950;Nam;84912345680\n" /* 4 */
        "\xE2\x80\x8B"
        "001050000005\xC2\xA0;\xEF\xBB\xBFPhạm Văn Năm;02/01/1950;Nam;0084 912 345 681\n" /* 5 */
        "11085000006;Hồ Văn Sáu;01/03/1990;Nam;\n"; /* 6 a 0 put back gives another year */
    test_db *t = tdb_open();
    vax_import_result r;
    vax_person p;
    (void)state;
    assert_int_equal(run(t, list, 0, 1, 0, &r), VAX_OK);
    assert_int_equal(r.rows, 5);
    assert_int_equal(r.added, 4);
    assert_int_equal(r.errors, 1);
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    assert_string_equal(p.phone, "0912345678");
    const vax_import_issue *x = notice_of(&r, 2, "national_id");
    assert_int_equal(x->error, 0);
    assert_non_null(strstr(x->message, "001090000001"));
    assert_non_null(strstr(x->message, "leading 0"));
    x = notice_of(&r, 2, "phone");
    assert_int_equal(x->error, 0);
    assert_non_null(strstr(x->message, "0912345678"));
    assert_int_equal(vax_person_by_national_id(t->db, "011160000002", &p), VAX_OK);
    assert_string_equal(p.full_name, "Trần Thị Bình");
    assert_string_equal(p.phone, "0912345679");
    assert_int_equal(notice_of(&r, 3, "national_id")->error, 0);
    assert_int_equal(vax_person_by_national_id(t->db, "001050000003", &p), VAX_OK);
    assert_string_equal(p.full_name, "Lê Văn Cường");
    assert_string_equal(p.phone, "0912345680");
    assert_int_equal(vax_person_by_national_id(t->db, "001050000005", &p), VAX_OK);
    assert_string_equal(p.full_name, "Phạm Văn Năm");
    assert_string_equal(p.phone, "0912345681");
    x = notice_of(&r, 6, "national_id");
    assert_int_equal(x->error, 1);
    assert_non_null(strstr(x->message, "leading 0"));
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM person WHERE full_name GLOB "
                                        "'*' || char(160) || '*' OR full_name GLOB '*' || "
                                        "char(8203) || '*' OR full_name GLOB '*' || char(65279) "
                                        "|| '*'"),
                     0);
    vax_import_result_free(&r);
    tdb_close(t);
}

/* The same two people saved by old Vietnamese programs: Windows-1258 (tones as combining marks
 * after the letter) and TCVN3 (the ABC fonts). */
static const char list_cp1258[] = "Ho\xf2 v\xe0 t\xea"
                                  "n;Ng\xe0y sinh;S\xf4\xec CCCD\n"
                                  "Nguy\xea\xden V\xe3n An;01/03/1990;001090000001\n"
                                  "Tr\xe2\xccn Thi\xf2 Ho\xe0;15/07/1960;001160000002\n";
static const char list_tcvn[] = "H\xe4 v\xb5 t\xaan;Ng\xb5y sinh;S\xe8 CCCD\n"
                                "Nguy\xd4n V\xa8n An;01/03/1990;001090000001\n"
                                "Tr\xc7n Th\xde Ho\xb5;15/07/1960;001160000002\n";

static void check_two_read(test_db *t)
{
    vax_person p;
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    assert_string_equal(p.full_name, "Nguyễn Văn An"); /* NFC: as typed at the desk */
    assert_int_equal(vax_person_by_national_id(t->db, "001160000002", &p), VAX_OK);
    assert_string_equal(p.full_name, "Trần Thị Hoà");
}

/* A list that is not UTF-8 is read as Windows-1258 or TCVN3, whichever gives Vietnamese words,
 * and the note on line 1 says it was a guess; --encoding reads it without one. */
static void test_old_vietnamese_encodings_are_converted(void **state)
{
    static const struct {
        const char *text, *guess;
    } lists[] = {{list_cp1258, "WINDOWS-1258"}, {list_tcvn, "TCVN5712-1"}};
    (void)state;
    for (int i = 0; i < 2; i++) {
        test_db *t = tdb_open();
        vax_import_result r;
        char dialect[96];
        if (vax_import_csv(t->db, "list.csv", lists[i].text, strlen(lists[i].text), NULL, &r) !=
            VAX_OK)
            fail_msg("%s: %s", lists[i].guess, vax_errmsg(t->db));
        assert_int_equal(r.added, 2);
        snprintf(dialect, sizeof dialect, "%s (guessed); ';'; LF", lists[i].guess);
        assert_string_equal(r.dialect, dialect);
        const vax_import_issue *x = issue_at(&r, 1);
        assert_int_equal(x->error, 0);
        assert_non_null(strstr(x->message, lists[i].guess));
        assert_non_null(strstr(x->message, "guess"));
        check_two_read(t);
        vax_import_result_free(&r);
        tdb_close(t);
    }
    /* named by the user: no guess, no note */
    static const char *const names[] = {"cp1258", "TCVN3"};
    for (int i = 0; i < 2; i++) {
        test_db *t = tdb_open();
        vax_import_result r;
        if (vax_import_csv_as(t->db, "list.csv", lists[i].text, strlen(lists[i].text), names[i],
                              NULL, &r) != VAX_OK)
            fail_msg("%s: %s", names[i], vax_errmsg(t->db));
        assert_int_equal(r.added, 2);
        assert_int_equal(r.nissues, 0);
        assert_null(strstr(r.dialect, "guessed"));
        check_two_read(t);
        vax_import_result_free(&r);
        tdb_close(t);
    }
    test_db *t = tdb_open();
    vax_import_result r;
    assert_int_equal(
        vax_import_csv_as(t->db, "list.csv", list_tcvn, strlen(list_tcvn), "klingon", NULL, &r),
        VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "encoding");
    assert_non_null(strstr(vax_errmsg(t->db), "klingon"));
    vax_import_result_free(&r);
    /* UTF-8 named, and the text is not */
    assert_int_equal(
        vax_import_csv_as(t->db, "list.csv", list_tcvn, strlen(list_tcvn), "utf-8", NULL, &r),
        VAX_EINVAL);
    assert_non_null(strstr(vax_errmsg(t->db), "line 1"));
    vax_import_result_free(&r);
    assert_int_equal(persons(t), 0);
    tdb_close(t);
}

/* UTF-8 opened as Windows-1252 and saved again: refused, naming the line and what it was. */
static void test_garbled_text_is_refused_naming_its_line(void **state)
{
    static const char list[] = "Họ và tên;Ngày sinh;Số CCCD\n"
                               "Nguyễn Văn An;01/03/1990;001090000001\n"
                               "Nguyá»…n Văn Ba;01/03/1990;001090000003\n";
    static const char fine[] = "Họ và tên;Ngày sinh;Số CCCD\n"
                               "HỒ VĂN Ô\xC2\xA0;01/03/1990;001090000001\n"
                               "LÊ – ÂN;01/03/1990;001090000003\n";
    test_db *t = tdb_open();
    vax_import_result r;
    (void)state;
    assert_int_equal(run(t, list, 0, 1, 0, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "file");
    assert_non_null(strstr(vax_errmsg(t->db), "line 3"));
    assert_non_null(strstr(vax_errmsg(t->db), "\"Nguyá»…n\""));
    assert_non_null(strstr(vax_errmsg(t->db), "\"Nguyễn\""));
    vax_import_result_free(&r);
    assert_int_equal(persons(t), 0);
    /* capitals before a no-break space or a dash are names, not garbled text */
    if (run(t, fine, 0, 0, 0, &r) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    assert_int_equal(r.added, 2);
    vax_import_result_free(&r);
    tdb_close(t);
}

static void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A site's own header spellings, in import_headers.conf next to the database, are added to the
 * program's; one that names another column's heading is refused with its line. */
static void test_a_sites_own_header_spellings(void **state)
{
    static const char list[] = "Số CC;Họ và tên;Ngày sinh;Diện ưu tiên\n"
                               "001090000001;Nguyễn Văn An;01/03/1990;G01\n";
    test_db *t = tdb_open();
    vax_import_result r;
    vax_person p;
    char conf[400];
    (void)state;
    /* without the site's file: no column is an ID */
    assert_int_equal(run(t, list, 0, 0, 0, &r), VAX_EINVAL);
    vax_import_result_free(&r);
    snprintf(conf, sizeof conf, "%s/import_headers.conf", t->dir);
    write_text_file(conf, "# this commune's headings\n[national_id]\nnames = Số CC\n"
                          "[priority_group]\nnames = Diện ưu tiên\n");
    if (run(t, list, 0, 0, 0, &r) != VAX_OK)
        fail_msg("%s", vax_errmsg(t->db));
    assert_int_equal(r.added, 1);
    assert_string_equal(r.ignored, "");
    assert_int_equal(vax_person_by_national_id(t->db, "001090000001", &p), VAX_OK);
    assert_string_equal(p.priority_group, "G01");
    vax_import_result_free(&r);
    write_text_file(conf, "[full_name]\nnames = Số CCCD\n");
    assert_int_equal(run(t, list, 0, 0, 0, &r), VAX_EINVAL);
    assert_string_equal(vax_errfield(t->db), "file");
    assert_non_null(strstr(vax_errmsg(t->db), "import_headers.conf:2"));
    assert_non_null(strstr(vax_errmsg(t->db), "national_id"));
    vax_import_result_free(&r);
    assert_int_equal(persons(t), 1);
    unlink(conf); /* tdb_close removes only the database's files */
    tdb_close(t);
}

/* ---- exports ----------------------------------------------------------------------------------
 */

static int64_t dose_today(test_db *t, int64_t pid, int64_t vial)
{
    vax_visit v;
    vax_dose d;
    assert_int_equal(vax_queue_checkin(t->db, pid, &v), VAX_OK);
    static const vax_state path[] = {VAX_STATE_SCREENING, VAX_STATE_ELIGIBLE,
                                     VAX_STATE_WAITING_INJECTION, VAX_STATE_INJECTION};
    for (int i = 0; i < 4; i++)
        assert_int_equal(vax_queue_move(t->db, v.id, path[i], NULL), VAX_OK);
    vax_dose_in in = {v.id, vial, VAX_ARM_LEFT, 0, NULL, NULL, 0};
    if (vax_dose_give(t->db, &in, &d) != VAX_OK)
        fail_msg("dose: %s", vax_errmsg(t->db));
    return d.id;
}

static void test_exports_one_row_per_dose_and_a_fhir_bundle_since_a_time(void **state)
{
    test_db *t = tdb_open();
    tdb_text csv = {NULL, 0}, json = {NULL, 0}, later = {NULL, 0};
    int64_t lot_id, vial;
    int n = 0;
    (void)state;
    assert_int_equal(vax_site_set(t->db, "LC01", "Trạm Y tế Tân Phong", 0), VAX_OK);
    int64_t a = tdb_person(t, "Nguyễn Văn An", "001090000001", "1990-03-01", "G01");
    int64_t b = tdb_person(t, "Trần Thị Bình", "001160000002", "1960-07-15", NULL);
    vax_lot_in in = {"AZ", "ABV1234", "2022-12-31", 2, 0, VAX_DPV_CATALOGUE, 0, "CDC"};
    assert_int_equal(vax_stock_receive(t->db, &in, &lot_id), VAX_OK);
    assert_int_equal(vax_stock_open_vial(t->db, lot_id, "injection", &vial), VAX_OK);
    dose_today(t, a, vial);
    vax_clock_advance(3600);
    int64_t since = vax_now();
    int64_t db_ = dose_today(t, b, vial);
    assert_int_equal(vax_export_national(t->db, 0, tdb_to_text, &csv, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_non_null(strstr(csv.s, "Họ và tên,Ngày sinh,Giới tính,Số CCCD/CMND,Số thẻ BHYT,"
                                  "Số điện thoại,Địa chỉ,Nhóm ưu tiên,Vắc xin,Số lô,Mũi thứ,"
                                  "Ngày tiêm,Điểm tiêm\r\n"));
    assert_non_null(strstr(csv.s, "Nguyễn Văn An,01/03/1990,,001090000001,,,,"));
    assert_non_null(strstr(csv.s, ",ABV1234,1,15/10/2021,Trạm Y tế Tân Phong\r\n"));
    assert_int_equal(vax_export_fhir(t->db, 0, tdb_to_text, &json, &n), VAX_OK);
    assert_int_equal(n, 2);
    assert_non_null(strstr(json.s, "{\"resourceType\":\"Bundle\""));
    assert_non_null(strstr(json.s, "\"type\":\"collection\""));
    assert_non_null(strstr(json.s, "\"resourceType\":\"Patient\""));
    assert_non_null(strstr(json.s, "\"family\":\"Nguyễn\",\"given\":[\"Văn An\"]"));
    assert_non_null(strstr(json.s, "\"code\":\"EU/1/21/1529\""));
    assert_non_null(strstr(json.s, "\"lotNumber\":\"ABV1234\""));
    assert_non_null(strstr(json.s, "\"occurrenceDateTime\":\"2021-10-15T09:00:00+07:00\""));
    assert_non_null(strstr(json.s, "\"doseNumberPositiveInt\":1,\"seriesDosesPositiveInt\":2"));
    assert_non_null(strstr(json.s, "\"location\":{\"display\":\"Trạm Y tế Tân Phong\"}"));
    assert_null(strstr(json.s, "[,")); /* no comma before the first entry */
    /* since: only the later dose (and its patient) */
    assert_int_equal(vax_export_fhir(t->db, since, tdb_to_text, &later, &n), VAX_OK);
    assert_int_equal(n, 1);
    assert_null(strstr(later.s, "001090000001"));
    assert_non_null(strstr(later.s, "001160000002"));
    /* a voided dose: out of the CSV, entered-in-error in FHIR */
    vax_clock_advance(60);
    assert_int_equal(vax_dose_void(t->db, db_, "wrong person"), VAX_OK);
    free(csv.s);
    csv.s = NULL, csv.n = 0;
    free(later.s);
    later.s = NULL, later.n = 0;
    assert_int_equal(vax_export_national(t->db, since, tdb_to_text, &csv, &n), VAX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(vax_export_fhir(t->db, since, tdb_to_text, &later, &n), VAX_OK);
    assert_non_null(strstr(later.s, "\"status\":\"entered-in-error\""));
    free(csv.s);
    free(json.s);
    free(later.s);
    tdb_close(t);
}

/* Each catalogue product's Immunization names the product by its SNOMED CT and CVX codes
 * (products.conf), the codes a product has no official one in left out; the bundle, with a dose
 * of every product, is valid against HL7's FHIR R4 JSON schema (tests/data/fhir). */
static void test_fhir_names_every_product_by_snomed_and_cvx_and_validates(void **state)
{
    static const struct {
        const char *product, *codings;
    } want[] = {
        {"AZ", "{\"system\":\"http://snomed.info/sct\",\"code\":\"28761000087108\"},"
               "{\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"210\"}]"},
        {"CS", "{\"system\":\"http://snomed.info/sct\",\"code\":\"28961000087105\"}]"},
        {"PF", "{\"system\":\"http://snomed.info/sct\",\"code\":\"28581000087106\"},"
               "{\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"208\"}]"},
        {"MO", "{\"system\":\"http://snomed.info/sct\",\"code\":\"28571000087109\"},"
               "{\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"207\"}]"},
        {"SP", "{\"system\":\"http://snomed.info/sct\",\"code\":\"31301000087101\"},"
               "{\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"510\"}]"},
        {"SV", "{\"system\":\"http://snomed.info/sct\",\"code\":\"31341000087103\"},"
               "{\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"505\"}]"},
        {"AB", "{\"system\":\"http://snomed.info/sct\",\"code\":\"33391000087109\"}]"},
        {"JJ", "{\"system\":\"http://snomed.info/sct\",\"code\":\"28951000087107\"},"
               "{\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"212\"}]"},
        /* the children's formulation, last: a child, from CV 1535/BYT-DP (28/3/2022) */
        {"PFC", "{\"system\":\"http://hl7.org/fhir/sid/cvx\",\"code\":\"218\"}]"},
    };
    enum { N = sizeof want / sizeof want[0] };
    test_db *t = tdb_open();
    tdb_text json = {NULL, 0};
    int n = 0;
    (void)state;
    assert_int_equal(vax_site_set(t->db, "LC01", "Trạm Y tế Tân Phong", 0), VAX_OK);
    for (int i = 0; i < N; i++) {
        char id[16], lot_no[16];
        int64_t lot_id, vial;
        vax_product p;
        assert_int_equal(vax_product_get(t->db, want[i].product, &p), VAX_OK);
        int child = strcmp(want[i].product, "PFC") == 0;
        snprintf(id, sizeof id, child ? "0012150000%02d" : "0010900000%02d", i + 1);
        snprintf(lot_no, sizeof lot_no, "LOT%s1", want[i].product);
        if (child)
            vax_clock_set(T0 + (int64_t)168 * 86400); /* 1/4/2022 */
        int64_t pid = tdb_person(t, "Nguyễn Văn An", id, child ? "2015-03-01" : "1990-03-01", NULL);
        if (child)
            assert_int_equal(vax_person_guardian_set(t->db, pid, "Nguyễn Văn Bình", "0912345678"),
                             VAX_OK);
        vax_lot_in in = {want[i].product,          lot_no, "2022-12-31", 1, 0, VAX_DPV_CATALOGUE,
                         p.components > 1 ? 1 : 0, "CDC"};
        if (vax_stock_receive(t->db, &in, &lot_id) != VAX_OK)
            fail_msg("%s: %s", want[i].product, vax_errmsg(t->db));
        assert_int_equal(vax_stock_open_vial(t->db, lot_id, "injection", &vial), VAX_OK);
        dose_today(t, pid, vial);
    }
    assert_int_equal(vax_export_fhir(t->db, 0, tdb_to_text, &json, &n), VAX_OK);
    assert_int_equal(n, N);
    for (int i = 0; i < N; i++) {
        char expect[400];
        snprintf(expect, sizeof expect, "\"system\":\"urn:vaxsite:product\",\"code\":\"%s\"},%s",
                 want[i].product, want[i].codings);
        if (!strstr(json.s, expect))
            fail_msg("no %s in the bundle", expect);
    }
    assert_null(strstr(json.s, "[]"));
    /* every product of the catalogue is above */
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM product WHERE active"), N);

    const char *root = getenv("VAX_TEST_DATA");
    char bundle[] = "/tmp/vaxsite-fhir-XXXXXX", cmd[1024];
    int fd = mkstemp(bundle);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, json.s, json.n), (ssize_t)json.n);
    close(fd);
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json, sys, jsonschema\n"
             "s = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
             "assert s[\"id\"] == \"http://hl7.org/fhir/json-schema/4.0\"\n"
             "e = list(jsonschema.Draft6Validator(s).iter_errors("
             "json.load(open(sys.argv[2], encoding=\"utf-8\"))))\n"
             "print(*[x.message[:300] for x in e[:3]])\n"
             "sys.exit(1 if e else 0)' %s/fhir/fhir.schema.json %s",
             root ? root : "tests/data", bundle);
    int rc = system(cmd);
    unlink(bundle);
    assert_int_equal(rc, 0);
    free(json.s);
    tdb_close(t);
}

/* FHIR JSON forbids empty arrays: a bundle with no doses in it has no "entry" at all. */
static void test_an_empty_fhir_export_has_no_empty_array(void **state)
{
    test_db *t = tdb_open();
    tdb_text json = {NULL, 0};
    int n = -1;
    (void)state;
    assert_int_equal(vax_site_set(t->db, "LC01", "Trạm Y tế Tân Phong", 0), VAX_OK);
    assert_int_equal(vax_export_fhir(t->db, 0, tdb_to_text, &json, &n), VAX_OK);
    assert_int_equal(n, 0);
    assert_non_null(strstr(json.s, "{\"resourceType\":\"Bundle\""));
    assert_null(strstr(json.s, "\"entry\""));
    assert_null(strstr(json.s, "[]"));
    free(json.s);
    tdb_close(t);
}

static void test_exports_need_a_manager(void **state)
{
    test_db *t = tdb_open();
    tdb_text out = {NULL, 0};
    vax_staff s;
    (void)state;
    assert_int_equal(vax_staff_add(t->db, "boss", "Boss", VAX_ROLE_MANAGER, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_add(t->db, "nurse", "Nurse", VAX_ROLE_NURSE, "1234", NULL), VAX_OK);
    assert_int_equal(vax_staff_sign_in(t->db, "nurse", "1234", &s), VAX_OK);
    assert_int_equal(vax_export_national(t->db, 0, tdb_to_text, &out, NULL), VAX_EPERM);
    assert_int_equal(vax_export_fhir(t->db, 0, tdb_to_text, &out, NULL), VAX_EPERM);
    assert_null(out.s);
    tdb_close(t);
}

/* A row is not a second record of someone registered: its ID linked to a record (an old CMND
 * beside the CCCD) is that person; the same folded name and birth date under another ID is
 * reported with its line and not added, in a dry run and in the import alike. */
static void test_import_does_not_register_a_person_twice(void **state)
{
    (void)state;
    test_db *t = tdb_open();
    vax_import_result r;
    int64_t xuan = tdb_person(t, "Lò Thị Xuân", "062162000123", "1962-03-15", NULL);
    tdb_person(t, "Bùi Ngọc Trang", "012187000001", "1987-12-14", NULL);
    assert_int_equal(vax_person_link_id(t->db, xuan, "045123456", "old CMND"), VAX_OK);
    const char *csv = "Số CCCD;Họ và tên;Ngày sinh;Giới tính\n"
                      "045123456;Lò Thị Xuân;15/03/1962;Nữ\n"
                      "001187099999;BÙI NGỌC TRANG;14/12/1987;Nữ\n"
                      "001190054321;Lò Thị Hằng;15/03/1990;Nữ\n";
    for (int dry = 1; dry >= 0; dry--) {
        assert_int_equal(run(t, csv, dry, 0, 0, &r), VAX_OK);
        assert_int_equal(r.added, 1);
        assert_int_equal(r.unchanged + r.existing, 1); /* her record, left as it is */
        int candidate = 0, same = 0;
        for (int i = 0; i < r.nissues; i++) {
            if (!strcmp(r.issues[i].field, "duplicate")) {
                assert_int_equal(r.issues[i].line, 3);
                assert_int_equal(r.issues[i].error, 0);
                assert_non_null(strstr(r.issues[i].message, "Bùi Ngọc Trang"));
                assert_non_null(strstr(r.issues[i].message, "012187000001"));
                candidate++;
            } else if (r.issues[i].line == 2 && strstr(r.issues[i].message, "062162000123")) {
                same++;
            }
        }
        assert_int_equal(candidate, 1);
        assert_int_equal(same, 1);
        vax_import_result_free(&r);
    }
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM person WHERE full_name LIKE 'B%'"),
                     1);
    assert_int_equal(query_int(t->path, "SELECT count(*) FROM person WHERE national_id IN"
                                        " ('045123456', '001187099999')"),
                     0);
    assert_int_equal(persons(t), 3);
    tdb_close(t);
}

/* Every row of query, columns joined by '|' and rows by '\n' (free it). */
static char *dump(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    tdb_text out = {NULL, 0};
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    tdb_to_text("", 0, &out);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            tdb_to_text(v ? v : "NULL", strlen(v ? v : "NULL"), &out);
            tdb_to_text(c + 1 < sqlite3_column_count(st) ? "|" : "\n", 1, &out);
        }
    assert_int_equal(rc, SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return out.s;
}

static void assert_same(const char *a_path, const char *b_path, const char *sql)
{
    char *a = dump(a_path, sql), *b = dump(b_path, sql);
    if (strcmp(a, b) != 0)
        fail_msg("%s\nregistered one by one:\n%s\nimported:\n%s", sql, a, b);
    free(a);
    free(b);
}

/* The rowids the search index gives for a query, in order. */
static char *fts_ids(sqlite3 *s, const char *match)
{
    sqlite3_stmt *st = NULL;
    tdb_text out = {NULL, 0};
    tdb_to_text("", 0, &out);
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "SELECT rowid FROM person_fts WHERE person_fts MATCH ?1"
                                        " ORDER BY rowid",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char n[32];
        snprintf(n, sizeof n, "%lld ", (long long)sqlite3_column_int64(st, 0));
        tdb_to_text(n, strlen(n), &out);
    }
    sqlite3_finalize(st);
    return out.s;
}

/* An import writes what registering the same people one by one at the desk writes: the records,
 * the name words with their counts, the search index (every term and its short prefixes find the
 * same people), the outbox rows with the same bodies, in the same order, by the same actor; the
 * audit holds the one import row. Names carry what the word split and the index treat apart:
 * quotes, hyphen, brackets, a dot, an apostrophe, a backslash, a comma and a repeated word. */
static void test_an_import_writes_what_registering_one_by_one_writes(void **state)
{
    (void)state;
    static const struct {
        const char *name, *birth;
        char sex;
        const char *phone, *commune, *group;
    } people[] = {
        {"Nguyễn Văn An", "1990-03-01", 'm', "0912345678", "Phường Tân Phong", "G01"},
        {"Trần Thị Bình", "1960-07-15", 'f', "", "Xã Sơn Bình, Tam Đường", ""},
        {"Lê Văn \"Cường\"", "1950-01-02", 'm', "", "", ""},
        {"Hoàng-Anh Đức", "1985-12-31", 'm', "0987654321", "", "G05"},
        {"Nguyễn Nguyễn Văn Hòa", "2001-05-20", 'm', "0355555555", "Xã Bình Lư", ""},
        {"Phạm Thị (Út) Hoa", "1945-02-28", 'f', "", "", "G02"},
        {"Đặng Thị Mai.", "1970-10-10", 'f', "", "", ""},
        {"Vũ O'Neil", "1999-09-09", 'm', "0777777777", "", ""},
        {"Y Bhăm Ênuôl", "1980-01-01", 'm', "", "Xã Ea Tu", ""},
        {"Lò Thị Xuân", "1962-03-15", 'f', "", "", ""},
        {"Bùi Ngọc Trang", "1987-12-14", 'f', "0866666666", "", ""},
        {"Hà\\Nam Tú", "1975-06-06", 'f', "", "", ""},
        {"Trần, Văn Ba", "1955-11-11", 'm', "", "", ""},
        {"Nguyễn Văn Bình", "1991-04-04", 'm', "", "", ""},
    };
    enum { N = sizeof people / sizeof people[0] };
    test_db *one = tdb_open(), *list = tdb_open();
    test_db *both[2] = {one, list};
    /* people registered before, in both: the list's words add to their counts */
    for (int k = 0; k < 2; k++) {
        tdb_person(both[k], "Nguyễn Văn Bình", "001070000901", "1970-01-01", NULL);
        tdb_person(both[k], "Trần Thị Hoa", "001165000902", "1965-01-01", NULL);
    }
    tdb_text csv = {NULL, 0};
    const char *head = "Họ và tên;Ngày sinh;Giới tính;Số CCCD;Số điện thoại;Địa chỉ;Nhóm ưu tiên\n";
    tdb_to_text(head, strlen(head), &csv);
    for (int i = 0; i < N; i++) {
        vax_person p;
        memset(&p, 0, sizeof p);
        snprintf(p.full_name, sizeof p.full_name, "%s", people[i].name);
        tdb_cccd(p.national_id, atoi(people[i].birth), people[i].sex, 500 + i);
        snprintf(p.birth_date, sizeof p.birth_date, "%s", people[i].birth);
        p.sex = people[i].sex;
        snprintf(p.phone, sizeof p.phone, "%s", people[i].phone);
        snprintf(p.commune, sizeof p.commune, "%s", people[i].commune);
        snprintf(p.priority_group, sizeof p.priority_group, "%s", people[i].group);
        if (vax_person_add(one->db, &p) != VAX_OK)
            fail_msg("%s: %s", people[i].name, vax_errmsg(one->db));
        char line[600], name[300];
        size_t o = 0;
        for (const char *c = people[i].name; *c && o + 2 < sizeof name; c++) {
            if (*c == '"')
                name[o++] = '"';
            name[o++] = *c;
        }
        name[o] = 0;
        snprintf(line, sizeof line, "\"%s\";%.2s/%.2s/%.4s;%s;%s;%s;\"%s\";%s\n", name,
                 people[i].birth + 8, people[i].birth + 5, people[i].birth,
                 people[i].sex == 'm' ? "Nam" : "Nữ", p.national_id, people[i].phone,
                 people[i].commune, people[i].group);
        tdb_to_text(line, strlen(line), &csv);
    }
    vax_import_result r;
    vax_import_opts o = {0, 0, 0};
    assert_int_equal(vax_import_csv(list->db, "list.csv", csv.s, csv.n, &o, &r), VAX_OK);
    assert_int_equal(r.added, N);
    assert_int_equal(r.nissues, 0);
    vax_import_result_free(&r);
    free(csv.s);
    /* the records, and who wrote them when */
    assert_same(one->path, list->path,
                "SELECT id, national_id, insurance_no, full_name, name_folded, birth_date, sex,"
                " phone, commune, coalesce(priority_group, 'NULL'), version, created_at,"
                " updated_at, (SELECT login FROM staff s WHERE s.id = p.updated_by), merged_into"
                " FROM person p ORDER BY id");
    /* the name words and how many people carry each */
    assert_same(one->path, list->path, "SELECT term, n FROM name_word ORDER BY term");
    /* the outbox: one row per new person, in the same order, the same body but for the uuid */
    assert_same(one->path, list->path,
                "SELECT o.seq, o.kind, o.record_uuid = p.uuid, o.uuid = p.uuid, o.site,"
                " o.device = (SELECT value FROM setting WHERE key = 'sync.device_id'),"
                " o.device_seq, o.event_id, o.person_uuid, o.staff, o.at,"
                " replace(o.body, p.uuid, 'UUID') FROM sync_entry o"
                " LEFT JOIN person p ON p.uuid = o.record_uuid ORDER BY o.seq");
    assert_same(one->path, list->path,
                "SELECT seq, kind, at, length(body) FROM sync_outbox ORDER BY seq");
    /* the search index: every term of every person, and its prefixes, finds the same people */
    sqlite3 *s[2];
    for (int k = 0; k < 2; k++)
        assert_int_equal(sqlite3_open_v2(both[k]->path, &s[k], SQLITE_OPEN_READONLY, NULL),
                         SQLITE_OK);
    sqlite3_stmt *terms = NULL;
    assert_int_equal(sqlite3_prepare_v2(s[0], "SELECT terms FROM person_fts_terms ORDER BY id", -1,
                                        &terms, NULL),
                     SQLITE_OK);
    int queries = 0;
    while (sqlite3_step(terms) == SQLITE_ROW) {
        char all[600];
        snprintf(all, sizeof all, "%s", (const char *)sqlite3_column_text(terms, 0));
        /* the words as the index's tokenizer splits them */
        for (char *c = all; *c; c++)
            if (!isalnum((unsigned char)*c) && *c != '_' && (unsigned char)*c < 0x80)
                *c = ' ';
        for (char *save = NULL, *w = strtok_r(all, " ", &save); w; w = strtok_r(NULL, " ", &save))
            for (size_t len = 1; len <= strlen(w); len++) {
                char q[300];
                snprintf(q, sizeof q, "\"%.*s\"%s", (int)len, w, len < strlen(w) ? "*" : "");
                char *a = fts_ids(s[0], q), *b = fts_ids(s[1], q);
                if (strcmp(a, b) != 0)
                    fail_msg("%s: %s (one by one) != %s (imported)", q, a, b);
                assert_true(a[0] != 0);
                free(a);
                free(b);
                queries++;
            }
    }
    sqlite3_finalize(terms);
    assert_true(queries > 200);
    for (int k = 0; k < 2; k++)
        sqlite3_close(s[k]);
    static const char *const searches[] = {"nguyen van", "_nguyen",    "hoang anh",
                                           "ut hoa",     "o neil",     "huong",
                                           "bhăm 1980",  "cuong 1950", "mai 10/1970"};
    for (size_t i = 0; i < sizeof searches / sizeof searches[0]; i++) {
        vax_person a[20], b[20];
        int na = 0, nb = 0;
        assert_int_equal(vax_person_search(one->db, searches[i], a, 20, &na), VAX_OK);
        assert_int_equal(vax_person_search(list->db, searches[i], b, 20, &nb), VAX_OK);
        assert_int_equal(na, nb);
        for (int k = 0; k < na; k++)
            assert_int_equal(a[k].id, b[k].id);
    }
    /* the audit: a row per registration at the desk; one for the whole list, by the actor */
    assert_int_equal(query_int(one->path, "SELECT count(*) FROM audit WHERE action = 'person.add'"),
                     N + 2);
    char *audit = dump(list->path, "SELECT at, (SELECT login FROM staff s WHERE s.id = a.staff_id),"
                                   " action, entity, entity_id, details FROM audit a"
                                   " WHERE action LIKE 'person.%' ORDER BY id");
    char want[600];
    snprintf(want, sizeof want,
             "%lld|os:tester|person.add|person|1|001070000901\n"
             "%lld|os:tester|person.add|person|2|001165000902\n"
             "%lld|os:tester|person.import|person|0|list.csv: %d rows, %d added, 0 merged, 0 "
             "unchanged, 0 left, 0 refused\n",
             (long long)T0, (long long)T0, (long long)T0, N, N);
    assert_string_equal(audit, want);
    free(audit);
    tdb_close(one);
    tdb_close(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_csv_dialect_reads_the_same_people),
        cmocka_unit_test(test_import_does_not_register_a_person_twice),
        cmocka_unit_test(test_an_import_writes_what_registering_one_by_one_writes),
        cmocka_unit_test(test_each_broken_row_is_reported_with_its_line),
        cmocka_unit_test(test_an_over_long_commune_is_reported_not_cut),
        cmocka_unit_test(test_all_or_nothing_by_the_users_choice),
        cmocka_unit_test(test_an_id_already_registered_is_reported_or_merged_never_doubled),
        cmocka_unit_test(test_files_that_are_not_a_list_are_refused),
        cmocka_unit_test(test_title_rows_above_the_header_are_skipped),
        cmocka_unit_test(test_priority_groups_by_name_in_either_language_or_by_number),
        cmocka_unit_test(test_lost_zeros_phone_forms_and_invisible_characters),
        cmocka_unit_test(test_old_vietnamese_encodings_are_converted),
        cmocka_unit_test(test_garbled_text_is_refused_naming_its_line),
        cmocka_unit_test(test_a_sites_own_header_spellings),
        cmocka_unit_test(test_values_in_messages_are_not_cut_mid_character),
        cmocka_unit_test(test_exports_one_row_per_dose_and_a_fhir_bundle_since_a_time),
        cmocka_unit_test(test_an_empty_fhir_export_has_no_empty_array),
        cmocka_unit_test(test_fhir_names_every_product_by_snomed_and_cvx_and_validates),
        cmocka_unit_test(test_exports_need_a_manager),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
