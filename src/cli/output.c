#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

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
	    fsync(fileno(out->fp)) != 0)
		err = ws_error_set(WS_EIO, "%s: write error: %s", out->path,
				   strerror(errno));
	if (fclose(out->fp) != 0 && !err)
		err = ws_error_set(WS_EIO, "%s: write error: %s", out->path,
				   strerror(errno));
	out->fp = NULL;
	if (!err && rename(out->tmp, out->path) != 0)
		err = ws_error_set(WS_EIO, "%s: cannot rename into place: %s",
				   out->path, strerror(errno));
	if (err)
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
