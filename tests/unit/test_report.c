/* report: findings (wormsign-report/1, text, Markdown, SARIF, baselines)
 * and the inventory renderers (wormsign-tree/1, the text tree, --why). */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json/json.h"
#include "report/report.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* ---- helpers ---- */

typedef int (*render_fn)(FILE *fp, void *arg);

/* Runs render on a tmpfile() and returns what it wrote. */
static char *
render(render_fn fn, void *arg)
{
	FILE *fp = tmpfile();
	struct strbuf sb;
	char chunk[4096];
	size_t n;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fn(fp, arg), 0);
	rewind(fp);
	strbuf_init(&sb, 256u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ck_assert_int_eq(strbuf_add(&sb, chunk, n), 0);
	ck_assert(!ferror(fp));
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

/* Renders to /dev/full and returns the result code. */
static int
render_full(render_fn fn, void *arg)
{
	FILE *fp = fopen("/dev/full", "w");
	int err;

	if (!fp)
		return WS_EIO;	/* nothing to test without it */
	err = fn(fp, arg);
	fclose(fp);
	return err;
}

/* Parses text (consumed: in situ) as JSON; the doc borrows from it. */
static void
parse_json(struct json_doc *doc, char *text)
{
	int err = json_parse(doc, text, strlen(text), "output.json", 0);

	ck_assert_msg(err == 0, "output is not JSON: %s", ws_error_last());
	ck_assert_int_eq(doc->root->type, JSON_OBJECT);
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* A JSON number's value (numbers are kept as text). */
static long long
num(const struct json_value *v)
{
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->type, JSON_NUMBER);
	return strtoll(v->u.str, NULL, 10);
}

static const struct json_value *
nth(const struct json_value *arr, size_t i)
{
	const struct json_value *v;

	ck_assert_ptr_nonnull(arr);
	ck_assert(arr->type == JSON_ARRAY || arr->type == JSON_OBJECT);
	for (v = arr->u.first; v && i; v = v->next)
		i--;
	ck_assert_ptr_nonnull(v);
	return v;
}

/* A directory made for one test, under $TMPDIR. */
static char tmp_dir[4096];

static void
make_tmp_dir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp_dir, sizeof(tmp_dir), "%s/report-XXXXXX",
		 base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

/* Writes data to tmp_dir/name and returns the path (static buffer). */
static const char *
write_tmp(const char *name, const char *data, size_t len)
{
	static char path[4200];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
	return path;
}

static void
remove_tmp(const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	unlink(path);
}

/* ---- findings ---- */

START_TEST(report_add_copies_every_string)
{
	struct report r;
	struct report_finding f;
	struct report_evidence ev[2];
	struct report_path paths[1];
	char id[] = "ioc-package:evil@1.0.0", kind[] = "ioc-package";
	char title[] = "known malicious version", name[] = "evil";
	char version[] = "1.0.0", file[] = "package-lock.json";
	char source[] = "feed.json", advisory[] = "GHSA-xxxx";
	char target[] = "app", fix[] = "remove it", feed[] = "shai-hulud";
	char k0[] = "sha512", v0[] = "abc", k1[] = "feed", v1[] = "native";
	char n0[] = "app@1.0.0", n1[] = "evil@1.0.0";
	const char *nodes[2] = { n0, n1 };

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.kind = kind;
	f.severity = REPORT_CRITICAL;
	f.target = target;
	f.message = title;
	f.remediation = fix;
	f.feed = feed;
	f.package_name = name;
	f.package_version = version;
	paths[0].nodes = nodes;
	paths[0].n = 2;
	f.paths = paths;
	f.npaths = 1;
	f.file = file;
	f.line = 12;
	f.source = source;
	f.advisory = advisory;
	ev[0].key = k0;
	ev[0].value = v0;
	ev[1].key = k1;
	ev[1].value = v1;
	f.evidence = ev;
	f.nevidence = 2;

	report_init(&r, "scan");
	report_add(&r, &f);
	memset(id, 'X', sizeof(id) - 1);
	memset(kind, 'X', sizeof(kind) - 1);
	memset(title, 'X', sizeof(title) - 1);
	memset(name, 'X', sizeof(name) - 1);
	memset(version, 'X', sizeof(version) - 1);
	memset(file, 'X', sizeof(file) - 1);
	memset(source, 'X', sizeof(source) - 1);
	memset(advisory, 'X', sizeof(advisory) - 1);
	memset(target, 'X', sizeof(target) - 1);
	memset(fix, 'X', sizeof(fix) - 1);
	memset(feed, 'X', sizeof(feed) - 1);
	memset(k0, 'X', sizeof(k0) - 1);
	memset(v1, 'X', sizeof(v1) - 1);
	memset(n0, 'X', sizeof(n0) - 1);
	nodes[1] = "gone";
	paths[0].n = 0;
	ev[0].key = "gone";
	f.nevidence = 0;

	ck_assert_uint_eq(r.nfindings, 1);
	ck_assert_str_eq(r.findings[0].id, "ioc-package:evil@1.0.0");
	ck_assert_str_eq(r.findings[0].kind, "ioc-package");
	ck_assert_int_eq(r.findings[0].severity, REPORT_CRITICAL);
	ck_assert_str_eq(r.findings[0].target, "app");
	ck_assert_str_eq(r.findings[0].message, "known malicious version");
	ck_assert_str_eq(r.findings[0].remediation, "remove it");
	ck_assert_str_eq(r.findings[0].feed, "shai-hulud");
	ck_assert_str_eq(r.findings[0].package_name, "evil");
	ck_assert_str_eq(r.findings[0].package_version, "1.0.0");
	ck_assert_str_eq(r.findings[0].file, "package-lock.json");
	ck_assert_str_eq(r.findings[0].source, "feed.json");
	ck_assert_str_eq(r.findings[0].advisory, "GHSA-xxxx");
	ck_assert_uint_eq(r.findings[0].line, 12);
	ck_assert_uint_eq(r.findings[0].npaths, 1);
	ck_assert_ptr_ne(r.findings[0].paths, paths);
	ck_assert_ptr_ne(r.findings[0].paths[0].nodes, nodes);
	ck_assert_uint_eq(r.findings[0].paths[0].n, 2);
	ck_assert_str_eq(r.findings[0].paths[0].nodes[0], "app@1.0.0");
	ck_assert_str_eq(r.findings[0].paths[0].nodes[1], "evil@1.0.0");
	ck_assert_uint_eq(r.findings[0].nevidence, 2);
	ck_assert_ptr_ne(r.findings[0].evidence, ev);
	ck_assert_str_eq(r.findings[0].evidence[0].key, "sha512");
	ck_assert_str_eq(r.findings[0].evidence[1].value, "native");
	report_release(&r);
}
END_TEST

START_TEST(report_add_keeps_null_fields_null)
{
	struct report r;
	struct report_finding f;

	memset(&f, 0, sizeof(f));
	f.source = "s";
	report_init(&r, "scan");
	report_add(&r, &f);
	ck_assert_ptr_null(r.findings[0].package_name);
	ck_assert_ptr_null(r.findings[0].package_version);
	ck_assert_ptr_null(r.findings[0].target);
	ck_assert_ptr_null(r.findings[0].file);
	ck_assert_ptr_null(r.findings[0].remediation);
	ck_assert_ptr_null(r.findings[0].feed);
	ck_assert_ptr_null(r.findings[0].advisory);
	ck_assert_ptr_null(r.findings[0].evidence);
	ck_assert_ptr_null(r.findings[0].paths);
	ck_assert_uint_eq(r.findings[0].npaths, 0);
	/* the three every renderer needs are never NULL */
	ck_assert_str_eq(r.findings[0].id, "");
	ck_assert_str_eq(r.findings[0].kind, "unknown");
	ck_assert_str_eq(r.findings[0].message, "");
	report_release(&r);
	report_release(NULL);
}
END_TEST

START_TEST(report_add_bounds_paths_evidence_and_strings)
{
	struct report r;
	struct report_finding f;
	struct report_path paths[REPORT_PATHS_MAX + 5];
	struct report_evidence ev[100];
	const char *deep[REPORT_PATH_LEN_MAX + 10];
	const char *shallow[] = { "app@1.0.0", "evil@1.0.0" };
	char names[REPORT_PATH_LEN_MAX + 10][16];
	const struct report_finding *c;
	char *huge;
	size_t i;

	for (i = 0; i < REPORT_PATH_LEN_MAX + 10; i++) {
		snprintf(names[i], sizeof(names[i]), "p%zu@1.0.0", i);
		deep[i] = names[i];
	}
	for (i = 0; i < REPORT_PATHS_MAX + 5; i++) {
		paths[i].nodes = deep;
		paths[i].n = REPORT_PATH_LEN_MAX + 10;
	}
	/* the shortest path comes last, after the cut */
	paths[REPORT_PATHS_MAX + 4].nodes = shallow;
	paths[REPORT_PATHS_MAX + 4].n = 2;
	paths[0].n = 0;	/* empty paths are dropped */
	for (i = 0; i < 100; i++) {
		ev[i].key = "k";
		ev[i].value = "v";
	}
	huge = xmalloc(1u << 20);
	memset(huge, 'a', (1u << 20) - 1);
	huge[(1u << 20) - 1] = '\0';
	/* a multi-byte character across the cut is not split */
	memcpy(huge + (64u << 10) - 4, "\xe2\x82\xac\xe2\x82\xac", 6);

	memset(&f, 0, sizeof(f));
	f.id = "x";
	f.kind = "k";
	f.message = huge;
	f.package_name = "evil";
	f.paths = paths;
	f.npaths = REPORT_PATHS_MAX + 5;
	f.evidence = ev;
	f.nevidence = 100;
	report_init(&r, "scan");
	report_add(&r, &f);
	c = &r.findings[0];
	ck_assert_uint_eq(c->npaths, REPORT_PATHS_MAX);
	ck_assert_uint_eq(c->paths[0].n, REPORT_PATH_LEN_MAX + 1);
	ck_assert_str_eq(c->paths[0].nodes[0], "...");
	snprintf(names[0], sizeof(names[0]), "p%d@1.0.0",
		 REPORT_PATH_LEN_MAX + 9);
	ck_assert_str_eq(c->paths[0].nodes[REPORT_PATH_LEN_MAX], names[0]);
	ck_assert_uint_eq(c->paths[REPORT_PATHS_MAX - 1].n, 2);
	ck_assert_str_eq(c->paths[REPORT_PATHS_MAX - 1].nodes[1], "evil@1.0.0");
	ck_assert_uint_eq(c->nevidence, 64);
	ck_assert_uint_lt(strlen(c->message), 1u << 20);
	ck_assert_uint_le(strlen(c->message), 64u << 10);
	ck_assert_str_eq(c->message + strlen(c->message) - 3, "...");
	ck_assert_int_eq(strncmp(c->message + strlen(c->message) - 6,
				 "a", 1) == 0 ||
				 strncmp(c->message + strlen(c->message) - 6,
					 "\xe2\x82\xac", 3) == 0,
			 1);
	report_release(&r);
	free(huge);
}
END_TEST

START_TEST(report_add_error_copies_target_and_message)
{
	struct report r;
	char target[] = "repo/a", msg[] = "cannot read";
	size_t i;

	report_init(&r, "sweep");
	report_add_error(&r, target, msg);
	target[0] = 'X';
	msg[0] = 'X';
	for (i = 0; i < 100; i++)
		report_add_error(&r, "more", "errors");
	ck_assert_uint_eq(r.nerrors, 101);
	ck_assert_str_eq(r.errors[0].target, "repo/a");
	ck_assert_str_eq(r.errors[0].message, "cannot read");
	report_release(&r);
}
END_TEST

START_TEST(report_add_target_copies_the_name)
{
	struct report r;
	char t[] = "app/package-lock.json";
	size_t i;

	report_init(&r, "scan");
	report_add_target(&r, t);
	t[0] = 'X';
	for (i = 0; i < 50; i++) {
		char name[16];

		snprintf(name, sizeof(name), "more%zu", i);
		report_add_target(&r, name);
	}
	ck_assert_uint_eq(r.ntargets, 51);
	ck_assert_str_eq(r.targets[0], "app/package-lock.json");
	ck_assert_str_eq(r.targets[50], "more49");
	report_release(&r);
}
END_TEST

START_TEST(report_add_target_lists_each_target_once)
{
	struct report r;

	/* gate runs scan, age and verify over the same inputs */
	report_init(&r, "gate");
	report_add_target(&r, "app/package-lock.json");
	report_add_target(&r, "app");
	report_add_target(&r, "app/package-lock.json");
	report_add_target(&r, "app");
	report_add_target(&r, "");
	report_add_target(&r, NULL);
	ck_assert_uint_eq(r.ntargets, 3);
	ck_assert_str_eq(r.targets[0], "app/package-lock.json");
	ck_assert_str_eq(r.targets[1], "app");
	ck_assert_str_eq(r.targets[2], "");
	report_release(&r);
}
END_TEST

START_TEST(severity_names_round_trip)
{
	static const char *const names[] = {
		"info", "low", "medium", "high", "critical",
	};
	enum report_severity s;
	int i;

	for (i = REPORT_INFO; i <= REPORT_CRITICAL; i++) {
		ck_assert_str_eq(report_severity_name((enum report_severity)i),
				 names[i]);
		ck_assert_int_eq(report_severity_parse(&s, names[i]), 0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_str_eq(report_severity_name((enum report_severity)42),
			 "info");
}
END_TEST

START_TEST(severity_parse_rejects_unknown_names)
{
	enum report_severity s = REPORT_HIGH;

	ck_assert_int_eq(report_severity_parse(&s, "HIGH"), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "\"HIGH\""));
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "critical"));
	ck_assert_int_eq(report_severity_parse(&s, ""), WS_EPARSE);
	ck_assert_int_eq(report_severity_parse(&s, "crit"), WS_EPARSE);
	ck_assert_int_eq(s, REPORT_HIGH);
}
END_TEST

