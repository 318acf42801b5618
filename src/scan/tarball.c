#include "scan/scan.h"
#include "scan/payload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * Tarballs are read from memory through libarchive and never extracted:
 * each entry's bytes go to the payload buffer, are hashed and matched, and
 * are forgotten. Only gzip and tar are enabled, the smallest parser surface
 * that reads what npm publishes. Every byte libarchive decompresses counts
 * against SCAN_TARBALL_UNPACKED_MAX, including entries we refuse and skip,
 * so a decompression bomb costs at most that much work.
 */

#define TAR_MESSAGE_MAX (SCAN_ENTRY_NAME_MAX + 512)

/* ---- entry names ---- */

const char *
payload_entry_name(char *out, const char *raw)
{
	const char *p = raw;
	size_t len = 0, comps = 0, first_len = 0, i;

	out[0] = '\0';
	if (raw[0] == '/' || raw[0] == '\\')
		return "absolute path";
	if (((raw[0] >= 'A' && raw[0] <= 'Z') ||
	     (raw[0] >= 'a' && raw[0] <= 'z')) && raw[1] == ':')
		return "absolute path";
	while (*p) {
		size_t n = strcspn(p, "/\\");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "path traversal (..)";
		if (n && !(n == 1 && p[0] == '.')) {
			if (len + n + 2 > SCAN_ENTRY_NAME_MAX)
				return "name too long";
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
			if (!comps++)
				first_len = len;
		}
		p += n;
		if (*p)
			p++;
	}
	out[len] = '\0';
	if (!comps)
		return "empty name";
	if (comps > 1) {	/* "package/x" -> "x", as npm unpacks it */
		memmove(out, out + first_len + 1, len - first_len);
		len -= first_len + 1;
	}
	/* a name is printed in reports: no terminal control sequences */
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	return NULL;
}

/* raw, for a message: bounded, control characters replaced. */
static void
tar_display(char *out, size_t max, const char *raw)
{
	size_t i;

	for (i = 0; raw[i] && i + 1 < max; i++)
		out[i] = (unsigned char)raw[i] < 0x20 || raw[i] == 0x7f ?
			'?' : raw[i];
	out[i] = '\0';
}

/* ---- one tarball ---- */

struct tar {
	struct payload *p;
	struct archive *a;
	const char *file;	/* the tarball, for findings and messages */
	char *name, *version;	/* from its package.json */
};

static void
tar_error(struct tar *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
tar_error(struct tar *t, const char *fmt, ...)
{
	char msg[TAR_MESSAGE_MAX];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "%s: ", t->file);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	report_add_error(t->p->r, t->p->target, msg);
}

static int
tar_over(struct tar *t)
{
	return archive_filter_bytes(t->a, 0) > (la_int64_t)SCAN_TARBALL_UNPACKED_MAX;
}

static int
tar_read(void *src, void *buf, size_t n, size_t *got)
{
	struct tar *t = src;
	la_ssize_t r = archive_read_data(t->a, buf, n);

	*got = 0;
	if (r < 0) {
		const char *e = archive_error_string(t->a);

		return ws_error_set(WS_EPARSE, "%s", e ? e : "unreadable entry data");
	}
	if (tar_over(t))
		return ws_error_set(WS_ELIMIT, "more than %u bytes unpacked (a decompression bomb?)",
				    SCAN_TARBALL_UNPACKED_MAX);
	*got = (size_t)r;
	return 0;
}

/* Reads what is left of an entry into the scratch chunk, counting it. */
static int
tar_drain(struct tar *t)
{
	size_t got;
	int err;

	do {
		if ((err = tar_read(t, t->p->chunk, SCAN_CHUNK, &got)))
			return err;
	} while (got);
	return 0;
}

/* name and version from the package.json now in the payload buffer */
static void
tar_manifest(struct tar *t, size_t len)
{
	struct json_doc doc;
	char *copy;
	const char *s;

	if (len > TREE_MANIFEST_MAX)
		return;
	copy = xmalloc(len + 1);
	memcpy(copy, t->p->buf, len);
	copy[len] = '\0';
	if (json_parse(&doc, copy, len, "package.json", 0) == 0) {
		/* a tarball holding two: the last one is what unpacks */
		if ((s = json_get_str(doc.root, "name")) && *s) {
			free(t->name);
			t->name = xstrndup(s, strnlen(s, 256));
		}
		if ((s = json_get_str(doc.root, "version")) && *s) {
			free(t->version);
			t->version = xstrndup(s, strnlen(s, 256));
		}
		json_doc_release(&doc);
	}
	free(copy);
}

static int
tar_wants_rules(const char *norm)
{
	size_t n = strlen(norm);

	return strcmp(norm, "package.json") == 0 || payload_is_js(norm) ||
	       (n > 3 && strcmp(norm + n - 3, ".sh") == 0);
}

