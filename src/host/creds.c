#include "host/host.h"
#include "host/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"
#include "util/banned.h"

/*
 * Exposed credentials, by presence and kind. A value is seen only by the
 * readers in parse.c, long enough to fingerprint it; what reaches the
 * report is where it is, what it is, its key or variable name and the
 * fingerprint. Each one is a rotation item of the revoke phase, which the
 * checklist orders after every removal of persistence.
 */

#define CREDS_AFTER \
	"Only after every persistence item above is removed: revoking first can trigger the wipe of the home directory."

struct cred_ctx {
	struct host *h;
	const char *path;
	const char *what;	/* "npm configuration", ... */
	enum rotation_platform platform;
	enum rotation_kind rkind;
	const char *action;
	const char *key_fp;	/* an SSH key's "SHA256:..." instead */
};

static const char *
kind_title(const char *kind)
{
	static const char *const titles[][2] = {
		{ "npm-token", "npm token" },
		{ "npm-password", "npm password" },
		{ "github-token", "GitHub CLI token" },
		{ "git-credential", "stored git credential" },
		{ "aws-credentials", "AWS credentials" },
		{ "env-secret", "secret variable" },
	};
	size_t i;

	for (i = 0; i < sizeof(titles) / sizeof(*titles); i++)
		if (strcmp(kind, titles[i][0]) == 0)
			return titles[i][1];
	return kind;
}

/* One credential: a finding and a rotation item. */
static void
cred_add(struct cred_ctx *c, const struct host_secret *s,
	 enum report_severity sev)
{
	struct host *h = c->h;
	struct report_evidence ev[5];
	struct report_finding f;
	struct rotation_item it;
	const char *where = s->line ?
		mempool_printf(&h->pool, "%s:%u", host_display(h, c->path), s->line) :
		host_display(h, c->path);
	const char *label = s->scope ?
		mempool_printf(&h->pool, "%s (%s, %s)", kind_title(s->kind), s->name, s->scope) :
		mempool_printf(&h->pool, "%s (%s)", kind_title(s->kind), s->name);
	size_t nev = 0;

	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&h->pool, "host-credential:%s:%s:%s",
			      host_display(h, c->path), s->kind, s->name);
	f.kind = "host-credential";
	f.severity = sev;
	f.target = h->root;
	f.file = c->path;
	f.line = s->line;
	f.message = mempool_printf(&h->pool, "%s in %s", label, where);
	f.remediation = mempool_printf(&h->pool, "%s %s", c->action,
				       CREDS_AFTER);
	f.feed = "host";
	f.source = "wormsign host";
	ev[nev].key = "kind";
	ev[nev++].value = s->kind;
	ev[nev].key = "name";
	ev[nev++].value = s->name;
	if (s->scope) {
		ev[nev].key = "scope";
		ev[nev++].value = s->scope;
	}
	if (c->key_fp || s->fingerprint[0]) {
		ev[nev].key = "fingerprint";
		ev[nev++].value = c->key_fp ? c->key_fp : s->fingerprint;
	}
	f.evidence = ev;
	f.nevidence = nev;
	report_add(h->r, &f);
	h->credentials++;

	memset(&it, 0, sizeof(it));
	it.platform = c->platform;
	it.kind = c->rkind;
	it.phase = ROTATION_PHASE_REVOKE;
	it.item = label;
	it.fingerprint = c->key_fp ? c->key_fp :
		s->fingerprint[0] ? s->fingerprint : NULL;
	it.secret = s->name;
	it.repo = s->scope;
	it.where = where;
	it.why = mempool_printf(&h->pool, "readable by anything that ran as this user (%s)",
				c->what);
	it.action = f.remediation;
	rotation_add(&h->rot, &it, 1);
}

static void
on_secret(const struct host_secret *s, void *payload)
{
	struct cred_ctx *c = payload;
	struct cred_ctx k = *c;

	if (strcmp(s->kind, "git-credential") == 0 && s->scope &&
	    strstr(s->scope, "github"))
		k.platform = ROTATION_GITHUB;
	cred_add(&k, s, REPORT_LOW);
}

typedef size_t (*cred_parse_fn)(const char *buf, size_t len,
				host_secret_fn fn, void *payload);

