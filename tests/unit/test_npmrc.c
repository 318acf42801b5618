#include "registry/npmrc.h"
#include "registry/registry.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

#include "util/banned.h"

/* Fixture directory per test: $TMPDIR/npmrc-XXXXXX, never $HOME. */
static char root[2048];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/npmrc-XXXXXX", tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void
rm_rf(const char *path)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

static void
teardown(void)
{
	rm_rf(root);
}

static const char *
fixture(const char *rel, const char *text)
{
	static char paths[16][4096];
	static int next;
	char *p = paths[next++ % 16], dir[4096], *slash;
	FILE *f;

	snprintf(p, 4096, "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", p);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0700);
		*slash = '/';
	}
	if (text) {
		f = fopen(p, "w");
		ck_assert_ptr_nonnull(f);
		fputs(text, f);
		fclose(f);
	} else {
		mkdir(p, 0700);
	}
	return p;
}

static struct npmrc *
parse(const char *text, const char *const *env)
{
	struct npmrc *cfg = NULL;
	int rc = npmrc_load_buffer(&cfg, "t.npmrc", text, strlen(text),
				   NPMRC_PROJECT, env);

	ck_assert_msg(rc == 0, "load: %s", ws_error_last());
	return cfg;
}

static const char *
get(struct npmrc *cfg, const char *key)
{
	return npmrc_get_str(cfg, key);
}

static int
warned(struct npmrc *cfg, const char *needle)
{
	size_t i;

	for (i = 0; i < npmrc_warning_count(cfg); i++)
		if (strstr(npmrc_warning_at(cfg, i), needle))
			return 1;
	return 0;
}

/* ---- syntax ---- */

START_TEST(ini_reads_keys_comments_and_bare_keys)
{
	struct npmrc *cfg = parse("; comment\n# other\n  key = value  \n"
				  "bare\nspaced key=x\r\nlast=1", NULL);

	ck_assert_str_eq(get(cfg, "key"), "value");
	ck_assert_str_eq(get(cfg, "bare"), "true");
	ck_assert_str_eq(get(cfg, "spaced key"), "x");
	ck_assert_str_eq(get(cfg, "last"), "1");
	ck_assert_ptr_null(get(cfg, "comment"));
	ck_assert_uint_eq(npmrc_warning_count(cfg), 0);
	npmrc_free(cfg);
}
END_TEST

START_TEST(ini_inline_comments_and_escapes)
{
	struct npmrc *cfg = parse("a = one ; two\nb = x # y\n"
				  "c = semi\\;colon\\#hash\nd = back\\slash\n"
				  "e = url=with=eq\n", NULL);

	ck_assert_str_eq(get(cfg, "a"), "one");
	ck_assert_str_eq(get(cfg, "b"), "x");
	ck_assert_str_eq(get(cfg, "c"), "semi;colon#hash");
	ck_assert_str_eq(get(cfg, "d"), "back\\slash");
	ck_assert_str_eq(get(cfg, "e"), "url=with=eq");
	npmrc_free(cfg);
}
END_TEST

START_TEST(ini_quoted_values)
{
	struct npmrc *cfg = parse("a = \"quoted ; not a comment\"\n"
				  "b = \"line\\nbreak \\u00e9\"\n"
				  "c = 'single # kept'\n"
				  "d = \"broken \\q\"\n"
				  "e = \"\"\n", NULL);

	ck_assert_str_eq(get(cfg, "a"), "quoted ; not a comment");
	ck_assert_str_eq(get(cfg, "b"), "line\nbreak \xc3\xa9");
	ck_assert_str_eq(get(cfg, "c"), "single # kept");
	ck_assert_str_eq(get(cfg, "d"), "\"broken \\q\"");
	ck_assert_str_eq(get(cfg, "e"), "");
	npmrc_free(cfg);
}
END_TEST

START_TEST(ini_arrays_append_and_plain_replaces)
{
	struct npmrc_value v;
	struct npmrc *cfg = parse("ca[] = one\nca[] = two\nx = 1\nx = 2\n"
				  "y = a\ny[] = b\n", NULL);

	ck_assert_int_eq(npmrc_get(cfg, "ca", &v), 0);
	ck_assert_uint_eq(v.count, 2);
	ck_assert_str_eq(v.values[0], "one");
	ck_assert_str_eq(v.values[1], "two");
	ck_assert_ptr_null(v.values[2]);
	ck_assert_str_eq(get(cfg, "x"), "2");
	ck_assert_int_eq(npmrc_get(cfg, "y", &v), 0);
	ck_assert_uint_eq(v.count, 2);
	npmrc_free(cfg);
}
END_TEST

