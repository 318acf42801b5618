/*
 * The registry client and cache against the loopback test registry
 * (tests/registry/server.py), started per test on 127.0.0.1 with a random
 * port; packuments, control files, caches and certificates are made in a
 * mkdtemp directory under $TMPDIR.
 */
#define _DEFAULT_SOURCE
#include "registry/registry.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "regserver.h"
#include "util/banned.h"

#define TOKEN "npm_T0KEN-never-printed-4f2a"
#define TOKEN_HEADER "Bearer " TOKEN
#define MAX_RESULTS 512

static char tmp_root[4096];
static char cache_path[4200];
static struct regserver srv;

/* ---- helpers ---- */

static void
rm_rf(const char *dir)
{
	char cmd[4200];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A packument with versions 1.0.0 .. 1.0.(n-1), one day apart. */
static void
write_packument_in(const char *root, const char *name, int n)
{
	struct strbuf sb;
	int i;

	strbuf_init(&sb, 1 << 20);
	strbuf_addf(&sb, "{\"name\":\"%s\",\"dist-tags\":{\"latest\":\"1.0.%d\"},"
		    "\"time\":{\"created\":\"2020-01-01T00:00:00.000Z\","
		    "\"modified\":\"2020-02-01T00:00:00.000Z\"", name, n - 1);
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, ",\"1.0.%d\":\"2020-01-%02dT00:00:00.000Z\"", i, i + 1);
	strbuf_addstr(&sb, "},\"versions\":{");
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s\"1.0.%d\":{\"name\":\"%s\",\"version\":\"1.0.%d\"}",
			    i ? "," : "", i, name, i);
	strbuf_addstr(&sb, "}}");
	regserver_write_doc(root, name, sb.buf);
	strbuf_release(&sb);
}

static void
write_packument(const char *name, int n)
{
	write_packument_in(tmp_root, name, n);
}

static void
write_control(const char *root, const char *json)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/_control.json", root);
	write_file(path, json);
}

/* The log entry of the last request for name (or NULL): the field's value. */
static char *
server_log_field(const struct regserver *s, const char *name, const char *field,
		 int *found)
{
	struct json_doc doc;
	const struct json_value *e;
	char *buf, *ret = NULL;

	*found = 0;
	regserver_get(s, "stats", &doc, &buf);
	for (e = json_get(doc.root, "log")->u.first; e; e = e->next) {
		const char *n = json_get_str(e, "name");

		if (n && !strcmp(n, name)) {
			const struct json_value *v = json_get(e, field);

			*found = 1;
			free(ret);
			ret = json_is(v, JSON_STRING) ? xstrdup(v->u.str)
			      : json_is(v, JSON_TRUE) ? xstrdup("true") : NULL;
		}
	}
	json_doc_release(&doc);
	free(buf);
	return ret;
}

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- results ---- */

struct result {
	char *name;
	enum registry_status status;
	char *error;
	int has_time;
	int versions;		/* members of doc.versions */
	int calls;
};

struct results {
	struct result r[MAX_RESULTS];
	size_t n;
};

static struct results res;

static void
on_result(const char *name, enum registry_status status,
	  const struct json_value *doc, const char *error, void *payload)
{
	struct results *rs = payload;
	struct result *r = NULL;
	size_t i;

	/* Every message, whatever the failure, is free of the token. */
	if (error) {
		ck_assert_msg(strstr(error, TOKEN) == NULL, "token in error: %s", error);
		ck_assert_msg(strstr(error, "Bearer") == NULL, "auth in error: %s", error);
	}
	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].name, name))
			r = &rs->r[i];
	if (!r) {
		ck_assert_uint_lt(rs->n, MAX_RESULTS);
		r = &rs->r[rs->n++];
		r->name = xstrdup(name);
	}
	r->calls++;
	r->status = status;
	free(r->error);
	r->error = error ? xstrdup(error) : NULL;
	r->has_time = doc && json_is(json_get(doc, "time"), JSON_OBJECT);
	r->versions = 0;
	if (doc && json_is(json_get(doc, "versions"), JSON_OBJECT))
		r->versions = (int)json_get(doc, "versions")->len;
}

static void
results_clear(void)
{
	size_t i;

	for (i = 0; i < res.n; i++) {
		free(res.r[i].name);
		free(res.r[i].error);
	}
	memset(&res, 0, sizeof(res));
}

static struct result *
result(const char *name)
{
	size_t i;

	for (i = 0; i < res.n; i++)
		if (!strcmp(res.r[i].name, name)) {
			ck_assert_int_eq(res.r[i].calls, 1);
			return &res.r[i];
		}
	ck_abort_msg("no result for '%s'", name);
	return NULL;
}

static struct registry_auth test_auth[1];

/* Options for the per-test server: fast backoff, a token for its host. */
static void
options(struct registry_options *o, const char *base)
{
	static char prefix[64];

	registry_options_init(o);
	o->registry = base;
	o->backoff_base_ms = 10;
	o->noproxy = "127.0.0.1";
	o->timeout_ms = 10000;
	snprintf(prefix, sizeof(prefix), "//%s", strstr(base, "//") + 2);
	test_auth[0].prefix = prefix;
	test_auth[0].authorization = TOKEN_HEADER;
	o->auth = test_auth;
	o->nauth = 1;
}

static void
run(const struct registry_options *o, const struct registry_want *w, size_t n,
    struct registry_stats *st)
{
	struct registry_client *c;

	results_clear();
	ck_assert_int_eq(registry_client_new(&c, o), 0);
	ck_assert_int_eq(registry_fetch_packuments(c, w, n, on_result, &res, st), 0);
	registry_client_free(c);
	ck_assert_uint_eq(res.n, n);
}

