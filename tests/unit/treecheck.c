#include "treecheck.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockfile/lockfile.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

uint32_t
idx_at(const struct tree *t, const char *loc)
{
	return tree_find(t, loc, strlen(loc));
}

const struct tree_node *
node_at(const struct tree *t, const char *loc)
{
	uint32_t i = idx_at(t, loc);

	ck_assert_msg(i != TREE_NONE, "no node at \"%s\"", loc);
	return &t->nodes[i];
}

char *
path_str(const struct tree *t, const char *loc)
{
	uint32_t nodes[64];
	size_t n = tree_path(t, idx_at(t, loc), nodes, 64), i;
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	for (i = 0; i < n && i < 64; i++)
		strbuf_addf(&sb, "%s%s@%s", i ? " > " : "",
			    t->nodes[nodes[i]].name,
			    t->nodes[nodes[i]].version ?
				    t->nodes[nodes[i]].version : "");
	return strbuf_detach(&sb, NULL);
}

void
assert_path(const struct tree *t, const char *loc, const char *want)
{
	char *p = path_str(t, loc);

	ck_assert_str_eq(p, want);
	free(p);
}

const struct tree_dep *
dep_of(const struct tree *t, const char *loc, const char *name)
{
	const struct tree_node *n = node_at(t, loc);
	uint32_t i;

	for (i = 0; i < n->ndeps; i++)
		if (strcmp(t->deps[n->deps + i].name, name) == 0)
			return &t->deps[n->deps + i];
	ck_abort_msg("\"%s\" has no dependency \"%s\"", loc, name);
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
check_tree_expected(struct tree *t, const char *expected_path,
		    int all_reached)
{
	char line[512];
	struct tree_inv inv;
	char **got;
	FILE *fp;
	size_t i, n;

	for (i = 0; i < t->nwarnings; i++)
		ck_abort_msg("%s: unexpected warning: %s", t->file,
			     t->warnings[i]);
	for (i = 0; all_reached && i < t->nnodes; i++)
		ck_assert_msg(t->nodes[i].depth != UINT32_MAX ||
				      (t->nodes[i].flags & TREE_LINK),
			      "%s: %s is not reached", t->file,
			      t->nodes[i].location);
	tree_inv_init(&inv);
	tree_inv_add(&inv, t);
	tree_inv_index(&inv);
	n = inv.npkgs;
	got = xcalloc(n + 1, sizeof(*got));
	for (i = 0; i < n; i++) {
		struct strbuf sb;

		strbuf_init(&sb, 1024);
		strbuf_addf(&sb, "%s@%s", inv.pkgs[i].name,
			    inv.pkgs[i].version);
		got[i] = strbuf_detach(&sb, NULL);
	}
	qsort(got, n, sizeof(*got), cmp_str);
	fp = fopen(expected_path, "r");
	ck_assert_msg(fp != NULL, "%s missing", expected_path);
	i = 0;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		ck_assert_msg(i < n, "%s: %s not found", expected_path, line);
		ck_assert_str_eq(got[i], line);
		i++;
	}
	fclose(fp);
	ck_assert_uint_eq(i, n);
	for (i = 0; i < n; i++)
		free(got[i]);
	free(got);
	tree_inv_release(&inv);
}

void
check_lockfile_expected(const char *dir, const char *case_name,
			const char *lockname, int all_reached)
{
	char path[1024], exp_path[1024];
	struct tree *t;
	int err;

	snprintf(path, sizeof(path), "%s/%s/%s/%s", TEST_DATA, dir, case_name,
		 lockname);
	snprintf(exp_path, sizeof(exp_path), "%s/%s/%s/expected.txt",
		 TEST_DATA, dir, case_name);
	err = lockfile_load(&t, path);
	ck_assert_msg(err == 0, "%s: %s", path, ws_error_last());
	check_tree_expected(t, exp_path, all_reached);
}
