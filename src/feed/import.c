#include "feed/feed.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed/feed_int.h"
#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define OSV_RECORD_MAX (1u << 20)	/* one OSV record */
#define OSV_DEPTH_MAX 16		/* directory levels below PATH */
#define OSV_FILES_MAX 1000000u		/* directory entries or archive entries */
#define OSV_EVENTS_MAX 1024		/* events in one range */
#define IMPORT_MESSAGES_MAX 10000	/* messages kept; more are counted */
#define CSV_FIELDS_MAX 64

/* ---- statistics ---- */

static void
stats_skip(struct feed_import_stats *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
stats_skip(struct feed_import_stats *st, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	st->skipped++;
	if (st->nmessages >= IMPORT_MESSAGES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	XGROW(st->messages, st->messages_alloc, st->nmessages + 1);
	st->messages[st->nmessages++] = xstrdup(msg);
}

void
feed_import_stats_release(struct feed_import_stats *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nmessages; i++)
		free(st->messages[i]);
	free(st->messages);
	memset(st, 0, sizeof(*st));
}

/* ---- helpers ---- */

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims s[0..*n) in place; returns the new start. */
static char *
trim(char *s, size_t *n)
{
	while (*n && is_space(*s))
		s++, (*n)--;
	while (*n && is_space(s[*n - 1]))
		(*n)--;
	return s;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

enum vclass {
	V_EXACT,
	V_RANGE,
	V_EVERYTHING,
	V_BAD,
};

/*
 * What a version cell of a CSV or list says: an exact version ("1.2.3",
 * "= 1.2.3", "v1.2.3", "[1.2.3]") written canonically to canon, or a
 * node-semver range (*r, the caller's). A range that every version
 * satisfies is V_EVERYTHING: importers never take those. *s and *n are
 * moved to the text that was parsed (without spaces and brackets), which
 * is what a written feed must hold for its reader to parse it again.
 */
static enum vclass
classify(const char **s, size_t *n, char *canon, struct semver_range **r)
{
	const char *p = *s;
	size_t m = *n;
	struct semver v;

	*r = NULL;
	while (m && is_space(*p))
		p++, m--;
	while (m && is_space(p[m - 1]))
		m--;
	if (m >= 2 && p[0] == '[' && p[m - 1] == ']') {
		p++;
		m -= 2;
		while (m && is_space(*p))
			p++, m--;
		while (m && is_space(p[m - 1]))
			m--;
	}
	{
		const char *q = p;
		size_t k = m;

		while (k && (*q == '=' || is_space(*q)))
			q++, k--;
		if (k && k <= SEMVER_MAX_LEN && semver_parse(&v, q, k) == 0) {
			feed_version_canon(canon, &v);
			return V_EXACT;
		}
	}
	*s = p;
	*n = m;
	if (m == 0 || m > FEED_RANGE_MAX || semver_range_parse(r, p, m))
		return V_BAD;
	if (feed_range_is_everything(*r)) {
		semver_range_free(*r);
		*r = NULL;
		return V_EVERYTHING;
	}
	return V_RANGE;
}

/* Checks id and title and starts the feed. */
static int
import_begin(struct feed_builder *b, const char *path, const char *id,
	     const char *title)
{
	const char *why;

	if (id && !feed_check_id(id, strlen(id), &why))
		return ws_error_set(WS_EPARSE, "invalid feed id \"%.64s\": %s",
				    id, why);
	if (title && !feed_check_text(title, strlen(title), FEED_TEXT_MAX, &why))
		return ws_error_set(WS_EPARSE, "invalid feed title: %s", why);
	feed_builder_init(b, path, id, title);
	{
		const char *base = base_name(path);

		if (feed_check_text(base, strlen(base), FEED_TEXT_MAX, &why))
			feed_builder_add_source(b, base);
	}
	return 0;
}

/* The default source of a CSV row or list line: the file's name. */
static const char *
file_source(const char *path)
{
	const char *base = base_name(path), *why;

	return feed_check_text(base, strlen(base), FEED_TEXT_MAX, &why) ?
		       base : "imported";
}

/* ---- OSV ---- */

struct osv_ctx {
	struct feed_builder *b;
	struct feed_import_stats *st;
	char newest[11];	/* latest modified date of a taken record */
	size_t entries;		/* directory or archive entries seen */
};

enum osv_event_kind {
	EV_INTRODUCED,
	EV_FIXED,
	EV_LAST_AFFECTED,
};

struct osv_event {
	enum osv_event_kind kind;
	int zero;		/* introduced "0" */
	struct semver v;
	size_t order;
};

static int
cmp_event(const void *a, const void *b)
{
	const struct osv_event *x = a, *y = b;
	int c;

	if (x->zero != y->zero)
		return x->zero ? -1 : 1;
	c = x->zero ? 0 : semver_cmp(&x->v, &y->v);
	if (!c)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

/* Pending entry contents of one affected[] item. */
struct osv_item {
	char **versions;
	size_t nversions, versions_alloc;
	struct semver_range **ranges;
	char **texts;
	size_t nranges, ranges_alloc;
};

static void
osv_item_release(struct osv_item *it)
{
	size_t i;

	for (i = 0; i < it->nversions; i++)
		free(it->versions[i]);
	for (i = 0; i < it->nranges; i++) {
		semver_range_free(it->ranges[i]);
		free(it->texts[i]);
	}
	free(it->versions);
	free(it->ranges);
	free(it->texts);
	memset(it, 0, sizeof(*it));
}

static void
osv_item_add_range(struct osv_item *it, const char *text)
{
	struct semver_range *r;

	if (semver_range_parse(&r, text, strlen(text)))
		return;	/* built from parsed versions: cannot fail */
	if (it->nranges == it->ranges_alloc) {
		it->ranges_alloc = it->ranges_alloc ? 2 * it->ranges_alloc : 4;
		it->ranges = xreallocarray(it->ranges, it->ranges_alloc,
					   sizeof(*it->ranges));
		it->texts = xreallocarray(it->texts, it->ranges_alloc,
					  sizeof(*it->texts));
	}
	it->ranges[it->nranges] = r;
	it->texts[it->nranges++] = xstrdup(text);
}

static int
json_pos_fmt(char *buf, size_t n, const char *name, const struct json_value *v)
{
	return snprintf(buf, n, "%s:%u:%u", name, v ? v->line : 1u,
			v ? (unsigned)v->col16 : 1u);
}

/*
 * One SEMVER or ECOSYSTEM range: its events, sorted by version, become
 * node-semver ranges (">=1.2.3 <1.2.5", "<=1.0.1"). Returns 0, or -1
 * with *why set (the item is skipped).
 */
static int
osv_range(struct osv_ctx *c, struct osv_item *it, const struct json_value *rg,
	  const char **why, const struct json_value **at)
{
	const struct json_value *events = json_get(rg, "events"), *e;
	struct osv_event *ev = NULL;
	size_t n = 0, i;
	int open = 0, open_zero = 0, err = 0;
	struct semver from;

	if (!json_is(events, JSON_ARRAY)) {
		*why = "\"events\" must be an array";
		*at = events ? events : rg;
		return -1;
	}
	if (events->len > OSV_EVENTS_MAX) {
		*why = "too many events";
		*at = events;
		return -1;
	}
	ev = xreallocarray(NULL, events->len ? events->len : 1, sizeof(*ev));
	for (e = events->u.first; e; e = e->next) {
		const struct json_value *m;
		struct osv_event *x = &ev[n];

		if (!json_is(e, JSON_OBJECT) || !e->u.first) {
			*why = "an event must be an object with one key";
			*at = e;
			err = -1;
			goto done;
		}
		m = e->u.first;
		if (strcmp(m->key, "introduced") == 0)
			x->kind = EV_INTRODUCED;
		else if (strcmp(m->key, "fixed") == 0)
			x->kind = EV_FIXED;
		else if (strcmp(m->key, "last_affected") == 0)
			x->kind = EV_LAST_AFFECTED;
		else
			continue;	/* "limit" and later kinds */
		if (!json_is(m, JSON_STRING)) {
			*why = "an event's version must be a string";
			*at = m;
			err = -1;
			goto done;
		}
		x->zero = x->kind == EV_INTRODUCED && strcmp(m->u.str, "0") == 0;
		if (!x->zero && semver_parse(&x->v, m->u.str, m->len)) {
			*why = "an event's version is not a SemVer version";
			*at = m;
			err = -1;
			goto done;
		}
		x->order = n++;
	}
	if (n > 1)
		qsort(ev, n, sizeof(*ev), cmp_event);
	memset(&from, 0, sizeof(from));
	for (i = 0; i < n; i++) {
		char a[FEED_VERSION_BUF], z[FEED_VERSION_BUF];
		char text[2 * FEED_VERSION_BUF + 8];

		if (ev[i].kind == EV_INTRODUCED) {
			if (!open) {
				open = 1;
				open_zero = ev[i].zero;
				from = ev[i].v;
			}
			continue;
		}
		if (!open)
			continue;	/* a fix with nothing open */
		open = 0;
		feed_version_canon(z, &ev[i].v);
		if (open_zero) {
			snprintf(text, sizeof(text), "%s%s",
				 ev[i].kind == EV_FIXED ? "<" : "<=", z);
		} else {
			feed_version_canon(a, &from);
			snprintf(text, sizeof(text), ">=%s %s%s", a,
				 ev[i].kind == EV_FIXED ? "<" : "<=", z);
		}
		osv_item_add_range(it, text);
	}
	if (open) {
		/* affected from here on, with no fix: every version when it
		 * starts at "0", which is never taken */
		if (open_zero) {
			c->st->ignored++;
		} else {
			char a[FEED_VERSION_BUF], text[FEED_VERSION_BUF + 4];

			feed_version_canon(a, &from);
			snprintf(text, sizeof(text), ">=%s", a);
			osv_item_add_range(it, text);
		}
	}
	/* ">=0.0.0" is every version too */
	for (i = 0; i < it->nranges; i++) {
		if (!feed_range_is_everything(it->ranges[i]))
			continue;
		semver_range_free(it->ranges[i]);
		free(it->texts[i]);
		it->ranges[i] = it->ranges[it->nranges - 1];
		it->texts[i] = it->texts[it->nranges - 1];
		it->nranges--;
		i--;
		c->st->ignored++;
	}
done:
	free(ev);
	return err;
}

/* affected[ai]: an entry for an npm package, or ignored, or skipped. */
static void
osv_affected(struct osv_ctx *c, const char *name, const struct json_value *a,
	     size_t ai, const char *id, const char *source, int *taken)
{
	const struct json_value *pkg, *eco, *pname, *versions, *ranges, *v;
	struct feed_builder_pkg *p;
	struct osv_item it;
	const char *why = NULL;
	const struct json_value *at = a;
	char pos[600];
	size_t i;

	memset(&it, 0, sizeof(it));
	if (!json_is(a, JSON_OBJECT)) {
		why = "must be an object";
		goto skip;
	}
	pkg = json_get(a, "package");
	eco = json_get(pkg, "ecosystem");
	pname = json_get(pkg, "name");
	if (!json_is(pkg, JSON_OBJECT) || !json_is(eco, JSON_STRING)) {
		why = "\"package\" needs an \"ecosystem\" string";
		at = pkg ? pkg : a;
		goto skip;
	}
	if (strcmp(eco->u.str, "npm") != 0) {
		c->st->ignored++;
		return;
	}
	if (!json_is(pname, JSON_STRING) ||
	    !feed_check_name(pname->u.str, pname->len, &why)) {
		why = "\"package.name\" is missing or not a package name";
		at = pname ? pname : pkg;
		goto skip;
	}
	versions = json_get(a, "versions");
	ranges = json_get(a, "ranges");
	if (versions && !json_is(versions, JSON_ARRAY)) {
		why = "\"versions\" must be an array";
		at = versions;
		goto skip;
	}
	/* An explicit list is what the source actually saw: prefer it. */
	if (versions && versions->len) {
		if (versions->len > FEED_LIST_MAX) {
			why = "too many versions";
			at = versions;
			goto skip;
		}
		for (v = versions->u.first; v; v = v->next) {
			char canon[FEED_VERSION_BUF];
			struct semver sv;

			if (!json_is(v, JSON_STRING) ||
			    semver_parse(&sv, v->u.str, v->len)) {
				why = "a version is not a SemVer version";
				at = v;
				goto skip;
			}
			feed_version_canon(canon, &sv);
			XGROW(it.versions, it.versions_alloc, it.nversions + 1);
			it.versions[it.nversions++] = xstrdup(canon);
		}
	} else if (ranges) {
		const struct json_value *rg;

		if (!json_is(ranges, JSON_ARRAY)) {
			why = "\"ranges\" must be an array";
			at = ranges;
			goto skip;
		}
		for (rg = ranges->u.first; rg; rg = rg->next) {
			const char *type = json_get_str(rg, "type");

			if (!json_is(rg, JSON_OBJECT) || !type) {
				why = "a range needs a \"type\"";
				at = rg;
				goto skip;
			}
			if (strcmp(type, "SEMVER") != 0 &&
			    strcmp(type, "ECOSYSTEM") != 0) {
				c->st->ignored++;	/* GIT: commits */
				continue;
			}
			if (osv_range(c, &it, rg, &why, &at))
				goto skip;
		}
	}
	if (!it.nversions && !it.nranges) {
		/* nothing left but every-version ranges (counted), or no
		 * versions at all */
		if (!versions && !ranges) {
			why = "lists no \"versions\" and no \"ranges\"";
			goto skip;
		}
		osv_item_release(&it);
		return;
	}
	p = feed_builder_pkg(c->b, pname->u.str, source, id);
	if (!p) {
		why = "too many entries";
		goto skip;
	}
	for (i = 0; i < it.nversions; i++)
		feed_builder_add_version(c->b, p, it.versions[i]);
	for (i = 0; i < it.nranges; i++) {
		feed_builder_add_range(c->b, p, it.ranges[i], it.texts[i]);
		it.ranges[i] = NULL;
	}
	c->st->taken++;
	*taken = 1;
	osv_item_release(&it);
	return;

skip:
	osv_item_release(&it);
	json_pos_fmt(pos, sizeof(pos), name, at);
	stats_skip(c->st, "%s: affected[%zu]: %s", pos, ai, why);
}

/* A control-free, bounded copy of an OSV summary for descriptions. */
static char *
clean_summary(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;
	char *out;

	if (!n)
		return NULL;
	if (n > FEED_TEXT_MAX) {
		n = FEED_TEXT_MAX;
		/* do not cut a UTF-8 sequence */
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	out = xstrndup(s, n);
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	if (!feed_utf8_valid(out, n)) {
		free(out);
		return NULL;
	}
	return out;
}

static void
osv_iocs(struct osv_ctx *c, const char *name, const struct json_value *list,
	 const char *kind, const char *summary, const char *source,
	 const char *id)
{
	const struct json_value *v;
	const char *why;
	char pos[600];

	if (!json_is(list, JSON_ARRAY))
		return;
	for (v = list->u.first; v; v = v->next) {
		if (!json_is(v, JSON_STRING) ||
		    !feed_check_text(v->u.str, v->len, FEED_TEXT_MAX, &why) ||
		    strchr(v->u.str, '\n') || strchr(v->u.str, '\t')) {
			json_pos_fmt(pos, sizeof(pos), name, v);
			stats_skip(c->st, "%s: database_specific.iocs: not a %s",
				   pos, kind);
			continue;
		}
		if (feed_builder_add_network(c->b, kind, v->u.str, summary,
					     source, id)) {
			stats_skip(c->st, "%s: %s", name, ws_error_last());
			return;
		}
		c->st->taken++;
	}
}

static void
osv_record(struct osv_ctx *c, char *buf, size_t len, const char *name)
{
	const struct json_value *root, *affected, *a, *ds, *iocs, *mod;
	struct json_doc doc;
	const char *id, *src, *why;
	char *source = NULL, *summary = NULL;
	char pos[600];
	size_t ai = 0;
	int taken = 0;

	if (json_parse(&doc, buf, len, name, 0)) {
		stats_skip(c->st, "%s", ws_error_last());
		return;
	}
	root = doc.root;
	id = json_get_str(root, "id");
	if (!json_is(root, JSON_OBJECT) || !id ||
	    !feed_check_name(id, strlen(id), &why) || strlen(id) > 256) {
		json_pos_fmt(pos, sizeof(pos), name, root);
		stats_skip(c->st, "%s: not an OSV record (no \"id\")", pos);
		goto done;
	}
	if (json_get(root, "withdrawn")) {
		c->st->ignored++;
		goto done;
	}
	affected = json_get(root, "affected");
	if (!json_is(affected, JSON_ARRAY)) {
		json_pos_fmt(pos, sizeof(pos), name, affected ? affected : root);
		stats_skip(c->st, "%s: %s: \"affected\" must be an array", pos,
			   id);
		goto done;
	}
	ds = json_get(root, "database_specific");
	src = json_get_str(ds, "source");
	if (src && feed_check_text(src, strlen(src), FEED_TEXT_MAX, &why) &&
	    !strchr(src, '\n') && !strchr(src, '\t')) {
		source = xstrdup(src);
	} else {
		size_t n = strlen(id) + 5;

		source = xmalloc(n);
		snprintf(source, n, "osv:%s", id);
	}
	for (a = affected->u.first; a; a = a->next, ai++)
		osv_affected(c, name, a, ai, id, source, &taken);
	if (!taken)
		goto done;
	summary = clean_summary(json_get_str(root, "summary"));
	iocs = json_get(ds, "iocs");
	osv_iocs(c, name, json_get(iocs, "domains"), "domain", summary,
		 source, id);
	osv_iocs(c, name, json_get(iocs, "urls"), "url", summary, source, id);
	mod = json_get(root, "modified");
	if (!json_is(mod, JSON_STRING))
		mod = json_get(root, "published");
	if (json_is(mod, JSON_STRING) && mod->len >= 10 &&
	    feed_check_date(mod->u.str, 10) &&
	    memcmp(mod->u.str, c->newest, 10) > 0) {
		memcpy(c->newest, mod->u.str, 10);
		c->newest[10] = '\0';
	}
done:
	free(source);
	free(summary);
	json_doc_release(&doc);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
osv_file(struct osv_ctx *c, const char *path)
{
	struct strbuf sb;
	int err;

	strbuf_init(&sb, OSV_RECORD_MAX);
	err = strbuf_read_file(&sb, path, 1);
	if (err == WS_ELIMIT)
		stats_skip(c->st, "%s: larger than 1 MB", path);
	else if (err)
		stats_skip(c->st, "%s", ws_error_last());
	else
		osv_record(c, sb.buf, sb.len, path);
	strbuf_release(&sb);
	return 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
osv_dir(struct osv_ctx *c, const char *dir, int depth)
{
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(dir);
	if (!d) {
		if (depth == 0)
			return ws_error_set(errno == ENOENT ? WS_ENOTFOUND :
							      WS_EIO,
					    "%s: %s", dir, strerror(errno));
		stats_skip(c->st, "%s: %s", dir, strerror(errno));
		return 0;
	}
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;	/* ., .., .git and other hidden ones */
		if (++c->entries > OSV_FILES_MAX) {
			err = ws_error_set(WS_ELIMIT,
					   "%s: more than %u files", dir,
					   OSV_FILES_MAX);
			break;
		}
		XGROW(names, alloc, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	/* sorted, so that the feed is the same on every file system */
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; !err && i < n; i++) {
		size_t plen = strlen(dir) + strlen(names[i]) + 2;
		char *path = xmalloc(plen);
		struct stat st;

		snprintf(path, plen, "%s/%s", dir, names[i]);
		if (lstat(path, &st) != 0) {
			stats_skip(c->st, "%s: %s", path, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (depth + 1 > OSV_DEPTH_MAX)
				stats_skip(c->st,
					   "%s: more than %d directory levels deep",
					   path, OSV_DEPTH_MAX);
			else
				err = osv_dir(c, path, depth + 1);
		} else if (S_ISREG(st.st_mode) && ends_with(names[i], ".json")) {
			err = osv_file(c, path);
		}
		/* symbolic links and other files are not followed */
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

/* Whether an archive member name has a ".." component. */
static int
has_dotdot(const char *name)
{
	const char *p = name;

	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

static int
osv_archive(struct osv_ctx *c, const char *path)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *ae;
	char *buf = xmalloc(OSV_RECORD_MAX + 1);
	char *label = NULL;
	size_t label_alloc = 0;
	int err = 0, r;

	archive_read_support_format_zip(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_filter_gzip(ar);
	if (archive_read_open_filename(ar, path, 64u << 10) != ARCHIVE_OK) {
		err = ws_error_set(WS_EPARSE,
				   "%s: not a directory, an OSV record (*.json) or a zip archive: %s",
				   path, archive_error_string(ar) ?
						 archive_error_string(ar) :
						 "unreadable");
		goto done;
	}
	for (;;) {
		const char *name;
		size_t len = 0, need;
		la_ssize_t got = 0;
		int oversize = 0;

		r = archive_read_next_header(ar, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
			if (c->entries == 0)
				err = ws_error_set(WS_EPARSE,
						   "%s: not a directory, an OSV record (*.json) or a zip archive: %s",
						   path,
						   archive_error_string(ar) ?
							   archive_error_string(ar) :
							   "unreadable");
			else
				stats_skip(c->st, "%s: archive damaged after %zu entries: %s",
					   path, c->entries,
					   archive_error_string(ar) ?
						   archive_error_string(ar) :
						   "unreadable");
			break;
		}
		if (++c->entries > OSV_FILES_MAX) {
			err = ws_error_set(WS_ELIMIT,
					   "%s: more than %u entries", path,
					   OSV_FILES_MAX);
			break;
		}
		name = archive_entry_pathname(ae);
		if (!name || archive_entry_filetype(ae) != AE_IFREG ||
		    !ends_with(name, ".json"))
			continue;
		need = strlen(path) + strlen(name) + 2;
		if (need > label_alloc) {
			label_alloc = need;
			label = xrealloc(label, label_alloc);
		}
		snprintf(label, label_alloc, "%s/%s", path, name);
		if (has_dotdot(name)) {
			c->st->ignored++;
			continue;
		}
		if (archive_entry_size_is_set(ae) &&
		    archive_entry_size(ae) > (la_int64_t)OSV_RECORD_MAX) {
			stats_skip(c->st, "%s: larger than 1 MB", label);
			continue;
		}
		/* read at most one byte past the cap, whatever the header
		 * claimed */
		while ((need = OSV_RECORD_MAX + 1 - len) > 0 &&
		       (got = archive_read_data(ar, buf + len, need)) > 0)
			len += (size_t)got;
		if (len > OSV_RECORD_MAX) {
			oversize = 1;
		} else if (need > 0 && got < 0) {
			stats_skip(c->st, "%s: %s", label,
				   archive_error_string(ar) ?
					   archive_error_string(ar) :
					   "unreadable");
			if (got == ARCHIVE_FATAL)
				break;
			continue;
		}
		if (oversize) {
			stats_skip(c->st, "%s: larger than 1 MB", label);
			continue;
		}
		buf[len] = '\0';
		osv_record(c, buf, len, label);
	}
done:
	archive_read_free(ar);
	free(buf);
	free(label);
	return err;
}

static int
osv_finish(struct feed **out, struct feed_builder *b, struct osv_ctx *c,
	   int err)
{
	if (err) {
		feed_builder_release(b);
		return err;
	}
	if (c->newest[0])
		feed_builder_set_published(b, c->newest);
	*out = feed_builder_finish(b);
	return 0;
}

int
feed_import_osv(struct feed **out, const char *path, const char *id,
		const char *title, struct feed_import_stats *st)
{
	struct feed_import_stats local;
	struct feed_builder b;
	struct osv_ctx c;
	struct stat sb;
	int err;

	*out = NULL;
	memset(&local, 0, sizeof(local));
	if ((err = import_begin(&b, path, id, title)))
		return err;
	memset(&c, 0, sizeof(c));
	c.b = &b;
	c.st = st ? st : &local;
	if (stat(path, &sb) != 0)
		err = ws_error_set(errno == ENOENT ? WS_ENOTFOUND : WS_EIO,
				   "%s: %s", path, strerror(errno));
	else if (S_ISDIR(sb.st_mode))
		err = osv_dir(&c, path, 0);
	else if (ends_with(path, ".json"))
		err = osv_file(&c, path);
	else
		err = osv_archive(&c, path);
	feed_import_stats_release(&local);
	return osv_finish(out, &b, &c, err);
}

/* ---- CSV ---- */

struct csv_reader {
	char *p, *end;
	unsigned line;
};

/*
 * Reads one RFC 4180 record in place: fields are unquoted into the buffer
 * and NUL-terminated there. Returns 1 with a record, 0 at the end, or -1
 * for a malformed record (*why set; the reader is past it).
 */
static int
csv_next(struct csv_reader *r, char **fields, size_t *nf, unsigned *rec_line,
	 const char **why)
{
	size_t n = 0;
	int bad = 0;

	*rec_line = r->line;
	*nf = 0;
	if (r->p >= r->end)
		return 0;
	for (;;) {
		char *start = r->p, *out = r->p;
		char sep;

		if (r->p < r->end && *r->p == '"') {
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					*why = "unterminated quoted field";
					return -1;
				}
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						*out++ = '"';
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (*r->p == '\n')
					r->line++;
				*out++ = *r->p++;
			}
			if (r->p + 1 < r->end && r->p[0] == '\r' &&
			    r->p[1] == '\n')
				r->p++;
			if (r->p < r->end && *r->p != ',' && *r->p != '\n') {
				*why = "text after a closing quote";
				bad = 1;
				while (r->p < r->end && *r->p != '\n')
					r->p++;
			}
		} else {
			while (r->p < r->end && *r->p != ',' && *r->p != '\n') {
				if (*r->p == '"' && !bad) {
					*why = "a quote inside an unquoted field";
					bad = 1;
				}
				r->p++;
			}
			out = r->p;
			if (out > start && out[-1] == '\r')
				out--;
		}
		sep = r->p < r->end ? *r->p : '\0';
		*out = '\0';
		if (n < CSV_FIELDS_MAX)
			fields[n] = start;
		else if (!bad) {
			*why = "more than 64 fields";
			bad = 1;
		}
		n++;
		if (sep == ',') {
			r->p++;
			continue;
		}
		if (sep == '\n') {
			r->p++;
			r->line++;
		}
		break;
	}
	*nf = n < CSV_FIELDS_MAX ? n : CSV_FIELDS_MAX;
	return bad ? -1 : 1;
}

/* "Package Name" -> "package_name" */
static void
header_norm(char *s)
{
	size_t n = strlen(s), i;
	char *t = trim(s, &n);

	for (i = 0; i < n; i++) {
		char c = t[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == ' ' || c == '-')
			c = '_';
		s[i] = c;
	}
	s[n] = '\0';
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

struct csv_columns {
	int name, versions, source, type, advisory;
	size_t need;	/* fields a row must have */
};

static int
csv_header(struct csv_columns *col, char **fields, size_t nf)
{
	static const char *const names[] = {
		"name", "package", "package_name", "packagename", NULL,
	};
	static const char *const versions[] = {
		"version", "versions", "package_version", "package_versions",
		"affected_versions", "malicious_versions", NULL,
	};
	static const char *const sources[] = { "source", "sources", NULL };
	static const char *const types[] = {
		"artifact_type", "package_type", "ecosystem", "type", NULL,
	};
	static const char *const advisories[] = {
		"advisory", "advisory_id", "osv_id", NULL,
	};
	size_t i;

	col->name = col->versions = col->source = col->type = -1;
	col->advisory = -1;
	for (i = 0; i < nf; i++) {
		int *slot = NULL;

		header_norm(fields[i]);
		if (in_list(fields[i], names))
			slot = &col->name;
		else if (in_list(fields[i], versions))
			slot = &col->versions;
		else if (in_list(fields[i], sources))
			slot = &col->source;
		else if (in_list(fields[i], types))
			slot = &col->type;
		else if (in_list(fields[i], advisories))
			slot = &col->advisory;
		if (slot && *slot < 0)
			*slot = (int)i;
	}
	if (col->name < 0 || col->versions < 0)
		return -1;
	col->need = (size_t)(col->name > col->versions ? col->name :
							 col->versions) + 1;
	return 0;
}

/* The ecosystem column allows npm ("npm", "npm package"); other rows are
 * out of scope. */
static int
csv_type_is_npm(const char *s)
{
	char buf[32];
	size_t n = strlen(s), i;
	const char *t;

	t = trim((char *)s, &n);
	if (n >= sizeof(buf))
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] - 'A' + 'a' :
							     t[i]);
	buf[n] = '\0';
	return strcmp(buf, "npm") == 0 || strcmp(buf, "npm package") == 0 ||
	       strcmp(buf, "npm-package") == 0 || strcmp(buf, "npm_package") == 0;
}

/*
 * A versions cell, split into pieces ("1.0.1 || 1.0.2", "1.0.1, 1.0.2",
 * "1.0.1;1.0.2") and classified; held until the row is known to be good.
 */
struct cell_ctx {
	struct feed_builder *b;
	struct feed_import_stats *st;
	char **exact;
	size_t nexact, exact_alloc;
	struct semver_range **ranges;
	char **texts;
	size_t nranges, ranges_alloc;
	size_t npieces;		/* non-empty pieces seen */
	char bad[128];
};

static void
cell_release(struct cell_ctx *cc)
{
	size_t i;

	for (i = 0; i < cc->nexact; i++)
		free(cc->exact[i]);
	for (i = 0; i < cc->nranges; i++) {
		semver_range_free(cc->ranges[i]);
		free(cc->texts[i]);
	}
	free(cc->exact);
	free(cc->ranges);
	free(cc->texts);
	cc->exact = NULL;
	cc->ranges = NULL;
	cc->texts = NULL;
	cc->nexact = cc->nranges = cc->exact_alloc = cc->ranges_alloc = 0;
	cc->npieces = 0;
}

static int
cell_piece(struct cell_ctx *cc, char *s, size_t n)
{
	char canon[FEED_VERSION_BUF];
	struct semver_range *r;
	const char *text;
	size_t tlen;

	s = trim(s, &n);
	if (!n)
		return 0;
	cc->npieces++;
	text = s;
	tlen = n;
	switch (classify(&text, &tlen, canon, &r)) {
	case V_EXACT:
		if (cc->nexact >= FEED_LIST_MAX)
			return 0;
		XGROW(cc->exact, cc->exact_alloc, cc->nexact + 1);
		cc->exact[cc->nexact++] = xstrdup(canon);
		return 0;
	case V_RANGE:
		if (cc->nranges >= FEED_LIST_MAX) {
			semver_range_free(r);
			return 0;
		}
		if (cc->nranges == cc->ranges_alloc) {
			cc->ranges_alloc = cc->ranges_alloc ?
				2 * cc->ranges_alloc : 4;
			cc->ranges = xreallocarray(cc->ranges, cc->ranges_alloc,
						   sizeof(*cc->ranges));
			cc->texts = xreallocarray(cc->texts, cc->ranges_alloc,
						  sizeof(*cc->texts));
		}
		cc->ranges[cc->nranges] = r;
		cc->texts[cc->nranges++] = xstrndup(text, tlen);
		return 0;
	case V_EVERYTHING:
		cc->st->ignored++;
		return 0;
	default: {
		size_t i, k = 0;

		/* quoted in the message: printable, shortened */
		for (i = 0; i < n && k < 48; i++)
			cc->bad[k++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
		cc->bad[k] = '\0';
		return -1;
	}
	}
}

static int
cell_split(struct cell_ctx *cc, char *cell)
{
	char *p = cell;

	if (strstr(cell, "||")) {
		char *q;

		while ((q = strstr(p, "||"))) {
			if (cell_piece(cc, p, (size_t)(q - p)))
				return -1;
			p = q + 2;
		}
		return cell_piece(cc, p, strlen(p));
	}
	for (;;) {
		char *q = strpbrk(p, ",;");

		if (!q)
			return cell_piece(cc, p, strlen(p));
		if (cell_piece(cc, p, (size_t)(q - p)))
			return -1;
		p = q + 1;
	}
}

/* Adds what cc holds to the entry for name; 0, or -1 past the limit. */
static int
cell_commit(struct cell_ctx *cc, const char *name, const char *source,
	    const char *advisory)
{
	struct feed_builder_pkg *p;
	size_t i;

	p = feed_builder_pkg(cc->b, name, source, advisory);
	if (!p)
		return -1;
	for (i = 0; i < cc->nexact; i++)
		feed_builder_add_version(cc->b, p, cc->exact[i]);
	for (i = 0; i < cc->nranges; i++) {
		feed_builder_add_range(cc->b, p, cc->ranges[i], cc->texts[i]);
		cc->ranges[i] = NULL;
	}
	return 0;
}

static int
import_csv(struct feed_builder *b, struct feed_import_stats *st, char *buf,
	   size_t len, const char *name)
{
	struct csv_reader r;
	struct csv_columns col;
	struct cell_ctx cc;
	char *fields[CSV_FIELDS_MAX];
	const char *why = NULL, *deflt = file_source(name);
	unsigned line;
	size_t nf;
	int have_header = 0, k, err = 0;

	r.p = buf;
	r.end = buf + len;
	r.line = 1;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r.p += 3;
	memset(&cc, 0, sizeof(cc));
	cc.b = b;
	cc.st = st;
	while ((k = csv_next(&r, fields, &nf, &line, &why)) != 0) {
		char *pname, *source = NULL, *advisory = NULL;
		size_t n, i;
		int blank = 1;

		if (k < 0) {
			stats_skip(st, "%s:%u: %s", name, line, why);
			continue;
		}
		for (i = 0; i < nf && blank; i++) {
			n = strlen(fields[i]);
			trim(fields[i], &n);
			blank = n == 0;
		}
		if (blank)
			continue;
		if (!have_header) {
			if (csv_header(&col, fields, nf)) {
				err = ws_error_set(WS_EPARSE,
						   "%s:%u: unrecognised CSV header: expected a name column (name, package, package_name) and a version column (version, versions, package_version, package_versions, affected_versions, malicious_versions)",
						   name, line);
				break;
			}
			have_header = 1;
			continue;
		}
		if (nf < col.need) {
			stats_skip(st, "%s:%u: expected at least %zu fields, found %zu",
				   name, line, col.need, nf);
			continue;
		}
		if (col.type >= 0 && (size_t)col.type < nf &&
		    !csv_type_is_npm(fields[col.type])) {
			st->ignored++;
			continue;
		}
		n = strlen(fields[col.name]);
		pname = trim(fields[col.name], &n);
		pname[n] = '\0';
		if (!feed_check_name(pname, n, &why)) {
			stats_skip(st, "%s:%u: the package name %s", name, line,
				   why);
			continue;
		}
		if (col.source >= 0 && (size_t)col.source < nf) {
			n = strlen(fields[col.source]);
			source = trim(fields[col.source], &n);
			source[n] = '\0';
			if (!n)
				source = NULL;
			else if (!feed_check_text(source, n, FEED_TEXT_MAX, &why) ||
				 strchr(source, '\n') || strchr(source, '\t')) {
				stats_skip(st, "%s:%u: the source %s", name,
					   line, why ? why : "has a line break");
				continue;
			}
		}
		if (col.advisory >= 0 && (size_t)col.advisory < nf) {
			n = strlen(fields[col.advisory]);
			advisory = trim(fields[col.advisory], &n);
			advisory[n] = '\0';
			if (!n)
				advisory = NULL;
			else if (!feed_check_text(advisory, n, FEED_TEXT_MAX,
						  &why) ||
				 strchr(advisory, '\n') || strchr(advisory, '\t')) {
				stats_skip(st, "%s:%u: the advisory %s", name,
					   line, why ? why : "has a line break");
				continue;
			}
		}
		if (cell_split(&cc, fields[col.versions])) {
			stats_skip(st, "%s:%u: \"%s\" is not a version or a range",
				   name, line, cc.bad);
			cell_release(&cc);
			continue;
		}
		if (!cc.nexact && !cc.nranges) {
			/* every-version ranges alone were counted as ignored */
			if (!cc.npieces)
				stats_skip(st, "%s:%u: no version", name, line);
			cell_release(&cc);
			continue;
		}
		if (cell_commit(&cc, pname, source ? source : deflt, advisory)) {
			cell_release(&cc);
			err = ws_error_last_code();
			break;
		}
		st->taken++;
		cell_release(&cc);
	}
	cell_release(&cc);
	if (!err && !have_header)
		err = ws_error_set(WS_EPARSE, "%s: no CSV header found", name);
	return err;
}

/* ---- name:version lists ---- */

static int
import_list(struct feed_builder *b, struct feed_import_stats *st, char *buf,
	    size_t len, const char *name)
{
	struct cell_ctx cc;
	const char *source = file_source(name), *why;
	char *p = buf, *end = buf + len;
	unsigned line = 0;
	int err = 0;

	memset(&cc, 0, sizeof(cc));
	cc.b = b;
	cc.st = st;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && !err) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *s = p, *hash, *sep, *pname, *ver, *colon;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		line++;
		p = nl ? nl + 1 : end;
		s[n] = '\0';
		/* "# comment" lines, and " # comment" after an entry */
		for (hash = s; (hash = strchr(hash, '#')); hash++)
			if (hash == s || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		n = strlen(s);
		s = trim(s, &n);
		s[n] = '\0';
		if (!n)
			continue;
		colon = strrchr(s, ':');
		if (colon) {
			char *first = strchr(s, ':');

			ver = colon + 1;
			*colon = '\0';
			pname = s;
			if (first != colon) {
				/* "<ecosystem>:name:version": only npm here */
				*first = '\0';
				pname = first + 1;
				if (strcmp(s, "npm") != 0) {
					st->ignored++;
					continue;
				}
			}
		} else {
			sep = strrchr(s, '@');
			if (!sep || sep == s) {
				stats_skip(st, "%s:%u: expected name:version or name@version",
					   name, line);
				continue;
			}
			*sep = '\0';
			pname = s;
			ver = sep + 1;
		}
		n = strlen(pname);
		pname = trim(pname, &n);
		pname[n] = '\0';
		if (!feed_check_name(pname, n, &why)) {
			stats_skip(st, "%s:%u: the package name %s", name, line,
				   why);
			continue;
		}
		n = strlen(ver);
		ver = trim(ver, &n);
		if (!n) {
			stats_skip(st, "%s:%u: no version", name, line);
			continue;
		}
		if (cell_piece(&cc, ver, n)) {
			stats_skip(st, "%s:%u: \"%s\" is not a version or a range",
				   name, line, cc.bad);
			cell_release(&cc);
			continue;
		}
		if (cc.nexact || cc.nranges) {
			if (cell_commit(&cc, pname, source, NULL))
				err = ws_error_last_code();
			else
				st->taken++;
		}
		cell_release(&cc);
	}
	cell_release(&cc);
	return err;
}

/* ---- entry points ---- */

typedef int (*text_importer)(struct feed_builder *b,
			     struct feed_import_stats *st, char *buf,
			     size_t len, const char *name);

static int
import_text(struct feed **out, text_importer fn, char *buf, size_t len,
	    const char *name, const char *id, const char *title,
	    struct feed_import_stats *st)
{
	struct feed_import_stats local;
	struct feed_builder b;
	int err;

	memset(&local, 0, sizeof(local));
	if ((err = import_begin(&b, name, id, title)))
		return err;
	err = fn(&b, st ? st : &local, buf, len, name);
	feed_import_stats_release(&local);
	if (err) {
		feed_builder_release(&b);
		return err;
	}
	*out = feed_builder_finish(&b);
	return 0;
}

static int
import_text_file(struct feed **out, text_importer fn, const char *path,
		 const char *id, const char *title,
		 struct feed_import_stats *st)
{
	struct strbuf sb;
	int err;

	*out = NULL;
	strbuf_init(&sb, FEED_MAX);
	if (!(err = strbuf_read_file(&sb, path, 0)))
		err = import_text(out, fn, sb.buf, sb.len, path, id, title, st);
	strbuf_release(&sb);
	return err;
}

int
feed_import_csv(struct feed **out, const char *path, const char *id,
		const char *title, struct feed_import_stats *st)
{
	return import_text_file(out, import_csv, path, id, title, st);
}

int
feed_import_list(struct feed **out, const char *path, const char *id,
		 const char *title, struct feed_import_stats *st)
{
	return import_text_file(out, import_list, path, id, title, st);
}

int
feed_import_buffer(struct feed **out, enum feed_import_from from, char *buf,
		   size_t len, const char *name, const char *id,
		   const char *title, struct feed_import_stats *st)
{
	struct feed_import_stats local;
	struct feed_builder b;
	struct osv_ctx c;
	int err;

	*out = NULL;
	if (!name)
		name = "<input>";
	if (len > FEED_MAX)
		return ws_error_set(WS_ELIMIT, "%s: larger than %u bytes", name,
				    FEED_MAX);
	switch (from) {
	case FEED_FROM_CSV:
		return import_text(out, import_csv, buf, len, name, id, title,
				   st);
	case FEED_FROM_LIST:
		return import_text(out, import_list, buf, len, name, id, title,
				   st);
	default:
		break;
	}
	memset(&local, 0, sizeof(local));
	if ((err = import_begin(&b, name, id, title)))
		return err;
	memset(&c, 0, sizeof(c));
	c.b = &b;
	c.st = st ? st : &local;
	if (len > OSV_RECORD_MAX)
		stats_skip(c.st, "%s: larger than 1 MB", name);
	else
		osv_record(&c, buf, len, name);
	feed_import_stats_release(&local);
	return osv_finish(out, &b, &c, 0);
}
