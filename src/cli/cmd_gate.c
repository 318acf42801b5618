#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "age/age.h"
#include "feed/feed.h"
#include "policy/policy.h"
#include "registry/npmrc.h"
#include "registry/registry.h"
#include "report/report.h"
#include "rules/rules.h"
#include "scan/scan.h"
#include "tree/tree.h"
#include "util/datadir.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define GATE_LIST_MAX 64	/* --feed, --rules, --exclude each */
#define GATE_BLOCKERS_SHOWN 20	/* blocking findings listed on stderr */
#define GATE_PATH_MAX 4096

extern char **environ;

int cmd_gate(int argc, char **argv);

static const char gate_help[] =
	"Runs scan and age on PATH (default \".\") into one report and, when\n"
	"nothing reaches --fail-on and every input loaded, runs COMMAND in\n"
	"place of wormsign (exec, same environment). Otherwise COMMAND is not\n"
	"run and the exit status is 1 (findings), 2 (input) or 3 (failure).\n"
	"\n"
	"Options:\n"
	"  --no-scan           skip the IOC scan (feeds and rules)\n"
	"  --no-age            skip the release-age check (no registry)\n"
	"  --source SRC        auto, lockfile, node_modules or all, as for tree\n"
	"  --feed FILE         add a feed (repeatable); --no-bundled-feeds drops\n"
	"                      the bundled ones\n"
	"  --rules DIR         add YARA rules (repeatable); --no-rules: none\n"
	"  --min-age DURATION  minimum release age, e.g. 7d, 36h, 1440m (default:\n"
	"                      the project's own npm/pnpm/yarn/bun setting)\n"
	"  --exclude PATTERN   exempt packages from the minimum age (repeatable)\n"
	"  --now TIMESTAMP     judge ages at this RFC 3339 time (default: now)\n"
	"  --registry URL      the npm registry (default: npm's configuration)\n"
	"  --cache DIR         the registry cache directory\n"
	"  --offline           use only the cache, make no request\n"
	"  --jobs N            concurrent registry requests (default 16)\n"
	"  --format FMT        text (default), json, sarif or markdown\n"
	"  -o, --output FILE   write the report to FILE (atomically)\n"
	"  --fail-on SEV       block on findings at or above SEV: critical,\n"
	"                      high (default), medium, low, info, or none\n"
	"  --ignore FILE       a baseline of accepted findings\n"
	"  -v, --verbose       print every warning\n"
	"  -h, --help          show this help\n"
	"\n"
	"The summary goes to standard error. Without COMMAND the report goes to\n"
	"--output or standard output; with COMMAND only to --output, so that\n"
	"COMMAND's standard output stays its own.\n";

enum gate_format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_SARIF,
	FORMAT_MARKDOWN,
};

struct gate_args {
	enum cli_source src;
	const char *feeds[GATE_LIST_MAX];
	size_t nfeeds;
	const char *rule_dirs[GATE_LIST_MAX];
	size_t nrule_dirs;
	const char *excludes[GATE_LIST_MAX];
	size_t nexcludes;
	const char *min_age;
	const char *now;
	const char *registry;
	const char *cache;
	const char *output;
	const char *ignore;
	const char *path;
	char **command;		/* after "--", NULL-terminated; NULL: none */
	enum gate_format format;
	unsigned jobs;
	int fail_on;		/* severity, or -1 for none */
	int bundled_feeds;
	int rules;
	int scan;
	int age;
	int offline;
	int verbose;
};

static int
push(const char **list, size_t *n, const char *v, const char *opt)
{
	if (*n >= GATE_LIST_MAX) {
		cli_error("%s: at most %d times", opt, GATE_LIST_MAX);
		return -1;
	}
	list[(*n)++] = v;
	return 0;
}

/*
 * getopt_long permutes argv and would move "--" ahead of PATH, losing
 * where COMMAND starts: so the command is split off before parsing.
 */
static int
split_command(int argc, char **argv, char ***command)
{
	int i;

	*command = NULL;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			*command = argv + i + 1;
			return i;
		}
	return argc;
}

