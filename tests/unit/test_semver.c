#include "semver/semver.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

#include "util/banned.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The tables follow the cases node-semver's own test-suite documents
 * (fixtures range-include, range-exclude, comparisons, equality,
 * invalid-versions, range-parse), minus those that need its `loose`
 * option, plus npm-shaped ranges of our own.
 */

struct version_case {
	const char *s;
	uint64_t major, minor, patch;
	const char *pre;
	const char *build;
};

static const struct version_case valid_versions[] = {
	{"1.0.0", 1, 0, 0, NULL, NULL},
	{"2.1.0", 2, 1, 0, NULL, NULL},
	{"3.2.1", 3, 2, 1, NULL, NULL},
	{"0.0.0", 0, 0, 0, NULL, NULL},
	{"v1.2.3", 1, 2, 3, NULL, NULL},
	{"=1.2.3", 1, 2, 3, NULL, NULL},
	{"=v1.2.3", 1, 2, 3, NULL, NULL},
	{"  v1.2.3  ", 1, 2, 3, NULL, NULL},
	{" = 1.2.3", 1, 2, 3, NULL, NULL},
	{"v 1.2.3", 1, 2, 3, NULL, NULL},
	{"\t1.2.3\n", 1, 2, 3, NULL, NULL},
	{"1.2.3-0", 1, 2, 3, "0", NULL},
	{"1.2.3-123", 1, 2, 3, "123", NULL},
	{"1.2.3-1.2.3", 1, 2, 3, "1.2.3", NULL},
	{"1.2.3-1a", 1, 2, 3, "1a", NULL},
	{"1.2.3-a1", 1, 2, 3, "a1", NULL},
	{"1.2.3-alpha", 1, 2, 3, "alpha", NULL},
	{"1.2.3-alpha.1", 1, 2, 3, "alpha.1", NULL},
	{"1.2.3-alpha-1", 1, 2, 3, "alpha-1", NULL},
	{"1.2.3-alpha-.-beta", 1, 2, 3, "alpha-.-beta", NULL},
	{"1.2.3-0A.is.legal", 1, 2, 3, "0A.is.legal", NULL},
	{"1.2.3-alpha.0valid", 1, 2, 3, "alpha.0valid", NULL},
	{"1.2.3-00a", 1, 2, 3, "00a", NULL},
	{"1.2.3+456", 1, 2, 3, NULL, "456"},
	{"1.2.3+build", 1, 2, 3, NULL, "build"},
	{"1.2.3+new-build", 1, 2, 3, NULL, "new-build"},
	{"1.2.3+build.1", 1, 2, 3, NULL, "build.1"},
	{"1.2.3+0123", 1, 2, 3, NULL, "0123"},
	{"1.2.3-alpha+build", 1, 2, 3, "alpha", "build"},
	{"1.2.3-alpha.1+build.1", 1, 2, 3, "alpha.1", "build.1"},
	{"1.0.0-rc.1+build.1", 1, 0, 0, "rc.1", "build.1"},
	{"10.20.30", 10, 20, 30, NULL, NULL},
	{"9007199254740991.9007199254740991.9007199254740991",
	 9007199254740991ull, 9007199254740991ull, 9007199254740991ull, NULL,
	 NULL},
	{"1.2.3-99999999999999999999999", 1, 2, 3, "99999999999999999999999",
	 NULL},
};

struct invalid_case {
	const char *s;
	int code;
};

static const struct invalid_case invalid_versions[] = {
	{"1.2.3.4", WS_EPARSE},
	{"NOT VALID", WS_EPARSE},
	{"1.2", WS_EPARSE},
	{"1", WS_EPARSE},
	{"", WS_EPARSE},
	{"   ", WS_EPARSE},
	{"v", WS_EPARSE},
	{"=", WS_EPARSE},
	{"Infinity.NaN.Infinity", WS_EPARSE},
	{"x.2.3", WS_EPARSE},
	{"1.x.3", WS_EPARSE},
	{"1.2.x", WS_EPARSE},
	{"01.2.3", WS_EPARSE},
	{"1.02.3", WS_EPARSE},
	{"1.2.03", WS_EPARSE},
	{"1.2.3-01", WS_EPARSE},
	{"1.2.3-alpha.01", WS_EPARSE},
	{"1.2.3-", WS_EPARSE},
	{"1.2.3+", WS_EPARSE},
	{"1.2.3-a..b", WS_EPARSE},
	{"1.2.3-a.", WS_EPARSE},
	{"1.2.3+a..b", WS_EPARSE},
	{"1.2.3-a_b", WS_EPARSE},
	{"1.2.3beta", WS_EPARSE},
	{"1.2.3 beta", WS_EPARSE},
	{"1.2.3+build+more", WS_EPARSE},
	{"-1.2.3", WS_EPARSE},
	{"1.-2.3", WS_EPARSE},
	{"1.2.3-beta!", WS_EPARSE},
	{"hello, world", WS_EPARSE},
	{"xyz", WS_EPARSE},
	{"^1.2.3", WS_EPARSE},
	{">=1.2.3", WS_EPARSE},
	{"1.2.3 || 1.2.4", WS_EPARSE},
	{"V1.2.3", WS_EPARSE},
	{"vv1.2.3x", WS_EPARSE},
	{"1.2.3\xc2\xa0", WS_EPARSE},
	{"9007199254740992.0.0", WS_ELIMIT},
	{"0.9007199254740992.0", WS_ELIMIT},
	{"0.0.9007199254740992", WS_ELIMIT},
	{"99999999999999999999.0.0", WS_ELIMIT},
	{"18446744073709551617.0.0", WS_ELIMIT},
};

/* a > b */
static const char *const greater[][2] = {
	{"0.0.0", "0.0.0-foo"},
	{"0.0.1", "0.0.0"},
	{"1.0.0", "0.9.9"},
	{"0.10.0", "0.9.0"},
	{"0.99.0", "0.10.0"},
	{"2.0.0", "1.2.3"},
	{"v0.0.0", "0.0.0-foo"},
	{"v0.0.1", "0.0.0"},
	{"v1.0.0", "0.9.9"},
	{"v0.10.0", "0.9.0"},
	{"v0.99.0", "0.10.0"},
	{"v2.0.0", "1.2.3"},
	{"0.0.0", "v0.0.0-foo"},
	{"0.0.1", "v0.0.0"},
	{"1.0.0", "v0.9.9"},
	{"0.10.0", "v0.9.0"},
	{"0.99.0", "v0.10.0"},
	{"2.0.0", "v1.2.3"},
	{"1.2.3", "1.2.3-asdf"},
	{"1.2.3", "1.2.3-4"},
	{"1.2.3", "1.2.3-4-foo"},
	{"1.2.3-5-foo", "1.2.3-5"},
	{"1.2.3-5", "1.2.3-4"},
	{"1.2.3-5-foo", "1.2.3-5-Foo"},
	{"3.0.0", "2.7.2+asdf"},
	{"1.2.3-a.10", "1.2.3-a.5"},
	{"1.2.3-a.b", "1.2.3-a.5"},
	{"1.2.3-a.b", "1.2.3-a"},
	{"1.2.3-a.b.c.10.d.5", "1.2.3-a.b.c.5.d.100"},
	{"1.2.3-r2", "1.2.3-r100"},
	{"1.2.3-r100", "1.2.3-R2"},
	{"1.2.3-a", "1.2.3-999"},
	{"1.2.3-100000000000000000000", "1.2.3-99999999999999999999"},
	{"9007199254740991.0.0", "9007199254740990.9.9"},
};

