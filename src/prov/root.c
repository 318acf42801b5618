#include "prov/prov_int.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/datadir.h"
#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

static int
valid_for(const struct json_value *o, int64_t *start, int64_t *end,
	  const char *name)
{
	const struct json_value *vf = json_get(o, "validFor");
	const char *s;

	*start = INT64_MIN;
	*end = INT64_MAX;
	if ((s = json_get_str(vf, "start")) && prov_parse_time(s, start) != 0)
		return ws_error_set(WS_EPARSE, "%s:%u: bad validFor.start", name,
				    o->line);
	if ((s = json_get_str(vf, "end")) && prov_parse_time(s, end) != 0)
		return ws_error_set(WS_EPARSE, "%s:%u: bad validFor.end", name,
				    o->line);
	return 0;
}

/* tlogs[] and ctlogs[]: {baseUrl, publicKey{rawBytes, validFor}, logId{keyId}} */
static int
parse_logs(struct prov_trusted_root *root, const struct json_value *arr,
	   struct prov_log *logs, size_t *n, const char *name)
{
	const struct json_value *e;

	if (!arr)
		return 0;
	if (!json_is(arr, JSON_ARRAY))
		return ws_error_set(WS_EPARSE, "%s:%u: logs are not an array",
				    name, arr->line);
	if (arr->len > PROV_LOGS_MAX)
		return ws_error_set(WS_ELIMIT, "%s:%u: more than %u logs", name,
				    arr->line, PROV_LOGS_MAX);
	for (e = arr->u.first; e; e = e->next) {
		const struct json_value *pk = json_get(e, "publicKey");
		const char *raw = json_get_str(pk, "rawBytes");
		const char *id = json_get_str(json_get(e, "logId"), "keyId");
		struct prov_log *l = &logs[*n];
		unsigned char *der;
		size_t len;

		if (!raw || !id)
			return ws_error_set(WS_EPARSE,
					    "%s:%u: log without publicKey.rawBytes or logId.keyId",
					    name, e->line);
		unsigned char idbuf[PROV_B64_DECODED_MAX(64)];

		if (strlen(id) > 64 ||
		    prov_b64_decode(id, strlen(id), idbuf, &len) != 0 ||
		    len == 0 || len > sizeof(l->log_id))
			return ws_error_set(WS_EPARSE, "%s:%u: bad logId.keyId",
					    name, e->line);
		memcpy(l->log_id, idbuf, len);
		l->log_id_len = len;
		der = prov_b64_decode_pool(&root->pool, raw, strlen(raw), 4096,
					   &len);
		if (!der)
			return ws_error_set(WS_EPARSE, "%s:%u: bad rawBytes", name,
					    e->line);
		if (valid_for(pk, &l->start, &l->end, name) != 0)
			return WS_EPARSE;
		l->pkey = prov_pkey_from_spki(der, len);
		if (!l->pkey)
			continue;	/* a key type this OpenSSL cannot use */
		l->base_url = mempool_strdup(&root->pool,
					     json_get_str(e, "baseUrl") ?
					     json_get_str(e, "baseUrl") : "");
		(*n)++;
	}
	return 0;
}

static int
parse_cas(struct prov_trusted_root *root, const struct json_value *arr,
	  struct prov_ca *cas, size_t *ncas, const char *name)
{
	const struct json_value *e;

	if (!arr)
		return 0;
	if (!json_is(arr, JSON_ARRAY))
		return ws_error_set(WS_EPARSE, "%s:%u: authorities are not an array",
				    name, arr->line);
	if (arr->len > PROV_LOGS_MAX)
		return ws_error_set(WS_ELIMIT, "%s:%u: more than %u CAs", name,
				    arr->line, PROV_LOGS_MAX);
	for (e = arr->u.first; e; e = e->next) {
		const struct json_value *certs =
			json_get(json_get(e, "certChain"), "certificates");
		const struct json_value *c;
		struct prov_ca *ca = &cas[*ncas];

		if (!json_is(certs, JSON_ARRAY) || certs->len == 0)
			return ws_error_set(WS_EPARSE, "%s:%u: CA without certChain.certificates",
					    name, e->line);
		if (certs->len > PROV_CERTS_MAX)
			return ws_error_set(WS_ELIMIT, "%s:%u: more than %u certificates",
					    name, e->line, PROV_CERTS_MAX);
		if (valid_for(e, &ca->start, &ca->end, name) != 0)
			return WS_EPARSE;
		ca->store = X509_STORE_new();
		(*ncas)++;
		/*
		 * Every certificate of the entry is trust material, so the
		 * intermediate is a trust anchor itself (partial chains are
		 * allowed when verifying): the leaf needs one signature check.
		 */
		for (c = certs->u.first; c; c = c->next) {
			const char *raw = json_get_str(c, "rawBytes");
			const unsigned char *p;
			unsigned char *der;
			size_t len;
			X509 *x;

			der = raw ? prov_b64_decode_pool(&root->pool, raw,
							 strlen(raw), 65536, &len) :
				    NULL;
			if (!der)
				return ws_error_set(WS_EPARSE, "%s:%u: bad certificate rawBytes",
						    name, c->line);
			p = der;
			x = d2i_X509(NULL, &p, (long)len);
			if (!x) {
				ERR_clear_error();
				return ws_error_set(WS_EPARSE, "%s:%u: certificate does not parse",
						    name, c->line);
			}
			ca->certs[ca->ncerts++] = x;
			X509_STORE_add_cert(ca->store, x);
		}
	}
	return 0;
}

