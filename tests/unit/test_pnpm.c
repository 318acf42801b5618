/* pnpm-lock.yaml reader: lockfileVersion 5.3/5.4, 6.0/6.1 and 9.0. */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "lockfile/lockfile.h"
#include "treecheck.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Parses a lockfile held in a string literal, with an optional manifest. */
static int
parse_with(struct tree **out, const char *text, const char *manifest)
{
	char *buf = xstrdup(text), *mbuf = NULL;
	struct json_doc mdoc;
	int err;

	memset(&mdoc, 0, sizeof(mdoc));
	if (manifest) {
		mbuf = xstrdup(manifest);
		ck_assert_int_eq(json_parse(&mdoc, mbuf, strlen(mbuf),
					    "t/package.json", 0), 0);
	}
	err = lockfile_parse_pnpm(out, buf, strlen(buf), "t/pnpm-lock.yaml",
				  mdoc.root);
	if (!err)
		tree_resolve(*out);
	else
		ck_assert_ptr_null(*out);
	/* the tree copies what it keeps, so the buffers can go now */
	memset(buf, 'X', strlen(buf));
	free(buf);
	json_doc_release(&mdoc);
	free(mbuf);
	return err;
}

static int
parse(struct tree **out, const char *text)
{
	return parse_with(out, text, NULL);
}

/* ---- lockfileVersion ---- */

START_TEST(version_texts_name_the_format)
{
	static const struct {
		const char *text, *format;
	} cases[] = {
		{ "lockfileVersion: 5.4\n", "pnpm-lock v5.4" },
		{ "lockfileVersion: 5.3\n", "pnpm-lock v5.3" },
		{ "lockfileVersion: '5.4'\n", "pnpm-lock v5.4" },
		{ "lockfileVersion: 5.4-inlineSpecifiers\n",
		  "pnpm-lock v5.4-inlineSpecifiers" },
		{ "lockfileVersion: '6.0'\n", "pnpm-lock v6.0" },
		{ "lockfileVersion: '6.1'\n", "pnpm-lock v6.1" },
		{ "lockfileVersion: '9.0'\n", "pnpm-lock v9.0" },
	};
	struct tree *t;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(parse(&t, cases[i].text), 0);
		ck_assert_str_eq(t->format, cases[i].format);
		ck_assert(t->synthetic_locations);
		/* an empty lockfile still has its root */
		ck_assert(node_at(t, "")->flags & TREE_TARGET);
		tree_free(t);
	}
}
END_TEST

START_TEST(unsupported_version_names_supported_ones)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "lockfileVersion: '7.0'\npackages: {}\n"),
			 WS_EUNSUPPORTED);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:1:18: lockfileVersion 7.0 is not supported (wormsign reads 5.3, 5.4, 6.0, 6.1 and 9.0)");
	ck_assert_int_eq(parse(&t, "lockfileVersion: 5.2\n"), WS_EUNSUPPORTED);
	ck_assert_int_eq(parse(&t, "lockfileVersion: 9\n"), WS_EUNSUPPORTED);
}
END_TEST

START_TEST(missing_or_odd_version_is_a_parse_error)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "packages: {}\n"), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:1:1: no \"lockfileVersion\"");
	ck_assert_int_eq(parse(&t, "lockfileVersion: [9]\n"), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:1:18: \"lockfileVersion\" must be a string or a number");
}
END_TEST

/* ---- v5.4 ---- */

static const char v5_single[] =
	"lockfileVersion: 5.4\n"
	"\n"
	"specifiers:\n"
	"  '@types/react': ^18.0.0\n"
	"  react-dom: 18.2.0\n"
	"  x: npm:lodash@4.17.15\n"
	"  once: ^1.4.0\n"
	"  is-number: ^7.0.0\n"
	"\n"
	"dependencies:\n"
	"  '@types/react': 18.0.0\n"
	"  react-dom: 18.2.0_react@18.2.0\n"
	"  x: /lodash/4.17.15\n"
	"\n"
	"optionalDependencies:\n"
	"  is-number: 7.0.0\n"
	"\n"
	"devDependencies:\n"
	"  once: 1.4.0\n"
	"\n"
	"packages:\n"
	"\n"
	"  /@types/react/18.0.0:\n"
	"    resolution: {integrity: sha512-TYPES}\n"
	"    dev: false\n"
	"\n"
	"  /is-number/7.0.0:\n"
	"    resolution: {integrity: sha512-ISNUM}\n"
	"    dev: false\n"
	"    optional: true\n"
	"\n"
	"  /lodash/4.17.15:\n"
	"    resolution: {integrity: sha512-LODASH}\n"
	"    dev: false\n"
	"\n"
	"  /once/1.4.0:\n"
	"    resolution: {integrity: sha512-ONCE}\n"
	"    dependencies:\n"
	"      wrappy: 1.0.2\n"
	"    dev: true\n"
	"\n"
	"  /react-dom/18.2.0_react@18.2.0:\n"
	"    resolution: {integrity: sha512-RDOM}\n"
	"    peerDependencies:\n"
	"      react: ^18.2.0\n"
	"    dependencies:\n"
	"      react: 18.2.0\n"
	"    dev: false\n"
	"\n"
	"  /react/18.2.0:\n"
	"    resolution: {integrity: sha512-REACT}\n"
	"    dev: false\n"
	"\n"
	"  /wrappy/1.0.2:\n"
	"    resolution: {integrity: sha512-WRAPPY}\n"
	"    dev: true\n";

