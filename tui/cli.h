/* cli.h: the command-line commands (cli.c). */
#ifndef VAX_CLI_H
#define VAX_CLI_H

/* Runs one command (argv without the program name and the global options). Returns the exit
 * status: 0 done, 1 refused or failed (a one-line reason on stderr), 2 usage error. */
int cli_main(const char *db_path, int argc, char **argv);

#endif
