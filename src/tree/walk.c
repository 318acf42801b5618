/* realpath() is an XSI interface in glibc's headers. */
#define _XOPEN_SOURCE 700

#include "tree/tree.h"
#include "tree/walk_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * Every directory below the root is opened relative to its parent's
 * descriptor and never through a symlink: a symlink is only ever resolved
 * with realpath(), checked to stay inside the root, and then reopened one
 * component at a time from the root descriptor, again without following
 * anything. So no path a package controls can make us open a file outside
 * the project, even if the tree changes while we walk it.
 */
#define WALK_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define WALK_FILE_FLAGS \
	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
#define WALK_NAME_MAX 255

/* ---- one package.json ---- */

void
tree_bundle_release(struct tree_bundle *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		free(b->names[i]);
	free(b->names);
	b->names = NULL;
	b->n = 0;
	b->alloc = 0;
}

static void
bundle_add(struct tree_bundle *b, const char *name)
{
	XGROW(b->names, b->alloc, b->n + 1);
	b->names[b->n++] = xstrdup(name);
}

int
tree_manifest_parse(struct json_doc *doc, char *buf, size_t len,
		    const char *file)
{
	int err;

	if ((err = json_parse(doc, buf, len, file, 0)))
		return err;
	if (!json_is(doc->root, JSON_OBJECT)) {
		err = ws_error_set(WS_EPARSE, "%s: top level is %s, not an object",
				   file, doc->root ?
				   json_type_name(doc->root->type) : "empty");
		json_doc_release(doc);
	}
	return err;
}

/* A non-empty string member copied into the tree, else NULL. */
static const char *
manifest_str(struct tree *t, const struct json_value *pkg, const char *key)
{
	const char *s = json_get_str(pkg, key);

	return s && *s ? tree_strdup(t, s) : NULL;
}

static void
manifest_workspaces(struct tree *t, const struct json_value *pkg,
		    const char *file)
{
	const struct json_value *ws = json_get(pkg, "workspaces"), *v;

	if (json_is(ws, JSON_OBJECT))	/* yarn: { "packages": [...] } */
		ws = json_get(ws, "packages");
	if (!ws || json_is(ws, JSON_NULL))
		return;
	if (!json_is(ws, JSON_ARRAY)) {
		tree_warn(t, "%s:%u:%u: \"workspaces\" is %s, not an array, ignored",
			  file, ws->line, ws->col16, json_type_name(ws->type));
		return;
	}
	for (v = ws->u.first; v; v = v->next) {
		if (json_is(v, JSON_STRING) && v->len)
			tree_add_workspace(t, v->u.str);
		else
			tree_warn(t, "%s:%u:%u: workspace pattern is %s, ignored",
				  file, v->line, v->col16,
				  json_is(v, JSON_STRING) ? "empty" :
				  json_type_name(v->type));
	}
}

static void
manifest_bundle(struct tree_bundle *b, struct tree *t,
		const struct json_value *pkg, const char *file)
{
	const struct json_value *bd = json_get(pkg, "bundleDependencies");
	const struct json_value *v;

	if (!bd)
		bd = json_get(pkg, "bundledDependencies");
	if (!bd || json_is(bd, JSON_NULL) || json_is(bd, JSON_FALSE))
		return;
	if (json_is(bd, JSON_TRUE)) {
		const struct json_value *deps = json_get(pkg, "dependencies");

		for (v = json_is(deps, JSON_OBJECT) ? deps->u.first : NULL; v;
		     v = v->next)
			if (v->key_len)
				bundle_add(b, v->key);
		return;
	}
	if (!json_is(bd, JSON_ARRAY)) {
		tree_warn(t, "%s:%u:%u: \"%s\" is %s, not an array, ignored",
			  file, bd->line, bd->col16, bd->key,
			  json_type_name(bd->type));
		return;
	}
	for (v = bd->u.first; v; v = v->next)
		if (json_is(v, JSON_STRING) && v->len)
			bundle_add(b, v->u.str);
}

