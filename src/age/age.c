#include "age/age.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"
#include "util/mempool.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * The inventory's registry packages are grouped by name (one packument
 * each, every locked version of it looked up in the same `time` map), the
 * packuments fetched in one batch, and each package then judged by
 * policy_check(). Findings are made per input, like scan's, with the
 * shortest dependency paths of the package in that input.
 */

#define AGE_PATHS_PER_FINDING 4
#define AGE_PATH_LEN 32

enum age_state {
	AGE_PENDING,	/* no answer (the batch did not run) */
	AGE_TIMES,	/* times filled from the packument */
	AGE_NOT_FOUND,	/* 404: the registry does not know the name */
	AGE_UNCHECKED,	/* failed, offline, malformed: why says why */
};

struct age_version {
	const char *version;
	enum age_state state;
	struct policy_times times;	/* predecessor copied to the pool */
	const char *why;		/* AGE_UNCHECKED: in the pool */
};

struct age_name {
	const char *name;
	struct age_version *versions;
	const char **vstrs;	/* the versions as registry_want wants them */
	size_t nversions;
};

struct age_ctx {
	struct report *r;
	const struct age_opts *o;
	struct mempool pool;
	struct age_name *names;
	size_t nnames;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct age_name *)a)->name,
		      ((const struct age_name *)b)->name);
}

static struct age_name *
find_name(struct age_ctx *c, const char *name)
{
	struct age_name key;

	key.name = name;
	return bsearch(&key, c->names, c->nnames, sizeof(*c->names), name_cmp);
}

static struct age_version *
find_version(struct age_name *n, const char *version)
{
	size_t i;

	for (i = 0; i < n->nversions; i++)
		if (strcmp(n->versions[i].version, version) == 0)
			return &n->versions[i];
	return NULL;
}

/* Whether the package is looked up in the registry. */
static int
pkg_node(const struct tree_pkg *pkg, const struct tree **t,
	 const struct tree_node **node)
{
	size_t i;

	for (i = 0; i < pkg->nlocs; i++) {
		const struct tree_node *n =
			&pkg->locs[i].tree->nodes[pkg->locs[i].node];

		if (!tree_node_is_package(n))
			continue;
		*t = pkg->locs[i].tree;
		*node = n;
		return 1;
	}
	return 0;
}

static int
is_registry_pkg(const struct tree_pkg *pkg)
{
	const struct tree *t;
	const struct tree_node *n;

	if (!pkg->name || !*pkg->name || !pkg->version || !*pkg->version)
		return 0;
	if (!pkg_node(pkg, &t, &n))
		return 0;
	return n->source == TREE_SOURCE_REGISTRY;
}

static void
set_unchecked(struct age_ctx *c, struct age_name *n, const char *why)
{
	size_t i;

	for (i = 0; i < n->nversions; i++) {
		n->versions[i].state = AGE_UNCHECKED;
		n->versions[i].why = mempool_strdup(&c->pool, why);
	}
}

static void
on_packument(const char *name, enum registry_status status,
	     const struct json_value *doc, const char *error, void *payload)
{
	struct age_ctx *c = payload;
	struct age_name *n = find_name(c, name);
	const struct json_value *time_map;
	size_t i;

	if (!n)
		return;
	switch (status) {
	case REGISTRY_NOT_FOUND:
		for (i = 0; i < n->nversions; i++)
			n->versions[i].state = AGE_NOT_FOUND;
		return;
	case REGISTRY_FAILED:
		report_add_error(c->r, name, error ? error : "registry request failed");
		set_unchecked(c, n, error ? error : "registry request failed");
		return;
	case REGISTRY_OFFLINE_MISSING:
		set_unchecked(c, n, "offline and not in the cache");
		return;
	default:
		break;
	}
	time_map = doc ? json_get(doc, "time") : NULL;
	if (!time_map || !json_is(time_map, JSON_OBJECT)) {
		const char *m = mempool_printf(&c->pool,
			"%s: the registry's document has no time map", name);

		report_add_error(c->r, name, m);
		set_unchecked(c, n, "the registry gave no publish times");
		return;
	}
	for (i = 0; i < n->nversions; i++) {
		struct age_version *v = &n->versions[i];
		int err = policy_times_from_map(&v->times, time_map, v->version);

		if (err) {
			report_add_error(c->r, name, mempool_printf(&c->pool,
				"%s@%s: %s", name, v->version, ws_error_last()));
			v->state = AGE_UNCHECKED;
			v->why = "its publish time is malformed";
			continue;
		}
		if (!v->times.known && status == REGISTRY_OFFLINE_STALE) {
			v->state = AGE_UNCHECKED;
			v->why = "offline and not in the cache";
			continue;
		}
		if (v->times.predecessor)
			v->times.predecessor =
				mempool_strdup(&c->pool, v->times.predecessor);
		v->state = AGE_TIMES;
	}
}

