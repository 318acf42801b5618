/* timegm() is not in POSIX.1-2008 */
#define _DEFAULT_SOURCE
#include "prov/check.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "json/json.h"
#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * The inventory's registry packages are grouped by name; one packument
 * batch gives every locked version's dist (integrity, signatures, the
 * attestations URL) and the earlier versions of its history; one document
 * batch fetches the attestations the cache does not hold yet; each bundle
 * is verified once per (bundle digest, subject, trusted root, keys) and
 * the verdict cached; then every locked package is judged.
 */

#define CHECK_PATHS_PER_FINDING 4
#define CHECK_PATH_LEN 32
#define CHECK_EVIDENCE_MAX 12
#define CHECK_SIGS_MAX 16	/* dist.signatures entries looked at */
/* part of every verdict key: a new shape of cached verdicts starts afresh */
#define VERDICT_SCHEMA "wormsign-verdict/1"

enum prov_state {
	PROV_STATE_NONE,	/* no provenance announced */
	PROV_STATE_PUBLISH_ONLY,	/* attestations without provenance */
	PROV_STATE_VALID,
	PROV_STATE_INVALID,
	PROV_STATE_UNCHECKED,	/* could not be fetched: why says why */
};

struct sig {
	const char *keyid;
	const char *sig;
};

struct ver {
	const char *version;
	int locked;
	int listed;			/* the packument has the version */
	int have_dist;
	const char *integrity;		/* the packument's */
	const char *locked_integrity;	/* the lockfile's, when locked */
	int64_t published;		/* -1 when unknown */
	struct sig sigs[CHECK_SIGS_MAX];
	size_t nsigs;
	const char *att_url;		/* dist.attestations.url */
	char *att_body;			/* the response (malloc'd) */
	enum prov_state state;
	const char *why;		/* UNCHECKED, INVALID: the reason */
	enum prov_step step;		/* INVALID: the failing step */
	const char *bad_predicate;	/* INVALID: which attestation */
	struct prov_identity id;	/* VALID: the provenance identity */
	int verified;			/* attestations processed */
	size_t *earlier;		/* indices into the name's vers */
	size_t nearlier;
};

/* The registry keys one registry's packages are verified with. */
struct keyset {
	const char *url;		/* its /-/npm/v1/keys; "" for a file */
	const struct prov_keys *keys;	/* NULL: none */
	struct prov_keys *own;
	const char *digest;		/* of the document: verdict cache keys */
	const char *source;		/* "file", "registry", "cache", "none" */
};

struct name_ent {
	const char *name;
	size_t ks;		/* index of its keyset */
	struct ver *vers;
	size_t nvers, alloc;
	const char **want;	/* the locked versions */
	size_t nwant;
	int known;		/* a packument (or its cached subset) answered */
	const char *why;	/* when not known */
};

struct ctx {
	struct report *r;
	const struct prov_check_opts *o;
	struct prov_check_stats *st;
	struct mempool pool;
	struct name_ent *names;
	size_t nnames;
	struct keyset *keysets;
	size_t nkeysets;
	/* attestation fetches: which version of which name */
	struct fetch { struct name_ent *n; size_t v; char *url; char *key; } *fetches;
	size_t nfetches;
};

static const char *
pdup(struct ctx *c, const char *s)
{
	return s ? mempool_strdup(&c->pool, s) : NULL;
}

int64_t
prov_iso_seconds(const char *s)
{
	struct tm tm;
	int n = 0;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n < 19)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* out = lowercase hex of the 32 bytes at h */
static void
hex32(const unsigned char h[32], char out[65])
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = d[h[i] >> 4];
		out[2 * i + 1] = d[h[i] & 15];
	}
	out[64] = '\0';
}

void
prov_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char h[32];

	EVP_Digest(p, n, h, NULL, EVP_sha256(), NULL);
	hex32(h, out);
}

/* ---- collecting ---- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_ent *)a)->name,
		      ((const struct name_ent *)b)->name);
}

static struct name_ent *
find_name(struct ctx *c, const char *name)
{
	struct name_ent key;

	key.name = name;
	return bsearch(&key, c->names, c->nnames, sizeof(*c->names), name_cmp);
}

static struct ver *
find_ver(struct name_ent *n, const char *version)
{
	size_t i;

	for (i = 0; i < n->nvers; i++)
		if (strcmp(n->vers[i].version, version) == 0)
			return &n->vers[i];
	return NULL;
}

static size_t
add_ver(struct name_ent *n, const char *version, int locked)
{
	struct ver *v;

	xgrow((void **)&n->vers, &n->alloc, n->nvers + 1, sizeof(*n->vers));
	v = &n->vers[n->nvers];
	memset(v, 0, sizeof(*v));
	v->version = version;
	v->locked = locked;
	v->published = -1;
	return n->nvers++;
}

static const struct tree_node *
registry_node(const struct tree_pkg *pkg)
{
	size_t i;

	if (!pkg->name || !*pkg->name || !pkg->version || !*pkg->version)
		return NULL;
	for (i = 0; i < pkg->nlocs; i++) {
		const struct tree_node *n =
			&pkg->locs[i].tree->nodes[pkg->locs[i].node];

		if (tree_node_is_package(n))
			return n->source == TREE_SOURCE_REGISTRY ? n : NULL;
	}
	return NULL;
}

/* The first sha512 integrity any input locked for pkg, else any. */
static const char *
locked_integrity(const struct tree_pkg *pkg)
{
	const char *any = NULL;
	size_t i;

	for (i = 0; i < pkg->nlocs; i++) {
		const char *s = pkg->locs[i].tree->nodes[pkg->locs[i].node].integrity;

		if (!s)
			continue;
		if (!strncmp(s, "sha512-", 7))
			return s;
		if (!any)
			any = s;
	}
	return any;
}

