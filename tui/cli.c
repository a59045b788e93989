/* cli.c: the command line for scripts: the same core, no screen, one-line reasons on failure. */
#include "cli.h"

#include "ui.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* ---- options ----------------------------------------------------------------------------- */

/* Options that take no value. */
static int is_flag(const char *name)
{
    static const char *const flags[] = {
        "help",     "if-missing", "dry-run", "csv",     "force", "override",   "all",
        "json",     "overdue",    "ascii",   "no-site", "local", "valid-only", "merge",
        "markdown", "stale",      "new",     "print",   "both",  NULL};
    for (const char *const *f = flags; *f; f++)
        if (!strcmp(name, *f))
            return 1;
    return 0;
}

static int parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strncmp(s, "--", 2) == 0 && s[2]) {
            const char *name = s + 2, *eq = strchr(name, '=');
            char *key;
            if (a->nopt >= MAX_OPTS)
                return -1;
            key = eq ? strndup(name, (size_t)(eq - name)) : strdup(name);
            if (!key)
                return -1;
            if (!strcmp(key, "help")) {
                a->help = 1;
                free(key);
                continue;
            }
            a->key[a->nopt] = key;
            if (eq)
                a->val[a->nopt] = eq + 1;
            else if (is_flag(key))
                a->val[a->nopt] = "1";
            else if (i + 1 < argc)
                a->val[a->nopt] = argv[++i];
            else {
                fprintf(stderr, _("vaxsite: option --%s needs a value\n"), key);
                a->nopt++;
                return -1;
            }
            a->nopt++;
        } else if (!strcmp(s, "-h")) {
            a->help = 1;
        } else if (a->npos < MAX_OPTS) {
            a->pos[a->npos++] = s;
        }
    }
    return 0;
}

static void free_args(args *a)
{
    for (int i = 0; i < a->nopt; i++)
        free((char *)a->key[i]);
}

const char *opt(const args *a, const char *name)
{
    for (int i = 0; i < a->nopt; i++)
        if (!strcmp(a->key[i], name))
            return a->val[i];
    return NULL;
}

