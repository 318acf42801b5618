#include "util/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/banned.h"

#ifndef WS_DATADIR
#define WS_DATADIR "/usr/local/share/wormsign"
#endif
#ifndef WS_SOURCE_ROOT
#define WS_SOURCE_ROOT "."
#endif

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
try_dir(char *out, size_t n, const char *base, const char *mid,
	const char *sub)
{
	if ((size_t)snprintf(out, n, "%s%s/%s", base, mid, sub) >= n)
		return 0;
	return is_dir(out);
}

int
ws_data_dir(char *out, size_t n, const char *sub)
{
	char exe[PATH_MAX];
	const char *env = getenv("WORMSIGN_DATA");
	ssize_t len;

	if (env && *env && try_dir(out, n, env, "", sub))
		return 0;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (try_dir(out, n, exe, "", sub) ||
			    try_dir(out, n, exe, "/../share/wormsign", sub))
				return 0;
		}
	}
	if (try_dir(out, n, WS_DATADIR, "", sub) ||
	    try_dir(out, n, WS_SOURCE_ROOT, "", sub))
		return 0;
	return ws_error_set(WS_ENOTFOUND,
			    "no %s directory found (tried $WORMSIGN_DATA, next to the executable, %s and %s)",
			    sub, WS_DATADIR, WS_SOURCE_ROOT);
}
