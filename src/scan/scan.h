#ifndef WS_SCAN_SCAN_H
#define WS_SCAN_SCAN_H

/*
 * The checks of `wormsign scan`. Each reads the inventory (or files) and
 * adds findings to a report; none prints, none runs anything it reads.
 *
 * Package checks (scan.c): every package against the feeds' package
 * entries; lockfile entries and manifests for artifacts (a git dependency
 * pinned to a commit in a registry package, the feeds' package-json
 * strings, suspicious lifecycle scripts); lockfile hygiene (resolved host
 * not the registry, http:, missing integrity, a locked version outside
 * its dependents' ranges).
 *
 * Payload checks (files.c, tarball.c): hash the files of installed
 * packages, of tarballs and of npm's _cacache, match SHA-256 against the
 * feeds' file entries, and run the YARA rules over package.json files,
 * lifecycle-script targets and root JavaScript files. Tarballs are read
 * through libarchive in memory: never extracted, names with "..", absolute
 * paths and links are refused, sizes and entry counts are bounded.
 */

#include <stddef.h>
#include <stdint.h>

#include "feed/feed.h"
#include "report/report.h"
#include "rules/rules.h"
#include "tree/tree.h"

#define SCAN_FILE_MAX (8u << 20)	/* bytes hashed/scanned per file */
#define SCAN_FILES_PER_PACKAGE 256	/* root files looked at per package */
#define SCAN_TARBALL_MAX (256u << 20)	/* compressed tarball size */
#define SCAN_TARBALL_UNPACKED_MAX (512u << 20)	/* bytes read out of one */
#define SCAN_TARBALL_ENTRIES_MAX 100000
#define SCAN_CACHE_FILES_MAX 1000000	/* _cacache content files */

struct scan_opts {
	const struct feed_set *feeds;
	const struct rules *rules;	/* NULL: no YARA */
	const char *registry;		/* configured registry URL, or NULL */
	int files;			/* hash and scan installed files */
};

/* Package, artifact and hygiene checks over every tree of inv. */
int scan_inventory(struct report *r, const struct tree_inv *inv,
		   const struct scan_opts *o);

/*
 * Payload checks over the installed packages of a node_modules tree t
 * read from project directory root (t->file is root for the walker):
 * every regular file at a package's root named in a feed file entry or
 * ending .js/.mjs/.cjs, package.json, and the files its install scripts
 * name; never following a symlink out of root.
 */
int scan_installed_files(struct report *r, const struct tree *t,
			 const char *root, const struct scan_opts *o);

/* One npm tarball (.tgz): every entry hashed, package.json and JS scanned. */
int scan_tarball(struct report *r, const char *path,
		 const struct scan_opts *o);

/* npm's cache: <dir>/_cacache/content-v2/sha512/..., each content file
 * read as a tarball when it is one. */
int scan_npm_cache(struct report *r, const char *dir,
		   const struct scan_opts *o);

/* SHA-256 of buf, and its lowercase hex (65 bytes with the NUL). */
void scan_sha256(const void *buf, size_t len, uint8_t out[32]);
void scan_hex(const uint8_t *digest, size_t n, char *out);

#endif
