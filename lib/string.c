/*
 * String and memory helpers (declared and specified in include/lib/string.h).
 *
 * memcpy, memset and memmove are single x86 string instructions (rep movsb / rep stosb). That
 * is fast on every CPU since Ivy Bridge (ERMS) and, just as important, it contains no C loop:
 * gcc's loop-distribution pass recognises a byte-copy loop and replaces it with a call to
 * memcpy, which inside memcpy itself is endless recursion (-ffreestanding does not stop it).
 * The other functions are plain byte loops whose exit depends on the data, a shape the
 * compiler does not turn into library calls, so no extra compiler flag is needed.
 *
 * Invariant kept by everything here: the direction flag is clear on entry and on exit, as the
 * x86_64 ABI requires; memmove sets it only for the span of its one backwards copy. An
 * interrupt can arrive inside that span and the CPU does not clear DF for it, so every
 * interrupt and exception entry stub must execute cld before it calls C (Linux does the same).
 * Bytes are compared as unsigned char, as C requires. No <limits.h>: with gcc it pulls in the
 * host's glibc headers even in a -ffreestanding build; range checks below are round trips
 * through the narrower type instead, and the one limit needed is the compiler's own macro.
 */
#include <lib/string.h>
#include <lib/ctype.h>
#include <lib/errno.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;

	__asm__ __volatile__("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;

	__asm__ __volatile__("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
	return ret;
}

/*
 * A forward copy is safe unless dst starts inside [src, src + n): then it would overwrite
 * source bytes before reading them, so copy from the last byte down instead. The unsigned
 * difference folds both safe cases (dst below src, dst at or past src + n) into one test.
 */
void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		return memcpy(dst, src, n);

	/* Here 0 <= dst - src < n, so n > 0 and both last-byte pointers are in bounds. */
	void *d = (char *)dst + n - 1;
	const void *s = (const char *)src + n - 1;

	__asm__ __volatile__("std\n\t"
			     "rep movsb\n\t"
			     "cld"
			     : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == (unsigned char)c)
			return (void *)(p + i);
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

/* Stops at the first difference or at a NUL in both strings, whichever comes first. */
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
		if (!p[i])
			break;
	}
	return 0;
}

/* The terminating NUL counts as part of the string: strchr(s, 0) finds it. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t i;

	if (!size)
		return -E2BIG;
	/* Never read src[size - 1] or beyond unless it is needed: src may be that short. */
	for (i = 0; i < size - 1 && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
	if (i == size - 1 && src[i])
		return -E2BIG;
	return (ssize_t)i;
}

char *strsep(char **sp, const char *delim)
{
	char *tok = *sp;

	if (!tok)
		return NULL;
	for (char *p = tok; *p; p++) {
		if (strchr(delim, *p)) {
			*p = '\0';
			*sp = p + 1;
			return tok;
		}
	}
	*sp = NULL;
	return tok;
}

/* Value of c as a digit (0..35 for 0-9, a-z, A-Z), or 36: "not a digit in any base". */
static unsigned int digit_value(char c)
{
	if (isdigit(c))
		return (unsigned int)(c - '0');
	if (isalpha(c))
		return (unsigned int)(tolower(c) - 'a' + 10);
	return 36;
}

int hex_to_bin(char c)
{
	unsigned int d = digit_value(c);

	return d < 16 ? (int)d : -1;
}

/*
 * Resolve base 0 and step over a "0x" prefix where the base allows one. "0x" with no hex
 * digit after it then finds no digits: -EINVAL, the same answer octal "0" then 'x' would get.
 */
static const char *parse_radix(const char *s, unsigned int *base)
{
	bool hex_prefix = s[0] == '0' && tolower(s[1]) == 'x';

	if (*base == 0)
		*base = hex_prefix ? 16 : s[0] == '0' ? 8 : 10;
	if (*base == 16 && hex_prefix)
		s += 2;
	return s;
}

/*
 * The digits and the optional '\n' that must end the string. On overflow the digits are still
 * consumed, so "99999999999999999999x" reports -ERANGE (the number is the problem the user
 * needs to hear about first), as Linux does.
 */
static int parse_digits(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long acc = 0;
	bool overflow = false;
	const char *start = s;
	unsigned int d;

	for (; (d = digit_value(*s)) < base; s++) {
		if (acc > (~0ULL - d) / base)
			overflow = true;
		acc = acc * base + d;
	}
	if (s == start)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = acc;
	return 0;
}

/* Magnitude of an unsigned number after an optional '+'; the sign is the caller's business. */
static int parse_magnitude(const char *s, unsigned int base, unsigned long long *res)
{
	if (base == 1 || base > 16)
		return -EINVAL;
	if (*s == '+')
		s++;
	s = parse_radix(s, &base);
	return parse_digits(s, base, res);
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	return parse_magnitude(s, base, res);
}

int kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long mag;
	bool neg = *s == '-';
	int err;

	/* Exactly one sign: "-+5" and "+-5" are not numbers. */
	if (neg && s[1] == '+')
		return -EINVAL;
	err = parse_magnitude(neg ? s + 1 : s, base, &mag);
	if (err)
		return err;
	/* LLONG_MIN's magnitude is LLONG_MAX + 1, one more than any positive value. */
	if (mag > (unsigned long long)__LONG_LONG_MAX__ + neg)
		return -ERANGE;
	*res = neg ? (long long)(0 - mag) : (long long)mag;
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long v;
	int err = kstrtoull(s, base, &v);

	if (err)
		return err;
	if ((unsigned long)v != v)
		return -ERANGE;
	*res = (unsigned long)v;
	return 0;
}

int kstrtol(const char *s, unsigned int base, long *res)
{
	long long v;
	int err = kstrtoll(s, base, &v);

	if (err)
		return err;
	if ((long)v != v)
		return -ERANGE;
	*res = (long)v;
	return 0;
}

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int err = kstrtoull(s, base, &v);

	if (err)
		return err;
	if ((unsigned int)v != v)
		return -ERANGE;
	*res = (unsigned int)v;
	return 0;
}

int kstrtoint(const char *s, unsigned int base, int *res)
{
	long long v;
	int err = kstrtoll(s, base, &v);

	if (err)
		return err;
	if ((int)v != v)
		return -ERANGE;
	*res = (int)v;
	return 0;
}

bool str_in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (strcmp(list, "all") == 0)
		return true;
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (comma ? 1 : 0);
	}
	return false;
}
