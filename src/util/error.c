#include "util/error.h"

#include <stdio.h>
#include <string.h>

#define ERROR_MSG_MAX 1024

static _Thread_local char error_msg[ERROR_MSG_MAX];
static _Thread_local int error_code;

int
ws_error_vset(int code, const char *fmt, va_list ap)
{
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	error_code = code;
	return code;
}

int
ws_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ws_error_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int
ws_error_prefix(int code, const char *fmt, ...)
{
	char old[ERROR_MSG_MAX];
	char prefix[ERROR_MSG_MAX];
	va_list ap;

	memcpy(old, error_msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* both halves fit in one message when shortened: keep their starts */
	snprintf(error_msg, sizeof(error_msg), "%.500s: %.500s", prefix, old);
	error_code = code;
	return code;
}

const char *
ws_error_last(void)
{
	return error_msg;
}

int
ws_error_last_code(void)
{
	return error_code;
}

void
ws_error_clear(void)
{
	error_msg[0] = '\0';
	error_code = WS_OK;
}
