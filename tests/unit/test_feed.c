/* feed: the native wormsign-feed/1 format, the OSV, CSV and list
 * importers, and the indexed set scan matches against. */

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed/feed.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif
#define FEEDS_DATA TEST_DATA "/feeds"

/* ---- helpers ---- */

static char *
tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t = xmalloc(4096);

	snprintf(t, 4096, "%s/feed-XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(t));
	return t;
}

static char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *p = path_join(dir, name);
	FILE *fp = fopen(p, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
	free(p);
}

static void
rm_rf(const char *path)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
}

/* Parses a native feed held in a string literal. */
static int
parse_str(struct feed **out, const char *text)
{
	size_t n = strlen(text);
	char *buf = xmalloc(n + 1);
	int err;

	memcpy(buf, text, n + 1);
	err = feed_parse(out, buf, n, "feed.json");
	free(buf);
	return err;
}

static struct feed *
parse_ok(const char *text)
{
	struct feed *f = NULL;
	int err = parse_str(&f, text);

	ck_assert_msg(err == 0, "parse failed: %s", ws_error_last());
	return f;
}

/* Asserts that text fails with code and a message containing want. */
static void
parse_fails(const char *text, int code, const char *want)
{
	struct feed *f = NULL;
	int err = parse_str(&f, text);

	ck_assert_msg(err == code, "expected %d, got %d (%s)", code, err,
		      ws_error_last());
	ck_assert_ptr_null(f);
	ck_assert_msg(strstr(ws_error_last(), want),
		      "message \"%s\" lacks \"%s\"", ws_error_last(), want);
}

static char *
write_str(const struct feed *f)
{
	FILE *fp = tmpfile();
	struct strbuf sb;
	char chunk[4096];
	size_t n;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(feed_write(fp, f), 0);
	rewind(fp);
	strbuf_init(&sb, 64u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ck_assert_int_eq(strbuf_add(&sb, chunk, n), 0);
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

static struct feed *
import_buf(enum feed_import_from from, const char *text,
	   struct feed_import_stats *st)
{
	size_t n = strlen(text);
	char *buf = xmalloc(n + 1);
	struct feed *f = NULL;
	int err;

	memcpy(buf, text, n + 1);
	err = feed_import_buffer(&f, from, buf, n, "in.txt", "t", NULL, st);
	free(buf);
	ck_assert_msg(err == 0, "import failed: %s", ws_error_last());
	return f;
}

static const struct feed_package *
find_pkg(const struct feed *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->npackages; i++)
		if (strcmp(f->packages[i].name, name) == 0)
			return &f->packages[i];
	return NULL;
}

static int
has_message(const struct feed_import_stats *st, const char *want)
{
	size_t i;

	for (i = 0; i < st->nmessages; i++)
		if (strstr(st->messages[i], want))
			return 1;
	return 0;
}

/* Whatever an importer builds must parse back as a native feed. */
static void
assert_round_trip(const struct feed *f)
{
	char *a = write_str(f), *b;
	struct feed *g = NULL;
	int err = feed_parse(&g, a, strlen(a), "written.json");

	ck_assert_msg(err == 0, "written feed does not parse: %s\n%s",
		      ws_error_last(), a);
	free(a);
	a = write_str(f);
	b = write_str(g);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	feed_free(g);
}

#define MINIMAL_HEAD "{\"format\": \"wormsign-feed/1\", \"id\": \"t\", "

/* ---- parse ---- */

START_TEST(parse_reads_every_kind)
{
	struct feed *f = NULL;
	const struct feed_package *p;

	ck_assert_int_eq(feed_load(&f, FEEDS_DATA "/native/sample.json"), 0);
	ck_assert_str_eq(f->id, "sample-shai-hulud-1");
	ck_assert_str_eq(f->published, "2025-09-16");
	ck_assert_uint_eq(f->nsources, 2);
	ck_assert_uint_eq(f->npackages, 3);
	ck_assert_uint_eq(f->nfiles, 1);
	ck_assert_uint_eq(f->nartifacts, 4);
	ck_assert_uint_eq(f->nnetwork, 1);
	p = find_pkg(f, "@ctrl/tinycolor");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nversions, 2);
	ck_assert_str_eq(p->meta.advisory, "MAL-2025-47141");
	ck_assert_int_eq(p->meta.severity, 4);
	ck_assert_ptr_eq(p->meta.feed, f);
	p = find_pkg(f, "@ctrl/deluge");
	ck_assert_uint_eq(p->nranges, 1);
	ck_assert_str_eq(p->range_texts[0], ">=7.2.1 <=7.2.2");
	ck_assert_int_eq(p->meta.severity, FEED_SEVERITY_UNSET);
	ck_assert_ptr_null(p->meta.advisory);
	ck_assert(f->files[0].has_sha256 && !f->files[0].has_sha1);
	ck_assert_uint_eq(f->files[0].sha256[0], 0x46);
	ck_assert_uint_eq(f->files[0].sha256[31], 0x09);
	ck_assert_str_eq(f->files[0].names[0], "bundle.js");
	ck_assert_str_eq(f->network[0].kind, "url");
	ck_assert_str_eq(f->path, FEEDS_DATA "/native/sample.json");
	feed_free(f);
}
END_TEST

START_TEST(parse_canonicalises_and_sorts_versions)
{
	struct feed *f = parse_ok(MINIMAL_HEAD "\"packages\": [{\"name\": "
			"\"a\", \"versions\": [\"1.10.0\", \"v1.2.3\", "
			"\"1.9.0\", \"=1.9.0\", \"1.9.0+build.7\", "
			"\"1.9.0-rc.1\"], \"source\": \"s\"}]}");
	const struct feed_package *p = &f->packages[0];

	ck_assert_uint_eq(p->nversions, 4);
	ck_assert_str_eq(p->versions[0], "1.2.3");
	ck_assert_str_eq(p->versions[1], "1.9.0-rc.1");
	ck_assert_str_eq(p->versions[2], "1.9.0");
	ck_assert_str_eq(p->versions[3], "1.10.0");
	feed_free(f);
}
END_TEST

START_TEST(parse_ignores_unknown_keys)
{
	struct feed *f = parse_ok(MINIMAL_HEAD "\"generator\": {\"x\": [1]},"
			"\"packages\": [{\"name\": \"a\", \"versions\": "
			"[\"1.0.0\"], \"source\": \"s\", \"notes\": 42}],"
			"\"future\": [1, 2, 3]}");

	ck_assert_uint_eq(f->npackages, 1);
	ck_assert_ptr_null(f->title);
	feed_free(f);
}
END_TEST

START_TEST(parse_accepts_an_empty_feed)
{
	struct feed *f = parse_ok("{\"format\": \"wormsign-feed/1\", "
				  "\"id\": \"empty\"}");

	ck_assert_uint_eq(f->npackages + f->nfiles + f->nartifacts +
				  f->nnetwork,
			  0);
	feed_free(f);
}
END_TEST

START_TEST(parse_rejects_wrong_type_with_position)
{
	parse_fails(MINIMAL_HEAD "\n\"packages\": [\n  {\"name\": 5, "
		    "\"versions\": [\"1.0.0\"], \"source\": \"s\"}]}",
		    WS_EPARSE,
		    "feed.json:3:12: packages[0]: \"name\" must be a string, not number");
	parse_fails(MINIMAL_HEAD "\"packages\": {}}", WS_EPARSE,
		    "\"packages\" must be an array, not object");
	parse_fails(MINIMAL_HEAD "\"files\": [[]]}", WS_EPARSE,
		    "files[0]: \"entry\" must be an object");
	parse_fails("[1]", WS_EPARSE, "feed.json:1:1: a feed must be a JSON object");
}
END_TEST

