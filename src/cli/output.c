#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report/report.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Where cli_error() also records its messages (cli_errors_to). */
static struct report *error_sink;

void
cli_errors_to(struct report *r)
{
	error_sink = r;
}

/*
 * The report's record of an input error: the target is what comes before
 * the first ": " (every message names its file first), the message the
 * rest.
 */
static void
sink_error(const char *msg)
{
	const char *sep = strstr(msg, ": ");
	char target[1024];

	if (!sep || (size_t)(sep - msg) >= sizeof(target)) {
		report_add_error(error_sink, "", msg);
	} else {
		memcpy(target, msg, (size_t)(sep - msg));
		target[sep - msg] = '\0';
		report_add_error(error_sink, target, sep + 2);
	}
	error_sink->errors[error_sink->nerrors - 1].shown = 1;
}

/*
 * Messages quote names and paths from what was scanned; control bytes
 * are shown as \xNN so that none reaches the terminal as an escape.
 */
static void
cli_vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];
	size_t i;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (error_sink && strcmp(prefix, "wormsign: ") == 0)
		sink_error(buf);
	fputs(prefix, stderr);
	for (i = 0; buf[i]; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('\n', stderr);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmessage("wormsign: ", fmt, ap);
	va_end(ap);
}

void
cli_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmessage("wormsign: warning: ", fmt, ap);
	va_end(ap);
}

void
cli_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmessage("wormsign: note: ", fmt, ap);
	va_end(ap);
}

int
cli_bad_option(const char *cmd, int c, char **argv)
{
	if (c == ':')
		cli_error("%s: option '%s' needs an argument", cmd,
			  argv[optind - 1]);
	else if (optopt)
		cli_error("%s: unknown option '-%c'", cmd, optopt);
	else
		cli_error("%s: unknown option '%s'", cmd, argv[optind - 1]);
	{
		const struct cli_command *cc = cli_find_command(cmd);

		if (cc)
			fprintf(stderr, "usage: wormsign %s %s\n", cc->name,
				cc->usage);
	}
	fprintf(stderr, "Try 'wormsign %s --help' for more.\n", cmd);
	return WS_EXIT_USAGE;
}

int
cli_exit_for(int err)
{
	switch (err) {
	case 0:
		return WS_EXIT_CLEAN;
	case WS_ENET:
	case WS_EIO:
		return WS_EXIT_FAILURE;
	default:
		return WS_EXIT_USAGE;
	}
}

int
cli_use_color(FILE *fp)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return 0;
	return isatty(fileno(fp));
}

int
cli_output_open(struct cli_output *out, const char *path)
{
	int fd;

	memset(out, 0, sizeof(*out));
	if (!path || strcmp(path, "-") == 0) {
		out->fp = stdout;
		return 0;
	}
	out->path = xstrdup(path);
	/*
	 * A device, FIFO or socket (/dev/null, /dev/stdout, a pipe) is written
	 * in place: renaming a temporary file over it would replace the
	 * device with a regular file.
	 */
	{
		struct stat st;

		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			if (S_ISDIR(st.st_mode)) {
				free(out->path);
				out->path = NULL;
				return ws_error_set(WS_EIO, "%s: is a directory",
						    path);
			}
			fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
			if (fd < 0 || !(out->fp = fdopen(fd, "w"))) {
				int e = errno;

				if (fd >= 0)
					close(fd);
				free(out->path);
				out->path = NULL;
				return ws_error_set(WS_EIO, "%s: cannot open: %s",
						    path, strerror(e));
			}
			return 0;
		}
	}
	out->tmp = xmalloc(strlen(path) + 16);
	memcpy(out->tmp, path, strlen(path));
	memcpy(out->tmp + strlen(path), ".tmp-XXXXXX", 12);
	fd = mkstemp(out->tmp);
	if (fd < 0) {
		int e = errno;

		free(out->tmp);
		free(out->path);
		out->tmp = out->path = NULL;
		return ws_error_set(WS_EIO, "%s: cannot create: %s", path,
				    strerror(e));
	}
	out->fp = fdopen(fd, "w");
	if (!out->fp) {
		close(fd);
		cli_output_abort(out);
		return ws_error_set(WS_EIO, "%s: %s", path, strerror(errno));
	}
	return 0;
}

