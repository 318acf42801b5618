#include "policy/policy.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree/tree.h"
#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define DAY 86400

/* ---- fixtures ---- */

static char tmpdir[4096];

static void
make_dir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/policy-XXXXXX",
		 base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
write_file(const char *name, const char *text, size_t len)
{
	char path[8192];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

static void
write_str(const char *name, const char *text)
{
	write_file(name, text, strlen(text));
}

static void
remove_dir(void)
{
	static const char *names[] = {"pnpm-workspace.yaml", ".yarnrc.yml",
				      "bunfig.toml", "outside.yaml", NULL};
	char path[8192];
	int i;

	for (i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

static int
load(struct policy *p, const char *npm_age, const char *npm_excl)
{
	policy_init(p);
	return policy_load_project(p, tmpdir, npm_age, npm_excl);
}

/* ---- durations ---- */

START_TEST(duration_accepts_each_unit)
{
	int64_t s;

	ck_assert_int_eq(policy_parse_duration("7d", &s), 0);
	ck_assert_int_eq(s, 7 * DAY);
	ck_assert_int_eq(policy_parse_duration("36h", &s), 0);
	ck_assert_int_eq(s, 36 * 3600);
	ck_assert_int_eq(policy_parse_duration("1440m", &s), 0);
	ck_assert_int_eq(s, DAY);
	ck_assert_int_eq(policy_parse_duration("90s", &s), 0);
	ck_assert_int_eq(s, 90);
	ck_assert_int_eq(policy_parse_duration("2w", &s), 0);
	ck_assert_int_eq(s, 14 * DAY);
	ck_assert_int_eq(policy_parse_duration("0d", &s), 0);
	ck_assert_int_eq(s, 0);
}
END_TEST

START_TEST(duration_rejects_garbage)
{
	static const char *bad[] = {"", "7", "d", "7x", "7 d", " 7d", "7d ",
				    "-7d", "+7d", "7.5d", "7dd", "7D", "1e3s",
				    "0x10s", "7ms", "d7", "7\nd"};
	int64_t s = 99;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(policy_parse_duration(bad[i], &s) == WS_EPARSE,
			      "accepted '%s'", bad[i]);
		ck_assert_int_eq(s, 0);
	}
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "not a duration"));
}
END_TEST

START_TEST(duration_rejects_overflow)
{
	int64_t s;

	ck_assert_int_eq(policy_parse_duration("99999999999999999999999s", &s),
			 WS_ELIMIT);
	ck_assert_int_eq(policy_parse_duration("9223372036854775807s", &s),
			 WS_ELIMIT);
	ck_assert_int_eq(policy_parse_duration("1000000w", &s), WS_ELIMIT);
	ck_assert_int_eq(policy_parse_duration("366000d", &s), 0);
	ck_assert_int_eq(policy_parse_duration("366001d", &s), WS_ELIMIT);
}
END_TEST

START_TEST(duration_unit_reads_yarn_values)
{
	int64_t s;

	ck_assert_int_eq(policy_parse_duration_unit("4320", 60, &s), 0);
	ck_assert_int_eq(s, 3 * DAY);
	ck_assert_int_eq(policy_parse_duration_unit("3d", 60, &s), 0);
	ck_assert_int_eq(s, 3 * DAY);
	ck_assert_int_eq(policy_parse_duration_unit("1500ms", 60, &s), 0);
	ck_assert_int_eq(s, 1);
	ck_assert_int_eq(policy_parse_duration_unit("3 days", 60, &s),
			 WS_EPARSE);
}
END_TEST

/* ---- timestamps ---- */

START_TEST(time_reads_registry_timestamps)
{
	time_t t;
	char buf[21];

	ck_assert_int_eq(policy_parse_time("1970-01-01T00:00:00Z", &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(policy_parse_time("2026-05-11T19:20:31.123Z", &t), 0);
	ck_assert_int_eq(t, 1778527231);
	policy_format_time(buf, t);
	ck_assert_str_eq(buf, "2026-05-11T19:20:31Z");
	ck_assert_int_eq(policy_parse_time("2026-05-11t19:20:31.999999999z",
					   &t), 0);
	ck_assert_int_eq(t, 1778527231);
}
END_TEST

START_TEST(time_applies_offsets)
{
	time_t t;

	ck_assert_int_eq(policy_parse_time("2026-05-11T21:20:31+02:00", &t), 0);
	ck_assert_int_eq(t, 1778527231);
	ck_assert_int_eq(policy_parse_time("2026-05-11T14:50:31-04:30", &t), 0);
	ck_assert_int_eq(t, 1778527231);
}
END_TEST

START_TEST(time_knows_leap_years)
{
	time_t t, u;

	ck_assert_int_eq(policy_parse_time("2024-02-29T00:00:00Z", &t), 0);
	ck_assert_int_eq(policy_parse_time("2024-03-01T00:00:00Z", &u), 0);
	ck_assert_int_eq(u - t, DAY);
	ck_assert_int_eq(policy_parse_time("2000-02-29T00:00:00Z", &t), 0);
	ck_assert_int_eq(policy_parse_time("2023-02-29T00:00:00Z", &t),
			 WS_EPARSE);
	ck_assert_int_eq(policy_parse_time("1900-02-29T00:00:00Z", &t),
			 WS_EPARSE);
	ck_assert_int_eq(policy_parse_time("2026-04-31T00:00:00Z", &t),
			 WS_EPARSE);
	/* a leap second is the next second */
	ck_assert_int_eq(policy_parse_time("2016-12-31T23:59:60Z", &t), 0);
	ck_assert_int_eq(policy_parse_time("2017-01-01T00:00:00Z", &u), 0);
	ck_assert_int_eq(t, u);
}
END_TEST

START_TEST(time_rejects_bad_input)
{
	static const char *bad[] = {
		"", "2026-05-11", "2026-05-11T19:20:31", "2026-05-11 19:20:31Z",
		"2026-5-11T19:20:31Z", "2026-05-11T19:20Z", "2026-05-11T24:00:00Z",
		"2026-05-11T19:60:00Z", "2026-05-11T19:20:61Z", "2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z", "2026-05-00T00:00:00Z", "2026-05-11T19:20:31.Z",
		"2026-05-11T19:20:31Zjunk", "2026-05-11T19:20:31+0200",
		"2026-05-11T19:20:31+24:00", "+2026-05-11T19:20:31Z", "now",
		"２０２６-05-11T19:20:31Z", "2026-05-11T19:20:31\nZ",
	};
	time_t t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(policy_parse_time(bad[i], &t) == WS_EPARSE,
			      "accepted '%s'", bad[i]);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "RFC 3339"));
}
END_TEST

