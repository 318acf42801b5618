#ifndef WS_FEED_FEED_H
#define WS_FEED_FEED_H

/*
 * IOC feeds: the native "wormsign-feed/1" JSON format (wormsign-feed(5)),
 * importers from OSV records, CSV lists and name:version lists, and the
 * indexed set the checks match against.
 *
 * A feed owns all its strings (its pool). A feed_set borrows the feeds
 * added to it and must be released before them; feed_set_index builds the
 * hash indexes once, after which matching costs one hash lookup per
 * package or file, however large the feeds are.
 *
 * Errors: WS_EPARSE with "<file>:<line>:<col>: <what>" for a malformed
 * feed, WS_ELIMIT past FEED_MAX bytes or FEED_ENTRIES_MAX entries,
 * WS_ENOTFOUND / WS_EIO for I/O.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "semver/semver.h"
#include "util/mempool.h"
#include "util/strmap.h"

#define FEED_FORMAT "wormsign-feed/1"
#define FEED_MAX (64u << 20)		/* one feed file */
#define FEED_ENTRIES_MAX (2u << 20)	/* entries of all kinds in one feed */

/* Severity of an entry, as in report.h (info..critical = 0..4); -1 unset. */
#define FEED_SEVERITY_UNSET (-1)

struct feed;

/* What every entry carries besides its own fields. */
struct feed_meta {
	const char *source;	/* attribution (who listed it); required */
	const char *advisory;	/* advisory id or URL; may be NULL */
	int severity;		/* 0..4, or FEED_SEVERITY_UNSET */
	const struct feed *feed;
};

struct feed_package {
	const char *name;
	const char **versions;		/* exact versions */
	size_t nversions;
	struct semver_range **ranges;	/* parsed node-semver ranges */
	const char **range_texts;	/* as written, for evidence */
	size_t nranges;
	struct feed_meta meta;
};

struct feed_file {
	int has_sha256, has_sha1;
	uint8_t sha256[32];
	uint8_t sha1[20];
	const char **names;		/* file names it was seen under */
	size_t nnames;
	const char *description;
	struct feed_meta meta;
};

/*
 * Artifact kinds: "workflow" (a path under .github/workflows/), "branch",
 * "repo-description", "runner" (a self-hosted runner name), "file" (a file
 * name or path in a repo or package), "package-json" (a string that appears
 * in a package.json, e.g. a git optionalDependencies pin), "string" (any
 * other marker text, e.g. a wipe command), "process" (a service or process
 * name for host checks).
 */
struct feed_artifact {
	const char *kind;
	const char *value;
	const char *description;
	struct feed_meta meta;
};

/* Network kinds: "domain", "url". Never contacted, only matched. */
struct feed_network {
	const char *kind;
	const char *value;
	const char *description;
	struct feed_meta meta;
};

struct feed {
	const char *path;	/* where it was loaded from */
	const char *id;
	const char *title;
	const char *published;	/* RFC 3339 date or date-time */
	const char *first_seen;	/* earliest compromise it covers, or NULL */
	const char **sources;	/* the feed's sources (URLs, names) */
	size_t nsources;
	struct feed_package *packages;
	size_t npackages;
	struct feed_file *files;
	size_t nfiles;
	struct feed_artifact *artifacts;
	size_t nartifacts;
	struct feed_network *network;
	size_t nnetwork;
	struct mempool pool;
};

/* Parses a native feed held in buf (writable, NUL at buf[len]). */
int feed_parse(struct feed **out, char *buf, size_t len, const char *path);
int feed_load(struct feed **out, const char *path);
void feed_free(struct feed *f);

/* Writes f as native feed JSON (sorted, stable), e.g. after an import. */
int feed_write(FILE *fp, const struct feed *f);

/* ---- importers: each makes a new feed (id and title given) ---- */

struct feed_import_stats {
	size_t taken;		/* records turned into entries */
	size_t skipped;		/* malformed records, each reported */
	size_t ignored;		/* well-formed but out of scope (not npm,
				 * or "every version" ranges) */
	char **messages;	/* "<file>[:<line>]: <why>" per skipped record */
	size_t nmessages, messages_alloc;
};

void feed_import_stats_release(struct feed_import_stats *st);

/* OSV records: a directory (searched recursively for *.json, bounded) or
 * a zip (libarchive). Only ecosystem "npm". SEMVER/ECOSYSTEM events become
 * ranges; explicit "versions" are preferred when present; a range
 * introduced at "0" with no fix (every version) is ignored, not taken. */
int feed_import_osv(struct feed **out, const char *path, const char *id,
		    const char *title, struct feed_import_stats *st);
/* CSV: header "name,version" or "package,versions" (versions joined by
 * "||" or ","), also the Datadog and Wiz column shapes. */
int feed_import_csv(struct feed **out, const char *path, const char *id,
		    const char *title, struct feed_import_stats *st);
/* Lines "name:version" or "name@version"; '#' comments. */
int feed_import_list(struct feed **out, const char *path, const char *id,
		     const char *title, struct feed_import_stats *st);

/* The same importers over one document in memory (an OSV record, a CSV
 * or list file) called name in messages; buf is writable with a NUL at
 * buf[len]. For tests and fuzzing. */
enum feed_import_from {
	FEED_FROM_OSV,
	FEED_FROM_CSV,
	FEED_FROM_LIST,
};
int feed_import_buffer(struct feed **out, enum feed_import_from from,
		       char *buf, size_t len, const char *name,
		       const char *id, const char *title,
		       struct feed_import_stats *st);

/* ---- the indexed set ---- */

struct feed_set {
	struct feed **feeds;		/* borrowed */
	size_t nfeeds, feeds_alloc;
	struct strmap by_name;		/* name -> first index in pkg_index */
	const struct feed_package **pkg_index;	/* grouped by name */
	uint32_t *pkg_next;		/* next entry with the same name */
	struct strmap by_sha256;	/* the 32 digest bytes -> file_index */
	const struct feed_file **file_index;
	char *hex_store;		/* unused: the raw digest is the key */
};

void feed_set_init(struct feed_set *s);
void feed_set_release(struct feed_set *s);
void feed_set_add(struct feed_set *s, struct feed *f);
void feed_set_index(struct feed_set *s);

/*
 * Calls fn for every package entry that lists name at version (exactly or
 * by a range; prerelease versions match ranges per node-semver). Returns
 * the number of matches. version may be NULL (no match then).
 */
typedef void (*feed_package_fn)(const struct feed_package *e,
				const char *matched_by, void *payload);
size_t feed_set_match_package(const struct feed_set *s, const char *name,
			      const char *version, feed_package_fn fn,
			      void *payload);

/* The file entry with this SHA-256, or NULL. */
const struct feed_file *feed_set_match_sha256(const struct feed_set *s,
					      const uint8_t digest[32]);

/* Loads every *.json in dir (sorted) into s; the feeds are appended to
 * *owned for the caller to free. */
int feed_load_dir(struct feed_set *s, struct feed ***owned, size_t *nowned,
		  const char *dir);

/*
 * What scan and `feeds` load: the bundled feeds (every *.json of
 * ws_data_dir("feeds"), sorted) when bundled is set, then each of the
 * nextra files in extra (--feed). Feeds are appended to *owned for the
 * caller to free (also on failure), and s is indexed before returning.
 * A feed id may be loaded once: the same file twice is loaded once, two
 * files with one id are an error. Returns 0 or the first error
 * (WS_ENOTFOUND when there is no bundled feeds directory).
 */
int feed_load_all(struct feed_set *s, struct feed ***owned, size_t *nowned,
		  int bundled, const char *const *extra, size_t nextra);

#endif
