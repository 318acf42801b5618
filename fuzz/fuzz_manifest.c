/*
 * One package.json as the node_modules walker reads it: json_parse, then
 * the manifest-to-node code (tree_read_manifest), then tree_resolve over
 * the result. Each input is read twice: as the root project (devDependencies
 * and workspace patterns) and as an installed package under a nested,
 * scoped location (bundleDependencies).
 *
 * Checked: a failure leaves a message and adds no node; a success adds one
 * node at the location, whose edges all have names; bundle names are
 * never empty.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree/tree.h"
#include "tree/walk_internal.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *location;
	unsigned flags;
} fuzz_runs[] = {
	{ "", TREE_MANIFEST_DEV | TREE_MANIFEST_WORKSPACES },
	{ "node_modules/a/node_modules/@s/b", 0 },
};

static void
fuzz_one(const uint8_t *data, size_t size, size_t run)
{
	const char *loc = fuzz_runs[run].location;
	struct tree_bundle bundle = { 0 };
	struct tree *t;
	uint32_t node, i;
	char *buf = xmalloc(size + 1);
	int err;

	if (size)
		memcpy(buf, data, size);
	buf[size] = '\0';
	tree_new(&t, "fuzz", "node_modules");
	if (loc[0]) {
		/* the walker always has a root before anything else */
		if (tree_add_node(t, "", &node))
			abort();
		t->nodes[node].name = tree_strdup(t, "root");
	}
	err = tree_read_manifest(&node, &bundle, t, loc, buf, size,
				 "package.json", fuzz_runs[run].flags);
	if (err) {
		if (!*ws_error_last())
			abort();
		if (node == TREE_NONE && t->nnodes != (loc[0] ? 1u : 0u))
			abort();
	} else {
		const struct tree_node *n = &t->nodes[node];

		if (node != tree_find(t, loc, strlen(loc)) ||
		    strcmp(n->location, loc) != 0)
			abort();
		for (i = 0; i < n->ndeps; i++)
			if (!t->deps[n->deps + i].name)
				abort();
		if (n->resolved && (enum tree_source)n->source !=
		    tree_source_from_resolved(n->resolved))
			abort();
	}
	for (i = 0; i < bundle.n; i++)
		if (!bundle.names[i][0])
			abort();
	/* hostile workspace patterns go through fnmatch */
	tree_is_workspace(t, "packages/a");
	tree_install_name(loc);
	tree_resolve(t);
	tree_bundle_release(&bundle);
	tree_free(t);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t run;

	if (size > TREE_MANIFEST_MAX)
		return 0;	/* the walker never reads more */
	for (run = 0; run < sizeof(fuzz_runs) / sizeof(fuzz_runs[0]); run++)
		fuzz_one(data, size, run);
	return 0;
}
