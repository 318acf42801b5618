#include <stddef.h>
#include <stdint.h>

#include "certs_check.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a Java keystore (JKS or JCEKS). It reads, or fails with
 * WS_EPARSE keeping what came before the damage; either way no entry is
 * without its alias's keystore kind, and the inventory renders.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certs_where w = { "repo", "android/upload.jks", NULL };
	struct certs_inv inv;
	size_t i;
	int n;

	if (size > CERTS_FILE_MAX)
		return 0;
	certs_inv_init(&inv);
	n = certs_parse_jks(&inv, &w, data, size);
	certs_fuzz_check(n == WS_EPARSE || (n >= 0 && (size_t)n == inv.n));
	certs_fuzz_check(inv.n <= CERTS_PER_FILE_MAX + 16);
	for (i = 0; i < inv.n; i++)
		certs_fuzz_check(inv.entries[i].kind != NULL &&
				 inv.entries[i].alias != NULL);
	certs_fuzz_render_inv(&inv);
	certs_inv_release(&inv);
	return 0;
}