START_TEST(ini_malformed_lines_warn_and_are_skipped)
{
	struct npmrc *cfg = parse("good=1\n= novalue\nbad\x01line=2\n"
				  "  = x\nafter=2\n[section]\nhidden=3\n",
				  NULL);

	ck_assert_str_eq(get(cfg, "good"), "1");
	ck_assert_str_eq(get(cfg, "after"), "2");
	ck_assert_ptr_null(get(cfg, "hidden"));
	ck_assert(warned(cfg, "t.npmrc:2:1: missing key"));
	ck_assert(warned(cfg, "t.npmrc:3:4: control character"));
	ck_assert(warned(cfg, "t.npmrc:4:1: missing key"));
	ck_assert(warned(cfg, "t.npmrc:6:1: section ignored"));
	npmrc_free(cfg);
}
END_TEST

/* ---- limits ---- */

START_TEST(limits_file_too_large_fails)
{
	struct npmrc *cfg = NULL;
	size_t n = NPMRC_FILE_MAX + 1;
	char *big = malloc(n);

	memset(big, '#', n);
	ck_assert_int_eq(npmrc_load_buffer(&cfg, "big", big, n, NPMRC_USER,
					   NULL), WS_ELIMIT);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "big: larger than"));
	free(big);
}
END_TEST

START_TEST(limits_line_too_long_fails_with_position)
{
	struct npmrc *cfg = NULL;
	size_t n = NPMRC_LINE_MAX + 20;
	char *big = malloc(n + 1);

	memcpy(big, "a=1\n", 4);
	memset(big + 4, 'x', n - 4);
	big[n] = '\0';
	ck_assert_int_eq(npmrc_load_buffer(&cfg, "long", big, n, NPMRC_USER,
					   NULL), WS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "long:2:"));
	free(big);
}
END_TEST

START_TEST(limits_entry_count_fails)
{
	struct npmrc *cfg = NULL;
	char *text = malloc((NPMRC_ENTRIES_MAX + 2) * 16), *p = text;
	int i;

	for (i = 0; i < NPMRC_ENTRIES_MAX + 1; i++)
		p += snprintf(p, 16, "k%d=v\n", i);
	ck_assert_int_eq(npmrc_load_buffer(&cfg, "many", text, strlen(text),
					   NPMRC_USER, NULL), WS_ELIMIT);
	free(text);
	/* Reassigning one key does not count. */
	text = malloc((NPMRC_ENTRIES_MAX + 2) * 16);
	p = text;
	for (i = 0; i < NPMRC_ENTRIES_MAX + 1; i++)
		p += snprintf(p, 16, "k=%d\n", i);
	ck_assert_int_eq(npmrc_load_buffer(&cfg, "same", text, strlen(text),
					   NPMRC_USER, NULL), 0);
	npmrc_free(cfg);
	free(text);
}
END_TEST

START_TEST(limits_warnings_are_capped)
{
	struct npmrc *cfg;
	char *text = malloc(NPMRC_WARNINGS_MAX * 8 + 100), *p = text;
	int i;

	for (i = 0; i < NPMRC_WARNINGS_MAX * 2; i++)
		p += snprintf(p, 8, "=x\n");
	cfg = parse(text, NULL);
	ck_assert_uint_eq(npmrc_warning_count(cfg), NPMRC_WARNINGS_MAX);
	npmrc_free(cfg);
	free(text);
}
END_TEST

/* ---- ${} expansion ---- */

START_TEST(env_expansion_in_keys_and_values)
{
	static const char *const env[] = {
		"TOKEN=s3cr3t", "HOST=registry.npm.test", "EMPTY=", NULL,
	};
	struct npmrc *cfg = parse("a = pre-${TOKEN}-post\n"
				  "//${HOST}/:username = u\n"
				  "b = ${EMPTY}x\n", env);

	ck_assert_str_eq(get(cfg, "a"), "pre-s3cr3t-post");
	ck_assert_str_eq(get(cfg, "//registry.npm.test/:username"), "u");
	ck_assert_str_eq(get(cfg, "b"), "x");
	npmrc_free(cfg);
}
END_TEST

START_TEST(env_missing_variables)
{
	static const char *const env[] = { "SET=1", NULL };
	struct npmrc *cfg = parse("a = ${UNSET}\nb = x${UNSET?}y\n"
				  "c = ${SET?}\n", env);

	ck_assert_str_eq(get(cfg, "a"), "${UNSET}");
	ck_assert_str_eq(get(cfg, "b"), "xy");
	ck_assert_str_eq(get(cfg, "c"), "1");
	ck_assert(warned(cfg, "t.npmrc:1:1: environment variable 'UNSET'"));
	ck_assert(!warned(cfg, ":2:1:"));
	npmrc_free(cfg);
}
END_TEST

