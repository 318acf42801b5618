#include "registry/registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ws_config.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define BACKOFF_MAX_MS 30000
#define REDIRS_MAX 5
#define POLL_MAX_MS 1000
#define ERROR_MAX 1024

struct registry_client {
	const struct registry_options *o;
	CURLM *multi;
	unsigned jobs;
	int retries;
	unsigned backoff_base_ms;
	unsigned retry_after_max_s;
	size_t doc_max;
	long connect_timeout_ms;
	long timeout_ms;	/* 0: none */
	long stall_s;
	uint64_t rng;
};

/* The cached subset of a packument, parsed: {"time":{...},"versions":{...}}. */
struct slim {
	char *text;
	struct json_doc doc;
	int parsed;
	int has_dist;	/* versions carry the cached dist subset */
	struct registry_cache_entry entry;
};

#define DIST_DEPTH_MAX 6	/* signatures[].{keyid,sig}, attestations.provenance */

struct transfer {
	struct registry_client *client;
	const struct registry_want *want;	/* packument batches */
	const struct registry_get *get;		/* document batches */
	size_t index;				/* of get */
	const char *label;			/* for messages */
	char *url;
	char *shown;	/* url without user:password@, for messages */
	CURL *easy;
	struct curl_slist *headers;
	struct strbuf body;
	char *etag;
	char *last_modified;
	long retry_after_ms;	/* -1: none */
	int overflow;
	int attempt;		/* attempts made so far */
	int64_t ready_at;	/* monotonic ms at which a retry may start */
	struct slim cached;
	struct transfer *next;	/* in the retry queue or the active list */
	char errbuf[CURL_ERROR_SIZE];
};

struct batch {
	struct registry_client *client;
	registry_cb cb;
	registry_get_cb get_cb;	/* set for document batches */
	void *payload;
	struct registry_stats *stats;
};

void
registry_options_init(struct registry_options *o)
{
	memset(o, 0, sizeof(*o));
	o->retries = -1;
}

const char *
registry_status_name(enum registry_status s)
{
	switch (s) {
	case REGISTRY_FETCHED: return "fetched";
	case REGISTRY_REVALIDATED: return "revalidated";
	case REGISTRY_CACHED: return "cached";
	case REGISTRY_NOT_FOUND: return "not found";
	case REGISTRY_FAILED: return "failed";
	case REGISTRY_OFFLINE_STALE: return "offline, cache incomplete";
	case REGISTRY_OFFLINE_MISSING: return "offline, not cached";
	}
	return "unknown";
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t
next_random(struct registry_client *c)
{
	/* xorshift64: jitter only needs to spread clients apart */
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static int
is_http_url(const char *s)
{
	return s && (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8)) &&
	       !strpbrk(s, " \t\r\n");
}

int
registry_client_new(struct registry_client **out,
		    const struct registry_options *o)
{
	struct registry_client *c = NULL;
	long stall;
	int ret = 0;

	*out = NULL;
	if (!is_http_url(o->registry)) {
		ret = ws_error_set(WS_ERROR, "registry URL '%s' is not an http(s) URL",
				   o->registry ? o->registry : "");
		goto done;
	}
	c = xcalloc(1, sizeof(*c));
	c->o = o;
	c->jobs = o->jobs ? o->jobs : REGISTRY_JOBS_DEFAULT;
	if (c->jobs > REGISTRY_JOBS_MAX)
		c->jobs = REGISTRY_JOBS_MAX;
	c->retries = o->retries < 0 ? REGISTRY_RETRIES_DEFAULT : o->retries;
	if (c->retries > REGISTRY_RETRIES_MAX)
		c->retries = REGISTRY_RETRIES_MAX;
	c->backoff_base_ms = o->backoff_base_ms ? o->backoff_base_ms : REGISTRY_BACKOFF_BASE_MS;
	c->retry_after_max_s = o->retry_after_max_s ? o->retry_after_max_s
						    : REGISTRY_RETRY_AFTER_MAX_S;
	c->doc_max = o->doc_max ? o->doc_max : REGISTRY_DOC_MAX;
	c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms
						      : REGISTRY_CONNECT_TIMEOUT_MS;
	c->timeout_ms = o->timeout_ms < 0 ? 0 :
			o->timeout_ms ? o->timeout_ms : REGISTRY_TIMEOUT_MS;
	stall = o->stall_ms > 0 ? o->stall_ms : REGISTRY_STALL_MS;
	if (c->timeout_ms && stall > c->timeout_ms)
		stall = c->timeout_ms;
	c->stall_s = stall < 1000 ? 1 : (stall + 999) / 1000;
	c->rng = ((uint64_t)time(NULL) << 16) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ull;
	c->multi = curl_multi_init();
	if (!c->multi) {
		ret = ws_error_set(WS_ERROR, "cannot initialise libcurl");
		goto done;
	}
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->jobs);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c->jobs);
	*out = c;
	c = NULL;
