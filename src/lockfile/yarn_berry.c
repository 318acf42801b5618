#include "lockfile/lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json/json.h"
#include "json/yaml_dom.h"
#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "lockfile/internal.h"
#include "util/banned.h"

#define berry_err(r, v, ...) lockfile_err((r)->file, (v), __VA_ARGS__)

/*
 * yarn berry (2+) lockfiles: YAML, one entry per resolved package, keyed by
 * every descriptor ("name@npm:^1.0.0, name@npm:^1.1.0") that resolved to
 * it; the entry's "resolution" is the locator ("name@npm:1.2.3"). An
 * entry's dependencies are descriptors again (name: range), so an edge is
 * linked by looking its descriptor up among the keys.
 *
 * Locations are the locators themselves (synthetic); workspaces
 * ("name@workspace:packages/a") become targets at their path, the root
 * ("@workspace:.") at "". Yarn writes a workspace's devDependencies into
 * its "dependencies" like any other, so which of them are dev is read from
 * the workspace's own package.json.
 *
 * patch: entries ("resolve@patch:resolve@npm%3A1.22.8#...") are packages
 * of their own, with the same name and version as the entry they patch;
 * the patch gets the full locator as `resolved` and an edge to its base.
 * Yarn applies its builtin patches (resolve, typescript, fsevents) to every
 * matching descriptor without saying so in the dependent's entry, so a
 * dependency on the base descriptor resolves to the patch.
 */

#define BERRY_VERSION_MIN 4
#define BERRY_VERSION_MAX 10
#define BERRY_DESCRIPTOR_MAX 8192	/* one descriptor or locator */
#define BERRY_NAME_MAX 214
#define BERRY_MEMBERS_READ_MAX 10000	/* workspace package.json files */
#define BERRY_PATH_DEPTH_MAX 64		/* components of a workspace path */
#define BERRY_AMBIGUOUS (UINT32_MAX - 1)
#define BERRY_PATCH_DEPTH_MAX 8		/* patch:patch:... nesting */

struct berry_reader {
	struct tree *t;
	const char *file;
	const struct json_value *manifest;	/* the root's package.json */
	char *dir;			/* the project directory */
	struct mempool pool;		/* decoded map keys */
	struct strmap descs;		/* descriptor -> node */
	struct strmap patched;		/* descriptor a builtin patch
					 * replaces -> the patch's node */
	struct strmap unbound;		/* descriptor without its
					 * ::locator= binding -> node */
	const char **locators;		/* per node: its locator */
	uint8_t *is_patch;		/* per node: first edge is the base */
	size_t nodes_alloc, patch_alloc;
	struct strbuf scratch;
	size_t members_read;
	int members_warned;
};

/* Edges of one entry: names already seen, optional names. */
struct berry_sets {
	struct strmap seen;
	struct strmap optional;		/* dependenciesMeta optional */
	struct strmap peer_optional;	/* peerDependenciesMeta optional */
	struct strmap ws_prod;		/* the workspace's manifest */
	struct strmap ws_dev;
	int have_manifest;
};

/* A string for messages: at most 200 bytes of s[0..n). */
#define BERRY_SHOW(n) ((int)((n) > 200 ? 200 : (n)))

/*
 * The length of the name in a descriptor or locator s[0..n) ("@scope/x"
 * in "@scope/x@npm:1.0.0"), or 0 when there is no '@' after a name.
 */
static size_t
berry_name_len(const char *s, size_t n)
{
	const char *at, *slash;

	if (n < 2)
		return 0;
	if (s[0] == '@') {
		slash = memchr(s, '/', n);
		if (!slash || slash == s + 1)
			return 0;
		at = memchr(slash, '@', n - (size_t)(slash - s));
	} else {
		at = memchr(s + 1, '@', n - 1);
	}
	return at ? (size_t)(at - s) : 0;
}

/* What a registry accepts as a package name, as the npm reader checks. */
static int
berry_name_ok(const char *name, size_t n)
{
	const char *slash;
	size_t i;

	if (n == 0 || n > BERRY_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f || c == '\\' || (c == '@' && i > 0))
			return 0;
		if (c == '.' && i + 1 < n && name[i + 1] == '.')
			return 0;
	}
	slash = memchr(name, '/', n);
	if (name[0] != '@')
		return slash == NULL;
	/* "@scope/name": one slash, with something on either side */
	return slash && slash > name + 1 && slash < name + n - 1 &&
	       !memchr(slash + 1, '/', n - (size_t)(slash + 1 - name));
}

