#ifndef WS_REPORT_INTERNAL_H
#define WS_REPORT_INTERNAL_H

/* Private to src/report: what the findings renderers share. */

#include <stddef.h>

#include "report/report.h"

/* report_add's bounds on what one finding may hold. */
#define REPORT_STRING_MAX (64u << 10)	/* bytes per string, then "..." */
#define REPORT_EVIDENCE_MAX 64		/* evidence entries per finding */

/*
 * A copy of s in pool, at most max (> 3) bytes: a longer string is cut at
 * a character boundary and ends in "...". NULL stays NULL.
 */
const char *report_copy_cut(struct mempool *pool, const char *s, size_t max);

/*
 * The order of report_sort: severity (highest first), kind, package name,
 * version (by semver precedence when both parse), id.
 */
int report_finding_cmp(const struct report_finding *a,
		       const struct report_finding *b);

/*
 * Pointers to r's findings in report_sort order, equal findings in their
 * order in r; an xmalloc'ed array the caller frees (NULL when empty).
 */
const struct report_finding **report_sorted_view(const struct report *r);

/* The path of f with the fewest nodes (the first of those), or NULL. */
const struct report_path *report_shortest_path(const struct report_finding *f);

/* Number of r's findings at each severity. */
void report_count_severities(const struct report *r,
			     size_t counts[REPORT_CRITICAL + 1]);

#endif
