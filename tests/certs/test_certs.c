/*
 * certs: the file readers and the CI secret reader, on certificates and
 * keys this test makes with libcrypto.
 */

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs/certs.h"
#include "report/rotation.h"
#include "util/error.h"

/* ---- making certificates ---- */

static EVP_PKEY *
new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(ext);
	ck_assert(X509_add_ext(x, ext, -1));
	X509_EXTENSION_free(ext);
}

/* An extension of type oid holding der[0..n). */
static void
add_raw_ext(X509 *x, const char *oid, const unsigned char *der, size_t n)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *data = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext;

	ck_assert_ptr_nonnull(obj);
	ASN1_OCTET_STRING_set(data, der, (int)n);
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, data);
	ck_assert_ptr_nonnull(ext);
	ck_assert(X509_add_ext(x, ext, -1));
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(data);
	ASN1_OBJECT_free(obj);
}

/* An Apple certificate-type extension 1.2.840.113635.100.6.1.<arc>. */
static void
add_apple_ext(X509 *x, int arc)
{
	static const unsigned char null_der[] = { 0x05, 0x00 };
	char oid[64];

	snprintf(oid, sizeof(oid), "1.2.840.113635.100.6.1.%d", arc);
	add_raw_ext(x, oid, null_der, sizeof(null_der));
}

/* certificatePolicies with the one policy 2.23.140.1.3 (EV code signing). */
static void
add_ev_policy(X509 *x)
{
	static const unsigned char der[] = {
		0x30, 0x09, 0x30, 0x07, 0x06, 0x05, 0x67, 0x81, 0x0c, 0x01,
		0x03,
	};

	add_raw_ext(x, "2.5.29.32", der, sizeof(der));
}

struct spec {
	const char *cn;
	const char *ou;
	const char *eku;	/* NULL: none */
	const char *policy;	/* NULL: none */
	int apple_arc;		/* 0: none */
	long serial;
};

static X509 *
make_cert(const struct spec *s, EVP_PKEY *k)
{
	X509 *x = X509_new();
	X509_NAME *name;

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial ? s->serial : 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_set_pubkey(x, k);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
				   (const unsigned char *)s->cn, -1, -1, 0);
	if (s->ou)
		X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
					   (const unsigned char *)s->ou, -1,
					   -1, 0);
	X509_set_issuer_name(x, name);
	if (s->eku)
		add_ext(x, NID_ext_key_usage, s->eku);
	if (s->policy)
		add_ev_policy(x);
	if (s->apple_arc)
		add_apple_ext(x, s->apple_arc);
	ck_assert(X509_sign(x, k, EVP_sha256()));
	return x;
}

static char *
fingerprint_of(X509 *x)
{
	unsigned char md[32];
	unsigned n = 0, i;
	char *hex = malloc(65);

	ck_assert(X509_digest(x, EVP_sha256(), md, &n));
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}

/* The PEM of x (or of key k when x is NULL) in a malloc'd buffer. */
static char *
pem_of(X509 *x, EVP_PKEY *k, const EVP_CIPHER *enc, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	if (x)
		ck_assert(PEM_write_bio_X509(b, x));
	else
		ck_assert(PEM_write_bio_PKCS8PrivateKey(b, k, enc, enc ? "pw-Zq8" : NULL,
						       enc ? 6 : 0, NULL, NULL));
	n = BIO_get_mem_data(b, &data);
	out = malloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(b);
	return out;
}

static struct certs_where
where(const char *path)
{
	struct certs_where w = { "repos/app", path, NULL };

	return w;
}

static int
parse(struct certs_inv *inv, const char *path, const void *data, size_t len)
{
	struct certs_where w = where(path);

	return certs_parse_file(inv, &w, data, len);
}

/* ---- certificates ---- */

START_TEST(pem_certificate_fields_and_fingerprint)
{
	struct spec s = { "Example Code Signing", NULL, "codeSigning", NULL, 0, 0x1234 };
	EVP_PKEY *k = new_key();
	X509 *x = make_cert(&s, k);
	char *fp = fingerprint_of(x), *pem;
	struct certs_inv inv;
	size_t len;

	pem = pem_of(x, NULL, NULL, &len);
	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "sign/cs.crt", pem, len), 1);
	ck_assert_str_eq(inv.entries[0].kind, "certificate");
	ck_assert_str_eq(inv.entries[0].subject, "CN=Example Code Signing");
	ck_assert_str_eq(inv.entries[0].serial, "1234");
	ck_assert_str_eq(inv.entries[0].fingerprint, fp);
	ck_assert_str_eq(inv.entries[0].platform, "windows-authenticode");
	ck_assert_uint_eq(inv.entries[0].neku, 1);
	ck_assert_str_eq(inv.entries[0].eku[0], "codeSigning");
	ck_assert_str_eq(inv.entries[0].key_type, "EC");
	ck_assert_uint_eq(inv.entries[0].key_bits, 256);
	ck_assert_int_eq(inv.entries[0].has_key, 0);
	ck_assert_int_eq(inv.entries[0].is_protected, 0);
	ck_assert_ptr_nonnull(inv.entries[0].not_after);
	ck_assert_str_eq(inv.entries[0].repo, "repos/app");
	ck_assert_str_eq(inv.entries[0].path, "sign/cs.crt");
	certs_inv_release(&inv);
	free(pem);
	free(fp);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

