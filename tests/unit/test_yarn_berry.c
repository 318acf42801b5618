/* yarn berry (2+) lockfile reader. */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json/json.h"
#include "lockfile/lockfile.h"
#include "treecheck.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define FILE_NAME "t/yarn.lock"

/*
 * Parses a lockfile held in a string literal, with the root package.json
 * given as JSON text (or NULL), and resolves it as lockfile_load would.
 */
static int
parse_with(struct tree **out, const char *text, const char *manifest)
{
	char *buf = xstrdup(text), *mbuf = NULL;
	struct json_doc mdoc;
	const struct json_value *m = NULL;
	int err;

	if (manifest) {
		mbuf = xstrdup(manifest);
		ck_assert_int_eq(json_parse(&mdoc, mbuf, strlen(mbuf),
					    "package.json", 0), 0);
		m = mdoc.root;
	}
	err = lockfile_parse_yarn_berry(out, buf, strlen(buf), FILE_NAME, m);
	if (!err)
		tree_resolve(*out);
	else
		ck_assert_ptr_null(*out);
	/* the tree copies what it keeps */
	if (manifest)
		json_doc_release(&mdoc);
	free(mbuf);
	free(buf);
	return err;
}

static int
parse(struct tree **out, const char *text)
{
	return parse_with(out, text, NULL);
}

static void
assert_error(const char *text, int code, const char *msg)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, text), code);
	ck_assert_str_eq(ws_error_last(), msg);
}

#define META "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"

/* ---- the format ---- */

static const char v8_lock[] =
	META
	"\"app@workspace:.\":\n"
	"  version: 0.0.0-use.local\n"
	"  resolution: \"app@workspace:.\"\n"
	"  dependencies:\n"
	"    a: \"npm:^1.0.0\"\n"
	"    b: \"npm:^1.1.0\"\n"
	"  languageName: unknown\n"
	"  linkType: soft\n"
	"\n"
	"\"a@npm:^1.0.0, a@npm:^1.0.1\":\n"
	"  version: 1.0.2\n"
	"  resolution: \"a@npm:1.0.2\"\n"
	"  dependencies:\n"
	"    c: \"npm:^2.0.0\"\n"
	"  checksum: 10c0/aaaa\n"
	"  languageName: node\n"
	"  linkType: hard\n"
	"\n"
	"\"b@npm:^1.1.0\":\n"
	"  version: 1.1.0\n"
	"  resolution: \"b@npm:1.1.0\"\n"
	"  dependencies:\n"
	"    a: \"npm:^1.0.1\"\n"
	"    c: \"npm:^1.0.0\"\n"
	"\n"
	"\"c@npm:^1.0.0\":\n"
	"  version: 1.0.0\n"
	"  resolution: \"c@npm:1.0.0\"\n"
	"\n"
	"\"c@npm:^2.0.0\":\n"
	"  version: 2.0.0\n"
	"  resolution: \"c@npm:2.0.0\"\n";

START_TEST(berry_links_dependencies_by_descriptor)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, v8_lock), 0);
	ck_assert_str_eq(t->format, "yarn berry v8");
	ck_assert(t->synthetic_locations);
	ck_assert_uint_eq(t->nnodes, 5);
	ck_assert(node_at(t, "")->flags & TREE_TARGET);
	ck_assert_str_eq(node_at(t, "")->name, "app");
	assert_path(t, "c@npm:2.0.0", "app@0.0.0-use.local > a@1.0.2 > c@2.0.0");
	assert_path(t, "c@npm:1.0.0", "app@0.0.0-use.local > b@1.1.0 > c@1.0.0");
	/* both descriptors of the key lead to the one entry */
	ck_assert_uint_eq(dep_of(t, "b@npm:1.1.0", "a")->target,
			  tree_find(t, "a@npm:1.0.2", 11));
	ck_assert_str_eq(node_at(t, "a@npm:1.0.2")->version, "1.0.2");
	ck_assert_int_eq(node_at(t, "a@npm:1.0.2")->source,
			 TREE_SOURCE_REGISTRY);
	/* a registry locator says nothing more than name@version */
	ck_assert_ptr_null(node_at(t, "a@npm:1.0.2")->resolved);
	/* yarn's checksum is of its zip archive, not an SRI integrity */
	ck_assert_ptr_null(node_at(t, "a@npm:1.0.2")->integrity);
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(berry_bare_ranges_mean_npm)
{
	struct tree *t;

	/* yarn 2 and 3: "npm:" only in keys (or not even there) */
	ck_assert_int_eq(parse(&t,
		"__metadata:\n  version: 6\n  cacheKey: 8\n"
		"\"app@workspace:.\":\n  version: 0.0.0-use.local\n"
		"  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    a: ^1.0.0\n    wrappy: 1\n    d: 2.0.0\n"
		"\"a@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n"
		"\"wrappy@npm:1\":\n  version: 1.0.2\n  resolution: \"wrappy@npm:1.0.2\"\n"
		"d@2.0.0:\n  version: 2.0.0\n  resolution: \"d@npm:2.0.0\"\n"), 0);
	ck_assert_str_eq(t->format, "yarn berry v6");
	ck_assert_uint_eq(node_at(t, "a@npm:1.0.0")->depth, 1);
	/* a plain `1` is a YAML number: still a range */
	ck_assert_uint_eq(node_at(t, "wrappy@npm:1.0.2")->depth, 1);
	ck_assert_uint_eq(node_at(t, "d@npm:2.0.0")->depth, 1);
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(berry_npm_prefix_is_dropped_for_old_keys)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    a: \"npm:^1.0.0\"\n"
		"a@^1.0.0:\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n"), 0);
	ck_assert_uint_eq(node_at(t, "a@npm:1.0.0")->depth, 1);
	tree_free(t);
}
END_TEST