static void
fetch_names(const struct registry_options *o, const char *const *names,
	    size_t n, struct registry_stats *st)
{
	struct registry_want w[MAX_RESULTS];
	size_t i;

	memset(w, 0, sizeof(w));
	for (i = 0; i < n; i++)
		w[i].name = names[i];
	run(o, w, n, st);
}

static void
setup(void)
{
	const char *dir = getenv("TMPDIR");

	snprintf(tmp_root, sizeof(tmp_root), "%s/registry-XXXXXX",
		 dir && dir[0] ? dir : "/tmp");
	ck_assert_msg(mkdtemp(tmp_root) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(cache_path, sizeof(cache_path), "%s/cache/wormsign/registry.db",
		 tmp_root);
	regserver_start(&srv, tmp_root, NULL, NULL);
}

static void
teardown(void)
{
	regserver_stop(&srv);
	results_clear();
	rm_rf(tmp_root);
}

/* ---- fetching ---- */

START_TEST(fetches_many_packages_concurrently)
{
	static char names[200][16];
	const char *list[200];
	struct registry_options o;
	struct registry_stats st;
	struct strbuf ctl;
	int64_t t0, elapsed;
	char *v;
	int found, i;

	strbuf_init(&ctl, 1 << 20);
	strbuf_addstr(&ctl, "{\"packages\":{");
	for (i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "pkg-%d", i);
		list[i] = names[i];
		write_packument(names[i], 3);
		strbuf_addf(&ctl, "%s\"%s\":{\"delay_ms\":50}", i ? "," : "", names[i]);
	}
	strbuf_addstr(&ctl, "}}");
	write_control(tmp_root, ctl.buf);
	strbuf_release(&ctl);

	options(&o, srv.base);
	o.jobs = 16;
	t0 = ms_now();
	fetch_names(&o, list, 200, &st);
	elapsed = ms_now() - t0;
	for (i = 0; i < 200; i++) {
		struct result *r = result(names[i]);

		ck_assert_msg(r->status == REGISTRY_FETCHED, "%s: %s", names[i],
			      r->error ? r->error : registry_status_name(r->status));
		ck_assert(r->has_time);
		ck_assert_int_eq(r->versions, 3);
	}
	ck_assert_uint_eq(st.fetched, 200);
	ck_assert_uint_eq(st.requests, 200);
	ck_assert_int_eq(regserver_requests(&srv), 200);
	/* serially this is 10 s; 16 at a time is about 0.65 s */
	ck_assert_msg(elapsed < 4000, "took %lld ms", (long long)elapsed);

	v = server_log_field(&srv, "pkg-7", "accept", &found);
	ck_assert_str_eq(v, "application/json");
	free(v);
	v = server_log_field(&srv, "pkg-7", "user_agent", &found);
	ck_assert_msg(v && !strncmp(v, "wormsign/", 9), "user agent %s", v);
	free(v);
}
END_TEST

START_TEST(scoped_names_are_url_encoded)
{
	const char *names[] = { "@scope/pkg" };
	struct registry_options o;
	char *v, *enc;
	int found;

	write_packument("@scope/pkg", 2);
	options(&o, srv.base);
	fetch_names(&o, names, 1, NULL);
	ck_assert_int_eq(result("@scope/pkg")->status, REGISTRY_FETCHED);
	v = server_log_field(&srv, "@scope/pkg", "path", &found);
	ck_assert_str_eq(v, "/@scope%2fpkg");
	free(v);

	ck_assert_int_eq(registry_encode_name(&enc, "@a/b.c_d~e-f"), 0);
	ck_assert_str_eq(enc, "@a%2fb.c_d~e-f");
	free(enc);
	ck_assert_int_eq(registry_encode_name(&enc, "x!y"), 0);
	ck_assert_str_eq(enc, "x%21y");
	free(enc);
}
END_TEST

START_TEST(invalid_names_fail_without_a_request)
{
	const char *names[] = { "../etc/passwd", "a/b", "@scope", "", ".hidden",
				"sp ace", "ok" };
	struct registry_options o;
	size_t i;

	write_packument("ok", 1);
	options(&o, srv.base);
	fetch_names(&o, names, 7, NULL);
	for (i = 0; i < 6; i++)
		ck_assert_msg(result(names[i])->status == REGISTRY_FAILED, "'%s'", names[i]);
	ck_assert_int_eq(result("ok")->status, REGISTRY_FETCHED);
	ck_assert_int_eq(regserver_requests(&srv), 1);
}
END_TEST

START_TEST(unknown_package_is_not_found)
{
	const char *names[] = { "nope" };
	struct registry_options o;

	options(&o, srv.base);
	fetch_names(&o, names, 1, NULL);
	ck_assert_int_eq(result("nope")->status, REGISTRY_NOT_FOUND);
	ck_assert_ptr_null(result("nope")->error);
}
END_TEST

START_TEST(gzip_responses_are_decoded)
{
	const char *names[] = { "gz" };
	struct registry_options o;
	char *v;
	int found;

	write_packument("gz", 40);
	write_control(tmp_root, "{\"packages\":{\"gz\":{\"gzip\":true}}}");
	options(&o, srv.base);
	fetch_names(&o, names, 1, NULL);
	ck_assert_int_eq(result("gz")->status, REGISTRY_FETCHED);
	ck_assert_int_eq(result("gz")->versions, 40);
	v = server_log_field(&srv, "gz", "gzip", &found);
	ck_assert_str_eq(v, "true");
	free(v);
}
END_TEST

/* ---- cache ---- */

