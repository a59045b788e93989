/* test_fold.c: NFC on entry, Vietnamese-aware folding for search, and display width. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* A Vietnamese full name in NFC, the same name with the other tone placement (oà/òa, uý/úy, oè/òe)
 * where the name has such a syllable, and its folded form. */
struct name_case {
    const char *nfc;
    const char *other_tone; /* NULL if the name has no syllable with two placements */
    const char *folded;
};

static const struct name_case names[] = {
    {"Nguyễn Văn Hùng", NULL, "nguyen van hung"},
    {"Đặng Thị Ánh", NULL, "dang thi anh"},
    {"Trần Thị Thu Hòa", "Trần Thị Thu Hoà", "tran thi thu hoa"},
    {"Lê Thị Thủy", "Lê Thị Thuỷ", "le thi thuy"},
    {"Phạm Đăng Khoa", NULL, "pham dang khoa"},
    {"Hoàng Minh Khóa", "Hoàng Minh Khoá", "hoang minh khoa"},
    {"Vũ Thị Thúy", "Vũ Thị Thuý", "vu thi thuy"},
    {"Võ Văn Kiệt", NULL, "vo van kiet"},
    {"Bùi Xuân Phái", NULL, "bui xuan phai"},
    {"Đỗ Mười", NULL, "do muoi"},
    {"Hồ Xuân Hương", NULL, "ho xuan huong"},
    {"Ngô Bảo Châu", NULL, "ngo bao chau"},
    {"Dương Thu Hương", NULL, "duong thu huong"},
    {"Lý Thường Kiệt", NULL, "ly thuong kiet"},
    {"Trịnh Công Sơn", NULL, "trinh cong son"},
    {"Phan Bội Châu", NULL, "phan boi chau"},
    {"Huỳnh Tấn Phát", NULL, "huynh tan phat"},
    {"Lương Thế Vinh", NULL, "luong the vinh"},
    {"Tôn Nữ Thị Ninh", NULL, "ton nu thi ninh"},
    {"Quách Thị Hòe", "Quách Thị Hoè", "quach thi hoe"},
    {"Đoàn Thị Điểm", NULL, "doan thi diem"},
    {"Nguyễn Thị Định", NULL, "nguyen thi dinh"},
    {"Châu Văn Liêm", NULL, "chau van liem"},
    {"Trương Định", NULL, "truong dinh"},
    {"Giáp Văn Cương", NULL, "giap van cuong"},
    {"Mạc Đĩnh Chi", NULL, "mac dinh chi"},
    {"Âu Cơ", NULL, "au co"},
    {"Ưng Hoàng Phúc", NULL, "ung hoang phuc"},
    {"Lò Văn Giàng", NULL, "lo van giang"},
    {"Đinh Bộ Lĩnh", NULL, "dinh bo linh"},
    {"Triệu Thị Trinh", NULL, "trieu thi trinh"},
    {"Nông Đức Mạnh", NULL, "nong duc manh"},
    {"Kha Vạn Cân", NULL, "kha van can"},
    {"Tạ Quang Bửu", NULL, "ta quang buu"},
    {"Thái Thị Thùy", "Thái Thị Thuỳ", "thai thi thuy"},
    {"Mai Thị Họa", "Mai Thị Hoạ", "mai thi hoa"},
    {"ĐẶNG THỊ ÁNH", NULL, "dang thi anh"},
    {"Ông Ích Khiêm", NULL, "ong ich khiem"},
    {"Khổng Tú Quỳnh", NULL, "khong tu quynh"},
    {"Hà Thị Cầu", NULL, "ha thi cau"},
    {"Đàm Vĩnh Hưng", NULL, "dam vinh hung"},
    {"Trần Thị Ngọc Thỏa", "Trần Thị Ngọc Thoả", "tran thi ngoc thoa"},
    {"Y Ngông Niê Kdăm", NULL, "y ngong nie kdam"},
    {"H'Hen Niê", NULL, "h'hen nie"},
    {"Nguyễn Huy Tưởng", NULL, "nguyen huy tuong"},
    {"Phùng Khắc Khoan", NULL, "phung khac khoan"},
    {"Lê Thị Hồng Gấm", NULL, "le thi hong gam"},
    {"Lưu Hữu Phước", NULL, "luu huu phuoc"},
    {"Nguyễn Thị Oanh", NULL, "nguyen thi oanh"},
    {"Đồng Sỹ Nguyên", NULL, "dong sy nguyen"},
    {"NGUYỄN HỮU THỌ", NULL, "nguyen huu tho"},
};

