/*
 * The project's own release-age policy, read the way each package manager
 * reads it. Each file is optional; each tool that sets an age adds one
 * source, and policy_check() applies the strictest.
 */
#include "policy/policy.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json/yaml_dom.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include "util/banned.h"

static void
warn(struct policy *p, const char *path, const char *why)
{
	if (p->nwarnings >= 64)
		return;
	XGROW(p->warnings, p->alloc_warnings, p->nwarnings + 1);
	p->warnings[p->nwarnings++] = mempool_printf(&p->pool, "%s: %s", path,
							     why);
}

/*
 * Reads name inside the directory dfd without following a symlink.
 * Returns 1 with sb filled, 0 when there is nothing to read (absent, or
 * skipped with a warning), or a negative error.
 */
static int
read_config(struct policy *p, int dfd, const char *name, const char *path,
	    struct strbuf *sb)
{
	struct stat st;
	int fd = -1, err = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			goto done;
		if (errno == ELOOP) {
			warn(p, path, "is a symbolic link, not followed");
			goto done;
		}
		err = ws_error_set(WS_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (fstat(fd, &st) < 0) {
		err = ws_error_set(WS_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		warn(p, path, "not a regular file, not read");
		goto done;
	}
	err = strbuf_read_fd(sb, fd, path);
	if (err == 0)
		err = 1;
done:
	if (fd >= 0)
		close(fd);
	return err;
}

static int
bad_value(const char *path, const struct json_value *v, const char *key,
	  const char *what)
{
	return ws_error_set(WS_EPARSE, "%s:%u:%u: %s: %s", path,
			    v ? v->line : 0, v ? v->col16 : 0, key, what);
}

static int
add_excludes(struct policy *p, enum policy_tool tool, const char *path,
	     const char *key, const struct json_value *arr)
{
	const struct json_value *v;
	int err = 0;

	if (!arr)
		goto done;
	if (!json_is(arr, JSON_ARRAY)) {
		err = bad_value(path, arr, key, "expected a list of patterns");
		goto done;
	}
	for (v = arr->u.first; v; v = v->next) {
		if (!json_is(v, JSON_STRING) || strlen(v->u.str) != v->len) {
			err = bad_value(path, v, key, "expected a string");
			goto done;
		}
		err = policy_add_exclude(p, tool, v->u.str, path, key);
		if (err < 0) {
			err = ws_error_prefix(err, "%s:%u:%u", path, v->line,
					      v->col16);
			goto done;
		}
	}
done:
	return err;
}

/* A whole number of unit seconds, as JSON_NUMBER text or digits. */
static int
whole_number(const struct json_value *v, int64_t unit, int64_t *out)
{
	const char *s;
	int64_t n = 0;

	if (!json_is(v, JSON_NUMBER))
		return -1;
	s = v->u.str;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (n > POLICY_DURATION_MAX / unit)
			return -2;
		n = n * 10 + (*s - '0');
	}
	if (n > POLICY_DURATION_MAX / unit)
		return -2;
	*out = n * unit;
	return 0;
}

static int
add_number_source(struct policy *p, enum policy_tool tool, const char *path,
		  const char *key, const struct json_value *v, int64_t unit,
		  const char *unit_name)
{
	int64_t secs;
	int r = whole_number(v, unit, &secs), err;

	if (r == -2)
		return ws_error_set(WS_ELIMIT, "%s:%u:%u: %s: value too large",
				    path, v->line, v->col16, key);
	if (r < 0)
		return ws_error_set(WS_EPARSE, "%s:%u:%u: %s: expected a whole "
				    "number of %s", path, v->line, v->col16,
				    key, unit_name);
	err = policy_add_source(p, tool, path, key, v->u.str, secs);
	if (err == 0)
		p->sources[p->nsources - 1].line = v->line;
	return err;
}

/* libyaml's DOM reader refuses an empty document; an empty file is fine. */
static int
yaml_blank(const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s < end && *s == '#')
			while (s < end && *s != '\n')
				s++;
		if (end - s >= 3 && (memcmp(s, "---", 3) == 0 ||
				     memcmp(s, "...", 3) == 0))
			s += 3;
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s < end && *s != '\n')
			return 0;
		if (s < end)
			s++;
	}
	return 1;
}

