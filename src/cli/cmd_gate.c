#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "age/age.h"
#ifdef WS_HAVE_VERIFY
#include "prov/check.h"
#endif
#include "policy/policy.h"
#include "registry/npmrc.h"
#include "report/report.h"
#include "scan/scan.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/banned.h"

#define GATE_EXCLUDES_MAX 64	/* --exclude */
#define GATE_BLOCKERS_SHOWN 20	/* blocking findings listed on stderr */

int cmd_gate(int argc, char **argv);

static const char gate_help[] =
	"Runs scan, age and verify on PATH (default \".\") into one report and, when\n"
	"nothing reaches --fail-on and every input loaded, runs COMMAND in\n"
	"place of wormsign (exec, same environment). Otherwise COMMAND is not\n"
	"run and the exit status is 1 (findings), 2 (input) or 3 (failure).\n"
	"\n"
	"Options:\n"
	"  --no-scan           skip the IOC scan (feeds and rules)\n"
	"  --no-age            skip the release-age check (no registry)\n"
	"  --no-verify         skip signature and provenance verification (it\n"
	"                      runs when a registry is configured)\n"
	"  --trusted-root FILE a Sigstore trusted_root.json for verify (default:\n"
	"                      the bundled trust/trusted_root.json)\n"
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

struct gate_args {
	struct cli_report_args rep;	/* --source, --format, -o, ... */
	struct cli_feed_args feeds;	/* --feed, --rules and their --no- */
	struct cli_registry_args reg;	/* --registry, --cache, --offline, --jobs */
	const char *excludes[GATE_EXCLUDES_MAX];
	size_t nexcludes;
	const char *min_age;
	const char *now;
	const char *trusted_root;
	const char *path;
	char **command;		/* after "--", NULL-terminated; NULL: none */
	int scan;
	int age;
	int verify;
};

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

enum {
	OPT_NO_SCAN = 256, OPT_NO_AGE, OPT_MIN_AGE, OPT_EXCLUDE, OPT_NOW,
	OPT_NO_VERIFY, OPT_ROOT,
};

static int
gate_option(void *ctx, int c, const char *arg)
{
	struct gate_args *a = ctx;

	switch (c) {
	case OPT_NO_SCAN:
		a->scan = 0;
		return 0;
	case OPT_NO_AGE:
		a->age = 0;
		return 0;
	case OPT_NO_VERIFY:
		a->verify = 0;
		return 0;
	case OPT_ROOT:
		a->trusted_root = arg;
		return 0;
	case OPT_MIN_AGE:
		a->min_age = arg;
		return 0;
	case OPT_EXCLUDE:
		if (cli_list_add(a->excludes, &a->nexcludes, GATE_EXCLUDES_MAX,
				 arg, "--exclude"))
			return WS_EXIT_USAGE;
		return 0;
	case OPT_NOW:
		a->now = arg;
		return 0;
	}
	return -1;
}