START_TEST(v5_single_project_reads_top_level_sections)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse_with(&t, v5_single,
				    "{\"name\":\"app\",\"version\":\"1.0.0\"}"),
			 0);
	ck_assert_uint_eq(t->nwarnings, 0);
	ck_assert_str_eq(node_at(t, "")->name, "app");
	n = node_at(t, "/react-dom/18.2.0_react@18.2.0");
	ck_assert_str_eq(n->name, "react-dom");
	ck_assert_str_eq(n->version, "18.2.0");
	ck_assert_str_eq(n->integrity, "sha512-RDOM");
	ck_assert_ptr_null(n->resolved);
	ck_assert_int_eq(n->source, TREE_SOURCE_REGISTRY);
	n = node_at(t, "/@types/react/18.0.0");
	ck_assert_str_eq(n->name, "@types/react");
	ck_assert_str_eq(n->version, "18.0.0");
	assert_path(t, "/react/18.2.0",
		    "app@1.0.0 > react-dom@18.2.0 > react@18.2.0");
	/* the ranges come from "specifiers" */
	ck_assert_str_eq(dep_of(t, "", "react-dom")->spec, "18.2.0");
	ck_assert_str_eq(dep_of(t, "", "once")->spec, "^1.4.0");
	ck_assert_int_eq(dep_of(t, "", "once")->kind, TREE_DEP_DEV);
	ck_assert_int_eq(dep_of(t, "", "is-number")->kind, TREE_DEP_OPTIONAL);
	tree_free(t);
}
END_TEST

START_TEST(v5_alias_is_the_real_package)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v5_single), 0);
	n = node_at(t, "/lodash/4.17.15");
	ck_assert_str_eq(n->name, "lodash");
	ck_assert_str_eq(n->alias, "x");
	ck_assert_uint_eq(n->depth, 1);
	ck_assert_str_eq(dep_of(t, "", "x")->spec, "npm:lodash@4.17.15");
	tree_free(t);
}
END_TEST

START_TEST(v5_recorded_flags_are_kept)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, v5_single), 0);
	ck_assert(t->flags_known);
	ck_assert(node_at(t, "/once/1.4.0")->flags & TREE_DEV);
	ck_assert(node_at(t, "/wrappy/1.0.2")->flags & TREE_DEV);
	ck_assert(node_at(t, "/is-number/7.0.0")->flags & TREE_OPTIONAL);
	ck_assert(!(node_at(t, "/react/18.2.0")->flags &
		    (TREE_DEV | TREE_OPTIONAL)));
	tree_free(t);
}
END_TEST

START_TEST(v5_npm_alias_reference_and_registry_host_keys)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: 5.3\n"
		"dependencies:\n"
		"  x: npm:lodash@4.17.15\n"
		"  '@scope/y': registry.npm.test/@scope/y/2.0.0\n"
		"packages:\n"
		"  /lodash/4.17.15:\n"
		"    resolution: {integrity: sha512-L}\n"
		"  registry.npm.test/@scope/y/2.0.0:\n"
		"    resolution: {tarball: https://registry.npm.test/@scope/y/-/y-2.0.0.tgz}\n"), 0);
	ck_assert_uint_eq(t->nwarnings, 0);
	ck_assert_str_eq(node_at(t, "/lodash/4.17.15")->alias, "x");
	n = node_at(t, "registry.npm.test/@scope/y/2.0.0");
	ck_assert_str_eq(n->name, "@scope/y");
	ck_assert_str_eq(n->version, "2.0.0");
	ck_assert_ptr_null(n->alias);
	ck_assert_str_eq(n->resolved,
			 "https://registry.npm.test/@scope/y/-/y-2.0.0.tgz");
	ck_assert_uint_eq(n->depth, 1);
	tree_free(t);
}
END_TEST

static const char v5_workspace[] =
	"lockfileVersion: 5.4\n"
	"patchedDependencies:\n"
	"  is-odd@3.0.1:\n"
	"    hash: abcdef\n"
	"    path: patches/is-odd@3.0.1.patch\n"
	"importers:\n"
	"  .:\n"
	"    specifiers:\n"
	"      once: ^1.4.0\n"
	"    devDependencies:\n"
	"      once: 1.4.0\n"
	"  packages/a:\n"
	"    specifiers:\n"
	"      b: workspace:*\n"
	"      local-thing: file:../../local/thing\n"
	"    dependencies:\n"
	"      b: link:../b\n"
	"      local-thing: file:local/thing\n"
	"  packages/b:\n"
	"    specifiers:\n"
	"      is-odd: ^3.0.1\n"
	"    dependencies:\n"
	"      is-odd: 3.0.1_abcdef\n"
	"packages:\n"
	"  /is-odd/3.0.1_abcdef:\n"
	"    resolution: {integrity: sha512-ODD}\n"
	"    dev: false\n"
	"    patched: true\n"
	"  /once/1.4.0:\n"
	"    resolution: {integrity: sha512-ONCE}\n"
	"    dev: true\n"
	"  file:local/thing:\n"
	"    resolution: {directory: local/thing, type: directory}\n"
	"    name: local-thing\n"
	"    version: 0.0.1\n"
	"    dev: false\n";

