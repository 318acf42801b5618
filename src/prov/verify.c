#include "prov/prov_int.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define SIG_MAX 1024

static const struct json_value *
path_get(const struct json_value *v, const char *const *keys)
{
	for (; *keys && v; keys++)
		v = json_get(v, *keys);
	return v;
}

static const char *
path_str(const struct json_value *v, const char *const *keys)
{
	v = path_get(v, keys);
	return json_is(v, JSON_STRING) ? v->u.str : NULL;
}

#define PATH(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The statement is the signer's word: keep its strings bounded, one line. */
static const char *
keep_str(struct mempool *mp, const char *s)
{
	return s ? prov_keep(mp, s, strlen(s)) : NULL;
}

/* ---- identity from the predicate, where the certificate says nothing ---- */

static void
identity_from_statement(struct prov_identity *id, struct mempool *mp,
			const struct json_value *st)
{
	const struct json_value *pred = json_get(st, "predicate");
	const char *s;

	id->predicate_type = keep_str(mp, json_get_str(st, "predicateType"));
	if ((s = path_str(pred, PATH("runDetails", "builder", "id"))) ||
	    (s = path_str(pred, PATH("builder", "id"))))
		id->builder_id = keep_str(mp, s);
	if (!id->source_repo &&
	    (s = path_str(pred, PATH("buildDefinition", "externalParameters",
				     "workflow", "repository"))))
		id->source_repo = keep_str(mp, s);
	if (!id->workflow_path &&
	    ((s = path_str(pred, PATH("buildDefinition", "externalParameters",
				      "workflow", "path"))) ||
	     (s = path_str(pred, PATH("invocation", "configSource",
				      "entryPoint")))))
		id->workflow_path = keep_str(mp, s);
	if (!id->source_commit) {
		const struct json_value *deps = path_get(pred,
			PATH("buildDefinition", "resolvedDependencies"));

		if (json_is(deps, JSON_ARRAY) && deps->u.first &&
		    (s = path_str(deps->u.first, PATH("digest", "gitCommit"))))
			id->source_commit = keep_str(mp, s);
		else if ((s = path_str(pred, PATH("invocation", "configSource",
						  "digest", "sha1"))))
			id->source_commit = keep_str(mp, s);
	}
	if (!id->runner_env && id->builder_id) {
		const char *slash = strrchr(id->builder_id, '/');

		if (slash && (!strcmp(slash, "/github-hosted") ||
			      !strcmp(slash, "/self-hosted")))
			id->runner_env = keep_str(mp, slash + 1);
	}
}

/* ---- subject ---- */

static int
hex_eq(const char *a, const char *b)
{
	return a && b && strlen(a) == strlen(b) && strcasecmp(a, b) == 0;
}

static int
check_subject(const struct json_value *st, const struct prov_expect *ex,
	      struct prov_verdict *v)
{
	const struct json_value *subj = json_get(st, "subject"), *s0, *e;

