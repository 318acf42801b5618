#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/host.h"
#include "report/report.h"
#include "util/error.h"
#include "util/banned.h"

#define HOST_PROBLEMS_SHOWN 5	/* unreadable paths on stderr without -v */

static const char host_help[] =
	"Options:\n"
	"  --home DIR          the home directory to check (default: $HOME)\n"
	"  --since DATE        soft signals (services starting Bun or Node.js,\n"
	"                      runners not in the feeds) only for files modified\n"
	"                      after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)\n"
	"  --system            also read system paths: crontabs,\n"
	"                      /Library/LaunchAgents and LaunchDaemons\n"
	"  --system-root DIR   read the system paths under DIR (a mounted disk\n"
	"                      image); implies --system\n"
	"  --user NAME         the crontab to read (default: the home's name)\n"
	"  --feed FILE         add a feed (repeatable); --no-bundled-feeds drops\n"
	"                      the bundled ones\n"
	"  --format FMT        text (default), json, sarif or markdown\n"
	"  -o, --output FILE   write the report to FILE (atomically)\n"
	"  --fail-on SEV       exit 1 on findings at or above SEV: critical,\n"
	"                      high (default), medium, low, info, or none\n"
	"  --ignore FILE       a baseline of accepted findings\n"
	"  -v, --verbose       print every unreadable path on stderr, not\n"
	"                      only the first 5\n"
	"  -h, --help          show this help\n"
	"\n"
	"PROJECT is a project directory: its node_modules are hashed, its .npmrc\n"
	"and .env files checked for credentials. Nothing is run or modified.\n"
	"The rotation checklist removes persistence first: revoking a token a\n"
	"dead-man's switch watches can wipe the home directory.\n";

struct host_args {
	struct cli_report_args rep;
	const char *home;
	const char *system_root;
	const char *user;
	struct cli_feed_args feeds;	/* --feed, --no-bundled-feeds */
	time_t since;
};

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC. */
static int
parse_since(const char *s, time_t *out)
{
	int y, mo, d, hh = 0, mi = 0, ss = 0, n = 0;
	size_t len = strlen(s);

	if (len == 10) {
		if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
			return -1;
	} else if (len == 20 && s[10] == 'T' && s[19] == 'Z') {
		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &hh,
			   &mi, &ss, &n) != 6 || n != 20)
			return -1;
	} else {
		return -1;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 ||
	    mi > 59 || ss > 60)
		return -1;
	*out = (time_t)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
			hh * 3600 + mi * 60 + ss);
	return 0;
}

enum {
	OPT_HOME = 256, OPT_SINCE, OPT_SYSTEM, OPT_SYSTEM_ROOT, OPT_USER,
};

static int
host_option(void *ctx, int c, const char *arg)
{
	struct host_args *a = ctx;

	switch (c) {
	case OPT_HOME:
		a->home = arg;
		return 0;
	case OPT_SINCE:
		if (parse_since(arg, &a->since)) {
			cli_error("--since: '%s' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
				  arg);
			return WS_EXIT_USAGE;
		}
		return 0;
	case OPT_SYSTEM:
		if (!a->system_root)
			a->system_root = "/";
		return 0;
	case OPT_SYSTEM_ROOT:
		a->system_root = arg;
		return 0;
	case OPT_USER:
		a->user = arg;
		return 0;
	}
	return -1;
}

static int
host_parse_args(struct host_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, OPT_HOME },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "system", no_argument, NULL, OPT_SYSTEM },
		{ "system-root", required_argument, NULL, OPT_SYSTEM_ROOT },
		{ "user", required_argument, NULL, OPT_USER },
		CLI_FEED_LONGOPTS,
		CLI_OUTPUT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_options o = {
		"host", host_help, ":o:vh", opts, &a->rep, &a->feeds, NULL,
		host_option, a,
	};
	int code;

	memset(a, 0, sizeof(*a));
	cli_report_args_init(&a->rep);
	cli_feed_args_init(&a->feeds);
	if ((code = cli_parse_options(&o, argc, argv)))
		return code;
	if (!a->home) {
		a->home = getenv("HOME");
		if (!a->home || !*a->home) {
			cli_error("host: HOME is not set; give --home DIR");
			return WS_EXIT_USAGE;
		}
		/* the crontab of the user running us, not the home's name */
		if (!a->user) {
			const char *u = getenv("USER");

			a->user = u && *u ? u : NULL;
		}
	}
	return 0;
}

int
cmd_host(int argc, char **argv)
{
	struct host_args a;
	struct host_opts o;
	struct cli_scan *s = NULL;
	struct report_baseline *baseline = NULL;
	struct host *h = NULL;
	struct report r;
	char stamp[32], day[16];
	size_t i;
	int code, err;

	if ((code = host_parse_args(&a, argc, argv)))
		return code < 0 ? WS_EXIT_CLEAN : code;
	report_init(&r, "host");
	cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));
	if ((code = cli_scan_load(&s, &a.feeds, 0)) ||
	    (code = cli_baseline_load(&baseline, a.rep.ignore)))
		goto done;
	memset(&o, 0, sizeof(o));
	o.home = a.home;
	o.system_root = a.system_root;
	o.user = a.user;
	o.projects = (const char *const *)(argv + optind);
	o.nprojects = (size_t)(argc - optind);
	o.feeds = cli_scan_feeds(s);
	o.since = a.since;
	host_new(&h);
	if ((err = host_run(h, &r, &o))) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_USAGE;
		goto done;
	}
	/* the only report errors are projects that could not be read: the
	 * check is incomplete, as for a missing input of scan */
	if (r.nerrors)
		code = WS_EXIT_USAGE;
	cli_report_settle(&r, baseline, day);
	for (i = 0; i < host_problem_count(h) &&
	     (a.rep.verbose || i < HOST_PROBLEMS_SHOWN); i++) {
		const char *why, *path = host_problem_at(h, i, &why);

		cli_warning("%s: %s", path, why);
	}
	if (host_problem_count(h))
		cli_warning("%zu paths could not be read; the report lists them",
			    host_problem_count(h));
	code = cli_worse(code, cli_report_emit(&r, &a.rep, stamp));
done:
	report_baseline_free(baseline);
	report_release(&r);
	host_free(h);
	cli_scan_free(s);
	return code;
}
