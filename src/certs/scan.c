/*
 * Where the files come from: a git repository read with libgit2 (HEAD,
 * and with history every commit reachable from its refs, up to a bound),
 * never checked out, no filter and no hook run; or a plain directory
 * walked with openat and O_NOFOLLOW, symlinks skipped, never left.
 *
 * History is walked commit by commit, but a tree whose object id was
 * already walked and held nothing is skipped, and a blob is parsed once
 * per path: so the cost follows what changed, not the commit count times
 * the tree size. Each (path, blob) records the oldest and newest commit
 * holding it: the window in which it was reachable.
 */
#define _DEFAULT_SOURCE	/* DT_DIR, fdopendir's dirent fields */
#include "certs/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report/report.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PATH_LEN_MAX 4096

static int
skip_dir(const char *name)
{
	return strcmp(name, ".git") == 0 || strcmp(name, "node_modules") == 0;
}

static void
record_error(struct report *r, const char *root, int err)
{
	if (r)
		report_add_error(r, root, ws_error_last());
	(void)err;
	ws_error_clear();
}

/* ---- plain directories ---- */

struct dscan {
	struct certs_inv *inv;
	const char *root;
	struct report *r;
	size_t files;
};

static void
dir_file(struct dscan *d, int dirfd, const char *name, const char *rel,
	 off_t size)
{
	struct certs_where w = { d->root, NULL, NULL };
	int ci = certs_is_ci_file(rel);
	int cand = certs_is_candidate(rel, (size_t)size);
	struct strbuf sb;
	int fd, err;

	if (!ci && !cand && (size <= 0 || (size_t)size > CERTS_SNIFF_MAX))
		return;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		record_error(d->r, d->root,
			     ws_error_set(WS_EIO, "%s/%s: cannot open: %s",
					  d->root, rel, strerror(errno)));
		return;
	}
	strbuf_init(&sb, ci ? (1u << 20) : CERTS_FILE_MAX);
	err = strbuf_read_fd(&sb, fd, rel);
	close(fd);
	if (err) {
		record_error(d->r, d->root, err);
		strbuf_release(&sb);
		return;
	}
	w.path = mempool_strdup(&d->inv->pool, rel);
	if (ci) {
		if (certs_parse_ci(d->inv, &w, sb.buf, sb.len) < 0)
			record_error(d->r, d->root, -1);
	}
	if (cand || certs_sniff((const unsigned char *)sb.buf, sb.len))
		certs_parse_file(d->inv, &w, (const unsigned char *)sb.buf,
				 sb.len);
	ws_error_clear();
	strbuf_release(&sb);
}

static void
dir_walk(struct dscan *d, int fd, char *rel, size_t rlen, int depth)
{
	DIR *dir;
	struct dirent *de;

	if (depth > CERTS_DEPTH_MAX) {
		close(fd);
		return;
	}
	if (!(dir = fdopendir(fd))) {
		record_error(d->r, d->root,
			     ws_error_set(WS_EIO, "%s/%s: cannot read: %s",
					  d->root, rel, strerror(errno)));
		close(fd);
		return;
	}
	while ((de = readdir(dir)) && d->files < CERTS_FILES_MAX) {
		struct stat st;
		size_t n = strlen(de->d_name);

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (rlen + n + 2 > PATH_LEN_MAX)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (rlen)
			rel[rlen] = '/';
		memcpy(rel + rlen + !!rlen, de->d_name, n + 1);
		if (S_ISDIR(st.st_mode)) {
			int sub;

			if (!skip_dir(de->d_name)) {
				sub = openat(dirfd(dir), de->d_name,
					     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						     O_CLOEXEC);
				if (sub >= 0)
					dir_walk(d, sub, rel,
						 rlen + !!rlen + n, depth + 1);
				else	/* the inventory is incomplete: say so */
					record_error(d->r, d->root,
						     ws_error_set(WS_EIO,
								  "%s/%s: cannot open: %s",
								  d->root, rel,
								  strerror(errno)));
			}
		} else if (S_ISREG(st.st_mode)) {
			d->files++;
			dir_file(d, dirfd(dir), de->d_name, rel, st.st_size);
		}
		/* symlinks, devices, sockets: never followed, never read */
		rel[rlen] = '\0';
	}
	closedir(dir);
}

