/* git: sharding, dates, the result JSON (written, read back, merged) and
 * the resume state. Repositories themselves are swept in sweep_cli.py. */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "git/sweep.h"
#include "json/json.h"
#include "util/error.h"
#include "util/xalloc.h"

START_TEST(shard_hash_is_fnv1a_64)
{
	ck_assert_uint_eq(sweep_shard_hash(""), 0xcbf29ce484222325ull);
	ck_assert_uint_eq(sweep_shard_hash("a"), 0xaf63dc4c8601ec8cull);
	ck_assert_uint_eq(sweep_shard_hash("foobar"), 0x85944171f73967e8ull);
}
END_TEST

START_TEST(shard_parse_accepts_k_below_n)
{
	unsigned k = 9, n = 9;

	ck_assert_int_eq(sweep_shard_parse("0/1", &k, &n), 0);
	ck_assert_uint_eq(k, 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(sweep_shard_parse("6/7", &k, &n), 0);
	ck_assert_uint_eq(k, 6);
	ck_assert_uint_eq(n, 7);
	ck_assert_int_eq(sweep_shard_parse("7/7", &k, &n), WS_EPARSE);
	ck_assert_int_eq(sweep_shard_parse("1/0", &k, &n), WS_EPARSE);
	ck_assert_int_eq(sweep_shard_parse("-1/4", &k, &n), WS_EPARSE);
	ck_assert_int_eq(sweep_shard_parse("1/4x", &k, &n), WS_EPARSE);
	ck_assert_int_eq(sweep_shard_parse("1", &k, &n), WS_EPARSE);
	ck_assert_int_eq(sweep_shard_parse("0/65537", &k, &n), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "0/65537"));
}
END_TEST

START_TEST(shards_partition_any_list)
{
	char name[64];
	unsigned n, i, k;

	for (n = 1; n <= 9; n++)
		for (i = 0; i < 500; i++) {
			unsigned owners = 0;

			snprintf(name, sizeof(name), "/srv/git/team-%u/repo-%u.git",
				 i % 7, i);
			for (k = 0; k < n; k++)
				owners += (unsigned)sweep_shard_has(name, k, n);
			ck_assert_uint_eq(owners, 1);
		}
}
END_TEST

START_TEST(dates_are_utc)
{
	int64_t t = 0;

	ck_assert_int_eq(sweep_parse_date("2026-05-11", &t), 0);
	ck_assert_int_eq(t, 1778457600);
	ck_assert_int_eq(sweep_parse_date("2026-05-11T01:02:03Z", &t), 0);
	ck_assert_int_eq(t, 1778457600 + 3723);
	ck_assert_int_eq(sweep_parse_date("2026-05-11T01:02:03.250Z", &t), 0);
	ck_assert_int_eq(sweep_parse_date("2026-13-01", &t), WS_EPARSE);
	ck_assert_int_eq(sweep_parse_date("2026-02-30", &t), WS_EPARSE);
	ck_assert_int_eq(sweep_parse_date("2026-05-11T03:02:03+02:00", &t), 0);
	ck_assert_int_eq(t, 1778457600 + 3723);
	ck_assert_int_eq(sweep_parse_date("2026-05-11T01:02", &t), WS_EPARSE);
	ck_assert_int_eq(sweep_parse_date("2026-05-11x", &t), WS_EPARSE);
	ck_assert_int_eq(sweep_parse_date("yesterday", &t), WS_EPARSE);
	ck_assert_int_eq(sweep_default_since(NULL), 0);
}
END_TEST

/*
 * The history starts a month before the earliest compromise the feeds
 * cover: first_seen, not published (the bundled feeds were built months
 * after the waves they list).
 */
START_TEST(default_since_prefers_first_seen)
{
	char a[] = "{\"format\": \"wormsign-feed/1\", \"id\": \"a\", "
		   "\"published\": \"2026-08-21\", \"first_seen\": \"2025-09-16\"}";
	char b[] = "{\"format\": \"wormsign-feed/1\", \"id\": \"b\", "
		   "\"published\": \"2026-01-10\"}";
	struct feed *fa = NULL, *fb = NULL;
	struct feed_set set;
	int64_t t;

	ck_assert_int_eq(feed_parse(&fa, a, sizeof(a) - 1, "a.json"), 0);
	ck_assert_int_eq(feed_parse(&fb, b, sizeof(b) - 1, "b.json"), 0);
	feed_set_init(&set);
	feed_set_add(&set, fb);
	feed_set_index(&set);
	ck_assert_int_eq(sweep_parse_date("2026-01-10", &t), 0);
	ck_assert_int_eq(sweep_default_since(&set), t - 30 * 86400);
	feed_set_add(&set, fa);
	feed_set_index(&set);
	ck_assert_int_eq(sweep_parse_date("2025-09-16", &t), 0);
	ck_assert_int_eq(sweep_default_since(&set), t - 30 * 86400);
	feed_set_release(&set);
	feed_free(fa);
	feed_free(fb);
}
END_TEST

