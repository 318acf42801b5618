/*
 * verify's provenance history (src/prov/history.c) and identity policy
 * (src/prov/policy_prov.c): which earlier versions are compared, which
 * identity changes are drift, and how policy files are read and applied.
 */
#include "prov/check.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"
#include "util/xalloc.h"

#include "util/banned.h"

static struct prov_identity
ident(const char *repo, const char *wf, const char *trigger, const char *runner)
{
	struct prov_identity id;

	memset(&id, 0, sizeof(id));
	id.source_repo = repo;
	id.workflow_path = wf;
	id.trigger = trigger;
	id.runner_env = runner;
	return id;
}

#define REPO "https://github.com/acme/widget"
#define REL ".github/workflows/release.yml"

START_TEST(drift_first_provenance_is_not_drift)
{
	struct prov_identity cur = ident(REPO, ".github/workflows/pr.yml",
					 "pull_request_target", "self-hosted");

	ck_assert_uint_eq(prov_history_drift(&cur, NULL, 0), 0);
}
END_TEST

START_TEST(drift_same_identity_is_quiet)
{
	struct prov_identity a = ident(REPO, REL, "push", "github-hosted");
	struct prov_identity cur = ident(REPO, REL, "push", "github-hosted");
	const struct prov_identity *e[] = { &a };

	ck_assert_uint_eq(prov_history_drift(&cur, e, 1), 0);
}
END_TEST

START_TEST(drift_tanstack_pattern_flags_workflow_and_trigger)
{
	struct prov_identity a = ident(REPO, REL, "push", "github-hosted");
	struct prov_identity b = ident(REPO, REL, "release", "github-hosted");
	struct prov_identity cur = ident(REPO, ".github/workflows/pr.yml",
					 "pull_request_target", "github-hosted");
	const struct prov_identity *e[] = { &a, &b };
	unsigned bits = prov_history_drift(&cur, e, 2);

	ck_assert_uint_eq(bits, (1u << PROV_FIELD_WORKFLOW) | (1u << PROV_FIELD_TRIGGER));
	ck_assert_str_eq(prov_field_name(PROV_FIELD_TRIGGER), "trigger");
}
END_TEST

START_TEST(drift_any_earlier_value_is_history)
{
	/* a trigger any earlier version used is not new */
	struct prov_identity a = ident(REPO, REL, "push", "github-hosted");
	struct prov_identity b = ident(REPO, REL, "release", "github-hosted");
	struct prov_identity cur = ident(REPO, REL, "release", "github-hosted");
	const struct prov_identity *e[] = { &a, &b };

	ck_assert_uint_eq(prov_history_drift(&cur, e, 2), 0);
}
END_TEST

START_TEST(drift_repo_and_runner)
{
	struct prov_identity a = ident(REPO, REL, "push", "github-hosted");
	struct prov_identity cur = ident("https://github.com/evil/widget", REL, "push",
					 "self-hosted");
	const struct prov_identity *e[] = { &a };

	ck_assert_uint_eq(prov_history_drift(&cur, e, 1),
			  (1u << PROV_FIELD_REPO) | (1u << PROV_FIELD_RUNNER));
}
END_TEST

START_TEST(drift_unknown_fields_are_not_drift)
{
	/* an old bundle without runner data cannot show a runner change */
	struct prov_identity a = ident(REPO, REL, "push", NULL);
	struct prov_identity cur = ident(REPO, REL, "push", "self-hosted");
	const struct prov_identity *e[] = { &a };

	ck_assert_uint_eq(prov_history_drift(&cur, e, 1), 0);
	cur = ident(REPO, REL, NULL, NULL);
	a = ident(REPO, REL, "push", "github-hosted");
	ck_assert_uint_eq(prov_history_drift(&cur, e, 1), 0);
}
END_TEST

