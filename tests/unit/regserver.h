#ifndef WS_TESTS_REGSERVER_H
#define WS_TESTS_REGSERVER_H

/*
 * The loopback test registry (tests/registry/server.py) for unit tests:
 * started on 127.0.0.1 with a random port, stopped with SIGTERM (it also
 * exits on its own after an idle minute, so a crashed test leaves nothing).
 * Failures abort the current Check test.
 */

#include <sys/types.h>

#include "json/json.h"

struct regserver {
	pid_t pid;
	int port;
	char base[64];	/* "http://127.0.0.1:PORT/" (https with TLS) */
};

/* Serves packuments from root; cert and key (both or neither) for TLS. */
void regserver_start(struct regserver *s, const char *root, const char *cert,
		     const char *key);
void regserver_stop(struct regserver *s);

/* GET /-/<what> into doc; *buf holds the text (free it after the doc). */
void regserver_get(const struct regserver *s, const char *what,
		   struct json_doc *doc, char **buf);
/* Requests served since start or the last reset. */
long regserver_requests(const struct regserver *s);
void regserver_reset(const struct regserver *s);

/* Writes text to path (asserting it worked). */
void write_file(const char *path, const char *text);
/* Writes text as root's document for package name, where the server
 * looks for it: root/<name with '/' as %2f>.json. */
void regserver_write_doc(const char *root, const char *name, const char *text);

#endif
