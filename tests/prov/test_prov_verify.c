/*
 * src/prov against the real fixtures in tests/data/sigstore: every bundle
 * that expected.json records is verified and must end at the step its
 * recorded checks imply; identities must equal the recorded certificate
 * values; registry signatures under both key shapes.
 */
#include "prov/prov.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"

#include "util/banned.h"

#define DATA TEST_DATA "/sigstore/"
#define T_2025_01_20 1737331200	/* before the old key's end */
#define T_2025_02_01 1738368000	/* after it */

static struct prov_trusted_root *root;
static struct prov_keys *tuf_keys, *v1_keys;

static void
setup(void)
{
	ck_assert_int_eq(prov_trusted_root_load(&root, DATA "trust/trusted_root.json"), 0);
	ck_assert_int_eq(prov_keys_load(&tuf_keys, DATA "trust/npm-registry-keys.tuf-target.json"), 0);
	ck_assert_int_eq(prov_keys_load(&v1_keys, DATA "trust/npm-v1-keys.json"), 0);
}

static void
teardown(void)
{
	prov_trusted_root_free(root);
	prov_keys_free(tuf_keys);
	prov_keys_free(v1_keys);
	root = NULL;
	tuf_keys = v1_keys = NULL;
}

/* A parsed JSON file that stays alive for the test. */
struct jfile {
	struct strbuf sb;
	struct json_doc doc;
};

static void
jfile_load(struct jfile *j, const char *path)
{
	strbuf_init(&j->sb, 16u << 20);
	ck_assert_msg(strbuf_read_file(&j->sb, path, 0) == 0, "%s: %s", path,
		      ws_error_last());
	ck_assert_msg(json_parse(&j->doc, j->sb.buf, j->sb.len, path, 0) == 0,
		      "%s", ws_error_last());
}

static void
jfile_release(struct jfile *j)
{
	json_doc_release(&j->doc);
	strbuf_release(&j->sb);
}

static int
check_false(const struct json_value *checks, const char *key)
{
	const struct json_value *v = json_get(checks, key);

	return v && v->type == JSON_FALSE;
}

/*
 * The first step that fails in prov's order, from the independent checks
 * recorded in expected.json.
 */
static const char *
expected_step(const struct json_value *b)
{
	const struct json_value *checks = json_get(b, "checks");
	const struct json_value *scts = json_get(checks, "scts"), *s;
	const char *keyid = json_get_str(b, "dsse_keyid");
	const char *err = json_get_str(checks, "error");
	int sct_ok = 0;

	if (err)
		return strstr(err, "digest") ? "subject digest" : "bundle";
	if (keyid && *keyid && !prov_keys_find(tuf_keys, keyid, 0))
		return "registry key";
	if (check_false(checks, "subject_name_ok"))
		return "subject name";
	if (check_false(checks, "subject_digest_ok"))
		return "subject digest";
	if (check_false(checks, "SET_ok"))
		return "SET";
	if (check_false(checks, "npmkey_valid_at_itime"))
		return "key expired";
	if (check_false(checks, "chain_ok"))
		return "certificate chain";
	if (check_false(checks, "cert_valid_at_itime"))
		return "certificate validity";
	if (json_is(scts, JSON_ARRAY)) {
		for (s = scts->u.first; s; s = s->next)
			if (json_is(s, JSON_ARRAY) && s->u.first &&
			    s->u.first->next &&
			    s->u.first->next->type == JSON_TRUE)
				sct_ok = 1;
		if (!sct_ok)
			return "SCT";
	}
	if (check_false(checks, "dsse_sig_ok"))
		return "dsse signature";
	if (check_false(checks, "merkle_ok"))
		return "inclusion proof";
	if (check_false(checks, "checkpoint_sig_ok") ||
	    check_false(checks, "checkpoint_root_matches"))
		return "checkpoint";
	if (check_false(checks, "body_sig_match") ||
	    check_false(checks, "body_payloadhash_match"))
		return "tlog body";
	return "ok";
}

static void
assert_streq_or_null(const char *what, const char *got, const char *want,
		     const char *file)
{
	if (!want)
		return;
	ck_assert_msg(got && strcmp(got, want) == 0, "%s: %s is \"%s\", want \"%s\"",
		      file, what, got ? got : "(null)", want);
}

static const char *
oid(const struct json_value *idj, int n)
{
	char key[64];

	snprintf(key, sizeof(key), "1.3.6.1.4.1.57264.1.%d", n);
	return json_get_str(idj, key);
}

