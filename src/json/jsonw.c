#include "json/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define JSONW_BUF (256u << 10)

void
jsonw_init(struct json_writer *w, FILE *fp, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
	w->pretty = pretty;
	w->buf = xmalloc(JSONW_BUF);
}

static void
jsonw_flush(struct json_writer *w)
{
	if (w->len && fwrite(w->buf, 1, w->len, w->fp) != w->len)
		w->error = 1;
	w->len = 0;
}

static inline void
jsonw_put(struct json_writer *w, const char *s, size_t n)
{
	if (n > JSONW_BUF - w->len) {
		jsonw_flush(w);
		if (n > JSONW_BUF) {
			if (fwrite(s, 1, n, w->fp) != n)
				w->error = 1;
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void
jsonw_putc(struct json_writer *w, char c)
{
	if (w->len == JSONW_BUF)
		jsonw_flush(w);
	w->buf[w->len++] = c;
}

int
jsonw_finish(struct json_writer *w)
{
	int err = 0;

	if (w->pretty)
		jsonw_putc(w, '\n');
	jsonw_flush(w);
	if (fflush(w->fp) != 0 || ferror(w->fp))
		w->error = 1;
	if (w->error)
		err = ws_error_set(WS_EIO, "write error");
	free(w->buf);
	w->buf = NULL;
	return err;
}

static int
jsonw_is_inline(const struct json_writer *w)
{
	int i;

	for (i = 0; i < w->depth && i < JSONW_DEPTH_MAX; i++)
		if (w->inline_at[i])
			return 1;
	return 0;
}

static void
jsonw_newline(struct json_writer *w)
{
	static const char spaces[] = "                                ";
	int n = w->depth * 2;

	jsonw_putc(w, '\n');
	while (n > 0) {
		int k = n > 32 ? 32 : n;

		jsonw_put(w, spaces, (size_t)k);
		n -= k;
	}
}

/*
 * The state slot of nesting level d. Levels past JSONW_DEPTH_MAX share the
 * last slot; that stays correct because closing a container always leaves
 * its parent with at least one element (jsonw_close sets it again).
 */
static int
jsonw_slot(int d)
{
	return d < JSONW_DEPTH_MAX ? d : JSONW_DEPTH_MAX - 1;
}

/* Separator and indentation before a value or key at the current level. */
static void
jsonw_sep(struct json_writer *w)
{
	int d = w->depth - 1;

	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (d < 0)
		return;
	if (w->count[jsonw_slot(d)])
		jsonw_putc(w, ',');
	w->count[jsonw_slot(d)] = 1;
	if (w->pretty) {
		if (jsonw_is_inline(w)) {
			if (w->len && w->buf[w->len - 1] == ',')
				jsonw_putc(w, ' ');
		} else {
			jsonw_newline(w);
		}
	}
}

static void
jsonw_open(struct json_writer *w, char c, int inl)
{
	jsonw_sep(w);
	jsonw_putc(w, c);
	w->count[jsonw_slot(w->depth)] = 0;
	w->inline_at[jsonw_slot(w->depth)] = (unsigned char)inl;
	w->depth++;
}

static void
jsonw_close(struct json_writer *w, char c)
{
	int had = w->count[jsonw_slot(w->depth - 1)];
	int inl = jsonw_is_inline(w);

	w->depth--;
	if (w->depth > 0)
		w->count[jsonw_slot(w->depth - 1)] = 1;
	if (w->pretty && had && !inl)
		jsonw_newline(w);
	jsonw_putc(w, c);
}

void
jsonw_object_begin(struct json_writer *w)
{
	jsonw_open(w, '{', 0);
}

void
jsonw_object_begin_inline(struct json_writer *w)
{
	jsonw_open(w, '{', 1);
}

void
jsonw_object_end(struct json_writer *w)
{
	jsonw_close(w, '}');
}

void
jsonw_array_begin(struct json_writer *w)
{
	jsonw_open(w, '[', 0);
}

void
jsonw_array_begin_inline(struct json_writer *w)
{
	jsonw_open(w, '[', 1);
}

void
jsonw_array_end(struct json_writer *w)
{
	jsonw_close(w, ']');
}

/* Length of a valid UTF-8 sequence starting at s (at most n bytes), or 0. */
static size_t
jsonw_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned cp;

	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		len = 2;
		cp = c & 0x1F;
	} else if (c < 0xF0) {
		len = 3;
		cp = c & 0x0F;
	} else if (c < 0xF5) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/* Bytes that cannot be copied as they are: controls, '"', '\\', non-ASCII. */
static const unsigned char jsonw_special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

char *
json_escape_to(char *dst, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	*dst++ = '"';
	while (i < n) {
		size_t run = i;
		unsigned char c;

		while (run < n && !jsonw_special[s[run]])
			run++;
		memcpy(dst, s + i, run - i);
		dst += run - i;
		i = run;
		if (i >= n)
			break;
		c = s[i];
		if (c >= 0x80) {
			size_t len = jsonw_utf8_len(s + i, n - i);

			if (len) {
				memcpy(dst, s + i, len);
				dst += len;
				i += len;
			} else {
				memcpy(dst, "\xEF\xBF\xBD", 3);
				dst += 3;
				i++;
			}
			continue;
		}
		*dst++ = '\\';
		switch (c) {
		case '"': *dst++ = '"'; break;
		case '\\': *dst++ = '\\'; break;
		case '\n': *dst++ = 'n'; break;
		case '\r': *dst++ = 'r'; break;
		case '\t': *dst++ = 't'; break;
		default:
			*dst++ = 'u';
			*dst++ = '0';
			*dst++ = '0';
			*dst++ = hex[c >> 4];
			*dst++ = hex[c & 15];
		}
		i++;
	}
	*dst++ = '"';
	return dst;
}

static void
jsonw_escaped(struct json_writer *w, const char *s, size_t n)
{
	/* Escaping never grows a byte past six; write in slices that fit
	 * the buffer for that worst case. */
	const size_t slice = (JSONW_BUF - 2) / 6;

	if (n <= slice) {
		if (JSON_ESCAPED_MAX(n) > JSONW_BUF - w->len)
			jsonw_flush(w);
		w->len = (size_t)(json_escape_to(w->buf + w->len, s, n) -
				  w->buf);
		return;
	}
	/* Long strings: escape slice by slice into a scratch buffer, keeping
	 * UTF-8 sequences whole, and drop the quotes between slices. */
	{
		char *tmp = xmalloc(JSON_ESCAPED_MAX(slice) + 8);
		size_t i = 0;

		jsonw_putc(w, '"');
		while (i < n) {
			size_t k = n - i < slice ? n - i : slice;
			char *end;

			while (k < n - i && k > 0 &&
			       ((unsigned char)s[i + k] & 0xC0) == 0x80)
				k--;
			if (k == 0)
				k = n - i < slice ? n - i : slice;
			end = json_escape_to(tmp, s + i, k);
			jsonw_put(w, tmp + 1, (size_t)(end - tmp) - 2);
			i += k;
		}
		jsonw_putc(w, '"');
		free(tmp);
	}
}

void
jsonw_key(struct json_writer *w, const char *key)
{
	jsonw_sep(w);
	jsonw_escaped(w, key, strlen(key));
	jsonw_putc(w, ':');
	if (w->pretty)
		jsonw_putc(w, ' ');
	w->after_key = 1;
}

void
jsonw_stringn(struct json_writer *w, const char *s, size_t n)
{
	jsonw_sep(w);
	jsonw_escaped(w, s, n);
}

void
jsonw_string(struct json_writer *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_stringn(w, s, strlen(s));
}

void
jsonw_raw(struct json_writer *w, const char *s, size_t n)
{
	jsonw_sep(w);
	jsonw_put(w, s, n);
}

void
jsonw_bool(struct json_writer *w, int b)
{
	if (b)
		jsonw_raw(w, "true", 4);
	else
		jsonw_raw(w, "false", 5);
}

void
jsonw_null(struct json_writer *w)
{
	jsonw_raw(w, "null", 4);
}

void
jsonw_int(struct json_writer *w, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);

	jsonw_raw(w, tmp, (size_t)n);
}

void
jsonw_kv_string(struct json_writer *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void
jsonw_kv_bool(struct json_writer *w, const char *key, int b)
{
	jsonw_key(w, key);
	jsonw_bool(w, b);
}

void
jsonw_kv_int(struct json_writer *w, const char *key, long long v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}
