/*
 * `wormsign report merge`: the shards of a sweep (JSON Lines or reports)
 * joined into one report, as if one machine had swept them all.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

#include "git/sweep.h"
#include "report/report.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char merge_help[] =
	"usage: wormsign report merge [--format text|json|sarif|markdown]\n"
	"                             [--output FILE] [--fail-on SEV] SHARD...\n"
	"\n"
	"Join the shards of a sweep into one report.\n"
	"\n"
	"Options:\n"
	"  --format FMT        text (default), json, sarif or markdown\n"
	"  -o, --output FILE   write the report to FILE (atomically)\n"
	"  --fail-on SEV       exit 1 when a repository has findings at or\n"
	"                      above SEV (default high)\n"
	"  -h, --help          show this help\n"
	"\n"
	"SHARD is the JSON Lines (--jsonl) or the JSON report (--format json)\n"
	"of a sweep. A repository found in several is kept once: the last one\n"
	"read wins.\n"
	"\n"
	"See wormsign-report-merge(1) for details.\n";

static void
on_result(struct sweep_result *res, void *payload)
{
	sweep_set_add(payload, res);
}

int
cmd_report_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, CLI_OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, CLI_OPT_FAIL_ON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_report_args a;
	struct report_section sec;
	struct sweep_set set;
	struct report r;
	char stamp[32], day[16];
	int c, i, code = 0, err;
	size_t j;

	cli_report_args_init(&a);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		int taken = cli_report_option(&a, c, optarg);

		if (taken < 0)
			return WS_EXIT_USAGE;
		if (taken)
			continue;
		if (c == 'h') {
			fputs(merge_help, stdout);
			return WS_EXIT_CLEAN;
		}
		if (c == ':')
			cli_error("report merge: option '%s' needs an argument",
				  argv[optind - 1]);
		else
			cli_error("report merge: unknown option '%s'",
				  argv[optind - 1]);
		fputs("Try 'wormsign report merge --help' for more.\n", stderr);
		return WS_EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_error("report merge: which shards? (the JSON Lines or reports of 'wormsign sweep')");
		return WS_EXIT_USAGE;
	}
	sweep_set_init(&set);
	report_init(&r, "sweep");
	cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));
	for (i = optind; i < argc; i++) {
		struct strbuf sb;

		strbuf_init(&sb, SWEEP_RESULT_MAX);
		err = strbuf_read_file(&sb, argv[i], 0);
		if (err == WS_ELIMIT)
			ws_error_set(err, "%s: larger than %u bytes", argv[i],
				     SWEEP_RESULT_MAX);
		if (!err)
			err = sweep_read_buffer(sb.buf, sb.len, argv[i],
						on_result, &set);
		strbuf_release(&sb);
		if (err) {
			cli_error("%s", ws_error_last());
			code = cli_worse(code, cli_exit_for(err));
		}
	}
	if (code)
		goto done;
	sweep_set_finish(&set, &r);
	for (j = 0; j < set.n; j++)
		sweep_result_assess(set.items[j], a.fail_on < 0 ? REPORT_INFO :
					(enum report_severity)a.fail_on);
	sweep_set_section(&set, &sec);
	report_add_section(&r, &sec);
	report_sort(&r);
	code = cli_render(&r, a.format, a.output, stamp);
	if (a.fail_on >= 0 && sweep_set_affected(&set))
		code = cli_worse(code, WS_EXIT_FINDINGS);
	if (r.nerrors)
		code = cli_worse(code, WS_EXIT_FAILURE);
done:
	report_release(&r);
	sweep_set_release(&set);
	return code;
}
