/* person.c: the registry: validation of each field, add, edit with history, lookup and search. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- field validators ---------------------------------------------------------------------- */

/* Province codes of the 12-digit citizen identity card (CCCD), Circular 07/2016/TT-BCA, appendix:
 * the 63 provinces, numbered 001-096 with gaps. */
static const short cccd_provinces[] = {
    1,  2,  4,  6,  8,  10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33,
    34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66,
    67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96};

static int is_cccd_province(int code)
{
    for (size_t i = 0; i < sizeof cccd_provinces / sizeof cccd_provinces[0]; i++)
        if (cccd_provinces[i] == code)
            return 1;
    return 0;
}

/* Copies the digits of in to out, skipping spaces, dots and dashes; -1 on any other character. */
static int digits_only(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; *in; in++) {
        if (*in == ' ' || *in == '.' || *in == '-')
            continue;
        if (!isdigit((unsigned char)*in) || n + 1 >= size)
            return -1;
        out[n++] = *in;
    }
    out[n] = 0;
    return (int)n;
}

/* A site-made identifier as vax_person_site_id makes it: the prefix and 9 characters of Crockford's
 * base32, upper case; 0 if `in` is not one. */
static int site_made_id(const char *in, char out[13])
{
    static const char alphabet[] = VAX_SITE_ID_ALPHABET;
    const size_t plen = sizeof VAX_SITE_ID_PREFIX - 1;
    char u[16];
    size_t n = 0;
    while (*in == ' ')
        in++;
    for (; *in && *in != ' ' && n < sizeof u - 1; in++)
        u[n++] = (char)toupper((unsigned char)*in);
    u[n] = 0;
    while (*in == ' ')
        in++;
    if (*in || n != 12 || strncmp(u, VAX_SITE_ID_PREFIX, plen) != 0)
        return 0;
    for (size_t i = plen; i < n; i++)
        if (!strchr(alphabet, u[i]))
            return 0;
    memcpy(out, u, n + 1);
    return 1;
}

int vax_validate_national_id(const char *in, char out[13], char *msg, size_t msgsize)
{
    char d[32];
    /* someone without papers: the identifier the site made for them */
    if (in && site_made_id(in, d)) {
        memcpy(out, d, 13);
        return VAX_OK;
    }
    int n = digits_only(in ? in : "", d, sizeof d);
    if (n == 0) {
        snprintf(msg, msgsize, "%s", _("ID number: missing (12-digit CCCD or 9-digit CMND)."));
        return VAX_EINVAL;
    }
    if (n < 0) {
        snprintf(msg, msgsize, "%s",
                 _("ID number: only digits are allowed (12-digit CCCD or 9-digit CMND)."));
        return VAX_EINVAL;
    }
    if (n == 12) {
        int province = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
        if (!is_cccd_province(province)) {
            snprintf(msg, msgsize,
                     _("ID number: %.3s is not a province code; a 12-digit CCCD starts with the "
                       "code of the province of birth (001-096)."),
                     d);
            return VAX_EINVAL;
        }
    } else if (n == 9) {
        if (strcmp(d, "000000000") == 0) {
            snprintf(msg, msgsize, "%s", _("ID number: 000000000 is not a real CMND."));
            return VAX_EINVAL;
        }
    } else {
        snprintf(msg, msgsize,
                 _("ID number: has %d digits; a CCCD has 12 digits and a CMND has 9."), n);
        return VAX_EINVAL;
    }
    memcpy(out, d, (size_t)n + 1);
    return VAX_OK;
}

/* Returns 0 when the CCCD agrees with the birth date and sex, 1 when the year disagrees, 2 when the
 * sex does (msg says which). The 4th digit of a CCCD encodes the century of birth and the sex
 * (Circular 07/2016/TT-BCA): 0/1 = 20th century male/female, 2/3 = 21st, 4/5 = 22nd ...; digits 5-6
 * are the year. */
static int check_cccd_against(const char *id, const char *birth_date, char sex, char *msg,
                              size_t msgsize)
{
    int code, century, year, yy;
    /* a birth year alone (a person without papers, an old card) is still checked */
    if (strlen(id) != 12 || !isdigit((unsigned char)id[0]) || strlen(birth_date) < 4)
        return 0; /* a CMND, or an identifier the site made */
    code = id[3] - '0';
    century = 1900 + (code / 2) * 100;
    yy = (id[4] - '0') * 10 + (id[5] - '0');
    year = atoi(birth_date);
    if (code > 5) {
        snprintf(msg, msgsize,
                 _("ID number: the 4th digit of a CCCD (%d) gives the century and sex of birth and "
                   "must be 0 to 5."),
                 code);
        return 1;
    }
    if (century + yy != year) {
        snprintf(msg, msgsize,
                 _("ID number: this CCCD is of someone born in %d, but the birth date says %d; "
                   "check both."),
                 century + yy, year);
        return 1;
    }
    if (sex && ((code % 2 == 0) != (sex == 'm'))) {
        snprintf(msg, msgsize, "%s",
                 code % 2 == 0 ? _("Sex: this CCCD belongs to a man; check the sex or the ID.")
                               : _("Sex: this CCCD belongs to a woman; check the sex or the ID."));
        return 2;
    }
    return 0;
}

int vax_validate_phone(const char *in, char out[16], char *msg, size_t msgsize)
{
    char d[32];
    const char *p = in ? in : "";
    int n, plus = 0;
    while (*p == ' ')
        p++;
    if (*p == '+') {
        plus = 1;
        p++;
    }
    n = digits_only(p, d, sizeof d);
    if (n == 0 && !plus) {
        out[0] = 0;
        return VAX_OK; /* phone is optional */
    }
    if (n < 0) {
        snprintf(msg, msgsize, "%s", _("Phone: only digits, spaces and a leading + are allowed."));
        return VAX_EINVAL;
    }
    if (n == 11 && strncmp(d, "84", 2) == 0) { /* +84 912 345 678 -> 0912345678 */
        memmove(d + 1, d + 2, 10);
        d[0] = '0';
        n = 10;
    } else if (plus) {
        snprintf(msg, msgsize, "%s", _("Phone: a number with + must be +84 and 9 more digits."));
        return VAX_EINVAL;
    }
    if (n == 11 && d[0] == '0' && d[1] == '1') {
        snprintf(msg, msgsize, "%s",
                 _("Phone: this is an old 11-digit number; since 2018 mobile numbers have 10 "
                   "digits (e.g. 0162... became 032...)."));
        return VAX_EINVAL;
    }
    /* Mobile ranges in use since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x. */
    if (n != 10 || d[0] != '0' || !strchr("35789", d[1])) {
        snprintf(msg, msgsize, "%s",
                 _("Phone: a Vietnamese mobile number has 10 digits and starts with 03, 05, 07, "
                   "08 or 09 (or +84)."));
        return VAX_EINVAL;
    }
    memcpy(out, d, 11);
    return VAX_OK;
}

/* The year (and month, m > 0) of a birth date known no better: checked as a full date is. */
static int partial_birth(int y, int m, char out[11], char *msg, size_t msgsize)
{
    char today[11], iso[16];
    if (y < 1900) {
        snprintf(msg, msgsize, _("Birth date: the year %d is before 1900."), y);
        return VAX_EINVAL;
    }
    if (m)
        snprintf(iso, sizeof iso, "%04d-%02d", y, m);
    else
        snprintf(iso, sizeof iso, "%04d", y);
    vax_local_date(vax_now(), today);
    /* its first day must not be in the future */
    if (strncmp(iso, today, strlen(iso)) > 0) {
        snprintf(msg, msgsize, _("Birth date: %s is in the future."), iso);
        return VAX_EINVAL;
    }
    vax_strlcpy(out, iso, 11);
    return VAX_OK;
}

