#include "semver/semver.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define MAX_SAFE_STR "9007199254740991"

/*
 * Input quoted in messages is cut to this many bytes: a hostile 64 KiB
 * range must not become a 64 KiB message, nor put escapes on a terminal.
 */
#define QUOTE_MAX 48
#define QUOTE_SIZE (QUOTE_MAX + sizeof("..."))

/* Comparators after expansion. */
enum op {
	OP_ANY, /* every version: "*", "", "x", "^*" */
	OP_EQ,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
};

/* Operators as written in the range, before expansion. */
enum word_op {
	W_NONE,
	W_EQ,
	W_LT,
	W_LE,
	W_GT,
	W_GE,
	W_TILDE,
	W_CARET,
};

struct comparator {
	struct semver v;
	unsigned char op;
	/*
	 * A lower bound made from a partial (1.x, >=1.2, ^0.1.2, "1 - 2"):
	 * node-semver writes it as v-0 under includePrerelease, so that the
	 * bound's own prereleases are admitted, and as plain v otherwise.
	 */
	unsigned char flex;
};

struct semver_range {
	char *text; /* prerelease pointers point into this copy */
	struct comparator *cmp;
	size_t ncmp, cmp_alloc;
	size_t *set_end; /* set i ends before cmp[set_end[i]] */
	size_t nsets, sets_alloc;
	/*
	 * Some set matches everything. node-semver then replaces the whole
	 * range by "*", which no prerelease satisfies, even one another set
	 * would have let through.
	 */
	bool any_set;
};

/* A version as written in a range: leading numbers, then x or nothing. */
struct partial {
	uint64_t num[3]; /* numbers after the first x are left 0 */
	int n;           /* how many leading components are numbers */
	const char *pre; /* only when n == 3 */
	size_t pre_len;
	bool bare; /* prefix is "" or "v": may be kept verbatim */
};

struct range_parser {
	struct semver_range *r;
	const char *src; /* the caller's string, for messages */
	size_t src_len;
	const char *cur; /* the comparator being read, for messages */
	size_t cur_len;
};

static const char zero_pre[] = "0";