START_TEST(parse_rejects_bad_hex_digest)
{
	parse_fails(MINIMAL_HEAD "\"files\": [{\"sha256\": \"abc\", "
		    "\"source\": \"s\"}]}",
		    WS_EPARSE, "\"sha256\" must be 64 hexadecimal digits");
	parse_fails(MINIMAL_HEAD "\"files\": [{\"sha1\": "
		    "\"zz00000000000000000000000000000000000000\", "
		    "\"source\": \"s\"}]}",
		    WS_EPARSE, "\"sha1\" is not hexadecimal");
	parse_fails(MINIMAL_HEAD "\"files\": [{\"names\": [\"x.js\"], "
		    "\"source\": \"s\"}]}",
		    WS_EPARSE, "missing \"sha256\" or \"sha1\"");
}
END_TEST

START_TEST(parse_rejects_invalid_versions_and_ranges)
{
	parse_fails(MINIMAL_HEAD "\"packages\": [{\"name\": \"a\", "
		    "\"ranges\": [\">=1.2.x.y\"], \"source\": \"s\"}]}",
		    WS_EPARSE, "\"ranges[0]\": invalid range \">=1.2.x.y\"");
	parse_fails(MINIMAL_HEAD "\"packages\": [{\"name\": \"a\", "
		    "\"versions\": [\"1.0\"], \"source\": \"s\"}]}",
		    WS_EPARSE, "\"versions[0]\": \"1.0\" is not a version");
	parse_fails(MINIMAL_HEAD "\"packages\": [{\"name\": \"a\", "
		    "\"versions\": [], \"source\": \"s\"}]}",
		    WS_EPARSE, "\"a\" lists no versions and no ranges");
}
END_TEST

START_TEST(parse_rejects_missing_name_or_source)
{
	parse_fails(MINIMAL_HEAD "\"packages\": [{\"versions\": [\"1.0.0\"], "
		    "\"source\": \"s\"}]}",
		    WS_EPARSE, "packages[0]: missing \"name\"");
	parse_fails(MINIMAL_HEAD "\"packages\": [{\"name\": \"a\", "
		    "\"versions\": [\"1.0.0\"]}]}",
		    WS_EPARSE, "packages[0]: missing \"source\"");
	parse_fails(MINIMAL_HEAD "\"network\": [{\"kind\": \"domain\", "
		    "\"source\": \"s\"}]}",
		    WS_EPARSE, "network[0]: missing \"value\"");
	parse_fails(MINIMAL_HEAD "\"artifacts\": [{\"value\": \"x\", "
		    "\"source\": \"s\"}]}",
		    WS_EPARSE, "artifacts[0]: missing \"kind\"");
}
END_TEST

START_TEST(parse_rejects_unknown_kinds_and_severities)
{
	parse_fails(MINIMAL_HEAD "\"artifacts\": [{\"kind\": \"workfow\", "
		    "\"value\": \"x\", \"source\": \"s\"}]}",
		    WS_EPARSE, "unknown artifact kind \"workfow\"");
	parse_fails(MINIMAL_HEAD "\"network\": [{\"kind\": \"ip\", "
		    "\"value\": \"x\", \"source\": \"s\"}]}",
		    WS_EPARSE, "unknown network kind \"ip\"");
	parse_fails(MINIMAL_HEAD "\"packages\": [{\"name\": \"a\", "
		    "\"versions\": [\"1.0.0\"], \"source\": \"s\", "
		    "\"severity\": \"severe\"}]}",
		    WS_EPARSE, "\"severity\" must be one of info, low, medium, high, critical");
}
END_TEST

START_TEST(parse_rejects_wrong_format_and_id)
{
	parse_fails("{\"id\": \"t\"}", WS_EPARSE, "missing \"format\"");
	parse_fails("{\"format\": \"wormsign-feed/2\", \"id\": \"t\"}",
		    WS_EPARSE, "unsupported feed format \"wormsign-feed/2\"");
	parse_fails("{\"format\": 1, \"id\": \"t\"}", WS_EPARSE,
		    "unsupported feed format (expected");
	parse_fails("{\"format\": \"wormsign-feed/1\"}", WS_EPARSE,
		    "missing \"id\"");
	parse_fails("{\"format\": \"wormsign-feed/1\", \"id\": \"a b\"}",
		    WS_EPARSE, "\"id\" may only contain");
	parse_fails("{\"format\": \"wormsign-feed/1\", \"id\": \"t\", "
		    "\"published\": \"yesterday\"}",
		    WS_EPARSE, "\"published\" must be a date");
}
END_TEST

START_TEST(parse_accepts_date_times)
{
	struct feed *f = parse_ok("{\"format\": \"wormsign-feed/1\", \"id\": "
				  "\"t\", \"published\": "
				  "\"2026-05-11T19:20:00.5+02:00\"}");

	ck_assert_str_eq(f->published, "2026-05-11T19:20:00.5+02:00");
	ck_assert_ptr_null(f->first_seen);
	feed_free(f);
	parse_fails("{\"format\": \"wormsign-feed/1\", \"id\": \"t\", "
		    "\"published\": \"2026-13-01\"}",
		    WS_EPARSE, "\"published\" must be a date");
	/* first_seen: the earliest compromise, a date like published. */
	f = parse_ok("{\"format\": \"wormsign-feed/1\", \"id\": \"t\", "
		     "\"first_seen\": \"2025-09-16\"}");
	ck_assert_str_eq(f->first_seen, "2025-09-16");
	feed_free(f);
	parse_fails("{\"format\": \"wormsign-feed/1\", \"id\": \"t\", "
		    "\"first_seen\": \"soon\"}",
		    WS_EPARSE, "\"first_seen\" must be a date");
	parse_fails("{\"format\": \"wormsign-feed/1\", \"id\": \"t\", "
		    "\"first_seen\": \"2025-09-16\", \"first_seen\": \"2025-09-16\"}",
		    WS_EPARSE, "first_seen");
}
END_TEST

START_TEST(parse_rejects_duplicate_keys)
{
	parse_fails(MINIMAL_HEAD "\"packages\": [], \"packages\": []}",
		    WS_EPARSE, "duplicate key \"packages\"");
	parse_fails(MINIMAL_HEAD "\"packages\": [{\"name\": \"a\", "
		    "\"name\": \"b\", \"versions\": [\"1.0.0\"], "
		    "\"source\": \"s\"}]}",
		    WS_EPARSE, "duplicate key \"name\"");
}
END_TEST

START_TEST(parse_rejects_control_characters)
{
	parse_fails(MINIMAL_HEAD "\"packages\": [{\"name\": \"a\\u001b[31m\", "
		    "\"versions\": [\"1.0.0\"], \"source\": \"s\"}]}",
		    WS_EPARSE, "\"name\" contains a space or control character");
	parse_fails(MINIMAL_HEAD "\"network\": [{\"kind\": \"domain\", "
		    "\"value\": \"x\\u0007y\", \"source\": \"s\"}]}",
		    WS_EPARSE, "\"value\" contains a control character");
}
END_TEST

START_TEST(parse_reports_json_errors_with_position)
{
	parse_fails("{\"format\": \"wormsign-feed/1\",\n \"id\": \"t\",}",
		    WS_EPARSE, "feed.json:2:");
}
END_TEST

/* ---- limits ---- */

START_TEST(limit_name_length)
{
	char name[300], text[600];

	memset(name, 'a', 215);
	name[215] = '\0';
	snprintf(text, sizeof(text), MINIMAL_HEAD "\"packages\": [{\"name\": "
		 "\"%s\", \"versions\": [\"1.0.0\"], \"source\": \"s\"}]}",
		 name);
	parse_fails(text, WS_EPARSE, "\"name\" is longer than 214 bytes");
	name[214] = '\0';
	snprintf(text, sizeof(text), MINIMAL_HEAD "\"packages\": [{\"name\": "
		 "\"%s\", \"versions\": [\"1.0.0\"], \"source\": \"s\"}]}",
		 name);
	feed_free(parse_ok(text));
}
END_TEST

