/* npm lockfile reader: v1, v2, v3, shrinkwrap, hidden lockfile. */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockfile/lockfile.h"
#include "treecheck.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Parses a lockfile held in a string literal (copied: parsing is in situ). */
static int
parse(struct tree **out, const char *text, enum lockfile_kind kind)
{
	char *buf = xstrdup(text);
	int err = lockfile_parse_npm(out, buf, strlen(buf), "t/package-lock.json",
				     kind);

	if (!err) {
		/* the tree borrows from the buffer: hand it over */
		tree_own(*out, buf);
		tree_resolve(*out);
	} else {
		free(buf);
	}
	return err;
}

static const char v3_nested[] =
	"{\"name\":\"app\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\n"
	" \"packages\":{\n"
	"  \"\":{\"name\":\"app\",\"version\":\"1.0.0\",\n"
	"       \"dependencies\":{\"a\":\"^1\",\"b\":\"^1\"},\n"
	"       \"devDependencies\":{\"d\":\"^1\"}},\n"
	"  \"node_modules/a\":{\"version\":\"1.0.0\",\"dependencies\":{\"c\":\"^2\"},\n"
	"       \"resolved\":\"https://registry.npm.test/a/-/a-1.0.0.tgz\",\"integrity\":\"sha512-AAAA\"},\n"
	"  \"node_modules/a/node_modules/c\":{\"version\":\"2.0.0\"},\n"
	"  \"node_modules/b\":{\"version\":\"1.0.0\",\"dependencies\":{\"c\":\"^1\"}},\n"
	"  \"node_modules/c\":{\"version\":\"1.0.0\"},\n"
	"  \"node_modules/d\":{\"version\":\"1.0.0\",\"dev\":true}\n"
	" }}\n";

START_TEST(v3_resolves_nested_before_hoisted)
{
	struct tree *t;
	char *p;

	ck_assert_int_eq(parse(&t, v3_nested, LOCKFILE_NPM), 0);
	ck_assert_str_eq(t->format, "package-lock v3");
	p = path_str(t, "node_modules/a/node_modules/c");
	ck_assert_str_eq(p, "app@1.0.0 > a@1.0.0 > c@2.0.0");
	free(p);
	p = path_str(t, "node_modules/c");
	ck_assert_str_eq(p, "app@1.0.0 > b@1.0.0 > c@1.0.0");
	free(p);
	ck_assert_str_eq(node_at(t, "node_modules/a")->integrity, "sha512-AAAA");
	ck_assert(node_at(t, "node_modules/d")->flags & TREE_DEV);
	ck_assert(node_at(t, "")->flags & TREE_TARGET);
	ck_assert_uint_eq(t->nwarnings, 0);
	tree_free(t);
}
END_TEST

START_TEST(v3_alias_keeps_real_name)
{
	struct tree *t;
	const struct tree_node *n;

	ck_assert_int_eq(parse(&t,
		"{\"lockfileVersion\":3,\"packages\":{\"\":{\"dependencies\":{\"x\":\"npm:lodash@4.17.15\"}},"
		"\"node_modules/x\":{\"name\":\"lodash\",\"version\":\"4.17.15\"}}}",
		LOCKFILE_NPM), 0);
	n = node_at(t, "node_modules/x");
	ck_assert_str_eq(n->name, "lodash");
	ck_assert_str_eq(n->alias, "x");
	ck_assert_uint_eq(n->depth, 1);
	tree_free(t);
}
END_TEST

