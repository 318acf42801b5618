#include "host/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "json/json.h"
#include "json/yaml_dom.h"
#include "registry/npmrc.h"
#include "scan/scan.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * Every reader here sees a value only long enough to fingerprint it; what
 * leaves through the callback is a name, a kind, a line and a fingerprint.
 */

void
host_fingerprint(const char *value, size_t len, char out[HOST_FP_HEX + 1])
{
	uint8_t d[32];
	char hex[65];

	scan_sha256(value, len, d);
	scan_hex(d, 32, hex);
	memcpy(out, hex, HOST_FP_HEX);
	out[HOST_FP_HEX] = '\0';
}

int
host_mem_has(const char *hay, size_t len, const char *needle, size_t nlen)
{
	size_t i;

	if (!nlen || nlen > len)
		return 0;
	for (i = 0; i + nlen <= len; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return 1;
	return 0;
}

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Whether word occurs in s[0..n), ignoring case (word is upper case). */
static int
has_word_ci(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word), i, j;

	for (i = 0; i + wl <= n; i++) {
		for (j = 0; j < wl && upper((unsigned char)s[i + j]) == word[j]; j++)
			;
		if (j == wl)
			return 1;
	}
	return 0;
}

int
host_name_is_secret(const char *name, size_t len)
{
	static const char *const words[] = {
		"TOKEN", "SECRET", "PASSW", "CREDENTIAL", "AUTH", "PRIVATE",
		"API_KEY", "APIKEY", "ACCESS_KEY", "_KEY_", "SESSION_KEY",
	};
	size_t i;

	if (!len || len > HOST_NAME_MAX)
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (has_word_ci(name, len, words[i]))
			return 1;
	/* STRIPE_KEY, SIGNING_KEY: a name ending in KEY */
	return len >= 4 && has_word_ci(name + len - 4, 4, "_KEY");
}

void
host_each_line(const char *buf, size_t len, host_line_fn fn, void *payload)
{
	size_t pos = 0;
	unsigned lineno = 0;

	if (len > HOST_FILE_MAX)
		len = HOST_FILE_MAX;
	while (pos < len && lineno < HOST_LINES_MAX) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		size_t shown = n > HOST_LINE_MAX ? HOST_LINE_MAX : n;

		if (shown && buf[pos + shown - 1] == '\r')
			shown--;
		if (fn(buf + pos, shown, ++lineno, payload))
			return;
		pos += n + 1;
	}
}

/* ---- redaction ---- */

static int
is_token_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == '/' || c == '+' || c == '=';
}

static int
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* Masks s[from..) up to the end of the token with '*', keeping 3 stars. */
static size_t
mask_token(char *s, size_t len, size_t from)
{
	size_t end = from, w;

	while (end < len && is_token_char((unsigned char)s[end]))
		end++;
	if (end - from <= 3) {
		memset(s + from, '*', end - from);
		return end;
	}
	memcpy(s + from, "***", 3);
	w = from + 3;
	memmove(s + w, s + end, len - end + 1);
	return w;
}

/* Token shapes worth masking wherever they appear. */
static const char *const token_prefixes[] = {
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
	"xoxb-", "xoxp-", "xoxa-", "AKIA", "ASIA", "npm_", "sk-",
};

static void
mask_shapes(char *s)
{
	size_t len = strlen(s), i, k;

	for (i = 0; i < len; i++) {
		if (i && is_name_char((unsigned char)s[i - 1]))
			continue;	/* only at the start of a word */
		for (k = 0; k < sizeof(token_prefixes) / sizeof(*token_prefixes); k++) {
			size_t pl = strlen(token_prefixes[k]);

			if (len - i > pl + 3 && memcmp(s + i, token_prefixes[k], pl) == 0) {
				mask_token(s, len, i + pl);
				len = strlen(s);
				break;
			}
		}
	}
}

