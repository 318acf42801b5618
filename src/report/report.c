#include "report/report.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "report/internal.h"
#include "report/safe.h"
#include "semver/semver.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define REPORT_SCHEMA "wormsign-report/1"

static const char *const severity_names[] = {
	"info", "low", "medium", "high", "critical",
};

void
report_init(struct report *r, const char *command)
{
	memset(r, 0, sizeof(*r));
	mempool_init(&r->pool, 64u << 10);
	strmap_init(&r->target_set);
	r->command = mempool_strdup(&r->pool, command ? command : "");
}

void
report_add_section(struct report *r, const struct report_section *s)
{
	if (r->nsections >= REPORT_SECTIONS_MAX)
		abort();
	r->sections[r->nsections++] = *s;
}

void
report_release(struct report *r)
{
	if (!r)
		return;
	free(r->findings);
	free(r->errors);
	free(r->targets);
	strmap_release(&r->target_set);
	free(r->suppressed);
	mempool_release(&r->pool);
	memset(r, 0, sizeof(*r));
}

/*
 * Strings in a finding often quote the scanned input (a dependency spec, a
 * script): a hostile lockfile must not make one finding megabytes long.
 * Longer strings are cut at a character boundary and end in "...".
 */
const char *
report_copy_cut(struct mempool *pool, const char *s, size_t max)
{
	size_t n, cut;
	char *out;

	if (!s)
		return NULL;
	n = strnlen(s, max + 1);
	if (n <= max)
		return mempool_strndup(pool, s, n);
	cut = report_utf8_cut(s, n, max - 3);
	out = mempool_alloc(pool, cut + 4);
	memcpy(out, s, cut);
	memcpy(out + cut, "...", 4);
	return out;
}

static const char *
copy_str(struct report *r, const char *s)
{
	return report_copy_cut(&r->pool, s, REPORT_STRING_MAX);
}

/*
 * One path, bounded as wormsign-tree/1 bounds them: past
 * REPORT_PATH_LEN_MAX nodes only the tail is kept, after a "..." node.
 */
static void
copy_path(struct report *r, struct report_path *dst,
	  const struct report_path *src)
{
	size_t skip = 0, i, k = 0;
	const char **nodes;

	if (src->n > REPORT_PATH_LEN_MAX)
		skip = src->n - REPORT_PATH_LEN_MAX;
	nodes = mempool_alloc(&r->pool,
			      (src->n - skip + !!skip) * sizeof(*nodes));
	if (skip)
		nodes[k++] = "...";
	for (i = skip; i < src->n; i++)
		nodes[k++] = src->nodes[i] ? copy_str(r, src->nodes[i]) :
					     "(unnamed)";
	dst->nodes = nodes;
	dst->n = k;
}

/*
 * At most REPORT_PATHS_MAX paths, empty ones dropped; the shortest path is
 * always among those kept, since the text report prints it.
 */
static void
copy_paths(struct report *r, struct report_finding *c,
	   const struct report_finding *f)
{
	size_t i, shortest = f->npaths, keep = 0;

	c->paths = NULL;
	c->npaths = 0;
	if (!f->paths || !f->npaths)
		return;
	for (i = 0; i < f->npaths; i++)
		if (f->paths[i].n && f->paths[i].nodes &&
		    (shortest == f->npaths ||
		     f->paths[i].n < f->paths[shortest].n))
			shortest = i;
	if (shortest == f->npaths)
		return;
	c->paths = mempool_alloc(&r->pool,
				 REPORT_PATHS_MAX * sizeof(*c->paths));
	for (i = 0; i < f->npaths && keep < REPORT_PATHS_MAX; i++)
		if (f->paths[i].n && f->paths[i].nodes)
			copy_path(r, &c->paths[keep++], &f->paths[i]);
	if (shortest >= i) {
		/* the shortest came after the cut: it replaces the last one */
		copy_path(r, &c->paths[keep - 1], &f->paths[shortest]);
	}
	c->npaths = keep;
}

