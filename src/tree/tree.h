#ifndef WS_TREE_TREE_H
#define WS_TREE_TREE_H

/*
 * The inventory model: one dependency tree per input (a lockfile or a
 * node_modules directory), as installed locations and dependency edges.
 *
 * A tree is filled by a reader (src/lockfile, the node_modules walker),
 * then tree_resolve() links every dependency to the location the package
 * manager would load it from, derives flags the reader could not, and
 * computes one shortest dependency path from a target to every node.
 *
 * Ownership: the tree owns every string reachable from it: copies in its
 * pool (tree_strdup), or strings inside a buffer it was given with
 * tree_own (a reader that parses in place borrows from its input and hands
 * the input over, which saves copying every name of a large lockfile).
 * Node and dep pointers are valid until the next tree_add_node/tree_add_dep;
 * indexes are stable.
 *
 * Targets are what a path starts from: the root project and the workspace
 * members (TREE_TARGET). Link nodes (TREE_LINK) stand for a symlink from
 * node_modules to another location; they are followed, never reported.
 */

#include <stddef.h>
#include <stdint.h>

#include "json/json.h"
#include "util/mempool.h"
#include "util/strmap.h"

#define TREE_NONE UINT32_MAX
#define TREE_NODES_MAX (4u << 20)	/* installed locations per input */
#define TREE_DEPS_MAX (32u << 20)	/* dependency edges per input */
#define TREE_WARNINGS_MAX 1000		/* more are counted, not kept */

enum tree_source {
	TREE_SOURCE_REGISTRY,
	TREE_SOURCE_GIT,
	TREE_SOURCE_TARBALL,	/* a remote tarball URL outside the registry */
	TREE_SOURCE_FILE,	/* file: tarball or directory */
	TREE_SOURCE_LINK,	/* symlinked directory that is not a workspace */
	TREE_SOURCE_WORKSPACE,
};

enum tree_flag {
	TREE_DEV = 1 << 0,
	TREE_OPTIONAL = 1 << 1,
	TREE_DEVOPTIONAL = 1 << 2,	/* dev, or optional, but not both paths */
	TREE_PEER = 1 << 3,
	TREE_BUNDLED = 1 << 4,
	TREE_TARGET = 1 << 5,		/* root project or workspace member */
	TREE_LINK = 1 << 6,		/* a link to node->link */
	TREE_EXTRANEOUS = 1 << 7,	/* nothing depends on it */
	TREE_INSTALL_SCRIPT = 1 << 8,	/* has preinstall/install/postinstall */
};

enum tree_dep_kind {
	TREE_DEP_PROD,
	TREE_DEP_DEV,
	TREE_DEP_OPTIONAL,
	TREE_DEP_PEER,
	TREE_DEP_PEER_OPTIONAL,
};

struct tree_dep {
	const char *name;	/* the name it is required under (an alias) */
	const char *spec;	/* the range or spec as written; may be NULL */
	uint32_t target;	/* node index, TREE_NONE when not installed */
	uint8_t kind;		/* enum tree_dep_kind */
};

struct tree_node {
	const char *name;	/* the real package name; NULL if unknown */
	const char *alias;	/* installed under this name instead, or NULL */
	const char *version;	/* NULL when unknown */
	const char *integrity;	/* SRI string as recorded, or NULL */
	const char *resolved;	/* as recorded, or NULL */
	const char *location;	/* "" root, "node_modules/a", "packages/x" */
	const char *link;	/* TREE_LINK: the target's location */
	uint32_t deps;		/* first edge in tree->deps */
	uint32_t ndeps;
	uint32_t link_target;	/* TREE_LINK: resolved node, or TREE_NONE */
	uint32_t target;	/* the target that path starts from */
	uint32_t depth;		/* edges from that target; UINT32_MAX if unreached */
	uint32_t line;		/* where the input describes it (1-based), or 0 */
	uint16_t flags;		/* enum tree_flag */
	uint8_t source;		/* enum tree_source */
};

