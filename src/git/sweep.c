#include "git/sweep.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "lockfile/lockfile.h"
#include "policy/policy.h"
#include "scan/scan.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * One repository, read through its object database. The work is shaped
 * by memoisation: a tree's interesting files (lockfiles, package.json) are
 * listed once per tree id, and a lockfile's compromised versions are found
 * once per blob id, so walking a long history where most commits leave the
 * lockfiles alone costs a hash lookup per commit and per directory that
 * changed.
 */

#define SWEEP_REFS_TRACKED 256	/* refs whose reach is computed per commit */
#define SWEEP_REFS_TEXT_MAX 4096	/* the "refs" evidence of one finding */
#define SWEEP_EXPOSURE_FILES_MAX 16
#define SWEEP_HITS_PER_BLOB 4096

enum {
	KIND_PACKAGE_JSON = 100,	/* beside the lockfile kinds */
};

struct tfile {
	const char *path;	/* relative to the tree it was listed for */
	git_oid oid;
	uint8_t kind;
};

struct tlist {
	uint32_t first, n;	/* a slice of ctx->files */
};

struct hit {
	const char *name, *version;
	const struct feed *feed;
	int severity;
};

struct bhits {
	uint32_t first, n;	/* a slice of ctx->hits */
};

struct tip {
	const char *ref;	/* "HEAD", "refs/heads/main", ... */
	git_oid oid;		/* the commit */
};

struct expo {
	const char *package, *version;
	const struct feed *feed;
	int severity;
	uint32_t first, last;	/* commit indexes */
	int64_t first_time, last_time;
	uint64_t *bits;		/* refs reaching it (SWEEP_REFS_TRACKED) */
	const char *files[SWEEP_EXPOSURE_FILES_MAX];
	size_t nfiles;
	int still_locked;
};

/* A finding seen at one or more tips, and the refs it was seen at. */
struct pend {
	size_t finding;		/* index in ctx->scratch */
	struct strbuf refs;
	const char *commit;
};

struct sweep_ctx {
	git_repository *repo;
	git_odb *odb;
	const struct sweep_opts *o;
	struct sweep_result *res;
	struct mempool pool;

	struct strmap trees;	/* tree id -> index in tlists */
	struct strmap big;	/* blob ids refused by size, reported once */
	struct tlist *tlists;
	size_t ntlists, tlists_alloc;
	struct tfile *files;
	size_t nfiles, files_alloc;
	size_t entries;		/* tree entries read */
	int entries_over;

	struct strmap blobs;	/* blob id + kind -> index in bh */
	struct bhits *bh;
	size_t nbh, bh_alloc;
	struct hit *hits;
	size_t nhits, hits_alloc;

	struct tip *tips;
	size_t ntips, tips_alloc;

	struct strmap commits;	/* commit id -> index */
	git_oid *coids;
	int64_t *ctimes;
	uint64_t *cbits;	/* words per commit */
	uint8_t *ctip;		/* commit is a tip */
	size_t ncommits, calloc_;
	size_t words;

	struct strmap expo_by;	/* "name@version" -> index in expo */
	struct expo *expo;
	size_t nexpo, expo_alloc;

	/* tip findings, deduplicated by id and file */
	struct report scratch;
	struct strmap pend_by;
	struct pend *pend;
	size_t npend, pend_alloc;
	uint32_t *touched;	/* pend indexes, in the order added to */
	size_t ntouched, touched_alloc;
	struct range {
		size_t first, end;	/* a slice of touched */
	} *ranges;
	size_t nranges, ranges_alloc;

	/* worm workflows in the history: per workflows tree id, the files
	 * that are a worm's; per path, the commits that had it */
	struct strmap wf_trees;
	struct wfslice {
		uint32_t first, n;
	} *wfsl;
	size_t nwfsl, wfsl_alloc;
	struct wf {
		const char *path;
		const struct feed_artifact *a;
		int disc;
	} *wfs;
	size_t nwfs, wfs_alloc;
	struct strmap whist_by;
	struct whist {
		struct wf wf;
		uint32_t first, last;
		int64_t first_time, last_time;
		int at_tip;
	} *whist;
	size_t nwhist, whist_alloc;

	/* the feeds' artifacts, by kind */
	const struct feed_artifact **art;
	size_t nart, art_alloc;
};

/* ---- results ---- */

void
sweep_result_init(struct sweep_result *res, const char *repo)
{
	memset(res, 0, sizeof(*res));
	res->repo = xstrdup(repo ? repo : "");
	report_init(&res->findings, "sweep");
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
sweep_result_release(struct sweep_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->nexposure; i++) {
		struct sweep_exposure *e = &res->exposure[i];

		free(e->package);
		free(e->version);
		free(e->feed);
		free(e->first_commit);
		free(e->first_date);
		free(e->last_commit);
		free(e->last_date);
		free_list(e->refs, e->nrefs);
		free_list(e->files, e->nfiles);
	}
	free(res->exposure);
	free_list(res->errors, res->nerrors);
	report_release(&res->findings);
	free(res->repo);
	free(res->head);
	free(res->state);
	memset(res, 0, sizeof(*res));
}

void
sweep_result_error(struct sweep_result *res, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (res->nerrors >= SWEEP_ERRORS_MAX) {
		res->errors_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	res->errors = xreallocarray(res->errors, res->nerrors + 1,
				    sizeof(*res->errors));
	res->errors[res->nerrors++] = xstrdup(buf);
}

void
sweep_result_assess(struct sweep_result *res, enum report_severity at)
{
	size_t i;

	res->affected = 0;
	for (i = 0; i < res->findings.nfindings; i++)
		if (res->findings.findings[i].severity >= at)
			res->affected = 1;
}

static const char *
git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

int
sweep_global_setup(void)
{
	/*
	 * Sweeps read fleets of mirrors that other users own; reading
	 * objects runs nothing from them, so libgit2's ownership check
	 * (which guards running their hooks and commands) is not needed.
	 * The user's and system's git configuration must not change what a
	 * sweep reads: no search path for them. Objects are not rehashed on
	 * every read (as git does not): that was a third of the CPU time,
	 * while a damaged object still fails zlib's check or is missing, and
	 * `git fsck` is the tool for a full verification.
	 */
	if (git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0) < 0 ||
	    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM,
			     "") < 0 ||
	    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG,
			     "") < 0 ||
	    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL,
			     "") < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0) < 0)
		return ws_error_set(WS_EIO, "libgit2: %s", git_msg());
	return 0;
}

/* ---- sharding and dates ---- */

uint64_t
sweep_shard_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

int
sweep_shard_parse(const char *s, unsigned *k, unsigned *n)
{
	char *end;
	unsigned long a, b;

	if (!s || !(*s >= '0' && *s <= '9'))
		goto bad;
	a = strtoul(s, &end, 10);
	if (*end != '/' || !(end[1] >= '0' && end[1] <= '9'))
		goto bad;
	b = strtoul(end + 1, &end, 10);
	if (*end || b == 0 || b > 65536 || a >= b)
		goto bad;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
bad:
	return ws_error_set(WS_EPARSE,
			    "\"%s\": not a shard K/N with 0 <= K < N <= 65536",
			    s ? s : "");
}

int
sweep_shard_has(const char *repo, unsigned k, unsigned n)
{
	return n <= 1 || sweep_shard_hash(repo) % n == k;
}