/* A birth date as the registry keeps it: YYYY-MM-DD, or YYYY-MM or YYYY alone for someone who
 * knows no more (elderly people without papers; the EU DCC's dob allows the same). Ages and
 * comparisons take such a date as its first day, as civil registration does when the day or the
 * month of birth is unknown; as text it sorts before every full date of its month or year, so
 * that "born on or before" in SQL agrees. */
int vax_validate_birth_date(const char *in, char out[11], char *msg, size_t msgsize)
{
    int d = 0, m = 0, y = 0, n = 0;
    char today[11];
    const char *s = in ? in : "";
    while (*s == ' ')
        s++;
    if (!*s) {
        snprintf(msg, msgsize, "%s", _("Birth date: missing (dd/mm/yyyy)."));
        return VAX_EINVAL;
    }
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10) {
        /* ISO */
    } else if ((sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 ||
                sscanf(s, "%2d-%2d-%4d%n", &d, &m, &y, &n) == 3 ||
                sscanf(s, "%2d.%2d.%4d%n", &d, &m, &y, &n) == 3) &&
               n >= 8 && y >= 1000) {
        /* dd/mm/yyyy */
    } else if (((sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7) ||
                ((sscanf(s, "%2d/%4d%n", &m, &y, &n) == 2 ||
                  sscanf(s, "%2d.%4d%n", &m, &y, &n) == 2) &&
                 n >= 6 && y >= 1000)) &&
               !s[n + strspn(s + n, " ")]) {
        /* the month and the year */
        if (m < 1 || m > 12) {
            snprintf(msg, msgsize, _("Birth date: %02d/%04d has no such month."), m, y);
            return VAX_EINVAL;
        }
        return partial_birth(y, m, out, msg, msgsize);
    } else if (sscanf(s, "%4d%n", &y, &n) == 1 && n == 4 && !s[n + strspn(s + n, " ")]) {
        /* the year alone */
        return partial_birth(y, 0, out, msg, msgsize);
    } else {
        snprintf(msg, msgsize, _("Birth date: \"%.20s\" is not a date; write dd/mm/yyyy."), s);
        return VAX_EINVAL;
    }
    s += n;
    while (*s == ' ')
        s++;
    if (*s) {
        snprintf(msg, msgsize, _("Birth date: \"%.20s\" is not a date; write dd/mm/yyyy."), in);
        return VAX_EINVAL;
    }
    if (m < 1 || m > 12 || d < 1 || d > vax_days_in_month(y, m)) {
        snprintf(msg, msgsize, _("Birth date: %02d/%02d/%04d does not exist."), d, m, y);
        return VAX_EINVAL;
    }
    if (y < 1900) {
        snprintf(msg, msgsize, _("Birth date: the year %d is before 1900."), y);
        return VAX_EINVAL;
    }
    char iso[48];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    vax_strlcpy(out, iso, 11);
    vax_local_date(vax_now(), today);
    if (strcmp(out, today) > 0) {
        snprintf(msg, msgsize, _("Birth date: %02d/%02d/%04d is in the future."), d, m, y);
        return VAX_EINVAL;
    }
    return VAX_OK;
}

/* Health insurance: the 15-character card number (2 letters + 13 digits) or, since 2021, the
 * 10-digit social insurance number. Optional. */
int vax_validate_insurance_no(const char *in, char out[16], char *msg, size_t msgsize)
{
    char b[32];
    size_t n = 0;
    for (const char *p = in ? in : ""; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (!isalnum((unsigned char)*p) || n + 1 >= sizeof b)
            goto bad;
        b[n++] = (char)toupper((unsigned char)*p);
    }
    b[n] = 0;
    if (n == 0) {
        out[0] = 0;
        return VAX_OK;
    }
    if (n == 10) {
        for (size_t i = 0; i < 10; i++)
            if (!isdigit((unsigned char)b[i]))
                goto bad;
    } else if (n == 15) {
        if (!isalpha((unsigned char)b[0]) || !isalpha((unsigned char)b[1]))
            goto bad;
        for (size_t i = 2; i < 15; i++)
            if (!isdigit((unsigned char)b[i]))
                goto bad;
    } else {
        goto bad;
    }
    memcpy(out, b, n + 1);
    return VAX_OK;
bad:
    snprintf(msg, msgsize, "%s",
             _("Insurance no.: use the 15-character card number (2 letters and 13 digits) or "
               "the 10-digit social insurance number."));
    return VAX_EINVAL;
}

int vax_age_on(const char *birth_date, const char *on)
{
    int by, bm = 1, bd = 1, y, m, d;
    /* a year or a year and month alone: its first day (see vax_validate_birth_date) */
    if (sscanf(birth_date, "%d-%d-%d", &by, &bm, &bd) < 1 || strlen(birth_date) < 4 ||
        sscanf(on, "%d-%d-%d", &y, &m, &d) != 3)
        return -1;
    int age = y - by;
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

int vax_age_band(int age)
{
    if (age >= 65)
        return 0;
    if (age >= 50)
        return 1;
    if (age >= 18)
        return 2;
    return 3;
}

/* ---- whole-record validation ------------------------------------------------------------- */

static int group_exists(vax_db *db, const char *code)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT 1 FROM priority_group WHERE code = ?1");
    int rc;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW;
}

static int has_digit(const char *s)
{
    for (; *s; s++)
        if (isdigit((unsigned char)*s))
            return 1;
    return 0;
}

