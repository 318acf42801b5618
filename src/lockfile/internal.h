#ifndef WS_LOCKFILE_INTERNAL_H
#define WS_LOCKFILE_INTERNAL_H

/* Private to src/lockfile: what every reader needs. */

#include "json/json.h"

/*
 * Sets WS_EPARSE with "<file>:<line>:<col>: <what>" for the DOM value v
 * (JSON or YAML) and returns it.
 */
int lockfile_err(const char *file, const struct json_value *v,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The directory part of path, as a new string ("." when there is none). */
char *lockfile_dirname(const char *path);

#endif
