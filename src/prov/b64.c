/* timegm() is not in POSIX.1-2008 */
#define _DEFAULT_SOURCE

#include "prov/prov_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/error.h"

#include "util/banned.h"

/*
 * Our own decoder rather than EVP_DecodeBlock: Sigstore bytes arrive padded,
 * unpadded or URL-safe, and EVP_DecodeBlock wants padding and counts it in
 * the length it returns. Table driven, four characters at a time: bundles
 * carry kilobytes of base64 (payload, body, certificate) each. The table
 * holds value + 1 of every standard and URL-safe character, 0 for the rest.
 */
static const unsigned char b64_tab[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
	['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
	['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
	['8'] = 61, ['9'] = 62, ['+'] = 63, ['-'] = 63, ['/'] = 64, ['_'] = 64,
};

int
prov_b64_decode(const char *s, size_t n, unsigned char *out, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, o = 0;
	unsigned acc = 0;
	int bits = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	for (i = 0; i + 4 <= n; i += 4) {
		unsigned a = b64_tab[u[i]], b = b64_tab[u[i + 1]],
			 c = b64_tab[u[i + 2]], d = b64_tab[u[i + 3]];
		unsigned v;

		if (!a || !b || !c || !d)
			return -1;
		v = (a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6 | (d - 1);
		out[o] = (unsigned char)(v >> 16);
		out[o + 1] = (unsigned char)(v >> 8);
		out[o + 2] = (unsigned char)v;
		o += 3;
	}
	for (; i < n; i++) {
		unsigned v = b64_tab[u[i]];

		if (!v)
			return -1;
		acc = (acc << 6) | (v - 1);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	*outlen = o;
	return 0;
}

unsigned char *
prov_b64_decode_pool(struct mempool *mp, const char *s, size_t n, size_t max,
		     size_t *outlen)
{
	unsigned char *out;

	if (PROV_B64_DECODED_MAX(n) > max + 3)
		return NULL;
	out = mempool_alloc(mp, PROV_B64_DECODED_MAX(n) + 1);
	if (prov_b64_decode(s, n, out, outlen) != 0)
		return NULL;
	return out;
}

void
prov_b64_encode(char *out, const unsigned char *in, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
			     in[i + 2];

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
}

char *
prov_b64_encode_pool(struct mempool *mp, const unsigned char *in, size_t n)
{
	char *out = mempool_alloc(mp, PROV_B64_ENCODED_LEN(n) + 1);

	prov_b64_encode(out, in, n);
	out[PROV_B64_ENCODED_LEN(n)] = '\0';
	return out;
}

void
prov_hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
prov_json_i64(const struct json_value *v, int64_t *out)
{
	const char *s;
	uint32_t i;
	int64_t r = 0;
	int neg = 0;

	if (!v || (v->type != JSON_STRING && v->type != JSON_NUMBER))
		return -1;
	s = v->u.str;
	i = 0;
	if (v->len > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i >= v->len || v->len - i > 18)
		return -1;
	for (; i < v->len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		r = r * 10 + (s[i] - '0');
	}
	*out = neg ? -r : r;
	return 0;
}

static int
digits_at(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
prov_parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, se;
	const char *p;

	if (!s || strlen(s) < 20)
		return -1;
	if (digits_at(s, 4, &y) || s[4] != '-' || digits_at(s + 5, 2, &mo) ||
	    s[7] != '-' || digits_at(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits_at(s + 11, 2, &h) || s[13] != ':' ||
	    digits_at(s + 14, 2, &mi) || s[16] != ':' ||
	    digits_at(s + 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm);
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return 0;
	if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om;

		if (digits_at(p + 1, 2, &oh) || digits_at(p + 4, 2, &om))
			return -1;
		*out -= (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
		return 0;
	}
	return -1;
}

void
prov_format_time(char *out, size_t n, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(out, n, "%lld", (long long)t);
		return;
	}
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
