/*
 * One OSV record on arbitrary bytes, as `wormsign feeds import --from osv`
 * reads each file of a directory or zip: whatever it takes must be written
 * as a native feed that parses again and writes the same bytes, and the
 * statistics must add up.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
written(const struct feed *f, size_t *len)
{
	char *out = NULL;
	FILE *fp = open_memstream(&out, len);

	if (!fp || feed_write(fp, f) != 0)
		abort();
	fclose(fp);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_import_stats st;
	struct feed *f = NULL, *g = NULL;
	size_t la, lb;
	char *buf, *a, *b;

	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&st, 0, sizeof(st));
	if (feed_import_buffer(&f, FEED_FROM_OSV, buf, size, "fuzz.json",
			       "fuzz", NULL, &st) != 0)
		abort();	/* a bad record is skipped, never an error */
	if (st.nmessages > st.skipped || (st.skipped && !st.nmessages))
		abort();
	if (f->npackages > st.taken || f->nnetwork > st.taken)
		abort();
	a = written(f, &la);
	if (feed_parse(&g, a, la, "written.json") != 0) {
		fprintf(stderr, "written feed does not parse: %s\n%s\n",
			ws_error_last(), a);
		abort();
	}
	free(a);
	a = written(f, &la);
	b = written(g, &lb);
	if (la != lb || memcmp(a, b, la) != 0)
		abort();
	free(a);
	free(b);
	feed_free(g);
	feed_free(f);
	feed_import_stats_release(&st);
	free(buf);
	return 0;
}