START_TEST(limit_entries)
{
	size_t n = FEED_ENTRIES_MAX + 1, i;
	struct strbuf sb;
	struct feed *f = NULL;
	int err;

	/* Counted before any entry is read: "{}" entries suffice. */
	strbuf_init(&sb, 64u << 20);
	ck_assert_int_eq(strbuf_addstr(&sb, MINIMAL_HEAD "\"network\": ["), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(strbuf_addstr(&sb, i ? ",{}" : "{}"), 0);
	ck_assert_int_eq(strbuf_addstr(&sb, "]}"), 0);
	err = feed_parse(&f, sb.buf, sb.len, "big.json");
	ck_assert_int_eq(err, WS_ELIMIT);
	ck_assert(strstr(ws_error_last(), "more than 2097152 entries"));
	strbuf_release(&sb);
}
END_TEST

START_TEST(limit_file_size)
{
	char *dir = tmpdir(), *p = path_join(dir, "huge.json");
	struct feed *f = NULL;
	int fd = open(p, O_CREAT | O_WRONLY, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)FEED_MAX + 1), 0);
	close(fd);
	ck_assert_int_eq(feed_load(&f, p), WS_ELIMIT);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(feed_load(&f, "/nonexistent/feed.json"),
			 WS_ENOTFOUND);
	rm_rf(dir);
	free(p);
	free(dir);
}
END_TEST

/* ---- write ---- */

START_TEST(write_round_trips)
{
	struct feed *f = NULL;
	struct strbuf sb;

	ck_assert_int_eq(feed_load(&f, FEEDS_DATA "/native/sample.json"), 0);
	assert_round_trip(f);
	/* the committed sample is written as feed_write writes it */
	strbuf_init(&sb, 1u << 20);
	ck_assert_int_eq(strbuf_read_file(&sb, FEEDS_DATA
					  "/native/sample.json", 0),
			 0);
	{
		char *w = write_str(f);

		ck_assert_str_eq(w, sb.buf);
		free(w);
	}
	strbuf_release(&sb);
	feed_free(f);
}
END_TEST

START_TEST(write_sorts_by_name_stably)
{
	struct feed *f = parse_ok(MINIMAL_HEAD "\"packages\": ["
			"{\"name\": \"zeta\", \"versions\": [\"1.0.0\"], \"source\": \"one\"},"
			"{\"name\": \"alpha\", \"versions\": [\"1.0.0\"], \"source\": \"x\"},"
			"{\"name\": \"zeta\", \"versions\": [\"2.0.0\"], \"source\": \"two\"}],"
			"\"artifacts\": ["
			"{\"kind\": \"workflow\", \"value\": \"b\", \"source\": \"s\"},"
			"{\"kind\": \"branch\", \"value\": \"z\", \"source\": \"s\"},"
			"{\"kind\": \"workflow\", \"value\": \"a\", \"source\": \"s\"}]}");
	char *w = write_str(f);
	const char *alpha = strstr(w, "\"alpha\""), *one = strstr(w, "\"one\""),
		   *two = strstr(w, "\"two\"");

	ck_assert(alpha && one && two && alpha < one && one < two);
	ck_assert(strstr(w, "\"branch\"") < strstr(w, "\"value\": \"a\""));
	ck_assert(strstr(w, "\"value\": \"a\"") < strstr(w, "\"value\": \"b\""));
	free(w);
	assert_round_trip(f);
	feed_free(f);
}
END_TEST

START_TEST(write_reports_io_errors)
{
	struct feed *f = parse_ok(MINIMAL_HEAD "\"packages\": []}");
	FILE *fp = fopen("/dev/full", "w");

	if (fp) {
		ck_assert_int_eq(feed_write(fp, f), WS_EIO);
		fclose(fp);
	}
	feed_free(f);
}
END_TEST

/* ---- match ---- */

struct hits {
	size_t n;
	const char *by[8];
	const struct feed_package *e[8];
};

static void
on_hit(const struct feed_package *e, const char *matched_by, void *payload)
{
	struct hits *h = payload;

	if (h->n < 8) {
		h->by[h->n] = matched_by;
		h->e[h->n] = e;
	}
	h->n++;
}

static struct feed *
match_feed(void)
{
	return parse_ok("{\"format\": \"wormsign-feed/1\", \"id\": \"m\","
		"\"packages\": ["
		"{\"name\": \"@scope/pkg\", \"versions\": [\"1.0.1\", \"1.0.3\", \"2.0.0-beta.1\"], \"source\": \"a\"},"
		"{\"name\": \"ranged\", \"ranges\": [\">=1.2.3 <1.2.5\", \"<=0.0.9\"], \"source\": \"b\"},"
		"{\"name\": \"both\", \"versions\": [\"1.2.4\"], \"ranges\": [\"^1.2.0\"], \"source\": \"c\"}],"
		"\"files\": [{\"sha256\": \"46faab8ab153fae6e80e7cca38eab363075bb524edd79e42269217a083628f09\", \"source\": \"d\"},"
		"{\"sha1\": \"da39a3ee5e6b4b0d3255bfef95601890afd80709\", \"source\": \"e\"}]}");
}

START_TEST(match_exact_versions)
{
	struct feed *f = match_feed();
	struct feed_set s;
	struct hits h;

	feed_set_init(&s);
	feed_set_add(&s, f);
	feed_set_index(&s);
	memset(&h, 0, sizeof(h));
	ck_assert_uint_eq(feed_set_match_package(&s, "@scope/pkg", "1.0.3",
						 on_hit, &h),
			  1);
	ck_assert_str_eq(h.by[0], "1.0.3");
	ck_assert_str_eq(h.e[0]->meta.source, "a");
	/* lockfiles may write "v1.0.1" or add build metadata */
	ck_assert_uint_eq(feed_set_match_package(&s, "@scope/pkg", "v1.0.1",
						 NULL, NULL),
			  1);
	ck_assert_uint_eq(feed_set_match_package(&s, "@scope/pkg",
						 "1.0.1+build", NULL, NULL),
			  1);
	ck_assert_uint_eq(feed_set_match_package(&s, "@scope/pkg", "1.0.2",
						 NULL, NULL),
			  0);
	ck_assert_uint_eq(feed_set_match_package(&s, "@scope/pkg",
						 "2.0.0-beta.1", NULL, NULL),
			  1);
	ck_assert_uint_eq(feed_set_match_package(&s, "@scope/pkg", "2.0.0",
						 NULL, NULL),
			  0);
	feed_set_release(&s);
	feed_free(f);
}
END_TEST

START_TEST(match_ranges_report_the_range)
{
	struct feed *f = match_feed();
	struct feed_set s;
	struct hits h;

	feed_set_init(&s);
	feed_set_add(&s, f);
	feed_set_index(&s);
	memset(&h, 0, sizeof(h));
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged", "1.2.4",
						 on_hit, &h),
			  1);
	ck_assert_str_eq(h.by[0], ">=1.2.3 <1.2.5");
	memset(&h, 0, sizeof(h));
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged", "0.0.9",
						 on_hit, &h),
			  1);
	ck_assert_str_eq(h.by[0], "<=0.0.9");
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged", "1.2.5",
						 NULL, NULL),
			  0);
	/* a prerelease satisfies a range only on the same tuple */
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged", "1.2.4-rc.1",
						 NULL, NULL),
			  0);
	/* an entry with both matches once, by its exact version first */
	memset(&h, 0, sizeof(h));
	ck_assert_uint_eq(feed_set_match_package(&s, "both", "1.2.4", on_hit,
						 &h),
			  1);
	ck_assert_str_eq(h.by[0], "1.2.4");
	memset(&h, 0, sizeof(h));
	ck_assert_uint_eq(feed_set_match_package(&s, "both", "1.9.0", on_hit,
						 &h),
			  1);
	ck_assert_str_eq(h.by[0], "^1.2.0");
	feed_set_release(&s);
	feed_free(f);
}
END_TEST

