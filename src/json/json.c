#include "json/json.h"

#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

/*
 * A recursive-descent parser would put nesting depth on the C stack, which
 * hostile input controls; this one keeps its own explicit stack of open
 * containers (bounded by JSON_DEPTH_MAX) and builds sibling lists in place.
 */

#define JSON_STR_(x) #x
#define JSON_STR(x) JSON_STR_(x)

struct json_parser {
	char *p;
	char *end;
	char *buf;
	char *line_start;
	uint32_t line;
	unsigned flags;
	struct json_doc *doc;
};

struct json_frame {
	struct json_value *container;
	struct json_value *last;
};

static int
json_fail_code(struct json_parser *ps, int code, const char *at,
	       const char *what)
{
	const char *ls = ps->line_start;
	size_t col = (size_t)(at - ls) + 1;

	if (at < ls)
		col = 1;
	return ws_error_set(code, "%s:%u:%zu: %s", ps->doc->name, ps->line,
			    col, what);
}

static int
json_fail(struct json_parser *ps, const char *at, const char *what)
{
	return json_fail_code(ps, WS_EPARSE, at, what);
}

static inline void
json_newline(struct json_parser *ps, char *at)
{
	ps->line++;
	ps->line_start = at + 1;
}

static int
json_skip_ws(struct json_parser *ps)
{
	char *p = ps->p;

	for (;;) {
		while (p < ps->end) {
			char c = *p;

			if (c == ' ' || c == '\t' || c == '\r') {
				p++;
			} else if (c == '\n') {
				json_newline(ps, p);
				p++;
			} else {
				break;
			}
		}
		if (!(ps->flags & JSON_ALLOW_COMMENTS) || p + 1 >= ps->end ||
		    p[0] != '/')
			break;
		if (p[1] == '/') {
			while (p < ps->end && *p != '\n')
				p++;
		} else if (p[1] == '*') {
			char *start = p, *start_ls = ps->line_start;
			uint32_t start_line = ps->line;

			p += 2;
			while (p + 1 < ps->end && !(p[0] == '*' && p[1] == '/')) {
				if (*p == '\n')
					json_newline(ps, p);
				p++;
			}
			if (p + 1 >= ps->end) {
				/* report where the comment starts */
				ps->p = p;
				ps->line = start_line;
				ps->line_start = start_ls;
				return json_fail(ps, start,
						 "unterminated comment");
			}
			p += 2;
		} else {
			break;
		}
	}
	ps->p = p;
	return 0;
}

static struct json_value *
json_node(struct json_parser *ps, enum json_type type, const char *at)
{
	struct json_value *v = mempool_alloc(&ps->doc->pool, sizeof(*v));
	size_t col = (size_t)(at - ps->line_start) + 1;

	v->next = NULL;
	v->key = NULL;
	v->key_len = 0;
	v->u.first = NULL;
	v->len = 0;
	v->line = ps->line;
	v->col16 = col > 65535 ? 65535 : (uint16_t)col;
	v->type = (uint8_t)type;
	ps->doc->nodes++;
	return v;
}

int
json_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
json_hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if ((h = json_hexval((unsigned char)p[i])) < 0)
			return -1;
		v = (v << 4) | (unsigned)h;
	}
	*out = v;
	return 0;
}

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t
json_utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];

	if (c < 0xC2 || c > 0xF4)
		return 0;
	if (c < 0xE0)
		return end - p >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if (end - p < 3 || (p[1] & 0xC0) != 0x80 ||
		    (p[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
			return 0;
		return 3;
	}
	if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
	    (p[3] & 0xC0) != 0x80)
		return 0;
	if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
		return 0;
	return 4;
}

char *
json_put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xC0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xE0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*w++ = (char)(0xF0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	}
	return w;
}

/*
 * Parses the string whose opening quote is at ps->p, unescaping in place.
 * The decoded text is never longer than the escaped text, so it fits, and
 * its terminating NUL lands at or before the closing quote.
 */
