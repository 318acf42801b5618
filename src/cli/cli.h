#ifndef WS_CLI_CLI_H
#define WS_CLI_CLI_H

/*
 * The command line: the only code that parses argv, prints to the user or
 * exits. Every command is `int cmd_<name>(int argc, char **argv)` returning
 * one of the exit codes below (also listed in every man page).
 */

#include <stdio.h>

enum ws_exit {
	WS_EXIT_CLEAN = 0,	/* nothing at or above --fail-on */
	WS_EXIT_FINDINGS = 1,	/* findings at or above --fail-on */
	WS_EXIT_USAGE = 2,	/* usage or input error */
	WS_EXIT_FAILURE = 3,	/* operational failure: network, cache, I/O */
};

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;	/* synopsis after "wormsign <name> " */
};

/* The command table, terminated by an entry with a NULL name. */
extern const struct cli_command cli_commands[];

const struct cli_command *cli_find_command(const char *name);

int cmd_help(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_feeds(int argc, char **argv);
int cmd_age(int argc, char **argv);
int cmd_gate(int argc, char **argv);

/* "wormsign: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * For getopt_long run with opterr = 0 and a leading ':' in the option
 * string: reports the bad option c (as getopt returned it) and returns 2.
 */
int cli_bad_option(const char *cmd, int c, char **argv);
/* The exit code for a WS_E* error from a module (input errors are 2). */
int cli_exit_for(int err);

/* Colour on fp: a terminal and NO_COLOR unset (or empty). */
int cli_use_color(FILE *fp);

/*
 * Output to --output FILE, written atomically: a temporary file beside it,
 * renamed over FILE on cli_output_commit. Without a path, stdout.
 */
struct cli_output {
	FILE *fp;
	char *path;
	char *tmp;
};

int cli_output_open(struct cli_output *out, const char *path);
/* Returns 0, or WS_EIO with the message set (the temp file is removed). */
int cli_output_commit(struct cli_output *out);
void cli_output_abort(struct cli_output *out);

/* ---- inputs shared by tree and scan ---- */

struct tree_inv;

enum cli_source {
	CLI_SOURCE_AUTO,	/* the lockfiles present, else node_modules */
	CLI_SOURCE_LOCKFILE,
	CLI_SOURCE_NODE_MODULES,
	CLI_SOURCE_ALL,		/* lockfiles and node_modules */
};

/* Parses --source; prints the error and returns -1 on a bad value. */
int cli_parse_source(enum cli_source *out, const char *arg);

/*
 * Loads every path (a project directory or a lockfile; "." when npaths is
 * 0) into inv, prints each input's error and the trees' warnings (the
 * first 20 unless verbose), indexes inv, and returns the exit code the
 * errors call for (0 when every input loaded).
 */
int cli_load_inputs(struct tree_inv *inv, int npaths, char **paths,
		    enum cli_source src, int verbose);

/* Prints the command's usage line and summary, then `extra`, to fp. */
void cli_usage(FILE *fp, const char *name, const char *extra);

#endif
