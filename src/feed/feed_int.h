#ifndef WS_FEED_FEED_INT_H
#define WS_FEED_FEED_INT_H

/*
 * Inside the feed module: the limits every feed obeys, the checks shared by
 * the native parser and the importers (so that whatever an importer builds
 * also parses back), and the builder the importers fill.
 */

#include <stddef.h>

#include "feed/feed.h"
#include "semver/semver.h"
#include "util/strmap.h"

#define FEED_ID_MAX 128		/* [A-Za-z0-9._-] */
#define FEED_NAME_MAX 214	/* npm's own limit on package names */
#define FEED_TEXT_MAX 4096	/* titles, values, descriptions, sources */
#define FEED_RANGE_MAX 1024	/* one range as written */
#define FEED_LIST_MAX 65536	/* versions, ranges, names, sources per list */

/* Whether s[0..n) is well-formed UTF-8 (RFC 3629). */
int feed_utf8_valid(const char *s, size_t n);

/*
 * 1 when s[0..n) is acceptable as a field of that sort, else 0 with *why
 * set to a static reason. A name is 1..FEED_NAME_MAX bytes without spaces
 * or control characters; text is 1..max bytes of UTF-8 without control
 * characters other than tab and newline; an id is 1..FEED_ID_MAX bytes of
 * [A-Za-z0-9._-].
 */
int feed_check_name(const char *s, size_t n, const char **why);
int feed_check_text(const char *s, size_t n, size_t max, const char **why);
int feed_check_id(const char *s, size_t n, const char **why);

/* YYYY-MM-DD, optionally followed by an RFC 3339 time: 1 or 0. */
int feed_check_date(const char *s, size_t n);

/* "info".."critical" -> 0..4, or -1. And back (NULL for unset). */
int feed_severity_parse(const char *s);
const char *feed_severity_name(int sev);

/* Known artifact and network kinds, or 0. */
int feed_artifact_kind_known(const char *s);
int feed_network_kind_known(const char *s);

/*
 * The canonical text of version v (major.minor.patch[-pre], without build
 * metadata, as npm records versions), written to out (at least
 * FEED_VERSION_BUF bytes). Returns its length.
 */
#define FEED_VERSION_BUF (SEMVER_MAX_LEN + 64)
size_t feed_version_canon(char *out, const struct semver *v);

/*
 * A range that every version satisfies (no lower and no upper bound, such
 * as "*", ">=0.0.0" or OSV's introduced "0" with no fix): importers do not
 * take those.
 */
int feed_range_is_everything(const struct semver_range *r);

/* ---- building a feed (the importers) ---- */

struct feed_builder_pkg {
	const char *name, *source, *advisory;
	int severity;
	const char **versions;		/* canonical, in f's pool */
	size_t nversions, versions_alloc;
	struct semver_range **ranges;	/* owned until finish */
	const char **range_texts;
	size_t nranges, ranges_alloc;
};

struct feed_builder_net {
	const char *kind, *value, *description, *source, *advisory;
};

struct feed_builder {
	struct feed *f;			/* strings go to f->pool at once */
	struct feed_builder_pkg *pkgs;
	size_t npkgs, pkgs_alloc;
	struct strmap pkg_keys;		/* name\0source\0advisory -> index */
	struct feed_builder_net *net;
	size_t nnet, net_alloc;
	struct strmap net_keys;		/* kind\0value -> index */
	size_t entries;			/* for FEED_ENTRIES_MAX */
};

/* Starts a feed with this id (NULL: derived from path) and title. */
void feed_builder_init(struct feed_builder *b, const char *path,
		       const char *id, const char *title);
/* The entry for name from source/advisory, created on first use. Returns
 * NULL (WS_ELIMIT set) past FEED_ENTRIES_MAX. name, source, advisory need
 * not outlive the call. */
struct feed_builder_pkg *feed_builder_pkg(struct feed_builder *b,
					  const char *name,
					  const char *source,
					  const char *advisory);
/* Adds a canonical version (copied); duplicates are dropped later. */
void feed_builder_add_version(struct feed_builder *b,
			      struct feed_builder_pkg *p, const char *canon);
/* Takes r (and copies text), unless the entry already has that text. */
void feed_builder_add_range(struct feed_builder *b,
			    struct feed_builder_pkg *p,
			    struct semver_range *r, const char *text);
/* A network entry, once per kind and value. 0, or WS_ELIMIT. */
int feed_builder_add_network(struct feed_builder *b, const char *kind,
			     const char *value, const char *description,
			     const char *source, const char *advisory);
/* Adds a feed-level source (deduplicated) or sets published. */
void feed_builder_add_source(struct feed_builder *b, const char *source);
void feed_builder_set_published(struct feed_builder *b, const char *date);
/* Makes the feed: sorted, deduplicated, entries pointing at it. */
struct feed *feed_builder_finish(struct feed_builder *b);
void feed_builder_release(struct feed_builder *b);

/*
 * Sorts versions by SemVer precedence (all must parse) and drops
 * duplicates; *n becomes the new count.
 */
void feed_sort_versions(const char **v, size_t *n);

/* A new, empty feed whose path (may be NULL) is copied into its pool. */
struct feed *feed_alloc(const char *path);

#endif
