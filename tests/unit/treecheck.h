#ifndef WS_TESTS_TREECHECK_H
#define WS_TESTS_TREECHECK_H

/*
 * Assertions on inventory trees shared by the reader tests (npm, yarn,
 * pnpm, bun, the walker). Each fails the current Check test with a message
 * naming what was missing.
 */

#include <stdint.h>

#include "tree/tree.h"

/* The node at loc (asserted to exist), or its index. */
const struct tree_node *node_at(const struct tree *t, const char *loc);
uint32_t idx_at(const struct tree *t, const char *loc);

/* "a@1 > b@2" for the shortest path to the node at loc (free it). */
char *path_str(const struct tree *t, const char *loc);
void assert_path(const struct tree *t, const char *loc, const char *want);

/* The edge of the node at loc named name (asserted to exist). */
const struct tree_dep *dep_of(const struct tree *t, const char *loc,
			      const char *name);

/*
 * Asserts that t has no warnings, that every node is reached from a target
 * when all_reached is set, and that its set of name@version equals the
 * sorted lines of expected_path. Frees t.
 */
void check_tree_expected(struct tree *t, const char *expected_path,
			 int all_reached);

/*
 * lockfile_load of TEST_DATA/<dir>/<case_name>/<lockname>, then
 * check_tree_expected against expected.txt beside it.
 */
void check_lockfile_expected(const char *dir, const char *case_name,
			     const char *lockname, int all_reached);

#endif