/* 1 if s is well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates or code
 * points above U+10FFFF. */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p++, cp;
        int more;
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xDF)
            more = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            more = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            more = 3, cp = c & 0x07;
        else
            return 0;
        for (int i = 0; i < more; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (*p & 0x3F);
        }
        if ((more == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (more == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
    }
    return 1;
}

/* Text that is not UTF-8 would be stored with replacement characters in place of what was meant
 * (a name, a reason): the whole command is refused, naming the word, before anything is opened. */
static int args_are_utf8(const args *a)
{
    for (int i = 0; i < a->nopt; i++) {
        if (!valid_utf8(a->key[i])) {
            fprintf(stderr, "%s",
                    _("vaxsite: an option's name is not valid UTF-8 text; nothing was done\n"));
            return 0;
        }
        if (!valid_utf8(a->val[i])) {
            fprintf(stderr,
                    _("vaxsite: the value of --%s is not valid UTF-8 text; nothing was done\n"),
                    a->key[i]);
            return 0;
        }
    }
    for (int i = 0; i < a->npos; i++) {
        if (!valid_utf8(a->pos[i])) {
            fprintf(stderr,
                    _("vaxsite: argument %d of the command is not valid UTF-8 text; nothing was "
                      "done\n"),
                    i + 1);
            return 0;
        }
    }
    return 1;
}

int cli_copy(char *dst, size_t size, const char *value, const char *option)
{
    size_t n = value ? strlen(value) : 0;
    if (n < size) {
        memcpy(dst, value ? value : "", n + 1);
        return 1;
    }
    fprintf(
        stderr,
        _("vaxsite: --%s is too long: at most %zu bytes (this one has %zu); nothing was done\n"),
        option, size - 1, n);
    return 0;
}

char *cli_read_text(const char *path, size_t max_bytes)
{
    int from_stdin = !strcmp(path, "-");
    char *text = NULL;
    int rc = from_stdin ? vax_read_stream(NULL, stdin, path, max_bytes, &text, NULL)
                        : vax_read_file(NULL, path, max_bytes, &text, NULL);
    if (rc == VAX_OK)
        return text;
    if (rc == VAX_EINVAL) {
        fputs("vaxsite: ", stderr);
        fprintf(stderr, _("%s is larger than %zu bytes, the most this file may hold."),
                from_stdin ? _("standard input") : path, max_bytes);
        fputc('\n', stderr);
    } else {
        fprintf(stderr, _("vaxsite: cannot read %s\n"), from_stdin ? _("standard input") : path);
    }
    return NULL;
}

/* Refuses options the command does not know, so a typo is not silently ignored. */
int only_opts(const args *a, const char *const *known)
{
    for (int i = 0; i < a->nopt; i++) {
        int ok = 0;
        for (const char *const *k = known; *k; k++)
            ok |= !strcmp(a->key[i], *k);
        if (!ok) {
            fprintf(stderr, _("vaxsite: unknown option --%s (see --help)\n"), a->key[i]);
            return 0;
        }
    }
    return 1;
}

/* ---- shared steps ------------------------------------------------------------------------ */

int fail_db(vax_db *db)
{
    fprintf(stderr, "vaxsite: %s\n", vax_errmsg(db));
    return 1;
}

static const char *os_user(void)
{
    struct passwd *pw = getpwuid(geteuid());
    const char *u = pw ? pw->pw_name : getenv("USER");
    return u && *u ? u : "unknown";
}

/* --as LOGIN: the member the command's changes are made by, and the PIN read for them. */
static const char *as_login;
static char as_pin[64];

/* The actor of a command that writes: the member named by --as once their PIN is checked as a
 * sign-in is (lockout and audit included), else the operating-system user unless the site's
 * setting cli.require_staff asks for a member. */
static int act_for_command(vax_db *db)
{
    if (as_login)
        return vax_staff_sign_in(db, as_login, as_pin, NULL) == VAX_OK ? 1 : (fail_db(db), 0);
    if (vax_setting_int(db, "cli.require_staff")) {
        fprintf(stderr, "%s",
                _("vaxsite: this site requires a staff member for changes at the command line: "
                  "give --as LOGIN and the PIN on standard input\n"));
        return 0;
    }
    return vax_staff_act_as_os_user(db, os_user()) == VAX_OK ? 1 : (fail_db(db), 0);
}

/* Opens the database for a command; writers act as the --as member or the operating-system
 * user (act_for_command). */
vax_db *open_db(const char *path, int flags, int writer)
{
    vax_db *db = NULL;
    if (vax_open(path, flags, &db) != VAX_OK) {
        fprintf(stderr, "vaxsite: %s\n", vax_errmsg(db));
        vax_close(db);
        return NULL;
    }
    vax_device dev;
    if (vax_device_get(db, &dev) == VAX_OK && dev.reminted)
        fprintf(stderr,
                _("vaxsite: this database was copied from another machine or folder; it now "
                  "writes as device %s (was %s).\n"),
                dev.id, dev.previous);
    if (writer && !act_for_command(db)) {
        vax_close(db);
        return NULL;
    }
    return db;
}

static void print_usage(void)
{
    printf("%s", _("Usage: vaxsite [--db FILE] [--lang vi|en] [COMMAND ...]\n"
                   "\n"
                   "Without a command: the station screens (sign in, choose a station).\n"
                   "\n"
                   "Commands:\n"
                   "  demo [--people N] [--if-missing]\n"
                   "                                make a demo site database in a new file\n"));
    cli_person_usage();
    printf("%s",
           _("  queue checkin ID|CARD-TEXT    check a person in; prints the ticket\n"
             "  queue next screening|injection [--station NAME]\n"
             "                                call the next person; prints the ticket\n"
             "  queue status                  today's visits: ticket, state\n"
             "  staff add --login L --name N --role volunteer|nurse|doctor|manager\n"
             "                                the PIN is read from standard input\n"
             "  checklist check FILE          check a screening checklist file, line by line\n"
             "  checklist add FILE            load a site's own screening checklist\n"
             "  checklist list                stored checklists, and the one in force\n"
             "  plan DAY --opens HH:MM --closes HH:MM --capacity N [--slot-minutes 30]\n"
             "       [--risk low|medium|high|very_high] [--products \"AZ PF\"]\n"
             "                                plan a day's slots (manager)\n"
             "  plan show|close-day [DAY]     a day's slots and fill; close: no-shows\n"
             "  plan copy FROM TO             copy a day's plan to another day\n"
             "  plan close-slot DAY HH:MM [--mode move|cancel]\n"
             "  book ID --day DAY --time HH:MM [--dose N] [--product P]\n"
             "       [--override --reason R]  book a person into a slot\n"
             "  book --list FILE|due --from DAY [--to DAY] [--product P] [--csv]\n"
             "                                fill the slots in priority order; call list\n"
             "  due [--csv] [--product P] [--overdue] [--commune C] [--all]\n"
             "                                who is due for the next dose\n"
             "  remind [--days N] [--dry-run] [--modem GAMMURC]\n"
             "                                text those due in N days (default 1), once each\n"
             "  remind exclude|include ID [--reason R]\n"
             "                                leave a person out of text reminders, or back in\n"
             "  keys init [--rsa BITS] | keys export [--out FILE] | keys import FILE\n"
             "                                the site's signing key and certificate\n"
             "  cert issue DOSE               sign the dose's certificate; prints id, UVCI\n"
             "  cert show|qr|hc1 CERT [--ascii] | cert pdf|png CERT --out FILE\n"
             "  cert print CERT               send the card to the printer cert.printer\n"
             "  cert paper CERT|--person ID [--size a5|a4] --out FILE|--print\n"
             "                                the Ministry's paper certificate (annex 4 of\n"
             "                                QD 43/QD-BYT) with the QR of the certificate\n"
             "  cert reissue|revoke CERT --reason R   a correction; the old id is revoked\n"
             "  cert reissue --stale --reason R   every certificate a correction made out of date\n"
             "  cert revoked [--out FILE]     the revocation list\n"
             "  cert verify [HC1|-] [--png FILE] [--trust PEM] [--revoked FILE] [--json]\n"
             "  product list                  the vaccine catalogue\n"
             "  product load FILE             check a catalogue file and make it the catalogue\n"
             "  stock receive --product P --lot L --expiry DD/MM/YYYY --vials N|--doses N\n"
             "        --from WHO [--doses-per-vial N] [--component 1|2]\n"
             "                                receive a lot (manager)\n"
             "  stock list [--all]            lots in stock: vials, doses on hand\n"
             "  stock vials [--station S]     open vials: doses and minutes left\n"
             "  stock open LOT-ID [--station S] | stock discard VIAL-ID --reason R\n"
             "  stock day [--date DAY]        per product: on hand, opened, given, wasted\n"

             "  sync init-server|push|pull URL [--batch N] [--communes \"A;B\"]\n"
             "                                the district's PostgreSQL: schema, send, bring\n"
             "  sync status | sync conflicts [URL] [--page N]\n"
             "                                not sent yet; conflicts here or on the server,\n"
             "                                50 a page, with names and how many in all\n"
             "  sync resolve [URL] ID --keep a|b | --both [--id ID] | --merge | --void DOSE\n"
             "       --reason R               resolve a conflict listed here or on the server\n"
             "                                (manager)\n"
             "  sync quarantine [URL] [--page N]\n"
             "                                events kept apart: same uuid, other content\n"
             "  sync demo-conflicts           a demo site's conflicts, to practise resolving\n"
             "  sync report URL|--local --day DAY [--site CODE]\n"
             "                                doses by product and dose number\n"
             "  export --bundle FILE | import --bundle FILE\n"
             "                                the same events in a file, for a USB stick\n"
             "  report [--date D | --from D --to D] [--format text|csv|xlsx] [--out FILE]\n"
             "                                the daily report (xlsx: one sheet per table)\n"
             "  report coverage [--commune C] [--date D]\n"
             "                                share of people 18+ and 50+ with dose 1, complete\n"
             "  import FILE [--dry-run] [--valid-only] [--merge] [--encoding E]\n"
             "                                a pre-registration list (CSV); rows to fix by line\n"
             "  export national|fhir [--since DATE] [--out FILE]\n"
             "                                doses for the national systems (CSV, FHIR R4)\n"
             "  check                         check the database for damage\n"
             "\n"
             "The database is $XDG_DATA_HOME/vaxsite/vaxsite.db unless --db is given.\n"
             "Command-line changes are recorded as made by the operating-system user.\n"));
    printf("%s",
           _("  export --bundle FILE --since SEQ|--all\n"
             "                                write again the events a lost bundle held\n"
             "  sync trust FINGERPRINT        trust the bundles a new team signs (manager)\n"));
    printf("%s", _("  report quick [--date D] [--out FILE.pdf]\n"
                   "                                the day's one-page quick report (PDF: A4)\n"));
    printf("%s",
           _("  report annex5 [--date D] --out FILE.xlsx|FILE.pdf\n"
             "                                the day's results report, annex 5 of QD 43/QD-BYT\n"
             "  report annex6 [--round R] --out FILE.xlsx|FILE.pdf\n"
             "                                the end-of-round report, annex 6 (the round in\n"
             "                                progress: setting campaign.round)\n"));
    printf(
        "%s",
        _("  --as LOGIN COMMAND ...         make the command's changes as this staff member: the\n"
          "                                first line of standard input is their PIN, checked\n"
          "                                as a sign-in is (setting cli.require_staff: needed)\n"));
    cli_site_usage();
    cli_staff_usage();
    cli_cert_usage();
    cli_aefi_usage();
}

/* ---- commands ---------------------------------------------------------------------------- */

static int cmd_demo(const char *path, const args *a)
{
    static const char *const known[] = {"people", "seed", "if-missing", NULL};
    struct stat sb;
    int people = 3000;
    if (!only_opts(a, known))
        return 2;
    if (opt(a, "people"))
        people = atoi(opt(a, "people"));
    if (people < 1 || people > 1000000) {
        fprintf(stderr, "%s", _("vaxsite: --people must be from 1 to 1000000\n"));
        return 2;
    }
    if (stat(path, &sb) == 0 && sb.st_size > 0) {
        if (opt(a, "if-missing"))
            return 0; /* the quick start opens the site that is already there */
        fprintf(stderr, _("vaxsite: %s already exists; the demo is only made in a new file\n"),
                path);
        return 1;
    }
    vax_db *db = open_db(path, VAX_OPEN_CREATE | VAX_OPEN_EMPTY, 1);
    if (!db)
        return 1;
    int rc = vax_demo_create(db, people, opt(a, "seed") ? (uint32_t)atol(opt(a, "seed")) : 0);
    if (rc != VAX_OK) {
        fail_db(db);
        vax_close(db);
        return 1;
    }
    printf(_("Demo site created in %s with %d people.\n"
             "Staff logins: quanly (manager), bacsi (doctor), dieuduong (nurse), tinhnguyen "
             "(volunteer); every PIN is 1234.\n"),
           path, people);
    vax_close(db);
    return 0;
}

static int cmd_queue(const char *path, const args *a)
{
    static const char *const known[] = {"station", "date", NULL};
    const char *what = a->npos > 1 ? a->pos[1] : "";
    vax_db *db;
    int rc = 0;
    if (!only_opts(a, known))
        return 2;
    if (!strcmp(what, "checkin")) {
        char text[1024] = "";
        vax_person p;
        vax_visit v;
        if (a->npos < 3) {
            fprintf(stderr, "%s", _("vaxsite: queue checkin needs an ID number\n"));
            return 2;
        }
        /* a card's scan may reach here split into words by the shell */
        for (int i = 2; i < a->npos; i++) {
            if (strlen(text) + 1 + strlen(a->pos[i]) >= sizeof text) {
                fprintf(stderr,
                        _("vaxsite: queue checkin: the ID or card text is too long: at most %zu "
                          "bytes; nothing was done\n"),
                        sizeof text - 1);
                return 2;
            }
            if (i > 2)
                strcat(text, " ");
            strcat(text, a->pos[i]);
        }
        if (!(db = open_db(path, 0, 1)))
            return 1;
        if ((rc = cli_person_resolve(db, text, &p)) != 0)
            ;
        else if (vax_queue_checkin(db, p.id, &v) != VAX_OK)
            rc = fail_db(db);
        else
            printf("%03d\n", v.ticket);
    } else if (!strcmp(what, "next")) {
        vax_stage stage;
        vax_visit v;
        if (a->npos < 3 || vax_stage_parse(a->pos[2], &stage) != VAX_OK) {
            fprintf(stderr, "%s", _("vaxsite: queue next needs screening or injection\n"));
            return 2;
        }
        if (!(db = open_db(path, 0, 1)))
            return 1;
        const char *station = opt(a, "station") ? opt(a, "station") : a->pos[2];
        if (vax_queue_call_next(db, stage, station, &v) != VAX_OK)
            rc = fail_db(db);
        else
            printf("%03d\n", v.ticket);
    } else if (!strcmp(what, "status")) {
        char day[11];
        static vax_visit visits[10000];
        int n = 0;
        if (opt(a, "date") && !cli_copy(day, sizeof day, opt(a, "date"), "date"))
            return 2;
        if (!opt(a, "date"))
            vax_local_date(vax_now(), day);
        if (!(db = open_db(path, VAX_OPEN_READONLY, 0)))
            return 1;
        if (vax_queue_list(db, day, visits, 10000, &n) != VAX_OK)
            rc = fail_db(db);
        for (int i = 0; rc == 0 && i < n; i++)
            printf("%03d\t%s%s\n", visits[i].ticket, vax_state_code(visits[i].state),
                   visits[i].urgent ? "\turgent" : "");
    } else {
        fprintf(stderr, "%s", _("vaxsite: queue needs checkin, next or status\n"));
        return 2;
    }
    vax_close(db);
    return rc;
}

/* Reads a PIN: from a terminal without echo (asked twice), else one line of standard input. */
static int read_pin(char *pin, size_t size)
{
    char again[64];
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    if (tty) {
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= (tcflag_t)~ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        fprintf(stderr, "%s", _("PIN: "));
    }
    int ok = fgets(pin, (int)size, stdin) != NULL;
    if (ok && tty) {
        fprintf(stderr, "%s", _("\nPIN again: "));
        ok = fgets(again, sizeof again, stdin) != NULL;
    }
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fprintf(stderr, "\n");
    }
    if (!ok)
        return 0;
    pin[strcspn(pin, "\r\n")] = 0;
    if (tty) {
        again[strcspn(again, "\r\n")] = 0;
        if (strcmp(pin, again) != 0) {
            fprintf(stderr, "%s", _("vaxsite: the two PINs differ\n"));
            return 0;
        }
    }
    return 1;
}

