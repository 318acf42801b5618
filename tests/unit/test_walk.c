/* node_modules walker: layout, symlinks, hostile trees, limits, fixtures. */

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree/tree.h"
#include "treecheck.h"
#include "tree/walk_internal.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* ---- fixtures built by each test in a fresh directory ---- */

static char *fx_root;	/* mkdtemp() under $TMPDIR, removed after the test */

static char *
fx_path(const char *rel)
{
	size_t a = strlen(fx_root), b = strlen(rel);
	char *p = xmalloc(a + b + 2);

	memcpy(p, fx_root, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

/* mkdir -p for the directories leading to path (and path with last). */
static void
fx_mkdirs(const char *path, int last)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		ck_assert_msg(mkdir(p, 0755) == 0 || errno == EEXIST,
			      "mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (last)
		ck_assert_msg(mkdir(p, 0755) == 0 || errno == EEXIST,
			      "mkdir %s: %s", p, strerror(errno));
	free(p);
}

static void
fx_dir(const char *rel)
{
	char *p = fx_path(rel);

	fx_mkdirs(p, 1);
	free(p);
}

static void
fx_write_n(const char *rel, const char *data, size_t len)
{
	char *p = fx_path(rel);
	FILE *f;

	fx_mkdirs(p, 0);
	f = fopen(p, "wb");
	ck_assert_msg(f != NULL, "fopen %s: %s", p, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(p);
}

static void
fx_write(const char *rel, const char *text)
{
	fx_write_n(rel, text, strlen(text));
}

/* dir/package.json with name and version, then extra members ("" or
 * starting with a comma). */
static void
fx_pkg(const char *dir, const char *name, const char *version,
       const char *extra)
{
	struct strbuf rel, json;

	strbuf_init(&rel, 4096);
	strbuf_init(&json, 1 << 16);
	strbuf_addf(&rel, "%s%spackage.json", dir, dir[0] ? "/" : "");
	strbuf_addf(&json, "{\"name\":\"%s\",\"version\":\"%s\"%s}\n", name,
		    version, extra);
	fx_write(rel.buf, json.buf);
	strbuf_release(&rel);
	strbuf_release(&json);
}

static void
fx_link(const char *rel, const char *target)
{
	char *p = fx_path(rel);

	fx_mkdirs(p, 0);
	ck_assert_msg(symlink(target, p) == 0, "symlink %s: %s", p,
		      strerror(errno));
	free(p);
}

/* rm -rf, giving directories back their permissions first. */
static void
fx_rm(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		if ((d = opendir(path))) {
			while ((de = readdir(d))) {
				struct strbuf sb;

				if (!strcmp(de->d_name, ".") ||
				    !strcmp(de->d_name, ".."))
					continue;
				strbuf_init(&sb, 1 << 16);
				strbuf_addf(&sb, "%s/%s", path, de->d_name);
				fx_rm(sb.buf);
				strbuf_release(&sb);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void
fx_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	strbuf_addf(&sb, "%s/walk-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fx_root = strbuf_detach(&sb, NULL);
	ck_assert_msg(mkdtemp(fx_root) != NULL, "mkdtemp %s: %s", fx_root,
		      strerror(errno));
}

static void
fx_teardown(void)
{
	struct strbuf sb;

	/* some tests make a sibling outside the root */
	strbuf_init(&sb, 4096);
	strbuf_addf(&sb, "%s-outside", fx_root);
	fx_rm(sb.buf);
	strbuf_release(&sb);
	fx_rm(fx_root);
	free(fx_root);
	fx_root = NULL;
}

/* ---- looking at the result ---- */

static struct tree *
walk_ok(const char *dir)
{
	struct tree *t = NULL;
	int err = tree_walk_node_modules(&t, dir);

	ck_assert_msg(err == 0, "walk %s: %d %s", dir, err, ws_error_last());
	ck_assert_ptr_nonnull(t);
	return t;
}

static void
assert_no_node(const struct tree *t, const char *loc)
{
	ck_assert_msg(idx_at(t, loc) == TREE_NONE, "unexpected node at \"%s\"",
		      loc);
}

/* Whether some warning contains both a and b (b may be NULL). */
static int
has_warning(const struct tree *t, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < t->nwarnings; i++)
		if (strstr(t->warnings[i], a) &&
		    (!b || strstr(t->warnings[i], b)))
			return 1;
	return 0;
}

static void
assert_warning(const struct tree *t, const char *a, const char *b)
{
	size_t i;

	if (has_warning(t, a, b))
		return;
	for (i = 0; i < t->nwarnings; i++)
		fprintf(stderr, "warning: %s\n", t->warnings[i]);
	ck_abort_msg("no warning with \"%s\" and \"%s\"", a, b ? b : "");
}

static void
assert_no_warnings(const struct tree *t)
{
	ck_assert_msg(t->nwarnings == 0, "%zu warnings, first: %s",
		      t->nwarnings, t->nwarnings ? t->warnings[0] : "");
}

/* ---- root ---- */

START_TEST(walk_reads_root_manifest_edges_and_workspaces)
{
	struct tree *t;
	const struct tree_node *root;

	fx_pkg("", "app", "1.0.0",
	       ",\"dependencies\":{\"a\":\"^1.0.0\"},"
	       "\"devDependencies\":{\"d\":\"^2\"},"
	       "\"optionalDependencies\":{\"o\":\"*\"},"
	       "\"peerDependencies\":{\"p\":\"1\",\"po\":\"1\"},"
	       "\"peerDependenciesMeta\":{\"po\":{\"optional\":true}},"
	       "\"workspaces\":[\"packages/*\"]");
	fx_pkg("node_modules/a", "a", "1.0.0", "");
	fx_pkg("node_modules/d", "d", "2.0.0", "");
	fx_pkg("node_modules/o", "o", "1.0.0", "");
	fx_pkg("node_modules/p", "p", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_str_eq(t->format, "node_modules");
	ck_assert_str_eq(t->file, fx_root);
	root = node_at(t, "");
	ck_assert_str_eq(root->name, "app");
	ck_assert_str_eq(root->version, "1.0.0");
	ck_assert(root->flags & TREE_TARGET);
	ck_assert_uint_eq(root->ndeps, 5);
	ck_assert_int_eq(dep_of(t, "", "a")->kind, TREE_DEP_PROD);
	ck_assert_str_eq(dep_of(t, "", "a")->spec, "^1.0.0");
	ck_assert_uint_eq(dep_of(t, "", "a")->target,
			  idx_at(t, "node_modules/a"));
	ck_assert_int_eq(dep_of(t, "", "d")->kind, TREE_DEP_DEV);
	ck_assert_int_eq(dep_of(t, "", "o")->kind, TREE_DEP_OPTIONAL);
	ck_assert_int_eq(dep_of(t, "", "p")->kind, TREE_DEP_PEER);
	ck_assert_int_eq(dep_of(t, "", "po")->kind, TREE_DEP_PEER_OPTIONAL);
	ck_assert_uint_eq(t->nworkspaces, 1);
	ck_assert_str_eq(t->workspaces[0], "packages/*");
	/* flags are derived by tree_resolve, the walker leaves them */
	ck_assert_int_eq(t->flags_known, 0);
	ck_assert(node_at(t, "node_modules/d")->flags & TREE_DEV);
	ck_assert(node_at(t, "node_modules/o")->flags & TREE_OPTIONAL);
	ck_assert(!(node_at(t, "node_modules/a")->flags &
		    (TREE_DEV | TREE_OPTIONAL)));
	assert_no_warnings(t);	/* a missing optional peer is fine */
	tree_free(t);
}
END_TEST

START_TEST(walk_keeps_one_edge_per_name_in_npm_order)
{
	struct tree *t;

	/* npm: optional beats prod, prod beats peer and dev */
	fx_pkg("", "app", "1.0.0",
	       ",\"dependencies\":{\"x\":\"1\",\"y\":\"1\"},"
	       "\"optionalDependencies\":{\"x\":\"1\"},"
	       "\"peerDependencies\":{\"y\":\"1\"},"
	       "\"devDependencies\":{\"y\":\"1\",\"z\":\"1\"}");
	fx_pkg("node_modules/x", "x", "1.0.0", "");
	fx_pkg("node_modules/y", "y", "1.0.0", "");
	fx_pkg("node_modules/z", "z", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_uint_eq(node_at(t, "")->ndeps, 3);
	ck_assert_int_eq(dep_of(t, "", "x")->kind, TREE_DEP_OPTIONAL);
	ck_assert_int_eq(dep_of(t, "", "y")->kind, TREE_DEP_PROD);
	ck_assert_int_eq(dep_of(t, "", "z")->kind, TREE_DEP_DEV);
	ck_assert(!(node_at(t, "node_modules/y")->flags & TREE_DEV));
	tree_free(t);
}
END_TEST

START_TEST(walk_names_root_after_dir_without_manifest)
{
	struct tree *t;
	const char *base = strrchr(fx_root, '/') + 1;

	fx_pkg("node_modules/a", "a", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_str_eq(node_at(t, "")->name, base);
	ck_assert_ptr_null(node_at(t, "")->version);
	assert_warning(t, "/package.json", "no such file");
	ck_assert_str_eq(node_at(t, "node_modules/a")->version, "1.0.0");
	tree_free(t);
}
END_TEST

START_TEST(walk_fails_without_node_modules)
{
	struct tree *t = (struct tree *)1;

	fx_pkg("", "app", "1.0.0", "");
	ck_assert_int_eq(tree_walk_node_modules(&t, fx_root), WS_ENOTFOUND);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), fx_root));
	ck_assert_ptr_nonnull(strstr(ws_error_last(),
				     "no node_modules directory"));
}
END_TEST

START_TEST(walk_fails_on_missing_or_plain_file_dir)
{
	struct tree *t = (struct tree *)1;
	char *p = fx_path("nope");

	ck_assert_int_eq(tree_walk_node_modules(&t, p), WS_ENOTFOUND);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), p));
	free(p);
	fx_write("file", "x");
	p = fx_path("file");
	ck_assert_int_eq(tree_walk_node_modules(&t, p), WS_ENOTFOUND);
	free(p);
	/* node_modules that is a file is no node_modules */
	fx_write("node_modules", "x");
	ck_assert_int_eq(tree_walk_node_modules(&t, fx_root), WS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "node_modules"));
}
END_TEST

/* ---- layout ---- */

START_TEST(walk_nested_duplicate_versions)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0",
	       ",\"dependencies\":{\"a\":\"1\",\"c\":\"1\"}");
	fx_pkg("node_modules/a", "a", "1.0.0",
	       ",\"dependencies\":{\"b\":\"^1\"}");
	fx_pkg("node_modules/b", "b", "1.0.0", "");
	fx_pkg("node_modules/c", "c", "1.0.0",
	       ",\"dependencies\":{\"b\":\"^2\"}");
	fx_pkg("node_modules/c/node_modules/b", "b", "2.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_uint_eq(t->nnodes, 5);
	ck_assert_str_eq(node_at(t, "node_modules/b")->version, "1.0.0");
	ck_assert_str_eq(node_at(t, "node_modules/c/node_modules/b")->version,
			 "2.0.0");
	ck_assert_uint_eq(dep_of(t, "node_modules/a", "b")->target,
			  idx_at(t, "node_modules/b"));
	ck_assert_uint_eq(dep_of(t, "node_modules/c", "b")->target,
			  idx_at(t, "node_modules/c/node_modules/b"));
	ck_assert_str_eq(dep_of(t, "node_modules/c", "b")->spec, "^2");
	ck_assert(tree_node_is_package(node_at(t, "node_modules/c/node_modules/b")));
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

START_TEST(walk_scoped_packages)
{
	struct tree *t;
	const struct tree_node *n;

	fx_pkg("", "app", "1.0.0",
	       ",\"dependencies\":{\"@s/x\":\"1\",\"@s/y\":\"2\","
	       "\"@t/z\":\"1\"}");
	fx_pkg("node_modules/@s/x", "@s/x", "1.0.0", "");
	fx_pkg("node_modules/@s/y", "@s/y", "2.0.0",
	       ",\"dependencies\":{\"@s/x\":\"1\"}");
	fx_pkg("node_modules/@t/z", "@t/z", "1.0.0",
	       ",\"dependencies\":{\"@s/x\":\"3\"}");
	fx_pkg("node_modules/@t/z/node_modules/@s/x", "@s/x", "3.0.0", "");
	t = walk_ok(fx_root);
	n = node_at(t, "node_modules/@s/x");
	ck_assert_str_eq(n->name, "@s/x");
	ck_assert_ptr_null(n->alias);
	n = node_at(t, "node_modules/@t/z/node_modules/@s/x");
	ck_assert_str_eq(n->version, "3.0.0");
	ck_assert_ptr_null(n->alias);
	ck_assert_uint_eq(dep_of(t, "node_modules/@t/z", "@s/x")->target,
			  idx_at(t, "node_modules/@t/z/node_modules/@s/x"));
	ck_assert_uint_eq(dep_of(t, "node_modules/@s/y", "@s/x")->target,
			  idx_at(t, "node_modules/@s/x"));
	ck_assert_uint_eq(t->nnodes, 5);
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

START_TEST(walk_alias_dir_name_differs)
{
	struct tree *t;
	const struct tree_node *n;

	fx_pkg("", "app", "1.0.0",
	       ",\"dependencies\":{\"x\":\"npm:lodash@4.17.15\","
	       "\"lodash\":\"4.17.21\",\"noname\":\"1\"}");
	fx_pkg("node_modules/x", "lodash", "4.17.15", "");
	fx_pkg("node_modules/lodash", "lodash", "4.17.21", "");
	fx_write("node_modules/noname/package.json", "{\"version\":\"1.0.0\"}");
	t = walk_ok(fx_root);
	n = node_at(t, "node_modules/x");
	ck_assert_str_eq(n->name, "lodash");
	ck_assert_str_eq(n->alias, "x");
	ck_assert_str_eq(n->version, "4.17.15");
	n = node_at(t, "node_modules/lodash");
	ck_assert_str_eq(n->name, "lodash");
	ck_assert_ptr_null(n->alias);
	/* without a name, npm uses the directory's */
	n = node_at(t, "node_modules/noname");
	ck_assert_str_eq(n->name, "noname");
	ck_assert_ptr_null(n->alias);
	ck_assert_uint_eq(dep_of(t, "", "x")->target,
			  idx_at(t, "node_modules/x"));
	tree_free(t);
}
END_TEST

START_TEST(walk_reads_old_npm_resolved_and_integrity)
{
	struct tree *t;
	const struct tree_node *n;

	fx_pkg("", "app", "1.0.0", "");
	fx_pkg("node_modules/a", "a", "1.0.0",
	       ",\"_resolved\":\"https://registry.npm.test/a/-/a-1.0.0.tgz\","
	       "\"_integrity\":\"sha512-AAAA\"");
	fx_pkg("node_modules/g", "g", "1.0.0",
	       ",\"_resolved\":\"git+https://git.example/g.git#abc\"");
	fx_pkg("node_modules/u", "u", "1.0.0",
	       ",\"_resolved\":\"https://cdn.example/u.tgz\"");
	fx_pkg("node_modules/plain", "plain", "1.0.0", "");
	t = walk_ok(fx_root);
	n = node_at(t, "node_modules/a");
	ck_assert_str_eq(n->resolved,
			 "https://registry.npm.test/a/-/a-1.0.0.tgz");
	ck_assert_str_eq(n->integrity, "sha512-AAAA");
	ck_assert_int_eq(n->source, TREE_SOURCE_REGISTRY);
	ck_assert_int_eq(node_at(t, "node_modules/g")->source, TREE_SOURCE_GIT);
	ck_assert_int_eq(node_at(t, "node_modules/u")->source,
			 TREE_SOURCE_TARBALL);
	n = node_at(t, "node_modules/plain");
	ck_assert_ptr_null(n->resolved);
	ck_assert_ptr_null(n->integrity);
	ck_assert_int_eq(n->source, TREE_SOURCE_REGISTRY);
	tree_free(t);
}
END_TEST

START_TEST(walk_skips_dot_entries_and_hidden_lockfile)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", ",\"dependencies\":{\"real\":\"1\"}");
	fx_pkg("node_modules/.bin/a", "a", "1.0.0", "");
	fx_pkg("node_modules/.cache/b", "b", "1.0.0", "");
	fx_pkg("node_modules/.pnpm/c", "c", "1.0.0", "");
	fx_write("node_modules/.package-lock.json", "not json at all");
	fx_write("node_modules/.yarn-integrity", "{}");
	fx_pkg("node_modules/real", "real", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_uint_eq(t->nnodes, 2);
	node_at(t, "node_modules/real");
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

START_TEST(walk_lists_entries_in_sorted_order)
{
	struct tree *t;
	static const char *const order[] = {
		"", "node_modules/@s/a", "node_modules/@s/b",
		"node_modules/alpha", "node_modules/alpha/node_modules/z",
		"node_modules/mid", "node_modules/zeta",
	};
	size_t i;

	fx_pkg("node_modules/zeta", "zeta", "1.0.0", "");
	fx_pkg("node_modules/mid", "mid", "1.0.0", "");
	fx_pkg("node_modules/alpha/node_modules/z", "z", "1.0.0", "");
	fx_pkg("node_modules/alpha", "alpha", "1.0.0", "");
	fx_pkg("node_modules/@s/b", "@s/b", "1.0.0", "");
	fx_pkg("node_modules/@s/a", "@s/a", "1.0.0", "");
	fx_pkg("", "app", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_uint_eq(t->nnodes, sizeof(order) / sizeof(order[0]));
	for (i = 0; i < t->nnodes; i++)
		ck_assert_str_eq(t->nodes[i].location, order[i]);
	tree_free(t);
}
END_TEST

START_TEST(walk_ignores_dev_dependencies_of_installed_packages)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", ",\"dependencies\":{\"a\":\"1\"}");
	fx_pkg("node_modules/a", "a", "1.0.0",
	       ",\"dependencies\":{\"b\":\"1\"},"
	       "\"devDependencies\":{\"jest\":\"*\"}");
	fx_pkg("node_modules/b", "b", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_uint_eq(node_at(t, "node_modules/a")->ndeps, 1);
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

START_TEST(walk_marks_bundled_children)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0",
	       ",\"dependencies\":{\"bundler\":\"1\",\"ms\":\"2\"}");
	fx_pkg("node_modules/bundler", "bundler", "1.0.0",
	       ",\"dependencies\":{\"once\":\"1\",\"ms\":\"2\"},"
	       "\"bundleDependencies\":[\"once\"]");
	fx_pkg("node_modules/bundler/node_modules/once", "once", "1.4.0",
	       ",\"dependencies\":{\"wrappy\":\"1\"}");
	fx_pkg("node_modules/bundler/node_modules/once/node_modules/inner",
	       "inner", "1.0.0", "");
	fx_pkg("node_modules/bundler/node_modules/wrappy", "wrappy", "1.0.2",
	       "");
	fx_pkg("node_modules/bundler/node_modules/other", "other", "1.0.0",
	       "");
	fx_pkg("node_modules/ms", "ms", "2.1.3", "");
	fx_pkg("node_modules/old", "old", "1.0.0",
	       ",\"dependencies\":{\"kid\":\"1\"},"
	       "\"bundledDependencies\":true");
	fx_pkg("node_modules/old/node_modules/kid", "kid", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert(node_at(t, "node_modules/bundler/node_modules/once")->flags &
		  TREE_BUNDLED);
	ck_assert(node_at(t, "node_modules/bundler/node_modules/once/"
			  "node_modules/inner")->flags & TREE_BUNDLED);
	/* required by a bundled package and deduped inside the bundler */
	ck_assert(node_at(t, "node_modules/bundler/node_modules/wrappy")->flags &
		  TREE_BUNDLED);
	ck_assert(!(node_at(t, "node_modules/bundler/node_modules/other")->flags &
		    TREE_BUNDLED));
	ck_assert(!(node_at(t, "node_modules/bundler")->flags & TREE_BUNDLED));
	ck_assert(!(node_at(t, "node_modules/ms")->flags & TREE_BUNDLED));
	/* `true`: every dependency, old spelling */
	ck_assert(node_at(t, "node_modules/old/node_modules/kid")->flags &
		  TREE_BUNDLED);
	tree_free(t);
}
END_TEST

/* ---- symlinks ---- */

START_TEST(walk_follows_workspace_symlink_inside_root)
{
	struct tree *t;
	const struct tree_node *n;

	fx_pkg("", "mono", "1.0.0", ",\"workspaces\":[\"packages/*\"]");
	fx_pkg("packages/a", "@org/a", "1.0.0",
	       ",\"dependencies\":{\"b\":\"^1\"},"
	       "\"devDependencies\":{\"tool\":\"1\"}");
	fx_pkg("packages/b", "b", "1.0.0", ",\"dependencies\":{\"dep\":\"1\"}");
	fx_pkg("packages/b/node_modules/dep", "dep", "1.0.0", "");
	fx_link("node_modules/@org/a", "../../packages/a");
	fx_link("node_modules/b", "../packages/b");
	fx_pkg("node_modules/tool", "tool", "1.0.0", "");
	t = walk_ok(fx_root);
	n = node_at(t, "node_modules/@org/a");
	ck_assert(n->flags & TREE_LINK);
	ck_assert_str_eq(n->link, "packages/a");
	ck_assert_str_eq(n->name, "@org/a");
	ck_assert_uint_eq(n->link_target, idx_at(t, "packages/a"));
	ck_assert(!tree_node_is_package(n));
	n = node_at(t, "packages/a");
	ck_assert_str_eq(n->name, "@org/a");
	ck_assert_ptr_null(n->alias);
	ck_assert_int_eq(n->source, TREE_SOURCE_WORKSPACE);
	ck_assert(n->flags & TREE_TARGET);
	ck_assert(!tree_node_is_package(n));
	/* members are targets: their devDependencies count */
	ck_assert_int_eq(dep_of(t, "packages/a", "tool")->kind, TREE_DEP_DEV);
	ck_assert_uint_eq(dep_of(t, "packages/a", "b")->target,
			  idx_at(t, "packages/b"));
	/* the member's own node_modules is walked */
	ck_assert_uint_eq(dep_of(t, "packages/b", "dep")->target,
			  idx_at(t, "packages/b/node_modules/dep"));
	ck_assert(tree_node_is_package(node_at(t,
					       "packages/b/node_modules/dep")));
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

START_TEST(walk_follows_file_dependency_symlink_as_link)
{
	struct tree *t;
	const struct tree_node *n;

	fx_pkg("", "app", "1.0.0", ",\"dependencies\":{\"local\":\"file:./local\"}");
	fx_pkg("local", "local", "0.1.0",
	       ",\"dependencies\":{\"ms\":\"2\"},"
	       "\"devDependencies\":{\"not-installed\":\"1\"}");
	fx_link("node_modules/local", "../local");
	fx_pkg("node_modules/ms", "ms", "2.1.3", "");
	t = walk_ok(fx_root);
	n = node_at(t, "local");
	ck_assert_int_eq(n->source, TREE_SOURCE_LINK);
	ck_assert(!(n->flags & TREE_TARGET));
	ck_assert(tree_node_is_package(n));
	ck_assert_uint_eq(n->ndeps, 1);
	ck_assert_uint_eq(dep_of(t, "local", "ms")->target,
			  idx_at(t, "node_modules/ms"));
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

START_TEST(walk_refuses_symlink_out_of_root)
{
	struct tree *t;
	struct strbuf out, rel;
	size_t i;

	/* a sibling whose name extends the root's ("walk-ab12CD-outside"):
	 * a bare prefix check would let it in */
	strbuf_init(&out, 4096);
	strbuf_init(&rel, 4096);
	strbuf_addf(&out, "%s-outside", fx_root);
	strbuf_addf(&rel, "../../%s-outside", strrchr(fx_root, '/') + 1);
	ck_assert_int_eq(mkdir(out.buf, 0755), 0);
	strbuf_addstr(&out, "/package.json");
	{
		FILE *f = fopen(out.buf, "w");

		ck_assert_ptr_nonnull(f);
		fputs("{\"name\":\"evil\",\"version\":\"6.6.6\"}", f);
		ck_assert_int_eq(fclose(f), 0);
	}
	out.len -= strlen("/package.json");
	out.buf[out.len] = '\0';
	fx_pkg("", "app", "1.0.0", "");
	fx_link("node_modules/abs", out.buf);
	fx_link("node_modules/rel", rel.buf);
	fx_link("node_modules/up", "../..");
	fx_link("node_modules/etc", "/etc");
	fx_pkg("node_modules/ok", "ok", "1.0.0", "");
	t = walk_ok(fx_root);
	assert_warning(t, "node_modules/abs",
		       "symlink points outside the project root, not followed");
	assert_warning(t, "node_modules/rel", "outside the project root");
	assert_warning(t, "node_modules/up", "outside the project root");
	assert_warning(t, "node_modules/etc", "outside the project root");
	assert_no_node(t, "node_modules/abs");
	assert_no_node(t, "node_modules/rel");
	assert_no_node(t, "node_modules/up");
	assert_no_node(t, "node_modules/etc");
	for (i = 0; i < t->nnodes; i++)
		ck_assert(!t->nodes[i].name ||
			  strcmp(t->nodes[i].name, "evil") != 0);
	ck_assert_uint_eq(t->nnodes, 2);
	node_at(t, "node_modules/ok");
	strbuf_release(&out);
	strbuf_release(&rel);
	tree_free(t);
}
END_TEST

START_TEST(walk_refuses_dangling_symlink)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", "");
	fx_link("node_modules/gone", "../nowhere");
	fx_write("file.txt", "x");
	fx_link("node_modules/file", "../file.txt");
	t = walk_ok(fx_root);
	assert_warning(t, "node_modules/gone", "dangling symlink");
	assert_warning(t, "node_modules/file", "not followed");
	assert_no_node(t, "node_modules/gone");
	assert_no_node(t, "node_modules/file");
	tree_free(t);
}
END_TEST

START_TEST(walk_survives_symlink_loop)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", "");
	/* a link back to the root */
	fx_link("node_modules/self", "..");
	/* a nested node_modules that is the outer one again */
	fx_pkg("node_modules/a", "a", "1.0.0", "");
	fx_link("node_modules/a/node_modules", "..");
	/* links that point at each other */
	fx_link("node_modules/l1", "l2");
	fx_link("node_modules/l2", "l1");
	/* a linked package that links back to itself */
	fx_pkg("packages/p", "p", "1.0.0", "");
	fx_link("node_modules/p", "../packages/p");
	fx_link("packages/p/node_modules/p", "..");
	fx_link("packages/p/node_modules/q", "../../../node_modules/p");
	t = walk_ok(fx_root);
	ck_assert_str_eq(node_at(t, "node_modules/self")->link, "");
	ck_assert_uint_eq(node_at(t, "node_modules/self")->link_target, 0);
	assert_warning(t, "node_modules/a/node_modules",
		       "loop not followed");
	assert_warning(t, "node_modules/l1", "symlink loop");
	ck_assert_str_eq(node_at(t, "packages/p/node_modules/q")->link,
			 "packages/p");
	ck_assert_uint_eq(node_at(t, "packages/p/node_modules/p")->link_target,
			  idx_at(t, "packages/p"));
	ck_assert_uint_lt(t->nnodes, 10);
	tree_free(t);
}
END_TEST

START_TEST(walk_follows_pnpm_style_store)
{
	struct tree *t;
	const struct tree_node *n;
	const char *foo = "node_modules/.pnpm/foo@1.0.0/node_modules/foo";
	const char *bar = "node_modules/.pnpm/bar@2.0.0/node_modules/bar";

	fx_pkg("", "app", "1.0.0", ",\"dependencies\":{\"foo\":\"1\"}");
	fx_pkg(foo, "foo", "1.0.0", ",\"dependencies\":{\"bar\":\"^2\"}");
	fx_pkg(bar, "bar", "2.0.0", "");
	fx_link("node_modules/.pnpm/foo@1.0.0/node_modules/bar",
		"../../bar@2.0.0/node_modules/bar");
	fx_link("node_modules/foo", ".pnpm/foo@1.0.0/node_modules/foo");
	t = walk_ok(fx_root);
	n = node_at(t, "node_modules/foo");
	ck_assert(n->flags & TREE_LINK);
	ck_assert_str_eq(n->link, foo);
	n = node_at(t, foo);
	/* a store entry is an installed package, not a linked directory */
	ck_assert_int_eq(n->source, TREE_SOURCE_REGISTRY);
	ck_assert(tree_node_is_package(n));
	ck_assert_uint_eq(dep_of(t, foo, "bar")->target, idx_at(t, bar));
	ck_assert(!(node_at(t, bar)->flags & TREE_EXTRANEOUS));
	ck_assert_uint_ne(node_at(t, bar)->depth, UINT32_MAX);
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

START_TEST(walk_reads_link_target_once)
{
	struct tree *t;
	size_t i, n = 0;

	fx_pkg("", "app", "1.0.0",
	       ",\"dependencies\":{\"x\":\"file:lib\",\"y\":\"file:lib\"}");
	fx_pkg("lib", "lib", "1.0.0", "");
	fx_link("node_modules/x", "../lib");
	fx_link("node_modules/y", "../lib/");
	t = walk_ok(fx_root);
	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].name && !strcmp(t->nodes[i].name, "lib") &&
		    !(t->nodes[i].flags & TREE_LINK))
			n++;
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(node_at(t, "node_modules/x")->link_target,
			  idx_at(t, "lib"));
	ck_assert_uint_eq(node_at(t, "node_modules/y")->link_target,
			  idx_at(t, "lib"));
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

START_TEST(walk_refuses_nested_node_modules_link_out_of_root)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", "");
	fx_pkg("node_modules/a", "a", "1.0.0", "");
	fx_link("node_modules/a/node_modules", "/usr/lib");
	/* inside the root it is followed, under its own location */
	fx_pkg("node_modules/b", "b", "1.0.0", "");
	fx_pkg("shared/c", "c", "1.0.0", "");
	fx_link("node_modules/b/node_modules", "../../shared");
	t = walk_ok(fx_root);
	assert_warning(t, "node_modules/a/node_modules",
		       "outside the project root");
	ck_assert_str_eq(node_at(t, "node_modules/b/node_modules/c")->name,
			 "c");
	tree_free(t);
}
END_TEST

/* ---- broken input ---- */

START_TEST(walk_warns_on_broken_manifest)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", "");
	fx_write("node_modules/bad/package.json", "{\"name\": \"bad\", ");
	fx_pkg("node_modules/bad/node_modules/inner", "inner", "1.0.0", "");
	fx_pkg("node_modules/good", "good", "1.0.0", "");
	t = walk_ok(fx_root);
	assert_warning(t, "node_modules/bad/package.json:", NULL);
	assert_no_node(t, "node_modules/bad");
	/* a directory without a usable manifest is skipped whole */
	assert_no_node(t, "node_modules/bad/node_modules/inner");
	node_at(t, "node_modules/good");
	tree_free(t);
}
END_TEST