static int
load_pnpm(struct policy *p, int dfd, const char *dir)
{
	struct strbuf sb;
	struct json_doc doc = {0};
	const struct json_value *v;
	char *path = mempool_printf(&p->pool, "%s/pnpm-workspace.yaml", dir);
	int err;

	strbuf_init(&sb, POLICY_CONFIG_MAX);
	err = read_config(p, dfd, "pnpm-workspace.yaml", path, &sb);
	if (err <= 0)
		goto done;
	err = 0;
	if (yaml_blank(sb.buf, sb.len))
		goto done;
	err = json_parse_yaml(&doc, sb.buf, sb.len, path);
	if (err < 0)
		goto done;
	if (!doc.root || doc.root->type == JSON_NULL)
		goto done;
	if (!json_is(doc.root, JSON_OBJECT)) {
		err = bad_value(path, doc.root, "document", "expected a mapping");
		goto done;
	}
	v = json_get(doc.root, "minimumReleaseAge");
	if (v && v->type != JSON_NULL) {
		err = add_number_source(p, POLICY_TOOL_PNPM, path,
					"minimumReleaseAge", v, 60, "minutes");
		if (err < 0)
			goto done;
	}
	err = add_excludes(p, POLICY_TOOL_PNPM, path, "minimumReleaseAgeExclude",
			   json_get(doc.root, "minimumReleaseAgeExclude"));
done:
	json_doc_release(&doc);
	strbuf_release(&sb);
	return err;
}

static int
load_yarn(struct policy *p, int dfd, const char *dir)
{
	struct strbuf sb;
	struct json_doc doc = {0};
	const struct json_value *v;
	const char *key = "npmMinimalAgeGate", *raw;
	char *path = mempool_printf(&p->pool, "%s/.yarnrc.yml", dir);
	int64_t secs;
	int err;

	strbuf_init(&sb, POLICY_CONFIG_MAX);
	err = read_config(p, dfd, ".yarnrc.yml", path, &sb);
	if (err <= 0)
		goto done;
	err = 0;
	if (yaml_blank(sb.buf, sb.len))
		goto done;
	err = json_parse_yaml(&doc, sb.buf, sb.len, path);
	if (err < 0)
		goto done;
	if (!doc.root || doc.root->type == JSON_NULL)
		goto done;
	if (!json_is(doc.root, JSON_OBJECT)) {
		err = bad_value(path, doc.root, "document", "expected a mapping");
		goto done;
	}
	v = json_get(doc.root, key);
	if (v && v->type != JSON_NULL) {
		if (!json_is(v, JSON_STRING) && !json_is(v, JSON_NUMBER)) {
			err = bad_value(path, v, key, "expected a duration");
			goto done;
		}
		raw = v->u.str;
		err = policy_parse_duration_unit(raw, 60, &secs);
		if (err < 0) {
			err = ws_error_prefix(err, "%s:%u:%u: %s", path, v->line,
					      v->col16, key);
			goto done;
		}
		err = policy_add_source(p, POLICY_TOOL_YARN, path, key, raw,
					secs);
		if (err < 0)
			goto done;
		p->sources[p->nsources - 1].line = v->line;
	}
	err = add_excludes(p, POLICY_TOOL_YARN, path, "npmPreapprovedPackages",
			   json_get(doc.root, "npmPreapprovedPackages"));
done:
	json_doc_release(&doc);
	strbuf_release(&sb);
	return err;
}

