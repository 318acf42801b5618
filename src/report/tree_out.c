#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "report/safe.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define TREE_SCHEMA "wormsign-tree/1"

/* "name@version" of a node into sb (reset first). */
static void
node_label(struct strbuf *sb, const struct tree_node *n)
{
	strbuf_reset(sb);
	strbuf_addstr(sb, n->name ? n->name : "(unnamed)");
	if (n->version && *n->version) {
		strbuf_addch(sb, '@');
		strbuf_addstr(sb, n->version);
	}
}

/*
 * Every node's "name@version", made once per tree: a package's paths
 * repeat the same ancestors, and rebuilding labels per path dominated the
 * time for large trees.
 */
struct label {
	const char *s;
	size_t len;
	const char *quoted;	/* as a JSON string, quotes included */
	size_t quoted_len;
};

struct labels {
	const struct tree *const *trees;
	size_t ntrees;
	struct label **by_tree;	/* lazily built, one array per tree */
	struct mempool pool;
	size_t last;		/* index of the tree looked up last */
};

static void
labels_init(struct labels *l, const struct tree_inv *inv)
{
	l->trees = (const struct tree *const *)inv->trees;
	l->ntrees = inv->ntrees;
	l->by_tree = xcalloc(inv->ntrees + 1, sizeof(*l->by_tree));
	mempool_init(&l->pool, 1u << 20);
	l->last = 0;
}

static void
labels_release(struct labels *l)
{
	size_t i;

	for (i = 0; i < l->ntrees; i++)
		free(l->by_tree[i]);
	free(l->by_tree);
	mempool_release(&l->pool);
}

static const struct label *
labels_of(struct labels *l, const struct tree *t)
{
	size_t i;
	struct label *arr;

	if (l->last >= l->ntrees || l->trees[l->last] != t)
		for (l->last = 0; l->last < l->ntrees; l->last++)
			if (l->trees[l->last] == t)
				break;
	if (l->last == l->ntrees)
		abort();	/* a location from a tree not in the inventory */
	if (l->by_tree[l->last])
		return l->by_tree[l->last];
	arr = xmalloc((t->nnodes + 1) * sizeof(*arr));
	for (i = 0; i < t->nnodes; i++) {
		char *q;
		const struct tree_node *n = &t->nodes[i];
		const char *name = n->name ? n->name : "(unnamed)";
		size_t nl = strlen(name);

		if (n->version && *n->version) {
			char *s = mempool_strcat2(&l->pool, name, nl, "@", 1);

			s = mempool_strcat2(&l->pool, s, nl + 1, n->version,
					    strlen(n->version));
			arr[i].s = s;
			arr[i].len = strlen(s);
		} else {
			arr[i].s = name;
			arr[i].len = nl;
		}
		q = mempool_alloc(&l->pool, JSON_ESCAPED_MAX(arr[i].len));
		arr[i].quoted = q;
		arr[i].quoted_len = (size_t)(json_escape_to(q, arr[i].s,
							    arr[i].len) - q);
	}
	l->by_tree[l->last] = arr;
	return arr;
}

/*
 * The distinct dependency paths of a package, one per installed location,
 * at most REPORT_PATHS_MAX. Locations in different inputs can give the same
 * sequence of labels; those fold into one.
 */
struct path {
	const struct label *labels;
	size_t len;		/* full length */
	size_t kept;		/* entries in nodes: the tail when len > kept */
	uint32_t nodes[REPORT_PATH_LEN_MAX];
};

struct path_set {
	struct path paths[REPORT_PATHS_MAX];
	size_t n;
	struct labels *labels;
};

static int
path_equal(const struct path *a, const struct path *b)
{
	size_t i;

	if (a->len != b->len || a->kept != b->kept)
		return 0;
	for (i = 0; i < a->kept; i++) {
		const struct label *x = &a->labels[a->nodes[i]];
		const struct label *y = &b->labels[b->nodes[i]];

		if (x->len != y->len || memcmp(x->s, y->s, x->len) != 0)
			return 0;
	}
	return 1;
}