START_TEST(cache_covering_wanted_versions_makes_no_request)
{
	static const char *const va[] = { "1.0.0", "1.0.1" };
	static const char *const vb[] = { "1.0.2" };
	static const char *const vnew[] = { "1.0.9" };
	struct registry_want w[] = { { "a", va, 2 }, { "@s/b", vb, 1 } };
	struct registry_want wnew[] = { { "a", vnew, 1 } };
	struct registry_cache *cache;
	struct registry_options o;
	struct registry_stats st;
	int covered;

	write_packument("a", 3);
	write_packument("@s/b", 3);
	ck_assert_int_eq(registry_cache_open(&cache, cache_path), 0);
	options(&o, srv.base);
	o.cache = cache;
	run(&o, w, 2, &st);
	ck_assert_int_eq(result("a")->status, REGISTRY_FETCHED);
	ck_assert_int_eq(result("@s/b")->status, REGISTRY_FETCHED);

	ck_assert_int_eq(registry_cache_covers(cache, "a", va, 2, &covered), 0);
	ck_assert_int_eq(covered, 1);
	ck_assert_int_eq(registry_cache_covers(cache, "a", vnew, 1, &covered), 0);
	ck_assert_int_eq(covered, 0);
	ck_assert_int_eq(registry_cache_covers(cache, "zz", va, 1, &covered), 0);
	ck_assert_int_eq(covered, 0);

	regserver_reset(&srv);
	run(&o, w, 2, &st);
	ck_assert_int_eq(result("a")->status, REGISTRY_CACHED);
	ck_assert_int_eq(result("@s/b")->status, REGISTRY_CACHED);
	ck_assert(result("a")->has_time);
	ck_assert_int_eq(result("a")->versions, 3);
	ck_assert_uint_eq(st.requests, 0);
	ck_assert_int_eq(regserver_requests(&srv), 0);

	/* a version the cache has never seen is asked for */
	run(&o, wnew, 1, &st);
	ck_assert_int_eq(result("a")->status, REGISTRY_REVALIDATED);
	ck_assert_int_eq(regserver_requests(&srv), 1);

	/* a second process sees the same cache */
	{
		struct registry_cache *other;

		ck_assert_int_eq(registry_cache_open(&other, cache_path), 0);
		ck_assert_int_eq(registry_cache_covers(other, "@s/b", vb, 1, &covered), 0);
		ck_assert_int_eq(covered, 1);
		registry_cache_free(other);
	}
	registry_cache_free(cache);
}
END_TEST

START_TEST(refresh_revalidates_with_etag_and_304)
{
	static const char *const va[] = { "1.0.0" };
	struct registry_want w[] = { { "a", va, 1 } };
	struct registry_cache *cache;
	struct registry_options o;
	struct registry_stats st;
	char *inm;
	int found;

	write_packument("a", 2);
	ck_assert_int_eq(registry_cache_open(&cache, cache_path), 0);
	options(&o, srv.base);
	o.cache = cache;
	run(&o, w, 1, &st);
	ck_assert_int_eq(result("a")->status, REGISTRY_FETCHED);

	o.refresh = 1;
	regserver_reset(&srv);
	run(&o, w, 1, &st);
	ck_assert_int_eq(result("a")->status, REGISTRY_REVALIDATED);
	ck_assert(result("a")->has_time);
	ck_assert_int_eq(result("a")->versions, 2);
	inm = server_log_field(&srv, "a", "if_none_match", &found);
	ck_assert_ptr_nonnull(inm);
	ck_assert_int_eq(inm[0], '"');
	free(inm);

	/* the packument changed: a 200 replaces the cached copy */
	write_packument("a", 5);
	run(&o, w, 1, &st);
	ck_assert_int_eq(result("a")->status, REGISTRY_FETCHED);
	o.refresh = 0;
	o.offline = 1;
	run(&o, w, 1, &st);
	ck_assert_int_eq(result("a")->status, REGISTRY_CACHED);
	ck_assert_int_eq(result("a")->versions, 5);
	registry_cache_free(cache);
}
END_TEST

START_TEST(offline_uses_only_the_cache_and_says_what_it_missed)
{
	static const char *const v0[] = { "1.0.0" };
	static const char *const v9[] = { "1.0.9" };
	struct registry_want w1[] = { { "a", v0, 1 } };
	struct registry_want w[] = { { "a", v0, 1 }, { "a2", v9, 0 }, { "zzz", v0, 1 } };
	struct registry_cache *cache;
	struct registry_options o;
	struct registry_stats st;

	write_packument("a", 1);
	write_packument("a2", 1);
	write_packument("zzz", 1);
	ck_assert_int_eq(registry_cache_open(&cache, cache_path), 0);
	options(&o, srv.base);
	o.cache = cache;
	run(&o, w1, 1, &st);
	w1[0].name = "a2";
	run(&o, w1, 1, &st);
	regserver_reset(&srv);

	o.offline = 1;
	w[1].versions = v9;
	w[1].nversions = 1;
	run(&o, w, 3, &st);
	ck_assert_int_eq(result("a")->status, REGISTRY_CACHED);
	ck_assert_int_eq(result("a2")->status, REGISTRY_OFFLINE_STALE);
	ck_assert(result("a2")->has_time);
	ck_assert_int_eq(result("zzz")->status, REGISTRY_OFFLINE_MISSING);
	ck_assert_ptr_nonnull(result("zzz")->error);
	ck_assert_uint_eq(st.offline, 2);
	ck_assert_int_eq(regserver_requests(&srv), 0);
	registry_cache_free(cache);
}
END_TEST