START_TEST(berry_alias_keeps_real_name)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    x: \"npm:lodash@4.17.15\"\n"
		"    lodash: \"npm:^4.17.21\"\n"
		"\"x@npm:lodash@4.17.15\":\n  version: 4.17.15\n"
		"  resolution: \"lodash@npm:4.17.15\"\n"
		"\"lodash@npm:^4.17.21\":\n  version: 4.17.21\n"
		"  resolution: \"lodash@npm:4.17.21\"\n"), 0);
	n = node_at(t, "lodash@npm:4.17.15");
	ck_assert_str_eq(n->name, "lodash");
	ck_assert_str_eq(n->alias, "x");
	ck_assert_str_eq(n->version, "4.17.15");
	ck_assert_uint_eq(n->depth, 1);
	ck_assert_ptr_null(node_at(t, "lodash@npm:4.17.21")->alias);
	ck_assert_str_eq(dep_of(t, "", "x")->name, "x");
	tree_free(t);
}
END_TEST

START_TEST(berry_alias_shared_with_real_name_is_no_alias)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    x: \"npm:lodash@4.17.15\"\n"
		"    lodash: \"npm:4.17.15\"\n"
		"\"lodash@npm:4.17.15, x@npm:lodash@4.17.15\":\n"
		"  version: 4.17.15\n  resolution: \"lodash@npm:4.17.15\"\n"), 0);
	ck_assert_ptr_null(node_at(t, "lodash@npm:4.17.15")->alias);
	ck_assert_uint_eq(dep_of(t, "", "x")->target,
			  dep_of(t, "", "lodash")->target);
	tree_free(t);
}
END_TEST

START_TEST(berry_scoped_names)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    \"@s/a\": \"npm:^1.0.0\"\n"
		"    \"@s/x\": \"npm:@s/b@^2\"\n"
		"\"@s/a@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"@s/a@npm:1.0.0\"\n"
		"\"@s/x@npm:@s/b@^2\":\n  version: 2.0.0\n  resolution: \"@s/b@npm:2.0.0\"\n"), 0);
	ck_assert_str_eq(node_at(t, "@s/a@npm:1.0.0")->name, "@s/a");
	ck_assert_str_eq(node_at(t, "@s/b@npm:2.0.0")->name, "@s/b");
	ck_assert_str_eq(node_at(t, "@s/b@npm:2.0.0")->alias, "@s/x");
	ck_assert_uint_eq(node_at(t, "@s/b@npm:2.0.0")->depth, 1);
	tree_free(t);
}
END_TEST

START_TEST(berry_missing_dependency_is_a_warning)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    gone: \"npm:^1.0.0\"\n    opt: \"npm:^1.0.0\"\n"
		"  dependenciesMeta:\n    opt:\n      optional: true\n"), 0);
	ck_assert_uint_eq(t->nwarnings, 1);
	ck_assert_ptr_nonnull(strstr(t->warnings[0], "\"gone\""));
	ck_assert_int_eq(dep_of(t, "", "opt")->kind, TREE_DEP_OPTIONAL);
	tree_free(t);
}
END_TEST

START_TEST(berry_sources_follow_the_protocol)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n"
		"    g: \"https://git.example/g.git#commit=abc\"\n"
		"    u: \"https://cdn.example/u-1.0.0.tgz\"\n"
		"    f: \"file:./f\"\n"
		"    l: \"link:./l\"\n"
		"    p: \"portal:./p\"\n"
		"    r: \"npm:^1.0.0\"\n"
		"\"g@https://git.example/g.git#commit=abc\":\n  version: 1.0.0\n"
		"  resolution: \"g@https://git.example/g.git#commit=abc\"\n"
		"\"u@https://cdn.example/u-1.0.0.tgz\":\n  version: 1.0.0\n"
		"  resolution: \"u@https://cdn.example/u-1.0.0.tgz\"\n"
		"\"f@file:./f::locator=app%40workspace%3A.\":\n  version: 1.0.0\n"
		"  resolution: \"f@file:./f#./f::hash=1&locator=app%40workspace%3A.\"\n"
		"\"l@link:./l::locator=app%40workspace%3A.\":\n  version: 0.0.0-use.local\n"
		"  resolution: \"l@link:./l::locator=app%40workspace%3A.\"\n"
		"\"p@portal:./p::locator=app%40workspace%3A.\":\n  version: 0.0.0-use.local\n"
		"  resolution: \"p@portal:./p::locator=app%40workspace%3A.\"\n"
		"\"r@npm:^1.0.0\":\n  version: 1.0.0\n"
		"  resolution: \"r@npm:1.0.0::__archiveUrl=https%3A%2F%2Fnpm.example%2Fr%2F-%2Fr-1.0.0.tgz\"\n"),
		0);
	ck_assert_uint_eq(t->nwarnings, 0);
	n = node_at(t, "g@https://git.example/g.git#commit=abc");
	ck_assert_int_eq(n->source, TREE_SOURCE_GIT);
	ck_assert_uint_eq(n->depth, 1);
	n = node_at(t, "u@https://cdn.example/u-1.0.0.tgz");
	ck_assert_int_eq(n->source, TREE_SOURCE_TARBALL);
	ck_assert_str_eq(n->resolved, "https://cdn.example/u-1.0.0.tgz");
	n = node_at(t, "f@file:./f#./f::hash=1&locator=app%40workspace%3A.");
	ck_assert_int_eq(n->source, TREE_SOURCE_FILE);
	/* found through the binding to its parent */
	ck_assert_uint_eq(n->depth, 1);
	ck_assert_int_eq(node_at(t, "l@link:./l::locator=app%40workspace%3A.")->source,
			 TREE_SOURCE_LINK);
	ck_assert_int_eq(node_at(t, "p@portal:./p::locator=app%40workspace%3A.")->source,
			 TREE_SOURCE_LINK);
	n = node_at(t, "r@npm:1.0.0::__archiveUrl=https%3A%2F%2Fnpm.example%2Fr%2F-%2Fr-1.0.0.tgz");
	ck_assert_int_eq(n->source, TREE_SOURCE_REGISTRY);
	ck_assert_str_eq(n->resolved, "https://npm.example/r/-/r-1.0.0.tgz");
	ck_assert_str_eq(n->version, "1.0.0");
	tree_free(t);
}
END_TEST