static void
add_simple(struct report *r, enum report_severity sev, const char *title)
{
	struct report_finding f;

	memset(&f, 0, sizeof(f));
	f.id = title;
	f.kind = "test";
	f.severity = sev;
	f.message = title;
	f.source = "unit";
	report_add(r, &f);
}

START_TEST(max_severity_is_minus_one_without_findings)
{
	struct report r;

	report_init(&r, "scan");
	ck_assert_int_eq(report_max_severity(&r), -1);
	add_simple(&r, REPORT_INFO, "i");
	ck_assert_int_eq(report_max_severity(&r), REPORT_INFO);
	add_simple(&r, REPORT_HIGH, "h");
	add_simple(&r, REPORT_LOW, "l");
	ck_assert_int_eq(report_max_severity(&r), REPORT_HIGH);
	report_release(&r);
}
END_TEST

/* ---- order ---- */

static void
add_pkg_finding(struct report *r, enum report_severity sev, const char *kind,
		const char *name, const char *version, const char *id,
		const char *message)
{
	struct report_finding f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.kind = kind;
	f.severity = sev;
	f.package_name = name;
	f.package_version = version;
	f.message = message;
	report_add(r, &f);
}

START_TEST(report_sort_orders_by_severity_kind_package_version_id)
{
	static const char *const order[] = {
		"c1", "c2", "h2a", "h2b", "h3", "h4", "h5", "l1",
	};
	struct report r;
	size_t i;

	report_init(&r, "scan");
	add_pkg_finding(&r, REPORT_LOW, "lockfile", "a", "1.0.0", "l1", "");
	add_pkg_finding(&r, REPORT_HIGH, "rule", "a", "1.0.0", "h5", "");
	add_pkg_finding(&r, REPORT_HIGH, "ioc-package", "b", "1.0.0", "h4",
			"");
	add_pkg_finding(&r, REPORT_HIGH, "ioc-package", "a", "2.0.0", "h3",
			"");
	add_pkg_finding(&r, REPORT_HIGH, "ioc-package", "a", "1.0.0", "h2b",
			"");
	add_pkg_finding(&r, REPORT_HIGH, "ioc-package", "a", "1.0.0", "h2a",
			"");
	add_pkg_finding(&r, REPORT_CRITICAL, "ioc-package", "z", "1.0.0",
			"c2", "");
	add_pkg_finding(&r, REPORT_CRITICAL, "ioc-file", NULL, NULL, "c1", "");
	report_sort(&r);
	ck_assert_uint_eq(r.nfindings, 8);
	for (i = 0; i < 8; i++)
		ck_assert_str_eq(r.findings[i].id, order[i]);
	report_release(&r);
}
END_TEST

START_TEST(report_sort_compares_versions_by_semver)
{
	struct report r;

	report_init(&r, "scan");
	add_pkg_finding(&r, REPORT_HIGH, "ioc-package", "a", "10.0.0", "x", "");
	add_pkg_finding(&r, REPORT_HIGH, "ioc-package", "a", "not-a-version",
			"x", "");
	add_pkg_finding(&r, REPORT_HIGH, "ioc-package", "a", "9.0.0", "x", "");
	add_pkg_finding(&r, REPORT_HIGH, "ioc-package", "a", "9.0.0-rc.1", "x",
			"");
	report_sort(&r);
	ck_assert_str_eq(r.findings[0].package_version, "9.0.0-rc.1");
	ck_assert_str_eq(r.findings[1].package_version, "9.0.0");
	ck_assert_str_eq(r.findings[2].package_version, "10.0.0");
	ck_assert_str_eq(r.findings[3].package_version, "not-a-version");
	report_release(&r);
}
END_TEST

START_TEST(report_sort_keeps_equal_findings_in_order)
{
	struct report r;
	char msg[16];
	size_t i;

	report_init(&r, "scan");
	for (i = 0; i < 100; i++) {
		snprintf(msg, sizeof(msg), "%03zu", i);
		add_pkg_finding(&r, i % 2 ? REPORT_LOW : REPORT_HIGH, "k", "a",
				"1.0.0", "same", msg);
	}
	report_sort(&r);
	for (i = 0; i < 50; i++) {
		snprintf(msg, sizeof(msg), "%03zu", i * 2);
		ck_assert_str_eq(r.findings[i].message, msg);
		snprintf(msg, sizeof(msg), "%03zu", i * 2 + 1);
		ck_assert_str_eq(r.findings[50 + i].message, msg);
	}
	report_release(&r);
	report_init(&r, "scan");
	report_sort(&r);	/* nothing to sort */
	ck_assert_uint_eq(r.nfindings, 0);
	report_release(&r);
}
END_TEST

/* ---- a sample report ---- */

/*
 * Three findings and an error: a critical ioc-package finding with every
 * field, and two low ones with the least a finding has.
 */
static void
sample_report(struct report *r)
{
	static const char *long_path[] = {
		"app@1.0.0", "a@1.2.3", "evil@1.0.0",
	};
	static const char *short_path[] = { "app@1.0.0", "evil@1.0.0" };
	static struct report_path paths[] = {
		{ long_path, 3 },
		{ short_path, 2 },
	};
	static struct report_evidence ev[] = {
		{ "integrity", "sha512-AAAA" },
		{ "feed", "native" },
	};
	struct report_finding f;

	report_init(r, "scan");
	report_add_target(r, "app/package-lock.json");
	report_add_target(r, "lib/\"quoted\"");
	add_simple(r, REPORT_LOW, "Young release");
	memset(&f, 0, sizeof(f));
	f.id = "ioc-package:evil@1.0.0";
	f.kind = "ioc-package";
	f.severity = REPORT_CRITICAL;
	f.target = "app/package-lock.json";
	f.message = "Known malicious version";
	f.remediation = "Remove evil and rotate credentials";
	f.package_name = "evil";
	f.package_version = "1.0.0";
	f.paths = paths;
	f.npaths = 2;
	f.file = "app/package-lock.json";
	f.line = 7;
	f.feed = "shai-hulud";
	f.source = "feeds/shai-hulud.json";
	f.advisory = "GHSA-0000";
	f.evidence = ev;
	f.nevidence = 2;
	report_add(r, &f);
	add_simple(r, REPORT_LOW, "Another young release");
	report_add_error(r, "lib", "lib/package-lock.json:1:1: empty document");
}

static int
render_report_json(FILE *fp, void *arg)
{
	return report_json(fp, arg, "2025-09-16T00:00:00Z");
}

static int
render_report_text(FILE *fp, void *arg)
{
	return report_text(fp, arg, 0);
}

static int
render_report_text_color(FILE *fp, void *arg)
{
	return report_text(fp, arg, 1);
}

static int
render_report_markdown(FILE *fp, void *arg)
{
	return report_markdown(fp, arg);
}

static int
render_report_sarif(FILE *fp, void *arg)
{
	return report_sarif(fp, arg);
}

/* ---- wormsign-report/1 ---- */