/* NAME=value, NAME: value, NAME = "value" where NAME looks secret. */
static void
mask_assignments(char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		size_t start, end, v;

		while (i < len && !is_name_char((unsigned char)s[i]))
			i++;
		start = i;
		while (i < len && is_name_char((unsigned char)s[i]))
			i++;
		end = i;
		if (start == end)
			break;
		v = end;
		if (v < len && (s[v] == '"' || s[v] == '\''))
			v++;	/* a quoted key: "password": "..." */
		while (v < len && (s[v] == ' ' || s[v] == '\t'))
			v++;
		if (v < len && v > end &&
		    (s[start] == '-' || (start && s[start - 1] == ':' && s[start] == '_')) &&
		    host_name_is_secret(s + start, end - start)) {
			/* "--token VALUE", "npm config set //h/:_authToken VALUE":
			 * a flag or an npmrc key, then its value after a space */
		} else if (v >= len || (s[v] != '=' && s[v] != ':')) {
			continue;
		} else if (s[v] == ':' && v + 1 < len && s[v + 1] == '/') {
			continue;	/* a URL scheme, not an assignment */
		} else {
			v++;
		}
		while (v < len && (s[v] == ' ' || s[v] == '\t' || s[v] == '"' ||
				   s[v] == '\''))
			v++;
		if (v < len && host_name_is_secret(s + start, end - start) &&
		    is_token_char((unsigned char)s[v])) {
			i = mask_token(s, len, v);
			len = strlen(s);
		}
	}
}

void
host_redact_line(const char *line, size_t len, char *out, size_t max)
{
	char *copy, *red;
	size_t n, i, cut;

	if (len > HOST_LINE_MAX)
		len = HOST_LINE_MAX;
	copy = xstrndup(line, len);
	for (i = 0; copy[i]; i++)	/* a NUL inside the line ends it */
		if ((unsigned char)copy[i] < 0x20 || copy[i] == 0x7f)
			copy[i] = '?';
	/* "***" may be longer than what it replaces */
	red = xmalloc(3 * len + 16);
	npmrc_redact(copy, red, 3 * len + 16);
	mask_shapes(red);
	mask_assignments(red);
	n = strlen(red);
	cut = n;
	if (cut > HOST_EVIDENCE_MAX)
		cut = HOST_EVIDENCE_MAX;
	if (cut + 4 > max)
		cut = max - 4;
	/* never end inside a UTF-8 sequence */
	if (cut < n)
		while (cut && ((unsigned char)red[cut] & 0xc0) == 0x80)
			cut--;
	memcpy(out, red, cut);
	if (cut < n)
		memcpy(out + cut, "...", 3), cut += 3;
	out[cut] = '\0';
	free(copy);
	free(red);
}