/*
 * Reads one entry. Returns 0 to go on, 1 to stop reading this tarball (a
 * limit or a broken archive, reported).
 */
static int
tar_entry(struct tar *t, struct archive_entry *e, char *norm)
{
	const char *raw = archive_entry_pathname(e), *why, *base;
	char shown[256];
	uint8_t digest[32];
	size_t kept, hint = 0;
	uint64_t total;
	int err, type = (int)archive_entry_filetype(e);

	why = raw ? payload_entry_name(norm, raw) : "no name";
	if (why) {
		tar_display(shown, sizeof(shown), raw ? raw : "");
		tar_error(t, "entry \"%s\": %s, not read", shown, why);
		goto drain;
	}
	if (type == AE_IFDIR)
		goto drain;
	if (archive_entry_hardlink(e) || type == AE_IFLNK) {
		tar_error(t, "entry \"%s\": %s, not followed", norm,
			  type == AE_IFLNK ? "symlink" : "hard link");
		goto drain;
	}
	if (type != AE_IFREG) {
		tar_error(t, "entry \"%s\": not a regular file, not read", norm);
		goto drain;
	}
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
		hint = archive_entry_size(e) > (la_int64_t)SCAN_FILE_MAX ?
			SCAN_FILE_MAX : (size_t)archive_entry_size(e);
	base = strrchr(norm, '/');
	t->p->want_sha1 = payload_named_sha1(t->p, base ? base + 1 : norm);
	err = payload_read(t->p, tar_read, t, hint, digest, &kept, &total);
	if (err == WS_ELIMIT && !tar_over(t)) {
		/* this entry is too big to hash; the tarball goes on */
		tar_error(t, "entry \"%s\": %s", norm, ws_error_last());
		goto drain;
	}
	if (err) {
		tar_error(t, "entry \"%s\": %s, stopped", norm, ws_error_last());
		return 1;
	}
	payload_check(t->p, norm, t->file, digest, kept, tar_wants_rules(norm));
	if (strcmp(norm, "package.json") == 0)
		tar_manifest(t, kept);
	return 0;
drain:
	if ((err = tar_drain(t))) {
		tar_error(t, "%s, stopped", ws_error_last());
		return 1;
	}
	return 0;
}

/* One tarball in memory into p; see scan_tarball_mem. */
static int
tar_scan(struct payload *p, const void *buf, size_t len, const char *file)
{
	struct tar t;
	struct archive_entry *e;
	char *norm = xmalloc(SCAN_ENTRY_NAME_MAX);
	size_t count = 0;
	int rc, err = 0;

	memset(&t, 0, sizeof(t));
	t.p = p;
	t.file = file;
	if (!(t.a = archive_read_new())) {
		err = ws_error_set(WS_ERROR, "%s: libarchive failed", file);
		goto done;
	}
	archive_read_support_filter_gzip(t.a);
	archive_read_support_format_tar(t.a);
	if (archive_read_open_memory(t.a, buf, len) != ARCHIVE_OK) {
		const char *why = archive_error_string(t.a);

		err = ws_error_set(WS_EPARSE, "%s: not a tar archive (%s)",
				   file, why ? why : "unknown format");
		goto done;
	}
	for (;;) {
		rc = archive_read_next_header(t.a, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			const char *why = archive_error_string(t.a);

			if (!count) {
				err = ws_error_set(WS_EPARSE, "%s: not a tar archive (%s)",
						   file, why ? why : "unreadable");
				goto done;
			}
			tar_error(&t, "after %zu entries: %s, stopped", count,
				  why ? why : "unreadable header");
			break;
		}
		if (tar_over(&t)) {
			tar_error(&t, "more than %u bytes unpacked (a decompression bomb?), stopped",
				  SCAN_TARBALL_UNPACKED_MAX);
			break;
		}
		if (++count > SCAN_TARBALL_ENTRIES_MAX) {
			tar_error(&t, "more than %d entries, the rest not read",
				  SCAN_TARBALL_ENTRIES_MAX);
			break;
		}
		if (tar_entry(&t, e, norm))
			break;
	}
	payload_flush(p, t.name, t.version, NULL, 0);
done:
	if (t.a)
		archive_read_free(t.a);
	free(t.name);
	free(t.version);
	free(norm);
	return err;
}

int
scan_tarball_mem(struct report *r, const void *buf, size_t len,
		 const char *name, const struct scan_opts *o)
{
	struct payload p;
	int err;

	payload_init(&p, r, o, name);
	err = tar_scan(&p, buf, len, name);
	payload_release(&p);
	return err;
}

