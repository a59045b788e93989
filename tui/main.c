/* main.c: vaxsite's entry: global options, language, the test clock, then a command or the TUI. */
#include "board.h"
#include "cli.h"
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The stations. A file that is not there is made (0600) for the first-run screen to set up; if
 * that screen is left without a site, the file goes again, so that a mistyped --db leaves
 * nothing behind. */
static int run_tui(const char *path)
{
    vax_db *db = NULL;
    struct stat sb;
    int made = stat(path, &sb) != 0;
    if (vax_open(path, made ? VAX_OPEN_CREATE : 0, &db) != VAX_OK) {
        fprintf(stderr, "vaxsite: %s\n", vax_errmsg(db));
        vax_close(db);
        return 1;
    }
    int rc = ui_app_run(db);
    vax_site site;
    int no_site = vax_site_details(db, &site) != VAX_OK;
    vax_close(db);
    if (made && no_site) {
        char side[4200];
        unlink(path);
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
    if (rc != VAX_OK) {
        fprintf(stderr, "vaxsite: %s\n", vax_status_str(rc));
        return 1;
    }
    return 0;
}

/* vaxsite board [--rotate SECONDS] [--trace FILE]: read-only, no sign-in. */
static int run_board(const char *path, int argc, char **argv)
{
    int rotate = 0;
    const char *trace = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rotate") && i + 1 < argc)
            rotate = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--trace") && i + 1 < argc)
            trace = argv[++i];
        else {
            fprintf(stderr, "%s", _("Usage: vaxsite board [--rotate SECONDS] [--db FILE]\n"));
            return 2;
        }
    }
    if (rotate < 0 || rotate > 600) {
        fprintf(stderr, "%s", _("vaxsite: --rotate is a number of seconds from 1 to 600\n"));
        return 2;
    }
    vax_db *db = NULL;
    if (vax_open(path, VAX_OPEN_READONLY, &db) != VAX_OK) {
        fprintf(stderr, "vaxsite: %s\n", vax_errmsg(db));
        vax_close(db);
        return 1;
    }
    int rc = ui_board_run(&db, rotate, trace);
    vax_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *lang = NULL;
    char default_path[4096];
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0, rc;
    if (!rest)
        return 1;
    /* global options may stand anywhere; the rest goes to the command */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strncmp(argv[i], "--db=", 5))
            db = argv[i] + 5;
        else if (!strcmp(argv[i], "--lang") && i + 1 < argc)
            lang = argv[++i];
        else if (!strncmp(argv[i], "--lang=", 7))
            lang = argv[i] + 7;
        else if (!strcmp(argv[i], "--version")) {
            printf("vaxsite 0.1.0\n");
            free(rest);
            return 0;
        } else
            rest[nrest++] = argv[i];
    }
    if (lang && strcmp(lang, "vi") && strcmp(lang, "en")) {
        fprintf(stderr, "vaxsite: --lang is vi or en\n");
        free(rest);
        return 2;
    }
    ui_i18n_init(lang);
    if (vax_clock_from_env() != VAX_OK) {
        fprintf(stderr, "%s",
                _("vaxsite: VAXSITE_CLOCK is not a time (use epoch seconds or "
                  "YYYY-MM-DDTHH:MM)\n"));
        free(rest);
        return 2;
    }
    if (!db) {
        if (vax_default_db_path(default_path, sizeof default_path) != VAX_OK) {
            fprintf(stderr, "%s", _("vaxsite: cannot make the data folder; give --db FILE\n"));
            free(rest);
            return 1;
        }
        db = default_path;
    }
    if (nrest == 0)
        rc = run_tui(db);
    else if (!strcmp(rest[0], "board"))
        rc = run_board(db, nrest, rest);
    else if (!strcmp(rest[0], "--help") || !strcmp(rest[0], "-h") || !strcmp(rest[0], "help"))
        rc = cli_main(db, 1, (char *[]){"--help", NULL});
    else
        rc = cli_main(db, nrest, rest);
    free(rest);
    return rc;
}
