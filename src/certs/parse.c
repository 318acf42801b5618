/*
 * One file's signing material: PEM blocks, DER certificates and keys,
 * PKCS#12, provisioning profiles, .snk and GPG keys. The bytes are the
 * attacker's: every length is checked against what is left, and OpenSSL
 * only ever sees bounded buffers. A private key is parsed only to learn
 * its type, size and public half; it is freed at once and never copied.
 */
#include "certs/internal.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PEM_LABEL_MAX 64
#define PLIST_MAX (2u << 20)

/* Never prompt, never guess: every password callback says "none". */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static const void *
find(const void *hay, size_t n, const char *needle)
{
	return certs_memmem(hay, n, needle, strlen(needle));
}

static const char *const candidate_exts[] = {
	".p12", ".pfx", ".cer", ".crt", ".cert", ".pem", ".der", ".key",
	".p8", ".mobileprovision", ".provisionprofile", ".jks", ".keystore",
	".jceks", ".bks", ".snk", ".gpg", ".pgp", ".asc", ".sec", ".p7b",
	".p7c",
};

int
certs_is_candidate(const char *path, size_t len)
{
	size_t i;

	if (len == 0 || len > CERTS_FILE_MAX)
		return 0;
	for (i = 0; i < sizeof(candidate_exts) / sizeof(candidate_exts[0]);
	     i++)
		if (certs_has_ext(path, candidate_exts[i]))
			return 1;
	return 0;
}

int
certs_sniff(const unsigned char *data, size_t len)
{
	static const unsigned char jks[4] = { 0xfe, 0xed, 0xfe, 0xed };
	static const unsigned char jceks[4] = { 0xce, 0xce, 0xce, 0xce };

	if (len >= 4 && (!memcmp(data, jks, 4) || !memcmp(data, jceks, 4)))
		return 1;
	return find(data, len, "-----BEGIN ") &&
	       (find(data, len, "PRIVATE KEY-----") ||
		find(data, len, "CERTIFICATE-----") ||
		find(data, len, "PGP PRIVATE KEY BLOCK-----"));
}

/* ---- certificates and keys ---- */

static int
add_x509(struct certs_inv *inv, const struct certs_where *w, const char *kind,
	 X509 *x, enum certs_hint hint)
{
	struct certs_entry *e = certs_entry_new(inv, w, kind);

	if (!e)
		return 0;
	certs_fill_x509(inv, e, x, hint);
	return 1;
}

/* A key entry; kind "apple-p8-key" for App Store Connect / APNs keys. */
static struct certs_entry *
key_entry(struct certs_inv *inv, const struct certs_where *w)
{
	const char *base = certs_basename(w->path);
	struct certs_entry *e;

	if (certs_has_ext(base, ".p8")) {
		e = certs_entry_new(inv, w, "apple-p8-key");
		if (e) {
			e->platform = "apple";
			/* AuthKey_<KEY ID>.p8 names the key */
			if (strncmp(base, "AuthKey_", 8) == 0)
				e->alias = certs_strn(inv, base + 8,
						      strlen(base + 8) - 3);
		}
		return e;
	}
	return certs_entry_new(inv, w, "private-key");
}

static int
add_pkey(struct certs_inv *inv, const struct certs_where *w, EVP_PKEY *k,
	 int is_protected, const char *note)
{
	struct certs_entry *e = key_entry(inv, w);

	if (!e)
		return 0;
	e->has_key = 1;
	e->is_protected = is_protected;
	e->note = note;
	if (k)
		certs_fill_pkey(inv, e, k);
	return 1;
}

/* ---- OpenSSH keys: "openssh-key-v1" ---- */