static const char *
classify(const struct spec *s)
{
	static char out[64];
	EVP_PKEY *k = new_key();
	X509 *x = make_cert(s, k);
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	struct certs_inv inv;

	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "a.der", der, (size_t)n), 1);
	snprintf(out, sizeof(out), "%s%s", inv.entries[0].platform,
		 inv.entries[0].ev ? "+ev" : "");
	certs_inv_release(&inv);
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(k);
	return out;
}

START_TEST(classification_by_subject_eku_policy_and_apple_oids)
{
	struct spec devid = { "Developer ID Application: Example (TEAMID1234)",
			      "TEAMID1234", "codeSigning", NULL, 13, 0 };
	struct spec installer = { "Someone", NULL, NULL, NULL, 14, 0 };
	struct spec dist = { "Apple Distribution: Example (TEAMID1234)",
			     "TEAMID1234", "codeSigning", NULL, 0, 0 };
	struct spec iphone = { "iPhone Distribution: Example", NULL, NULL, NULL,
			       0, 0 };
	struct spec ev = { "Example EV", NULL, "codeSigning", "2.23.140.1.3",
			   0, 0 };
	struct spec tls = { "www.example.test", NULL, "serverAuth", NULL, 0, 0 };
	struct spec none = { "Something", NULL, NULL, NULL, 0, 0 };
	struct spec android = { "Android Debug", NULL, NULL, NULL, 0, 0 };

	ck_assert_str_eq(classify(&devid), "apple-developer-id-application");
	ck_assert_str_eq(classify(&installer), "apple-developer-id-installer");
	ck_assert_str_eq(classify(&dist), "apple-distribution");
	ck_assert_str_eq(classify(&iphone), "iphone-distribution");
	ck_assert_str_eq(classify(&ev), "windows-authenticode-ev+ev");
	ck_assert_str_eq(classify(&tls), "tls");
	ck_assert_str_eq(classify(&none), "unknown");
	ck_assert_str_eq(classify(&android), "android");
}
END_TEST

START_TEST(apple_team_id_comes_from_the_subject)
{
	struct spec devid = { "Developer ID Application: Example (TEAMID1234)",
			      "TEAMID1234", "codeSigning", NULL, 13, 0 };
	EVP_PKEY *k = new_key();
	X509 *x = make_cert(&devid, k);
	struct certs_inv inv;
	char *pem;
	size_t len;

	pem = pem_of(x, NULL, NULL, &len);
	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "devid.pem", pem, len), 1);
	ck_assert_str_eq(inv.entries[0].team_id, "TEAMID1234");
	certs_inv_release(&inv);
	free(pem);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(pem_chain_gives_one_entry_per_certificate)
{
	struct spec a = { "Leaf", NULL, "serverAuth", NULL, 0, 1 };
	struct spec b = { "Intermediate", NULL, NULL, NULL, 0, 2 };
	EVP_PKEY *k = new_key();
	X509 *xa = make_cert(&a, k), *xb = make_cert(&b, k);
	char *pa, *pb, *chain;
	size_t la, lb;
	struct certs_inv inv;

	pa = pem_of(xa, NULL, NULL, &la);
	pb = pem_of(xb, NULL, NULL, &lb);
	chain = malloc(la + lb + 32);
	snprintf(chain, la + lb + 32, "junk before\n%s%s", pa, pb);
	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "chain.pem", chain, strlen(chain)), 2);
	ck_assert_str_eq(inv.entries[0].subject, "CN=Leaf");
	ck_assert_str_eq(inv.entries[1].subject, "CN=Intermediate");
	ck_assert_str_eq(inv.entries[0].file_sha256, inv.entries[1].file_sha256);
	certs_inv_release(&inv);
	free(pa);
	free(pb);
	free(chain);
	X509_free(xa);
	X509_free(xb);
	EVP_PKEY_free(k);
}
END_TEST

/* ---- keys ---- */

static char *
pubkey_fingerprint(EVP_PKEY *k)
{
	unsigned char *der = NULL, md[32];
	unsigned n = 0, i;
	int len = i2d_PUBKEY(k, &der);
	char *hex = malloc(65);

	ck_assert(EVP_Digest(der, (size_t)len, md, &n, EVP_sha256(), NULL));
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
	return hex;
}