int
sweep_parse_date(const char *s, int64_t *out)
{
	char buf[32];
	time_t t;

	/* a day is its first second, UTC */
	if (s && strlen(s) == 10 &&
	    (size_t)snprintf(buf, sizeof(buf), "%sT00:00:00Z", s) < sizeof(buf) &&
	    policy_parse_time(buf, &t) == 0)
		goto ok;
	if (s && strlen(s) > 10 && policy_parse_time(s, &t) == 0)
		goto ok;
	return ws_error_set(WS_EPARSE,
			    "\"%s\": not a date (YYYY-MM-DD or an RFC 3339 date-time)",
			    s ? s : "");
ok:
	*out = (int64_t)t;
	return 0;
}

int64_t
sweep_default_since(const struct feed_set *feeds)
{
	int64_t best = 0, t;
	size_t i;

	for (i = 0; feeds && i < feeds->nfeeds; i++) {
		/* The earliest compromise a feed covers; a feed without
		 * first_seen falls back to when it was published. */
		const char *p = feeds->feeds[i]->first_seen ?
					feeds->feeds[i]->first_seen :
					feeds->feeds[i]->published;
		char day[11];

		if (!p || strlen(p) < 10)
			continue;
		memcpy(day, p, 10);
		day[10] = '\0';
		if (sweep_parse_date(day, &t) == 0 && (!best || t < best))
			best = t;
	}
	ws_error_clear();
	return best ? best - 30 * 86400 : 0;
}

static void
format_time(char *out, size_t n, int64_t t)
{
	char buf[21];

	policy_format_time(buf, (time_t)t);
	snprintf(out, n, "%s", buf);
}

/* ---- trees: the interesting files below one, memoised by id ---- */

static int
file_kind(const char *name)
{
	enum lockfile_kind k = lockfile_kind_of(name);

	switch (k) {
	case LOCKFILE_NPM:
	case LOCKFILE_SHRINKWRAP:
	case LOCKFILE_YARN:
	case LOCKFILE_PNPM:
	case LOCKFILE_BUN:
		return (int)k;
	default:
		return strcmp(name, "package.json") == 0 ? KIND_PACKAGE_JSON : 0;
	}
}

static void
limit_error(struct sweep_ctx *c)
{
	if (!c->entries_over)
		sweep_result_error(c->res,
				   "%s: more than %u tree entries: the rest of the trees were not read",
				   c->res->repo, SWEEP_TREE_ENTRIES_MAX);
	c->entries_over = 1;
}

/* A tree whose listing outgrows SWEEP_TREE_FILES_MAX: a tree of trees
 * repeated at each level (a few objects, k^depth paths). */
static void
files_error(struct sweep_ctx *c)
{
	if (!c->entries_over)
		sweep_result_error(c->res,
				   "%s: a tree lists more than %u lockfiles, manifests and workflows: the rest of the trees were not read",
				   c->res->repo, SWEEP_TREE_FILES_MAX);
	c->entries_over = 1;
}

/* Remembers key (copied into the pool) -> v in m: the memo tables. */
static void
memo_put(struct sweep_ctx *c, struct strmap *m, const void *key, size_t len,
	 uint32_t v)
{
	char *k = mempool_alloc(&c->pool, len);

	memcpy(k, key, len);
	strmap_put(m, k, len, v, NULL);
}

/*
 * The interesting files below tree id (paths relative to it). Lists are
 * built in a local array and appended whole, so every list stays one
 * slice even though listing a subtree appends its own first.
 */
static struct tlist
tree_list(struct sweep_ctx *c, const git_oid *id, unsigned depth)
{
	struct strmap_entry *e;
	struct tlist out = { 0, 0 };
	struct tfile *tmp = NULL;
	size_t ntmp = 0, tmp_alloc = 0, i, j, n;
	git_tree *t = NULL;

	if ((e = strmap_find(&c->trees, (const char *)id->id, GIT_OID_RAWSZ)))
		return c->tlists[e->value];
	if (git_tree_lookup(&t, c->repo, id) < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), id);
		sweep_result_error(c->res, "%s: tree %s: %s", c->res->repo, hex,
				   git_msg());
		goto memo;
	}
	n = git_tree_entrycount(t);
	for (i = 0; i < n && !c->entries_over; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(te);
		git_filemode_t mode = git_tree_entry_filemode(te);
		int kind;

		if (++c->entries > SWEEP_TREE_ENTRIES_MAX) {
			limit_error(c);
			break;
		}
		if (mode == GIT_FILEMODE_TREE) {
			struct tlist sub;

			if (depth >= SWEEP_TREE_DEPTH_MAX ||
			    strcmp(name, "node_modules") == 0 ||
			    strcmp(name, ".git") == 0)
				continue;
			sub = tree_list(c, git_tree_entry_id(te), depth + 1);
			XGROW(tmp, tmp_alloc, ntmp + sub.n);
			for (j = 0; j < sub.n; j++) {
				const struct tfile *f = &c->files[sub.first + j];
				size_t nl = strlen(name);

				/* a memoized subtree's files are copied at each
				 * place it appears: each copy is charged as the
				 * entry a plain walk would have read */
				if (ntmp >= SWEEP_TREE_FILES_MAX) {
					files_error(c);
					break;
				}
				if (++c->entries > SWEEP_TREE_ENTRIES_MAX) {
					limit_error(c);
					break;
				}
				tmp[ntmp] = *f;
				tmp[ntmp++].path = mempool_strcat2(
					&c->pool, name, nl, "/", 1);
				tmp[ntmp - 1].path = mempool_strcat2(
					&c->pool, tmp[ntmp - 1].path, nl + 1,
					f->path, strlen(f->path));
			}
			continue;
		}
		if (mode != GIT_FILEMODE_BLOB &&
		    mode != GIT_FILEMODE_BLOB_EXECUTABLE)
			continue;
		if (!(kind = file_kind(name)))
			continue;
		if (ntmp >= SWEEP_TREE_FILES_MAX) {
			files_error(c);
			break;
		}
		XGROW(tmp, tmp_alloc, ntmp + 1);
		tmp[ntmp].path = mempool_strdup(&c->pool, name);
		git_oid_cpy(&tmp[ntmp].oid, git_tree_entry_id(te));
		tmp[ntmp++].kind = (uint8_t)kind;
	}
	git_tree_free(t);
memo:
	out.first = (uint32_t)c->nfiles;
	out.n = (uint32_t)ntmp;
	XGROW(c->files, c->files_alloc, c->nfiles + ntmp);
	if (ntmp)
		memcpy(c->files + c->nfiles, tmp, ntmp * sizeof(*tmp));
	c->nfiles += ntmp;
	free(tmp);
	XGROW(c->tlists, c->tlists_alloc, c->ntlists + 1);
	c->tlists[c->ntlists] = out;
	memo_put(c, &c->trees, id->id, GIT_OID_RAWSZ, (uint32_t)c->ntlists++);
	return out;
}

/* ---- blobs ---- */

/*
 * Reads blob id (at most SWEEP_BLOB_MAX bytes) into a malloc'd buffer
 * with a NUL after it. Returns 0, WS_ELIMIT or WS_EIO (message set).
 * The size comes from the object's header, before any read: a larger
 * blob is refused and, being a part of the repository that was not
 * checked, recorded as its error once per blob id whichever path or
 * commit it is met at (the callers do not record WS_ELIMIT again).
 */
