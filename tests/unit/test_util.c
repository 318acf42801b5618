/* util: strbuf, mempool, strmap, the error slot, xalloc. */

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* A fresh directory under $TMPDIR (the build directory under meson). */
static char *
make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;
	size_t n;

	if (!base || !*base)
		base = "/tmp";
	n = strlen(base) + sizeof("/ws-util-XXXXXX");
	dir = xmalloc(n);
	snprintf(dir, n, "%s/ws-util-XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static char *
path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* ---- strbuf ---- */

START_TEST(strbuf_starts_empty_and_terminated)
{
	struct strbuf sb;

	strbuf_init(&sb, 16);
	ck_assert_ptr_nonnull(sb.buf);
	ck_assert_str_eq(sb.buf, "");
	ck_assert_uint_eq(sb.len, 0);
	strbuf_release(&sb);
	ck_assert_str_eq(sb.buf, "");
	strbuf_release(NULL);
}
END_TEST

START_TEST(strbuf_append_up_to_max_succeeds)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	ck_assert_int_eq(strbuf_addstr(&sb, "abcd"), 0);
	ck_assert_int_eq(strbuf_add(&sb, "efgh", 4), 0);
	ck_assert_int_eq(sb.len, 8);
	ck_assert_str_eq(sb.buf, "abcdefgh");
	strbuf_release(&sb);
}
END_TEST

START_TEST(strbuf_append_past_max_fails_and_leaves_buffer_unchanged)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	ck_assert_int_eq(strbuf_addstr(&sb, "abcdef"), 0);
	ws_error_clear();
	ck_assert_int_eq(strbuf_addstr(&sb, "ghi"), WS_ELIMIT);
	ck_assert_int_eq(ws_error_last_code(), WS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "limit of 8 bytes"));
	ck_assert_uint_eq(sb.len, 6);
	ck_assert_str_eq(sb.buf, "abcdef");
	ck_assert_int_eq(strbuf_addch(&sb, 'g'), 0);
	ck_assert_int_eq(strbuf_addch(&sb, 'h'), 0);
	ck_assert_int_eq(strbuf_addch(&sb, 'i'), WS_ELIMIT);
	ck_assert_str_eq(sb.buf, "abcdefgh");
	ck_assert_int_eq(strbuf_addf(&sb, "%d", 1), WS_ELIMIT);
	ck_assert_str_eq(sb.buf, "abcdefgh");
	strbuf_release(&sb);
}
END_TEST

START_TEST(strbuf_huge_length_does_not_overflow_the_limit_check)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	ck_assert_int_eq(strbuf_addstr(&sb, "ab"), 0);
	ck_assert_int_eq(strbuf_add(&sb, "x", SIZE_MAX), WS_ELIMIT);
	ck_assert_int_eq(strbuf_add(&sb, "x", SIZE_MAX - 1), WS_ELIMIT);
	ck_assert_str_eq(sb.buf, "ab");
	strbuf_release(&sb);
}
END_TEST

START_TEST(strbuf_zero_max_accepts_only_nothing)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	ck_assert_int_eq(strbuf_add(&sb, "", 0), 0);
	ck_assert_int_eq(strbuf_addch(&sb, 'a'), WS_ELIMIT);
	ck_assert_str_eq(sb.buf, "");
	strbuf_release(&sb);
}
END_TEST

START_TEST(strbuf_grows_across_many_appends)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, 1u << 20);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(strbuf_addch(&sb, 'a' + (int)(i % 26)), 0);
	ck_assert_uint_eq(sb.len, 100000);
	ck_assert_uint_eq(strlen(sb.buf), 100000);
	ck_assert_int_eq(sb.buf[26], 'a');
	ck_assert_int_eq(sb.buf[99999], 'a' + 99999 % 26);
	strbuf_release(&sb);
}
END_TEST

