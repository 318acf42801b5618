#ifndef WS_RULES_RULES_H
#define WS_RULES_RULES_H

/*
 * YARA rules (libyara): the bundled rules/ directory plus --rules DIR,
 * compiled once, matched against package files held in memory.
 *
 * libyara has process-wide state: rules_global_init() once in main (it is
 * reference counted by libyara itself) before any other call here; a load
 * without it initialises libyara itself, for the rest of the process. A
 * struct rules owns its compiled rules; scanning does not modify it.
 *
 * Errors: WS_EPARSE "<file>:<line>: <what>" for a rule that does not
 * compile (the first error; others are counted in the message),
 * WS_ENOTFOUND / WS_EIO for I/O, WS_ELIMIT past RULES_FILES_MAX files.
 */

#include <stddef.h>

#define RULES_FILES_MAX 1024
#define RULES_FILE_MAX (4u << 20)	/* one .yar file */
#define RULES_SCAN_TIMEOUT 5		/* seconds per buffer */

struct rules;

int rules_global_init(void);
void rules_global_cleanup(void);

/* Compiles every *.yar / *.yara file in each directory (sorted). */
int rules_load(struct rules **out, const char *const *dirs, size_t ndirs);
void rules_free(struct rules *r);
size_t rules_count(const struct rules *r);

/* What a matching rule says about itself (its meta section). */
struct rules_match {
	const char *rule;		/* identifier */
	const char *ns;			/* namespace: the .yar file's name */
	const char *description;	/* meta.description, or NULL */
	const char *severity;		/* meta.severity (info..critical) or NULL */
	const char *family;		/* meta.family (e.g. "shai-hulud"), or NULL */
	const char *reference;		/* meta.reference, or NULL */
};

typedef void (*rules_match_fn)(const struct rules_match *m, void *payload);

/*
 * Scans buf[0..len) and calls fn for every matching rule. Returns 0, or
 * WS_ELIMIT when the scan timed out (reported, not fatal), or -1.
 */
int rules_scan(const struct rules *r, const void *buf, size_t len,
	       rules_match_fn fn, void *payload);

#endif
