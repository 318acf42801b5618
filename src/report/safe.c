#include "report/safe.h"

#include <string.h>

#include "util/banned.h"

/* Code points that print as nothing, or reorder what follows them. */
static int
invisible(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
	       (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

size_t
report_safe_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp, min;
	size_t len, i;

	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] != 0x7f;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    invisible(cp))
		return 0;
	return len;
}

void
report_put_safe(FILE *fp, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		/* printable ASCII is nearly everything: keep it cheap */
		if (c >= 0x20 && c < 0x7f) {
			run++;
			i++;
			continue;
		}
		k = report_safe_len(s + i, n - i);
		if (k) {
			run += k;
			i += k;
			continue;
		}
		fwrite(s + i - run, 1, run, fp);
		run = 0;
		fprintf(fp, "\\x%02x", c);
		i++;
	}
	fwrite(s + n - run, 1, run, fp);
}

void
report_puts_safe(FILE *fp, const char *s)
{
	if (s)
		report_put_safe(fp, s, strlen(s));
}

size_t
report_utf8_cut(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n <= max)
		return n;
	i = max;
	/* back up over continuation bytes to the start of a character */
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80 && max - i < 3)
		i--;
	return i;
}
