#ifndef WS_POLICY_POLICY_H
#define WS_POLICY_POLICY_H
/*
 * Release-age policy: how old a locked version must be, which packages are
 * exempt, and the verdict for one locked version given its publish times.
 *
 * Everything here is a pure function of its arguments: the current time is
 * always passed in (`now`), nothing reads the clock or the network. The one
 * exception is policy_load_project(), which reads a project's own
 * configuration files.
 *
 * Units and syntaxes, as each package manager documents them:
 *
 *	tool	file / key				unit
 *	npm	.npmrc min-release-age			days (a number; npm
 *							ignores "7d")
 *	pnpm	pnpm-workspace.yaml minimumReleaseAge	minutes (integer)
 *	yarn	.yarnrc.yml npmMinimalAgeGate		a duration "3d", "12h",
 *							"30m", "90s", "500ms",
 *							"2w"; a bare number is
 *							minutes
 *	bun	bunfig.toml [install] minimumReleaseAge	seconds (integer)
 *
 * Exclude patterns, per tool (policy_add_exclude):
 *
 *	npm	min-release-age-exclude: names separated by commas or white
 *		space; each is an exact name or a glob as for yarn
 *	pnpm	minimumReleaseAgeExclude: exact names, "*" wildcards anywhere
 *		(matching any characters, "/" included, so "@eslint/" then "*"
 *		matches the scope), a
 *		leading "!" negates (the last matching pattern wins), and
 *		"name@1.2.3" or "name@1.2.3 || 1.2.4" exempt those versions only
 *	yarn	npmPreapprovedPackages: name globs ("*" and "?" do not cross
 *		"/", "**" does) or descriptors "name@range" (node-semver range)
 *	bun	minimumReleaseAgeExcludes: exact names only
 *	cli	--exclude: as yarn
 *
 * Left out: yarn's per-scope npmScopes.<scope>.npmMinimalAgeGate, brace and
 * extglob syntax of micromatch, pnpm's `minimum-release-age` in .npmrc
 * (pnpm 10 reads it in minutes; the npmrc module hands over npm's key only).
 *
 * Errors follow util/error.h: WS_EPARSE for malformed values (the message
 * names "file:line:col" where known), WS_ELIMIT for input over a limit.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "json/json.h"
#include "semver/semver.h"
#include "util/mempool.h"

#define POLICY_CONFIG_MAX (1u << 20)	/* bytes of one configuration file */
#define POLICY_EXCLUDES_MAX 4096	/* exclude patterns in one policy */
#define POLICY_PATTERN_MAX 512		/* bytes of one pattern */
#define POLICY_SOURCES_MAX 16		/* min-age sources in one policy */
#define POLICY_DURATION_MAX (1000ll * 366 * 86400)	/* a thousand years */
#define POLICY_TIME_ENTRIES_MAX (1u << 20)	/* entries of a `time` map */
#define POLICY_OUT_OF_ORDER_SLACK 86400	/* seconds: "more than a day" */

enum policy_tool {
	POLICY_TOOL_CLI,	/* --min-age / --exclude */
	POLICY_TOOL_NPM,
	POLICY_TOOL_PNPM,
	POLICY_TOOL_YARN,
	POLICY_TOOL_BUN,
};

/* One configured minimum age. Strings live in the policy's pool. */
struct policy_source {
	enum policy_tool tool;
	const char *file;	/* ".npmrc", "pnpm-workspace.yaml", "--min-age" */
	const char *key;	/* "minimumReleaseAge", "install.minimumReleaseAge" */
	const char *raw;	/* the value as written: "1440", "3d" */
	unsigned line;		/* in file, 0 when not known */
	int64_t seconds;
};

/* One exclude pattern; compiled once when added. */
struct policy_exclude {
	enum policy_tool tool;	/* whose syntax, and whose age it lifts */
	const char *pattern;	/* as written */
	const char *file;
	const char *key;
	/* compiled form (private to policy.c) */
	const char *name;	/* the name part, "!" and "@range" removed */
	int negate;		/* pnpm "!pattern" */
	struct semver_range *range;	/* yarn/cli "name@range", owned */
	const char **versions;	/* pnpm "name@1.2.3 || 1.2.4", in the pool */
	size_t nversions;
};

