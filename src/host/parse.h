#ifndef WS_HOST_PARSE_H
#define WS_HOST_PARSE_H

/*
 * Private to src/host (and its unit test and fuzz/fuzz_host_files.c): the
 * readers of the small files `wormsign host` looks into, as pure functions
 * over a buffer. None of them keeps or returns a secret's value: a
 * credential comes back as its name, its kind, where it is, and a
 * fingerprint (the first HOST_FP_HEX hex digits of the SHA-256 of the
 * value), so that two machines' reports can be compared.
 *
 * Every reader is bounded: it looks at the first HOST_FILE_MAX bytes it is
 * given, at HOST_LINES_MAX lines and at HOST_LINE_MAX bytes of a line, and
 * reports at most HOST_SECRETS_MAX credentials per file.
 */

#include <stddef.h>
#include <stdint.h>

#define HOST_FILE_MAX (1u << 20)	/* bytes read from one file */
#define HOST_LINE_MAX 4096		/* bytes of one line looked at */
#define HOST_LINES_MAX 100000		/* lines of one file */
#define HOST_SECRETS_MAX 256		/* credentials reported per file */
#define HOST_FP_HEX 16			/* hex digits of a fingerprint */
#define HOST_EVIDENCE_MAX 160		/* bytes of a line shown as evidence */
#define HOST_NAME_MAX 128		/* a key, profile or variable name */

/* One credential found in a file. Strings are borrowed for the call. */
struct host_secret {
	const char *kind;	/* "npm-token", "github-token", ... */
	const char *name;	/* the key, variable or profile: never a value */
	const char *scope;	/* registry, host or profile; may be NULL */
	unsigned line;		/* 1-based, 0 when unknown */
	char fingerprint[HOST_FP_HEX + 1];	/* "" when there is no value */
};

typedef void (*host_secret_fn)(const struct host_secret *s, void *payload);

/* The fingerprint of a value: first HOST_FP_HEX hex digits of SHA-256. */
void host_fingerprint(const char *value, size_t len,
		      char out[HOST_FP_HEX + 1]);

/*
 * Whether a variable or key name looks like it holds a secret (TOKEN,
 * SECRET, PASSWORD, CREDENTIAL, AUTH, a name ending in KEY, ...),
 * case-insensitively.
 */
int host_name_is_secret(const char *name, size_t len);

/*
 * Copies line[0..len) to out (max bytes with the NUL, max > 8) for a
 * report: credentials masked first (npmrc_redact's rules, GitHub, GitLab,
 * Slack and AWS key shapes, and the value of any NAME=value or NAME: value
 * whose NAME looks secret), then control bytes as '?', then cut at
 * HOST_EVIDENCE_MAX bytes on a UTF-8 boundary with "..." appended.
 */
void host_redact_line(const char *line, size_t len, char *out, size_t max);

/*
 * The readers. Each calls fn for every credential and returns the number
 * found, never failing: what it cannot read it skips.
 *
 * npmrc: keys npm treats as secret (_authToken, _auth, _password, ...);
 *   values that are only "${VAR}" references are not credentials on disk
 *   and are skipped.
 * git-credentials: "scheme://user:password@host/..." lines.
 * aws: [profile] sections holding aws_secret_access_key or
 *   aws_session_token (one credential per profile).
 * env: .env files, NAME=value lines (optional "export "), names that look
 *   secret with a non-empty value.
 * gh hosts.yml: oauth_token of each host, and of each user under
 *   "users:" (gh 2.40 and later); parsed with libyaml.
 */
size_t host_parse_npmrc(const char *buf, size_t len, host_secret_fn fn,
			void *payload);
size_t host_parse_git_credentials(const char *buf, size_t len,
				  host_secret_fn fn, void *payload);
size_t host_parse_aws(const char *buf, size_t len, host_secret_fn fn,
		      void *payload);
size_t host_parse_env(const char *buf, size_t len, host_secret_fn fn,
		      void *payload);
size_t host_parse_gh_hosts(const char *buf, size_t len, const char *name,
			   host_secret_fn fn, void *payload);

/*
 * A GitHub Actions runner's .runner file (JSON, often after a UTF-8 BOM):
 * agentName and gitHubUrl copied into the buffers (cut to size, control
 * bytes as '?'), "" when missing. Returns 0, or -1 when it is not JSON.
 */
int host_parse_runner(const char *buf, size_t len, char *agent,
		      size_t agent_max, char *url, size_t url_max);

/*
 * An SSH public key line ("type base64 comment"): its OpenSSH fingerprint
 * "SHA256:<base64 without padding>" into out (64 bytes). Returns 0, or -1
 * when the line is not one.
 */
int host_ssh_pub_fingerprint(const char *buf, size_t len, char out[64]);

/*
 * An SSH private key file: 1 when it is encrypted with a passphrase (PEM
 * "ENCRYPTED", or an OpenSSH key whose cipher is not "none"), 0 when it is
 * not, -1 when it is not a private key this reader knows.
 */
int host_ssh_key_encrypted(const char *buf, size_t len);

/*
 * The package name and version a registry tarball URL names
 * (".../<name>/-/<base>-<version>.tgz", the name scoped as "@s/p" or
 * "@s%2fp", after any path prefix), into the buffers. Returns 1, or 0 when
 * the URL is not one or a part does not fit.
 */
int host_tarball_url(const char *url, size_t len, char *name, size_t nmax,
		     char *version, size_t vmax);

/* A launchd plist's Label (XML plists only), cut to max, or "". */
void host_plist_label(const char *buf, size_t len, char *out, size_t max);
/* The program a launchd plist runs: its Program, else the first string
 * of ProgramArguments (XML plists only), cut to max, or "". */
void host_plist_program(const char *buf, size_t len, char *out, size_t max);
/*
 * The program of a systemd unit's ExecStart= line (its first word, after
 * the "-@:+!" prefixes), cut to max. Returns 1, or 0 when the line is not
 * an ExecStart= line.
 */
int host_unit_exec(const char *line, size_t len, char *out, size_t max);

/*
 * Calls fn for each line of buf[0..len) (without the newline, at most
 * HOST_LINE_MAX bytes of it, at most HOST_LINES_MAX lines) with its
 * 1-based number; stops when fn returns nonzero.
 */
typedef int (*host_line_fn)(const char *line, size_t len, unsigned lineno,
			    void *payload);
void host_each_line(const char *buf, size_t len, host_line_fn fn,
		    void *payload);

/* Whether needle occurs in hay[0..len) (memmem without _GNU_SOURCE). */
int host_mem_has(const char *hay, size_t len, const char *needle,
		 size_t nlen);

#endif
