#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"
#include "registry/npmrc.h"
#include "registry/registry.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define CHECKS_CONFIG_PATH_MAX 4096	/* ~/.npmrc, $PREFIX/etc/npmrc */

extern char **environ;

int
cli_parse_jobs(unsigned *out, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > REGISTRY_JOBS_MAX) {
		cli_error("--jobs: \"%s\" is not a number from 1 to %d", arg,
			  REGISTRY_JOBS_MAX);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

const char *
cli_registry_default(const char *given)
{
	const char *env = getenv("npm_config_registry");

	if (given)
		return given;
	return env && *env ? env : NULL;
}

int
cli_registry_option(struct cli_registry_args *a, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_REGISTRY:
		a->registry = arg;
		return 1;
	case CLI_OPT_USERCONFIG:
		a->userconfig = arg;
		return 1;
	case CLI_OPT_CACHE:
		a->ro.cache = arg;
		return 1;
	case CLI_OPT_OFFLINE:
		a->ro.offline = 1;
		return 1;
	case CLI_OPT_REFRESH:
		a->ro.refresh = 1;
		return 1;
	case CLI_OPT_JOBS:
		return cli_parse_jobs(&a->ro.jobs, arg) ? -1 : 1;
	}
	return 0;
}

void
cli_registry_stats_add(struct registry_stats *a, const struct registry_stats *b)
{
	a->requests += b->requests;
	a->fetched += b->fetched;
	a->revalidated += b->revalidated;
	a->cached += b->cached;
	a->not_found += b->not_found;
	a->failed += b->failed;
	a->offline += b->offline;
}

int
cli_registry_args_check(const struct cli_registry_args *a)
{
	if (a->ro.offline && a->ro.refresh) {
		cli_error("--offline and --refresh exclude each other");
		return WS_EXIT_USAGE;
	}
	return 0;
}

