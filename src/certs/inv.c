/*
 * The inventory: entries and secrets in one pool, and their sections of
 * wormsign-report/1 ("certificates", "secrets"), text and Markdown.
 */
#include "certs/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "report/report.h"
#include "report/section.h"
#include "scan/scan.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MD_MAX 300u	/* bytes of one datum in Markdown */

void
certs_inv_init(struct certs_inv *inv)
{
	memset(inv, 0, sizeof(*inv));
	mempool_init(&inv->pool, 64u << 10);
	certs_crypto_init();
}

void
certs_inv_release(struct certs_inv *inv)
{
	if (!inv)
		return;
	free(inv->entries);
	free(inv->secrets);
	mempool_release(&inv->pool);
	memset(inv, 0, sizeof(*inv));
}

const char *
certs_strn(struct certs_inv *inv, const char *s, size_t n)
{
	if (!s)
		return NULL;
	if (n > CERTS_STR_MAX)
		n = CERTS_STR_MAX;
	return mempool_strndup(&inv->pool, s, strnlen(s, n));
}

const char *
certs_str(struct certs_inv *inv, const char *s)
{
	return s ? certs_strn(inv, s, strnlen(s, CERTS_STR_MAX)) : NULL;
}

const char *
certs_hex(struct certs_inv *inv, const unsigned char *data, size_t n)
{
	char *out = mempool_alloc(&inv->pool, 2 * n + 1);

	scan_hex(data, n, out);
	return out;
}

const char *
certs_sha256_hex(struct certs_inv *inv, const void *data, size_t n)
{
	uint8_t md[32];

	scan_sha256(data, n, md);
	return certs_hex(inv, md, sizeof(md));
}

struct certs_entry *
certs_entry_new(struct certs_inv *inv, const struct certs_where *w,
		const char *kind)
{
	struct certs_entry *e;

	if (inv->n >= CERTS_ENTRIES_MAX) {
		inv->dropped++;
		return NULL;
	}
	XGROW(inv->entries, inv->alloc, inv->n + 1);
	e = &inv->entries[inv->n++];
	memset(e, 0, sizeof(*e));
	e->repo = w->repo;
	e->path = w->path;
	e->commit = w->commit;
	e->kind = kind;
	e->platform = "unknown";
	e->in_head = 1;
	return e;
}

const void *
certs_memmem(const void *hay, size_t n, const void *needle, size_t nn)
{
	const unsigned char *h = hay, *end, *p;

	if (nn == 0)
		return hay;
	if (n < nn)
		return NULL;
	end = h + (n - nn) + 1;
	for (p = h; p < end; p++) {
		p = memchr(p, *(const unsigned char *)needle, (size_t)(end - p));
		if (!p)
			return NULL;
		if (memcmp(p, needle, nn) == 0)
			return p;
	}
	return NULL;
}

const char *
certs_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int
certs_has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext), i;

	if (n <= e)
		return 0;
	for (i = 0; i < e; i++)
		if (tolower((unsigned char)path[n - e + i]) !=
		    (unsigned char)ext[i])
			return 0;
	return 1;
}

int
certs_b64_decode(const char *s, size_t n, unsigned char **out,
		 size_t *outlen)
{
	unsigned char *clean, *buf;
	size_t i, k = 0, pad = 0;
	int got;

	clean = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isspace(c))
			continue;
		if (!isalnum(c) && c != '+' && c != '/' && c != '=') {
			free(clean);
			return -1;
		}
		clean[k++] = c;
	}
	if (k == 0 || k % 4 != 0 || k > INT32_MAX) {
		free(clean);
		return -1;
	}
	if (clean[k - 1] == '=')
		pad++;
	if (clean[k - 2] == '=')
		pad++;
	buf = xmalloc(k / 4 * 3 + 1);
	got = EVP_DecodeBlock(buf, clean, (int)k);
	free(clean);
	if (got < 0 || (size_t)got < pad) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)got - pad;
	return 0;
}

/* ---- JSON ---- */

static void
json_strings(struct json_writer *w, const char *key, const char **a, size_t n)
{
	size_t i;

	jsonw_key(w, key);
	jsonw_array_begin_inline(w);
	for (i = 0; i < n; i++)
		jsonw_string(w, a[i]);
	jsonw_array_end(w);
}

