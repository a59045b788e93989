/* cli.h: the command-line commands (cli.c). */
#ifndef VAX_CLI_H
#define VAX_CLI_H

#include "vax.h"

/* The words of a command line: positional words and --key value options. */
#define MAX_OPTS 32
typedef struct args {
    const char *pos[MAX_OPTS]; /* pos[0] is the command, pos[1] the subcommand */
    int npos;
    const char *key[MAX_OPTS];
    const char *val[MAX_OPTS];
    int nopt;
    int help;
} args;

/* The value of --name, or NULL. Flags (no value) read as "1"; see is_flag() in cli.c. */
const char *opt(const args *a, const char *name);
/* 0 (and a message) if an option is not in the NULL-terminated list `known`. */
int only_opts(const args *a, const char *const *known);
/* Copies an option's value into a field of `size` bytes; a value that does not fit is refused
 * (0, after naming --option and the limit on stderr), never cut. */
int cli_copy(char *dst, size_t size, const char *value, const char *option);
/* The whole of a file, or of standard input for "-", as a string of at most max_bytes (the one
 * file reader of the core); NULL after saying on standard error why (it cannot be read, or it is
 * larger, never a shortened text). */
char *cli_read_text(const char *path, size_t max_bytes);
/* Prints vax_errmsg(db) as one line on stderr; returns 1. */
int fail_db(vax_db *db);
/* Opens the database for a command (flags: VAX_OPEN_*); writer: act as the OS user. NULL after
 * printing the reason. */
vax_db *open_db(const char *path, int flags, int writer);

/* Runs one command (argv without the program name and the global options). Returns the exit
 * status: 0 done, 1 refused or failed (a one-line reason on stderr), 2 usage error. */
int cli_main(const char *db_path, int argc, char **argv);

/* The registry (cli_person.c): person add|find|edit|link|merge; their usage lines. */
int cli_person(const char *path, const args *a);
void cli_person_usage(void);
/* Doses given elsewhere (cli_person.c): dose elsewhere ID --product --date --place. */
int cli_dose(const char *path, const args *a);
/* The person a command names by an ID number (main or linked) or a chip ID card's scan (a CMND
 * record found by the card gets its CCCD linked: db must be a writer's). 0, or 1 after printing
 * why on stderr. */
int cli_person_resolve(vax_db *db, const char *text, vax_person *out);

/* Screening checklists: checklist check FILE | add FILE | list (cli_screening.c). */
int cli_screening(const char *path, const args *a);

/* Planning (cli_slot.c): plan DAY ... | plan show|copy|close-day|close-slot;
 * book ID --day --time | book --list FILE|due --from --to [--csv]; due [--csv] [filters]. */
int cli_plan(const char *path, const args *a);
int cli_book(const char *path, const args *a);
int cli_due(const char *path, const args *a);

/* Reminders by text message (cli_remind.c): remind [--days N] [--dry-run] [--modem GAMMURC];
 * remind exclude|include ID [--reason R]. */
int cli_remind(const char *path, const args *a);

/* Keys and certificates (cli_cert.c): keys init|rotate|export|import; cert issue|show|qr|hc1|
 * pdf|png|print|reissue|revoke|revoked|verify. */
int cli_cert(const char *path, const args *a);
void cli_cert_usage(void);

/* The catalogue and the stock (cli_stock.c): product list | product load FILE;
 * stock receive|list|vials|open|discard|day. */
int cli_stock(const char *path, const args *a);

/* Sync (cli_sync.c): sync init-server|push|pull URL, sync status|conflicts,
 * sync report URL|--local --day DAY; export --bundle FILE, import --bundle FILE. */
int cli_sync(const char *path, const args *a);

/* Reports and exchange (cli_report.c): report [--date D] [--format text|csv|xlsx]
 * [--out FILE] | report coverage; import FILE [--dry-run] [--valid-only] [--merge];
 * export national|fhir [--since T] [--out FILE]. */
int cli_report(const char *path, const args *a);
/* Serious reactions' reports (cli_aefi.c): aefi list|report|pdf|fhir. */
int cli_aefi(const char *path, const args *a);
void cli_aefi_usage(void);

/* Setting up a real site (cli_site.c): site init|show, device show; their usage lines. */
int cli_site(const char *path, const args *a);
int cli_device(const char *path, const args *a);
int cli_setting(const char *path, const args *a);
void cli_site_usage(void);

/* Staff administration and the site's desks (cli_staff.c): staff list|disable|enable|reset-pin|
 * role (staff add is in cli.c); desk add|list|rename|retire; their usage lines. */
int cli_staff(const char *path, const args *a);
int cli_desk(const char *path, const args *a);
void cli_staff_usage(void);

/* A site's day simulated on a scratch copy (cli_simulate.c): simulate [DAY] [options];
 * plan advise DAY [options]. */
int cli_simulate(const char *path, const args *a);

#endif
