#ifndef WS_CERTS_INTERNAL_H
#define WS_CERTS_INTERNAL_H

/* Private to src/certs: what the readers share. */

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "certs/certs.h"

/* A copy of s[0..n) in inv's pool, cut at CERTS_STR_MAX bytes. */
const char *certs_strn(struct certs_inv *inv, const char *s, size_t n);
const char *certs_str(struct certs_inv *inv, const char *s);
/* Lowercase hex of data in inv's pool. */
const char *certs_hex(struct certs_inv *inv, const unsigned char *data,
		      size_t n);
const char *certs_sha256_hex(struct certs_inv *inv, const void *data,
			     size_t n);

/*
 * A new entry of kind for w (zeroed, is_protected 0, in_head 1), or NULL
 * past CERTS_ENTRIES_MAX (counted in inv->dropped).
 */
struct certs_entry *certs_entry_new(struct certs_inv *inv,
				    const struct certs_where *w,
				    const char *kind);

/* Hints to the classifier from where a certificate was found. */
enum certs_hint {
	CERTS_HINT_NONE,
	CERTS_HINT_KEYSTORE,	/* a Java/Android keystore */
};

/*
 * Fills e's certificate fields from x (subject, issuer, serial,
 * validity, fingerprint, key, EKU, EV, platform, Apple team id).
 */
void certs_fill_x509(struct certs_inv *inv, struct certs_entry *e, X509 *x,
		     enum certs_hint hint);
/* Fills key_type, key_bits and the public key's fingerprint from k. */
void certs_fill_pkey(struct certs_inv *inv, struct certs_entry *e,
		     EVP_PKEY *k);

/* The classification of x (a static string, see certs_entry.platform). */
const char *certs_classify(X509 *x, enum certs_hint hint);

/* Where needle[0..nn) first occurs in hay[0..n), or NULL (memmem). */
const void *certs_memmem(const void *hay, size_t n, const void *needle,
			 size_t nn);

/* The base name of a '/'-separated path. */
const char *certs_basename(const char *path);
/* Whether path ends in ext (".p12"), ignoring ASCII case. */
int certs_has_ext(const char *path, const char *ext);

/*
 * Base64 (whitespace ignored) into a malloc'd buffer; returns 0 and sets
 * *out and *outlen, or -1 when s is not base64.
 */
int certs_b64_decode(const char *s, size_t n, unsigned char **out,
		     size_t *outlen);

/* Makes sure the legacy provider (RC2, 3DES PKCS#12) is loaded once. */
void certs_crypto_init(void);

#endif
