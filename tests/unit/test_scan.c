/*
 * The package checks of `wormsign scan` (scan_inventory): feed matching,
 * the git commit pin fingerprint, the feeds' package-json strings,
 * lifecycle scripts of installed packages, lockfile hygiene and the
 * stability of finding ids. Lockfiles and feeds are inline JSON written
 * with ' for " (see squote); installed trees are made under $TMPDIR.
 */

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed/feed.h"
#include "lockfile/lockfile.h"
#include "report/report.h"
#include "scan/scan.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define FX_FEEDS_MAX 4
#define REGISTRY "https://registry.npm.test/"
#define SHA40 "79ac49eedf774dd4b0cfa308722bc463cfe5885c"

/* ---- fixtures ---- */

struct fx {
	struct tree_inv inv;
	struct feed_set set;
	struct feed *feeds[FX_FEEDS_MAX];
	size_t nfeeds;
	struct report r;
	struct scan_opts o;
	int scanned;
};

static struct fx fx;

static void
fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	tree_inv_init(&fx.inv);
	feed_set_init(&fx.set);
	report_init(&fx.r, "scan");
	fx.o.feeds = &fx.set;
}

static void
fx_teardown(void)
{
	size_t i;

	report_release(&fx.r);
	feed_set_release(&fx.set);
	for (i = 0; i < fx.nfeeds; i++)
		feed_free(fx.feeds[i]);
	tree_inv_release(&fx.inv);
}

/* A malloc'd copy of s with every ' turned into ": JSON without escapes. */
static char *
squote(const char *s, size_t *len)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	*len = (size_t)(p - d);
	return d;
}

/* Parses an npm lockfile (single-quoted JSON), resolves it, adds it. */
static struct tree *
add_lockfile(const char *file, const char *json)
{
	struct tree *t = NULL;
	size_t len;
	char *buf = squote(json, &len);
	int err = lockfile_parse_npm(&t, buf, len, file, LOCKFILE_NPM);

	ck_assert_msg(err == 0, "lockfile: %s", ws_error_last());
	tree_own(t, buf);
	tree_resolve(t);
	tree_inv_add(&fx.inv, t);
	return t;
}

/* Parses a feed (single-quoted JSON) and adds it to the set. */
static void
add_feed(const char *json)
{
	struct feed *f = NULL;
	size_t len;
	char *buf = squote(json, &len);
	int err = feed_parse(&f, buf, len, "test-feed.json");

	ck_assert_msg(err == 0, "feed: %s", ws_error_last());
	free(buf);
	ck_assert_uint_lt(fx.nfeeds, FX_FEEDS_MAX);
	fx.feeds[fx.nfeeds++] = f;
	feed_set_add(&fx.set, f);
}

/* A feed "test" whose packages array is pkgs (single-quoted JSON). */
static void
add_package_feed(const char *id, const char *pkgs)
{
	struct strbuf sb;

	strbuf_init(&sb, 1 << 20);
	strbuf_addf(&sb,
		    "{'format': 'wormsign-feed/1', 'id': '%s', "
		    "'title': 'feed %s', 'published': '2026-05-12', "
		    "'sources': ['tests'], 'packages': [%s]}",
		    id, id, pkgs);
	add_feed(sb.buf);
	strbuf_release(&sb);
}

static void
scan(void)
{
	tree_inv_index(&fx.inv);
	feed_set_index(&fx.set);
	ck_assert_int_eq(scan_inventory(&fx.r, &fx.inv, &fx.o), 0);
	report_sort(&fx.r);
	fx.scanned = 1;
}

/* ---- looking at findings ---- */

static size_t
count_kind(const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < fx.r.nfindings; i++)
		if (!kind || strcmp(fx.r.findings[i].kind, kind) == 0)
			n++;
	return n;
}

static const struct report_finding *
find_id(const char *id)
{
	size_t i;

	for (i = 0; i < fx.r.nfindings; i++)
		if (strcmp(fx.r.findings[i].id, id) == 0)
			return &fx.r.findings[i];
	return NULL;
}

/* The only finding of kind about name@version; fails when not exactly one. */
static const struct report_finding *
only(const char *kind, const char *name, const char *version)
{
	const struct report_finding *hit = NULL;
	size_t i, n = 0;

	for (i = 0; i < fx.r.nfindings; i++) {
		const struct report_finding *f = &fx.r.findings[i];

		if (strcmp(f->kind, kind) != 0 || !f->package_name ||
		    strcmp(f->package_name, name) != 0 ||
		    (version && (!f->package_version ||
				 strcmp(f->package_version, version) != 0)))
			continue;
		hit = f;
		n++;
	}
	ck_assert_msg(n == 1, "%zu %s findings about %s@%s, expected 1", n,
		      kind, name, version ? version : "*");
	return hit;
}

static size_t
count_about(const char *kind, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < fx.r.nfindings; i++) {
		const struct report_finding *f = &fx.r.findings[i];

		if ((!kind || strcmp(f->kind, kind) == 0) && f->package_name &&
		    strcmp(f->package_name, name) == 0)
			n++;
	}
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

/* Path i of f joined with " > ", in a static buffer. */
static const char *
path_text(const struct report_finding *f, size_t i)
{
	static char buf[4096];
	size_t j, n = 0;

	buf[0] = '\0';
	ck_assert_uint_lt(i, f->npaths);
	for (j = 0; j < f->paths[i].n; j++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      j ? " > " : "", f->paths[i].nodes[j]);
	return buf;
}

static int
has_path(const struct report_finding *f, const char *text)
{
	size_t i;

	for (i = 0; i < f->npaths; i++)
		if (strcmp(path_text(f, i), text) == 0)
			return 1;
	return 0;
}

static void
dump(void)
{
	size_t i;

	for (i = 0; i < fx.r.nfindings; i++)
		fprintf(stderr, "  finding %s [%s]\n", fx.r.findings[i].id,
			report_severity_name(fx.r.findings[i].severity));
}

/* ---- lockfiles ---- */

/* app -> mid -> evil (and app -> evil-free), all from the registry. */
static const char lock_transitive[] =
	"{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
	" 'packages': {"
	"  '': {'name': 'app', 'version': '1.0.0',"
	"        'dependencies': {'mid': '^2.0.0', 'ok': '^1.0.0'}},"
	"  'node_modules/mid': {'version': '2.0.0',"
	"        'resolved': '" REGISTRY "mid/-/mid-2.0.0.tgz',"
	"        'integrity': 'sha512-bWlk',"
	"        'dependencies': {'evil': '^1.2.0'}},"
	"  'node_modules/evil': {'version': '1.2.3',"
	"        'resolved': '" REGISTRY "evil/-/evil-1.2.3.tgz',"
	"        'integrity': 'sha512-ZXZpbA=='},"
	"  'node_modules/ok': {'version': '1.0.0',"
	"        'resolved': '" REGISTRY "ok/-/ok-1.0.0.tgz',"
	"        'integrity': 'sha512-b2s='}"
	" }}";

