#define _DEFAULT_SOURCE
#include "regserver.h"

#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/strbuf.h"

#define SERVER_PY TEST_DATA "/../registry/server.py"

void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

void
regserver_write_doc(const char *root, const char *name, const char *text)
{
	struct strbuf path;
	const char *c;

	strbuf_init(&path, (size_t)-1);
	strbuf_addf(&path, "%s/", root);
	for (c = name; *c; c++) {
		if (*c == '/')
			strbuf_addstr(&path, "%2f");
		else
			strbuf_addch(&path, *c);
	}
	strbuf_addstr(&path, ".json");
	write_file(path.buf, text);
	strbuf_release(&path);
}

void
regserver_start(struct regserver *s, const char *root, const char *cert,
		const char *key)
{
	char line[64] = "";
	int fds[2];
	FILE *fp;

	ck_assert_int_eq(pipe(fds), 0);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (cert)
			execlp("python3", "python3", SERVER_PY, "--port", "0",
			       "--root", root, "--idle-timeout", "60", "--tls",
			       cert, key, (char *)NULL);
		else
			execlp("python3", "python3", SERVER_PY, "--port", "0",
			       "--root", root, "--idle-timeout", "60",
			       (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_msg(fgets(line, sizeof(line), fp) != NULL,
		      "test registry did not start (python3 on PATH?)");
	fclose(fp);
	s->port = atoi(line);
	ck_assert_int_gt(s->port, 0);
	snprintf(s->base, sizeof(s->base), "%s://127.0.0.1:%d/",
		 cert ? "https" : "http", s->port);
}

void
regserver_stop(struct regserver *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
}

static size_t
collect(char *data, size_t size, size_t nmemb, void *userdata)
{
	strbuf_add(userdata, data, size * nmemb);
	return size * nmemb;
}

void
regserver_get(const struct regserver *s, const char *what,
	      struct json_doc *doc, char **buf)
{
	struct strbuf sb;
	char url[256];
	CURL *e = curl_easy_init();
	size_t len;

	strbuf_init(&sb, 64u << 20);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/-/%s", s->port, what);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &sb);
	ck_assert_int_eq(curl_easy_perform(e), CURLE_OK);
	curl_easy_cleanup(e);
	*buf = strbuf_detach(&sb, &len);
	ck_assert_int_eq(json_parse(doc, *buf, len, "stats", 0), 0);
}

long
regserver_requests(const struct regserver *s)
{
	struct json_doc doc;
	char *buf;
	long n;

	regserver_get(s, "stats", &doc, &buf);
	n = atol(json_get(doc.root, "requests")->u.str);
	json_doc_release(&doc);
	free(buf);
	return n;
}

void
regserver_reset(const struct regserver *s)
{
	struct json_doc doc;
	char *buf;

	regserver_get(s, "reset", &doc, &buf);
	json_doc_release(&doc);
	free(buf);
}
