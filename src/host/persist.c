/* realpath() is XSI, not in POSIX.1-2008 base. */
#define _DEFAULT_SOURCE

#include "host/host.h"
#include "host/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"
#include "util/banned.h"

/*
 * Persistence: the places a user-level program starts itself again, read
 * line by line and matched against the feeds' artifacts. A match becomes
 * a finding with the line (redacted) as evidence and one removal item in
 * the rotation checklist, so that it is stopped before any token is
 * revoked.
 */

#define PERSIST_HITS_MAX 16	/* findings per file */
#define PERSIST_WIPE_WARNING \
	"Do this BEFORE revoking or rotating any credential: revoking a token " \
	"a dead-man's switch watches can trigger the wipe of the home directory."

enum persist_kind {
	PERSIST_SYSTEMD,
	PERSIST_LAUNCHD,
	PERSIST_CRON,
	PERSIST_SHELL,
	PERSIST_AUTOSTART,
};

static const char *const persist_what[] = {
	"systemd user unit", "LaunchAgent", "crontab", "shell start-up file",
	"XDG autostart entry",
};

struct persist_file {
	struct host *h;
	enum persist_kind kind;
	const char *path;
	const char *base;
	const char *what;
	const struct stat *st;
	unsigned hits, suspects;
	const struct feed_artifact *worst;	/* highest severity matched */
	char exec[HOST_PATH_MAX];	/* the program it starts, or "" */
};

static enum report_severity
artifact_severity(const struct feed_artifact *a)
{
	return a->meta.severity >= REPORT_INFO &&
	       a->meta.severity <= REPORT_CRITICAL ?
	       (enum report_severity)a->meta.severity : REPORT_CRITICAL;
}

static const char *
artifact_feed(const struct feed_artifact *a)
{
	return a->meta.feed && a->meta.feed->id ? a->meta.feed->id : "feed";
}

/* A shell-quoted copy of s for an action line (in the pool). */
static const char *
quoted(struct host *h, const char *s)
{
	struct strbuf sb;
	const char *out;

	strbuf_init(&sb, HOST_PATH_MAX * 4 + 2);
	strbuf_addch(&sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(&sb, "'\\''");
		else
			strbuf_addch(&sb, *s);
	}
	strbuf_addch(&sb, '\'');
	out = mempool_strdup(&h->pool, sb.buf);
	strbuf_release(&sb);
	return out;
}

/* The action that stops and removes what kind of file is at path. */
static const char *
persist_action(struct host *h, enum persist_kind kind, const char *path,
	       const char *base, const char *label, unsigned line)
{
	const char *q = quoted(h, path);

	switch (kind) {
	case PERSIST_SYSTEMD:
		return mempool_printf(&h->pool,
			"Run \"systemctl --user disable --now %s\", then delete %s "
			"and the files it runs, and run \"systemctl --user daemon-reload\". %s",
			quoted(h, base), q, PERSIST_WIPE_WARNING);
	case PERSIST_LAUNCHD:
		return mempool_printf(&h->pool,
			"Run \"launchctl bootout gui/$(id -u) %s\"%s%s%s, then delete it "
			"and the files it runs. %s", q,
			label && *label ? " (label " : "",
			label && *label ? label : "",
			label && *label ? ")" : "", PERSIST_WIPE_WARNING);
	case PERSIST_CRON:
		return mempool_printf(&h->pool,
			"Remove line %u of %s (\"crontab -e\" as its user). %s",
			line, q, PERSIST_WIPE_WARNING);
	case PERSIST_SHELL:
		return mempool_printf(&h->pool,
			"Remove line %u of %s and open a new shell. %s", line, q,
			PERSIST_WIPE_WARNING);
	case PERSIST_AUTOSTART:
		return mempool_printf(&h->pool,
			"Stop the program it started, then delete %s and the files it runs. %s",
			q, PERSIST_WIPE_WARNING);
	}
	return PERSIST_WIPE_WARNING;
}

