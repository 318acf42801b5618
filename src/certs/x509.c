/*
 * What a certificate says about itself, and which platform signs with it.
 * Nothing here keeps a pointer into OpenSSL's objects: every string is
 * copied into the inventory's pool.
 */
#include "certs/internal.h"

#include <ctype.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define OID_EV_CODE_SIGNING "2.23.140.1.3"
#define OID_APPLE_CERT_EXT "1.2.840.113635.100.6.1."
#define EKU_MAX 16

static OSSL_PROVIDER *legacy_provider, *default_provider;

/* Providers hold library contexts of their own: give them back at exit. */
static void
crypto_unload(void)
{
	if (legacy_provider)
		OSSL_PROVIDER_unload(legacy_provider);
	if (default_provider)
		OSSL_PROVIDER_unload(default_provider);
	legacy_provider = default_provider = NULL;
}

void
certs_crypto_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	/*
	 * PKCS#12 files from Keychain Access, older OpenSSL and Windows use
	 * RC2 and 3DES, which OpenSSL 3 keeps in the legacy provider. Loading
	 * one provider explicitly stops the default one from loading by
	 * itself, so both are loaded; a missing legacy provider only means
	 * those files read as unreadable.
	 */
	legacy_provider = OSSL_PROVIDER_load(NULL, "legacy");
	default_provider = OSSL_PROVIDER_load(NULL, "default");
	ERR_clear_error();
	atexit(crypto_unload);
}

/* ---- names ---- */

/* The name as RFC 2253 text, UTF-8, bounded. */
static const char *
name_text(struct certs_inv *inv, const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	const char *out = NULL;
	char *data;
	long n;

	if (!b)
		return NULL;
	if (X509_NAME_print_ex(b, name, 0,
			       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(b, &data);
		if (n >= 0)
			out = certs_strn(inv, data, (size_t)n);
	}
	BIO_free(b);
	return out;
}

/* The first attribute nid of name as UTF-8 into buf ("" when none). */
static void
name_attr(const X509_NAME *name, int nid, char *buf, size_t n)
{
	const X509_NAME_ENTRY *ne;
	unsigned char *utf8 = NULL;
	int idx, len;

	buf[0] = '\0';
	idx = X509_NAME_get_index_by_NID(name, nid, -1);
	if (idx < 0)
		return;
	ne = X509_NAME_get_entry(name, idx);
	len = ASN1_STRING_to_UTF8(&utf8,
				  X509_NAME_ENTRY_get_data(ne));
	if (len < 0)
		return;
	if ((size_t)len >= n)
		len = (int)n - 1;
	memcpy(buf, utf8, (size_t)len);
	buf[len] = '\0';
	OPENSSL_free(utf8);
}

static const char *
asn1_time(struct certs_inv *inv, const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return NULL;
	if (!strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return certs_str(inv, buf);
}

static const char *
serial_hex(struct certs_inv *inv, X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	const char *out = NULL;
	char *hex, *p;

	if (!bn)
		return NULL;
	hex = BN_bn2hex(bn);
	if (hex) {
		for (p = hex; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		out = certs_str(inv, hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	return out;
}

/* ---- keys ---- */

static const char *
pkey_type(EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		return "RSA";
	case EVP_PKEY_EC:
		return "EC";
	case EVP_PKEY_ED25519:
		return "Ed25519";
	case EVP_PKEY_ED448:
		return "Ed448";
	case EVP_PKEY_DSA:
		return "DSA";
	default:
		return "other";
	}
}

void
certs_fill_pkey(struct certs_inv *inv, struct certs_entry *e, EVP_PKEY *k)
{
	unsigned char *der = NULL;
	int n;

	if (!k)
		return;
	e->key_type = pkey_type(k);
	e->key_bits = EVP_PKEY_get_bits(k) > 0 ? (unsigned)EVP_PKEY_get_bits(k) :
						 0;
	if (e->fingerprint)
		return;
	/* the public half only: i2d_PUBKEY never encodes the private key */
	n = i2d_PUBKEY(k, &der);
	if (n > 0)
		e->fingerprint = certs_sha256_hex(inv, der, (size_t)n);
	OPENSSL_free(der);
}

/* ---- extensions ---- */

static const char *
eku_name(const ASN1_OBJECT *o, char *buf, size_t n)
{
	switch (OBJ_obj2nid(o)) {
	case NID_code_sign:
		return "codeSigning";
	case NID_server_auth:
		return "serverAuth";
	case NID_client_auth:
		return "clientAuth";
	case NID_email_protect:
		return "emailProtection";
	case NID_time_stamp:
		return "timeStamping";
	case NID_OCSP_sign:
		return "OCSPSigning";
	default:
		if (OBJ_obj2txt(buf, (int)n, o, 1) <= 0)
			return NULL;
		return buf;
	}
}

static void
fill_eku(struct certs_inv *inv, struct certs_entry *e, X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL,
						   NULL);
	char buf[96];
	int i, n;

	if (!eku)
		return;
	n = sk_ASN1_OBJECT_num(eku);
	if (n > EKU_MAX)
		n = EKU_MAX;
	if (n > 0)
		e->eku = mempool_alloc(&inv->pool, (size_t)n * sizeof(*e->eku));
	for (i = 0; i < n; i++) {
		const char *s = eku_name(sk_ASN1_OBJECT_value(eku, i), buf,
					 sizeof(buf));

		if (s)
			e->eku[e->neku++] = certs_str(inv, s);
	}
	EXTENDED_KEY_USAGE_free(eku);
}

static int
has_eku(X509 *x, int nid)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL,
						   NULL);
	int i, found = 0;

	if (!eku)
		return 0;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku) && !found; i++)
		found = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == nid;
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

