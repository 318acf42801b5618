/*
 * `wormsign sweep`: many repositories, in parallel, into one report.
 * The module (src/git) sweeps one repository; this file finds them, shards
 * them, runs the workers, streams JSON Lines, keeps the --resume state and
 * renders the report.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "git/sweep.h"
#include "json/json.h"
#include "report/report.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define SWEEP_UNDER_MAX 64
#define SWEEP_UNDER_DEPTH_DEFAULT 4
#define SWEEP_UNDER_DEPTH_MAX 32
#define SWEEP_REPOS_MAX (16u << 20)	/* repositories in one run */
#define SWEEP_LIST_MAX (1u << 30)	/* bytes of a --from list */
#define SWEEP_PATH_MAX 4096
#define SWEEP_JOBS_MAX 256
#define SWEEP_STACK_SIZE (8u << 20)

static const char sweep_help[] =
	"Options:\n"
	"  --under DIR         sweep every repository below DIR (repeatable;\n"
	"                      symlinks are not followed)\n"
	"  --depth N           how deep --under looks (default 4)\n"
	"  --from FILE         repositories listed in FILE, one per line, '#'\n"
	"                      comments ('-': standard input)\n"
	"  --refs PATTERN      only branches and tags matching PATTERN (a glob\n"
	"                      over refs/heads/NAME, refs/tags/NAME or NAME);\n"
	"                      HEAD is always swept\n"
	"  --since DATE        history from DATE (YYYY-MM-DD; default: 30 days\n"
	"                      before the earliest first_seen (else published)\n"
	"                      date of the loaded feeds)\n"
	"  --all-history       read the whole history\n"
	"  -j, --jobs N        parallel workers (default: the number of cores)\n"
	"  --shard K/N         only the repositories whose FNV-1a 64 hash of\n"
	"                      their path as given, modulo N, is K\n"
	"  --list              print the repositories this run (and shard) would\n"
	"                      sweep, one per line, and sweep nothing\n"
	"  --resume STATE.db   skip repositories already swept at the same refs\n"
	"                      (SQLite; created when missing)\n"
	"  --jsonl FILE        one JSON object per repository, as each finishes\n"
	"  --feed FILE         add a feed (repeatable); --no-bundled-feeds drops\n"
	"                      the bundled ones\n"
	"  --format FMT        text (default), json, sarif or markdown\n"
	"  -o, --output FILE   write the report to FILE (atomically)\n"
	"  --fail-on SEV       a repository is affected, and the exit status 1,\n"
	"                      with findings at or above SEV (default high)\n"
	"  --ignore FILE       a baseline of accepted findings\n"
	"  -v, --verbose       print every warning and the work counts\n"
	"  -h, --help          show this help\n"
	"\n"
	"REPO is a repository: a work tree, its .git, or a bare repository.\n"
	"Nothing is checked out and no hook or filter runs.\n";

struct sweep_args {
	struct cli_report_args rep;
	const char *under[SWEEP_UNDER_MAX];
	size_t nunder;
	unsigned depth;
	const char *from;
	const char *refs;
	const char *since;
	int all_history;
	unsigned jobs;
	unsigned shard_k, shard_n;
	const char *resume;
	const char *jsonl;
	int list;
	struct cli_feed_args feeds;	/* --feed, --no-bundled-feeds */
};

enum {
	OPT_UNDER = 256, OPT_DEPTH, OPT_FROM, OPT_REFS, OPT_SINCE,
	OPT_ALL_HISTORY, OPT_SHARD, OPT_RESUME, OPT_JSONL, OPT_LIST,
};

