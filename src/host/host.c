/* realpath() is XSI, not in POSIX.1-2008 base. */
#define _DEFAULT_SOURCE

#include "host/host.h"
#include "host/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json/json.h"
#include "report/section.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * The run's shared state and the one way every check reads a file: by its
 * real path, only when that stays inside the home (or the system root),
 * never blocking on a FIFO or a device, at most HOST_FILE_MAX bytes.
 */

#define HOST_OPEN_FLAGS \
	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

void
host_new(struct host **out)
{
	struct host *h = xcalloc(1, sizeof(*h));

	mempool_init(&h->pool, 8192);
	rotation_init(&h->rot, NULL);
	strmap_init(&h->removals);
	strmap_init(&h->reported);
	*out = h;
}

void
host_free(struct host *h)
{
	if (!h)
		return;
	free(h->home);
	free(h->sysroot);
	free(h->needles);
	free(h->checked);
	free(h->skipped);
	free(h->errors);
	strmap_release(&h->removals);
	strmap_release(&h->reported);
	rotation_release(&h->rot);
	mempool_release(&h->pool);
	free(h);
}

size_t
host_checked_count(const struct host *h)
{
	return h->nchecked;
}

size_t
host_problem_count(const struct host *h)
{
	return h->nerrors;
}

const char *
host_problem_at(const struct host *h, size_t i, const char **error)
{
	*error = h->errors[i].note;
	return h->errors[i].path;
}

/* ---- the lists of the "host" section ---- */

static void
list_add(struct host *h, struct host_entry **arr, size_t *n, size_t *alloc,
	 const char *what, const char *path, const char *note)
{
	struct host_entry *e;

	if (*n >= HOST_LIST_MAX) {
		h->dropped++;
		return;
	}
	XGROW(*arr, *alloc, *n + 1);
	e = &(*arr)[(*n)++];
	e->what = mempool_strdup(&h->pool, what);
	e->path = host_display(h, path);
	e->note = note ? mempool_strdup(&h->pool, note) : NULL;
}

void
host_list_checked(struct host *h, const char *what, const char *path)
{
	list_add(h, &h->checked, &h->nchecked, &h->checked_alloc, what, path,
		 NULL);
}

void
host_list_skipped(struct host *h, const char *what, const char *path,
		  const char *why)
{
	list_add(h, &h->skipped, &h->nskipped, &h->skipped_alloc, what, path,
		 why);
}

void
host_list_error(struct host *h, const char *what, const char *path,
		const char *why)
{
	list_add(h, &h->errors, &h->nerrors, &h->errors_alloc, what, path, why);
}

const char *
host_display(struct host *h, const char *path)
{
	size_t hl = h->home ? strlen(h->home) : 0;

	if (hl && strncmp(path, h->home, hl) == 0) {
		if (!path[hl])
			return "~";
		if (path[hl] == '/')
			return mempool_printf(&h->pool, "~%s", path + hl);
	}
	return mempool_strdup(&h->pool, path);
}

int
host_recent(const struct host *h, const struct stat *st)
{
	return !h->o->since || st->st_mtime > h->o->since;
}

void
host_rotate(struct host *h, const struct rotation_item *it, const char *key)
{
	if (key) {
		size_t n = strlen(key);

		if (strmap_find(&h->removals, key, n))
			return;
		strmap_put(&h->removals, mempool_strndup(&h->pool, key, n), n,
			   0, NULL);
	}
	rotation_add(&h->rot, it, 1);
}

void
host_mark_reported(struct host *h, const char *path)
{
	size_t n = strlen(path);

	if (!strmap_find(&h->reported, path, n))
		strmap_put(&h->reported, mempool_strndup(&h->pool, path, n), n,
			   0, NULL);
}

int
host_was_reported(const struct host *h, const char *path)
{
	return strmap_find(&h->reported, path, strlen(path)) != NULL;
}

