/* board.h: the queue display entry point (board.c). */
#ifndef VAX_BOARD_UI_H
#define VAX_BOARD_UI_H

#include "vax.h"

/* Runs the display on a read-only handle until q, F10 or a signal; if the file is replaced it
 * reopens it, and *db is then the handle to close. rotate_secs > 0 shows one
 * page at a time. trace_path: append "<monotonic time> <data_version>" at every redraw (for the
 * latency benchmark). Returns the exit status. */
int ui_board_run(vax_db **db, int rotate_secs, const char *trace_path);

#endif
