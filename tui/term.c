/* term.c: how the program ends when its terminal goes away or it is told to stop.
 *
 * A station or the board must never outlive its terminal: a closed SSH window or terminal emulator
 * makes every read fail at once, and a loop that takes that for "no key yet" spins at full speed,
 * holding the site's database open for hours. Every key of every screen and dialog is read through
 * ui_term_get_wch(), so this is the one place that notices a hang-up, an end of file, a read
 * error, SIGTERM, SIGINT or SIGHUP, and ends the program the same clean way from wherever it is:
 * nothing that was committed is touched, an unsaved form is not saved, the hook registered by the
 * running screen (the station session or the board) records what it must, the database is closed,
 * and the exit status says why. Keys are read only between transactions, so no write is cut. */
#include "ui.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t ui_got_sigterm;

/* The longest a single wait lasts before the flags are looked at again: a signal is answered
 * within this time even where the terminal library restarts its wait after the interruption. */
#define SLICE_MS 200
/* Reads that fail at once, this many times in a row, mean the terminal is gone (end of file or
 * an I/O error look like "no key" to the library). */
#define EARLY_FAILURES 3

static ui_end_hook end_hook;
static void *end_ctx;

static void on_signal(int sig)
{
    ui_got_sigterm = sig;
}

void ui_term_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns at once */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* writes to a vanished terminal must fail with EIO, not kill the process before it closes
     * the database */
    signal(SIGPIPE, SIG_IGN);
}

void ui_term_on_end(ui_end_hook hook, void *ctx)
{
    end_hook = hook;
    end_ctx = ctx;
}

const char *ui_end_reason_code(ui_end_reason why)
{
    switch (why) {
    case UI_END_HANGUP:
        return "terminal closed";
    case UI_END_SIGTERM:
        return "SIGTERM";
    case UI_END_SIGINT:
        return "SIGINT";
    case UI_END_SIGHUP:
        return "SIGHUP";
    }
    return "?";
}

int ui_end_status(ui_end_reason why)
{
    switch (why) {
    case UI_END_SIGTERM:
        return 128 + SIGTERM;
    case UI_END_SIGINT:
        return 128 + SIGINT;
    case UI_END_HANGUP:
    case UI_END_SIGHUP:
        break;
    }
    return 128 + SIGHUP;
}

static _Noreturn void end_with(ui_end_reason why, int status)
{
    static int ending;
    if (!ending) { /* a second signal during the hook must not run it twice */
        ending = 1;
        if (end_hook)
            end_hook(end_ctx, why);
        endwin();
    }
    exit(status);
}

_Noreturn void ui_term_end(ui_end_reason why)
{
    end_with(why, ui_end_status(why));
}

/* To the running screen a finished script is a terminal that closed: it records the same. */
_Noreturn void ui_term_finish(void)
{
    end_with(UI_END_HANGUP, 0);
}

static ui_end_reason signal_reason(int sig)
{
    return sig == SIGINT ? UI_END_SIGINT : sig == SIGHUP ? UI_END_SIGHUP : UI_END_SIGTERM;
}

void ui_term_pending(void)
{
    if (ui_got_sigterm)
        ui_term_end(signal_reason(ui_got_sigterm));
}

/* A hang-up or an error on the terminal, seen without reading from it. */
static int terminal_hung_up(void)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ui_term_get_wch(wint_t *ch)
{
    static int early;              /* reads in a row that failed long before their time */
    int total = wgetdelay(stdscr); /* what the caller asked for: -1 waits for a key */
    long long deadline = total > 0 ? mono_ms() + total : 0;
    int rc = ERR;
    if (ui_screentest_on()) {
        if (ui_got_sigterm)
            ui_term_end(signal_reason(ui_got_sigterm));
        return ui_screentest_get_wch(ch);
    }
    for (;;) {
        if (ui_got_sigterm)
            ui_term_end(signal_reason(ui_got_sigterm));
        int slice = total < 0 ? SLICE_MS : total == 0 ? 0 : (int)(deadline - mono_ms());
        if (slice < 0)
            slice = 0;
        if (slice > SLICE_MS)
            slice = SLICE_MS;
        timeout(slice);
        long long started = mono_ms();
        rc = get_wch(ch);
        long long took = mono_ms() - started;
        if (rc != ERR) {
            early = 0;
            break;
        }
        if (ui_got_sigterm)
            continue; /* ends above */
        if (terminal_hung_up())
            ui_term_end(UI_END_HANGUP);
        if (slice >= 40 && took < slice / 4) {
            if (++early >= EARLY_FAILURES)
                ui_term_end(UI_END_HANGUP);
        } else {
            early = 0;
        }
        if (total == 0 || (total > 0 && mono_ms() >= deadline))
            break;
    }
    timeout(total); /* as the caller set it */
    return rc;
}