static void
collect(struct ctx *c, const struct tree_inv *inv)
{
	size_t i, alloc = 0;
	struct name_ent *cur = NULL;

	for (i = 0; i < inv->npkgs; i++) {
		const struct tree_pkg *pkg = &inv->pkgs[i];
		size_t vi;

		if (!registry_node(pkg))
			continue;
		if (!cur || strcmp(cur->name, pkg->name) != 0) {
			xgrow((void **)&c->names, &alloc, c->nnames + 1,
			      sizeof(*c->names));
			cur = &c->names[c->nnames++];
			memset(cur, 0, sizeof(*cur));
			cur->name = pkg->name;
		}
		if (find_ver(cur, pkg->version))
			continue;
		vi = add_ver(cur, pkg->version, 1);
		cur->vers[vi].locked_integrity = locked_integrity(pkg);
	}
	if (c->nnames > 1)
		qsort(c->names, c->nnames, sizeof(*c->names), name_cmp);
}

/* ---- packuments ---- */

/*
 * Copies what verify needs of version's dist into v. A fetched packument
 * whose version has no dist has no signatures and no attestations; a
 * cached subset without dist (written by an older wormsign) says nothing.
 */
static void
read_dist(struct ctx *c, struct ver *v, const struct json_value *doc, int fetched)
{
	const struct json_value *vo = json_get(json_get(doc, "versions"), v->version);
	const struct json_value *dist = json_get(vo, "dist");
	const struct json_value *sigs, *att, *m;

	v->published = prov_iso_seconds(json_get_str(json_get(doc, "time"), v->version));
	v->listed = json_is(vo, JSON_OBJECT);
	if (!v->listed || (!json_is(dist, JSON_OBJECT) && !fetched))
		return;
	v->have_dist = 1;
	v->state = PROV_STATE_NONE;
	v->integrity = pdup(c, json_get_str(dist, "integrity"));
	sigs = json_get(dist, "signatures");
	for (m = json_is(sigs, JSON_ARRAY) ? sigs->u.first : NULL;
	     m && v->nsigs < CHECK_SIGS_MAX; m = m->next) {
		v->sigs[v->nsigs].keyid = pdup(c, json_get_str(m, "keyid"));
		v->sigs[v->nsigs].sig = pdup(c, json_get_str(m, "sig"));
		v->nsigs++;
	}
	att = json_get(dist, "attestations");
	if (json_is(att, JSON_OBJECT))
		v->att_url = pdup(c, json_get_str(att, "url"));
}

static void
on_packument(const char *name, enum registry_status status,
	     const struct json_value *doc, const char *error, void *payload)
{
	struct ctx *c = payload;
	struct name_ent *n = find_name(c, name);
	size_t i, j, nlocked;
	int fetched;

	if (!n)
		return;
	switch (status) {
	case REGISTRY_NOT_FOUND:
		n->why = "the registry does not know the package";
		return;
	case REGISTRY_FAILED:
		report_add_error(c->r, name, error ? error : "registry request failed");
		n->why = pdup(c, error ? error : "registry request failed");
		return;
	case REGISTRY_OFFLINE_MISSING:
		n->why = "offline and not in the cache";
		return;
	default:
		break;
	}
	if (!doc || !json_is(json_get(doc, "versions"), JSON_OBJECT)) {
		n->why = "the registry's document has no versions";
		return;
	}
	n->known = 1;
	fetched = status == REGISTRY_FETCHED;
	nlocked = n->nvers;
	for (i = 0; i < nlocked; i++) {
		const char **earlier;
		size_t ne;

		read_dist(c, &n->vers[i], doc, fetched);
		if (!c->o->history)
			continue;
		earlier = xcalloc(c->o->history, sizeof(*earlier));
		ne = prov_history_earlier(earlier, c->o->history,
					  json_get(doc, "time"),
					  json_get(doc, "versions"),
					  n->vers[i].version);
		n->vers[i].earlier = mempool_alloc(&c->pool, (ne + 1) * sizeof(size_t));
		for (j = 0; j < ne; j++) {
			struct ver *ev = find_ver(n, earlier[j]);
			size_t idx;

			if (ev) {
				idx = (size_t)(ev - n->vers);
			} else {
				idx = add_ver(n, mempool_strdup(&c->pool, earlier[j]), 0);
				read_dist(c, &n->vers[idx], doc, fetched);
				c->st->history_versions++;
			}
			n->vers[i].earlier[n->vers[i].nearlier++] = idx;
		}
		free(earlier);
	}
}

/* ---- registry keys ---- */

struct keys_answer {
	char *body;		/* 200 */
	int not_found;		/* 404: the registry publishes no keys */
};

static void
on_keys(size_t index, enum registry_status status, const char *body,
	size_t len, const char *error, void *payload)
{
	struct keys_answer *a = payload;

	if (status == REGISTRY_FETCHED)
		a->body = xstrndup(body, len);
	else if (status == REGISTRY_NOT_FOUND)
		a->not_found = 1;
	else if (status == REGISTRY_FAILED)
		ws_error_set(WS_ENET, "%s", error ? error : "keys request failed");
	(void)index;
}

/*
 * The keys of the registry at url (its /-/npm/v1/keys): cached while
 * fresh, else fetched. An empty cached document records that the
 * registry has none (a 404). Fills ks.
 */
