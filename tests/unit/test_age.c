/*
 * The release-age check over hand-built inventories, against the loopback
 * test registry (tests/registry/server.py) started per test on 127.0.0.1
 * with a random port; packuments and caches are made in a mkdtemp
 * directory under $TMPDIR.
 */
#define _DEFAULT_SOURCE
#include "age/age.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "regserver.h"
#include "util/banned.h"

#define DAY 86400
/* 2026-12-04T12:00:00Z */
#define NOW ((time_t)1796385600)

static char tmp_root[4096];
static char reg_root[4200];
static char cache_path[4300];
static struct regserver srv;

/* ---- helpers ---- */

/*
 * A packument for name: versions[i] published at times[i] (seconds from
 * the epoch; 0 leaves the version out of `time`).
 */
static void
packument(const char *name, const char *const *versions, const time_t *times,
	  size_t n)
{
	struct strbuf sb;
	char t[21];
	size_t i;

	strbuf_init(&sb, 1 << 20);
	strbuf_addf(&sb, "{\"name\":\"%s\",\"time\":{"
		    "\"created\":\"2019-01-01T00:00:00.000Z\"", name);
	for (i = 0; i < n; i++) {
		if (!times[i])
			continue;
		policy_format_time(t, times[i]);
		strbuf_addf(&sb, ",\"%s\":\"%s\"", versions[i], t);
	}
	strbuf_addstr(&sb, "},\"versions\":{");
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s\"%s\":{}", i ? "," : "", versions[i]);
	strbuf_addstr(&sb, "}}");
	regserver_write_doc(reg_root, name, sb.buf);
	strbuf_release(&sb);
}

static void
packument1(const char *name, const char *version, time_t published)
{
	packument(name, &version, &published, 1);
}

static uint32_t
add_pkg(struct tree *t, const char *loc, const char *name, const char *ver,
	enum tree_source src)
{
	uint32_t i;

	ck_assert_int_eq(tree_add_node(t, loc, &i), 0);
	t->nodes[i].name = tree_strdup(t, name);
	t->nodes[i].version = tree_strdup(t, ver);
	t->nodes[i].source = (uint8_t)src;
	return i;
}

/* A tree: the root app@1.0.0 depending on each of names[i]@versions[i]. */
static struct tree *
make_tree(const char *file, const char *const *names,
	  const char *const *versions, const enum tree_source *sources,
	  size_t n)
{
	struct tree *t;
	char loc[512];
	uint32_t root;
	size_t i;

	tree_new(&t, file, "package-lock v3");
	root = add_pkg(t, "", "app", "1.0.0", TREE_SOURCE_REGISTRY);
	t->nodes[root].flags |= TREE_TARGET;
	for (i = 0; i < n; i++)
		ck_assert_int_eq(tree_add_dep(t, root, names[i], NULL,
					      TREE_DEP_PROD), 0);
	for (i = 0; i < n; i++) {
		snprintf(loc, sizeof(loc), "node_modules/%s", names[i]);
		add_pkg(t, loc, names[i], versions[i],
			sources ? sources[i] : TREE_SOURCE_REGISTRY);
	}
	ck_assert_int_eq(tree_resolve(t), 0);
	return t;
}

struct run {
	struct report r;
	struct tree_inv inv;
	struct policy p;
	struct registry_cache *cache;
	struct registry_client *client;
	struct registry_options ro;
	struct age_opts o;
	struct age_stats st;
	int err;
};

static void
run_init(struct run *x, const char *min_age)
{
	int64_t secs;

	memset(x, 0, sizeof(*x));
	report_init(&x->r, "age");
	tree_inv_init(&x->inv);
	policy_init(&x->p);
	if (min_age) {
		ck_assert_int_eq(policy_parse_duration(min_age, &secs), 0);
		ck_assert_int_eq(policy_add_source(&x->p, POLICY_TOOL_CLI,
						   "--min-age", "--min-age",
						   min_age, secs), 0);
		/* policy_add_source() leaves line as it finds it */
		x->p.sources[x->p.nsources - 1].line = 0;
	}
	registry_options_init(&x->ro);
	x->ro.registry = srv.base;
	x->ro.backoff_base_ms = 10;
	x->ro.retries = 1;
	x->ro.noproxy = "127.0.0.1";
	x->ro.timeout_ms = 10000;
}

static void
run_check(struct run *x, int offline)
{
	ck_assert_int_eq(registry_cache_open(&x->cache, cache_path), 0);
	x->ro.cache = x->cache;
	x->ro.offline = offline;
	ck_assert_int_eq(registry_client_new(&x->client, &x->ro), 0);
	tree_inv_index(&x->inv);
	x->o.policy = &x->p;
	x->o.client = x->client;
	x->o.now = NOW;
	x->o.registry = srv.base;
	x->err = age_check(&x->r, &x->inv, &x->o, &x->st);
}

