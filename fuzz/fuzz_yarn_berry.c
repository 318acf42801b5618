/*
 * The yarn berry lockfile reader on arbitrary bytes, with and without a
 * root package.json, then resolution, dependency paths and grouping into
 * an inventory. The lockfile is named below a directory that does not
 * exist, so no workspace package.json is ever read from disk.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "lockfile/lockfile.h"
#include "tree/tree.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FILE "/nonexistent/wormsign-fuzz/yarn.lock"
#define FUZZ_PATH_MAX 64

static void
exercise(const uint8_t *data, size_t size, const struct json_value *manifest)
{
	struct tree_inv inv;
	struct tree *t = NULL;
	uint32_t path[FUZZ_PATH_MAX];
	size_t i;
	char *buf = malloc(size + 1);

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (lockfile_parse_yarn_berry(&t, buf, size, FUZZ_FILE, manifest)) {
		if (t || !*ws_error_last())
			abort();
		free(buf);
		return;
	}
	/* the tree must not borrow from the input buffer */
	memset(buf, 'X', size);
	free(buf);
	tree_resolve(t);
	for (i = 0; i < t->nnodes; i++) {
		size_t len = tree_path(t, (uint32_t)i, path, FUZZ_PATH_MAX);

		if (len && path[len < FUZZ_PATH_MAX ? len - 1 :
				 FUZZ_PATH_MAX - 1] != i)
			abort();
		if (!t->nodes[i].location)
			abort();
	}
	for (i = 0; i < t->ndeps; i++)
		if (t->deps[i].target != TREE_NONE &&
		    t->deps[i].target >= t->nnodes)
			abort();
	tree_inv_init(&inv);
	tree_inv_add(&inv, t);
	tree_inv_index(&inv);
	tree_inv_release(&inv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_doc mdoc;
	static char mtext[] =
		"{\"name\":\"app\",\"version\":\"1.0.0\","
		"\"dependencies\":{\"a\":\"^1.0.0\",\"x\":\"npm:b@1\"},"
		"\"devDependencies\":{\"d\":\"^2\",\"once\":\"^1.4.0\"},"
		"\"optionalDependencies\":{\"o\":\"*\"}}";
	static int have_manifest;

	if (!have_manifest) {
		if (json_parse(&mdoc, mtext, strlen(mtext), "package.json", 0))
			abort();
		have_manifest = 1;
	}
	exercise(data, size, NULL);
	exercise(data, size, mdoc.root);
	return 0;
}
