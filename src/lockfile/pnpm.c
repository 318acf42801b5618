#include "lockfile/lockfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "json/yaml_dom.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "lockfile/internal.h"
#include "util/banned.h"

#define pnpm_err(r, v, ...) lockfile_err((r)->file, (v), __VA_ARGS__)

/*
 * pnpm-lock.yaml: lockfileVersion 5.3/5.4 (package keys "/name/1.2.3" with
 * peers as "_react@18.2.0"), 6.0/6.1 ("/name@1.2.3(react@18.2.0)") and 9.0
 * ("name@1.2.3(react@18.2.0)" under "snapshots", with the metadata under
 * "packages" keyed without the peer suffix).
 *
 * pnpm records no node_modules paths, so the tree is synthetic: every
 * package key is one node (a peer-suffixed key is a separate install of
 * the same name@version), every importer a target ("." the root, the
 * others at their path), and every edge is linked here from the reference
 * pnpm locked it to, by pnpm's own rule (refToRelative in
 * @pnpm/dependency-path), since no Node-style lookup applies.
 */

#define PNPM_KEY_MAX (64u << 10)	/* a key or path built from a ref */
#define PNPM_SHOW_MAX 200		/* bytes of a key quoted in a message */
#define PNPM_NAME_MAX 214		/* npm's limit on a package name */

enum pnpm_style {
	PNPM_V5,	/* /name/1.2.3_peers */
	PNPM_V6,	/* /name@1.2.3(peers) */
	PNPM_V9,	/* name@1.2.3(peers), snapshots apart from packages */
};

/* The members of a mapping by key, for lookups that must not be linear. */
struct pnpm_index {
	struct strmap map;
	const struct json_value **vals;
	size_t n, alloc;
};

struct pnpm_reader {
	struct tree *t;
	const char *file;
	enum pnpm_style style;
	/* per edge: the value holding the reference it is locked to */
	const struct json_value **refs;
	size_t refs_alloc;
	struct pnpm_index meta;		/* v9 "packages" */
	struct pnpm_index patches;	/* "patchedDependencies" */
	struct strbuf key;
	struct strbuf scratch;
};

static void
pnpm_index_init(struct pnpm_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	strmap_init(&ix->map);
}

static void
pnpm_index_release(struct pnpm_index *ix)
{
	strmap_release(&ix->map);
	free(ix->vals);
}

/* Indexes the members of obj, a mapping; the first of a duplicate wins. */
static void
pnpm_index_build(struct pnpm_index *ix, const struct json_value *obj)
{
	const struct json_value *v;

	for (v = obj->u.first; v; v = v->next) {
		if (!strmap_put(&ix->map, v->key, v->key_len, (uint32_t)ix->n,
				NULL))
			continue;
		XGROW(ix->vals, ix->alloc, ix->n + 1);
		ix->vals[ix->n++] = v;
	}
}

static const struct json_value *
pnpm_index_get(const struct pnpm_index *ix, const char *key, size_t len)
{
	struct strmap_entry *e = strmap_find(&ix->map, key, len);

	return e ? ix->vals[e->value] : NULL;
}

/* How much of s a message quotes ("%.*s"): keys can be arbitrarily long. */
static int
pnpm_show(const char *s)
{
	size_t n = strlen(s);

	return n > PNPM_SHOW_MAX ? PNPM_SHOW_MAX : (int)n;
}

#define SHOW(s) pnpm_show(s), (s)

/* A scalar's text: YAML gives "5.4" or 1.0 as numbers, kept as text. */
static const char *
pnpm_scalar(const struct json_value *v)
{
	if (v && (v->type == JSON_STRING || v->type == JSON_NUMBER))
		return v->u.str;
	return NULL;
}

static int
pnpm_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A mapping, or nothing at all (a key with no value reads as null). */
static int
pnpm_want_map(const struct pnpm_reader *r, const struct json_value *v,
	      const char *what, const char *owner)
{
	if (!v || v->type == JSON_NULL || v->type == JSON_OBJECT)
		return 0;
	if (owner)
		return pnpm_err(r, v, "\"%s\" of \"%.*s\" must be a mapping",
				what, SHOW(owner));
	return pnpm_err(r, v, "\"%s\" must be a mapping", what);
}

