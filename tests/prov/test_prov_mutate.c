/*
 * Each verification step must be able to fail: hand-made mutations of the
 * real playwright bundles (v0.3 DSSE provenance, v0.2 publish attestation)
 * and of the trusted root and keys, each expected at one step. Also the
 * pieces: base64 forms, the Merkle path, checkpoint parsing, limits.
 */
#include "prov/prov.h"

#include <check.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The Merkle and checkpoint code is private to the module. */
#include "prov/prov_int.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define DATA TEST_DATA "/sigstore/"
#define PW DATA "attestations/sigstore-dotnet/playwright-cli-0.1.1-"

static const struct prov_expect pw_expect = {
	.name = "@playwright/cli",
	.version = "0.1.1",
	.integrity = "sha512-9k11ZfDwAfMVDDIuEVW1Wvs8SoDNXIY1dNQ+9C9/SS8ZmElkcxesu5eoL7vNa96ntibUGaq1TM2qQoqvdl/I9g==",
};

static char *
slurp(const char *path)
{
	struct strbuf sb;

	strbuf_init(&sb, PROV_DOC_MAX);
	ck_assert_msg(strbuf_read_file(&sb, path, 0) == 0, "%s", ws_error_last());
	return strbuf_detach(&sb, NULL);
}

/*
 * A copy of text with one base64 character changed: the one `off` bytes
 * after the end of the first `anchor` (A becomes B, other letters A; a
 * digit another digit).
 */
static char *
mutate(const char *text, const char *anchor, size_t off)
{
	char *copy = xstrdup(text), *at = strstr(copy, anchor);

	ck_assert_msg(at != NULL, "anchor %s not found", anchor);
	at += strlen(anchor) + off;
	ck_assert(*at != '\0' && *at != '"');
	if (*at >= '0' && *at <= '9')
		*at = *at == '1' ? '2' : '1';
	else
		*at = *at == 'A' ? 'B' : 'A';
	return copy;
}

/* text with the first `from` replaced by `to` (same length or not). */
static char *
replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	struct strbuf sb;

	ck_assert_msg(at != NULL, "%s not found", from);
	strbuf_init(&sb, PROV_DOC_MAX);
	strbuf_add(&sb, text, (size_t)(at - text));
	strbuf_addstr(&sb, to);
	strbuf_addstr(&sb, at + strlen(from));
	return strbuf_detach(&sb, NULL);
}

static struct prov_trusted_root *
root_from(const char *text)
{
	struct prov_trusted_root *r;

	ck_assert_msg(prov_trusted_root_parse(&r, text, strlen(text), "root") == 0,
		      "%s", ws_error_last());
	return r;
}

static struct prov_keys *
keys_from(const char *text)
{
	struct prov_keys *k;

	ck_assert_msg(prov_keys_parse(&k, text, strlen(text), "keys") == 0, "%s",
		      ws_error_last());
	return k;
}

/* Verifies text as a bundle and returns the step name reached. */
static const char *
step_of(const char *text, const struct prov_trusted_root *root,
	const struct prov_keys *keys, const struct prov_expect *ex)
{
	static char name[64];
	struct prov_bundle *b;
	struct prov_verdict v;
	int rc;

	if (prov_bundle_parse(&b, text, strlen(text), "mutant") != 0)
		return "parse";
	prov_verdict_init(&v);
	rc = prov_bundle_verify(b, root, keys, ex, &v);
	ck_assert_int_eq(rc == 0, v.step == PROV_STEP_OK);
	ck_assert(v.step == PROV_STEP_OK || v.reason[0] != '\0');
	ck_assert(strchr(v.reason, '\n') == NULL);
	snprintf(name, sizeof(name), "%s", prov_step_name(v.step));
	prov_verdict_release(&v);
	prov_bundle_free(b);
	return name;
}

static char *prov_text, *pub_text, *root_text, *keys_text;
static struct prov_trusted_root *root;
static struct prov_keys *keys;

static void
setup(void)
{
	prov_text = slurp(PW "provenance.sigstore.json");
	pub_text = slurp(PW "publish.sigstore.json");
	root_text = slurp(DATA "trust/trusted_root.json");
	keys_text = slurp(DATA "trust/npm-registry-keys.tuf-target.json");
	root = root_from(root_text);
	keys = keys_from(keys_text);
}

static void
teardown(void)
{
	free(prov_text);
	free(pub_text);
	free(root_text);
	free(keys_text);
	prov_trusted_root_free(root);
	prov_keys_free(keys);
}

struct mutation {
	const char *what;
	int publish;		/* mutate the publish bundle, else provenance */
	const char *anchor;
	size_t off;
	const char *step;
	int no_expect;
};

static const struct mutation mutations[] = {
	{"SET", 0, "\"signedEntryTimestamp\": \"", 30, "SET", 0},
	{"SET of the publish bundle", 1, "\"signedEntryTimestamp\": \"", 30, "SET", 0},
	{"inclusion proof hash", 0, "\"hashes\": [\n", 20, "inclusion proof", 0},
	{"inclusion proof root", 0, "\"rootHash\": \"", 10, "inclusion proof", 0},
	{"checkpoint signature", 0, "\\u2014 rekor.sigstore.dev ", 40, "checkpoint", 0},
	{"checkpoint key hint", 0, "\\u2014 rekor.sigstore.dev ", 1, "checkpoint", 0},
	{"publish checkpoint signature", 1, "\\u2014 rekor.sigstore.dev ", 40, "checkpoint", 0},
	{"payload", 0, "\"payload\": \"", 400, "dsse signature", 1},
	{"publish payload", 1, "\"payload\": \"", 300, "dsse signature", 1},
	{"envelope signature", 0, "\"sig\": \"", 20, "dsse signature", 0},
	{"certificate signature", 0, "\"rawBytes\": \"", 1000, "certificate chain", 0},
	{"tlog log id", 0, "\"keyId\": \"", 5, "SET", 0},
	{"integrated time", 0, "\"integratedTime\": \"", 8, "SET", 0},
};

START_TEST(each_mutation_fails_at_its_step)
{
	const struct mutation *m = &mutations[_i];
	char *text = mutate(m->publish ? pub_text : prov_text, m->anchor, m->off);
	const char *got = step_of(text, root, keys, m->no_expect ? NULL : &pw_expect);

	ck_assert_msg(strcmp(got, m->step) == 0, "%s: got \"%s\", want \"%s\"",
		      m->what, got, m->step);
	free(text);
}
END_TEST

START_TEST(unmutated_bundles_pass)
{
	ck_assert_str_eq(step_of(prov_text, root, keys, &pw_expect), "ok");
	ck_assert_str_eq(step_of(pub_text, root, keys, &pw_expect), "ok");
}
END_TEST