static const char *
quote(char *buf, const char *s, size_t len)
{
	size_t n = len < QUOTE_MAX ? len : QUOTE_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (len > QUOTE_MAX) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* ASCII only, whatever the locale: ranges come from untrusted manifests. */
static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_ident(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '-';
}

static bool
is_x(char c)
{
	return c == 'x' || c == 'X' || c == '*';
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

static const char *
skip_word(const char *p, const char *end)
{
	while (p < end && !is_ws(*p))
		p++;
	return p;
}

static int
fail(const char **why, int code, const char *msg)
{
	*why = msg;
	return code;
}

/*
 * A numeric identifier: "0" or digits without a leading zero. out may be
 * NULL for numbers node-semver matches but never evaluates (the 3 of
 * 1.x.3), which then have no upper limit.
 */
static int
parse_number(const char **pp, const char *end, uint64_t *out, const char **why)
{
	const char *p = *pp;
	uint64_t n = 0;

	if (p == end || !is_digit(*p))
		return fail(why, WS_EPARSE, "expected a number");
	if (*p == '0' && p + 1 < end && is_digit(p[1]))
		return fail(why, WS_EPARSE, "number has a leading zero");
	for (; p < end && is_digit(*p); p++) {
		if (!out)
			continue;
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > SEMVER_MAX_SAFE)
			return fail(why, WS_ELIMIT,
				    "number is larger than " MAX_SAFE_STR);
	}
	if (out)
		*out = n;
	*pp = p;
	return 0;
}

/* Dot-separated identifiers of a prerelease or build. */
static int
parse_idents(const char **pp, const char *end, bool prerelease,
	     const char **why)
{
	const char *p = *pp;

	for (;;) {
		const char *id = p;
		bool numeric = true;

		for (; p < end && is_ident(*p); p++)
			if (!is_digit(*p))
				numeric = false;
		if (p == id)
			return fail(why, WS_EPARSE,
				    prerelease ? "empty prerelease identifier" :
						 "empty build identifier");
		if (prerelease && numeric && *id == '0' && p - id > 1)
			return fail(why, WS_EPARSE,
				    "prerelease number has a leading zero");
		if (p == end || *p != '.')
			break;
		p++;
	}
	*pp = p;
	return 0;
}

static int
parse_version(struct semver *v, const char **pp, const char *end,
	      const char **why)
{
	const char *p = *pp;
	int err;

	if ((err = parse_number(&p, end, &v->major, why)))
		return err;
	if (p == end || *p != '.')
		return fail(why, WS_EPARSE,
			    "expected '.' after the major version");
	p++;
	if ((err = parse_number(&p, end, &v->minor, why)))
		return err;
	if (p == end || *p != '.')
		return fail(why, WS_EPARSE,
			    "expected '.' after the minor version");
	p++;
	if ((err = parse_number(&p, end, &v->patch, why)))
		return err;
	if (p < end && *p == '-') {
		v->pre = ++p;
		if ((err = parse_idents(&p, end, true, why)))
			return err;
		v->pre_len = (size_t)(p - v->pre);
	}
	if (p < end && *p == '+') {
		v->build = ++p;
		if ((err = parse_idents(&p, end, false, why)))
			return err;
		v->build_len = (size_t)(p - v->build);
	}
	*pp = p;
	return 0;
}

int
semver_parse(struct semver *out, const char *s, size_t len)
{
	char q[QUOTE_SIZE];
	const char *p, *end, *why = NULL;
	int err;

	assert(out && (s || !len));
	memset(out, 0, sizeof(*out));
	if (!s)
		s = "";
	if (len > SEMVER_MAX_LEN)
		return ws_error_set(WS_ELIMIT,
				    "version '%s' is longer than %d bytes",
				    quote(q, s, len), SEMVER_MAX_LEN);
	p = s;
	end = s + len;
	while (p < end && is_ws(end[-1]))
		end--;
	/* node-semver's loose prefix, which npm's "=1.2.3" and "v1.2.3" use */
	while (p < end && (is_ws(*p) || *p == 'v' || *p == '='))
		p++;
	err = parse_version(out, &p, end, &why);
	if (!err && p != end)
		err = fail(&why, WS_EPARSE,
			   "unexpected character after the version");
	if (err) {
		memset(out, 0, sizeof(*out));
		return ws_error_set(err, "invalid version '%s': %s",
				    quote(q, s, len), why);
	}
	return 0;
}

int
semver_is_valid(const char *s)
{
	struct semver v;
	size_t len;

	if (!s)
		return 0;
	len = strnlen(s, SEMVER_MAX_LEN + 1);
	if (len > SEMVER_MAX_LEN)
		return 0;
	return semver_parse(&v, s, len) == 0;
}

static bool
has_pre(const struct semver *v)
{
	return v->pre && v->pre_len;
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

/*
 * Numeric identifiers compare as numbers, of any length (node-semver
 * loses precision past 2^53; we do not), and sort below alphanumeric
 * ones, which compare as ASCII.
 */
static int
cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
	bool anum = all_digits(a, an), bnum = all_digits(b, bn);
	int c;

	if (anum && bnum) {
		while (an > 1 && *a == '0') {
			a++;
			an--;
		}
		while (bn > 1 && *b == '0') {
			b++;
			bn--;
		}
		if (an != bn)
			return an < bn ? -1 : 1;
		c = memcmp(a, b, an);
		return (c > 0) - (c < 0);
	}
	if (anum != bnum)
		return anum ? -1 : 1;
	c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

static int
cmp_pre(const struct semver *a, const struct semver *b)
{
	const char *p, *pe, *q, *qe;

	/* a release sorts above its prereleases */
	if (!has_pre(a) || !has_pre(b))
		return (int)has_pre(b) - (int)has_pre(a);
	p = a->pre;
	pe = p + a->pre_len;
	q = b->pre;
	qe = q + b->pre_len;
	for (;;) {
		const char *pi = p, *qi = q;
		bool a_done, b_done;
		int c;

		while (p < pe && *p != '.')
			p++;
		while (q < qe && *q != '.')
			q++;
		c = cmp_ident(pi, (size_t)(p - pi), qi, (size_t)(q - qi));
		if (c)
			return c;
		a_done = p == pe;
		b_done = q == qe;
		if (a_done || b_done)
			return a_done && b_done ? 0 : a_done ? -1 : 1;
		p++;
		q++;
	}
}

int
semver_cmp(const struct semver *a, const struct semver *b)
{
	int c;

	if ((c = cmp_u64(a->major, b->major)))
		return c;
	if ((c = cmp_u64(a->minor, b->minor)))
		return c;
	if ((c = cmp_u64(a->patch, b->patch)))
		return c;
	return cmp_pre(a, b);
}

static int
range_error(const struct range_parser *rp, int code, const char *why)
{
	char qr[QUOTE_SIZE], qc[QUOTE_SIZE];

	if (!rp->cur)
		return ws_error_set(code, "invalid range '%s': %s",
				    quote(qr, rp->src, rp->src_len), why);
	return ws_error_set(code, "invalid range '%s': %s in '%s'",
			    quote(qr, rp->src, rp->src_len), why,
			    quote(qc, rp->cur, rp->cur_len));
}

static int
push(struct range_parser *rp, enum op op, const uint64_t num[3],
     const char *pre, size_t pre_len, bool flex)
{
	struct semver_range *r = rp->r;
	struct comparator *c;

	if (r->ncmp >= SEMVER_RANGE_MAX_COMPARATORS) {
		rp->cur = NULL;
		return range_error(rp, WS_ELIMIT, "more than 256 comparators");
	}
	XGROW(r->cmp, r->cmp_alloc, r->ncmp + 1);
	c = &r->cmp[r->ncmp++];
	memset(c, 0, sizeof(*c));
	c->op = (unsigned char)op;
	c->flex = flex;
	c->v.major = num[0];
	c->v.minor = num[1];
	c->v.patch = num[2];
	c->v.pre = pre;
	c->v.pre_len = pre_len;
	return 0;
}

static int
push_any(struct range_parser *rp)
{
	static const uint64_t zero[3];

	return push(rp, OP_ANY, zero, NULL, 0, false);
}

/* "<v-0": below every prerelease of v, so none of them gets in. */
static int
push_below(struct range_parser *rp, const uint64_t num[3])
{
	return push(rp, OP_LT, num, zero_pre, 1, false);
}

/* "<0.0.0-0": node-semver's empty set, from "<*" and ">*". */
static int
push_none(struct range_parser *rp)
{
	static const uint64_t zero[3];

	return push_below(rp, zero);
}

/*
 * The upper bound bumping component i, as node-semver's expansions
 * compute it: it must itself be a valid version.
 */
static int
bump(struct range_parser *rp, const struct partial *pt, int i, uint64_t out[3])
{
	int k;

	for (k = 0; k < 3; k++)
		out[k] = k < i ? pt->num[k] : 0;
	if (pt->num[i] >= SEMVER_MAX_SAFE)
		return range_error(rp, WS_ELIMIT,
				   "upper bound is larger than " MAX_SAFE_STR);
	out[i] = pt->num[i] + 1;
	return 0;
}

/*
 * Reads a version as ranges write it: [v=]* then 1-3 components, each a
 * number or x, X or *; a prerelease only after three; build anywhere at
 * the end (it is ignored).
 */
static int
parse_partial(struct partial *pt, const char *p, const char *end,
	      const char **why)
{
	const char *prefix = p;
	bool seen_x = false;
	int i, err;

	memset(pt, 0, sizeof(*pt));
	while (p < end && (*p == 'v' || *p == '='))
		p++;
	pt->bare = p == prefix || (p - prefix == 1 && *prefix == 'v');
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (p == end || *p != '.')
				break;
			p++;
		}
		if (p < end && is_x(*p)) {
			p++;
			seen_x = true;
		} else if (seen_x) {
			if ((err = parse_number(&p, end, NULL, why)))
				return err;
		} else {
			if ((err = parse_number(&p, end, &pt->num[i], why)))
				return err;
			pt->n = i + 1;
		}
	}
	if (i == 3 && p < end && *p == '-') {
		const char *pre = ++p;

		if ((err = parse_idents(&p, end, true, why)))
			return err;
		if (pt->n == 3) {
			pt->pre = pre;
			pt->pre_len = (size_t)(p - pre);
		}
	}
	if (p < end && *p == '+') {
		p++;
		if ((err = parse_idents(&p, end, false, why)))
			return err;
	}
	if (p != end)
		return fail(why, WS_EPARSE, "unexpected character");
	return 0;
}

