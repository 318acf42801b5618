/* The readers of `wormsign host` (src/host/parse.c): every credential
 * comes back as name, kind, place and fingerprint, never as its value;
 * redaction masks what a report must not show. */

#include "host/parse.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/banned.h"

#define MAX_SEEN 16

struct seen {
	size_t n;
	char kind[MAX_SEEN][64];
	char name[MAX_SEEN][HOST_NAME_MAX + 1];
	char scope[MAX_SEEN][HOST_NAME_MAX + 1];
	unsigned line[MAX_SEEN];
	char fp[MAX_SEEN][HOST_FP_HEX + 1];
};

static void
collect(const struct host_secret *s, void *payload)
{
	struct seen *v = payload;

	ck_assert_uint_lt(v->n, MAX_SEEN);
	snprintf(v->kind[v->n], sizeof(v->kind[0]), "%s", s->kind);
	snprintf(v->name[v->n], sizeof(v->name[0]), "%s", s->name);
	snprintf(v->scope[v->n], sizeof(v->scope[0]), "%s",
		 s->scope ? s->scope : "");
	v->line[v->n] = s->line;
	snprintf(v->fp[v->n], sizeof(v->fp[0]), "%s", s->fingerprint);
	v->n++;
}

static const char *
fp_of(const char *value)
{
	static char out[HOST_FP_HEX + 1];

	host_fingerprint(value, strlen(value), out);
	return out;
}

/* ---- fingerprints and names ---- */

START_TEST(fingerprint_is_sha256_prefix)
{
	/* SHA-256("abc") = ba7816bf8f01cfea... */
	ck_assert_str_eq(fp_of("abc"), "ba7816bf8f01cfea");
}
END_TEST