static int
pnpm_read_version(struct pnpm_reader *r, const struct json_value *root,
		  const char **text)
{
	static const struct {
		const char *text;
		enum pnpm_style style;
	} known[] = {
		{ "5.3", PNPM_V5 },
		{ "5.4", PNPM_V5 },
		{ "5.4-inlineSpecifiers", PNPM_V5 },
		{ "6.0", PNPM_V6 },
		{ "6.1", PNPM_V6 },
		{ "9.0", PNPM_V9 },
	};
	const struct json_value *v = json_get(root, "lockfileVersion");
	const char *s = pnpm_scalar(v);
	size_t i;

	if (!v)
		return pnpm_err(r, root, "no \"lockfileVersion\"");
	if (!s)
		return pnpm_err(r, v,
				"\"lockfileVersion\" must be a string or a number");
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(s, known[i].text) == 0) {
			r->style = known[i].style;
			*text = known[i].text;
			return 0;
		}
	}
	return ws_error_set(WS_EUNSUPPORTED,
			    "%s:%u:%u: lockfileVersion %.*s is not supported (wormsign reads 5.3, 5.4, 6.0, 6.1 and 9.0)",
			    r->file, v->line, v->col16,
			    (int)(v->len > 32 ? 32 : v->len), s);
}

/* Whether a package key names something other than a registry package. */
static int
pnpm_key_is_path(const char *s)
{
	return pnpm_has_prefix(s, "file:") || pnpm_has_prefix(s, "link:");
}

/*
 * Drops a registry host in front of a name ("host/@scope/name",
 * "host/name"), which v5 and v6 write for packages from a second registry.
 */
static void
pnpm_name_tail(const char **name, size_t *len)
{
	const char *s = *name, *p, *cut = NULL;
	size_t n = *len, slashes = 0, i;

	for (i = 0; i < n; i++)
		slashes += s[i] == '/';
	if (slashes == 0 || (s[0] == '@' && slashes == 1))
		return;
	for (p = s + n; p > s; p--) {
		if (p[-1] == '/' && p < s + n && *p == '@') {
			cut = p;
			break;
		}
	}
	if (!cut) {
		cut = s + n;
		while (cut > s && cut[-1] != '/')
			cut--;
	}
	*len = n - (size_t)(cut - s);
	*name = cut;
}

/*
 * Splits a package key into name and version, the peer suffix dropped.
 * *name is NULL when the key does not say (a file: key, a git path): the
 * entry's own "name" must then. *version is the key itself for paths.
 */
static void
pnpm_split_key(enum pnpm_style style, const char *key, const char **name,
	       size_t *nlen, const char **version, size_t *vlen)
{
	const char *s = key, *p;

	*name = NULL;
	*nlen = 0;
	*version = NULL;
	*vlen = 0;
	if (style != PNPM_V9 && s[0] == '/')
		s++;
	if (pnpm_key_is_path(s)) {
		*version = s;
		*vlen = strcspn(s, "(");
		return;
	}
	if (style == PNPM_V5) {
		const char *last = strrchr(s, '/'), *q;

		if (!last || last == s || !last[1])
			return;
		p = last;
		while (p > s && p[-1] != '/')
			p--;
		if (p > s) {
			for (q = p - 1; q > s && q[-1] != '/'; q--)
				;
			if (*q == '@')
				p = q;
		}
		*name = p;
		*nlen = (size_t)(last - p);
		*version = last + 1;
		*vlen = strcspn(last + 1, "_");
	} else {
		/* the first '@' that does not start a scope */
		for (p = s + 1; *p && *p != '('; p++)
			if (*p == '@' && p[-1] != '/')
				break;
		if (*p != '@')
			return;
		*name = s;
		*nlen = (size_t)(p - s);
		*version = p + 1;
		*vlen = strcspn(p + 1, "(");
	}
	if (*nlen)
		pnpm_name_tail(name, nlen);
	if (*nlen == 0 || *vlen == 0)
		*name = NULL;
}