done:
	registry_client_free(c);
	return ret;
}

void
registry_client_free(struct registry_client *client)
{
	if (!client)
		return;
	if (client->multi)
		curl_multi_cleanup(client->multi);
	free(client);
}

/* ---- names and URLs ---- */

int
registry_encode_name(char **out, const char *name)
{
	static const char hex[] = "0123456789abcdef";
	struct strbuf sb;
	const char *slash;
	size_t len = strlen(name), i;
	int ret = 0;

	*out = NULL;
	strbuf_init(&sb, REGISTRY_NAME_MAX * 3 + 1);
	slash = strchr(name, '/');
	if (len == 0 || len > REGISTRY_NAME_MAX || name[0] == '.' || name[0] == '_' ||
	    (slash && (name[0] != '@' || slash == name + 1 || !slash[1] ||
		       strchr(slash + 1, '/') || slash[1] == '.')) ||
	    (name[0] == '@' && !slash)) {
		ret = ws_error_set(WS_EPARSE, "'%.*s': not a valid package name",
				   (int)(len > REGISTRY_NAME_MAX ? REGISTRY_NAME_MAX : len), name);
		goto done;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch < 0x21 || ch >= 0x7f) {
			ret = ws_error_set(WS_EPARSE, "package name has a control or non-ASCII byte");
			goto done;
		}
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		    ch == '~' || ch == '-' || (ch == '@' && i == 0)) {
			strbuf_addch(&sb, ch);
		} else {
			strbuf_addch(&sb, '%');
			strbuf_addch(&sb, hex[ch >> 4]);
			strbuf_addch(&sb, hex[ch & 15]);
		}
	}
	*out = strbuf_detach(&sb, NULL);
done:
	strbuf_release(&sb);
	return ret;
}

static char *
package_url(struct registry_client *c, const char *name, const char *encoded)
{
	const char *base = NULL;
	struct strbuf sb;
	size_t blen;

	if (c->o->registry_for)
		base = c->o->registry_for(name, c->o->registry_for_payload);
	if (!is_http_url(base))
		base = c->o->registry;
	blen = strlen(base);
	strbuf_init(&sb, blen + strlen(encoded) + 2);
	strbuf_add(&sb, base, blen);
	if (blen == 0 || base[blen - 1] != '/')
		strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, encoded);
	return strbuf_detach(&sb, NULL);
}

/* url with the userinfo of its authority, if any, replaced by "***". */
static char *
redact_url(const char *url)
{
	const char *host = strstr(url, "://"), *end, *at;
	struct strbuf sb;

	if (!host)
		return xstrdup(url);
	host += 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (!at)
		return xstrdup(url);
	strbuf_init(&sb, (size_t)-1);
	strbuf_add(&sb, url, (size_t)(host - url));
	strbuf_addstr(&sb, "***");
	strbuf_addstr(&sb, at);
	return strbuf_detach(&sb, NULL);
}

/*
 * The Authorization value for url, or NULL: the first entry whose prefix the
 * URL (without its scheme) starts with, the prefix ending at a '/' boundary
 * so that a token for port 80 is never sent to port 8080.
 */
static const char *
auth_for(const struct registry_options *o, const char *url)
{
	const char *rest = strstr(url, "//");
	size_t i;

	if (!rest)
		return NULL;
	for (i = 0; i < o->nauth; i++) {
		const char *p = o->auth[i].prefix;
		size_t plen = p ? strlen(p) : 0;

		if (plen < 3 || strncmp(p, "//", 2) != 0 || !o->auth[i].authorization)
			continue;
		if (strncasecmp(rest, p, plen) != 0)
			continue;
		if (p[plen - 1] == '/' || rest[plen] == '/' || rest[plen] == '\0')
			return o->auth[i].authorization;
	}
	return NULL;
}

/* ---- the cached subset ---- */

static void
add_escaped(struct strbuf *sb, const char *s, size_t n)
{
	char *tmp = xmalloc(JSON_ESCAPED_MAX(n));
	char *end = json_escape_to(tmp, s, n);

	strbuf_add(sb, tmp, (size_t)(end - tmp));
	free(tmp);
}

