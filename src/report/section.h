#ifndef WS_REPORT_SECTION_H
#define WS_REPORT_SECTION_H

/*
 * Helpers for report sections rendered outside src/report (certs, host):
 * the same escaping the findings renderers use, so that a certificate
 * subject or a file name from a scanned repository can neither send
 * terminal escapes nor act as Markdown. See report/report.h for
 * report_add_section.
 */

#include <stddef.h>
#include <stdio.h>

/* Text output: s with every unprintable byte as \xNN; NULL prints "-". */
void report_sec_text(FILE *fp, const char *s);
/*
 * Text: "      <label padded to 13> <value>\n", the value escaped as by
 * report_sec_text; nothing when value is NULL.
 */
void report_sec_field(FILE *fp, const char *label, const char *value);
/*
 * Markdown: s as one code span (nothing inside is interpreted, no
 * mention is made), at most max bytes of s then "..."; NULL prints "-".
 */
void report_sec_md_code(FILE *fp, const char *s, size_t max);
/*
 * Markdown prose: s with Markdown's punctuation escaped and every word
 * holding an "@" as code, at most max bytes then "..."; NULL prints "".
 */
void report_sec_md_text(FILE *fp, const char *s, size_t max);

#endif
