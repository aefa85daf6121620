/*
 * The way in and out of user mode.
 *
 * In: the `syscall` instruction (set up by kernel/syscall.c: syscall_init) loads CS and SS
 * from MSR_STAR, RIP from MSR_LSTAR, saves the user's RIP in rcx and RFLAGS in r11, and
 * clears the RFLAGS bits MSR_FMASK names (IF among them: we start with interrupts off). It
 * does not switch stacks, so the first instructions do: swapgs for the kernel's GS, park
 * the user rsp in this CPU's struct cpu, load the task's kernel stack top. Then the same
 * struct pt_regs an interrupt from user mode leaves (include/asm/ptrace.h), with the
 * system-call number in the error-code slot (Linux calls it orig_rax) and rax = -ENOSYS,
 * and do_syscall_64(regs) in C does the rest.
 *
 * Out: sysret when the saved registers allow it (the common case: RIP and RFLAGS as
 * syscall left them in rcx/r11, RIP a canonical user address, no trap flag), else iretq,
 * which restores everything exactly (a signal, exec or ptrace-like change of the frame).
 * sysret to a non-canonical RIP would fault in ring 0 with the user's stack: the RIP
 * check is what makes sysret safe. Both paths swapgs back last.
 *
 * Processes start here too: ret_from_fork (a forked child's first switch_to returns into
 * it) and start_user (exec from a kernel thread) leave through ret_to_user.
 */
#include <asm/segment.h>
#include <kernel/percpu.h>

/* struct pt_regs offsets (include/asm/ptrace.h). */
#define R11		48
#define RCX		88
#define RIP		136
#define CS		144
#define RFLAGS		152
#define SS		168

#define SYSCALL_VECTOR	0x100	/* pt_regs.vector of a frame the syscall entry built */
#define ENOSYS		38
#define X86_EFLAGS_TF	0x100
#define X86_EFLAGS_RF	0x10000
#define TASK_SIZE_MAX	0x00007ffffffff000	/* user addresses are below; all canonical */

	.text
	.globl entry_SYSCALL_64
	.type entry_SYSCALL_64, @function
entry_SYSCALL_64:
	swapgs
	movq	%rsp, %gs:CPU_USER_RSP
	movq	%gs:CPU_TOP_OF_STACK, %rsp
	pushq	$(GDT_USER_DS | 3)	/* ss */
	pushq	%gs:CPU_USER_RSP	/* rsp */
	pushq	%r11			/* rflags */
	pushq	$(GDT_USER_CS | 3)	/* cs */
	pushq	%rcx			/* rip */
	pushq	%rax			/* error code slot: the system-call number */
	pushq	$SYSCALL_VECTOR
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	$-ENOSYS		/* rax: the result, unless a call sets one */
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
	xorl	%ebp, %ebp		/* a backtrace ends here */
	movq	%rsp, %rdi
	call	do_syscall_64		/* returns with interrupts off */

	/* sysret restores RIP from rcx and RFLAGS from r11: only if that is the frame. */
	movq	RCX(%rsp), %rcx
	cmpq	%rcx, RIP(%rsp)
	jne	ret_to_user
	movabsq	$TASK_SIZE_MAX, %r11
	cmpq	%r11, %rcx
	jae	ret_to_user
	movq	R11(%rsp), %r11
	cmpq	%r11, RFLAGS(%rsp)
	jne	ret_to_user
	testq	$(X86_EFLAGS_TF | X86_EFLAGS_RF), %r11
	jnz	ret_to_user
	cmpq	$(GDT_USER_CS | 3), CS(%rsp)
	jne	ret_to_user
	cmpq	$(GDT_USER_DS | 3), SS(%rsp)
	jne	ret_to_user
	popq	%r15
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
	movq	40(%rsp), %rsp		/* past vector, error code, rip, cs, rflags: the user rsp */
	swapgs
	sysretq
	.size entry_SYSCALL_64, . - entry_SYSCALL_64

/* Leave to user mode through iretq from the pt_regs at %rsp; interrupts off. */
	.globl ret_to_user
	.type ret_to_user, @function
ret_to_user:
	popq	%r15
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
	swapgs
	iretq
	.size ret_to_user, . - ret_to_user

/*
 * A forked child's first return from switch_to (kernel/fork.c: copy_thread_user put this
 * address above its switch frame, and the child's pt_regs above that): finish the switch,
 * do the work due before user mode, and leave with the copied registers (rax = 0).
 */
	.globl ret_from_fork
	.type ret_from_fork, @function
ret_from_fork:
	movq	%rax, %rdi
	call	schedule_tail
	movq	%rsp, %rdi
	call	syscall_exit_to_user_mode
	jmp	ret_to_user
	.size ret_from_fork, . - ret_from_fork

/*
 * start_user(regs): a kernel thread that exec'd becomes a user process: its kernel
 * frames are abandoned (the next entry from user mode starts at the stack top again).
 * Called with interrupts off.
 */
	.globl start_user
	.type start_user, @function
start_user:
	movq	%rdi, %rsp
	jmp	ret_to_user
	.size start_user, . - start_user
