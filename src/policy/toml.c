/*
 * The TOML subset bunfig.toml uses, read into the JSON DOM so that config.c
 * looks keys up the same way in every configuration file. Recursive descent
 * over a bounded buffer; every position is checked against the end.
 */
#include "policy/policy.h"

#include <string.h>

#include "util/error.h"
#include "util/strbuf.h"

#include "json/json.h"
#include "util/banned.h"

struct toml {
	const char *p, *end, *line_start;
	unsigned line;
	const char *name;
	struct json_doc *doc;
	size_t nodes;
	int depth;
};

static int
fail(struct toml *t, int code, const char *what)
{
	return ws_error_set(code, "%s:%u:%u: %s", t->name, t->line,
			    (unsigned)(t->p - t->line_start) + 1, what);
}

static struct json_value *
node(struct toml *t, enum json_type type)
{
	struct json_value *v;

	if (t->nodes >= POLICY_TOML_NODES_MAX)
		return NULL;
	t->nodes++;
	v = mempool_calloc(&t->doc->pool, sizeof(*v));
	v->type = (uint8_t)type;
	v->line = t->line;
	v->col16 = (uint16_t)((t->p - t->line_start) + 1 > 65535 ?
			      65535 : (t->p - t->line_start) + 1);
	return v;
}

static void
skip_ws(struct toml *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* Spaces, comments and newlines (inside arrays). */
static void
skip_ws_nl(struct toml *t)
{
	for (;;) {
		skip_ws(t);
		if (t->p < t->end && *t->p == '#') {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		}
		if (t->p < t->end && (*t->p == '\n' || *t->p == '\r')) {
			if (*t->p == '\n') {
				t->line++;
				t->line_start = t->p + 1;
			}
			t->p++;
			continue;
		}
		return;
	}
}

/* After a key/value or header: comment, then end of line or input. */
static int
end_of_line(struct toml *t)
{
	skip_ws(t);
	if (t->p < t->end && *t->p == '#')
		while (t->p < t->end && *t->p != '\n')
			t->p++;
	if (t->p < t->end && *t->p == '\r')
		t->p++;
	if (t->p >= t->end)
		return 0;
	if (*t->p != '\n')
		return fail(t, WS_EPARSE, "expected end of line");
	t->p++;
	t->line++;
	t->line_start = t->p;
	return 0;
}

/* A quoted string at t->p (basic or literal) into sb. */
static int
string(struct toml *t, struct strbuf *sb)
{
	char quote = *t->p, out[4], *w;
	unsigned cp;
	int i, n, h;

	if (t->end - t->p >= 3 && t->p[1] == quote && t->p[2] == quote)
		return fail(t, WS_EUNSUPPORTED, "multi-line strings are not "
			    "supported");
	t->p++;
	for (;;) {
		if (t->p >= t->end || *t->p == '\n' || *t->p == '\r')
			return fail(t, WS_EPARSE, "unterminated string");
		if (*t->p == quote) {
			t->p++;
			return 0;
		}
		if ((unsigned char)*t->p < 0x20 && *t->p != '\t')
			return fail(t, WS_EPARSE, "control character in string");
		if (quote == '\'' || *t->p != '\\') {
			if (strbuf_addch(sb, *t->p) < 0)
				return fail(t, WS_ELIMIT, "string too long");
			t->p++;
			continue;
		}
		t->p++;
		if (t->p >= t->end)
			return fail(t, WS_EPARSE, "unterminated string");
		switch (*t->p) {
		case 'b': out[0] = '\b'; n = 1; break;
		case 't': out[0] = '\t'; n = 1; break;
		case 'n': out[0] = '\n'; n = 1; break;
		case 'f': out[0] = '\f'; n = 1; break;
		case 'r': out[0] = '\r'; n = 1; break;
		case '"': out[0] = '"'; n = 1; break;
		case '\\': out[0] = '\\'; n = 1; break;
		case 'u':
		case 'U':
			n = *t->p == 'u' ? 4 : 8;
			if (t->end - t->p <= n)
				return fail(t, WS_EPARSE, "short \\u escape");
			cp = 0;
			for (i = 1; i <= n; i++) {
				h = json_hexval((unsigned char)t->p[i]);
				if (h < 0)
					return fail(t, WS_EPARSE,
						    "bad \\u escape");
				cp = cp * 16 + (unsigned)h;
			}
			if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
			    cp == 0)
				return fail(t, WS_EPARSE, "bad code point");
			t->p += n;
			w = json_put_utf8(out, cp);
			n = (int)(w - out);
			break;
		default:
			return fail(t, WS_EPARSE, "bad escape in string");
		}
		t->p++;
		if (strbuf_add(sb, out, (size_t)n) < 0)
			return fail(t, WS_ELIMIT, "string too long");
	}
}

