#include "prov/prov_int.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>

#include "util/error.h"

#include "util/banned.h"

/* genTime as unix seconds, without timegm: its distance from the epoch. */
static int
gen_time(const ASN1_GENERALIZEDTIME *t, int64_t *out)
{
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int days = 0, secs = 0, ok;

	ok = epoch && ASN1_TIME_diff(&days, &secs, epoch, t);
	ASN1_TIME_free(epoch);
	if (!ok)
		return -1;
	*out = (int64_t)days * 86400 + secs;
	return 0;
}

/*
 * One attempt against one authority. The TS_VERIFY_CTX owns what it is
 * given, so the store and certificate stack are made for it: the store
 * trusts every certificate of the authority (as for Fulcio) and judges the
 * TSA certificate at the time the token states, not now.
 */
static int
try_tsa(const struct prov_ca *tsa, TS_RESP *resp, const unsigned char *sig,
	size_t siglen, int64_t t)
{
	TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *certs = sk_X509_new_null();
	BIO *data = BIO_new_mem_buf(sig, (int)siglen);
	X509_VERIFY_PARAM *param;
	size_t i;
	int ok = 0;

	if (!ctx || !store || !certs || !data) {
		X509_STORE_free(store);
		sk_X509_free(certs);
		BIO_free(data);
		goto done;
	}
	for (i = 0; i < tsa->ncerts; i++) {
		X509_STORE_add_cert(store, tsa->certs[i]);
		X509_up_ref(tsa->certs[i]);
		if (!sk_X509_push(certs, tsa->certs[i]))
			X509_free(tsa->certs[i]);
	}
	param = X509_STORE_get0_param(store);
	X509_VERIFY_PARAM_set_time(param, (time_t)t);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE |
				     TS_VFY_DATA);
	TS_VERIFY_CTX_set_data(ctx, data);
	TS_VERIFY_CTX_set_store(ctx, store);
	TS_VERIFY_CTX_set_certs(ctx, certs);
	ok = TS_RESP_verify_response(ctx, resp) == 1;
done:
	TS_VERIFY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int
prov_tsa_verify(const unsigned char *der, size_t len,
		const unsigned char *sig, size_t siglen,
		const struct prov_trusted_root *root, int64_t *when, char *why,
		size_t whylen)
{
	const unsigned char *p = der;
	TS_RESP *resp;
	TS_TST_INFO *info;
	int64_t t;
	size_t i;
	int tried = 0, ok = 0;
	char stamp[32];

	resp = d2i_TS_RESP(NULL, &p, (long)len);
	if (!resp || p != der + len) {
		snprintf(why, whylen, "not a DER TimeStampResponse");
		TS_RESP_free(resp);
		ERR_clear_error();
		return WS_EVERIFY;
	}
	info = TS_RESP_get_tst_info(resp);
	if (!info || gen_time(TS_TST_INFO_get_time(info), &t) != 0) {
		snprintf(why, whylen, "timestamp response carries no token time");
		TS_RESP_free(resp);
		ERR_clear_error();
		return WS_EVERIFY;
	}
	for (i = 0; i < root->ntsas && !ok; i++) {
		if (t < root->tsas[i].start || t > root->tsas[i].end)
			continue;
		tried++;
		ok = try_tsa(&root->tsas[i], resp, sig, siglen, t);
	}
	TS_RESP_free(resp);
	prov_format_time(stamp, sizeof(stamp), t);
	if (ok) {
		*when = t;
		return 0;
	}
	if (!tried)
		snprintf(why, whylen, "no timestamp authority of the trusted root was valid at %s",
			 stamp);
	else
		snprintf(why, whylen, "timestamp of %s does not verify against the trusted authorities",
			 stamp);
	return WS_EVERIFY;
}
