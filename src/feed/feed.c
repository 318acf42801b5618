#include "feed/feed.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed_int.h"
#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define FEED_POOL_BLOCK (64u << 10)

static const char *const severity_names[] = {
	"info", "low", "medium", "high", "critical",
};

static const char *const artifact_kinds[] = {
	"workflow", "branch", "repo-description", "runner", "file",
	"package-json", "string", "process",
};

static const char *const network_kinds[] = {
	"domain", "url",
};

/* ---- shared checks ---- */

int
feed_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t len, k;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		/* overlongs, surrogates, past U+10FFFF */
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return 0;
		i += len;
	}
	return 1;
}

int
feed_check_name(const char *s, size_t n, const char **why)
{
	size_t i;

	if (n == 0) {
		*why = "is empty";
		return 0;
	}
	if (n > FEED_NAME_MAX) {
		*why = "is longer than 214 bytes";
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f) {
			*why = "contains a space or control character";
			return 0;
		}
	}
	if (!feed_utf8_valid(s, n)) {
		*why = "is not valid UTF-8";
		return 0;
	}
	return 1;
}

int
feed_check_text(const char *s, size_t n, size_t max, const char **why)
{
	size_t i;

	if (n == 0) {
		*why = "is empty";
		return 0;
	}
	if (n > max) {
		*why = "is too long";
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			*why = "contains a control character";
			return 0;
		}
	}
	if (!feed_utf8_valid(s, n)) {
		*why = "is not valid UTF-8";
		return 0;
	}
	return 1;
}

int
feed_check_id(const char *s, size_t n, const char **why)
{
	size_t i;

	if (n == 0) {
		*why = "is empty";
		return 0;
	}
	if (n > FEED_ID_MAX) {
		*why = "is longer than 128 bytes";
		return 0;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-')) {
			*why = "may only contain letters, digits, '.', '_' and '-'";
			return 0;
		}
	}
	return 1;
}

int
feed_severity_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(severity_names) / sizeof(*severity_names); i++)
		if (strcmp(s, severity_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
feed_severity_name(int sev)
{
	if (sev < 0 || sev > 4)
		return NULL;
	return severity_names[sev];
}

int
feed_artifact_kind_known(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(artifact_kinds) / sizeof(*artifact_kinds); i++)
		if (strcmp(s, artifact_kinds[i]) == 0)
			return 1;
	return 0;
}

int
feed_network_kind_known(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(network_kinds) / sizeof(*network_kinds); i++)
		if (strcmp(s, network_kinds[i]) == 0)
			return 1;
	return 0;
}

/* Decimal digits of v at out; returns the end. */
static char *
put_u64(char *out, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*out++ = tmp[--n];
	return out;
}

size_t
feed_version_canon(char *out, const struct semver *v)
{
	/* by hand: this runs for every version of every feed at load */
	char *p = out;
	size_t pre = v->pre ? v->pre_len : 0;

	p = put_u64(p, v->major);
	*p++ = '.';
	p = put_u64(p, v->minor);
	*p++ = '.';
	p = put_u64(p, v->patch);
	if (v->pre) {
		/* 3 numbers of at most 20 digits leave room for a prerelease
		 * of SEMVER_MAX_LEN bytes */
		if (pre > FEED_VERSION_BUF - (size_t)(p - out) - 2)
			pre = FEED_VERSION_BUF - (size_t)(p - out) - 2;
		*p++ = '-';
		memcpy(p, v->pre, pre);
		p += pre;
	}
	*p = '\0';
	return (size_t)(p - out);
}

int
feed_range_is_everything(const struct semver_range *r)
{
	struct semver lo, hi;

	memset(&lo, 0, sizeof(lo));
	memset(&hi, 0, sizeof(hi));
	hi.major = hi.minor = hi.patch = SEMVER_MAX_SAFE;
	return semver_range_satisfies(r, &lo, 0) == 1 &&
	       semver_range_satisfies(r, &hi, 0) == 1;
}

struct sort_version {
	struct semver v;
	const char *text;
};

static int
cmp_sort_version(const void *a, const void *b)
{
	const struct sort_version *x = a, *y = b;

	return semver_cmp(&x->v, &y->v);
}

void
feed_sort_versions(const char **v, size_t *n)
{
	struct sort_version *tmp;
	size_t i, out = 0;

	if (*n < 2)
		return;
	tmp = xreallocarray(NULL, *n, sizeof(*tmp));
	for (i = 0; i < *n; i++) {
		tmp[i].text = v[i];
		if (semver_parse(&tmp[i].v, v[i], strlen(v[i])))
			memset(&tmp[i].v, 0, sizeof(tmp[i].v));
	}
	qsort(tmp, *n, sizeof(*tmp), cmp_sort_version);
	for (i = 0; i < *n; i++) {
		if (out && semver_cmp(&tmp[out - 1].v, &tmp[i].v) == 0)
			continue;
		tmp[out++] = tmp[i];
	}
	for (i = 0; i < out; i++)
		v[i] = tmp[i].text;
	*n = out;
	free(tmp);
}

struct feed *
feed_alloc(const char *path)
{
	struct feed *f = xcalloc(1, sizeof(*f));

	mempool_init(&f->pool, FEED_POOL_BLOCK);
	if (path)
		f->path = mempool_strdup(&f->pool, path);
	return f;
}

void
feed_free(struct feed *f)
{
	size_t i, j;

	if (!f)
		return;
	for (i = 0; i < f->npackages; i++)
		for (j = 0; j < f->packages[i].nranges; j++)
			semver_range_free(f->packages[i].ranges[j]);
	mempool_release(&f->pool);
	free(f);
}

/* ---- parsing ---- */

struct parse_ctx {
	const char *path;
	struct feed *f;
	const char *section;	/* "packages", ... while in an entry */
	size_t index;		/* of that entry */
};