START_TEST(statement_and_entry_mismatches)
{
	struct prov_expect ex = pw_expect;
	char *text;

	ex.version = "0.1.2";
	ck_assert_str_eq(step_of(prov_text, root, keys, &ex), "subject name");
	ex = pw_expect;
	ex.name = "playwright/cli";	/* the purl writes @ as %40 */
	ck_assert_str_eq(step_of(prov_text, root, keys, &ex), "subject name");
	ex = pw_expect;
	ex.integrity = "sha512-AAAAZfDwAfMVDDIuEVW1Wvs8SoDNXIY1dNQ+9C9/SS8ZmElkcxesu5eoL7vNa96ntibUGaq1TM2qQoqvdl/I9g==";
	ck_assert_str_eq(step_of(pub_text, root, keys, &ex), "subject digest");
	ex.integrity = "sha1-AAAA";
	ck_assert_str_eq(step_of(pub_text, root, keys, &ex), "subject digest");
	/* the log entry claims another kind than its body */
	text = replace(prov_text, "\"kind\": \"dsse\"", "\"kind\": \"intoto\"");
	ck_assert_str_eq(step_of(text, root, keys, &pw_expect), "tlog body");
	free(text);
	/* a v0.2 bundle must carry a checkpoint */
	text = replace(pub_text, "\"checkpoint\"", "\"checkpoinx\"");
	ck_assert_str_eq(step_of(text, root, keys, &pw_expect), "bundle");
	free(text);
	/* a DSSE keyid must be the key hint */
	text = replace(pub_text, "\"keyid\": \"SHA256:", "\"keyid\": \"SHA257:");
	ck_assert_str_eq(step_of(text, root, keys, &pw_expect), "registry key");
	free(text);
	/* an unsupported media type does not parse */
	text = replace(pub_text, "version=0.2", "version=9.9");
	ck_assert_str_eq(step_of(text, root, keys, &pw_expect), "parse");
	free(text);
}
END_TEST

/* The playwright provenance bundle against the real root with one edit. */
static const char *
step_with_root_edit(const char *from, const char *to)
{
	char *text = replace(root_text, from, to);
	struct prov_trusted_root *r = root_from(text);
	const char *step = step_of(prov_text, r, keys, &pw_expect);

	prov_trusted_root_free(r);
	free(text);
	return step;
}

START_TEST(trust_changes_fail_their_step)
{
	struct prov_keys *k;
	char *text, *text2;

	/* the CT log that signed the SCT is not trusted */
	ck_assert_str_eq(step_with_root_edit("3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4=",
					     "4T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4="),
			 "SCT");
	/* the Rekor log ended before the entry was made */
	ck_assert_str_eq(step_with_root_edit("\"start\": \"2021-01-12T11:53:27Z\"",
					     "\"start\": \"2021-01-12T11:53:27Z\", \"end\": \"2022-01-01T00:00:00Z\""),
			 "SET");
	/* no CA was valid at the integrated time */
	ck_assert_str_eq(step_with_root_edit("\"start\": \"2022-04-13T20:06:15Z\"",
					     "\"start\": \"2022-04-13T20:06:15Z\", \"end\": \"2023-01-01T00:00:00Z\""),
			 "certificate chain");
	/* the registry key (both usages) expired before the integrated time */
	text = replace(keys_text, "\"start\": \"2025-01-13T00:00:00.000Z\"",
		       "\"start\": \"2025-01-13T00:00:00.000Z\", \"end\": \"2025-06-01T00:00:00.000Z\"");
	text2 = replace(text, "\"start\": \"2025-01-13T00:00:00.000Z\"\n",
			"\"start\": \"2025-01-13T00:00:00.000Z\", \"end\": \"2025-06-01T00:00:00.000Z\"\n");
	k = keys_from(text2);
	ck_assert_str_eq(step_of(pub_text, root, k, &pw_expect), "key expired");
	prov_keys_free(k);
	free(text);
	free(text2);
	/* no key: the publish bundle cannot be checked */
	ck_assert_str_eq(step_of(pub_text, root, NULL, &pw_expect), "registry key");
}
END_TEST

/* ---- a message-signature bundle made here (verify --bundle) ---- */

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
	char *out = xmalloc(2 * n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	return out;
}

static char *
spki_b64(EVP_PKEY *k, unsigned char id[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	char *out;

	ck_assert_int_gt(n, 0);
	SHA256(der, (size_t)n, id);
	out = b64(der, (size_t)n);
	OPENSSL_free(der);
	return out;
}

static char *
sign_b64(EVP_PKEY *k, const void *msg, size_t n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[128];
	size_t siglen = sizeof(sig);

	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, sig, &siglen, msg, n), 1);
	EVP_MD_CTX_free(ctx);
	return b64(sig, siglen);
}

/*
 * A hashedrekord entry signed by a key of our own, logged by a Rekor key of
 * our own put in place of the real one in the trusted root: the message
 * signature path end to end, without a Fulcio certificate.
 */