static void
sample(struct sweep_result *res, const char *repo)
{
	struct report_evidence ev[1] = { { "refs", "HEAD refs/heads/main" } };
	const char *nodes[2] = { "app@1.0.0", "evil@1.0.1" };
	struct report_path path = { nodes, 2 };
	struct report_finding f;
	struct sweep_exposure *e;

	sweep_result_init(res, repo);
	res->head = xstrdup("0123456789abcdef0123456789abcdef01234567");
	res->state = xstrdup("ab");
	memset(&f, 0, sizeof(f));
	f.id = "ioc-package:evil@1.0.1:t";
	f.kind = "ioc-package";
	f.severity = REPORT_CRITICAL;
	f.target = repo;
	f.package_name = "evil";
	f.package_version = "1.0.1";
	f.paths = &path;
	f.npaths = 1;
	f.file = "package-lock.json";
	f.line = 7;
	f.message = "evil@1.0.1 \"quoted\"\nline";
	f.feed = "t";
	f.evidence = ev;
	f.nevidence = 1;
	report_add(&res->findings, &f);
	res->exposure = xcalloc(1, sizeof(*e));
	e = &res->exposure[res->nexposure++];
	e->package = xstrdup("evil");
	e->version = xstrdup("1.0.1");
	e->feed = xstrdup("t");
	e->severity = REPORT_HIGH;
	e->first_commit = xstrdup("1111111111111111111111111111111111111111");
	e->first_date = xstrdup("2026-05-11T00:00:00Z");
	e->last_commit = xstrdup("2222222222222222222222222222222222222222");
	e->last_date = xstrdup("2026-05-12T00:00:00Z");
	e->refs = xcalloc(2, sizeof(char *));
	e->refs[e->nrefs++] = xstrdup("refs/heads/main");
	e->refs[e->nrefs++] = xstrdup("refs/tags/v1");
	e->files = xcalloc(1, sizeof(char *));
	e->files[e->nfiles++] = xstrdup("package-lock.json");
	e->still_locked = 1;
	sweep_result_error(res, "%s: commit %s: object not found", repo, "33");
	sweep_result_assess(res, REPORT_HIGH);
}

struct collect {
	struct sweep_set set;
};

static void
collect(struct sweep_result *res, void *payload)
{
	sweep_set_add(payload, res);
}

START_TEST(result_round_trips_through_a_json_line)
{
	struct sweep_result a;
	struct sweep_set set;
	char *line, *again;
	size_t len, len2;

	sample(&a, "repos/one");
	ck_assert_int_eq(a.affected, 1);
	line = sweep_result_line(&a, &len);
	ck_assert_ptr_null(memchr(line, '\n', len));
	sweep_set_init(&set);
	ck_assert_int_eq(sweep_read_buffer(line, len, "x.jsonl", collect, &set), 0);
	ck_assert_uint_eq(set.n, 1);
	free(line);
	line = sweep_result_line(&a, &len);
	again = sweep_result_line(set.items[0], &len2);
	ck_assert_str_eq(again, line);
	free(line);
	free(again);
	sweep_set_release(&set);
	sweep_result_release(&a);
}
END_TEST

START_TEST(reader_takes_lines_and_reports)
{
	struct sweep_result a, b;
	struct sweep_set set;
	struct report r;
	char *l1, *l2, *buf, *doc = NULL;
	size_t n1, n2, dn = 0;
	FILE *fp;
	struct report_section sec;

	sample(&a, "b-repo");
	sample(&b, "a-repo");
	l1 = sweep_result_line(&a, &n1);
	l2 = sweep_result_line(&b, &n2);
	buf = xmalloc(n1 + n2 + 8);
	snprintf(buf, n1 + n2 + 8, "\n%s\r\n\n%s\n", l1, l2);
	sweep_set_init(&set);
	ck_assert_int_eq(sweep_read_buffer(buf, strlen(buf), "s.jsonl", collect,
					   &set), 0);
	ck_assert_uint_eq(set.n, 2);

	/* the set rendered as a report reads back as the same two */
	report_init(&r, "sweep");
	sweep_set_finish(&set, &r);
	ck_assert_str_eq(set.items[0]->repo, "a-repo");
	ck_assert_uint_eq(r.nfindings, 2);
	ck_assert_uint_eq(r.nerrors, 2);
	sweep_set_section(&set, &sec);
	report_add_section(&r, &sec);
	fp = open_memstream(&doc, &dn);
	ck_assert_int_eq(report_json(fp, &r, "2026-12-04T00:00:00Z"), 0);
	fclose(fp);
	report_release(&r);
	sweep_set_release(&set);
	sweep_set_init(&set);
	ck_assert_int_eq(sweep_read_buffer(doc, dn, "r.json", collect, &set), 0);
	ck_assert_uint_eq(set.n, 2);
	ck_assert_str_eq(set.items[1]->repo, "b-repo");
	ck_assert_uint_eq(set.items[1]->nexposure, 1);
	ck_assert_str_eq(set.items[1]->exposure[0].last_commit,
			 "2222222222222222222222222222222222222222");
	ck_assert_uint_eq(set.items[1]->findings.findings[0].line, 7);
	sweep_set_release(&set);
	free(doc);
	free(buf);
	free(l1);
	free(l2);
	sweep_result_release(&a);
	sweep_result_release(&b);
}
END_TEST