START_TEST(berry_version_falls_back_to_the_locator)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    a: \"npm:^1\"\n"
		"\"a@npm:^1\":\n  resolution: \"a@npm:1.2.3\"\n"), 0);
	ck_assert_str_eq(node_at(t, "a@npm:1.2.3")->version, "1.2.3");
	tree_free(t);
	/* found by the fuzzer: "::" overlapping the protocol's colon */
	ck_assert_int_eq(parse(&t,
		META "\"r@npm:1\":\n  resolution: \"r@npm:::01.0.__archiveUal=h.tgz\"\n"),
		0);
	ck_assert_str_eq(node_at(t, "r@npm:::01.0.__archiveUal=h.tgz")->version,
			 "");
	tree_free(t);
}
END_TEST

START_TEST(berry_peers_are_edges_left_to_the_parent)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    plugin: \"npm:^1\"\n    host: \"npm:^2\"\n"
		"\"plugin@npm:^1\":\n  version: 1.0.0\n  resolution: \"plugin@npm:1.0.0\"\n"
		"  peerDependencies:\n    host: ^2.0.0\n    other: \"*\"\n"
		"  peerDependenciesMeta:\n    other:\n      optional: true\n"
		"\"host@npm:^2\":\n  version: 2.0.0\n  resolution: \"host@npm:2.0.0\"\n"), 0);
	ck_assert_int_eq(dep_of(t, "plugin@npm:1.0.0", "host")->kind,
			 TREE_DEP_PEER);
	ck_assert_int_eq(dep_of(t, "plugin@npm:1.0.0", "other")->kind,
			 TREE_DEP_PEER_OPTIONAL);
	ck_assert_uint_eq(t->nwarnings, 0);
	ck_assert_uint_eq(node_at(t, "host@npm:2.0.0")->depth, 1);
	tree_free(t);
}
END_TEST

START_TEST(berry_yaml_duplicate_dependency_gets_one_edge)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    a: \"npm:^1\"\n    a: \"npm:^2\"\n"
		"\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n"), 0);
	ck_assert_uint_eq(node_at(t, "")->ndeps, 1);
	tree_free(t);
}
END_TEST

/* ---- workspaces and flags ---- */

static const char ws_lock[] =
	META
	"\"@m/a@workspace:packages/a\":\n"
	"  version: 0.0.0-use.local\n"
	"  resolution: \"@m/a@workspace:packages/a\"\n"
	"  dependencies:\n"
	"    \"@m/b\": \"workspace:^\"\n"
	"    x: \"npm:lodash@4.17.15\"\n"
	"  languageName: unknown\n"
	"  linkType: soft\n"
	"\n"
	"\"@m/b@workspace:^, @m/b@workspace:packages/b\":\n"
	"  version: 0.0.0-use.local\n"
	"  resolution: \"@m/b@workspace:packages/b\"\n"
	"  dependencies:\n"
	"    ms: \"npm:^2.0.0\"\n"
	"\n"
	"\"root@workspace:.\":\n"
	"  version: 0.0.0-use.local\n"
	"  resolution: \"root@workspace:.\"\n"
	"  dependencies:\n"
	"    once: \"npm:^1.4.0\"\n"
	"    ms: \"npm:^2.1.3\"\n"
	"    is-number: \"npm:^7.0.0\"\n"
	"  dependenciesMeta:\n"
	"    is-number:\n"
	"      optional: true\n"
	"\n"
	"\"is-number@npm:^7.0.0\":\n  version: 7.0.0\n  resolution: \"is-number@npm:7.0.0\"\n"
	"\"ms@npm:^2.0.0, ms@npm:^2.1.3\":\n  version: 2.1.3\n  resolution: \"ms@npm:2.1.3\"\n"
	"\"once@npm:^1.4.0\":\n  version: 1.4.0\n  resolution: \"once@npm:1.4.0\"\n"
	"  dependencies:\n    wrappy: \"npm:1\"\n"
	"\"wrappy@npm:1\":\n  version: 1.0.2\n  resolution: \"wrappy@npm:1.0.2\"\n"
	"\"x@npm:lodash@4.17.15\":\n  version: 4.17.15\n  resolution: \"lodash@npm:4.17.15\"\n";

