#include "lockfile/lockfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "lockfile/npm.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "lockfile/internal.h"
#include "util/banned.h"

#define npm_err(r, v, ...) lockfile_err((r)->file, (v), __VA_ARGS__)

/*
 * npm lockfiles. v2 and v3 list every installed location under
 * "packages", keyed by its path ("node_modules/a/node_modules/b"); v1
 * nests "dependencies" objects instead. Both become the same tree: one
 * node per location, edges from each entry's dependency maps, resolved
 * afterwards by Node's lookup (tree_resolve).
 */

#define NPM_V1_DEPTH_MAX 256

struct npm_reader {
	struct tree *t;
	const char *file;
	struct strbuf loc;
};

static int
npm_want_string(const struct npm_reader *r, const struct json_value *obj,
		const char *key, const char **out)
{
	const struct json_value *v = json_get(obj, key);

	*out = NULL;
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_STRING)
		return npm_err(r, v, "\"%s\" must be a string", key);
	*out = v->u.str;
	return 0;
}

/* The install name of a location: what follows its last "node_modules/". */
static const char *
npm_install_name(const char *loc)
{
	const char *p = loc, *hit = NULL;

	while ((p = strstr(p, "node_modules/"))) {
		if (p == loc || p[-1] == '/')
			hit = p + 13;
		p += 13;
	}
	return hit;
}

/* Splits "npm:real@1.2.3" (an alias spec) into name and version. */
static int
npm_split_alias(const char *spec, const char **name, size_t *name_len,
		const char **version)
{
	const char *s, *at;

	if (strncmp(spec, "npm:", 4) != 0)
		return 0;
	s = spec + 4;
	at = strchr(s[0] == '@' ? s + 1 : s, '@');
	if (!at || at == s)
		return 0;
	*name = s;
	*name_len = (size_t)(at - s);
	*version = at + 1;
	return 1;
}

static uint16_t
npm_flags(const struct json_value *e)
{
	uint16_t f = 0;

	if (json_get_bool(e, "dev"))
		f |= TREE_DEV;
	if (json_get_bool(e, "optional"))
		f |= TREE_OPTIONAL;
	if (json_get_bool(e, "devOptional"))
		f |= TREE_DEVOPTIONAL;
	if (json_get_bool(e, "peer"))
		f |= TREE_PEER;
	if (json_get_bool(e, "inBundle") || json_get_bool(e, "bundled"))
		f |= TREE_BUNDLED;
	return f;
}

static int
npm_check_name(const struct npm_reader *r, const struct json_value *at,
	       const char *name)
{
	size_t n = strlen(name);

	/* The names end up in reports and paths: refuse what no registry
	 * would accept as a package name rather than print it. */
	if (n == 0 || n > 214)
		return npm_err(r, at, "bad package name \"%s\"", name);
	if (strstr(name, "..") || strchr(name, '\\') ||
	    (name[0] == '@' ? !strchr(name, '/') : !!strchr(name, '/')))
		return npm_err(r, at, "bad package name \"%s\"", name);
	return 0;
}

/* The string member m, or an error when it is something else. */
static int
npm_member_string(const struct npm_reader *r, const struct json_value *m,
		  const char **out)
{
	if (m->type == JSON_NULL)
		return 0;
	if (m->type != JSON_STRING)
		return npm_err(r, m, "\"%s\" must be a string", m->key);
	*out = m->u.str;
	return 0;
}

/*
 * One entry of a v2/v3 "packages" map. The members are read in one pass:
 * a lockfile of 100,000 entries made per-key lookups the parser's largest
 * cost.
 */
