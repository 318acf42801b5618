/*
 * mkpki: a Sigstore-like test PKI for wormsign's verify tests, made with
 * OpenSSL on every run (no key or certificate is checked in).
 *
 *     mkpki SPEC.json OUTDIR
 *
 * This is the PRODUCER side and is written independently of src/prov (the
 * verifier): it builds every structure from the specifications (Sigstore
 * bundle and trusted root protos, DSSE, in-toto, SLSA v1, RFC 6962, RFC
 * 6962 SCTs, Fulcio's OIDs, npm's registry signatures), so a mistake shared
 * by both sides is less likely to hide.
 *
 * SPEC.json:
 *   {"packages": [{
 *      "name": "@scope/pkg", "version": "1.2.0",
 *      "time": 1767225600,              publish = integrated time (epoch s)
 *      "repo": "org/repo",              source repository on github
 *      "workflow": ".github/workflows/release.yml",
 *      "ref": "refs/tags/v1.2.0",
 *      "trigger": "push",               build trigger (event_name)
 *      "runner": "github-hosted",       or "self-hosted"
 *      "provenance": true,              false: no attestations at all
 *      "publish": true,                 false: no publish attestation
 *      "variant": "valid",              see below
 *      "signature": "valid"}]}          valid | bad | unknown-key |
 *                                       expired-key | none
 *
 * variant (applies to the provenance bundle):
 *   valid        everything verifies
 *   drift        workflow .github/workflows/pr.yml, trigger
 *                pull_request_target (a valid bundle with another identity)
 *   self-hosted  runner environment self-hosted (valid bundle)
 *   expired      the leaf certificate expired before the integrated time
 *   bad-set      the Rekor SET signs other bytes
 *   bad-proof    one hash of the inclusion proof is wrong
 *   tampered     the DSSE payload was changed after signing
 *   subject      the statement's sha512 is not the tarball's
 *   rogue-ca     the leaf is issued by a CA outside the trusted root
 *
 * OUTDIR (created) receives, in the loopback registry's layout
 * (tests/registry/server.py):
 *   trusted_root.json            the CA chain, Rekor key and CT log key
 *   _keys.json                   registry keys, /-/npm/v1/keys shape
 *   keys.tuf.json                the same keys, TUF keys.json shape
 *   _attestations/<n>@<v>.json   {attestations:[{predicateType,bundle}]}
 *   bundles/<n>@<v>.provenance.sigstore.json  the provenance bundle alone
 *   packages.json                [{name, version, time, integrity,
 *                                  sha512, signatures, attestations}]
 * where <n> is the name with '/' written as "%2f".
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "json/json.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MKPKI_SPEC_MAX (1u << 20)
#define MKPKI_PACKAGES_MAX 10000
#define ORIGIN "rekor.test - 4242"
#define ORIGIN_NAME "rekor.test"
#define PROV_V1 "https://slsa.dev/provenance/v1"
#define PUBLISH_V01 "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
#define INTOTO "application/vnd.in-toto+json"
#define SCT_OID "1.3.6.1.4.1.11129.2.4.2"
#define CA_NOT_BEFORE 1577836800	/* 2020-01-01 */
#define CA_NOT_AFTER 2208988800		/* 2040-01-01 */
#define OLD_KEY_EXPIRES 1735689600	/* 2025-01-01: the expired registry key */

static void
die(const char *what)
{
	fprintf(stderr, "mkpki: %s\n", what);
	exit(1);
}

/* ---- bytes ---- */

struct bytes {
	unsigned char *p;
	size_t n;
};

static void
bytes_free(struct bytes *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

static char *
b64(const unsigned char *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

static char *
hexs(const unsigned char *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	char *out = xmalloc(2 * n + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

static void
sha256(const void *p, size_t n, unsigned char out[32])
{
	if (!EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL))
		die("sha256");
}

static void
sha512(const void *p, size_t n, unsigned char out[64])
{
	if (!EVP_Digest(p, n, out, NULL, EVP_sha512(), NULL))
		die("sha512");
}

/* A JSON string literal of s (quotes included), malloc'd. */
static char *
jstr(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(JSON_ESCAPED_MAX(n) + 1);
	char *end = json_escape_to(out, s, n);

	*end = '\0';
	return out;
}

static void
add_jstr(struct strbuf *sb, const char *s)
{
	char *q = jstr(s);

	strbuf_addstr(sb, q);
	free(q);
}

/* ---- keys and signatures ---- */

static EVP_PKEY *
ec_key(const char *curve)
{
	EVP_PKEY *k = EVP_EC_gen(curve);

	if (!k)
		die("EC key generation failed");
	return k;
}

static struct bytes
spki_der(EVP_PKEY *k)
{
	struct bytes b = { NULL, 0 };
	unsigned char *p = NULL;
	int n = i2d_PUBKEY(k, &p);

	if (n <= 0)
		die("i2d_PUBKEY");
	b.p = xmalloc((size_t)n);
	memcpy(b.p, p, (size_t)n);
	b.n = (size_t)n;
	OPENSSL_free(p);
	return b;
}

/* SHA-256 of the key's SubjectPublicKeyInfo: Rekor and CT log ids. */
static void
key_id(EVP_PKEY *k, unsigned char out[32])
{
	struct bytes d = spki_der(k);

	sha256(d.p, d.n, out);
	bytes_free(&d);
}

/* ECDSA over SHA-256 (SHA-384 for P-384 keys is not needed here), DER. */
static struct bytes
sign(EVP_PKEY *k, const void *msg, size_t n)
{
	struct bytes s = { NULL, 0 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = 0;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, msg, n) != 1)
		die("sign init");
	s.p = xmalloc(len);
	if (EVP_DigestSign(ctx, s.p, &len, msg, n) != 1)
		die("sign");
	s.n = len;
	EVP_MD_CTX_free(ctx);
	return s;
}

static char *
sign_b64(EVP_PKEY *k, const void *msg, size_t n)
{
	struct bytes s = sign(k, msg, n);
	char *out = b64(s.p, s.n);

	bytes_free(&s);
	return out;
}

/* npm's key id: "SHA256:" + unpadded base64 of the SPKI's SHA-256. */
static char *
npm_keyid(EVP_PKEY *k)
{
	unsigned char h[32];
	char *b, *out;
	size_t n;

	key_id(k, h);
	b = b64(h, 32);
	n = strlen(b);
	while (n && b[n - 1] == '=')
		b[--n] = '\0';
	out = xmalloc(n + 8);
	snprintf(out, n + 8, "SHA256:%s", b);
	free(b);
	return out;
}

/* ---- certificates ---- */

static void
set_serial(X509 *x)
{
	unsigned char r[16];
	BIGNUM *bn;

	if (RAND_bytes(r, sizeof(r)) != 1)
		die("RAND_bytes");
	r[0] &= 0x7f;
	bn = BN_bin2bn(r, sizeof(r), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		die("serial");
	BN_free(bn);
}

static void
add_conf_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e || !X509_add_ext(x, e, -1))
		die("extension");
	X509_EXTENSION_free(e);
}

static void
add_raw_ext(X509 *x, const char *oid, int critical, const unsigned char *p,
	    size_t n)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;

	if (!obj || !os || !ASN1_OCTET_STRING_set(os, p, (int)n))
		die("raw extension");
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, critical, os);
	if (!e || !X509_add_ext(x, e, -1))
		die("raw extension add");
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