static void
persist_rotate(struct persist_file *pf, const char *label, unsigned line,
	       const char *why)
{
	struct host *h = pf->h;

	/* a crontab or rc file: one item per line; a unit: one per name
	 * (its file and its *.wants link are stopped by one command) */
	host_removal(h, pf->kind == PERSIST_LAUNCHD ? ROTATION_MACOS :
		     ROTATION_OTHER,
		     mempool_printf(&h->pool, "%s %s", pf->what, pf->base), NULL,
		     line ? mempool_printf(&h->pool, "%s:%u",
					   host_display(h, pf->path), line) :
		     host_display(h, pf->path), why,
		     persist_action(h, pf->kind, pf->path, pf->base, label, line),
		     pf->kind == PERSIST_CRON || pf->kind == PERSIST_SHELL ?
		     mempool_printf(&h->pool, "%s:%u", pf->path, line) :
		     pf->kind == PERSIST_SYSTEMD ?
		     mempool_printf(&h->pool, "systemd:%s", pf->base) :
		     pf->path);
	/* the feeds' "~/" paths need no second finding for the same file */
	host_mark_reported(h, pf->path);
}

/* The first needle in s[0..n), or NULL. */
static const struct host_needle *
find_needle(const struct host *h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < h->nneedles; i++)
		if (host_mem_has(s, n, h->needles[i].value, h->needles[i].len))
			return &h->needles[i];
	return NULL;
}

static void
persist_finding(struct persist_file *pf, const struct host_needle *nd,
		const char *line, size_t len, unsigned lineno, int in_name)
{
	struct host *h = pf->h;
	const struct feed_artifact *a = nd->a;
	struct report_evidence ev[4];
	struct report_finding f;
	char shown[HOST_EVIDENCE_MAX + 8];
	size_t nev = 0;

	memset(&f, 0, sizeof(f));
	f.id = lineno ? mempool_printf(&h->pool, "host-persistence:%s:%u",
				       host_display(h, pf->path), lineno) :
		mempool_printf(&h->pool, "host-persistence:%s",
			       host_display(h, pf->path));
	f.kind = "host-persistence";
	f.severity = artifact_severity(a);
	f.target = h->home;
	f.file = pf->path;
	f.line = lineno;
	f.message = mempool_printf(&h->pool, "%s %s %s %s (%s)", pf->what,
				   host_display(h, pf->path),
				   in_name ? "is named after" : "contains",
				   a->value, a->description ? a->description :
				   a->kind);
	f.remediation = persist_action(h, pf->kind, pf->path, pf->base, NULL,
				       lineno);
	f.feed = artifact_feed(a);
	f.source = a->meta.source;
	f.advisory = a->meta.advisory;
	ev[nev].key = "matched";
	ev[nev++].value = a->value;
	ev[nev].key = "artifact";
	ev[nev++].value = a->kind;
	if (line) {
		host_redact_line(line, len, shown, sizeof(shown));
		ev[nev].key = "line";
		ev[nev++].value = shown;
	}
	f.evidence = ev;
	f.nevidence = nev;
	report_add(h->r, &f);
	h->persistence++;
	if (!pf->worst || artifact_severity(a) > artifact_severity(pf->worst))
		pf->worst = a;
}

/* A word w in s[0..n): not inside a longer name. */
static int
has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w), i;

	for (i = 0; i + wl <= n; i++) {
		if (memcmp(s + i, w, wl) != 0)
			continue;
		if (i && (s[i - 1] == '_' || s[i - 1] == '-' || s[i - 1] == '.' ||
			  (s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
			  (s[i - 1] >= 'A' && s[i - 1] <= 'Z')))
			continue;
		if (i + wl < n && (s[i + wl] == '_' || s[i + wl] == '-' ||
				   s[i + wl] == '.' ||
				   (s[i + wl] >= 'a' && s[i + wl] <= 'z')))
			continue;
		return 1;
	}
	return 0;
}

/*
 * The soft signal: a service or crontab line that starts Bun, or node on
 * a script, the way the worms' loaders and switches run. Not in the feeds,
 * so only for files modified after --since, as medium.
 */
