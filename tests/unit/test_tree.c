/* The inventory model: resolution, flags, paths, grouping. */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree/tree.h"
#include "util/error.h"

static uint32_t
add(struct tree *t, const char *loc, const char *name, const char *version)
{
	uint32_t i;

	ck_assert_int_eq(tree_add_node(t, loc, &i), 0);
	t->nodes[i].name = tree_strdup(t, name);
	t->nodes[i].version = tree_strdup(t, version);
	return i;
}

static void
dep(struct tree *t, uint32_t from, const char *name, enum tree_dep_kind k)
{
	ck_assert_int_eq(tree_add_dep(t, from, name, "*", k), 0);
}

static uint32_t
at(const struct tree *t, const char *loc)
{
	uint32_t i = tree_find(t, loc, strlen(loc));

	ck_assert_msg(i != TREE_NONE, "no node at %s", loc);
	return i;
}

START_TEST(lookup_prefers_nearest_node_modules)
{
	struct tree *t;
	uint32_t r, a;

	tree_new(&t, "f", "test");
	r = add(t, "", "root", "1.0.0");
	dep(t, r, "a", TREE_DEP_PROD);
	dep(t, r, "c", TREE_DEP_PROD);
	a = add(t, "node_modules/a", "a", "1.0.0");
	dep(t, a, "c", TREE_DEP_PROD);
	add(t, "node_modules/a/node_modules/c", "c", "2.0.0");
	add(t, "node_modules/c", "c", "1.0.0");
	tree_resolve(t);
	ck_assert_uint_eq(t->deps[t->nodes[a].deps].target,
			  at(t, "node_modules/a/node_modules/c"));
	ck_assert_uint_eq(t->deps[t->nodes[r].deps + 1].target,
			  at(t, "node_modules/c"));
	tree_free(t);
}
END_TEST

START_TEST(lookup_skips_node_modules_dirs_and_walks_to_root)
{
	struct tree *t;
	uint32_t b;

	/* b at node_modules/a/node_modules/b needs x, installed only at the
	 * top: Node skips ".../node_modules/node_modules/x". */
	tree_new(&t, "f", "test");
	add(t, "", "root", "1.0.0");
	add(t, "node_modules/a", "a", "1.0.0");
	b = add(t, "node_modules/a/node_modules/b", "b", "1.0.0");
	dep(t, b, "x", TREE_DEP_PROD);
	add(t, "node_modules/x", "x", "1.0.0");
	tree_resolve(t);
	ck_assert_uint_eq(t->deps[t->nodes[b].deps].target,
			  at(t, "node_modules/x"));
	tree_free(t);
}
END_TEST