/* Fulcio 1.3.6.1.4.1.57264.1.N: N <= 6 raw bytes, N >= 8 DER UTF8String. */
static void
add_fulcio_ext(X509 *x, int n, const char *value)
{
	char oid[64];
	size_t len = strlen(value);

	snprintf(oid, sizeof(oid), "1.3.6.1.4.1.57264.1.%d", n);
	if (n <= 6) {
		add_raw_ext(x, oid, 0, (const unsigned char *)value, len);
	} else {
		ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();
		unsigned char *der = NULL;
		int dn;

		if (!u || !ASN1_STRING_set(u, value, (int)len))
			die("utf8string");
		dn = i2d_ASN1_UTF8STRING(u, &der);
		if (dn <= 0)
			die("utf8string der");
		add_raw_ext(x, oid, 0, der, (size_t)dn);
		OPENSSL_free(der);
		ASN1_UTF8STRING_free(u);
	}
}

static X509_NAME *
make_name(const char *org, const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (!n || !X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
					      (const unsigned char *)org, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
					(const unsigned char *)cn, -1, -1, 0))
		die("name");
	return n;
}

static X509 *
make_ca(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
	int intermediate)
{
	X509 *x = X509_new();
	X509_NAME *name = make_name("sigstore.test", cn);

	if (!x)
		die("X509_new");
	X509_set_version(x, 2);
	set_serial(x);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	ASN1_TIME_set(X509_getm_notBefore(x), CA_NOT_BEFORE);
	ASN1_TIME_set(X509_getm_notAfter(x), CA_NOT_AFTER);
	X509_set_pubkey(x, key);
	add_conf_ext(x, issuer ? issuer : x, NID_basic_constraints,
		     intermediate ? "critical,CA:TRUE,pathlen:0" : "critical,CA:TRUE,pathlen:1");
	add_conf_ext(x, issuer ? issuer : x, NID_key_usage, "critical,keyCertSign,cRLSign");
	add_conf_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
	if (intermediate) {
		add_conf_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
		add_conf_ext(x, issuer, NID_ext_key_usage, "codeSigning");
	}
	if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha384()))
		die("CA sign");
	X509_NAME_free(name);
	return x;
}

static struct bytes
cert_der(X509 *x)
{
	struct bytes b = { NULL, 0 };
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	if (n <= 0)
		die("i2d_X509");
	b.p = xmalloc((size_t)n);
	memcpy(b.p, p, (size_t)n);
	b.n = (size_t)n;
	OPENSSL_free(p);
	return b;
}

static char *
cert_b64(X509 *x)
{
	struct bytes d = cert_der(x);
	char *out = b64(d.p, d.n);

	bytes_free(&d);
	return out;
}

static char *
cert_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *out;
	long n;

	if (!bio || !PEM_write_bio_X509(bio, x))
		die("PEM");
	n = BIO_get_mem_data(bio, &data);
	out = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return out;
}

static char *
pubkey_pem(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *out;
	long n;

	if (!bio || !PEM_write_bio_PUBKEY(bio, k))
		die("PEM");
	n = BIO_get_mem_data(bio, &data);
	out = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return out;
}

static void
put16(struct strbuf *sb, size_t v)
{
	strbuf_addch(sb, (int)((v >> 8) & 0xff));
	strbuf_addch(sb, (int)(v & 0xff));
}

static void
put24(struct strbuf *sb, size_t v)
{
	strbuf_addch(sb, (int)((v >> 16) & 0xff));
	put16(sb, v);
}

static void
put64(struct strbuf *sb, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--)
		strbuf_addch(sb, (int)((v >> (8 * i)) & 0xff));
}

/* ---- the PKI ---- */

struct pki {
	EVP_PKEY *root_key, *inter_key;
	X509 *root, *inter;
	EVP_PKEY *rogue_key;	/* a CA the trusted root does not know */
	X509 *rogue;
	EVP_PKEY *rekor, *ctlog;
	unsigned char rekor_id[32], ctlog_id[32];
	EVP_PKEY *reg, *reg_old, *stranger;	/* registry keys; stranger unpublished */
	char *reg_keyid, *reg_old_keyid, *stranger_keyid;
};

struct identity {
	const char *repo, *workflow, *ref, *trigger, *runner, *sha;
};

/*
 * The Fulcio leaf for id, valid [t0, t1], with an embedded SCT whose
 * signature covers the certificate as issued without the SCT extension
 * (RFC 6962 3.2, precert_entry signed directly by the issuing CA).
 */