/* Normalises every field of p in place; on the first bad field, fails naming it. */
static int validate_person(vax_db *db, vax_person *p)
{
    char msg[256];
    char *name;
    if (vax_validate_national_id(p->national_id, p->national_id, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "national_id", "%s", msg);
    if (!(name = vax_text_nfc(p->full_name)))
        return VAX_ENOMEM;
    if (!*name || has_digit(name) || vax_text_width(name) > 80) {
        int empty = !*name, digits = *name && has_digit(name);
        free(name);
        return vax_fail(db, VAX_EINVAL, "full_name", "%s",
                        empty    ? _("Full name: missing.")
                        : digits ? _("Full name: must not contain digits.")
                                 : _("Full name: longer than 80 characters."));
    }
    vax_strlcpy(p->full_name, name, sizeof p->full_name);
    free(name);
    if (vax_validate_birth_date(p->birth_date, p->birth_date, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "birth_date", "%s", msg);
    if (p->sex && p->sex != 'm' && p->sex != 'f')
        return vax_fail(db, VAX_EINVAL, "sex", "%s", _("Sex: m (male) or f (female)."));
    int cccd = check_cccd_against(p->national_id, p->birth_date, p->sex, msg, sizeof msg);
    if (cccd != 0)
        return vax_fail(db, VAX_EINVAL, cccd == 2 ? "sex" : "national_id", "%s", msg);
    if (vax_validate_phone(p->phone, p->phone, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "phone", "%s", msg);
    if (vax_validate_insurance_no(p->insurance_no, p->insurance_no, msg, sizeof msg) != VAX_OK)
        return vax_fail(db, VAX_EINVAL, "insurance_no", "%s", msg);
    if (!(name = vax_text_nfc(p->commune)))
        return VAX_ENOMEM;
    vax_strlcpy(p->commune, name, sizeof p->commune);
    free(name);
    if (!(name = vax_text_nfc(p->ethnicity)))
        return VAX_ENOMEM;
    int long_name = strlen(name) >= sizeof p->ethnicity || vax_text_width(name) > 40;
    vax_strlcpy(p->ethnicity, name, sizeof p->ethnicity);
    free(name);
    if (long_name)
        return vax_fail(db, VAX_EINVAL, "ethnicity", "%s",
                        _("Ethnicity: at most 40 characters (the group's name, e.g. Thái, Mông)."));
    if (p->priority_group[0] && !group_exists(db, p->priority_group))
        return vax_fail(db, VAX_EINVAL, "priority_group",
                        _("Priority group: %s is not a known group."), p->priority_group);
    return VAX_OK;
}

/* ---- reading ----------------------------------------------------------------------------- */

#define PERSON_COLS                                                                                \
    "p.id, p.uuid, p.national_id, p.insurance_no, p.full_name, p.birth_date, p.sex, p.phone, "     \
    "p.commune, p.priority_group, p.ethnicity"
/* A file held at a step before 27 (the upgrade tests write through such a handle) has no
 * ethnicity: NEW_OR_OLD(db, a, b) is the statement a, or b on such a file. */
#define PERSON_COLS_V26                                                                            \
    "p.id, p.uuid, p.national_id, p.insurance_no, p.full_name, p.birth_date, p.sex, p.phone, "     \
    "p.commune, p.priority_group, ''"
#define NEW_OR_OLD(db, a, b) (vax_db_schema_version(db) >= 27 ? (a) : (b))

static void row_to_person(sqlite3_stmt *st, vax_person *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, 0);
    vax_strlcpy(p->uuid, vax_col_text(st, 1), sizeof p->uuid);
    vax_strlcpy(p->national_id, vax_col_text(st, 2), sizeof p->national_id);
    vax_strlcpy(p->insurance_no, vax_col_text(st, 3), sizeof p->insurance_no);
    vax_strlcpy(p->full_name, vax_col_text(st, 4), sizeof p->full_name);
    vax_strlcpy(p->birth_date, vax_col_text(st, 5), sizeof p->birth_date);
    p->sex = vax_col_text(st, 6)[0];
    vax_strlcpy(p->phone, vax_col_text(st, 7), sizeof p->phone);
    vax_strlcpy(p->commune, vax_col_text(st, 8), sizeof p->commune);
    vax_strlcpy(p->priority_group, vax_col_text(st, 9), sizeof p->priority_group);
    vax_strlcpy(p->ethnicity, vax_col_text(st, 10), sizeof p->ethnicity);
}

static int get_one(vax_db *db, sqlite3_stmt *st, vax_person *out, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_to_person(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return VAX_OK;
    if (rc == SQLITE_DONE)
        return vax_fail(db, VAX_ENOTFOUND, NULL, _("Nobody is registered with %s."), what);
    return vax_fail_sql(db, rc, _("reading the registry"));
}

int vax_person_get(vax_db *db, int64_t id, vax_person *out)
{
    char what[32];
    sqlite3_stmt *st =
        vax_stmt(db, NEW_OR_OLD(db, "SELECT " PERSON_COLS " FROM person p WHERE p.id = ?1",
                                "SELECT " PERSON_COLS_V26 " FROM person p WHERE p.id = ?1"));
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, id);
    snprintf(what, sizeof what, "#%lld", (long long)id);
    return get_one(db, st, out, what);
}

int vax_person_by_national_id(vax_db *db, const char *national_id, vax_person *out)
{
    /* the main ID or one of the others (person_id); a merged record's ID gives the survivor */
#define BY_ID(cols)                                                                                \
    "SELECT " cols " FROM person p WHERE p.id = coalesce("                                         \
    "(SELECT coalesce(q.merged_into, q.id) FROM person q WHERE q.national_id = ?1),"               \
    " (SELECT i.person_id FROM person_id i WHERE i.value = ?1))"
    sqlite3_stmt *st = vax_stmt(db, NEW_OR_OLD(db, BY_ID(PERSON_COLS), BY_ID(PERSON_COLS_V26)));
#undef BY_ID
    /* a file held at a step before person_id (the upgrade tests write through such a handle) */
    if (!st && vax_db_schema_version(db) < 17) {
        vax_clear_error(db);
        st = vax_stmt(db, "SELECT " PERSON_COLS_V26 " FROM person p WHERE p.national_id = ?1");
    }
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, national_id, -1, SQLITE_STATIC);
    return get_one(db, st, out, national_id);
}

/* ---- writing ----------------------------------------------------------------------------- */

static int refuse_duplicate_id(vax_db *db, const vax_person *p)
{
    vax_person other;
    int rc = vax_person_by_national_id(db, p->national_id, &other);
    if (rc == VAX_ENOTFOUND) {
        vax_clear_error(db);
        return VAX_OK;
    }
    if (rc != VAX_OK)
        return rc;
    if (other.id == p->id)
        return VAX_OK;
    char born[11];
    vax_date_dmy(other.birth_date, born);
    return vax_fail(db, VAX_EEXIST, "national_id",
                    _("ID number: %s is already registered to %s (born %s)."), p->national_id,
                    other.full_name, born);
}

void vax_person_bind_fields(sqlite3_stmt *st, const vax_person *p, const char *folded)
{
    char sex[2] = {p->sex, 0};
    sqlite3_bind_text(st, 2, p->national_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->insurance_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->full_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, folded, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, p->birth_date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, sex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, p->phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, p->commune, -1, SQLITE_STATIC);
    if (p->priority_group[0])
        sqlite3_bind_text(st, 10, p->priority_group, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 10);
    sqlite3_bind_text(st, 13, p->ethnicity, -1, SQLITE_STATIC);
}

int vax_person_add(vax_db *db, vax_person *p)
{
    char *folded = NULL;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_PERSON_WRITE)) != VAX_OK)
        return rc;
    p->id = 0;
    if ((rc = validate_person(db, p)) != VAX_OK)
        return rc;
    if (!(folded = vax_text_fold(p->full_name)))
        return VAX_ENOMEM;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = refuse_duplicate_id(db, p)) != VAX_OK)
        goto fail;
    if ((rc = vax_uuid(p->uuid)) != VAX_OK)
        goto fail;
    sqlite3_stmt *st = vax_stmt(
        db, NEW_OR_OLD(db,
                       "INSERT INTO person(uuid, national_id, insurance_no, full_name, name_folded,"
                       " birth_date, sex, phone, commune, priority_group, created_at, updated_at,"
                       " updated_by, ethnicity)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13)",
                       "INSERT INTO person(uuid, national_id, insurance_no, full_name, name_folded,"
                       " birth_date, sex, phone, commune, priority_group, created_at, updated_at,"
                       " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11,"
                       " ?12)"));
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, p->uuid, -1, SQLITE_STATIC);
    vax_person_bind_fields(st, p, folded);
    sqlite3_bind_int64(st, 11, vax_now());
    sqlite3_bind_int64(st, 12, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("registering a person"));
        goto fail;
    }
    p->id = sqlite3_last_insert_rowid(db->sql);
    if ((rc = vax_audit(db, "person.add", "person", p->id, p->national_id)) != VAX_OK)
        goto fail;
    rc = vax_tx_commit(db);
    if (rc != VAX_OK)
        p->id = 0;
    goto out;
fail:
    vax_tx_rollback(db);
    p->id = 0;
out:
    free(folded);
    return rc;
}

int vax_person_history_keep(vax_db *db, int64_t person_id, const char *reason, int64_t now)
{
    sqlite3_stmt *st = vax_stmt(
        db,
        "INSERT INTO person_history(person_id, version, national_id, insurance_no, full_name,"
        " birth_date, sex, phone, commune, priority_group, ethnicity, reason, replaced_at,"
        " replaced_by) SELECT id, version, national_id, insurance_no, full_name, birth_date,"
        " sex, phone, commune, priority_group, ethnicity, ?2, ?3, ?4 FROM person WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, reason ? reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    if (vax_actor_id(db))
        sqlite3_bind_int64(st, 4, vax_actor_id(db));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("saving a person's history"));
}