void
report_add(struct report *r, const struct report_finding *f)
{
	struct report_finding *c;
	size_t i, n;

	XGROW(r->findings, r->findings_alloc, r->nfindings + 1);
	c = &r->findings[r->nfindings++];
	memset(c, 0, sizeof(*c));
	/* id, kind and message are always there, so renderers need not ask */
	c->id = copy_str(r, f->id ? f->id : "");
	c->kind = copy_str(r, f->kind ? f->kind : "unknown");
	c->severity = (unsigned)f->severity <= REPORT_CRITICAL ?
			      f->severity :
			      REPORT_CRITICAL;
	c->target = copy_str(r, f->target);
	c->package_name = copy_str(r, f->package_name);
	c->package_version = copy_str(r, f->package_version);
	copy_paths(r, c, f);
	c->file = copy_str(r, f->file);
	c->line = f->line;
	c->message = copy_str(r, f->message ? f->message : "");
	c->remediation = copy_str(r, f->remediation);
	c->feed = copy_str(r, f->feed);
	c->source = copy_str(r, f->source);
	c->advisory = copy_str(r, f->advisory);
	n = f->evidence ? f->nevidence : 0;
	if (n > REPORT_EVIDENCE_MAX)
		n = REPORT_EVIDENCE_MAX;
	if (n)
		c->evidence = mempool_alloc(&r->pool, n * sizeof(*c->evidence));
	for (i = 0; i < n; i++) {
		if (!f->evidence[i].key)
			continue;
		c->evidence[c->nevidence].key =
			copy_str(r, f->evidence[i].key);
		c->evidence[c->nevidence].value =
			copy_str(r, f->evidence[i].value);
		c->nevidence++;
	}
	if (!c->nevidence)
		c->evidence = NULL;
}

void
report_add_target(struct report *r, const char *target)
{
	const char *t = target ? target : "";

	/* gate's checks (scan, age, verify) each add the same inputs */
	if (strmap_find(&r->target_set, t, strlen(t)))
		return;
	t = copy_str(r, t);
	strmap_put(&r->target_set, t, strlen(t), 0, NULL);
	XGROW(r->targets, r->targets_alloc, r->ntargets + 1);
	r->targets[r->ntargets++] = t;
}

void
report_add_error(struct report *r, const char *target, const char *message)
{
	XGROW(r->errors, r->errors_alloc, r->nerrors + 1);
	r->errors[r->nerrors].target = copy_str(r, target ? target : "");
	r->errors[r->nerrors].message = copy_str(r, message ? message : "");
	r->errors[r->nerrors].shown = 0;
	r->nerrors++;
}

const char *
report_severity_name(enum report_severity s)
{
	return (unsigned)s <= REPORT_CRITICAL ? severity_names[s] : "info";
}

int
report_severity_parse(enum report_severity *out, const char *s)
{
	size_t i;

	for (i = 0; i <= REPORT_CRITICAL; i++)
		if (strcmp(s, severity_names[i]) == 0) {
			*out = (enum report_severity)i;
			return 0;
		}
	return ws_error_set(WS_EPARSE,
			    "unknown severity \"%.64s\" (info, low, medium, high, critical)",
			    s);
}

int
report_max_severity(const struct report *r)
{
	int max = -1;
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if ((int)r->findings[i].severity > max)
			max = (int)r->findings[i].severity;
	return max;
}

void
report_count_severities(const struct report *r,
			size_t counts[REPORT_CRITICAL + 1])
{
	size_t i;

	for (i = 0; i <= REPORT_CRITICAL; i++)
		counts[i] = 0;
	for (i = 0; i < r->nfindings; i++)
		counts[r->findings[i].severity]++;
}

const struct report_path *
report_shortest_path(const struct report_finding *f)
{
	const struct report_path *best = NULL;
	size_t i;

	for (i = 0; i < f->npaths; i++)
		if (!best || f->paths[i].n < best->n)
			best = &f->paths[i];
	return best;
}

/* ---- order ---- */

/* NULL sorts first: findings without a package before those with one. */
static int
str_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

static int
version_cmp(const char *a, const char *b)
{
	struct semver va, vb;
	int pa, pb, c;

	if (!a || !b)
		return !!a - !!b;
	pa = semver_parse(&va, a, strlen(a)) == 0;
	pb = semver_parse(&vb, b, strlen(b)) == 0;
	if (pa && pb) {
		c = semver_cmp(&va, &vb);
		if (c)
			return c;
	} else if (pa != pb) {
		return pb - pa;	/* versions before anything else */
	}
	return strcmp(a, b);
}

