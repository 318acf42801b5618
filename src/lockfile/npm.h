#ifndef WS_LOCKFILE_NPM_H
#define WS_LOCKFILE_NPM_H

/* Private to src/lockfile. */

#include "json/json.h"
#include "lockfile/lockfile.h"

/*
 * lockfile_parse_npm, with the project's package.json (may be NULL) for the
 * root's dependencies where the lockfile does not record them (v1 and the
 * hidden lockfile).
 */
int lockfile_parse_npm_with(struct tree **out, char *buf, size_t len,
			    const char *file, enum lockfile_kind kind,
			    const struct json_value *manifest);

#endif