/* ---- helpers for key = value lines ---- */

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *
trim_end(const char *start, const char *end)
{
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

/* A value without surrounding quotes. */
static void
unquote(const char **v, const char **ve)
{
	if (*ve - *v >= 2 && (**v == '"' || **v == '\'') && (*ve)[-1] == **v) {
		(*v)++;
		(*ve)--;
	}
}

static int
is_env_reference(const char *v, const char *ve)
{
	return ve - v >= 3 && v[0] == '$' && v[1] == '{' && ve[-1] == '}';
}

static void
emit(host_secret_fn fn, void *payload, const char *kind, const char *name,
     size_t nlen, const char *scope, unsigned line, const char *v, size_t vlen)
{
	struct host_secret s;
	char nbuf[HOST_NAME_MAX + 1];

	if (nlen > HOST_NAME_MAX)
		nlen = HOST_NAME_MAX;
	memcpy(nbuf, name, nlen);
	nbuf[nlen] = '\0';
	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.name = nbuf;
	s.scope = scope;
	s.line = line;
	if (v)
		host_fingerprint(v, vlen, s.fingerprint);
	fn(&s, payload);
}

/* ---- .npmrc ---- */

struct kv_ctx {
	host_secret_fn fn;
	void *payload;
	size_t found;
	char section[HOST_NAME_MAX + 1];
	int section_secret;	/* aws: this profile has been reported */
	unsigned section_line;
};

/* Runs a line reader over buf with a fresh context. */
static size_t
kv_parse(const char *buf, size_t len, host_line_fn line, host_secret_fn fn,
	 void *payload)
{
	struct kv_ctx c;

	memset(&c, 0, sizeof(c));
	c.fn = fn;
	c.payload = payload;
	host_each_line(buf, len, line, &c);
	return c.found;
}

static int
npmrc_line(const char *line, size_t len, unsigned lineno, void *payload)
{
	struct kv_ctx *c = payload;
	const char *end = line + len, *p = skip_ws(line, end), *eq, *ke, *v, *ve;
	char key[HOST_NAME_MAX * 2 + 1], scope[HOST_NAME_MAX * 2 + 1];
	const char *colon;
	size_t kl;

	if (c->found >= HOST_SECRETS_MAX)
		return 1;
	if (p == end || *p == ';' || *p == '#' || *p == '[')
		return 0;
	if (!(eq = memchr(p, '=', (size_t)(end - p))))
		return 0;
	ke = trim_end(p, eq);
	kl = (size_t)(ke - p);
	if (!kl || kl >= sizeof(key))
		return 0;
	memcpy(key, p, kl);
	key[kl] = '\0';
	if (!npmrc_key_is_secret(key))
		return 0;
	v = skip_ws(eq + 1, end);
	ve = trim_end(v, end);
	unquote(&v, &ve);
	if (v == ve || is_env_reference(v, ve))
		return 0;
	/* "//host/path/:_authToken": the scope is the part before the ':' */
	scope[0] = '\0';
	colon = strrchr(key, ':');
	if (key[0] == '/' && colon) {
		memcpy(scope, key, (size_t)(colon - key));
		scope[colon - key] = '\0';
	}
	emit(c->fn, c->payload,
	     strstr(key, "_authToken") ? "npm-token" : "npm-password",
	     key, kl, scope[0] ? scope : NULL, lineno, v, (size_t)(ve - v));
	c->found++;
	return 0;
}

size_t
host_parse_npmrc(const char *buf, size_t len, host_secret_fn fn,
		 void *payload)
{
	return kv_parse(buf, len, npmrc_line, fn, payload);
}

/* ---- ~/.git-credentials ---- */

static int
gitcred_line(const char *line, size_t len, unsigned lineno, void *payload)
{
	struct kv_ctx *c = payload;
	const char *end = line + len, *p, *at, *colon, *host, *he;
	char scope[HOST_NAME_MAX + 1];
	size_t hl;

	if (c->found >= HOST_SECRETS_MAX)
		return 1;
	line = skip_ws(line, end);
	end = trim_end(line, end);
	if (!(p = memchr(line, ':', (size_t)(end - line))) || end - p < 3 ||
	    p[1] != '/' || p[2] != '/')
		return 0;
	p += 3;
	/* the last '@' of the authority: a password has no unencoded '/' */
	for (he = p; he < end && *he != '/'; he++)
		;
	for (at = he; at > p && at[-1] != '@'; at--)
		;
	if (at == p)
		return 0;	/* no user:password@ */
	at--;
	colon = memchr(p, ':', (size_t)(at - p));
	host = at + 1;
	for (he = host; he < end && *he != '/'; he++)
		;
	hl = (size_t)(he - host);
	if (hl > HOST_NAME_MAX)
		hl = HOST_NAME_MAX;
	memcpy(scope, host, hl);
	scope[hl] = '\0';
	if (colon)
		emit(c->fn, c->payload, "git-credential", "password", 8, scope,
		     lineno, colon + 1, (size_t)(at - colon - 1));
	else	/* a token as the user name */
		emit(c->fn, c->payload, "git-credential", "user", 4, scope,
		     lineno, p, (size_t)(at - p));
	c->found++;
	return 0;
}

size_t
host_parse_git_credentials(const char *buf, size_t len, host_secret_fn fn,
			   void *payload)
{
	return kv_parse(buf, len, gitcred_line, fn, payload);
}

/* ---- ~/.aws/credentials ---- */

static int
aws_line(const char *line, size_t len, unsigned lineno, void *payload)
{
	struct kv_ctx *c = payload;
	const char *end = line + len, *p = skip_ws(line, end), *eq, *ke, *v, *ve;
	size_t kl;

	if (c->found >= HOST_SECRETS_MAX)
		return 1;
	if (p == end || *p == '#' || *p == ';')
		return 0;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		size_t n;

		if (!close)
			return 0;
		p = skip_ws(p + 1, close);
		n = (size_t)(trim_end(p, close) - p);
		if (n > HOST_NAME_MAX)
			n = HOST_NAME_MAX;
		memcpy(c->section, p, n);
		c->section[n] = '\0';
		c->section_secret = 0;
		c->section_line = lineno;
		return 0;
	}
	if (!(eq = memchr(p, '=', (size_t)(end - p))))
		return 0;
	ke = trim_end(p, eq);
	kl = (size_t)(ke - p);
	if (!((kl == 21 && memcmp(p, "aws_secret_access_key", 21) == 0) ||
	      (kl == 17 && memcmp(p, "aws_session_token", 17) == 0)))
		return 0;
	v = skip_ws(eq + 1, end);
	ve = trim_end(v, end);
	if (v == ve || c->section_secret)
		return 0;
	c->section_secret = 1;
	emit(c->fn, c->payload, "aws-credentials", p, kl,
	     c->section[0] ? c->section : "default", lineno, v,
	     (size_t)(ve - v));
	c->found++;
	return 0;
}