static void
assert_no_key_text(const struct certs_inv *inv)
{
	size_t i;

	for (i = 0; i < inv->n; i++) {
		const struct certs_entry *e = &inv->entries[i];
		const char *fields[] = { e->subject, e->issuer, e->note,
					 e->alias, e->key_type, e->fingerprint };
		size_t j;

		for (j = 0; j < sizeof(fields) / sizeof(fields[0]); j++)
			ck_assert(!fields[j] || !strstr(fields[j], "PRIVATE"));
	}
}

START_TEST(private_keys_give_type_and_public_fingerprint_only)
{
	EVP_PKEY *k = new_key();
	char *plain, *enc, *fp = pubkey_fingerprint(k);
	size_t lp, le;
	struct certs_inv inv;

	plain = pem_of(NULL, k, NULL, &lp);
	enc = pem_of(NULL, k, EVP_aes_256_cbc(), &le);
	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "keys/id_ec", plain, lp), 1);
	ck_assert_str_eq(inv.entries[0].kind, "private-key");
	ck_assert_int_eq(inv.entries[0].has_key, 1);
	ck_assert_int_eq(inv.entries[0].is_protected, 0);
	ck_assert_str_eq(inv.entries[0].key_type, "EC");
	ck_assert_str_eq(inv.entries[0].fingerprint, fp);
	ck_assert_int_eq(parse(&inv, "keys/enc.key", enc, le), 1);
	ck_assert_int_eq(inv.entries[1].is_protected, 1);
	ck_assert_ptr_null(inv.entries[1].fingerprint);
	ck_assert_int_eq(parse(&inv, "ios/AuthKey_ABCDE12345.p8", plain, lp), 1);
	ck_assert_str_eq(inv.entries[2].kind, "apple-p8-key");
	ck_assert_str_eq(inv.entries[2].alias, "ABCDE12345");
	ck_assert_str_eq(inv.entries[2].platform, "apple");
	assert_no_key_text(&inv);
	certs_inv_release(&inv);
	free(plain);
	free(enc);
	free(fp);
	EVP_PKEY_free(k);
}
END_TEST

/* ---- PKCS#12 ---- */

static unsigned char *
p12_of(X509 *x, EVP_PKEY *k, const char *pass, int certpbe, size_t *len)
{
	PKCS12 *p12 = PKCS12_create(pass, "signing", k, x, NULL, 0, certpbe,
				    0, 0, 0);
	unsigned char *der = NULL;
	int n;

	ck_assert_ptr_nonnull(p12);
	n = i2d_PKCS12(p12, &der);
	ck_assert_int_gt(n, 0);
	PKCS12_free(p12);
	*len = (size_t)n;
	return der;
}

START_TEST(pkcs12_opens_with_the_empty_password_only)
{
	struct spec s = { "Example Code Signing", NULL, "codeSigning", NULL, 0, 0 };
	EVP_PKEY *k = new_key();
	X509 *x = make_cert(&s, k);
	char *fp = fingerprint_of(x);
	unsigned char *open, *locked, *clear;
	size_t lo, ll, lc;
	struct certs_inv inv;

	open = p12_of(x, k, "", 0, &lo);
	locked = p12_of(x, k, "Pw-7xq-secret", 0, &ll);
	clear = p12_of(x, k, "Pw-7xq-secret", -1, &lc);
	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "sign/open.p12", open, lo), 1);
	ck_assert_str_eq(inv.entries[0].kind, "pkcs12");
	ck_assert_str_eq(inv.entries[0].fingerprint, fp);
	ck_assert_int_eq(inv.entries[0].has_key, 1);
	ck_assert_int_eq(inv.entries[0].is_protected, 0);
	ck_assert_str_eq(inv.entries[0].alias, "signing");
	ck_assert_int_eq(parse(&inv, "sign/locked.pfx", locked, ll), 1);
	ck_assert_int_eq(inv.entries[1].is_protected, 1);
	ck_assert_ptr_null(inv.entries[1].fingerprint);
	ck_assert_ptr_nonnull(inv.entries[1].file_sha256);
	/* certificates outside the encrypted bags read without it */
	ck_assert_int_eq(parse(&inv, "sign/clear.p12", clear, lc), 1);
	ck_assert_int_eq(inv.entries[2].is_protected, 1);
	ck_assert_str_eq(inv.entries[2].fingerprint, fp);
	/* a keystore name makes it Android's */
	ck_assert_int_eq(parse(&inv, "android/release.keystore", locked, ll), 1);
	ck_assert_str_eq(inv.entries[3].kind, "keystore-pkcs12");
	ck_assert_str_eq(inv.entries[3].platform, "android");
	assert_no_key_text(&inv);
	certs_inv_release(&inv);
	OPENSSL_free(open);
	OPENSSL_free(locked);
	OPENSSL_free(clear);
	free(fp);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

/* ---- JKS ---- */