int vax_person_write_update(vax_db *db, const vax_person *p, const char *folded, const char *reason,
                            int64_t now)
{
    int rc = vax_person_history_keep(db, p->id, reason, now);
    if (rc != VAX_OK)
        return rc;
    if (sqlite3_changes(db->sql) != 1)
        return vax_fail(db, VAX_ENOTFOUND, NULL, _("No such person."));
    sqlite3_stmt *st =
        vax_stmt(db, "UPDATE person SET national_id = ?2, insurance_no = ?3, full_name = ?4,"
                     " name_folded = ?5, birth_date = ?6, sex = ?7, phone = ?8, commune = ?9,"
                     " priority_group = ?10, updated_at = ?11, updated_by = ?12, ethnicity = ?13,"
                     " version = version + 1 WHERE id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, p->id);
    vax_person_bind_fields(st, p, folded);
    sqlite3_bind_int64(st, 11, now);
    sqlite3_bind_int64(st, 12, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("saving a person"));
}

/* A certificate prints the name and the birth date: after a correction of either, the person's
 * certificates in force say so (certificate.stale) until they are re-issued. */
static int mark_certificates_stale(vax_db *db, const vax_person *before, const vax_person *after)
{
    static const char *const fields[] = {"full_name", "birth_date"};
    const int changed[] = {strcmp(before->full_name, after->full_name) != 0,
                           strcmp(before->birth_date, after->birth_date) != 0};
    for (int i = 0; i < 2; i++) {
        if (!changed[i])
            continue;
        sqlite3_stmt *st = vax_stmt(db, "UPDATE certificate SET stale = trim(stale || ' ' || ?2)"
                                        " WHERE person_id = ?1 AND revoked_at = 0"
                                        " AND instr(stale, ?2) = 0");
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_int64(st, 1, after->id);
        sqlite3_bind_text(st, 2, fields[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return vax_fail_sql(db, rc, _("saving a person"));
    }
    return VAX_OK;
}

int vax_person_update(vax_db *db, const vax_person *in, const char *reason)
{
    vax_person p = *in;
    char *folded = NULL;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_PERSON_WRITE)) != VAX_OK)
        return rc;
    if ((rc = validate_person(db, &p)) != VAX_OK)
        return rc;
    if (!(folded = vax_text_fold(p.full_name)))
        return VAX_ENOMEM;
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = refuse_duplicate_id(db, &p)) != VAX_OK)
        goto fail;
    vax_person before;
    if ((rc = vax_person_get(db, p.id, &before)) != VAX_OK)
        goto fail;
    if ((rc = vax_person_write_update(db, &p, folded, reason, vax_now())) != VAX_OK)
        goto fail;
    if ((rc = mark_certificates_stale(db, &before, &p)) != VAX_OK)
        goto fail;
    if ((rc = vax_audit(db, "person.update", "person", p.id, reason)) != VAX_OK)
        goto fail;
    rc = vax_tx_commit(db);
    goto out;
fail:
    vax_tx_rollback(db);
out:
    free(folded);
    return rc;
}

int vax_person_history_count(vax_db *db, int64_t person_id, int *n)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT count(*) FROM person_history WHERE person_id = ?1");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading the registry"));
}

int vax_person_dose_count(vax_db *db, int64_t person_id, int *n)
{
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT count(*) FROM dose WHERE person_id = ?1 AND voided = 0");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading doses"));
}

/* ---- search ------------------------------------------------------------------------------ */

#define MAX_TOKENS 8

/* Splits the folded query into word tokens of letters and digits. */
static int tokenize(char *folded, char *tokens[MAX_TOKENS])
{
    int n = 0;
    char *p = folded;
    while (*p && n < MAX_TOKENS) {
        while (*p && !(isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
            p++;
        if (!*p)
            break;
        tokens[n++] = p;
        while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
            p++;
        if (*p)
            *p++ = 0;
    }
    return n;
}

/* One typed token as an FTS5 expression, quoted so that no query syntax can be injected. Whole:
 * the exact term. Prefix: the name words that start with it, from the name_word vocabulary, as
 * ("a" OR "b" ...) when they are few, because FTS5 reads exact terms lazily (LIMIT stops early)
 * but merges a long prefix in full before the first row; 1 to 3 characters, or many words:
 * "tok"*, which the prefix index answers for 1 to 3 characters. `anchored` asks for the name's
 * first word instead, which the index holds as "_" + that word (see FTS_TERMS in db.c). *people is
 * how many people carry the word(s), from the vocabulary, for estimating how dense the whole query
 * is. Returns 0, 1 when no name word can match (the tier can be skipped), or -1 when out is full.
 */
#define MAX_EXPANSION 32
static int token_expr(vax_db *db, const char *tok, int prefix, int anchored, char *out, size_t size,
                      double *people, int *as_prefix)
{
    const char *hat = anchored ? "_" : "";
    size_t len = strlen(tok), o = 0;
    int has_digit = 0, terms = 0, rc;
    char upper[256];
    sqlite3_stmt *st;
    *people = 1;
    *as_prefix = prefix;
    for (const char *c = tok; *c; c++)
        has_digit |= isdigit((unsigned char)*c) != 0;
    if (len + 8 >= size || len + 1 >= sizeof upper)
        return -1;
    /* the words in [tok, tok with its last byte raised) all start with tok */
    memcpy(upper, tok, len + 1);
    upper[len - 1] = (char)(upper[len - 1] + 1);
    if (has_digit) { /* part of an ID or phone: not in the name vocabulary */
        snprintf(out, size, "\"%s\"%s", tok, prefix ? "*" : "");
        return 0;
    }
    st = vax_stmt(db, prefix ? "SELECT term, n FROM name_word WHERE term >= ?1 AND term < ?2"
                               " AND n > 0 ORDER BY term LIMIT ?3"
                             : "SELECT term, n FROM name_word WHERE term = ?1 AND n > 0");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
    if (prefix) {
        sqlite3_bind_text(st, 2, upper, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, MAX_EXPANSION + 1);
    }
    double sum = 0;
    /* Up to 3 characters (with the "_"), the prefix index holds the merged list already. */
    int indexed = prefix && len + strlen(hat) <= 3, only_itself = 1;
    o += (size_t)snprintf(out, size, "(");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *term = vax_col_text(st, 0);
        if (++terms > MAX_EXPANSION || o + strlen(term) + 12 >= size)
            break;
        sum += sqlite3_column_double(st, 1);
        only_itself &= strcmp(term, tok) == 0;
        o += (size_t)snprintf(out + o, size - o, "%s\"%s%s\"", terms > 1 ? " OR " : "", hat, term);
    }
    sqlite3_reset(st);
    if (terms == 0)
        return 1;
    /* A prefix no other name word starts with ("tai", "my" of a full name typed to its end) is
     * the whole word: the same text as the whole word's, so that the search sees it has already
     * asked that question (stage 1 of vax_person_search) instead of asking the index again. */
    if (terms == 1 && only_itself)
        indexed = *as_prefix = 0;
    if (terms > MAX_EXPANSION || o + 2 >= size || indexed) {
        st = vax_stmt(db, "SELECT coalesce(sum(n), 0) FROM name_word WHERE term >= ?1"
                          " AND term < ?2");
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, upper, -1, SQLITE_STATIC);
        sum = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_double(st, 0) : 0;
        sqlite3_reset(st);
        snprintf(out, size, "\"%s%s\"*", hat, tok);
    } else {
        snprintf(out + o, size - o, ")");
    }
    *people = sum;
    return 0;
}

/* Which words go to the index and which are checked on the rows it returns. FTS5 walks the
 * postings of each word it is given (about 12 ns each on a 2-CPU machine, whether the word
 * narrows much or not), and reading and checking one row costs about ROW_COST postings. Where the
 * words match few people (a full name, a name and a birth date: the slow tail), the index walks
 * every list to its end, so a common word is left out when the others already narrow to a few
 * rows ("thi" beside a given name and a birth year: the few people of that name and year are read
 * and checked), and kept when it saves more rows than its list costs. Each set of words is
 * weighed (at most 2^MAX_TOKENS) with the words taken as independent. A set that would read more
 * than a quarter of a tier's row limit is not taken, so that the rows of names that go together
 * more than independence says still fit, and run_fts asks again with every word if the limit is
 * met all the same. A word carried by more than UNSELECTIVE of the registry ("n", "th",
 * "nguyen") is left out where the words match many (LIMIT then stops the index early). */
#define ROW_COST 250.0
#define UNSELECTIVE 0.3