START_TEST(walk_warns_on_non_object_or_missing_manifest)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", "");
	fx_write("node_modules/arr/package.json", "[1, 2]");
	fx_write("node_modules/str/package.json", "\"x\"");
	fx_write("node_modules/empty/package.json", "");
	fx_dir("node_modules/none");
	t = walk_ok(fx_root);
	assert_warning(t, "node_modules/arr/package.json", "not an object");
	assert_warning(t, "node_modules/str/package.json", "not an object");
	assert_warning(t, "node_modules/empty/package.json", NULL);
	assert_warning(t, "node_modules/none/package.json", "no such file");
	ck_assert_uint_eq(t->nnodes, 1);
	tree_free(t);
}
END_TEST

START_TEST(walk_huge_manifest_refused)
{
	struct tree *t;
	const char *head = "{\"name\":\"big\",\"version\":\"1.0.0\",\"d\":\"";
	size_t n = TREE_MANIFEST_MAX, h = strlen(head);
	char *buf = xmalloc(n + 1);

	/* exactly at the limit: read */
	memcpy(buf, head, h);
	memset(buf + h, 'x', n - h - 2);
	memcpy(buf + n - 2, "\"}", 2);
	fx_write_n("node_modules/big/package.json", buf, n);
	/* one byte over: refused before it is read */
	buf[n - 1] = ' ';
	buf[n] = '}';
	fx_write_n("node_modules/huge/package.json", buf, n + 1);
	fx_pkg("", "app", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_str_eq(node_at(t, "node_modules/big")->version, "1.0.0");
	assert_no_node(t, "node_modules/huge");
	assert_warning(t, "node_modules/huge/package.json", "over the limit");
	free(buf);
	tree_free(t);
}
END_TEST

START_TEST(walk_unreadable_dir)
{
	struct tree *t;
	char *p;

	fx_pkg("", "app", "1.0.0", "");
	/* entries that look like packages but cannot be opened as one */
	fx_write("node_modules/plainfile", "x");
	p = fx_path("node_modules/fifo");
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	free(p);
	fx_dir("node_modules/dirjson/package.json");
	fx_dir("node_modules/fifojson");
	p = fx_path("node_modules/fifojson/package.json");
	ck_assert_int_eq(mkfifo(p, 0644), 0);	/* must not block the walk */
	free(p);
	fx_write("node_modules/@scope", "not a scope directory");
	fx_pkg("node_modules/locked", "locked", "1.0.0", "");
	fx_pkg("node_modules/locked/node_modules/hidden", "hidden", "1.0.0",
	       "");
	p = fx_path("node_modules/locked/node_modules");
	ck_assert_int_eq(chmod(p, 0), 0);
	free(p);
	fx_pkg("node_modules/zz", "zz", "1.0.0", "");
	t = walk_ok(fx_root);
	assert_warning(t, "node_modules/plainfile", "not a directory");
	assert_warning(t, "node_modules/fifo", "not a directory");
	assert_warning(t, "node_modules/dirjson/package.json",
		       "not a regular file");
	assert_warning(t, "node_modules/fifojson/package.json",
		       "not a regular file");
	assert_warning(t, "node_modules/@scope", "not a directory");
	/*
	 * Tests run as root in CI, and mode 000 does not stop root (it has
	 * CAP_DAC_OVERRIDE), so the EACCES path is only checked for other
	 * users; the entries above take the same warn-and-skip path.
	 */
	if (geteuid() != 0) {
		assert_warning(t, "node_modules/locked/node_modules",
			       strerror(EACCES));
		assert_no_node(t, "node_modules/locked/node_modules/hidden");
	}
	node_at(t, "node_modules/locked");
	node_at(t, "node_modules/zz");
	tree_free(t);
}
END_TEST

START_TEST(walk_keeps_package_with_bad_dependency_values)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", ",\"dependencies\":{\"a\":\"1\"}");
	fx_pkg("node_modules/a", "a", "1.0.0",
	       ",\"dependencies\":{\"b\":1,\"c\":\"^1\",\"\":\"1\"},"
	       "\"optionalDependencies\":\"nope\","
	       "\"bundleDependencies\":{\"x\":1}");
	fx_pkg("node_modules/c", "c", "1.0.0", "");
	t = walk_ok(fx_root);
	ck_assert_uint_eq(node_at(t, "node_modules/a")->ndeps, 1);
	ck_assert_uint_eq(dep_of(t, "node_modules/a", "c")->target,
			  idx_at(t, "node_modules/c"));
	assert_warning(t, "node_modules/a/package.json",
		       "\"b\" in \"dependencies\" must be a string, not number");
	assert_warning(t, "node_modules/a/package.json",
		       "\"optionalDependencies\" must be an object, not string");
	assert_warning(t, "node_modules/a/package.json", "empty name");
	assert_warning(t, "node_modules/a/package.json",
		       "\"bundleDependencies\" is object");
	tree_free(t);
}
END_TEST

