/*
 * `wormsign report rotate`: the rotation checklist from a sweep report
 * and a certs report.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

#include "certs/certs.h"
#include "policy/policy.h"
#include "report/report.h"
#include "report/rotation.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define ROTATE_INPUT_MAX (512u << 20)

static const char rotate_help[] =
	"usage: wormsign report rotate --sweep FILE --certs FILE [--deadline DATE]\n"
	"       [--format json|markdown|text] [--output FILE]\n"
	"\n"
	"Writes the rotation checklist: every certificate, key and CI secret\n"
	"that was reachable in a repository the sweep marked affected, during\n"
	"its exposure window, grouped by platform, with the action to take.\n"
	"Persistence the sweep found is listed first, to be removed before\n"
	"anything is revoked. Everything else is listed as not in scope.\n"
	"\n"
	"Options:\n"
	"  --sweep FILE     a `wormsign sweep` report (JSON)\n"
	"  --certs FILE     a `wormsign certs --format json` report\n"
	"  --deadline DATE  the date (YYYY-MM-DD) every item is due\n"
	"  --format FMT     text (default), json (wormsign-report/1 with\n"
	"                   \"rotation\" and \"not_in_scope\") or markdown\n"
	"  -o, --output F   write to F (atomically) instead of standard output\n"
	"  -h, --help       show this help\n"
	"\n"
	"Exit status: 0 written, 2 usage or input error, 3 write error.\n"
	"See wormsign-report-rotate(1) for details.\n";

enum { OPT_SWEEP = 0x2000, OPT_CERTS, OPT_DEADLINE, OPT_FORMAT };

static int
valid_day(const char *s)
{
	char buf[32];
	time_t t;

	if (strlen(s) != 10)
		return 0;
	snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
	return policy_parse_time(buf, &t) == 0;
}

static int
read_input(struct strbuf *sb, const char *path)
{
	strbuf_init(sb, ROTATE_INPUT_MAX);
	if (strbuf_read_file(sb, path, 0)) {
		cli_error("%s", ws_error_last());
		return -1;
	}
	return 0;
}

int
cmd_report_rotate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sweep", required_argument, NULL, OPT_SWEEP },
		{ "certs", required_argument, NULL, OPT_CERTS },
		{ "deadline", required_argument, NULL, OPT_DEADLINE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sweep = NULL, *certs = NULL, *deadline = NULL;
	const char *output = NULL;
	enum cli_format fmt = CLI_FORMAT_TEXT;
	struct strbuf sb_sweep, sb_certs;
	struct rotation_list l;
	struct report r;
	char stamp[32], day[16];
	int c, err, code;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SWEEP:
			sweep = optarg;
			break;
		case OPT_CERTS:
			certs = optarg;
			break;
		case OPT_DEADLINE:
			if (!valid_day(optarg)) {
				cli_error("report rotate: --deadline: \"%s\" is not a date (YYYY-MM-DD)",
					  optarg);
				return WS_EXIT_USAGE;
			}
			deadline = optarg;
			break;
		case OPT_FORMAT:
			if (cli_parse_format_nosarif(&fmt, "report rotate",
						     optarg))
				return WS_EXIT_USAGE;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(rotate_help, stdout);
			return WS_EXIT_CLEAN;
		case ':':
			cli_error("report rotate: option '%s' needs an argument",
				  argv[optind - 1]);
			return WS_EXIT_USAGE;
		default:
			cli_error("report rotate: unknown option '%s'",
				  argv[optind - 1]);
			fputs("Try 'wormsign report rotate --help' for more.\n",
			      stderr);
			return WS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("report rotate: unexpected argument \"%s\"",
			  argv[optind]);
		return WS_EXIT_USAGE;
	}
	if (!sweep || !certs) {
		cli_error("report rotate: both --sweep FILE and --certs FILE are needed");
		return WS_EXIT_USAGE;
	}
	if (read_input(&sb_sweep, sweep))
		return WS_EXIT_USAGE;
	if (read_input(&sb_certs, certs)) {
		strbuf_release(&sb_sweep);
		return WS_EXIT_USAGE;
	}
	report_init(&r, "report rotate");
	report_add_target(&r, sweep);
	report_add_target(&r, certs);
	rotation_init(&l, &r.pool);
	err = certs_rotate(&l, sb_sweep.buf, sb_sweep.len, sweep, sb_certs.buf,
			   sb_certs.len, certs, deadline);
	if (err) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
	} else {
		rotation_add_sections(&r, &l);
		cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));
		code = cli_render(&r, fmt, output, stamp);
	}
	rotation_release(&l);
	report_release(&r);
	strbuf_release(&sb_sweep);
	strbuf_release(&sb_certs);
	return code;
}
