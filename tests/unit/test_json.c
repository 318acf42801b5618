/* json: the in-situ parser (RFC 8259, options, limits, positions) and the
 * streaming writer. */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"
#include "util/xalloc.h"

#define TF JSON_ALLOW_TRAILING_COMMAS
#define CM JSON_ALLOW_COMMENTS

/* A parsed document with the buffer it borrows from. */
struct parsed {
	struct json_doc doc;
	char *buf;
	int err;
};

static int
parse_into(struct parsed *p, const char *text, size_t len, unsigned flags)
{
	p->buf = xmalloc(len + 1);
	memcpy(p->buf, text, len);
	p->buf[len] = '\0';
	ws_error_clear();
	p->err = json_parse(&p->doc, p->buf, len, "t.json", flags);
	return p->err;
}

static void
parsed_release(struct parsed *p)
{
	json_doc_release(&p->doc);
	free(p->buf);
}

/* Parses and releases; returns the result code. */
static int
try_parse(const char *text, size_t len, unsigned flags)
{
	struct parsed p;
	int err = parse_into(&p, text, len, flags);

	if (err)
		ck_assert_ptr_null(p.doc.root);
	else
		ck_assert_ptr_nonnull(p.doc.root);
	parsed_release(&p);
	return err;
}

/* The error message parse gives for text (a static copy). */
static const char *
parse_error(const char *text, size_t len, unsigned flags)
{
	static char msg[1024];

	ck_assert_int_ne(try_parse(text, len, flags), 0);
	snprintf(msg, sizeof(msg), "%s", ws_error_last());
	return msg;
}

#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- acceptance and rejection tables ---- */

struct json_case {
	const char *text;
	size_t len;
	unsigned flags;
};