static int
json_string(struct json_parser *ps, const char **out, uint32_t *out_len)
{
	char *start = ps->p + 1;
	char *r = start, *w;
	const char *q;

	/* Fast path: no escapes before the closing quote. */
	for (;;) {
		q = memchr(r, '"', (size_t)(ps->end - r));
		if (!q)
			return json_fail(ps, ps->p, "unterminated string");
		if (!memchr(r, '\\', (size_t)(q - r)))
			break;
		goto slow;
	}
	for (w = start; w < q; w++) {
		unsigned char c = (unsigned char)*w;
		size_t n;

		if (c >= 0x20 && c < 0x80)
			continue;
		if (c < 0x20) {
			if (c == '\n')
				return json_fail(ps, w,
						 "newline inside a string");
			return json_fail(ps, w,
					 "control character inside a string");
		}
		n = json_utf8_len((const unsigned char *)w,
				  (const unsigned char *)q);
		if (!n)
			return json_fail(ps, w, "invalid UTF-8 in string");
		w += n - 1;
	}
	if ((size_t)(q - start) > UINT32_MAX)
		return ws_error_set(WS_ELIMIT, "%s: string too long",
				    ps->doc->name);
	*(char *)q = '\0';
	*out = start;
	*out_len = (uint32_t)(q - start);
	ps->p = (char *)q + 1;
	return 0;

slow:
	r = w = start;
	while (r < ps->end) {
		unsigned char c = (unsigned char)*r;

		if (c == '"')
			break;
		if (c < 0x20)
			return json_fail(ps, r, c == '\n' ?
					 "newline inside a string" :
					 "control character inside a string");
		if (c >= 0x80) {
			size_t n = json_utf8_len((const unsigned char *)r,
						 (const unsigned char *)ps->end);

			if (!n)
				return json_fail(ps, r,
						 "invalid UTF-8 in string");
			memmove(w, r, n);
			w += n;
			r += n;
			continue;
		}
		if (c != '\\') {
			*w++ = (char)c;
			r++;
			continue;
		}
		if (r + 1 >= ps->end)
			return json_fail(ps, r, "unterminated string");
		switch (r[1]) {
		case '"': *w++ = '"'; r += 2; break;
		case '\\': *w++ = '\\'; r += 2; break;
		case '/': *w++ = '/'; r += 2; break;
		case 'b': *w++ = '\b'; r += 2; break;
		case 'f': *w++ = '\f'; r += 2; break;
		case 'n': *w++ = '\n'; r += 2; break;
		case 'r': *w++ = '\r'; r += 2; break;
		case 't': *w++ = '\t'; r += 2; break;
		case 'u': {
			unsigned cp, lo;

			if (ps->end - r < 6 || json_hex4(r + 2, &cp))
				return json_fail(ps, r, "bad \\u escape");
			r += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (ps->end - r < 6 || r[0] != '\\' ||
				    r[1] != 'u' || json_hex4(r + 2, &lo) ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return json_fail(ps, r - 6,
							 "unpaired surrogate in \\u escape");
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
				r += 6;
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return json_fail(ps, r - 6,
						 "unpaired surrogate in \\u escape");
			}
			if (cp == 0)
				return json_fail(ps, r - 6,
						 "\\u0000 is not allowed in strings");
			w = json_put_utf8(w, cp);
			break;
		}
		default:
			return json_fail(ps, r, "bad escape in string");
		}
	}
	if (r >= ps->end)
		return json_fail(ps, ps->p, "unterminated string");
	if ((size_t)(w - start) > UINT32_MAX)
		return ws_error_set(WS_ELIMIT, "%s: string too long",
				    ps->doc->name);
	*w = '\0';
	*out = start;
	*out_len = (uint32_t)(w - start);
	ps->p = r + 1;
	return 0;
}

