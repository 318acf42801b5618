#include "lockfile/lockfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json/json.h"
#include "lockfile/npm.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "lockfile/internal.h"
#include "util/banned.h"

static const char *
path_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

enum lockfile_kind
lockfile_kind_of(const char *path)
{
	const char *base = path_basename(path);

	if (strcmp(base, "package-lock.json") == 0)
		return LOCKFILE_NPM;
	if (strcmp(base, "npm-shrinkwrap.json") == 0)
		return LOCKFILE_SHRINKWRAP;
	if (strcmp(base, ".package-lock.json") == 0)
		return LOCKFILE_NPM_HIDDEN;
	if (strcmp(base, "yarn.lock") == 0)
		return LOCKFILE_YARN;
	if (strcmp(base, "pnpm-lock.yaml") == 0)
		return LOCKFILE_PNPM;
	if (strcmp(base, "bun.lock") == 0)
		return LOCKFILE_BUN;
	if (strcmp(base, "bun.lockb") == 0)
		return LOCKFILE_BUN_BINARY;
	return LOCKFILE_UNKNOWN;
}

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
lockfile_load(struct tree **out, const char *path)
{
	enum lockfile_kind kind = lockfile_kind_of(path);
	struct strbuf buf, mbuf, mpath;
	struct json_doc mdoc;
	const struct json_value *manifest = NULL;
	char *dir = NULL;
	int err;

	*out = NULL;
	memset(&mdoc, 0, sizeof(mdoc));
	strbuf_init(&buf, LOCKFILE_MAX);
	strbuf_init(&mbuf, TREE_MANIFEST_MAX);
	strbuf_init(&mpath, 4096);
	if (kind == LOCKFILE_UNKNOWN) {
		err = ws_error_set(WS_EUNSUPPORTED,
				   "%s: not a lockfile wormsign reads (package-lock.json, npm-shrinkwrap.json, node_modules/.package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock)",
				   path);
		goto done;
	}
	if (kind == LOCKFILE_BUN_BINARY) {
		err = ws_error_set(WS_EUNSUPPORTED,
				   "%s: the binary bun.lockb is not read; run 'bun install --save-text-lockfile' to write bun.lock beside it",
				   path);
		goto done;
	}
	if ((err = strbuf_read_file(&buf, path, 0)))
		goto done;

	/* The project's package.json names the root's direct dependencies,
	 * which v1 and hidden lockfiles do not record. It is optional: a
	 * broken one only costs path accuracy, so it is ignored. */
	dir = lockfile_dirname(path);
	if (kind == LOCKFILE_NPM_HIDDEN) {
		char *up = lockfile_dirname(dir);

		free(dir);
		dir = up;
	}
	if (!strbuf_addf(&mpath, "%s/package.json", dir) &&
	    file_exists(mpath.buf) &&
	    !strbuf_read_file(&mbuf, mpath.buf, 0) &&
	    !json_parse(&mdoc, mbuf.buf, mbuf.len, mpath.buf, 0) &&
	    json_is(mdoc.root, JSON_OBJECT))
		manifest = mdoc.root;
	ws_error_clear();

	switch (kind) {
	case LOCKFILE_YARN:
		err = lockfile_parse_yarn(out, buf.buf, buf.len, path,
					  manifest);
		break;
	case LOCKFILE_PNPM:
		err = lockfile_parse_pnpm(out, buf.buf, buf.len, path,
					  manifest);
		break;
	case LOCKFILE_BUN:
		err = lockfile_parse_bun(out, buf.buf, buf.len, path,
					 manifest);
		break;
	default:
		err = lockfile_parse_npm_with(out, buf.buf, buf.len, path,
					      kind, manifest);
	}
	if (err)
		goto done;
	/* The readers borrow from the buffer; it lives as long as the tree. */
	tree_own(*out, strbuf_detach(&buf, NULL));
	tree_resolve(*out);

done:
	json_doc_release(&mdoc);
	strbuf_release(&mbuf);
	strbuf_release(&mpath);
	strbuf_release(&buf);
	free(dir);
	return err;
}

static void
push_path(char ***paths, size_t *npaths, const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	if (strcmp(dir, ".") == 0)
		snprintf(p, n, "%s", name);
	else
		snprintf(p, n, "%s%s%s", dir,
			 dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
			 name);
	*paths = xreallocarray(*paths, *npaths + 1, sizeof(**paths));
	(*paths)[(*npaths)++] = p;
}

static int
dir_has(const char *dir, const char *name)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return 0;
	return file_exists(path);
}

size_t
lockfile_detect(char ***paths, size_t *npaths, const char *dir,
		int include_hidden)
{
	size_t before = *npaths;

	/* npm reads npm-shrinkwrap.json in preference to package-lock.json
	 * and ignores the latter when both exist; so do we. */
	if (dir_has(dir, "npm-shrinkwrap.json"))
		push_path(paths, npaths, dir, "npm-shrinkwrap.json");
	else if (dir_has(dir, "package-lock.json"))
		push_path(paths, npaths, dir, "package-lock.json");
	if (dir_has(dir, "yarn.lock"))
		push_path(paths, npaths, dir, "yarn.lock");
	if (dir_has(dir, "pnpm-lock.yaml"))
		push_path(paths, npaths, dir, "pnpm-lock.yaml");
	if (dir_has(dir, "bun.lock"))
		push_path(paths, npaths, dir, "bun.lock");
	else if (dir_has(dir, "bun.lockb"))
		push_path(paths, npaths, dir, "bun.lockb");
	if (*npaths == before && include_hidden &&
	    dir_has(dir, "node_modules/.package-lock.json"))
		push_path(paths, npaths, dir,
			  "node_modules/.package-lock.json");
	return *npaths - before;
}
