#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "certs_check.h"
#include "report/rotation.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one byte choosing the file's name (so each reader is reached),
 * then the file. The last choice instead reads the bytes as a sweep
 * report and, split at the first NUL, a certs report, and builds the
 * rotation checklist from them.
 */
static const char *const names[] = {
	"sign/a.p12", "sign/a.pfx", "a.pem", "a.crt", "a.der", "a.key",
	"ios/AuthKey_ABCDE12345.p8", "Example.mobileprovision",
	"mac.provisionprofile", "upload.jks", "release.keystore", "Key.snk",
	"secret.asc", "key.gpg", "id_ed25519", "chain.cer", "bundle.p7b",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static void
rotate(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t a = nul ? (size_t)(nul - data) : size;
	size_t b = nul ? size - a - 1 : 0;
	char *sweep = malloc(a + 1), *certs = malloc(b + 1);
	struct rotation_list l;
	struct report r;

	memcpy(sweep, data, a);
	sweep[a] = '\0';
	if (b)
		memcpy(certs, nul + 1, b);
	certs[b] = '\0';
	report_init(&r, "report rotate");
	rotation_init(&l, &r.pool);
	if (certs_rotate(&l, sweep, a, "sweep.json", certs, b, "certs.json",
			 "2026-06-01") == 0) {
		rotation_add_sections(&r, &l);
		certs_fuzz_render(&r);
	}
	rotation_release(&l);
	report_release(&r);
	free(sweep);
	free(certs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certs_inv inv;
	struct certs_where w;
	size_t i;
	int n;

	if (size < 1 || size > CERTS_FILE_MAX)
		return 0;
	if (data[0] % (NNAMES + 1) == NNAMES) {
		rotate(data + 1, size - 1);
		return 0;
	}
	w.repo = "repo";
	w.path = names[data[0] % (NNAMES + 1)];
	w.commit = NULL;
	certs_inv_init(&inv);
	n = certs_parse_file(&inv, &w, data + 1, size - 1);
	certs_fuzz_check(n >= 0 && (size_t)n == inv.n);
	for (i = 0; i < inv.n; i++) {
		certs_fuzz_check(inv.entries[i].kind != NULL);
		certs_fuzz_check(inv.entries[i].file_sha256 != NULL);
	}
	certs_fuzz_render_inv(&inv);
	certs_inv_release(&inv);
	return 0;
}