START_TEST(v5_importers_are_targets_and_links_are_relative)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v5_workspace), 0);
	ck_assert_uint_eq(t->nwarnings, 0);
	n = node_at(t, "packages/a");
	ck_assert(n->flags & TREE_TARGET);
	ck_assert_int_eq(n->source, TREE_SOURCE_WORKSPACE);
	ck_assert(!tree_node_is_package(n));
	/* ../b from packages/a */
	ck_assert_uint_eq(dep_of(t, "packages/a", "b")->target,
			  tree_find(t, "packages/b", 10));
	/* named by the link that points at it */
	ck_assert_str_eq(node_at(t, "packages/b")->name, "b");
	/* nothing links to a: its directory's name */
	ck_assert_str_eq(node_at(t, "packages/a")->name, "a");
	ck_assert_str_eq(node_at(t, "")->name, "(root)");
	assert_path(t, "/is-odd/3.0.1_abcdef", "b@ > is-odd@3.0.1");
	tree_free(t);
}
END_TEST

START_TEST(v5_file_dependency_uses_its_recorded_version)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v5_workspace), 0);
	n = node_at(t, "file:local/thing");
	ck_assert_str_eq(n->name, "local-thing");
	ck_assert_str_eq(n->version, "0.0.1");
	ck_assert_str_eq(n->resolved, "file:local/thing");
	ck_assert_int_eq(n->source, TREE_SOURCE_FILE);
	ck_assert_uint_eq(n->target, tree_find(t, "packages/a", 10));
	tree_free(t);
}
END_TEST

START_TEST(v5_patched_package_gets_its_hash)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v5_workspace), 0);
	n = node_at(t, "/is-odd/3.0.1_abcdef");
	ck_assert_str_eq(n->version, "3.0.1");
	ck_assert_str_eq(n->resolved, "#patch_hash=abcdef");
	ck_assert_ptr_null(node_at(t, "/once/1.4.0")->resolved);
	tree_free(t);
}
END_TEST

/* ---- v6 ---- */

static const char v6_lock[] =
	"lockfileVersion: '6.0'\n"
	"\n"
	"settings:\n"
	"  autoInstallPeers: true\n"
	"\n"
	"dependencies:\n"
	"  '@emotion/react':\n"
	"    specifier: ^11.0.0\n"
	"    version: 11.0.0(@types/react@18.0.0)(react@18.2.0)\n"
	"  x:\n"
	"    specifier: npm:lodash@4.17.15\n"
	"    version: /lodash@4.17.15\n"
	"  git-dep:\n"
	"    specifier: github:user/git-dep\n"
	"    version: github.com/user/git-dep/0123abc\n"
	"\n"
	"packages:\n"
	"\n"
	"  /@emotion/react@11.0.0(@types/react@18.0.0)(react@18.2.0):\n"
	"    resolution: {integrity: sha512-EMO}\n"
	"    peerDependencies:\n"
	"      react: '>=16'\n"
	"    dependencies:\n"
	"      '@types/react': 18.0.0\n"
	"      react: 18.2.0\n"
	"    dev: false\n"
	"\n"
	"  /@types/react@18.0.0:\n"
	"    resolution: {integrity: sha512-TYPES}\n"
	"    dev: false\n"
	"\n"
	"  /lodash@4.17.15:\n"
	"    resolution: {integrity: sha512-LODASH}\n"
	"    dev: false\n"
	"\n"
	"  /react@18.2.0:\n"
	"    resolution: {integrity: sha512-REACT}\n"
	"    dev: false\n"
	"\n"
	"  github.com/user/git-dep/0123abc:\n"
	"    resolution: {tarball: https://codeload.example.test/user/git-dep/tar.gz/0123abc}\n"
	"    name: git-dep\n"
	"    version: 1.2.3\n"
	"    dev: false\n";

START_TEST(v6_scoped_keys_with_scoped_peers)
{
	struct tree *t;
	const struct tree_node *n;
	const char *key =
		"/@emotion/react@11.0.0(@types/react@18.0.0)(react@18.2.0)";

	ck_assert_int_eq(parse(&t, v6_lock), 0);
	ck_assert_uint_eq(t->nwarnings, 0);
	n = node_at(t, key);
	ck_assert_str_eq(n->name, "@emotion/react");
	ck_assert_str_eq(n->version, "11.0.0");
	ck_assert_uint_eq(n->depth, 1);
	ck_assert_str_eq(dep_of(t, "", "@emotion/react")->spec, "^11.0.0");
	ck_assert_uint_eq(dep_of(t, key, "@types/react")->target,
			  tree_find(t, "/@types/react@18.0.0", 20));
	assert_path(t, "/react@18.2.0",
		    "(root)@ > @emotion/react@11.0.0 > react@18.2.0");
	tree_free(t);
}
END_TEST

START_TEST(v6_alias_and_git_entries)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v6_lock), 0);
	ck_assert_str_eq(node_at(t, "/lodash@4.17.15")->alias, "x");
	n = node_at(t, "github.com/user/git-dep/0123abc");
	ck_assert_str_eq(n->name, "git-dep");
	ck_assert_str_eq(n->version, "1.2.3");
	ck_assert_int_eq(n->source, TREE_SOURCE_TARBALL);
	ck_assert_ptr_null(n->alias);
	ck_assert_uint_eq(n->depth, 1);
	tree_free(t);
}
END_TEST

