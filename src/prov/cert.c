#include "prov/prov_int.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define EXT_VALUE_MAX 4096

const char *
prov_keep(struct mempool *mp, const void *str, size_t n)
{
	const unsigned char *s = str;
	char *out;
	size_t i;

	if (n > EXT_VALUE_MAX)
		n = EXT_VALUE_MAX;
	out = mempool_alloc(mp, n + 1);
	for (i = 0; i < n; i++)
		out[i] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
	out[n] = '\0';
	return out;
}

/* 1.3.6.1.4.1.57264.1 in DER, the arc under which Fulcio puts identity */
static const unsigned char fulcio_arc[] = {0x2b, 0x06, 0x01, 0x04, 0x01,
					   0x83, 0xbf, 0x30, 0x01};
#define FULCIO_EXT_MAX 32

/*
 * The values of the Fulcio extensions 1.3.6.1.4.1.57264.1.N, N < 32, in one
 * pass: 1..6 hold the raw string, 8.. a DER UTF8String (fulcio
 * docs/oid-info.md). Absent or malformed ones stay NULL.
 */
static void
fulcio_exts(X509 *x, struct mempool *mp, const char **vals)
{
	int i, count = X509_get_ext_count(x);

	for (i = 0; i < count; i++) {
		X509_EXTENSION *ext = X509_get_ext(x, i);
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
		const unsigned char *o = OBJ_get0_data(obj), *p;
		size_t olen = OBJ_length(obj);
		ASN1_OCTET_STRING *data;
		long len;
		int n, tag, cls;

		if (!o || olen != sizeof(fulcio_arc) + 1 ||
		    memcmp(o, fulcio_arc, sizeof(fulcio_arc)) != 0)
			continue;
		n = o[sizeof(fulcio_arc)];
		if (n >= FULCIO_EXT_MAX || vals[n])
			continue;
		data = X509_EXTENSION_get_data(ext);
		p = ASN1_STRING_get0_data(data);
		len = ASN1_STRING_length(data);
		if (n <= 6) {
			vals[n] = prov_keep(mp, p, (size_t)len);
			continue;
		}
		if (ASN1_get_object(&p, &len, &tag, &cls, len) & 0x80) {
			ERR_clear_error();
			continue;
		}
		if (tag == V_ASN1_UTF8STRING && cls == V_ASN1_UNIVERSAL)
			vals[n] = prov_keep(mp, p, (size_t)len);
	}
}

static const char *
san_value(X509 *x, struct mempool *mp)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
						NULL);
	const char *out = NULL;
	int i;

	for (i = 0; names && i < sk_GENERAL_NAME_num(names) && !out; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);

		if (g->type == GEN_URI || g->type == GEN_EMAIL)
			out = prov_keep(mp, ASN1_STRING_get0_data(g->d.ia5),
				   (size_t)ASN1_STRING_length(g->d.ia5));
	}
	GENERAL_NAMES_free(names);
	ERR_clear_error();
	return out;
}

/*
 * "https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1" under repo
 * gives path ".github/workflows/x.yml" and ref "refs/tags/v1".
 */
static void
split_workflow(struct prov_identity *id, struct mempool *mp, const char *uri,
	       const char *repo)
{
	const char *rest = uri, *at;
	size_t n;

	if (!uri)
		return;
	if (repo) {
		n = strlen(repo);
		if (strncmp(uri, repo, n) != 0 || uri[n] != '/')
			return;
		rest = uri + n + 1;
	} else if (strncmp(uri, "https://", 8) == 0) {
		/* host/owner/repo/ then the path */
		int slashes = 0;

		for (rest = uri + 8; *rest && slashes < 3; rest++)
			if (*rest == '/')
				slashes++;
		if (slashes < 3)
			return;
	}
	at = strrchr(rest, '@');
	if (!at)
		return;
	id->workflow_path = mempool_strndup(mp, rest, (size_t)(at - rest));
	id->workflow_ref = mempool_strdup(mp, at + 1);
}

void
prov_identity_from_cert(struct prov_identity *id, struct mempool *mp,
			X509 *leaf)
{
	const char *f[FULCIO_EXT_MAX] = {0};

	fulcio_exts(leaf, mp, f);
	id->san = san_value(leaf, mp);
	id->issuer = f[8] ? f[8] : f[1];
	id->source_repo = f[12];
	if (!id->source_repo && f[5])
		id->source_repo = mempool_printf(mp, "https://github.com/%s", f[5]);
	id->build_config_uri = f[18];
	id->build_signer_uri = f[9];
	id->trigger = f[20] ? f[20] : f[2];
	id->runner_env = f[11];
	id->source_commit = f[13] ? f[13] : f[3];
	id->run_uri = f[21];
	/* The build config names the calling workflow even when the SAN is a
	 * reusable one (slsa-github-generator). */
	if (id->build_config_uri)
		split_workflow(id, mp, id->build_config_uri, NULL);
	else
		split_workflow(id, mp, id->san, id->source_repo);
	if (!id->workflow_ref)
		id->workflow_ref = f[14] ? f[14] : f[6];
}