/* v as compact JSON; containers deeper than depth are cut to null. */
static void
add_json(struct strbuf *sb, const struct json_value *v, int depth)
{
	const struct json_value *m;

	switch (v->type) {
	case JSON_NULL: strbuf_addstr(sb, "null"); return;
	case JSON_TRUE: strbuf_addstr(sb, "true"); return;
	case JSON_FALSE: strbuf_addstr(sb, "false"); return;
	case JSON_NUMBER: strbuf_add(sb, v->u.str, v->len); return;
	case JSON_STRING: add_escaped(sb, v->u.str, v->len); return;
	default: break;
	}
	if (depth <= 0) {
		strbuf_addstr(sb, "null");
		return;
	}
	strbuf_addch(sb, v->type == JSON_ARRAY ? '[' : '{');
	for (m = v->u.first; m; m = m->next) {
		if (m != v->u.first)
			strbuf_addch(sb, ',');
		if (v->type == JSON_OBJECT) {
			add_escaped(sb, m->key, m->key_len);
			strbuf_addch(sb, ':');
		}
		add_json(sb, m, depth - 1);
	}
	strbuf_addch(sb, v->type == JSON_ARRAY ? ']' : '}');
}

/*
 * The versions object as the cached subset gives it back:
 * {"<version>":{"dist":{"integrity","signatures","attestations"}},...},
 * what verify needs from a packument besides its time map.
 */
static void
dist_text(const struct json_value *root, struct strbuf *out)
{
	static const char *const keep[] = { "integrity", "signatures", "attestations" };
	const struct json_value *v = json_get(root, "versions");
	const struct json_value *m;
	size_t i;

	strbuf_addch(out, '{');
	for (m = json_is(v, JSON_OBJECT) ? v->u.first : NULL; m; m = m->next) {
		const struct json_value *dist = json_get(m, "dist");
		int first = 1;

		if (m != v->u.first)
			strbuf_addch(out, ',');
		add_escaped(out, m->key, m->key_len);
		/* a version without dist is known to have none: {"dist":{}} */
		strbuf_addstr(out, ":{\"dist\":{");
		if (!json_is(dist, JSON_OBJECT)) {
			strbuf_addstr(out, "}}");
			continue;
		}
		for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
			const struct json_value *f = json_get(dist, keep[i]);

			if (!f)
				continue;
			if (!first)
				strbuf_addch(out, ',');
			first = 0;
			strbuf_addf(out, "\"%s\":", keep[i]);
			add_json(out, f, DIST_DEPTH_MAX);
		}
		strbuf_addstr(out, "}}");
	}
	strbuf_addch(out, '}');
}

/* The compact texts the cache stores, from a fetched packument: the string
 * members of `time`, and the keys of `versions`. */
static void
slim_texts(const struct json_value *root, struct strbuf *times,
	   struct strbuf *versions)
{
	const struct json_value *t = json_get(root, "time");
	const struct json_value *v = json_get(root, "versions");
	const struct json_value *m;
	int first = 1;

	strbuf_addch(times, '{');
	for (m = json_is(t, JSON_OBJECT) ? t->u.first : NULL; m; m = m->next) {
		if (m->type != JSON_STRING)
			continue;
		if (!first)
			strbuf_addch(times, ',');
		first = 0;
		add_escaped(times, m->key, m->key_len);
		strbuf_addch(times, ':');
		add_escaped(times, m->u.str, m->len);
	}
	strbuf_addch(times, '}');

	first = 1;
	strbuf_addch(versions, '[');
	for (m = json_is(v, JSON_OBJECT) ? v->u.first : NULL; m; m = m->next) {
		if (!first)
			strbuf_addch(versions, ',');
		first = 0;
		add_escaped(versions, m->key, m->key_len);
	}
	strbuf_addch(versions, ']');
}

void
registry_packument_texts(const struct json_value *root, struct strbuf *times,
			 struct strbuf *versions, struct strbuf *dists)
{
	if (times && versions)
		slim_texts(root, times, versions);
	if (dists)
		dist_text(root, dists);
}

static void
slim_release(struct slim *s)
{
	if (s->parsed)
		json_doc_release(&s->doc);
	free(s->text);
	registry_cache_entry_release(&s->entry);
	memset(s, 0, sizeof(*s));
}