START_TEST(v6_file_dependency_keeps_its_reference)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '6.0'\n"
		"importers:\n"
		"  .:\n"
		"    dependencies:\n"
		"      local-thing:\n"
		"        specifier: file:local/thing\n"
		"        version: file:local/thing\n"
		"packages:\n"
		"  file:local/thing:\n"
		"    resolution: {directory: local/thing, type: directory}\n"
		"    name: local-thing\n"
		"    dev: false\n"), 0);
	n = node_at(t, "file:local/thing");
	ck_assert_str_eq(n->name, "local-thing");
	ck_assert_str_eq(n->version, "file:local/thing");
	ck_assert_int_eq(n->source, TREE_SOURCE_FILE);
	ck_assert_uint_eq(n->depth, 1);
	tree_free(t);
}
END_TEST

START_TEST(v6_git_resolution_is_a_git_source)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '6.0'\n"
		"dependencies:\n"
		"  g:\n"
		"    specifier: git+https://git.example.test/g.git\n"
		"    version: git.example.test/g/abc123\n"
		"packages:\n"
		"  git.example.test/g/abc123:\n"
		"    resolution: {commit: abc123, repo: https://git.example.test/g.git, type: git}\n"
		"    name: g\n"
		"    version: 0.1.0\n"), 0);
	n = node_at(t, "git.example.test/g/abc123");
	ck_assert_int_eq(n->source, TREE_SOURCE_GIT);
	ck_assert_str_eq(n->resolved, "https://git.example.test/g.git#abc123");
	tree_free(t);
}
END_TEST

/* ---- v9 ---- */

static const char v9_workspace[] =
	"lockfileVersion: '9.0'\n"
	"\n"
	"catalogs:\n"
	"  default:\n"
	"    is-odd:\n"
	"      specifier: ^3.0.1\n"
	"      version: 3.0.1\n"
	"\n"
	"patchedDependencies:\n"
	"  is-odd@3.0.1:\n"
	"    hash: h4sh\n"
	"    path: patches/is-odd@3.0.1.patch\n"
	"\n"
	"importers:\n"
	"\n"
	"  packages/a:\n"
	"    dependencies:\n"
	"      b:\n"
	"        specifier: workspace:*\n"
	"        version: link:../b\n"
	"      outside:\n"
	"        specifier: link:../../../elsewhere\n"
	"        version: link:../../../elsewhere\n"
	"      react-dom:\n"
	"        specifier: 19.0.0\n"
	"        version: 19.0.0(react@19.0.0)\n"
	"      x:\n"
	"        specifier: npm:lodash@4.17.15\n"
	"        version: lodash@4.17.15\n"
	"      local-thing:\n"
	"        specifier: file:../../local/thing\n"
	"        version: file:local/thing\n"
	"\n"
	"  .:\n"
	"    dependencies:\n"
	"      a:\n"
	"        specifier: workspace:^\n"
	"        version: link:packages/a\n"
	"    devDependencies:\n"
	"      once:\n"
	"        specifier: ^1.4.0\n"
	"        version: 1.4.0\n"
	"\n"
	"  packages/b:\n"
	"    dependencies:\n"
	"      is-odd:\n"
	"        specifier: 'catalog:'\n"
	"        version: 3.0.1(patch_hash=h4sh)\n"
	"    optionalDependencies:\n"
	"      fsevents:\n"
	"        specifier: ^2.3.0\n"
	"        version: 2.3.3\n"
	"\n"
	"packages:\n"
	"\n"
	"  fsevents@2.3.3:\n"
	"    resolution: {integrity: sha512-FSE}\n"
	"    os: [darwin]\n"
	"\n"
	"  is-odd@3.0.1:\n"
	"    resolution: {integrity: sha512-ODD}\n"
	"\n"
	"  local-thing@file:local/thing:\n"
	"    resolution: {directory: local/thing, type: directory}\n"
	"\n"
	"  lodash@4.17.15:\n"
	"    resolution: {integrity: sha512-LODASH}\n"
	"\n"
	"  once@1.4.0:\n"
	"    resolution: {integrity: sha512-ONCE}\n"
	"\n"
	"  react-dom@19.0.0:\n"
	"    resolution: {integrity: sha512-RDOM}\n"
	"    peerDependencies:\n"
	"      react: ^19.0.0\n"
	"\n"
	"  react@19.0.0:\n"
	"    resolution: {integrity: sha512-REACT}\n"
	"\n"
	"  wrappy@1.0.2:\n"
	"    resolution: {integrity: sha512-WRAPPY}\n"
	"\n"
	"snapshots:\n"
	"\n"
	"  fsevents@2.3.3:\n"
	"    optional: true\n"
	"\n"
	"  is-odd@3.0.1(patch_hash=h4sh): {}\n"
	"\n"
	"  local-thing@file:local/thing:\n"
	"    dependencies:\n"
	"      lodash: 4.17.15\n"
	"\n"
	"  lodash@4.17.15: {}\n"
	"\n"
	"  once@1.4.0:\n"
	"    dependencies:\n"
	"      wrappy: 1.0.2\n"
	"\n"
	"  react-dom@19.0.0(react@19.0.0):\n"
	"    dependencies:\n"
	"      react: 19.0.0\n"
	"\n"
	"  react@19.0.0: {}\n"
	"\n"
	"  wrappy@1.0.2: {}\n";