size_t
host_parse_aws(const char *buf, size_t len, host_secret_fn fn, void *payload)
{
	return kv_parse(buf, len, aws_line, fn, payload);
}

/* ---- .env ---- */

static int
env_line(const char *line, size_t len, unsigned lineno, void *payload)
{
	struct kv_ctx *c = payload;
	const char *end = line + len, *p = skip_ws(line, end), *eq, *ke, *v, *ve;

	if (c->found >= HOST_SECRETS_MAX)
		return 1;
	if (p == end || *p == '#')
		return 0;
	if (end - p > 7 && memcmp(p, "export", 6) == 0 &&
	    (p[6] == ' ' || p[6] == '\t'))
		p = skip_ws(p + 7, end);
	if (!(eq = memchr(p, '=', (size_t)(end - p))))
		return 0;
	ke = trim_end(p, eq);
	for (v = p; v < ke; v++)
		if (!is_name_char((unsigned char)*v))
			return 0;
	if (!host_name_is_secret(p, (size_t)(ke - p)))
		return 0;
	v = skip_ws(eq + 1, end);
	ve = trim_end(v, end);
	unquote(&v, &ve);
	if (v == ve || is_env_reference(v, ve))
		return 0;
	emit(c->fn, c->payload, "env-secret", p, (size_t)(ke - p), NULL,
	     lineno, v, (size_t)(ve - v));
	c->found++;
	return 0;
}

size_t
host_parse_env(const char *buf, size_t len, host_secret_fn fn, void *payload)
{
	return kv_parse(buf, len, env_line, fn, payload);
}

/* ---- gh hosts.yml ---- */

static void
gh_token(const struct json_value *v, const char *host, const char *user,
	 host_secret_fn fn, void *payload, size_t *found)
{
	const struct json_value *t = json_get(v, "oauth_token");
	char name[HOST_NAME_MAX + 1];

	if (!json_is(t, JSON_STRING) || !t->len || *found >= HOST_SECRETS_MAX)
		return;
	snprintf(name, sizeof(name), "%s%soauth_token", user ? user : "",
		 user ? ": " : "");
	emit(fn, payload, "github-token", name, strlen(name), host, t->line,
	     t->u.str, t->len);
	(*found)++;
}

size_t
host_parse_gh_hosts(const char *buf, size_t len, const char *name,
		    host_secret_fn fn, void *payload)
{
	struct json_doc doc;
	const struct json_value *h, *u, *users;
	char host[HOST_NAME_MAX + 1], user[HOST_NAME_MAX + 1];
	size_t found = 0;

	if (len > HOST_FILE_MAX)
		return 0;
	if (json_parse_yaml(&doc, buf, len, name))
		return 0;
	if (!json_is(doc.root, JSON_OBJECT))
		goto done;
	for (h = doc.root->u.first; h; h = h->next) {
		if (!json_is(h, JSON_OBJECT))
			continue;
		snprintf(host, sizeof(host), "%.*s",
			 (int)(h->key_len < HOST_NAME_MAX ? h->key_len : HOST_NAME_MAX),
			 h->key);
		gh_token(h, host, NULL, fn, payload, &found);
		users = json_get(h, "users");
		if (!json_is(users, JSON_OBJECT))
			continue;
		for (u = users->u.first; u; u = u->next) {
			snprintf(user, sizeof(user), "%.*s",
				 (int)(u->key_len < 64 ? u->key_len : 64), u->key);
			gh_token(u, host, user, fn, payload, &found);
		}
	}
done:
	json_doc_release(&doc);
	return found;
}

/* ---- GitHub Actions runner ---- */

static void
copy_shown(char *out, size_t max, const char *s, size_t n)
{
	size_t i;

	if (!max)
		return;
	if (n >= max)
		n = max - 1;
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[n] = '\0';
}

