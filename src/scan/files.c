/* d_type (DT_DIR, DT_LNK) in struct dirent is not POSIX. */
#define _DEFAULT_SOURCE

#include "scan/scan.h"
#include "scan/payload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * The payload files of installed packages. Every directory is opened one
 * component at a time from the project root with O_NOFOLLOW, and every
 * file with O_NOFOLLOW, so a package (or a lockfile's location) can never
 * make us read a file outside the root: a symlink is reported, not
 * followed. Files are only read, never run or written.
 */

#define FILES_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define FILES_FILE_FLAGS \
	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
#define FILES_NAME_MAX 255
#define FILES_PATH_MAX 4096
#define FILES_SCRIPT_WORDS_MAX 64
#define FILES_SCRIPT_DEPTH_MAX 2	/* sh -c "sh -c '...'" */

/* ---- lifecycle scripts ---- */

static const char *const files_hooks[] = {
	"preinstall", "install", "postinstall", "prepare",
};

void
payload_targets_release(struct payload_targets *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->path[i]);
	t->n = 0;
}

static int
targets_has(const struct payload_targets *t, const char *s)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->path[i], s) == 0)
			return 1;
	return 0;
}

static void
targets_add_one(struct payload_targets *t, const char *s, size_t n)
{
	char *copy;

	if (t->n >= SCAN_SCRIPT_TARGETS_MAX)
		return;
	copy = xstrndup(s, n);
	if (targets_has(t, copy)) {
		free(copy);
		return;
	}
	t->path[t->n++] = copy;
}

/*
 * Adds a file a script names, normalised ("./x" -> "x"); names that leave
 * the package ("/abs", "../x", "~/x", "$VAR/x") are not ours to read. With
 * node_style, "x" is also tried as "x.js", as Node resolves it.
 */
static void
targets_add(struct payload_targets *t, const char *s, int node_style)
{
	const char *p, *last;
	size_t n;
	char buf[SCAN_SCRIPT_PATH_MAX + 4];

	while (s[0] == '.' && s[1] == '/')
		s += 2;
	n = strlen(s);
	if (!n || n > SCAN_SCRIPT_PATH_MAX || s[0] == '/' || s[0] == '~' ||
	    strchr(s, '$') || strchr(s, '`') || strchr(s, '*') ||
	    strchr(s, '\\'))
		return;
	for (p = s; *p; p += strcspn(p, "/"), p += *p == '/') {
		size_t c = strcspn(p, "/");

		if (c == 0 || (c == 1 && p[0] == '.') ||
		    (c == 2 && p[0] == '.' && p[1] == '.') ||
		    c > FILES_NAME_MAX)
			return;
	}
	targets_add_one(t, s, n);
	last = strrchr(s, '/');
	last = last ? last + 1 : s;
	if (node_style && !strchr(last, '.')) {
		memcpy(buf, s, n);
		memcpy(buf + n, ".js", 4);
		targets_add_one(t, buf, n + 3);
	}
}

enum script_interp {
	INTERP_NONE,
	INTERP_NODE,
	INTERP_BUN,
	INTERP_DENO,
	INTERP_SH,
	INTERP_OTHER,	/* python, perl, ruby: a file argument, no options */
};

static enum script_interp
script_interp(const char *cmd)
{
	static const struct {
		const char *name;
		enum script_interp interp;
	} known[] = {
		{ "node", INTERP_NODE }, { "nodejs", INTERP_NODE },
		{ "tsx", INTERP_NODE }, { "ts-node", INTERP_NODE },
		{ "bun", INTERP_BUN }, { "deno", INTERP_DENO },
		{ "sh", INTERP_SH }, { "bash", INTERP_SH }, { "zsh", INTERP_SH },
		{ "dash", INTERP_SH }, { "ksh", INTERP_SH },
		{ "python", INTERP_OTHER }, { "python3", INTERP_OTHER },
		{ "perl", INTERP_OTHER }, { "ruby", INTERP_OTHER },
	};
	const char *base = strrchr(cmd, '/');
	size_t i;

	base = base ? base + 1 : cmd;
	for (i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (strcmp(base, known[i].name) == 0)
			return known[i].interp;
	return INTERP_NONE;
}

/* Node options whose value is the next word. */
static int
node_option_takes_value(const char *a)
{
	static const char *const opts[] = {
		"-r", "--require", "--import", "--loader",
		"--experimental-loader", "-C", "--conditions", "--env-file",
		"--title", "--input-type",
	};
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(*opts); i++)
		if (strcmp(a, opts[i]) == 0)
			return 1;
	return 0;
}