START_TEST(strbuf_addf_formats_and_appends)
{
	struct strbuf sb;

	strbuf_init(&sb, 64);
	ck_assert_int_eq(strbuf_addf(&sb, "%s@%d", "a", 1), 0);
	ck_assert_int_eq(strbuf_addf(&sb, "/%03d/%zu", 42, (size_t)7), 0);
	ck_assert_str_eq(sb.buf, "a@1/042/7");
	ck_assert_uint_eq(sb.len, strlen("a@1/042/7"));
	ck_assert_int_eq(strbuf_addf(&sb, "%s", ""), 0);
	ck_assert_uint_eq(sb.len, strlen("a@1/042/7"));
	strbuf_release(&sb);
}
END_TEST

START_TEST(strbuf_addf_fits_exactly_at_max)
{
	struct strbuf sb;

	strbuf_init(&sb, 5);
	ck_assert_int_eq(strbuf_addf(&sb, "%d", 12345), 0);
	ck_assert_str_eq(sb.buf, "12345");
	strbuf_release(&sb);
}
END_TEST

START_TEST(strbuf_reset_keeps_allocation_and_detach_hands_it_over)
{
	struct strbuf sb;
	char *p;
	size_t len;

	strbuf_init(&sb, 64);
	p = strbuf_detach(&sb, &len);
	ck_assert_str_eq(p, "");
	ck_assert_uint_eq(len, 0);
	free(p);

	strbuf_addstr(&sb, "hello");
	strbuf_reset(&sb);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_str_eq(sb.buf, "");
	ck_assert_uint_gt(sb.alloc, 0);
	strbuf_addstr(&sb, "abc");
	p = strbuf_detach(&sb, &len);
	ck_assert_str_eq(p, "abc");
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_uint_eq(sb.max, 64);
	ck_assert_str_eq(sb.buf, "");
	free(p);
	strbuf_release(&sb);
}
END_TEST

/* ---- strbuf_read_file ---- */

START_TEST(read_file_reads_whole_file)
{
	char *dir = make_tmpdir();
	char *path = path_in(dir, "f");
	struct strbuf sb;
	char data[70000];
	size_t i;

	/* more than one read() chunk, with a NUL inside */
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 23);
	data[100] = '\0';
	write_file(path, data, sizeof(data));
	strbuf_init(&sb, 1u << 20);
	ck_assert_int_eq(strbuf_read_file(&sb, path, 1), 0);
	ck_assert_uint_eq(sb.len, sizeof(data));
	ck_assert_mem_eq(sb.buf, data, sizeof(data));
	ck_assert_int_eq(sb.buf[sb.len], '\0');
	strbuf_release(&sb);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(read_file_missing_is_not_found_naming_the_path)
{
	char *dir = make_tmpdir();
	char *path = path_in(dir, "no-such-file.json");
	struct strbuf sb;

	strbuf_init(&sb, 1024);
	ck_assert_int_eq(strbuf_read_file(&sb, path, 0), WS_ENOTFOUND);
	ck_assert_int_eq(ws_error_last_code(), WS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), path));
	ck_assert_uint_eq(sb.len, 0);
	strbuf_release(&sb);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(read_file_over_max_is_refused_without_reading)
{
	char *dir = make_tmpdir();
	char *path = path_in(dir, "big");
	struct strbuf sb;

	write_file(path, "0123456789", 10);
	strbuf_init(&sb, 9);
	ck_assert_int_eq(strbuf_read_file(&sb, path, 0), WS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), path));
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "10 bytes"));
	/* the size was checked first: nothing allocated, nothing read */
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_uint_eq(sb.alloc, 0);
	strbuf_release(&sb);

	strbuf_init(&sb, 10);
	ck_assert_int_eq(strbuf_read_file(&sb, path, 0), 0);
	ck_assert_str_eq(sb.buf, "0123456789");
	strbuf_release(&sb);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(read_file_nofollow_refuses_a_symlink)
{
	char *dir = make_tmpdir();
	char *target = path_in(dir, "target");
	char *link = path_in(dir, "link");
	struct strbuf sb;
	int err;

	write_file(target, "secret", 6);
	ck_assert_int_eq(symlink("target", link), 0);
	strbuf_init(&sb, 1024);
	err = strbuf_read_file(&sb, link, 1);
	ck_assert_int_lt(err, 0);
	ck_assert_int_ne(err, WS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), link));
	ck_assert_uint_eq(sb.len, 0);
	/* without nofollow the same link is read */
	ck_assert_int_eq(strbuf_read_file(&sb, link, 0), 0);
	ck_assert_str_eq(sb.buf, "secret");
	strbuf_release(&sb);
	unlink(link);
	unlink(target);
	rmdir(dir);
	free(link);
	free(target);
	free(dir);
}
END_TEST