static int
gate_parse_args(struct gate_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-scan", no_argument, NULL, OPT_NO_SCAN },
		{ "no-age", no_argument, NULL, OPT_NO_AGE },
		{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
		{ "trusted-root", required_argument, NULL, OPT_ROOT },
		CLI_FEED_LONGOPTS,
		CLI_RULES_LONGOPTS,
		{ "min-age", required_argument, NULL, OPT_MIN_AGE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "now", required_argument, NULL, OPT_NOW },
		CLI_REGISTRY_LONGOPTS,
		CLI_REPORT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_options o = {
		"gate", gate_help, ":o:vh", opts, &a->rep, &a->feeds, &a->reg,
		gate_option, a,
	};
	int code, n;

	memset(a, 0, sizeof(*a));
	cli_report_args_init(&a->rep);
	cli_feed_args_init(&a->feeds);
	a->scan = 1;
	a->age = 1;
#ifdef WS_HAVE_VERIFY
	a->verify = 1;
#endif
	n = split_command(argc, argv, &a->command);
	if ((code = cli_parse_options(&o, n, argv)))
		return code;
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
	if (!a->scan && !a->age && !a->verify) {
		cli_error("--no-scan and --no-age leave nothing to check");
		return WS_EXIT_USAGE;
	}
	a->reg.registry = cli_registry_default(a->reg.registry);
	return 0;
}

/* ---- age ---- */

static int
gate_policy(struct policy *p, const struct gate_args *a,
	    const struct npmrc *cfg, const char *dir)
{
	int64_t secs;
	size_t i;
	int err, code;

	if (a->min_age) {
		if ((err = policy_parse_duration(a->min_age, &secs)) ||
		    (err = policy_add_source(p, POLICY_TOOL_CLI, "--min-age",
					     "--min-age", a->min_age, secs))) {
			cli_error("--min-age: %s", ws_error_last());
			return WS_EXIT_USAGE;
		}
	} else if ((code = cli_policy_load_project(p, cfg, dir))) {
		return code;
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
	struct npmrc *cfg = NULL;
	struct cli_registry *reg = NULL;
	struct policy policy;
	struct age_opts ao;
	char shown[1024];
	char *dir = NULL;
	const char *base;
	time_t now = time(NULL);
	int code = 0, err;

	policy_init(&policy);
	if (a->now && policy_parse_time(a->now, &now)) {
		cli_error("--now: %s", ws_error_last());
		code = WS_EXIT_USAGE;
		goto done;
	}
	dir = cli_project_dir(a->path);
	if ((code = cli_npmrc_load(&cfg, a->reg.registry, NULL, dir)))
		goto done;
	cli_npmrc_warnings(cfg, a->rep.verbose);
	if ((code = gate_policy(&policy, a, cfg, dir)))
		goto done;

	base = npmrc_registry_for(cfg, NULL);
	if (!base) {
		cli_error("no registry is configured: set registry= in .npmrc, npm_config_registry, or pass --registry (or --no-age to skip the age check)");
		code = WS_EXIT_USAGE;
		goto done;
	}
	npmrc_redact(base, shown, sizeof(shown));
	if ((code = cli_registry_open(&reg, cfg, base, &a->reg.ro)))
		goto done;

	memset(&ao, 0, sizeof(ao));
	ao.policy = &policy;
	ao.client = cli_registry_client(reg);
	ao.now = now;
	ao.registry = shown;
	if ((err = age_check(r, inv, &ao, stats))) {
		cli_error("%s", ws_error_last());
		code = cli_worse(WS_EXIT_FAILURE, cli_exit_for(err));
	}
	if (a->reg.ro.offline && stats->registry.offline)
		cli_note("offline: %zu package names were not (fully) in the cache; they are reported as release-unchecked",
			 stats->registry.offline);

done:
	cli_registry_free(reg);
	policy_release(&policy);
	npmrc_free(cfg);
	free(dir);
	return code;
}

/* ---- verify ---- */

#ifdef WS_HAVE_VERIFY
/*
 * Signatures and provenance over inv, with the registry age uses; when
 * none is configured verify is skipped (age reports that), unless it is
 * the only check left. Returns an exit code; *v is loaded for the report.
 */
static int
gate_verify_run(struct cli_verify **v, struct report *r,
		const struct tree_inv *inv, const struct gate_args *a)
{
	struct cli_verify_opts vo;
	struct npmrc *cfg = NULL;
	struct cli_registry *reg = NULL;
	struct cli_registry_opts ro;
	char shown[1024];
	char *dir = cli_project_dir(a->path);
	const char *base;
	int code;

	if ((code = cli_npmrc_load(&cfg, a->reg.registry, NULL, dir)))
		goto done;
	base = npmrc_registry_for(cfg, NULL);
	if (!base) {
		if (!a->scan && !a->age) {
			cli_error("--no-scan and --no-age leave nothing to check: verify needs a registry and none is configured");
			code = WS_EXIT_USAGE;
		} else {
			cli_note("verify skipped: no registry is configured (--no-verify silences this)");
		}
		goto done;
	}
	memset(&vo, 0, sizeof(vo));
	vo.history = PROV_HISTORY_DEFAULT;
	vo.trusted_root = a->trusted_root;
	if ((code = cli_verify_load(v, &vo)))
		goto done;
	npmrc_redact(base, shown, sizeof(shown));
	ro = a->reg.ro;
	ro.offline_skip_missing = 1;
	ro.want_dist = 1;
	if ((code = cli_registry_open(&reg, cfg, base, &ro)))
		goto done;
	code = cli_verify_run(*v, r, inv, cli_registry_client(reg), shown);
	cli_verify_section(*v, r);
done:
	cli_registry_free(reg);
	npmrc_free(cfg);
	free(dir);
	return code;
}
#endif

/* ---- output ---- */

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

	if (a->rep.fail_on < 0)
		return;
	for (i = 0; i < r->nfindings; i++) {
		const struct report_finding *f = &r->findings[i];

		if ((int)f->severity < a->rep.fail_on)
			continue;
		if (shown == GATE_BLOCKERS_SHOWN && !a->rep.verbose) {
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
	struct cli_scan *s = NULL;
	struct scan_opts so;
	struct report_baseline *baseline = NULL;
	struct age_stats st;
	struct tree_inv inv;
	struct report r;
#ifdef WS_HAVE_VERIFY
	struct cli_verify *v = NULL;
#endif
	char stamp[32], day[16];
	int code, run = 0;

	if ((code = gate_parse_args(&a, argc, argv)))
		return code < 0 ? WS_EXIT_CLEAN : code;
	memset(&st, 0, sizeof(st));
	tree_inv_init(&inv);
	report_init(&r, "gate");
	cli_errors_to(&r);
	cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));

	if ((a.scan && (code = cli_scan_load(&s, &a.feeds, 1))) ||
	    (code = cli_baseline_load(&baseline, a.rep.ignore)))
		goto done;
	code = cli_load_inputs(&inv, 1, (char **)&a.path, a.rep.src, a.rep.verbose);
	if (a.scan)
		cli_scan_run(&so, &r, &inv, s, a.reg.registry, 1);
	if (a.age && inv.ntrees)
		code = cli_worse(code, gate_age_run(&r, &inv, &a, &st));
#ifdef WS_HAVE_VERIFY
	if (a.verify && inv.ntrees)
		code = cli_worse(code, gate_verify_run(&v, &r, &inv, &a));
#endif
	cli_report_settle(&r, baseline, day);

	/* With COMMAND, stdout belongs to it: the report goes only to -o. */
	if (!a.command || a.rep.output) {
		/* the report is stamped when it is written */
		cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));
		code = cli_worse(code, cli_render(&r, a.rep.format, a.rep.output,
						  stamp));
	}
	if (cli_fails_on(&r, a.rep.fail_on))
		code = cli_worse(code, WS_EXIT_FINDINGS);
	gate_summary(&a, &r, &st);
#ifdef WS_HAVE_VERIFY
	if (v)
		cli_verify_note(v);
#endif
	if (!a.command)
		goto done;
	if (code == WS_EXIT_CLEAN) {
		run = 1;
	} else if (code == WS_EXIT_FINDINGS) {
		cli_error("not running \"%s\": findings at or above --fail-on %s",
			  a.command[0], report_severity_name(a.rep.fail_on));
		gate_blockers(&a, &r);
	} else {
		cli_error("not running \"%s\": the checks did not complete",
			  a.command[0]);
	}

done:
	report_baseline_free(baseline);
	cli_errors_to(NULL);
	report_release(&r);
#ifdef WS_HAVE_VERIFY
	cli_verify_free(v);
#endif
	tree_inv_release(&inv);
	cli_scan_free(s);
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