static const struct json_case accepted[] = {
	/* numbers */
	{ S("0"), 0 },
	{ S("-0"), 0 },
	{ S("7"), 0 },
	{ S("-12"), 0 },
	{ S("1.5"), 0 },
	{ S("-0.0"), 0 },
	{ S("1e2"), 0 },
	{ S("1E+2"), 0 },
	{ S("-1.5e-3"), 0 },
	{ S("[1e-0,0e0,0.0e+00]"), 0 },
	{ S("123456789012345678901234567890.123456789e999999"), 0 },
	/* literals and strings */
	{ S("true"), 0 },
	{ S("false"), 0 },
	{ S("null"), 0 },
	{ S("\"\""), 0 },
	{ S("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), 0 },
	{ S("\"\\u0041\\u00e9\\u20AC\\uFFFF\""), 0 },
	{ S("\"\\ud83d\\ude00\""), 0 },
	{ S("\"\\uDBFF\\uDFFF\""), 0 },
	{ S("\"\xc3\xa9 \xf0\x9f\x98\x80\""), 0 },
	{ S("\"\x7f\""), 0 },	/* DEL is not a control character here */
	/* containers and whitespace */
	{ S("[]"), 0 },
	{ S("{}"), 0 },
	{ S(" \t\r\n[ 1 , \"a\" , [ ] , { } ]\n"), 0 },
	{ S("{\"a\":{\"b\":[null,true,false]},\"c\":-1}"), 0 },
	{ S("{\"\":0}"), 0 },
	/* byte order mark */
	{ S("\xEF\xBB\xBF{\"a\":1}"), 0 },
	{ S("\xEF\xBB\xBF 1"), 0 },
	/* trailing commas, only when allowed */
	{ S("[1,]"), TF },
	{ S("{\"a\":1,}"), TF },
	{ S("[[1,],{\"a\":[],},]"), TF },
	{ S("[1 ,\n ]"), TF },
	/* comments, only when allowed */
	{ S("// head\n[1]"), CM },
	{ S("[1 /* between */, 2]"), CM },
	{ S("[1] // tail without newline"), CM },
	{ S("/**/1/**/"), CM },
	{ S("/* multi\nline */ {\"a\": /* x */ 1}"), CM },
	{ S("{\"a\"/**/:/**/1}"), CM },
	{ S("[1, // x\n]"), TF | CM },
};

static const struct json_case rejected[] = {
	/* numbers */
	{ S("01"), 0 },
	{ S("-01"), 0 },
	{ S("1."), 0 },
	{ S(".5"), 0 },
	{ S("+1"), 0 },
	{ S("-"), 0 },
	{ S("1e"), 0 },
	{ S("1e+"), 0 },
	{ S("0x10"), 0 },
	{ S("NaN"), 0 },
	{ S("Infinity"), 0 },
	{ S("[1.e5]"), 0 },
	/* literals */
	{ S("tru"), 0 },
	{ S("nul"), 0 },
	{ S("True"), 0 },
	{ S("nulll"), 0 },
	/* escapes */
	{ S("\"\\x\""), 0 },
	{ S("\"\\u12\""), 0 },
	{ S("\"\\u12G4\""), 0 },
	{ S("\"\\U0041\""), 0 },
	{ S("\"\\"), 0 },
	/* unpaired surrogates */
	{ S("\"\\ud800\""), 0 },
	{ S("\"\\ud800x\""), 0 },
	{ S("\"\\ud800\\u0041\""), 0 },
	{ S("\"\\ud800\\ud800\""), 0 },
	{ S("\"\\udc00\""), 0 },
	{ S("\"\\udfff\\ud800\""), 0 },
	/* \u0000 would truncate the in-situ string */
	{ S("\"\\u0000\""), 0 },
	{ S("{\"a\\u0000b\":1}"), 0 },
	/* raw control characters in strings */
	{ S("\"a\x01\""), 0 },
	{ S("\"a\nb\""), 0 },
	{ S("\"a\tb\""), 0 },
	{ S("\"\x1f\""), 0 },
	/* structure */
	{ S("\"abc"), 0 },
	{ S("["), 0 },
	{ S("{"), 0 },
	{ S("[1"), 0 },
	{ S("{\"a\":"), 0 },
	{ S("{\"a\""), 0 },
	{ S("{\"a\" 1}"), 0 },
	{ S("{a:1}"), 0 },
	{ S("{'a':1}"), 0 },
	{ S("{1:1}"), 0 },
	{ S("[1 2]"), 0 },
	{ S("{\"a\":1 \"b\":2}"), 0 },
	{ S("[}"), 0 },
	{ S("{]"), 0 },
	{ S("[]]"), 0 },
	/* trailing commas, by default and where even the option refuses */
	{ S("[1,]"), 0 },
	{ S("{\"a\":1,}"), 0 },
	{ S("[,]"), TF },
	{ S("[,1]"), TF },
	{ S("{,}"), TF },
	{ S("[1,,]"), TF },
	{ S("{\"a\":1,,}"), TF },
	{ S("[1,]"), CM },
	/* comments, by default and malformed */
	{ S("// c\n1"), 0 },
	{ S("/* c */1"), 0 },
	{ S("[1 /* c */]"), TF },
	{ S("/ 1"), CM },
	{ S("[1 /* open"), CM },
	{ S("/*/"), CM },
	{ S("1 /"), CM },
	/* empty documents */
	{ S(""), 0 },
	{ S(" \n\t\r "), 0 },
	{ S("\xEF\xBB\xBF"), 0 },
	{ S("// only a comment"), CM },
	/* data after the document */
	{ S("{} {}"), 0 },
	{ S("1 2"), 0 },
	{ S("[]x"), 0 },
	{ S("\"a\"\"b\""), 0 },
	/* byte order mark anywhere but the start, or partial */
	{ S("[\xEF\xBB\xBF 1]"), 0 },
	{ S("\xEF\xBB"), 0 },
	{ S("\xEF\xBB\xBF\xEF\xBB\xBF{}"), 0 },
	/* NUL bytes */
	{ S("[1]\0"), 0 },
	{ S("[1,\0 2]"), 0 },
	{ S("\"a\0b\""), 0 },
	{ S("{\"a\0\":1}"), 0 },
	{ S("\0"), 0 },
};

START_TEST(accepts_valid_documents)
{
	const struct json_case *c = &accepted[_i];
	int err = try_parse(c->text, c->len, c->flags);

	ck_assert_msg(err == 0, "case %d (%s) rejected: %s", _i, c->text,
		      ws_error_last());
}
END_TEST

START_TEST(rejects_invalid_documents_with_position)
{
	const struct json_case *c = &rejected[_i];
	int err = try_parse(c->text, c->len, c->flags);
	const char *msg = ws_error_last();

	ck_assert_msg(err == WS_EPARSE, "case %d (%s) gave %d", _i, c->text,
		      err);
	ck_assert_int_eq(ws_error_last_code(), WS_EPARSE);
	ck_assert_msg(strncmp(msg, "t.json:1:", 9) == 0 ||
			      strncmp(msg, "t.json:2:", 9) == 0,
		      "case %d: message \"%s\" has no position", _i, msg);
}
END_TEST

START_TEST(number_flags_do_not_leak_between_options)
{
	/* the options relax only their own rule */
	ck_assert_int_eq(try_parse(S("[1,]"), CM), WS_EPARSE);
	ck_assert_int_eq(try_parse(S("[1 //c\n]"), TF), WS_EPARSE);
	ck_assert_int_eq(try_parse(S("[1, //c\n]"), TF | CM), 0);
}
END_TEST

/* ---- values ---- */

START_TEST(strings_are_unescaped_in_place)
{
	static const char text[] =
		"[\"plain\",\"a\\u00e9\\ud83d\\ude00\\n\\\"\",\"\\/\"]";
	struct parsed p;
	const struct json_value *v;

	ck_assert_int_eq(parse_into(&p, S(text), 0), 0);
	v = p.doc.root->u.first;
	ck_assert_str_eq(v->u.str, "plain");
	ck_assert_uint_eq(v->len, 5);
	v = v->next;
	ck_assert_str_eq(v->u.str, "a\xc3\xa9\xf0\x9f\x98\x80\n\"");
	ck_assert_uint_eq(v->len, 9);
	/* the strings live in the caller's buffer */
	ck_assert(v->u.str > p.buf && v->u.str < p.buf + sizeof(text));
	v = v->next;
	ck_assert_str_eq(v->u.str, "/");
	parsed_release(&p);
}
END_TEST

START_TEST(numbers_keep_their_text)
{
	struct parsed p;
	const struct json_value *v;

	ck_assert_int_eq(parse_into(&p, S("[-1.5e+10,0,42]"), 0), 0);
	v = p.doc.root->u.first;
	ck_assert_int_eq(v->type, JSON_NUMBER);
	ck_assert_uint_eq(v->len, 8);
	ck_assert_int_eq(strncmp(v->u.str, "-1.5e+10", 8), 0);
	ck_assert_uint_eq(v->next->len, 1);
	ck_assert_int_eq(v->next->next->u.str[0], '4');
	ck_assert_uint_eq(v->next->next->len, 2);
	parsed_release(&p);
}
END_TEST

START_TEST(scalar_roots_have_their_type)
{
	static const struct {
		const char *text;
		enum json_type type;
	} cases[] = {
		{ "null", JSON_NULL }, { "true", JSON_TRUE },
		{ "false", JSON_FALSE }, { "-3", JSON_NUMBER },
		{ "\"s\"", JSON_STRING }, { "[]", JSON_ARRAY },
		{ "{}", JSON_OBJECT },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed p;

		ck_assert_int_eq(parse_into(&p, cases[i].text,
					    strlen(cases[i].text), 0), 0);
		ck_assert_int_eq(p.doc.root->type, cases[i].type);
		ck_assert(json_is(p.doc.root, cases[i].type));
		ck_assert_uint_eq(p.doc.root->len,
				  cases[i].type == JSON_STRING ? 1 :
				  cases[i].type == JSON_NUMBER ? 2 : 0);
		parsed_release(&p);
	}
	ck_assert(!json_is(NULL, JSON_NULL));
}
END_TEST

START_TEST(duplicate_keys_are_kept_in_order)
{
	struct parsed p;
	const struct json_value *v;

	ck_assert_int_eq(parse_into(&p, S("{\"a\":1,\"b\":2,\"a\":3,\"a\":4}"), 0), 0);
	ck_assert_uint_eq(p.doc.root->len, 4);
	v = p.doc.root->u.first;
	ck_assert_str_eq(v->key, "a");
	ck_assert_int_eq(v->u.str[0], '1');
	v = v->next;
	ck_assert_str_eq(v->key, "b");
	v = v->next;
	ck_assert_str_eq(v->key, "a");
	ck_assert_int_eq(v->u.str[0], '3');
	v = v->next;
	ck_assert_str_eq(v->key, "a");
	ck_assert_uint_eq(v->key_len, 1);
	ck_assert_ptr_null(v->next);
	/* lookups get the first */
	ck_assert_int_eq(json_get(p.doc.root, "a")->u.str[0], '1');
	parsed_release(&p);
}
END_TEST

START_TEST(values_record_line_and_column)
{
	struct parsed p;
	const struct json_value *a, *b;

	ck_assert_int_eq(parse_into(&p, S("{\n  \"a\": [1,\n\t2],\n  \"b\": \"x\"}"), 0), 0);
	ck_assert_uint_eq(p.doc.root->line, 1);
	ck_assert_uint_eq(p.doc.root->col16, 1);
	a = json_get(p.doc.root, "a");
	ck_assert_uint_eq(a->line, 2);
	ck_assert_uint_eq(a->col16, 8);
	ck_assert_uint_eq(a->u.first->next->line, 3);
	ck_assert_uint_eq(a->u.first->next->col16, 2);
	b = json_get(p.doc.root, "b");
	ck_assert_uint_eq(b->line, 4);
	ck_assert_uint_eq(b->col16, 8);
	parsed_release(&p);
}
END_TEST

START_TEST(json_get_finds_members_by_type)
{
	struct parsed p;
	const struct json_value *root;

	ck_assert_int_eq(parse_into(&p, S("{\"s\":\"str\",\"n\":1,\"t\":true,\"f\":false,\"z\":null,\"ts\":\"true\",\"o\":{\"s\":\"inner\"}}"), 0), 0);
	root = p.doc.root;
	ck_assert_ptr_nonnull(json_get(root, "n"));
	ck_assert_ptr_null(json_get(root, "missing"));
	ck_assert_ptr_null(json_get(root, "S"));
	ck_assert_str_eq(json_get_str(root, "s"), "str");
	ck_assert_ptr_null(json_get_str(root, "n"));
	ck_assert_ptr_null(json_get_str(root, "z"));
	ck_assert_ptr_null(json_get_str(root, "missing"));
	ck_assert_str_eq(json_get_str(json_get(root, "o"), "s"), "inner");
	ck_assert_int_eq(json_get_bool(root, "t"), 1);
	ck_assert_int_eq(json_get_bool(root, "f"), 0);
	ck_assert_int_eq(json_get_bool(root, "ts"), 0);
	ck_assert_int_eq(json_get_bool(root, "n"), 0);
	ck_assert_int_eq(json_get_bool(root, "missing"), 0);
	/* not an object: nothing found */
	ck_assert_ptr_null(json_get(json_get(root, "s"), "s"));
	ck_assert_ptr_null(json_get(NULL, "s"));
	ck_assert_ptr_null(json_get_str(NULL, "s"));
	ck_assert_int_eq(json_get_bool(NULL, "t"), 0);
	parsed_release(&p);
}
END_TEST

START_TEST(json_get_ignores_array_elements)
{
	struct parsed p;

	ck_assert_int_eq(parse_into(&p, S("[\"a\",{\"a\":1}]"), 0), 0);
	ck_assert_ptr_null(json_get(p.doc.root, "a"));
	parsed_release(&p);
}
END_TEST

START_TEST(type_names_are_lowercase_words)
{
	ck_assert_str_eq(json_type_name(JSON_NULL), "null");
	ck_assert_str_eq(json_type_name(JSON_NUMBER), "number");
	ck_assert_str_eq(json_type_name(JSON_STRING), "string");
	ck_assert_str_eq(json_type_name(JSON_ARRAY), "array");
	ck_assert_str_eq(json_type_name(JSON_OBJECT), "object");
	ck_assert_str_eq(json_type_name((enum json_type)99), "unknown");
}
END_TEST

START_TEST(failed_parse_leaves_no_document)
{
	struct parsed p;

	ck_assert_int_eq(parse_into(&p, S("[1,2,{\"a\":[x]}]"), 0), WS_EPARSE);
	ck_assert_ptr_null(p.doc.root);
	ck_assert_uint_eq(p.doc.nodes, 0);
	/* releasing again is harmless */
	json_doc_release(&p.doc);
	parsed_release(&p);
	json_doc_release(NULL);
}
END_TEST

/* ---- error messages ---- */

START_TEST(error_messages_name_line_and_column)
{
	ck_assert_str_eq(parse_error(S(""), 0), "t.json:1:1: empty document");
	ck_assert_str_eq(parse_error(S("  \n  "), 0),
			 "t.json:2:3: empty document");
	ck_assert_str_eq(parse_error(S("[1,\n  2,\n  x]"), 0),
			 "t.json:3:3: unexpected character");
	ck_assert_str_eq(parse_error(S("{\"a\" 1}"), 0),
			 "t.json:1:6: expected ':' after object key");
	ck_assert_str_eq(parse_error(S("[1 2]"), 0),
			 "t.json:1:4: expected ',' or ']' after array element");
	ck_assert_str_eq(parse_error(S("{\"a\":1 \"b\":2}"), 0),
			 "t.json:1:8: expected ',' or '}' after object member");
	ck_assert_str_eq(parse_error(S("{1:2}"), 0),
			 "t.json:1:2: expected a string as object key");
	ck_assert_str_eq(parse_error(S("{} x"), 0),
			 "t.json:1:4: unexpected data after the document");
	ck_assert_str_eq(parse_error(S("[1]\0"), 0),
			 "t.json:1:4: NUL byte in document");
	ck_assert_str_eq(parse_error(S("[1,2"), 0),
			 "t.json:1:5: unexpected end of input");
	ck_assert_str_eq(parse_error(S("[1.]"), 0), "t.json:1:2: bad number");
}
END_TEST

START_TEST(error_messages_inside_strings_point_at_the_byte)
{
	ck_assert_str_eq(parse_error(S("[\"\\ud800\"]"), 0),
			 "t.json:1:3: unpaired surrogate in \\u escape");
	ck_assert_str_eq(parse_error(S("[\"ab\\udc00\"]"), 0),
			 "t.json:1:5: unpaired surrogate in \\u escape");
	ck_assert_str_eq(parse_error(S("[\"x\\u0000\"]"), 0),
			 "t.json:1:4: \\u0000 is not allowed in strings");
	ck_assert_str_eq(parse_error(S("[\n\t\"a\x01\"]"), 0),
			 "t.json:2:4: control character inside a string");
	ck_assert_str_eq(parse_error(S("{\"k\":\"a\nb\"}"), 0),
			 "t.json:1:8: newline inside a string");
	ck_assert_str_eq(parse_error(S("  \"abc"), 0),
			 "t.json:1:3: unterminated string");
	ck_assert_str_eq(parse_error(S("[\"a\\q\"]"), 0),
			 "t.json:1:4: bad escape in string");
	ck_assert_str_eq(parse_error(S("[\"\\u12\"]"), 0),
			 "t.json:1:3: bad \\u escape");
}
END_TEST

START_TEST(error_columns_skip_the_bom)
{
	ck_assert_str_eq(parse_error(S("\xEF\xBB\xBF[x]"), 0),
			 "t.json:1:2: unexpected character");
}
END_TEST

START_TEST(unterminated_comment_reports_where_it_starts)
{
	ck_assert_str_eq(parse_error(S("[1,\n  /* one\ntwo\n"), CM),
			 "t.json:2:3: unterminated comment");
	ck_assert_str_eq(parse_error(S("// a\n// b\n[1]\n/* x"), CM),
			 "t.json:4:1: unterminated comment");
}
END_TEST

START_TEST(comments_keep_line_numbers_right)
{
	ck_assert_str_eq(parse_error(S("// a\n/* b\n c */ [1,\n x]"), CM),
			 "t.json:4:2: unexpected character");
}
END_TEST

START_TEST(error_uses_the_given_name)
{
	struct json_doc doc;
	char buf[] = "[";

	ck_assert_int_eq(json_parse(&doc, buf, 1, "dir/package-lock.json", 0),
			 WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "dir/package-lock.json:1:2: unexpected end of input");
}
END_TEST

/* ---- limits ---- */

/* n levels of nesting: "[[[...]]]", or with objects {"a":{"a":...}} */
static char *
nested(size_t n, int objects, size_t *len)
{
	size_t open = objects ? 5 : 1, i;
	char *s = xmalloc(n * (open + 1) + 2);
	char *p = s;

	for (i = 0; i < n; i++) {
		memcpy(p, objects ? "{\"a\":" : "[", open);
		p += open;
	}
	if (objects)
		*p++ = '1';
	for (i = 0; i < n; i++)
		*p++ = objects ? '}' : ']';
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

START_TEST(nesting_exactly_at_the_limit_is_accepted)
{
	size_t len;
	char *s = nested(JSON_DEPTH_MAX, 0, &len);

	ck_assert_int_eq(try_parse(s, len, 0), 0);
	free(s);
	s = nested(JSON_DEPTH_MAX, 1, &len);
	ck_assert_int_eq(try_parse(s, len, 0), 0);
	free(s);
}
END_TEST

START_TEST(nesting_one_past_the_limit_fails_with_elimit)
{
	size_t len;
	char *s = nested(JSON_DEPTH_MAX + 1, 0, &len);
	char want[64];

	ck_assert_int_eq(try_parse(s, len, 0), WS_ELIMIT);
	snprintf(want, sizeof(want), "t.json:1:%d: nesting deeper than %d levels",
		 JSON_DEPTH_MAX + 1, JSON_DEPTH_MAX);
	ck_assert_str_eq(ws_error_last(), want);
	free(s);
	s = nested(JSON_DEPTH_MAX + 1, 1, &len);
	ck_assert_int_eq(try_parse(s, len, 0), WS_ELIMIT);
	free(s);
}
END_TEST

START_TEST(a_million_open_brackets_do_not_crash)
{
	size_t n = 1000000;
	char *s = xmalloc(n + 1);

	memset(s, '[', n);
	s[n] = '\0';
	ck_assert_int_eq(try_parse(s, n, 0), WS_ELIMIT);
	memset(s, '{', n);
	/* objects fail on the missing key first */
	ck_assert_int_eq(try_parse(s, n, 0), WS_EPARSE);
	free(s);
}
END_TEST

START_TEST(wide_documents_are_not_limited_by_depth)
{
	size_t n = 200000, i;
	char *s = xmalloc(n * 2 + 2);
	struct parsed p;

	s[0] = '[';
	for (i = 0; i < n; i++) {
		s[1 + i * 2] = '0';
		s[2 + i * 2] = ',';
	}
	s[n * 2] = ']';
	ck_assert_int_eq(parse_into(&p, s, n * 2 + 1, 0), 0);
	ck_assert_uint_eq(p.doc.root->len, n);
	ck_assert_uint_eq(p.doc.nodes, n + 1);
	parsed_release(&p);
	free(s);
}
END_TEST

/* ---- writer ---- */

/* Output of a writer session, as a string. */
struct capture {
	FILE *fp;
	char *buf;
	size_t len;
	struct json_writer w;
};

static void
capture_begin(struct capture *c, int pretty)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->fp);
	jsonw_init(&c->w, c->fp, pretty);
}

static char *
capture_end(struct capture *c)
{
	ck_assert_int_eq(jsonw_finish(&c->w), 0);
	ck_assert_int_eq(fclose(c->fp), 0);
	return c->buf;
}

static void
write_sample(struct json_writer *w)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "a", "x");
	jsonw_key(w, "b");
	jsonw_array_begin(w);
	jsonw_int(w, 1);
	jsonw_bool(w, 1);
	jsonw_array_end(w);
	jsonw_key(w, "p");
	jsonw_array_begin_inline(w);
	jsonw_int(w, 1);
	jsonw_int(w, -2);
	jsonw_string(w, "x");
	jsonw_array_end(w);
	jsonw_key(w, "e");
	jsonw_array_begin(w);
	jsonw_array_end(w);
	jsonw_key(w, "o");
	jsonw_object_begin(w);
	jsonw_object_end(w);
	jsonw_kv_bool(w, "f", 0);
	jsonw_key(w, "n");
	jsonw_string(w, NULL);
	jsonw_kv_int(w, "i", -9223372036854775807LL - 1);
	jsonw_object_end(w);
}