START_TEST(cache_default_path_follows_xdg)
{
	char *p;

	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	ck_assert_int_eq(registry_cache_default_path(&p), 0);
	ck_assert_str_eq(p, "/x/cache/wormsign/registry.db");
	free(p);
	setenv("XDG_CACHE_HOME", "relative", 1);
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(registry_cache_default_path(&p), 0);
	ck_assert_str_eq(p, "/home/u/.cache/wormsign/registry.db");
	free(p);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(registry_cache_default_path(&p), WS_ENOTFOUND);
}
END_TEST

/* ---- failures ---- */

START_TEST(retry_after_is_honoured_and_capped)
{
	const char *names[] = { "busy" };
	struct registry_options o;
	struct registry_stats st;
	int64_t t0, elapsed;

	write_packument("busy", 1);
	write_control(tmp_root, "{\"packages\":{\"busy\":{\"status\":[429],"
		      "\"retry_after\":\"1\"}}}");
	options(&o, srv.base);
	t0 = ms_now();
	fetch_names(&o, names, 1, &st);
	elapsed = ms_now() - t0;
	ck_assert_int_eq(result("busy")->status, REGISTRY_FETCHED);
	ck_assert_uint_eq(st.requests, 2);
	ck_assert_msg(elapsed >= 950, "retried after %lld ms", (long long)elapsed);

	/* an hour is capped at retry_after_max_s */
	regserver_reset(&srv);
	write_control(tmp_root, "{\"packages\":{\"busy\":{\"status\":[503],"
		      "\"retry_after\":\"3600\"}}}");
	o.retry_after_max_s = 1;
	t0 = ms_now();
	fetch_names(&o, names, 1, &st);
	elapsed = ms_now() - t0;
	ck_assert_int_eq(result("busy")->status, REGISTRY_FETCHED);
	ck_assert_msg(elapsed < 3000, "waited %lld ms", (long long)elapsed);
}
END_TEST

START_TEST(server_errors_are_retried_then_succeed)
{
	const char *names[] = { "flaky" };
	struct registry_options o;
	struct registry_stats st;

	write_packument("flaky", 1);
	write_control(tmp_root, "{\"packages\":{\"flaky\":{\"status\":[500,502,503]}}}");
	options(&o, srv.base);
	fetch_names(&o, names, 1, &st);
	ck_assert_int_eq(result("flaky")->status, REGISTRY_FETCHED);
	ck_assert_uint_eq(st.requests, 4);
	ck_assert_int_eq(regserver_requests(&srv), 4);
}
END_TEST

START_TEST(retries_are_bounded)
{
	const char *names[] = { "down", "up" };
	struct registry_options o;
	struct registry_stats st;

	write_packument("down", 1);
	write_packument("up", 1);
	write_control(tmp_root, "{\"packages\":{\"down\":{\"status\":"
		      "[500,500,500,500,500,500,500,500]}}}");
	options(&o, srv.base);
	o.retries = 2;
	fetch_names(&o, names, 2, &st);
	ck_assert_int_eq(result("down")->status, REGISTRY_FAILED);
	ck_assert_ptr_nonnull(strstr(result("down")->error, "HTTP 500"));
	ck_assert_ptr_nonnull(strstr(result("down")->error, "'down'"));
	ck_assert_ptr_nonnull(strstr(result("down")->error, "3 attempts"));
	ck_assert_int_eq(result("up")->status, REGISTRY_FETCHED);
	ck_assert_uint_eq(st.requests, 4);
}
END_TEST

START_TEST(truncated_body_fails_that_package_only)
{
	const char *names[] = { "trunc", "fine" };
	struct registry_options o;
	struct registry_stats st;

	write_packument("trunc", 20);
	write_packument("fine", 1);
	write_control(tmp_root, "{\"packages\":{\"trunc\":{\"truncate\":true}}}");
	options(&o, srv.base);
	o.retries = 1;
	fetch_names(&o, names, 2, &st);
	ck_assert_int_eq(result("trunc")->status, REGISTRY_FAILED);
	ck_assert_ptr_nonnull(strstr(result("trunc")->error, "'trunc'"));
	ck_assert_int_eq(result("fine")->status, REGISTRY_FETCHED);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.requests, 3);
}
END_TEST

START_TEST(oversized_body_fails_that_package_only)
{
	const char *names[] = { "big", "bigchunked", "fine" };
	struct registry_options o;
	struct registry_stats st;

	write_packument("fine", 1);
	write_control(tmp_root, "{\"packages\":{\"big\":{\"oversize\":200000},"
		      "\"bigchunked\":{\"oversize_chunked\":200000}}}");
	options(&o, srv.base);
	o.doc_max = 8192;
	fetch_names(&o, names, 3, &st);
	ck_assert_int_eq(result("big")->status, REGISTRY_FAILED);
	ck_assert_ptr_nonnull(strstr(result("big")->error, "larger than 8192 bytes"));
	ck_assert_int_eq(result("bigchunked")->status, REGISTRY_FAILED);
	ck_assert_ptr_nonnull(strstr(result("bigchunked")->error, "larger than 8192"));
	ck_assert_int_eq(result("fine")->status, REGISTRY_FETCHED);
	/* not retried: the next attempt would be as large */
	ck_assert_uint_eq(st.requests, 3);
}
END_TEST