START_TEST(match_needs_name_and_semver_version)
{
	struct feed *f = match_feed();
	struct feed_set s;

	feed_set_init(&s);
	/* before indexing nothing matches, and nothing crashes */
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged", "1.2.4", NULL,
						 NULL),
			  0);
	feed_set_add(&s, f);
	feed_set_index(&s);
	ck_assert_uint_eq(feed_set_match_package(&s, "unknown", "1.0.0", NULL,
						 NULL),
			  0);
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged", NULL, NULL,
						 NULL),
			  0);
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged",
						 "github:a/b#abcdef0", NULL,
						 NULL),
			  0);
	ck_assert_uint_eq(feed_set_match_package(&s, NULL, "1.0.0", NULL,
						 NULL),
			  0);
	feed_set_release(&s);
	feed_free(f);
}
END_TEST

START_TEST(match_reports_every_feed_listing_a_name)
{
	struct feed *a = match_feed(), *b;
	struct feed_set s;
	struct hits h;

	b = parse_ok("{\"format\": \"wormsign-feed/1\", \"id\": \"other\","
		     "\"packages\": [{\"name\": \"ranged\", \"versions\": "
		     "[\"1.2.4\"], \"source\": \"z\"}, {\"name\": \"ranged\", "
		     "\"ranges\": [\"1.x\"], \"source\": \"y\"}]}");
	feed_set_init(&s);
	feed_set_add(&s, a);
	feed_set_add(&s, b);
	feed_set_index(&s);
	memset(&h, 0, sizeof(h));
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged", "1.2.4",
						 on_hit, &h),
			  3);
	ck_assert_str_eq(h.e[0]->meta.feed->id, "m");
	ck_assert_str_eq(h.e[1]->meta.source, "z");
	ck_assert_str_eq(h.e[2]->meta.source, "y");
	ck_assert_str_eq(h.by[2], "1.x");
	/* indexing again (after adding nothing) gives the same answers */
	feed_set_index(&s);
	ck_assert_uint_eq(feed_set_match_package(&s, "ranged", "1.2.4", NULL,
						 NULL),
			  3);
	feed_set_release(&s);
	feed_free(a);
	feed_free(b);
}
END_TEST

START_TEST(match_sha256)
{
	struct feed *f = match_feed();
	struct feed_set s;
	uint8_t d[32] = { 0x46, 0xfa, 0xab, 0x8a, 0xb1, 0x53, 0xfa, 0xe6,
			  0xe8, 0x0e, 0x7c, 0xca, 0x38, 0xea, 0xb3, 0x63,
			  0x07, 0x5b, 0xb5, 0x24, 0xed, 0xd7, 0x9e, 0x42,
			  0x26, 0x92, 0x17, 0xa0, 0x83, 0x62, 0x8f, 0x09 };
	const struct feed_file *e;

	feed_set_init(&s);
	ck_assert_ptr_null(feed_set_match_sha256(&s, d));
	feed_set_add(&s, f);
	feed_set_index(&s);
	e = feed_set_match_sha256(&s, d);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->meta.source, "d");
	d[31] ^= 1;
	ck_assert_ptr_null(feed_set_match_sha256(&s, d));
	feed_set_release(&s);
	feed_free(f);
}
END_TEST

