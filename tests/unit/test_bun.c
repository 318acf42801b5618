/* bun.lock reader: lockfileVersion 0, 1 and 2. */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockfile/lockfile.h"
#include "treecheck.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/*
 * Parses a lockfile written with ' for " (the fixtures stay readable) and
 * resolves it. manifest, when not NULL, is the project's package.json,
 * written the same way.
 */
static int
parse_with(struct tree **out, const char *text, const char *manifest_text)
{
	char *buf = xstrdup(text), *mbuf = NULL, *p;
	struct json_doc mdoc;
	const struct json_value *manifest = NULL;
	int err;

	memset(&mdoc, 0, sizeof(mdoc));
	for (p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	if (manifest_text) {
		mbuf = xstrdup(manifest_text);
		for (p = mbuf; *p; p++)
			if (*p == '\'')
				*p = '"';
		ck_assert_int_eq(json_parse(&mdoc, mbuf, strlen(mbuf),
					    "t/package.json", 0), 0);
		manifest = mdoc.root;
	}
	err = lockfile_parse_bun(out, buf, strlen(buf), "t/bun.lock", manifest);
	if (!err)
		tree_resolve(*out);
	else
		ck_assert_ptr_null(*out);
	json_doc_release(&mdoc);
	free(mbuf);
	/* the tree copies what it keeps, so the buffer can go now */
	memset(buf, 'X', strlen(buf));
	free(buf);
	return err;
}

static int
parse(struct tree **out, const char *text)
{
	return parse_with(out, text, NULL);
}

static int
expect_error(const char *text, int code, const char *message)
{
	struct tree *t = NULL;
	int err = parse(&t, text);

	ck_assert_int_eq(err, code);
	if (message)
		ck_assert_str_eq(ws_error_last(), message);
	return err;
}

#define HEAD "{'lockfileVersion': 1, 'workspaces': {'': {'name': 'app'"

/* ---- keys and resolution ---- */

static const char nested[] =
	"{\n"
	"  'lockfileVersion': 2,\n"
	"  'configVersion': 1,\n"
	"  'workspaces': {\n"
	"    '': {\n"
	"      'name': 'app',\n"
	"      'dependencies': { 'debug': '^2.6.9', 'ms': '^2.1.3', '@jest/types': '^24' },\n"
	"      'devDependencies': { 'once': '^1.4.0' },\n"
	"      'optionalDependencies': { 'is-number': '^7' },\n"
	"    },\n"
	"  },\n"
	"  'packages': {\n"
	"    '@jest/types': ['@jest/types@24.9.0', '', { 'dependencies': { '@types/yargs': '^13' } }, 'sha512-J'],\n"
	"    '@types/yargs': ['@types/yargs@17.0.35', '', {}, 'sha512-Y17'],\n"
	"    'debug': ['debug@2.6.9', '', { 'dependencies': { 'ms': '2.0.0' } }, 'sha512-D'],\n"
	"    'is-number': ['is-number@7.0.0', '', {}, 'sha512-I'],\n"
	"    'ms': ['ms@2.1.3', '', {}, 'sha512-M3'],\n"
	"    'once': ['once@1.4.0', '', { 'dependencies': { 'wrappy': '1' } }, 'sha512-O'],\n"
	"    'wrappy': ['wrappy@1.0.2', '', {}, 'sha512-W'],\n"
	"    '@jest/types/@types/yargs': ['@types/yargs@13.0.12', '', {}, 'sha512-Y13'],\n"
	"    'debug/ms': ['ms@2.0.0', '', {}, 'sha512-M0'],\n"
	"  }\n"
	"}\n";

START_TEST(keys_become_node_modules_paths)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, nested), 0);
	ck_assert_str_eq(t->format, "bun.lock v2");
	ck_assert_str_eq(node_at(t, "node_modules/debug/node_modules/ms")->version,
			 "2.0.0");
	ck_assert_str_eq(node_at(t, "node_modules/@jest/types/node_modules/@types/yargs")->version,
			 "13.0.12");
	ck_assert_str_eq(node_at(t, "node_modules/ms")->integrity, "sha512-M3");
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(nested_key_wins_over_hoisted)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, nested), 0);
	assert_path(t, "node_modules/debug/node_modules/ms",
		    "app@ > debug@2.6.9 > ms@2.0.0");
	assert_path(t, "node_modules/ms", "app@ > ms@2.1.3");
	assert_path(t, "node_modules/@jest/types/node_modules/@types/yargs",
		    "app@ > @jest/types@24.9.0 > @types/yargs@13.0.12");
	/* nothing requires the hoisted one */
	ck_assert(node_at(t, "node_modules/@types/yargs")->flags &
		  TREE_EXTRANEOUS);
	tree_free(t);
}
END_TEST

