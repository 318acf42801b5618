#ifndef WS_PROV_PROV_INT_H
#define WS_PROV_PROV_INT_H

/* Private to src/prov: the parsed objects and the shared helpers. */

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "json/json.h"
#include "prov/prov.h"
#include "util/mempool.h"

/* ---- base64, hex, numbers, times (b64.c) ---- */

/* Room needed to decode n base64 characters. */
#define PROV_B64_DECODED_MAX(n) ((n) / 4 * 3 + 3)
/*
 * Decodes standard or URL-safe base64, padded or not, into out (room for
 * PROV_B64_DECODED_MAX(n)); returns 0 and sets *outlen, or -1 when s is not
 * base64 (bad character, bad length, misplaced padding, non-zero trailing
 * bits are tolerated as most encoders do).
 */
int prov_b64_decode(const char *s, size_t n, unsigned char *out,
		    size_t *outlen);
/* Decodes into pool memory; NULL when not base64 or longer than max. */
unsigned char *prov_b64_decode_pool(struct mempool *mp, const char *s,
				    size_t n, size_t max, size_t *outlen);
/* Room for the standard padded base64 of n bytes, without the NUL. */
#define PROV_B64_ENCODED_LEN(n) (((n) + 2) / 3 * 4)
/* Writes the standard padded base64 of in[0..n) at out (no NUL). */
void prov_b64_encode(char *out, const unsigned char *in, size_t n);
/* Standard padded base64 of in[0..n), NUL-terminated, in the pool. */
char *prov_b64_encode_pool(struct mempool *mp, const unsigned char *in,
			   size_t n);
/* Lowercase hex of in[0..n) into out (2n + 1 bytes). */
void prov_hex(char *out, const unsigned char *in, size_t n);
/* A JSON number or decimal string as int64 (what protobuf JSON sends). */
int prov_json_i64(const struct json_value *v, int64_t *out);
/* RFC 3339 UTC time ("2025-01-29T00:00:00.000Z") to unix seconds. */
int prov_parse_time(const char *s, int64_t *out);
/* "2025-01-29T00:00:00Z" of t into out (at least 21 bytes). */
void prov_format_time(char *out, size_t n, int64_t t);

/* ---- keys and signatures (keys.c) ---- */

/* Records the failing step and a one-line reason; returns WS_EVERIFY. */
int prov_fail(struct prov_verdict *v, enum prov_step step, const char *fmt,
	      ...) __attribute__((format(printf, 3, 4)));

/*
 * SHA-256 of data into out, and the digest itself, fetched once per
 * process (OpenSSL 3 fetches EVP_sha256() again on every use).
 */
void prov_sha256(const void *data, size_t n, unsigned char out[32]);
const EVP_MD *prov_md_sha256(void);

/* Parses a DER SubjectPublicKeyInfo; NULL when it is not one. */
EVP_PKEY *prov_pkey_from_spki(const unsigned char *der, size_t len);
/*
 * Verifies sig over msg with key: ECDSA with the curve's hash (SHA-256 for
 * P-256, SHA-384 for P-384), Ed25519 pure, RSA PKCS#1 v1.5 SHA-256.
 * Returns 1 when valid, 0 otherwise (OpenSSL's error queue is cleared).
 */
int prov_sig_verify(EVP_PKEY *key, const unsigned char *msg, size_t msglen,
		    const unsigned char *sig, size_t siglen);
/* Same over a precomputed SHA-256 digest (message-signature bundles). */
int prov_sig_verify_prehashed(EVP_PKEY *key, const unsigned char *md,
			      size_t mdlen, const unsigned char *sig,
			      size_t siglen);

struct prov_key_int {
	struct prov_key pub;
	EVP_PKEY *pkey;
};

struct prov_keys {
	struct prov_key_int *keys;
	size_t count;
	struct mempool pool;
};

const struct prov_key_int *prov_keys_find_int(const struct prov_keys *keys,
					      const char *keyid,
					      unsigned usage);

/* ---- trusted root (root.c) ---- */

struct prov_log {
	unsigned char log_id[32];
	size_t log_id_len;
	EVP_PKEY *pkey;
	int64_t start, end;	/* validFor; end INT64_MAX when open */
	const char *base_url;
};

struct prov_ca {
	X509_STORE *store;	/* every certificate of the chain, trusted */
	X509 *certs[PROV_CERTS_MAX];
	size_t ncerts;
	int64_t start, end;
};

struct prov_trusted_root {
	struct prov_log tlogs[PROV_LOGS_MAX];
	size_t ntlogs;
	struct prov_log ctlogs[PROV_LOGS_MAX];
	size_t nctlogs;
	struct prov_ca cas[PROV_LOGS_MAX];
	size_t ncas;
	struct prov_ca tsas[PROV_LOGS_MAX];	/* timestamp authorities */
	size_t ntsas;
	struct mempool pool;
};

/* The log with this id whose validFor covers t (t < 0: any), or NULL. */
const struct prov_log *prov_log_find(const struct prov_log *logs, size_t n,
				     const unsigned char *id, size_t idlen,
				     int64_t t);