static void
check_identity(const struct prov_identity *id, const struct json_value *idj,
	       const char *file)
{
	const struct json_value *san = json_get(idj, "SAN");
	const char *want;
	char repo[512];

	ck_assert(json_is(san, JSON_ARRAY) && san->u.first);
	assert_streq_or_null("SAN", id->san, san->u.first->u.str, file);
	assert_streq_or_null("issuer", id->issuer,
			     oid(idj, 8) ? oid(idj, 8) : oid(idj, 1), file);
	want = oid(idj, 12);
	if (!want && oid(idj, 5)) {
		snprintf(repo, sizeof(repo), "https://github.com/%s", oid(idj, 5));
		want = repo;
	}
	assert_streq_or_null("source repo", id->source_repo, want, file);
	assert_streq_or_null("trigger", id->trigger,
			     oid(idj, 20) ? oid(idj, 20) : oid(idj, 2), file);
	assert_streq_or_null("runner env", id->runner_env, oid(idj, 11), file);
	assert_streq_or_null("commit", id->source_commit,
			     oid(idj, 13) ? oid(idj, 13) : oid(idj, 3), file);
	assert_streq_or_null("run uri", id->run_uri, oid(idj, 21), file);
	assert_streq_or_null("build config", id->build_config_uri, oid(idj, 18), file);
	assert_streq_or_null("build signer", id->build_signer_uri, oid(idj, 9), file);
	/* workflow path@ref is what the build config (else the SAN) names */
	want = oid(idj, 18) ? oid(idj, 18) : san->u.first->u.str;
	ck_assert_msg(id->workflow_path && id->workflow_ref, "%s: no workflow", file);
	snprintf(repo, sizeof(repo), "/%s@%s", id->workflow_path, id->workflow_ref);
	ck_assert_msg(strlen(want) > strlen(repo) &&
		      strcmp(want + strlen(want) - strlen(repo), repo) == 0,
		      "%s: workflow %s does not end %s", file, want, repo);
	ck_assert_ptr_nonnull(id->builder_id);
	ck_assert_ptr_nonnull(id->predicate_type);
}

START_TEST(every_fixture_ends_at_its_recorded_step)
{
	struct jfile exp;
	const struct json_value *fx, *f;
	struct prov_verdict v;
	size_t nfix = 0, nbundles = 0, npass = 0, nfail = 0, nid = 0;
	size_t steps[PROV_STEP_COUNT] = {0};

	jfile_load(&exp, DATA "expected.json");
	fx = json_get(exp.doc.root, "fixtures");
	ck_assert(json_is(fx, JSON_ARRAY));
	prov_verdict_init(&v);
	for (f = fx->u.first; f; f = f->next) {
		const char *file = json_get_str(f, "file");
		const char *expected = json_get_str(f, "expected");
		const struct json_value *bj = json_get(f, "bundles"), *b;
		struct prov_expect ex = {
			.name = json_get_str(f, "package"),
			.version = json_get_str(f, "version"),
			.integrity = json_get_str(f, "integrity"),
		};
		struct prov_attestations atts;
		struct strbuf sb;
		char path[4096];
		size_t i;
		int all_ok = 1;

		ck_assert_ptr_nonnull(file);
		snprintf(path, sizeof(path), DATA "%s", file);
		strbuf_init(&sb, PROV_DOC_MAX);
		ck_assert_int_eq(strbuf_read_file(&sb, path, 0), 0);
		ck_assert_msg(prov_attestations_parse(&atts, sb.buf, sb.len, file) == 0,
			      "%s", ws_error_last());
		ck_assert_uint_eq(atts.count, bj->len);
		for (i = 0, b = bj->u.first; b; b = b->next, i++) {
			const struct prov_attestation *a = &atts.items[i];
			const char *want = expected_step(b);
			const struct json_value *idj = json_get(b, "identity");
			int rc;

			ck_assert_str_eq(a->predicate_type,
					 json_get_str(b, "predicateType"));
			ck_assert_msg(a->bundle, "%s#%zu: %s", file, i,
				      a->error ? a->error : "");
			ck_assert_uint_eq(strlen(prov_bundle_digest(a->bundle)), 64);
			rc = prov_bundle_verify(a->bundle, root, tuf_keys, &ex, &v);
			ck_assert_msg(strcmp(prov_step_name(v.step), want) == 0,
				      "%s#%zu: step \"%s\" (%s), expected \"%s\"",
				      file, i, prov_step_name(v.step), v.reason,
				      want);
			ck_assert_int_eq(rc == 0, v.step == PROV_STEP_OK);
			ck_assert(strchr(v.reason, '\n') == NULL);
			steps[v.step]++;
			nbundles++;
			if (v.step != PROV_STEP_OK) {
				all_ok = 0;
				continue;
			}
			ck_assert_int_eq(v.integrated_time,
					 atoll(json_get_str(json_get(b, "tlog"),
							    "integratedTime")));
			ck_assert_str_eq(v.id.predicate_type, a->predicate_type);
			if (json_is(idj, JSON_OBJECT)) {
				check_identity(&v.id, idj, file);
				nid++;
			} else {
				/* publish attestation: the registry key */
				const char *vm = json_get_str(b,
					"verificationMaterial");

				ck_assert_ptr_nonnull(v.id.key_id);
				ck_assert_ptr_nonnull(strstr(vm, "hint="));
				ck_assert_str_eq(v.id.key_id,
						 strstr(vm, "hint=") + 5);
			}
		}
		ck_assert_msg(all_ok == (strncmp(expected, "pass", 4) == 0),
			      "%s: expected %s", file, expected);
		if (all_ok)
			npass++;
		else
			nfail++;
		nfix++;
		prov_attestations_release(&atts);
		strbuf_release(&sb);
	}
	prov_verdict_release(&v);
	jfile_release(&exp);
	/* Nothing silently skipped: the set as shipped. */
	ck_assert_uint_eq(nfix, 26);
	ck_assert_uint_eq(nbundles, 52);
	ck_assert_uint_eq(npass, 9);
	ck_assert_uint_eq(nfail, 17);
	ck_assert_uint_eq(nid, 19);
	ck_assert_uint_eq(steps[PROV_STEP_OK], 35);
	ck_assert_uint_eq(steps[PROV_STEP_DSSE], 13);
	ck_assert_uint_eq(steps[PROV_STEP_REGISTRY_KEY], 1);
	ck_assert_uint_eq(steps[PROV_STEP_SUBJECT_NAME], 1);
	ck_assert_uint_eq(steps[PROV_STEP_SUBJECT_DIGEST], 2);
}
END_TEST

