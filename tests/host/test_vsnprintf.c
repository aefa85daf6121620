/*
 * Host unit tests of lib/vsnprintf.c (Criterion, run under ASan/UBSan).
 *
 * Hand-written cases cover each flag, width, precision, length modifier and conversion with
 * their edges (0 with precision 0, "%#x" of 0, INT64_MIN, truncation at size 0 and 1 ...).
 * The random test builds thousands of one-conversion formats with random flags, widths,
 * precisions (literal or `*`), length modifiers, surrounding text and buffer sizes, and
 * requires our output bytes, untouched guard bytes and return value to equal the host libc's.
 * Where we differ from C on purpose (%p, %s of NULL) libc formats the expected text instead.
 * Seed: TEST_SEED or the clock, logged and put in each failure message; TEST_ITERS scales it.
 *
 * Naming as in test_string.c: libc_* are the host's functions, wrapped before our header
 * renames snprintf & co; k_* are ours. Plain names are not used after the #include.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "rng.h"

static int libc_vsnprintf(char *b, size_t n, const char *f, va_list ap)
{
	return vsnprintf(b, n, f, ap);
}

static int __attribute__((format(printf, 3, 4))) libc_snprintf(char *b, size_t n, const char *f,
								 ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(b, n, f, ap);
	va_end(ap);
	return r;
}

static void *libc_memset(void *d, int c, size_t n) { return memset(d, c, n); }
static int libc_memcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }
static size_t libc_strlen(const char *s) { return strlen(s); }
static int libc_strcmp(const char *a, const char *b) { return strcmp(a, b); }

#include <lib/printf.h>

/* ---- helpers for the hand-written cases ---- */

/* Format into a large buffer and require exactly want, and strlen(want) as the result. */
static void check_va(int line, const char *want, const char *fmt, va_list ap)
{
	char got[256];
	int n;

	libc_memset(got, 'Z', sizeof(got));
	n = k_vsnprintf(got, sizeof(got), fmt, ap);
	cr_assert(libc_strcmp(got, want) == 0, "line %d: \"%s\" gave \"%s\", want \"%s\"", line,
		  fmt, got, want);
	cr_assert(n == (int)libc_strlen(want), "line %d: \"%s\" returned %d, want %zu", line, fmt,
		  n, libc_strlen(want));
}

/* The compiler checks these formats against their arguments, like any kernel caller's. */
static void __attribute__((format(printf, 3, 4))) check_at(int line, const char *want,
							   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_va(line, want, fmt, ap);
	va_end(ap);
}

/* For formats the compiler would reject on purpose (unknown conversions, odd flags). */
static void check_unchecked_at(int line, const char *want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_va(line, want, fmt, ap);
	va_end(ap);
}

#define check(want, ...)		check_at(__LINE__, want, __VA_ARGS__)
#define check_unchecked(want, ...)	check_unchecked_at(__LINE__, want, __VA_ARGS__)

Test(printf, plain_text_and_percent)
{
	check("hello", "hello");
	check("", "%s", "");
	check("100%", "100%%");
	check("%%", "%%%%");
	check_unchecked("", "");
}

Test(printf, signed_decimal)
{
	check("0", "%d", 0);
	check("42", "%d", 42);
	check("-42", "%i", -42);
	check("2147483647", "%d", INT32_MAX);
	check("-2147483648", "%d", INT32_MIN);
	check("-9223372036854775808", "%ld", (long)INT64_MIN);
	check("-9223372036854775808", "%lld", (long long)INT64_MIN);
	check("9223372036854775807", "%lld", (long long)INT64_MAX);
	check("-9223372036854775808", "%jd", INTMAX_MIN);
	check("-1", "%zd", (ssize_t)-1);
	check("-9223372036854775808", "%td", PTRDIFF_MIN);
}

