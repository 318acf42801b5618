#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json/json.h"
#include "prov/check.h"
#include "prov/prov.h"
#include "registry/npmrc.h"
#include "report/report.h"
#include "tree/tree.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char verify_help[] =
	"Options:\n"
	"  --offline           use only the cache: make no request\n"
	"  --refresh           revalidate what the cache already covers\n"
	"  --history N         compare with up to N earlier versions (default 5,\n"
	"                      0 turns the history off)\n"
	"  --trusted-root FILE a Sigstore trusted_root.json (default: the bundled\n"
	"                      trust/trusted_root.json)\n"
	"  --registry-keys FILE  registry keys (TUF keys.json or /-/npm/v1/keys\n"
	"                      shape; default: the registry's, cached)\n"
	"  --policy FILE       an identity policy (JSON, see wormsign-verify(1))\n"
	"  --registry URL      the registry (default: npm's configuration)\n"
	"  --userconfig FILE   npm's user config (default: ~/.npmrc)\n"
	"  --cache DIR         the cache directory (DIR/registry.db)\n"
	"  --jobs N            requests in flight (default 16)\n"
	"  --source SRC        auto, lockfile, node_modules or all, as for tree\n"
	"  --format FMT        text (default), json, sarif or markdown\n"
	"  -o, --output FILE   write the report to FILE (atomically)\n"
	"  --fail-on SEV       exit 1 on findings at or above SEV: critical,\n"
	"                      high (default), medium, low, info, or none\n"
	"  --ignore FILE       a baseline of accepted findings\n"
	"  -v, --verbose       print every warning\n"
	"  -h, --help          show this help\n"
	"\n"
	"  --bundle FILE       verify one Sigstore bundle (or an npm attestations\n"
	"                      response) on its own: exit 0 when every step\n"
	"                      passes, 1 naming the failing step\n"
	"  --digest ALG:HEX    with --bundle: the artifact's sha256 or sha512\n"
	"\n"
	"PATH is a project directory or a lockfile, as for 'wormsign tree'.\n";

struct verify_args {
	struct cli_report_args rep;
	struct cli_verify_opts vo;
	struct cli_registry_args reg;	/* --registry, --cache, --offline, ... */
	const char *bundle;
	const char *digest;
};

static int
parse_history(unsigned *out, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > PROV_HISTORY_MAX) {
		cli_error("--history: \"%s\" is not a number from 0 to %d", arg,
			  PROV_HISTORY_MAX);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* "sha256:<64 hex>" or "sha512:<128 hex>" */
static int
valid_digest(const char *s)
{
	size_t want, i;

	if (!strncmp(s, "sha256:", 7))
		want = 64;
	else if (!strncmp(s, "sha512:", 7))
		want = 128;
	else
		return 0;
	for (i = 7; s[i]; i++)
		if (json_hexval((unsigned char)s[i]) < 0)
			return 0;
	return i - 7 == want;
}

enum {
	OPT_HISTORY = 256, OPT_ROOT, OPT_KEYS, OPT_POLICY, OPT_BUNDLE,
	OPT_DIGEST,
};

static int
verify_option(void *ctx, int c, const char *arg)
{
	struct verify_args *a = ctx;

	switch (c) {
	case OPT_HISTORY:
		if (parse_history(&a->vo.history, arg))
			return WS_EXIT_USAGE;
		return 0;
	case OPT_ROOT:
		a->vo.trusted_root = arg;
		return 0;
	case OPT_KEYS:
		a->vo.registry_keys = arg;
		return 0;
	case OPT_POLICY:
		a->vo.policy = arg;
		return 0;
	case OPT_BUNDLE:
		a->bundle = arg;
		return 0;
	case OPT_DIGEST:
		if (!valid_digest(arg)) {
			cli_error("--digest: \"%s\" is not sha256:<64 hex> or sha512:<128 hex>",
				  arg);
			return WS_EXIT_USAGE;
		}
		a->digest = arg;
		return 0;
	}
	return -1;
}

static int
verify_parse_args(struct verify_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "trusted-root", required_argument, NULL, OPT_ROOT },
		{ "registry-keys", required_argument, NULL, OPT_KEYS },
		{ "policy", required_argument, NULL, OPT_POLICY },
		CLI_REGISTRY_LONGOPTS,
		CLI_REGISTRY_MORE_LONGOPTS,
		{ "bundle", required_argument, NULL, OPT_BUNDLE },
		{ "digest", required_argument, NULL, OPT_DIGEST },
		CLI_REPORT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_options o = {
		"verify", verify_help, ":o:vh", opts, &a->rep, NULL, &a->reg,
		verify_option, a,
	};
	int code;

	memset(a, 0, sizeof(*a));
	cli_report_args_init(&a->rep);
	a->vo.history = PROV_HISTORY_DEFAULT;
	if ((code = cli_parse_options(&o, argc, argv)))
		return code;
	if (cli_registry_args_check(&a->reg))
		return WS_EXIT_USAGE;
	if (a->digest && !a->bundle) {
		cli_error("--digest goes with --bundle");
		return WS_EXIT_USAGE;
	}
	if (a->bundle && optind < argc) {
		cli_error("--bundle verifies one file: no PATH goes with it");
		return WS_EXIT_USAGE;
	}
	return 0;
}