START_TEST(message_signature_bundles_verify)
{
	static const char artifact[] = "artifact bytes\n";
	EVP_PKEY *signer = EVP_EC_gen("P-256"), *rekor = EVP_EC_gen("P-256");
	unsigned char sid[32], rid[32], md[32];
	char *s_spki, *r_spki, *sig, *mdhex, *md64, *rid64, *ridhex, *body;
	char *body64, *set_msg, *set, *bundle, *keysdoc, *rtext, *rtext2, *mut;
	struct prov_trusted_root *r;
	struct prov_keys *k;
	struct prov_expect ex = {0};
	char digest[80];
	struct strbuf sb;

	ck_assert_ptr_nonnull(signer);
	ck_assert_ptr_nonnull(rekor);
	s_spki = spki_b64(signer, sid);
	r_spki = spki_b64(rekor, rid);
	SHA256((const unsigned char *)artifact, strlen(artifact), md);
	sig = sign_b64(signer, artifact, strlen(artifact));
	mdhex = hexs(md, 32);
	md64 = b64(md, 32);
	rid64 = b64(rid, 32);
	ridhex = hexs(rid, 32);
	strbuf_init(&sb, 1u << 20);
	strbuf_addf(&sb, "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":"
		    "{\"data\":{\"hash\":{\"algorithm\":\"sha256\",\"value\":\"%s\"}},"
		    "\"signature\":{\"content\":\"%s\"}}}", mdhex, sig);
	body = strbuf_detach(&sb, NULL);
	body64 = b64((const unsigned char *)body, strlen(body));
	strbuf_addf(&sb, "{\"body\":\"%s\",\"integratedTime\":1767225600,"
		    "\"logID\":\"%s\",\"logIndex\":42}", body64, ridhex);
	set_msg = strbuf_detach(&sb, NULL);
	set = sign_b64(rekor, set_msg, strlen(set_msg));
	strbuf_addf(&sb, "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.1\","
		    "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"SHA256:test\"},"
		    "\"tlogEntries\":[{\"logIndex\":\"42\",\"logId\":{\"keyId\":\"%s\"},"
		    "\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"},"
		    "\"integratedTime\":\"1767225600\",\"inclusionPromise\":"
		    "{\"signedEntryTimestamp\":\"%s\"},\"canonicalizedBody\":\"%s\"}]},"
		    "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
		    "\"digest\":\"%s\"},\"signature\":\"%s\"}}",
		    rid64, set, body64, md64, sig);
	bundle = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "{\"keys\":[{\"expires\":null,\"keyid\":\"SHA256:test\","
		    "\"keytype\":\"ecdsa-sha2-nistp256\",\"scheme\":\"ecdsa-sha2-nistp256\","
		    "\"key\":\"%s\"}]}", s_spki);
	keysdoc = strbuf_detach(&sb, NULL);
	rtext = replace(root_text, "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==",
			r_spki);
	rtext2 = replace(rtext, "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=", rid64);
	r = root_from(rtext2);
	k = keys_from(keysdoc);

	ck_assert_str_eq(step_of(bundle, r, k, NULL), "ok");
	snprintf(digest, sizeof(digest), "sha256:%s", mdhex);
	ex.digest = digest;
	ck_assert_str_eq(step_of(bundle, r, k, &ex), "ok");
	digest[7] = digest[7] == '0' ? '1' : '0';
	ck_assert_str_eq(step_of(bundle, r, k, &ex), "subject digest");
	/* the real Rekor key did not sign this entry */
	ck_assert_str_eq(step_of(bundle, root, k, NULL), "SET");
	/* another key under the same id */
	ck_assert_str_eq(step_of(bundle, r, keys, NULL), "registry key");
	mut = mutate(bundle, "\"signature\":\"", 20);
	ck_assert_str_eq(step_of(mut, r, k, NULL), "signature");
	free(mut);
	mut = mutate(bundle, "\"digest\":\"", 5);
	ck_assert_str_eq(step_of(mut, r, k, NULL), "signature");
	free(mut);

	prov_trusted_root_free(r);
	prov_keys_free(k);
	free(rtext);
	free(rtext2);
	free(keysdoc);
	free(bundle);
	free(set);
	free(set_msg);
	free(body64);
	free(body);
	free(ridhex);
	free(rid64);
	free(md64);
	free(mdhex);
	free(sig);
	free(r_spki);
	free(s_spki);
	EVP_PKEY_free(signer);
	EVP_PKEY_free(rekor);
}
END_TEST

/* ---- RFC 3161: a timestamp authority made here ---- */

static X509 *
make_cert(EVP_PKEY *key, EVP_PKEY *issuer_key, X509 *issuer, const char *cn,
	  const char *const *exts)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	size_t i;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	for (i = 0; exts[i]; i += 2) {
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, exts[i], exts[i + 1]);

		ck_assert_ptr_nonnull(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
	X509_NAME_free(name);
	return x;
}

/* A TimeStampResponse over sha256(data) from the TSA, as base64 DER. */
static char *
make_timestamp(X509 *tsa, EVP_PKEY *key, const unsigned char *data, size_t n)
{
	TS_RESP_CTX *rctx = TS_RESP_CTX_new();
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_OBJECT *policy = OBJ_txt2obj("1.3.6.1.4.1.57264.99", 1);
	BIO *bio = BIO_new(BIO_s_mem());
	unsigned char md[32], *der = NULL;
	TS_RESP *resp;
	char *out;
	int len;

	SHA256(data, n, md);
	X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
	TS_MSG_IMPRINT_set_algo(mi, alg);
	TS_MSG_IMPRINT_set_msg(mi, md, 32);
	TS_REQ_set_version(req, 1);
	TS_REQ_set_msg_imprint(req, mi);
	TS_REQ_set_cert_req(req, 1);
	ck_assert_int_gt(i2d_TS_REQ_bio(bio, req), 0);
	ck_assert_int_eq(TS_RESP_CTX_set_signer_cert(rctx, tsa), 1);
	ck_assert_int_eq(TS_RESP_CTX_set_signer_key(rctx, key), 1);
	TS_RESP_CTX_set_def_policy(rctx, policy);
	TS_RESP_CTX_add_md(rctx, EVP_sha256());
	TS_RESP_CTX_set_signer_digest(rctx, EVP_sha256());
	resp = TS_RESP_create_response(rctx, bio);
	ck_assert_ptr_nonnull(resp);
	len = i2d_TS_RESP(resp, &der);
	ck_assert_int_gt(len, 0);
	out = b64(der, (size_t)len);
	OPENSSL_free(der);
	TS_RESP_free(resp);
	BIO_free(bio);
	ASN1_OBJECT_free(policy);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	TS_RESP_CTX_free(rctx);
	return out;
}

/*
 * text with the rawBytes that follows the n-th (from 1) `anchor` replaced
 * by the base64 of der.
 */
static char *
with_raw(const char *text, const char *anchor, int n, const unsigned char *der,
	 size_t len)
{
	const char *at = text, *end;
	char *c64 = b64(der, len);
	struct strbuf sb;

	for (; n > 0; n--) {
		at = strstr(at, anchor);
		ck_assert_ptr_nonnull(at);
		at += strlen(anchor);
	}
	at = strstr(at, "\"rawBytes\": \"");
	ck_assert_ptr_nonnull(at);
	at += strlen("\"rawBytes\": \"");
	end = strchr(at, '"');
	strbuf_init(&sb, PROV_DOC_MAX);
	strbuf_add(&sb, text, (size_t)(at - text));
	strbuf_addstr(&sb, c64);
	strbuf_addstr(&sb, end);
	free(c64);
	return strbuf_detach(&sb, NULL);
}

static char *
with_cert(const char *text, const char *anchor, int n, X509 *cert)
{
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);
	char *out = with_raw(text, anchor, n, der, (size_t)len);

	OPENSSL_free(der);
	return out;
}

/* root text with cert as the first certificate of its first TSA chain */
static char *
with_tsa(const char *text, X509 *cert)
{
	return with_cert(text, "\"timestampAuthorities\"", 1, cert);
}

static const char *const ca_ext[] = {"basicConstraints", "critical,CA:TRUE",
				     "keyUsage", "critical,keyCertSign", NULL};
