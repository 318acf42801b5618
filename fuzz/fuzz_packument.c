#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "registry/registry.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
count_strings(const struct json_value *obj)
{
	const struct json_value *m;
	size_t n = 0;

	for (m = json_is(obj, JSON_OBJECT) ? obj->u.first : NULL; m; m = m->next)
		n += m->type == JSON_STRING;
	return n;
}

/* A text the cache stores must parse again, as a value of type `type`. */
static struct json_doc
reparse(struct strbuf *sb, int type)
{
	struct json_doc doc;

	if (json_parse(&doc, sb->buf, sb->len, "cached", 0) < 0 ||
	    !json_is(doc.root, type)) {
		fprintf(stderr, "cached text does not parse back: %s\n%.*s\n",
			ws_error_last(), (int)(sb->len < 4096 ? sb->len : 4096),
			sb->buf);
		abort();
	}
	return doc;
}

/*
 * The input is a packument as a registry serves it (attacker-written).
 * What the cache keeps of it (the time map's strings, the version keys,
 * each version's dist subset) is written as JSON text and parsed again on
 * the next run: it must parse, and keep every time string and version.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf times, versions, dists;
	struct json_doc doc, t, v, d;
	const struct json_value *vo, *m;
	const char *keys[64];
	char *buf;
	size_t nkeys = 0;

	if (size > (1u << 20))
		return 0;
	buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (json_parse(&doc, buf, size, "fuzz.json", 0) < 0) {
		free(buf);
		ws_error_clear();
		return 0;
	}
	if (!json_is(doc.root, JSON_OBJECT)) {
		json_doc_release(&doc);
		free(buf);
		return 0;
	}
	strbuf_init(&times, (size_t)-1);
	strbuf_init(&versions, (size_t)-1);
	strbuf_init(&dists, (size_t)-1);
	registry_packument_texts(doc.root, &times, &versions, &dists);
	t = reparse(&times, JSON_OBJECT);
	v = reparse(&versions, JSON_ARRAY);
	d = reparse(&dists, JSON_OBJECT);
	vo = json_get(doc.root, "versions");
	if (t.root->len != count_strings(json_get(doc.root, "time")) ||
	    v.root->len != (json_is(vo, JSON_OBJECT) ? vo->len : 0) ||
	    d.root->len != v.root->len)
		abort();
	for (m = json_is(vo, JSON_OBJECT) ? vo->u.first : NULL;
	     m && nkeys < 64; m = m->next)
		keys[nkeys++] = m->key;
	if (json_is(json_get(doc.root, "time"), JSON_OBJECT))
		(void)registry_times_cover(json_get(doc.root, "time"), keys, nkeys);
	json_doc_release(&t);
	json_doc_release(&v);
	json_doc_release(&d);
	strbuf_release(&times);
	strbuf_release(&versions);
	strbuf_release(&dists);
	json_doc_release(&doc);
	free(buf);
	return 0;
}