static int
sweep_option(void *ctx, int c, const char *arg)
{
	struct sweep_args *a = ctx;
	int64_t ignored;
	char *end;
	long v;

	switch (c) {
	case OPT_UNDER:
		return cli_list_add(a->under, &a->nunder, SWEEP_UNDER_MAX, arg,
				    "--under") ? WS_EXIT_USAGE : 0;
	case OPT_DEPTH:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 0 ||
		    v > SWEEP_UNDER_DEPTH_MAX) {
			cli_error("--depth: \"%s\" is not a number from 0 to %d",
				  arg, SWEEP_UNDER_DEPTH_MAX);
			return WS_EXIT_USAGE;
		}
		a->depth = (unsigned)v;
		return 0;
	case OPT_FROM:
		a->from = arg;
		return 0;
	case OPT_REFS:
		a->refs = arg;
		return 0;
	case OPT_SINCE:
		if (sweep_parse_date(arg, &ignored)) {
			cli_error("--since: %s", ws_error_last());
			return WS_EXIT_USAGE;
		}
		a->since = arg;
		return 0;
	case OPT_ALL_HISTORY:
		a->all_history = 1;
		return 0;
	case 'j':
		if (cli_parse_jobs(&a->jobs, arg))
			return WS_EXIT_USAGE;
		return 0;
	case OPT_SHARD:
		if (sweep_shard_parse(arg, &a->shard_k, &a->shard_n)) {
			cli_error("--shard: %s", ws_error_last());
			return WS_EXIT_USAGE;
		}
		return 0;
	case OPT_RESUME:
		a->resume = arg;
		return 0;
	case OPT_JSONL:
		a->jsonl = arg;
		return 0;
	case OPT_LIST:
		a->list = 1;
		return 0;
	}
	return -1;
}

static int
sweep_parse_args(struct sweep_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "under", required_argument, NULL, OPT_UNDER },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "refs", required_argument, NULL, OPT_REFS },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "all-history", no_argument, NULL, OPT_ALL_HISTORY },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "jsonl", required_argument, NULL, OPT_JSONL },
		CLI_FEED_LONGOPTS,
		{ "list", no_argument, NULL, OPT_LIST },
		CLI_OUTPUT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_options o = {
		"sweep", sweep_help, ":o:vhj:", opts, &a->rep, &a->feeds, NULL,
		sweep_option, a,
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int code;

	memset(a, 0, sizeof(*a));
	cli_report_args_init(&a->rep);
	cli_feed_args_init(&a->feeds);
	a->depth = SWEEP_UNDER_DEPTH_DEFAULT;
	a->jobs = cores < 1 ? 1 : cores > SWEEP_JOBS_MAX ? SWEEP_JOBS_MAX :
							   (unsigned)cores;
	a->shard_n = 1;
	if ((code = cli_parse_options(&o, argc, argv)))
		return code;
	return 0;
}

/* ---- the repositories ---- */

struct repo_list {
	char **v;
	size_t n, alloc;
	struct strmap seen;
};

static int
list_add(struct repo_list *l, const char *path, size_t len)
{
	char *p;

	if (l->n >= SWEEP_REPOS_MAX) {
		cli_error("more than %u repositories in one sweep: shard them",
			  SWEEP_REPOS_MAX);
		return WS_EXIT_USAGE;
	}
	p = xstrndup(path, len);
	if (!strmap_put(&l->seen, p, len, 0, NULL)) {
		free(p);	/* listed twice: swept once */
		return 0;
	}
	XGROW(l->v, l->alloc, l->n + 1);
	l->v[l->n++] = p;
	return 0;
}

