#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "certs_check.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: one byte choosing which CI file it is, then the file. Every
 * secret found has a bounded name and at most CERTS_USED_IN_MAX places,
 * and the inventory renders.
 */
static const char *const names[] = {
	".github/workflows/release.yml", ".gitlab-ci.yml",
	".circleci/config.yml", "azure-pipelines.yml", "fastlane/Fastfile",
	"fastlane/Matchfile",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certs_where w = { "repo", NULL, NULL };
	struct certs_inv inv;
	size_t i;

	if (size < 1 || size > (1u << 20))
		return 0;
	w.path = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	certs_inv_init(&inv);
	certs_parse_ci(&inv, &w, (const char *)data + 1, size - 1);
	for (i = 0; i < inv.nsecrets; i++) {
		certs_fuzz_check(strlen(inv.secrets[i].name) <= 128);
		certs_fuzz_check(inv.secrets[i].nused <= CERTS_USED_IN_MAX);
	}
	certs_fuzz_render_inv(&inv);
	certs_inv_release(&inv);
	return 0;
}
