#ifndef WS_PROV_PROV_H
#define WS_PROV_PROV_H

/*
 * Offline verification of npm registry signatures and Sigstore bundles
 * (provenance and publish attestations), with OpenSSL libcrypto only.
 * The steps follow the Sigstore and npm client behaviour described in
 * tests/data/sigstore/SPEC.md; nothing here touches the network, and no
 * verdict depends on the clock: every time is passed in or taken from
 * verified log entries and timestamps.
 *
 * Conventions (see util/error.h):
 * - Loaders and parsers return 0, or WS_EPARSE / WS_ELIMIT / WS_ENOTFOUND /
 *   WS_EIO with a one-line message "<name>: <what>" in ws_error_last().
 * - Verifiers return 0 when every step passed and WS_EVERIFY otherwise; the
 *   failing step and a one-line reason are in the verdict (never key bytes
 *   or signatures, only ids, names and digests). The verdict, not
 *   ws_error_last(), carries a verifier's result, so a batch keeps going.
 * - Objects are immutable after loading: a trusted root, a key set and a
 *   parsed bundle may be shared by threads that only verify.
 * - Every input is bounded by the PROV_*_MAX limits below (WS_ELIMIT).
 */

#include <stddef.h>
#include <stdint.h>

#include "util/mempool.h"

/* ---- limits on untrusted input ---- */
#define PROV_DOC_MAX (8u << 20)		/* trusted root, keys, attestation response */
#define PROV_BUNDLE_MAX (2u << 20)	/* one bundle's JSON */
#define PROV_ATTESTATIONS_MAX 16	/* bundles in one attestation response */
#define PROV_CERTS_MAX 10		/* certificates in a chain or a CA entry */
#define PROV_TLOG_ENTRIES_MAX 8		/* tlog entries in one bundle */
#define PROV_PROOF_HASHES_MAX 64	/* RFC 6962 audit path length */
#define PROV_LOGS_MAX 64		/* tlogs / ctlogs / CAs / TSAs in a root */
#define PROV_KEYS_MAX 256		/* registry keys */
#define PROV_SCTS_MAX 16		/* SCTs in one certificate */
#define PROV_TIMESTAMPS_MAX 4		/* RFC 3161 timestamps in one bundle */
#define PROV_REASON_MAX 256		/* verdict reason, NUL included */

/* ---- the verification steps, in the order they are checked ---- */

/*
 * A bundle is checked in this order and the first failure is reported:
 * BUNDLE (shape), REGISTRY_KEY (the DSSE keyid / publicKey hint names a
 * registry key, as npm requires), SUBJECT_NAME, SUBJECT_DIGEST (npm checks
 * the statement before the cryptography), SET, TIMESTAMP (RFC 3161 tokens,
 * or no verified time at all), KEY_EXPIRED (registry key at that time),
 * CERT_CHAIN, CERT_VALIDITY, EKU, SCT, DSSE (or SIGNATURE for a
 * message-signature bundle), INCLUSION_PROOF, CHECKPOINT, TLOG_BODY.
 * Registry signatures use REGISTRY_KEY, KEY_EXPIRED, SIGNATURE and BUNDLE
 * (malformed input).
 */
enum prov_step {
	PROV_STEP_OK = 0,
	PROV_STEP_BUNDLE,		/* "bundle": malformed or unsupported input */
	PROV_STEP_REGISTRY_KEY,		/* "registry key": keyid matches no key */
	PROV_STEP_SUBJECT_NAME,		/* "subject name" */
	PROV_STEP_SUBJECT_DIGEST,	/* "subject digest" */
	PROV_STEP_SET,			/* "SET": signed entry timestamp */
	PROV_STEP_TIMESTAMP,		/* "timestamp": RFC 3161, or no time */
	PROV_STEP_KEY_EXPIRED,		/* "key expired" at the signing time */
	PROV_STEP_CERT_CHAIN,		/* "certificate chain" */
	PROV_STEP_CERT_VALIDITY,	/* "certificate validity" at the time */
	PROV_STEP_EKU,			/* "code-signing EKU" */
	PROV_STEP_SCT,			/* "SCT" */
	PROV_STEP_DSSE,			/* "dsse signature" */
	PROV_STEP_SIGNATURE,		/* "signature": registry or message sig */
	PROV_STEP_INCLUSION_PROOF,	/* "inclusion proof" */
	PROV_STEP_CHECKPOINT,		/* "checkpoint" */
	PROV_STEP_TLOG_BODY,		/* "tlog body": entry != envelope */
	PROV_STEP_COUNT
};

/* The step's stable name (the strings above), for reports and policies. */
const char *prov_step_name(enum prov_step step);

/* ---- trusted root (Sigstore trusted_root.json) ---- */

struct prov_trusted_root;

/*
 * Loads tlogs, ctlogs, certificateAuthorities and timestampAuthorities with
 * their validFor windows. Entries with a key type this build cannot use are
 * kept out with no error (so a newer root still loads); a root with no
 * usable tlog or CA fails with WS_EPARSE. name is used in messages.
 */