static const char *const tsa_ext[] = {"extendedKeyUsage", "critical,timeStamping",
				      "keyUsage", "critical,digitalSignature", NULL};

/*
 * A bundle with no log entry, timed only by an RFC 3161 token from a TSA
 * that stands in the trusted root in place of the real one.
 */
START_TEST(rfc3161_timestamps_give_the_time)
{
	static const char artifact[] = "stamped artifact\n";
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *tsakey = EVP_EC_gen("P-256");
	EVP_PKEY *signer = EVP_EC_gen("P-256");
	X509 *ca, *tsa;
	unsigned char id[32], md[32], sigbytes[128];
	char *s_spki, *sig, *md64, *tsr, *tsr2, *bundle, *keysdoc;
	char *rtext, *mut;
	size_t siglen;
	struct prov_trusted_root *r;
	struct prov_keys *k;
	struct strbuf sb;

	ca = make_cert(cakey, cakey, NULL, "test tsa root", ca_ext);
	tsa = make_cert(tsakey, cakey, ca, "test tsa", tsa_ext);
	s_spki = spki_b64(signer, id);
	SHA256((const unsigned char *)artifact, strlen(artifact), md);
	md64 = b64(md, 32);
	sig = sign_b64(signer, artifact, strlen(artifact));
	siglen = 0;
	ck_assert_int_eq(EVP_DecodeBlock(sigbytes, (const unsigned char *)sig,
					 (int)strlen(sig)) > 0, 1);
	/* EVP_DecodeBlock counts the padding: take the DER length instead */
	siglen = (size_t)sigbytes[1] + 2;
	tsr = make_timestamp(tsa, tsakey, sigbytes, siglen);
	tsr2 = make_timestamp(tsa, tsakey, (const unsigned char *)"other", 5);

	strbuf_init(&sb, 1u << 20);
	strbuf_addf(&sb, "{\"keys\":[{\"expires\":null,\"keyid\":\"SHA256:tsa-test\","
		    "\"keytype\":\"ecdsa-sha2-nistp256\",\"scheme\":\"ecdsa-sha2-nistp256\","
		    "\"key\":\"%s\"}]}", s_spki);
	keysdoc = strbuf_detach(&sb, NULL);
	k = keys_from(keysdoc);
	rtext = with_tsa(root_text, tsa);
	r = root_from(rtext);

	strbuf_addf(&sb, "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
		    "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"SHA256:tsa-test\"},"
		    "\"tlogEntries\":[],\"timestampVerificationData\":{\"rfc3161Timestamps\":"
		    "[{\"signedTimestamp\":\"%s\"}]}},"
		    "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
		    "\"digest\":\"%s\"},\"signature\":\"%s\"}}", tsr, md64, sig);
	bundle = strbuf_detach(&sb, NULL);

	ck_assert_str_eq(step_of(bundle, r, k, NULL), "ok");
	/* the real root does not trust our TSA */
	ck_assert_str_eq(step_of(bundle, root, k, NULL), "timestamp");
	/* a token over other bytes */
	mut = replace(bundle, tsr, tsr2);
	ck_assert_str_eq(step_of(mut, r, k, NULL), "timestamp");
	free(mut);
	/* a garbled token */
	mut = mutate(bundle, "\"signedTimestamp\":\"", 200);
	ck_assert_str_eq(step_of(mut, r, k, NULL), "timestamp");
	free(mut);
	/* no time at all */
	mut = replace(bundle, "[{\"signedTimestamp\"", "[],\"x\":[{\"signedTimestamp\"");
	ck_assert_str_eq(step_of(mut, r, k, NULL), "timestamp");
	free(mut);

	prov_trusted_root_free(r);
	prov_keys_free(k);
	free(rtext);
	free(keysdoc);
	free(bundle);
	free(tsr);
	free(tsr2);
	free(sig);
	free(md64);
	free(s_spki);
	X509_free(ca);
	X509_free(tsa);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(tsakey);
	EVP_PKEY_free(signer);
}
END_TEST

/* ---- a Fulcio-like certificate path made here ---- */

struct leaf_opts {
	const char *eku;		/* extendedKeyUsage value */
	long valid_from;		/* notBefore, seconds from now */
	EVP_PKEY *ct_key;		/* signs the embedded SCT */
	const unsigned char *ct_id;	/* the SCT's log id */
};

static void
put_be(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/*
 * A leaf as Fulcio issues it: empty subject, critical URI SAN, code-signing
 * EKU, identity extensions, valid ten minutes, and an embedded SCT over the
 * TBS as it was before the SCT extension was added (RFC 6962 3.2).
 */
static X509 *
make_leaf(EVP_PKEY *key, EVP_PKEY *cakey, X509 *ca, const struct leaf_opts *o)
{
	const char *const exts[] = {
		"subjectAltName", "critical,URI:https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1",
		"extendedKeyUsage", o->eku,
		"keyUsage", "critical,digitalSignature",
		"1.3.6.1.4.1.57264.1.20", "ASN1:UTF8String:push",
		"1.3.6.1.4.1.57264.1.12", "ASN1:UTF8String:https://github.com/o/r",
		"1.3.6.1.4.1.57264.1.11", "ASN1:UTF8String:self-hosted",
		NULL,
	};
	X509 *x = X509_new();
	X509_NAME *empty = X509_NAME_new();
	X509V3_CTX v3;
	unsigned char *tbs = NULL, *spki = NULL, ikh[32], *msg, sct[256];
	unsigned char list[300], inner[310];
	size_t i, mlen, siglen = 100, sctlen, listlen, innerlen;
	int tlen, slen;
	uint64_t ts = (uint64_t)time(NULL) * 1000;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.4.1.11129.2.4.2", 1);
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 99);
	X509_set_subject_name(x, empty);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	X509_gmtime_adj(X509_getm_notBefore(x), o->valid_from);
	X509_gmtime_adj(X509_getm_notAfter(x), o->valid_from + 600);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, ca, x, NULL, NULL, 0);
	for (i = 0; exts[i]; i += 2) {
		ext = X509V3_EXT_conf(NULL, &v3, exts[i], exts[i + 1]);
		ck_assert_msg(ext != NULL, "%s", exts[i]);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	ck_assert_int_gt(X509_sign(x, cakey, EVP_sha256()), 0);
	tlen = i2d_re_X509_tbs(x, &tbs);
	slen = i2d_PUBKEY(cakey, &spki);
	ck_assert(tlen > 0 && slen > 0);
	SHA256(spki, (size_t)slen, ikh);
	mlen = 12 + 32 + 3 + (size_t)tlen + 2;
	msg = xmalloc(mlen);
	msg[0] = 0;
	msg[1] = 0;
	put_be(msg + 2, ts, 8);
	put_be(msg + 10, 1, 2);
	memcpy(msg + 12, ikh, 32);
	put_be(msg + 44, (uint64_t)tlen, 3);
	memcpy(msg + 47, tbs, (size_t)tlen);
	put_be(msg + 47 + tlen, 0, 2);
	/* the SCT: v1, log id, time, no extensions, SHA-256/ECDSA, sig */
	sct[0] = 0;
	memcpy(sct + 1, o->ct_id, 32);
	put_be(sct + 33, ts, 8);
	put_be(sct + 41, 0, 2);
	sct[43] = 4;
	sct[44] = 3;
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, o->ct_key), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, sct + 47, &siglen, msg, mlen), 1);
	put_be(sct + 45, siglen, 2);
	sctlen = 47 + siglen;
	put_be(list, sctlen + 2, 2);
	put_be(list + 2, sctlen, 2);
	memcpy(list + 4, sct, sctlen);
	listlen = sctlen + 4;
	inner[0] = 0x04;
	if (listlen < 0x80) {
		inner[1] = (unsigned char)listlen;
		innerlen = 2;
	} else {
		inner[1] = 0x81;
		inner[2] = (unsigned char)listlen;
		innerlen = 3;
	}
	memcpy(inner + innerlen, list, listlen);
	innerlen += listlen;
	ASN1_OCTET_STRING_set(os, inner, (int)innerlen);
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	X509_add_ext(x, ext, -1);
	ck_assert_int_gt(X509_sign(x, cakey, EVP_sha256()), 0);

	X509_EXTENSION_free(ext);
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(os);
	EVP_MD_CTX_free(ctx);
	free(msg);
	OPENSSL_free(tbs);
	OPENSSL_free(spki);
	X509_NAME_free(empty);
	return x;
}

