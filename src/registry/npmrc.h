#ifndef WS_REGISTRY_NPMRC_H
#define WS_REGISTRY_NPMRC_H

/*
 * npm's configuration, resolved as npm itself resolves it, for the registry
 * client. Nothing here prints, and nothing reads the process environment or
 * $HOME: the environment and every path come in through npmrc_options, so
 * that tests (and the CLI) decide what is seen.
 *
 * Layers, highest precedence first:
 *   command line   npmrc_options.registry, .cli ("key=value" strings)
 *   environment    npm_config_<key> (case-insensitive; '_' after the first
 *                  character becomes '-', except for keys starting "//";
 *                  empty values are ignored, as npm does)
 *   project        <localPrefix>/.npmrc, localPrefix being the nearest
 *                  directory at or above project_dir holding package.json or
 *                  node_modules (project_dir itself when there is none); not
 *                  read when it is the user config file
 *   user           `userconfig` from the layers above, else
 *                  options.userconfig, else options.default_userconfig
 *   global         `globalconfig` from the layers above, else
 *                  options.globalconfig ($PREFIX/etc/npmrc)
 * There are no built-in defaults: in particular no default registry.
 *
 * File syntax follows the `ini` package npm uses: one `key = value` per line
 * (a key alone means "true"); lines starting with ';' or '#' are comments;
 * an unquoted value ends at the first unescaped ';' or '#' ("\;", "\#"
 * escape them); a value in double quotes is a JSON string ("\n" etc.), one in
 * single quotes is taken literally; `key[] = v` appends to an array; entries
 * under a `[section]` are not used by npm and are skipped with a warning.
 * In keys and values of every layer, ${NAME} is replaced by the variable
 * from options.env and ${NAME?} by it or by nothing; an unset ${NAME} stays
 * as written (npm's behaviour) and is recorded as a warning. "\${NAME}"
 * keeps the text literally.
 *
 * A malformed line (no key, a NUL or control byte) is skipped and recorded
 * as a warning "file:line:col: what", as npm ignores it. Going past a limit
 * (file size, line length, entries per file) fails the load with WS_ELIMIT,
 * since a config silently read in part could send a request elsewhere.
 *
 * Secrets (_authToken, _auth, _password and any key naming a token,
 * password or secret) are never returned by npmrc_get() or
 * npmrc_describe(); they reach the caller only through npmrc_auth_for() /
 * npmrc_auth_at(), for the host they are configured for.
 *
 * Not done, as in npm but unused here: `~/` expansion and relative path
 * resolution of path-typed keys (cafile, certfile, keyfile are returned as
 * written), workspaces' own .npmrc, builtin config of the npm install.
 *
 * A loaded struct npmrc is read-only: queries may run on several threads.
 */

#include <stddef.h>

#define NPMRC_FILE_MAX (1u << 20)	/* bytes per config file */
#define NPMRC_LINE_MAX (256u << 10)	/* bytes per line (inline CA PEMs) */
#define NPMRC_ENTRIES_MAX 4096		/* assignments per file/layer */
#define NPMRC_ARRAY_MAX 1024		/* values of one key[] array */
#define NPMRC_WARNINGS_MAX 64		/* warnings kept; later ones counted */
#define NPMRC_VALUE_MAX (256u << 10)	/* a value after ${} expansion */
#define NPMRC_DIR_DEPTH_MAX 256		/* directories walked up to localPrefix */

enum npmrc_layer {
	NPMRC_CLI,
	NPMRC_ENV,
	NPMRC_PROJECT,
	NPMRC_USER,
	NPMRC_GLOBAL,
	NPMRC_NLAYERS,
};

