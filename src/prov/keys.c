#include "prov/prov_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include "util/banned.h"

static const char *const step_names[PROV_STEP_COUNT] = {
	[PROV_STEP_OK] = "ok",
	[PROV_STEP_BUNDLE] = "bundle",
	[PROV_STEP_REGISTRY_KEY] = "registry key",
	[PROV_STEP_SUBJECT_NAME] = "subject name",
	[PROV_STEP_SUBJECT_DIGEST] = "subject digest",
	[PROV_STEP_SET] = "SET",
	[PROV_STEP_TIMESTAMP] = "timestamp",
	[PROV_STEP_KEY_EXPIRED] = "key expired",
	[PROV_STEP_CERT_CHAIN] = "certificate chain",
	[PROV_STEP_CERT_VALIDITY] = "certificate validity",
	[PROV_STEP_EKU] = "code-signing EKU",
	[PROV_STEP_SCT] = "SCT",
	[PROV_STEP_DSSE] = "dsse signature",
	[PROV_STEP_SIGNATURE] = "signature",
	[PROV_STEP_INCLUSION_PROOF] = "inclusion proof",
	[PROV_STEP_CHECKPOINT] = "checkpoint",
	[PROV_STEP_TLOG_BODY] = "tlog body",
};

const char *
prov_step_name(enum prov_step step)
{
	if ((unsigned)step >= PROV_STEP_COUNT)
		return "unknown";
	return step_names[step];
}

/* ---- verdicts ---- */

void
prov_verdict_init(struct prov_verdict *v)
{
	memset(v, 0, sizeof(*v));
	mempool_init(&v->pool, 4096);
	v->log_index = -1;
}

void
prov_verdict_reset(struct prov_verdict *v)
{
	/* The pool is released and re-made: its strings belong to the
	 * previous result. */
	mempool_release(&v->pool);
	prov_verdict_init(v);
}

void
prov_verdict_release(struct prov_verdict *v)
{
	if (!v)
		return;
	mempool_release(&v->pool);
	memset(v, 0, sizeof(*v));
}

/* ---- files ---- */

int
prov_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct strbuf sb;
	int rc;

	strbuf_init(&sb, max);
	rc = strbuf_read_file(&sb, path, 0);
	if (rc != 0) {
		strbuf_release(&sb);
		return rc;
	}
	*out = strbuf_detach(&sb, len);
	return 0;
}

int
prov_load_file(const char *path, size_t max,
	       int (*parse)(void *out, const char *buf, size_t len,
			    const char *name),
	       void *out)
{
	char *buf;
	size_t len;
	int rc;

	rc = prov_read_file(path, max, &buf, &len);
	if (rc != 0)
		return rc;
	rc = parse(out, buf, len, path);
	free(buf);
	return rc;
}

int
prov_json_parse(struct prov_json *j, const void *buf, size_t len, size_t max,
		const char *name)
{
	int rc;

	memset(j, 0, sizeof(*j));
	if (len > max)
		return ws_error_set(WS_ELIMIT, "%s: larger than %zu bytes", name,
				    max);
	j->copy = xmalloc(len + 1);
	memcpy(j->copy, buf, len);
	j->copy[len] = '\0';
	rc = json_parse(&j->doc, j->copy, len, name, 0);
	j->ok = rc == 0;
	return rc;
}

void
prov_json_release(struct prov_json *j)
{
	if (j->ok)
		json_doc_release(&j->doc);
	free(j->copy);
	memset(j, 0, sizeof(*j));
}

/* ---- keys and signatures ---- */

EVP_PKEY *
prov_pkey_from_spki(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *k;

	if (len == 0 || len > 4096)
		return NULL;
	k = d2i_PUBKEY(NULL, &p, (long)len);
	if (k && p != der + len) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	ERR_clear_error();
	return k;
}

/*
 * The digests, fetched from the default provider once: handing OpenSSL 3
 * EVP_sha256() makes every digest and verification fetch it again, which
 * costs about as much as hashing a Merkle node.
 */