START_TEST(invalid_json_names_the_package)
{
	const char *names[] = { "bad", "fine" };
	struct registry_options o;

	write_packument("fine", 1);
	write_control(tmp_root, "{\"packages\":{\"bad\":{\"invalid\":true}}}");
	options(&o, srv.base);
	fetch_names(&o, names, 2, NULL);
	ck_assert_int_eq(result("bad")->status, REGISTRY_FAILED);
	ck_assert_ptr_nonnull(strstr(result("bad")->error, "'bad'"));
	ck_assert_ptr_nonnull(strstr(result("bad")->error, "invalid packument"));
	ck_assert_int_eq(result("fine")->status, REGISTRY_FETCHED);

	/* credentials in the registry URL stay out of messages too */
	{
		char base[128];

		snprintf(base, sizeof(base), "http://u:pw-secret@127.0.0.1:%d/", srv.port);
		o.registry = base;
		fetch_names(&o, names, 1, NULL);
		ck_assert_int_eq(result("bad")->status, REGISTRY_FAILED);
		ck_assert_ptr_null(strstr(result("bad")->error, "pw-secret"));
		ck_assert_ptr_nonnull(strstr(result("bad")->error, "http://***@127.0.0.1"));
	}
}
END_TEST

START_TEST(packument_of_another_package_is_rejected)
{
	const char *names[] = { "this" };
	struct registry_options o;
	char path[4200];

	snprintf(path, sizeof(path), "%s/this.json", tmp_root);
	write_file(path, "{\"name\":\"that\",\"time\":{},\"versions\":{}}");
	options(&o, srv.base);
	fetch_names(&o, names, 1, NULL);
	ck_assert_int_eq(result("this")->status, REGISTRY_FAILED);
	ck_assert_ptr_nonnull(strstr(result("this")->error, "another package"));
}
END_TEST

START_TEST(slow_response_times_out)
{
	const char *names[] = { "slow" };
	struct registry_options o;

	write_packument("slow", 1);
	write_control(tmp_root, "{\"packages\":{\"slow\":{\"delay_ms\":3000}}}");
	options(&o, srv.base);
	o.timeout_ms = 300;
	o.retries = 1;
	fetch_names(&o, names, 1, NULL);
	ck_assert_int_eq(result("slow")->status, REGISTRY_FAILED);
	ck_assert_ptr_nonnull(strstr(result("slow")->error, "2 attempts"));
}
END_TEST

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(stalled_body_ends_at_the_stall_limit)
{
	const char *names[] = { "stuck", "fine" };
	struct registry_options o;
	struct registry_stats st;
	struct timespec t0;
	const char *err;

	write_packument("stuck", 5);
	write_packument("fine", 1);
	/* headers, the full Content-Length and 40 bytes, then nothing */
	write_control(tmp_root, "{\"packages\":{\"stuck\":{\"stall\":40}}}");
	options(&o, srv.base);
	o.timeout_ms = -1;	/* no overall limit: the stall limit alone */
	o.stall_ms = 1000;
	o.retries = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fetch_names(&o, names, 2, &st);
	/* two attempts of a few seconds each (libcurl's speed is averaged
	 * over about 5 s), not the server's 600 s */
	ck_assert_msg(seconds_since(&t0) < 30.0, "took %.1f s", seconds_since(&t0));
	ck_assert_int_eq(result("stuck")->status, REGISTRY_FAILED);
	err = result("stuck")->error;
	ck_assert_ptr_nonnull(strstr(err, "'stuck'"));
	ck_assert_ptr_nonnull(strstr(err, "stalled: nothing received for 1 s"));
	ck_assert_ptr_nonnull(strstr(err, "40 of "));
	ck_assert_ptr_nonnull(strstr(err, "2 attempts"));
	ck_assert_int_eq(result("fine")->status, REGISTRY_FETCHED);
	ck_assert_uint_eq(st.requests, 3);
}
END_TEST

START_TEST(stalled_body_ends_at_the_timeout)
{
	const char *names[] = { "stuck" };
	struct registry_options o;
	struct timespec t0;
	const char *err;

	write_packument("stuck", 5);
	write_control(tmp_root, "{\"packages\":{\"stuck\":{\"stall\":10}}}");
	options(&o, srv.base);
	o.timeout_ms = 700;	/* shorter than the default stall limit */
	o.retries = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fetch_names(&o, names, 1, NULL);
	ck_assert_msg(seconds_since(&t0) < 10.0, "took %.1f s", seconds_since(&t0));
	err = result("stuck")->error;
	ck_assert_ptr_nonnull(strstr(err, "'stuck'"));
	ck_assert_msg(strstr(err, "timed out after 700 ms (10 of ") ||
		      strstr(err, "stalled: nothing received for 1 s (10 of "), "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "1 attempt)"));
}
END_TEST

/* ---- auth ---- */

static const char *
route_private(const char *name, void *payload)
{
	return !strncmp(name, "@private/", 9) ? payload : NULL;
}

START_TEST(token_is_sent_only_to_its_own_host)
{
	const char *names[] = { "@private/x", "pub" };
	char other_root[4200];
	struct regserver other;
	struct registry_options o;
	char *v;
	int found;

	/* the private registry needs the token; the public one is the default */
	snprintf(other_root, sizeof(other_root), "%s/private", tmp_root);
	ck_assert_int_eq(mkdir(other_root, 0700), 0);
	write_packument_in(other_root, "@private/x", 1);
	write_control(other_root, "{\"auth\":{\"@private\":\"" TOKEN_HEADER "\"}}");
	write_packument("pub", 1);
	write_packument("@private/x", 1);
	regserver_start(&other, other_root, NULL, NULL);

	options(&o, other.base);	/* token for the private host */
	o.registry = srv.base;
	o.registry_for = route_private;
	o.registry_for_payload = other.base;
	fetch_names(&o, names, 2, NULL);
	ck_assert_msg(result("@private/x")->status == REGISTRY_FETCHED, "%s",
		      result("@private/x")->error);
	ck_assert_int_eq(result("pub")->status, REGISTRY_FETCHED);

	v = server_log_field(&other, "@private/x", "authorization", &found);
	ck_assert(found);
	ck_assert_str_eq(v, TOKEN_HEADER);
	free(v);
	v = server_log_field(&srv, "pub", "authorization", &found);
	ck_assert(found);
	ck_assert_ptr_null(v);

	/* all names on the public host: the token stays home */
	o.registry_for = NULL;
	fetch_names(&o, names, 2, NULL);
	v = server_log_field(&srv, "@private/x", "authorization", &found);
	ck_assert(found);
	ck_assert_ptr_null(v);

	/* a prefix naming the host without the port's end does not match */
	{
		char prefix[64];
		struct registry_auth a = { prefix, TOKEN_HEADER };

		snprintf(prefix, sizeof(prefix), "//127.0.0.1:%d", srv.port / 10);
		o.auth = &a;
		regserver_reset(&srv);
		fetch_names(&o, names + 1, 1, NULL);
		v = server_log_field(&srv, "pub", "authorization", &found);
		ck_assert(found);
		ck_assert_ptr_null(v);
	}
	regserver_stop(&other);
}
END_TEST

