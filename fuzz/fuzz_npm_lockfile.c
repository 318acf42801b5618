/*
 * The npm lockfile reader on arbitrary bytes, as package-lock.json and as
 * node_modules/.package-lock.json, then everything downstream of a tree:
 * resolution, grouping into an inventory, dependency paths and the tree
 * renderers (to /dev/null).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockfile/lockfile.h"
#include "report/report.h"
#include "tree/tree.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
match_all(const struct tree_pkg *pkg, void *payload)
{
	(void)pkg;
	(void)payload;
	return 1;
}

static void
exercise(const uint8_t *data, size_t size, enum lockfile_kind kind,
	 FILE *devnull)
{
	struct tree_inv inv;
	struct tree *t = NULL;
	uint32_t path[REPORT_PATH_LEN_MAX];
	size_t i, matched;
	int alt;
	char *buf = malloc(size + 1);

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (lockfile_parse_npm(&t, buf, size, "fuzz/package-lock.json",
			       kind)) {
		if (t || !*ws_error_last())
			abort();
		free(buf);
		return;
	}
	/* the tree borrows from the input buffer and now owns it */
	tree_own(t, buf);
	tree_resolve(t);
	for (i = 0; i < t->nnodes; i++) {
		size_t len = tree_path(t, (uint32_t)i, path,
				       REPORT_PATH_LEN_MAX);

		if (len && path[len < REPORT_PATH_LEN_MAX ?
				     len - 1 : REPORT_PATH_LEN_MAX - 1] != i)
			abort();
	}
	tree_inv_init(&inv);
	tree_inv_add(&inv, t);
	tree_inv_index(&inv);
	/* both output styles of each renderer, one per pass */
	alt = kind == LOCKFILE_NPM_HIDDEN;
	if (report_tree_json(devnull, &inv, !alt) ||
	    report_tree_text(devnull, &inv, alt) ||
	    report_tree_why(devnull, &inv, alt, match_all, NULL, &matched) ||
	    matched != inv.npkgs)
		abort();
	tree_inv_release(&inv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	exercise(data, size, LOCKFILE_NPM, devnull);
	exercise(data, size, LOCKFILE_NPM_HIDDEN, devnull);
	return 0;
}