/* Reads a whole file, bounded, NUL-terminated; free() the result. */
int prov_read_file(const char *path, size_t max, char **out, size_t *len);
/* Reads path (at most max bytes) and hands it to parse(out, buf, len, path). */
int prov_load_file(const char *path, size_t max,
		   int (*parse)(void *out, const char *buf, size_t len,
				const char *name),
		   void *out);

/* A JSON document parsed from a private copy of some bytes (keys.c). */
struct prov_json {
	char *copy;
	struct json_doc doc;
	int ok;
};

/*
 * Copies buf[0..len) (at most max bytes, else WS_ELIMIT) and parses it;
 * 0 with j->ok set, or the parser's error. Release j in every case.
 */
int prov_json_parse(struct prov_json *j, const void *buf, size_t len,
		    size_t max, const char *name);
void prov_json_release(struct prov_json *j);

/* ---- bundles (bundle.c) ---- */

struct prov_tlog_entry {
	int64_t log_index;
	unsigned char *log_id;
	size_t log_id_len;
	const char *kind, *kind_version;
	int64_t integrated_time;	/* -1 when absent */
	const char *set_b64;		/* inclusionPromise SET, or NULL */
	unsigned char *body;		/* canonicalizedBody, decoded */
	size_t body_len;
	int has_proof;
	int64_t proof_index, tree_size;
	unsigned char root_hash[32];
	unsigned char (*hashes)[32];
	size_t nhashes;
	const char *checkpoint;		/* envelope text, or NULL */
};

enum prov_material {
	PROV_MAT_CERT,		/* certificate or x509CertificateChain[0] */
	PROV_MAT_KEY,		/* publicKey {hint} */
};

struct prov_bundle {
	char *buf;		/* owned copy of the JSON, parsed in place */
	struct json_doc doc;
	struct mempool pool;
	const char *name;
	const char *media_type;
	int minor;		/* 1, 2, 3 */
	int is_dsse;
	/* DSSE */
	const char *payload_type;
	unsigned char *payload;
	size_t payload_len;
	const char *sig_b64;	/* decoded when verified */
	const char *keyid;	/* "" when none */
	/* message signature */
	const char *md_alg;
	unsigned char *md;
	size_t md_len;
	/* key material */
	enum prov_material material;
	X509 *leaf;
	unsigned char *leaf_der;
	size_t leaf_der_len;
	const char *hint;
	struct prov_tlog_entry *entries;
	size_t nentries;
	/* RFC 3161 TimeStampResponses (DER) over the signature */
	unsigned char *tsr[PROV_TIMESTAMPS_MAX];
	size_t tsr_len[PROV_TIMESTAMPS_MAX];
	size_t ntsr;
	char digest[65];
};

/*
 * SHA-256 of the canonical JSON of v (sorted keys, no whitespace; duplicate
 * keys in document order): out 32 bytes. WS_ELIMIT when the canonical text
 * would be longer than max bytes.
 */
int prov_canonical_json(const struct json_value *v, unsigned char out[32],
			size_t max);

/* ---- log proofs (checkpoint.c) ---- */

/*
 * RFC 6962 inclusion: recomputes the root from leaf hash, index and audit
 * path; 0 when it equals root, WS_EVERIFY with a reason otherwise.
 */
int prov_merkle_verify(const unsigned char leaf[32], int64_t index,
		       int64_t size, const unsigned char *hashes,
		       size_t nhashes, const unsigned char root[32],
		       char *why, size_t whylen);

/* A parsed checkpoint note (bounded): origin, size, root hash. */
struct prov_checkpoint {
	char origin[256];
	int64_t size;
	unsigned char root[32];
};

/*
 * Parses the signed note text and verifies every signature line against
 * the tlogs (key hint = first 4 bytes of the log id). 0 with cp filled, or
 * WS_EVERIFY / WS_EPARSE with the reason in why.
 */
int prov_checkpoint_verify(const char *text, size_t len,
			   const struct prov_trusted_root *root,
			   struct prov_checkpoint *cp, char *why,
			   size_t whylen);

/* ---- RFC 3161 timestamps (tsa.c) ---- */

/*
 * Verifies one TimeStampResponse over sig against the trusted root's
 * timestamp authorities (signature, imprint, TSA certificate valid at the
 * time it states, authority validFor covering it). 0 with *when set, or
 * WS_EVERIFY with why.
 */
int prov_tsa_verify(const unsigned char *der, size_t len,
		    const unsigned char *sig, size_t siglen,
		    const struct prov_trusted_root *root, int64_t *when,
		    char *why, size_t whylen);

/* ---- certificates (cert.c) ---- */

/*
 * A printable, bounded copy of an identity string from a certificate or a
 * statement, in the pool: control bytes become '?', at most 4096 bytes.
 */
const char *prov_keep(struct mempool *mp, const void *s, size_t n);
/* Fills the certificate part of the identity from the leaf's extensions. */
void prov_identity_from_cert(struct prov_identity *id, struct mempool *mp,
			     X509 *leaf);
/*
 * Verifies the embedded SCTs of the leaf (DER; issued by issuer) against the ctlogs;
 * 0 when at least one verifies, WS_EVERIFY with why otherwise.
 */
int prov_sct_verify(const unsigned char *der, size_t derlen, X509 *issuer,
		    const struct prov_trusted_root *root, char *why,
		    size_t whylen);

#endif
