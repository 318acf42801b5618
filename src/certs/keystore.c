/*
 * Java keystores, JKS and JCEKS, read without a password. The format
 * (big-endian): magic, version (1 or 2), entry count; each entry a tag
 * (1 private key, 2 trusted certificate, 3 secret key), an alias (Java's
 * modified UTF-8 with a 16-bit length), a 64-bit timestamp, then for a
 * private key the encrypted key and its certificate chain, for a trusted
 * certificate the certificate; version 2 names each certificate's type.
 * Certificates are stored in the clear, so aliases and certificates are
 * read; the key bytes are skipped. A JCEKS secret key is a serialized
 * Java object of no fixed length: reading stops there.
 */
#include "certs/internal.h"

#include <openssl/err.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

#define JKS_ENTRIES_MAX 10000u
#define JKS_CHAIN_MAX 16u

struct rd {
	const unsigned char *p, *end;
};

static int
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->end - r->p < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	return 0;
}

static int
rd_bytes(struct rd *r, size_t n, const unsigned char **out)
{
	if ((size_t)(r->end - r->p) < n)
		return -1;
	*out = r->p;
	r->p += n;
	return 0;
}

/* A 16-bit length and that many bytes. */
static int
rd_utf(struct rd *r, const unsigned char **s, size_t *n)
{
	if (r->end - r->p < 2)
		return -1;
	*n = (size_t)r->p[0] << 8 | r->p[1];
	r->p += 2;
	return rd_bytes(r, *n, s);
}

static int
rd_cert(struct certs_inv *inv, const struct certs_where *w, struct rd *r,
	uint32_t version, const char *kind, const char *alias, int has_key)
{
	const unsigned char *type, *der, *p;
	size_t ntype;
	uint32_t len;
	X509 *x;
	struct certs_entry *e;

	if (version == 2 && rd_utf(r, &type, &ntype) < 0)
		return -1;
	if (rd_u32(r, &len) < 0 || rd_bytes(r, len, &der) < 0)
		return -1;
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	e = certs_entry_new(inv, w, kind);
	if (!e) {
		X509_free(x);
		return 0;
	}
	e->alias = alias;
	e->has_key = has_key;
	e->is_protected = has_key;	/* the key is always encrypted */
	if (x) {
		certs_fill_x509(inv, e, x, CERTS_HINT_KEYSTORE);
		X509_free(x);
	} else {
		e->platform = "android";
		e->note = "a certificate in the keystore does not parse";
	}
	return 0;
}

int
certs_parse_jks(struct certs_inv *inv, const struct certs_where *w,
		const unsigned char *data, size_t len)
{
	struct rd r = { data, data + len };
	uint32_t magic, version, count, i, tag, klen, chain, j;
	const unsigned char *skip, *alias_s;
	const char *kind, *alias;
	size_t before = inv->n, alias_n;

	if (rd_u32(&r, &magic) < 0 || rd_u32(&r, &version) < 0 ||
	    rd_u32(&r, &count) < 0)
		goto bad;
	if (magic != 0xfeedfeedu && magic != 0xcecececeu)
		return ws_error_set(WS_EPARSE, "%s: not a Java keystore",
				    w->path);
	kind = magic == 0xfeedfeedu ? "jks" : "jceks";
	if (version != 1 && version != 2)
		return ws_error_set(WS_EPARSE, "%s: keystore version %u",
				    w->path, version);
	if (count > JKS_ENTRIES_MAX)
		count = JKS_ENTRIES_MAX;
	for (i = 0; i < count && inv->n - before < CERTS_PER_FILE_MAX; i++) {
		if (rd_u32(&r, &tag) < 0 || rd_utf(&r, &alias_s, &alias_n) < 0 ||
		    rd_bytes(&r, 8, &skip) < 0)
			goto bad;
		alias = certs_strn(inv, (const char *)alias_s, alias_n);
		if (tag == 1) {
			if (rd_u32(&r, &klen) < 0 ||
			    rd_bytes(&r, klen, &skip) < 0 ||
			    rd_u32(&r, &chain) < 0)
				goto bad;
			if (chain > JKS_CHAIN_MAX)
				goto bad;
			for (j = 0; j < chain; j++)
				if (rd_cert(inv, w, &r, version, kind, alias,
					    j == 0) < 0)
					goto bad;
		} else if (tag == 2) {
			if (rd_cert(inv, w, &r, version, kind, alias, 0) < 0)
				goto bad;
		} else {
			/* a secret key (JCEKS) or something unknown: its
			 * length is not written down, so stop here */
			struct certs_entry *e = certs_entry_new(inv, w, kind);

			if (e) {
				e->alias = alias;
				e->has_key = 1;
				e->is_protected = 1;
				e->platform = "android";
				e->note = "a secret-key entry: the entries after it are not read";
			}
			break;
		}
	}
	return (int)(inv->n - before);
bad:
	return ws_error_set(WS_EPARSE, "%s: keystore truncated or damaged",
			    w->path);
}
