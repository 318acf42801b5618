/* realpath() is XSI, not in POSIX.1-2008 base. */
#define _DEFAULT_SOURCE

#include "host/host.h"
#include "host/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry/npmrc.h"
#include "scan/payload.h"
#include "scan/scan.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * Payloads on the machine, found with scan's own code: npm's cache through
 * scan_npm_cache, global and project node_modules through
 * scan_installed_files, Bun's cache (unpacked package directories) through
 * the payload reader. Each scan writes into a scratch report whose
 * ioc-file findings are re-filed here as host-payload findings, with a
 * removal item each: a payload still on disk is run again by the next
 * install.
 */

#define PAYLOAD_BUN_FILES_MAX 100000	/* files hashed in Bun's cache */
#define PAYLOAD_BUN_DEPTH_MAX 8		/* directories inside one package */
#define PAYLOAD_NVM_MAX 64		/* node versions under ~/.nvm */
#define PAYLOAD_INDEX_FILES_MAX 200000	/* _cacache/index-v5 bucket files */
#define PAYLOAD_INDEX_LINE_MAX (64u << 10)	/* one index entry looked at */
#define PAYLOAD_INDEX_DEPTH_MAX 4	/* index-v5/ab/cd/<bucket> */

static const char payload_removal[] =
	"Delete it (for npm's cache: 'npm cache clean --force'; for a global "
	"package: 'npm uninstall -g' it) after the persistence items, and "
	"treat every credential this user could read as stolen.";

/* Moves what a scan found in tmp into the host's report. */
static void
payload_refile(struct host *h, struct report *tmp, const char *what)
{
	size_t i;

	for (i = 0; i < tmp->nfindings; i++) {
		struct report_finding f = tmp->findings[i];

		if (strcmp(f.kind, "ioc-file") != 0)
			continue;
		f.id = mempool_printf(&h->pool, "host-payload:%s", f.id);
		f.kind = "host-payload";
		f.target = h->home;
		f.message = mempool_printf(&h->pool, "%s: %s", what, f.message);
		f.remediation = mempool_printf(&h->pool,
			"Remove %s. %s Check this machine's persistence before revoking anything.",
			f.file ? host_display(h, f.file) : "it", payload_removal);
		report_add(h->r, &f);
		h->payloads++;

		host_removal(h, ROTATION_NPM, f.package_name ?
			mempool_printf(&h->pool, "payload of %s%s%s", f.package_name,
				       f.package_version ? "@" : "",
				       f.package_version ? f.package_version : "") :
			"payload file", NULL,
			f.file ? host_display(h, f.file) : what, f.message,
			mempool_printf(&h->pool, "Delete %s. %s",
				       f.file ? host_display(h, f.file) : "it",
				       payload_removal),
			f.file ? f.file : f.id);
	}
	for (i = 0; i < tmp->nerrors; i++)
		host_list_error(h, what, tmp->errors[i].target,
				tmp->errors[i].message);
}

static void
payload_opts(struct host *h, struct scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->feeds = h->o->feeds;
	o->files = 1;
}

/* A node_modules tree under root: root/node_modules/... */
static void
payload_tree(struct host *h, const char *root, const char *what, int system)
{
	struct scan_opts o;
	struct report tmp;
	struct tree *t = NULL;
	int err;

	if (!host_dir_ok(h, NULL, root, system))
		return;
	if ((err = tree_walk_node_modules(&t, root))) {
		if (err != WS_ENOTFOUND)
			host_list_error(h, what, root, ws_error_last());
		return;
	}
	host_list_checked(h, what, root);
	payload_opts(h, &o);
	report_init(&tmp, "host");
	if ((err = scan_installed_files(&tmp, t, root, &o)))
		host_list_error(h, what, root, ws_error_last());
	payload_refile(h, &tmp, what);
	report_release(&tmp);
	tree_free(t);
}

static void
payload_npm_cache(struct host *h, const char *dir)
{
	struct scan_opts o;
	struct report tmp;
	char cacache[HOST_PATH_MAX];
	int err;

	if (snprintf(cacache, sizeof(cacache), "%s/_cacache", dir) >=
	    (int)sizeof(cacache) || !host_dir_ok(h, "npm cache", cacache, 0))
		return;
	payload_opts(h, &o);
	report_init(&tmp, "host");
	if ((err = scan_npm_cache(&tmp, dir, &o)) && err != WS_ENOTFOUND)
		host_list_error(h, "npm cache", dir, ws_error_last());
	payload_refile(h, &tmp, "npm cache");
	report_release(&tmp);
}

/* ---- npm's cache index: which tarballs were downloaded ---- */