int
tree_manifest_apply(uint32_t *out, struct tree_bundle *bundle,
		    struct tree *t, const char *location,
		    const struct json_value *pkg, const char *file,
		    unsigned flags)
{
	struct tree_node *n;
	uint32_t node;
	int err;

	*out = TREE_NONE;
	if ((err = tree_add_node(t, location, &node)))
		return err;
	*out = node;
	n = &t->nodes[node];
	n->name = manifest_str(t, pkg, "name");
	n->version = manifest_str(t, pkg, "version");
	/* npm 6 and older recorded where a package came from in it. */
	n->integrity = manifest_str(t, pkg, "_integrity");
	n->resolved = manifest_str(t, pkg, "_resolved");
	if (n->resolved)
		n->source = (uint8_t)tree_source_from_resolved(n->resolved);
	/* What npm records as hasInstallScript (prepare too: git installs
	 * run it); scan reads the scripts back only for these packages. */
	{
		static const char *const hooks[] = {
			"preinstall", "install", "postinstall", "prepare",
		};
		const struct json_value *scripts = json_get(pkg, "scripts");
		size_t i;

		for (i = 0; i < sizeof(hooks) / sizeof(*hooks); i++)
			if (json_get_str(scripts, hooks[i]))
				n->flags |= TREE_INSTALL_SCRIPT;
	}

	if ((err = tree_add_manifest_deps(t, node, pkg,
					  flags & TREE_MANIFEST_DEV, file)))
		return err;
	if (flags & TREE_MANIFEST_WORKSPACES)
		manifest_workspaces(t, pkg, file);
	if (bundle)
		manifest_bundle(bundle, t, pkg, file);
	return 0;
}

int
tree_read_manifest(uint32_t *out, struct tree_bundle *bundle,
		   struct tree *t, const char *location, char *buf,
		   size_t len, const char *file, unsigned flags)
{
	struct json_doc doc;
	int err;

	*out = TREE_NONE;
	if ((err = tree_manifest_parse(&doc, buf, len, file)))
		return err;
	err = tree_manifest_apply(out, bundle, t, location, doc.root, file,
				  flags);
	json_doc_release(&doc);
	return err;
}

const char *
tree_install_name(const char *loc)
{
	const char *p = loc, *rest = NULL, *m, *slash;

	while ((m = strstr(p, "node_modules/"))) {
		if (m == loc || m[-1] == '/')
			rest = m + 13;
		p = m + 1;
	}
	if (!rest || !*rest)
		return NULL;
	slash = strchr(rest, '/');
	if (rest[0] == '@') {
		if (!slash || slash == rest + 1 || !slash[1] ||
		    strchr(slash + 1, '/'))
			return NULL;
	} else if (slash) {
		return NULL;
	}
	return rest;
}

/* ---- the walk ---- */

struct walk_id {
	dev_t dev;
	ino_t ino;
	int used;
};

struct walk {
	struct tree *t;
	const char *dir;	/* as given */
	size_t dir_len;		/* without trailing slashes */
	int rootfd;
	char *root_real;	/* realpath(dir) */
	size_t root_len;
	unsigned depth_max;
	size_t entries_max;
	size_t entries;
	int stop;		/* a limit was hit: add nothing more */
	struct walk_id *seen;	/* real directories walked, by (dev, ino) */
	size_t seen_cap, seen_count;
	const char **queue;	/* link targets still to read, in the pool */
	size_t nqueue, queue_alloc;
	struct strmap queued;
};

static size_t
walk_id_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)dev * 0x9e3779b97f4a7c15u ^ (uint64_t)ino;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 32;
	return (size_t)h;
}

/* The slot holding (dev, ino), or the empty one where it would go. */
static size_t
walk_seen_slot(const struct walk *w, dev_t dev, ino_t ino)
{
	size_t mask = w->seen_cap - 1, i;

	for (i = walk_id_hash(dev, ino) & mask; w->seen[i].used;
	     i = (i + 1) & mask)
		if (w->seen[i].dev == dev && w->seen[i].ino == ino)
			break;
	return i;
}

/*
 * Records a directory as walked: 1 when it is new, 0 when it was walked
 * before (a loop through a symlink or bind mount).
 */