/* ---- SCT (RFC 6962 section 3.2, precertificate entries) ---- */

static int
get_u16(const unsigned char **p, const unsigned char *end, size_t *out)
{
	if (end - *p < 2)
		return -1;
	*out = (size_t)(*p)[0] << 8 | (*p)[1];
	*p += 2;
	return 0;
}

/* ---- DER, just enough to take one extension out of a TBS ---- */

/* Tag and length at p; 0 with the header and content lengths, or -1. */
static int
der_hdr(const unsigned char *p, const unsigned char *end, unsigned *tag,
	size_t *hdr, size_t *len)
{
	size_t l, h = 2, k, i;

	if (end - p < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	*tag = p[0];
	l = p[1];
	if (l & 0x80) {
		k = l & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - p) < 2 + k)
			return -1;
		for (l = 0, i = 0; i < k; i++)
			l = l << 8 | p[2 + i];
		h += k;
	}
	if ((size_t)(end - p) - h < l)
		return -1;
	*hdr = h;
	*len = l;
	return 0;
}

/* Writes tag and DER length at out; returns the bytes written (<= 5). */
static size_t
der_put_hdr(unsigned char *out, unsigned tag, size_t len)
{
	out[0] = (unsigned char)tag;
	if (len < 0x80) {
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len < 0x100) {
		out[1] = 0x81;
		out[2] = (unsigned char)len;
		return 3;
	}
	if (len < 0x10000) {
		out[1] = 0x82;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		return 4;
	}
	out[1] = 0x83;
	out[2] = (unsigned char)(len >> 16);
	out[3] = (unsigned char)(len >> 8);
	out[4] = (unsigned char)len;
	return 5;
}

static size_t
der_hdr_size(size_t len)
{
	unsigned char tmp[5];

	return der_put_hdr(tmp, 0, len);
}

/* 1.3.6.1.4.1.11129.2.4.2, the embedded SCT list */
static const unsigned char sct_oid[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6,
					0x79, 0x02, 0x04, 0x02};

struct precert {
	unsigned char *tbs;		/* TBS without the SCT extension */
	size_t tbslen;
	const unsigned char *list;	/* the extension's value (DER) */
	size_t listlen;
};

/*
 * Finds the SCT extension in the certificate DER and rebuilds the TBS
 * without it (RFC 6962 3.2: what the log signed for the precertificate).
 * Done on the DER rather than through X509_dup and re-encoding, which cost
 * more than the signature check itself.
 */
static int
precert_parse(const unsigned char *der, size_t derlen, struct precert *pc)
{
	const unsigned char *end = der + derlen, *t0, *t1, *p, *x3 = NULL;
	const unsigned char *s0, *s1, *e0 = NULL, *e1 = NULL;
	size_t h, l, h3 = 0, l3 = 0, ls, nl3, nls, ntl, o;
	unsigned tag;

	memset(pc, 0, sizeof(*pc));
	if (der_hdr(der, end, &tag, &h, &l) || tag != 0x30)
		return -1;
	p = der + h;
	if (der_hdr(p, end, &tag, &h, &l) || tag != 0x30)
		return -1;
	t0 = p + h;
	t1 = t0 + l;
	for (p = t0; p < t1; p += h + l) {
		if (der_hdr(p, t1, &tag, &h, &l))
			return -1;
		if (tag == 0xa3) {
			x3 = p;
			h3 = h;
			l3 = l;
		}
	}
	if (!x3 || der_hdr(x3 + h3, x3 + h3 + l3, &tag, &h, &ls) || tag != 0x30)
		return -1;
	s0 = x3 + h3 + h;
	s1 = s0 + ls;
	for (p = s0; p < s1; p += h + l) {
		const unsigned char *q, *qe;
		size_t hh, ll;

		if (der_hdr(p, s1, &tag, &h, &l) || tag != 0x30)
			return -1;
		q = p + h;
		qe = q + l;
		if (der_hdr(q, qe, &tag, &hh, &ll) || tag != 0x06)
			return -1;
		if (ll != sizeof(sct_oid) || memcmp(q + hh, sct_oid, ll) != 0)
			continue;
		e0 = p;
		e1 = qe;
		for (q += hh + ll; q < qe; q += hh + ll) {
			if (der_hdr(q, qe, &tag, &hh, &ll))
				return -1;
			if (tag == 0x04) {
				pc->list = q + hh;
				pc->listlen = ll;
			}
		}
	}
	if (!e0 || !pc->list)
		return -1;
	nls = ls - (size_t)(e1 - e0);
	nl3 = der_hdr_size(nls) + nls;
	ntl = (size_t)(x3 - t0) + der_hdr_size(nl3) + nl3 +
	      (size_t)(t1 - (x3 + h3 + l3));
	pc->tbs = xmalloc(ntl + 5);
	o = der_put_hdr(pc->tbs, 0x30, ntl);
	memcpy(pc->tbs + o, t0, (size_t)(x3 - t0));
	o += (size_t)(x3 - t0);
	o += der_put_hdr(pc->tbs + o, 0xa3, nl3);
	o += der_put_hdr(pc->tbs + o, 0x30, nls);
	memcpy(pc->tbs + o, s0, (size_t)(e0 - s0));
	o += (size_t)(e0 - s0);
	memcpy(pc->tbs + o, e1, (size_t)(s1 - e1));
	o += (size_t)(s1 - e1);
	memcpy(pc->tbs + o, x3 + h3 + l3, (size_t)(t1 - (x3 + h3 + l3)));
	o += (size_t)(t1 - (x3 + h3 + l3));
	pc->tbslen = o;
	return 0;
}