static int
suspect_line(const char *s, size_t n)
{
	if (n && (s[0] == '#' || s[0] == ';'))
		return 0;
	return has_word(s, n, "bun") ||
	       (has_word(s, n, "node") &&
		(host_mem_has(s, n, ".js", 3) || host_mem_has(s, n, ".mjs", 4)));
}

static void
suspect_finding(struct persist_file *pf, const char *line, size_t len,
		unsigned lineno)
{
	struct host *h = pf->h;
	struct report_evidence ev[1];
	struct report_finding f;
	char shown[HOST_EVIDENCE_MAX + 8];

	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&h->pool, "host-suspect:%s:%u",
			      host_display(h, pf->path), lineno);
	f.kind = "host-suspect";
	f.severity = REPORT_MEDIUM;
	f.target = h->home;
	f.file = pf->path;
	f.line = lineno;
	f.message = mempool_printf(&h->pool,
		"%s %s starts Bun or a Node.js script (not in the feeds, but how the worms' loaders persist)",
		pf->what, host_display(h, pf->path));
	f.remediation = mempool_printf(&h->pool,
		"If nobody here installed it: %s",
		persist_action(h, pf->kind, pf->path, pf->base, NULL, lineno));
	f.feed = "host";
	f.source = "wormsign host";
	host_redact_line(line, len, shown, sizeof(shown));
	ev[0].key = "line";
	ev[0].value = shown;
	f.evidence = ev;
	f.nevidence = 1;
	report_add(h->r, &f);
	pf->suspects++;
	if (pf->suspects == 1)
		persist_rotate(pf, NULL, lineno,
			       "starts Bun or a Node.js script; not in the feeds: remove it unless someone here installed it");
}

static int
persist_line(const char *line, size_t len, unsigned lineno, void *payload)
{
	struct persist_file *pf = payload;
	const struct host_needle *nd;

	if (pf->kind == PERSIST_SYSTEMD && !pf->exec[0])
		host_unit_exec(line, len, pf->exec, sizeof(pf->exec));
	if ((nd = find_needle(pf->h, line, len))) {
		if (pf->hits++ >= PERSIST_HITS_MAX)
			return 1;
		persist_finding(pf, nd, line, len, lineno, 0);
		if (pf->kind == PERSIST_CRON || pf->kind == PERSIST_SHELL)
			persist_rotate(pf, NULL, lineno, mempool_printf(
				&pf->h->pool, "matches the feeds' %s", nd->value));
	} else if (pf->kind != PERSIST_SHELL && !pf->hits &&
		   !pf->suspects && host_recent(pf->h, pf->st) &&
		   suspect_line(line, len)) {
		suspect_finding(pf, line, len, lineno);
	}
	return 0;
}

/*
 * The program a matched unit or agent starts, when it is a file in the
 * home ("%h/", "~/", "$HOME/" or the home's own path): one more file to
 * delete once the service is stopped. A system program (/bin/sh) is not.
 */
static void
exec_removal(struct persist_file *pf)
{
	struct host *h = pf->h;
	const char *e = pf->exec, *rest = NULL;
	char path[HOST_PATH_MAX], *real;
	struct stat st;
	size_t hl = strlen(h->home);

	if (strncmp(e, "%h/", 3) == 0 || strncmp(e, "~/", 2) == 0)
		rest = strchr(e, '/') + 1;
	else if (strncmp(e, "$HOME/", 6) == 0 || strncmp(e, "${HOME}/", 8) == 0)
		rest = strchr(e, '/') + 1;
	if (rest)
		snprintf(path, sizeof(path), "%s/%s", h->home, rest);
	else if (strncmp(e, h->home, hl) == 0 && e[hl] == '/')
		snprintf(path, sizeof(path), "%s", e);
	else
		return;
	if (strstr(path, "/../") || lstat(path, &st) < 0 ||
	    !(real = realpath(path, NULL)))
		return;
	if (strncmp(real, h->home, hl) == 0 && real[hl] == '/' &&
	    S_ISREG(st.st_mode))
		host_removal(h, ROTATION_OTHER,
			mempool_printf(&h->pool, "file %s", host_display(h, path)),
			NULL, host_display(h, path),
			mempool_printf(&h->pool, "started by %s %s", pf->what,
				       host_display(h, pf->path)),
			mempool_printf(&h->pool, "Run \"rm %s\" once %s is stopped. %s",
				       quoted(h, path), host_display(h, pf->path),
				       PERSIST_WIPE_WARNING),
			path);
	free(real);
}