START_TEST(rejected_token_is_an_error_without_the_token)
{
	const char *names[] = { "@private/x" };
	struct registry_options o;
	struct registry_auth a[1];
	char prefix[64];

	write_packument("@private/x", 1);
	write_control(tmp_root, "{\"auth\":{\"@private\":\"Bearer other\"}}");
	options(&o, srv.base);
	snprintf(prefix, sizeof(prefix), "//127.0.0.1:%d/", srv.port);
	a[0].prefix = prefix;
	a[0].authorization = TOKEN_HEADER;
	o.auth = a;
	fetch_names(&o, names, 1, NULL);
	ck_assert_int_eq(result("@private/x")->status, REGISTRY_FAILED);
	ck_assert_ptr_nonnull(strstr(result("@private/x")->error, "HTTP 401"));
	ck_assert_ptr_null(strstr(result("@private/x")->error, TOKEN));
}
END_TEST

/* ---- TLS ---- */

START_TEST(tls_with_a_ca_made_in_the_test)
{
	const char *names[] = { "secure" };
	char cmd[16384], cert[4200], key[4200], root[4200];
	struct regserver tls;
	struct registry_options o;

	snprintf(root, sizeof(root), "%s/tls", tmp_root);
	ck_assert_int_eq(mkdir(root, 0700), 0);
	snprintf(cert, sizeof(cert), "%s/cert.pem", tmp_root);
	snprintf(key, sizeof(key), "%s/key.pem", tmp_root);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
		 " -addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s'"
		 " >/dev/null 2>&1", key, cert);
	ck_assert_msg(system(cmd) == 0, "openssl req -x509 failed (is openssl installed?)");
	write_packument_in(root, "secure", 2);
	regserver_start(&tls, root, cert, key);

	options(&o, tls.base);
	o.retries = 0;
	o.cafile = cert;
	fetch_names(&o, names, 1, NULL);
	ck_assert_msg(result("secure")->status == REGISTRY_FETCHED, "%s",
		      result("secure")->error);
	ck_assert_int_eq(result("secure")->versions, 2);

	/* without the CA the certificate is not trusted: no way around it */
	o.cafile = NULL;
	fetch_names(&o, names, 1, NULL);
	ck_assert_int_eq(result("secure")->status, REGISTRY_FAILED);
	regserver_stop(&tls);
}
END_TEST

START_TEST(client_rejects_non_http_registry)
{
	struct registry_options o;
	struct registry_client *c;

	registry_options_init(&o);
	o.registry = "file:///etc/";
	ck_assert_int_lt(registry_client_new(&c, &o), 0);
	ck_assert_ptr_null(c);
	o.registry = NULL;
	ck_assert_int_lt(registry_client_new(&c, &o), 0);
}
END_TEST


/* ---- documents: attestations, keys, the dist subset ---- */

START_TEST(doc_url_takes_only_the_path)
{
	struct registry_options o;
	struct registry_client *c;
	char *u = NULL;

	options(&o, "http://127.0.0.1:9/npm/");
	ck_assert_int_eq(registry_client_new(&c, &o), 0);
	ck_assert_int_eq(registry_doc_url(&u, c, "x",
		"https://registry.npm.test/-/npm/v1/attestations/x@1.0.0?a=b#c"), 0);
	ck_assert_str_eq(u, "http://127.0.0.1:9/npm/-/npm/v1/attestations/x@1.0.0");
	free(u);
	ck_assert_int_eq(registry_doc_url(&u, c, NULL, "/-/npm/v1/keys"), 0);
	ck_assert_str_eq(u, "http://127.0.0.1:9/npm/-/npm/v1/keys");
	free(u);
	ck_assert_int_eq(registry_doc_url(&u, c, "x",
		"/-/npm/v1/attestations/@s%2fx@1.0.0"), 0);
	ck_assert_str_eq(u, "http://127.0.0.1:9/npm/-/npm/v1/attestations/@s%2fx@1.0.0");
	free(u);
	ck_assert_int_eq(registry_doc_url(&u, c, "x", "relative/path"), WS_EPARSE);
	ck_assert_int_eq(registry_doc_url(&u, c, "x", "/a/../keys"), WS_EPARSE);
	ck_assert_int_eq(registry_doc_url(&u, c, "x", "/a/.."), WS_EPARSE);
	ck_assert_int_eq(registry_doc_url(&u, c, "x", "/a b"), WS_EPARSE);
	ck_assert_int_eq(registry_doc_url(&u, c, "x", "https://evil.test"), WS_EPARSE);
	ck_assert_ptr_null(u);
	/* "..." is a name, not a parent */
	ck_assert_int_eq(registry_doc_url(&u, c, "x", "/a/.../b"), 0);
	free(u);
	registry_client_free(c);
}
END_TEST

