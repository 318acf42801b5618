/* timegm() is not in POSIX.1-2008 */
#define _DEFAULT_SOURCE
#include "policy/policy.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree/tree.h"
#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define QUOTE_MAX 64

/* Messages quote untrusted text: shortened and printable only. */
static const char *
quote(char buf[static QUOTE_MAX + 4], const char *s)
{
	size_t i, n = 0;

	for (i = 0; s[i] && n < QUOTE_MAX; i++)
		buf[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i]) {
		buf[n++] = '.';
		buf[n++] = '.';
		buf[n++] = '.';
	}
	buf[n] = '\0';
	return buf;
}

void
policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	mempool_init(&p->pool, 16u << 10);
}

void
policy_release(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nexcludes; i++)
		semver_range_free(p->excludes[i].range);
	free(p->excludes);
	free(p->sources);
	free(p->warnings);
	mempool_release(&p->pool);
	memset(p, 0, sizeof(*p));
}

const char *
policy_tool_name(enum policy_tool t)
{
	switch (t) {
	case POLICY_TOOL_CLI:
		return "cli";
	case POLICY_TOOL_NPM:
		return "npm";
	case POLICY_TOOL_PNPM:
		return "pnpm";
	case POLICY_TOOL_YARN:
		return "yarn";
	case POLICY_TOOL_BUN:
		return "bun";
	}
	return "unknown";
}

const char *
policy_verdict_name(enum policy_verdict v)
{
	switch (v) {
	case POLICY_OK:
		return "ok";
	case POLICY_EXCLUDED:
		return "excluded";
	case POLICY_UNCHECKABLE:
		return "unchecked";
	case POLICY_MISSING:
		return "missing";
	case POLICY_OUT_OF_ORDER:
		return "out-of-order";
	case POLICY_TOO_YOUNG:
		return "too-young";
	}
	return "unknown";
}

int
policy_add_source(struct policy *p, enum policy_tool tool, const char *file,
		  const char *key, const char *raw, int64_t seconds)
{
	struct policy_source *s;

	if (p->nsources >= POLICY_SOURCES_MAX)
		return ws_error_set(WS_ELIMIT, "%s: more than %d minimum ages",
				    file, POLICY_SOURCES_MAX);
	if (seconds < 0 || seconds > POLICY_DURATION_MAX)
		return ws_error_set(WS_EPARSE, "%s: %s: age out of range",
				    file, key);
	XGROW(p->sources, p->alloc_sources, p->nsources + 1);
	s = &p->sources[p->nsources++];
	s->tool = tool;
	s->file = mempool_strdup(&p->pool, file);
	s->key = mempool_strdup(&p->pool, key);
	s->raw = mempool_strdup(&p->pool, raw ? raw : "");
	s->line = 0;	/* the caller sets it when it knows the line */
	s->seconds = seconds;
	return 0;
}

const struct policy_source *
policy_strictest(const struct policy *p)
{
	const struct policy_source *best = NULL;
	size_t i;

	for (i = 0; i < p->nsources; i++)
		if (!best || p->sources[i].seconds > best->seconds)
			best = &p->sources[i];
	return best;
}

/* pnpm's "name@1.2.3 || 1.2.4": exact versions, split on "||". */
static int
compile_versions(struct policy *p, struct policy_exclude *e, const char *list)
{
	const char *s = list, *bar, *a, *b;
	char q[QUOTE_MAX + 4];
	size_t n = 1;
	int err = 0;

	for (bar = list; (bar = strstr(bar, "||")); bar += 2)
		n++;
	e->versions = mempool_calloc(&p->pool, n * sizeof(*e->versions));
	for (;;) {
		bar = strstr(s, "||");
		a = s;
		b = bar ? bar : s + strlen(s);
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		e->versions[e->nversions] = mempool_strndup(&p->pool, a,
							    (size_t)(b - a));
		if (!semver_is_valid(e->versions[e->nversions])) {
			err = ws_error_set(WS_EPARSE,
					   "%s: %s: '%s' is not a version",
					   e->file, e->key, quote(q, e->pattern));
			goto done;
		}
		e->nversions++;
		if (!bar)
			break;
		s = bar + 2;
	}
done:
	return err;
}