START_TEST(berry_workspaces_are_targets)
{
	struct tree *t;
	const struct tree_node *a;

	ck_assert_int_eq(parse(&t, ws_lock), 0);
	a = node_at(t, "packages/a");
	ck_assert(a->flags & TREE_TARGET);
	ck_assert_int_eq(a->source, TREE_SOURCE_WORKSPACE);
	ck_assert_str_eq(a->name, "@m/a");
	ck_assert(!tree_node_is_package(a));
	ck_assert(node_at(t, "packages/b")->flags & TREE_TARGET);
	ck_assert(node_at(t, "")->flags & TREE_TARGET);
	/* workspace:^ resolves to the member */
	ck_assert_uint_eq(dep_of(t, "packages/a", "@m/b")->target,
			  tree_find(t, "packages/b", 10));
	ck_assert_ptr_null(node_at(t, "packages/b")->alias);
	ck_assert_uint_eq(node_at(t, "lodash@npm:4.17.15")->target,
			  tree_find(t, "packages/a", 10));
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(berry_dev_comes_from_the_root_manifest)
{
	struct tree *t;

	ck_assert_int_eq(parse_with(&t, ws_lock,
		"{\"name\":\"root\",\"version\":\"1.2.0\","
		"\"dependencies\":{\"ms\":\"^2.1.3\"},"
		"\"devDependencies\":{\"once\":\"^1.4.0\"},"
		"\"optionalDependencies\":{\"is-number\":\"^7.0.0\"}}"), 0);
	ck_assert_int_eq(dep_of(t, "", "once")->kind, TREE_DEP_DEV);
	ck_assert_int_eq(dep_of(t, "", "ms")->kind, TREE_DEP_PROD);
	ck_assert_int_eq(dep_of(t, "", "is-number")->kind, TREE_DEP_OPTIONAL);
	ck_assert(node_at(t, "once@npm:1.4.0")->flags & TREE_DEV);
	ck_assert(node_at(t, "wrappy@npm:1.0.2")->flags & TREE_DEV);
	ck_assert(!(node_at(t, "ms@npm:2.1.3")->flags & (TREE_DEV | TREE_OPTIONAL)));
	ck_assert(node_at(t, "is-number@npm:7.0.0")->flags & TREE_OPTIONAL);
	/* the manifest's version, not yarn's placeholder */
	ck_assert_str_eq(node_at(t, "")->version, "1.2.0");
	tree_free(t);
}
END_TEST

START_TEST(berry_without_manifest_nothing_is_dev)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, ws_lock), 0);
	ck_assert_int_eq(dep_of(t, "", "once")->kind, TREE_DEP_PROD);
	ck_assert(!(node_at(t, "once@npm:1.4.0")->flags & TREE_DEV));
	ck_assert(node_at(t, "is-number@npm:7.0.0")->flags & TREE_OPTIONAL);
	tree_free(t);
}
END_TEST

START_TEST(berry_root_from_manifest_when_missing)
{
	struct tree *t;

	ck_assert_int_eq(parse_with(&t,
		META
		"\"a@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n"
		"\"d@npm:^2.0.0\":\n  version: 2.0.0\n  resolution: \"d@npm:2.0.0\"\n",
		"{\"name\":\"app\",\"dependencies\":{\"a\":\"^1.0.0\"},"
		"\"devDependencies\":{\"d\":\"^2.0.0\"}}"), 0);
	ck_assert_str_eq(node_at(t, "")->name, "app");
	ck_assert_uint_eq(node_at(t, "a@npm:1.0.0")->depth, 1);
	ck_assert(node_at(t, "d@npm:2.0.0")->flags & TREE_DEV);
	tree_free(t);
}
END_TEST

START_TEST(berry_root_without_manifest_leaves_packages_extraneous)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"a@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n"), 0);
	ck_assert_str_eq(node_at(t, "")->name, "(root)");
	ck_assert(node_at(t, "a@npm:1.0.0")->flags & TREE_EXTRANEOUS);
	tree_free(t);
}
END_TEST

/* ---- patch: ---- */

static const char patch_lock[] =
	META
	"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
	"  dependencies:\n    resolve: \"npm:^1.22.8\"\n"
	"\"path-parse@npm:^1.0.7\":\n  version: 1.0.7\n  resolution: \"path-parse@npm:1.0.7\"\n"
	"\"resolve@npm:^1.22.8\":\n"
	"  version: 1.22.8\n"
	"  resolution: \"resolve@npm:1.22.8\"\n"
	"  dependencies:\n    path-parse: \"npm:^1.0.7\"\n"
	"\"resolve@patch:resolve@npm%3A^1.22.8#optional!builtin<compat/resolve>\":\n"
	"  version: 1.22.8\n"
	"  resolution: \"resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d\"\n"
	"  dependencies:\n    path-parse: \"npm:^1.0.7\"\n";

#define PATCH_LOC "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d"

