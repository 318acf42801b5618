#include "feed/feed.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feed/feed_int.h"
#include "util/datadir.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define FEED_DIR_FILES_MAX 4096	/* *.json files in one feeds directory */
#define NO_NEXT UINT32_MAX

void
feed_set_init(struct feed_set *s)
{
	memset(s, 0, sizeof(*s));
	strmap_init(&s->by_name);
	strmap_init(&s->by_sha256);
}

static void
feed_set_drop_index(struct feed_set *s)
{
	strmap_release(&s->by_name);
	strmap_release(&s->by_sha256);
	free(s->pkg_index);
	free(s->pkg_next);
	free(s->file_index);
	free(s->hex_store);
	s->pkg_index = NULL;
	s->pkg_next = NULL;
	s->file_index = NULL;
	s->hex_store = NULL;
}

void
feed_set_release(struct feed_set *s)
{
	if (!s)
		return;
	feed_set_drop_index(s);
	free(s->feeds);
	memset(s, 0, sizeof(*s));
}

void
feed_set_add(struct feed_set *s, struct feed *f)
{
	XGROW(s->feeds, s->feeds_alloc, s->nfeeds + 1);
	s->feeds[s->nfeeds++] = f;
}

void
feed_set_index(struct feed_set *s)
{
	uint32_t *tail;
	size_t npkg = 0, nfile = 0, i, j, k = 0;

	feed_set_drop_index(s);
	for (i = 0; i < s->nfeeds; i++) {
		npkg += s->feeds[i]->npackages;
		nfile += s->feeds[i]->nfiles;
	}
	s->pkg_index = xreallocarray(NULL, npkg ? npkg : 1,
				     sizeof(*s->pkg_index));
	s->pkg_next = xreallocarray(NULL, npkg ? npkg : 1,
				    sizeof(*s->pkg_next));
	s->file_index = xreallocarray(NULL, nfile ? nfile : 1,
				      sizeof(*s->file_index));
	tail = xreallocarray(NULL, npkg ? npkg : 1, sizeof(*tail));
	strmap_reserve(&s->by_name, npkg);
	strmap_reserve(&s->by_sha256, nfile);

	/* Chains keep feed order, so matches are reported in that order. */
	for (i = 0; i < s->nfeeds; i++) {
		const struct feed *f = s->feeds[i];

		for (j = 0; j < f->npackages; j++, k++) {
			const struct feed_package *p = &f->packages[j];
			struct strmap_entry *e;

			s->pkg_index[k] = p;
			s->pkg_next[k] = NO_NEXT;
			tail[k] = (uint32_t)k;
			if (!strmap_put(&s->by_name, p->name, strlen(p->name),
					(uint32_t)k, &e)) {
				uint32_t head = e->value;

				s->pkg_next[tail[head]] = (uint32_t)k;
				tail[head] = (uint32_t)k;
			}
		}
	}
	free(tail);

	k = 0;
	for (i = 0; i < s->nfeeds; i++) {
		const struct feed *f = s->feeds[i];

		for (j = 0; j < f->nfiles; j++) {
			const struct feed_file *e = &f->files[j];

			if (!e->has_sha256)
				continue;
			s->file_index[k] = e;
			/* the raw digest is the key: no hex to keep */
			strmap_put(&s->by_sha256, (const char *)e->sha256, 32,
				   (uint32_t)k, NULL);
			k++;
		}
	}
}