START_TEST(flags_are_derived_from_edges)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, nested), 0);
	ck_assert_int_eq(t->flags_known, 0);
	ck_assert(node_at(t, "node_modules/once")->flags & TREE_DEV);
	ck_assert(node_at(t, "node_modules/wrappy")->flags & TREE_DEV);
	ck_assert(node_at(t, "node_modules/is-number")->flags & TREE_OPTIONAL);
	ck_assert(!(node_at(t, "node_modules/debug")->flags &
		    (TREE_DEV | TREE_OPTIONAL)));
	ck_assert(node_at(t, "")->flags & TREE_TARGET);
	tree_free(t);
}
END_TEST

START_TEST(alias_key_keeps_real_name)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, HEAD ", 'dependencies': {'x': 'npm:lodash@4.17.15'}}},"
			       "'packages': {'x': ['lodash@4.17.15', '', {}, 'sha512-L']}}"), 0);
	n = node_at(t, "node_modules/x");
	ck_assert_str_eq(n->name, "lodash");
	ck_assert_str_eq(n->alias, "x");
	ck_assert_str_eq(n->version, "4.17.15");
	ck_assert_uint_eq(n->depth, 1);
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(scoped_alias_under_scoped_parent)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, HEAD ", 'dependencies': {'@a/p': '1'}}},"
			       "'packages': {'@a/p': ['@a/p@1.0.0', '', {'dependencies': {'@b/q': 'npm:@c/r@2'}}, 'sha512-P'],"
			       "'@a/p/@b/q': ['@c/r@2.0.0', '', {}, 'sha512-R']}}"), 0);
	n = node_at(t, "node_modules/@a/p/node_modules/@b/q");
	ck_assert_str_eq(n->name, "@c/r");
	ck_assert_str_eq(n->alias, "@b/q");
	assert_path(t, "node_modules/@a/p/node_modules/@b/q",
		    "app@ > @a/p@1.0.0 > @c/r@2.0.0");
	tree_free(t);
}
END_TEST

START_TEST(missing_dependency_is_a_warning)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, HEAD ", 'dependencies': {'gone': '1'},"
			       "'optionalDependencies': {'fsevents': '2'}}}}"), 0);
	ck_assert_uint_eq(t->nwarnings, 1);
	ck_assert_ptr_nonnull(strstr(t->warnings[0], "\"gone\" 1"));
	tree_free(t);
}
END_TEST

START_TEST(optional_peers_are_optional)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, HEAD ", 'dependencies': {'debug': '4'}}},"
			       "'packages': {'debug': ['debug@4.4.3', '', {'dependencies': {'ms': '2'},"
			       "  'peerDependencies': {'supports-color': '*', 'chalk': '4'},"
			       "  'optionalPeers': ['supports-color']}, 'sha512-D'],"
			       "'chalk': ['chalk@4.1.2', '', {}, 'sha512-C'],"
			       "'ms': ['ms@2.1.3', '', {}, 'sha512-M']}}"), 0);
	ck_assert_int_eq(dep_of(t, "node_modules/debug", "supports-color")->kind,
			 TREE_DEP_PEER_OPTIONAL);
	ck_assert_int_eq(dep_of(t, "node_modules/debug", "chalk")->kind,
			 TREE_DEP_PEER);
	ck_assert_uint_eq(dep_of(t, "node_modules/debug", "chalk")->target,
			  tree_find(t, "node_modules/chalk", 18));
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(comments_and_trailing_commas_are_accepted)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "// made by hand\n" HEAD ",}, /* none */},"
			       "'packages': {'ms': ['ms@2.1.3', '', {}, 'sha512-M',],},}"), 0);
	ck_assert_str_eq(node_at(t, "node_modules/ms")->version, "2.1.3");
	tree_free(t);
}
END_TEST

/* ---- workspaces ---- */