struct plan_in {
    int n;
    const double *people; /* how many people carry each word (or its prefix) */
    double registry;
    double date_share;    /* the part of the registry the birth date terms leave, 1 if none */
    double date_postings; /* the postings of those terms */
    unsigned must;        /* words that must be asked of the index */
    double want;          /* rows that pass wanted: the tier stops there */
    double limit;         /* rows a tier reads at most */
};

static double plan_cost(const struct plan_in *in, unsigned keep)
{
    double candidates = in->registry * in->date_share, pass = 1, postings = in->date_postings;
    for (int i = 0; i < in->n; i++) {
        double share = in->people[i] / in->registry;
        if (share > 1)
            share = 1;
        if ((keep >> i) & 1) {
            candidates *= share;
            postings += in->people[i];
        } else {
            pass *= share;
        }
    }
    if (pass <= 0)
        return -1; /* a word nobody carries: the whole query is cheap and empty */
    double rows = in->want / pass < candidates ? in->want / pass : candidates;
    if (pass < 1 && rows > in->limit / 4)
        return -1;
    return postings + ROW_COST * rows;
}

/* The words to ask the index for (a bit each). Where the words together still match more rows
 * than wanted, LIMIT stops the index early whatever the set, and a word is left out only when
 * common (the rarest is always asked); where they match few (a full name, a name and a birth
 * date: the slow tail), every list is walked to its end, and the cheapest set that holds `must`
 * is taken. */
static unsigned plan_words(const struct plan_in *in)
{
    unsigned all = (1u << in->n) - 1, best = all, common = 0, rarest = 0;
    if (in->registry <= 0)
        return all;
    double matches = in->registry * in->date_share;
    for (int i = 0; i < in->n; i++) {
        matches *= in->people[i] / in->registry;
        if (in->people[i] / in->registry > UNSELECTIVE)
            common |= 1u << i;
        if (in->people[i] < in->people[rarest])
            rarest = (unsigned)i;
    }
    if (matches >= in->want)
        return all & ~(common & ~in->must & ~(1u << rarest));
    double best_cost = -1;
    for (unsigned keep = 0; keep <= all; keep++) {
        if ((keep & in->must) != in->must || (keep == 0 && in->date_share >= 1))
            continue;
        /* a common word only alone, or where it must be */
        if ((keep & common & ~in->must) && ((keep & ~common) || in->date_share < 1))
            continue;
        double c = plan_cost(in, keep);
        if (c >= 0 && (best_cost < 0 || c < best_cost)) {
            best_cost = c;
            best = keep;
        }
    }
    return best;
}

/* The expression for all tokens (AND); token i is a prefix if bit i of prefix_mask is set.
 * *estimate is how many people it may match if the words were independent; *dropped has a bit
 * for each token left out for the rows to be checked against (plan_words); *prefixes a bit for
 * each token that matches as a prefix (a prefix that is a word no other starts with is the word
 * itself). `in` gives what plan_words weighs besides the words. Returns as token_expr does. */
static int fts_expr(vax_db *db, char *tokens[], int n, unsigned prefix_mask, int anchored,
                    struct plan_in *in, char *out, char *full, size_t size, double *estimate,
                    unsigned *dropped, unsigned *prefixes)
{
    char part[MAX_TOKENS][1024];
    double people[MAX_TOKENS];
    size_t o = 0, fo = 0;
    out[0] = full[0] = 0;
    *estimate = in->registry;
    *dropped = 0;
    *prefixes = 0;
    for (int i = 0; i < n; i++) {
        int as_prefix;
        int rc = token_expr(db, tokens[i], (prefix_mask >> i) & 1, anchored && i == 0, part[i],
                            sizeof part[i], &people[i], &as_prefix);
        if (rc != 0)
            return rc;
        if (in->registry > 0)
            *estimate *= people[i] / in->registry;
        *prefixes |= (unsigned)as_prefix << i;
    }
    in->n = n;
    in->people = people;
    in->must = anchored ? 1u : 0u;
    unsigned keep = plan_words(in);
    for (int i = 0; i < n; i++) {
        if (fo + strlen(part[i]) + 6 >= size)
            return -1;
        /* an explicit AND: FTS5's implicit AND stops at "(" */
        fo += (size_t)snprintf(full + fo, size - fo, "%s%s", fo ? " AND " : "", part[i]);
        if (!((keep >> i) & 1)) {
            *dropped |= 1u << i;
            continue;
        }
        o += (size_t)snprintf(out + o, size - o, "%s%s", o ? " AND " : "", part[i]);
    }
    return 0;
}

static int already(const vax_person *out, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (out[i].id == id)
            return 1;
    return 0;
}

/* Lower-case NFC without stripping marks, for comparing what was typed with how it is written. */
static char *lower_marked(const char *s)
{
    utf8proc_uint8_t *out = NULL;
    char *nfc = vax_text_nfc(s);
    if (!nfc)
        return NULL;
    utf8proc_ssize_t rc =
        utf8proc_map((const utf8proc_uint8_t *)nfc, 0, &out,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    free(nfc);
    return rc < 0 ? NULL : (char *)out;
}

/* 1 if the words of `typed` stand in `name` in the same order (both lower case, single spaces),
 * each equal to a word (whole) or starting one. */
static int words_in_order(const char *typed, const char *name, int whole)
{
    for (;;) {
        while (*typed == ' ')
            typed++;
        size_t t = strcspn(typed, " ");
        if (!t)
            return 1;
        int found = 0;
        while (*name && !found) {
            while (*name == ' ')
                name++;
            size_t w = strcspn(name, " ");
            found = w > 0 && (whole ? t == w : t <= w) && strncmp(typed, name, t) == 0;
            name += w;
        }
        if (!found)
            return 0;
        typed += t;
    }
}

/* Orders the rows of one tier, lower first: the typed words in the name's own order (4), the name
 * starting with the first typed word (2), the marks as typed ("hoà" before "hòa" and "hoa" when
 * typed "hoà") (1). */
static int match_score(const char *typed_folded, const char *typed_marked, const char *name,
                       int whole)
{
    int score = 0;
    char *f = vax_text_fold(name), *m = lower_marked(name);
    if (!f || !words_in_order(typed_folded, f, whole))
        score += 4;
    if (f) {
        size_t t = strcspn(typed_folded, " "), w = strcspn(f, " ");
        if (!(whole ? t == w : t <= w) || strncmp(typed_folded, f, t) != 0)
            score += 2;
    }
    if (!m || !typed_marked || !words_in_order(typed_marked, m, whole))
        score += 1;
    free(f);
    free(m);
    return score;
}

/* How the rows of one tier are ordered and checked. NULL for the ID and phone tiers. */
struct ranking {
    const char *typed_folded; /* the typed words, folded, one space apart */
    const char *typed_marked; /* the query in lower case with its marks */
    int whole;                /* the words must be whole words (else they start words) */
    char **tokens;
    int ntok;
    unsigned prefix_mask; /* token i is a prefix */
    unsigned check;       /* tokens left out of the index query, checked on each row */
};

/* 1 if some word of the folded name equals tok (or starts with it, for a prefix). */
static int name_has_word(const char *name, const char *tok, int prefix)
{
    size_t t = strlen(tok);
    while (*name) {
        while (*name && !isalnum((unsigned char)*name) && (unsigned char)*name < 0x80)
            name++;
        size_t w = 0;
        while (name[w] && (isalnum((unsigned char)name[w]) || (unsigned char)name[w] >= 0x80))
            w++;
        if (w && (prefix ? t <= w : t == w) && strncmp(name, tok, t) == 0)
            return 1;
        name += w;
    }
    return 0;
}

static int row_matches(const struct ranking *r, const char *full_name)
{
    if (!r || !r->check)
        return 1;
    char *f = vax_text_fold(full_name);
    int ok = f != NULL;
    for (int i = 0; ok && i < r->ntok; i++)
        if ((r->check >> i) & 1)
            ok = name_has_word(f, r->tokens[i], (r->prefix_mask >> i) & 1);
    free(f);
    return ok;
}

struct scored {
    vax_person p;
    int score;
};

/* Runs one tier and appends its rows that are not already in out, best score first (a stable
 * insertion sort: FTS5's rowid order stays the tie-breaker). */
static int run_tier(vax_db *db, sqlite3_stmt *st, vax_person *out, int max, int *n,
                    const struct ranking *r, int *read)
{
    int rc, got = 0, cap = max * 2, rows = 0;
    struct scored *tmp = calloc((size_t)cap, sizeof *tmp);
    if (!tmp) {
        sqlite3_reset(st);
        return VAX_ENOMEM;
    }
    while (got < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        rows++;
        if (already(out, *n, id))
            continue;
        struct scored cur;
        row_to_person(st, &cur.p);
        if (!row_matches(r, cur.p.full_name))
            continue;
        cur.score =
            r ? match_score(r->typed_folded, r->typed_marked, cur.p.full_name, r->whole) : 0;
        int j = got++;
        while (j > 0 && tmp[j - 1].score > cur.score) {
            tmp[j] = tmp[j - 1];
            j--;
        }
        tmp[j] = cur;
    }
    if (got >= cap)
        rc = SQLITE_DONE;
    if (read)
        *read = rows;
    sqlite3_reset(st);
    for (int i = 0; i < got && *n < max; i++)
        out[(*n)++] = tmp[i].p;
    free(tmp);
    return rc == SQLITE_DONE ? VAX_OK : vax_fail_sql(db, rc, _("searching the registry"));
}

/* Tier 1: the exact ID number or phone, typed with or without spaces or +84. */
static int search_exact_number(vax_db *db, const char *query, vax_person *out, int max, int *n)
{
    char digits[32], phone[16], msg[256];
    if (digits_only(query, digits, sizeof digits) < 9 &&
        vax_validate_phone(query, phone, msg, sizeof msg) != VAX_OK)
        return VAX_OK;
    if (vax_validate_phone(query, phone, msg, sizeof msg) != VAX_OK)
        phone[0] = 0;
    if (digits_only(query, digits, sizeof digits) < 0)
        digits[0] = 0;
    sqlite3_stmt *st = vax_stmt(db, "SELECT " PERSON_COLS " FROM person p WHERE p.national_id = ?1"
                                    " UNION ALL SELECT " PERSON_COLS " FROM person p"
                                    " WHERE ?2 <> '' AND p.phone = ?2");
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, digits, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, phone, -1, SQLITE_STATIC);
    return run_tier(db, st, out, max, n, NULL, NULL);
}

