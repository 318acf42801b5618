#include "lockfile/lockfile.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "lockfile/internal.h"
#include "util/banned.h"

/*
 * yarn v1 lockfiles: yarn's own line format, not YAML.
 *
 *	# yarn lockfile v1
 *
 *	"@scope/a@^1.0.0", "@scope/a@^1.1.0":
 *	  version "1.2.0"
 *	  resolved "https://registry.example/@scope/a/-/a-1.2.0.tgz#<sha1>"
 *	  integrity sha512-...
 *	  dependencies:
 *	    b "^2.0.0"
 *
 * One entry per resolved package, keyed by every specifier (name@range)
 * that resolved to it. Edges are by specifier too: b "^2.0.0" of an entry
 * is the entry whose keys hold "b@^2.0.0". Entries have no install
 * locations, so each becomes a node named "name@version" (synthetic
 * locations) and every edge is linked here.
 *
 * The lockfile does not record the project itself: the root's edges come
 * from its package.json, and workspace members are found on disk from the
 * manifest's "workspaces" globs, as yarn does. A dependency no entry
 * answers that names a workspace member is linked to the member (yarn v1
 * links workspaces; it has no workspace: protocol).
 *
 * The parser works in place: quoted strings are unescaped into buf and
 * every token is NUL-terminated there, so entries point into buf until the
 * tree copies what it keeps.
 */

#define YV1_LINE_MAX (1u << 20)		/* bytes in one line */
#define YV1_KEYS_MAX 100000u		/* specifiers of one entry */
#define YV1_DEPS_MAX 100000u		/* dependencies of one entry */
#define YV1_WS_MEMBERS_MAX 10000u	/* workspace members found */
#define YV1_WS_ENTRIES_MAX 200000u	/* directory entries read for them */
#define YV1_WS_DEPTH_MAX 16		/* directory levels below the project */
#define YV1_NAME_MAX 214		/* npm's longest package name */

enum yv1_block {
	YV1_BLOCK_NONE,		/* the last field had a value */
	YV1_BLOCK_DEPS,
	YV1_BLOCK_OPTIONAL,
	YV1_BLOCK_OTHER,	/* a block we do not read (prebuiltVariants) */
};

struct yv1_tok {
	char *s;		/* into buf; unescaped in place */
	size_t n;
	unsigned col;
};

struct yv1_key {
	const char *s;
	unsigned col;
};

struct yv1_edge {
	const char *name;
	const char *range;
	enum tree_dep_kind kind;
};

/* The entry being read: emitted as a node when the next one starts. */
struct yv1_entry {
	unsigned line;
	struct yv1_key *keys;
	size_t nkeys, keys_alloc;
	struct yv1_tok version, resolved, integrity;	/* s NULL: absent */
	struct yv1_edge *deps;
	size_t ndeps, deps_alloc;
	enum yv1_block block;
};

struct yv1_reader {
	struct tree *t;
	const char *file;
	char *dir;		/* the project directory (dirname of file) */
	unsigned line;
	char *lstart;		/* start of the current line, for columns */
	struct yv1_entry e;
	struct strmap specs;	/* every specifier -> its entry's node */
	struct strmap dups;	/* name@version -> entries seen past the first */
	struct strmap members;	/* workspace member name -> node */
	struct strbuf scratch;
	size_t nentries;	/* entry nodes come first in the tree */
	const char **first_keys;	/* per entry: its first specifier */
	size_t first_keys_alloc;
};

static int yv1_err(const struct yv1_reader *r, const char *at,
		   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A parse error at byte `at` of the current line. */
static int
yv1_err(const struct yv1_reader *r, const char *at, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ws_error_set(WS_EPARSE, "%s:%u:%u: %s", r->file, r->line,
			    (unsigned)(at - r->lstart) + 1, what);
}

static int yv1_err_at(const struct yv1_reader *r, unsigned line,
		      unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
yv1_err_at(const struct yv1_reader *r, unsigned line, unsigned col,
	   const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ws_error_set(WS_EPARSE, "%s:%u:%u: %s", r->file, line, col,
			    what);
}

/* ---- tokens ---- */

/*
 * A quoted string at *pp (on its opening quote): yarn writes them with
 * JSON.stringify, so JSON's escapes. Decoded text never outgrows its
 * escaped form, so it is written over the input from just past the quote.
 */
static int
yv1_quoted(struct yv1_reader *r, char **pp, char *end, struct yv1_tok *tok)
{
	char *open = *pp, *p = open + 1, *w = open + 1;

	tok->col = (unsigned)(open - r->lstart) + 1;
	for (;;) {
		unsigned char c;

		if (p >= end)
			return yv1_err(r, open, "unterminated string");
		c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20)
			return yv1_err(r, p, "control character in string");
		if (c != '\\') {
			*w++ = *p++;
			continue;
		}
		if (p + 1 >= end)
			return yv1_err(r, open, "unterminated string");
		switch (p[1]) {
		case '"': *w++ = '"'; p += 2; continue;
		case '\\': *w++ = '\\'; p += 2; continue;
		case '/': *w++ = '/'; p += 2; continue;
		case 'b': *w++ = '\b'; p += 2; continue;
		case 'f': *w++ = '\f'; p += 2; continue;
		case 'n': *w++ = '\n'; p += 2; continue;
		case 'r': *w++ = '\r'; p += 2; continue;
		case 't': *w++ = '\t'; p += 2; continue;
		case 'u': break;
		default:
			return yv1_err(r, p, "bad escape in string");
		}
		{
			unsigned cp, lo;

			if (end - p < 6 || json_hex4(p + 2, &cp) || cp == 0)
				return yv1_err(r, p, "bad \\u escape in string");
			p += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				    json_hex4(p + 2, &lo) || lo < 0xDC00 ||
				    lo > 0xDFFF)
					return yv1_err(r, p - 6,
						       "bad \\u escape in string");
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
				p += 6;
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return yv1_err(r, p - 6,
					       "bad \\u escape in string");
			}
			w = json_put_utf8(w, cp);
		}
	}
	tok->s = open + 1;
	tok->n = (size_t)(w - tok->s);
	*pp = p + 1;
	return 0;
}

