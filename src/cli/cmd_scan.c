#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "scan/scan.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/banned.h"

#define SCAN_TARBALLS_MAX 64	/* --tarball */

static const char scan_help[] =
	"Options:\n"
	"  --source SRC        auto, lockfile, node_modules or all, as for tree\n"
	"  --feed FILE         add a feed (repeatable); --no-bundled-feeds drops\n"
	"                      the bundled ones\n"
	"  --rules DIR         add YARA rules (repeatable); --no-rules: none\n"
	"  --files, --no-files hash and scan installed files (default: on when\n"
	"                      node_modules is scanned)\n"
	"  --tarball FILE      scan an npm tarball (repeatable)\n"
	"  --npm-cache DIR     scan npm's cache (DIR/_cacache)\n"
	"  --registry URL      the registry lockfile hosts should point at\n"
	"                      (default: $npm_config_registry)\n"
	"  --format FMT        text (default), json, sarif or markdown\n"
	"  -o, --output FILE   write the report to FILE (atomically)\n"
	"  --fail-on SEV       exit 1 on findings at or above SEV: critical,\n"
	"                      high (default), medium, low, info, or none\n"
	"  --ignore FILE       a baseline of accepted findings (suppressed and\n"
	"                      counted, not hidden)\n"
	"  -v, --verbose       print every warning\n"
	"  -h, --help          show this help\n"
	"\n"
	"PATH is a project directory or a lockfile, as for 'wormsign tree'.\n";

struct scan_args {
	struct cli_report_args rep;	/* --source, --format, -o, ... */
	struct cli_feed_args feeds;	/* --feed, --rules and their --no- */
	const char *tarballs[SCAN_TARBALLS_MAX];
	size_t ntarballs;
	const char *npm_cache;
	const char *registry;
	int files;		/* -1: default */
};

enum {
	OPT_FILES = 256, OPT_NO_FILES, OPT_TARBALL, OPT_CACHE, OPT_REGISTRY,
};

static int
scan_option(void *ctx, int c, const char *arg)
{
	struct scan_args *a = ctx;

	switch (c) {
	case OPT_FILES:
		a->files = 1;
		return 0;
	case OPT_NO_FILES:
		a->files = 0;
		return 0;
	case OPT_TARBALL:
		if (cli_list_add(a->tarballs, &a->ntarballs, SCAN_TARBALLS_MAX,
				 arg, "--tarball"))
			return WS_EXIT_USAGE;
		return 0;
	case OPT_CACHE:
		a->npm_cache = arg;
		return 0;
	case OPT_REGISTRY:
		a->registry = arg;
		return 0;
	}
	return -1;
}

static int
scan_parse_args(struct scan_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_FEED_LONGOPTS,
		CLI_RULES_LONGOPTS,
		{ "files", no_argument, NULL, OPT_FILES },
		{ "no-files", no_argument, NULL, OPT_NO_FILES },
		{ "tarball", required_argument, NULL, OPT_TARBALL },
		{ "npm-cache", required_argument, NULL, OPT_CACHE },
		{ "registry", required_argument, NULL, OPT_REGISTRY },
		CLI_REPORT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_options o = {
		"scan", scan_help, ":o:vh", opts, &a->rep, &a->feeds, NULL,
		scan_option, a,
	};
	int code;

	memset(a, 0, sizeof(*a));
	cli_report_args_init(&a->rep);
	cli_feed_args_init(&a->feeds);
	a->files = -1;
	if ((code = cli_parse_options(&o, argc, argv)))
		return code;
	a->registry = cli_registry_default(a->registry);
	return 0;
}

int
cmd_scan(int argc, char **argv)
{
	struct scan_args a;
	struct cli_scan *s = NULL;
	struct report_baseline *baseline = NULL;
	struct scan_opts o;
	struct tree_inv inv;
	struct report r;
	char stamp[32], day[16];
	size_t i;
	int code, err;

	if ((code = scan_parse_args(&a, argc, argv)))
		return code < 0 ? WS_EXIT_CLEAN : code;
	tree_inv_init(&inv);
	report_init(&r, "scan");
	cli_errors_to(&r);
	cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));

	if ((code = cli_scan_load(&s, &a.feeds, 1)) ||
	    (code = cli_baseline_load(&baseline, a.rep.ignore)))
		goto done;

	/* Only tarballs or a cache asked for: no project to load. */
	if (optind < argc || (!a.ntarballs && !a.npm_cache))
		code = cli_load_inputs(&inv, argc - optind, argv + optind,
				       a.rep.src, a.rep.verbose);

	cli_scan_run(&o, &r, &inv, s, a.registry, a.files != 0);
	if (a.files == 1)
		for (i = 0; i < inv.ntrees; i++)
			if (strcmp(inv.trees[i]->format, "node_modules") != 0)
				cli_note("%s: --files needs installed packages; use --source node_modules or all",
					 inv.trees[i]->file);
	for (i = 0; i < a.ntarballs; i++) {
		report_add_target(&r, a.tarballs[i]);
		if ((err = scan_tarball(&r, a.tarballs[i], &o))) {
			cli_error("%s", ws_error_last());
			code = cli_worse(code, cli_exit_for(err));
		}
	}
	if (a.npm_cache) {
		report_add_target(&r, a.npm_cache);
		if ((err = scan_npm_cache(&r, a.npm_cache, &o))) {
			cli_error("%s", ws_error_last());
			code = cli_worse(code, cli_exit_for(err));
		}
	}
	cli_report_settle(&r, baseline, day);
	code = cli_worse(code, cli_report_emit(&r, &a.rep, stamp));

done:
	report_baseline_free(baseline);
	cli_errors_to(NULL);
	report_release(&r);
	tree_inv_release(&inv);
	cli_scan_free(s);
	return code;
}