struct npmrc_options {
	const char *registry;	/* --registry, or NULL */
	const char *userconfig;	/* --userconfig, or NULL */
	/* Further command line settings, "key=value" each, NULL-terminated;
	 * NULL for none. Borrowed during npmrc_load(). */
	const char *const *cli;
	/* Where the project is searched from (normally the cwd or the scanned
	 * path); NULL: no project config. */
	const char *project_dir;
	/* ~/.npmrc, built by the caller from $HOME; NULL: none. */
	const char *default_userconfig;
	/* $PREFIX/etc/npmrc; NULL: none. */
	const char *globalconfig;
	/* "NAME=value" strings, NULL-terminated (environ's shape); NULL: empty.
	 * Used for npm_config_*, ${} expansion and the proxy variables. */
	const char *const *env;
};

struct npmrc;

/*
 * Reads every layer. Files that do not exist are skipped; one that cannot be
 * read is a warning. Returns 0, WS_ELIMIT when a limit is exceeded, or
 * WS_EPARSE when a command line setting has no '='; the message names the
 * file, line and column. *out is the caller's (npmrc_free) on success.
 */
int npmrc_load(struct npmrc **out, const struct npmrc_options *o);

/* Parses one file's text as layer `layer` of a config that has no other
 * layers (for fuzzing and tests); `name` is used in messages. */
int npmrc_load_buffer(struct npmrc **out, const char *name, const char *data,
		      size_t len, enum npmrc_layer layer,
		      const char *const *env);

void npmrc_free(struct npmrc *cfg);

/* The warnings recorded while loading, "file:line:col: what", oldest
 * first; borrowed. Their text never contains a value. */
size_t npmrc_warning_count(const struct npmrc *cfg);
const char *npmrc_warning_at(const struct npmrc *cfg, size_t i);

/* The project's localPrefix found by npmrc_load() (NULL when no
 * project_dir was given) and the file path read for a file layer (NULL when
 * none was read); borrowed. */
const char *npmrc_local_prefix(const struct npmrc *cfg);
const char *npmrc_layer_path(const struct npmrc *cfg, enum npmrc_layer layer);

/* "command line", "environment", "project", "user", "global". */
const char *npmrc_layer_name(enum npmrc_layer layer);

/*
 * A setting's effective value: the last assignment in the highest layer
 * that has the key. For an array (`key[]`) value is its first element and
 * values/count all of them; for a plain value count is 1. `source` is the
 * file path, or "command line" / "environment". All borrowed from cfg.
 */
struct npmrc_value {
	const char *key;
	const char *value;
	const char *const *values;
	size_t count;
	enum npmrc_layer layer;
	const char *source;
	unsigned line;		/* 0 outside files */
};

/* 1 when key is a secret (token, password, _auth: its value is never
 * returned by npmrc_get or npmrc_describe), else 0. */
int npmrc_key_is_secret(const char *key);

/*
 * Fills *out for key. Returns 0, or WS_ENOTFOUND when no layer sets it or
 * the key is secret (see npmrc_key_is_secret).
 */
int npmrc_get(const struct npmrc *cfg, const char *key,
	      struct npmrc_value *out);

/* The value of key or NULL (no value, or a secret key); borrowed. */
const char *npmrc_get_str(const struct npmrc *cfg, const char *key);

/*
 * The registry for a package: `@scope:registry` for "@scope/name", else
 * `registry`, with a trailing '/' added when missing. NULL when neither is
 * configured: there is no default registry, the caller says how to set one.
 * package may be NULL (the default registry). Borrowed from cfg.
 */
const char *npmrc_registry_for(const struct npmrc *cfg, const char *package);

/*
 * Credentials for a request URL, chosen as npm-registry-fetch does: the
 * URL's "//host[:port]/path" (port only when not the scheme's default, host
 * lowercased) is shortened one path segment at a time (trying both
 * "//h/a/" and "//h/a") until a key "<prefix>:_authToken", ":_auth",
 * ":username" with ":_password", or ":certfile" with ":keyfile" is set.
 * So the longest matching path prefix on the same host and port wins and a
 * token is never offered to another host. Within the match: token, else
 * _auth, else username with _password (base64, as npm stores it).
 * All pointers are borrowed from cfg; NULL when not set.
 */