/* One package locked at version, required by the root as "*". */
static struct tree *
add_single(const char *file, const char *name, const char *version)
{
	struct strbuf sb;
	struct tree *t;

	strbuf_init(&sb, 1 << 16);
	strbuf_addf(&sb,
		    "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		    " 'packages': {"
		    "  '': {'name': 'app', 'version': '1.0.0',"
		    "        'dependencies': {'%s': '*'}},"
		    "  'node_modules/%s': {'version': '%s',"
		    "        'resolved': '" REGISTRY "%s/-/x-%s.tgz',"
		    "        'integrity': 'sha512-eA=='}"
		    " }}",
		    name, name, version, name, version);
	t = add_lockfile(file, sb.buf);
	strbuf_release(&sb);
	return t;
}

/* ---- packages ---- */

START_TEST(exact_version_matches_with_evidence)
{
	const struct report_finding *f;

	add_lockfile("app/package-lock.json", lock_transitive);
	add_package_feed("wave",
			 "{'name': 'evil', 'versions': ['1.2.3', '1.2.4'],"
			 " 'source': 'someone', 'advisory': 'MAL-2026-1'}");
	scan();
	f = only("ioc-package", "evil", "1.2.3");
	ck_assert_int_eq(f->severity, REPORT_CRITICAL);
	ck_assert_str_eq(f->feed, "wave");
	ck_assert_str_eq(f->source, "someone");
	ck_assert_str_eq(f->advisory, "MAL-2026-1");
	ck_assert_str_eq(f->target, "app/package-lock.json");
	ck_assert_str_eq(f->file, "app/package-lock.json");
	ck_assert_uint_gt(f->line, 0);
	ck_assert_str_eq(evidence(f, "matched"), "1.2.3");
	ck_assert_str_eq(evidence(f, "location"), "node_modules/evil");
	ck_assert_str_eq(evidence(f, "integrity"), "sha512-ZXZpbA==");
	ck_assert_ptr_nonnull(strstr(f->message, "evil@1.2.3"));
	ck_assert_ptr_nonnull(f->remediation);
	ck_assert_uint_eq(count_kind("ioc-package"), 1);
}
END_TEST

START_TEST(path_names_who_pulled_it_in)
{
	const struct report_finding *f;

	add_lockfile("package-lock.json", lock_transitive);
	add_package_feed("wave",
			 "{'name': 'evil', 'versions': ['1.2.3'], 'source': 's'}");
	scan();
	f = only("ioc-package", "evil", "1.2.3");
	ck_assert_uint_eq(f->npaths, 1);
	ck_assert_str_eq(path_text(f, 0), "app@1.0.0 > mid@2.0.0 > evil@1.2.3");
}
END_TEST

START_TEST(other_versions_do_not_match)
{
	add_lockfile("package-lock.json", lock_transitive);
	add_package_feed("wave",
			 "{'name': 'evil', 'versions': ['1.2.2', '1.2.30', '1.2.3-rc.1'],"
			 " 'ranges': ['>=1.3.0', '<1.2.3'], 'source': 's'},"
			 "{'name': 'mid', 'versions': ['2.0.1'], 'source': 's'},"
			 "{'name': 'evil2', 'versions': ['1.2.3'], 'source': 's'}");
	scan();
	if (count_kind(NULL))
		dump();
	ck_assert_uint_eq(count_kind(NULL), 0);
}
END_TEST

START_TEST(range_matches_and_names_the_range)
{
	const struct report_finding *f;

	add_lockfile("package-lock.json", lock_transitive);
	add_package_feed("wave",
			 "{'name': 'evil', 'versions': [],"
			 " 'ranges': ['>=1.2.0 <1.2.3', '>=1.2.3 <=1.2.5'],"
			 " 'source': 'osv', 'severity': 'high'}");
	scan();
	f = only("ioc-package", "evil", "1.2.3");
	ck_assert_str_eq(evidence(f, "matched"), ">=1.2.3 <=1.2.5");
	ck_assert_int_eq(f->severity, REPORT_HIGH);
}
END_TEST

START_TEST(range_kinds_match_as_node_semver_does)
{
	add_single("a/package-lock.json", "caret", "1.9.0");
	add_single("b/package-lock.json", "tilde", "2.3.7");
	add_single("c/package-lock.json", "hyphen", "3.1.0");
	add_single("d/package-lock.json", "xr", "4.2.99");
	add_single("e/package-lock.json", "orr", "5.0.1");
	add_single("f/package-lock.json", "nocaret", "2.0.0");
	add_package_feed("wave",
			 "{'name': 'caret', 'ranges': ['^1.2.0'], 'source': 's'},"
			 "{'name': 'tilde', 'ranges': ['~2.3.0'], 'source': 's'},"
			 "{'name': 'hyphen', 'ranges': ['3.0.0 - 3.1'], 'source': 's'},"
			 "{'name': 'xr', 'ranges': ['4.2.x'], 'source': 's'},"
			 "{'name': 'orr', 'ranges': ['1.0.0 || 5.0.1'], 'source': 's'},"
			 "{'name': 'nocaret', 'ranges': ['^1.2.0'], 'source': 's'}");
	scan();
	only("ioc-package", "caret", "1.9.0");
	only("ioc-package", "tilde", "2.3.7");
	only("ioc-package", "hyphen", "3.1.0");
	only("ioc-package", "xr", "4.2.99");
	only("ioc-package", "orr", "5.0.1");
	ck_assert_uint_eq(count_about(NULL, "nocaret"), 0);
	ck_assert_uint_eq(count_kind("ioc-package"), 5);
}
END_TEST

START_TEST(prereleases_match_ranges_only_on_the_same_tuple)
{
	/* node-semver: a prerelease satisfies a range only when a
	 * comparator with the same major.minor.patch has a prerelease. */
	add_single("a/package-lock.json", "pre-out", "1.3.0-beta.1");
	add_single("b/package-lock.json", "pre-mid", "1.2.5-rc.1");
	add_single("c/package-lock.json", "pre-in", "3.0.0-beta.2");
	add_single("d/package-lock.json", "pre-exact", "4.0.0-rc.1");
	add_single("e/package-lock.json", "rel", "1.2.5");
	add_package_feed("wave",
			 "{'name': 'pre-out', 'ranges': ['>=1.2.0 <1.3.0'], 'source': 's'},"
			 "{'name': 'pre-mid', 'ranges': ['>=1.2.0 <1.3.0'], 'source': 's'},"
			 "{'name': 'pre-in', 'ranges': ['>=3.0.0-alpha.0 <3.0.1'], 'source': 's'},"
			 "{'name': 'pre-exact', 'versions': ['4.0.0-rc.1'], 'source': 's'},"
			 "{'name': 'rel', 'versions': ['1.2.5-rc.1'], 'ranges': ['>=1.2.5-rc.0 <1.2.5'], 'source': 's'}");
	scan();
	ck_assert_uint_eq(count_about(NULL, "pre-out"), 0);
	ck_assert_uint_eq(count_about(NULL, "pre-mid"), 0);
	ck_assert_str_eq(evidence(only("ioc-package", "pre-in", "3.0.0-beta.2"),
				  "matched"),
			 ">=3.0.0-alpha.0 <3.0.1");
	ck_assert_str_eq(evidence(only("ioc-package", "pre-exact", "4.0.0-rc.1"),
				  "matched"),
			 "4.0.0-rc.1");
	/* a release is not its own prerelease */
	ck_assert_uint_eq(count_about(NULL, "rel"), 0);
}
END_TEST

START_TEST(build_metadata_is_ignored)
{
	add_single("package-lock.json", "meta", "1.0.0+build.7");
	add_package_feed("wave",
			 "{'name': 'meta', 'versions': ['1.0.0'], 'source': 's'}");
	scan();
	only("ioc-package", "meta", "1.0.0+build.7");
}
END_TEST

START_TEST(scoped_and_aliased_packages_match_by_real_name)
{
	add_lockfile("package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'dependencies': {'@tanstack/history': '1.161.9',"
		     "                         'nice': 'npm:evil@1.0.0'}},"
		     "  'node_modules/@tanstack/history': {'version': '1.161.9',"
		     "        'resolved': '" REGISTRY "@tanstack/history/-/history-1.161.9.tgz',"
		     "        'integrity': 'sha512-aA=='},"
		     "  'node_modules/nice': {'name': 'evil', 'version': '1.0.0',"
		     "        'resolved': '" REGISTRY "evil/-/evil-1.0.0.tgz',"
		     "        'integrity': 'sha512-bA=='}"
		     " }}");
	add_package_feed("wave",
			 "{'name': '@tanstack/history', 'versions': ['1.161.9'], 'source': 's'},"
			 "{'name': 'evil', 'versions': ['1.0.0'], 'source': 's'},"
			 "{'name': 'nice', 'versions': ['1.0.0'], 'source': 's'}");
	scan();
	only("ioc-package", "@tanstack/history", "1.161.9");
	only("ioc-package", "evil", "1.0.0");
	ck_assert_uint_eq(count_about(NULL, "nice"), 0);
	ck_assert_uint_eq(count_kind(NULL), 2);
}
END_TEST

START_TEST(one_finding_per_input_with_every_path)
{
	const struct report_finding *f;
	size_t i, n = 0;

	/* evil@1.2.3 installed twice in one lockfile (hoisted and nested
	 * under b), and once in a second lockfile */
	add_lockfile("one/package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'dependencies': {'evil': '1.2.3', 'b': '1.0.0'}},"
		     "  'node_modules/evil': {'version': '1.2.3',"
		     "        'resolved': '" REGISTRY "evil/-/evil-1.2.3.tgz',"
		     "        'integrity': 'sha512-aA=='},"
		     "  'node_modules/b': {'version': '1.0.0',"
		     "        'resolved': '" REGISTRY "b/-/b-1.0.0.tgz',"
		     "        'integrity': 'sha512-aA==',"
		     "        'dependencies': {'evil': '1.2.3', 'c': '1.0.0'}},"
		     "  'node_modules/c': {'version': '1.0.0',"
		     "        'resolved': '" REGISTRY "c/-/c-1.0.0.tgz',"
		     "        'integrity': 'sha512-aA=='},"
		     "  'node_modules/b/node_modules/evil': {'version': '1.2.3',"
		     "        'resolved': '" REGISTRY "evil/-/evil-1.2.3.tgz',"
		     "        'integrity': 'sha512-aA=='}"
		     " }}");
	add_lockfile("two/package-lock.json", lock_transitive);
	add_package_feed("wave",
			 "{'name': 'evil', 'versions': ['1.2.3'], 'source': 's'}");
	scan();
	for (i = 0; i < fx.r.nfindings; i++) {
		f = &fx.r.findings[i];
		if (strcmp(f->kind, "ioc-package") != 0)
			continue;
		n++;
		if (strcmp(f->target, "one/package-lock.json") == 0) {
			ck_assert_uint_eq(f->npaths, 2);
			ck_assert(has_path(f, "app@1.0.0 > evil@1.2.3"));
			ck_assert(has_path(f, "app@1.0.0 > b@1.0.0 > evil@1.2.3"));
		} else {
			ck_assert_str_eq(f->target, "two/package-lock.json");
			ck_assert_uint_eq(f->npaths, 1);
			ck_assert(has_path(f, "app@1.0.0 > mid@2.0.0 > evil@1.2.3"));
		}
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(fx.r.ntargets, 2);
}
END_TEST

START_TEST(entries_of_one_feed_make_one_finding)
{
	const struct report_finding *f;

	/* The bundled feeds keep each source's entry (cobenian's versions,
	 * OSV's range): one package matched by both is still one finding. */
	add_lockfile("package-lock.json", lock_transitive);
	add_package_feed("wave",
			 "{'name': 'evil', 'versions': ['1.2.3'], 'source': 'cobenian'},"
			 "{'name': 'evil', 'ranges': ['>=1.2.0 <=1.2.3'],"
			 " 'source': 'osv', 'advisory': 'MAL-2026-7'}");
	scan();
	f = only("ioc-package", "evil", "1.2.3");
	ck_assert_str_eq(f->feed, "wave");
	ck_assert_ptr_nonnull(strstr(f->source, "cobenian"));
	ck_assert_ptr_nonnull(strstr(f->source, "osv"));
	ck_assert_str_eq(f->advisory, "MAL-2026-7");
}
END_TEST

START_TEST(each_feed_is_its_own_finding)
{
	add_lockfile("package-lock.json", lock_transitive);
	add_package_feed("wave-a",
			 "{'name': 'evil', 'versions': ['1.2.3'], 'source': 'a'}");
	add_package_feed("wave-b",
			 "{'name': 'evil', 'ranges': ['1.x'], 'source': 'b',"
			 " 'severity': 'medium'}");
	scan();
	ck_assert_uint_eq(count_about("ioc-package", "evil"), 2);
	ck_assert_ptr_nonnull(find_id("ioc-package:evil@1.2.3:wave-a"));
	ck_assert_ptr_nonnull(find_id("ioc-package:evil@1.2.3:wave-b"));
	ck_assert_int_eq(find_id("ioc-package:evil@1.2.3:wave-b")->severity,
			 REPORT_MEDIUM);
	/* highest severity first */
	ck_assert_str_eq(fx.r.findings[0].id, "ioc-package:evil@1.2.3:wave-a");
}
END_TEST

START_TEST(no_feeds_no_package_findings)
{
	add_lockfile("package-lock.json", lock_transitive);
	fx.o.feeds = NULL;
	scan();
	ck_assert_uint_eq(count_kind(NULL), 0);
	ck_assert_uint_eq(fx.r.ntargets, 1);
	ck_assert_str_eq(fx.r.targets[0], "package-lock.json");
}
END_TEST

START_TEST(versionless_entries_match_nothing)
{
	add_lockfile("package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'dependencies': {'evil': '*', 'gitty': 'o/r'}},"
		     "  'node_modules/evil': {"
		     "        'resolved': '" REGISTRY "evil/-/evil.tgz',"
		     "        'integrity': 'sha512-aA=='},"
		     "  'node_modules/gitty': {'version': 'not.a.version',"
		     "        'resolved': 'git+ssh://git@example.test/o/r.git#" SHA40 "'}"
		     " }}");
	add_package_feed("wave",
			 "{'name': 'evil', 'ranges': ['*'], 'source': 's'},"
			 "{'name': 'gitty', 'ranges': ['>=0.0.0'], 'source': 's'}");
	scan();
	ck_assert_uint_eq(count_kind("ioc-package"), 0);
}
END_TEST

/* ---- the git commit pin ---- */

START_TEST(git_pin_in_a_registry_package_is_reported)
{
	const struct report_finding *f;

	add_lockfile("package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'dependencies': {'kit': '^2.0.0'}},"
		     "  'node_modules/kit': {'version': '2.3.1',"
		     "        'resolved': '" REGISTRY "kit/-/kit-2.3.1.tgz',"
		     "        'integrity': 'sha512-aA==',"
		     "        'dependencies': {'router': '^1.0.0'}},"
		     "  'node_modules/router': {'version': '1.169.5',"
		     "        'resolved': '" REGISTRY "router/-/router-1.169.5.tgz',"
		     "        'integrity': 'sha512-aA==',"
		     "        'optionalDependencies': {"
		     "           '@x/setup': 'github:x/router#" SHA40 "'}}"
		     " }}");
	scan();
	f = only("ioc-artifact", "router", "1.169.5");
	ck_assert_str_eq(f->id, "ioc-artifact:git-pin:router@1.169.5:@x/setup");
	ck_assert_int_eq(f->severity, REPORT_CRITICAL);
	ck_assert_str_eq(evidence(f, "dependency"), "@x/setup");
	ck_assert_str_eq(evidence(f, "spec"), "github:x/router#" SHA40);
	ck_assert_str_eq(evidence(f, "commit"), SHA40);
	ck_assert_uint_gt(f->line, 0);
	ck_assert_str_eq(path_text(f, 0), "app@1.0.0 > kit@2.3.1 > router@1.169.5");
	ck_assert_uint_eq(count_kind(NULL), 1);
}
END_TEST

START_TEST(git_pin_spec_forms)
{
	/* prod dependency: high; every git spelling; refs that are not a
	 * commit (a branch, a tag, too short) are not the fingerprint */
	add_lockfile("package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'dependencies': {'p': '1.0.0'}},"
		     "  'node_modules/p': {'version': '1.0.0',"
		     "        'resolved': '" REGISTRY "p/-/p-1.0.0.tgz',"
		     "        'integrity': 'sha512-aA==',"
		     "        'dependencies': {"
		     "           'a': 'git+https://example.test/o/a.git#abcdef1',"
		     "           'b': 'o/b#" SHA40 "',"
		     "           'c': 'gitlab:o/c#" SHA40 "',"
		     "           'd': 'github:o/d#main',"
		     "           'e': 'github:o/e#v1.2.3',"
		     "           'f': 'github:o/f#abc12',"
		     "           'g': 'github:o/g',"
		     "           'h': 'https://example.test/h.tgz#" SHA40 "',"
		     "           'i': '^1.0.0'}}"
		     " }}");
	scan();
	ck_assert_ptr_nonnull(find_id("ioc-artifact:git-pin:p@1.0.0:a"));
	ck_assert_ptr_nonnull(find_id("ioc-artifact:git-pin:p@1.0.0:b"));
	ck_assert_ptr_nonnull(find_id("ioc-artifact:git-pin:p@1.0.0:c"));
	ck_assert_int_eq(find_id("ioc-artifact:git-pin:p@1.0.0:a")->severity,
			 REPORT_HIGH);
	if (count_kind("ioc-artifact") != 3)
		dump();
	ck_assert_uint_eq(count_kind("ioc-artifact"), 3);
}
END_TEST

START_TEST(git_pin_of_the_project_itself_is_not_reported)
{
	/* The root and a workspace member may pin git commits; a package
	 * that is itself a git checkout is not from the registry either. */
	add_lockfile("package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'workspaces': ['packages/*'],"
		     "        'dependencies': {'lib': 'github:me/lib#" SHA40 "'},"
		     "        'optionalDependencies': {'opt': 'github:me/opt#" SHA40 "'}},"
		     "  'packages/ws': {'name': 'ws', 'version': '0.1.0',"
		     "        'dependencies': {'wlib': 'github:me/wlib#" SHA40 "'}},"
		     "  'node_modules/ws': {'resolved': 'packages/ws', 'link': true},"
		     "  'node_modules/lib': {'version': '1.0.0',"
		     "        'resolved': 'git+ssh://git@example.test/me/lib.git#" SHA40 "',"
		     "        'dependencies': {'sub': 'github:me/sub#" SHA40 "'}},"
		     "  'node_modules/opt': {'version': '1.0.0', 'optional': true,"
		     "        'resolved': 'git+ssh://git@example.test/me/opt.git#" SHA40 "'},"
		     "  'node_modules/wlib': {'version': '1.0.0',"
		     "        'resolved': 'git+ssh://git@example.test/me/wlib.git#" SHA40 "'},"
		     "  'node_modules/sub': {'version': '1.0.0',"
		     "        'resolved': 'git+ssh://git@example.test/me/sub.git#" SHA40 "'}"
		     " }}");
	scan();
	if (count_kind(NULL))
		dump();
	ck_assert_uint_eq(count_kind(NULL), 0);
}
END_TEST

/* ---- feed artifact strings ---- */

static const char artifact_feed[] =
	"{'format': 'wormsign-feed/1', 'id': 'arts', 'title': 'artifacts',"
	" 'published': '2026-05-12', 'sources': ['tests'],"
	" 'artifacts': ["
	"  {'kind': 'package-json', 'value': 'github:evil/repo#' , 'source': 'a1',"
	"   'description': 'the evil pin', 'severity': 'high'},"
	"  {'kind': 'package-json', 'value': 'evil-tarball.test/x.tgz', 'source': 'a2'},"
	"  {'kind': 'branch', 'value': 'github:branchy', 'source': 'a3'},"
	"  {'kind': 'package-json', 'value': 'node bundle.js', 'source': 'a4'}"
	" ]}";

START_TEST(package_json_strings_in_specs_are_reported)
{
	const struct report_finding *f;

	add_lockfile("package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'dependencies': {'p': '1.0.0'}},"
		     "  'node_modules/p': {'version': '1.0.0',"
		     "        'resolved': '" REGISTRY "p/-/p-1.0.0.tgz',"
		     "        'integrity': 'sha512-aA==',"
		     "        'dependencies': {"
		     "           'q': 'github:evil/repo#main',"
		     "           'r': 'https://evil-tarball.test/x.tgz',"
		     "           's': 'github:branchy/x'}}"
		     " }}");
	add_feed(artifact_feed);
	scan();
	f = find_id("ioc-artifact:arts:p@1.0.0:github:evil/repo#");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_HIGH);
	ck_assert_str_eq(f->feed, "arts");
	ck_assert_str_eq(f->source, "a1");
	ck_assert_str_eq(evidence(f, "dependency"), "github:evil/repo#main");
	ck_assert_str_eq(evidence(f, "artifact"), "github:evil/repo#");
	ck_assert_ptr_nonnull(strstr(f->message, "the evil pin"));
	ck_assert_str_eq(f->package_name, "p");
	ck_assert_uint_gt(f->line, 0);
	f = find_id("ioc-artifact:arts:p@1.0.0:evil-tarball.test/x.tgz");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_CRITICAL);
	/* a branch artifact is not a package.json string */
	ck_assert_uint_eq(count_kind("ioc-artifact"), 2);
}
END_TEST