void
host_removal(struct host *h, enum rotation_platform platform,
	     const char *item, const char *repo, const char *where,
	     const char *why, const char *action, const char *key)
{
	struct rotation_item it;

	memset(&it, 0, sizeof(it));
	it.platform = platform;
	it.kind = ROTATION_PERSISTENCE;
	it.phase = ROTATION_PHASE_REMOVE;
	it.item = item;
	it.repo = repo;
	it.where = where;
	it.why = why;
	it.action = action;
	host_rotate(h, &it, key);
}

/* ---- reading ---- */

static int
inside(const char *real, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return 1;
	return strncmp(real, root, n) == 0 && (real[n] == '/' || !real[n]);
}

/*
 * The real path of path when it may be read (inside the allowed root);
 * NULL when it does not exist (*absent) or was listed as skipped/failed.
 */
static char *
host_resolve(struct host *h, const char *what, const char *path, int system,
	     struct stat *st, int *absent)
{
	const char *root = system ? h->sysroot : h->root;
	char *real;

	*absent = 0;
	if (lstat(path, st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			*absent = 1, h->missing++;
		else
			host_list_error(h, what, path, strerror(errno));
		return NULL;
	}
	if (!(real = realpath(path, NULL))) {
		if (errno == ENOENT)	/* a dangling link */
			host_list_skipped(h, what, path, "dangling symlink");
		else
			host_list_error(h, what, path, strerror(errno));
		return NULL;
	}
	if (!root || !inside(real, root)) {
		host_list_skipped(h, what, path, system ?
				  "symlink out of the system root, not followed" :
				  "symlink out of the home, not followed");
		free(real);
		return NULL;
	}
	if (stat(real, st) < 0) {
		host_list_error(h, what, path, strerror(errno));
		free(real);
		return NULL;
	}
	return real;
}

enum host_read_rc
host_read(struct host *h, const char *what, const char *path, int system,
	  struct strbuf *sb, struct stat *st)
{
	char *real;
	char buf[8192];
	ssize_t n;
	int fd, absent, partial = 0;

	strbuf_reset(sb);
	if (!(real = host_resolve(h, what, path, system, st, &absent)))
		return absent ? HOST_READ_ABSENT : HOST_READ_SKIPPED;
	if (!S_ISREG(st->st_mode)) {
		host_list_skipped(h, what, path, S_ISDIR(st->st_mode) ?
				  "a directory, not a file" :
				  "not a regular file, not read");
		free(real);
		return HOST_READ_SKIPPED;
	}
	fd = open(real, HOST_OPEN_FLAGS);
	free(real);
	if (fd < 0) {
		host_list_error(h, what, path, strerror(errno));
		return HOST_READ_SKIPPED;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			host_list_error(h, what, path, strerror(errno));
			close(fd);
			return HOST_READ_SKIPPED;
		}
		if (sb->len + (size_t)n > HOST_FILE_MAX) {
			strbuf_add(sb, buf, HOST_FILE_MAX - sb->len);
			partial = 1;
			break;
		}
		strbuf_add(sb, buf, (size_t)n);
	}
	close(fd);
	if (partial)
		host_list_skipped(h, what, path,
				  "larger than 1 MiB: only the first MiB was read");
	host_list_checked(h, what, path);
	return HOST_READ_OK;
}

int
host_dir_ok(struct host *h, const char *what, const char *path, int system)
{
	struct stat st;
	char *real;
	int absent;

	if (!(real = host_resolve(h, what ? what : "directory", path, system,
				  &st, &absent)))
		return 0;
	free(real);
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (access(path, R_OK | X_OK) < 0) {
		host_list_error(h, what ? what : "directory", path,
				strerror(errno));
		return 0;
	}
	if (what)
		host_list_checked(h, what, path);
	return 1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
host_list_dir(struct host *h, const char *what, const char *dir, size_t *n)
{
	struct dirent *de;
	char **names = NULL;
	size_t alloc = 0;
	DIR *d;

	*n = 0;
	if (!(d = opendir(dir))) {
		if (errno != ENOENT && errno != ENOTDIR)
			host_list_error(h, what, dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n >= HOST_DIR_ENTRIES_MAX) {
			host_list_skipped(h, what, dir,
					  "more than 4096 entries: the rest not read");
			break;
		}
		XGROW(names, alloc, *n + 1);
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), name_cmp);
	else {
		free(names);
		names = xcalloc(1, sizeof(*names));
	}
	return names;
}