	if (!json_is(subj, JSON_ARRAY) || !subj->u.first)
		return prov_fail(v, PROV_STEP_SUBJECT_NAME,
				 "statement has no subject");
	s0 = subj->u.first;
	if (ex->name && ex->version) {
		struct strbuf purl;
		const char *name = json_get_str(s0, "name");
		int same;

		strbuf_init(&purl, 4096);
		if (ex->name[0] == '@')
			strbuf_addf(&purl, "pkg:npm/%%40%s@%s", ex->name + 1,
				    ex->version);
		else
			strbuf_addf(&purl, "pkg:npm/%s@%s", ex->name, ex->version);
		same = name && strcmp(name, purl.buf) == 0;
		if (!same)
			prov_fail(v, PROV_STEP_SUBJECT_NAME,
				  "subject \"%.150s\" is not \"%.150s\"",
				  name ? name : "(none)", purl.buf);
		strbuf_release(&purl);
		if (!same)
			return WS_EVERIFY;
	}
	if (ex->integrity) {
		const char *want = json_get_str(json_get(s0, "digest"), "sha512");
		unsigned char raw[PROV_B64_DECODED_MAX(128)];
		char hex[129];
		size_t n, len = strlen(ex->integrity);

		if (len < 7 || strncmp(ex->integrity, "sha512-", 7) != 0 ||
		    len - 7 > 128 ||
		    prov_b64_decode(ex->integrity + 7, len - 7, raw, &n) != 0 ||
		    n != 64)
			return prov_fail(v, PROV_STEP_SUBJECT_DIGEST,
					 "integrity has no sha512 to compare");
		prov_hex(hex, raw, 64);
		if (!want)
			return prov_fail(v, PROV_STEP_SUBJECT_DIGEST,
					 "subject has no sha512 digest");
		if (!hex_eq(want, hex))
			return prov_fail(v, PROV_STEP_SUBJECT_DIGEST,
					 "subject sha512 %.16s... is not the integrity's %.16s...",
					 want, hex);
	}
	if (ex->digest) {
		const char *colon = strchr(ex->digest, ':');
		char alg[16];

		if (!colon || (size_t)(colon - ex->digest) >= sizeof(alg))
			return prov_fail(v, PROV_STEP_SUBJECT_DIGEST,
					 "digest is not ALG:HEX");
		memcpy(alg, ex->digest, (size_t)(colon - ex->digest));
		alg[colon - ex->digest] = '\0';
		for (e = subj->u.first; e; e = e->next)
			if (hex_eq(json_get_str(json_get(e, "digest"), alg),
				   colon + 1))
				return 0;
		return prov_fail(v, PROV_STEP_SUBJECT_DIGEST,
				 "no subject has digest %.80s", ex->digest);
	}
	return 0;
}

/* ---- tlog entries ---- */

static int
verify_set(const struct prov_tlog_entry *t, const struct prov_log *log,
	   struct mempool *mp)
{
	static const char head[] = "{\"body\":\"";
	char logid[65], tail[192];
	unsigned char sig[PROV_B64_DECODED_MAX(SIG_MAX)];
	size_t siglen, n = strlen(t->set_b64), blen, tlen;
	char *msg;
	int ok, k;

	if (n > SIG_MAX || prov_b64_decode(t->set_b64, n, sig, &siglen) != 0)
		return 0;
	prov_hex(logid, t->log_id, t->log_id_len > 32 ? 32 : t->log_id_len);
	/* Rekor's canonical JSON: keys sorted, no whitespace. The body is
	 * kilobytes of base64: written in place rather than through printf. */
	k = snprintf(tail, sizeof(tail),
		     "\",\"integratedTime\":%lld,\"logID\":\"%s\",\"logIndex\":%lld}",
		     (long long)t->integrated_time, logid,
		     (long long)t->log_index);
	if (k < 0 || (size_t)k >= sizeof(tail))
		return 0;
	tlen = (size_t)k;
	blen = PROV_B64_ENCODED_LEN(t->body_len);
	msg = mempool_alloc(mp, sizeof(head) - 1 + blen + tlen);
	memcpy(msg, head, sizeof(head) - 1);
	prov_b64_encode(msg + sizeof(head) - 1, t->body, t->body_len);
	memcpy(msg + sizeof(head) - 1 + blen, tail, tlen);
	ok = prov_sig_verify(log->pkey, (const unsigned char *)msg,
			     sizeof(head) - 1 + blen + tlen, sig, siglen);
	return ok;
}

static int
verify_proof(const struct prov_tlog_entry *t,
	     const struct prov_trusted_root *root, struct prov_verdict *v)
{
	static const unsigned char leaf_prefix = 0x00;
	unsigned char leaf[32];
	char why[160];
	struct prov_checkpoint cp;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	/* RFC 6962 leaf hash: SHA-256(0x00 || body), without a copy */
	if (!md || EVP_DigestInit_ex(md, prov_md_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, &leaf_prefix, 1) != 1 ||
	    EVP_DigestUpdate(md, t->body, t->body_len) != 1 ||
	    EVP_DigestFinal_ex(md, leaf, NULL) != 1) {
		EVP_MD_CTX_free(md);
		ERR_clear_error();
		return prov_fail(v, PROV_STEP_INCLUSION_PROOF,
				 "entry %lld: cannot hash the body",
				 (long long)t->log_index);
	}
	EVP_MD_CTX_free(md);
	if (prov_merkle_verify(leaf, t->proof_index, t->tree_size, t->hashes[0],
			       t->nhashes, t->root_hash, why, sizeof(why)) != 0)
		return prov_fail(v, PROV_STEP_INCLUSION_PROOF, "entry %lld: %s",
				 (long long)t->log_index, why);
	if (!t->checkpoint)
		return 0;
	if (prov_checkpoint_verify(t->checkpoint, strlen(t->checkpoint), root,
				   &cp, why, sizeof(why)) != 0)
		return prov_fail(v, PROV_STEP_CHECKPOINT, "entry %lld: %s",
				 (long long)t->log_index, why);
	if (memcmp(cp.root, t->root_hash, 32) != 0 || cp.size != t->tree_size)
		return prov_fail(v, PROV_STEP_CHECKPOINT,
				 "entry %lld: checkpoint does not commit to the proof's root and size",
				 (long long)t->log_index);
	return 0;
}