START_TEST(berry_builtin_patch_replaces_its_base)
{
	struct tree *t;
	const struct tree_node *p;
	uint32_t pi;

	ck_assert_int_eq(parse(&t, patch_lock), 0);
	pi = tree_find(t, PATCH_LOC, strlen(PATCH_LOC));
	ck_assert_uint_ne(pi, TREE_NONE);
	p = &t->nodes[pi];
	ck_assert_str_eq(p->name, "resolve");
	ck_assert_str_eq(p->version, "1.22.8");
	ck_assert_str_eq(p->resolved, PATCH_LOC);
	ck_assert_int_eq(p->source, TREE_SOURCE_REGISTRY);
	/* the dependent gets the patched package, as yarn installs it */
	ck_assert_uint_eq(dep_of(t, "", "resolve")->target, pi);
	/* and the patch stands on its base */
	ck_assert_uint_eq(t->deps[p->deps].target,
			  tree_find(t, "resolve@npm:1.22.8", 18));
	assert_path(t, "resolve@npm:1.22.8",
		    "app@ > resolve@1.22.8 > resolve@1.22.8");
	ck_assert(!(node_at(t, "resolve@npm:1.22.8")->flags & TREE_EXTRANEOUS));
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(berry_patch_and_base_are_one_package)
{
	struct tree *t;
	struct tree_inv inv;
	size_t i, n = 0;

	ck_assert_int_eq(parse(&t, patch_lock), 0);
	tree_inv_init(&inv);
	tree_inv_add(&inv, t);
	tree_inv_index(&inv);
	for (i = 0; i < inv.npkgs; i++) {
		if (strcmp(inv.pkgs[i].name, "resolve") != 0)
			continue;
		n++;
		ck_assert_str_eq(inv.pkgs[i].version, "1.22.8");
		ck_assert_uint_eq(inv.pkgs[i].nlocs, 2);
	}
	ck_assert_uint_eq(n, 1);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(berry_yarn3_patch_key_has_a_bare_range)
{
	struct tree *t;
	const char *loc = "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=07638b";

	ck_assert_int_eq(parse(&t,
		"__metadata:\n  version: 6\n"
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    resolve: ^1.20.0\n"
		"\"resolve@npm:^1.20.0\":\n  version: 1.22.1\n  resolution: \"resolve@npm:1.22.1\"\n"
		"\"resolve@patch:resolve@^1.20.0#~builtin<compat/resolve>\":\n"
		"  version: 1.22.1\n"
		"  resolution: \"resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=07638b\"\n"),
		0);
	ck_assert_uint_eq(dep_of(t, "", "resolve")->target,
			  tree_find(t, loc, strlen(loc)));
	tree_free(t);
}
END_TEST

START_TEST(berry_user_patch_applies_only_where_declared)
{
	struct tree *t;
	const char *loc = "a@patch:a@npm%3A1.0.0#./a.patch::version=1.0.0&hash=1&locator=app%40workspace%3A.";

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    a: \"patch:a@npm%3A1.0.0#./a.patch\"\n    b: \"npm:1.0.0\"\n"
		"\"b@npm:1.0.0\":\n  version: 1.0.0\n  resolution: \"b@npm:1.0.0\"\n"
		"  dependencies:\n    a: \"npm:1.0.0\"\n"
		"\"a@npm:1.0.0\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n"
		"\"a@patch:a@npm%3A1.0.0#./a.patch::locator=app%40workspace%3A.\":\n"
		"  version: 1.0.0\n"
		"  resolution: \"a@patch:a@npm%3A1.0.0#./a.patch::version=1.0.0&hash=1&locator=app%40workspace%3A.\"\n"),
		0);
	ck_assert_uint_eq(dep_of(t, "", "a")->target,
			  tree_find(t, loc, strlen(loc)));
	ck_assert_uint_eq(dep_of(t, "b@npm:1.0.0", "a")->target,
			  tree_find(t, "a@npm:1.0.0", 11));
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

/* ---- bad input ---- */

START_TEST(unsupported_version_names_supported_ones)
{
	assert_error("__metadata:\n  version: 3\n", WS_EUNSUPPORTED,
		     FILE_NAME ":2:12: yarn lockfile version 3 is not supported (wormsign reads versions 4 to 10)");
	assert_error("__metadata:\n  version: 11\n", WS_EUNSUPPORTED,
		     FILE_NAME ":2:12: yarn lockfile version 11 is not supported (wormsign reads versions 4 to 10)");
	assert_error("__metadata:\n  version: x\n", WS_EUNSUPPORTED,
		     FILE_NAME ":2:12: yarn lockfile version x is not supported (wormsign reads versions 4 to 10)");
}
END_TEST

START_TEST(metadata_is_required)
{
	assert_error("a: 1\n", WS_EPARSE,
		     FILE_NAME ":1:1: no \"__metadata\" mapping: not a yarn berry lockfile");
	assert_error("__metadata:\n  cacheKey: 8\n", WS_EPARSE,
		     FILE_NAME ":2:3: \"__metadata\" has no \"version\"");
	assert_error("- a\n", WS_EPARSE,
		     FILE_NAME ":1:1: expected a mapping at the top, not array");
}
END_TEST

START_TEST(malformed_yaml_gives_line_and_column)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, META "\"a@npm:1\":\n  version: \"1.0.0\n"),
			 WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), FILE_NAME ":"));
	ck_assert_int_eq(parse(&t, ""), WS_EPARSE);
	ck_assert_int_eq(parse(&t, META "a: &x 1\nb: *x\n"), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "aliases"));
}
END_TEST

START_TEST(entries_need_a_resolution)
{
	assert_error(META "\"a@npm:^1\":\n  version: 1.0.0\n", WS_EPARSE,
		     FILE_NAME ":6:3: entry \"a@npm:^1\" has no \"resolution\"");
	assert_error(META "\"a@npm:^1\": 7\n", WS_EPARSE,
		     FILE_NAME ":5:13: entry \"a@npm:^1\" must be a mapping, not number");
	assert_error(META "\"a@npm:^1\":\n  resolution: [1]\n", WS_EPARSE,
		     FILE_NAME ":6:15: \"resolution\" must be a string, not array");
	assert_error(META "\"a@npm:^1\":\n  resolution: \"a@npm:1\"\n  version: {}\n",
		     WS_EPARSE,
		     FILE_NAME ":7:12: \"version\" must be a string, not object");
}
END_TEST