static int
json_number(struct json_parser *ps, struct json_value *v)
{
	char *p = ps->p, *start = p;

	if (p < ps->end && *p == '-')
		p++;
	if (p < ps->end && *p == '0') {
		p++;
	} else if (p < ps->end && *p >= '1' && *p <= '9') {
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return json_fail(ps, start, "bad number");
	}
	if (p < ps->end && *p == '.') {
		p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return json_fail(ps, start, "bad number");
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return json_fail(ps, start, "bad number");
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	/* Numbers keep their text; the byte after them is a delimiter that
	 * the caller has not looked at yet, so they are not terminated. */
	v->u.str = start;
	v->len = (uint32_t)(p - start);
	ps->p = p;
	return 0;
}

static int
json_literal(struct json_parser *ps, const char *word, size_t n)
{
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return json_fail(ps, ps->p, "unexpected character");
	ps->p += n;
	return 0;
}

static int
json_scalar_or_open(struct json_parser *ps, struct json_value **out)
{
	char c = *ps->p;
	struct json_value *v;
	int err = 0;

	switch (c) {
	case '{':
		v = json_node(ps, JSON_OBJECT, ps->p);
		ps->p++;
		break;
	case '[':
		v = json_node(ps, JSON_ARRAY, ps->p);
		ps->p++;
		break;
	case '"':
		v = json_node(ps, JSON_STRING, ps->p);
		err = json_string(ps, &v->u.str, &v->len);
		break;
	case 't':
		v = json_node(ps, JSON_TRUE, ps->p);
		err = json_literal(ps, "true", 4);
		break;
	case 'f':
		v = json_node(ps, JSON_FALSE, ps->p);
		err = json_literal(ps, "false", 5);
		break;
	case 'n':
		v = json_node(ps, JSON_NULL, ps->p);
		err = json_literal(ps, "null", 4);
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			v = json_node(ps, JSON_NUMBER, ps->p);
			err = json_number(ps, v);
			break;
		}
		return json_fail(ps, ps->p, "unexpected character");
	}
	*out = v;
	return err;
}

static void
json_append(struct json_frame *f, struct json_value *v)
{
	if (f->last)
		f->last->next = v;
	else
		f->container->u.first = v;
	f->last = v;
	f->container->len++;
}