/* Decodes base64 (twice when twice is set) into out; 0 on success. */
static int
decode_sig(const char *s, int twice, unsigned char *out, size_t *outlen)
{
	unsigned char tmp[PROV_B64_DECODED_MAX(2 * SIG_MAX)];
	size_t n, tlen;

	if (!s)
		return -1;
	n = strlen(s);
	if (n > 2 * SIG_MAX || prov_b64_decode(s, n, tmp, &tlen) != 0)
		return -1;
	if (!twice) {
		if (tlen > SIG_MAX)
			return -1;
		memcpy(out, tmp, tlen);
		*outlen = tlen;
		return 0;
	}
	if (tlen > SIG_MAX)
		return -1;
	return prov_b64_decode((const char *)tmp, tlen, out, outlen);
}

/* Hex of a base64 digest of at most 64 bytes into out (129), or NULL. */
static const char *
b64_hex(const char *s, char *out)
{
	unsigned char raw[PROV_B64_DECODED_MAX(88)];
	size_t n;

	if (!s || strlen(s) > 88 || prov_b64_decode(s, strlen(s), raw, &n) != 0 ||
	    n == 0 || n > 64)
		return NULL;
	prov_hex(out, raw, n);
	return out;
}

static int
verify_body(const struct prov_bundle *b, const struct prov_tlog_entry *t,
	    const unsigned char *sig, size_t siglen, struct prov_verdict *v)
{
	struct prov_json j;
	const struct json_value *spec;
	const char *kind, *api, *hash = NULL, *bsig = NULL;
	unsigned char got[PROV_B64_DECODED_MAX(SIG_MAX) + 3], md[32];
	char want_hash[129], v2hash[129];
	size_t glen;
	int twice = 0, rc = 0;

	prov_json_parse(&j, t->body, t->body_len, PROV_BUNDLE_MAX,
			"canonicalizedBody");
	if (!j.ok)
		return prov_fail(v, PROV_STEP_TLOG_BODY, "entry %lld: body is not JSON",
				 (long long)t->log_index);
	kind = json_get_str(j.doc.root, "kind");
	api = json_get_str(j.doc.root, "apiVersion");
	spec = json_get(j.doc.root, "spec");
	if (!kind || !api || strcmp(kind, t->kind) != 0 ||
	    strcmp(api, t->kind_version) != 0) {
		rc = prov_fail(v, PROV_STEP_TLOG_BODY,
			       "entry %lld: body is %.40s/%.40s, kindVersion says %.40s/%.40s",
			       (long long)t->log_index, kind ? kind : "?",
			       api ? api : "?", t->kind, t->kind_version);
		goto done;
	}
	if (b->is_dsse) {
		prov_sha256(b->payload, b->payload_len, md);
		prov_hex(want_hash, md, 32);
	} else if (b->md) {
		prov_hex(want_hash, b->md, b->md_len > 64 ? 64 : b->md_len);
	} else {
		want_hash[0] = '\0';
	}
	if (b->is_dsse && !strcmp(kind, "intoto") && !strcmp(api, "0.0.2")) {
		const struct json_value *s = path_get(spec,
			PATH("content", "envelope", "signatures"));

		twice = 1;
		bsig = json_is(s, JSON_ARRAY) && s->u.first ?
		       json_get_str(s->u.first, "sig") : NULL;
		hash = path_str(spec, PATH("content", "payloadHash", "value"));
	} else if (b->is_dsse && !strcmp(kind, "dsse") && !strcmp(api, "0.0.1")) {
		const struct json_value *s = json_get(spec, "signatures");

		bsig = json_is(s, JSON_ARRAY) && s->u.first ?
		       json_get_str(s->u.first, "signature") : NULL;
		hash = path_str(spec, PATH("payloadHash", "value"));
	} else if (!b->is_dsse && !strcmp(kind, "hashedrekord") &&
		   !strcmp(api, "0.0.1")) {
		bsig = path_str(spec, PATH("signature", "content"));
		hash = path_str(spec, PATH("data", "hash", "value"));
	} else if (!strcmp(api, "0.0.2") &&
		   (b->is_dsse ? !strcmp(kind, "dsse") :
				 !strcmp(kind, "hashedrekord"))) {
		/* Rekor v2 bodies are protobuf JSON: digests are base64 */
		const struct json_value *e = json_get(spec, b->is_dsse ?
						      "dsseV002" : "hashedRekordV002");
		const struct json_value *s = json_get(e, "signatures");

		if (b->is_dsse) {
			bsig = json_is(s, JSON_ARRAY) && s->u.first ?
			       json_get_str(s->u.first, "content") : NULL;
			hash = b64_hex(path_str(e, PATH("payloadHash", "digest")),
				       v2hash);
		} else {
			bsig = path_str(e, PATH("signature", "content"));
			hash = b64_hex(path_str(e, PATH("data", "digest")), v2hash);
		}
	} else {
		rc = prov_fail(v, PROV_STEP_TLOG_BODY,
			       "entry %lld: unsupported entry kind %.40s/%.40s",
			       (long long)t->log_index, kind, api);
		goto done;
	}
	if (decode_sig(bsig, twice, got, &glen) != 0 || glen != siglen ||
	    memcmp(got, sig, siglen) != 0) {
		rc = prov_fail(v, PROV_STEP_TLOG_BODY,
			       "entry %lld: the logged signature is not the bundle's",
			       (long long)t->log_index);
		goto done;
	}
	if (!hex_eq(hash, want_hash)) {
		rc = prov_fail(v, PROV_STEP_TLOG_BODY,
			       "entry %lld: the logged payload hash is not the bundle's",
			       (long long)t->log_index);
		goto done;
	}
done:
	prov_json_release(&j);
	return rc;
}