static int
scan_dir(struct certs_inv *inv, const char *root, struct report *r)
{
	struct dscan d = { inv, mempool_strdup(&inv->pool, root), r, 0 };
	char *rel = xmalloc(PATH_LEN_MAX);
	int fd;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		free(rel);
		return ws_error_set(e == ENOENT ? WS_ENOTFOUND : WS_EIO,
				    "%s: %s", root, strerror(e));
	}
	rel[0] = '\0';
	dir_walk(&d, fd, rel, 0, 0);
	free(rel);
	return 0;
}

/* ---- git ---- */

struct presence {
	size_t start, end;	/* its entries in inv */
	git_time_t first, last;
	git_oid first_commit, last_commit;
};

struct gscan {
	struct certs_inv *inv;
	git_repository *repo;
	git_odb *odb;
	const char *root;
	struct report *r;
	int head;		/* the HEAD pass: CI files are read */
	const char *commit_hex;	/* in the pool */
	const git_oid *commit;
	git_time_t time;
	struct strmap empty_trees;	/* trees with nothing under them */
	struct strmap plain_blobs;	/* blobs that sniffed as nothing */
	struct strmap seen;		/* path + '\0' + blob id -> presence */
	struct presence *pres;
	size_t npres, pres_alloc;
	struct mempool keys;
	unsigned errors;
	size_t entries;		/* tree entries walked in this commit */
	char key[PATH_LEN_MAX + GIT_OID_RAWSZ];	/* lookups in seen */
};

#define GIT_ERRORS_MAX 100	/* errors recorded per repository */

static void
git_fail(struct gscan *g, const char *what, const char *path)
{
	const git_error *e = git_error_last();

	if (g->r && g->errors++ < GIT_ERRORS_MAX) {
		ws_error_set(WS_EIO, "%s: %s: %s", path ? path : "(tree)", what,
			     e && e->message ? e->message : "failed");
		report_add_error(g->r, g->root, ws_error_last());
	}
	ws_error_clear();
}

static int
oid_in(const struct strmap *m, const git_oid *id)
{
	return strmap_find(m, (const char *)id->id, GIT_OID_RAWSZ) != NULL;
}

static void
oid_add(struct gscan *g, struct strmap *m, const git_oid *id)
{
	char *k = mempool_alloc(&g->keys, GIT_OID_RAWSZ);

	memcpy(k, id->id, GIT_OID_RAWSZ);
	strmap_put(m, k, GIT_OID_RAWSZ, 0, NULL);
}

static void
touch(struct presence *p, const git_oid *commit, git_time_t t)
{
	if (t < p->first) {
		p->first = t;
		git_oid_cpy(&p->first_commit, commit);
	}
	if (t > p->last) {
		p->last = t;
		git_oid_cpy(&p->last_commit, commit);
	}
}

/* Returns 1 when the blob at path holds something. */
static int
git_blob_at(struct gscan *g, const char *path, const git_oid *id)
{
	size_t plen = strlen(path), size = 0;
	struct strmap_entry *se;
	struct presence *p;
	git_object_t type;
	git_blob *blob = NULL;
	const unsigned char *data;
	struct certs_where w;
	char *key;
	int ci = g->head && certs_is_ci_file(path), cand;
	uint32_t idx;

	/* the same bytes at the same path: only the window grows (the key
	 * is built on the stack; the pool gets it only when it is new) */
	memcpy(g->key, path, plen + 1);
	memcpy(g->key + plen + 1, id->id, GIT_OID_RAWSZ);
	se = strmap_find(&g->seen, g->key, plen + 1 + GIT_OID_RAWSZ);
	if (se) {
		p = &g->pres[se->value];
		touch(p, g->commit, g->time);
		return p->end > p->start;
	}
	if (!ci && oid_in(&g->plain_blobs, id))
		return 0;
	if (git_odb_read_header(&size, &type, g->odb, id) < 0) {
		git_fail(g, "cannot read blob", path);
		return 0;
	}
	cand = certs_is_candidate(path, size);
	if (!ci && !cand && (size == 0 || size > CERTS_SNIFF_MAX)) {
		oid_add(g, &g->plain_blobs, id);
		return 0;
	}
	if (size > CERTS_FILE_MAX)
		return 0;
	if (git_blob_lookup(&blob, g->repo, id) < 0) {
		git_fail(g, "cannot read blob", path);
		return 0;
	}
	data = git_blob_rawcontent(blob);
	size = (size_t)git_blob_rawsize(blob);
	if (!cand && !ci && !certs_sniff(data, size)) {
		oid_add(g, &g->plain_blobs, id);
		git_blob_free(blob);
		return 0;
	}
	w.repo = g->root;
	w.path = mempool_strdup(&g->inv->pool, path);
	w.commit = g->commit_hex;
	if (ci && certs_parse_ci(g->inv, &w, (const char *)data, size) < 0)
		record_error(g->r, g->root, -1);
	XGROW(g->pres, g->pres_alloc, g->npres + 1);
	idx = (uint32_t)g->npres++;
	p = &g->pres[idx];
	p->start = g->inv->n;
	if (cand || certs_sniff(data, size))
		certs_parse_file(g->inv, &w, data, size);
	ws_error_clear();
	p->end = g->inv->n;
	p->first = p->last = g->time;
	git_oid_cpy(&p->first_commit, g->commit);
	git_oid_cpy(&p->last_commit, g->commit);
	for (size_t i = p->start; i < p->end; i++)
		g->inv->entries[i].in_head = g->head;
	key = mempool_alloc(&g->keys, plen + 1 + GIT_OID_RAWSZ);
	memcpy(key, g->key, plen + 1 + GIT_OID_RAWSZ);
	strmap_put(&g->seen, key, plen + 1 + GIT_OID_RAWSZ, idx, NULL);
	git_blob_free(blob);
	return p->end > p->start;
}