/* A key, or an element of an array key ("versions[3]"); formatted only
 * when a message needs it, since parsing a large feed must not pay for
 * labels it never prints. */
struct key {
	const char *name;
	size_t index;		/* NO_INDEX for a plain key */
};

#define NO_INDEX ((size_t)-1)

static const char *
key_text(const struct key *k, char *buf, size_t n)
{
	if (k->index == NO_INDEX)
		return k->name;
	snprintf(buf, n, "%s[%zu]", k->name, k->index);
	return buf;
}

static int
perr(const struct parse_ctx *c, const struct json_value *v, int code,
     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
perr(const struct parse_ctx *c, const struct json_value *v, int code,
     const char *fmt, ...)
{
	char msg[512], where[96] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->section)
		snprintf(where, sizeof(where), "%s[%zu]: ", c->section,
			 c->index);
	return ws_error_set(code, "%s:%u:%u: %s%s", c->path,
			    v ? v->line : 1u, v ? (unsigned)v->col16 : 1u,
			    where, msg);
}

static int
want_type_at(const struct parse_ctx *c, const struct json_value *v,
	     enum json_type t, const struct key *k)
{
	char buf[64];

	if (v->type == t)
		return 0;
	return perr(c, v, WS_EPARSE, "\"%s\" must be %s %s, not %s",
		    key_text(k, buf, sizeof(buf)),
		    t == JSON_ARRAY || t == JSON_OBJECT ? "an" : "a",
		    json_type_name(t), json_type_name((enum json_type)v->type));
}

static int
want_type(const struct parse_ctx *c, const struct json_value *v,
	  enum json_type t, const char *name)
{
	struct key k = { name, NO_INDEX };

	return want_type_at(c, v, t, &k);
}

enum str_kind {
	STR_NAME,
	STR_TEXT,
	STR_ID,
};

/* Copies the string v into the pool after checking it. */
static int
want_string_at(const struct parse_ctx *c, const struct json_value *v,
	       const struct key *k, enum str_kind kind, size_t max,
	       const char **out)
{
	const char *why = NULL;
	char buf[64];
	int ok;
	int err;

	if ((err = want_type_at(c, v, JSON_STRING, k)))
		return err;
	switch (kind) {
	case STR_NAME:
		ok = feed_check_name(v->u.str, v->len, &why);
		break;
	case STR_ID:
		ok = feed_check_id(v->u.str, v->len, &why);
		break;
	default:
		ok = feed_check_text(v->u.str, v->len, max, &why);
		break;
	}
	if (!ok)
		return perr(c, v, WS_EPARSE, "\"%s\" %s",
			    key_text(k, buf, sizeof(buf)), why);
	*out = mempool_strndup(&c->f->pool, v->u.str, v->len);
	return 0;
}

static int
want_string(const struct parse_ctx *c, const struct json_value *v,
	    const char *name, enum str_kind kind, size_t max, const char **out)
{
	struct key k = { name, NO_INDEX };

	return want_string_at(c, v, &k, kind, max, out);
}

/* An array of checked strings, copied into the pool. */
static int
want_string_list(const struct parse_ctx *c, const struct json_value *v,
		 const char *key, size_t max, const char ***out, size_t *n)
{
	const struct json_value *e;
	const char **arr;
	size_t i = 0;
	int err;

	if ((err = want_type(c, v, JSON_ARRAY, key)))
		return err;
	if (v->len > FEED_LIST_MAX)
		return perr(c, v, WS_ELIMIT, "\"%s\" has more than %u elements",
			    key, FEED_LIST_MAX);
	arr = mempool_alloc(&c->f->pool, (v->len ? v->len : 1) * sizeof(*arr));
	for (e = v->u.first; e; e = e->next) {
		struct key k = { key, i };

		if ((err = want_string_at(c, e, &k, STR_TEXT, max, &arr[i])))
			return err;
		i++;
	}
	*out = arr;
	*n = i;
	return 0;
}

int
feed_check_date(const char *s, size_t n)
{
	static const char date_shape[] = "dddd-dd-dd";
	static const char time_shape[] = "Tdd:dd:dd";
	size_t i;
	int month, day;

	if (n < 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (date_shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
					   s[i] != date_shape[i])
			return 0;
	month = (s[5] - '0') * 10 + (s[6] - '0');
	day = (s[8] - '0') * 10 + (s[9] - '0');
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return 0;
	if (n == 10)
		return 1;
	if (n < 10 + 9)
		return 0;
	for (i = 0; i < 9; i++) {
		char c = s[10 + i];

		if (time_shape[i] == 'd' ? (c < '0' || c > '9') :
					   (c != time_shape[i] &&
					    !(i == 0 && c == 't')))
			return 0;
	}
	i = 19;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z'))
		return i + 1 == n;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		return n - i == 6 && s[i + 1] >= '0' && s[i + 1] <= '9' &&
		       s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] == ':' &&
		       s[i + 4] >= '0' && s[i + 4] <= '9' && s[i + 5] >= '0' &&
		       s[i + 5] <= '9';
	return 0;
}

/* Records key as seen; a second time is an error. */
static int
seen_key(const struct parse_ctx *c, const struct json_value *m,
	 unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return perr(c, m, WS_EPARSE, "duplicate key \"%s\"", m->key);
	*seen |= bit;
	return 0;
}

/* "source", "advisory", "severity": what every entry carries. */
static int
parse_meta_member(const struct parse_ctx *c, const struct json_value *m,
		  struct feed_meta *meta, unsigned *seen, int *handled)
{
	const char *sev;
	int err;