static const char *const equal[][2] = {
	{"1.2.3", "v1.2.3"},
	{"1.2.3", "=1.2.3"},
	{"1.2.3", "v 1.2.3"},
	{"1.2.3", "= 1.2.3"},
	{"1.2.3", " v1.2.3"},
	{"1.2.3", " =1.2.3"},
	{"1.2.3", " v 1.2.3"},
	{"1.2.3", " = 1.2.3"},
	{"1.2.3-0", "v1.2.3-0"},
	{"1.2.3-0", "=1.2.3-0"},
	{"1.2.3-1", "v1.2.3-1"},
	{"1.2.3-beta", "v1.2.3-beta"},
	{"1.2.3-beta", "=1.2.3-beta"},
	{"1.2.3-beta+build", " = 1.2.3-beta+otherbuild"},
	{"1.2.3+build", " = 1.2.3+otherbuild"},
	{"1.2.3-beta+build", "1.2.3-beta+otherbuild"},
	{"1.2.3+build", "1.2.3+otherbuild"},
	{"  v1.2.3+build", "1.2.3+otherbuild"},
};

struct range_case {
	const char *range;
	const char *version;
	int include_prerelease;
};

static const struct range_case range_include[] = {
	{"1.0.0 - 2.0.0", "1.2.3", 0},
	{"^1.2.3+build", "1.2.3", 0},
	{"^1.2.3+build", "1.3.0", 0},
	{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3", 0},
	{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3-pre.2", 0},
	{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "2.4.3-alpha", 0},
	{"1.2.3+asdf - 2.4.3+asdf", "1.2.3", 0},
	{"1.0.0", "1.0.0", 0},
	{">=*", "0.2.4", 0},
	{"", "1.0.0", 0},
	{"*", "1.2.3", 0},
	{"*", "v1.2.3", 0},
	{">=1.0.0", "1.0.0", 0},
	{">=1.0.0", "1.0.1", 0},
	{">=1.0.0", "1.1.0", 0},
	{">1.0.0", "1.0.1", 0},
	{">1.0.0", "1.1.0", 0},
	{"<=2.0.0", "2.0.0", 0},
	{"<=2.0.0", "1.9999.9999", 0},
	{"<=2.0.0", "0.2.9", 0},
	{"<2.0.0", "1.9999.9999", 0},
	{"<2.0.0", "0.2.9", 0},
	{">= 1.0.0", "1.0.0", 0},
	{">=  1.0.0", "1.0.1", 0},
	{">=   1.0.0", "1.1.0", 0},
	{"> 1.0.0", "1.0.1", 0},
	{">  1.0.0", "1.1.0", 0},
	{"<=   2.0.0", "2.0.0", 0},
	{"<= 2.0.0", "1.9999.9999", 0},
	{"<=  2.0.0", "0.2.9", 0},
	{"<    2.0.0", "1.9999.9999", 0},
	{"<\t2.0.0", "0.2.9", 0},
	{">=0.1.97", "v0.1.97", 0},
	{">=0.1.97", "0.1.97", 0},
	{"0.1.20 || 1.2.4", "1.2.4", 0},
	{">=0.2.3 || <0.0.1", "0.0.0", 0},
	{">=0.2.3 || <0.0.1", "0.2.3", 0},
	{">=0.2.3 || <0.0.1", "0.2.4", 0},
	{"||", "1.3.4", 0},
	{"2.x.x", "2.1.3", 0},
	{"1.2.x", "1.2.3", 0},
	{"1.2.x || 2.x", "2.1.3", 0},
	{"1.2.x || 2.x", "1.2.3", 0},
	{"x", "1.2.3", 0},
	{"2.*.*", "2.1.3", 0},
	{"1.2.*", "1.2.3", 0},
	{"1.2.* || 2.*", "2.1.3", 0},
	{"1.2.* || 2.*", "1.2.3", 0},
	{"2", "2.1.2", 0},
	{"2.3", "2.3.1", 0},
	{"~0.0.1", "0.0.1", 0},
	{"~0.0.1", "0.0.2", 0},
	{"~x", "0.0.9", 0},
	{"~2", "2.0.9", 0},
	{"~2.4", "2.4.0", 0},
	{"~2.4", "2.4.5", 0},
	{"~>3.2.1", "3.2.2", 0},
	{"~1", "1.2.3", 0},
	{"~>1", "1.2.3", 0},
	{"~> 1", "1.2.3", 0},
	{"~1.0", "1.0.2", 0},
	{"~ 1.0", "1.0.2", 0},
	{"~ 1.0.3", "1.0.12", 0},
	{">=1", "1.0.0", 0},
	{">= 1", "1.0.0", 0},
	{"<1.2", "1.1.1", 0},
	{"< 1.2", "1.1.1", 0},
	{"~v0.5.4-pre", "0.5.5", 0},
	{"~v0.5.4-pre", "0.5.4", 0},
	{"=0.7.x", "0.7.2", 0},
	{"<=0.7.x", "0.7.2", 0},
	{">=0.7.x", "0.7.2", 0},
	{"<=0.7.x", "0.6.2", 0},
	{"~1.2.1 >=1.2.3", "1.2.3", 0},
	{"~1.2.1 =1.2.3", "1.2.3", 0},
	{"~1.2.1 1.2.3", "1.2.3", 0},
	{"~1.2.1 >=1.2.3 1.2.3", "1.2.3", 0},
	{"~1.2.1 1.2.3 >=1.2.3", "1.2.3", 0},
	{">=1.2.1 1.2.3", "1.2.3", 0},
	{"1.2.3 >=1.2.1", "1.2.3", 0},
	{">=1.2.3 >=1.2.1", "1.2.3", 0},
	{">=1.2.1 >=1.2.3", "1.2.3", 0},
	{">=1.2", "1.2.8", 0},
	{"^1.2.3", "1.8.1", 0},
	{"^0.1.2", "0.1.2", 0},
	{"^0.1", "0.1.2", 0},
	{"^0.0.1", "0.0.1", 0},
	{"^1.2", "1.4.2", 0},
	{"^1.2 ^1", "1.4.2", 0},
	{"^1.2.3-alpha", "1.2.3-pre", 0},
	{"^1.2.0-alpha", "1.2.0-pre", 0},
	{"^0.0.1-alpha", "0.0.1-beta", 0},
	{"^0.0.1-alpha", "0.0.1", 0},
	{"^0.1.1-alpha", "0.1.1-beta", 0},
	{"^x", "1.2.3", 0},
	{"x - 1.0.0", "0.9.7", 0},
	{"x - 1.x", "0.9.7", 0},
	{"* - *", "0.0.0", 0},
	{"1.0.0 - x", "1.9.7", 0},
	{"1.x - x", "1.9.7", 0},
	{"<=7.x", "7.9.9", 0},
	{"2.x", "2.0.0-pre.0", 1},
	{"2.x", "2.1.0-pre.0", 1},
	{"1.1.x", "1.1.0-a", 1},
	{"1.1.x", "1.1.1-a", 1},
	{"*", "1.0.0-rc1", 1},
	{"^1.0.0-0", "1.0.1-rc1", 1},
	{"^1.0.0-rc2", "1.0.1-rc1", 1},
	{"^1.0.0", "1.0.1-rc1", 1},
	{"^1.0.0", "1.1.0-rc1", 1},
	{"1 - 2", "2.0.0-pre", 1},
	{"1 - 2", "1.0.0-pre", 1},
	{"1.0 - 2", "1.0.0-pre", 1},
	{"=0.7.x", "0.7.0-asdf", 1},
	{">=0.7.x", "0.7.0-asdf", 1},
	{"<=0.7.x", "0.7.0-asdf", 1},
	{">=1.0.0 <=1.1.0", "1.1.0-pre", 1},
	/* ours: the shapes npm manifests and advisories use */
	{"^4.17.21", "4.17.21", 0},
	{"^4.17.21", "4.99.0", 0},
	{"^0.2.3", "0.2.9", 0},
	{"^0.0.3", "0.0.3", 0},
	{"^1.x", "1.9.9", 0},
	{"^0.x", "0.9.9", 0},
	{"^0.0.x", "0.0.7", 0},
	{"^0", "0.99.0", 0},
	{"^0.0", "0.0.5", 0},
	{"^1.2.3-beta.2", "1.2.3-beta.10", 0},
	{"~1.2.3-beta.2", "1.2.3-beta.4", 0},
	{"~1.2.3-beta", "1.2.5", 0},
	{">1.2.3-alpha.3", "1.2.3-alpha.7", 0},
	{">1.2.3-alpha.3", "3.4.5", 0},
	{"<=1.2.3-rc", "1.2.3-beta", 0},
	{">=1.0.0-rc.1 <2.0.0", "1.0.0-rc.2", 0},
	{"1.2.3 - 2.3", "2.3.9", 0},
	{"1.2 - 2.3.4", "1.2.0", 0},
	{"1.2.3 - 1.2.3", "1.2.3", 0},
	{"v1.2.3 - v2.3.4", "2.3.4", 0},
	{"1.2.3+build", "1.2.3+other", 0},
	{"=v1.2.3", "1.2.3", 0},
	{"=1.2", "1.2.5", 0},
	{"<=1.2", "1.2.99", 0},
	{"1.x || >=2.5.0 || 5.0.0 - 7.2.3", "1.2.3", 0},
	{"1.x || >=2.5.0 || 5.0.0 - 7.2.3", "6.0.0", 0},
	{">=1.2.7 <1.3.0", "1.2.99", 0},
	{"1.2.7 || >=1.2.9 <2.0.0", "1.4.6", 0},
	{"^1.2.3 || ^2.0.0", "2.5.0", 0},
	{"~1.2.3 || ~2.3.4", "2.3.9", 0},
	{"  ^1.2.3  ", "1.5.0", 0},
	{"^1.2.3\n", "1.5.0", 0},
	{">= 1.2.3 < 2", "1.9.9", 0},
	{"16 || 18 || >=20", "18.19.1", 0},
	{"1.x.x", "1.0.0", 0},
	{"1.X", "1.4.0", 0},
	{"~>=1.2.3", "1.2.9", 0},
	{"^=1.2.3", "1.9.0", 0},
	{"1.2.3 - 2.3.4-beta", "2.3.4-alpha", 0},
	{"1 - =2.3.4-beta", "2.3.0", 0},
	{">=9007199254740991.0.0", "9007199254740991.0.0", 0},
	{"=9007199254740991.0.0", "9007199254740991.0.0", 0},
	{"1.x.99999999999999999999", "1.5.0", 0},
	{"^0.2.3", "0.2.3-beta", 1},
	{"^0.0.3", "0.0.3-rc.1", 1},
	{">1", "2.0.0-0", 1},
	{"1.2.3 - 2.3.4", "1.2.3-0", 1},
	{">=0.0.0 <=0.0.0-rc", "0.0.0-beta", 0},
	{"^1.2.3", "1.3.0-beta", 1},
};

static const struct range_case range_exclude[] = {
	{"1.0.0 - 2.0.0", "2.2.3", 0},
	{"1.2.3+asdf - 2.4.3+asdf", "1.2.3-pre.2", 0},
	{"1.2.3+asdf - 2.4.3+asdf", "2.4.3-alpha", 0},
	{"^1.2.3+build", "2.0.0", 0},
	{"^1.2.3+build", "1.2.0", 0},
	{"^1.2.3", "1.2.3-pre", 0},
	{"^1.2", "1.2.0-pre", 0},
	{">1.2", "1.3.0-beta", 0},
	{"<=1.2.3", "1.2.3-beta", 0},
	{"^1.2.3", "1.2.3-beta", 0},
	{"=0.7.x", "0.7.0-asdf", 0},
	{">=0.7.x", "0.7.0-asdf", 0},
	{"<=0.7.x", "0.7.0-asdf", 0},
	{"1.0.0", "1.0.1", 0},
	{">=1.0.0", "0.0.0", 0},
	{">=1.0.0", "0.0.1", 0},
	{">=1.0.0", "0.1.0", 0},
	{">1.0.0", "0.0.1", 0},
	{">1.0.0", "0.1.0", 0},
	{"<=2.0.0", "3.0.0", 0},
	{"<=2.0.0", "2.9999.9999", 0},
	{"<=2.0.0", "2.2.9", 0},
	{"<2.0.0", "2.9999.9999", 0},
	{"<2.0.0", "2.2.9", 0},
	{">=0.1.97", "v0.1.93", 0},
	{">=0.1.97", "0.1.93", 0},
	{"0.1.20 || 1.2.4", "1.2.3", 0},
	{">=0.2.3 || <0.0.1", "0.0.3", 0},
	{">=0.2.3 || <0.0.1", "0.2.2", 0},
	{"2.x.x", "1.1.3", 0},
	{"2.x.x", "3.1.3", 0},
	{"1.2.x", "1.3.3", 0},
	{"1.2.x || 2.x", "3.1.3", 0},
	{"1.2.x || 2.x", "1.1.3", 0},
	{"2.*.*", "1.1.3", 0},
	{"2.*.*", "3.1.3", 0},
	{"1.2.*", "1.3.3", 0},
	{"1.2.* || 2.*", "3.1.3", 0},
	{"1.2.* || 2.*", "1.1.3", 0},
	{"2", "1.1.2", 0},
	{"2.3", "2.4.1", 0},
	{"~0.0.1", "0.1.0-alpha", 0},
	{"~0.0.1", "0.1.0", 0},
	{"~2.4", "2.5.0", 0},
	{"~2.4", "2.3.9", 0},
	{"~>3.2.1", "3.3.2", 0},
	{"~>3.2.1", "3.2.0", 0},
	{"~1", "0.2.3", 0},
	{"~>1", "2.2.3", 0},
	{"~1.0", "1.1.0", 0},
	{"<1", "1.0.0", 0},
	{">=1.2", "1.1.1", 0},
	{"~v0.5.4-beta", "0.5.4-alpha", 0},
	{"=0.7.x", "0.8.2", 0},
	{">=0.7.x", "0.6.2", 0},
	{"<0.7.x", "0.7.2", 0},
	{"<1.2.3", "1.2.3-beta", 0},
	{"=1.2.3", "1.2.3-beta", 0},
	{">1.2", "1.2.8", 0},
	{"^0.0.1", "0.0.2-alpha", 0},
	{"^0.0.1", "0.0.2", 0},
	{"^1.2.3", "2.0.0-alpha", 0},
	{"^1.2.3", "1.2.2", 0},
	{"^1.2", "1.1.9", 0},
	{"*", "v1.2.3-foo", 0},
	{"2.x", "3.0.0-pre.0", 1},
	{"^1.0.0", "1.0.0-rc1", 1},
	{"^1.0.0", "2.0.0-rc1", 1},
	{"^1.2.3-rc2", "2.0.0", 1},
	{"^1.0.0", "2.0.0-rc1", 0},
	{"1 - 2", "3.0.0-pre", 1},
	{"1 - 2", "2.0.0-pre", 0},
	{"1 - 2", "1.0.0-pre", 0},
	{"1.0 - 2", "1.0.0-pre", 0},
	{"1.1.x", "1.0.0-a", 0},
	{"1.1.x", "1.1.0-a", 0},
	{"1.1.x", "1.2.0-a", 0},
	{"1.1.x", "1.2.0-a", 1},
	{"1.1.x", "1.0.0-a", 1},
	{"1.x", "1.0.0-a", 0},
	{"1.x", "1.1.0-a", 0},
	{"1.x", "2.0.0-a", 0},
	{"1.x", "0.0.0-a", 1},
	{"1.x", "2.0.0-a", 1},
	{">=1.0.0 <1.1.0", "1.1.0", 0},
	{">=1.0.0 <1.1.0", "1.1.0", 1},
	{">=1.0.0 <1.1.0", "1.1.0-pre", 0},
	{">=1.0.0 <1.1.0-pre", "1.1.0-pre", 0},
	/* ours */
	{"^4.17.21", "4.17.20", 0},
	{"^4.17.21", "5.0.0", 0},
	{"^0.2.3", "0.3.0", 0},
	{"^0.2.3", "0.2.2", 0},
	{"^0.0.3", "0.0.4", 0},
	{"^1.x", "2.0.0", 0},
	{"^0.x", "1.0.0", 0},
	{"^0.0.x", "0.1.0", 0},
	{"^0.0", "0.1.0", 0},
	{"^1.2.3-beta.2", "1.2.4-beta.3", 0},
	{"^1.2.3-beta.2", "1.2.3-beta.1", 0},
	{"~1.2.3-beta.2", "1.3.0-beta", 0},
	{"~1.2.3", "1.3.0", 0},
	{"~1.2.3", "1.2.2", 0},
	{"1.2.3 - 2.3", "2.4.0", 0},
	{"1.2.3 - 2.3.4", "2.3.5-0", 1},
	{"1.2.3 - 2.3.4", "1.2.3-0", 0},
	{"1.2.3 - 2.3.4-beta", "2.3.4", 0},
	{">*", "1.0.0", 0},
	{"<x", "0.0.0", 0},
	{"<x", "0.0.0-0", 1},
	{"<0.0.0-0", "0.0.0-0", 1},
	{"* || >=1.0.0-beta", "1.0.0-beta.2", 0},
	{">=0.0.0 <=0.0.0-rc", "0.0.0-beta", 1},
	{"1.2.3", "1.2.3-beta", 1},
	{"<1.2.3", "1.2.3", 0},
	{"^9007199254740990.0.0", "9007199254740991.0.0", 0},
	{"16 || 18 || >=20", "19.0.0", 0},
	{"^1.2.3", "1.3.0-beta", 0},
	{">=1.2.3 <1.2.3", "1.2.3", 0},
};

static const struct invalid_case invalid_ranges[] = {
	{"blerg", WS_EPARSE},
	{"git+https://user:password0123@github.com/foo", WS_EPARSE},
	{">01.02.03", WS_EPARSE},
	{"~1.2.3beta", WS_EPARSE},
	{">=09090", WS_EPARSE},
	{"1.2.3.4", WS_EPARSE},
	{">>1.2.3", WS_EPARSE},
	{"<=>1.2.3", WS_EPARSE},
	{"1.2.3 -", WS_EPARSE},
	{"- 1.2.3", WS_EPARSE},
	{"1.2.3 -2.3.4", WS_EPARSE},
	{"1.2.3 - 2.3.4 - 3.4.5", WS_EPARSE},
	{">=1 - 2", WS_EPARSE},
	{"^", WS_EPARSE},
	{"~", WS_EPARSE},
	{">=", WS_EPARSE},
	{"<", WS_EPARSE},
	{"1.2.3 <", WS_EPARSE},
	{"==1.2.3", WS_EPARSE},
	{">==1.2.3", WS_EPARSE},
	{"v=1.2.3", WS_EPARSE},
	{"=1.2.3 - 2", WS_EPARSE},
	{"1 - =2.3.4", WS_EPARSE},
	{"1.2-beta", WS_EPARSE},
	{"1.2.3-", WS_EPARSE},
	{"1.2.3+", WS_EPARSE},
	{"1.2.3-01", WS_EPARSE},
	{"1.2.3 | 2.3.4", WS_EPARSE},
	{"1.2.3 ||| 2", WS_EPARSE},
	{">=1.2.3,<2", WS_EPARSE},
	{"1.2.3<2", WS_EPARSE},
	{"^1.2.3 foo", WS_EPARSE},
	{"latest", WS_EPARSE},
	{"npm:foo@1", WS_EPARSE},
	{"file:../foo", WS_EPARSE},
	{"1.2.3 \x01", WS_EPARSE},
	{"1.2.3\xff", WS_EPARSE},
	{"^01.2.3", WS_EPARSE},
	{"~1.2.03", WS_EPARSE},
	{"^1.2.3.", WS_EPARSE},
	{"1..2", WS_EPARSE},
	{"^9007199254740991.0.0", WS_ELIMIT},
	{"9007199254740992", WS_ELIMIT},
	{"~0.9007199254740991", WS_ELIMIT},
	{">1.9007199254740991", WS_ELIMIT},
	{"<=9007199254740991", WS_ELIMIT},
	{"1.2.3 - 9007199254740991", WS_ELIMIT},
	{">=1.2.99999999999999999999", WS_ELIMIT},
};

static void
parse_ok(struct semver *v, const char *s)
{
	int err = semver_parse(v, s, strlen(s));

	ck_assert_msg(err == 0, "semver_parse('%s') = %d: %s", s, err,
		      ws_error_last());
}

static int
satisfies(const char *range, const char *version, int include_prerelease)
{
	struct semver_range *r = NULL;
	struct semver v;
	int err, ok;

	parse_ok(&v, version);
	err = semver_range_parse(&r, range, strlen(range));
	ck_assert_msg(err == 0, "semver_range_parse('%s') = %d: %s", range, err,
		      ws_error_last());
	ok = semver_range_satisfies(r, &v, include_prerelease);
	semver_range_free(r);
	return ok;
}

static int
range_parse_str(const char *range)
{
	struct semver_range *r = NULL;
	int err = semver_range_parse(&r, range, strlen(range));

	ck_assert(err == 0 ? r != NULL : r == NULL);
	semver_range_free(r);
	return err;
}

static int
field_is(const char *p, size_t len, const char *want)
{
	if (!want)
		return p == NULL && len == 0;
	return p && len == strlen(want) && memcmp(p, want, len) == 0;
}

/* parse */

START_TEST(parse_accepts_valid_versions)
{
	const struct version_case *c = &valid_versions[_i];
	struct semver v;

	parse_ok(&v, c->s);
	ck_assert_msg(v.major == c->major && v.minor == c->minor &&
			      v.patch == c->patch,
		      "'%s' numbers", c->s);
	ck_assert_msg(field_is(v.pre, v.pre_len, c->pre), "'%s' pre", c->s);
	ck_assert_msg(field_is(v.build, v.build_len, c->build), "'%s' build",
		      c->s);
	ck_assert_int_eq(semver_is_valid(c->s), 1);
}
END_TEST

START_TEST(parse_rejects_invalid_versions)
{
	const struct invalid_case *c = &invalid_versions[_i];
	struct semver v;
	int err;

	err = semver_parse(&v, c->s, strlen(c->s));
	ck_assert_msg(err == c->code, "semver_parse('%s') = %d, want %d", c->s,
		      err, c->code);
	ck_assert_int_eq(ws_error_last_code(), c->code);
	ck_assert_int_eq(semver_is_valid(c->s), 0);
	ck_assert(v.major == 0 && v.pre == NULL && v.build == NULL);
}
END_TEST

START_TEST(parse_points_into_caller_storage)
{
	const char s[] = "1.2.3-beta.1+exp.sha.5114f85";
	struct semver v;

	parse_ok(&v, s);
	ck_assert_ptr_eq(v.pre, s + 6);
	ck_assert_uint_eq(v.pre_len, 6);
	ck_assert_ptr_eq(v.build, s + 13);
	ck_assert_uint_eq(v.build_len, strlen("exp.sha.5114f85"));
}
END_TEST

START_TEST(parse_reads_only_len_bytes)
{
	struct semver v;

	ck_assert_int_eq(semver_parse(&v, "1.2.3-rc.1garbage", 10), 0);
	ck_assert(field_is(v.pre, v.pre_len, "rc.1"));
	ck_assert_int_eq(semver_parse(&v, "1.2.3", 3), WS_EPARSE);
	ck_assert_int_eq(semver_parse(&v, NULL, 0), WS_EPARSE);
}
END_TEST

START_TEST(parse_rejects_embedded_nul)
{
	struct semver v;

	ck_assert_int_eq(semver_parse(&v, "1.2.3\0", 6), WS_EPARSE);
	ck_assert_int_eq(semver_parse(&v, "1.2\0.3", 6), WS_EPARSE);
}
END_TEST

START_TEST(parse_accepts_max_safe_integer)
{
	struct semver v;

	parse_ok(&v, "9007199254740991.0.0");
	ck_assert(v.major == SEMVER_MAX_SAFE);
	ck_assert_int_eq(semver_parse(&v, "9007199254740992.0.0", 20),
			 WS_ELIMIT);
}
END_TEST

START_TEST(parse_error_quotes_input)
{
	struct semver v;
	const char *msg;

	semver_parse(&v, "1.2.x", 5);
	msg = ws_error_last();
	ck_assert_msg(strstr(msg, "'1.2.x'") != NULL, "%s", msg);
	ck_assert_msg(msg[0] >= 'a' && msg[0] <= 'z', "%s", msg);
	ck_assert_msg(msg[strlen(msg) - 1] != '.', "%s", msg);
}
END_TEST

START_TEST(is_valid_handles_null)
{
	ck_assert_int_eq(semver_is_valid(NULL), 0);
	ck_assert_int_eq(semver_is_valid("1.2.3"), 1);
}
END_TEST

/* compare */

START_TEST(compare_orders_greater)
{
	struct semver a, b;

	parse_ok(&a, greater[_i][0]);
	parse_ok(&b, greater[_i][1]);
	ck_assert_msg(semver_cmp(&a, &b) == 1, "'%s' > '%s'", greater[_i][0],
		      greater[_i][1]);
	ck_assert_msg(semver_cmp(&b, &a) == -1, "'%s' < '%s'", greater[_i][1],
		      greater[_i][0]);
	ck_assert_int_eq(semver_cmp(&a, &a), 0);
}
END_TEST

START_TEST(compare_finds_equal)
{
	struct semver a, b;

	parse_ok(&a, equal[_i][0]);
	parse_ok(&b, equal[_i][1]);
	ck_assert_msg(semver_cmp(&a, &b) == 0 && semver_cmp(&b, &a) == 0,
		      "'%s' == '%s'", equal[_i][0], equal[_i][1]);
}
END_TEST

START_TEST(compare_follows_spec_precedence_chain)
{
	/* the example chain of SemVer 2.0.0, section 11 */
	static const char *const chain[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
		"1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
		"1.0.0-rc.1",  "1.0.0",         "2.0.0",
		"2.1.0",       "2.1.1",
	};
	struct semver v[ARRAY_SIZE(chain)];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(chain); i++)
		parse_ok(&v[i], chain[i]);
	for (i = 0; i < ARRAY_SIZE(chain); i++)
		for (j = 0; j < ARRAY_SIZE(chain); j++)
			ck_assert_msg(semver_cmp(&v[i], &v[j]) ==
					      (i < j ? -1 : i > j),
				      "'%s' vs '%s'", chain[i], chain[j]);
}
END_TEST

START_TEST(compare_ignores_build)
{
	struct semver a, b;

	parse_ok(&a, "1.2.3+zzz");
	parse_ok(&b, "1.2.3+aaa.1");
	ck_assert_int_eq(semver_cmp(&a, &b), 0);
}
END_TEST

/* ranges: node-semver's tables */

START_TEST(range_includes)
{
	const struct range_case *c = &range_include[_i];

	ck_assert_msg(satisfies(c->range, c->version, c->include_prerelease),
		      "'%s' should include '%s'%s", c->range, c->version,
		      c->include_prerelease ? " with prereleases" : "");
}
END_TEST

START_TEST(range_excludes)
{
	const struct range_case *c = &range_exclude[_i];

	ck_assert_msg(!satisfies(c->range, c->version, c->include_prerelease),
		      "'%s' should exclude '%s'%s", c->range, c->version,
		      c->include_prerelease ? " with prereleases" : "");
}
END_TEST

START_TEST(range_rejects_invalid)
{
	const struct invalid_case *c = &invalid_ranges[_i];
	int err = range_parse_str(c->s);

	ck_assert_msg(err == c->code, "semver_range_parse('%s') = %d, want %d",
		      c->s, err, c->code);
	ck_assert_int_eq(ws_error_last_code(), c->code);
}
END_TEST

/* caret */

START_TEST(caret_zero_major_locks_minor)
{
	ck_assert(satisfies("^0.2.3", "0.2.3", 0));
	ck_assert(satisfies("^0.2.3", "0.2.99", 0));
	ck_assert(!satisfies("^0.2.3", "0.3.0", 0));
	ck_assert(!satisfies("^0.2.3", "0.3.0-0", 1));
}
END_TEST

START_TEST(caret_zero_minor_locks_patch)
{
	ck_assert(satisfies("^0.0.3", "0.0.3", 0));
	ck_assert(!satisfies("^0.0.3", "0.0.4", 0));
	ck_assert(!satisfies("^0.0.3", "0.0.2", 0));
}
END_TEST

START_TEST(caret_nonzero_major_locks_major)
{
	ck_assert(satisfies("^1.2.3", "1.99.99", 0));
	ck_assert(!satisfies("^1.2.3", "2.0.0", 0));
	ck_assert(!satisfies("^1.2.3", "2.0.0-0", 1));
}
END_TEST

START_TEST(caret_partial_zero_widens_to_given_component)
{
	ck_assert(satisfies("^0.0", "0.0.9", 0));
	ck_assert(!satisfies("^0.0", "0.1.0", 0));
	ck_assert(satisfies("^0", "0.9.0", 0));
	ck_assert(!satisfies("^0", "1.0.0", 0));
	ck_assert(satisfies("^1.x", "1.0.0", 0));
	ck_assert(!satisfies("^1.x", "0.9.9", 0));
}
END_TEST

START_TEST(caret_include_prerelease_lowers_partial_or_zero_bounds)
{
	/* node-semver: ^0.y.z and ^1.x get -0 under includePrerelease,
	 * a full ^1.2.3 does not */
	ck_assert(satisfies("^0.2.3", "0.2.3-rc.1", 1));
	ck_assert(satisfies("^1.x", "1.0.0-rc.1", 1));
	ck_assert(!satisfies("^1.2.3", "1.2.3-rc.1", 1));
}
END_TEST

START_TEST(caret_allows_space_after_operator)
{
	ck_assert(satisfies("^ 1.2 ^ 1", "1.4.0", 0));
	ck_assert(satisfies("^\t1.2.3", "1.2.4", 0));
}
END_TEST

/* tilde */

START_TEST(tilde_full_version_locks_minor)
{
	ck_assert(satisfies("~1.2.3", "1.2.9", 0));
	ck_assert(!satisfies("~1.2.3", "1.3.0", 0));
	ck_assert(!satisfies("~0.2.3", "0.3.0", 0));
}
END_TEST

START_TEST(tilde_major_only_locks_major)
{
	ck_assert(satisfies("~1", "1.9.9", 0));
	ck_assert(!satisfies("~1", "2.0.0", 0));
}
END_TEST

START_TEST(tilde_never_lowers_bound_for_prereleases)
{
	/* node-semver adds no -0 to tilde lower bounds */
	ck_assert(!satisfies("~1.2", "1.2.0-rc.1", 1));
	ck_assert(satisfies("~1.2", "1.2.1-rc.1", 1));
}
END_TEST

START_TEST(tilde_accepts_greater_than_form)
{
	ck_assert(satisfies("~>1.2.3", "1.2.5", 0));
	ck_assert(satisfies("~> 1.2", "1.2.5", 0));
	ck_assert(!satisfies("~>1.2.3", "1.3.0", 0));
}
END_TEST

/* hyphen */

START_TEST(hyphen_partial_end_covers_whole_minor)
{
	ck_assert(satisfies("1.2.3 - 2.3", "2.3.99", 0));
	ck_assert(!satisfies("1.2.3 - 2.3", "2.4.0", 0));
	ck_assert(!satisfies("1.2.3 - 2.3", "2.4.0-0", 1));
}
END_TEST

START_TEST(hyphen_partial_start_fills_zeros)
{
	ck_assert(satisfies("1.2 - 2.3.4", "1.2.0", 0));
	ck_assert(!satisfies("1.2 - 2.3.4", "1.1.99", 0));
	ck_assert(satisfies("1.2 - 2.3.4", "1.2.0-0", 1));
}
END_TEST

START_TEST(hyphen_full_end_is_inclusive)
{
	ck_assert(satisfies("1.2.3 - 2.3.4", "2.3.4", 0));
	ck_assert(!satisfies("1.2.3 - 2.3.4", "2.3.5", 0));
}
END_TEST

START_TEST(hyphen_needs_spaces_around_dash)
{
	ck_assert_int_eq(range_parse_str("1.2.3-2.3.4"), 0);
	ck_assert(!satisfies("1.2.3-2.3.4", "2.0.0", 0));
	ck_assert_int_eq(range_parse_str("1.2.3 -2.3.4"), WS_EPARSE);
	ck_assert(satisfies("1.2.3\t-\t2.3.4", "2.0.0", 0));
}
END_TEST

START_TEST(hyphen_only_as_whole_set)
{
	ck_assert(satisfies("1 - 2 || 5 - 6", "5.5.0", 0));
	ck_assert_int_eq(range_parse_str(">=1 1 - 2"), WS_EPARSE);
}
END_TEST

/* x-ranges and primitives */

START_TEST(xrange_star_and_empty_match_releases)
{
	ck_assert(satisfies("*", "0.0.0", 0));
	ck_assert(satisfies("", "99.99.99", 0));
	ck_assert(satisfies("x.x.x", "1.0.0", 0));
	ck_assert(satisfies("   ", "1.0.0", 0));
	ck_assert(satisfies(">=*", "1.0.0", 0));
	ck_assert(satisfies("<=*", "1.0.0", 0));
}
END_TEST

START_TEST(xrange_strict_star_matches_nothing)
{
	ck_assert(!satisfies(">*", "1.0.0", 0));
	ck_assert(!satisfies("<X", "0.0.0", 1));
	ck_assert(!satisfies("<x <* || >* 2.x", "2.0.0", 0));
	ck_assert(satisfies(">x 2.x || * || <x", "3.0.0", 0));
}
END_TEST

START_TEST(xrange_greater_than_partial_skips_it)
{
	ck_assert(satisfies(">1.2", "1.3.0", 0));
	ck_assert(!satisfies(">1.2", "1.2.99", 0));
	ck_assert(satisfies(">1", "2.0.0", 0));
	ck_assert(!satisfies(">1", "1.99.0", 0));
}
END_TEST

START_TEST(xrange_less_equal_partial_covers_it)
{
	ck_assert(satisfies("<=1.2", "1.2.99", 0));
	ck_assert(!satisfies("<=1.2", "1.3.0", 0));
	ck_assert(!satisfies("<1.2", "1.2.0", 0));
	ck_assert(!satisfies("<1.2", "1.2.0-0", 1));
}
END_TEST

START_TEST(primitive_equal_forms)
{
	ck_assert(satisfies("1.2.3", "1.2.3", 0));
	ck_assert(satisfies("=1.2.3", "1.2.3", 0));
	ck_assert(satisfies("= 1.2.3", "1.2.3", 0));
	ck_assert(satisfies("v1.2.3", "1.2.3", 0));
	ck_assert(satisfies("=v1.2.3", "1.2.3", 0));
	ck_assert(!satisfies("1.2.3", "1.2.4", 0));
}
END_TEST

/* prereleases */

START_TEST(prerelease_needs_same_tuple_comparator)
{
	ck_assert(satisfies(">=1.2.3-alpha <2", "1.2.3-beta", 0));
	ck_assert(!satisfies(">=1.2.3-alpha <2", "1.2.4-beta", 0));
	ck_assert(satisfies(">=1.2.3-alpha <2", "1.2.4-beta", 1));
	ck_assert(satisfies(">=1.2.3-alpha <2 || >=1.2.4-a", "1.2.4-beta", 0));
}
END_TEST

START_TEST(prerelease_star_excludes)
{
	ck_assert(!satisfies("*", "1.0.0-beta", 0));
	ck_assert(satisfies("*", "1.0.0-beta", 1));
	ck_assert(!satisfies("", "1.0.0-beta", 0));
}
END_TEST

START_TEST(prerelease_any_set_collapses_range)
{
	/* node-semver reduces a range with a "*" set to "*" */
	ck_assert(!satisfies(">=1.0.0-beta || *", "1.0.0-beta.2", 0));
	ck_assert(!satisfies(">=1.0.0-beta || ||", "1.0.0-beta.2", 0));
	ck_assert(satisfies(">=1.0.0-beta || 2.x", "1.0.0-beta.2", 0));
	ck_assert(satisfies(">=1.0.0-beta || *", "1.0.0-beta.2", 1));
}
END_TEST

START_TEST(prerelease_gte_zero_is_any)
{
	ck_assert(!satisfies(">=0.0.0", "1.0.0-beta", 0));
	ck_assert(satisfies(">=0.0.0", "1.0.0-beta", 1));
	ck_assert(!satisfies(">=0.0.0", "0.0.0-beta", 1));
	ck_assert(satisfies(">=0.0.0-0", "0.0.0-beta", 0));
	ck_assert(satisfies(">=0", "0.0.0-beta", 1));
}
END_TEST

START_TEST(prerelease_numeric_identifiers_compare_as_numbers)
{
	ck_assert(satisfies(">1.0.0-rc.9 <1.0.0", "1.0.0-rc.10", 0));
	ck_assert(!satisfies(">1.0.0-rc.9 <1.0.0", "1.0.0-rc.8", 0));
	ck_assert(satisfies(">1.0.0-rc.9 <1.0.0", "1.0.0-rc.a", 0));
}
END_TEST

/* satisfies_str */

START_TEST(satisfies_str_answers)
{
	ck_assert_int_eq(semver_satisfies_str("1.2.3", "^1.0.0"), 1);
	ck_assert_int_eq(semver_satisfies_str("2.0.0", "^1.0.0"), 0);
	ck_assert_int_eq(semver_satisfies_str("1.0.0-beta", "*"), 0);
	ck_assert_int_eq(semver_satisfies_str(" v1.2.3 ", "1.x || 2.x"), 1);
}
END_TEST

START_TEST(satisfies_str_reports_parse_errors)
{
	ck_assert_int_eq(semver_satisfies_str("not a version", "*"), WS_EPARSE);
	ck_assert_int_eq(semver_satisfies_str("1.2.3", "blerg"), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "'blerg'"));
}
END_TEST