START_TEST(env_escaped_expressions)
{
	static const char *const env[] = { "V=val", NULL };
	struct npmrc *cfg = parse("a = \\${V}\nb = \\\\${V}\n"
				  "c = \\\\\\${V}\nd = ${}${V\ne = $V\n",
				  env);

	ck_assert_str_eq(get(cfg, "a"), "${V}");
	/* ini's unescaping runs first and turns "\\\\" into "\\", as in npm */
	ck_assert_str_eq(get(cfg, "b"), "${V}");
	ck_assert_str_eq(get(cfg, "c"), "\\val");
	ck_assert_str_eq(get(cfg, "d"), "${}${V");
	ck_assert_str_eq(get(cfg, "e"), "$V");
	npmrc_free(cfg);
}
END_TEST

/* ---- layers ---- */

struct world {
	const char *project, *user, *global, *sub;
};

static void
make_world(struct world *w)
{
	fixture("proj/package.json", "{}\n");
	w->project = fixture("proj/.npmrc",
			     "registry=https://project.npm.test/\n"
			     "only-project=p\nshared=project\n");
	w->sub = fixture("proj/src/lib", NULL);
	w->user = fixture("home/.npmrc",
			  "registry=https://user.npm.test\n"
			  "only-user=u\nshared=user\n");
	w->global = fixture("prefix/etc/npmrc",
			    "registry=https://global.npm.test/\n"
			    "only-global=g\nshared=global\n");
}

START_TEST(layers_precedence_cli_env_project_user_global)
{
	struct world w;
	struct npmrc *cfg;
	struct npmrc_value v;
	static const char *const env[] = {
		"NPM_CONFIG_REGISTRY=https://env.npm.test/",
		"npm_config_only_env=e", "npm_config_shared=env",
		"npm_config_empty=", NULL,
	};
	struct npmrc_options o = { 0 };

	make_world(&w);
	o.project_dir = w.sub;
	o.default_userconfig = w.user;
	o.globalconfig = w.global;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_str_eq(npmrc_registry_for(cfg, "x"),
			 "https://project.npm.test/");
	ck_assert_str_eq(get(cfg, "shared"), "project");
	ck_assert_str_eq(get(cfg, "only-user"), "u");
	ck_assert_int_eq(npmrc_get(cfg, "only-global", &v), 0);
	ck_assert_int_eq(v.layer, NPMRC_GLOBAL);
	ck_assert_str_eq(v.source, w.global);
	ck_assert_uint_eq(v.line, 2);
	ck_assert_int_eq(npmrc_get(cfg, "only-project", &v), 0);
	ck_assert_str_eq(v.source, w.project);
	npmrc_free(cfg);

	o.env = env;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_str_eq(npmrc_registry_for(cfg, NULL),
			 "https://env.npm.test/");
	ck_assert_int_eq(npmrc_get(cfg, "shared", &v), 0);
	ck_assert_str_eq(v.value, "env");
	ck_assert_str_eq(v.source, "environment");
	ck_assert_str_eq(get(cfg, "only-env"), "e");
	ck_assert_ptr_null(get(cfg, "empty"));
	npmrc_free(cfg);

	o.registry = "https://cli.npm.test";
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_str_eq(npmrc_registry_for(cfg, NULL),
			 "https://cli.npm.test/");
	ck_assert_int_eq(npmrc_get(cfg, "registry", &v), 0);
	ck_assert_str_eq(v.source, "command line");
	npmrc_free(cfg);
}
END_TEST

START_TEST(layers_user_then_global_without_project)
{
	struct world w;
	struct npmrc *cfg;
	struct npmrc_options o = { 0 };

	make_world(&w);
	o.default_userconfig = w.user;
	o.globalconfig = w.global;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_str_eq(npmrc_registry_for(cfg, NULL),
			 "https://user.npm.test/");
	ck_assert_str_eq(get(cfg, "shared"), "user");
	npmrc_free(cfg);

	o.default_userconfig = NULL;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_str_eq(get(cfg, "shared"), "global");
	npmrc_free(cfg);
}
END_TEST

START_TEST(layers_userconfig_option_and_env_pick_the_file)
{
	struct world w;
	struct npmrc *cfg;
	const char *other = fixture("other.npmrc", "shared=other\n");
	char envu[4200];
	const char *env[] = { envu, NULL };
	struct npmrc_options o = { 0 };

	make_world(&w);
	o.default_userconfig = w.user;
	o.userconfig = other;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_str_eq(get(cfg, "shared"), "other");
	ck_assert_str_eq(npmrc_layer_path(cfg, NPMRC_USER), other);
	npmrc_free(cfg);

	o.userconfig = NULL;
	snprintf(envu, sizeof(envu), "npm_config_userconfig=%s", other);
	o.env = env;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_str_eq(get(cfg, "shared"), "other");
	npmrc_free(cfg);
}
END_TEST