static X509 *
make_leaf(struct pki *pki, EVP_PKEY *key, const struct identity *id,
	  int64_t t0, int64_t t1, int64_t sct_time, X509 *ca, EVP_PKEY *ca_key)
{
	X509 *x = X509_new();
	X509_NAME *empty = X509_NAME_new();
	struct strbuf sb, sct, list, signed_data;
	unsigned char *tbs = NULL, ikh[32], *osder = NULL;
	struct bytes ispki, sig;
	ASN1_OCTET_STRING *os;
	char server[512];
	int tbslen, osn;
	const char *hosted = strcmp(id->runner, "self-hosted") ? "github-hosted" : "self-hosted";

	strbuf_init(&sb, (size_t)-1);
	X509_set_version(x, 2);
	set_serial(x);
	X509_set_subject_name(x, empty);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)t0);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)t1);
	X509_set_pubkey(x, key);
	add_conf_ext(x, ca, NID_key_usage, "critical,digitalSignature");
	add_conf_ext(x, ca, NID_ext_key_usage, "codeSigning");
	add_conf_ext(x, ca, NID_subject_key_identifier, "hash");
	add_conf_ext(x, ca, NID_authority_key_identifier, "keyid:always");
	strbuf_addf(&sb, "critical,URI:https://github.com/%s/%s@%s", id->repo,
		    id->workflow, id->ref);
	add_conf_ext(x, ca, NID_subject_alt_name, sb.buf);
	snprintf(server, sizeof(server), "https://github.com/%s", id->repo);

	add_fulcio_ext(x, 1, "https://token.actions.githubusercontent.com");
	add_fulcio_ext(x, 2, id->trigger);
	add_fulcio_ext(x, 3, id->sha);
	add_fulcio_ext(x, 4, "release");
	add_fulcio_ext(x, 5, id->repo);
	add_fulcio_ext(x, 6, id->ref);
	add_fulcio_ext(x, 8, "https://token.actions.githubusercontent.com");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/%s@%s", server, id->workflow, id->ref);
	add_fulcio_ext(x, 9, sb.buf);
	add_fulcio_ext(x, 10, id->sha);
	add_fulcio_ext(x, 11, hosted);
	add_fulcio_ext(x, 12, server);
	add_fulcio_ext(x, 13, id->sha);
	add_fulcio_ext(x, 14, id->ref);
	add_fulcio_ext(x, 15, "123456789");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "https://github.com/%.*s", (int)strcspn(id->repo, "/"), id->repo);
	add_fulcio_ext(x, 16, sb.buf);
	add_fulcio_ext(x, 17, "987654");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/%s@%s", server, id->workflow, id->ref);
	add_fulcio_ext(x, 18, sb.buf);
	add_fulcio_ext(x, 19, id->sha);
	add_fulcio_ext(x, 20, id->trigger);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/actions/runs/1/attempts/1", server);
	add_fulcio_ext(x, 21, sb.buf);
	add_fulcio_ext(x, 22, "public");

	/* the TBS as signed, without the SCT */
	if (!X509_sign(x, ca_key, EVP_sha384()))
		die("leaf sign");
	tbslen = i2d_re_X509_tbs(x, &tbs);
	if (tbslen <= 0)
		die("tbs");
	ispki = spki_der(ca_key);
	sha256(ispki.p, ispki.n, ikh);
	bytes_free(&ispki);

	strbuf_init(&signed_data, (size_t)-1);
	strbuf_addch(&signed_data, 0);		/* v1 */
	strbuf_addch(&signed_data, 0);		/* certificate_timestamp */
	put64(&signed_data, (uint64_t)sct_time * 1000);
	put16(&signed_data, 1);			/* precert_entry */
	strbuf_add(&signed_data, ikh, 32);
	put24(&signed_data, (size_t)tbslen);
	strbuf_add(&signed_data, tbs, (size_t)tbslen);
	put16(&signed_data, 0);			/* no extensions */
	sig = sign(pki->ctlog, signed_data.buf, signed_data.len);

	strbuf_init(&sct, (size_t)-1);
	strbuf_addch(&sct, 0);
	strbuf_add(&sct, pki->ctlog_id, 32);
	put64(&sct, (uint64_t)sct_time * 1000);
	put16(&sct, 0);
	strbuf_addch(&sct, 4);	/* sha256 */
	strbuf_addch(&sct, 3);	/* ecdsa */
	put16(&sct, sig.n);
	strbuf_add(&sct, sig.p, sig.n);
	strbuf_init(&list, (size_t)-1);
	put16(&list, sct.len + 2);
	put16(&list, sct.len);
	strbuf_add(&list, sct.buf, sct.len);

	/* extnValue holds an OCTET STRING that holds the TLS list */
	os = ASN1_OCTET_STRING_new();
	if (!os || !ASN1_OCTET_STRING_set(os, (unsigned char *)list.buf, (int)list.len))
		die("sct octets");
	osn = i2d_ASN1_OCTET_STRING(os, &osder);
	if (osn <= 0)
		die("sct der");
	add_raw_ext(x, SCT_OID, 0, osder, (size_t)osn);
	if (!X509_sign(x, ca_key, EVP_sha384()))
		die("leaf sign");

	OPENSSL_free(osder);
	ASN1_OCTET_STRING_free(os);
	OPENSSL_free(tbs);
	bytes_free(&sig);
	strbuf_release(&signed_data);
	strbuf_release(&sct);
	strbuf_release(&list);
	strbuf_release(&sb);
	X509_NAME_free(empty);
	return x;
}

static void
pki_init(struct pki *p)
{
	memset(p, 0, sizeof(*p));
	p->root_key = ec_key("P-384");
	p->inter_key = ec_key("P-384");
	p->root = make_ca(p->root_key, "sigstore-test-root", NULL, NULL, 0);
	p->inter = make_ca(p->inter_key, "sigstore-test-intermediate", p->root,
			   p->root_key, 1);
	p->rogue_key = ec_key("P-384");
	p->rogue = make_ca(p->rogue_key, "rogue-intermediate", NULL, NULL, 0);
	p->rekor = ec_key("P-256");
	p->ctlog = ec_key("P-256");
	key_id(p->rekor, p->rekor_id);
	key_id(p->ctlog, p->ctlog_id);
	p->reg = ec_key("P-256");
	p->reg_old = ec_key("P-256");
	p->stranger = ec_key("P-256");
	p->reg_keyid = npm_keyid(p->reg);
	p->reg_old_keyid = npm_keyid(p->reg_old);
	p->stranger_keyid = npm_keyid(p->stranger);
}