/* limits and hostile input */

static char *
repeat(const char *unit, size_t n, const char *tail)
{
	size_t ulen = strlen(unit), tlen = strlen(tail), i;
	char *s = malloc(ulen * n + tlen + 1);

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, unit, ulen);
	memcpy(s + n * ulen, tail, tlen + 1);
	return s;
}

START_TEST(limits_reject_long_version)
{
	char *s = repeat("1", 10000, ".0.0");
	struct semver v;

	ck_assert_int_eq(semver_parse(&v, s, strlen(s)), WS_ELIMIT);
	ck_assert_int_eq(semver_is_valid(s), 0);
	ck_assert_msg(strlen(ws_error_last()) < 200, "%s", ws_error_last());
	free(s);
}
END_TEST

START_TEST(limits_accept_version_at_max_len)
{
	char *s = repeat("a", SEMVER_MAX_LEN, "");
	struct semver v;

	memcpy(s, "1.0.0-", 6);
	ck_assert_uint_eq(strlen(s), SEMVER_MAX_LEN);
	ck_assert_int_eq(semver_parse(&v, s, strlen(s)), 0);
	ck_assert_uint_eq(v.pre_len, SEMVER_MAX_LEN - 6);
	free(s);
	s = repeat("a", SEMVER_MAX_LEN + 1, "");
	memcpy(s, "1.0.0-", 6);
	ck_assert_int_eq(semver_parse(&v, s, strlen(s)), WS_ELIMIT);
	free(s);
}
END_TEST

