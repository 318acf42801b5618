#ifndef WS_RULES_RULES_INTERNAL_H
#define WS_RULES_RULES_INTERNAL_H

/*
 * The rules module's internals, shared with its unit test and the rule
 * fuzzer (fuzz/fuzz_rules.c). Not part of the module's API.
 */

#include <stddef.h>

#include "rules/rules.h"

/*
 * Compiles one rule source held in text[0..len) (no NUL needed) into the
 * namespace `name`, which also names it in messages. Same errors as
 * rules_load: WS_EPARSE "<name>:<line>: <what>", WS_ELIMIT past
 * RULES_FILE_MAX bytes. rules_global_init() must have been called.
 */
int rules_load_mem(struct rules **out, const char *text, size_t len,
		   const char *name);

#endif