/* ^1.2.3 := >=1.2.3 <2.0.0-0, ^0.2.3 := >=0.2.3 <0.3.0-0, ^0.0.3 := ... */
static int
expand_caret(struct range_parser *rp, const struct partial *pt)
{
	uint64_t hi[3];
	int i, err;

	/* bump the first non-zero component, or the last one given */
	for (i = 0; i < pt->n - 1 && pt->num[i] == 0; i++)
		;
	if ((err = bump(rp, pt, i, hi)))
		return err;
	/*
	 * node-semver lowers the bound to -0 under includePrerelease for
	 * partials and for 0.y.z, but not for a full 1.2.3: keep its rule.
	 */
	if ((err = push(rp, OP_GE, pt->num, pt->pre, pt->pre_len,
			!pt->pre && (pt->n < 3 || pt->num[0] == 0))))
		return err;
	return push_below(rp, hi);
}

/* ~1.2.3 := >=1.2.3 <1.3.0-0, ~1.2 := >=1.2.0 <1.3.0-0, ~1 := <2.0.0-0 */
static int
expand_tilde(struct range_parser *rp, const struct partial *pt)
{
	uint64_t hi[3];
	int err;

	if ((err = bump(rp, pt, pt->n == 1 ? 0 : 1, hi)))
		return err;
	if ((err = push(rp, OP_GE, pt->num, pt->pre, pt->pre_len, false)))
		return err;
	return push_below(rp, hi);
}