START_TEST(limits_reject_huge_numbers)
{
	char *s = repeat("9", 100, ".0.0");
	struct semver v;

	ck_assert_int_eq(semver_parse(&v, s, strlen(s)), WS_ELIMIT);
	free(s);
	s = repeat("9", 200, "");
	ck_assert_int_eq(range_parse_str(s), WS_ELIMIT);
	free(s);
	s = repeat("0", 200, ".0.0");
	ck_assert_int_eq(semver_parse(&v, s, strlen(s)), WS_EPARSE);
	free(s);
}
END_TEST

START_TEST(limits_deep_prerelease)
{
	char *s = repeat("a.", 124, "a");
	char abuf[SEMVER_MAX_LEN + 1], bbuf[SEMVER_MAX_LEN + 1];
	struct semver a, b;

	ck_assert_int_lt(snprintf(abuf, sizeof(abuf), "1.2.3-%s", s),
			 (int)sizeof(abuf));
	memcpy(bbuf, abuf, sizeof(bbuf));
	bbuf[strlen(bbuf) - 1] = 'b';
	parse_ok(&a, abuf);
	parse_ok(&b, bbuf);
	ck_assert_int_eq(semver_cmp(&a, &b), -1);
	ck_assert_int_eq(semver_cmp(&a, &a), 0);
	free(s);
}
END_TEST

