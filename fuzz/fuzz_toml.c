#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The bunfig.toml reader on arbitrary bytes. Besides memory errors this
 * checks that a success yields an object root, that a failure carries a
 * short "name:line:col: what" message, and that the policy values read
 * from the result (install.minimumReleaseAge and its excludes) go through
 * the same checks policy_load_project() applies without crashing.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc doc;
	struct policy p;
	const struct json_value *install, *v;
	int err;

	if (size > POLICY_CONFIG_MAX)
		return 0;
	ws_error_clear();
	err = policy_toml_parse(&doc, (const char *)data, size, "fuzz.toml");
	if (err < 0) {
		if (strncmp(ws_error_last(), "fuzz.toml:", 10) != 0)
			abort();
		if (strlen(ws_error_last()) > 512)
			abort();
		return 0;
	}
	if (!json_is(doc.root, JSON_OBJECT))
		abort();
	policy_init(&p);
	install = json_get(doc.root, "install");
	v = json_get(install, "minimumReleaseAgeExcludes");
	if (json_is(v, JSON_ARRAY))
		for (v = v->u.first; v; v = v->next)
			if (json_is(v, JSON_STRING) &&
			    policy_add_exclude(&p, POLICY_TOOL_BUN, v->u.str,
					       "fuzz.toml", "x") == 0)
				policy_excludes(&p, POLICY_TOOL_BUN, v->u.str,
						"1.0.0", NULL);
	v = json_get(install, "minimumReleaseAge");
	if (json_is(v, JSON_STRING) || json_is(v, JSON_NUMBER)) {
		int64_t s;
		time_t t;

		if (policy_parse_duration_unit(v->u.str, 1, &s) == 0 &&
		    (s < 0 || s > POLICY_DURATION_MAX))
			abort();
		policy_parse_time(v->u.str, &t);
	}
	policy_release(&p);
	json_doc_release(&doc);
	return 0;
}
