#ifndef WS_TREE_WALK_INTERNAL_H
#define WS_TREE_WALK_INTERNAL_H

/*
 * The node_modules walker's internals, shared with its unit test and the
 * manifest fuzzer (fuzz/fuzz_manifest.c). Not part of the module's API.
 */

#include <stddef.h>
#include <stdint.h>

#include "json/json.h"
#include "tree/tree.h"

/* The names a manifest bundles, each xmalloc'd; release frees them. */
struct tree_bundle {
	char **names;
	size_t n, alloc;
};

void tree_bundle_release(struct tree_bundle *b);

/*
 * Parses a package.json held in buf[0..len) (writable, NUL at buf[len]) in
 * place into doc. Fails with WS_EPARSE or WS_ELIMIT, message naming file,
 * when it is not JSON or its top level is not an object; doc is released
 * then. On success the caller releases doc, and buf must outlive it.
 */
int tree_manifest_parse(struct json_doc *doc, char *buf, size_t len,
			const char *file);

/*
 * Adds a node at location for the manifest object pkg: name, version,
 * _integrity, _resolved (and the source it implies), one edge per entry
 * of dependencies, optionalDependencies and peerDependencies (with
 * peerDependenciesMeta), devDependencies with TREE_MANIFEST_DEV, and the
 * workspace patterns with TREE_MANIFEST_WORKSPACES. A name listed in more
 * than one of those gets one edge, of the first kind in npm's order:
 * optional, prod, peer, dev. The names in bundleDependencies (or
 * bundledDependencies; `true` means every dependency) are appended to
 * bundle when it is not NULL.
 *
 * Content that npm would not accept (a non-string range, a section that
 * is not an object) becomes a tree warning naming file; the rest of the
 * manifest is still read. Fails only when the tree is full (WS_ELIMIT) or
 * location is taken (WS_EPARSE); *out is TREE_NONE unless the node was
 * added, in which case it may have only part of its edges.
 */
int tree_manifest_apply(uint32_t *out, struct tree_bundle *bundle,
			struct tree *t, const char *location,
			const struct json_value *pkg, const char *file,
			unsigned flags);

/* tree_manifest_parse, then tree_manifest_apply: for the fuzzer. */
int tree_read_manifest(uint32_t *out, struct tree_bundle *bundle,
		       struct tree *t, const char *location, char *buf,
		       size_t len, const char *file, unsigned flags);

/*
 * The name a location is installed under: "b" for "node_modules/a/
 * node_modules/b", "@s/b" for ".../node_modules/@s/b"; NULL when the
 * location is not directly inside a node_modules directory.
 */
const char *tree_install_name(const char *location);

/* tree_walk_node_modules with other limits, so tests can reach them. */
int tree_walk_limited(struct tree **out, const char *dir, unsigned depth_max,
		      size_t entries_max);

#endif