static const char monorepo[] =
	"{\n"
	"  'lockfileVersion': 1,\n"
	"  'workspaces': {\n"
	"    '': { 'name': 'mono', 'dependencies': { 'chalk': '^4' } },\n"
	"    'packages/a': { 'name': 'a', 'version': '0.1.0',\n"
	"      'dependencies': { 'b': 'workspace:*', 'debug': '^2', 'x': 'npm:lodash@4.17.15' } },\n"
	"    'packages/b': { 'name': '@s/b', 'version': '0.2.0',\n"
	"      'dependencies': { 'ms': '^2.1' }, 'devDependencies': { 'debug': '^4' },\n"
	"      'peerDependencies': { 'chalk': '^4' } },\n"
	"  },\n"
	"  'packages': {\n"
	"    'a': ['a@workspace:packages/a'],\n"
	"    'b': ['@s/b@workspace:packages/b'],\n"
	"    '@s/b': ['@s/b@workspace:packages/b'],\n"
	"    'chalk': ['chalk@4.1.2', '', {}, 'sha512-C'],\n"
	"    'debug': ['debug@4.4.3', '', { 'dependencies': { 'ms': '^2.1.3' } }, 'sha512-D4'],\n"
	"    'ms': ['ms@2.1.3', '', {}, 'sha512-M3'],\n"
	"    'x': ['lodash@4.17.15', '', {}, 'sha512-L'],\n"
	"    'a/debug': ['debug@2.6.9', '', { 'dependencies': { 'ms': '2.0.0' } }, 'sha512-D2'],\n"
	"    'a/debug/ms': ['ms@2.0.0', '', {}, 'sha512-M0'],\n"
	"    '@s/b/ms': ['ms@2.1.2', '', {}, 'sha512-M2'],\n"
	"  }\n"
	"}\n";

START_TEST(members_are_targets)
{
	struct tree *t;
	const struct tree_node *a;

	ck_assert_int_eq(parse(&t, monorepo), 0);
	ck_assert_str_eq(t->format, "bun.lock v1");
	a = node_at(t, "packages/a");
	ck_assert(a->flags & TREE_TARGET);
	ck_assert_int_eq(a->source, TREE_SOURCE_WORKSPACE);
	ck_assert_str_eq(a->name, "a");
	ck_assert_str_eq(a->version, "0.1.0");
	ck_assert(!tree_node_is_package(a));
	ck_assert(node_at(t, "node_modules/a")->flags & TREE_LINK);
	ck_assert(!tree_node_is_package(node_at(t, "node_modules/a")));
	ck_assert_str_eq(node_at(t, "")->name, "mono");
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(member_keys_live_under_the_member)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, monorepo), 0);
	/* "a/debug" is what only packages/a sees */
	assert_path(t, "packages/a/node_modules/debug/node_modules/ms",
		    "a@0.1.0 > debug@2.6.9 > ms@2.0.0");
	/* a scoped member name as the first segment */
	assert_path(t, "packages/b/node_modules/ms", "@s/b@0.2.0 > ms@2.1.2");
	ck_assert_uint_eq(dep_of(t, "packages/b", "ms")->target,
			  tree_find(t, "packages/b/node_modules/ms", 26));
	/* the root's debug is the hoisted one */
	ck_assert_uint_eq(dep_of(t, "node_modules/debug", "ms")->target,
			  tree_find(t, "node_modules/ms", 15));
	tree_free(t);
}
END_TEST

START_TEST(workspace_dependency_links_to_member)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, monorepo), 0);
	ck_assert_uint_eq(dep_of(t, "packages/a", "b")->target,
			  tree_find(t, "packages/b", 10));
	ck_assert_str_eq(node_at(t, "node_modules/x")->name, "lodash");
	assert_path(t, "node_modules/x", "a@0.1.0 > lodash@4.17.15");
	/* a member's devDependencies are read; a member's peer resolves */
	ck_assert_int_eq(dep_of(t, "packages/b", "debug")->kind, TREE_DEP_DEV);
	ck_assert_uint_eq(dep_of(t, "packages/b", "chalk")->target,
			  tree_find(t, "node_modules/chalk", 18));
	tree_free(t);
}
END_TEST