int
policy_add_exclude(struct policy *p, enum policy_tool tool,
		   const char *pattern, const char *file, const char *key)
{
	struct policy_exclude *e;
	const char *s = pattern, *at;
	size_t len = strlen(pattern);
	char q[QUOTE_MAX + 4];
	int err = 0;

	if (p->nexcludes >= POLICY_EXCLUDES_MAX)
		return ws_error_set(WS_ELIMIT, "%s: %s: more than %d patterns",
				    file, key, POLICY_EXCLUDES_MAX);
	if (len > POLICY_PATTERN_MAX)
		return ws_error_set(WS_ELIMIT, "%s: %s: pattern '%s' too long",
				    file, key, quote(q, pattern));
	XGROW(p->excludes, p->alloc_excludes, p->nexcludes + 1);
	e = &p->excludes[p->nexcludes];
	memset(e, 0, sizeof(*e));
	e->tool = tool;
	e->pattern = mempool_strdup(&p->pool, pattern);
	e->file = mempool_strdup(&p->pool, file);
	e->key = mempool_strdup(&p->pool, key);
	if (tool == POLICY_TOOL_PNPM && *s == '!') {
		e->negate = 1;
		s++;
	}
	/* The version part starts at an "@" that is not the scope's. */
	at = strchr(*s == '@' ? s + 1 : s, '@');
	if (at && (tool == POLICY_TOOL_BUN)) {
		err = ws_error_set(WS_EPARSE, "%s: %s: '%s' is not a package name",
				   file, key, quote(q, pattern));
		goto done;
	}
	e->name = mempool_strndup(&p->pool, s,
				  at ? (size_t)(at - s) : strlen(s));
	if (!*e->name) {
		err = ws_error_set(WS_EPARSE, "%s: %s: empty pattern '%s'",
				   file, key, quote(q, pattern));
		goto done;
	}
	if (at && tool == POLICY_TOOL_PNPM) {
		err = compile_versions(p, e, at + 1);
	} else if (at) {
		err = semver_range_parse(&e->range, at + 1, strlen(at + 1));
		if (err < 0)
			err = ws_error_set(WS_EPARSE,
					   "%s: %s: '%s' has a bad range",
					   file, key, quote(q, pattern));
	}
done:
	if (err == 0)
		p->nexcludes++;
	else
		semver_range_free(e->range);
	return err;
}

/*
 * Globs. With cross_slash (pnpm) "*" matches anything; without (yarn,
 * micromatch) "*" and "?" stop at "/" and "**" crosses it. Iterative with
 * one backtrack point per star kind, so hostile patterns stay linear-ish.
 */