START_TEST(read_file_refuses_a_directory)
{
	char *dir = make_tmpdir();
	struct strbuf sb;

	strbuf_init(&sb, 1024);
	ck_assert_int_eq(strbuf_read_file(&sb, dir, 0), WS_EIO);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "is a directory"));
	strbuf_release(&sb);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(read_file_appends_to_existing_content)
{
	char *dir = make_tmpdir();
	char *path = path_in(dir, "f");
	struct strbuf sb;

	write_file(path, "tail", 4);
	strbuf_init(&sb, 8);
	strbuf_addstr(&sb, "head");
	ck_assert_int_eq(strbuf_read_file(&sb, path, 0), 0);
	ck_assert_str_eq(sb.buf, "headtail");
	/* the limit counts what was already there */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "head!");
	ck_assert_int_eq(strbuf_read_file(&sb, path, 0), WS_ELIMIT);
	ck_assert_str_eq(sb.buf, "head!");
	strbuf_release(&sb);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(read_fd_enforces_max_on_a_pipe)
{
	struct strbuf sb;
	int fds[2];

	/* a pipe has no size to check up front: the limit applies while
	 * reading */
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "0123456789", 10), 10);
	close(fds[1]);
	strbuf_init(&sb, 5);
	ck_assert_int_eq(strbuf_read_fd(&sb, fds[0], "pipe"), WS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "pipe"));
	ck_assert_uint_le(sb.len, 5);
	close(fds[0]);
	strbuf_release(&sb);
}
END_TEST

/* ---- mempool ---- */

START_TEST(mempool_allocations_are_aligned_and_distinct)
{
	struct mempool mp;
	char *prev = NULL;
	size_t i;

	mempool_init(&mp, 256);
	for (i = 1; i < 200; i++) {
		char *p = mempool_alloc(&mp, i % 13 + 1);

		ck_assert_uint_eq((uintptr_t)p % 8, 0);
		ck_assert_ptr_ne(p, prev);
		memset(p, 0xAA, i % 13 + 1);
		prev = p;
	}
	mempool_release(&mp);
}
END_TEST

START_TEST(mempool_large_allocation_gets_its_own_block)
{
	struct mempool mp;
	char *small1, *big, *small2, *huge;

	mempool_init(&mp, 1024);
	small1 = mempool_alloc(&mp, 16);
	big = mempool_alloc(&mp, 4000);	/* > block_size / 4, and > block */
	small2 = mempool_alloc(&mp, 16);
	ck_assert_uint_eq((uintptr_t)big % 8, 0);
	memset(big, 1, 4000);
	/* the current block's tail stays in use after the big one */
	ck_assert_ptr_eq(small2, small1 + 16);
	huge = mempool_alloc(&mp, 10u << 20);
	memset(huge, 2, 10u << 20);
	ck_assert_int_eq(big[3999], 1);
	ck_assert_uint_ge(mp.total, 16 + 4000 + 16 + (10u << 20));
	mempool_release(&mp);
	ck_assert_ptr_null(mp.head);
	ck_assert_uint_eq(mp.total, 0);
}
END_TEST

START_TEST(mempool_large_first_allocation_works)
{
	struct mempool mp;
	char *big, *small;

	mempool_init(&mp, 1024);
	big = mempool_alloc(&mp, 3000);
	small = mempool_alloc(&mp, 8);
	memset(big, 1, 3000);
	memset(small, 2, 8);
	ck_assert_int_eq(big[2999], 1);
	mempool_release(&mp);
	mempool_release(NULL);
}
END_TEST

