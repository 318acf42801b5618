#include "prov/prov_int.h"

#include <stdio.h>
#include <string.h>

#include "util/error.h"

#include "util/banned.h"

#define CHECKPOINT_MAX 8192
#define NOTE_SIGS_MAX 8

static void
node_hash(const unsigned char l[32], const unsigned char r[32],
	  unsigned char out[32])
{
	unsigned char buf[65];

	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	prov_sha256(buf, sizeof(buf), out);
}

/* RFC 9162 section 2.1.3.2. */
int
prov_merkle_verify(const unsigned char leaf[32], int64_t index, int64_t size,
		   const unsigned char *hashes, size_t nhashes,
		   const unsigned char root[32], char *why, size_t whylen)
{
	uint64_t fn, sn;
	unsigned char r[32];
	size_t i;

	if (index < 0 || size <= 0 || index >= size) {
		snprintf(why, whylen, "log index %lld outside a tree of %lld",
			 (long long)index, (long long)size);
		return WS_EVERIFY;
	}
	fn = (uint64_t)index;
	sn = (uint64_t)size - 1;
	memcpy(r, leaf, 32);
	for (i = 0; i < nhashes; i++) {
		if (sn == 0) {
			snprintf(why, whylen, "inclusion proof is too long");
			return WS_EVERIFY;
		}
		if ((fn & 1) || fn == sn) {
			node_hash(hashes + 32 * i, r, r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			node_hash(r, hashes + 32 * i, r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		snprintf(why, whylen, "inclusion proof is too short");
		return WS_EVERIFY;
	}
	if (memcmp(r, root, 32) != 0) {
		snprintf(why, whylen, "inclusion proof does not lead to the root hash");
		return WS_EVERIFY;
	}
	return 0;
}

/* The next line of [*p, end) without its '\n'; -1 at the end. */
static int
next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return -1;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		nl = end;
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl < end ? nl + 1 : end;
	return 0;
}

static int
parse_note(const char *s, size_t n, struct prov_checkpoint *cp, char *why,
	   size_t whylen)
{
	const char *p = s, *end = s + n, *line;
	size_t len, rlen;
	unsigned char root[PROV_B64_DECODED_MAX(64)];
	int64_t size = 0;
	size_t i;

	if (next_line(&p, end, &line, &len) || len == 0 ||
	    len >= sizeof(cp->origin)) {
		snprintf(why, whylen, "checkpoint has no origin line");
		return WS_EPARSE;
	}
	memcpy(cp->origin, line, len);
	cp->origin[len] = '\0';
	if (next_line(&p, end, &line, &len) || len == 0 || len > 18) {
		snprintf(why, whylen, "checkpoint has no tree size");
		return WS_EPARSE;
	}
	for (i = 0; i < len; i++) {
		if (line[i] < '0' || line[i] > '9') {
			snprintf(why, whylen, "checkpoint tree size is not a number");
			return WS_EPARSE;
		}
		size = size * 10 + (line[i] - '0');
	}
	cp->size = size;
	if (next_line(&p, end, &line, &len) || len > 64 ||
	    prov_b64_decode(line, len, root, &rlen) != 0 || rlen != 32) {
		snprintf(why, whylen, "checkpoint root hash is not a base64 SHA-256");
		return WS_EPARSE;
	}
	memcpy(cp->root, root, 32);
	return 0;
}

int
prov_checkpoint_verify(const char *text, size_t len,
		       const struct prov_trusted_root *root,
		       struct prov_checkpoint *cp, char *why, size_t whylen)
{
	static const char dash[] = "\xe2\x80\x94 ";	/* U+2014, space */
	const char *split, *p, *end = text + len, *line;
	size_t note_len, llen;
	int nsigs = 0, rc;

	if (len > CHECKPOINT_MAX) {
		snprintf(why, whylen, "checkpoint longer than %u bytes",
			 CHECKPOINT_MAX);
		return WS_EPARSE;
	}
	/* The note is everything up to the blank line, its '\n' included. */
	split = NULL;
	for (p = text; p + 1 < end; p++)
		if (p[0] == '\n' && p[1] == '\n') {
			split = p;
			break;
		}
	if (!split) {
		snprintf(why, whylen, "checkpoint has no signature block");
		return WS_EPARSE;
	}
	note_len = (size_t)(split - text) + 1;
	if ((rc = parse_note(text, note_len, cp, why, whylen)) != 0)
		return rc;
	p = split + 2;
	while (next_line(&p, end, &line, &llen) == 0) {
		const char *sp, *b64;
		unsigned char sig[PROV_B64_DECODED_MAX(1024)];
		size_t siglen, b64len, i;
		const struct prov_log *log = NULL;

		if (llen == 0)
			continue;
		if (llen < sizeof(dash) - 1 ||
		    memcmp(line, dash, sizeof(dash) - 1) != 0) {
			snprintf(why, whylen, "checkpoint signature line does not start with U+2014");
			return WS_EPARSE;
		}
		if (++nsigs > NOTE_SIGS_MAX) {
			snprintf(why, whylen, "checkpoint has too many signatures");
			return WS_EPARSE;
		}
		sp = memchr(line + 4, ' ', llen - 4);
		/* the name may not contain spaces; the last field is the sig */
		for (i = llen; i > 0 && line[i - 1] != ' '; i--)
			;
		b64 = line + i;
		b64len = llen - i;
		if (!sp || b64len == 0 || b64len > 1024 ||
		    prov_b64_decode(b64, b64len, sig, &siglen) != 0 ||
		    siglen <= 4) {
			snprintf(why, whylen, "checkpoint signature is not base64");
			return WS_EPARSE;
		}
		for (i = 0; i < root->ntlogs && !log; i++)
			if (root->tlogs[i].log_id_len >= 4 &&
			    memcmp(root->tlogs[i].log_id, sig, 4) == 0)
				log = &root->tlogs[i];
		if (!log) {
			snprintf(why, whylen, "checkpoint signed by a key not in the trusted root");
			return WS_EVERIFY;
		}
		if (!prov_sig_verify(log->pkey, (const unsigned char *)text,
				     note_len, sig + 4, siglen - 4)) {
			snprintf(why, whylen, "checkpoint signature does not verify");
			return WS_EVERIFY;
		}
	}
	if (nsigs == 0) {
		snprintf(why, whylen, "checkpoint is not signed");
		return WS_EPARSE;
	}
	return 0;
}