START_TEST(match_large_feed)
{
	size_t n = 100000, i;
	struct strbuf sb;
	struct feed *f = NULL;
	struct feed_set s;
	char name[64];

	strbuf_init(&sb, 64u << 20);
	ck_assert_int_eq(strbuf_addstr(&sb, MINIMAL_HEAD "\"packages\": ["), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(strbuf_addf(&sb, "%s{\"name\": \"pkg-%zu\", "
					     "\"versions\": [\"1.0.%zu\"], "
					     "\"source\": \"gen\"}",
					     i ? "," : "", i, i % 7),
				 0);
	ck_assert_int_eq(strbuf_addstr(&sb, "]}"), 0);
	ck_assert_int_eq(feed_parse(&f, sb.buf, sb.len, "gen.json"), 0);
	strbuf_release(&sb);
	feed_set_init(&s);
	feed_set_add(&s, f);
	feed_set_index(&s);
	for (i = 0; i < n; i += 997) {
		char v[32];

		snprintf(name, sizeof(name), "pkg-%zu", i);
		snprintf(v, sizeof(v), "1.0.%zu", i % 7);
		ck_assert_uint_eq(feed_set_match_package(&s, name, v, NULL,
							 NULL),
				  1);
		snprintf(v, sizeof(v), "1.0.%zu", i % 7 + 1);
		ck_assert_uint_eq(feed_set_match_package(&s, name, v, NULL,
							 NULL),
				  0);
	}
	feed_set_release(&s);
	feed_free(f);
}
END_TEST

/* ---- load ---- */

static const char feed_a[] = "{\"format\": \"wormsign-feed/1\", \"id\": "
			     "\"a\", \"packages\": [{\"name\": \"x\", "
			     "\"versions\": [\"1.0.0\"], \"source\": \"s\"}]}";
static const char feed_b[] = "{\"format\": \"wormsign-feed/1\", \"id\": "
			     "\"b\", \"packages\": [{\"name\": \"x\", "
			     "\"versions\": [\"1.0.0\"], \"source\": \"t\"}]}";

static void
free_owned(struct feed **owned, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		feed_free(owned[i]);
	free(owned);
}

START_TEST(load_dir_reads_sorted_json_files)
{
	char *dir = tmpdir(), *sub = path_join(dir, "c.json");
	struct feed **owned = NULL;
	size_t nowned = 0;
	struct feed_set s;

	write_file(dir, "b.json", feed_b);
	write_file(dir, "a.json", feed_a);
	write_file(dir, "SOURCES.md", "not a feed");
	write_file(dir, ".hidden.json", "not a feed either");
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	feed_set_init(&s);
	ck_assert_int_eq(feed_load_dir(&s, &owned, &nowned, dir), 0);
	ck_assert_uint_eq(nowned, 2);
	ck_assert_uint_eq(s.nfeeds, 2);
	ck_assert_str_eq(s.feeds[0]->id, "a");
	ck_assert_str_eq(s.feeds[1]->id, "b");
	feed_set_index(&s);
	ck_assert_uint_eq(feed_set_match_package(&s, "x", "1.0.0", NULL, NULL),
			  2);
	feed_set_release(&s);
	free_owned(owned, nowned);
	rm_rf(dir);
	free(sub);
	free(dir);
}
END_TEST

START_TEST(load_all_finds_bundled_and_extra_feeds)
{
	char *dir = tmpdir(), *feeds = path_join(dir, "feeds");
	char *extra = path_join(dir, "extra.json");
	const char *list[2];
	struct feed **owned = NULL;
	size_t nowned = 0;
	struct feed_set s;
	char *old = getenv("WORMSIGN_DATA") ? xstrdup(getenv("WORMSIGN_DATA")) :
					      NULL;

	ck_assert_int_eq(mkdir(feeds, 0755), 0);
	write_file(feeds, "a.json", feed_a);
	write_file(dir, "extra.json", feed_b);
	setenv("WORMSIGN_DATA", dir, 1);
	list[0] = extra;
	list[1] = extra;	/* the same file twice is loaded once */
	feed_set_init(&s);
	ck_assert_int_eq(feed_load_all(&s, &owned, &nowned, 1, list, 2), 0);
	ck_assert_uint_eq(s.nfeeds, 2);
	ck_assert_str_eq(s.feeds[0]->id, "a");
	ck_assert_str_eq(s.feeds[1]->id, "b");
	/* indexed already */
	ck_assert_uint_eq(feed_set_match_package(&s, "x", "1.0.0", NULL, NULL),
			  2);
	feed_set_release(&s);
	free_owned(owned, nowned);

	/* without the bundled ones */
	owned = NULL;
	nowned = 0;
	feed_set_init(&s);
	ck_assert_int_eq(feed_load_all(&s, &owned, &nowned, 0, list, 1), 0);
	ck_assert_uint_eq(s.nfeeds, 1);
	feed_set_release(&s);
	free_owned(owned, nowned);

	if (old)
		setenv("WORMSIGN_DATA", old, 1);
	else
		unsetenv("WORMSIGN_DATA");
	free(old);
	rm_rf(dir);
	free(feeds);
	free(extra);
	free(dir);
}
END_TEST

START_TEST(load_all_rejects_one_id_from_two_files)
{
	char *dir = tmpdir(), *p1 = path_join(dir, "one.json"),
	     *p2 = path_join(dir, "two.json");
	const char *list[2] = { p1, p2 };
	struct feed **owned = NULL;
	size_t nowned = 0;
	struct feed_set s;

	write_file(dir, "one.json", feed_a);
	write_file(dir, "two.json", feed_a);
	feed_set_init(&s);
	ck_assert_int_eq(feed_load_all(&s, &owned, &nowned, 0, list, 2),
			 WS_EPARSE);
	ck_assert(strstr(ws_error_last(), "feed id \"a\" is already loaded"));
	ck_assert_uint_eq(nowned, 1);
	feed_set_release(&s);
	free_owned(owned, nowned);
	rm_rf(dir);
	free(p1);
	free(p2);
	free(dir);
}
END_TEST

START_TEST(load_all_reports_a_malformed_feed)
{
	char *dir = tmpdir(), *p = path_join(dir, "bad.json");
	const char *list[1] = { p };
	struct feed **owned = NULL;
	size_t nowned = 0;
	struct feed_set s;

	write_file(dir, "bad.json", "{\"format\": \"wormsign-feed/1\",\n"
		   "\"id\": \"bad\",\n\"files\": [{\"sha256\": \"xyz\", "
		   "\"source\": \"s\"}]}\n");
	feed_set_init(&s);
	ck_assert_int_eq(feed_load_all(&s, &owned, &nowned, 0, list, 1),
			 WS_EPARSE);
	ck_assert(strstr(ws_error_last(), "bad.json:3:"));
	ck_assert(strstr(ws_error_last(), "files[0]"));
	ck_assert_uint_eq(s.nfeeds, 0);
	feed_set_release(&s);
	free_owned(owned, nowned);
	rm_rf(dir);
	free(p);
	free(dir);
}
END_TEST

/* ---- OSV ---- */

START_TEST(osv_prefers_explicit_versions)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	const struct feed_package *p;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_osv(&f, FEEDS_DATA
					 "/osv/MAL-2026-3465.json",
					 NULL, "TanStack", &st),
			 0);
	ck_assert_str_eq(f->id, "mal-2026-3465");
	ck_assert_str_eq(f->title, "TanStack");
	ck_assert_str_eq(f->published, "2026-05-12");
	p = find_pkg(f, "@tanstack/react-router");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nversions, 2);
	ck_assert_str_eq(p->versions[0], "1.169.5");
	ck_assert_str_eq(p->versions[1], "1.169.8");
	ck_assert_uint_eq(p->nranges, 0);
	ck_assert_str_eq(p->meta.advisory, "MAL-2026-3465");
	ck_assert_str_eq(p->meta.source, "osv:MAL-2026-3465");
	/* database_specific.iocs.domains are network entries */
	ck_assert_uint_eq(f->nnetwork, 4);
	ck_assert_str_eq(f->network[0].kind, "domain");
	ck_assert_str_eq(f->network[0].description,
			 "Malicious code in @tanstack/react-router (npm)");
	ck_assert_uint_eq(st.taken, 5);
	ck_assert_uint_eq(st.skipped, 0);
	assert_round_trip(f);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(osv_never_takes_every_version)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	const struct feed_package *p;
	struct feed_set s;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_osv(&f, FEEDS_DATA
					 "/osv/MAL-2025-47141.json",
					 "x", NULL, &st),
			 0);
	p = find_pkg(f, "@ctrl/tinycolor");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nversions, 0);
	ck_assert_uint_eq(p->nranges, 1);
	ck_assert_str_eq(p->range_texts[0], ">=4.1.1 <=4.1.2");
	ck_assert_uint_eq(st.ignored, 1);
	ck_assert_uint_eq(st.taken, 1);
	feed_set_init(&s);
	feed_set_add(&s, f);
	feed_set_index(&s);
	ck_assert_uint_eq(feed_set_match_package(&s, "@ctrl/tinycolor",
						 "4.1.2", NULL, NULL),
			  1);
	ck_assert_uint_eq(feed_set_match_package(&s, "@ctrl/tinycolor",
						 "4.1.0", NULL, NULL),
			  0);
	ck_assert_uint_eq(feed_set_match_package(&s, "@ctrl/tinycolor",
						 "4.1.3", NULL, NULL),
			  0);
	feed_set_release(&s);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(osv_turns_events_into_ranges)
{
	struct feed_import_stats st;
	struct feed *f;
	const struct feed_package *p;

	memset(&st, 0, sizeof(st));
	f = import_buf(FEED_FROM_OSV,
		"{\"id\": \"OSV-1\", \"affected\": [{"
		"\"package\": {\"ecosystem\": \"npm\", \"name\": \"evts\"},"
		"\"ranges\": [{\"type\": \"SEMVER\", \"events\": ["
		"  {\"fixed\": \"1.2.5\"}, {\"introduced\": \"1.2.3\"},"
		"  {\"introduced\": \"2.0.0\"}, {\"fixed\": \"2.0.2\"},"
		"  {\"introduced\": \"3.0.0\"}]},"
		" {\"type\": \"ECOSYSTEM\", \"events\": ["
		"  {\"introduced\": \"0\"}, {\"last_affected\": \"0.9.1\"}]},"
		" {\"type\": \"ECOSYSTEM\", \"events\": ["
		"  {\"introduced\": \"0\"}, {\"fixed\": \"0.5.0\"}]},"
		" {\"type\": \"GIT\", \"repo\": \"x\", \"events\": ["
		"  {\"introduced\": \"abc\"}]}]}]}", &st);
	p = find_pkg(f, "evts");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nranges, 5);
	ck_assert_str_eq(p->range_texts[0], ">=1.2.3 <1.2.5");
	ck_assert_str_eq(p->range_texts[1], ">=2.0.0 <2.0.2");
	ck_assert_str_eq(p->range_texts[2], ">=3.0.0");
	ck_assert_str_eq(p->range_texts[3], "<=0.9.1");
	ck_assert_str_eq(p->range_texts[4], "<0.5.0");
	ck_assert_uint_eq(st.ignored, 1);	/* the GIT range */
	ck_assert_str_eq(p->meta.source, "osv:OSV-1");
	assert_round_trip(f);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(osv_source_from_database_specific)
{
	struct feed_import_stats st;
	struct feed *f;

	memset(&st, 0, sizeof(st));
	f = import_buf(FEED_FROM_OSV,
		"{\"id\": \"GHSA-x\", \"database_specific\": {\"source\": "
		"\"https://example.test/advisory\"}, \"affected\": [{"
		"\"package\": {\"ecosystem\": \"npm\", \"name\": \"p\"},"
		"\"versions\": [\"1.0.0\"]}]}", &st);
	ck_assert_str_eq(f->packages[0].meta.source,
			 "https://example.test/advisory");
	ck_assert_str_eq(f->packages[0].meta.advisory, "GHSA-x");
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(osv_ignores_out_of_scope_records)
{
	struct feed_import_stats st;
	struct feed *f;

	memset(&st, 0, sizeof(st));
	f = import_buf(FEED_FROM_OSV,
		"{\"id\": \"PYSEC-1\", \"affected\": ["
		"{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"p\"},"
		" \"versions\": [\"1.0\"]},"
		"{\"package\": {\"ecosystem\": \"npm\", \"name\": \"every\"},"
		" \"ranges\": [{\"type\": \"SEMVER\", \"events\": "
		"[{\"introduced\": \"0\"}]}]}]}", &st);
	ck_assert_uint_eq(f->npackages, 0);
	ck_assert_uint_eq(st.taken, 0);
	ck_assert_uint_eq(st.ignored, 2);
	ck_assert_uint_eq(st.skipped, 0);
	feed_free(f);
	f = import_buf(FEED_FROM_OSV,
		"{\"id\": \"MAL-1\", \"withdrawn\": \"2025-01-01T00:00:00Z\","
		"\"affected\": [{\"package\": {\"ecosystem\": \"npm\", "
		"\"name\": \"p\"}, \"versions\": [\"1.0.0\"]}]}", &st);
	ck_assert_uint_eq(f->npackages, 0);
	ck_assert_uint_eq(st.ignored, 3);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(osv_skips_malformed_records_and_says_which)
{
	struct feed_import_stats st;
	struct feed *f;

	memset(&st, 0, sizeof(st));
	/* trailing comma, as in one indexed record */
	f = import_buf(FEED_FROM_OSV, "{\"id\": \"MAL-2\", \"affected\": [],}",
		       &st);
	feed_free(f);
	f = import_buf(FEED_FROM_OSV, "{\"affected\": []}", &st);
	feed_free(f);
	f = import_buf(FEED_FROM_OSV,
		"{\"id\": \"MAL-3\", \"affected\": [\n"
		"{\"package\": {\"ecosystem\": \"npm\", \"name\": \"p\"},\n"
		" \"versions\": [\"1.0.0\", \"not.a.version\"]},\n"
		"{\"package\": {\"ecosystem\": \"npm\", \"name\": \"q\"},\n"
		" \"versions\": [\"2.0.0\"]}]}", &st);
	ck_assert_uint_eq(f->npackages, 1);
	ck_assert_str_eq(f->packages[0].name, "q");
	feed_free(f);
	ck_assert_uint_eq(st.skipped, 3);
	ck_assert_uint_eq(st.nmessages, 3);
	ck_assert(has_message(&st, "in.txt:1:"));
	ck_assert(has_message(&st, "not an OSV record"));
	ck_assert(has_message(&st, "in.txt:3:"));
	ck_assert(has_message(&st, "affected[0]: a version is not a SemVer version"));
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(osv_directory_is_walked_with_bounds)
{
	char *dir = tmpdir(), *p = xmalloc(8192), *link;
	struct feed_import_stats st;
	struct feed *f = NULL;
	size_t i, len;
	int err;

	write_file(dir, "one.json",
		   "{\"id\": \"A\", \"modified\": \"2025-09-16T00:00:00Z\","
		   "\"affected\": [{\"package\": {\"ecosystem\": \"npm\", "
		   "\"name\": \"a\"}, \"versions\": [\"1.0.0\"]}]}");
	write_file(dir, "notes.txt", "ignored");
	write_file(dir, "broken.json", "{\"id\": ");
	/* a hidden directory (.git) is not searched */
	p[0] = '\0';
	snprintf(p, 8192, "%s/.git", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	write_file(p, "x.json", "{\"id\": \"G\", \"affected\": [{\"package\":"
		   " {\"ecosystem\": \"npm\", \"name\": \"g\"}, "
		   "\"versions\": [\"1.0.0\"]}]}");
	/* a symbolic link is not followed */
	link = path_join(dir, "link.json");
	ck_assert_int_eq(symlink("/etc/passwd", link), 0);
	/* 17 levels: the deepest is past the bound */
	len = (size_t)snprintf(p, 8192, "%s", dir);
	for (i = 0; i < 17; i++) {
		len += (size_t)snprintf(p + len, 8192 - len, "/d%zu", i);
		ck_assert_int_eq(mkdir(p, 0755), 0);
		if (i == 14)
			write_file(p, "deep.json",
				   "{\"id\": \"B\", \"modified\": "
				   "\"2026-01-02T00:00:00Z\", \"affected\": "
				   "[{\"package\": {\"ecosystem\": \"npm\", "
				   "\"name\": \"b\"}, \"versions\": "
				   "[\"2.0.0\"]}]}");
	}
	memset(&st, 0, sizeof(st));
	err = feed_import_osv(&f, dir, "osvdir", NULL, &st);
	ck_assert_msg(err == 0, "%s", ws_error_last());
	ck_assert_uint_eq(f->npackages, 2);
	ck_assert_ptr_nonnull(find_pkg(f, "a"));
	ck_assert_ptr_nonnull(find_pkg(f, "b"));
	ck_assert_ptr_null(find_pkg(f, "g"));
	ck_assert_str_eq(f->published, "2026-01-02");
	ck_assert_uint_eq(st.skipped, 2);
	ck_assert(has_message(&st, "broken.json:1:"));
	ck_assert(has_message(&st, "more than 16 directory levels deep"));
	feed_free(f);
	feed_import_stats_release(&st);

	ck_assert_int_eq(feed_import_osv(&f, "/nonexistent/osv", NULL, NULL,
					 NULL),
			 WS_ENOTFOUND);
	rm_rf(dir);
	free(link);
	free(p);
	free(dir);
}
END_TEST

static void
zip_add(struct archive *a, const char *name, const char *data, size_t n)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_data(a, data, n), (la_ssize_t)n);
	archive_entry_free(e);
}

START_TEST(osv_zip_is_read_in_memory)
{
	static const char rec[] =
		"{\"id\": \"Z-1\", \"affected\": [{\"package\": {\"ecosystem\":"
		" \"npm\", \"name\": \"zipped\"}, \"versions\": [\"1.0.0\"]}]}";
	static const char evil[] =
		"{\"id\": \"Z-2\", \"affected\": [{\"package\": {\"ecosystem\":"
		" \"npm\", \"name\": \"evil\"}, \"versions\": [\"1.0.0\"]}]}";
	char *dir = tmpdir(), *zip = path_join(dir, "all.zip");
	char *escaped = path_join(dir, "../evil.json");
	struct feed_import_stats st;
	struct archive *a = archive_write_new();
	struct feed *f = NULL;
	size_t big_n = (1u << 20) + 10;
	char *big = xmalloc(big_n);
	struct stat sb;

	memset(big, ' ', big_n);
	big[0] = '{';
	big[big_n - 1] = '}';
	ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, zip), ARCHIVE_OK);
	zip_add(a, "MAL-Z-1.json", rec, strlen(rec));
	zip_add(a, "../evil.json", evil, strlen(evil));
	zip_add(a, "sub/../../evil.json", evil, strlen(evil));
	zip_add(a, "README.md", "not json", 8);
	zip_add(a, "broken.json", "{\"id\": \"Z-3\", \"affected\": [}", 28);
	zip_add(a, "big.json", big, big_n);
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_osv(&f, zip, NULL, NULL, &st), 0);
	ck_assert_str_eq(f->id, "all");
	ck_assert_uint_eq(f->npackages, 1);
	ck_assert_str_eq(f->packages[0].name, "zipped");
	ck_assert_uint_eq(st.taken, 1);
	ck_assert_uint_eq(st.ignored, 2);	/* the ".." names */
	ck_assert_uint_eq(st.skipped, 2);
	ck_assert(has_message(&st, "all.zip/broken.json:1:"));
	ck_assert(has_message(&st, "all.zip/big.json: larger than 1 MB"));
	/* nothing was written next to the archive */
	ck_assert_int_ne(stat(escaped, &sb), 0);
	feed_free(f);
	feed_import_stats_release(&st);

	/* not an archive at all */
	write_file(dir, "plain.txt", "hello");
	free(zip);
	zip = path_join(dir, "plain.txt");
	ck_assert_int_eq(feed_import_osv(&f, zip, NULL, NULL, NULL), WS_EPARSE);
	ck_assert(strstr(ws_error_last(), "plain.txt: not a directory"));
	rm_rf(dir);
	free(big);
	free(escaped);
	free(zip);
	free(dir);
}
END_TEST