/*
 * A quoted or plain token at *pp. Plain ones end where yarn's tokenizer
 * ends them: at a space, ':' or ','; they are NUL-terminated only once
 * the line is read (the delimiter is still needed until then).
 */
static int
yv1_token(struct yv1_reader *r, char **pp, char *end, struct yv1_tok *tok)
{
	char *p = *pp;

	if (p < end && *p == '"')
		return yv1_quoted(r, pp, end, tok);
	tok->s = p;
	tok->col = (unsigned)(p - r->lstart) + 1;
	while (p < end && *p != ' ' && *p != '\t' && *p != ':' && *p != ',')
		p++;
	tok->n = (size_t)(p - tok->s);
	*pp = p;
	return 0;
}

static void
yv1_terminate(struct yv1_tok *tok)
{
	tok->s[tok->n] = '\0';
}

static char *
yv1_skip_spaces(char *p, char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* ---- specifiers and names ---- */

static int
yv1_name_ok(const char *name, size_t n)
{
	const char *slash;
	size_t i;

	/* The names end up in reports and paths: refuse what no registry
	 * would accept as a package name rather than print it. */
	if (n == 0 || n > YV1_NAME_MAX || memchr(name, '\\', n))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c == 0x7F || (i && c == '.' && name[i - 1] == '.'))
			return 0;
	}
	slash = memchr(name, '/', n);
	if (name[0] == '@')
		return slash && slash > name + 1 && slash + 1 < name + n &&
		       !memchr(slash + 1, '/', (size_t)(name + n - slash - 1));
	return !slash && name[0] != '.';
}

struct yv1_spec {
	const char *name;	/* as installed: the alias for npm: ranges */
	size_t name_len;
	const char *range;	/* after the '@' */
	const char *real;	/* the package: the npm: target, else name */
	size_t real_len;
};

/* Splits "name@range", "@scope/name@range", "x@npm:real@range". */
static int
yv1_split_spec(const char *s, struct yv1_spec *sp)
{
	const char *at = strchr(s[0] == '@' ? s + 1 : s, '@');

	if (!at || at == s)
		return -1;
	sp->name = s;
	sp->name_len = (size_t)(at - s);
	sp->range = at + 1;
	sp->real = sp->name;
	sp->real_len = sp->name_len;
	if (strncmp(sp->range, "npm:", 4) == 0) {
		const char *t = sp->range + 4;
		const char *tat = t[0] ? strchr(t[0] == '@' ? t + 1 : t, '@') :
				  NULL;

		sp->real = t;
		sp->real_len = tat ? (size_t)(tat - t) : strlen(t);
	}
	return 0;
}

