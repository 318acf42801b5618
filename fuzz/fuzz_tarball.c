/*
 * One tarball, as `wormsign scan --tarball` and the npm cache reader take
 * it: libarchive (gzip + tar) from memory, entry names normalised and
 * refused, every regular entry hashed and matched against a small feed,
 * package.json and JavaScript entries scanned with a small rule set.
 *
 * Checked: a failure leaves a message and adds nothing to the report;
 * every finding has an id, a kind and a message; every error is about
 * the tarball; no normalised entry name in a finding starts with '/' or has a
 * ".." component.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "report/report.h"
#include "rules/rules.h"
#include "rules/rules_internal.h"
#include "scan/payload.h"
#include "scan/scan.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sha256("x") and sha1("y"): payloads a fuzzer can find */
static const char fuzz_feed_text[] =
	"{\"format\": \"wormsign-feed/1\", \"id\": \"fuzz\", \"title\": \"fuzz\","
	" \"published\": \"2026-01-01\", \"sources\": [\"fuzz\"], \"files\": ["
	"{\"sha256\": \"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\","
	" \"names\": [\"bundle.js\"], \"description\": \"x\", \"source\": \"fuzz\"},"
	"{\"sha1\": \"95cb0bfd2977c761298d9624e4b4d4c72a39974a\","
	" \"names\": [\"setup_bun.js\"], \"source\": \"fuzz\"}]}";

static const char fuzz_rules_text[] =
	"rule fuzz_marker { meta: description = \"marker\" severity = \"high\""
	" family = \"fuzz\" reference = \"fuzz\" strings: $a = \"shai-hulud\""
	" nocase condition: $a }\n"
	"rule fuzz_script { strings: $s = /\"postinstall\"\\s*:\\s*\"node [a-z]+\\.js\"/"
	" condition: $s }\n";

static struct feed_set fuzz_feeds;
static struct feed *fuzz_feed;
static struct rules *fuzz_rules;
static int fuzz_ready;

static void
fuzz_init(void)
{
	size_t n = sizeof(fuzz_feed_text) - 1;
	char *buf = xmalloc(n + 1);

	memcpy(buf, fuzz_feed_text, n + 1);
	if (feed_parse(&fuzz_feed, buf, n, "fuzz.json"))
		abort();
	free(buf);
	feed_set_init(&fuzz_feeds);
	feed_set_add(&fuzz_feeds, fuzz_feed);
	feed_set_index(&fuzz_feeds);
	if (rules_global_init() ||
	    rules_load_mem(&fuzz_rules, fuzz_rules_text,
			   sizeof(fuzz_rules_text) - 1, "fuzz"))
		abort();
	fuzz_ready = 1;
}

static void
fuzz_check_path(const char *p)
{
	const char *c = p;

	if (!p || p[0] == '/')
		abort();
	while (*c) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			abort();
		c += n + (c[n] == '/');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_opts o;
	struct report r;
	size_t i, j;
	int err;

	if (!fuzz_ready)
		fuzz_init();
	memset(&o, 0, sizeof(o));
	o.feeds = &fuzz_feeds;
	o.rules = fuzz_rules;
	o.files = 1;
	report_init(&r, "scan");
	ws_error_clear();
	err = scan_tarball_mem(&r, data, size, "fuzz.tgz", &o);
	if (err && (!*ws_error_last() || r.nfindings || r.nerrors))
		abort();
	for (i = 0; i < r.nfindings; i++) {
		const struct report_finding *f = &r.findings[i];

		if (!f->id || !f->kind || !f->message)
			abort();
		for (j = 0; j < f->nevidence; j++)
			if (strcmp(f->evidence[j].key, "path") == 0 ||
			    strcmp(f->evidence[j].key, "file") == 0)
				fuzz_check_path(f->evidence[j].value);
	}
	for (i = 0; i < r.nerrors; i++)
		if (strcmp(r.errors[i].target, "fuzz.tgz") != 0)
			abort();
	report_release(&r);
	return 0;
}