static int
is_bare(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One key segment, bare or quoted, copied into the pool. */
static int
key_part(struct toml *t, const char **out, size_t *len)
{
	struct strbuf sb;
	const char *s;
	int err = 0;

	strbuf_init(&sb, POLICY_PATTERN_MAX * 4);
	skip_ws(t);
	if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
		err = string(t, &sb);
		if (err < 0)
			goto done;
	} else {
		s = t->p;
		while (t->p < t->end && is_bare((unsigned char)*t->p))
			t->p++;
		if (t->p == s) {
			err = fail(t, WS_EPARSE, "expected a key");
			goto done;
		}
		if (strbuf_add(&sb, s, (size_t)(t->p - s)) < 0) {
			err = fail(t, WS_ELIMIT, "key too long");
			goto done;
		}
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		err = fail(t, WS_EPARSE, "NUL in key");
		goto done;
	}
	*out = mempool_strndup(&t->doc->pool, sb.buf, sb.len);
	*len = sb.len;
	skip_ws(t);
done:
	strbuf_release(&sb);
	return err;
}

/*
 * The member key of table tbl; with create, a new table when absent.
 * Returns 0 with *out (NULL when absent and !create).
 */
static int
member(struct toml *t, struct json_value *tbl, const char *key, size_t klen,
       struct json_value **out, int create)
{
	struct json_value *v, *last = NULL;

	*out = NULL;
	for (v = tbl->u.first; v; last = v, v = v->next)
		if (v->key_len == klen && memcmp(v->key, key, klen) == 0) {
			*out = v;
			return 0;
		}
	if (!create)
		return 0;
	if (tbl->len >= POLICY_TOML_KEYS_MAX)
		return fail(t, WS_ELIMIT, "too many keys in one table");
	v = node(t, JSON_OBJECT);
	if (!v)
		return fail(t, WS_ELIMIT, "too many values");
	v->key = key;
	v->key_len = (uint32_t)klen;
	if (last)
		last->next = v;
	else
		tbl->u.first = v;
	tbl->len++;
	*out = v;
	return 0;
}

/* Appends v as member key of tbl (the caller checked it is new). */
static int
append(struct toml *t, struct json_value *tbl, const char *key, size_t klen,
       struct json_value *v)
{
	struct json_value *last;

	if (tbl->len >= POLICY_TOML_KEYS_MAX)
		return fail(t, WS_ELIMIT, "too many keys in one table");
	v->key = key;
	v->key_len = (uint32_t)klen;
	v->next = NULL;
	if (!tbl->u.first) {
		tbl->u.first = v;
	} else {
		for (last = tbl->u.first; last->next; last = last->next)
			;
		last->next = v;
	}
	tbl->len++;
	return 0;
}

/*
 * A dotted key: walks (creating) the tables of all but the last segment
 * from *tbl, leaving *tbl the innermost table and the last segment in
 * key and klen.
 */
static int
dotted_key(struct toml *t, struct json_value **tbl, const char **key,
	   size_t *klen)
{
	struct json_value *next;
	int err, parts = 0;

	for (;;) {
		err = key_part(t, key, klen);
		if (err < 0)
			return err;
		if (t->p >= t->end || *t->p != '.')
			return 0;
		if (++parts > POLICY_TOML_DEPTH_MAX)
			return fail(t, WS_ELIMIT, "key nested too deeply");
		t->p++;
		err = member(t, *tbl, *key, *klen, &next, 1);
		if (err < 0)
			return err;
		if (next->type != JSON_OBJECT)
			return fail(t, WS_EPARSE, "key is not a table");
		*tbl = next;
	}
}