START_TEST(set_keeps_the_last_result_of_a_repo)
{
	struct sweep_result *a = xmalloc(sizeof(*a)), *b = xmalloc(sizeof(*b));
	struct sweep_set set;
	struct report r;

	sample(a, "same");
	sweep_result_init(b, "same");
	sweep_set_init(&set);
	sweep_set_add(&set, a);
	sweep_set_add(&set, b);
	report_init(&r, "sweep");
	sweep_set_finish(&set, &r);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_ptr_eq(set.items[0], b);
	ck_assert_uint_eq(r.nfindings, 0);
	report_release(&r);
	sweep_set_release(&set);
}
END_TEST

static int
read_error(const char *text, const char *want)
{
	struct sweep_set set;
	char *buf = xstrdup(text);
	int err;

	sweep_set_init(&set);
	err = sweep_read_buffer(buf, strlen(buf), "in.jsonl", collect, &set);
	if (want && !strstr(ws_error_last(), want))
		ck_abort_msg("\"%s\" does not contain \"%s\"", ws_error_last(),
			     want);
	sweep_set_release(&set);
	free(buf);
	return err;
}

START_TEST(reader_names_file_and_line)
{
	ck_assert_int_eq(read_error("", "in.jsonl: empty"), WS_EPARSE);
	ck_assert_int_eq(read_error("{\"repo\":\"a\"}\n{\"repo\":1}\n",
				    "in.jsonl:2:"), WS_EPARSE);
	ck_assert_int_eq(read_error("{\"repo\":\"a\"}\n{\"repo\":\n",
				    "in.jsonl:2:"), WS_EPARSE);
	ck_assert_int_eq(read_error("{\"repo\":\"a\",\"findings\":[{\"id\":\"x\"}]}",
				    "\"kind\" is missing"), WS_EPARSE);
	ck_assert_int_eq(read_error("{\"repo\":\"a\",\"findings\":[{\"id\":\"x\",\"kind\":\"k\",\"severity\":\"huge\"}]}",
				    "unknown severity"), WS_EPARSE);
	ck_assert_int_eq(read_error("{\"repo\":\"a\",\"exposure\":{}}",
				    "must be an array"), WS_EPARSE);
	ck_assert_int_eq(read_error("{\n \"schema\": \"wormsign-report/1\"\n}\n",
				    "not a sweep report"), WS_EPARSE);
	ck_assert_int_eq(read_error("{\n \"schema\": \"other/2\", \"repos\": []\n}\n",
				    "not a wormsign-report/1"), WS_EPARSE);
	ck_assert_int_eq(read_error("[1]\n", "expected a JSON object"),
			 WS_EPARSE);
	ck_assert_int_eq(read_error("{\"repo\":\"a\"}\n", NULL), 0);
}
END_TEST

START_TEST(state_returns_results_at_the_same_refs)
{
	char path[] = "sweep-state-XXXXXX";
	struct sweep_state *st = NULL;
	struct sweep_result a, got;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(sweep_state_open(&st, path), 0);
	sample(&a, "r");
	ck_assert_int_eq(sweep_state_put(st, &a), 0);
	ck_assert_int_eq(sweep_state_get(st, "r", "other", &got), 0);
	ck_assert_int_eq(sweep_state_get(st, "nope", "ab", &got), 0);
	ck_assert_int_eq(sweep_state_get(st, "r", "ab", &got), 1);
	ck_assert_int_eq(got.resumed, 1);
	ck_assert_uint_eq(got.findings.nfindings, 1);
	ck_assert_str_eq(got.head, a.head);
	sweep_result_release(&got);
	sweep_result_release(&a);
	sweep_state_close(st);
	unlink(path);
	ck_assert_int_eq(sweep_state_open(&st, "/nonexistent-dir/x/state.db"),
			 WS_EIO);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "/nonexistent-dir/x/state.db"));
}
END_TEST