START_TEST(v0_workspace_entries_carry_dependencies)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"{'lockfileVersion': 0, 'workspaces': {'': {'dependencies': {}},"
		" 'packages/a': {'name': 'a', 'dependencies': {'b': 'packages/b'}},"
		" 'packages/b': {'name': 'b'}},"
		"'packages': {'a': ['a@workspace:packages/a', {'dependencies': {'b': 'packages/b'}}],"
		" 'b': ['b@workspace:packages/b', {}]}}"), 0);
	ck_assert_str_eq(t->format, "bun.lock v0");
	ck_assert_str_eq(node_at(t, "")->name, "(root)");
	ck_assert_uint_eq(dep_of(t, "packages/a", "b")->target,
			  tree_find(t, "packages/b", 10));
	tree_free(t);
}
END_TEST

START_TEST(root_name_and_version_from_manifest)
{
	struct tree *t;

	ck_assert_int_eq(parse_with(&t,
		"{'lockfileVersion': 0, 'workspaces': {'': {}}}",
		"{'name': 'proj', 'version': '3.1.4'}"), 0);
	ck_assert_str_eq(node_at(t, "")->name, "proj");
	ck_assert_str_eq(node_at(t, "")->version, "3.1.4");
	tree_free(t);
	/* the lockfile's name wins, the manifest fills the version */
	ck_assert_int_eq(parse_with(&t, HEAD "}}}",
				    "{'name': 'proj', 'version': '3.1.4'}"), 0);
	ck_assert_str_eq(node_at(t, "")->name, "app");
	ck_assert_str_eq(node_at(t, "")->version, "3.1.4");
	tree_free(t);
}
END_TEST

START_TEST(root_resolution_links_to_root)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, HEAD ", 'dependencies': {'self': '.'}}},"
			       "'packages': {'self': ['app@root:', {}]}}"), 0);
	ck_assert(node_at(t, "node_modules/self")->flags & TREE_LINK);
	ck_assert_uint_eq(dep_of(t, "", "self")->target, tree_find(t, "", 0));
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

/* ---- sources ---- */

START_TEST(sources_follow_the_resolution)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, HEAD ", 'dependencies': {"
		"'reg': '1', 'mirror': '1', 'dir': 'file:./dir', 'lnk': 'link:lnk',"
		"'gh': 'owner/gh', 'gt': 'git+https://git.test/gt.git', 'tb': 'https://files.test/tb.tgz',"
		"'ltb': './vendor/ltb-1.0.0.tgz'}}},"
		"'packages': {"
		"'reg': ['reg@1.0.0', '', {}, 'sha512-R'],"
		"'mirror': ['mirror@1.0.0', 'https://registry.npm.test/mirror/-/mirror-1.0.0.tgz', {}, 'sha512-M'],"
		"'dir': ['dir@file:dir', {}],"
		"'lnk': ['lnk@link:lnk', {}],"
		"'gh': ['gh@github:owner/gh#abc123', {}, 'owner-gh-abc123'],"
		"'gt': ['gt@git+https://git.test/gt.git#def456', {}, 'def456', 'sha512-G'],"
		"'tb': ['tb@https://files.test/tb.tgz', {}, 'sha512-T'],"
		"'ltb': ['ltb@vendor/ltb-1.0.0.tgz', {}]}}"), 0);
	n = node_at(t, "node_modules/reg");
	ck_assert_int_eq(n->source, TREE_SOURCE_REGISTRY);
	ck_assert_ptr_null(n->resolved);
	n = node_at(t, "node_modules/mirror");
	ck_assert_int_eq(n->source, TREE_SOURCE_REGISTRY);
	ck_assert_str_eq(n->resolved,
			 "https://registry.npm.test/mirror/-/mirror-1.0.0.tgz");
	n = node_at(t, "node_modules/dir");
	ck_assert_int_eq(n->source, TREE_SOURCE_FILE);
	ck_assert_str_eq(n->version, "file:dir");
	ck_assert_int_eq(node_at(t, "node_modules/lnk")->source,
			 TREE_SOURCE_LINK);
	n = node_at(t, "node_modules/gh");
	ck_assert_int_eq(n->source, TREE_SOURCE_GIT);
	ck_assert_str_eq(n->version, "github:owner/gh#abc123");
	n = node_at(t, "node_modules/gt");
	ck_assert_int_eq(n->source, TREE_SOURCE_GIT);
	ck_assert_str_eq(n->integrity, "sha512-G");
	n = node_at(t, "node_modules/tb");
	ck_assert_int_eq(n->source, TREE_SOURCE_TARBALL);
	ck_assert_str_eq(n->integrity, "sha512-T");
	n = node_at(t, "node_modules/ltb");
	ck_assert_int_eq(n->source, TREE_SOURCE_FILE);
	ck_assert_ptr_null(n->integrity);
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(bundled_flag_is_kept)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, HEAD ", 'dependencies': {'p': '1'}}},"
			       "'packages': {'p': ['p@1.0.0', '', {'dependencies': {'q': '1'}}, 'sha512-P'],"
			       "'p/q': ['q@1.0.0', '', {'bundled': true}, 'sha512-Q']}}"), 0);
	ck_assert(node_at(t, "node_modules/p/node_modules/q")->flags &
		  TREE_BUNDLED);
	tree_free(t);
}
END_TEST

