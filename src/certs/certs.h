#ifndef WS_CERTS_CERTS_H
#define WS_CERTS_CERTS_H

/*
 * Signing material and CI signing secrets in repositories (wormsign
 * certs), and the rotation checklist built from a sweep report and a
 * certs report (wormsign report rotate).
 *
 * What is found: PKCS#12 (.p12 .pfx), X.509 certificates (.cer .crt .pem
 * .der, PEM chains), PEM and DER private keys, Apple .p8 keys,
 * provisioning profiles (.mobileprovision .provisionprofile), Java and
 * Android keystores (JKS, JCEKS, PKCS#12), .snk strong-name keys and GPG
 * private keys; by file name and by content. Repositories are read with
 * libgit2 (HEAD, and with history every commit up to a bound) and never
 * checked out; plain directories are walked without following symlinks.
 *
 * Key material never leaves the parser: an entry holds a certificate's
 * subject, issuer, serial, validity and SHA-256 fingerprint, and for a
 * key its type, size and the SHA-256 of its public key. Containers are
 * opened with the empty password only; otherwise they are "protected".
 *
 * Every string of the inventory lives in its pool; entries are in the
 * order found. Functions return 0 or a negative WS_E* code with the
 * message set (util/error.h).
 */

#include <stddef.h>
#include <stdint.h>

#include "util/mempool.h"

struct report;
struct rotation_list;

#define CERTS_FILE_MAX (8u << 20)	/* bytes read of one candidate file */
#define CERTS_SNIFF_MAX (1u << 20)	/* unnamed files sniffed up to this */
#define CERTS_ENTRIES_MAX 100000u	/* entries per inventory */
#define CERTS_PER_FILE_MAX 256u		/* certificates read from one file */
#define CERTS_P12_ITER_MAX (1L << 20)	/* PKCS#12 MAC iterations tried */
#define CERTS_HISTORY_MAX 20000u	/* commits walked with --history */
#define CERTS_DEPTH_MAX 64		/* directory depth */
#define CERTS_FILES_MAX 2000000u	/* files looked at per root */
#define CERTS_STR_MAX 1024u		/* bytes kept of a subject, alias */

/* One certificate, key or container found in one file. */
struct certs_entry {
	const char *repo;	/* the root as given on the command line */
	const char *path;	/* in the repository, '/'-separated */
	const char *commit;	/* the commit it was read from; NULL: a
				 * plain directory */
	const char *kind;	/* certificate, pkcs12, private-key,
				 * apple-p8-key, provisioning-profile, jks,
				 * jceks, snk, gpg-private-key */
	const char *platform;	/* certs_classify(): apple-developer-id-
				 * application, ..., tls, unknown */
	const char *subject;	/* RFC 2253, NULL without a certificate */
	const char *issuer;
	const char *serial;	/* hex */
	const char *not_before;	/* RFC 3339 UTC */
	const char *not_after;
	const char *fingerprint;	/* SHA-256 of the certificate's DER;
					 * of the public key (SPKI DER) for a
					 * key without one; lowercase hex */
	const char *key_type;	/* RSA, EC, Ed25519, DSA, ... or NULL */
	unsigned key_bits;
	const char **eku;	/* extended key usage names or OIDs */
	size_t neku;
	int ev;			/* EV code-signing policy 2.23.140.1.3 */
	int expired;		/* not_after is in the past (at scan time) */
	int is_protected;	/* 1: a password is needed for the key or
				 * the container (the empty one did not open
				 * it); 0: no password; -1: not known */
	int has_key;		/* private key material is in the file */
	const char *alias;	/* keystore alias */
	const char *team_id;	/* Apple team (profile, subject OU) */
	const char *profile_name;
	const char *profile_expires;	/* ExpirationDate, RFC 3339 */
	const char *file_sha256;	/* SHA-256 of the whole file */
	const char *note;	/* why something is missing, or NULL */
	/* presence (with --history): first and last commit holding it */
	const char *first_commit, *first_date;
	const char *last_commit, *last_date;
	int in_head;		/* still in HEAD (or the directory) */
};