/* %XX-decodes s[0..n) into the reader's pool (a bad escape stays as is). */
static const char *
berry_decode(struct berry_reader *r, const char *s, size_t n, size_t *out_len)
{
	char *d = mempool_alloc(&r->pool, n + 1);
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n &&
		    (hi = json_hexval(s[i + 1])) >= 0 &&
		    (lo = json_hexval(s[i + 2])) >= 0) {
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	*out_len = j;
	return d;
}

/*
 * Appends s as encodeURIComponent does: how yarn binds a file:, link: or
 * patch: descriptor to the package that declared it
 * ("file:./x::locator=root%40workspace%3A.").
 */
static int
berry_add_encoded(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int err = 0;

	for (; *s && !err; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.!~*'()", c)) {
			err = strbuf_addch(sb, c);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

			err = strbuf_add(sb, esc, 3);
		}
	}
	return err;
}

/*
 * Whether a range names its protocol ("npm:^1", "workspace:^"); a bare
 * range ("^1.0.0", as yarn 2 and 3 write dependencies) means npm:.
 */
static int
berry_has_protocol(const char *s)
{
	size_t i = 0;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	       (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' ||
	       s[i] == '.')
		i++;
	return s[i] == ':';
}

/* The value of parameter key in a reference's "::a=b&c=d" tail. */
static const char *
berry_param(const char *ref, const char *key, size_t *len)
{
	const char *p = strstr(ref, "::");
	size_t klen = strlen(key);

	while (p) {
		p += p[0] == ':' ? 2 : 1;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			*len = strcspn(p, "&");
			return p;
		}
		p = strchr(p, '&');
	}
	return NULL;
}

/* A scalar's text: strings, and numbers as written (`wrappy: 1`). */
static const char *
berry_scalar(const struct json_value *v)
{
	if (v && (v->type == JSON_STRING || v->type == JSON_NUMBER))
		return v->u.str;
	return NULL;
}

static int
berry_check_len(const struct berry_reader *r, const struct json_value *at,
		size_t n)
{
	if (n > BERRY_DESCRIPTOR_MAX)
		return ws_error_set(WS_ELIMIT,
				    "%s:%u:%u: descriptor longer than %u bytes",
				    r->file, at->line, at->col16,
				    BERRY_DESCRIPTOR_MAX);
	return 0;
}

static int
berry_has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/*
 * Source, `resolved` and a fallback version of a package from the
 * reference part of its locator (after "name@"). Registry packages keep
 * `resolved` empty: their locator says nothing a name and version do not,
 * unless yarn recorded an archive URL. A URL shows itself, everything else
 * (patch:, file:, git) its locator.
 */
static void
berry_describe(struct berry_reader *r, struct tree_node *n,
	       const char *locator, const char *ref, const char **version,
	       size_t *version_len)
{
	struct tree *t = r->t;
	const char *inner = ref, *p;
	size_t len, depth = 0;

	*version = NULL;
	n->source = TREE_SOURCE_REGISTRY;
	if (strncmp(ref, "npm:", 4) == 0) {
		*version = ref + 4;
		p = strstr(*version, "::");
		*version_len = p ? (size_t)(p - *version) : strlen(*version);
		if ((p = berry_param(ref, "__archiveUrl", &len)))
			n->resolved = tree_strdup(t, berry_decode(r, p, len,
								  &len));
		return;
	}
	if (strncmp(ref, "http://", 7) == 0 || strncmp(ref, "https://", 8) == 0)
		n->resolved = tree_strdup(t, ref);
	else
		n->resolved = tree_strdup(t, locator);
	if (strncmp(ref, "patch:", 6) == 0 &&
	    (p = berry_param(ref, "version", &len))) {
		*version = p;
		*version_len = len;
	}
	/* a patch's source is that of what it patches */
	while (strncmp(inner, "patch:", 6) == 0 &&
	       depth++ < BERRY_PATCH_DEPTH_MAX) {
		const char *dec;
		size_t nl;

		len = strcspn(inner + 6, "#");
		dec = berry_decode(r, inner + 6, len, &len);
		nl = berry_name_len(dec, len);
		inner = nl ? dec + nl + 1 : dec;
	}
	if (strncmp(inner, "npm:", 4) == 0)
		n->source = TREE_SOURCE_REGISTRY;
	else if (strncmp(inner, "git:", 4) == 0 ||
		 strncmp(inner, "git+", 4) == 0 ||
		 strncmp(inner, "git@", 4) == 0 ||
		 strncmp(inner, "github:", 7) == 0 ||
		 strncmp(inner, "gitlab:", 7) == 0 ||
		 strncmp(inner, "bitbucket:", 10) == 0 ||
		 strstr(inner, "#commit=") || strstr(inner, ".git#"))
		n->source = TREE_SOURCE_GIT;
	else if (strncmp(inner, "link:", 5) == 0 ||
		 strncmp(inner, "portal:", 7) == 0)
		n->source = TREE_SOURCE_LINK;
	else if (strncmp(inner, "file:", 5) == 0 ||
		 strncmp(inner, "exec:", 5) == 0)
		n->source = TREE_SOURCE_FILE;
	else
		n->source = (uint8_t)tree_source_from_resolved(inner);
}

