/*
 * Formatted output into a buffer (lib/vsnprintf.c), the engine under printk and every
 * /proc-style report. C99's snprintf family plus Linux's scnprintf:
 *
 *   vsnprintf/snprintf   return the length the whole output would have (like C99), write at
 *                        most size bytes, and NUL-terminate whenever size > 0;
 *   vscnprintf/scnprintf return the bytes really stored, without the NUL (0 when size is 0),
 *                        so "pos += scnprintf(buf + pos, size - pos, ...)" never runs past.
 *
 * buf may be NULL when size is 0. Conversions: d i u x X o c s p %, flags - 0 + space #,
 * width and precision (also as *), length modifiers hh h l ll z t j. Differences from C,
 * on purpose: %p is always "0x" and 16 lowercase hex digits (nothing hashed, nothing hidden);
 * %s of NULL prints "(null)", cut by the precision like any string; a width or precision
 * above 1 MiB is clamped; there is no %n and no floating point (the kernel has no FPU state).
 * An unknown conversion is copied to the output as written, so the mistake shows; the
 * __printf checks at compile time catch it first.
 *
 * With HOSTED_TEST the names become k_vsnprintf ... so host tests can link against libc too
 * (the scheme is described in include/lib/string.h).
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <kernel/compiler.h>
#include <stdarg.h>

#ifdef HOSTED_TEST
#define vsnprintf	k_vsnprintf
#define snprintf	k_snprintf
#define vscnprintf	k_vscnprintf
#define scnprintf	k_scnprintf
#endif

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
