/*
 * Host unit tests of lib/string.c and include/lib/ctype.h (Criterion, run under ASan/UBSan).
 *
 * Hand-written cases pin every edge the header promises; the random tests then compare our
 * functions with the host libc (or, where libc has no such function, with a model written on
 * top of libc) on thousands of generated inputs, with guard bytes around every destination.
 * The seed comes from TEST_SEED or the clock and is logged and put in every failure message:
 * TEST_SEED=<n> ./build/host/test_lib replays a failure (--filter picks one test).
 * TEST_ITERS=<n> changes the number of random rounds (raise it for a soak run).
 *
 * Naming, because both implementations live in this program (see include/lib/string.h):
 * libc_* are the host's functions, wrapped below before our headers rename memcpy & co;
 * k_* are ours. After the #include of lib/string.h a plain memcpy would also be ours, so this
 * file never uses the plain names. Criterion's cr_assert_str_* and cr_assert_arr_* expand to
 * strcmp/memcmp and would quietly use ours too, so only cr_assert(cond, msg) is used.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "rng.h"

static void *libc_memcpy(void *d, const void *s, size_t n) { return memcpy(d, s, n); }
static void *libc_memmove(void *d, const void *s, size_t n) { return memmove(d, s, n); }
static void *libc_memset(void *d, int c, size_t n) { return memset(d, c, n); }
static int libc_memcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }
static void *libc_memchr(const void *s, int c, size_t n) { return memchr(s, c, n); }
static size_t libc_strlen(const char *s) { return strlen(s); }
static size_t libc_strnlen(const char *s, size_t n) { return strnlen(s, n); }
static int libc_strcmp(const char *a, const char *b) { return strcmp(a, b); }
static int libc_strncmp(const char *a, const char *b, size_t n) { return strncmp(a, b, n); }
static char *libc_strchr(const char *s, int c) { return strchr(s, c); }
static char *libc_strrchr(const char *s, int c) { return strrchr(s, c); }
static int libc_isspace(int c) { return isspace(c); }

/* The C locale's classes; the table covers EOF and every unsigned char value. */
static int (*const libc_class[])(int) = {
	isdigit, isxdigit, isspace, isalpha, isalnum, isprint, isupper, islower, tolower, toupper,
};

#include <lib/string.h>
#include <lib/ctype.h>
#include <lib/errno.h>

static int (*const k_class[])(int) = {
	k_isdigit, k_isxdigit, k_isspace, k_isalpha, k_isalnum, k_isprint, k_isupper, k_islower,
	k_tolower, k_toupper,
};

/* ---- randomness (rng.h), seeded once per test; the seed goes into failure messages ---- */

static unsigned long long seed;

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* ---- hand-written cases ---- */

Test(string, memcpy_copies_and_returns_dst)
{
	char dst[8] = "xxxxxxx";

	cr_assert(k_memcpy(dst, "abc", 3) == dst);
	cr_assert(libc_memcmp(dst, "abcxxxx", 8) == 0);
	cr_assert(k_memcpy(dst, "zzz", 0) == dst);
	cr_assert(libc_memcmp(dst, "abcxxxx", 8) == 0, "n = 0 must not write");
}

Test(string, memset_uses_low_byte)
{
	unsigned char b[6] = { 1, 2, 3, 4, 5, 6 };

	cr_assert(k_memset(b + 1, 0x1234, 3) == b + 1);
	cr_assert(b[0] == 1 && b[1] == 0x34 && b[2] == 0x34 && b[3] == 0x34 && b[4] == 5);
	k_memset(b, -1, 1);
	cr_assert(b[0] == 0xff);
	k_memset(b, 0, 0);
	cr_assert(b[0] == 0xff, "n = 0 must not write");
}

Test(string, memmove_overlap_both_directions)
{
	char b[16];

	libc_memcpy(b, "0123456789", 11);
	cr_assert(k_memmove(b + 2, b, 5) == b + 2);	/* dst inside src: copies backwards */
	cr_assert(libc_strcmp(b, "0101234789") == 0, "got %s", b);

	libc_memcpy(b, "0123456789", 11);
	cr_assert(k_memmove(b, b + 3, 6) == b);		/* dst below src: forwards */
	cr_assert(libc_strcmp(b, "3456786789") == 0, "got %s", b);

	libc_memcpy(b, "0123456789", 11);
	k_memmove(b + 1, b, 9);			/* overlap by all but one byte */
	cr_assert(libc_strcmp(b, "0012345678") == 0, "got %s", b);
	k_memmove(b, b, 10);
	k_memmove(b + 5, b, 0);
	cr_assert(libc_strcmp(b, "0012345678") == 0, "got %s", b);
}

