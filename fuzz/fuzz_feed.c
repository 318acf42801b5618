/*
 * The feed module's text formats on arbitrary bytes: a native feed, a CSV
 * file or a name:version list. Whatever is accepted must be written back
 * as a native feed that parses again and writes the same bytes, and every
 * package version and SHA-256 it lists must match in an indexed set.
 *
 * The first byte selects the format and is not part of the document:
 * '0' (and any byte = 0 mod 3) native, '1' CSV, '2' list. Seed files start
 * with that digit.
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

static void
check(const struct feed *f)
{
	struct feed_set s;
	struct feed *g = NULL;
	size_t la, lb, i;
	char *a = written(f, &la), *b;

	if (feed_parse(&g, a, la, "written.json") != 0) {
		fprintf(stderr, "written feed does not parse: %s\n",
			ws_error_last());
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

	feed_set_init(&s);
	feed_set_add(&s, (struct feed *)f);
	feed_set_index(&s);
	for (i = 0; i < f->npackages && i < 64; i++) {
		const struct feed_package *p = &f->packages[i];

		if (p->nversions &&
		    !feed_set_match_package(&s, p->name, p->versions[0], NULL,
					    NULL))
			abort();
	}
	for (i = 0; i < f->nfiles && i < 64; i++)
		if (f->files[i].has_sha256 &&
		    !feed_set_match_sha256(&s, f->files[i].sha256))
			abort();
	feed_set_release(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	char *buf;
	int err;

	if (size < 1)
		return 0;
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	memset(&st, 0, sizeof(st));
	switch (data[0] % 3) {
	case 0:
		err = feed_parse(&f, buf, size - 1, "fuzz.json");
		break;
	case 1:
		err = feed_import_buffer(&f, FEED_FROM_CSV, buf, size - 1,
					 "fuzz.csv", NULL, NULL, &st);
		break;
	default:
		err = feed_import_buffer(&f, FEED_FROM_LIST, buf, size - 1,
					 "fuzz.txt", NULL, NULL, &st);
		break;
	}
	if (!err)
		check(f);
	feed_free(f);
	feed_import_stats_release(&st);
	free(buf);
	return 0;
}
