#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "report/baseline.h"
#include "report/report.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TODAY "2026-05-12"

/*
 * Input: a baseline file (--ignore). A baseline that loads is applied to
 * a report holding one finding per listed id (its reason as message,
 * evidence and path, so the renderers see the input's strings) plus one
 * that is not listed, and then rendered in every format. Checks, besides
 * memory errors: a failure always names the file and leaves no baseline;
 * exactly the entries that have not expired suppress, and each keeps its
 * reason; JSON and SARIF output parses again; text and Markdown output
 * holds no control byte but newlines, whatever the strings were.
 */

static void
check(int ok)
{
	if (!ok)
		abort();
}

/* Renders r with fn into memory; returns the bytes (free them). */
static char *
render(const struct report *r, int which, size_t *len)
{
	char *out = NULL;
	FILE *fp = open_memstream(&out, len);

	check(fp != NULL);
	switch (which) {
	case 0:
		check(report_json(fp, r, "2026-05-12T00:00:00Z") == 0);
		break;
	case 1:
		check(report_sarif(fp, r) == 0);
		break;
	case 2:
		check(report_text(fp, r, 0) == 0);
		break;
	default:
		check(report_markdown(fp, r) == 0);
		break;
	}
	check(fclose(fp) == 0);
	return out;
}

static void
check_output(const struct report *r)
{
	struct json_doc doc;
	size_t len, i;
	char *out;
	int which;

	for (which = 0; which < 4; which++) {
		out = render(r, which, &len);
		if (which < 2) {
			check(json_parse(&doc, out, len, "out.json", 0) == 0);
			json_doc_release(&doc);
		} else {
			for (i = 0; i < len; i++)
				check((unsigned char)out[i] >= 0x20 ?
					      out[i] != 0x7f :
					      out[i] == '\n');
		}
		free(out);
	}
}

/* Adds a finding for every id in the (already validated) document. */
static size_t
add_findings(struct report *r, const struct json_value *ignore,
	     size_t *expect_suppressed)
{
	const struct json_value *e;
	size_t n = 0;

	*expect_suppressed = 0;
	for (e = ignore->u.first; e; e = e->next) {
		const char *id = json_get_str(e, "id");
		const char *reason = json_get_str(e, "reason");
		const char *expires = json_get_str(e, "expires");
		const char *nodes[3] = { "app@1.0.0", id, reason };
		struct report_path path = { nodes, 3 };
		struct report_evidence ev = { "reason", reason };
		struct report_finding f;

		memset(&f, 0, sizeof(f));
		f.id = id;
		f.kind = n % 2 ? "ioc-package" : "rule";
		f.severity = (enum report_severity)(n % 5);
		f.target = reason;
		f.package_name = id;
		f.package_version = expires;
		f.paths = &path;
		f.npaths = 1;
		f.file = id;
		f.line = (unsigned)n;
		f.message = reason;
		f.remediation = reason;
		f.feed = id;
		f.evidence = &ev;
		f.nevidence = 1;
		report_add(r, &f);
		if (!expires || strcmp(expires, TODAY) >= 0)
			(*expect_suppressed)++;
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_baseline *b = (struct report_baseline *)&b;
	struct report r;
	struct json_doc doc;
	char *buf, *copy;
	size_t n, expect, i;
	int err;

	if (size > REPORT_BASELINE_MAX + 1)
		return 0;
	buf = malloc(size + 1);
	copy = malloc(size + 1);
	check(buf && copy);
	memcpy(buf, data, size);
	buf[size] = '\0';
	memcpy(copy, data, size);
	copy[size] = '\0';

	err = report_baseline_parse(&b, buf, size, "fuzz.json");
	if (err) {
		check(b == NULL);
		check(err == WS_EPARSE || err == WS_ELIMIT);
		check(strncmp(ws_error_last(), "fuzz.json:", 10) == 0);
		goto done;
	}
	check(b != NULL);
	/* what parsed as a baseline parses as JSON with an "ignore" array */
	check(json_parse(&doc, copy, size, "fuzz.json", 0) == 0);
	report_init(&r, "scan");
	report_add_target(&r, "app");
	n = add_findings(&r, json_get(doc.root, "ignore"), &expect);
	report_add_error(&r, "lib", "lib: unreadable");
	{
		struct report_finding f;

		memset(&f, 0, sizeof(f));
		f.id = "";	/* a baseline id is never empty */
		f.kind = "lockfile";
		report_add(&r, &f);
	}
	report_apply_baseline(&r, b, TODAY);
	check(r.nfindings + r.nsuppressed == n + 1);
	check(r.nsuppressed == expect);
	for (i = 0; i < r.nsuppressed; i++)
		check(r.suppressed[i].reason && *r.suppressed[i].reason);
	report_sort(&r);
	check_output(&r);
	report_release(&r);
	json_doc_release(&doc);
	report_baseline_free(b);
done:
	free(copy);
	free(buf);
	return 0;
}