static int
gate_parse_args(struct gate_args *a, int argc, char **argv)
{
	enum {
		OPT_FEED = 256, OPT_NO_BUNDLED, OPT_RULES, OPT_NO_RULES,
		OPT_REGISTRY, OPT_FORMAT, OPT_FAIL_ON, OPT_IGNORE, OPT_SOURCE,
		OPT_NO_SCAN, OPT_NO_AGE, OPT_MIN_AGE, OPT_EXCLUDE, OPT_NOW,
		OPT_CACHE, OPT_OFFLINE, OPT_JOBS,
	};
	static const struct option opts[] = {
		{ "no-scan", no_argument, NULL, OPT_NO_SCAN },
		{ "no-age", no_argument, NULL, OPT_NO_AGE },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "feed", required_argument, NULL, OPT_FEED },
		{ "no-bundled-feeds", no_argument, NULL, OPT_NO_BUNDLED },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "no-rules", no_argument, NULL, OPT_NO_RULES },
		{ "min-age", required_argument, NULL, OPT_MIN_AGE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "registry", required_argument, NULL, OPT_REGISTRY },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, n;

	memset(a, 0, sizeof(*a));
	a->fail_on = REPORT_HIGH;
	a->bundled_feeds = 1;
	a->rules = 1;
	a->scan = 1;
	a->age = 1;
	n = split_command(argc, argv, &a->command);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(n, argv, ":o:vh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_NO_SCAN:
			a->scan = 0;
			break;
		case OPT_NO_AGE:
			a->age = 0;
			break;
		case OPT_SOURCE:
			if (cli_parse_source(&a->src, optarg))
				return WS_EXIT_USAGE;
			break;
		case OPT_FEED:
			if (push(a->feeds, &a->nfeeds, optarg, "--feed"))
				return WS_EXIT_USAGE;
			break;
		case OPT_NO_BUNDLED:
			a->bundled_feeds = 0;
			break;
		case OPT_RULES:
			if (push(a->rule_dirs, &a->nrule_dirs, optarg,
				 "--rules"))
				return WS_EXIT_USAGE;
			break;
		case OPT_NO_RULES:
			a->rules = 0;
			break;
		case OPT_MIN_AGE:
			a->min_age = optarg;
			break;
		case OPT_EXCLUDE:
			if (push(a->excludes, &a->nexcludes, optarg,
				 "--exclude"))
				return WS_EXIT_USAGE;
			break;
		case OPT_NOW:
			a->now = optarg;
			break;
		case OPT_REGISTRY:
			a->registry = optarg;
			break;
		case OPT_CACHE:
			a->cache = optarg;
			break;
		case OPT_OFFLINE:
			a->offline = 1;
			break;
		case OPT_JOBS: {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 ||
			    v > REGISTRY_JOBS_MAX) {
				cli_error("--jobs: \"%s\" is not a number from 1 to %d",
					  optarg, REGISTRY_JOBS_MAX);
				return WS_EXIT_USAGE;
			}
			a->jobs = (unsigned)v;
			break;
		}
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				a->format = FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				a->format = FORMAT_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				a->format = FORMAT_SARIF;
			else if (strcmp(optarg, "markdown") == 0)
				a->format = FORMAT_MARKDOWN;
			else {
				cli_error("--format: unknown format \"%s\" (text, json, sarif, markdown)",
					  optarg);
				return WS_EXIT_USAGE;
			}
			break;
		case 'o':
			a->output = optarg;
			break;
		case OPT_FAIL_ON: {
			enum report_severity sev;

			if (strcmp(optarg, "none") == 0) {
				a->fail_on = -1;
			} else if (report_severity_parse(&sev, optarg) == 0) {
				a->fail_on = (int)sev;
			} else {
				cli_error("--fail-on: unknown severity \"%s\" (critical, high, medium, low, info, none)",
					  optarg);
				return WS_EXIT_USAGE;
			}
			break;
		}
		case OPT_IGNORE:
			a->ignore = optarg;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'h':
			cli_usage(stdout, "gate", gate_help);
			return -1;
		default:
			return cli_bad_option("gate", c, argv);
		}
	}
	if (n - optind > 1) {
		cli_error("gate takes one PATH, not %d; run one gate per project",
			  n - optind);
		return WS_EXIT_USAGE;
	}
	a->path = optind < n ? argv[optind] : ".";
	if (a->command && !a->command[0]) {
		cli_error("nothing to run after \"--\"");
		return WS_EXIT_USAGE;
	}
	if (!a->scan && !a->age) {
		cli_error("--no-scan and --no-age leave nothing to check");
		return WS_EXIT_USAGE;
	}
	if (!a->registry) {
		const char *env = getenv("npm_config_registry");

		if (env && *env)
			a->registry = env;
	}
	return 0;
}

