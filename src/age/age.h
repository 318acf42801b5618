#ifndef WS_AGE_AGE_H
#define WS_AGE_AGE_H

/*
 * The release-age check: every registry package of an inventory against
 * the publish times the registry reports (through the cache), judged by a
 * policy (src/policy). Adds findings to a report:
 *   release-age           high    published less than the minimum age ago
 *   release-missing       high    the locked version is not in the registry
 *   release-out-of-order  medium  published more than a day before its
 *                                 predecessor (a stolen-token republish)
 *   release-unchecked     info    not from the registry (workspace, file:,
 *                                 link:, git), or not fetched (offline,
 *                                 network error): reported, never skipped
 * Nothing here prints; network and cache failures of single packages
 * become release-unchecked findings plus report errors, and the check
 * goes on.
 */

#include <time.h>

#include "policy/policy.h"
#include "registry/registry.h"
#include "report/report.h"
#include "tree/tree.h"

struct age_opts {
	const struct policy *policy;
	struct registry_client *client;	/* fetches through its cache */
	time_t now;
	/* the registry URL for the evidence (redacted by the caller);
	 * may be NULL */
	const char *registry;
};

struct age_stats {
	size_t packages;	/* distinct registry name@version checked */
	size_t names;		/* distinct package names fetched */
	struct registry_stats registry;
};

/* Returns 0, or WS_ENET when the registry could not be used at all. */
int age_check(struct report *r, const struct tree_inv *inv,
	      const struct age_opts *o, struct age_stats *stats);

#endif