static int cmd_staff_add(const char *path, const args *a)
{
    static const char *const known[] = {"login", "name", "role", NULL};
    vax_role role;
    char pin[64];
    int64_t id;
    if (!only_opts(a, known))
        return 2;
    if (!opt(a, "login") || !opt(a, "name") || !opt(a, "role")) {
        fprintf(stderr, "%s", _("vaxsite: staff add needs --login, --name and --role\n"));
        return 2;
    }
    if (vax_role_parse(opt(a, "role"), &role) != VAX_OK || role == VAX_ROLE_SYSTEM) {
        fprintf(stderr, "%s", _("vaxsite: --role is volunteer, nurse, doctor or manager\n"));
        return 2;
    }
    if (!read_pin(pin, sizeof pin)) {
        fprintf(stderr, "%s", _("vaxsite: no PIN given on standard input\n"));
        return 1;
    }
    vax_db *db = open_db(path, VAX_OPEN_CREATE, 1);
    if (!db)
        return 1;
    int rc = vax_staff_add(db, opt(a, "login"), opt(a, "name"), role, pin, &id);
    memset(pin, 0, sizeof pin);
    if (rc != VAX_OK)
        rc = fail_db(db);
    else
        printf(_("Added %s (%s).\n"), opt(a, "login"), vax_role_label(role));
    vax_close(db);
    return rc;
}