START_TEST(writer_compact_has_no_whitespace)
{
	struct capture c;
	char *out;

	capture_begin(&c, 0);
	write_sample(&c.w);
	out = capture_end(&c);
	ck_assert_str_eq(out, "{\"a\":\"x\",\"b\":[1,true],\"p\":[1,-2,\"x\"],"
			      "\"e\":[],\"o\":{},\"f\":false,\"n\":null,"
			      "\"i\":-9223372036854775808}");
	free(out);
}
END_TEST

START_TEST(writer_pretty_indents_two_spaces_and_ends_with_newline)
{
	struct capture c;
	char *out;

	capture_begin(&c, 1);
	write_sample(&c.w);
	out = capture_end(&c);
	ck_assert_str_eq(out, "{\n"
			      "  \"a\": \"x\",\n"
			      "  \"b\": [\n"
			      "    1,\n"
			      "    true\n"
			      "  ],\n"
			      "  \"p\": [1, -2, \"x\"],\n"
			      "  \"e\": [],\n"
			      "  \"o\": {},\n"
			      "  \"f\": false,\n"
			      "  \"n\": null,\n"
			      "  \"i\": -9223372036854775808\n"
			      "}\n");
	free(out);
}
END_TEST

START_TEST(writer_inline_arrays_stay_on_one_line)
{
	struct capture c;
	char *out;

	capture_begin(&c, 1);
	jsonw_array_begin(&c.w);
	jsonw_array_begin_inline(&c.w);
	jsonw_object_begin(&c.w);
	jsonw_kv_int(&c.w, "a", 1);
	jsonw_kv_int(&c.w, "b", 2);
	jsonw_object_end(&c.w);
	jsonw_array_begin(&c.w);
	jsonw_string(&c.w, "x");
	jsonw_array_end(&c.w);
	jsonw_array_end(&c.w);
	jsonw_array_begin_inline(&c.w);
	jsonw_array_end(&c.w);
	jsonw_array_end(&c.w);
	out = capture_end(&c);
	ck_assert_str_eq(out, "[\n"
			      "  [{\"a\": 1, \"b\": 2}, [\"x\"]],\n"
			      "  []\n"
			      "]\n");
	free(out);
}
END_TEST