START_TEST(package_json_strings_in_the_root_manifest_are_reported)
{
	/* the project's own manifest can carry an injected dependency too */
	add_lockfile("package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'dependencies': {'q': 'github:evil/repo#main'}},"
		     "  'node_modules/q': {'version': '1.0.0',"
		     "        'resolved': 'git+ssh://git@example.test/evil/repo.git#" SHA40 "'}"
		     " }}");
	add_feed(artifact_feed);
	scan();
	ck_assert_ptr_nonnull(find_id("ioc-artifact:arts:app@1.0.0:github:evil/repo#"));
	ck_assert_uint_eq(count_kind(NULL), 1);
}
END_TEST

/* ---- installed packages ---- */

static char *tmp_root;

static void
write_file(const char *rel, const char *text)
{
	struct strbuf path;
	FILE *fp;
	char *slash;
	size_t len;
	char *body = squote(text, &len);

	strbuf_init(&path, 8192);
	ck_assert_int_eq(strbuf_addf(&path, "%s/%s", tmp_root, rel), 0);
	for (slash = strchr(path.buf + strlen(tmp_root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		ck_assert_msg(mkdir(path.buf, 0755) == 0 || errno == EEXIST,
			      "mkdir %s: %s", path.buf, strerror(errno));
		*slash = '/';
	}
	fp = fopen(path.buf, "w");
	ck_assert_msg(fp != NULL, "%s: %s", path.buf, strerror(errno));
	ck_assert_uint_eq(fwrite(body, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
	free(body);
	strbuf_release(&path);
}

static void
installed_setup(void)
{
	const char *dir = getenv("TMPDIR");
	struct strbuf sb;

	fx_setup();
	strbuf_init(&sb, 4096);
	strbuf_addf(&sb, "%s/test_scan.XXXXXX", dir && *dir ? dir : "/tmp");
	tmp_root = strbuf_detach(&sb, NULL);
	ck_assert_msg(mkdtemp(tmp_root) != NULL, "mkdtemp: %s",
		      strerror(errno));
}

/* rm -rf of a directory this test made; symlinks are removed, not followed. */
static void
remove_tree(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path))) {
		while ((de = readdir(d))) {
			struct strbuf sb;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			strbuf_init(&sb, 1 << 16);
			strbuf_addf(&sb, "%s/%s", path, de->d_name);
			remove_tree(sb.buf);
			strbuf_release(&sb);
		}
		closedir(d);
	}
	rmdir(path);
}

static void
installed_teardown(void)
{
	fx_teardown();
	remove_tree(tmp_root);
	free(tmp_root);
	tmp_root = NULL;
}

static void
add_installed(void)
{
	struct tree *t = NULL;
	int err = tree_walk_node_modules(&t, tmp_root);

	ck_assert_msg(err == 0, "walk: %s", ws_error_last());
	tree_inv_add(&fx.inv, t);
}

START_TEST(installed_lifecycle_scripts_are_reported)
{
	const struct report_finding *f;
	size_t i;

	write_file("package.json",
		   "{'name': 'app', 'version': '1.0.0',"
		   " 'dependencies': {'evil': '*', 'nice': '*', 'gyp': '*',"
		   "                  'bunny': '*'}}");
	write_file("node_modules/evil/package.json",
		   "{'name': 'evil', 'version': '1.0.0',"
		   " 'scripts': {'postinstall': 'node bundle.js',"
		   "             'test': 'node bundle.js'}}");
	write_file("node_modules/evil/bundle.js", "/* payload */\n");
	write_file("node_modules/bunny/package.json",
		   "{'name': 'bunny', 'version': '2.0.0',"
		   " 'scripts': {'preinstall': 'node setup_bun.js'}}");
	write_file("node_modules/nice/package.json",
		   "{'name': 'nice', 'version': '1.0.0',"
		   " 'scripts': {'test': 'bun run index.js',"
		   "             'build': 'node bundle.js'}}");
	write_file("node_modules/gyp/package.json",
		   "{'name': 'gyp', 'version': '1.0.0',"
		   " 'scripts': {'install': 'node-gyp rebuild'}}");
	add_installed();
	scan();
	f = only("ioc-artifact", "evil", "1.0.0");
	ck_assert_str_eq(f->id, "ioc-artifact:script:evil@1.0.0:postinstall");
	ck_assert_int_ge(f->severity, REPORT_HIGH);
	ck_assert_str_eq(evidence(f, "script"), "postinstall");
	ck_assert_str_eq(evidence(f, "command"), "node bundle.js");
	ck_assert_str_eq(f->target, tmp_root);
	ck_assert_str_eq(path_text(f, 0), "app@1.0.0 > evil@1.0.0");
	f = only("ioc-artifact", "bunny", "2.0.0");
	ck_assert_str_eq(evidence(f, "script"), "preinstall");
	/* scripts npm does not run on install, and ordinary install
	 * scripts, are not reported */
	ck_assert_uint_eq(count_about(NULL, "nice"), 0);
	ck_assert_uint_eq(count_about(NULL, "gyp"), 0);
	/* ids do not depend on where the tree was */
	for (i = 0; i < fx.r.nfindings; i++)
		ck_assert_ptr_null(strstr(fx.r.findings[i].id, tmp_root));
}
END_TEST

START_TEST(installed_manifest_strings_and_versions_are_reported)
{
	write_file("package.json",
		   "{'name': 'app', 'version': '1.0.0',"
		   " 'dependencies': {'p': '*'}}");
	write_file("node_modules/p/package.json",
		   "{'name': 'p', 'version': '3.1.4',"
		   " 'optionalDependencies': {'s': 'github:evil/repo#" SHA40 "'}}");
	add_installed();
	add_feed(artifact_feed);
	add_package_feed("wave",
			 "{'name': 'p', 'versions': ['3.1.4'], 'source': 's'}");
	scan();
	only("ioc-package", "p", "3.1.4");
	ck_assert_ptr_nonnull(find_id("ioc-artifact:arts:p@3.1.4:github:evil/repo#"));
	/* no hygiene for installed trees: there is no lockfile entry */
	ck_assert_uint_eq(count_kind("lockfile"), 0);
}
END_TEST

START_TEST(installed_manifest_that_is_a_symlink_is_not_read)
{
	struct strbuf link, target;

	write_file("package.json",
		   "{'name': 'app', 'version': '1.0.0',"
		   " 'dependencies': {'p': '*'}}");
	write_file("node_modules/p/package.json",
		   "{'name': 'p', 'version': '1.0.0'}");
	write_file("outside.json",
		   "{'name': 'p', 'version': '1.0.0',"
		   " 'scripts': {'postinstall': 'node bundle.js'}}");
	add_installed();
	/* swapped after the walk: the check opens it without following */
	strbuf_init(&link, 8192);
	strbuf_init(&target, 8192);
	strbuf_addf(&link, "%s/node_modules/p/package.json", tmp_root);
	strbuf_addf(&target, "%s/outside.json", tmp_root);
	ck_assert_int_eq(unlink(link.buf), 0);
	ck_assert_int_eq(symlink(target.buf, link.buf), 0);
	scan();
	ck_assert_uint_eq(count_kind(NULL), 0);
	strbuf_release(&link);
	strbuf_release(&target);
}
END_TEST

/* ---- lockfile hygiene ---- */

static const char lock_hygiene[] =
	"{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
	" 'packages': {"
	"  '': {'name': 'app', 'version': '1.0.0',"
	"        'workspaces': ['packages/*'],"
	"        'dependencies': {'plain': '^1.0.0', 'other': '^1.0.0',"
	"             'noint': '^1.0.0', 'old': '^2.0.0', 'tagged': 'latest',"
	"             'al': 'npm:real@^9.0.0', 'local': 'file:../local',"
	"             'linked': 'file:vendor/linked', 'w': '*',"
	"             'tb': 'https://cdn.example.test/tb-1.0.0.tgz'}},"
	"  'node_modules/plain': {'version': '1.0.0',"
	"        'resolved': 'http://registry.npm.test/plain/-/plain-1.0.0.tgz',"
	"        'integrity': 'sha512-aA=='},"
	"  'node_modules/other': {'version': '1.0.0',"
	"        'resolved': 'https://mirror.example.test/other/-/other-1.0.0.tgz',"
	"        'integrity': 'sha512-aA=='},"
	"  'node_modules/noint': {'version': '1.0.0',"
	"        'resolved': '" REGISTRY "noint/-/noint-1.0.0.tgz'},"
	"  'node_modules/old': {'version': '1.5.0',"
	"        'resolved': '" REGISTRY "old/-/old-1.5.0.tgz',"
	"        'integrity': 'sha512-aA=='},"
	"  'node_modules/tagged': {'version': '3.0.0',"
	"        'resolved': '" REGISTRY "tagged/-/tagged-3.0.0.tgz',"
	"        'integrity': 'sha512-aA=='},"
	"  'node_modules/al': {'name': 'real', 'version': '9.1.0',"
	"        'resolved': '" REGISTRY "real/-/real-9.1.0.tgz',"
	"        'integrity': 'sha512-aA=='},"
	"  'node_modules/local': {'version': '0.0.1', 'resolved': 'file:../local'},"
	"  'node_modules/linked': {'resolved': 'vendor/linked', 'link': true},"
	"  'vendor/linked': {'name': 'linked', 'version': '0.0.2'},"
	"  'node_modules/w': {'resolved': 'packages/w', 'link': true},"
	"  'packages/w': {'name': 'w', 'version': '0.0.3',"
	"        'dependencies': {'plain': '^5.0.0'}},"
	"  'node_modules/tb': {'version': '1.0.0',"
	"        'resolved': 'https://cdn.example.test/tb-1.0.0.tgz',"
	"        'integrity': 'sha512-aA=='}"
	" }}";

START_TEST(http_resolved_is_reported)
{
	const struct report_finding *f;

	add_lockfile("package-lock.json", lock_hygiene);
	scan();
	f = find_id("lockfile:http:package-lock.json:node_modules/plain");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->kind, "lockfile");
	ck_assert_int_eq(f->severity, REPORT_MEDIUM);
	ck_assert_str_eq(f->package_name, "plain");
	ck_assert_str_eq(evidence(f, "resolved"),
			 "http://registry.npm.test/plain/-/plain-1.0.0.tgz");
	ck_assert_uint_gt(f->line, 0);
	ck_assert_uint_eq(count_about("lockfile", "plain"), 1 + 1);
}
END_TEST

