#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prov/prov.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is a registry keys document (TUF keys.json or the legacy
 * shape). Every key that loads must be found by its own id, and a
 * signature check with it ends in a verdict that never passes for a
 * made-up signature.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prov_keys *keys = NULL;
	struct prov_verdict v;
	size_t i, n;

	ws_error_clear();
	if (prov_keys_parse(&keys, (const char *)data, size, "fuzz") != 0) {
		if (keys || strchr(ws_error_last(), '\n'))
			abort();
		return 0;
	}
	prov_verdict_init(&v);
	n = prov_keys_count(keys);
	for (i = 0; i < n; i++) {
		const struct prov_key *k = prov_keys_at(keys, i);

		if (!prov_keys_find(keys, k->keyid, k->usage))
			abort();
		if (prov_registry_sig_verify(keys, "pkg", "1.0.0", "sha512-AAAA",
					     k->keyid, "MEUCIQ", k->not_before,
					     &v) == 0 ||
		    strchr(v.reason, '\n'))
			abort();
	}
	if (prov_keys_at(keys, n) != NULL)
		abort();
	prov_verdict_release(&v);
	prov_keys_free(keys);
	return 0;
}