/* The standalone .sigstore.json files, and verify --bundle's digest mode. */
START_TEST(standalone_bundles_verify_with_a_digest)
{
	static const char *files[] = {
		"playwright-cli-0.1.1-provenance.sigstore.json",
		"playwright-cli-0.1.1-publish.sigstore.json",
	};
	/* sha512 of @playwright/cli-0.1.1.tgz, from its integrity */
	static const char *hex =
		"f64d7565f0f001f3150c322e1155b55afb3c4a80cd5c863574d43ef42f7f492f"
		"199849647317acbb97a82fbbcd6bdea7b626d419aab54ccdaa428aaf765fc8f6";
	struct prov_expect ex = {0};
	struct prov_verdict v;
	char path[4096], digest[256];
	size_t i;

	prov_verdict_init(&v);
	for (i = 0; i < 2; i++) {
		struct prov_bundle *b;

		snprintf(path, sizeof(path), DATA "attestations/sigstore-dotnet/%s",
			 files[i]);
		ck_assert_msg(prov_bundle_load(&b, path) == 0, "%s", ws_error_last());
		ck_assert_int_eq(prov_bundle_verify(b, root, tuf_keys, NULL, &v), 0);
		ck_assert(prov_bench(&b, 1, NULL, 2, root, tuf_keys) > 0);
		ck_assert(prov_bench(&b, 0, NULL, 2, root, tuf_keys) < 0);
		snprintf(digest, sizeof(digest), "sha512:%s", hex);
		ex.digest = digest;
		ck_assert_msg(prov_bundle_verify(b, root, tuf_keys, &ex, &v) == 0,
			      "%s: %s", files[i], v.reason);
		digest[10] = digest[10] == '0' ? '1' : '0';
		ck_assert_int_eq(prov_bundle_verify(b, root, tuf_keys, &ex, &v),
				 WS_EVERIFY);
		ck_assert_str_eq(prov_step_name(v.step), "subject digest");
		/* without registry keys the publish bundle has no key */
		if (i == 1) {
			ck_assert_int_eq(prov_bundle_verify(b, root, NULL, NULL, &v),
					 WS_EVERIFY);
			ck_assert_str_eq(prov_step_name(v.step), "registry key");
		}
		prov_bundle_free(b);
	}
	prov_verdict_release(&v);
}
END_TEST

/* ---- registry signatures ---- */