START_TEST(limits_thousands_of_ors)
{
	char *s = repeat("1.2.3 || ", 5000, "2.0.0");

	ck_assert_int_eq(range_parse_str(s), WS_ELIMIT);
	ck_assert_int_eq(ws_error_last_code(), WS_ELIMIT);
	ck_assert_msg(strlen(ws_error_last()) < 200, "%s", ws_error_last());
	free(s);
	s = repeat("||", 5000, "");
	ck_assert_int_eq(range_parse_str(s), WS_ELIMIT);
	free(s);
	s = repeat("^1.2.3 || ", 5000, "");
	ck_assert_int_eq(semver_satisfies_str("1.2.3", s), WS_ELIMIT);
	free(s);
}
END_TEST

START_TEST(limits_comparator_count_boundary)
{
	char *s = repeat("1.2.3 ", SEMVER_RANGE_MAX_COMPARATORS, "");

	ck_assert_int_eq(range_parse_str(s), 0);
	ck_assert(satisfies(s, "1.2.3", 0));
	free(s);
	s = repeat("1.2.3 ", SEMVER_RANGE_MAX_COMPARATORS + 1, "");
	ck_assert_int_eq(range_parse_str(s), WS_ELIMIT);
	free(s);
	/* counted after expansion: each caret is two */
	s = repeat("^1.2.3 || ", SEMVER_RANGE_MAX_COMPARATORS / 2 - 1, "1");
	ck_assert_int_eq(range_parse_str(s), 0);
	free(s);
	s = repeat("^1.2.3 || ", SEMVER_RANGE_MAX_COMPARATORS / 2, "1");
	ck_assert_int_eq(range_parse_str(s), WS_ELIMIT);
	free(s);
}
END_TEST