/* Reads one file of kind and matches it. */
static void
persist_file(struct host *h, enum persist_kind kind, const char *path,
	     int system)
{
	struct persist_file pf;
	const struct host_needle *nd;
	struct strbuf sb;
	struct stat st;
	const char *slash = strrchr(path, '/');
	char label[256];

	memset(&pf, 0, sizeof(pf));
	pf.h = h;
	pf.kind = kind;
	pf.path = path;
	pf.base = slash ? slash + 1 : path;
	pf.what = persist_what[kind];
	pf.st = &st;
	strbuf_init(&sb, HOST_FILE_MAX);
	if (host_read(h, pf.what, path, system, &sb, &st) != HOST_READ_OK)
		goto done;
	/* the file's name first: gh-token-monitor.service */
	if ((nd = find_needle(h, pf.base, strlen(pf.base)))) {
		pf.hits++;
		persist_finding(&pf, nd, NULL, 0, 0, 1);
	}
	label[0] = '\0';
	if (kind == PERSIST_LAUNCHD && sb.len >= 8 &&
	    memcmp(sb.buf, "bplist00", 8) == 0) {
		/* binary: ASCII strings are stored as they are, so the
		 * needles still match; lines mean nothing there */
		host_list_skipped(h, pf.what, path,
				  "binary plist: matched on its bytes, no lines");
		if (!pf.hits && (nd = find_needle(h, sb.buf, sb.len))) {
			pf.hits++;
			persist_finding(&pf, nd, NULL, 0, 0, 0);
		}
	} else {
		if (kind == PERSIST_LAUNCHD) {
			host_plist_label(sb.buf, sb.len, label, sizeof(label));
			host_plist_program(sb.buf, sb.len, pf.exec,
					   sizeof(pf.exec));
		}
		host_each_line(sb.buf, sb.len, persist_line, &pf);
	}
	if (pf.hits > PERSIST_HITS_MAX)
		host_list_skipped(h, pf.what, path,
				  "more than 16 matching lines: the rest not reported");
	if (pf.worst && kind != PERSIST_CRON && kind != PERSIST_SHELL)
		persist_rotate(&pf, label, 0, mempool_printf(&h->pool,
			"matches the feeds' %s (%s)", pf.worst->value,
			pf.worst->description ? pf.worst->description :
			pf.worst->kind));
	if (pf.worst || pf.suspects)
		exec_removal(&pf);
done:
	strbuf_release(&sb);
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* A *.wants link: its name is matched, its target is not followed out. */
static void
systemd_link(struct host *h, const char *path, const char *name)
{
	struct persist_file pf;
	const struct host_needle *nd;
	struct stat st;
	char target[HOST_PATH_MAX];
	ssize_t n;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISLNK(st.st_mode)) {
		persist_file(h, PERSIST_SYSTEMD, path, 0);
		return;
	}
	memset(&pf, 0, sizeof(pf));
	pf.h = h;
	pf.kind = PERSIST_SYSTEMD;
	pf.path = path;
	pf.base = name;
	pf.what = "enabled systemd user unit";
	pf.st = &st;
	if ((nd = find_needle(h, name, strlen(name)))) {
		persist_finding(&pf, nd, NULL, 0, 0, 1);
		persist_rotate(&pf, NULL, 0, mempool_printf(&h->pool,
			"enabled unit named after the feeds' %s", nd->value));
	}
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		char *real;

		target[n] = '\0';
		real = realpath(path, NULL);
		if (!real || strncmp(real, h->home, strlen(h->home)) != 0 ||
		    real[strlen(h->home)] != '/')
			host_list_skipped(h, "systemd user unit", path,
					  "symlink out of the home, not followed");
		else
			host_list_checked(h, "enabled systemd user unit", path);
		free(real);
	}
}