static void
pki_release(struct pki *p)
{
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->inter_key);
	EVP_PKEY_free(p->rogue_key);
	X509_free(p->root);
	X509_free(p->inter);
	X509_free(p->rogue);
	EVP_PKEY_free(p->rekor);
	EVP_PKEY_free(p->ctlog);
	EVP_PKEY_free(p->reg);
	EVP_PKEY_free(p->reg_old);
	EVP_PKEY_free(p->stranger);
	free(p->reg_keyid);
	free(p->reg_old_keyid);
	free(p->stranger_keyid);
}

/* ---- files ---- */

static void
write_file(const char *dir, const char *name, const char *text, size_t n)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(text, 1, n, fp) != n || fclose(fp) != 0) {
		fprintf(stderr, "mkpki: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "mkpki: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
iso_time(char *out, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static void
write_trusted_root(const char *dir, struct pki *p)
{
	struct strbuf sb;
	char *inter = cert_b64(p->inter), *root = cert_b64(p->root);
	struct bytes rk = spki_der(p->rekor), ck = spki_der(p->ctlog);
	char *rkb = b64(rk.p, rk.n), *ckb = b64(ck.p, ck.n);
	char *rid = b64(p->rekor_id, 32), *cid = b64(p->ctlog_id, 32);

	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb,
		"{\n  \"mediaType\": \"application/vnd.dev.sigstore.trustedroot+json;version=0.1\",\n"
		"  \"tlogs\": [{\"baseUrl\": \"https://rekor.test\", \"hashAlgorithm\": \"SHA2_256\",\n"
		"    \"publicKey\": {\"rawBytes\": \"%s\", \"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\",\n"
		"      \"validFor\": {\"start\": \"2020-01-01T00:00:00Z\"}},\n"
		"    \"logId\": {\"keyId\": \"%s\"}}],\n"
		"  \"certificateAuthorities\": [{\"subject\": {\"organization\": \"sigstore.test\", \"commonName\": \"sigstore-test-intermediate\"},\n"
		"    \"uri\": \"https://fulcio.test\",\n"
		"    \"certChain\": {\"certificates\": [{\"rawBytes\": \"%s\"}, {\"rawBytes\": \"%s\"}]},\n"
		"    \"validFor\": {\"start\": \"2020-01-01T00:00:00Z\"}}],\n"
		"  \"ctlogs\": [{\"baseUrl\": \"https://ctfe.test\", \"hashAlgorithm\": \"SHA2_256\",\n"
		"    \"publicKey\": {\"rawBytes\": \"%s\", \"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\",\n"
		"      \"validFor\": {\"start\": \"2020-01-01T00:00:00Z\"}},\n"
		"    \"logId\": {\"keyId\": \"%s\"}}],\n"
		"  \"timestampAuthorities\": []\n}\n",
		rkb, rid, inter, root, ckb, cid);
	write_file(dir, "trusted_root.json", sb.buf, sb.len);
	strbuf_release(&sb);
	free(inter);
	free(root);
	free(rkb);
	free(ckb);
	free(rid);
	free(cid);
	bytes_free(&rk);
	bytes_free(&ck);
}

static void
write_keys(const char *dir, struct pki *p)
{
	struct bytes a = spki_der(p->reg), o = spki_der(p->reg_old);
	char *ab = b64(a.p, a.n), *ob = b64(o.p, o.n);
	char old_exp[40];
	struct strbuf sb;

	iso_time(old_exp, sizeof(old_exp), OLD_KEY_EXPIRES);
	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb, "{\"keys\": [\n"
		    " {\"expires\": \"%s\", \"keyid\": \"%s\", \"keytype\": \"ecdsa-sha2-nistp256\","
		    " \"scheme\": \"ecdsa-sha2-nistp256\", \"key\": \"%s\"},\n"
		    " {\"expires\": null, \"keyid\": \"%s\", \"keytype\": \"ecdsa-sha2-nistp256\","
		    " \"scheme\": \"ecdsa-sha2-nistp256\", \"key\": \"%s\"}\n]}\n",
		    old_exp, p->reg_old_keyid, ob, p->reg_keyid, ab);
	write_file(dir, "_keys.json", sb.buf, sb.len);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "{\"keys\": [\n");
	strbuf_addf(&sb, " {\"keyId\": \"%s\", \"keyUsage\": \"npm:signatures\", \"publicKey\": {\"rawBytes\": \"%s\","
		    " \"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\", \"validFor\": {\"start\": \"2019-01-01T00:00:00.000Z\","
		    " \"end\": \"%s\"}}},\n", p->reg_old_keyid, ob, old_exp);
	strbuf_addf(&sb, " {\"keyId\": \"%s\", \"keyUsage\": \"npm:signatures\", \"publicKey\": {\"rawBytes\": \"%s\","
		    " \"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\", \"validFor\": {\"start\": \"2019-01-01T00:00:00.000Z\"}}},\n",
		    p->reg_keyid, ab);
	strbuf_addf(&sb, " {\"keyId\": \"%s\", \"keyUsage\": \"npm:attestations\", \"publicKey\": {\"rawBytes\": \"%s\","
		    " \"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\", \"validFor\": {\"start\": \"2019-01-01T00:00:00.000Z\"}}}\n]}\n",
		    p->reg_keyid, ab);
	write_file(dir, "keys.tuf.json", sb.buf, sb.len);
	strbuf_release(&sb);
	free(ab);
	free(ob);
	bytes_free(&a);
	bytes_free(&o);
}

/* ---- RFC 6962 Merkle tree ---- */

static void
node_hash(const unsigned char l[32], const unsigned char r[32], unsigned char out[32])
{
	unsigned char buf[65];

	buf[0] = 1;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	sha256(buf, sizeof(buf), out);
}