static enum op
primitive_op(enum word_op op)
{
	switch (op) {
	case W_LT:
		return OP_LT;
	case W_LE:
		return OP_LE;
	case W_GT:
		return OP_GT;
	case W_GE:
		return OP_GE;
	default:
		return OP_EQ;
	}
}

static int
expand(struct range_parser *rp, enum word_op op, const struct partial *pt)
{
	uint64_t next[3];
	int err;

	if (pt->n == 0)
		return op == W_LT || op == W_GT ? push_none(rp) : push_any(rp);
	if (op == W_CARET)
		return expand_caret(rp, pt);
	if (op == W_TILDE)
		return expand_tilde(rp, pt);
	if (pt->n == 3) {
		/* kept verbatim by node-semver, where only "v" may lead */
		if (!pt->bare)
			return range_error(rp, WS_EPARSE,
					   "unexpected prefix before version");
		return push(rp, primitive_op(op), pt->num, pt->pre, pt->pre_len,
			    false);
	}
	/* 1.x or 1.2.x: next is the first version above all of it */
	if ((err = bump(rp, pt, pt->n - 1, next)))
		return err;
	switch (op) {
	case W_NONE:
	case W_EQ:
		if ((err = push(rp, OP_GE, pt->num, NULL, 0, true)))
			return err;
		return push_below(rp, next);
	case W_GT:
		return push(rp, OP_GE, next, NULL, 0, true);
	case W_GE:
		return push(rp, OP_GE, pt->num, NULL, 0, true);
	case W_LT:
		return push_below(rp, pt->num);
	case W_LE:
		return push_below(rp, next);
	default:
		assert(0 && "tilde and caret handled above");
		return WS_ERROR;
	}
}

/* 1.2.3 - 2.3.4 := >=1.2.3 <=2.3.4; 1.2 - 2 := >=1.2.0 <3.0.0-0 */
static int
expand_hyphen(struct range_parser *rp, const struct partial *from,
	      const struct partial *to)
{
	size_t start = rp->r->ncmp;
	uint64_t next[3];
	int err;

	if (from->n == 3 && !from->bare)
		return range_error(rp, WS_EPARSE,
				   "unexpected prefix before the version");
	if (from->n > 0 && (err = push(rp, OP_GE, from->num, from->pre,
				       from->pre_len, !from->pre)))
		return err;
	if (to->n == 3) {
		/* a prerelease end is rebuilt by node-semver, prefix dropped */
		if (!to->pre && !to->bare)
			return range_error(rp, WS_EPARSE,
					   "unexpected prefix before version");
		err = push(rp, OP_LE, to->num, to->pre, to->pre_len, false);
	} else if (to->n > 0) {
		if ((err = bump(rp, to, to->n - 1, next)))
			return err;
		err = push_below(rp, next);
	} else {
		err = 0;
	}
	if (!err && rp->r->ncmp == start)
		err = push_any(rp);
	return err;
}