/* ---- TOML ---- */

static int
toml(struct json_doc *doc, const char *text)
{
	return policy_toml_parse(doc, text, strlen(text), "bunfig.toml");
}

START_TEST(toml_reads_bunfig_shapes)
{
	struct json_doc doc;
	const struct json_value *inst, *v, *e;
	const char *text =
		"\xef\xbb\xbf# bun\n"
		"telemetry = false\n"
		"[install]\n"
		"exact = true\r\n"
		"minimumReleaseAge = 259_200 # seconds\n"
		"minimumReleaseAgeExcludes = [\n"
		"  \"@types/bun\", # why\n"
		"  'literal\\n',\n"
		"  \"esc\\u00e9\\t\",\n"
		"]\n"
		"[install.scopes]\n"
		"myorg = { token = \"$TOKEN\", url = \"https://registry.npm.test/\" }\n"
		"[test]\n"
		"coverageThreshold = 0.9\n"
		"a.b.\"c d\" = -1\n";

	ck_assert_int_eq(toml(&doc, text), 0);
	v = json_get(doc.root, "telemetry");
	ck_assert(json_is(v, JSON_FALSE));
	inst = json_get(doc.root, "install");
	ck_assert(json_is(json_get(inst, "exact"), JSON_TRUE));
	v = json_get(inst, "minimumReleaseAge");
	ck_assert(json_is(v, JSON_NUMBER));
	ck_assert_str_eq(v->u.str, "259200");
	ck_assert_uint_eq(v->line, 5);
	v = json_get(inst, "minimumReleaseAgeExcludes");
	ck_assert(json_is(v, JSON_ARRAY));
	ck_assert_uint_eq(v->len, 3);
	e = v->u.first;
	ck_assert_str_eq(e->u.str, "@types/bun");
	ck_assert_str_eq(e->next->u.str, "literal\\n");
	ck_assert_str_eq(e->next->next->u.str, "esc\xc3\xa9\t");
	v = json_get(json_get(json_get(inst, "scopes"), "myorg"), "url");
	ck_assert_str_eq(v->u.str, "https://registry.npm.test/");
	v = json_get(json_get(json_get(json_get(doc.root, "test"), "a"), "b"),
		     "c d");
	ck_assert_str_eq(v->u.str, "-1");
	ck_assert_str_eq(json_get(json_get(doc.root, "test"),
				  "coverageThreshold")->u.str, "0.9");
	json_doc_release(&doc);
}
END_TEST

START_TEST(toml_dotted_keys_reach_install)
{
	struct json_doc doc;

	ck_assert_int_eq(toml(&doc, "install.minimumReleaseAge = 60\n"), 0);
	ck_assert_str_eq(json_get(json_get(doc.root, "install"),
				  "minimumReleaseAge")->u.str, "60");
	json_doc_release(&doc);
	ck_assert_int_eq(toml(&doc, ""), 0);
	ck_assert(json_is(doc.root, JSON_OBJECT));
	json_doc_release(&doc);
}
END_TEST