START_TEST(walk_refuses_symlinked_manifest)
{
	struct tree *t;

	fx_pkg("", "app", "1.0.0", "");
	fx_dir("node_modules/a");
	fx_link("node_modules/a/package.json", "/etc/passwd");
	t = walk_ok(fx_root);
	assert_warning(t, "node_modules/a/package.json",
		       "is a symlink, not followed");
	assert_no_node(t, "node_modules/a");
	tree_free(t);
}
END_TEST

/* ---- limits ---- */

START_TEST(walk_stops_at_depth_limit)
{
	struct tree *t = NULL;

	fx_pkg("", "app", "1.0.0", "");
	fx_pkg("node_modules/a", "a", "1.0.0", "");
	fx_pkg("node_modules/a/node_modules/b", "b", "1.0.0", "");
	fx_pkg("node_modules/a/node_modules/b/node_modules/c", "c", "1.0.0",
	       "");
	fx_pkg("node_modules/a/node_modules/b/node_modules/c/node_modules/d",
	       "d", "1.0.0", "");
	ck_assert_int_eq(tree_walk_limited(&t, fx_root, 2, 1000), 0);
	node_at(t, "node_modules/a/node_modules/b");
	assert_no_node(t, "node_modules/a/node_modules/b/node_modules/c");
	assert_warning(t, "node_modules/a/node_modules/b/node_modules",
		       "more than 2 nested node_modules levels");
	tree_free(t);
}
END_TEST

