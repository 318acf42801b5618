#ifndef WS_JSON_JSON_H
#define WS_JSON_JSON_H

/*
 * A bounded, in-situ JSON parser for hostile input (lockfiles, package.json).
 *
 * json_parse() parses a mutable buffer in place: strings are unescaped into
 * the buffer itself and NUL-terminated there, so the document borrows from
 * the buffer and both must outlive every pointer taken from the document.
 * Nodes are allocated from the document's own arena and freed together by
 * json_doc_release().
 *
 * The grammar is RFC 8259. Options allow the two relaxations some lockfiles
 * need (bun.lock): trailing commas and // or block comments. Limits: nesting
 * depth, node count and string length; exceeding one fails with WS_ELIMIT.
 * Duplicate object keys are kept in document order (callers that look a key
 * up get the first one; the npm lockfile reader rejects duplicates where they
 * would let an attacker hide an entry).
 *
 * Errors are reported as "<name>:<line>:<col>: <what>" through ws_error_set.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/mempool.h"

#define JSON_DEPTH_MAX 512
#define JSON_NODES_MAX (8u << 20)	/* about 400 MB of nodes at most */

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_value {
	struct json_value *next;	/* next sibling in the parent */
	const char *key;		/* member name inside an object, else NULL */
	union {
		const char *str;		/* JSON_STRING, JSON_NUMBER (text) */
		struct json_value *first;	/* JSON_ARRAY, JSON_OBJECT */
	} u;
	uint32_t len;		/* string length, or number of children */
	uint32_t key_len;
	uint32_t line;		/* where the value starts, for messages */
	uint16_t col16;		/* column, saturated at 65535 */
	uint8_t type;
};

enum json_flags {
	JSON_ALLOW_TRAILING_COMMAS = 1 << 0,
	JSON_ALLOW_COMMENTS = 1 << 1,
};

struct json_doc {
	struct json_value *root;
	struct mempool pool;
	const char *name;	/* borrowed; used in messages */
	size_t nodes;
};

/*
 * Parses buf[0..len) (which must be writable and have a NUL at buf[len]) into
 * doc. On failure returns WS_EPARSE or WS_ELIMIT with the message set and doc
 * released; doc need not be released by the caller then.
 */
int json_parse(struct json_doc *doc, char *buf, size_t len, const char *name,
	       unsigned flags);
void json_doc_release(struct json_doc *doc);

/* First member of obj named key, or NULL (also when obj is not an object). */
const struct json_value *json_get(const struct json_value *obj,
				  const char *key);
/* The member's string, or NULL when missing or not a string. */
const char *json_get_str(const struct json_value *obj, const char *key);
/* 1 for true, 0 for false or missing; other types give 0. */
int json_get_bool(const struct json_value *obj, const char *key);

static inline int
json_is(const struct json_value *v, enum json_type t)
{
	return v && v->type == t;
}

/*
 * Pieces of string unescaping, for readers of formats that quote strings
 * the way JSON does (yarn v1): four hex digits at p (returns -1 when one is
 * not a hex digit), and the UTF-8 encoding of a code point written at w
 * (at most 4 bytes; returns the end).
 */
int json_hex4(const char *p, unsigned *out);
/* The value of one hex digit, or -1. */
int json_hexval(int c);
char *json_put_utf8(char *w, unsigned cp);

/* The type's name, for messages ("object", "string", ...). */
const char *json_type_name(enum json_type t);

/* ---- writing ---- */

/*
 * A streaming JSON writer into a FILE. It buffers in its own block and only
 * calls fwrite on full blocks, since escaping per character through stdio
 * dominated output time on large trees. Strings are written as UTF-8 with
 * the escapes RFC 8259 requires; invalid UTF-8 bytes become U+FFFD, so the
 * output is always valid JSON whatever the input held.
 *
 * Containers opened with the _inline variants print on one line even in
 * pretty mode (paths, short lists).
 */

#define JSONW_DEPTH_MAX 64

struct json_writer {
	FILE *fp;
	char *buf;
	size_t len;
	int pretty;
	int depth;
	int error;		/* sticky: a write failed */
	unsigned char count[JSONW_DEPTH_MAX];	/* 0: empty, 1: has elements */
	unsigned char inline_at[JSONW_DEPTH_MAX];
	int after_key;
};

void jsonw_init(struct json_writer *w, FILE *fp, int pretty);
/* Flushes; returns 0, or WS_EIO when any write failed. */
int jsonw_finish(struct json_writer *w);

void jsonw_object_begin(struct json_writer *w);
void jsonw_object_begin_inline(struct json_writer *w);
void jsonw_object_end(struct json_writer *w);
void jsonw_array_begin(struct json_writer *w);
void jsonw_array_begin_inline(struct json_writer *w);
void jsonw_array_end(struct json_writer *w);
void jsonw_key(struct json_writer *w, const char *key);
void jsonw_string(struct json_writer *w, const char *s);	/* NULL: null */
void jsonw_stringn(struct json_writer *w, const char *s, size_t n);
void jsonw_bool(struct json_writer *w, int b);
void jsonw_null(struct json_writer *w);
void jsonw_int(struct json_writer *w, long long v);
/* Raw text written as the value (caller guarantees it is valid JSON). */
void jsonw_raw(struct json_writer *w, const char *s, size_t n);

/*
 * Writes s[0..n) as a quoted JSON string at dst, which must have room for
 * JSON_ESCAPED_MAX(n) bytes; returns the end. The writer uses it, and so
 * can callers that write the same string many times (quote it once, then
 * jsonw_raw it).
 */
#define JSON_ESCAPED_MAX(n) ((n) * 6 + 2)
char *json_escape_to(char *dst, const char *s, size_t n);

/* Convenience: key then value. */
void jsonw_kv_string(struct json_writer *w, const char *key, const char *s);
void jsonw_kv_bool(struct json_writer *w, const char *key, int b);
void jsonw_kv_int(struct json_writer *w, const char *key, long long v);

#endif
