/*
 * --format text: findings for a person at a terminal, grouped by severity
 * and kind, each with what to do about it. Everything that came from the
 * scanned input goes through report_put_safe.
 */

#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "report/internal.h"
#include "report/safe.h"
#include "util/error.h"
#include "util/banned.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"

/* info dim, low cyan, medium yellow, high red, critical bold red */
static const char *const severity_color[] = {
	"\033[2m", "\033[36m", "\033[33m", "\033[31m", "\033[1;31m",
};

struct text_out {
	FILE *fp;
	int color;
};

static void
label(struct text_out *o, const char *name)
{
	fprintf(o->fp, "    %-10s", name);
}

static void
put_path(FILE *fp, const struct report_path *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (i)
			fputs(" > ", fp);
		report_puts_safe(fp, p->nodes[i]);
	}
}

static void
put_file_line(FILE *fp, const char *file, unsigned line)
{
	report_puts_safe(fp, file);
	if (line)
		fprintf(fp, ":%u", line);
}

static void
text_finding(struct text_out *o, const struct report_finding *f)
{
	const struct report_path *p = report_shortest_path(f);
	FILE *fp = o->fp;
	size_t i;

	fprintf(fp, "  %s[%s]%s ", o->color ? severity_color[f->severity] : "",
		report_severity_name(f->severity), o->color ? C_RESET : "");
	report_puts_safe(fp, f->message);
	fputc('\n', fp);
	if (f->package_name) {
		label(o, "package:");
		report_puts_safe(fp, f->package_name);
		if (f->package_version) {
			fputc('@', fp);
			report_puts_safe(fp, f->package_version);
		}
		fputc('\n', fp);
	}
	if (p) {
		label(o, "path:");
		put_path(fp, p);
		if (f->npaths > 1)
			fprintf(fp, " (and %zu more)", f->npaths - 1);
		fputc('\n', fp);
	}
	if (f->file && (!f->target || strcmp(f->file, f->target) == 0)) {
		label(o, "target:");
		put_file_line(fp, f->file, f->line);
		fputc('\n', fp);
	} else {
		if (f->target) {
			label(o, "target:");
			report_puts_safe(fp, f->target);
			fputc('\n', fp);
		}
		if (f->file) {
			label(o, "file:");
			put_file_line(fp, f->file, f->line);
			fputc('\n', fp);
		}
	}
	if (f->nevidence) {
		fputs("    evidence:\n", fp);
		for (i = 0; i < f->nevidence; i++) {
			fputs("      ", fp);
			report_puts_safe(fp, f->evidence[i].key);
			fputs(": ", fp);
			report_puts_safe(fp, f->evidence[i].value ?
						     f->evidence[i].value :
						     "(none)");
			fputc('\n', fp);
		}
	}
	if (f->remediation) {
		label(o, "fix:");
		report_puts_safe(fp, f->remediation);
		fputc('\n', fp);
	}
	if (f->advisory) {
		label(o, "advisory:");
		report_puts_safe(fp, f->advisory);
		fputc('\n', fp);
	}
	if (f->source) {
		label(o, "source:");
		report_puts_safe(fp, f->source);
		if (f->feed) {
			fputs(" (feed ", fp);
			report_puts_safe(fp, f->feed);
			fputc(')', fp);
		}
		fputc('\n', fp);
	} else if (f->feed) {
		label(o, "feed:");
		report_puts_safe(fp, f->feed);
		fputc('\n', fp);
	}
	label(o, "id:");
	report_puts_safe(fp, f->id);
	fputc('\n', fp);
}

static void
text_findings(struct text_out *o, const struct report *r)
{
	const struct report_finding **view = report_sorted_view(r);
	size_t i, j;

	for (i = 0; i < r->nfindings; i = j) {
		const struct report_finding *g = view[i];

		for (j = i + 1; j < r->nfindings; j++)
			if (view[j]->severity != g->severity ||
			    strcmp(view[j]->kind, g->kind) != 0)
				break;
		if (i)
			fputc('\n', o->fp);
		fputs(o->color ? C_BOLD : "", o->fp);
		fputs(o->color ? severity_color[g->severity] : "", o->fp);
		fprintf(o->fp, "%s: ", report_severity_name(g->severity));
		report_puts_safe(o->fp, g->kind);
		fprintf(o->fp, " (%zu)%s\n", j - i, o->color ? C_RESET : "");
		for (; i < j; i++) {
			fputc('\n', o->fp);
			text_finding(o, view[i]);
		}
	}
	free(view);
}

static void
text_tail(struct text_out *o, const struct report *r)
{
	FILE *fp = o->fp;
	size_t i;

	if (r->nerrors) {
		fputs(r->nfindings ? "\nerrors:\n" : "errors:\n", fp);
		for (i = 0; i < r->nerrors; i++) {
			const char *t = r->errors[i].target;
			const char *m = r->errors[i].message;
			size_t tl = strlen(t);

			fputs("  ", fp);
			/* Most messages already start with their target. */
			if (!(strncmp(m, t, tl) == 0 && m[tl] == ':')) {
				report_puts_safe(fp, t);
				fputs(": ", fp);
			}
			report_puts_safe(fp, m);
			fputc('\n', fp);
		}
	}
	if (r->nsuppressed) {
		fputs(r->nfindings || r->nerrors ? "\nsuppressed by the baseline:\n" :
						   "suppressed by the baseline:\n",
		      fp);
		for (i = 0; i < r->nsuppressed; i++) {
			fputs("  ", fp);
			report_puts_safe(fp, r->suppressed[i].id);
			fputs(": ", fp);
			report_puts_safe(fp, r->suppressed[i].reason);
			if (r->suppressed[i].expires) {
				fputs(" (until ", fp);
				report_puts_safe(fp, r->suppressed[i].expires);
				fputc(')', fp);
			}
			fputc('\n', fp);
		}
	}
}

int
report_text(FILE *fp, const struct report *r, int color)
{
	struct text_out o = { fp, color };
	size_t counts[REPORT_CRITICAL + 1];

	report_count_severities(r, counts);
	text_findings(&o, r);
	for (size_t i = 0; i < r->nsections; i++) {
		const struct report_section *s = &r->sections[i];
		int err;

		if (s->text && (err = s->text(fp, s->ctx, color)) != 0)
			return err;
	}
	text_tail(&o, r);
	if (r->nfindings || r->nerrors || r->nsuppressed)
		fputc('\n', fp);
	if (r->nfindings) {
		fprintf(fp,
			"%zu %s (%zu critical, %zu high, %zu medium, %zu low, %zu info), %zu suppressed",
			r->nfindings, r->nfindings == 1 ? "finding" : "findings",
			counts[REPORT_CRITICAL], counts[REPORT_HIGH],
			counts[REPORT_MEDIUM], counts[REPORT_LOW],
			counts[REPORT_INFO], r->nsuppressed);
	} else {
		fprintf(fp, "no findings in %zu %s", r->ntargets,
			r->ntargets == 1 ? "target" : "targets");
		if (r->nsuppressed)
			fprintf(fp, ", %zu suppressed", r->nsuppressed);
	}
	if (r->nerrors)
		fprintf(fp, ", %zu %s", r->nerrors,
			r->nerrors == 1 ? "error" : "errors");
	fputc('\n', fp);
	if (fflush(fp) != 0 || ferror(fp))
		return ws_error_set(WS_EIO, "write error");
	return 0;
}