static int
has_policy(X509 *x, const char *oid)
{
	CERTIFICATEPOLICIES *pol = X509_get_ext_d2i(x, NID_certificate_policies,
						    NULL, NULL);
	char buf[96];
	int i, found = 0;

	if (!pol)
		return 0;
	for (i = 0; i < sk_POLICYINFO_num(pol) && !found; i++) {
		POLICYINFO *pi = sk_POLICYINFO_value(pol, i);

		if (OBJ_obj2txt(buf, sizeof(buf), pi->policyid, 1) > 0)
			found = strcmp(buf, oid) == 0;
	}
	CERTIFICATEPOLICIES_free(pol);
	return found;
}

/*
 * The last arc of the first Apple certificate-type extension
 * (1.2.840.113635.100.6.1.N), or 0 when there is none.
 */
static unsigned
apple_ext(X509 *x)
{
	size_t plen = strlen(OID_APPLE_CERT_EXT);
	char buf[96];
	int i, n = X509_get_ext_count(x);

	for (i = 0; i < n && i < 64; i++) {
		X509_EXTENSION *ext = X509_get_ext(x, i);
		unsigned long arc;
		char *end;

		if (OBJ_obj2txt(buf, sizeof(buf), X509_EXTENSION_get_object(ext),
				1) <= 0 ||
		    strncmp(buf, OID_APPLE_CERT_EXT, plen) != 0)
			continue;
		arc = strtoul(buf + plen, &end, 10);
		if (*end == '\0' && arc > 0 && arc < 1000)
			return (unsigned)arc;
	}
	return 0;
}

/* ---- classification ---- */

static const struct {
	const char *prefix;	/* of the subject CN */
	const char *platform;
} apple_cn[] = {
	{ "Developer ID Application:", "apple-developer-id-application" },
	{ "Developer ID Installer:", "apple-developer-id-installer" },
	{ "Apple Distribution:", "apple-distribution" },
	{ "Apple Development:", "apple-development" },
	{ "iPhone Distribution:", "iphone-distribution" },
	{ "iPhone Developer:", "iphone-development" },
	{ "3rd Party Mac Developer Application:", "apple-mac-distribution" },
	{ "3rd Party Mac Developer Installer:", "apple-mac-distribution" },
	{ "Mac App Distribution:", "apple-mac-distribution" },
	{ "Mac Installer Distribution:", "apple-mac-distribution" },
	{ "Mac Developer:", "apple-mac-development" },
};

/* Apple's certificate-type extensions, by their last arc. */
static const char *
apple_by_ext(unsigned arc)
{
	switch (arc) {
	case 13:
		return "apple-developer-id-application";
	case 14:
		return "apple-developer-id-installer";
	case 4:
		return "apple-distribution";
	case 2:
		return "apple-development";
	case 7:
	case 8:
		return "apple-mac-distribution";
	case 12:
		return "apple-mac-development";
	default:
		return "apple-other";
	}
}

const char *
certs_classify(X509 *x, enum certs_hint hint)
{
	char cn[256], icn[256], io[128];
	unsigned arc;
	size_t i;

	name_attr(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	for (i = 0; i < sizeof(apple_cn) / sizeof(apple_cn[0]); i++)
		if (strncmp(cn, apple_cn[i].prefix, strlen(apple_cn[i].prefix)) ==
		    0)
			return apple_cn[i].platform;
	arc = apple_ext(x);
	name_attr(X509_get_issuer_name(x), NID_commonName, icn, sizeof(icn));
	name_attr(X509_get_issuer_name(x), NID_organizationName, io,
		  sizeof(io));
	if (arc || strstr(icn, "Apple Worldwide Developer Relations") ||
	    strstr(icn, "Developer ID Certification Authority"))
		return apple_by_ext(arc);
	if (has_eku(x, NID_code_sign))
		return has_policy(x, OID_EV_CODE_SIGNING) ?
			       "windows-authenticode-ev" :
			       "windows-authenticode";
	if (has_eku(x, NID_server_auth) || has_eku(x, NID_client_auth))
		return "tls";
	if (hint == CERTS_HINT_KEYSTORE || strncmp(cn, "Android", 7) == 0)
		return "android";
	return "unknown";
}

void
certs_fill_x509(struct certs_inv *inv, struct certs_entry *e, X509 *x,
		enum certs_hint hint)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char ou[64];

	e->subject = name_text(inv, X509_get_subject_name(x));
	e->issuer = name_text(inv, X509_get_issuer_name(x));
	e->serial = serial_hex(inv, x);
	e->not_before = asn1_time(inv, X509_get0_notBefore(x));
	e->not_after = asn1_time(inv, X509_get0_notAfter(x));
	if (X509_digest(x, EVP_sha256(), md, &mdlen))
		e->fingerprint = certs_hex(inv, md, mdlen);
	certs_fill_pkey(inv, e, X509_get0_pubkey(x));
	fill_eku(inv, e, x);
	e->ev = has_policy(x, OID_EV_CODE_SIGNING);
	e->expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
	e->platform = certs_classify(x, hint);
	if (strncmp(e->platform, "apple", 5) == 0 ||
	    strncmp(e->platform, "iphone", 6) == 0) {
		/* Apple puts the team identifier in the subject's OU */
		name_attr(X509_get_subject_name(x), NID_organizationalUnitName,
			  ou, sizeof(ou));
		if (*ou && !e->team_id)
			e->team_id = certs_str(inv, ou);
	}
	{
		const unsigned char *alias = X509_alias_get0(x, NULL);
		int alen = 0;

		if (alias && !e->alias) {
			X509_alias_get0(x, &alen);
			e->alias = certs_strn(inv, (const char *)alias,
					      (size_t)alen);
		}
	}
}