static void
fetch_keys(struct ctx *c, struct keyset *ks, const char *url)
{
	struct registry_client *cl = c->o->client;
	struct registry_cache *cache = registry_client_cache(cl);
	struct keys_answer ans = { NULL, 0 };
	struct registry_get g;
	struct registry_stats rs;
	char *cached = NULL, digest[65], ukey[65];
	const char *use = NULL;
	int64_t at = 0, now = (int64_t)time(NULL);

	ks->digest = "none";
	ks->source = "none";
	/* the URL may carry credentials: the cache keeps its digest */
	prov_sha256_hex(url, strlen(url), ukey);
	if (cache && registry_cache_blob_get(cache, "keys", ukey, &cached, &at) < 0)
		ws_error_clear();
	if (cached && (registry_client_offline(cl) ||
		       (!registry_client_refresh(cl) && now - at < PROV_KEYS_TTL_S))) {
		use = cached;
		ks->source = "cache";
	} else if (!registry_client_offline(cl)) {
		g.url = url;
		g.label = "registry keys";
		ws_error_clear();
		memset(&rs, 0, sizeof(rs));
		if (registry_fetch_urls(cl, &g, 1, on_keys, &ans, &rs) < 0)
			ws_error_set(WS_ENET, "registry keys: %s", ws_error_last());
		c->st->documents.requests += rs.requests;
		c->st->documents.fetched += rs.fetched;
		c->st->documents.not_found += rs.not_found;
		c->st->documents.failed += rs.failed;
		if (ans.body || ans.not_found) {
			use = ans.body ? ans.body : "";
			ks->source = "registry";
			if (cache && registry_cache_blob_put(cache, "keys", ukey, use, now) < 0)
				ws_error_clear();
		} else if (ws_error_last_code() == WS_ENET) {
			report_add_error(c->r, "registry keys", ws_error_last());
			ws_error_clear();
			if (cached) {
				use = cached;
				ks->source = "cache";
			}
		}
	}
	if (use && *use) {
		if (prov_keys_parse(&ks->own, use, strlen(use), "registry keys") < 0) {
			report_add_error(c->r, "registry keys", ws_error_last());
			ws_error_clear();
			ks->source = "none";
		} else {
			ks->keys = ks->own;
			prov_sha256_hex(use, strlen(use), digest);
			ks->digest = mempool_strdup(&c->pool, digest);
		}
	} else if (use) {
		ks->source = "none";
	}
	free(cached);
	free(ans.body);
}

/*
 * The keys for package name: --registry-keys, else those of the registry
 * the name comes from (scoped registries publish their own, or none),
 * each registry's fetched once per run.
 */
static struct keyset *
keys_for(struct ctx *c, const char *name)
{
	struct keyset *ks;
	char *url = NULL;
	size_t i;

	if (c->o->keys) {
		if (!c->nkeysets) {
			c->keysets = xcalloc(1, sizeof(*c->keysets));
			c->nkeysets = 1;
			c->keysets[0].keys = c->o->keys;
			c->keysets[0].digest = c->o->keys_digest ? c->o->keys_digest : "given";
			c->keysets[0].source = "file";
		}
		return &c->keysets[0];
	}
	if (registry_doc_url(&url, c->o->client, name, "/-/npm/v1/keys") < 0) {
		ws_error_clear();
		url = xstrdup("");
	}
	for (i = 0; i < c->nkeysets; i++)
		if (strcmp(c->keysets[i].url, url) == 0) {
			free(url);
			return &c->keysets[i];
		}
	c->keysets = xreallocarray(c->keysets, c->nkeysets + 1, sizeof(*c->keysets));
	ks = &c->keysets[c->nkeysets++];
	memset(ks, 0, sizeof(*ks));
	ks->url = mempool_strdup(&c->pool, url);
	if (*url)
		fetch_keys(c, ks, url);
	else
		ks->digest = ks->source = "none";
	free(url);
	return ks;
}

/* ---- attestations ---- */

static void
on_attestations(size_t index, enum registry_status status, const char *body,
		size_t len, const char *error, void *payload)
{
	struct ctx *c = payload;
	struct fetch *f = &c->fetches[index];
	struct ver *v = &f->n->vers[f->v];
	struct registry_cache *cache = registry_client_cache(c->o->client);

	switch (status) {
	case REGISTRY_FETCHED:
		v->att_body = xstrndup(body, len);
		if (cache && registry_cache_blob_put(cache, "attestations", f->key,
						     v->att_body, (int64_t)time(NULL)) < 0)
			ws_error_clear();
		return;
	case REGISTRY_NOT_FOUND:
		v->state = PROV_STATE_INVALID;
		v->step = PROV_STEP_BUNDLE;
		v->why = "the packument announces attestations the registry does not serve (404)";
		return;
	case REGISTRY_FAILED:
		report_add_error(c->r, f->key, error ? error : "attestations request failed");
		v->state = PROV_STATE_UNCHECKED;
		v->why = pdup(c, error ? error : "the attestations could not be fetched");
		return;
	default:
		v->state = PROV_STATE_UNCHECKED;
		v->why = "offline and the attestations are not in the cache";
		return;
	}
}