static int
npm_packages_entry(struct npm_reader *r, const struct json_value *e)
{
	struct tree *t = r->t;
	const char *loc = e->key, *install, *name = NULL, *version = NULL;
	const char *resolved = NULL, *integrity = NULL;
	const struct json_value *m;
	struct tree_node *n;
	uint16_t flags = 0;
	uint32_t idx;
	int err = 0, in_nm, link = 0;

	if (e->type != JSON_OBJECT)
		return npm_err(r, e, "package \"%s\" must be an object", loc);
	if (strchr(loc, '\\') || loc[0] == '/')
		return npm_err(r, e, "bad package location \"%s\"", loc);
	for (m = e->u.first; m && !err; m = m->next) {
		const char *k = m->key;
		int is_true = m->type == JSON_TRUE;

		/* Dispatch on length first: most members (license, engines,
		 * dependencies) match none of these and cost one switch. */
		switch (m->key_len) {
		case 3:
			if (is_true && memcmp(k, "dev", 3) == 0)
				flags |= TREE_DEV;
			break;
		case 4:
			if (memcmp(k, "name", 4) == 0)
				err = npm_member_string(r, m, &name);
			else if (is_true && memcmp(k, "peer", 4) == 0)
				flags |= TREE_PEER;
			else if (is_true && memcmp(k, "link", 4) == 0)
				link = 1;
			break;
		case 7:
			if (memcmp(k, "version", 7) == 0)
				err = npm_member_string(r, m, &version);
			break;
		case 8:
			if (memcmp(k, "resolved", 8) == 0)
				err = npm_member_string(r, m, &resolved);
			else if (is_true && memcmp(k, "optional", 8) == 0)
				flags |= TREE_OPTIONAL;
			else if (is_true && memcmp(k, "inBundle", 8) == 0)
				flags |= TREE_BUNDLED;
			break;
		case 9:
			if (memcmp(k, "integrity", 9) == 0)
				err = npm_member_string(r, m, &integrity);
			break;
		case 11:
			if (is_true && memcmp(k, "devOptional", 11) == 0)
				flags |= TREE_DEVOPTIONAL;
			break;
		case 16:
			if (is_true && memcmp(k, "hasInstallScript", 16) == 0)
				flags |= TREE_INSTALL_SCRIPT;
			break;
		}
	}
	if (err)
		return err;
	/* Strings below borrow from the document's buffer, which the
	 * caller keeps for the tree's life (lockfile_load hands it over). */
	if ((err = tree_add_node_ref(t, loc, &idx)))
		return err == WS_EPARSE ?
			npm_err(r, e, "package location \"%s\" appears twice",
				loc) : err;
	n = &t->nodes[idx];
	n->line = e->line;
	install = npm_install_name(loc);
	in_nm = install != NULL;
	if (in_nm) {
		if ((err = npm_check_name(r, e, install)))
			return err;
		if (name && strcmp(name, install) != 0) {
			if ((err = npm_check_name(r, e, name)))
				return err;
			n->name = name;
			n->alias = install;
		} else {
			n->name = install;
		}
	} else if (name) {
		n->name = name;
	} else {
		const char *base = strrchr(loc, '/');

		n->name = base ? base + 1 : loc;
	}
	n->version = version;
	n->integrity = integrity;
	n->resolved = resolved;
	n->flags = flags;
	n->source = (uint8_t)tree_source_from_resolved(resolved);
	if (link) {
		n->flags |= TREE_LINK;
		if (!resolved)
			return npm_err(r, e, "link \"%s\" has no \"resolved\"",
				       loc);
		n->link = n->resolved;
		return 0;
	}
	if (loc[0] == '\0') {
		const struct json_value *ws = json_get(e, "workspaces");
		const struct json_value *w;

		if (json_is(ws, JSON_OBJECT))
			ws = json_get(ws, "packages");
		if (json_is(ws, JSON_ARRAY))
			for (w = ws->u.first; w; w = w->next)
				if (w->type == JSON_STRING)
					tree_add_workspace(t, w->u.str);
	}
	/* Only the root and workspace members carry their devDependencies
	 * into the lockfile; for installed packages they were never
	 * installed. */
	return tree_add_manifest_deps(t, idx, e,
				      TREE_MANIFEST_STRICT | TREE_MANIFEST_BORROW |
				      (in_nm ? 0 : TREE_MANIFEST_DEV),
				      r->file);
}

static int
npm_read_packages(struct npm_reader *r, const struct json_value *pkgs)
{
	const struct json_value *e;
	int err;

	if (pkgs->type != JSON_OBJECT)
		return npm_err(r, pkgs, "\"packages\" must be an object");
	/* the entry count is known: size the tree once (edges: a guess) */
	tree_reserve(r->t, pkgs->len + 1, (size_t)pkgs->len * 3);
	for (e = pkgs->u.first; e; e = e->next)
		if ((err = npm_packages_entry(r, e)))
			return err;
	return 0;
}