int
report_finding_cmp(const struct report_finding *a,
		   const struct report_finding *b)
{
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = str_cmp(a->kind, b->kind)))
		return c;
	if ((c = str_cmp(a->package_name, b->package_name)))
		return c;
	if ((c = version_cmp(a->package_version, b->package_version)))
		return c;
	return str_cmp(a->id, b->id);
}

/* A bottom-up merge sort: stable, so equal findings keep their order. */
static void
sort_view(const struct report_finding **a, size_t n)
{
	const struct report_finding **tmp, **src, **dst, **swap;
	size_t width, lo, mid, hi, i, j, k;

	if (n < 2)
		return;
	tmp = xmalloc(n * sizeof(*tmp));
	src = a;
	dst = tmp;
	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = mid + width < n ? mid + width : n;
			i = lo;
			j = mid;
			k = lo;
			while (i < mid && j < hi)
				dst[k++] = report_finding_cmp(src[j], src[i]) < 0 ?
						   src[j++] :
						   src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
}

const struct report_finding **
report_sorted_view(const struct report *r)
{
	const struct report_finding **view;
	size_t i;

	if (!r->nfindings)
		return NULL;
	view = xmalloc(r->nfindings * sizeof(*view));
	for (i = 0; i < r->nfindings; i++)
		view[i] = &r->findings[i];
	sort_view(view, r->nfindings);
	return view;
}

void
report_sort(struct report *r)
{
	const struct report_finding **view = report_sorted_view(r);
	struct report_finding *sorted;
	size_t i;

	if (!view)
		return;
	sorted = xmalloc(r->nfindings * sizeof(*sorted));
	for (i = 0; i < r->nfindings; i++)
		sorted[i] = *view[i];
	free(view);
	free(r->findings);
	r->findings = sorted;
	r->findings_alloc = r->nfindings;
}

/* ---- wormsign-report/1 ---- */