START_TEST(v3_workspace_members_are_targets)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"{\"lockfileVersion\":3,\"packages\":{"
		"\"\":{\"name\":\"root\",\"workspaces\":[\"packages/*\"]},"
		"\"node_modules/a\":{\"resolved\":\"packages/a\",\"link\":true},"
		"\"node_modules/dep\":{\"version\":\"1.0.0\"},"
		"\"packages/a\":{\"name\":\"a\",\"version\":\"0.1.0\",\"dependencies\":{\"dep\":\"^1\"},"
		"  \"devDependencies\":{\"dep\":\"^1\"}}}}",
		LOCKFILE_NPM), 0);
	ck_assert(node_at(t, "packages/a")->flags & TREE_TARGET);
	ck_assert_int_eq(node_at(t, "packages/a")->source,
			 TREE_SOURCE_WORKSPACE);
	ck_assert(node_at(t, "node_modules/a")->flags & TREE_LINK);
	ck_assert(!tree_node_is_package(node_at(t, "packages/a")));
	/* the member's own dependency hangs off the member */
	ck_assert_uint_eq(node_at(t, "node_modules/dep")->depth, 1);
	ck_assert_uint_eq(node_at(t, "node_modules/dep")->target,
			  tree_find(t, "packages/a", 10));
	tree_free(t);
}
END_TEST

START_TEST(v3_link_outside_workspaces_is_a_link_package)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"{\"lockfileVersion\":3,\"packages\":{"
		"\"\":{\"dependencies\":{\"local\":\"file:local\"}},"
		"\"local\":{\"name\":\"local\",\"version\":\"0.1.0\"},"
		"\"node_modules/local\":{\"resolved\":\"local\",\"link\":true}}}",
		LOCKFILE_NPM), 0);
	ck_assert(tree_node_is_package(node_at(t, "local")));
	ck_assert_int_eq(node_at(t, "local")->source, TREE_SOURCE_LINK);
	ck_assert_uint_eq(node_at(t, "local")->depth, 1);
	tree_free(t);
}
END_TEST

START_TEST(v3_missing_dependency_is_a_warning)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"{\"lockfileVersion\":3,\"packages\":{\"\":{\"dependencies\":{\"gone\":\"^1\"},"
		"\"optionalDependencies\":{\"opt\":\"^1\"}}}}",
		LOCKFILE_NPM), 0);
	ck_assert_uint_eq(t->nwarnings, 1);
	ck_assert_ptr_nonnull(strstr(t->warnings[0], "\"gone\""));
	tree_free(t);
}
END_TEST

START_TEST(v2_packages_win_over_dependencies)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"{\"lockfileVersion\":2,\"packages\":{\"\":{\"dependencies\":{\"a\":\"1\"}},"
		"\"node_modules/a\":{\"version\":\"1.0.0\"}},"
		"\"dependencies\":{\"a\":{\"version\":\"9.9.9\"}}}",
		LOCKFILE_NPM), 0);
	ck_assert_str_eq(node_at(t, "node_modules/a")->version, "1.0.0");
	ck_assert_uint_eq(t->nnodes, 2);
	tree_free(t);
}
END_TEST

START_TEST(v2_without_packages_is_rejected)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "{\"lockfileVersion\":2,\"dependencies\":{}}",
			       LOCKFILE_NPM), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "\"packages\""));
}
END_TEST

static const char v1_lock[] =
	"{\"name\":\"old\",\"version\":\"2.0.0\",\"lockfileVersion\":1,\"requires\":true,\n"
	" \"dependencies\":{\n"
	"  \"a\":{\"version\":\"1.0.0\",\"requires\":{\"c\":\"^2.0.0\"},\n"
	"       \"dependencies\":{\"c\":{\"version\":\"2.0.0\"}}},\n"
	"  \"b\":{\"version\":\"1.0.0\",\"dev\":true,\"requires\":{\"c\":\"^1.0.0\"}},\n"
	"  \"c\":{\"version\":\"1.0.0\",\"dev\":true},\n"
	"  \"x\":{\"version\":\"npm:lodash@4.17.15\"}\n"
	" }}\n";

