#ifndef WS_PROV_CHECK_H
#define WS_PROV_CHECK_H

/*
 * The verify check: every registry package of an inventory against its
 * registry signatures and Sigstore attestations (prov.h does the
 * cryptography), its own provenance history and an identity policy.
 * Adds findings to a report:
 *   signature-invalid    high    a dist.signatures entry does not verify, its
 *                                key id is unknown or expired at publish time
 *   signature-missing    medium  the registry publishes keys, the version
 *                                has no signature
 *   provenance-invalid   high    an attestation fails a step (named)
 *   provenance-dropped   high    earlier versions had provenance, this none
 *   provenance-drift     high    repository, workflow, trigger or runner
 *                                differs from every earlier version's
 *   provenance-policy    high    the identity is not the one pinned
 *   provenance-missing   info    no provenance (high when a policy
 *                                requires it)
 * Nothing here prints; per-package network failures become report errors
 * and the check goes on.
 */

#include <stdint.h>

#include "prov/prov.h"
#include "registry/registry.h"
#include "report/report.h"
#include "tree/tree.h"

#define PROV_HISTORY_DEFAULT 5
#define PROV_HISTORY_MAX 100
#define PROV_KEYS_TTL_S 3600	/* a cached keys document is fresh this long */

/* ---- identity history (history.c) ---- */

/*
 * The fields of a prov_identity by name: `key` is the JSON name (report
 * evidence, verify --bundle --format json, the verdict cache), `label`
 * the text one. prov_identity_field() gives field i of id (i <
 * PROV_IDENTITY_FIELDS), NULL when unknown.
 */
struct prov_identity_field {
	const char *key;
	const char *label;
	size_t off;
};
#define PROV_IDENTITY_FIELDS 14
extern const struct prov_identity_field prov_identity_fields[PROV_IDENTITY_FIELDS];
const char *prov_identity_field(const struct prov_identity *id, size_t i);

/* "2026-01-02T03:04:05.678Z" (a packument time) -> seconds since the
 * epoch, or -1 when it is not that shape. */
int64_t prov_iso_seconds(const char *s);
/* Lowercase hex SHA-256 of p[0..n): the cache keys of verify. */
void prov_sha256_hex(const void *p, size_t n, char out[65]);

/* The identity fields drift is judged on, in this order. */
enum prov_field {
	PROV_FIELD_REPO,
	PROV_FIELD_WORKFLOW,
	PROV_FIELD_TRIGGER,
	PROV_FIELD_RUNNER,
	PROV_FIELD_COUNT
};

/* "source repository", "workflow", "trigger", "runner environment" */
const char *prov_field_name(enum prov_field f);
/* The identity's value of f, or NULL. */
const char *prov_field_value(const struct prov_identity *id, enum prov_field f);

/*
 * Which fields of cur no earlier identity shares: bit (1 << f) is set when
 * cur has a value for f that none of earlier[0..n) has. A field cur does
 * not know is never drift. n == 0 gives 0: a first provenance is recorded,
 * not flagged.
 */
unsigned prov_history_drift(const struct prov_identity *cur,
			    const struct prov_identity *const *earlier,
			    size_t n);

/*
 * Up to max versions of a packument published before `version`, newest
 * first: versions whose time[] entry is earlier than version's (the
 * publish order npm shows), ties by semver. time_map and versions are the
 * packument's objects; the strings returned are borrowed from them.
 * Returns how many were written to out.
 */
size_t prov_history_earlier(const char **out, size_t max,
			    const struct json_value *time_map,
			    const struct json_value *versions,
			    const char *version);

/* ---- identity policy (policy_prov.c) ---- */

/*
 * A policy file (JSON, wormsign-verify(1)):
 *   {"rules": [{"match": "@acme/wid*",         a name or an fnmatch glob
 *               "require_provenance": true,
 *               "repository": "https://github.com/acme/widget",
 *               "workflow": ".github/workflows/release.yml",
 *               "trigger": ["push", "release"],     a string or a list
 *               "runner": "github-hosted"}]}
 * Every rule whose match accepts a package applies; a pin is met when the
 * identity's value equals one of the listed values. A pinned value is also
 * never drift: the policy is how a confirmed migration is accepted.
 */
#define PROV_POLICY_MAX (1u << 20)
#define PROV_POLICY_RULES_MAX 1024
#define PROV_POLICY_VALUES_MAX 32

struct prov_policy;

/* WS_EPARSE / WS_ELIMIT / WS_ENOTFOUND with "file:line:col: what". */
int prov_policy_load(struct prov_policy **out, const char *path);
int prov_policy_parse(struct prov_policy **out, char *buf, size_t len,
		      const char *name);
void prov_policy_free(struct prov_policy *p);
size_t prov_policy_rule_count(const struct prov_policy *p);

/* Whether some rule matching name requires provenance; *where gets the
 * rule ("FILE rule N", borrowed) when it does. */
int prov_policy_requires(const struct prov_policy *p, const char *name,
			 const char **where);

/*
 * Checks id against the pins of every rule matching name. Returns 0 when
 * all pins hold; otherwise the first broken pin: *field, *want (the
 * pinned values, joined with " or ", in the policy's pool) and *where.
 */
int prov_policy_pins(const struct prov_policy *p, const char *name,
		     const struct prov_identity *id, enum prov_field *field,
		     const char **want, const char **where);

/*
 * Whether a rule matching name pins field f and lists value: the policy
 * then vouches for it, and a change of f to value is not drift.
 */
int prov_policy_vouches(const struct prov_policy *p, const char *name,
			enum prov_field f, const char *value);

/* ---- the check (check.c) ---- */

struct prov_check_opts {
	struct registry_client *client;	/* through its cache */
	const struct prov_trusted_root *root;
	const char *root_digest;	/* sha256 hex of the root's bytes */
	/* --registry-keys, or NULL: the registry's /-/npm/v1/keys (cached) */
	const struct prov_keys *keys;
	const char *keys_digest;	/* with keys */
	unsigned history;		/* earlier versions compared */
	const struct prov_policy *policy;	/* may be NULL */
	const char *registry;	/* redacted URL for the evidence; may be NULL */
};

struct prov_check_stats {
	size_t packages;	/* distinct registry name@version checked */
	size_t names;
	size_t sig_verified, sig_invalid, sig_missing, sig_unchecked;
	size_t att_verified;	/* versions whose every attestation verified */
	size_t att_invalid, att_missing, att_unchecked;
	size_t dropped, drift, policy;
	size_t bundles_verified;	/* bundles verified here (cryptography) */
	size_t bundles_cached;		/* verdicts taken from the cache */
	size_t history_versions;	/* earlier versions looked at */
	const char *keys_source;	/* "file", "registry", "cache", "none" */
	size_t nkeys;
	struct registry_stats packuments;
	struct registry_stats documents;	/* attestations and keys */
};

/* Returns 0, or WS_ENET when the registry could not be used at all. */
int prov_check(struct report *r, const struct tree_inv *inv,
	       const struct prov_check_opts *o, struct prov_check_stats *stats);

#endif