START_TEST(v9_snapshots_take_metadata_from_packages)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v9_workspace), 0);
	ck_assert_uint_eq(t->nwarnings, 0);
	ck_assert(!t->flags_known);
	n = node_at(t, "react-dom@19.0.0(react@19.0.0)");
	ck_assert_str_eq(n->name, "react-dom");
	ck_assert_str_eq(n->version, "19.0.0");
	ck_assert_str_eq(n->integrity, "sha512-RDOM");
	/* packages entries are metadata, not installs */
	ck_assert_uint_eq(tree_find(t, "react-dom@19.0.0", 16), TREE_NONE);
	/* the nearest target: the member, not the root linking to it */
	assert_path(t, "react@19.0.0",
		    "a@ > react-dom@19.0.0 > react@19.0.0");
	tree_free(t);
}
END_TEST

START_TEST(v9_root_importer_comes_first_and_members_link)
{
	struct tree *t;

	ck_assert_int_eq(parse_with(&t, v9_workspace,
				    "{\"name\":\"mono\",\"version\":\"2.0.0\"}"),
			 0);
	ck_assert_str_eq(t->nodes[0].location, "");
	ck_assert_str_eq(t->nodes[0].name, "mono");
	ck_assert_uint_eq(dep_of(t, "", "a")->target,
			  tree_find(t, "packages/a", 10));
	ck_assert_uint_eq(dep_of(t, "packages/a", "b")->target,
			  tree_find(t, "packages/b", 10));
	ck_assert_str_eq(node_at(t, "packages/a")->name, "a");
	/* members are targets: each starts its own paths */
	assert_path(t, "is-odd@3.0.1(patch_hash=h4sh)", "b@ > is-odd@3.0.1");
	tree_free(t);
}
END_TEST

START_TEST(v9_alias_value_names_the_real_package)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v9_workspace), 0);
	n = node_at(t, "lodash@4.17.15");
	ck_assert_str_eq(n->name, "lodash");
	ck_assert_str_eq(n->alias, "x");
	tree_free(t);
}
END_TEST

START_TEST(v9_link_outside_the_workspace_is_a_link_package)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v9_workspace), 0);
	n = node_at(t, "../elsewhere");
	ck_assert_str_eq(n->name, "outside");
	ck_assert_int_eq(n->source, TREE_SOURCE_LINK);
	ck_assert_str_eq(n->resolved, "link:../elsewhere");
	ck_assert(tree_node_is_package(n));
	tree_free(t);
}
END_TEST

START_TEST(v9_file_dependency_and_patch)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t, v9_workspace), 0);
	n = node_at(t, "local-thing@file:local/thing");
	ck_assert_str_eq(n->name, "local-thing");
	ck_assert_str_eq(n->version, "file:local/thing");
	ck_assert_str_eq(n->resolved, "file:local/thing");
	ck_assert_int_eq(n->source, TREE_SOURCE_FILE);
	n = node_at(t, "is-odd@3.0.1(patch_hash=h4sh)");
	ck_assert_str_eq(n->version, "3.0.1");
	ck_assert_str_eq(n->integrity, "sha512-ODD");
	ck_assert_str_eq(n->resolved, "#patch_hash=h4sh");
	tree_free(t);
}
END_TEST

START_TEST(v9_flags_come_from_reachability)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, v9_workspace), 0);
	ck_assert(node_at(t, "once@1.4.0")->flags & TREE_DEV);
	ck_assert(node_at(t, "wrappy@1.0.2")->flags & TREE_DEV);
	ck_assert(node_at(t, "fsevents@2.3.3")->flags & TREE_OPTIONAL);
	ck_assert(!(node_at(t, "lodash@4.17.15")->flags &
		    (TREE_DEV | TREE_OPTIONAL)));
	tree_free(t);
}
END_TEST

START_TEST(v9_patch_by_name_alone)
{
	struct tree *t;

	/* pnpm 10 accepts a bare name in patchedDependencies */
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\n"
		"patchedDependencies:\n"
		"  left-pad: 0123\n"
		"importers:\n"
		"  .:\n"
		"    dependencies:\n"
		"      left-pad: {specifier: ^1.3.0, version: 1.3.0}\n"
		"packages:\n"
		"  left-pad@1.3.0:\n"
		"    resolution: {integrity: sha512-LP, tarball: https://registry.npm.test/left-pad/-/left-pad-1.3.0.tgz}\n"
		"snapshots:\n"
		"  left-pad@1.3.0: {}\n"), 0);
	ck_assert_str_eq(node_at(t, "left-pad@1.3.0")->resolved,
			 "https://registry.npm.test/left-pad/-/left-pad-1.3.0.tgz#patch_hash=0123");
	ck_assert_int_eq(node_at(t, "left-pad@1.3.0")->source,
			 TREE_SOURCE_REGISTRY);
	tree_free(t);
}
END_TEST