static int
ssh_string(const unsigned char **p, const unsigned char *end,
	   const unsigned char **s, size_t *n)
{
	uint32_t len;

	if (end - *p < 4)
		return -1;
	len = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	      (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	if ((size_t)(end - *p) < len)
		return -1;
	*s = *p;
	*n = len;
	*p += len;
	return 0;
}

static int
add_openssh(struct certs_inv *inv, const struct certs_where *w,
	    const char *b64, size_t n)
{
	static const char magic[] = "openssh-key-v1";
	const unsigned char *p, *end, *cipher, *kdf, *opts, *pub, *type;
	size_t ncipher, nkdf, nopts, npub, ntype;
	unsigned char *der = NULL;
	size_t len;
	struct certs_entry *e;

	e = certs_entry_new(inv, w, "private-key");
	if (!e)
		return 0;
	e->has_key = 1;
	e->key_type = "OpenSSH";
	e->is_protected = -1;
	if (certs_b64_decode(b64, n, &der, &len) < 0 ||
	    len < sizeof(magic) || memcmp(der, magic, sizeof(magic)) != 0) {
		e->note = "OpenSSH key block that does not decode";
		free(der);
		return 1;
	}
	p = der + sizeof(magic);
	end = der + len;
	if (ssh_string(&p, end, &cipher, &ncipher) == 0 &&
	    ssh_string(&p, end, &kdf, &nkdf) == 0 &&
	    ssh_string(&p, end, &opts, &nopts) == 0 && end - p >= 4) {
		e->is_protected = !(ncipher == 4 && !memcmp(cipher, "none", 4));
		p += 4;	/* the number of keys */
		if (ssh_string(&p, end, &pub, &npub) == 0) {
			const unsigned char *q = pub;

			/* the SSH public key blob: what ssh-keygen -l hashes */
			e->fingerprint = certs_sha256_hex(inv, pub, npub);
			if (ssh_string(&q, pub + npub, &type, &ntype) == 0)
				e->key_type = certs_strn(inv, (const char *)type,
							 ntype);
		}
	}
	free(der);
	return 1;
}

/* ---- GPG ---- */

/* The algorithm of a secret-key packet at p, or NULL. */
static const char *
gpg_algo(const unsigned char *p, size_t n)
{
	size_t hdr;

	if (n < 8)
		return NULL;
	if ((p[0] & 0xc0) == 0xc0) {	/* new format: tag in the low bits */
		if ((p[0] & 0x3f) != 5)
			return NULL;
		hdr = p[1] < 192 ? 2 : p[1] < 224 ? 3 : p[1] == 255 ? 6 : 2;
	} else if ((p[0] & 0xc0) == 0x80) {	/* old format */
		if (((p[0] >> 2) & 0x0f) != 5)
			return NULL;
		hdr = 1 + ((p[0] & 3) == 0 ? 1 : (p[0] & 3) == 1 ? 2 : 4);
	} else {
		return NULL;
	}
	if (n < hdr + 6 || (p[hdr] != 4 && p[hdr] != 5))
		return NULL;
	switch (p[hdr + 5]) {
	case 1: case 2: case 3:
		return "RSA";
	case 17:
		return "DSA";
	case 18:
		return "ECDH";
	case 19:
		return "ECDSA";
	case 22:
		return "EdDSA";
	default:
		return "other";
	}
}

static int
add_gpg(struct certs_inv *inv, const struct certs_where *w,
	const unsigned char *pkt, size_t n)
{
	struct certs_entry *e = certs_entry_new(inv, w, "gpg-private-key");

	if (!e)
		return 0;
	e->has_key = 1;
	e->is_protected = -1;
	e->key_type = pkt ? gpg_algo(pkt, n) : NULL;
	e->note = "GPG secret key: whether it has a passphrase is not checked";
	return 1;
}

/* The base64 body of an ASCII-armored block: after the blank line. */
static int
add_gpg_armor(struct certs_inv *inv, const struct certs_where *w,
	      const char *body, size_t n)
{
	const char *blank = find(body, n, "\n\n");
	const char *crc;
	unsigned char *der = NULL;
	size_t len = 0, bn;
	int added;

	if (!blank)
		blank = find(body, n, "\r\n\r\n");
	if (!blank)
		return add_gpg(inv, w, NULL, 0);
	blank += 2;
	bn = n - (size_t)(blank - body);
	/* the "=XXXX" checksum line ends the base64 */
	crc = find(blank, bn, "\n=");
	if (crc)
		bn = (size_t)(crc - blank);
	if (certs_b64_decode(blank, bn, &der, &len) < 0) {
		der = NULL;
		len = 0;
	}
	added = add_gpg(inv, w, der, len);
	free(der);
	return added;
}

/* ---- PEM ---- */

static int pem_p7(struct certs_inv *inv, const struct certs_where *w,
		  const char *label, const char *block, size_t n);

/* A key block: readable without a password, encrypted, or damaged. */
static int
pem_key(struct certs_inv *inv, const struct certs_where *w, const char *label,
	const char *block, size_t n)
{
	BIO *b = BIO_new_mem_buf(block, (int)n);
	EVP_PKEY *k = NULL;
	int added;

	if (!b)
		return 0;
	if (strcmp(label, "ENCRYPTED PRIVATE KEY") != 0)
		k = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (k) {
		added = add_pkey(inv, w, k, 0, NULL);
		EVP_PKEY_free(k);
		return added;
	}
	if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0 ||
	    find(block, n, "Proc-Type: 4,ENCRYPTED"))
		return add_pkey(inv, w, NULL, 1, NULL);
	return add_pkey(inv, w, NULL, -1,
			"a private key block that does not parse");
}

