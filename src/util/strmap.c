#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

void
strmap_init(struct strmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

void
strmap_release(struct strmap *m)
{
	if (!m)
		return;
	free(m->slots);
	strmap_init(m);
}

uint32_t
strmap_hash(const char *key, size_t len)
{
	/*
	 * Eight bytes a step, multiply-xorshift mixing (in the spirit of
	 * wyhash, much simplified): keys are paths and names of 10 to 60
	 * bytes, and a byte-at-a-time hash was a visible share of reading a
	 * large lockfile. No seed: the map leaks no timing to anyone.
	 */
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)len;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
		h ^= h >> 31;
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;

		memcpy(&w, p, len);
		h = (h ^ w) * 0x94D049BB133111EBull;
		h ^= h >> 29;
	}
	h *= 0xBF58476D1CE4E5B9ull;
	return (uint32_t)(h ^ (h >> 32));
}

static struct strmap_entry *
strmap_slot(struct strmap_entry *slots, size_t cap, const char *key,
	    size_t len, uint32_t hash)
{
	size_t mask = cap - 1, i = hash & mask;

	for (;;) {
		struct strmap_entry *e = &slots[i];

		if (!e->key)
			return e;
		if (e->hash == hash && e->len == len &&
		    memcmp(e->key, key, len) == 0)
			return e;
		i = (i + 1) & mask;
	}
}

struct strmap_entry *
strmap_find(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_entry *e;

	if (!m->cap)
		return NULL;
	e = strmap_slot(m->slots, m->cap, key, len, strmap_hash(key, len));
	return e->key ? e : NULL;
}

static void
strmap_rehash(struct strmap *m, size_t cap)
{
	struct strmap_entry *slots = xcalloc(cap, sizeof(*slots));
	size_t i;

	for (i = 0; i < m->cap; i++) {
		struct strmap_entry *e = &m->slots[i];

		if (e->key)
			*strmap_slot(slots, cap, e->key, e->len, e->hash) = *e;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void
strmap_reserve(struct strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	while (cap < n * 2 + 2)
		cap *= 2;
	if (cap > m->cap)
		strmap_rehash(m, cap);
}

int
strmap_put(struct strmap *m, const char *key, size_t len, uint32_t value,
	   struct strmap_entry **entry)
{
	uint32_t hash = strmap_hash(key, len);
	struct strmap_entry *e;

	/* at most half full: a failed lookup (common when resolving) then
	 * probes about 2.5 slots, against 8.5 at three quarters */
	if ((m->count + 1) * 2 > m->cap)
		strmap_rehash(m, m->cap ? m->cap * 2 : 64);
	e = strmap_slot(m->slots, m->cap, key, len, hash);
	if (entry)
		*entry = e;
	if (e->key)
		return 0;
	e->key = key;
	e->len = (uint32_t)len;
	e->hash = hash;
	e->value = value;
	m->count++;
	return 1;
}
