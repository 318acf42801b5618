/*
 * --format sarif: SARIF 2.1.0 as GitHub code scanning accepts it.
 *
 * One rule per kind of finding and rule key (the YARA rule, or the feed or
 * check that produced it), so that code scanning can group and dismiss
 * alerts per feed; one result per finding, located in the lockfile line
 * (or file) that carries the evidence, with the finding's id as its
 * fingerprint so that an alert stays the same alert across runs.
 */

#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "report/internal.h"
#include "report/safe.h"
#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
/* GitHub rejects a run with more results than this. */
#define SARIF_RESULTS_MAX 25000u
#define SARIF_TEXT_MAX (REPORT_STRING_MAX * 2)
/* bytes of the kind, and of the rule key, in a rule id */
#define SARIF_RULE_PART_MAX 128u

#ifndef WS_REPORT_INFO_URI
#define WS_REPORT_INFO_URI "file:///usr/local/share/doc/wormsign/README.md"
#endif

static const struct kind_info {
	const char *kind;
	const char *desc;
	const char *help;
} kind_infos[] = {
	{ "ioc-package", "A package version listed in an IOC feed",
	  "Remove or replace the compromised version, reinstall from a clean "
	  "lockfile, and rotate every credential the install could read." },
	{ "ioc-file", "A file whose hash is listed in an IOC feed",
	  "Delete the file and the package that carries it, and rotate every "
	  "credential the machine that ran it could read." },
	{ "ioc-artifact", "An artifact a known worm leaves behind",
	  "Remove the artifact, find how it got there, and rotate the "
	  "credentials of the account that pushed it." },
	{ "rule", "A match of a YARA rule",
	  "Inspect the matched file; remove the package if it is malicious." },
	{ "lockfile", "A lockfile hygiene problem",
	  "Regenerate the lockfile from the configured registry." },
	{ "release-age", "A version younger than the minimum release age",
	  "Pin an older version until this one has aged." },
	{ "provenance", "Missing or failing provenance attestation",
	  "Check how the version was published before installing it." },
	{ "signature", "A missing or failing registry signature",
	  "Do not install the version until its signature verifies." },
	{ "certificate", "A certificate or private key",
	  "Revoke and replace the certificate, and remove the key from the "
	  "repository." },
	{ "secret", "A credential such as a token",
	  "Revoke the credential and remove it from the repository." },
	{ "persistence", "A way for an attacker to keep access",
	  "Remove it and review who could have added it." },
};

static const struct kind_info *
kind_info(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kind_infos) / sizeof(kind_infos[0]); i++)
		if (strcmp(kind_infos[i].kind, kind) == 0)
			return &kind_infos[i];
	return NULL;
}

/* GitHub's scale: 9.0 and up critical, 7.0 high, 4.0 medium, above 0 low. */
static const char *const security_severity[] = {
	"0.0", "3.0", "5.5", "8.0", "9.5",
};

static const char *
level_of(enum report_severity s)
{
	if (s >= REPORT_HIGH)
		return "error";
	return s == REPORT_MEDIUM ? "warning" : "note";
}

struct sarif_rule {
	const char *id;
	const char *kind;
	const char *key;	/* rule name, feed or check; may be NULL */
	enum report_severity max;
	const char *remediation;	/* the first finding's that has one */
	const char *source;
};

struct sarif {
	struct sarif_rule *rules;
	size_t nrules, rules_alloc;
	uint32_t *rule_of;	/* per listed finding */
	struct strmap index;
	struct mempool pool;
};

static const char *
rule_key(const struct report_finding *f)
{
	size_t i;

	for (i = 0; i < f->nevidence; i++)
		if (strcmp(f->evidence[i].key, "rule") == 0 &&
		    f->evidence[i].value && *f->evidence[i].value)
			return f->evidence[i].value;
	return f->feed && *f->feed ? f->feed : NULL;
}

static void
collect_rules(struct sarif *s, const struct report_finding *const *view,
	      size_t n)
{
	struct strmap_entry *e;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct report_finding *f = view[i];
		const char *key = rule_key(f);
		size_t kl = report_utf8_cut(f->kind, strlen(f->kind),
					    SARIF_RULE_PART_MAX);
		size_t len = kl;
		struct sarif_rule *rule;
		char *id;

		if (key)
			len += 1 + report_utf8_cut(key, strlen(key),
						   SARIF_RULE_PART_MAX);
		id = mempool_alloc(&s->pool, len + 1);
		memcpy(id, f->kind, kl);
		if (key) {
			id[kl] = '/';
			memcpy(id + kl + 1, key, len - kl - 1);
		}
		id[len] = '\0';
		if (strmap_put(&s->index, id, len, (uint32_t)s->nrules, &e)) {
			XGROW(s->rules, s->rules_alloc, s->nrules + 1);
			rule = &s->rules[s->nrules++];
			rule->id = id;
			rule->kind = f->kind;
			rule->key = key;
			rule->max = f->severity;
			rule->remediation = f->remediation;
			rule->source = f->source;
		}
		rule = &s->rules[e->value];
		s->rule_of[i] = e->value;
		if (f->severity > rule->max)
			rule->max = f->severity;
		if (!rule->remediation)
			rule->remediation = f->remediation;
		if (!rule->source)
			rule->source = f->source;
	}
}

