#ifndef WS_REGISTRY_REGISTRY_H
#define WS_REGISTRY_REGISTRY_H

/*
 * The npm registry client (libcurl multi) and its SQLite cache.
 *
 * The client fetches full packuments (Accept: application/json; never the
 * abbreviated form, which has no `time`) for a batch of package names,
 * concurrently, with retries, size caps and TLS verification always on.
 * What the release-age check needs from each packument (the `time` map and
 * the list of versions) is kept in a cache so that a version seen once
 * needs no request again: publish times never change.
 *
 * Nothing here prints. Per-package failures are handed to the caller's
 * callback with a message and the batch carries on; only a failure to set
 * the batch up at all is returned. No message ever contains an
 * Authorization value: tokens live in request headers only, and URLs are
 * built from the registry base and the package name.
 *
 * Not thread-safe: one client per thread. The cache may be shared by
 * several processes (WAL journal, busy timeout).
 */

#include <stddef.h>
#include <stdint.h>

#include "json/json.h"

#define REGISTRY_DOC_MAX (64u << 20)	/* decoded packument bytes */
#define REGISTRY_NAME_MAX 214		/* npm's own limit on package names */
#define REGISTRY_JOBS_DEFAULT 16
#define REGISTRY_JOBS_MAX 256
#define REGISTRY_RETRIES_DEFAULT 4
#define REGISTRY_RETRIES_MAX 10		/* npm's fetch-retries is capped here */
#define REGISTRY_RETRY_AFTER_MAX_S 60	/* Retry-After larger than this is capped */
#define REGISTRY_BACKOFF_BASE_MS 250
#define REGISTRY_CONNECT_TIMEOUT_MS 10000
#define REGISTRY_TIMEOUT_MS 120000
#define REGISTRY_STALL_MS 30000		/* under 1 byte/s this long: stalled */
#define REGISTRY_HEADER_MAX 8192	/* ETag / Last-Modified / Retry-After */

/* ---- cache ---- */

struct registry_cache;

/*
 * What the cache keeps for one package: the packument's `time` map as
 * compact JSON text (string members only) and its versions as a compact
 * JSON array of strings, with the validators of the response they came from.
 * All strings are the caller's (malloc'd) after registry_cache_get();
 * etag and last_modified may be NULL.
 */
struct registry_cache_entry {
	char *times;		/* {"created":"...","1.0.0":"...",...} */
	char *versions;		/* ["1.0.0",...] */
	char *etag;
	char *last_modified;
	int64_t fetched_at;	/* seconds since the epoch, UTC */
};

void registry_cache_entry_release(struct registry_cache_entry *e);

/*
 * Opens (creating it and its missing parent directories, mode 0700) the
 * SQLite cache at path, in WAL mode with a busy timeout so that several
 * processes can share it. Returns 0, or WS_EIO with a message naming path.
 */
int registry_cache_open(struct registry_cache **out, const char *path);
void registry_cache_free(struct registry_cache *cache);

/*
 * The default cache path: $XDG_CACHE_HOME/wormsign/registry.db when that
 * variable is an absolute path, else $HOME/.cache/wormsign/registry.db.
 * *out is the caller's. WS_ENOTFOUND when neither variable is usable.
 * (A --cache DIR option makes it DIR/registry.db: the caller decides.)
 */
int registry_cache_default_path(char **out);

/* Fills *e (the caller releases it). WS_ENOTFOUND when name is not cached,
 * WS_EIO on a database error. */
int registry_cache_get(struct registry_cache *cache, const char *name,
		       struct registry_cache_entry *e);

/* Replaces what is stored for name. times and versions are required. */
int registry_cache_put(struct registry_cache *cache, const char *name,
		       const struct registry_cache_entry *e);

/* Records that name was revalidated (304) at `now`: only fetched_at changes. */
int registry_cache_touch(struct registry_cache *cache, const char *name,
			 int64_t now);

/*
 * Whether the cached time map of name holds every one of versions[0..n):
 * *covered is 1 when it does (no request is needed), 0 when something is
 * missing or name is not cached. n == 0 gives 0: with nothing to look for
 * the caller wants the packument itself, so it is revalidated. Returns 0,
 * or WS_EIO.
 */
int registry_cache_covers(struct registry_cache *cache, const char *name,
			  const char *const *versions, size_t n, int *covered);

/* Whether the object `time` has a member for each of versions[0..n)
 * (1 or 0; n == 0 gives 0, as above). */
int registry_times_cover(const struct json_value *time,
			 const char *const *versions, size_t n);

/*
 * The compact texts the cache keeps from a fetched packument (root): the
 * string members of its `time` map and the keys of `versions` (times and
 * versions, both or neither), and each version's dist subset (dists).
 * Each is a JSON document the cache parses again; NULL skips one.
 */
struct strbuf;
void registry_packument_texts(const struct json_value *root,
			      struct strbuf *times, struct strbuf *versions,
			      struct strbuf *dists);

