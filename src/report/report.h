#ifndef WS_REPORT_REPORT_H
#define WS_REPORT_REPORT_H

/*
 * The only code that knows the output schemas: "wormsign-tree/1" for the
 * inventory (tree command) and "wormsign-report/1" for findings, both
 * documented in wormsign-report(5). Renderers write to a FILE and return 0,
 * or WS_EIO when a write failed (the CLI then exits 3, never 0 with a
 * truncated report).
 */

#include <stdio.h>

#include "tree/tree.h"

#define REPORT_PATHS_MAX 16	/* dependency paths kept per package */
#define REPORT_PATH_LEN_MAX 64	/* nodes kept per path (nearest the end) */

/* ---- the inventory ---- */

/* Whether pkg is one that --why asked for. */
typedef int (*report_pkg_match_fn)(const struct tree_pkg *pkg, void *payload);

int report_tree_json(FILE *fp, const struct tree_inv *inv, int pretty);
int report_tree_text(FILE *fp, const struct tree_inv *inv, int color);
/*
 * Prints the dependency paths of every package match() accepts; *matched
 * gets how many packages that was.
 */
int report_tree_why(FILE *fp, const struct tree_inv *inv, int json,
		    report_pkg_match_fn match, void *payload, size_t *matched);

/* ---- findings ---- */

enum report_severity {
	REPORT_INFO,
	REPORT_LOW,
	REPORT_MEDIUM,
	REPORT_HIGH,
	REPORT_CRITICAL,
};

struct report_evidence {
	const char *key;
	const char *value;	/* never a secret: callers redact first */
};

/* One dependency path, target first: "app@1.0.0", "a@1.2.3", ... */
struct report_path {
	const char **nodes;
	size_t n;
};

/*
 * "name@version" for n (the name alone without a version, "(unnamed)"
 * without a name), allocated in pool or borrowed from n.
 */
const char *report_node_label(struct mempool *pool, const struct tree_node *n);
/*
 * The shortest dependency path to node as a report path: target first,
 * node last, at most max_len (<= REPORT_PATH_LEN_MAX) labels nearest the
 * node, after a "..." when cut. The array and labels live in pool; an
 * unreachable node gives an empty path.
 */
void report_path_of(struct mempool *pool, const struct tree *t, uint32_t node,
		    size_t max_len, struct report_path *out);

/*
 * One finding. Every string is copied by report_add, so callers may pass
 * borrowed or stack strings. NULL means absent (the key is omitted, or
 * null, as wormsign-report(5) says).
 */
struct report_finding {
	const char *id;		/* stable across runs: used by --ignore */
	const char *kind;	/* ioc-package, ioc-file, ioc-artifact, rule,
				 * lockfile, release-age, provenance, ... */
	enum report_severity severity;
	const char *target;	/* the input: lockfile, directory, tarball */
	const char *package_name;
	const char *package_version;
	struct report_path *paths;	/* dependency paths to the package */
	size_t npaths;
	const char *file;	/* where the evidence is (for SARIF) */
	unsigned line;		/* 1-based line in file, 0 when unknown */
	const char *message;	/* one sentence: what was found */
	const char *remediation;	/* one sentence: what to do; may be NULL */
	const char *feed;	/* feed id, or the check's name */
	const char *source;	/* attribution of the feed entry or rule */
	const char *advisory;	/* advisory id or URL; may be NULL */
	struct report_evidence *evidence;
	size_t nevidence;
};

/* A finding accepted by a baseline (--ignore): counted, not hidden. */
struct report_suppressed {
	const char *id;
	const char *reason;
	const char *expires;	/* YYYY-MM-DD or NULL */
};

/*
 * A part of the report that only one command produces (verify's counts,
 * sweep's repositories, certs' certificates, rotation checklists). The
 * module that owns the data renders it: json writes the value of
 * top-level key `key` (one JSON value), text and markdown append a block
 * after the findings. Any callback may be NULL (nothing in that format).
 * ctx must outlive the report's rendering; the report never frees it.
 * Return 0, or a WS_E* code (the render then fails with it).
 */
struct json_writer;
struct report_section {
	const char *key;
	int (*json)(struct json_writer *w, void *ctx);
	int (*text)(FILE *fp, void *ctx, int color);
	int (*markdown)(FILE *fp, void *ctx);
	void *ctx;
};
#define REPORT_SECTIONS_MAX 8

struct report {
	const char *command;
	const char **targets;	/* each once, in the order first added */
	size_t ntargets, targets_alloc;
	struct strmap target_set;
	struct report_finding *findings;
	size_t nfindings, findings_alloc;
	struct report_error {
		const char *target;
		const char *message;
		int shown;	/* already printed to the user as it happened */
	} *errors;
	size_t nerrors, errors_alloc;
	struct report_suppressed *suppressed;
	size_t nsuppressed, suppressed_alloc;
	struct report_section sections[REPORT_SECTIONS_MAX];
	size_t nsections;
	struct mempool pool;	/* owns every string added through report_* */
};

void report_init(struct report *r, const char *command);
void report_release(struct report *r);
void report_add_target(struct report *r, const char *target);
/* Adds a finding; every string in f (paths, evidence) is copied. */
void report_add(struct report *r, const struct report_finding *f);
void report_add_error(struct report *r, const char *target,
		      const char *message);
/*
 * Adds a section (copied; key must be a literal or outlive the report).
 * Sections render in the order added, after the findings; at most
 * REPORT_SECTIONS_MAX (a programming error beyond that: aborts).
 */
void report_add_section(struct report *r, const struct report_section *s);

const char *report_severity_name(enum report_severity s);
/* Parses "info".."critical"; returns 0 or WS_EPARSE. */
int report_severity_parse(enum report_severity *out, const char *s);
/* The highest severity of all findings, or -1 when there are none. */
int report_max_severity(const struct report *r);
/* Sorts findings by severity (highest first), then kind, package, id. */
void report_sort(struct report *r);

/*
 * Baselines (--ignore FILE): JSON {"ignore": [{"id", "reason", "expires"?}]}.
 * report_apply_baseline moves every finding whose id is listed and whose
 * expiry (YYYY-MM-DD, UTC) is not before `today` into r->suppressed.
 * Expired entries no longer suppress. Parse errors: WS_EPARSE with
 * "file:line:col".
 */
struct report_baseline;
int report_baseline_load(struct report_baseline **out, const char *path);
void report_baseline_free(struct report_baseline *b);
void report_apply_baseline(struct report *r, const struct report_baseline *b,
			   const char *today);

/* One finding as the JSON object of a report's findings array (for
 * sections that list findings per item, such as sweep's repos). */
void report_json_finding(struct json_writer *w, const struct report_finding *f);

/* generated: RFC 3339 UTC time to print (passed in so output is testable) */
int report_json(FILE *fp, const struct report *r, const char *generated);
int report_text(FILE *fp, const struct report *r, int color);
int report_markdown(FILE *fp, const struct report *r);
/* SARIF 2.1.0 as GitHub code scanning accepts it. */
int report_sarif(FILE *fp, const struct report *r);

#endif
