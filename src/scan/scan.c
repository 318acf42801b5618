#include "scan/scan.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "semver/semver.h"
#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * The package checks. Findings carry the shortest dependency path of the
 * location they were found at, so a reader sees who pulled the package in
 * and the evidence a person can act on (which feed, which spec, which line).
 */

#define SCAN_PATHS_PER_FINDING 4
#define SCAN_PATH_LEN 32
#define SCAN_SCRIPT_MAX 4096

struct scan_ctx {
	struct report *r;
	const struct scan_opts *o;
	struct mempool pool;	/* per finding: labels, messages */
	const char *registry_host;	/* host[:port] of o->registry */
	size_t registry_host_len;
	/* the feeds' package-json artifacts, gathered once: every
	 * dependency spec of a large lockfile is checked against them */
	struct pj_artifact {
		const struct feed_artifact *a;
		const struct feed *fd;
	} *pj;
	size_t npj;
	/* their first two bytes, as a 65536-bit set: a text without any of
	 * those pairs contains none of them (most specs are "^1.2.3") */
	uint64_t *pj_pairs;
	int pj_short;		/* one is a single byte: no filter */
};

static const char *
node_label(struct scan_ctx *c, const struct tree_node *n)
{
	return report_node_label(&c->pool, n);
}

/* ---- IOC packages ---- */

/*
 * A feed may list one package in several entries (each source's versions,
 * an OSV range): the matches are gathered first, then each feed makes one
 * finding per input, with every source and advisory that listed it.
 */
#define SCAN_MATCHES_MAX 64	/* entries kept for one package */

struct pkg_match {
	const struct feed_package *e;
	const char *by;
};

struct pkg_match_ctx {
	struct scan_ctx *c;
	const struct tree_pkg *pkg;
	const struct tree *t;	/* the input this finding is about */
	struct pkg_match hits[SCAN_MATCHES_MAX];
	size_t nhits;
};

static void
on_package_match(const struct feed_package *e, const char *matched_by,
		 void *payload)
{
	struct pkg_match_ctx *m = payload;

	if (m->nhits < SCAN_MATCHES_MAX) {
		m->hits[m->nhits].e = e;
		m->hits[m->nhits++].by = matched_by;
	}
}

/* The values of field among the hits of feed fd, each once, joined. */
static const char *
join_hits(struct scan_ctx *c, const struct pkg_match_ctx *m,
	  const struct feed *fd, int field, const char *sep)
{
	const char *out = NULL;
	size_t i, j;

	for (i = 0; i < m->nhits; i++) {
		const char *v = field == 0 ? m->hits[i].by :
				field == 1 ? m->hits[i].e->meta.source :
					     m->hits[i].e->meta.advisory;

		if (m->hits[i].e->meta.feed != fd || !v || !*v)
			continue;
		for (j = 0; j < i; j++) {
			const char *w = field == 0 ? m->hits[j].by :
					field == 1 ? m->hits[j].e->meta.source :
						     m->hits[j].e->meta.advisory;

			if (m->hits[j].e->meta.feed == fd && w &&
			    strcmp(v, w) == 0)
				break;
		}
		if (j < i)
			continue;
		out = out ? mempool_printf(&c->pool, "%s%s%s", out, sep, v) : v;
	}
	return out;
}

