#ifndef WS_REPORT_ROTATION_H
#define WS_REPORT_ROTATION_H

/*
 * The rotation checklist: what must be removed, revoked, reissued or
 * replaced after an incident, in the order to do it. Filled by
 * `wormsign report rotate` (certificates, keys and CI secrets found by
 * `wormsign certs` in affected repositories) and by `wormsign host`
 * (persistence and credentials found on a machine); rendered into a
 * wormsign-report/1 report as the top-level keys "rotation" and
 * "not_in_scope" (wormsign-report(5), "rotation").
 *
 * Use:
 *
 *	struct rotation_list l;
 *	struct rotation_item it = { .platform = ROTATION_NPM,
 *		.kind = ROTATION_TOKEN, .item = "npm token in ~/.npmrc",
 *		.secret = "//registry.npm.test/:_authToken", ... };
 *
 *	rotation_init(&l, NULL);
 *	rotation_add(&l, &it, 1);	(1: in scope, 0: not in scope)
 *	rotation_sort(&l);
 *	rotation_add_sections(&report, &l);
 *	report_json(...);	(l must outlive the rendering)
 *	rotation_release(&l);
 *
 * NEVER put a secret's value in an item: secrets are named (the CI
 * secret's name, the .npmrc key, the environment variable), certificates
 * and keys are identified by their SHA-256 fingerprint.
 */

#include <stddef.h>
#include <stdio.h>

#include "util/mempool.h"

struct report;
struct json_writer;

/* Where the credential is revoked or replaced. Order = checklist order. */
enum rotation_platform {
	ROTATION_IOS,
	ROTATION_MACOS,
	ROTATION_WINDOWS,
	ROTATION_ANDROID,
	ROTATION_NPM,
	ROTATION_GITHUB,
	ROTATION_CLOUD,
	ROTATION_OTHER,
};
#define ROTATION_PLATFORMS (ROTATION_OTHER + 1)

enum rotation_kind {
	ROTATION_CERTIFICATE,	/* X.509 certificate (and its key) */
	ROTATION_KEY,		/* a private key without a certificate */
	ROTATION_SECRET,	/* a CI secret or stored password */
	ROTATION_TOKEN,		/* an API or publish token */
	ROTATION_PERSISTENCE,	/* something the attacker left running */
};

/*
 * The phase decides the order: persistence is removed before the
 * credentials it watches are revoked, or it steals their replacements.
 * rotation_add derives it from kind (persistence -> REMOVE, anything
 * else -> REVOKE) unless the item sets it.
 */
enum rotation_phase {
	ROTATION_PHASE_AUTO = 0,
	ROTATION_PHASE_REMOVE = 1,	/* "remove-persistence" */
	ROTATION_PHASE_REVOKE = 2,	/* "revoke-reissue" */
};

/*
 * One checklist item. rotation_add copies every string (cut at
 * ROTATION_STRING_MAX bytes), so callers may pass borrowed ones. NULL
 * means absent (JSON null).
 */
struct rotation_item {
	enum rotation_platform platform;
	enum rotation_kind kind;
	const char *item;		/* what: subject CN, key file, secret name */
	const char *fingerprint;	/* SHA-256 of the DER, lowercase hex */
	const char *secret;		/* the secret's NAME, never its value */
	const char *repo;		/* repository (or host) it was found in */
	const char *where;		/* path, "file: job/step", commit */
	const char *why;		/* one sentence: why it is in scope */
	const char *action;		/* what to do (rotation_default_action) */
	const char *deadline;		/* YYYY-MM-DD, or NULL */
	enum rotation_phase phase;	/* ROTATION_PHASE_AUTO: from kind */
	unsigned order;			/* set by rotation_sort: 1, 2, ... */
};

#define ROTATION_STRING_MAX 4096u
#define ROTATION_ITEMS_MAX 100000u	/* per list; more are counted only */

struct rotation_list {
	struct rotation_item *items;	/* in scope: the checklist */
	size_t n, alloc;
	struct rotation_item *out;	/* not in scope: listed, not acted on */
	size_t nout, out_alloc;
	size_t dropped;		/* items past ROTATION_ITEMS_MAX */
	const char *deadline;	/* the run's --deadline (for headings) */
	struct mempool *pool;	/* strings; own_pool unless one was given */
	struct mempool own_pool;
};

/*
 * pool: where copied strings live (for example a report's pool, which
 * must then outlive l), or NULL for a pool of l's own.
 */
void rotation_init(struct rotation_list *l, struct mempool *pool);
/* Frees the arrays (and the own pool); accepts NULL. */
void rotation_release(struct rotation_list *l);
/* The deadline shown in headings (copied); NULL for none. */
void rotation_set_deadline(struct rotation_list *l, const char *deadline);

/* Copies it into the checklist (in_scope) or the not-in-scope list. */
void rotation_add(struct rotation_list *l, const struct rotation_item *it,
		  int in_scope);

/*
 * Stable sort of both lists: phase (persistence removal first), then
 * platform in enum order; items equal in both keep the order they were
 * added in. Then numbers each list's items 1, 2, ... in `order`.
 */
void rotation_sort(struct rotation_list *l);

/* "ios", "macos", ..., "other"; and the display names ("iOS", ...). */
const char *rotation_platform_name(enum rotation_platform p);
const char *rotation_platform_title(enum rotation_platform p);
/* Parses a platform name; returns 0 or WS_EPARSE. */
int rotation_platform_parse(enum rotation_platform *out, const char *s);
/* "certificate", "key", "secret", "token", "persistence". */
const char *rotation_kind_name(enum rotation_kind k);
/* "remove-persistence" or "revoke-reissue" (AUTO resolved by kind). */
const char *rotation_phase_name(enum rotation_phase ph, enum rotation_kind k);

/*
 * A release engineer's action for a credential of this platform and kind
 * (a static string), when the caller has nothing more specific: e.g. npm
 * token -> revoke it and move publishing to trusted publishing; GitHub
 * token -> revoke and reissue with least privilege; persistence -> remove
 * it before revoking anything.
 */
const char *rotation_default_action(enum rotation_platform p,
				    enum rotation_kind k);

/*
 * Renderers. JSON writes one array value (the items of one list, as
 * wormsign-report(5) documents); text and Markdown write the whole
 * checklist: the in-scope items (Markdown: "- [ ]" items grouped under
 * "Remove persistence first" and one heading per platform), then the
 * not-in-scope list. Return 0 or WS_EIO.
 */
int rotation_json_items(struct json_writer *w, const struct rotation_list *l,
			int in_scope);
int rotation_text(FILE *fp, const struct rotation_list *l, int color);
int rotation_markdown(FILE *fp, const struct rotation_list *l);

/*
 * Adds the sections "rotation" (JSON, text, Markdown) and "not_in_scope"
 * (JSON) to r. Sort first; l must outlive r's rendering.
 */
void rotation_add_sections(struct report *r, struct rotation_list *l);

#endif
