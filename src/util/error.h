#ifndef WS_UTIL_ERROR_H
#define WS_UTIL_ERROR_H

/*
 * One error convention for the whole tree.
 *
 * A function that can fail returns int: 0 on success, a negative WS_E* code
 * for an expected failure, or -1 (WS_ERROR) for anything else. The human
 * readable detail goes to a thread-local slot, set with ws_error_set() and
 * read with ws_error_last(); the slot keeps the most recent message only.
 *
 * Messages are lowercase, have no final period and name their subject first
 * ("package-lock.json:3:14: expected ':' after object key").
 */

#include <stdarg.h>

enum ws_error_code {
	WS_OK = 0,
	WS_ERROR = -1,
	WS_ENOTFOUND = -2,
	WS_EPARSE = -3,
	WS_ENET = -4,
	WS_EVERIFY = -5,
	WS_ELIMIT = -6,
	WS_EIO = -7,
	WS_EUNSUPPORTED = -8,
};

/* Records a formatted message and returns code, so callers can write
 * `return ws_error_set(WS_EPARSE, "%s: ...", path);`. */
int ws_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ws_error_vset(int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Prefixes the current message with "prefix: ", keeping the code. */
int ws_error_prefix(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last message of this thread; never NULL ("" when none was set). */
const char *ws_error_last(void);

/* The code given with the last message, WS_OK when none. */
int ws_error_last_code(void);

void ws_error_clear(void);

#endif
