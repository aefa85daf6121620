/*
 * trap_catch_begin / trap_catch_resume: a minimal setjmp/longjmp for the trap
 * catcher (include/kernel/traps.h). begin saves the callee-saved registers, the
 * stack pointer and its return address into tc->jmp and returns 0. When the armed
 * exception comes, do_exception() rewrites the interrupted frame so that iretq lands
 * in trap_catch_resume(tc), which restores them and returns 1 from begin.
 */
	.text
	.globl trap_catch_begin
trap_catch_begin:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rax		/* the caller's rsp after our return */
	movq	%rax, 48(%rdi)
	movq	(%rsp), %rax		/* our return address */
	movq	%rax, 56(%rdi)
	movb	$1, 64(%rdi)		/* armed = true; caught = false */
	movb	$0, 65(%rdi)
	xorl	%eax, %eax
	ret

	.globl trap_catch_resume
trap_catch_resume:
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	movl	$1, %eax
	jmpq	*56(%rdi)
