/* datafile.c: the small text format of the data files (products, checklists): sections of
 * "key = value" lines, with every error named by file and line. */
#include "datafile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int df_error(vax_datafile *df, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int df_error(vax_datafile *df, int line, const char *fmt, ...)
{
    char msg[380];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(df->error, sizeof df->error, "%s:%d: %s", df->name, line, msg);
    df->error_line = line;
    return VAX_EINVAL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = 0;
    return s;
}

void vax_datafile_free(vax_datafile *df)
{
    if (!df)
        return;
    free(df->text);
    free(df->sections);
    free(df->entries);
    memset(df, 0, sizeof *df);
}

static int push_section(vax_datafile *df, const char *name, int line)
{
    vax_df_section *s = realloc(df->sections, sizeof *s * (size_t)(df->nsections + 1));
    if (!s)
        return VAX_ENOMEM;
    df->sections = s;
    s[df->nsections].name = name;
    s[df->nsections].line = line;
    s[df->nsections].first = df->nentries;
    s[df->nsections].count = 0;
    df->nsections++;
    return VAX_OK;
}

static int push_entry(vax_datafile *df, const char *key, const char *value, int line)
{
    vax_df_entry *e = realloc(df->entries, sizeof *e * (size_t)(df->nentries + 1));
    if (!e)
        return VAX_ENOMEM;
    df->entries = e;
    e[df->nentries].key = key;
    e[df->nentries].value = value;
    e[df->nentries].line = line;
    df->nentries++;
    df->sections[df->nsections - 1].count++;
    return VAX_OK;
}

int vax_datafile_parse(vax_datafile *df, const char *name, const char *text)
{
    int line = 0, rc;
    memset(df, 0, sizeof *df);
    snprintf(df->name, sizeof df->name, "%s", name);
    if (!(df->text = strdup(text ? text : "")))
        return VAX_ENOMEM;
    for (char *p = df->text; *p;) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = 0;
        line++;
        char *l = trim(p);
        p = eol ? eol + 1 : p + strlen(p);
        /* a comment is a line starting with '#'; a value may hold '#' (lot numbers) */
        if (!*l || *l == '#')
            continue;
        if (*l == '[') {
            char *close = strchr(l, ']');
            if (!close || close[1] != 0 || close == l + 1)
                return df_error(df, line, _("a section header is written [name]"));
            *close = 0;
            if ((rc = push_section(df, trim(l + 1), line)) != VAX_OK)
                return rc;
            continue;
        }
        char *eq = strchr(l, '=');
        if (!eq)
            return df_error(df, line, _("expected \"key = value\" or [section], found \"%.40s\""),
                            l);
        if (df->nsections == 0)
            return df_error(df, line, _("\"%.40s\" stands before the first [section]"), l);
        *eq = 0;
        char *key = trim(l), *value = trim(eq + 1);
        if (!*key)
            return df_error(df, line, _("a line has a value but no key"));
        const vax_df_section *sec = &df->sections[df->nsections - 1];
        for (int i = sec->first; i < sec->first + sec->count; i++)
            if (strcmp(df->entries[i].key, key) == 0)
                return df_error(df, line, _("\"%s\" is given twice in [%s] (first on line %d)"),
                                key, sec->name, df->entries[i].line);
        if ((rc = push_entry(df, key, value, line)) != VAX_OK)
            return rc;
    }
    for (int i = 0; i < df->nsections; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(df->sections[i].name, df->sections[j].name) == 0)
                return df_error(df, df->sections[i].line,
                                _("section [%s] is given twice (first on line %d)"),
                                df->sections[i].name, df->sections[j].line);
    return VAX_OK;
}

const vax_df_entry *vax_datafile_get(const vax_datafile *df, const vax_df_section *s,
                                     const char *key)
{
    for (int i = s->first; i < s->first + s->count; i++)
        if (strcmp(df->entries[i].key, key) == 0)
            return &df->entries[i];
    return NULL;
}

int vax_datafile_require(vax_datafile *df, const vax_df_section *s, const char *key,
                         const char **value)
{
    const vax_df_entry *e = vax_datafile_get(df, s, key);
    if (!e || !*e->value)
        return df_error(df, s->line, _("[%s] has no \"%s\""), s->name, key);
    *value = e->value;
    return VAX_OK;
}

int vax_datafile_int(vax_datafile *df, const vax_df_section *s, const char *key, int min, int max,
                     int fallback, int *out)
{
    const vax_df_entry *e = vax_datafile_get(df, s, key);
    char *end;
    if (!e) {
        if (fallback < min)
            return df_error(df, s->line, _("[%s] has no \"%s\""), s->name, key);
        *out = fallback;
        return VAX_OK;
    }
    long v = strtol(e->value, &end, 10);
    while (*end == ' ')
        end++;
    if (end == e->value || *end || v < min || v > max)
        return df_error(df, e->line, _("\"%s\" must be a whole number from %d to %d, not \"%s\""),
                        key, min, max, e->value);
    *out = (int)v;
    return VAX_OK;
}

int vax_datafile_unknown_keys(vax_datafile *df, const vax_df_section *s,
                              const char *const *known_prefixes)
{
    for (int i = s->first; i < s->first + s->count; i++) {
        const char *key = df->entries[i].key;
        int ok = 0;
        for (const char *const *k = known_prefixes; *k && !ok; k++) {
            size_t n = strlen(*k);
            ok = (*k)[n - 1] == '.' ? strncmp(key, *k, n) == 0 : strcmp(key, *k) == 0;
        }
        if (!ok)
            return df_error(df, df->entries[i].line, _("unknown key \"%s\" in [%s]"), key, s->name);
    }
    return VAX_OK;
}

int vax_datafile_fail(vax_datafile *df, int line, const char *fmt, ...)
{
    char msg[380];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return df_error(df, line, "%s", msg);
}