int prov_trusted_root_load(struct prov_trusted_root **out, const char *path);
int prov_trusted_root_parse(struct prov_trusted_root **out, const char *buf,
			    size_t len, const char *name);
/* The trusted root shipped with wormsign: trust/trusted_root.json in the
 * data directory (util/datadir.h). */
int prov_trusted_root_load_default(struct prov_trusted_root **out);
/* Its path (malloc'd), or NULL with the error set when there is no data
 * directory. */
char *prov_trusted_root_default_path(void);
void prov_trusted_root_free(struct prov_trusted_root *root);

/* ---- registry keys ---- */

/* Key usages (TUF keys.json keyUsage); the legacy shape gives both. */
#define PROV_KEY_SIGNATURES (1u << 0)	/* "npm:signatures" */
#define PROV_KEY_ATTESTATIONS (1u << 1)	/* "npm:attestations" */

struct prov_key {
	const char *keyid;	/* "SHA256:..." as published */
	int64_t not_before;	/* validFor.start, INT64_MIN when absent */
	int64_t expires;	/* validFor.end / expires, INT64_MAX when none */
	unsigned usage;		/* PROV_KEY_* bits */
};

struct prov_keys;

/*
 * Accepts both shapes: the TUF target keys.json
 * {keys:[{keyId,keyUsage,publicKey:{rawBytes,keyDetails,validFor}}]} and the
 * legacy registry document {keys:[{expires,keyid,keytype,scheme,key}]}.
 * Only ECDSA P-256 keys are used; others are skipped. The same keyid may
 * appear once per usage.
 */
int prov_keys_load(struct prov_keys **out, const char *path);
int prov_keys_parse(struct prov_keys **out, const char *buf, size_t len,
		    const char *name);
void prov_keys_free(struct prov_keys *keys);
size_t prov_keys_count(const struct prov_keys *keys);
/* The i-th key, i < prov_keys_count(); borrowed. */
const struct prov_key *prov_keys_at(const struct prov_keys *keys, size_t i);
/*
 * The key with this keyid usable for one of the usage bits, or NULL; when
 * usage is 0 any usage matches. Borrowed, lives as long as keys.
 */
const struct prov_key *prov_keys_find(const struct prov_keys *keys,
				      const char *keyid, unsigned usage);

/* ---- verdicts ---- */

/*
 * The provenance identity of a verified bundle, from the leaf certificate's
 * Fulcio extensions (1.3.6.1.4.1.57264.1.N) and the in-toto predicate.
 * Every field is NULL when unknown; strings live in the verdict's pool.
 */
struct prov_identity {
	const char *san;		/* SAN URI (or e-mail) */
	const char *issuer;		/* OIDC issuer: .8, else .1 */
	const char *source_repo;	/* .12, else https://github.com/ + .5, else predicate */
	const char *workflow_path;	/* ".github/workflows/x.yml": from .18, else the SAN */
	const char *workflow_ref;	/* "refs/tags/v1": from .18 / SAN, else .14 / .6 */
	const char *build_config_uri;	/* .18 */
	const char *build_signer_uri;	/* .9 (a reusable workflow shows here) */
	const char *trigger;		/* .20, else .2 ("release", "pull_request_target") */
	const char *runner_env;		/* .11: "github-hosted" / "self-hosted" */
	const char *source_commit;	/* .13, else .3, else predicate */
	const char *run_uri;		/* .21 */
	const char *builder_id;		/* predicate builder id */
	const char *predicate_type;	/* statement predicateType */
	const char *key_id;		/* registry key of a publish attestation */
};

struct prov_verdict {
	enum prov_step step;		/* PROV_STEP_OK when everything passed */
	char reason[PROV_REASON_MAX];	/* one line, "" when ok */
	int64_t integrated_time;	/* verified log time, 0 when none */
	int64_t log_index;		/* global log index of that entry, -1 */
	struct prov_identity id;	/* filled as far as verification got */
	struct mempool pool;
};

void prov_verdict_init(struct prov_verdict *v);
/* Clears the results (keeps the pool's memory for reuse). */
void prov_verdict_reset(struct prov_verdict *v);
void prov_verdict_release(struct prov_verdict *v);

/* ---- registry signatures ---- */

/*
 * Checks dist.signatures[] of one version: the message is
 * "<name>@<version>:<integrity>" (raw name), signed with ECDSA P-256 /
 * SHA-256; sig_b64 is the DER signature in base64. The key with keyid must
 * exist (PROV_STEP_REGISTRY_KEY) and be valid at publish_time, the unix time
 * of time[version] in the packument (PROV_STEP_KEY_EXPIRED); never "now".
 * Returns 0 or WS_EVERIFY with v->step and v->reason set (v->id.key_id is
 * the keyid on success).
 */
int prov_registry_sig_verify(const struct prov_keys *keys, const char *name,
			     const char *version, const char *integrity,
			     const char *keyid, const char *sig_b64,
			     int64_t publish_time, struct prov_verdict *v);

/* ---- bundles ---- */

struct prov_bundle;