int
host_parse_runner(const char *buf, size_t len, char *agent, size_t agent_max,
		  char *url, size_t url_max)
{
	struct json_doc doc;
	const struct json_value *v;
	char *copy;
	int rc = -1;

	agent[0] = '\0';
	url[0] = '\0';
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (len > HOST_FILE_MAX)
		return -1;
	copy = xmalloc(len + 1);
	memcpy(copy, buf, len);
	copy[len] = '\0';
	if (json_parse(&doc, copy, len, ".runner", 0) == 0) {
		if (json_is(doc.root, JSON_OBJECT)) {
			if (json_is(v = json_get(doc.root, "agentName"), JSON_STRING))
				copy_shown(agent, agent_max, v->u.str, v->len);
			if (json_is(v = json_get(doc.root, "gitHubUrl"), JSON_STRING))
				copy_shown(url, url_max, v->u.str, v->len);
			rc = 0;
		}
		json_doc_release(&doc);
	}
	free(copy);
	return rc;
}

/* ---- SSH ---- */

int
host_ssh_pub_fingerprint(const char *buf, size_t len, char out[64])
{
	const char *end, *p, *b, *be;
	unsigned char *raw = NULL;
	uint8_t d[32];
	unsigned char b64[48];
	int n, rc = -1;

	out[0] = '\0';
	if (len > HOST_LINE_MAX * 4)
		len = HOST_LINE_MAX * 4;
	end = buf + len;
	p = skip_ws(buf, end);
	while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
		p++;	/* the key type */
	b = skip_ws(p, end);
	for (be = b; be < end && *be != ' ' && *be != '\t' && *be != '\n' &&
	     *be != '\r'; be++)
		;
	if (b == p || be == b || (be - b) % 4 != 0)
		return -1;
	raw = xmalloc((size_t)(be - b) / 4 * 3 + 1);
	n = EVP_DecodeBlock(raw, (const unsigned char *)b, (int)(be - b));
	if (n <= 0)
		goto done;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (be[-1] == '=')
		n--;
	if (be[-2] == '=')
		n--;
	scan_sha256(raw, (size_t)n, d);
	n = EVP_EncodeBlock(b64, d, 32);	/* 44 chars, one '=' */
	while (n > 0 && b64[n - 1] == '=')
		n--;
	memcpy(out, "SHA256:", 7);
	memcpy(out + 7, b64, (size_t)n);
	out[7 + n] = '\0';
	rc = 0;
done:
	free(raw);
	return rc;
}