/* v1: the nested "dependencies" map of one level, below location base. */
static int
npm_read_v1_level(struct npm_reader *r, const struct json_value *deps,
		  size_t base_len, int depth)
{
	struct tree *t = r->t;
	const struct json_value *e;
	int err;

	if (deps->type != JSON_OBJECT)
		return npm_err(r, deps, "\"dependencies\" must be an object");
	if (depth > NPM_V1_DEPTH_MAX)
		return ws_error_set(WS_ELIMIT,
				    "%s:%u: dependencies nested deeper than %d levels",
				    r->file, deps->line, NPM_V1_DEPTH_MAX);
	for (e = deps->u.first; e; e = e->next) {
		const char *version, *resolved, *integrity, *aname, *aver;
		const struct json_value *req, *sub, *v;
		struct tree_node *n;
		size_t alen, loc_len;
		uint32_t idx;

		if (e->type != JSON_OBJECT)
			return npm_err(r, e,
				       "dependency \"%s\" must be an object",
				       e->key);
		if ((err = npm_check_name(r, e, e->key)))
			return err;
		if ((err = npm_want_string(r, e, "version", &version)) ||
		    (err = npm_want_string(r, e, "resolved", &resolved)) ||
		    (err = npm_want_string(r, e, "integrity", &integrity)))
			return err;
		r->loc.len = base_len;
		if ((err = strbuf_addstr(&r->loc, base_len ? "/node_modules/" :
					 "node_modules/")) ||
		    (err = strbuf_addstr(&r->loc, e->key)))
			return err;
		if (tree_find(t, r->loc.buf, r->loc.len) != TREE_NONE)
			return npm_err(r, e, "dependency \"%s\" appears twice",
				       e->key);
		if ((err = tree_add_node(t, r->loc.buf, &idx)))
			return err;
		n = &t->nodes[idx];
		n->line = e->line;
		n->name = tree_strdup(t, e->key);
		n->integrity = tree_strdup(t, integrity);
		n->resolved = tree_strdup(t, resolved);
		n->flags = npm_flags(e);
		if (version && npm_split_alias(version, &aname, &alen, &aver)) {
			n->alias = n->name;
			n->name = tree_strndup(t, aname, alen);
			n->version = tree_strdup(t, aver);
		} else {
			n->version = tree_strdup(t, version);
		}
		n->source = (uint8_t)tree_source_from_resolved(
			resolved ? resolved :
			version && !strchr("0123456789", version[0]) ?
			version : NULL);
		if (n->source == TREE_SOURCE_FILE && !resolved)
			n->resolved = n->version;
		req = json_get(e, "requires");
		if (json_is(req, JSON_OBJECT)) {
			for (v = req->u.first; v; v = v->next) {
				if (v->type != JSON_STRING)
					return npm_err(r, v,
						       "\"requires\" entry \"%s\" must be a string",
						       v->key);
				/* v1 does not say which requirements are
				 * optional; an optional one that is absent
				 * is not worth a warning. */
				if ((err = tree_add_dep(t, idx, v->key,
							v->u.str,
							TREE_DEP_PROD)))
					return err;
			}
		}
		sub = json_get(e, "dependencies");
		if (sub) {
			loc_len = r->loc.len;
			if ((err = npm_read_v1_level(r, sub, loc_len,
						     depth + 1)))
				return err;
		}
	}
	return 0;
}

/*
 * The root's own dependencies: from the project's package.json when there
 * is one; else every top-level entry counts as direct, which is what a
 * lockfile without its manifest can still say.
 */
static int
npm_root_deps(struct npm_reader *r, uint32_t root,
	      const struct json_value *manifest)
{
	struct tree *t = r->t;
	size_t i, n = t->nnodes;
	int err;

	if (manifest) {
		/* the project's package.json, not the lockfile: lenient */
		return tree_add_manifest_deps(t, root, manifest,
					      TREE_MANIFEST_DEV, "package.json");
	}
	for (i = 0; i < n; i++) {
		const struct tree_node *nd = &t->nodes[i];
		const char *name = npm_install_name(nd->location);
		enum tree_dep_kind kind = TREE_DEP_PROD;

		if (!name || name != nd->location + 13)
			continue;
		if (nd->flags & TREE_DEV)
			kind = TREE_DEP_DEV;
		else if (nd->flags & TREE_OPTIONAL)
			kind = TREE_DEP_OPTIONAL;
		if ((err = tree_add_dep(t, root, name, NULL, kind)))
			return err;
	}
	return 0;
}