/* 3 over 2 over 1 over 0: an incomplete check must not look clean. */
static int
worse(int a, int b)
{
	return b > a ? b : a;
}

/* ---- scan ---- */

struct gate_scan {
	struct feed_set feeds;
	struct feed **owned;
	size_t nowned;
	struct rules *rules;
	int yara;
};

static void
gate_scan_release(struct gate_scan *s)
{
	size_t i;

	rules_free(s->rules);
	if (s->yara)
		rules_global_cleanup();
	feed_set_release(&s->feeds);
	for (i = 0; i < s->nowned; i++)
		feed_free(s->owned[i]);
	free(s->owned);
}

/* Loads the feeds and rules; returns an exit code (0 when loaded). */
static int
gate_scan_load(struct gate_scan *s, const struct gate_args *a)
{
	const char *dirs[GATE_LIST_MAX + 1];
	char rules_dir[GATE_PATH_MAX];
	size_t n = 0, i;
	int err;

	if ((err = feed_load_all(&s->feeds, &s->owned, &s->nowned,
				 a->bundled_feeds, a->feeds, a->nfeeds))) {
		cli_error("%s", ws_error_last());
		return cli_exit_for(err);
	}
	if (!a->rules)
		return 0;
	if (ws_data_dir(rules_dir, sizeof(rules_dir), "rules") == 0)
		dirs[n++] = rules_dir;
	ws_error_clear();
	for (i = 0; i < a->nrule_dirs; i++)
		dirs[n++] = a->rule_dirs[i];
	if (!n)
		return 0;
	if ((err = rules_global_init())) {
		cli_error("%s", ws_error_last());
		return WS_EXIT_FAILURE;
	}
	s->yara = 1;
	if ((err = rules_load(&s->rules, dirs, n))) {
		cli_error("%s", ws_error_last());
		return cli_exit_for(err);
	}
	return 0;
}

static void
gate_scan_run(struct report *r, const struct tree_inv *inv,
	      const struct gate_scan *s, const struct gate_args *a)
{
	struct scan_opts o;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.feeds = &s->feeds;
	o.rules = s->rules;
	o.registry = a->registry;
	scan_inventory(r, inv, &o);
	for (i = 0; i < inv->ntrees; i++) {
		const struct tree *t = inv->trees[i];

		if (strcmp(t->format, "node_modules") != 0)
			continue;
		o.files = 1;
		scan_installed_files(r, t, t->file, &o);
	}
}

/* ---- age ---- */

/* The directory whose .npmrc and package-manager files set the policy. */
static void
project_dir(char *out, size_t n, const char *path)
{
	struct stat st;
	const char *slash;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(out, n, "%s", path);
		return;
	}
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, n, ".");
	else if (slash == path)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(slash - path), path);
}

struct gate_registry_for {
	const struct npmrc *cfg;
	const char *fallback;
};

static const char *
registry_for(const char *name, void *payload)
{
	const struct gate_registry_for *rf = payload;
	const char *r = npmrc_registry_for(rf->cfg, name);

	return r ? r : rf->fallback;
}

/* min-release-age-exclude, an array joined with "," (malloc'd or NULL). */
static char *
npm_excludes(const struct npmrc *cfg)
{
	struct npmrc_value v;
	size_t i, len = 0;
	char *out;

	if (npmrc_get(cfg, "min-release-age-exclude", &v) || v.count == 0)
		return NULL;
	for (i = 0; i < v.count; i++)
		len += strlen(v.values[i]) + 1;
	out = xmalloc(len + 1);
	len = 0;
	for (i = 0; i < v.count; i++) {
		size_t k = strlen(v.values[i]);

		if (i)
			out[len++] = ',';
		memcpy(out + len, v.values[i], k);
		len += k;
	}
	out[len] = '\0';
	return out;
}