static int
pnpm_check_name(const struct pnpm_reader *r, const struct json_value *at,
		const char *key, const char *name)
{
	size_t n = strlen(name);
	const char *slash = strchr(name, '/');

	/* Names end up in reports and paths: refuse what no registry
	 * would accept as a package name rather than print it. */
	if (n == 0 || n > PNPM_NAME_MAX || strstr(name, "..") ||
	    strchr(name, '\\') ||
	    (name[0] == '@' ? !slash || strchr(slash + 1, '/') || !slash[1] :
			      slash != NULL))
		return pnpm_err(r, at, "bad package name \"%.*s\" in \"%.*s\"",
				SHOW(name), SHOW(key));
	return 0;
}

static int
pnpm_add_edge(struct pnpm_reader *r, uint32_t node, const char *name,
	      const char *spec, const struct json_value *ref,
	      enum tree_dep_kind kind)
{
	int err = tree_add_dep(r->t, node, name, spec, kind);

	if (err)
		return err;
	XGROW(r->refs, r->refs_alloc, r->t->ndeps);
	r->refs[r->t->ndeps - 1] = ref;
	return 0;
}

static const struct {
	const char *key;
	enum tree_dep_kind kind;
} pnpm_sections[] = {
	{ "dependencies", TREE_DEP_PROD },
	{ "optionalDependencies", TREE_DEP_OPTIONAL },
	{ "devDependencies", TREE_DEP_DEV },
};

/*
 * One dependency section of an importer: name -> reference (v5) with the
 * ranges in a separate "specifiers" map, or name -> {specifier, version}
 * (v5.4-inlineSpecifiers, v6, v9).
 */
static int
pnpm_importer_section(struct pnpm_reader *r, uint32_t node, const char *where,
		      const struct json_value *sec,
		      const struct pnpm_index *specs, enum tree_dep_kind kind)
{
	const struct json_value *v, *ref;
	const char *spec;
	int err;

	for (v = sec->u.first; v; v = v->next) {
		if (v->key_len == 0)
			return pnpm_err(r, v,
					"empty dependency name in importer \"%.*s\"",
					SHOW(where));
		if (v->type == JSON_OBJECT) {
			ref = json_get(v, "version");
			spec = pnpm_scalar(json_get(v, "specifier"));
			if (!pnpm_scalar(ref))
				return pnpm_err(r, v,
						"dependency \"%.*s\" of importer \"%.*s\" has no \"version\"",
						SHOW(v->key), SHOW(where));
		} else if (pnpm_scalar(v)) {
			ref = v;
			spec = pnpm_scalar(pnpm_index_get(specs, v->key,
							  v->key_len));
		} else {
			return pnpm_err(r, v,
					"dependency \"%.*s\" of importer \"%.*s\" must be a version or a mapping",
					SHOW(v->key), SHOW(where));
		}
		if ((err = pnpm_add_edge(r, node, v->key,
					 spec ? spec : ref->u.str, ref, kind)))
			return err;
	}
	return 0;
}

/* "./packages/a/" -> "packages/a"; "." -> "" */
static void
pnpm_importer_path(struct strbuf *sb, const char *path)
{
	strbuf_reset(sb);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (strcmp(path, ".") == 0)
		path = "";
	strbuf_addstr(sb, path);
	while (sb->len > 0 && sb->buf[sb->len - 1] == '/')
		sb->buf[--sb->len] = '\0';
}

/*
 * An importer: a target at its path, with the edges of its dependency
 * sections. imp is the importer's mapping, or the top level for a v5/v6
 * project without "importers".
 */
