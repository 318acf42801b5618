/*
 * CI secrets that hold signing material or publish tokens: which secret
 * names a CI file references and where (job and step). Only names are
 * kept; a value written into the file is never read into the inventory.
 *
 * YAML files (GitHub Actions, GitLab CI, CircleCI, Azure Pipelines) are
 * parsed into the JSON DOM and walked, so that a reference is placed in
 * its job and step; a file that does not parse is scanned line by line.
 * fastlane's Ruby files are scanned line by line, inside their lanes.
 */
#include "certs/internal.h"

#include <ctype.h>
#include <string.h>

#include "json/json.h"
#include "json/yaml_dom.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define CI_FILE_MAX (1u << 20)
#define CI_SECRETS_MAX 1000u	/* per file */
#define CI_DEPTH_MAX 64
#define CI_NAME_MAX 128

enum ci_kind {
	CI_GITHUB,
	CI_GITLAB,
	CI_CIRCLECI,
	CI_AZURE,
	CI_FASTLANE,
};

struct ci {
	struct certs_inv *inv;
	const struct certs_where *w;
	enum ci_kind kind;
	size_t first;	/* this file's first secret in inv */
};

static int
ci_kind_of(const char *path, enum ci_kind *out)
{
	const char *base = certs_basename(path);

	if ((strncmp(path, ".github/workflows/", 18) == 0 ||
	     strstr(path, "/.github/workflows/")) &&
	    (certs_has_ext(base, ".yml") || certs_has_ext(base, ".yaml")))
		*out = CI_GITHUB;
	else if (strcmp(base, ".gitlab-ci.yml") == 0 ||
		 certs_has_ext(base, ".gitlab-ci.yml"))
		*out = CI_GITLAB;
	else if (strcmp(path, ".circleci/config.yml") == 0 ||
		 (strlen(path) > 21 &&
		  strcmp(path + strlen(path) - 21, "/.circleci/config.yml") ==
			  0))
		*out = CI_CIRCLECI;
	else if (strcmp(base, "azure-pipelines.yml") == 0 ||
		 strcmp(base, "azure-pipelines.yaml") == 0)
		*out = CI_AZURE;
	else if (strcmp(base, "Matchfile") == 0 ||
		 strcmp(base, "Fastfile") == 0 || strcmp(base, "Appfile") == 0)
		*out = CI_FASTLANE;
	else
		return 0;
	return 1;
}

int
certs_is_ci_file(const char *path)
{
	enum ci_kind k;

	return ci_kind_of(path, &k);
}

/* ---- names ---- */