static int
gate_policy(struct policy *p, const struct gate_args *a,
	    const struct npmrc *cfg, const char *dir)
{
	int64_t secs;
	char *excl;
	size_t i;
	int err;

	if (a->min_age) {
		if ((err = policy_parse_duration(a->min_age, &secs)) ||
		    (err = policy_add_source(p, POLICY_TOOL_CLI, "--min-age",
					     "--min-age", a->min_age, secs))) {
			cli_error("--min-age: %s", ws_error_last());
			return WS_EXIT_USAGE;
		}
	} else {
		excl = npm_excludes(cfg);
		err = policy_load_project(p, dir,
					  npmrc_get_str(cfg, "min-release-age"),
					  excl);
		free(excl);
		if (err) {
			cli_error("%s", ws_error_last());
			return cli_exit_for(err);
		}
	}
	for (i = 0; i < p->nwarnings; i++)
		cli_warning("%s", p->warnings[i]);
	for (i = 0; i < a->nexcludes; i++)
		if ((err = policy_add_exclude(p, POLICY_TOOL_CLI,
					      a->excludes[i], "--exclude",
					      "--exclude"))) {
			cli_error("--exclude: %s", ws_error_last());
			return WS_EXIT_USAGE;
		}
	/* Unlike `age`, gate goes on: unpublished and out-of-order
	 * releases are still worth stopping an install for. */
	if (!policy_strictest(p))
		cli_note("%s: no minimum release age is configured (--min-age, .npmrc min-release-age, ...): checking only for missing and out-of-order releases",
			 dir);
	return 0;
}

/*
 * The release-age check over inv, with npm's configuration read as
 * `wormsign age` reads it (see cmd_age.c). Returns an exit code (0: the
 * check ran).
 */