START_TEST(toml_errors_name_line_and_column)
{
	struct json_doc doc;

	ck_assert_int_eq(toml(&doc, "[install]\nminimumReleaseAge = \n"),
			 WS_EPARSE);
	ck_assert_str_eq(ws_error_last(),
			 "bunfig.toml:2:21: expected a value");
	ck_assert_int_eq(toml(&doc, "a = 1\na = 2\n"), WS_EPARSE);
	ck_assert_str_eq(ws_error_last(), "bunfig.toml:2:5: duplicate key");
	ck_assert_int_eq(toml(&doc, "a = \"open\n"), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "unterminated string"));
	ck_assert_int_eq(toml(&doc, "a = 1 b = 2\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "a = [1, 2\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "[a\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "a = 1\na.b = 2\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "a = 1\n[a]\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "a = \"\\x\"\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "a = \"\\ud800\"\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "a = 1__0\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "a = tru\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "= 1\n"), WS_EPARSE);
	ck_assert_int_eq(toml(&doc, "[[a]]\n"), WS_EUNSUPPORTED);
	ck_assert_int_eq(toml(&doc, "a = \"\"\"x\"\"\"\n"), WS_EUNSUPPORTED);
	ck_assert_int_eq(toml(&doc, "a = 1979-05-27\n"), WS_EUNSUPPORTED);
}
END_TEST

START_TEST(toml_bounds_hostile_input)
{
	struct json_doc doc;
	char *buf;
	size_t i, n = 100000;

	buf = xmalloc(n + 16);
	memcpy(buf, "a = ", 4);
	for (i = 4; i < n; i++)
		buf[i] = '[';
	ck_assert_int_eq(policy_toml_parse(&doc, buf, n, "deep.toml"),
			 WS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "nested too deeply"));
	/* many keys in one table */
	{
		char *w = buf;
		size_t room = n + 16;

		for (i = 0; i < 2000 && room > 32; i++) {
			int k = snprintf(w, room, "k%zu=1\n", i);
			w += k;
			room -= (size_t)k;
		}
		ck_assert_int_eq(policy_toml_parse(&doc, buf,
						   (size_t)(w - buf), "wide"),
				 WS_ELIMIT);
	}
	/* NUL bytes and garbage never crash */
	memset(buf, 0, n);
	ck_assert_int_lt(policy_toml_parse(&doc, buf, n, "nul"), 0);
	free(buf);
}
END_TEST

/* ---- project configuration ---- */

START_TEST(config_reads_npm_days)
{
	struct policy p;

	make_dir();
	ck_assert_int_eq(load(&p, "7", "left-pad, @corp/*  other"), 0);
	ck_assert_uint_eq(p.nsources, 1);
	ck_assert_int_eq(p.sources[0].tool, POLICY_TOOL_NPM);
	ck_assert_int_eq(p.sources[0].seconds, 7 * DAY);
	ck_assert_str_eq(p.sources[0].file, ".npmrc");
	ck_assert_str_eq(p.sources[0].key, "min-release-age");
	ck_assert_str_eq(p.sources[0].raw, "7");
	ck_assert_uint_eq(p.nexcludes, 3);
	ck_assert_str_eq(p.excludes[1].pattern, "@corp/*");
	ck_assert(policy_excludes(&p, POLICY_TOOL_NPM, "@corp/x", "1.0.0",
				  NULL));
	ck_assert(!policy_excludes(&p, POLICY_TOOL_NPM, "left-pad-2", NULL,
				   NULL));
	policy_release(&p);
	ck_assert_int_eq(load(&p, "1.5", NULL), 0);
	ck_assert_int_eq(p.sources[0].seconds, 36 * 3600);
	policy_release(&p);
	ck_assert_int_eq(load(&p, "7d", NULL), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "min-release-age"));
	policy_release(&p);
	ck_assert_int_eq(load(&p, "99999999999", NULL), WS_ELIMIT);
	policy_release(&p);
	remove_dir();
}
END_TEST

START_TEST(config_reads_pnpm_minutes)
{
	struct policy p;

	make_dir();
	write_str("pnpm-workspace.yaml",
		  "packages:\n  - 'pkgs/*'\n"
		  "minimumReleaseAge: 1440\n"
		  "minimumReleaseAgeExclude:\n"
		  "  - '@eslint/*'\n  - webpack\n  - 'react@19.0.1 || 19.0.2'\n");
	ck_assert_int_eq(load(&p, NULL, NULL), 0);
	ck_assert_uint_eq(p.nsources, 1);
	ck_assert_int_eq(p.sources[0].tool, POLICY_TOOL_PNPM);
	ck_assert_int_eq(p.sources[0].seconds, DAY);
	ck_assert_uint_eq(p.sources[0].line, 3);
	ck_assert_ptr_nonnull(strstr(p.sources[0].file, "/pnpm-workspace.yaml"));
	ck_assert_uint_eq(p.nexcludes, 3);
	policy_release(&p);

	write_str("pnpm-workspace.yaml", "minimumReleaseAge: '1d'\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(),
				     "pnpm-workspace.yaml:1:20: "
				     "minimumReleaseAge: expected a whole "
				     "number of minutes"));
	policy_release(&p);
	write_str("pnpm-workspace.yaml", "minimumReleaseAgeExclude: webpack\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	policy_release(&p);
	write_str("pnpm-workspace.yaml", "");
	ck_assert_int_eq(load(&p, NULL, NULL), 0);
	ck_assert_uint_eq(p.nsources, 0);
	policy_release(&p);
	remove_dir();
}
END_TEST

