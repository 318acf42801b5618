/*
 * json_parse on arbitrary bytes, then the writer: whatever parses must be
 * written back as strict JSON that parses again to the same shape.
 *
 * The first byte selects options and is not part of the document: bits 0-1
 * are the parser flags (JSON_ALLOW_TRAILING_COMMAS, JSON_ALLOW_COMMENTS),
 * bit 2 pretty printing. Seed files start with a digit '0'..'7' for that.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
write_value(struct json_writer *w, const struct json_value *v)
{
	const struct json_value *c;

	switch (v->type) {
	case JSON_NULL:
		jsonw_null(w);
		break;
	case JSON_FALSE:
	case JSON_TRUE:
		jsonw_bool(w, v->type == JSON_TRUE);
		break;
	case JSON_NUMBER:
		jsonw_raw(w, v->u.str, v->len);
		break;
	case JSON_STRING:
		jsonw_stringn(w, v->u.str, v->len);
		break;
	case JSON_ARRAY:
		/* alternate the two array styles by depth-ish parity */
		if (v->len & 1)
			jsonw_array_begin_inline(w);
		else
			jsonw_array_begin(w);
		for (c = v->u.first; c; c = c->next)
			write_value(w, c);
		jsonw_array_end(w);
		break;
	case JSON_OBJECT:
		jsonw_object_begin(w);
		for (c = v->u.first; c; c = c->next) {
			jsonw_key(w, c->key);
			write_value(w, c);
		}
		jsonw_object_end(w);
		break;
	default:
		abort();
	}
}

static int
is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* The written document must have the same shape; ASCII text must survive
 * unchanged (other bytes may have become U+FFFD). */
static void
same_shape(const struct json_value *a, const struct json_value *b)
{
	if (a->type != b->type)
		abort();
	if (a->type != JSON_STRING && a->len != b->len)
		abort();
	if (a->key && is_ascii(a->key, a->key_len) &&
	    (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len)))
		abort();
	switch (a->type) {
	case JSON_NUMBER:
		if (memcmp(a->u.str, b->u.str, a->len))
			abort();
		break;
	case JSON_STRING:
		if (is_ascii(a->u.str, a->len) &&
		    (a->len != b->len || memcmp(a->u.str, b->u.str, a->len)))
			abort();
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		for (a = a->u.first, b = b->u.first; a && b;
		     a = a->next, b = b->next)
			same_shape(a, b);
		if (a || b)
			abort();
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc doc, again;
	struct json_writer w;
	unsigned flags;
	int pretty;
	char *buf, *out = NULL, *copy;
	size_t out_len = 0;
	FILE *fp;

	if (size < 1)
		return 0;
	flags = data[0] & 3;
	pretty = !!(data[0] & 4);
	data++;
	size--;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (json_parse(&doc, buf, size, "fuzz.json", flags)) {
		/* a failure always leaves a message */
		if (!*ws_error_last())
			abort();
		free(buf);
		return 0;
	}
	json_get(doc.root, "name");
	json_get_str(doc.root, "version");
	json_get_bool(doc.root, "private");

	fp = open_memstream(&out, &out_len);
	if (!fp)
		abort();
	jsonw_init(&w, fp, pretty);
	write_value(&w, doc.root);
	if (jsonw_finish(&w))
		abort();
	if (fclose(fp))
		abort();
	/* parsing is in situ: keep the text intact for the message */
	copy = malloc(out_len + 1);
	if (!copy)
		abort();
	memcpy(copy, out, out_len + 1);
	if (json_parse(&again, copy, out_len, "written.json", 0)) {
		fprintf(stderr, "written JSON does not parse: %s\n%.*s\n",
			ws_error_last(), (int)(out_len > 4096 ? 4096 : out_len),
			out);
		abort();
	}
	same_shape(doc.root, again.root);
	json_doc_release(&again);
	json_doc_release(&doc);
	free(copy);
	free(out);
	free(buf);
	return 0;
}
