#include "prov/prov_int.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define FULCIO_OID "1.3.6.1.4.1.57264.1."
#define SCT_OID "1.3.6.1.4.1.11129.2.4.2"
#define EXT_VALUE_MAX 4096

/* A printable copy of a certificate string: control bytes become '?'. */
static const char *
keep(struct mempool *mp, const unsigned char *s, size_t n)
{
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

/*
 * The value of Fulcio extension N: 1..6 hold the raw string, 8.. a DER
 * UTF8String (fulcio docs/oid-info.md). NULL when absent.
 */
static const char *
fulcio_ext(X509 *x, int n, struct mempool *mp)
{
	char want[64], oid[80];
	int i, count = X509_get_ext_count(x);

	snprintf(want, sizeof(want), FULCIO_OID "%d", n);
	for (i = 0; i < count; i++) {
		X509_EXTENSION *ext = X509_get_ext(x, i);
		ASN1_OCTET_STRING *data;
		const unsigned char *p;
		long len;
		int tag, cls;

		if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext),
				1) <= 0 ||
		    strcmp(oid, want) != 0)
			continue;
		data = X509_EXTENSION_get_data(ext);
		p = ASN1_STRING_get0_data(data);
		len = ASN1_STRING_length(data);
		if (n <= 6)
			return keep(mp, p, (size_t)len);
		if (ASN1_get_object(&p, &len, &tag, &cls,
				    ASN1_STRING_length(data)) & 0x80) {
			ERR_clear_error();
			return NULL;
		}
		if (tag != V_ASN1_UTF8STRING || cls != V_ASN1_UNIVERSAL)
			return NULL;
		return keep(mp, p, (size_t)len);
	}
	return NULL;
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
			out = keep(mp, ASN1_STRING_get0_data(g->d.ia5),
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
	const char *repo5;

	id->san = san_value(leaf, mp);
	id->issuer = fulcio_ext(leaf, 8, mp);
	if (!id->issuer)
		id->issuer = fulcio_ext(leaf, 1, mp);
	id->source_repo = fulcio_ext(leaf, 12, mp);
	repo5 = fulcio_ext(leaf, 5, mp);
	if (!id->source_repo && repo5)
		id->source_repo = mempool_printf(mp, "https://github.com/%s",
						 repo5);
	id->build_config_uri = fulcio_ext(leaf, 18, mp);
	id->build_signer_uri = fulcio_ext(leaf, 9, mp);
	id->trigger = fulcio_ext(leaf, 20, mp);
	if (!id->trigger)
		id->trigger = fulcio_ext(leaf, 2, mp);
	id->runner_env = fulcio_ext(leaf, 11, mp);
	id->source_commit = fulcio_ext(leaf, 13, mp);
	if (!id->source_commit)
		id->source_commit = fulcio_ext(leaf, 3, mp);
	id->run_uri = fulcio_ext(leaf, 21, mp);
	/* The build config names the calling workflow even when the SAN is a
	 * reusable one (slsa-github-generator). */
	if (id->build_config_uri)
		split_workflow(id, mp, id->build_config_uri, NULL);
	else
		split_workflow(id, mp, id->san, id->source_repo);
	if (!id->workflow_ref) {
		id->workflow_ref = fulcio_ext(leaf, 14, mp);
		if (!id->workflow_ref)
			id->workflow_ref = fulcio_ext(leaf, 6, mp);
	}
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

/* The TBS of leaf without the SCT list extension, DER; free() it. */
static unsigned char *
precert_tbs(X509 *leaf, int idx, int *len)
{
	X509 *dup = X509_dup(leaf);
	X509_EXTENSION *ext;
	unsigned char *der = NULL;

	if (!dup)
		return NULL;
	ext = X509_delete_ext(dup, idx);
	X509_EXTENSION_free(ext);
	*len = i2d_re_X509_tbs(dup, &der);
	X509_free(dup);
	if (*len <= 0) {
		OPENSSL_free(der);
		return NULL;
	}
	return der;
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
prov_sct_verify(X509 *leaf, X509 *issuer,
		const struct prov_trusted_root *root, char *why, size_t whylen)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(SCT_OID, 1);
	X509_EXTENSION *ext;
	ASN1_OCTET_STRING *data;
	const unsigned char *p, *end;
	unsigned char ikh[32], *spki = NULL, *tbs = NULL;
	long inner;
	int idx, tag, cls, spkilen, tbslen, count = 0, ok = 0;
	size_t total, n;

	snprintf(why, whylen, "certificate has no embedded SCT");
	idx = obj ? X509_get_ext_by_OBJ(leaf, obj, -1) : -1;
	ASN1_OBJECT_free(obj);
	if (idx < 0 || !issuer)
		goto done;
	ext = X509_get_ext(leaf, idx);
	data = X509_EXTENSION_get_data(ext);
	p = ASN1_STRING_get0_data(data);
	if (ASN1_get_object(&p, &inner, &tag, &cls, ASN1_STRING_length(data)) &
	    0x80 || tag != V_ASN1_OCTET_STRING) {
		snprintf(why, whylen, "SCT list is not an OCTET STRING");
		goto done;
	}
	end = p + inner;
	if (get_u16(&p, end, &total) || (size_t)(end - p) != total) {
		snprintf(why, whylen, "SCT list length mismatch");
		goto done;
	}
	spkilen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki);
	tbs = precert_tbs(leaf, idx, &tbslen);
	if (spkilen <= 0 || !tbs) {
		snprintf(why, whylen, "cannot re-encode the precertificate");
		goto done;
	}
	SHA256(spki, (size_t)spkilen, ikh);
	while (p < end && !ok && count < PROV_SCTS_MAX) {
		if (get_u16(&p, end, &n) || (size_t)(end - p) < n) {
			snprintf(why, whylen, "SCT entry truncated");
			break;
		}
		ok = check_one_sct(p, n, tbs, tbslen, ikh, root, why, whylen);
		p += n;
		count++;
	}
done:
	OPENSSL_free(spki);
	OPENSSL_free(tbs);
	ERR_clear_error();
	return ok ? 0 : WS_EVERIFY;
}