/* A database or key that other users of the machine can read gives away every name and ID number
 * (or the power to sign certificates): said, not changed, since the owner may share on purpose. */
static void warn_readable(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && (sb.st_mode & (S_IRWXG | S_IRWXO)))
        fprintf(stderr,
                _("vaxsite: warning: %s: readable by other users (mode %03o); run: chmod 600 %s\n"),
                path, (unsigned)(sb.st_mode & 0777), path);
}

static void warn_readable_files(vax_db *db, const char *path)
{
    static const char *const keys[] = {"site.key", "device.key"};
    char dir[4096], file[4200];
    warn_readable(path);
    if (vax_keys_dir(db, dir, sizeof dir) != VAX_OK)
        return;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        snprintf(file, sizeof file, "%s/%s", dir, keys[i]);
        warn_readable(file);
    }
}

static int cmd_check(const char *path)
{
    char *report = NULL;
    vax_db *db = NULL;
    int rc = vax_open(path, VAX_OPEN_READONLY, &db);
    if (rc != VAX_OK) {
        fprintf(stderr, "vaxsite: %s\n", vax_errmsg(db));
        vax_close(db);
        return 1;
    }
    warn_readable_files(db, path);
    rc = vax_db_check(db, &report);
    if (rc == VAX_OK) {
        printf(_("%s: ok (schema %d)\n"), path, vax_db_schema_version(db));
    } else {
        fprintf(stderr, "vaxsite: %s\n", vax_errmsg(db));
        if (report)
            fprintf(stderr, "%s", report);
    }
    free(report);
    vax_close(db);
    return rc == VAX_OK ? 0 : 1;
}