/* ---- --bundle ---- */

static void
print_identity(FILE *fp, const struct prov_identity *id)
{
	size_t i;

	for (i = 0; i < PROV_IDENTITY_FIELDS; i++) {
		const char *v = prov_identity_field(id, i);

		if (v)
			fprintf(fp, "  %s: %s\n", prov_identity_fields[i].label, v);
	}
}

static void
json_identity(struct json_writer *w, const struct prov_identity *id)
{
	size_t i;

	jsonw_key(w, "identity");
	jsonw_object_begin(w);
	for (i = 0; i < PROV_IDENTITY_FIELDS; i++)
		jsonw_kv_string(w, prov_identity_fields[i].key, prov_identity_field(id, i));
	jsonw_object_end(w);
}

/* Verifies one bundle; prints its result; 1 when it passed. */
static int
bundle_one(FILE *fp, struct json_writer *w, const char *label,
	   const struct prov_bundle *b, const struct prov_trusted_root *root,
	   const struct prov_keys *keys, const char *digest)
{
	struct prov_expect ex;
	struct prov_verdict v;
	char when[32] = "";
	int ok;

	memset(&ex, 0, sizeof(ex));
	ex.digest = digest;
	prov_verdict_init(&v);
	ok = prov_bundle_verify(b, root, keys, &ex, &v) == 0 && v.step == PROV_STEP_OK;
	if (v.integrated_time > 0) {
		time_t t = (time_t)v.integrated_time;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (w) {
		jsonw_object_begin(w);
		jsonw_kv_string(w, "bundle", label);
		jsonw_kv_string(w, "media_type", prov_bundle_media_type(b));
		jsonw_kv_bool(w, "verified", ok);
		jsonw_kv_string(w, "step", ok ? NULL : prov_step_name(v.step));
		jsonw_kv_string(w, "reason", ok ? NULL : v.reason);
		jsonw_kv_string(w, "integrated_time", when[0] ? when : NULL);
		json_identity(w, &v.id);
		jsonw_object_end(w);
	} else if (ok) {
		fprintf(fp, "%s: verified (every step passed)%s%s\n", label,
			when[0] ? ", logged " : "", when);
		print_identity(fp, &v.id);
	} else {
		fprintf(fp, "%s: fails at %s: %s\n", label, prov_step_name(v.step),
			v.reason);
	}
	prov_verdict_release(&v);
	return ok;
}

static int
verify_bundle(const struct verify_args *a)
{
	struct prov_trusted_root *root = NULL;
	struct prov_keys *keys = NULL;
	struct prov_bundle *b = NULL;
	struct prov_attestations atts;
	struct json_writer w;
	struct cli_output out;
	struct strbuf sb;
	char *root_path = NULL;
	int code = 0, err, ok = 1, json = a->rep.format == CLI_FORMAT_JSON, have_atts = 0;
	size_t i;

	memset(&atts, 0, sizeof(atts));
	memset(&out, 0, sizeof(out));
	strbuf_init(&sb, PROV_DOC_MAX);
	if (a->rep.format != CLI_FORMAT_TEXT && !json) {
		cli_error("--bundle writes text or json");
		return WS_EXIT_USAGE;
	}
	if (!(root_path = cli_verify_root_path(a->vo.trusted_root))) {
		cli_error("no bundled trusted root: %s (pass --trusted-root FILE)",
			  ws_error_last());
		code = WS_EXIT_USAGE;
		goto done;
	}
	if ((err = prov_trusted_root_load(&root, root_path)) ||
	    (a->vo.registry_keys && (err = prov_keys_load(&keys, a->vo.registry_keys)))) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
	if ((err = strbuf_read_file(&sb, a->bundle, 0))) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
	/* an npm attestations response holds several bundles */
	if (strstr(sb.buf, "\"attestations\"") &&
	    prov_attestations_parse(&atts, sb.buf, sb.len, a->bundle) == 0 &&
	    atts.count > 0) {
		have_atts = 1;
	} else {
		ws_error_clear();
		if ((err = prov_bundle_parse(&b, sb.buf, sb.len, a->bundle))) {
			cli_error("%s", ws_error_last());
			code = cli_exit_for(err);
			goto done;
		}
	}
	if ((err = cli_output_open(&out, a->rep.output))) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_FAILURE;
		goto done;
	}
	if (json) {
		jsonw_init(&w, out.fp, 1);
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "file", a->bundle);
		jsonw_key(&w, "bundles");
		jsonw_array_begin(&w);
	}
	if (have_atts) {
		for (i = 0; i < atts.count; i++) {
			const struct prov_attestation *at = &atts.items[i];
			char label[512];

			snprintf(label, sizeof(label), "%s: attestation %zu (%s)", a->bundle,
				 i + 1, at->predicate_type ? at->predicate_type : "?");
			if (!at->bundle) {
				if (json) {
					jsonw_object_begin(&w);
					jsonw_kv_string(&w, "bundle", label);
					jsonw_kv_bool(&w, "verified", 0);
					jsonw_kv_string(&w, "step", prov_step_name(PROV_STEP_BUNDLE));
					jsonw_kv_string(&w, "reason", at->error);
					jsonw_object_end(&w);
				} else {
					fprintf(out.fp, "%s: fails at %s: %s\n", label,
						prov_step_name(PROV_STEP_BUNDLE),
						at->error ? at->error : "malformed");
				}
				ok = 0;
				continue;
			}
			ok &= bundle_one(out.fp, json ? &w : NULL, label, at->bundle,
					 root, keys, a->digest);
		}
	} else {
		ok = bundle_one(out.fp, json ? &w : NULL, a->bundle, b, root, keys,
				a->digest);
	}
	if (json) {
		jsonw_array_end(&w);
		jsonw_kv_bool(&w, "verified", ok);
		jsonw_object_end(&w);
		if (jsonw_finish(&w) < 0) {
			cli_output_abort(&out);
			cli_error("write error");
			code = WS_EXIT_FAILURE;
			goto done;
		}
	}
	if (cli_output_commit(&out) < 0) {
		cli_error("%s", ws_error_last());
		code = WS_EXIT_FAILURE;
		goto done;
	}
	code = ok ? WS_EXIT_CLEAN : WS_EXIT_FINDINGS;
