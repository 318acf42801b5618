#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/parse.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is any file `wormsign host` reads: .npmrc, .git-credentials,
 * AWS credentials, .env, gh hosts.yml, a runner's .runner, SSH keys, a
 * LaunchAgent plist, or a line of a unit, crontab or shell file. Every
 * reader sees it. Besides memory errors this checks what the readers hand
 * to a report: names bounded, fingerprints 16 hex digits or empty, and
 * evidence lines short, printable and ending where they say.
 */

static void
check_secret(const struct host_secret *s, void *payload)
{
	size_t i, n = strlen(s->fingerprint);

	(void)payload;
	if (!s->kind || !s->name || strlen(s->name) > HOST_NAME_MAX)
		abort();
	if (n != 0 && n != HOST_FP_HEX)
		abort();
	for (i = 0; i < n; i++)
		if (!((s->fingerprint[i] >= '0' && s->fingerprint[i] <= '9') ||
		      (s->fingerprint[i] >= 'a' && s->fingerprint[i] <= 'f')))
			abort();
	if (s->scope && strlen(s->scope) > HOST_NAME_MAX * 2)
		abort();
}

static int
check_line(const char *line, size_t len, unsigned lineno, void *payload)
{
	char out[HOST_EVIDENCE_MAX + 8];
	size_t i, n;

	(void)lineno;
	(void)payload;
	if (len > HOST_LINE_MAX)
		abort();
	host_redact_line(line, len, out, sizeof(out));
	n = strlen(out);
	if (n > HOST_EVIDENCE_MAX + 3)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char a[64], b[256], fp[64];

	if (size > HOST_FILE_MAX)
		return 0;
	host_parse_npmrc(buf, size, check_secret, NULL);
	host_parse_git_credentials(buf, size, check_secret, NULL);
	host_parse_aws(buf, size, check_secret, NULL);
	host_parse_env(buf, size, check_secret, NULL);
	host_parse_gh_hosts(buf, size, "hosts.yml", check_secret, NULL);
	if (host_parse_runner(buf, size, a, sizeof(a), b, sizeof(b)) == 0 &&
	    (strlen(a) >= sizeof(a) || strlen(b) >= sizeof(b)))
		abort();
	if (host_ssh_pub_fingerprint(buf, size, fp) == 0 &&
	    (strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != 50))
		abort();
	(void)host_ssh_key_encrypted(buf, size);
	if (host_tarball_url(buf, size, b, sizeof(b), a, sizeof(a)) &&
	    (!b[0] || !a[0] || strlen(b) >= sizeof(b) || strlen(a) >= sizeof(a)))
		abort();
	host_plist_label(buf, size, b, sizeof(b));
	if (strlen(b) >= sizeof(b))
		abort();
	host_plist_program(buf, size, b, sizeof(b));
	if (strlen(b) >= sizeof(b))
		abort();
	if (host_unit_exec(buf, size < HOST_LINE_MAX ? size : HOST_LINE_MAX,
			   a, sizeof(a)) && !a[0])
		abort();
	host_each_line(buf, size, check_line, NULL);
	(void)host_name_is_secret(buf, size);
	return 0;
}