static void
run_release(struct run *x)
{
	registry_client_free(x->client);
	registry_cache_free(x->cache);
	report_release(&x->r);
	tree_inv_release(&x->inv);
	policy_release(&x->p);
}

static const struct report_finding *
finding(const struct report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, id) == 0)
			return &r->findings[i];
	return NULL;
}

static size_t
count_kind(const struct report *r, const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].kind, kind) == 0)
			n++;
	return n;
}

static const char *
evidence(const struct report_finding *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->nevidence; i++)
		if (strcmp(f->evidence[i].key, key) == 0)
			return f->evidence[i].value;
	return NULL;
}

static void
add_tree1(struct run *x, const char *name, const char *version)
{
	tree_inv_add(&x->inv, make_tree("app/package-lock.json", &name,
					&version, NULL, 1));
}

static void
setup(void)
{
	const char *dir = getenv("TMPDIR");

	snprintf(tmp_root, sizeof(tmp_root), "%s/age-XXXXXX",
		 dir && dir[0] ? dir : "/tmp");
	ck_assert_msg(mkdtemp(tmp_root) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(reg_root, sizeof(reg_root), "%s/reg", tmp_root);
	ck_assert_int_eq(mkdir(reg_root, 0700), 0);
	snprintf(cache_path, sizeof(cache_path), "%s/cache/registry.db",
		 tmp_root);
	regserver_start(&srv, reg_root, NULL, NULL);
}

static void
teardown(void)
{
	char cmd[4200];

	regserver_stop(&srv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- verdicts ---- */

START_TEST(young_version_is_reported_with_publish_time_and_age)
{
	struct run x;
	const struct report_finding *f;

	packument1("young", "1.0.1", NOW - DAY - 2 * 3600);
	run_init(&x, "3d");
	add_tree1(&x, "young", "1.0.1");
	run_check(&x, 0);
	ck_assert_int_eq(x.err, 0);
	f = finding(&x.r, "release-age:young@1.0.1");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_HIGH);
	ck_assert_str_eq(f->kind, "release-age");
	ck_assert_str_eq(f->package_name, "young");
	ck_assert_ptr_nonnull(strstr(f->message, "2026-12-03T10:00:00Z"));
	ck_assert_ptr_nonnull(strstr(f->message, "1d 2h"));
	ck_assert_str_eq(evidence(f, "published"), "2026-12-03T10:00:00Z");
	ck_assert_str_eq(evidence(f, "age"), "1d 2h");
	ck_assert_str_eq(evidence(f, "min_age"), "3d 0h");
	ck_assert_str_eq(evidence(f, "policy_source"), "--min-age 3d");
	ck_assert_str_eq(evidence(f, "registry"), srv.base);
	ck_assert_uint_eq(f->npaths, 1);
	ck_assert_uint_eq(f->paths[0].n, 2);
	ck_assert_str_eq(f->paths[0].nodes[0], "app@1.0.0");
	ck_assert_str_eq(f->paths[0].nodes[1], "young@1.0.1");
	ck_assert_uint_eq(x.st.packages, 1);
	ck_assert_uint_eq(x.st.names, 1);
	ck_assert_uint_eq(x.r.nfindings, 1);
	run_release(&x);
}
END_TEST

START_TEST(version_exactly_min_age_old_is_not_reported)
{
	struct run x;

	packument1("edge", "2.0.0", NOW - 3 * DAY);
	run_init(&x, "3d");
	add_tree1(&x, "edge", "2.0.0");
	run_check(&x, 0);
	ck_assert_int_eq(x.err, 0);
	ck_assert_uint_eq(x.r.nfindings, 0);
	run_release(&x);
}
END_TEST

START_TEST(missing_version_is_reported_high)
{
	struct run x;
	const struct report_finding *f;

	packument1("gone", "1.0.4", NOW - 400 * DAY);
	run_init(&x, "1d");
	add_tree1(&x, "gone", "1.0.5");
	run_check(&x, 0);
	f = finding(&x.r, "release-missing:gone@1.0.5");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_HIGH);
	run_release(&x);
}
END_TEST

START_TEST(package_unknown_to_registry_is_reported_missing)
{
	struct run x;
	const struct report_finding *f;

	run_init(&x, "1d");
	add_tree1(&x, "nosuch", "1.0.0");
	run_check(&x, 0);
	ck_assert_int_eq(x.err, 0);
	f = finding(&x.r, "release-missing:nosuch@1.0.0");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "does not know the package"));
	run_release(&x);
}
END_TEST

