/* report/rotation: the checklist model shared by report rotate and host. */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "report/report.h"
#include "report/rotation.h"
#include "util/error.h"
#include "util/strbuf.h"

static char *
slurp(FILE *fp)
{
	struct strbuf sb;
	char chunk[4096];
	size_t n;

	rewind(fp);
	strbuf_init(&sb, 64u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ck_assert_int_eq(strbuf_add(&sb, chunk, n), 0);
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

static char *
render_report(struct report *r, int fmt)
{
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	if (fmt == 0)
		ck_assert_int_eq(report_json(fp, r, "2026-05-20T00:00:00Z"), 0);
	else if (fmt == 1)
		ck_assert_int_eq(report_markdown(fp, r), 0);
	else
		ck_assert_int_eq(report_text(fp, r, 0), 0);
	return slurp(fp);
}

static void
add(struct rotation_list *l, enum rotation_platform p, enum rotation_kind k,
    const char *item, int in_scope)
{
	struct rotation_item it;

	memset(&it, 0, sizeof(it));
	it.platform = p;
	it.kind = k;
	it.item = item;
	it.repo = "repos/app";
	it.where = "sign/x";
	it.why = "in an affected repository";
	it.deadline = in_scope ? "2026-06-01" : NULL;
	rotation_add(l, &it, in_scope);
}

START_TEST(sort_puts_persistence_first_then_groups_by_platform_stably)
{
	struct rotation_list l;
	static const char *const want[] = {
		"workflow", "runner", "devid", "appstore", "authenticode",
		"npm-1", "npm-2",
	};
	size_t i;

	rotation_init(&l, NULL);
	add(&l, ROTATION_NPM, ROTATION_TOKEN, "npm-1", 1);
	add(&l, ROTATION_WINDOWS, ROTATION_CERTIFICATE, "authenticode", 1);
	add(&l, ROTATION_OTHER, ROTATION_PERSISTENCE, "runner", 1);
	add(&l, ROTATION_MACOS, ROTATION_CERTIFICATE, "appstore", 1);
	add(&l, ROTATION_NPM, ROTATION_TOKEN, "npm-2", 1);
	add(&l, ROTATION_GITHUB, ROTATION_PERSISTENCE, "workflow", 1);
	add(&l, ROTATION_IOS, ROTATION_CERTIFICATE, "devid", 1);
	rotation_sort(&l);
	ck_assert_uint_eq(l.n, 7);
	/* persistence first (by platform too), then by platform, and
	 * items equal in both in the order added */
	for (i = 0; i < l.n; i++) {
		ck_assert_str_eq(l.items[i].item, want[i]);
		ck_assert_uint_eq(l.items[i].order, i + 1);
	}
	ck_assert_int_eq(l.items[0].phase, ROTATION_PHASE_REMOVE);
	ck_assert_int_eq(l.items[2].phase, ROTATION_PHASE_REVOKE);
	rotation_release(&l);
}
END_TEST

START_TEST(add_copies_strings_and_fills_the_default_action)
{
	struct rotation_list l;
	struct rotation_item it;
	char item[32] = "NPM_TOKEN";
	struct mempool pool;

	mempool_init(&pool, 0);
	rotation_init(&l, &pool);
	memset(&it, 0, sizeof(it));
	it.platform = ROTATION_NPM;
	it.kind = ROTATION_TOKEN;
	it.item = item;
	it.secret = item;
	rotation_add(&l, &it, 1);
	item[0] = 'X';
	ck_assert_str_eq(l.items[0].item, "NPM_TOKEN");
	ck_assert_str_eq(l.items[0].secret, "NPM_TOKEN");
	ck_assert_ptr_nonnull(strstr(l.items[0].action, "trusted publishing"));
	ck_assert_ptr_null(l.items[0].fingerprint);
	rotation_release(&l);
	/* the strings lived in the caller's pool: still there */
	mempool_release(&pool);
}
END_TEST

START_TEST(long_strings_are_cut_at_a_character_boundary)
{
	struct rotation_list l;
	struct rotation_item it;
	char *big = malloc(ROTATION_STRING_MAX * 2);

	memset(big, 'a', ROTATION_STRING_MAX * 2 - 3);
	memcpy(big + ROTATION_STRING_MAX - 4, "\xc3\xa9", 2);
	big[ROTATION_STRING_MAX * 2 - 3] = '\0';
	rotation_init(&l, NULL);
	memset(&it, 0, sizeof(it));
	it.item = big;
	rotation_add(&l, &it, 0);
	ck_assert_uint_le(strlen(l.out[0].item), ROTATION_STRING_MAX);
	ck_assert_ptr_nonnull(strstr(l.out[0].item, "..."));
	rotation_release(&l);
	free(big);
}
END_TEST

START_TEST(names_parse_and_print)
{
	enum rotation_platform p;

	ck_assert_str_eq(rotation_platform_name(ROTATION_IOS), "ios");
	ck_assert_str_eq(rotation_platform_title(ROTATION_MACOS), "macOS");
	ck_assert_str_eq(rotation_kind_name(ROTATION_PERSISTENCE),
			 "persistence");
	ck_assert_int_eq(rotation_platform_parse(&p, "android"), 0);
	ck_assert_int_eq(p, ROTATION_ANDROID);
	ck_assert_int_eq(rotation_platform_parse(&p, "beos"), WS_EPARSE);
	ck_assert_str_eq(rotation_phase_name(ROTATION_PHASE_AUTO,
					     ROTATION_PERSISTENCE),
			 "remove-persistence");
	ck_assert_ptr_nonnull(strstr(rotation_default_action(ROTATION_ANDROID,
							     ROTATION_KEY),
				     "Play App Signing"));
	ck_assert_ptr_nonnull(strstr(rotation_default_action(ROTATION_MACOS,
							     ROTATION_CERTIFICATE),
				     "re-notarize"));
}
END_TEST

START_TEST(json_has_rotation_and_not_in_scope)
{
	struct rotation_list l;
	struct report r;
	struct json_doc doc;
	const struct json_value *rot, *out, *first;
	char *text;

	report_init(&r, "report rotate");
	rotation_init(&l, &r.pool);
	add(&l, ROTATION_ANDROID, ROTATION_KEY, "upload", 1);
	add(&l, ROTATION_GITHUB, ROTATION_PERSISTENCE, "workflow", 1);
	add(&l, ROTATION_OTHER, ROTATION_CERTIFICATE, "tls", 0);
	rotation_sort(&l);
	rotation_add_sections(&r, &l);
	text = render_report(&r, 0);
	ck_assert_int_eq(json_parse(&doc, text, strlen(text), "out.json", 0), 0);
	rot = json_get(doc.root, "rotation");
	out = json_get(doc.root, "not_in_scope");
	ck_assert(json_is(rot, JSON_ARRAY) && rot->len == 2);
	ck_assert(json_is(out, JSON_ARRAY) && out->len == 1);
	first = rot->u.first;
	ck_assert_str_eq(json_get_str(first, "item"), "workflow");
	ck_assert_str_eq(json_get_str(first, "phase"), "remove-persistence");
	ck_assert_str_eq(json_get_str(first, "platform"), "github");
	ck_assert_str_eq(json_get_str(first, "kind"), "persistence");
	ck_assert_str_eq(json_get_str(first, "deadline"), "2026-06-01");
	ck_assert(json_is(json_get(first, "sha256_fingerprint"), JSON_NULL));
	ck_assert(json_is(json_get(first, "secret"), JSON_NULL));
	ck_assert_str_eq(json_get_str(first->next, "platform"), "android");
	ck_assert(json_is(json_get(out->u.first, "deadline"), JSON_NULL));
	json_doc_release(&doc);
	free(text);
	rotation_release(&l);
	report_release(&r);
}
END_TEST

START_TEST(markdown_is_a_checklist_grouped_by_platform)
{
	struct rotation_list l;
	struct report r;
	char *md;

	report_init(&r, "report rotate");
	rotation_init(&l, &r.pool);
	rotation_set_deadline(&l, "2026-06-01");
	add(&l, ROTATION_NPM, ROTATION_TOKEN, "NPM_TOKEN", 1);
	add(&l, ROTATION_IOS, ROTATION_CERTIFICATE, "dist", 1);
	add(&l, ROTATION_GITHUB, ROTATION_PERSISTENCE, "workflow", 1);
	add(&l, ROTATION_OTHER, ROTATION_CERTIFICATE, "tls", 0);
	rotation_sort(&l);
	rotation_add_sections(&r, &l);
	md = render_report(&r, 1);
	ck_assert_ptr_nonnull(strstr(md, "### Remove persistence first"));
	ck_assert_ptr_nonnull(strstr(md, "- [ ] 1. GitHub persistence: `workflow`"));
	ck_assert_ptr_nonnull(strstr(md, "### iOS"));
	ck_assert_ptr_nonnull(strstr(md, "### npm"));
	ck_assert_ptr_nonnull(strstr(md, "### Not in scope"));
	ck_assert(strstr(md, "### Remove") < strstr(md, "### iOS"));
	ck_assert(strstr(md, "### iOS") < strstr(md, "### npm"));
	ck_assert(strstr(md, "### npm") < strstr(md, "### Not in scope"));
	/* not-in-scope items are listed, without a box to tick */
	ck_assert_ptr_nonnull(strstr(md, "- 1. Other certificate: `tls`"));
	free(md);
	rotation_release(&l);
	report_release(&r);
}
END_TEST

START_TEST(hostile_strings_stay_text)
{
	struct rotation_list l;
	struct report r;
	struct rotation_item it;
	char *md, *txt;

	report_init(&r, "report rotate");
	rotation_init(&l, &r.pool);
	memset(&it, 0, sizeof(it));
	it.item = "CN=x`](http://evil.test) @team \x1b[31m";
	it.where = "a|b\nc";
	it.why = "see <script>alert(1)</script> @org/team";
	rotation_add(&l, &it, 1);
	rotation_sort(&l);
	rotation_add_sections(&r, &l);
	md = render_report(&r, 1);
	txt = render_report(&r, 2);
	ck_assert_ptr_null(strchr(md, '\x1b'));
	ck_assert_ptr_null(strchr(txt, '\x1b'));
	ck_assert_ptr_null(strstr(md, "<script>"));
	ck_assert_ptr_nonnull(strstr(md, "`@org/team`"));
	ck_assert_ptr_nonnull(strstr(txt, "\\x1b[31m"));
	ck_assert_ptr_nonnull(strstr(md, "``CN=x`](http://evil.test) @team \\x1b[31m``"));
	free(md);
	free(txt);
	rotation_release(&l);
	report_release(&r);
}
END_TEST

START_TEST(text_lists_both_lists_with_their_fields)
{
	struct rotation_list l;
	struct report r;
	struct rotation_item it;
	char *txt;

	report_init(&r, "report rotate");
	rotation_init(&l, &r.pool);
	memset(&it, 0, sizeof(it));
	it.platform = ROTATION_WINDOWS;
	it.kind = ROTATION_CERTIFICATE;
	it.item = "CN=Example EV";
	it.fingerprint = "ab12";
	rotation_add(&l, &it, 1);
	add(&l, ROTATION_OTHER, ROTATION_SECRET, "SOME_SECRET", 0);
	rotation_sort(&l);
	rotation_add_sections(&r, &l);
	txt = render_report(&r, 2);
	ck_assert_ptr_nonnull(strstr(txt, "Rotation checklist: 1 item"));
	ck_assert_ptr_nonnull(strstr(txt, "1. [windows] certificate: CN=Example EV"));
	ck_assert_ptr_nonnull(strstr(txt, "fingerprint: ab12"));
	ck_assert_ptr_nonnull(strstr(txt, "Not in scope (listed, not to rotate): 1 item"));
	ck_assert_ptr_nonnull(strstr(txt, "SOME_SECRET"));
	free(txt);
	rotation_release(&l);
	report_release(&r);
}
END_TEST

START_TEST(renderers_fail_on_write_errors)
{
	struct rotation_list l;
	FILE *fp = fopen("/dev/full", "w");
	int i;

	ck_assert_ptr_nonnull(fp);
	setvbuf(fp, NULL, _IONBF, 0);
	rotation_init(&l, NULL);
	for (i = 0; i < 10; i++)
		add(&l, ROTATION_IOS, ROTATION_CERTIFICATE, "x", 1);
	ck_assert_int_eq(rotation_text(fp, &l, 0), WS_EIO);
	clearerr(fp);
	ck_assert_int_eq(rotation_markdown(fp, &l), WS_EIO);
	fclose(fp);
	rotation_release(&l);
}
END_TEST

static Suite *
rotation_suite(void)
{
	Suite *s = suite_create("rotation");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, sort_puts_persistence_first_then_groups_by_platform_stably);
	tcase_add_test(tc, add_copies_strings_and_fills_the_default_action);
	tcase_add_test(tc, long_strings_are_cut_at_a_character_boundary);
	tcase_add_test(tc, names_parse_and_print);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, json_has_rotation_and_not_in_scope);
	tcase_add_test(tc, markdown_is_a_checklist_grouped_by_platform);
	tcase_add_test(tc, hostile_strings_stay_text);
	tcase_add_test(tc, text_lists_both_lists_with_their_fields);
	tcase_add_test(tc, renderers_fail_on_write_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rotation_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
