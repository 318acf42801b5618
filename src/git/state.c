#include "git/sweep.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "json/json.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * --resume: a sweep interrupted (a node drained, a job preempted) starts
 * again where it was. A repository is done when its refs have not moved
 * since it was swept; its stored result goes into the report unchanged.
 */

#define STATE_BUSY_TIMEOUT_MS 30000

struct sweep_state {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *get;
	sqlite3_stmt *put;
};

static const char state_schema[] =
	"CREATE TABLE IF NOT EXISTS sweep_repo ("
	" repo TEXT PRIMARY KEY NOT NULL,"
	" state TEXT NOT NULL,"
	" result TEXT NOT NULL,"
	" swept_at INTEGER NOT NULL"
	");";

static int
state_error(struct sweep_state *st, const char *what)
{
	return ws_error_set(WS_EIO, "%s: state %s: %s", st->path, what,
			    st->db ? sqlite3_errmsg(st->db) : "cannot open");
}

char *
sweep_result_line(const struct sweep_result *res, size_t *len)
{
	struct json_writer w;
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);

	if (!fp)
		abort();	/* out of memory, as xmalloc does */
	jsonw_init(&w, fp, 0);
	sweep_result_json(&w, res);
	jsonw_finish(&w);
	fclose(fp);
	*len = n;
	return buf;
}

int
sweep_state_open(struct sweep_state **out, const char *path)
{
	struct sweep_state *st = xcalloc(1, sizeof(*st));
	int err = 0;

	*out = NULL;
	st->path = xstrdup(path);
	if (sqlite3_open_v2(path, &st->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err = state_error(st, "open");
		goto done;
	}
	sqlite3_busy_timeout(st->db, STATE_BUSY_TIMEOUT_MS);
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;", NULL, NULL,
			 NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, state_schema, NULL, NULL, NULL) != SQLITE_OK) {
		err = state_error(st, "set-up");
		goto done;
	}
	if (sqlite3_prepare_v2(st->db,
			       "SELECT result FROM sweep_repo"
			       " WHERE repo = ?1 AND state = ?2", -1, &st->get,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "INSERT OR REPLACE INTO sweep_repo"
			       " (repo, state, result, swept_at)"
			       " VALUES (?1, ?2, ?3, strftime('%s','now'))", -1,
			       &st->put, NULL) != SQLITE_OK) {
		err = state_error(st, "prepare");
		goto done;
	}
done:
	if (err)
		sweep_state_close(st);
	else
		*out = st;
	return err;
}

void
sweep_state_close(struct sweep_state *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->get);
	sqlite3_finalize(st->put);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

struct take_one {
	struct sweep_result *res;
	int got;
};

static void
take_one(struct sweep_result *res, void *payload)
{
	struct take_one *t = payload;

	if (t->got) {
		sweep_result_release(res);
	} else {
		*t->res = *res;
		t->got = 1;
	}
	free(res);
}

int
sweep_state_get(struct sweep_state *st, const char *repo, const char *state,
		struct sweep_result *res)
{
	struct take_one t = { res, 0 };
	char *buf = NULL;
	int rc, n;

	sqlite3_reset(st->get);
	sqlite3_bind_text(st->get, 1, repo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->get, 2, state, -1, SQLITE_STATIC);
	rc = sqlite3_step(st->get);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return state_error(st, "read");
	n = sqlite3_column_bytes(st->get, 0);
	buf = xmalloc((size_t)n + 1);
	memcpy(buf, sqlite3_column_text(st->get, 0), (size_t)n);
	buf[n] = '\0';
	sqlite3_reset(st->get);
	/* a row that does not read back is swept again, not trusted */
	if (sweep_read_buffer(buf, (size_t)n, st->path, take_one, &t) || !t.got) {
		if (t.got)
			sweep_result_release(res);
		ws_error_clear();
		free(buf);
		return 0;
	}
	free(buf);
	res->resumed = 1;
	return 1;
}

int
sweep_state_put(struct sweep_state *st, const struct sweep_result *res)
{
	size_t len;
	char *line = sweep_result_line(res, &len);
	int rc;

	sqlite3_reset(st->put);
	sqlite3_bind_text(st->put, 1, res->repo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->put, 2, res->state ? res->state : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st->put, 3, line, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st->put);
	sqlite3_reset(st->put);
	free(line);
	if (rc != SQLITE_DONE)
		return state_error(st, "write");
	return 0;
}