done:
	prov_attestations_release(&atts);
	prov_bundle_free(b);
	prov_keys_free(keys);
	prov_trusted_root_free(root);
	strbuf_release(&sb);
	free(root_path);
	return code;
}

/* ---- the tree ---- */

int
cmd_verify(int argc, char **argv)
{
	struct verify_args a;
	struct npmrc *cfg = NULL;
	struct cli_registry *reg = NULL;
	struct cli_verify *v = NULL;
	struct report_baseline *baseline = NULL;
	struct report r;
	char stamp[32], day[16], shown[1024];
	const char *registry;
	char **paths;
	char *dir = NULL;
	int npaths, code, p;

	if ((code = verify_parse_args(&a, argc, argv)))
		return code < 0 ? WS_EXIT_CLEAN : code;
	if (a.bundle)
		return verify_bundle(&a);
	report_init(&r, "verify");
	cli_utc_now(stamp, sizeof(stamp), day, sizeof(day));
	npaths = cli_operands(&paths, argc, argv);
	if ((code = cli_verify_load(&v, &a.vo)))
		goto done;
	dir = cli_project_dir(paths[0]);
	if ((code = cli_npmrc_load(&cfg, a.reg.registry, a.reg.userconfig, dir)))
		goto done;
	cli_npmrc_warnings(cfg, a.rep.verbose);
	registry = npmrc_registry_for(cfg, NULL);
	if (!registry) {
		cli_error("no registry is configured: set registry= in .npmrc, npm_config_registry, or pass --registry");
		code = WS_EXIT_USAGE;
		goto done;
	}
	npmrc_redact(registry, shown, sizeof(shown));
	if ((code = cli_baseline_load(&baseline, a.rep.ignore)))
		goto done;
	a.reg.ro.offline_skip_missing = 1;
	a.reg.ro.want_dist = 1;
	if ((code = cli_registry_open(&reg, cfg, registry, &a.reg.ro)))
		goto done;
	cli_note("registry %s%s", shown, a.reg.ro.offline ? " (offline: cache only)" : "");

	code = WS_EXIT_CLEAN;
	for (p = 0; p < npaths; p++) {
		struct tree_inv inv;

		tree_inv_init(&inv);
		code = cli_worse(code, cli_load_inputs(&inv, 1, &paths[p], a.rep.src,
						       a.rep.verbose));
		code = cli_worse(code, cli_verify_run(v, &r, &inv,
						      cli_registry_client(reg), shown));
		tree_inv_release(&inv);
	}
	cli_verify_note(v);
	cli_verify_section(v, &r);
	cli_report_settle(&r, baseline, day);
	code = cli_worse(code, cli_report_emit(&r, &a.rep, stamp));
done:
	cli_registry_free(reg);
	report_baseline_free(baseline);
	report_release(&r);
	cli_verify_free(v);
	npmrc_free(cfg);
	free(dir);
	return code;
}
