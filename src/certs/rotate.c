/*
 * The rotation checklist from a sweep report (which repositories were
 * affected, and when: the exposure windows) and a certs report (what
 * signing material and secrets each repository held, and when).
 *
 * An item is in scope when its repository is affected and the item was
 * reachable during an exposure window: its presence [first_date, last
 * date, or now while still in HEAD] overlaps [first_date, last_date, or
 * now while the version is still locked at HEAD]. Unknown ends are open,
 * so missing dates put an item in scope, never out of it. Everything
 * else is listed as not in scope with the reason: nothing is dropped.
 * The worm's artifacts the sweep found (workflows, branches, runners)
 * become persistence items, removed before anything is revoked.
 */
#define _DEFAULT_SOURCE	/* realpath */
#include "certs/internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json/json.h"
#include "policy/policy.h"
#include "report/rotation.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define WHY_MAX 1024
#define TIME_MIN ((time_t)LLONG_MIN)
#define TIME_MAX ((time_t)LLONG_MAX)

/* ---- times ---- */

/* RFC 3339, or a bare YYYY-MM-DD (midnight UTC); *out untouched if NULL. */
static int
parse_date(const char *s, time_t *out)
{
	char buf[32];

	if (!s || !*s)
		return -1;
	if (strlen(s) == 10) {
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		s = buf;
	}
	return policy_parse_time(s, out) == 0 ? 0 : -1;
}

/* ---- the sweep ---- */

struct exposure {
	const char *package, *version, *first_date, *last_date;
	time_t from, to;
};

struct sweep_repo {
	const char *repo;
	char *norm;
	int affected;
	struct exposure *exp;
	size_t nexp;
	const struct json_value *findings;
};

struct sweep {
	struct sweep_repo *repos;
	size_t n;
};

/* The repository path as written, without "./", "/" and "/.git" ends. */
static char *
norm_repo(const char *s)
{
	char *r = realpath(s, NULL), *out;
	size_t n;

	if (r)
		s = r;
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	out = xstrdup(s);
	free(r);
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (n > 5 && strcmp(out + n - 5, "/.git") == 0)
		out[n - 5] = '\0';
	return out;
}

static int
load_sweep(struct sweep *sw, const struct json_value *root, const char *name)
{
	const struct json_value *repos = json_get(root, "repos"), *r, *e;

	if (!json_is(repos, JSON_ARRAY))
		return ws_error_set(WS_EPARSE,
				    "%s: no \"repos\" array: not a sweep report",
				    name);
	sw->repos = xcalloc(repos->len ? repos->len : 1, sizeof(*sw->repos));
	for (r = repos->u.first; r; r = r->next) {
		struct sweep_repo *s;
		const struct json_value *exp;
		const char *head;

		if (!json_is(r, JSON_OBJECT) || !json_get_str(r, "repo"))
			return ws_error_set(WS_EPARSE,
					    "%s:%u: a repository without \"repo\"",
					    name, r->line);
		s = &sw->repos[sw->n++];
		s->repo = json_get_str(r, "repo");
		s->norm = norm_repo(s->repo);
		s->affected = json_get_bool(r, "affected");
		s->findings = json_get(r, "findings");
		head = json_get_str(r, "head");
		exp = json_get(r, "exposure");
		if (!json_is(exp, JSON_ARRAY) || !exp->len)
			continue;
		s->exp = xcalloc(exp->len, sizeof(*s->exp));
		for (e = exp->u.first; e; e = e->next) {
			struct exposure *x = &s->exp[s->nexp];
			const char *last_commit;

			if (!json_is(e, JSON_OBJECT))
				continue;
			x->package = json_get_str(e, "package");
			x->version = json_get_str(e, "version");
			x->first_date = json_get_str(e, "first_date");
			x->last_date = json_get_str(e, "last_date");
			last_commit = json_get_str(e, "last_commit");
			if (parse_date(x->first_date, &x->from) < 0)
				x->from = TIME_MIN;
			/* still locked at HEAD: the window is still open */
			if (json_get_bool(e, "still_locked") ||
			    (head && last_commit && strcmp(head, last_commit) == 0) ||
			    parse_date(x->last_date, &x->to) < 0)
				x->to = TIME_MAX;
			s->nexp++;
		}
	}
	return 0;
}

static void
free_sweep(struct sweep *sw)
{
	size_t i;

	for (i = 0; i < sw->n; i++) {
		free(sw->repos[i].norm);
		free(sw->repos[i].exp);
	}
	free(sw->repos);
}