static void
fetch_attestations(struct ctx *c)
{
	struct registry_client *cl = c->o->client;
	struct registry_cache *cache = registry_client_cache(cl);
	struct registry_get *gets = NULL;
	size_t i, j, alloc = 0;
	struct registry_stats rs;

	for (i = 0; i < c->nnames; i++) {
		struct name_ent *n = &c->names[i];

		for (j = 0; j < n->nvers; j++) {
			struct ver *v = &n->vers[j];
			char *key, *url = NULL;

			if (!v->att_url)
				continue;
			key = xmalloc(strlen(n->name) + strlen(v->version) + 2);
			memcpy(key, n->name, strlen(n->name));
			key[strlen(n->name)] = '@';
			memcpy(key + strlen(n->name) + 1, v->version, strlen(v->version) + 1);
			/* published attestations never change: the cache is final */
			if (cache && !registry_client_refresh(cl) &&
			    registry_cache_blob_get(cache, "attestations", key,
						    &v->att_body, NULL) == 0) {
				free(key);
				continue;
			}
			ws_error_clear();
			if (registry_doc_url(&url, cl, n->name, v->att_url) < 0) {
				v->state = PROV_STATE_INVALID;
				v->step = PROV_STEP_BUNDLE;
				v->why = pdup(c, ws_error_last());
				ws_error_clear();
				free(key);
				continue;
			}
			xgrow((void **)&c->fetches, &alloc, c->nfetches + 1,
			      sizeof(*c->fetches));
			c->fetches[c->nfetches].n = n;
			c->fetches[c->nfetches].v = j;
			c->fetches[c->nfetches].url = url;
			c->fetches[c->nfetches].key = key;
			c->nfetches++;
		}
	}
	if (!c->nfetches)
		return;
	gets = xcalloc(c->nfetches, sizeof(*gets));
	for (i = 0; i < c->nfetches; i++) {
		gets[i].url = c->fetches[i].url;
		gets[i].label = c->fetches[i].key;
	}
	memset(&rs, 0, sizeof(rs));
	if (registry_fetch_urls(cl, gets, c->nfetches, on_attestations, c, &rs) < 0) {
		report_add_error(c->r, "attestations", ws_error_last());
		ws_error_clear();
	}
	c->st->documents.requests += rs.requests;
	c->st->documents.fetched += rs.fetched;
	c->st->documents.not_found += rs.not_found;
	c->st->documents.failed += rs.failed;
	c->st->documents.offline += rs.offline;
	free(gets);
}

/* ---- verdicts, cached by what they depend on ---- */

/* field i of a prov_identity, writable */
#define ID_FIELD(id, i) \
	(*(const char **)((char *)(id) + prov_identity_fields[i].off))

/*
 * A cached result: of one bundle, or of all the attestations of one
 * version (then also its state, the failing predicate and how many
 * bundles it covered, so that a warm run parses none of them).
 */
struct verdict {
	enum prov_step step;
	const char *reason;
	struct prov_identity id;
	int state;		/* enum prov_state, -1 for a single bundle */
	const char *predicate;
	size_t bundles;
};

static void
add_jstr(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	char *tmp = xmalloc(JSON_ESCAPED_MAX(n));
	char *end = json_escape_to(tmp, s, n);

	strbuf_add(sb, tmp, (size_t)(end - tmp));
	free(tmp);
}

static char *
verdict_json(const struct verdict *v)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb, "{\"step\":%d,\"state\":%d,\"bundles\":%zu,\"reason\":",
		    (int)v->step, v->state, v->bundles);
	add_jstr(&sb, v->reason ? v->reason : "");
	if (v->predicate) {
		strbuf_addstr(&sb, ",\"predicate\":");
		add_jstr(&sb, v->predicate);
	}
	strbuf_addstr(&sb, ",\"id\":{");
	for (i = 0; i < PROV_IDENTITY_FIELDS; i++) {
		const char *s = ID_FIELD(&v->id, i);

		if (!s)
			continue;
		if (sb.buf[sb.len - 1] != '{')
			strbuf_addch(&sb, ',');
		add_jstr(&sb, prov_identity_fields[i].key);
		strbuf_addch(&sb, ':');
		add_jstr(&sb, s);
	}
	strbuf_addstr(&sb, "}}");
	return strbuf_detach(&sb, NULL);
}

/* Fills v from cached text (strings into the pool); 0 or -1. */
static int
verdict_parse(struct ctx *c, struct verdict *v, char *text)
{
	struct json_doc doc;
	const struct json_value *step, *id, *state, *nb;
	size_t i;
	long s, st;

	if (json_parse(&doc, text, strlen(text), "verdict", 0) < 0) {
		ws_error_clear();
		return -1;
	}
	step = json_get(doc.root, "step");
	state = json_get(doc.root, "state");
	nb = json_get(doc.root, "bundles");
	id = json_get(doc.root, "id");
	s = json_is(step, JSON_NUMBER) ? strtol(step->u.str, NULL, 10) : -1;
	st = json_is(state, JSON_NUMBER) ? strtol(state->u.str, NULL, 10) : -2;
	if (s < 0 || s >= PROV_STEP_COUNT || st < -1 || st > PROV_STATE_UNCHECKED ||
	    !json_is(nb, JSON_NUMBER) || !json_is(id, JSON_OBJECT)) {
		json_doc_release(&doc);
		return -1;
	}
	memset(v, 0, sizeof(*v));
	v->step = (enum prov_step)s;
	v->state = (int)st;
	v->bundles = (size_t)strtoul(nb->u.str, NULL, 10);
	v->reason = pdup(c, json_get_str(doc.root, "reason"));
	v->predicate = pdup(c, json_get_str(doc.root, "predicate"));
	for (i = 0; i < PROV_IDENTITY_FIELDS; i++)
		ID_FIELD(&v->id, i) = pdup(c, json_get_str(id, prov_identity_fields[i].key));
	json_doc_release(&doc);
	return 0;
}

/*
 * The cache key of a verdict: what was verified (a bundle's canonical
 * digest, or "att:" and the digest of a whole attestations response) and
 * everything the verdict depends on besides it.
 */