START_TEST(layers_local_prefix_is_nearest_package_or_node_modules)
{
	struct npmrc *cfg;
	struct npmrc_options o = { 0 };
	const char *nm, *deep, *bare;
	char want[4200];

	fixture("a/package.json", "{}");
	fixture("a/.npmrc", "where=a\n");
	nm = fixture("a/b/node_modules", NULL);
	fixture("a/b/.npmrc", "where=b\n");
	deep = fixture("a/b/c/d", NULL);
	(void)nm;
	o.project_dir = deep;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	snprintf(want, sizeof(want), "%s/a/b", root);
	ck_assert_str_eq(npmrc_local_prefix(cfg), want);
	ck_assert_str_eq(get(cfg, "where"), "b");
	npmrc_free(cfg);

	/* No package.json or node_modules anywhere: the directory itself
	 * (mkdtemp dirs live under $TMPDIR, the build dir, which has none
	 * above it in the test setup; accept either outcome but no crash). */
	bare = fixture("x/y", NULL);
	o.project_dir = bare;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_ptr_nonnull(npmrc_local_prefix(cfg));
	npmrc_free(cfg);
}
END_TEST

START_TEST(layers_env_names_are_normalised)
{
	static const char *const env[] = {
		"NPM_CONFIG_MIN_RELEASE_AGE=3",
		"npm_config__auth=xx",
		"npm_config_//registry.npm.test/:_authToken=tok",
		"npm_config_=ignored", "NPM_CONFIG=ignored", NULL,
	};
	struct npmrc *cfg;
	struct npmrc_options o = { 0 };
	struct npmrc_auth a;

	o.env = env;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_str_eq(get(cfg, "min-release-age"), "3");
	ck_assert_ptr_null(get(cfg, "_auth")); /* secret: never via get */
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test/x",
					&a), 1);
	ck_assert_str_eq(a.token, "tok");
	npmrc_free(cfg);
}
END_TEST

START_TEST(layers_cli_settings)
{
	static const char *const cli[] = { "fetch-retries=7", NULL };
	static const char *const bad[] = { "novalue", NULL };
	struct npmrc *cfg;
	struct npmrc_options o = { 0 };
	struct npmrc_net net;

	o.cli = cli;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	npmrc_net(cfg, &net);
	ck_assert_int_eq(net.fetch_retries, 7);
	npmrc_free(cfg);
	o.cli = bad;
	ck_assert_int_eq(npmrc_load(&cfg, &o), WS_EPARSE);
}
END_TEST

/* ---- registries ---- */

START_TEST(registry_scoped_and_default)
{
	struct npmrc *cfg = parse("registry=https://registry.npm.test\n"
				  "@corp:registry=http://127.0.0.1:8080/npm/\n"
				  "@other:registry=\n", NULL);

	ck_assert_str_eq(npmrc_registry_for(cfg, "lodash"),
			 "https://registry.npm.test/");
	ck_assert_str_eq(npmrc_registry_for(cfg, "@corp/pkg"),
			 "http://127.0.0.1:8080/npm/");
	ck_assert_str_eq(npmrc_registry_for(cfg, "@elsewhere/pkg"),
			 "https://registry.npm.test/");
	ck_assert_str_eq(npmrc_registry_for(cfg, "@other/pkg"),
			 "https://registry.npm.test/");
	npmrc_free(cfg);
}
END_TEST

START_TEST(registry_none_configured_is_null)
{
	struct npmrc *cfg = parse("@corp:registry=https://corp.npm.test\n",
				  NULL);

	ck_assert_ptr_null(npmrc_registry_for(cfg, "lodash"));
	ck_assert_ptr_null(npmrc_registry_for(cfg, NULL));
	ck_assert_str_eq(npmrc_registry_for(cfg, "@corp/x"),
			 "https://corp.npm.test/");
	npmrc_free(cfg);
}
END_TEST

/* ---- auth ---- */