static void
package_finding(struct pkg_match_ctx *m, const struct feed *fd)
{
	struct scan_ctx *c = m->c;
	const struct tree_pkg *pkg = m->pkg;
	struct report_path paths[SCAN_PATHS_PER_FINDING];
	struct report_evidence ev[4];
	struct report_finding f;
	const struct tree_node *first = NULL;
	const char *feed_id = fd && fd->id ? fd->id : "feed";
	const char *feed_title = fd && fd->title ? fd->title : feed_id;
	size_t i, np = 0, nev = 0;
	int sev = -1;

	for (i = 0; i < pkg->nlocs; i++) {
		const struct tree_node *n;

		if (pkg->locs[i].tree != m->t)
			continue;
		n = &m->t->nodes[pkg->locs[i].node];
		if (!first)
			first = n;
		if (np < SCAN_PATHS_PER_FINDING) {
			report_path_of(&c->pool, m->t, pkg->locs[i].node,
				       SCAN_PATH_LEN, &paths[np]);
			if (paths[np].n)
				np++;
		}
	}
	if (!first)
		return;
	for (i = 0; i < m->nhits; i++) {
		int s = m->hits[i].e->meta.severity;

		if (m->hits[i].e->meta.feed != fd)
			continue;
		if (s < 0)
			s = REPORT_CRITICAL;
		if (s > sev)
			sev = s;
	}
	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&c->pool, "ioc-package:%s@%s:%s", pkg->name, pkg->version,
		   feed_id);
	f.kind = "ioc-package";
	f.severity = (enum report_severity)sev;
	f.target = m->t->file;
	f.package_name = pkg->name;
	f.package_version = pkg->version;
	f.paths = paths;
	f.npaths = np;
	f.file = m->t->file;
	f.line = first->line;
	f.message = mempool_printf(&c->pool, "%s@%s is a known compromised version (%s)",
			pkg->name, pkg->version, feed_title);
	f.remediation = "Remove it or pin a version published before the "
			"compromise, reinstall with --ignore-scripts, and treat "
			"every machine and CI runner that installed it as "
			"compromised: check it with 'wormsign host' before "
			"revoking tokens, then rotate its credentials.";
	f.feed = feed_id;
	f.source = join_hits(c, m, fd, 1, "; ");
	f.advisory = join_hits(c, m, fd, 2, ", ");
	ev[nev].key = "matched";
	ev[nev++].value = join_hits(c, m, fd, 0, ", ");
	ev[nev].key = "location";
	ev[nev++].value = first->location;
	if (first->integrity) {
		ev[nev].key = "integrity";
		ev[nev++].value = first->integrity;
	}
	f.evidence = ev;
	f.nevidence = nev;
	report_add(c->r, &f);
}

static void
scan_packages(struct scan_ctx *c, const struct tree_inv *inv)
{
	struct pkg_match_ctx *m;
	size_t i, j, k;

	if (!c->o->feeds)
		return;
	m = xmalloc(sizeof(*m));
	for (i = 0; i < inv->npkgs; i++) {
		const struct tree_pkg *pkg = &inv->pkgs[i];

		/* one finding per input (and feed) that has the package */
		for (j = 0; j < pkg->nlocs; j++) {
			for (k = 0; k < j; k++)
				if (pkg->locs[k].tree == pkg->locs[j].tree)
					break;
			if (k < j)
				continue;
			m->c = c;
			m->pkg = pkg;
			m->t = pkg->locs[j].tree;
			m->nhits = 0;
			if (!feed_set_match_package(c->o->feeds, pkg->name,
						    *pkg->version ?
							    pkg->version :
							    NULL,
						    on_package_match, m))
				continue;
			for (k = 0; k < m->nhits; k++) {
				const struct feed *fd = m->hits[k].e->meta.feed;
				size_t l;

				for (l = 0; l < k; l++)
					if (m->hits[l].e->meta.feed == fd)
						break;
				if (l == k)
					package_finding(m, fd);
			}
		}
	}
	free(m);
}

/* ---- artifacts in dependency specs ---- */

/* Whether s ends in "#<7 to 40 hex digits>": a git ref pinned to a commit. */
static const char *
commit_pin(const char *s)
{
	const char *h = strrchr(s, '#');
	size_t n = 0;

	if (!h)
		return NULL;
	for (n = 0; h[1 + n] && n <= 40; n++)
		if (!isxdigit((unsigned char)h[1 + n]))
			return NULL;
	return n >= 7 && n <= 40 ? h + 1 : NULL;
}