static int
glob_match(const char *pat, const char *s, int cross_slash)
{
	const char *star_p = NULL, *star_s = NULL;
	int star_any = 0;

	while (*s) {
		if (*pat == '*') {
			star_any = cross_slash || pat[1] == '*';
			while (*pat == '*')
				pat++;
			star_p = pat;
			star_s = s;
			continue;
		}
		if (*pat && (*pat == *s || (*pat == '?' && !cross_slash &&
					    *s != '/'))) {
			pat++;
			s++;
			continue;
		}
		if (star_p && (star_any || *star_s != '/')) {
			pat = star_p;
			s = ++star_s;
			continue;
		}
		return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static int
exclude_matches(const struct policy_exclude *e, const char *name,
		const char *version)
{
	struct semver v;
	size_t i;

	switch (e->tool) {
	case POLICY_TOOL_BUN:
		if (strcmp(e->name, name) != 0)
			return 0;
		break;
	case POLICY_TOOL_PNPM:
		if (!glob_match(e->name, name, 1))
			return 0;
		break;
	default:
		if (!glob_match(e->name, name, 0))
			return 0;
		break;
	}
	if (e->nversions) {
		if (!version)
			return 0;
		for (i = 0; i < e->nversions; i++)
			if (strcmp(e->versions[i], version) == 0)
				return 1;
		return 0;
	}
	if (e->range) {
		if (!version || semver_parse(&v, version, strlen(version)) < 0)
			return 0;
		return semver_range_satisfies(e->range, &v, 1);
	}
	return 1;
}

int
policy_excludes(const struct policy *p, enum policy_tool tool,
		const char *name, const char *version,
		const struct policy_exclude **which)
{
	const struct policy_exclude *found = NULL;
	size_t i;

	for (i = 0; i < p->nexcludes; i++) {
		const struct policy_exclude *e = &p->excludes[i];

		if (e->tool != tool && e->tool != POLICY_TOOL_CLI)
			continue;
		if (!exclude_matches(e, name, version))
			continue;
		/* pnpm: the last matching pattern decides */
		if (e->tool == POLICY_TOOL_PNPM) {
			found = e->negate ? NULL : e;
			continue;
		}
		if (!found || found->tool == POLICY_TOOL_PNPM)
			found = e;
	}
	if (which)
		*which = found;
	return found != NULL;
}

static int
parse_duration(const char *s, int64_t unit_seconds, int allow_ms,
	       int64_t *seconds)
{
	const char *p = s;
	int64_t n = 0, mult;
	char q[QUOTE_MAX + 4];
	int err = 0, ms = 0;

	*seconds = 0;
	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (INT64_MAX - 9) / 10)
			goto big;
		n = n * 10 + (*p - '0');
	}
	if (*p == '\0' && unit_seconds > 0)
		mult = unit_seconds;
	else if (strcmp(p, "s") == 0)
		mult = 1;
	else if (strcmp(p, "m") == 0)
		mult = 60;
	else if (strcmp(p, "h") == 0)
		mult = 3600;
	else if (strcmp(p, "d") == 0)
		mult = 86400;
	else if (strcmp(p, "w") == 0)
		mult = 7 * 86400;
	else if (strcmp(p, "ms") == 0 && allow_ms)
		mult = 1, ms = 1;
	else
		goto bad;
	if (ms)
		n /= 1000;
	if (n > POLICY_DURATION_MAX / mult)
		goto big;
	*seconds = n * mult;
	goto done;
bad:
	err = ws_error_set(WS_EPARSE, "'%s' is not a duration "
			   "(a number and s, m, h, d or w)", quote(q, s));
	goto done;
big:
	err = ws_error_set(WS_ELIMIT, "duration '%s' is too long", quote(q, s));
done:
	return err;
}

int
policy_parse_duration_unit(const char *s, int64_t unit_seconds,
			   int64_t *seconds)
{
	return parse_duration(s, unit_seconds, 1, seconds);
}

int
policy_parse_duration(const char *s, int64_t *seconds)
{
	return parse_duration(s, 0, 0, seconds);
}

static int
digits(const char **pp, int n, int *out)
{
	const char *p = *pp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*out = v;
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
policy_parse_time(const char *s, time_t *out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, dim;
	char q[QUOTE_MAX + 4];
	struct tm tm;
	time_t t;

	*out = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d) || (*p != 'T' && *p != 't'))
		goto bad;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) ||
	    *p++ != ':' || digits(&p, 2, &sec))
		goto bad;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om))
			goto bad;
		if (oh > 23 || om > 59)
			goto bad;
	} else {
		goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60)
		goto bad;
	dim = mdays[mo - 1] + (mo == 2 && leap(y));
	if (d > dim)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*out = t - (time_t)sign * (oh * 3600 + om * 60);
	return 0;
bad:
	return ws_error_set(WS_EPARSE, "'%s' is not an RFC 3339 timestamp",
			    quote(q, s));
}

