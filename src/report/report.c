#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define REPORT_SCHEMA "wormsign-report/1"

static const char *const severity_names[] = {
	"info", "low", "medium", "high", "critical",
};

void
report_init(struct report *r, const char *command)
{
	memset(r, 0, sizeof(*r));
	mempool_init(&r->pool, 64u << 10);
	r->command = mempool_strdup(&r->pool, command);
}

void
report_release(struct report *r)
{
	if (!r)
		return;
	free(r->findings);
	free(r->errors);
	free(r->targets);
	free(r->suppressed);
	mempool_release(&r->pool);
	memset(r, 0, sizeof(*r));
}

static const char *
dup_or_null(struct report *r, const char *s)
{
	return s ? mempool_strdup(&r->pool, s) : NULL;
}

void
report_add(struct report *r, const struct report_finding *f)
{
	struct report_finding *c;
	size_t i;

	XGROW(r->findings, r->findings_alloc, r->nfindings + 1);
	c = &r->findings[r->nfindings++];
	*c = *f;
	c->id = dup_or_null(r, f->id);
	c->kind = dup_or_null(r, f->kind);
	c->message = dup_or_null(r, f->message);
	c->target = dup_or_null(r, f->target);
	c->remediation = dup_or_null(r, f->remediation);
	c->feed = dup_or_null(r, f->feed);
	c->paths = NULL;
	c->npaths = 0;
	c->package_name = dup_or_null(r, f->package_name);
	c->package_version = dup_or_null(r, f->package_version);
	c->file = dup_or_null(r, f->file);
	c->source = dup_or_null(r, f->source);
	c->advisory = dup_or_null(r, f->advisory);
	c->evidence = f->nevidence ?
		mempool_alloc(&r->pool, f->nevidence * sizeof(*c->evidence)) :
		NULL;
	for (i = 0; i < f->nevidence; i++) {
		c->evidence[i].key = dup_or_null(r, f->evidence[i].key);
		c->evidence[i].value = dup_or_null(r, f->evidence[i].value);
	}
}

void
report_add_error(struct report *r, const char *target, const char *message)
{
	XGROW(r->errors, r->errors_alloc, r->nerrors + 1);
	r->errors[r->nerrors].target = mempool_strdup(&r->pool, target);
	r->errors[r->nerrors].message = mempool_strdup(&r->pool, message);
	r->nerrors++;
}

const char *
report_severity_name(enum report_severity s)
{
	return (unsigned)s <= REPORT_CRITICAL ? severity_names[s] : "info";
}

int
report_severity_parse(enum report_severity *out, const char *s)
{
	size_t i;

	for (i = 0; i <= REPORT_CRITICAL; i++)
		if (strcmp(s, severity_names[i]) == 0) {
			*out = (enum report_severity)i;
			return 0;
		}
	return ws_error_set(WS_EPARSE,
			    "unknown severity \"%s\" (info, low, medium, high, critical)",
			    s);
}

int
report_max_severity(const struct report *r)
{
	int max = -1;
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if ((int)r->findings[i].severity > max)
			max = (int)r->findings[i].severity;
	return max;
}

int
report_json(FILE *fp, const struct report *r, const char *generated)
{
	struct json_writer w;
	size_t i, j, counts[REPORT_CRITICAL + 1] = { 0 };

	jsonw_init(&w, fp, 1);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "schema", REPORT_SCHEMA);
	jsonw_key(&w, "tool");
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "name", "wormsign");
	jsonw_kv_string(&w, "version", WS_REPORT_TOOL_VERSION);
	jsonw_object_end(&w);
	jsonw_kv_string(&w, "generated", generated);
	jsonw_kv_string(&w, "command", r->command);
	jsonw_key(&w, "targets");
	jsonw_array_begin(&w);
	for (i = 0; i < r->ntargets; i++)
		jsonw_string(&w, r->targets[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "findings");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nfindings; i++) {
		const struct report_finding *f = &r->findings[i];

		counts[f->severity <= REPORT_CRITICAL ? f->severity : 0]++;
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "id", f->id);
		jsonw_kv_string(&w, "kind", f->kind);
		jsonw_kv_string(&w, "severity",
				report_severity_name(f->severity));
		jsonw_kv_string(&w, "message", f->message);
		if (f->package_name) {
			jsonw_key(&w, "package");
			jsonw_object_begin(&w);
			jsonw_kv_string(&w, "name", f->package_name);
			jsonw_kv_string(&w, "version", f->package_version);
			jsonw_object_end(&w);
		}
		if (f->file) {
			jsonw_key(&w, "locations");
			jsonw_array_begin(&w);
			jsonw_object_begin(&w);
			jsonw_kv_string(&w, "file", f->file);
			if (f->line)
				jsonw_kv_int(&w, "line", f->line);
			jsonw_object_end(&w);
			jsonw_array_end(&w);
		}
		jsonw_key(&w, "evidence");
		jsonw_object_begin(&w);
		for (j = 0; j < f->nevidence; j++)
			jsonw_kv_string(&w, f->evidence[j].key,
					f->evidence[j].value);
		jsonw_object_end(&w);
		jsonw_kv_string(&w, "source", f->source);
		if (f->advisory)
			jsonw_kv_string(&w, "advisory", f->advisory);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "summary");
	jsonw_object_begin(&w);
	jsonw_kv_int(&w, "findings", (long long)r->nfindings);
	jsonw_key(&w, "by_severity");
	jsonw_object_begin(&w);
	for (i = 0; i <= REPORT_CRITICAL; i++)
		jsonw_kv_int(&w, severity_names[i], (long long)counts[i]);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "errors");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nerrors; i++) {
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "target", r->errors[i].target);
		jsonw_kv_string(&w, "message", r->errors[i].message);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	return jsonw_finish(&w);
}

int
report_text(FILE *fp, const struct report *r, int color)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++) {
		const struct report_finding *f = &r->findings[i];

		fprintf(fp, "%s%-8s%s %s", color ? "\033[1m" : "",
			report_severity_name(f->severity),
			color ? "\033[0m" : "", f->message);
		if (f->package_name)
			fprintf(fp, " (%s@%s)", f->package_name,
				f->package_version ? f->package_version : "");
		if (f->file)
			fprintf(fp, " in %s", f->file);
		fputc('\n', fp);
	}
	for (i = 0; i < r->nerrors; i++)
		fprintf(fp, "error: %s: %s\n", r->errors[i].target,
			r->errors[i].message);
	fprintf(fp, "%zu findings\n", r->nfindings);
	if (fflush(fp) != 0 || ferror(fp))
		return ws_error_set(WS_EIO, "write error");
	return 0;
}

void
report_add_target(struct report *r, const char *target)
{
	XGROW(r->targets, r->targets_alloc, r->ntargets + 1);
	r->targets[r->ntargets++] = mempool_strdup(&r->pool, target);
}

void
report_sort(struct report *r)
{
	(void)r;
}

int
report_markdown(FILE *fp, const struct report *r)
{
	return report_text(fp, r, 0);
}

int
report_sarif(FILE *fp, const struct report *r)
{
	return report_json(fp, r, "");
}

int
report_baseline_load(struct report_baseline **out, const char *path)
{
	*out = NULL;
	return ws_error_set(WS_EUNSUPPORTED, "%s: baselines are not read yet",
			    path);
}

void
report_baseline_free(struct report_baseline *b)
{
	(void)b;
}

void
report_apply_baseline(struct report *r, const struct report_baseline *b,
		      const char *today)
{
	(void)r;
	(void)b;
	(void)today;
}