static int
walk_mark_seen(struct walk *w, const struct stat *st)
{
	size_t i;

	if ((w->seen_count + 1) * 2 > w->seen_cap) {
		struct walk_id *old = w->seen;
		size_t old_cap = w->seen_cap, j;

		w->seen_cap = old_cap ? old_cap * 2 : 64;
		w->seen = xcalloc(w->seen_cap, sizeof(*w->seen));
		for (j = 0; j < old_cap; j++)
			if (old[j].used)
				w->seen[walk_seen_slot(w, old[j].dev,
						       old[j].ino)] = old[j];
		free(old);
	}
	i = walk_seen_slot(w, st->st_dev, st->st_ino);
	if (w->seen[i].used)
		return 0;
	w->seen[i].dev = st->st_dev;
	w->seen[i].ino = st->st_ino;
	w->seen[i].used = 1;
	w->seen_count++;
	return 1;
}

/* Whether the directory fd was walked before, without recording it. */
static int
walk_was_seen(const struct walk *w, int fd)
{
	struct stat st;

	if (!w->seen_cap || fstat(fd, &st) < 0)
		return 0;
	return w->seen[walk_seen_slot(w, st.st_dev, st.st_ino)].used;
}

/* a + "/" + b, or b when a is empty; xmalloc'd. */
static char *
walk_join(const char *a, const char *b)
{
	size_t al = strlen(a), bl = strlen(b);
	char *p = xmalloc(al + bl + 2);

	if (al) {
		memcpy(p, a, al);
		p[al++] = '/';
	}
	memcpy(p + al, b, bl + 1);
	return p;
}

/* The path of location (and leaf in it) as the user named the root. */
static char *
walk_path(const struct walk *w, const char *loc, const char *leaf)
{
	size_t ll = strlen(loc), fl = leaf ? strlen(leaf) : 0;
	char *p = xmalloc(w->dir_len + ll + fl + 3), *q = p;

	if (!w->dir_len && !ll && !fl) {
		free(p);
		return xstrdup(w->dir);
	}
	memcpy(q, w->dir, w->dir_len);
	q += w->dir_len;
	if (ll) {
		*q++ = '/';
		memcpy(q, loc, ll);
		q += ll;
	}
	if (fl) {
		*q++ = '/';
		memcpy(q, leaf, fl);
		q += fl;
	}
	*q = '\0';
	return p;
}

static int
walk_errno(const struct walk *w, const char *loc, int e)
{
	char *path = walk_path(w, loc, NULL);
	int err = ws_error_set(e == ENOENT ? WS_ENOTFOUND : WS_EIO, "%s: %s",
			       path, strerror(e));

	free(path);
	return err;
}

/* Keeps the last error as a warning. */
static void
walk_warn_last(struct walk *w)
{
	tree_warn(w->t, "%s", ws_error_last());
}

/* A tree limit: keep what we have, add nothing more. */
static void
walk_stop(struct walk *w)
{
	if (!w->stop)
		walk_warn_last(w);
	w->stop = 1;
}

/* Nested node_modules levels in a location ("a/node_modules/b": 1). */
static unsigned
walk_depth(const char *loc)
{
	const char *p = loc, *m;
	unsigned n = 0;

	while ((m = strstr(p, "node_modules"))) {
		if ((m == loc || m[-1] == '/') && (m[12] == '/' || !m[12]))
			n++;
		p = m + 12;
	}
	return n;
}

/*
 * Resolves the symlink at location with realpath() and checks it stays
 * inside the root. *rel is the target's location, inside *real (free it).
 */
static int
walk_resolve(struct walk *w, const char *loc, char **real, const char **rel)
{
	char *path = walk_path(w, loc, NULL);
	char *r = NULL;
	int err = 0;

	*real = NULL;
	*rel = NULL;
	if (!(r = realpath(path, NULL))) {
		int e = errno;

		if (e == ENOENT)
			err = ws_error_set(WS_ENOTFOUND, "%s: dangling symlink, not followed",
					   path);
		else if (e == ELOOP)
			err = ws_error_set(WS_EIO, "%s: symlink loop, not followed",
					   path);
		else
			err = ws_error_set(WS_EIO, "%s: %s", path, strerror(e));
		goto done;
	}
	/* inside means the root itself or below it: "/p/app" does not
	 * contain "/p/app-other" */
	if (w->root_len == 1 && w->root_real[0] == '/')
		*rel = r + 1;
	else if (strncmp(r, w->root_real, w->root_len) == 0 &&
		 (r[w->root_len] == '/' || r[w->root_len] == '\0'))
		*rel = r + w->root_len + (r[w->root_len] == '/');
	else
		err = ws_error_set(WS_ENOTFOUND, "%s: symlink points outside the project root, not followed",
				   path);
done:
	if (err) {
		free(r);
		*rel = NULL;
	} else {
		*real = r;
	}
	free(path);
	return err;
}