START_TEST(bad_locators_and_descriptors_are_rejected)
{
	assert_error(META "\"a@npm:^1\":\n  resolution: \"nope\"\n", WS_EPARSE,
		     FILE_NAME ":6:15: bad locator \"nope\"");
	assert_error(META "\"a@npm:^1\":\n  resolution: \"../x@npm:1\"\n",
		     WS_EPARSE, FILE_NAME ":6:15: bad locator \"../x@npm:1\"");
	assert_error(META "\"a@npm:^1, b\":\n  resolution: \"a@npm:1\"\n",
		     WS_EPARSE, FILE_NAME ":6:3: bad descriptor \"b\"");
	assert_error(META "\"a@npm:^1,\":\n  resolution: \"a@npm:1\"\n",
		     WS_EPARSE, FILE_NAME ":6:3: bad descriptor \"\"");
	assert_error(META "\"a@\":\n  resolution: \"a@npm:1\"\n",
		     WS_EPARSE, FILE_NAME ":6:3: bad descriptor \"a@\"");
	assert_error(META "\"@s/@npm:1\":\n  resolution: \"a@npm:1\"\n",
		     WS_EPARSE, FILE_NAME ":6:3: bad descriptor \"@s/@npm:1\"");
	assert_error(META "\"a@npm:1\":\n  resolution: \"@s/a/b@npm:1\"\n",
		     WS_EPARSE, FILE_NAME ":6:15: bad locator \"@s/a/b@npm:1\"");
}
END_TEST

START_TEST(duplicates_are_rejected)
{
	assert_error(META
		     "\"a@npm:^1\":\n  resolution: \"a@npm:1.0.0\"\n"
		     "\"a@npm:^1, a@npm:1\":\n  resolution: \"a@npm:1.0.1\"\n",
		     WS_EPARSE,
		     FILE_NAME ":8:3: descriptor \"a@npm:^1\" appears in two entries");
	assert_error(META
		     "\"a@npm:^1\":\n  resolution: \"a@npm:1.0.0\"\n"
		     "\"a@npm:1\":\n  resolution: \"a@npm:1.0.0\"\n",
		     WS_EPARSE,
		     FILE_NAME ":8:15: resolution \"a@npm:1.0.0\" appears twice");
	assert_error(META
		     "\"a@workspace:.\":\n  resolution: \"a@workspace:.\"\n"
		     "\"b@workspace:./\":\n  resolution: \"b@workspace:./\"\n",
		     WS_EPARSE, FILE_NAME ":8:3: workspace \".\" appears twice");
}
END_TEST

START_TEST(workspace_paths_stay_inside)
{
	assert_error(META "\"a@workspace:../x\":\n  resolution: \"a@workspace:../x\"\n",
		     WS_EPARSE, FILE_NAME ":6:3: bad workspace path \"../x\"");
	assert_error(META "\"a@workspace:/etc\":\n  resolution: \"a@workspace:/etc\"\n",
		     WS_EPARSE, FILE_NAME ":6:3: bad workspace path \"/etc\"");
	assert_error(META "\"a@workspace:p/../../x\":\n  resolution: \"a@workspace:p/../../x\"\n",
		     WS_EPARSE, FILE_NAME ":6:3: bad workspace path \"p/../../x\"");
	assert_error(META "\"a@workspace:\":\n  resolution: \"a@workspace:\"\n",
		     WS_EPARSE, FILE_NAME ":6:3: bad workspace path \"\"");
}
END_TEST

START_TEST(dependency_sections_are_checked)
{
	assert_error(META "\"a@npm:^1\":\n  resolution: \"a@npm:1\"\n  dependencies: [b]\n",
		     WS_EPARSE,
		     FILE_NAME ":7:17: \"dependencies\" must be a mapping, not array");
	assert_error(META "\"a@npm:^1\":\n  resolution: \"a@npm:1\"\n  dependencies:\n    b: {}\n",
		     WS_EPARSE,
		     FILE_NAME ":8:8: \"b\" in \"dependencies\" must be a string, not object");
	assert_error(META "\"a@npm:^1\":\n  resolution: \"a@npm:1\"\n  peerDependencies:\n    \"..\": \"*\"\n",
		     WS_EPARSE,
		     FILE_NAME ":8:11: bad package name \"..\" in \"peerDependencies\"");
	assert_error(META "\"a@npm:^1\":\n  resolution: \"a@npm:1\"\n  dependenciesMeta: true\n",
		     WS_EPARSE,
		     FILE_NAME ":7:21: \"dependenciesMeta\" must be a mapping, not true");
	assert_error(META "\"a@patch:a@npm%3A1#x\":\n  resolution: \"a@patch:b@npm%3A1#x\"\n",
		     WS_EPARSE,
		     FILE_NAME ":6:15: patch \"a@patch:b@npm%3A1#x\" does not name the package it patches");
}
END_TEST

START_TEST(long_descriptors_hit_a_limit)
{
	struct strbuf sb;
	struct tree *t;
	size_t i;

	strbuf_init(&sb, 1u << 20);
	/* YAML keys stop at 1024 characters: a long locator instead */
	strbuf_addstr(&sb, META "\"a@npm:1\":\n  resolution: \"a@npm:");
	for (i = 0; i < 9000; i++)
		strbuf_addch(&sb, '1');
	strbuf_addstr(&sb, "\"\n");
	ck_assert_int_eq(parse(&t, sb.buf), WS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "longer than"));
	strbuf_release(&sb);
}
END_TEST