static void
json_entry(struct json_writer *w, const struct certs_entry *e)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "repo", e->repo);
	jsonw_kv_string(w, "path", e->path);
	jsonw_kv_string(w, "commit", e->commit);
	jsonw_kv_string(w, "kind", e->kind);
	jsonw_kv_string(w, "platform", e->platform);
	jsonw_kv_string(w, "subject", e->subject);
	jsonw_kv_string(w, "issuer", e->issuer);
	jsonw_kv_string(w, "serial", e->serial);
	jsonw_kv_string(w, "not_before", e->not_before);
	jsonw_kv_string(w, "not_after", e->not_after);
	jsonw_kv_string(w, "sha256_fingerprint", e->fingerprint);
	json_strings(w, "eku", e->eku, e->neku);
	jsonw_key(w, "protected");
	if (e->is_protected < 0)
		jsonw_null(w);
	else
		jsonw_bool(w, e->is_protected);
	jsonw_kv_bool(w, "has_private_key", e->has_key);
	jsonw_kv_bool(w, "ev", e->ev);
	jsonw_kv_bool(w, "expired", e->expired);
	jsonw_kv_string(w, "key_type", e->key_type);
	jsonw_key(w, "key_bits");
	if (e->key_bits)
		jsonw_int(w, e->key_bits);
	else
		jsonw_null(w);
	jsonw_kv_string(w, "alias", e->alias);
	jsonw_kv_string(w, "team_id", e->team_id);
	jsonw_kv_string(w, "profile_name", e->profile_name);
	jsonw_kv_string(w, "profile_expires", e->profile_expires);
	jsonw_kv_string(w, "file_sha256", e->file_sha256);
	jsonw_kv_bool(w, "in_head", e->in_head);
	jsonw_kv_string(w, "first_commit", e->first_commit);
	jsonw_kv_string(w, "first_date", e->first_date);
	jsonw_kv_string(w, "last_commit", e->last_commit);
	jsonw_kv_string(w, "last_date", e->last_date);
	jsonw_kv_string(w, "note", e->note);
	jsonw_object_end(w);
}

static int
section_certs_json(struct json_writer *w, void *ctx)
{
	const struct certs_inv *inv = ctx;
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < inv->n; i++)
		json_entry(w, &inv->entries[i]);
	jsonw_array_end(w);
	return w->error ? WS_EIO : 0;
}

static int
section_secrets_json(struct json_writer *w, void *ctx)
{
	const struct certs_inv *inv = ctx;
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < inv->nsecrets; i++) {
		const struct certs_secret *s = &inv->secrets[i];

		jsonw_object_begin(w);
		jsonw_kv_string(w, "repo", s->repo);
		jsonw_kv_string(w, "file", s->file);
		jsonw_kv_string(w, "name", s->name);
		jsonw_kv_string(w, "category", s->category);
		json_strings(w, "used_in", s->used_in, s->nused);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	return w->error ? WS_EIO : 0;
}

/* ---- text ---- */

static void
text_entry(FILE *fp, const struct certs_entry *e)
{
	size_t i;

	fputs("  ", fp);
	report_sec_text(fp, e->kind);
	fputs(" [", fp);
	report_sec_text(fp, e->platform);
	fputs("] ", fp);
	report_sec_text(fp, e->repo);
	fputs(": ", fp);
	report_sec_text(fp, e->path);
	if (e->is_protected > 0)
		fputs(" (password-protected)", fp);
	else if (e->has_key)
		fputs(" (private key readable without a password)", fp);
	fputc('\n', fp);
	report_sec_field(fp, "subject:", e->subject);
	report_sec_field(fp, "issuer:", e->issuer);
	report_sec_field(fp, "serial:", e->serial);
	if (e->not_before || e->not_after) {
		fprintf(fp, "      %-13s", "valid:");
		report_sec_text(fp, e->not_before);
		fputs(" to ", fp);
		report_sec_text(fp, e->not_after);
		fputs(e->expired ? " (expired)\n" : "\n", fp);
	}
	report_sec_field(fp, "sha256:", e->fingerprint);
	if (e->key_type) {
		fprintf(fp, "      %-13s", "key:");
		report_sec_text(fp, e->key_type);
		if (e->key_bits)
			fprintf(fp, " %u bits", e->key_bits);
		fputc('\n', fp);
	}
	if (e->neku) {
		fprintf(fp, "      %-13s", "eku:");
		for (i = 0; i < e->neku; i++) {
			if (i)
				fputs(", ", fp);
			report_sec_text(fp, e->eku[i]);
		}
		fputs(e->ev ? " (EV)\n" : "\n", fp);
	}
	report_sec_field(fp, "alias:", e->alias);
	report_sec_field(fp, "team:", e->team_id);
	report_sec_field(fp, "profile:", e->profile_name);
	report_sec_field(fp, "expires:", e->profile_expires);
	report_sec_field(fp, "commit:", e->commit);
	report_sec_field(fp, "first seen:", e->first_date);
	if (!e->in_head)
		report_sec_field(fp, "last seen:", e->last_date);
	report_sec_field(fp, "note:", e->note);
}