START_TEST(config_reads_yarn_durations)
{
	struct policy p;

	make_dir();
	write_str(".yarnrc.yml", "nodeLinker: node-modules\n"
		  "npmMinimalAgeGate: 3d\n"
		  "npmPreapprovedPackages:\n  - react\n  - '@react-native/*'\n"
		  "  - 'lodash@^4.17.0'\n");
	ck_assert_int_eq(load(&p, NULL, NULL), 0);
	ck_assert_uint_eq(p.nsources, 1);
	ck_assert_int_eq(p.sources[0].tool, POLICY_TOOL_YARN);
	ck_assert_int_eq(p.sources[0].seconds, 3 * DAY);
	ck_assert_str_eq(p.sources[0].raw, "3d");
	ck_assert_uint_eq(p.nexcludes, 3);
	policy_release(&p);

	write_str(".yarnrc.yml", "npmMinimalAgeGate: 4320\n");
	ck_assert_int_eq(load(&p, NULL, NULL), 0);
	ck_assert_int_eq(p.sources[0].seconds, 3 * DAY);
	policy_release(&p);

	write_str(".yarnrc.yml", "npmMinimalAgeGate: three days\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), ".yarnrc.yml:1:20: "
				     "npmMinimalAgeGate"));
	policy_release(&p);
	remove_dir();
}
END_TEST