START_TEST(mempool_strdup_and_friends_copy)
{
	struct mempool mp;
	char src[] = "hello";
	char *a, *b, *c;
	int *z;

	mempool_init(&mp, 0);	/* 0 picks the default block size */
	ck_assert_uint_gt(mp.block_size, 0);
	a = mempool_strdup(&mp, src);
	b = mempool_strndup(&mp, "worldwide", 5);
	c = mempool_strcat2(&mp, "node_modules/", 13, "lodash", 6);
	src[0] = 'j';
	ck_assert_str_eq(a, "hello");
	ck_assert_str_eq(b, "world");
	ck_assert_str_eq(c, "node_modules/lodash");
	ck_assert_str_eq(mempool_strdup(&mp, ""), "");
	z = mempool_calloc(&mp, 64 * sizeof(int));
	ck_assert_int_eq(z[0] | z[63], 0);
	mempool_release(&mp);
}
END_TEST

/* ---- strmap ---- */

START_TEST(strmap_insert_and_find)
{
	struct strmap m;
	struct strmap_entry *e;

	strmap_init(&m);
	ck_assert_ptr_null(strmap_find(&m, "a", 1));
	ck_assert_int_eq(strmap_put(&m, "a", 1, 10, &e), 1);
	ck_assert_uint_eq(e->value, 10);
	ck_assert_int_eq(strmap_put(&m, "ab", 2, 20, NULL), 1);
	/* keys are byte strings with a length, not C strings */
	ck_assert_int_eq(strmap_put(&m, "abc", 2, 30, NULL), 0);
	ck_assert_int_eq(strmap_put(&m, "", 0, 40, NULL), 1);
	ck_assert_uint_eq(strmap_find(&m, "a", 1)->value, 10);
	ck_assert_uint_eq(strmap_find(&m, "abX", 2)->value, 20);
	ck_assert_uint_eq(strmap_find(&m, "", 0)->value, 40);
	ck_assert_ptr_null(strmap_find(&m, "b", 1));
	ck_assert_ptr_null(strmap_find(&m, "abc", 3));
	ck_assert_uint_eq(m.count, 3);
	strmap_release(&m);
	ck_assert_uint_eq(m.count, 0);
	strmap_release(NULL);
}
END_TEST

START_TEST(strmap_duplicate_put_returns_zero_and_keeps_value)
{
	struct strmap m;
	struct strmap_entry *e = NULL;
	char k2[] = "key";

	strmap_init(&m);
	ck_assert_int_eq(strmap_put(&m, "key", 3, 1, NULL), 1);
	ck_assert_int_eq(strmap_put(&m, k2, 3, 2, &e), 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->value, 1);
	ck_assert_uint_eq(m.count, 1);
	strmap_release(&m);
}
END_TEST

START_TEST(strmap_grows_to_100k_keys)
{
	struct strmap m;
	struct mempool mp;
	char key[32];
	uint32_t i;

	strmap_init(&m);
	mempool_init(&mp, 0);
	for (i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof(key), "node_modules/p%u", i);

		ck_assert_int_eq(strmap_put(&m, mempool_strdup(&mp, key),
					    (size_t)n, i, NULL), 1);
	}
	ck_assert_uint_eq(m.count, 100000);
	/* load factor stays at or below 3/4 */
	ck_assert_uint_ge(m.cap * 3, m.count * 4);
	ck_assert_uint_eq(m.cap & (m.cap - 1), 0);
	for (i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof(key), "node_modules/p%u", i);
		struct strmap_entry *e = strmap_find(&m, key, (size_t)n);

		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->value, i);
		ck_assert_int_eq(strmap_put(&m, key, (size_t)n, 0, NULL), 0);
	}
	ck_assert_ptr_null(strmap_find(&m, "node_modules/p100000", 20));
	strmap_release(&m);
	mempool_release(&mp);
}
END_TEST

START_TEST(strmap_hash_depends_on_every_byte_and_length)
{
	char a[40] = "node_modules/a/node_modules/@scope/pkg";
	char b[40];
	size_t i;

	/* every position, in the 8-byte steps and in the tail */
	for (i = 0; i < strlen(a); i++) {
		memcpy(b, a, sizeof(a));
		b[i] ^= 1;
		ck_assert_uint_ne(strmap_hash(a, strlen(a)),
				  strmap_hash(b, strlen(b)));
	}
	ck_assert_uint_ne(strmap_hash("ab", 2), strmap_hash("ba", 2));
	/* a NUL in the tail is not the same as a shorter key */
	ck_assert_uint_ne(strmap_hash("a\0", 2), strmap_hash("a", 1));
	ck_assert_uint_eq(strmap_hash(a, 5), strmap_hash("node_", 5));
}
END_TEST

