#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/npmrc.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is an .npmrc file, read with a small environment so that ${}
 * expansion is exercised. Besides memory errors this checks that a value
 * configured as a token ("FUZZSECRET" through ${TOKEN}) never shows in
 * the description or the warnings, that the auth lookup never hands out
 * credentials for a prefix that is not the URL's own, and that messages
 * stay short and printable.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const env[] = {
		"TOKEN=FUZZSECRET", "HOST=registry.npm.test", "EMPTY=", NULL,
	};
	static const char *const urls[] = {
		"https://registry.npm.test/pkg", "http://127.0.0.1:8080/a/b",
		"https://registry.npm.test:8443/@s%2fp", "https://x.test/",
	};
	struct npmrc *cfg = NULL;
	const struct npmrc_item *items;
	struct npmrc_auth a;
	struct npmrc_net net;
	const char *p, *np, *msg;
	char red[512];
	size_t i, n;

	ws_error_clear();
	if (npmrc_load_buffer(&cfg, "fuzz.npmrc", (const char *)data, size,
			      NPMRC_PROJECT, env) < 0)
		goto check_msg;
	n = npmrc_describe(cfg, &items);
	for (i = 0; i < n; i++) {
		if (!items[i].key || !items[i].value || !items[i].source)
			abort();
		if (npmrc_key_is_secret(items[i].key) &&
		    strcmp(items[i].value, "(redacted)") != 0)
			abort();
	}
	for (i = 0; i < npmrc_warning_count(cfg); i++)
		if (strlen(npmrc_warning_at(cfg, i)) > 600)
			abort();
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		if (npmrc_auth_for(cfg, urls[i], &a) == 1) {
			/* The matched prefix is the URL's own host. */
			const char *u = strstr(urls[i], "//");
			size_t hl = strcspn(u + 2, "/:");
			if (strncmp(a.prefix, u, hl + 2) != 0)
				abort();
		}
		npmrc_proxy_for(cfg, urls[i], &p, &np);
	}
	npmrc_registry_for(cfg, "@s/p");
	npmrc_registry_for(cfg, "p");
	npmrc_net(cfg, &net);
	for (i = 0; i < npmrc_auth_count(cfg); i++)
		npmrc_auth_at(cfg, i, &a);
	npmrc_free(cfg);
check_msg:
	for (msg = ws_error_last(); *msg; msg++)
		if ((unsigned char)*msg < 0x20)
			abort();
	if (size < 4096) {
		char *s = malloc(size + 1);
		memcpy(s, data, size);
		s[size] = '\0';
		npmrc_redact(s, red, sizeof(red));
		if (strlen(red) >= sizeof(red))
			abort();
		free(s);
	}
	return 0;
}
