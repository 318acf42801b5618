#ifndef WS_JSON_YAML_DOM_H
#define WS_JSON_YAML_DOM_H

/* YAML into the JSON DOM (libyaml). */

#include <stddef.h>

#include "json/json.h"

/*
 * Parses the first YAML document in buf[0..len) with libyaml into the same
 * DOM the JSON parser builds, so the YAML lockfile readers (pnpm, yarn
 * berry) use json_get and friends: mappings become objects (scalar keys
 * only), sequences arrays. Quoted scalars are strings; plain scalars are
 * null (null, ~, empty), true/false, numbers (kept as text) or strings.
 * Every string is copied into doc's pool, so buf may go after the call.
 *
 * Hostile input is bounded as in json_parse: nesting depth JSON_DEPTH_MAX,
 * JSON_NODES_MAX values, and no aliases at all (lockfiles never use them,
 * and they are how a small YAML file expands without bound). Errors are
 * WS_EPARSE / WS_ELIMIT with "<name>:<line>:<col>: <what>".
 */
int json_parse_yaml(struct json_doc *doc, const char *buf, size_t len,
			const char *name);

#endif