static int
yv1_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether a range says where the package comes from (not a semver). */
static int
yv1_range_is_source(const char *range)
{
	static const char *const prefixes[] = {
		"file:", "link:", "git+", "git:", "github:", "gitlab:",
		"bitbucket:", "gist:", "http://", "https://",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (yv1_has_prefix(range, prefixes[i]))
			return 1;
	return 0;
}

/* ---- entries ---- */

static void
yv1_entry_reset(struct yv1_entry *e)
{
	e->nkeys = 0;
	e->ndeps = 0;
	e->version.s = NULL;
	e->resolved.s = NULL;
	e->integrity.s = NULL;
	e->block = YV1_BLOCK_NONE;
}

/*
 * A node's location: "name@version", which yarn itself treats as the
 * package's identity, or for what does not come from a registry (file:,
 * link:, git, tarball URLs) the entry's first specifier, whose version
 * says little ("0.0.0" for every link:). Two entries can still get the
 * same location (a registry copy and an alias entry of one name@version):
 * later ones get "#2", "#3", ... counted per location, so hostile input
 * cannot make this quadratic.
 */
static int
yv1_add_entry_node(struct yv1_reader *r, const struct yv1_spec *sp,
		   const char *key, const char *version, uint32_t *out)
{
	struct tree *t = r->t;
	struct strbuf *sb = &r->scratch;
	struct strmap_entry *d;
	uint32_t first;
	size_t base_len;
	int err;

	strbuf_reset(sb);
	if (sp->real == sp->name && yv1_range_is_source(sp->range))
		err = strbuf_addstr(sb, key);
	else if (!(err = strbuf_add(sb, sp->real, sp->real_len)) &&
		 !(err = strbuf_addch(sb, '@')))
		err = strbuf_addstr(sb, version);
	if (err)
		return err;
	first = tree_find(t, sb->buf, sb->len);
	if (first == TREE_NONE)
		return tree_add_node(t, sb->buf, out);
	base_len = sb->len;
	/* the map borrows the first node's location, which the tree keeps */
	strmap_put(&r->dups, t->nodes[first].location, base_len, 1, &d);
	for (;;) {
		d->value++;
		sb->len = base_len;
		sb->buf[base_len] = '\0';
		if ((err = strbuf_addf(sb, "#%u", d->value)))
			return err;
		if (tree_find(t, sb->buf, sb->len) == TREE_NONE)
			break;
	}
	return tree_add_node(t, sb->buf, out);
}

/* Turns the entry read so far into a node and its edges. */
static int
yv1_emit(struct yv1_reader *r)
{
	struct tree *t = r->t;
	struct yv1_entry *e = &r->e;
	struct yv1_spec first, sp;
	struct tree_node *n;
	const char *alias = NULL;
	uint32_t idx;
	size_t i;
	int err, same_alias = 1;

	memset(&first, 0, sizeof(first));
	if (e->nkeys == 0)
		return 0;
	if (!e->version.s || e->version.n == 0)
		return yv1_err_at(r, e->line, e->keys[0].col,
				  "entry \"%s\" has no version",
				  e->keys[0].s);
	for (i = 0; i < e->nkeys; i++) {
		const struct yv1_key *k = &e->keys[i];

		if (yv1_split_spec(k->s, &sp))
			return yv1_err_at(r, e->line, k->col,
					  "\"%s\" is not name@range", k->s);
		if (!yv1_name_ok(sp.name, sp.name_len) ||
		    !yv1_name_ok(sp.real, sp.real_len))
			return yv1_err_at(r, e->line, k->col,
					  "bad package name in \"%s\"", k->s);
		if (i == 0) {
			first = sp;
		} else if (sp.real_len != first.real_len ||
			   memcmp(sp.real, first.real, sp.real_len) != 0) {
			return yv1_err_at(r, e->line, k->col,
					  "\"%s\" names another package than \"%s\"",
					  k->s, e->keys[0].s);
		}
		if (sp.real == sp.name ||
		    sp.name_len != first.name_len ||
		    memcmp(sp.name, first.name, sp.name_len) != 0)
			same_alias = 0;
		if (!strmap_put(&r->specs, k->s, strlen(k->s),
				(uint32_t)t->nnodes, NULL))
			return yv1_err_at(r, e->line, k->col,
					  "specifier \"%s\" appears twice",
					  k->s);
	}
	if ((err = yv1_add_entry_node(r, &first, e->keys[0].s,
				      e->version.s, &idx)))
		return err;
	XGROW(r->first_keys, r->first_keys_alloc, r->nentries + 1);
	r->first_keys[r->nentries++] = e->keys[0].s;
	n = &t->nodes[idx];
	n->name = tree_strndup(t, first.real, first.real_len);
	/* an alias only when every specifier installs it under that name */
	if (same_alias)
		alias = tree_strndup(t, first.name, first.name_len);
	n->alias = alias;
	n->version = tree_strdup(t, e->version.s);
	n->integrity = e->integrity.s ? tree_strdup(t, e->integrity.s) : NULL;
	if (e->resolved.s) {
		n->resolved = tree_strdup(t, e->resolved.s);
		n->source = (uint8_t)tree_source_from_resolved(n->resolved);
	} else {
		const char *range = first.range;

		if (first.real != first.name)
			range = "";	/* npm:real@range: from the registry */
		if (yv1_range_is_source(range)) {
			n->source = (uint8_t)tree_source_from_resolved(range);
			if (n->source == TREE_SOURCE_FILE ||
			    n->source == TREE_SOURCE_LINK)
				n->resolved = tree_strdup(t, range);
		}
	}
	for (i = 0; i < e->ndeps; i++)
		if ((err = tree_add_dep(t, idx, e->deps[i].name,
					e->deps[i].range, e->deps[i].kind)))
			return err;
	return 0;
}

/* ---- lines ---- */

/* `key1, "key2":` at the start of a line: a new entry. */
static int
yv1_header(struct yv1_reader *r, char *p, char *end)
{
	struct yv1_entry *e = &r->e;
	struct yv1_tok tok;
	int err;

	if ((err = yv1_emit(r)))
		return err;
	yv1_entry_reset(e);
	e->line = r->line;
	for (;;) {
		if ((err = yv1_token(r, &p, end, &tok)))
			return err;
		if (tok.n == 0) {
			if (r->lstart[tok.col - 1] == '"')
				return yv1_err_at(r, r->line, tok.col,
						  "empty specifier");
			if (p < end && (*p == ':' || *p == ','))
				return yv1_err(r, p, "expected a specifier before '%c'",
					       *p);
			return yv1_err(r, p, "expected a specifier");
		}
		if (e->nkeys >= YV1_KEYS_MAX)
			return ws_error_set(WS_ELIMIT,
					    "%s:%u: more than %u specifiers in one entry",
					    r->file, r->line, YV1_KEYS_MAX);
		XGROW(e->keys, e->keys_alloc, e->nkeys + 1);
		e->keys[e->nkeys].s = tok.s;
		e->keys[e->nkeys].col = tok.col;
		e->nkeys++;
		p = yv1_skip_spaces(p, end);
		if (p < end && *p == ',') {
			/* the delimiter is consumed: terminate the key now */
			p = yv1_skip_spaces(p + 1, end);
			yv1_terminate(&tok);
			continue;
		}
		if (p < end && *p == ':') {
			p = yv1_skip_spaces(p + 1, end);
			if (p < end)
				return yv1_err(r, p,
					       "unexpected text after the entry's ':'");
			yv1_terminate(&tok);
			break;
		}
		if (p >= end)
			return yv1_err(r, p,
				       "expected ':' at the end of the entry's specifiers");
		return yv1_err(r, p, "expected ',' or ':' after \"%.*s\"",
			       (int)(tok.n > 200 ? 200 : tok.n), tok.s);
	}
	return 0;
}

/*
 * `key value`, `key: value` or `key:` (a block) below an entry or in a
 * block. On return *val.s is NULL for a block.
 */
static int
yv1_pair(struct yv1_reader *r, char *p, char *end, struct yv1_tok *key,
	 struct yv1_tok *val)
{
	char *after;
	int err, colon = 0;

	val->s = NULL;
	if ((err = yv1_token(r, &p, end, key)))
		return err;
	if (key->n == 0)
		return yv1_err(r, p, "expected a name");
	after = p;
	p = yv1_skip_spaces(p, end);
	if (p < end && *p == ':') {
		colon = 1;
		p = yv1_skip_spaces(p + 1, end);
	} else if (p == after && p < end) {
		return yv1_err(r, p, "expected a space after \"%.*s\"",
			       (int)(key->n > 200 ? 200 : key->n), key->s);
	}
	if (p >= end) {
		if (!colon)
			return yv1_err(r, p, "expected a value for \"%.*s\"",
				       (int)(key->n > 200 ? 200 : key->n),
				       key->s);
		yv1_terminate(key);
		return 0;
	}
	if ((err = yv1_token(r, &p, end, val)))
		return err;
	if (val->n == 0 && *val->s != '"' && p < end &&
	    (*p == ':' || *p == ','))
		return yv1_err(r, p, "unexpected '%c'", *p);
	p = yv1_skip_spaces(p, end);
	if (p < end)
		return yv1_err(r, p, "unexpected text after the value");
	yv1_terminate(key);
	yv1_terminate(val);
	return 0;
}

static int
yv1_set_field(struct yv1_reader *r, struct yv1_tok *slot,
	      const struct yv1_tok *key, const struct yv1_tok *val)
{
	if (slot->s)
		return yv1_err_at(r, r->line, key->col,
				  "\"%s\" appears twice in one entry", key->s);
	*slot = *val;
	return 0;
}

/* A line indented by two: a field of the current entry. */
static int
yv1_field(struct yv1_reader *r, char *p, char *end)
{
	struct yv1_entry *e = &r->e;
	struct yv1_tok key, val;
	int err;

	if (e->nkeys == 0)
		return yv1_err(r, p, "field outside an entry");
	if ((err = yv1_pair(r, p, end, &key, &val)))
		return err;
	if (!val.s) {
		if (strcmp(key.s, "dependencies") == 0)
			e->block = YV1_BLOCK_DEPS;
		else if (strcmp(key.s, "optionalDependencies") == 0)
			e->block = YV1_BLOCK_OPTIONAL;
		else
			e->block = YV1_BLOCK_OTHER;
		return 0;
	}
	e->block = YV1_BLOCK_NONE;
	if (strcmp(key.s, "version") == 0)
		return yv1_set_field(r, &e->version, &key, &val);
	if (strcmp(key.s, "resolved") == 0)
		return yv1_set_field(r, &e->resolved, &key, &val);
	if (strcmp(key.s, "integrity") == 0)
		return yv1_set_field(r, &e->integrity, &key, &val);
	return 0;	/* uid, and whatever later yarns add */
}

/* A line indented by four: `name "range"` in a dependencies block. */
static int
yv1_dep(struct yv1_reader *r, char *p, char *end)
{
	struct yv1_entry *e = &r->e;
	struct yv1_tok key, val;
	int err;

	if ((err = yv1_pair(r, p, end, &key, &val)))
		return err;
	if (!val.s)
		return yv1_err(r, p, "expected a range for \"%s\"", key.s);
	if (!yv1_name_ok(key.s, key.n))
		return yv1_err(r, p, "bad package name \"%s\"", key.s);
	if (e->ndeps >= YV1_DEPS_MAX)
		return ws_error_set(WS_ELIMIT,
				    "%s:%u: more than %u dependencies in one entry",
				    r->file, r->line, YV1_DEPS_MAX);
	XGROW(e->deps, e->deps_alloc, e->ndeps + 1);
	e->deps[e->ndeps].name = key.s;
	e->deps[e->ndeps].range = val.s;
	e->deps[e->ndeps].kind = e->block == YV1_BLOCK_OPTIONAL ?
				 TREE_DEP_OPTIONAL : TREE_DEP_PROD;
	e->ndeps++;
	return 0;
}

/* "# yarn lockfile v1": refuse other versions rather than guess. */
static int
yv1_comment(struct yv1_reader *r, char *p, char *end)
{
	static const char tag[] = "# yarn lockfile v";
	size_t n = sizeof(tag) - 1;
	char *v, *d;

	if ((size_t)(end - p) <= n || memcmp(p, tag, n) != 0)
		return 0;
	v = d = p + n;
	while (d < end && *d >= '0' && *d <= '9')
		d++;
	if (d == v || (d - v == 1 && *v == '1'))
		return 0;
	return ws_error_set(WS_EUNSUPPORTED,
			    "%s:%u:%u: yarn lockfile v%.*s is not supported (wormsign reads v1 and berry lockfiles)",
			    r->file, r->line, (unsigned)(v - r->lstart) + 1,
			    (int)(d - v > 16 ? 16 : d - v), v);
}

static int
yv1_line(struct yv1_reader *r, char *p, char *end)
{
	struct yv1_entry *e = &r->e;
	char *q = p;
	size_t indent;

	while (q < end && *q == ' ')
		q++;
	if (q < end && *q == '\t')
		return yv1_err(r, q, "tab in indentation");
	if (q == end)
		return 0;
	if (*q == '#')
		return q == p ? yv1_comment(r, q, end) : 0;
	indent = (size_t)(q - p);
	if (indent % 2)
		return yv1_err(r, q, "bad indentation: %zu spaces", indent);
	switch (indent / 2) {
	case 0:
		return yv1_header(r, q, end);
	case 1:
		return yv1_field(r, q, end);
	case 2:
		if (e->block == YV1_BLOCK_DEPS || e->block == YV1_BLOCK_OPTIONAL)
			return yv1_dep(r, q, end);
		if (e->block == YV1_BLOCK_OTHER)
			return 0;
		return yv1_err(r, q, "unexpected indentation");
	default:
		/* blocks we do not read may nest further */
		if (e->block == YV1_BLOCK_OTHER)
			return 0;
		return yv1_err(r, q, "unexpected indentation");
	}
}

static int
yv1_parse_lines(struct yv1_reader *r, char *buf, size_t len)
{
	char *p = buf, *end = buf + len;
	int err;

	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	r->line = 0;
	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		char *lend, *next;

		if (!eol)
			eol = end;
		next = eol < end ? eol + 1 : end;
		lend = eol;
		if (lend > p && lend[-1] == '\r')
			lend--;
		r->line++;
		r->lstart = p;
		if ((size_t)(lend - p) > YV1_LINE_MAX)
			return ws_error_set(WS_ELIMIT,
					    "%s:%u: line longer than %u bytes",
					    r->file, r->line, YV1_LINE_MAX);
		{
			char *nul = memchr(p, '\0', (size_t)(lend - p));

			if (nul)
				return yv1_err(r, nul, "NUL byte");
		}
		if ((err = yv1_line(r, p, lend)))
			return err;
		p = next;
	}
	return yv1_emit(r);
}