/* Returns 1 when anything under tree holds something. */
static int
git_walk_tree(struct gscan *g, const git_tree *tree, char *path, size_t plen,
	      int depth)
{
	size_t i, n = git_tree_entrycount(tree);
	int any = 0;

	if (depth > CERTS_DEPTH_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(te);
		const git_oid *id = git_tree_entry_id(te);
		size_t nlen = strlen(name);

		/* a tree is walked again wherever it appears: a tree of
		 * trees repeated at each level is k^depth entries */
		if (++g->entries > CERTS_FILES_MAX) {
			if (g->entries == CERTS_FILES_MAX + 1 && g->r &&
			    g->errors++ < GIT_ERRORS_MAX) {
				ws_error_set(WS_ELIMIT,
					     "%s: more than %u tree entries in commit %s: the rest not read",
					     g->root, CERTS_FILES_MAX,
					     g->commit_hex ? g->commit_hex : "HEAD");
				report_add_error(g->r, g->root, ws_error_last());
				ws_error_clear();
			}
			break;
		}
		if (plen + nlen + 2 > PATH_LEN_MAX)
			continue;
		if (plen)
			path[plen] = '/';
		memcpy(path + plen + !!plen, name, nlen + 1);
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;
			int found;

			if (skip_dir(name) || (!g->head && oid_in(&g->empty_trees, id))) {
				path[plen] = '\0';
				continue;
			}
			if (git_tree_lookup(&sub, g->repo, id) < 0) {
				git_fail(g, "cannot read tree", path);
			} else {
				found = git_walk_tree(g, sub, path,
						      plen + !!plen + nlen,
						      depth + 1);
				if (!found && g->entries <= CERTS_FILES_MAX)
					oid_add(g, &g->empty_trees, id);
				any |= found;
				git_tree_free(sub);
			}
		} else if (git_tree_entry_type(te) == GIT_OBJECT_BLOB &&
			   git_tree_entry_filemode(te) != GIT_FILEMODE_LINK) {
			/* a symlink's blob is a path, not a file: skipped */
			any |= git_blob_at(g, path, id);
		}
		path[plen] = '\0';
	}
	return any;
}

static const char *
iso_time(struct certs_inv *inv, git_time_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return certs_str(inv, buf);
}

static const char *
oid_hex(struct certs_inv *inv, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	return certs_str(inv, hex);
}

static void
git_commit_pass(struct gscan *g, git_commit *c, char *path)
{
	git_tree *tree = NULL;

	g->commit = git_commit_id(c);
	g->commit_hex = oid_hex(g->inv, g->commit);
	g->time = git_commit_time(c);
	if (git_commit_tree(&tree, c) < 0) {
		git_fail(g, "cannot read the commit's tree", g->commit_hex);
		return;
	}
	path[0] = '\0';
	g->entries = 0;
	git_walk_tree(g, tree, path, 0, 0);
	git_tree_free(tree);
}

