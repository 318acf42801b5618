#include "prov/prov_int.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

/* ---- canonical JSON: sorted keys, no whitespace ---- */

struct canon {
	EVP_MD_CTX *md;
	unsigned char buf[4096];
	size_t len;
	size_t total, max;	/* bytes written; the most allowed */
	int err;
};

static void
canon_flush(struct canon *c)
{
	if (c->len == 0)
		return;
	c->total += c->len;
	if (c->total > c->max ||
	    (c->md && EVP_DigestUpdate(c->md, c->buf, c->len) != 1))
		c->err = 1;
	c->len = 0;
}

static void
canon_put(struct canon *c, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n > 0) {
		size_t k = sizeof(c->buf) - c->len;

		if (k > n)
			k = n;
		memcpy(c->buf + c->len, s, k);
		c->len += k;
		s += k;
		n -= k;
		if (c->len == sizeof(c->buf))
			canon_flush(c);
	}
}

/*
 * Whether any of the eight bytes at p is below 0x20, '"' or '\\' (the
 * bytes canonical JSON escapes). Word-at-a-time zero-byte tests: each is
 * exact about whether such a byte exists, which is all that is asked.
 */
static int
needs_escape8(const char *p)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t x, q, b;

	memcpy(&x, p, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
		((b - ones) & ~b)) & highs ? 1 : 0;
}