/* ---- error slot ---- */

START_TEST(error_set_returns_code_and_records_message)
{
	ws_error_clear();
	ck_assert_str_eq(ws_error_last(), "");
	ck_assert_int_eq(ws_error_last_code(), WS_OK);
	ck_assert_int_eq(ws_error_set(WS_EPARSE, "%s:%d:%d: %s", "f.json", 3,
				      14, "bad"),
			 WS_EPARSE);
	ck_assert_str_eq(ws_error_last(), "f.json:3:14: bad");
	ck_assert_int_eq(ws_error_last_code(), WS_EPARSE);
	ck_assert_int_eq(ws_error_set(WS_ENET, "second"), WS_ENET);
	ck_assert_str_eq(ws_error_last(), "second");
}
END_TEST

START_TEST(error_prefix_prepends_and_sets_code)
{
	ws_error_set(WS_EPARSE, "expected ':'");
	ck_assert_int_eq(ws_error_prefix(WS_EPARSE, "%s", "package.json"),
			 WS_EPARSE);
	ck_assert_str_eq(ws_error_last(), "package.json: expected ':'");
	ck_assert_int_eq(ws_error_last_code(), WS_EPARSE);
	ws_error_prefix(WS_EIO, "outer");
	ck_assert_str_eq(ws_error_last(), "outer: package.json: expected ':'");
	ck_assert_int_eq(ws_error_last_code(), WS_EIO);
}
END_TEST

START_TEST(error_long_messages_are_truncated_not_overflowed)
{
	char big[4096];
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ws_error_set(WS_ERROR, "%s", big);
	len = strlen(ws_error_last());
	ck_assert_uint_gt(len, 500);
	ck_assert_uint_lt(len, sizeof(big) - 1);
	ws_error_prefix(WS_ERROR, "%s", big);
	ck_assert_uint_lt(strlen(ws_error_last()), sizeof(big) - 1);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "x: x"));
}
END_TEST

START_TEST(error_clear_empties_the_slot)
{
	ws_error_set(WS_ELIMIT, "too big");
	ws_error_clear();
	ck_assert_str_eq(ws_error_last(), "");
	ck_assert_int_eq(ws_error_last_code(), WS_OK);
}
END_TEST

struct thread_seen {
	char initial[64];
	char after[64];
	int code;
};

static void *
error_thread(void *arg)
{
	struct thread_seen *seen = arg;

	snprintf(seen->initial, sizeof(seen->initial), "%s", ws_error_last());
	ws_error_set(WS_ENET, "from the thread");
	snprintf(seen->after, sizeof(seen->after), "%s", ws_error_last());
	seen->code = ws_error_last_code();
	return NULL;
}