/* ---- CSV ---- */

START_TEST(csv_datadog_consolidated_shape)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	const struct feed_package *p;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_csv(&f, FEEDS_DATA
					 "/csv/datadog-consolidated.csv",
					 NULL, NULL, &st),
			 0);
	ck_assert_str_eq(f->id, "datadog-consolidated");
	ck_assert_uint_eq(f->npackages, 6);
	ck_assert_uint_eq(st.taken, 6);
	p = find_pkg(f, "@postman/tunnel-agent");
	ck_assert_uint_eq(p->nversions, 3);
	ck_assert_str_eq(p->versions[2], "0.6.7");
	ck_assert_str_eq(p->meta.source, "datadog, helixguard, koi, "
			 "reversinglabs, stepsecurity, wiz");
	assert_round_trip(f);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(csv_one_version_per_row_merges_by_name)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	const struct feed_package *p;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_csv(&f, FEEDS_DATA
					 "/csv/datadog-shai-hulud-2.0.csv",
					 "sh2", "Shai-Hulud 2.0", &st),
			 0);
	ck_assert_uint_eq(st.taken, 8);
	ck_assert_uint_eq(f->npackages, 5);
	p = find_pkg(f, "@asyncapi/specs");
	ck_assert_uint_eq(p->nversions, 3);
	ck_assert_str_eq(p->versions[0], "6.8.2");
	ck_assert_str_eq(p->versions[2], "6.10.1");
	ck_assert_str_eq(p->meta.source, "datadog-shai-hulud-2.0.csv");
	ck_assert_str_eq(f->sources[0], "datadog-shai-hulud-2.0.csv");
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(csv_ecosystem_column_keeps_npm_only)
{
	struct feed_import_stats st;
	struct feed *f = NULL;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_csv(&f, FEEDS_DATA
					 "/csv/datadog-teampcp.csv",
					 NULL, NULL, &st),
			 0);
	ck_assert_uint_eq(f->npackages, 3);
	ck_assert_uint_eq(st.ignored, 2);
	ck_assert_ptr_null(find_pkg(f, "litellm"));
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(csv_wiz_and_joined_version_shapes)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	const struct feed_package *p;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_csv(&f, FEEDS_DATA "/csv/wiz-shape.csv",
					 NULL, NULL, &st),
			 0);
	ck_assert_uint_eq(f->npackages, 4);
	p = find_pkg(f, "@postman/tunnel-agent");
	ck_assert_uint_eq(p->nversions, 3);
	ck_assert_str_eq(p->versions[0], "0.6.5");
	ck_assert_uint_eq(p->nranges, 0);
	feed_free(f);
	ck_assert_int_eq(feed_import_csv(&f, FEEDS_DATA
					 "/csv/package-versions.csv",
					 NULL, NULL, &st),
			 0);
	ck_assert_uint_eq(find_pkg(f, "@ctrl/tinycolor")->nversions, 2);
	ck_assert_uint_eq(find_pkg(f, "ngx-bootstrap")->nversions, 7);
	ck_assert_uint_eq(find_pkg(f, "rxnt-authentication")->nversions, 4);
	ck_assert_uint_eq(st.skipped, 0);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(csv_quotes_follow_rfc4180)
{
	struct feed_import_stats st;
	struct feed *f;
	const struct feed_package *p;

	memset(&st, 0, sizeof(st));
	f = import_buf(FEED_FROM_CSV,
		"\xEF\xBB\xBF" "Name,Version,Source\r\n"
		"\"a\",\"1.0.0\",\"vendor \"\"x\"\"\"\r\n"
		"\r\n"
		"b,\">=1.0.0 <1.0.3\",\"one, two\"\r\n"
		"c,\"2.0.0\n\",y\n", &st);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_uint_eq(f->npackages, 3);
	p = find_pkg(f, "a");
	ck_assert_str_eq(p->meta.source, "vendor \"x\"");
	p = find_pkg(f, "b");
	ck_assert_uint_eq(p->nranges, 1);
	ck_assert_str_eq(p->range_texts[0], ">=1.0.0 <1.0.3");
	ck_assert_str_eq(p->meta.source, "one, two");
	ck_assert_str_eq(find_pkg(f, "c")->versions[0], "2.0.0");
	assert_round_trip(f);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(csv_malformed_rows_are_reported_and_skipped)
{
	struct feed_import_stats st;
	struct feed *f;

	memset(&st, 0, sizeof(st));
	f = import_buf(FEED_FROM_CSV,
		"package,versions\n"
		"good,1.0.0\n"
		"\"bad\"x,1.0.0\n"
		"short\n"
		"nover,not-a-version\n"
		"empty,\n"
		"every,*\n"
		"sp ace,1.0.0\n"
		"good2,\"2.0.0||2.0.1\"\n"
		"open,\"1.0.0\n", &st);
	ck_assert_uint_eq(f->npackages, 2);
	ck_assert_uint_eq(st.taken, 2);
	ck_assert_uint_eq(st.ignored, 1);
	ck_assert_uint_eq(st.skipped, 6);
	ck_assert(has_message(&st, "in.txt:3: text after a closing quote"));
	ck_assert(has_message(&st, "in.txt:4: expected at least 2 fields, found 1"));
	ck_assert(has_message(&st, "in.txt:5: \"not-a-version\" is not a version or a range"));
	ck_assert(has_message(&st, "in.txt:6: no version"));
	ck_assert(has_message(&st, "in.txt:8: the package name contains a space"));
	ck_assert(has_message(&st, "in.txt:10: unterminated quoted field"));
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(csv_needs_a_known_header)
{
	char buf[] = "02-echo,0.0.7\n";
	struct feed *f = NULL;

	ck_assert_int_eq(feed_import_buffer(&f, FEED_FROM_CSV, buf,
					    strlen(buf), "x.csv", NULL, NULL,
					    NULL),
			 WS_EPARSE);
	ck_assert(strstr(ws_error_last(), "x.csv:1: unrecognised CSV header"));
	ck_assert_ptr_null(f);
}
END_TEST

/* ---- lists ---- */

START_TEST(list_reads_ecosystem_prefixes)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	const struct feed_package *p;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_list(&f, FEEDS_DATA
					  "/list/cobenian-sample.txt",
					  NULL, NULL, &st),
			 0);
	ck_assert_uint_eq(st.taken, 9);
	ck_assert_uint_eq(st.ignored, 4);	/* pypi, go, composer */
	ck_assert_uint_eq(st.skipped, 0);
	p = find_pkg(f, "@tanstack/react-router");
	ck_assert_uint_eq(p->nversions, 2);
	ck_assert_str_eq(p->meta.source, "cobenian-sample.txt");
	assert_round_trip(f);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(list_reads_at_form_with_scopes)
{
	struct feed_import_stats st;
	struct feed *f = NULL;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_list(&f, FEEDS_DATA
					  "/list/safedep-at.txt",
					  NULL, NULL, &st),
			 0);
	ck_assert_uint_eq(f->npackages, 2);
	ck_assert_uint_eq(find_pkg(f, "@ctrl/tinycolor")->nversions, 2);
	ck_assert_ptr_nonnull(find_pkg(f, "@crowdstrike/logscale-dashboard"));
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

/*
 * A bracketed range ("[1]", as some lists write versions) is stored
 * without its brackets: the written feed must parse again (found by the
 * fuzzing campaign: the import kept "[1]", which the reader refuses).
 */
START_TEST(list_stores_bracketed_ranges_as_parsed)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	char buf[] = "cadva: [1]\nother: [ ^2.0 ]\n";
	const struct feed_package *p;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_buffer(&f, FEED_FROM_LIST, buf,
					    sizeof(buf) - 1, "l.txt", NULL,
					    NULL, &st), 0);
	p = find_pkg(f, "cadva");
	ck_assert_uint_eq(p->nranges, 1);
	ck_assert_str_eq(p->range_texts[0], "1");
	p = find_pkg(f, "other");
	ck_assert_uint_eq(p->nranges, 1);
	ck_assert_str_eq(p->range_texts[0], "^2.0");
	assert_round_trip(f);
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(list_reports_bad_lines)
{
	struct feed_import_stats st;
	struct feed *f;

	memset(&st, 0, sizeof(st));
	f = import_buf(FEED_FROM_LIST,
		"# comment\n"
		"\n"
		"  ok:1.0.0   # trailing comment\r\n"
		"npm:explicit:2.0.0\n"
		"@scope/only-name\n"
		"noversion:\n"
		"bad:1.0.0.0.0\n"
		"with space:1.0.0\n"
		"ranged@>=1.0.0 <1.0.2\n", &st);
	ck_assert_uint_eq(f->npackages, 3);
	ck_assert_str_eq(find_pkg(f, "ok")->versions[0], "1.0.0");
	ck_assert_ptr_nonnull(find_pkg(f, "explicit"));
	ck_assert_str_eq(find_pkg(f, "ranged")->range_texts[0],
			 ">=1.0.0 <1.0.2");
	ck_assert_uint_eq(st.skipped, 4);
	ck_assert(has_message(&st, "in.txt:5: expected name:version or name@version"));
	ck_assert(has_message(&st, "in.txt:6: no version"));
	ck_assert(has_message(&st, "in.txt:7: \"1.0.0.0.0\" is not a version"));
	ck_assert(has_message(&st, "in.txt:8: the package name"));
	feed_free(f);
	feed_import_stats_release(&st);
}
END_TEST