Test(string, memmove_leaves_direction_flag_clear)
{
	char b[8] = "abcdefg";
	unsigned long flags;

	k_memmove(b + 1, b, 4);
	__asm__ __volatile__("pushf; pop %0" : "=r"(flags));
	cr_assert((flags & (1UL << 10)) == 0, "DF still set after a backwards memmove");
}

Test(string, memcmp_compares_unsigned_bytes)
{
	cr_assert(k_memcmp("\x80", "\x01", 1) > 0, "bytes are unsigned char");
	cr_assert(k_memcmp("abc", "abd", 3) < 0);
	cr_assert(k_memcmp("abc", "abd", 2) == 0);
	cr_assert(k_memcmp("a", "b", 0) == 0);
	cr_assert(k_memcmp("a\0b", "a\0c", 3) < 0, "NUL is an ordinary byte");
}

Test(string, memchr_finds_bytes)
{
	const char s[] = "ab\x80" "cd";

	cr_assert(k_memchr(s, 'c', 5) == s + 3);
	cr_assert(k_memchr(s, -128, 5) == s + 2, "c is converted to unsigned char");
	cr_assert(k_memchr(s, 0x180, 5) == s + 2);
	cr_assert(k_memchr(s, 'd', 4) == NULL, "searches only n bytes");
	cr_assert(k_memchr(s, 0, 6) == s + 5);
	cr_assert(k_memchr(NULL, 'a', 0) == NULL);
}

Test(string, strlen_and_strnlen)
{
	const char unterminated[3] = { 'a', 'b', 'c' };

	cr_assert(k_strlen("") == 0);
	cr_assert(k_strlen("hello") == 5);
	cr_assert(k_strnlen("hello", 3) == 3);
	cr_assert(k_strnlen("hello", 10) == 5);
	cr_assert(k_strnlen("hello", 0) == 0);
	cr_assert(k_strnlen(unterminated, 3) == 3, "must not read past maxlen");
}

Test(string, strcmp_and_strncmp)
{
	cr_assert(k_strcmp("", "") == 0);
	cr_assert(k_strcmp("abc", "abc") == 0);
	cr_assert(k_strcmp("abc", "abd") < 0);
	cr_assert(k_strcmp("abd", "abc") > 0);
	cr_assert(k_strcmp("ab", "abc") < 0, "a prefix sorts first");
	cr_assert(k_strcmp("\xff", "a") > 0, "bytes are unsigned char");
	cr_assert(k_strncmp("abcX", "abcY", 3) == 0);
	cr_assert(k_strncmp("abcX", "abcY", 4) < 0);
	cr_assert(k_strncmp("a", "b", 0) == 0);
	cr_assert(k_strncmp("ab\0x", "ab\0y", 4) == 0, "stops at the NUL");
}

Test(string, strchr_and_strrchr)
{
	const char *s = "hello";

	cr_assert(k_strchr(s, 'l') == s + 2);
	cr_assert(k_strrchr(s, 'l') == s + 3);
	cr_assert(k_strchr(s, 'z') == NULL);
	cr_assert(k_strrchr(s, 'z') == NULL);
	cr_assert(k_strchr(s, 0) == s + 5, "the terminator is part of the string");
	cr_assert(k_strrchr(s, 0) == s + 5);
	cr_assert(k_strchr(s, 'h' + 256) == s, "c is converted to char");
	cr_assert(k_strrchr("", 'a') == NULL);
}

Test(string, strlcpy_truncates_and_returns_source_length)
{
	char b[8];

	libc_memset(b, 'x', sizeof(b));
	cr_assert(k_strlcpy(b, "abc", sizeof(b)) == 3);
	cr_assert(libc_strcmp(b, "abc") == 0 && b[4] == 'x');
	cr_assert(k_strlcpy(b, "0123456789", sizeof(b)) == 10);
	cr_assert(libc_strcmp(b, "0123456") == 0);
	cr_assert(k_strlcpy(b, "0123456", sizeof(b)) == 7, "exactly fits");
	cr_assert(libc_strcmp(b, "0123456") == 0);
	cr_assert(k_strlcpy(b, "zz", 1) == 2);
	cr_assert(b[0] == '\0' && b[1] == '1', "size 1 stores only the NUL");
	cr_assert(k_strlcpy(b, "zz", 0) == 2);
	cr_assert(b[0] == '\0' && b[1] == '1', "size 0 stores nothing");
}

