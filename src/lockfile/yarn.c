#include "lockfile/lockfile.h"

#include <string.h>

#include "util/banned.h"

/*
 * yarn.lock is two formats under one name: v1's own line format, and
 * berry's YAML, which always has a __metadata entry at the top level.
 */
int
lockfile_parse_yarn(struct tree **out, char *buf, size_t len,
		    const char *file, const struct json_value *manifest)
{
	const char *p = buf;

	while (p && p < buf + len) {
		if (strncmp(p, "__metadata:", 11) == 0)
			return lockfile_parse_yarn_berry(out, buf, len, file,
							 manifest);
		p = memchr(p, '\n', (size_t)(buf + len - p));
		if (p)
			p++;
	}
	return lockfile_parse_yarn_v1(out, buf, len, file, manifest);
}