static void
list_release(struct repo_list *l)
{
	size_t i;

	strmap_release(&l->seen);
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int
is_dir_at(const char *path, const char *name)
{
	char p[SWEEP_PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", path, name) >= sizeof(p))
		return 0;
	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
exists_at(const char *path, const char *name)
{
	char p[SWEEP_PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", path, name) >= sizeof(p))
		return 0;
	return lstat(p, &st) == 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Repositories below dir: a directory with .git (a work tree) or with
 * HEAD, objects/ and refs/ (bare) is one, and is not looked into further.
 * Directories are read with lstat only, so a symlink is never followed
 * (out of DIR or into a loop); entries are sorted so the order, and the
 * JSON Lines, are the same on every run.
 */
static int
find_under(struct repo_list *l, const char *dir, unsigned depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	int code = 0;

	if (exists_at(dir, ".git") ||
	    (exists_at(dir, "HEAD") && is_dir_at(dir, "objects") &&
	     is_dir_at(dir, "refs")))
		return list_add(l, dir, strlen(dir));
	if (depth == 0)
		return 0;
	if (!(d = opendir(dir))) {
		cli_warning("%s: cannot read: %s", dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!is_dir_at(dir, de->d_name))
			continue;	/* files and symlinks */
		XGROW(names, alloc, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		char p[SWEEP_PATH_MAX];
		size_t dl = strlen(dir);

		if (!code && (size_t)snprintf(p, sizeof(p), "%s%s%s", dir,
					      dl && dir[dl - 1] == '/' ? "" : "/",
					      names[i]) < sizeof(p))
			code = find_under(l, p, depth - 1);
		free(names[i]);
	}
	free(names);
	return code;
}

static int
read_list(struct repo_list *l, const char *path)
{
	struct strbuf sb;
	char *p, *end;
	int err, code = 0;

	strbuf_init(&sb, SWEEP_LIST_MAX);
	if (strcmp(path, "-") == 0)
		err = strbuf_read_fd(&sb, 0, "(standard input)");
	else
		err = strbuf_read_file(&sb, path, 0);
	if (err) {
		cli_error("--from: %s", ws_error_last());
		strbuf_release(&sb);
		return cli_exit_for(err);
	}
	for (p = sb.buf, end = sb.buf + sb.len; p < end && !code;) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		char *q = eol ? eol : end;

		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
			q--;
		if (q > p && *p != '#') {
			if (q - p >= SWEEP_PATH_MAX) {
				cli_error("%s: a line longer than %d bytes", path,
					  SWEEP_PATH_MAX);
				code = WS_EXIT_USAGE;
				break;
			}
			code = list_add(l, p, (size_t)(q - p));
		}
		p = eol ? eol + 1 : end;
	}
	strbuf_release(&sb);
	return code;
}

/* ---- the workers ---- */

struct run {
	char **repos;
	size_t n;
	const struct sweep_opts *o;
	struct sweep_result **results;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next, done, findings, affected, resumed, commits, blobs;
	FILE *jsonl;
	const char *jsonl_path;
	int jsonl_failed;
	struct sweep_state *state;
	int state_failed;
};

static void
finish_one(struct run *rn, size_t i, struct sweep_result *res)
{
	pthread_mutex_lock(&rn->mu);
	rn->results[i] = res;
	if (rn->jsonl && !rn->jsonl_failed) {
		size_t len;
		char *line = sweep_result_line(res, &len);

		if (fwrite(line, 1, len, rn->jsonl) != len ||
		    fputc('\n', rn->jsonl) == EOF || fflush(rn->jsonl) != 0)
			rn->jsonl_failed = 1;
		free(line);
	}
	if (rn->state && !res->resumed && !rn->state_failed &&
	    sweep_state_put(rn->state, res)) {
		cli_error("%s", ws_error_last());
		rn->state_failed = 1;
	}
	rn->done++;
	rn->findings += res->findings.nfindings;
	rn->affected += res->affected != 0;
	rn->resumed += res->resumed != 0;
	rn->commits += res->commits;
	rn->blobs += res->blobs;
	pthread_cond_signal(&rn->cv);
	pthread_mutex_unlock(&rn->mu);
}

static void *
worker(void *arg)
{
	struct run *rn = arg;

	for (;;) {
		struct sweep_result *res;
		char *head = NULL, *state = NULL;
		size_t i;
		int got = 0;

		pthread_mutex_lock(&rn->mu);
		i = rn->next++;
		pthread_mutex_unlock(&rn->mu);
		if (i >= rn->n)
			break;
		res = xmalloc(sizeof(*res));
		if (rn->state && sweep_repo_state(&head, &state, rn->repos[i]) == 0) {
			pthread_mutex_lock(&rn->mu);
			got = sweep_state_get(rn->state, rn->repos[i], state, res);
			pthread_mutex_unlock(&rn->mu);
			if (got < 0) {
				cli_warning("%s", ws_error_last());
				got = 0;
			}
		}
		ws_error_clear();
		free(head);
		free(state);
		if (!got) {
			sweep_result_init(res, rn->repos[i]);
			sweep_repo(res, rn->repos[i], rn->o);
		}
		finish_one(rn, i, res);
	}
	return NULL;
}

static void
progress(struct run *rn, time_t start, int last)
{
	double el = difftime(time(NULL), start);
	double rate = el > 0 ? (double)rn->done / el : 0;
	long eta = rate > 0 ? (long)((double)(rn->n - rn->done) / rate) : -1;

	char etas[32] = "?";

	if (eta >= 0)
		snprintf(etas, sizeof(etas), "%ldm%02lds", eta / 60, eta % 60);
	fprintf(stderr, "\rsweep: %zu/%zu repositories, %zu affected, %zu findings, %.1f repos/s, ETA %s\033[K",
		rn->done, rn->n, rn->affected, rn->findings, rate, etas);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

static int
run_workers(struct run *rn, unsigned jobs)
{
	pthread_t *th = xcalloc(jobs, sizeof(*th));
	pthread_attr_t attr;
	unsigned i, started = 0;
	int tty = isatty(2), code = 0;
	time_t start = time(NULL);

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SWEEP_STACK_SIZE);
	for (i = 0; i < jobs; i++) {
		if (pthread_create(&th[i], &attr, worker, rn) != 0) {
			if (!started) {
				cli_error("cannot start a worker thread");
				code = WS_EXIT_FAILURE;
			}
			break;
		}
		started++;
	}
	pthread_attr_destroy(&attr);
	if (tty && started) {
		pthread_mutex_lock(&rn->mu);
		while (rn->done < rn->n) {
			struct timespec ts;

			progress(rn, start, 0);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 250000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&rn->cv, &rn->mu, &ts);
		}
		progress(rn, start, 1);
		pthread_mutex_unlock(&rn->mu);
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	return code;
}

int
cmd_sweep(int argc, char **argv)
{
	struct sweep_args a;
	struct cli_scan *s = NULL;
	struct report_baseline *baseline = NULL;
	struct repo_list all, mine;
	struct sweep_set set;
	struct sweep_opts o;
	struct report_section sec;
	struct report r;
	struct run rn;
	char stamp[32], day[16];
	size_t i;
	int code, err, anyerr = 0;
	const struct feed_set *feeds;

	if ((code = sweep_parse_args(&a, argc, argv)))
		return code < 0 ? WS_EXIT_CLEAN : code;
	memset(&all, 0, sizeof(all));
	memset(&mine, 0, sizeof(mine));
	memset(&rn, 0, sizeof(rn));
	strmap_init(&all.seen);
	strmap_init(&mine.seen);
	sweep_set_init(&set);
	report_init(&r, "sweep");
	pthread_mutex_init(&rn.mu, NULL);
	pthread_cond_init(&rn.cv, NULL);
	cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));

	for (i = (size_t)optind; i < (size_t)argc && !code; i++)
		code = list_add(&all, argv[i], strlen(argv[i]));
	if (!code && a.from)
		code = read_list(&all, a.from);
	for (i = 0; i < a.nunder && !code; i++) {
		struct stat st;

		if (lstat(a.under[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			cli_error("--under: %s: not a directory", a.under[i]);
			code = WS_EXIT_USAGE;
			break;
		}
		code = find_under(&all, a.under[i], a.depth);
	}
	if (code)
		goto done;
	if (!all.n && optind >= argc && !a.from && !a.nunder) {
		cli_error("sweep: which repositories? (REPO..., --under DIR or --from FILE)");
		code = WS_EXIT_USAGE;
		goto done;
	}
	for (i = 0; i < all.n; i++)
		if (sweep_shard_has(all.v[i], a.shard_k, a.shard_n) &&
		    (code = list_add(&mine, all.v[i], strlen(all.v[i]))))
			goto done;
	if (a.list) {
		for (i = 0; i < mine.n; i++)
			printf("%s\n", mine.v[i]);
		goto done;
	}

	if ((code = cli_scan_load(&s, &a.feeds, 0)) ||
	    (code = cli_baseline_load(&baseline, a.rep.ignore)))
		goto done;
	if ((err = sweep_global_setup())) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_FAILURE;
		goto done;
	}
	feeds = cli_scan_feeds(s);
	memset(&o, 0, sizeof(o));
	o.feeds = feeds;
	o.refs_pattern = a.refs;
	o.affected_at = a.rep.fail_on < 0 ? REPORT_INFO :
					     (enum report_severity)a.rep.fail_on;
	if (a.all_history)
		o.since = 0;
	else if (a.since)
		sweep_parse_date(a.since, &o.since);
	else
		o.since = sweep_default_since(feeds);

	if (a.resume && (err = sweep_state_open(&rn.state, a.resume))) {
		cli_error("--resume: %s", ws_error_last());
		code = WS_EXIT_FAILURE;
		goto done;
	}
	if (a.jsonl && !(rn.jsonl = fopen(a.jsonl, "w"))) {
		cli_error("--jsonl: %s: cannot create: %s", a.jsonl,
			  strerror(errno));
		code = WS_EXIT_FAILURE;
		goto done;
	}
	rn.jsonl_path = a.jsonl;
	rn.repos = mine.v;
	rn.n = mine.n;
	rn.o = &o;
	rn.results = xcalloc(mine.n ? mine.n : 1, sizeof(*rn.results));
	if ((code = run_workers(&rn, a.jobs)))
		goto done;
	if (rn.jsonl && (fclose(rn.jsonl) != 0 || rn.jsonl_failed)) {
		rn.jsonl = NULL;
		cli_error("--jsonl: %s: write error", a.jsonl);
		code = WS_EXIT_FAILURE;
		goto done;
	}
	rn.jsonl = NULL;
	if (rn.state_failed)
		code = WS_EXIT_FAILURE;

	for (i = 0; i < rn.n; i++) {
		if (rn.results[i]->nerrors)
			anyerr = 1;
		sweep_set_add(&set, rn.results[i]);
		rn.results[i] = NULL;
	}
	sweep_set_finish(&set, &r);
	sweep_set_section(&set, &sec);
	report_add_section(&r, &sec);
	/* accepted findings are counted as suppressed, and no longer make
	 * their repository affected */
	if (baseline)
		report_apply_baseline(&r, baseline, day);
	for (i = 0; baseline && i < set.n; i++) {
		report_apply_baseline(&set.items[i]->findings, baseline, day);
		sweep_result_assess(set.items[i], o.affected_at);
	}
	report_sort(&r);
	if (a.rep.verbose)
		cli_note("%zu repositories (shard %u/%u of %zu): %zu swept, %zu resumed, %zu affected; %zu commits read, %zu lockfile blobs parsed",
			 rn.n, a.shard_k, a.shard_n, all.n, rn.n - rn.resumed,
			 rn.resumed, rn.affected, rn.commits, rn.blobs);
	cli_report_errors(&r);
	code = cli_worse(code, cli_render(&r, a.rep.format, a.rep.output, stamp));
	if (cli_fails_on(&r, a.rep.fail_on) && sweep_set_affected(&set))
		code = cli_worse(code, WS_EXIT_FINDINGS);
	if (anyerr)
		code = cli_worse(code, WS_EXIT_FAILURE);

done:
	if (rn.jsonl)
		fclose(rn.jsonl);
	for (i = 0; rn.results && i < rn.n; i++) {
		sweep_result_release(rn.results[i]);
		free(rn.results[i]);
	}
	free(rn.results);
	sweep_state_close(rn.state);
	pthread_cond_destroy(&rn.cv);
	pthread_mutex_destroy(&rn.mu);
	report_release(&r);
	sweep_set_release(&set);
	report_baseline_free(baseline);
	list_release(&mine);
	list_release(&all);
	cli_scan_free(s);
	return code;
}