int
host_ssh_key_encrypted(const char *buf, size_t len)
{
	static const char openssh[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
	const char *p, *end;
	unsigned char in[64], out[48];
	size_t k = 0;
	uint32_t clen;

	if (len > HOST_FILE_MAX)
		len = HOST_FILE_MAX;
	if (host_mem_has(buf, len, "ENCRYPTED", 9) &&
	    host_mem_has(buf, len, "PRIVATE KEY", 11))
		return 1;
	if (len < sizeof(openssh) - 1 ||
	    memcmp(buf, openssh, sizeof(openssh) - 1) != 0)
		return host_mem_has(buf, len, "PRIVATE KEY-----", 16) ? 0 : -1;
	/* "openssh-key-v1\0", then the cipher name as a string */
	end = buf + len;
	for (p = buf + sizeof(openssh) - 1; p < end && k < sizeof(in); p++)
		if (*p != '\n' && *p != '\r' && *p != ' ')
			in[k++] = (unsigned char)*p;
	if (k < 44)
		return -1;
	k = 44;	/* 33 bytes: the magic (15), the length (4), "none" */
	if (EVP_DecodeBlock(out, in, (int)k) < 27 ||
	    memcmp(out, "openssh-key-v1", 15) != 0)
		return -1;
	clen = (uint32_t)out[15] << 24 | (uint32_t)out[16] << 16 |
	       (uint32_t)out[17] << 8 | out[18];
	return !(clen == 4 && memcmp(out + 19, "none", 4) == 0);
}

/* ---- npm cache index ---- */

/* %2f and %40 in a scoped name; anything else is kept as written. */
static size_t
url_unescape(char *out, size_t max, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < max; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (s[i + 1] == '2' && (s[i + 2] == 'f' || s[i + 2] == 'F'))) {
			out[o++] = '/';
			i += 2;
		} else if (s[i] == '%' && i + 2 < n && s[i + 1] == '4' &&
			   s[i + 2] == '0') {
			out[o++] = '@';
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return o;
}

int
host_tarball_url(const char *url, size_t len, char *name, size_t nmax,
		 char *version, size_t vmax)
{
	const char *end = url + len, *dash = NULL, *p, *file, *seg, *prev;
	size_t i, nl, bl;
	char raw[512];
	const char *base;

	for (p = url; p + 3 <= end; p++)
		if (p[0] == '/' && p[1] == '-' && p[2] == '/')
			dash = p;
	if (!dash)
		return 0;
	file = dash + 3;
	for (p = file; p < end && *p != '?' && *p != '#'; p++)
		if (*p == '/')
			return 0;
	end = p;
	if (end - file < 6 || memcmp(end - 4, ".tgz", 4) != 0)
		return 0;
	/* the segment before "/-/", and the one before it when scoped */
	for (seg = dash; seg > url && seg[-1] != '/'; seg--)
		;
	prev = seg;
	if (seg > url + 1) {
		for (prev = seg - 1; prev > url && prev[-1] != '/'; prev--)
			;
		if (*prev != '@')
			prev = seg;
	}
	if (dash - prev <= 0 || (size_t)(dash - prev) >= sizeof(raw))
		return 0;
	nl = url_unescape(raw, sizeof(raw), prev, (size_t)(dash - prev));
	if (!nl || nl >= nmax || (raw[0] == '.'))
		return 0;
	/* a name or version with spaces or control bytes is no package */
	for (i = 0; i < nl; i++)
		if ((unsigned char)raw[i] <= 0x20 || raw[i] == 0x7f)
			return 0;
	memcpy(name, raw, nl + 1);
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	bl = strlen(base);
	if ((size_t)(end - 4 - file) <= bl + 1 ||
	    memcmp(file, base, bl) != 0 || file[bl] != '-')
		return 0;
	p = file + bl + 1;
	if ((size_t)(end - 4 - p) >= vmax)
		return 0;
	for (i = 0; p + i < end - 4; i++)
		version[i] = p[i];
	version[i] = '\0';
	for (i = 0; p + i < end - 4; i++)
		if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

/* ---- launchd ---- */

/*
 * The first <string> after <key>key</key>, also inside an <array> when
 * array is set; "" when there is none.
 */
static void
plist_string(const char *buf, size_t len, const char *key, int array,
	     char *out, size_t max)
{
	char k[64];
	const char *end, *p = NULL, *s, *e;
	size_t i, kl;

	out[0] = '\0';
	if (len > HOST_FILE_MAX)
		len = HOST_FILE_MAX;
	kl = (size_t)snprintf(k, sizeof(k), "<key>%s</key>", key);
	end = buf + len;
	for (i = 0; i + kl <= len; i++)
		if (memcmp(buf + i, k, kl) == 0) {
			p = buf + i + kl;
			break;
		}
	if (!p)
		return;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
				   *p == '\r'))
			p++;
		if (array && end - p >= 7 && memcmp(p, "<array>", 7) == 0) {
			p += 7;
			array = 0;
			continue;
		}
		break;
	}
	if (end - p < 8 || memcmp(p, "<string>", 8) != 0)
		return;
	s = p + 8;
	for (e = s; e < end && *e != '<'; e++)
		;
	if (e == end)
		return;
	copy_shown(out, max, s, (size_t)(e - s));
}

void
host_plist_label(const char *buf, size_t len, char *out, size_t max)
{
	plist_string(buf, len, "Label", 0, out, max);
}

void
host_plist_program(const char *buf, size_t len, char *out, size_t max)
{
	plist_string(buf, len, "Program", 0, out, max);
	if (!out[0])
		plist_string(buf, len, "ProgramArguments", 1, out, max);
}

int
host_unit_exec(const char *line, size_t len, char *out, size_t max)
{
	const char *end = line + len, *p = skip_ws(line, end), *e;

	out[0] = '\0';
	if (end - p < 10 || memcmp(p, "ExecStart", 9) != 0)
		return 0;
	p += 9;
	if (end - p >= 3 && memcmp(p, "Pre", 3) == 0)
		p += 3;
	p = skip_ws(p, end);
	if (p == end || *p != '=')
		return 0;
	p = skip_ws(p + 1, end);
	while (p < end && *p && strchr("-@:+!", *p))
		p++;
	for (e = p; e < end && *e != ' ' && *e != '\t'; e++)
		;
	if (e == p)
		return 0;
	copy_shown(out, max, p, (size_t)(e - p));
	return 1;
}
