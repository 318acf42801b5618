#include "git/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * Sweep results as JSON: written per repository (the report's `repos`
 * array, one JSON line each with --jsonl) and read back by
 * `report merge` and --resume. The reader takes files that other
 * machines wrote, so it is bounded and checks every type.
 */

#define SWEEP_PATHS_READ_MAX 64		/* paths of one finding read back */
#define SWEEP_EVIDENCE_READ_MAX 64	/* evidence entries read back */

/* ---- writing ---- */

static void
write_list(struct json_writer *w, const char *key, char **v, size_t n)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_array_begin_inline(w);
	for (i = 0; i < n; i++)
		jsonw_string(w, v[i]);
	jsonw_array_end(w);
}

void
sweep_result_json(struct json_writer *w, const struct sweep_result *res)
{
	size_t i;

	jsonw_object_begin(w);
	jsonw_kv_string(w, "repo", res->repo);
	jsonw_kv_string(w, "head", res->head);
	jsonw_kv_bool(w, "affected", res->affected);
	jsonw_key(w, "findings");
	jsonw_array_begin(w);
	for (i = 0; i < res->findings.nfindings; i++)
		report_json_finding(w, &res->findings.findings[i]);
	jsonw_array_end(w);
	jsonw_key(w, "exposure");
	jsonw_array_begin(w);
	for (i = 0; i < res->nexposure; i++) {
		const struct sweep_exposure *e = &res->exposure[i];

		jsonw_object_begin(w);
		jsonw_kv_string(w, "package", e->package);
		jsonw_kv_string(w, "version", e->version);
		jsonw_kv_string(w, "feed", e->feed);
		jsonw_kv_string(w, "severity",
				report_severity_name((enum report_severity)
						     e->severity));
		jsonw_kv_string(w, "first_commit", e->first_commit);
		jsonw_kv_string(w, "first_date", e->first_date);
		jsonw_kv_string(w, "last_commit", e->last_commit);
		jsonw_kv_string(w, "last_date", e->last_date);
		write_list(w, "refs", e->refs, e->nrefs);
		write_list(w, "files", e->files, e->nfiles);
		jsonw_kv_bool(w, "still_locked", e->still_locked);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key(w, "errors");
	jsonw_array_begin(w);
	for (i = 0; i < res->nerrors; i++)
		jsonw_string(w, res->errors[i]);
	jsonw_array_end(w);
	jsonw_kv_int(w, "errors_dropped", (long long)res->errors_dropped);
	jsonw_kv_int(w, "commits", (long long)res->commits);
	jsonw_kv_string(w, "state", res->state);
	jsonw_object_end(w);
}

/* ---- reading ---- */

static int
bad(const char *name, const struct json_value *v, const char *what)
{
	return ws_error_set(WS_EPARSE, "%s:%u:%u: %s", name,
			    v ? v->line : 0, v ? v->col16 : 0, what);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* A member that must be a string (or null/absent when optional). */
static int
get_str(const char **out, const struct json_value *obj, const char *key,
	int required, const char *name)
{
	const struct json_value *v = json_get(obj, key);

	*out = NULL;
	if (!v || v->type == JSON_NULL) {
		if (!required)
			return 0;
		return ws_error_set(WS_EPARSE, "%s:%u:%u: \"%s\" is missing", name,
				    obj->line, obj->col16, key);
	}
	if (v->type != JSON_STRING)
		return ws_error_set(WS_EPARSE, "%s:%u:%u: \"%s\" must be a string",
				    name, v->line, v->col16, key);
	*out = v->u.str;
	return 0;
}

static int
get_list(char ***out, size_t *n, const struct json_value *obj,
	 const char *key, const char *name)
{
	const struct json_value *v = json_get(obj, key), *it;

	*out = NULL;
	*n = 0;
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_ARRAY)
		return bad(name, v, "expected an array of strings");
	*out = xcalloc(v->len ? v->len : 1, sizeof(**out));
	for (it = v->u.first; it; it = it->next) {
		if (it->type != JSON_STRING)
			return bad(name, it, "expected a string");
		(*out)[(*n)++] = xstrdup(it->u.str);
	}
	return 0;
}

static int
parse_finding(struct report *r, const struct json_value *v, const char *name)
{
	struct report_finding f;
	struct report_path paths[SWEEP_PATHS_READ_MAX];
	const char *nodes_store[SWEEP_PATHS_READ_MAX * REPORT_PATH_LEN_MAX];
	struct report_evidence ev[SWEEP_EVIDENCE_READ_MAX];
	const struct json_value *pkg, *loc, *evo, *it;
	const char *sev = NULL;
	enum report_severity s;
	size_t nn = 0;
	int err;

	if (!json_is(v, JSON_OBJECT))
		return bad(name, v, "a finding must be an object");
	memset(&f, 0, sizeof(f));
	if ((err = get_str(&f.id, v, "id", 1, name)) ||
	    (err = get_str(&f.kind, v, "kind", 1, name)) ||
	    (err = get_str(&sev, v, "severity", 1, name)) ||
	    (err = get_str(&f.target, v, "target", 0, name)) ||
	    (err = get_str(&f.message, v, "message", 0, name)) ||
	    (err = get_str(&f.remediation, v, "remediation", 0, name)) ||
	    (err = get_str(&f.feed, v, "feed", 0, name)) ||
	    (err = get_str(&f.source, v, "source", 0, name)) ||
	    (err = get_str(&f.advisory, v, "advisory", 0, name)))
		return err;
	if (report_severity_parse(&s, sev))
		return bad(name, json_get(v, "severity"), "unknown severity");
	f.severity = s;
	if ((pkg = json_get(v, "package")) && pkg->type != JSON_NULL) {
		const struct json_value *pv;

		if (pkg->type != JSON_OBJECT)
			return bad(name, pkg, "\"package\" must be an object");
		if ((err = get_str(&f.package_name, pkg, "name", 0, name)) ||
		    (err = get_str(&f.package_version, pkg, "version", 0, name)))
			return err;
		pv = json_get(pkg, "paths");
		if (pv && pv->type != JSON_ARRAY)
			return bad(name, pv, "\"paths\" must be an array");
		for (it = pv ? pv->u.first : NULL; it; it = it->next) {
			const struct json_value *nd;

			if (it->type != JSON_ARRAY)
				return bad(name, it, "a path must be an array");
			if (f.npaths >= SWEEP_PATHS_READ_MAX)
				break;
			paths[f.npaths].nodes = nodes_store + nn;
			paths[f.npaths].n = 0;
			for (nd = it->u.first; nd; nd = nd->next) {
				if (nd->type != JSON_STRING)
					return bad(name, nd, "a path node must be a string");
				if (paths[f.npaths].n >= REPORT_PATH_LEN_MAX)
					break;
				nodes_store[nn++] = nd->u.str;
				paths[f.npaths].n++;
			}
			f.npaths++;
		}
		f.paths = paths;
	}
	loc = json_get(v, "locations");
	if (loc && loc->type != JSON_ARRAY)
		return bad(name, loc, "\"locations\" must be an array");
	if (loc && loc->u.first) {
		const struct json_value *line;

		if (!json_is(loc->u.first, JSON_OBJECT))
			return bad(name, loc->u.first, "a location must be an object");
		if ((err = get_str(&f.file, loc->u.first, "file", 0, name)))
			return err;
		line = json_get(loc->u.first, "line");
		if (json_is(line, JSON_NUMBER))
			f.line = (unsigned)strtoul(line->u.str, NULL, 10);
	}
	evo = json_get(v, "evidence");
	if (evo && evo->type != JSON_OBJECT && evo->type != JSON_NULL)
		return bad(name, evo, "\"evidence\" must be an object");
	for (it = evo && evo->type == JSON_OBJECT ? evo->u.first : NULL; it;
	     it = it->next) {
		if (f.nevidence >= SWEEP_EVIDENCE_READ_MAX)
			break;
		if (it->type != JSON_STRING && it->type != JSON_NULL)
			return bad(name, it, "evidence values must be strings");
		ev[f.nevidence].key = it->key;
		ev[f.nevidence++].value = it->type == JSON_STRING ? it->u.str : NULL;
	}
	f.evidence = ev;
	report_add(r, &f);
	return 0;
}

static int
parse_exposure(struct sweep_exposure *e, const struct json_value *v,
	       const char *name)
{
	const char *s[7], *sev = NULL;
	static const char *const keys[7] = {
		"package", "version", "feed", "first_commit", "first_date",
		"last_commit", "last_date",
	};
	enum report_severity rs = REPORT_CRITICAL;
	size_t i;
	int err;

	if (!json_is(v, JSON_OBJECT))
		return bad(name, v, "an exposure must be an object");
	for (i = 0; i < 7; i++)
		if ((err = get_str(&s[i], v, keys[i], i < 2, name)))
			return err;
	if ((err = get_str(&sev, v, "severity", 0, name)))
		return err;
	if (sev && report_severity_parse(&rs, sev))
		return bad(name, json_get(v, "severity"), "unknown severity");
	e->package = xstrdup(s[0]);
	e->version = xstrdup(s[1]);
	e->feed = dup_or_null(s[2]);
	e->first_commit = dup_or_null(s[3]);
	e->first_date = dup_or_null(s[4]);
	e->last_commit = dup_or_null(s[5]);
	e->last_date = dup_or_null(s[6]);
	e->severity = (int)rs;
	e->still_locked = json_get_bool(v, "still_locked");
	if ((err = get_list(&e->refs, &e->nrefs, v, "refs", name)) ||
	    (err = get_list(&e->files, &e->nfiles, v, "files", name)))
		return err;
	return 0;
}

int
sweep_result_parse(struct sweep_result *res, const struct json_value *v,
		   const char *name)
{
	const struct json_value *a, *it, *n;
	const char *repo = NULL, *head = NULL, *state = NULL;
	int err;

	sweep_result_init(res, NULL);
	if (!json_is(v, JSON_OBJECT))
		return bad(name, v, "a repository result must be an object");
	if ((err = get_str(&repo, v, "repo", 1, name)) ||
	    (err = get_str(&head, v, "head", 0, name)) ||
	    (err = get_str(&state, v, "state", 0, name)))
		return err;
	free(res->repo);
	res->repo = xstrdup(repo);
	res->head = dup_or_null(head);
	res->state = dup_or_null(state);
	res->affected = json_get_bool(v, "affected");
	a = json_get(v, "findings");
	if (a && a->type != JSON_ARRAY)
		return bad(name, a, "\"findings\" must be an array");
	for (it = a ? a->u.first : NULL; it; it = it->next)
		if ((err = parse_finding(&res->findings, it, name)))
			return err;
	a = json_get(v, "exposure");
	if (a && a->type != JSON_ARRAY)
		return bad(name, a, "\"exposure\" must be an array");
	if (a && a->len) {
		res->exposure = xcalloc(a->len, sizeof(*res->exposure));
		for (it = a->u.first; it; it = it->next)
			if ((err = parse_exposure(&res->exposure[res->nexposure++],
						  it, name)))
				return err;
	}
	if ((err = get_list(&res->errors, &res->nerrors, v, "errors", name)))
		return err;
	if (json_is((n = json_get(v, "commits")), JSON_NUMBER))
		res->commits = (size_t)strtoull(n->u.str, NULL, 10);
	if (json_is((n = json_get(v, "errors_dropped")), JSON_NUMBER))
		res->errors_dropped = (size_t)strtoull(n->u.str, NULL, 10);
	return 0;
}

/* One object: a report (its repos) or a single result. */
static int
read_object(const struct json_value *root, const char *name,
	    sweep_result_fn fn, void *payload)
{
	const struct json_value *repos, *it;
	struct sweep_result *res;
	int err;

	if (!json_is(root, JSON_OBJECT))
		return bad(name, root, "expected a JSON object");
	if (json_get(root, "schema")) {
		const char *schema = json_get_str(root, "schema");

		if (!schema || strcmp(schema, "wormsign-report/1") != 0)
			return bad(name, json_get(root, "schema"),
				   "not a wormsign-report/1 document");
		repos = json_get(root, "repos");
		if (!json_is(repos, JSON_ARRAY))
			return bad(name, repos ? repos : root,
				   "no \"repos\" array: not a sweep report");
		for (it = repos->u.first; it; it = it->next) {
			res = xmalloc(sizeof(*res));
			if ((err = sweep_result_parse(res, it, name))) {
				sweep_result_release(res);
				free(res);
				return err;
			}
			fn(res, payload);
		}
		return 0;
	}
	res = xmalloc(sizeof(*res));
	if ((err = sweep_result_parse(res, root, name))) {
		sweep_result_release(res);
		free(res);
		return err;
	}
	fn(res, payload);
	return 0;
}

/* The message of a parse of one line, renumbered to the line of the file. */
static int
line_error(int err, const char *name, size_t lineno)
{
	const char *m = ws_error_last();
	size_t nl = strlen(name);
	char copy[1024];

	if (strncmp(m, name, nl) == 0 && strncmp(m + nl, ":1:", 3) == 0) {
		snprintf(copy, sizeof(copy), "%s", m + nl + 3);
		return ws_error_set(err, "%s:%zu:%s", name, lineno, copy);
	}
	return err;
}

int
sweep_read_buffer(char *buf, size_t len, const char *name,
		  sweep_result_fn fn, void *payload)
{
	struct json_doc doc;
	char *p = buf, *end = buf + len, *eol;
	size_t lineno = 1;
	int err;

	if (len > SWEEP_RESULT_MAX)
		return ws_error_set(WS_ELIMIT, "%s: larger than %u bytes", name,
				    SWEEP_RESULT_MAX);
	if (memchr(buf, '\0', len))
		return ws_error_set(WS_EPARSE, "%s: contains a NUL byte: not JSON",
				    name);
	/* JSON Lines when the first non-empty line is a whole object */
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		if (*p == '\n')
			lineno++;
		p++;
	}
	if (p == end)
		return ws_error_set(WS_EPARSE, "%s: empty: no sweep results", name);
	eol = memchr(p, '\n', (size_t)(end - p));
	{
		char *q = eol ? eol : end;

		while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
			q--;
		if (q == p || q[-1] != '}' || *p != '{') {
			if ((err = json_parse(&doc, buf, len, name, 0)))
				return err;
			err = read_object(doc.root, name, fn, payload);
			json_doc_release(&doc);
			return err;
		}
	}
	for (;;) {
		char *line = p;
		size_t n;

		eol = memchr(p, '\n', (size_t)(end - p));
		n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		line[n] = '\0';	/* the NUL after the line (buf[len] at the end) */
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		if (n) {
			if ((err = json_parse(&doc, line, n, name, 0)))
				return line_error(err, name, lineno);
			err = read_object(doc.root, name, fn, payload);
			json_doc_release(&doc);
			if (err)
				return line_error(err, name, lineno);
		}
		if (!eol)
			break;
		p = eol + 1;
		lineno++;
	}
	return 0;
}

