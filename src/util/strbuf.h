#ifndef WS_UTIL_STRBUF_H
#define WS_UTIL_STRBUF_H

/*
 * A growable, always NUL-terminated byte buffer with a mandatory size limit
 * (curl's dynbuf). Appending past `max` bytes fails with WS_ELIMIT and leaves
 * the buffer as it was, so untrusted input can never grow it without bound.
 */

#include <stddef.h>

struct strbuf {
	char *buf;	/* never NULL after init: "" until something is added */
	size_t len;
	size_t alloc;
	size_t max;	/* largest len allowed */
};

void strbuf_init(struct strbuf *sb, size_t max);
void strbuf_release(struct strbuf *sb);
/* Hands the buffer to the caller (free() it) and re-initialises sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_reset(struct strbuf *sb);

int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Reads the whole file at path into sb, failing with WS_ELIMIT (and reading
 * nothing) when it is larger than sb->max, WS_ENOTFOUND when it does not
 * exist and WS_EIO otherwise. Does not follow a final symlink when nofollow
 * is set. The error message names the path.
 */
int strbuf_read_file(struct strbuf *sb, const char *path, int nofollow);
/* Same, from an open descriptor; `name` is used in messages. */
int strbuf_read_fd(struct strbuf *sb, int fd, const char *name);

#endif
