#include "util/mempool.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct mempool_block {
	struct mempool_block *next;
	char *next_free;
	char *end;
	_Alignas(max_align_t) char space[];
};

void
mempool_init(struct mempool *mp, size_t block_size)
{
	mp->head = NULL;
	mp->block_size = block_size ? block_size : (64u << 10);
	mp->total = 0;
}

void
mempool_release(struct mempool *mp)
{
	struct mempool_block *b, *next;

	if (!mp)
		return;
	for (b = mp->head; b; b = next) {
		next = b->next;
		free(b);
	}
	mp->head = NULL;
	mp->total = 0;
}

static struct mempool_block *
mempool_new_block(struct mempool *mp, size_t size)
{
	struct mempool_block *b = xmalloc(sizeof(*b) + size);

	b->next_free = b->space;
	b->end = b->space + size;
	return b;
}

void *
mempool_alloc(struct mempool *mp, size_t n)
{
	struct mempool_block *b = mp->head;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!b || (size_t)(b->end - b->next_free) < n) {
		if (n > mp->block_size / 4) {
			/* A large request gets its own block behind the
			 * current one, so the current block's tail stays
			 * usable. */
			b = mempool_new_block(mp, n);
			if (mp->head) {
				b->next = mp->head->next;
				mp->head->next = b;
			} else {
				b->next = NULL;
				mp->head = b;
			}
		} else {
			b = mempool_new_block(mp, mp->block_size);
			b->next = mp->head;
			mp->head = b;
		}
	}
	p = b->next_free;
	b->next_free += n;
	mp->total += n;
	return p;
}

void *
mempool_calloc(struct mempool *mp, size_t n)
{
	void *p = mempool_alloc(mp, n);

	memset(p, 0, n);
	return p;
}

char *
mempool_strndup(struct mempool *mp, const char *s, size_t n)
{
	char *p = mempool_alloc(mp, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mempool_strdup(struct mempool *mp, const char *s)
{
	return mempool_strndup(mp, s, strlen(s));
}

char *
mempool_strcat2(struct mempool *mp, const char *a, size_t alen, const char *b,
		size_t blen)
{
	char *p = mempool_alloc(mp, alen + blen + 1);

	memcpy(p, a, alen);
	memcpy(p + alen, b, blen);
	p[alen + blen] = '\0';
	return p;
}

char *
mempool_printf(struct mempool *mp, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return mempool_strdup(mp, "");
	s = mempool_alloc(mp, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