struct tree {
	struct mempool pool;
	const char *file;	/* input as named by the user */
	const char *format;	/* "package-lock v3", "node_modules", ... */
	int flags_known;	/* the reader set dev/optional; else derived */
	/*
	 * Locations are identifiers (pnpm keys, yarn locators), not paths
	 * below the project: the reader links every edge itself (a dep's
	 * target) and marks workspace members TREE_TARGET itself; resolution
	 * does no node_modules lookup and derives no targets from the layout.
	 */
	int synthetic_locations;
	/*
	 * The format has no npm integrity to record (yarn berry's checksum
	 * hashes its own zip, not the tarball): a missing integrity is then
	 * no sign of an unprotected entry.
	 */
	int integrity_unrecorded;
	struct tree_node *nodes;
	size_t nnodes, nodes_alloc;
	struct tree_dep *deps;
	size_t ndeps, deps_alloc;
	char **warnings;
	size_t nwarnings, warnings_alloc, warnings_dropped;
	struct strmap by_location;
	uint32_t *via;		/* per node: the previous node on its shortest
				 * path (TREE_NONE for targets and unreached);
				 * set by tree_resolve. Apart from the nodes so
				 * that walking a path stays in cache. */
	const char **workspaces;	/* patterns from the root manifest */
	size_t nworkspaces;
	void **owned;		/* buffers freed with the tree (tree_own) */
	size_t nowned;
};

/* A new empty tree; file and format are copied. */
void tree_new(struct tree **out, const char *file, const char *format);
void tree_free(struct tree *t);

char *tree_strdup(struct tree *t, const char *s);	/* NULL stays NULL */
/* Gives the tree a malloc'd buffer to free in tree_free. */
void tree_own(struct tree *t, void *mem);
char *tree_strndup(struct tree *t, const char *s, size_t n);

/*
 * Adds a node at location (copied) and returns its index through *out.
 * Fails with WS_EPARSE when the location is already taken and WS_ELIMIT past
 * TREE_NODES_MAX. The new node has no flags, source registry, no deps.
 */
int tree_add_node(struct tree *t, const char *location, uint32_t *out);

/* Makes room for n more nodes and d more edges (a hint; never fails). */
void tree_reserve(struct tree *t, size_t n, size_t d);

/* tree_add_node without the copy: location must live as long as the tree. */
int tree_add_node_ref(struct tree *t, const char *location, uint32_t *out);

/*
 * Adds a dependency edge from node `from`, which must be the node added
 * last (edges of a node are contiguous). name and spec are copied.
 * Fails with WS_ELIMIT past TREE_DEPS_MAX.
 */
int tree_add_dep(struct tree *t, uint32_t from, const char *name,
		 const char *spec, enum tree_dep_kind kind);
/* tree_add_dep without copies: name and spec must live as long as t. */
int tree_add_dep_ref(struct tree *t, uint32_t from, const char *name,
		     const char *spec, enum tree_dep_kind kind);

enum tree_manifest_flag {
	TREE_MANIFEST_DEV = 1 << 0,		/* read devDependencies too */
	TREE_MANIFEST_WORKSPACES = 1 << 1,	/* (walker) read "workspaces" */
	TREE_MANIFEST_STRICT = 1 << 2,		/* bad content is an error */
	TREE_MANIFEST_BORROW = 1 << 3,		/* m's strings outlive t */
};

/*
 * Adds the edges a manifest-shaped object m declares for node (the last
 * one added): optionalDependencies, dependencies, peerDependencies
 * (optional per peerDependenciesMeta) and, with TREE_MANIFEST_DEV,
 * devDependencies. A name gets one edge, of the first kind in that order,
 * as npm has it (an optional dependency also listed in dependencies stays
 * optional). Content npm would not accept (a section that is not an
 * object, a range that is not a string, an empty name) fails with
 * WS_EPARSE and a "<file>:<line>:<col>:" message under
 * TREE_MANIFEST_STRICT (lockfiles); otherwise it becomes a warning and is
 * skipped (installed package.json files, where one bad entry should not
 * hide the package). Fails with WS_ELIMIT when the tree is full.
 */
