#ifndef WS_UTIL_MEMPOOL_H
#define WS_UTIL_MEMPOOL_H

/*
 * A bump allocator (git's mem-pool.h): many small allocations with one
 * owner and one lifetime, freed together by mempool_release(). Allocations
 * are 8-byte aligned and never fail (xmalloc aborts).
 */

#include <stddef.h>

struct mempool_block;

struct mempool {
	struct mempool_block *head;
	size_t block_size;
	size_t total;		/* bytes handed out, for accounting */
};

void mempool_init(struct mempool *mp, size_t block_size);
void mempool_release(struct mempool *mp);

void *mempool_alloc(struct mempool *mp, size_t n);
void *mempool_calloc(struct mempool *mp, size_t n);
char *mempool_strndup(struct mempool *mp, const char *s, size_t n);
char *mempool_strdup(struct mempool *mp, const char *s);
/* Concatenation of two strings, a + b, NUL-terminated. */
char *mempool_strcat2(struct mempool *mp, const char *a, size_t alen,
		      const char *b, size_t blen);

/* A formatted string in the pool. */
char *mempool_printf(struct mempool *mp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