/* The exact version equal to v in p's sorted list, or NULL. */
static const char *
match_exact(const struct feed_package *p, const struct semver *v)
{
	size_t lo = 0, hi = p->nversions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct semver m;
		int c;

		if (semver_parse(&m, p->versions[mid], strlen(p->versions[mid])))
			return NULL;	/* cannot happen: checked on load */
		c = semver_cmp(v, &m);
		if (c == 0)
			return p->versions[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t
feed_set_match_package(const struct feed_set *s, const char *name,
		       const char *version, feed_package_fn fn, void *payload)
{
	const struct strmap_entry *e;
	struct semver v;
	uint32_t k;
	size_t matched = 0;

	if (!name || !version || !s->pkg_index)
		return 0;
	e = strmap_find(&s->by_name, name, strlen(name));
	if (!e)
		return 0;
	/* Only now, for a name some feed lists, is the version parsed; a
	 * version that is not SemVer (a git or file spec) matches nothing. */
	if (semver_parse(&v, version, strlen(version)))
		return 0;
	for (k = e->value; k != NO_NEXT; k = s->pkg_next[k]) {
		const struct feed_package *p = s->pkg_index[k];
		const char *by = match_exact(p, &v);
		size_t r;

		for (r = 0; !by && r < p->nranges; r++)
			if (semver_range_satisfies(p->ranges[r], &v, 0) == 1)
				by = p->range_texts[r];
		if (!by)
			continue;
		matched++;
		if (fn)
			fn(p, by, payload);
	}
	return matched;
}

const struct feed_file *
feed_set_match_sha256(const struct feed_set *s, const uint8_t digest[32])
{
	const struct strmap_entry *e;

	if (!s->file_index)
		return NULL;
	e = strmap_find(&s->by_sha256, (const char *)digest, 32);
	return e ? s->file_index[e->value] : NULL;
}

/* ---- loading ---- */

/*
 * Adds f to s and to *owned, unless a feed with its id is already there:
 * the same file again is dropped quietly, another file is an error (a feed
 * id names one feed in findings and in `feeds show`).
 */
static int
add_loaded(struct feed_set *s, struct feed ***owned, size_t *nowned,
	   struct feed *f)
{
	size_t i;

	for (i = 0; i < s->nfeeds; i++) {
		const struct feed *o = s->feeds[i];
		struct stat a, b;

		if (strcmp(o->id, f->id) != 0)
			continue;
		if (o->path && f->path && stat(o->path, &a) == 0 &&
		    stat(f->path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			feed_free(f);
			return 0;
		}
		{
			int err = ws_error_set(WS_EPARSE,
					       "%s: feed id \"%s\" is already loaded from %s",
					       f->path ? f->path : "<feed>",
					       f->id,
					       o->path ? o->path : "<feed>");

			feed_free(f);
			return err;
		}
	}
	feed_set_add(s, f);
	/* no capacity is passed in: grow by one (a few feeds per run) */
	*owned = xreallocarray(*owned, *nowned + 1, sizeof(**owned));
	(*owned)[(*nowned)++] = f;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
feed_load_dir(struct feed_set *s, struct feed ***owned, size_t *nowned,
	      const char *dir)
{
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(dir);
	if (!d)
		return ws_error_set(errno == ENOENT ? WS_ENOTFOUND : WS_EIO,
				    "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n == FEED_DIR_FILES_MAX) {
			err = ws_error_set(WS_ELIMIT,
					   "%s: more than %u feed files", dir,
					   FEED_DIR_FILES_MAX);
			goto done;
		}
		XGROW(names, alloc, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		size_t plen = strlen(dir) + strlen(names[i]) + 2;
		char *path = xmalloc(plen);
		struct stat st;
		struct feed *f;

		snprintf(path, plen, "%s/%s", dir, names[i]);
		/* a directory or a socket called x.json is not a feed */
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		err = feed_load(&f, path);
		free(path);
		if (err)
			goto done;
		if ((err = add_loaded(s, owned, nowned, f)))
			goto done;
	}
done:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

int
feed_load_all(struct feed_set *s, struct feed ***owned, size_t *nowned,
	      int bundled, const char *const *extra, size_t nextra)
{
	char dir[PATH_MAX];
	size_t i;
	int err = 0;

	if (bundled) {
		if ((err = ws_data_dir(dir, sizeof(dir), "feeds")))
			goto done;
		if ((err = feed_load_dir(s, owned, nowned, dir)))
			goto done;
	}
	for (i = 0; i < nextra; i++) {
		struct feed *f;

		if ((err = feed_load(&f, extra[i])))
			goto done;
		if ((err = add_loaded(s, owned, nowned, f)))
			goto done;
	}
done:
	feed_set_index(s);
	return err;
}