static void
check_systemd_dir(struct host *h, const char *dir)
{
	char **names, path[HOST_PATH_MAX];
	size_t n, i;
	struct stat st;

	if (!host_dir_ok(h, NULL, dir, 0))
		return;
	if (!(names = host_list_dir(h, "systemd user units", dir, &n)))
		return;
	host_list_checked(h, "systemd user units", dir);
	/* the unit files first, so that their removal item names them */
	for (i = 0; i < n; i++)
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path) && lstat(path, &st) == 0 &&
		    !S_ISDIR(st.st_mode))
			persist_file(h, PERSIST_SYSTEMD, path, 0);
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			continue;
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && (has_suffix(names[i], ".wants") ||
					    has_suffix(names[i], ".requires"))) {
			char **links, lpath[HOST_PATH_MAX];
			size_t nl, j;

			if (!(links = host_list_dir(h, "systemd user units",
						    path, &nl)))
				continue;
			for (j = 0; j < nl; j++)
				if (snprintf(lpath, sizeof(lpath), "%s/%s", path,
					     links[j]) < (int)sizeof(lpath))
					systemd_link(h, lpath, links[j]);
			host_free_names(links, nl);
		}
	}
	host_free_names(names, n);
}

static void
check_plist_dir(struct host *h, const char *dir, int system)
{
	char **names, path[HOST_PATH_MAX];
	size_t n, i;

	if (!host_dir_ok(h, NULL, dir, system))
		return;
	if (!(names = host_list_dir(h, "LaunchAgents", dir, &n)))
		return;
	host_list_checked(h, "LaunchAgents", dir);
	for (i = 0; i < n; i++)
		if (has_suffix(names[i], ".plist") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path))
			persist_file(h, PERSIST_LAUNCHD, path, system);
	host_free_names(names, n);
}

static void
check_crontabs(struct host *h)
{
	static const char *const dirs[] = {
		"var/spool/cron/crontabs",	/* Debian, Ubuntu */
		"var/spool/cron",		/* Fedora, RHEL */
		"usr/lib/cron/tabs",		/* macOS */
		"var/at/tabs",			/* macOS, BSD */
	};
	const char *user = h->o->user;
	char path[HOST_PATH_MAX];
	size_t i;

	if (!h->sysroot)
		return;
	if (!user) {
		const char *slash = strrchr(h->home, '/');

		user = slash ? slash + 1 : h->home;
	}
	if (!*user || strchr(user, '/') || strcmp(user, "..") == 0)
		return;
	for (i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		if (snprintf(path, sizeof(path), "%s/%s/%s",
			     strcmp(h->sysroot, "/") == 0 ? "" : h->sysroot,
			     dirs[i], user) < (int)sizeof(path))
			persist_file(h, PERSIST_CRON, path, 1);
	if (snprintf(path, sizeof(path), "%s/etc/crontab",
		     strcmp(h->sysroot, "/") == 0 ? "" : h->sysroot) <
	    (int)sizeof(path))
		persist_file(h, PERSIST_CRON, path, 1);
}

/* XDG autostart: the .desktop files of ~/.config/autostart, run at each
 * login. */
static void
check_autostart(struct host *h)
{
	char dir[HOST_PATH_MAX], path[HOST_PATH_MAX], **names;
	size_t n, i;

	if (snprintf(dir, sizeof(dir), "%s/.config/autostart", h->home) >=
	    (int)sizeof(dir) || !host_dir_ok(h, NULL, dir, 0) ||
	    !(names = host_list_dir(h, "XDG autostart", dir, &n)))
		return;
	host_list_checked(h, "XDG autostart", dir);
	for (i = 0; i < n; i++)
		if (has_suffix(names[i], ".desktop") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path))
			persist_file(h, PERSIST_AUTOSTART, path, 0);
	host_free_names(names, n);
}