/* Digits only: the IDs, then the phones, that start with them, from their B-tree indexes (an FTS5
 * prefix over a million distinct ID terms would take a quarter of a second). */
static int search_number_prefix(vax_db *db, const char *query, vax_person *out, int max, int *n)
{
    static const char *const sql[] = {
        "SELECT " PERSON_COLS " FROM person p WHERE p.national_id >= ?1 AND p.national_id < ?2"
        " ORDER BY p.national_id LIMIT ?3",
        "SELECT " PERSON_COLS " FROM person p WHERE p.phone >= ?1 AND p.phone < ?2"
        " AND p.phone <> '' ORDER BY p.phone LIMIT ?3"};
    char d[32], upper[32];
    const char *q = query;
    while (*q == ' ')
        q++;
    int len = digits_only(*q == '+' ? q + 1 : q, d, sizeof d);
    if (len <= 0)
        return VAX_OK;
    if (*q == '+' && strncmp(d, "84", 2) == 0) { /* +84 9... is 09... */
        memmove(d + 1, d + 2, strlen(d) - 1);
        d[0] = '0';
        len--;
    }
    memcpy(upper, d, (size_t)len + 1);
    upper[len - 1] = (char)(upper[len - 1] + 1);
    for (int i = 0; i < 2 && *n < max; i++) {
        sqlite3_stmt *st = vax_stmt(db, sql[i]);
        if (!st)
            return VAX_EINTERNAL;
        sqlite3_bind_text(st, 1, d, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, upper, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, max * 2);
        int rc = run_tier(db, st, out, max, n, NULL, NULL);
        if (rc != VAX_OK)
            return rc;
    }
    return VAX_OK;
}

static int all_digits(char *tokens[], int n)
{
    for (int i = 0; i < n; i++)
        for (const char *c = tokens[i]; *c; c++)
            if (!isdigit((unsigned char)*c))
                return 0;
    return 1;
}

/* Runs one FTS5 expression as a tier. When tokens were left out for the rows to be checked, more
 * rows are read (lazily, up to a bound: `budget` rows if not 0) to find enough that pass; if the
 * bound is met before the tier is full, names that go together more than plan_words supposed
 * filled it, and `full` (every word asked of the index) is asked instead, so no match is lost. */
static int run_fts(vax_db *db, const char *expr, const char *full, int budget, vax_person *out,
                   int max, int *n, const struct ranking *r)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT " PERSON_COLS " FROM person_fts f JOIN person p"
                                    " ON p.id = f.rowid WHERE person_fts MATCH ?1 LIMIT ?2");
    int limit = r->check ? (budget ? budget : max * 40) : max * 2, read = 0, rc;
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    if ((rc = run_tier(db, st, out, max, n, r, &read)) != VAX_OK || !r->check || !full ||
        read < limit || *n >= max)
        return rc;
    struct ranking every = *r;
    every.check = 0;
    return run_fts(db, full, NULL, 0, out, max, n, &every);
}

/* ---- birth dates typed among the name words ------------------------------------------------- */

/* What a date typed in a search fixes of the birth date; 0 where it says nothing. */
struct birth_filter {
    int year, month, day;
    int conflict; /* two different values for one field: nobody can match */
};

static int set_field(int *field, int value)
{
    if (*field && *field != value)
        return 1;
    *field = value;
    return 0;
}

/* Reads one space-separated chunk as a date: "1954" (a year), "14/12" (day/month), "12/1954"
 * (month/year), "14/12/1954" or "14121954" (a full date); '-' and '.' may stand for '/'. `digits`
 * is set when the chunk is digits alone, for the caller to decide whether it is a date or the
 * start of an ID or phone. Returns 1 and fills the fields it fixes, else 0. */
static int parse_date_chunk(const char *s, size_t len, int this_year, int *y, int *m, int *d,
                            int *digits)
{
    int part[3] = {0, 0, 0}, width[3] = {0, 0, 0}, np = 0;
    *y = *m = *d = 0;
    *digits = 1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (isdigit((unsigned char)c)) {
            if (width[np] >= 8)
                return 0;
            part[np] = part[np] * 10 + (c - '0');
            width[np]++;
        } else if ((c == '/' || c == '-' || c == '.') && width[np] > 0 && np < 2) {
            np++;
            *digits = 0;
        } else {
            return 0;
        }
    }
    if (width[np] == 0)
        return 0;
    np++;
    if (np == 1 && width[0] == 4) {
        *y = part[0];
    } else if (np == 1 && width[0] == 8) {
        *d = part[0] / 1000000;
        *m = part[0] / 10000 % 100;
        *y = part[0] % 10000;
    } else if (np == 2 && width[0] <= 2 && width[1] <= 2) {
        *d = part[0];
        *m = part[1];
    } else if (np == 2 && width[0] <= 2 && width[1] == 4) {
        *m = part[0];
        *y = part[1];
    } else if (np == 3 && width[0] <= 2 && width[1] <= 2 && width[2] == 4) {
        *d = part[0];
        *m = part[1];
        *y = part[2];
    } else {
        return 0;
    }
    if (*y && (*y < 1900 || *y > this_year))
        return 0;
    if (*m && (*m < 1 || *m > 12))
        return 0;
    /* without a year, 29/02 stays possible */
    if (*d && (*d < 1 || *d > vax_days_in_month(*y ? *y : 2000, *m)))
        return 0;
    return 1;
}

