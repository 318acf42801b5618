#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lockfile/lockfile.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/banned.h"

#define TREE_WARNINGS_SHOWN 20

int
cli_parse_source(enum cli_source *out, const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		*out = CLI_SOURCE_AUTO;
	else if (strcmp(arg, "lockfile") == 0)
		*out = CLI_SOURCE_LOCKFILE;
	else if (strcmp(arg, "node_modules") == 0)
		*out = CLI_SOURCE_NODE_MODULES;
	else if (strcmp(arg, "all") == 0)
		*out = CLI_SOURCE_ALL;
	else {
		cli_error("--source: unknown source \"%s\" (auto, lockfile, node_modules, all)",
			  arg);
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
cli_load_path(struct tree_inv *inv, const char *path, enum cli_source src)
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
		if (src == CLI_SOURCE_NODE_MODULES) {
			cli_error("%s: --source node_modules needs a project directory",
				  path);
			return WS_EPARSE;
		}
		return load_lockfile(inv, path);
	}
	if (src != CLI_SOURCE_NODE_MODULES)
		lockfile_detect(&found, &nfound, path, 1);
	if (src != CLI_SOURCE_LOCKFILE && !has_node_modules(path) &&
	    has_file(path, ".pnp.cjs"))
		cli_note("%s: a Plug'n'Play project (.pnp.cjs): read from its yarn.lock, there is no node_modules",
			 path);
	if (src == CLI_SOURCE_LOCKFILE && !nfound) {
		cli_error("%s: no lockfile found (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock, node_modules/.package-lock.json)",
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
	if (src == CLI_SOURCE_NODE_MODULES || src == CLI_SOURCE_ALL ||
	    (src == CLI_SOURCE_AUTO && !nfound)) {
		if (!has_node_modules(path)) {
			if (src == CLI_SOURCE_AUTO)
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
cli_print_warnings(const struct tree_inv *inv, int verbose)
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
cli_operands(char ***paths, int argc, char **argv)
{
	static char *dot[] = { ".", NULL };

	if (optind >= argc) {
		*paths = dot;
		return 1;
	}
	*paths = argv + optind;
	return argc - optind;
}

int
cli_load_inputs(struct tree_inv *inv, int npaths, char **paths,
		enum cli_source src, int verbose)
{
	int code = WS_EXIT_CLEAN, err, i;

	if (npaths <= 0) {
		if ((err = cli_load_path(inv, ".", src)))
			code = cli_exit_for(err);
	}
	for (i = 0; i < npaths; i++)
		if ((err = cli_load_path(inv, paths[i], src)) &&
		    code == WS_EXIT_CLEAN)
			code = cli_exit_for(err);
	cli_print_warnings(inv, verbose);
	tree_inv_index(inv);
	return code;
}
