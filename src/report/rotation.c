#include "report/rotation.h"

#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "report/internal.h"
#include "report/report.h"
#include "report/safe.h"
#include "report/section.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MD_MAX 512u	/* bytes of one datum in Markdown */

static const char *const platform_names[ROTATION_PLATFORMS] = {
	"ios", "macos", "windows", "android", "npm", "github", "cloud",
	"other",
};
static const char *const platform_titles[ROTATION_PLATFORMS] = {
	"iOS", "macOS", "Windows", "Android", "npm", "GitHub", "Cloud",
	"Other",
};
static const char *const kind_names[] = {
	"certificate", "key", "secret", "token", "persistence",
};

void
rotation_init(struct rotation_list *l, struct mempool *pool)
{
	memset(l, 0, sizeof(*l));
	if (pool) {
		l->pool = pool;
	} else {
		mempool_init(&l->own_pool, 16u << 10);
		l->pool = &l->own_pool;
	}
}

void
rotation_release(struct rotation_list *l)
{
	if (!l)
		return;
	free(l->items);
	free(l->out);
	if (l->pool == &l->own_pool)
		mempool_release(&l->own_pool);
	memset(l, 0, sizeof(*l));
}

/* The strings quote scanned data: bounded like a finding's. */
static const char *
copy(struct rotation_list *l, const char *s)
{
	return report_copy_cut(l->pool, s, ROTATION_STRING_MAX);
}

void
rotation_set_deadline(struct rotation_list *l, const char *deadline)
{
	l->deadline = copy(l, deadline);
}

void
rotation_add(struct rotation_list *l, const struct rotation_item *it,
	     int in_scope)
{
	struct rotation_item *c;
	size_t n = in_scope ? l->n : l->nout;

	if (n >= ROTATION_ITEMS_MAX) {
		l->dropped++;
		return;
	}
	if (in_scope) {
		XGROW(l->items, l->alloc, l->n + 1);
		c = &l->items[l->n++];
	} else {
		XGROW(l->out, l->out_alloc, l->nout + 1);
		c = &l->out[l->nout++];
	}
	*c = *it;
	if ((unsigned)c->platform > ROTATION_OTHER)
		c->platform = ROTATION_OTHER;
	if ((unsigned)c->kind > ROTATION_PERSISTENCE)
		c->kind = ROTATION_SECRET;
	if (c->phase != ROTATION_PHASE_REMOVE &&
	    c->phase != ROTATION_PHASE_REVOKE)
		c->phase = c->kind == ROTATION_PERSISTENCE ?
				   ROTATION_PHASE_REMOVE :
				   ROTATION_PHASE_REVOKE;
	c->item = copy(l, it->item ? it->item : "");
	c->fingerprint = copy(l, it->fingerprint);
	c->secret = copy(l, it->secret);
	c->repo = copy(l, it->repo);
	c->where = copy(l, it->where);
	c->why = copy(l, it->why);
	c->action = copy(l, it->action ? it->action :
			 rotation_default_action(c->platform, c->kind));
	c->deadline = copy(l, it->deadline);
	c->order = 0;
}

/* ---- order ---- */

/*
 * qsort is not stable: `order` holds each item's position before the
 * sort, the last key, so that equal items keep the order they came in.
 */
