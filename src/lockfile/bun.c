#include "lockfile/lockfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "lockfile/internal.h"
#include "util/banned.h"

#define bun_err(r, v, ...) lockfile_err((r)->file, (v), __VA_ARGS__)

/*
 * bun.lock, the text lockfile (lockfileVersion 0, 1 and 2): JSON with
 * trailing commas. "workspaces" holds the root ("") and every member by
 * path, manifest-shaped; "packages" maps install paths to arrays:
 *
 *	npm		[ "name@1.2.3", registry-or-"", {info}, integrity ]
 *	file:, link:	[ "name@file:path", {info} ]
 *	tarball		[ "name@url-or-path", {info}, integrity? ]
 *	git, github	[ "name@git+url#ref", {info}, bun-tag, integrity? ]
 *	workspace	[ "name@workspace:path" ] (v0: and an {info})
 *	root		[ "name@root:", {bin} ]
 *
 * A key is the package's place in the hoisted node_modules tree: "ms",
 * "debug/ms" (ms under debug), "@jest/types/@types/yargs", and for what a
 * workspace member keeps to itself, the member's name first ("a/debug").
 * Each key becomes the node_modules path bun installs it at, so that
 * tree_resolve's Node lookup links the edges: bun's own lookup walks the
 * keys the same way (key + "/" + dep, then each parent prefix).
 */

#define BUN_KEY_MAX 4096		/* bytes in a package key or path */
#define BUN_KEY_SEGMENTS_MAX 128	/* nested node_modules levels */
#define BUN_NAME_MAX 214		/* npm's limit on a package name */
/* a location: a member's path, then "/node_modules/" per key segment */
#define BUN_LOCATION_MAX (2 * BUN_KEY_MAX + 16 * BUN_KEY_SEGMENTS_MAX)

enum bun_res {
	BUN_RES_NPM,
	BUN_RES_FOLDER,		/* file: directory */
	BUN_RES_LINK,		/* link: */
	BUN_RES_TARBALL,	/* remote URL or local tarball path */
	BUN_RES_GIT,		/* git+..., github:... */
	BUN_RES_WORKSPACE,
	BUN_RES_ROOT,
};

struct bun_reader {
	struct tree *t;
	const char *file;
	long version;
	struct strmap ws_names;		/* member name -> ws_paths index */
	const char **ws_paths;		/* borrowed from the document */
	size_t nws;
	struct strbuf loc;
};

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether s[0..n) is a path segment of its own: not "", "." or "..". */
static int
bun_part_ok(const char *s, size_t n)
{
	return n > 0 && !(n == 1 && s[0] == '.') &&
	       !(n == 2 && s[0] == '.' && s[1] == '.');
}

/* Whether s[0..n) is a name a registry could hold (no path tricks). */
static int
bun_name_ok(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);

	if (n == 0 || n > BUN_NAME_MAX || memchr(s, '\\', n))
		return 0;
	if (n == 12 && memcmp(s, "node_modules", 12) == 0)
		return 0;
	if (s[0] != '@')
		return !slash && bun_part_ok(s, n);
	/* @scope/name: both parts are directories once installed */
	return slash && bun_part_ok(s + 1, (size_t)(slash - s - 1)) &&
	       bun_part_ok(slash + 1, (size_t)(s + n - slash - 1)) &&
	       !memchr(slash + 1, '/', (size_t)(s + n - slash - 1));
}

/*
 * A workspace path as a location: relative, '/'-separated, with no empty,
 * "." or ".." segment and no node_modules segment (it must not collide with
 * an installed package's location).
 */
static int
bun_path_ok(const char *p, size_t n)
{
	const char *seg = p, *end = p + n, *s;

	if (n == 0 || n > BUN_KEY_MAX || memchr(p, '\\', n))
		return 0;
	for (;;) {
		size_t len;

		s = memchr(seg, '/', (size_t)(end - seg));
		if (!s)
			s = end;
		len = (size_t)(s - seg);
		if (!bun_part_ok(seg, len) ||
		    (len == 12 && memcmp(seg, "node_modules", 12) == 0))
			return 0;
		if (s == end)
			return 1;
		seg = s + 1;
	}
}

/*
 * The location of package key e->key into r->loc; *install gets its last
 * segment (the name it is installed under) and *install_len its length.
 */
