#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov/prov.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The shipped trusted root, loaded once; NULL when not found. */
static struct prov_trusted_root *
fuzz_root(void)
{
	static struct prov_trusted_root *root;
	static int tried;

	if (!tried) {
		tried = 1;
		if (prov_trusted_root_load_default(&root) != 0)
			root = NULL;
	}
	return root;
}

static void
check_verdict(const struct prov_verdict *v, int rc)
{
	/* A verdict is one line, and a failure always says where. */
	if (strchr(v->reason, '\n') || (rc == 0) != (v->step == PROV_STEP_OK) ||
	    (rc != 0 && v->reason[0] == '\0'))
		abort();
}

/*
 * The input is one bundle, or an attestations response: both are parsed,
 * and whatever parses is verified (with an expected subject and without)
 * against the shipped trusted root, so the SET, proof, checkpoint,
 * certificate and body code all see hostile input.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct prov_expect ex = {
		.name = "@scope/pkg",
		.version = "1.0.0",
		.integrity = "sha512-9k11ZfDwAfMVDDIuEVW1Wvs8SoDNXIY1dNQ+9C9/SS8ZmElkcxesu5eoL7vNa96ntibUGaq1TM2qQoqvdl/I9g==",
	};
	static const struct prov_expect dig = {
		.digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	};
	struct prov_trusted_root *root = fuzz_root();
	struct prov_bundle *b = NULL;
	struct prov_attestations atts;
	struct prov_verdict v;
	size_t i;
	int rc;

	ws_error_clear();
	prov_verdict_init(&v);
	if (prov_bundle_parse(&b, (const char *)data, size, "fuzz") == 0) {
		if (strlen(prov_bundle_digest(b)) != 64)
			abort();
		if (root) {
			rc = prov_bundle_verify(b, root, NULL, &ex, &v);
			check_verdict(&v, rc);
			rc = prov_bundle_verify(b, root, NULL, &dig, &v);
			check_verdict(&v, rc);
			rc = prov_bundle_verify(b, root, NULL, NULL, &v);
			check_verdict(&v, rc);
		}
		prov_bundle_free(b);
	} else if (strchr(ws_error_last(), '\n')) {
		abort();
	}
	if (prov_attestations_parse(&atts, (const char *)data, size, "fuzz") == 0)
		for (i = 0; i < atts.count && root; i++)
			if (atts.items[i].bundle) {
				rc = prov_bundle_verify(atts.items[i].bundle, root,
							NULL, &ex, &v);
				check_verdict(&v, rc);
			}
	prov_attestations_release(&atts);
	prov_verdict_release(&v);
	return 0;
}