char *
cli_project_dir(const char *path)
{
	struct stat st;
	char *dir, *slash;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return xstrdup(path);
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (!slash) {
		free(dir);
		return xstrdup(".");
	}
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

int
cli_npmrc_load(struct npmrc **out, const char *registry,
	       const char *userconfig, const char *dir)
{
	struct npmrc_options no;
	char user[CHECKS_CONFIG_PATH_MAX], global[CHECKS_CONFIG_PATH_MAX];
	const char *home = getenv("HOME");
	const char *prefix = getenv("npm_config_prefix");
	int err;

	if (!prefix || !*prefix)
		prefix = getenv("PREFIX");
	memset(&no, 0, sizeof(no));
	no.registry = registry;
	no.userconfig = userconfig;
	no.project_dir = dir;
	if (home && home[0] == '/') {
		snprintf(user, sizeof(user), "%s/.npmrc", home);
		no.default_userconfig = user;
	}
	if (prefix && *prefix) {
		snprintf(global, sizeof(global), "%s/etc/npmrc", prefix);
		no.globalconfig = global;
	}
	no.env = (const char *const *)environ;
	if ((err = npmrc_load(out, &no)))
		cli_error("%s", ws_error_last());
	return cli_exit_for(err);
}

void
cli_npmrc_warnings(const struct npmrc *cfg, int verbose)
{
	size_t i;

	for (i = 0; i < npmrc_warning_count(cfg); i++)
		if (verbose || i < 20)
			cli_warning("%s", npmrc_warning_at(cfg, i));
}

/* min-release-age-exclude, arrays joined with "," (malloc'd or NULL). */
static char *
npm_excludes(const struct npmrc *cfg)
{
	struct npmrc_value v;
	size_t i, len = 0;
	char *out;

	if (npmrc_get(cfg, "min-release-age-exclude", &v) || v.count == 0)
		return NULL;
	for (i = 0; i < v.count; i++)
		len += strlen(v.values[i]) + 1;
	out = xmalloc(len + 1);
	len = 0;
	for (i = 0; i < v.count; i++) {
		size_t n = strlen(v.values[i]);

		if (i)
			out[len++] = ',';
		memcpy(out + len, v.values[i], n);
		len += n;
	}
	out[len] = '\0';
	return out;
}

int
cli_policy_load_project(struct policy *p, const struct npmrc *cfg,
			const char *dir)
{
	char *excl = npm_excludes(cfg);
	int err;

	err = policy_load_project(p, dir, npmrc_get_str(cfg, "min-release-age"),
				  excl);
	free(excl);
	if (err)
		cli_error("%s", ws_error_last());
	return cli_exit_for(err);
}

struct cli_registry {
	struct registry_options ro;	/* borrowed by client */
	struct registry_client *client;
	struct registry_cache *cache;
	struct registry_auth *auth;
	char *cache_path;
	const struct npmrc *cfg;
	const char *fallback;
};

static const char *
registry_for(const char *name, void *payload)
{
	const struct cli_registry *reg = payload;
	const char *r = npmrc_registry_for(reg->cfg, name);

	return r ? r : reg->fallback;
}

struct registry_client *
cli_registry_client(const struct cli_registry *reg)
{
	return reg->client;
}

void
cli_registry_free(struct cli_registry *reg)
{
	if (!reg)
		return;
	registry_client_free(reg->client);
	registry_cache_free(reg->cache);
	free(reg->auth);
	free(reg->cache_path);
	free(reg);
}

/* The cache; with offline_skip_missing, --offline never creates one. */
static int
open_cache(struct cli_registry *reg, const struct cli_registry_opts *o)
{
	int err;

	if (o->cache) {
		size_t n = strlen(o->cache) + sizeof("/registry.db");

		reg->cache_path = xmalloc(n);
		snprintf(reg->cache_path, n, "%s/registry.db", o->cache);
	} else if (registry_cache_default_path(&reg->cache_path)) {
		cli_warning("%s; running without a cache", ws_error_last());
		reg->cache_path = NULL;
	}
	if (reg->cache_path && o->offline && o->offline_skip_missing &&
	    access(reg->cache_path, F_OK) != 0) {
		cli_note("no cache at %s: nothing can be checked offline",
			 reg->cache_path);
		free(reg->cache_path);
		reg->cache_path = NULL;
	}
	if (reg->cache_path &&
	    (err = registry_cache_open(&reg->cache, reg->cache_path))) {
		cli_error("%s", ws_error_last());
		return WS_EXIT_FAILURE;
	}
	return 0;
}

int
cli_registry_open(struct cli_registry **out, const struct npmrc *cfg,
		  const char *base, const struct cli_registry_opts *o)
{
	struct cli_registry *reg = xcalloc(1, sizeof(*reg));
	struct registry_options *ro = &reg->ro;
	struct npmrc_net net;
	const char *proxy = NULL, *noproxy = NULL;
	size_t i, nauth = 0;
	int code, err;

	*out = NULL;
	if ((code = open_cache(reg, o)))
		goto done;
	registry_options_init(ro);
	ro->registry = base;
	reg->cfg = cfg;
	reg->fallback = base;
	ro->registry_for = registry_for;
	ro->registry_for_payload = reg;
	if (npmrc_auth_count(cfg))
		reg->auth = xcalloc(npmrc_auth_count(cfg), sizeof(*reg->auth));
	for (i = 0; i < npmrc_auth_count(cfg); i++) {
		struct npmrc_auth na;

		npmrc_auth_at(cfg, i, &na);
		if (!na.prefix || !na.authorization)
			continue;
		reg->auth[nauth].prefix = na.prefix;
		reg->auth[nauth++].authorization = na.authorization;
	}
	ro->auth = reg->auth;
	ro->nauth = nauth;
	npmrc_net(cfg, &net);
	npmrc_fetch_options(&net, ro);	/* fetch-timeout, fetch-retries */
	ro->cafile = net.cafile;
	if (net.nca)
		cli_warning("inline ca= certificates are not used; put them in a file and set cafile=");
	if (!net.strict_ssl)
		cli_warning("strict-ssl=false is ignored: TLS verification stays on (set cafile= for a private CA)");
	if (npmrc_proxy_for(cfg, base, &proxy, &noproxy) == 0) {
		ro->proxy = proxy;
		ro->noproxy = noproxy;
	}
	ws_error_clear();
	ro->jobs = o->jobs;
	ro->cache = reg->cache;
	ro->offline = o->offline;
	ro->refresh = o->refresh;
	ro->want_dist = o->want_dist;
	if ((err = registry_client_new(&reg->client, ro))) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_USAGE;
		goto done;
	}
done:
	if (code)
		cli_registry_free(reg);
	else
		*out = reg;
	return code;
}