/* Loads name from the cache into s; 0 and s->parsed set when usable. */
static void
slim_load(struct slim *s, struct registry_cache *cache, const char *name)
{
	struct json_doc vdoc;
	const struct json_value *m;
	struct strbuf sb;
	char *dists = NULL;
	int first = 1;

	memset(s, 0, sizeof(*s));
	if (!cache || registry_cache_get(cache, name, &s->entry) < 0) {
		ws_error_clear();
		return;
	}
	if (registry_cache_blob_get(cache, "dist", name, &dists, NULL) < 0)
		ws_error_clear();
	/* The version list is stored as an array; callers see an object. */
	if (json_parse(&vdoc, s->entry.versions, strlen(s->entry.versions), name, 0) < 0) {
		ws_error_clear();
		registry_cache_entry_release(&s->entry);
		free(dists);
		return;
	}
	strbuf_init(&sb, (size_t)-1);
	strbuf_addstr(&sb, "{\"time\":");
	strbuf_addstr(&sb, s->entry.times);
	strbuf_addstr(&sb, ",\"versions\":");
	if (dists && dists[0] == '{') {
		/* stored by dist_text(): already the versions object */
		strbuf_addstr(&sb, dists);
		s->has_dist = 1;
	} else {
		strbuf_addch(&sb, '{');
		for (m = json_is(vdoc.root, JSON_ARRAY) ? vdoc.root->u.first : NULL; m;
		     m = m->next) {
			if (m->type != JSON_STRING)
				continue;
			if (!first)
				strbuf_addch(&sb, ',');
			first = 0;
			add_escaped(&sb, m->u.str, m->len);
			strbuf_addstr(&sb, ":{}");
		}
		strbuf_addch(&sb, '}');
	}
	strbuf_addch(&sb, '}');
	free(dists);
	json_doc_release(&vdoc);
	/* json_parse wrote into entry.versions; the entry keeps validators only. */
	free(s->entry.versions);
	s->entry.versions = NULL;
	free(s->entry.times);
	s->entry.times = NULL;

	s->text = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	if (json_parse(&s->doc, s->text, strlen(s->text), name, 0) < 0 ||
	    !json_is(json_get(s->doc.root, "time"), JSON_OBJECT) ||
	    !json_is(json_get(s->doc.root, "versions"), JSON_OBJECT)) {
		if (s->doc.root)
			json_doc_release(&s->doc);
		ws_error_clear();
		s->has_dist = 0;
		free(s->text);
		s->text = NULL;
		registry_cache_entry_release(&s->entry);
		return;
	}
	s->parsed = 1;
}

/* ---- transfers ---- */

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;

	if (strbuf_add(&t->body, data, n) < 0) {
		t->overflow = 1;
		return 0;	/* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return n;
}

static char *
header_value(const char *line, size_t n, const char *name)
{
	size_t nl = strlen(name), i;
	const char *v, *end;

	if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' ||
			   end[-1] == '\t'))
		end--;
	if (end == v || (size_t)(end - v) > REGISTRY_HEADER_MAX)
		return NULL;
	/* Validators are sent back in a header: no control bytes allowed. */
	for (i = 0; i < (size_t)(end - v); i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return NULL;
	return xstrndup(v, (size_t)(end - v));
}

static long
parse_retry_after(const char *v, unsigned max_s)
{
	char *end;
	long s;

	if (v[0] >= '0' && v[0] <= '9') {
		s = strtol(v, &end, 10);
		if (*end != '\0' || s < 0)
			return -1;
	} else {
		time_t when = curl_getdate(v, NULL);

		if (when == (time_t)-1)
			return -1;
		s = (long)(when - time(NULL));
		if (s < 0)
			s = 0;
	}
	if (s > (long)max_s)
		s = (long)max_s;
	return s * 1000;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;
	char *v;

	if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new response (after a redirect or 100-continue) */
		free(t->etag);
		free(t->last_modified);
		t->etag = t->last_modified = NULL;
		t->retry_after_ms = -1;
	} else if ((v = header_value(data, n, "etag"))) {
		free(t->etag);
		t->etag = v;
	} else if ((v = header_value(data, n, "last-modified"))) {
		free(t->last_modified);
		t->last_modified = v;
	} else if ((v = header_value(data, n, "retry-after"))) {
		t->retry_after_ms = parse_retry_after(v, t->client->retry_after_max_s);
		free(v);
	}
	return n;
}

static void
transfer_reset(struct transfer *t)
{
	if (t->easy)
		curl_easy_cleanup(t->easy);
	t->easy = NULL;
	curl_slist_free_all(t->headers);
	t->headers = NULL;
	strbuf_release(&t->body);
	free(t->etag);
	free(t->last_modified);
	t->etag = t->last_modified = NULL;
	t->retry_after_ms = -1;
	t->overflow = 0;
	t->errbuf[0] = '\0';
}

static void
transfer_free(struct transfer *t)
{
	if (!t)
		return;
	transfer_reset(t);
	slim_release(&t->cached);
	free(t->url);
	free(t->shown);
	free(t);
}

static struct curl_slist *
add_header(struct curl_slist *list, const char *name, const char *value)
{
	struct strbuf sb;
	struct curl_slist *l;

	strbuf_init(&sb, (size_t)-1);
	strbuf_addf(&sb, "%s: %s", name, value);
	l = curl_slist_append(list, sb.buf);
	strbuf_release(&sb);
	if (!l)
		abort();
	return l;
}

