#include "cli/cli.h"

#include <string.h>

#include "util/banned.h"

void
cli_usage(FILE *fp, const char *name, const char *extra)
{
	const struct cli_command *c = cli_find_command(name);

	if (!c)
		return;
	fprintf(fp, "usage: wormsign %s %s\n\n%s.\n", c->name, c->usage,
		c->summary);
	if (extra)
		fprintf(fp, "\n%s", extra);
	fprintf(fp, "\nSee wormsign-%s(1) for details.\n", c->name);
}

int
cmd_help(int argc, char **argv)
{
	const struct cli_command *c;

	if (argc > 1 && strcmp(argv[1], "--help") != 0) {
		if (!cli_find_command(argv[1])) {
			cli_error("'%s' is not a wormsign command", argv[1]);
			return WS_EXIT_USAGE;
		}
		cli_usage(stdout, argv[1], NULL);
		return WS_EXIT_CLEAN;
	}
	printf("usage: wormsign <command> [options] [args]\n"
	       "       wormsign --version\n\n"
	       "Supply-chain incident response for npm dependency trees.\n\n"
	       "Commands:\n");
	for (c = cli_commands; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\nRun 'wormsign help <command>' or 'wormsign <command> --help' for\n"
	       "a command's options. Exit status: 0 clean, 1 findings at or above\n"
	       "--fail-on, 2 usage or input error, 3 operational failure.\n");
	return WS_EXIT_CLEAN;
}