static size_t
split_point(size_t n)
{
	size_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* MTH(leaves[0..n)) */
static void
mth(unsigned char (*leaves)[32], size_t n, unsigned char out[32])
{
	unsigned char l[32], r[32];
	size_t k;

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	k = split_point(n);
	mth(leaves, k, l);
	mth(leaves + k, n - k, r);
	node_hash(l, r, out);
}

/* PATH(m, leaves[0..n)), appended leaf-level first. */
static void
audit_path(unsigned char (*leaves)[32], size_t n, size_t m,
	   unsigned char (*path)[32], size_t *np)
{
	size_t k;

	if (n <= 1)
		return;
	k = split_point(n);
	if (m < k) {
		audit_path(leaves, k, m, path, np);
		mth(leaves + k, n - k, path[(*np)++]);
	} else {
		audit_path(leaves + k, n - k, m - k, path, np);
		mth(leaves, k, path[(*np)++]);
	}
}

/* ---- bundles ---- */

struct pkg {
	const char *name, *version, *variant, *signature;
	struct identity id;
	int64_t time;
	int provenance, publish;
	char integrity[128];
	char sha512_hex[129];
	char enc[1024];
};

/* One transparency log entry waiting for the tree to be complete. */
struct entry {
	struct pkg *pkg;
	int is_provenance;
	char *body;		/* canonicalized body JSON */
	char *envelope;		/* the DSSE envelope JSON */
	char *material;		/* the verificationMaterial key part */
	const char *media_type;
	const char *predicate_type;
	const char *kind, *kind_version;
	int64_t time;
	size_t index;
	int bad_set, bad_proof;
	char *json;		/* the finished bundle */
};

static char *
pae(const char *type, const char *payload, size_t plen, size_t *outlen)
{
	struct strbuf sb;

	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb, "DSSEv1 %zu %s %zu ", strlen(type), type, plen);
	strbuf_add(&sb, payload, plen);
	return strbuf_detach(&sb, outlen);
}

static char *
purl(const char *name, const char *version)
{
	struct strbuf sb;

	strbuf_init(&sb, (size_t)-1);
	strbuf_addstr(&sb, "pkg:npm/");
	if (name[0] == '@') {
		strbuf_addstr(&sb, "%40");
		strbuf_addstr(&sb, name + 1);
	} else {
		strbuf_addstr(&sb, name);
	}
	strbuf_addf(&sb, "@%s", version);
	return strbuf_detach(&sb, NULL);
}

static char *
provenance_statement(const struct pkg *p, const char *digest_hex)
{
	struct strbuf sb;
	char *pu = purl(p->name, p->version);
	const char *env = strcmp(p->id.runner, "self-hosted") ? "github-hosted" : "self-hosted";

	strbuf_init(&sb, (size_t)-1);
	strbuf_addstr(&sb, "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":");
	add_jstr(&sb, pu);
	strbuf_addf(&sb, ",\"digest\":{\"sha512\":\"%s\"}}],\"predicateType\":\"" PROV_V1 "\","
		    "\"predicate\":{\"buildDefinition\":{\"buildType\":"
		    "\"https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1\","
		    "\"externalParameters\":{\"workflow\":{\"ref\":", digest_hex);
	add_jstr(&sb, p->id.ref);
	strbuf_addstr(&sb, ",\"repository\":");
	strbuf_addf(&sb, "\"https://github.com/%s\",\"path\":", p->id.repo);
	add_jstr(&sb, p->id.workflow);
	strbuf_addstr(&sb, "}},\"internalParameters\":{\"github\":{\"event_name\":");
	add_jstr(&sb, p->id.trigger);
	strbuf_addf(&sb, ",\"repository_id\":\"123456789\",\"repository_owner_id\":\"987654\"}},"
		    "\"resolvedDependencies\":[{\"uri\":\"git+https://github.com/%s@%s\","
		    "\"digest\":{\"gitCommit\":\"%s\"}}]},"
		    "\"runDetails\":{\"builder\":{\"id\":\"https://github.com/actions/runner/%s\"},"
		    "\"metadata\":{\"invocationId\":\"https://github.com/%s/actions/runs/1/attempts/1\"}}}}",
		    p->id.repo, p->id.ref, p->id.sha, env, p->id.repo);
	free(pu);
	return strbuf_detach(&sb, NULL);
}

static char *
publish_statement(const struct pkg *p)
{
	struct strbuf sb;
	char *pu = purl(p->name, p->version);

	strbuf_init(&sb, (size_t)-1);
	strbuf_addstr(&sb, "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"subject\":[{\"name\":");
	add_jstr(&sb, pu);
	strbuf_addf(&sb, ",\"digest\":{\"sha512\":\"%s\"}}],\"predicateType\":\"" PUBLISH_V01 "\","
		    "\"predicate\":{\"name\":", p->sha512_hex);
	add_jstr(&sb, p->name);
	strbuf_addstr(&sb, ",\"version\":");
	add_jstr(&sb, p->version);
	strbuf_addstr(&sb, ",\"registry\":\"https://registry.npm.test/\"}}");
	free(pu);
	return strbuf_detach(&sb, NULL);
}

static char *
envelope_json(const char *payload, size_t plen, const char *sig_b64,
	      const char *keyid)
{
	struct strbuf sb;
	char *pb = b64((const unsigned char *)payload, plen);

	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb, "{\"payload\":\"%s\",\"payloadType\":\"" INTOTO "\","
		    "\"signatures\":[{\"sig\":\"%s\",\"keyid\":", pb, sig_b64);
	add_jstr(&sb, keyid);
	strbuf_addstr(&sb, "}]}");
	free(pb);
	return strbuf_detach(&sb, NULL);
}