Test(string, strscpy_reports_truncation)
{
	char b[8];
	const char unterminated[4] = { 'a', 'b', 'c', 'd' };

	libc_memset(b, 'x', sizeof(b));
	cr_assert(k_strscpy(b, "abc", sizeof(b)) == 3);
	cr_assert(libc_strcmp(b, "abc") == 0 && b[4] == 'x');
	cr_assert(k_strscpy(b, "0123456", sizeof(b)) == 7, "exactly fits");
	cr_assert(k_strscpy(b, "01234567", sizeof(b)) == -E2BIG);
	cr_assert(libc_strcmp(b, "0123456") == 0, "truncated copy is still terminated");
	cr_assert(k_strscpy(b, "", sizeof(b)) == 0 && b[0] == '\0');
	b[0] = 'q';
	cr_assert(k_strscpy(b, "abc", 0) == -E2BIG);
	cr_assert(b[0] == 'q', "size 0 stores nothing");
	cr_assert(k_strscpy(b, "abc", 1) == -E2BIG && b[0] == '\0');
	cr_assert(k_strscpy(b, unterminated, 4) == -E2BIG, "reads at most size bytes");
	cr_assert(libc_strcmp(b, "abc") == 0);
}

Test(string, strsep_splits_tokens)
{
	char text[] = "a,b;;c";
	char *p = text;

	cr_assert(libc_strcmp(k_strsep(&p, ",;"), "a") == 0);
	cr_assert(libc_strcmp(k_strsep(&p, ",;"), "b") == 0);
	cr_assert(libc_strcmp(k_strsep(&p, ",;"), "") == 0, "empty field between delimiters");
	cr_assert(libc_strcmp(k_strsep(&p, ",;"), "c") == 0);
	cr_assert(p == NULL);
	cr_assert(k_strsep(&p, ",;") == NULL);

	char empty[] = "";

	p = empty;
	cr_assert(k_strsep(&p, ",") == empty && p == NULL);
}

struct ull_case {
	const char *s;
	unsigned int base;
	int err;
	unsigned long long val;
};