static const char auth_rc[] =
	"//registry.npm.test/:_authToken=TOK_ROOT\n"
	"//registry.npm.test/private/:_authToken=TOK_PRIVATE\n"
	"//registry.npm.test:8443/:_authToken=TOK_PORT\n"
	"//other.npm.test/:_authToken=TOK_OTHER\n"
	"//basic.npm.test/:username=alice\n"
	"//basic.npm.test/:_password=cGFzcw==\n"
	"//auth.npm.test/:_auth=YWxpY2U6cGFzcw==\n"
	"//mtls.npm.test/:certfile=/c.pem\n"
	"//mtls.npm.test/:keyfile=/k.pem\n"
	"//nopath.npm.test:_authToken=TOK_NOSLASH\n";

START_TEST(auth_longest_path_prefix_wins)
{
	struct npmrc *cfg = parse(auth_rc, NULL);
	struct npmrc_auth a;

	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test/"
					"private/pkg", &a), 1);
	ck_assert_str_eq(a.token, "TOK_PRIVATE");
	ck_assert_str_eq(a.prefix, "//registry.npm.test/private/");
	ck_assert_str_eq(a.authorization, "Bearer TOK_PRIVATE");
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test/"
					"private", &a), 1);
	ck_assert_str_eq(a.token, "TOK_ROOT");
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test/"
					"privateer/x", &a), 1);
	ck_assert_str_eq(a.token, "TOK_ROOT");
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://REGISTRY.npm.test/"
					"lodash?write=true#x", &a), 1);
	ck_assert_str_eq(a.token, "TOK_ROOT");
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://nopath.npm.test/x",
					&a), 1);
	ck_assert_str_eq(a.token, "TOK_NOSLASH");
	npmrc_free(cfg);
}
END_TEST

START_TEST(auth_port_must_match)
{
	struct npmrc *cfg = parse(auth_rc, NULL);
	struct npmrc_auth a;

	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test:8443/"
					"x", &a), 1);
	ck_assert_str_eq(a.token, "TOK_PORT");
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test:443/"
					"x", &a), 1);
	ck_assert_str_eq(a.token, "TOK_ROOT");
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test:9999/"
					"x", &a), 0);
	ck_assert_ptr_null(a.token);
	ck_assert_ptr_null(a.authorization);
	ck_assert_int_eq(npmrc_auth_for(cfg, "http://registry.npm.test:80/x",
					&a), 1);
	ck_assert_str_eq(a.token, "TOK_ROOT");
	npmrc_free(cfg);
}
END_TEST

START_TEST(auth_token_never_goes_to_another_host)
{
	struct npmrc *cfg = parse(auth_rc, NULL);
	struct npmrc_auth a;

	ck_assert_int_eq(npmrc_auth_for(cfg, "https://evil.npm.test/"
					"registry.npm.test/", &a), 0);
	ck_assert_ptr_null(a.token);
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test."
					"evil.test/", &a), 0);
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test@"
					"evil.test/", &a), 0);
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://x@other.npm.test/p",
					&a), 1);
	ck_assert_str_eq(a.token, "TOK_OTHER");
	ck_assert_int_eq(npmrc_auth_for(cfg, "ftp://registry.npm.test/", &a),
			 WS_EPARSE);
	npmrc_free(cfg);
}
END_TEST

START_TEST(auth_basic_forms_and_client_certs)
{
	struct npmrc *cfg = parse(auth_rc, NULL);
	struct npmrc_auth a;

	ck_assert_int_eq(npmrc_auth_for(cfg, "https://basic.npm.test/x", &a),
			 1);
	ck_assert_ptr_null(a.token);
	ck_assert_str_eq(a.username, "alice");
	ck_assert_str_eq(a.basic, "YWxpY2U6cGFzcw==");	/* alice:pass */
	ck_assert_str_eq(a.authorization, "Basic YWxpY2U6cGFzcw==");
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://auth.npm.test/x", &a),
			 1);
	ck_assert_str_eq(a.basic, "YWxpY2U6cGFzcw==");
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://mtls.npm.test/x", &a),
			 1);
	ck_assert_ptr_null(a.authorization);
	ck_assert_str_eq(a.certfile, "/c.pem");
	ck_assert_str_eq(a.keyfile, "/k.pem");
	ck_assert_uint_eq(npmrc_auth_count(cfg), 8);
	npmrc_free(cfg);
}
END_TEST

START_TEST(auth_precedence_per_field_and_always_auth)
{
	struct world w;
	struct npmrc *cfg;
	struct npmrc_auth a;
	struct npmrc_options o = { 0 };
	static const char *const env[] = {
		"npm_config_//registry.npm.test/:_authToken=FROM_ENV", NULL,
	};

	fixture("proj/package.json", "{}");
	w.project = fixture("proj/.npmrc", "//registry.npm.test/:always-auth"
			    "=true\n");
	w.user = fixture("home/.npmrc", "//registry.npm.test/:_authToken="
			 "FROM_USER\nalways-auth=false\n");
	o.project_dir = fixture("proj/sub", NULL);
	o.default_userconfig = w.user;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test/a",
					&a), 1);
	ck_assert_str_eq(a.token, "FROM_USER");
	ck_assert_int_eq(a.always_auth, 1);
	npmrc_free(cfg);
	o.env = env;
	ck_assert_int_eq(npmrc_load(&cfg, &o), 0);
	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test/a",
					&a), 1);
	ck_assert_str_eq(a.token, "FROM_ENV");
	npmrc_free(cfg);
}
END_TEST

