/*
 * --format markdown: a pull request comment or an incident ticket.
 *
 * The data is the attacker's: a package name could close a table cell, open
 * an HTML tag, or mention a GitHub user or team ("@scope/name" reads as a
 * team mention). So names, versions, paths, ids and evidence values are
 * written as code spans, where nothing is interpreted and no mention is
 * made; prose (messages, remediation) is escaped, and any word of it with
 * an "@" becomes a code span too. Unprintable bytes show as \xNN.
 *
 * GitHub caps a comment at 65,536 characters: findings are listed, highest
 * severity first, until MD_BUDGET bytes are used, and the rest are counted.
 */

#include "report/report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"
#include "report/safe.h"
#include "report/section.h"
#include "util/error.h"
#include "util/banned.h"

#define MD_BUDGET 48000u	/* bytes of listed findings */
#define MD_CELL_MAX 200u	/* bytes of data per table cell */
#define MD_VALUE_MAX 400u	/* bytes of data per evidence value */
#define MD_ROWS_MAX 100u	/* targets, suppressed entries, errors listed */

struct md_out {
	FILE *fp;	/* NULL: only count what would be written */
	size_t bytes;
};

static void
md_raw(struct md_out *o, const char *s, size_t n)
{
	if (o->fp && n)
		fwrite(s, 1, n, o->fp);
	o->bytes += n;
}

static void
md_str(struct md_out *o, const char *s)
{
	md_raw(o, s, strlen(s));
}

static void
md_printf(struct md_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
md_printf(struct md_out *o, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		md_raw(o, buf, (size_t)n < sizeof(buf) ? (size_t)n :
							 sizeof(buf) - 1);
}

static void
md_hex(struct md_out *o, const char *prefix, unsigned char c)
{
	md_printf(o, "%s%02x", prefix, c);
}

/* Where to cut s to max bytes; *more tells whether anything was cut. */
static size_t
md_cut(const char *s, size_t n, size_t max, int *more)
{
	size_t cut = report_utf8_cut(s, n, max);

	*more = cut < n;
	return cut;
}

/*
 * s[0..n) as a code span. The fence is one backtick longer than the
 * longest run inside, padded with spaces when the text starts or ends
 * with a backtick. Inside a table a pipe still splits the cell, even in
 * code, so it is written \| there (GFM strips the backslash).
 */
static void
md_code_n(struct md_out *o, const char *s, size_t n, int in_table)
{
	size_t i, run = 0, longest = 0, k;
	int pad;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	pad = s[0] == '`' || s[n - 1] == '`' || (s[0] == ' ' && s[n - 1] == ' ');
	for (i = 0; i <= longest; i++)
		md_raw(o, "`", 1);
	if (pad)
		md_raw(o, " ", 1);
	for (i = 0; i < n; i += k) {
		k = report_safe_len(s + i, n - i);
		if (!k) {
			md_hex(o, "\\x", (unsigned char)s[i]);
			k = 1;
		} else if (s[i] == '|' && in_table) {
			md_raw(o, "\\|", 2);
		} else {
			md_raw(o, s + i, k);
		}
	}
	if (pad)
		md_raw(o, " ", 1);
	for (i = 0; i <= longest; i++)
		md_raw(o, "`", 1);
}

static void
md_code(struct md_out *o, const char *s, size_t max, int in_table)
{
	size_t n, cut;
	int more;

	if (!s)
		return;
	n = strlen(s);
	cut = md_cut(s, n, max, &more);
	md_code_n(o, s, cut, in_table);
	if (more)
		md_raw(o, "...", 3);
}

/* Escaped prose: ASCII punctuation Markdown acts on gets a backslash. */
static void
md_text_n(struct md_out *o, const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = report_safe_len(s + i, n - i);
		if (!k) {
			/* a backslash that shows: "\\x1b" renders as \x1b */
			md_hex(o, "\\\\x", (unsigned char)s[i]);
			k = 1;
			continue;
		}
		switch (s[i]) {
		case '<':
			md_raw(o, "&lt;", 4);
			break;
		case '>':
			md_raw(o, "&gt;", 4);
			break;
		case '&':
			md_raw(o, "&amp;", 5);
			break;
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '|': case '#': case '~': case '!':
			md_raw(o, "\\", 1);
			md_raw(o, s + i, 1);
			break;
		default:
			md_raw(o, s + i, k);
			break;
		}
	}
}