/* ---- bad input ---- */

START_TEST(unsupported_version_names_supported_ones)
{
	expect_error("{'lockfileVersion': 3, 'workspaces': {'': {}}}",
		     WS_EUNSUPPORTED,
		     "t/bun.lock:1:21: lockfileVersion 3 is not supported (wormsign reads versions 0, 1 and 2)");
	expect_error("{'lockfileVersion': -1, 'workspaces': {'': {}}}",
		     WS_EUNSUPPORTED, NULL);
	expect_error("{'lockfileVersion': 1.5, 'workspaces': {'': {}}}",
		     WS_EUNSUPPORTED, NULL);
	expect_error("{'lockfileVersion': '1', 'workspaces': {'': {}}}",
		     WS_EPARSE,
		     "t/bun.lock:1:21: \"lockfileVersion\" must be a number, not string");
	expect_error("{'workspaces': {'': {}}}", WS_EPARSE,
		     "t/bun.lock:1:1: no \"lockfileVersion\"");
}
END_TEST

START_TEST(malformed_json_gives_line_and_column)
{
	struct tree *t = NULL;

	ck_assert_int_eq(parse(&t, "{\n  'lockfileVersion': 1,\n  'workspaces' {}\n}"),
			 WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "t/bun.lock:3:"));
	expect_error("[1, 2]", WS_EPARSE,
		     "t/bun.lock:1:1: expected an object at the top, not array");
}
END_TEST

START_TEST(workspaces_are_checked)
{
	expect_error("{'lockfileVersion': 1}", WS_EPARSE,
		     "t/bun.lock:1:1: no \"workspaces\" object");
	expect_error("{'lockfileVersion': 1, 'workspaces': []}", WS_EPARSE,
		     "t/bun.lock:1:38: \"workspaces\" must be an object, not array");
	expect_error("{'lockfileVersion': 1, 'workspaces': {'packages/a': {'name': 'a'}}}",
		     WS_EPARSE,
		     "t/bun.lock:1:38: \"workspaces\" has no root entry \"\"");
	expect_error("{'lockfileVersion': 1, 'workspaces': {'': {}, 'packages/a': {}}}",
		     WS_EPARSE,
		     "t/bun.lock:1:61: workspace \"packages/a\" needs a string \"name\"");
	expect_error("{'lockfileVersion': 1, 'workspaces': {'': {}, '': {}}}",
		     WS_EPARSE, NULL);
	expect_error("{'lockfileVersion': 1, 'workspaces': {'': {},"
		     " 'p/a': {'name': 'a'}, 'p/b': {'name': 'a'}}}",
		     WS_EPARSE, NULL);
	ck_assert_ptr_nonnull(strstr(ws_error_last(),
				     "workspace name \"a\" appears twice"));
}
END_TEST

START_TEST(bad_workspace_paths_are_rejected)
{
	static const char *const paths[] = {
		"../up", "/abs", "a//b", "a/", "./a", "node_modules/a",
		"a\\\\b", "a/../../b",
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(text, sizeof(text),
			 "{'lockfileVersion': 1, 'workspaces': {'': {}, '%s': {'name': 'a'}}}",
			 paths[i]);
		expect_error(text, WS_EPARSE, NULL);
		ck_assert_msg(strstr(ws_error_last(), "bad workspace path"),
			      "%s: %s", paths[i], ws_error_last());
	}
}
END_TEST