static void
verdict_key(struct ctx *c, const struct keyset *ks, const char *what,
	    const char *name, const char *version, const char *integrity,
	    char digest[65])
{
	const char *parts[7];
	unsigned char h[32];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t i;

	parts[0] = what;
	parts[1] = name;
	parts[2] = version;
	parts[3] = integrity ? integrity : "";
	parts[4] = c->o->root_digest ? c->o->root_digest : "";
	parts[5] = ks->digest;
	parts[6] = VERDICT_SCHEMA;
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	/* each part with its NUL: no two tuples hash the same bytes */
	for (i = 0; i < 7; i++)
		EVP_DigestUpdate(md, parts[i], strlen(parts[i]) + 1);
	EVP_DigestFinal_ex(md, h, NULL);
	EVP_MD_CTX_free(md);
	hex32(h, digest);
}

/* A cached verdict under key, or -1. */
static int
verdict_cached(struct ctx *c, const char *key, struct verdict *out)
{
	struct registry_cache *cache = registry_client_cache(c->o->client);
	char *text = NULL;
	int ret = -1;

	if (cache && registry_cache_blob_get(cache, "verdict", key, &text, NULL) == 0)
		ret = verdict_parse(c, out, text);
	ws_error_clear();
	free(text);
	return ret;
}

static void
verdict_store(struct ctx *c, const char *key, const struct verdict *v)
{
	struct registry_cache *cache = registry_client_cache(c->o->client);
	char *text;

	if (!cache)
		return;
	text = verdict_json(v);
	if (registry_cache_blob_put(cache, "verdict", key, text, (int64_t)time(NULL)) < 0)
		ws_error_clear();
	free(text);
}

/* The verdict of b for (name, version, integrity): cached or computed. */
static void
verdict_of(struct ctx *c, const struct keyset *ks, const struct prov_bundle *b,
	   const char *name, const char *version, const char *integrity,
	   struct verdict *out)
{
	struct prov_expect ex;
	struct prov_verdict pv;
	char digest[65];
	size_t i;

	verdict_key(c, ks, prov_bundle_digest(b), name, version, integrity, digest);
	if (verdict_cached(c, digest, out) == 0 && out->state == -1) {
		c->st->bundles_cached++;
		return;
	}

	memset(&ex, 0, sizeof(ex));
	ex.name = name;
	ex.version = version;
	ex.integrity = integrity;
	prov_verdict_init(&pv);
	prov_bundle_verify(b, c->o->root, ks->keys, &ex, &pv);
	c->st->bundles_verified++;
	memset(out, 0, sizeof(*out));
	out->state = -1;
	out->step = pv.step;
	out->reason = pdup(c, pv.reason);
	for (i = 0; i < PROV_IDENTITY_FIELDS; i++)
		ID_FIELD(&out->id, i) = pdup(c, prov_identity_field(&pv.id, i));
	prov_verdict_release(&pv);
	verdict_store(c, digest, out);
}

static int
is_provenance(const char *predicate_type)
{
	return predicate_type && !strncmp(predicate_type, "https://slsa.dev/provenance/", 28);
}

/* Every attestation of v must pass; the provenance one gives the identity. */
static void
verify_ver(struct ctx *c, struct name_ent *n, struct ver *v)
{
	struct prov_attestations atts;
	const char *integrity = v->integrity;
	struct verdict whole;
	char what[70], key[65];
	int have_prov = 0;
	size_t i, examined = 0;

	if (!v->att_body)
		return;
	/* the subject must be what is locked, when a sha512 is locked */
	if (v->locked && v->locked_integrity && !strncmp(v->locked_integrity, "sha512-", 7))
		integrity = v->locked_integrity;
	/* a response seen before: its result, without parsing a bundle */
	memcpy(what, "att:", 4);
	prov_sha256_hex(v->att_body, strlen(v->att_body), what + 4);
	verdict_key(c, &c->keysets[n->ks], what, n->name, v->version, integrity, key);
	if (verdict_cached(c, key, &whole) == 0 &&
	    (whole.state == PROV_STATE_VALID || whole.state == PROV_STATE_INVALID ||
	     whole.state == PROV_STATE_PUBLISH_ONLY)) {
		v->state = (enum prov_state)whole.state;
		v->step = whole.step;
		v->why = whole.reason;
		v->bad_predicate = whole.predicate;
		v->id = whole.id;
		c->st->bundles_cached += whole.bundles;
		return;
	}
	if (prov_attestations_parse(&atts, v->att_body, strlen(v->att_body),
				    mempool_printf(&c->pool, "%s@%s attestations",
						   n->name, v->version)) < 0) {
		v->state = PROV_STATE_INVALID;
		v->step = PROV_STEP_BUNDLE;
		v->why = pdup(c, ws_error_last());
		ws_error_clear();
		prov_attestations_release(&atts);
		return;
	}
	v->state = PROV_STATE_PUBLISH_ONLY;
	if (atts.count == 0) {
		v->state = PROV_STATE_INVALID;
		v->step = PROV_STEP_BUNDLE;
		v->why = "the attestations response lists no attestation";
	}
	for (i = 0; i < atts.count && v->state != PROV_STATE_INVALID; i++) {
		const struct prov_attestation *a = &atts.items[i];
		struct verdict vd;

		if (!a->bundle) {
			v->state = PROV_STATE_INVALID;
			v->step = PROV_STEP_BUNDLE;
			v->why = pdup(c, a->error ? a->error : "malformed bundle");
			v->bad_predicate = pdup(c, a->predicate_type);
			break;
		}
		verdict_of(c, &c->keysets[n->ks], a->bundle, n->name, v->version,
			   integrity, &vd);
		examined++;
		if (vd.step != PROV_STEP_OK) {
			v->state = PROV_STATE_INVALID;
			v->step = vd.step;
			v->why = vd.reason;
			v->bad_predicate = pdup(c, a->predicate_type);
			break;
		}
		if (is_provenance(a->predicate_type) ||
		    is_provenance(vd.id.predicate_type)) {
			have_prov = 1;
			v->id = vd.id;
		}
	}
	if (v->state != PROV_STATE_INVALID)
		v->state = have_prov ? PROV_STATE_VALID : PROV_STATE_PUBLISH_ONLY;
	memset(&whole, 0, sizeof(whole));
	whole.state = (int)v->state;
	whole.step = v->state == PROV_STATE_INVALID ? v->step : PROV_STEP_OK;
	whole.reason = v->why;
	whole.predicate = v->bad_predicate;
	whole.id = v->id;
	whole.bundles = examined;
	verdict_store(c, key, &whole);
	prov_attestations_release(&atts);
}

