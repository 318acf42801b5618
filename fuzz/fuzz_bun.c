/*
 * The bun.lock reader on arbitrary bytes, then what every tree goes
 * through: resolution and dependency paths.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockfile/lockfile.h"
#include "tree/tree.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PATH_MAX 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tree *t = NULL;
	uint32_t path[FUZZ_PATH_MAX];
	size_t i;
	char *buf = malloc(size + 1);

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (lockfile_parse_bun(&t, buf, size, "fuzz/bun.lock", NULL)) {
		/* a failure leaves no tree and always says why */
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
		size_t len = tree_path(t, (uint32_t)i, path, FUZZ_PATH_MAX);

		if (len && path[(len < FUZZ_PATH_MAX ? len : FUZZ_PATH_MAX) -
				1] != i)
			abort();
		if (t->nodes[i].ndeps &&
		    t->nodes[i].deps + t->nodes[i].ndeps > t->ndeps)
			abort();
	}
	tree_free(t);
	return 0;
}