/* ---- certificate ---- */

static int
verify_chain(const struct prov_bundle *b, const struct prov_trusted_root *root,
	     int64_t t, struct prov_verdict *v, X509 **issuer)
{
	int err = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, time_err = 0;
	int tried = 0;
	size_t i;
	char when[32];

	*issuer = NULL;
	for (i = 0; i < root->ncas && !*issuer; i++) {
		const struct prov_ca *ca = &root->cas[i];
		X509_STORE_CTX *ctx;
		X509_VERIFY_PARAM *param;

		if (t < ca->start || t > ca->end)
			continue;
		tried++;
		ctx = X509_STORE_CTX_new();
		if (!ctx || X509_STORE_CTX_init(ctx, ca->store, b->leaf, NULL) != 1) {
			X509_STORE_CTX_free(ctx);
			continue;
		}
		param = X509_STORE_CTX_get0_param(ctx);
		/* Fulcio certificates live ten minutes: judge them at the
		 * log's verified time, never now. */
		X509_VERIFY_PARAM_set_time(param, (time_t)t);
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
		if (X509_verify_cert(ctx) == 1) {
			STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);

			if (sk_X509_num(chain) >= 2) {
				*issuer = sk_X509_value(chain, 1);
				X509_up_ref(*issuer);
			}
		} else {
			err = X509_STORE_CTX_get_error(ctx);
			if (err == X509_V_ERR_CERT_NOT_YET_VALID ||
			    err == X509_V_ERR_CERT_HAS_EXPIRED)
				time_err = err;
		}
		X509_STORE_CTX_free(ctx);
	}
	ERR_clear_error();
	if (*issuer)
		return 0;
	prov_format_time(when, sizeof(when), t);
	if (time_err)
		return prov_fail(v, PROV_STEP_CERT_VALIDITY,
				 "certificate not valid at the integrated time %s: %s",
				 when, X509_verify_cert_error_string(time_err));
	if (!tried)
		return prov_fail(v, PROV_STEP_CERT_CHAIN,
				 "no certificate authority of the trusted root was valid at %s",
				 when);
	return prov_fail(v, PROV_STEP_CERT_CHAIN,
			 "certificate does not chain to the trusted root: %s",
			 X509_verify_cert_error_string(err));
}