/* The provenance bundle's entry: a Fulcio leaf, a dsse/0.0.1 body. */
static void
make_provenance(struct entry *e, struct pki *pki, struct pkg *p)
{
	EVP_PKEY *leaf_key = ec_key("P-256");
	struct identity id = p->id;
	char *statement, *signed_statement, *pe, *sig, *cert, *pem, *pem_b64;
	unsigned char ph[32], eh[32];
	char *ph_hex, *eh_hex, fake_hex[129];
	size_t pelen;
	int64_t t0 = p->time - 30, t1 = p->time + 570;
	X509 *leaf, *ca = pki->inter;
	EVP_PKEY *ca_key = pki->inter_key;
	struct strbuf sb;

	if (!strcmp(p->variant, "drift")) {
		id.workflow = ".github/workflows/pr.yml";
		id.trigger = "pull_request_target";
		p->id = id;
	} else if (!strcmp(p->variant, "self-hosted")) {
		id.runner = "self-hosted";
		p->id = id;
	} else if (!strcmp(p->variant, "expired")) {
		t0 = p->time - 1200;
		t1 = p->time - 600;
	} else if (!strcmp(p->variant, "rogue-ca")) {
		ca = pki->rogue;
		ca_key = pki->rogue_key;
	}
	if (!strcmp(p->variant, "subject")) {
		unsigned char other[64];
		char *h;

		sha512("not the tarball", 15, other);
		h = hexs(other, 64);
		memcpy(fake_hex, h, 129);
		free(h);
		statement = provenance_statement(p, fake_hex);
	} else {
		statement = provenance_statement(p, p->sha512_hex);
	}
	pe = pae(INTOTO, statement, strlen(statement), &pelen);
	sig = sign_b64(leaf_key, pe, pelen);
	free(pe);
	signed_statement = statement;
	if (!strcmp(p->variant, "tampered")) {
		/* the payload is changed after signing: the log saw the original */
		char *s = xstrdup(statement), *w = strstr(s, "refs/");

		if (w)
			w[0] = 'R';
		statement = s;
	}
	e->envelope = envelope_json(statement, strlen(statement), sig, "");
	leaf = make_leaf(pki, leaf_key, &id, t0, t1, p->time - 5, ca, ca_key);
	cert = cert_b64(leaf);
	pem = cert_pem(leaf);
	pem_b64 = b64((unsigned char *)pem, strlen(pem));
	sha256(signed_statement, strlen(signed_statement), ph);
	ph_hex = hexs(ph, 32);
	{
		/* the envelope the log saw */
		char *orig = envelope_json(signed_statement, strlen(signed_statement), sig, "");

		sha256(orig, strlen(orig), eh);
		free(orig);
	}
	eh_hex = hexs(eh, 32);
	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb, "{\"apiVersion\":\"0.0.1\",\"kind\":\"dsse\",\"spec\":{\"envelopeHash\":"
		    "{\"algorithm\":\"sha256\",\"value\":\"%s\"},\"payloadHash\":{\"algorithm\":"
		    "\"sha256\",\"value\":\"%s\"},\"signatures\":[{\"signature\":\"%s\","
		    "\"verifier\":\"%s\"}]}}", eh_hex, ph_hex, sig, pem_b64);
	e->body = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "\"certificate\":{\"rawBytes\":\"%s\"}", cert);
	e->material = strbuf_detach(&sb, NULL);
	e->media_type = "application/vnd.dev.sigstore.bundle.v0.3+json";
	e->predicate_type = PROV_V1;
	e->kind = "dsse";
	e->kind_version = "0.0.1";
	e->time = p->time;
	e->is_provenance = 1;
	e->bad_set = !strcmp(p->variant, "bad-set");
	e->bad_proof = !strcmp(p->variant, "bad-proof");

	if (statement != signed_statement)
		free(statement);
	free(signed_statement);
	free(sig);
	free(cert);
	free(pem);
	free(pem_b64);
	free(ph_hex);
	free(eh_hex);
	X509_free(leaf);
	EVP_PKEY_free(leaf_key);
	strbuf_release(&sb);
}

/* The publish attestation's entry: the registry key, an intoto/0.0.2 body. */
static void
make_publish(struct entry *e, struct pki *pki, struct pkg *p)
{
	char *statement = publish_statement(p), *pe, *sig, *sig2, *pem, *pem_b64;
	unsigned char ph[32], eh[32];
	char *ph_hex, *eh_hex;
	size_t pelen;
	struct strbuf sb;

	pe = pae(INTOTO, statement, strlen(statement), &pelen);
	sig = sign_b64(pki->reg, pe, pelen);
	free(pe);
	e->envelope = envelope_json(statement, strlen(statement), sig, pki->reg_keyid);
	pem = pubkey_pem(pki->reg);
	pem_b64 = b64((unsigned char *)pem, strlen(pem));
	sig2 = b64((unsigned char *)sig, strlen(sig));
	sha256(statement, strlen(statement), ph);
	ph_hex = hexs(ph, 32);
	sha256(e->envelope, strlen(e->envelope), eh);
	eh_hex = hexs(eh, 32);
	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb, "{\"apiVersion\":\"0.0.2\",\"kind\":\"intoto\",\"spec\":{\"content\":"
		    "{\"envelope\":{\"payloadType\":\"" INTOTO "\",\"signatures\":[{\"keyid\":");
	add_jstr(&sb, pki->reg_keyid);
	strbuf_addf(&sb, ",\"publicKey\":\"%s\",\"sig\":\"%s\"}]},\"hash\":{\"algorithm\":"
		    "\"sha256\",\"value\":\"%s\"},\"payloadHash\":{\"algorithm\":\"sha256\","
		    "\"value\":\"%s\"}}}}", pem_b64, sig2, eh_hex, ph_hex);
	e->body = strbuf_detach(&sb, NULL);
	strbuf_addstr(&sb, "\"publicKey\":{\"hint\":");
	add_jstr(&sb, pki->reg_keyid);
	strbuf_addch(&sb, '}');
	e->material = strbuf_detach(&sb, NULL);
	e->media_type = "application/vnd.dev.sigstore.bundle+json;version=0.2";
	e->predicate_type = PUBLISH_V01;
	e->kind = "intoto";
	e->kind_version = "0.0.2";
	e->time = p->time + 2;
	free(statement);
	free(sig);
	free(sig2);
	free(pem);
	free(pem_b64);
	free(ph_hex);
	free(eh_hex);
	strbuf_release(&sb);
}

