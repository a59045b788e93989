/* i18n.c: gettext set-up and the choice between Vietnamese and English. */
#include "ui.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Messages come from the build tree when run from it, else from the installed catalogue. */
static const char *locale_dir(void)
{
    struct stat sb;
    const char *env = getenv("VAXSITE_LOCALEDIR");
    if (env && *env)
        return env;
    if (stat(VAX_LOCALEDIR, &sb) == 0)
        return VAX_LOCALEDIR;
    return VAX_INSTALLED_LOCALEDIR;
}

static const char *lang_from_locale(void)
{
    const char *vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "vi", 2) == 0 ? "vi" : "en";
    }
    return "en";
}

const char *ui_i18n_init(const char *lang)
{
    setlocale(LC_ALL, "");
    /* ncursesw needs a UTF-8 character type to draw Vietnamese; C.UTF-8 is always there. */
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
    if (!lang)
        lang = lang_from_locale();
    lang = strcmp(lang, "vi") == 0 ? "vi" : "en";
    /* gettext ignores LANGUAGE under the "C" locale; C.UTF-8 for messages lets it choose. */
    const char *msgs = setlocale(LC_MESSAGES, NULL);
    if (!msgs || strcmp(msgs, "C") == 0 || strcmp(msgs, "POSIX") == 0)
        setlocale(LC_MESSAGES, "C.UTF-8");
    setenv("LANGUAGE", lang, 1);
    bindtextdomain("vaxsite", locale_dir());
    bind_textdomain_codeset("vaxsite", "UTF-8");
    textdomain("vaxsite");
    vax_set_lang(lang);
    return lang;
}