/* ---- the set and its section ---- */

void
sweep_set_init(struct sweep_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
sweep_set_release(struct sweep_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		sweep_result_release(s->items[i]);
		free(s->items[i]);
	}
	free(s->items);
	memset(s, 0, sizeof(*s));
}

void
sweep_set_add(struct sweep_set *s, struct sweep_result *res)
{
	XGROW(s->items, s->alloc, s->n + 1);
	s->items[s->n++] = res;
}

struct ordered {
	struct sweep_result *res;
	size_t pos;
};

static int
cmp_ordered(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;
	int c = strcmp(x->res->repo, y->res->repo);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void
sweep_set_finish(struct sweep_set *s, struct report *r)
{
	struct ordered *o = xcalloc(s->n ? s->n : 1, sizeof(*o));
	size_t i, j, out = 0;

	/* by repo, then input order: the last result of a repo wins */
	for (i = 0; i < s->n; i++) {
		o[i].res = s->items[i];
		o[i].pos = i;
	}
	qsort(o, s->n, sizeof(*o), cmp_ordered);
	for (i = 0; i < s->n; i++)
		s->items[i] = o[i].res;
	free(o);
	for (i = 0; i < s->n; i++) {
		if (i + 1 < s->n &&
		    strcmp(s->items[i]->repo, s->items[i + 1]->repo) == 0) {
			sweep_result_release(s->items[i]);
			free(s->items[i]);
			continue;
		}
		s->items[out++] = s->items[i];
	}
	s->n = out;
	for (i = 0; i < s->n; i++) {
		const struct sweep_result *res = s->items[i];

		report_add_target(r, res->repo);
		for (j = 0; j < res->findings.nfindings; j++)
			report_add(r, &res->findings.findings[j]);
		for (j = 0; j < res->nerrors; j++)
			report_add_error(r, res->repo, res->errors[j]);
	}
}

size_t
sweep_set_affected(const struct sweep_set *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += s->items[i]->affected != 0;
	return n;
}

static int
section_json(struct json_writer *w, void *ctx)
{
	const struct sweep_set *s = ctx;
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < s->n; i++)
		sweep_result_json(w, s->items[i]);
	jsonw_array_end(w);
	return 0;
}