START_TEST(auth_token_from_env_expansion)
{
	static const char *const env[] = { "NPM_TOKEN=npm_abc", NULL };
	struct npmrc *cfg = parse("//registry.npm.test/:_authToken="
				  "${NPM_TOKEN}\n", env);
	struct npmrc_auth a;

	ck_assert_int_eq(npmrc_auth_for(cfg, "https://registry.npm.test/x",
					&a), 1);
	ck_assert_str_eq(a.token, "npm_abc");
	npmrc_free(cfg);
}
END_TEST

/* ---- network ---- */

START_TEST(net_defaults_and_settings)
{
	struct npmrc *cfg = parse("", NULL);
	struct npmrc_net n;

	npmrc_net(cfg, &n);
	ck_assert_int_eq(n.strict_ssl, 1);
	ck_assert_int_eq(n.fetch_retries, 2);
	ck_assert_int_eq(n.fetch_timeout_ms, 300000);
	ck_assert_ptr_null(n.cafile);
	ck_assert_uint_eq(n.nca, 0);
	npmrc_free(cfg);

	cfg = parse("strict-ssl=false\nfetch-retries=0\nfetch-timeout=5000\n"
		    "cafile=/etc/ca.pem\nca[]=\"-----BEGIN CERTIFICATE-----\\n"
		    "AAA\\n-----END CERTIFICATE-----\"\nca[]=second\n"
		    "fetch-retry-mintimeout=abc\n", NULL);
	npmrc_net(cfg, &n);
	ck_assert_int_eq(n.strict_ssl, 0);
	ck_assert_int_eq(n.fetch_retries, 0);
	ck_assert_int_eq(n.fetch_timeout_ms, 5000);
	ck_assert_int_eq(n.fetch_retry_mintimeout_ms, 10000);
	ck_assert_str_eq(n.cafile, "/etc/ca.pem");
	ck_assert_uint_eq(n.nca, 2);
	ck_assert_str_eq(n.ca[0], "-----BEGIN CERTIFICATE-----\nAAA\n"
			 "-----END CERTIFICATE-----");
	ck_assert(warned(cfg, "not a number"));
	npmrc_free(cfg);
}
END_TEST

/* fetch-timeout and fetch-retries reach the registry client as npm
 * means them: per attempt, 0 for no limit, retries after the first. */
START_TEST(fetch_settings_become_client_options)
{
	struct registry_options o;
	struct npmrc *cfg = parse("", NULL);
	struct npmrc_net n;

	registry_options_init(&o);
	npmrc_net(cfg, &n);
	npmrc_fetch_options(&n, &o);
	ck_assert_int_eq(o.timeout_ms, 300000);	/* npm's defaults */
	ck_assert_int_eq(o.retries, 2);
	ck_assert_int_eq(o.stall_ms, 0);	/* left to the client */
	npmrc_free(cfg);

	cfg = parse("fetch-timeout = 3000\nfetch-retries = 5\n", NULL);
	npmrc_net(cfg, &n);
	npmrc_fetch_options(&n, &o);
	ck_assert_int_eq(o.timeout_ms, 3000);
	ck_assert_int_eq(o.retries, 5);
	npmrc_free(cfg);

	cfg = parse("fetch-timeout=0\nfetch-retries=1000000\n", NULL);
	npmrc_net(cfg, &n);
	npmrc_fetch_options(&n, &o);
	ck_assert_int_lt(o.timeout_ms, 0);	/* none: the stall limit only */
	ck_assert_int_eq(o.retries, REGISTRY_RETRIES_MAX);
	npmrc_free(cfg);

	cfg = parse("fetch-timeout=-5\nfetch-retries=x\n", NULL);
	npmrc_net(cfg, &n);
	npmrc_fetch_options(&n, &o);
	ck_assert_int_eq(o.timeout_ms, 300000);	/* not a number: the default */
	ck_assert_int_eq(o.retries, 2);
	ck_assert(warned(cfg, "'fetch-timeout' is not a number"));
	ck_assert(warned(cfg, "'fetch-retries' is not a number"));
	npmrc_free(cfg);
}
END_TEST

