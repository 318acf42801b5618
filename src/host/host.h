#ifndef WS_HOST_HOST_H
#define WS_HOST_HOST_H

/*
 * `wormsign host`: one machine (a developer's laptop, a CI runner, or a
 * mounted disk image of one) checked for what the npm worms leave behind,
 * in the order an incident responder needs it:
 *
 *   persistence  systemd user units (and their *.wants links), LaunchAgents
 *                (XML and binary plists), XDG autostart entries,
 *                crontabs, shell start-up files,
 *                self-hosted GitHub Actions runners, and the feeds' "~/"
 *                file artifacts; matched against the feeds' artifacts
 *                (process, string, runner and file values);
 *   payloads     npm's cache (content by hash, index by name@version),
 *                global node_modules, Bun's cache and the projects given,
 *                hashed by scan's payload code;
 *   credentials  npm tokens, GitHub CLI tokens, git credential stores, AWS,
 *                gcloud and Azure credentials, SSH private keys and secret
 *                variables in the projects' .env files: by presence, kind
 *                and fingerprint, never by value.
 *
 * Every check only reads: nothing is run, nothing is written, no symlink
 * is followed out of the home (or out of the system root for system
 * paths). Paths that do not exist are skipped quietly; a path that cannot
 * be read is listed in the "host" section with the reason.
 *
 * Findings (kinds): host-persistence, host-runner, host-payload (critical
 * when the feeds say so), host-package (npm's cache index recorded the
 * download of a listed version), host-suspect (medium: not in the feeds, but the
 * shape of the worms' persistence; only files modified after `since`),
 * host-credential (low; info for an encrypted SSH key). Each persistence
 * and credential also becomes a rotation item (report/rotation.h):
 * removal of the persistence first, then revocation, since revoking a
 * token a dead-man's switch watches wipes the home directory.
 */

#include <stddef.h>
#include <time.h>

#include "feed/feed.h"
#include "report/report.h"

struct host_opts {
	const char *home;		/* required: the home directory */
	/* System paths (user crontabs, /Library/LaunchAgents, the feeds'
	 * absolute artifacts) are read under this root; NULL: not read. */
	const char *system_root;
	const char *user;		/* crontab name; NULL: home's basename */
	const char *const *projects;	/* project directories */
	size_t nprojects;
	const struct feed_set *feeds;	/* artifacts and file hashes */
	time_t since;			/* soft signals: files modified after;
					 * 0 for all */
};

struct host;

void host_new(struct host **out);
void host_free(struct host *h);

/*
 * Runs every check into r: findings, errors of the payload scans, the
 * "host" section, and the "rotation" / "not_in_scope" sections. h holds
 * what the sections render and must outlive r's rendering. Returns 0, or
 * WS_ENOTFOUND when o->home is not a directory (nothing is checked then).
 */
int host_run(struct host *h, struct report *r, const struct host_opts *o);

/* Counts for the CLI's summary line. */
size_t host_checked_count(const struct host *h);
size_t host_problem_count(const struct host *h);
/* The i-th path that could not be read ("~/..." inside the home) and the
 * error, borrowed from h; i < host_problem_count(h). */
const char *host_problem_at(const struct host *h, size_t i,
			    const char **error);

#endif
