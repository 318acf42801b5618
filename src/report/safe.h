#ifndef WS_REPORT_SAFE_H
#define WS_REPORT_SAFE_H

/*
 * Private to src/report: printing data from the scanned project to a
 * terminal or into Markdown without letting it act as anything but text.
 *
 * A package named with terminal escapes must not reach the terminal as
 * escapes, and a name with a right-to-left override must not display as
 * another name. So every byte that is not part of a printable, valid UTF-8
 * character is shown as \xNN: C0 controls, DEL, invalid or overlong UTF-8,
 * C1 controls (U+0080-U+009F), bidirectional controls (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069), zero-width characters (U+200B-
 * U+200D, U+2060, U+FEFF) and the line and paragraph separators.
 */

#include <stddef.h>
#include <stdio.h>

/*
 * Length (1 to 4) of the printable character at s[0..n), or 0 when s[0]
 * must be escaped. n must be at least 1.
 */
size_t report_safe_len(const char *s, size_t n);

/* Writes s[0..n) with unsafe bytes as \xNN. */
void report_put_safe(FILE *fp, const char *s, size_t n);
/* Same for a NUL-terminated string; NULL prints nothing. */
void report_puts_safe(FILE *fp, const char *s);

/*
 * The length of the longest prefix of s[0..n) that is at most max bytes
 * and does not end inside a UTF-8 sequence: where to cut a long string.
 */
size_t report_utf8_cut(const char *s, size_t n, size_t max);

#endif
