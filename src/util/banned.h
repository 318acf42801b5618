#ifndef WS_UTIL_BANNED_H
#define WS_UTIL_BANNED_H

/*
 * Functions that are easy to misuse: unbounded copies, static buffers,
 * local time. Include this last in every .c file (git's banned.h); a use
 * becomes a compile error naming the function.
 */

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef mktemp
#define mktemp(x) BANNED(mktemp)
#undef gets
#define gets(x) BANNED(gets)

#endif