/*
 * Small documents kept beside the packuments, by kind and key (a table
 * `blob`): the client keeps each packument's per-version `dist` subset
 * there (kind "dist"); verify keeps attestation responses ("attestations",
 * key name@version: immutable once published), registry key documents
 * ("keys", key a digest of the registry URL) and verdicts ("verdict", key a digest of
 * everything the verdict depends on).
 */
#define REGISTRY_BLOB_MAX (16u << 20)

/* *value (malloc'd) and *stored_at (may be NULL) for kind/key;
 * WS_ENOTFOUND when absent, WS_EIO on a database error. */
int registry_cache_blob_get(struct registry_cache *cache, const char *kind,
			    const char *key, char **value, int64_t *stored_at);
/* Replaces kind/key with value, stamped `now`. */
int registry_cache_blob_put(struct registry_cache *cache, const char *kind,
			    const char *key, const char *value, int64_t now);
/*
 * Groups the writes that follow into one transaction until
 * registry_cache_commit (many small verdicts: one journal write instead of
 * one each). Returns 0 or WS_EIO; a failed begin only costs speed.
 */
int registry_cache_begin(struct registry_cache *cache);
int registry_cache_commit(struct registry_cache *cache);

/* ---- client ---- */

/*
 * A token is sent only when the request URL, without its scheme, starts with
 * `prefix`: npm's "nerf dart" form, e.g. "//registry.npm.test/" or
 * "//127.0.0.1:8080/npm/". `authorization` is the whole header value
 * ("Bearer <token>", "Basic <base64>"). Both are borrowed for the client's
 * lifetime and never copied into a message.
 */
struct registry_auth {
	const char *prefix;
	const char *authorization;
};

struct registry_options {
	/* Base URL for package names, "https://host[:port]/path/"; required. */
	const char *registry;
	/* Optional: the base URL for one name (scoped registries); NULL from
	 * the callback means `registry`. The string must stay valid until
	 * the batch ends. */
	const char *(*registry_for)(const char *name, void *payload);
	void *registry_for_payload;

	const struct registry_auth *auth;	/* nauth entries, borrowed */
	size_t nauth;

	const char *cafile;	/* extra CA bundle; verification stays on */
	const char *proxy;	/* NULL: libcurl's *_proxy environment rules */
	const char *noproxy;	/* NULL: the no_proxy environment variable */

	unsigned jobs;			/* 0: REGISTRY_JOBS_DEFAULT */
	long connect_timeout_ms;	/* 0: REGISTRY_CONNECT_TIMEOUT_MS */
	/* 0: REGISTRY_TIMEOUT_MS, per attempt; < 0: no overall limit
	 * (stall_ms still ends an attempt that receives nothing) */
	long timeout_ms;
	/* An attempt that receives less than 1 byte/s for this long (whole
	 * seconds, at least 1) fails as stalled, like a timeout: a registry
	 * that sends headers and part of a body and then nothing costs this,
	 * not the whole timeout. libcurl averages the speed over the last
	 * few seconds, so a body that stops after a few bytes ends about 5 s
	 * later than this. 0: REGISTRY_STALL_MS; never more than a positive
	 * timeout_ms. */
	long stall_ms;
	/* < 0: REGISTRY_RETRIES_DEFAULT; at most REGISTRY_RETRIES_MAX */
	int retries;
	unsigned backoff_base_ms;	/* 0: REGISTRY_BACKOFF_BASE_MS */
	unsigned retry_after_max_s;	/* 0: REGISTRY_RETRY_AFTER_MAX_S */
	size_t doc_max;			/* 0: REGISTRY_DOC_MAX */

	struct registry_cache *cache;	/* borrowed; NULL: no cache */
	int offline;	/* use only the cache, make no request */
	int refresh;	/* revalidate even what the cache covers */
	/*
	 * The caller needs each version's `dist` (integrity, signatures,
	 * attestations): a cached packument whose dist subset was never
	 * stored (a cache written by an older wormsign) does not cover.
	 */
	int want_dist;
};

/* Zeroes o and sets the defaults above (retries = -1 etc.). */
void registry_options_init(struct registry_options *o);

struct registry_client;

/*
 * Creates a client; o and everything it points to are borrowed and must
 * outlive the client. Returns 0, or WS_ERROR when libcurl cannot be set up
 * or o->registry is not an http(s) URL. curl_global_init() is the caller's
 * (main does it once).
 */
int registry_client_new(struct registry_client **out,
			const struct registry_options *o);
void registry_client_free(struct registry_client *client);

enum registry_status {
	REGISTRY_FETCHED,	/* 200: doc is the full packument */
	REGISTRY_REVALIDATED,	/* 304: doc is the cached subset */
	REGISTRY_CACHED,	/* cache covered it, no request: cached subset */
	REGISTRY_NOT_FOUND,	/* 404: the registry does not know the name */
	REGISTRY_FAILED,	/* error says why; doc NULL */
	REGISTRY_OFFLINE_STALE,	/* offline, cache lacks a wanted version: cached subset */
	REGISTRY_OFFLINE_MISSING, /* offline, nothing cached; doc NULL */
};

