/*
 * String and memory helpers for a kernel that has no C library: the mem and str functions
 * with their C meanings, plus Linux's strlcpy, strscpy, strsep and kstrto* (lib/string.c).
 * gcc and clang emit calls to memcpy, memmove and memset on their own (struct copies, large
 * initialisers), so those three must exist under exactly these names in the kernel.
 *
 * Host unit tests (tests/host) link this code into a program that also has the host's libc,
 * which owns the same names. With HOSTED_TEST defined, every function below is renamed by a
 * macro placed before its declaration (memcpy -> k_memcpy, ...), so lib/string.c then defines
 * k_memcpy and friends and nothing clashes at link time. A test file includes the host headers
 * it needs first, wraps any libc function it wants as a reference in a static function
 * (libc_memmove ...) before including this header, and calls our code as k_memcpy ...: each
 * call then says which implementation it means, and no #undef games are needed.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <kernel/compiler.h>

#ifdef HOSTED_TEST
#define memcpy		k_memcpy
#define memmove		k_memmove
#define memset		k_memset
#define memcmp		k_memcmp
#define memchr		k_memchr
#define strlen		k_strlen
#define strnlen		k_strnlen
#define strcmp		k_strcmp
#define strncmp		k_strncmp
#define strchr		k_strchr
#define strrchr		k_strrchr
#define strlcpy		k_strlcpy
#define strscpy		k_strscpy
#define strsep		k_strsep
#define kstrtoull	k_kstrtoull
#define kstrtoul	k_kstrtoul
#define kstrtoll	k_kstrtoll
#define kstrtol		k_kstrtol
#define kstrtouint	k_kstrtouint
#define kstrtoint	k_kstrtoint
#define strerror	k_strerror
#endif

/* Signed size, as in POSIX and Linux; the same type as the host's, so both may be seen. */
typedef long ssize_t;

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/* Copies what fits, always NUL-terminates (if size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Copies what fits, always NUL-terminates (if size > 0); returns the length copied, or
 * -E2BIG when src did not fit (or size is 0). Reads at most size bytes of src. */
ssize_t strscpy(char *dst, const char *src, size_t size);
/* Splits off the next token of *sp ending at any byte of delim; NULL when *sp is NULL. */
char *strsep(char **sp, const char *delim);

/*
 * Parse a whole string as an integer: an optional sign ('-' only for the signed ones), digits
 * in base (0 means: "0x" prefix -> 16, leading "0" -> 8, else 10; 2..16 otherwise, and base 16
 * also accepts a "0x" prefix), then at most one '\n'. Nothing else, not even spaces.
 * Return 0 and store *res, or -EINVAL (bad syntax) / -ERANGE (does not fit); *res is left
 * alone on error.
 */
int hex_to_bin(char c);		/* 0..15 for a hex digit of either case, else -1 */
int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int kstrtoll(const char *s, unsigned int base, long long *res);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtol(const char *s, unsigned int base, long *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
int kstrtoint(const char *s, unsigned int base, int *res);

/* The C library's text for an error number (-ESRCH or ESRCH): "No such process". */
const char *strerror(int errnum);

/* Is @name one of the comma-separated names in @list (or is @list "all")? */
bool str_in_list(const char *list, const char *name);

#endif