	*handled = 1;
	if (strcmp(m->key, "source") == 0) {
		if ((err = seen_key(c, m, seen, 1u << 28)))
			return err;
		return want_string(c, m, "source", STR_TEXT, FEED_TEXT_MAX,
				   &meta->source);
	}
	if (strcmp(m->key, "advisory") == 0) {
		if ((err = seen_key(c, m, seen, 1u << 29)))
			return err;
		return want_string(c, m, "advisory", STR_TEXT, FEED_TEXT_MAX,
				   &meta->advisory);
	}
	if (strcmp(m->key, "severity") == 0) {
		if ((err = seen_key(c, m, seen, 1u << 30)))
			return err;
		if ((err = want_type(c, m, JSON_STRING, "severity")))
			return err;
		sev = m->u.str;
		meta->severity = feed_severity_parse(sev);
		if (meta->severity < 0 || strlen(sev) != m->len)
			return perr(c, m, WS_EPARSE,
				    "\"severity\" must be one of info, low, medium, high, critical, not \"%.32s\"",
				    sev);
		return 0;
	}
	*handled = 0;
	return 0;
}

static int
check_meta(const struct parse_ctx *c, const struct json_value *obj,
	   const struct feed_meta *meta)
{
	if (!meta->source)
		return perr(c, obj, WS_EPARSE, "missing \"source\"");
	return 0;
}

static int
parse_versions(const struct parse_ctx *c, const struct json_value *v,
	       struct feed_package *p)
{
	const struct json_value *e;
	size_t i = 0;
	int err;

	if ((err = want_type(c, v, JSON_ARRAY, "versions")))
		return err;
	if (v->len > FEED_LIST_MAX)
		return perr(c, v, WS_ELIMIT,
			    "\"versions\" has more than %u elements",
			    FEED_LIST_MAX);
	p->versions = mempool_alloc(&c->f->pool,
				    (v->len ? v->len : 1) * sizeof(char *));
	for (e = v->u.first; e; e = e->next, i++) {
		struct key k = { "versions", i };
		char canon[FEED_VERSION_BUF];
		struct semver sv;
		size_t n;

		if ((err = want_type_at(c, e, JSON_STRING, &k)))
			return err;
		if (semver_parse(&sv, e->u.str, e->len))
			return perr(c, e, WS_EPARSE,
				    "\"versions[%zu]\": \"%.64s\" is not a version",
				    i, e->u.str);
		n = feed_version_canon(canon, &sv);
		p->versions[i] = mempool_strndup(&c->f->pool, canon, n);
	}
	p->nversions = i;
	feed_sort_versions(p->versions, &p->nversions);
	return 0;
}

static int
parse_ranges(const struct parse_ctx *c, const struct json_value *v,
	     struct feed_package *p)
{
	const struct json_value *e;
	size_t i = 0;
	int err;

	if ((err = want_type(c, v, JSON_ARRAY, "ranges")))
		return err;
	if (v->len > FEED_LIST_MAX)
		return perr(c, v, WS_ELIMIT,
			    "\"ranges\" has more than %u elements",
			    FEED_LIST_MAX);
	p->ranges = mempool_calloc(&c->f->pool, (v->len ? v->len : 1) *
						       sizeof(*p->ranges));
	p->range_texts = mempool_alloc(&c->f->pool, (v->len ? v->len : 1) *
							    sizeof(char *));
	for (e = v->u.first; e; e = e->next, i++) {
		struct key k = { "ranges", i };

		if ((err = want_type_at(c, e, JSON_STRING, &k)))
			return err;
		if (e->len > FEED_RANGE_MAX)
			return perr(c, e, WS_ELIMIT,
				    "\"ranges[%zu]\" is longer than %u bytes", i,
				    FEED_RANGE_MAX);
		if (semver_range_parse(&p->ranges[i], e->u.str, e->len)) {
			/* keep the ranges parsed so far freeable */
			p->nranges = i;
			return perr(c, e, WS_EPARSE,
				    "\"ranges[%zu]\": invalid range \"%.64s\"",
				    i, e->u.str);
		}
		p->nranges = i + 1;
		p->range_texts[i] = mempool_strndup(&c->f->pool, e->u.str,
						    e->len);
	}
	return 0;
}

enum {
	PK_NAME = 1u << 0,
	PK_VERSIONS = 1u << 1,
	PK_RANGES = 1u << 2,
	FL_SHA256 = 1u << 0,
	FL_SHA1 = 1u << 1,
	FL_NAMES = 1u << 2,
	FL_DESCRIPTION = 1u << 3,
	AR_KIND = 1u << 0,
	AR_VALUE = 1u << 1,
	AR_DESCRIPTION = 1u << 2,
};

static int
parse_package(const struct parse_ctx *c, const struct json_value *obj,
	      struct feed_package *p)
{
	const struct json_value *m;
	unsigned seen = 0;
	int err, handled;