Test(printf, unsigned_hex_octal)
{
	check("4294967295", "%u", UINT32_MAX);
	check("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	check("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	check("18446744073709551615", "%zu", SIZE_MAX);
	check("18446744073709551615", "%ju", UINTMAX_MAX);
	check("deadbeef", "%x", 0xdeadbeefu);
	check("DEADBEEF", "%X", 0xdeadbeefu);
	check("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
	check("10", "%o", 8u);
	check("1777777777777777777777", "%lo", (unsigned long)UINT64_MAX);
	check("0", "%x", 0u);
	check("ffffffff", "%x", -1);
}

/* An int that does not fit must be narrowed by us; clang's format check objects, so unchecked. */
Test(printf, narrow_length_modifiers)
{
	check_unchecked("-56", "%hhd", 200);
	check_unchecked("255", "%hhu", -1);
	check_unchecked("ff", "%hhx", -1);
	check_unchecked("-25536", "%hd", 40000);
	check_unchecked("2345", "%hx", 0x12345);
	check_unchecked("65535", "%hu", -1);
	check_unchecked("377", "%hho", 255);
	check("-1", "%hhd", (signed char)-1);
	check("32767", "%hd", (short)32767);
}

Test(printf, width_and_flags)
{
	check("   42", "%5d", 42);
	check("42   |", "%-5d|", 42);
	check("00042", "%05d", 42);
	check("-0042", "%05d", -42);
	check("+5", "%+d", 5);
	check("-5", "%+d", -5);
	check(" 5", "% d", 5);
	check("-5", "% d", -5);
	check_unchecked("+5", "%+ d", 5);	/* '+' wins */
	check(" 0042", "% 05d", 42);
	check("   +5", "%+5d", 5);
	check("42", "%1d", 42);
	check_unchecked("0", "%+u", 0u);	/* signs are for d and i only */
	check_unchecked("7", "% x", 7u);
	check("-0000000000000000042", "%020lld", -42LL);
	check_unchecked("42   ", "%-05d", 42);
	check_unchecked("+42  ", "%--+-+05d", 42);	/* repeated flags are fine */
}

Test(printf, precision_on_integers)
{
	check("007", "%.3d", 7);
	check("-007", "%.3d", -7);
	check("", "%.0d", 0);
	check("", "%.d", 0);
	check("     ", "%5.0d", 0);
	check("+", "%+.0d", 0);
	check(" ", "% .0d", 0);
	check_unchecked("     007", "%08.3d", 7);	/* precision turns '0' off */
	check("", "%.0x", 0u);
	check("1", "%.0d", 1);
	check("00ff", "%.4x", 255u);
	check("-0000000000000000000009223372036854775808", "%.40lld", (long long)INT64_MIN);
}

Test(printf, alternate_form)
{
	check("0", "%#x", 0u);
	check("0xff", "%#x", 255u);
	check("0XFF", "%#X", 255u);
	check("0", "%#o", 0u);
	check("010", "%#o", 8u);
	check("0", "%#.0o", 0u);
	check("010", "%#.3o", 8u);
	check("00010", "%#.5o", 8u);
	check("", "%#.0x", 0u);
	check("     ", "%#5.0x", 0u);
	check("0x0000ff", "%#08x", 255u);
	check("0xff    |", "%#-8x|", 255u);
	check("  0x00ff", "%#8.4x", 255u);
	check("00010", "%#05o", 8u);
}

Test(printf, star_width_and_precision)
{
	check("   42", "%*d", 5, 42);
	check("42   |", "%*d|", -5, 42);
	check("42   |", "%-*d|", -5, 42);
	check("007", "%.*d", 3, 7);
	check("7", "%.*d", -1, 7);
	check("-0042", "%0*d", 5, -42);
	/* A negative precision counts as none, so '0' applies again. */
	check_unchecked("00042", "%05.*d", -1, 42);
	check("  007", "%*.*d", 5, 3, 7);
	check("hel", "%.*s", 3, "hello");
	check("hello", "%.*s", -3, "hello");
}

/* Without the format attribute: gcc would rightly flag these formats at compile time. */
static int unchecked_snprintf(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = k_vsnprintf(b, n, fmt, ap);
	va_end(ap);
	return r;
}

Test(printf, huge_width_is_clamped)
{
	char b[8];

	/* A runaway width must neither overflow nor print gigabytes: it stops at 1 MiB. */
	cr_assert(unchecked_snprintf(b, sizeof(b), "%*d", INT32_MIN, 1) == 1 << 20);
	cr_assert(libc_strcmp(b, "1      ") == 0, "got \"%s\"", b);
	cr_assert(unchecked_snprintf(b, sizeof(b), "%*d", INT32_MAX, 1) == 1 << 20);
	cr_assert(libc_strcmp(b, "       ") == 0, "got \"%s\"", b);
	cr_assert(unchecked_snprintf(NULL, 0, "%099999999999999999999d", 1) == 1 << 20);
	cr_assert(unchecked_snprintf(NULL, 0, "%.*d", INT32_MAX, 1) == 1 << 20);
}

Test(printf, chars)
{
	char b[8];

	check("A", "%c", 'A');
	check("  A", "%3c", 'A');
	check("A  |", "%-3c|", 'A');
	check("\xe9", "%c", 0xe9);
	cr_assert(k_snprintf(b, sizeof(b), "%c%c", 0, 'x') == 2, "a NUL byte is still output");
	cr_assert(b[0] == '\0' && b[1] == 'x' && b[2] == '\0');
}

Test(printf, strings)
{
	static const char unterminated[5] = { 'h', 'e', 'l', 'l', 'o' };

	check("hello", "%s", "hello");
	check("hel", "%.3s", "hello");
	check("", "%.0s", "hello");
	check("     hello", "%10s", "hello");
	check("hello     |", "%-10s|", "hello");
	check("  hel", "%5.3s", "hello");
	check("hello", "%2s", "hello");
	check("hello", "%.5s", unterminated);	/* ASan fails this if we read a byte past */
	check_unchecked("(null)", "%s", (char *)NULL);
	check_unchecked("(nu", "%.3s", (char *)NULL);
	check_unchecked("  (null)", "%8s", (char *)NULL);
	check_unchecked("   hi", "%05s", "hi");	/* '0' does not apply to text */
}

Test(printf, pointers)
{
	check("0x0000000000000000", "%p", NULL);
	check("0xffffffff80001000", "%p", (void *)0xffffffff80001000ULL);
	check("0x00000000deadbeef", "%p", (void *)0xdeadbeefULL);
	check("  0x0000000000001000", "%20p", (void *)0x1000);
	check("0x0000000000001000  |", "%-20p|", (void *)0x1000);
	check_unchecked("0x0000000000001000", "%.3p", (void *)0x1000);
	check_unchecked("0x0000000000001000", "%#p", (void *)0x1000);
}

Test(printf, unknown_conversions_are_printed)
{
	check_unchecked("%y", "%y");
	check_unchecked("%-5y!", "%-5y!");
	check_unchecked("%y5", "%y%d", 5);
	check_unchecked("abc%", "abc%");
	check_unchecked("%5", "%5");
	check_unchecked("x%l", "x%l");
	check_unchecked("%n", "%n");
	check_unchecked("%f", "%f");
	check_unchecked("%Lf", "%Lf");
}

Test(printf, several_conversions)
{
	check("a=1 b=-2 c=x d=ff e=str f=0x0000000000000010 %",
	      "a=%d b=%ld c=%c d=%x e=%s f=%p %%", 1, -2L, 'x', 255u, "str", (void *)16);
	check("[   1][2   ][003]", "[%4d][%-4u][%.3zu]", 1, 2u, (size_t)3);
}

Test(printf, truncation_and_return_value)
{
	char b[8];

	libc_memset(b, 'Z', sizeof(b));
	cr_assert(k_snprintf(b, 0, "hello") == 5, "size 0: the would-be length");
	cr_assert(b[0] == 'Z', "size 0 writes nothing");
	cr_assert(k_snprintf(NULL, 0, "%d", 12345) == 5, "NULL buffer with size 0");
	cr_assert(k_snprintf(b, 1, "hello") == 5);
	cr_assert(b[0] == '\0' && b[1] == 'Z', "size 1: only the NUL");
	cr_assert(k_snprintf(b, 5, "hello") == 5);
	cr_assert(libc_strcmp(b, "hell") == 0 && b[5] == 'Z', "size = length: one byte cut");
	cr_assert(k_snprintf(b, 6, "hello") == 5);
	cr_assert(libc_strcmp(b, "hello") == 0 && b[6] == 'Z');
	libc_memset(b, 'Z', sizeof(b));
	cr_assert(k_snprintf(b, 4, "%5d|", -42) == 6);
	cr_assert(libc_strcmp(b, "  -") == 0 && b[4] == 'Z');
}

static int call_vscnprintf(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = k_vscnprintf(b, n, fmt, ap);
	va_end(ap);
	return r;
}

Test(printf, scnprintf_counts_stored_bytes)
{
	char b[10];
	int pos = 0;

	cr_assert(k_scnprintf(b, 0, "hello") == 0);
	cr_assert(k_scnprintf(NULL, 0, "hello") == 0);
	cr_assert(k_scnprintf(b, 1, "hello") == 0 && b[0] == '\0');
	cr_assert(k_scnprintf(b, 3, "hello") == 2 && libc_strcmp(b, "he") == 0);
	cr_assert(k_scnprintf(b, 6, "hello") == 5);
	cr_assert(k_scnprintf(b, 10, "hello") == 5);
	cr_assert(call_vscnprintf(b, 4, "%d", 123456) == 3 && libc_strcmp(b, "123") == 0);

	/* The idiom it exists for: appending can never run past the end. */
	for (int i = 0; i < 10; i++)
		pos += k_scnprintf(b + pos, sizeof(b) - (size_t)pos, "%d,", i);
	cr_assert(pos == 9 && libc_strcmp(b, "0,1,2,3,4") == 0, "pos %d \"%s\"", pos, b);
}

/* ---- random differential test against the host libc ---- */

/* The running test's seed, for the failure messages. */
static unsigned long long seed;

/* Values near every boundary a formatter can get wrong, plus plain random ones. */
static uint64_t rnd_value(void)
{
	static const uint64_t edges[] = {
		0, 1, (uint64_t)-1, INT64_MAX, (uint64_t)INT64_MIN, INT32_MAX, (uint64_t)INT32_MIN,
		UINT32_MAX, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 10, 100, 1000000000,
		10000000000000000000ULL,
	};

	switch (rnd_below(6)) {
	case 0:
		return edges[rnd_below(sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return rnd_below(1000);
	case 2:
		return 0 - (uint64_t)rnd_below(1000);
	case 3:
		return (1ULL << rnd_below(64)) + rnd_below(3) - 1;
	case 4:
		return rnd() >> rnd_below(64);
	default:
		return rnd();
	}
}

#define FMT_BUF	512
#define GUARD	0xa5

static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
enum { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J, L_COUNT };

struct fmt_case {
	char fmt[128];		/* given to k_vsnprintf */
	char ref_fmt[128];	/* given to libc: the same except %p becomes %s */
	char conv;
	int len;		/* L_* */
	int stars;		/* bit 0: width is `*`, bit 1: precision is `*` */
	int width, prec;	/* the `*` arguments */
	uint64_t value;
	const char *str;	/* argument of %s, may be NULL */
	char ref_text[40];	/* what libc prints in place of our %p or %s of NULL */
	size_t size;
	bool null_buf;
	char out[FMT_BUF], ref_out[FMT_BUF];
	int ret, ref_ret;
};

/* Text around the conversion: printable, with '%' only as "%%". */
static size_t rnd_text(char *s)
{
	size_t n = 0, len = rnd_below(4) ? rnd_below(6) : rnd_below(16);

	while (n < len) {
		if (rnd_below(10) == 0) {
			s[n++] = '%';
			s[n++] = '%';
		} else {
			char c = (char)(' ' + rnd_below(95));

			s[n++] = c == '%' ? '#' : c;
		}
	}
	return n;
}

/* Only flags with a defined meaning for the conversion, so libc is a valid reference. */
static const char *flags_for(char conv)
{
	switch (conv) {
	case 'd':
	case 'i':
	case 'u':
		return "-0+ ";
	case 'x':
	case 'X':
	case 'o':
		return "-0+ #";
	default:
		return "-";
	}
}

static size_t rnd_spec(struct fmt_case *fc, char *s)
{
	static const char convs[] = "diuxXocsp";
	const char *flags;
	size_t n = 0;

	fc->conv = convs[rnd_below(sizeof(convs) - 1)];
	flags = flags_for(fc->conv);
	s[n++] = '%';
	for (size_t i = rnd_below(4); i; i--)
		s[n++] = flags[rnd_below(libc_strlen(flags))];

	fc->stars = 0;
	if (rnd_below(2) == 0) {
		if (rnd_below(3) == 0) {
			fc->stars |= 1;
			fc->width = (int)rnd_below(81) - 40;
			s[n++] = '*';
		} else {
			n += (size_t)libc_snprintf(s + n, 8, "%d", (int)rnd_below(41));
		}
	}
	if (fc->conv != 'c' && fc->conv != 'p' && rnd_below(2) == 0) {
		s[n++] = '.';
		if (rnd_below(3) == 0) {
			fc->stars |= 2;
			fc->prec = (int)rnd_below(36) - 5;
			s[n++] = '*';
		} else if (rnd_below(5)) {
			n += (size_t)libc_snprintf(s + n, 8, "%d", (int)rnd_below(31));
		}
	}
	fc->len = L_NONE;
	if (fc->conv != 'c' && fc->conv != 's' && fc->conv != 'p')
		fc->len = (int)rnd_below(L_COUNT);
	n += (size_t)libc_snprintf(s + n, 4, "%s%c", lengths[fc->len], fc->conv);
	return n;
}

/* Build one case; ref_fmt differs from fmt only where we differ from C on purpose. */
static void rnd_case(struct fmt_case *fc, char *strbuf)
{
	size_t n = rnd_text(fc->fmt);
	size_t spec_at = n;

	n += rnd_spec(fc, fc->fmt + n);
	n += rnd_text(fc->fmt + n);
	fc->fmt[n] = '\0';
	libc_snprintf(fc->ref_fmt, sizeof(fc->ref_fmt), "%s", fc->fmt);

	fc->value = rnd_value();
	fc->str = strbuf;
	for (size_t i = 0, len = rnd_below(21); i <= len; i++)
		strbuf[i] = i == len ? '\0' : (char)(' ' + rnd_below(95));
	if (fc->conv == 's' && rnd_below(8) == 0) {
		fc->str = NULL;
		libc_snprintf(fc->ref_text, sizeof(fc->ref_text), "(null)");
	}
	if (fc->conv == 'p') {
		/* The conversion character is the last byte of the spec. */
		char *conv = fc->ref_fmt + spec_at;

		while (*conv != 'p')
			conv++;
		*conv = 's';
		libc_snprintf(fc->ref_text, sizeof(fc->ref_text), "0x%016llx",
			      (unsigned long long)fc->value);
	}
	fc->size = rnd_below(3) ? rnd_below(80) : FMT_BUF;
	fc->null_buf = fc->size == 0 && rnd_below(2);
}

typedef void (*runner_t)(struct fmt_case *fc, ...);

static void run_ours(struct fmt_case *fc, ...)
{
	va_list ap;

	va_start(ap, fc);
	fc->ret = k_vsnprintf(fc->null_buf ? NULL : fc->out, fc->size, fc->fmt, ap);
	va_end(ap);
}

static void run_ref(struct fmt_case *fc, ...)
{
	va_list ap;

	va_start(ap, fc);
	fc->ref_ret = libc_vsnprintf(fc->null_buf ? NULL : fc->ref_out, fc->size, fc->ref_fmt, ap);
	va_end(ap);
}

/* Pass the `*` arguments the format asks for, then the value with the type it names. */
#define CALL(fn, fc, type, v)							\
	do {									\
		switch ((fc)->stars) {						\
		case 0:								\
			fn(fc, (type)(v));					\
			break;							\
		case 1:								\
			fn(fc, (fc)->width, (type)(v));				\
			break;							\
		case 2:								\
			fn(fc, (fc)->prec, (type)(v));				\
			break;							\
		default:							\
			fn(fc, (fc)->width, (fc)->prec, (type)(v));		\
			break;							\
		}								\
	} while (0)

/* hh and h arguments are passed as int: that is what the integer promotions make of them. */
static void call_signed(runner_t fn, struct fmt_case *fc)
{
	switch (fc->len) {
	case L_L:
		CALL(fn, fc, long, fc->value);
		break;
	case L_LL:
		CALL(fn, fc, long long, fc->value);
		break;
	case L_Z:
		CALL(fn, fc, ssize_t, fc->value);
		break;
	case L_T:
		CALL(fn, fc, ptrdiff_t, fc->value);
		break;
	case L_J:
		CALL(fn, fc, intmax_t, fc->value);
		break;
	default:
		CALL(fn, fc, int, fc->value);
		break;
	}
}

static void call_unsigned(runner_t fn, struct fmt_case *fc)
{
	switch (fc->len) {
	case L_NONE:
		CALL(fn, fc, unsigned int, fc->value);
		break;
	case L_L:
		CALL(fn, fc, unsigned long, fc->value);
		break;
	case L_LL:
		CALL(fn, fc, unsigned long long, fc->value);
		break;
	case L_Z:
		CALL(fn, fc, size_t, fc->value);
		break;
	case L_T:
		CALL(fn, fc, ptrdiff_t, fc->value);
		break;
	case L_J:
		CALL(fn, fc, uintmax_t, fc->value);
		break;
	default:
		CALL(fn, fc, int, fc->value);
		break;
	}
}

static void call(runner_t fn, struct fmt_case *fc, bool ref)
{
	switch (fc->conv) {
	case 'd':
	case 'i':
		call_signed(fn, fc);
		break;
	case 'c':
		CALL(fn, fc, int, (unsigned char)fc->value);
		break;
	case 's':
		CALL(fn, fc, const char *, ref && !fc->str ? fc->ref_text : fc->str);
		break;
	case 'p':
		if (ref)
			CALL(fn, fc, const char *, fc->ref_text);
		else
			CALL(fn, fc, void *, (uintptr_t)fc->value);
		break;
	default:
		call_unsigned(fn, fc);
		break;
	}
}

static void random_round(int iter)
{
	static struct fmt_case fc;
	char str[32];

	rnd_case(&fc, str);
	libc_memset(fc.out, GUARD, FMT_BUF);
	libc_memset(fc.ref_out, GUARD, FMT_BUF);
	call(run_ours, &fc, false);
	call(run_ref, &fc, true);

	cr_assert(fc.ret == fc.ref_ret, "seed %llu iter %d: \"%s\" size %zu returned %d, libc %d",
		  seed, iter, fc.fmt, fc.size, fc.ret, fc.ref_ret);
	cr_assert(libc_memcmp(fc.out, fc.ref_out, FMT_BUF) == 0,
		  "seed %llu iter %d: \"%s\" (value %#llx) size %zu gave \"%.*s\", libc \"%.*s\"",
		  seed, iter, fc.fmt, (unsigned long long)fc.value, fc.size, fc.ret, fc.out,
		  fc.ref_ret, fc.ref_out);
}

Test(printf_random, matches_libc_snprintf)
{
	int rounds = test_iters(50000);

	seed = test_seed("printf_random/matches_libc_snprintf");
	for (int i = 0; i < rounds; i++)
		random_round(i);
}