static int
spec_is_git(const char *s)
{
	static const char *const prefixes[] = {
		"github:", "gitlab:", "bitbucket:", "gist:", "git+", "git:",
		"git@",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	/* npm's shorthand "owner/repo#ref" */
	return s[0] != '@' && s[0] != '.' && s[0] != '/' && strchr(s, '/') &&
	       !strchr(s, ':') && !strchr(s, ' ') && strchr(s, '#');
}

static void
add_node_finding(struct scan_ctx *c, const struct tree *t, uint32_t node,
		 struct report_finding *f)
{
	struct report_path path;
	const struct tree_node *n = &t->nodes[node];

	report_path_of(&c->pool, t, node, SCAN_PATH_LEN, &path);
	f->target = t->file;
	f->package_name = n->name;
	f->package_version = n->version;
	f->paths = path.n ? &path : NULL;
	f->npaths = path.n ? 1 : 0;
	f->file = t->file;
	f->line = n->line;
	report_add(c->r, f);
}

static void
scan_git_pin(struct scan_ctx *c, const struct tree *t, uint32_t node,
	     const struct tree_dep *d)
{
	const struct tree_node *n = &t->nodes[node];
	struct report_evidence ev[4];
	struct report_finding f;
	const char *pin;

	/* A project may pin git commits itself; a package from the
	 * registry that does is what the TanStack wave looked like. The
	 * node is checked first: it is in cache, the spec may not be. */
	if ((n->flags & TREE_TARGET) || n->source != TREE_SOURCE_REGISTRY)
		return;
	if (!d->spec || !strchr(d->spec, '#') || !spec_is_git(d->spec) ||
	    !(pin = commit_pin(d->spec)))
		return;
	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&c->pool, "ioc-artifact:git-pin:%s@%s:%s", n->name,
		   n->version ? n->version : "", d->name);
	f.kind = "ioc-artifact";
	f.severity = d->kind == TREE_DEP_OPTIONAL ? REPORT_CRITICAL :
						    REPORT_HIGH;
	f.message = mempool_printf(&c->pool, "registry package %s depends on a git commit (%s \"%s\"), the Mini Shai-Hulud fingerprint",
			node_label(c, n), d->name, d->spec);
	f.remediation = "A published package has no reason to pin a git "
			"commit: check the version against the feeds and the "
			"registry, and do not install it until it is cleared.";
	f.feed = "wormsign-checks";
	f.source = "wormsign: registry package with a git commit dependency";
	ev[0].key = "dependency";
	ev[0].value = d->name;
	ev[1].key = "spec";
	ev[1].value = d->spec;
	ev[2].key = "commit";
	ev[2].value = pin;
	ev[3].key = "rule";
	ev[3].value = "git-commit-pin";
	f.evidence = ev;
	f.nevidence = 4;
	add_node_finding(c, t, node, &f);
}

/* The feeds' package-json artifact strings, in specs and resolved URLs. */
static void
scan_feed_strings(struct scan_ctx *c, const struct tree *t, uint32_t node,
		  const char *where, const char *text)
{
	const unsigned char *p;
	size_t i;

	if (!text || !c->npj)
		return;
	if (!c->pj_short) {
		for (p = (const unsigned char *)text; p[0] && p[1]; p++) {
			unsigned pair = (unsigned)p[0] << 8 | p[1];

			if (c->pj_pairs[pair >> 6] >> (pair & 63) & 1)
				break;
		}
		if (!p[0] || !p[1])
			return;
	}
	for (i = 0; i < c->npj; i++) {
		const struct feed_artifact *a = c->pj[i].a;
		const struct feed *fd = c->pj[i].fd;
		struct report_evidence ev[2];
		struct report_finding f;

		if (!strstr(text, a->value))
			continue;
		memset(&f, 0, sizeof(f));
		f.id = mempool_printf(&c->pool, "ioc-artifact:%s:%s@%s:%s", fd->id,
			   t->nodes[node].name,
			   t->nodes[node].version ? t->nodes[node].version : "",
			   a->value);
		f.kind = "ioc-artifact";
		f.severity = a->meta.severity >= 0 ?
			(enum report_severity)a->meta.severity :
			REPORT_CRITICAL;
		f.message = mempool_printf(&c->pool, "%s carries a known worm artifact in its %s: %s",
				node_label(c, &t->nodes[node]), where,
				a->description ? a->description : a->value);
		f.remediation = "Remove the package and treat machines that "
				"installed it as compromised.";
		f.feed = fd->id;
		f.source = a->meta.source;
		f.advisory = a->meta.advisory;
		ev[0].key = where;
		ev[0].value = text;
		ev[1].key = "artifact";
		ev[1].value = a->value;
		f.evidence = ev;
		f.nevidence = 2;
		add_node_finding(c, t, node, &f);
	}
}