static int
section_certs_text(FILE *fp, void *ctx, int color)
{
	const struct certs_inv *inv = ctx;
	size_t i;

	fprintf(fp, "%sSigning material: %zu %s%s\n", color ? "\033[1m" : "",
		inv->n, inv->n == 1 ? "entry" : "entries",
		color ? "\033[0m" : "");
	for (i = 0; i < inv->n; i++)
		text_entry(fp, &inv->entries[i]);
	if (inv->dropped)
		fprintf(fp, "  %zu more not listed (limit %u)\n", inv->dropped,
			CERTS_ENTRIES_MAX);
	return ferror(fp) ? ws_error_set(WS_EIO, "write error") : 0;
}

static int
section_secrets_text(FILE *fp, void *ctx, int color)
{
	const struct certs_inv *inv = ctx;
	size_t i, j;

	fprintf(fp, "\n%sCI secrets: %zu%s\n", color ? "\033[1m" : "",
		inv->nsecrets, color ? "\033[0m" : "");
	for (i = 0; i < inv->nsecrets; i++) {
		const struct certs_secret *s = &inv->secrets[i];

		fputs("  ", fp);
		report_sec_text(fp, s->name);
		fputs(" [", fp);
		report_sec_text(fp, s->category);
		fputs("] ", fp);
		report_sec_text(fp, s->repo);
		fputs(": ", fp);
		report_sec_text(fp, s->file);
		fputc('\n', fp);
		for (j = 0; j < s->nused; j++) {
			fputs("      used in ", fp);
			report_sec_text(fp, s->used_in[j]);
			fputc('\n', fp);
		}
	}
	return ferror(fp) ? ws_error_set(WS_EIO, "write error") : 0;
}

/* ---- Markdown ---- */

static int
section_certs_markdown(FILE *fp, void *ctx)
{
	const struct certs_inv *inv = ctx;
	size_t i;

	fprintf(fp, "\n## Signing material\n\n%zu %s.\n\n", inv->n,
		inv->n == 1 ? "entry" : "entries");
	for (i = 0; i < inv->n; i++) {
		const struct certs_entry *e = &inv->entries[i];

		fputs("- ", fp);
		report_sec_md_code(fp, e->kind, 64);
		fputs(" ", fp);
		report_sec_md_code(fp, e->platform, 64);
		fputs(" in ", fp);
		report_sec_md_code(fp, e->repo, MD_MAX);
		fputs(" ", fp);
		report_sec_md_code(fp, e->path, MD_MAX);
		if (e->is_protected > 0)
			fputs(" (password-protected)", fp);
		fputc('\n', fp);
		if (e->subject) {
			fputs("  - subject: ", fp);
			report_sec_md_code(fp, e->subject, MD_MAX);
			fputc('\n', fp);
		}
		if (e->fingerprint) {
			fputs("  - SHA-256: ", fp);
			report_sec_md_code(fp, e->fingerprint, 64);
			fputc('\n', fp);
		}
		if (e->not_after) {
			fputs("  - not after: ", fp);
			report_sec_md_code(fp, e->not_after, 64);
			fputc('\n', fp);
		}
		if (e->note) {
			fputs("  - note: ", fp);
			report_sec_md_text(fp, e->note, MD_MAX);
			fputc('\n', fp);
		}
	}
	return ferror(fp) ? ws_error_set(WS_EIO, "write error") : 0;
}

static int
section_secrets_markdown(FILE *fp, void *ctx)
{
	const struct certs_inv *inv = ctx;
	size_t i, j;

	fprintf(fp, "\n## CI secrets\n\n%zu %s.\n\n", inv->nsecrets,
		inv->nsecrets == 1 ? "secret" : "secrets");
	for (i = 0; i < inv->nsecrets; i++) {
		const struct certs_secret *s = &inv->secrets[i];

		fputs("- ", fp);
		report_sec_md_code(fp, s->name, MD_MAX);
		fputs(" ", fp);
		report_sec_md_code(fp, s->category, 64);
		fputs(" in ", fp);
		report_sec_md_code(fp, s->repo, MD_MAX);
		fputs(" ", fp);
		report_sec_md_code(fp, s->file, MD_MAX);
		fputs(s->nused ? ", used in " : "", fp);
		for (j = 0; j < s->nused; j++) {
			if (j)
				fputs(", ", fp);
			report_sec_md_code(fp, s->used_in[j], MD_MAX);
		}
		fputc('\n', fp);
	}
	return ferror(fp) ? ws_error_set(WS_EIO, "write error") : 0;
}

void
certs_add_sections(struct report *r, struct certs_inv *inv)
{
	struct report_section c = { "certificates", section_certs_json,
				    section_certs_text, section_certs_markdown,
				    inv };
	struct report_section s = { "secrets", section_secrets_json,
				    section_secrets_text,
				    section_secrets_markdown, inv };

	report_add_section(r, &c);
	report_add_section(r, &s);
}