START_TEST(v9_scoped_alias_and_peer_suffixed_references)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\n"
		"importers:\n"
		"  .:\n"
		"    dependencies:\n"
		"      y:\n"
		"        specifier: npm:@s/real@1.0.0\n"
		"        version: '@s/real@1.0.0(react@19.0.0)'\n"
		"      react:\n"
		"        specifier: 19.0.0\n"
		"        version: 19.0.0\n"
		"snapshots:\n"
		"  '@s/real@1.0.0(react@19.0.0)':\n"
		"    dependencies:\n"
		"      react: 19.0.0\n"
		"  react@19.0.0: {}\n"), 0);
	/* two snapshots without metadata: one warning each */
	ck_assert_uint_eq(t->nwarnings, 2);
	ck_assert_ptr_nonnull(strstr(t->warnings[0],
				     "t/pnpm-lock.yaml:13:5: snapshot \"@s/real@1.0.0(react@19.0.0)\" has no entry in \"packages\""));
	ck_assert_str_eq(node_at(t, "@s/real@1.0.0(react@19.0.0)")->name,
			 "@s/real");
	ck_assert_str_eq(node_at(t, "@s/real@1.0.0(react@19.0.0)")->alias,
			 "y");
	ck_assert_uint_eq(node_at(t, "@s/real@1.0.0(react@19.0.0)")->depth,
			  1);
	tree_free(t);
}
END_TEST

START_TEST(v9_missing_snapshot_is_a_warning)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\n"
		"importers:\n"
		"  .:\n"
		"    dependencies:\n"
		"      gone: {specifier: ^1.0.0, version: 1.0.0}\n"
		"    optionalDependencies:\n"
		"      opt: {specifier: ^1.0.0, version: 1.0.0}\n"), 0);
	ck_assert_uint_eq(t->nwarnings, 1);
	ck_assert_ptr_nonnull(strstr(t->warnings[0], "\"gone\" ^1.0.0"));
	tree_free(t);
}
END_TEST

START_TEST(v9_without_snapshots_still_lists_packages)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\n"
		"packages:\n"
		"  a@1.0.0:\n"
		"    resolution: {integrity: sha512-A}\n"), 0);
	ck_assert_str_eq(node_at(t, "a@1.0.0")->integrity, "sha512-A");
	ck_assert(node_at(t, "a@1.0.0")->flags & TREE_EXTRANEOUS);
	tree_free(t);
}
END_TEST

START_TEST(links_fold_dot_segments)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\n"
		"importers:\n"
		"  ./tools/x/:\n"
		"    dependencies:\n"
		"      root: {specifier: 'link:../..', version: 'link:../..'}\n"
		"      y: {specifier: 'link:./../y/.', version: 'link:./../y/.'}\n"
		"  tools/y: {}\n"
		"  .: {}\n"), 0);
	ck_assert_uint_eq(dep_of(t, "tools/x", "root")->target,
			  tree_find(t, "", 0));
	ck_assert_uint_eq(dep_of(t, "tools/x", "y")->target,
			  tree_find(t, "tools/y", 7));
	ck_assert_uint_eq(t->nnodes, 3);
	tree_free(t);
}
END_TEST

/* ---- bad input ---- */

START_TEST(malformed_yaml_gives_line_and_column)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "lockfileVersion: '9.0'\nimporters:\n  .: {\n"),
			 WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "t/pnpm-lock.yaml:4:1: "));
	ck_assert_int_eq(parse(&t, ""), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(), "t/pnpm-lock.yaml:1:1: empty document");
	ck_assert_int_eq(parse(&t, "- lockfileVersion\n"), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:1:1: expected a mapping at the top, not array");
}
END_TEST

START_TEST(yaml_aliases_are_refused)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\n"
		"packages:\n"
		"  a@1.0.0: &x {resolution: {integrity: sha512-A}}\n"
		"  b@1.0.0: *x\n"), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "aliases"));
}
END_TEST

START_TEST(wrong_types_are_rejected_with_position)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "lockfileVersion: '9.0'\nimporters: []\n"),
			 WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:2:12: \"importers\" must be a mapping");
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nsnapshots:\n  a@1.0.0: 3\n"),
		WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:3:12: package \"a@1.0.0\" must be a mapping");
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: 5.4\npackages:\n  /a/1.0.0:\n"
		"    dependencies:\n      b: [1]\n"), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:5:10: dependency \"b\" of \"/a/1.0.0\" must be a version");
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '6.0'\ndependencies:\n  a: {specifier: ^1}\n"),
		WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:3:6: dependency \"a\" of importer \".\" has no \"version\"");
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '6.0'\ndependencies:\n  a: [1]\n"),
		WS_EPARSE);
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: 1\n"),
		WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:4:19: \"dependencies\" of \".\" must be a mapping");
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nsnapshots:\n  a@1.0.0: {}\n"
		"packages:\n  a@1.0.0: yes\n"), WS_EPARSE);
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nsnapshots:\n  a@1.0.0: {}\n"
		"packages:\n  a@1.0.0: {resolution: sha}\n"), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(),
				     "\"resolution\" of \"a@1.0.0\" must be a mapping"));
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\npatchedDependencies:\n  a@1.0.0: [x]\n"),
		WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), ":3:12: patch \"a@1.0.0\""));
}
END_TEST