static const char packument[] =
	"{\"time\": {\"created\": \"2025-01-01T00:00:00.000Z\","
	" \"1.0.0\": \"2025-01-01T00:00:00.000Z\","
	" \"1.1.0\": \"2025-02-01T00:00:00.000Z\","
	" \"1.0.1\": \"2025-03-01T00:00:00.000Z\","
	" \"2.0.0-beta.1\": \"2025-03-15T00:00:00.000Z\","
	" \"1.2.0\": \"2025-04-01T00:00:00.000Z\","
	" \"2.0.0\": \"2025-05-01T00:00:00.000Z\","
	" \"bad\": \"not a time\"},"
	" \"versions\": {\"1.0.0\": {}, \"1.1.0\": {}, \"1.0.1\": {},"
	" \"2.0.0-beta.1\": {}, \"1.2.0\": {}, \"2.0.0\": {}, \"bad\": {},"
	" \"9.9.9\": {}}}";

START_TEST(earlier_versions_newest_published_first)
{
	struct json_doc doc;
	char *buf = xstrdup(packument);
	const char *out[8];
	size_t n;

	ck_assert_int_eq(json_parse(&doc, buf, strlen(buf), "p", 0), 0);
	n = prov_history_earlier(out, 8, json_get(doc.root, "time"),
				 json_get(doc.root, "versions"), "1.2.0");
	/* publish order, not semver: 1.0.1 came after 1.1.0 */
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(out[0], "2.0.0-beta.1");
	ck_assert_str_eq(out[1], "1.0.1");
	ck_assert_str_eq(out[2], "1.1.0");
	ck_assert_str_eq(out[3], "1.0.0");
	n = prov_history_earlier(out, 2, json_get(doc.root, "time"),
				 json_get(doc.root, "versions"), "1.2.0");
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(prov_history_earlier(out, 8, json_get(doc.root, "time"),
					       json_get(doc.root, "versions"), "1.0.0"), 0);
	/* a version without a publish time has no history */
	ck_assert_uint_eq(prov_history_earlier(out, 8, json_get(doc.root, "time"),
					       json_get(doc.root, "versions"), "9.9.9"), 0);
	ck_assert_uint_eq(prov_history_earlier(out, 0, json_get(doc.root, "time"),
					       json_get(doc.root, "versions"), "2.0.0"), 0);
	json_doc_release(&doc);
	free(buf);
}
END_TEST

START_TEST(iso_seconds)
{
	ck_assert_int_eq(prov_iso_seconds("2026-01-01T00:00:00.000Z"), 1767225600);
	ck_assert_int_eq(prov_iso_seconds("2026-01-01T00:00:01Z"), 1767225601);
	ck_assert_int_eq(prov_iso_seconds("2026-01-01"), -1);
	ck_assert_int_eq(prov_iso_seconds(NULL), -1);
}
END_TEST

static struct prov_policy *
policy(const char *text)
{
	struct prov_policy *p = NULL;
	char *buf = xstrdup(text);
	int err = prov_policy_parse(&p, buf, strlen(buf), "pol.json");

	free(buf);
	return err ? NULL : p;
}

