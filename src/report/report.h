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
	const char *value;
};

struct report_finding {
	const char *id;		/* stable id, e.g. "ioc-package:lodash@1.0.0" */
	const char *kind;	/* ioc-package, release-age, ... */
	enum report_severity severity;
	const char *title;
	const char *package_name;	/* may be NULL */
	const char *package_version;
	const char *file;	/* where it was found; may be NULL */
	unsigned line;		/* 0 when not applicable */
	const char *source;	/* feed or check that produced it */
	const char *advisory;	/* may be NULL */
	struct report_evidence *evidence;
	size_t nevidence;
};

struct report {
	const char *command;
	const char **targets;
	size_t ntargets;
	struct report_finding *findings;
	size_t nfindings, findings_alloc;
	struct report_error {
		const char *target;
		const char *message;
	} *errors;
	size_t nerrors, errors_alloc;
	struct mempool pool;	/* owns every string added through report_* */
};

void report_init(struct report *r, const char *command);
void report_release(struct report *r);
/* Adds a finding; every string in f (and its evidence) is copied. */
void report_add(struct report *r, const struct report_finding *f);
void report_add_error(struct report *r, const char *target,
		      const char *message);

const char *report_severity_name(enum report_severity s);
/* Parses "info".."critical"; returns 0 or WS_EPARSE. */
int report_severity_parse(enum report_severity *out, const char *s);
/* The highest severity of all findings, or -1 when there are none. */
int report_max_severity(const struct report *r);

/* generated: RFC 3339 UTC time to print (passed in so output is testable) */
int report_json(FILE *fp, const struct report *r, const char *generated);
int report_text(FILE *fp, const struct report *r, int color);

#endif