START_TEST(bad_keys_and_names_are_rejected)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nsnapshots:\n  nonsense: {}\n"),
		WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:3:13: bad package key \"nonsense\"");
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: 5.4\npackages:\n  /a:\n    dev: true\n"),
		WS_EPARSE);
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: 5.4\npackages:\n  /../1.0.0: {}\n"),
		WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "bad package name"));
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '6.0'\npackages:\n  file:x:\n    name: 'a/b'\n"),
		WS_EPARSE);
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '6.0'\npackages:\n  file:x: {}\n"),
		WS_EPARSE);
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nsnapshots:\n  '@@1.0.0': {}\n"),
		WS_EPARSE);
}
END_TEST

START_TEST(duplicate_keys_are_rejected)
{
	struct tree *t;

	/* A second entry for the same key could hide the first from a
	 * reader that keeps only one; refuse the file instead. */
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nsnapshots:\n  a@1.0.0: {}\n"
		"  a@1.0.0:\n    dependencies: {evil: 6.6.6}\n"), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:5:5: package \"a@1.0.0\" appears twice");
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nimporters:\n  packages/a: {}\n"
		"  ./packages/a/: {}\n"), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/pnpm-lock.yaml:4:18: importer \"packages/a\" appears twice");
	/* an importer may not take a package's key either */
	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\nimporters:\n  a@1.0.0: {}\n"
		"snapshots:\n  a@1.0.0: {}\n"), WS_EPARSE);
}
END_TEST

START_TEST(limits_are_enforced)
{
	struct tree *t;
	struct strbuf sb;
	int i;

	strbuf_init(&sb, 1u << 24);
	strbuf_addstr(&sb, "lockfileVersion: '9.0'\nimporters:\n  .:\n"
		      "    dependencies:\n      a: {specifier: x, version: '");
	for (i = 0; i < 70000; i++)
		strbuf_addch(&sb, 'v');
	strbuf_addstr(&sb, "'}\n");
	ck_assert_int_eq(parse(&t, sb.buf), WS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(ws_error_last(),
				     "t/pnpm-lock.yaml:5:34: reference \"vvvv"));
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "lockfileVersion: '9.0'\nimporters: ");
	for (i = 0; i < 600; i++)
		strbuf_addch(&sb, '[');
	ck_assert_int_eq(parse(&t, sb.buf), WS_ELIMIT);
	strbuf_release(&sb);
}
END_TEST

START_TEST(dependency_cycle_terminates)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"lockfileVersion: '9.0'\n"
		"importers:\n  .:\n    dependencies:\n"
		"      a: {specifier: '1', version: 1.0.0}\n"
		"snapshots:\n"
		"  a@1.0.0: {dependencies: {b: 1.0.0}}\n"
		"  b@1.0.0: {dependencies: {a: 1.0.0}}\n"
		"packages:\n  a@1.0.0: {}\n  b@1.0.0: {}\n"), 0);
	assert_path(t, "b@1.0.0", "(root)@ > a@1.0.0 > b@1.0.0");
	tree_free(t);
}
END_TEST

/* ---- real lockfiles written by pnpm 7, 8 and 9 ---- */

static void
check_expected(const char *case_name)
{
	check_lockfile_expected("pnpm", case_name, "pnpm-lock.yaml", 0);
}

START_TEST(real_v5_basic) { check_expected("v5-basic"); }
END_TEST
START_TEST(real_v6_basic) { check_expected("v6-basic"); }
END_TEST
START_TEST(real_v9_basic) { check_expected("v9-basic"); }
END_TEST
START_TEST(real_v5_workspace) { check_expected("v5-workspace"); }
END_TEST
START_TEST(real_v6_workspace) { check_expected("v6-workspace"); }
END_TEST
START_TEST(real_v9_workspace) { check_expected("v9-workspace"); }
END_TEST

static struct tree *
load_case(const char *case_name)
{
	char path[1024];
	struct tree *t;

	snprintf(path, sizeof(path), "%s/pnpm/%s/pnpm-lock.yaml", TEST_DATA,
		 case_name);
	ck_assert_msg(lockfile_load(&t, path) == 0, "%s", ws_error_last());
	return t;
}

START_TEST(real_versions_agree_on_paths_and_flags)
{
	static const char *const cases[] = { "v5-basic", "v6-basic",
					     "v9-basic" };
	static const char *const react_dom[] = {
		"/react-dom/18.2.0_react@18.2.0",
		"/react-dom@18.2.0(react@18.2.0)",
		"react-dom@18.2.0(react@18.2.0)",
	};
	static const char *const wrappy[] = {
		"/wrappy/1.0.2", "/wrappy@1.0.2", "wrappy@1.0.2",
	};
	static const char *const is_number[] = {
		"/is-number/7.0.0", "/is-number@7.0.0", "is-number@7.0.0",
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct tree *t = load_case(cases[i]);

		ck_assert_str_eq(node_at(t, "")->name, "pnpm-basic");
		assert_path(t, react_dom[i], "pnpm-basic@1.0.0 > react-dom@18.2.0");
		assert_path(t, wrappy[i],
			    "pnpm-basic@1.0.0 > once@1.4.0 > wrappy@1.0.2");
		ck_assert(node_at(t, wrappy[i])->flags & TREE_DEV);
		ck_assert(node_at(t, is_number[i])->flags & TREE_OPTIONAL);
		ck_assert(!(node_at(t, react_dom[i])->flags &
			    (TREE_DEV | TREE_OPTIONAL)));
		tree_free(t);
	}
}
END_TEST