void
policy_format_time(char buf[static 21], time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0) {
		memcpy(buf, "0000-00-00T00:00:00Z", 21);
		return;
	}
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
policy_times_from_map(struct policy_times *out,
		      const struct json_value *time_map, const char *version)
{
	const struct json_value *v, *self = NULL, *pred = NULL;
	struct semver target, cur, best;
	char q[QUOTE_MAX + 4];
	size_t count = 0;
	time_t t;
	int have_target, err = 0;

	memset(out, 0, sizeof(*out));
	if (!json_is(time_map, JSON_OBJECT)) {
		err = ws_error_set(WS_EPARSE, "time: expected an object");
		goto done;
	}
	if (time_map->len > POLICY_TIME_ENTRIES_MAX) {
		err = ws_error_set(WS_ELIMIT, "time: more than %u entries",
				   POLICY_TIME_ENTRIES_MAX);
		goto done;
	}
	have_target = semver_parse(&target, version, strlen(version)) == 0;
	for (v = time_map->u.first; v && count < POLICY_TIME_ENTRIES_MAX;
	     v = v->next, count++) {
		if (strcmp(v->key, "created") == 0 ||
		    strcmp(v->key, "modified") == 0)
			continue;
		if (strcmp(v->key, version) == 0) {
			self = v;
			continue;
		}
		if (!have_target ||
		    semver_parse(&cur, v->key, v->key_len) < 0)
			continue;
		if (semver_cmp(&cur, &target) == 0) {
			if (!self)
				self = v;
			continue;
		}
		if (semver_cmp(&cur, &target) > 0)
			continue;
		if (!json_is(v, JSON_STRING) || policy_parse_time(v->u.str, &t))
			continue;
		if (!pred || semver_cmp(&cur, &best) > 0) {
			pred = v;
			best = cur;
			out->predecessor_published = t;
		}
	}
	ws_error_clear();
	if (pred) {
		out->has_predecessor = 1;
		out->predecessor = pred->key;
	}
	if (self) {
		if (!json_is(self, JSON_STRING) ||
		    policy_parse_time(self->u.str, &out->published) < 0) {
			err = ws_error_set(WS_EPARSE, "time: %s: '%s' is not "
					   "an RFC 3339 timestamp",
					   quote(q, version),
					   json_is(self, JSON_STRING) ?
					   quote(q, self->u.str) : "");
			goto done;
		}
		out->known = 1;
	}
done:
	return err;
}

enum policy_verdict
policy_check(const struct policy *p, const char *name, const char *version,
	     int source, const struct policy_times *times, time_t now,
	     struct policy_result *out)
{
	const struct policy_source *applied = NULL, *any = NULL;
	const struct policy_exclude *excl = NULL, *first_excl = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (source != TREE_SOURCE_REGISTRY) {
		out->verdict = POLICY_UNCHECKABLE;
		goto done;
	}
	if (!times || !times->known) {
		out->verdict = POLICY_MISSING;
		goto done;
	}
	out->published = times->published;
	out->age = (int64_t)now - (int64_t)times->published;
	for (i = 0; i < p->nsources; i++) {
		const struct policy_source *s = &p->sources[i];

		if (!any || s->seconds > any->seconds)
			any = s;
		if (policy_excludes(p, s->tool, name, version, &excl)) {
			if (!first_excl)
				first_excl = excl;
			continue;
		}
		if (!applied || s->seconds > applied->seconds)
			applied = s;
	}
	if (applied) {
		out->min_age = applied->seconds;
		out->source = applied;
	}
	if (applied && out->age < applied->seconds)
		out->flags |= POLICY_FLAG_TOO_YOUNG;
	else if (any && out->age < any->seconds) {
		/* young for a tool that exempts it: find which pattern */
		for (i = 0; i < p->nsources; i++)
			if (out->age < p->sources[i].seconds &&
			    policy_excludes(p, p->sources[i].tool, name,
					    version, &excl))
				break;
		out->flags |= POLICY_FLAG_EXCLUDED;
		out->exclude = excl ? excl : first_excl;
	}
	if (times->has_predecessor) {
		out->predecessor = times->predecessor;
		out->predecessor_published = times->predecessor_published;
		if ((int64_t)times->predecessor_published -
		    (int64_t)times->published > POLICY_OUT_OF_ORDER_SLACK)
			out->flags |= POLICY_FLAG_OUT_OF_ORDER;
	}
	if (out->flags & POLICY_FLAG_TOO_YOUNG)
		out->verdict = POLICY_TOO_YOUNG;
	else if (out->flags & POLICY_FLAG_OUT_OF_ORDER)
		out->verdict = POLICY_OUT_OF_ORDER;
	else if (out->flags & POLICY_FLAG_EXCLUDED)
		out->verdict = POLICY_EXCLUDED;
	else
		out->verdict = POLICY_OK;
done:
	return out->verdict;
}
