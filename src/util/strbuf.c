#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

static char strbuf_empty[1];

void
strbuf_init(struct strbuf *sb, size_t max)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	sb->max = max;
}

void
strbuf_release(struct strbuf *sb)
{
	if (!sb)
		return;
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, sb->max);
}

char *
strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p = sb->alloc ? sb->buf : xstrdup("");

	if (len)
		*len = sb->len;
	strbuf_init(sb, sb->max);
	return p;
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

static int
strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need;

	if (extra > sb->max || sb->len > sb->max - extra)
		return ws_error_set(WS_ELIMIT,
				    "buffer would exceed its limit of %zu bytes",
				    sb->max);
	need = sb->len + extra + 1;
	if (need > sb->alloc) {
		size_t n = sb->alloc ? sb->alloc : 64;
		char *p;

		while (n < need)
			n = n * 2 < n ? need : n * 2;
		p = sb->alloc ? xrealloc(sb->buf, n) : xmalloc(n);
		if (!sb->alloc)
			p[0] = '\0';
		sb->buf = p;
		sb->alloc = n;
	}
	return 0;
}

int
strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	int err = strbuf_grow(sb, len);

	if (err)
		return err;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int
strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	return strbuf_add(sb, &ch, 1);
}

int
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n, err;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ws_error_set(WS_ERROR, "bad format string");
	if ((err = strbuf_grow(sb, (size_t)n)))
		return err;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

int
strbuf_read_fd(struct strbuf *sb, int fd, const char *name)
{
	struct stat st;
	ssize_t n;
	int err;

	if (fstat(fd, &st) < 0)
		return ws_error_set(WS_EIO, "%s: %s", name, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ws_error_set(WS_EIO, "%s: is a directory", name);
	if (S_ISREG(st.st_mode) &&
	    (unsigned long long)st.st_size > sb->max)
		return ws_error_set(WS_ELIMIT,
				    "%s: file is %lld bytes, over the limit of %zu",
				    name, (long long)st.st_size, sb->max);
	/* Read straight into the buffer: a 40 MB lockfile is not worth a
	 * second copy. When the buffer is full (the size fstat gave, or a
	 * pipe), one byte read into a local tells EOF from more data. */
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (err = strbuf_grow(sb, (size_t)st.st_size)))
		return ws_error_set(err, "%s: file is %lld bytes, over the limit of %zu",
				    name, (long long)st.st_size,
				    sb->max - sb->len);
	for (;;) {
		size_t room = sb->alloc ? sb->alloc - sb->len - 1 : 0;
		char c;

		if (room > sb->max - sb->len)
			room = sb->max - sb->len;
		if (room == 0) {
			n = read(fd, &c, 1);
			if (n == 1) {
				size_t more = sb->max - sb->len;

				if (strbuf_add(sb, &c, 1) ||
				    (more > 1 &&
				     strbuf_grow(sb, more < 65536 ? more - 1 :
							       65536)))
					return ws_error_set(WS_ELIMIT,
							    "%s: file is over the limit of %zu bytes",
							    name, sb->max);
				continue;
			}
		} else {
			n = read(fd, sb->buf + sb->len, room);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ws_error_set(WS_EIO, "%s: %s", name,
					    strerror(errno));
		}
		if (n == 0)
			break;
		if (room) {
			sb->len += (size_t)n;
			sb->buf[sb->len] = '\0';
		}
	}
	return 0;
}

int
strbuf_read_file(struct strbuf *sb, const char *path, int nofollow)
{
	int fd, err;
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

	if (nofollow)
		flags |= O_NOFOLLOW;
	fd = open(path, flags);
	if (fd < 0) {
		if (errno == ENOENT)
			return ws_error_set(WS_ENOTFOUND, "%s: no such file",
					    path);
		return ws_error_set(WS_EIO, "%s: %s", path, strerror(errno));
	}
	err = strbuf_read_fd(sb, fd, path);
	close(fd);
	return err;
}