enum { MD_SHA256, MD_SHA384, MD_SHA512, MD_COUNT };
static EVP_MD *fetched_md[MD_COUNT];
static pthread_once_t fetched_once = PTHREAD_ONCE_INIT;

static void
fetch_mds(void)
{
	static const char *const names[MD_COUNT] = {"SHA256", "SHA384",
						    "SHA512"};
	size_t i;

	for (i = 0; i < MD_COUNT; i++)
		fetched_md[i] = EVP_MD_fetch(NULL, names[i], NULL);
	ERR_clear_error();
}

/* The fetched digest, or the built-in one when the fetch failed. */
static const EVP_MD *
md_of(int which)
{
	pthread_once(&fetched_once, fetch_mds);
	if (fetched_md[which])
		return fetched_md[which];
	return which == MD_SHA512 ? EVP_sha512() :
	       which == MD_SHA384 ? EVP_sha384() : EVP_sha256();
}

void
prov_sha256(const void *data, size_t n, unsigned char out[32])
{
	if (EVP_Digest(data, n, out, NULL, md_of(MD_SHA256), NULL) != 1) {
		/* out of memory: a digest that matches nothing real */
		memset(out, 0, 32);
		ERR_clear_error();
	}
}

const EVP_MD *
prov_md_sha256(void)
{
	return md_of(MD_SHA256);
}

/* The digest that goes with an ECDSA key of this size. */
static const EVP_MD *
key_md(EVP_PKEY *key)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_ED25519:
		return NULL;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_bits(key) > 384)
			return md_of(MD_SHA512);
		if (EVP_PKEY_get_bits(key) > 256)
			return md_of(MD_SHA384);
		return md_of(MD_SHA256);
	default:
		return md_of(MD_SHA256);
	}
}