static int
item_cmp(const void *pa, const void *pb)
{
	const struct rotation_item *a = pa, *b = pb;

	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
	if (a->platform != b->platform)
		return a->platform < b->platform ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

static void
sort_items(struct rotation_item *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		a[i].order = (unsigned)i;
	if (n > 1)
		qsort(a, n, sizeof(*a), item_cmp);
	for (i = 0; i < n; i++)
		a[i].order = (unsigned)(i + 1);
}

void
rotation_sort(struct rotation_list *l)
{
	sort_items(l->items, l->n);
	sort_items(l->out, l->nout);
}

/* ---- names ---- */

const char *
rotation_platform_name(enum rotation_platform p)
{
	return (unsigned)p < ROTATION_PLATFORMS ? platform_names[p] : "other";
}

const char *
rotation_platform_title(enum rotation_platform p)
{
	return (unsigned)p < ROTATION_PLATFORMS ? platform_titles[p] : "Other";
}

int
rotation_platform_parse(enum rotation_platform *out, const char *s)
{
	size_t i;

	for (i = 0; i < ROTATION_PLATFORMS; i++)
		if (strcmp(s, platform_names[i]) == 0) {
			*out = (enum rotation_platform)i;
			return 0;
		}
	return ws_error_set(WS_EPARSE,
			    "unknown platform \"%.64s\" (ios, macos, windows, android, npm, github, cloud, other)",
			    s);
}

const char *
rotation_kind_name(enum rotation_kind k)
{
	return (unsigned)k <= ROTATION_PERSISTENCE ? kind_names[k] : "secret";
}

const char *
rotation_phase_name(enum rotation_phase ph, enum rotation_kind k)
{
	if (ph == ROTATION_PHASE_AUTO)
		ph = k == ROTATION_PERSISTENCE ? ROTATION_PHASE_REMOVE :
						 ROTATION_PHASE_REVOKE;
	return ph == ROTATION_PHASE_REMOVE ? "remove-persistence" :
					     "revoke-reissue";
}

const char *
rotation_default_action(enum rotation_platform p, enum rotation_kind k)
{
	if (k == ROTATION_PERSISTENCE)
		return "remove it and stop what it started, before revoking the credentials it can read";
	if (k == ROTATION_SECRET && p != ROTATION_NPM)
		return "rotate the credential it holds, then replace the secret where it is stored (CI settings, vault)";
	switch (p) {
	case ROTATION_IOS:
		return "revoke the certificate in the Apple Developer account, issue a new one, update the provisioning profiles that embed it and re-sign the apps it signed";
	case ROTATION_MACOS:
		return "revoke the certificate in the Apple Developer account, issue a new one, then re-sign and re-notarize everything it signed";
	case ROTATION_WINDOWS:
		return "have the issuing CA revoke the certificate (giving the date of exposure), get a new one, then re-sign and re-timestamp the builds it signed";
	case ROTATION_ANDROID:
		return "if it is the upload key, reset it through Play App Signing; an app signing key cannot simply be replaced: request a key upgrade in Play App Signing, or rotate it with an APK signature scheme v3 lineage outside Play";
	case ROTATION_NPM:
		return "revoke the token, then move publishing to trusted publishing (OIDC from CI) so that no long-lived token is stored";
	case ROTATION_GITHUB:
		return "revoke the token or key, reissue it with the least scope needed, and review the audit log for its use";
	case ROTATION_CLOUD:
		return "deactivate and delete the access key, issue a new one (prefer short-lived workload identity), and review the audit log for its use";
	case ROTATION_OTHER:
	default:
		break;
	}
	if (k == ROTATION_CERTIFICATE)
		return "revoke the certificate with its CA, reissue it with a new key and replace it wherever it is deployed";
	if (k == ROTATION_KEY)
		return "replace the key pair and remove the old public key wherever it is trusted";
	return "revoke and reissue the credential, then replace it where it is stored";
}

/* ---- JSON ---- */

static void
json_item(struct json_writer *w, const struct rotation_item *it)
{
	jsonw_object_begin(w);
	jsonw_kv_int(w, "order", it->order);
	jsonw_kv_string(w, "phase", rotation_phase_name(it->phase, it->kind));
	jsonw_kv_string(w, "platform", rotation_platform_name(it->platform));
	jsonw_kv_string(w, "kind", rotation_kind_name(it->kind));
	jsonw_kv_string(w, "item", it->item);
	jsonw_kv_string(w, "sha256_fingerprint", it->fingerprint);
	jsonw_kv_string(w, "secret", it->secret);
	jsonw_kv_string(w, "repo", it->repo);
	jsonw_kv_string(w, "where", it->where);
	jsonw_kv_string(w, "why", it->why);
	jsonw_kv_string(w, "action", it->action);
	jsonw_kv_string(w, "deadline", it->deadline);
	jsonw_object_end(w);
}

int
rotation_json_items(struct json_writer *w, const struct rotation_list *l,
		    int in_scope)
{
	const struct rotation_item *a = in_scope ? l->items : l->out;
	size_t n = in_scope ? l->n : l->nout, i;

	jsonw_array_begin(w);
	for (i = 0; i < n; i++)
		json_item(w, &a[i]);
	jsonw_array_end(w);
	return w->error ? WS_EIO : 0;
}

static int
section_json_in(struct json_writer *w, void *ctx)
{
	return rotation_json_items(w, ctx, 1);
}

static int
section_json_out(struct json_writer *w, void *ctx)
{
	return rotation_json_items(w, ctx, 0);
}

/* ---- text ---- */

static void
text_item(FILE *fp, const struct rotation_item *it, int color)
{
	fprintf(fp, "  %3u. %s[%s]%s %s%s: ", it->order,
		color ? "\033[1m" : "", rotation_platform_name(it->platform),
		color ? "\033[0m" : "", rotation_kind_name(it->kind),
		it->phase == ROTATION_PHASE_REMOVE ? " (remove first)" : "");
	report_sec_text(fp, it->item);
	fputc('\n', fp);
	report_sec_field(fp, "fingerprint:", it->fingerprint);
	report_sec_field(fp, "secret:", it->secret);
	report_sec_field(fp, "repo:", it->repo);
	report_sec_field(fp, "where:", it->where);
	report_sec_field(fp, "why:", it->why);
	report_sec_field(fp, "action:", it->action);
	report_sec_field(fp, "deadline:", it->deadline);
}

int
rotation_text(FILE *fp, const struct rotation_list *l, int color)
{
	size_t i;

	fprintf(fp, "\nRotation checklist: %zu %s", l->n,
		l->n == 1 ? "item" : "items");
	if (l->deadline) {
		fputs(", deadline ", fp);
		report_sec_text(fp, l->deadline);
	}
	fputs("\n", fp);
	for (i = 0; i < l->n; i++)
		text_item(fp, &l->items[i], color);
	if (l->nout) {
		fprintf(fp, "\nNot in scope (listed, not to rotate): %zu %s\n",
			l->nout, l->nout == 1 ? "item" : "items");
		for (i = 0; i < l->nout; i++)
			text_item(fp, &l->out[i], 0);
	}
	if (l->dropped)
		fprintf(fp, "\n%zu more items not listed (limit %u)\n",
			l->dropped, ROTATION_ITEMS_MAX);
	return ferror(fp) ? ws_error_set(WS_EIO, "write error") : 0;
}

static int
section_text(FILE *fp, void *ctx, int color)
{
	return rotation_text(fp, ctx, color);
}

/* ---- Markdown ---- */

static void
md_field(FILE *fp, const char *label, const char *value, int code)
{
	if (!value)
		return;
	fprintf(fp, "  - %s: ", label);
	if (code)
		report_sec_md_code(fp, value, MD_MAX);
	else
		report_sec_md_text(fp, value, MD_MAX);
	fputc('\n', fp);
}

static void
md_item(FILE *fp, const struct rotation_item *it, int box)
{
	fprintf(fp, "%s%u. %s %s: ", box ? "- [ ] " : "- ", it->order,
		rotation_platform_title(it->platform),
		rotation_kind_name(it->kind));
	report_sec_md_code(fp, it->item, MD_MAX);
	fputc('\n', fp);
	md_field(fp, "SHA-256", it->fingerprint, 1);
	md_field(fp, "secret", it->secret, 1);
	md_field(fp, "repository", it->repo, 1);
	md_field(fp, "where", it->where, 1);
	md_field(fp, "why", it->why, 0);
	md_field(fp, "action", it->action, 0);
	md_field(fp, "deadline", it->deadline, 1);
}

int
rotation_markdown(FILE *fp, const struct rotation_list *l)
{
	int heading = -1;	/* platform of the last heading, -2: removal */
	size_t i;

	fprintf(fp, "\n## Rotation checklist\n\n%zu %s", l->n,
		l->n == 1 ? "item" : "items");
	if (l->deadline) {
		fputs(", deadline ", fp);
		report_sec_md_code(fp, l->deadline, 64);
	}
	fputs(". Persistence is removed before the credentials it watches are revoked.\n",
	      fp);
	for (i = 0; i < l->n; i++) {
		const struct rotation_item *it = &l->items[i];
		int h = it->phase == ROTATION_PHASE_REMOVE ? -2 :
							     (int)it->platform;

		if (h != heading) {
			if (h == -2)
				fputs("\n### Remove persistence first\n\n", fp);
			else
				fprintf(fp, "\n### %s\n\n",
					rotation_platform_title(it->platform));
			heading = h;
		}
		md_item(fp, it, 1);
	}
	if (l->nout) {
		fprintf(fp, "\n### Not in scope\n\n%zu %s listed so that nothing is silently dropped, not to rotate.\n\n",
			l->nout, l->nout == 1 ? "item" : "items");
		for (i = 0; i < l->nout; i++)
			md_item(fp, &l->out[i], 0);
	}
	if (l->dropped)
		fprintf(fp, "\n%zu more items not listed (limit %u).\n",
			l->dropped, ROTATION_ITEMS_MAX);
	return ferror(fp) ? ws_error_set(WS_EIO, "write error") : 0;
}

static int
section_markdown(FILE *fp, void *ctx)
{
	return rotation_markdown(fp, ctx);
}

void
rotation_add_sections(struct report *r, struct rotation_list *l)
{
	struct report_section in = { "rotation", section_json_in,
				     section_text, section_markdown, l };
	struct report_section out = { "not_in_scope", section_json_out, NULL,
				      NULL, l };

	report_add_section(r, &in);
	report_add_section(r, &out);
}