START_TEST(walk_stops_at_entry_limit)
{
	struct tree *t = NULL;

	fx_pkg("", "app", "1.0.0", "");
	fx_pkg("node_modules/a", "a", "1.0.0", "");
	fx_pkg("node_modules/a/node_modules/x", "x", "1.0.0", "");
	fx_pkg("node_modules/a/node_modules/y", "y", "1.0.0", "");
	fx_pkg("node_modules/b", "b", "1.0.0", "");
	/* a and b are entries 1 and 2; x and y 3 and 4 */
	ck_assert_int_eq(tree_walk_limited(&t, fx_root, 64, 3), 0);
	assert_warning(t, "more than 3 directory entries", "stopped walking");
	node_at(t, "node_modules/a");
	/* the directory that crossed the limit gives nothing, nor does
	 * anything after it */
	assert_no_node(t, "node_modules/a/node_modules/x");
	assert_no_node(t, "node_modules/b");
	tree_free(t);
	ck_assert_int_eq(tree_walk_limited(&t, fx_root, 64, 4), 0);
	node_at(t, "node_modules/b");
	assert_no_warnings(t);
	tree_free(t);
}
END_TEST

/* ---- npm's own trees (tests/data/npm, see its README) ---- */

static void
compare_with_expected(const char *fixture)
{
	char dir[1024], expected[1100];

	snprintf(dir, sizeof(dir), "%s/npm/%s", TEST_DATA, fixture);
	snprintf(expected, sizeof(expected), "%s/expected.txt", dir);
	check_tree_expected(walk_ok(dir), expected, 0);
}