/* The package-json artifacts of every feed, for scan_feed_strings. */
static void
gather_package_json(struct scan_ctx *c)
{
	const struct feed_set *s = c->o->feeds;
	size_t i, j, alloc = 0;

	for (i = 0; s && i < s->nfeeds; i++) {
		const struct feed *fd = s->feeds[i];

		for (j = 0; j < fd->nartifacts; j++) {
			const struct feed_artifact *a = &fd->artifacts[j];

			if (!a->kind || strcmp(a->kind, "package-json") != 0 ||
			    !a->value || !*a->value)
				continue;
			XGROW(c->pj, alloc, c->npj + 1);
			c->pj[c->npj].a = a;
			c->pj[c->npj++].fd = fd;
			if (!a->value[1]) {
				c->pj_short = 1;
			} else {
				unsigned pair = (unsigned char)a->value[0] << 8 |
						(unsigned char)a->value[1];

				if (!c->pj_pairs)
					c->pj_pairs = xcalloc(1024,
							      sizeof(uint64_t));
				c->pj_pairs[pair >> 6] |= (uint64_t)1 << (pair & 63);
			}
		}
	}
}

/* ---- lockfile hygiene ---- */

static void
hygiene(struct scan_ctx *c, const struct tree *t, uint32_t node,
	enum report_severity sev, const char *what, const char *message,
	const char *key, const char *value)
{
	struct report_evidence ev[2];
	struct report_finding f;
	const struct tree_node *n = &t->nodes[node];

	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&c->pool, "lockfile:%s:%s:%s", what, t->file, n->location);
	f.kind = "lockfile";
	f.severity = sev;
	f.message = message;
	f.remediation = "Regenerate the lockfile from the configured registry "
			"and review the change; lockfile-lint enforces the same "
			"rules in CI.";
	f.feed = "wormsign-checks";
	f.source = mempool_printf(&c->pool, "wormsign: lockfile %s", what);
	ev[0].key = "rule";
	ev[0].value = mempool_printf(&c->pool, "lockfile-%s", what);
	ev[1].key = key;
	ev[1].value = value;
	f.evidence = ev;
	f.nevidence = value ? 2 : 1;
	add_node_finding(c, t, node, &f);
}

/* host[:port] of an http(s) URL, or NULL. */
static const char *
url_host(const char *url, size_t *len)
{
	const char *h, *e;

	if (strncmp(url, "https://", 8) == 0)
		h = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		h = url + 7;
	else
		return NULL;
	e = h + strcspn(h, "/?#");
	*len = (size_t)(e - h);
	return h;
}

static void
scan_hygiene_node(struct scan_ctx *c, const struct tree *t, uint32_t node)
{
	const struct tree_node *n = &t->nodes[node];
	const char *host;
	size_t hlen;

	if (!tree_node_is_package(n) || n->source == TREE_SOURCE_LINK ||
	    n->source == TREE_SOURCE_WORKSPACE ||
	    n->source == TREE_SOURCE_FILE)
		return;
	if (n->resolved && strncmp(n->resolved, "http://", 7) == 0)
		hygiene(c, t, node, REPORT_MEDIUM, "http",
			mempool_printf(&c->pool, "%s is fetched over plain http", node_label(c, n)),
			"resolved", n->resolved);
	if (n->resolved && c->registry_host &&
	    n->source == TREE_SOURCE_REGISTRY &&
	    (host = url_host(n->resolved, &hlen)) &&
	    (hlen != c->registry_host_len ||
	     memcmp(host, c->registry_host, hlen) != 0))
		hygiene(c, t, node, REPORT_LOW, "host",
			mempool_printf(&c->pool, "%s resolves to %.*s, not the configured registry",
			    node_label(c, n), (int)hlen, host),
			"resolved", n->resolved);
	if (!n->integrity && !t->integrity_unrecorded &&
	    (n->source == TREE_SOURCE_REGISTRY ||
	     n->source == TREE_SOURCE_TARBALL) && n->resolved)
		hygiene(c, t, node, REPORT_LOW, "integrity",
			mempool_printf(&c->pool, "%s has no integrity hash in the lockfile",
			    node_label(c, n)),
			"resolved", n->resolved);
}

