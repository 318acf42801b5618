#ifndef WS_GIT_SWEEP_H
#define WS_GIT_SWEEP_H

/*
 * `wormsign sweep`: one git repository at a time, read through libgit2
 * only. Nothing is checked out, no hook, filter or configured command is
 * ever run: trees and blobs are read from the object database.
 *
 * For a repository, sweep_repo() looks at
 *   - the tips: HEAD and every local branch and tag (optionally narrowed
 *     by a pattern). Every lockfile and package.json in the tree of each
 *     distinct tip commit (anywhere below the root, bounded; node_modules
 *     directories are not entered) goes through the package checks of
 *     `wormsign scan` (only the IOC findings are kept) and the feeds'
 *     package-json strings;
 *   - the history reachable from those tips: every commit since a date
 *     whose lockfiles differ from its parent's. A compromised version that
 *     was locked at any time gives an exposure window: the first and the
 *     last commit (by author date) whose tree locked it, and the refs that
 *     reach it. Trees and blobs are memoised by object id, so a commit that
 *     did not touch a lockfile costs one hash lookup;
 *   - the worms' git artifacts at the tips: workflow files (the feeds'
 *     "workflow" artifacts and the three known names, discussion.yaml only
 *     with an `on: discussion` trigger and a self-hosted runner), files
 *     named by the feeds' "file" artifacts, runner names in workflows, and
 *     branches named `shai-hulud` or by a feed's "branch" artifact.
 *
 * Failures inside one repository (an unreadable repository, a corrupt
 * object, a lockfile that does not parse, a limit) are recorded in the
 * result's errors and the rest of the repository is still swept.
 *
 * Thread safety: sweep_repo() may run in several threads at once, each
 * with its own result; the feed set is only read. Call
 * sweep_global_setup() once, after git_libgit2_init() and before threads.
 */

#include <stddef.h>
#include <stdint.h>

#include "feed/feed.h"
#include "report/report.h"

#define SWEEP_TREE_DEPTH_MAX 32		/* directory levels below the root */
#define SWEEP_TREE_ENTRIES_MAX (4u << 20)	/* tree entries read per repo */
#define SWEEP_TREE_FILES_MAX (1u << 16)	/* files listed below one tree */
#define SWEEP_COMMITS_MAX 1000000u	/* commits walked per repository */
#define SWEEP_REFS_MAX 4096u		/* refs followed per repository */
#define SWEEP_BLOB_MAX (64u << 20)	/* a lockfile or workflow read */
#define SWEEP_ERRORS_MAX 64		/* errors kept per repository */
#define SWEEP_RESULT_MAX (64u << 20)	/* one JSON line or report read */

struct sweep_opts {
	const struct feed_set *feeds;
	const char *refs_pattern;	/* fnmatch(3) over "refs/..." names or
					 * their short form; NULL: all */
	int64_t since;			/* history: commits authored before
					 * this Unix time are not read */
	enum report_severity affected_at;	/* affected: a finding at or
						 * above this */
};

struct sweep_exposure {
	char *package;
	char *version;
	char *feed;		/* feed id of the first entry that lists it */
	char *first_commit;	/* 40 hex digits */
	char *first_date;	/* author date, RFC 3339 UTC */
	char *last_commit;
	char *last_date;
	char **refs;		/* refs that reach a commit locking it */
	size_t nrefs;
	char **files;		/* lockfile paths that locked it */
	size_t nfiles;
	int still_locked;	/* locked at one of the swept tips */
	int severity;
};

struct sweep_result {
	char *repo;		/* as given */
	char *head;		/* HEAD commit (40 hex), NULL when unknown */
	char *state;		/* digest of every ref and target, for resume */
	int affected;
	struct report findings;	/* target = repo; kinds ioc-* */
	struct sweep_exposure *exposure;
	size_t nexposure;
	char **errors;
	size_t nerrors;
	size_t errors_dropped;
	/* work done, for progress and tests (not part of the schema) */
	size_t commits;		/* commits walked */
	size_t blobs;		/* lockfile blobs parsed */
	int resumed;		/* read back from a --resume state */
};