struct got {
	enum registry_status status[4];
	size_t len[4];
	int calls;
};

static void
on_doc(size_t index, enum registry_status status, const char *body, size_t len,
       const char *error, void *payload)
{
	struct got *g = payload;

	ck_assert_uint_lt(index, 4);
	g->status[index] = status;
	g->len[index] = body ? len : 0;
	if (status == REGISTRY_FETCHED)
		ck_assert_uint_eq(strlen(body), len);
	else
		ck_assert_ptr_null(body);
	if (status == REGISTRY_FAILED || status == REGISTRY_OFFLINE_MISSING)
		ck_assert_ptr_nonnull(error);
	g->calls++;
}

START_TEST(documents_are_fetched_and_missing_ones_are_404)
{
	struct registry_options o;
	struct registry_client *c;
	struct registry_stats st;
	struct registry_get g[3];
	struct got got;
	char dir[4300], path[4400], *u[3];
	size_t i;

	snprintf(dir, sizeof(dir), "%s/_attestations", tmp_root);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/@s%%2fx@1.0.0.json", dir);
	write_file(path, "{\"attestations\":[]}");
	snprintf(path, sizeof(path), "%s/_keys.json", tmp_root);
	write_file(path, "{\"keys\":[]}");
	options(&o, srv.base);
	ck_assert_int_eq(registry_client_new(&c, &o), 0);
	ck_assert_int_eq(registry_doc_url(&u[0], c, "@s/x",
					  "/-/npm/v1/attestations/@s%2fx@1.0.0"), 0);
	ck_assert_int_eq(registry_doc_url(&u[1], c, "y", "/-/npm/v1/attestations/y@1.0.0"), 0);
	ck_assert_int_eq(registry_doc_url(&u[2], c, NULL, "/-/npm/v1/keys"), 0);
	for (i = 0; i < 3; i++) {
		g[i].url = u[i];
		g[i].label = "doc";
	}
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(registry_fetch_urls(c, g, 3, on_doc, &got, &st), 0);
	ck_assert_int_eq(got.calls, 3);
	ck_assert_int_eq(got.status[0], REGISTRY_FETCHED);
	ck_assert_uint_eq(got.len[0], strlen("{\"attestations\":[]}"));
	ck_assert_int_eq(got.status[1], REGISTRY_NOT_FOUND);
	ck_assert_int_eq(got.status[2], REGISTRY_FETCHED);
	ck_assert_uint_eq(st.requests, 3);
	ck_assert_uint_eq(st.fetched, 2);
	ck_assert_uint_eq(st.not_found, 1);
	registry_client_free(c);

	/* offline: nothing is requested */
	regserver_reset(&srv);
	o.offline = 1;
	ck_assert_int_eq(registry_client_new(&c, &o), 0);
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(registry_fetch_urls(c, g, 3, on_doc, &got, &st), 0);
	ck_assert_int_eq(got.status[0], REGISTRY_OFFLINE_MISSING);
	ck_assert_uint_eq(st.requests, 0);
	ck_assert_int_eq(regserver_requests(&srv), 0);
	registry_client_free(c);
	for (i = 0; i < 3; i++)
		free(u[i]);
}
END_TEST

static int dist_seen;

static void
on_dist(const char *name, enum registry_status status,
	const struct json_value *doc, const char *error, void *payload)
{
	const struct json_value *v = json_get(doc, "versions");
	const struct json_value *d0 = json_get(json_get(v, "1.0.0"), "dist");
	const struct json_value *d1 = json_get(json_get(v, "1.0.1"), "dist");
	enum registry_status *out = payload;

	*out = status;
	dist_seen = d0 && json_get_str(d0, "integrity") &&
		    !strcmp(json_get_str(d0, "integrity"), "sha512-AAAA") &&
		    json_is(json_get(d0, "signatures"), JSON_ARRAY) &&
		    json_get_str(json_get(d0, "attestations"), "url") &&
		    /* a version without dist: known to have none */
		    json_is(d1, JSON_OBJECT) && d1->len == 0 &&
		    !json_get(d0, "tarball");
	(void)name;
	(void)error;
}

START_TEST(dist_subset_is_cached_and_required_when_wanted)
{
	static const char *const vs[] = { "1.0.0" };
	struct registry_want w[] = { { "d", vs, 1 } };
	struct registry_cache_entry e = { 0 };
	struct registry_options o;
	struct registry_client *c;
	struct registry_cache *cache;
	struct registry_stats st;
	enum registry_status status;
	char path[4400], *blob = NULL;

	snprintf(path, sizeof(path), "%s/d.json", tmp_root);
	write_file(path,
		"{\"name\":\"d\",\"time\":{\"1.0.0\":\"2020-01-01T00:00:00.000Z\","
		"\"1.0.1\":\"2020-01-02T00:00:00.000Z\"},\"versions\":{"
		"\"1.0.0\":{\"dist\":{\"integrity\":\"sha512-AAAA\",\"tarball\":\"t\","
		"\"signatures\":[{\"keyid\":\"k\",\"sig\":\"s\"}],"
		"\"attestations\":{\"url\":\"/-/npm/v1/attestations/d@1.0.0\"}}},"
		"\"1.0.1\":{}}}");
	ck_assert_int_eq(registry_cache_open(&cache, cache_path), 0);
	/* a packument cached without its dist subset (an older wormsign) */
	e.times = "{\"1.0.0\":\"2020-01-01T00:00:00.000Z\"}";
	e.versions = "[\"1.0.0\"]";
	e.fetched_at = 1;
	ck_assert_int_eq(registry_cache_put(cache, "d", &e), 0);
	options(&o, srv.base);
	o.cache = cache;
	o.want_dist = 1;
	ck_assert_int_eq(registry_client_new(&c, &o), 0);
	ck_assert_int_eq(registry_fetch_packuments(c, w, 1, on_dist, &status, &st), 0);
	ck_assert_int_eq(status, REGISTRY_FETCHED);
	ck_assert_uint_eq(st.requests, 1);
	/* now the subset holds the dist: served from the cache */
	ck_assert_int_eq(registry_fetch_packuments(c, w, 1, on_dist, &status, &st), 0);
	ck_assert_int_eq(status, REGISTRY_CACHED);
	ck_assert_uint_eq(st.requests, 0);
	ck_assert_int_eq(dist_seen, 1);
	ck_assert_int_eq(registry_cache_blob_get(cache, "dist", "d", &blob, NULL), 0);
	ck_assert_ptr_nonnull(strstr(blob, "sha512-AAAA"));
	free(blob);
	registry_client_free(c);
	registry_cache_free(cache);
}
END_TEST