static int
transfer_start(struct transfer *t)
{
	struct registry_client *c = t->client;
	const struct registry_options *o = c->o;
	const char *auth;
	CURL *e;

	transfer_reset(t);
	strbuf_init(&t->body, c->doc_max);
	e = t->easy = curl_easy_init();
	if (!e)
		return ws_error_set(WS_ERROR, "cannot initialise libcurl");

	/* Full packuments only: the abbreviated form has no `time`. */
	t->headers = add_header(t->headers, "Accept", "application/json");
	if ((auth = auth_for(o, t->url)))
		t->headers = add_header(t->headers, "Authorization", auth);
	if (t->cached.parsed && t->cached.entry.etag)
		t->headers = add_header(t->headers, "If-None-Match", t->cached.entry.etag);
	if (t->cached.parsed && t->cached.entry.last_modified)
		t->headers = add_header(t->headers, "If-Modified-Since",
					t->cached.entry.last_modified);

	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "wormsign/" WS_VERSION);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* libcurl drops a custom Authorization header when a redirect leaves
	 * the host and port it was meant for (CURLOPT_UNRESTRICTED_AUTH off). */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)REDIRS_MAX);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cafile)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->cafile);
	if (o->proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
	if (o->noproxy)
		curl_easy_setopt(e, CURLOPT_NOPROXY, o->noproxy);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	/* a registry that stops sending mid-body */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->stall_s);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->doc_max);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	t->attempt++;
	if (curl_multi_add_handle(c->multi, e) != CURLM_OK)
		return ws_error_set(WS_ERROR, "cannot start a transfer");
	return 0;
}

static void
report(struct batch *b, const char *name, enum registry_status st,
       const struct json_value *doc, const char *error)
{
	struct registry_stats *s = b->stats;

	switch (st) {
	case REGISTRY_FETCHED: s->fetched++; break;
	case REGISTRY_REVALIDATED: s->revalidated++; break;
	case REGISTRY_CACHED: s->cached++; break;
	case REGISTRY_NOT_FOUND: s->not_found++; break;
	case REGISTRY_FAILED: s->failed++; break;
	case REGISTRY_OFFLINE_STALE:
	case REGISTRY_OFFLINE_MISSING: s->offline++; break;
	}
	b->cb(name, st, doc, error, b->payload);
}

static void
report_failure(struct batch *b, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
report_failure(struct batch *b, const char *name, const char *fmt, ...)
{
	char msg[ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(b, name, REGISTRY_FAILED, NULL, msg);
}

static int
retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return 1;
	default:
		return 0;
	}
}

static int
retryable_http(long code)
{
	return code == 408 || code == 429 || code == 500 || code == 502 ||
	       code == 503 || code == 504;
}

static long
backoff_ms(struct transfer *t)
{
	struct registry_client *c = t->client;
	int64_t d = c->backoff_base_ms;
	int i;

	for (i = 1; i < t->attempt && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > BACKOFF_MAX_MS)
		d = BACKOFF_MAX_MS;
	/* "equal jitter": half fixed, half random */
	d = d / 2 + (int64_t)(next_random(c) % (uint64_t)(d / 2 + 1));
	if (t->retry_after_ms >= 0 && t->retry_after_ms > d)
		d = t->retry_after_ms;
	return (long)d;
}

/* Handles a 200: parse, check, cache, report. */
static void
finish_ok(struct batch *b, struct transfer *t)
{
	const char *name = t->want->name;
	struct registry_cache *cache = b->client->o->cache;
	struct registry_cache_entry e = { 0 };
	struct strbuf times, versions, dists;
	struct json_doc doc;
	const char *dname;
	int parsed = 0;

	strbuf_init(&times, (size_t)-1);
	strbuf_init(&versions, (size_t)-1);
	strbuf_init(&dists, (size_t)-1);	/* blob_put refuses one too large */
	if (json_parse(&doc, t->body.buf, t->body.len, name, 0) < 0) {
		report_failure(b, name, "'%s': %s: invalid packument: %s", name,
			       t->shown, ws_error_last());
		goto done;
	}
	parsed = 1;
	if (!json_is(doc.root, JSON_OBJECT)) {
		report_failure(b, name, "'%s': %s: packument is not a JSON object",
			       name, t->shown);
		goto done;
	}
	dname = json_get_str(doc.root, "name");
	if (dname && strcmp(dname, name) != 0) {
		report_failure(b, name, "'%s': %s: packument is for another package",
			       name, t->shown);
		goto done;
	}
	if (!json_is(json_get(doc.root, "time"), JSON_OBJECT)) {
		report_failure(b, name, "'%s': %s: packument has no \"time\" map "
			       "(abbreviated or incomplete document)", name, t->shown);
		goto done;
	}
	if (cache) {
		registry_packument_texts(doc.root, &times, &versions, NULL);
		e.times = times.buf;
		e.versions = versions.buf;
		e.etag = t->etag;
		e.last_modified = t->last_modified;
		e.fetched_at = (int64_t)time(NULL);
		/* A cache that cannot be written costs speed, not correctness. */
		if (registry_cache_put(cache, name, &e) < 0)
			ws_error_clear();
		registry_packument_texts(doc.root, NULL, NULL, &dists);
		if (dists.len && registry_cache_blob_put(cache, "dist", name, dists.buf,
							 e.fetched_at) < 0)
			ws_error_clear();
	}
	report(b, name, REGISTRY_FETCHED, doc.root, NULL);
done:
	if (parsed)
		json_doc_release(&doc);
	strbuf_release(&times);
	strbuf_release(&versions);
	strbuf_release(&dists);
}