START_TEST(walk_v3_basic_matches_npm_ls)
{
	struct strbuf p;
	struct tree *t;

	/* must fail, not skip, when the fixture is missing */
	compare_with_expected("v3-basic");
	strbuf_init(&p, 4096);
	strbuf_addf(&p, "%s/npm/v3-basic", TEST_DATA);
	t = walk_ok(p.buf);
	ck_assert(node_at(t, "node_modules/once")->flags & TREE_DEV);
	ck_assert(node_at(t, "node_modules/is-number")->flags & TREE_OPTIONAL);
	ck_assert_str_eq(node_at(t, "node_modules/debug/node_modules/ms")->version,
			 "2.1.3");
	ck_assert_str_eq(node_at(t, "node_modules/ms")->version, "2.0.0");
	tree_free(t);
	strbuf_release(&p);
}
END_TEST

static const char *const fixtures[] = {
	"v2", "v1", "workspaces", "alias", "file-deps", "shrinkwrap",
	"bundled", "peer",
};

START_TEST(walk_matches_npm_ls_on_fixture)
{
	compare_with_expected(fixtures[_i]);
}
END_TEST

START_TEST(walk_fixture_workspaces_links_members)
{
	struct strbuf p;
	struct tree *t;

	strbuf_init(&p, 4096);
	strbuf_addf(&p, "%s/npm/workspaces", TEST_DATA);
	t = walk_ok(p.buf);
	ck_assert_str_eq(node_at(t, "node_modules/a")->link, "packages/a");
	ck_assert_int_eq(node_at(t, "packages/a")->source,
			 TREE_SOURCE_WORKSPACE);
	ck_assert(node_at(t, "packages/b")->flags & TREE_TARGET);
	ck_assert_uint_eq(dep_of(t, "packages/a", "b")->target,
			  idx_at(t, "packages/b"));
	ck_assert(node_at(t, "node_modules/minimist")->flags & TREE_DEV);
	ck_assert(!(node_at(t, "node_modules/once")->flags & TREE_DEV));
	tree_free(t);
	strbuf_release(&p);
}
END_TEST

