/*
 * One rule file, as `wormsign scan --rules DIR` compiles it: libyara's
 * compiler with includes refused, then a scan of a few fixed buffers and
 * of the input itself with whatever compiled.
 *
 * Checked: a failure leaves a message naming the file; a success gives
 * rules whose matches all carry a rule name and a namespace.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/rules_internal.h"
#include "util/error.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rule files people write are small; libyara's own limits do the rest. */
#define FUZZ_RULES_MAX (64u << 10)

static int fuzz_ready;

static void
fuzz_on_match(const struct rules_match *m, void *payload)
{
	size_t *n = payload;

	if (!m->rule || !m->ns || strcmp(m->ns, "fuzz") != 0)
		abort();
	(*n)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const inputs[] = {
		"",
		"{\"scripts\":{\"postinstall\":\"node bundle.js\"}}",
		"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
	};
	struct rules *r = NULL;
	size_t i, n = 0;
	int err;

	if (!fuzz_ready) {
		if (rules_global_init())
			abort();
		fuzz_ready = 1;
	}
	if (size > FUZZ_RULES_MAX)
		return 0;
	ws_error_clear();
	err = rules_load_mem(&r, (const char *)data, size, "fuzz");
	if (err) {
		if (r || strncmp(ws_error_last(), "fuzz", 4) != 0)
			abort();
		return 0;
	}
	for (i = 0; i < sizeof(inputs) / sizeof(*inputs); i++)
		rules_scan(r, inputs[i], strlen(inputs[i]), fuzz_on_match, &n);
	rules_scan(r, data, size, fuzz_on_match, &n);
	rules_free(r);
	return 0;
}