START_TEST(bad_package_keys_are_rejected)
{
	static const char *const keys[] = {
		"../x", "a//b", "a/", "/a", "@scope", "@/x", "@s/", "a/..",
		"node_modules/x", "a\\\\b", "x/.", "@../x", "@s/..", "@s/a/b/",
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(text, sizeof(text),
			 HEAD "}}, 'packages': {'%s': ['x@1.0.0', '', {}, 'sha512-X']}}",
			 keys[i]);
		expect_error(text, WS_EPARSE, NULL);
		ck_assert_msg(strstr(ws_error_last(), "bad package key"),
			      "%s: %s", keys[i], ws_error_last());
	}
}
END_TEST

START_TEST(bad_package_entries_are_rejected)
{
	expect_error(HEAD "}}, 'packages': {'ms': {'version': '1'}}}", WS_EPARSE,
		     "t/bun.lock:1:80: package \"ms\" must be an array, not object");
	expect_error(HEAD "}}, 'packages': []}", WS_EPARSE,
		     "t/bun.lock:1:73: \"packages\" must be an object, not array");
	expect_error(HEAD "}}, 'packages': {'ms': []}}", WS_EPARSE,
		     "t/bun.lock:1:80: package \"ms\" is empty");
	expect_error(HEAD "}}, 'packages': {'ms': [7]}}", WS_EPARSE,
		     "t/bun.lock:1:81: ident of \"ms\" must be a string, not number");
	expect_error(HEAD "}}, 'packages': {'ms': ['ms']}}", WS_EPARSE,
		     "t/bun.lock:1:81: bad package ident \"ms\" for \"ms\"");
	expect_error(HEAD "}}, 'packages': {'ms': ['ms@']}}", WS_EPARSE,
		     "t/bun.lock:1:81: package ident \"ms@\" has no version");
	expect_error(HEAD "}}, 'packages': {'ms': ['../x@1.0.0', '', {}, 's']}}",
		     WS_EPARSE, NULL);
	expect_error(HEAD "}}, 'packages': {'ms': ['ms@2.1.3', '', {}]}}", WS_EPARSE,
		     "t/bun.lock:1:80: package \"ms\" has no integrity");
	expect_error(HEAD "}}, 'packages': {'ms': ['ms@2.1.3', '', [], 's']}}",
		     WS_EPARSE,
		     "t/bun.lock:1:97: info of \"ms\" must be an object, not array");
	expect_error(HEAD "}}, 'packages': {'ms': ['ms@2.1.3', null, {}, 's']}}",
		     WS_EPARSE,
		     "t/bun.lock:1:93: registry of \"ms\" must be a string, not null");
	expect_error(HEAD "}}, 'packages': {'d': ['d@file:d']}}", WS_EPARSE,
		     "t/bun.lock:1:79: package \"d\" has no info object");
	expect_error(HEAD "}}, 'packages': {'g': ['g@github:o/g#1', {}]}}",
		     WS_EPARSE, "t/bun.lock:1:79: package \"g\" has no git tag");
}
END_TEST

START_TEST(bad_dependency_maps_are_rejected)
{
	expect_error(HEAD "}}, 'packages': {'ms': ['ms@2.1.3', '', "
		     "{'dependencies': {'a': 1}}, 's']}}", WS_EPARSE, NULL);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "t/bun.lock:1:"));
	expect_error(HEAD ", 'dependencies': []}}}", WS_EPARSE, NULL);
	expect_error(HEAD "}}, 'packages': {'ms': ['ms@2.1.3', '', "
		     "{'optionalPeers': 'a'}, 's']}}", WS_EPARSE,
		     "t/bun.lock:1:115: \"optionalPeers\" must be an array, not string");
	expect_error(HEAD "}}, 'packages': {'ms': ['ms@2.1.3', '', "
		     "{'optionalPeers': [1]}, 's']}}", WS_EPARSE,
		     "t/bun.lock:1:116: \"optionalPeers\" entries must be strings, not number");
}
END_TEST

START_TEST(duplicate_package_is_rejected)
{
	expect_error(HEAD "}}, 'packages': {'ms': ['ms@2.1.3', '', {}, 's'],"
		     " 'ms': ['ms@2.0.0', '', {}, 's']}}", WS_EPARSE,
		     "t/bun.lock:1:113: package \"ms\" appears twice");
	/* a member path must not collide with an installed location */
	expect_error("{'lockfileVersion': 1, 'workspaces': {'': {},"
		     " 'p': {'name': 'a'}, 'p': {'name': 'b'}}}", WS_EPARSE,
		     NULL);
}
END_TEST