static int
load_bun(struct policy *p, int dfd, const char *dir)
{
	struct strbuf sb;
	struct json_doc doc = {0};
	const struct json_value *install, *v;
	char *path = mempool_printf(&p->pool, "%s/bunfig.toml", dir);
	int err;

	strbuf_init(&sb, POLICY_CONFIG_MAX);
	err = read_config(p, dfd, "bunfig.toml", path, &sb);
	if (err <= 0)
		goto done;
	err = policy_toml_parse(&doc, sb.buf, sb.len, path);
	if (err < 0)
		goto done;
	err = 0;
	install = json_get(doc.root, "install");
	if (!install)
		goto done;
	if (!json_is(install, JSON_OBJECT)) {
		err = bad_value(path, install, "install", "expected a table");
		goto done;
	}
	v = json_get(install, "minimumReleaseAge");
	if (v) {
		err = add_number_source(p, POLICY_TOOL_BUN, path,
					"install.minimumReleaseAge", v, 1,
					"seconds");
		if (err < 0)
			goto done;
	}
	err = add_excludes(p, POLICY_TOOL_BUN, path,
			   "install.minimumReleaseAgeExcludes",
			   json_get(install, "minimumReleaseAgeExcludes"));
done:
	json_doc_release(&doc);
	strbuf_release(&sb);
	return err;
}

/* npm's Number: days, a fraction allowed ("1.5" is 36 hours). */
static int
npm_days(const char *s, int64_t *out)
{
	int64_t n = 0, frac = 0, den = 1;
	const char *p = s;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return WS_EPARSE;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > POLICY_DURATION_MAX / 86400)
			return WS_ELIMIT;
		n = n * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++)
			if (den < 1000000000) {
				frac = frac * 10 + (*p - '0');
				den *= 10;
			}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return WS_EPARSE;
	if (n > POLICY_DURATION_MAX / 86400)
		return WS_ELIMIT;
	*out = n * 86400 + frac * 86400 / den;
	return 0;
}

static int
load_npm(struct policy *p, const char *min_age, const char *excludes)
{
	const char *s, *e;
	char *one;
	int64_t secs;
	int err = 0;

	if (min_age) {
		err = npm_days(min_age, &secs);
		if (err == WS_ELIMIT) {
			err = ws_error_set(err, ".npmrc: min-release-age: value "
					   "too large");
			goto done;
		}
		if (err < 0) {
			err = ws_error_set(err, ".npmrc: min-release-age: expected "
					   "a number of days (npm ignores other "
					   "values)");
			goto done;
		}
		err = policy_add_source(p, POLICY_TOOL_NPM, ".npmrc",
					"min-release-age", min_age, secs);
		if (err < 0)
			goto done;
	}
	for (s = excludes; s && *s; s = e) {
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		for (e = s; *e && *e != ',' && !isspace((unsigned char)*e); e++)
			;
		if (e == s)
			break;
		if ((size_t)(e - s) > POLICY_PATTERN_MAX) {
			err = ws_error_set(WS_ELIMIT, ".npmrc: "
					   "min-release-age-exclude: pattern "
					   "too long");
			goto done;
		}
		one = mempool_strndup(&p->pool, s, (size_t)(e - s));
		err = policy_add_exclude(p, POLICY_TOOL_NPM, one, ".npmrc",
					 "min-release-age-exclude");
		if (err < 0)
			goto done;
	}
done:
	return err;
}

int
policy_load_project(struct policy *out, const char *project_dir,
		    const char *npmrc_min_age, const char *npmrc_excludes)
{
	int dfd = -1, err;

	dfd = open(project_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err = ws_error_set(errno == ENOENT ? WS_ENOTFOUND : WS_EIO,
				   "%s: %s", project_dir, strerror(errno));
		goto done;
	}
	err = load_npm(out, npmrc_min_age, npmrc_excludes);
	if (err < 0)
		goto done;
	err = load_pnpm(out, dfd, project_dir);
	if (err < 0)
		goto done;
	err = load_yarn(out, dfd, project_dir);
	if (err < 0)
		goto done;
	err = load_bun(out, dfd, project_dir);
done:
	if (dfd >= 0)
		close(dfd);
	return err;
}