static int
verify_cert(const struct prov_bundle *b, const struct prov_trusted_root *root,
	    int64_t t, struct prov_verdict *v)
{
	X509 *issuer = NULL;
	char why[160];
	int rc;

	if ((rc = verify_chain(b, root, t, v, &issuer)) != 0)
		return rc;
	if (!v->id.san) {
		rc = prov_fail(v, PROV_STEP_CERT_CHAIN,
			       "certificate has no subject alternative name");
		goto done;
	}
	/* OpenSSL 3.0 has no code-signing purpose: check the EKU by hand. */
	if (!(X509_get_extension_flags(b->leaf) & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(b->leaf) & XKU_CODE_SIGN)) {
		rc = prov_fail(v, PROV_STEP_EKU,
			       "certificate is not for code signing");
		goto done;
	}
	if (prov_sct_verify(b->leaf_der, b->leaf_der_len, issuer, root, why,
			    sizeof(why)) != 0)
		rc = prov_fail(v, PROV_STEP_SCT, "%s", why);
done:
	X509_free(issuer);
	ERR_clear_error();
	return rc;
}

/* ---- the signature itself ---- */

static int
verify_signature(const struct prov_bundle *b, EVP_PKEY *key,
		 const struct prov_expect *ex, unsigned char *sig,
		 size_t *siglen, struct prov_verdict *v)
{
	enum prov_step step = b->is_dsse ? PROV_STEP_DSSE : PROV_STEP_SIGNATURE;
	size_t n = strlen(b->sig_b64);
	int ok;

	if (n > 2 * SIG_MAX || PROV_B64_DECODED_MAX(n) > SIG_MAX + 3 ||
	    prov_b64_decode(b->sig_b64, n, sig, siglen) != 0)
		return prov_fail(v, step, "signature is not base64");
	if (b->is_dsse) {
		struct strbuf pae;

		strbuf_init(&pae, PROV_BUNDLE_MAX + 256);
		strbuf_addf(&pae, "DSSEv1 %zu %s %zu ", strlen(b->payload_type),
			    b->payload_type, b->payload_len);
		strbuf_add(&pae, b->payload, b->payload_len);
		ok = prov_sig_verify(key, (const unsigned char *)pae.buf, pae.len,
				     sig, *siglen);
		strbuf_release(&pae);
		if (!ok)
			return prov_fail(v, step,
					 "envelope signature does not verify");
		return 0;
	}
	if (!b->md)
		return prov_fail(v, step,
				 "message signature without a digest: the artifact is needed");
	if (strcmp(b->md_alg, "SHA2_256") != 0 || b->md_len != 32)
		return prov_fail(v, step, "message digest algorithm %.40s unsupported",
				 b->md_alg);
	if (ex && ex->digest) {
		char hex[65];

		prov_hex(hex, b->md, 32);
		if (strncmp(ex->digest, "sha256:", 7) != 0 ||
		    !hex_eq(ex->digest + 7, hex))
			return prov_fail(v, PROV_STEP_SUBJECT_DIGEST,
					 "message digest sha256:%.16s... is not %.80s",
					 hex, ex->digest);
	}
	if (!prov_sig_verify_prehashed(key, b->md, b->md_len, sig, *siglen))
		return prov_fail(v, step, "message signature does not verify");
	return 0;
}

/* ---- the whole bundle ---- */