START_TEST(walk_fixture_bundled_marks_bundle)
{
	struct strbuf p;
	struct tree *t;

	strbuf_init(&p, 4096);
	strbuf_addf(&p, "%s/npm/bundled", TEST_DATA);
	t = walk_ok(p.buf);
	ck_assert(node_at(t, "node_modules/bundler/node_modules/once")->flags &
		  TREE_BUNDLED);
	ck_assert(node_at(t, "node_modules/bundler/node_modules/wrappy")->flags &
		  TREE_BUNDLED);
	ck_assert(!(node_at(t, "node_modules/wrappy")->flags & TREE_BUNDLED));
	tree_free(t);
	strbuf_release(&p);
}
END_TEST

START_TEST(walk_fixture_v1_reads_npm6_fields)
{
	struct strbuf p;
	struct tree *t;
	const struct tree_node *n;

	strbuf_init(&p, 4096);
	strbuf_addf(&p, "%s/npm/v1", TEST_DATA);
	t = walk_ok(p.buf);
	n = node_at(t, "node_modules/chalk");
	ck_assert_ptr_nonnull(n->resolved);
	ck_assert_ptr_nonnull(strstr(n->resolved, "/chalk/-/chalk-4.1.2.tgz"));
	ck_assert_ptr_nonnull(n->integrity);
	ck_assert_int_eq(n->source, TREE_SOURCE_REGISTRY);
	tree_free(t);
	strbuf_release(&p);
}
END_TEST