static void
write_package(struct json_writer *w, const struct report_finding *f)
{
	size_t i, j;

	jsonw_key(w, "package");
	jsonw_object_begin(w);
	jsonw_kv_string(w, "name", f->package_name);
	jsonw_kv_string(w, "version", f->package_version);
	jsonw_key(w, "paths");
	jsonw_array_begin(w);
	for (i = 0; i < f->npaths; i++) {
		jsonw_array_begin_inline(w);
		for (j = 0; j < f->paths[i].n; j++)
			jsonw_string(w, f->paths[i].nodes[j]);
		jsonw_array_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

static void
write_finding(struct json_writer *w, const struct report_finding *f)
{
	size_t i;

	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", f->id);
	jsonw_kv_string(w, "kind", f->kind);
	jsonw_kv_string(w, "severity", report_severity_name(f->severity));
	jsonw_kv_string(w, "target", f->target);
	if (f->package_name)
		write_package(w, f);
	jsonw_key(w, "locations");
	jsonw_array_begin(w);
	if (f->file) {
		jsonw_object_begin_inline(w);
		jsonw_kv_string(w, "file", f->file);
		jsonw_key(w, "line");
		if (f->line)
			jsonw_int(w, f->line);
		else
			jsonw_null(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_kv_string(w, "message", f->message);
	jsonw_kv_string(w, "remediation", f->remediation);
	jsonw_key(w, "evidence");
	jsonw_object_begin(w);
	for (i = 0; i < f->nevidence; i++)
		jsonw_kv_string(w, f->evidence[i].key, f->evidence[i].value);
	jsonw_object_end(w);
	jsonw_kv_string(w, "feed", f->feed);
	jsonw_kv_string(w, "source", f->source);
	jsonw_kv_string(w, "advisory", f->advisory);
	jsonw_object_end(w);
}

void
report_json_finding(struct json_writer *w, const struct report_finding *f)
{
	write_finding(w, f);
}

/* "by_kind": the number of findings of each kind, in byte order of kind. */
static void
write_by_kind(struct json_writer *w, const struct report *r)
{
	const char **kinds = NULL;
	size_t *counts = NULL, nkinds = 0, kalloc = 0, nalloc = 0, i, j;

	for (i = 0; i < r->nfindings; i++) {
		const char *kind = r->findings[i].kind;

		for (j = 0; j < nkinds; j++)
			if (strcmp(kinds[j], kind) == 0)
				break;
		if (j == nkinds) {
			XGROW(kinds, kalloc, nkinds + 1);
			XGROW(counts, nalloc, nkinds + 1);
			for (j = nkinds; j > 0 && strcmp(kinds[j - 1], kind) > 0;
			     j--) {
				kinds[j] = kinds[j - 1];
				counts[j] = counts[j - 1];
			}
			kinds[j] = kind;
			counts[j] = 0;
			nkinds++;
		}
		counts[j]++;
	}
	jsonw_key(w, "by_kind");
	jsonw_object_begin(w);
	for (i = 0; i < nkinds; i++)
		jsonw_kv_int(w, kinds[i], (long long)counts[i]);
	jsonw_object_end(w);
	free(counts);
	free(kinds);
}

static void
write_summary(struct json_writer *w, const struct report *r)
{
	size_t counts[REPORT_CRITICAL + 1];
	int i;

	report_count_severities(r, counts);
	jsonw_key(w, "summary");
	jsonw_object_begin(w);
	jsonw_kv_int(w, "findings", (long long)r->nfindings);
	jsonw_key(w, "by_severity");
	jsonw_object_begin(w);
	for (i = REPORT_INFO; i <= REPORT_CRITICAL; i++)
		jsonw_kv_int(w, severity_names[i], (long long)counts[i]);
	jsonw_object_end(w);
	write_by_kind(w, r);
	jsonw_kv_int(w, "suppressed", (long long)r->nsuppressed);
	jsonw_object_end(w);
}

int
report_json(FILE *fp, const struct report *r, const char *generated)
{
	struct json_writer w;
	size_t i;

	jsonw_init(&w, fp, 1);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "schema", REPORT_SCHEMA);
	jsonw_key(&w, "tool");
	jsonw_object_begin_inline(&w);
	jsonw_kv_string(&w, "name", "wormsign");
	jsonw_kv_string(&w, "version", WS_REPORT_TOOL_VERSION);
	jsonw_object_end(&w);
	jsonw_kv_string(&w, "generated", generated);
	jsonw_kv_string(&w, "command", r->command);
	jsonw_key(&w, "targets");
	jsonw_array_begin(&w);
	for (i = 0; i < r->ntargets; i++) {
		jsonw_object_begin_inline(&w);
		jsonw_kv_string(&w, "file", r->targets[i]);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "findings");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nfindings; i++)
		write_finding(&w, &r->findings[i]);
	jsonw_array_end(&w);
	write_summary(&w, r);
	jsonw_key(&w, "suppressed");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nsuppressed; i++) {
		jsonw_object_begin_inline(&w);
		jsonw_kv_string(&w, "id", r->suppressed[i].id);
		jsonw_kv_string(&w, "reason", r->suppressed[i].reason);
		jsonw_kv_string(&w, "expires", r->suppressed[i].expires);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "errors");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nerrors; i++) {
		jsonw_object_begin_inline(&w);
		jsonw_kv_string(&w, "target", r->errors[i].target);
		jsonw_kv_string(&w, "message", r->errors[i].message);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	for (i = 0; i < r->nsections; i++) {
		const struct report_section *s = &r->sections[i];
		int err;

		if (!s->json)
			continue;
		jsonw_key(&w, s->key);
		if ((err = s->json(&w, s->ctx)) != 0) {
			jsonw_finish(&w);
			return err;
		}
	}
	jsonw_object_end(&w);
	return jsonw_finish(&w);
}

const char *
report_node_label(struct mempool *pool, const struct tree_node *n)
{
	if (n->version && *n->version)
		return mempool_printf(pool, "%s@%s",
				      n->name ? n->name : "(unnamed)", n->version);
	return n->name ? n->name : "(unnamed)";
}

void
report_path_of(struct mempool *pool, const struct tree *t, uint32_t node,
	       size_t max_len, struct report_path *out)
{
	uint32_t nodes[REPORT_PATH_LEN_MAX];
	size_t len, kept, i;

	assert(max_len > 0 && max_len <= REPORT_PATH_LEN_MAX);
	out->n = 0;
	out->nodes = NULL;
	len = tree_path(t, node, nodes, max_len);
	if (!len)
		return;
	kept = len > max_len ? max_len : len;
	out->nodes = mempool_alloc(pool, (kept + 1) * sizeof(*out->nodes));
	if (len > kept)
		out->nodes[out->n++] = "...";
	for (i = 0; i < kept; i++)
		out->nodes[out->n++] = report_node_label(pool, &t->nodes[nodes[i]]);
}