static int
check_shape(const struct prov_bundle *b, struct prov_verdict *v)
{
	size_t i;

	for (i = 0; i < b->nentries; i++) {
		const struct prov_tlog_entry *t = &b->entries[i];

		if (b->minor == 1 && !t->set_b64)
			return prov_fail(v, PROV_STEP_BUNDLE,
					 "v0.1 bundle entry %lld has no inclusionPromise",
					 (long long)t->log_index);
		if (b->minor >= 2 && (!t->has_proof || !t->checkpoint))
			return prov_fail(v, PROV_STEP_BUNDLE,
					 "v0.%d bundle entry %lld has no inclusion proof with a checkpoint",
					 b->minor, (long long)t->log_index);
	}
	if (b->minor >= 3 && b->material == PROV_MAT_CERT && !b->leaf)
		return prov_fail(v, PROV_STEP_BUNDLE, "bundle has no certificate");
	return 0;
}

static int
registry_key(const struct prov_bundle *b, const struct prov_keys *keys,
	     const struct prov_key_int **key, struct prov_verdict *v)
{
	*key = NULL;
	if (b->material == PROV_MAT_KEY) {
		*key = prov_keys_find_int(keys, b->hint, PROV_KEY_ATTESTATIONS);
		if (!*key)
			return prov_fail(v, PROV_STEP_REGISTRY_KEY,
					 "key hint \"%.80s\" matches no registry key",
					 b->hint);
		v->id.key_id = mempool_strdup(&v->pool, (*key)->pub.keyid);
		if (b->keyid[0] && strcmp(b->keyid, b->hint) != 0)
			return prov_fail(v, PROV_STEP_REGISTRY_KEY,
					 "signature key id \"%.80s\" is not the key hint \"%.80s\"",
					 b->keyid, b->hint);
		return 0;
	}
	/* npm rejects any signature whose keyid is not a registry key, even
	 * one made with a certificate (pacote EMISSINGSIGNATUREKEY). */
	if (b->keyid[0] && keys) {
		*key = prov_keys_find_int(keys, b->keyid, PROV_KEY_ATTESTATIONS);
		if (!*key)
			return prov_fail(v, PROV_STEP_REGISTRY_KEY,
					 "signature key id \"%.80s\" matches no registry key",
					 b->keyid);
	}
	return 0;
}

static int
verify_times(const struct prov_bundle *b, const struct prov_trusted_root *root,
	     struct prov_verdict *v)
{
	size_t i;
	int have;

	for (i = 0; i < b->nentries; i++) {
		const struct prov_tlog_entry *t = &b->entries[i];
		const struct prov_log *log;
		char when[32];

		log = prov_log_find(root->tlogs, root->ntlogs, t->log_id,
				    t->log_id_len, t->integrated_time);
		if (!log) {
			/* Without a SET (Rekor v2) the checkpoint is what ties
			 * the entry to a log. */
			if (t->integrated_time >= 0)
				prov_format_time(when, sizeof(when), t->integrated_time);
			else
				snprintf(when, sizeof(when), "any time");
			return prov_fail(v, t->set_b64 ? PROV_STEP_SET :
					 PROV_STEP_CHECKPOINT,
					 "entry %lld is from a log not in the trusted root at %s",
					 (long long)t->log_index, when);
		}
		if (!t->set_b64)
			continue;
		if (t->integrated_time < 0)
			return prov_fail(v, PROV_STEP_SET,
					 "entry %lld has a SET but no integratedTime",
					 (long long)t->log_index);
		if (!verify_set(t, log, &v->pool))
			return prov_fail(v, PROV_STEP_SET,
					 "signed entry timestamp of entry %lld does not verify",
					 (long long)t->log_index);
		if (v->log_index < 0) {
			v->integrated_time = t->integrated_time;
			v->log_index = t->log_index;
		}
	}
	have = v->log_index >= 0;
	for (i = 0; i < b->ntsr; i++) {
		unsigned char sig[PROV_B64_DECODED_MAX(SIG_MAX) + 3];
		size_t siglen, n = strlen(b->sig_b64);
		char why[160];
		int64_t when;

		/* RFC 3161 tokens stamp the signature bytes */
		if (n > SIG_MAX || prov_b64_decode(b->sig_b64, n, sig, &siglen) != 0)
			return prov_fail(v, PROV_STEP_TIMESTAMP,
					 "the stamped signature is not base64");
		if (prov_tsa_verify(b->tsr[i], b->tsr_len[i], sig, siglen, root,
				    &when, why, sizeof(why)) != 0)
			return prov_fail(v, PROV_STEP_TIMESTAMP,
					 "RFC 3161 timestamp %zu: %s", i, why);
		if (!have) {
			v->integrated_time = when;
			have = 1;
		}
	}
	if (!have)
		return prov_fail(v, PROV_STEP_TIMESTAMP,
				 "no verified time: no tlog entry with a signed timestamp and no RFC 3161 timestamp");
	return 0;
}