static int
has(const char *s, const char *part)
{
	return strstr(s, part) != NULL;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *
certs_secret_category(const char *name)
{
	char up[CI_NAME_MAX + 1];
	size_t i;

	for (i = 0; name[i] && i < CI_NAME_MAX; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = '\0';
	if (has(up, "NPM") || strcmp(up, "NODE_AUTH_TOKEN") == 0)
		return "npm-token";
	if (starts(up, "WIN_CSC_") || has(up, "WINDOWS_CERT") ||
	    has(up, "WINDOWS_SIGN") || has(up, "AUTHENTICODE") ||
	    has(up, "SIGNTOOL") || has(up, "PFX"))
		return "windows-signing";
	if (has(up, "ANDROID") || has(up, "KEYSTORE") || has(up, "UPLOAD_KEY") ||
	    has(up, "JKS") || starts(up, "PLAY_") || has(up, "GOOGLE_PLAY"))
		return "android-signing";
	if (starts(up, "APPLE_") || starts(up, "MATCH_") ||
	    starts(up, "FASTLANE_") || starts(up, "APP_STORE_CONNECT") ||
	    starts(up, "ASC_") || starts(up, "CSC_") || has(up, "IOS_") ||
	    has(up, "MACOS_") || has(up, "NOTARI") || has(up, "P12") ||
	    has(up, "PROVISION") || has(up, "KEYCHAIN"))
		return "apple-signing";
	if (strcmp(up, "GITHUB_TOKEN") == 0 || has(up, "GITHUB") ||
	    starts(up, "GH_") || (strlen(up) > 4 &&
				  strcmp(up + strlen(up) - 4, "_PAT") == 0))
		return "github-token";
	if (starts(up, "AWS_") || starts(up, "AZURE_") || starts(up, "GCP_") ||
	    starts(up, "GCLOUD") || starts(up, "GOOGLE_") ||
	    has(up, "SERVICE_ACCOUNT") || starts(up, "CLOUDFLARE_") ||
	    starts(up, "ARM_"))
		return "cloud";
	if (has(up, "GPG") || has(up, "PGP"))
		return "gpg";
	if (has(up, "SIGN") || has(up, "CERT"))
		return "signing";
	return "other";
}

/* A name worth listing when it is not a GitHub `secrets.` reference. */
static int
interesting(const char *name)
{
	char up[CI_NAME_MAX + 1];
	size_t i;

	if (strcmp(certs_secret_category(name), "other") != 0)
		return 1;
	for (i = 0; name[i] && i < CI_NAME_MAX; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = '\0';
	return has(up, "PASSWORD") || has(up, "TOKEN") || has(up, "SECRET") ||
	       has(up, "PRIVATE_KEY");
}

static int
interesting_n(const char *s, size_t n)
{
	char name[CI_NAME_MAX + 1];

	if (n == 0 || n > CI_NAME_MAX)
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	return interesting(name);
}

/* ---- adding ---- */

static void
add_secret(struct ci *c, const char *name, size_t n, const char *used_in)
{
	struct certs_inv *inv = c->inv;
	struct certs_secret *s = NULL;
	size_t i;

	if (n == 0 || n > CI_NAME_MAX)
		return;
	for (i = c->first; i < inv->nsecrets; i++)
		if (strlen(inv->secrets[i].name) == n &&
		    memcmp(inv->secrets[i].name, name, n) == 0) {
			s = &inv->secrets[i];
			break;
		}
	if (!s) {
		if (inv->nsecrets - c->first >= CI_SECRETS_MAX)
			return;
		XGROW(inv->secrets, inv->secrets_alloc, inv->nsecrets + 1);
		s = &inv->secrets[inv->nsecrets++];
		memset(s, 0, sizeof(*s));
		s->repo = c->w->repo;
		s->file = c->w->path;
		s->name = certs_strn(inv, name, n);
		s->category = certs_secret_category(s->name);
		s->used_in = mempool_alloc(&inv->pool, CERTS_USED_IN_MAX *
							       sizeof(*s->used_in));
	}
	if (!used_in)
		return;
	for (i = 0; i < s->nused; i++)
		if (strcmp(s->used_in[i], used_in) == 0)
			return;
	if (s->nused < CERTS_USED_IN_MAX)
		s->used_in[s->nused++] = certs_str(inv, used_in);
}

static int
ident_start(int ch)
{
	return isalpha(ch) || ch == '_';
}

static int
ident_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '-';
}

/*
 * The references in s[0..n): GitHub's secrets.NAME and secrets['NAME'],
 * and in every CI system $NAME, ${NAME}, $(NAME), %NAME% and
 * $env:NAME for names that hold signing material or tokens.
 */
static void
scan_text(struct ci *c, const char *s, size_t n, const char *used_in)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (c->kind == CI_GITHUB && n - i > 8 &&
		    memcmp(s + i, "secrets", 7) == 0 &&
		    (i == 0 || !ident_char((unsigned char)s[i - 1]))) {
			size_t k = i + 7;

			if (s[k] == '.') {
				k++;
				for (j = k; j < n && ident_char((unsigned char)s[j]);
				     j++)
					;
				add_secret(c, s + k, j - k, used_in);
				i = j - 1;
				continue;
			}
			if (s[k] == '[' && k + 2 < n &&
			    (s[k + 1] == '\'' || s[k + 1] == '"')) {
				char q = s[k + 1];

				k += 2;
				for (j = k; j < n && s[j] != q && j - k <= CI_NAME_MAX;
				     j++)
					;
				if (j < n && s[j] == q)
					add_secret(c, s + k, j - k, used_in);
				i = j;
				continue;
			}
		}
		if (s[i] == '$' || s[i] == '%') {
			char name[CI_NAME_MAX + 1];
			size_t k = i + 1;

			if (s[i] == '$' && k < n && (s[k] == '{' || s[k] == '('))
				k++;
			else if (s[i] == '$' && n - k > 4 &&
				 memcmp(s + k, "env:", 4) == 0)
				k += 4;
			if (k >= n || !ident_start((unsigned char)s[k]))
				continue;
			for (j = k; j < n && j - k < CI_NAME_MAX &&
				    (isalnum((unsigned char)s[j]) || s[j] == '_');
			     j++)
				;
			memcpy(name, s + k, j - k);
			name[j - k] = '\0';
			if (s[i] == '%' && (j >= n || s[j] != '%'))
				continue;
			if (interesting(name))
				add_secret(c, name, j - k, used_in);
			i = j - 1;
		}
	}
}

