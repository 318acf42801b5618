#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The checkpoint, Merkle and base64 code is private to src/prov: the fuzz
 * target reaches it through the module's internal header. */
#include "prov/prov_int.h"
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

/*
 * The input is a signed checkpoint note. It is parsed and its signatures
 * checked against the shipped trusted root; the same bytes then drive the
 * base64 decoder and, as a leaf and audit path, the RFC 6962 check.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prov_trusted_root *root = fuzz_root();
	struct prov_checkpoint cp;
	unsigned char *out, leaf[32] = {0}, rootHash[32] = {0};
	char why[160];
	size_t outlen, nhashes;
	int64_t index = 0, tsize = 1;

	if (root) {
		why[0] = '\0';
		if (prov_checkpoint_verify((const char *)data, size, root, &cp,
					   why, sizeof(why)) != 0 &&
		    (why[0] == '\0' || strchr(why, '\n')))
			abort();
	}
	out = malloc(PROV_B64_DECODED_MAX(size) + 1);
	if (!out)
		abort();
	if (prov_b64_decode((const char *)data, size, out, &outlen) == 0 &&
	    outlen > PROV_B64_DECODED_MAX(size))
		abort();
	free(out);
	if (size >= 16) {
		memcpy(&index, data, 8);
		memcpy(&tsize, data + 8, 8);
		nhashes = (size - 16) / 32;
		if (nhashes > PROV_PROOF_HASHES_MAX)
			nhashes = PROV_PROOF_HASHES_MAX;
		/* An all-zero root is no hash output: only an empty path
		 * (leaf == root) may reach it. */
		if (prov_merkle_verify(leaf, index, tsize, data + 16, nhashes,
				       rootHash, why, sizeof(why)) == 0 &&
		    nhashes > 0)
			abort();
	}
	return 0;
}
