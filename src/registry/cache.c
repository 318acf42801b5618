#include "registry/registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Long enough for another wormsign writing a large batch to finish. */
#define CACHE_BUSY_TIMEOUT_MS 30000
#define CACHE_SCHEMA_VERSION 1

struct registry_cache {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *get;
	sqlite3_stmt *put;
	sqlite3_stmt *touch;
	sqlite3_stmt *blob_get;
	sqlite3_stmt *blob_put;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS packument ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" times TEXT NOT NULL,"
	" versions TEXT NOT NULL,"
	" etag TEXT,"
	" last_modified TEXT,"
	" fetched_at INTEGER NOT NULL"
	");"
	"CREATE TABLE IF NOT EXISTS blob ("
	" kind TEXT NOT NULL,"
	" key TEXT NOT NULL,"
	" value TEXT NOT NULL,"
	" stored_at INTEGER NOT NULL,"
	" PRIMARY KEY (kind, key)"
	");";

void
registry_cache_entry_release(struct registry_cache_entry *e)
{
	if (!e)
		return;
	free(e->times);
	free(e->versions);
	free(e->etag);
	free(e->last_modified);
	memset(e, 0, sizeof(*e));
}

static int
db_error(struct registry_cache *cache, const char *what)
{
	return ws_error_set(WS_EIO, "%s: cache %s: %s", cache->path, what,
			    sqlite3_errmsg(cache->db));
}

/* mkdir -p of the directories above path, private to the user. */
static int
make_parents(const char *path)
{
	char *dir = xstrdup(path);
	char *p;
	int ret = 0;

	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			ret = ws_error_set(WS_EIO, "%s: cannot create cache directory: %s",
					   dir, strerror(errno));
			goto done;
		}
		*p = '/';
	}
done:
	free(dir);
	return ret;
}