/* ---- the project: root manifest and workspace members ---- */

/*
 * Whether rel (a relative path, '/'-separated, no "." or ".." left) names
 * a real directory below the project reached without any symlink: the
 * paths come from manifests, which must not lead us out of the project.
 */
static int
yv1_plain_dir(const struct yv1_reader *r, const char *rel)
{
	struct strbuf sb;
	struct stat st;
	const char *p = rel;
	int ok = 1;

	strbuf_init(&sb, 8192);
	if (strbuf_addstr(&sb, r->dir))
		ok = 0;
	while (ok && *p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (strbuf_addch(&sb, '/') || strbuf_add(&sb, p, n) ||
		    lstat(sb.buf, &st) != 0 || !S_ISDIR(st.st_mode))
			ok = 0;
		p += n + (slash != NULL);
	}
	strbuf_release(&sb);
	return ok;
}

/*
 * Reads rel/package.json below the project (never through a symlink) into
 * doc; returns 0, or a negative code with nothing to release. Failures are
 * the caller's to report.
 */
static int
yv1_read_manifest(struct yv1_reader *r, const char *rel, struct strbuf *text,
		  struct json_doc *doc, char *path, size_t path_size)
{
	int err;

	snprintf(path, path_size, "%s/%s%spackage.json", r->dir, rel,
		 rel[0] ? "/" : "");
	if (!yv1_plain_dir(r, rel))
		return ws_error_set(WS_ENOTFOUND, "%s: not a directory inside the project",
				    path);
	strbuf_reset(text);
	if ((err = strbuf_read_file(text, path, 1)))
		return err;
	if ((err = json_parse(doc, text->buf, text->len, path, 0)))
		return err;
	if (!json_is(doc->root, JSON_OBJECT)) {
		json_doc_release(doc);
		return ws_error_set(WS_EPARSE, "%s: not an object", path);
	}
	return 0;
}

