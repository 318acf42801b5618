#include "tree/tree.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

void
tree_new(struct tree **out, const char *file, const char *format)
{
	struct tree *t = xcalloc(1, sizeof(*t));

	mempool_init(&t->pool, 256u << 10);
	strmap_init(&t->by_location);
	t->file = mempool_strdup(&t->pool, file);
	t->format = mempool_strdup(&t->pool, format);
	*out = t;
}

void
tree_free(struct tree *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nwarnings; i++)
		free(t->warnings[i]);
	free(t->warnings);
	free(t->nodes);
	free(t->deps);
	free(t->via);
	free(t->workspaces);
	for (i = 0; i < t->nowned; i++)
		free(t->owned[i]);
	free(t->owned);
	strmap_release(&t->by_location);
	mempool_release(&t->pool);
	free(t);
}

char *
tree_strdup(struct tree *t, const char *s)
{
	return s ? mempool_strdup(&t->pool, s) : NULL;
}

void
tree_own(struct tree *t, void *mem)
{
	size_t alloc = t->nowned;

	XGROW(t->owned, alloc, t->nowned + 1);
	t->owned[t->nowned++] = mem;
}

char *
tree_strndup(struct tree *t, const char *s, size_t n)
{
	return mempool_strndup(&t->pool, s, n);
}

void
tree_reserve(struct tree *t, size_t n, size_t d)
{
	if (n > TREE_NODES_MAX)
		n = TREE_NODES_MAX;
	if (d > TREE_DEPS_MAX)
		d = TREE_DEPS_MAX;
	XGROW(t->nodes, t->nodes_alloc, t->nnodes + n);
	XGROW(t->deps, t->deps_alloc, t->ndeps + d);
	strmap_reserve(&t->by_location, t->nnodes + n);
}

static int
tree_add_node_common(struct tree *t, const char *location, uint32_t *out,
		     int copy)
{
	struct tree_node *n;
	struct strmap_entry *e;
	size_t len = strlen(location);

	if (t->nnodes >= TREE_NODES_MAX)
		return ws_error_set(WS_ELIMIT, "%s: more than %u packages",
				    t->file, TREE_NODES_MAX);
	if (!strmap_put(&t->by_location, location, len, (uint32_t)t->nnodes,
			&e))
		return ws_error_set(WS_EPARSE, "%s: location \"%s\" appears twice",
				    t->file, location);
	/* the map keeps the caller's pointer until it points at our copy */
	if (copy)
		e->key = mempool_strndup(&t->pool, location, len);
	XGROW(t->nodes, t->nodes_alloc, t->nnodes + 1);
	n = &t->nodes[t->nnodes];
	memset(n, 0, sizeof(*n));
	n->location = e->key;
	n->deps = (uint32_t)t->ndeps;
	n->link_target = TREE_NONE;
	n->target = TREE_NONE;
	n->depth = UINT32_MAX;
	n->source = TREE_SOURCE_REGISTRY;
	*out = (uint32_t)t->nnodes++;
	return 0;
}

int
tree_add_node(struct tree *t, const char *location, uint32_t *out)
{
	return tree_add_node_common(t, location, out, 1);
}

int
tree_add_node_ref(struct tree *t, const char *location, uint32_t *out)
{
	return tree_add_node_common(t, location, out, 0);
}

static int
tree_add_dep_common(struct tree *t, uint32_t from, const char *name,
		    const char *spec, enum tree_dep_kind kind, int copy)
{
	struct tree_dep *d;

	if (from + 1 != t->nnodes)
		abort();	/* edges of a node must be added right after it */
	if (t->ndeps >= TREE_DEPS_MAX)
		return ws_error_set(WS_ELIMIT,
				    "%s: more than %u dependency edges",
				    t->file, TREE_DEPS_MAX);
	XGROW(t->deps, t->deps_alloc, t->ndeps + 1);
	d = &t->deps[t->ndeps++];
	d->name = copy ? mempool_strdup(&t->pool, name) : name;
	d->spec = spec && copy ? mempool_strdup(&t->pool, spec) : spec;
	d->target = TREE_NONE;
	d->kind = (uint8_t)kind;
	t->nodes[from].ndeps++;
	return 0;
}

int
tree_add_dep(struct tree *t, uint32_t from, const char *name,
	     const char *spec, enum tree_dep_kind kind)
{
	return tree_add_dep_common(t, from, name, spec, kind, 1);
}

int
tree_add_dep_ref(struct tree *t, uint32_t from, const char *name,
		 const char *spec, enum tree_dep_kind kind)
{
	return tree_add_dep_common(t, from, name, spec, kind, 0);
}

