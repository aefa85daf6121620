/*
 * The C half of user-memory access (include/asm/uaccess.h): range check, SMAP window,
 * then the faulting-safe copies of lib/usercopy.S.
 */
#include <asm/uaccess.h>
#include <lib/errno.h>
#include <mm/fault.h>

unsigned long __copy_user(void *to, const void *from, unsigned long n);
unsigned long __clear_user(void *to, unsigned long n);
int __get_user_1(uint8_t *dst, const uint8_t *src);

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	unsigned long left;

	if (!access_ok(from, n))
		return n;
	user_access_begin();
	left = __copy_user(to, from, n);
	user_access_end();
	return left;
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	unsigned long left;

	if (!access_ok(to, n))
		return n;
	user_access_begin();
	left = __copy_user(to, from, n);
	user_access_end();
	return left;
}

unsigned long clear_user(void __user *to, unsigned long n)
{
	unsigned long left;

	if (!access_ok(to, n))
		return n;
	user_access_begin();
	left = __clear_user(to, n);
	user_access_end();
	return left;
}

/* Byte by byte: a string may end just before an unmapped page, which must not fault. */
long strncpy_from_user(char *dst, const char __user *src, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		if (!access_ok(src + i, 1))
			return -EFAULT;
		user_access_begin();
		if (__get_user_1((uint8_t *)dst + i, (const uint8_t *)src + i)) {
			user_access_end();
			return -EFAULT;
		}
		user_access_end();
		if (!dst[i])
			return i;
	}
	return -ENAMETOOLONG;
}
