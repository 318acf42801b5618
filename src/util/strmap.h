#ifndef WS_UTIL_STRMAP_H
#define WS_UTIL_STRMAP_H

/*
 * An open-addressing hash map from byte strings to uint32_t values. Keys are
 * borrowed: the caller keeps them alive (usually in a mempool) for the life
 * of the map. Used for location and name@version indexes with millions of
 * entries, so it stores only a key pointer, length, hash and value.
 */

#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
	const char *key;
	uint32_t len;
	uint32_t hash;
	uint32_t value;
};

struct strmap {
	struct strmap_entry *slots;
	size_t cap;	/* power of two, 0 when empty */
	size_t count;
};

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);

uint32_t strmap_hash(const char *key, size_t len);

/* Sizes the map for n keys now, so filling it never rehashes. */
void strmap_reserve(struct strmap *m, size_t n);

/* Returns the slot for key, or NULL. */
struct strmap_entry *strmap_find(const struct strmap *m, const char *key,
				 size_t len);
/*
 * Inserts key with value unless present. Returns 1 when inserted, 0 when the
 * key was already there; *entry (if not NULL) gets the slot either way, valid
 * until the next insertion.
 */
int strmap_put(struct strmap *m, const char *key, size_t len, uint32_t value,
	       struct strmap_entry **entry);

#endif
