#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "semver/semver.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: "<version>\n<range>". The whole input is also tried as a version
 * and as a range. Besides memory errors this checks that comparison is
 * antisymmetric, that include_prerelease only ever widens a match (except
 * for 0.0.0-x against a literal >=0.0.0, which node-semver treats as "*"
 * only without the option) and that error messages stay short and
 * printable whatever the input.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t vlen = nl ? (size_t)(nl - s) : size;
	const char *rs = nl ? nl + 1 : s;
	size_t rlen = nl ? size - vlen - 1 : size;
	struct semver_range *r = NULL, *whole = NULL;
	struct semver v, w;
	const char *msg;
	int vok, wok, a, b;

	ws_error_clear();
	vok = semver_parse(&v, s, vlen) == 0;
	wok = semver_parse(&w, rs, rlen) == 0;
	if (vok && semver_cmp(&v, &v) != 0)
		abort();
	if (vok && wok && semver_cmp(&v, &w) != -semver_cmp(&w, &v))
		abort();
	if (semver_range_parse(&r, rs, rlen) == 0 && vok) {
		a = semver_range_satisfies(r, &v, 0);
		b = semver_range_satisfies(r, &v, 1);
		if ((a != 0 && a != 1) || (b != 0 && b != 1))
			abort();
		if (a && !b &&
		    !(v.major == 0 && v.minor == 0 && v.patch == 0 && v.pre))
			abort();
	}
	if (semver_range_parse(&whole, s, size) == 0 && vok) {
		semver_range_satisfies(whole, &v, 0);
		semver_range_satisfies(whole, &v, 1);
	}
	semver_range_free(r);
	semver_range_free(whole);
	for (msg = ws_error_last(); *msg; msg++)
		if (*msg < 0x20 || *msg > 0x7e)
			abort();
	if (strlen(ws_error_last()) > 512)
		abort();
	return 0;
}
