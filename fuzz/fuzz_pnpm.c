/*
 * The pnpm-lock.yaml reader on arbitrary bytes, then what every tree goes
 * through: resolution, dependency paths and grouping into an inventory.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockfile/lockfile.h"
#include "tree/tree.h"
#include "util/error.h"

#define FUZZ_PATH_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tree_inv inv;
	struct tree *t = NULL;
	uint32_t path[FUZZ_PATH_MAX];
	size_t i, len;
	char *buf = malloc(size + 1);

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (lockfile_parse_pnpm(&t, buf, size, "fuzz/pnpm-lock.yaml", NULL)) {
		if (t || !*ws_error_last())
			abort();
		free(buf);
		return 0;
	}
	/* the tree must not borrow from the input buffer */
	memset(buf, 'X', size);
	free(buf);
	tree_resolve(t);
	for (i = 0; i < t->nnodes; i++) {
		const struct tree_node *n = &t->nodes[i];
		uint32_t j;

		/* the reader links every edge itself, in range */
		for (j = 0; j < n->ndeps; j++)
			if (t->deps[n->deps + j].target != TREE_NONE &&
			    t->deps[n->deps + j].target >= t->nnodes)
				abort();
		if (tree_node_is_package(n) && !n->name[0])
			abort();
		len = tree_path(t, (uint32_t)i, path, FUZZ_PATH_MAX);
		if (len && path[len < FUZZ_PATH_MAX ? len - 1 :
				 FUZZ_PATH_MAX - 1] != i)
			abort();
	}
	tree_inv_init(&inv);
	tree_inv_add(&inv, t);
	tree_inv_index(&inv);
	tree_inv_release(&inv);
	return 0;
}
