#include "rules/rules.h"
#include "rules/rules_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yara.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define RULES_ERROR_MAX 512	/* bytes of one compiler message kept */

struct rules {
	YR_RULES *yr;
	size_t count;
};

/* ---- process-wide state ---- */

static int
rules_yr_error(int e, const char *what)
{
	if (e == ERROR_INSUFFICIENT_MEMORY)
		return ws_error_set(WS_ERROR, "%s: out of memory in libyara",
				    what);
	return ws_error_set(WS_ERROR, "%s: libyara error %d", what, e);
}

/*
 * How many rules_global_init calls are outstanding, plus one when a load
 * had to initialise libyara itself: libyara without yr_initialize fails
 * in confusing ways ("too many strings in rule (limit: 0)", then a crash),
 * so a caller that forgot gets a working library rather than that.
 */
static int rules_inits;

int
rules_global_init(void)
{
	int e = yr_initialize();

	if (e != ERROR_SUCCESS)
		return rules_yr_error(e, "yara");
	rules_inits++;
	return 0;
}

void
rules_global_cleanup(void)
{
	if (rules_inits <= 0)
		return;
	rules_inits--;
	yr_finalize();
}

static int
rules_ensure_init(void)
{
	return rules_inits > 0 ? 0 : rules_global_init();
}

/* ---- compiling ---- */

/*
 * What the compiler callback records: the first error as "<file>:<line>:
 * <message>", and how many there were. libyara reports the line; the file
 * is ours, since every source is handed over as a string.
 */
struct rules_build {
	YR_COMPILER *c;
	const char *file;	/* the source being compiled */
	char first[RULES_ERROR_MAX];
	size_t errors;
	int include_refused;
};

static void
rules_on_message(int level, const char *file_name, int line,
		 const YR_RULE *rule, const char *message, void *payload)
{
	struct rules_build *b = payload;
	const char *what = message;

	(void)file_name;
	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR)
		return;	/* warnings (slow strings, ...) are not failures */
	if (b->errors++)
		return;
	if (b->include_refused)
		what = "include is not supported: rules files are compiled one by one";
	/* libyara gives line 0 for an error at the end of the input */
	if (line > 0)
		snprintf(b->first, sizeof(b->first), "%s:%d: %s",
			 b->file ? b->file : "<rules>", line,
			 what ? what : "error");
	else
		snprintf(b->first, sizeof(b->first), "%s: %s",
			 b->file ? b->file : "<rules>", what ? what : "error");
}

/*
 * A rule file may not pull in other files: sources come only from the
 * directories the user named, so a rule cannot read /etc/passwd into an
 * error message or make one file's meaning depend on another.
 */
static const char *
rules_on_include(const char *name, const char *calling_file,
		 const char *calling_ns, void *payload)
{
	struct rules_build *b = payload;

	(void)name;
	(void)calling_file;
	(void)calling_ns;
	b->include_refused = 1;
	return NULL;
}

static int
rules_build_init(struct rules_build *b)
{
	int e;

	memset(b, 0, sizeof(*b));
	if ((e = yr_compiler_create(&b->c)) != ERROR_SUCCESS)
		return rules_yr_error(e, "yara compiler");
	yr_compiler_set_callback(b->c, rules_on_message, b);
	yr_compiler_set_include_callback(b->c, rules_on_include, NULL, b);
	return 0;
}

static void
rules_build_release(struct rules_build *b)
{
	if (b->c)
		yr_compiler_destroy(b->c);
	b->c = NULL;
}

/* Compiles one source (NUL-terminated) into the namespace ns. */
static int
rules_build_add(struct rules_build *b, const char *text, const char *ns,
		const char *file)
{
	int n;

	b->file = file;
	n = yr_compiler_add_string(b->c, text, ns);
	b->file = NULL;
	if (n == 0 && !b->errors)
		return 0;
	if (!b->errors)		/* failed without telling the callback */
		snprintf(b->first, sizeof(b->first), "%s: does not compile",
			 file);
	if (b->errors > 1)
		return ws_error_set(WS_EPARSE, "%s (and %zu more errors)",
				    b->first, b->errors - 1);
	return ws_error_set(WS_EPARSE, "%s", b->first);
}

static int
rules_build_finish(struct rules **out, struct rules_build *b)
{
	YR_RULES *yr = NULL;
	const YR_RULE *rule;
	struct rules *r;
	int e;

	*out = NULL;
	if ((e = yr_compiler_get_rules(b->c, &yr)) != ERROR_SUCCESS)
		return rules_yr_error(e, "yara rules");
	r = xcalloc(1, sizeof(*r));
	r->yr = yr;
	yr_rules_foreach(yr, rule)
		r->count++;
	*out = r;
	return 0;
}

/* Whether name ends in .yar or .yara; *stem gets the length before it. */
static int
rules_is_source(const char *name, size_t *stem)
{
	size_t n = strlen(name);

	if (n > 4 && strcmp(name + n - 4, ".yar") == 0) {
		*stem = n - 4;
		return 1;
	}
	if (n > 5 && strcmp(name + n - 5, ".yara") == 0) {
		*stem = n - 5;
		return 1;
	}
	return 0;
}