void
host_check_persistence(struct host *h)
{
	static const char *const units[] = {
		".config/systemd/user", ".local/share/systemd/user",
	};
	static const char *const shells[] = {
		".bashrc", ".bash_profile", ".bash_login", ".profile",
		".zshrc", ".zshenv", ".zprofile", ".zlogin",
		".config/fish/config.fish",
	};
	char path[HOST_PATH_MAX];
	const char *sys = h->sysroot && strcmp(h->sysroot, "/") != 0 ?
		h->sysroot : "";
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (snprintf(path, sizeof(path), "%s/%s", h->home, units[i]) <
		    (int)sizeof(path))
			check_systemd_dir(h, path);
	if (snprintf(path, sizeof(path), "%s/Library/LaunchAgents", h->home) <
	    (int)sizeof(path))
		check_plist_dir(h, path, 0);
	if (h->sysroot) {
		if (snprintf(path, sizeof(path), "%s/Library/LaunchAgents", sys) <
		    (int)sizeof(path))
			check_plist_dir(h, path, 1);
		if (snprintf(path, sizeof(path), "%s/Library/LaunchDaemons", sys) <
		    (int)sizeof(path))
			check_plist_dir(h, path, 1);
	}
	check_crontabs(h);
	check_autostart(h);
	for (i = 0; i < sizeof(shells) / sizeof(*shells); i++)
		if (snprintf(path, sizeof(path), "%s/%s", h->home, shells[i]) <
		    (int)sizeof(path))
			persist_file(h, PERSIST_SHELL, path, 0);
}

/* ---- self-hosted runners ---- */

static int
skip_dir(const char *name)
{
	static const char *const skip[] = {
		"node_modules", ".git", ".npm", ".cache", ".bun", "Library",
		".Trash", ".rustup", ".cargo", ".gradle", ".m2", ".nvm",
		"snap", ".local",
	};
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(*skip); i++)
		if (strcmp(name, skip[i]) == 0)
			return 1;
	return 0;
}

static int
ci_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = *a >= 'a' && *a <= 'z' ? *a - 32 : *a;
		int y = *b >= 'a' && *b <= 'z' ? *b - 32 : *b;

		if (x != y)
			return 0;
	}
	return !*a && !*b;
}

static const struct feed_artifact *
runner_artifact(const struct host *h, const char *agent, const char *shown)
{
	size_t i;

	for (i = 0; i < h->nneedles; i++) {
		const struct feed_artifact *a = h->needles[i].a;

		if (strcmp(a->kind, "runner") == 0 && *agent &&
		    ci_equal(a->value, agent))
			return a;
	}
	for (i = 0; i < h->nneedles; i++) {
		const struct feed_artifact *a = h->needles[i].a;

		if (strcmp(a->kind, "file") == 0 && shown[0] == '~' &&
		    strcmp(a->value + 1, shown + 1) == 0)
			return a;
	}
	return NULL;
}