/* Takes the dates out of the typed text (blanked in place) into *bf. A chunk of digits alone (a
 * year "1954", a full date "14121954") is a date only beside at least one name word: alone, it is
 * the start of an ID or phone number as before. The two cannot be confused beside a name: an ID
 * (CCCD: a province code 001-096 first) and a phone start with 0, a year with 19 or 20, and a year
 * must lie between 1900 and this year. A date with '/' is a date even alone. Returns how many
 * chunks were dates. */
static int take_dates(char *text, struct birth_filter *bf)
{
    char today[11];
    int names = 0, taken = 0;
    memset(bf, 0, sizeof *bf);
    vax_local_date(vax_now(), today);
    int this_year = atoi(today);
    for (int pass = 0; pass < 2; pass++) {
        for (char *p = text; *p;) {
            while (*p == ' ' || *p == ',' || *p == '\t')
                p++;
            size_t len = strcspn(p, " ,\t");
            if (!len)
                break;
            int y, m, d, digits, date = parse_date_chunk(p, len, this_year, &y, &m, &d, &digits);
            if (pass == 0) {
                int numeric = 1;
                for (size_t i = 0; i < len; i++)
                    numeric &= isdigit((unsigned char)p[i]) || strchr("/-.+", p[i]) != NULL;
                names += !numeric;
            } else if (date && (!digits || names > 0)) {
                /* each field is set whatever the others gave: a conflict in one is still a
                 * conflict */
                int clash = y && set_field(&bf->year, y);
                clash += m && set_field(&bf->month, m);
                clash += d && set_field(&bf->day, d);
                bf->conflict |= clash > 0;
                memset(p, ' ', len);
                taken++;
            }
            p += len;
        }
    }
    return taken;
}

/* The index terms (schema 18) for the birth date fields, as " AND ..." to follow a name's
 * expression; *share is the part of the registry they may match if birth dates were even. */
static void date_expr(const struct birth_filter *bf, char *out, size_t size, double *share,
                      double *postings)
{
    size_t o = 0;
    out[0] = 0;
    *share = 1;
    *postings = 0; /* the terms' lists, as parts of the registry */
    if (bf->year && bf->month && !bf->day) {
        o += (size_t)snprintf(out + o, size - o, " AND \"_m%04d%02d\"", bf->year, bf->month);
        *share = *postings = 1.0 / (80 * 12);
        return;
    }
    if (bf->year) {
        o += (size_t)snprintf(out + o, size - o, " AND \"_y%04d\"", bf->year);
        *share /= 80;
        *postings += 1.0 / 80;
    }
    if (bf->day && bf->month) {
        snprintf(out + o, size - o, " AND \"_d%02d%02d\"", bf->day, bf->month);
        *share /= 365;
        *postings += 1.0 / 365;
    }
}

int vax_person_search(vax_db *db, const char *query, vax_person *out, int max, int *n)
{
    char *folded = NULL, *tokens[MAX_TOKENS], expr[4096], whole_expr[4096] = "", spaced[512];
    char full[4096];
    char *marked = NULL, *typed, dates[64];
    int ntok, rc = VAX_OK, dated;
    double registry = 0, estimate, date_share, date_postings;
    struct birth_filter bf;
    sqlite3_stmt *st;
    *n = 0;
    if (max <= 0)
        return VAX_OK;
    /* the name words are what is left once the dates are taken out */
    if (!(typed = strdup(query ? query : "")))
        return VAX_ENOMEM;
    dated = take_dates(typed, &bf);
    date_expr(&bf, dates, sizeof dates, &date_share, &date_postings);
    if (!(folded = vax_text_fold(typed))) {
        rc = VAX_ENOMEM;
        goto out;
    }
    ntok = tokenize(folded, tokens);
    if ((ntok == 0 && !dated) || bf.conflict)
        goto out;
    spaced[0] = 0;
    for (int i = 0; i < ntok && strlen(spaced) + 2 < sizeof spaced; i++) {
        strncat(spaced, tokens[i], sizeof spaced - strlen(spaced) - 2);
        strcat(spaced, " ");
    }
    marked = lower_marked(typed);
    if ((rc = search_exact_number(db, query, out, max, n)) != VAX_OK)
        goto out;
    if (!dated && all_digits(tokens, ntok)) {
        rc = search_number_prefix(db, query, out, max, n);
        goto out;
    }
    if (ntok == 0) { /* a date alone ("14/12/1954"): everyone born then */
        struct ranking r = {spaced, marked, 1, tokens, 0, 0, 0};
        rc = run_fts(db, dates + strlen(" AND "), NULL, 0, out, max, n, &r);
        goto out;
    }
    if ((st = vax_stmt(db, "SELECT coalesce(max(id), 0) FROM person")) != NULL) {
        if (sqlite3_step(st) == SQLITE_ROW)
            registry = sqlite3_column_double(st, 0);
        sqlite3_reset(st);
    }
    /* Stage 0: every typed word is a whole word of the name (or of the ID or phone). Stage 1: the
     * words start words: all of them if stage 0 found nobody ("ng v hu"), else only the last one,
     * the word still being typed ("nguyen van hu"). Where the query is dense, names that begin
     * with the first word are asked for first (cheap then); where it is sparse, the one query
     * returns every match and match_score orders them. FTS5 returns rows in rowid order, so
     * LIMIT stops early. */
    int before = *n;
    struct plan_in plan = {0, NULL,      registry,  date_share, registry * date_postings,
                           0, max * 2.0, max * 40.0};
    for (int stage = 0; stage < 2 && *n < max; stage++) {
        struct ranking r = {spaced, marked, stage == 0, tokens, ntok, 0, 0};
        unsigned asked = stage == 0 ? 0 : *n > before ? 1u << (ntok - 1) : (1u << ntok) - 1;
        int built = fts_expr(db, tokens, ntok, asked, 0, &plan, expr, full, sizeof expr, &estimate,
                             &r.check, &r.prefix_mask);
        if (built < 0 || strlen(full) + strlen(dates) >= sizeof full)
            break;
        /* the dates alone when every name word is checked on the rows */
        if (expr[0])
            strcat(expr, dates);
        else if (dates[0])
            vax_strlcpy(expr, dates + strlen(" AND "), sizeof expr);
        else /* (dates is "": past its end lies nothing written) */
            vax_strlcpy(expr, full, sizeof expr);
        strcat(full, dates);
        estimate *= date_share;
        if (built > 0 || (stage == 1 && strcmp(full, whole_expr) == 0))
            continue; /* no name word can match, or the same query as stage 0 */
        if (stage == 0)
            vax_strlcpy(whole_expr, full, sizeof whole_expr);
        /* (not when the first word is too common to narrow anything: "n vie vu") */
        if (estimate >= 25.0 * max && !(r.check & 1)) {
            char anchored[4096], anchored_full[4096];
            double ignored;
            struct ranking ra = r;
            if (fts_expr(db, tokens, ntok, asked, 1, &plan, anchored, anchored_full,
                         sizeof anchored, &ignored, &ra.check, &ra.prefix_mask) == 0 &&
                strlen(anchored_full) + strlen(dates) < sizeof anchored &&
                (rc = run_fts(db, strcat(anchored, dates), NULL, 0, out, max, n, &ra)) != VAX_OK)
                goto out;
        }
        if (*n < max && (rc = run_fts(db, expr, full, 0, out, max, n, &r)) != VAX_OK)
            goto out;
    }
out:
    free(typed);
    free(folded);
    free(marked);
    return rc;
}

/* ---- priority groups --------------------------------------------------------------------- */