/* Fails t's package or document with a message. */
static void
fail(struct batch *b, struct transfer *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail(struct batch *b, struct transfer *t, const char *fmt, ...)
{
	char msg[ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->get) {
		b->stats->failed++;
		b->get_cb(t->index, REGISTRY_FAILED, NULL, 0, msg, b->payload);
	} else {
		report(b, t->want->name, REGISTRY_FAILED, NULL, msg);
	}
}

/*
 * An attempt ended by the clock: a timeout (the whole transfer took
 * timeout_ms) or a stall (nothing arrived for stall_s), said with how much
 * of the body had come.
 */
static void
fail_timeout(struct batch *b, struct transfer *t)
{
	struct registry_client *c = b->client;
	curl_off_t got = 0, want = -1, took_us = 0;
	char part[96];
	const char *s = t->attempt == 1 ? "" : "s";

	curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &got);
	curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &want);
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &took_us);
	if (want >= 0)
		snprintf(part, sizeof(part), "%lld of %lld bytes received",
			 (long long)got, (long long)want);
	else if (got > 0)
		snprintf(part, sizeof(part), "%lld bytes received", (long long)got);
	else
		snprintf(part, sizeof(part), "no response");
	if (c->timeout_ms && took_us / 1000 >= c->timeout_ms)
		fail(b, t, "'%s': %s: timed out after %ld ms (%s, %d attempt%s)",
		     t->label, t->shown, c->timeout_ms, part, t->attempt, s);
	else
		fail(b, t, "'%s': %s: stalled: nothing received for %ld s (%s, "
		     "%d attempt%s)", t->label, t->shown, c->stall_s, part,
		     t->attempt, s);
}

/* A finished attempt: returns 1 when it is to be retried. */
static int
finish(struct batch *b, struct transfer *t, CURLcode rc)
{
	const char *name = t->label;
	struct registry_client *c = b->client;
	long code = 0;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_FILESIZE_EXCEEDED || (rc == CURLE_WRITE_ERROR && t->overflow)) {
		fail(b, t, "'%s': %s: response larger than %zu bytes",
		     name, t->shown, c->doc_max);
		return 0;
	}
	if (rc != CURLE_OK) {
		if (retryable_curl(rc) && t->attempt <= c->retries)
			return 1;
		if (rc == CURLE_OPERATION_TIMEDOUT) {
			fail_timeout(b, t);
			return 0;
		}
		fail(b, t, "'%s': %s: %s (%d attempt%s)", name, t->shown,
		     t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc),
		     t->attempt, t->attempt == 1 ? "" : "s");
		return 0;
	}
	if (retryable_http(code) && t->attempt <= c->retries)
		return 1;
	if (t->get && (code == 200 || code == 404)) {
		if (code == 200)
			b->stats->fetched++;
		else
			b->stats->not_found++;
		b->get_cb(t->index, code == 200 ? REGISTRY_FETCHED : REGISTRY_NOT_FOUND,
			  code == 200 ? t->body.buf : NULL, code == 200 ? t->body.len : 0,
			  NULL, b->payload);
		return 0;
	}
	switch (code) {
	case 200:
		finish_ok(b, t);
		break;
	case 304:
		if (!t->cached.parsed) {
			fail(b, t, "'%s': %s: 304 Not Modified without a cached copy",
			     name, t->shown);
			break;
		}
		if (c->o->cache && registry_cache_touch(c->o->cache, name,
							(int64_t)time(NULL)) < 0)
			ws_error_clear();
		report(b, name, REGISTRY_REVALIDATED, t->cached.doc.root, NULL);
		break;
	case 404:
		report(b, name, REGISTRY_NOT_FOUND, NULL, NULL);
		break;
	case 401:
	case 403:
		fail(b, t, "'%s': %s: HTTP %ld (authentication required or "
		     "token rejected)", name, t->shown, code);
		break;
	default:
		fail(b, t, "'%s': %s: HTTP %ld (%d attempt%s)", name, t->shown,
		     code, t->attempt, t->attempt == 1 ? "" : "s");
		break;
	}
	return 0;
}