int tree_add_manifest_deps(struct tree *t, uint32_t node,
			   const struct json_value *m, unsigned flags,
			   const char *file);

/* The node at location, or TREE_NONE. */
uint32_t tree_find(const struct tree *t, const char *location, size_t len);

/* Adds a root workspace pattern (a glob such as packages/NAME), copied. */
void tree_add_workspace(struct tree *t, const char *pattern);
/* Whether location matches one of the workspace patterns. */
int tree_is_workspace(const struct tree *t, const char *location);

/* Records a warning (prefixed with nothing: include the file yourself). */
void tree_warn(struct tree *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The source a `resolved` value implies (registry tarball URL, git URL,
 * file:, other URL), for readers that only have that string.
 */
enum tree_source tree_source_from_resolved(const char *resolved);
const char *tree_source_name(enum tree_source s);

/*
 * Links every edge whose target is TREE_NONE to the node the package
 * manager would load: the nearest node_modules/<name> walking up from the
 * requiring location (Node's resolution), following links. Then derives
 * dev/optional flags unless flags_known, marks TARGET nodes (root and
 * workspace members), and computes shortest paths from the targets.
 * Missing non-optional dependencies become warnings. Returns 0.
 */
int tree_resolve(struct tree *t);

/*
 * Writes the shortest path from its target to node into out (target first,
 * node last, link nodes skipped) and returns its length; 0 when the node is
 * not reachable. Writes at most max entries (the tail nearest the node is
 * kept when it is longer) and returns the full length.
 */
size_t tree_path(const struct tree *t, uint32_t node, uint32_t *out,
		 size_t max);

/*
 * Whether a node is a package to report: not a target, not a link, and
 * with a name.
 */
int tree_node_is_package(const struct tree_node *n);

/*
 * Reads the installed tree under dir (dir/package.json as the root target,
 * dir/node_modules below it) from package.json files alone. Symlinks are
 * followed only when they stay inside dir (after resolving them); loops,
 * unreadable directories and broken or oversized package.json files become
 * warnings naming the path. The tree is resolved before it is returned.
 * Fails only when dir or its node_modules cannot be used: WS_ENOTFOUND when
 * either is missing, not a directory, or a symlink out of dir; WS_EIO when
 * it cannot be opened.
 */
int tree_walk_node_modules(struct tree **out, const char *dir);

#define TREE_MANIFEST_MAX (1u << 20)	/* one package.json */
#define TREE_WALK_DEPTH_MAX 64		/* nested node_modules levels */
#define TREE_WALK_ENTRIES_MAX (1u << 20)	/* directory entries in all */

/* ---- the inventory: every input, grouped by name@version ---- */

struct tree_loc {
	const struct tree *tree;
	uint32_t node;
};

struct tree_pkg {
	const char *name;	/* borrowed from the first location's tree */
	const char *version;	/* "" when unknown */
	struct tree_loc *locs;	/* every installed location, input order */
	size_t nlocs;
	uint16_t flags_all;	/* flags every location has (dev, optional) */
	uint16_t flags_any;	/* flags some location has */
};

struct tree_inv {
	struct tree **trees;
	size_t ntrees, trees_alloc;
	struct tree_pkg *pkgs;	/* sorted by name, then version */
	size_t npkgs;
	struct tree_loc *loc_store;
};

void tree_inv_init(struct tree_inv *inv);
void tree_inv_release(struct tree_inv *inv);
/* Takes ownership of t, which must already be resolved. */
void tree_inv_add(struct tree_inv *inv, struct tree *t);
/* Groups all nodes of all trees into inv->pkgs (idempotent). */
void tree_inv_index(struct tree_inv *inv);

#endif