static void
cred_file(struct host *h, const char *path, const char *what,
	  enum rotation_platform platform, enum rotation_kind rkind,
	  const char *action, cred_parse_fn parse, int yaml)
{
	struct cred_ctx c;
	struct strbuf sb;
	struct stat st;

	strbuf_init(&sb, HOST_FILE_MAX);
	if (host_read(h, what, path, 0, &sb, &st) != HOST_READ_OK)
		goto done;
	memset(&c, 0, sizeof(c));
	c.h = h;
	c.path = path;
	c.what = what;
	c.platform = platform;
	c.rkind = rkind;
	c.action = action;
	if (yaml)
		host_parse_gh_hosts(sb.buf, sb.len, path, on_secret, &c);
	else
		parse(sb.buf, sb.len, on_secret, &c);
done:
	/* nothing read stays in memory longer than needed */
	memset(sb.buf, 0, sb.len);
	strbuf_release(&sb);
}

/* A credential store known by its presence alone (gcloud, Azure). */
static void
cred_present(struct host *h, const char *rel, const char *kind,
	     const char *what, const char *action)
{
	struct cred_ctx c;
	struct host_secret s;
	struct stat st;
	char path[HOST_PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", h->home, rel) >=
	    (int)sizeof(path) || lstat(path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return;
	host_list_checked(h, what, path);
	memset(&c, 0, sizeof(c));
	c.h = h;
	c.path = path;
	c.what = what;
	c.platform = ROTATION_CLOUD;
	c.rkind = ROTATION_SECRET;
	c.action = action;
	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.name = rel;
	cred_add(&c, &s, REPORT_LOW);
}

static void
check_ssh(struct host *h)
{
	char dir[HOST_PATH_MAX], path[HOST_PATH_MAX], pub[HOST_PATH_MAX];
	char **names;
	size_t n, i;
	struct strbuf sb;
	struct stat st;

	if (snprintf(dir, sizeof(dir), "%s/.ssh", h->home) >= (int)sizeof(dir) ||
	    !host_dir_ok(h, "SSH keys", dir, 0))
		return;
	if (!(names = host_list_dir(h, "SSH keys", dir, &n)))
		return;
	strbuf_init(&sb, HOST_FILE_MAX);
	for (i = 0; i < n; i++) {
		struct cred_ctx c;
		struct host_secret s;
		size_t len = strlen(names[i]);
		char fp[64];
		int enc;

		if (strncmp(names[i], "id_", 3) != 0 ||
		    (len > 4 && strcmp(names[i] + len - 4, ".pub") == 0) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			continue;
		if (host_read(h, "SSH private key", path, 0, &sb, &st) !=
		    HOST_READ_OK)
			continue;
		enc = host_ssh_key_encrypted(sb.buf, sb.len);
		memset(sb.buf, 0, sb.len);
		if (enc < 0)
			continue;
		fp[0] = '\0';
		if (snprintf(pub, sizeof(pub), "%s.pub", path) < (int)sizeof(pub) &&
		    host_read(h, "SSH public key", pub, 0, &sb, &st) == HOST_READ_OK)
			host_ssh_pub_fingerprint(sb.buf, sb.len, fp);
		memset(&c, 0, sizeof(c));
		c.h = h;
		c.path = path;
		c.what = "SSH keys";
		c.platform = ROTATION_OTHER;
		c.rkind = ROTATION_KEY;
		c.action = enc ?
			"Encrypted with a passphrase: replace it if the passphrase may have been typed on this machine since the infection, and remove the old public key from GitHub and every authorized_keys." :
			"Not encrypted: make a new key, add its public key where this one is authorised (GitHub, servers), then remove the old public key everywhere.";
		memset(&s, 0, sizeof(s));
		s.kind = enc ? "ssh-key-encrypted" : "ssh-key";
		s.name = names[i];
		c.key_fp = fp[0] ? fp : NULL;
		cred_add(&c, &s, enc ? REPORT_INFO : REPORT_LOW);
	}
	strbuf_release(&sb);
	host_free_names(names, n);
}

static const char npm_action[] =
	"Revoke the token on the registry (npm token revoke, or the registry's web UI), "
	"issue a new granular token with the least scope, or move publishing to trusted publishing.";

void
host_check_credentials(struct host *h)
{
	static const char gh_action[] =
		"Revoke the token (gh auth logout, and under GitHub Settings, Applications), "
		"then log in again (gh auth login) on a clean machine.";
	static const char git_action[] =
		"Revoke the token or password at its host, store new credentials in a "
		"credential helper instead of a plain file.";
	static const char aws_action[] =
		"Deactivate and delete the access key in IAM, create a new one, "
		"and review CloudTrail for its use since the infection.";
	static const char gcloud_action[] =
		"Revoke the credentials (gcloud auth revoke --all; delete service account "
		"keys in IAM), then log in again and review the audit logs.";
	static const char azure_action[] =
		"Sign out (az logout), revoke the sessions and refresh tokens in Entra ID, "
		"rotate service principal secrets, and review the sign-in logs.";
	char path[HOST_PATH_MAX];

#define HOME_PATH(rel) \
	(snprintf(path, sizeof(path), "%s/%s", h->home, rel) < (int)sizeof(path))
	if (HOME_PATH(".npmrc"))
		cred_file(h, path, "npm configuration", ROTATION_NPM,
			  ROTATION_TOKEN, npm_action, host_parse_npmrc, 0);
	if (HOME_PATH(".config/gh/hosts.yml"))
		cred_file(h, path, "GitHub CLI", ROTATION_GITHUB, ROTATION_TOKEN,
			  gh_action, NULL, 1);
	if (HOME_PATH(".git-credentials"))
		cred_file(h, path, "git credential store", ROTATION_OTHER,
			  ROTATION_TOKEN, git_action, host_parse_git_credentials, 0);
	if (HOME_PATH(".config/git/credentials"))
		cred_file(h, path, "git credential store", ROTATION_OTHER,
			  ROTATION_TOKEN, git_action, host_parse_git_credentials, 0);
	if (HOME_PATH(".aws/credentials"))
		cred_file(h, path, "AWS credentials", ROTATION_CLOUD,
			  ROTATION_SECRET, aws_action, host_parse_aws, 0);
#undef HOME_PATH
	cred_present(h, ".config/gcloud/credentials.db", "gcloud-credentials",
		     "gcloud", gcloud_action);
	cred_present(h, ".config/gcloud/access_tokens.db", "gcloud-credentials",
		     "gcloud", gcloud_action);
	cred_present(h, ".config/gcloud/application_default_credentials.json",
		     "gcloud-credentials", "gcloud", gcloud_action);
	cred_present(h, ".config/gcloud/legacy_credentials", "gcloud-credentials",
		     "gcloud", gcloud_action);
	cred_present(h, ".azure/msal_token_cache.json", "azure-credentials",
		     "Azure CLI", azure_action);
	cred_present(h, ".azure/msal_token_cache.bin", "azure-credentials",
		     "Azure CLI", azure_action);
	cred_present(h, ".azure/accessTokens.json", "azure-credentials",
		     "Azure CLI", azure_action);
	cred_present(h, ".azure/service_principal_entries.json",
		     "azure-credentials", "Azure CLI", azure_action);
	check_ssh(h);
}

/* .env, .env.local, .env.production, ...; not templates. */
static int
is_env_file(const char *name)
{
	static const char *const templates[] = {
		".example", ".sample", ".template", ".dist", ".defaults",
	};
	size_t i, n = strlen(name);

	if (strcmp(name, ".env") != 0 && strncmp(name, ".env.", 5) != 0)
		return 0;
	for (i = 0; i < sizeof(templates) / sizeof(*templates); i++) {
		size_t m = strlen(templates[i]);

		if (n >= m && strcmp(name + n - m, templates[i]) == 0)
			return 0;
	}
	return 1;
}

void
host_check_project_credentials(struct host *h, const char *dir)
{
	static const char env_action[] =
		"Rotate the secret at the service that issued it and move it to a secret "
		"manager; remove the value from the file.";
	char path[HOST_PATH_MAX], **names;
	size_t n, i;

	if (snprintf(path, sizeof(path), "%s/.npmrc", dir) < (int)sizeof(path) &&
	    strcmp(dir, h->home) != 0)
		cred_file(h, path, "project npm configuration", ROTATION_NPM,
			  ROTATION_TOKEN, npm_action, host_parse_npmrc, 0);
	if (!(names = host_list_dir(h, "project", dir, &n)))
		return;
	for (i = 0; i < n; i++)
		if (is_env_file(names[i]) &&
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path))
			cred_file(h, path, ".env file", ROTATION_OTHER,
				  ROTATION_SECRET, env_action, host_parse_env, 0);
	host_free_names(names, n);
}