START_TEST(version_older_than_its_predecessor_is_out_of_order)
{
	static const char *const v[] = { "1.0.1", "1.0.2" };
	const time_t t[] = { NOW - 300 * DAY, NOW - 700 * DAY };
	struct run x;
	const struct report_finding *f;

	packument("@sc/ooo", v, t, 2);
	run_init(&x, "1d");
	add_tree1(&x, "@sc/ooo", "1.0.2");
	run_check(&x, 0);
	f = finding(&x.r, "release-out-of-order:@sc/ooo@1.0.2");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_MEDIUM);
	ck_assert_str_eq(evidence(f, "predecessor"), "1.0.1");
	ck_assert_uint_eq(x.r.nfindings, 1);
	run_release(&x);
}
END_TEST

START_TEST(young_and_out_of_order_gives_both_findings)
{
	static const char *const v[] = { "1.0.1", "1.0.2" };
	const time_t t[] = { NOW - 3600, NOW - 3 * DAY };
	struct run x;

	packument("both", v, t, 2);
	run_init(&x, "7d");
	add_tree1(&x, "both", "1.0.2");
	run_check(&x, 0);
	ck_assert_ptr_nonnull(finding(&x.r, "release-age:both@1.0.2"));
	ck_assert_ptr_nonnull(finding(&x.r, "release-out-of-order:both@1.0.2"));
	run_release(&x);
}
END_TEST

START_TEST(excluded_young_package_is_not_reported)
{
	struct run x;

	packument1("@corp/lib", "1.0.0", NOW - 3600);
	run_init(&x, "7d");
	ck_assert_int_eq(policy_add_exclude(&x.p, POLICY_TOOL_CLI, "@corp/*",
					    "--exclude", "--exclude"), 0);
	add_tree1(&x, "@corp/lib", "1.0.0");
	run_check(&x, 0);
	ck_assert_int_eq(x.err, 0);
	ck_assert_uint_eq(x.r.nfindings, 0);
	run_release(&x);
}
END_TEST

START_TEST(non_registry_sources_are_reported_unchecked)
{
	static const char *const names[] = { "ws", "fromgit", "local" };
	static const char *const vers[] = { "0.1.0", "1.0.0", "2.0.0" };
	static const enum tree_source src[] = {
		TREE_SOURCE_WORKSPACE, TREE_SOURCE_GIT, TREE_SOURCE_FILE,
	};
	struct run x;
	const struct report_finding *f;

	run_init(&x, "1d");
	tree_inv_add(&x.inv, make_tree("app/package-lock.json", names, vers,
				       src, 3));
	run_check(&x, 0);
	ck_assert_int_eq(x.err, 0);
	ck_assert_uint_eq(count_kind(&x.r, "release-unchecked"), 3);
	f = finding(&x.r, "release-unchecked:fromgit@1.0.0");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_INFO);
	ck_assert_str_eq(evidence(f, "source"), "git");
	/* nothing was asked of the registry */
	ck_assert_int_eq(regserver_requests(&srv), 0);
	ck_assert_uint_eq(x.st.names, 0);
	run_release(&x);
}
END_TEST

/* ---- batching ---- */

START_TEST(versions_of_one_name_share_one_request)
{
	static const char *const v[] = { "1.0.0", "2.0.0" };
	const time_t t[] = { NOW - 100 * DAY, NOW - 3600 };
	struct run x;

	packument("multi", v, t, 2);
	run_init(&x, "1d");
	add_tree1(&x, "multi", "1.0.0");
	tree_inv_add(&x.inv, make_tree("other/package-lock.json",
				       (const char *const[]){ "multi" },
				       (const char *const[]){ "2.0.0" },
				       NULL, 1));
	run_check(&x, 0);
	ck_assert_int_eq(regserver_requests(&srv), 1);
	ck_assert_uint_eq(x.st.names, 1);
	ck_assert_uint_eq(x.st.packages, 2);
	ck_assert_ptr_nonnull(finding(&x.r, "release-age:multi@2.0.0"));
	ck_assert_ptr_null(finding(&x.r, "release-age:multi@1.0.0"));
	ck_assert_str_eq(finding(&x.r, "release-age:multi@2.0.0")->target,
			 "other/package-lock.json");
	run_release(&x);
}
END_TEST