START_TEST(net_proxies_follow_npm_order)
{
	static const char *const env[] = {
		"HTTPS_PROXY=http://envs:1", "http_proxy=http://envh:2",
		"NO_PROXY=localhost", NULL,
	};
	struct npmrc *cfg = parse("", env);
	const char *p, *np;

	ck_assert_int_eq(npmrc_proxy_for(cfg, "https://r.npm.test/", &p, &np),
			 0);
	ck_assert_str_eq(p, "http://envs:1");
	ck_assert_str_eq(np, "localhost");
	ck_assert_int_eq(npmrc_proxy_for(cfg, "http://r.npm.test/", &p, &np),
			 0);
	ck_assert_str_eq(p, "http://envh:2");
	npmrc_free(cfg);

	cfg = parse("proxy=http://cfgp:3\nnoproxy[]=a.test\nnoproxy[]=b.test\n",
		    env);
	npmrc_proxy_for(cfg, "https://r.npm.test/", &p, &np);
	ck_assert_str_eq(p, "http://cfgp:3");
	ck_assert_str_eq(np, "a.test,b.test");
	npmrc_free(cfg);

	cfg = parse("proxy=http://cfgp:3\nhttps-proxy=http://cfgs:4\n", env);
	npmrc_proxy_for(cfg, "https://r.npm.test/", &p, &np);
	ck_assert_str_eq(p, "http://cfgs:4");
	npmrc_proxy_for(cfg, "http://r.npm.test/", &p, &np);
	ck_assert_str_eq(p, "http://cfgp:3");
	npmrc_free(cfg);

	cfg = parse("proxy=false\n", env);
	npmrc_proxy_for(cfg, "https://r.npm.test/", &p, &np);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(npmrc_proxy_for(cfg, "file:///x", &p, &np),
			 WS_EPARSE);
	npmrc_free(cfg);
}
END_TEST

/* ---- secrets ---- */

static const char secrets_rc[] =
	"//registry.npm.test/:_authToken=SECRET_TOKEN_1\n"
	"//basic.npm.test/:_password=U0VDUkVUX1BBU1M=\n"
	"//basic.npm.test/:username=bob\n"
	"//a.npm.test/:_auth=SECRET_AUTH_3\n"
	"_authToken=SECRET_TOPLEVEL\n"
	"https-proxy=http://user:SECRET_PROXY@proxy.test:8080/\n"
	"//user:SECRET_KEYPASS@k.npm.test/:username=x\n"
	"otp=SECRET_OTP\n"
	"registry=https://registry.npm.test/\n";

START_TEST(secrets_never_in_description)
{
	struct npmrc *cfg = parse(secrets_rc, NULL);
	const struct npmrc_item *items;
	size_t n, i;
	int saw_token = 0, saw_registry = 0;

	n = npmrc_describe(cfg, &items);
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_null(strstr(items[i].key, "SECRET"));
		ck_assert_ptr_null(strstr(items[i].value, "SECRET"));
		ck_assert_ptr_null(strstr(items[i].value, "U0VDUkVU"));
		if (strcmp(items[i].key, "//registry.npm.test/:_authToken") ==
		    0) {
			ck_assert_str_eq(items[i].value, "(redacted)");
			saw_token = 1;
		}
		if (strcmp(items[i].key, "registry") == 0) {
			ck_assert_str_eq(items[i].value,
					 "https://registry.npm.test/");
			ck_assert_str_eq(items[i].source, "t.npmrc");
			saw_registry = 1;
		}
		if (i)
			ck_assert_int_lt(strcmp(items[i - 1].key,
						items[i].key), 0);
	}
	ck_assert(saw_token && saw_registry);
	for (i = 0; i < npmrc_warning_count(cfg); i++)
		ck_assert_ptr_null(strstr(npmrc_warning_at(cfg, i), "SECRET"));
	npmrc_free(cfg);
}
END_TEST

START_TEST(secrets_not_returned_by_get)
{
	struct npmrc *cfg = parse(secrets_rc, NULL);
	struct npmrc_value v;

	ck_assert_int_eq(npmrc_get(cfg, "//registry.npm.test/:_authToken", &v),
			 WS_ENOTFOUND);
	ck_assert_ptr_null(get(cfg, "_authToken"));
	ck_assert_ptr_null(get(cfg, "otp"));
	ck_assert_ptr_null(get(cfg, "//basic.npm.test/:_password"));
	ck_assert_ptr_null(get(cfg, "//a.npm.test/:_auth"));
	ck_assert_str_eq(get(cfg, "//basic.npm.test/:username"), "bob");
	ck_assert(npmrc_key_is_secret("//h/:_authToken"));
	ck_assert(npmrc_key_is_secret("_auth"));
	ck_assert(!npmrc_key_is_secret("registry"));
	ck_assert(!npmrc_key_is_secret("//h/:username"));
	npmrc_free(cfg);
}
END_TEST