/* ---- findings ---- */

/* "3d 4h", "5h 12m", "42m", "17s"; negative ages are "-..." */
static const char *
fmt_age(struct age_ctx *c, int64_t s)
{
	const char *sign = "";
	uint64_t a;

	if (s < 0) {
		sign = "-";
		a = (uint64_t)(-(s + 1)) + 1;
	} else {
		a = (uint64_t)s;
	}
	if (a >= 86400)
		return mempool_printf(&c->pool, "%s%" PRIu64 "d %" PRIu64 "h", sign,
				      a / 86400, a % 86400 / 3600);
	if (a >= 3600)
		return mempool_printf(&c->pool, "%s%" PRIu64 "h %" PRIu64 "m", sign,
				      a / 3600, a % 3600 / 60);
	if (a >= 60)
		return mempool_printf(&c->pool, "%s%" PRIu64 "m", sign, a / 60);
	return mempool_printf(&c->pool, "%s%" PRIu64 "s", sign, a);
}

/* Where a minimum age was set: ".npmrc:3 min-release-age = 7", "--min-age 7d" */
static const char *
fmt_source(struct age_ctx *c, const struct policy_source *s)
{
	if (!s)
		return "none";
	if (s->tool == POLICY_TOOL_CLI)
		return mempool_printf(&c->pool, "%s %s", s->file, s->raw);
	if (s->line)
		return mempool_printf(&c->pool, "%s:%u %s = %s", s->file, s->line,
				      s->key, s->raw);
	return mempool_printf(&c->pool, "%s %s = %s", s->file, s->key, s->raw);
}

static const char *
fmt_time(struct age_ctx *c, time_t t)
{
	char buf[21];

	policy_format_time(buf, t);
	return mempool_strdup(&c->pool, buf);
}

static const char *
source_why(int source)
{
	switch (source) {
	case TREE_SOURCE_GIT:
		return "it comes from git";
	case TREE_SOURCE_TARBALL:
		return "it is a remote tarball outside the registry";
	case TREE_SOURCE_FILE:
		return "it is a file: dependency";
	case TREE_SOURCE_LINK:
		return "it is a link: dependency";
	case TREE_SOURCE_WORKSPACE:
		return "it is a workspace package";
	default:
		return "it does not come from the registry";
	}
}

struct age_finding {
	const char *kind;
	enum report_severity severity;
	const char *message;
	const char *remediation;
	struct report_evidence ev[8];
	size_t nev;
};

static void
ev_add(struct age_finding *f, const char *key, const char *value)
{
	if (!value || f->nev >= sizeof(f->ev) / sizeof(f->ev[0]))
		return;
	f->ev[f->nev].key = key;
	f->ev[f->nev++].value = value;
}

/* Adds f once for every input pkg is in, with its paths there. */
static void
emit(struct age_ctx *c, const struct tree_pkg *pkg, const struct age_finding *af)
{
	size_t i, j;

	for (i = 0; i < pkg->nlocs; i++) {
		const struct tree *t = pkg->locs[i].tree;
		struct report_path paths[AGE_PATHS_PER_FINDING];
		const struct tree_node *first = NULL;
		struct report_finding f;
		size_t np = 0;
		int seen = 0;

		for (j = 0; j < i; j++)
			if (pkg->locs[j].tree == t)
				seen = 1;
		if (seen)
			continue;
		for (j = i; j < pkg->nlocs; j++) {
			const struct tree_node *n;

			if (pkg->locs[j].tree != t)
				continue;
			n = &t->nodes[pkg->locs[j].node];
			if (!tree_node_is_package(n))
				continue;
			if (!first)
				first = n;
			if (np < AGE_PATHS_PER_FINDING) {
				report_path_of(&c->pool, t, pkg->locs[j].node,
					       AGE_PATH_LEN, &paths[np]);
				if (paths[np].n)
					np++;
			}
		}
		if (!first)
			continue;
		memset(&f, 0, sizeof(f));
		f.id = *pkg->version
			? mempool_printf(&c->pool, "%s:%s@%s", af->kind, pkg->name,
					 pkg->version)
			: mempool_printf(&c->pool, "%s:%s", af->kind, pkg->name);
		f.kind = af->kind;
		f.severity = af->severity;
		f.target = t->file;
		f.package_name = pkg->name;
		f.package_version = pkg->version;
		f.paths = paths;
		f.npaths = np;
		f.file = t->file;
		f.line = first->line;
		f.message = af->message;
		f.remediation = af->remediation;
		f.feed = "release-age";
		f.evidence = (struct report_evidence *)af->ev;
		f.nevidence = af->nev;
		report_add(c->r, &f);
	}
}