START_TEST(policy_require_and_pins)
{
	struct prov_policy *p = policy(
		"{\"rules\": ["
		" {\"match\": \"@acme/*\", \"require_provenance\": true,"
		"  \"workflow\": \".github/workflows/release.yml\","
		"  \"trigger\": [\"push\", \"release\"]},"
		" {\"match\": \"left-pad\", \"repository\": \"https://github.com/x/left-pad\"}]}");
	struct prov_identity id = ident(REPO, REL, "release", "github-hosted");
	const char *where = NULL, *want = NULL;
	enum prov_field f;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(prov_policy_rule_count(p), 2);
	ck_assert_int_eq(prov_policy_requires(p, "@acme/widget", &where), 1);
	ck_assert_str_eq(where, "pol.json rule 1 (@acme/*)");
	ck_assert_int_eq(prov_policy_requires(p, "left-pad", &where), 0);
	ck_assert_int_eq(prov_policy_requires(p, "@other/widget", &where), 0);
	ck_assert_int_eq(prov_policy_pins(p, "@acme/widget", &id, &f, &want, &where), 0);
	id.trigger = "pull_request_target";
	ck_assert_int_eq(prov_policy_pins(p, "@acme/widget", &id, &f, &want, &where), 1);
	ck_assert_int_eq(f, PROV_FIELD_TRIGGER);
	ck_assert_str_eq(want, "push or release");
	ck_assert_int_eq(prov_policy_pins(p, "left-pad", &id, &f, &want, &where), 1);
	ck_assert_int_eq(f, PROV_FIELD_REPO);
	ck_assert_str_eq(where, "pol.json rule 2 (left-pad)");
	/* an unknown identity value never meets a pin */
	id = ident(NULL, NULL, NULL, NULL);
	ck_assert_int_eq(prov_policy_pins(p, "@acme/widget", &id, &f, &want, &where), 1);
	ck_assert_int_eq(f, PROV_FIELD_WORKFLOW);
	/* pinned values vouch for a change: not drift */
	ck_assert_int_eq(prov_policy_vouches(p, "@acme/widget", PROV_FIELD_TRIGGER, "push"), 1);
	ck_assert_int_eq(prov_policy_vouches(p, "@acme/widget", PROV_FIELD_TRIGGER,
					     "pull_request_target"), 0);
	ck_assert_int_eq(prov_policy_vouches(p, "@acme/widget", PROV_FIELD_RUNNER,
					     "github-hosted"), 0);
	ck_assert_int_eq(prov_policy_vouches(p, "other", PROV_FIELD_TRIGGER, "push"), 0);
	ck_assert_int_eq(prov_policy_vouches(p, "@acme/widget", PROV_FIELD_TRIGGER, NULL), 0);
	ck_assert_int_eq(prov_policy_vouches(NULL, "@acme/widget", PROV_FIELD_TRIGGER, "push"), 0);
	prov_policy_free(p);
	prov_policy_free(NULL);
}
END_TEST

START_TEST(policy_errors_name_the_place)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "[]", "pol.json:1:1: a policy is a JSON object" },
		{ "{}", "\"rules\" must be a list" },
		{ "{\"rules\": [1]}", "pol.json:1:12: a rule must be an object" },
		{ "{\"rules\": [{}]}", "a rule needs \"match\"" },
		{ "{\"rules\": [{\"match\": \"x\", \"wrokflow\": \"a\"}]}",
		  "unknown key \"wrokflow\"" },
		/* a quoted key stays on one line */
		{ "{\"rules\": [{\"match\": \"x\", \"a\\nb\": 1}]}",
		  "unknown key \"a\\x0ab\"" },
		{ "{\"rules\": [{\"match\": \"x\", \"trigger\": []}]}",
		  "a pin must be a string or a non-empty list" },
		{ "{\"rules\": [{\"match\": \"x\", \"trigger\": [1]}]}",
		  "a pinned value must be a string" },
		{ "{\"rules\": [{\"match\": \"x\", \"require_provenance\": 1}]}",
		  "must be true or false" },
		{ "{\"rules\": [", "pol.json:1:" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct prov_policy *p = NULL;
		char *buf = xstrdup(bad[i].text);
		int err = prov_policy_parse(&p, buf, strlen(buf), "pol.json");

		ck_assert_msg(err == WS_EPARSE, "%s: %d", bad[i].text, err);
		ck_assert_ptr_null(p);
		ck_assert_msg(strstr(ws_error_last(), bad[i].msg) != NULL, "%s: %s",
			      bad[i].text, ws_error_last());
		free(buf);
	}
	ck_assert_int_eq(prov_policy_load(&(struct prov_policy *){ NULL },
					  "/nonexistent/pol.json"), WS_ENOTFOUND);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("verify_history");
	TCase *t = tcase_create("drift");

	tcase_add_test(t, drift_first_provenance_is_not_drift);
	tcase_add_test(t, drift_same_identity_is_quiet);
	tcase_add_test(t, drift_tanstack_pattern_flags_workflow_and_trigger);
	tcase_add_test(t, drift_any_earlier_value_is_history);
	tcase_add_test(t, drift_repo_and_runner);
	tcase_add_test(t, drift_unknown_fields_are_not_drift);
	suite_add_tcase(s, t);
	t = tcase_create("earlier");
	tcase_add_test(t, earlier_versions_newest_published_first);
	tcase_add_test(t, iso_seconds);
	suite_add_tcase(s, t);
	t = tcase_create("policy");
	tcase_add_test(t, policy_require_and_pins);
	tcase_add_test(t, policy_errors_name_the_place);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