static int
pnpm_read_importer(struct pnpm_reader *r, const char *path,
		   const struct json_value *imp,
		   const struct json_value *manifest)
{
	struct tree *t = r->t;
	const struct json_value *specs = NULL, *sec;
	struct pnpm_index spec_ix;
	struct tree_node *n;
	const char *where = path[0] ? path : ".";
	uint32_t idx;
	size_t i;
	int err;

	pnpm_index_init(&spec_ix);
	if (imp->type != JSON_OBJECT && imp->type != JSON_NULL) {
		err = pnpm_err(r, imp, "importer \"%.*s\" must be a mapping",
			       SHOW(where));
		goto done;
	}
	if ((err = tree_add_node(t, path, &idx))) {
		if (err == WS_EPARSE)
			err = pnpm_err(r, imp, "importer \"%.*s\" appears twice",
				       SHOW(where));
		goto done;
	}
	n = &t->nodes[idx];
	n->flags |= TREE_TARGET;
	if (!path[0]) {
		const char *name = json_get_str(manifest, "name");

		n->name = tree_strdup(t, name ? name : "(root)");
		n->version = tree_strdup(t, json_get_str(manifest, "version"));
	}
	specs = json_get(imp, "specifiers");
	if ((err = pnpm_want_map(r, specs, "specifiers", where)))
		goto done;
	if (json_is(specs, JSON_OBJECT))
		pnpm_index_build(&spec_ix, specs);
	for (i = 0; i < sizeof(pnpm_sections) / sizeof(pnpm_sections[0]);
	     i++) {
		sec = json_get(imp, pnpm_sections[i].key);
		if ((err = pnpm_want_map(r, sec, pnpm_sections[i].key, where)))
			goto done;
		if (json_is(sec, JSON_OBJECT) &&
		    (err = pnpm_importer_section(r, idx, where, sec, &spec_ix,
						 pnpm_sections[i].kind)))
			goto done;
	}

done:
	pnpm_index_release(&spec_ix);
	return err;
}

static int
pnpm_read_importers(struct pnpm_reader *r, const struct json_value *root,
		    const struct json_value *manifest)
{
	const struct json_value *imps = json_get(root, "importers"), *v;
	const struct json_value *top = NULL;
	int err;

	if ((err = pnpm_want_map(r, imps, "importers", NULL)))
		return err;
	if (!json_is(imps, JSON_OBJECT)) {
		/* one project: its sections sit at the top (v5, v6) */
		return pnpm_read_importer(r, "", root, manifest);
	}
	for (v = imps->u.first; v; v = v->next)
		if (v->key_len > PNPM_KEY_MAX)
			return ws_error_set(WS_ELIMIT,
					    "%s:%u:%u: importer path \"%.*s\" is too long",
					    r->file, v->line, v->col16,
					    SHOW(v->key));
	/* the root first, whatever the order in the file */
	for (v = imps->u.first; v && !top; v = v->next) {
		pnpm_importer_path(&r->scratch, v->key);
		if (r->scratch.len == 0)
			top = v;
	}
	if (top && (err = pnpm_read_importer(r, "", top, manifest)))
		return err;
	if (!top) {
		uint32_t idx;
		const char *name = json_get_str(manifest, "name");

		if ((err = tree_add_node(r->t, "", &idx)))
			return err;
		r->t->nodes[idx].flags |= TREE_TARGET;
		r->t->nodes[idx].name = tree_strdup(r->t,
						    name ? name : "(root)");
	}
	for (v = imps->u.first; v; v = v->next) {
		if (v == top)
			continue;
		pnpm_importer_path(&r->scratch, v->key);
		if ((err = pnpm_read_importer(r, r->scratch.buf, v, manifest)))
			return err;
	}
	return 0;
}

/* The value of "(patch_hash=...)" in a key, copied into the scratch. */
static int
pnpm_key_patch_hash(struct pnpm_reader *r, const char *key)
{
	const char *p = strstr(key, "(patch_hash=");

	strbuf_reset(&r->scratch);
	if (!p)
		return 0;
	p += 12;
	strbuf_add(&r->scratch, p, strcspn(p, ")"));
	return r->scratch.len > 0;
}

/*
 * The patch applied to name@version, as "#patch_hash=<hash>" after what
 * resolved says: from the key's suffix (v6, v9), else from
 * "patchedDependencies" by name@version or by name alone (pnpm 10).
 */
