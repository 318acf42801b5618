#ifndef WS_UTIL_XALLOC_H
#define WS_UTIL_XALLOC_H

/*
 * Allocation that cannot fail: on exhaustion these print one line to stderr
 * and abort, so no caller carries an out-of-memory path (cmark, signify).
 * Sizes are checked for overflow.
 */

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc for arrays: nmemb * size, checked for overflow */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows *array (of *alloc elements of size elem) so that it holds at least
 * need elements; doubles, so appends are amortised O(1). */
void xgrow(void **array, size_t *alloc, size_t need, size_t elem);
#define XGROW(arr, alloc, need) \
	xgrow((void **)&(arr), &(alloc), (need), sizeof(*(arr)))

#endif