/* "fetched", "revalidated", ... for messages. */
const char *registry_status_name(enum registry_status s);

/* One package of a batch: its name and the versions the caller needs to
 * find in its time map (may be 0, which always asks the registry unless
 * offline). Borrowed for the duration of the call. */
struct registry_want {
	const char *name;
	const char *const *versions;
	size_t nversions;
};

/*
 * Called once per want, in completion order, from inside
 * registry_fetch_packuments() on the calling thread.
 *
 * doc, when not NULL, is a JSON object with at least a `time` object
 * (version -> ISO 8601 string, plus "created"/"modified") and a `versions`
 * object keyed by version. For the cached subset (REVALIDATED, CACHED,
 * OFFLINE_STALE) those two are all there is, and each `versions` member is
 * {"dist":{"integrity","signatures","attestations"}} as far as the
 * fetched packument had them ({"dist":{}} for a version without dist), or
 * an empty object when the cache holds no dist subset for the package. doc and error are valid only during the call.
 * error is NULL unless status is REGISTRY_FAILED or REGISTRY_OFFLINE_MISSING;
 * it names the package and never contains a credential.
 */
typedef void (*registry_cb)(const char *name, enum registry_status status,
			    const struct json_value *doc, const char *error,
			    void *payload);

struct registry_stats {
	size_t requests;	/* HTTP attempts, retries included */
	size_t fetched;
	size_t revalidated;
	size_t cached;
	size_t not_found;
	size_t failed;
	size_t offline;		/* OFFLINE_STALE + OFFLINE_MISSING */
};

/*
 * Fetches the packuments of wants[0..n) with at most o->jobs transfers in
 * flight (HTTP/2 multiplexed when the server offers it), gzip accepted,
 * conditional requests (If-None-Match / If-Modified-Since) when the cache
 * has validators, retries with exponential backoff and jitter on 429, 5xx,
 * timeouts and broken or truncated transfers (Retry-After honoured, capped
 * at retry_after_max_s). A body larger than doc_max, invalid JSON, a
 * document that is not an object or names another package fails that
 * package only. Successful responses update the cache.
 *
 * Returns 0 when the batch ran (whatever happened to each package; stats,
 * when not NULL, counts the outcomes), or WS_ERROR when it could not start.
 */
int registry_fetch_packuments(struct registry_client *client,
			      const struct registry_want *wants, size_t n,
			      registry_cb cb, void *payload,
			      struct registry_stats *stats);

/*
 * The URL path segment for a package name: "@scope/name" becomes
 * "@scope%2fname", other bytes outside [A-Za-z0-9._~-] are %-encoded.
 * Fails with WS_EPARSE for a name npm could not publish (empty, longer
 * than REGISTRY_NAME_MAX, control bytes, a '/' anywhere but after a scope,
 * "." or "..", a leading '.' or '_'). *out is the caller's.
 */
int registry_encode_name(char **out, const char *name);

/* ---- other documents: attestations, keys ---- */

/* One GET of a batch; both strings borrowed for the call. */
struct registry_get {
	const char *url;	/* absolute http(s) URL */
	const char *label;	/* names the document in messages */
};

/*
 * Called once per get, in completion order. status is REGISTRY_FETCHED
 * (body[0..len) is the response, NUL-terminated, valid during the call),
 * REGISTRY_NOT_FOUND, REGISTRY_FAILED (error says why) or
 * REGISTRY_OFFLINE_MISSING (the client is offline: no request was made).
 */
typedef void (*registry_get_cb)(size_t index, enum registry_status status,
				const char *body, size_t len,
				const char *error, void *payload);

/*
 * Fetches gets[0..n) with the packument batch's concurrency, retries, size
 * cap, authentication and TLS rules; nothing is cached here (the caller
 * decides what to keep). Returns 0 when the batch ran, WS_ERROR otherwise.
 */
int registry_fetch_urls(struct registry_client *client,
			const struct registry_get *gets, size_t n,
			registry_get_cb cb, void *payload,
			struct registry_stats *stats);

/*
 * The URL to fetch a registry document for package name (NULL: the
 * default registry) at `path`, as npm does: the registry base URL for the
 * name without its trailing slashes, then the path. For `path` a full URL
 * may be given (dist.attestations.url): only its path is used, never its
 * host. Fails with WS_EPARSE for a path that is not absolute, has a
 * control byte, a space or a ".." segment. *out is the caller's.
 */
int registry_doc_url(char **out, struct registry_client *client,
		     const char *name, const char *path);

/* The cache the client was given (may be NULL). Borrowed. */
struct registry_cache *registry_client_cache(struct registry_client *client);
/* Whether the client is offline (makes no request). */
int registry_client_offline(const struct registry_client *client);
/* Whether the client was asked to revalidate what the cache covers. */
int registry_client_refresh(const struct registry_client *client);

#endif