START_TEST(report_json_parses_with_schema_and_tool)
{
	struct report r;
	struct json_doc doc;
	const struct json_value *root, *tool, *targets;
	char *out;

	sample_report(&r);
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	root = doc.root;
	ck_assert_str_eq(json_get_str(root, "schema"), "wormsign-report/1");
	tool = json_get(root, "tool");
	ck_assert_str_eq(json_get_str(tool, "name"), "wormsign");
	ck_assert_ptr_nonnull(json_get_str(tool, "version"));
	ck_assert_str_eq(json_get_str(root, "generated"),
			 "2025-09-16T00:00:00Z");
	ck_assert_str_eq(json_get_str(root, "command"), "scan");
	targets = json_get(root, "targets");
	ck_assert_int_eq(targets->type, JSON_ARRAY);
	ck_assert_uint_eq(targets->len, 2);
	ck_assert_str_eq(json_get_str(nth(targets, 0), "file"),
			 "app/package-lock.json");
	ck_assert_str_eq(json_get_str(nth(targets, 1), "file"),
			 "lib/\"quoted\"");
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_json_findings_have_every_key_in_order)
{
	static const char *const keys[] = {
		"id", "kind", "severity", "target", "package", "locations",
		"message", "remediation", "evidence", "feed", "source",
		"advisory",
	};
	struct report r;
	struct json_doc doc;
	const struct json_value *f, *m, *loc, *ev;
	char *out;
	size_t i;

	sample_report(&r);
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	ck_assert_uint_eq(json_get(doc.root, "findings")->len, 3);
	/* in the order of the report: the caller sorts */
	f = nth(json_get(doc.root, "findings"), 1);
	for (i = 0, m = f->u.first; m; m = m->next, i++)
		ck_assert_str_eq(m->key, keys[i]);
	ck_assert_uint_eq(i, 12);
	ck_assert_str_eq(json_get_str(f, "id"), "ioc-package:evil@1.0.0");
	ck_assert_str_eq(json_get_str(f, "kind"), "ioc-package");
	ck_assert_str_eq(json_get_str(f, "severity"), "critical");
	ck_assert_str_eq(json_get_str(f, "target"), "app/package-lock.json");
	ck_assert_str_eq(json_get_str(f, "message"), "Known malicious version");
	ck_assert_str_eq(json_get_str(f, "remediation"),
			 "Remove evil and rotate credentials");
	loc = json_get(f, "locations");
	ck_assert_uint_eq(loc->len, 1);
	ck_assert_str_eq(json_get_str(loc->u.first, "file"),
			 "app/package-lock.json");
	ck_assert_int_eq(num(json_get(loc->u.first, "line")), 7);
	ev = json_get(f, "evidence");
	ck_assert_int_eq(ev->type, JSON_OBJECT);
	ck_assert_str_eq(json_get_str(ev, "integrity"), "sha512-AAAA");
	ck_assert_str_eq(json_get_str(ev, "feed"), "native");
	ck_assert_str_eq(json_get_str(f, "feed"), "shai-hulud");
	ck_assert_str_eq(json_get_str(f, "source"), "feeds/shai-hulud.json");
	ck_assert_str_eq(json_get_str(f, "advisory"), "GHSA-0000");

	/* no package: the key is left out; every list is there, empty */
	f = nth(json_get(doc.root, "findings"), 0);
	ck_assert_ptr_null(json_get(f, "package"));
	ck_assert_int_eq(json_get(f, "locations")->type, JSON_ARRAY);
	ck_assert_uint_eq(json_get(f, "locations")->len, 0);
	ck_assert_int_eq(json_get(f, "evidence")->type, JSON_OBJECT);
	ck_assert_uint_eq(json_get(f, "evidence")->len, 0);
	/* absent scalars are null */
	ck_assert_int_eq(json_get(f, "target")->type, JSON_NULL);
	ck_assert_int_eq(json_get(f, "remediation")->type, JSON_NULL);
	ck_assert_int_eq(json_get(f, "feed")->type, JSON_NULL);
	ck_assert_int_eq(json_get(f, "advisory")->type, JSON_NULL);
	ck_assert_str_eq(json_get_str(f, "source"), "unit");
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_json_package_carries_its_paths)
{
	struct report r;
	struct report_finding f;
	struct json_doc doc;
	const struct json_value *pkg, *paths, *p;
	char *out;

	sample_report(&r);
	/* a package finding without paths or version still has both keys */
	memset(&f, 0, sizeof(f));
	f.id = "x";
	f.kind = "lockfile";
	f.package_name = "loose";
	f.file = "app/package-lock.json";
	report_add(&r, &f);
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	pkg = json_get(nth(json_get(doc.root, "findings"), 1), "package");
	ck_assert_str_eq(json_get_str(pkg, "name"), "evil");
	ck_assert_str_eq(json_get_str(pkg, "version"), "1.0.0");
	paths = json_get(pkg, "paths");
	ck_assert_uint_eq(paths->len, 2);
	p = nth(paths, 0);
	ck_assert_int_eq(p->type, JSON_ARRAY);
	ck_assert_uint_eq(p->len, 3);
	ck_assert_str_eq(nth(p, 0)->u.str, "app@1.0.0");
	ck_assert_str_eq(nth(p, 2)->u.str, "evil@1.0.0");
	ck_assert_uint_eq(nth(paths, 1)->len, 2);

	pkg = json_get(nth(json_get(doc.root, "findings"), 3), "package");
	ck_assert_str_eq(json_get_str(pkg, "name"), "loose");
	ck_assert_int_eq(json_get(pkg, "version")->type, JSON_NULL);
	ck_assert_uint_eq(json_get(pkg, "paths")->len, 0);
	/* an unknown line is null */
	ck_assert_int_eq(json_get(nth(json_get(nth(json_get(doc.root,
							       "findings"),
						   3),
					       "locations"),
				      0),
				  "line")
				 ->type,
			 JSON_NULL);
	json_doc_release(&doc);
	free(out);
	/* paths print on one line */
	out = render(render_report_json, &r);
	ck_assert_ptr_nonnull(strstr(out,
		"[\"app@1.0.0\", \"a@1.2.3\", \"evil@1.0.0\"]"));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_json_summary_counts_severities_kinds_and_suppressed)
{
	static const char *const names[] = {
		"info", "low", "medium", "high", "critical",
	};
	static const long long counts[] = { 0, 2, 0, 0, 1 };
	struct report r;
	struct json_doc doc;
	const struct json_value *summary, *by, *v;
	char *out;
	size_t i;

	sample_report(&r);
	add_pkg_finding(&r, REPORT_INFO, "a-kind", NULL, NULL, "i", "info");
	r.nfindings--;	/* counted only while it is a finding */
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	summary = json_get(doc.root, "summary");
	ck_assert_int_eq(num(json_get(summary, "findings")), 3);
	by = json_get(summary, "by_severity");
	ck_assert_int_eq(by->type, JSON_OBJECT);
	ck_assert_uint_eq(by->len, 5);
	for (i = 0, v = by->u.first; i < 5; i++, v = v->next) {
		ck_assert_str_eq(v->key, names[i]);
		ck_assert_int_eq(num(v), counts[i]);
	}
	by = json_get(summary, "by_kind");
	ck_assert_int_eq(by->type, JSON_OBJECT);
	ck_assert_uint_eq(by->len, 2);
	ck_assert_str_eq(nth(by, 0)->key, "ioc-package");
	ck_assert_int_eq(num(nth(by, 0)), 1);
	ck_assert_str_eq(nth(by, 1)->key, "test");
	ck_assert_int_eq(num(nth(by, 1)), 2);
	ck_assert_int_eq(num(json_get(summary, "suppressed")), 0);
	ck_assert_int_eq(json_get(doc.root, "suppressed")->type, JSON_ARRAY);
	ck_assert_uint_eq(json_get(doc.root, "suppressed")->len, 0);
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_json_errors_are_target_message_objects)
{
	struct report r;
	struct json_doc doc;
	const struct json_value *errors, *e;
	char *out;

	sample_report(&r);
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	errors = json_get(doc.root, "errors");
	ck_assert_int_eq(errors->type, JSON_ARRAY);
	ck_assert_uint_eq(errors->len, 1);
	e = errors->u.first;
	ck_assert_int_eq(e->type, JSON_OBJECT);
	ck_assert_uint_eq(e->len, 2);
	ck_assert_str_eq(json_get_str(e, "target"), "lib");
	ck_assert_str_eq(json_get_str(e, "message"),
			 "lib/package-lock.json:1:1: empty document");
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_json_of_an_empty_report_is_complete)
{
	struct report r;
	struct json_doc doc;
	const struct json_value *summary;
	char *out;

	report_init(&r, "scan");
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	ck_assert_uint_eq(json_get(doc.root, "findings")->len, 0);
	ck_assert_uint_eq(json_get(doc.root, "targets")->len, 0);
	ck_assert_uint_eq(json_get(doc.root, "errors")->len, 0);
	ck_assert_uint_eq(json_get(doc.root, "suppressed")->len, 0);
	summary = json_get(doc.root, "summary");
	ck_assert_uint_eq(json_get(summary, "by_severity")->len, 5);
	ck_assert_int_eq(json_get(summary, "by_kind")->type, JSON_OBJECT);
	ck_assert_uint_eq(json_get(summary, "by_kind")->len, 0);
	ck_assert_int_eq(num(json_get(summary, "suppressed")), 0);
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

/* A command's own section: a top-level key after errors, a text block. */
static int
section_json(struct json_writer *w, void *ctx)
{
	jsonw_object_begin(w);
	jsonw_kv_int(w, "verified", *(int *)ctx);
	jsonw_object_end(w);
	return 0;
}

static int
section_text(FILE *fp, void *ctx, int color)
{
	fprintf(fp, "verified: %d\n", *(int *)ctx);
	return 0;
}

static int
section_fails(FILE *fp, void *ctx)
{
	return ws_error_set(WS_EIO, "section failed");
}

START_TEST(report_sections_render_after_the_findings)
{
	struct report r;
	struct json_doc doc;
	struct report_section sec = { "verify", section_json, section_text,
				      section_fails, NULL };
	int seven = 7;
	char *out;
	FILE *fp;

	sec.ctx = &seven;
	report_init(&r, "verify");
	add_simple(&r, REPORT_HIGH, "A finding");
	report_add_section(&r, &sec);
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	ck_assert_int_eq(num(json_get(json_get(doc.root, "verify"),
				      "verified")), 7);
	ck_assert_uint_eq(json_get(doc.root, "findings")->len, 1);
	json_doc_release(&doc);
	free(out);
	out = render(render_report_text, &r);
	ck_assert_ptr_nonnull(strstr(out, "verified: 7\n"));
	ck_assert(strstr(out, "A finding") < strstr(out, "verified: 7"));
	free(out);
	/* A failing section fails the whole render. */
	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(report_markdown(fp, &r), WS_EIO);
	fclose(fp);
	report_release(&r);
}
END_TEST

START_TEST(report_json_stays_valid_with_hostile_strings)
{
	struct report r;
	struct report_finding f;
	struct report_evidence ev = { "k\"\n", "\xff\xfe\x01" };
	struct json_doc doc;
	char *out;

	memset(&f, 0, sizeof(f));
	f.id = "id\x1b[31m";
	f.kind = "k";
	f.message = "bad \xc3\x28 utf-8 \"quoted\" \\ back";
	f.evidence = &ev;
	f.nevidence = 1;
	report_init(&r, "scan");
	report_add(&r, &f);
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	ck_assert_str_eq(json_get_str(nth(json_get(doc.root, "findings"), 0),
				      "id"),
			 "id\x1b[31m");
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

/* ---- text ---- */

START_TEST(report_text_groups_by_severity_then_kind)
{
	struct report r;
	char *out;

	sample_report(&r);
	out = render(render_report_text, &r);
	ck_assert_str_eq(out,
		"critical: ioc-package (1)\n"
		"\n"
		"  [critical] Known malicious version\n"
		"    package:  evil@1.0.0\n"
		"    path:     app@1.0.0 > evil@1.0.0 (and 1 more)\n"
		"    target:   app/package-lock.json:7\n"
		"    evidence:\n"
		"      integrity: sha512-AAAA\n"
		"      feed: native\n"
		"    fix:      Remove evil and rotate credentials\n"
		"    advisory: GHSA-0000\n"
		"    source:   feeds/shai-hulud.json (feed shai-hulud)\n"
		"    id:       ioc-package:evil@1.0.0\n"
		"\n"
		"low: test (2)\n"
		"\n"
		"  [low] Another young release\n"
		"    source:   unit\n"
		"    id:       Another young release\n"
		"\n"
		"  [low] Young release\n"
		"    source:   unit\n"
		"    id:       Young release\n"
		"\n"
		"errors:\n"
		"  lib: lib/package-lock.json:1:1: empty document\n"
		"\n"
		"3 findings (1 critical, 0 high, 0 medium, 2 low, 0 info), 0 suppressed, 1 error\n");
	ck_assert_ptr_null(strchr(out, '\033'));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_text_names_target_and_file_apart)
{
	struct report r;
	struct report_finding f;
	char *out;

	memset(&f, 0, sizeof(f));
	f.id = "ioc-file:abc";
	f.kind = "ioc-file";
	f.severity = REPORT_HIGH;
	f.target = "app";
	f.file = "app/node_modules/evil/bundle.js";
	f.message = "Known payload";
	report_init(&r, "scan");
	report_add_target(&r, "app");
	report_add(&r, &f);
	f.file = NULL;
	f.line = 0;
	f.id = "no-file";
	f.feed = "hygiene";
	report_add(&r, &f);
	out = render(render_report_text, &r);
	ck_assert_ptr_nonnull(strstr(out,
		"    target:   app\n"
		"    file:     app/node_modules/evil/bundle.js\n"
		"    id:       ioc-file:abc\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"    target:   app\n"
		"    feed:     hygiene\n"
		"    id:       no-file\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"\n2 findings (0 critical, 2 high, 0 medium, 0 low, 0 info), 0 suppressed\n"));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_text_never_prints_control_bytes_from_the_data)
{
	struct report r;
	struct report_finding f;
	struct report_evidence ev = { "script\x07", "curl x | sh\x1b]0;pwned\x07" };
	const char *nodes[] = { "app@1.0.0", "ev\xe2\x80\xaelive@1.0.0" };
	struct report_path p = { nodes, 2 };
	char *out;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.id = "id\r";
	f.kind = "rule\x1b[2J";
	f.severity = REPORT_MEDIUM;
	f.message = "bad\x1b[31m\n\x9b" "31m name \xc3\xa9";
	f.package_name = "evil\x1b";
	f.package_version = "1\x7f";
	f.paths = &p;
	f.npaths = 1;
	f.target = "t\x01";
	f.remediation = "fix\x08";
	f.evidence = &ev;
	f.nevidence = 1;
	report_init(&r, "scan");
	report_add(&r, &f);
	report_add_error(&r, "t\x1b", "m\x1b");
	out = render(render_report_text, &r);
	for (i = 0; out[i]; i++)
		ck_assert_msg((unsigned char)out[i] >= 0x20 ||
				      out[i] == '\n',
			      "control byte 0x%02x at %zu", out[i], i);
	ck_assert_ptr_null(strstr(out, "\xe2\x80\xae"));	/* RLO */
	ck_assert_ptr_null(strstr(out, "\xc2\x9b"));
	ck_assert_ptr_null(strchr(out, '\x7f'));
	ck_assert_ptr_nonnull(strstr(out, "bad\\x1b[31m\\x0a\\x9b31m name \xc3\xa9"));
	ck_assert_ptr_nonnull(strstr(out, "ev\\xe2\\x80\\xaelive@1.0.0"));
	ck_assert_ptr_nonnull(strstr(out, "medium: rule\\x1b[2J (1)"));
	ck_assert_ptr_nonnull(strstr(out, "evil\\x1b@1\\x7f"));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_text_colours_only_on_request)
{
	struct report r;
	char *out;

	sample_report(&r);
	out = render(render_report_text_color, &r);
	ck_assert_ptr_nonnull(strstr(out, "\033[1;31m[critical]\033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[36m[low]\033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[1m\033[1;31mcritical: "));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_text_without_findings_counts_targets)
{
	struct report r;
	char *out;

	report_init(&r, "scan");
	report_add_target(&r, "a");
	report_add_target(&r, "b");
	out = render(render_report_text, &r);
	ck_assert_str_eq(out, "no findings in 2 targets\n");
	free(out);
	report_release(&r);

	report_init(&r, "scan");
	report_add_target(&r, "a");
	out = render(render_report_text, &r);
	ck_assert_str_eq(out, "no findings in 1 target\n");
	free(out);
	report_add_error(&r, "b", "unreadable");
	out = render(render_report_text, &r);
	ck_assert_str_eq(out, "errors:\n"
			      "  b: unreadable\n"
			      "\n"
			      "no findings in 1 target, 1 error\n");
	free(out);
	report_release(&r);
}
END_TEST

/* ---- Markdown ---- */

START_TEST(markdown_has_heading_summary_and_a_table_per_severity)
{
	struct report r;
	char *out;

	sample_report(&r);
	out = render(render_report_markdown, &r);
	ck_assert_int_eq(strncmp(out, "## wormsign scan: 3 findings\n\n", 30),
			 0);
	ck_assert_ptr_nonnull(strstr(out,
		"| severity | findings |\n"
		"| --- | ---: |\n"
		"| critical | 1 |\n"
		"| high | 0 |\n"
		"| medium | 0 |\n"
		"| low | 2 |\n"
		"| info | 0 |\n"
		"| suppressed | 0 |\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"2 targets checked: `app/package-lock.json`, `lib/\"quoted\"`.\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"### critical (1)\n\n"
		"| package | version | kind | message | path |\n"
		"| --- | --- | --- | --- | --- |\n"
		"| `evil` | `1.0.0` | ioc-package | Known malicious version | "
		"`app@1.0.0 > evil@1.0.0` (+1 more) |\n"));
	ck_assert_ptr_nonnull(strstr(out, "### low (2)\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"|  |  | test | Another young release |  |\n"
		"|  |  | test | Young release |  |\n"));
	ck_assert_ptr_null(strstr(out, "### high"));
	ck_assert_ptr_nonnull(strstr(out,
		"### errors (1)\n\n"
		"Not every target could be checked:\n\n"
		"| target | error |\n| --- | --- |\n"
		"| `lib` | `lib/package-lock.json:1:1: empty document` |\n"));
	ck_assert(strstr(out, "### critical") < strstr(out, "### low"));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(markdown_puts_evidence_in_details_blocks)
{
	struct report r;
	char *out;

	sample_report(&r);
	out = render(render_report_markdown, &r);
	ck_assert_ptr_nonnull(strstr(out,
		"<details><summary>critical ioc-package <code>evil@1.0.0</code></summary>\n"
		"\n"
		"- id: `ioc-package:evil@1.0.0`\n"
		"- target: `app/package-lock.json`\n"
		"- location: `app/package-lock.json` line 7\n"
		"- fix: Remove evil and rotate credentials\n"
		"- advisory: `GHSA-0000`\n"
		"- source: feeds/shai-hulud.json\n"
		"- feed: `shai-hulud`\n"
		"- evidence:\n"
		"  - integrity: `sha512-AAAA`\n"
		"  - feed: `native`\n"
		"\n"
		"</details>\n"));
	ck_assert_uint_eq(count_of(out, "<details>"), 3);
	ck_assert_uint_eq(count_of(out, "</details>"), 3);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(markdown_escapes_pipes_backticks_and_html)
{
	struct report r;
	struct report_finding f;
	struct report_evidence ev = { "spec|<b>", "a`b``c|d" };
	char *out;

	memset(&f, 0, sizeof(f));
	f.id = "x";
	f.kind = "rule";
	f.severity = REPORT_HIGH;
	f.package_name = "`pkg|x`";
	f.package_version = "1.0.0";
	f.message = "<img src=x onerror=alert(1)> a|b *bold* [link](x) \\ & _u_ \x1b";
	f.evidence = &ev;
	f.nevidence = 1;
	report_init(&r, "scan");
	report_add(&r, &f);
	out = render(render_report_markdown, &r);
	/* the package cell: a longer fence, padded, with the pipe escaped */
	ck_assert_ptr_nonnull(strstr(out, "| `` `pkg\\|x` `` | `1.0.0` | rule | "));
	ck_assert_ptr_nonnull(strstr(out,
		"&lt;img src=x onerror=alert(1)&gt; a\\|b \\*bold\\* "
		"\\[link\\](x) \\\\ &amp; \\_u\\_ \\\\x1b |"));
	ck_assert_ptr_null(strstr(out, "<img"));
	ck_assert_ptr_null(strchr(out, '\033'));
	/* in HTML: entities */
	ck_assert_ptr_nonnull(strstr(out,
		"<summary>high rule <code>`pkg|x`@1.0.0</code></summary>"));
	/* outside a table, a pipe in code stays as it is */
	ck_assert_ptr_nonnull(strstr(out, "  - spec\\|&lt;b&gt;: ```a`b``c|d```\n"));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(markdown_puts_words_with_an_at_sign_in_code)
{
	struct report r;
	struct report_finding f;
	char *out;

	memset(&f, 0, sizeof(f));
	f.id = "x";
	f.kind = "ioc-package";
	f.severity = REPORT_CRITICAL;
	f.package_name = "@tanstack/react-router";
	f.package_version = "1.0.0";
	f.message = "@tanstack/react-router@1.0.0 is compromised "
		    "(via {\"@scope/x\": 1}), ask @octocat.";
	f.remediation = "email sec@example.test now";
	report_init(&r, "scan");
	report_add(&r, &f);
	out = render(render_report_markdown, &r);
	ck_assert_ptr_nonnull(strstr(out,
		"| `@tanstack/react-router@1.0.0` is compromised "
		"(via {\"`@scope/x`\": 1}), ask `@octocat`. |"));
	ck_assert_ptr_nonnull(strstr(out, "- fix: email `sec@example.test` now\n"));
	ck_assert_ptr_nonnull(strstr(out, "<code>@tanstack/react-router@1.0.0</code>"));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(markdown_stays_under_the_comment_limit)
{
	struct report r;
	struct report_evidence ev[8];
	struct report_finding f;
	char id[32], *out, big[300];
	size_t i;

	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 8; i++) {
		ev[i].key = "key";
		ev[i].value = big;
	}
	report_init(&r, "scan");
	for (i = 0; i < 2000; i++) {
		memset(&f, 0, sizeof(f));
		snprintf(id, sizeof(id), "finding-%04zu", i);
		f.id = id;
		f.kind = "ioc-package";
		f.severity = i < 1000 ? REPORT_LOW : REPORT_CRITICAL;
		f.package_name = "pkg";
		f.package_version = "1.0.0";
		f.message = big;
		f.evidence = ev;
		f.nevidence = 8;
		report_add(&r, &f);
	}
	out = render(render_report_markdown, &r);
	ck_assert_uint_lt(strlen(out), 65536);
	ck_assert_ptr_nonnull(strstr(out, "| critical | 1000 |\n"));
	ck_assert_ptr_nonnull(strstr(out, "### critical (1000)\n"));
	ck_assert_ptr_null(strstr(out, "### low"));
	ck_assert_ptr_nonnull(strstr(out,
		" more findings are not listed here: see the JSON or SARIF report.\n"));
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(markdown_without_findings_says_so)
{
	struct report r;
	char *out;

	report_init(&r, "scan");
	report_add_target(&r, "app");
	out = render(render_report_markdown, &r);
	ck_assert_int_eq(strncmp(out, "## wormsign scan: no findings\n\n", 31),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "1 target checked: `app`.\n"));
	ck_assert_ptr_null(strstr(out, "###"));
	free(out);
	report_release(&r);
}
END_TEST

/* ---- SARIF ---- */

/* Checks what GitHub code scanning requires of every result and rule. */
static void
check_sarif_shape(const struct json_value *root)
{
	const struct json_value *runs, *run, *driver, *rules, *results, *v;

	ck_assert_str_eq(json_get_str(root, "$schema"),
			 "https://json.schemastore.org/sarif-2.1.0.json");
	ck_assert_str_eq(json_get_str(root, "version"), "2.1.0");
	runs = json_get(root, "runs");
	ck_assert_int_eq(runs->type, JSON_ARRAY);
	ck_assert_uint_eq(runs->len, 1);
	run = runs->u.first;
	driver = json_get(json_get(run, "tool"), "driver");
	ck_assert_str_eq(json_get_str(driver, "name"), "wormsign");
	ck_assert_ptr_nonnull(json_get_str(driver, "version"));
	ck_assert_int_eq(strncmp(json_get_str(driver, "informationUri"),
				 "file:///", 8),
			 0);
	ck_assert_ptr_nonnull(strstr(json_get_str(driver, "informationUri"),
				     "README"));
	rules = json_get(driver, "rules");
	ck_assert_int_eq(rules->type, JSON_ARRAY);
	for (v = rules->u.first; v; v = v->next) {
		const struct json_value *props = json_get(v, "properties");
		const char *sev;

		ck_assert_ptr_nonnull(json_get_str(v, "id"));
		ck_assert_ptr_nonnull(
			json_get_str(json_get(v, "shortDescription"), "text"));
		ck_assert_ptr_nonnull(
			json_get_str(json_get(v, "fullDescription"), "text"));
		ck_assert_ptr_nonnull(json_get_str(json_get(v, "help"), "text"));
		sev = json_get_str(props, "security-severity");
		ck_assert_ptr_nonnull(sev);
		ck_assert(strtod(sev, NULL) >= 0.0 && strtod(sev, NULL) <= 10.0);
		ck_assert_str_eq(nth(json_get(props, "tags"), 0)->u.str,
				 "security");
	}
	results = json_get(run, "results");
	ck_assert_int_eq(results->type, JSON_ARRAY);
	for (v = results->u.first; v; v = v->next) {
		const struct json_value *loc, *pl, *fp;
		const char *level = json_get_str(v, "level");
		long long index = num(json_get(v, "ruleIndex"));

		ck_assert_ptr_nonnull(level);
		ck_assert(strcmp(level, "error") == 0 ||
			  strcmp(level, "warning") == 0 ||
			  strcmp(level, "note") == 0);
		ck_assert(index >= 0 && (size_t)index < rules->len);
		ck_assert_str_eq(json_get_str(v, "ruleId"),
				 json_get_str(nth(rules, (size_t)index), "id"));
		ck_assert_ptr_nonnull(json_get_str(json_get(v, "message"),
						   "text"));
		loc = json_get(v, "locations");
		ck_assert_int_eq(loc->type, JSON_ARRAY);
		for (loc = loc->u.first; loc; loc = loc->next) {
			pl = json_get(loc, "physicalLocation");
			ck_assert_ptr_nonnull(json_get_str(
				json_get(pl, "artifactLocation"), "uri"));
			ck_assert_int_ge(num(json_get(json_get(pl, "region"),
						      "startLine")),
					 1);
		}
		fp = json_get(v, "partialFingerprints");
		ck_assert_ptr_nonnull(json_get_str(fp, "wormsign/v1"));
	}
}

START_TEST(sarif_has_the_shape_code_scanning_accepts)
{
	struct report r;
	struct json_doc doc;
	char *out;

	sample_report(&r);
	out = render(render_report_sarif, &r);
	parse_json(&doc, out);
	check_sarif_shape(doc.root);
	ck_assert_uint_eq(json_get(doc.root, "runs")->u.first->len, 4);
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(sarif_has_one_rule_per_kind_and_key)
{
	struct report r;
	struct report_finding f;
	struct report_evidence rule_ev = { "rule", "shai_hulud_bundle" };
	struct json_doc doc;
	const struct json_value *rules, *results, *rule;
	char *out;

	report_init(&r, "scan");
	memset(&f, 0, sizeof(f));
	f.kind = "ioc-package";
	f.feed = "mini-shai-hulud";
	f.severity = REPORT_HIGH;
	f.id = "a";
	f.remediation = "Remove it";
	report_add(&r, &f);
	f.id = "b";
	f.severity = REPORT_CRITICAL;	/* the rule takes the highest */
	report_add(&r, &f);
	f.id = "c";
	f.feed = "shai-hulud";
	f.severity = REPORT_MEDIUM;
	f.remediation = NULL;
	report_add(&r, &f);
	memset(&f, 0, sizeof(f));
	f.kind = "rule";
	f.id = "d";
	f.feed = "rules/bundled.yar";
	f.severity = REPORT_LOW;
	f.evidence = &rule_ev;
	f.nevidence = 1;
	report_add(&r, &f);
	memset(&f, 0, sizeof(f));
	f.kind = "lockfile";
	f.id = "e";
	report_add(&r, &f);
	out = render(render_report_sarif, &r);
	parse_json(&doc, out);
	check_sarif_shape(doc.root);
	rules = json_get(json_get(json_get(nth(json_get(doc.root, "runs"), 0),
					   "tool"),
				  "driver"),
			 "rules");
	ck_assert_uint_eq(rules->len, 4);
	/* rules in the order their first finding is listed: highest first */
	rule = nth(rules, 0);
	ck_assert_str_eq(json_get_str(rule, "id"), "ioc-package/mini-shai-hulud");
	ck_assert_str_eq(json_get_str(json_get(rule, "properties"),
				      "security-severity"),
			 "9.5");
	ck_assert_str_eq(json_get_str(json_get(rule, "help"), "text"),
			 "Remove it");
	ck_assert_ptr_nonnull(strstr(json_get_str(json_get(rule,
							    "shortDescription"),
						  "text"),
				     "mini-shai-hulud"));
	ck_assert_str_eq(nth(json_get(json_get(rule, "properties"), "tags"), 2)
				 ->u.str,
			 "ioc-package");
	rule = nth(rules, 1);
	ck_assert_str_eq(json_get_str(rule, "id"), "ioc-package/shai-hulud");
	ck_assert_str_eq(json_get_str(json_get(rule, "properties"),
				      "security-severity"),
			 "5.5");
	rule = nth(rules, 2);
	ck_assert_str_eq(json_get_str(rule, "id"), "rule/shai_hulud_bundle");
	ck_assert_str_eq(json_get_str(json_get(rule, "properties"),
				      "security-severity"),
			 "3.0");
	rule = nth(rules, 3);
	ck_assert_str_eq(json_get_str(rule, "id"), "lockfile");
	ck_assert_str_eq(json_get_str(json_get(rule, "properties"),
				      "security-severity"),
			 "0.0");

	results = json_get(nth(json_get(doc.root, "runs"), 0), "results");
	ck_assert_uint_eq(results->len, 5);
	ck_assert_str_eq(json_get_str(nth(results, 0), "level"), "error");
	ck_assert_str_eq(json_get_str(nth(results, 1), "level"), "error");
	ck_assert_str_eq(json_get_str(nth(results, 2), "level"), "warning");
	ck_assert_str_eq(json_get_str(nth(results, 3), "level"), "note");
	ck_assert_str_eq(json_get_str(nth(results, 4), "level"), "note");
	ck_assert_int_eq(num(json_get(nth(results, 1), "ruleIndex")), 0);
	ck_assert_int_eq(num(json_get(nth(results, 4), "ruleIndex")), 3);
	/* no file and no target: no location */
	ck_assert_uint_eq(json_get(nth(results, 4), "locations")->len, 0);
	/* no message: the kind's description stands in */
	ck_assert_str_eq(json_get_str(json_get(nth(results, 4), "message"),
				      "text"),
			 "A lockfile hygiene problem.");
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(sarif_results_point_into_the_lockfile)
{
	struct report r;
	struct json_doc doc;
	const struct json_value *res, *pl;
	char *out;

	sample_report(&r);
	out = render(render_report_sarif, &r);
	parse_json(&doc, out);
	res = nth(json_get(nth(json_get(doc.root, "runs"), 0), "results"), 0);
	ck_assert_str_eq(json_get_str(res, "ruleId"), "ioc-package/shai-hulud");
	ck_assert_str_eq(json_get_str(res, "level"), "error");
	ck_assert_str_eq(json_get_str(json_get(res, "message"), "text"),
			 "Known malicious version. Dependency path: app@1.0.0 > "
			 "evil@1.0.0. Remove evil and rotate credentials.");
	pl = json_get(nth(json_get(res, "locations"), 0), "physicalLocation");
	ck_assert_str_eq(json_get_str(json_get(pl, "artifactLocation"), "uri"),
			 "app/package-lock.json");
	ck_assert_int_eq(num(json_get(json_get(pl, "region"), "startLine")), 7);
	ck_assert_str_eq(json_get_str(json_get(res, "partialFingerprints"),
				      "wormsign/v1"),
			 "ioc-package:evil@1.0.0");
	ck_assert_str_eq(json_get_str(json_get(res, "properties"), "severity"),
			 "critical");
	/* a finding with neither file nor target has no location */
	res = nth(json_get(nth(json_get(doc.root, "runs"), 0), "results"), 1);
	ck_assert_uint_eq(json_get(res, "locations")->len, 0);
	/* errors become notifications */
	ck_assert_str_eq(
		json_get_str(json_get(nth(json_get(nth(json_get(nth(json_get(doc.root,
									  "runs"),
								 0),
							"invocations"),
					       0),
				      "toolExecutionNotifications"),
			     0),
				  "message"),
			 "text"),
		"lib: lib/package-lock.json:1:1: empty document");
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(sarif_uris_are_relative_with_forward_slashes)
{
	static const char *const cases[][2] = {
		{ "./app/package-lock.json", "app/package-lock.json" },
		{ "app\\sub\\package-lock.json", "app/sub/package-lock.json" },
		{ "my app/yarn.lock", "my%20app/yarn.lock" },
		{ "c:x/%/#?", "c%3Ax/%25/%23%3F" },
		{ "caf\xc3\xa9/a.js", "caf%C3%A9/a.js" },
		{ "@scope/pkg+1/a.js", "@scope/pkg+1/a.js" },
	};
	struct report r;
	struct report_finding f;
	struct json_doc doc;
	const struct json_value *res;
	char *out;
	size_t i;

	report_init(&r, "scan");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.id = cases[i][0];
		f.kind = "k";
		f.file = cases[i][0];
		report_add(&r, &f);
	}
	memset(&f, 0, sizeof(f));
	f.id = "zz-target-only";
	f.kind = "k";
	f.target = "proj";
	report_add(&r, &f);
	out = render(render_report_sarif, &r);
	parse_json(&doc, out);
	check_sarif_shape(doc.root);
	res = json_get(nth(json_get(doc.root, "runs"), 0), "results");
	for (res = res->u.first; res; res = res->next) {
		const char *id = json_get_str(json_get(res, "properties"), "id");
		const struct json_value *pl = json_get(
			nth(json_get(res, "locations"), 0), "physicalLocation");
		const char *uri = json_get_str(json_get(pl, "artifactLocation"),
					       "uri");

		ck_assert_int_eq(num(json_get(json_get(pl, "region"),
					      "startLine")),
				 1);
		if (strcmp(id, "zz-target-only") == 0) {
			ck_assert_str_eq(uri, "proj");
			continue;
		}
		for (i = 0; strcmp(cases[i][0], id) != 0; i++)
			;
		ck_assert_str_eq(uri, cases[i][1]);
	}
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(sarif_of_an_empty_report_is_valid)
{
	struct report r;
	struct json_doc doc;
	const struct json_value *run;
	char *out;

	report_init(&r, "scan");
	out = render(render_report_sarif, &r);
	parse_json(&doc, out);
	check_sarif_shape(doc.root);
	run = nth(json_get(doc.root, "runs"), 0);
	ck_assert_uint_eq(json_get(run, "results")->len, 0);
	ck_assert_uint_eq(
		json_get(json_get(json_get(run, "tool"), "driver"), "rules")->len,
		0);
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(sarif_keeps_at_most_25000_results_highest_first)
{
	struct report r;
	struct report_finding f;
	struct json_doc doc;
	const struct json_value *run, *results, *last;
	char id[32], *out;
	size_t i;

	report_init(&r, "scan");
	for (i = 0; i < 25010; i++) {
		memset(&f, 0, sizeof(f));
		snprintf(id, sizeof(id), "f%06zu", i);
		f.id = id;
		f.kind = "k";
		f.severity = i < 10 ? REPORT_CRITICAL : REPORT_INFO;
		report_add(&r, &f);
	}
	/* these come last in the report but are the most severe */
	out = render(render_report_sarif, &r);
	parse_json(&doc, out);
	run = nth(json_get(doc.root, "runs"), 0);
	results = json_get(run, "results");
	ck_assert_uint_eq(results->len, 25000);
	ck_assert_str_eq(json_get_str(nth(results, 9), "level"), "error");
	for (last = results->u.first; last->next; last = last->next)
		;
	ck_assert_str_eq(json_get_str(json_get(last, "properties"), "id"),
			 "f024999");
	ck_assert_ptr_nonnull(strstr(
		json_get_str(json_get(nth(json_get(nth(json_get(run,
							      "invocations"),
						  0),
					 "toolExecutionNotifications"),
				0),
				       "message"),
			     "text"),
		"10 findings"));
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

/* ---- baselines ---- */

static int
load_baseline(struct report_baseline **b, const char *text)
{
	const char *path = write_tmp("baseline.json", text, strlen(text));

	return report_baseline_load(b, path);
}

START_TEST(baseline_suppresses_listed_findings_and_keeps_the_reason)
{
	struct report r;
	struct report_baseline *b;
	struct json_doc doc;
	const struct json_value *sup, *summary;
	char *out;

	make_tmp_dir();
	ck_assert_int_eq(load_baseline(&b,
		"{\"ignore\": [\n"
		"  {\"id\": \"ioc-package:evil@1.0.0\", \"reason\": \"vendored, never run\","
		" \"expires\": \"2026-12-31\"},\n"
		"  {\"id\": \"Young release\", \"reason\": \"pinned on purpose\"},\n"
		"  {\"id\": \"not in the report\", \"reason\": \"old\"}\n"
		"]}\n"),
			 0);
	ck_assert_ptr_nonnull(b);
	sample_report(&r);
	report_apply_baseline(&r, b, "2026-05-12");
	report_baseline_free(b);
	ck_assert_uint_eq(r.nfindings, 1);
	ck_assert_str_eq(r.findings[0].id, "Another young release");
	ck_assert_uint_eq(r.nsuppressed, 2);
	ck_assert_str_eq(r.suppressed[0].id, "Young release");
	ck_assert_str_eq(r.suppressed[0].reason, "pinned on purpose");
	ck_assert_ptr_null(r.suppressed[0].expires);
	ck_assert_str_eq(r.suppressed[1].id, "ioc-package:evil@1.0.0");
	ck_assert_str_eq(r.suppressed[1].reason, "vendored, never run");
	ck_assert_str_eq(r.suppressed[1].expires, "2026-12-31");
	ck_assert_int_eq(report_max_severity(&r), REPORT_LOW);

	out = render(render_report_json, &r);
	parse_json(&doc, out);
	summary = json_get(doc.root, "summary");
	ck_assert_int_eq(num(json_get(summary, "findings")), 1);
	ck_assert_int_eq(num(json_get(summary, "suppressed")), 2);
	ck_assert_int_eq(num(json_get(json_get(summary, "by_severity"),
				      "critical")),
			 0);
	sup = json_get(doc.root, "suppressed");
	ck_assert_uint_eq(sup->len, 2);
	ck_assert_str_eq(json_get_str(nth(sup, 1), "id"),
			 "ioc-package:evil@1.0.0");
	ck_assert_str_eq(json_get_str(nth(sup, 1), "reason"),
			 "vendored, never run");
	ck_assert_str_eq(json_get_str(nth(sup, 1), "expires"), "2026-12-31");
	ck_assert_int_eq(json_get(nth(sup, 0), "expires")->type, JSON_NULL);
	json_doc_release(&doc);
	free(out);

	out = render(render_report_text, &r);
	ck_assert_ptr_nonnull(strstr(out,
		"suppressed by the baseline:\n"
		"  Young release: pinned on purpose\n"
		"  ioc-package:evil@1.0.0: vendored, never run (until 2026-12-31)\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"1 finding (0 critical, 0 high, 0 medium, 1 low, 0 info), 2 suppressed, 1 error\n"));
	free(out);
	out = render(render_report_markdown, &r);
	ck_assert_ptr_nonnull(strstr(out, "| suppressed | 2 |\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"| `ioc-package:evil@1.0.0` | vendored, never run | `2026-12-31` |\n"));
	free(out);
	out = render(render_report_sarif, &r);
	ck_assert_ptr_nonnull(strstr(out, "\"reason\": \"pinned on purpose\""));
	free(out);
	report_release(&r);
	remove_tmp("baseline.json");
	rmdir(tmp_dir);
}
END_TEST

START_TEST(baseline_entries_stop_suppressing_after_they_expire)
{
	struct report r;
	struct report_baseline *b;

	make_tmp_dir();
	ck_assert_int_eq(load_baseline(&b,
		"{\"ignore\": [{\"id\": \"Young release\", \"reason\": \"r\","
		" \"expires\": \"2026-05-12\"}]}"),
			 0);
	sample_report(&r);
	report_apply_baseline(&r, b, "2026-05-12");	/* the last day */
	ck_assert_uint_eq(r.nsuppressed, 1);
	report_release(&r);
	sample_report(&r);
	report_apply_baseline(&r, b, "2026-05-13");
	ck_assert_uint_eq(r.nsuppressed, 0);
	ck_assert_uint_eq(r.nfindings, 3);
	report_release(&r);
	sample_report(&r);
	report_apply_baseline(&r, b, NULL);	/* no date: expired */
	ck_assert_uint_eq(r.nsuppressed, 0);
	report_release(&r);
	sample_report(&r);
	report_apply_baseline(&r, NULL, "2026-05-12");
	ck_assert_uint_eq(r.nfindings, 3);
	report_release(&r);
	report_baseline_free(b);
	report_baseline_free(NULL);
	remove_tmp("baseline.json");
	rmdir(tmp_dir);
}
END_TEST

START_TEST(baseline_errors_name_file_line_and_column)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} cases[] = {
		{ "[]", WS_EPARSE, ":1:1: baseline must be an object" },
		{ "{}", WS_EPARSE, ":1:1: baseline has no \"ignore\" list" },
		{ "{\"ignore\": {}}", WS_EPARSE,
		  ":1:12: \"ignore\" must be an array, not object" },
		{ "{\"ignore\": [], \"extra\": 1}", WS_EPARSE,
		  ":1:25: unknown key \"extra\" in baseline" },
		{ "{\"ignore\": [], \"ignore\": []}", WS_EPARSE,
		  "duplicate key \"ignore\"" },
		{ "{\"ignore\": [\n  \"id\"\n]}", WS_EPARSE,
		  ":2:3: ignore entry must be an object, not string" },
		{ "{\"ignore\": [\n  {\"reason\": \"r\"}\n]}", WS_EPARSE,
		  ":2:3: ignore entry has no \"id\"" },
		{ "{\"ignore\": [\n  {\"id\": \"x\"}\n]}", WS_EPARSE,
		  ":2:3: ignore entry \"x\" has no \"reason\"" },
		{ "{\"ignore\": [{\"id\": \"x\", \"reason\": \"\"}]}", WS_EPARSE,
		  ":1:35: \"reason\" is empty" },
		{ "{\"ignore\": [{\"id\": 7, \"reason\": \"r\"}]}", WS_EPARSE,
		  ":1:20: \"id\" must be a string, not number" },
		{ "{\"ignore\": [{\"id\": \"x\", \"reason\": \"r\",\n"
		  "  \"expires\": \"2026-02-30\"}]}",
		  WS_EPARSE,
		  ":2:14: \"expires\" must be a date as YYYY-MM-DD, not \"2026-02-30\"" },
		{ "{\"ignore\": [{\"id\": \"x\", \"reason\": \"r\", \"expires\": \"31/12/2026\"}]}",
		  WS_EPARSE, "not \"31/12/2026\"" },
		{ "{\"ignore\": [{\"id\": \"x\", \"reason\": \"r\", \"expires\": \"2026-1-01\"}]}",
		  WS_EPARSE, "YYYY-MM-DD" },
		{ "{\"ignore\": [{\"id\": \"x\", \"reason\": \"r\", \"expire\": \"2026-01-01\"}]}",
		  WS_EPARSE, "unknown key \"expire\" in ignore entry" },
		{ "{\"ignore\": [{\"id\": \"x\", \"id\": \"y\", \"reason\": \"r\"}]}",
		  WS_EPARSE, "duplicate key \"id\"" },
		{ "{\"ignore\": [{\"id\": \"x\", \"reason\": \"r\"},\n"
		  "  {\"id\": \"x\", \"reason\": \"s\"}]}",
		  WS_EPARSE, ":2:10: duplicate id \"x\" (first on line 1)" },
		{ "{\"ignore\": [{\"id\": \"a\\u0000b\", \"reason\": \"r\"}]}",
		  WS_EPARSE, "baseline.json:1:22: " },	/* the parser refuses */
		{ "{\"ignore\": [{\"id\": \"\\u001b[31m\", \"reason\": \"r\"}, "
		  "{\"id\": \"\\u001b[31m\", \"reason\": \"r\"}]}",
		  WS_EPARSE, "duplicate id \"\\x1b[31m\"" },
		{ "{\"ignore\": [", WS_EPARSE, "baseline.json:1:" },
		{ "", WS_EPARSE, "empty document" },
	};
	struct report_baseline *b;
	size_t i;

	make_tmp_dir();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = (struct report_baseline *)&b;
		ck_assert_int_eq(load_baseline(&b, cases[i].text),
				 cases[i].code);
		ck_assert_ptr_null(b);
		ck_assert_msg(strstr(ws_error_last(), cases[i].msg) != NULL,
			      "case %zu: \"%s\" lacks \"%s\"", i,
			      ws_error_last(), cases[i].msg);
		ck_assert_msg(strstr(ws_error_last(), "baseline.json:") != NULL,
			      "case %zu: \"%s\" names no file", i,
			      ws_error_last());
	}
	remove_tmp("baseline.json");
	rmdir(tmp_dir);
}
END_TEST

START_TEST(baseline_accepts_valid_dates_only)
{
	static const char *const good[] = {
		"2024-02-29", "2000-02-29", "1970-01-01", "9999-12-31",
		"2026-04-30",
	};
	static const char *const bad[] = {
		"2023-02-29", "1900-02-29", "2026-04-31", "2026-00-10",
		"2026-13-01", "2026-01-00", "1969-12-31", "2026-01-01T00:00:00Z",
		"20260101", "2026-01-0a", " 2026-01-01",
	};
	struct report_baseline *b;
	char text[256];
	size_t i;

	make_tmp_dir();
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"ignore\": [{\"id\": \"x\", \"reason\": \"r\", \"expires\": \"%s\"}]}",
			 good[i]);
		ck_assert_msg(load_baseline(&b, text) == 0, "%s: %s", good[i],
			      ws_error_last());
		report_baseline_free(b);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"ignore\": [{\"id\": \"x\", \"reason\": \"r\", \"expires\": \"%s\"}]}",
			 bad[i]);
		ck_assert_msg(load_baseline(&b, text) == WS_EPARSE,
			      "%s was accepted", bad[i]);
	}
	remove_tmp("baseline.json");
	rmdir(tmp_dir);
}
END_TEST

START_TEST(baseline_files_are_bounded)
{
	struct report_baseline *b;
	const char *path;
	char *big;
	size_t n = (4u << 20) + 1;

	make_tmp_dir();
	big = xmalloc(n);
	memset(big, ' ', n);
	big[0] = '{';
	path = write_tmp("big.json", big, n);
	ck_assert_int_eq(report_baseline_load(&b, path), WS_ELIMIT);
	ck_assert_ptr_null(b);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "big.json"));
	free(big);
	remove_tmp("big.json");

	ck_assert_int_eq(report_baseline_load(&b, "/nonexistent/baseline.json"),
			 WS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(ws_error_last(),
				     "/nonexistent/baseline.json"));
	ck_assert_int_ne(report_baseline_load(&b, tmp_dir), 0);
	ck_assert_ptr_null(b);
	rmdir(tmp_dir);
}
END_TEST

START_TEST(baseline_with_many_entries_loads)
{
	struct report r;
	struct report_baseline *b;
	struct strbuf sb;
	const char *path;
	char id[32];
	size_t i;

	make_tmp_dir();
	strbuf_init(&sb, 4u << 20);
	strbuf_addstr(&sb, "{\"ignore\": [");
	for (i = 0; i < 50000; i++)
		strbuf_addf(&sb, "%s{\"id\": \"f%zu\", \"reason\": \"r\"}",
			    i ? "," : "", i);
	strbuf_addstr(&sb, "]}");
	path = write_tmp("many.json", sb.buf, sb.len);
	strbuf_release(&sb);
	ck_assert_int_eq(report_baseline_load(&b, path), 0);
	report_init(&r, "scan");
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "f%zu", i * 100);
		add_simple(&r, REPORT_HIGH, id);
	}
	add_simple(&r, REPORT_HIGH, "other");
	report_apply_baseline(&r, b, "2026-01-01");
	ck_assert_uint_eq(r.nsuppressed, 500);
	ck_assert_uint_eq(r.nfindings, 501);
	report_release(&r);
	report_baseline_free(b);
	remove_tmp("many.json");
	rmdir(tmp_dir);
}
END_TEST

/* ---- write errors ---- */

START_TEST(report_renderers_fail_on_write_errors)
{
	struct report r;

	sample_report(&r);
	ck_assert_int_eq(render_full(render_report_json, &r), WS_EIO);
	ck_assert_int_eq(render_full(render_report_text, &r), WS_EIO);
	ck_assert_int_eq(render_full(render_report_markdown, &r), WS_EIO);
	ck_assert_int_eq(render_full(render_report_sarif, &r), WS_EIO);
	report_release(&r);
	/* even when what they write is short */
	report_init(&r, "scan");
	ck_assert_int_eq(render_full(render_report_text, &r), WS_EIO);
	ck_assert_int_eq(render_full(render_report_markdown, &r), WS_EIO);
	report_release(&r);
}
END_TEST

/* ---- the inventory ---- */

static uint32_t
add_pkg(struct tree *t, const char *loc, const char *name, const char *ver)
{
	uint32_t i;

	ck_assert_int_eq(tree_add_node(t, loc, &i), 0);
	t->nodes[i].name = tree_strdup(t, name);
	t->nodes[i].version = tree_strdup(t, ver);
	return i;
}

/*
 * root@1.0.0 -> a@1.0.0 -> b@2.0.0
 *            -> x (an alias of real@3.0.0)
 *            -> (dev) d@0.1.0
 * and orphan@9.9.9, which nothing needs.
 */
static struct tree *
small_tree(const char *file)
{
	struct tree *t;
	uint32_t i;

	tree_new(&t, file, "package-lock v3");
	i = add_pkg(t, "", "root", "1.0.0");
	ck_assert_int_eq(tree_add_dep(t, i, "a", "^1.0.0", TREE_DEP_PROD), 0);
	ck_assert_int_eq(tree_add_dep(t, i, "x", "npm:real@^3", TREE_DEP_PROD),
			 0);
	ck_assert_int_eq(tree_add_dep(t, i, "d", "^0.1.0", TREE_DEP_DEV), 0);
	i = add_pkg(t, "node_modules/a", "a", "1.0.0");
	t->nodes[i].integrity = tree_strdup(t, "sha512-AAAA");
	t->nodes[i].resolved =
		tree_strdup(t, "https://registry.npm.test/a/-/a-1.0.0.tgz");
	ck_assert_int_eq(tree_add_dep(t, i, "b", "^2", TREE_DEP_PROD), 0);
	add_pkg(t, "node_modules/b", "b", "2.0.0");
	i = add_pkg(t, "node_modules/x", "real", "3.0.0");
	t->nodes[i].alias = tree_strdup(t, "x");
	add_pkg(t, "node_modules/d", "d", "0.1.0");
	add_pkg(t, "node_modules/orphan", "orphan", "9.9.9");
	ck_assert_int_eq(tree_resolve(t), 0);
	return t;
}

static void
small_inventory(struct tree_inv *inv, int ntrees)
{
	int i;

	tree_inv_init(inv);
	for (i = 0; i < ntrees; i++)
		tree_inv_add(inv, small_tree(i ? "other/package-lock.json" :
						 "app/package-lock.json"));
	tree_inv_index(inv);
}

static int
render_tree_json(FILE *fp, void *arg)
{
	return report_tree_json(fp, arg, 1);
}

static int
render_tree_json_compact(FILE *fp, void *arg)
{
	return report_tree_json(fp, arg, 0);
}

static int
render_tree_text(FILE *fp, void *arg)
{
	return report_tree_text(fp, arg, 0);
}

static int
render_tree_text_color(FILE *fp, void *arg)
{
	return report_tree_text(fp, arg, 1);
}

/* The package object named name in a wormsign-tree/1 document. */
static const struct json_value *
find_package(const struct json_value *root, const char *name)
{
	const struct json_value *p;

	for (p = json_get(root, "packages")->u.first; p; p = p->next)
		if (strcmp(json_get_str(p, "name"), name) == 0)
			return p;
	ck_abort_msg("no package %s", name);
	return NULL;
}

START_TEST(tree_json_has_schema_and_targets)
{
	struct tree_inv inv;
	struct json_doc doc;
	const struct json_value *targets, *t;
	char *out;

	small_inventory(&inv, 1);
	out = render(render_tree_json, &inv);
	parse_json(&doc, out);
	ck_assert_str_eq(json_get_str(doc.root, "schema"), "wormsign-tree/1");
	targets = json_get(doc.root, "targets");
	ck_assert_uint_eq(targets->len, 1);
	t = targets->u.first;
	ck_assert_str_eq(json_get_str(t, "file"), "app/package-lock.json");
	ck_assert_str_eq(json_get_str(t, "format"), "package-lock v3");
	ck_assert_str_eq(json_get_str(t, "name"), "root");
	ck_assert_str_eq(json_get_str(t, "version"), "1.0.0");
	ck_assert_str_eq(json_get_str(t, "location"), "");
	ck_assert_int_eq(json_get(t, "workspace")->type, JSON_FALSE);
	ck_assert_uint_eq(json_get(doc.root, "warnings")->len, 0);
	json_doc_release(&doc);
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_json_packages_are_sorted_with_paths)
{
	static const char *const order[] = { "a", "b", "d", "orphan", "real" };
	struct tree_inv inv;
	struct json_doc doc;
	const struct json_value *pkgs, *p, *paths, *path, *e;
	char *out;
	size_t i;

	small_inventory(&inv, 1);
	out = render(render_tree_json, &inv);
	parse_json(&doc, out);
	pkgs = json_get(doc.root, "packages");
	ck_assert_uint_eq(pkgs->len, 5);
	for (i = 0, p = pkgs->u.first; p; p = p->next, i++)
		ck_assert_str_eq(json_get_str(p, "name"), order[i]);

	p = find_package(doc.root, "b");
	ck_assert_str_eq(json_get_str(p, "version"), "2.0.0");
	paths = json_get(p, "paths");
	ck_assert_uint_eq(paths->len, 1);
	path = paths->u.first;
	ck_assert_int_eq(path->type, JSON_ARRAY);
	ck_assert_uint_eq(path->len, 3);
	e = path->u.first;
	ck_assert_str_eq(e->u.str, "root@1.0.0");
	ck_assert_str_eq(e->next->u.str, "a@1.0.0");
	ck_assert_str_eq(e->next->next->u.str, "b@2.0.0");
	json_doc_release(&doc);
	free(out);
	/* paths are printed on one line */
	out = render(render_tree_json, &inv);
	ck_assert_ptr_nonnull(strstr(out,
		"[\"root@1.0.0\", \"a@1.0.0\", \"b@2.0.0\"]"));
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_json_package_fields)
{
	struct tree_inv inv;
	struct json_doc doc;
	const struct json_value *p, *locs;
	char *out;

	small_inventory(&inv, 1);
	out = render(render_tree_json_compact, &inv);
	ck_assert_ptr_null(strchr(out, '\n'));
	parse_json(&doc, out);

	p = find_package(doc.root, "a");
	ck_assert_str_eq(json_get_str(p, "integrity"), "sha512-AAAA");
	ck_assert_str_eq(json_get_str(p, "resolved"),
			 "https://registry.npm.test/a/-/a-1.0.0.tgz");
	ck_assert_str_eq(json_get_str(p, "source"), "registry");
	ck_assert_int_eq(json_get(p, "dev")->type, JSON_FALSE);
	ck_assert_int_eq(json_get(p, "optional")->type, JSON_FALSE);
	ck_assert_ptr_null(json_get(p, "alias"));
	ck_assert_ptr_null(json_get(p, "extraneous"));
	locs = json_get(p, "locations");
	ck_assert_uint_eq(locs->len, 1);
	ck_assert_str_eq(json_get_str(locs->u.first, "file"),
			 "app/package-lock.json");
	ck_assert_str_eq(json_get_str(locs->u.first, "location"),
			 "node_modules/a");

	/* missing integrity and resolved are null, not left out */
	p = find_package(doc.root, "b");
	ck_assert_int_eq(json_get(p, "integrity")->type, JSON_NULL);
	ck_assert_int_eq(json_get(p, "resolved")->type, JSON_NULL);

	p = find_package(doc.root, "real");
	ck_assert_str_eq(json_get_str(p, "alias"), "x");
	ck_assert_str_eq(json_get_str(p, "version"), "3.0.0");
	/* paths name the real package */
	ck_assert_str_eq(json_get(p, "paths")->u.first->u.first->next->u.str,
			 "real@3.0.0");

	p = find_package(doc.root, "d");
	ck_assert_int_eq(json_get(p, "dev")->type, JSON_TRUE);

	p = find_package(doc.root, "orphan");
	ck_assert_int_eq(json_get(p, "extraneous")->type, JSON_TRUE);
	ck_assert_uint_eq(json_get(p, "paths")->len, 0);
	json_doc_release(&doc);
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_json_equal_paths_from_two_inputs_fold_into_one)
{
	struct tree_inv inv;
	struct json_doc doc;
	const struct json_value *p;
	char *out;

	small_inventory(&inv, 2);
	out = render(render_tree_json, &inv);
	parse_json(&doc, out);
	ck_assert_uint_eq(json_get(doc.root, "targets")->len, 2);
	ck_assert_uint_eq(json_get(doc.root, "packages")->len, 5);
	p = find_package(doc.root, "b");
	ck_assert_uint_eq(json_get(p, "locations")->len, 2);
	ck_assert_str_eq(json_get_str(json_get(p, "locations")->u.first->next,
				      "file"),
			 "other/package-lock.json");
	ck_assert_uint_eq(json_get(p, "paths")->len, 1);
	json_doc_release(&doc);
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_json_long_paths_keep_the_tail)
{
	struct tree_inv inv;
	struct tree *t;
	struct json_doc doc;
	const struct json_value *path, *e;
	char loc[64], name[32];
	size_t n = REPORT_PATH_LEN_MAX + 6, i;
	uint32_t idx;
	char *out;

	tree_new(&t, "deep/package-lock.json", "package-lock v3");
	idx = add_pkg(t, "", "root", "1.0.0");
	tree_add_dep(t, idx, "p0", NULL, TREE_DEP_PROD);
	for (i = 0; i < n; i++) {
		snprintf(loc, sizeof(loc), "node_modules/p%zu", i);
		snprintf(name, sizeof(name), "p%zu", i);
		idx = add_pkg(t, loc, name, "1.0.0");
		snprintf(name, sizeof(name), "p%zu", i + 1);
		if (i + 1 < n)
			tree_add_dep(t, idx, name, NULL, TREE_DEP_PROD);
	}
	tree_resolve(t);
	tree_inv_init(&inv);
	tree_inv_add(&inv, t);
	tree_inv_index(&inv);
	out = render(render_tree_json, &inv);
	parse_json(&doc, out);
	snprintf(name, sizeof(name), "p%zu", n - 1);
	path = json_get(find_package(doc.root, name), "paths")->u.first;
	ck_assert_uint_eq(path->len, REPORT_PATH_LEN_MAX + 1);
	e = path->u.first;
	ck_assert_str_eq(e->u.str, "...");
	while (e->next)
		e = e->next;
	snprintf(name, sizeof(name), "p%zu@1.0.0", n - 1);
	ck_assert_str_eq(e->u.str, name);
	json_doc_release(&doc);
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_text_draws_the_tree)
{
	struct tree_inv inv;
	char *out;

	small_inventory(&inv, 1);
	out = render(render_tree_text, &inv);
	ck_assert_str_eq(out,
		"app/package-lock.json (package-lock v3, 5 installed locations)\n"
		"root@1.0.0\n"
		"|-- a@1.0.0\n"
		"|   `-- b@2.0.0\n"
		"|-- d@0.1.0 (dev)\n"
		"`-- x -> real@3.0.0\n"
		"not reached from any target:\n"
		"    orphan@9.9.9\n"
		"\n"
		"5 packages (1 dev only) in 1 input\n");
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_text_separates_inputs_and_colours_on_request)
{
	struct tree_inv inv;
	char *out;

	small_inventory(&inv, 2);
	out = render(render_tree_text, &inv);
	ck_assert_uint_eq(count_of(out, "|   `-- b@2.0.0\n"), 2);
	ck_assert_ptr_nonnull(strstr(out, "\n\nother/package-lock.json ("));
	ck_assert_ptr_nonnull(strstr(out, "5 packages (1 dev only) in 2 inputs\n"));
	ck_assert_ptr_null(strchr(out, '\033'));
	free(out);
	out = render(render_tree_text_color, &inv);
	ck_assert_ptr_nonnull(strstr(out, "\033[1m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[0m"));
	free(out);
	tree_inv_release(&inv);
}
END_TEST

static int
match_name(const struct tree_pkg *pkg, void *payload)
{
	return strcmp(pkg->name, payload) == 0;
}

struct why_args {
	struct tree_inv *inv;
	const char *name;
	int json;
	size_t matched;
};

static int
render_why(FILE *fp, void *arg)
{
	struct why_args *a = arg;

	return report_tree_why(fp, a->inv, a->json, match_name,
			       (void *)a->name, &a->matched);
}

START_TEST(tree_why_prints_paths_of_matching_packages)
{
	struct tree_inv inv;
	struct why_args a;
	char *out;

	small_inventory(&inv, 1);
	a.inv = &inv;
	a.name = "b";
	a.json = 0;
	out = render(render_why, &a);
	ck_assert_uint_eq(a.matched, 1);
	ck_assert_str_eq(out, "b@2.0.0\n"
			      "  root@1.0.0 > a@1.0.0 > b@2.0.0\n"
			      "  at app/package-lock.json: node_modules/b\n");
	free(out);
	a.name = "orphan";
	out = render(render_why, &a);
	ck_assert_ptr_nonnull(strstr(out, "(not reached from any target)"));
	free(out);
	a.name = "nothing";
	out = render(render_why, &a);
	ck_assert_uint_eq(a.matched, 0);
	ck_assert_str_eq(out, "");
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_why_json_has_only_matching_packages)
{
	struct tree_inv inv;
	struct why_args a;
	struct json_doc doc;
	const struct json_value *pkgs;
	char *out;

	small_inventory(&inv, 1);
	a.inv = &inv;
	a.name = "real";
	a.json = 1;
	out = render(render_why, &a);
	ck_assert_uint_eq(a.matched, 1);
	parse_json(&doc, out);
	ck_assert_str_eq(json_get_str(doc.root, "schema"), "wormsign-tree/1");
	pkgs = json_get(doc.root, "packages");
	ck_assert_uint_eq(pkgs->len, 1);
	ck_assert_str_eq(json_get_str(pkgs->u.first, "alias"), "x");
	json_doc_release(&doc);
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_renderers_fail_on_write_errors)
{
	struct tree_inv inv;

	small_inventory(&inv, 1);
	ck_assert_int_eq(render_full(render_tree_json, &inv), WS_EIO);
	ck_assert_int_eq(render_full(render_tree_text, &inv), WS_EIO);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_empty_inventory_renders)
{
	struct tree_inv inv;
	struct json_doc doc;
	char *out;

	tree_inv_init(&inv);
	tree_inv_index(&inv);
	out = render(render_tree_json, &inv);
	parse_json(&doc, out);
	ck_assert_uint_eq(json_get(doc.root, "packages")->len, 0);
	json_doc_release(&doc);
	free(out);
	out = render(render_tree_text, &inv);
	ck_assert_str_eq(out, "\n0 packages (0 dev only) in 0 inputs\n");
	free(out);
	tree_inv_release(&inv);
}
END_TEST

START_TEST(tree_text_escapes_what_it_prints)
{
	struct tree_inv inv;
	struct tree *t;
	uint32_t i;
	char *out;

	tree_new(&t, "app/\x1b[2Jpackage-lock.json", "package-lock v3");
	i = add_pkg(t, "", "root", "1.0.0");
	ck_assert_int_eq(tree_add_dep(t, i, "evil", "*", TREE_DEP_PROD), 0);
	add_pkg(t, "node_modules/evil", "evil\x1b]0;x\x07", "1.0.0\xe2\x80\xae");
	ck_assert_int_eq(tree_resolve(t), 0);
	tree_inv_init(&inv);
	tree_inv_add(&inv, t);
	tree_inv_index(&inv);
	out = render(render_tree_text, &inv);
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_null(strchr(out, '\a'));
	ck_assert_ptr_null(strstr(out, "\xe2\x80\xae"));
	ck_assert_ptr_nonnull(strstr(out, "app/\\x1b[2Jpackage-lock.json"));
	ck_assert_ptr_nonnull(strstr(out,
		"`-- evil\\x1b]0;x\\x07@1.0.0\\xe2\\x80\\xae\n"));
	free(out);
	tree_inv_release(&inv);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("findings");
	tcase_add_test(tc, report_add_copies_every_string);
	tcase_add_test(tc, report_add_keeps_null_fields_null);
	tcase_add_test(tc, report_add_bounds_paths_evidence_and_strings);
	tcase_add_test(tc, report_add_error_copies_target_and_message);
	tcase_add_test(tc, report_add_target_copies_the_name);
	tcase_add_test(tc, report_add_target_lists_each_target_once);
	tcase_add_test(tc, severity_names_round_trip);
	tcase_add_test(tc, severity_parse_rejects_unknown_names);
	tcase_add_test(tc, max_severity_is_minus_one_without_findings);
	suite_add_tcase(s, tc);

	tc = tcase_create("sort");
	tcase_add_test(tc, report_sort_orders_by_severity_kind_package_version_id);
	tcase_add_test(tc, report_sort_compares_versions_by_semver);
	tcase_add_test(tc, report_sort_keeps_equal_findings_in_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("report_json");
	tcase_add_test(tc, report_json_parses_with_schema_and_tool);
	tcase_add_test(tc, report_json_findings_have_every_key_in_order);
	tcase_add_test(tc, report_json_package_carries_its_paths);
	tcase_add_test(tc, report_json_summary_counts_severities_kinds_and_suppressed);
	tcase_add_test(tc, report_json_errors_are_target_message_objects);
	tcase_add_test(tc, report_json_of_an_empty_report_is_complete);
	tcase_add_test(tc, report_sections_render_after_the_findings);
	tcase_add_test(tc, report_json_stays_valid_with_hostile_strings);
	tcase_add_test(tc, report_renderers_fail_on_write_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("report_text");
	tcase_add_test(tc, report_text_groups_by_severity_then_kind);
	tcase_add_test(tc, report_text_names_target_and_file_apart);
	tcase_add_test(tc, report_text_never_prints_control_bytes_from_the_data);
	tcase_add_test(tc, report_text_colours_only_on_request);
	tcase_add_test(tc, report_text_without_findings_counts_targets);
	suite_add_tcase(s, tc);

	tc = tcase_create("report_markdown");
	tcase_add_test(tc, markdown_has_heading_summary_and_a_table_per_severity);
	tcase_add_test(tc, markdown_puts_evidence_in_details_blocks);
	tcase_add_test(tc, markdown_escapes_pipes_backticks_and_html);
	tcase_add_test(tc, markdown_puts_words_with_an_at_sign_in_code);
	tcase_add_test(tc, markdown_stays_under_the_comment_limit);
	tcase_add_test(tc, markdown_without_findings_says_so);
	suite_add_tcase(s, tc);

	tc = tcase_create("report_sarif");
	tcase_add_test(tc, sarif_has_the_shape_code_scanning_accepts);
	tcase_add_test(tc, sarif_has_one_rule_per_kind_and_key);
	tcase_add_test(tc, sarif_results_point_into_the_lockfile);
	tcase_add_test(tc, sarif_uris_are_relative_with_forward_slashes);
	tcase_add_test(tc, sarif_of_an_empty_report_is_valid);
	tcase_add_test(tc, sarif_keeps_at_most_25000_results_highest_first);
	suite_add_tcase(s, tc);

	tc = tcase_create("baseline");
	tcase_add_test(tc, baseline_suppresses_listed_findings_and_keeps_the_reason);
	tcase_add_test(tc, baseline_entries_stop_suppressing_after_they_expire);
	tcase_add_test(tc, baseline_errors_name_file_line_and_column);
	tcase_add_test(tc, baseline_accepts_valid_dates_only);
	tcase_add_test(tc, baseline_files_are_bounded);
	tcase_add_test(tc, baseline_with_many_entries_loads);
	suite_add_tcase(s, tc);

	tc = tcase_create("tree_json");
	tcase_add_test(tc, tree_json_has_schema_and_targets);
	tcase_add_test(tc, tree_json_packages_are_sorted_with_paths);
	tcase_add_test(tc, tree_json_package_fields);
	tcase_add_test(tc, tree_json_equal_paths_from_two_inputs_fold_into_one);
	tcase_add_test(tc, tree_json_long_paths_keep_the_tail);
	suite_add_tcase(s, tc);

	tc = tcase_create("tree_text");
	tcase_add_test(tc, tree_text_draws_the_tree);
	tcase_add_test(tc, tree_text_separates_inputs_and_colours_on_request);
	tcase_add_test(tc, tree_text_escapes_what_it_prints);
	tcase_add_test(tc, tree_why_prints_paths_of_matching_packages);
	tcase_add_test(tc, tree_why_json_has_only_matching_packages);
	tcase_add_test(tc, tree_renderers_fail_on_write_errors);
	tcase_add_test(tc, tree_empty_inventory_renders);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
