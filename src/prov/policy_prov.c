#include "prov/check.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"
#include "util/mempool.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * The identity policy: which packages must carry provenance, and from
 * which repository, workflow, trigger and runner. JSON, because the
 * verdicts it pins are JSON values too and the parser is already bounded.
 */

struct prov_rule {
	const char *match;
	const char *where;		/* "FILE rule N" */
	int require;
	const char **pins[PROV_FIELD_COUNT];	/* NULL-terminated, or NULL */
	const char *joined[PROV_FIELD_COUNT];	/* "a or b", for messages */
};

struct prov_policy {
	struct mempool pool;
	struct prov_rule *rules;
	size_t nrules;
};

static const char *const pin_keys[PROV_FIELD_COUNT] = {
	"repository", "workflow", "trigger", "runner",
};

void
prov_policy_free(struct prov_policy *p)
{
	if (!p)
		return;
	mempool_release(&p->pool);
	free(p->rules);
	free(p);
}

size_t
prov_policy_rule_count(const struct prov_policy *p)
{
	return p ? p->nrules : 0;
}

/*
 * A parse error at v. what may quote the file (a key, a value): its
 * control bytes are shown as \xNN, so the message stays one line (found
 * by the fuzzing campaign: a key with "\n" in it split it).
 */
static int
bad(const char *name, const struct json_value *v, const char *what)
{
	char clean[512];
	size_t i = 0;

	for (; *what && i + 5 < sizeof(clean); what++) {
		unsigned char c = (unsigned char)*what;

		if (c < 0x20 || c == 0x7f)
			i += (size_t)snprintf(clean + i, sizeof(clean) - i,
					      "\\x%02x", c);
		else
			clean[i++] = (char)c;
	}
	clean[i] = '\0';
	return ws_error_set(WS_EPARSE, "%s:%u:%u: %s", name, v ? v->line : 1,
			    v ? v->col16 : 1, clean);
}

/* A pin: a string or a list of strings, copied into the pool. */
static int
parse_pin(struct prov_policy *p, struct prov_rule *r, enum prov_field f,
	  const struct json_value *v, const char *name)
{
	const struct json_value *m;
	struct strbuf joined;
	size_t n = 0;

	if (v->type == JSON_STRING) {
		r->pins[f] = mempool_calloc(&p->pool, 2 * sizeof(char *));
		r->pins[f][0] = mempool_strdup(&p->pool, v->u.str);
		r->joined[f] = r->pins[f][0];
		return 0;
	}
	if (v->type != JSON_ARRAY || v->len == 0)
		return bad(name, v, "a pin must be a string or a non-empty list of strings");
	if (v->len > PROV_POLICY_VALUES_MAX)
		return ws_error_set(WS_ELIMIT, "%s:%u:%u: more than %d pinned values",
				    name, v->line, v->col16, PROV_POLICY_VALUES_MAX);
	r->pins[f] = mempool_calloc(&p->pool, (v->len + 1) * sizeof(char *));
	strbuf_init(&joined, (size_t)-1);
	for (m = v->u.first; m; m = m->next) {
		if (m->type != JSON_STRING) {
			strbuf_release(&joined);
			return bad(name, m, "a pinned value must be a string");
		}
		r->pins[f][n++] = mempool_strdup(&p->pool, m->u.str);
		if (joined.len)
			strbuf_addstr(&joined, " or ");
		strbuf_addstr(&joined, m->u.str);
	}
	r->joined[f] = mempool_strdup(&p->pool, joined.buf);
	strbuf_release(&joined);
	return 0;
}