START_TEST(limits_reject_long_range)
{
	char *s = repeat(" ", SEMVER_RANGE_MAX_LEN, "");

	ck_assert_int_eq(range_parse_str(s), 0);
	free(s);
	s = repeat(" ", SEMVER_RANGE_MAX_LEN + 1, "");
	ck_assert_int_eq(range_parse_str(s), WS_ELIMIT);
	free(s);
	s = repeat(" ", 1u << 20, "1.2.3");
	ck_assert_int_eq(semver_satisfies_str("1.2.3", s), WS_ELIMIT);
	free(s);
}
END_TEST

START_TEST(limits_reject_long_version_in_range)
{
	char *s = repeat("a", 300, "");

	memcpy(s, ">=1.0.0-", 8);
	ck_assert_int_eq(range_parse_str(s), WS_ELIMIT);
	free(s);
	s = repeat("a", 300, " - 2");
	memcpy(s, "1.0.0-", 6);
	ck_assert_int_eq(range_parse_str(s), WS_ELIMIT);
	free(s);
}
END_TEST

START_TEST(limits_error_message_is_short_and_printable)
{
	char *s = repeat("\x1b[31m ", 2000, "");
	const char *msg, *p;

	ck_assert_int_eq(range_parse_str(s), WS_EPARSE);
	msg = ws_error_last();
	ck_assert_msg(strlen(msg) < 200, "%s", msg);
	for (p = msg; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p < 0x7f, "byte %d in message",
			      *p);
	free(s);
}
END_TEST