static int
read_blob(struct sweep_ctx *c, const git_oid *id, const char *path,
	  char **out, size_t *len)
{
	git_object_t type;
	git_blob *b = NULL;
	size_t size;
	char hex[GIT_OID_HEXSZ + 1];

	*out = NULL;
	git_oid_tostr(hex, sizeof(hex), id);
	if (git_odb_read_header(&size, &type, c->odb, id) < 0)
		return ws_error_set(WS_EIO, "%s: %s (blob %s): %s",
				    c->res->repo, path, hex, git_msg());
	if (type != GIT_OBJECT_BLOB)
		return ws_error_set(WS_EIO, "%s: %s: object %s is not a blob",
				    c->res->repo, path, hex);
	if (size > SWEEP_BLOB_MAX) {
		ws_error_set(WS_ELIMIT, "%s: %s: blob %s is %zu bytes, over the "
			     "limit of %u: not read", c->res->repo, path, hex,
			     size, SWEEP_BLOB_MAX);
		if (!strmap_find(&c->big, (const char *)id->id, GIT_OID_RAWSZ)) {
			memo_put(c, &c->big, id->id, GIT_OID_RAWSZ, 0);
			sweep_result_error(c->res, "%s", ws_error_last());
		}
		return WS_ELIMIT;
	}
	if (git_blob_lookup(&b, c->repo, id) < 0)
		return ws_error_set(WS_EIO, "%s: %s (blob %s): %s",
				    c->res->repo, path, hex, git_msg());
	size = (size_t)git_blob_rawsize(b);
	*out = xmalloc(size + 1);
	memcpy(*out, git_blob_rawcontent(b), size);
	(*out)[size] = '\0';
	*len = size;
	git_blob_free(b);
	return 0;
}

/* Parses a lockfile held in buf (taken over on success through the tree). */
static int
parse_lockfile(struct tree **out, char *buf, size_t len, const char *path,
	       int kind, const struct json_value *manifest)
{
	switch (kind) {
	case LOCKFILE_YARN:
		return lockfile_parse_yarn(out, buf, len, path, manifest);
	case LOCKFILE_PNPM:
		return lockfile_parse_pnpm(out, buf, len, path, manifest);
	case LOCKFILE_BUN:
		return lockfile_parse_bun(out, buf, len, path, manifest);
	default:
		return lockfile_parse_npm(out, buf, len, path,
					  (enum lockfile_kind)kind);
	}
}

struct match_ctx {
	const struct feed *feed;
	int severity;
};

static void
on_match(const struct feed_package *e, const char *by, void *payload)
{
	struct match_ctx *m = payload;
	int s = e->meta.severity < 0 ? REPORT_CRITICAL : e->meta.severity;

	(void)by;
	if (!m->feed)
		m->feed = e->meta.feed;
	if (s > m->severity)
		m->severity = s;
}

/*
 * The compromised versions a lockfile blob locks, once per blob. A blob
 * that does not parse has none, and is not an error of the repository:
 * history keeps broken lockfiles (conflict markers, hand edits); the tips'
 * lockfiles are parsed again by the tip scan, which reports them.
 */
static struct bhits
blob_hits(struct sweep_ctx *c, const struct tfile *f, const char *path)
{
	char key[GIT_OID_RAWSZ + 1];
	struct strmap_entry *e;
	struct bhits out = { (uint32_t)c->nhits, 0 };
	struct tree *t = NULL;
	struct strmap seen;
	char *buf = NULL;
	size_t len, i;

	memcpy(key, f->oid.id, GIT_OID_RAWSZ);
	key[GIT_OID_RAWSZ] = (char)f->kind;
	if ((e = strmap_find(&c->blobs, key, sizeof(key))))
		return c->bh[e->value];
	strmap_init(&seen);
	c->res->blobs++;
	if (read_blob(c, &f->oid, path, &buf, &len) ||
	    parse_lockfile(&t, buf, len, path, f->kind, NULL)) {
		free(buf);
		ws_error_clear();
		goto memo;
	}
	tree_own(t, buf);
	for (i = 0; i < t->nnodes; i++) {
		const struct tree_node *n = &t->nodes[i];
		struct match_ctx m = { NULL, -1 };
		char *nv;

		if (!n->name || !n->version || !*n->location ||
		    (n->flags & TREE_LINK))
			continue;
		if (!feed_set_match_package(c->o->feeds, n->name, n->version,
					    on_match, &m))
			continue;
		nv = mempool_printf(&c->pool, "%s@%s", n->name, n->version);
		if (!strmap_put(&seen, nv, strlen(nv), 0, NULL) ||
		    out.n >= SWEEP_HITS_PER_BLOB)
			continue;
		XGROW(c->hits, c->hits_alloc, c->nhits + 1);
		c->hits[c->nhits].name = mempool_strdup(&c->pool, n->name);
		c->hits[c->nhits].version = mempool_strdup(&c->pool, n->version);
		c->hits[c->nhits].feed = m.feed;
		c->hits[c->nhits++].severity = m.severity;
		out.n++;
	}
	tree_free(t);
memo:
	strmap_release(&seen);
	XGROW(c->bh, c->bh_alloc, c->nbh + 1);
	c->bh[c->nbh] = out;
	memo_put(c, &c->blobs, key, sizeof(key), (uint32_t)c->nbh++);
	return out;
}

/* ---- refs ---- */

static int
ref_selected(const struct sweep_opts *o, const char *name)
{
	const char *shortn = name;

	if (strncmp(name, "refs/heads/", 11) == 0)
		shortn = name + 11;
	else if (strncmp(name, "refs/tags/", 10) == 0)
		shortn = name + 10;
	else
		return 0;
	return !o->refs_pattern || fnmatch(o->refs_pattern, name, 0) == 0 ||
	       fnmatch(o->refs_pattern, shortn, 0) == 0;
}

static void
add_tip(struct sweep_ctx *c, const char *name, const git_oid *oid)
{
	XGROW(c->tips, c->tips_alloc, c->ntips + 1);
	c->tips[c->ntips].ref = mempool_strdup(&c->pool, name);
	git_oid_cpy(&c->tips[c->ntips++].oid, oid);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The severity a feed gave artifact a, or dflt (also without a). */
static enum report_severity
art_severity(const struct feed_artifact *a, enum report_severity dflt)
{
	return a && a->meta.severity >= 0 ?
		(enum report_severity)a->meta.severity : dflt;
}

/* The finding's feed, source and advisory: the artifact's, or ours. */
static void
art_attribution(struct report_finding *f, const struct feed_artifact *a,
		const char *ours)
{
	f->feed = a && a->meta.feed ? a->meta.feed->id : "wormsign-checks";
	f->source = a ? a->meta.source : ours;
	f->advisory = a ? a->meta.advisory : NULL;
}

/* A worm's branch: "shai-hulud" or a feed's branch artifact. */
static const struct feed_artifact *
branch_artifact(struct sweep_ctx *c, const char *shortn)
{
	size_t i;

	for (i = 0; i < c->nart; i++)
		if (strcmp(c->art[i]->kind, "branch") == 0 &&
		    strcmp(c->art[i]->value, shortn) == 0)
			return c->art[i];
	return NULL;
}

static void
branch_finding(struct sweep_ctx *c, const char *name, const char *shortn,
	       const struct feed_artifact *a)
{
	struct report_evidence ev[2];
	struct report_finding f;

	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&c->pool, "ioc-artifact:branch:%s", name);
	f.kind = "ioc-artifact";
	f.severity = art_severity(a, REPORT_CRITICAL);
	f.target = c->res->repo;
	f.message = mempool_printf(&c->pool,
				   "branch \"%s\" is named like a worm's exfiltration branch%s%s",
				   name, a && a->description ? ": " : "",
				   a && a->description ? a->description : "");
	f.remediation = "Treat the credentials of everyone who could push to "
			"this repository as exposed; keep the branch as "
			"evidence, then delete it.";
	art_attribution(&f, a, "wormsign: worm branch names");
	ev[0].key = "ref";
	ev[0].value = name;
	ev[1].key = "branch";
	ev[1].value = shortn;
	f.evidence = ev;
	f.nevidence = 2;
	report_add(&c->res->findings, &f);
}