static int
parse_root(struct prov_trusted_root *root, const struct json_value *doc,
	   const char *name)
{
	int rc;

	if (!json_is(doc, JSON_OBJECT))
		return ws_error_set(WS_EPARSE, "%s: not a JSON object", name);
	if ((rc = parse_logs(root, json_get(doc, "tlogs"), root->tlogs,
			     &root->ntlogs, name)) != 0 ||
	    (rc = parse_logs(root, json_get(doc, "ctlogs"), root->ctlogs,
			     &root->nctlogs, name)) != 0 ||
	    (rc = parse_cas(root, json_get(doc, "certificateAuthorities"),
			    root->cas, &root->ncas, name)) != 0 ||
	    (rc = parse_cas(root, json_get(doc, "timestampAuthorities"),
			    root->tsas, &root->ntsas, name)) != 0)
		return rc;
	if (root->ntlogs == 0 || root->ncas == 0)
		return ws_error_set(WS_EPARSE, "%s: no usable tlog or certificate authority",
				    name);
	return 0;
}

static void
free_cas(struct prov_ca *cas, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < cas[i].ncerts; j++)
			X509_free(cas[i].certs[j]);
		X509_STORE_free(cas[i].store);
	}
}

void
prov_trusted_root_free(struct prov_trusted_root *root)
{
	size_t i;

	if (!root)
		return;
	for (i = 0; i < root->ntlogs; i++)
		EVP_PKEY_free(root->tlogs[i].pkey);
	for (i = 0; i < root->nctlogs; i++)
		EVP_PKEY_free(root->ctlogs[i].pkey);
	free_cas(root->cas, root->ncas);
	free_cas(root->tsas, root->ntsas);
	mempool_release(&root->pool);
	free(root);
}

int
prov_trusted_root_parse(struct prov_trusted_root **out, const char *buf,
			size_t len, const char *name)
{
	struct prov_trusted_root *root;
	struct prov_json j;
	int rc;

	*out = NULL;
	rc = prov_json_parse(&j, buf, len, PROV_DOC_MAX, name);
	if (rc == 0) {
		root = xcalloc(1, sizeof(*root));
		mempool_init(&root->pool, 8192);
		rc = parse_root(root, j.doc.root, name);
		if (rc == 0)
			*out = root;
		else
			prov_trusted_root_free(root);
	}
	prov_json_release(&j);
	return rc;
}

static int
root_parse_any(void *out, const char *buf, size_t len, const char *name)
{
	return prov_trusted_root_parse(out, buf, len, name);
}

int
prov_trusted_root_load(struct prov_trusted_root **out, const char *path)
{
	*out = NULL;
	return prov_load_file(path, PROV_DOC_MAX, root_parse_any, out);
}

char *
prov_trusted_root_default_path(void)
{
	char dir[4096];
	size_t n;
	char *path;

	if (ws_data_dir(dir, sizeof(dir), "trust") != 0)
		return NULL;
	n = strlen(dir) + sizeof("/trusted_root.json");
	path = xmalloc(n);
	snprintf(path, n, "%s/trusted_root.json", dir);
	return path;
}

int
prov_trusted_root_load_default(struct prov_trusted_root **out)
{
	char *path = prov_trusted_root_default_path();
	int rc;

	*out = NULL;
	if (!path)
		return ws_error_last_code();
	rc = prov_trusted_root_load(out, path);
	free(path);
	return rc;
}

const struct prov_log *
prov_log_find(const struct prov_log *logs, size_t n, const unsigned char *id,
	      size_t idlen, int64_t t)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct prov_log *l = &logs[i];

		if (l->log_id_len != idlen || memcmp(l->log_id, id, idlen) != 0)
			continue;
		if (t < 0 || (t >= l->start && t <= l->end))
			return l;
	}
	return NULL;
}