/*
 * A policy: the configured ages (one per tool that sets one) and the
 * exclude patterns. The minimum age for a package is the largest age among
 * the sources whose tool does not exclude it ("strictest wins"); CLI
 * excludes lift every source. Sources with a zero age are kept (the report
 * shows them) but never make a package too young.
 */
struct policy {
	struct policy_source *sources;
	size_t nsources, alloc_sources;
	struct policy_exclude *excludes;
	size_t nexcludes, alloc_excludes;
	char **warnings;	/* files skipped (symlinks, ...); in the pool */
	size_t nwarnings, alloc_warnings;
	struct mempool pool;
};

void policy_init(struct policy *p);
/* Frees everything the policy owns; NULL is fine. */
void policy_release(struct policy *p);

/*
 * Adds a minimum age of `seconds` set by tool in file/key as raw (all
 * copied). WS_ELIMIT past POLICY_SOURCES_MAX, WS_EPARSE when seconds is
 * negative or over POLICY_DURATION_MAX.
 */
int policy_add_source(struct policy *p, enum policy_tool tool,
		      const char *file, const char *key, const char *raw,
		      int64_t seconds);
/*
 * Adds and compiles one exclude pattern in tool's syntax (see the top of
 * this file). WS_EPARSE for an empty pattern or a bad range/version,
 * WS_ELIMIT past POLICY_EXCLUDES_MAX or POLICY_PATTERN_MAX.
 */
int policy_add_exclude(struct policy *p, enum policy_tool tool,
		       const char *pattern, const char *file, const char *key);

/* The source with the largest age, or NULL when there is none. Borrowed. */
const struct policy_source *policy_strictest(const struct policy *p);

/*
 * Whether tool's excludes (CLI excludes count for every tool) exempt
 * name@version; version may be NULL (then range/version patterns never
 * match). Returns 1 and sets *which (if not NULL) to the deciding pattern,
 * else 0.
 */
int policy_excludes(const struct policy *p, enum policy_tool tool,
		    const char *name, const char *version,
		    const struct policy_exclude **which);

/*
 * Durations. policy_parse_duration() reads "<digits><unit>" with unit one
 * of s, m, h, d, w (seconds, minutes, hours, days, weeks), as --min-age
 * takes it: "7d", "36h", "1440m", "90s", "2w". No sign, no space, no
 * fraction, no bare number. WS_EPARSE for anything else, WS_ELIMIT over
 * POLICY_DURATION_MAX. The error message quotes the (shortened) input.
 */
int policy_parse_duration(const char *s, int64_t *seconds);
/*
 * The same with a unit for bare numbers (unit_seconds, e.g. 60 for yarn's
 * minutes; 0: a unit is required) and with "ms" (rounded down) accepted.
 */
int policy_parse_duration_unit(const char *s, int64_t unit_seconds,
			       int64_t *seconds);

/*
 * RFC 3339 date-time, strictly: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"
 * ("T"/"Z" in either case, a fraction of any length, rounded down to whole
 * seconds, second 60 accepted as a leap second). Day checked against the
 * month and leap years. Gives *out in UTC seconds. WS_EPARSE otherwise.
 */
int policy_parse_time(const char *s, time_t *out);
/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void policy_format_time(char buf[static 21], time_t t);

/*
 * Reads the project's own policy from project_dir: npm's values (from the
 * npmrc module: the raw strings of `min-release-age` and
 * `min-release-age-exclude`, either may be NULL), pnpm-workspace.yaml,
 * .yarnrc.yml and bunfig.toml. Files are opened relative to the directory
 * without following symlinks (a symlinked file is skipped with a warning
 * in out->warnings) and read up to POLICY_CONFIG_MAX bytes. A missing file
 * or key is fine. out must be policy_init()ed; it is filled in place.
 * Returns 0, WS_EPARSE for a malformed file or value ("file:line:col: ..."),
 * WS_ELIMIT, WS_EIO, or WS_ENOTFOUND when project_dir cannot be opened.
 */
int policy_load_project(struct policy *out, const char *project_dir,
			const char *npmrc_min_age, const char *npmrc_excludes);

