#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "report/report.h"
#include "rules/rules.h"
#include "scan/scan.h"
#include "tree/tree.h"
#include "util/datadir.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define CHECKS_DATA_PATH_MAX 4096	/* the bundled rules directory */

struct cli_scan {
	struct feed_set feeds;
	struct feed **owned;
	size_t nowned;
	struct rules *rules;
	int yara;		/* rules_global_init() succeeded */
};

void
cli_scan_free(struct cli_scan *s)
{
	size_t i;

	if (!s)
		return;
	rules_free(s->rules);
	if (s->yara)
		rules_global_cleanup();
	feed_set_release(&s->feeds);
	for (i = 0; i < s->nowned; i++)
		feed_free(s->owned[i]);
	free(s->owned);
	free(s);
}

int
cli_scan_load(struct cli_scan **out, const struct cli_feed_args *f,
	      int rules)
{
	struct cli_scan *s = xcalloc(1, sizeof(*s));
	const char **dirs = NULL;
	char rules_dir[CHECKS_DATA_PATH_MAX];
	size_t n = 0, i;
	int code = 0, err;

	*out = NULL;
	feed_set_init(&s->feeds);
	if ((err = feed_load_all(&s->feeds, &s->owned, &s->nowned,
				 f->bundled, f->feeds, f->nfeeds))) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
	if (!rules || !f->rules)
		goto done;
	dirs = xcalloc(f->nrule_dirs + 1, sizeof(*dirs));
	if (ws_data_dir(rules_dir, sizeof(rules_dir), "rules") == 0)
		dirs[n++] = rules_dir;
	ws_error_clear();
	for (i = 0; i < f->nrule_dirs; i++)
		dirs[n++] = f->rule_dirs[i];
	if (!n)
		goto done;
	/* libyara counts its initialisations: harmless if main did */
	if ((err = rules_global_init())) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_FAILURE;
		goto done;
	}
	s->yara = 1;
	if ((err = rules_load(&s->rules, dirs, n))) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
done:
	free(dirs);
	if (code)
		cli_scan_free(s);
	else
		*out = s;
	return code;
}

const struct feed_set *
cli_scan_feeds(const struct cli_scan *s)
{
	return &s->feeds;
}

void
cli_scan_run(struct scan_opts *o, struct report *r,
	     const struct tree_inv *inv, const struct cli_scan *s,
	     const char *registry, int files)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	o->feeds = &s->feeds;
	o->rules = s->rules;
	o->registry = registry;
	scan_inventory(r, inv, o);
	for (i = 0; i < inv->ntrees; i++) {
		const struct tree *t = inv->trees[i];

		if (strcmp(t->format, "node_modules") != 0 || !files)
			continue;
		o->files = 1;
		scan_installed_files(r, t, t->file, o);
	}
}