static void
path_set_fill(struct path_set *ps, const struct tree_pkg *pkg)
{
	size_t i, j;

	ps->n = 0;
	for (i = 0; i < pkg->nlocs && ps->n < REPORT_PATHS_MAX; i++) {
		const struct tree *t = pkg->locs[i].tree;
		struct path *p = &ps->paths[ps->n];

		p->len = tree_path(t, pkg->locs[i].node, p->nodes,
				   REPORT_PATH_LEN_MAX);
		if (!p->len)
			continue;
		p->kept = p->len > REPORT_PATH_LEN_MAX ? REPORT_PATH_LEN_MAX :
							 p->len;
		p->labels = labels_of(ps->labels, t);
		for (j = 0; j < ps->n; j++)
			if (path_equal(&ps->paths[j], p))
				break;
		if (j == ps->n)
			ps->n++;
	}
}

static void
write_path_json(struct json_writer *w, const struct path *p)
{
	size_t i;

	jsonw_array_begin_inline(w);
	if (p->len > p->kept)
		jsonw_stringn(w, "...", 3);
	for (i = 0; i < p->kept; i++) {
		const struct label *l = &p->labels[p->nodes[i]];

		jsonw_raw(w, l->quoted, l->quoted_len);
	}
	jsonw_array_end(w);
}

static void
write_path_text(FILE *fp, const struct path *p)
{
	size_t i;

	if (p->len > p->kept)
		fputs("... > ", fp);
	for (i = 0; i < p->kept; i++) {
		const struct label *l = &p->labels[p->nodes[i]];

		if (i)
			fputs(" > ", fp);
		report_put_safe(fp, l->s, l->len);
	}
}

static void
write_targets_json(struct json_writer *w, const struct tree_inv *inv)
{
	size_t i, j;

	jsonw_key(w, "targets");
	jsonw_array_begin(w);
	for (i = 0; i < inv->ntrees; i++) {
		const struct tree *t = inv->trees[i];

		for (j = 0; j < t->nnodes; j++) {
			const struct tree_node *n = &t->nodes[j];

			if (!(n->flags & TREE_TARGET))
				continue;
			jsonw_object_begin(w);
			jsonw_kv_string(w, "file", t->file);
			jsonw_kv_string(w, "format", t->format);
			jsonw_kv_string(w, "name", n->name);
			jsonw_kv_string(w, "version", n->version);
			jsonw_kv_string(w, "location", n->location);
			jsonw_kv_bool(w, "workspace", n->location[0] != '\0');
			jsonw_object_end(w);
		}
	}
	jsonw_array_end(w);
}

/* First non-NULL value of a node field over a package's locations. */
#define PKG_FIRST(pkg, field, out)                                          \
	do {                                                                \
		size_t pf_i_;                                               \
		(out) = NULL;                                               \
		for (pf_i_ = 0; pf_i_ < (pkg)->nlocs && !(out); pf_i_++)    \
			(out) = (pkg)->locs[pf_i_]                          \
					.tree->nodes[(pkg)->locs[pf_i_].node] \
					.field;                             \
	} while (0)

static void
write_package_json(struct json_writer *w, const struct tree_pkg *pkg,
		   struct path_set *ps)
{
	const struct tree_node *first = &pkg->locs[0].tree->nodes[pkg->locs[0].node];
	const char *alias, *integrity, *resolved;
	size_t i;