static void
put32(unsigned char **p, uint32_t v)
{
	(*p)[0] = (unsigned char)(v >> 24);
	(*p)[1] = (unsigned char)(v >> 16);
	(*p)[2] = (unsigned char)(v >> 8);
	(*p)[3] = (unsigned char)v;
	*p += 4;
}

static void
put_utf(unsigned char **p, const char *s)
{
	size_t n = strlen(s);

	(*p)[0] = (unsigned char)(n >> 8);
	(*p)[1] = (unsigned char)n;
	memcpy(*p + 2, s, n);
	*p += 2 + n;
}

/* A JKS v2 store: a key entry "upload" (chain of one) and a trusted "ca". */
static size_t
make_jks(unsigned char *buf, const unsigned char *der, size_t n)
{
	unsigned char *p = buf;

	put32(&p, 0xfeedfeed);
	put32(&p, 2);
	put32(&p, 2);
	put32(&p, 1);
	put_utf(&p, "upload");
	memset(p, 0, 8);
	p += 8;
	put32(&p, 16);
	memset(p, 0x5a, 16);	/* the "encrypted key" */
	p += 16;
	put32(&p, 1);
	put_utf(&p, "X.509");
	put32(&p, (uint32_t)n);
	memcpy(p, der, n);
	p += n;
	put32(&p, 2);
	put_utf(&p, "ca");
	memset(p, 0, 8);
	p += 8;
	put_utf(&p, "X.509");
	put32(&p, (uint32_t)n);
	memcpy(p, der, n);
	p += n;
	memset(p, 0, 20);	/* the keyed digest */
	p += 20;
	return (size_t)(p - buf);
}

START_TEST(jks_gives_aliases_and_certificates_without_a_password)
{
	struct spec s = { "Upload Key", NULL, NULL, NULL, 0, 0 };
	EVP_PKEY *k = new_key();
	X509 *x = make_cert(&s, k);
	char *fp = fingerprint_of(x);
	unsigned char *der = NULL, buf[8192];
	int n = i2d_X509(x, &der);
	size_t len = make_jks(buf, der, (size_t)n), cut;
	struct certs_inv inv;

	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "android/upload.jks", buf, len), 2);
	ck_assert_str_eq(inv.entries[0].kind, "jks");
	ck_assert_str_eq(inv.entries[0].alias, "upload");
	ck_assert_str_eq(inv.entries[0].platform, "android");
	ck_assert_str_eq(inv.entries[0].fingerprint, fp);
	ck_assert_int_eq(inv.entries[0].has_key, 1);
	ck_assert_int_eq(inv.entries[0].is_protected, 1);
	ck_assert_str_eq(inv.entries[1].alias, "ca");
	ck_assert_int_eq(inv.entries[1].has_key, 0);
	certs_inv_release(&inv);
	/* every truncation fails cleanly, keeping what came before */
	for (cut = 0; cut < len; cut += 7) {
		struct certs_where w = where("t.jks");

		certs_inv_init(&inv);
		certs_parse_jks(&inv, &w, buf, cut);
		ck_assert_uint_le(inv.n, 2);
		certs_inv_release(&inv);
	}
	{
		struct certs_where w = where("t.jks");

		certs_inv_init(&inv);
		ck_assert_int_eq(certs_parse_jks(&inv, &w, buf, 40), WS_EPARSE);
		certs_inv_release(&inv);
	}
	OPENSSL_free(der);
	free(fp);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

/* ---- other formats ---- */

START_TEST(snk_and_gpg_and_openssh_are_recognised)
{
	unsigned char snk[200];
	static const char gpg[] =
		"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n"
		"lQOYBGZ9nAABCAC8\n=abcd\n"
		"-----END PGP PRIVATE KEY BLOCK-----\n";
	static const char ssh[] =
		"-----BEGIN OPENSSH PRIVATE KEY-----\n"
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
		"QyNTUxOQAAACDxVn2s5LQv0qyYl0nFXsjzZJ2vVt2H0c7qbXmQ0Xz3FQAAAA==\n"
		"-----END OPENSSH PRIVATE KEY-----\n";
	struct certs_inv inv;

	memset(snk, 0xab, sizeof(snk));
	memcpy(snk, "\x07\x02\x00\x00\x00\x24\x00\x00RSA2\x00\x04\x00\x00", 16);
	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "Key.snk", snk, sizeof(snk)), 1);
	ck_assert_str_eq(inv.entries[0].kind, "snk");
	ck_assert_uint_eq(inv.entries[0].key_bits, 1024);
	ck_assert_int_eq(parse(&inv, "private.asc", gpg, strlen(gpg)), 1);
	ck_assert_str_eq(inv.entries[1].kind, "gpg-private-key");
	ck_assert_str_eq(inv.entries[1].key_type, "RSA");
	ck_assert_int_eq(parse(&inv, "deploy_key", ssh, strlen(ssh)), 1);
	ck_assert_str_eq(inv.entries[2].kind, "private-key");
	ck_assert_str_eq(inv.entries[2].key_type, "ssh-ed25519");
	ck_assert_int_eq(inv.entries[2].is_protected, 0);
	ck_assert_ptr_nonnull(inv.entries[2].fingerprint);
	certs_inv_release(&inv);
}
END_TEST

