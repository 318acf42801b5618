#include "lockfile/lockfile.h"

#include "util/error.h"
#include "util/banned.h"

int
lockfile_parse_pnpm(struct tree **out, char *buf, size_t len, const char *file,
             const struct json_value *manifest)
{
	*out = NULL;
	return ws_error_set(WS_EUNSUPPORTED, "%s: pnpm-lock.yaml is not read yet", file);
}