/* ---- YAML ---- */

static const char *
used_label(char *buf, size_t n, const char *job, const char *step)
{
	if (job && step)
		snprintf(buf, n, "%s/%s", job, step);
	else if (job || step)
		snprintf(buf, n, "%s", job ? job : step);
	else
		snprintf(buf, n, "(top level)");
	return buf;
}

/* A step's name as people read it in the CI's interface. */
static const char *
step_label(const struct json_value *step, char *buf, size_t n, size_t index)
{
	static const char *const keys[] = { "name", "displayName", "uses",
					    "task", "script", "run" };
	const struct json_value *run;
	const char *s;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		s = json_get_str(step, keys[i]);
		if (s && *s) {
			snprintf(buf, n, "%.60s", s);
			/* a script's first line is enough */
			buf[strcspn(buf, "\r\n")] = '\0';
			return buf;
		}
	}
	run = json_get(step, "run");	/* CircleCI: run: {name, command} */
	if (json_is(run, JSON_OBJECT) && (s = json_get_str(run, "name"))) {
		snprintf(buf, n, "%.60s", s);
		return buf;
	}
	snprintf(buf, n, "step %zu", index + 1);
	return buf;
}

static int
env_map_key(const char *key)
{
	return key && (strcmp(key, "env") == 0 || strcmp(key, "variables") == 0 ||
		       strcmp(key, "environment") == 0 ||
		       strcmp(key, "secrets") == 0);
}

static int
gitlab_reserved(const char *key)
{
	static const char *const words[] = {
		"stages", "variables", "include", "default", "workflow",
		"image", "services", "before_script", "after_script", "cache",
		"pages",
	};
	size_t i;

	if (key[0] == '.')
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(key, words[i]) == 0)
			return 1;
	return 0;
}

static void walk(struct ci *c, const struct json_value *v, const char *job,
		 const char *step, int depth, int jobs_map);

static void
walk_steps(struct ci *c, const struct json_value *arr, const char *job,
	   int depth)
{
	const struct json_value *m;
	char label[80];
	size_t i = 0;

	for (m = arr->u.first; m; m = m->next, i++)
		walk(c, m, job, step_label(m, label, sizeof(label), i),
		     depth + 1, 0);
}

static void
walk(struct ci *c, const struct json_value *v, const char *job,
     const char *step, int depth, int jobs_map)
{
	const struct json_value *m, *e;
	char buf[200];

	if (!v || depth > CI_DEPTH_MAX)
		return;
	if (v->type == JSON_STRING) {
		scan_text(c, v->u.str, v->len,
			  used_label(buf, sizeof(buf), job, step));
		return;
	}
	if (v->type == JSON_ARRAY) {
		for (m = v->u.first; m; m = m->next) {
			const char *j = job;

			/* Azure: jobs: [{job: build, steps: [...]}] */
			if (jobs_map && json_is(m, JSON_OBJECT))
				j = json_get_str(m, "job") ?
					    json_get_str(m, "job") :
					    json_get_str(m, "deployment");
			walk(c, m, j ? j : job, step, depth + 1, 0);
		}
		return;
	}
	if (v->type != JSON_OBJECT)
		return;
	for (m = v->u.first; m; m = m->next) {
		const char *key = m->key;

		if (jobs_map) {
			walk(c, m, key, NULL, depth + 1, 0);
			continue;
		}
		if (env_map_key(key) && json_is(m, JSON_OBJECT)) {
			/* env: {NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}} */
			for (e = m->u.first; e; e = e->next)
				if (e->key && interesting(e->key))
					add_secret(c, e->key, e->key_len,
						   used_label(buf, sizeof(buf),
							      job, step));
		}
		if (strcmp(key, "jobs") == 0 || strcmp(key, "stages") == 0) {
			walk(c, m, job, step, depth + 1, 1);
		} else if ((strcmp(key, "steps") == 0 ||
			    strcmp(key, "script") == 0 ||
			    strcmp(key, "before_script") == 0 ||
			    strcmp(key, "after_script") == 0) &&
			   json_is(m, JSON_ARRAY)) {
			if (strcmp(key, "steps") == 0)
				walk_steps(c, m, job, depth);
			else
				walk(c, m, job, key, depth + 1, 0);
		} else if (depth == 0 && c->kind == CI_GITLAB &&
			   json_is(m, JSON_OBJECT) && !gitlab_reserved(key)) {
			walk(c, m, key, NULL, depth + 1, 0);
		} else {
			walk(c, m, job, step, depth + 1, 0);
		}
	}
}