int
registry_cache_open(struct registry_cache **out, const char *path)
{
	struct registry_cache *cache = xcalloc(1, sizeof(*cache));
	int ret = 0;

	*out = NULL;
	cache->path = xstrdup(path);
	if ((ret = make_parents(path)) < 0)
		goto done;
	if (sqlite3_open_v2(path, &cache->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		ret = cache->db ? db_error(cache, "open")
				: ws_error_set(WS_EIO, "%s: cannot open cache", path);
		goto done;
	}
	sqlite3_busy_timeout(cache->db, CACHE_BUSY_TIMEOUT_MS);
	/* WAL lets readers and one writer from other processes proceed;
	 * NORMAL sync is durable enough for data we can fetch again. */
	if (sqlite3_exec(cache->db, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(cache->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		ret = db_error(cache, "set-up");
		goto done;
	}
	if (sqlite3_prepare_v2(cache->db,
			       "SELECT times, versions, etag, last_modified, fetched_at"
			       " FROM packument WHERE name = ?1", -1,
			       &cache->get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(cache->db,
			       "INSERT OR REPLACE INTO packument"
			       " (name, times, versions, etag, last_modified, fetched_at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1,
			       &cache->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(cache->db,
			       "UPDATE packument SET fetched_at = ?2 WHERE name = ?1",
			       -1, &cache->touch, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(cache->db,
			       "SELECT value, stored_at FROM blob WHERE kind = ?1 AND key = ?2",
			       -1, &cache->blob_get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(cache->db,
			       "INSERT OR REPLACE INTO blob (kind, key, value, stored_at)"
			       " VALUES (?1, ?2, ?3, ?4)", -1,
			       &cache->blob_put, NULL) != SQLITE_OK) {
		ret = db_error(cache, "prepare");
		goto done;
	}
	*out = cache;
	cache = NULL;
done:
	registry_cache_free(cache);
	return ret;
}

void
registry_cache_free(struct registry_cache *cache)
{
	if (!cache)
		return;
	sqlite3_finalize(cache->get);
	sqlite3_finalize(cache->put);
	sqlite3_finalize(cache->touch);
	sqlite3_finalize(cache->blob_get);
	sqlite3_finalize(cache->blob_put);
	sqlite3_close(cache->db);
	free(cache->path);
	free(cache);
}

int
registry_cache_default_path(char **out)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	struct strbuf sb;
	int ret = 0;

	*out = NULL;
	strbuf_init(&sb, 4096);
	if (xdg && xdg[0] == '/')
		ret = strbuf_addf(&sb, "%s/wormsign/registry.db", xdg);
	else if (home && home[0] == '/')
		ret = strbuf_addf(&sb, "%s/.cache/wormsign/registry.db", home);
	else
		ret = ws_error_set(WS_ENOTFOUND,
				   "no cache directory: set XDG_CACHE_HOME or HOME, or pass --cache");
	if (ret < 0)
		goto done;
	*out = strbuf_detach(&sb, NULL);
done:
	strbuf_release(&sb);
	return ret;
}

static char *
column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? xstrdup((const char *)s) : NULL;
}

int
registry_cache_get(struct registry_cache *cache, const char *name,
		   struct registry_cache_entry *e)
{
	sqlite3_stmt *st = cache->get;
	int rc, ret = 0;

	memset(e, 0, sizeof(*e));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = ws_error_set(WS_ENOTFOUND, "'%s': not in the cache", name);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		ret = db_error(cache, "read");
		goto done;
	}
	e->times = column_dup(st, 0);
	e->versions = column_dup(st, 1);
	e->etag = column_dup(st, 2);
	e->last_modified = column_dup(st, 3);
	e->fetched_at = sqlite3_column_int64(st, 4);
	if (!e->times || !e->versions) {
		registry_cache_entry_release(e);
		ret = ws_error_set(WS_ENOTFOUND, "'%s': cache entry incomplete", name);
	}
done:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

int
registry_cache_put(struct registry_cache *cache, const char *name,
		   const struct registry_cache_entry *e)
{
	sqlite3_stmt *st = cache->put;
	int ret = 0;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->times, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->versions, -1, SQLITE_STATIC);
	if (e->etag)
		sqlite3_bind_text(st, 4, e->etag, -1, SQLITE_STATIC);
	if (e->last_modified)
		sqlite3_bind_text(st, 5, e->last_modified, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, e->fetched_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		ret = db_error(cache, "write");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

int
registry_cache_touch(struct registry_cache *cache, const char *name,
		     int64_t now)
{
	sqlite3_stmt *st = cache->touch;
	int ret = 0;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		ret = db_error(cache, "write");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

int
registry_times_cover(const struct json_value *time,
		     const char *const *versions, size_t n)
{
	size_t i;

	if (!json_is(time, JSON_OBJECT) || n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!json_get(time, versions[i]))
			return 0;
	return 1;
}

int
registry_cache_covers(struct registry_cache *cache, const char *name,
		      const char *const *versions, size_t n, int *covered)
{
	struct registry_cache_entry e;
	struct json_doc doc;
	int ret;

	*covered = 0;
	ret = registry_cache_get(cache, name, &e);
	if (ret == WS_ENOTFOUND) {
		ret = 0;
		goto done;
	}
	if (ret < 0)
		goto done;
	/* A damaged entry is simply not covering: it will be fetched again. */
	if (json_parse(&doc, e.times, strlen(e.times), "cache", 0) == 0) {
		*covered = registry_times_cover(doc.root, versions, n);
		json_doc_release(&doc);
	}
	ws_error_clear();
done:
	registry_cache_entry_release(&e);
	return ret;
}

int
registry_cache_blob_get(struct registry_cache *cache, const char *kind,
			const char *key, char **value, int64_t *stored_at)
{
	sqlite3_stmt *st = cache->blob_get;
	int rc, ret = 0;

	*value = NULL;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = ws_error_set(WS_ENOTFOUND, "%s '%s': not in the cache", kind, key);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		ret = db_error(cache, "read");
		goto done;
	}
	if (sqlite3_column_bytes(st, 0) > (int)REGISTRY_BLOB_MAX) {
		ret = ws_error_set(WS_ELIMIT, "%s: cache %s '%s' larger than %u bytes",
				   cache->path, kind, key, REGISTRY_BLOB_MAX);
		goto done;
	}
	*value = column_dup(st, 0);
	if (stored_at)
		*stored_at = sqlite3_column_int64(st, 1);
	if (!*value)
		ret = ws_error_set(WS_ENOTFOUND, "%s '%s': cache entry empty", kind, key);
done:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

int
registry_cache_blob_put(struct registry_cache *cache, const char *kind,
			const char *key, const char *value, int64_t now)
{
	sqlite3_stmt *st = cache->blob_put;
	int ret = 0;

	if (strlen(value) > REGISTRY_BLOB_MAX)
		return ws_error_set(WS_ELIMIT, "%s '%s': larger than %u bytes: not cached",
				    kind, key, REGISTRY_BLOB_MAX);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		ret = db_error(cache, "write");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

int
registry_cache_begin(struct registry_cache *cache)
{
	if (sqlite3_exec(cache->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_error(cache, "begin");
	return 0;
}

int
registry_cache_commit(struct registry_cache *cache)
{
	if (sqlite3_get_autocommit(cache->db))
		return 0;	/* no transaction open */
	if (sqlite3_exec(cache->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return db_error(cache, "commit");
	return 0;
}