START_TEST(v1_nested_dependencies_become_locations)
{
	struct tree *t;
	char *p;

	ck_assert_int_eq(parse(&t, v1_lock, LOCKFILE_NPM), 0);
	ck_assert_str_eq(t->format, "package-lock v1");
	ck_assert_str_eq(node_at(t, "")->name, "old");
	p = path_str(t, "node_modules/a/node_modules/c");
	ck_assert_str_eq(p, "old@2.0.0 > a@1.0.0 > c@2.0.0");
	free(p);
	ck_assert(node_at(t, "node_modules/c")->flags & TREE_DEV);
	ck_assert_str_eq(node_at(t, "node_modules/x")->name, "lodash");
	ck_assert_str_eq(node_at(t, "node_modules/x")->version, "4.17.15");
	ck_assert_str_eq(node_at(t, "node_modules/x")->alias, "x");
	tree_free(t);
}
END_TEST

START_TEST(v1_without_version_field_is_v1)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "{\"dependencies\":{\"a\":{\"version\":\"1.0.0\"}}}",
			       LOCKFILE_NPM), 0);
	ck_assert_str_eq(t->format, "package-lock v1");
	tree_free(t);
}
END_TEST

START_TEST(hidden_lockfile_gets_a_root)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"{\"name\":\"p\",\"lockfileVersion\":3,\"packages\":{"
		"\"node_modules/a\":{\"version\":\"1.0.0\",\"dependencies\":{\"b\":\"1\"}},"
		"\"node_modules/b\":{\"version\":\"1.0.0\"}}}",
		LOCKFILE_NPM_HIDDEN), 0);
	ck_assert(node_at(t, "")->flags & TREE_TARGET);
	ck_assert_uint_eq(node_at(t, "node_modules/a")->depth, 1);
	/* without package.json, every top-level entry counts as direct */
	ck_assert_uint_eq(node_at(t, "node_modules/b")->depth, 1);
	tree_free(t);
}
END_TEST

START_TEST(unsupported_version_names_supported_ones)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "{\"lockfileVersion\": 99, \"packages\": {}}",
			       LOCKFILE_NPM), WS_EUNSUPPORTED);
	ck_assert_str_eq(ws_error_last(),
			 "t/package-lock.json:1:21: lockfileVersion 99 is not supported (wormsign reads versions 1, 2 and 3)");
}
END_TEST

START_TEST(malformed_json_gives_line_and_column)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "{\n  \"lockfileVersion\": 3,\n  \"packages\" {}\n}",
			       LOCKFILE_NPM), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "t/package-lock.json:3:14: expected ':' after object key");
}
END_TEST

START_TEST(wrong_types_are_rejected_with_position)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "{\"lockfileVersion\":3,\"packages\":[]}",
			       LOCKFILE_NPM), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), ":1:33: \"packages\" must be an object"));
	ck_assert_int_eq(parse(&t, "{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version\":1}}}",
			       LOCKFILE_NPM), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "\"version\" must be a string"));
	ck_assert_int_eq(parse(&t, "{\"lockfileVersion\":\"3\"}", LOCKFILE_NPM),
			 WS_EPARSE);
	ck_assert_int_eq(parse(&t, "[]", LOCKFILE_NPM), WS_EPARSE);
	ck_assert_int_eq(parse(&t, "{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"dependencies\":{\"b\":[]}}}}",
			       LOCKFILE_NPM), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "must be a string"));
}
END_TEST

START_TEST(duplicate_location_is_rejected)
{
	struct tree *t;

	/* A second entry for the same location could hide the first from a
	 * reader that keeps only one; refuse the file instead. */
	ck_assert_int_eq(parse(&t,
		"{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version\":\"1.0.0\"},\n"
		"\"node_modules/a\":{\"version\":\"6.6.6\"}}}",
		LOCKFILE_NPM), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), ":2:18: package location \"node_modules/a\" appears twice"));
}
END_TEST

START_TEST(link_without_resolved_is_rejected)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"link\":true}}}",
			       LOCKFILE_NPM), WS_EPARSE);
}
END_TEST

