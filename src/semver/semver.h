#ifndef WS_SEMVER_SEMVER_H
#define WS_SEMVER_SEMVER_H

/*
 * node-semver compatible versions and ranges: what npm means when it says
 * a version satisfies a dependency range.
 *
 * Versions are SemVer 2.0.0 ("1.2.3-beta.4+build.5") with the leniencies
 * npm relies on: surrounding whitespace and a leading run of "v" and "="
 * ("v1.2.3", "=1.2.3") are accepted. Numbers have no leading zeros and are
 * at most SEMVER_MAX_SAFE (2^53 - 1, JavaScript's MAX_SAFE_INTEGER). Build
 * metadata is parsed and kept but never compared.
 *
 * Ranges follow node-semver's grammar: sets of comparators separated by
 * "||", each set a whitespace-separated list of
 *
 *	primitives	<1.2.3  <=1.2.3  >1.2.3  >=1.2.3  =1.2.3  1.2.3
 *	x-ranges	*  x  1.x  1.2.*  ""  and partials such as >=1.2 or <1
 *	tilde		~1.2.3  ~1.2  ~1  (and ~>1.2.3)
 *	caret		^1.2.3  ^0.2.3  ^0.0.3  ^1.x  ^0.x
 *
 * or one hyphen range "1.2.3 - 2.3.4" (either end may be partial). An
 * operator may be followed by whitespace (">= 1.2.3", "^ 1.2"). The
 * expansions are node-semver's: ^1.2.3 means >=1.2.3 <2.0.0-0, ~1.2 means
 * >=1.2.0 <1.3.0-0, and so on.
 *
 * Prereleases follow node-semver's rule: a version with a prerelease tag
 * satisfies a comparator set only if some comparator in that set carries
 * a prerelease on the same major.minor.patch, so 1.2.3-beta.2 satisfies
 * ^1.2.3-beta.1 but 1.2.4-beta does not, and "*" matches no prerelease.
 * include_prerelease turns the rule off, as node-semver's option does.
 *
 * Errors: WS_EPARSE for malformed input, WS_ELIMIT for input over one of
 * the limits below; the message (ws_error_last()) quotes the input,
 * shortened and with unprintable bytes replaced.
 */

#include <stddef.h>
#include <stdint.h>

/* Longest version string accepted, as node-semver's MAX_LENGTH. */
#define SEMVER_MAX_LEN 256
/* Largest number in a version: JavaScript's Number.MAX_SAFE_INTEGER. */
#define SEMVER_MAX_SAFE 9007199254740991ull
/* Longest range string accepted. */
#define SEMVER_RANGE_MAX_LEN (64u << 10)
/* Most comparators in one range, counted after expansion (^1.2.3 is two). */
#define SEMVER_RANGE_MAX_COMPARATORS 256

/*
 * A parsed version. Parsing allocates nothing: pre and build point into
 * the string given to semver_parse() (or into the range that owns this
 * version), which must outlive the struct. They are not NUL-terminated;
 * print them with "%.*s".
 */
struct semver {
	uint64_t major, minor, patch;
	const char *pre; /* "beta.2" of 1.2.3-beta.2; NULL when none */
	size_t pre_len;
	const char *build; /* "build.5" of 1.2.3+build.5; NULL when none */
	size_t build_len;
};

/* A parsed range. Opaque; owns a copy of its source text. */
struct semver_range;

/*
 * Parses len bytes at s (no NUL needed) into *out. Returns 0, WS_EPARSE
 * when s is not a version, or WS_ELIMIT when len > SEMVER_MAX_LEN or a
 * number exceeds SEMVER_MAX_SAFE. On failure *out is zeroed.
 */
int semver_parse(struct semver *out, const char *s, size_t len);

/*
 * SemVer 2.0.0 precedence: -1, 0 or 1 as a is lower than, equal to or
 * higher than b. Build metadata is ignored, so 1.2.3+a equals 1.2.3+b.
 */
int semver_cmp(const struct semver *a, const struct semver *b);

/* 1 when the NUL-terminated s is a version semver_parse() accepts, else 0
 * (also for NULL). Does not touch the error slot on success. */
int semver_is_valid(const char *s);

/*
 * Parses len bytes at s (no NUL needed) into a new range, which the caller
 * frees with semver_range_free(). Returns 0, WS_EPARSE, or WS_ELIMIT when
 * len > SEMVER_RANGE_MAX_LEN, a version inside is longer than
 * SEMVER_MAX_LEN, a number (also one computed, as 2 in ^1.2.3's <2.0.0-0)
 * exceeds SEMVER_MAX_SAFE, or the range expands to more than
 * SEMVER_RANGE_MAX_COMPARATORS comparators. On failure *out is NULL.
 */
int semver_range_parse(struct semver_range **out, const char *s, size_t len);

/* Frees r; NULL is fine. */
void semver_range_free(struct semver_range *r);

/*
 * 1 when v satisfies r, else 0. Without include_prerelease a version with
 * a prerelease tag must also pass node-semver's prerelease rule (above);
 * with it, prereleases are ordinary versions, and partial lower bounds
 * (1.x, >=1.2, ^0.1.2, the start of 1 - 2) admit their own prereleases,
 * as node-semver's includePrerelease option does.
 */
int semver_range_satisfies(const struct semver_range *r, const struct semver *v,
			   int include_prerelease);

/*
 * Convenience for NUL-terminated strings: 1 when version satisfies range,
 * 0 when not, or the negative error of parsing either (unlike
 * node-semver's satisfies(), which answers false).
 */
int semver_satisfies_str(const char *version, const char *range);

#endif