/*
 * A word with an "@" as code, without the punctuation around it:
 * ("@scope/name", becomes ("`@scope/name`",  so that prose reads as prose.
 */
static void
md_word_code(struct md_out *o, const char *s, size_t n, int in_table)
{
	size_t a = 0, b = n;

	while (a < b && strchr("(\"'[{<", s[a]))
		a++;
	while (b > a && strchr(")\"'.,;:!?]}>", s[b - 1]))
		b--;
	md_text_n(o, s, a);
	md_code_n(o, s + a, b - a, in_table);
	md_text_n(o, s + b, n - b);
}

/* Prose in which every space-separated word with an "@" becomes code. */
static void
md_text(struct md_out *o, const char *s, size_t max, int in_table)
{
	size_t n, cut, i = 0, j;
	int more;

	if (!s)
		return;
	n = strlen(s);
	cut = md_cut(s, n, max, &more);
	while (i < cut) {
		for (j = i; j < cut && s[j] != ' '; j++)
			;
		if (memchr(s + i, '@', j - i))
			md_word_code(o, s + i, j - i, in_table);
		else
			md_text_n(o, s + i, j - i);
		if (j < cut)
			md_raw(o, " ", 1);
		i = j + 1;
	}
	if (more)
		md_raw(o, "...", 3);
}

/* Inside an HTML block (<summary>): entities, and \xNN for the rest. */
static void
md_html(struct md_out *o, const char *s, size_t max)
{
	size_t n, cut, i, k;
	int more;

	n = strlen(s);
	cut = md_cut(s, n, max, &more);
	for (i = 0; i < cut; i += k) {
		k = report_safe_len(s + i, cut - i);
		if (!k) {
			md_hex(o, "\\x", (unsigned char)s[i]);
			k = 1;
		} else if (s[i] == '<') {
			md_raw(o, "&lt;", 4);
		} else if (s[i] == '>') {
			md_raw(o, "&gt;", 4);
		} else if (s[i] == '&') {
			md_raw(o, "&amp;", 5);
		} else if (s[i] == '"') {
			md_raw(o, "&quot;", 6);
		} else {
			md_raw(o, s + i, k);
		}
	}
	if (more)
		md_raw(o, "...", 3);
}

/* The shortest path as one code span, "a@1 > b@2". */
static void
md_path(struct md_out *o, const struct report_finding *f)
{
	const struct report_path *p = report_shortest_path(f);
	char buf[MD_CELL_MAX + 1];
	size_t i, len = 0, k;
	int cut = 0;

	if (!p)
		return;
	for (i = 0; i < p->n && !cut; i++) {
		const char *node = p->nodes[i];

		k = strlen(node) + (i ? 3 : 0);
		if (k > MD_CELL_MAX - len) {
			cut = 1;
			break;
		}
		if (i)
			memcpy(buf + len, " > ", 3);
		memcpy(buf + len + (i ? 3 : 0), node, k - (i ? 3 : 0));
		len += k;
	}
	buf[len] = '\0';
	md_code_n(o, buf, len, 1);
	if (cut)
		md_raw(o, len ? " > ..." : "...", len ? 6 : 3);
	if (f->npaths > 1)
		md_printf(o, " (+%zu more)", f->npaths - 1);
}

static void
md_row(struct md_out *o, const struct report_finding *f)
{
	md_str(o, "| ");
	md_code(o, f->package_name, MD_CELL_MAX, 1);
	md_str(o, " | ");
	md_code(o, f->package_version, MD_CELL_MAX, 1);
	md_str(o, " | ");
	md_text(o, f->kind, MD_CELL_MAX, 1);
	md_str(o, " | ");
	md_text(o, f->message, MD_CELL_MAX * 2, 1);
	md_str(o, " | ");
	md_path(o, f);
	md_str(o, " |\n");
}