/*
 * Whether v satisfies spec when spec is "1.2.3", "^1.2.3" or "~1.2.3" (a
 * whole version, prerelease allowed), the shape of most dependency specs,
 * without building a range: 1 or 0, the answers semver_range_satisfies
 * gives with include_prerelease; -1 for any other shape.
 */
static int
range_fast(const char *spec, const struct semver *v)
{
	struct semver lo, hi;
	char op = 0;

	if (*spec == '^' || *spec == '~')
		op = *spec++;
	if (!isdigit((unsigned char)*spec) ||
	    semver_parse(&lo, spec, strlen(spec)) != 0)
		return -1;
	if (!op)
		return semver_cmp(v, &lo) == 0;
	/* the upper bound node-semver gives, with its "-0" prerelease */
	memset(&hi, 0, sizeof(hi));
	hi.pre = "0";
	hi.pre_len = 1;
	/* with include_prerelease node-semver lets ^0.y.z start at 0.y.z-0 */
	if (op == '^' && !lo.major && !lo.pre) {
		lo.pre = "0";
		lo.pre_len = 1;
	}
	if (op == '^' && lo.major) {
		hi.major = lo.major + 1;
	} else if (op == '~' || lo.minor) {
		hi.major = lo.major;
		hi.minor = lo.minor + 1;
	} else {
		hi.patch = lo.patch + 1;
	}
	if (hi.major > SEMVER_MAX_SAFE || hi.minor > SEMVER_MAX_SAFE ||
	    hi.patch > SEMVER_MAX_SAFE)
		return -1;
	return semver_cmp(v, &lo) >= 0 && semver_cmp(v, &hi) < 0;
}

/* A locked version that does not satisfy the range its dependent asks. */
static void
scan_range(struct scan_ctx *c, const struct tree *t, uint32_t from,
	   const struct tree_dep *d)
{
	const struct tree_node *to;
	struct semver_range *range = NULL;
	struct semver v;
	int ok;

	if (d->target == TREE_NONE || !d->spec || !*d->spec)
		return;
	to = &t->nodes[d->target];
	if (!to->version || to->source != TREE_SOURCE_REGISTRY ||
	    to->alias || strncmp(d->spec, "npm:", 4) == 0)
		return;
	if (semver_parse(&v, to->version, strlen(to->version)))
		return;
	ok = range_fast(d->spec, &v);
	if (ok < 0) {
		/* dist-tags and other non-range specs say nothing to check */
		if (semver_range_parse(&range, d->spec, strlen(d->spec))) {
			ws_error_clear();
			return;
		}
		ok = semver_range_satisfies(range, &v, 1);
		semver_range_free(range);
	}
	if (!ok)
		hygiene(c, t, d->target, REPORT_LOW, "range",
			mempool_printf(&c->pool, "%s is locked, but %s asks for %s \"%s\"",
			    node_label(c, to), node_label(c, &t->nodes[from]),
			    d->name, d->spec),
			"required", d->spec);
}

/* ---- lifecycle scripts of installed packages ---- */

static const char *const suspicious_scripts[] = {
	"node bundle.js", "node setup_bun.js", "node setup.mjs",
	"bun_environment.js", "tanstack_runner.js", "router_init.js",
	"bun run ",
};

