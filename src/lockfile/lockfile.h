#ifndef WS_LOCKFILE_LOCKFILE_H
#define WS_LOCKFILE_LOCKFILE_H

/*
 * Lockfile readers: each turns one lockfile into a struct tree, unresolved
 * edges included; lockfile_load() resolves it (tree_resolve) before
 * returning. Readers never run code, never touch the network and bound
 * every size: LOCKFILE_MAX bytes per file.
 *
 * Errors: WS_EPARSE with "<file>:<line>:<col>: <what>", WS_EUNSUPPORTED for
 * a lockfileVersion we do not read (the message lists those we do),
 * WS_ELIMIT for a file over a limit, WS_ENOTFOUND / WS_EIO for I/O.
 */

#include <stddef.h>

#include "json/json.h"
#include "tree/tree.h"

#define LOCKFILE_MAX (256u << 20)

enum lockfile_kind {
	LOCKFILE_UNKNOWN,
	LOCKFILE_NPM,		/* package-lock.json */
	LOCKFILE_SHRINKWRAP,	/* npm-shrinkwrap.json */
	LOCKFILE_NPM_HIDDEN,	/* node_modules/.package-lock.json */
	LOCKFILE_YARN,		/* yarn.lock: v1, or berry (__metadata) */
	LOCKFILE_PNPM,		/* pnpm-lock.yaml: v5.4, v6, v9 */
	LOCKFILE_BUN,		/* bun.lock: text, lockfileVersion 0-2 */
	LOCKFILE_BUN_BINARY,	/* bun.lockb: refused with advice */
};

/* The kind a file name implies (by its basename), LOCKFILE_UNKNOWN if none. */
enum lockfile_kind lockfile_kind_of(const char *path);

/*
 * Parses an npm lockfile (v1, v2, v3; shrinkwrap; hidden) held in buf, which
 * must be writable and NUL-terminated at buf[len]; file names it in messages.
 * The tree is not yet resolved. It borrows strings from buf (parsed in
 * place): keep buf until tree_free, or give it to the tree with tree_own.
 */
int lockfile_parse_npm(struct tree **out, char *buf, size_t len,
		       const char *file, enum lockfile_kind kind);

/*
 * The other package managers. Each takes the lockfile in buf (writable,
 * NUL at buf[len]; the tree may borrow from it as above) and the project's package.json beside it (manifest, may
 * be NULL: the root's own dependencies for formats that do not record
 * them). The tree is not yet resolved. lockfile_parse_yarn tells v1 from
 * berry by content and calls one of the two below.
 */
int lockfile_parse_yarn(struct tree **out, char *buf, size_t len,
			const char *file, const struct json_value *manifest);
int lockfile_parse_yarn_v1(struct tree **out, char *buf, size_t len,
			   const char *file, const struct json_value *manifest);
int lockfile_parse_yarn_berry(struct tree **out, char *buf, size_t len,
			      const char *file,
			      const struct json_value *manifest);
int lockfile_parse_pnpm(struct tree **out, char *buf, size_t len,
			const char *file, const struct json_value *manifest);
int lockfile_parse_bun(struct tree **out, char *buf, size_t len,
		       const char *file, const struct json_value *manifest);

/* Reads, parses and resolves the lockfile at path. */
int lockfile_load(struct tree **out, const char *path);

/*
 * The lockfiles of project directory dir, in a fixed order, as paths
 * (dir + "/" + name) appended to *paths (free each and the array): every
 * package manager's lockfile present is a separate target. For npm,
 * npm-shrinkwrap.json wins over package-lock.json (npm uses only the first);
 * then yarn.lock, pnpm-lock.yaml, bun.lock (or bun.lockb). The hidden
 * node_modules/.package-lock.json counts only when nothing else was found
 * and include_hidden is set. Returns the number found (0 is not an error).
 */
size_t lockfile_detect(char ***paths, size_t *npaths, const char *dir,
		       int include_hidden);

#endif