/* ---- internals shared with the fuzzer ---- */

START_TEST(walk_install_name_of_locations)
{
	ck_assert_str_eq(tree_install_name("node_modules/a"), "a");
	ck_assert_str_eq(tree_install_name("node_modules/@s/b"), "@s/b");
	ck_assert_str_eq(tree_install_name("node_modules/a/node_modules/@s/b"),
			 "@s/b");
	ck_assert_str_eq(tree_install_name("node_modules/.pnpm/x@1/node_modules/x"),
			 "x");
	ck_assert_ptr_null(tree_install_name(""));
	ck_assert_ptr_null(tree_install_name("packages/a"));
	ck_assert_ptr_null(tree_install_name("node_modules/.store/x"));
	ck_assert_ptr_null(tree_install_name("node_modules/@s"));
	ck_assert_ptr_null(tree_install_name("xnode_modules/a"));
}
END_TEST

START_TEST(walk_read_manifest_rejects_non_objects)
{
	struct tree *t;
	uint32_t node;
	char buf[] = "[]";
	char bad[] = "{\"a\":";

	tree_new(&t, "x", "node_modules");
	ck_assert_int_eq(tree_read_manifest(&node, NULL, t, "", buf, 2,
					    "p.json", 0), WS_EPARSE);
	ck_assert_uint_eq(node, TREE_NONE);
	ck_assert_int_lt(tree_read_manifest(&node, NULL, t, "", bad,
					    strlen(bad), "p.json", 0), 0);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "p.json"));
	ck_assert_uint_eq(t->nnodes, 0);
	tree_free(t);
}
END_TEST