static int
pnpm_mark_patched(struct pnpm_reader *r, uint32_t idx, const char *key)
{
	struct tree *t = r->t;
	struct tree_node *n = &t->nodes[idx];
	const struct json_value *p = NULL;
	const char *hash = NULL;
	int err;

	if (pnpm_key_patch_hash(r, key)) {
		hash = r->scratch.buf;
	} else if (r->patches.n && n->name) {
		strbuf_reset(&r->key);
		if ((err = strbuf_addf(&r->key, "%s@%s", n->name,
				       n->version ? n->version : "")))
			return err;
		p = pnpm_index_get(&r->patches, r->key.buf, r->key.len);
		if (!p)
			p = pnpm_index_get(&r->patches, n->name,
					   strlen(n->name));
		if (p)
			hash = p->type == JSON_OBJECT ?
				pnpm_scalar(json_get(p, "hash")) :
				pnpm_scalar(p);
	}
	if (!hash)
		return 0;
	strbuf_reset(&r->key);
	if ((err = strbuf_addf(&r->key, "%s#patch_hash=%s",
			       n->resolved ? n->resolved : "", hash)))
		return err;
	n->resolved = tree_strdup(t, r->key.buf);
	return 0;
}

/* integrity, and resolved from the kind of resolution pnpm recorded */
static int
pnpm_read_resolution(struct pnpm_reader *r, uint32_t idx, const char *key,
		     const struct json_value *meta)
{
	struct tree *t = r->t;
	struct tree_node *n = &t->nodes[idx];
	const struct json_value *res = json_get(meta, "resolution");
	const char *tarball, *dir, *repo, *commit;
	int err;

	if ((err = pnpm_want_map(r, res, "resolution", key)))
		return err;
	n->integrity = tree_strdup(t, pnpm_scalar(json_get(res, "integrity")));
	tarball = pnpm_scalar(json_get(res, "tarball"));
	dir = pnpm_scalar(json_get(res, "directory"));
	repo = pnpm_scalar(json_get(res, "repo"));
	commit = pnpm_scalar(json_get(res, "commit"));
	strbuf_reset(&r->key);
	if (tarball)
		err = strbuf_addstr(&r->key, tarball);
	else if (dir)
		err = strbuf_addf(&r->key, "file:%s", dir);
	else if (repo)
		err = strbuf_addf(&r->key, "%s%s%s", repo, commit ? "#" : "",
				  commit ? commit : "");
	if (err)
		return err;
	if (r->key.len) {
		n->resolved = tree_strdup(t, r->key.buf);
		n->source = (uint8_t)(tarball || dir ?
				      tree_source_from_resolved(n->resolved) :
				      TREE_SOURCE_GIT);
	}
	return 0;
}

/*
 * One package: a v5/v6 "packages" entry (meta is the entry itself) or a
 * v9 snapshot with its "packages" entry as meta (NULL when missing).
 */