START_TEST(writer_escapes_what_rfc8259_requires)
{
	struct capture c;
	char *out;

	capture_begin(&c, 0);
	jsonw_array_begin(&c.w);
	jsonw_string(&c.w, "q\"b\\n\nr\rt\tc\x01\x1f d\x7f/");
	jsonw_stringn(&c.w, "a\0b", 3);
	jsonw_array_end(&c.w);
	out = capture_end(&c);
	ck_assert_str_eq(out, "[\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001\\u001f d\x7f/\","
			      "\"a\\u0000b\"]");
	free(out);
}
END_TEST

START_TEST(writer_escapes_keys)
{
	struct capture c;
	char *out;

	capture_begin(&c, 0);
	jsonw_object_begin(&c.w);
	jsonw_kv_string(&c.w, "k\"\n\xff", "v");
	jsonw_object_end(&c.w);
	out = capture_end(&c);
	ck_assert_str_eq(out, "{\"k\\\"\\n\xEF\xBF\xBD\":\"v\"}");
	free(out);
}
END_TEST

START_TEST(writer_replaces_invalid_utf8_with_fffd)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "\xc3\xa9", "\xc3\xa9" },	/* valid two bytes */
		{ "\xe2\x82\xac", "\xe2\x82\xac" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },	/* U+10FFFF */
		{ "\xff", "\xEF\xBF\xBD" },
		{ "a\x80z", "a\xEF\xBF\xBDz" },	/* lone continuation */
		{ "\xc3", "\xEF\xBF\xBD" },	/* truncated at the end */
		{ "\xc3(", "\xEF\xBF\xBD(" },	/* bad continuation */
		{ "\xc0\xaf", "\xEF\xBF\xBD\xEF\xBF\xBD" },	/* overlong */
		{ "\xe0\x80\xaf", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ "\xed\xa0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ "\xf4\x90\x80\x80",
		  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ "\xf5", "\xEF\xBF\xBD" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;
		char want[64], *out;

		capture_begin(&c, 0);
		jsonw_string(&c.w, cases[i].in);
		out = capture_end(&c);
		snprintf(want, sizeof(want), "\"%s\"", cases[i].out);
		ck_assert_msg(strcmp(out, want) == 0, "case %zu", i);
		free(out);
	}
}
END_TEST