static int value(struct toml *t, struct json_value **out);

static int
inline_table(struct toml *t, struct json_value **out)
{
	struct json_value *tbl, *inner, *v, *exist;
	const char *key;
	size_t klen;
	int err = 0;

	tbl = node(t, JSON_OBJECT);
	if (!tbl)
		return fail(t, WS_ELIMIT, "too many values");
	t->p++;
	skip_ws(t);
	if (t->p < t->end && *t->p == '}') {
		t->p++;
		*out = tbl;
		return 0;
	}
	for (;;) {
		inner = tbl;
		err = dotted_key(t, &inner, &key, &klen);
		if (err < 0)
			return err;
		if (t->p >= t->end || *t->p != '=')
			return fail(t, WS_EPARSE, "expected '=' after key");
		t->p++;
		skip_ws(t);
		err = member(t, inner, key, klen, &exist, 0);
		if (err < 0)
			return err;
		if (exist)
			return fail(t, WS_EPARSE, "duplicate key");
		err = value(t, &v);
		if (err < 0)
			return err;
		err = append(t, inner, key, klen, v);
		if (err < 0)
			return err;
		skip_ws(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == '}') {
			t->p++;
			break;
		}
		return fail(t, WS_EPARSE, "expected ',' or '}' in inline table");
	}
	*out = tbl;
	return 0;
}

static int
array(struct toml *t, struct json_value **out)
{
	struct json_value *arr, *v, *last = NULL;
	int err;

	arr = node(t, JSON_ARRAY);
	if (!arr)
		return fail(t, WS_ELIMIT, "too many values");
	t->p++;
	for (;;) {
		skip_ws_nl(t);
		if (t->p < t->end && *t->p == ']') {
			t->p++;
			break;
		}
		err = value(t, &v);
		if (err < 0)
			return err;
		if (last)
			last->next = v;
		else
			arr->u.first = v;
		last = v;
		arr->len++;
		skip_ws_nl(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == ']') {
			t->p++;
			break;
		}
		return fail(t, WS_EPARSE, "expected ',' or ']' in array");
	}
	*out = arr;
	return 0;
}

/* Integers and floats: checked by shape, kept as text without "_". */
static int
number(struct toml *t, struct json_value **out)
{
	struct strbuf sb;
	const char *s = t->p;
	int digit = 0, prev_digit = 0, err = 0;
	struct json_value *v;

	strbuf_init(&sb, 128);
	if (t->p < t->end && (*t->p == '+' || *t->p == '-')) {
		if (*t->p == '-')
			strbuf_addch(&sb, '-');
		t->p++;
	}
	while (t->p < t->end) {
		char c = *t->p;

		if (c >= '0' && c <= '9') {
			digit = prev_digit = 1;
		} else if (c == '_' && prev_digit && t->p + 1 < t->end &&
			   t->p[1] >= '0' && t->p[1] <= '9') {
			prev_digit = 0;
			t->p++;
			continue;
		} else if (c == '.' || c == 'e' || c == 'E' ||
			   ((c == '+' || c == '-') &&
			    (t->p[-1] == 'e' || t->p[-1] == 'E'))) {
			prev_digit = 0;
		} else {
			break;
		}
		if (strbuf_addch(&sb, c) < 0) {
			err = fail(t, WS_ELIMIT, "number too long");
			goto done;
		}
		t->p++;
	}
	if (!digit || (t->p < t->end && is_bare((unsigned char)*t->p)) ||
	    (t->p < t->end && *t->p == ':')) {
		t->p = s;
		err = fail(t, t->p < t->end && t->end - t->p >= 5 &&
			   s[4] == '-' ? WS_EUNSUPPORTED : WS_EPARSE,
			   "expected a value");
		goto done;
	}
	v = node(t, JSON_NUMBER);
	if (!v) {
		err = fail(t, WS_ELIMIT, "too many values");
		goto done;
	}
	v->u.str = mempool_strndup(&t->doc->pool, sb.buf, sb.len);
	v->len = (uint32_t)strlen(v->u.str);
	*out = v;
done:
	strbuf_release(&sb);
	return err;
}