static int
pnpm_read_package(struct pnpm_reader *r, const struct json_value *e,
		  const struct json_value *meta)
{
	struct tree *t = r->t;
	const char *key = e->key, *name, *version, *fname, *fversion;
	const struct json_value *sec, *v;
	struct tree_node *n;
	size_t nlen, vlen, i;
	uint32_t idx;
	int err;

	if (e->type != JSON_OBJECT && e->type != JSON_NULL)
		return pnpm_err(r, e, "package \"%.*s\" must be a mapping",
				SHOW(key));
	if (meta && meta != e && meta->type != JSON_OBJECT &&
	    meta->type != JSON_NULL)
		return pnpm_err(r, meta,
				"package \"%.*s\" in \"packages\" must be a mapping",
				SHOW(meta->key));
	pnpm_split_key(r->style, key, &name, &nlen, &version, &vlen);
	fname = pnpm_scalar(json_get(meta, "name"));
	fversion = pnpm_scalar(json_get(meta, "version"));
	if (!fname && !name)
		return pnpm_err(r, e, "bad package key \"%.*s\"", SHOW(key));
	if ((err = tree_add_node(t, key, &idx)))
		return err == WS_EPARSE ?
			pnpm_err(r, e, "package \"%.*s\" appears twice",
				 SHOW(key)) : err;
	n = &t->nodes[idx];
	n->name = fname ? tree_strdup(t, fname) : tree_strndup(t, name, nlen);
	n->version = fversion ? tree_strdup(t, fversion) :
		version ? tree_strndup(t, version, vlen) : NULL;
	if ((err = pnpm_check_name(r, e, key, n->name)))
		return err;
	if (n->version && pnpm_key_is_path(n->version)) {
		n->resolved = n->version;
		n->source = (uint8_t)tree_source_from_resolved(n->version);
	}
	if ((err = pnpm_read_resolution(r, idx, key, meta)) ||
	    (err = pnpm_mark_patched(r, idx, key)))
		return err;
	if (r->style != PNPM_V9) {
		if (json_get_bool(e, "dev"))
			n->flags |= TREE_DEV;
		if (json_get_bool(e, "optional"))
			n->flags |= TREE_OPTIONAL;
	}
	/* peers pnpm resolved are in "dependencies" already */
	for (i = 0; i < 2; i++) {
		sec = json_get(e, pnpm_sections[i].key);
		if ((err = pnpm_want_map(r, sec, pnpm_sections[i].key, key)))
			return err;
		for (v = json_is(sec, JSON_OBJECT) ? sec->u.first : NULL; v;
		     v = v->next) {
			if (v->key_len == 0 || !pnpm_scalar(v))
				return pnpm_err(r, v,
						"dependency \"%.*s\" of \"%.*s\" must be a version",
						SHOW(v->key), SHOW(key));
			if ((err = pnpm_add_edge(r, idx, v->key, v->u.str, v,
						 pnpm_sections[i].kind)))
				return err;
		}
	}
	return 0;
}

static int
pnpm_read_packages(struct pnpm_reader *r, const struct json_value *root)
{
	const struct json_value *pkgs = json_get(root, "packages");
	const struct json_value *snaps = json_get(root, "snapshots");
	const struct json_value *e, *meta;
	const char *name, *version;
	size_t nlen, vlen, base;
	int err;

	if ((err = pnpm_want_map(r, pkgs, "packages", NULL)) ||
	    (r->style == PNPM_V9 &&
	     (err = pnpm_want_map(r, snaps, "snapshots", NULL))))
		return err;
	if (r->style != PNPM_V9 || !json_is(snaps, JSON_OBJECT)) {
		/* v9 without snapshots: the packages are still installed */
		for (e = json_is(pkgs, JSON_OBJECT) ? pkgs->u.first : NULL; e;
		     e = e->next)
			if ((err = pnpm_read_package(r, e, e)))
				return err;
		return 0;
	}
	if (json_is(pkgs, JSON_OBJECT))
		pnpm_index_build(&r->meta, pkgs);
	for (e = snaps->u.first; e; e = e->next) {
		pnpm_split_key(r->style, e->key, &name, &nlen, &version,
			       &vlen);
		base = version ? (size_t)(version - e->key) + vlen :
			e->key_len;
		meta = pnpm_index_get(&r->meta, e->key, base);
		if (!meta)
			tree_warn(r->t, "%s:%u:%u: snapshot \"%.*s\" has no entry in \"packages\"",
				  r->file, e->line, e->col16, SHOW(e->key));
		if ((err = pnpm_read_package(r, e, meta)))
			return err;
	}
	return 0;
}

static int
pnpm_read_patches(struct pnpm_reader *r, const struct json_value *root)
{
	const struct json_value *p = json_get(root, "patchedDependencies"), *v;
	int err;

	if ((err = pnpm_want_map(r, p, "patchedDependencies", NULL)))
		return err;
	if (!json_is(p, JSON_OBJECT))
		return 0;
	for (v = p->u.first; v; v = v->next)
		if (!pnpm_scalar(v) && !(v->type == JSON_OBJECT &&
					 pnpm_scalar(json_get(v, "hash"))))
			return pnpm_err(r, v,
					"patch \"%.*s\" must be a hash or a mapping with a \"hash\"",
					SHOW(v->key));
	pnpm_index_build(&r->patches, p);
	return 0;
}