/*
 * index-v5 keeps one line per cached request, "<hash>\t<json>", whose key
 * is "make-fetch-happen:request-cache:<url>". A tarball URL names the
 * package and version (".../<name>/-/<base>-<version>.tgz"), so the index
 * shows that a listed version was fetched even after npm's garbage
 * collection dropped its content, and after the registry removed it.
 */

struct npm_index {
	struct host *h;
	const char *file;
	struct strmap seen;	/* name@version already reported */
	struct mempool pool;
	size_t files;
	const char *url;	/* the entry being matched */
	const char *name, *version;
};

static void
index_on_match(const struct feed_package *e, const char *matched_by,
	       void *payload)
{
	struct npm_index *ix = payload;
	struct host *h = ix->h;
	struct report_evidence ev[3];
	struct report_finding f;
	char shown[HOST_EVIDENCE_MAX + 8], key[1024];
	const char *feed_id = e->meta.feed && e->meta.feed->id ?
		e->meta.feed->id : "feed";
	size_t kl;

	kl = (size_t)snprintf(key, sizeof(key), "%s@%s %s", ix->name,
			      ix->version, feed_id);
	if (kl >= sizeof(key) || strmap_find(&ix->seen, key, kl))
		return;
	strmap_put(&ix->seen, mempool_strndup(&ix->pool, key, kl), kl, 0, NULL);
	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&h->pool, "host-package:%s@%s", ix->name,
			      ix->version);
	f.kind = "host-package";
	f.severity = e->meta.severity >= REPORT_INFO &&
		e->meta.severity <= REPORT_CRITICAL ?
		(enum report_severity)e->meta.severity : REPORT_CRITICAL;
	f.target = h->home;
	f.package_name = ix->name;
	f.package_version = ix->version;
	f.file = ix->file;
	f.message = mempool_printf(&h->pool,
		"npm's cache recorded a download of %s@%s, listed by %s: this machine fetched it, and probably installed it",
		ix->name, ix->version, feed_id);
	f.remediation = mempool_printf(&h->pool,
		"Treat this machine as compromised: remove its persistence first, then "
		"clear the cache (npm cache clean --force) and rotate every credential it held.");
	f.feed = feed_id;
	f.source = e->meta.source;
	f.advisory = e->meta.advisory;
	host_redact_line(ix->url, strlen(ix->url), shown, sizeof(shown));
	ev[0].key = "url";
	ev[0].value = shown;
	ev[1].key = "matched";
	ev[1].value = matched_by;
	f.evidence = ev;
	f.nevidence = 2;
	report_add(h->r, &f);
	h->payloads++;
	host_removal(h, ROTATION_NPM, "npm cache holding compromised versions",
		     NULL, host_display(h, ix->file), f.message,
		     "Run \"npm cache clean --force\" once the persistence items above are removed, "
		     "so that no later install is served the cached tarball.",
		     "npm-cache-clean");
}

static int
index_line(struct npm_index *ix, const char *line, size_t len)
{
	static const char key[] = "\"key\"";
	static const char pfx[] = "make-fetch-happen:request-cache:";
	char name[256], version[128], *url;
	const char *p, *e, *end = line + len;
	size_t i;

	for (p = NULL, i = 0; i + sizeof(key) - 1 <= len; i++)
		if (memcmp(line + i, key, sizeof(key) - 1) == 0) {
			p = line + i + sizeof(key) - 1;
			break;
		}
	/* npm writes "key":"..."; allow the spaces other writers put */
	while (p && p < end && (*p == ' ' || *p == ':' || *p == '\t'))
		p++;
	if (p && p < end && *p == '"')
		p++;
	else
		p = NULL;
	if (!p || (size_t)(end - p) < sizeof(pfx) - 1 ||
	    memcmp(p, pfx, sizeof(pfx) - 1) != 0)
		return 0;
	p += sizeof(pfx) - 1;
	for (e = p; e < end && *e != '"' && *e != '\\'; e++)
		;
	if (e == end || *e != '"')
		return 0;
	if (!host_tarball_url(p, (size_t)(e - p), name, sizeof(name), version,
			      sizeof(version)))
		return 0;
	url = xstrndup(p, (size_t)(e - p));
	ix->url = url;
	ix->name = name;
	ix->version = version;
	feed_set_match_package(ix->h->o->feeds, name, version, index_on_match,
			       ix);
	free(url);
	return 0;
}

static void
index_file(struct npm_index *ix, const char *path, struct strbuf *sb)
{
	struct stat st;
	size_t pos = 0;

	if (host_read(ix->h, "npm cache index", path, 0, sb, &st) !=
	    HOST_READ_OK)
		return;
	ix->file = path;
	while (pos < sb->len) {
		const char *nl = memchr(sb->buf + pos, '\n', sb->len - pos);
		size_t n = nl ? (size_t)(nl - (sb->buf + pos)) : sb->len - pos;

		index_line(ix, sb->buf + pos, n > PAYLOAD_INDEX_LINE_MAX ?
			   PAYLOAD_INDEX_LINE_MAX : n);
		pos += n + 1;
	}
}