static int
bun_key_location(struct bun_reader *r, const struct json_value *e,
		 const char **install, size_t *install_len)
{
	const char *key = e->key, *p = key, *end = key + e->key_len;
	int nseg = 0, err;

	strbuf_reset(&r->loc);
	if (e->key_len > BUN_KEY_MAX)
		return ws_error_set(WS_ELIMIT,
				    "%s:%u:%u: package key longer than %u bytes",
				    r->file, e->line, e->col16, BUN_KEY_MAX);
	if (e->key_len == 0 || strlen(key) != e->key_len)
		return bun_err(r, e, "bad package key \"%s\"", key);
	for (;;) {
		const char *s = memchr(p, '/', (size_t)(end - p));
		struct strmap_entry *ws;
		size_t len;

		if (s && p[0] == '@')
			s = memchr(s + 1, '/', (size_t)(end - s - 1));
		if (!s)
			s = end;
		len = (size_t)(s - p);
		if (!bun_name_ok(p, len) || (s < end && s + 1 == end))
			return bun_err(r, e, "bad package key \"%s\"", key);
		if (++nseg > BUN_KEY_SEGMENTS_MAX)
			return ws_error_set(WS_ELIMIT,
					    "%s:%u:%u: package key \"%.64s...\" nested deeper than %d levels",
					    r->file, e->line, e->col16, key,
					    BUN_KEY_SEGMENTS_MAX);
		ws = nseg == 1 && s < end ?
			strmap_find(&r->ws_names, p, len) : NULL;
		if (ws) {
			/* what a member keeps to itself sits in its own
			 * node_modules, under the member's directory */
			err = strbuf_addstr(&r->loc, r->ws_paths[ws->value]);
		} else if ((err = strbuf_addstr(&r->loc, nseg == 1 ?
						"node_modules/" :
						"/node_modules/")) == 0) {
			err = strbuf_add(&r->loc, p, len);
		}
		if (err)
			return err;
		*install = p;
		*install_len = len;
		if (s == end)
			return 0;
		p = s + 1;
	}
}

/* The array element i of arr, or NULL. */
static const struct json_value *
bun_at(const struct json_value *arr, size_t i)
{
	const struct json_value *v = arr->u.first;

	while (v && i--)
		v = v->next;
	return v;
}

static enum bun_res
bun_classify(const char *res)
{
	if (has_prefix(res, "root:"))
		return BUN_RES_ROOT;
	if (has_prefix(res, "workspace:"))
		return BUN_RES_WORKSPACE;
	if (has_prefix(res, "link:"))
		return BUN_RES_LINK;
	if (has_prefix(res, "file:"))
		return BUN_RES_FOLDER;
	if (res[0] >= '0' && res[0] <= '9')
		return BUN_RES_NPM;
	if (tree_source_from_resolved(res) == TREE_SOURCE_GIT ||
	    has_prefix(res, "git@") || has_prefix(res, "ssh://"))
		return BUN_RES_GIT;
	return BUN_RES_TARBALL;
}

/*
 * The dependency maps of info (a workspace or a package's info object) as
 * edges of node, the node added last; peers named in "optionalPeers" are
 * optional. devDependencies count only for workspaces.
 */
static int
bun_add_deps(struct bun_reader *r, uint32_t node,
	     const struct json_value *info, int workspace)
{
	struct tree *t = r->t;
	const struct json_value *op, *v;
	struct strmap opt;
	uint32_t i;
	int err;

	err = tree_add_manifest_deps(t, node, info, TREE_MANIFEST_STRICT |
				     (workspace ? TREE_MANIFEST_DEV : 0),
				     r->file);
	if (err)
		return err;
	op = json_get(info, "optionalPeers");
	if (!op || op->type == JSON_NULL)
		return 0;
	if (op->type != JSON_ARRAY)
		return bun_err(r, op, "\"optionalPeers\" must be an array, not %s",
			       json_type_name(op->type));
	strmap_init(&opt);
	for (v = op->u.first; v; v = v->next) {
		if (v->type != JSON_STRING) {
			err = bun_err(r, v, "\"optionalPeers\" entries must be strings, not %s",
				      json_type_name(v->type));
			goto done;
		}
		strmap_put(&opt, v->u.str, v->len, 0, NULL);
	}
	for (i = 0; i < t->nodes[node].ndeps; i++) {
		struct tree_dep *d = &t->deps[t->nodes[node].deps + i];

		if (d->kind == TREE_DEP_PEER &&
		    strmap_find(&opt, d->name, strlen(d->name)))
			d->kind = TREE_DEP_PEER_OPTIONAL;
	}

done:
	strmap_release(&opt);
	return err;
}