/* Bad manifest content: an error when strict, else a warning. */
static int tree_manifest_bad(struct tree *t, unsigned flags,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
tree_manifest_bad(struct tree *t, unsigned flags, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (flags & TREE_MANIFEST_STRICT)
		return ws_error_set(WS_EPARSE, "%s", msg);
	tree_warn(t, "%s, ignored", msg);
	return 0;
}

/*
 * Names already given an edge for the node being read: a linear scan of
 * its edges for the usual handful, a hash set past that (a root with
 * 100,000 direct dependencies must not cost 10^10 comparisons).
 */
#define TREE_SEEN_LINEAR 32

struct tree_seen {
	struct strmap map;
	int hashed;
};

static int
tree_seen_add(struct tree_seen *seen, const struct tree *t, uint32_t node,
	      const char *name, size_t len)
{
	const struct tree_node *n = &t->nodes[node];
	uint32_t i;

	if (!seen->hashed && n->ndeps >= TREE_SEEN_LINEAR) {
		for (i = 0; i < n->ndeps; i++) {
			const char *d = t->deps[n->deps + i].name;

			strmap_put(&seen->map, d, strlen(d), 0, NULL);
		}
		seen->hashed = 1;
	}
	if (seen->hashed)
		return strmap_put(&seen->map, name, len, 0, NULL);
	for (i = 0; i < n->ndeps; i++)
		if (strcmp(t->deps[n->deps + i].name, name) == 0)
			return 0;
	return 1;
}

static int
tree_manifest_section(struct tree *t, uint32_t node,
		      const struct json_value *sec, enum tree_dep_kind kind,
		      const struct json_value *meta, unsigned flags,
		      const char *file, struct tree_seen *seen)
{
	const struct json_value *v;
	int err;

	if (!sec || sec->type == JSON_NULL)
		return 0;
	if (sec->type != JSON_OBJECT)
		return tree_manifest_bad(t, flags,
					 "%s:%u:%u: \"%s\" must be an object, not %s",
					 file, sec->line, sec->col16, sec->key,
					 json_type_name(sec->type));
	for (v = sec->u.first; v; v = v->next) {
		enum tree_dep_kind k = kind;

		if (v->type != JSON_STRING || v->key_len == 0) {
			err = tree_manifest_bad(t, flags,
						v->key_len ?
						"%s:%u:%u: \"%s\" in \"%s\" must be a string, not %s" :
						"%s:%u:%u: empty name%.0s in \"%s\"%.0s",
						file, v->line, v->col16, v->key,
						sec->key,
						json_type_name(v->type));
			if (err)
				return err;
			continue;
		}
		/* the map keeps v->key; it lives as long as the document */
		if (!tree_seen_add(seen, t, node, v->key, v->key_len))
			continue;
		if (kind == TREE_DEP_PEER &&
		    json_get_bool(json_get(meta, v->key), "optional"))
			k = TREE_DEP_PEER_OPTIONAL;
		err = (flags & TREE_MANIFEST_BORROW) ?
			tree_add_dep_ref(t, node, v->key, v->u.str, k) :
			tree_add_dep(t, node, v->key, v->u.str, k);
		if (err)
			return err;
	}
	return 0;
}

int
tree_add_manifest_deps(struct tree *t, uint32_t node,
		       const struct json_value *m, unsigned flags,
		       const char *file)
{
	const struct json_value *deps = NULL, *opt = NULL, *peer = NULL;
	const struct json_value *meta = NULL, *dev = NULL, *v;
	struct tree_seen seen;
	int err;

	/* One pass over the members: this runs once per lockfile entry. */
	for (v = json_is(m, JSON_OBJECT) ? m->u.first : NULL; v; v = v->next) {
		const char *k = v->key;

		switch (v->key_len) {
		case 12:
			if (!deps && memcmp(k, "dependencies", 12) == 0)
				deps = v;
			break;
		case 15:
			if (!dev && (flags & TREE_MANIFEST_DEV) &&
			    memcmp(k, "devDependencies", 15) == 0)
				dev = v;
			break;
		case 16:
			if (!peer && memcmp(k, "peerDependencies", 16) == 0)
				peer = v;
			break;
		case 20:
			if (!opt && memcmp(k, "optionalDependencies", 20) == 0)
				opt = v;
			else if (!meta &&
				 memcmp(k, "peerDependenciesMeta", 20) == 0)
				meta = v;
			break;
		}
	}
	strmap_init(&seen.map);
	seen.hashed = 0;
	if (!(err = tree_manifest_section(t, node, opt, TREE_DEP_OPTIONAL,
					  NULL, flags, file, &seen)) &&
	    !(err = tree_manifest_section(t, node, deps, TREE_DEP_PROD, NULL,
					  flags, file, &seen)) &&
	    !(err = tree_manifest_section(t, node, peer, TREE_DEP_PEER, meta,
					  flags, file, &seen)))
		err = tree_manifest_section(t, node, dev, TREE_DEP_DEV, NULL,
					    flags, file, &seen);
	strmap_release(&seen.map);
	return err;
}

uint32_t
tree_find(const struct tree *t, const char *location, size_t len)
{
	struct strmap_entry *e = strmap_find(&t->by_location, location, len);

	return e ? e->value : TREE_NONE;
}

void
tree_add_workspace(struct tree *t, const char *pattern)
{
	size_t alloc = t->nworkspaces;

	/* A pattern is kept normalised: no "./" prefix, no trailing '/'. */
	while (pattern[0] == '.' && pattern[1] == '/')
		pattern += 2;
	XGROW(t->workspaces, alloc, t->nworkspaces + 1);
	t->workspaces[t->nworkspaces] = tree_strdup(t, pattern);
	{
		char *p = (char *)t->workspaces[t->nworkspaces];
		size_t n = strlen(p);

		while (n > 1 && p[n - 1] == '/')
			p[--n] = '\0';
	}
	t->nworkspaces++;
}

int
tree_is_workspace(const struct tree *t, const char *location)
{
	size_t i;

	for (i = 0; i < t->nworkspaces; i++) {
		const char *p = t->workspaces[i];

		if (fnmatch(p, location, FNM_PATHNAME) == 0)
			return 1;
		/* a pattern with ** matches any depth below its prefix */
		if (strstr(p, "**") && fnmatch(p, location, 0) == 0)
			return 1;
	}
	return 0;
}

void
tree_warn(struct tree *t, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	if (t->nwarnings >= TREE_WARNINGS_MAX) {
		t->warnings_dropped++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	XGROW(t->warnings, t->warnings_alloc, t->nwarnings + 1);
	t->warnings[t->nwarnings++] = msg;
}

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum tree_source
tree_source_from_resolved(const char *r)
{
	if (!r || !*r)
		return TREE_SOURCE_REGISTRY;
	if (has_prefix(r, "git+") || has_prefix(r, "git:") ||
	    has_prefix(r, "github:") || has_prefix(r, "gitlab:") ||
	    has_prefix(r, "bitbucket:") || has_prefix(r, "gist:"))
		return TREE_SOURCE_GIT;
	if (has_prefix(r, "file:"))
		return TREE_SOURCE_FILE;
	if (has_prefix(r, "link:"))
		return TREE_SOURCE_LINK;
	if (has_prefix(r, "http://") || has_prefix(r, "https://")) {
		/* Registry tarballs live at <registry>/<name>/-/<file>.tgz;
		 * anything else is a tarball from some other server. */
		if (strstr(r, "/-/"))
			return TREE_SOURCE_REGISTRY;
		return TREE_SOURCE_TARBALL;
	}
	/* A bare relative path is how npm records a file: tarball. */
	return TREE_SOURCE_FILE;
}

const char *
tree_source_name(enum tree_source s)
{
	switch (s) {
	case TREE_SOURCE_REGISTRY: return "registry";
	case TREE_SOURCE_GIT: return "git";
	case TREE_SOURCE_TARBALL: return "tarball";
	case TREE_SOURCE_FILE: return "file";
	case TREE_SOURCE_LINK: return "link";
	case TREE_SOURCE_WORKSPACE: return "workspace";
	}
	return "registry";
}

int
tree_node_is_package(const struct tree_node *n)
{
	return !(n->flags & (TREE_TARGET | TREE_LINK)) && n->name;
}

/* Whether a location lies inside some node_modules directory. */
static int
location_in_node_modules(const char *loc)
{
	return has_prefix(loc, "node_modules/") ||
	       strstr(loc, "/node_modules/") != NULL;
}

/*
 * Node's module lookup: from the requiring package's directory upwards,
 * the first <dir>/node_modules/<name> that exists. Directories that are
 * themselves named node_modules are skipped, as Node does.
 */
static uint32_t
tree_lookup(const struct tree *t, const char *from, int from_has_nested,
	    const char *name, char **scratch, size_t *scratch_alloc)
{
	size_t flen = strlen(from), nlen = strlen(name);
	size_t dlen = flen;

	XGROW(*scratch, *scratch_alloc, flen + nlen + 16);
	for (;;) {
		const char *base;
		size_t blen;

		/* basename of from[0..dlen) */
		base = from + dlen;
		while (base > from && base[-1] != '/')
			base--;
		blen = (size_t)(from + dlen - base);
		if (!(blen == 12 && memcmp(base, "node_modules", 12) == 0) &&
		    (dlen != flen || from_has_nested)) {
			char *s = *scratch;
			size_t n = 0;
			uint32_t idx;

			if (dlen) {
				memcpy(s, from, dlen);
				s[dlen] = '/';
				n = dlen + 1;
			}
			memcpy(s + n, "node_modules/", 13);
			n += 13;
			memcpy(s + n, name, nlen);
			n += nlen;
			idx = tree_find(t, s, n);
			if (idx != TREE_NONE)
				return idx;
		}
		if (dlen == 0)
			return TREE_NONE;
		dlen = (size_t)(base - from);
		if (dlen)
			dlen--;	/* drop the '/' */
	}
}

static int
dep_is_optional(uint8_t kind)
{
	return kind == TREE_DEP_OPTIONAL || kind == TREE_DEP_PEER_OPTIONAL;
}

/*
 * Which nodes have packages nested in their own node_modules: the others
 * need no lookup there, which saves one failed probe for most edges of a
 * hoisted tree.
 */
static uint8_t *
tree_nested(const struct tree *t)
{
	uint8_t *nested = xcalloc(t->nnodes + 1, 1);
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		const char *loc = t->nodes[i].location, *p = loc, *last = NULL;
		uint32_t parent;

		while ((p = strstr(p, "/node_modules/")))
			last = p++;
		if (last)
			parent = tree_find(t, loc, (size_t)(last - loc));
		else if (has_prefix(loc, "node_modules/"))
			parent = tree_find(t, "", 0);
		else
			continue;
		if (parent != TREE_NONE)
			nested[parent] = 1;
	}
	return nested;
}

static void
tree_resolve_edges(struct tree *t)
{
	char *scratch = NULL;
	size_t scratch_alloc = 0, i, j;
	uint8_t *nested = t->synthetic_locations ?
		xcalloc(t->nnodes + 1, 1) : tree_nested(t);

	for (i = 0; i < t->nnodes; i++) {
		struct tree_node *n = &t->nodes[i];

		if (!(n->flags & TREE_LINK) || !n->link)
			continue;
		n->link_target = tree_find(t, n->link, strlen(n->link));
		if (n->link_target == TREE_NONE)
			tree_warn(t, "%s: \"%s\" links to \"%s\", which is not in the tree",
				  t->file, n->location, n->link);
	}
	for (i = 0; i < t->nnodes; i++) {
		struct tree_node *n = &t->nodes[i];

		for (j = 0; j < n->ndeps; j++) {
			struct tree_dep *d = &t->deps[n->deps + j];
			uint32_t to = d->target;
			int hops = 0;

			if (to == TREE_NONE && !t->synthetic_locations)
				to = tree_lookup(t, n->location, nested[i],
						 d->name, &scratch,
						 &scratch_alloc);
			while (to != TREE_NONE &&
			       (t->nodes[to].flags & TREE_LINK) && hops++ < 8)
				to = t->nodes[to].link_target;
			if (to != TREE_NONE && (t->nodes[to].flags & TREE_LINK))
				to = TREE_NONE;
			d->target = to;
			if (to == TREE_NONE && !dep_is_optional(d->kind) &&
			    d->kind != TREE_DEP_PEER)
				tree_warn(t, "%s: \"%s\" depends on \"%s\"%s%s, which is not installed",
					  t->file,
					  n->location[0] ? n->location :
						  "(root)",
					  d->name, d->spec ? " " : "",
					  d->spec ? d->spec : "");
		}
	}
	free(nested);
	free(scratch);
}

static void
tree_mark_targets(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		struct tree_node *n = &t->nodes[i];

		if (n->flags & TREE_LINK)
			continue;
		if (n->location[0] == '\0') {
			n->flags |= TREE_TARGET;
		} else if (n->flags & TREE_TARGET) {
			n->source = TREE_SOURCE_WORKSPACE;
		} else if (t->synthetic_locations) {
			continue;
		} else if (!location_in_node_modules(n->location)) {
			if (tree_is_workspace(t, n->location)) {
				n->flags |= TREE_TARGET;
				n->source = TREE_SOURCE_WORKSPACE;
			} else if (n->source == TREE_SOURCE_REGISTRY) {
				/* a linked directory outside node_modules */
				n->source = TREE_SOURCE_LINK;
			}
		}
	}
}