START_TEST(secrets_missing_variable_warning_has_no_value)
{
	struct npmrc *cfg = parse("//r.npm.test/:_authToken=SECRET_A${NOPE}\n",
				  NULL);

	ck_assert(warned(cfg, "'NOPE'"));
	ck_assert(!warned(cfg, "SECRET"));
	npmrc_free(cfg);
}
END_TEST

START_TEST(redact_replaces_credentials)
{
	struct {
		const char *in, *out;
	} cases[] = {
		{ "//registry.npm.test/:_authToken=abc123 next",
		  "//registry.npm.test/:_authToken=*** next" },
		{ "Authorization: Bearer abc.def", "Authorization: Bearer ***" },
		{ "authorization: basic YWxpY2U6cGFzcw==",
		  "authorization: basic ***" },
		{ "{\"token\": \"abc\"}", "{\"token\": \"***\"}" },
		{ "password = hunter2;", "password = ***;" },
		{ "see https://user:pw@host.test/x",
		  "see https://***@host.test/x" },
		{ "t npm_abcdefghijklmnopqrstuvwxyz0123456789 e",
		  "t npm_*** e" },
		{ "nothing hidden: registry=https://registry.npm.test/",
		  "nothing hidden: registry=https://registry.npm.test/" },
		{ "secret: abc", "secret: ***" },
		{ "_auth=", "_auth=" },
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		npmrc_redact(cases[i].in, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].out);
	}
	ck_assert_uint_eq(npmrc_redact("token=abcdef", buf, 8), 7);
	ck_assert_str_eq(buf, "token=*");
	ck_assert_uint_eq(npmrc_redact("x", buf, 0), 0);
}
END_TEST

static Suite *
npmrc_suite(void)
{
	Suite *s = suite_create("npmrc");
	TCase *tc;

	tc = tcase_create("syntax");
	tcase_add_test(tc, ini_reads_keys_comments_and_bare_keys);
	tcase_add_test(tc, ini_inline_comments_and_escapes);
	tcase_add_test(tc, ini_quoted_values);
	tcase_add_test(tc, ini_arrays_append_and_plain_replaces);
	tcase_add_test(tc, ini_malformed_lines_warn_and_are_skipped);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, limits_file_too_large_fails);
	tcase_add_test(tc, limits_line_too_long_fails_with_position);
	tcase_add_test(tc, limits_entry_count_fails);
	tcase_add_test(tc, limits_warnings_are_capped);
	suite_add_tcase(s, tc);

	tc = tcase_create("env_expansion");
	tcase_add_test(tc, env_expansion_in_keys_and_values);
	tcase_add_test(tc, env_missing_variables);
	tcase_add_test(tc, env_escaped_expressions);
	suite_add_tcase(s, tc);

	tc = tcase_create("layers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, layers_precedence_cli_env_project_user_global);
	tcase_add_test(tc, layers_user_then_global_without_project);
	tcase_add_test(tc, layers_userconfig_option_and_env_pick_the_file);
	tcase_add_test(tc, layers_local_prefix_is_nearest_package_or_node_modules);
	tcase_add_test(tc, layers_env_names_are_normalised);
	tcase_add_test(tc, layers_cli_settings);
	suite_add_tcase(s, tc);

	tc = tcase_create("registry");
	tcase_add_test(tc, registry_scoped_and_default);
	tcase_add_test(tc, registry_none_configured_is_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("auth");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, auth_longest_path_prefix_wins);
	tcase_add_test(tc, auth_port_must_match);
	tcase_add_test(tc, auth_token_never_goes_to_another_host);
	tcase_add_test(tc, auth_basic_forms_and_client_certs);
	tcase_add_test(tc, auth_precedence_per_field_and_always_auth);
	tcase_add_test(tc, auth_token_from_env_expansion);
	suite_add_tcase(s, tc);

	tc = tcase_create("network");
	tcase_add_test(tc, net_defaults_and_settings);
	tcase_add_test(tc, fetch_settings_become_client_options);
	tcase_add_test(tc, net_proxies_follow_npm_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("secrets");
	tcase_add_test(tc, secrets_never_in_description);
	tcase_add_test(tc, secrets_not_returned_by_get);
	tcase_add_test(tc, secrets_missing_variable_warning_has_no_value);
	tcase_add_test(tc, redact_replaces_credentials);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(npmrc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