static void
judge(struct age_ctx *c, const struct tree_pkg *pkg, struct age_stats *stats)
{
	const struct tree *t;
	const struct tree_node *node;
	const char *label = mempool_printf(&c->pool, "%s@%s", pkg->name,
					   pkg->version);
	struct age_name *n;
	struct age_version *v;
	struct policy_result res;
	struct age_finding af;
	const char *reg = c->o->registry;

	memset(&af, 0, sizeof(af));
	if (!pkg->name || !*pkg->name || !pkg_node(pkg, &t, &node))
		return;
	if (!is_registry_pkg(pkg)) {
		int src = node->source;

		if (src == TREE_SOURCE_REGISTRY)
			src = -1;	/* no version recorded */
		af.kind = "release-unchecked";
		af.severity = REPORT_INFO;
		af.message = mempool_printf(&c->pool,
			"%s has no registry publish time to check: %s",
			*pkg->version ? label : pkg->name,
			src < 0 ? "no version is locked" : source_why(src));
		af.remediation = "Review where it comes from: the release-age "
				 "policy cannot cover it.";
		ev_add(&af, "source", src < 0 ? "registry" : tree_source_name(src));
		if (node->resolved)
			ev_add(&af, "resolved", node->resolved);
		emit(c, pkg, &af);
		return;
	}
	n = find_name(c, pkg->name);
	v = n ? find_version(n, pkg->version) : NULL;
	if (!v)
		return;
	stats->packages++;
	if (v->state == AGE_UNCHECKED || v->state == AGE_PENDING) {
		af.kind = "release-unchecked";
		af.severity = REPORT_INFO;
		af.message = mempool_printf(&c->pool,
			"%s was not checked: %s", label,
			v->why ? v->why : "the registry was not asked");
		af.remediation = "Run again with the registry reachable "
				 "(without --offline) to check it.";
		ev_add(&af, "registry", reg);
		emit(c, pkg, &af);
		return;
	}
	if (v->state == AGE_NOT_FOUND) {
		v->times.known = 0;
	}
	policy_check(c->o->policy, pkg->name, pkg->version, TREE_SOURCE_REGISTRY,
		     &v->times, c->o->now, &res);
	if (res.verdict == POLICY_MISSING) {
		af.kind = "release-missing";
		af.severity = REPORT_HIGH;
		af.message = v->state == AGE_NOT_FOUND
			? mempool_printf(&c->pool,
				"%s is locked but the registry does not know the package %s",
				label, pkg->name)
			: mempool_printf(&c->pool,
				"%s is locked but the registry has no such version (unpublished or removed)",
				label);
		af.remediation = "Find out why it was removed (npm removes "
				 "malware): pin a version the registry still "
				 "has and check machines that installed it.";
		ev_add(&af, "registry", reg);
		emit(c, pkg, &af);
		return;
	}
	if (res.flags & POLICY_FLAG_TOO_YOUNG) {
		memset(&af, 0, sizeof(af));
		af.kind = "release-age";
		af.severity = REPORT_HIGH;
		af.message = mempool_printf(&c->pool,
			"%s was published %s, %s ago, less than the minimum release age of %s (%s)",
			label, fmt_time(c, res.published), fmt_age(c, res.age),
			fmt_age(c, res.min_age), fmt_source(c, res.source));
		af.remediation = "Wait until it is older than the minimum age, "
				 "or pin the previous version; check the release "
				 "is genuine before excluding it.";
		ev_add(&af, "published", fmt_time(c, res.published));
		ev_add(&af, "age", fmt_age(c, res.age));
		ev_add(&af, "age_seconds", mempool_printf(&c->pool, "%" PRId64, res.age));
		ev_add(&af, "min_age", fmt_age(c, res.min_age));
		ev_add(&af, "min_age_seconds",
		       mempool_printf(&c->pool, "%" PRId64, res.min_age));
		ev_add(&af, "policy_source", fmt_source(c, res.source));
		ev_add(&af, "registry", reg);
		emit(c, pkg, &af);
	}
	if (res.flags & POLICY_FLAG_OUT_OF_ORDER) {
		memset(&af, 0, sizeof(af));
		af.kind = "release-out-of-order";
		af.severity = REPORT_MEDIUM;
		af.message = mempool_printf(&c->pool,
			"%s was published %s, %s before the lower version %s (%s)",
			label, fmt_time(c, res.published),
			fmt_age(c, (int64_t)res.predecessor_published -
				   (int64_t)res.published),
			res.predecessor ? res.predecessor : "?",
			fmt_time(c, res.predecessor_published));
		af.remediation = "Check whether it is a maintained back-branch "
				 "release or a republish with a stolen token.";
		ev_add(&af, "published", fmt_time(c, res.published));
		ev_add(&af, "predecessor", res.predecessor);
		ev_add(&af, "predecessor_published",
		       fmt_time(c, res.predecessor_published));
		ev_add(&af, "registry", reg);
		emit(c, pkg, &af);
	}
}