/* ---- line by line ---- */

/* `lane :name do` -> name, for fastlane's Ruby. */
static int
lane_name(const char *line, size_t n, char *out, size_t outn)
{
	size_t i = 0, j;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (n - i < 6 || memcmp(line + i, "lane :", 6) != 0)
		return 0;
	i += 6;
	for (j = i; j < n && (isalnum((unsigned char)line[j]) || line[j] == '_');
	     j++)
		;
	if (j == i || j - i >= outn)
		return 0;
	memcpy(out, line + i, j - i);
	out[j - i] = '\0';
	return 1;
}

/* ENV["NAME"], ENV['NAME'], ENV.fetch("NAME"...) */
static void
scan_ruby_env(struct ci *c, const char *s, size_t n, const char *used_in)
{
	const char *p = s, *end = s + n;

	while (p < end) {
		const char *q = certs_memmem(p, (size_t)(end - p), "ENV", 3);
		const char *k, *j;

		if (!q)
			break;
		k = q + 3;
		if (end - k > 7 && memcmp(k, ".fetch(", 7) == 0)
			k += 7;
		else if (k < end && *k == '[')
			k++;
		else {
			p = k;
			continue;
		}
		if (k >= end || (*k != '"' && *k != '\'')) {
			p = k;
			continue;
		}
		for (j = k + 1; j < end && *j != *k && j - k <= CI_NAME_MAX; j++)
			;
		if (j < end && *j == *k && interesting_n(k + 1, (size_t)(j - k - 1)))
			add_secret(c, k + 1, (size_t)(j - k - 1), used_in);
		p = j;
	}
}

static void
scan_lines(struct ci *c, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	char lane[64] = "", label[96];
	unsigned line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		line++;
		if (c->kind == CI_FASTLANE) {
			char name[64];

			if (lane_name(p, n, name, sizeof(name)))
				memcpy(lane, name, sizeof(lane));
			if (*lane)
				snprintf(label, sizeof(label), "lane %s", lane);
			else
				snprintf(label, sizeof(label), "line %u", line);
			scan_ruby_env(c, p, n, label);
		} else {
			snprintf(label, sizeof(label), "line %u", line);
		}
		scan_text(c, p, n, label);
		p = nl ? nl + 1 : end;
	}
}

int
certs_parse_ci(struct certs_inv *inv, const struct certs_where *w,
	       const char *data, size_t len)
{
	struct ci c = { inv, w, CI_GITHUB, inv->nsecrets };
	struct json_doc doc;

	if (!ci_kind_of(w->path, &c.kind))
		return 0;
	if (len > CI_FILE_MAX)
		return ws_error_set(WS_ELIMIT, "%s: larger than %u bytes",
				    w->path, CI_FILE_MAX);
	if (c.kind != CI_FASTLANE &&
	    json_parse_yaml(&doc, data, len, w->path) == 0) {
		walk(&c, doc.root, NULL, NULL, 0, 0);
		json_doc_release(&doc);
	} else {
		ws_error_clear();
		scan_lines(&c, data, len);
	}
	/* match reads its storage password from the environment unasked */
	if (c.kind == CI_FASTLANE &&
	    strcmp(certs_basename(w->path), "Matchfile") == 0)
		add_secret(&c, "MATCH_PASSWORD", 14, "fastlane match");
	return (int)(inv->nsecrets - c.first);
}
