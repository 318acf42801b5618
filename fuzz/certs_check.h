#ifndef WS_FUZZ_CERTS_CHECK_H
#define WS_FUZZ_CERTS_CHECK_H

/*
 * What the certs fuzz targets check after reading an input, besides
 * memory errors: the inventory renders in every format, its JSON parses
 * again, and text and Markdown hold no control byte but newlines.
 */

#include <stdio.h>
#include <stdlib.h>

#include "certs/certs.h"
#include "json/json.h"
#include "report/report.h"

static void
certs_fuzz_check(int ok)
{
	if (!ok)
		abort();
}

static void
certs_fuzz_render(struct report *r)
{
	struct json_doc doc;
	char *out;
	size_t len, i;
	int which;

	for (which = 0; which < 3; which++) {
		FILE *fp;

		out = NULL;
		fp = open_memstream(&out, &len);
		certs_fuzz_check(fp != NULL);
		if (which == 0)
			certs_fuzz_check(report_json(fp, r, "2026-05-12T00:00:00Z") == 0);
		else if (which == 1)
			certs_fuzz_check(report_text(fp, r, 0) == 0);
		else
			certs_fuzz_check(report_markdown(fp, r) == 0);
		certs_fuzz_check(fclose(fp) == 0);
		if (which == 0) {
			certs_fuzz_check(json_parse(&doc, out, len, "out.json", 0) == 0);
			json_doc_release(&doc);
		} else {
			for (i = 0; i < len; i++)
				certs_fuzz_check((unsigned char)out[i] >= 0x20 ?
							 out[i] != 0x7f :
							 out[i] == '\n');
		}
		free(out);
	}
}

/* Renders inv as `wormsign certs` does. */
static void
certs_fuzz_render_inv(struct certs_inv *inv)
{
	struct report r;

	report_init(&r, "certs");
	certs_add_sections(&r, inv);
	certs_fuzz_render(&r);
	report_release(&r);
}

#endif
