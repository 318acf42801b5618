#include "registry/npmrc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#include "json/json.h"
#include "registry/registry.h"
#include "util/banned.h"

struct entry {
	const char *key;
	const char **values;	/* xmalloc'd array of pool strings + NULL */
	size_t count, alloc;
	const char *norm;	/* registry keys: value with a trailing '/' */
	unsigned line;
};

struct layer {
	const char *source;	/* file path or layer name; NULL: unused */
	struct entry *entries;
	size_t n, alloc;
	struct strmap map;
};

struct auth_scope {
	struct npmrc_auth a;
};

struct npmrc {
	struct mempool pool;
	struct layer layers[NPMRC_NLAYERS];
	const char *paths[NPMRC_NLAYERS];
	const char *local_prefix;

	char **warnings;
	size_t nwarn, warn_alloc, warn_dropped;

	/* The environment is borrowed during load only: what queries need
	 * is copied. */
	const char *env_https_proxy, *env_http_proxy, *env_noproxy;

	struct auth_scope *auths;
	size_t nauth;
	struct strmap auth_map;
	int always_auth;

	struct npmrc_net net;
	const char *proxy_https, *proxy_http, *noproxy;

	struct npmrc_item *items;
	size_t nitems;
};

static const char *const layer_names[NPMRC_NLAYERS] = {
	"command line", "environment", "project", "user", "global",
};

const char *
npmrc_layer_name(enum npmrc_layer layer)
{
	if ((unsigned)layer >= NPMRC_NLAYERS)
		return "unknown";
	return layer_names[layer];
}