int
json_parse(struct json_doc *doc, char *buf, size_t len, const char *name,
	   unsigned flags)
{
	struct json_parser ps;
	struct json_frame stack[JSON_DEPTH_MAX];
	size_t depth = 0;
	struct json_value *v = NULL;
	int err;

	memset(doc, 0, sizeof(*doc));
	/*
	 * Blocks sized to the document: a small one (a bundle, a manifest)
	 * must not cost a 1 MiB malloc and the trim that frees it (verify
	 * parses three per bundle); a large one still grows in 1 MiB steps.
	 */
	mempool_init(&doc->pool, len < (1u << 12) ? (1u << 14) :
				 len < (1u << 18) ? len * 4 : (1u << 20));
	doc->name = name;
	ps.p = ps.buf = buf;
	ps.end = buf + len;
	ps.line_start = buf;
	ps.line = 1;
	ps.flags = flags;
	ps.doc = doc;

	/* A UTF-8 byte order mark is tolerated, as npm does. */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		ps.p += 3;
		ps.line_start = ps.p;
	}

	if ((err = json_skip_ws(&ps)))
		goto fail;
	if (ps.p >= ps.end) {
		err = json_fail(&ps, ps.p, "empty document");
		goto fail;
	}
	if ((err = json_scalar_or_open(&ps, &v)))
		goto fail;
	doc->root = v;

	for (;;) {
		struct json_frame *top;
		const char *key = NULL;
		uint32_t key_len = 0;

		if (v && (v->type == JSON_OBJECT || v->type == JSON_ARRAY)) {
			if (depth == JSON_DEPTH_MAX) {
				err = json_fail_code(&ps, WS_ELIMIT, ps.p - 1,
						     "nesting deeper than "
						     JSON_STR(JSON_DEPTH_MAX)
						     " levels");
				goto fail;
			}
			stack[depth].container = v;
			stack[depth].last = NULL;
			depth++;
			if ((err = json_skip_ws(&ps)))
				goto fail;
			if (ps.p < ps.end &&
			    *ps.p == (v->type == JSON_OBJECT ? '}' : ']')) {
				ps.p++;
				depth--;
				goto after_value;
			}
			goto element;
		}

after_value:
		if (depth == 0)
			break;
		top = &stack[depth - 1];
		if ((err = json_skip_ws(&ps)))
			goto fail;
		if (ps.p >= ps.end) {
			err = json_fail(&ps, ps.p, "unexpected end of input");
			goto fail;
		}
		if (*ps.p == ',') {
			ps.p++;
			if ((err = json_skip_ws(&ps)))
				goto fail;
			if ((flags & JSON_ALLOW_TRAILING_COMMAS) &&
			    ps.p < ps.end &&
			    *ps.p == (top->container->type == JSON_OBJECT ?
				      '}' : ']')) {
				ps.p++;
				depth--;
				v = NULL;
				goto after_value;
			}
			goto element;
		}
		if (*ps.p == (top->container->type == JSON_OBJECT ? '}' : ']')) {
			ps.p++;
			depth--;
			v = NULL;
			goto after_value;
		}
		err = json_fail(&ps, ps.p,
				top->container->type == JSON_OBJECT ?
				"expected ',' or '}' after object member" :
				"expected ',' or ']' after array element");
		goto fail;

element:
		top = &stack[depth - 1];
		if (ps.p >= ps.end) {
			err = json_fail(&ps, ps.p, "unexpected end of input");
			goto fail;
		}
		if (top->container->type == JSON_OBJECT) {
			if (*ps.p != '"') {
				err = json_fail(&ps, ps.p,
						"expected a string as object key");
				goto fail;
			}
			if ((err = json_string(&ps, &key, &key_len)))
				goto fail;
			if ((err = json_skip_ws(&ps)))
				goto fail;
			if (ps.p >= ps.end || *ps.p != ':') {
				err = json_fail(&ps, ps.p,
						"expected ':' after object key");
				goto fail;
			}
			ps.p++;
			if ((err = json_skip_ws(&ps)))
				goto fail;
			if (ps.p >= ps.end) {
				err = json_fail(&ps, ps.p,
						"unexpected end of input");
				goto fail;
			}
		}
		if (doc->nodes >= JSON_NODES_MAX) {
			err = ws_error_set(WS_ELIMIT,
					   "%s:%u: more than %u values",
					   name, ps.line, JSON_NODES_MAX);
			goto fail;
		}
		if ((err = json_scalar_or_open(&ps, &v)))
			goto fail;
		v->key = key;
		v->key_len = key_len;
		json_append(top, v);
	}

	if ((err = json_skip_ws(&ps)))
		goto fail;
	if (ps.p != ps.end) {
		err = json_fail(&ps, ps.p, *ps.p ?
				"unexpected data after the document" :
				"NUL byte in document");
		goto fail;
	}
	return 0;

fail:
	json_doc_release(doc);
	return err;
}

void
json_doc_release(struct json_doc *doc)
{
	if (!doc)
		return;
	mempool_release(&doc->pool);
	doc->root = NULL;
	doc->nodes = 0;
}

const struct json_value *
json_get(const struct json_value *obj, const char *key)
{
	const struct json_value *v;

	if (!json_is(obj, JSON_OBJECT))
		return NULL;
	for (v = obj->u.first; v; v = v->next)
		if (strcmp(v->key, key) == 0)
			return v;
	return NULL;
}

const char *
json_get_str(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return json_is(v, JSON_STRING) ? v->u.str : NULL;
}

int
json_get_bool(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return json_is(v, JSON_TRUE);
}

const char *
json_type_name(enum json_type t)
{
	static const char *const names[] = {
		"null", "false", "true", "number", "string", "array", "object",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ?
		       names[t] : "unknown";
}