START_TEST(blobs_round_trip)
{
	struct registry_cache *cache;
	char *v = NULL;
	int64_t at = 0;

	ck_assert_int_eq(registry_cache_open(&cache, cache_path), 0);
	ck_assert_int_eq(registry_cache_blob_get(cache, "keys", "r", &v, &at), WS_ENOTFOUND);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(registry_cache_begin(cache), 0);
	ck_assert_int_eq(registry_cache_blob_put(cache, "keys", "r", "{\"keys\":[]}", 42), 0);
	ck_assert_int_eq(registry_cache_blob_put(cache, "verdict", "r", "", 43), 0);
	ck_assert_int_eq(registry_cache_commit(cache), 0);
	ck_assert_int_eq(registry_cache_commit(cache), 0);	/* none open: fine */
	ck_assert_int_eq(registry_cache_blob_get(cache, "keys", "r", &v, &at), 0);
	ck_assert_str_eq(v, "{\"keys\":[]}");
	ck_assert_int_eq(at, 42);
	free(v);
	/* kinds are separate; an empty value is a value */
	ck_assert_int_eq(registry_cache_blob_get(cache, "verdict", "r", &v, NULL), 0);
	ck_assert_str_eq(v, "");
	free(v);
	registry_cache_free(cache);
}
END_TEST

/*
 * The dist subset the cache keeps is JSON text parsed again later: a
 * number in it is copied by its length (found by fuzzing: it was copied
 * up to the next NUL, the rest of the packument, and the cached text no
 * longer parsed).
 */
START_TEST(cached_dist_subset_keeps_numbers_exact)
{
	char text[] = "{\"versions\": {\"1.0.0\": {\"dist\": {\"integrity\": [1, 2.5e3, {\"a\": -0}]}}}}";
	struct json_doc doc;
	struct strbuf dists;

	ck_assert_int_eq(json_parse(&doc, text, strlen(text), "p.json", 0), 0);
	strbuf_init(&dists, (size_t)-1);
	registry_packument_texts(doc.root, NULL, NULL, &dists);
	ck_assert_str_eq(dists.buf,
			 "{\"1.0.0\":{\"dist\":{\"integrity\":[1,2.5e3,{\"a\":-0}]}}}");
	strbuf_release(&dists);
	json_doc_release(&doc);
}
END_TEST

static Suite *
registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc;

	tc = tcase_create("fetch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fetches_many_packages_concurrently);
	tcase_add_test(tc, scoped_names_are_url_encoded);
	tcase_add_test(tc, invalid_names_fail_without_a_request);
	tcase_add_test(tc, cached_dist_subset_keeps_numbers_exact);
	tcase_add_test(tc, unknown_package_is_not_found);
	tcase_add_test(tc, gzip_responses_are_decoded);
	tcase_add_test(tc, client_rejects_non_http_registry);
	suite_add_tcase(s, tc);

	tc = tcase_create("cache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cache_covering_wanted_versions_makes_no_request);
	tcase_add_test(tc, refresh_revalidates_with_etag_and_304);
	tcase_add_test(tc, offline_uses_only_the_cache_and_says_what_it_missed);
	tcase_add_test(tc, cache_default_path_follows_xdg);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, retry_after_is_honoured_and_capped);
	tcase_add_test(tc, server_errors_are_retried_then_succeed);
	tcase_add_test(tc, retries_are_bounded);
	tcase_add_test(tc, truncated_body_fails_that_package_only);
	tcase_add_test(tc, oversized_body_fails_that_package_only);
	tcase_add_test(tc, invalid_json_names_the_package);
	tcase_add_test(tc, packument_of_another_package_is_rejected);
	tcase_add_test(tc, slow_response_times_out);
	tcase_add_test(tc, stalled_body_ends_at_the_stall_limit);
	tcase_add_test(tc, stalled_body_ends_at_the_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("auth");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, token_is_sent_only_to_its_own_host);
	tcase_add_test(tc, rejected_token_is_an_error_without_the_token);
	suite_add_tcase(s, tc);

	tc = tcase_create("documents");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, doc_url_takes_only_the_path);
	tcase_add_test(tc, documents_are_fetched_and_missing_ones_are_404);
	tcase_add_test(tc, dist_subset_is_cached_and_required_when_wanted);
	tcase_add_test(tc, blobs_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("tls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tls_with_a_ca_made_in_the_test);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	static const char *const proxies[] = { "http_proxy", "https_proxy",
		"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", NULL };
	SRunner *sr;
	int failed, i;

	for (i = 0; proxies[i]; i++)
		unsetenv(proxies[i]);
	curl_global_init(CURL_GLOBAL_ALL);
	sr = srunner_create(registry_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