/*
 * Opens the directory at location rel (symlink-free, from walk_resolve)
 * one component at a time from the root, following nothing.
 */
static int
walk_open_rel(struct walk *w, const char *rel, int *out)
{
	const char *p = rel;
	char comp[WALK_NAME_MAX + 1];
	int fd, err = 0;

	*out = -1;
	fd = openat(w->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = walk_errno(w, "", errno);
		goto done;
	}
	while (*p) {
		size_t n = strcspn(p, "/");
		int next;

		if (n == 0 || n > WALK_NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			err = walk_errno(w, rel, EINVAL);
			goto done;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		next = openat(fd, comp, WALK_DIR_FLAGS);
		if (next < 0) {
			err = walk_errno(w, rel, errno);
			goto done;
		}
		close(fd);
		fd = next;
		p += n;
		if (*p == '/')
			p++;
	}
	*out = fd;
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * Opens parent/node_modules at nmloc, following a symlink only inside the
 * root. *out is -1 (and 0 returned) when there is none.
 */
static int
walk_open_nm(struct walk *w, int parentfd, const char *nmloc, int *out)
{
	struct stat st;
	char *real = NULL, *path = NULL;
	const char *rel;
	int err = 0;

	*out = -1;
	if (fstatat(parentfd, "node_modules", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			err = walk_errno(w, nmloc, errno);
		goto done;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!(err = walk_resolve(w, nmloc, &real, &rel)))
			err = walk_open_rel(w, rel, out);
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		path = walk_path(w, nmloc, NULL);
		err = ws_error_set(WS_ENOTFOUND, "%s: not a directory", path);
		goto done;
	}
	*out = openat(parentfd, "node_modules", WALK_DIR_FLAGS);
	if (*out < 0)
		err = walk_errno(w, nmloc, errno);
done:
	free(real);
	free(path);
	return err;
}

/* Reads dir/package.json, a regular file of at most TREE_MANIFEST_MAX. */
static int
walk_read_manifest(struct strbuf *sb, int dirfd, const char *file)
{
	struct stat st;
	int fd = -1, err = 0;

	if (fstatat(dirfd, "package.json", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;

		err = ws_error_set(e == ENOENT ? WS_ENOTFOUND : WS_EIO, "%s: %s",
				   file, e == ENOENT ? "no such file" :
				   strerror(e));
		goto done;
	}
	/* checked before opening: a FIFO or device must not be opened */
	if (S_ISLNK(st.st_mode)) {
		err = ws_error_set(WS_EIO, "%s: is a symlink, not followed",
				   file);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		err = ws_error_set(WS_EIO, "%s: not a regular file", file);
		goto done;
	}
	fd = openat(dirfd, "package.json", WALK_FILE_FLAGS);
	if (fd < 0) {
		err = ws_error_set(WS_EIO, "%s: %s", file, strerror(errno));
		goto done;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		err = ws_error_set(WS_EIO, "%s: not a regular file", file);
	else
		err = strbuf_read_fd(sb, fd, file);
done:
	if (fd >= 0)
		close(fd);
	return err;
}

static int
walk_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
walk_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The entries of directory fd, sorted, leaving out dot entries (.bin,
 * .cache, the hidden lockfile, pnpm's .pnpm store: links lead into it).
 * Every entry counts against the limit; past it the walk stops and the
 * directory gives nothing, so what is kept does not depend on readdir order.
 */
static int
walk_list(struct walk *w, int fd, const char *loc, char ***out, size_t *nout)
{
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d = NULL;
	int dfd, err = 0;

	*out = NULL;
	*nout = 0;
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		err = walk_errno(w, loc, e);
		walk_warn_last(w);
		goto done;
	}
	for (;;) {
		errno = 0;
		if (!(de = readdir(d))) {
			if (errno) {
				err = walk_errno(w, loc, errno);
				walk_warn_last(w);
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (++w->entries > w->entries_max) {
			err = ws_error_set(WS_ELIMIT, "%s: more than %zu directory entries, stopped walking",
					   w->dir, w->entries_max);
			walk_stop(w);
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		XGROW(names, alloc, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	if (err)
		goto done;
	if (n)
		qsort(names, n, sizeof(*names), walk_cmp);
	*out = names;
	*nout = n;
	names = NULL;
	n = 0;
done:
	if (d)
		closedir(d);
	walk_free_names(names, n);
	return err;
}

static void walk_nm(struct walk *w, int nmfd, const char *nmloc, int quiet);

static void
walk_enqueue(struct walk *w, const char *loc)
{
	size_t len = strlen(loc);

	if (tree_find(w->t, loc, len) != TREE_NONE)
		return;
	if (!strmap_put(&w->queued, loc, len, 0, NULL))
		return;
	XGROW(w->queue, w->queue_alloc, w->nqueue + 1);
	w->queue[w->nqueue++] = loc;
}

/*
 * node_modules/<name> is a symlink: a link node to its target, which is
 * read later (once) from the queue, if it stays inside the root.
 */
static void
walk_link(struct walk *w, const char *loc, const char *name)
{
	struct tree_node *n;
	const char *rel;
	char *real = NULL;
	uint32_t node;
	int fd = -1;

	if (walk_resolve(w, loc, &real, &rel)) {
		walk_warn_last(w);
		goto done;
	}
	if (walk_open_rel(w, rel, &fd)) {
		char *path = walk_path(w, loc, NULL);

		tree_warn(w->t, "%s: symlink target %s, not followed", path,
			  ws_error_last());
		free(path);
		goto done;
	}
	if (tree_add_node(w->t, loc, &node)) {
		walk_stop(w);
		goto done;
	}
	n = &w->t->nodes[node];
	n->flags |= TREE_LINK;
	n->link = tree_strdup(w->t, rel);
	n->name = tree_strdup(w->t, name);
	n->source = TREE_SOURCE_LINK;
	walk_enqueue(w, n->link);
done:
	if (fd >= 0)
		close(fd);
	free(real);
}

/*
 * Node's lookup of name from location from upwards, but not above base:
 * where a bundled package's dependency sits inside its bundler.
 */
static uint32_t
walk_lookup_within(const struct tree *t, const char *from, size_t base_len,
		   const char *name)
{
	size_t dlen = strlen(from), nlen = strlen(name);
	char *s = xmalloc(dlen + nlen + 16);
	uint32_t idx = TREE_NONE;

	for (;;) {
		size_t k = 0;

		if (dlen) {
			memcpy(s, from, dlen);
			s[dlen] = '/';
			k = dlen + 1;
		}
		memcpy(s + k, "node_modules/", 13);
		memcpy(s + k + 13, name, nlen);
		idx = tree_find(t, s, k + 13 + nlen);
		if (idx != TREE_NONE || dlen <= base_len)
			break;
		/* up to the package whose node_modules holds this one */
		while (dlen >= 14 &&
		       memcmp(from + dlen - 14, "/node_modules/", 14) != 0)
			dlen--;
		if (dlen >= 14) {
			dlen -= 14;
		} else if (strncmp(from, "node_modules/", 13) == 0) {
			dlen = 0;
		} else {
			break;
		}
		if (dlen < base_len)
			break;
	}
	free(s);
	return idx;
}

static void
walk_bundle_mark(struct tree *t, uint32_t idx, uint32_t first, uint32_t end,
		 uint32_t *stack, size_t *n)
{
	if (idx == TREE_NONE || idx < first || idx >= end ||
	    (t->nodes[idx].flags & TREE_BUNDLED))
		return;
	t->nodes[idx].flags |= TREE_BUNDLED;
	stack[(*n)++] = idx;
}

/*
 * Marks what came inside pkg's tarball (npm's getBundler): the children it
 * lists in bundleDependencies, everything nested below those, and what
 * those require that resolves inside pkg. Nodes [first, end) are pkg's
 * subtree, added depth-first right after it.
 */
static void
walk_bundle(struct walk *w, uint32_t pkg, uint32_t first,
	    const struct tree_bundle *b)
{
	struct tree *t = w->t;
	uint32_t end = (uint32_t)t->nnodes;
	uint32_t *stack;
	size_t n = 0, i, j, base_len;
	char *nm;

	if (end <= first)
		return;
	stack = xmalloc((end - first) * sizeof(*stack));
	nm = walk_join(t->nodes[pkg].location, "node_modules");
	for (i = 0; i < b->n; i++) {
		char *loc = walk_join(nm, b->names[i]);

		walk_bundle_mark(t, tree_find(t, loc, strlen(loc)), first, end,
				 stack, &n);
		free(loc);
	}
	base_len = strlen(t->nodes[pkg].location);
	while (n) {
		uint32_t u = stack[--n];
		const char *ul = t->nodes[u].location;
		size_t len = strlen(ul);
		uint32_t v;

		for (v = u + 1; v < end; v++) {
			const char *vl = t->nodes[v].location;

			if (strncmp(vl, ul, len) != 0 || vl[len] != '/')
				break;
			walk_bundle_mark(t, v, first, end, stack, &n);
		}
		for (j = 0; j < t->nodes[u].ndeps; j++) {
			const struct tree_dep *d =
				&t->deps[t->nodes[u].deps + j];

			v = walk_lookup_within(t, ul, base_len, d->name);
			walk_bundle_mark(t, v, first, end, stack, &n);
		}
	}
	free(nm);
	free(stack);
}

/* Walks dir/node_modules of the package at loc, if there is one. */
static void
walk_children(struct walk *w, int fd, const char *loc)
{
	char *nmloc = walk_join(loc, "node_modules");
	int nmfd = -1;

	if (walk_open_nm(w, fd, nmloc, &nmfd)) {
		walk_warn_last(w);
		goto done;
	}
	if (nmfd >= 0)
		walk_nm(w, nmfd, nmloc, 0);
done:
	if (nmfd >= 0)
		close(nmfd);
	free(nmloc);
}

/*
 * Reads the package directory fd (closed here) at loc: its package.json
 * becomes a node, then its node_modules is walked. install is the name it
 * is installed under, NULL for a link target outside node_modules.
 */
static void
walk_package(struct walk *w, int fd, const char *loc, const char *install)
{
	struct tree *t = w->t;
	struct tree_bundle bundle = { 0 };
	struct json_doc doc;
	struct strbuf sb;
	struct stat st;
	struct tree_node *n;
	char *file = walk_path(w, loc, "package.json");
	int linked = !install && loc[0];
	int ws = linked && tree_is_workspace(t, loc);
	uint32_t node, first;
	int err;

	strbuf_init(&sb, TREE_MANIFEST_MAX);
	if (fstat(fd, &st) < 0) {
		walk_errno(w, loc, errno);
		walk_warn_last(w);
		goto done;
	}
	if (!walk_mark_seen(w, &st)) {
		char *path = walk_path(w, loc, NULL);

		tree_warn(t, "%s: directory already walked, loop not followed",
			  path);
		free(path);
		goto done;
	}
	if ((err = walk_read_manifest(&sb, fd, file)) ||
	    (err = tree_manifest_parse(&doc, sb.buf, sb.len, file))) {
		walk_warn_last(w);
		goto done;
	}
	err = tree_manifest_apply(&node, &bundle, t, loc, doc.root, file,
				  ws ? TREE_MANIFEST_DEV : 0);
	json_doc_release(&doc);
	strbuf_release(&sb);
	if (err) {
		walk_stop(w);
		goto done;
	}
	n = &t->nodes[node];
	if (!n->name) {
		const char *base = strrchr(loc, '/');

		n->name = tree_strdup(t, install ? install :
				      base ? base + 1 : loc);
	} else if (install && strcmp(n->name, install) != 0) {
		n->alias = tree_strdup(t, install);
	}
	if (linked)
		n->source = ws ? TREE_SOURCE_WORKSPACE : TREE_SOURCE_LINK;
	first = (uint32_t)t->nnodes;
	walk_children(w, fd, loc);
	if (bundle.n)
		walk_bundle(w, node, first, &bundle);
done:
	close(fd);
	strbuf_release(&sb);
	tree_bundle_release(&bundle);
	free(file);
}

/* node_modules/<name> (name may be "@scope/x", leaf its last part). */
static void
walk_entry(struct walk *w, int parentfd, const char *nmloc, const char *name,
	   const char *leaf)
{
	char *loc = walk_join(nmloc, name), *path = NULL;
	struct stat st;
	int fd;

	if (tree_find(w->t, loc, strlen(loc)) != TREE_NONE)
		goto done;	/* already read as the target of a link */
	if (fstatat(parentfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		walk_errno(w, loc, errno);
		walk_warn_last(w);
		goto done;
	}
	if (S_ISLNK(st.st_mode)) {
		walk_link(w, loc, name);
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		path = walk_path(w, loc, NULL);
		tree_warn(w->t, "%s: not a directory, skipped", path);
		goto done;
	}
	fd = openat(parentfd, leaf, WALK_DIR_FLAGS);
	if (fd < 0) {
		walk_errno(w, loc, errno);
		walk_warn_last(w);
		goto done;
	}
	walk_package(w, fd, loc, name);
done:
	free(path);
	free(loc);
}

static void
walk_scope(struct walk *w, int nmfd, const char *nmloc, const char *scope)
{
	char *loc = walk_join(nmloc, scope), *path = NULL;
	char **names = NULL;
	size_t n = 0, i;
	struct stat st;
	int fd = -1;

	if (fstatat(nmfd, scope, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		walk_errno(w, loc, errno);
		walk_warn_last(w);
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		path = walk_path(w, loc, NULL);
		tree_warn(w->t, S_ISLNK(st.st_mode) ?
			  "%s: symlinked scope directory, not followed" :
			  "%s: not a directory, skipped", path);
		goto done;
	}
	fd = openat(nmfd, scope, WALK_DIR_FLAGS);
	if (fd < 0) {
		walk_errno(w, loc, errno);
		walk_warn_last(w);
		goto done;
	}
	if (walk_list(w, fd, loc, &names, &n))
		goto done;
	for (i = 0; i < n && !w->stop; i++) {
		char *name = walk_join(scope, names[i]);

		walk_entry(w, fd, nmloc, name, names[i]);
		free(name);
	}
done:
	if (fd >= 0)
		close(fd);
	walk_free_names(names, n);
	free(path);
	free(loc);
}

/*
 * Walks the node_modules directory nmfd at nmloc. quiet: a directory
 * walked before is expected (a pnpm store's node_modules), not a loop.
 */
static void
walk_nm(struct walk *w, int nmfd, const char *nmloc, int quiet)
{
	char **names = NULL, *path = walk_path(w, nmloc, NULL);
	size_t n = 0, i;
	struct stat st;

	if (walk_depth(nmloc) > w->depth_max) {
		tree_warn(w->t, "%s: more than %u nested node_modules levels, not walked",
			  path, w->depth_max);
		goto done;
	}
	if (fstat(nmfd, &st) < 0) {
		walk_errno(w, nmloc, errno);
		walk_warn_last(w);
		goto done;
	}
	if (!walk_mark_seen(w, &st)) {
		if (!quiet)
			tree_warn(w->t, "%s: directory already walked, loop not followed",
				  path);
		goto done;
	}
	if (walk_list(w, nmfd, nmloc, &names, &n))
		goto done;
	for (i = 0; i < n && !w->stop; i++) {
		if (names[i][0] == '@')
			walk_scope(w, nmfd, nmloc, names[i]);
		else
			walk_entry(w, nmfd, nmloc, names[i], names[i]);
	}
done:
	walk_free_names(names, n);
	free(path);
}

/*
 * Reads the link targets in the order they were found. A target installed
 * in some node_modules (a pnpm store: node_modules/.pnpm/x@1/node_modules/x)
 * finds its dependencies beside it, so that node_modules is walked too.
 */
static void
walk_queue(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->nqueue && !w->stop; i++) {
		const char *loc = w->queue[i];
		const char *install = tree_install_name(loc);
		int fd;

		if (tree_find(w->t, loc, strlen(loc)) != TREE_NONE)
			continue;
		if (walk_open_rel(w, loc, &fd)) {
			walk_warn_last(w);
			continue;
		}
		if (walk_was_seen(w, fd)) {
			/* already read (or refused) under its own name */
			close(fd);
			continue;
		}
		walk_package(w, fd, loc, install);
		if (install && !w->stop) {
			/* the store's node_modules, without "/<install>" */
			size_t len = (size_t)(install - loc) - 1;
			char *nmloc = xstrndup(loc, len);

			if (!walk_open_rel(w, nmloc, &fd)) {
				walk_nm(w, fd, nmloc, 1);
				close(fd);
			} else {
				walk_warn_last(w);
			}
			free(nmloc);
		}
	}
}

/* The root target: dir/package.json, or just a name when it is unusable. */
static void
walk_root(struct walk *w)
{
	struct tree *t = w->t;
	struct json_doc doc;
	struct strbuf sb;
	char *file = walk_path(w, "", "package.json");
	uint32_t node = TREE_NONE;
	int err;

	strbuf_init(&sb, TREE_MANIFEST_MAX);
	if (!(err = walk_read_manifest(&sb, w->rootfd, file)) &&
	    !(err = tree_manifest_parse(&doc, sb.buf, sb.len, file))) {
		err = tree_manifest_apply(&node, NULL, t, "", doc.root, file,
					  TREE_MANIFEST_DEV |
					  TREE_MANIFEST_WORKSPACES);
		json_doc_release(&doc);
	}
	if (err)
		walk_warn_last(w);
	if (node == TREE_NONE && tree_add_node(t, "", &node))
		goto done;	/* cannot happen in an empty tree */
	if (!t->nodes[node].name) {
		const char *base = strrchr(w->root_real, '/');

		base = base && base[1] ? base + 1 : w->root_real;
		t->nodes[node].name = tree_strdup(t, base);
	}
done:
	strbuf_release(&sb);
	free(file);
}

static void
walk_release(struct walk *w)
{
	if (w->rootfd >= 0)
		close(w->rootfd);
	free(w->root_real);
	free(w->seen);
	free(w->queue);
	strmap_release(&w->queued);
	tree_free(w->t);
}

int
tree_walk_limited(struct tree **out, const char *dir, unsigned depth_max,
		  size_t entries_max)
{
	struct walk w;
	struct stat st;
	int nmfd = -1, err = 0;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	w.dir = dir;
	w.dir_len = strlen(dir);
	while (w.dir_len > 0 && dir[w.dir_len - 1] == '/')
		w.dir_len--;
	w.depth_max = depth_max;
	w.entries_max = entries_max;
	strmap_init(&w.queued);
	w.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.rootfd < 0) {
		int e = errno;

		err = ws_error_set(e == ENOENT || e == ENOTDIR ? WS_ENOTFOUND :
				   WS_EIO, "%s: %s", dir, strerror(e));
		goto done;
	}
	if (!(w.root_real = realpath(dir, NULL))) {
		err = ws_error_set(WS_EIO, "%s: %s", dir, strerror(errno));
		goto done;
	}
	w.root_len = strlen(w.root_real);
	if (fstat(w.rootfd, &st) == 0)
		walk_mark_seen(&w, &st);
	tree_new(&w.t, dir, "node_modules");
	walk_root(&w);
	if ((err = walk_open_nm(&w, w.rootfd, "node_modules", &nmfd)))
		goto done;
	if (nmfd < 0) {
		err = ws_error_set(WS_ENOTFOUND, "%s: no node_modules directory",
				   dir);
		goto done;
	}
	walk_nm(&w, nmfd, "node_modules", 0);
	walk_queue(&w);
	tree_resolve(w.t);
	*out = w.t;
	w.t = NULL;
done:
	if (nmfd >= 0)
		close(nmfd);
	walk_release(&w);
	return err;
}

int
tree_walk_node_modules(struct tree **out, const char *dir)
{
	return tree_walk_limited(out, dir, TREE_WALK_DEPTH_MAX,
				 TREE_WALK_ENTRIES_MAX);
}