static void
md_details(struct md_out *o, const struct report_finding *f)
{
	size_t i;

	md_str(o, "<details><summary>");
	md_str(o, report_severity_name(f->severity));
	md_str(o, " ");
	md_html(o, f->kind, MD_CELL_MAX);
	if (f->package_name) {
		md_str(o, " <code>");
		md_html(o, f->package_name, MD_CELL_MAX);
		if (f->package_version) {
			md_str(o, "@");
			md_html(o, f->package_version, MD_CELL_MAX);
		}
		md_str(o, "</code>");
	}
	md_str(o, "</summary>\n\n- id: ");
	md_code(o, f->id, MD_VALUE_MAX, 0);
	md_str(o, "\n");
	if (f->target) {
		md_str(o, "- target: ");
		md_code(o, f->target, MD_VALUE_MAX, 0);
		md_str(o, "\n");
	}
	if (f->file) {
		md_str(o, "- location: ");
		md_code(o, f->file, MD_VALUE_MAX, 0);
		if (f->line)
			md_printf(o, " line %u", f->line);
		md_str(o, "\n");
	}
	if (f->remediation) {
		md_str(o, "- fix: ");
		md_text(o, f->remediation, MD_VALUE_MAX, 0);
		md_str(o, "\n");
	}
	if (f->advisory) {
		md_str(o, "- advisory: ");
		md_code(o, f->advisory, MD_VALUE_MAX, 0);
		md_str(o, "\n");
	}
	if (f->source) {
		md_str(o, "- source: ");
		md_text(o, f->source, MD_VALUE_MAX, 0);
		md_str(o, "\n");
	}
	if (f->feed) {
		md_str(o, "- feed: ");
		md_code(o, f->feed, MD_VALUE_MAX, 0);
		md_str(o, "\n");
	}
	if (f->nevidence) {
		md_str(o, "- evidence:\n");
		for (i = 0; i < f->nevidence; i++) {
			md_str(o, "  - ");
			md_text(o, f->evidence[i].key, MD_CELL_MAX, 0);
			md_str(o, ": ");
			if (f->evidence[i].value)
				md_code(o, f->evidence[i].value, MD_VALUE_MAX,
					0);
			else
				md_str(o, "(none)");
			md_str(o, "\n");
		}
	}
	md_str(o, "\n</details>\n\n");
}

/* How many findings of view, in order, fit in MD_BUDGET bytes. */
static size_t
md_fit(const struct report_finding *const *view, size_t n)
{
	struct md_out count = { NULL, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		md_row(&count, view[i]);
		md_details(&count, view[i]);
		if (count.bytes > MD_BUDGET)
			break;
	}
	return i;
}

static void
md_summary(struct md_out *o, const struct report *r)
{
	size_t counts[REPORT_CRITICAL + 1], i;
	int s;

	report_count_severities(r, counts);
	md_str(o, "## wormsign ");
	md_text(o, r->command, MD_CELL_MAX, 0);
	if (r->nfindings)
		md_printf(o, ": %zu %s\n\n", r->nfindings,
			  r->nfindings == 1 ? "finding" : "findings");
	else
		md_str(o, ": no findings\n\n");
	md_str(o, "| severity | findings |\n| --- | ---: |\n");
	for (s = REPORT_CRITICAL; s >= REPORT_INFO; s--)
		md_printf(o, "| %s | %zu |\n",
			  report_severity_name((enum report_severity)s),
			  counts[s]);
	md_printf(o, "| suppressed | %zu |\n\n", r->nsuppressed);
	md_printf(o, "%zu %s checked", r->ntargets,
		  r->ntargets == 1 ? "target" : "targets");
	for (i = 0; i < r->ntargets && i < MD_ROWS_MAX; i++) {
		md_str(o, i ? ", " : ": ");
		md_code(o, r->targets[i], MD_CELL_MAX, 0);
	}
	if (r->ntargets > MD_ROWS_MAX)
		md_printf(o, " and %zu more", r->ntargets - MD_ROWS_MAX);
	md_str(o, ".\n\n");
}