/*
 * A workspace's path from its reference ("workspace:packages/a") as a
 * location: "" for the root ("."), else the relative path without "./".
 * Paths that could leave the project are refused.
 */
static int
berry_ws_path(const char *p, size_t *out_off, size_t *out_len)
{
	size_t n = strlen(p), off = 0, depth = 0, i;

	while (n - off >= 2 && p[off] == '.' && p[off + 1] == '/')
		off += 2;
	while (n > off && p[n - 1] == '/')
		n--;
	if (n - off == 1 && p[off] == '.')
		off = n;
	*out_off = off;
	*out_len = n - off;
	if (off == n)
		return strlen(p) > 0;
	if (p[off] == '/' || berry_has_control(p + off, n - off) ||
	    memchr(p + off, '\\', n - off))
		return 0;
	for (i = off; i < n;) {
		size_t c = strcspn(p + i, "/");

		if (c > n - i)
			c = n - i;
		if (c == 0 || (c == 2 && p[i] == '.' && p[i + 1] == '.') ||
		    (c == 1 && p[i] == '.') || ++depth > BERRY_PATH_DEPTH_MAX)
			return 0;
		i += c + 1;
	}
	return 1;
}

/*
 * Opens dir/path/package.json one component at a time, following no
 * symlink, so a lockfile cannot point us outside the project. Returns
 * WS_ENOTFOUND when something on the way does not exist.
 */
static int
berry_read_member(struct berry_reader *r, const char *path, size_t n,
		  struct strbuf *sb)
{
	const char *p = path, *end = path + n;
	char comp[256];
	struct stat st;
	int fd, next, err = 0;

	fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ws_error_set(WS_ENOTFOUND, "%s: %s", r->dir,
				    strerror(errno));
	while (p < end) {
		const char *s = memchr(p, '/', (size_t)(end - p));
		size_t cl = (size_t)((s ? s : end) - p);

		if (cl >= sizeof(comp)) {
			err = ws_error_set(WS_ENOTFOUND, "name too long");
			goto done;
		}
		memcpy(comp, p, cl);
		comp[cl] = '\0';
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		if (next < 0) {
			int e = errno;

			err = ws_error_set(e == ENOENT ? WS_ENOTFOUND : WS_EIO,
					   "\"%s\": %s", comp,
					   e == ELOOP || e == ENOTDIR ?
					   "a symlink or not a directory, not followed" :
					   strerror(e));
			goto done;
		}
		close(fd);
		fd = next;
		p = s ? s + 1 : end;
	}
	if (fstatat(fd, "package.json", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		err = ws_error_set(errno == ENOENT ? WS_ENOTFOUND : WS_EIO,
				   "package.json: %s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		err = ws_error_set(WS_EIO, "package.json: not a regular file");
		goto done;
	}
	next = openat(fd, "package.json", O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		      O_NOCTTY | O_CLOEXEC);
	if (next < 0) {
		err = ws_error_set(WS_EIO, "package.json: %s", strerror(errno));
		goto done;
	}
	close(fd);
	fd = next;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		err = ws_error_set(WS_EIO, "package.json: not a regular file");
	else
		err = strbuf_read_fd(sb, fd, "package.json");
done:
	close(fd);
	return err;
}

/*
 * The package.json of workspace member path, parsed into doc, or NULL when
 * there is none to read. It only refines dev flags, so a missing one is
 * silent and a broken one a warning.
 */
static const struct json_value *
berry_member_manifest(struct berry_reader *r, const char *path, size_t n,
		      struct strbuf *sb, struct json_doc *doc)
{
	int err;

	if (!r->dir)
		return NULL;
	if (r->members_read >= BERRY_MEMBERS_READ_MAX) {
		if (!r->members_warned++)
			tree_warn(r->t, "%s: more than %u workspaces, the package.json of the others is not read",
				  r->file, BERRY_MEMBERS_READ_MAX);
		return NULL;
	}
	r->members_read++;
	err = berry_read_member(r, path, n, sb);
	if (!err && (err = json_parse(doc, sb->buf, sb->len, "package.json",
				      0)) == 0 && !json_is(doc->root,
							   JSON_OBJECT)) {
		json_doc_release(doc);
		err = ws_error_set(WS_EPARSE, "not an object");
	}
	if (err && err != WS_ENOTFOUND)
		tree_warn(r->t, "%s: cannot read the package.json of workspace \"%.*s\" (%s): its dev dependencies are not told apart",
			  r->file, (int)n, path, ws_error_last());
	ws_error_clear();
	return err ? NULL : doc->root;
}

/* Puts the names (keys) of mapping obj into m, or only the optional ones. */
static void
berry_names(struct strmap *m, const struct json_value *obj, int optional)
{
	const struct json_value *v;

	if (!json_is(obj, JSON_OBJECT))
		return;
	for (v = obj->u.first; v; v = v->next) {
		size_t nl = berry_name_len(v->key, v->key_len);

		/* dependenciesMeta may say "name" or "name@version" */
		if (!nl)
			nl = v->key_len;
		if (!optional || json_get_bool(v, "optional"))
			strmap_put(m, v->key, nl, 0, NULL);
	}
}

static int
berry_want_map(const struct berry_reader *r, const struct json_value *v)
{
	if (!v || v->type == JSON_NULL || v->type == JSON_OBJECT)
		return 0;
	return berry_err(r, v, "\"%s\" must be a mapping, not %s", v->key,
			 json_type_name(v->type));
}

/* The edges of one section ("dependencies", "peerDependencies"). */
static int
berry_section(struct berry_reader *r, uint32_t idx,
	      const struct json_value *sec, int peer, struct berry_sets *s)
{
	const struct json_value *v;
	int err;

	for (v = json_is(sec, JSON_OBJECT) ? sec->u.first : NULL; v;
	     v = v->next) {
		const char *spec = berry_scalar(v);
		enum tree_dep_kind kind;
		int opt;

		if (!berry_name_ok(v->key, v->key_len))
			return berry_err(r, v, "bad package name \"%.*s\" in \"%s\"",
					 BERRY_SHOW(v->key_len), v->key,
					 sec->key);
		if (!spec)
			return berry_err(r, v, "\"%s\" in \"%s\" must be a string, not %s",
					 v->key, sec->key,
					 json_type_name(v->type));
		if ((err = berry_check_len(r, v, v->len)))
			return err;
		/* a name gets one edge: YAML lets a key appear twice */
		if (!strmap_put(&s->seen, v->key, v->key_len, 0, NULL))
			continue;
		if (peer) {
			opt = strmap_find(&s->peer_optional, v->key,
					  v->key_len) != NULL;
			kind = opt ? TREE_DEP_PEER_OPTIONAL : TREE_DEP_PEER;
		} else {
			opt = strmap_find(&s->optional, v->key,
					  v->key_len) != NULL;
			kind = opt ? TREE_DEP_OPTIONAL : TREE_DEP_PROD;
			/*
			 * A workspace's devDependencies are in its
			 * "dependencies" too; its manifest tells them apart.
			 */
			if (s->have_manifest &&
			    !strmap_find(&s->ws_prod, v->key, v->key_len) &&
			    strmap_find(&s->ws_dev, v->key, v->key_len))
				kind = TREE_DEP_DEV;
		}
		if ((err = tree_add_dep(r->t, idx, v->key, spec, kind)))
			return err;
	}
	return 0;
}

static int
berry_edges(struct berry_reader *r, uint32_t idx, const struct json_value *e,
	    const struct json_value *ws_manifest)
{
	const struct json_value *deps = json_get(e, "dependencies");
	const struct json_value *peers = json_get(e, "peerDependencies");
	const struct json_value *meta = json_get(e, "dependenciesMeta");
	const struct json_value *pmeta = json_get(e, "peerDependenciesMeta");
	struct berry_sets s;
	int err;

	if ((err = berry_want_map(r, deps)) ||
	    (err = berry_want_map(r, peers)) ||
	    (err = berry_want_map(r, meta)) ||
	    (err = berry_want_map(r, pmeta)))
		return err;
	strmap_init(&s.seen);
	strmap_init(&s.optional);
	strmap_init(&s.peer_optional);
	strmap_init(&s.ws_prod);
	strmap_init(&s.ws_dev);
	s.have_manifest = ws_manifest != NULL;
	berry_names(&s.optional, meta, 1);
	berry_names(&s.peer_optional, pmeta, 1);
	if (ws_manifest) {
		berry_names(&s.ws_prod, json_get(ws_manifest, "dependencies"),
			    0);
		berry_names(&s.ws_prod,
			    json_get(ws_manifest, "optionalDependencies"), 0);
		berry_names(&s.ws_dev, json_get(ws_manifest, "devDependencies"),
			    0);
	}
	if (!(err = berry_section(r, idx, deps, 0, &s)))
		err = berry_section(r, idx, peers, 1, &s);
	strmap_release(&s.ws_dev);
	strmap_release(&s.ws_prod);
	strmap_release(&s.peer_optional);
	strmap_release(&s.optional);
	strmap_release(&s.seen);
	return err;
}

/*
 * Records every descriptor of an entry's key as resolving to node idx, and
 * the alias it is installed under when no descriptor uses the real name.
 */
static int
berry_register(struct berry_reader *r, const struct json_value *e,
	       uint32_t idx, const char *real, size_t real_len)
{
	const char *k = e->key, *end = e->key + e->key_len;
	const char *alias = NULL;
	size_t alias_len = 0;
	int real_seen = 0, err;

	for (;;) {
		const char *c = memchr(k, ',', (size_t)(end - k));
		const char *s = k, *z = c ? c : end, *d, *range, *p;
		struct strmap_entry *ent;
		size_t n, nl, len;

		while (s < z && (*s == ' ' || *s == '\t'))
			s++;
		while (z > s && (z[-1] == ' ' || z[-1] == '\t'))
			z--;
		n = (size_t)(z - s);
		if ((err = berry_check_len(r, e, n)))
			return err;
		nl = berry_name_len(s, n);
		if (!nl || nl + 1 == n || !berry_name_ok(s, nl) ||
		    memchr(s, '\0', n))
			return berry_err(r, e, "bad descriptor \"%.*s\"",
					 BERRY_SHOW(n), s);
		/* a copy of its own, NUL-terminated, for the maps */
		d = mempool_strndup(&r->pool, s, n);
		if (!strmap_put(&r->descs, d, n, idx, &ent) &&
		    ent->value != idx)
			return berry_err(r, e, "descriptor \"%s\" appears in two entries",
					 d);
		if (nl == real_len && memcmp(d, real, nl) == 0)
			real_seen = 1;
		else if (!alias)
			alias = d, alias_len = nl;
		range = d + nl + 1;
		/* yarn's builtin patches replace the descriptor they name */
		if (strncmp(range, "patch:", 6) == 0 &&
		    (p = strchr(range, '#')) && strstr(p, "builtin<")) {
			size_t ilen = (size_t)(p - range - 6);
			const char *inner = berry_decode(r, range + 6, ilen,
							 &len);

			strmap_put(&r->patched, inner, len, idx, NULL);
		}
		/* file:, link: and patch: descriptors are bound to the
		 * package that declared them ("::locator=..."); the map
		 * without the binding is for dependents that omit it */
		if ((p = strstr(range, "::")) && berry_param(range, "locator",
							     &len)) {
			if (!strmap_put(&r->unbound, d, (size_t)(p - d), idx,
					&ent) && ent->value != idx)
				ent->value = BERRY_AMBIGUOUS;
		}
		if (!c)
			break;
		k = c + 1;
	}
	if (!real_seen && alias)
		r->t->nodes[idx].alias = tree_strndup(r->t, alias, alias_len);
	return 0;
}

static void
berry_track(struct berry_reader *r, uint32_t idx, const char *locator,
	    int is_patch)
{
	XGROW(r->locators, r->nodes_alloc, (size_t)idx + 1);
	XGROW(r->is_patch, r->patch_alloc, (size_t)idx + 1);
	r->locators[idx] = locator;
	r->is_patch[idx] = (uint8_t)is_patch;
}

/* A workspace entry: a target at its path, not a package. */
static int
berry_workspace(struct berry_reader *r, const struct json_value *e,
		const char *locator, size_t name_len, const char *version)
{
	struct tree *t = r->t;
	const char *path = locator + name_len + 1 + 10;	/* "workspace:" */
	const struct json_value *m = NULL;
	struct json_doc doc;
	struct strbuf sb;
	char *loc;
	size_t off, len;
	uint32_t idx;
	int err;

	memset(&doc, 0, sizeof(doc));
	strbuf_init(&sb, TREE_MANIFEST_MAX);
	if (!berry_ws_path(path, &off, &len)) {
		err = berry_err(r, e, "bad workspace path \"%.*s\"",
				BERRY_SHOW(strlen(path)), path);
		goto done;
	}
	loc = mempool_strndup(&r->pool, path + off, len);
	if ((err = tree_add_node(t, loc, &idx))) {
		if (err == WS_EPARSE)
			err = berry_err(r, e, "workspace \"%s\" appears twice",
					len ? loc : ".");
		goto done;
	}
	berry_track(r, idx, locator, 0);
	if (len == 0)
		m = r->manifest;
	else
		m = berry_member_manifest(r, loc, len, &sb, &doc);
	t->nodes[idx].name = tree_strndup(t, locator, name_len);
	if (m && json_get_str(m, "version"))
		version = json_get_str(m, "version");
	t->nodes[idx].version = tree_strdup(t, version);
	if (len)
		t->nodes[idx].flags |= TREE_TARGET;
	if (!(err = berry_register(r, e, idx, locator, name_len)))
		err = berry_edges(r, idx, e, m);
	t->nodes[idx].alias = NULL;
done:
	if (doc.root)
		json_doc_release(&doc);
	strbuf_release(&sb);
	return err;
}

static int
berry_entry(struct berry_reader *r, const struct json_value *e)
{
	struct tree *t = r->t;
	const struct json_value *m, *res = NULL, *ver = NULL;
	const char *locator, *ref, *version = NULL, *fallback;
	struct tree_node *n;
	size_t name_len, fallback_len = 0;
	uint32_t idx;
	int err, patch;

	if (e->type != JSON_OBJECT)
		return berry_err(r, e, "entry \"%.*s\" must be a mapping, not %s",
				 BERRY_SHOW(e->key_len), e->key,
				 json_type_name(e->type));
	for (m = e->u.first; m; m = m->next) {
		if (!res && strcmp(m->key, "resolution") == 0)
			res = m;
		else if (!ver && strcmp(m->key, "version") == 0)
			ver = m;
	}
	if (!res)
		return berry_err(r, e, "entry \"%.*s\" has no \"resolution\"",
				 BERRY_SHOW(e->key_len), e->key);
	if (res->type != JSON_STRING)
		return berry_err(r, res, "\"resolution\" must be a string, not %s",
				 json_type_name(res->type));
	if (ver && ver->type != JSON_NULL && !(version = berry_scalar(ver)))
		return berry_err(r, ver, "\"version\" must be a string, not %s",
				 json_type_name(ver->type));
	locator = res->u.str;
	if ((err = berry_check_len(r, res, res->len)))
		return err;
	name_len = berry_name_len(locator, res->len);
	if (!name_len || name_len + 1 == res->len ||
	    !berry_name_ok(locator, name_len) ||
	    berry_has_control(locator, res->len))
		return berry_err(r, res, "bad locator \"%.*s\"",
				 BERRY_SHOW(res->len), locator);
	ref = locator + name_len + 1;
	if (strncmp(ref, "workspace:", 10) == 0)
		return berry_workspace(r, e, locator, name_len, version);

	if ((err = tree_add_node(t, locator, &idx)))
		return err == WS_EPARSE ?
			berry_err(r, res, "resolution \"%.*s\" appears twice",
				  BERRY_SHOW(res->len), locator) : err;
	patch = strncmp(ref, "patch:", 6) == 0;
	berry_track(r, idx, locator, patch);
	n = &t->nodes[idx];
	n->name = tree_strndup(t, locator, name_len);
	berry_describe(r, n, locator, ref, &fallback, &fallback_len);
	n->version = version ? tree_strdup(t, version) :
		fallback ? tree_strndup(t, fallback, fallback_len) : NULL;
	if ((err = berry_register(r, e, idx, locator, name_len)))
		return err;
	if (patch) {
		/* the first edge of a patch is the package it patches */
		const char *base;
		size_t blen, bl;

		blen = strcspn(ref + 6, "#");
		base = berry_decode(r, ref + 6, blen, &blen);
		bl = berry_name_len(base, blen);
		if (!bl || bl + 1 == blen || bl != name_len ||
		    memcmp(base, locator, bl) != 0)
			return berry_err(r, res, "patch \"%.*s\" does not name the package it patches",
					 BERRY_SHOW(res->len), locator);
		if ((err = tree_add_dep(t, idx, n->name, base + bl + 1,
					TREE_DEP_PROD)))
			return err;
	}
	return berry_edges(r, idx, e, NULL);
}

/*
 * Yarn always writes the root workspace; a lockfile without one gets a
 * root from the project's package.json, as the npm reader does.
 */
static int
berry_add_root(struct berry_reader *r)
{
	struct tree *t = r->t;
	const char *name = r->manifest ? json_get_str(r->manifest, "name") :
		NULL;
	uint32_t idx;
	int err;

	if (!name || !berry_name_ok(name, strlen(name)))
		name = "(root)";
	if ((err = tree_add_node(t, "", &idx)))
		return err;
	berry_track(r, idx, mempool_strcat2(&r->pool, name, strlen(name),
					    "@workspace:.", 12), 0);
	t->nodes[idx].name = tree_strdup(t, name);
	if (r->manifest)
		t->nodes[idx].version = tree_strdup(t,
			json_get_str(r->manifest, "version"));
	return r->manifest ? tree_add_manifest_deps(t, idx, r->manifest,
						    TREE_MANIFEST_DEV,
						    "package.json") : 0;
}

static uint32_t
berry_try(struct berry_reader *r)
{
	const struct strbuf *sb = &r->scratch;
	const struct strmap_entry *e;

	if ((e = strmap_find(&r->patched, sb->buf, sb->len)) ||
	    (e = strmap_find(&r->descs, sb->buf, sb->len)))
		return e->value;
	return TREE_NONE;
}

/*
 * The node a dependency name: spec of node `from` resolves to: the entry
 * whose key lists the descriptor name@spec, as yarn wrote it or as yarn
 * normalises it (a bare range means npm:; older lockfiles drop "npm:" in
 * keys), bound to its parent for file: and link: ranges.
 */
static uint32_t
berry_lookup(struct berry_reader *r, uint32_t from, const char *name,
	     const char *spec)
{
	struct strbuf *sb = &r->scratch;
	const struct strmap_entry *e;
	uint32_t to = TREE_NONE;
	size_t base;

	strbuf_reset(sb);
	if (strbuf_addstr(sb, name) || strbuf_addch(sb, '@'))
		return TREE_NONE;
	base = sb->len;
	if (!strbuf_addstr(sb, spec) && (to = berry_try(r)) != TREE_NONE)
		return to;
	sb->len = base;
	if (!berry_has_protocol(spec)) {
		if (!strbuf_addstr(sb, "npm:") && !strbuf_addstr(sb, spec) &&
		    (to = berry_try(r)) != TREE_NONE)
			return to;
	} else if (strncmp(spec, "npm:", 4) == 0 && !strchr(spec + 4, '@')) {
		if (!strbuf_addstr(sb, spec + 4) &&
		    (to = berry_try(r)) != TREE_NONE)
			return to;
	}
	sb->len = base;
	if (!strbuf_addstr(sb, spec) &&
	    !strbuf_addstr(sb, strstr(spec, "::") ? "&locator=" :
			   "::locator=") &&
	    !berry_add_encoded(sb, r->locators[from]) &&
	    (to = berry_try(r)) != TREE_NONE)
		return to;
	sb->len = base;
	if (!strbuf_addstr(sb, spec) &&
	    (e = strmap_find(&r->unbound, sb->buf, sb->len)) &&
	    e->value != BERRY_AMBIGUOUS)
		return e->value;
	return TREE_NONE;
}

static void
berry_link(struct berry_reader *r)
{
	struct tree *t = r->t;
	size_t i, j;

	for (i = 0; i < t->nnodes; i++) {
		const struct tree_node *n = &t->nodes[i];

		for (j = 0; j < n->ndeps; j++) {
			struct tree_dep *d = &t->deps[n->deps + j];

			if (!d->spec)
				continue;
			if (j == 0 && r->is_patch[i]) {
				strbuf_reset(&r->scratch);
				if (!strbuf_addstr(&r->scratch, d->name) &&
				    !strbuf_addch(&r->scratch, '@') &&
				    !strbuf_addstr(&r->scratch, d->spec))
					d->target = tree_find(t, r->scratch.buf,
							      r->scratch.len);
				continue;
			}
			/* peers come from whoever depends on the package,
			 * which one lockfile entry cannot say */
			if (d->kind == TREE_DEP_PEER ||
			    d->kind == TREE_DEP_PEER_OPTIONAL)
				continue;
			d->target = berry_lookup(r, (uint32_t)i, d->name,
						 d->spec);
		}
	}
}

static int
berry_metadata(struct berry_reader *r, const struct json_value *root,
	       long *version)
{
	const struct json_value *meta = json_get(root, "__metadata");
	const struct json_value *ver = json_get(meta, "version");
	const char *text = berry_scalar(ver);
	char *end;

	if (!json_is(meta, JSON_OBJECT))
		return berry_err(r, meta ? meta : root,
				 "no \"__metadata\" mapping: not a yarn berry lockfile");
	if (!text)
		return berry_err(r, ver ? ver : meta,
				 "\"__metadata\" has no \"version\"");
	errno = 0;
	*version = strtol(text, &end, 10);
	if (end == text || *end || errno || *version < BERRY_VERSION_MIN ||
	    *version > BERRY_VERSION_MAX)
		return ws_error_set(WS_EUNSUPPORTED,
				    "%s:%u:%u: yarn lockfile version %.*s is not supported (wormsign reads versions %d to %d)",
				    r->file, ver->line, ver->col16,
				    BERRY_SHOW(ver->len > 32 ? 32 : ver->len),
				    text, BERRY_VERSION_MIN,
				    BERRY_VERSION_MAX);
	return 0;
}

int
lockfile_parse_yarn_berry(struct tree **out, char *buf, size_t len,
			  const char *file, const struct json_value *manifest)
{
	struct berry_reader r;
	struct json_doc doc;
	const struct json_value *root, *e;
	struct tree *t = NULL;
	char format[64];
	long version = 0;
	int err;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if ((err = json_parse_yaml(&doc, buf, len, file)))
		return err;
	r.file = file;
	r.manifest = json_is(manifest, JSON_OBJECT) ? manifest : NULL;
	r.dir = lockfile_dirname(file);
	mempool_init(&r.pool, 64u << 10);
	strmap_init(&r.descs);
	strmap_init(&r.patched);
	strmap_init(&r.unbound);
	strbuf_init(&r.scratch, 16 * BERRY_DESCRIPTOR_MAX);
	root = doc.root;
	if (root->type != JSON_OBJECT) {
		err = berry_err(&r, root, "expected a mapping at the top, not %s",
				json_type_name(root->type));
		goto done;
	}
	if ((err = berry_metadata(&r, root, &version)))
		goto done;
	snprintf(format, sizeof(format), "yarn berry v%ld", version);
	tree_new(&t, file, format);
	t->synthetic_locations = 1;
	t->integrity_unrecorded = 1;
	r.t = t;
	for (e = root->u.first; e && !err; e = e->next)
		if (strcmp(e->key, "__metadata") != 0)
			err = berry_entry(&r, e);
	if (!err && tree_find(t, "", 0) == TREE_NONE)
		err = berry_add_root(&r);
	if (!err)
		berry_link(&r);

done:
	strbuf_release(&r.scratch);
	strmap_release(&r.unbound);
	strmap_release(&r.patched);
	strmap_release(&r.descs);
	mempool_release(&r.pool);
	free(r.locators);
	free(r.is_patch);
	free(r.dir);
	json_doc_release(&doc);
	if (err) {
		tree_free(t);
		return err;
	}
	*out = t;
	return 0;
}