/* Element i of arr as a string, or an error naming what. */
static int
bun_want_string(const struct bun_reader *r, const struct json_value *arr,
		size_t i, const char *what, int optional, const char **out)
{
	const struct json_value *v = bun_at(arr, i);

	*out = NULL;
	if (!v) {
		if (optional)
			return 0;
		return bun_err(r, arr, "package \"%s\" has no %s", arr->key,
			       what);
	}
	if (v->type != JSON_STRING) {
		if (optional)
			return 0;
		return bun_err(r, v, "%s of \"%s\" must be a string, not %s",
			       what, arr->key, json_type_name(v->type));
	}
	if (strlen(v->u.str) != v->len)
		return bun_err(r, v, "%s of \"%s\" holds a NUL byte", what,
			       arr->key);
	*out = v->u.str;
	return 0;
}

static int
bun_want_info(const struct bun_reader *r, const struct json_value *arr,
	      size_t i, const struct json_value **out)
{
	const struct json_value *v = bun_at(arr, i);

	*out = v;
	if (!v)
		return bun_err(r, arr, "package \"%s\" has no info object",
			       arr->key);
	if (v->type != JSON_OBJECT)
		return bun_err(r, v, "info of \"%s\" must be an object, not %s",
			       arr->key, json_type_name(v->type));
	return 0;
}

/* One entry of "packages". */
static int
bun_package(struct bun_reader *r, const struct json_value *e)
{
	struct tree *t = r->t;
	const struct json_value *info = NULL;
	const char *ident, *res, *at, *install = NULL, *registry = NULL;
	const char *integrity = NULL, *tag = NULL;
	size_t name_len, install_len = 0;
	struct tree_node *n;
	enum bun_res kind;
	uint32_t idx;
	int err;

	if (e->type != JSON_ARRAY)
		return bun_err(r, e, "package \"%s\" must be an array, not %s",
			       e->key, json_type_name(e->type));
	if ((err = bun_key_location(r, e, &install, &install_len)))
		return err;
	if (e->len == 0)
		return bun_err(r, e, "package \"%s\" is empty", e->key);
	if ((err = bun_want_string(r, e, 0, "ident", 0, &ident)))
		return err;
	if (has_prefix(ident, "@root:")) {
		at = ident;
	} else {
		at = strchr(ident[0] == '@' ? ident + 1 : ident, '@');
		if (!at || !bun_name_ok(ident, (size_t)(at - ident)))
			return bun_err(r, e->u.first,
				       "bad package ident \"%s\" for \"%s\"",
				       ident, e->key);
	}
	name_len = (size_t)(at - ident);
	res = at + 1;
	if (!*res)
		return bun_err(r, e->u.first,
			       "package ident \"%s\" has no version", ident);
	kind = bun_classify(res);
	switch (kind) {
	case BUN_RES_NPM:
		if ((err = bun_want_string(r, e, 1, "registry", 0,
					   &registry)) ||
		    (err = bun_want_info(r, e, 2, &info)) ||
		    (err = bun_want_string(r, e, 3, "integrity", 0,
					   &integrity)))
			return err;
		break;
	case BUN_RES_FOLDER:
	case BUN_RES_LINK:
		err = bun_want_info(r, e, 1, &info);
		break;
	case BUN_RES_TARBALL:
		if (!(err = bun_want_info(r, e, 1, &info)))
			err = bun_want_string(r, e, 2, "integrity", 1,
					      &integrity);
		break;
	case BUN_RES_GIT:
		if (!(err = bun_want_info(r, e, 1, &info)) &&
		    !(err = bun_want_string(r, e, 2, "git tag", 0, &tag)))
			err = bun_want_string(r, e, 3, "integrity", 1,
					      &integrity);
		break;
	case BUN_RES_WORKSPACE:
	case BUN_RES_ROOT:
		break;
	}
	if (err)
		return err;
	if ((err = tree_add_node(t, r->loc.buf, &idx)))
		return err == WS_EPARSE ?
			bun_err(r, e, "package \"%s\" appears twice", e->key) :
			err;
	n = &t->nodes[idx];
	n->name = tree_strndup(t, ident, name_len);
	if (kind == BUN_RES_WORKSPACE || kind == BUN_RES_ROOT) {
		/* a link to the member (or the root project), which holds
		 * the dependencies; v0 repeated them here */
		n->flags = TREE_LINK;
		n->link = tree_strdup(t, kind == BUN_RES_ROOT ? "" :
				      res + strlen("workspace:"));
		n->source = TREE_SOURCE_WORKSPACE;
		return 0;
	}
	if (name_len != install_len || memcmp(ident, install, name_len) != 0)
		n->alias = tree_strndup(t, install, install_len);
	/* outside the registry there is no version: the spec stands in */
	n->version = tree_strdup(t, res);
	n->integrity = integrity && *integrity ? tree_strdup(t, integrity) :
		NULL;
	switch (kind) {
	case BUN_RES_NPM:
		/* "" is the default registry; else the tarball's URL */
		n->resolved = *registry ? tree_strdup(t, registry) : NULL;
		n->source = TREE_SOURCE_REGISTRY;
		break;
	case BUN_RES_FOLDER:
		n->resolved = n->version;
		n->source = TREE_SOURCE_FILE;
		break;
	case BUN_RES_LINK:
		n->resolved = n->version;
		n->source = TREE_SOURCE_LINK;
		break;
	case BUN_RES_GIT:
		n->resolved = n->version;
		n->source = TREE_SOURCE_GIT;
		break;
	default:
		n->resolved = n->version;
		n->source = (uint8_t)(has_prefix(res, "http://") ||
				      has_prefix(res, "https://") ?
				      TREE_SOURCE_TARBALL : TREE_SOURCE_FILE);
		break;
	}
	if (json_get_bool(info, "bundled"))
		n->flags |= TREE_BUNDLED;
	return bun_add_deps(r, idx, info, 0);
}

