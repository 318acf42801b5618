/*
 * prov_bench [-n ROUNDS] [-d DIR]: verifies every bundle of the passing
 * fixtures listed in DIR/expected.json (default: tests/data/sigstore)
 * ROUNDS times on one thread and prints
 *   bundles N rounds R verifications_per_second X wall_per_second W
 * where X counts CPU time of the verifying thread (one core) and W wall
 * time (lower when other processes share the core).
 * Every verification must pass, else it exits 1 (a broken build must not
 * report a speed).
 */
#include "prov/prov.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json/json.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define MAX_BUNDLES 256

static int
read_json(const char *path, struct strbuf *sb, struct json_doc *doc)
{
	strbuf_init(sb, PROV_DOC_MAX);
	if (strbuf_read_file(sb, path, 0) != 0 ||
	    json_parse(doc, sb->buf, sb->len, path, 0) != 0) {
		fprintf(stderr, "prov_bench: %s\n", ws_error_last());
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir = TEST_DATA "/sigstore";
	struct prov_trusted_root *root = NULL;
	struct prov_keys *keys = NULL;
	struct prov_attestations atts[64];
	struct prov_bundle *bundles[MAX_BUNDLES];
	struct prov_expect expects[MAX_BUNDLES];
	struct prov_verdict v;
	struct strbuf esb;
	struct json_doc edoc;
	const struct json_value *f;
	char path[4096];
	size_t n = 0, natts = 0, i, rounds = 200;
	double rate, wall;
	struct timespec t0, t1;
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		if (opt == 'n')
			rounds = (size_t)strtoul(optarg, NULL, 10);
		else if (opt == 'd')
			dir = optarg;
		else {
			fprintf(stderr, "usage: prov_bench [-n ROUNDS] [-d DIR]\n");
			return 2;
		}
	}
	snprintf(path, sizeof(path), "%s/trust/trusted_root.json", dir);
	if (prov_trusted_root_load(&root, path) != 0) {
		fprintf(stderr, "prov_bench: %s\n", ws_error_last());
		return 1;
	}
	snprintf(path, sizeof(path), "%s/trust/npm-registry-keys.tuf-target.json", dir);
	if (prov_keys_load(&keys, path) != 0) {
		fprintf(stderr, "prov_bench: %s\n", ws_error_last());
		goto done;
	}
	snprintf(path, sizeof(path), "%s/expected.json", dir);
	if (read_json(path, &esb, &edoc) != 0)
		goto done;
	prov_verdict_init(&v);
	f = json_get(edoc.root, "fixtures");
	for (f = f ? f->u.first : NULL; f && natts < 64; f = f->next) {
		const char *exp = json_get_str(f, "expected");
		struct strbuf sb;

		if (!exp || strncmp(exp, "pass", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, json_get_str(f, "file"));
		strbuf_init(&sb, PROV_DOC_MAX);
		if (strbuf_read_file(&sb, path, 0) != 0 ||
		    prov_attestations_parse(&atts[natts], sb.buf, sb.len, path) != 0) {
			fprintf(stderr, "prov_bench: %s\n", ws_error_last());
			strbuf_release(&sb);
			goto release;
		}
		strbuf_release(&sb);
		for (i = 0; i < atts[natts].count && n < MAX_BUNDLES; i++) {
			bundles[n] = atts[natts].items[i].bundle;
			expects[n].name = json_get_str(f, "package");
			expects[n].version = json_get_str(f, "version");
			expects[n].integrity = json_get_str(f, "integrity");
			expects[n].digest = NULL;
			if (!bundles[n] ||
			    prov_bundle_verify(bundles[n], root, keys, &expects[n],
					       &v) != 0) {
				fprintf(stderr, "prov_bench: %s: %s: %s\n", path,
					prov_step_name(v.step), v.reason);
				natts++;
				goto release;
			}
			n++;
		}
		natts++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rate = prov_bench(bundles, n, expects, rounds, root, keys);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("bundles %zu rounds %zu verifications_per_second %.0f "
	       "wall_per_second %.0f\n", n, rounds, rate,
	       wall > 0 ? (double)(n * rounds) / wall : 0.0);
	rc = rate > 0 ? 0 : 1;
release:
	for (i = 0; i < natts; i++)
		prov_attestations_release(&atts[i]);
	prov_verdict_release(&v);
	json_doc_release(&edoc);
	strbuf_release(&esb);
done:
	prov_trusted_root_free(root);
	prov_keys_free(keys);
	return rc;
}
