#ifndef WS_HOST_INTERNAL_H
#define WS_HOST_INTERNAL_H

/* Private to src/host: the state one run shares between its checks. */

#include <stddef.h>
#include <sys/stat.h>

#include "host/host.h"
#include "host/parse.h"
#include "report/rotation.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#define HOST_PATH_MAX 4096
#define HOST_DIR_ENTRIES_MAX 4096	/* entries read from one directory */
#define HOST_RUNNER_DEPTH 2		/* directories below home searched */
#define HOST_RUNNER_DIRS_MAX 20000	/* directories looked into for runners */
#define HOST_LIST_MAX 10000		/* checked/skipped/errors entries kept */

/* A string the feeds say marks the worms (artifact kinds process, string,
 * runner, and the "~/" file paths without "~/"). */
struct host_needle {
	const char *value;
	size_t len;
	const struct feed_artifact *a;
};

struct host_entry {
	const char *what;	/* "systemd user unit", "npm cache", ... */
	const char *path;
	const char *note;	/* reason or error; NULL for checked */
};

struct host {
	struct report *r;
	const struct host_opts *o;
	char *home;		/* realpath of the home */
	const char *root;	/* where non-system reads may go: home or
				 * the project being checked */
	char *sysroot;		/* realpath of the system root, or NULL */
	struct host_needle *needles;
	size_t nneedles, needles_alloc;
	struct rotation_list rot;
	struct strmap removals;	/* keys of the removal items made */
	struct strmap reported;	/* paths with a persistence finding */
	struct host_entry *checked, *skipped, *errors;
	size_t nchecked, nskipped, nerrors;
	size_t checked_alloc, skipped_alloc, errors_alloc, dropped;
	size_t missing;		/* paths that did not exist */
	size_t persistence, credentials, payloads;
	struct mempool pool;
};

/* ---- host.c ---- */

/* Outcome of host_read: the file is in sb (and st), it does not exist,
 * or it was skipped or failed (listed). */
enum host_read_rc { HOST_READ_OK, HOST_READ_ABSENT, HOST_READ_SKIPPED };

/*
 * Reads the regular file at path (at most HOST_FILE_MAX bytes; a longer
 * file is read in part and says so) into sb, when its real path stays
 * inside the home (or the system root when system is set). Lists it as
 * checked, skipped or failed under `what`.
 */
enum host_read_rc host_read(struct host *h, const char *what,
			    const char *path, int system, struct strbuf *sb,
			    struct stat *st);
/* Like host_read's checks for a directory: 1 when path is a directory
 * that may be read (listed as checked when what is set), else 0. */
int host_dir_ok(struct host *h, const char *what, const char *path,
		int system);

void host_list_checked(struct host *h, const char *what, const char *path);
void host_list_skipped(struct host *h, const char *what, const char *path,
		       const char *why);
void host_list_error(struct host *h, const char *what, const char *path,
		     const char *why);

/* "~/<rest>" for a path inside the home, else path (in the pool). */
const char *host_display(struct host *h, const char *path);
/* Whether a file with this mtime counts for the soft signals. */
int host_recent(const struct host *h, const struct stat *st);

/* A rotation item, once per `key` for removals (NULL: no dedup). */
void host_rotate(struct host *h, const struct rotation_item *it,
		 const char *key);
/* Notes that path has a persistence finding; whether it has one. */
void host_mark_reported(struct host *h, const char *path);
int host_was_reported(const struct host *h, const char *path);
/* A removal (persistence phase) item, once per key; repo may be NULL. */
void host_removal(struct host *h, enum rotation_platform platform,
		  const char *item, const char *repo, const char *where,
		  const char *why, const char *action, const char *key);

/* Sorted names of the entries of dir (no "." and ".."), bounded; *n
 * entries; NULL when it cannot be read (listed as an error). */
char **host_list_dir(struct host *h, const char *what, const char *dir,
		     size_t *n);
void host_free_names(char **names, size_t n);

/* ---- persist.c ---- */
void host_check_persistence(struct host *h);
void host_check_runners(struct host *h);
void host_check_artifact_paths(struct host *h, const char *root,
			       const char *label);

/* ---- creds.c ---- */
void host_check_credentials(struct host *h);
void host_check_project_credentials(struct host *h, const char *dir);

/* ---- payloads.c ---- */
void host_check_payloads(struct host *h);

#endif
