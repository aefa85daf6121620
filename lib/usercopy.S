/*
 * The instructions that touch user memory on the kernel's behalf, each listed in the
 * exception table (__ex_table: pairs of "this instruction may fault" and "continue here").
 * A fault on a user address that the fault handler cannot serve (no VMA, no permission)
 * lands at the fixup instead of becoming an oops: kernel/extable.c looks the faulting RIP
 * up, mm is not involved. The C side (include/asm/uaccess.h, kernel/uaccess.c) checks
 * that the range is below TASK_SIZE and opens the SMAP window around these calls.
 */
#define EX_ENTRY(insn, fixup)			\
	.pushsection __ex_table, "a";		\
	.balign 8;				\
	.quad insn, fixup;			\
	.popsection

	.text

/* unsigned long __copy_user(void *to, const void *from, unsigned long n): bytes NOT copied. */
	.globl __copy_user
	.type __copy_user, @function
__copy_user:
	movq	%rdx, %rcx
1:	rep movsb			/* a fault leaves rcx = the bytes still to copy */
	movq	%rcx, %rax
	ret
	EX_ENTRY(1b, 1b + 2)		/* rep movsb is two bytes: resume at the movq */
	.size __copy_user, . - __copy_user

/* unsigned long __clear_user(void *to, unsigned long n): bytes NOT cleared. */
	.globl __clear_user
	.type __clear_user, @function
__clear_user:
	movq	%rsi, %rcx
	xorl	%eax, %eax
1:	rep stosb
	movq	%rcx, %rax
	ret
	EX_ENTRY(1b, 1b + 2)
	.size __clear_user, . - __clear_user

/* int __get_user_1(uint8_t *dst, const uint8_t *src): 0, or -EFAULT (14). */
	.globl __get_user_1
	.type __get_user_1, @function
__get_user_1:
1:	movzbl	(%rsi), %eax
	movb	%al, (%rdi)
	xorl	%eax, %eax
	ret
2:	movl	$-14, %eax
	ret
	EX_ENTRY(1b, 2b)
	.size __get_user_1, . - __get_user_1