/*
 * Lexically normalises a relative path ("./a//b/../c" -> "a/c") into out;
 * fails when it is absolute or climbs above its start.
 */
static int
yv1_norm_rel(const char *in, struct strbuf *out)
{
	const char *p = in;

	strbuf_reset(out);
	if (in[0] == '/')
		return -1;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *cut;

			if (out->len == 0)
				return -1;
			cut = strrchr(out->buf, '/');
			out->len = cut ? (size_t)(cut - out->buf) : 0;
			out->buf[out->len] = '\0';
		} else if ((out->len && strbuf_addch(out, '/')) ||
			   strbuf_add(out, p, n)) {
			return -1;
		}
		p += n + (slash != NULL);
	}
	return 0;
}

struct yv1_ws {
	struct yv1_reader *r;
	char **found;		/* relative directories holding package.json */
	size_t nfound, found_alloc;
	size_t entries;		/* directory entries read so far */
	int over;		/* a limit was hit: stop, warn once */
};

static int
yv1_glob_meta(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return 1;
	return 0;
}

static void yv1_ws_expand(struct yv1_ws *w, struct strbuf *rel,
			  const char *pat, int depth);

/* Expands pat below each plain subdirectory of rel matching seg. */
static void
yv1_ws_each_dir(struct yv1_ws *w, struct strbuf *rel, const char *seg,
		const char *next, int depth)
{
	struct strbuf path;
	struct dirent *de;
	size_t base = rel->len;
	DIR *d;

	strbuf_init(&path, 8192);
	if (strbuf_addf(&path, "%s%s%s", w->r->dir, base ? "/" : "",
			rel->buf) || !(d = opendir(path.buf))) {
		strbuf_release(&path);
		return;
	}
	while (!w->over && (de = readdir(d))) {
		const char *nm = de->d_name;
		struct stat st;
		size_t plen = path.len;

		if (++w->entries > YV1_WS_ENTRIES_MAX) {
			w->over = 1;
			break;
		}
		if (nm[0] == '.' || strcmp(nm, "node_modules") == 0)
			continue;
		if (seg && fnmatch(seg, nm, FNM_PERIOD) != 0)
			continue;
		if (strbuf_addch(&path, '/') || strbuf_addstr(&path, nm))
			continue;
		/* lstat: a symlinked directory is not followed */
		if (lstat(path.buf, &st) == 0 && S_ISDIR(st.st_mode) &&
		    !(base && strbuf_addch(rel, '/')) &&
		    !strbuf_addstr(rel, nm))
			yv1_ws_expand(w, rel, next, depth + 1);
		path.len = plen;
		path.buf[plen] = '\0';
		rel->len = base;
		rel->buf[base] = '\0';
	}
	closedir(d);
	strbuf_release(&path);
}