static const char *
short_sha(const char *sha, char *buf)
{
	if (!sha)
		return "(no HEAD)";
	snprintf(buf, 13, "%s", sha);
	return buf;
}

static int
section_text(FILE *fp, void *ctx, int color)
{
	const struct sweep_set *s = ctx;
	size_t i, j;
	char sb[13];

	fprintf(fp, "\nRepositories: %zu swept, %zu affected\n", s->n,
		sweep_set_affected(s));
	for (i = 0; i < s->n; i++) {
		const struct sweep_result *res = s->items[i];
		const char *mark = res->affected ? "AFFECTED" :
				   res->nerrors ? "errors" : "clean";

		if (color && res->affected)
			fprintf(fp, "  \033[1;31m%-8s\033[0m", mark);
		else
			fprintf(fp, "  %-8s", mark);
		fprintf(fp, " %s @ %s: %zu findings, %zu exposures, %zu errors\n",
			res->repo, short_sha(res->head, sb),
			res->findings.nfindings, res->nexposure, res->nerrors);
		for (j = 0; j < res->nexposure; j++) {
			const struct sweep_exposure *e = &res->exposure[j];

			fprintf(fp, "           %s@%s locked %s (%.12s) .. %s (%.12s)%s\n",
				e->package, e->version,
				e->first_date ? e->first_date : "?",
				e->first_commit ? e->first_commit : "?",
				e->last_date ? e->last_date : "?",
				e->last_commit ? e->last_commit : "?",
				e->still_locked ? ", still locked" : "");
		}
		for (j = 0; j < res->nerrors; j++)
			fprintf(fp, "           error: %s\n", res->errors[j]);
	}
	return ferror(fp) ? WS_EIO : 0;
}

