/* report: findings (wormsign-report/1, text) and the inventory renderers
 * (wormsign-tree/1, the text tree, --why). */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	strbuf_init(&sb, 16u << 20);
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

/* ---- findings ---- */

START_TEST(report_add_copies_every_string)
{
	struct report r;
	struct report_finding f;
	struct report_evidence ev[2];
	char id[] = "ioc-package:evil@1.0.0", kind[] = "ioc-package";
	char title[] = "known malicious version", name[] = "evil";
	char version[] = "1.0.0", file[] = "package-lock.json";
	char source[] = "feed.json", advisory[] = "GHSA-xxxx";
	char k0[] = "sha512", v0[] = "abc", k1[] = "feed", v1[] = "native";

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.kind = kind;
	f.severity = REPORT_CRITICAL;
	f.message = title;
	f.package_name = name;
	f.package_version = version;
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
	memset(k0, 'X', sizeof(k0) - 1);
	memset(v1, 'X', sizeof(v1) - 1);
	ev[0].key = "gone";
	f.nevidence = 0;

	ck_assert_uint_eq(r.nfindings, 1);
	ck_assert_str_eq(r.findings[0].id, "ioc-package:evil@1.0.0");
	ck_assert_str_eq(r.findings[0].kind, "ioc-package");
	ck_assert_str_eq(r.findings[0].message, "known malicious version");
	ck_assert_str_eq(r.findings[0].package_name, "evil");
	ck_assert_str_eq(r.findings[0].package_version, "1.0.0");
	ck_assert_str_eq(r.findings[0].file, "package-lock.json");
	ck_assert_str_eq(r.findings[0].source, "feed.json");
	ck_assert_str_eq(r.findings[0].advisory, "GHSA-xxxx");
	ck_assert_uint_eq(r.findings[0].line, 12);
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
	f.id = "x";
	f.kind = "k";
	f.message = "t";
	f.source = "s";
	report_init(&r, "scan");
	report_add(&r, &f);
	ck_assert_ptr_null(r.findings[0].package_name);
	ck_assert_ptr_null(r.findings[0].file);
	ck_assert_ptr_null(r.findings[0].advisory);
	ck_assert_ptr_null(r.findings[0].evidence);
	report_release(&r);
	report_release(NULL);
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

/* a report with two findings and an error */
static void
sample_report(struct report *r)
{
	static const char *targets[] = { "app", "lib/\"quoted\"" };
	static struct report_evidence ev[] = {
		{ "integrity", "sha512-AAAA" },
		{ "feed", "native" },
	};
	struct report_finding f;

	report_init(r, "scan");
	r->targets = targets;
	r->ntargets = 2;
	memset(&f, 0, sizeof(f));
	f.id = "ioc-package:evil@1.0.0";
	f.kind = "ioc-package";
	f.severity = REPORT_CRITICAL;
	f.message = "Known malicious version";
	f.package_name = "evil";
	f.package_version = "1.0.0";
	f.file = "app/package-lock.json";
	f.line = 7;
	f.source = "feeds/shai-hulud.json";
	f.advisory = "GHSA-0000";
	f.evidence = ev;
	f.nevidence = 2;
	report_add(r, &f);
	add_simple(r, REPORT_LOW, "Young release");
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
	ck_assert_str_eq(targets->u.first->next->u.str, "lib/\"quoted\"");
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_json_findings_carry_package_location_evidence)
{
	struct report r;
	struct json_doc doc;
	const struct json_value *findings, *f, *loc, *ev;
	char *out;

	sample_report(&r);
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	findings = json_get(doc.root, "findings");
	ck_assert_int_eq(findings->type, JSON_ARRAY);
	ck_assert_uint_eq(findings->len, 3);
	f = findings->u.first;
	ck_assert_str_eq(json_get_str(f, "id"), "ioc-package:evil@1.0.0");
	ck_assert_str_eq(json_get_str(f, "kind"), "ioc-package");
	ck_assert_str_eq(json_get_str(f, "severity"), "critical");
	ck_assert_str_eq(json_get_str(f, "message"), "Known malicious version");
	ck_assert_str_eq(json_get_str(json_get(f, "package"), "name"), "evil");
	ck_assert_str_eq(json_get_str(json_get(f, "package"), "version"),
			 "1.0.0");
	loc = json_get(f, "locations");
	ck_assert_uint_eq(loc->len, 1);
	ck_assert_str_eq(json_get_str(loc->u.first, "file"),
			 "app/package-lock.json");
	ck_assert_int_eq(strncmp(json_get(loc->u.first, "line")->u.str, "7", 1),
			 0);
	ev = json_get(f, "evidence");
	ck_assert_int_eq(ev->type, JSON_OBJECT);
	ck_assert_str_eq(json_get_str(ev, "integrity"), "sha512-AAAA");
	ck_assert_str_eq(json_get_str(ev, "feed"), "native");
	ck_assert_str_eq(json_get_str(f, "source"), "feeds/shai-hulud.json");
	ck_assert_str_eq(json_get_str(f, "advisory"), "GHSA-0000");
	/* optional members are left out, evidence is always an object */
	f = f->next;
	ck_assert_ptr_null(json_get(f, "package"));
	ck_assert_ptr_null(json_get(f, "locations"));
	ck_assert_ptr_null(json_get(f, "advisory"));
	ck_assert_int_eq(json_get(f, "evidence")->type, JSON_OBJECT);
	ck_assert_uint_eq(json_get(f, "evidence")->len, 0);
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_json_summary_counts_all_five_severities)
{
	static const char *const names[] = {
		"info", "low", "medium", "high", "critical",
	};
	static const char *const counts[] = { "0", "2", "0", "0", "1" };
	struct report r;
	struct json_doc doc;
	const struct json_value *summary, *by, *v;
	char *out;
	size_t i;

	sample_report(&r);
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	summary = json_get(doc.root, "summary");
	ck_assert_int_eq(strncmp(json_get(summary, "findings")->u.str, "3", 1),
			 0);
	by = json_get(summary, "by_severity");
	ck_assert_int_eq(by->type, JSON_OBJECT);
	ck_assert_uint_eq(by->len, 5);
	for (i = 0, v = by->u.first; i < 5; i++, v = v->next) {
		ck_assert_str_eq(v->key, names[i]);
		ck_assert_int_eq(v->type, JSON_NUMBER);
		ck_assert_uint_eq(v->len, 1);
		ck_assert_int_eq(v->u.str[0], counts[i][0]);
	}
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
	char *out;

	report_init(&r, "scan");
	out = render(render_report_json, &r);
	parse_json(&doc, out);
	ck_assert_uint_eq(json_get(doc.root, "findings")->len, 0);
	ck_assert_uint_eq(json_get(doc.root, "targets")->len, 0);
	ck_assert_uint_eq(json_get(doc.root, "errors")->len, 0);
	ck_assert_uint_eq(
		json_get(json_get(doc.root, "summary"), "by_severity")->len, 5);
	json_doc_release(&doc);
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_text_lists_findings_errors_and_count)
{
	struct report r;
	char *out;

	sample_report(&r);
	out = render(render_report_text, &r);
	ck_assert_str_eq(out,
		"critical Known malicious version (evil@1.0.0) in app/package-lock.json\n"
		"low      Young release\n"
		"low      Another young release\n"
		"error: lib: lib/package-lock.json:1:1: empty document\n"
		"3 findings\n");
	free(out);
	report_release(&r);
}
END_TEST

START_TEST(report_renderers_fail_on_write_errors)
{
	struct report r;

	sample_report(&r);
	ck_assert_int_eq(render_full(render_report_json, &r), WS_EIO);
	ck_assert_int_eq(render_full(render_report_text, &r), WS_EIO);
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

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("findings");
	tcase_add_test(tc, report_add_copies_every_string);
	tcase_add_test(tc, report_add_keeps_null_fields_null);
	tcase_add_test(tc, report_add_error_copies_target_and_message);
	tcase_add_test(tc, severity_names_round_trip);
	tcase_add_test(tc, severity_parse_rejects_unknown_names);
	tcase_add_test(tc, max_severity_is_minus_one_without_findings);
	suite_add_tcase(s, tc);

	tc = tcase_create("report_json");
	tcase_add_test(tc, report_json_parses_with_schema_and_tool);
	tcase_add_test(tc, report_json_findings_carry_package_location_evidence);
	tcase_add_test(tc, report_json_summary_counts_all_five_severities);
	tcase_add_test(tc, report_json_errors_are_target_message_objects);
	tcase_add_test(tc, report_json_of_an_empty_report_is_complete);
	tcase_add_test(tc, report_text_lists_findings_errors_and_count);
	tcase_add_test(tc, report_renderers_fail_on_write_errors);
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
