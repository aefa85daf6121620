/*
 * Touching user memory from the kernel: every system call that takes a pointer uses these,
 * never a plain dereference. Each checks that the whole range lies below TASK_SIZE (a user
 * "pointer" into the kernel half is refused before anything is read), opens the SMAP window
 * (stac/clac) only around the copy, and survives a bad address: the copy stops at the
 * first byte that cannot be reached (lib/usercopy.S, the exception table in
 * kernel/extable.c). docs/process.md ("User pointers") walks through it.
 */
#ifndef ASM_UACCESS_H
#define ASM_UACCESS_H

#include <kernel/compiler.h>
#include <mm/vma.h>

#define __user	/* a marker for readers: this pointer is the user's, not to be dereferenced */

/* Is [addr, addr + n) inside user space? */
static inline bool access_ok(const void __user *addr, unsigned long n)
{
	unsigned long a = (unsigned long)addr;

	return n <= TASK_SIZE && a <= TASK_SIZE - n;
}

/* Each returns the number of bytes it could NOT copy: 0 is success. */
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
unsigned long clear_user(void __user *to, unsigned long n);

/* Copy a NUL-terminated string of at most @n bytes with the NUL: its length, -EFAULT, or
 * -ENAMETOOLONG when no NUL came within @n bytes. */
long strncpy_from_user(char *dst, const char __user *src, long n);

/* One value of a scalar type: 0 or -EFAULT. */
#define get_user(x, ptr) (copy_from_user(&(x), (ptr), sizeof(*(ptr))) ? -EFAULT : 0)
#define put_user(x, ptr) ({ __typeof__(*(ptr)) __v = (x);                       \
			    copy_to_user((ptr), &__v, sizeof(__v)) ? -EFAULT : 0; })

/* kernel/extable.c: a fixup for a fault at @regs->rip in lib/usercopy.S? Then go there. */
struct pt_regs;
bool fixup_exception(struct pt_regs *regs);

#endif