/*
 * HEAD and the selected branches and tags become tips; every ref's name
 * goes into the state digest; worm branch names become findings.
 */
static int
collect_refs(struct sweep_ctx *c)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL, *head = NULL;
	git_object *obj = NULL;
	char **lines = NULL;
	size_t nlines = 0, lines_alloc = 0, i;
	uint8_t digest[32];
	char hex[GIT_OID_HEXSZ + 1], dhex[65];
	struct strbuf all;
	int err;

	strbuf_init(&all, 64u << 20);
	err = git_repository_head(&head, c->repo);
	if (err == 0 && git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) == 0) {
		git_oid_tostr(hex, sizeof(hex), git_object_id(obj));
		c->res->head = xstrdup(hex);
		add_tip(c, "HEAD", git_object_id(obj));
	} else if (err != GIT_EUNBORNBRANCH && err != GIT_ENOTFOUND) {
		sweep_result_error(c->res, "%s: HEAD: %s", c->res->repo,
				   git_msg());
	}
	git_object_free(obj);
	obj = NULL;
	git_reference_free(head);

	if (git_reference_iterator_new(&it, c->repo) < 0) {
		sweep_result_error(c->res, "%s: refs: %s", c->res->repo,
				   git_msg());
		goto done;
	}
	while ((err = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);
		const char *shortn = NULL;
		const struct feed_artifact *a;

		if (strncmp(name, "refs/heads/", 11) == 0)
			shortn = name + 11;
		else if (strncmp(name, "refs/remotes/", 13) == 0 &&
			 strchr(name + 13, '/'))
			shortn = strchr(name + 13, '/') + 1;
		if (shortn && ((a = branch_artifact(c, shortn)) ||
			       strcmp(shortn, "shai-hulud") == 0))
			branch_finding(c, name, shortn, a);
		if (git_reference_peel(&obj, ref, GIT_OBJECT_ANY) < 0) {
			sweep_result_error(c->res, "%s: %s: %s", c->res->repo,
					   name, git_msg());
			git_reference_free(ref);
			continue;
		}
		git_oid_tostr(hex, sizeof(hex), git_object_id(obj));
		XGROW(lines, lines_alloc, nlines + 1);
		lines[nlines] = xmalloc(strlen(name) + sizeof(hex) + 2);
		snprintf(lines[nlines++], strlen(name) + sizeof(hex) + 2,
			 "%s %s", name, hex);
		if (ref_selected(c->o, name) &&
		    git_object_type(obj) == GIT_OBJECT_COMMIT) {
			if (c->ntips >= SWEEP_REFS_MAX)
				sweep_result_error(c->res, "%s: more than %u refs: %s and later ones not swept",
						   c->res->repo, SWEEP_REFS_MAX, name);
			else
				add_tip(c, name, git_object_id(obj));
		}
		git_object_free(obj);
		obj = NULL;
		git_reference_free(ref);
	}
	if (err != GIT_ITEROVER)
		sweep_result_error(c->res, "%s: refs: %s", c->res->repo,
				   git_msg());
done:
	/* The state: HEAD and every ref with its target, in name order. */
	if (nlines)
		qsort(lines, nlines, sizeof(*lines), cmp_str);
	strbuf_addf(&all, "HEAD %s\n", c->res->head ? c->res->head : "");
	for (i = 0; i < nlines; i++) {
		strbuf_addstr(&all, lines[i]);
		strbuf_addch(&all, '\n');
		free(lines[i]);
	}
	free(lines);
	scan_sha256(all.buf, all.len, digest);
	scan_hex(digest, sizeof(digest), dhex);
	c->res->state = xstrdup(dhex);
	strbuf_release(&all);
	git_reference_iterator_free(it);
	return 0;
}

/* ---- tip findings ---- */

static void
pend_add(struct sweep_ctx *c, const struct report_finding *f, const char *ref,
	 const char *commit)
{
	struct strmap_entry *e;
	struct pend *p;
	char *key = mempool_printf(&c->pool, "%s\n%s", f->id,
				   f->file ? f->file : "");

	if (!strmap_put(&c->pend_by, key, strlen(key), (uint32_t)c->npend,
			&e)) {
		p = &c->pend[e->value];
	} else {
		XGROW(c->pend, c->pend_alloc, c->npend + 1);
		p = &c->pend[c->npend++];
		report_add(&c->scratch, f);
		p->finding = c->scratch.nfindings - 1;
		p->commit = mempool_strdup(&c->pool, commit);
		strbuf_init(&p->refs, SWEEP_REFS_TEXT_MAX);
	}
	XGROW(c->touched, c->touched_alloc, c->ntouched + 1);
	c->touched[c->ntouched++] = (uint32_t)(p - c->pend);
	/* the first refs, each once; a long list is cut, never unbounded */
	{
		const char *s = p->refs.buf;
		size_t rl = strlen(ref);

		while ((s = strstr(s, ref))) {
			if ((s == p->refs.buf || s[-1] == ' ') &&
			    (s[rl] == '\0' || s[rl] == ' '))
				return;
			s += rl;
		}
		if (p->refs.len)
			strbuf_addch(&p->refs, ' ');
		strbuf_addstr(&p->refs, ref);
	}
}

static void
pend_flush(struct sweep_ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->npend; i++) {
		const struct report_finding *src =
			&c->scratch.findings[c->pend[i].finding];
		struct report_finding f = *src;
		struct report_evidence *ev =
			xcalloc(src->nevidence + 2, sizeof(*ev));

		for (j = 0; j < src->nevidence; j++)
			ev[j] = src->evidence[j];
		ev[j].key = "refs";
		ev[j++].value = c->pend[i].refs.buf;
		ev[j].key = "commit";
		ev[j++].value = c->pend[i].commit;
		f.evidence = ev;
		f.nevidence = j;
		f.target = c->res->repo;
		report_add(&c->res->findings, &f);
		free(ev);
		strbuf_release(&c->pend[i].refs);
	}
	c->npend = 0;
}

/* The package.json beside path in list, parsed into doc, or NULL. */
static const struct json_value *
manifest_beside(struct sweep_ctx *c, const struct tfile *list, size_t n,
		const char *path, struct json_doc *doc, char **buf)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path + 1) : 0, i, len;

	for (i = 0; i < n; i++) {
		const struct tfile *f = &list[i];

		if (f->kind != KIND_PACKAGE_JSON ||
		    strncmp(f->path, path, dl) != 0 ||
		    strcmp(f->path + dl, "package.json") != 0)
			continue;
		if (read_blob(c, &f->oid, f->path, buf, &len) == 0 &&
		    len <= TREE_MANIFEST_MAX &&
		    json_parse(doc, *buf, len, f->path, 0) == 0) {
			if (json_is(doc->root, JSON_OBJECT))
				return doc->root;
			json_doc_release(doc);
		}
		free(*buf);
		*buf = NULL;
		ws_error_clear();
		return NULL;
	}
	return NULL;
}

