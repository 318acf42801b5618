#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "prov/check.h"
#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * verify's own readers on arbitrary bytes: the identity policy file
 * (a success must answer requires/pins for any name and identity; a
 * failure carries one short "fuzz.json:..." line), and the same bytes as
 * a packument whose earlier versions the provenance history picks (the
 * count is bounded by the maximum and every version is older than the
 * one asked about).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "@acme/widget", "left-pad", "", "x" };
	struct prov_identity id;
	struct prov_policy *p = NULL;
	struct json_doc doc;
	const char *earlier[8], *where, *want;
	enum prov_field field;
	char *buf;
	size_t i, n;
	int err;

	if (size > PROV_POLICY_MAX)
		return 0;
	buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	ws_error_clear();
	err = prov_policy_parse(&p, buf, size, "fuzz.json");
	if (err < 0) {
		if (strncmp(ws_error_last(), "fuzz.json", 9) != 0 ||
		    strlen(ws_error_last()) > 1024 || strchr(ws_error_last(), '\n'))
			abort();
	} else {
		memset(&id, 0, sizeof(id));
		id.source_repo = "https://github.com/acme/widget";
		id.workflow_path = ".github/workflows/release.yml";
		id.trigger = "push";
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			prov_policy_requires(p, names[i], &where);
			prov_policy_vouches(p, names[i], PROV_FIELD_TRIGGER, id.trigger);
			if (prov_policy_pins(p, names[i], &id, &field, &want, &where) &&
			    (field >= PROV_FIELD_COUNT || !want || !where))
				abort();
		}
		prov_policy_free(p);
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (json_parse(&doc, buf, size, "fuzz.json", 0) == 0) {
		const struct json_value *t = json_get(doc.root, "time");
		const struct json_value *v = json_get(doc.root, "versions");
		const char *at = json_get_str(doc.root, "version");

		if (at) {
			n = prov_history_earlier(earlier, 8, t, v, at);
			if (n > 8)
				abort();
			for (i = 0; i < n; i++)
				if (prov_iso_seconds(json_get_str(t, earlier[i])) >=
				    prov_iso_seconds(json_get_str(t, at)))
					abort();
		}
		json_doc_release(&doc);
	}
	ws_error_clear();
	free(buf);
	return 0;
}