START_TEST(secret_names)
{
	static const char *const yes[] = {
		"NPM_TOKEN", "GITHUB_TOKEN", "DB_PASSWORD", "api_key",
		"STRIPE_SECRET_KEY", "AWS_ACCESS_KEY_ID", "SIGNING_KEY",
		"NEXTAUTH_SECRET", "client_secret", "PRIVATE_KEY_PEM",
	};
	static const char *const no[] = {
		"PORT", "NODE_ENV", "HOST", "KEYBOARD", "DEBUG", "PATH", "",
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		ck_assert_msg(host_name_is_secret(yes[i], strlen(yes[i])),
			      "%s should look secret", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(*no); i++)
		ck_assert_msg(!host_name_is_secret(no[i], strlen(no[i])),
			      "%s should not look secret", no[i]);
}
END_TEST

/* ---- readers ---- */

START_TEST(npmrc_tokens_by_key_and_scope)
{
	static const char rc[] =
		"registry=https://registry.npm.test/\n"
		"; a comment _authToken=npm_commented\n"
		"//registry.npm.test/:_authToken = npm_AAAABBBBCCCC\n"
		"//npm.corp.test/repo/:_password=\"cGFzc3dvcmQ=\"\n"
		"//env.test/:_authToken=${NPM_TOKEN}\n"
		"email=dev@example.test\n";
	struct seen v = { 0 };

	ck_assert_uint_eq(host_parse_npmrc(rc, strlen(rc), collect, &v), 2);
	ck_assert_str_eq(v.kind[0], "npm-token");
	ck_assert_str_eq(v.name[0], "//registry.npm.test/:_authToken");
	ck_assert_str_eq(v.scope[0], "//registry.npm.test/");
	ck_assert_uint_eq(v.line[0], 3);
	ck_assert_str_eq(v.fp[0], fp_of("npm_AAAABBBBCCCC"));
	ck_assert_str_eq(v.kind[1], "npm-password");
	ck_assert_str_eq(v.scope[1], "//npm.corp.test/repo/");
	ck_assert_str_eq(v.fp[1], fp_of("cGFzc3dvcmQ="));
}
END_TEST

START_TEST(git_credentials_lines)
{
	static const char gc[] =
		"https://dev:s3cr%40t@github.test\n"
		"https://ghp_tokenonly@git.corp.test/org\n"
		"not a url\n"
		"https://github.test/no/credentials\n";
	struct seen v = { 0 };

	ck_assert_uint_eq(host_parse_git_credentials(gc, strlen(gc), collect, &v), 2);
	ck_assert_str_eq(v.scope[0], "github.test");
	ck_assert_str_eq(v.name[0], "password");
	ck_assert_str_eq(v.fp[0], fp_of("s3cr%40t"));
	ck_assert_str_eq(v.scope[1], "git.corp.test");
	ck_assert_str_eq(v.name[1], "user");
	ck_assert_str_eq(v.fp[1], fp_of("ghp_tokenonly"));
}
END_TEST

START_TEST(aws_one_per_profile)
{
	static const char aws[] =
		"[default]\n"
		"aws_access_key_id = AKIAEXAMPLE\n"
		"aws_secret_access_key = wJalrXUtnFEMI\n"
		"aws_session_token = FwoGZXIvYXdz\n"
		"[ci]\n"
		"aws_access_key_id = AKIAOTHER\n"
		"[empty]\n"
		"aws_secret_access_key =\n";
	struct seen v = { 0 };

	ck_assert_uint_eq(host_parse_aws(aws, strlen(aws), collect, &v), 1);
	ck_assert_str_eq(v.scope[0], "default");
	ck_assert_uint_eq(v.line[0], 3);
	ck_assert_str_eq(v.fp[0], fp_of("wJalrXUtnFEMI"));
}
END_TEST

START_TEST(env_names_not_values)
{
	static const char env[] =
		"# comment TOKEN=x\n"
		"PORT=3000\n"
		"export GITHUB_TOKEN='ghp_abc'\n"
		"DATABASE_PASSWORD=\"pw\"\n"
		"EMPTY_SECRET=\n"
		"FROM_ENV_TOKEN=${OTHER}\n"
		"bad name TOKEN=1\n";
	struct seen v = { 0 };

	ck_assert_uint_eq(host_parse_env(env, strlen(env), collect, &v), 2);
	ck_assert_str_eq(v.name[0], "GITHUB_TOKEN");
	ck_assert_uint_eq(v.line[0], 3);
	ck_assert_str_eq(v.fp[0], fp_of("ghp_abc"));
	ck_assert_str_eq(v.name[1], "DATABASE_PASSWORD");
	ck_assert_str_eq(v.fp[1], fp_of("pw"));
}
END_TEST

START_TEST(gh_hosts_old_and_new_layouts)
{
	static const char yml[] =
		"github.com:\n"
		"    oauth_token: gho_first\n"
		"    user: dev\n"
		"    users:\n"
		"        dev:\n"
		"            oauth_token: gho_second\n"
		"ghe.corp.test:\n"
		"    user: other\n"
		"    git_protocol: ssh\n";
	struct seen v = { 0 };

	ck_assert_uint_eq(host_parse_gh_hosts(yml, strlen(yml), "hosts.yml",
					      collect, &v), 2);
	ck_assert_str_eq(v.kind[0], "github-token");
	ck_assert_str_eq(v.scope[0], "github.com");
	ck_assert_str_eq(v.name[0], "oauth_token");
	ck_assert_uint_eq(v.line[0], 2);
	ck_assert_str_eq(v.fp[0], fp_of("gho_first"));
	ck_assert_str_eq(v.name[1], "dev: oauth_token");
	ck_assert_str_eq(v.fp[1], fp_of("gho_second"));
}
END_TEST

START_TEST(gh_hosts_hostile_yaml_is_nothing)
{
	static const char yml[] = "a: &x [*x, *x]\n: : :\n\t- [";
	struct seen v = { 0 };

	ck_assert_uint_eq(host_parse_gh_hosts(yml, strlen(yml), "hosts.yml",
					      collect, &v), 0);
}
END_TEST

START_TEST(runner_with_bom)
{
	static const char r[] =
		"\xef\xbb\xbf{\"agentId\": 3, \"agentName\": \"SHA1HULUD\","
		" \"gitHubUrl\": \"https://github.test/v/r\"}";
	char agent[16], url[64];

	ck_assert_int_eq(host_parse_runner(r, strlen(r), agent, sizeof(agent),
					   url, sizeof(url)), 0);
	ck_assert_str_eq(agent, "SHA1HULUD");
	ck_assert_str_eq(url, "https://github.test/v/r");
	ck_assert_int_eq(host_parse_runner("{", 1, agent, sizeof(agent), url,
					   sizeof(url)), -1);
	ck_assert_str_eq(agent, "");
}
END_TEST

START_TEST(runner_name_cut_and_escaped)
{
	static const char r[] = "{\"agentName\": \"abcdefghijklmnop\"}";
	static const char esc[] = "{\"agentName\": \"a\\u001bb\"}";
	char agent[8], url[8];

	ck_assert_int_eq(host_parse_runner(r, strlen(r), agent, sizeof(agent),
					   url, sizeof(url)), 0);
	ck_assert_str_eq(agent, "abcdefg");
	ck_assert_int_eq(host_parse_runner(esc, strlen(esc), agent,
					   sizeof(agent), url, sizeof(url)), 0);
	ck_assert_str_eq(agent, "a?b");
}
END_TEST

START_TEST(tarball_urls)
{
	static const struct {
		const char *url, *name, *version;
	} ok[] = {
		{ "https://registry.npm.test/left-pad/-/left-pad-1.3.0.tgz", "left-pad", "1.3.0" },
		{ "https://registry.npm.test/@s/p/-/p-2.0.0-rc.1.tgz", "@s/p", "2.0.0-rc.1" },
		{ "https://registry.npm.test/@s%2fp/-/p-1.0.0.tgz", "@s/p", "1.0.0" },
		{ "https://r.test/api/npm/virtual/a/-/a-0.0.1.tgz?x=1", "a", "0.0.1" },
	};
	static const char *const bad[] = {
		"https://registry.npm.test/left-pad",
		"https://registry.npm.test/a/-/b-1.0.0.tgz",
		"https://registry.npm.test/a/-/a-1.0.0.tar",
		"https://registry.npm.test/a/-/sub/a-1.0.0.tgz",
		"https://registry.npm.test/a/-/a-1 0.tgz",
		"https://registry.npm.test/\001a/-/\001a-1.0.0.tgz",
		"/-/.tgz", "",
	};
	char name[64], version[32];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		ck_assert_msg(host_tarball_url(ok[i].url, strlen(ok[i].url), name,
					       sizeof(name), version,
					       sizeof(version)), "%s", ok[i].url);
		ck_assert_str_eq(name, ok[i].name);
		ck_assert_str_eq(version, ok[i].version);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!host_tarball_url(bad[i], strlen(bad[i]), name,
						sizeof(name), version,
						sizeof(version)), "%s", bad[i]);
}
END_TEST