START_TEST(foreign_host_only_with_a_registry)
{
	const struct report_finding *f;

	add_lockfile("package-lock.json", lock_hygiene);
	scan();
	ck_assert_uint_eq(count_about("lockfile", "other"), 0);
	report_release(&fx.r);
	report_init(&fx.r, "scan");
	fx.o.registry = REGISTRY;
	scan();
	f = find_id("lockfile:host:package-lock.json:node_modules/other");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_LOW);
	ck_assert_str_eq(evidence(f, "resolved"),
			 "https://mirror.example.test/other/-/other-1.0.0.tgz");
	ck_assert_ptr_nonnull(strstr(f->message, "mirror.example.test"));
	/* the registry's own host over http is an http finding, not host */
	ck_assert_ptr_null(find_id("lockfile:host:package-lock.json:node_modules/plain"));
	ck_assert_ptr_null(find_id("lockfile:host:package-lock.json:node_modules/noint"));
	/* a remote tarball is not a registry entry */
	ck_assert_uint_eq(count_about("lockfile", "tb"), 0);
}
END_TEST

START_TEST(registry_host_compares_port_too)
{
	add_lockfile("package-lock.json",
		     "{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
		     " 'packages': {"
		     "  '': {'name': 'app', 'version': '1.0.0',"
		     "        'dependencies': {'a': '1.0.0', 'b': '1.0.0'}},"
		     "  'node_modules/a': {'version': '1.0.0',"
		     "        'resolved': 'https://registry.npm.test:8443/a/-/a-1.0.0.tgz',"
		     "        'integrity': 'sha512-aA=='},"
		     "  'node_modules/b': {'version': '1.0.0',"
		     "        'resolved': 'https://registry.npm.test/b/-/b-1.0.0.tgz',"
		     "        'integrity': 'sha512-aA=='}"
		     " }}");
	fx.o.registry = "https://registry.npm.test:8443/npm/";
	scan();
	ck_assert_uint_eq(count_about("lockfile", "a"), 0);
	ck_assert_uint_eq(count_about("lockfile", "b"), 1);
}
END_TEST