struct npmrc_auth {
	const char *prefix;		/* the nerf dart matched, e.g. "//h/a/" */
	const char *token;		/* _authToken */
	const char *basic;		/* base64 "user:password" for Basic */
	const char *authorization;	/* "Bearer <token>" / "Basic <basic>" */
	const char *username;
	const char *certfile;
	const char *keyfile;
	int always_auth;	/* <prefix>:always-auth, else always-auth */
};

/* Returns 1 and fills *out when credentials apply to url, 0 when none do
 * (*out zeroed, always_auth still set), WS_EPARSE for a URL that is not
 * http(s)://host..., or WS_ELIMIT for a URL longer than 4 KiB. Only keys
 * under a "//host/" prefix count: a bare top-level _authToken/_auth is
 * never sent (npm 9 and later refuse it too). */
int npmrc_auth_for(const struct npmrc *cfg, const char *url,
		   struct npmrc_auth *out);

/* Every configured credential prefix, for building a client's list
 * (registry.h's struct registry_auth: prefix + authorization). */
size_t npmrc_auth_count(const struct npmrc *cfg);
void npmrc_auth_at(const struct npmrc *cfg, size_t i, struct npmrc_auth *out);

/* Network settings, with npm's defaults when unset. */
struct npmrc_net {
	const char *cafile;		/* path or NULL */
	const char *const *ca;		/* inline PEMs (`ca` / `ca[]`) */
	size_t nca;
	int strict_ssl;			/* strict-ssl, default 1 */
	long fetch_retries;		/* default 2 */
	long fetch_timeout_ms;		/* default 300000 */
	long fetch_retry_mintimeout_ms;	/* default 10000 */
	long fetch_retry_maxtimeout_ms;	/* default 60000 */
};

void npmrc_net(const struct npmrc *cfg, struct npmrc_net *out);

/*
 * Puts npm's fetch-timeout and fetch-retries from net into a registry
 * client's options (registry.h), with npm's meanings: fetch-timeout is the
 * limit of one attempt in ms, 0 meaning none (the client's stall limit
 * still ends a transfer that receives nothing, and is never longer than a
 * set timeout); fetch-retries is the retries after the first attempt,
 * capped at REGISTRY_RETRIES_MAX. The other fields of o are left alone.
 */
struct registry_options;
void npmrc_fetch_options(const struct npmrc_net *net,
			 struct registry_options *o);

/*
 * The proxy for a request URL, in npm's order: for https URLs
 * `https-proxy`, then `proxy`, then the variables https_proxy, HTTPS_PROXY,
 * http_proxy, HTTP_PROXY; for http URLs `proxy`, then http_proxy,
 * HTTP_PROXY. `proxy = false` means none. *noproxy is `noproxy` (array
 * elements joined by ','), else NO_PROXY, else no_proxy. Either may be set
 * to NULL. Borrowed from cfg. Returns 0, or WS_EPARSE for a non-http(s) URL.
 */
int npmrc_proxy_for(const struct npmrc *cfg, const char *url,
		    const char **proxy, const char **noproxy);

/*
 * The effective configuration for display: one item per key, sorted by
 * key, secret values replaced by "(redacted)" and any other value passed
 * through npmrc_redact(). Arrays are joined with ", ". The array and its
 * strings are borrowed from cfg until npmrc_free.
 */
struct npmrc_item {
	const char *key;
	const char *value;
	const char *source;
};

size_t npmrc_describe(const struct npmrc *cfg, const struct npmrc_item **out);

/*
 * Copies s to out (at most n bytes with the NUL; truncated output still
 * terminates) with credentials replaced by "***": the value after
 * "_authToken=", "_auth=", "_password=", "token=", "password=" (any case,
 * also with ':' or " = "), after "Bearer " / "Basic ", npm tokens "npm_..."
 * and the user:password of a URL. Returns the length written.
 */
size_t npmrc_redact(const char *s, char *out, size_t n);

#endif