/* Finishes e as a bundle once the tree (leaves[0..n), root) is known. */
static void
finish_entry(struct entry *e, struct pki *pki, unsigned char (*leaves)[32],
	     size_t n, const unsigned char root[32], const char *checkpoint)
{
	unsigned char (*path)[32] = xcalloc(64, 32);
	size_t np = 0, i;
	char *logid_b64 = b64(pki->rekor_id, 32), *logid_hex = hexs(pki->rekor_id, 32);
	char *body_b64 = b64((unsigned char *)e->body, strlen(e->body));
	char *root_b64 = b64(root, 32), *set, *cp;
	struct strbuf sb;
	int64_t global_index = 100000 + (int64_t)e->index;

	strbuf_init(&sb, (size_t)-1);
	/* SET: canonical JSON, keys sorted, no whitespace */
	strbuf_addf(&sb, "{\"body\":\"%s\",\"integratedTime\":%lld,\"logID\":\"%s\",\"logIndex\":%lld}",
		    body_b64, (long long)(e->time + (e->bad_set ? 1 : 0)), logid_hex,
		    (long long)global_index);
	set = sign_b64(pki->rekor, sb.buf, sb.len);
	strbuf_reset(&sb);

	audit_path(leaves, n, e->index, path, &np);
	if (e->bad_proof && np > 0)
		path[0][7] ^= 0x5a;
	cp = jstr(checkpoint);

	strbuf_addf(&sb, "{\"mediaType\":\"%s\",\"verificationMaterial\":{%s,\"tlogEntries\":[{"
		    "\"logIndex\":\"%lld\",\"logId\":{\"keyId\":\"%s\"},\"kindVersion\":{\"kind\":\"%s\","
		    "\"version\":\"%s\"},\"integratedTime\":\"%lld\",\"inclusionPromise\":"
		    "{\"signedEntryTimestamp\":\"%s\"},\"inclusionProof\":{\"logIndex\":\"%zu\","
		    "\"rootHash\":\"%s\",\"treeSize\":\"%zu\",\"hashes\":[",
		    e->media_type, e->material, (long long)global_index, logid_b64, e->kind,
		    e->kind_version, (long long)e->time, set, e->index, root_b64, n);
	for (i = 0; i < np; i++) {
		char *h = b64(path[i], 32);

		strbuf_addf(&sb, "%s\"%s\"", i ? "," : "", h);
		free(h);
	}
	strbuf_addf(&sb, "],\"checkpoint\":{\"envelope\":%s}},\"canonicalizedBody\":\"%s\"}],"
		    "\"timestampVerificationData\":{}},\"dsseEnvelope\":%s}",
		    cp, body_b64, e->envelope);
	e->json = strbuf_detach(&sb, NULL);
	free(path);
	free(logid_b64);
	free(logid_hex);
	free(body_b64);
	free(root_b64);
	free(set);
	free(cp);
	strbuf_release(&sb);
}

/* ---- the spec ---- */

static const char *
str_or(const struct json_value *o, const char *key, const char *dflt)
{
	const char *s = json_get_str(o, key);

	return s ? s : dflt;
}

static int
bool_or(const struct json_value *o, const char *key, int dflt)
{
	const struct json_value *v = json_get(o, key);

	if (!v)
		return dflt;
	return v->type == JSON_TRUE;
}

static void
encode_name(char *out, size_t n, const char *name)
{
	size_t i, w = 0;

	for (i = 0; name[i] && w + 4 < n; i++) {
		if (name[i] == '/') {
			memcpy(out + w, "%2f", 3);
			w += 3;
		} else {
			out[w++] = name[i];
		}
	}
	out[w] = '\0';
}

static void
signature_json(struct strbuf *sb, struct pki *pki, const struct pkg *p)
{
	struct strbuf msg;
	EVP_PKEY *k = pki->reg;
	const char *keyid = pki->reg_keyid;
	char *sig;

	if (!strcmp(p->signature, "none")) {
		strbuf_addstr(sb, "[]");
		return;
	}
	strbuf_init(&msg, (size_t)-1);
	strbuf_addf(&msg, "%s@%s:%s", p->name, p->version, p->integrity);
	if (!strcmp(p->signature, "bad"))
		strbuf_addch(&msg, 'x');
	if (!strcmp(p->signature, "unknown-key")) {
		k = pki->stranger;
		keyid = pki->stranger_keyid;
	} else if (!strcmp(p->signature, "expired-key")) {
		k = pki->reg_old;
		keyid = pki->reg_old_keyid;
	}
	sig = sign_b64(k, msg.buf, msg.len);
	strbuf_addstr(sb, "[{\"keyid\":");
	add_jstr(sb, keyid);
	strbuf_addf(sb, ",\"sig\":\"%s\"}]", sig);
	free(sig);
	strbuf_release(&msg);
}