static enum word_op
read_op(const char **pp, const char *end)
{
	const char *p = *pp;
	enum word_op op = W_NONE;

	switch (*p) {
	case '~':
		op = W_TILDE;
		if (++p < end && *p == '>')
			p++;
		break;
	case '^':
		op = W_CARET;
		p++;
		break;
	case '<':
	case '>':
		op = *p == '<' ? W_LT : W_GT;
		if (++p < end && *p == '=') {
			op = op == W_LT ? W_LE : W_GE;
			p++;
		}
		break;
	case '=':
		op = W_EQ;
		p++;
		break;
	default:
		break;
	}
	*pp = p;
	return op;
}

static int
read_partial(struct range_parser *rp, struct partial *pt, const char *w,
	     const char *end)
{
	const char *why = NULL;
	int err;

	if (w == end)
		return range_error(rp, WS_EPARSE, "expected a version");
	if (end - w > SEMVER_MAX_LEN)
		return range_error(rp, WS_ELIMIT,
				   "version longer than 256 bytes");
	if ((err = parse_partial(pt, w, end, &why)))
		return range_error(rp, err, why);
	return 0;
}

/* "A - B" as a whole set: exactly three words, the middle one "-". */
static bool
is_hyphen(const char *p, const char *end, const char **w1_end, const char **w3,
	  const char **w3_end)
{
	const char *q;

	*w1_end = skip_word(p, end);
	q = skip_ws(*w1_end, end);
	if (q == *w1_end || q == end || *q != '-')
		return false;
	q++;
	if (q == end || !is_ws(*q))
		return false;
	*w3 = skip_ws(q, end);
	*w3_end = skip_word(*w3, end);
	return *w3 < *w3_end && skip_ws(*w3_end, end) == end;
}

static int
parse_comparators(struct range_parser *rp, const char *p, const char *end)
{
	struct partial pt;
	int err;

	for (;;) {
		const char *start, *w;
		enum word_op op;

		if ((p = skip_ws(p, end)) == end)
			return 0;
		start = p;
		op = read_op(&p, end);
		/* "> 1.2.3" and "^ 1.2" are ">1.2.3" and "^1.2" */
		if (op != W_NONE)
			p = skip_ws(p, end);
		w = p;
		p = skip_word(p, end);
		rp->cur = start;
		rp->cur_len = (size_t)(p - start);
		if ((err = read_partial(rp, &pt, w, p)))
			return err;
		if ((err = expand(rp, op, &pt)))
			return err;
	}
}

/* >=0.0.0 is rewritten to "*" by node-semver (unless includePrerelease). */
static bool
cmp_is_any(const struct comparator *c)
{
	return c->op == OP_ANY ||
	       (c->op == OP_GE && !c->v.major && !c->v.minor && !c->v.patch &&
		!has_pre(&c->v));
}

static int
parse_set(struct range_parser *rp, const char *p, const char *end)
{
	struct semver_range *r = rp->r;
	size_t start = r->ncmp, i;
	const char *w1_end, *w3, *w3_end;
	bool all_any = true;
	int err;

	p = skip_ws(p, end);
	while (p < end && is_ws(end[-1]))
		end--;
	if (is_hyphen(p, end, &w1_end, &w3, &w3_end)) {
		struct partial from, to;

		rp->cur = p;
		rp->cur_len = (size_t)(end - p);
		if ((err = read_partial(rp, &from, p, w1_end)) ||
		    (err = read_partial(rp, &to, w3, w3_end)) ||
		    (err = expand_hyphen(rp, &from, &to)))
			return err;
	} else if ((err = parse_comparators(rp, p, end))) {
		return err;
	}
	if (r->ncmp == start && (err = push_any(rp)))
		return err;
	XGROW(r->set_end, r->sets_alloc, r->nsets + 1);
	r->set_end[r->nsets++] = r->ncmp;
	for (i = start; i < r->ncmp; i++)
		all_any = all_any && cmp_is_any(&r->cmp[i]);
	r->any_set = r->any_set || all_any;
	return 0;
}