static int
gate_age_run(struct report *r, const struct tree_inv *inv,
	     const struct gate_args *a, struct age_stats *stats)
{
	struct npmrc_options no;
	struct npmrc_net net;
	struct npmrc *cfg = NULL;
	struct registry_options ro;
	struct registry_auth *auth = NULL;
	struct registry_cache *cache = NULL;
	struct registry_client *client = NULL;
	struct gate_registry_for rf;
	struct policy policy;
	struct age_opts ao;
	char dir[GATE_PATH_MAX], user[GATE_PATH_MAX], global[GATE_PATH_MAX];
	char shown[1024];
	char *cache_path = NULL;
	const char *home = getenv("HOME"), *prefix = getenv("npm_config_prefix");
	const char *base, *proxy = NULL, *noproxy = NULL;
	size_t nauth = 0, i;
	time_t now = time(NULL);
	int code = 0, err;

	policy_init(&policy);
	if (a->now && policy_parse_time(a->now, &now)) {
		cli_error("--now: %s", ws_error_last());
		code = WS_EXIT_USAGE;
		goto done;
	}
	project_dir(dir, sizeof(dir), a->path);
	if (!prefix || !*prefix)
		prefix = getenv("PREFIX");
	memset(&no, 0, sizeof(no));
	no.registry = a->registry;
	no.project_dir = dir;
	if (home && *home == '/') {
		snprintf(user, sizeof(user), "%s/.npmrc", home);
		no.default_userconfig = user;
	}
	if (prefix && *prefix) {
		snprintf(global, sizeof(global), "%s/etc/npmrc", prefix);
		no.globalconfig = global;
	}
	no.env = (const char *const *)environ;
	if ((err = npmrc_load(&cfg, &no))) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
	for (i = 0; i < npmrc_warning_count(cfg); i++)
		if (a->verbose || i < 20)
			cli_warning("%s", npmrc_warning_at(cfg, i));
	if ((code = gate_policy(&policy, a, cfg, dir)))
		goto done;

	base = npmrc_registry_for(cfg, NULL);
	if (!base) {
		cli_error("no registry is configured: set registry= in .npmrc, npm_config_registry, or pass --registry (or --no-age to skip the age check)");
		code = WS_EXIT_USAGE;
		goto done;
	}
	npmrc_redact(base, shown, sizeof(shown));
	if (a->cache) {
		size_t len = strlen(a->cache) + sizeof("/registry.db");

		cache_path = xmalloc(len);
		snprintf(cache_path, len, "%s/registry.db", a->cache);
	} else if (registry_cache_default_path(&cache_path)) {
		cli_warning("%s; running without a cache", ws_error_last());
		cache_path = NULL;
	}
	if (cache_path && (err = registry_cache_open(&cache, cache_path))) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_FAILURE;
		goto done;
	}

	registry_options_init(&ro);
	ro.registry = base;
	rf.cfg = cfg;
	rf.fallback = base;
	ro.registry_for = registry_for;
	ro.registry_for_payload = &rf;
	if (npmrc_auth_count(cfg))
		auth = xcalloc(npmrc_auth_count(cfg), sizeof(*auth));
	for (i = 0; i < npmrc_auth_count(cfg); i++) {
		struct npmrc_auth na;

		npmrc_auth_at(cfg, i, &na);
		if (!na.prefix || !na.authorization)
			continue;
		auth[nauth].prefix = na.prefix;
		auth[nauth++].authorization = na.authorization;
	}
	ro.auth = auth;
	ro.nauth = nauth;
	npmrc_net(cfg, &net);
	ro.cafile = net.cafile;
	if (net.nca)
		cli_warning("inline ca= certificates are not used; put them in a file and set cafile=");
	if (!net.strict_ssl)
		cli_warning("strict-ssl=false is ignored: TLS verification stays on (set cafile= for a private CA)");
	if (npmrc_proxy_for(cfg, base, &proxy, &noproxy) == 0) {
		ro.proxy = proxy;
		ro.noproxy = noproxy;
	}
	ws_error_clear();
	ro.jobs = a->jobs;
	ro.cache = cache;
	ro.offline = a->offline;
	if ((err = registry_client_new(&client, &ro))) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_USAGE;
		goto done;
	}

	memset(&ao, 0, sizeof(ao));
	ao.policy = &policy;
	ao.client = client;
	ao.now = now;
	ao.registry = shown;
	if ((err = age_check(r, inv, &ao, stats))) {
		cli_error("%s", ws_error_last());
		code = worse(WS_EXIT_FAILURE, cli_exit_for(err));
	}
	if (a->offline && stats->registry.offline)
		cli_note("offline: %zu package names were not (fully) in the cache; they are reported as release-unchecked",
			 stats->registry.offline);

done:
	registry_client_free(client);
	registry_cache_free(cache);
	free(auth);
	free(cache_path);
	policy_release(&policy);
	npmrc_free(cfg);
	return code;
}

/* ---- output ---- */

static int
gate_render(const struct gate_args *a, const struct report *r)
{
	struct cli_output out;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int err;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((err = cli_output_open(&out, a->output))) {
		cli_error("%s", ws_error_last());
		return WS_EXIT_FAILURE;
	}
	switch (a->format) {
	case FORMAT_JSON:
		err = report_json(out.fp, r, stamp);
		break;
	case FORMAT_SARIF:
		err = report_sarif(out.fp, r);
		break;
	case FORMAT_MARKDOWN:
		err = report_markdown(out.fp, r);
		break;
	default:
		err = report_text(out.fp, r, !a->output && cli_use_color(out.fp));
	}
	if (err) {
		if (a->output)
			cli_error("%s: write error", a->output);
		cli_output_abort(&out);
		return WS_EXIT_FAILURE;
	}
	if ((err = cli_output_commit(&out))) {
		cli_error("%s", ws_error_last());
		return WS_EXIT_FAILURE;
	}
	return 0;
}

static void
gate_summary(const struct gate_args *a, const struct report *r,
	     const struct age_stats *st)
{
	size_t by[REPORT_CRITICAL + 1] = { 0 };
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		by[r->findings[i].severity]++;
	fprintf(stderr,
		"wormsign gate: %zu finding%s (%zu critical, %zu high, %zu medium, %zu low, %zu info), %zu suppressed, %zu error%s",
		r->nfindings, r->nfindings == 1 ? "" : "s",
		by[REPORT_CRITICAL], by[REPORT_HIGH], by[REPORT_MEDIUM],
		by[REPORT_LOW], by[REPORT_INFO], r->nsuppressed, r->nerrors,
		r->nerrors == 1 ? "" : "s");
	fprintf(stderr, "; scan %s", a->scan ? "done" : "skipped (--no-scan)");
	if (a->age)
		fprintf(stderr, "; age: %zu packages, %zu registry requests",
			st->packages, st->registry.requests);
	else
		fprintf(stderr, "; age skipped (--no-age)");
	fputc('\n', stderr);
}