int
prov_sig_verify(EVP_PKEY *key, const unsigned char *msg, size_t msglen,
		const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx;
	int ok = 0;

	if (!key || siglen == 0)
		return 0;
	ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestVerifyInit(ctx, NULL, key_md(key), NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, msg, msglen) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int
prov_sig_verify_prehashed(EVP_PKEY *key, const unsigned char *md,
			  size_t mdlen, const unsigned char *sig,
			  size_t siglen)
{
	EVP_PKEY_CTX *ctx;
	const EVP_MD *alg = md_of(mdlen == 64 ? MD_SHA512 :
				  mdlen == 48 ? MD_SHA384 : MD_SHA256);
	int ok = 0;

	if (!key || siglen == 0 || EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519)
		return 0;
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, alg) == 1)
		ok = EVP_PKEY_verify(ctx, sig, siglen, md, mdlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* ---- registry keys ---- */

static int
is_p256(EVP_PKEY *k)
{
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
	       EVP_PKEY_get_bits(k) == 256;
}

static void
keys_free_all(struct prov_keys *keys)
{
	size_t i;

	for (i = 0; i < keys->count; i++)
		EVP_PKEY_free(keys->keys[i].pkey);
	free(keys->keys);
	mempool_release(&keys->pool);
	free(keys);
}

void
prov_keys_free(struct prov_keys *keys)
{
	if (keys)
		keys_free_all(keys);
}

static int
add_key(struct prov_keys *keys, size_t *alloc, const char *keyid,
	const char *b64, int64_t start, int64_t end, unsigned usage)
{
	unsigned char *der;
	size_t len;
	EVP_PKEY *k;
	struct prov_key_int *e;

	der = prov_b64_decode_pool(&keys->pool, b64, strlen(b64), 4096, &len);
	if (!der)
		return -1;
	k = prov_pkey_from_spki(der, len);
	if (!k)
		return -1;
	if (!is_p256(k)) {
		/* npm signs with P-256 only; another key type is skipped. */
		EVP_PKEY_free(k);
		return 0;
	}
	XGROW(keys->keys, *alloc, keys->count + 1);
	e = &keys->keys[keys->count++];
	e->pkey = k;
	e->pub.keyid = mempool_strdup(&keys->pool, keyid);
	e->pub.not_before = start;
	e->pub.expires = end;
	e->pub.usage = usage;
	return 0;
}

static int
parse_keys(struct prov_keys *keys, const struct json_value *root,
	   const char *name)
{
	const struct json_value *arr = json_get(root, "keys"), *k;
	size_t alloc = 0;

	if (!json_is(arr, JSON_ARRAY))
		return ws_error_set(WS_EPARSE, "%s: no \"keys\" array", name);
	if (arr->len > PROV_KEYS_MAX)
		return ws_error_set(WS_ELIMIT, "%s: more than %u keys", name,
				    PROV_KEYS_MAX);
	for (k = arr->u.first; k; k = k->next) {
		const struct json_value *pk = json_get(k, "publicKey");
		const char *keyid, *raw;
		int64_t start = INT64_MIN, end = INT64_MAX;
		unsigned usage;

		if (!json_is(k, JSON_OBJECT))
			return ws_error_set(WS_EPARSE, "%s:%u: key is not an object",
					    name, k->line);
		if (pk) {
			/* TUF keys.json */
			const struct json_value *vf = json_get(pk, "validFor");
			const char *use = json_get_str(k, "keyUsage");
			const char *s;

			keyid = json_get_str(k, "keyId");
			raw = json_get_str(pk, "rawBytes");
			usage = !use ? PROV_KEY_SIGNATURES | PROV_KEY_ATTESTATIONS :
				!strcmp(use, "npm:signatures") ? PROV_KEY_SIGNATURES :
				!strcmp(use, "npm:attestations") ? PROV_KEY_ATTESTATIONS : 0;
			if ((s = json_get_str(vf, "start")) &&
			    prov_parse_time(s, &start) != 0)
				return ws_error_set(WS_EPARSE, "%s:%u: bad validFor.start",
						    name, k->line);
			if ((s = json_get_str(vf, "end")) &&
			    prov_parse_time(s, &end) != 0)
				return ws_error_set(WS_EPARSE, "%s:%u: bad validFor.end",
						    name, k->line);
		} else {
			/* the registry's own /-/npm/v1/keys document */
			const char *exp = json_get_str(k, "expires");

			keyid = json_get_str(k, "keyid");
			raw = json_get_str(k, "key");
			usage = PROV_KEY_SIGNATURES | PROV_KEY_ATTESTATIONS;
			if (exp && prov_parse_time(exp, &end) != 0)
				return ws_error_set(WS_EPARSE, "%s:%u: bad expires",
						    name, k->line);
		}
		if (!keyid || !*keyid || !raw)
			return ws_error_set(WS_EPARSE, "%s:%u: key without id or bytes",
					    name, k->line);
		if (strlen(keyid) > 256)
			return ws_error_set(WS_ELIMIT, "%s:%u: key id too long",
					    name, k->line);
		/* Key ids are quoted in messages: printable ASCII only
		 * (found by fuzzing: a "\n" in one split an error line). */
		for (const char *q = keyid; *q; q++)
			if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
				return ws_error_set(WS_EPARSE,
						    "%s:%u: key id holds a byte that is not printable ASCII",
						    name, k->line);
		if (usage == 0)
			continue;
		if (add_key(keys, &alloc, keyid, raw, start, end, usage) != 0)
			return ws_error_set(WS_EPARSE,
					    "%s:%u: key \"%s\" is not a public key",
					    name, k->line, keyid);
	}
	return 0;
}

int
prov_keys_parse(struct prov_keys **out, const char *buf, size_t len,
		const char *name)
{
	struct prov_keys *keys;
	struct prov_json j;
	int rc;

	*out = NULL;
	rc = prov_json_parse(&j, buf, len, PROV_DOC_MAX, name);
	if (rc == 0) {
		keys = xcalloc(1, sizeof(*keys));
		mempool_init(&keys->pool, 4096);
		rc = parse_keys(keys, j.doc.root, name);
		if (rc == 0)
			*out = keys;
		else
			keys_free_all(keys);
	}
	prov_json_release(&j);
	return rc;
}

static int
keys_parse_any(void *out, const char *buf, size_t len, const char *name)
{
	return prov_keys_parse(out, buf, len, name);
}

int
prov_keys_load(struct prov_keys **out, const char *path)
{
	*out = NULL;
	return prov_load_file(path, PROV_DOC_MAX, keys_parse_any, out);
}

size_t
prov_keys_count(const struct prov_keys *keys)
{
	return keys ? keys->count : 0;
}

const struct prov_key *
prov_keys_at(const struct prov_keys *keys, size_t i)
{
	return keys && i < keys->count ? &keys->keys[i].pub : NULL;
}

const struct prov_key_int *
prov_keys_find_int(const struct prov_keys *keys, const char *keyid,
		   unsigned usage)
{
	size_t i;

	if (!keys || !keyid)
		return NULL;
	for (i = 0; i < keys->count; i++) {
		const struct prov_key_int *k = &keys->keys[i];

		if (strcmp(k->pub.keyid, keyid) == 0 &&
		    (usage == 0 || (k->pub.usage & usage)))
			return k;
	}
	return NULL;
}

const struct prov_key *
prov_keys_find(const struct prov_keys *keys, const char *keyid,
	       unsigned usage)
{
	const struct prov_key_int *k = prov_keys_find_int(keys, keyid, usage);

	return k ? &k->pub : NULL;
}

/* ---- registry signatures ---- */

int
prov_fail(struct prov_verdict *v, enum prov_step step, const char *fmt, ...)
{
	va_list ap;
	char *p;

	v->step = step;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	/* Reasons quote bundle content: keep them one printable line. */
	for (p = v->reason; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return WS_EVERIFY;
}

int
prov_registry_sig_verify(const struct prov_keys *keys, const char *name,
			 const char *version, const char *integrity,
			 const char *keyid, const char *sig_b64,
			 int64_t publish_time, struct prov_verdict *v)
{
	const struct prov_key_int *k;
	struct strbuf msg;
	unsigned char sig[512];
	size_t siglen, n;
	int ok;

	prov_verdict_reset(v);
	if (!name || !version || !integrity || !keyid || !sig_b64)
		return prov_fail(v, PROV_STEP_BUNDLE, "signature entry is incomplete");
	k = prov_keys_find_int(keys, keyid, PROV_KEY_SIGNATURES);
	if (!k)
		return prov_fail(v, PROV_STEP_REGISTRY_KEY,
			    "key id \"%.80s\" matches no registry key", keyid);
	v->id.key_id = mempool_strdup(&v->pool, k->pub.keyid);
	if (k->pub.expires < publish_time) {
		char a[32], b[32];

		prov_format_time(a, sizeof(a), k->pub.expires);
		prov_format_time(b, sizeof(b), publish_time);
		return prov_fail(v, PROV_STEP_KEY_EXPIRED,
			    "key \"%.80s\" expired %s, before the publish time %s",
			    keyid, a, b);
	}
	n = strlen(sig_b64);
	if (PROV_B64_DECODED_MAX(n) > sizeof(sig) ||
	    prov_b64_decode(sig_b64, n, sig, &siglen) != 0)
		return prov_fail(v, PROV_STEP_SIGNATURE, "signature is not base64");
	strbuf_init(&msg, 1u << 16);
	if (strbuf_addf(&msg, "%s@%s:%s", name, version, integrity) != 0) {
		strbuf_release(&msg);
		return prov_fail(v, PROV_STEP_BUNDLE, "signed message too long");
	}
	ok = prov_sig_verify(k->pkey, (const unsigned char *)msg.buf, msg.len,
			     sig, siglen);
	strbuf_release(&msg);
	if (!ok)
		return prov_fail(v, PROV_STEP_SIGNATURE,
			    "signature by \"%.80s\" does not verify for %.200s@%.60s",
			    keyid, name, version);
	return 0;
}