START_TEST(limits_nul_in_range_is_an_error)
{
	struct semver_range *r = NULL;

	ck_assert_int_eq(semver_range_parse(&r, "1.2.3\0|| 2", 10), WS_EPARSE);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(semver_range_parse(&r, "1.2.3 || 2", 5), 0);
	semver_range_free(r);
	ck_assert_int_eq(semver_range_parse(&r, NULL, 0), 0);
	semver_range_free(r);
	semver_range_free(NULL);
}
END_TEST

static Suite *
semver_suite(void)
{
	Suite *s = suite_create("semver");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, parse_accepts_valid_versions, 0,
			    ARRAY_SIZE(valid_versions));
	tcase_add_loop_test(tc, parse_rejects_invalid_versions, 0,
			    ARRAY_SIZE(invalid_versions));
	tcase_add_test(tc, parse_points_into_caller_storage);
	tcase_add_test(tc, parse_reads_only_len_bytes);
	tcase_add_test(tc, parse_rejects_embedded_nul);
	tcase_add_test(tc, parse_accepts_max_safe_integer);
	tcase_add_test(tc, parse_error_quotes_input);
	tcase_add_test(tc, is_valid_handles_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("compare");
	tcase_add_loop_test(tc, compare_orders_greater, 0, ARRAY_SIZE(greater));
	tcase_add_loop_test(tc, compare_finds_equal, 0, ARRAY_SIZE(equal));
	tcase_add_test(tc, compare_follows_spec_precedence_chain);
	tcase_add_test(tc, compare_ignores_build);
	suite_add_tcase(s, tc);

	tc = tcase_create("range_table");
	tcase_add_loop_test(tc, range_includes, 0, ARRAY_SIZE(range_include));
	tcase_add_loop_test(tc, range_excludes, 0, ARRAY_SIZE(range_exclude));
	tcase_add_loop_test(tc, range_rejects_invalid, 0,
			    ARRAY_SIZE(invalid_ranges));
	suite_add_tcase(s, tc);

	tc = tcase_create("caret");
	tcase_add_test(tc, caret_zero_major_locks_minor);
	tcase_add_test(tc, caret_zero_minor_locks_patch);
	tcase_add_test(tc, caret_nonzero_major_locks_major);
	tcase_add_test(tc, caret_partial_zero_widens_to_given_component);
	tcase_add_test(tc,
		       caret_include_prerelease_lowers_partial_or_zero_bounds);
	tcase_add_test(tc, caret_allows_space_after_operator);
	suite_add_tcase(s, tc);

	tc = tcase_create("tilde");
	tcase_add_test(tc, tilde_full_version_locks_minor);
	tcase_add_test(tc, tilde_major_only_locks_major);
	tcase_add_test(tc, tilde_never_lowers_bound_for_prereleases);
	tcase_add_test(tc, tilde_accepts_greater_than_form);
	suite_add_tcase(s, tc);

	tc = tcase_create("hyphen");
	tcase_add_test(tc, hyphen_partial_end_covers_whole_minor);
	tcase_add_test(tc, hyphen_partial_start_fills_zeros);
	tcase_add_test(tc, hyphen_full_end_is_inclusive);
	tcase_add_test(tc, hyphen_needs_spaces_around_dash);
	tcase_add_test(tc, hyphen_only_as_whole_set);
	suite_add_tcase(s, tc);

	tc = tcase_create("xrange");
	tcase_add_test(tc, xrange_star_and_empty_match_releases);
	tcase_add_test(tc, xrange_strict_star_matches_nothing);
	tcase_add_test(tc, xrange_greater_than_partial_skips_it);
	tcase_add_test(tc, xrange_less_equal_partial_covers_it);
	tcase_add_test(tc, primitive_equal_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("prerelease");
	tcase_add_test(tc, prerelease_needs_same_tuple_comparator);
	tcase_add_test(tc, prerelease_star_excludes);
	tcase_add_test(tc, prerelease_any_set_collapses_range);
	tcase_add_test(tc, prerelease_gte_zero_is_any);
	tcase_add_test(tc, prerelease_numeric_identifiers_compare_as_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("satisfies_str");
	tcase_add_test(tc, satisfies_str_answers);
	tcase_add_test(tc, satisfies_str_reports_parse_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, limits_reject_long_version);
	tcase_add_test(tc, limits_accept_version_at_max_len);
	tcase_add_test(tc, limits_reject_huge_numbers);
	tcase_add_test(tc, limits_deep_prerelease);
	tcase_add_test(tc, limits_thousands_of_ors);
	tcase_add_test(tc, limits_comparator_count_boundary);
	tcase_add_test(tc, limits_reject_long_range);
	tcase_add_test(tc, limits_reject_long_version_in_range);
	tcase_add_test(tc, limits_error_message_is_short_and_printable);
	tcase_add_test(tc, limits_nul_in_range_is_an_error);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(semver_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
