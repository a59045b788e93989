/* test_keys.c: every station's key table, in English and in Vietnamese (whose letters differ):
 * each row is whole, no key does two things in one mode, an action has one key everywhere, and F1
 * lists every row. TAP on stdout; the tables are the ones the program runs, no terminal needed. */
#include "ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static const ui_keytable *const stations[] = {
    &ui_keys_signin,   &ui_keys_checkin, &ui_keys_screening, &ui_keys_injection, &ui_keys_observe,
    &ui_keys_queue,    &ui_keys_due,     &ui_keys_planning,  &ui_keys_stock,     &ui_keys_reports,
    &ui_keys_firstrun, &ui_keys_admin,   &ui_keys_conflicts, &ui_keys_common,
};
#define NSTATIONS (int)(sizeof stations / sizeof stations[0])

static int tap_n, tap_failed;
static int problems; /* in the check running now */

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    problems++;
}

static void tap(const char *lang, const char *what)
{
    tap_n++;
    if (problems)
        tap_failed++;
    printf("%s %d - %s: %s\n", problems ? "not ok" : "ok", tap_n, lang, what);
    problems = 0;
}

/* A table's modes as bits; a table without modes has the one mode 0. */
static int nmodes(const ui_keytable *t)
{
    return t->nmodes > 0 ? t->nmodes : 1;
}

static unsigned mode_bit(const ui_keytable *t, int i)
{
    return t->nmodes > 0 ? 1u << i : 0;
}

static const char *mode_name(const ui_keytable *t, int i)
{
    return t->nmodes > 0 ? t->mode_names[i] : "(all)";
}

static int applies(const ui_keyrow *r, unsigned mode)
{
    return !r->modes || (r->modes & mode);
}

/* The key a row is pressed with, as the dispatch sees it: a letter is its one character in this
 * language, lower case (either case is accepted); 0 for a row without a usable letter. */
static ui_key key_of(const ui_keyrow *r)
{
    ui_key k = {r->key, 0};
    if (r->key != UI_KEY_CHAR)
        return k;
    const char *l = r->letter && !strcmp(r->letter, " ") ? " " : ui_keyrow_key(r);
    wchar_t wc[4];
    if (mbstowcs(wc, l, 4) == 1)
        k.ch = (wint_t)towlower((wint_t)wc[0]);
    return k;
}

static int same_key(ui_key a, ui_key b)
{
    return a.code == b.code && (a.code != UI_KEY_CHAR || a.ch == b.ch);
}

static void check_rows_whole(const ui_keytable *t)
{
    unsigned all = t->nmodes > 0 ? (1u << t->nmodes) - 1 : 0;
    if (t->nmodes > 0 && !t->mode_names)
        problem("%s: %d modes without their names", t->name, t->nmodes);
    for (int i = 0; i < t->n; i++) {
        const ui_keyrow *r = &t->rows[i];
        const char *label = r->label ? r->label : "(no label)";
        if (r->key <= UI_KEY_NONE || r->key >= UI_KEY_COUNT || !*ui_keyrow_key(r))
            problem("%s row %d (%s): no key", t->name, i, label);
        if (r->key == UI_KEY_CHAR && !key_of(r).ch)
            problem("%s row %d (%s): the letter \"%s\" is not one character", t->name, i, label,
                    ui_keyrow_key(r));
        if (r->act == ACT_NONE || r->act >= ACT_COUNT)
            problem("%s row %d (%s): no action", t->name, i, label);
        if (!r->label || !*_(r->label))
            problem("%s row %d (%s): no label", t->name, i, ui_keyrow_key(r));
        if (!r->help || !*_(r->help))
            problem("%s row %d (%s): no help line", t->name, i, label);
        if (!r->run)
            problem("%s row %d (%s): no handler", t->name, i, label);
        if (r->modes & ~all)
            problem("%s row %d (%s): mode bits 0x%x the table does not name", t->name, i, label,
                    r->modes & ~all);
    }
}

/* Two rows of one mode with one key: the second could never run. The common rows (help, station,
 * quit) count in every mode, since a station row would hide them. */
static void check_no_key_twice(const ui_keytable *t)
{
    const ui_keytable *both[] = {t, &ui_keys_common};
    int ntables = t == &ui_keys_common ? 1 : 2;
    for (int m = 0; m < nmodes(t); m++) {
        unsigned mode = mode_bit(t, m);
        for (int a = 0; a < ntables; a++)
            for (int i = 0; i < both[a]->n; i++) {
                const ui_keyrow *r = &both[a]->rows[i];
                if (a == 1 ? 0 : !applies(r, mode))
                    continue;
                for (int b = a; b < ntables; b++)
                    for (int j = b == a ? i + 1 : 0; j < both[b]->n; j++) {
                        const ui_keyrow *s = &both[b]->rows[j];
                        if ((b == 0 && !applies(s, mode)) || !same_key(key_of(r), key_of(s)))
                            continue;
                        problem("%s, mode %s: %s is both \"%s\" and \"%s\"%s", t->name,
                                mode_name(t, m), ui_keyrow_key(r), _(r->label), _(s->label),
                                b == 1 && a == 0 ? " (a key every screen has)" : "");
                    }
            }
        /* and the dispatch finds each row by its own key */
        for (int i = 0; i < t->n; i++) {
            const ui_keyrow *r = &t->rows[i];
            if (applies(r, mode) && key_of(r).code != UI_KEY_NONE &&
                ui_keys_find(t, mode, key_of(r)) != r)
                problem("%s, mode %s: %s does not reach \"%s\"", t->name, mode_name(t, m),
                        ui_keyrow_key(r), _(r->label));
        }
    }
}