/* ---- SSH ---- */

START_TEST(ssh_pub_fingerprint_as_openssh)
{
	/* made with ssh-keygen -t ed25519; ssh-keygen -l prints this */
	static const char pub[] =
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILE+5aQU7ahQstzg+BdlsudNQB2P80lQqSvij4mitZa9 test@host\n";
	char fp[64];

	ck_assert_int_eq(host_ssh_pub_fingerprint(pub, strlen(pub), fp), 0);
	ck_assert_str_eq(fp, "SHA256:h2IixOXMdcpj4lpN7DIP6s8+Lm1zvLbnfTOjWvr/djU");
	ck_assert_int_eq(host_ssh_pub_fingerprint("ssh-rsa !!!", 11, fp), -1);
	ck_assert_int_eq(host_ssh_pub_fingerprint("", 0, fp), -1);
}
END_TEST

/* An OpenSSH private key file whose cipher is `cipher` (the rest of the
 * key is filler: only the header is read). */
static void
openssh_key(char *out, size_t max, const char *cipher)
{
	unsigned char raw[96], b64[160];
	size_t n = 0, cl = strlen(cipher);

	memset(raw, 'A', sizeof(raw));
	memcpy(raw, "openssh-key-v1", 15);
	n = 15;
	raw[n++] = 0;
	raw[n++] = 0;
	raw[n++] = 0;
	raw[n++] = (unsigned char)cl;
	memcpy(raw + n, cipher, cl);
	EVP_EncodeBlock(b64, raw, sizeof(raw));
	snprintf(out, max, "-----BEGIN OPENSSH PRIVATE KEY-----\n%.70s\n%s\n"
		 "-----END OPENSSH PRIVATE KEY-----\n", b64, b64 + 70);
}