#define NNAMES (sizeof names / sizeof names[0])

static char *nfd(const char *s)
{
    char *d = (char *)utf8proc_NFD((const utf8proc_uint8_t *)s);
    assert_non_null(d);
    return d;
}

static void assert_fold(const char *in, const char *expected)
{
    char *f = vax_text_fold(in);
    assert_non_null(f);
    assert_string_equal(f, expected);
    free(f);
}

static void assert_nfc(const char *in, const char *expected)
{
    char *f = vax_text_nfc(in);
    assert_non_null(f);
    assert_string_equal(f, expected);
    free(f);
}

/* Every byte sequence of s decodes as UTF-8 with no invalid sequence left. */
static void assert_valid_utf8(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p, -1, &cp);
        assert_true(len > 0);
        p += len;
    }
}

static void test_name_table_is_large_enough(void **state)
{
    (void)state;
    assert_true(NNAMES >= 40);
}

static void test_fold_nfc_names_gives_expected(void **state)
{
    (void)state;
    for (size_t i = 0; i < NNAMES; i++)
        assert_fold(names[i].nfc, names[i].folded);
}

static void test_fold_nfd_names_gives_same_as_nfc(void **state)
{
    (void)state;
    size_t differ = 0;
    for (size_t i = 0; i < NNAMES; i++) {
        char *d = nfd(names[i].nfc);
        if (strcmp(d, names[i].nfc) != 0)
            differ++;
        assert_fold(d, names[i].folded);
        free(d);
    }
    /* The NFD forms really are other bytes (only a name with no marks at all would not be). */
    assert_true(differ >= 40);
}

static void test_fold_other_tone_placement_gives_same(void **state)
{
    (void)state;
    int with_other = 0;
    for (size_t i = 0; i < NNAMES; i++) {
        if (!names[i].other_tone)
            continue;
        with_other++;
        assert_string_not_equal(names[i].other_tone, names[i].nfc);
        assert_fold(names[i].other_tone, names[i].folded);
        char *d = nfd(names[i].other_tone);
        assert_fold(d, names[i].folded);
        free(d);
    }
    assert_true(with_other >= 8);
}