static const struct sweep_repo *
find_repo(const struct sweep *sw, const char *repo)
{
	char *n;
	size_t i;

	if (!repo)
		return NULL;
	for (i = 0; i < sw->n; i++)
		if (strcmp(sw->repos[i].repo, repo) == 0)
			return &sw->repos[i];
	n = norm_repo(repo);
	for (i = 0; i < sw->n; i++)
		if (strcmp(sw->repos[i].norm, n) == 0) {
			free(n);
			return &sw->repos[i];
		}
	free(n);
	return NULL;
}

/* ---- platforms and actions ---- */

struct plat {
	const char *prefix;	/* of the certs platform */
	enum rotation_platform platform;
	const char *action;
};

static const struct plat plats[] = {
	{ "apple-developer-id-application", ROTATION_MACOS,
	  "revoke the Developer ID Application certificate in the Apple Developer account and issue a new one; re-sign and re-notarize every build it signed since the exposure, and replace the CI secret that holds it" },
	{ "apple-developer-id-installer", ROTATION_MACOS,
	  "revoke the Developer ID Installer certificate in the Apple Developer account and issue a new one; re-sign and re-notarize the installer packages it signed" },
	{ "apple-mac-", ROTATION_MACOS,
	  "revoke the Mac certificate in the Apple Developer account, issue a new one, regenerate the provisioning profiles that embed it and re-sign the apps" },
	{ "apple-distribution", ROTATION_IOS,
	  "revoke the distribution certificate in the Apple Developer account, issue a new one, regenerate the provisioning profiles that embed it and re-sign the apps (what is already in the App Store keeps working)" },
	{ "iphone-distribution", ROTATION_IOS,
	  "revoke the distribution certificate in the Apple Developer account, issue a new one, regenerate the provisioning profiles that embed it and re-sign the apps (what is already in the App Store keeps working)" },
	{ "apple-development", ROTATION_IOS,
	  "revoke the development certificate in the Apple Developer account, issue a new one and regenerate the development profiles" },
	{ "iphone-development", ROTATION_IOS,
	  "revoke the development certificate in the Apple Developer account, issue a new one and regenerate the development profiles" },
	{ "apple", ROTATION_IOS,
	  "revoke it in the Apple Developer account, issue a new one and re-sign what it signed" },
	{ "windows-authenticode-ev", ROTATION_WINDOWS,
	  "have the CA revoke the EV code-signing certificate, giving the start of the exposure as the revocation date; get a new one on a hardware token, then re-sign and re-timestamp the builds signed since" },
	{ "windows-authenticode", ROTATION_WINDOWS,
	  "have the CA revoke the Authenticode certificate, giving the start of the exposure as the revocation date; get a new one, then re-sign and re-timestamp the builds signed since" },
	{ "windows-strong-name", ROTATION_WINDOWS,
	  "a strong-name key cannot be revoked: make a new key pair, rebuild and re-sign the assemblies, and stop trusting the old key's public key token" },
	{ "android", ROTATION_ANDROID,
	  "if this is the upload key, reset it through Play App Signing (Play Console, App integrity) and register the new upload certificate; an app signing key cannot simply be replaced: request a signing key upgrade in Play App Signing, and outside Play rotate with an APK Signature Scheme v3 lineage" },
};

static const struct plat *
plat_of(const char *platform)
{
	size_t i;

	for (i = 0; platform && i < sizeof(plats) / sizeof(plats[0]); i++)
		if (strncmp(platform, plats[i].prefix, strlen(plats[i].prefix)) ==
		    0)
			return &plats[i];
	return NULL;
}

static void
entry_item(struct rotation_item *it, const struct json_value *c)
{
	const char *kind = json_get_str(c, "kind");
	const char *platform = json_get_str(c, "platform");
	const char *path = json_get_str(c, "path");
	const struct plat *p = plat_of(platform);

	it->kind = json_get_str(c, "subject") || (kind && !strcmp(kind, "pkcs12")) ?
			   ROTATION_CERTIFICATE :
			   ROTATION_KEY;
	it->platform = p ? p->platform : ROTATION_OTHER;
	it->action = p ? p->action : NULL;
	if (kind && strcmp(kind, "apple-p8-key") == 0) {
		it->platform = ROTATION_IOS;
		it->action = "revoke the key in App Store Connect (Users and Access, Integrations) or the developer account (Keys), create a new one and update what uses it";
	} else if (kind && strcmp(kind, "provisioning-profile") == 0 && path &&
		   certs_has_ext(path, ".provisionprofile") &&
		   it->platform == ROTATION_IOS) {
		it->platform = ROTATION_MACOS;
	} else if (kind && strcmp(kind, "gpg-private-key") == 0) {
		it->action = "revoke the key (publish its revocation certificate), make a new one and replace it where it is trusted (package and commit signing)";
	} else if (platform && strcmp(platform, "tls") == 0) {
		it->action = "revoke the certificate with its CA, issue a new one with a new key and deploy it";
	}
}