START_TEST(bad_names_are_rejected)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t, "{\"lockfileVersion\":3,\"packages\":{\"node_modules/../../etc\":{}}}",
			       LOCKFILE_NPM), WS_EPARSE);
	ck_assert_int_eq(parse(&t, "{\"dependencies\":{\"a/b\":{\"version\":\"1.0.0\"}}}",
			       LOCKFILE_NPM), WS_EPARSE);
}
END_TEST

START_TEST(link_cycle_does_not_hang)
{
	struct tree *t;

	ck_assert_int_eq(parse(&t,
		"{\"lockfileVersion\":3,\"packages\":{\"\":{\"dependencies\":{\"a\":\"1\"}},"
		"\"node_modules/a\":{\"resolved\":\"node_modules/b\",\"link\":true},"
		"\"node_modules/b\":{\"resolved\":\"node_modules/a\",\"link\":true}}}",
		LOCKFILE_NPM), 0);
	ck_assert_uint_eq(t->nwarnings, 1);
	tree_free(t);
}
END_TEST

START_TEST(dependency_cycle_terminates)
{
	struct tree *t;
	char *p;

	ck_assert_int_eq(parse(&t,
		"{\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"r\",\"dependencies\":{\"a\":\"1\"}},"
		"\"node_modules/a\":{\"version\":\"1.0.0\",\"dependencies\":{\"b\":\"1\"}},"
		"\"node_modules/b\":{\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"1\"}}}}",
		LOCKFILE_NPM), 0);
	p = path_str(t, "node_modules/b");
	ck_assert_str_eq(p, "r@ > a@1.0.0 > b@1.0.0");
	free(p);
	tree_free(t);
}
END_TEST

/* ---- real lockfiles written by npm ---- */

static void
check_expected(const char *case_name, const char *lockname)
{
	check_lockfile_expected("npm", case_name, lockname, 0);
}

START_TEST(real_v3) { check_expected("v3-basic", "package-lock.json"); }
END_TEST
START_TEST(real_v2) { check_expected("v2", "package-lock.json"); }
END_TEST
START_TEST(real_v1) { check_expected("v1", "package-lock.json"); }
END_TEST
START_TEST(real_alias) { check_expected("alias", "package-lock.json"); }
END_TEST
START_TEST(real_workspaces) { check_expected("workspaces", "package-lock.json"); }
END_TEST
START_TEST(real_file_deps) { check_expected("file-deps", "package-lock.json"); }
END_TEST
START_TEST(real_shrinkwrap) { check_expected("shrinkwrap", "npm-shrinkwrap.json"); }
END_TEST
START_TEST(real_bundled) { check_expected("bundled", "package-lock.json"); }
END_TEST
START_TEST(real_peer) { check_expected("peer", "package-lock.json"); }
END_TEST
START_TEST(real_hidden) { check_expected("v3-basic", "node_modules/.package-lock.json"); }
END_TEST

START_TEST(real_v1_and_v3_agree_on_paths)
{
	char p1[1024], p3[1024];
	struct tree *t1, *t3;
	char *a, *b;

	snprintf(p1, sizeof(p1), "%s/npm/v1/package-lock.json", TEST_DATA);
	snprintf(p3, sizeof(p3), "%s/npm/v2/package-lock.json", TEST_DATA);
	ck_assert_int_eq(lockfile_load(&t1, p1), 0);
	ck_assert_int_eq(lockfile_load(&t3, p3), 0);
	/* the v1 root's direct dependencies come from its package.json */
	ck_assert_uint_eq(t1->nodes[tree_find(t1, "", 0)].ndeps,
			  t3->nodes[tree_find(t3, "", 0)].ndeps);
	a = path_str(t1, "node_modules/ms");
	b = path_str(t3, "node_modules/ms");
	ck_assert_ptr_nonnull(strstr(a, " > ms@"));
	tree_free(t1);
	tree_free(t3);
	free(a);
	free(b);
}
END_TEST