static int
npm_add_root(struct npm_reader *r, const struct json_value *top,
	     const struct json_value *manifest)
{
	struct tree *t = r->t;
	const char *name = NULL, *version = NULL;
	uint32_t idx;
	int err;

	if (manifest) {
		name = json_get_str(manifest, "name");
		version = json_get_str(manifest, "version");
	}
	if (!name && (err = npm_want_string(r, top, "name", &name)))
		return err;
	if (!version && (err = npm_want_string(r, top, "version", &version)))
		return err;
	if ((err = tree_add_node(t, "", &idx)))
		return err;
	t->nodes[idx].name = tree_strdup(t, name ? name : "(root)");
	t->nodes[idx].version = tree_strdup(t, version);
	return npm_root_deps(r, idx, manifest);
}

static const char *
npm_kind_name(enum lockfile_kind kind)
{
	switch (kind) {
	case LOCKFILE_SHRINKWRAP: return "npm-shrinkwrap";
	case LOCKFILE_NPM_HIDDEN: return "npm hidden lockfile";
	default: return "package-lock";
	}
}

int
lockfile_parse_npm_with(struct tree **out, char *buf, size_t len,
			const char *file, enum lockfile_kind kind,
			const struct json_value *manifest)
{
	struct json_doc doc;
	struct npm_reader r;
	const struct json_value *root, *ver, *pkgs;
	struct tree *t = NULL;
	char format[64];
	long version = 1;
	int err;

	*out = NULL;
	if ((err = json_parse(&doc, buf, len, file, 0)))
		return err;
	root = doc.root;
	strbuf_init(&r.loc, 1u << 16);
	r.file = file;
	r.t = NULL;
	if (root->type != JSON_OBJECT) {
		err = npm_err(&r, root, "expected an object at the top, not %s",
			      json_type_name(root->type));
		goto done;
	}
	ver = json_get(root, "lockfileVersion");
	if (ver) {
		char *end;

		if (ver->type != JSON_NUMBER) {
			err = npm_err(&r, ver, "\"lockfileVersion\" must be a number");
			goto done;
		}
		version = strtol(ver->u.str, &end, 10);
		if (end != ver->u.str + ver->len || version < 1 || version > 3) {
			err = ws_error_set(WS_EUNSUPPORTED,
					   "%s:%u:%u: lockfileVersion %.*s is not supported (wormsign reads versions 1, 2 and 3)",
					   file, ver->line, ver->col16,
					   (int)(ver->len > 32 ? 32 : ver->len),
					   ver->u.str);
			goto done;
		}
	}
	snprintf(format, sizeof(format), "%s v%ld", npm_kind_name(kind),
		 version);
	tree_new(&t, file, format);
	r.t = t;
	t->flags_known = 1;
	pkgs = json_get(root, "packages");
	if (version >= 2 || (kind == LOCKFILE_NPM_HIDDEN && pkgs)) {
		if (!pkgs) {
			err = npm_err(&r, root,
				      "lockfileVersion %s needs a \"packages\" object",
				      version == 2 ? "2" : "3");
			goto done;
		}
		err = npm_read_packages(&r, pkgs);
		/* The hidden lockfile has no root entry. */
		if (!err && tree_find(t, "", 0) == TREE_NONE)
			err = npm_add_root(&r, root, manifest);
	} else {
		const struct json_value *deps = json_get(root, "dependencies");

		if (deps)
			err = npm_read_v1_level(&r, deps, 0, 0);
		if (!err)
			err = npm_add_root(&r, root, manifest);
	}

done:
	strbuf_release(&r.loc);
	json_doc_release(&doc);
	if (err) {
		tree_free(t);
		return err;
	}
	*out = t;
	return 0;
}

int
lockfile_parse_npm(struct tree **out, char *buf, size_t len,
		   const char *file, enum lockfile_kind kind)
{
	return lockfile_parse_npm_with(out, buf, len, file, kind, NULL);
}