/* A v0.1 message-signature bundle by leaf, logged by rekor at itime. */
static char *
cert_bundle(X509 *leaf, EVP_PKEY *leafkey, EVP_PKEY *rekor,
	    const unsigned char rid[32], long long itime)
{
	static const char artifact[] = "certified artifact\n";
	unsigned char md[32], *der = NULL;
	char *sig, *md64, *mdhex, *leaf64, *rid64, *ridhex, *body, *body64;
	char *set_msg, *set, *out;
	struct strbuf sb;
	int n;

	n = i2d_X509(leaf, &der);
	leaf64 = b64(der, (size_t)n);
	OPENSSL_free(der);
	SHA256((const unsigned char *)artifact, strlen(artifact), md);
	md64 = b64(md, 32);
	mdhex = hexs(md, 32);
	sig = sign_b64(leafkey, artifact, strlen(artifact));
	rid64 = b64(rid, 32);
	ridhex = hexs(rid, 32);
	strbuf_init(&sb, 1u << 20);
	strbuf_addf(&sb, "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":"
		    "{\"data\":{\"hash\":{\"algorithm\":\"sha256\",\"value\":\"%s\"}},"
		    "\"signature\":{\"content\":\"%s\"}}}", mdhex, sig);
	body = strbuf_detach(&sb, NULL);
	body64 = b64((const unsigned char *)body, strlen(body));
	strbuf_addf(&sb, "{\"body\":\"%s\",\"integratedTime\":%lld,"
		    "\"logID\":\"%s\",\"logIndex\":7}", body64, itime, ridhex);
	set_msg = strbuf_detach(&sb, NULL);
	set = sign_b64(rekor, set_msg, strlen(set_msg));
	strbuf_addf(&sb, "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.1\","
		    "\"verificationMaterial\":{\"x509CertificateChain\":{\"certificates\":"
		    "[{\"rawBytes\":\"%s\"}]},\"tlogEntries\":[{\"logIndex\":\"7\","
		    "\"logId\":{\"keyId\":\"%s\"},\"kindVersion\":{\"kind\":\"hashedrekord\","
		    "\"version\":\"0.0.1\"},\"integratedTime\":\"%lld\",\"inclusionPromise\":"
		    "{\"signedEntryTimestamp\":\"%s\"},\"canonicalizedBody\":\"%s\"}]},"
		    "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
		    "\"digest\":\"%s\"},\"signature\":\"%s\"}}",
		    leaf64, rid64, itime, set, body64, md64, sig);
	out = strbuf_detach(&sb, NULL);
	free(sig);
	free(md64);
	free(mdhex);
	free(leaf64);
	free(rid64);
	free(ridhex);
	free(body);
	free(body64);
	free(set_msg);
	free(set);
	return out;
}