/* Takes --as LOGIN out of the command's options and reads that member's PIN: the first line of
 * standard input (asked for without echo on a terminal), so that a command that reads a PIN of its
 * own (staff add) reads the next. 0 after saying why. */
static int take_as(args *a)
{
    int at = -1;
    for (int i = 0; i < a->nopt; i++)
        if (!strcmp(a->key[i], "as"))
            at = i;
    if (at < 0)
        return 1;
    as_login = a->val[at];
    free((char *)a->key[at]);
    for (int i = at; i + 1 < a->nopt; i++) {
        a->key[i] = a->key[i + 1];
        a->val[i] = a->val[i + 1];
    }
    a->nopt--;
    if (a->npos == 0 && !a->help) {
        fprintf(stderr, "%s", _("vaxsite: --as LOGIN goes with a command (see --help)\n"));
        as_login = NULL;
        return 0;
    }
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    if (tty) {
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= (tcflag_t)~ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        fprintf(stderr, _("PIN of %s: "), as_login);
    }
    int ok = fgets(as_pin, sizeof as_pin, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fprintf(stderr, "\n");
    }
    as_pin[strcspn(as_pin, "\r\n")] = 0;
    if (!ok || !as_pin[0]) {
        fprintf(stderr, _("vaxsite: --as %s: no PIN on standard input\n"), as_login);
        return 0;
    }
    return 1;
}