static void
md_findings(struct md_out *o, const struct report *r)
{
	const struct report_finding **view = report_sorted_view(r);
	size_t counts[REPORT_CRITICAL + 1];
	size_t listed, i, j, k;

	report_count_severities(r, counts);
	listed = md_fit(view, r->nfindings);
	for (i = 0; i < listed; i = j) {
		enum report_severity s = view[i]->severity;

		for (j = i; j < listed && view[j]->severity == s; j++)
			;
		md_printf(o, "### %s (%zu)\n\n", report_severity_name(s),
			  counts[s]);
		md_str(o, "| package | version | kind | message | path |\n"
			  "| --- | --- | --- | --- | --- |\n");
		for (k = i; k < j; k++)
			md_row(o, view[k]);
		md_str(o, "\n");
		for (k = i; k < j; k++)
			md_details(o, view[k]);
	}
	if (listed < r->nfindings)
		md_printf(o,
			  "%zu more %s not listed here: see the JSON or SARIF report.\n\n",
			  r->nfindings - listed,
			  r->nfindings - listed == 1 ? "finding is" :
						       "findings are");
	free(view);
}

static void
md_tail(struct md_out *o, const struct report *r)
{
	size_t i;

	if (r->nsuppressed) {
		md_printf(o, "### suppressed (%zu)\n\n", r->nsuppressed);
		md_str(o, "| id | reason | expires |\n| --- | --- | --- |\n");
		for (i = 0; i < r->nsuppressed && i < MD_ROWS_MAX; i++) {
			md_str(o, "| ");
			md_code(o, r->suppressed[i].id, MD_CELL_MAX, 1);
			md_str(o, " | ");
			md_text(o, r->suppressed[i].reason, MD_CELL_MAX, 1);
			md_str(o, " | ");
			md_code(o, r->suppressed[i].expires, MD_CELL_MAX, 1);
			md_str(o, " |\n");
		}
		if (r->nsuppressed > MD_ROWS_MAX)
			md_printf(o, "\n%zu more not listed.\n",
				  r->nsuppressed - MD_ROWS_MAX);
		md_str(o, "\n");
	}
	if (r->nerrors) {
		md_printf(o, "### errors (%zu)\n\n", r->nerrors);
		md_str(o, "Not every target could be checked:\n\n"
			  "| target | error |\n| --- | --- |\n");
		for (i = 0; i < r->nerrors && i < MD_ROWS_MAX; i++) {
			md_str(o, "| ");
			md_code(o, r->errors[i].target, MD_CELL_MAX, 1);
			md_str(o, " | ");
			md_code(o, r->errors[i].message, MD_CELL_MAX * 2, 1);
			md_str(o, " |\n");
		}
		if (r->nerrors > MD_ROWS_MAX)
			md_printf(o, "\n%zu more not listed.\n",
				  r->nerrors - MD_ROWS_MAX);
		md_str(o, "\n");
	}
}

int
report_markdown(FILE *fp, const struct report *r)
{
	struct md_out o = { fp, 0 };

	md_summary(&o, r);
	md_findings(&o, r);
	for (size_t i = 0; i < r->nsections; i++) {
		const struct report_section *s = &r->sections[i];
		int err;

		if (s->markdown && (err = s->markdown(fp, s->ctx)) != 0)
			return err;
	}
	md_tail(&o, r);
	if (fflush(fp) != 0 || ferror(fp))
		return ws_error_set(WS_EIO, "write error");
	return 0;
}

/* ---- for sections rendered by other modules (report/section.h) ---- */

void
report_sec_text(FILE *fp, const char *s)
{
	if (!s)
		fputc('-', fp);
	else
		report_puts_safe(fp, s);
}

void
report_sec_field(FILE *fp, const char *label, const char *value)
{
	if (!value)
		return;
	fprintf(fp, "      %-13s", label);
	report_puts_safe(fp, value);
	fputc('\n', fp);
}

void
report_sec_md_code(FILE *fp, const char *s, size_t max)
{
	struct md_out o = { fp, 0 };

	if (!s || !*s)
		md_str(&o, "-");
	else
		md_code(&o, s, max, 0);
}

void
report_sec_md_text(FILE *fp, const char *s, size_t max)
{
	struct md_out o = { fp, 0 };

	if (s)
		md_text(&o, s, max, 0);
}
