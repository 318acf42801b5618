#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "prov/check.h"
#include "prov/prov.h"
#include "report/report.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct cli_verify {
	struct prov_trusted_root *root;
	char *root_path;
	char root_digest[65];
	struct prov_keys *keys;
	char keys_digest[65];
	struct prov_policy *policy;
	unsigned history;
	struct prov_check_stats total;
	const char *keys_source;
	size_t nkeys;
};

/* Reads path (at most max bytes) into sb and its digest; an exit code. */
static int
read_doc(struct strbuf *sb, const char *path, size_t max, char digest[65],
	 const char *what)
{
	int err;

	strbuf_init(sb, max);
	if ((err = strbuf_read_file(sb, path, 0)) < 0) {
		cli_error("%s: %s", what, ws_error_last());
		return cli_exit_for(err);
	}
	prov_sha256_hex(sb->buf, sb->len, digest);
	return 0;
}

char *
cli_verify_root_path(const char *given)
{
	return given ? xstrdup(given) : prov_trusted_root_default_path();
}

void
cli_verify_free(struct cli_verify *v)
{
	if (!v)
		return;
	prov_trusted_root_free(v->root);
	prov_keys_free(v->keys);
	prov_policy_free(v->policy);
	free(v->root_path);
	free(v);
}

int
cli_verify_load(struct cli_verify **out, const struct cli_verify_opts *o)
{
	struct cli_verify *v = xcalloc(1, sizeof(*v));
	struct strbuf sb;
	int code = 0, err;

	*out = NULL;
	strbuf_init(&sb, 1);
	v->history = o->history;
	v->keys_source = "none";
	if (!(v->root_path = cli_verify_root_path(o->trusted_root))) {
		cli_error("no bundled trusted root: %s (pass --trusted-root FILE)",
			  ws_error_last());
		code = WS_EXIT_USAGE;
		goto done;
	}
	if ((code = read_doc(&sb, v->root_path, PROV_DOC_MAX, v->root_digest,
			     "--trusted-root")))
		goto done;
	if ((err = prov_trusted_root_parse(&v->root, sb.buf, sb.len, v->root_path))) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
	strbuf_release(&sb);
	if (o->registry_keys) {
		if ((code = read_doc(&sb, o->registry_keys, PROV_DOC_MAX,
				     v->keys_digest, "--registry-keys")))
			goto done;
		if ((err = prov_keys_parse(&v->keys, sb.buf, sb.len, o->registry_keys))) {
			cli_error("%s", ws_error_last());
			code = cli_exit_for(err);
			goto done;
		}
		strbuf_release(&sb);
	}
	if (o->policy && (err = prov_policy_load(&v->policy, o->policy))) {
		cli_error("--policy: %s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
done:
	strbuf_release(&sb);
	if (code)
		cli_verify_free(v);
	else
		*out = v;
	return code;
}

int
cli_verify_run(struct cli_verify *v, struct report *r,
	       const struct tree_inv *inv, struct registry_client *client,
	       const char *shown)
{
	struct prov_check_opts o;
	struct prov_check_stats st;
	struct prov_check_stats *t = &v->total;
	int err, code = 0;

	memset(&o, 0, sizeof(o));
	o.client = client;
	o.root = v->root;
	o.root_digest = v->root_digest;
	o.keys = v->keys;
	o.keys_digest = v->keys ? v->keys_digest : NULL;
	o.history = v->history;
	o.policy = v->policy;
	o.registry = shown;
	if ((err = prov_check(r, inv, &o, &st))) {
		cli_error("%s", ws_error_last());
		code = cli_worse(WS_EXIT_FAILURE, cli_exit_for(err));
	}
	t->packages += st.packages;
	t->names += st.names;
	t->sig_verified += st.sig_verified;
	t->sig_invalid += st.sig_invalid;
	t->sig_missing += st.sig_missing;
	t->sig_unchecked += st.sig_unchecked;
	t->att_verified += st.att_verified;
	t->att_invalid += st.att_invalid;
	t->att_missing += st.att_missing;
	t->att_unchecked += st.att_unchecked;
	t->dropped += st.dropped;
	t->drift += st.drift;
	t->policy += st.policy;
	t->bundles_verified += st.bundles_verified;
	t->bundles_cached += st.bundles_cached;
	t->history_versions += st.history_versions;
	cli_registry_stats_add(&t->packuments, &st.packuments);
	cli_registry_stats_add(&t->documents, &st.documents);
	v->keys_source = st.keys_source;
	v->nkeys = st.nkeys;
	return code;
}

static void
kv_size(struct json_writer *w, const char *key, size_t n)
{
	jsonw_kv_int(w, key, (long long)n);
}

static int
section_json(struct json_writer *w, void *ctx)
{
	struct cli_verify *v = ctx;
	const struct prov_check_stats *t = &v->total;

	jsonw_object_begin(w);
	kv_size(w, "packages", t->packages);
	kv_size(w, "verified_signatures", t->sig_verified);
	kv_size(w, "verified_attestations", t->att_verified);
	kv_size(w, "missing", t->sig_missing + t->att_missing);
	kv_size(w, "invalid", t->sig_invalid + t->att_invalid);
	jsonw_key(w, "signatures");
	jsonw_object_begin_inline(w);
	kv_size(w, "verified", t->sig_verified);
	kv_size(w, "invalid", t->sig_invalid);
	kv_size(w, "missing", t->sig_missing);
	kv_size(w, "unchecked", t->sig_unchecked);
	jsonw_object_end(w);
	jsonw_key(w, "attestations");
	jsonw_object_begin_inline(w);
	kv_size(w, "verified", t->att_verified);
	kv_size(w, "invalid", t->att_invalid);
	kv_size(w, "missing", t->att_missing);
	kv_size(w, "unchecked", t->att_unchecked);
	jsonw_object_end(w);
	jsonw_key(w, "history");
	jsonw_object_begin_inline(w);
	kv_size(w, "versions", t->history_versions);
	kv_size(w, "dropped", t->dropped);
	kv_size(w, "drift", t->drift);
	kv_size(w, "policy", t->policy);
	jsonw_object_end(w);
	jsonw_key(w, "bundles");
	jsonw_object_begin_inline(w);
	kv_size(w, "verified", t->bundles_verified);
	kv_size(w, "cached", t->bundles_cached);
	jsonw_object_end(w);
	jsonw_key(w, "keys");
	jsonw_object_begin_inline(w);
	jsonw_kv_string(w, "source", v->keys_source ? v->keys_source : "none");
	kv_size(w, "count", v->nkeys);
	jsonw_object_end(w);
	jsonw_kv_string(w, "trusted_root", v->root_path);
	kv_size(w, "requests", t->packuments.requests + t->documents.requests);
	jsonw_object_end(w);
	return w->error ? WS_EIO : 0;
}

static int
section_text(FILE *fp, void *ctx, int color)
{
	const struct cli_verify *v = ctx;
	const struct prov_check_stats *t = &v->total;

	(void)color;
	fprintf(fp, "\nverify: %zu package%s: signatures %zu verified, %zu invalid, "
		"%zu missing, %zu unchecked; attestations %zu verified, %zu invalid, "
		"%zu missing, %zu unchecked\n",
		t->packages, t->packages == 1 ? "" : "s", t->sig_verified,
		t->sig_invalid, t->sig_missing, t->sig_unchecked, t->att_verified,
		t->att_invalid, t->att_missing, t->att_unchecked);
	fprintf(fp, "  history: %zu earlier versions, %zu dropped, %zu drift, "
		"%zu policy; bundles: %zu verified, %zu from the cache; keys: %s (%zu)\n",
		t->history_versions, t->dropped, t->drift, t->policy,
		t->bundles_verified, t->bundles_cached,
		v->keys_source ? v->keys_source : "none", v->nkeys);
	return ferror(fp) ? WS_EIO : 0;
}

static int
section_markdown(FILE *fp, void *ctx)
{
	const struct cli_verify *v = ctx;
	const struct prov_check_stats *t = &v->total;

	fprintf(fp, "\n## Verify\n\n"
		"| | verified | invalid | missing | unchecked |\n"
		"| --- | ---: | ---: | ---: | ---: |\n"
		"| signatures | %zu | %zu | %zu | %zu |\n"
		"| attestations | %zu | %zu | %zu | %zu |\n\n"
		"History: %zu earlier versions, %zu dropped, %zu drift, %zu policy. "
		"Bundles: %zu verified, %zu from the cache. Keys: %s (%zu).\n",
		t->sig_verified, t->sig_invalid, t->sig_missing, t->sig_unchecked,
		t->att_verified, t->att_invalid, t->att_missing, t->att_unchecked,
		t->history_versions, t->dropped, t->drift, t->policy,
		t->bundles_verified, t->bundles_cached,
		v->keys_source ? v->keys_source : "none", v->nkeys);
	return ferror(fp) ? WS_EIO : 0;
}

void
cli_verify_section(struct cli_verify *v, struct report *r)
{
	struct report_section s;

	memset(&s, 0, sizeof(s));
	s.key = "verify";
	s.json = section_json;
	s.text = section_text;
	s.markdown = section_markdown;
	s.ctx = v;
	report_add_section(r, &s);
}

void
cli_verify_note(const struct cli_verify *v)
{
	const struct prov_check_stats *t = &v->total;

	cli_note("verified %zu package versions: signatures %zu verified, %zu invalid, %zu missing; attestations %zu verified, %zu invalid, %zu missing; bundles %zu verified, %zu from the cache; %zu requests",
		 t->packages, t->sig_verified, t->sig_invalid, t->sig_missing,
		 t->att_verified, t->att_invalid, t->att_missing,
		 t->bundles_verified, t->bundles_cached,
		 t->packuments.requests + t->documents.requests);
}