START_TEST(limits_are_enforced)
{
	struct strbuf sb;
	int i;

	/* nesting deeper than bun ever writes */
	strbuf_init(&sb, 1u << 20);
	strbuf_addstr(&sb, HEAD "}}, 'packages': {'");
	for (i = 0; i < 200; i++)
		strbuf_addstr(&sb, i ? "/a" : "a");
	strbuf_addstr(&sb, "': ['a@1.0.0', '', {}, 's']}}");
	expect_error(sb.buf, WS_ELIMIT, NULL);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "deeper than 128"));
	/* a key longer than any path */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, HEAD "}}, 'packages': {'");
	for (i = 0; i < 5000; i++)
		strbuf_addch(&sb, 'a');
	strbuf_addstr(&sb, "': ['a@1.0.0', '', {}, 's']}}");
	expect_error(sb.buf, WS_ELIMIT, NULL);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "longer than 4096"));
	strbuf_release(&sb);
}
END_TEST

START_TEST(nul_in_key_is_rejected)
{
	/* a NUL would cut the key short: the location must be all of it */
	expect_error(HEAD "}}, 'packages': {'m\\u0000s': ['ms@2.1.3', '', {}, 's']}}",
		     WS_EPARSE, NULL);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "t/bun.lock:1:"));
}
END_TEST

START_TEST(link_cycle_does_not_hang)
{
	struct tree *t;

	/* a member whose own key links back to itself */
	ck_assert_int_eq(parse(&t, "{'lockfileVersion': 1, 'workspaces': {'': {'dependencies': {'a': 'workspace:*'}},"
			       " 'a': {'name': 'a', 'dependencies': {'a': 'workspace:*'}}},"
			       " 'packages': {'a': ['a@workspace:a'], 'a/a': ['a@workspace:a']}}"), 0);
	ck_assert(node_at(t, "a")->flags & TREE_TARGET);
	tree_free(t);
}
END_TEST

START_TEST(load_refuses_binary_lockfile)
{
	struct tree *t = NULL;

	ck_assert_int_eq(lockfile_load(&t, "/nonexistent/bun.lockb"),
			 WS_EUNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "--save-text-lockfile"));
	ck_assert_ptr_null(t);
}
END_TEST

/* ---- real lockfiles made by bun ---- */

static void
check_expected(const char *case_name)
{
	check_lockfile_expected("bun", case_name, "bun.lock", 0);
}

START_TEST(real_basic) { check_expected("basic"); }
END_TEST
START_TEST(real_workspaces) { check_expected("workspaces"); }
END_TEST
START_TEST(real_workspaces_v1) { check_expected("workspaces-v1"); }
END_TEST
START_TEST(real_workspaces_v0) { check_expected("workspaces-v0"); }
END_TEST

static struct tree *
load_case(const char *case_name)
{
	char path[1024];
	struct tree *t;

	snprintf(path, sizeof(path), "%s/bun/%s/bun.lock", TEST_DATA, case_name);
	ck_assert_msg(lockfile_load(&t, path) == 0, "%s", ws_error_last());
	return t;
}

START_TEST(real_basic_flags_and_platform_packages)
{
	struct tree *t = load_case("basic");

	ck_assert_str_eq(t->format, "bun.lock v2");
	ck_assert(node_at(t, "node_modules/once")->flags & TREE_DEV);
	ck_assert(node_at(t, "node_modules/is-number")->flags & TREE_OPTIONAL);
	/* every platform's esbuild binary is in the lockfile */
	ck_assert(node_at(t, "node_modules/@esbuild/win32-x64")->flags &
		  TREE_OPTIONAL);
	ck_assert(node_at(t, "node_modules/@esbuild/linux-x64")->flags &
		  TREE_OPTIONAL);
	ck_assert(!(node_at(t, "node_modules/chalk")->flags &
		    (TREE_DEV | TREE_OPTIONAL)));
	assert_path(t, "node_modules/debug/node_modules/ms",
		    "bun-basic@1.0.0 > debug@2.6.9 > ms@2.0.0");
	assert_path(t, "node_modules/@jest/types/node_modules/@types/yargs",
		    "bun-basic@1.0.0 > @jest/types@24.9.0 > @types/yargs@13.0.12");
	tree_free(t);
}
END_TEST