/*
 * Expands the rest of a workspace pattern below rel, one path segment at a
 * time: literal segments, fnmatch globs within a directory, and "**" for
 * any depth. Directories named node_modules or starting with a dot are
 * never entered.
 */
static void
yv1_ws_expand(struct yv1_ws *w, struct strbuf *rel, const char *pat,
	      int depth)
{
	const char *slash, *next;
	char seg[256];
	size_t n, base = rel->len;

	while (pat[0] == '/')
		pat++;
	if (w->over)
		return;
	if (depth > YV1_WS_DEPTH_MAX) {
		w->over = 1;
		return;
	}
	if (pat[0] == '\0') {
		struct stat st;
		char pj[8192];

		if ((size_t)snprintf(pj, sizeof(pj), "%s/%s/package.json",
				     w->r->dir, rel->buf) >= sizeof(pj))
			return;
		if (base == 0 || lstat(pj, &st) != 0 || !S_ISREG(st.st_mode))
			return;
		if (w->nfound >= YV1_WS_MEMBERS_MAX) {
			w->over = 1;
			return;
		}
		XGROW(w->found, w->found_alloc, w->nfound + 1);
		w->found[w->nfound++] = xstrdup(rel->buf);
		return;
	}
	slash = strchr(pat, '/');
	n = slash ? (size_t)(slash - pat) : strlen(pat);
	next = slash ? slash + 1 : "";
	if (n >= sizeof(seg))
		return;
	memcpy(seg, pat, n);
	seg[n] = '\0';
	if (strcmp(seg, "**") == 0) {
		yv1_ws_expand(w, rel, next, depth + 1);
		yv1_ws_each_dir(w, rel, NULL, pat, depth);
	} else if (yv1_glob_meta(seg, n)) {
		yv1_ws_each_dir(w, rel, seg, next, depth);
	} else if (strcmp(seg, ".") == 0) {
		yv1_ws_expand(w, rel, next, depth + 1);
	} else if (strcmp(seg, "..") != 0 && strcmp(seg, "node_modules") != 0) {
		if (!(base && strbuf_addch(rel, '/')) &&
		    !strbuf_addstr(rel, seg) && yv1_plain_dir(w->r, rel->buf))
			yv1_ws_expand(w, rel, next, depth + 1);
		rel->len = base;
		rel->buf[base] = '\0';
	}
}

static int
yv1_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The manifest's workspace patterns: an array, or {"packages": [...]}. */
static const struct json_value *
yv1_ws_patterns(const struct json_value *manifest)
{
	const struct json_value *ws = json_get(manifest, "workspaces");

	if (json_is(ws, JSON_OBJECT))
		ws = json_get(ws, "packages");
	return json_is(ws, JSON_ARRAY) ? ws : NULL;
}