int
scan_tarball(struct report *r, const char *path, const struct scan_opts *o)
{
	struct strbuf sb;
	int err;

	strbuf_init(&sb, SCAN_TARBALL_MAX);
	if (!(err = strbuf_read_file(&sb, path, 0)))
		err = scan_tarball_mem(r, sb.buf, sb.len, path, o);
	strbuf_release(&sb);
	return err;
}

/* ---- npm's cache ---- */

#define CACHE_FILE_FLAGS \
	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
#define CACHE_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct cache {
	struct payload p;
	struct strbuf data;	/* one content file */
	struct strbuf path;	/* its path */
	size_t files;
	int stop;
};

static void
cache_error(struct cache *c, const char *what)
{
	char msg[TAR_MESSAGE_MAX];

	snprintf(msg, sizeof(msg), "%s: %s", c->path.buf, what);
	report_add_error(c->p.r, c->p.target, msg);
}

/* One content file: a tarball when it starts with the gzip magic. */
static void
cache_file(struct cache *c, int dirfd, const char *name)
{
	unsigned char magic[2];
	struct stat st;
	ssize_t n;
	int fd, err;

	if ((fd = openat(dirfd, name, CACHE_FILE_FLAGS)) < 0) {
		cache_error(c, strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto done;
	n = read(fd, magic, 2);
	if (n != 2 || magic[0] != 0x1f || magic[1] != 0x8b)
		goto done;	/* a packument or an index: not ours */
	if ((uint64_t)st.st_size > SCAN_TARBALL_MAX) {
		ws_error_set(WS_ELIMIT, "larger than %u bytes, not read",
			     SCAN_TARBALL_MAX);
		cache_error(c, ws_error_last());
		goto done;
	}
	strbuf_reset(&c->data);
	if (lseek(fd, 0, SEEK_SET) != 0 ||
	    (err = strbuf_read_fd(&c->data, fd, c->path.buf))) {
		cache_error(c, ws_error_last());
		goto done;
	}
	if ((err = tar_scan(&c->p, c->data.buf, c->data.len, c->path.buf)))
		report_add_error(c->p.r, c->p.target, ws_error_last());
done:
	close(fd);
}

static int
cache_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks one directory of content-v2 (path in c->path), sorted, bounded. */
static void
cache_walk(struct cache *c, int fd, unsigned depth)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL;
	size_t n = 0, alloc = 0, i, plen = c->path.len;
	DIR *d;
	int dfd;

	if ((dfd = dup(fd)) < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		cache_error(c, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;	/* ".", "..", and temporary files */
		if (n >= SCAN_DIR_ENTRIES_MAX) {
			cache_error(c, "too many entries, the rest not read");
			break;
		}
		XGROW(names, alloc, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cache_name_cmp);
	for (i = 0; i < n && !c->stop; i++) {
		c->path.len = plen;
		c->path.buf[plen] = '\0';
		if (strbuf_addf(&c->path, "/%s", names[i]))
			continue;
		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			cache_error(c, strerror(errno));
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			cache_error(c, "symlink, not followed");
		} else if (S_ISDIR(st.st_mode)) {
			int sub;

			if (depth >= SCAN_CACHE_DEPTH_MAX) {
				cache_error(c, "too deep, not read");
				continue;
			}
			if ((sub = openat(fd, names[i], CACHE_DIR_FLAGS)) < 0) {
				cache_error(c, strerror(errno));
				continue;
			}
			cache_walk(c, sub, depth + 1);
			close(sub);
		} else if (S_ISREG(st.st_mode)) {
			if (++c->files > SCAN_CACHE_FILES_MAX) {
				cache_error(c, "more content files than the limit, the rest not read");
				c->stop = 1;
				continue;
			}
			cache_file(c, fd, names[i]);
		}
	}
	c->path.len = plen;
	c->path.buf[plen] = '\0';
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
scan_npm_cache(struct report *r, const char *dir, const struct scan_opts *o)
{
	static const char *const subs[] = { "_cacache/content-v2", "content-v2" };
	struct cache c;
	size_t i;
	int fd = -1, err = 0;

	memset(&c, 0, sizeof(c));
	strbuf_init(&c.path, 8192);
	strbuf_init(&c.data, SCAN_TARBALL_MAX);
	for (i = 0; i < sizeof(subs) / sizeof(*subs) && fd < 0; i++) {
		strbuf_reset(&c.path);
		if (strbuf_addf(&c.path, "%s/%s", dir, subs[i]))
			break;
		fd = open(c.path.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0) {
		err = ws_error_set(WS_ENOTFOUND, "%s: no _cacache/content-v2 directory, not an npm cache",
				   dir);
		goto done;
	}
	payload_init(&c.p, r, o, dir);
	cache_walk(&c, fd, 0);
	payload_release(&c.p);
done:
	if (fd >= 0)
		close(fd);
	strbuf_release(&c.path);
	strbuf_release(&c.data);
	return err;
}