int
prov_policy_parse(struct prov_policy **out, char *buf, size_t len,
		  const char *name)
{
	struct prov_policy *p = xcalloc(1, sizeof(*p));
	const struct json_value *rules, *rv;
	struct json_doc doc;
	int parsed = 0, ret = 0;

	*out = NULL;
	mempool_init(&p->pool, 4096);
	if ((ret = json_parse(&doc, buf, len, name, 0)) < 0)
		goto done;
	parsed = 1;
	if (!json_is(doc.root, JSON_OBJECT)) {
		ret = bad(name, doc.root, "a policy is a JSON object with \"rules\"");
		goto done;
	}
	rules = json_get(doc.root, "rules");
	if (!json_is(rules, JSON_ARRAY)) {
		ret = bad(name, rules ? rules : doc.root, "\"rules\" must be a list");
		goto done;
	}
	if (rules->len > PROV_POLICY_RULES_MAX) {
		ret = ws_error_set(WS_ELIMIT, "%s: more than %d rules", name,
				   PROV_POLICY_RULES_MAX);
		goto done;
	}
	p->rules = xcalloc(rules->len + 1, sizeof(*p->rules));
	for (rv = rules->u.first; rv; rv = rv->next) {
		struct prov_rule *r = &p->rules[p->nrules];
		const struct json_value *m;
		int f;

		if (!json_is(rv, JSON_OBJECT)) {
			ret = bad(name, rv, "a rule must be an object");
			goto done;
		}
		for (m = rv->u.first; m; m = m->next) {
			int known = !strcmp(m->key, "match") ||
				    !strcmp(m->key, "require_provenance");

			for (f = 0; f < PROV_FIELD_COUNT; f++)
				known |= !strcmp(m->key, pin_keys[f]);
			if (!known) {
				ret = bad(name, m, mempool_printf(&p->pool,
					  "unknown key \"%s\" (match, require_provenance, "
					  "repository, workflow, trigger, runner)", m->key));
				goto done;
			}
		}
		m = json_get(rv, "match");
		if (!json_is(m, JSON_STRING) || m->len == 0) {
			ret = bad(name, m ? m : rv, "a rule needs \"match\": a package name or glob");
			goto done;
		}
		r->match = mempool_strdup(&p->pool, m->u.str);
		m = json_get(rv, "require_provenance");
		if (m && m->type != JSON_TRUE && m->type != JSON_FALSE) {
			ret = bad(name, m, "\"require_provenance\" must be true or false");
			goto done;
		}
		r->require = m && m->type == JSON_TRUE;
		for (f = 0; f < PROV_FIELD_COUNT; f++)
			if ((m = json_get(rv, pin_keys[f])) &&
			    (ret = parse_pin(p, r, (enum prov_field)f, m, name)) < 0)
				goto done;
		p->nrules++;
		r->where = mempool_printf(&p->pool, "%s rule %zu (%s)", name,
					  p->nrules, r->match);
	}
	*out = p;
	p = NULL;
done:
	if (parsed)
		json_doc_release(&doc);
	prov_policy_free(p);
	return ret;
}

int
prov_policy_load(struct prov_policy **out, const char *path)
{
	struct strbuf sb;
	int ret;

	*out = NULL;
	strbuf_init(&sb, PROV_POLICY_MAX);
	if ((ret = strbuf_read_file(&sb, path, 0)) == 0)
		ret = prov_policy_parse(out, sb.buf, sb.len, path);
	strbuf_release(&sb);
	return ret;
}

static int
matches(const struct prov_rule *r, const char *name)
{
	return strcmp(r->match, name) == 0 || fnmatch(r->match, name, 0) == 0;
}

int
prov_policy_requires(const struct prov_policy *p, const char *name,
		     const char **where)
{
	size_t i;

	for (i = 0; p && i < p->nrules; i++)
		if (p->rules[i].require && matches(&p->rules[i], name)) {
			if (where)
				*where = p->rules[i].where;
			return 1;
		}
	return 0;
}

int
prov_policy_pins(const struct prov_policy *p, const char *name,
		 const struct prov_identity *id, enum prov_field *field,
		 const char **want, const char **where)
{
	size_t i, j;
	int f;

	for (i = 0; p && i < p->nrules; i++) {
		const struct prov_rule *r = &p->rules[i];

		if (!matches(r, name))
			continue;
		for (f = 0; f < PROV_FIELD_COUNT; f++) {
			const char *v = prov_field_value(id, (enum prov_field)f);
			int ok = 0;

			if (!r->pins[f])
				continue;
			for (j = 0; r->pins[f][j] && !ok; j++)
				ok = v && strcmp(v, r->pins[f][j]) == 0;
			if (ok)
				continue;
			*field = (enum prov_field)f;
			*want = r->joined[f];
			*where = r->where;
			return 1;
		}
	}
	return 0;
}

int
prov_policy_vouches(const struct prov_policy *p, const char *name,
		    enum prov_field f, const char *value)
{
	size_t i, j;

	if (!value)
		return 0;
	for (i = 0; p && i < p->nrules; i++) {
		const struct prov_rule *r = &p->rules[i];

		if (!r->pins[f] || !matches(r, name))
			continue;
		for (j = 0; r->pins[f][j]; j++)
			if (strcmp(r->pins[f][j], value) == 0)
				return 1;
	}
	return 0;
}