int
prov_bundle_verify(const struct prov_bundle *b,
		   const struct prov_trusted_root *root,
		   const struct prov_keys *keys,
		   const struct prov_expect *expect, struct prov_verdict *v)
{
	const struct prov_key_int *key = NULL;
	struct prov_json st = {0};
	unsigned char sig[PROV_B64_DECODED_MAX(SIG_MAX) + 3];
	size_t siglen = 0, i;
	int rc;

	prov_verdict_reset(v);
	if ((rc = check_shape(b, v)) != 0)
		return rc;
	if (b->leaf)
		prov_identity_from_cert(&v->id, &v->pool, b->leaf);
	if ((rc = registry_key(b, keys, &key, v)) != 0)
		return rc;
	if (b->is_dsse) {
		prov_json_parse(&st, b->payload, b->payload_len, PROV_BUNDLE_MAX,
				"payload");
		if (st.ok)
			identity_from_statement(&v->id, &v->pool, st.doc.root);
	}
	if (expect && (expect->name || expect->integrity ||
		       (expect->digest && b->is_dsse))) {
		if (!st.ok) {
			rc = prov_fail(v, PROV_STEP_SUBJECT_NAME,
				       "payload is not an in-toto statement");
			goto done;
		}
		if ((rc = check_subject(st.doc.root, expect, v)) != 0)
			goto done;
	}
	if ((rc = verify_times(b, root, v)) != 0)
		goto done;
	if (key && key->pub.expires < v->integrated_time) {
		char a[32], c[32];

		prov_format_time(a, sizeof(a), key->pub.expires);
		prov_format_time(c, sizeof(c), v->integrated_time);
		rc = prov_fail(v, PROV_STEP_KEY_EXPIRED,
			       "registry key \"%.80s\" expired %s, before the integrated time %s",
			       key->pub.keyid, a, c);
		goto done;
	}
	if (b->material == PROV_MAT_CERT &&
	    (rc = verify_cert(b, root, v->integrated_time, v)) != 0)
		goto done;
	if ((rc = verify_signature(b, b->material == PROV_MAT_CERT ?
					 X509_get0_pubkey(b->leaf) : key->pkey,
				   expect, sig, &siglen, v)) != 0)
		goto done;
	for (i = 0; i < b->nentries; i++)
		if (b->entries[i].has_proof &&
		    (rc = verify_proof(&b->entries[i], root, v)) != 0)
			goto done;
	for (i = 0; i < b->nentries; i++)
		if ((rc = verify_body(b, &b->entries[i], sig, siglen, v)) != 0)
			goto done;
done:
	prov_json_release(&st);
	ERR_clear_error();
	return rc;
}

/* ---- timing ---- */

double
prov_bench(struct prov_bundle *const *bundles, size_t count,
	   const struct prov_expect *expects, size_t n,
	   const struct prov_trusted_root *root, const struct prov_keys *keys)
{
	struct prov_verdict v;
	struct timespec a, z;
	size_t i, r;
	double secs;

	if (!bundles || count == 0 || n == 0 || !root)
		return -1;
	prov_verdict_init(&v);
	/* CPU time of this thread: the rate of one core, whatever else the
	 * machine is doing. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (r = 0; r < n; r++)
		for (i = 0; i < count; i++)
			prov_bundle_verify(bundles[i], root, keys,
					   expects ? &expects[i] : NULL, &v);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &z);
	prov_verdict_release(&v);
	secs = (double)(z.tv_sec - a.tv_sec) + (double)(z.tv_nsec - a.tv_nsec) / 1e9;
	return secs > 0 ? (double)(count * n) / secs : -1;
}