static int
rules_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rule sources in dir, sorted; *names (each xmalloc'd) to free. */
static int
rules_list_dir(char ***names, size_t *n, const char *dir, size_t *total)
{
	DIR *d = NULL;
	struct dirent *de;
	size_t alloc = 0, stem;
	int err = 0;

	*names = NULL;
	*n = 0;
	if (!(d = opendir(dir))) {
		err = ws_error_set(errno == ENOENT || errno == ENOTDIR ?
				   WS_ENOTFOUND : WS_EIO,
				   "%s: %s", dir, strerror(errno));
		goto done;
	}
	while ((errno = 0, de = readdir(d))) {
		if (de->d_name[0] == '.' || !rules_is_source(de->d_name, &stem))
			continue;
		if (*total >= RULES_FILES_MAX) {
			err = ws_error_set(WS_ELIMIT, "%s: more than %d rule files",
					   dir, RULES_FILES_MAX);
			goto done;
		}
		XGROW(*names, alloc, *n + 1);
		(*names)[(*n)++] = xstrdup(de->d_name);
		(*total)++;
	}
	if (errno) {
		err = ws_error_set(WS_EIO, "%s: %s", dir, strerror(errno));
		goto done;
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), rules_cmp_names);
done:
	if (d)
		closedir(d);
	return err;
}

static void
rules_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Reads one source file, bounded, refusing anything but a regular file. */
static int
rules_read_source(struct strbuf *sb, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return ws_error_set(errno == ENOENT ? WS_ENOTFOUND : WS_EIO,
				    "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ws_error_set(WS_EIO, "%s: not a regular file", path);
	strbuf_reset(sb);
	return strbuf_read_file(sb, path, 0);
}

int
rules_load(struct rules **out, const char *const *dirs, size_t ndirs)
{
	struct rules_build b;
	struct strbuf src, path;
	char **names = NULL, *ns = NULL;
	size_t nnames = 0, total = 0, i, j, stem;
	int err;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	strbuf_init(&src, RULES_FILE_MAX);
	strbuf_init(&path, 4096);
	if ((err = rules_ensure_init()) || (err = rules_build_init(&b)))
		goto done;
	for (i = 0; i < ndirs; i++) {
		rules_free_names(names, nnames);
		if ((err = rules_list_dir(&names, &nnames, dirs[i], &total)))
			goto done;
		for (j = 0; j < nnames; j++) {
			strbuf_reset(&path);
			if ((err = strbuf_addf(&path, "%s/%s", dirs[i],
					       names[j]))) {
				err = ws_error_set(WS_ELIMIT, "%s: path too long",
						   dirs[i]);
				goto done;
			}
			if ((err = rules_read_source(&src, path.buf)))
				goto done;
			rules_is_source(names[j], &stem);
			free(ns);
			ns = xstrndup(names[j], stem);
			if ((err = rules_build_add(&b, src.buf, ns, path.buf)))
				goto done;
		}
	}
	err = rules_build_finish(out, &b);
done:
	rules_free_names(names, nnames);
	free(ns);
	rules_build_release(&b);
	strbuf_release(&src);
	strbuf_release(&path);
	return err;
}

int
rules_load_mem(struct rules **out, const char *text, size_t len,
	       const char *name)
{
	struct rules_build b;
	char *copy = NULL;
	int err;

	*out = NULL;
	if (len > RULES_FILE_MAX)
		return ws_error_set(WS_ELIMIT, "%s: larger than %u bytes",
				    name, RULES_FILE_MAX);
	if (memchr(text, '\0', len))
		return ws_error_set(WS_EPARSE, "%s: contains a NUL byte", name);
	if ((err = rules_ensure_init()) || (err = rules_build_init(&b)))
		return err;
	copy = xstrndup(text, len);
	if (!(err = rules_build_add(&b, copy, name, name)))
		err = rules_build_finish(out, &b);
	free(copy);
	rules_build_release(&b);
	return err;
}

void
rules_free(struct rules *r)
{
	if (!r)
		return;
	if (r->yr)
		yr_rules_destroy(r->yr);
	free(r);
}

size_t
rules_count(const struct rules *r)
{
	return r ? r->count : 0;
}

/* ---- scanning ---- */

struct rules_scan_ctx {
	rules_match_fn fn;
	void *payload;
};

static const char *
rules_meta(const YR_RULE *rule, const char *key)
{
	const YR_META *meta;

	yr_rule_metas_foreach(rule, meta) {
		if (meta->type == META_TYPE_STRING &&
		    strcmp(meta->identifier, key) == 0)
			return meta->string;
	}
	return NULL;
}

static int
rules_on_scan(YR_SCAN_CONTEXT *context, int message, void *data,
	      void *payload)
{
	struct rules_scan_ctx *s = payload;
	const YR_RULE *rule = data;
	struct rules_match m;

	(void)context;
	if (message != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	m.rule = rule->identifier;
	m.ns = rule->ns ? rule->ns->name : "default";
	m.description = rules_meta(rule, "description");
	m.severity = rules_meta(rule, "severity");
	m.family = rules_meta(rule, "family");
	m.reference = rules_meta(rule, "reference");
	s->fn(&m, s->payload);
	return CALLBACK_CONTINUE;
}

int
rules_scan(const struct rules *r, const void *buf, size_t len,
	   rules_match_fn fn, void *payload)
{
	struct rules_scan_ctx s = { fn, payload };
	static const uint8_t empty[1];
	int e;

	if (!r || !r->count)
		return 0;
	e = yr_rules_scan_mem(r->yr, len ? buf : empty, len,
			      SCAN_FLAGS_FAST_MODE, rules_on_scan, &s,
			      RULES_SCAN_TIMEOUT);
	switch (e) {
	case ERROR_SUCCESS:
		return 0;
	case ERROR_SCAN_TIMEOUT:
		return ws_error_set(WS_ELIMIT, "yara scan took longer than %d seconds, stopped",
				    RULES_SCAN_TIMEOUT);
	case ERROR_TOO_MANY_MATCHES:
		return ws_error_set(WS_ELIMIT, "yara scan stopped: too many string matches");
	default:
		return rules_yr_error(e, "yara scan");
	}
}