int vax_priority_groups_seed(vax_db *db)
{
    const char *p = vax_asset_priority_groups_tsv;
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(db->sql,
                           "INSERT OR REPLACE INTO priority_group(code, rank, name_vi, name_en)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &st, NULL);
    if (rc != SQLITE_OK)
        return vax_fail_sql(db, rc, _("loading priority groups"));
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[1024], *f[4];
        int nf = 0;
        if (len < sizeof line && *p != '#' && len > 0) {
            memcpy(line, p, len);
            line[len] = 0;
            char *save = NULL;
            for (char *t = strtok_r(line, "\t", &save); t && nf < 4;
                 t = strtok_r(NULL, "\t", &save))
                f[nf++] = t;
            if (nf == 4) {
                sqlite3_bind_text(st, 1, f[0], -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(st, 2, atoi(f[1]));
                sqlite3_bind_text(st, 3, f[2], -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 4, f[3], -1, SQLITE_TRANSIENT);
                rc = sqlite3_step(st);
                sqlite3_reset(st);
                if (rc != SQLITE_DONE) {
                    sqlite3_finalize(st);
                    return vax_fail_sql(db, rc, _("loading priority groups"));
                }
            }
        }
        p += len + (eol ? 1 : 0);
    }
    sqlite3_finalize(st);
    return VAX_OK;
}

int vax_priority_groups(vax_db *db, vax_priority_group *out, int max, int *n)
{
    int vi = strcmp(vax_lang(), "vi") == 0;
    sqlite3_stmt *st =
        vax_stmt(db, "SELECT code, rank, name_vi, name_en FROM priority_group ORDER BY rank, code");
    int rc;
    *n = 0;
    if (!st)
        return VAX_EINTERNAL;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vax_priority_group *g = &out[(*n)++];
        vax_strlcpy(g->code, vax_col_text(st, 0), sizeof g->code);
        g->rank = sqlite3_column_int(st, 1);
        vax_strlcpy(g->name, vax_col_text(st, vi ? 2 : 3), sizeof g->name);
    }
    sqlite3_reset(st);
    return VAX_OK;
}

/* ---- the site ---------------------------------------------------------------------------- */

int vax_site_get(vax_db *db, vax_site *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT id, code, name, is_demo FROM site ORDER BY id LIMIT 1");
    int rc;
    if (!st)
        return VAX_EINTERNAL;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(st, 0);
        vax_strlcpy(out->code, vax_col_text(st, 1), sizeof out->code);
        vax_strlcpy(out->name, vax_col_text(st, 2), sizeof out->name);
        out->is_demo = sqlite3_column_int(st, 3);
        sqlite3_reset(st);
        return VAX_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("reading the site"));
    return vax_fail(db, VAX_ENOTFOUND, NULL, _("This database has no site yet."));
}

/* Here beside vax_site_get, not in the queue or the planning that both need it, so that neither
 * of those two modules calls the other for the site's row. */
int vax_site_ensure_locked(vax_db *db, int64_t *site_id)
{
    vax_site site;
    int rc = vax_site_get(db, &site);
    if (rc == VAX_OK) {
        *site_id = site.id;
        return VAX_OK;
    }
    if (rc != VAX_ENOTFOUND)
        return rc;
    /* A database without a site yet (made by hand): make the default one in this transaction. */
    char uuid[37];
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO site(uuid, code, name, created_at, updated_at,"
                                    " updated_by) VALUES (?1, 'SITE', 'SITE', ?2, ?2, ?3)");
    if (!st || vax_uuid(uuid) != VAX_OK)
        return VAX_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, vax_now());
    sqlite3_bind_int64(st, 3, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return vax_fail_sql(db, rc, _("creating the site"));
    *site_id = sqlite3_last_insert_rowid(db->sql);
    vax_clear_error(db);
    return VAX_OK;
}

int vax_site_set(vax_db *db, const char *code, const char *name, int is_demo)
{
    char uuid[37];
    int rc;
    if ((rc = vax_require(db, VAX_ACT_SETTINGS)) != VAX_OK)
        return rc;
    if (!code || !*code || strlen(code) > 31)
        return vax_fail(db, VAX_EINVAL, "code", _("Site code: 1 to 31 characters."));
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        return rc;
    vax_uuid(uuid);
    sqlite3_stmt *st = vax_stmt(
        db, "INSERT INTO site(id, uuid, code, name, is_demo, created_at, updated_at, updated_by)"
            " VALUES ((SELECT min(id) FROM site), ?1, ?2, ?3, ?4, ?5, ?5, ?6)"
            " ON CONFLICT(id) DO UPDATE SET code = excluded.code, name = excluded.name,"
            " is_demo = excluded.is_demo, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name ? name : code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, is_demo);
    sqlite3_bind_int64(st, 5, vax_now());
    sqlite3_bind_int64(st, 6, vax_actor_id(db));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("saving the site"));
        goto fail;
    }
    if ((rc = vax_audit(db, "site.set", "site", 0, code)) != VAX_OK)
        goto fail;
    return vax_tx_commit(db);
fail:
    vax_tx_rollback(db);
    return rc;
}

/* ---- the guardian of a minor ----------------------------------------------------------------- */

int vax_person_guardian_set(vax_db *db, int64_t person_id, const char *name, const char *phone)
{
    vax_person p;
    char msg[256], tel[16], *nfc = NULL;
    int rc;
    vax_clear_error(db);
    if ((rc = vax_require(db, VAX_ACT_PERSON_WRITE)) != VAX_OK)
        return rc;
    if (!(nfc = vax_text_nfc(name ? name : "")))
        return VAX_ENOMEM;
    size_t len = strlen(nfc), lead = strspn(nfc, " ");
    while (len > lead && nfc[len - 1] == ' ')
        nfc[--len] = 0;
    memmove(nfc, nfc + lead, len - lead + 1);
    if (!nfc[0] || strlen(nfc) >= sizeof((vax_guardian *)0)->name || vax_text_width(nfc) > 80) {
        free(nfc);
        return vax_fail(db, VAX_EINVAL, "guardian_name", "%s",
                        _("Guardian's name: the parent's or guardian's full name, at most 80 "
                          "characters."));
    }
    if (vax_validate_phone(phone ? phone : "", tel, msg, sizeof msg) != VAX_OK || !tel[0]) {
        free(nfc);
        return vax_fail(db, VAX_EINVAL, "guardian_phone", "%s",
                        tel[0] || (phone && phone[0]) ? msg
                                                      : _("Guardian's phone: a number to reach "
                                                          "the parent or guardian."));
    }
    if ((rc = vax_tx_begin(db)) != VAX_OK)
        goto out;
    if ((rc = vax_person_get(db, person_id, &p)) != VAX_OK)
        goto fail;
    sqlite3_stmt *st = vax_stmt(db, "INSERT INTO person_guardian(person_id, name, phone,"
                                    " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)"
                                    " ON CONFLICT(person_id) DO UPDATE SET name = excluded.name,"
                                    " phone = excluded.phone, updated_at = excluded.updated_at,"
                                    " updated_by = excluded.updated_by");
    if (!st) {
        rc = VAX_EINTERNAL;
        goto fail;
    }
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_text(st, 2, nfc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, tel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, vax_now());
    vax_bind_actor(db, st, 5);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = vax_fail_sql(db, rc, _("saving a guardian"));
        goto fail;
    }
    if ((rc = vax_auditf(db, "person.guardian", "person", person_id, "%s %s", nfc, tel)) != VAX_OK)
        goto fail;
    rc = vax_tx_commit(db);
    goto out;
fail:
    vax_tx_rollback(db);
out:
    free(nfc);
    return rc;
}

int vax_person_guardian_get(vax_db *db, int64_t person_id, vax_guardian *out)
{
    sqlite3_stmt *st = vax_stmt(db, "SELECT name, phone FROM person_guardian WHERE person_id = ?1");
    int rc;
    memset(out, 0, sizeof *out);
    if (!st)
        return VAX_EINTERNAL;
    sqlite3_bind_int64(st, 1, person_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        vax_strlcpy(out->name, vax_col_text(st, 0), sizeof out->name);
        vax_strlcpy(out->phone, vax_col_text(st, 1), sizeof out->phone);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return VAX_ENOTFOUND; /* no sentence: "none" is an answer, not an error */
    return rc == SQLITE_ROW ? VAX_OK : vax_fail_sql(db, rc, _("reading a guardian"));
}