Test(string, kstrtoull_table)
{
	static const struct ull_case cases[] = {
		{ "0", 10, 0, 0 },
		{ "42", 10, 0, 42 },
		{ "+42", 10, 0, 42 },
		{ "42\n", 10, 0, 42 },
		{ "42\n\n", 10, -EINVAL, 0 },
		{ "42 ", 10, -EINVAL, 0 },
		{ " 42", 10, -EINVAL, 0 },
		{ "-42", 10, -EINVAL, 0 },
		{ "", 10, -EINVAL, 0 },
		{ "\n", 10, -EINVAL, 0 },
		{ "+", 10, -EINVAL, 0 },
		{ "++1", 10, -EINVAL, 0 },
		{ "12a", 10, -EINVAL, 0 },
		{ "0x1f", 0, 0, 31 },
		{ "0X1F", 0, 0, 31 },
		{ "0x1f", 16, 0, 31 },
		{ "1f", 16, 0, 31 },
		{ "0x", 16, -EINVAL, 0 },
		{ "0x", 0, -EINVAL, 0 },
		{ "0xg", 0, -EINVAL, 0 },
		{ "017", 0, 0, 15 },
		{ "08", 0, -EINVAL, 0 },
		{ "0", 0, 0, 0 },
		{ "0x1f", 10, -EINVAL, 0 },
		{ "101", 2, 0, 5 },
		{ "z", 16, -EINVAL, 0 },
		{ "18446744073709551615", 10, 0, 18446744073709551615ULL },
		{ "18446744073709551616", 10, -ERANGE, 0 },
		{ "99999999999999999999x", 10, -ERANGE, 0 },
		{ "0xffffffffffffffff", 0, 0, 18446744073709551615ULL },
		{ "0x10000000000000000", 0, -ERANGE, 0 },
		{ "1777777777777777777777", 8, 0, 18446744073709551615ULL },
		{ "5", 1, -EINVAL, 0 },
		{ "5", 17, -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long long v = 12345;
		int err = k_kstrtoull(cases[i].s, cases[i].base, &v);

		cr_assert(err == cases[i].err, "kstrtoull(\"%s\", %u) = %d, want %d", cases[i].s,
			  cases[i].base, err, cases[i].err);
		if (err)
			cr_assert(v == 12345, "\"%s\": result changed on error", cases[i].s);
		else
			cr_assert(v == cases[i].val, "\"%s\": %llu", cases[i].s, v);
	}
}

Test(string, kstrtol_signed_edges)
{
	long v = 7;
	long long ll = 7;

	cr_assert(k_kstrtol("-9223372036854775808", 10, &v) == 0 && v == INT64_MIN);
	cr_assert(k_kstrtol("9223372036854775807", 10, &v) == 0 && v == INT64_MAX);
	cr_assert(k_kstrtol("9223372036854775808", 10, &v) == -ERANGE);
	cr_assert(k_kstrtol("-9223372036854775809", 10, &v) == -ERANGE);
	cr_assert(k_kstrtol("-0x10", 0, &v) == 0 && v == -16);
	cr_assert(k_kstrtol("-0", 10, &v) == 0 && v == 0);
	cr_assert(k_kstrtol("-", 10, &v) == -EINVAL);
	cr_assert(k_kstrtol("-+5", 10, &v) == -EINVAL);
	cr_assert(k_kstrtol("+-5", 10, &v) == -EINVAL);
	cr_assert(k_kstrtol("--5", 10, &v) == -EINVAL);
	cr_assert(k_kstrtol("+5\n", 10, &v) == 0 && v == 5);
	cr_assert(k_kstrtoll("-0x8000000000000000", 0, &ll) == 0 && ll == INT64_MIN);
	cr_assert(k_kstrtoll("-0x8000000000000001", 0, &ll) == -ERANGE);
}

Test(string, kstrtoint_and_kstrtouint_ranges)
{
	int i = 7;
	unsigned int u = 7;
	unsigned long ul = 7;

	cr_assert(k_kstrtoint("2147483647", 10, &i) == 0 && i == INT32_MAX);
	cr_assert(k_kstrtoint("-2147483648", 10, &i) == 0 && i == INT32_MIN);
	cr_assert(k_kstrtoint("2147483648", 10, &i) == -ERANGE && i == INT32_MIN);
	cr_assert(k_kstrtoint("-2147483649", 10, &i) == -ERANGE);
	cr_assert(k_kstrtouint("4294967295", 10, &u) == 0 && u == UINT32_MAX);
	cr_assert(k_kstrtouint("4294967296", 10, &u) == -ERANGE && u == UINT32_MAX);
	cr_assert(k_kstrtouint("-1", 10, &u) == -EINVAL);
	cr_assert(k_kstrtouint("0x80000000", 0, &u) == 0 && u == 0x80000000u);
	cr_assert(k_kstrtoul("18446744073709551615", 10, &ul) == 0 && ul == UINT64_MAX);
	cr_assert(k_kstrtoul("010", 0, &ul) == 0 && ul == 8);
}

/* Classifiers may return any non-zero for true; tolower/toupper must return the same int. */
static void check_ctype(size_t f, int c)
{
	static const char *const names[] = {
		"isdigit", "isxdigit", "isspace", "isalpha", "isalnum", "isprint", "isupper",
		"islower", "tolower", "toupper",
	};
	int ours = k_class[f](c), want = libc_class[f](c);
	bool same = f < 8 ? !ours == !want : ours == want;

	cr_assert(same, "%s(%d) = %d, libc %d", names[f], c, ours, want);
}

Test(string, ctype_matches_c_locale)
{
	for (size_t f = 0; f < ARRAY_SIZE(k_class); f++) {
		for (int c = -1; c < 256; c++)
			check_ctype(f, c);
	}
}

/* ---- random differential tests against libc ---- */

#define BUF	256
#define GUARD	0xa5

/* Bytes from a small alphabet, so matches, equal runs and high bytes are all common. */
static unsigned char rnd_byte(void)
{
	static const unsigned char alphabet[] = { 'a', 'b', 'c', 0, 0x7f, 0x80, 0xff, ' ' };

	return rnd_below(4) ? alphabet[rnd_below(sizeof(alphabet))] : (unsigned char)rnd();
}

static void rnd_fill(unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = rnd_byte();
}

/* Offset and length of a random span inside a BUF-byte buffer. */
static void rnd_span(size_t *off, size_t *n)
{
	*n = rnd_below(4) ? rnd_below(40) : rnd_below(BUF + 1);
	*off = rnd_below(BUF - *n + 1);
}

static void random_memmove_round(int iter)
{
	unsigned char a[BUF], b[BUF];
	size_t n, src, dst = rnd_below(BUF);

	rnd_span(&src, &n);
	if (dst + n > BUF)
		dst = BUF - n;
	rnd_fill(a, BUF);
	libc_memcpy(b, a, BUF);
	cr_assert(k_memmove(a + dst, a + src, n) == a + dst);
	libc_memmove(b + dst, b + src, n);
	cr_assert(libc_memcmp(a, b, BUF) == 0, "seed %llu iter %d: memmove(+%zu, +%zu, %zu)", seed,
		  iter, dst, src, n);
}

static void random_memcpy_memset_round(int iter)
{
	unsigned char src[BUF], a[BUF], b[BUF];
	size_t n, off, soff;
	int c = (int)rnd();

	rnd_span(&off, &n);
	soff = rnd_below(BUF - n + 1);
	rnd_fill(src, BUF);
	libc_memset(a, GUARD, BUF);
	libc_memset(b, GUARD, BUF);
	cr_assert(k_memcpy(a + off, src + soff, n) == a + off);
	libc_memcpy(b + off, src + soff, n);
	cr_assert(libc_memcmp(a, b, BUF) == 0, "seed %llu iter %d: memcpy(+%zu, +%zu, %zu)", seed,
		  iter, off, soff, n);

	rnd_span(&off, &n);
	cr_assert(k_memset(a + off, c, n) == a + off);
	libc_memset(b + off, c, n);
	cr_assert(libc_memcmp(a, b, BUF) == 0, "seed %llu iter %d: memset(+%zu, %d, %zu)", seed,
		  iter, off, c, n);
}

static void random_memcmp_memchr_round(int iter)
{
	unsigned char a[BUF], b[BUF];
	size_t n = rnd_below(BUF + 1);
	int c = rnd_below(2) ? rnd_byte() : (int)rnd();

	rnd_fill(a, BUF);
	libc_memcpy(b, a, BUF);
	if (rnd_below(4))	/* usually differ somewhere, often late */
		b[rnd_below(BUF)] = rnd_byte();
	cr_assert(sign(k_memcmp(a, b, n)) == sign(libc_memcmp(a, b, n)),
		  "seed %llu iter %d: memcmp n=%zu", seed, iter, n);
	cr_assert(k_memchr(a, c, n) == libc_memchr(a, c, n), "seed %llu iter %d: memchr(%d, %zu)",
		  seed, iter, c, n);
}

Test(string_random, mem_functions_match_libc)
{
	int rounds = test_iters(5000);

	seed = test_seed("string_random/mem_functions_match_libc");
	for (int i = 0; i < rounds; i++) {
		random_memmove_round(i);
		random_memcpy_memset_round(i);
		random_memcmp_memchr_round(i);
	}
}

/* A NUL-terminated string of up to max bytes, built from the small alphabet. */
static void rnd_string(char *s, size_t max)
{
	size_t len = rnd_below(max + 1);

	for (size_t i = 0; i < len; i++) {
		unsigned char c;

		do
			c = rnd_byte();
		while (!c);
		s[i] = (char)c;
	}
	s[len] = '\0';
}

/* strscpy as specified, on libc's strnlen/memcpy: the model the random test checks against. */
static ssize_t model_strscpy(char *dst, const char *src, size_t size)
{
	size_t len = libc_strnlen(src, size);

	if (!size)
		return -E2BIG;
	if (len == size) {
		libc_memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	libc_memcpy(dst, src, len + 1);
	return (ssize_t)len;
}

static size_t model_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = libc_strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		libc_memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static void random_compare_round(int iter, const char *a, char *b)
{
	size_t n = rnd_below(40);

	/* Often make b share a prefix with a, so long equal runs are compared too. */
	if (rnd_below(2)) {
		size_t keep = rnd_below(libc_strlen(a) + 1);

		libc_memcpy(b, a, keep);
		rnd_string(b + keep, 40 - keep);
	}
	cr_assert(sign(k_strcmp(a, b)) == sign(libc_strcmp(a, b)), "seed %llu iter %d: strcmp",
		  seed, iter);
	cr_assert(sign(k_strncmp(a, b, n)) == sign(libc_strncmp(a, b, n)),
		  "seed %llu iter %d: strncmp n=%zu", seed, iter, n);
}

static void random_search_round(int iter, const char *a)
{
	int c = rnd_below(8) ? rnd_byte() : (int)rnd();
	size_t max = rnd_below(40);

	cr_assert(k_strlen(a) == libc_strlen(a), "seed %llu iter %d: strlen", seed, iter);
	cr_assert(k_strnlen(a, max) == libc_strnlen(a, max), "seed %llu iter %d: strnlen", seed,
		  iter);
	cr_assert(k_strchr(a, c) == libc_strchr(a, c), "seed %llu iter %d: strchr %d", seed, iter,
		  c);
	cr_assert(k_strrchr(a, c) == libc_strrchr(a, c), "seed %llu iter %d: strrchr %d", seed,
		  iter, c);
}

static void random_copy_round(int iter, const char *src)
{
	char got[64], want[64];
	size_t size = rnd_below(40);

	libc_memset(got, GUARD, sizeof(got));
	libc_memset(want, GUARD, sizeof(want));
	cr_assert(k_strlcpy(got, src, size) == model_strlcpy(want, src, size));
	cr_assert(libc_memcmp(got, want, sizeof(got)) == 0, "seed %llu iter %d: strlcpy size %zu",
		  seed, iter, size);
	cr_assert(k_strscpy(got, src, size) == model_strscpy(want, src, size),
		  "seed %llu iter %d: strscpy size %zu result", seed, iter, size);
	cr_assert(libc_memcmp(got, want, sizeof(got)) == 0, "seed %llu iter %d: strscpy size %zu",
		  seed, iter, size);
}

Test(string_random, str_functions_match_libc)
{
	int rounds = test_iters(5000);
	char a[48], b[48];

	seed = test_seed("string_random/str_functions_match_libc");
	for (int i = 0; i < rounds; i++) {
		rnd_string(a, 40);
		rnd_string(b, 40);
		random_compare_round(i, a, b);
		random_search_round(i, a);
		random_copy_round(i, a);
	}
}

/*
 * Models of kstrto* on libc's strtoull. It is more lenient (leading space,
 * a sign on unsigned numbers, partial parses), so the model first rejects what Linux rejects,
 * then requires the whole string (one '\n' allowed) to be used.
 */
static int model_check_start(const char *s, unsigned int base, bool allow_minus)
{
	if (base == 1 || base > 16)
		return -EINVAL;
	if (*s == '-' && !allow_minus)
		return -EINVAL;
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '+' || *s == '-' || libc_isspace((unsigned char)*s))
		return -EINVAL;
	return 0;
}

static int model_check_end(const char *s, const char *end)
{
	if (end == s)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	if (*end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

static int model_kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	char *end;
	int err = model_check_start(s, base, false);

	if (err)
		return err;
	errno = 0;
	*res = strtoull(s, &end, (int)base);
	return model_check_end(s, end);
}

/* Linux checks the whole string first, so "9999999999999999999x" is -EINVAL, not -ERANGE. */
static int model_kstrtoll(const char *s, unsigned int base, long long *res)
{
	bool neg = *s == '-';
	unsigned long long mag;
	int err = model_check_start(s, base, true);

	if (!err)
		err = model_kstrtoull(neg ? s + 1 : s, base, &mag);
	if (err)
		return err;
	if (mag > (neg ? 1ULL << 63 : (unsigned long long)INT64_MAX))
		return -ERANGE;
	*res = neg ? (long long)(0 - mag) : (long long)mag;
	return 0;
}

static const char digit_chars[] = "0123456789abcdef";

/* Digits of v in base (2..16), most significant first; returns how many. */
static size_t put_digits(char *s, unsigned long long v, unsigned int base)
{
	char tmp[64];
	size_t n = 0;

	do {
		tmp[n++] = digit_chars[v % base];
		v /= base;
	} while (v);
	for (size_t i = 0; i < n; i++)
		s[i] = tmp[n - 1 - i];
	return n;
}

/* Add one to a digit string, growing it on a carry out: this is how we step past 2^64 - 1. */
static size_t inc_digits(char *s, size_t n, unsigned int base)
{
	for (size_t i = n; i-- > 0;) {
		unsigned int d = (unsigned int)(libc_strchr(digit_chars, s[i]) - digit_chars);

		if (d + 1 < base) {
			s[i] = digit_chars[d + 1];
			return n;
		}
		s[i] = '0';
	}
	libc_memmove(s + 1, s, n);
	s[0] = '1';
	return n + 1;
}

/* Digits in base: random ones (often too many), or a few steps from a limit of some type. */
static size_t rnd_digits(char *s, unsigned int base)
{
	static const unsigned long long limits[] = { 0, 1ULL << 31, 1ULL << 32, 1ULL << 63 };
	size_t n;

	if (rnd_below(2)) {
		n = 1 + rnd_below(rnd_below(2) ? 25 : 70);
		for (size_t i = 0; i < n; i++)
			s[i] = digit_chars[rnd_below(base)];
		return n;
	}
	/* limit - 3 .. limit + 3; limit 0 wraps around to just below 2^64. */
	n = put_digits(s, limits[rnd_below(ARRAY_SIZE(limits))] - 3, base);
	for (size_t k = rnd_below(7); k; k--)
		n = inc_digits(s, n, base);
	return n;
}

/* A number as a user might type it: sign, prefix, digits, '\n', each maybe; or junk. */
static void rnd_number_text(char *s, unsigned int base)
{
	static const char junk[] = "0123456789abcdefABCDEFxX+-\n ";
	unsigned int digit_base = base >= 2 && base <= 16 ? base : 16;
	size_t i = 0;

	if (rnd_below(3) == 0) {
		for (size_t len = rnd_below(24); i < len; i++)
			s[i] = junk[rnd_below(sizeof(junk) - 1)];
		s[i] = '\0';
		return;
	}
	if (rnd_below(3) == 0)
		s[i++] = "+-"[rnd_below(2)];
	if ((base == 16 || base == 0) && rnd_below(2)) {
		s[i++] = '0';
		s[i++] = rnd_below(2) ? 'x' : 'X';
	} else if (base == 0 && rnd_below(2)) {
		s[i++] = '0';
		digit_base = 8;
	} else if (base == 0) {
		digit_base = 10;
	}
	i += rnd_digits(s + i, digit_base);
	if (rnd_below(4) == 0)
		s[i++] = '\n';
	s[i] = '\0';
}

static void random_kstrto_round(int iter)
{
	static const unsigned int bases[] = { 0, 0, 0, 8, 10, 10, 16, 16, 2, 3, 7, 12, 1, 17 };
	unsigned int base = bases[rnd_below(ARRAY_SIZE(bases))];
	char s[96];
	unsigned long long u = 1, mu = 2;
	long long l = 1, ml = 2;
	unsigned int ui = 1;
	int si = 1;

	rnd_number_text(s, base);
	int e = k_kstrtoull(s, base, &u), me = model_kstrtoull(s, base, &mu);

	cr_assert(e == me && (e || u == mu), "seed %llu iter %d: kstrtoull(\"%s\", %u) = %d %llu,"
		  " model %d %llu", seed, iter, s, base, e, u, me, mu);
	e = k_kstrtoll(s, base, &l);
	me = model_kstrtoll(s, base, &ml);
	cr_assert(e == me && (e || l == ml), "seed %llu iter %d: kstrtoll(\"%s\", %u) = %d %lld,"
		  " model %d %lld", seed, iter, s, base, e, l, me, ml);

	/* The 32-bit variants: the 64-bit model plus a range check. */
	if (!me && (ml < INT32_MIN || ml > INT32_MAX))
		me = -ERANGE;
	cr_assert(k_kstrtoint(s, base, &si) == me && (me || si == ml),
		  "seed %llu iter %d: kstrtoint(\"%s\", %u)", seed, iter, s, base);
	me = model_kstrtoull(s, base, &mu);
	if (!me && mu > UINT32_MAX)
		me = -ERANGE;
	cr_assert(k_kstrtouint(s, base, &ui) == me && (me || ui == mu),
		  "seed %llu iter %d: kstrtouint(\"%s\", %u)", seed, iter, s, base);
}

Test(string_random, kstrto_matches_strtoull_model)
{
	int rounds = test_iters(20000);

	seed = test_seed("string_random/kstrto_matches_strtoull_model");
	for (int i = 0; i < rounds; i++)
		random_kstrto_round(i);
}