/* ".." after sb[0..start): drops the last segment, or climbs out. */
static int
pnpm_join_up(struct strbuf *sb, size_t start)
{
	char *last = sb->buf + sb->len;
	int err = 0;

	while (last > sb->buf + start && last[-1] != '/')
		last--;
	if (sb->len > start && strcmp(last, "..") != 0) {
		sb->len = last > sb->buf + start ?
			(size_t)(last - sb->buf) - 1 : start;
		sb->buf[sb->len] = '\0';
		return 0;
	}
	if (sb->len > start)
		err = strbuf_addch(sb, '/');
	return err ? err : strbuf_add(sb, "..", 2);
}

/*
 * base joined with rel into sb, "." and ".." folded: "packages/a" and
 * "../b" give "packages/b". Leading ".." that climb out of the project
 * are kept.
 */
static int
pnpm_join(struct strbuf *sb, const char *base, const char *rel)
{
	const char *parts[2];
	size_t start = 0, k;
	int err = 0;

	strbuf_reset(sb);
	parts[0] = base;
	parts[1] = rel;
	if (rel[0] == '/') {
		parts[0] = "";
		err = strbuf_addch(sb, '/');
		start = 1;
	}
	for (k = 0; k < 2 && !err; k++) {
		const char *s = parts[k];

		while (*s && !err) {
			size_t n = strcspn(s, "/");

			if (n == 2 && s[0] == '.' && s[1] == '.') {
				err = pnpm_join_up(sb, start);
			} else if (n && !(n == 1 && s[0] == '.')) {
				if (sb->len > start)
					err = strbuf_addch(sb, '/');
				if (!err)
					err = strbuf_add(sb, s, n);
			}
			s += n;
			if (*s)
				s++;
		}
	}
	return err;
}

/*
 * The key a reference resolves to, into r->key (pnpm's refToRelative), or
 * the path a link: reference points at (*is_link set).
 */
static int
pnpm_ref_key(struct pnpm_reader *r, const char *name, const char *ref,
	     const char *base, int *is_link)
{
	struct strbuf *k = &r->key;
	const char *at, *colon, *paren;
	size_t head;

	*is_link = 0;
	strbuf_reset(k);
	if (pnpm_has_prefix(ref, "link:")) {
		*is_link = 1;
		return pnpm_join(k, base, ref + 5);
	}
	if (pnpm_has_prefix(ref, "npm:")) {
		/* an alias written as its spec: npm:real@1.2.3 */
		ref += 4;
		at = strchr(ref + 1, '@');
		if (at) {
			if (r->style == PNPM_V9)
				return strbuf_addstr(k, ref);
			return strbuf_addf(k, "/%.*s%c%s", (int)(at - ref), ref,
					   r->style == PNPM_V5 ? '/' : '@',
					   at + 1);
		}
	}
	if (r->style == PNPM_V9) {
		if (ref[0] == '@')
			return strbuf_addstr(k, ref);
		at = strchr(ref, '@');
		colon = strchr(ref, ':');
		paren = strchr(ref, '(');
		if (at && (!colon || at < colon) && (!paren || at < paren))
			return strbuf_addstr(k, ref);
		return strbuf_addf(k, "%s@%s", name, ref);
	}
	if (pnpm_has_prefix(ref, "file:"))
		return strbuf_addstr(k, ref);
	head = strcspn(ref, "(");
	if (memchr(ref, '/', head))
		return strbuf_addstr(k, ref);
	return strbuf_addf(k, "/%s%c%s", name,
			   r->style == PNPM_V5 ? '/' : '@', ref);
}

/* A link: out of every importer: a linked directory, named by its edge. */
static int
pnpm_add_link_node(struct pnpm_reader *r, const char *name, uint32_t *out)
{
	struct tree *t = r->t;
	struct tree_node *n;
	int err;

	if ((err = tree_add_node(t, r->key.buf, out)))
		return err;
	n = &t->nodes[*out];
	n->name = tree_strdup(t, name);
	n->source = TREE_SOURCE_LINK;
	strbuf_reset(&r->scratch);
	if ((err = strbuf_addf(&r->scratch, "link:%s", r->key.buf)))
		return err;
	n->resolved = tree_strdup(t, r->scratch.buf);
	return 0;
}

