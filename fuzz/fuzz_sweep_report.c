#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/sweep.h"
#include "json/json.h"
#include "report/report.h"
#include "util/error.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: what `wormsign report merge` and --resume read: JSON Lines of
 * sweep results or a wormsign-report/1 document with a repos array.
 * Every result read is written again as a JSON line, which must read back
 * as exactly one result that writes the same line (the writer and the
 * reader agree on every field); then the set is merged into a report and
 * rendered as JSON, which must read back with the same number of
 * repositories. A failure must name the input.
 */

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
one(struct sweep_result *res, void *payload)
{
	struct sweep_result **slot = payload;

	check(*slot == NULL);
	*slot = res;
}

static void
take(struct sweep_result *res, void *payload)
{
	struct sweep_set *set = payload;
	struct sweep_result *again = NULL;
	size_t len, len2;
	char *line = sweep_result_line(res, &len), *line2;
	char *parsed = malloc(len + 1);

	/* the reader parses in place: it reads a copy */
	check(parsed != NULL);
	memcpy(parsed, line, len + 1);
	check(sweep_read_buffer(parsed, len, "line", one, &again) == 0);
	check(again != NULL);
	line2 = sweep_result_line(again, &len2);
	check(len == len2 && memcmp(line, line2, len) == 0);
	free(parsed);
	free(line);
	free(line2);
	sweep_result_release(again);
	free(again);
	sweep_set_add(set, res);
}

static void
count(struct sweep_result *res, void *payload)
{
	(*(size_t *)payload)++;
	sweep_result_release(res);
	free(res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sweep_set set;
	struct report_section sec;
	struct report r;
	char *buf = malloc(size + 1), *out = NULL;
	size_t outlen = 0, n = 0;
	FILE *fp;
	int err;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	sweep_set_init(&set);
	err = sweep_read_buffer(buf, size, "fuzz.jsonl", take, &set);
	if (err) {
		check(strncmp(ws_error_last(), "fuzz.jsonl", 10) == 0);
		goto done;
	}
	report_init(&r, "sweep");
	sweep_set_finish(&set, &r);
	sweep_set_section(&set, &sec);
	report_add_section(&r, &sec);
	fp = open_memstream(&out, &outlen);
	check(fp != NULL);
	check(report_json(fp, &r, "2026-12-04T00:00:00Z") == 0);
	check(report_text(fp, &r, 0) == 0);
	check(report_markdown(fp, &r) == 0);
	fclose(fp);
	free(out);
	out = NULL;
	fp = open_memstream(&out, &outlen);
	check(fp != NULL);
	check(report_json(fp, &r, "2026-12-04T00:00:00Z") == 0);
	fclose(fp);
	check(sweep_read_buffer(out, outlen, "merged", count, &n) == 0);
	check(n == set.n);
	free(out);
	report_release(&r);
done:
	sweep_set_release(&set);
	free(buf);
	return 0;
}