/* One CI secret (or signing/publish variable) and where it is used. */
struct certs_secret {
	const char *repo;
	const char *file;
	const char *name;	/* the secret's name, never a value */
	const char *category;	/* apple-signing, windows-signing,
				 * android-signing, npm-token, github-token,
				 * cloud, gpg, signing, other */
	const char **used_in;	/* "job/step" or "lane NAME" or "line N" */
	size_t nused;
};
#define CERTS_USED_IN_MAX 32

struct certs_inv {
	struct certs_entry *entries;
	size_t n, alloc;
	struct certs_secret *secrets;
	size_t nsecrets, secrets_alloc;
	size_t dropped;		/* past CERTS_ENTRIES_MAX */
	struct mempool pool;
};

void certs_inv_init(struct certs_inv *inv);
void certs_inv_release(struct certs_inv *inv);

/* Where a file came from, copied into each entry found in it. */
struct certs_where {
	const char *repo;
	const char *path;
	const char *commit;
};

/*
 * Reads one file's bytes (at most CERTS_FILE_MAX) and adds what it holds
 * to inv. The file's base name picks the likely formats; content decides
 * (a PEM block, JKS magic, DER). Files that hold nothing add nothing.
 * Returns the number of entries added (>= 0).
 */
int certs_parse_file(struct certs_inv *inv, const struct certs_where *w,
		     const unsigned char *data, size_t len);
/* Whether a file named path is worth reading when it is len bytes. */
int certs_is_candidate(const char *path, size_t len);
/* Whether the first bytes of a file look like signing material. */
int certs_sniff(const unsigned char *data, size_t len);

/*
 * Java keystores: JKS (0xFEEDFEED) and JCEKS (0xCECECECE). Aliases and
 * certificates are stored in the clear and read; keys are not touched.
 * Returns the entries added, or WS_EPARSE for a malformed store (what
 * was read before the damage stays).
 */
int certs_parse_jks(struct certs_inv *inv, const struct certs_where *w,
		    const unsigned char *data, size_t len);

/*
 * Whether path is a CI file this reads: .github/workflows/NAME.yml or
 * .yaml,
 * .gitlab-ci.yml, .circleci/config.yml, azure-pipelines.yml, fastlane
 * Matchfile, Fastfile, Appfile.
 */
int certs_is_ci_file(const char *path);
/*
 * Adds every secret that file references (GitHub `secrets.NAME`, the
 * signing and publish variables of the other CI systems, fastlane's
 * ENV[...]) with the job and step using it.
 */
int certs_parse_ci(struct certs_inv *inv, const struct certs_where *w,
		   const char *data, size_t len);

/* The secret's category from its name (see certs_secret.category). */
const char *certs_secret_category(const char *name);

struct certs_scan_opts {
	int history;		/* every commit, not only HEAD */
	unsigned history_max;	/* 0: CERTS_HISTORY_MAX */
};

/*
 * Scans root: a git repository (working tree or bare, read with libgit2
 * at HEAD and, with history, every commit reachable from its refs), or a
 * plain directory. Errors that stop the root are returned; damaged files
 * and objects are recorded through report_add_error on r when r is not
 * NULL and skipped.
 */
int certs_scan(struct certs_inv *inv, const char *root,
	       const struct certs_scan_opts *o, struct report *r);

/*
 * Adds the sections "certificates" and "secrets" (JSON, text, Markdown)
 * to r; inv must outlive its rendering.
 */
void certs_add_sections(struct report *r, struct certs_inv *inv);

/*
 * The rotation checklist from a sweep report and a certs report (both
 * wormsign-report/1 JSON text, writable and NUL-terminated at [len], as
 * json_parse wants it): items in affected
 * repositories whose presence overlaps an exposure window go to the
 * checklist, the rest to not_in_scope. deadline (YYYY-MM-DD) may be NULL.
 * Errors name the file: WS_EPARSE for a report of the wrong shape.
 */
int certs_rotate(struct rotation_list *l, char *sweep_json,
		 size_t sweep_len, const char *sweep_name, char *certs_json,
		 size_t certs_len, const char *certs_name,
		 const char *deadline);

#endif