START_TEST(writer_output_parses_back_to_the_same_values)
{
	struct capture c;
	struct parsed p;
	const struct json_value *root, *arr;
	char *out, *big = xmalloc(300001);

	/* longer than the writer's own buffer */
	memset(big, 'z', 300000);
	big[300000] = '\0';
	big[150000] = '"';
	capture_begin(&c, 1);
	jsonw_object_begin(&c.w);
	jsonw_kv_string(&c.w, "name", "caf\xc3\xa9 \"quoted\"\n\t\x01");
	jsonw_kv_int(&c.w, "n", -42);
	jsonw_kv_bool(&c.w, "t", 1);
	jsonw_key(&c.w, "path");
	jsonw_array_begin_inline(&c.w);
	jsonw_string(&c.w, "root@1.0.0");
	jsonw_string(&c.w, "a@1.0.0");
	jsonw_array_end(&c.w);
	jsonw_key(&c.w, "raw");
	jsonw_raw(&c.w, "{\"x\":[1.5e3]}", 13);
	jsonw_kv_string(&c.w, "big", big);
	jsonw_object_end(&c.w);
	out = capture_end(&c);

	ck_assert_int_eq(parse_into(&p, out, strlen(out), 0), 0);
	root = p.doc.root;
	ck_assert_str_eq(json_get_str(root, "name"),
			 "caf\xc3\xa9 \"quoted\"\n\t\x01");
	ck_assert_int_eq(strncmp(json_get(root, "n")->u.str, "-42", 3), 0);
	ck_assert_int_eq(json_get_bool(root, "t"), 1);
	arr = json_get(root, "path");
	ck_assert_uint_eq(arr->len, 2);
	ck_assert_str_eq(arr->u.first->next->u.str, "a@1.0.0");
	ck_assert_int_eq(json_get(root, "raw")->type, JSON_OBJECT);
	ck_assert_str_eq(json_get_str(root, "big"), big);
	parsed_release(&p);
	free(out);
	free(big);
}
END_TEST