static int
check_one_sct(const unsigned char *s, size_t n, const unsigned char *tbs,
	      int tbslen, const unsigned char ikh[32],
	      const struct prov_trusted_root *root, char *why, size_t whylen)
{
	const unsigned char *p = s, *end = s + n, *ext, *sig;
	size_t extlen, siglen = 0, mlen;
	uint64_t ts = 0;
	const struct prov_log *log;
	unsigned char *msg;
	int i, ok;

	if (n < 1 + 32 + 8 + 2 || p[0] != 0) {
		snprintf(why, whylen, "SCT version or length unsupported");
		return 0;
	}
	for (i = 0; i < 8; i++)
		ts = ts << 8 | p[33 + i];
	p += 41;
	if (get_u16(&p, end, &extlen) || (size_t)(end - p) < extlen) {
		snprintf(why, whylen, "SCT extensions truncated");
		return 0;
	}
	ext = p;
	p += extlen;
	if (end - p < 4) {
		snprintf(why, whylen, "SCT signature truncated");
		return 0;
	}
	p += 2;		/* hash and signature algorithm */
	get_u16(&p, end, &siglen);
	sig = p;
	if ((size_t)(end - p) != siglen) {
		snprintf(why, whylen, "SCT signature length mismatch");
		return 0;
	}
	log = prov_log_find(root->ctlogs, root->nctlogs, s + 1, 32,
			    (int64_t)(ts / 1000));
	if (!log) {
		snprintf(why, whylen, "SCT from a CT log not in the trusted root at that time");
		return 0;
	}
	mlen = 1 + 1 + 8 + 2 + 32 + 3 + (size_t)tbslen + 2 + extlen;
	msg = xmalloc(mlen);
	msg[0] = 0;			/* v1 */
	msg[1] = 0;			/* certificate_timestamp */
	memcpy(msg + 2, s + 33, 8);
	msg[10] = 0;			/* precert_entry */
	msg[11] = 1;
	memcpy(msg + 12, ikh, 32);
	msg[44] = (unsigned char)(tbslen >> 16);
	msg[45] = (unsigned char)(tbslen >> 8);
	msg[46] = (unsigned char)tbslen;
	memcpy(msg + 47, tbs, (size_t)tbslen);
	msg[47 + tbslen] = (unsigned char)(extlen >> 8);
	msg[48 + tbslen] = (unsigned char)extlen;
	memcpy(msg + 49 + tbslen, ext, extlen);
	ok = prov_sig_verify(log->pkey, msg, mlen, sig, siglen);
	free(msg);
	if (!ok)
		snprintf(why, whylen, "SCT signature does not verify");
	return ok;
}

int
prov_sct_verify(const unsigned char *der, size_t derlen, X509 *issuer,
		const struct prov_trusted_root *root, char *why, size_t whylen)
{
	struct precert pc;
	const unsigned char *p, *end;
	unsigned char ikh[32], *spki = NULL;
	unsigned tag;
	size_t h, inner, total, n;
	int spkilen, count = 0, ok = 0;

	if (precert_parse(der, derlen, &pc) != 0) {
		snprintf(why, whylen, "certificate has no embedded SCT list");
		goto done;
	}
	if (der_hdr(pc.list, pc.list + pc.listlen, &tag, &h, &inner) ||
	    tag != 0x04) {
		snprintf(why, whylen, "SCT list is not an OCTET STRING");
		goto done;
	}
	p = pc.list + h;
	end = p + inner;
	if (get_u16(&p, end, &total) || (size_t)(end - p) != total) {
		snprintf(why, whylen, "SCT list length mismatch");
		goto done;
	}
	spkilen = issuer ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki) : 0;
	if (spkilen <= 0 || pc.tbslen > 0xffffff) {
		snprintf(why, whylen, "cannot encode the issuer key");
		goto done;
	}
	prov_sha256(spki, (size_t)spkilen, ikh);
	snprintf(why, whylen, "certificate has no SCT");
	while (p < end && !ok && count < PROV_SCTS_MAX) {
		if (get_u16(&p, end, &n) || (size_t)(end - p) < n) {
			snprintf(why, whylen, "SCT entry truncated");
			break;
		}
		ok = check_one_sct(p, n, pc.tbs, (int)pc.tbslen, ikh, root, why,
				   whylen);
		p += n;
		count++;
	}
done:
	OPENSSL_free(spki);
	free(pc.tbs);
	ERR_clear_error();
	return ok ? 0 : WS_EVERIFY;
}