START_TEST(dependency_cycle_terminates)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		META
		"\"app@workspace:.\":\n  resolution: \"app@workspace:.\"\n"
		"  dependencies:\n    a: \"npm:1\"\n"
		"\"a@npm:1\":\n  resolution: \"a@npm:1.0.0\"\n  dependencies:\n    b: \"npm:1\"\n"
		"\"b@npm:1\":\n  resolution: \"b@npm:1.0.0\"\n  dependencies:\n    a: \"npm:1\"\n    b: \"npm:1\"\n"),
		0);
	ck_assert_uint_eq(node_at(t, "b@npm:1.0.0")->depth, 2);
	tree_free(t);
}
END_TEST

/* ---- real lockfiles made by yarn 2, 3 and 4 ---- */

static struct tree *
load_case(const char *case_name)
{
	char path[1024];
	struct tree *t;
	int err;

	snprintf(path, sizeof(path), "%s/yarn-berry/%s/yarn.lock", TEST_DATA,
		 case_name);
	err = lockfile_load(&t, path);
	ck_assert_msg(err == 0, "%s: %s", path, ws_error_last());
	return t;
}

static void
check_expected(const char *case_name)
{
	check_lockfile_expected("yarn-berry", case_name, "yarn.lock", 1);
}

START_TEST(real_basic) { check_expected("basic"); }
END_TEST
START_TEST(real_workspaces) { check_expected("workspaces"); }
END_TEST
START_TEST(real_yarn3) { check_expected("yarn3"); }
END_TEST
START_TEST(real_yarn2) { check_expected("yarn2"); }
END_TEST

START_TEST(real_basic_flags_and_sources)
{
	struct tree *t = load_case("basic");
	const struct tree_node *n;

	ck_assert_str_eq(t->format, "yarn berry v10");
	ck_assert(node_at(t, "once@npm:1.4.0")->flags & TREE_DEV);
	ck_assert(node_at(t, "is-number@npm:7.0.0")->flags & TREE_OPTIONAL);
	ck_assert(!(node_at(t, "is-number@npm:6.0.0")->flags & TREE_OPTIONAL));
	ck_assert(!(node_at(t, "chalk@npm:2.4.2")->flags & (TREE_DEV | TREE_OPTIONAL)));
	/* wrappy: dev through once, but local-pkg needs it too */
	ck_assert(!(node_at(t, "wrappy@npm:1.0.2")->flags & TREE_DEV));
	n = node_at(t, "local-pkg@file:./vendor/local-pkg#./vendor/local-pkg::hash=158a1f&locator=berry-basic%40workspace%3A.");
	ck_assert_int_eq(n->source, TREE_SOURCE_FILE);
	ck_assert_uint_eq(n->depth, 1);
	n = node_at(t, "is-odd@https://registry.npm.test/is-odd/-/is-odd-3.0.1.tgz");
	ck_assert_str_eq(n->resolved,
			 "https://registry.npm.test/is-odd/-/is-odd-3.0.1.tgz");
	assert_path(t, "has-flag@npm:3.0.0",
		    "berry-basic@1.0.0 > chalk@2.4.2 > supports-color@5.5.0 > has-flag@3.0.0");
	tree_free(t);
}
END_TEST

START_TEST(real_workspaces_members_alias_patch)
{
	struct tree *t = load_case("workspaces");
	const struct tree_node *n;
	const char *patch = "resolve@patch:resolve@npm%3A1.22.14#optional!builtin<compat/resolve>::version=1.22.14&hash=9bd1a5";

	ck_assert(node_at(t, "packages/a")->flags & TREE_TARGET);
	ck_assert(node_at(t, "packages/b")->flags & TREE_TARGET);
	ck_assert_str_eq(node_at(t, "packages/a")->version, "0.1.0");
	ck_assert_str_eq(node_at(t, "")->version, "1.0.0");
	n = node_at(t, "lodash@npm:4.17.15");
	ck_assert_str_eq(n->alias, "x");
	assert_path(t, "lodash@npm:4.17.15", "@mono/a@0.1.0 > lodash@4.17.15");
	ck_assert_uint_eq(dep_of(t, "packages/a", "@mono/b")->target,
			  tree_find(t, "packages/b", 10));
	ck_assert_uint_eq(dep_of(t, "packages/b", "resolve")->target,
			  tree_find(t, patch, strlen(patch)));
	ck_assert_str_eq(node_at(t, patch)->resolved, patch);
	/* dev of a member, from packages/b/package.json */
	ck_assert_int_eq(dep_of(t, "packages/b", "is-number")->kind,
			 TREE_DEP_DEV);
	ck_assert(node_at(t, "is-number@npm:7.0.0")->flags & TREE_DEV);
	/* dev of the root, from the root package.json */
	ck_assert(node_at(t, "once@npm:1.4.0")->flags & TREE_DEV);
	ck_assert(!(node_at(t, "ms@npm:2.1.3")->flags & TREE_DEV));
	tree_free(t);
}
END_TEST

START_TEST(real_yarn3_bare_ranges_link)
{
	struct tree *t = load_case("yarn3");

	ck_assert_str_eq(t->format, "yarn berry v6");
	ck_assert(node_at(t, "is-number@npm:7.0.0")->flags & TREE_DEV);
	assert_path(t, "lodash@npm:4.17.15", "@mono/a@0.1.0 > lodash@4.17.15");
	tree_free(t);
}
END_TEST

/*
 * A member directory that is a symlink is not followed; a broken
 * package.json is a warning, a missing one is not.
 */
