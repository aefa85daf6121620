/*
 * Interrupt and exception entry. The IDT points each of the 256 vectors at a small
 * stub that makes the stack look the same for all of them (pushes a 0 where the CPU
 * pushes no error code, then the vector number) and jumps to common_interrupt, which
 * saves the general registers as a struct pt_regs (include/asm/ptrace.h), calls
 * do_interrupt(regs) in C, restores everything and returns with iretq. Because RBP
 * is saved in pt_regs, the oops backtrace can continue through the interrupted code.
 *
 * GS: the kernel's GS base points at this CPU's struct cpu; while user code runs, the
 * user's GS base is loaded and the kernel's waits in MSR_KERNEL_GS_BASE. swapgs exchanges
 * the two. Whether to swap is decided by reading MSR_GS_BASE itself ("paranoid" entry), not
 * by the interrupted CS: an NMI can arrive in kernel mode in the two instructions between
 * syscall and swapgs (or between swapgs and sysret) with the user's GS still loaded. Kernel
 * GS bases are kernel addresses (bit 63 set); a user's never is (arch_prctl refuses them).
 * %rbx remembers the decision across the call: it is callee-saved, also across switch_to.
 */
#include <asm/segment.h>
#include <kernel/percpu.h>

#define MSR_GS_BASE	0xc0000101

/* Vectors for which the CPU pushes an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
			(v) == 29 || (v) == 30)

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	vector = 0
	.rept 256
	.balign 16		/* each stub fits in 16 bytes: isr_stubs + 16 * vector */
	.if HAS_ERRCODE(vector) == 0
	pushq	$0
	.endif
	pushq	$vector
	jmp	common_interrupt
	vector = vector + 1
	.endr

common_interrupt:
	cld
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movl	$MSR_GS_BASE, %ecx
	rdmsr
	xorl	%ebx, %ebx
	testl	%edx, %edx
	js	1f			/* the kernel's GS is loaded already */
	swapgs
	movl	$1, %ebx
1:	movq	%rsp, %rdi
	call	do_interrupt
	testl	%ebx, %ebx
	jz	2f
	swapgs				/* back to the GS base the interrupted code had */
2:	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	addq	$16, %rsp		/* vector and error code */
	iretq

/*
 * capture_regs(struct pt_regs *regs): the registers as they are at this call, in
 * the layout above, for reports that do not come from an exception (panic()).
 * RIP is our return address: the instruction after the call.
 */
	.globl capture_regs
capture_regs:
	movq	%r15, 0(%rdi)
	movq	%r14, 8(%rdi)
	movq	%r13, 16(%rdi)
	movq	%r12, 24(%rdi)
	movq	%rbp, 32(%rdi)
	movq	%rbx, 40(%rdi)
	movq	%r11, 48(%rdi)
	movq	%r10, 56(%rdi)
	movq	%r9, 64(%rdi)
	movq	%r8, 72(%rdi)
	movq	%rax, 80(%rdi)
	movq	%rcx, 88(%rdi)
	movq	%rdx, 96(%rdi)
	movq	%rsi, 104(%rdi)
	movq	%rdi, 112(%rdi)
	movq	$0, 120(%rdi)		/* vector */
	movq	$0, 128(%rdi)		/* error code */
	movq	(%rsp), %rax
	movq	%rax, 136(%rdi)		/* rip */
	movq	$GDT_KERNEL_CS, 144(%rdi)
	pushfq
	popq	152(%rdi)		/* rflags */
	leaq	8(%rsp), %rax
	movq	%rax, 160(%rdi)		/* rsp as the caller sees it */
	movq	$GDT_KERNEL_DS, 168(%rdi)
	movq	80(%rdi), %rax
	ret

/*
 * rewind_stack_and_exit(stack_top, code): for a task that can never return to its frames
 * (its stack overflowed, kernel/traps.c): start over at the top of its own stack with no
 * frame chain (RBP 0 ends backtraces) and end it there with overflow_exit(code). The
 * caller, the double-fault handler, never resumes: its IST stack is simply left.
 */
	.globl rewind_stack_and_exit
rewind_stack_and_exit:
	movq	%rdi, %rsp		/* 16-aligned; 8 mod 16 after the call, as the ABI wants */
	xorl	%ebp, %ebp
	movl	%esi, %edi
	call	overflow_exit
	ud2