START_TEST(candidates_and_sniffing)
{
	static const unsigned char jks[] = { 0xfe, 0xed, 0xfe, 0xed, 0, 0 };

	ck_assert(certs_is_candidate("a/b/dist.P12", 100));
	ck_assert(certs_is_candidate("x.mobileprovision", 100));
	ck_assert(!certs_is_candidate("x.p12", 0));
	ck_assert(!certs_is_candidate("x.p12", CERTS_FILE_MAX + 1));
	ck_assert(!certs_is_candidate("index.js", 100));
	ck_assert(certs_sniff(jks, sizeof(jks)));
	ck_assert(certs_sniff((const unsigned char *)"x\n-----BEGIN RSA PRIVATE KEY-----", 33));
	ck_assert(!certs_sniff((const unsigned char *)"-----BEGIN PUBLIC KEY-----", 26));
}
END_TEST

START_TEST(garbage_under_a_certificate_name_adds_nothing)
{
	struct certs_inv inv;
	unsigned char junk[64];

	memset(junk, 0x30, sizeof(junk));
	certs_inv_init(&inv);
	ck_assert_int_eq(parse(&inv, "x.crt", junk, sizeof(junk)), 0);
	ck_assert_int_eq(parse(&inv, "x.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 58), 0);
	ck_assert_int_eq(parse(&inv, "x.mobileprovision", junk, sizeof(junk)), 0);
	certs_inv_release(&inv);
}
END_TEST

/* ---- CI secrets ---- */

static const struct certs_secret *
secret(const struct certs_inv *inv, const char *file, const char *name)
{
	size_t i;

	for (i = 0; i < inv->nsecrets; i++)
		if (!strcmp(inv->secrets[i].name, name) &&
		    !strcmp(inv->secrets[i].file, file))
			return &inv->secrets[i];
	return NULL;
}

static int
used_in(const struct certs_secret *s, const char *where)
{
	size_t i;

	for (i = 0; s && i < s->nused; i++)
		if (!strcmp(s->used_in[i], where))
			return 1;
	return 0;
}

static void
ci(struct certs_inv *inv, const char *path, const char *text)
{
	struct certs_where w = where(path);

	ck_assert_int_ge(certs_parse_ci(inv, &w, text, strlen(text)), 0);
}

START_TEST(github_secrets_with_job_and_step)
{
	static const char wf[] =
		"name: release\n"
		"on: push\n"
		"env:\n"
		"  NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n"
		"jobs:\n"
		"  mac:\n"
		"    runs-on: macos-latest\n"
		"    steps:\n"
		"      - uses: actions/checkout@v4\n"
		"      - name: Sign\n"
		"        env:\n"
		"          CSC_LINK: ${{ secrets.APPLE_CERTIFICATE_P12 }}\n"
		"          CSC_KEY_PASSWORD: ${{ secrets['APPLE_CERTIFICATE_PASSWORD'] }}\n"
		"        run: ./sign.sh\n"
		"  win:\n"
		"    steps:\n"
		"      - run: echo ${{ secrets.WIN_CSC_LINK }}\n"
		"        env:\n"
		"          LITERAL_TOKEN: npm_LITERALVALUE0123456789\n";
	struct certs_inv inv;
	const char *f = ".github/workflows/release.yml";
	size_t i, j;

	certs_inv_init(&inv);
	ci(&inv, f, wf);
	ck_assert(used_in(secret(&inv, f, "NPM_TOKEN"), "(top level)"));
	ck_assert(used_in(secret(&inv, f, "NODE_AUTH_TOKEN"), "(top level)"));
	ck_assert_str_eq(secret(&inv, f, "NODE_AUTH_TOKEN")->category, "npm-token");
	ck_assert(used_in(secret(&inv, f, "APPLE_CERTIFICATE_P12"), "mac/Sign"));
	ck_assert(used_in(secret(&inv, f, "APPLE_CERTIFICATE_PASSWORD"), "mac/Sign"));
	ck_assert(used_in(secret(&inv, f, "CSC_LINK"), "mac/Sign"));
	ck_assert_str_eq(secret(&inv, f, "WIN_CSC_LINK")->category, "windows-signing");
	ck_assert(used_in(secret(&inv, f, "WIN_CSC_LINK"), "win/echo ${{ secrets.WIN_CSC_LINK }}"));
	ck_assert_ptr_nonnull(secret(&inv, f, "LITERAL_TOKEN"));
	/* the names are kept, never a value */
	for (i = 0; i < inv.nsecrets; i++) {
		ck_assert_ptr_null(strstr(inv.secrets[i].name, "LITERALVALUE"));
		for (j = 0; j < inv.secrets[i].nused; j++)
			ck_assert_ptr_null(strstr(inv.secrets[i].used_in[j], "LITERALVALUE"));
	}
	certs_inv_release(&inv);
}
END_TEST

START_TEST(other_ci_systems_and_fastlane)
{
	static const char gitlab[] =
		"stages: [build]\n"
		"variables:\n"
		"  GIT_DEPTH: 1\n"
		"build-android:\n"
		"  script:\n"
		"    - echo \"$ANDROID_KEYSTORE_BASE64\" | base64 -d > upload.jks\n"
		"    - ./gradlew -Pstorepass=${ANDROID_KEYSTORE_PASSWORD} bundle\n"
		"    - echo $CI_COMMIT_SHA\n";
	static const char circle[] =
		"version: 2.1\n"
		"jobs:\n"
		"  publish:\n"
		"    steps:\n"
		"      - run:\n"
		"          name: Publish\n"
		"          command: echo //r/:_authToken=$NPM_TOKEN > .npmrc\n";
	static const char azure[] =
		"jobs:\n"
		"- job: sign\n"
		"  steps:\n"
		"  - script: signtool sign /p $(WINDOWS_CERT_PASSWORD) app.exe\n"
		"    displayName: Sign\n";
	static const char fastfile[] =
		"default_platform(:ios)\n"
		"lane :release do\n"
		"  match(type: \"appstore\", password: ENV[\"MATCH_PASSWORD\"])\n"
		"  key = ENV.fetch('APP_STORE_CONNECT_API_KEY')\n"
		"  puts ENV[\"HOME\"]\n"
		"end\n";
	static const char bad_yaml[] =
		"a: &x [1]\nb: *x\njob:\n  script: echo $NPM_TOKEN\n";
	struct certs_inv inv;

	certs_inv_init(&inv);
	ci(&inv, ".gitlab-ci.yml", gitlab);
	ck_assert(used_in(secret(&inv, ".gitlab-ci.yml", "ANDROID_KEYSTORE_BASE64"), "build-android/script"));
	ck_assert(used_in(secret(&inv, ".gitlab-ci.yml", "ANDROID_KEYSTORE_PASSWORD"), "build-android/script"));
	ck_assert_ptr_null(secret(&inv, ".gitlab-ci.yml", "CI_COMMIT_SHA"));
	ck_assert_ptr_null(secret(&inv, ".gitlab-ci.yml", "GIT_DEPTH"));
	ci(&inv, ".circleci/config.yml", circle);
	ck_assert(used_in(secret(&inv, ".circleci/config.yml", "NPM_TOKEN"), "publish/Publish"));
	ci(&inv, "azure-pipelines.yml", azure);
	ck_assert(used_in(secret(&inv, "azure-pipelines.yml", "WINDOWS_CERT_PASSWORD"), "sign/Sign"));
	ci(&inv, "fastlane/Fastfile", fastfile);
	ck_assert(used_in(secret(&inv, "fastlane/Fastfile", "MATCH_PASSWORD"), "lane release"));
	ck_assert(used_in(secret(&inv, "fastlane/Fastfile", "APP_STORE_CONNECT_API_KEY"), "lane release"));
	ck_assert_ptr_null(secret(&inv, "fastlane/Fastfile", "HOME"));
	ci(&inv, "fastlane/Matchfile", "git_url(\"x\")\n");
	ck_assert(used_in(secret(&inv, "fastlane/Matchfile", "MATCH_PASSWORD"), "fastlane match"));
	/* YAML the reader refuses (aliases) is read line by line */
	ci(&inv, "sub/.gitlab-ci.yml", bad_yaml);
	ck_assert(used_in(secret(&inv, "sub/.gitlab-ci.yml", "NPM_TOKEN"), "line 4"));
	certs_inv_release(&inv);
}
END_TEST

START_TEST(ci_files_and_categories)
{
	ck_assert(certs_is_ci_file(".github/workflows/a.yaml"));
	ck_assert(certs_is_ci_file("packages/x/.github/workflows/a.yml"));
	ck_assert(!certs_is_ci_file(".github/dependabot.yml"));
	ck_assert(certs_is_ci_file(".gitlab-ci.yml"));
	ck_assert(certs_is_ci_file(".circleci/config.yml"));
	ck_assert(certs_is_ci_file("azure-pipelines.yml"));
	ck_assert(certs_is_ci_file("ios/fastlane/Matchfile"));
	ck_assert(!certs_is_ci_file("README.md"));
	ck_assert_str_eq(certs_secret_category("NPM_TOKEN"), "npm-token");
	ck_assert_str_eq(certs_secret_category("NODE_AUTH_TOKEN"), "npm-token");
	ck_assert_str_eq(certs_secret_category("CSC_LINK"), "apple-signing");
	ck_assert_str_eq(certs_secret_category("WIN_CSC_LINK"), "windows-signing");
	ck_assert_str_eq(certs_secret_category("APPLE_CERTIFICATE_P12"), "apple-signing");
	ck_assert_str_eq(certs_secret_category("MATCH_PASSWORD"), "apple-signing");
	ck_assert_str_eq(certs_secret_category("ANDROID_KEYSTORE_PASSWORD"), "android-signing");
	ck_assert_str_eq(certs_secret_category("GH_PAT"), "github-token");
	ck_assert_str_eq(certs_secret_category("AWS_SECRET_ACCESS_KEY"), "cloud");
	ck_assert_str_eq(certs_secret_category("GPG_PRIVATE_KEY"), "gpg");
	ck_assert_str_eq(certs_secret_category("SLACK_WEBHOOK"), "other");
}
END_TEST


/* ---- the rotation checklist ---- */

static const char sweep_json[] =
	"{\"repos\": ["
	"{\"repo\": \"./repos/app/\", \"head\": \"h\", \"affected\": true,"
	" \"findings\": [{\"kind\": \"ioc-artifact\", \"message\": \"worm workflow\","
	"  \"locations\": [{\"file\": \".github/workflows/shai-hulud-workflow.yml\"}]},"
	"  {\"kind\": \"ioc-package\", \"message\": \"bad package\"},"
	"  {\"kind\": \"ioc-artifact\", \"message\": \"git pin\","
	"   \"locations\": [{\"file\": \"web/pnpm-lock.yaml\"}]}],"
	" \"exposure\": [{\"package\": \"p\", \"version\": \"1.0.0\","
	"  \"first_date\": \"2026-05-11T10:00:00Z\", \"last_commit\": \"x\","
	"  \"last_date\": \"2026-05-12T18:00:00Z\"}]},"
	"{\"repo\": \"repos/open\", \"head\": \"h2\", \"affected\": true, \"findings\": [],"
	" \"exposure\": [{\"package\": \"p\", \"version\": \"1.0.0\","
	"  \"first_date\": \"2026-05-11\", \"last_commit\": \"h2\","
	"  \"last_date\": \"2026-05-11\"}]},"
	"{\"repo\": \"repos/late\", \"head\": \"h3\", \"affected\": true, \"findings\": [],"
	" \"exposure\": [{\"package\": \"p\", \"version\": \"1.0.0\","
	"  \"first_date\": \"2026-05-11\", \"last_commit\": \"old\","
	"  \"last_date\": \"2026-05-11\", \"still_locked\": true}]},"
	"{\"repo\": \"repos/lib\", \"affected\": false}]}";

#define CERT(repo, path, in_head, first, last)                                \
	"{\"repo\": \"" repo "\", \"path\": \"" path "\", \"kind\": \"certificate\"," \
	" \"platform\": \"apple-distribution\", \"subject\": \"CN=" path "\","     \
	" \"sha256_fingerprint\": \"ab\", \"in_head\": " in_head ","              \
	" \"first_date\": " first ", \"last_date\": " last "}"

static const char certs_json[] =
	"{\"certificates\": ["
	CERT("repos/app", "head-since-may", "true", "\"2026-05-01T00:00:00Z\"", "null") ","
	CERT("repos/app", "gone-in-april", "false", "\"2026-03-01T00:00:00Z\"", "\"2026-04-01T00:00:00Z\"") ","
	CERT("repos/app", "added-at-the-end", "false", "\"2026-05-12T18:00:00Z\"", "\"2026-06-01T00:00:00Z\"") ","
	CERT("repos/app", "undated", "true", "null", "null") ","
	CERT("repos/open", "added-in-november", "true", "\"2026-11-01T00:00:00Z\"", "null") ","
	CERT("repos/late", "added-in-december", "true", "\"2026-12-01T00:00:00Z\"", "null") ","
	CERT("repos/lib", "lib", "true", "null", "null") ","
	CERT("repos/none", "elsewhere", "true", "null", "null")
	"], \"secrets\": ["
	"{\"repo\": \"repos/app\", \"file\": \"ci.yml\", \"name\": \"NPM_TOKEN\","
	" \"category\": \"npm-token\", \"used_in\": [\"a/b\", \"c\"]},"
	"{\"repo\": \"repos/lib\", \"file\": \"ci.yml\", \"name\": \"GH_PAT\","
	" \"used_in\": []}]}";

static const struct rotation_item *
rot_find(const struct rotation_item *a, size_t n, const char *item)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i].item, item) == 0)
			return &a[i];
	return NULL;
}