void sweep_result_init(struct sweep_result *res, const char *repo);
void sweep_result_release(struct sweep_result *res);
/* Records an error message (bounded: later ones are counted). */
void sweep_result_error(struct sweep_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Process-wide libgit2 settings for sweeping (see sweep.c). */
int sweep_global_setup(void);

/*
 * Sweeps the repository at path (a work tree, its .git, or a bare
 * repository) into res, which must be initialised. Returns 0 even when the
 * repository had errors (they are in res->errors); never fails otherwise.
 */
int sweep_repo(struct sweep_result *res, const char *path,
	       const struct sweep_opts *o);

/*
 * The HEAD commit and the refs digest of the repository at path, without
 * sweeping it (for --resume). *head and *state are malloc'd. Returns 0 or
 * WS_EIO with the message set.
 */
int sweep_repo_state(char **head, char **state, const char *path);

/* Sets affected from the findings: any at or above `at`. */
void sweep_result_assess(struct sweep_result *res, enum report_severity at);

/* ---- sharding ---- */

/* FNV-1a 64 of the bytes of s (the repository as given). */
uint64_t sweep_shard_hash(const char *s);
/* Parses "K/N" (0 <= K < N <= 65536); returns 0 or WS_EPARSE. */
int sweep_shard_parse(const char *s, unsigned *k, unsigned *n);
/* Whether repo belongs to shard k of n. */
int sweep_shard_has(const char *repo, unsigned k, unsigned n);

/* Parses YYYY-MM-DD or an RFC 3339 date-time into a Unix time (UTC). */
int sweep_parse_date(const char *s, int64_t *out);
/* The default --since: 30 days before the earliest first_seen date of the
 * feeds (published, for a feed without one), or 0 (all history) when no
 * feed has either. */
int64_t sweep_default_since(const struct feed_set *feeds);

/* ---- results as JSON (the `repos` array and JSON Lines) ---- */

struct json_writer;
struct json_value;

/* Writes one result as the object wormsign-report(5) describes. */
void sweep_result_json(struct json_writer *w, const struct sweep_result *res);

/*
 * Reads one result object v (from a JSON line or a report's repos array)
 * into res (initialised here). name is used in messages. Returns 0 or
 * WS_EPARSE with "<name>:<line>:<col>: <what>".
 */
int sweep_result_parse(struct sweep_result *res, const struct json_value *v,
		       const char *name);

/*
 * Reads a sweep output held in buf (writable, NUL at buf[len]): JSON Lines
 * (one result per non-empty line) or a wormsign-report/1 document with a
 * `repos` array. Calls fn for each result read, which takes it over (and
 * must release it). Returns 0 or WS_EPARSE / WS_ELIMIT naming name.
 */
typedef void (*sweep_result_fn)(struct sweep_result *res, void *payload);
int sweep_read_buffer(char *buf, size_t len, const char *name,
		      sweep_result_fn fn, void *payload);

/*
 * One result as a single JSON line (no newline), malloc'd; *len gets its
 * length.
 */
char *sweep_result_line(const struct sweep_result *res, size_t *len);

/* ---- --resume: finished repositories in SQLite ---- */

/*
 * A state database: per repository (as given) the refs digest it was
 * swept at and the result as a JSON line. Not thread-safe: callers
 * serialise. Errors: WS_EIO naming the file.
 */
struct sweep_state;

int sweep_state_open(struct sweep_state **out, const char *path);
void sweep_state_close(struct sweep_state *st);
/*
 * The stored result of repo when it was swept at this refs digest: 1 and
 * res filled (initialised here, marked resumed), 0 when there is none or
 * it is stale or unreadable, or WS_EIO.
 */
int sweep_state_get(struct sweep_state *st, const char *repo,
		    const char *state, struct sweep_result *res);
int sweep_state_put(struct sweep_state *st, const struct sweep_result *res);

/* ---- the repos section of a report ---- */

/*
 * A set of results in repo order, rendered as the `repos` section
 * (json, text, markdown) through report_add_section. Owns the results
 * added to it.
 */
struct sweep_set {
	struct sweep_result **items;
	size_t n, alloc;
};

void sweep_set_init(struct sweep_set *s);
void sweep_set_release(struct sweep_set *s);
/* Takes res over; a result for the same repo replaces the earlier one. */
void sweep_set_add(struct sweep_set *s, struct sweep_result *res);
/* Sorts by repo and adds each result's findings and errors to r. */
void sweep_set_finish(struct sweep_set *s, struct report *r);
/* The section to pass to report_add_section (ctx is s). */
void sweep_set_section(struct sweep_set *s, struct report_section *out);
size_t sweep_set_affected(const struct sweep_set *s);

#endif