/*
 * Breadth-first search from every target at once over edges accepted by
 * `accept`, marking reached nodes with bit in mark[]. With paths set it
 * also records the predecessor and depth, giving shortest paths.
 */
static void
tree_bfs(struct tree *t, uint8_t *mark, uint8_t bit, int paths,
	 int (*accept)(const struct tree_node *from, uint8_t kind))
{
	uint32_t *queue = xmalloc((t->nnodes + 1) * sizeof(*queue));
	size_t head = 0, tail = 0, i, j;

	for (i = 0; i < t->nnodes; i++) {
		struct tree_node *n = &t->nodes[i];

		if (!(n->flags & TREE_TARGET))
			continue;
		mark[i] |= bit;
		queue[tail++] = (uint32_t)i;
		if (paths) {
			n->depth = 0;
			n->target = (uint32_t)i;
			t->via[i] = TREE_NONE;
		}
	}
	while (head < tail) {
		uint32_t u = queue[head++];
		struct tree_node *n = &t->nodes[u];

		for (j = 0; j < n->ndeps; j++) {
			const struct tree_dep *d = &t->deps[n->deps + j];
			uint32_t v = d->target;

			if (v == TREE_NONE || (mark[v] & bit) ||
			    !accept(n, d->kind))
				continue;
			mark[v] |= bit;
			queue[tail++] = v;
			if (paths) {
				t->via[v] = u;
				t->nodes[v].depth = n->depth + 1;
				t->nodes[v].target = n->target;
			}
		}
	}
	free(queue);
}