START_TEST(error_slot_is_thread_local)
{
	struct thread_seen seen;
	pthread_t th;

	memset(&seen, 0, sizeof(seen));
	ws_error_set(WS_EPARSE, "from main");
	ck_assert_int_eq(pthread_create(&th, NULL, error_thread, &seen), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_str_eq(seen.initial, "");
	ck_assert_str_eq(seen.after, "from the thread");
	ck_assert_int_eq(seen.code, WS_ENET);
	ck_assert_str_eq(ws_error_last(), "from main");
	ck_assert_int_eq(ws_error_last_code(), WS_EPARSE);
}
END_TEST

/* ---- xalloc ---- */

START_TEST(xgrow_doubles_from_eight)
{
	int *arr = NULL;
	size_t alloc = 0;

	XGROW(arr, alloc, 1);
	ck_assert_uint_eq(alloc, 8);
	arr[7] = 7;
	XGROW(arr, alloc, 8);
	ck_assert_uint_eq(alloc, 8);
	XGROW(arr, alloc, 9);
	ck_assert_uint_eq(alloc, 16);
	ck_assert_int_eq(arr[7], 7);
	XGROW(arr, alloc, 1000);
	ck_assert_uint_eq(alloc, 1024);
	arr[999] = 1;
	XGROW(arr, alloc, 0);
	ck_assert_uint_eq(alloc, 1024);
	free(arr);
}
END_TEST

START_TEST(xgrow_keeps_a_larger_start)
{
	char *arr = xmalloc(5);
	size_t alloc = 5;

	memcpy(arr, "abcde", 5);
	XGROW(arr, alloc, 6);
	ck_assert_uint_eq(alloc, 10);
	ck_assert_mem_eq(arr, "abcde", 5);
	free(arr);
}
END_TEST

START_TEST(xstrndup_stops_at_nul_or_n)
{
	char *a = xstrndup("abcdef", 3);
	char *b = xstrndup("ab", 10);
	char *c = xstrdup("");
	void *z = xcalloc(0, 0);
	void *r = xreallocarray(NULL, 4, sizeof(int));

	ck_assert_str_eq(a, "abc");
	ck_assert_str_eq(b, "ab");
	ck_assert_str_eq(c, "");
	ck_assert_ptr_nonnull(z);
	ck_assert_ptr_nonnull(r);
	free(a);
	free(b);
	free(c);
	free(z);
	free(r);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	tc = tcase_create("strbuf");
	tcase_add_test(tc, strbuf_starts_empty_and_terminated);
	tcase_add_test(tc, strbuf_append_up_to_max_succeeds);
	tcase_add_test(tc, strbuf_append_past_max_fails_and_leaves_buffer_unchanged);
	tcase_add_test(tc, strbuf_huge_length_does_not_overflow_the_limit_check);
	tcase_add_test(tc, strbuf_zero_max_accepts_only_nothing);
	tcase_add_test(tc, strbuf_grows_across_many_appends);
	tcase_add_test(tc, strbuf_addf_formats_and_appends);
	tcase_add_test(tc, strbuf_addf_fits_exactly_at_max);
	tcase_add_test(tc, strbuf_reset_keeps_allocation_and_detach_hands_it_over);
	suite_add_tcase(s, tc);

	tc = tcase_create("read_file");
	tcase_add_test(tc, read_file_reads_whole_file);
	tcase_add_test(tc, read_file_missing_is_not_found_naming_the_path);
	tcase_add_test(tc, read_file_over_max_is_refused_without_reading);
	tcase_add_test(tc, read_file_nofollow_refuses_a_symlink);
	tcase_add_test(tc, read_file_refuses_a_directory);
	tcase_add_test(tc, read_file_appends_to_existing_content);
	tcase_add_test(tc, read_fd_enforces_max_on_a_pipe);
	suite_add_tcase(s, tc);

	tc = tcase_create("mempool");
	tcase_add_test(tc, mempool_allocations_are_aligned_and_distinct);
	tcase_add_test(tc, mempool_large_allocation_gets_its_own_block);
	tcase_add_test(tc, mempool_large_first_allocation_works);
	tcase_add_test(tc, mempool_strdup_and_friends_copy);
	suite_add_tcase(s, tc);

	tc = tcase_create("strmap");
	tcase_add_test(tc, strmap_insert_and_find);
	tcase_add_test(tc, strmap_duplicate_put_returns_zero_and_keeps_value);
	tcase_add_test(tc, strmap_grows_to_100k_keys);
	tcase_add_test(tc, strmap_hash_depends_on_every_byte_and_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("error");
	tcase_add_test(tc, error_set_returns_code_and_records_message);
	tcase_add_test(tc, error_prefix_prepends_and_sets_code);
	tcase_add_test(tc, error_long_messages_are_truncated_not_overflowed);
	tcase_add_test(tc, error_clear_empties_the_slot);
	tcase_add_test(tc, error_slot_is_thread_local);
	suite_add_tcase(s, tc);

	tc = tcase_create("xalloc");
	tcase_add_test(tc, xgrow_doubles_from_eight);
	tcase_add_test(tc, xgrow_keeps_a_larger_start);
	tcase_add_test(tc, xstrndup_stops_at_nul_or_n);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