static void
scan_script(struct scan_ctx *c, const struct tree *t, uint32_t node,
	    const char *name, const char *script)
{
	struct report_evidence ev[3];
	struct report_finding f;
	size_t i;

	for (i = 0; i < sizeof(suspicious_scripts) / sizeof(*suspicious_scripts);
	     i++) {
		if (!strstr(script, suspicious_scripts[i]))
			continue;
		memset(&f, 0, sizeof(f));
		f.id = mempool_printf(&c->pool, "ioc-artifact:script:%s@%s:%s",
			   t->nodes[node].name,
			   t->nodes[node].version ? t->nodes[node].version : "",
			   name);
		f.kind = "ioc-artifact";
		f.severity = REPORT_HIGH;
		f.message = mempool_printf(&c->pool, "%s runs \"%s\" as its %s script, as the Shai-Hulud payloads do",
				node_label(c, &t->nodes[node]),
				suspicious_scripts[i], name);
		f.remediation = "Do not run its scripts: reinstall with "
				"--ignore-scripts and check the package "
				"against the feeds.";
		f.feed = "wormsign-checks";
		f.source = "wormsign: suspicious lifecycle script";
		ev[0].key = "script";
		ev[0].value = name;
		ev[1].key = "command";
		ev[1].value = script;
		ev[2].key = "rule";
		ev[2].value = "lifecycle-script";
		f.evidence = ev;
		f.nevidence = 3;
		add_node_finding(c, t, node, &f);
		return;
	}
}

/*
 * Reads the package.json of an installed package back for its scripts,
 * only for packages the walker saw an install hook in (the tree keeps
 * no script text). The walker already kept the location inside the root;
 * the final component is still opened without following a symlink.
 */
static void
scan_installed_manifest(struct scan_ctx *c, const struct tree *t,
			uint32_t node, const char *root)
{
	static const char *const hooks[] = {
		"preinstall", "install", "postinstall", "prepare",
	};
	const struct tree_node *n = &t->nodes[node];
	struct strbuf path, buf;
	struct json_doc doc;
	const struct json_value *scripts;
	size_t i;

	strbuf_init(&path, 8192);
	strbuf_init(&buf, TREE_MANIFEST_MAX);
	if (strbuf_addf(&path, "%s/%s/package.json", root, n->location) ||
	    strbuf_read_file(&buf, path.buf, 1) ||
	    json_parse(&doc, buf.buf, buf.len, path.buf, 0)) {
		ws_error_clear();
		goto done;
	}
	scripts = json_get(doc.root, "scripts");
	for (i = 0; i < sizeof(hooks) / sizeof(*hooks); i++) {
		const char *s = json_get_str(scripts, hooks[i]);

		if (s && strlen(s) < SCAN_SCRIPT_MAX)
			scan_script(c, t, node, hooks[i], s);
	}
	json_doc_release(&doc);
done:
	strbuf_release(&path);
	strbuf_release(&buf);
}

static void
scan_tree(struct scan_ctx *c, const struct tree *t)
{
	int installed = strcmp(t->format, "node_modules") == 0;
	size_t i, j;

	for (i = 0; i < t->nnodes; i++) {
		const struct tree_node *n = &t->nodes[i];

		if (n->flags & TREE_LINK)
			continue;
		for (j = 0; j < n->ndeps; j++) {
			const struct tree_dep *d = &t->deps[n->deps + j];

			scan_git_pin(c, t, (uint32_t)i, d);
			/* the walker's edges are the package.json's specs */
			if (d->spec)
				scan_feed_strings(c, t, (uint32_t)i,
						  installed ? "package.json" :
							      "dependency",
						  d->spec);
			if (!installed)
				scan_range(c, t, (uint32_t)i, d);
		}
		if (!tree_node_is_package(n))
			continue;
		if (installed && (n->flags & TREE_INSTALL_SCRIPT))
			scan_installed_manifest(c, t, (uint32_t)i, t->file);
		else if (!installed)
			scan_hygiene_node(c, t, (uint32_t)i);
	}
}

int
scan_inventory(struct report *r, const struct tree_inv *inv,
	       const struct scan_opts *o)
{
	struct scan_ctx c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.o = o;
	mempool_init(&c.pool, 64u << 10);
	if (o->registry)
		c.registry_host = url_host(o->registry, &c.registry_host_len);
	for (i = 0; i < inv->ntrees; i++)
		report_add_target(r, inv->trees[i]->file);
	gather_package_json(&c);
	scan_packages(&c, inv);
	for (i = 0; i < inv->ntrees; i++)
		scan_tree(&c, inv->trees[i]);
	free(c.pj);
	free(c.pj_pairs);
	mempool_release(&c.pool);
	return 0;
}
