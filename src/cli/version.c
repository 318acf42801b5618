/*
 * `wormsign --version`: the program, the libraries it was built with, and
 * the data it would use: a responder comparing two machines' results needs
 * to know which feeds each one matched against.
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <git2.h>
#include <openssl/crypto.h>
#include <stdlib.h>

#include "util/datadir.h"
#include "util/error.h"
#include "ws_config.h"
#ifdef WS_HAVE_FEEDS
#include "feed/feed.h"
#endif
#include "util/banned.h"

#ifdef WS_HAVE_FEEDS
static void
print_feeds(FILE *fp)
{
	struct feed_set set;
	struct feed **owned = NULL;
	size_t nowned = 0, i;
	int err;

	feed_set_init(&set);
	err = feed_load_all(&set, &owned, &nowned, 1, NULL, 0);
	if (err)
		fprintf(fp, "feeds: none loaded (%s)\n", ws_error_last());
	for (i = 0; i < nowned; i++) {
		const struct feed *f = owned[i];

		fprintf(fp, "feed %s: published %s, first seen %s, %zu packages, "
			"%zu files, %zu artifacts\n", f->id,
			f->published ? f->published : "(no date)",
			f->first_seen ? f->first_seen : "(no date)",
			f->npackages, f->nfiles, f->nartifacts);
	}
	for (i = 0; i < nowned; i++)
		feed_free(owned[i]);
	free(owned);
	feed_set_release(&set);
}
#endif

int
cli_version(FILE *fp)
{
	char dir[4096];
	int major, minor, rev;

	fprintf(fp, "wormsign %s\n", WS_VERSION);
	git_libgit2_version(&major, &minor, &rev);
	fprintf(fp, "built with %s, libgit2 %d.%d.%d, %s\n",
		curl_version(), major, minor, rev,
		OpenSSL_version(OPENSSL_VERSION));
	if (ws_data_dir(dir, sizeof(dir), "feeds") == 0)
		fprintf(fp, "data: %s\n", dir);
	else
		fprintf(fp, "data: not found (set WORMSIGN_DATA)\n");
#ifdef WS_HAVE_FEEDS
	print_feeds(fp);
#endif
	return WS_EXIT_CLEAN;
}