/* The scan checks over one lockfile at a tip; IOC findings are kept. */
static void
scan_tip_lockfile(struct sweep_ctx *c, const struct tfile *list, size_t n,
		  const struct tfile *f, const struct tip *tip,
		  const char *commit)
{
	struct json_doc mdoc;
	const struct json_value *manifest;
	struct scan_opts so;
	struct tree_inv inv;
	struct report r;
	struct tree *t = NULL;
	char *buf = NULL, *mbuf = NULL;
	size_t len, i;
	int err;

	memset(&mdoc, 0, sizeof(mdoc));
	if ((err = read_blob(c, &f->oid, f->path, &buf, &len))) {
		if (err != WS_ELIMIT)
			sweep_result_error(c->res, "%s", ws_error_last());
		return;
	}
	manifest = f->kind == LOCKFILE_NPM || f->kind == LOCKFILE_SHRINKWRAP ?
		NULL : manifest_beside(c, list, n, f->path, &mdoc, &mbuf);
	if ((err = parse_lockfile(&t, buf, len, f->path, f->kind, manifest))) {
		sweep_result_error(c->res, "%s: %s (%s): %s", c->res->repo,
				   f->path, tip->ref, ws_error_last());
		free(buf);
		goto done;
	}
	tree_own(t, buf);
	tree_resolve(t);
	tree_inv_init(&inv);
	tree_inv_add(&inv, t);
	tree_inv_index(&inv);
	report_init(&r, "sweep");
	memset(&so, 0, sizeof(so));
	so.feeds = c->o->feeds;
	scan_inventory(&r, &inv, &so);
	for (i = 0; i < r.nfindings; i++)
		if (strncmp(r.findings[i].kind, "ioc-", 4) == 0)
			pend_add(c, &r.findings[i], tip->ref, commit);
	report_release(&r);
	tree_inv_release(&inv);
done:
	json_doc_release(&mdoc);
	free(mbuf);
}

static void
artifact_finding(struct sweep_ctx *c, const char *path, const char *what,
		 const struct feed_artifact *a, enum report_severity dflt,
		 const char *ref, const char *commit)
{
	struct report_evidence ev[2];
	struct report_finding f;

	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&c->pool, "ioc-artifact:file:%s", path);
	f.kind = "ioc-artifact";
	f.severity = art_severity(a, dflt);
	f.file = path;
	f.message = mempool_printf(&c->pool, "%s %s%s%s", path, what,
				   a && a->description ? ": " : "",
				   a && a->description ? a->description : "");
	f.remediation = "Keep the file as evidence, remove it, and find out "
			"who pushed it: their credentials are exposed.";
	art_attribution(&f, a, "wormsign: worm workflow names");
	ev[0].key = "path";
	ev[0].value = path;
	ev[1].key = "artifact";
	ev[1].value = a ? a->value : what;
	f.evidence = ev;
	f.nevidence = 2;
	pend_add(c, &f, ref, commit);
}

/* Whether a workflow's text has an `on:` trigger naming discussion and a
 * self-hosted runner: the second Shai-Hulud's backdoor. */