static void test_fold_pairs_of_tone_placement(void **state)
{
    (void)state;
    static const char *pairs[][3] = {
        {"hoà", "hòa", "hoa"},    {"thuý", "thúy", "thuy"}, {"Khoá", "Khóa", "khoa"},
        {"Thuỷ", "Thủy", "thuy"}, {"hoè", "hòe", "hoe"},    {"Loã", "Lõa", "loa"},
        {"Tuỳ", "Tùy", "tuy"},    {"quỹ", "qũy", "quy"},    {"Xoạ", "Xọa", "xoa"},
        {"HOÀ", "HÒA", "hoa"},    {"Uý", "Úy", "uy"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        assert_fold(pairs[i][0], pairs[i][2]);
        assert_fold(pairs[i][1], pairs[i][2]);
    }
}

static void test_nfc_of_nfd_name_is_nfc(void **state)
{
    (void)state;
    for (size_t i = 0; i < NNAMES; i++) {
        char *d = nfd(names[i].nfc);
        assert_nfc(d, names[i].nfc);
        assert_nfc(names[i].nfc, names[i].nfc);
        free(d);
    }
}

static void test_nfc_keeps_tone_placement(void **state)
{
    (void)state;
    /* NFC does not move a tone mark: the spelling the person gave is kept, only search folds. */
    assert_nfc("Hoà", "Hoà");
    assert_nfc("Hòa", "Hòa");
}

static void test_fold_escaped_nfd_bytes(void **state)
{
    (void)state;
    /* "Nguyễn" as N g u y e U+0302 U+0303 n, "Đặng" as U+0110 a U+0323 U+0306 n g. */
    assert_fold("Nguye\xCC\x82\xCC\x83n", "nguyen");
    assert_fold("\xC4\x90"
                "a\xCC\xA3\xCC\x86ng",
                "dang");
    assert_nfc("Nguye\xCC\x82\xCC\x83n", "Nguy\xE1\xBB\x85n");
}

static void test_fold_d_with_stroke(void **state)
{
    (void)state;
    assert_fold("Đ", "d");
    assert_fold("đ", "d");
    assert_fold("ĐĐđđ", "dddd");
    assert_fold("Đường", "duong");
}

static void test_fold_collapses_whitespace(void **state)
{
    (void)state;
    assert_fold("  Nguyễn   Văn\t\tHùng  ", "nguyen van hung");
    assert_fold("Nguyễn\xC2\xA0Văn \xC2\xA0 Hùng", "nguyen van hung");
    assert_fold("\t\n Nguyễn\r\nVăn\nHùng\n", "nguyen van hung");
}

static void test_nfc_collapses_and_trims_whitespace(void **state)
{
    (void)state;
    assert_nfc("   Nguyễn    Văn   Hùng   ", "Nguyễn Văn Hùng");
    assert_nfc("\tĐặng\t\tThị Ánh\t", "Đặng Thị Ánh");
    assert_nfc("Đặng\xC2\xA0Thị", "Đặng Thị");
    assert_nfc("   ", "");
    assert_nfc("\t \xC2\xA0 \t", "");
}

static void test_nfc_replaces_invalid_byte_with_fffd(void **state)
{
    (void)state;
    assert_nfc("\xFF", "\xEF\xBF\xBD");
    assert_nfc("a\xFF"
               "b",
               "a\xEF\xBF\xBD"
               "b");
    assert_nfc("Ho\xE0", "Ho\xEF\xBF\xBD");                               /* a Latin-1 à */
    assert_nfc("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD");                   /* overlong '/' */
    assert_nfc("\xED\xA0\x80x", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx"); /* a surrogate */
}

static void test_nfc_invalid_utf8_never_crashes(void **state)
{
    (void)state;
    static const char *bad[] = {
        "\x80",
        "\xBF\xBF",
        "\xC3",
        "\xE1\xBB",
        "Nguy\xE1\xBB",
        "\xF0\x9F\x98",
        "\xF8\x88\x80\x80\x80",
        "\xFE\xFF",
        "\xF4\x90\x80\x80",
        "\xC3\x28",
        "\xE2\x28\xA1",
        "Tr\xE1\xBA\xA7n\xFF\xFE Th\xE1",
        "\xCC\x80\xCC\x81",
        "\xC2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *n = vax_text_nfc(bad[i]);
        char *f = vax_text_fold(bad[i]);
        assert_non_null(n);
        assert_non_null(f);
        assert_valid_utf8(n);
        assert_valid_utf8(f);
        /* A lone combining mark (last case) is valid; every other case had a bad byte. */
        if (i != 12)
            assert_non_null(strstr(n, "\xEF\xBF\xBD"));
        assert_true(vax_text_width(bad[i]) >= 0);
        free(n);
        free(f);
    }
}

static void test_nfc_turns_control_characters_into_spaces(void **state)
{
    (void)state;
    assert_nfc("Nguyễn\x01Văn\x1FHùng", "Nguyễn Văn Hùng");
    assert_nfc("Nguyễn\x7FVăn", "Nguyễn Văn");
    assert_nfc("Nguyễn\xC2\x85Văn", "Nguyễn Văn"); /* U+0085, a C1 control */
    assert_nfc("\x1B[31mĐỏ", "[31mĐỏ");
    assert_nfc("\x07\x08", "");
    assert_fold("Hùng\x1B\x1B"
                "Anh",
                "hung anh");
}

static void test_empty_and_null_text(void **state)
{
    (void)state;
    assert_nfc("", "");
    assert_fold("", "");
    assert_nfc(NULL, "");
    assert_fold(NULL, "");
    assert_int_equal(vax_text_width(""), 0);
    assert_int_equal(vax_text_width(NULL), 0);
}

static void test_fold_keeps_digits_and_punctuation(void **state)
{
    (void)state;
    assert_fold("Phòng 12A", "phong 12a");
    assert_fold("Xã Đồng-Tâm", "xa dong-tam");
    assert_fold("Số 7, Ngõ 45", "so 7, ngo 45");
}

static void test_width_of_vietnamese_is_one_per_letter(void **state)
{
    (void)state;
    assert_int_equal(vax_text_width("Nguyễn Văn Hùng"), 15);
    assert_int_equal(vax_text_width("Đặng Thị Ánh"), 12);
    assert_int_equal(vax_text_width("ỮỪỬỰỨ"), 5);
    for (size_t i = 0; i < NNAMES; i++) {
        char *d = nfd(names[i].nfc);
        int w = vax_text_width(names[i].nfc);
        /* One column per letter, so the width equals the length of the folded ASCII form. */
        assert_int_equal(w, (int)strlen(names[i].folded));
        /* Combining marks take no column: the NFD form is just as wide. */
        assert_int_equal(vax_text_width(d), w);
        free(d);
    }
}

static void test_width_of_cjk_is_two_per_character(void **state)
{
    (void)state;
    assert_int_equal(vax_text_width("中文"), 4);
    assert_int_equal(vax_text_width("越南"), 4);
    assert_int_equal(vax_text_width("Lê 李"), 5);
    assert_int_equal(vax_text_width("ｶ"), 1);    /* half-width katakana */
    assert_int_equal(vax_text_width("ＡＢ"), 4); /* full-width Latin */
}

static void test_width_counts_invalid_bytes_as_one(void **state)
{
    (void)state;
    assert_int_equal(vax_text_width("\xFF"), 1);
    assert_int_equal(vax_text_width("a\xFF\xFE"
                                    "b"),
                     4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_table_is_large_enough),
        cmocka_unit_test(test_fold_nfc_names_gives_expected),
        cmocka_unit_test(test_fold_nfd_names_gives_same_as_nfc),
        cmocka_unit_test(test_fold_other_tone_placement_gives_same),
        cmocka_unit_test(test_fold_pairs_of_tone_placement),
        cmocka_unit_test(test_nfc_of_nfd_name_is_nfc),
        cmocka_unit_test(test_nfc_keeps_tone_placement),
        cmocka_unit_test(test_fold_escaped_nfd_bytes),
        cmocka_unit_test(test_fold_d_with_stroke),
        cmocka_unit_test(test_fold_collapses_whitespace),
        cmocka_unit_test(test_nfc_collapses_and_trims_whitespace),
        cmocka_unit_test(test_nfc_replaces_invalid_byte_with_fffd),
        cmocka_unit_test(test_nfc_invalid_utf8_never_crashes),
        cmocka_unit_test(test_nfc_turns_control_characters_into_spaces),
        cmocka_unit_test(test_empty_and_null_text),
        cmocka_unit_test(test_fold_keeps_digits_and_punctuation),
        cmocka_unit_test(test_width_of_vietnamese_is_one_per_letter),
        cmocka_unit_test(test_width_of_cjk_is_two_per_character),
        cmocka_unit_test(test_width_counts_invalid_bytes_as_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