/* Markdown table cells: no pipe or newline from a repository's data. */
static void
md_cell(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", fp);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', fp);
		else
			fputc(*s, fp);
	}
}

static int
section_markdown(FILE *fp, void *ctx)
{
	const struct sweep_set *s = ctx;
	size_t i, j;
	char sb[13];

	fprintf(fp, "\n## Repositories\n\n%zu swept, %zu affected.\n\n", s->n,
		sweep_set_affected(s));
	if (!s->n)
		return ferror(fp) ? WS_EIO : 0;
	fputs("| repository | HEAD | affected | findings | exposure | errors |\n"
	      "| --- | --- | --- | --- | --- | --- |\n", fp);
	for (i = 0; i < s->n; i++) {
		const struct sweep_result *res = s->items[i];

		fputs("| ", fp);
		md_cell(fp, res->repo);
		fprintf(fp, " | `%s` | %s | %zu | ", short_sha(res->head, sb),
			res->affected ? "**yes**" : "no",
			res->findings.nfindings);
		for (j = 0; j < res->nexposure; j++) {
			const struct sweep_exposure *e = &res->exposure[j];

			if (j)
				fputs("<br>", fp);
			md_cell(fp, e->package);
			fputc('@', fp);
			md_cell(fp, e->version);
			fputs(" ", fp);
			md_cell(fp, e->first_date);
			fputs(" .. ", fp);
			md_cell(fp, e->last_date);
		}
		fprintf(fp, " | %zu |\n", res->nerrors);
	}
	return ferror(fp) ? WS_EIO : 0;
}

void
sweep_set_section(struct sweep_set *s, struct report_section *out)
{
	memset(out, 0, sizeof(*out));
	out->key = "repos";
	out->json = section_json;
	out->text = section_text;
	out->markdown = section_markdown;
	out->ctx = s;
}