static void
text_object(struct json_writer *w, const char *key, const char *text)
{
	jsonw_key(w, key);
	jsonw_object_begin_inline(w);
	jsonw_kv_string(w, "text", text);
	jsonw_object_end(w);
}

static void
write_rule(struct json_writer *w, const struct sarif_rule *rule,
	   struct strbuf *sb)
{
	const struct kind_info *ki = kind_info(rule->kind);

	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", rule->id);
	strbuf_reset(sb);
	if (ki)
		strbuf_addstr(sb, ki->desc);
	else
		strbuf_addf(sb, "A wormsign finding of kind %.200s",
			    rule->kind);
	if (rule->key)
		strbuf_addf(sb, ": %.200s", rule->key);
	text_object(w, "shortDescription", sb->buf);
	if (rule->source)
		strbuf_addf(sb, " (source: %.1000s)", rule->source);
	strbuf_addstr(sb, ".");
	text_object(w, "fullDescription", sb->buf);
	text_object(w, "help", rule->remediation ? rule->remediation :
				ki ? ki->help :
				     "Review the finding and its evidence.");
	jsonw_key(w, "defaultConfiguration");
	jsonw_object_begin_inline(w);
	jsonw_kv_string(w, "level", level_of(rule->max));
	jsonw_object_end(w);
	jsonw_key(w, "properties");
	jsonw_object_begin(w);
	jsonw_kv_string(w, "security-severity", security_severity[rule->max]);
	jsonw_kv_string(w, "precision", "high");
	jsonw_key(w, "tags");
	jsonw_array_begin_inline(w);
	jsonw_string(w, "security");
	jsonw_string(w, "supply-chain");
	jsonw_string(w, rule->kind);
	jsonw_array_end(w);
	jsonw_object_end(w);
	jsonw_object_end(w);
}

/*
 * A file path as a relative URI reference: forward slashes, no leading
 * "./", and every byte that may not appear in a URI percent-encoded
 * (a colon too, so that "c:x" cannot read as a scheme).
 */
static void
uri_of(struct strbuf *sb, const char *path)
{
	static const char safe[] = "-._~/!$&'()*+,;=@";
	const char *p = path;

	strbuf_reset(sb);
	while (p[0] == '.' && (p[1] == '/' || p[1] == '\\'))
		p += 2;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\\')
			c = '/';
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr(safe, c)))
			strbuf_addch(sb, c);
		else
			strbuf_addf(sb, "%%%02X", c);
	}
	if (!sb->len)
		strbuf_addch(sb, '.');
}

static void
write_location(struct json_writer *w, const struct report_finding *f,
	       struct strbuf *sb)
{
	const char *file = f->file ? f->file : f->target;