int
cli_output_commit(struct cli_output *out)
{
	int err = 0;

	if (!out->path)
		return 0;
	if (fflush(out->fp) != 0 || ferror(out->fp) ||
	    (out->tmp && fsync(fileno(out->fp)) != 0))
		err = ws_error_set(WS_EIO, "%s: write error: %s", out->path,
				   strerror(errno));
	if (fclose(out->fp) != 0 && !err)
		err = ws_error_set(WS_EIO, "%s: write error: %s", out->path,
				   strerror(errno));
	out->fp = NULL;
	if (!err && out->tmp && rename(out->tmp, out->path) != 0)
		err = ws_error_set(WS_EIO, "%s: cannot rename into place: %s",
				   out->path, strerror(errno));
	if (err && out->tmp)
		unlink(out->tmp);
	free(out->tmp);
	free(out->path);
	out->tmp = out->path = NULL;
	return err;
}

void
cli_output_abort(struct cli_output *out)
{
	if (out->path) {
		if (out->fp)
			fclose(out->fp);
		if (out->tmp)
			unlink(out->tmp);
	}
	free(out->tmp);
	free(out->path);
	memset(out, 0, sizeof(*out));
}

int
cli_parse_format(enum cli_format *out, const char *arg)
{
	if (strcmp(arg, "text") == 0)
		*out = CLI_FORMAT_TEXT;
	else if (strcmp(arg, "json") == 0)
		*out = CLI_FORMAT_JSON;
	else if (strcmp(arg, "sarif") == 0)
		*out = CLI_FORMAT_SARIF;
	else if (strcmp(arg, "markdown") == 0)
		*out = CLI_FORMAT_MARKDOWN;
	else {
		cli_error("--format: unknown format \"%s\" (text, json, sarif, markdown)",
			  arg);
		return -1;
	}
	return 0;
}

int
cli_parse_format_nosarif(enum cli_format *out, const char *cmd,
			 const char *arg)
{
	if (cli_parse_format(out, arg))
		return -1;
	if (*out == CLI_FORMAT_SARIF) {
		cli_error("%s: --format sarif is not offered (text, json, markdown)",
			  cmd);
		return -1;
	}
	return 0;
}

int
cli_parse_fail_on(int *out, const char *arg)
{
	enum report_severity sev;

	if (strcmp(arg, "none") == 0) {
		*out = -1;
	} else if (report_severity_parse(&sev, arg) == 0) {
		*out = (int)sev;
	} else {
		cli_error("--fail-on: unknown severity \"%s\" (critical, high, medium, low, info, none)",
			  arg);
		return -1;
	}
	return 0;
}

int
cli_worse(int a, int b)
{
	return b > a ? b : a;
}

void
cli_utc_now(char *stamp, size_t n, char *day, size_t dn)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(day, dn, "%Y-%m-%d", &tm);
}

void
cli_report_errors(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nerrors; i++) {
		const char *t = r->errors[i].target, *m = r->errors[i].message;

		if (r->errors[i].shown)
			continue;
		/* most messages already start with their target */
		if (strncmp(m, t, strlen(t)) == 0)
			cli_warning("%s", m);
		else
			cli_warning("%s: %s", t, m);
	}
}

int
cli_render(const struct report *r, enum cli_format fmt, const char *output,
	   const char *stamp)
{
	struct cli_output out;
	int err;

	if ((err = cli_output_open(&out, output))) {
		cli_error("%s", ws_error_last());
		return WS_EXIT_FAILURE;
	}
	switch (fmt) {
	case CLI_FORMAT_JSON:
		err = report_json(out.fp, r, stamp);
		break;
	case CLI_FORMAT_SARIF:
		err = report_sarif(out.fp, r);
		break;
	case CLI_FORMAT_MARKDOWN:
		err = report_markdown(out.fp, r);
		break;
	default:
		err = report_text(out.fp, r, !output && cli_use_color(out.fp));
	}
	if (err) {
		if (output)
			cli_error("%s: write error", output);
		cli_output_abort(&out);
		return WS_EXIT_FAILURE;
	}
	if ((err = cli_output_commit(&out))) {
		cli_error("%s", ws_error_last());
		return WS_EXIT_FAILURE;
	}
	return 0;
}