START_TEST(package_in_two_inputs_is_reported_for_each)
{
	struct run x;

	packument1("dup", "1.0.0", NOW - 60);
	run_init(&x, "1d");
	add_tree1(&x, "dup", "1.0.0");
	tree_inv_add(&x.inv, make_tree("other/package-lock.json",
				       (const char *const[]){ "dup" },
				       (const char *const[]){ "1.0.0" },
				       NULL, 1));
	run_check(&x, 0);
	ck_assert_uint_eq(count_kind(&x.r, "release-age"), 2);
	ck_assert_int_eq(regserver_requests(&srv), 1);
	run_release(&x);
}
END_TEST

/* ---- offline and failures ---- */

START_TEST(offline_with_warm_cache_makes_no_request)
{
	struct run x;

	packument1("warm", "1.0.0", NOW - 3600);
	run_init(&x, "1d");
	add_tree1(&x, "warm", "1.0.0");
	run_check(&x, 0);
	ck_assert_int_eq(regserver_requests(&srv), 1);
	run_release(&x);

	run_init(&x, "1d");
	add_tree1(&x, "warm", "1.0.0");
	run_check(&x, 1);
	ck_assert_int_eq(x.err, 0);
	ck_assert_int_eq(regserver_requests(&srv), 1);
	ck_assert_ptr_nonnull(finding(&x.r, "release-age:warm@1.0.0"));
	ck_assert_uint_eq(x.st.registry.requests, 0);
	run_release(&x);
}
END_TEST

START_TEST(offline_without_cache_reports_unchecked)
{
	struct run x;
	const struct report_finding *f;

	packument1("cold", "1.0.0", NOW - 3600);
	run_init(&x, "1d");
	add_tree1(&x, "cold", "1.0.0");
	run_check(&x, 1);
	ck_assert_int_eq(x.err, 0);
	ck_assert_int_eq(regserver_requests(&srv), 0);
	f = finding(&x.r, "release-unchecked:cold@1.0.0");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "offline"));
	run_release(&x);
}
END_TEST

START_TEST(unreachable_registry_is_enet_with_unchecked_findings)
{
	struct run x;

	regserver_stop(&srv);
	run_init(&x, "1d");
	add_tree1(&x, "any", "1.0.0");
	run_check(&x, 0);
	ck_assert_int_eq(x.err, WS_ENET);
	ck_assert_ptr_nonnull(finding(&x.r, "release-unchecked:any@1.0.0"));
	ck_assert_uint_ge(x.r.nerrors, 1);
	run_release(&x);
}
END_TEST

START_TEST(malformed_publish_time_is_unchecked_not_fatal)
{
	struct run x;
	char path[4400];

	snprintf(path, sizeof(path), "%s/bad.json", reg_root);
	write_file(path, "{\"name\":\"bad\",\"time\":{\"1.0.0\":\"yesterday\"},"
		   "\"versions\":{\"1.0.0\":{}}}");
	packument1("fine", "1.0.0", NOW - 3600);
	run_init(&x, "1d");
	tree_inv_add(&x.inv, make_tree("app/package-lock.json",
				       (const char *const[]){ "bad", "fine" },
				       (const char *const[]){ "1.0.0", "1.0.0" },
				       NULL, 2));
	run_check(&x, 0);
	ck_assert_int_eq(x.err, 0);
	ck_assert_ptr_nonnull(finding(&x.r, "release-unchecked:bad@1.0.0"));
	ck_assert_ptr_nonnull(finding(&x.r, "release-age:fine@1.0.0"));
	run_release(&x);
}
END_TEST

static Suite *
age_suite(void)
{
	Suite *s = suite_create("age");
	TCase *tc;

	tc = tcase_create("verdicts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, young_version_is_reported_with_publish_time_and_age);
	tcase_add_test(tc, version_exactly_min_age_old_is_not_reported);
	tcase_add_test(tc, missing_version_is_reported_high);
	tcase_add_test(tc, package_unknown_to_registry_is_reported_missing);
	tcase_add_test(tc, version_older_than_its_predecessor_is_out_of_order);
	tcase_add_test(tc, young_and_out_of_order_gives_both_findings);
	tcase_add_test(tc, excluded_young_package_is_not_reported);
	tcase_add_test(tc, non_registry_sources_are_reported_unchecked);
	suite_add_tcase(s, tc);

	tc = tcase_create("batching");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, versions_of_one_name_share_one_request);
	tcase_add_test(tc, package_in_two_inputs_is_reported_for_each);
	suite_add_tcase(s, tc);

	tc = tcase_create("offline_and_failures");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, offline_with_warm_cache_makes_no_request);
	tcase_add_test(tc, offline_without_cache_reports_unchecked);
	tcase_add_test(tc, unreachable_registry_is_enet_with_unchecked_findings);
	tcase_add_test(tc, malformed_publish_time_is_unchecked_not_fatal);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(age_suite());
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