static int
discussion_backdoor(const char *text)
{
	const char *p = text, *on = NULL;

	while (p && *p) {
		if (strncmp(p, "on:", 3) == 0 || strncmp(p, "\"on\":", 5) == 0 ||
		    strncmp(p, "'on':", 5) == 0) {
			on = p;
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!on)
		return 0;
	/* the trigger line and its indented block */
	for (p = on; *p; ) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *d = p;

		if (p != on && *p != ' ' && *p != '\t' && *p != '-' && n)
			break;
		while ((d = memchr(d, 'd', n - (size_t)(d - p))) &&
		       (size_t)(d - p) + 10 <= n) {
			if (strncmp(d, "discussion", 10) == 0)
				return strstr(text, "self-hosted") != NULL;
			d++;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return 0;
}

/*
 * Whether the workflow file at path (named name) is a worm's by its name:
 * a feed's "workflow" artifact (*a is set) or one of the known names.
 * *disc tells the discussion backdoor's name, which only its text decides.
 */
static int
workflow_named(struct sweep_ctx *c, const char *name, const char *path,
	       const struct feed_artifact **a, int *disc)
{
	static const char *const known[] = {
		".github/workflows/shai-hulud-workflow.yml",
		".github/workflows/formatter_*.yml",
	};
	size_t j;

	*a = NULL;
	*disc = strcmp(name, "discussion.yaml") == 0 ||
		strcmp(name, "discussion.yml") == 0;
	for (j = 0; j < c->nart; j++)
		if (strcmp(c->art[j]->kind, "workflow") == 0 &&
		    fnmatch(c->art[j]->value, path, FNM_PATHNAME) == 0) {
			*a = c->art[j];
			return 1;
		}
	for (j = 0; j < sizeof(known) / sizeof(known[0]); j++)
		if (fnmatch(known[j], path, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

#define WORKFLOWS_MAX 10000	/* files read in one workflows directory */

static void
scan_workflows(struct sweep_ctx *c, git_tree *root, const struct tip *tip,
	       const char *commit)
{
	git_tree_entry *we = NULL;
	git_tree *wt = NULL;
	size_t i, j, n;

	if (git_tree_entry_bypath(&we, root, ".github/workflows") < 0 ||
	    git_tree_entry_type(we) != GIT_OBJECT_TREE ||
	    git_tree_lookup(&wt, c->repo, git_tree_entry_id(we)) < 0)
		goto done;
	n = git_tree_entrycount(wt);
	for (i = 0; i < n && i < WORKFLOWS_MAX; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(wt, i);
		const char *name = git_tree_entry_name(te);
		char *path = mempool_printf(&c->pool, ".github/workflows/%s", name);
		const struct feed_artifact *a = NULL;
		int hit, is_disc;
		char *text = NULL;
		size_t len;

		if (git_tree_entry_type(te) != GIT_OBJECT_BLOB)
			continue;
		hit = workflow_named(c, name, path, &a, &is_disc);
		/* the contents: a discussion trigger, a worm's runner name */
		if (read_blob(c, git_tree_entry_id(te), path, &text, &len)) {
			ws_error_clear();
			continue;
		}
		if (is_disc) {
			if (discussion_backdoor(text))
				artifact_finding(c, path,
						 "runs commands from GitHub discussions on a self-hosted runner",
						 a, REPORT_CRITICAL, tip->ref,
						 commit);
		} else if (hit) {
			artifact_finding(c, path, "is a worm's workflow file", a,
					 REPORT_CRITICAL, tip->ref, commit);
		}
		for (j = 0; j < c->nart; j++)
			if (strcmp(c->art[j]->kind, "runner") == 0 &&
			    strstr(text, c->art[j]->value))
				artifact_finding(c, path,
						 "names a worm's self-hosted runner",
						 c->art[j], REPORT_CRITICAL,
						 tip->ref, commit);
		free(text);
	}
done:
	git_tree_free(wt);
	git_tree_entry_free(we);
	git_error_clear();
}

/*
 * The feeds' file artifacts that are repository paths: a path with a
 * directory is specific; a bare name at the root (setup.mjs, data.json)
 * is a hint, so it is reported at medium unless the feed says otherwise.
 */
static void
scan_artifact_files(struct sweep_ctx *c, git_tree *root, const struct tip *tip,
		    const char *commit)
{
	size_t i;

	for (i = 0; i < c->nart; i++) {
		const struct feed_artifact *a = c->art[i];
		git_tree_entry *te = NULL;

		if (strcmp(a->kind, "file") != 0 || a->value[0] == '~' ||
		    a->value[0] == '/' || strstr(a->value, ".."))
			continue;
		if (git_tree_entry_bypath(&te, root, a->value) == 0 &&
		    git_tree_entry_type(te) == GIT_OBJECT_BLOB)
			artifact_finding(c, a->value, "is a file a worm drops", a,
					 strchr(a->value, '/') ? REPORT_HIGH :
								 REPORT_MEDIUM,
					 tip->ref, commit);
		git_tree_entry_free(te);
	}
	git_error_clear();
}

/* The feeds' package-json strings in a package.json's text. */
static void
scan_tip_manifest(struct sweep_ctx *c, const struct tfile *f,
		  const struct tip *tip, const char *commit)
{
	char *text = NULL;
	size_t len, i;
	int err;

	if ((err = read_blob(c, &f->oid, f->path, &text, &len))) {
		if (err != WS_ELIMIT)
			sweep_result_error(c->res, "%s", ws_error_last());
		return;
	}
	for (i = 0; i < c->nart; i++) {
		const struct feed_artifact *a = c->art[i];
		struct report_evidence ev[2];
		struct report_finding fi;

		if (strcmp(a->kind, "package-json") != 0 || !strstr(text, a->value))
			continue;
		memset(&fi, 0, sizeof(fi));
		fi.id = mempool_printf(&c->pool, "ioc-artifact:%s:package.json:%s",
				       a->meta.feed ? a->meta.feed->id : "feed",
				       a->value);
		fi.kind = "ioc-artifact";
		fi.severity = art_severity(a, REPORT_CRITICAL);
		fi.file = f->path;
		fi.message = mempool_printf(&c->pool, "%s carries a known worm artifact: %s",
					    f->path, a->description ?
					    a->description : a->value);
		fi.remediation = "Remove it and treat machines that installed "
				 "from this tree as compromised.";
		art_attribution(&fi, a, NULL);
		ev[0].key = "package.json";
		ev[0].value = f->path;
		ev[1].key = "artifact";
		ev[1].value = a->value;
		fi.evidence = ev;
		fi.nevidence = 2;
		pend_add(c, &fi, tip->ref, commit);
	}
	free(text);
}

/*
 * A file or a commit seen before at another tip: what it gave then is
 * also at this ref. key names it; returns 1 when it is new and must be
 * scanned (then range_end() closes its slice of touched findings).
 */
static int
range_seen(struct sweep_ctx *c, struct strmap *m, const char *key,
	   size_t klen, const struct tip *tip, const char *commit)
{
	struct strmap_entry *e;
	size_t k, first, end;

	if (strmap_put(m, key, klen, (uint32_t)c->nranges, &e)) {
		XGROW(c->ranges, c->ranges_alloc, c->nranges + 1);
		c->ranges[c->nranges].first = c->ntouched;
		c->ranges[c->nranges++].end = c->ntouched;
		return 1;
	}
	first = c->ranges[e->value].first;
	end = c->ranges[e->value].end;
	for (k = first; k < end; k++) {
		const struct pend *p = &c->pend[c->touched[k]];

		pend_add(c, &c->scratch.findings[p->finding], tip->ref, commit);
	}
	return 0;
}

static void
range_end(struct sweep_ctx *c)
{
	c->ranges[c->nranges - 1].end = c->ntouched;
}

static void
sweep_tips(struct sweep_ctx *c)
{
	struct strmap done_commit, done_file;
	size_t i, j;

	strmap_init(&done_commit);
	strmap_init(&done_file);
	for (i = 0; i < c->ntips; i++) {
		const struct tip *tip = &c->tips[i];
		git_commit *commit = NULL;
		git_tree *root = NULL;
		struct tlist l;
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), &tip->oid);
		if (git_commit_lookup(&commit, c->repo, &tip->oid) < 0 ||
		    git_commit_tree(&root, commit) < 0) {
			sweep_result_error(c->res, "%s: %s (%s): %s", c->res->repo,
					   tip->ref, hex, git_msg());
			git_commit_free(commit);
			continue;
		}
		l = tree_list(c, git_tree_id(root), 0);
		for (j = 0; j < l.n; j++) {
			const struct tfile *f = &c->files[l.first + j];
			char oid_hex[GIT_OID_HEXSZ + 1];
			char *key;

			git_oid_tostr(oid_hex, sizeof(oid_hex), &f->oid);
			key = mempool_printf(&c->pool, "%s\n%s", f->path, oid_hex);
			if (!range_seen(c, &done_file, key, strlen(key), tip, hex))
				continue;
			if (f->kind == KIND_PACKAGE_JSON)
				scan_tip_manifest(c, f, tip, hex);
			else
				scan_tip_lockfile(c, c->files + l.first, l.n, f,
						  tip, hex);
			range_end(c);
		}
		if (range_seen(c, &done_commit, (const char *)tip->oid.id,
			       GIT_OID_RAWSZ, tip, hex)) {
			scan_workflows(c, root, tip, hex);
			scan_artifact_files(c, root, tip, hex);
			range_end(c);
		}
		git_tree_free(root);
		git_commit_free(commit);
	}
	strmap_release(&done_commit);
	strmap_release(&done_file);
}

/* ---- history ---- */

static uint32_t
commit_index(struct sweep_ctx *c, const git_oid *id)
{
	struct strmap_entry *e;

	if ((e = strmap_find(&c->commits, (const char *)id->id, GIT_OID_RAWSZ)))
		return e->value;
	if (c->ncommits == c->calloc_) {
		size_t na = c->calloc_ ? c->calloc_ * 2 : 256;

		c->coids = xreallocarray(c->coids, na, sizeof(*c->coids));
		c->ctimes = xreallocarray(c->ctimes, na, sizeof(*c->ctimes));
		c->ctip = xreallocarray(c->ctip, na, 1);
		c->cbits = xreallocarray(c->cbits, na * c->words,
					 sizeof(*c->cbits));
		c->calloc_ = na;
	}
	git_oid_cpy(&c->coids[c->ncommits], id);
	c->ctimes[c->ncommits] = 0;
	c->ctip[c->ncommits] = 0;
	memset(c->cbits + c->ncommits * c->words, 0,
	       c->words * sizeof(*c->cbits));
	memo_put(c, &c->commits, id->id, GIT_OID_RAWSZ, (uint32_t)c->ncommits);
	return (uint32_t)c->ncommits++;
}

static void
expose(struct sweep_ctx *c, const struct hit *h, uint32_t ci, const char *path)
{
	char *key = mempool_printf(&c->pool, "%s@%s", h->name, h->version);
	struct strmap_entry *e;
	struct expo *x;
	int64_t t = c->ctimes[ci];
	size_t w;

	if (strmap_put(&c->expo_by, key, strlen(key), (uint32_t)c->nexpo, &e)) {
		XGROW(c->expo, c->expo_alloc, c->nexpo + 1);
		x = &c->expo[c->nexpo++];
		memset(x, 0, sizeof(*x));
		x->package = h->name;
		x->version = h->version;
		x->feed = h->feed;
		x->severity = h->severity;
		x->first = x->last = ci;
		x->first_time = x->last_time = t;
		x->bits = mempool_calloc(&c->pool, c->words * sizeof(uint64_t));
	} else {
		x = &c->expo[e->value];
		/* ties: the walk visits children first, so a later visit
		 * with the same time is the older commit */
		if (t <= x->first_time) {
			x->first = ci;
			x->first_time = t;
		}
		if (t > x->last_time) {
			x->last = ci;
			x->last_time = t;
		}
	}
	for (w = 0; w < c->words; w++)
		x->bits[w] |= c->cbits[ci * c->words + w];
	if (c->ctip[ci])
		x->still_locked = 1;
	for (w = 0; w < x->nfiles; w++)
		if (strcmp(x->files[w], path) == 0)
			return;
	if (x->nfiles < SWEEP_EXPOSURE_FILES_MAX)
		x->files[x->nfiles++] = path;
}

/* The worm workflows of one workflows tree, once per tree id. */
static struct wfslice
workflow_list(struct sweep_ctx *c, const git_oid *id)
{
	struct strmap_entry *e;
	struct wfslice out = { (uint32_t)c->nwfs, 0 };
	git_tree *wt = NULL;
	size_t i, n;

	if ((e = strmap_find(&c->wf_trees, (const char *)id->id, GIT_OID_RAWSZ)))
		return c->wfsl[e->value];
	if (git_tree_lookup(&wt, c->repo, id) == 0) {
		n = git_tree_entrycount(wt);
		for (i = 0; i < n && i < WORKFLOWS_MAX; i++) {
			const git_tree_entry *te = git_tree_entry_byindex(wt, i);
			const char *name = git_tree_entry_name(te);
			const struct feed_artifact *a;
			char *path, *text = NULL;
			size_t len;
			int hit, disc;

			if (git_tree_entry_type(te) != GIT_OBJECT_BLOB)
				continue;
			path = mempool_printf(&c->pool, ".github/workflows/%s",
					      name);
			hit = workflow_named(c, name, path, &a, &disc);
			if (disc) {
				hit = read_blob(c, git_tree_entry_id(te), path,
						&text, &len) == 0 &&
				      discussion_backdoor(text);
				free(text);
				ws_error_clear();
			}
			if (!hit)
				continue;
			XGROW(c->wfs, c->wfs_alloc, c->nwfs + 1);
			c->wfs[c->nwfs].path = path;
			c->wfs[c->nwfs].a = a;
			c->wfs[c->nwfs++].disc = disc;
			out.n++;
		}
		git_tree_free(wt);
	}
	git_error_clear();
	XGROW(c->wfsl, c->wfsl_alloc, c->nwfsl + 1);
	c->wfsl[c->nwfsl] = out;
	memo_put(c, &c->wf_trees, id->id, GIT_OID_RAWSZ, (uint32_t)c->nwfsl++);
	return out;
}

/* The worm workflows in commit cm (index ci): their first and last. */
static void
workflow_history(struct sweep_ctx *c, git_commit *cm, uint32_t ci)
{
	git_tree *root = NULL;
	git_tree_entry *we = NULL;
	struct wfslice l;
	size_t i;

	if (git_commit_tree(&root, cm) < 0 ||
	    git_tree_entry_bypath(&we, root, ".github/workflows") < 0 ||
	    git_tree_entry_type(we) != GIT_OBJECT_TREE)
		goto done;
	l = workflow_list(c, git_tree_entry_id(we));
	for (i = 0; i < l.n; i++) {
		const struct wf *w = &c->wfs[l.first + i];
		struct strmap_entry *e;
		struct whist *h;
		int64_t t = c->ctimes[ci];

		if (strmap_put(&c->whist_by, w->path, strlen(w->path),
			       (uint32_t)c->nwhist, &e)) {
			XGROW(c->whist, c->whist_alloc, c->nwhist + 1);
			h = &c->whist[c->nwhist++];
			memset(h, 0, sizeof(*h));
			h->wf = *w;
			h->first = h->last = ci;
			h->first_time = h->last_time = t;
		} else {
			h = &c->whist[e->value];
			if (t <= h->first_time) {
				h->first = ci;
				h->first_time = t;
			}
			if (t > h->last_time) {
				h->last = ci;
				h->last_time = t;
			}
		}
		if (c->ctip[ci])
			h->at_tip = 1;
	}
done:
	git_tree_entry_free(we);
	git_tree_free(root);
	git_error_clear();
}

/* Worm workflows that were committed and are at no swept tip any more. */
static void
workflow_history_findings(struct sweep_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nwhist; i++) {
		const struct whist *h = &c->whist[i];
		char first[GIT_OID_HEXSZ + 1], last[GIT_OID_HEXSZ + 1];
		char fd[32], ld[32];
		struct report_evidence ev[5];
		struct report_finding f;

		if (h->at_tip)
			continue;
		git_oid_tostr(first, sizeof(first), &c->coids[h->first]);
		git_oid_tostr(last, sizeof(last), &c->coids[h->last]);
		format_time(fd, sizeof(fd), h->first_time);
		format_time(ld, sizeof(ld), h->last_time);
		memset(&f, 0, sizeof(f));
		f.id = mempool_printf(&c->pool, "ioc-artifact:history:%s",
				      h->wf.path);
		f.kind = "ioc-artifact";
		f.severity = art_severity(h->wf.a, REPORT_CRITICAL);
		f.target = c->res->repo;
		f.file = h->wf.path;
		f.message = mempool_printf(&c->pool,
					   "%s, a worm's workflow%s, was committed from %s (%.12s) to %s (%.12s) and later removed",
					   h->wf.path,
					   h->wf.disc ? " (discussion backdoor)" : "",
					   fd, first, ld, last);
		f.remediation = "It ran on every trigger while it was there: "
				"treat the repository's secrets and the tokens "
				"of whoever pushed it as exposed.";
		art_attribution(&f, h->wf.a, "wormsign: worm workflow names");
		ev[0].key = "first_commit";
		ev[0].value = first;
		ev[1].key = "first_date";
		ev[1].value = fd;
		ev[2].key = "last_commit";
		ev[2].value = last;
		ev[3].key = "last_date";
		ev[3].value = ld;
		ev[4].key = "path";
		ev[4].value = h->wf.path;
		f.evidence = ev;
		f.nevidence = 5;
		report_add(&c->res->findings, &f);
	}
}

static void
sweep_history(struct sweep_ctx *c)
{
	git_revwalk *walk = NULL;
	git_oid id;
	size_t i, j, k;
	int err;

	if (!c->ntips)
		return;
	c->words = (c->ntips < SWEEP_REFS_TRACKED ? c->ntips :
						    SWEEP_REFS_TRACKED) / 64 + 1;
	if (git_revwalk_new(&walk, c->repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0)
		goto fail;
	for (i = 0; i < c->ntips; i++) {
		uint32_t ci = commit_index(c, &c->tips[i].oid);

		c->ctip[ci] = 1;
		if (i < SWEEP_REFS_TRACKED)
			c->cbits[ci * c->words + i / 64] |= (uint64_t)1 << (i % 64);
		if (git_revwalk_push(walk, &c->tips[i].oid) < 0)
			goto fail;
	}
	while ((err = git_revwalk_next(&id, walk)) == 0) {
		git_commit *cm = NULL;
		uint32_t ci = commit_index(c, &id);
		unsigned np;
		struct tlist l;

		if (++c->res->commits > SWEEP_COMMITS_MAX) {
			sweep_result_error(c->res, "%s: more than %u commits: older history not read",
					   c->res->repo, SWEEP_COMMITS_MAX);
			break;
		}
		if (git_commit_lookup(&cm, c->repo, &id) < 0) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), &id);
			sweep_result_error(c->res, "%s: commit %s: %s",
					   c->res->repo, hex, git_msg());
			continue;
		}
		c->ctimes[ci] = (int64_t)git_commit_author(cm)->when.time;
		np = git_commit_parentcount(cm);
		for (k = 0; k < np; k++) {
			uint32_t pi = commit_index(c, git_commit_parent_id(cm,
									   (unsigned)k));

			for (j = 0; j < c->words; j++)
				c->cbits[pi * c->words + j] |=
					c->cbits[ci * c->words + j];
		}
		if (c->ctimes[ci] >= c->o->since || c->ctip[ci]) {
			workflow_history(c, cm, ci);
			l = tree_list(c, git_commit_tree_id(cm), 0);
			for (j = 0; j < l.n; j++) {
				struct tfile f = c->files[l.first + j];
				struct bhits bh;

				if (f.kind == KIND_PACKAGE_JSON)
					continue;
				bh = blob_hits(c, &f, f.path);
				for (k = 0; k < bh.n; k++)
					expose(c, &c->hits[bh.first + k], ci,
					       f.path);
			}
		}
		git_commit_free(cm);
	}
	if (err < 0 && err != GIT_ITEROVER)
		sweep_result_error(c->res, "%s: history: %s", c->res->repo,
				   git_msg());
	git_revwalk_free(walk);
	return;
fail:
	sweep_result_error(c->res, "%s: history: %s", c->res->repo, git_msg());
	git_revwalk_free(walk);
}