START_TEST(member_symlink_is_not_followed_broken_manifest_warns)
{
	char dir[1024], path[1200];
	const char *tmp = getenv("TMPDIR");
	struct tree *t;
	FILE *fp;
	size_t i;
	int found = 0;

	snprintf(dir, sizeof(dir), "%s/berry-symlink-%ld", tmp ? tmp : "/tmp",
		 (long)getpid());
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/packages", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/outside", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/outside/package.json", dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("{\"version\":\"6.6.6\",\"devDependencies\":{\"a\":\"1\"}}", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/packages/m", dir);
	ck_assert_int_eq(symlink("../outside", path), 0);
	snprintf(path, sizeof(path), "%s/packages/n", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/packages/n/package.json", dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("{\"version\":", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/yarn.lock", dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(META
	      "\"r@workspace:.\":\n  resolution: \"r@workspace:.\"\n"
	      "\"m@workspace:packages/m\":\n  version: 0.0.0-use.local\n"
	      "  resolution: \"m@workspace:packages/m\"\n"
	      "  dependencies:\n    a: \"npm:1\"\n"
	      "\"n@workspace:packages/n\":\n  resolution: \"n@workspace:packages/n\"\n"
	      "\"o@workspace:packages/o\":\n  resolution: \"o@workspace:packages/o\"\n"
	      "\"a@npm:1\":\n  resolution: \"a@npm:1.0.0\"\n", fp);
	fclose(fp);
	ck_assert_int_eq(lockfile_load(&t, path), 0);
	ck_assert_str_eq(node_at(t, "packages/m")->version, "0.0.0-use.local");
	ck_assert_int_eq(dep_of(t, "packages/m", "a")->kind, TREE_DEP_PROD);
	for (i = 0; i < t->nwarnings; i++) {
		if (strstr(t->warnings[i], "\"packages/m\"") &&
		    strstr(t->warnings[i], "not followed"))
			found |= 1;
		if (strstr(t->warnings[i], "\"packages/n\""))
			found |= 2;
	}
	/* the broken one is named, the missing one (packages/o) is not */
	ck_assert_int_eq(found, 3);
	ck_assert_uint_eq(t->nwarnings, 2);
	tree_free(t);
	unlink(path);
	snprintf(path, sizeof(path), "%s/packages/n/package.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/packages/n", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/packages/m", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/outside/package.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/outside", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/packages", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

START_TEST(load_dispatches_berry_by_content)
{
	struct tree *t;
	char *buf = xstrdup(META "\"a@npm:^1\":\n  resolution: \"a@npm:1.0.0\"\n");

	ck_assert_int_eq(lockfile_parse_yarn(&t, buf, strlen(buf), FILE_NAME,
					     NULL), 0);
	ck_assert_str_eq(t->format, "yarn berry v8");
	tree_free(t);
	free(buf);
}
END_TEST

static Suite *
yarn_berry_suite(void)
{
	Suite *s = suite_create("yarn_berry");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, berry_links_dependencies_by_descriptor);
	tcase_add_test(tc, berry_bare_ranges_mean_npm);
	tcase_add_test(tc, berry_npm_prefix_is_dropped_for_old_keys);
	tcase_add_test(tc, berry_alias_keeps_real_name);
	tcase_add_test(tc, berry_alias_shared_with_real_name_is_no_alias);
	tcase_add_test(tc, berry_scoped_names);
	tcase_add_test(tc, berry_missing_dependency_is_a_warning);
	tcase_add_test(tc, berry_sources_follow_the_protocol);
	tcase_add_test(tc, berry_version_falls_back_to_the_locator);
	tcase_add_test(tc, berry_peers_are_edges_left_to_the_parent);
	tcase_add_test(tc, berry_yaml_duplicate_dependency_gets_one_edge);
	tcase_add_test(tc, load_dispatches_berry_by_content);
	suite_add_tcase(s, tc);

	tc = tcase_create("workspaces");
	tcase_add_test(tc, berry_workspaces_are_targets);
	tcase_add_test(tc, berry_dev_comes_from_the_root_manifest);
	tcase_add_test(tc, berry_without_manifest_nothing_is_dev);
	tcase_add_test(tc, berry_root_from_manifest_when_missing);
	tcase_add_test(tc, berry_root_without_manifest_leaves_packages_extraneous);
	tcase_add_test(tc, member_symlink_is_not_followed_broken_manifest_warns);
	suite_add_tcase(s, tc);

	tc = tcase_create("patch");
	tcase_add_test(tc, berry_builtin_patch_replaces_its_base);
	tcase_add_test(tc, berry_patch_and_base_are_one_package);
	tcase_add_test(tc, berry_yarn3_patch_key_has_a_bare_range);
	tcase_add_test(tc, berry_user_patch_applies_only_where_declared);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_input");
	tcase_add_test(tc, unsupported_version_names_supported_ones);
	tcase_add_test(tc, metadata_is_required);
	tcase_add_test(tc, malformed_yaml_gives_line_and_column);
	tcase_add_test(tc, entries_need_a_resolution);
	tcase_add_test(tc, bad_locators_and_descriptors_are_rejected);
	tcase_add_test(tc, duplicates_are_rejected);
	tcase_add_test(tc, workspace_paths_stay_inside);
	tcase_add_test(tc, dependency_sections_are_checked);
	tcase_add_test(tc, long_descriptors_hit_a_limit);
	tcase_add_test(tc, dependency_cycle_terminates);
	suite_add_tcase(s, tc);

	tc = tcase_create("real");
	tcase_add_test(tc, real_basic);
	tcase_add_test(tc, real_workspaces);
	tcase_add_test(tc, real_yarn3);
	tcase_add_test(tc, real_yarn2);
	tcase_add_test(tc, real_basic_flags_and_sources);
	tcase_add_test(tc, real_workspaces_members_alias_patch);
	tcase_add_test(tc, real_yarn3_bare_ranges_link);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(yarn_berry_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