static void
index_walk(struct npm_index *ix, const char *dir, unsigned depth,
	   struct strbuf *sb)
{
	char **names, path[HOST_PATH_MAX];
	size_t n, i;
	struct stat st;

	if (!(names = host_list_dir(ix->h, "npm cache index", dir, &n)))
		return;
	for (i = 0; i < n && ix->files < PAYLOAD_INDEX_FILES_MAX; i++) {
		if (names[i][0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path) || lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < PAYLOAD_INDEX_DEPTH_MAX) {
			index_walk(ix, path, depth + 1, sb);
		} else if (S_ISREG(st.st_mode)) {
			ix->files++;
			index_file(ix, path, sb);
		}
	}
	host_free_names(names, n);
}

static void
payload_npm_index(struct host *h, const char *dir)
{
	struct npm_index ix;
	struct strbuf sb;
	char index[HOST_PATH_MAX];
	size_t checked = h->nchecked;

	if (snprintf(index, sizeof(index), "%s/_cacache/index-v5", dir) >=
	    (int)sizeof(index) || !host_dir_ok(h, "npm cache index", index, 0))
		return;
	memset(&ix, 0, sizeof(ix));
	ix.h = h;
	strmap_init(&ix.seen);
	mempool_init(&ix.pool, 4096);
	strbuf_init(&sb, HOST_FILE_MAX);
	index_walk(&ix, index, 0, &sb);
	if (ix.files >= PAYLOAD_INDEX_FILES_MAX)
		host_list_skipped(h, "npm cache index", index,
				  "more than 200000 index files: the rest not read");
	/* one line for the index, not one per bucket file */
	h->nchecked = checked + 1;
	strbuf_release(&sb);
	strmap_release(&ix.seen);
	mempool_release(&ix.pool);
}

/* ---- Bun's cache: unpacked package directories ---- */

struct bun {
	struct host *h;
	struct payload p;
	size_t files;
};

static void
bun_walk(struct bun *b, const char *dir, const char *rel, unsigned depth)
{
	char **names, path[HOST_PATH_MAX], sub[HOST_PATH_MAX];
	size_t n, i;
	struct stat st;

	if (!(names = host_list_dir(b->h, "Bun cache", dir, &n)))
		return;
	for (i = 0; i < n && b->files < PAYLOAD_BUN_FILES_MAX; i++) {
		uint8_t digest[32];
		size_t kept;
		uint64_t total;
		int fd, err;

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path) ||
		    snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			     names[i]) >= (int)sizeof(sub))
			continue;
		if (lstat(path, &st) < 0 || S_ISLNK(st.st_mode))
			continue;	/* links are never followed */
		if (S_ISDIR(st.st_mode)) {
			if (depth < PAYLOAD_BUN_DEPTH_MAX)
				bun_walk(b, path, sub, depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			       O_NOCTTY | O_CLOEXEC)) < 0) {
			host_list_error(b->h, "Bun cache", path, strerror(errno));
			continue;
		}
		b->files++;
		b->p.want_sha1 = payload_named_sha1(&b->p, names[i]);
		err = payload_read(&b->p, payload_fd_read, &fd, (size_t)st.st_size,
				   digest, &kept, &total);
		close(fd);
		if (err) {
			host_list_error(b->h, "Bun cache", path, ws_error_last());
			continue;
		}
		payload_check(&b->p, sub, path, digest, kept, 0);
	}
	host_free_names(names, n);
}