void
cli_report_args_init(struct cli_report_args *a)
{
	memset(a, 0, sizeof(*a));
	a->src = CLI_SOURCE_AUTO;
	a->format = CLI_FORMAT_TEXT;
	a->fail_on = REPORT_HIGH;
}

int
cli_report_option(struct cli_report_args *a, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_SOURCE:
		return cli_parse_source(&a->src, arg) ? -1 : 1;
	case CLI_OPT_FORMAT:
		return cli_parse_format(&a->format, arg) ? -1 : 1;
	case CLI_OPT_FAIL_ON:
		return cli_parse_fail_on(&a->fail_on, arg) ? -1 : 1;
	case CLI_OPT_IGNORE:
		a->ignore = arg;
		return 1;
	case 'o':
		a->output = arg;
		return 1;
	case 'v':
		a->verbose = 1;
		return 1;
	}
	return 0;
}

int
cli_baseline_load(struct report_baseline **out, const char *ignore)
{
	int err;

	*out = NULL;
	if (ignore && (err = report_baseline_load(out, ignore))) {
		cli_error("%s", ws_error_last());
		return cli_exit_for(err);
	}
	return 0;
}

void
cli_report_settle(struct report *r, const struct report_baseline *b,
		  const char *day)
{
	if (b)
		report_apply_baseline(r, b, day);
	report_sort(r);
	cli_report_errors(r);
}

int
cli_fails_on(const struct report *r, int fail_on)
{
	return fail_on >= 0 && report_max_severity(r) >= fail_on;
}

int
cli_report_emit(const struct report *r, const struct cli_report_args *a,
		const char *stamp)
{
	int code = cli_render(r, a->format, a->output, stamp);

	if (cli_fails_on(r, a->fail_on))
		code = cli_worse(code, WS_EXIT_FINDINGS);
	return code;
}

int
cli_list_add(const char **list, size_t *n, size_t max, const char *v,
	     const char *opt)
{
	if (*n >= max) {
		cli_error("%s: at most %zu times", opt, max);
		return -1;
	}
	list[(*n)++] = v;
	return 0;
}

void
cli_feed_args_init(struct cli_feed_args *a)
{
	memset(a, 0, sizeof(*a));
	a->bundled = 1;
	a->rules = 1;
}

int
cli_feed_option(struct cli_feed_args *a, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_FEED:
		return cli_list_add(a->feeds, &a->nfeeds, CLI_FEEDS_MAX, arg,
				    "--feed") ? -1 : 1;
	case CLI_OPT_NO_BUNDLED_FEEDS:
		a->bundled = 0;
		return 1;
	case CLI_OPT_RULES:
		return cli_list_add(a->rule_dirs, &a->nrule_dirs, CLI_FEEDS_MAX,
				    arg, "--rules") ? -1 : 1;
	case CLI_OPT_NO_RULES:
		a->rules = 0;
		return 1;
	}
	return 0;
}

int
cli_parse_options(const struct cli_options *o, int argc, char **argv)
{
	int c, taken;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, o->shortopts, o->longopts,
				NULL)) != -1) {
		taken = o->rep ? cli_report_option(o->rep, c, optarg) : 0;
		if (!taken && o->feeds)
			taken = cli_feed_option(o->feeds, c, optarg);
		if (!taken && o->reg)
			taken = cli_registry_option(o->reg, c, optarg);
		if (taken < 0)
			return WS_EXIT_USAGE;
		if (taken)
			continue;
		if (c == 'h') {
			cli_usage(stdout, o->cmd, o->help);
			return -1;
		}
		if (!o->own || (taken = o->own(o->ctx, c, optarg)) < 0)
			return cli_bad_option(o->cmd, c, argv);
		if (taken)
			return taken;
	}
	return 0;
}