START_TEST(certificate_steps_fail_on_certificates_made_here)
{
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *rogue = EVP_EC_gen("P-256");
	EVP_PKEY *ctkey = EVP_EC_gen("P-256"), *rekor = EVP_EC_gen("P-256");
	EVP_PKEY *leafkey = EVP_EC_gen("P-256");
	X509 *ca = make_cert(cakey, cakey, NULL, "test fulcio", ca_ext);
	X509 *rogue_ca = make_cert(rogue, rogue, NULL, "test fulcio", ca_ext);
	unsigned char ctid[32], rid[32];
	char *ct_spki, *r_spki, *ctid64, *rid64, *t1, *t2, *t3, *t4, *t5;
	unsigned char *der = NULL;
	struct prov_trusted_root *r;
	struct prov_verdict v;
	struct prov_bundle *b;
	long long now = (long long)time(NULL);
	struct {
		const char *what, *eku;
		int rogue, wrong_ct;
		long long itime;
		const char *step;
	} cases[] = {
		{"valid", "codeSigning", 0, 0, now, "ok"},
		{"no code-signing EKU", "emailProtection", 0, 0, now, "code-signing EKU"},
		{"logged after the certificate expired", "codeSigning", 0, 0,
		 now + 2000, "certificate validity"},
		{"logged before the certificate was valid", "codeSigning", 0, 0,
		 now - 2000, "certificate validity"},
		{"SCT from another key", "codeSigning", 0, 1, now, "SCT"},
		{"issued by a CA outside the root", "codeSigning", 1, 0, now,
		 "certificate chain"},
	};
	size_t i;
	int n;

	ct_spki = spki_b64(ctkey, ctid);
	r_spki = spki_b64(rekor, rid);
	ctid64 = b64(ctid, 32);
	rid64 = b64(rid, 32);
	n = i2d_PUBKEY(ctkey, &der);
	t1 = with_cert(root_text, "\"certChain\"", 2, ca);
	t2 = with_raw(t1, "\"https://ctfe.sigstore.dev/2022\"", 1, der, (size_t)n);
	OPENSSL_free(der);
	der = NULL;
	n = i2d_PUBKEY(rekor, &der);
	t3 = with_raw(t2, "\"https://rekor.sigstore.dev\"", 1, der, (size_t)n);
	OPENSSL_free(der);
	t4 = replace(t3, "3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4=", ctid64);
	t5 = replace(t4, "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=", rid64);
	r = root_from(t5);
	prov_verdict_init(&v);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EVP_PKEY *other = cases[i].wrong_ct ? EVP_EC_gen("P-256") : NULL;
		struct leaf_opts o = {cases[i].eku, -60, other ? other : ctkey, ctid};
		X509 *leaf = make_leaf(leafkey, cases[i].rogue ? rogue : cakey,
				       cases[i].rogue ? rogue_ca : ca, &o);
		char *text = cert_bundle(leaf, leafkey, rekor, rid, cases[i].itime);

		ck_assert_int_eq(prov_bundle_parse(&b, text, strlen(text), "made"), 0);
		prov_bundle_verify(b, r, NULL, NULL, &v);
		ck_assert_msg(strcmp(prov_step_name(v.step), cases[i].step) == 0,
			      "%s: got %s (%s), want %s", cases[i].what,
			      prov_step_name(v.step), v.reason, cases[i].step);
		if (v.step == PROV_STEP_OK) {
			ck_assert_str_eq(v.id.san, "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1");
			ck_assert_str_eq(v.id.trigger, "push");
			ck_assert_str_eq(v.id.runner_env, "self-hosted");
			ck_assert_str_eq(v.id.source_repo, "https://github.com/o/r");
			ck_assert_str_eq(v.id.workflow_path, ".github/workflows/release.yml");
			ck_assert_str_eq(v.id.workflow_ref, "refs/tags/v1");
			ck_assert_int_eq(v.integrated_time, now);
		}
		prov_bundle_free(b);
		free(text);
		X509_free(leaf);
		EVP_PKEY_free(other);
	}
	prov_verdict_release(&v);
	prov_trusted_root_free(r);
	free(t1);
	free(t2);
	free(t3);
	free(t4);
	free(t5);
	free(ct_spki);
	free(r_spki);
	free(ctid64);
	free(rid64);
	X509_free(ca);
	X509_free(rogue_ca);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(rogue);
	EVP_PKEY_free(ctkey);
	EVP_PKEY_free(rekor);
	EVP_PKEY_free(leafkey);
}
END_TEST

/* ---- log proofs ---- */

static void
leaf_hash(const char *data, unsigned char out[32])
{
	unsigned char buf[64];
	size_t n = strlen(data);

	buf[0] = 0x00;
	memcpy(buf + 1, data, n);
	SHA256(buf, n + 1, out);
}

static void
node(const unsigned char *l, const unsigned char *r, unsigned char out[32])
{
	unsigned char buf[65];

	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	SHA256(buf, sizeof(buf), out);
}

/* A three-leaf tree built by hand (RFC 6962 2.1: root = H(H(a,b), c)). */
START_TEST(merkle_paths_of_a_small_tree)
{
	unsigned char a[32], b[32], c[32], ab[32], top[32], path[64];
	char why[160];

	leaf_hash("a", a);
	leaf_hash("b", b);
	leaf_hash("c", c);
	node(a, b, ab);
	node(ab, c, top);
	memcpy(path, b, 32);
	memcpy(path + 32, c, 32);
	ck_assert_int_eq(prov_merkle_verify(a, 0, 3, path, 2, top, why, sizeof(why)), 0);
	ck_assert_int_eq(prov_merkle_verify(c, 2, 3, ab, 1, top, why, sizeof(why)), 0);
	memcpy(path, a, 32);
	ck_assert_int_eq(prov_merkle_verify(b, 1, 3, path, 2, top, why, sizeof(why)), 0);
	/* wrong index, size, short and long paths */
	ck_assert_int_eq(prov_merkle_verify(c, 1, 3, ab, 1, top, why, sizeof(why)),
			 WS_EVERIFY);
	ck_assert_int_eq(prov_merkle_verify(c, 2, 4, ab, 1, top, why, sizeof(why)),
			 WS_EVERIFY);
	ck_assert_int_eq(prov_merkle_verify(a, 0, 3, path, 1, top, why, sizeof(why)),
			 WS_EVERIFY);
	ck_assert_ptr_nonnull(strstr(why, "short"));
	ck_assert_int_eq(prov_merkle_verify(c, 3, 3, ab, 1, top, why, sizeof(why)),
			 WS_EVERIFY);
	ck_assert_int_eq(prov_merkle_verify(a, 0, 1, path, 1, top, why, sizeof(why)),
			 WS_EVERIFY);
	ck_assert_ptr_nonnull(strstr(why, "long"));
}
END_TEST

/* A Rekor v2-style checkpoint signed with Ed25519 (the trusted root's
 * second log, given a key made here). */
START_TEST(ed25519_checkpoints_verify)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char id[32], sig[4 + 64];
	char *spki, *id64, *rtext, *rtext2, *sig64, note[256], text[512];
	size_t siglen = 64;
	struct prov_trusted_root *r;
	struct prov_checkpoint cp;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char why[160];

	ck_assert_ptr_nonnull(k);
	spki = spki_b64(k, id);
	id64 = b64(id, 32);
	rtext = replace(root_text, "MCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244=", spki);
	rtext2 = replace(rtext, "zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A=", id64);
	r = root_from(rtext2);
	snprintf(note, sizeof(note), "log2025-1.rekor.test\n7\n"
		 "Wk4WMkQPbooveUPRR3hww3gQBxai6ONjzssyEtCt5V8=\n");
	memcpy(sig, id, 4);
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, NULL, NULL, k), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, sig + 4, &siglen,
					(const unsigned char *)note, strlen(note)), 1);
	sig64 = b64(sig, 4 + siglen);
	snprintf(text, sizeof(text), "%s\n\xe2\x80\x94 log2025-1.rekor.test %s\n",
		 note, sig64);
	ck_assert_msg(prov_checkpoint_verify(text, strlen(text), r, &cp, why,
					     sizeof(why)) == 0, "%s", why);
	ck_assert_str_eq(cp.origin, "log2025-1.rekor.test");
	ck_assert_int_eq(cp.size, 7);
	/* the note changed after signing */
	text[21] = '8';
	ck_assert_int_eq(prov_checkpoint_verify(text, strlen(text), r, &cp, why,
						sizeof(why)), WS_EVERIFY);
	/* against the real root: no log has this key hint */
	ck_assert_int_ne(prov_checkpoint_verify(text, strlen(text), root, &cp, why,
						sizeof(why)), 0);
	EVP_MD_CTX_free(ctx);
	prov_trusted_root_free(r);
	free(sig64);
	free(rtext);
	free(rtext2);
	free(id64);
	free(spki);
	EVP_PKEY_free(k);
}
END_TEST