	PKG_FIRST(pkg, alias, alias);
	PKG_FIRST(pkg, integrity, integrity);
	PKG_FIRST(pkg, resolved, resolved);
	jsonw_object_begin(w);
	jsonw_kv_string(w, "name", pkg->name);
	jsonw_kv_string(w, "version", pkg->version);
	if (alias)
		jsonw_kv_string(w, "alias", alias);
	jsonw_kv_string(w, "integrity", integrity);
	jsonw_kv_string(w, "resolved", resolved);
	jsonw_kv_string(w, "source", tree_source_name(first->source));
	jsonw_kv_bool(w, "dev", !!(pkg->flags_all & TREE_DEV));
	jsonw_kv_bool(w, "optional", !!(pkg->flags_all & TREE_OPTIONAL));
	if (pkg->flags_any & TREE_BUNDLED)
		jsonw_kv_bool(w, "bundled", 1);
	if (pkg->flags_all & TREE_EXTRANEOUS)
		jsonw_kv_bool(w, "extraneous", 1);
	jsonw_key(w, "locations");
	jsonw_array_begin(w);
	for (i = 0; i < pkg->nlocs; i++) {
		const struct tree *t = pkg->locs[i].tree;

		jsonw_object_begin_inline(w);
		jsonw_kv_string(w, "file", t->file);
		jsonw_kv_string(w, "location",
				t->nodes[pkg->locs[i].node].location);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	path_set_fill(ps, pkg);
	jsonw_key(w, "paths");
	jsonw_array_begin(w);
	for (i = 0; i < ps->n; i++)
		write_path_json(w, &ps->paths[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

static void
write_warnings_json(struct json_writer *w, const struct tree_inv *inv)
{
	size_t i, j;

	jsonw_key(w, "warnings");
	jsonw_array_begin(w);
	for (i = 0; i < inv->ntrees; i++) {
		const struct tree *t = inv->trees[i];

		for (j = 0; j < t->nwarnings; j++)
			jsonw_string(w, t->warnings[j]);
	}
	jsonw_array_end(w);
}

int
report_tree_json(FILE *fp, const struct tree_inv *inv, int pretty)
{
	struct json_writer w;
	struct path_set ps;
	struct labels labels;
	size_t i;
	int err;

	labels_init(&labels, inv);
	ps.labels = &labels;
	jsonw_init(&w, fp, pretty);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "schema", TREE_SCHEMA);
	write_targets_json(&w, inv);
	jsonw_key(&w, "packages");
	jsonw_array_begin(&w);
	for (i = 0; i < inv->npkgs; i++)
		write_package_json(&w, &inv->pkgs[i], &ps);
	jsonw_array_end(&w);
	write_warnings_json(&w, inv);
	jsonw_object_end(&w);
	err = jsonw_finish(&w);
	labels_release(&labels);
	return err;
}

/* ---- text ---- */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_YELLOW "\033[33m"

struct text_ctx {
	FILE *fp;
	int color;
	const struct tree *t;
	uint32_t *child_start;	/* per node: first index into children */
	uint32_t *children;	/* nodes grouped by their path predecessor */
	struct strbuf prefix;
	struct strbuf label;
};

static int
child_cmp(const void *a, const void *b, const struct tree *t)
{
	const struct tree_node *x = &t->nodes[*(const uint32_t *)a];
	const struct tree_node *y = &t->nodes[*(const uint32_t *)b];
	int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");

	return c ? c : strcmp(x->location, y->location);
}

/* qsort has no payload argument; the tree is passed through this. */
static _Thread_local const struct tree *sort_tree;

static int
child_cmp_qsort(const void *a, const void *b)
{
	return child_cmp(a, b, sort_tree);
}

static void
text_node_line(struct text_ctx *c, const struct tree_node *n)
{
	node_label(&c->label, n);
	fputs(c->color ? C_BOLD : "", c->fp);
	report_puts_safe(c->fp, n->alias ? n->alias : "");
	if (n->alias)
		fputs(c->color ? C_RESET " -> " C_BOLD : " -> ", c->fp);
	report_put_safe(c->fp, c->label.buf, c->label.len);
	fputs(c->color ? C_RESET : "", c->fp);
	if (n->flags & (TREE_DEV | TREE_OPTIONAL | TREE_PEER | TREE_BUNDLED) ||
	    n->source != TREE_SOURCE_REGISTRY) {
		fputs(c->color ? C_DIM " (" : " (", c->fp);
		const char *sep = "";
		if (n->flags & TREE_DEV) {
			fputs("dev", c->fp);
			sep = ", ";
		}
		if (n->flags & TREE_OPTIONAL) {
			fprintf(c->fp, "%soptional", sep);
			sep = ", ";
		}
		if (n->flags & TREE_PEER) {
			fprintf(c->fp, "%speer", sep);
			sep = ", ";
		}
		if (n->flags & TREE_BUNDLED) {
			fprintf(c->fp, "%sbundled", sep);
			sep = ", ";
		}
		if (n->source != TREE_SOURCE_REGISTRY)
			fprintf(c->fp, "%s%s", sep,
				tree_source_name(n->source));
		fputs(c->color ? ")" C_RESET : ")", c->fp);
	}
	fputc('\n', c->fp);
}

/* Prints the subtree below u, iteratively: hostile trees can be deep. */
static void
text_subtree(struct text_ctx *c, uint32_t root)
{
	struct frame {
		uint32_t node;
		uint32_t next;	/* next child index to print */
	} *stack = NULL;
	size_t depth = 0, alloc = 0;

	XGROW(stack, alloc, 1);
	stack[0].node = root;
	stack[0].next = c->child_start[root];
	depth = 1;
	while (depth) {
		struct frame *f = &stack[depth - 1];
		uint32_t end = c->child_start[f->node + 1];
		uint32_t v;
		int last;

		if (f->next >= end) {
			depth--;
			if (c->prefix.len >= 4)
				c->prefix.len -= 4;
			else
				c->prefix.len = 0;
			c->prefix.buf[c->prefix.len] = '\0';
			continue;
		}
		v = c->children[f->next++];
		last = f->next >= end;
		fwrite(c->prefix.buf, 1, c->prefix.len, c->fp);
		fputs(last ? "`-- " : "|-- ", c->fp);
		text_node_line(c, &c->t->nodes[v]);
		if (c->child_start[v] == c->child_start[v + 1])
			continue;
		strbuf_addstr(&c->prefix, last ? "    " : "|   ");
		XGROW(stack, alloc, depth + 1);
		stack[depth].node = v;
		stack[depth].next = c->child_start[v];
		depth++;
	}
	free(stack);
}

static void
text_tree(struct text_ctx *c, const struct tree *t)
{
	size_t i, npkg = 0, nextra = 0;
	uint32_t *count;

	c->t = t;
	c->child_start = xcalloc(t->nnodes + 2, sizeof(uint32_t));
	c->children = xmalloc((t->nnodes + 1) * sizeof(uint32_t));
	count = xcalloc(t->nnodes + 1, sizeof(uint32_t));
	for (i = 0; i < t->nnodes; i++) {
		uint32_t via = t->via ? t->via[i] : TREE_NONE;

		if (via != TREE_NONE)
			c->child_start[via + 1]++;
		if (tree_node_is_package(&t->nodes[i]))
			npkg++;
		if (t->nodes[i].flags & TREE_EXTRANEOUS)
			nextra++;
	}
	for (i = 1; i <= t->nnodes; i++)
		c->child_start[i] += c->child_start[i - 1];
	c->child_start[t->nnodes + 1] = c->child_start[t->nnodes];
	for (i = 0; i < t->nnodes; i++) {
		uint32_t via = t->via ? t->via[i] : TREE_NONE;

		if (via != TREE_NONE)
			c->children[c->child_start[via] + count[via]++] =
				(uint32_t)i;
	}
	sort_tree = t;
	for (i = 0; i < t->nnodes; i++)
		if (count[i] > 1)
			qsort(c->children + c->child_start[i], count[i],
			      sizeof(uint32_t), child_cmp_qsort);

	fputs(c->color ? C_BOLD : "", c->fp);
	report_puts_safe(c->fp, t->file);
	fprintf(c->fp, "%s (%s, %zu installed locations)\n",
		c->color ? C_RESET : "", t->format, npkg);
	for (i = 0; i < t->nnodes; i++) {
		if (!(t->nodes[i].flags & TREE_TARGET))
			continue;
		text_node_line(c, &t->nodes[i]);
		text_subtree(c, (uint32_t)i);
	}
	if (nextra) {
		fprintf(c->fp, "not reached from any target:\n");
		for (i = 0; i < t->nnodes; i++)
			if (t->nodes[i].flags & TREE_EXTRANEOUS) {
				fputs("    ", c->fp);
				text_node_line(c, &t->nodes[i]);
			}
	}
	free(count);
	free(c->children);
	free(c->child_start);
}

int
report_tree_text(FILE *fp, const struct tree_inv *inv, int color)
{
	struct text_ctx c;
	size_t i, ndev = 0;

	memset(&c, 0, sizeof(c));
	c.fp = fp;
	c.color = color;
	strbuf_init(&c.prefix, 1u << 20);
	strbuf_init(&c.label, 1u << 16);
	for (i = 0; i < inv->ntrees; i++) {
		if (i)
			fputc('\n', fp);
		text_tree(&c, inv->trees[i]);
	}
	for (i = 0; i < inv->npkgs; i++)
		if (inv->pkgs[i].flags_all & TREE_DEV)
			ndev++;
	fprintf(fp, "\n%zu packages (%zu dev only) in %zu %s\n", inv->npkgs,
		ndev, inv->ntrees, inv->ntrees == 1 ? "input" : "inputs");
	strbuf_release(&c.prefix);
	strbuf_release(&c.label);
	if (fflush(fp) != 0 || ferror(fp))
		return ws_error_set(WS_EIO, "write error");
	return 0;
}

int
report_tree_why(FILE *fp, const struct tree_inv *inv, int json,
		report_pkg_match_fn match, void *payload, size_t *matched)
{
	struct json_writer w;
	struct path_set ps;
	struct labels labels;
	size_t i, j;
	int err = 0;

	*matched = 0;
	labels_init(&labels, inv);
	ps.labels = &labels;
	if (json) {
		jsonw_init(&w, fp, 1);
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "schema", TREE_SCHEMA);
		write_targets_json(&w, inv);
		jsonw_key(&w, "packages");
		jsonw_array_begin(&w);
	}
	for (i = 0; i < inv->npkgs; i++) {
		const struct tree_pkg *pkg = &inv->pkgs[i];

		if (!match(pkg, payload))
			continue;
		(*matched)++;
		if (json) {
			write_package_json(&w, pkg, &ps);
			continue;
		}
		path_set_fill(&ps, pkg);
		report_puts_safe(fp, pkg->name);
		fputc('@', fp);
		report_puts_safe(fp, pkg->version);
		fputc('\n', fp);
		if (!ps.n)
			fputs("  (not reached from any target)\n", fp);
		for (j = 0; j < ps.n; j++) {
			fputs("  ", fp);
			write_path_text(fp, &ps.paths[j]);
			fputc('\n', fp);
		}
		for (j = 0; j < pkg->nlocs; j++)
		{
			fputs("  at ", fp);
			report_puts_safe(fp, pkg->locs[j].tree->file);
			fputs(": ", fp);
			report_puts_safe(fp,
					 pkg->locs[j].tree->nodes[pkg->locs[j].node]
						 .location);
			fputc('\n', fp);
		}
	}
	if (json) {
		jsonw_array_end(&w);
		write_warnings_json(&w, inv);
		jsonw_object_end(&w);
		err = jsonw_finish(&w);
	} else if (fflush(fp) != 0 || ferror(fp)) {
		err = ws_error_set(WS_EIO, "write error");
	}
	labels_release(&labels);
	return err;
}
