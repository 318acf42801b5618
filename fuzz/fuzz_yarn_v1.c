/*
 * The yarn v1 lockfile reader on arbitrary bytes, without a package.json
 * and with a fixed one (no workspaces, so nothing is read from disk), then
 * resolution, dependency paths and grouping into an inventory.
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

#define PATH_MAX_LEN 64

static const char manifest_text[] =
	"{\"name\":\"app\",\"version\":\"1.0.0\","
	"\"dependencies\":{\"a\":\"^1.0.0\",\"x\":\"npm:lodash@^4\",\"b\":\"1\"},"
	"\"devDependencies\":{\"d\":\"*\"},"
	"\"optionalDependencies\":{\"o\":\"~1.0.0\"}}";

static void
exercise(const uint8_t *data, size_t size, const struct json_value *manifest)
{
	struct tree_inv inv;
	struct tree *t = NULL;
	uint32_t path[PATH_MAX_LEN];
	size_t i;
	char *buf = malloc(size + 1);

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (lockfile_parse_yarn_v1(&t, buf, size, "fuzz/yarn.lock",
				   manifest)) {
		if (t || !*ws_error_last())
			abort();
		free(buf);
		return;
	}
	/* the tree must not borrow from the input buffer */
	memset(buf, 'X', size);
	free(buf);
	if (!t->synthetic_locations || tree_find(t, "", 0) == TREE_NONE)
		abort();
	tree_resolve(t);
	for (i = 0; i < t->nnodes; i++) {
		size_t len = tree_path(t, (uint32_t)i, path, PATH_MAX_LEN);

		if (len && path[len < PATH_MAX_LEN ?
				     len - 1 : PATH_MAX_LEN - 1] != i)
			abort();
		if (!t->nodes[i].name || !t->nodes[i].location)
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
	static struct json_doc doc;
	static char *mbuf;

	if (!mbuf) {
		mbuf = malloc(sizeof(manifest_text));
		if (!mbuf)
			abort();
		memcpy(mbuf, manifest_text, sizeof(manifest_text));
		if (json_parse(&doc, mbuf, sizeof(manifest_text) - 1,
			       "fuzz/package.json", 0))
			abort();
	}
	exercise(data, size, NULL);
	exercise(data, size, doc.root);
	return 0;
}