START_TEST(ssh_key_encryption)
{
	char key[512];

	openssh_key(key, sizeof(key), "none");
	ck_assert_int_eq(host_ssh_key_encrypted(key, strlen(key)), 0);
	openssh_key(key, sizeof(key), "aes256-ctr");
	ck_assert_int_eq(host_ssh_key_encrypted(key, strlen(key)), 1);
	snprintf(key, sizeof(key), "-----BEGIN RSA PRIVATE KEY-----\n"
		 "Proc-Type: 4,ENCRYPTED\n");
	ck_assert_int_eq(host_ssh_key_encrypted(key, strlen(key)), 1);
	snprintf(key, sizeof(key), "-----BEGIN EC PRIVATE KEY-----\nMHc\n");
	ck_assert_int_eq(host_ssh_key_encrypted(key, strlen(key)), 0);
	ck_assert_int_eq(host_ssh_key_encrypted("hello", 5), -1);
	snprintf(key, sizeof(key), "-----BEGIN OPENSSH PRIVATE KEY-----\nshort\n");
	ck_assert_int_eq(host_ssh_key_encrypted(key, strlen(key)), -1);
}
END_TEST

/* ---- launchd, lines, redaction ---- */

START_TEST(plist_label)
{
	static const char p[] =
		"<dict>\n  <key>Label</key>\n  <string>com.user.gh-token-monitor</string>\n";
	char label[64];

	host_plist_label(p, strlen(p), label, sizeof(label));
	ck_assert_str_eq(label, "com.user.gh-token-monitor");
	host_plist_label("<key>Label</key><string>unterminated", 36, label,
			 sizeof(label));
	ck_assert_str_eq(label, "");
	host_plist_program(p, strlen(p), label, sizeof(label));
	ck_assert_str_eq(label, "");
}
END_TEST

START_TEST(plist_and_unit_programs)
{
	static const char args[] =
		"<key>ProgramArguments</key>\n  <array>\n    <string>/Users/x/.local/bin/m.sh</string>"
		"<string>-v</string></array>";
	static const char prog[] =
		"<key>Program</key><string>/opt/a</string>"
		"<key>ProgramArguments</key><array><string>/opt/b</string></array>";
	char out[64];

	host_plist_program(args, strlen(args), out, sizeof(out));
	ck_assert_str_eq(out, "/Users/x/.local/bin/m.sh");
	host_plist_program(prog, strlen(prog), out, sizeof(out));
	ck_assert_str_eq(out, "/opt/a");
	ck_assert_int_eq(host_unit_exec("ExecStart=-%h/bin/x --y", 23, out,
					sizeof(out)), 1);
	ck_assert_str_eq(out, "%h/bin/x");
	ck_assert_int_eq(host_unit_exec("  ExecStartPre = @/usr/bin/env a", 32,
					out, sizeof(out)), 1);
	ck_assert_str_eq(out, "/usr/bin/env");
	ck_assert_int_eq(host_unit_exec("ExecStop=/bin/kill", 18, out,
					sizeof(out)), 0);
	ck_assert_int_eq(host_unit_exec("ExecStart=", 10, out, sizeof(out)), 0);
}
END_TEST

static int
count_lines(const char *line, size_t len, unsigned lineno, void *payload)
{
	unsigned *last = payload;

	ck_assert_uint_le(len, HOST_LINE_MAX);
	ck_assert_msg(!len || line[len - 1] != '\r', "CR kept");
	*last = lineno;
	return 0;
}

START_TEST(lines_are_bounded)
{
	size_t n = HOST_LINE_MAX * 3;
	char *buf = malloc(n + 8);
	unsigned last = 0;

	memset(buf, 'x', n);
	memcpy(buf + n, "\r\nab\r\n", 6);
	host_each_line(buf, n + 6, count_lines, &last);
	ck_assert_uint_eq(last, 2);
	free(buf);
}
END_TEST