/*
 * Every edge to the node its reference names. An edge under another name
 * than the package's makes that name its alias; a link to an importer
 * names a workspace member the lockfile otherwise leaves anonymous.
 */
static int
pnpm_link_edges(struct pnpm_reader *r)
{
	struct tree *t = r->t;
	size_t nnodes = t->nnodes, i, j;
	int err, is_link;

	for (i = 0; i < nnodes; i++) {
		uint32_t first = t->nodes[i].deps, nd = t->nodes[i].ndeps;
		const char *base = (t->nodes[i].flags & TREE_TARGET) ?
			t->nodes[i].location : "";

		for (j = first; j < (size_t)first + nd; j++) {
			const struct json_value *ref = r->refs[j];
			const char *dname = t->deps[j].name;
			struct tree_node *to;
			uint32_t idx;

			if ((err = pnpm_ref_key(r, dname, ref->u.str, base,
						&is_link))) {
				if (err == WS_ELIMIT)
					err = ws_error_set(WS_ELIMIT,
							   "%s:%u:%u: reference \"%.*s\" of \"%.*s\" is too long",
							   r->file, ref->line,
							   ref->col16,
							   SHOW(ref->u.str),
							   SHOW(dname));
				return err;
			}
			idx = tree_find(t, r->key.buf, r->key.len);
			if (idx == TREE_NONE && is_link &&
			    (err = pnpm_add_link_node(r, dname, &idx)))
				return err;
			t->deps[j].target = idx;
			if (idx == TREE_NONE)
				continue;
			to = &t->nodes[idx];
			if (to->flags & TREE_TARGET) {
				if (!to->name)
					to->name = dname;
			} else if (to->name && !to->alias &&
				   strcmp(to->name, dname) != 0) {
				to->alias = dname;
			}
		}
	}
	/* members nothing links to: their directory's name */
	for (i = 0; i < t->nnodes; i++) {
		struct tree_node *n = &t->nodes[i];

		if ((n->flags & TREE_TARGET) && !n->name) {
			const char *s = strrchr(n->location, '/');

			n->name = s ? s + 1 : n->location;
		}
	}
	return 0;
}

int
lockfile_parse_pnpm(struct tree **out, char *buf, size_t len,
		    const char *file, const struct json_value *manifest)
{
	struct json_doc doc;
	struct pnpm_reader r;
	const char *version = NULL;
	char format[64];
	int err;

	*out = NULL;
	memset(&doc, 0, sizeof(doc));
	memset(&r, 0, sizeof(r));
	r.file = file;
	pnpm_index_init(&r.meta);
	pnpm_index_init(&r.patches);
	strbuf_init(&r.key, PNPM_KEY_MAX);
	strbuf_init(&r.scratch, PNPM_KEY_MAX);
	if (!json_is(manifest, JSON_OBJECT))
		manifest = NULL;
	if ((err = json_parse_yaml(&doc, buf, len, file)))
		goto done;
	if (doc.root->type != JSON_OBJECT) {
		err = pnpm_err(&r, doc.root,
			       "expected a mapping at the top, not %s",
			       json_type_name(doc.root->type));
		goto done;
	}
	if ((err = pnpm_read_version(&r, doc.root, &version)))
		goto done;
	snprintf(format, sizeof(format), "pnpm-lock v%s", version);
	tree_new(&r.t, file, format);
	r.t->synthetic_locations = 1;
	/* v5 and v6 mark dev-only and optional-only packages; v9 does not */
	r.t->flags_known = r.style != PNPM_V9;
	if ((err = pnpm_read_patches(&r, doc.root)) ||
	    (err = pnpm_read_importers(&r, doc.root, manifest)) ||
	    (err = pnpm_read_packages(&r, doc.root)))
		goto done;
	err = pnpm_link_edges(&r);

done:
	strbuf_release(&r.scratch);
	strbuf_release(&r.key);
	pnpm_index_release(&r.patches);
	pnpm_index_release(&r.meta);
	free(r.refs);
	json_doc_release(&doc);
	if (err) {
		tree_free(r.t);
		return err;
	}
	*out = r.t;
	return 0;
}