/* Which platform a CI secret's credential belongs to, by name. */
static enum rotation_platform
secret_platform(const char *name, const char *category)
{
	if (!strcmp(category, "npm-token"))
		return ROTATION_NPM;
	if (!strcmp(category, "github-token"))
		return ROTATION_GITHUB;
	if (!strcmp(category, "windows-signing"))
		return ROTATION_WINDOWS;
	if (!strcmp(category, "android-signing"))
		return ROTATION_ANDROID;
	if (!strcmp(category, "cloud"))
		return ROTATION_CLOUD;
	if (!strcmp(category, "apple-signing"))
		return strstr(name, "IOS") || strstr(name, "MATCH") ||
				       strstr(name, "FASTLANE") ||
				       strstr(name, "APP_STORE") ||
				       strstr(name, "ASC_") ||
				       strstr(name, "PROVISION") ?
			       ROTATION_IOS :
			       ROTATION_MACOS;
	return ROTATION_OTHER;
}

static void
secret_item(struct rotation_item *it, const char *name, const char *category)
{
	it->platform = secret_platform(name, category);
	it->kind = ROTATION_SECRET;
	it->action = NULL;	/* rotation_default_action */
	switch (it->platform) {
	case ROTATION_NPM:
		it->kind = ROTATION_TOKEN;
		break;
	case ROTATION_GITHUB:
		it->kind = ROTATION_TOKEN;
		if (strcmp(name, "GITHUB_TOKEN") == 0)
			it->action = "a per-run token that expires with the job: nothing to revoke; set least-privilege permissions: in the workflow and review what the runs in the window did with it";
		break;
	case ROTATION_IOS:
	case ROTATION_MACOS:
		it->action = "revoke and reissue what it holds first (the certificate, the App Store Connect key, the match or keychain password), then replace the secret in the CI settings";
		break;
	case ROTATION_WINDOWS:
		it->action = "have the CA revoke and reissue the certificate it holds, then replace the secret in the CI settings";
		break;
	case ROTATION_ANDROID:
		it->action = "if it holds the upload keystore or its passwords, reset the upload key through Play App Signing; then replace the secret in the CI settings";
		break;
	case ROTATION_CLOUD:
		it->action = "deactivate the access key or service-account key it holds, issue a new one (better: OIDC workload identity from CI) and replace the secret";
		break;
	default:
		break;
	}
}

/* ---- scope ---- */

static void
fmt_window(char *buf, size_t n, const struct exposure *x)
{
	snprintf(buf, n, "%s@%s (locked %s to %s)",
		 x->package ? x->package : "?", x->version ? x->version : "?",
		 x->first_date ? x->first_date : "an unknown date",
		 x->to == TIME_MAX ? "now" : x->last_date);
}

/*
 * Whether an item present from `from` to `to` is in scope in s; why says
 * it either way.
 */
static int
in_window(const struct sweep_repo *s, time_t from, time_t to, char *why,
	  size_t n, const char *what, int secret)
{
	char win[400];
	size_t i;

	if (!s->nexp) {
		snprintf(why, n,
			 "%s in an affected repository (the sweep found worm artifacts or compromised packages, and gave no exposure window)",
			 what);
		return 1;
	}
	for (i = 0; i < s->nexp; i++) {
		const struct exposure *x = &s->exp[i];

		if (from <= x->to && to >= x->from) {
			fmt_window(win, sizeof(win), x);
			snprintf(why, n, "%s while %s%s", what, win,
				 from == TIME_MIN && secret == 0 ?
					 "; when it was added is not known (certs --history tells)" :
					 secret ? ": a compromised install in CI can read the secrets of the jobs it runs in" :
						  "");
			return 1;
		}
	}
	fmt_window(win, sizeof(win), &s->exp[0]);
	snprintf(why, n,
		 "the repository is affected, but this was not in it during any exposure window (first: %s)",
		 win);
	return 0;
}