START_TEST(real_workspace_members_and_alias)
{
	struct tree *t = load_case("v9-workspace");
	const struct tree_node *n;

	ck_assert_str_eq(t->format, "pnpm-lock v9.0");
	ck_assert_str_eq(node_at(t, "")->name, "pnpm-monorepo");
	ck_assert(node_at(t, "packages/b")->flags & TREE_TARGET);
	ck_assert_str_eq(node_at(t, "packages/b")->name, "b");
	n = node_at(t, "lodash@4.17.15");
	ck_assert_str_eq(n->alias, "x");
	ck_assert_uint_eq(n->target, tree_find(t, "packages/a", 10));
	ck_assert_ptr_nonnull(strstr(
		node_at(t, "is-odd@3.0.1(patch_hash=v7cxv6ygnzeb4ng4ppgyexk3ey)")->resolved,
		"#patch_hash=v7cxv6ygnzeb4ng4ppgyexk3ey"));
	assert_path(t, "ms@2.1.3", "b@ > debug@4.4.3 > ms@2.1.3");
	tree_free(t);
}
END_TEST

START_TEST(detect_finds_pnpm_lock)
{
	char dir[1024], **paths = NULL;
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/pnpm/v9-workspace", TEST_DATA);
	ck_assert_uint_eq(lockfile_detect(&paths, &n, dir, 0), 1);
	ck_assert_ptr_nonnull(strstr(paths[0], "pnpm-lock.yaml"));
	ck_assert_int_eq(lockfile_kind_of(paths[0]), LOCKFILE_PNPM);
	free(paths[0]);
	free(paths);
}
END_TEST

static Suite *
pnpm_suite(void)
{
	Suite *s = suite_create("pnpm");
	TCase *tc;

	tc = tcase_create("version");
	tcase_add_test(tc, version_texts_name_the_format);
	tcase_add_test(tc, unsupported_version_names_supported_ones);
	tcase_add_test(tc, missing_or_odd_version_is_a_parse_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("v5");
	tcase_add_test(tc, v5_single_project_reads_top_level_sections);
	tcase_add_test(tc, v5_alias_is_the_real_package);
	tcase_add_test(tc, v5_recorded_flags_are_kept);
	tcase_add_test(tc, v5_npm_alias_reference_and_registry_host_keys);
	tcase_add_test(tc, v5_importers_are_targets_and_links_are_relative);
	tcase_add_test(tc, v5_file_dependency_uses_its_recorded_version);
	tcase_add_test(tc, v5_patched_package_gets_its_hash);
	suite_add_tcase(s, tc);

	tc = tcase_create("v6");
	tcase_add_test(tc, v6_scoped_keys_with_scoped_peers);
	tcase_add_test(tc, v6_alias_and_git_entries);
	tcase_add_test(tc, v6_file_dependency_keeps_its_reference);
	tcase_add_test(tc, v6_git_resolution_is_a_git_source);
	suite_add_tcase(s, tc);

	tc = tcase_create("v9");
	tcase_add_test(tc, v9_snapshots_take_metadata_from_packages);
	tcase_add_test(tc, v9_root_importer_comes_first_and_members_link);
	tcase_add_test(tc, v9_alias_value_names_the_real_package);
	tcase_add_test(tc, v9_link_outside_the_workspace_is_a_link_package);
	tcase_add_test(tc, v9_file_dependency_and_patch);
	tcase_add_test(tc, v9_flags_come_from_reachability);
	tcase_add_test(tc, v9_patch_by_name_alone);
	tcase_add_test(tc, v9_scoped_alias_and_peer_suffixed_references);
	tcase_add_test(tc, v9_missing_snapshot_is_a_warning);
	tcase_add_test(tc, v9_without_snapshots_still_lists_packages);
	tcase_add_test(tc, links_fold_dot_segments);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_input");
	tcase_add_test(tc, malformed_yaml_gives_line_and_column);
	tcase_add_test(tc, yaml_aliases_are_refused);
	tcase_add_test(tc, wrong_types_are_rejected_with_position);
	tcase_add_test(tc, bad_keys_and_names_are_rejected);
	tcase_add_test(tc, duplicate_keys_are_rejected);
	tcase_add_test(tc, limits_are_enforced);
	tcase_add_test(tc, dependency_cycle_terminates);
	suite_add_tcase(s, tc);

	tc = tcase_create("real");
	tcase_add_test(tc, real_v5_basic);
	tcase_add_test(tc, real_v6_basic);
	tcase_add_test(tc, real_v9_basic);
	tcase_add_test(tc, real_v5_workspace);
	tcase_add_test(tc, real_v6_workspace);
	tcase_add_test(tc, real_v9_workspace);
	tcase_add_test(tc, real_versions_agree_on_paths_and_flags);
	tcase_add_test(tc, real_workspace_members_and_alias);
	tcase_add_test(tc, detect_finds_pnpm_lock);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pnpm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