START_TEST(missing_repository_is_an_error_of_its_result)
{
	struct sweep_opts o;
	struct sweep_result res;

	memset(&o, 0, sizeof(o));
	o.affected_at = REPORT_HIGH;
	sweep_result_init(&res, "/nonexistent/repo");
	ck_assert_int_eq(sweep_repo(&res, "/nonexistent/repo", &o), 0);
	ck_assert_uint_eq(res.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(res.errors[0], "/nonexistent/repo"));
	ck_assert_ptr_null(res.head);
	ck_assert_int_eq(res.affected, 0);
	sweep_result_release(&res);
}
END_TEST

/* The committed fixture (tests/data/git/make-fixtures.sh): evil-pkg@1.0.1
 * locked in the second and third commits of main, dropped in the fourth. */
START_TEST(fixture_mirror_gives_the_exposure_window)
{
	struct feed *f = NULL;
	struct feed_set set;
	struct sweep_opts o;
	struct sweep_result res;
	const struct sweep_exposure *e;

	ck_assert_int_eq(feed_load(&f, TEST_DATA "/git/test-feed.json"), 0);
	feed_set_init(&set);
	feed_set_add(&set, f);
	feed_set_index(&set);
	memset(&o, 0, sizeof(o));
	o.feeds = &set;
	o.affected_at = REPORT_HIGH;
	o.since = sweep_default_since(&set);
	ck_assert_int_eq(o.since, 1780272000 - 30 * 86400);
	sweep_result_init(&res, "exposed.git");
	ck_assert_int_eq(sweep_repo(&res, TEST_DATA "/git/exposed.git", &o), 0);
	ck_assert_uint_eq(res.nerrors, 0);
	ck_assert_str_eq(res.head, "1f2d631052b524e6bf723a4c2d8719537efde785");
	ck_assert_uint_eq(res.commits, 4);
	ck_assert_uint_eq(res.nexposure, 1);
	e = &res.exposure[0];
	ck_assert_str_eq(e->package, "evil-pkg");
	ck_assert_str_eq(e->version, "1.0.1");
	ck_assert_str_eq(e->first_commit, "a96253d5f4768dcd495b058920899749848a96c2");
	ck_assert_str_eq(e->last_commit, "afc8a2f45fd64efba36c37d7c7dc28eece801eee");
	ck_assert_str_eq(e->first_date, "2026-05-29T20:26:40Z");
	ck_assert_str_eq(e->last_date, "2026-05-30T20:26:40Z");
	ck_assert_uint_eq(e->nrefs, 2);
	ck_assert_int_eq(e->still_locked, 0);
	ck_assert_int_eq(res.affected, 1);
	ck_assert_uint_eq(res.findings.nfindings, 1);
	ck_assert_str_eq(res.findings.findings[0].id,
			 "ioc-history:evil-pkg@1.0.1:sweep-test");
	sweep_result_release(&res);

	/* history after the window: nothing */
	o.since = 1780272000;
	sweep_result_init(&res, "exposed.git");
	sweep_repo(&res, TEST_DATA "/git/exposed.git", &o);
	ck_assert_uint_eq(res.nexposure, 0);
	ck_assert_int_eq(res.affected, 0);
	sweep_result_release(&res);
	feed_set_release(&set);
	feed_free(f);
}
END_TEST

static Suite *
sweep_suite(void)
{
	Suite *s = suite_create("git");
	TCase *tc;

	tc = tcase_create("shard");
	tcase_add_test(tc, shard_hash_is_fnv1a_64);
	tcase_add_test(tc, default_since_prefers_first_seen);
	tcase_add_test(tc, shard_parse_accepts_k_below_n);
	tcase_add_test(tc, shards_partition_any_list);
	tcase_add_test(tc, dates_are_utc);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, result_round_trips_through_a_json_line);
	tcase_add_test(tc, reader_takes_lines_and_reports);
	tcase_add_test(tc, set_keeps_the_last_result_of_a_repo);
	tcase_add_test(tc, reader_names_file_and_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("repo");
	tcase_add_test(tc, state_returns_results_at_the_same_refs);
	tcase_add_test(tc, missing_repository_is_an_error_of_its_result);
	tcase_add_test(tc, fixture_mirror_gives_the_exposure_window);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sweep_suite());
	int failed;

	git_libgit2_init();
	sweep_global_setup();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	git_libgit2_shutdown();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