static int
scope(const struct sweep *sw, const char *repo, time_t from, time_t to,
      char *why, size_t n, const char *what, int secret)
{
	const struct sweep_repo *s = find_repo(sw, repo);

	if (!s) {
		snprintf(why, n, "the repository is not in the sweep report");
		return 0;
	}
	if (!s->affected) {
		snprintf(why, n, "the sweep found the repository not affected");
		return 0;
	}
	return in_window(s, from, to, why, n, what, secret);
}

/*
 * The CN of an RFC 2253 subject (people know a certificate by it: "Developer
 * ID Application: Example (TEAMID1234)"), or the whole subject.
 */
static void
subject_cn(char *out, size_t n, const char *subject)
{
	const char *p = subject, *v;
	size_t k = 0;

	for (;;) {
		if (strncmp(p, "CN=", 3) == 0)
			break;
		while (*p && *p != ',')
			p += p[0] == '\\' && p[1] ? 2 : 1;
		if (!*p) {
			snprintf(out, n, "%s", subject);
			return;
		}
		p++;
	}
	for (v = p + 3; *v && *v != ',' && k + 1 < n; v++) {
		if (*v == '\\' && v[1])
			v++;
		out[k++] = *v;
	}
	out[k] = '\0';
}

static void
add_entries(struct rotation_list *l, const struct sweep *sw,
	    const struct json_value *certs, const char *deadline)
{
	const struct json_value *c;
	char why[WHY_MAX], where[WHY_MAX], item[WHY_MAX];

	for (c = certs->u.first; c; c = c->next) {
		struct rotation_item it;
		const char *path = json_get_str(c, "path");
		const char *commit = json_get_str(c, "commit");
		const char *subject = json_get_str(c, "subject");
		const char *alias = json_get_str(c, "alias");
		const char *kind = json_get_str(c, "kind");
		const char *file_sha = json_get_str(c, "file_sha256");
		int in_head = json_get(c, "in_head") ?
				      json_get_bool(c, "in_head") :
				      1;
		time_t from = TIME_MIN, to = TIME_MAX;
		int ok;

		if (!json_is(c, JSON_OBJECT))
			continue;
		memset(&it, 0, sizeof(it));
		entry_item(&it, c);
		if (parse_date(json_get_str(c, "first_date"), &from) < 0)
			from = TIME_MIN;
		if (!in_head && parse_date(json_get_str(c, "last_date"), &to) < 0)
			to = TIME_MAX;
		ok = scope(sw, json_get_str(c, "repo"), from, to, why,
			   sizeof(why), "it was in the repository", 0);
		if (subject)
			subject_cn(item, sizeof(item), subject);
		else
			snprintf(item, sizeof(item), "%s %s",
				 kind ? kind : "key",
				 alias ? alias : path ? path : "?");
		snprintf(where, sizeof(where), "%s%s%.12s%s%s%s",
			 path ? path : "?", commit ? " at " : "",
			 commit ? commit : "",
			 in_head ? "" : " (no longer in HEAD)",
			 !json_get_str(c, "sha256_fingerprint") && file_sha ?
				 ", file SHA-256 " :
				 "",
			 !json_get_str(c, "sha256_fingerprint") && file_sha ?
				 file_sha :
				 "");
		it.item = item;
		it.fingerprint = json_get_str(c, "sha256_fingerprint");
		it.repo = json_get_str(c, "repo");
		it.where = where;
		it.why = why;
		it.deadline = ok ? deadline : NULL;
		rotation_add(l, &it, ok);
	}
}

static void
add_secrets(struct rotation_list *l, const struct sweep *sw,
	    const struct json_value *secrets, const char *deadline)
{
	const struct json_value *s, *u;
	char why[WHY_MAX], where[WHY_MAX];

	for (s = secrets->u.first; s; s = s->next) {
		struct rotation_item it;
		const char *name = json_get_str(s, "name");
		const char *category = json_get_str(s, "category");
		const char *file = json_get_str(s, "file");
		size_t len;
		int ok;

		if (!json_is(s, JSON_OBJECT) || !name)
			continue;
		memset(&it, 0, sizeof(it));
		secret_item(&it, name,
			    category ? category : certs_secret_category(name));
		ok = scope(sw, json_get_str(s, "repo"), TIME_MIN, TIME_MAX, why,
			   sizeof(why), "the repository's CI used it", 1);
		len = (size_t)snprintf(where, sizeof(where), "%s",
				       file ? file : "?");
		u = json_get(s, "used_in");
		for (u = json_is(u, JSON_ARRAY) ? u->u.first : NULL;
		     u && len < sizeof(where) - 1; u = u->next)
			if (json_is(u, JSON_STRING))
				len += (size_t)snprintf(where + len,
							sizeof(where) - len,
							"%s%s",
							u == json_get(s, "used_in")->u.first ?
								": " :
								", ",
							u->u.str);
		it.item = name;
		it.secret = name;
		it.repo = json_get_str(s, "repo");
		it.where = where;
		it.why = why;
		it.deadline = ok ? deadline : NULL;
		rotation_add(l, &it, ok);
	}
}

