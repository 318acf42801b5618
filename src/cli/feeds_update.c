/*
 * `wormsign feeds update URL --sha256 HEX`: replace the installed feeds with
 * a newer bundle, fetched over HTTPS and checked before anything is touched.
 *
 * The order matters more than the code: the whole bundle is read into
 * memory (bounded), its SHA-256 compared with the one the user was given
 * out of band, every entry checked (names, types, sizes) and every feed
 * parsed; only then is a new directory written beside the old one and the
 * two swapped with one rename (renameat2 RENAME_EXCHANGE), so that a
 * reader sees either the old feeds or the new ones, never a mixture, and a
 * failed update leaves the old ones in place.
 */
#define _GNU_SOURCE	/* renameat2 */

#include "cli/cli.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed/feed.h"
#include "json/json.h"
#include "registry/npmrc.h"
#include "util/datadir.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "ws_config.h"
#include "util/banned.h"

#define BUNDLE_MAX (64u << 20)		/* the download */
#define UNPACKED_MAX (256u << 20)	/* all entries together */
#define ENTRIES_MAX 256
#define NAME_MAX_LEN 128

struct bundle_file {
	char name[NAME_MAX_LEN + 1];	/* a plain file name, checked */
	char *data;
	size_t len;
};

struct bundle {
	struct bundle_file files[ENTRIES_MAX];
	size_t n;
	size_t nfeeds;
};

struct download {
	char *buf;
	size_t len, alloc;
	int too_big;
};

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct download *d = arg;
	size_t n = size * nmemb;

	if (n > BUNDLE_MAX - d->len) {
		d->too_big = 1;
		return 0;
	}
	if (d->len + n + 1 > d->alloc) {
		size_t want = d->alloc ? d->alloc : 64u << 10;

		while (want < d->len + n + 1)
			want *= 2;
		d->buf = xrealloc(d->buf, want);
		d->alloc = want;
	}
	memcpy(d->buf + d->len, ptr, n);
	d->len += n;
	return n;
}

static int
fetch(struct download *d, const char *url, const char *shown,
      const char *cacert)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *e = curl_easy_init();
	CURLcode rc;
	long status = 0;

	if (!e)
		return ws_error_set(WS_ERROR, "%s: cannot start a transfer", shown);
	curl_easy_setopt(e, CURLOPT_URL, url);
	/* HTTPS only, redirects included: the checksum guards the bytes,
	 * TLS keeps the request itself private. */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)BUNDLE_MAX);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "wormsign/" WS_VERSION);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, d);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, cacert);
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(e);
	if (d->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return ws_error_set(WS_ELIMIT, "%s: the bundle is larger than %u bytes",
				    shown, BUNDLE_MAX);
	if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		return ws_error_set(WS_EUNSUPPORTED, "%s: only https:// addresses are fetched",
				    shown);
	if (rc != CURLE_OK)
		return ws_error_set(WS_ENET, "%s: %s", shown,
				    *errbuf ? errbuf : curl_easy_strerror(rc));
	if (status != 200)
		return ws_error_set(WS_ENET, "%s: HTTP status %ld", shown, status);
	return 0;
}