static void
gate_blockers(const struct gate_args *a, const struct report *r)
{
	size_t i, shown = 0, more = 0;

	if (a->fail_on < 0)
		return;
	for (i = 0; i < r->nfindings; i++) {
		const struct report_finding *f = &r->findings[i];

		if ((int)f->severity < a->fail_on)
			continue;
		if (shown == GATE_BLOCKERS_SHOWN && !a->verbose) {
			more++;
			continue;
		}
		shown++;
		fprintf(stderr, "  [%s] %s%s%s%s%s: %s\n",
			report_severity_name(f->severity),
			f->kind ? f->kind : "finding",
			f->package_name ? " " : "",
			f->package_name ? f->package_name : "",
			f->package_version ? "@" : "",
			f->package_version ? f->package_version : "",
			f->message ? f->message : "");
	}
	if (more)
		fprintf(stderr, "  ... and %zu more (see the report)\n", more);
}

int
cmd_gate(int argc, char **argv)
{
	struct gate_args a;
	struct gate_scan s;
	struct report_baseline *baseline = NULL;
	struct age_stats st;
	struct tree_inv inv;
	struct report r;
	char day[16];
	struct tm tm;
	time_t now = time(NULL);
	size_t i;
	int code, err, max, run = 0;

	if ((code = gate_parse_args(&a, argc, argv)))
		return code < 0 ? WS_EXIT_CLEAN : code;
	memset(&s, 0, sizeof(s));
	memset(&st, 0, sizeof(st));
	feed_set_init(&s.feeds);
	tree_inv_init(&inv);
	report_init(&r, "gate");
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);

	if (a.scan && (code = gate_scan_load(&s, &a)))
		goto done;
	if (a.ignore && (err = report_baseline_load(&baseline, a.ignore))) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
	code = cli_load_inputs(&inv, 1, (char **)&a.path, a.src, a.verbose);
	if (a.scan)
		gate_scan_run(&r, &inv, &s, &a);
	if (a.age && inv.ntrees)
		code = worse(code, gate_age_run(&r, &inv, &a, &st));
	if (baseline)
		report_apply_baseline(&r, baseline, day);
	report_sort(&r);
	for (i = 0; i < r.nerrors; i++) {
		const char *t = r.errors[i].target, *m = r.errors[i].message;

		if (strncmp(m, t, strlen(t)) == 0)
			cli_warning("%s", m);
		else
			cli_warning("%s: %s", t, m);
	}

	/* With COMMAND, stdout belongs to it: the report goes only to -o. */
	if (!a.command || a.output)
		code = worse(code, gate_render(&a, &r));
	max = report_max_severity(&r);
	if (a.fail_on >= 0 && max >= a.fail_on)
		code = worse(code, WS_EXIT_FINDINGS);
	gate_summary(&a, &r, &st);
	if (!a.command)
		goto done;
	if (code == WS_EXIT_CLEAN) {
		run = 1;
	} else if (code == WS_EXIT_FINDINGS) {
		cli_error("not running \"%s\": findings at or above --fail-on %s",
			  a.command[0], report_severity_name(a.fail_on));
		gate_blockers(&a, &r);
	} else {
		cli_error("not running \"%s\": the checks did not complete",
			  a.command[0]);
	}

done:
	report_baseline_free(baseline);
	report_release(&r);
	tree_inv_release(&inv);
	gate_scan_release(&s);
	if (run) {
		/* Whatever wormsign wrote must be out before COMMAND writes. */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			cli_error("write error on standard output");
			return WS_EXIT_FAILURE;
		}
		fflush(stderr);
		execvp(a.command[0], a.command);
		cli_error("cannot run \"%s\": %s", a.command[0],
			  strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	return code;
}