START_TEST(scoped_names_resolve)
{
	struct tree *t;
	uint32_t r;

	tree_new(&t, "f", "test");
	r = add(t, "", "root", "1.0.0");
	dep(t, r, "@s/p", TREE_DEP_PROD);
	add(t, "node_modules/@s/p", "@s/p", "1.0.0");
	tree_resolve(t);
	ck_assert_uint_eq(t->deps[0].target, at(t, "node_modules/@s/p"));
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(links_are_followed_and_not_packages)
{
	struct tree *t;
	uint32_t r, l;

	tree_new(&t, "f", "test");
	tree_add_workspace(t, "./packages/*/");
	r = add(t, "", "root", "1.0.0");
	dep(t, r, "w", TREE_DEP_PROD);
	l = add(t, "node_modules/w", "w", NULL);
	t->nodes[l].flags |= TREE_LINK;
	t->nodes[l].link = tree_strdup(t, "packages/w");
	add(t, "packages/w", "w", "0.1.0");
	tree_resolve(t);
	ck_assert_uint_eq(t->deps[0].target, at(t, "packages/w"));
	ck_assert(!tree_node_is_package(&t->nodes[l]));
	ck_assert(t->nodes[at(t, "packages/w")].flags & TREE_TARGET);
	ck_assert(tree_is_workspace(t, "packages/w"));
	ck_assert(!tree_is_workspace(t, "packages/w/sub"));
	ck_assert(!tree_is_workspace(t, "other/w"));
	tree_free(t);
}
END_TEST

START_TEST(flags_derived_from_reachability)
{
	struct tree *t;
	uint32_t r, p, d, o;

	tree_new(&t, "f", "test");
	r = add(t, "", "root", "1.0.0");
	dep(t, r, "p", TREE_DEP_PROD);
	dep(t, r, "d", TREE_DEP_DEV);
	dep(t, r, "o", TREE_DEP_OPTIONAL);
	p = add(t, "node_modules/p", "p", "1.0.0");
	dep(t, p, "shared", TREE_DEP_PROD);
	d = add(t, "node_modules/d", "d", "1.0.0");
	dep(t, d, "devonly", TREE_DEP_PROD);
	dep(t, d, "shared", TREE_DEP_PROD);
	dep(t, d, "both", TREE_DEP_PROD);
	o = add(t, "node_modules/o", "o", "1.0.0");
	dep(t, o, "both", TREE_DEP_PROD);
	add(t, "node_modules/shared", "shared", "1.0.0");
	add(t, "node_modules/devonly", "devonly", "1.0.0");
	add(t, "node_modules/both", "both", "1.0.0");
	add(t, "node_modules/stray", "stray", "1.0.0");
	tree_resolve(t);
	ck_assert_uint_eq(t->nodes[p].flags & (TREE_DEV | TREE_OPTIONAL), 0);
	ck_assert(t->nodes[d].flags & TREE_DEV);
	ck_assert(t->nodes[o].flags & TREE_OPTIONAL);
	ck_assert_uint_eq(t->nodes[at(t, "node_modules/shared")].flags &
				  (TREE_DEV | TREE_OPTIONAL),
			  0);
	ck_assert(t->nodes[at(t, "node_modules/devonly")].flags & TREE_DEV);
	ck_assert(t->nodes[at(t, "node_modules/both")].flags &
		  TREE_DEVOPTIONAL);
	ck_assert(t->nodes[at(t, "node_modules/stray")].flags &
		  TREE_EXTRANEOUS);
	tree_free(t);
}
END_TEST

START_TEST(known_flags_are_kept)
{
	struct tree *t;
	uint32_t r, a;

	tree_new(&t, "f", "test");
	t->flags_known = 1;
	r = add(t, "", "root", "1.0.0");
	dep(t, r, "a", TREE_DEP_PROD);
	a = add(t, "node_modules/a", "a", "1.0.0");
	t->nodes[a].flags = TREE_DEV;
	tree_resolve(t);
	ck_assert(t->nodes[a].flags & TREE_DEV);
	tree_free(t);
}
END_TEST

START_TEST(path_is_shortest_and_capped_at_the_tail)
{
	struct tree *t;
	uint32_t prev, nodes[4], cur = 0;
	char loc[64], name[16];
	int i;

	/* root -> n0 -> n1 -> ... -> n99, plus root -> n50 directly */
	tree_new(&t, "f", "test");
	prev = add(t, "", "root", "1.0.0");
	dep(t, prev, "n0", TREE_DEP_PROD);
	dep(t, prev, "n50", TREE_DEP_PROD);
	for (i = 0; i < 100; i++) {
		snprintf(loc, sizeof(loc), "node_modules/n%d", i);
		snprintf(name, sizeof(name), "n%d", i);
		cur = add(t, loc, name, "1.0.0");
		if (i < 99) {
			snprintf(name, sizeof(name), "n%d", i + 1);
			dep(t, cur, name, TREE_DEP_PROD);
		}
	}
	tree_resolve(t);
	/* n99 is 50 edges from root through n50, not 100 */
	ck_assert_uint_eq(tree_path(t, cur, nodes, 4), 51);
	ck_assert_uint_eq(nodes[3], cur);
	ck_assert_str_eq(t->nodes[nodes[0]].name, "n96");
	ck_assert_uint_eq(tree_path(t, at(t, "node_modules/n50"), nodes, 4), 2);
	ck_assert_uint_eq(nodes[0], at(t, ""));
	tree_free(t);
}
END_TEST

START_TEST(wide_graph_paths_stay_linear)
{
	struct tree *t;
	uint32_t r, nodes[8];
	char loc[64], name[32];
	int i;

	/* 50,000 direct dependencies and 50,000 packages depending on each
	 * other's neighbours: one BFS, no path enumeration. */
	tree_new(&t, "f", "test");
	r = add(t, "", "root", "1.0.0");
	for (i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		dep(t, r, name, TREE_DEP_PROD);
	}
	for (i = 0; i < 50000; i++) {
		uint32_t n;

		snprintf(loc, sizeof(loc), "node_modules/p%d", i);
		snprintf(name, sizeof(name), "p%d", i);
		n = add(t, loc, name, "1.0.0");
		snprintf(name, sizeof(name), "p%d", (i + 1) % 50000);
		dep(t, n, name, TREE_DEP_PROD);
		snprintf(name, sizeof(name), "p%d", (i + 7) % 50000);
		dep(t, n, name, TREE_DEP_PROD);
	}
	tree_resolve(t);
	ck_assert_uint_eq(tree_path(t, at(t, "node_modules/p777"), nodes, 8), 2);
	tree_free(t);
}
END_TEST

START_TEST(duplicate_location_fails)
{
	struct tree *t;
	uint32_t i;

	tree_new(&t, "f", "test");
	ck_assert_int_eq(tree_add_node(t, "node_modules/a", &i), 0);
	ck_assert_int_eq(tree_add_node(t, "node_modules/a", &i), WS_EPARSE);
	tree_free(t);
}
END_TEST

START_TEST(source_from_resolved_classifies)
{
	ck_assert_int_eq(tree_source_from_resolved(NULL), TREE_SOURCE_REGISTRY);
	ck_assert_int_eq(tree_source_from_resolved("https://registry.npm.test/a/-/a-1.0.0.tgz"),
			 TREE_SOURCE_REGISTRY);
	ck_assert_int_eq(tree_source_from_resolved("git+ssh://git@example.test/o/r.git#abc"),
			 TREE_SOURCE_GIT);
	ck_assert_int_eq(tree_source_from_resolved("https://example.test/x.tgz"),
			 TREE_SOURCE_TARBALL);
	ck_assert_int_eq(tree_source_from_resolved("file:vendor/x.tgz"),
			 TREE_SOURCE_FILE);
	ck_assert_str_eq(tree_source_name(TREE_SOURCE_WORKSPACE), "workspace");
}
END_TEST

START_TEST(inventory_groups_by_name_and_version)
{
	struct tree *t1, *t2;
	struct tree_inv inv;
	uint32_t r;

	tree_new(&t1, "one", "test");
	r = add(t1, "", "root", "1.0.0");
	dep(t1, r, "a", TREE_DEP_PROD);
	add(t1, "node_modules/a", "a", "1.10.0");
	add(t1, "node_modules/b/node_modules/a", "a", "1.9.0");
	tree_resolve(t1);
	tree_new(&t2, "two", "test");
	r = add(t2, "", "root2", "1.0.0");
	dep(t2, r, "x", TREE_DEP_DEV);
	r = add(t2, "node_modules/x", "a", "1.10.0");
	t2->nodes[r].alias = tree_strdup(t2, "x");
	tree_resolve(t2);
	tree_inv_init(&inv);
	tree_inv_add(&inv, t1);
	tree_inv_add(&inv, t2);
	tree_inv_index(&inv);
	ck_assert_uint_eq(inv.npkgs, 2);
	/* numeric order: 1.9.0 before 1.10.0 */
	ck_assert_str_eq(inv.pkgs[0].version, "1.9.0");
	ck_assert_str_eq(inv.pkgs[1].version, "1.10.0");
	ck_assert_uint_eq(inv.pkgs[1].nlocs, 2);
	ck_assert_ptr_eq(inv.pkgs[1].locs[1].tree, t2);
	/* dev in one input, not the other: not dev everywhere */
	ck_assert(!(inv.pkgs[1].flags_all & TREE_DEV));
	ck_assert(inv.pkgs[1].flags_any & TREE_DEV);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(warnings_are_capped)
{
	struct tree *t;
	int i;

	tree_new(&t, "f", "test");
	for (i = 0; i < TREE_WARNINGS_MAX + 5; i++)
		tree_warn(t, "w%d", i);
	ck_assert_uint_eq(t->nwarnings, TREE_WARNINGS_MAX);
	ck_assert_uint_eq(t->warnings_dropped, 5);
	tree_free(t);
}
END_TEST

static Suite *
tree_suite(void)
{
	Suite *s = suite_create("tree");
	TCase *tc;

	tc = tcase_create("resolve");
	tcase_add_test(tc, lookup_prefers_nearest_node_modules);
	tcase_add_test(tc, lookup_skips_node_modules_dirs_and_walks_to_root);
	tcase_add_test(tc, scoped_names_resolve);
	tcase_add_test(tc, links_are_followed_and_not_packages);
	tcase_add_test(tc, duplicate_location_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("flags");
	tcase_add_test(tc, flags_derived_from_reachability);
	tcase_add_test(tc, known_flags_are_kept);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_test(tc, path_is_shortest_and_capped_at_the_tail);
	tcase_add_test(tc, wide_graph_paths_stay_linear);
	suite_add_tcase(s, tc);

	tc = tcase_create("inventory");
	tcase_add_test(tc, source_from_resolved_classifies);
	tcase_add_test(tc, inventory_groups_by_name_and_version);
	tcase_add_test(tc, warnings_are_capped);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tree_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