START_TEST(import_messages_are_bounded)
{
	size_t n = 12000, i;
	struct strbuf sb;
	struct feed_import_stats st;
	struct feed *f = NULL;

	strbuf_init(&sb, 1u << 20);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(strbuf_addstr(&sb, "no-version-here\n"), 0);
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(feed_import_buffer(&f, FEED_FROM_LIST, sb.buf, sb.len,
					    "many.txt", NULL, NULL, &st),
			 0);
	ck_assert_uint_eq(st.skipped, n);
	ck_assert_uint_eq(st.nmessages, 10000);
	feed_free(f);
	feed_import_stats_release(&st);
	strbuf_release(&sb);
}
END_TEST

START_TEST(import_rejects_bad_ids)
{
	char buf[] = "a:1.0.0\n";
	struct feed *f = NULL;

	ck_assert_int_eq(feed_import_buffer(&f, FEED_FROM_LIST, buf,
					    strlen(buf), "x.txt", "no spaces",
					    NULL, NULL),
			 WS_EPARSE);
	ck_assert(strstr(ws_error_last(), "invalid feed id"));
	ck_assert_ptr_null(f);
}
END_TEST

static Suite *
feed_suite(void)
{
	Suite *s = suite_create("feed");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_reads_every_kind);
	tcase_add_test(tc, parse_canonicalises_and_sorts_versions);
	tcase_add_test(tc, parse_ignores_unknown_keys);
	tcase_add_test(tc, parse_accepts_an_empty_feed);
	tcase_add_test(tc, parse_rejects_wrong_type_with_position);
	tcase_add_test(tc, parse_rejects_bad_hex_digest);
	tcase_add_test(tc, parse_rejects_invalid_versions_and_ranges);
	tcase_add_test(tc, parse_rejects_missing_name_or_source);
	tcase_add_test(tc, parse_rejects_unknown_kinds_and_severities);
	tcase_add_test(tc, parse_rejects_wrong_format_and_id);
	tcase_add_test(tc, parse_accepts_date_times);
	tcase_add_test(tc, parse_rejects_duplicate_keys);
	tcase_add_test(tc, parse_rejects_control_characters);
	tcase_add_test(tc, parse_reports_json_errors_with_position);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, limit_name_length);
	tcase_add_test(tc, limit_entries);
	tcase_add_test(tc, limit_file_size);
	tcase_add_test(tc, import_messages_are_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_test(tc, write_round_trips);
	tcase_add_test(tc, write_sorts_by_name_stably);
	tcase_add_test(tc, write_reports_io_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, match_exact_versions);
	tcase_add_test(tc, match_ranges_report_the_range);
	tcase_add_test(tc, match_needs_name_and_semver_version);
	tcase_add_test(tc, match_reports_every_feed_listing_a_name);
	tcase_add_test(tc, match_sha256);
	tcase_add_test(tc, match_large_feed);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, load_dir_reads_sorted_json_files);
	tcase_add_test(tc, load_all_finds_bundled_and_extra_feeds);
	tcase_add_test(tc, load_all_rejects_one_id_from_two_files);
	tcase_add_test(tc, load_all_reports_a_malformed_feed);
	suite_add_tcase(s, tc);

	tc = tcase_create("osv");
	tcase_add_test(tc, osv_prefers_explicit_versions);
	tcase_add_test(tc, osv_never_takes_every_version);
	tcase_add_test(tc, osv_turns_events_into_ranges);
	tcase_add_test(tc, osv_source_from_database_specific);
	tcase_add_test(tc, osv_ignores_out_of_scope_records);
	tcase_add_test(tc, osv_skips_malformed_records_and_says_which);
	tcase_add_test(tc, osv_directory_is_walked_with_bounds);
	tcase_add_test(tc, osv_zip_is_read_in_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("csv");
	tcase_add_test(tc, csv_datadog_consolidated_shape);
	tcase_add_test(tc, csv_one_version_per_row_merges_by_name);
	tcase_add_test(tc, csv_ecosystem_column_keeps_npm_only);
	tcase_add_test(tc, csv_wiz_and_joined_version_shapes);
	tcase_add_test(tc, csv_quotes_follow_rfc4180);
	tcase_add_test(tc, csv_malformed_rows_are_reported_and_skipped);
	tcase_add_test(tc, csv_needs_a_known_header);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_add_test(tc, list_reads_ecosystem_prefixes);
	tcase_add_test(tc, list_reads_at_form_with_scopes);
	tcase_add_test(tc, list_reports_bad_lines);
	tcase_add_test(tc, list_stores_bracketed_ranges_as_parsed);
	tcase_add_test(tc, import_rejects_bad_ids);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(feed_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