static void
runner_found(struct host *h, const char *dir)
{
	struct report_evidence ev[4];
	struct report_finding f;
	struct strbuf sb;
	struct stat st, cst;
	const struct feed_artifact *a;
	const char *shown = host_display(h, dir);
	char path[HOST_PATH_MAX], agent[128], url[512];
	size_t nev = 0;
	int creds, recent = 1;

	agent[0] = url[0] = '\0';
	strbuf_init(&sb, HOST_FILE_MAX);
	snprintf(path, sizeof(path), "%s/.runner", dir);
	if (host_read(h, "GitHub Actions runner", path, 0, &sb, &st) ==
	    HOST_READ_OK) {
		host_parse_runner(sb.buf, sb.len, agent, sizeof(agent), url,
				  sizeof(url));
		recent = host_recent(h, &st);
	}
	snprintf(path, sizeof(path), "%s/.credentials", dir);
	creds = lstat(path, &cst) == 0;
	if (creds && !agent[0])
		recent = host_recent(h, &cst);
	strbuf_release(&sb);
	a = runner_artifact(h, agent, shown);
	if (!a && !recent)
		return;
	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&h->pool, "host-runner:%s", shown);
	f.kind = "host-runner";
	f.severity = a ? REPORT_CRITICAL : REPORT_MEDIUM;
	f.target = h->home;
	f.file = dir;
	f.message = a ?
		mempool_printf(&h->pool, "self-hosted GitHub Actions runner %s%s%s in %s matches the feeds' %s (%s)",
			       agent[0] ? "\"" : "", agent, agent[0] ? "\"" : "",
			       shown, a->value, a->description ? a->description : a->kind) :
		mempool_printf(&h->pool, "self-hosted GitHub Actions runner %s%s%s registered in %s (not in the feeds: check someone here set it up)",
			       agent[0] ? "\"" : "", agent, agent[0] ? "\"" : "", shown);
	f.remediation = mempool_printf(&h->pool,
		"Stop its Runner.Listener and Runner.Worker processes (do not run the scripts in %s), "
		"delete the directory, and remove the runner from %s (Settings, Actions, Runners). %s",
		shown, url[0] ? url : "the repositories or organisation it serves",
		PERSIST_WIPE_WARNING);
	f.feed = a ? artifact_feed(a) : "host";
	f.source = a ? a->meta.source : "wormsign host";
	if (agent[0]) {
		ev[nev].key = "agentName";
		ev[nev++].value = agent;
	}
	if (url[0]) {
		ev[nev].key = "gitHubUrl";
		ev[nev++].value = url;
	}
	ev[nev].key = "registered";
	ev[nev++].value = creds ? ".credentials present" : "no .credentials";
	f.evidence = ev;
	f.nevidence = nev;
	report_add(h->r, &f);
	h->persistence++;
	host_mark_reported(h, dir);

	host_removal(h, ROTATION_GITHUB,
		mempool_printf(&h->pool, "self-hosted runner %s",
			       agent[0] ? agent : shown),
		url[0] ? url : NULL, shown, f.message,
		mempool_printf(&h->pool,
			"Stop the runner's processes, run \"rm -rf %s\", and remove runner %s from %s. %s",
			quoted(h, dir), agent[0] ? agent : "(unnamed)",
			url[0] ? url : "the repositories it serves",
			PERSIST_WIPE_WARNING), dir);
}

