#include "prov/check.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "semver/semver.h"
#include "util/banned.h"

/*
 * A package's provenance history: the identities of its earlier versions,
 * against which a new version's identity is judged. What TanStack's
 * compromised versions showed is the model: a valid provenance, but from a
 * trigger (pull_request_target) and a workflow that had never published
 * the package before.
 */

const struct prov_identity_field prov_identity_fields[PROV_IDENTITY_FIELDS] = {
	{ "san", "san", offsetof(struct prov_identity, san) },
	{ "issuer", "issuer", offsetof(struct prov_identity, issuer) },
	{ "source_repository", "source repository",
	  offsetof(struct prov_identity, source_repo) },
	{ "workflow", "workflow", offsetof(struct prov_identity, workflow_path) },
	{ "workflow_ref", "ref", offsetof(struct prov_identity, workflow_ref) },
	{ "build_config_uri", "build config",
	  offsetof(struct prov_identity, build_config_uri) },
	{ "build_signer_uri", "build signer",
	  offsetof(struct prov_identity, build_signer_uri) },
	{ "trigger", "trigger", offsetof(struct prov_identity, trigger) },
	{ "runner_environment", "runner", offsetof(struct prov_identity, runner_env) },
	{ "source_commit", "commit", offsetof(struct prov_identity, source_commit) },
	{ "run_uri", "run", offsetof(struct prov_identity, run_uri) },
	{ "builder_id", "builder", offsetof(struct prov_identity, builder_id) },
	{ "predicate_type", "predicate", offsetof(struct prov_identity, predicate_type) },
	{ "key_id", "key", offsetof(struct prov_identity, key_id) },
};

const char *
prov_identity_field(const struct prov_identity *id, size_t i)
{
	return *(const char *const *)((const char *)id + prov_identity_fields[i].off);
}

const char *
prov_field_name(enum prov_field f)
{
	switch (f) {
	case PROV_FIELD_REPO: return "source repository";
	case PROV_FIELD_WORKFLOW: return "workflow";
	case PROV_FIELD_TRIGGER: return "trigger";
	case PROV_FIELD_RUNNER: return "runner environment";
	case PROV_FIELD_COUNT: break;
	}
	return "?";
}

const char *
prov_field_value(const struct prov_identity *id, enum prov_field f)
{
	switch (f) {
	case PROV_FIELD_REPO: return id->source_repo;
	case PROV_FIELD_WORKFLOW: return id->workflow_path;
	case PROV_FIELD_TRIGGER: return id->trigger;
	case PROV_FIELD_RUNNER: return id->runner_env;
	case PROV_FIELD_COUNT: break;
	}
	return NULL;
}

unsigned
prov_history_drift(const struct prov_identity *cur,
		   const struct prov_identity *const *earlier, size_t n)
{
	unsigned bits = 0;
	size_t i;
	int f;

	if (n == 0)
		return 0;
	for (f = 0; f < PROV_FIELD_COUNT; f++) {
		const char *v = prov_field_value(cur, (enum prov_field)f);
		int seen = 0, known = 0;

		if (!v || !*v)
			continue;
		for (i = 0; i < n && !seen; i++) {
			const char *e = prov_field_value(earlier[i], (enum prov_field)f);

			if (!e || !*e)
				continue;
			known = 1;
			seen = strcmp(e, v) == 0;
		}
		/* a field no earlier version recorded cannot have drifted */
		if (known && !seen)
			bits |= 1u << f;
	}
	return bits;
}

struct cand {
	const char *version;
	int64_t t;
	struct semver sv;
	int has_sv;
};

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->t != y->t)
		return x->t > y->t ? -1 : 1;	/* newest first */
	if (x->has_sv && y->has_sv)
		return -semver_cmp(&x->sv, &y->sv);
	return strcmp(y->version, x->version);
}

size_t
prov_history_earlier(const char **out, size_t max,
		     const struct json_value *time_map,
		     const struct json_value *versions, const char *version)
{
	const struct json_value *m;
	struct cand *c = NULL;
	size_t n = 0, alloc, i;
	int64_t t0 = prov_iso_seconds(json_get_str(time_map, version));

	if (max == 0 || t0 < 0 || !json_is(versions, JSON_OBJECT))
		return 0;
	alloc = versions->len;
	if (alloc == 0)
		return 0;
	c = calloc(alloc, sizeof(*c));
	if (!c)
		abort();
	for (m = versions->u.first; m && n < alloc; m = m->next) {
		int64_t t = prov_iso_seconds(json_get_str(time_map, m->key));

		if (t < 0 || t >= t0 || strcmp(m->key, version) == 0)
			continue;
		c[n].version = m->key;
		c[n].t = t;
		c[n].has_sv = semver_parse(&c[n].sv, m->key, strlen(m->key)) == 0;
		n++;
	}
	if (n > 1)
		qsort(c, n, sizeof(*c), cand_cmp);
	for (i = 0; i < n && i < max; i++)
		out[i] = c[i].version;
	free(c);
	return i;
}
