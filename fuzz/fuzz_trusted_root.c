#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prov/prov.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is a trusted_root.json. Besides memory errors: a root that
 * loads is usable (a bundle check against it ends with a verdict), and a
 * rejected one leaves a one-line message.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char bundle[] =
		"{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.1\","
		"\"verificationMaterial\":{\"publicKey\":{\"hint\":\"k\"},\"tlogEntries\":[]},"
		"\"messageSignature\":{\"signature\":\"AAAA\"}}";
	struct prov_trusted_root *root = NULL;
	struct prov_bundle *b = NULL;
	struct prov_verdict v;

	ws_error_clear();
	if (prov_trusted_root_parse(&root, (const char *)data, size, "fuzz") != 0) {
		if (root || strchr(ws_error_last(), '\n'))
			abort();
		return 0;
	}
	if (prov_bundle_parse(&b, bundle, sizeof(bundle) - 1, "b") != 0)
		abort();
	prov_verdict_init(&v);
	if (prov_bundle_verify(b, root, NULL, NULL, &v) == 0)
		abort();	/* no key, no log entry: it cannot pass */
	prov_verdict_release(&v);
	prov_bundle_free(b);
	prov_trusted_root_free(root);
	return 0;
}