START_TEST(missing_integrity_is_reported)
{
	const struct report_finding *f;

	add_lockfile("package-lock.json", lock_hygiene);
	scan();
	f = find_id("lockfile:integrity:package-lock.json:node_modules/noint");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_LOW);
	ck_assert_uint_eq(count_about("lockfile", "noint"), 1);
}
END_TEST

START_TEST(range_violation_is_reported)
{
	const struct report_finding *f;

	add_lockfile("package-lock.json", lock_hygiene);
	scan();
	f = find_id("lockfile:range:package-lock.json:node_modules/old");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_LOW);
	ck_assert_str_eq(evidence(f, "required"), "^2.0.0");
	ck_assert_ptr_nonnull(strstr(f->message, "old@1.5.0"));
	ck_assert_uint_eq(count_about("lockfile", "old"), 1);
	/* a dist-tag and an alias say nothing about the range */
	ck_assert_uint_eq(count_about("lockfile", "tagged"), 0);
	ck_assert_uint_eq(count_about("lockfile", "real"), 0);
	/* the workspace asks plain@^5.0.0 of the hoisted plain@1.0.0 */
	ck_assert_ptr_nonnull(
		find_id("lockfile:range:package-lock.json:node_modules/plain"));
}
END_TEST

/* name, spec, locked version, whether that is a violation */
static const struct range_case {
	const char *name, *spec, *version;
	int bad;
} range_cases[] = {
	{ "c1", "^1.2.3", "1.9.0", 0 },
	{ "c2", "^1.2.3", "2.0.0", 1 },
	{ "c3", "^1.2.3", "1.2.2", 1 },
	{ "c4", "^1.2.3", "2.0.0-rc.1", 1 },
	{ "c5", "^1.2.3", "1.5.0-beta.1", 0 },
	{ "c6", "^0.2.3", "0.3.0", 1 },
	{ "c7", "^0.2.3", "0.2.9", 0 },
	{ "c8", "^0.0.3", "0.0.4", 1 },
	{ "c9", "^0.2.3", "0.2.3-beta", 0 },
	{ "c10", "^1.2.3-beta.2", "1.2.3-beta.1", 1 },
	{ "c11", "~1.2.3", "1.2.9", 0 },
	{ "c12", "~1.2.3", "1.3.0", 1 },
	{ "c13", "~0.0.3", "0.0.9", 0 },
	{ "c14", "1.2.3", "1.2.3+build.1", 0 },
	{ "c15", "1.2.3", "1.2.4", 1 },
	{ "c16", ">=1.0.0 <1.1.0", "1.1.0", 1 },
	{ "c17", "1.x || >=3", "3.1.0", 0 },
	{ "c18", "1.x", "2.0.0", 1 },
	{ "c19", "=1.2.3", "1.2.3", 0 },
	{ "c20", "v1.2.3", "1.2.4", 1 },
	{ "c21", "^ 1.2", "1.1.0", 1 },
	{ "c22", "next", "9.9.9", 0 },
	{ "c23", "^9007199254740991.0.0", "9007199254740991.0.0", 0 },
};