/* The keys of an action at a station, as one line ("F4", or "F10 Ctrl-C" for quit). */
static void keys_of_act(const ui_keytable *t, ui_act act, char *out, size_t size)
{
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < t->n && o < size; i++) {
        const ui_keyrow *r = &t->rows[i];
        char name[64];
        if (r->act != act)
            continue;
        snprintf(name, sizeof name, "%s", ui_keyrow_key(r));
        if (r->key == UI_KEY_CHAR && key_of(r).ch)
            snprintf(name, sizeof name, "%lc", (wint_t)key_of(r).ch);
        if (strstr(out, name)) /* one key in two modes */
            continue;
        o += (size_t)snprintf(out + o, size - o, "%s%s", o ? " " : "", name);
    }
}

static void check_one_key_per_action(void)
{
    for (int act = ACT_NONE + 1; act < ACT_COUNT; act++) {
        char first[128] = "", here[128];
        const char *first_at = NULL, *label = "";
        for (int s = 0; s < NSTATIONS; s++) {
            keys_of_act(stations[s], (ui_act)act, here, sizeof here);
            if (!here[0])
                continue;
            if (!first_at) {
                snprintf(first, sizeof first, "%s", here);
                first_at = stations[s]->name;
                for (int i = 0; i < stations[s]->n; i++)
                    if (stations[s]->rows[i].act == (ui_act)act)
                        label = _(stations[s]->rows[i].label);
            } else if (strcmp(first, here) != 0) {
                problem("\"%s\" (action %d) is %s at %s but %s at %s", label, act, first, first_at,
                        here, stations[s]->name);
            }
        }
    }
}

/* F1 at each mode: a line per row, its key first, then "label: help". */
static void check_help_lists_every_row(const ui_keytable *t)
{
    static char text[16384];
    const ui_keytable *both[] = {t, &ui_keys_common};
    for (int m = 0; m < nmodes(t); m++) {
        unsigned mode = mode_bit(t, m);
        size_t len = ui_keys_help_text(t, mode, 1, text, sizeof text);
        if (len + 1 >= sizeof text)
            problem("%s, mode %s: F1's text does not fit its buffer", t->name, mode_name(t, m));
        for (int a = 0; a < 2; a++)
            for (int i = 0; i < both[a]->n; i++) {
                const ui_keyrow *r = &both[a]->rows[i];
                char want[512];
                int found = 0;
                if (a == 0 && !applies(r, mode))
                    continue;
                snprintf(want, sizeof want, "%s: %s", _(r->label), _(r->help));
                for (const char *line = text; line && *line && !found;) {
                    const char *end = strchr(line, '\n');
                    size_t n = end ? (size_t)(end - line) : strlen(line);
                    size_t k = strlen(ui_keyrow_key(r));
                    const char *at = memmem(line, n, want, strlen(want));
                    found = !strncmp(line, ui_keyrow_key(r), k) && line[k] == ' ' && at &&
                            at + strlen(want) == line + n;
                    line = end ? end + 1 : NULL;
                }
                if (!found)
                    problem("%s, mode %s: F1 has no line \"%s … %s\"", t->name, mode_name(t, m),
                            ui_keyrow_key(r), want);
            }
    }
}

int main(void)
{
    const char *langs[] = {"en", "vi"};
    char what[200];
    for (int l = 0; l < 2; l++) {
        const char *lang = ui_i18n_init(langs[l]);
        /* the Vietnamese letters are the point of the second pass: without the catalogue the
         * test would check English twice */
        if (!strcmp(lang, "vi") && !strcmp(_("Help"), "Help")) {
            problem("no Vietnamese catalogue (ninja vaxsite-gmo)");
            tap(lang, "the Vietnamese messages are there");
            continue;
        }
        for (int s = 0; s < NSTATIONS; s++) {
            const ui_keytable *t = stations[s];
            check_rows_whole(t);
            snprintf(what, sizeof what,
                     "%s: every row has a key, an action, a label, F1's line "
                     "and a handler",
                     t->name);
            tap(lang, what);
            check_no_key_twice(t);
            snprintf(what, sizeof what, "%s: no key does two things in one mode", t->name);
            tap(lang, what);
            check_help_lists_every_row(t);
            snprintf(what, sizeof what, "%s: F1 lists every row of every mode", t->name);
            tap(lang, what);
        }
        check_one_key_per_action();
        tap(lang, "an action has the same key at every station that has it");
    }
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}
