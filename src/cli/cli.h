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
/* `wormsign --version`: program, libraries, data directory, feed dates. */
int cli_version(FILE *fp);
int cmd_tree(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_feeds(int argc, char **argv);
/* `feeds update`: fetch, check and atomically install a feed bundle. */
int feeds_update(const char *url, const char *sha256, const char *dest,
		 const char *cacert);
int cmd_age(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_certs(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_report_merge(int argc, char **argv);	/* argv[0] is "merge" */
int cmd_report_rotate(int argc, char **argv);	/* argv[0] is "rotate" */

/* "wormsign: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * From now on cli_error() also adds each message to r's errors (target:
 * the text before the first ": "), so that a report says what could not be
 * read; NULL stops. Call it once the inputs are about to be loaded, and
 * with NULL before r is released.
 */
struct report;
void cli_errors_to(struct report *r);
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

/* ---- findings reports: scan, age, gate ---- */

struct report;

enum cli_format {
	CLI_FORMAT_TEXT,
	CLI_FORMAT_JSON,
	CLI_FORMAT_SARIF,
	CLI_FORMAT_MARKDOWN,
};

/* Parses --format; prints the error and returns -1 on a bad value. */
int cli_parse_format(enum cli_format *out, const char *arg);
/* The same for commands without SARIF output (certs, report rotate). */
int cli_parse_format_nosarif(enum cli_format *out, const char *cmd,
			     const char *arg);
/*
 * Parses --fail-on into a severity, or -1 for "none"; prints the error
 * and returns -1 on a bad value.
 */
int cli_parse_fail_on(int *out, const char *arg);

/* 3 over 2 over 1 over 0: an incomplete check must not look clean. */
int cli_worse(int a, int b);
/* The current UTC time as an RFC 3339 stamp and as a day (YYYY-MM-DD). */
void cli_utc_now(char *stamp, size_t n, char *day, size_t dn);
/* Prints the report's errors as warnings, each once with its target. */
void cli_report_errors(const struct report *r);
/*
 * Writes r in fmt to output (NULL or "-": stdout, colour when it is a
 * terminal), atomically; stamp is the JSON "generated" time. Returns 0
 * or WS_EXIT_FAILURE (the error printed).
 */
int cli_render(const struct report *r, enum cli_format fmt,
	       const char *output, const char *stamp);

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
 * The operands left after option parsing, argv[optind..argc), or "."
 * alone when there are none: sets *paths (borrowed) and returns their
 * count (at least 1).
 */
int cli_operands(char ***paths, int argc, char **argv);

/*
 * Loads every path (a project directory or a lockfile; "." when npaths is
 * 0) into inv, prints each input's error and the trees' warnings (the
 * first 20 unless verbose), indexes inv, and returns the exit code the
 * errors call for (0 when every input loaded).
 */
int cli_load_inputs(struct tree_inv *inv, int npaths, char **paths,
		    enum cli_source src, int verbose);

/* ---- the checks shared by scan, age and gate (checks_*.c) ---- */

struct cli_scan;
struct scan_opts;
struct npmrc;
struct policy;
struct registry_client;

struct cli_feed_args;
struct feed_set;

/*
 * Loads the feeds f names (the bundled ones unless --no-bundled-feeds,
 * then each --feed) and, when rules and f->rules, the YARA rules (the
 * bundled directory, then each --rules). Returns an exit code, the error
 * printed; on 0, *out is the caller's (cli_scan_free), otherwise NULL.
 */
int cli_scan_load(struct cli_scan **out, const struct cli_feed_args *f,
		  int rules);
void cli_scan_free(struct cli_scan *s);
/* The loaded feeds (borrowed from s). */
const struct feed_set *cli_scan_feeds(const struct cli_scan *s);
/*
 * Scans inv into r, and with files the installed files of its
 * node_modules trees. o is left as used, borrowing from s, for scanning
 * tarballs and caches with the same feeds and rules.
 */
void cli_scan_run(struct scan_opts *o, struct report *r,
		  const struct tree_inv *inv, const struct cli_scan *s,
		  const char *registry, int files);

/* Parses --jobs (1 to REGISTRY_JOBS_MAX); prints the error and returns -1
 * on a bad value. */
int cli_parse_jobs(unsigned *out, const char *arg);
/* The directory whose .npmrc and package-manager files apply to PATH
 * (malloc'd). */
char *cli_project_dir(const char *path);
/*
 * npm's configuration as npm reads it for a project in dir: --registry,
 * --userconfig (both may be NULL), the environment, ~/.npmrc and the
 * global npmrc. Returns an exit code, the error printed.
 */
int cli_npmrc_load(struct npmrc **out, const char *registry,
		   const char *userconfig, const char *dir);
/* Prints cfg's warnings: the first 20 unless verbose. */
void cli_npmrc_warnings(const struct npmrc *cfg, int verbose);
/*
 * Adds dir's own policy to p: npm's min-release-age and
 * min-release-age-exclude from cfg, and the other package managers' files.
 * Returns an exit code, the error printed.
 */
int cli_policy_load_project(struct policy *p, const struct npmrc *cfg,
			    const char *dir);

/* --registry URL, else $npm_config_registry when set and not empty
 * (scan and gate). */
const char *cli_registry_default(const char *given);

struct cli_registry_opts {
	const char *cache;	/* --cache DIR, or NULL for the default */
	unsigned jobs;
	int offline;
	int refresh;
	int offline_skip_missing;	/* offline: no cache file, none opened */
	int want_dist;	/* verify: packuments' dist subsets must be cached */
};

/* The registry client and everything it borrows (its options, auth, cache). */
struct cli_registry;

/*
 * Opens the cache and a client for base with cfg's scoped registries,
 * auth, CA file and proxy; cfg and base are borrowed and must outlive it.
 * Returns an exit code, the error printed; on 0, *out is the caller's
 * (cli_registry_free), otherwise NULL.
 */
int cli_registry_open(struct cli_registry **out, const struct npmrc *cfg,
		      const char *base, const struct cli_registry_opts *o);
/* The client (borrowed from reg). */
struct registry_client *cli_registry_client(const struct cli_registry *reg);
void cli_registry_free(struct cli_registry *reg);

/*
 * The registry options of age, verify and gate, parsed in one place: put
 * CLI_REGISTRY_LONGOPTS (--registry, --cache, --offline, --jobs) and, for
 * a command that takes them, CLI_REGISTRY_MORE_LONGOPTS (--refresh,
 * --userconfig) in the getopt_long table, and hand every option to
 * cli_registry_option.
 */
enum {
	CLI_OPT_REGISTRY = 0x1100,
	CLI_OPT_CACHE,
	CLI_OPT_OFFLINE,
	CLI_OPT_JOBS,
	CLI_OPT_REFRESH,
	CLI_OPT_USERCONFIG,
};

#define CLI_REGISTRY_LONGOPTS                                            \
	{ "registry", required_argument, NULL, CLI_OPT_REGISTRY },       \
	{ "cache", required_argument, NULL, CLI_OPT_CACHE },             \
	{ "offline", no_argument, NULL, CLI_OPT_OFFLINE },               \
	{ "jobs", required_argument, NULL, CLI_OPT_JOBS }

#define CLI_REGISTRY_MORE_LONGOPTS                                       \
	{ "refresh", no_argument, NULL, CLI_OPT_REFRESH },               \
	{ "userconfig", required_argument, NULL, CLI_OPT_USERCONFIG }

struct cli_registry_args {
	const char *registry;	/* --registry, NULL: npm's configuration */
	const char *userconfig;	/* --userconfig, NULL: ~/.npmrc */
	struct cli_registry_opts ro;	/* --cache, --jobs, --offline, --refresh */
};

/* Like cli_report_option: 1 taken, 0 not one of them, -1 a bad value. */
int cli_registry_option(struct cli_registry_args *a, int c, const char *arg);
/* After parsing: prints the error and returns 2 when --offline and
 * --refresh are both given, else 0. */
int cli_registry_args_check(const struct cli_registry_args *a);

/* Adds b's counts to a (the runs of age and verify over several PATHs). */
struct registry_stats;
void cli_registry_stats_add(struct registry_stats *a,
			    const struct registry_stats *b);

/*
 * The options every findings command (scan, age, gate, ...) takes, parsed
 * in one place: put CLI_REPORT_LONGOPTS (or CLI_OUTPUT_LONGOPTS) in the
 * getopt_long table, "o:v" in the short options, and hand every option to
 * cli_report_option first (cli_parse_options does).
 */
enum {
	CLI_OPT_SOURCE = 0x1000,
	CLI_OPT_FORMAT,
	CLI_OPT_FAIL_ON,
	CLI_OPT_IGNORE,
	CLI_OPT_FEED,
	CLI_OPT_NO_BUNDLED_FEEDS,
	CLI_OPT_RULES,
	CLI_OPT_NO_RULES,
};

#define CLI_REPORT_LONGOPTS                                              \
	{ "source", required_argument, NULL, CLI_OPT_SOURCE },           \
	CLI_OUTPUT_LONGOPTS

/* The same without --source, for commands that read no dependency tree. */
#define CLI_OUTPUT_LONGOPTS                                              \
	{ "format", required_argument, NULL, CLI_OPT_FORMAT },           \
	{ "output", required_argument, NULL, 'o' },                      \
	{ "fail-on", required_argument, NULL, CLI_OPT_FAIL_ON },         \
	{ "ignore", required_argument, NULL, CLI_OPT_IGNORE },           \
	{ "verbose", no_argument, NULL, 'v' }

struct cli_report_args {
	enum cli_source src;
	enum cli_format format;
	const char *output;	/* --output, NULL for stdout */
	const char *ignore;	/* --ignore baseline */
	int fail_on;		/* severity, or -1 for none (default high) */
	int verbose;
};

void cli_report_args_init(struct cli_report_args *a);
/*
 * Takes option c (as getopt_long returned it) with its argument when it
 * is one of the above: returns 1 when taken, 0 when it is not one of
 * them, -1 when its value is bad (the error is printed).
 */
int cli_report_option(struct cli_report_args *a, int c, const char *arg);

/* Loads --ignore FILE (NULL: none, *out NULL); returns an exit code, the
 * error printed. */
struct report_baseline;
int cli_baseline_load(struct report_baseline **out, const char *ignore);
/* Applies the baseline (may be NULL) as of day, sorts r and prints its
 * errors that were not shown yet. */
void cli_report_settle(struct report *r, const struct report_baseline *b,
		       const char *day);
/* 1 when r has findings at or above fail_on (-1: never). */
int cli_fails_on(const struct report *r, int fail_on);
/* Renders r as a's --format to a's --output, then the exit code: the
 * render's failure, else 1 when cli_fails_on, else 0. */
int cli_report_emit(const struct report *r, const struct cli_report_args *a,
		    const char *stamp);

/*
 * Adds v to list (n entries, at most max) for the repeatable option opt;
 * prints "OPT: at most MAX times" and returns -1 when it is full.
 */
int cli_list_add(const char **list, size_t *n, size_t max, const char *v,
		 const char *opt);

/*
 * --feed FILE (repeatable) and --no-bundled-feeds, for the commands that
 * match feeds (scan, gate, sweep, host): CLI_FEED_LONGOPTS in the table,
 * every option to cli_feed_option (1 taken, 0 not, -1 bad: the error
 * printed). scan and gate also take --rules DIR (repeatable) and
 * --no-rules: CLI_RULES_LONGOPTS.
 */
#define CLI_FEEDS_MAX 64	/* --feed, --rules each */

#define CLI_FEED_LONGOPTS                                                \
	{ "feed", required_argument, NULL, CLI_OPT_FEED },               \
	{ "no-bundled-feeds", no_argument, NULL, CLI_OPT_NO_BUNDLED_FEEDS }

#define CLI_RULES_LONGOPTS                                               \
	{ "rules", required_argument, NULL, CLI_OPT_RULES },             \
	{ "no-rules", no_argument, NULL, CLI_OPT_NO_RULES }

struct cli_feed_args {
	const char *feeds[CLI_FEEDS_MAX];
	size_t nfeeds;
	int bundled;		/* 0 after --no-bundled-feeds */
	const char *rule_dirs[CLI_FEEDS_MAX];
	size_t nrule_dirs;
	int rules;		/* 0 after --no-rules */
};

void cli_feed_args_init(struct cli_feed_args *a);
int cli_feed_option(struct cli_feed_args *a, int c, const char *arg);

/* ---- verify's check, shared by verify and gate (checks_verify.c) ---- */

struct cli_verify_opts {
	const char *trusted_root;	/* NULL: the bundled trust/ copy */
	const char *registry_keys;	/* NULL: the registry's, cached */
	const char *policy;		/* NULL: none */
	unsigned history;		/* earlier versions compared */
};

/* The loaded trust material and the counts of every run. */
struct cli_verify;

/* Loads what o names; returns an exit code, the error printed. */
int cli_verify_load(struct cli_verify **out, const struct cli_verify_opts *o);
void cli_verify_free(struct cli_verify *v);
/*
 * Verifies inv into r with client (opened with want_dist); `shown` is the
 * redacted registry URL for the evidence. Adds to v's counts. Returns an
 * exit code (0: the check ran), the error printed.
 */
int cli_verify_run(struct cli_verify *v, struct report *r,
		   const struct tree_inv *inv, struct registry_client *client,
		   const char *shown);
/* Adds the "verify" section (the counts) to r; v must outlive r's render. */
void cli_verify_section(struct cli_verify *v, struct report *r);
/* One line of counts for stderr. */
void cli_verify_note(const struct cli_verify *v);
/* The trusted root file: given, else the bundled trust/trusted_root.json
 * (malloc'd; NULL with the error set when there is none). */
char *cli_verify_root_path(const char *given);

/* Prints the command's usage line and summary, then `extra`, to fp. */
void cli_usage(FILE *fp, const char *name, const char *extra);

struct option;

/* A command's options, for cli_parse_options. */
struct cli_options {
	const char *cmd;		/* "scan": for --help and the errors */
	const char *help;		/* printed by -h after the usage line */
	const char *shortopts;		/* ":o:vh" and the command's own */
	const struct option *longopts;	/* getopt_long's table */
	struct cli_report_args *rep;	/* CLI_REPORT_LONGOPTS, or NULL */
	struct cli_feed_args *feeds;	/* CLI_FEED_LONGOPTS, or NULL */
	struct cli_registry_args *reg;	/* CLI_REGISTRY_LONGOPTS, or NULL */
	/* The command's own option c: 0 when taken, an exit code when its
	 * value is bad (the error printed), -1 when it is not one of them. */
	int (*own)(void *ctx, int c, const char *arg);
	void *ctx;
};

/*
 * The getopt_long loop of a command over argv[0..argc): every option goes
 * to the shared parsers o names, then to o->own; -h prints the help; an
 * unknown option or a missing argument is reported (cli_bad_option).
 * Returns 0, -1 after --help (the command exits 0), or an exit code.
 */
int cli_parse_options(const struct cli_options *o, int argc, char **argv);

#endif