START_TEST(range_shapes_are_checked_as_node_semver_does)
{
	struct strbuf sb, id;
	size_t i;

	strbuf_init(&sb, 1 << 20);
	strbuf_addstr(&sb, "{'name': 'app', 'version': '1.0.0', "
			   "'lockfileVersion': 3, 'packages': {"
			   "'': {'name': 'app', 'version': '1.0.0', "
			   "'dependencies': {");
	for (i = 0; i < sizeof(range_cases) / sizeof(*range_cases); i++)
		strbuf_addf(&sb, "%s'%s': '%s'", i ? ", " : "",
			    range_cases[i].name, range_cases[i].spec);
	strbuf_addstr(&sb, "}}");
	for (i = 0; i < sizeof(range_cases) / sizeof(*range_cases); i++)
		strbuf_addf(&sb, ", 'node_modules/%s': {'version': '%s', "
			    "'resolved': '" REGISTRY "%s/-/x.tgz', "
			    "'integrity': 'sha512-aA=='}",
			    range_cases[i].name, range_cases[i].version,
			    range_cases[i].name);
	strbuf_addstr(&sb, "}}");
	add_lockfile("package-lock.json", sb.buf);
	scan();
	strbuf_init(&id, 4096);
	for (i = 0; i < sizeof(range_cases) / sizeof(*range_cases); i++) {
		const struct range_case *rc = &range_cases[i];

		strbuf_reset(&id);
		strbuf_addf(&id, "lockfile:range:package-lock.json:node_modules/%s",
			    rc->name);
		ck_assert_msg(!find_id(id.buf) == !rc->bad,
			      "%s@%s for \"%s\": %s", rc->name, rc->version,
			      rc->spec, rc->bad ? "not reported" : "reported");
	}
	ck_assert_uint_eq(count_kind(NULL), count_kind("lockfile"));
	strbuf_release(&id);
	strbuf_release(&sb);
}
END_TEST