	jsonw_key(w, "locations");
	jsonw_array_begin(w);
	if (file) {
		uri_of(sb, file);
		jsonw_object_begin(w);
		jsonw_key(w, "physicalLocation");
		jsonw_object_begin(w);
		jsonw_key(w, "artifactLocation");
		jsonw_object_begin_inline(w);
		jsonw_kv_string(w, "uri", sb->buf);
		jsonw_object_end(w);
		jsonw_key(w, "region");
		jsonw_object_begin_inline(w);
		jsonw_kv_int(w, "startLine", f->file && f->line ? f->line : 1);
		jsonw_object_end(w);
		jsonw_object_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* s as a sentence: with a full stop unless it has one. */
static void
add_sentence(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	strbuf_addstr(sb, s);
	if (n && !strchr(".!?", s[n - 1]))
		strbuf_addch(sb, '.');
}

static void
write_result(struct json_writer *w, const struct report_finding *f,
	     const struct sarif_rule *rule, uint32_t index, struct strbuf *sb)
{
	const struct report_path *p = report_shortest_path(f);
	const struct kind_info *ki;
	size_t i;

	jsonw_object_begin(w);
	jsonw_kv_string(w, "ruleId", rule->id);
	jsonw_kv_int(w, "ruleIndex", index);
	jsonw_kv_string(w, "level", level_of(f->severity));
	strbuf_reset(sb);
	if (*f->message) {
		add_sentence(sb, f->message);
	} else {
		/* code scanning wants a message on every result */
		ki = kind_info(f->kind);
		add_sentence(sb, ki ? ki->desc : f->kind);
	}
	if (p) {
		strbuf_addstr(sb, " Dependency path: ");
		for (i = 0; i < p->n; i++) {
			if (i)
				strbuf_addstr(sb, " > ");
			strbuf_addstr(sb, p->nodes[i]);
		}
		strbuf_addch(sb, '.');
	}
	if (f->remediation) {
		strbuf_addch(sb, ' ');
		add_sentence(sb, f->remediation);
	}
	text_object(w, "message", sb->buf);
	write_location(w, f, sb);
	jsonw_key(w, "partialFingerprints");
	jsonw_object_begin_inline(w);
	jsonw_kv_string(w, "wormsign/v1", f->id);
	jsonw_object_end(w);
	jsonw_key(w, "properties");
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", f->id);
	jsonw_kv_string(w, "kind", f->kind);
	jsonw_kv_string(w, "severity", report_severity_name(f->severity));
	if (f->package_name) {
		jsonw_kv_string(w, "package", f->package_name);
		jsonw_kv_string(w, "version", f->package_version);
	}
	if (f->target)
		jsonw_kv_string(w, "target", f->target);
	if (f->feed)
		jsonw_kv_string(w, "feed", f->feed);
	if (f->source)
		jsonw_kv_string(w, "source", f->source);
	if (f->advisory)
		jsonw_kv_string(w, "advisory", f->advisory);
	if (f->nevidence) {
		jsonw_key(w, "evidence");
		jsonw_object_begin(w);
		for (i = 0; i < f->nevidence; i++)
			jsonw_kv_string(w, f->evidence[i].key,
					f->evidence[i].value);
		jsonw_object_end(w);
	}
	jsonw_object_end(w);
	jsonw_object_end(w);
}

static void
write_invocation(struct json_writer *w, const struct report *r,
		 size_t omitted, struct strbuf *sb)
{
	size_t i;

	jsonw_key(w, "invocations");
	jsonw_array_begin(w);
	jsonw_object_begin(w);
	jsonw_kv_bool(w, "executionSuccessful", 1);
	jsonw_key(w, "toolExecutionNotifications");
	jsonw_array_begin(w);
	for (i = 0; i < r->nerrors; i++) {
		strbuf_reset(sb);
		strbuf_addstr(sb, r->errors[i].target);
		strbuf_addstr(sb, ": ");
		strbuf_addstr(sb, r->errors[i].message);
		jsonw_object_begin(w);
		jsonw_kv_string(w, "level", "error");
		text_object(w, "message", sb->buf);
		jsonw_object_end(w);
	}
	if (omitted) {
		strbuf_reset(sb);
		strbuf_addf(sb,
			    "%zu findings of the lowest severities were left out: a run holds at most %u results",
			    omitted, SARIF_RESULTS_MAX);
		jsonw_object_begin(w);
		jsonw_kv_string(w, "level", "warning");
		text_object(w, "message", sb->buf);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
	jsonw_array_end(w);
}

int
report_sarif(FILE *fp, const struct report *r)
{
	const struct report_finding **view = report_sorted_view(r);
	size_t n = r->nfindings, i;
	struct json_writer w;
	struct strbuf sb;
	struct sarif s;
	int err;

	if (n > SARIF_RESULTS_MAX)
		n = SARIF_RESULTS_MAX;
	memset(&s, 0, sizeof(s));
	strmap_init(&s.index);
	mempool_init(&s.pool, 16u << 10);
	s.rule_of = xcalloc(n + 1, sizeof(*s.rule_of));
	strbuf_init(&sb, SARIF_TEXT_MAX);
	collect_rules(&s, view, n);

	jsonw_init(&w, fp, 1);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "$schema", SARIF_SCHEMA);
	jsonw_kv_string(&w, "version", "2.1.0");
	jsonw_key(&w, "runs");
	jsonw_array_begin(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "tool");
	jsonw_object_begin(&w);
	jsonw_key(&w, "driver");
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "name", "wormsign");
	jsonw_kv_string(&w, "informationUri", WS_REPORT_INFO_URI);
	jsonw_kv_string(&w, "version", WS_REPORT_TOOL_VERSION);
	jsonw_kv_string(&w, "semanticVersion", WS_REPORT_TOOL_VERSION);
	jsonw_key(&w, "rules");
	jsonw_array_begin(&w);
	for (i = 0; i < s.nrules; i++)
		write_rule(&w, &s.rules[i], &sb);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	write_invocation(&w, r, r->nfindings - n, &sb);
	jsonw_key(&w, "results");
	jsonw_array_begin(&w);
	for (i = 0; i < n; i++)
		write_result(&w, view[i], &s.rules[s.rule_of[i]],
			     s.rule_of[i], &sb);
	jsonw_array_end(&w);
	jsonw_key(&w, "properties");
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "command", r->command);
	jsonw_key(&w, "suppressed");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nsuppressed; i++) {
		jsonw_object_begin_inline(&w);
		jsonw_kv_string(&w, "id", r->suppressed[i].id);
		jsonw_kv_string(&w, "reason", r->suppressed[i].reason);
		jsonw_kv_string(&w, "expires", r->suppressed[i].expires);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	err = jsonw_finish(&w);

	strbuf_release(&sb);
	free(s.rule_of);
	free(s.rules);
	strmap_release(&s.index);
	mempool_release(&s.pool);
	free(view);
	return err;
}