/*
 * Parses one bundle (media types ...bundle+json;version=0.1/0.2/0.3 and
 * ...bundle.v0.3+json): DSSE or message signature; x509CertificateChain
 * (certificates[0] is the leaf), certificate or publicKey{hint}; tlog
 * entries with string int64s. Base64 may be unpadded or URL-safe. A parse
 * failure is WS_EPARSE / WS_ELIMIT; signatures are decoded only when
 * verified, so a garbled signature fails verification, not parsing.
 */
int prov_bundle_parse(struct prov_bundle **out, const char *buf, size_t len,
		      const char *name);
int prov_bundle_load(struct prov_bundle **out, const char *path);
void prov_bundle_free(struct prov_bundle *b);

/*
 * A stable digest of the bundle: lowercase hex SHA-256 (64 chars + NUL) of
 * its canonical JSON (keys sorted, no whitespace), so the same bundle gives
 * the same digest whatever the formatting of the document it came in. A
 * cached verdict is valid for (digest, expected subject, trusted root,
 * registry keys); the verdict itself depends on nothing else.
 */
const char *prov_bundle_digest(const struct prov_bundle *b);
const char *prov_bundle_media_type(const struct prov_bundle *b);
/* 1 for a DSSE envelope, 0 for a message signature. */
int prov_bundle_is_dsse(const struct prov_bundle *b);

/* What the bundle must be about; every field NULL skips that check. */
struct prov_expect {
	const char *name;	/* raw package name ("@scope/pkg"): purl check */
	const char *version;	/* with name */
	const char *integrity;	/* "sha512-<base64>": subject sha512 check */
	/*
	 * "sha256:HEX" or "sha512:HEX" (verify --bundle): some DSSE subject
	 * must carry it, or it must equal a message signature's digest.
	 */
	const char *digest;
};

/*
 * Verifies b completely against the trusted root and, for bundles whose key
 * is a registry key (publicKey hint or DSSE keyid), the registry keys (may
 * be NULL: such bundles then fail at PROV_STEP_REGISTRY_KEY). expect may be
 * NULL. On success v->step is PROV_STEP_OK, v->integrated_time the verified
 * time and v->id the identity; returns 0, else WS_EVERIFY. v is reset first.
 *
 * Details callers rely on:
 * - keys given: a non-empty DSSE keyid must name an "npm:attestations" key
 *   even on a certificate-signed bundle (npm's rule); keys NULL skips that
 *   for certificate bundles (verify --bundle on any Sigstore bundle).
 * - a registry key counts as expired when its end is before the verified
 *   integrated time; its start is not checked (npm re-signed old versions).
 * - on failure v->id holds what the bundle claims, unverified: report it
 *   as a claim only.
 * - Rekor v2 entries (no SET, hashedrekord/dsse 0.0.2 bodies) are tied to
 *   their log by the checkpoint: an unknown log fails at CHECKPOINT.
 * - the verified time is the first SET-verified entry's integratedTime,
 *   else the first RFC 3161 timestamp's genTime (a TSA of the trusted root,
 *   over the signature); every timestamp present must verify
 *   (PROV_STEP_TIMESTAMP), and with none at all the bundle fails there.
 * - thread-safe for concurrent calls with distinct verdicts.
 */
int prov_bundle_verify(const struct prov_bundle *b,
		       const struct prov_trusted_root *root,
		       const struct prov_keys *keys,
		       const struct prov_expect *expect,
		       struct prov_verdict *v);

/* ---- attestation responses ---- */

/* One entry of {attestations:[{predicateType, bundle}]}. */
struct prov_attestation {
	const char *predicate_type;	/* as listed in the response */
	struct prov_bundle *bundle;	/* NULL when the bundle did not parse */
	const char *error;		/* then: why (one line) */
};

struct prov_json;

struct prov_attestations {
	struct prov_attestation *items;
	size_t count;
	struct mempool pool;
	struct prov_json *json;	/* the response: the bundles point into it */
};

/*
 * Parses an attestations response; unknown fields are ignored. Fails only
 * when the document itself is not that shape (WS_EPARSE / WS_ELIMIT); a
 * malformed bundle is kept as an entry with bundle NULL and error set.
 * out is initialised by the call and must be released even on failure.
 */
int prov_attestations_parse(struct prov_attestations *out, const char *buf,
			    size_t len, const char *name);
void prov_attestations_release(struct prov_attestations *a);

#define PROV_PREDICATE_PUBLISH \
	"https://github.com/npm/attestation/tree/main/specs/publish/v0.1"

/* ---- timing ---- */

/*
 * Verifies each bundles[i] n times with expects[i] (expects may be NULL:
 * no subject checks) and returns the
 * rate in verifications per CPU second of this thread (one core, not
 * disturbed by other load); -1 on an argument error. Used by the bench
 * scripts through tests/prov/prov_bench.
 */
double prov_bench(struct prov_bundle *const *bundles, size_t count,
		  const struct prov_expect *expects, size_t n,
		  const struct prov_trusted_root *root,
		  const struct prov_keys *keys);

#endif