START_TEST(redaction_masks_credentials)
{
	static const struct {
		const char *in;
		const char *gone;
	} cases[] = {
		{ "Environment=GITHUB_TOKEN=ghp_abcdefghijklmnop1234", "abcdefghijklmnop" },
		{ "curl -H 'Authorization: Bearer gho_zzzzyyyyxxxx'", "zzzzyyyyxxxx" },
		{ "//registry.npm.test/:_authToken=npm_QQQQRRRRSSSS", "QQQQRRRRSSSS" },
		{ "export API_KEY=plainvalue123", "plainvalue123" },
		{ "password: hunter2hunter2", "hunter2hunter2" },
		{ "aws AKIAIOSFODNN7EXAMPLE x", "IOSFODNN7EXAMPLE" },
		{ "https://dev:pa55word@github.test/x", "pa55word" },
		{ "DB_PASSWORD = \"quoted-secret\"", "quoted-secret" },
		{ "{\"client_secret\": \"json-value-1\"}", "json-value-1" },
		{ "ExecStart=/usr/bin/node /srv/app.js --token opaque-value-7", "opaque-value-7" },
		{ "mysqldump --password 'hunter2hunter2' db", "hunter2hunter2" },
		{ "npm config set //registry.npm.test/:_authToken sekrit123456", "sekrit123456" },
	};
	char out[HOST_EVIDENCE_MAX + 8];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		host_redact_line(cases[i].in, strlen(cases[i].in), out,
				 sizeof(out));
		ck_assert_msg(!strstr(out, cases[i].gone), "%s -> %s",
			      cases[i].in, out);
		ck_assert_msg(strstr(out, "***"), "%s -> %s", cases[i].in, out);
	}
	/* the markers themselves stay readable */
	host_redact_line("rm -rf ~/ # IfYouRevokeThisTokenItWillWipeTheComputerOfTheOwner",
			 63, out, sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, "IfYouRevokeThisTokenItWillWipe"));
}
END_TEST

START_TEST(redaction_bounds_and_controls)
{
	char in[1000], out[HOST_EVIDENCE_MAX + 8];
	size_t i;

	for (i = 0; i < sizeof(in) - 1; i++)
		in[i] = (char)('a' + i % 26);
	in[5] = '\033';
	in[sizeof(in) - 1] = '\0';
	host_redact_line(in, strlen(in), out, sizeof(out));
	ck_assert_uint_le(strlen(out), HOST_EVIDENCE_MAX + 3);
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_int_eq(out[5], '?');
	ck_assert_str_eq(out + strlen(out) - 3, "...");
	/* a cut never splits a UTF-8 sequence */
	memset(in, 0, sizeof(in));
	for (i = 0; i + 2 < 400; i += 2)
		memcpy(in + i, "\xc3\xa9", 2);
	host_redact_line(in, strlen(in), out, sizeof(out));
	ck_assert_int_eq((unsigned char)out[strlen(out) - 4] & 0xc0, 0x80);
	ck_assert_int_eq((unsigned char)out[strlen(out) - 5], 0xc3);
}
END_TEST

static Suite *
host_suite(void)
{
	Suite *s = suite_create("host");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, fingerprint_is_sha256_prefix);
	tcase_add_test(tc, secret_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("readers");
	tcase_add_test(tc, npmrc_tokens_by_key_and_scope);
	tcase_add_test(tc, git_credentials_lines);
	tcase_add_test(tc, aws_one_per_profile);
	tcase_add_test(tc, env_names_not_values);
	tcase_add_test(tc, gh_hosts_old_and_new_layouts);
	tcase_add_test(tc, gh_hosts_hostile_yaml_is_nothing);
	tcase_add_test(tc, runner_with_bom);
	tcase_add_test(tc, runner_name_cut_and_escaped);
	tcase_add_test(tc, tarball_urls);
	suite_add_tcase(s, tc);

	tc = tcase_create("ssh");
	tcase_add_test(tc, ssh_pub_fingerprint_as_openssh);
	tcase_add_test(tc, ssh_key_encryption);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, plist_label);
	tcase_add_test(tc, plist_and_unit_programs);
	tcase_add_test(tc, lines_are_bounded);
	tcase_add_test(tc, redaction_masks_credentials);
	tcase_add_test(tc, redaction_bounds_and_controls);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(host_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