/* Whether the cached dist subset has every wanted version. */
static int
versions_cover(const struct slim *s, const struct registry_want *w)
{
	const struct json_value *v = json_get(s->doc.root, "versions");
	size_t i;

	if (!s->has_dist)
		return 0;
	for (i = 0; i < w->nversions; i++)
		if (!json_get(json_get(v, w->versions[i]), "dist"))
			return 0;
	return 1;
}

/* A document GET: no cache here; offline makes no request. */
static struct transfer *
plan_get(struct batch *b, const struct registry_get *g, size_t index)
{
	struct registry_client *c = b->client;
	struct transfer *t;

	if (c->o->offline) {
		b->stats->offline++;
		b->get_cb(index, REGISTRY_OFFLINE_MISSING, NULL, 0,
			  "offline: not fetched", b->payload);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->client = c;
	t->get = g;
	t->index = index;
	t->label = g->label;
	t->retry_after_ms = -1;
	strbuf_init(&t->body, 1);
	t->url = xstrdup(g->url);
	t->shown = redact_url(t->url);
	if (!is_http_url(t->url)) {
		fail(b, t, "'%s': %s: not an http(s) URL", t->label, t->shown);
		transfer_free(t);
		return NULL;
	}
	return t;
}

/* Decides without the network where it can; returns a transfer otherwise. */
static struct transfer *
plan(struct batch *b, const struct registry_want *w)
{
	struct registry_client *c = b->client;
	const struct registry_options *o = c->o;
	struct transfer *t = NULL;
	char *encoded = NULL;
	int covered;

	if (registry_encode_name(&encoded, w->name) < 0) {
		report_failure(b, w->name, "%s", ws_error_last());
		ws_error_clear();
		goto done;
	}
	t = xcalloc(1, sizeof(*t));
	t->client = c;
	t->want = w;
	t->label = w->name;
	t->retry_after_ms = -1;
	strbuf_init(&t->body, 1);
	slim_load(&t->cached, o->cache, w->name);
	covered = t->cached.parsed &&
		  registry_times_cover(json_get(t->cached.doc.root, "time"),
				       w->versions, w->nversions) &&
		  (!o->want_dist || versions_cover(&t->cached, w));
	/* without the dist subset a 304 would answer with too little */
	if (!o->offline && o->want_dist && t->cached.parsed && !t->cached.has_dist) {
		free(t->cached.entry.etag);
		free(t->cached.entry.last_modified);
		t->cached.entry.etag = t->cached.entry.last_modified = NULL;
	}
	if (o->offline) {
		if (covered)
			report(b, w->name, REGISTRY_CACHED, t->cached.doc.root, NULL);
		else if (t->cached.parsed)
			report(b, w->name, REGISTRY_OFFLINE_STALE, t->cached.doc.root, NULL);
		else
			report(b, w->name, REGISTRY_OFFLINE_MISSING, NULL,
			       "not in the cache and offline: not checked");
		transfer_free(t);
		t = NULL;
		goto done;
	}
	if (covered && !o->refresh) {
		report(b, w->name, REGISTRY_CACHED, t->cached.doc.root, NULL);
		transfer_free(t);
		t = NULL;
		goto done;
	}
	t->url = package_url(c, w->name, encoded);
	t->shown = redact_url(t->url);
done:
	free(encoded);
	return t;
}

/* The transfer loop of both kinds of batch: wants or gets, n of them. */
static int
run_batch(struct batch *bp, const struct registry_want *wants,
	  const struct registry_get *gets, size_t n)
{
	struct batch b = *bp;
	struct registry_client *client = b.client;
	struct transfer *retry_head = NULL, *active_head = NULL;
	size_t next = 0, active = 0;
	int ret = 0;

	memset(b.stats, 0, sizeof(*b.stats));
	while (next < n || active > 0 || retry_head) {
		int64_t now = now_ms(), wait = POLL_MAX_MS;
		struct transfer **pp;
		struct CURLMsg *msg;
		int running, left;

		/* Retries whose time has come go first, then new names. */
		for (pp = &retry_head; *pp && active < client->jobs;) {
			struct transfer *t = *pp;

			if (t->ready_at > now) {
				if (t->ready_at - now < wait)
					wait = t->ready_at - now;
				pp = &t->next;
				continue;
			}
			*pp = t->next;
			t->next = NULL;
			if (transfer_start(t) < 0) {
				fail(&b, t, "'%s': %s", t->label, ws_error_last());
				transfer_free(t);
				continue;
			}
			b.stats->requests++;
			active++;
			t->next = active_head;
			active_head = t;
		}
		while (next < n && active < client->jobs) {
			struct transfer *t = gets ? plan_get(&b, &gets[next], next)
						  : plan(&b, &wants[next]);

			next++;
			if (!t)
				continue;
			if (transfer_start(t) < 0) {
				fail(&b, t, "'%s': %s", t->label, ws_error_last());
				transfer_free(t);
				continue;
			}
			b.stats->requests++;
			active++;
			t->next = active_head;
			active_head = t;
		}
		if (active == 0) {
			if (retry_head && wait > 0) {
				struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

				nanosleep(&ts, NULL);
			}
			continue;
		}
		if (curl_multi_perform(client->multi, &running) != CURLM_OK) {
			ret = ws_error_set(WS_ERROR, "libcurl multi interface failed");
			goto done;
		}
		while ((msg = curl_multi_info_read(client->multi, &left))) {
			struct transfer *t = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			curl_multi_remove_handle(client->multi, msg->easy_handle);
			active--;
			for (pp = &active_head; *pp != t; pp = &(*pp)->next)
				;
			*pp = t->next;
			t->next = NULL;
			if (finish(&b, t, msg->data.result)) {
				t->ready_at = now_ms() + backoff_ms(t);
				/* the connection pool lives in the multi handle */
				curl_easy_cleanup(t->easy);
				t->easy = NULL;
				t->next = retry_head;
				retry_head = t;
				wait = 0;
			} else {
				transfer_free(t);
			}
		}
		if (active > 0 && wait > 0 &&
		    curl_multi_poll(client->multi, NULL, 0, (int)wait, NULL) != CURLM_OK) {
			ret = ws_error_set(WS_ERROR, "libcurl multi interface failed");
			goto done;
		}
	}
done:
	/* Lists are non-empty only after a multi failure: nothing may leak. */
	while (active_head) {
		struct transfer *t = active_head;

		active_head = t->next;
		curl_multi_remove_handle(client->multi, t->easy);
		transfer_free(t);
	}
	while (retry_head) {
		struct transfer *t = retry_head;

		retry_head = t->next;
		transfer_free(t);
	}
	return ret;
}

int
registry_fetch_packuments(struct registry_client *client,
			  const struct registry_want *wants, size_t n,
			  registry_cb cb, void *payload,
			  struct registry_stats *stats)
{
	struct registry_stats local;
	struct batch b = { client, cb, NULL, payload, stats ? stats : &local };

	return run_batch(&b, wants, NULL, n);
}

int
registry_fetch_urls(struct registry_client *client,
		    const struct registry_get *gets, size_t n,
		    registry_get_cb cb, void *payload,
		    struct registry_stats *stats)
{
	struct registry_stats local;
	struct batch b = { client, NULL, cb, payload, stats ? stats : &local };

	return run_batch(&b, NULL, gets, n);
}

int
registry_doc_url(char **out, struct registry_client *client, const char *name,
		 const char *path)
{
	const char *base = NULL, *p = path, *q;
	struct strbuf sb;
	size_t blen, plen, i;

	*out = NULL;
	/* a full URL: its path only, the host is the configured registry's */
	if ((q = strstr(path, "://")) && q == path + strcspn(path, ":/?#")) {
		p = q + 3;
		p += strcspn(p, "/?#");
	}
	plen = strcspn(p, "?#");
	if (plen == 0 || p[0] != '/')
		return ws_error_set(WS_EPARSE, "'%s': not an absolute registry path", path);
	for (i = 0; i < plen; i++)
		if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f || p[i] == '\\')
			return ws_error_set(WS_EPARSE, "registry path has a space, "
					    "a control byte or a backslash");
	for (i = 0; i + 2 < plen; i++)
		if (p[i] == '/' && p[i + 1] == '.' && p[i + 2] == '.' &&
		    (i + 3 >= plen || p[i + 3] == '/'))
			return ws_error_set(WS_EPARSE, "'%.*s': registry path has a '..' segment",
					    (int)plen, p);
	if (name && client->o->registry_for)
		base = client->o->registry_for(name, client->o->registry_for_payload);
	if (!is_http_url(base))
		base = client->o->registry;
	blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	strbuf_init(&sb, (size_t)-1);
	strbuf_add(&sb, base, blen);
	strbuf_add(&sb, p, plen);
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

struct registry_cache *
registry_client_cache(struct registry_client *client)
{
	return client->o->cache;
}

int
registry_client_offline(const struct registry_client *client)
{
	return client->o->offline;
}

int
registry_client_refresh(const struct registry_client *client)
{
	return client->o->refresh;
}