/* ---- the check ---- */

static void
collect(struct age_ctx *c, const struct tree_inv *inv)
{
	size_t i, alloc = 0, valloc = 0;
	struct age_name *cur = NULL;

	for (i = 0; i < inv->npkgs; i++) {
		const struct tree_pkg *pkg = &inv->pkgs[i];
		struct age_version *v;

		if (!is_registry_pkg(pkg))
			continue;
		/* pkgs are sorted by name: each name's versions are together */
		if (!cur || strcmp(cur->name, pkg->name) != 0) {
			xgrow((void **)&c->names, &alloc, c->nnames + 1,
			      sizeof(*c->names));
			cur = &c->names[c->nnames++];
			memset(cur, 0, sizeof(*cur));
			cur->name = pkg->name;
			valloc = 0;
		}
		if (find_version(cur, pkg->version))
			continue;
		xgrow((void **)&cur->versions, &valloc, cur->nversions + 1,
		      sizeof(*cur->versions));
		v = &cur->versions[cur->nversions++];
		memset(v, 0, sizeof(*v));
		v->version = pkg->version;
	}
	if (c->nnames > 1)
		qsort(c->names, c->nnames, sizeof(*c->names), name_cmp);
}

int
age_check(struct report *r, const struct tree_inv *inv,
	  const struct age_opts *o, struct age_stats *stats)
{
	struct age_ctx c;
	struct age_stats local;
	struct registry_want *wants = NULL;
	size_t i, j, answered = 0, failed = 0;
	int err = 0;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.o = o;
	mempool_init(&c.pool, 16384);
	for (i = 0; i < inv->ntrees; i++)
		report_add_target(r, inv->trees[i]->file);
	collect(&c, inv);
	stats->names = c.nnames;
	if (c.nnames) {
		wants = xcalloc(c.nnames, sizeof(*wants));
		for (i = 0; i < c.nnames; i++) {
			struct age_name *n = &c.names[i];

			n->vstrs = mempool_alloc(&c.pool,
						 n->nversions * sizeof(*n->vstrs));
			for (j = 0; j < n->nversions; j++)
				n->vstrs[j] = n->versions[j].version;
			wants[i].name = n->name;
			wants[i].versions = n->vstrs;
			wants[i].nversions = n->nversions;
		}
		if (registry_fetch_packuments(o->client, wants, c.nnames,
					      on_packument, &c,
					      &stats->registry)) {
			err = ws_error_set(WS_ENET, "registry: %s",
					   ws_error_last());
			goto done;
		}
		answered = stats->registry.fetched + stats->registry.revalidated +
			   stats->registry.cached + stats->registry.not_found +
			   stats->registry.offline;
		failed = stats->registry.failed;
	}
	for (i = 0; i < inv->npkgs; i++)
		judge(&c, &inv->pkgs[i], stats);
	if (failed && !answered)
		err = ws_error_set(WS_ENET,
				   "the registry could not be used: every request failed");
done:
	for (i = 0; i < c.nnames; i++)
		free(c.names[i].versions);
	free(c.names);
	free(wants);
	mempool_release(&c.pool);
	return err;
}