int
main(int argc, char **argv)
{
	struct strbuf spec, sb, path;
	struct json_doc doc;
	const struct json_value *list, *v;
	struct pkg *pkgs = NULL;
	struct entry *entries = NULL;
	unsigned char (*leaves)[32] = NULL;
	unsigned char root[32];
	size_t npkgs = 0, nentries = 0, i;
	struct pki pki;
	char *checkpoint, *root_b64, *sig_b64, hint_sig[256];
	const char *out;

	if (argc != 3) {
		fprintf(stderr, "usage: mkpki SPEC.json OUTDIR\n");
		return 2;
	}
	out = argv[2];
	strbuf_init(&spec, MKPKI_SPEC_MAX);
	if (strbuf_read_file(&spec, argv[1], 0) < 0 ||
	    json_parse(&doc, spec.buf, spec.len, argv[1], 0) < 0)
		die("cannot read the spec");
	list = json_get(doc.root, "packages");
	if (!json_is(list, JSON_ARRAY) || list->len > MKPKI_PACKAGES_MAX)
		die("spec: \"packages\" must be an array");
	pkgs = xcalloc(list->len + 1, sizeof(*pkgs));
	entries = xcalloc(2 * list->len + 1, sizeof(*entries));
	for (v = list->u.first; v; v = v->next) {
		struct pkg *p = &pkgs[npkgs++];
		const struct json_value *t = json_get(v, "time");
		unsigned char digest[64];
		struct strbuf tar;
		char *ib;

		p->name = str_or(v, "name", "pkg");
		p->version = str_or(v, "version", "1.0.0");
		p->variant = str_or(v, "variant", "valid");
		p->signature = str_or(v, "signature", "valid");
		p->id.repo = str_or(v, "repo", "example/pkg");
		p->id.workflow = str_or(v, "workflow", ".github/workflows/release.yml");
		p->id.ref = str_or(v, "ref", "refs/heads/main");
		p->id.trigger = str_or(v, "trigger", "push");
		p->id.runner = str_or(v, "runner", "github-hosted");
		p->id.sha = str_or(v, "sha", "0123456789abcdef0123456789abcdef01234567");
		p->time = json_is(t, JSON_NUMBER) ? strtoll(t->u.str, NULL, 10) : 1767225600;
		p->provenance = bool_or(v, "provenance", 1);
		p->publish = bool_or(v, "publish", 1);
		encode_name(p->enc, sizeof(p->enc), p->name);
		/* the "tarball": its bytes only need to be stable per version */
		strbuf_init(&tar, (size_t)-1);
		strbuf_addf(&tar, "tarball of %s@%s", p->name, p->version);
		sha512(tar.buf, tar.len, digest);
		strbuf_release(&tar);
		ib = b64(digest, 64);
		snprintf(p->integrity, sizeof(p->integrity), "sha512-%s", ib);
		free(ib);
		ib = hexs(digest, 64);
		memcpy(p->sha512_hex, ib, 129);
		free(ib);
	}

	pki_init(&pki);
	make_dir(out);
	strbuf_init(&path, 4096);
	strbuf_addf(&path, "%s/_attestations", out);
	make_dir(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/bundles", out);
	make_dir(path.buf);
	write_trusted_root(out, &pki);
	write_keys(out, &pki);

	for (i = 0; i < npkgs; i++) {
		struct pkg *p = &pkgs[i];

		if (!p->provenance)
			continue;
		entries[nentries].pkg = p;
		entries[nentries].index = nentries;
		make_provenance(&entries[nentries], &pki, p);
		nentries++;
		if (p->publish) {
			entries[nentries].pkg = p;
			entries[nentries].index = nentries;
			make_publish(&entries[nentries], &pki, p);
			nentries++;
		}
	}

	/* the log: one leaf per entry, one checkpoint for the final tree */
	leaves = xcalloc(nentries + 1, 32);
	for (i = 0; i < nentries; i++) {
		struct strbuf lb;

		strbuf_init(&lb, (size_t)-1);
		strbuf_addch(&lb, 0);
		strbuf_addstr(&lb, entries[i].body);
		sha256(lb.buf, lb.len, leaves[i]);
		strbuf_release(&lb);
	}
	if (nentries)
		mth(leaves, nentries, root);
	else
		sha256("", 0, root);
	root_b64 = b64(root, 32);
	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb, "%s\n%zu\n%s\n", ORIGIN, nentries, root_b64);
	{
		struct bytes s = sign(pki.rekor, sb.buf, sb.len);
		unsigned char hs[4 + 128];

		memcpy(hs, pki.rekor_id, 4);
		memcpy(hs + 4, s.p, s.n);
		sig_b64 = b64(hs, 4 + s.n);
		bytes_free(&s);
	}
	snprintf(hint_sig, sizeof(hint_sig), "\n\xe2\x80\x94 %s %s\n", ORIGIN_NAME, sig_b64);
	strbuf_addstr(&sb, hint_sig);
	checkpoint = strbuf_detach(&sb, NULL);
	for (i = 0; i < nentries; i++)
		finish_entry(&entries[i], &pki, leaves, nentries, root, checkpoint);

	/* the registry's view: attestations documents and packages.json */
	strbuf_addstr(&sb, "[\n");
	for (i = 0; i < npkgs; i++) {
		struct pkg *p = &pkgs[i];
		char iso[40];
		size_t j;

		iso_time(iso, sizeof(iso), p->time);
		strbuf_addf(&sb, "%s {\"name\":", i ? ",\n" : "");
		add_jstr(&sb, p->name);
		strbuf_addstr(&sb, ",\"version\":");
		add_jstr(&sb, p->version);
		strbuf_addf(&sb, ",\"time\":\"%s\",\"integrity\":\"%s\",\"sha512\":\"%s\",\"signatures\":",
			    iso, p->integrity, p->sha512_hex);
		signature_json(&sb, &pki, p);
		strbuf_addstr(&sb, ",\"attestations\":");
		if (!p->provenance) {
			strbuf_addstr(&sb, "null}");
			continue;
		}
		strbuf_addf(&sb, "\"/-/npm/v1/attestations/%s@", p->enc);
		strbuf_addstr(&sb, p->version);
		strbuf_addstr(&sb, "\"}");
		{
			struct strbuf att;
			int first = 1;

			strbuf_init(&att, (size_t)-1);
			strbuf_addstr(&att, "{\"attestations\":[");
			for (j = 0; j < nentries; j++) {
				if (entries[j].pkg != p)
					continue;
				strbuf_addf(&att, "%s{\"predicateType\":\"%s\",\"bundle\":%s}",
					    first ? "" : ",", entries[j].predicate_type,
					    entries[j].json);
				first = 0;
				if (entries[j].is_provenance) {
					strbuf_reset(&path);
					strbuf_addf(&path, "bundles/%s@%s.provenance.sigstore.json",
						    p->enc, p->version);
					write_file(out, path.buf, entries[j].json,
						   strlen(entries[j].json));
				}
			}
			strbuf_addstr(&att, "]}\n");
			strbuf_reset(&path);
			strbuf_addf(&path, "_attestations/%s@%s.json", p->enc, p->version);
			write_file(out, path.buf, att.buf, att.len);
			strbuf_release(&att);
		}
	}
	strbuf_addstr(&sb, "\n]\n");
	write_file(out, "packages.json", sb.buf, sb.len);

	for (i = 0; i < nentries; i++) {
		free(entries[i].body);
		free(entries[i].envelope);
		free(entries[i].material);
		free(entries[i].json);
	}
	free(entries);
	free(pkgs);
	free(leaves);
	free(checkpoint);
	free(root_b64);
	free(sig_b64);
	strbuf_release(&sb);
	strbuf_release(&path);
	json_doc_release(&doc);
	strbuf_release(&spec);
	pki_release(&pki);
	return 0;
}