static int
yv1_excluded(const struct json_value *pats, const char *rel)
{
	const struct json_value *v;

	for (v = pats->u.first; v; v = v->next) {
		const char *s = v->type == JSON_STRING ? v->u.str : NULL;

		if (!s || s[0] != '!')
			continue;
		s++;
		while (s[0] == '.' && s[1] == '/')
			s += 2;
		if (fnmatch(s, rel, FNM_PATHNAME | FNM_PERIOD) == 0)
			return 1;
	}
	return 0;
}

/* Adds each workspace member as a target with its manifest's edges. */
static int
yv1_add_members(struct yv1_reader *r, const struct json_value *manifest)
{
	struct tree *t = r->t;
	const struct json_value *pats = yv1_ws_patterns(manifest), *v;
	struct yv1_ws w;
	struct strbuf rel, text;
	size_t i;
	int err = 0;

	if (!pats)
		return 0;
	memset(&w, 0, sizeof(w));
	w.r = r;
	strbuf_init(&rel, 4096);
	strbuf_init(&text, TREE_MANIFEST_MAX);
	for (v = pats->u.first; v; v = v->next) {
		if (v->type != JSON_STRING || v->u.str[0] == '!')
			continue;
		tree_add_workspace(t, v->u.str);
		if (yv1_norm_rel(v->u.str, &rel)) {
			tree_warn(t, "%s: workspace pattern \"%s\" leaves the project, ignored",
				  r->file, v->u.str);
			continue;
		}
		/* the pattern is the "relative path" now; expand from "" */
		{
			char *pat = xstrdup(rel.buf);

			strbuf_reset(&rel);
			yv1_ws_expand(&w, &rel, pat, 0);
			free(pat);
		}
	}
	if (w.over)
		tree_warn(t, "%s: workspace patterns match too much (over %u members, %u directory entries or %d levels); the rest is ignored",
			  r->file, YV1_WS_MEMBERS_MAX, YV1_WS_ENTRIES_MAX,
			  YV1_WS_DEPTH_MAX);
	if (w.nfound)
		qsort(w.found, w.nfound, sizeof(*w.found), yv1_cmp_str);
	for (i = 0; i < w.nfound && !err; i++) {
		const char *loc = w.found[i], *name, *version;
		struct json_doc doc;
		char path[8192];
		uint32_t idx;

		if ((i && strcmp(loc, w.found[i - 1]) == 0) ||
		    yv1_excluded(pats, loc))
			continue;
		if (yv1_read_manifest(r, loc, &text, &doc, path,
				      sizeof(path))) {
			tree_warn(t, "%s: workspace \"%s\" skipped: %s",
				  r->file, loc, ws_error_last());
			ws_error_clear();
			continue;
		}
		name = json_get_str(doc.root, "name");
		version = json_get_str(doc.root, "version");
		if (!name || !yv1_name_ok(name, strlen(name))) {
			tree_warn(t, "%s: workspace \"%s\" skipped: no valid \"name\"",
				  path, loc);
		} else if (strmap_find(&r->members, name, strlen(name))) {
			tree_warn(t, "%s: workspace \"%s\" skipped: another workspace is named \"%s\"",
				  path, loc, name);
		} else if (tree_find(t, loc, strlen(loc)) != TREE_NONE) {
			tree_warn(t, "%s: workspace \"%s\" skipped: its path is also a package's name@version",
				  path, loc);
		} else if (!(err = tree_add_node(t, loc, &idx))) {
			struct tree_node *n = &t->nodes[idx];

			n->name = tree_strdup(t, name);
			n->version = tree_strdup(t, version);
			n->flags |= TREE_TARGET;
			n->source = TREE_SOURCE_WORKSPACE;
			strmap_put(&r->members, n->name, strlen(n->name), idx,
				   NULL);
			/* yarn installs members' devDependencies too */
			err = tree_add_manifest_deps(t, idx, doc.root,
						     TREE_MANIFEST_DEV, path);
		}
		json_doc_release(&doc);
	}
	for (i = 0; i < w.nfound; i++)
		free(w.found[i]);
	free(w.found);
	strbuf_release(&rel);
	strbuf_release(&text);
	return err;
}

/*
 * The root: edges from package.json when there is one. Without it, every
 * entry no other entry requires counts as a direct dependency of the root
 * under its first specifier: what the lockfile alone can say (entries
 * only reachable through a cycle of their own stay unreached).
 */
static int
yv1_add_root(struct yv1_reader *r, const struct json_value *manifest)
{
	struct tree *t = r->t;
	const char *name = NULL, *version = NULL;
	uint8_t *required = NULL;
	uint32_t root;
	size_t i, j;
	int err;

	if (manifest) {
		name = json_get_str(manifest, "name");
		version = json_get_str(manifest, "version");
	}
	if (!manifest) {
		required = xcalloc(r->nentries + 1, 1);
		for (i = 0; i < r->nentries; i++) {
			const struct tree_node *n = &t->nodes[i];

			for (j = 0; j < n->ndeps; j++) {
				uint32_t to = t->deps[n->deps + j].target;

				if (to != TREE_NONE && to != i)
					required[to] = 1;
			}
		}
	}
	if ((err = tree_add_node(t, "", &root)))
		goto done;
	t->nodes[root].name = tree_strdup(t, name ? name : "(root)");
	t->nodes[root].version = tree_strdup(t, version);
	if (manifest) {
		/* the project's package.json, not the lockfile: lenient */
		err = tree_add_manifest_deps(t, root, manifest,
					     TREE_MANIFEST_DEV, "package.json");
		goto done;
	}
	for (i = 0; i < r->nentries && !err; i++) {
		struct yv1_spec sp;

		if (required[i] || yv1_split_spec(r->first_keys[i], &sp))
			continue;
		strbuf_reset(&r->scratch);
		if ((err = strbuf_add(&r->scratch, sp.name, sp.name_len)))
			break;
		err = tree_add_dep(t, root, r->scratch.buf, sp.range,
				   TREE_DEP_PROD);
		if (!err)
			t->deps[t->ndeps - 1].target = (uint32_t)i;
	}
done:
	free(required);
	return err;
}