/*
 * The members of "workspaces" (the root included) as targets: first their
 * names, which package keys start with, then one node each with its edges.
 */
static int
bun_workspaces(struct bun_reader *r, const struct json_value *ws,
	       const struct json_value *manifest)
{
	struct tree *t = r->t;
	const struct json_value *w, *root = NULL;
	uint32_t idx;
	int err;

	if (ws->type != JSON_OBJECT)
		return bun_err(r, ws, "\"workspaces\" must be an object, not %s",
			       json_type_name(ws->type));
	r->ws_paths = xcalloc(ws->len + 1, sizeof(*r->ws_paths));
	for (w = ws->u.first; w; w = w->next) {
		const struct json_value *name;

		if (w->type != JSON_OBJECT)
			return bun_err(r, w, "workspace \"%s\" must be an object, not %s",
				       w->key, json_type_name(w->type));
		if (w->key_len == 0) {
			if (root)
				return bun_err(r, w, "root workspace \"\" appears twice");
			root = w;
			continue;
		}
		if (w->key_len > BUN_KEY_MAX)
			return ws_error_set(WS_ELIMIT,
					    "%s:%u:%u: workspace path longer than %u bytes",
					    r->file, w->line, w->col16,
					    BUN_KEY_MAX);
		if (strlen(w->key) != w->key_len ||
		    !bun_path_ok(w->key, w->key_len))
			return bun_err(r, w, "bad workspace path \"%s\"",
				       w->key);
		name = json_get(w, "name");
		if (!json_is(name, JSON_STRING))
			return bun_err(r, name ? name : w,
				       "workspace \"%s\" needs a string \"name\"",
				       w->key);
		if (!bun_name_ok(name->u.str, name->len) ||
		    strlen(name->u.str) != name->len)
			return bun_err(r, name, "bad workspace name \"%s\"",
				       name->u.str);
		if (!strmap_put(&r->ws_names, name->u.str, name->len,
				(uint32_t)r->nws, NULL))
			return bun_err(r, name,
				       "workspace name \"%s\" appears twice",
				       name->u.str);
		r->ws_paths[r->nws++] = w->key;
	}
	if (!root)
		return bun_err(r, ws, "\"workspaces\" has no root entry \"\"");
	for (w = ws->u.first; w; w = w->next) {
		const struct json_value *v = json_get(w, "version");
		const char *name = json_get_str(w, "name");
		const char *version = NULL;

		if (v && v->type != JSON_NULL) {
			if (v->type != JSON_STRING)
				return bun_err(r, v, "\"version\" of workspace \"%s\" must be a string",
					       w->key);
			version = v->u.str;
		}
		if (w == root) {
			if (json_get(w, "name") && !name &&
			    json_get(w, "name")->type != JSON_NULL)
				return bun_err(r, json_get(w, "name"),
					       "\"name\" of the root workspace must be a string");
			if (!name && manifest)
				name = json_get_str(manifest, "name");
			/* bun does not keep the root's version */
			if (!version && manifest)
				version = json_get_str(manifest, "version");
			if (!name)
				name = "(root)";
		}
		if ((err = tree_add_node(t, w->key, &idx)))
			return err == WS_EPARSE ?
				bun_err(r, w, "workspace \"%s\" appears twice",
					w->key) : err;
		t->nodes[idx].name = tree_strdup(t, name);
		t->nodes[idx].version = tree_strdup(t, version);
		if (w != root) {
			t->nodes[idx].flags = TREE_TARGET;
			t->nodes[idx].source = TREE_SOURCE_WORKSPACE;
			tree_add_workspace(t, w->key);
		}
		if ((err = bun_add_deps(r, idx, w, 1)))
			return err;
	}
	return 0;
}