int cli_main(const char *path, int argc, char **argv)
{
    args a;
    int rc = 2;
    if (parse_args(argc, argv, &a) != 0) {
        free_args(&a);
        return 2;
    }
    if (!args_are_utf8(&a) || !take_as(&a)) {
        free_args(&a);
        return as_login ? 1 : 2;
    }
    const char *cmd = a.npos > 0 ? a.pos[0] : "";
    const char *sub = a.npos > 1 ? a.pos[1] : "";
    if (a.help) {
        print_usage();
        rc = 0;
    } else if (!strcmp(cmd, "demo")) {
        rc = cmd_demo(path, &a);
    } else if (!strcmp(cmd, "person")) {
        rc = cli_person(path, &a);
    } else if (!strcmp(cmd, "dose")) {
        rc = cli_dose(path, &a);
    } else if (!strcmp(cmd, "queue")) {
        rc = cmd_queue(path, &a);
    } else if (!strcmp(cmd, "staff") && !strcmp(sub, "add")) {
        rc = cmd_staff_add(path, &a);
    } else if (!strcmp(cmd, "staff")) {
        rc = cli_staff(path, &a);
    } else if (!strcmp(cmd, "desk")) {
        rc = cli_desk(path, &a);
    } else if (!strcmp(cmd, "simulate") || (!strcmp(cmd, "plan") && !strcmp(sub, "advise"))) {
        rc = cli_simulate(path, &a);
    } else if (!strcmp(cmd, "plan")) {
        rc = cli_plan(path, &a);
    } else if (!strcmp(cmd, "book")) {
        rc = cli_book(path, &a);
    } else if (!strcmp(cmd, "due")) {
        rc = cli_due(path, &a);
    } else if (!strcmp(cmd, "remind")) {
        rc = cli_remind(path, &a);
    } else if (!strcmp(cmd, "checklist")) {
        rc = cli_screening(path, &a);
    } else if (!strcmp(cmd, "keys") || !strcmp(cmd, "cert")) {
        rc = cli_cert(path, &a);
    } else if (!strcmp(cmd, "stock") || !strcmp(cmd, "product") || !strcmp(cmd, "fridge") ||
               !strcmp(cmd, "temp")) {
        rc = cli_stock(path, &a);
    } else if (!strcmp(cmd, "sync") ||
               ((!strcmp(cmd, "export") || !strcmp(cmd, "import")) && opt(&a, "bundle"))) {
        rc = cli_sync(path, &a);
    } else if (!strcmp(cmd, "report") || !strcmp(cmd, "import") || !strcmp(cmd, "export")) {
        rc = cli_report(path, &a);
    } else if (!strcmp(cmd, "aefi")) {
        rc = cli_aefi(path, &a);
    } else if (!strcmp(cmd, "site")) {
        rc = cli_site(path, &a);
    } else if (!strcmp(cmd, "setting")) {
        rc = cli_setting(path, &a);
    } else if (!strcmp(cmd, "device")) {
        rc = cli_device(path, &a);
    } else if (!strcmp(cmd, "check")) {
        rc = cmd_check(path);
    } else {
        fprintf(stderr, _("vaxsite: unknown command \"%s\" (see vaxsite --help)\n"), cmd);
    }
    free_args(&a);
    explicit_bzero(as_pin, sizeof as_pin);
    return rc;
}
