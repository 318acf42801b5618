/*
 * Baselines (--ignore FILE): findings a team has looked at and accepted,
 * each with a reason and, optionally, a date after which it must be looked
 * at again. A baseline is a security control that an attacker may also
 * write to (it is a file in the repository), so it is read strictly: an
 * unknown key, a missing reason or an impossible date is an error with its
 * position, never silently an entry that suppresses more than it says.
 */

#include "report/report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "report/baseline.h"
#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct baseline_entry {
	const char *id;
	const char *reason;
	const char *expires;	/* YYYY-MM-DD, or NULL: never */
	uint32_t line;		/* where the entry starts, for duplicates */
};

struct report_baseline {
	struct baseline_entry *entries;
	size_t n, alloc;
	struct strmap index;	/* id -> entry */
	struct mempool pool;
};

static int
fail(int code, const char *name, const struct json_value *at,
     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail(int code, const char *name, const struct json_value *at,
     const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ws_error_set(code, "%s:%u:%u: %s", name, at->line,
			    (unsigned)at->col16, what);
}

/* s[0..n) for a message: at most 40 bytes, unprintable bytes as \xNN. */
static const char *
quote(char *buf, size_t size, const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 8 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 40) {
			memcpy(buf + k, "...", 3);
			k += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			k += (size_t)snprintf(buf + k, size - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	buf[k] = '\0';
	return buf;
}

/* Whether member m is named lit (a key with a NUL in it is not). */
static int
key_is(const struct json_value *m, const char *lit)
{
	size_t n = strlen(lit);

	return m->key_len == n && memcmp(m->key, lit, n) == 0;
}

static int
leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A calendar date written YYYY-MM-DD, years 1970 to 9999. */
static int
valid_date(const char *s, size_t n)
{
	static const unsigned days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	unsigned y = 0, m, d, i;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	for (i = 0; i < 4; i++)
		y = y * 10 + (unsigned)(s[i] - '0');
	m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
	d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= days[m - 1] + (m == 2 && leap(y));
}

/* One member of an entry that must be a non-empty string. */
static int
entry_string(const char **out, const char *name, const struct json_value *v,
	     const char *key)
{
	if (v->type != JSON_STRING)
		return fail(WS_EPARSE, name, v, "\"%s\" must be a string, not %s",
			    key, json_type_name((enum json_type)v->type));
	if (v->len == 0)
		return fail(WS_EPARSE, name, v, "\"%s\" is empty", key);
	if (v->len > REPORT_BASELINE_STRING_MAX)
		return fail(WS_ELIMIT, name, v,
			    "\"%s\" is %u bytes, over the limit of %u", key,
			    v->len, REPORT_BASELINE_STRING_MAX);
	if (memchr(v->u.str, '\0', v->len))
		return fail(WS_EPARSE, name, v, "\"%s\" contains a NUL byte",
			    key);
	*out = v->u.str;
	return 0;
}

static int
parse_entry(struct report_baseline *b, const char *name,
	    const struct json_value *obj)
{
	const struct json_value *m, *id_at = NULL;
	struct baseline_entry e = { NULL, NULL, NULL, obj->line };
	struct strmap_entry *slot;
	char q[64];
	int err = 0;

	if (obj->type != JSON_OBJECT)
		return fail(WS_EPARSE, name, obj,
			    "ignore entry must be an object, not %s",
			    json_type_name((enum json_type)obj->type));
	for (m = obj->u.first; m; m = m->next) {
		const char **dst;

		if (key_is(m, "id")) {
			dst = &e.id;
			id_at = m;
		} else if (key_is(m, "reason")) {
			dst = &e.reason;
		} else if (key_is(m, "expires")) {
			dst = &e.expires;
		} else {
			return fail(WS_EPARSE, name, m,
				    "unknown key \"%s\" in ignore entry (id, reason, expires)",
				    quote(q, sizeof(q), m->key, m->key_len));
		}
		if (*dst)
			return fail(WS_EPARSE, name, m, "duplicate key \"%s\"",
				    m->key);
		if ((err = entry_string(dst, name, m, m->key)))
			return err;
		if (dst == &e.expires && !valid_date(m->u.str, m->len))
			return fail(WS_EPARSE, name, m,
				    "\"expires\" must be a date as YYYY-MM-DD, not \"%s\"",
				    quote(q, sizeof(q), m->u.str, m->len));
	}
	if (!e.id)
		return fail(WS_EPARSE, name, obj, "ignore entry has no \"id\"");
	if (!e.reason)
		return fail(WS_EPARSE, name, obj,
			    "ignore entry \"%s\" has no \"reason\"",
			    quote(q, sizeof(q), e.id, strlen(e.id)));
	if (b->n >= REPORT_BASELINE_ENTRIES_MAX)
		return fail(WS_ELIMIT, name, obj,
			    "more than %u ignore entries",
			    REPORT_BASELINE_ENTRIES_MAX);
	e.id = mempool_strdup(&b->pool, e.id);
	e.reason = mempool_strdup(&b->pool, e.reason);
	e.expires = e.expires ? mempool_strdup(&b->pool, e.expires) : NULL;
	if (!strmap_put(&b->index, e.id, strlen(e.id), (uint32_t)b->n, &slot))
		return fail(WS_EPARSE, name, id_at,
			    "duplicate id \"%s\" (first on line %u)",
			    quote(q, sizeof(q), e.id, strlen(e.id)),
			    b->entries[slot->value].line);
	XGROW(b->entries, b->alloc, b->n + 1);
	b->entries[b->n++] = e;
	return 0;
}

static void
baseline_init(struct report_baseline *b)
{
	memset(b, 0, sizeof(*b));
	strmap_init(&b->index);
	mempool_init(&b->pool, 16u << 10);
}

int
report_baseline_parse(struct report_baseline **out, char *buf, size_t len,
		      const char *name)
{
	struct report_baseline *b = NULL;
	const struct json_value *root, *m, *ignore = NULL, *v;
	struct json_doc doc;
	char q[64];
	int err;

	*out = NULL;
	if (len > REPORT_BASELINE_MAX)
		return ws_error_set(WS_ELIMIT,
				    "%s: baseline is %zu bytes, over the limit of %u",
				    name, len, REPORT_BASELINE_MAX);
	if ((err = json_parse(&doc, buf, len, name, 0)))
		return err;
	b = xmalloc(sizeof(*b));
	baseline_init(b);
	root = doc.root;
	if (root->type != JSON_OBJECT) {
		err = fail(WS_EPARSE, name, root,
			   "baseline must be an object with an \"ignore\" list, not %s",
			   json_type_name((enum json_type)root->type));
		goto done;
	}
	for (m = root->u.first; m; m = m->next) {
		if (!key_is(m, "ignore")) {
			err = fail(WS_EPARSE, name, m,
				   "unknown key \"%s\" in baseline (only \"ignore\")",
				   quote(q, sizeof(q), m->key, m->key_len));
			goto done;
		}
		if (ignore) {
			err = fail(WS_EPARSE, name, m,
				   "duplicate key \"ignore\"");
			goto done;
		}
		ignore = m;
	}
	if (!ignore) {
		err = fail(WS_EPARSE, name, root,
			   "baseline has no \"ignore\" list");
		goto done;
	}
	if (ignore->type != JSON_ARRAY) {
		err = fail(WS_EPARSE, name, ignore,
			   "\"ignore\" must be an array, not %s",
			   json_type_name((enum json_type)ignore->type));
		goto done;
	}
	strmap_reserve(&b->index, ignore->len);
	for (v = ignore->u.first; v; v = v->next)
		if ((err = parse_entry(b, name, v)))
			goto done;
done:
	json_doc_release(&doc);
	if (err)
		report_baseline_free(b);
	else
		*out = b;
	return err;
}

int
report_baseline_load(struct report_baseline **out, const char *path)
{
	struct strbuf sb;
	int err;

	*out = NULL;
	strbuf_init(&sb, REPORT_BASELINE_MAX);
	err = strbuf_read_file(&sb, path, 0);
	if (!err)
		err = report_baseline_parse(out, sb.buf, sb.len, path);
	strbuf_release(&sb);
	return err;
}

void
report_baseline_free(struct report_baseline *b)
{
	if (!b)
		return;
	free(b->entries);
	strmap_release(&b->index);
	mempool_release(&b->pool);
	free(b);
}

void
report_apply_baseline(struct report *r, const struct report_baseline *b,
		      const char *today)
{
	size_t i, kept = 0;

	if (!b)
		return;
	for (i = 0; i < r->nfindings; i++) {
		const struct report_finding *f = &r->findings[i];
		const struct strmap_entry *slot =
			strmap_find(&b->index, f->id, strlen(f->id));
		const struct baseline_entry *e;
		struct report_suppressed *s;

		e = slot ? &b->entries[slot->value] : NULL;
		/* without a today to compare with, a dated entry has expired */
		if (!e || (e->expires && (!today || strcmp(e->expires, today) < 0))) {
			r->findings[kept++] = *f;
			continue;
		}
		XGROW(r->suppressed, r->suppressed_alloc, r->nsuppressed + 1);
		s = &r->suppressed[r->nsuppressed++];
		s->id = f->id;
		s->reason = mempool_strdup(&r->pool, e->reason);
		s->expires = e->expires ? mempool_strdup(&r->pool, e->expires) :
					  NULL;
	}
	r->nfindings = kept;
}
