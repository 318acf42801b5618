#include "cli/cli.h"

#include <curl/curl.h>
#include <git2.h>
#include <openssl/crypto.h>
#include <string.h>

#include "ws_config.h"
#include "util/banned.h"

const struct cli_command cli_commands[] = {
#ifdef WS_HAVE_SCAN
	{ "scan", cmd_scan,
	  "match dependency trees, files and tarballs against IOC feeds and rules",
	  "[--source SRC] [--feed FILE]... [--rules DIR]... [--tarball FILE]... "
	  "[--format text|json|sarif|markdown] [--fail-on SEV] [--ignore FILE] "
	  "[--output FILE] [PATH...]" },
#endif
#ifdef WS_HAVE_AGE
	{ "age", cmd_age, "report locked versions younger than the minimum release age",
	  "[--min-age DURATION] [--exclude PATTERN]... [--now TIMESTAMP] "
	  "[--registry URL] [--registry-from-npm] [--userconfig FILE] "
	  "[--cache DIR] [--offline] [--refresh] [--jobs N] [--source SRC] "
	  "[--format text|json|sarif|markdown] [-o FILE] [--fail-on SEV] "
	  "[--ignore FILE] [PATH...]" },
#endif
#ifdef WS_HAVE_FEEDS
	{ "feeds", cmd_feeds, "list, show, import and update IOC feeds",
	  "list|show ID|import --from osv|csv|list PATH|update URL --sha256 HEX "
	  "[--feed FILE]... "
	  "[--no-bundled] [--format text|json] [--id ID] [--title TEXT] "
	  "[--output FILE]" },
#endif
#ifdef WS_HAVE_GATE
	{ "gate", cmd_gate,
	  "run scan, age and verify, then COMMAND only when nothing reaches --fail-on",
	  "[--no-scan] [--no-age] [--no-verify] [--trusted-root FILE] [--min-age DURATION] [--exclude PATTERN]... "
	  "[--registry URL] [--cache DIR] [--offline] [--fail-on SEV] "
	  "[--format text|json|sarif|markdown] [--output FILE] [PATH] "
	  "[-- COMMAND...]" },
#endif
#ifdef WS_HAVE_VERIFY
	{ "verify", cmd_verify,
	  "verify registry signatures and Sigstore provenance, and flag provenance drift",
	  "[--offline] [--history N] [--trusted-root FILE] [--registry-keys FILE] "
	  "[--policy FILE] [--format text|json|sarif|markdown] [--output FILE] "
	  "[--fail-on SEV] [PATH...] | --bundle FILE [--digest ALG:HEX]" },
#endif
#ifdef WS_HAVE_SWEEP
	{ "sweep", cmd_sweep,
	  "sweep git repositories: refs, lockfile history, worm artifacts",
	  "[--under DIR] [--from FILE] [--refs PATTERN] [--since DATE] "
	  "[--jobs N] [--shard K/N] [--list] [--resume STATE.db] [--jsonl FILE] "
	  "[--format text|json|sarif|markdown] [--output FILE] [REPO...]" },
#endif
#ifdef WS_HAVE_CERTS
	{ "certs", cmd_certs,
	  "list signing certificates, keys and CI signing secrets in repositories",
	  "[--history] [--format text|json|markdown] [--output FILE] [REPO...]" },
#endif
#ifdef WS_HAVE_REPORT
	{ "report", cmd_report, "merge sharded reports; write the rotation checklist",
	  "merge SHARD... | rotate --sweep FILE --certs FILE [--deadline DATE]" },
#endif
#ifdef WS_HAVE_HOST
	{ "host", cmd_host,
	  "check this machine for worm persistence, payloads and exposed credentials",
	  "[--home DIR] [--since DATE] [--system | --system-root DIR] "
	  "[--feed FILE]... [--format text|json|sarif|markdown] "
	  "[--output FILE] [--fail-on SEV] [PROJECT...]" },
#endif
	{ "tree", cmd_tree, "print the dependency trees a project installs",
	  "[--source auto|lockfile|node_modules|all] [--format text|json] "
	  "[--why NAME[@RANGE]] [--output FILE] [PATH...]" },
	{ "help", cmd_help, "show help for wormsign or one of its commands",
	  "[COMMAND]" },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_command *
cli_find_command(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int
finish(int code)
{
	/* A report cut short by a full disk or closed pipe must not exit 0
	 * (git's git.c does the same check). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("write error on standard output");
		return WS_EXIT_FAILURE;
	}
	return code;
}

int
main(int argc, char **argv)
{
	const struct cli_command *c;
	int code;

	if (argc < 2) {
		cmd_help(1, argv);
		return WS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		return finish(cli_version(stdout));
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return finish(cmd_help(1, argv));
	c = cli_find_command(argv[1]);
	if (!c) {
		cli_error("'%s' is not a wormsign command; see 'wormsign help'",
			  argv[1]);
		return WS_EXIT_USAGE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	git_libgit2_init();
	OPENSSL_init_crypto(0, NULL);
	code = c->fn(argc - 1, argv + 1);
	git_libgit2_shutdown();
	curl_global_cleanup();
	return finish(code);
}