static void
git_history(struct gscan *g, unsigned max, char *path)
{
	git_revwalk *walk = NULL;
	git_oid id;
	unsigned n = 0;

	if (git_revwalk_new(&walk, g->repo) < 0) {
		git_fail(g, "cannot walk history", NULL);
		return;
	}
	git_revwalk_sorting(walk, GIT_SORT_TIME);
	/* refs that point at no commit are skipped by the glob */
	git_revwalk_push_head(walk);
	git_revwalk_push_glob(walk, "refs/heads");
	git_revwalk_push_glob(walk, "refs/tags");
	/* a clone keeps most branches as remote-tracking refs only */
	git_revwalk_push_glob(walk, "refs/remotes");
	git_error_clear();
	while (n < max && git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL;

		n++;
		if (git_commit_lookup(&c, g->repo, &id) < 0) {
			git_fail(g, "cannot read commit", NULL);
			continue;
		}
		git_commit_pass(g, c, path);
		git_commit_free(c);
	}
	git_revwalk_free(walk);
}

static void
git_fill_windows(struct gscan *g, int history)
{
	size_t i, j;

	for (i = 0; i < g->npres; i++) {
		const struct presence *p = &g->pres[i];
		const char *fc = NULL, *fd = NULL, *lc, *ld;

		if (p->end == p->start)
			continue;
		if (history) {
			fc = oid_hex(g->inv, &p->first_commit);
			fd = iso_time(g->inv, p->first);
		}
		lc = oid_hex(g->inv, &p->last_commit);
		ld = iso_time(g->inv, p->last);
		for (j = p->start; j < p->end; j++) {
			struct certs_entry *e = &g->inv->entries[j];

			e->first_commit = fc;
			e->first_date = fd;
			e->last_commit = lc;
			e->last_date = ld;
			e->commit = lc;
		}
	}
}

static int
scan_git(struct certs_inv *inv, git_repository *repo, const char *root,
	 const struct certs_scan_opts *o, struct report *r)
{
	struct gscan g;
	git_reference *head = NULL;
	git_commit *c = NULL;
	char *path = xmalloc(PATH_LEN_MAX);
	int err = 0;

	memset(&g, 0, sizeof(g));
	g.inv = inv;
	g.repo = repo;
	g.root = mempool_strdup(&inv->pool, root);
	g.r = r;
	strmap_init(&g.empty_trees);
	strmap_init(&g.plain_blobs);
	strmap_init(&g.seen);
	mempool_init(&g.keys, 64u << 10);
	if (git_repository_odb(&g.odb, repo) < 0) {
		err = ws_error_set(WS_EIO, "%s: cannot open the object database: %s",
				   root, git_error_last() ? git_error_last()->message : "");
		goto done;
	}
	if (git_repository_head(&head, repo) == 0 &&
	    git_reference_peel((git_object **)&c, head, GIT_OBJECT_COMMIT) == 0) {
		g.head = 1;
		git_commit_pass(&g, c, path);
		g.head = 0;
	} else if (!git_repository_head_unborn(repo)) {
		git_fail(&g, "cannot read HEAD", "HEAD");
	}
	git_error_clear();
	if (o && o->history)
		git_history(&g, o->history_max ? o->history_max :
						 CERTS_HISTORY_MAX,
			    path);
	git_fill_windows(&g, o && o->history);
done:
	git_commit_free(c);
	git_reference_free(head);
	git_odb_free(g.odb);
	strmap_release(&g.empty_trees);
	strmap_release(&g.plain_blobs);
	strmap_release(&g.seen);
	mempool_release(&g.keys);
	free(g.pres);
	free(path);
	return err;
}

int
certs_scan(struct certs_inv *inv, const char *root,
	   const struct certs_scan_opts *o, struct report *r)
{
	git_repository *repo = NULL;
	struct stat st;
	int err;

	if (stat(root, &st) < 0)
		return ws_error_set(errno == ENOENT ? WS_ENOTFOUND : WS_EIO,
				    "%s: %s", root, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ws_error_set(WS_EPARSE,
				    "%s: not a directory or a repository", root);
	err = git_repository_open_ext(&repo, root,
				      GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (err == GIT_ENOTFOUND) {
		git_error_clear();
		return scan_dir(inv, root, r);
	}
	if (err < 0) {
		const git_error *e = git_error_last();

		return ws_error_set(WS_EIO, "%s: cannot open the repository: %s",
				    root, e && e->message ? e->message : "failed");
	}
	err = scan_git(inv, repo, root, o, r);
	git_repository_free(repo);
	return err;
}