/* Writes n nested arrays, each holding 1, the next level, then 2. */
static void
write_deep(struct json_writer *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		jsonw_array_begin(w);
		jsonw_int(w, 1);
	}
	for (i = 0; i < n; i++) {
		jsonw_int(w, 2);
		jsonw_array_end(w);
	}
}

START_TEST(writer_handles_nesting_past_its_state_table)
{
	size_t depth = JSONW_DEPTH_MAX * 2 + 3;
	int pretty;

	for (pretty = 0; pretty <= 1; pretty++) {
		struct capture c;
		struct parsed p;
		const struct json_value *v;
		size_t d = 0;
		char *out;

		capture_begin(&c, pretty);
		write_deep(&c.w, depth);
		out = capture_end(&c);
		ck_assert_msg(parse_into(&p, out, strlen(out), 0) == 0,
			      "%s", ws_error_last());
		for (v = p.doc.root; v; v = v->u.first->next, d++) {
			if (v->type != JSON_ARRAY)
				break;
			ck_assert_uint_eq(v->len, d + 1 < depth ? 3 : 2);
			if (d + 1 == depth)
				break;
		}
		ck_assert_uint_eq(d + 1, depth);
		parsed_release(&p);
		free(out);
	}
}
END_TEST

START_TEST(writer_compact_deep_output_is_exact)
{
	struct capture c;
	char *out;

	capture_begin(&c, 0);
	write_deep(&c.w, JSONW_DEPTH_MAX + 2);
	out = capture_end(&c);
	/* every level: "[1," ... ",2]" */
	ck_assert_uint_eq(strlen(out), (JSONW_DEPTH_MAX + 2) * 6 - 1);
	ck_assert_int_eq(strncmp(out, "[1,[1,[1,", 9), 0);
	ck_assert_str_eq(out + strlen(out) - 9, ",2],2],2]");
	ck_assert_ptr_nonnull(strstr(out, ",[1,2],2]"));
	free(out);
}
END_TEST