static int
accept_all(const struct tree_node *from, uint8_t kind)
{
	return kind != TREE_DEP_DEV || (from->flags & TREE_TARGET);
}

static int
accept_nondev(const struct tree_node *from, uint8_t kind)
{
	return kind != TREE_DEP_DEV;
}

static int
accept_required(const struct tree_node *from, uint8_t kind)
{
	return kind == TREE_DEP_PROD || kind == TREE_DEP_PEER;
}

static int
accept_required_or_dev(const struct tree_node *from, uint8_t kind)
{
	return accept_required(from, kind) ||
	       (kind == TREE_DEP_DEV && (from->flags & TREE_TARGET));
}

int
tree_resolve(struct tree *t)
{
	uint8_t *mark;
	size_t i;

	tree_mark_targets(t);
	tree_resolve_edges(t);
	free(t->via);
	t->via = xmalloc((t->nnodes + 1) * sizeof(*t->via));
	for (i = 0; i < t->nnodes; i++)
		t->via[i] = TREE_NONE;
	mark = xcalloc(t->nnodes + 1, 1);
	tree_bfs(t, mark, 1, 1, accept_all);
	if (!t->flags_known) {
		/*
		 * npm's flags: dev when only dev edges of a target reach it,
		 * optional when only optional edges do; devOptional when
		 * reaching it without optional edges needs a dev edge.
		 */
		tree_bfs(t, mark, 2, 0, accept_nondev);
		tree_bfs(t, mark, 4, 0, accept_required);
		tree_bfs(t, mark, 8, 0, accept_required_or_dev);
		for (i = 0; i < t->nnodes; i++) {
			struct tree_node *n = &t->nodes[i];
			uint8_t m = mark[i];

			if (n->flags & (TREE_TARGET | TREE_LINK))
				continue;
			n->flags &= (uint16_t)~(TREE_DEV | TREE_OPTIONAL |
						TREE_DEVOPTIONAL);
			if (!(m & 1))
				continue;
			if (!(m & 2))
				n->flags |= TREE_DEV;
			if (!(m & 8))
				n->flags |= TREE_OPTIONAL;
			else if ((m & 2) && !(m & 4))
				n->flags |= TREE_DEVOPTIONAL;
		}
	}
	for (i = 0; i < t->nnodes; i++) {
		struct tree_node *n = &t->nodes[i];

		if (!(mark[i] & 1) && tree_node_is_package(n))
			n->flags |= TREE_EXTRANEOUS;
	}
	free(mark);
	return 0;
}

size_t
tree_path(const struct tree *t, uint32_t node, uint32_t *out, size_t max)
{
	size_t len, kept, i;
	uint32_t u = node;

	if (node >= t->nnodes || t->nodes[node].depth == UINT32_MAX)
		return 0;
	len = (size_t)t->nodes[node].depth + 1;
	kept = len < max ? len : max;
	/* Walk up only as far as what is kept: the tail nearest the node. */
	for (i = kept; i > 0 && u != TREE_NONE; u = t->via[u])
		out[--i] = u;
	return len;
}