static const char *
find_bar(const char *p, const char *end)
{
	for (; end - p >= 2; p++)
		if (p[0] == '|' && p[1] == '|')
			return p;
	return end;
}

int
semver_range_parse(struct semver_range **out, const char *s, size_t len)
{
	struct range_parser rp = {0};
	struct semver_range *r = NULL;
	const char *p, *end, *bar;
	char q[QUOTE_SIZE];
	int err = 0;

	assert(out && (s || !len));
	*out = NULL;
	if (!s)
		s = "";
	if (len > SEMVER_RANGE_MAX_LEN)
		return ws_error_set(WS_ELIMIT,
				    "range '%s' is longer than %u bytes",
				    quote(q, s, len), SEMVER_RANGE_MAX_LEN);
	r = xcalloc(1, sizeof(*r));
	r->text = xmalloc(len + 1);
	memcpy(r->text, s, len);
	r->text[len] = '\0';
	rp.r = r;
	rp.src = s;
	rp.src_len = len;
	p = r->text;
	end = p + len;
	for (;;) {
		bar = find_bar(p, end);
		rp.cur = NULL;
		if ((err = parse_set(&rp, p, bar)))
			goto done;
		if (bar == end)
			break;
		p = bar + 2;
	}
done:
	if (err) {
		semver_range_free(r);
		return err;
	}
	*out = r;
	return 0;
}

void
semver_range_free(struct semver_range *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->cmp);
	free(r->set_end);
	free(r);
}

static bool
cmp_test(const struct comparator *c, const struct semver *v,
	 int include_prerelease)
{
	struct semver bound;
	int d;

	if (c->op == OP_ANY || (!include_prerelease && cmp_is_any(c)))
		return true;
	bound = c->v;
	if (include_prerelease && c->flex) {
		bound.pre = zero_pre;
		bound.pre_len = 1;
	}
	d = semver_cmp(v, &bound);
	switch (c->op) {
	case OP_EQ:
		return d == 0;
	case OP_LT:
		return d < 0;
	case OP_LE:
		return d <= 0;
	case OP_GT:
		return d > 0;
	case OP_GE:
		return d >= 0;
	default:
		return false;
	}
}

static bool
set_test(const struct comparator *c, size_t n, const struct semver *v,
	 int include_prerelease)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!cmp_test(&c[i], v, include_prerelease))
			return false;
	if (include_prerelease || !has_pre(v))
		return true;
	/* a prerelease needs a comparator that names its major.minor.patch */
	for (i = 0; i < n; i++)
		if (c[i].op != OP_ANY && has_pre(&c[i].v) &&
		    c[i].v.major == v->major && c[i].v.minor == v->minor &&
		    c[i].v.patch == v->patch)
			return true;
	return false;
}

int
semver_range_satisfies(const struct semver_range *r, const struct semver *v,
		       int include_prerelease)
{
	size_t i, start = 0;

	assert(r && v);
	if (!include_prerelease && has_pre(v) && r->any_set)
		return 0;
	for (i = 0; i < r->nsets; i++) {
		if (set_test(r->cmp + start, r->set_end[i] - start, v,
			     include_prerelease))
			return 1;
		start = r->set_end[i];
	}
	return 0;
}

int
semver_satisfies_str(const char *version, const char *range)
{
	struct semver_range *r = NULL;
	struct semver v;
	size_t len;
	int err;

	assert(version && range);
	if ((err = semver_parse(&v, version,
				strnlen(version, SEMVER_MAX_LEN + 1))))
		return err;
	len = strnlen(range, SEMVER_RANGE_MAX_LEN + 1);
	if ((err = semver_range_parse(&r, range, len)))
		return err;
	err = semver_range_satisfies(r, &v, 0);
	semver_range_free(r);
	return err;
}