/* Whether w is NAME=value (an environment assignment before a command). */
static int
script_is_assignment(const char *w)
{
	const char *p = w;

	if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return 0;
	while (*p == '_' || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
		p++;
	return *p == '=';
}

static void script_parse(struct payload_targets *t, const char *s, size_t n,
			 int depth);

/* One simple command, as words: what file does it run? */
static void
script_command(struct payload_targets *t, char **w, size_t n, int depth)
{
	static const char *const wrappers[] = {
		"exec", "sudo", "time", "nice", "nohup", "command", "env",
	};
	enum script_interp in;
	size_t i = 0, k;

	for (;;) {
		while (i < n && script_is_assignment(w[i]))
			i++;
		for (k = 0; i < n && k < sizeof(wrappers) / sizeof(*wrappers);
		     k++)
			if (strcmp(w[i], wrappers[k]) == 0)
				break;
		if (i >= n || k == sizeof(wrappers) / sizeof(*wrappers))
			break;
		for (i++; i < n && w[i][0] == '-'; i++)
			;
	}
	if (i >= n)
		return;
	in = script_interp(w[i]);
	if (in == INTERP_NONE) {
		/* "./install.sh", "scripts/setup.js": the command is a file */
		if (strchr(w[i], '/') && w[i][0] != '/')
			targets_add(t, w[i], 0);
		return;
	}
	for (i++; i < n; i++) {
		const char *a = w[i];

		if (in == INTERP_SH && strcmp(a, "-c") == 0) {
			if (i + 1 < n && depth < FILES_SCRIPT_DEPTH_MAX)
				script_parse(t, w[i + 1], strlen(w[i + 1]),
					     depth + 1);
			return;
		}
		if (in == INTERP_NODE &&
		    (strcmp(a, "-e") == 0 || strcmp(a, "-p") == 0 ||
		     strncmp(a, "--eval", 6) == 0 ||
		     strncmp(a, "--print", 7) == 0))
			return;	/* inline code, no file */
		if (in == INTERP_OTHER && (strcmp(a, "-c") == 0 ||
					   strcmp(a, "-m") == 0 ||
					   strcmp(a, "-e") == 0))
			return;
		if (a[0] == '-') {
			if (in == INTERP_NODE && node_option_takes_value(a))
				i++;
			continue;
		}
		if ((in == INTERP_BUN || in == INTERP_DENO) &&
		    strcmp(a, "run") == 0)
			continue;
		if (in == INTERP_BUN &&
		    (strcmp(a, "x") == 0 || strcmp(a, "install") == 0 ||
		     strcmp(a, "add") == 0 || strcmp(a, "i") == 0))
			return;
		targets_add(t, a, in == INTERP_NODE || in == INTERP_BUN ||
			    in == INTERP_DENO);
		return;
	}
}

/*
 * Splits s into simple commands at ; & | ( ) and newlines, each into
 * words (quotes and backslashes as a shell reads them, no expansion), and
 * hands each command to script_command. Redirections drop their target.
 */
static void
script_parse(struct payload_targets *t, const char *s, size_t n, int depth)
{
	char store[SCAN_SCRIPT_MAX + 1];
	char *words[FILES_SCRIPT_WORDS_MAX];
	size_t nw = 0, sl = 0, i = 0;
	int drop_next = 0;

	if (n > SCAN_SCRIPT_MAX)
		n = SCAN_SCRIPT_MAX;
	while (i < n) {
		char c = s[i];
		size_t start;
		int quoted = 0;

		if (c == ' ' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		if (strchr(";&|()\n", c)) {
			script_command(t, words, nw, depth);
			nw = 0;
			drop_next = 0;
			i++;
			continue;
		}
		if (c == '<' || c == '>') {
			drop_next = 1;
			while (i < n && (s[i] == '<' || s[i] == '>' ||
					 s[i] == '&'))
				i++;
			continue;
		}
		/* one word */
		start = sl;
		while (i < n && !strchr(" \t\r\n;&|()<>", s[i])) {
			char q = s[i];

			if (q == '\'' || q == '"') {
				quoted = 1;
				for (i++; i < n && s[i] != q; i++) {
					if (q == '"' && s[i] == '\\' &&
					    i + 1 < n)
						i++;
					store[sl++] = s[i];
				}
				i += i < n;
			} else if (q == '\\' && i + 1 < n) {
				store[sl++] = s[i + 1];
				i += 2;
			} else {
				store[sl++] = q;
				i++;
			}
		}
		store[sl++] = '\0';
		if (drop_next) {
			drop_next = 0;
			continue;
		}
		if ((sl - start > 1 || quoted) && nw < FILES_SCRIPT_WORDS_MAX)
			words[nw++] = store + start;
	}
	script_command(t, words, nw, depth);
}

void
payload_script_targets(struct payload_targets *t, const char *script)
{
	script_parse(t, script, strlen(script), 0);
}

/* ---- opening, relative to the root, following nothing ---- */

struct files {
	struct payload p;
	const struct tree *t;
	const char *root;
	int rootfd;
	char *parent;		/* location of the directory in parentfd */
	int parentfd;
	struct strbuf path;	/* scratch: "<location>/<name>" */
	struct strbuf file;	/* scratch: "<root>/<location>/<name>" */
};

/* Opens dir (a path of plain components) below fd, one at a time. */
static int
files_open_below(int fd, const char *dir, size_t len, int *out)
{
	char comp[FILES_NAME_MAX + 1];
	size_t i = 0;
	int cur = fd, next, err = 0;

	*out = -1;
	while (i < len) {
		size_t n = 0;

		while (i + n < len && dir[i + n] != '/')
			n++;
		if (n == 0 || n > FILES_NAME_MAX || (n == 1 && dir[i] == '.') ||
		    (n == 2 && dir[i] == '.' && dir[i + 1] == '.')) {
			err = EINVAL;
			goto done;
		}
		memcpy(comp, dir + i, n);
		comp[n] = '\0';
		next = openat(cur, comp, FILES_DIR_FLAGS);
		if (next < 0) {
			err = errno;
			goto done;
		}
		if (cur != fd)
			close(cur);
		cur = next;
		i += n + 1;
	}
	*out = cur == fd ? openat(fd, ".", FILES_DIR_FLAGS) : cur;
	if (*out < 0)
		err = errno;
	cur = fd;
done:
	if (cur != fd)
		close(cur);
	return err;
}

/*
 * Opens a package's directory; the parent directory is kept open, since
 * packages come in location order and siblings share it.
 */
static int
files_open_package(struct files *fs, const char *loc, int *out)
{
	const char *slash = strrchr(loc, '/');
	size_t plen = slash ? (size_t)(slash - loc) : 0;
	const char *leaf = slash ? slash + 1 : loc;
	int err;

	*out = -1;
	if (loc[0] == '/' || !*leaf)
		return EINVAL;	/* a lockfile's location, not a path below */
	if (!fs->parent || strlen(fs->parent) != plen ||
	    memcmp(fs->parent, loc, plen) != 0) {
		if (fs->parentfd >= 0)
			close(fs->parentfd);
		free(fs->parent);
		fs->parent = NULL;
		if ((err = files_open_below(fs->rootfd, loc, plen,
					    &fs->parentfd)))
			return err;
		fs->parent = xstrndup(loc, plen);
	}
	return files_open_below(fs->parentfd, leaf, strlen(leaf), out);
}

int
payload_fd_read(void *src, void *buf, size_t n, size_t *got)
{
	const int *fd = src;
	ssize_t r;

	do
		r = read(*fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return ws_error_set(WS_EIO, "%s", strerror(errno));
	*got = (size_t)r;
	return 0;
}

/* "<loc>/<name>" and "<root>/<loc>/<name>" into the scratch buffers. */
static int
files_names(struct files *fs, const char *loc, const char *name)
{
	strbuf_reset(&fs->path);
	strbuf_reset(&fs->file);
	if (strbuf_addf(&fs->path, "%s/%s", loc, name) ||
	    strbuf_addf(&fs->file, "%s/%s", fs->root, fs->path.buf))
		return WS_ELIMIT;
	return 0;
}

static void
files_error(struct files *fs, const char *what)
{
	struct strbuf sb;

	strbuf_init(&sb, FILES_PATH_MAX + 512);
	if (strbuf_addf(&sb, "%s: %s", fs->path.buf, what) == 0)
		report_add_error(fs->p.r, fs->root, sb.buf);
	strbuf_release(&sb);
}

/*
 * Reads one file (dirfd/name, name already in fs->path) and checks it.
 * quiet: a missing file is not worth a message (a script target that is a
 * script name, "bun run build"). Returns 1 when it was read (its first
 * *kept_out bytes are in fs->p.buf), else 0.
 */
static int
files_check_at(struct files *fs, int dirfd, const char *name, int quiet,
	       size_t *kept_out)
{
	struct stat st;
	uint8_t digest[32];
	size_t kept;
	uint64_t total;
	int fd, err, ok = 0;

	fd = openat(dirfd, name, FILES_FILE_FLAGS);
	if (fd < 0) {
		if (errno == ELOOP || errno == EMLINK)
			files_error(fs, "symlink, not followed");
		else if (!(quiet && (errno == ENOENT || errno == ENOTDIR)))
			files_error(fs, strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		files_error(fs, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		if (!S_ISDIR(st.st_mode))
			files_error(fs, "not a regular file, not read");
		goto done;
	}
	if ((uint64_t)st.st_size > SCAN_HASH_MAX) {
		ws_error_set(WS_ELIMIT, "larger than %u bytes, not hashed",
			     SCAN_HASH_MAX);
		files_error(fs, ws_error_last());
		goto done;
	}
	fs->p.want_sha1 = payload_named_sha1(&fs->p, name);
	err = payload_read(&fs->p, payload_fd_read, &fd, (size_t)st.st_size, digest,
			   &kept, &total);
	if (err) {
		files_error(fs, ws_error_last());
		goto done;
	}
	payload_check(&fs->p, fs->path.buf, fs->file.buf, digest, kept, 1);
	if (kept_out)
		*kept_out = kept;
	ok = 1;
done:
	close(fd);
	return ok;
}

/* Whether buf[0..len) contains word: most manifests have no hooks at all,
 * and they need not be parsed. */
static int
mem_has(const unsigned char *buf, size_t len, const char *word)
{
	size_t wl = strlen(word), i;

	for (i = 0; i + wl <= len; i++) {
		const unsigned char *q = memchr(buf + i, word[0], len - i);

		if (!q)
			return 0;
		i = (size_t)(q - buf);
		if (i + wl <= len && memcmp(q, word, wl) == 0)
			return 1;
	}
	return 0;
}

/* The files the lifecycle scripts of the manifest in p->buf run. */
static void
files_manifest_targets(struct payload_targets *tg, const unsigned char *buf,
		       size_t len, const char *name)
{
	struct json_doc doc;
	const struct json_value *scripts;
	char *copy;
	size_t i;

	if (len > TREE_MANIFEST_MAX ||
	    (!mem_has(buf, len, "install") && !mem_has(buf, len, "prepare")))
		return;
	copy = xmalloc(len + 1);
	memcpy(copy, buf, len);
	copy[len] = '\0';
	if (json_parse(&doc, copy, len, name, 0) == 0) {
		scripts = json_get(doc.root, "scripts");
		for (i = 0; i < sizeof(files_hooks) / sizeof(*files_hooks); i++) {
			const char *s = json_get_str(scripts, files_hooks[i]);

			if (s)
				payload_script_targets(tg, s);
		}
		json_doc_release(&doc);
	}
	free(copy);
}

struct files_entry {
	char *name;
	unsigned char type;
};

static int
files_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct files_entry *)a)->name,
		      ((const struct files_entry *)b)->name);
}

/* The root entries of a package directory, sorted; bounded. */
static int
files_list(struct files *fs, int dirfd, const char *loc,
	   struct files_entry **out, size_t *n)
{
	struct files_entry *ents = NULL;
	size_t alloc = 0;
	struct dirent *de;
	DIR *d;
	int fd, err = 0;

	*out = NULL;
	*n = 0;
	if ((fd = dup(dirfd)) < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return errno;
	}
	while ((errno = 0, de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		    (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (*n >= SCAN_DIR_ENTRIES_MAX) {
			strbuf_reset(&fs->path);
			strbuf_addstr(&fs->path, loc);
			ws_error_set(WS_ELIMIT, "more than %d directory entries, the rest not read",
				     SCAN_DIR_ENTRIES_MAX);
			files_error(fs, ws_error_last());
			break;
		}
		XGROW(ents, alloc, *n + 1);
		ents[*n].name = xstrdup(de->d_name);
		ents[*n].type = de->d_type;
		(*n)++;
	}
	if (errno)
		err = errno;
	closedir(d);
	if (*n)
		qsort(ents, *n, sizeof(*ents), files_entry_cmp);
	*out = ents;
	return err;
}

/* "name@version" in the payload pool (reset with the package's hits). */
static const char *
files_label(struct files *fs, const struct tree_node *n)
{
	const char *name = n->name ? n->name : *n->location ? n->location :
		"(root)";
	size_t nl = strlen(name), vl = n->version ? strlen(n->version) : 0;
	char *s;

	if (!vl)
		return name;
	s = mempool_alloc(&fs->p.pool, nl + vl + 2);
	memcpy(s, name, nl);
	s[nl] = '@';
	memcpy(s + nl + 1, n->version, vl + 1);
	return s;
}

/* The shortest dependency path of node: target first, "..." when cut. */
static void
files_paths(struct files *fs, uint32_t node, struct report_path *rp)
{
	uint32_t nodes[REPORT_PATH_LEN_MAX];
	size_t len = tree_path(fs->t, node, nodes, REPORT_PATH_LEN_MAX), i, k;

	rp->n = 0;
	rp->nodes = NULL;
	if (!len)
		return;
	k = len > REPORT_PATH_LEN_MAX ? REPORT_PATH_LEN_MAX : len;
	rp->nodes = mempool_alloc(&fs->p.pool, (k + 1) * sizeof(*rp->nodes));
	if (len > k)
		rp->nodes[rp->n++] = "...";
	for (i = 0; i < k; i++)
		rp->nodes[rp->n++] = files_label(fs, &fs->t->nodes[nodes[i]]);
}

static void
files_package(struct files *fs, uint32_t node)
{
	const struct tree_node *n = &fs->t->nodes[node];
	const char *loc = n->location;
	struct payload_targets tg;
	struct files_entry *ents = NULL;
	struct report_path rp;
	size_t nents = 0, i, js = 0, kept = 0;
	int dirfd = -1, err;

	memset(&tg, 0, sizeof(tg));
	if (!loc || !*loc)
		return;
	if ((err = files_open_package(fs, loc, &dirfd))) {
		if (err == ENOENT)
			goto done;	/* in the lockfile, not installed */
		strbuf_reset(&fs->path);
		strbuf_addstr(&fs->path, loc);
		files_error(fs, err == ELOOP || err == ENOTDIR ?
			    "symlink or not a directory, not followed" :
			    err == EINVAL ? "not a relative location, not read" :
			    strerror(err));
		goto done;
	}
	if (files_names(fs, loc, "package.json") == 0 &&
	    files_check_at(fs, dirfd, "package.json", 1, &kept))
		files_manifest_targets(&tg, fs->p.buf, kept, fs->path.buf);
	if ((err = files_list(fs, dirfd, loc, &ents, &nents))) {
		strbuf_reset(&fs->path);
		strbuf_addstr(&fs->path, loc);
		files_error(fs, strerror(err));
	}
	for (i = 0; i < nents; i++) {
		const char *name = ents[i].name;
		int wanted;

		if (ents[i].type == DT_DIR || ents[i].type == DT_LNK ||
		    strcmp(name, "package.json") == 0)
			continue;
		wanted = payload_named(&fs->p, name) || targets_has(&tg, name);
		if (!wanted) {
			if (!payload_is_js(name))
				continue;
			if (js++ >= SCAN_FILES_PER_PACKAGE) {
				if (js == SCAN_FILES_PER_PACKAGE + 1 &&
				    !fs->p.wide_packages++)
					fs->p.wide_example = mempool_strdup(
						&fs->p.names_pool, loc);
				continue;
			}
		}
		if (files_names(fs, loc, name) == 0)
			files_check_at(fs, dirfd, name, 0, NULL);
	}
	/* symlinks at the root are reported when something asks for them */
	for (i = 0; i < nents; i++)
		if (ents[i].type == DT_LNK &&
		    (payload_named(&fs->p, ents[i].name) ||
		     targets_has(&tg, ents[i].name)) &&
		    files_names(fs, loc, ents[i].name) == 0)
			files_error(fs, "symlink, not followed");
	for (i = 0; i < tg.n; i++) {
		const char *slash = strrchr(tg.path[i], '/');
		int sub = -1;

		if (!slash)
			continue;	/* at the root: done above */
		if (files_names(fs, loc, tg.path[i]))
			continue;
		err = files_open_below(dirfd, tg.path[i],
				       (size_t)(slash - tg.path[i]), &sub);
		if (err == ELOOP || err == ENOTDIR)
			files_error(fs, "a directory on the way is a symlink, not followed");
		else if (!err)
			files_check_at(fs, sub, slash + 1, 1, NULL);
		if (sub >= 0)
			close(sub);
	}
	files_paths(fs, node, &rp);
	payload_flush(&fs->p, n->name, n->version, &rp, rp.n ? 1 : 0);
done:
	for (i = 0; i < nents; i++)
		free(ents[i].name);
	free(ents);
	payload_targets_release(&tg);
	if (dirfd >= 0)
		close(dirfd);
}

int
scan_installed_files(struct report *r, const struct tree *t,
		     const char *root, const struct scan_opts *o)
{
	struct files fs;
	size_t i;
	int err = 0;

	memset(&fs, 0, sizeof(fs));
	fs.rootfd = -1;
	fs.parentfd = -1;
	if (!o || t->synthetic_locations)
		return 0;
	fs.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs.rootfd < 0)
		return ws_error_set(errno == ENOENT || errno == ENOTDIR ?
				    WS_ENOTFOUND : WS_EIO, "%s: %s", root,
				    strerror(errno));
	payload_init(&fs.p, r, o, root);
	strbuf_init(&fs.path, FILES_PATH_MAX);
	strbuf_init(&fs.file, FILES_PATH_MAX * 2);
	if (!fs.p.hashing && !fs.p.nsha1 && !o->rules)
		goto done;	/* nothing to look for */
	fs.t = t;
	fs.root = root;
	for (i = 0; i < t->nnodes; i++)
		if (tree_node_is_package(&t->nodes[i]))
			files_package(&fs, (uint32_t)i);
	if (fs.p.wide_packages) {
		strbuf_reset(&fs.path);
		strbuf_addf(&fs.path, "%zu packages have more than %d JavaScript files at their root; the first %d of each (by name) were checked, e.g. %s",
			    fs.p.wide_packages, SCAN_FILES_PER_PACKAGE,
			    SCAN_FILES_PER_PACKAGE, fs.p.wide_example);
		report_add_error(r, root, fs.path.buf);
	}
done:
	strbuf_release(&fs.path);
	strbuf_release(&fs.file);
	free(fs.parent);
	if (fs.parentfd >= 0)
		close(fs.parentfd);
	close(fs.rootfd);
	payload_release(&fs.p);
	return err;
}