/* Ed25519 signature of msg as raw bytes (64) into out. */
static void
ed_sign(EVP_PKEY *k, const char *msg, unsigned char *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = 64;

	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, NULL, NULL, k), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, out, &n, (const unsigned char *)msg,
					strlen(msg)), 1);
	ck_assert_uint_eq(n, 64);
	EVP_MD_CTX_free(ctx);
}

/*
 * The shape Rekor v2 gives: no SET and no integratedTime, time from an
 * RFC 3161 token, a hashedrekord 0.0.2 body, and an inclusion proof under
 * a checkpoint signed with Ed25519 by the log that stands in the trusted
 * root in place of the real v2 log.
 */
START_TEST(rekor_v2_shaped_bundles_verify)
{
	static const char artifact[] = "rekor v2 artifact\n";
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *tsakey = EVP_EC_gen("P-256");
	EVP_PKEY *signer = EVP_EC_gen("P-256");
	EVP_PKEY *logkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *ca = make_cert(cakey, cakey, NULL, "v2 tsa root", ca_ext);
	X509 *tsa = make_cert(tsakey, cakey, ca, "v2 tsa", tsa_ext);
	unsigned char sid[32], lid[32], md[32], sigbytes[128], other[32];
	unsigned char leaf[32], top[32], cpsig[68];
	char *s_spki, *l_spki, *lid64, *sig, *md64, *tsr, *body, *body64;
	char *other64, *top64, *cpsig64, *bundle, *keysdoc, *t1, *t2, *t3, *mut;
	char note[256];
	struct prov_trusted_root *r;
	struct prov_keys *k;
	struct strbuf sb;
	size_t siglen;

	s_spki = spki_b64(signer, sid);
	l_spki = spki_b64(logkey, lid);
	lid64 = b64(lid, 32);
	SHA256((const unsigned char *)artifact, strlen(artifact), md);
	md64 = b64(md, 32);
	sig = sign_b64(signer, artifact, strlen(artifact));
	ck_assert_int_gt(EVP_DecodeBlock(sigbytes, (const unsigned char *)sig,
					 (int)strlen(sig)), 0);
	siglen = (size_t)sigbytes[1] + 2;
	tsr = make_timestamp(tsa, tsakey, sigbytes, siglen);

	strbuf_init(&sb, 1u << 20);
	strbuf_addf(&sb, "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\",\"spec\":"
		    "{\"hashedRekordV002\":{\"data\":{\"algorithm\":\"SHA2_256\","
		    "\"digest\":\"%s\"},\"signature\":{\"content\":\"%s\"}}}}", md64, sig);
	body = strbuf_detach(&sb, NULL);
	body64 = b64((const unsigned char *)body, strlen(body));
	/* a two-leaf tree: someone else's entry, then ours */
	leaf_hash("someone else", other);
	{
		unsigned char buf[1024];

		buf[0] = 0x00;
		memcpy(buf + 1, body, strlen(body));
		SHA256(buf, strlen(body) + 1, leaf);
	}
	node(other, leaf, top);
	other64 = b64(other, 32);
	top64 = b64(top, 32);
	snprintf(note, sizeof(note), "log2025-1.rekor.test\n2\n%s\n", top64);
	memcpy(cpsig, lid, 4);
	ed_sign(logkey, note, cpsig + 4);
	cpsig64 = b64(cpsig, 68);
	strbuf_addf(&sb, "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
		    "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"SHA256:v2-test\"},"
		    "\"tlogEntries\":[{\"logIndex\":\"1\",\"logId\":{\"keyId\":\"%s\"},"
		    "\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.2\"},"
		    "\"inclusionProof\":{\"logIndex\":\"1\",\"rootHash\":\"%s\","
		    "\"treeSize\":\"2\",\"hashes\":[\"%s\"],\"checkpoint\":{\"envelope\":"
		    "\"log2025-1.rekor.test\\n2\\n%s\\n\\n\xe2\x80\x94 log2025-1.rekor.test %s\\n\"}},"
		    "\"canonicalizedBody\":\"%s\"}],"
		    "\"timestampVerificationData\":{\"rfc3161Timestamps\":"
		    "[{\"signedTimestamp\":\"%s\"}]}},"
		    "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
		    "\"digest\":\"%s\"},\"signature\":\"%s\"}}",
		    lid64, top64, other64, top64, cpsig64, body64, tsr, md64, sig);
	bundle = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "{\"keys\":[{\"expires\":null,\"keyid\":\"SHA256:v2-test\","
		    "\"keytype\":\"ecdsa-sha2-nistp256\",\"scheme\":\"ecdsa-sha2-nistp256\","
		    "\"key\":\"%s\"}]}", s_spki);
	keysdoc = strbuf_detach(&sb, NULL);
	t1 = with_tsa(root_text, tsa);
	t2 = replace(t1, "MCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244=", l_spki);
	t3 = replace(t2, "zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A=", lid64);
	r = root_from(t3);
	k = keys_from(keysdoc);

	ck_assert_str_eq(step_of(bundle, r, k, NULL), "ok");
	mut = mutate(bundle, "\"hashes\":[\"", 5);
	ck_assert_str_eq(step_of(mut, r, k, NULL), "inclusion proof");
	free(mut);
	mut = mutate(bundle, "log2025-1.rekor.test ", 30);
	ck_assert_str_eq(step_of(mut, r, k, NULL), "checkpoint");
	free(mut);
	/* the body logs another signature than the bundle's: re-log it */
	mut = replace(bundle, "\"kind\":\"hashedrekord\",\"version\":\"0.0.2\"",
		      "\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"");
	ck_assert_str_eq(step_of(mut, r, k, NULL), "tlog body");
	free(mut);
	/* the real root knows neither our TSA nor our log key */
	ck_assert_str_eq(step_of(bundle, root, k, NULL), "checkpoint");

	prov_trusted_root_free(r);
	prov_keys_free(k);
	free(t1);
	free(t2);
	free(t3);
	free(keysdoc);
	free(bundle);
	free(cpsig64);
	free(top64);
	free(other64);
	free(body64);
	free(body);
	free(tsr);
	free(sig);
	free(md64);
	free(lid64);
	free(l_spki);
	free(s_spki);
	X509_free(ca);
	X509_free(tsa);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(tsakey);
	EVP_PKEY_free(signer);
	EVP_PKEY_free(logkey);
}
END_TEST

/* ---- pieces ---- */