/* ---- findings ---- */

struct check_finding {
	const char *kind;
	enum report_severity severity;
	const char *message;
	const char *remediation;
	struct report_evidence ev[CHECK_EVIDENCE_MAX];
	size_t nev;
};

static void
ev_add(struct check_finding *f, const char *key, const char *value)
{
	if (!value || f->nev >= CHECK_EVIDENCE_MAX)
		return;
	f->ev[f->nev].key = key;
	f->ev[f->nev++].value = value;
}

/* Adds f once for every input pkg is in, with its paths there. */
static void
emit(struct ctx *c, const struct tree_pkg *pkg, const struct check_finding *cf)
{
	size_t i, j;

	for (i = 0; i < pkg->nlocs; i++) {
		const struct tree *t = pkg->locs[i].tree;
		struct report_path paths[CHECK_PATHS_PER_FINDING];
		const struct tree_node *first = NULL;
		struct report_finding f;
		size_t np = 0;
		int seen = 0;

		for (j = 0; j < i && !seen; j++)
			seen = pkg->locs[j].tree == t;
		if (seen)
			continue;
		for (j = i; j < pkg->nlocs; j++) {
			const struct tree_node *n = &t->nodes[pkg->locs[j].node];

			if (pkg->locs[j].tree != t || !tree_node_is_package(n))
				continue;
			if (!first)
				first = n;
			if (np < CHECK_PATHS_PER_FINDING) {
				report_path_of(&c->pool, t, pkg->locs[j].node,
					       CHECK_PATH_LEN, &paths[np]);
				np += paths[np].n ? 1 : 0;
			}
		}
		if (!first)
			continue;
		memset(&f, 0, sizeof(f));
		f.id = mempool_printf(&c->pool, "%s:%s@%s", cf->kind, pkg->name,
				      pkg->version);
		f.kind = cf->kind;
		f.severity = cf->severity;
		f.target = t->file;
		f.package_name = pkg->name;
		f.package_version = pkg->version;
		f.paths = paths;
		f.npaths = np;
		f.file = t->file;
		f.line = first->line;
		f.message = cf->message;
		f.remediation = cf->remediation;
		f.feed = "verify";
		f.evidence = (struct report_evidence *)cf->ev;
		f.nevidence = cf->nev;
		report_add(c->r, &f);
	}
}

static void
add_identity(struct check_finding *f, const struct prov_identity *id)
{
	ev_add(f, "source_repository", id->source_repo);
	ev_add(f, "workflow", id->workflow_path);
	ev_add(f, "workflow_ref", id->workflow_ref);
	ev_add(f, "trigger", id->trigger);
	ev_add(f, "runner_environment", id->runner_env);
	ev_add(f, "source_commit", id->source_commit);
	ev_add(f, "builder_id", id->builder_id);
}

static void
judge_signatures(struct ctx *c, const struct tree_pkg *pkg, struct name_ent *n,
		 struct ver *v, const char *label)
{
	const struct keyset *ks = &c->keysets[n->ks];
	struct check_finding cf;
	const char *integrity = v->integrity;
	size_t i;

	if (v->locked_integrity && !strncmp(v->locked_integrity, "sha512-", 7))
		integrity = v->locked_integrity;
	memset(&cf, 0, sizeof(cf));
	if (v->nsigs == 0) {
		if (!ks->keys || prov_keys_count(ks->keys) == 0)
			return;
		c->st->sig_missing++;
		cf.kind = "signature-missing";
		cf.severity = REPORT_MEDIUM;
		cf.message = mempool_printf(&c->pool,
			"%s has no registry signature, though the registry publishes signing keys",
			label);
		cf.remediation = "Check whether a mirror stripped the signatures, or "
				 "the version was published around the registry.";
		ev_add(&cf, "registry", c->o->registry);
		emit(c, pkg, &cf);
		return;
	}
	if (!ks->keys) {
		c->st->sig_unchecked++;
		return;
	}
	for (i = 0; i < v->nsigs; i++) {
		struct prov_verdict pv;
		struct verdict good;
		char key[65];
		int bad;

		if (!integrity || !v->sigs[i].keyid || !v->sigs[i].sig) {
			bad = 1;
			prov_verdict_init(&pv);
		} else {
			/* a signature that verified once is not verified again */
			char *what = mempool_printf(&c->pool, "sig:%lld:%s:%s",
						    (long long)v->published,
						    v->sigs[i].keyid, v->sigs[i].sig);

			verdict_key(c, ks, what, n->name, v->version, integrity, key);
			if (verdict_cached(c, key, &good) == 0 &&
			    good.state == PROV_STATE_VALID && good.step == PROV_STEP_OK)
				continue;
			prov_verdict_init(&pv);
			bad = prov_registry_sig_verify(ks->keys, n->name, v->version,
						       integrity, v->sigs[i].keyid,
						       v->sigs[i].sig, v->published,
						       &pv) != 0;
			if (!bad) {
				memset(&good, 0, sizeof(good));
				good.state = PROV_STATE_VALID;
				verdict_store(c, key, &good);
			}
		}
		if (bad) {
			const char *step = pv.step != PROV_STEP_OK ? prov_step_name(pv.step)
								   : "bundle";
			const char *why = pv.reason[0] ? pdup(c, pv.reason)
							: "the signature entry is incomplete";

			c->st->sig_invalid++;
			cf.kind = "signature-invalid";
			cf.severity = REPORT_HIGH;
			cf.message = mempool_printf(&c->pool,
				"%s: the registry signature fails at %s: %s", label,
				step, why);
			cf.remediation = "Do not install it: the registry did not sign "
					 "this integrity with a valid key.";
			ev_add(&cf, "step", step);
			ev_add(&cf, "keyid", pdup(c, v->sigs[i].keyid));
			ev_add(&cf, "integrity", integrity);
			ev_add(&cf, "registry", c->o->registry);
			emit(c, pkg, &cf);
			prov_verdict_release(&pv);
			return;
		}
		prov_verdict_release(&pv);
	}
	c->st->sig_verified++;
}