static int
rotate_text(struct rotation_list *l, const char *sweep, const char *certs)
{
	char *a = strdup(sweep), *b = strdup(certs);
	int err;

	err = certs_rotate(l, a, strlen(a), "sweep.json", b, strlen(b),
			   "certs.json", "2026-06-01");
	free(a);
	free(b);
	return err;
}

START_TEST(rotate_scope_follows_the_exposure_windows)
{
	struct rotation_list l;
	const struct rotation_item *it;

	rotation_init(&l, NULL);
	ck_assert_int_eq(rotate_text(&l, sweep_json, certs_json), 0);
	/* the worm's artifact first; the package finding is no persistence */
	ck_assert_int_eq(l.items[0].kind, ROTATION_PERSISTENCE);
	ck_assert_str_eq(l.items[0].where,
			 ".github/workflows/shai-hulud-workflow.yml");
	ck_assert_ptr_null(rot_find(l.items, l.n, "bad package"));
	/* an artifact in a lockfile is the dependency, not persistence */
	ck_assert_ptr_null(rot_find(l.items, l.n, "git pin"));
	ck_assert_int_ne(l.items[1].kind, ROTATION_PERSISTENCE);
	ck_assert_ptr_nonnull(rot_find(l.items, l.n, "head-since-may"));
	ck_assert_ptr_nonnull(rot_find(l.items, l.n, "added-at-the-end"));
	ck_assert_ptr_nonnull(it = rot_find(l.items, l.n, "undated"));
	ck_assert_ptr_nonnull(strstr(it->why, "not known"));
	ck_assert_str_eq(it->deadline, "2026-06-01");
	ck_assert_int_eq(it->platform, ROTATION_IOS);
	/* still locked at HEAD: the window is open until now */
	ck_assert_ptr_nonnull(rot_find(l.items, l.n, "added-in-november"));
	ck_assert_ptr_nonnull(rot_find(l.items, l.n, "added-in-december"));
	ck_assert_ptr_nonnull(it = rot_find(l.out, l.nout, "gone-in-april"));
	ck_assert_ptr_nonnull(strstr(it->why, "exposure window"));
	ck_assert_ptr_null(it->deadline);
	ck_assert_ptr_nonnull(it = rot_find(l.out, l.nout, "lib"));
	ck_assert_ptr_nonnull(strstr(it->why, "not affected"));
	ck_assert_ptr_nonnull(it = rot_find(l.out, l.nout, "elsewhere"));
	ck_assert_ptr_nonnull(strstr(it->why, "not in the sweep report"));
	ck_assert_ptr_nonnull(it = rot_find(l.items, l.n, "NPM_TOKEN"));
	ck_assert_int_eq(it->kind, ROTATION_TOKEN);
	ck_assert_int_eq(it->platform, ROTATION_NPM);
	ck_assert_str_eq(it->where, "ci.yml: a/b, c");
	ck_assert_ptr_nonnull(it = rot_find(l.out, l.nout, "GH_PAT"));
	ck_assert_int_eq(it->platform, ROTATION_GITHUB);
	ck_assert_uint_eq(l.n + l.nout, 1 + 8 + 2);
	rotation_release(&l);
}
END_TEST