START_TEST(config_reads_bun_seconds)
{
	struct policy p;

	make_dir();
	write_str("bunfig.toml", "[install]\nminimumReleaseAge = 259200\n"
		  "minimumReleaseAgeExcludes = [\"@types/bun\", \"typescript\"]\n");
	ck_assert_int_eq(load(&p, NULL, NULL), 0);
	ck_assert_uint_eq(p.nsources, 1);
	ck_assert_int_eq(p.sources[0].tool, POLICY_TOOL_BUN);
	ck_assert_int_eq(p.sources[0].seconds, 3 * DAY);
	ck_assert_str_eq(p.sources[0].key, "install.minimumReleaseAge");
	ck_assert_uint_eq(p.sources[0].line, 2);
	ck_assert_uint_eq(p.nexcludes, 2);
	policy_release(&p);

	write_str("bunfig.toml", "[install]\nminimumReleaseAge = \"3d\"\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "whole number of seconds"));
	policy_release(&p);
	write_str("bunfig.toml", "[install]\nminimumReleaseAge = -5\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	policy_release(&p);
	write_str("bunfig.toml", "install = 3\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	policy_release(&p);
	write_str("bunfig.toml", "[install]\nminimumReleaseAgeExcludes = "
		  "[\"a@1.0.0\"]\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	policy_release(&p);
	remove_dir();
}
END_TEST

START_TEST(config_keeps_every_source_and_strictest_wins)
{
	struct policy p;
	const struct policy_source *s;

	make_dir();
	write_str("pnpm-workspace.yaml", "minimumReleaseAge: 10080\n");
	write_str(".yarnrc.yml", "npmMinimalAgeGate: 1d\n");
	write_str("bunfig.toml", "[install]\nminimumReleaseAge = 3600\n");
	ck_assert_int_eq(load(&p, "3", NULL), 0);
	ck_assert_uint_eq(p.nsources, 4);
	ck_assert_int_eq(p.sources[0].tool, POLICY_TOOL_NPM);
	ck_assert_int_eq(p.sources[1].tool, POLICY_TOOL_PNPM);
	ck_assert_int_eq(p.sources[2].tool, POLICY_TOOL_YARN);
	ck_assert_int_eq(p.sources[3].tool, POLICY_TOOL_BUN);
	s = policy_strictest(&p);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->tool, POLICY_TOOL_PNPM);
	ck_assert_int_eq(s->seconds, 7 * DAY);
	policy_release(&p);
	remove_dir();
}
END_TEST

START_TEST(config_without_files_is_empty)
{
	struct policy p;

	make_dir();
	ck_assert_int_eq(load(&p, NULL, NULL), 0);
	ck_assert_uint_eq(p.nsources, 0);
	ck_assert_ptr_null(policy_strictest(&p));
	policy_release(&p);
	remove_dir();
	policy_init(&p);
	ck_assert_int_eq(policy_load_project(&p, tmpdir, NULL, NULL),
			 WS_ENOTFOUND);
	policy_release(&p);
}
END_TEST

START_TEST(config_does_not_follow_symlinks)
{
	struct policy p;
	char target[8192], link_path[8192];

	make_dir();
	write_str("outside.yaml", "minimumReleaseAge: 1\n");
	snprintf(target, sizeof(target), "%s/outside.yaml", tmpdir);
	snprintf(link_path, sizeof(link_path), "%s/pnpm-workspace.yaml", tmpdir);
	ck_assert_int_eq(symlink(target, link_path), 0);
	ck_assert_int_eq(load(&p, NULL, NULL), 0);
	ck_assert_uint_eq(p.nsources, 0);
	ck_assert_uint_eq(p.nwarnings, 1);
	ck_assert_ptr_nonnull(strstr(p.warnings[0], "symbolic link"));
	policy_release(&p);
	remove_dir();
}
END_TEST

START_TEST(config_rejects_hostile_files)
{
	struct policy p;
	char *buf;
	size_t i, n;

	make_dir();
	/* over the size limit */
	n = POLICY_CONFIG_MAX + 1;
	buf = xmalloc(n);
	memset(buf, '#', n);
	write_file("bunfig.toml", buf, n);
	ck_assert_int_eq(load(&p, NULL, NULL), WS_ELIMIT);
	policy_release(&p);
	write_str("bunfig.toml", "[install\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "bunfig.toml:1:9: "));
	policy_release(&p);
	write_str("bunfig.toml", "");
	/* deep YAML */
	n = 20000;
	for (i = 0; i < n; i++)
		buf[i] = '[';
	write_file("pnpm-workspace.yaml", buf, n);
	ck_assert_int_lt(load(&p, NULL, NULL), 0);
	policy_release(&p);
	/* YAML aliases are refused */
	write_str("pnpm-workspace.yaml",
		  "a: &x [1]\nminimumReleaseAge: *x\n");
	ck_assert_int_lt(load(&p, NULL, NULL), 0);
	policy_release(&p);
	/* a list where a number belongs */
	write_str("pnpm-workspace.yaml", "minimumReleaseAge: [1]\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	policy_release(&p);
	/* a mapping is required */
	write_str("pnpm-workspace.yaml", "- 1\n");
	ck_assert_int_eq(load(&p, NULL, NULL), WS_EPARSE);
	policy_release(&p);
	free(buf);
	remove_dir();
}
END_TEST

/* ---- excludes ---- */

static struct policy ex;

static void
add(enum policy_tool tool, const char *pattern)
{
	ck_assert_msg(policy_add_exclude(&ex, tool, pattern, "f", "k") == 0,
		      "%s: %s", pattern, ws_error_last());
}

static int
excluded(enum policy_tool tool, const char *name, const char *version)
{
	return policy_excludes(&ex, tool, name, version, NULL);
}

START_TEST(excludes_bun_exact_names)
{
	policy_init(&ex);
	add(POLICY_TOOL_BUN, "@types/bun");
	add(POLICY_TOOL_BUN, "@corp/*");
	ck_assert(excluded(POLICY_TOOL_BUN, "@types/bun", "1.0.0"));
	ck_assert(!excluded(POLICY_TOOL_BUN, "@types/bunx", "1.0.0"));
	ck_assert(!excluded(POLICY_TOOL_BUN, "@corp/x", "1.0.0"));
	ck_assert(excluded(POLICY_TOOL_BUN, "@corp/*", "1.0.0"));
	/* another tool's list does not exempt */
	ck_assert(!excluded(POLICY_TOOL_PNPM, "@types/bun", "1.0.0"));
	policy_release(&ex);
}
END_TEST

START_TEST(excludes_pnpm_patterns)
{
	const struct policy_exclude *which;

	policy_init(&ex);
	add(POLICY_TOOL_PNPM, "@eslint/*");
	add(POLICY_TOOL_PNPM, "*-loader");
	add(POLICY_TOOL_PNPM, "!css-loader");
	add(POLICY_TOOL_PNPM, "react@19.0.1 || 19.0.2");
	add(POLICY_TOOL_PNPM, "@scope/pkg@1.0.0");
	ck_assert(excluded(POLICY_TOOL_PNPM, "@eslint/js", NULL));
	ck_assert(excluded(POLICY_TOOL_PNPM, "@eslint/a/b", NULL));
	ck_assert(!excluded(POLICY_TOOL_PNPM, "eslint", NULL));
	ck_assert(excluded(POLICY_TOOL_PNPM, "babel-loader", NULL));
	ck_assert(!excluded(POLICY_TOOL_PNPM, "css-loader", NULL));
	ck_assert(excluded(POLICY_TOOL_PNPM, "react", "19.0.2"));
	ck_assert(!excluded(POLICY_TOOL_PNPM, "react", "19.0.3"));
	ck_assert(!excluded(POLICY_TOOL_PNPM, "react", NULL));
	ck_assert(policy_excludes(&ex, POLICY_TOOL_PNPM, "@scope/pkg", "1.0.0",
				  &which));
	ck_assert_str_eq(which->pattern, "@scope/pkg@1.0.0");
	ck_assert_int_eq(policy_add_exclude(&ex, POLICY_TOOL_PNPM, "x@^1",
					    "f", "k"), WS_EPARSE);
	ck_assert_int_eq(policy_add_exclude(&ex, POLICY_TOOL_PNPM, "", "f",
					    "k"), WS_EPARSE);
	policy_release(&ex);
}
END_TEST

START_TEST(excludes_yarn_globs_and_descriptors)
{
	policy_init(&ex);
	add(POLICY_TOOL_YARN, "@react-native/*");
	add(POLICY_TOOL_YARN, "lodash@^4.17.0");
	add(POLICY_TOOL_YARN, "type?");
	add(POLICY_TOOL_YARN, "@babel/**");
	ck_assert(excluded(POLICY_TOOL_YARN, "@react-native/metro", NULL));
	ck_assert(!excluded(POLICY_TOOL_YARN, "@react-native-x/metro", NULL));
	ck_assert(excluded(POLICY_TOOL_YARN, "lodash", "4.17.21"));
	ck_assert(!excluded(POLICY_TOOL_YARN, "lodash", "3.10.1"));
	ck_assert(!excluded(POLICY_TOOL_YARN, "lodash", NULL));
	ck_assert(excluded(POLICY_TOOL_YARN, "types", NULL));
	ck_assert(!excluded(POLICY_TOOL_YARN, "type", NULL));
	ck_assert(excluded(POLICY_TOOL_YARN, "@babel/core", NULL));
	ck_assert_int_eq(policy_add_exclude(&ex, POLICY_TOOL_YARN,
					    "x@not a range!", "f", "k"),
			 WS_EPARSE);
	policy_release(&ex);
}
END_TEST

START_TEST(excludes_yarn_star_stays_in_segment)
{
	policy_init(&ex);
	add(POLICY_TOOL_YARN, "@corp*");
	ck_assert(excluded(POLICY_TOOL_YARN, "@corpx", NULL));
	ck_assert(!excluded(POLICY_TOOL_YARN, "@corp/x", NULL));
	policy_release(&ex);
}
END_TEST

START_TEST(excludes_cli_apply_to_every_tool)
{
	policy_init(&ex);
	add(POLICY_TOOL_CLI, "@corp/*");
	ck_assert(excluded(POLICY_TOOL_NPM, "@corp/a", NULL));
	ck_assert(excluded(POLICY_TOOL_BUN, "@corp/a", NULL));
	ck_assert(excluded(POLICY_TOOL_PNPM, "@corp/a", NULL));
	policy_release(&ex);
}
END_TEST

START_TEST(excludes_are_bounded)
{
	char big[POLICY_PATTERN_MAX + 2];
	int i, err = 0;

	policy_init(&ex);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(policy_add_exclude(&ex, POLICY_TOOL_YARN, big, "f",
					    "k"), WS_ELIMIT);
	for (i = 0; i <= POLICY_EXCLUDES_MAX && err == 0; i++)
		err = policy_add_exclude(&ex, POLICY_TOOL_BUN, "x", "f", "k");
	ck_assert_int_eq(err, WS_ELIMIT);
	policy_release(&ex);
	policy_init(&ex);
	/* a pathological glob stays fast */
	add(POLICY_TOOL_PNPM, "*a*a*a*a*a*a*a*a*a*a*a*a*b");
	ck_assert(!excluded(POLICY_TOOL_PNPM,
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			    NULL));
	policy_release(&ex);
}
END_TEST

/* ---- verdicts ---- */

static const time_t now = 1778527231;	/* 2026-05-11T19:20:31Z */

static struct policy_times
published(time_t when)
{
	struct policy_times t = {0};

	t.known = 1;
	t.published = when;
	return t;
}

static void
week_policy(struct policy *p)
{
	policy_init(p);
	ck_assert_int_eq(policy_add_source(p, POLICY_TOOL_CLI, "--min-age",
					   "min-age", "7d", 7 * DAY), 0);
}

START_TEST(check_too_young_reports_age)
{
	struct policy p;
	struct policy_result r;
	struct policy_times t = published(now - 3600);

	week_policy(&p);
	ck_assert_int_eq(policy_check(&p, "a", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_TOO_YOUNG);
	ck_assert_int_eq(r.age, 3600);
	ck_assert_int_eq(r.published, now - 3600);
	ck_assert_int_eq(r.min_age, 7 * DAY);
	ck_assert_str_eq(r.source->file, "--min-age");
	ck_assert_uint_eq(r.flags, POLICY_FLAG_TOO_YOUNG);
	policy_release(&p);
}
END_TEST

START_TEST(check_exactly_min_age_is_ok)
{
	struct policy p;
	struct policy_result r;
	struct policy_times t = published(now - 7 * DAY);

	week_policy(&p);
	ck_assert_int_eq(policy_check(&p, "a", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_OK);
	t.published++;
	ck_assert_int_eq(policy_check(&p, "a", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_TOO_YOUNG);
	ck_assert_int_eq(r.age, 7 * DAY - 1);
	/* published in the future: too young too */
	t.published = now + 10;
	ck_assert_int_eq(policy_check(&p, "a", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_TOO_YOUNG);
	ck_assert_int_eq(r.age, -10);
	policy_release(&p);
}
END_TEST

START_TEST(check_without_policy_never_too_young)
{
	struct policy p;
	struct policy_result r;
	struct policy_times t = published(now);

	policy_init(&p);
	ck_assert_int_eq(policy_check(&p, "a", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_OK);
	ck_assert_int_eq(r.min_age, 0);
	ck_assert_ptr_null(r.source);
	policy_release(&p);
}
END_TEST

START_TEST(check_missing_version)
{
	struct policy p;
	struct policy_result r;
	struct policy_times t = {0};

	week_policy(&p);
	ck_assert_int_eq(policy_add_exclude(&p, POLICY_TOOL_CLI, "a", "f", "k"),
			 0);
	ck_assert_int_eq(policy_check(&p, "a", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_MISSING);
	ck_assert_int_eq(policy_check(&p, "a", "1.0.0", TREE_SOURCE_REGISTRY,
				      NULL, now, &r), POLICY_MISSING);
	policy_release(&p);
}
END_TEST

START_TEST(check_non_registry_sources_are_uncheckable)
{
	static const int sources[] = {TREE_SOURCE_GIT, TREE_SOURCE_TARBALL,
				      TREE_SOURCE_FILE, TREE_SOURCE_LINK,
				      TREE_SOURCE_WORKSPACE};
	struct policy p;
	struct policy_result r;
	size_t i;

	week_policy(&p);
	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		ck_assert_int_eq(policy_check(&p, "a", "1.0.0", sources[i],
					      NULL, now, &r),
				 POLICY_UNCHECKABLE);
	policy_release(&p);
}
END_TEST

START_TEST(check_excluded_names_the_pattern)
{
	struct policy p;
	struct policy_result r;
	struct policy_times t = published(now - 60);

	week_policy(&p);
	ck_assert_int_eq(policy_add_exclude(&p, POLICY_TOOL_CLI, "@corp/*",
					    "--exclude", "exclude"), 0);
	ck_assert_int_eq(policy_check(&p, "@corp/a", "1.0.0",
				      TREE_SOURCE_REGISTRY, &t, now, &r),
			 POLICY_EXCLUDED);
	ck_assert_str_eq(r.exclude->pattern, "@corp/*");
	ck_assert_uint_eq(r.flags, POLICY_FLAG_EXCLUDED);
	/* old enough: just ok */
	t.published = now - 8 * DAY;
	ck_assert_int_eq(policy_check(&p, "@corp/a", "1.0.0",
				      TREE_SOURCE_REGISTRY, &t, now, &r),
			 POLICY_OK);
	policy_release(&p);
}
END_TEST

START_TEST(check_strictest_unexcluded_tool_applies)
{
	struct policy p;
	struct policy_result r;
	struct policy_times t = published(now - 2 * DAY);

	policy_init(&p);
	ck_assert_int_eq(policy_add_source(&p, POLICY_TOOL_PNPM, "pnpm",
					   "minimumReleaseAge", "4320",
					   3 * DAY), 0);
	ck_assert_int_eq(policy_add_source(&p, POLICY_TOOL_BUN, "bun",
					   "minimumReleaseAge", "86400",
					   DAY), 0);
	ck_assert_int_eq(policy_add_exclude(&p, POLICY_TOOL_PNPM, "x", "pnpm",
					    "minimumReleaseAgeExclude"), 0);
	/* pnpm exempts x, bun's one day is met */
	ck_assert_int_eq(policy_check(&p, "x", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_EXCLUDED);
	ck_assert_int_eq(r.min_age, DAY);
	ck_assert_str_eq(r.exclude->pattern, "x");
	/* y is checked against pnpm's three days */
	ck_assert_int_eq(policy_check(&p, "y", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_TOO_YOUNG);
	ck_assert_int_eq(r.min_age, 3 * DAY);
	ck_assert_str_eq(r.source->file, "pnpm");
	/* x younger than bun's day is too young even though pnpm exempts it */
	t.published = now - 3600;
	ck_assert_int_eq(policy_check(&p, "x", "1.0.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_TOO_YOUNG);
	ck_assert_str_eq(r.source->file, "bun");
	policy_release(&p);
}
END_TEST

START_TEST(check_out_of_order_boundary)
{
	struct policy p;
	struct policy_result r;
	struct policy_times t = published(now - 100 * DAY);

	week_policy(&p);
	t.has_predecessor = 1;
	t.predecessor = "1.0.0";
	t.predecessor_published = t.published + DAY;
	ck_assert_int_eq(policy_check(&p, "a", "1.1.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_OK);
	ck_assert_str_eq(r.predecessor, "1.0.0");
	t.predecessor_published = t.published + DAY + 1;
	ck_assert_int_eq(policy_check(&p, "a", "1.1.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_OUT_OF_ORDER);
	ck_assert_int_eq(r.predecessor_published, t.published + DAY + 1);
	/* too young wins the verdict, both flags are kept */
	t.published = now - 60;
	t.predecessor_published = now;
	t.predecessor_published += DAY * 2;
	ck_assert_int_eq(policy_check(&p, "a", "1.1.0", TREE_SOURCE_REGISTRY,
				      &t, now, &r), POLICY_TOO_YOUNG);
	ck_assert_uint_eq(r.flags,
			  POLICY_FLAG_TOO_YOUNG | POLICY_FLAG_OUT_OF_ORDER);
	policy_release(&p);
}
END_TEST

START_TEST(check_names_are_stable)
{
	ck_assert_str_eq(policy_verdict_name(POLICY_TOO_YOUNG), "too-young");
	ck_assert_str_eq(policy_verdict_name(POLICY_MISSING), "missing");
	ck_assert_str_eq(policy_tool_name(POLICY_TOOL_BUN), "bun");
}
END_TEST

/* ---- time maps ---- */

static struct json_doc tdoc;
static char tbuf[4096];

static const struct json_value *
time_map(const char *json)
{
	size_t n = strlen(json);

	ck_assert_uint_lt(n, sizeof(tbuf));
	memcpy(tbuf, json, n + 1);
	ck_assert_int_eq(json_parse(&tdoc, tbuf, n, "time", 0), 0);
	return tdoc.root;
}

START_TEST(times_find_version_and_predecessor)
{
	struct policy_times t;
	const struct json_value *m = time_map(
		"{\"created\":\"2020-01-01T00:00:00Z\","
		"\"modified\":\"2026-05-11T00:00:00Z\","
		"\"1.0.0\":\"2020-01-01T00:00:00Z\","
		"\"1.10.0\":\"2021-01-01T00:00:00Z\","
		"\"1.2.0\":\"2020-06-01T00:00:00.500Z\","
		"\"2.0.0-rc.1\":\"2022-01-01T00:00:00Z\","
		"\"2.0.0\":\"2022-02-01T00:00:00Z\","
		"\"2.0.1\":\"2022-03-01T00:00:00Z\","
		"\"junk\":\"2030-01-01T00:00:00Z\"}");
	time_t want;

	ck_assert_int_eq(policy_times_from_map(&t, m, "1.10.0"), 0);
	ck_assert(t.known);
	ck_assert_int_eq(policy_parse_time("2021-01-01T00:00:00Z", &want), 0);
	ck_assert_int_eq(t.published, want);
	ck_assert(t.has_predecessor);
	ck_assert_str_eq(t.predecessor, "1.2.0");
	ck_assert_int_eq(policy_times_from_map(&t, m, "2.0.0"), 0);
	ck_assert_str_eq(t.predecessor, "2.0.0-rc.1");
	ck_assert_int_eq(policy_times_from_map(&t, m, "2.0.0-rc.1"), 0);
	ck_assert_str_eq(t.predecessor, "1.10.0");
	ck_assert_int_eq(policy_times_from_map(&t, m, "1.0.0"), 0);
	ck_assert(t.known);
	ck_assert(!t.has_predecessor);
	ck_assert_int_eq(policy_times_from_map(&t, m, "3.0.0"), 0);
	ck_assert(!t.known);
	ck_assert_str_eq(t.predecessor, "2.0.1");
	ck_assert_int_eq(policy_times_from_map(&t, m, "created"), 0);
	ck_assert(!t.known);
	json_doc_release(&tdoc);
}
END_TEST

START_TEST(times_skip_bad_neighbours_but_not_self)
{
	struct policy_times t;
	const struct json_value *m = time_map(
		"{\"1.0.0\":\"2020-01-01T00:00:00Z\","
		"\"1.1.0\":\"yesterday\","
		"\"1.2.0\":7,"
		"\"1.3.0\":\"2021-01-01T00:00:00Z\"}");

	ck_assert_int_eq(policy_times_from_map(&t, m, "1.3.0"), 0);
	ck_assert_str_eq(t.predecessor, "1.0.0");
	ck_assert_int_eq(policy_times_from_map(&t, m, "1.1.0"), WS_EPARSE);
	ck_assert_int_eq(policy_times_from_map(&t, m, "1.2.0"), WS_EPARSE);
	json_doc_release(&tdoc);
	m = time_map("[1]");
	ck_assert_int_eq(policy_times_from_map(&t, m, "1.0.0"), WS_EPARSE);
	json_doc_release(&tdoc);
}
END_TEST

START_TEST(times_match_equal_precedence_keys)
{
	struct policy_times t;
	const struct json_value *m = time_map(
		"{\"1.0.0+build.1\":\"2020-01-01T00:00:00Z\"}");

	ck_assert_int_eq(policy_times_from_map(&t, m, "1.0.0"), 0);
	ck_assert(t.known);
	json_doc_release(&tdoc);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = tcase_create("duration");
	tcase_add_test(tc, duration_accepts_each_unit);
	tcase_add_test(tc, duration_rejects_garbage);
	tcase_add_test(tc, duration_rejects_overflow);
	tcase_add_test(tc, duration_unit_reads_yarn_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("timestamp");
	tcase_add_test(tc, time_reads_registry_timestamps);
	tcase_add_test(tc, time_applies_offsets);
	tcase_add_test(tc, time_knows_leap_years);
	tcase_add_test(tc, time_rejects_bad_input);
	suite_add_tcase(s, tc);

	tc = tcase_create("toml");
	tcase_add_test(tc, toml_reads_bunfig_shapes);
	tcase_add_test(tc, toml_dotted_keys_reach_install);
	tcase_add_test(tc, toml_errors_name_line_and_column);
	tcase_add_test(tc, toml_bounds_hostile_input);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_test(tc, config_reads_npm_days);
	tcase_add_test(tc, config_reads_pnpm_minutes);
	tcase_add_test(tc, config_reads_yarn_durations);
	tcase_add_test(tc, config_reads_bun_seconds);
	tcase_add_test(tc, config_keeps_every_source_and_strictest_wins);
	tcase_add_test(tc, config_without_files_is_empty);
	tcase_add_test(tc, config_does_not_follow_symlinks);
	tcase_add_test(tc, config_rejects_hostile_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("exclude");
	tcase_add_test(tc, excludes_bun_exact_names);
	tcase_add_test(tc, excludes_pnpm_patterns);
	tcase_add_test(tc, excludes_yarn_globs_and_descriptors);
	tcase_add_test(tc, excludes_yarn_star_stays_in_segment);
	tcase_add_test(tc, excludes_cli_apply_to_every_tool);
	tcase_add_test(tc, excludes_are_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("verdict");
	tcase_add_test(tc, check_too_young_reports_age);
	tcase_add_test(tc, check_exactly_min_age_is_ok);
	tcase_add_test(tc, check_without_policy_never_too_young);
	tcase_add_test(tc, check_missing_version);
	tcase_add_test(tc, check_non_registry_sources_are_uncheckable);
	tcase_add_test(tc, check_excluded_names_the_pattern);
	tcase_add_test(tc, check_strictest_unexcluded_tool_applies);
	tcase_add_test(tc, check_out_of_order_boundary);
	tcase_add_test(tc, check_names_are_stable);
	suite_add_tcase(s, tc);

	tc = tcase_create("time_map");
	tcase_add_test(tc, times_find_version_and_predecessor);
	tcase_add_test(tc, times_skip_bad_neighbours_but_not_self);
	tcase_add_test(tc, times_match_equal_precedence_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