static int
pem_cert(struct certs_inv *inv, const struct certs_where *w,
	 const char *block, size_t n)
{
	BIO *b = BIO_new_mem_buf(block, (int)n);
	X509 *x;
	int added = 0;

	if (!b)
		return 0;
	x = PEM_read_bio_X509_AUX(b, NULL, no_password, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (x) {
		added = add_x509(inv, w, "certificate", x, CERTS_HINT_NONE);
		X509_free(x);
	}
	return added;
}

/* Every PEM block of data[0..len); returns the entries added. */
static int
parse_pem(struct certs_inv *inv, const struct certs_where *w,
	  const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	int added = 0;
	unsigned blocks = 0;

	while (p < end && blocks < CERTS_PER_FILE_MAX) {
		const char *begin = find(p, (size_t)(end - p), "-----BEGIN ");
		const char *lab, *lab_end, *stop, *body;
		char label[PEM_LABEL_MAX + 1], endline[PEM_LABEL_MAX + 16];
		size_t ln, n;

		if (!begin)
			break;
		lab = begin + 11;
		lab_end = find(lab, (size_t)(end - lab), "-----");
		if (!lab_end || lab_end - lab > PEM_LABEL_MAX ||
		    memchr(lab, '\n', (size_t)(lab_end - lab))) {
			p = lab;
			continue;
		}
		ln = (size_t)(lab_end - lab);
		memcpy(label, lab, ln);
		label[ln] = '\0';
		snprintf(endline, sizeof(endline), "-----END %s-----", label);
		body = lab_end + 5;
		stop = find(body, (size_t)(end - body), endline);
		if (!stop) {
			p = body;
			continue;
		}
		stop += strlen(endline);
		n = (size_t)(stop - begin);
		blocks++;
		if (strcmp(label, "CERTIFICATE") == 0 ||
		    strcmp(label, "X509 CERTIFICATE") == 0 ||
		    strcmp(label, "TRUSTED CERTIFICATE") == 0)
			added += pem_cert(inv, w, begin, n);
		else if (strcmp(label, "PKCS7") == 0 ||
			 strcmp(label, "CERTIFICATE CHAIN") == 0)
			added += pem_p7(inv, w, label, begin, n);
		else if (strcmp(label, "OPENSSH PRIVATE KEY") == 0)
			added += add_openssh(inv, w, body,
					     (size_t)(stop - strlen(endline) -
						      body));
		else if (strcmp(label, "PGP PRIVATE KEY BLOCK") == 0)
			added += add_gpg_armor(inv, w, body,
					       (size_t)(stop - strlen(endline) -
							body));
		else if (ln >= 11 && strcmp(label + ln - 11, "PRIVATE KEY") == 0)
			added += pem_key(inv, w, label, begin, n);
		p = stop;
	}
	return added;
}

/* ---- DER ---- */

static int
der_x509(struct certs_inv *inv, const struct certs_where *w,
	 const unsigned char *data, size_t len, const char *kind,
	 enum certs_hint hint)
{
	const unsigned char *p = data;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int added = 0;

	ERR_clear_error();
	if (x) {
		added = add_x509(inv, w, kind, x, hint);
		X509_free(x);
	}
	return added;
}

static int
der_key(struct certs_inv *inv, const struct certs_where *w,
	const unsigned char *data, size_t len)
{
	const unsigned char *p = data;
	EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	X509_SIG *sig;
	int added = 0;

	ERR_clear_error();
	if (k) {
		added = add_pkey(inv, w, k, 0, NULL);
		EVP_PKEY_free(k);
		return added;
	}
	p = data;
	sig = d2i_X509_SIG(NULL, &p, (long)len);	/* encrypted PKCS#8 */
	ERR_clear_error();
	if (sig) {
		added = add_pkey(inv, w, NULL, 1, NULL);
		X509_SIG_free(sig);
	}
	return added;
}

/* ---- PKCS#7 certificate bundles (.p7b) ---- */

static int
p7_certs(struct certs_inv *inv, const struct certs_where *w, PKCS7 *p7)
{
	STACK_OF(X509) *certs = NULL;
	int i, added = 0;

	if (OBJ_obj2nid(p7->type) == NID_pkcs7_signed && p7->d.sign)
		certs = p7->d.sign->cert;
	for (i = 0; certs && i < sk_X509_num(certs) &&
		    added < (int)CERTS_PER_FILE_MAX;
	     i++)
		added += add_x509(inv, w, "certificate", sk_X509_value(certs, i),
				  CERTS_HINT_NONE);
	return added;
}

static int
der_p7(struct certs_inv *inv, const struct certs_where *w,
       const unsigned char *data, size_t len)
{
	const unsigned char *p = data;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	int added = 0;

	ERR_clear_error();
	if (p7) {
		added = p7_certs(inv, w, p7);
		PKCS7_free(p7);
	}
	return added;
}

/* A PEM "PKCS7" block: its DER read as above. */
static int
pem_p7(struct certs_inv *inv, const struct certs_where *w, const char *label,
       const char *block, size_t n)
{
	BIO *b = BIO_new_mem_buf(block, (int)n);
	unsigned char *der = NULL;
	long len = 0;
	int added = 0;

	if (!b)
		return 0;
	if (PEM_bytes_read_bio(&der, &len, NULL, label, b, no_password, NULL))
		added = der_p7(inv, w, der, (size_t)len);
	OPENSSL_free(der);
	BIO_free(b);
	ERR_clear_error();
	return added;
}

/* ---- PKCS#12 ---- */

/* The iteration count of a password-based encryption, or -1. */
static long
pbe_iter(const X509_ALGOR *alg)
{
	long iter = -1;

	if (!alg || !alg->parameter)
		return -1;
	if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
		PBE2PARAM *p2 = ASN1_TYPE_unpack_sequence(
			ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
		PBKDF2PARAM *kdf = NULL;

		if (p2 && p2->keyfunc && p2->keyfunc->parameter &&
		    OBJ_obj2nid(p2->keyfunc->algorithm) == NID_id_pbkdf2)
			kdf = ASN1_TYPE_unpack_sequence(
				ASN1_ITEM_rptr(PBKDF2PARAM),
				p2->keyfunc->parameter);
		if (kdf)
			iter = ASN1_INTEGER_get(kdf->iter);
		PBKDF2PARAM_free(kdf);
		PBE2PARAM_free(p2);
	} else {
		PBEPARAM *pbe = ASN1_TYPE_unpack_sequence(
			ASN1_ITEM_rptr(PBEPARAM), alg->parameter);

		if (pbe)
			iter = ASN1_INTEGER_get(pbe->iter);
		PBEPARAM_free(pbe);
	}
	return iter;
}

static int
iter_too_slow(long iter)
{
	return iter < -1 || iter > CERTS_P12_ITER_MAX;
}

/*
 * Whether PKCS12_parse would run a key derivation with more than
 * CERTS_P12_ITER_MAX iterations: the encrypted safes' and the shrouded
 * keys' counts are the file's to choose, under a MAC that the empty
 * password opens.
 */
static int
p12_too_slow(PKCS12 *p12)
{
	STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
	int i, j, slow = 0;

	if (!safes)
		return 0;
	for (i = 0; i < sk_PKCS7_num(safes) && !slow; i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags;
		int nid = OBJ_obj2nid(p7->type);

		if (nid == NID_pkcs7_encrypted) {
			slow = !p7->d.encrypted || !p7->d.encrypted->enc_data ||
			       iter_too_slow(pbe_iter(
				       p7->d.encrypted->enc_data->algorithm));
			continue;
		}
		if (nid != NID_pkcs7_data || !(bags = PKCS12_unpack_p7data(p7)))
			continue;
		for (j = 0; j < sk_PKCS12_SAFEBAG_num(bags) && !slow; j++) {
			const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, j);
			const X509_ALGOR *alg = NULL;

			if (PKCS12_SAFEBAG_get_nid(bag) != NID_pkcs8ShroudedKeyBag)
				continue;
			X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
			slow = iter_too_slow(pbe_iter(alg));
		}
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	ERR_clear_error();
	return slow;
}

/* Certificates in the unencrypted bags: readable whatever the password. */
static int
p12_clear_certs(struct certs_inv *inv, const struct certs_where *w,
		PKCS12 *p12, const char *kind, enum certs_hint hint)
{
	STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
	int i, j, added = 0;

	if (!safes)
		return 0;
	for (i = 0; i < sk_PKCS7_num(safes) && i < 64; i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags;

		if (OBJ_obj2nid(p7->type) != NID_pkcs7_data)
			continue;
		bags = PKCS12_unpack_p7data(p7);
		for (j = 0; bags && j < sk_PKCS12_SAFEBAG_num(bags) &&
			    added < (int)CERTS_PER_FILE_MAX;
		     j++) {
			const PKCS12_SAFEBAG *bag =
				sk_PKCS12_SAFEBAG_value(bags, j);
			X509 *x;

			if (PKCS12_SAFEBAG_get_nid(bag) != NID_certBag)
				continue;
			x = PKCS12_SAFEBAG_get1_cert(bag);
			if (!x)
				continue;
			if (add_x509(inv, w, kind, x, hint)) {
				added++;
				inv->entries[inv->n - 1].is_protected = 1;
				inv->entries[inv->n - 1].has_key = 1;
				inv->entries[inv->n - 1].note =
					"password-protected: certificates read from the unencrypted part";
			}
			X509_free(x);
		}
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	ERR_clear_error();
	return added;
}

static int
parse_p12(struct certs_inv *inv, const struct certs_where *w,
	  const unsigned char *data, size_t len, const char *kind,
	  enum certs_hint hint)
{
	const unsigned char *p = data;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	const char *pass = NULL;
	int added = 0, i, opened = 0, slow = 0;
	struct certs_entry *e;

	ERR_clear_error();
	if (!p12)
		return -1;
	/* the MAC's iteration count is the file's to choose and not covered
	 * by the MAC: 2^31 of them is minutes of work per verify */
	if (PKCS12_mac_present(p12)) {
		const ASN1_INTEGER *iter = NULL;

		PKCS12_get0_mac(NULL, NULL, NULL, &iter, p12);
		slow = iter && (ASN1_INTEGER_get(iter) < 0 ||
				ASN1_INTEGER_get(iter) > CERTS_P12_ITER_MAX);
	}
	/* the empty password only, in both of its encodings */
	if (slow) {
		opened = 0;
	} else if (!PKCS12_mac_present(p12) || PKCS12_verify_mac(p12, "", 0)) {
		pass = "";
		opened = 1;
	} else if (PKCS12_verify_mac(p12, NULL, 0)) {
		opened = 1;
	}
	ERR_clear_error();
	if (opened && p12_too_slow(p12)) {
		opened = 0;
		slow = 1;
	}
	if (opened && PKCS12_parse(p12, pass, &key, &cert, &ca)) {
		if (cert && add_x509(inv, w, kind, cert, hint)) {
			added++;
			inv->entries[inv->n - 1].has_key = key != NULL;
		} else if (!cert && key && add_pkey(inv, w, key, 0, NULL)) {
			added++;
			inv->entries[inv->n - 1].kind = kind;
		}
		for (i = 0; ca && i < sk_X509_num(ca) &&
			    added < (int)CERTS_PER_FILE_MAX;
		     i++)
			added += add_x509(inv, w, kind, sk_X509_value(ca, i),
					  hint);
	} else if (!(added = p12_clear_certs(inv, w, p12, kind, hint)) &&
		   (e = certs_entry_new(inv, w, kind))) {
		/* a PKCS#12 file is a key container: assume a key is in it */
		added = 1;
		e->has_key = 1;
		e->is_protected = opened ? -1 : 1;
		e->note = opened ?
			"opens with the empty password but its contents do not parse" :
			slow ? "iteration count over 1048576: the empty password not tried" :
			"password-protected: certificates not readable without it";
		if (hint == CERTS_HINT_KEYSTORE)
			e->platform = "android";
	}
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	return added;
}

/* ---- provisioning profiles ---- */

/* The element after <key>name</key>: its text between <tag> and </tag>. */
static const char *
plist_value(const char *xml, size_t n, const char *name, const char *tag,
	    size_t *len)
{
	char key[96], open[32], close[32];
	const char *k, *v, *e, *end = xml + n;

	snprintf(key, sizeof(key), "<key>%s</key>", name);
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	k = find(xml, n, key);
	if (!k)
		return NULL;
	k += strlen(key);
	while (k < end && (*k == ' ' || *k == '\t' || *k == '\r' || *k == '\n'))
		k++;
	/* an <array> holds the first <string> or <data> */
	if ((size_t)(end - k) >= 7 && memcmp(k, "<array>", 7) == 0) {
		v = find(k, (size_t)(end - k), open);
		e = v ? find(k, (size_t)(end - k), "</array>") : NULL;
		if (!v || !e || v > e)
			return NULL;
	} else {
		v = (size_t)(end - k) >= strlen(open) &&
				    memcmp(k, open, strlen(open)) == 0 ?
			    k :
			    NULL;
	}
	if (!v)
		return NULL;
	v += strlen(open);
	e = find(v, (size_t)(end - v), close);
	if (!e)
		return NULL;
	*len = (size_t)(e - v);
	return v;
}

static int
profile_certs(struct certs_inv *inv, const struct certs_where *w,
	      const char *xml, size_t n, const char *team, const char *name,
	      const char *expires)
{
	const char *k = find(xml, n, "<key>DeveloperCertificates</key>");
	const char *end, *p;
	int added = 0;

	if (!k)
		return 0;
	end = find(k, n - (size_t)(k - xml), "</array>");
	if (!end)
		return 0;
	for (p = k; p < end && added < (int)CERTS_PER_FILE_MAX;) {
		const char *d = find(p, (size_t)(end - p), "<data>");
		const char *de;
		unsigned char *der = NULL;
		size_t len;

		if (!d)
			break;
		d += 6;
		de = find(d, (size_t)(end - d), "</data>");
		if (!de)
			break;
		if (certs_b64_decode(d, (size_t)(de - d), &der, &len) == 0) {
			if (der_x509(inv, w, der, len, "provisioning-profile",
				     CERTS_HINT_NONE)) {
				struct certs_entry *e =
					&inv->entries[inv->n - 1];

				added++;
				e->team_id = team ? team : e->team_id;
				e->profile_name = name;
				e->profile_expires = expires;
			}
			free(der);
		}
		p = de + 7;
	}
	return added;
}

static int
parse_profile(struct certs_inv *inv, const struct certs_where *w,
	      const unsigned char *data, size_t len)
{
	const unsigned char *p = data;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	ASN1_OCTET_STRING **content;
	const char *xml, *v, *team = NULL, *name = NULL, *expires = NULL;
	size_t n, vn;
	int added = 0;
	struct certs_entry *e;

	ERR_clear_error();
	if (!cms)
		return -1;
	content = CMS_get0_content(cms);
	if (!content || !*content ||
	    (size_t)ASN1_STRING_length(*content) > PLIST_MAX) {
		CMS_ContentInfo_free(cms);
		return -1;
	}
	xml = (const char *)ASN1_STRING_get0_data(*content);
	n = (size_t)ASN1_STRING_length(*content);
	if ((v = plist_value(xml, n, "TeamIdentifier", "string", &vn)))
		team = certs_strn(inv, v, vn);
	if ((v = plist_value(xml, n, "Name", "string", &vn)))
		name = certs_strn(inv, v, vn);
	if ((v = plist_value(xml, n, "ExpirationDate", "date", &vn)))
		expires = certs_strn(inv, v, vn);
	added = profile_certs(inv, w, xml, n, team, name, expires);
	if (!added && (e = certs_entry_new(inv, w, "provisioning-profile"))) {
		added = 1;
		e->platform = "apple";
		e->team_id = team;
		e->profile_name = name;
		e->profile_expires = expires;
		e->note = "no developer certificate in the profile";
	}
	CMS_ContentInfo_free(cms);
	return added;
}

/* ---- .snk: a CryptoAPI PRIVATEKEYBLOB ---- */

static int
parse_snk(struct certs_inv *inv, const struct certs_where *w,
	  const unsigned char *data, size_t len)
{
	struct certs_entry *e;

	if (len < 20 || data[0] != 0x07 || data[1] != 0x02 ||
	    memcmp(data + 8, "RSA2", 4) != 0)
		return -1;
	e = certs_entry_new(inv, w, "snk");
	if (!e)
		return 0;
	e->platform = "windows-strong-name";
	e->has_key = 1;
	e->key_type = "RSA";
	e->key_bits = (unsigned)data[12] | (unsigned)data[13] << 8 |
		      (unsigned)data[14] << 16 | (unsigned)data[15] << 24;
	if (e->key_bits > 65536)
		e->key_bits = 0;
	return 1;
}

/* ---- one file ---- */

static int
is_pem(const unsigned char *data, size_t len)
{
	return find(data, len, "-----BEGIN ") != NULL;
}

int
certs_parse_file(struct certs_inv *inv, const struct certs_where *w,
		 const unsigned char *data, size_t len)
{
	const char *name = certs_basename(w->path);
	size_t before = inv->n, i;
	const char *sha = NULL;
	int keystore;

	if (!data || len == 0 || len > CERTS_FILE_MAX || len > INT32_MAX)
		return 0;
	keystore = certs_has_ext(name, ".jks") ||
		   certs_has_ext(name, ".keystore") ||
		   certs_has_ext(name, ".jceks") || certs_has_ext(name, ".bks");
	if (len >= 4 && ((data[0] == 0xfe && data[1] == 0xed &&
			  data[2] == 0xfe && data[3] == 0xed) ||
			 (data[0] == 0xce && data[1] == 0xce &&
			  data[2] == 0xce && data[3] == 0xce))) {
		certs_parse_jks(inv, w, data, len);
	} else if (certs_has_ext(name, ".mobileprovision") ||
		   certs_has_ext(name, ".provisionprofile")) {
		parse_profile(inv, w, data, len);
	} else if (certs_has_ext(name, ".snk")) {
		parse_snk(inv, w, data, len);
	} else if (is_pem(data, len)) {
		parse_pem(inv, w, (const char *)data, len);
	} else if (data[0] == 0x30) {
		/* DER: try what the name suggests first */
		if (certs_has_ext(name, ".p12") || certs_has_ext(name, ".pfx") ||
		    keystore) {
			parse_p12(inv, w, data, len,
				  keystore ? "keystore-pkcs12" : "pkcs12",
				  keystore ? CERTS_HINT_KEYSTORE :
					     CERTS_HINT_NONE);
		} else if (certs_has_ext(name, ".p7b") ||
			   certs_has_ext(name, ".p7c")) {
			der_p7(inv, w, data, len);
		} else if (!der_x509(inv, w, data, len, "certificate",
				     CERTS_HINT_NONE) &&
			   !der_key(inv, w, data, len) &&
			   certs_is_candidate(name, len)) {
			parse_p12(inv, w, data, len, "pkcs12",
				  CERTS_HINT_NONE);
		}
	} else if (certs_has_ext(name, ".gpg") || certs_has_ext(name, ".pgp") ||
		   certs_has_ext(name, ".sec") || certs_has_ext(name, ".asc")) {
		if (gpg_algo(data, len))
			add_gpg(inv, w, data, len);
	}
	ERR_clear_error();
	if (inv->n > before)
		sha = certs_sha256_hex(inv, data, len);
	for (i = before; i < inv->n; i++)
		inv->entries[i].file_sha256 = sha;
	return (int)(inv->n - before);
}