START_TEST(rotate_rejects_reports_of_the_wrong_shape)
{
	struct rotation_list l;

	rotation_init(&l, NULL);
	ck_assert_int_eq(rotate_text(&l, certs_json, certs_json), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "sweep.json"));
	ck_assert_int_eq(rotate_text(&l, sweep_json, sweep_json), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "certs.json"));
	ck_assert_int_eq(rotate_text(&l, "{\"repos\": [{}]}", certs_json),
			 WS_EPARSE);
	ck_assert_int_eq(rotate_text(&l, "{", certs_json), WS_EPARSE);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "sweep.json:1:"));
	ck_assert_uint_eq(l.n, 0);
	rotation_release(&l);
}
END_TEST

static Suite *
certs_suite(void)
{
	Suite *s = suite_create("certs");
	TCase *tc = tcase_create("certificates");

	tcase_add_test(tc, pem_certificate_fields_and_fingerprint);
	tcase_add_test(tc, classification_by_subject_eku_policy_and_apple_oids);
	tcase_add_test(tc, apple_team_id_comes_from_the_subject);
	tcase_add_test(tc, pem_chain_gives_one_entry_per_certificate);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys_and_containers");
	tcase_add_test(tc, private_keys_give_type_and_public_fingerprint_only);
	tcase_add_test(tc, pkcs12_opens_with_the_empty_password_only);
	tcase_add_test(tc, jks_gives_aliases_and_certificates_without_a_password);
	tcase_add_test(tc, snk_and_gpg_and_openssh_are_recognised);
	tcase_add_test(tc, candidates_and_sniffing);
	tcase_add_test(tc, garbage_under_a_certificate_name_adds_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("ci");
	tcase_add_test(tc, github_secrets_with_job_and_step);
	tcase_add_test(tc, other_ci_systems_and_fastlane);
	tcase_add_test(tc, ci_files_and_categories);
	suite_add_tcase(s, tc);

	tc = tcase_create("rotate");
	tcase_add_test(tc, rotate_scope_follows_the_exposure_windows);
	tcase_add_test(tc, rotate_rejects_reports_of_the_wrong_shape);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(certs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
