/*
 * `wormsign certs`: the signing material and CI signing secrets in
 * repositories and directories, as an inventory for the rotation
 * checklist (`wormsign report rotate`).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

#include "certs/certs.h"
#include "report/report.h"
#include "util/error.h"
#include "util/banned.h"

static const char certs_help[] =
	"Options:\n"
	"  --history        also read every commit reachable from the refs\n"
	"                   (at most 20000 per repository), not only HEAD\n"
	"  --format FMT     text (default), json (wormsign-report/1 with\n"
	"                   \"certificates\" and \"secrets\") or markdown\n"
	"  -o, --output F   write to F (atomically) instead of standard output\n"
	"  -h, --help       show this help\n"
	"\n"
	"Each REPO is a git repository (working tree or bare: read with\n"
	"libgit2, never checked out) or a plain directory (walked without\n"
	"following symlinks); default '.'. Containers are opened with the\n"
	"empty password only; key material and secret values are never\n"
	"printed. Exit status: 0 done, 2 usage or input error, 3 a repository\n"
	"or a file could not be read (the inventory is incomplete).\n";

enum { OPT_HISTORY = 0x2000, OPT_FORMAT };

struct certs_args {
	struct certs_scan_opts o;
	enum cli_format fmt;
	const char *output;
};

static int
certs_option(void *ctx, int c, const char *arg)
{
	struct certs_args *a = ctx;

	switch (c) {
	case OPT_HISTORY:
		a->o.history = 1;
		return 0;
	case OPT_FORMAT:
		if (cli_parse_format_nosarif(&a->fmt, "certs", arg))
			return WS_EXIT_USAGE;
		return 0;
	case 'o':
		a->output = arg;
		return 0;
	}
	return -1;
}

int
cmd_certs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "history", no_argument, NULL, OPT_HISTORY },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct certs_args a = { { 0, 0 }, CLI_FORMAT_TEXT, NULL };
	const struct cli_options co = {
		"certs", certs_help, ":o:h", longopts, NULL, NULL, NULL,
		certs_option, &a,
	};
	char **roots;
	char stamp[32], day[16];
	struct certs_inv inv;
	struct report r;
	int i, nroots, code;

	if ((code = cli_parse_options(&co, argc, argv)))
		return code < 0 ? WS_EXIT_CLEAN : code;
	nroots = cli_operands(&roots, argc, argv);

	certs_inv_init(&inv);
	report_init(&r, "certs");
	for (i = 0; i < nroots; i++) {
		int err;

		size_t before = r.nerrors;

		report_add_target(&r, roots[i]);
		err = certs_scan(&inv, roots[i], &a.o, &r);
		if (!err && r.nerrors > before) {
			/* objects or files that could not be read: the
			 * inventory is incomplete and must not look whole */
			code = cli_worse(code, WS_EXIT_FAILURE);
		} else if (err) {
			cli_error("%s", ws_error_last());
			report_add_error(&r, roots[i], ws_error_last());
			code = cli_worse(code, err == WS_EIO ? WS_EXIT_FAILURE :
							       WS_EXIT_USAGE);
		}
	}
	cli_report_errors(&r);
	certs_add_sections(&r, &inv);
	cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));
	code = cli_worse(code, cli_render(&r, a.fmt, a.output, stamp));
	report_release(&r);
	certs_inv_release(&inv);
	return code;
}