static Suite *
walk_suite(void)
{
	Suite *s = suite_create("walk");
	TCase *tc;

	tc = tcase_create("root");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, walk_reads_root_manifest_edges_and_workspaces);
	tcase_add_test(tc, walk_keeps_one_edge_per_name_in_npm_order);
	tcase_add_test(tc, walk_names_root_after_dir_without_manifest);
	tcase_add_test(tc, walk_fails_without_node_modules);
	tcase_add_test(tc, walk_fails_on_missing_or_plain_file_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("layout");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, walk_nested_duplicate_versions);
	tcase_add_test(tc, walk_scoped_packages);
	tcase_add_test(tc, walk_alias_dir_name_differs);
	tcase_add_test(tc, walk_reads_old_npm_resolved_and_integrity);
	tcase_add_test(tc, walk_skips_dot_entries_and_hidden_lockfile);
	tcase_add_test(tc, walk_lists_entries_in_sorted_order);
	tcase_add_test(tc, walk_ignores_dev_dependencies_of_installed_packages);
	tcase_add_test(tc, walk_marks_bundled_children);
	suite_add_tcase(s, tc);

	tc = tcase_create("symlinks");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, walk_follows_workspace_symlink_inside_root);
	tcase_add_test(tc, walk_follows_file_dependency_symlink_as_link);
	tcase_add_test(tc, walk_refuses_symlink_out_of_root);
	tcase_add_test(tc, walk_refuses_dangling_symlink);
	tcase_add_test(tc, walk_survives_symlink_loop);
	tcase_add_test(tc, walk_follows_pnpm_style_store);
	tcase_add_test(tc, walk_reads_link_target_once);
	tcase_add_test(tc, walk_refuses_nested_node_modules_link_out_of_root);
	suite_add_tcase(s, tc);

	tc = tcase_create("broken");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, walk_warns_on_broken_manifest);
	tcase_add_test(tc, walk_warns_on_non_object_or_missing_manifest);
	tcase_add_test(tc, walk_huge_manifest_refused);
	tcase_add_test(tc, walk_unreadable_dir);
	tcase_add_test(tc, walk_keeps_package_with_bad_dependency_values);
	tcase_add_test(tc, walk_refuses_symlinked_manifest);
	tcase_add_test(tc, walk_read_manifest_rejects_non_objects);
	tcase_add_test(tc, walk_install_name_of_locations);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, walk_stops_at_depth_limit);
	tcase_add_test(tc, walk_stops_at_entry_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixtures");
	tcase_add_test(tc, walk_v3_basic_matches_npm_ls);
	tcase_add_loop_test(tc, walk_matches_npm_ls_on_fixture, 0,
			    (int)(sizeof(fixtures) / sizeof(fixtures[0])));
	tcase_add_test(tc, walk_fixture_workspaces_links_members);
	tcase_add_test(tc, walk_fixture_bundled_marks_bundle);
	tcase_add_test(tc, walk_fixture_v1_reads_npm6_fields);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(walk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
