/*
 * Error pointers, as Linux's <linux/err.h>: a function that returns a pointer may return
 * ERR_PTR(-ENOENT) instead, a value in the last page of the address space, which no object
 * occupies. IS_ERR tells the two apart, PTR_ERR gets the (negative) number back.
 */
#ifndef LIB_ERR_H
#define LIB_ERR_H

#include <kernel/compiler.h>

#ifndef IS_ERR_VALUE
#define MAX_ERRNO		4095
#define IS_ERR_VALUE(x)		((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)
#endif

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

#endif