START_TEST(writer_reports_write_errors)
{
	FILE *fp = fopen("/dev/full", "w");
	struct json_writer w;

	if (!fp)
		return;	/* no /dev/full here */
	jsonw_init(&w, fp, 1);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "a", "b");
	jsonw_object_end(&w);
	ws_error_clear();
	ck_assert_int_eq(jsonw_finish(&w), WS_EIO);
	ck_assert_int_eq(ws_error_last_code(), WS_EIO);
	ck_assert_ptr_null(w.buf);
	fclose(fp);
}
END_TEST

START_TEST(writer_reports_errors_of_large_direct_writes)
{
	FILE *fp = fopen("/dev/full", "w");
	struct json_writer w;
	char *big = xmalloc(600001);

	if (!fp) {
		free(big);
		return;
	}
	memset(big, 'a', 600000);
	big[600000] = '\0';
	jsonw_init(&w, fp, 0);
	jsonw_string(&w, big);
	ck_assert_int_eq(jsonw_finish(&w), WS_EIO);
	fclose(fp);
	free(big);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc;

	tc = tcase_create("rfc8259");
	tcase_add_loop_test(tc, accepts_valid_documents, 0,
			    (int)(sizeof(accepted) / sizeof(accepted[0])));
	tcase_add_loop_test(tc, rejects_invalid_documents_with_position, 0,
			    (int)(sizeof(rejected) / sizeof(rejected[0])));
	tcase_add_test(tc, number_flags_do_not_leak_between_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, strings_are_unescaped_in_place);
	tcase_add_test(tc, numbers_keep_their_text);
	tcase_add_test(tc, scalar_roots_have_their_type);
	tcase_add_test(tc, duplicate_keys_are_kept_in_order);
	tcase_add_test(tc, values_record_line_and_column);
	tcase_add_test(tc, json_get_finds_members_by_type);
	tcase_add_test(tc, json_get_ignores_array_elements);
	tcase_add_test(tc, type_names_are_lowercase_words);
	tcase_add_test(tc, failed_parse_leaves_no_document);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, error_messages_name_line_and_column);
	tcase_add_test(tc, error_messages_inside_strings_point_at_the_byte);
	tcase_add_test(tc, error_columns_skip_the_bom);
	tcase_add_test(tc, unterminated_comment_reports_where_it_starts);
	tcase_add_test(tc, comments_keep_line_numbers_right);
	tcase_add_test(tc, error_uses_the_given_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, nesting_exactly_at_the_limit_is_accepted);
	tcase_add_test(tc, nesting_one_past_the_limit_fails_with_elimit);
	tcase_add_test(tc, a_million_open_brackets_do_not_crash);
	tcase_add_test(tc, wide_documents_are_not_limited_by_depth);
	suite_add_tcase(s, tc);

	tc = tcase_create("writer");
	tcase_add_test(tc, writer_compact_has_no_whitespace);
	tcase_add_test(tc, writer_pretty_indents_two_spaces_and_ends_with_newline);
	tcase_add_test(tc, writer_inline_arrays_stay_on_one_line);
	tcase_add_test(tc, writer_escapes_what_rfc8259_requires);
	tcase_add_test(tc, writer_escapes_keys);
	tcase_add_test(tc, writer_replaces_invalid_utf8_with_fffd);
	tcase_add_test(tc, writer_output_parses_back_to_the_same_values);
	tcase_add_test(tc, writer_handles_nesting_past_its_state_table);
	tcase_add_test(tc, writer_compact_deep_output_is_exact);
	tcase_add_test(tc, writer_reports_write_errors);
	tcase_add_test(tc, writer_reports_errors_of_large_direct_writes);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
