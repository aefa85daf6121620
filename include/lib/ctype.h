/*
 * Character classes for plain ASCII, as static inline functions (no lookup table, no locale).
 * Any int is a valid argument: EOF, a negative char or a byte >= 0x80 is in no class, and
 * tolower/toupper return it unchanged. This matches the C library in the "C" locale.
 *
 * A host test may also include the host's <ctype.h>, which defines these names as macros;
 * with HOSTED_TEST they are undefined and ours are renamed to k_isdigit ... (see lib/string.h).
 */
#ifndef LIB_CTYPE_H
#define LIB_CTYPE_H

#ifdef HOSTED_TEST
#undef isdigit
#undef isxdigit
#undef isspace
#undef isalpha
#undef isalnum
#undef isprint
#undef isupper
#undef islower
#undef tolower
#undef toupper
#define isdigit		k_isdigit
#define isxdigit	k_isxdigit
#define isspace		k_isspace
#define isalpha		k_isalpha
#define isalnum		k_isalnum
#define isprint		k_isprint
#define isupper		k_isupper
#define islower		k_islower
#define tolower		k_tolower
#define toupper		k_toupper
#endif

static inline int isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int isupper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static inline int islower(int c)
{
	return c >= 'a' && c <= 'z';
}

static inline int isalpha(int c)
{
	return isupper(c) || islower(c);
}

static inline int isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

static inline int isxdigit(int c)
{
	return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ' ', '\t', '\n', '\v', '\f', '\r' */
static inline int isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Space through '~': everything that takes a column on a terminal. */
static inline int isprint(int c)
{
	return c >= ' ' && c <= '~';
}

static inline int tolower(int c)
{
	return isupper(c) ? c - 'A' + 'a' : c;
}

static inline int toupper(int c)
{
	return islower(c) ? c - 'a' + 'A' : c;
}

#endif