START_TEST(attestation_entries_keep_order_and_errors)
{
	static const char doc[] =
		"{\"attestations\":[{\"predicateType\":\"x\",\"bundle\":{\"mediaType\":\"nope\"},"
		"\"signedAccessSignatureUrl\":\"\"},{\"predicateType\":\"y\"}],\"extra\":1}";
	struct prov_attestations a;

	ck_assert_int_eq(prov_attestations_parse(&a, doc, strlen(doc), "att"), 0);
	ck_assert_uint_eq(a.count, 2);
	ck_assert_str_eq(a.items[0].predicate_type, "x");
	ck_assert_ptr_null(a.items[0].bundle);
	ck_assert_ptr_nonnull(strstr(a.items[0].error, "mediaType"));
	ck_assert_ptr_null(a.items[1].bundle);
	ck_assert_ptr_nonnull(a.items[1].error);
	prov_attestations_release(&a);
	ck_assert_int_eq(prov_attestations_parse(&a, "[]", 2, "att"), WS_EPARSE);
	prov_attestations_release(&a);
}
END_TEST

START_TEST(digest_ignores_formatting)
{
	struct prov_bundle *a, *b;
	char *flat;
	size_t i, o;
	int in_string = 0;

	/* the same bundle without its whitespace has the same digest */
	flat = xstrdup(prov_text);
	for (i = o = 0; prov_text[i]; i++) {
		if (prov_text[i] == '"' && (i == 0 || prov_text[i - 1] != '\\'))
			in_string = !in_string;
		if (!in_string && (prov_text[i] == '\n' || prov_text[i] == ' '))
			continue;
		flat[o++] = prov_text[i];
	}
	flat[o] = '\0';
	ck_assert_int_eq(prov_bundle_parse(&a, prov_text, strlen(prov_text), "a"), 0);
	ck_assert_int_eq(prov_bundle_parse(&b, flat, o, "b"), 0);
	ck_assert_str_eq(prov_bundle_digest(a), prov_bundle_digest(b));
	ck_assert_int_eq(prov_bundle_is_dsse(a), 1);
	ck_assert_str_eq(prov_bundle_media_type(a),
			 "application/vnd.dev.sigstore.bundle.v0.3+json");
	prov_bundle_free(b);
	free(flat);
	flat = mutate(prov_text, "\"payload\": \"", 10);
	ck_assert_int_eq(prov_bundle_parse(&b, flat, strlen(flat), "b"), 0);
	ck_assert_str_ne(prov_bundle_digest(a), prov_bundle_digest(b));
	prov_bundle_free(a);
	prov_bundle_free(b);
	free(flat);
}
END_TEST

START_TEST(unpadded_and_url_safe_base64_verify)
{
	char *text, *t2;

	/* strip the SET's padding and write it URL-safe */
	text = replace(prov_text, "9uWoc=\"", "9uWoc\"");
	ck_assert_str_eq(step_of(text, root, keys, &pw_expect), "ok");
	t2 = replace(text, "MEUCIGcw/05d79Gw", "MEUCIGcw_05d79Gw");
	ck_assert_str_eq(step_of(t2, root, keys, &pw_expect), "ok");
	free(text);
	free(t2);
}
END_TEST

START_TEST(limits_and_garbage_are_parse_errors)
{
	struct prov_bundle *b;
	struct prov_trusted_root *r;
	struct prov_keys *k;
	char *big = xcalloc(PROV_BUNDLE_MAX + 2, 1);

	memset(big, ' ', PROV_BUNDLE_MAX + 1);
	ck_assert_int_eq(prov_bundle_parse(&b, big, PROV_BUNDLE_MAX + 1, "big"),
			 WS_ELIMIT);
	free(big);
	ck_assert_int_eq(prov_bundle_parse(&b, "{}", 2, "e"), WS_EPARSE);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(prov_bundle_parse(&b, "{", 1, "e"), WS_EPARSE);
	ck_assert_int_eq(prov_trusted_root_parse(&r, "{}", 2, "r"), WS_EPARSE);
	ck_assert_int_eq(prov_keys_parse(&k, "{\"keys\":[{}]}", 13, "k"), WS_EPARSE);
	ck_assert_int_eq(prov_keys_parse(&k, "{\"keys\":[{\"keyid\":\"a\",\"key\":\"!!\"}]}",
					 36, "k"), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "k:"));
	ck_assert_int_eq(prov_trusted_root_load(&r, DATA "no-such-file.json"),
			 WS_ENOTFOUND);
	/* the copy shipped in trust/ loads */
	ck_assert_msg(prov_trusted_root_load_default(&r) == 0, "%s", ws_error_last());
	prov_trusted_root_free(r);
}
END_TEST

START_TEST(step_names_are_stable)
{
	int i;

	ck_assert_str_eq(prov_step_name(PROV_STEP_OK), "ok");
	ck_assert_str_eq(prov_step_name(PROV_STEP_CERT_CHAIN), "certificate chain");
	ck_assert_str_eq(prov_step_name(PROV_STEP_EKU), "code-signing EKU");
	ck_assert_str_eq(prov_step_name(PROV_STEP_COUNT), "unknown");
	for (i = 0; i < PROV_STEP_COUNT; i++)
		ck_assert_ptr_nonnull(prov_step_name((enum prov_step)i));
}
END_TEST

static Suite *
mutate_suite(void)
{
	Suite *s = suite_create("prov-mutate");
	TCase *tc;

	tc = tcase_create("mutations");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, each_mutation_fails_at_its_step, 0,
			    (int)(sizeof(mutations) / sizeof(mutations[0])));
	tcase_add_test(tc, unmutated_bundles_pass);
	tcase_add_test(tc, statement_and_entry_mismatches);
	tcase_add_test(tc, trust_changes_fail_their_step);
	tcase_add_test(tc, digest_ignores_formatting);
	tcase_add_test(tc, unpadded_and_url_safe_base64_verify);
	tcase_add_test(tc, message_signature_bundles_verify);
	tcase_add_test(tc, ed25519_checkpoints_verify);
	tcase_add_test(tc, rfc3161_timestamps_give_the_time);
	tcase_add_test(tc, rekor_v2_shaped_bundles_verify);
	tcase_add_test(tc, certificate_steps_fail_on_certificates_made_here);
	suite_add_tcase(s, tc);

	tc = tcase_create("pieces");
	tcase_add_test(tc, merkle_paths_of_a_small_tree);
	tcase_add_test(tc, attestation_entries_keep_order_and_errors);
	tcase_add_test(tc, limits_and_garbage_are_parse_errors);
	tcase_add_test(tc, step_names_are_stable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mutate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