static int
value(struct toml *t, struct json_value **out)
{
	struct json_value *v;
	struct strbuf sb;
	int err = 0;

	if (++t->depth > POLICY_TOML_DEPTH_MAX) {
		err = fail(t, WS_ELIMIT, "values nested too deeply");
		goto done;
	}
	if (t->p >= t->end) {
		err = fail(t, WS_EPARSE, "expected a value");
		goto done;
	}
	switch (*t->p) {
	case '"':
	case '\'':
		strbuf_init(&sb, POLICY_CONFIG_MAX);
		v = node(t, JSON_STRING);
		err = v ? string(t, &sb) : fail(t, WS_ELIMIT, "too many values");
		if (err == 0) {
			v->u.str = mempool_strndup(&t->doc->pool, sb.buf, sb.len);
			v->len = (uint32_t)sb.len;
			*out = v;
		}
		strbuf_release(&sb);
		break;
	case '[':
		err = array(t, out);
		break;
	case '{':
		err = inline_table(t, out);
		break;
	default:
		if (t->end - t->p >= 4 && memcmp(t->p, "true", 4) == 0 &&
		    (t->end - t->p == 4 || !is_bare((unsigned char)t->p[4]))) {
			v = node(t, JSON_TRUE);
			t->p += 4;
		} else if (t->end - t->p >= 5 &&
			   memcmp(t->p, "false", 5) == 0 &&
			   (t->end - t->p == 5 ||
			    !is_bare((unsigned char)t->p[5]))) {
			v = node(t, JSON_FALSE);
			t->p += 5;
		} else {
			err = number(t, out);
			break;
		}
		if (!v)
			err = fail(t, WS_ELIMIT, "too many values");
		else
			*out = v;
	}
done:
	t->depth--;
	return err;
}

static int
header(struct toml *t, struct json_value **cur)
{
	struct json_value *tbl = t->doc->root, *next;
	const char *key;
	size_t klen;
	int err;

	if (t->end - t->p >= 2 && t->p[1] == '[')
		return fail(t, WS_EUNSUPPORTED, "arrays of tables are not "
			    "supported");
	t->p++;
	err = dotted_key(t, &tbl, &key, &klen);
	if (err < 0)
		return err;
	if (t->p >= t->end || *t->p != ']')
		return fail(t, WS_EPARSE, "expected ']' after table name");
	t->p++;
	err = member(t, tbl, key, klen, &next, 1);
	if (err < 0)
		return err;
	if (next->type != JSON_OBJECT)
		return fail(t, WS_EPARSE, "table name is already a value");
	*cur = next;
	return end_of_line(t);
}

static int
keyval(struct toml *t, struct json_value *cur)
{
	struct json_value *tbl = cur, *exist, *v;
	const char *key;
	size_t klen;
	int err;

	err = dotted_key(t, &tbl, &key, &klen);
	if (err < 0)
		return err;
	if (t->p >= t->end || *t->p != '=')
		return fail(t, WS_EPARSE, "expected '=' after key");
	t->p++;
	skip_ws(t);
	err = member(t, tbl, key, klen, &exist, 0);
	if (err < 0)
		return err;
	if (exist)
		return fail(t, WS_EPARSE, "duplicate key");
	err = value(t, &v);
	if (err < 0)
		return err;
	err = append(t, tbl, key, klen, v);
	if (err < 0)
		return err;
	return end_of_line(t);
}

int
policy_toml_parse(struct json_doc *doc, const char *buf, size_t len,
		  const char *name)
{
	struct toml t;
	struct json_value *cur;
	int err = 0;

	memset(doc, 0, sizeof(*doc));
	mempool_init(&doc->pool, 64u << 10);
	doc->name = name;
	memset(&t, 0, sizeof(t));
	t.p = t.line_start = buf;
	t.end = buf + len;
	t.line = 1;
	t.name = name;
	t.doc = doc;
	doc->root = cur = node(&t, JSON_OBJECT);
	/* a UTF-8 byte order mark is allowed */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		t.p = t.line_start = buf + 3;
	for (;;) {
		skip_ws_nl(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '[')
			err = header(&t, &cur);
		else
			err = keyval(&t, cur);
		if (err < 0)
			goto done;
	}
	doc->nodes = t.nodes;
done:
	if (err < 0)
		json_doc_release(doc);
	return err;
}
