/*
 * `wormsign report SUBCOMMAND`: work on reports already written. Each
 * subcommand lives in its own file (cmd_report_merge.c, cmd_report_rotate.c)
 * and joins the build with it; this file only dispatches.
 */
#include "cli/cli.h"

#include <string.h>

#include "util/banned.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} report_subcommands[] = {
#ifdef WS_HAVE_REPORT_MERGE
	{ "merge", cmd_report_merge,
	  "join sharded sweep reports (JSON or JSON Lines) into one report" },
#endif
#ifdef WS_HAVE_REPORT_ROTATE
	{ "rotate", cmd_report_rotate,
	  "write the rotation checklist from a sweep and a certs report" },
#endif
};

#define NSUB (sizeof(report_subcommands) / sizeof(report_subcommands[0]))

static void
report_help(FILE *fp)
{
	size_t i;

	cli_usage(fp, "report", NULL);
	fputs("\nSubcommands:\n", fp);
	for (i = 0; i < NSUB; i++)
		fprintf(fp, "  %-8s %s\n", report_subcommands[i].name,
			report_subcommands[i].what);
	fputs("\n`wormsign report SUBCOMMAND --help` describes each one.\n", fp);
}

int
cmd_report(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		cli_error("report: which report? (merge, rotate; see --help)");
		return WS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		report_help(stdout);
		return WS_EXIT_CLEAN;
	}
	for (i = 0; i < NSUB; i++)
		if (strcmp(argv[1], report_subcommands[i].name) == 0)
			return report_subcommands[i].run(argc - 1, argv + 1);
	cli_error("report: unknown subcommand \"%s\" (see wormsign report --help)",
		  argv[1]);
	return WS_EXIT_USAGE;
}