/* The entry answering name@range, or a workspace member named name. */
static uint32_t
yv1_lookup(struct yv1_reader *r, const char *name, const char *range,
	   int members)
{
	struct strbuf *sb = &r->scratch;
	struct strmap_entry *e;

	strbuf_reset(sb);
	if (strbuf_addstr(sb, name) || strbuf_addch(sb, '@') ||
	    (range && strbuf_addstr(sb, range)))
		return TREE_NONE;
	e = strmap_find(&r->specs, sb->buf, sb->len);
	if (e)
		return e->value;
	if (members && (e = strmap_find(&r->members, name, strlen(name))))
		return e->value;
	return TREE_NONE;
}

static void
yv1_link_range(struct yv1_reader *r, size_t from, size_t to, int members)
{
	struct tree *t = r->t;
	size_t i, j;

	for (i = from; i < to; i++) {
		const struct tree_node *n = &t->nodes[i];

		for (j = 0; j < n->ndeps; j++) {
			struct tree_dep *d = &t->deps[n->deps + j];

			if (d->target == TREE_NONE)
				d->target = yv1_lookup(r, d->name, d->spec,
						       members);
		}
	}
}

/*
 * yarn records a link: dependency with version "0.0.0"; the version is
 * in the linked directory's package.json, relative to the target that
 * declared it. Read it when that directory is inside the project.
 */
static void
yv1_link_versions(struct yv1_reader *r, size_t from)
{
	struct tree *t = r->t;
	struct strbuf rel, text;
	size_t i, j;

	strbuf_init(&rel, 8192);
	strbuf_init(&text, TREE_MANIFEST_MAX);
	for (i = from; i < t->nnodes; i++) {
		const struct tree_node *n = &t->nodes[i];

		for (j = 0; j < n->ndeps; j++) {
			const struct tree_dep *d = &t->deps[n->deps + j];
			struct tree_node *to;
			struct json_doc doc;
			const char *v;
			char path[8192], *joined;
			size_t jn;

			if (d->target == TREE_NONE || !d->spec ||
			    !yv1_has_prefix(d->spec, "link:"))
				continue;
			to = &t->nodes[d->target];
			if (d->target >= r->nentries || !to->version ||
			    strcmp(to->version, "0.0.0") != 0)
				continue;
			jn = strlen(n->location) + strlen(d->spec) + 2;
			joined = xmalloc(jn);
			snprintf(joined, jn, "%s%s%s", n->location,
				 n->location[0] ? "/" : "", d->spec + 5);
			if (!yv1_norm_rel(joined, &rel) &&
			    !yv1_read_manifest(r, rel.buf, &text, &doc, path,
					       sizeof(path))) {
				v = json_get_str(doc.root, "version");
				if (v)
					to->version = tree_strdup(t, v);
				json_doc_release(&doc);
			}
			ws_error_clear();
			free(joined);
		}
	}
	strbuf_release(&rel);
	strbuf_release(&text);
}

int
lockfile_parse_yarn_v1(struct tree **out, char *buf, size_t len,
		       const char *file, const struct json_value *manifest)
{
	struct yv1_reader r;
	struct tree *t = NULL;
	size_t root;
	int err;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	tree_new(&t, file, "yarn.lock v1");
	t->synthetic_locations = 1;
	r.t = t;
	r.file = file;
	r.dir = lockfile_dirname(file);
	strmap_init(&r.specs);
	strmap_init(&r.dups);
	strmap_init(&r.members);
	strbuf_init(&r.scratch, 2 * (size_t)YV1_LINE_MAX);
	yv1_entry_reset(&r.e);

	if ((err = yv1_parse_lines(&r, buf, len)))
		goto done;
	yv1_link_range(&r, 0, r.nentries, 0);
	root = t->nnodes;
	if ((err = yv1_add_root(&r, manifest)))
		goto done;
	if (manifest && (err = yv1_add_members(&r, manifest)))
		goto done;
	/* workspace members answer what the lockfile does not, anywhere */
	yv1_link_range(&r, 0, t->nnodes, 1);
	if (manifest)
		yv1_link_versions(&r, root);

done:
	free(r.e.keys);
	free(r.e.deps);
	free(r.first_keys);
	strmap_release(&r.specs);
	strmap_release(&r.dups);
	strmap_release(&r.members);
	strbuf_release(&r.scratch);
	free(r.dir);
	if (err) {
		tree_free(t);
		return err;
	}
	*out = t;
	return 0;
}