START_TEST(registry_signatures_under_both_key_shapes)
{
	struct jfile sigs;
	const struct json_value *rows, *r;
	struct prov_verdict v;
	struct prov_keys *sets[2] = {tuf_keys, v1_keys};
	size_t nvalid = 0, ninvalid = 0, nexpired = 0, k;

	jfile_load(&sigs, DATA "registry-signatures/signatures.json");
	rows = json_get(sigs.doc.root, "signatures");
	ck_assert(json_is(rows, JSON_ARRAY));
	prov_verdict_init(&v);
	for (k = 0; k < 2; k++) {
		for (r = rows->u.first; r; r = r->next) {
			const char *name = json_get_str(r, "name");
			const char *ver = json_get_str(r, "version");
			const char *integ = json_get_str(r, "integrity");
			const char *keyid = json_get_str(r, "keyid");
			const char *sig = json_get_str(r, "sig");
			int valid = json_get_bool(r, "expected_valid");
			int old = strstr(keyid, "jl3bw") != NULL;
			int rc;

			rc = prov_registry_sig_verify(sets[k], name, ver, integ,
						      keyid, sig, T_2025_01_20, &v);
			ck_assert_msg((rc == 0) == valid, "%s@%s: %s", name, ver,
				      v.reason);
			if (!valid) {
				ck_assert_str_eq(prov_step_name(v.step), "signature");
				ninvalid++;
				continue;
			}
			nvalid++;
			ck_assert_str_eq(v.id.key_id, keyid);
			/* the old key expired 2025-01-29: a later publish time fails */
			rc = prov_registry_sig_verify(sets[k], name, ver, integ,
						      keyid, sig, T_2025_02_01, &v);
			if (old) {
				ck_assert_int_eq(rc, WS_EVERIFY);
				ck_assert_str_eq(prov_step_name(v.step), "key expired");
				nexpired++;
			} else {
				ck_assert_int_eq(rc, 0);
			}
			/* a different version is a different message */
			rc = prov_registry_sig_verify(sets[k], name, "0.0.0-x", integ,
						      keyid, sig, T_2025_01_20, &v);
			ck_assert_int_eq(rc, WS_EVERIFY);
			ck_assert_str_eq(prov_step_name(v.step), "signature");
		}
	}
	ck_assert_uint_eq(nvalid, 2 * 11);
	ck_assert_uint_eq(ninvalid, 2 * 2);
	ck_assert_uint_eq(nexpired, 2 * 5);
	ck_assert_int_eq(prov_registry_sig_verify(tuf_keys, "a", "1.0.0", "sha512-x",
						  "SHA256:unknown", "MEUC", 0, &v),
			 WS_EVERIFY);
	ck_assert_str_eq(prov_step_name(v.step), "registry key");
	prov_verdict_release(&v);
	jfile_release(&sigs);
}
END_TEST

START_TEST(key_shapes_load_with_usage_and_expiry)
{
	const struct prov_key *k;

	ck_assert_uint_eq(prov_keys_count(tuf_keys), 4);
	ck_assert_uint_eq(prov_keys_count(v1_keys), 2);
	k = prov_keys_find(tuf_keys, "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA",
			   PROV_KEY_ATTESTATIONS);
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->usage, PROV_KEY_ATTESTATIONS);
	ck_assert_int_eq(k->expires, 1738108800);	/* 2025-01-29 */
	k = prov_keys_find(v1_keys, "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U", 0);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->expires, INT64_MAX);
	ck_assert_ptr_null(prov_keys_find(v1_keys, "SHA256:nope", 0));
}
END_TEST

/* Key ids are quoted in messages: a control byte in one is refused. */
START_TEST(key_ids_must_be_printable)
{
	static const char doc[] =
		"{\"keys\": [{\"keyid\": \"SHA256:a\\nb\", \"keytype\": \"ecdsa-sha2-nistp256\", "
		"\"scheme\": \"ecdsa-sha2-nistp256\", \"expires\": null, \"key\": \"AAAA\"}]}";
	struct prov_keys *keys = NULL;

	ck_assert_int_eq(prov_keys_parse(&keys, doc, sizeof(doc) - 1, "k.json"),
			 WS_EPARSE);
	ck_assert_ptr_null(keys);
	ck_assert_ptr_nonnull(strstr(ws_error_last(), "not printable ASCII"));
	ck_assert_ptr_null(strchr(ws_error_last(), '\n'));
}
END_TEST

static Suite *
prov_suite(void)
{
	Suite *s = suite_create("prov");
	TCase *tc;

	tc = tcase_create("fixtures");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_fixture_ends_at_its_recorded_step);
	tcase_add_test(tc, standalone_bundles_verify_with_a_digest);
	suite_add_tcase(s, tc);

	tc = tcase_create("registry signatures");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, registry_signatures_under_both_key_shapes);
	tcase_add_test(tc, key_shapes_load_with_usage_and_expiry);
	tcase_add_test(tc, key_ids_must_be_printable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(prov_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