/* The earlier versions of v with verified provenance. */
static size_t
earlier_valid(struct name_ent *n, const struct ver *v,
	      const struct prov_identity **out, const char **vers)
{
	size_t i, k = 0;

	for (i = 0; i < v->nearlier; i++) {
		const struct ver *e = &n->vers[v->earlier[i]];

		if (e->state != PROV_STATE_VALID)
			continue;
		vers[k] = e->version;
		out[k++] = &e->id;
	}
	return k;
}

static void
judge_provenance(struct ctx *c, const struct tree_pkg *pkg, struct name_ent *n,
		 struct ver *v, const char *label)
{
	const struct prov_identity **earlier =
		xcalloc(v->nearlier + 1, sizeof(*earlier));
	const char **evers = xcalloc(v->nearlier + 1, sizeof(*evers));
	size_t ne = earlier_valid(n, v, earlier, evers), i;
	struct check_finding cf;
	const char *where = NULL, *want = NULL;
	enum prov_field field;
	unsigned drift;
	int f;

	memset(&cf, 0, sizeof(cf));
	switch (v->state) {
	case PROV_STATE_UNCHECKED:
		c->st->att_unchecked++;
		break;
	case PROV_STATE_INVALID:
		c->st->att_invalid++;
		cf.kind = "provenance-invalid";
		cf.severity = REPORT_HIGH;
		cf.message = mempool_printf(&c->pool,
			"%s: the %s attestation fails at %s: %s", label,
			v->bad_predicate && !is_provenance(v->bad_predicate) ? "publish"
									 : "provenance",
			prov_step_name(v->step), v->why ? v->why : "");
		cf.remediation = "Do not install it: its attestation does not prove "
				 "what it claims.";
		ev_add(&cf, "step", prov_step_name(v->step));
		ev_add(&cf, "predicate_type", v->bad_predicate);
		ev_add(&cf, "registry", c->o->registry);
		emit(c, pkg, &cf);
		break;
	case PROV_STATE_NONE:
	case PROV_STATE_PUBLISH_ONLY:
		c->st->att_missing++;
		if (ne) {
			c->st->dropped++;
			cf.kind = "provenance-dropped";
			cf.severity = REPORT_HIGH;
			cf.message = mempool_printf(&c->pool,
				"%s has no provenance, but the earlier version %s had it (from %s)",
				label, evers[0],
				earlier[0]->source_repo ? earlier[0]->source_repo : "?");
			cf.remediation = "Treat it as published outside the project's "
					 "release pipeline (a stolen token) until the "
					 "maintainers confirm it.";
			ev_add(&cf, "earlier_version", evers[0]);
			add_identity(&cf, earlier[0]);
		} else if (prov_policy_requires(c->o->policy, n->name, &where)) {
			c->st->policy++;
			cf.kind = "provenance-missing";
			cf.severity = REPORT_HIGH;
			cf.message = mempool_printf(&c->pool,
				"%s has no provenance, which %s requires", label, where);
			cf.remediation = "Pin a version with provenance or change the policy.";
			ev_add(&cf, "policy", where);
		} else {
			cf.kind = "provenance-missing";
			cf.severity = REPORT_INFO;
			cf.message = mempool_printf(&c->pool, "%s has no provenance attestation",
						    label);
			cf.remediation = "Nothing ties it to a source commit and a build.";
		}
		ev_add(&cf, "registry", c->o->registry);
		emit(c, pkg, &cf);
		break;
	case PROV_STATE_VALID:
		c->st->att_verified++;
		drift = prov_history_drift(&v->id, earlier, ne);
		for (f = 0; f < PROV_FIELD_COUNT; f++)
			if ((drift & (1u << f)) &&
			    prov_policy_vouches(c->o->policy, n->name, (enum prov_field)f,
						prov_field_value(&v->id, (enum prov_field)f)))
				drift &= ~(1u << f);
		if (drift) {
			struct strbuf what;

			c->st->drift++;
			strbuf_init(&what, (size_t)-1);
			for (f = 0; f < PROV_FIELD_COUNT; f++) {
				const char *seen = NULL;

				if (!(drift & (1u << f)))
					continue;
				for (i = 0; i < ne && !seen; i++)
					seen = prov_field_value(earlier[i], (enum prov_field)f);
				strbuf_addf(&what, "%s%s %s (earlier: %s)", what.len ? ", " : "",
					    prov_field_name((enum prov_field)f),
					    prov_field_value(&v->id, (enum prov_field)f),
					    seen ? seen : "?");
			}
			cf.kind = "provenance-drift";
			cf.severity = REPORT_HIGH;
			cf.message = mempool_printf(&c->pool,
				"%s was built differently from its %zu earlier version%s with provenance: %s",
				label, ne, ne == 1 ? "" : "s", what.buf);
			cf.remediation = "Valid provenance from a new workflow or trigger is "
					 "how a stolen CI token looks: confirm the release with "
					 "the maintainers before installing it.";
			strbuf_release(&what);
			add_identity(&cf, &v->id);
			ev_add(&cf, "earlier_version", evers[0]);
			ev_add(&cf, "earlier_workflow", earlier[0]->workflow_path);
			ev_add(&cf, "earlier_trigger", earlier[0]->trigger);
			emit(c, pkg, &cf);
		}
		if (prov_policy_pins(c->o->policy, n->name, &v->id, &field, &want, &where)) {
			const char *have = prov_field_value(&v->id, field);

			memset(&cf, 0, sizeof(cf));
			c->st->policy++;
			cf.kind = "provenance-policy";
			cf.severity = REPORT_HIGH;
			cf.message = mempool_printf(&c->pool,
				"%s: %s is %s, but %s pins %s", label, prov_field_name(field),
				have ? have : "unknown", where, want);
			cf.remediation = "Do not install it unless the project really moved; "
					 "then update the policy.";
			ev_add(&cf, "policy", where);
			ev_add(&cf, "field", prov_field_name(field));
			ev_add(&cf, "expected", want);
			add_identity(&cf, &v->id);
			emit(c, pkg, &cf);
		}
		break;
	}
	free(earlier);
	free(evers);
}