/*
 * The TOML subset bunfig.toml needs, into the JSON DOM (json.h): tables
 * ([a.b]) and dotted keys become objects, strings ("basic" with escapes,
 * 'literal') JSON_STRING, integers and floats JSON_NUMBER (text as
 * written, "_" removed), true/false, arrays (nested, multi-line, trailing
 * comma) and inline tables. Not supported, failing with WS_EUNSUPPORTED:
 * arrays of tables [[x]], multi-line strings, dates. Duplicate keys are
 * WS_EPARSE. Limits: nesting depth 64, 100000 values, 1024 keys per table.
 * buf needs no NUL; strings are copied into doc's pool. On failure doc is
 * released. Errors: "<name>:<line>:<col>: <what>".
 */
#define POLICY_TOML_DEPTH_MAX 64
#define POLICY_TOML_NODES_MAX 100000
#define POLICY_TOML_KEYS_MAX 1024
int policy_toml_parse(struct json_doc *doc, const char *buf, size_t len,
		      const char *name);

/* ---- evaluation ---- */

/* A version's publish times, as the registry's `time` map gives them. */
struct policy_times {
	int known;		/* the version is in the time map */
	time_t published;	/* valid when known */
	int has_predecessor;	/* some lower version has a time */
	time_t predecessor_published;
	const char *predecessor;	/* its version string; borrowed */
};

/*
 * Fills *out from a packument's `time` object: the entry for version
 * (exact key, else a key of equal semver precedence) and its predecessor,
 * the highest version lower than it by SemVer precedence among the map's
 * keys (prereleases included: 2.0.0-rc.1 precedes 2.0.0). "created",
 * "modified" and keys that are not versions are ignored, as are other
 * versions whose time is malformed. predecessor borrows from time_map.
 * Returns 0 (also when the version is absent: known = 0), WS_EPARSE when
 * time_map is not an object or the version's own time is malformed,
 * WS_ELIMIT over POLICY_TIME_ENTRIES_MAX entries.
 */
int policy_times_from_map(struct policy_times *out,
			  const struct json_value *time_map,
			  const char *version);

enum policy_verdict {
	POLICY_OK,
	POLICY_EXCLUDED,	/* young, but an exclude pattern exempts it */
	POLICY_UNCHECKABLE,	/* workspace, file:, link:, git, remote tarball */
	POLICY_MISSING,		/* not in the registry's time map */
	POLICY_OUT_OF_ORDER,
	POLICY_TOO_YOUNG,
};

enum policy_flag {
	POLICY_FLAG_TOO_YOUNG = 1 << 0,
	POLICY_FLAG_OUT_OF_ORDER = 1 << 1,
	POLICY_FLAG_EXCLUDED = 1 << 2,
};

struct policy_result {
	enum policy_verdict verdict;
	unsigned flags;		/* every condition found (enum policy_flag) */
	time_t published;	/* when times->known */
	int64_t age;		/* now - published (negative: in the future) */
	int64_t min_age;	/* the minimum applied, 0 when none */
	const struct policy_source *source;	/* where min_age came from */
	const struct policy_exclude *exclude;	/* the exempting pattern */
	time_t predecessor_published;
	const char *predecessor;
};

/*
 * The verdict for name@version, locked from `source` (enum tree_source of
 * tree/tree.h), given its times and the current time now. In order:
 *
 *  UNCHECKABLE	source is not the registry (no publish time exists);
 *  MISSING	times->known is 0: the registry does not know the version
 *		(unpublished, or removed for malware); excludes do not hide it;
 *  TOO_YOUNG	age = now - published < min_age, where min_age is the largest
 *		age among sources whose tool does not exclude the package; a
 *		version exactly min_age old is old enough;
 *  OUT_OF_ORDER	the version was published more than a day
 *		(POLICY_OUT_OF_ORDER_SLACK) before its predecessor, the next
 *		lower version: predecessor_published - published > 86400. A
 *		higher version older than a lower one is how a stolen-token
 *		republish on an old line shows from the line above it;
 *		maintained back-branches look the same, so this is medium;
 *  EXCLUDED	too young for some source, but every source that makes it
 *		too young excludes it;
 *  OK		otherwise.
 *
 * out->flags records every condition (too young and out of order may both
 * hold). Pointers in *out borrow from p and times. Never fails.
 */
enum policy_verdict policy_check(const struct policy *p, const char *name,
				 const char *version, int source,
				 const struct policy_times *times, time_t now,
				 struct policy_result *out);

const char *policy_verdict_name(enum policy_verdict v);
const char *policy_tool_name(enum policy_tool t);

#endif