START_TEST(real_workspace_versions_agree)
{
	static const char *const cases[] = {
		"workspaces", "workspaces-v1", "workspaces-v0",
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct tree *t = load_case(cases[i]);
		const struct tree_node *x = node_at(t, "node_modules/x");

		ck_assert_str_eq(node_at(t, "")->name, "bun-monorepo");
		ck_assert(node_at(t, "packages/a")->flags & TREE_TARGET);
		ck_assert(node_at(t, "packages/b")->flags & TREE_TARGET);
		ck_assert_str_eq(x->name, "lodash");
		ck_assert_str_eq(x->alias, "x");
		assert_path(t, "node_modules/x", "a@0.1.0 > lodash@4.17.15");
		assert_path(t, "packages/a/node_modules/debug/node_modules/ms",
			    "a@0.1.0 > debug@2.6.9 > ms@2.0.0");
		ck_assert_uint_eq(dep_of(t, "packages/a", "b")->target,
				  tree_find(t, "packages/b", 10));
		ck_assert_int_eq(node_at(t, "node_modules/local-pkg")->source,
				 TREE_SOURCE_FILE);
		ck_assert(node_at(t, "node_modules/debug")->flags & TREE_DEV);
		tree_free(t);
	}
}
END_TEST

START_TEST(detect_finds_bun_lock)
{
	char dir[1024], **paths = NULL;
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/bun/workspaces", TEST_DATA);
	ck_assert_uint_eq(lockfile_detect(&paths, &n, dir, 0), 1);
	ck_assert_ptr_nonnull(strstr(paths[0], "/bun.lock"));
	free(paths[0]);
	free(paths);
}
END_TEST

static Suite *
bun_suite(void)
{
	Suite *s = suite_create("bun");
	TCase *tc;

	tc = tcase_create("resolution");
	tcase_add_test(tc, keys_become_node_modules_paths);
	tcase_add_test(tc, nested_key_wins_over_hoisted);
	tcase_add_test(tc, flags_are_derived_from_edges);
	tcase_add_test(tc, alias_key_keeps_real_name);
	tcase_add_test(tc, scoped_alias_under_scoped_parent);
	tcase_add_test(tc, missing_dependency_is_a_warning);
	tcase_add_test(tc, optional_peers_are_optional);
	tcase_add_test(tc, comments_and_trailing_commas_are_accepted);
	suite_add_tcase(s, tc);

	tc = tcase_create("workspaces");
	tcase_add_test(tc, members_are_targets);
	tcase_add_test(tc, member_keys_live_under_the_member);
	tcase_add_test(tc, workspace_dependency_links_to_member);
	tcase_add_test(tc, v0_workspace_entries_carry_dependencies);
	tcase_add_test(tc, root_name_and_version_from_manifest);
	tcase_add_test(tc, root_resolution_links_to_root);
	suite_add_tcase(s, tc);

	tc = tcase_create("sources");
	tcase_add_test(tc, sources_follow_the_resolution);
	tcase_add_test(tc, bundled_flag_is_kept);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_input");
	tcase_add_test(tc, unsupported_version_names_supported_ones);
	tcase_add_test(tc, malformed_json_gives_line_and_column);
	tcase_add_test(tc, workspaces_are_checked);
	tcase_add_test(tc, bad_workspace_paths_are_rejected);
	tcase_add_test(tc, bad_package_keys_are_rejected);
	tcase_add_test(tc, bad_package_entries_are_rejected);
	tcase_add_test(tc, bad_dependency_maps_are_rejected);
	tcase_add_test(tc, duplicate_package_is_rejected);
	tcase_add_test(tc, limits_are_enforced);
	tcase_add_test(tc, nul_in_key_is_rejected);
	tcase_add_test(tc, link_cycle_does_not_hang);
	tcase_add_test(tc, load_refuses_binary_lockfile);
	suite_add_tcase(s, tc);

	tc = tcase_create("real");
	tcase_add_test(tc, real_basic);
	tcase_add_test(tc, real_workspaces);
	tcase_add_test(tc, real_workspaces_v1);
	tcase_add_test(tc, real_workspaces_v0);
	tcase_add_test(tc, real_basic_flags_and_platform_packages);
	tcase_add_test(tc, real_workspace_versions_agree);
	tcase_add_test(tc, detect_finds_bun_lock);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bun_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
