#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lockfile/lockfile.h"
#include "report/report.h"
#include "semver/semver.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"


static const char tree_help[] =
	"Options:\n"
	"  --source SRC     auto (a lockfile when present, else node_modules),\n"
	"                   lockfile, node_modules, or all (both)\n"
	"  --format FMT     text (default) or json (schema wormsign-tree/1)\n"
	"  --why SPEC       print the dependency paths of NAME or NAME@RANGE\n"
	"  -o, --output F   write to F (atomically) instead of standard output\n"
	"  -v, --verbose    print every warning, not only the first 20\n"
	"  -h, --help       show this help\n"
	"\n"
	"PATH is a project directory or a lockfile (package-lock.json,\n"
	"npm-shrinkwrap.json, node_modules/.package-lock.json, yarn.lock,\n"
	"pnpm-lock.yaml, bun.lock); default '.'. A directory with several\n"
	"lockfiles gives one target per lockfile.\n";

struct why_spec {
	const char *name;
	size_t name_len;
	struct semver_range *range;
};

static int
why_match(const struct tree_pkg *pkg, void *payload)
{
	const struct why_spec *w = payload;
	struct semver v;
	size_t i;
	int named = strlen(pkg->name) == w->name_len &&
		    memcmp(pkg->name, w->name, w->name_len) == 0;

	/* An alias counts too: --why x finds "x": "npm:lodash@...". */
	for (i = 0; !named && i < pkg->nlocs; i++) {
		const char *a = pkg->locs[i].tree->nodes[pkg->locs[i].node].alias;

		named = a && strlen(a) == w->name_len &&
			memcmp(a, w->name, w->name_len) == 0;
	}
	if (!named)
		return 0;
	if (!w->range)
		return 1;
	if (semver_parse(&v, pkg->version, strlen(pkg->version)))
		return 0;
	return semver_range_satisfies(w->range, &v, 0) == 1;
}

/* NAME[@RANGE], where NAME may be scoped (@scope/name). */
static int
why_parse(struct why_spec *w, const char *arg)
{
	const char *at = strchr(arg[0] == '@' ? arg + 1 : arg, '@');

	w->name = arg;
	w->range = NULL;
	w->name_len = at ? (size_t)(at - arg) : strlen(arg);
	if (w->name_len == 0) {
		cli_error("--why: missing package name in \"%s\"", arg);
		return -1;
	}
	if (at && semver_range_parse(&w->range, at + 1, strlen(at + 1))) {
		cli_error("--why: %s", ws_error_last());
		return -1;
	}
	return 0;
}

int
cmd_tree(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "why", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_source src = CLI_SOURCE_AUTO;
	struct tree_inv inv;
	struct cli_output out;
	struct why_spec why;
	const char *why_arg = NULL, *output = NULL;
	int json = 0, verbose = 0, code = WS_EXIT_CLEAN, c, err;

	memset(&why, 0, sizeof(why));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_source(&src, optarg))
				return WS_EXIT_USAGE;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "text") == 0)
				json = 0;
			else {
				cli_error("--format: unknown format \"%s\" (text, json)",
					  optarg);
				return WS_EXIT_USAGE;
			}
			break;
		case 'w':
			why_arg = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			cli_usage(stdout, "tree", tree_help);
			return WS_EXIT_CLEAN;
		default:
			return cli_bad_option("tree", c, argv);
		}
	}
	if (why_arg && why_parse(&why, why_arg))
		return WS_EXIT_USAGE;

	tree_inv_init(&inv);
	code = cli_load_inputs(&inv, argc - optind, argv + optind, src,
			       verbose);

	if (inv.ntrees == 0)
		goto done;
	if ((err = cli_output_open(&out, output))) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_FAILURE;
		goto done;
	}
	if (why_arg) {
		size_t matched = 0;

		err = report_tree_why(out.fp, &inv, json, why_match, &why,
				      &matched);
		if (!err && !matched) {
			cli_error("no installed package matches \"%s\"",
				  why_arg);
			if (code == WS_EXIT_CLEAN)
				code = WS_EXIT_USAGE;
		}
	} else if (json) {
		err = report_tree_json(out.fp, &inv, 1);
	} else {
		err = report_tree_text(out.fp, &inv,
				       !output && cli_use_color(out.fp));
	}
	if (err) {
		/* stdout's error flag stays set: main reports it, once */
		if (output)
			cli_error("%s: write error", output);
		cli_output_abort(&out);
		code = WS_EXIT_FAILURE;
		goto done;
	}
	if ((err = cli_output_commit(&out))) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_FAILURE;
	}

done:
	semver_range_free(why.range);
	tree_inv_release(&inv);
	return code;
}