START_TEST(real_v3_flags_match_lockfile)
{
	char p[1024];
	struct tree *t;

	snprintf(p, sizeof(p), "%s/npm/v3-basic/package-lock.json", TEST_DATA);
	ck_assert_int_eq(lockfile_load(&t, p), 0);
	ck_assert(node_at(t, "node_modules/once")->flags & TREE_DEV);
	ck_assert(node_at(t, "node_modules/is-number")->flags & TREE_OPTIONAL);
	ck_assert(!(node_at(t, "node_modules/chalk")->flags & (TREE_DEV | TREE_OPTIONAL)));
	tree_free(t);
}
END_TEST

START_TEST(detect_prefers_shrinkwrap)
{
	char dir[1024], **paths = NULL;
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/npm/shrinkwrap", TEST_DATA);
	ck_assert_uint_eq(lockfile_detect(&paths, &n, dir, 0), 1);
	ck_assert_ptr_nonnull(strstr(paths[0], "npm-shrinkwrap.json"));
	free(paths[0]);
	free(paths);
	ck_assert_int_eq(lockfile_kind_of("x/node_modules/.package-lock.json"),
			 LOCKFILE_NPM_HIDDEN);
	ck_assert_int_eq(lockfile_kind_of("yarn.lock"), LOCKFILE_YARN);
	ck_assert_int_eq(lockfile_kind_of("package.json"), LOCKFILE_UNKNOWN);
}
END_TEST

START_TEST(load_refuses_unknown_file_names)
{
	struct tree *t;

	ck_assert_int_eq(lockfile_load(&t, "/etc/passwd"), WS_EUNSUPPORTED);
	ck_assert_int_eq(lockfile_load(&t, "/nonexistent/package-lock.json"),
			 WS_ENOTFOUND);
}
END_TEST

static Suite *
npm_suite(void)
{
	Suite *s = suite_create("npm");
	TCase *tc;

	tc = tcase_create("v3");
	tcase_add_test(tc, v3_resolves_nested_before_hoisted);
	tcase_add_test(tc, v3_alias_keeps_real_name);
	tcase_add_test(tc, v3_workspace_members_are_targets);
	tcase_add_test(tc, v3_link_outside_workspaces_is_a_link_package);
	tcase_add_test(tc, v3_missing_dependency_is_a_warning);
	suite_add_tcase(s, tc);

	tc = tcase_create("v2_v1_hidden");
	tcase_add_test(tc, v2_packages_win_over_dependencies);
	tcase_add_test(tc, v2_without_packages_is_rejected);
	tcase_add_test(tc, v1_nested_dependencies_become_locations);
	tcase_add_test(tc, v1_without_version_field_is_v1);
	tcase_add_test(tc, hidden_lockfile_gets_a_root);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_input");
	tcase_add_test(tc, unsupported_version_names_supported_ones);
	tcase_add_test(tc, malformed_json_gives_line_and_column);
	tcase_add_test(tc, wrong_types_are_rejected_with_position);
	tcase_add_test(tc, duplicate_location_is_rejected);
	tcase_add_test(tc, link_without_resolved_is_rejected);
	tcase_add_test(tc, bad_names_are_rejected);
	tcase_add_test(tc, link_cycle_does_not_hang);
	tcase_add_test(tc, dependency_cycle_terminates);
	tcase_add_test(tc, load_refuses_unknown_file_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("real");
	tcase_add_test(tc, real_v3);
	tcase_add_test(tc, real_v2);
	tcase_add_test(tc, real_v1);
	tcase_add_test(tc, real_alias);
	tcase_add_test(tc, real_workspaces);
	tcase_add_test(tc, real_file_deps);
	tcase_add_test(tc, real_shrinkwrap);
	tcase_add_test(tc, real_bundled);
	tcase_add_test(tc, real_peer);
	tcase_add_test(tc, real_hidden);
	tcase_add_test(tc, real_v1_and_v3_agree_on_paths);
	tcase_add_test(tc, real_v3_flags_match_lockfile);
	tcase_add_test(tc, detect_prefers_shrinkwrap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(npm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
