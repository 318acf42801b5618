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

#define TREE_WARNINGS_SHOWN 20

enum tree_source_opt {
	SOURCE_AUTO,
	SOURCE_LOCKFILE,
	SOURCE_NODE_MODULES,
	SOURCE_ALL,
};

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
	"npm-shrinkwrap.json, node_modules/.package-lock.json); default '.'.\n";

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

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
load_lockfile(struct tree_inv *inv, const char *path)
{
	struct tree *t;
	int err = lockfile_load(&t, path);

	if (err) {
		cli_error("%s", ws_error_last());
		return err;
	}
	tree_inv_add(inv, t);
	return 0;
}

static int
load_node_modules(struct tree_inv *inv, const char *dir)
{
	struct tree *t;
	int err = tree_walk_node_modules(&t, dir);

	if (err) {
		cli_error("%s", ws_error_last());
		return err;
	}
	tree_inv_add(inv, t);
	return 0;
}

static int
has_file(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
has_node_modules(const char *dir)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/node_modules", dir) >=
	    sizeof(path))
		return 0;
	return is_dir(path);
}

/* Loads what PATH stands for; returns 0 or the first error. */
static int
load_path(struct tree_inv *inv, const char *path, enum tree_source_opt src)
{
	char **found = NULL;
	size_t nfound = 0, i;
	int err = 0;

	if (!is_dir(path)) {
		struct stat st;

		if (stat(path, &st) != 0) {
			cli_error("%s: %s", path, strerror(errno));
			return WS_ENOTFOUND;
		}
		if (src == SOURCE_NODE_MODULES) {
			cli_error("%s: --source node_modules needs a project directory",
				  path);
			return WS_EPARSE;
		}
		return load_lockfile(inv, path);
	}
	if (src != SOURCE_NODE_MODULES)
		lockfile_detect(&found, &nfound, path, 1);
	if (src != SOURCE_LOCKFILE && !has_node_modules(path) &&
	    has_file(path, ".pnp.cjs"))
		cli_note("%s: a Plug'n'Play project (.pnp.cjs): read from its yarn.lock, there is no node_modules",
			 path);
	if (src == SOURCE_LOCKFILE && !nfound) {
		cli_error("%s: no lockfile found (package-lock.json, npm-shrinkwrap.json, node_modules/.package-lock.json)",
			  path);
		return WS_ENOTFOUND;
	}
	for (i = 0; i < nfound; i++) {
		int e = load_lockfile(inv, found[i]);

		if (e && !err)
			err = e;
		free(found[i]);
	}
	free(found);
	if (src == SOURCE_NODE_MODULES || src == SOURCE_ALL ||
	    (src == SOURCE_AUTO && !nfound)) {
		if (!has_node_modules(path)) {
			if (src == SOURCE_AUTO)
				cli_error("%s: no lockfile or node_modules found",
					  path);
			else
				cli_error("%s: no node_modules directory", path);
			return err ? err : WS_ENOTFOUND;
		}
		{
			int e = load_node_modules(inv, path);

			if (e && !err)
				err = e;
		}
	}
	return err;
}

static void
print_warnings(const struct tree_inv *inv, int verbose)
{
	size_t i, j, shown = 0, total = 0;

	for (i = 0; i < inv->ntrees; i++) {
		const struct tree *t = inv->trees[i];

		total += t->nwarnings + t->warnings_dropped;
		for (j = 0; j < t->nwarnings; j++)
			if (verbose || shown < TREE_WARNINGS_SHOWN) {
				cli_warning("%s", t->warnings[j]);
				shown++;
			}
	}
	if (total > shown)
		cli_warning("%zu more warnings (use --verbose to see them)",
			    total - shown);
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
	enum tree_source_opt src = SOURCE_AUTO;
	struct tree_inv inv;
	struct cli_output out;
	struct why_spec why;
	const char *why_arg = NULL, *output = NULL;
	int json = 0, verbose = 0, code = WS_EXIT_CLEAN, c, i, err;

	memset(&why, 0, sizeof(why));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (strcmp(optarg, "auto") == 0)
				src = SOURCE_AUTO;
			else if (strcmp(optarg, "lockfile") == 0)
				src = SOURCE_LOCKFILE;
			else if (strcmp(optarg, "node_modules") == 0)
				src = SOURCE_NODE_MODULES;
			else if (strcmp(optarg, "all") == 0)
				src = SOURCE_ALL;
			else {
				cli_error("--source: unknown source \"%s\" (auto, lockfile, node_modules, all)",
					  optarg);
				return WS_EXIT_USAGE;
			}
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
	if (optind >= argc) {
		if ((err = load_path(&inv, ".", src)))
			code = cli_exit_for(err);
	}
	for (i = optind; i < argc; i++)
		if ((err = load_path(&inv, argv[i], src)) &&
		    code == WS_EXIT_CLEAN)
			code = cli_exit_for(err);
	print_warnings(&inv, verbose);
	tree_inv_index(&inv);

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