static void
history_findings(struct sweep_ctx *c)
{
	size_t i, j;

	if (!c->nexpo)
		return;
	c->res->exposure = xcalloc(c->nexpo, sizeof(*c->res->exposure));
	for (i = 0; i < c->nexpo; i++) {
		const struct expo *x = &c->expo[i];
		struct sweep_exposure *e = &c->res->exposure[c->res->nexposure++];
		char hex[GIT_OID_HEXSZ + 1], date[32];
		struct report_evidence ev[5];
		struct report_finding f;
		struct strbuf refs;

		e->package = xstrdup(x->package);
		e->version = xstrdup(x->version);
		e->feed = xstrdup(x->feed && x->feed->id ? x->feed->id : "feed");
		e->severity = x->severity;
		e->still_locked = x->still_locked;
		git_oid_tostr(hex, sizeof(hex), &c->coids[x->first]);
		e->first_commit = xstrdup(hex);
		format_time(date, sizeof(date), x->first_time);
		e->first_date = xstrdup(date);
		git_oid_tostr(hex, sizeof(hex), &c->coids[x->last]);
		e->last_commit = xstrdup(hex);
		format_time(date, sizeof(date), x->last_time);
		e->last_date = xstrdup(date);
		strbuf_init(&refs, SWEEP_REFS_TEXT_MAX);
		for (j = 0; j < c->ntips && j < SWEEP_REFS_TRACKED; j++) {
			if (!(x->bits[j / 64] >> (j % 64) & 1))
				continue;
			e->refs = xreallocarray(e->refs, e->nrefs + 1,
						sizeof(*e->refs));
			e->refs[e->nrefs++] = xstrdup(c->tips[j].ref);
			if (refs.len)
				strbuf_addch(&refs, ' ');
			strbuf_addstr(&refs, c->tips[j].ref);
		}
		e->files = xcalloc(x->nfiles ? x->nfiles : 1, sizeof(*e->files));
		for (j = 0; j < x->nfiles; j++)
			e->files[e->nfiles++] = xstrdup(x->files[j]);
		if (x->still_locked) {
			strbuf_release(&refs);
			continue;	/* the tip scan reports it */
		}
		memset(&f, 0, sizeof(f));
		f.id = mempool_printf(&c->pool, "ioc-history:%s@%s:%s", e->package,
				      e->version, e->feed);
		f.kind = "ioc-package";
		f.severity = (enum report_severity)e->severity;
		f.target = c->res->repo;
		f.package_name = e->package;
		f.package_version = e->version;
		f.file = x->nfiles ? x->files[0] : NULL;
		f.message = mempool_printf(&c->pool,
					   "%s@%s, a known compromised version, was locked from %s (%.12s) to %s (%.12s) and later removed",
					   e->package, e->version, e->first_date,
					   e->first_commit, e->last_date,
					   e->last_commit);
		f.remediation = "Anything that installed from those commits "
				"(CI runs, developer machines, release builds) "
				"ran the compromised version: treat its "
				"credentials as exposed and rotate them.";
		f.feed = e->feed;
		f.source = x->feed && x->feed->title ? x->feed->title : e->feed;
		ev[0].key = "first_commit";
		ev[0].value = e->first_commit;
		ev[1].key = "first_date";
		ev[1].value = e->first_date;
		ev[2].key = "last_commit";
		ev[2].value = e->last_commit;
		ev[3].key = "last_date";
		ev[3].value = e->last_date;
		ev[4].key = "refs";
		ev[4].value = refs.buf;
		f.evidence = ev;
		f.nevidence = 5;
		report_add(&c->res->findings, &f);
		strbuf_release(&refs);
	}
}