START_TEST(no_hygiene_noise_for_local_entries)
{
	fx.o.registry = REGISTRY;
	add_lockfile("package-lock.json", lock_hygiene);
	scan();
	ck_assert_uint_eq(count_about(NULL, "local"), 0);
	ck_assert_uint_eq(count_about(NULL, "linked"), 0);
	ck_assert_uint_eq(count_about(NULL, "w"), 0);
	ck_assert_uint_eq(count_about(NULL, "app"), 0);
	/* exactly: plain (http, range), other (host), noint (integrity),
	 * old (range) */
	if (count_kind(NULL) != 5)
		dump();
	ck_assert_uint_eq(count_kind(NULL), 5);
}
END_TEST

START_TEST(clean_lockfile_has_no_findings)
{
	fx.o.registry = REGISTRY;
	add_lockfile("package-lock.json", lock_transitive);
	add_package_feed("wave",
			 "{'name': 'unrelated', 'versions': ['1.0.0'], 'source': 's'}");
	scan();
	if (count_kind(NULL))
		dump();
	ck_assert_uint_eq(count_kind(NULL), 0);
}
END_TEST

/* ---- ids ---- */

static const char lock_everything[] =
	"{'name': 'app', 'version': '1.0.0', 'lockfileVersion': 3,"
	" 'packages': {"
	"  '': {'name': 'app', 'version': '1.0.0',"
	"        'dependencies': {'evil': '^1.0.0', 'plain': '^2.0.0'}},"
	"  'node_modules/evil': {'version': '1.2.3',"
	"        'resolved': '" REGISTRY "evil/-/evil-1.2.3.tgz',"
	"        'integrity': 'sha512-aA==',"
	"        'optionalDependencies': {'s': 'github:evil/repo#" SHA40 "'}},"
	"  'node_modules/plain': {'version': '1.0.0',"
	"        'resolved': 'http://registry.npm.test/plain/-/plain-1.0.0.tgz'}"
	" }}";