static void
add_warning(struct npmrc *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
add_warning(struct npmrc *cfg, const char *fmt, ...)
{
	va_list ap;
	char tmp[512];

	if (cfg->nwarn >= NPMRC_WARNINGS_MAX) {
		cfg->warn_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	XGROW(cfg->warnings, cfg->warn_alloc, cfg->nwarn + 1);
	cfg->warnings[cfg->nwarn++] = xstrdup(tmp);
}

static const char *
env_get(const char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (; env && *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' ||
	       c == '\n';
}

static void
trim(const char **s, size_t *len)
{
	while (*len && is_space((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static void
put_utf8(struct strbuf *sb, uint32_t cp)
{
	char tmp[4];

	strbuf_add(sb, tmp, (size_t)(json_put_utf8(tmp, cp) - tmp));
}

static int
read_u4(const char *s, size_t len, size_t i, uint32_t *out)
{
	uint32_t v = 0;
	size_t k;

	if (i + 4 > len)
		return -1;
	for (k = 0; k < 4; k++) {
		int h = json_hexval((unsigned char)s[i + k]);
		if (h < 0)
			return -1;
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return 0;
}

/*
 * JSON.parse of s[0..len) when it is exactly one JSON string literal:
 * appends the decoded text to sb and returns 0, else -1 (sb unchanged in
 * meaning: the caller resets it). Lone surrogates become U+FFFD, as
 * JavaScript would keep them and UTF-8 cannot.
 */
static int
json_string(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return -1;
	for (i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp, lo;

		if (c < 0x20 || c == '"')
			return -1;
		if (c != '\\') {
			strbuf_addch(sb, c);
			continue;
		}
		if (++i >= len - 1)
			return -1;
		switch (s[i]) {
		case '"': strbuf_addch(sb, '"'); break;
		case '\\': strbuf_addch(sb, '\\'); break;
		case '/': strbuf_addch(sb, '/'); break;
		case 'b': strbuf_addch(sb, '\b'); break;
		case 'f': strbuf_addch(sb, '\f'); break;
		case 'n': strbuf_addch(sb, '\n'); break;
		case 'r': strbuf_addch(sb, '\r'); break;
		case 't': strbuf_addch(sb, '\t'); break;
		case 'u':
			if (read_u4(s, len - 1, i + 1, &cp) < 0)
				return -1;
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 2 < len - 1 &&
			    s[i + 1] == '\\' && s[i + 2] == 'u' &&
			    read_u4(s, len - 1, i + 3, &lo) == 0 &&
			    lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				i += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			put_utf8(sb, cp);
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/*
 * The `ini` package's unsafe(): trims; a quoted value is JSON-decoded
 * (single quotes stripped first, the rest kept when it is no JSON string);
 * otherwise the value ends at the first unescaped ';' or '#'.
 */
static char *
ini_unsafe(struct mempool *mp, const char *s, size_t len)
{
	struct strbuf sb;
	char *res;
	size_t i;
	int esc = 0;

	trim(&s, &len);
	strbuf_init(&sb, NPMRC_LINE_MAX + 8);
	if (len >= 1 && ((s[0] == '"' && s[len - 1] == '"') ||
			 (s[0] == '\'' && s[len - 1] == '\''))) {
		if (s[0] == '\'') {
			s = len >= 2 ? s + 1 : s + len;
			len = len >= 2 ? len - 2 : 0;
		}
		if (json_string(&sb, s, len) < 0) {
			strbuf_reset(&sb);
			strbuf_add(&sb, s, len);
		}
		goto done;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (esc) {
			if (c != '\\' && c != ';' && c != '#')
				strbuf_addch(&sb, '\\');
			strbuf_addch(&sb, c);
			esc = 0;
		} else if (c == ';' || c == '#') {
			break;
		} else if (c == '\\') {
			esc = 1;
		} else {
			strbuf_addch(&sb, c);
		}
	}
	if (esc)
		strbuf_addch(&sb, '\\');
	{
		const char *t = sb.buf;
		size_t tl = sb.len;
		trim(&t, &tl);
		res = mempool_strndup(mp, t, tl);
		strbuf_release(&sb);
		return res;
	}
done:
	res = mempool_strndup(mp, sb.buf, sb.len);
	strbuf_release(&sb);
	return res;
}

/*
 * npm's env-replace: ${NAME} and ${NAME?} preceded by n backslashes. An
 * odd n keeps the expression literally, with (n-1)/2 backslashes; an even
 * n gives n/2 backslashes and the value. Unset ${NAME} stays as written.
 * Sets *missing to the first unset name (pool string) or leaves it.
 */
static int
env_replace(struct mempool *mp, const char *s, const char *const *env,
	    const char **out, const char **missing)
{
	struct strbuf sb;
	size_t i, len = strlen(s);
	int rc = 0;

	if (!strstr(s, "${")) {
		*out = s;
		return 0;
	}
	strbuf_init(&sb, NPMRC_VALUE_MAX);
	for (i = 0; i < len;) {
		size_t nstart, nend, n = 0, j;
		int opt = 0;
		char name[256];
		const char *val;

		if (s[i] != '$' || i + 1 >= len || s[i + 1] != '{') {
			if (strbuf_addch(&sb, s[i]) < 0)
				goto limit;
			i++;
			continue;
		}
		nstart = i + 2;
		for (nend = nstart; nend < len && !strchr("${}?", s[nend]);
		     nend++)
			;
		if (nend == nstart || nend >= len) {
			if (strbuf_addch(&sb, s[i]) < 0)
				goto limit;
			i++;
			continue;
		}
		j = nend;
		if (s[j] == '?') {
			opt = 1;
			j++;
		}
		if (j >= len || s[j] != '}') {
			if (strbuf_addch(&sb, s[i]) < 0)
				goto limit;
			i++;
			continue;
		}
		while (n < sb.len && sb.buf[sb.len - 1 - n] == '\\')
			n++;
		sb.len -= n;
		sb.buf[sb.len] = '\0';
		if (n % 2) {
			size_t k;
			for (k = 0; k < (n - 1) / 2; k++)
				if (strbuf_addch(&sb, '\\') < 0)
					goto limit;
			if (strbuf_add(&sb, s + i, j + 1 - i) < 0)
				goto limit;
			i = j + 1;
			continue;
		}
		{
			size_t k;
			for (k = 0; k < n / 2; k++)
				if (strbuf_addch(&sb, '\\') < 0)
					goto limit;
		}
		val = NULL;
		if (nend - nstart < sizeof(name)) {
			memcpy(name, s + nstart, nend - nstart);
			name[nend - nstart] = '\0';
			val = env_get(env, name);
		}
		if (val) {
			if (strbuf_addstr(&sb, val) < 0)
				goto limit;
		} else if (!opt) {
			if (missing && !*missing)
				*missing = mempool_strndup(mp, s + nstart,
							   nend - nstart);
			if (strbuf_add(&sb, s + i, nend - i) < 0 ||
			    strbuf_addch(&sb, '}') < 0)
				goto limit;
		}
		i = j + 1;
	}
	*out = mempool_strndup(mp, sb.buf, sb.len);
	goto done;
limit:
	rc = WS_ELIMIT;
done:
	strbuf_release(&sb);
	return rc;
}

static int
is_registry_key(const char *key)
{
	size_t len = strlen(key);

	return strcmp(key, "registry") == 0 ||
	       (len > 9 && key[0] == '@' &&
		strcmp(key + len - 9, ":registry") == 0);
}

static void
entry_set_norm(struct mempool *mp, struct entry *e)
{
	const char *v = e->values[0];
	size_t len = strlen(v);

	e->norm = NULL;
	if (!is_registry_key(e->key) || len == 0)
		return;
	e->norm = v[len - 1] == '/' ? v : mempool_strcat2(mp, v, len, "/", 1);
}

/* Assigns key in layer: a plain assignment replaces, key[] appends. */
static int
layer_set(struct npmrc *cfg, struct layer *l, const char *key,
	  const char *value, int append, unsigned line, const char *where)
{
	struct strmap_entry *se;
	struct entry *e;

	se = strmap_find(&l->map, key, strlen(key));
	if (se) {
		e = &l->entries[se->value];
	} else {
		if (l->n >= NPMRC_ENTRIES_MAX)
			return ws_error_set(WS_ELIMIT,
					    "%s:%u:1: more than %u settings",
					    where, line, NPMRC_ENTRIES_MAX);
		XGROW(l->entries, l->alloc, l->n + 1);
		e = &l->entries[l->n];
		memset(e, 0, sizeof(*e));
		e->key = mempool_strdup(&cfg->pool, key);
		strmap_put(&l->map, e->key, strlen(e->key), (uint32_t)l->n,
			   NULL);
		l->n++;
	}
	if (!append)
		e->count = 0;
	if (e->count >= NPMRC_ARRAY_MAX)
		return ws_error_set(WS_ELIMIT, "%s:%u:1: more than %u values",
				    where, line, NPMRC_ARRAY_MAX);
	XGROW(e->values, e->alloc, e->count + 2);
	e->values[e->count++] = value;
	e->values[e->count] = NULL;
	e->line = line;
	entry_set_norm(&cfg->pool, e);
	return 0;
}

/* Expands key and value and assigns them; a missing variable warns. */
static int
assign(struct npmrc *cfg, enum npmrc_layer layer, const char *key,
       const char *value, int append, unsigned line, const char *where,
       const char *const *env)
{
	const char *missing = NULL, *k, *v;
	int rc;

	if ((rc = env_replace(&cfg->pool, key, env, &k, &missing)) < 0 ||
	    (rc = env_replace(&cfg->pool, value, env, &v, &missing)) < 0)
		return ws_error_set(rc, "%s:%u:1: value longer than %u bytes "
				    "after ${} expansion", where, line,
				    NPMRC_VALUE_MAX);
	if (missing)
		add_warning(cfg, "%s:%u:1: environment variable '%s' is not "
			    "set: left as written", where, line, missing);
	if (!*k || strcmp(k, "__proto__") == 0)
		return 0;
	return layer_set(cfg, &cfg->layers[layer], k, v, append, line, where);
}

/* One line of an ini file, s[0..len) without its line break. */
static int
parse_line(struct npmrc *cfg, enum npmrc_layer layer, const char *name,
	   unsigned lineno, const char *s, size_t len, int *in_section,
	   const char *const *env)
{
	const char *eq, *p;
	const char *key, *value;
	size_t i, klen;
	int append = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			add_warning(cfg, "%s:%u:%zu: control character in "
				    "line: line ignored", name, lineno, i + 1);
			return 0;
		}
	}
	p = s;
	i = len;
	trim(&p, &i);
	if (i == 0 || *p == ';' || *p == '#')
		return 0;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);
		const char *t = close ? close + 1 : NULL;
		size_t tl = t ? len - (size_t)(t - s) : 0;
		if (t) {
			trim(&t, &tl);
			if (tl == 0) {
				*in_section = 1;
				add_warning(cfg, "%s:%u:1: section ignored: "
					    "npm reads no settings under a "
					    "[section]", name, lineno);
				return 0;
			}
		}
	}
	eq = memchr(s, '=', len);
	if (eq == s) {
		add_warning(cfg, "%s:%u:1: missing key before '=': line "
			    "ignored", name, lineno);
		return 0;
	}
	if (*in_section)
		return 0;
	klen = eq ? (size_t)(eq - s) : len;
	key = ini_unsafe(&cfg->pool, s, klen);
	if (!*key) {
		add_warning(cfg, "%s:%u:1: missing key: line ignored", name,
			    lineno);
		return 0;
	}
	klen = strlen(key);
	if (klen > 2 && key[klen - 2] == '[' && key[klen - 1] == ']') {
		append = 1;
		key = mempool_strndup(&cfg->pool, key, klen - 2);
	}
	value = eq ? ini_unsafe(&cfg->pool, eq + 1, len - (size_t)(eq - s) - 1)
		   : "true";
	return assign(cfg, layer, key, value, append, lineno, name, env);
}

static int
parse_text(struct npmrc *cfg, enum npmrc_layer layer, const char *name,
	   const char *data, size_t len, const char *const *env)
{
	size_t i = 0;
	unsigned lineno = 0;
	int in_section = 0, rc = 0;

	if (len > NPMRC_FILE_MAX)
		return ws_error_set(WS_ELIMIT, "%s: larger than %u bytes",
				    name, NPMRC_FILE_MAX);
	while (i < len) {
		size_t start = i, end;

		lineno++;
		while (i < len && data[i] != '\n' && data[i] != '\r')
			i++;
		end = i;
		if (i < len && data[i] == '\r')
			i++;
		if (i < len && data[i] == '\n' && (i == end || data[i - 1] == '\r'))
			i++;
		if (end - start > NPMRC_LINE_MAX) {
			rc = ws_error_set(WS_ELIMIT, "%s:%u:%u: line longer "
					  "than %u bytes", name, lineno,
					  NPMRC_LINE_MAX + 1, NPMRC_LINE_MAX);
			goto done;
		}
		rc = parse_line(cfg, layer, name, lineno, data + start,
				end - start, &in_section, env);
		if (rc < 0)
			goto done;
	}
done:
	return rc;
}

static int
load_file(struct npmrc *cfg, enum npmrc_layer layer, const char *path,
	  const char *const *env)
{
	struct strbuf sb;
	int rc;

	strbuf_init(&sb, NPMRC_FILE_MAX);
	rc = strbuf_read_file(&sb, path, 0);
	if (rc == WS_ENOTFOUND) {
		rc = 0;
		goto done;
	}
	if (rc == WS_ELIMIT) {
		rc = ws_error_set(WS_ELIMIT, "%s: larger than %u bytes", path,
				  NPMRC_FILE_MAX);
		goto done;
	}
	if (rc < 0) {
		add_warning(cfg, "%s: cannot be read: file ignored", path);
		rc = 0;
		goto done;
	}
	cfg->paths[layer] = mempool_strdup(&cfg->pool, path);
	cfg->layers[layer].source = cfg->paths[layer];
	rc = parse_text(cfg, layer, cfg->paths[layer], sb.buf, sb.len, env);
done:
	strbuf_release(&sb);
	return rc;
}

static const struct entry *
lookup(const struct npmrc *cfg, const char *key, enum npmrc_layer *layer)
{
	size_t len = strlen(key);
	int i;

	for (i = 0; i < NPMRC_NLAYERS; i++) {
		const struct strmap_entry *se;
		se = strmap_find(&cfg->layers[i].map, key, len);
		if (se) {
			if (layer)
				*layer = (enum npmrc_layer)i;
			return &cfg->layers[i].entries[se->value];
		}
	}
	return NULL;
}

static const char *
raw_str(const struct npmrc *cfg, const char *key)
{
	const struct entry *e = lookup(cfg, key, NULL);
	return e ? e->values[0] : NULL;
}

static int
is_file(const char *dir, const char *name, int want_dir)
{
	char path[PATH_MAX];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) < 0)
		return 0;
	return want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* npm's localPrefix: the nearest directory at or above dir with
 * package.json or node_modules, else dir itself. */
static const char *
find_local_prefix(struct npmrc *cfg, const char *dir)
{
	char buf[PATH_MAX], cwd[PATH_MAX];
	int n, depth;
	const char *start;

	if (dir[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return mempool_strdup(&cfg->pool, dir);
		n = snprintf(buf, sizeof(buf), "%s/%s", cwd, dir);
	} else {
		n = snprintf(buf, sizeof(buf), "%s", dir);
	}
	if (n < 0 || (size_t)n >= sizeof(buf))
		return mempool_strdup(&cfg->pool, dir);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	start = mempool_strdup(&cfg->pool, buf);
	for (depth = 0; depth < NPMRC_DIR_DEPTH_MAX; depth++) {
		char *slash;
		if (is_file(buf, "package.json", 0) ||
		    is_file(buf, "node_modules", 1))
			return mempool_strdup(&cfg->pool, buf);
		slash = strrchr(buf, '/');
		if (!slash || (slash == buf && buf[1] == '\0'))
			break;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return start;
}

static void
load_env(struct npmrc *cfg, const char *const *env, int *rc)
{
	const char *const *e;

	for (e = env; e && *e && *rc == 0; e++) {
		const char *eq = strchr(*e, '=');
		char *key;
		size_t i, klen;

		if (!eq || (size_t)(eq - *e) <= 11 ||
		    strncasecmp(*e, "npm_config_", 11) != 0 || !eq[1])
			continue;
		klen = (size_t)(eq - *e) - 11;
		key = mempool_strndup(&cfg->pool, *e + 11, klen);
		if (strncmp(key, "//", 2) != 0) {
			for (i = 0; i < klen; i++) {
				if (key[i] == '_' && i > 0)
					key[i] = '-';
				key[i] = (char)tolower((unsigned char)key[i]);
			}
		}
		*rc = assign(cfg, NPMRC_ENV, key,
			     mempool_strdup(&cfg->pool, eq + 1), 0, 0,
			     "environment", env);
	}
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
base64_encode(struct mempool *mp, const unsigned char *s, size_t len)
{
	char *out = mempool_alloc(mp, (len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = b64[s[i] >> 2];
		*o++ = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*o++ = b64[s[i + 2] & 63];
	}
	if (i < len) {
		*o++ = b64[s[i] >> 2];
		if (i + 1 < len) {
			*o++ = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			*o++ = b64[(s[i + 1] & 15) << 2];
		} else {
			*o++ = b64[(s[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* Lenient, as Node's Buffer.from(s, 'base64'): other bytes are skipped,
 * the URL-safe alphabet is accepted, '=' ends the data. */
static size_t
base64_decode(unsigned char *out, const char *s)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *s && *s != '='; s++) {
		const char *p;
		int v;
		if (*s == '-')
			v = 62;
		else if (*s == '_')
			v = 63;
		else if ((p = strchr(b64, *s)) && *s)
			v = (int)(p - b64);
		else
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return n;
}

static const char *const auth_fields[] = {
	"_authToken", "_auth", "username", "_password", "certfile",
	"keyfile", "always-auth", NULL,
};

static int
is_true(const char *v)
{
	return v && strcmp(v, "false") != 0 && strcmp(v, "0") != 0 &&
	       strcmp(v, "null") != 0 && *v;
}

static const char *
scoped(const struct npmrc *cfg, const char *prefix, const char *field)
{
	char key[1024];
	int n = snprintf(key, sizeof(key), "%s:%s", prefix, field);

	if (n < 0 || (size_t)n >= sizeof(key))
		return NULL;
	return raw_str(cfg, key);
}

static void
add_auth_scope(struct npmrc *cfg, const char *prefix, size_t plen,
	       size_t *alloc)
{
	struct npmrc_auth *a;
	const char *pw;

	if (strmap_find(&cfg->auth_map, prefix, plen))
		return;
	XGROW(cfg->auths, *alloc, cfg->nauth + 1);
	a = &cfg->auths[cfg->nauth].a;
	memset(a, 0, sizeof(*a));
	a->prefix = mempool_strndup(&cfg->pool, prefix, plen);
	strmap_put(&cfg->auth_map, a->prefix, plen, (uint32_t)cfg->nauth,
		   NULL);
	cfg->nauth++;
	a->token = scoped(cfg, a->prefix, "_authToken");
	a->username = scoped(cfg, a->prefix, "username");
	a->certfile = scoped(cfg, a->prefix, "certfile");
	a->keyfile = scoped(cfg, a->prefix, "keyfile");
	pw = scoped(cfg, a->prefix, "_password");
	a->always_auth = scoped(cfg, a->prefix, "always-auth") ?
				 is_true(scoped(cfg, a->prefix, "always-auth")) :
				 cfg->always_auth;
	if (a->token && *a->token) {
		a->authorization = mempool_printf(&cfg->pool, "Bearer %s",
						  a->token);
	} else if (scoped(cfg, a->prefix, "_auth") &&
		   *scoped(cfg, a->prefix, "_auth")) {
		a->basic = scoped(cfg, a->prefix, "_auth");
	} else if (a->username && *a->username && pw && *pw) {
		size_t ulen = strlen(a->username), plen2;
		unsigned char *buf = mempool_alloc(&cfg->pool,
						   ulen + 1 + strlen(pw));
		memcpy(buf, a->username, ulen);
		buf[ulen] = ':';
		plen2 = base64_decode(buf + ulen + 1, pw);
		a->basic = base64_encode(&cfg->pool, buf, ulen + 1 + plen2);
	}
	if (a->basic)
		a->authorization = mempool_printf(&cfg->pool, "Basic %s",
						  a->basic);
	if (a->token && !*a->token)
		a->token = NULL;
}

static int
has_auth(const struct npmrc_auth *a)
{
	return a->authorization || (a->certfile && a->keyfile);
}

static void
collect_auth(struct npmrc *cfg)
{
	size_t alloc = 0, i;
	int l;

	cfg->always_auth = is_true(raw_str(cfg, "always-auth"));
	for (l = 0; l < NPMRC_NLAYERS; l++) {
		for (i = 0; i < cfg->layers[l].n; i++) {
			const char *k = cfg->layers[l].entries[i].key;
			const char *colon = strrchr(k, ':');
			int f;
			if (strncmp(k, "//", 2) != 0 || !colon)
				continue;
			for (f = 0; auth_fields[f]; f++)
				if (strcmp(colon + 1, auth_fields[f]) == 0)
					break;
			if (auth_fields[f])
				add_auth_scope(cfg, k, (size_t)(colon - k),
					       &alloc);
		}
	}
}

static long
num_setting(struct npmrc *cfg, const char *key, long def)
{
	enum npmrc_layer layer;
	const struct entry *e = lookup(cfg, key, &layer);
	char *end;
	long v;

	if (!e)
		return def;
	errno = 0;
	v = strtol(e->values[0], &end, 10);
	if (errno || end == e->values[0] || *end || v < 0) {
		add_warning(cfg, "%s:%u:1: '%s' is not a number: default used",
			    cfg->layers[layer].source, e->line, key);
		return def;
	}
	return v;
}

static const char *
env_any(struct npmrc *cfg, const char *const *env, const char *a,
	const char *b)
{
	const char *v = env_get(env, a);

	if (!v || !*v)
		v = env_get(env, b);
	return v && *v ? mempool_strdup(&cfg->pool, v) : NULL;
}

static void
collect_net(struct npmrc *cfg, const char *const *env)
{
	const struct entry *e;
	const char *v;

	cfg->net.cafile = raw_str(cfg, "cafile");
	e = lookup(cfg, "ca", NULL);
	if (e && strcmp(e->values[0], "null") != 0) {
		cfg->net.ca = e->values;
		cfg->net.nca = e->count;
	}
	v = raw_str(cfg, "strict-ssl");
	cfg->net.strict_ssl = v ? is_true(v) : 1;
	cfg->net.fetch_retries = num_setting(cfg, "fetch-retries", 2);
	cfg->net.fetch_timeout_ms = num_setting(cfg, "fetch-timeout", 300000);
	cfg->net.fetch_retry_mintimeout_ms =
		num_setting(cfg, "fetch-retry-mintimeout", 10000);
	cfg->net.fetch_retry_maxtimeout_ms =
		num_setting(cfg, "fetch-retry-maxtimeout", 60000);

	{
		const char *https_env = env_any(cfg, env, "https_proxy",
						"HTTPS_PROXY");
		const char *http_env = env_any(cfg, env, "http_proxy",
					       "HTTP_PROXY");
		const char *hp = raw_str(cfg, "https-proxy");
		const char *p = raw_str(cfg, "proxy");
		int p_off = p && (strcmp(p, "false") == 0 ||
				  strcmp(p, "null") == 0 || !*p);

		if (hp && (strcmp(hp, "null") == 0 || !*hp))
			hp = NULL;
		cfg->proxy_https = hp ? hp : p ? (p_off ? NULL : p) :
				   https_env ? https_env : http_env;
		cfg->proxy_http = p ? (p_off ? NULL : p) : http_env;
	}
	e = lookup(cfg, "noproxy", NULL);
	if (e && e->count > 1) {
		struct strbuf sb;
		size_t i;
		strbuf_init(&sb, (size_t)NPMRC_ARRAY_MAX * NPMRC_LINE_MAX);
		for (i = 0; i < e->count; i++) {
			if (i)
				strbuf_addch(&sb, ',');
			strbuf_addstr(&sb, e->values[i]);
		}
		cfg->noproxy = mempool_strndup(&cfg->pool, sb.buf, sb.len);
		strbuf_release(&sb);
	} else if (e) {
		cfg->noproxy = e->values[0];
	} else {
		cfg->noproxy = env_any(cfg, env, "NO_PROXY", "no_proxy");
	}
}

int
npmrc_key_is_secret(const char *key)
{
	char low[256];
	const char *name;
	size_t i;

	for (i = 0; key[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)key[i]);
	low[i] = '\0';
	name = strrchr(low, ':');
	name = name ? name + 1 : low;
	if (strstr(low, "token") || strstr(low, "password") ||
	    strstr(low, "passwd") || strstr(low, "secret"))
		return 1;
	if (strcmp(name, "_auth") == 0 || strcmp(name, "otp") == 0)
		return 1;
	/* Too long to inspect, or userinfo in a nerf dart key (credentials
	 * in the key itself): treated as secret. */
	return key[i] != '\0' || (low[0] == '/' && strchr(low, '@'));
}

static int
item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct npmrc_item *)a)->key,
		      ((const struct npmrc_item *)b)->key);
}

static const char *
redact_pool(struct npmrc *cfg, const char *s)
{
	size_t n = strlen(s) * 2 + 8;
	char *out = mempool_alloc(&cfg->pool, n);

	npmrc_redact(s, out, n);
	return out;
}

static void
collect_items(struct npmrc *cfg)
{
	struct strmap seen;
	size_t alloc = 0, i;
	int l;

	strmap_init(&seen);
	for (l = 0; l < NPMRC_NLAYERS; l++) {
		for (i = 0; i < cfg->layers[l].n; i++) {
			const struct entry *e = &cfg->layers[l].entries[i];
			struct npmrc_item *it;
			if (!strmap_put(&seen, e->key, strlen(e->key), 0, NULL))
				continue;
			XGROW(cfg->items, alloc, cfg->nitems + 1);
			it = &cfg->items[cfg->nitems++];
			it->key = redact_pool(cfg, e->key);
			it->source = cfg->layers[l].source;
			if (npmrc_key_is_secret(e->key)) {
				it->value = "(redacted)";
			} else if (e->count == 1) {
				it->value = redact_pool(cfg, e->values[0]);
			} else {
				struct strbuf sb;
				size_t k;
				strbuf_init(&sb, SIZE_MAX / 2);
				for (k = 0; k < e->count; k++) {
					if (k)
						strbuf_addstr(&sb, ", ");
					strbuf_addstr(&sb, e->values[k]);
				}
				it->value = redact_pool(cfg, sb.buf);
				strbuf_release(&sb);
			}
		}
	}
	strmap_release(&seen);
	if (cfg->nitems)
		qsort(cfg->items, cfg->nitems, sizeof(*cfg->items), item_cmp);
}

static void
finish(struct npmrc *cfg, const char *const *env)
{
	collect_auth(cfg);
	collect_net(cfg, env);
	collect_items(cfg);
}

static struct npmrc *
npmrc_alloc(void)
{
	struct npmrc *cfg = xcalloc(1, sizeof(*cfg));
	int i;

	mempool_init(&cfg->pool, 16384);
	for (i = 0; i < NPMRC_NLAYERS; i++)
		strmap_init(&cfg->layers[i].map);
	strmap_init(&cfg->auth_map);
	cfg->layers[NPMRC_CLI].source = layer_names[NPMRC_CLI];
	cfg->layers[NPMRC_ENV].source = layer_names[NPMRC_ENV];
	return cfg;
}

int
npmrc_load(struct npmrc **out, const struct npmrc_options *o)
{
	struct npmrc *cfg = npmrc_alloc();
	const char *const *c;
	const char *user = NULL, *global, *project = NULL;
	int rc = 0;

	*out = NULL;
	if (o->registry)
		rc = assign(cfg, NPMRC_CLI, "registry",
			    mempool_strdup(&cfg->pool, o->registry), 0, 0,
			    "command line", o->env);
	if (rc == 0 && o->userconfig)
		rc = assign(cfg, NPMRC_CLI, "userconfig",
			    mempool_strdup(&cfg->pool, o->userconfig), 0, 0,
			    "command line", o->env);
	for (c = o->cli; rc == 0 && c && *c; c++) {
		const char *eq = strchr(*c, '=');
		if (!eq || eq == *c) {
			rc = ws_error_set(WS_EPARSE, "command line: setting "
					  "without 'key=': '%.40s'", *c);
			goto done;
		}
		rc = assign(cfg, NPMRC_CLI,
			    mempool_strndup(&cfg->pool, *c, (size_t)(eq - *c)),
			    mempool_strdup(&cfg->pool, eq + 1), 0, 0,
			    "command line", o->env);
	}
	if (rc < 0)
		goto done;
	load_env(cfg, o->env, &rc);
	if (rc < 0)
		goto done;

	user = raw_str(cfg, "userconfig");
	if (!user)
		user = o->default_userconfig;
	if (o->project_dir) {
		cfg->local_prefix = find_local_prefix(cfg, o->project_dir);
		project = mempool_printf(&cfg->pool, "%s%s.npmrc",
					 cfg->local_prefix,
					 strcmp(cfg->local_prefix, "/") ? "/" : "");
		if (!user || strcmp(project, user) != 0)
			rc = load_file(cfg, NPMRC_PROJECT, project, o->env);
		if (rc < 0)
			goto done;
	}
	/* The project may name the user config (npm reads it after). */
	user = raw_str(cfg, "userconfig");
	if (!user)
		user = o->default_userconfig;
	if (user && (!project || strcmp(project, user) != 0))
		rc = load_file(cfg, NPMRC_USER, user, o->env);
	if (rc < 0)
		goto done;
	global = raw_str(cfg, "globalconfig");
	if (!global)
		global = o->globalconfig;
	if (global)
		rc = load_file(cfg, NPMRC_GLOBAL, global, o->env);
	if (rc < 0)
		goto done;
	finish(cfg, o->env);
	*out = cfg;
	cfg = NULL;
done:
	npmrc_free(cfg);
	return rc;
}

int
npmrc_load_buffer(struct npmrc **out, const char *name, const char *data,
		  size_t len, enum npmrc_layer layer, const char *const *env)
{
	struct npmrc *cfg = npmrc_alloc();
	int rc;

	*out = NULL;
	if ((unsigned)layer >= NPMRC_NLAYERS)
		layer = NPMRC_PROJECT;
	cfg->paths[layer] = mempool_strdup(&cfg->pool, name);
	cfg->layers[layer].source = cfg->paths[layer];
	rc = parse_text(cfg, layer, cfg->paths[layer], data, len, env);
	if (rc < 0)
		goto done;
	finish(cfg, env);
	*out = cfg;
	cfg = NULL;
done:
	npmrc_free(cfg);
	return rc;
}

void
npmrc_free(struct npmrc *cfg)
{
	size_t i, k;

	if (!cfg)
		return;
	for (i = 0; i < NPMRC_NLAYERS; i++) {
		for (k = 0; k < cfg->layers[i].n; k++)
			free(cfg->layers[i].entries[k].values);
		free(cfg->layers[i].entries);
		strmap_release(&cfg->layers[i].map);
	}
	for (i = 0; i < cfg->nwarn; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	free(cfg->auths);
	strmap_release(&cfg->auth_map);
	free(cfg->items);
	mempool_release(&cfg->pool);
	free(cfg);
}

size_t
npmrc_warning_count(const struct npmrc *cfg)
{
	return cfg->nwarn;
}

const char *
npmrc_warning_at(const struct npmrc *cfg, size_t i)
{
	return i < cfg->nwarn ? cfg->warnings[i] : NULL;
}

const char *
npmrc_local_prefix(const struct npmrc *cfg)
{
	return cfg->local_prefix;
}

const char *
npmrc_layer_path(const struct npmrc *cfg, enum npmrc_layer layer)
{
	if ((unsigned)layer >= NPMRC_NLAYERS)
		return NULL;
	return cfg->paths[layer];
}

int
npmrc_get(const struct npmrc *cfg, const char *key, struct npmrc_value *out)
{
	enum npmrc_layer layer;
	const struct entry *e;

	memset(out, 0, sizeof(*out));
	if (npmrc_key_is_secret(key))
		return WS_ENOTFOUND;
	e = lookup(cfg, key, &layer);
	if (!e)
		return WS_ENOTFOUND;
	out->key = e->key;
	out->value = e->values[0];
	out->values = e->values;
	out->count = e->count;
	out->layer = layer;
	out->source = cfg->layers[layer].source;
	out->line = e->line;
	return 0;
}

const char *
npmrc_get_str(const struct npmrc *cfg, const char *key)
{
	struct npmrc_value v;

	return npmrc_get(cfg, key, &v) == 0 ? v.value : NULL;
}

const char *
npmrc_registry_for(const struct npmrc *cfg, const char *package)
{
	const struct entry *e = NULL;

	if (package && package[0] == '@') {
		const char *slash = strchr(package, '/');
		size_t slen = slash ? (size_t)(slash - package) : strlen(package);
		char key[512];
		if (slen + sizeof(":registry") <= sizeof(key)) {
			memcpy(key, package, slen);
			memcpy(key + slen, ":registry", sizeof(":registry"));
			e = lookup(cfg, key, NULL);
		}
	}
	if (!e || !e->norm)
		e = lookup(cfg, "registry", NULL);
	return e ? e->norm : NULL;
}

/* "//host[:port]/path" of an http(s) URL, in buf. */
static int
nerf_of(const char *url, char *buf, size_t n, int *https)
{
	const char *p, *auth, *end, *at, *port;
	size_t o = 0, k;

	if (strncasecmp(url, "https://", 8) == 0) {
		*https = 1;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		*https = 0;
		p = url + 7;
	} else {
		return ws_error_set(WS_EPARSE, "not an http(s) url");
	}
	auth = p;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (k = 0; auth + k < end; k++)
		if (auth[k] == '@')
			at = auth + k;
	if (at)
		auth = at + 1;
	if (auth == end)
		return ws_error_set(WS_EPARSE, "url without a host");
	port = NULL;
	for (k = (size_t)(end - auth); k > 0; k--) {
		if (auth[k - 1] == ':') {
			port = auth + k - 1;
			break;
		}
		if (auth[k - 1] == ']' || !isdigit((unsigned char)auth[k - 1]))
			break;
	}
	if (port && (port + 1 == end ||
		     (*https && end - port == 4 && !strncmp(port, ":443", 4)) ||
		     (!*https && end - port == 3 && !strncmp(port, ":80", 3)))) {
		/* the scheme's default port is not part of the host */
	} else {
		port = NULL;
	}
	if (n < 3)
		return WS_ELIMIT;
	buf[o++] = '/';
	buf[o++] = '/';
	for (p = auth; p < (port ? port : end); p++) {
		if (o + 1 >= n)
			return ws_error_set(WS_ELIMIT, "url too long");
		buf[o++] = (char)tolower((unsigned char)*p);
	}
	p = end;
	if (*p != '/') {
		if (o + 1 >= n)
			return ws_error_set(WS_ELIMIT, "url too long");
		buf[o++] = '/';
	} else {
		for (; *p && *p != '?' && *p != '#'; p++) {
			if (o + 1 >= n)
				return ws_error_set(WS_ELIMIT, "url too long");
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
	return 0;
}

int
npmrc_auth_for(const struct npmrc *cfg, const char *url,
	       struct npmrc_auth *out)
{
	char key[4096];
	size_t len;
	int https, rc;

	memset(out, 0, sizeof(*out));
	out->always_auth = cfg->always_auth;
	if ((rc = nerf_of(url, key, sizeof(key), &https)) < 0)
		return rc;
	len = strlen(key);
	while (len > 2) {
		const struct strmap_entry *se = strmap_find(&cfg->auth_map,
							    key, len);
		if (se && has_auth(&cfg->auths[se->value].a)) {
			*out = cfg->auths[se->value].a;
			return 1;
		}
		if (key[len - 1] == '/') {
			len--;
		} else {
			while (len > 0 && key[len - 1] != '/')
				len--;
		}
	}
	return 0;
}

size_t
npmrc_auth_count(const struct npmrc *cfg)
{
	return cfg->nauth;
}

void
npmrc_auth_at(const struct npmrc *cfg, size_t i, struct npmrc_auth *out)
{
	if (i < cfg->nauth)
		*out = cfg->auths[i].a;
	else
		memset(out, 0, sizeof(*out));
}

void
npmrc_net(const struct npmrc *cfg, struct npmrc_net *out)
{
	*out = cfg->net;
}

void
npmrc_fetch_options(const struct npmrc_net *net, struct registry_options *o)
{
	o->timeout_ms = net->fetch_timeout_ms > 0 ? net->fetch_timeout_ms : -1;
	o->retries = net->fetch_retries > REGISTRY_RETRIES_MAX ?
		REGISTRY_RETRIES_MAX : (int)net->fetch_retries;
}

int
npmrc_proxy_for(const struct npmrc *cfg, const char *url, const char **proxy,
		const char **noproxy)
{
	char key[16];
	int https, rc;

	rc = nerf_of(url, key, sizeof(key), &https);
	if (rc == WS_EPARSE)
		return rc;
	if (proxy)
		*proxy = https ? cfg->proxy_https : cfg->proxy_http;
	if (noproxy)
		*noproxy = cfg->noproxy;
	ws_error_clear();
	return 0;
}

size_t
npmrc_describe(const struct npmrc *cfg, const struct npmrc_item **out)
{
	*out = cfg->items;
	return cfg->nitems;
}

static size_t
match_ci(const char *s, const char *word)
{
	size_t i;

	for (i = 0; word[i]; i++)
		if (tolower((unsigned char)s[i]) != word[i])
			return 0;
	return i;
}

static int
is_secret_end(int c)
{
	return c == '\0' || is_space(c) || c == '"' || c == '\'' ||
	       c == ',' || c == ';' || c == '&' || c == '}' || c == ']' ||
	       c == ')';
}

struct out {
	char *buf;
	size_t n, len;
};

static void
out_put(struct out *o, const char *s, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		if (o->len + 1 < o->n)
			o->buf[o->len++] = s[k];
}

size_t
npmrc_redact(const char *s, char *buf, size_t n)
{
	static const char *const keys[] = {
		"_authtoken", "_password", "_auth", "authtoken", "password",
		"passwd", "token", "secret", NULL,
	};
	struct out o = { buf, n, 0 };
	size_t i = 0;

	if (n == 0)
		return 0;
	while (s[i]) {
		size_t m = 0, j, k;
		int kw;

		for (kw = 0; keys[kw]; kw++)
			if ((m = match_ci(s + i, keys[kw])))
				break;
		if (m) {
			j = i + m;
			if (s[j] == '"' || s[j] == '\'')
				j++;
			while (s[j] == ' ' || s[j] == '\t')
				j++;
			if (s[j] == '=' || s[j] == ':') {
				j++;
				while (s[j] == ' ' || s[j] == '\t')
					j++;
				if (s[j] == '"' || s[j] == '\'')
					j++;
				if (!is_secret_end((unsigned char)s[j])) {
					out_put(&o, s + i, j - i);
					out_put(&o, "***", 3);
					while (!is_secret_end((unsigned char)s[j]))
						j++;
					i = j;
					continue;
				}
			}
		}
		if ((m = match_ci(s + i, "bearer ")) ||
		    (m = match_ci(s + i, "basic "))) {
			j = i + m;
			if (!is_secret_end((unsigned char)s[j])) {
				out_put(&o, s + i, m);
				out_put(&o, "***", 3);
				while (!is_secret_end((unsigned char)s[j]))
					j++;
				i = j;
				continue;
			}
		}
		if (match_ci(s + i, "npm_") &&
		    (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
			for (k = i + 4; isalnum((unsigned char)s[k]); k++)
				;
			if (k - i - 4 >= 16) {
				out_put(&o, "npm_***", 7);
				i = k;
				continue;
			}
		}
		if (s[i] == '/' && s[i + 1] == '/') {
			const char *at = NULL;
			for (k = i + 2; s[k] && !strchr("/?#", s[k]) &&
					!is_space((unsigned char)s[k]);
			     k++)
				if (s[k] == '@')
					at = s + k;
			if (at) {
				out_put(&o, "//***@", 6);
				i = (size_t)(at - s) + 1;
				continue;
			}
		}
		out_put(&o, s + i, 1);
		i++;
	}
	buf[o.len] = '\0';
	return o.len;
}
