#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "age/age.h"
#include "policy/policy.h"
#include "registry/npmrc.h"
#include "report/report.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"


extern char **environ;

#define AGE_EXCLUDES_MAX 256	/* --exclude */
#define AGE_NPM_OUTPUT_MAX 4096	/* `npm config get registry` */

static const char age_help[] =
	"Options:\n"
	"  --min-age DURATION  the minimum release age (7d, 36h, 1440m, 90s,\n"
	"                      2w); default: the project's own policy\n"
	"  --exclude PATTERN   exempt packages (a name glob or name@range;\n"
	"                      repeatable)\n"
	"  --now TIMESTAMP     judge ages at this RFC 3339 time (default: now)\n"
	"  --registry URL      the registry (default: npm's configuration)\n"
	"  --registry-from-npm ask 'npm config get registry' when nothing else\n"
	"                      configures one\n"
	"  --userconfig FILE   npm's user config (default: ~/.npmrc)\n"
	"  --cache DIR         the cache directory (DIR/registry.db)\n"
	"  --offline           use only the cache: make no request\n"
	"  --refresh           revalidate what the cache already covers\n"
	"  --jobs N            requests in flight (default 16)\n"
	"  --source SRC        auto, lockfile, node_modules or all, as for tree\n"
	"  --format FMT        text (default), json, sarif or markdown\n"
	"  -o, --output FILE   write the report to FILE (atomically)\n"
	"  --fail-on SEV       exit 1 on findings at or above SEV: critical,\n"
	"                      high (default), medium, low, info, or none\n"
	"  --ignore FILE       a baseline of accepted findings\n"
	"  -v, --verbose       print every warning\n"
	"  -h, --help          show this help\n"
	"\n"
	"PATH is a project directory or a lockfile, as for 'wormsign tree'.\n";

struct age_args {
	struct cli_report_args rep;	/* --source, --format, -o, ... */
	const char *min_age;
	int64_t min_age_s;
	const char *excludes[AGE_EXCLUDES_MAX];
	size_t nexcludes;
	time_t now;
	int have_now;
	struct cli_registry_args reg;	/* --registry, --cache, --offline, ... */
	int registry_from_npm;
};

enum {
	OPT_MIN_AGE = 256, OPT_EXCLUDE, OPT_NOW, OPT_FROM_NPM,
};

static int
age_option(void *ctx, int c, const char *arg)
{
	struct age_args *a = ctx;

	switch (c) {
	case OPT_MIN_AGE:
		if (policy_parse_duration(arg, &a->min_age_s)) {
			cli_error("--min-age: %s (a number and a unit: 7d, 36h, 1440m, 90s, 2w)",
				  ws_error_last());
			return WS_EXIT_USAGE;
		}
		a->min_age = arg;
		return 0;
	case OPT_EXCLUDE:
		return cli_list_add(a->excludes, &a->nexcludes, AGE_EXCLUDES_MAX,
				    arg, "--exclude") ? WS_EXIT_USAGE : 0;
	case OPT_NOW:
		if (policy_parse_time(arg, &a->now)) {
			cli_error("--now: %s (an RFC 3339 time such as 2026-01-31T12:00:00Z)",
				  ws_error_last());
			return WS_EXIT_USAGE;
		}
		a->have_now = 1;
		return 0;
	case OPT_FROM_NPM:
		a->registry_from_npm = 1;
		return 0;
	}
	return -1;
}

static int
age_parse_args(struct age_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "min-age", required_argument, NULL, OPT_MIN_AGE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "registry-from-npm", no_argument, NULL, OPT_FROM_NPM },
		CLI_REGISTRY_LONGOPTS,
		CLI_REGISTRY_MORE_LONGOPTS,
		CLI_REPORT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_options o = {
		"age", age_help, ":o:vh", opts, &a->rep, NULL, &a->reg,
		age_option, a,
	};
	int code;

	memset(a, 0, sizeof(*a));
	cli_report_args_init(&a->rep);
	if ((code = cli_parse_options(&o, argc, argv)))
		return code;
	return cli_registry_args_check(&a->reg);
}

/*
 * `npm config get registry`, run as npm itself (posix_spawnp, a fixed
 * argv, no shell): the one command wormsign ever runs. Returns a malloc'd
 * URL or NULL (the error printed).
 */