/* The sorted ids of a scan of json as file, joined with newlines. */
static char *
ids_of(const char *file, const char *json)
{
	struct strbuf sb;
	size_t i;

	fx_teardown();
	fx_setup();
	fx.o.registry = REGISTRY;
	add_lockfile(file, json);
	add_feed(artifact_feed);
	add_package_feed("wave",
			 "{'name': 'evil', 'versions': ['1.2.3'], 'source': 's'}");
	scan();
	strbuf_init(&sb, 1 << 20);
	for (i = 0; i < fx.r.nfindings; i++) {
		size_t j;

		/* unique within one input */
		for (j = 0; j < i; j++)
			ck_assert_str_ne(fx.r.findings[i].id,
					 fx.r.findings[j].id);
		strbuf_addf(&sb, "%s\n", fx.r.findings[i].id);
	}
	return strbuf_detach(&sb, NULL);
}

START_TEST(ids_are_stable_across_runs)
{
	char *a = ids_of("package-lock.json", lock_everything);
	char *b = ids_of("package-lock.json", lock_everything);

	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "ioc-package:evil@1.2.3:wave\n"));
	ck_assert_ptr_nonnull(strstr(a, "ioc-artifact:git-pin:evil@1.2.3:s\n"));
	ck_assert_ptr_nonnull(
		strstr(a, "ioc-artifact:arts:evil@1.2.3:github:evil/repo#\n"));
	ck_assert_ptr_nonnull(
		strstr(a, "lockfile:http:package-lock.json:node_modules/plain\n"));
	ck_assert_ptr_nonnull(
		strstr(a, "lockfile:integrity:package-lock.json:node_modules/plain\n"));
	ck_assert_ptr_nonnull(
		strstr(a, "lockfile:range:package-lock.json:node_modules/plain\n"));
	free(a);
	free(b);
}
END_TEST

START_TEST(ids_do_not_depend_on_layout_or_lines)
{
	struct strbuf moved;
	char *a, *b;

	/* the same lockfile with its entries further down the file */
	strbuf_init(&moved, 1 << 20);
	strbuf_addstr(&moved, "\n\n\n\n\n\n\n");
	strbuf_addstr(&moved, lock_everything);
	a = ids_of("package-lock.json", lock_everything);
	b = ids_of("package-lock.json", moved.buf);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	strbuf_release(&moved);
}
END_TEST

static Suite *
scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc;

	tc = tcase_create("packages");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, exact_version_matches_with_evidence);
	tcase_add_test(tc, path_names_who_pulled_it_in);
	tcase_add_test(tc, other_versions_do_not_match);
	tcase_add_test(tc, range_matches_and_names_the_range);
	tcase_add_test(tc, range_kinds_match_as_node_semver_does);
	tcase_add_test(tc, prereleases_match_ranges_only_on_the_same_tuple);
	tcase_add_test(tc, build_metadata_is_ignored);
	tcase_add_test(tc, scoped_and_aliased_packages_match_by_real_name);
	tcase_add_test(tc, one_finding_per_input_with_every_path);
	tcase_add_test(tc, entries_of_one_feed_make_one_finding);
	tcase_add_test(tc, each_feed_is_its_own_finding);
	tcase_add_test(tc, no_feeds_no_package_findings);
	tcase_add_test(tc, versionless_entries_match_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("git_pin");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, git_pin_in_a_registry_package_is_reported);
	tcase_add_test(tc, git_pin_spec_forms);
	tcase_add_test(tc, git_pin_of_the_project_itself_is_not_reported);
	suite_add_tcase(s, tc);

	tc = tcase_create("artifacts");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, package_json_strings_in_specs_are_reported);
	tcase_add_test(tc, package_json_strings_in_the_root_manifest_are_reported);
	suite_add_tcase(s, tc);

	tc = tcase_create("installed");
	tcase_add_checked_fixture(tc, installed_setup, installed_teardown);
	tcase_add_test(tc, installed_lifecycle_scripts_are_reported);
	tcase_add_test(tc, installed_manifest_strings_and_versions_are_reported);
	tcase_add_test(tc, installed_manifest_that_is_a_symlink_is_not_read);
	suite_add_tcase(s, tc);

	tc = tcase_create("hygiene");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, http_resolved_is_reported);
	tcase_add_test(tc, foreign_host_only_with_a_registry);
	tcase_add_test(tc, registry_host_compares_port_too);
	tcase_add_test(tc, missing_integrity_is_reported);
	tcase_add_test(tc, range_violation_is_reported);
	tcase_add_test(tc, range_shapes_are_checked_as_node_semver_does);
	tcase_add_test(tc, no_hygiene_noise_for_local_entries);
	tcase_add_test(tc, clean_lockfile_has_no_findings);
	suite_add_tcase(s, tc);

	tc = tcase_create("ids");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, ids_are_stable_across_runs);
	tcase_add_test(tc, ids_do_not_depend_on_layout_or_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(scan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