static void
gather_artifacts(struct sweep_ctx *c)
{
	const struct feed_set *s = c->o->feeds;
	size_t i, j;

	for (i = 0; s && i < s->nfeeds; i++)
		for (j = 0; j < s->feeds[i]->nartifacts; j++) {
			const struct feed_artifact *a = &s->feeds[i]->artifacts[j];

			if (!a->kind || !a->value || !*a->value)
				continue;
			XGROW(c->art, c->art_alloc, c->nart + 1);
			c->art[c->nart++] = a;
		}
}

static void
ctx_release(struct sweep_ctx *c)
{
	size_t i;

	for (i = 0; i < c->npend; i++)
		strbuf_release(&c->pend[i].refs);
	free(c->pend);
	free(c->touched);
	free(c->ranges);
	strmap_release(&c->pend_by);
	report_release(&c->scratch);
	strmap_release(&c->expo_by);
	free(c->expo);
	strmap_release(&c->commits);
	free(c->coids);
	free(c->ctimes);
	free(c->ctip);
	free(c->cbits);
	free(c->tips);
	free(c->hits);
	free(c->bh);
	strmap_release(&c->blobs);
	strmap_release(&c->big);
	free(c->files);
	free(c->tlists);
	strmap_release(&c->trees);
	free(c->art);
	strmap_release(&c->wf_trees);
	free(c->wfsl);
	free(c->wfs);
	strmap_release(&c->whist_by);
	free(c->whist);
	mempool_release(&c->pool);
	git_odb_free(c->odb);
	git_repository_free(c->repo);
}

static int
open_repo(git_repository **out, const char *path)
{
	/* no search upwards: a path that is not a repository is an error,
	 * not the repository it happens to sit in */
	if (git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) < 0)
		return ws_error_set(WS_EIO, "%s: not a readable git repository: %s",
				    path, git_msg());
	return 0;
}

int
sweep_repo(struct sweep_result *res, const char *path,
	   const struct sweep_opts *o)
{
	struct sweep_ctx c;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.res = res;
	mempool_init(&c.pool, 64u << 10);
	strmap_init(&c.trees);
	strmap_init(&c.blobs);
	strmap_init(&c.big);
	strmap_init(&c.commits);
	strmap_init(&c.expo_by);
	strmap_init(&c.pend_by);
	strmap_init(&c.wf_trees);
	strmap_init(&c.whist_by);
	report_init(&c.scratch, "sweep");
	if (open_repo(&c.repo, path)) {
		sweep_result_error(res, "%s", ws_error_last());
		goto done;
	}
	if (git_repository_odb(&c.odb, c.repo) < 0) {
		sweep_result_error(res, "%s: object database: %s", path,
				   git_msg());
		goto done;
	}
	gather_artifacts(&c);
	collect_refs(&c);
	sweep_tips(&c);
	pend_flush(&c);
	sweep_history(&c);
	history_findings(&c);
	workflow_history_findings(&c);
	report_sort(&res->findings);
	sweep_result_assess(res, o->affected_at);
done:
	ws_error_clear();
	git_error_clear();
	ctx_release(&c);
	return 0;
}

int
sweep_repo_state(char **head, char **state, const char *path)
{
	struct sweep_opts o;
	struct sweep_result res;
	struct sweep_ctx c;
	int err = 0;

	*head = *state = NULL;
	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	sweep_result_init(&res, path);
	c.o = &o;
	c.res = &res;
	mempool_init(&c.pool, 4096);
	report_init(&c.scratch, "sweep");
	if ((err = open_repo(&c.repo, path)))
		goto done;
	collect_refs(&c);
	*head = res.head ? xstrdup(res.head) : NULL;
	*state = xstrdup(res.state);
done:
	ctx_release(&c);
	sweep_result_release(&res);
	return err;
}