static void
canon_string(struct canon *c, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	canon_put(c, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char ch;
		char esc[6];

		/* Bundle strings are mostly long base64: skip eight bytes at a
		 * time while none of them needs escaping. */
		while (n - i >= 8 && !needs_escape8(s + i))
			i += 8;
		if (i == n)
			break;
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		canon_put(c, s + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (ch) {
		case '"': esc[1] = '"'; canon_put(c, esc, 2); break;
		case '\\': esc[1] = '\\'; canon_put(c, esc, 2); break;
		case '\n': esc[1] = 'n'; canon_put(c, esc, 2); break;
		case '\r': esc[1] = 'r'; canon_put(c, esc, 2); break;
		case '\t': esc[1] = 't'; canon_put(c, esc, 2); break;
		case '\b': esc[1] = 'b'; canon_put(c, esc, 2); break;
		case '\f': esc[1] = 'f'; canon_put(c, esc, 2); break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			canon_put(c, esc, 6);
		}
	}
	canon_put(c, s + run, n - run);
	canon_put(c, "\"", 1);
}

struct member {
	const struct json_value *v;
	size_t pos;		/* in the document */
};

/* By key; duplicate keys keep their document order (qsort is not stable),
 * so the first of them stays the one json_get() finds. */
static int
member_cmp(const void *a, const void *b)
{
	const struct member *mx = a, *my = b;
	const struct json_value *x = mx->v, *y = my->v;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int r = memcmp(x->key, y->key, n);

	if (r != 0)
		return r;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return mx->pos < my->pos ? -1 : mx->pos > my->pos;
}

static void
canon_value(struct canon *c, const struct json_value *v)
{
	const struct json_value *e;
	struct member *members;
	size_t i, n;

	switch (v->type) {
	case JSON_NULL: canon_put(c, "null", 4); break;
	case JSON_TRUE: canon_put(c, "true", 4); break;
	case JSON_FALSE: canon_put(c, "false", 5); break;
	case JSON_NUMBER: canon_put(c, v->u.str, v->len); break;
	case JSON_STRING: canon_string(c, v->u.str, v->len); break;
	case JSON_ARRAY:
		canon_put(c, "[", 1);
		for (e = v->u.first; e; e = e->next) {
			if (e != v->u.first)
				canon_put(c, ",", 1);
			canon_value(c, e);
		}
		canon_put(c, "]", 1);
		break;
	case JSON_OBJECT:
		n = v->len;
		members = xcalloc(n ? n : 1, sizeof(*members));
		for (i = 0, e = v->u.first; e && i < n; e = e->next, i++) {
			members[i].v = e;
			members[i].pos = i;
		}
		n = i;
		qsort(members, n, sizeof(*members), member_cmp);
		canon_put(c, "{", 1);
		for (i = 0; i < n; i++) {
			if (i > 0)
				canon_put(c, ",", 1);
			canon_string(c, members[i].v->key, members[i].v->key_len);
			canon_put(c, ":", 1);
			canon_value(c, members[i].v);
		}
		canon_put(c, "}", 1);
		free(members);
		break;
	}
}

int
prov_canonical_json(const struct json_value *v, unsigned char out[32],
		    size_t max)
{
	struct canon c;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.max = max;
	c.md = EVP_MD_CTX_new();
	if (!c.md || EVP_DigestInit_ex(c.md, prov_md_sha256(), NULL) != 1)
		c.err = 1;
	canon_value(&c, v);
	canon_flush(&c);
	if (c.err || EVP_DigestFinal_ex(c.md, out, NULL) != 1)
		rc = ws_error_set(WS_ELIMIT, "canonical JSON too large");
	EVP_MD_CTX_free(c.md);
	return rc;
}

/* ---- bundle parsing ---- */

static unsigned char *
b64_field(struct prov_bundle *b, const struct json_value *obj,
	  const char *key, size_t max, size_t *len)
{
	const struct json_value *v = json_get(obj, key);

	if (!json_is(v, JSON_STRING))
		return NULL;
	return prov_b64_decode_pool(&b->pool, v->u.str, v->len, max, len);
}

static int
bad(const struct prov_bundle *b, const struct json_value *at, const char *what)
{
	return ws_error_set(WS_EPARSE, "%s:%u: %s", b->name, at ? at->line : 1,
			    what);
}

static int
parse_entry(struct prov_bundle *b, struct prov_tlog_entry *t,
	    const struct json_value *e)
{
	const struct json_value *kv = json_get(e, "kindVersion");
	const struct json_value *it = json_get(e, "integratedTime");
	const struct json_value *promise = json_get(e, "inclusionPromise");
	const struct json_value *proof = json_get(e, "inclusionProof");
	const struct json_value *h;
	unsigned char *p;
	size_t len, i;

	if (!json_is(e, JSON_OBJECT))
		return bad(b, e, "tlog entry is not an object");
	if (prov_json_i64(json_get(e, "logIndex"), &t->log_index) != 0 ||
	    t->log_index < 0)
		return bad(b, e, "tlog entry without a valid logIndex");
	t->log_id = b64_field(b, json_get(e, "logId"), "keyId", 64,
			      &t->log_id_len);
	if (!t->log_id || t->log_id_len == 0)
		return bad(b, e, "tlog entry without logId.keyId");
	t->kind = json_get_str(kv, "kind");
	t->kind_version = json_get_str(kv, "version");
	if (!t->kind || !t->kind_version)
		return bad(b, e, "tlog entry without kindVersion");
	t->integrated_time = -1;
	if (it && !json_is(it, JSON_NULL) &&
	    (prov_json_i64(it, &t->integrated_time) != 0 ||
	     t->integrated_time < 0))
		return bad(b, it, "bad integratedTime");
	if (promise && !json_is(promise, JSON_NULL)) {
		t->set_b64 = json_get_str(promise, "signedEntryTimestamp");
		if (!t->set_b64)
			return bad(b, promise, "inclusionPromise without signedEntryTimestamp");
	}
	t->body = b64_field(b, e, "canonicalizedBody", PROV_BUNDLE_MAX,
			    &t->body_len);
	if (!t->body)
		return bad(b, e, "tlog entry without a base64 canonicalizedBody");
	if (!proof || json_is(proof, JSON_NULL))
		return 0;
	t->has_proof = 1;
	if (prov_json_i64(json_get(proof, "logIndex"), &t->proof_index) != 0 ||
	    prov_json_i64(json_get(proof, "treeSize"), &t->tree_size) != 0 ||
	    t->proof_index < 0 || t->tree_size <= 0)
		return bad(b, proof, "inclusionProof without logIndex or treeSize");
	p = b64_field(b, proof, "rootHash", 64, &len);
	if (!p || len != 32)
		return bad(b, proof, "inclusionProof rootHash is not a SHA-256");
	memcpy(t->root_hash, p, 32);
	h = json_get(proof, "hashes");
	if (!json_is(h, JSON_ARRAY))
		return bad(b, proof, "inclusionProof without hashes");
	if (h->len > PROV_PROOF_HASHES_MAX)
		return ws_error_set(WS_ELIMIT, "%s:%u: inclusion proof longer than %u",
				    b->name, h->line, PROV_PROOF_HASHES_MAX);
	t->hashes = mempool_alloc(&b->pool, (h->len ? h->len : 1) * 32);
	for (i = 0, h = h->u.first; h; h = h->next, i++) {
		if (!json_is(h, JSON_STRING) ||
		    !(p = prov_b64_decode_pool(&b->pool, h->u.str, h->len, 64,
					       &len)) ||
		    len != 32)
			return bad(b, h, "inclusionProof hash is not a SHA-256");
		memcpy(t->hashes[i], p, 32);
	}
	t->nhashes = i;
	t->checkpoint = json_get_str(json_get(proof, "checkpoint"), "envelope");
	return 0;
}

static int
parse_material(struct prov_bundle *b, const struct json_value *vm)
{
	const struct json_value *chain = json_get(vm, "x509CertificateChain");
	const struct json_value *cert = json_get(vm, "certificate");
	const struct json_value *pk = json_get(vm, "publicKey");
	const struct json_value *certs;
	const unsigned char *p;

	if (chain && !json_is(chain, JSON_NULL)) {
		certs = json_get(chain, "certificates");
		if (!json_is(certs, JSON_ARRAY) || certs->len == 0)
			return bad(b, chain, "x509CertificateChain without certificates");
		if (certs->len > PROV_CERTS_MAX)
			return ws_error_set(WS_ELIMIT, "%s:%u: more than %u certificates",
					    b->name, certs->line, PROV_CERTS_MAX);
		cert = certs->u.first;
	} else if (pk && !json_is(pk, JSON_NULL)) {
		b->material = PROV_MAT_KEY;
		b->hint = json_get_str(pk, "hint");
		if (!b->hint || !*b->hint)
			return bad(b, pk, "publicKey without hint");
		return 0;
	} else if (!cert || json_is(cert, JSON_NULL)) {
		return bad(b, vm, "verificationMaterial has no certificate or key");
	}
	b->material = PROV_MAT_CERT;
	b->leaf_der = b64_field(b, cert, "rawBytes", 65536, &b->leaf_der_len);
	if (!b->leaf_der)
		return bad(b, cert, "certificate without base64 rawBytes");
	p = b->leaf_der;
	b->leaf = d2i_X509(NULL, &p, (long)b->leaf_der_len);
	ERR_clear_error();
	if (!b->leaf || p != b->leaf_der + b->leaf_der_len)
		return bad(b, cert, "certificate does not parse");
	return 0;
}

static int
parse_content(struct prov_bundle *b, const struct json_value *root)
{
	const struct json_value *env = json_get(root, "dsseEnvelope");
	const struct json_value *ms = json_get(root, "messageSignature");
	const struct json_value *sigs, *s;

	if (env && !json_is(env, JSON_NULL)) {
		b->is_dsse = 1;
		b->payload_type = json_get_str(env, "payloadType");
		b->payload = b64_field(b, env, "payload", PROV_BUNDLE_MAX,
				       &b->payload_len);
		if (!b->payload_type || !b->payload || b->payload_len == 0)
			return bad(b, env, "dsseEnvelope without payloadType or base64 payload");
		b->payload[b->payload_len] = '\0';
		sigs = json_get(env, "signatures");
		if (!json_is(sigs, JSON_ARRAY) || sigs->len != 1)
			return bad(b, env, "dsseEnvelope must have exactly one signature");
		s = sigs->u.first;
		b->sig_b64 = json_get_str(s, "sig");
		if (!b->sig_b64 || !*b->sig_b64)
			return bad(b, s, "dsse signature is empty");
		b->keyid = json_get_str(s, "keyid");
		if (!b->keyid)
			b->keyid = "";
		return 0;
	}
	if (ms && !json_is(ms, JSON_NULL)) {
		const struct json_value *md = json_get(ms, "messageDigest");

		b->sig_b64 = json_get_str(ms, "signature");
		if (!b->sig_b64 || !*b->sig_b64)
			return bad(b, ms, "messageSignature without signature");
		b->keyid = "";
		if (md && !json_is(md, JSON_NULL)) {
			b->md_alg = json_get_str(md, "algorithm");
			b->md = b64_field(b, md, "digest", 64, &b->md_len);
			if (!b->md_alg || !b->md)
				return bad(b, md, "messageDigest without algorithm or digest");
		}
		return 0;
	}
	return bad(b, root, "bundle has neither dsseEnvelope nor messageSignature");
}

/* timestampVerificationData.rfc3161Timestamps[].signedTimestamp */
static int
parse_timestamps(struct prov_bundle *b, const struct json_value *tvd)
{
	const struct json_value *arr = json_get(tvd, "rfc3161Timestamps"), *e;

	if (!arr || json_is(arr, JSON_NULL))
		return 0;
	if (!json_is(arr, JSON_ARRAY))
		return bad(b, arr, "rfc3161Timestamps is not an array");
	if (arr->len > PROV_TIMESTAMPS_MAX)
		return ws_error_set(WS_ELIMIT, "%s:%u: more than %u timestamps",
				    b->name, arr->line, PROV_TIMESTAMPS_MAX);
	for (e = arr->u.first; e; e = e->next) {
		b->tsr[b->ntsr] = b64_field(b, e, "signedTimestamp", 65536,
					    &b->tsr_len[b->ntsr]);
		if (!b->tsr[b->ntsr] || b->tsr_len[b->ntsr] == 0)
			return bad(b, e, "timestamp without base64 signedTimestamp");
		b->ntsr++;
	}
	return 0;
}

/* md: the canonical digest of root when the caller has it, else NULL */
static int
parse_bundle(struct prov_bundle *b, const struct json_value *root,
	     const unsigned char *md)
{
	const struct json_value *vm = json_get(root, "verificationMaterial");
	const struct json_value *tl, *e;
	unsigned char own[32];
	size_t i;
	int rc;

	if (!json_is(root, JSON_OBJECT))
		return bad(b, root, "bundle is not an object");
	b->media_type = json_get_str(root, "mediaType");
	if (!b->media_type)
		return bad(b, root, "bundle without mediaType");
	if (!strcmp(b->media_type, "application/vnd.dev.sigstore.bundle+json;version=0.1"))
		b->minor = 1;
	else if (!strcmp(b->media_type, "application/vnd.dev.sigstore.bundle+json;version=0.2"))
		b->minor = 2;
	else if (!strcmp(b->media_type, "application/vnd.dev.sigstore.bundle+json;version=0.3") ||
		 !strcmp(b->media_type, "application/vnd.dev.sigstore.bundle.v0.3+json"))
		b->minor = 3;
	else
		return bad(b, root, "unsupported bundle mediaType");
	if (!json_is(vm, JSON_OBJECT))
		return bad(b, root, "bundle without verificationMaterial");
	if ((rc = parse_material(b, vm)) != 0 ||
	    (rc = parse_content(b, root)) != 0)
		return rc;
	tl = json_get(vm, "tlogEntries");
	if (tl && !json_is(tl, JSON_NULL)) {
		if (!json_is(tl, JSON_ARRAY))
			return bad(b, tl, "tlogEntries is not an array");
		if (tl->len > PROV_TLOG_ENTRIES_MAX)
			return ws_error_set(WS_ELIMIT, "%s:%u: more than %u tlog entries",
					    b->name, tl->line, PROV_TLOG_ENTRIES_MAX);
		b->entries = mempool_calloc(&b->pool,
					    (tl->len ? tl->len : 1) * sizeof(*b->entries));
		for (i = 0, e = tl->u.first; e; e = e->next, i++)
			if ((rc = parse_entry(b, &b->entries[i], e)) != 0)
				return rc;
		b->nentries = i;
	}
	if ((rc = parse_timestamps(b, json_get(vm, "timestampVerificationData"))) != 0)
		return rc;
	if (!md) {
		if ((rc = prov_canonical_json(root, own, SIZE_MAX)) != 0)
			return rc;
		md = own;
	}
	prov_hex(b->digest, md, 32);
	return 0;
}

void
prov_bundle_free(struct prov_bundle *b)
{
	if (!b)
		return;
	X509_free(b->leaf);
	if (b->buf)
		json_doc_release(&b->doc);
	mempool_release(&b->pool);
	free(b->buf);
	free(b);
}

static struct prov_bundle *
bundle_new(const char *name)
{
	struct prov_bundle *b = xcalloc(1, sizeof(*b));

	mempool_init(&b->pool, 16384);
	b->name = mempool_strdup(&b->pool, name);
	return b;
}

int
prov_bundle_parse(struct prov_bundle **out, const char *buf, size_t len,
		  const char *name)
{
	struct prov_bundle *b;
	int rc;

	*out = NULL;
	if (len > PROV_BUNDLE_MAX)
		return ws_error_set(WS_ELIMIT, "%s: bundle larger than %u bytes",
				    name, PROV_BUNDLE_MAX);
	b = bundle_new(name);
	b->buf = xmalloc(len + 1);
	memcpy(b->buf, buf, len);
	b->buf[len] = '\0';
	rc = json_parse(&b->doc, b->buf, len, b->name, 0);
	if (rc != 0) {
		memset(&b->doc, 0, sizeof(b->doc));
		prov_bundle_free(b);
		return rc;
	}
	rc = parse_bundle(b, b->doc.root, NULL);
	if (rc != 0) {
		prov_bundle_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

static int
bundle_parse_any(void *out, const char *buf, size_t len, const char *name)
{
	return prov_bundle_parse(out, buf, len, name);
}

int
prov_bundle_load(struct prov_bundle **out, const char *path)
{
	*out = NULL;
	return prov_load_file(path, PROV_BUNDLE_MAX, bundle_parse_any, out);
}

const char *
prov_bundle_digest(const struct prov_bundle *b)
{
	return b->digest;
}

const char *
prov_bundle_media_type(const struct prov_bundle *b)
{
	return b->media_type;
}

int
prov_bundle_is_dsse(const struct prov_bundle *b)
{
	return b->is_dsse;
}

/* ---- attestation responses ---- */

void
prov_attestations_release(struct prov_attestations *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->count; i++)
		prov_bundle_free(a->items[i].bundle);
	if (a->json) {
		prov_json_release(a->json);
		free(a->json);
	}
	mempool_release(&a->pool);
	memset(a, 0, sizeof(*a));
}

static int
parse_attestations(struct prov_attestations *a, const struct json_value *root,
		   const char *name)
{
	const struct json_value *arr = json_get(root, "attestations"), *e;
	size_t i;

	if (!json_is(arr, JSON_ARRAY))
		return ws_error_set(WS_EPARSE, "%s: no \"attestations\" array", name);
	if (arr->len > PROV_ATTESTATIONS_MAX)
		return ws_error_set(WS_ELIMIT, "%s:%u: more than %u attestations",
				    name, arr->line, PROV_ATTESTATIONS_MAX);
	a->items = mempool_calloc(&a->pool, (arr->len ? arr->len : 1) *
					    sizeof(*a->items));
	for (i = 0, e = arr->u.first; e; e = e->next, i++) {
		struct prov_attestation *it = &a->items[i];
		const struct json_value *bv = json_get(e, "bundle");
		const char *pt = json_get_str(e, "predicateType");
		unsigned char md[32];
		char label[64];

		a->count = i + 1;
		it->predicate_type = mempool_strdup(&a->pool, pt ? pt : "");
		if (!json_is(bv, JSON_OBJECT)) {
			it->error = mempool_printf(&a->pool,
						   "%s:%u: attestation without a bundle",
						   name, e->line);
			continue;
		}
		/* The verdict cache keys on the canonical digest. The bundle
		 * is read from the response's own tree, which lives as long
		 * as the attestations: no copy, no second parse. */
		if (prov_canonical_json(bv, md, PROV_BUNDLE_MAX) != 0) {
			it->error = mempool_printf(&a->pool,
						   "%s:%u: bundle larger than %u bytes",
						   name, bv->line, PROV_BUNDLE_MAX);
			continue;
		}
		snprintf(label, sizeof(label), "%.40s#%zu", name, i);
		it->bundle = bundle_new(label);
		if (parse_bundle(it->bundle, bv, md) != 0) {
			it->error = mempool_strdup(&a->pool, ws_error_last());
			prov_bundle_free(it->bundle);
			it->bundle = NULL;
		}
	}
	return 0;
}

int
prov_attestations_parse(struct prov_attestations *out, const char *buf,
			size_t len, const char *name)
{
	int rc;

	memset(out, 0, sizeof(*out));
	mempool_init(&out->pool, 4096);
	out->json = xmalloc(sizeof(*out->json));
	rc = prov_json_parse(out->json, buf, len, PROV_DOC_MAX, name);
	if (rc == 0)
		rc = parse_attestations(out, out->json->doc.root, name);
	return rc;
}