static int
bun_version(struct bun_reader *r, const struct json_value *top)
{
	const struct json_value *v = json_get(top, "lockfileVersion");
	char *end;

	if (!v)
		return bun_err(r, top, "no \"lockfileVersion\"");
	if (v->type != JSON_NUMBER)
		return bun_err(r, v, "\"lockfileVersion\" must be a number, not %s",
			       json_type_name(v->type));
	r->version = strtol(v->u.str, &end, 10);
	if (end != v->u.str + v->len || r->version < 0 || r->version > 2)
		return ws_error_set(WS_EUNSUPPORTED,
				    "%s:%u:%u: lockfileVersion %.*s is not supported (wormsign reads versions 0, 1 and 2)",
				    r->file, v->line, v->col16,
				    (int)(v->len > 32 ? 32 : v->len), v->u.str);
	return 0;
}

int
lockfile_parse_bun(struct tree **out, char *buf, size_t len, const char *file,
		   const struct json_value *manifest)
{
	struct json_doc doc;
	struct bun_reader r;
	const struct json_value *top, *ws, *pkgs, *e;
	char format[32];
	int err;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	memset(&doc, 0, sizeof(doc));
	r.file = file;
	strmap_init(&r.ws_names);
	strbuf_init(&r.loc, BUN_LOCATION_MAX);
	/* bun reads its lockfile as JSONC: comments are accepted too */
	if ((err = json_parse(&doc, buf, len, file,
			      JSON_ALLOW_TRAILING_COMMAS | JSON_ALLOW_COMMENTS)))
		goto done;
	top = doc.root;
	if (top->type != JSON_OBJECT) {
		err = bun_err(&r, top, "expected an object at the top, not %s",
			      json_type_name(top->type));
		goto done;
	}
	if ((err = bun_version(&r, top)))
		goto done;
	ws = json_get(top, "workspaces");
	if (!ws) {
		err = bun_err(&r, top, "no \"workspaces\" object");
		goto done;
	}
	pkgs = json_get(top, "packages");
	if (pkgs && pkgs->type != JSON_OBJECT && pkgs->type != JSON_NULL) {
		err = bun_err(&r, pkgs, "\"packages\" must be an object, not %s",
			      json_type_name(pkgs->type));
		goto done;
	}
	snprintf(format, sizeof(format), "bun.lock v%ld", r.version);
	tree_new(&r.t, file, format);
	if ((err = bun_workspaces(&r, ws, manifest)))
		goto done;
	for (e = json_is(pkgs, JSON_OBJECT) ? pkgs->u.first : NULL; e;
	     e = e->next)
		if ((err = bun_package(&r, e)))
			goto done;

done:
	json_doc_release(&doc);
	strbuf_release(&r.loc);
	strmap_release(&r.ws_names);
	free(r.ws_paths);
	if (err) {
		tree_free(r.t);
		return err;
	}
	*out = r.t;
	return 0;
}