static void
judge(struct ctx *c, const struct tree_pkg *pkg)
{
	struct name_ent *n;
	struct ver *v;
	const char *label;

	if (!registry_node(pkg) || !(n = find_name(c, pkg->name)) ||
	    !(v = find_ver(n, pkg->version)) || !v->locked)
		return;
	label = mempool_printf(&c->pool, "%s@%s", pkg->name, pkg->version);
	if (!n->known || !v->have_dist) {
		if (n->known)
			report_add_error(c->r, label, mempool_printf(&c->pool,
				v->listed ? "%s: the cache holds no dist for this version: not verified"
					  : "%s: the registry does not list this version: not verified",
				label));
		c->st->sig_unchecked++;
		c->st->att_unchecked++;
		return;
	}
	judge_signatures(c, pkg, n, v, label);
	judge_provenance(c, pkg, n, v, label);
}

/* ---- the check ---- */

int
prov_check(struct report *r, const struct tree_inv *inv,
	   const struct prov_check_opts *o, struct prov_check_stats *stats)
{
	struct ctx c;
	struct prov_check_stats local;
	struct registry_want *wants = NULL;
	struct registry_cache *cache;
	size_t i, j, answered, locked = 0;
	int err = 0;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.o = o;
	c.st = stats;
	mempool_init(&c.pool, 16384);
	for (i = 0; i < inv->ntrees; i++)
		report_add_target(r, inv->trees[i]->file);
	collect(&c, inv);
	stats->names = c.nnames;
	if (c.nnames) {
		wants = xcalloc(c.nnames, sizeof(*wants));
		for (i = 0; i < c.nnames; i++) {
			struct name_ent *n = &c.names[i];

			n->want = mempool_alloc(&c.pool, n->nvers * sizeof(*n->want));
			for (j = 0; j < n->nvers; j++)
				n->want[j] = n->vers[j].version;
			n->nwant = n->nvers;
			locked += n->nvers;
			wants[i].name = n->name;
			wants[i].versions = n->want;
			wants[i].nversions = n->nwant;
		}
		stats->packages = locked;
		if (registry_fetch_packuments(o->client, wants, c.nnames, on_packument,
					      &c, &stats->packuments)) {
			err = ws_error_set(WS_ENET, "registry: %s", ws_error_last());
			goto done;
		}
		answered = stats->packuments.fetched + stats->packuments.revalidated +
			   stats->packuments.cached + stats->packuments.not_found +
			   stats->packuments.offline;
		if (stats->packuments.failed && !answered) {
			err = ws_error_set(WS_ENET,
					   "the registry could not be used: every request failed");
		}
	}
	/* each name's registry keys; the counts show the default registry's */
	for (i = 0; i < c.nnames; i++)
		c.names[i].ks = (size_t)(keys_for(&c, c.names[i].name) - c.keysets);
	if (c.nnames) {
		const struct keyset *ks = keys_for(&c, NULL);

		stats->keys_source = ks->source;
		stats->nkeys = ks->keys ? prov_keys_count(ks->keys) : 0;
	}
	fetch_attestations(&c);
	/* the verdicts written below go to the cache in one transaction */
	cache = registry_client_cache(o->client);
	if (cache && registry_cache_begin(cache) < 0)
		ws_error_clear();
	for (i = 0; i < c.nnames; i++)
		for (j = 0; j < c.names[i].nvers; j++)
			verify_ver(&c, &c.names[i], &c.names[i].vers[j]);
	for (i = 0; i < inv->npkgs; i++)
		judge(&c, &inv->pkgs[i]);
	if (cache && registry_cache_commit(cache) < 0) {
		report_add_error(r, "cache", ws_error_last());
		ws_error_clear();
	}
done:
	for (i = 0; i < c.nnames; i++) {
		for (j = 0; j < c.names[i].nvers; j++)
			free(c.names[i].vers[j].att_body);
		free(c.names[i].vers);
	}
	for (i = 0; i < c.nfetches; i++) {
		free(c.fetches[i].url);
		free(c.fetches[i].key);
	}
	free(c.fetches);
	free(c.names);
	free(wants);
	for (i = 0; i < c.nkeysets; i++)
		prov_keys_free(c.keysets[i].own);
	free(c.keysets);
	/* the strings the caller's stats point at live in the report now */
	stats->keys_source = stats->keys_source ? stats->keys_source : "none";
	mempool_release(&c.pool);
	return err;
}