void
host_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- needles ---- */

static void
host_needles(struct host *h)
{
	const struct feed_set *s = h->o->feeds;
	size_t i, j;

	for (i = 0; s && i < s->nfeeds; i++) {
		const struct feed *f = s->feeds[i];

		for (j = 0; j < f->nartifacts; j++) {
			const struct feed_artifact *a = &f->artifacts[j];
			const char *v = a->value;

			if (!v || !a->kind)
				continue;
			if (strcmp(a->kind, "file") == 0) {
				if (strncmp(v, "~/", 2) != 0)
					continue;
				v += 2;
			} else if (strcmp(a->kind, "process") != 0 &&
				   strcmp(a->kind, "string") != 0 &&
				   strcmp(a->kind, "runner") != 0) {
				continue;
			}
			if (strlen(v) < 5)
				continue;	/* too short to mean anything */
			XGROW(h->needles, h->needles_alloc, h->nneedles + 1);
			h->needles[h->nneedles].value = v;
			h->needles[h->nneedles].len = strlen(v);
			h->needles[h->nneedles++].a = a;
		}
	}
}

/* ---- the "host" section ---- */

static void
json_entries(struct json_writer *w, const char *key,
	     const struct host_entry *e, size_t n, const char *note_key)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (i = 0; i < n; i++) {
		jsonw_object_begin_inline(w);
		jsonw_kv_string(w, "what", e[i].what);
		jsonw_kv_string(w, "path", e[i].path);
		if (note_key)
			jsonw_kv_string(w, note_key, e[i].note);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

static int
host_section_json(struct json_writer *w, void *ctx)
{
	struct host *h = ctx;
	char since[32];
	struct tm tm;

	jsonw_object_begin(w);
	jsonw_kv_string(w, "home", h->home);
	jsonw_kv_string(w, "system_root", h->sysroot);
	if (h->o->since && gmtime_r(&h->o->since, &tm)) {
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
		jsonw_kv_string(w, "since", since);
	} else {
		jsonw_kv_string(w, "since", NULL);
	}
	jsonw_kv_int(w, "persistence", (long long)h->persistence);
	jsonw_kv_int(w, "credentials", (long long)h->credentials);
	jsonw_kv_int(w, "payloads", (long long)h->payloads);
	jsonw_kv_int(w, "missing", (long long)h->missing);
	jsonw_kv_int(w, "dropped", (long long)h->dropped);
	json_entries(w, "checked", h->checked, h->nchecked, NULL);
	json_entries(w, "skipped", h->skipped, h->nskipped, "reason");
	json_entries(w, "errors", h->errors, h->nerrors, "error");
	jsonw_object_end(w);
	return 0;
}

static int
host_section_text(FILE *fp, void *ctx, int color)
{
	struct host *h = ctx;
	size_t i;

	fprintf(fp, "\nHost: ");
	report_sec_text(fp, h->home);
	fprintf(fp, "\n  %zu paths checked, %zu skipped, %zu unreadable, %zu absent\n",
		h->nchecked, h->nskipped, h->nerrors, h->missing);
	fprintf(fp, "  %zu persistence, %zu payload, %zu credential findings\n",
		h->persistence, h->payloads, h->credentials);
	for (i = 0; i < h->nskipped; i++) {
		fprintf(fp, "  skipped ");
		report_sec_text(fp, h->skipped[i].path);
		fprintf(fp, ": ");
		report_sec_text(fp, h->skipped[i].note);
		fputc('\n', fp);
	}
	for (i = 0; i < h->nerrors; i++) {
		fprintf(fp, "  %sunreadable%s ", color ? "\033[31m" : "",
			color ? "\033[0m" : "");
		report_sec_text(fp, h->errors[i].path);
		fprintf(fp, ": ");
		report_sec_text(fp, h->errors[i].note);
		fputc('\n', fp);
	}
	return ferror(fp) ? WS_EIO : 0;
}

static int
host_section_markdown(FILE *fp, void *ctx)
{
	struct host *h = ctx;
	size_t i;

	fprintf(fp, "\n## Host\n\nHome ");
	report_sec_md_code(fp, h->home, 512);
	fprintf(fp, ": %zu paths checked, %zu skipped, %zu unreadable, %zu absent; "
		"%zu persistence, %zu payload and %zu credential findings.\n",
		h->nchecked, h->nskipped, h->nerrors, h->missing,
		h->persistence, h->payloads, h->credentials);
	if (h->nchecked) {
		fprintf(fp, "\n| checked | path |\n| --- | --- |\n");
		for (i = 0; i < h->nchecked; i++) {
			fprintf(fp, "| ");
			report_sec_md_text(fp, h->checked[i].what, 80);
			fprintf(fp, " | ");
			report_sec_md_code(fp, h->checked[i].path, 256);
			fprintf(fp, " |\n");
		}
	}
	if (h->nskipped || h->nerrors) {
		fprintf(fp, "\n| not read | path | why |\n| --- | --- | --- |\n");
		for (i = 0; i < h->nskipped; i++) {
			fprintf(fp, "| skipped | ");
			report_sec_md_code(fp, h->skipped[i].path, 256);
			fprintf(fp, " | ");
			report_sec_md_text(fp, h->skipped[i].note, 160);
			fprintf(fp, " |\n");
		}
		for (i = 0; i < h->nerrors; i++) {
			fprintf(fp, "| unreadable | ");
			report_sec_md_code(fp, h->errors[i].path, 256);
			fprintf(fp, " | ");
			report_sec_md_text(fp, h->errors[i].note, 160);
			fprintf(fp, " |\n");
		}
	}
	return ferror(fp) ? WS_EIO : 0;
}

/* ---- the run ---- */

int
host_run(struct host *h, struct report *r, const struct host_opts *o)
{
	struct report_section sec;
	struct stat st;
	size_t i;

	h->r = r;
	h->o = o;
	if (!o->home || stat(o->home, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    !(h->home = realpath(o->home, NULL)))
		return ws_error_set(WS_ENOTFOUND, "%s: not a directory",
				    o->home ? o->home : "(no home)");
	if (o->system_root && !(h->sysroot = realpath(o->system_root, NULL)))
		return ws_error_set(WS_ENOTFOUND, "%s: %s", o->system_root,
				    strerror(errno));
	h->root = h->home;
	report_add_target(r, h->home);
	host_needles(h);

	host_check_persistence(h);
	host_check_runners(h);
	host_check_artifact_paths(h, h->home, "home");
	host_check_payloads(h);
	host_check_credentials(h);
	for (i = 0; i < o->nprojects; i++) {
		char *real = realpath(o->projects[i], NULL);

		if (!real) {
			report_add_error(r, o->projects[i], strerror(errno));
			continue;
		}
		if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
			report_add_error(r, o->projects[i],
					 "not a project directory");
			free(real);
			continue;
		}
		report_add_target(r, real);
		h->root = real;
		host_check_artifact_paths(h, real, "project");
		host_check_project_credentials(h, real);
		h->root = h->home;
		free(real);
	}

	memset(&sec, 0, sizeof(sec));
	sec.key = "host";
	sec.json = host_section_json;
	sec.text = host_section_text;
	sec.markdown = host_section_markdown;
	sec.ctx = h;
	report_add_section(r, &sec);
	rotation_sort(&h->rot);
	rotation_add_sections(r, &h->rot);
	return 0;
}
