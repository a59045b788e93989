/* gs1.c: a carton's GS1 element string (the DataMatrix a scanner types) and GTIN check digits.
 *
 * The rules, from the GS1 General Specifications (release 22, 2022):
 *  - an element string is application identifiers (AI) each followed by its data; an AI of
 *    predefined length (01 GTIN: 14 digits, 17 expiry: 6 digits, 11, 15 ...) needs no end mark,
 *    any other (10 lot, 21 serial: up to 20 characters) ends at FNC1 unless it is the last;
 *  - a scanner sends the leading FNC1 as the symbology identifier "]d2" (DataMatrix; "]C1" for
 *    GS1-128, "]Q3" for QR), and the FNC1 between fields as the group separator 0x1D, which a
 *    keyboard wedge often cannot type and replaces with "^]" (its caret notation) or another
 *    "]d2". None of "]", "^", "{" or "}" is in the character set the AI data may use (set 82),
 *    so each of these marks can only be a separator;
 *  - AI (17) is YYMMDD, the last day the product may be used; day 00 means the month's last day;
 *    the century is the one that puts the year nearest: 51 or more years ahead is last century,
 *    50 or more behind is the next (section 7.12);
 *  - a GTIN's last digit is the mod-10 check of the others, weights 3 and 1 from the right;
 *    GTIN-8, -12 and -13 are written as GTIN-14 with leading zeros. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define SEP '\x1d'

int vax_gtin_normalise(const char *in, char out[15])
{
    size_t n = in ? strlen(in) : 0;
    int sum = 0;
    out[0] = 0;
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return VAX_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (in[i] < '0' || in[i] > '9')
            return VAX_EINVAL;
    memset(out, '0', 14 - n);
    memcpy(out + 14 - n, in, n);
    out[14] = 0;
    for (int i = 0; i < 13; i++)
        sum += (out[i] - '0') * (i % 2 == 0 ? 3 : 1);
    if ((10 - sum % 10) % 10 != out[13] - '0') {
        out[0] = 0;
        return VAX_EINVAL;
    }
    return VAX_OK;
}

/* The data length of an AI of predefined length, 0 for a variable one we know, -1 unknown. */
static int ai_fixed(const char *ai)
{
    static const struct {
        const char *ai;
        int len, max;
    } table[] = {
        {"00", 18, 0},  {"01", 14, 0},  {"02", 14, 0},  {"11", 6, 0},   {"12", 6, 0},
        {"13", 6, 0},   {"15", 6, 0},   {"16", 6, 0},   {"17", 6, 0},   {"20", 2, 0},
        {"10", 0, 20},  {"21", 0, 20},  {"22", 0, 20},  {"30", 0, 8},   {"37", 0, 8},
        {"240", 0, 30}, {"241", 0, 30}, {"710", 0, 20}, {"711", 0, 20}, {"712", 0, 20},
        {"713", 0, 20}, {"714", 0, 20}, {"715", 0, 20},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(ai, table[i].ai))
            return table[i].len;
    return -1;
}

/* The AI at s (2 or 3 digits, the table's), its length in *n; 0 if none matches. */
static int read_ai(const char *s, char ai[4], int *n)
{
    for (int len = 2; len <= 3; len++) {
        int ok = 1;
        for (int i = 0; i < len; i++)
            ok = ok && s[i] >= '0' && s[i] <= '9';
        if (!ok)
            return 0;
        memcpy(ai, s, (size_t)len);
        ai[len] = 0;
        if (ai_fixed(ai) >= 0) {
            *n = len;
            return 1;
        }
    }
    memcpy(ai, s, 2);
    ai[2] = 0;
    return 0;
}

/* YYMMDD (AI 17) into YYYY-MM-DD; day 00 is the last day of the month. */
static int gs1_date(const char *d6, int this_year, char out[11])
{
    int yy = (d6[0] - '0') * 10 + (d6[1] - '0');
    int mm = (d6[2] - '0') * 10 + (d6[3] - '0');
    int dd = (d6[4] - '0') * 10 + (d6[5] - '0');
    int century = this_year / 100 * 100, diff = yy - this_year % 100;
    if (diff >= 51)
        century -= 100;
    else if (diff <= -50)
        century += 100;
    int y = century + yy;
    if (mm < 1 || mm > 12)
        return VAX_EINVAL;
    if (dd == 0)
        dd = vax_days_in_month(y, mm);
    if (dd > vax_days_in_month(y, mm))
        return VAX_EINVAL;
    snprintf(out, 11, "%04d-%02d-%02d", y, mm, dd);
    return VAX_OK;
}

