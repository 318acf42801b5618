#include "tree/tree.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

void
tree_inv_init(struct tree_inv *inv)
{
	memset(inv, 0, sizeof(*inv));
}

void
tree_inv_release(struct tree_inv *inv)
{
	size_t i;

	if (!inv)
		return;
	for (i = 0; i < inv->ntrees; i++)
		tree_free(inv->trees[i]);
	free(inv->trees);
	free(inv->pkgs);
	free(inv->loc_store);
	tree_inv_init(inv);
}

void
tree_inv_add(struct tree_inv *inv, struct tree *t)
{
	XGROW(inv->trees, inv->trees_alloc, inv->ntrees + 1);
	inv->trees[inv->ntrees++] = t;
}

/*
 * Version order for the listing: numeric runs compare as numbers, so
 * 1.10.0 sorts after 1.9.0. Only the display order depends on it.
 */
static int
natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *sa = a, *sb = b;
			size_t la, lb;

			while (*sa == '0' && sa[1] >= '0' && sa[1] <= '9')
				sa++;
			while (*sb == '0' && sb[1] >= '0' && sb[1] <= '9')
				sb++;
			a = sa;
			b = sb;
			while (*a >= '0' && *a <= '9')
				a++;
			while (*b >= '0' && *b <= '9')
				b++;
			la = (size_t)(a - sa);
			lb = (size_t)(b - sb);
			if (la != lb)
				return la < lb ? -1 : 1;
			if (memcmp(sa, sb, la))
				return memcmp(sa, sb, la) < 0 ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int
pkg_cmp(const void *pa, const void *pb)
{
	const struct tree_pkg *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : natural_cmp(a->version, b->version);
}

struct inv_slot {
	const char *name;
	const char *version;
	uint64_t hash;
	uint32_t pkg;
};

static uint64_t
inv_hash(const char *name, const char *version)
{
	uint64_t h = 1469598103934665603ull;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	h = (h ^ '@') * 1099511628211ull;
	for (; *version; version++)
		h = (h ^ (unsigned char)*version) * 1099511628211ull;
	return h;
}

void
tree_inv_index(struct tree_inv *inv)
{
	struct inv_slot *slots;
	size_t cap = 64, total = 0, i, j, npkgs = 0;
	size_t *counts, *fill;
	uint32_t *pkg_of;
	size_t k = 0;

	free(inv->pkgs);
	free(inv->loc_store);
	inv->pkgs = NULL;
	inv->loc_store = NULL;
	for (i = 0; i < inv->ntrees; i++)
		total += inv->trees[i]->nnodes;
	while (cap < total * 2)
		cap *= 2;
	slots = xcalloc(cap, sizeof(*slots));
	pkg_of = xmalloc((total + 1) * sizeof(*pkg_of));
	inv->pkgs = xcalloc(total + 1, sizeof(*inv->pkgs));

	/* First pass: one group per distinct name@version. */
	for (i = 0; i < inv->ntrees; i++) {
		const struct tree *t = inv->trees[i];

		for (j = 0; j < t->nnodes; j++, k++) {
			const struct tree_node *n = &t->nodes[j];
			const char *ver = n->version ? n->version : "";
			uint64_t h;
			size_t s;

			pkg_of[k] = UINT32_MAX;
			if (!tree_node_is_package(n))
				continue;
			h = inv_hash(n->name, ver);
			for (s = h & (cap - 1);; s = (s + 1) & (cap - 1)) {
				if (!slots[s].name) {
					struct tree_pkg *p = &inv->pkgs[npkgs];

					slots[s].name = n->name;
					slots[s].version = ver;
					slots[s].hash = h;
					slots[s].pkg = (uint32_t)npkgs++;
					p->name = n->name;
					p->version = ver;
					p->flags_all = 0xFFFF;
					break;
				}
				if (slots[s].hash == h &&
				    strcmp(slots[s].name, n->name) == 0 &&
				    strcmp(slots[s].version, ver) == 0)
					break;
			}
			pkg_of[k] = slots[s].pkg;
			inv->pkgs[slots[s].pkg].nlocs++;
			inv->pkgs[slots[s].pkg].flags_all &= n->flags;
			inv->pkgs[slots[s].pkg].flags_any |= n->flags;
		}
	}
	free(slots);

	/* Second pass: the locations, in input order, in one array. */
	counts = xcalloc(npkgs + 1, sizeof(*counts));
	fill = xcalloc(npkgs + 1, sizeof(*fill));
	for (i = 0, total = 0; i < npkgs; i++) {
		counts[i] = total;
		total += inv->pkgs[i].nlocs;
	}
	inv->loc_store = xmalloc((total + 1) * sizeof(*inv->loc_store));
	for (i = 0; i < npkgs; i++)
		inv->pkgs[i].locs = inv->loc_store + counts[i];
	k = 0;
	for (i = 0; i < inv->ntrees; i++) {
		const struct tree *t = inv->trees[i];

		for (j = 0; j < t->nnodes; j++, k++) {
			uint32_t p = pkg_of[k];

			if (p == UINT32_MAX)
				continue;
			inv->pkgs[p].locs[fill[p]].tree = t;
			inv->pkgs[p].locs[fill[p]].node = (uint32_t)j;
			fill[p]++;
		}
	}
	free(counts);
	free(fill);
	free(pkg_of);
	inv->npkgs = npkgs;
	qsort(inv->pkgs, npkgs, sizeof(*inv->pkgs), pkg_cmp);
}