	if ((err = want_type(c, obj, JSON_OBJECT, "entry")))
		return err;
	p->meta.severity = FEED_SEVERITY_UNSET;
	p->meta.feed = c->f;
	for (m = obj->u.first; m; m = m->next) {
		if ((err = parse_meta_member(c, m, &p->meta, &seen, &handled)))
			return err;
		if (handled)
			continue;
		if (strcmp(m->key, "name") == 0) {
			if ((err = seen_key(c, m, &seen, PK_NAME)) ||
			    (err = want_string(c, m, "name", STR_NAME, 0,
					       &p->name)))
				return err;
		} else if (strcmp(m->key, "versions") == 0) {
			if ((err = seen_key(c, m, &seen, PK_VERSIONS)) ||
			    (err = parse_versions(c, m, p)))
				return err;
		} else if (strcmp(m->key, "ranges") == 0) {
			if ((err = seen_key(c, m, &seen, PK_RANGES)) ||
			    (err = parse_ranges(c, m, p)))
				return err;
		}
	}
	if (!p->name)
		return perr(c, obj, WS_EPARSE, "missing \"name\"");
	if (!p->nversions && !p->nranges)
		return perr(c, obj, WS_EPARSE,
			    "\"%.64s\" lists no versions and no ranges",
			    p->name);
	return check_meta(c, obj, &p->meta);
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
parse_digest(const struct parse_ctx *c, const struct json_value *v,
	     const char *key, uint8_t *out, size_t n)
{
	size_t i;
	int err;

	if ((err = want_type(c, v, JSON_STRING, key)))
		return err;
	if (v->len != n * 2)
		return perr(c, v, WS_EPARSE,
			    "\"%s\" must be %zu hexadecimal digits, not %u",
			    key, n * 2, v->len);
	for (i = 0; i < n; i++) {
		int hi = hexval(v->u.str[2 * i]), lo = hexval(v->u.str[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return perr(c, v, WS_EPARSE,
				    "\"%s\" is not hexadecimal", key);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
parse_file(const struct parse_ctx *c, const struct json_value *obj,
	   struct feed_file *e)
{
	const struct json_value *m;
	unsigned seen = 0;
	int err, handled;

	if ((err = want_type(c, obj, JSON_OBJECT, "entry")))
		return err;
	e->meta.severity = FEED_SEVERITY_UNSET;
	e->meta.feed = c->f;
	for (m = obj->u.first; m; m = m->next) {
		if ((err = parse_meta_member(c, m, &e->meta, &seen, &handled)))
			return err;
		if (handled)
			continue;
		if (strcmp(m->key, "sha256") == 0) {
			if ((err = seen_key(c, m, &seen, FL_SHA256)) ||
			    (err = parse_digest(c, m, "sha256", e->sha256, 32)))
				return err;
			e->has_sha256 = 1;
		} else if (strcmp(m->key, "sha1") == 0) {
			if ((err = seen_key(c, m, &seen, FL_SHA1)) ||
			    (err = parse_digest(c, m, "sha1", e->sha1, 20)))
				return err;
			e->has_sha1 = 1;
		} else if (strcmp(m->key, "names") == 0) {
			if ((err = seen_key(c, m, &seen, FL_NAMES)) ||
			    (err = want_string_list(c, m, "names",
						    FEED_TEXT_MAX, &e->names,
						    &e->nnames)))
				return err;
		} else if (strcmp(m->key, "description") == 0) {
			if ((err = seen_key(c, m, &seen, FL_DESCRIPTION)) ||
			    (err = want_string(c, m, "description", STR_TEXT,
					       FEED_TEXT_MAX,
					       &e->description)))
				return err;
		}
	}
	if (!e->has_sha256 && !e->has_sha1)
		return perr(c, obj, WS_EPARSE, "missing \"sha256\" or \"sha1\"");
	return check_meta(c, obj, &e->meta);
}

/* artifacts and network entries share a shape: kind, value, description */
static int
parse_marker(const struct parse_ctx *c, const struct json_value *obj,
	     int network, const char **kind, const char **value,
	     const char **description, struct feed_meta *meta)
{
	const struct json_value *m;
	unsigned seen = 0;
	int err, handled;

	if ((err = want_type(c, obj, JSON_OBJECT, "entry")))
		return err;
	meta->severity = FEED_SEVERITY_UNSET;
	meta->feed = c->f;
	for (m = obj->u.first; m; m = m->next) {
		if ((err = parse_meta_member(c, m, meta, &seen, &handled)))
			return err;
		if (handled)
			continue;
		if (strcmp(m->key, "kind") == 0) {
			if ((err = seen_key(c, m, &seen, AR_KIND)) ||
			    (err = want_string(c, m, "kind", STR_TEXT, 64,
					       kind)))
				return err;
			if (network ? !feed_network_kind_known(*kind) :
				      !feed_artifact_kind_known(*kind))
				return perr(c, m, WS_EPARSE,
					    network ?
						    "unknown network kind \"%s\" (domain, url)" :
						    "unknown artifact kind \"%s\" (workflow, branch, repo-description, runner, file, package-json, string, process)",
					    *kind);
		} else if (strcmp(m->key, "value") == 0) {
			if ((err = seen_key(c, m, &seen, AR_VALUE)) ||
			    (err = want_string(c, m, "value", STR_TEXT,
					       FEED_TEXT_MAX, value)))
				return err;
		} else if (strcmp(m->key, "description") == 0) {
			if ((err = seen_key(c, m, &seen, AR_DESCRIPTION)) ||
			    (err = want_string(c, m, "description", STR_TEXT,
					       FEED_TEXT_MAX, description)))
				return err;
		}
	}
	if (!*kind)
		return perr(c, obj, WS_EPARSE, "missing \"kind\"");
	if (!*value)
		return perr(c, obj, WS_EPARSE, "missing \"value\"");
	return check_meta(c, obj, meta);
}

enum section {
	SEC_PACKAGES,
	SEC_FILES,
	SEC_ARTIFACTS,
	SEC_NETWORK,
	SEC_COUNT,
};

static const char *const section_names[SEC_COUNT] = {
	"packages", "files", "artifacts", "network",
};

static int
parse_section(struct parse_ctx *c, enum section sec,
	      const struct json_value *arr)
{
	struct feed *f = c->f;
	const struct json_value *e;
	size_t i = 0;
	int err = 0;

	c->section = section_names[sec];
	for (e = arr->u.first; e && !err; e = e->next, i++) {
		c->index = i;
		switch (sec) {
		case SEC_PACKAGES:
			err = parse_package(c, e, &f->packages[i]);
			f->npackages = i + 1;	/* so feed_free sees ranges */
			break;
		case SEC_FILES:
			err = parse_file(c, e, &f->files[i]);
			f->nfiles = i + 1;
			break;
		case SEC_ARTIFACTS: {
			struct feed_artifact *a = &f->artifacts[i];

			err = parse_marker(c, e, 0, &a->kind, &a->value,
					   &a->description, &a->meta);
			f->nartifacts = i + 1;
			break;
		}
		default: {
			struct feed_network *n = &f->network[i];

			err = parse_marker(c, e, 1, &n->kind, &n->value,
					   &n->description, &n->meta);
			f->nnetwork = i + 1;
			break;
		}
		}
	}
	if (!err)
		c->section = NULL;
	return err;
}

static int
parse_root(struct parse_ctx *c, const struct json_value *root)
{
	const struct json_value *m, *fmt, *sections[SEC_COUNT] = { NULL };
	struct feed *f = c->f;
	unsigned seen = 0;
	size_t total = 0;
	int err, s;

	if (!json_is(root, JSON_OBJECT))
		return perr(c, root, WS_EPARSE,
			    "a feed must be a JSON object, not %s",
			    json_type_name((enum json_type)root->type));
	/* The format decides what the rest means, so it is checked first. */
	fmt = json_get(root, "format");
	if (!fmt)
		return perr(c, root, WS_EPARSE,
			    "missing \"format\" (expected \"%s\")",
			    FEED_FORMAT);
	if (!json_is(fmt, JSON_STRING) || strcmp(fmt->u.str, FEED_FORMAT) != 0)
		return perr(c, fmt, WS_EPARSE,
			    "unsupported feed format%s%.64s%s (expected \"%s\")",
			    json_is(fmt, JSON_STRING) ? " \"" : "",
			    json_is(fmt, JSON_STRING) ? fmt->u.str : "",
			    json_is(fmt, JSON_STRING) ? "\"" : "",
			    FEED_FORMAT);
	for (m = root->u.first; m; m = m->next) {
		if (strcmp(m->key, "format") == 0) {
			err = seen_key(c, m, &seen, 1u << 0);
		} else if (strcmp(m->key, "id") == 0) {
			if (!(err = seen_key(c, m, &seen, 1u << 1)))
				err = want_string(c, m, "id", STR_ID, 0, &f->id);
		} else if (strcmp(m->key, "title") == 0) {
			if (!(err = seen_key(c, m, &seen, 1u << 2)))
				err = want_string(c, m, "title", STR_TEXT,
						  FEED_TEXT_MAX, &f->title);
		} else if (strcmp(m->key, "published") == 0) {
			if (!(err = seen_key(c, m, &seen, 1u << 3)) &&
			    !(err = want_type(c, m, JSON_STRING, "published")) &&
			    !feed_check_date(m->u.str, m->len))
				err = perr(c, m, WS_EPARSE,
					   "\"published\" must be a date (2025-11-24) or an RFC 3339 date-time, not \"%.40s\"",
					   m->u.str);
			if (!err)
				f->published = mempool_strndup(&f->pool,
							       m->u.str,
							       m->len);
		} else if (strcmp(m->key, "first_seen") == 0) {
			if (!(err = seen_key(c, m, &seen, 1u << 12)) &&
			    !(err = want_type(c, m, JSON_STRING, "first_seen")) &&
			    !feed_check_date(m->u.str, m->len))
				err = perr(c, m, WS_EPARSE,
					   "\"first_seen\" must be a date (2025-11-24) or an RFC 3339 date-time, not \"%.40s\"",
					   m->u.str);
			if (!err)
				f->first_seen = mempool_strndup(&f->pool,
								m->u.str,
								m->len);
		} else if (strcmp(m->key, "sources") == 0) {
			if (!(err = seen_key(c, m, &seen, 1u << 4)))
				err = want_string_list(c, m, "sources",
						       FEED_TEXT_MAX,
						       &f->sources,
						       &f->nsources);
		} else {
			err = 0;
			for (s = 0; s < SEC_COUNT; s++) {
				if (strcmp(m->key, section_names[s]) != 0)
					continue;
				if (!(err = seen_key(c, m, &seen, 1u << (8 + s))) &&
				    !(err = want_type(c, m, JSON_ARRAY,
						      section_names[s]))) {
					sections[s] = m;
					total += m->len;
				}
				break;
			}
			/* anything else: a later version's key, ignored */
		}
		if (err)
			return err;
	}
	if (!f->id)
		return perr(c, root, WS_EPARSE, "missing \"id\"");
	if (total > FEED_ENTRIES_MAX)
		return perr(c, root, WS_ELIMIT,
			    "more than %u entries in one feed",
			    FEED_ENTRIES_MAX);
#define SECTION_ARRAY(field, s)                                              \
	f->field = mempool_calloc(&f->pool, (sections[s] && sections[s]->len ? \
						     sections[s]->len : 1) *    \
						    sizeof(*f->field))
	SECTION_ARRAY(packages, SEC_PACKAGES);
	SECTION_ARRAY(files, SEC_FILES);
	SECTION_ARRAY(artifacts, SEC_ARTIFACTS);
	SECTION_ARRAY(network, SEC_NETWORK);
#undef SECTION_ARRAY
	for (s = 0; s < SEC_COUNT; s++)
		if (sections[s] &&
		    (err = parse_section(c, (enum section)s, sections[s])))
			return err;
	return 0;
}

int
feed_parse(struct feed **out, char *buf, size_t len, const char *path)
{
	struct parse_ctx c;
	struct json_doc doc;
	struct feed *f;
	int err;

	*out = NULL;
	if (!path)
		path = "<feed>";
	if (len > FEED_MAX)
		return ws_error_set(WS_ELIMIT, "%s: larger than %u bytes",
				    path, FEED_MAX);
	if ((err = json_parse(&doc, buf, len, path, 0)))
		return err;
	f = feed_alloc(path);
	memset(&c, 0, sizeof(c));
	c.path = f->path;
	c.f = f;
	err = parse_root(&c, doc.root);
	json_doc_release(&doc);
	if (err) {
		feed_free(f);
		return err;
	}
	*out = f;
	return 0;
}

int
feed_load(struct feed **out, const char *path)
{
	struct strbuf sb;
	int err;

	*out = NULL;
	strbuf_init(&sb, FEED_MAX);
	if ((err = strbuf_read_file(&sb, path, 0)))
		goto done;
	err = feed_parse(out, sb.buf, sb.len, path);
done:
	strbuf_release(&sb);
	return err;
}

/* ---- writing ---- */

struct sort_ref {
	const char *k1, *k2;
	size_t index;
};

static int
cmp_sort_ref(const void *a, const void *b)
{
	const struct sort_ref *x = a, *y = b;
	int c = strcmp(x->k1, y->k1);

	if (!c)
		c = strcmp(x->k2, y->k2);
	if (!c)
		c = x->index < y->index ? -1 : x->index > y->index;
	return c;
}

/* Entry indexes in output order: by k1, then k2, stable. */
static size_t *
sorted_order(size_t n, const char *(*key)(const struct feed *, size_t, int),
	     const struct feed *f)
{
	struct sort_ref *refs = xreallocarray(NULL, n ? n : 1, sizeof(*refs));
	size_t *order = xreallocarray(NULL, n ? n : 1, sizeof(*order));
	size_t i;

	for (i = 0; i < n; i++) {
		refs[i].k1 = key(f, i, 0);
		refs[i].k2 = key(f, i, 1);
		refs[i].index = i;
	}
	if (n > 1)
		qsort(refs, n, sizeof(*refs), cmp_sort_ref);
	for (i = 0; i < n; i++)
		order[i] = refs[i].index;
	free(refs);
	return order;
}

static const char *
pkg_key(const struct feed *f, size_t i, int which)
{
	return which ? "" : f->packages[i].name;
}

static const char *
artifact_key(const struct feed *f, size_t i, int which)
{
	return which ? f->artifacts[i].value : f->artifacts[i].kind;
}

static const char *
network_key(const struct feed *f, size_t i, int which)
{
	return which ? f->network[i].value : f->network[i].kind;
}

static void
hex(char *out, const uint8_t *d, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
write_meta(struct json_writer *w, const struct feed_meta *m)
{
	jsonw_kv_string(w, "source", m->source);
	if (m->advisory)
		jsonw_kv_string(w, "advisory", m->advisory);
	if (feed_severity_name(m->severity))
		jsonw_kv_string(w, "severity", feed_severity_name(m->severity));
}

static void
write_list(struct json_writer *w, const char *key, const char *const *v,
	   size_t n)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_array_begin_inline(w);
	for (i = 0; i < n; i++)
		jsonw_string(w, v[i]);
	jsonw_array_end(w);
}

static void
write_packages(struct json_writer *w, const struct feed *f)
{
	size_t *order = sorted_order(f->npackages, pkg_key, f);
	size_t i;

	jsonw_key(w, "packages");
	jsonw_array_begin(w);
	for (i = 0; i < f->npackages; i++) {
		const struct feed_package *p = &f->packages[order[i]];

		jsonw_object_begin_inline(w);
		jsonw_kv_string(w, "name", p->name);
		if (p->nversions)
			write_list(w, "versions", p->versions, p->nversions);
		if (p->nranges)
			write_list(w, "ranges", p->range_texts, p->nranges);
		write_meta(w, &p->meta);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	free(order);
}

struct file_ref {
	char key[2 * 32 + 2 * 20 + 2];
	size_t index;
};

static int
cmp_file_ref(const void *a, const void *b)
{
	const struct file_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->index < y->index ? -1 : x->index > y->index);
}

static void
write_files(struct json_writer *w, const struct feed *f)
{
	struct file_ref *refs = xreallocarray(NULL, f->nfiles ? f->nfiles : 1,
					      sizeof(*refs));
	char h[65];
	size_t i;

	for (i = 0; i < f->nfiles; i++) {
		const struct feed_file *e = &f->files[i];

		/* no SHA-256 sorts after every SHA-256 ('~' > hex) */
		if (e->has_sha256)
			hex(refs[i].key, e->sha256, 32);
		else
			memset(refs[i].key, '~', 64);
		if (e->has_sha1)
			hex(refs[i].key + 64, e->sha1, 20);
		else
			refs[i].key[64] = '\0';
		refs[i].index = i;
	}
	if (f->nfiles > 1)
		qsort(refs, f->nfiles, sizeof(*refs), cmp_file_ref);
	jsonw_key(w, "files");
	jsonw_array_begin(w);
	for (i = 0; i < f->nfiles; i++) {
		const struct feed_file *e = &f->files[refs[i].index];

		jsonw_object_begin_inline(w);
		if (e->has_sha256) {
			hex(h, e->sha256, 32);
			jsonw_kv_string(w, "sha256", h);
		}
		if (e->has_sha1) {
			hex(h, e->sha1, 20);
			jsonw_kv_string(w, "sha1", h);
		}
		if (e->nnames)
			write_list(w, "names", e->names, e->nnames);
		if (e->description)
			jsonw_kv_string(w, "description", e->description);
		write_meta(w, &e->meta);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	free(refs);
}

static void
write_markers(struct json_writer *w, const struct feed *f, int network)
{
	size_t n = network ? f->nnetwork : f->nartifacts;
	size_t *order = sorted_order(n, network ? network_key : artifact_key, f);
	size_t i;

	jsonw_key(w, network ? "network" : "artifacts");
	jsonw_array_begin(w);
	for (i = 0; i < n; i++) {
		const char *kind, *value, *description;
		const struct feed_meta *meta;

		if (network) {
			const struct feed_network *e = &f->network[order[i]];

			kind = e->kind;
			value = e->value;
			description = e->description;
			meta = &e->meta;
		} else {
			const struct feed_artifact *e = &f->artifacts[order[i]];

			kind = e->kind;
			value = e->value;
			description = e->description;
			meta = &e->meta;
		}
		jsonw_object_begin_inline(w);
		jsonw_kv_string(w, "kind", kind);
		jsonw_kv_string(w, "value", value);
		if (description)
			jsonw_kv_string(w, "description", description);
		write_meta(w, meta);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	free(order);
}

int
feed_write(FILE *fp, const struct feed *f)
{
	struct json_writer w;

	jsonw_init(&w, fp, 1);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "format", FEED_FORMAT);
	jsonw_kv_string(&w, "id", f->id);
	if (f->title)
		jsonw_kv_string(&w, "title", f->title);
	if (f->published)
		jsonw_kv_string(&w, "published", f->published);
	if (f->first_seen)
		jsonw_kv_string(&w, "first_seen", f->first_seen);
	if (f->nsources) {
		size_t i;

		jsonw_key(&w, "sources");
		jsonw_array_begin(&w);
		for (i = 0; i < f->nsources; i++)
			jsonw_string(&w, f->sources[i]);
		jsonw_array_end(&w);
	}
	write_packages(&w, f);
	write_files(&w, f);
	write_markers(&w, f, 0);
	write_markers(&w, f, 1);
	jsonw_object_end(&w);
	return jsonw_finish(&w);
}

/* ---- the builder (importers) ---- */

/* An id from the file name: "shai-hulud-2.0.csv" -> "shai-hulud-2.0". */
static const char *
derive_id(struct mempool *pool, const char *path)
{
	static const char *const exts[] = {
		".json", ".jsonl", ".csv", ".txt", ".zip", ".tar.gz", ".tgz",
	};
	const char *base;
	char buf[FEED_ID_MAX + 1];
	size_t len, n = 0, i;

	if (!path)
		return "imported";
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	base = path + len;
	while (base > path && base[-1] != '/')
		base--;
	len -= (size_t)(base - path);
	for (i = 0; i < sizeof(exts) / sizeof(*exts); i++) {
		size_t el = strlen(exts[i]);

		if (len > el && memcmp(base + len - el, exts[i], el) == 0) {
			len -= el;
			break;
		}
	}
	for (i = 0; i < len && n < FEED_ID_MAX; i++) {
		char c = base[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-')
			buf[n++] = c;
		else if (c >= 'A' && c <= 'Z')
			buf[n++] = (char)(c - 'A' + 'a');
		else if (n && buf[n - 1] != '-')
			buf[n++] = '-';
	}
	while (n && (buf[n - 1] == '-' || buf[n - 1] == '.'))
		n--;
	if (!n)
		return "imported";
	return mempool_strndup(pool, buf, n);
}

void
feed_builder_init(struct feed_builder *b, const char *path, const char *id,
		  const char *title)
{
	memset(b, 0, sizeof(*b));
	b->f = feed_alloc(path);
	strmap_init(&b->pkg_keys);
	strmap_init(&b->net_keys);
	b->f->id = id ? mempool_strdup(&b->f->pool, id) :
			derive_id(&b->f->pool, path);
	if (title)
		b->f->title = mempool_strdup(&b->f->pool, title);
}

static const char *
pool_key3(struct mempool *pool, const char *a, const char *b, const char *c,
	  size_t *len)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
	char *k = mempool_alloc(pool, la + lb + lc + 3);

	memcpy(k, a, la);
	k[la] = '\0';
	if (lb)
		memcpy(k + la + 1, b, lb);
	k[la + 1 + lb] = '\0';
	if (lc)
		memcpy(k + la + 2 + lb, c, lc);
	k[la + 2 + lb + lc] = '\0';
	*len = la + lb + lc + 2;
	return k;
}

struct feed_builder_pkg *
feed_builder_pkg(struct feed_builder *b, const char *name, const char *source,
		 const char *advisory)
{
	struct strmap_entry *e;
	struct feed_builder_pkg *p;
	const char *key;
	size_t klen;

	key = pool_key3(&b->f->pool, name, source, advisory, &klen);
	e = strmap_find(&b->pkg_keys, key, klen);
	if (e)
		return &b->pkgs[e->value];
	if (b->entries >= FEED_ENTRIES_MAX) {
		ws_error_set(WS_ELIMIT, "more than %u entries in one feed",
			     FEED_ENTRIES_MAX);
		return NULL;
	}
	XGROW(b->pkgs, b->pkgs_alloc, b->npkgs + 1);
	p = &b->pkgs[b->npkgs];
	memset(p, 0, sizeof(*p));
	p->name = key;	/* the key starts with name\0 */
	p->source = mempool_strdup(&b->f->pool, source);
	p->advisory = advisory ? mempool_strdup(&b->f->pool, advisory) : NULL;
	p->severity = FEED_SEVERITY_UNSET;
	strmap_put(&b->pkg_keys, key, klen, (uint32_t)b->npkgs, NULL);
	b->entries++;
	return &b->pkgs[b->npkgs++];
}

void
feed_builder_add_version(struct feed_builder *b, struct feed_builder_pkg *p,
			 const char *canon)
{
	if (p->nversions >= FEED_LIST_MAX)
		return;
	XGROW(p->versions, p->versions_alloc, p->nversions + 1);
	p->versions[p->nversions++] = mempool_strdup(&b->f->pool, canon);
}

void
feed_builder_add_range(struct feed_builder *b, struct feed_builder_pkg *p,
		       struct semver_range *r, const char *text)
{
	size_t i;

	for (i = 0; i < p->nranges; i++)
		if (strcmp(p->range_texts[i], text) == 0)
			break;
	if (i < p->nranges || p->nranges >= FEED_LIST_MAX) {
		semver_range_free(r);
		return;
	}
	if (p->nranges == p->ranges_alloc) {
		p->ranges_alloc = p->ranges_alloc ? 2 * p->ranges_alloc : 4;
		p->ranges = xreallocarray(p->ranges, p->ranges_alloc,
					  sizeof(*p->ranges));
		p->range_texts = xreallocarray(p->range_texts,
					       p->ranges_alloc,
					       sizeof(*p->range_texts));
	}
	p->ranges[p->nranges] = r;
	p->range_texts[p->nranges++] = mempool_strdup(&b->f->pool, text);
}

int
feed_builder_add_network(struct feed_builder *b, const char *kind,
			 const char *value, const char *description,
			 const char *source, const char *advisory)
{
	struct feed_builder_net *n;
	const char *key;
	size_t klen;

	key = pool_key3(&b->f->pool, kind, value, NULL, &klen);
	if (strmap_find(&b->net_keys, key, klen))
		return 0;
	if (b->entries >= FEED_ENTRIES_MAX)
		return ws_error_set(WS_ELIMIT,
				    "more than %u entries in one feed",
				    FEED_ENTRIES_MAX);
	XGROW(b->net, b->net_alloc, b->nnet + 1);
	n = &b->net[b->nnet];
	n->kind = key;
	n->value = key + strlen(kind) + 1;
	n->description = description ?
		mempool_strdup(&b->f->pool, description) : NULL;
	n->source = mempool_strdup(&b->f->pool, source);
	n->advisory = advisory ? mempool_strdup(&b->f->pool, advisory) : NULL;
	strmap_put(&b->net_keys, key, klen, (uint32_t)b->nnet, NULL);
	b->nnet++;
	b->entries++;
	return 0;
}

void
feed_builder_add_source(struct feed_builder *b, const char *source)
{
	struct feed *f = b->f;
	const char **grown;
	size_t i;

	for (i = 0; i < f->nsources; i++)
		if (strcmp(f->sources[i], source) == 0)
			return;
	if (f->nsources >= 64)
		return;
	grown = mempool_alloc(&f->pool, (f->nsources + 1) * sizeof(*grown));
	if (f->nsources)
		memcpy(grown, f->sources, f->nsources * sizeof(*grown));
	grown[f->nsources++] = mempool_strdup(&f->pool, source);
	f->sources = grown;
}

void
feed_builder_set_published(struct feed_builder *b, const char *date)
{
	b->f->published = date ? mempool_strdup(&b->f->pool, date) : NULL;
}

struct feed *
feed_builder_finish(struct feed_builder *b)
{
	struct feed *f = b->f;
	size_t i;

	f->packages = mempool_calloc(&f->pool, (b->npkgs ? b->npkgs : 1) *
						       sizeof(*f->packages));
	for (i = 0; i < b->npkgs; i++) {
		struct feed_builder_pkg *bp = &b->pkgs[i];
		struct feed_package *p = &f->packages[i];

		p->name = bp->name;
		p->meta.source = bp->source;
		p->meta.advisory = bp->advisory;
		p->meta.severity = bp->severity;
		p->meta.feed = f;
		p->nversions = bp->nversions;
		p->versions = mempool_alloc(&f->pool, (bp->nversions ?
							     bp->nversions :
							     1) *
							    sizeof(char *));
		if (bp->nversions)
			memcpy(p->versions, bp->versions,
			       bp->nversions * sizeof(char *));
		feed_sort_versions(p->versions, &p->nversions);
		p->nranges = bp->nranges;
		p->ranges = mempool_alloc(&f->pool, (bp->nranges ? bp->nranges :
								   1) *
							   sizeof(*p->ranges));
		p->range_texts = mempool_alloc(&f->pool,
					       (bp->nranges ? bp->nranges : 1) *
						       sizeof(char *));
		if (bp->nranges) {
			memcpy(p->ranges, bp->ranges,
			       bp->nranges * sizeof(*p->ranges));
			memcpy(p->range_texts, bp->range_texts,
			       bp->nranges * sizeof(char *));
		}
		/* the feed owns the ranges now */
		bp->nranges = 0;
	}
	f->npackages = b->npkgs;
	f->files = mempool_calloc(&f->pool, sizeof(*f->files));
	f->artifacts = mempool_calloc(&f->pool, sizeof(*f->artifacts));
	f->network = mempool_calloc(&f->pool, (b->nnet ? b->nnet : 1) *
						      sizeof(*f->network));
	for (i = 0; i < b->nnet; i++) {
		struct feed_network *n = &f->network[i];

		n->kind = b->net[i].kind;
		n->value = b->net[i].value;
		n->description = b->net[i].description;
		n->meta.source = b->net[i].source;
		n->meta.advisory = b->net[i].advisory;
		n->meta.severity = FEED_SEVERITY_UNSET;
		n->meta.feed = f;
	}
	f->nnetwork = b->nnet;
	b->f = NULL;
	feed_builder_release(b);
	return f;
}

void
feed_builder_release(struct feed_builder *b)
{
	size_t i, j;

	for (i = 0; i < b->npkgs; i++) {
		for (j = 0; j < b->pkgs[i].nranges; j++)
			semver_range_free(b->pkgs[i].ranges[j]);
		free(b->pkgs[i].versions);
		free(b->pkgs[i].ranges);
		free(b->pkgs[i].range_texts);
	}
	free(b->pkgs);
	free(b->net);
	strmap_release(&b->pkg_keys);
	strmap_release(&b->net_keys);
	feed_free(b->f);
	memset(b, 0, sizeof(*b));
}