/*
 * Whether file is a lockfile or a package.json: an artifact found there (a
 * registry package's git commit pin, a feed's package-json string) is the
 * compromised dependency itself, which the exposure windows cover, not
 * something the worm left behind to run again.
 */
static int
dependency_file(const char *file)
{
	static const char *const names[] = {
		"package.json", "package-lock.json", "npm-shrinkwrap.json",
		"yarn.lock", "pnpm-lock.yaml", "bun.lock",
	};
	const char *base;
	size_t i;

	if (!file)
		return 0;
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(base, names[i]) == 0)
			return 1;
	return 0;
}

/* The worm's artifacts among a repository's findings: persistence. */
static int
persistence_kind(const char *kind, const char *message, const char *file)
{
	if (dependency_file(file))
		return 0;
	return kind && (strstr(kind, "artifact") || strstr(kind, "workflow") ||
			strstr(kind, "branch") || strstr(kind, "runner") ||
			strstr(kind, "persistence") ||
			(message && strstr(message, "runner")));
}

static void
add_persistence(struct rotation_list *l, const struct sweep *sw,
		const char *deadline)
{
	char where[WHY_MAX];
	size_t i;

	for (i = 0; i < sw->n; i++) {
		const struct sweep_repo *s = &sw->repos[i];
		const struct json_value *f;

		if (!s->affected || !json_is(s->findings, JSON_ARRAY))
			continue;
		for (f = s->findings->u.first; f; f = f->next) {
			struct rotation_item it;
			const char *kind = json_get_str(f, "kind");
			const char *msg = json_get_str(f, "message");
			const struct json_value *loc = json_get(f, "locations");
			const char *file = NULL;

			if (json_is(loc, JSON_ARRAY) && loc->u.first)
				file = json_get_str(loc->u.first, "file");
			if (!persistence_kind(kind, msg, file))
				continue;
			snprintf(where, sizeof(where), "%s",
				 file ? file : json_get_str(f, "target") ?
					    json_get_str(f, "target") :
					    s->repo);
			memset(&it, 0, sizeof(it));
			it.platform = ROTATION_GITHUB;
			it.kind = ROTATION_PERSISTENCE;
			it.item = msg ? msg : kind;
			it.repo = s->repo;
			it.where = where;
			it.why = "the sweep found the worm's artifact in the repository: it can run again and read the new credentials";
			it.action = "delete it (the workflow file or the branch, on every branch and fork), deregister any self-hosted runner it added and check the repository's settings and deploy keys, before revoking anything";
			it.deadline = deadline;
			rotation_add(l, &it, 1);
		}
	}
}

int
certs_rotate(struct rotation_list *l, char *sweep_json, size_t sweep_len,
	     const char *sweep_name, char *certs_json, size_t certs_len,
	     const char *certs_name, const char *deadline)
{
	struct json_doc sd, cd;
	struct sweep sw = { NULL, 0 };
	const struct json_value *certs, *secrets;
	int err;

	if ((err = json_parse(&sd, sweep_json, sweep_len, sweep_name, 0)))
		return err;
	if ((err = json_parse(&cd, certs_json, certs_len, certs_name, 0))) {
		json_doc_release(&sd);
		return err;
	}
	certs = json_get(cd.root, "certificates");
	secrets = json_get(cd.root, "secrets");
	if (!json_is(certs, JSON_ARRAY) || !json_is(secrets, JSON_ARRAY)) {
		err = ws_error_set(WS_EPARSE,
				   "%s: no \"certificates\" and \"secrets\" arrays: not a certs report",
				   certs_name);
		goto done;
	}
	if ((err = load_sweep(&sw, sd.root, sweep_name)))
		goto done;
	rotation_set_deadline(l, deadline);
	add_persistence(l, &sw, deadline);
	add_entries(l, &sw, certs, deadline);
	add_secrets(l, &sw, secrets, deadline);
	rotation_sort(l);
done:
	free_sweep(&sw);
	json_doc_release(&cd);
	json_doc_release(&sd);
	return err;
}
