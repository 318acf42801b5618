#ifndef WS_SCAN_PAYLOAD_H
#define WS_SCAN_PAYLOAD_H

/*
 * Inside the payload checks (hash.c, files.c, tarball.c): reading a file or
 * a tarball entry once into a bounded buffer, hashing it while it is read,
 * matching the digest against the feeds' file entries and the bytes against
 * the YARA rules, and turning the hits into findings once the package they
 * belong to is known. Shared with the unit test and fuzz/fuzz_tarball.c;
 * not part of the module's API.
 */

#include <stddef.h>
#include <stdint.h>

#include "scan/scan.h"
#include "util/mempool.h"
#include "util/strmap.h"

/*
 * Files larger than SCAN_FILE_MAX are still hashed, streamed, up to
 * SCAN_HASH_MAX (bun_environment.js is about 10 MB); YARA sees their first
 * SCAN_FILE_MAX bytes. Larger files are reported as not hashed.
 */
#define SCAN_HASH_MAX (64u << 20)
#define SCAN_CHUNK (256u << 10)		/* streaming read size */
#define SCAN_DIR_ENTRIES_MAX 65536	/* entries read from one package dir */
#define SCAN_SCRIPT_MAX 4096		/* one lifecycle script, bytes */
#define SCAN_SCRIPT_TARGETS_MAX 16	/* files named by a package's scripts */
#define SCAN_SCRIPT_PATH_MAX 1024	/* one such name */
#define SCAN_ENTRY_NAME_MAX 4096	/* a tarball entry's name */
#define SCAN_CACHE_DEPTH_MAX 8		/* directories below content-v2 */
#define SCAN_HITS_MAX 4096		/* findings kept for one package */

/* A finding waiting for its package's name (a tarball's package.json may
 * come after the payload). Strings live in the payload's pool. */
struct payload_hit {
	const struct feed_file *entry;	/* ioc-file, or NULL for a rule */
	struct rules_match rule;	/* rule hits: borrowed from the rules */
	char sha256[65];	/* the digest that matched: hex SHA-256 ... */
	int by_sha1;		/* ... or SHA-1 (40 digits) */
	const char *path;	/* inside the package or tarball, for the id */
	const char *file;	/* where a person finds it (SARIF location) */
};

struct payload {
	struct report *r;
	const struct scan_opts *o;
	const char *target;	/* the root, the tarball, the cache */
	int hashing;		/* the feeds have file entries */
	struct strmap names;	/* file names the feeds' file entries give */
	struct mempool names_pool;
	/*
	 * Entries known only by SHA-1 (a few): files with one of their names
	 * are also hashed with SHA-1 and compared with each. The caller sets
	 * want_sha1 before payload_read; have_sha1 says sha1 is filled in.
	 */
	const struct feed_file **sha1_entries;
	size_t nsha1, sha1_alloc;
	struct strmap sha1_names;
	int want_sha1, have_sha1;
	uint8_t sha1[20];
	void *sha1_ctx;		/* EVP_MD_CTX */
	unsigned char *buf;	/* the file being checked, SCAN_FILE_MAX max */
	size_t buf_alloc;
	unsigned char *chunk;	/* SCAN_CHUNK, for the rest of a big file */
	void *md_ctx;		/* EVP_MD_CTX */
	void *md;		/* EVP_MD: SHA-256, fetched once */
	struct payload_hit *hits;
	size_t nhits, hits_alloc, hits_dropped;
	struct mempool pool;	/* strings of hits; reset per package */
	size_t wide_packages;	/* packages over SCAN_FILES_PER_PACKAGE JS */
	const char *wide_example;
};

void payload_init(struct payload *p, struct report *r,
		  const struct scan_opts *o, const char *target);
void payload_release(struct payload *p);

/*
 * A source of bytes: fills buf[0..n) and sets *got (0 at the end), or
 * returns a negative WS_E* code with the message set.
 */
typedef int (*payload_read_fn)(void *src, void *buf, size_t n, size_t *got);
/* The reader over an open file: src points at the descriptor (an int). */
int payload_fd_read(void *src, void *buf, size_t n, size_t *got);

/*
 * Reads a file or entry to its end: its first SCAN_FILE_MAX bytes into
 * p->buf (*kept of them), the rest streamed, and its SHA-256 into digest
 * (when p->hashing; else the digest is not computed), and its SHA-1 into
 * p->sha1 when p->want_sha1 (which it clears). *total is its size.
 * size_hint (0 if unknown) only sizes the buffer. Fails with WS_ELIMIT
 * past SCAN_HASH_MAX bytes, or with the reader's error.
 */
int payload_read(struct payload *p, payload_read_fn rd, void *src,
		 size_t size_hint, uint8_t digest[32], size_t *kept,
		 uint64_t *total);

/*
 * Matches what payload_read returned against the feeds (by digest) and,
 * when yara is set, against the rules, recording a hit for each. path is
 * the name inside the package, file where to point a reader. A rules
 * timeout becomes a report error.
 */
void payload_check(struct payload *p, const char *path, const char *file,
		   const uint8_t digest[32], size_t kept, int yara);

/* Turns the hits so far into findings about one package (name and
 * version may be NULL) and forgets them. */
void payload_flush(struct payload *p, const char *name, const char *version,
		   const struct report_path *paths, size_t npaths);

/* Whether base is a file name one of the feeds' file entries gives. */
int payload_named(const struct payload *p, const char *base);
/* Whether base is a name of an entry known only by SHA-1. */
int payload_named_sha1(const struct payload *p, const char *base);

/* Whether name ends .js, .mjs or .cjs. */
int payload_is_js(const char *name);

/* ---- lifecycle scripts ---- */

struct payload_targets {
	char *path[SCAN_SCRIPT_TARGETS_MAX];	/* relative, normalised */
	size_t n;
};

/*
 * Adds the files a lifecycle script runs ("node x.js", "bun run y.js",
 * "sh z.sh", "./install.sh", "node x" also as "x.js") to t, skipping
 * duplicates, absolute names and names with "..". A tokenizer, not a
 * shell: what it cannot read it leaves out.
 */
void payload_script_targets(struct payload_targets *t, const char *script);
void payload_targets_release(struct payload_targets *t);

/* ---- tarballs ---- */

/*
 * One tarball held in buf[0..len): every regular entry hashed, package.json
 * and JavaScript entries scanned with the rules, findings about the
 * package its package.json names. target and file name it in findings and
 * errors. Returns 0 when the tarball was read (problems inside it, such as
 * a refused entry or a limit, are report errors), WS_EPARSE when it is not
 * a (gzip-compressed) tar archive at all.
 */
int scan_tarball_mem(struct report *r, const void *buf, size_t len,
		     const char *name, const struct scan_opts *o);

/*
 * Normalises a tarball entry name into out (SCAN_ENTRY_NAME_MAX bytes):
 * "./", empty and "." components dropped, then the first component
 * ("package/") when there is more than one. Returns 0, or a static reason
 * it is refused (absolute, "..", too long, empty).
 */
const char *payload_entry_name(char *out, const char *raw);

#endif