static char *
registry_from_npm(void)
{
	char *const argv[] = { "npm", "config", "get", "registry", NULL };
	posix_spawn_file_actions_t fa;
	char buf[AGE_NPM_OUTPUT_MAX + 1];
	size_t len = 0;
	ssize_t n;
	int fds[2], status = 0, ok = 0;
	pid_t pid;
	char *out = NULL;

	if (pipe(fds)) {
		cli_error("npm config get registry: %s", strerror(errno));
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (posix_spawnp(&pid, "npm", &fa, NULL, argv, environ)) {
		cli_error("--registry-from-npm: cannot run npm: %s",
			  strerror(errno));
		close(fds[0]);
		close(fds[1]);
		posix_spawn_file_actions_destroy(&fa);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (len < AGE_NPM_OUTPUT_MAX &&
	       (n = read(fds[0], buf + len, AGE_NPM_OUTPUT_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
		       buf[len - 1] == ' '))
		buf[--len] = '\0';
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	     (strncmp(buf, "https://", 8) == 0 || strncmp(buf, "http://", 7) == 0);
	if (!ok) {
		cli_error("--registry-from-npm: 'npm config get registry' gave no registry URL");
		return NULL;
	}
	out = xmalloc(len + 2);
	memcpy(out, buf, len + 1);
	if (buf[len - 1] != '/') {
		out[len] = '/';
		out[len + 1] = '\0';
	}
	return out;
}

static const char *
describe_source(char *buf, size_t n, const struct policy_source *s)
{
	if (s->tool == POLICY_TOOL_CLI)
		snprintf(buf, n, "%s %s", s->file, s->raw);
	else if (s->line)
		snprintf(buf, n, "%s:%u %s = %s", s->file, s->line, s->key,
			 s->raw);
	else
		snprintf(buf, n, "%s %s = %s", s->file, s->key, s->raw);
	return buf;
}

/* Fills p for dir; prints what it found. Returns an exit code. */
static int
load_policy(struct policy *p, const struct age_args *a, const char *dir,
	    const struct npmrc *cfg)
{
	const struct policy_source *s;
	char desc[1024];
	size_t i;
	int err, code = 0;

	if (a->min_age) {
		if ((err = policy_add_source(p, POLICY_TOOL_CLI, "--min-age",
					     "--min-age", a->min_age,
					     a->min_age_s))) {
			cli_error("%s", ws_error_last());
			return cli_exit_for(err);
		}
	} else if ((code = cli_policy_load_project(p, cfg, dir))) {
		return code;
	}
	/* policy_add_source() leaves line unset: the CLI's and npm's
	 * sources get theirs here, npm's with the file npm read it from */
	for (i = 0; i < p->nsources; i++) {
		struct policy_source *ps = &p->sources[i];
		struct npmrc_value v;

		if (ps->tool == POLICY_TOOL_CLI) {
			ps->line = 0;
		} else if (ps->tool == POLICY_TOOL_NPM) {
			ps->line = 0;
			if (npmrc_get(cfg, "min-release-age", &v) == 0) {
				ps->line = v.line;
				if (v.source)
					ps->file = v.source;
			}
		}
	}
	for (i = 0; i < a->nexcludes; i++)
		if ((err = policy_add_exclude(p, POLICY_TOOL_CLI,
					      a->excludes[i], "--exclude",
					      "--exclude"))) {
			cli_error("%s", ws_error_last());
			return cli_exit_for(err);
		}
	for (i = 0; i < p->nwarnings; i++)
		cli_warning("%s", p->warnings[i]);
	s = policy_strictest(p);
	if (!s) {
		cli_error("%s: no minimum release age is configured: set min-release-age (days) in .npmrc, minimumReleaseAge (minutes) in pnpm-workspace.yaml, npmMinimalAgeGate in .yarnrc.yml or [install] minimumReleaseAge (seconds) in bunfig.toml, or pass --min-age",
			  dir);
		return WS_EXIT_USAGE;
	}
	for (i = 0; i < p->nsources; i++)
		cli_note("%s: %s policy %s (%" PRId64 "s)%s", dir,
			 policy_tool_name(p->sources[i].tool),
			 describe_source(desc, sizeof(desc), &p->sources[i]),
			 p->sources[i].seconds,
			 &p->sources[i] == s && p->nsources > 1 ? ", the strictest" : "");
	if (p->nexcludes)
		cli_note("%s: %zu exclude pattern%s", dir, p->nexcludes,
			 p->nexcludes == 1 ? "" : "s");
	return code;
}

int
cmd_age(int argc, char **argv)
{
	struct age_args a;
	struct npmrc *cfg = NULL;
	struct cli_registry *reg = NULL;
	struct report_baseline *baseline = NULL;
	struct report r;
	struct age_stats total;
	char stamp[32], day[16];
	char shown_registry[1024];
	char *npm_registry = NULL, *dir = NULL;
	const char *registry;
	char **paths;
	struct policy *pols = NULL;
	size_t i, npols = 0;
	int npaths, code, err, p;
	struct tm tm;
	time_t now;

	if ((code = age_parse_args(&a, argc, argv)))
		return code < 0 ? WS_EXIT_CLEAN : code;
	report_init(&r, "age");
	cli_errors_to(&r);
	memset(&total, 0, sizeof(total));
	now = a.have_now ? a.now : time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	npaths = cli_operands(&paths, argc, argv);

	/* npm's configuration, as npm reads it from the first project */
	dir = cli_project_dir(paths[0]);
	if ((code = cli_npmrc_load(&cfg, a.reg.registry, a.reg.userconfig, dir)))
		goto done;
	cli_npmrc_warnings(cfg, a.rep.verbose);
	registry = npmrc_registry_for(cfg, NULL);
	if (!registry && a.registry_from_npm) {
		if (!(npm_registry = registry_from_npm())) {
			code = WS_EXIT_USAGE;
			goto done;
		}
		registry = npm_registry;
	}
	if (!registry) {
		cli_error("no registry is configured: set registry= in .npmrc, npm_config_registry, or pass --registry (or --registry-from-npm to ask npm)");
		code = WS_EXIT_USAGE;
		goto done;
	}
	npmrc_redact(registry, shown_registry, sizeof(shown_registry));
	if ((code = cli_baseline_load(&baseline, a.rep.ignore)))
		goto done;

	/* every project's policy first: a missing one stops before any
	 * file or request is made */
	pols = xcalloc((size_t)npaths, sizeof(*pols));
	for (p = 0; p < npaths; p++) {
		struct npmrc *pcfg = cfg;
		char *pdir = cli_project_dir(paths[p]);
		int c = 0;

		policy_init(&pols[p]);
		npols = (size_t)p + 1;
		if (p > 0 && !a.min_age)
			c = cli_npmrc_load(&pcfg, a.reg.registry, a.reg.userconfig,
					   pdir);
		if (!c)
			c = load_policy(&pols[p], &a, pdir, pcfg);
		if (pcfg != cfg)
			npmrc_free(pcfg);
		free(pdir);
		if (c) {
			code = c;
			goto done;
		}
	}

	/* the cache (--offline never creates one) and the client */
	a.reg.ro.offline_skip_missing = 1;
	if ((code = cli_registry_open(&reg, cfg, registry, &a.reg.ro)))
		goto done;
	cli_note("registry %s%s", shown_registry, a.reg.ro.offline ? " (offline: cache only)" : "");

	/* each project: its inputs, its policy, the check */
	code = WS_EXIT_CLEAN;
	for (p = 0; p < npaths; p++) {
		struct tree_inv inv;
		struct age_opts o;
		struct age_stats st;

		tree_inv_init(&inv);
		code = cli_worse(code, cli_load_inputs(&inv, 1, &paths[p], a.rep.src,
						       a.rep.verbose));
		memset(&o, 0, sizeof(o));
		o.policy = &pols[p];
		o.client = cli_registry_client(reg);
		o.now = now;
		o.registry = shown_registry;
		err = age_check(&r, &inv, &o, &st);
		if (err) {
			cli_error("%s", ws_error_last());
			code = cli_worse(code, cli_exit_for(err));
		}
		total.packages += st.packages;
		total.names += st.names;
		cli_registry_stats_add(&total.registry, &st.registry);
		tree_inv_release(&inv);
	}
	cli_note("checked %zu package versions of %zu names: %zu fetched, %zu revalidated, %zu cached, %zu not found, %zu failed, %zu offline; %zu requests",
		 total.packages, total.names, total.registry.fetched,
		 total.registry.revalidated, total.registry.cached,
		 total.registry.not_found, total.registry.failed,
		 total.registry.offline, total.registry.requests);
	if (a.reg.ro.offline && total.registry.offline)
		cli_note("offline: %zu package names were not (fully) in the cache; they are reported as release-unchecked",
			 total.registry.offline);

	cli_report_settle(&r, baseline, day);
	code = cli_worse(code, cli_report_emit(&r, &a.rep, stamp));

done:
	cli_registry_free(reg);
	report_baseline_free(baseline);
	cli_errors_to(NULL);
	report_release(&r);
	npmrc_free(cfg);
	free(npm_registry);
	free(dir);
	for (i = 0; i < npols; i++)
		policy_release(&pols[i]);
	free(pols);
	return code;
}
