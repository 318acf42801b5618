#include "scan/scan.h"
#include "scan/payload.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * The core of the payload checks: every file or tarball entry is read once
 * into one buffer that is reused from file to file, hashed as it is read,
 * and matched there: against the feeds by digest and against the rules by
 * content. Nothing is written anywhere, nothing read is executed.
 */

#define PAYLOAD_NAMES_EVIDENCE_MAX 512	/* bytes of "known as" evidence */

void
scan_sha256(const void *buf, size_t len, uint8_t out[32])
{
	unsigned int n = 0;

	if (!EVP_Digest(len ? buf : "", len, out, &n, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

void
scan_hex(const uint8_t *digest, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The last component of a name as the feeds give it ("a/b.js" -> "b.js"). */
static const char *
base_name(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

static void
payload_add_name(struct payload *p, struct strmap *m, const char *b)
{
	size_t n = strlen(b);

	if (n && !strmap_find(m, b, n))
		strmap_put(m, mempool_strndup(&p->names_pool, b, n), n, 0,
			   NULL);
}

void
payload_init(struct payload *p, struct report *r, const struct scan_opts *o,
	     const char *target)
{
	const struct feed_set *s = o ? o->feeds : NULL;
	size_t i, j, k;

	memset(p, 0, sizeof(*p));
	p->r = r;
	p->o = o;
	p->target = target;
	strmap_init(&p->names);
	strmap_init(&p->sha1_names);
	mempool_init(&p->names_pool, 4096);
	mempool_init(&p->pool, 4096);
	for (i = 0; s && i < s->nfeeds; i++) {
		const struct feed *f = s->feeds[i];

		for (j = 0; j < f->nfiles; j++) {
			const struct feed_file *e = &f->files[j];
			int sha1_only = e->has_sha1 && !e->has_sha256;

			if (e->has_sha256)
				p->hashing = 1;
			if (sha1_only) {
				XGROW(p->sha1_entries, p->sha1_alloc,
				      p->nsha1 + 1);
				p->sha1_entries[p->nsha1++] = e;
			}
			for (k = 0; k < e->nnames; k++) {
				const char *b = base_name(e->names[k]);

				payload_add_name(p, &p->names, b);
				if (sha1_only)
					payload_add_name(p, &p->sha1_names, b);
			}
		}
	}
	p->chunk = xmalloc(SCAN_CHUNK);
	if (p->nsha1) {
		p->sha1_ctx = EVP_MD_CTX_new();
		if (!p->sha1_ctx) {
			free(p->sha1_entries);
			p->sha1_entries = NULL;
			p->nsha1 = 0;
		}
	}
	if (p->hashing) {
		p->md = EVP_MD_fetch(NULL, "SHA256", NULL);
		p->md_ctx = EVP_MD_CTX_new();
		if (!p->md || !p->md_ctx) {
			/* no SHA-256 provider: nothing can match, say so once */
			report_add_error(r, target ? target : "scan",
					 "SHA-256 is not available from OpenSSL; payload files not hashed");
			p->hashing = 0;
		}
	}
}

void
payload_release(struct payload *p)
{
	if (!p)
		return;
	strmap_release(&p->names);
	strmap_release(&p->sha1_names);
	free(p->sha1_entries);
	EVP_MD_CTX_free(p->sha1_ctx);
	mempool_release(&p->names_pool);
	mempool_release(&p->pool);
	free(p->buf);
	free(p->chunk);
	free(p->hits);
	EVP_MD_CTX_free(p->md_ctx);
	EVP_MD_free(p->md);
	memset(p, 0, sizeof(*p));
}

int
payload_named(const struct payload *p, const char *base)
{
	return strmap_find(&p->names, base, strlen(base)) != NULL;
}

int
payload_named_sha1(const struct payload *p, const char *base)
{
	return p->nsha1 && strmap_find(&p->sha1_names, base, strlen(base));
}

int
payload_is_js(const char *name)
{
	size_t n = strlen(name);

	return (n > 3 && strcmp(name + n - 3, ".js") == 0) ||
	       (n > 4 && (strcmp(name + n - 4, ".mjs") == 0 ||
			  strcmp(name + n - 4, ".cjs") == 0));
}

/* ---- reading ---- */

static void
payload_grow(struct payload *p, size_t need)
{
	size_t n = p->buf_alloc ? p->buf_alloc : 64u << 10;

	if (need <= p->buf_alloc)
		return;
	while (n < need)
		n *= 2;
	if (n > SCAN_FILE_MAX + 1)
		n = SCAN_FILE_MAX + 1;
	free(p->buf);	/* nothing in it is kept between files */
	p->buf = xmalloc(n);
	p->buf_alloc = n;
}

/* Both digests over one more piece of the file. */
static int
payload_update(struct payload *p, int sha1, const void *buf, size_t n)
{
	if (p->hashing && !EVP_DigestUpdate(p->md_ctx, buf, n))
		return 0;
	if (sha1 && !EVP_DigestUpdate(p->sha1_ctx, buf, n))
		return 0;
	return 1;
}

int
payload_read(struct payload *p, payload_read_fn rd, void *src,
	     size_t size_hint, uint8_t digest[32], size_t *kept,
	     uint64_t *total)
{
	size_t len = 0, got = 0;
	uint64_t all;
	unsigned int dn = 0;
	int err = 0, sha1 = p->want_sha1 && p->sha1_ctx;

	*kept = 0;
	*total = 0;
	memset(digest, 0, 32);
	p->want_sha1 = 0;
	p->have_sha1 = 0;
	/* one byte more than the hint, so that the end is seen in place */
	payload_grow(p, (size_hint < SCAN_FILE_MAX ? size_hint : SCAN_FILE_MAX)
		     + 1);
	for (;;) {
		if (len == p->buf_alloc) {
			unsigned char *old = p->buf;
			size_t n = p->buf_alloc * 2;

			if (len > SCAN_FILE_MAX)
				break;	/* more than we keep: stream the rest */
			/* the hint was short: grow, keeping what was read */
			if (n > SCAN_FILE_MAX + 1)
				n = SCAN_FILE_MAX + 1;
			p->buf = xmalloc(n);
			memcpy(p->buf, old, len);
			free(old);
			p->buf_alloc = n;
		}
		if ((err = rd(src, p->buf + len, p->buf_alloc - len, &got)))
			goto done;
		if (!got)
			break;
		len += got;
	}
	all = len;
	if (p->hashing && !EVP_DigestInit_ex2(p->md_ctx, p->md, NULL))
		goto failed;
	if (sha1 && !EVP_DigestInit_ex2(p->sha1_ctx, EVP_sha1(), NULL))
		goto failed;
	if (!payload_update(p, sha1, len ? (void *)p->buf : "", len))
		goto failed;
	if (len > SCAN_FILE_MAX) {
		/* more than the buffer keeps: hash on, in chunks */
		for (;;) {
			if ((err = rd(src, p->chunk, SCAN_CHUNK, &got)))
				goto done;
			if (!got)
				break;
			all += got;
			if (all > SCAN_HASH_MAX) {
				err = ws_error_set(WS_ELIMIT, "larger than %u bytes, not hashed",
						   SCAN_HASH_MAX);
				goto done;
			}
			if (!payload_update(p, sha1, p->chunk, got))
				goto failed;
		}
		len = SCAN_FILE_MAX;
	}
	if (p->hashing && !EVP_DigestFinal_ex(p->md_ctx, digest, &dn))
		goto failed;
	if (sha1) {
		if (!EVP_DigestFinal_ex(p->sha1_ctx, p->sha1, &dn))
			goto failed;
		p->have_sha1 = 1;
	}
	*kept = len;
	*total = all;
	goto done;
failed:
	err = ws_error_set(WS_ERROR, "hashing failed in OpenSSL");
done:
	return err;
}

/* ---- matching ---- */

static struct payload_hit *
payload_hit_new(struct payload *p, const char *path, const char *file)
{
	struct payload_hit *h;

	if (p->nhits >= SCAN_HITS_MAX) {
		p->hits_dropped++;
		return NULL;
	}
	XGROW(p->hits, p->hits_alloc, p->nhits + 1);
	h = &p->hits[p->nhits++];
	memset(h, 0, sizeof(*h));
	h->path = mempool_strdup(&p->pool, path);
	h->file = mempool_strdup(&p->pool, file);
	return h;
}

struct payload_rule_ctx {
	struct payload *p;
	const char *path, *file;
};

static void
payload_on_rule(const struct rules_match *m, void *payload)
{
	struct payload_rule_ctx *c = payload;
	struct payload_hit *h;
	size_t i;

	/* the same entry twice in a tarball: one finding */
	for (i = 0; i < c->p->nhits; i++) {
		h = &c->p->hits[i];
		if (!h->entry && strcmp(h->path, c->path) == 0 &&
		    strcmp(h->rule.rule, m->rule) == 0 &&
		    strcmp(h->rule.ns, m->ns) == 0)
			return;
	}
	if ((h = payload_hit_new(c->p, c->path, c->file)))
		h->rule = *m;
}

void
payload_check(struct payload *p, const char *path, const char *file,
	      const uint8_t digest[32], size_t kept, int yara)
{
	const struct feed_file *e;
	struct payload_rule_ctx rc;
	struct payload_hit *h;
	char hex[65];
	size_t i;
	int err;

	e = p->hashing && p->o->feeds ?
		feed_set_match_sha256(p->o->feeds, digest) : NULL;
	if (e) {
		scan_hex(digest, 32, hex);
	} else if (p->have_sha1) {
		for (i = 0; i < p->nsha1 && !e; i++)
			if (memcmp(p->sha1_entries[i]->sha1, p->sha1, 20) == 0)
				e = p->sha1_entries[i];
		if (e)
			scan_hex(p->sha1, 20, hex);
	}
	p->have_sha1 = 0;
	if (e) {
		for (i = 0; i < p->nhits; i++)
			if (p->hits[i].entry &&
			    strcmp(p->hits[i].path, path) == 0 &&
			    strcmp(p->hits[i].sha256, hex) == 0)
				break;
		if (i == p->nhits && (h = payload_hit_new(p, path, file))) {
			h->entry = e;
			h->by_sha1 = strlen(hex) == 40;
			memcpy(h->sha256, hex, strlen(hex) + 1);
		}
	}
	if (!yara || !p->o->rules)
		return;
	rc.p = p;
	rc.path = path;
	rc.file = file;
	err = rules_scan(p->o->rules, p->buf, kept, payload_on_rule, &rc);
	if (err)
		report_add_error(p->r, p->target,
				 mempool_printf(&p->pool, "%s: %s", file, ws_error_last()));
}

/* ---- findings ---- */

/* The names a feed entry gives, joined, bounded. */
static const char *
payload_names(struct payload *p, const struct feed_file *e)
{
	char buf[PAYLOAD_NAMES_EVIDENCE_MAX];
	size_t len = 0, i, n;

	buf[0] = '\0';
	for (i = 0; i < e->nnames; i++) {
		n = strlen(e->names[i]);
		if (len + n + 6 >= sizeof(buf)) {
			memcpy(buf + len, ", ...", 6);
			len += 5;
			break;
		}
		if (len) {
			memcpy(buf + len, ", ", 2);
			len += 2;
		}
		memcpy(buf + len, e->names[i], n);
		len += n;
		buf[len] = '\0';
	}
	return len ? mempool_strndup(&p->pool, buf, len) : NULL;
}

static const char *const payload_compromised =
	"Treat every machine and CI runner that installed or unpacked this as "
	"compromised: check it for persistence with 'wormsign host' before "
	"revoking tokens, then rotate every credential it could read.";

static void
payload_add_file(struct payload *p, const struct payload_hit *h,
		 const char *name, const char *version,
		 const struct report_path *paths, size_t npaths)
{
	const struct feed_file *e = h->entry;
	const char *feed_id = e->meta.feed && e->meta.feed->id ?
		e->meta.feed->id : "feed";
	struct report_evidence ev[3];
	struct report_finding f;
	const char *names = payload_names(p, e);
	size_t nev = 0;

	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&p->pool, "ioc-file:%s:%s", h->sha256, h->path);
	f.kind = "ioc-file";
	f.severity = e->meta.severity >= REPORT_INFO &&
		e->meta.severity <= REPORT_CRITICAL ?
		(enum report_severity)e->meta.severity : REPORT_CRITICAL;
	f.target = p->target;
	f.package_name = name;
	f.package_version = version;
	f.paths = (struct report_path *)paths;
	f.npaths = npaths;
	f.file = h->file;
	if (e->description)
		f.message = mempool_printf(&p->pool, "payload file %s matches %s (%s)",
					h->path, feed_id, e->description);
	else
		f.message = mempool_printf(&p->pool, "payload file %s matches %s",
					h->path, feed_id);
	f.remediation = payload_compromised;
	f.feed = feed_id;
	f.source = e->meta.source;
	f.advisory = e->meta.advisory;
	ev[nev].key = h->by_sha1 ? "sha1" : "sha256";
	ev[nev++].value = h->sha256;
	ev[nev].key = "path";
	ev[nev++].value = h->path;
	if (names) {
		ev[nev].key = "known as";
		ev[nev++].value = names;
	}
	f.evidence = ev;
	f.nevidence = nev;
	report_add(p->r, &f);
}

static void
payload_add_rule(struct payload *p, const struct payload_hit *h,
		 const char *name, const char *version,
		 const struct report_path *paths, size_t npaths)
{
	const struct rules_match *m = &h->rule;
	struct report_evidence ev[5];
	struct report_finding f;
	enum report_severity sev;
	size_t nev = 0;
	int worm = m->family && strstr(m->family, "shai-hulud");

	if (!m->severity || report_severity_parse(&sev, m->severity))
		sev = REPORT_HIGH;
	memset(&f, 0, sizeof(f));
	f.id = mempool_printf(&p->pool, "rule:%s:%s:%s", m->ns, m->rule, h->path);
	f.kind = "rule";
	f.severity = sev;
	f.target = p->target;
	f.package_name = name;
	f.package_version = version;
	f.paths = (struct report_path *)paths;
	f.npaths = npaths;
	f.file = h->file;
	f.message = m->description ? m->description :
		mempool_printf(&p->pool, "%s matches YARA rule %s:%s", h->path, m->ns,
			    m->rule);
	f.remediation = worm ? payload_compromised :
		"Read this file before installing the package; if it already "
		"ran, treat the machine as compromised and rotate the "
		"credentials it could read.";
	f.feed = "rules";
	f.source = m->reference ? m->reference :
		mempool_printf(&p->pool, "YARA rule %s:%s", m->ns, m->rule);
	ev[nev].key = "rule";
	ev[nev++].value = m->rule;
	ev[nev].key = "namespace";
	ev[nev++].value = m->ns;
	ev[nev].key = "file";
	ev[nev++].value = h->path;
	if (m->family) {
		ev[nev].key = "family";
		ev[nev++].value = m->family;
	}
	f.evidence = ev;
	f.nevidence = nev;
	report_add(p->r, &f);
}

void
payload_flush(struct payload *p, const char *name, const char *version,
	      const struct report_path *paths, size_t npaths)
{
	size_t i;

	for (i = 0; i < p->nhits; i++) {
		if (p->hits[i].entry)
			payload_add_file(p, &p->hits[i], name, version, paths,
					 npaths);
		else
			payload_add_rule(p, &p->hits[i], name, version, paths,
					 npaths);
	}
	if (p->hits_dropped)
		report_add_error(p->r, p->target,
				 mempool_printf(&p->pool, "%s%s%zu more payload findings not kept",
					     name ? name : "",
					     name ? ": " : "",
					     p->hits_dropped));
	p->nhits = 0;
	p->hits_dropped = 0;
	mempool_release(&p->pool);
	mempool_init(&p->pool, 4096);
}