static int
parse_sha256(unsigned char out[32], const char *hex)
{
	size_t i;

	if (strlen(hex) != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		int hi = json_hexval((unsigned char)hex[2 * i]);
		int lo = json_hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* A name the bundle may hold: feeds (*.json) and their notes (*.md). */
static int
entry_name_ok(const char *base)
{
	size_t n = strlen(base), i;

	if (n == 0 || n > NAME_MAX_LEN || base[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char c = base[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return (n > 5 && strcmp(base + n - 5, ".json") == 0) ||
	       (n > 3 && strcmp(base + n - 3, ".md") == 0);
}

static void
bundle_release(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->files[i].data);
	b->n = 0;
}

/*
 * Reads every entry of the archive in buf. Accepted: regular files at the
 * top level or under one "feeds/" directory, named as entry_name_ok says;
 * directories are skipped; anything else (links, devices, "..", absolute
 * paths, other names) refuses the whole bundle.
 */
static int
unpack(struct bundle *b, const char *url, const char *buf, size_t len)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *ent;
	size_t total = 0;
	int rc, err = 0;

	archive_read_support_format_tar(ar);
	archive_read_support_format_zip(ar);
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_xz(ar);
	archive_read_support_filter_zstd(ar);
	if (archive_read_open_memory(ar, buf, len) != ARCHIVE_OK) {
		err = ws_error_set(WS_EPARSE, "%s: not a tar or zip archive: %s",
				   url, archive_error_string(ar));
		goto out;
	}
	while ((rc = archive_read_next_header(ar, &ent)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(ent);
		const char *base;
		struct bundle_file *f;
		la_int64_t size = archive_entry_size(ent);
		la_ssize_t got;

		if (!path)
			path = "";
		if (archive_entry_filetype(ent) == AE_IFDIR &&
		    (strcmp(path, "feeds/") == 0 || strcmp(path, "feeds") == 0 ||
		     strcmp(path, "./") == 0))
			continue;
		if (strncmp(path, "./", 2) == 0)
			path += 2;
		base = strncmp(path, "feeds/", 6) == 0 ? path + 6 : path;
		if (archive_entry_filetype(ent) != AE_IFREG || !entry_name_ok(base)) {
			err = ws_error_set(WS_EPARSE,
					   "%s: entry \"%.200s\" is not a feed file (*.json or *.md, a regular file at the top or under feeds/); nothing was replaced",
					   url, path);
			goto out;
		}
		if (b->n == ENTRIES_MAX) {
			err = ws_error_set(WS_ELIMIT, "%s: more than %d entries",
					   url, ENTRIES_MAX);
			goto out;
		}
		if (size < 0 || (uint64_t)size > UNPACKED_MAX - total) {
			err = ws_error_set(WS_ELIMIT, "%s: entry \"%s\": the bundle unpacks to more than %u bytes",
					   url, base, UNPACKED_MAX);
			goto out;
		}
		f = &b->files[b->n];
		memcpy(f->name, base, strlen(base) + 1);
		f->data = xmalloc((size_t)size + 1);
		got = archive_read_data(ar, f->data, (size_t)size);
		if (got != (la_ssize_t)size) {
			free(f->data);
			err = ws_error_set(WS_EPARSE, "%s: entry \"%s\": %s", url, base,
					   got < 0 ? archive_error_string(ar) : "short read");
			goto out;
		}
		f->data[size] = '\0';
		f->len = (size_t)size;
		total += f->len;
		for (size_t i = 0; i < b->n; i++)
			if (strcmp(b->files[i].name, f->name) == 0) {
				free(f->data);
				err = ws_error_set(WS_EPARSE, "%s: \"%s\" is in the bundle twice",
						   url, base);
				goto out;
			}
		b->n++;
	}
	if (rc != ARCHIVE_EOF)
		err = ws_error_set(WS_EPARSE, "%s: %s", url, archive_error_string(ar));
out:
	archive_read_free(ar);
	return err;
}

/* Every *.json must be a valid feed, with an id no other file has. */
static int
check_feeds(struct bundle *b, const char *url, FILE *out)
{
	char ids[ENTRIES_MAX][129];
	size_t i, j;

	b->nfeeds = 0;
	for (i = 0; i < b->n; i++) {
		struct bundle_file *f = &b->files[i];
		size_t n = strlen(f->name);
		struct feed *feed;
		char *copy;
		int err;

		if (strcmp(f->name + n - 5, ".json") != 0)
			continue;
		/* feed_parse works in place: parse a copy, keep the bytes. */
		copy = xmalloc(f->len + 1);
		memcpy(copy, f->data, f->len + 1);
		err = feed_parse(&feed, copy, f->len, f->name);
		if (err) {
			free(copy);
			return ws_error_prefix(err, "%s: ", url);
		}
		for (j = 0; j < b->nfeeds; j++)
			if (strcmp(ids[j], feed->id) == 0) {
				err = ws_error_set(WS_EPARSE, "%s: %s: feed id \"%s\" is used twice",
						   url, f->name, feed->id);
				break;
			}
		if (!err) {
			snprintf(ids[b->nfeeds++], sizeof(ids[0]), "%s", feed->id);
			fprintf(out, "  %s: %s, published %s, first seen %s, %zu packages, %zu files, %zu artifacts\n",
				f->name, feed->id,
				feed->published ? feed->published : "(no date)",
				feed->first_seen ? feed->first_seen : "(no date)",
				feed->npackages, feed->nfiles, feed->nartifacts);
		}
		feed_free(feed);
		free(copy);
		if (err)
			return err;
	}
	if (!b->nfeeds)
		return ws_error_set(WS_EPARSE, "%s: the bundle holds no feed (*.json)", url);
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Empties and removes a directory this update made (plain files only). */
static void
remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int dfd;

	if (d) {
		dfd = dirfd(d);
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(dfd, de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

static int
install(const struct bundle *b, const char *dest)
{
	char tmp[4096];
	struct stat st;
	size_t i;
	int dfd, exists;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new.XXXXXX", dest) >= sizeof(tmp))
		return ws_error_set(WS_EUNSUPPORTED, "%s: path too long", dest);
	if (!mkdtemp(tmp))
		return ws_error_set(WS_EIO, "%s: cannot create a directory beside it: %s",
				    dest, strerror(errno));
	chmod(tmp, 0755);
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		goto fail;
	for (i = 0; i < b->n; i++) {
		int fd = openat(dfd, b->files[i].name,
				O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

		if (fd < 0)
			goto fail;
		if (write_all(fd, b->files[i].data, b->files[i].len) != 0 ||
		    fsync(fd) != 0) {
			close(fd);
			goto fail;
		}
		close(fd);
	}
	fsync(dfd);
	close(dfd);
	dfd = -1;
	exists = lstat(dest, &st) == 0;
	if (exists && !S_ISDIR(st.st_mode)) {
		remove_dir(tmp);
		return ws_error_set(WS_EUNSUPPORTED, "%s: not a directory", dest);
	}
	if (exists ? renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_EXCHANGE)
		   : rename(tmp, dest)) {
		int e = errno;

		remove_dir(tmp);
		return ws_error_set(WS_EIO, "%s: cannot replace it: %s", dest,
				    strerror(e));
	}
	if (exists)
		remove_dir(tmp);	/* now the old feeds */
	return 0;
fail:
	{
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		remove_dir(tmp);
		return ws_error_set(WS_EIO, "%s: %s", tmp, strerror(e));
	}
}

int
feeds_update(const char *url, const char *sha256, const char *dest,
	     const char *cacert)
{
	unsigned char want[32], got[32];
	char datadir[4096], gothex[65];
	struct download d = { NULL, 0, 0, 0 };
	struct bundle *b;
	struct stat st;
	unsigned int mdlen = 0;
	int err, i;
	/* user:password of the address: never in a message */
	char shown[1024];

	npmrc_redact(url, shown, sizeof(shown));

	if (!sha256) {
		cli_error("feeds update: --sha256 HEX is required (the bundle's checksum, from its publisher)");
		return WS_EXIT_USAGE;
	}
	if (parse_sha256(want, sha256) != 0) {
		cli_error("feeds update: --sha256: expected 64 hex digits, got \"%.80s\"", sha256);
		return WS_EXIT_USAGE;
	}
	if (strncmp(url, "https://", 8) != 0) {
		cli_error("feeds update: %s: only https:// addresses are fetched", shown);
		return WS_EXIT_USAGE;
	}
	if (!dest) {
		if (ws_data_dir(datadir, sizeof(datadir), "feeds") != 0) {
			cli_error("feeds update: %s; give --dest DIR", ws_error_last());
			return WS_EXIT_USAGE;
		}
		/* A source checkout's feeds/ is built by build.py, not fetched. */
		{
			char probe[4200];

			snprintf(probe, sizeof(probe), "%s/build.py", datadir);
			if (stat(probe, &st) == 0) {
				cli_error("feeds update: %s is a source checkout's feeds (built by build.py); give --dest DIR",
					  datadir);
				return WS_EXIT_USAGE;
			}
		}
		dest = datadir;
	}

	if ((err = fetch(&d, url, shown, cacert))) {
		cli_error("feeds update: %s", ws_error_last());
		free(d.buf);
		return cli_exit_for(err);
	}
	EVP_Digest(d.buf ? d.buf : "", d.len, got, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(gothex + 2 * i, 3, "%02x", got[i]);
	if (mdlen != 32 || memcmp(want, got, 32) != 0) {
		cli_error("feeds update: %s: SHA-256 mismatch: expected %.64s, got %s; nothing was replaced",
			  shown, sha256, gothex);
		free(d.buf);
		return WS_EXIT_FAILURE;
	}
	b = xcalloc(1, sizeof(*b));
	printf("%s: %zu bytes, SHA-256 %s verified\n", shown, d.len, gothex);
	err = unpack(b, shown, d.buf, d.len);
	if (!err)
		err = check_feeds(b, shown, stdout);
	if (!err)
		err = install(b, dest);
	free(d.buf);
	if (err) {
		cli_error("feeds update: %s", ws_error_last());
		bundle_release(b);
		free(b);
		return cli_exit_for(err);
	}
	printf("%zu feeds installed in %s\n", b->nfeeds, dest);
	bundle_release(b);
	free(b);
	return WS_EXIT_CLEAN;
}
