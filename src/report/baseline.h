#ifndef WS_REPORT_BASELINE_H
#define WS_REPORT_BASELINE_H

/*
 * Private to src/report (and its fuzz target): the baseline parser behind
 * report_baseline_load, on a buffer instead of a file.
 */

#include <stddef.h>

#include "report/report.h"

#define REPORT_BASELINE_MAX (4u << 20)		/* bytes of a baseline file */
#define REPORT_BASELINE_ENTRIES_MAX 100000u	/* entries in "ignore" */
#define REPORT_BASELINE_STRING_MAX 4096u	/* bytes of an id or reason */

/*
 * Parses buf[0..len), which must be writable and NUL-terminated at
 * buf[len] (it is parsed in place and left modified); name is used in
 * messages. Returns 0 and the baseline in *out, or WS_EPARSE / WS_ELIMIT
 * with "name:line:col: what" and *out NULL.
 */
int report_baseline_parse(struct report_baseline **out, char *buf,
			  size_t len, const char *name);

#endif