static void
payload_bun(struct host *h, const char *cache)
{
	struct scan_opts o;
	struct report tmp;
	struct bun b;
	char **names, path[HOST_PATH_MAX];
	size_t n, i;
	struct stat st;

	if (!host_dir_ok(h, "Bun cache", cache, 0))
		return;
	if (!(names = host_list_dir(h, "Bun cache", cache, &n)))
		return;
	payload_opts(h, &o);
	report_init(&tmp, "host");
	memset(&b, 0, sizeof(b));
	b.h = h;
	payload_init(&b.p, &tmp, &o, cache);
	for (i = 0; i < n && b.p.hashing; i++) {
		char name[512], *at;

		if (names[i][0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", cache, names[i]) >=
		    (int)sizeof(path) ||
		    lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		bun_walk(&b, path, "", 0);
		/* "name@version@@@1": the package the files belong to */
		snprintf(name, sizeof(name), "%s", names[i]);
		at = strchr(name + (name[0] == '@'), '@');
		if (at) {
			char *end = strstr(at + 1, "@@");

			*at = '\0';
			if (end)
				*end = '\0';
		}
		payload_flush(&b.p, name, at ? at + 1 : NULL, NULL, 0);
	}
	if (b.files >= PAYLOAD_BUN_FILES_MAX)
		host_list_skipped(h, "Bun cache", cache,
				  "more than 100000 files: the rest not hashed");
	payload_release(&b.p);
	payload_refile(h, &tmp, "Bun cache");
	report_release(&tmp);
	host_free_names(names, n);
}

/* ---- global prefixes ---- */

/* `prefix` from ~/.npmrc ("~/" expanded), when it is inside the home. */
static void
npmrc_prefix(struct host *h, char *out, size_t max)
{
	struct npmrc *cfg = NULL;
	struct strbuf sb;
	struct stat st;
	const char *p;
	char path[HOST_PATH_MAX];

	out[0] = '\0';
	strbuf_init(&sb, HOST_FILE_MAX);
	if (snprintf(path, sizeof(path), "%s/.npmrc", h->home) >=
	    (int)sizeof(path))
		goto done;
	/* quietly: the credentials check lists this file */
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    strbuf_read_file(&sb, path, 1))
		goto done;
	if (npmrc_load_buffer(&cfg, path, sb.buf, sb.len, NPMRC_USER, NULL))
		goto done;
	if ((p = npmrc_get_str(cfg, "prefix")) && *p) {
		if (p[0] == '~' && p[1] == '/')
			snprintf(out, max, "%s/%s", h->home, p + 2);
		else
			snprintf(out, max, "%s", p);
	}
done:
	npmrc_free(cfg);
	memset(sb.buf, 0, sb.len);
	strbuf_release(&sb);
}

void
host_check_payloads(struct host *h)
{
	static const char *const prefixes[] = { ".npm-global", ".local" };
	static const char *const system_prefixes[] = {
		"/usr/local/lib", "/usr/lib", "/opt/homebrew/lib",
	};
	char path[HOST_PATH_MAX], prefix[HOST_PATH_MAX];
	char **names;
	size_t i, n;

	if (!h->o->feeds)
		return;
	if (snprintf(path, sizeof(path), "%s/.npm", h->home) < (int)sizeof(path)) {
		payload_npm_cache(h, path);
		payload_npm_index(h, path);
	}
	for (i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (snprintf(path, sizeof(path), "%s/%s/lib", h->home,
			     prefixes[i]) < (int)sizeof(path))
			payload_tree(h, path, "global node_modules", 0);
	npmrc_prefix(h, prefix, sizeof(prefix));
	if (prefix[0] && snprintf(path, sizeof(path), "%s/lib", prefix) <
	    (int)sizeof(path)) {
		char *real = realpath(path, NULL);

		/* a prefix outside the home is another user's (or root's) */
		if (real && strncmp(real, h->home, strlen(h->home)) == 0)
			payload_tree(h, real, "global node_modules", 0);
		free(real);
	}
	if (snprintf(path, sizeof(path), "%s/.nvm/versions/node", h->home) <
	    (int)sizeof(path) && host_dir_ok(h, NULL, path, 0) &&
	    (names = host_list_dir(h, "nvm", path, &n))) {
		for (i = 0; i < n && i < PAYLOAD_NVM_MAX; i++)
			if (snprintf(prefix, sizeof(prefix), "%s/%s/lib", path,
				     names[i]) < (int)sizeof(prefix))
				payload_tree(h, prefix, "global node_modules", 0);
		host_free_names(names, n);
	}
	/* with --system: the prefixes of Node.js installs outside the home
	 * (distribution packages, Homebrew, the official installer) */
	for (i = 0; h->sysroot && i < sizeof(system_prefixes) /
	     sizeof(*system_prefixes); i++)
		if (snprintf(path, sizeof(path), "%s%s",
			     strcmp(h->sysroot, "/") == 0 ? "" : h->sysroot,
			     system_prefixes[i]) < (int)sizeof(path))
			payload_tree(h, path, "system node_modules", 1);
	if (snprintf(path, sizeof(path), "%s/.bun/install/cache", h->home) <
	    (int)sizeof(path))
		payload_bun(h, path);
	for (i = 0; i < h->o->nprojects; i++) {
		char *real = realpath(h->o->projects[i], NULL);
		const char *saved = h->root;
		struct stat st;

		if (!real || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(real);
			continue;	/* host_run reports it */
		}
		h->root = real;
		payload_tree(h, real, "project node_modules", 0);
		h->root = saved;
		free(real);
	}
}