static void
runner_walk(struct host *h, const char *dir, unsigned depth, size_t *seen)
{
	char **names, path[HOST_PATH_MAX];
	size_t n, i;
	int found = 0;
	struct stat st;

	if (++*seen > HOST_RUNNER_DIRS_MAX)
		return;
	if (!(names = host_list_dir(h, "runner search", dir, &n)))
		return;
	for (i = 0; i < n && !found; i++)
		if (strcmp(names[i], ".runner") == 0 ||
		    strcmp(names[i], ".credentials") == 0)
			found = 1;
	if (found)
		runner_found(h, dir);
	for (i = 0; i < n && depth < HOST_RUNNER_DEPTH; i++) {
		if (skip_dir(names[i]) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			continue;
		/* never through a symlink: lstat */
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			runner_walk(h, path, depth + 1, seen);
	}
	host_free_names(names, n);
}

void
host_check_runners(struct host *h)
{
	size_t seen = 0;

	runner_walk(h, h->home, 0, &seen);
	if (seen > HOST_RUNNER_DIRS_MAX)
		host_list_skipped(h, "runner search", h->home,
				  "more than 20000 directories: the rest not searched");
	else
		host_list_checked(h, "runner search", h->home);
}

/* ---- the feeds' file artifacts ---- */

/* The token a switch watches: fingerprinted, to be revoked afterwards. */
static void
watched_token(struct host *h, const char *path, const struct feed_artifact *a)
{
	struct rotation_item it;
	struct strbuf sb;
	struct stat st;
	char fp[HOST_FP_HEX + 1];
	size_t s = 0, e;

	strbuf_init(&sb, HOST_FILE_MAX);
	if (host_read(h, "watched token", path, 0, &sb, &st) != HOST_READ_OK)
		goto done;
	e = sb.len;
	while (s < e && (sb.buf[s] == ' ' || sb.buf[s] == '\n' ||
			 sb.buf[s] == '\r' || sb.buf[s] == '\t'))
		s++;
	while (e > s && (sb.buf[e - 1] == ' ' || sb.buf[e - 1] == '\n' ||
			 sb.buf[e - 1] == '\r' || sb.buf[e - 1] == '\t'))
		e--;
	if (s == e)
		goto done;
	host_fingerprint(sb.buf + s, e - s, fp);
	memset(&it, 0, sizeof(it));
	it.platform = ROTATION_GITHUB;
	it.kind = ROTATION_TOKEN;
	it.phase = ROTATION_PHASE_REVOKE;
	it.item = "GitHub token watched by the dead-man's switch";
	it.fingerprint = fp;
	it.secret = host_display(h, path);
	it.where = host_display(h, path);
	it.why = a->description;
	it.action = "Revoke this token ONLY after the switch is stopped and its files are deleted "
		"(the items above): revoking it while the switch runs wipes the home directory.";
	rotation_add(&h->rot, &it, 1);
	h->credentials++;
done:
	/* the token's bytes are not kept */
	memset(sb.buf, 0, sb.len);
	strbuf_release(&sb);
}

void
host_check_artifact_paths(struct host *h, const char *root, const char *label)
{
	const struct feed_set *s = h->o->feeds;
	char path[HOST_PATH_MAX];
	size_t i, j;

	for (i = 0; s && i < s->nfeeds; i++) {
		const struct feed *fd = s->feeds[i];

		for (j = 0; j < fd->nartifacts; j++) {
			const struct feed_artifact *a = &fd->artifacts[j];
			const char *v = a->value;
			struct report_finding f;
			struct report_evidence ev[2];
			struct stat st;
			int system = 0, home = strcmp(label, "home") == 0;

			if (!a->kind || strcmp(a->kind, "file") != 0 || !v)
				continue;
			if (strncmp(v, "~/", 2) == 0) {
				if (!home)
					continue;
				snprintf(path, sizeof(path), "%s/%s", root, v + 2);
			} else if (v[0] == '/') {
				if (!home || !h->sysroot)
					continue;
				system = 1;
				snprintf(path, sizeof(path), "%s%s",
					 strcmp(h->sysroot, "/") == 0 ? "" : h->sysroot, v);
			} else if (strchr(v, '/') &&
				   artifact_severity(a) >= REPORT_MEDIUM &&
				   !strstr(v, "..")) {
				snprintf(path, sizeof(path), "%s/%s", root, v);
			} else {
				continue;
			}
			if (lstat(path, &st) < 0) {
				if (errno != ENOENT && errno != ENOTDIR)
					host_list_error(h, "feed artifact", path,
							strerror(errno));
				continue;
			}
			if (host_was_reported(h, path))
				continue;	/* already reported as a unit or a runner */
			host_list_checked(h, "feed artifact", path);
			memset(&f, 0, sizeof(f));
			f.id = mempool_printf(&h->pool, "host-persistence:%s",
					      host_display(h, path));
			f.kind = "host-persistence";
			f.severity = artifact_severity(a);
			f.target = system ? h->sysroot : root;
			f.file = path;
			f.message = mempool_printf(&h->pool, "%s %s exists (%s)",
				S_ISDIR(st.st_mode) ? "directory" : "file",
				host_display(h, path),
				a->description ? a->description : a->kind);
			f.remediation = mempool_printf(&h->pool,
				"Delete it after stopping whatever runs it. %s",
				PERSIST_WIPE_WARNING);
			f.feed = artifact_feed(a);
			f.source = a->meta.source;
			ev[0].key = "matched";
			ev[0].value = v;
			ev[1].key = "artifact";
			ev[1].value = a->kind;
			f.evidence = ev;
			f.nevidence = 2;
			report_add(h->r, &f);
			h->persistence++;
			host_removal(h, ROTATION_OTHER,
				mempool_printf(&h->pool, "%s %s",
					S_ISDIR(st.st_mode) ? "directory" : "file", v),
				NULL, host_display(h, path), a->description,
				mempool_printf(&h->pool, "Run \"rm %s%s\". %s",
					S_ISDIR(st.st_mode) ? "-rf " : "",
					quoted(h, path), PERSIST_WIPE_WARNING),
				path);
			if (home && !system && S_ISREG(st.st_mode) &&
			    has_suffix(v, "/token"))
				watched_token(h, path, a);
		}
	}
}