/* The text with each separator form turned into one 0x1D, the leading identifier dropped, and
 * the parentheses of the printed form ("(01)...(17)...") made into separators. */
static int canonical(const char *in, char *out, size_t size)
{
    size_t o = 0;
    const char *s = in;
    while (*s == ' ' || *s == '\t')
        s++;
    int printed = *s == '('; /* "(" and ")" are data in the scanned form */
    while (*s && o + 1 < size) {
        if (s[0] == ']' && s[1] && s[2]) {
            out[o++] = SEP; /* "]d2", "]C1", "]Q3": a symbology identifier (FNC1) */
            s += 3;
        } else if (s[0] == '^' && s[1] == ']') {
            out[o++] = SEP;
            s += 2;
        } else if (!strncmp(s, "{GS}", 4) || !strncmp(s, "<GS>", 4)) {
            out[o++] = SEP;
            s += 4;
        } else if (printed && *s == '(') {
            out[o++] = SEP; /* the printed form: an AI in parentheses starts a field */
            s++;
        } else if (printed && *s == ')') {
            s++;
        } else if (*s == '\r' || *s == '\n') {
            s++;
        } else {
            out[o++] = *s++;
        }
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
        o--;
    out[o] = 0;
    return *s ? VAX_EINVAL : VAX_OK;
}

int vax_gs1_parse(const char *text, int this_year, vax_gs1 *out, char *msg, size_t msgsize)
{
    char buf[512];
    const char *s;
    memset(out, 0, sizeof *out);
    msg[0] = 0;
    if (!text || canonical(text, buf, sizeof buf) != VAX_OK) {
        snprintf(msg, msgsize, "%s", _("Scan: too long for a carton's code."));
        return VAX_EINVAL;
    }
    s = buf;
    while (*s == SEP)
        s++;
    if (!*s) {
        snprintf(msg, msgsize, "%s", _("Scan: nothing was read."));
        return VAX_EINVAL;
    }
    while (*s) {
        char ai[4], data[32];
        int n = 0, len;
        if (!read_ai(s, ai, &n)) {
            snprintf(msg, msgsize, _("Scan: \"%.8s\" is not a GS1 field this program reads."), s);
            return VAX_EINVAL;
        }
        s += n;
        len = ai_fixed(ai);
        size_t k = 0;
        if (len > 0) {
            for (; k < (size_t)len && s[k] && s[k] != SEP; k++)
                ;
            if ((int)k != len) {
                snprintf(msg, msgsize, _("Scan: field (%s) is cut short."), ai);
                return VAX_EINVAL;
            }
        } else {
            for (; s[k] && s[k] != SEP; k++)
                ;
            if (k == 0 || k > 30) {
                snprintf(msg, msgsize, _("Scan: field (%s) is empty or too long."), ai);
                return VAX_EINVAL;
            }
        }
        memcpy(data, s, k);
        data[k] = 0;
        s += k;
        while (*s == SEP)
            s++;
        for (size_t i = 0; i < k; i++) {
            unsigned char c = (unsigned char)data[i];
            if (c < 0x21 || c > 0x7e) {
                snprintf(msg, msgsize, _("Scan: field (%s) holds a character a carton cannot."),
                         ai);
                return VAX_EINVAL;
            }
        }
        if (!strcmp(ai, "01")) {
            if (vax_gtin_normalise(data, out->gtin) != VAX_OK) {
                snprintf(msg, msgsize, _("Scan: GTIN %s has a wrong check digit."), data);
                return VAX_EINVAL;
            }
        } else if (!strcmp(ai, "17")) {
            for (size_t i = 0; i < 6; i++)
                if (data[i] < '0' || data[i] > '9' ||
                    (i == 5 && gs1_date(data, this_year, out->expiry) != VAX_OK)) {
                    out->expiry[0] = 0;
                    snprintf(msg, msgsize, _("Scan: expiry (17) %s is not a date."), data);
                    return VAX_EINVAL;
                }
        } else if (!strcmp(ai, "10") || !strcmp(ai, "21")) {
            if (k > 20) {
                snprintf(msg, msgsize, _("Scan: field (%s) is empty or too long."), ai);
                return VAX_EINVAL;
            }
            vax_strlcpy(!strcmp(ai, "10") ? out->lot : out->serial, data, 21);
        }
    }
    if (!out->gtin[0]) {
        snprintf(msg, msgsize, "%s",
                 _("Scan: no GTIN (01) in the code; scan the carton's square."));
        return VAX_EINVAL;
    }
    return VAX_OK;
}
