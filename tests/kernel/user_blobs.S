/*
 * Tiny user programs for tests/kernel/test_user.c, position-independent machine code that
 * the test copies into a fresh address space and runs in ring 3. Each ends in exit_group
 * with a code the test checks (or dies of the signal the test expects). Between
 * blob_NAME and blob_NAME_end; system-call numbers are Linux's x86_64 ones.
 */
#define SYS_sched_yield	24
#define SYS_getpid	39
#define SYS_fork	57
#define SYS_wait4	61
#define SYS_getppid	110
#define SYS_brk		12
#define SYS_clock_gettime 228
#define SYS_exit_group	231
#define SYS_nanosleep	35
#define SYS_kill	62

#define BLOB(name)	.globl blob_##name, blob_##name##_end; blob_##name:
#define END(name)	blob_##name##_end:

	.text
	.code64

/* exit_group(42), through sysret's way in and out. */
BLOB(exit42)
	movl	$SYS_exit_group, %eax
	movl	$42, %edi
	syscall
	ud2
END(exit42)

/* A NULL dereference: SIGSEGV. */
BLOB(segv)
	xorl	%eax, %eax
	movq	(%rax), %rax
	ud2
END(segv)

/* An invalid opcode: SIGILL. */
BLOB(ud2)
	ud2
END(ud2)

/* Bad pointers to a call that writes: -EFAULT (14) for an unmapped and a kernel address. */
BLOB(efault)
	movl	$SYS_clock_gettime, %eax
	xorl	%edi, %edi
	movq	$0x10000, %rsi			/* unmapped */
	syscall
	movq	%rax, %rbx
	movl	$SYS_clock_gettime, %eax
	xorl	%edi, %edi
	movabsq	$0xffff888000000000, %rsi	/* the direct map: refused before any access */
	syscall
	cmpq	%rax, %rbx
	jne	1f
	movq	%rax, %rdi
	negq	%rdi				/* exit code 14 if both were -EFAULT */
	movl	$SYS_exit_group, %eax
	syscall
1:	movl	$SYS_exit_group, %eax
	movl	$99, %edi
	syscall
END(efault)

/*
 * fork + copy-on-write + wait4: a value on the stack is 1; the child writes 2 and exits
 * with the value it reads (2); the parent yields, reaps the child and exits with
 * 100 + child's exit code + its own value (still 1): 103.
 */
BLOB(fork)
	subq	$16, %rsp
	movq	$1, (%rsp)
	movl	$SYS_fork, %eax
	syscall
	testq	%rax, %rax
	js	2f
	jnz	1f
	movq	$2, (%rsp)			/* the child: its own copy */
	movl	$SYS_exit_group, %eax
	movq	(%rsp), %rdi
	syscall
1:	movq	%rax, %r12			/* the parent: the child's pid */
	movl	$SYS_sched_yield, %eax
	syscall
	movl	$SYS_wait4, %eax
	movq	%r12, %rdi
	leaq	8(%rsp), %rsi			/* int status */
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	cmpq	%rax, %r12
	jne	2f
	movl	8(%rsp), %edi
	shrl	$8, %edi			/* WEXITSTATUS */
	addq	(%rsp), %rdi
	addl	$100, %edi
	movl	$SYS_exit_group, %eax
	syscall
2:	movl	$SYS_exit_group, %eax
	movl	$98, %edi
	syscall
END(fork)

/* brk: grow the heap by two pages, write to both ends, exit 0 (a fault would SIGSEGV). */
BLOB(brk)
	movl	$SYS_brk, %eax
	xorl	%edi, %edi
	syscall
	movq	%rax, %rbx			/* the current break */
	leaq	8192(%rbx), %rdi
	movl	$SYS_brk, %eax
	syscall
	leaq	8192(%rbx), %rcx
	cmpq	%rcx, %rax
	jne	1f
	movb	$1, (%rbx)
	movb	$1, 8191(%rbx)
	movl	$SYS_exit_group, %eax
	xorl	%edi, %edi
	syscall
1:	movl	$SYS_exit_group, %eax
	movl	$97, %edi
	syscall
END(brk)

/* The SSE registers survive a switch to another process: xmm0 holds a value across yields. */
BLOB(fpu)
	movabsq	$0x0123456789abcdef, %rax
	movq	%rax, %xmm0
	movl	$50, %ebx
1:	movl	$SYS_sched_yield, %eax
	syscall
	decl	%ebx
	jnz	1b
	movq	%xmm0, %rcx
	movabsq	$0x0123456789abcdef, %rax
	xorl	%edi, %edi
	cmpq	%rax, %rcx
	je	2f
	movl	$96, %edi
2:	movl	$SYS_exit_group, %eax
	syscall
END(fpu)

/* An unknown system call returns -ENOSYS (38): exit code 38. */
BLOB(enosys)
	movl	$400, %eax
	syscall
	movq	%rax, %rdi
	negq	%rdi
	movl	$SYS_exit_group, %eax
	syscall
END(enosys)

/* Runs beside blob_fpu: zeroes xmm0 between yields; blob_fpu must not see it. */
BLOB(fpu_clobber)
	movl	$50, %ebx
1:	pxor	%xmm0, %xmm0
	movl	$SYS_sched_yield, %eax
	syscall
	decl	%ebx
	jnz	1b
	movl	$SYS_exit_group, %eax
	xorl	%edi, %edi
	syscall
END(fpu_clobber)

/*
 * A bounded fork bomb: fork until fork fails; each child sleeps 10 s (in nanosleep, so
 * SIGKILL must wake it). A failure other than -EAGAIN exits 90. Then kill(-1, SIGKILL)
 * ends every child, wait4 reaps them until -ECHILD (10), and the exit code is the number
 * of children that were made.
 */
BLOB(forkbomb)
	xorl	%r12d, %r12d			/* children made */
1:	movl	$SYS_fork, %eax
	syscall
	testq	%rax, %rax
	jz	3f
	cmpq	$-11, %rax			/* -EAGAIN: the limit */
	je	2f
	testq	%rax, %rax
	js	9f
	incl	%r12d
	jmp	1b
2:	movl	$SYS_kill, %eax
	movq	$-1, %rdi
	movl	$9, %esi			/* SIGKILL */
	syscall
4:	movl	$SYS_wait4, %eax
	movq	$-1, %rdi
	xorl	%esi, %esi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	testq	%rax, %rax
	jns	4b
	cmpq	$-10, %rax			/* -ECHILD: all reaped */
	jne	9f
	movl	%r12d, %edi
	movl	$SYS_exit_group, %eax
	syscall
3:	pushq	$0				/* the child: nanosleep({10, 0}) */
	pushq	$10
	movl	$SYS_nanosleep, %eax
	movq	%rsp, %rdi
	xorl	%esi, %esi
	syscall
	movl	$SYS_exit_group, %eax
	movl	$91, %edi			/* woke up: not killed */
	syscall
9:	movl	$SYS_exit_group, %eax
	movl	$90, %edi
	syscall
END(forkbomb)

/*
 * Signal handlers: SIGUSR1 (sent to itself with kill) and SIGSEGV (a NULL dereference)
 * each run a handler that checks siginfo and edits the interrupted registers in the
 * ucontext (rbx; and rip, to step over the faulting load), then return through the
 * restorer and rt_sigreturn. Exit 0 if both edits arrived; 80-83 name what failed.
 */
#define UC_RBX	(40 + 88)		/* ucontext: uc_mcontext at 40, rbx at 88 in it */
#define UC_RIP	(40 + 128)
BLOB(sighandler)
	subq	$32, %rsp			/* struct sigaction */
	leaq	5f(%rip), %rax
	movq	%rax, 0(%rsp)			/* sa_handler */
	movq	$0x04000004, 8(%rsp)		/* SA_RESTORER | SA_SIGINFO */
	leaq	8f(%rip), %rax
	movq	%rax, 16(%rsp)			/* sa_restorer */
	movq	$0, 24(%rsp)			/* sa_mask */
	movl	$10, %edi			/* SIGUSR1 */
	call	1f
	movl	$11, %edi			/* SIGSEGV */
	call	1f
	xorl	%ebx, %ebx
	movl	$SYS_getpid, %eax
	syscall
	movq	%rax, %rdi
	movl	$10, %esi
	movl	$SYS_kill, %eax
	syscall
	movl	$81, %edi
	cmpq	$77, %rbx
	jne	9f
	xorl	%eax, %eax
	movq	(%rax), %rax			/* SIGSEGV: the handler moves rip to 3f */
	movl	$82, %edi
	jmp	9f
3:	movl	$82, %edi
	cmpq	$78, %rbx
	jne	9f
	xorl	%edi, %edi
	jmp	9f
1:	movl	$13, %eax			/* rt_sigaction(edi, act at 8(%rsp) now, 0, 8) */
	leaq	8(%rsp), %rsi
	xorl	%edx, %edx
	movl	$8, %r10d
	syscall
	testq	%rax, %rax
	jnz	2f
	ret
2:	movl	$80, %edi
	jmp	9f
5:	cmpl	%edi, (%rsi)			/* the handler: si_signo is the signal */
	jne	7f
	cmpl	$11, %edi
	je	6f
	movq	$77, UC_RBX(%rdx)
	ret
6:	cmpq	$0, 16(%rsi)			/* si_addr: the NULL that faulted */
	jne	7f
	leaq	3b(%rip), %rax
	movq	%rax, UC_RIP(%rdx)
	movq	$78, UC_RBX(%rdx)
	ret
7:	movl	$83, %edi
9:	movl	$SYS_exit_group, %eax
	syscall
8:	movl	$15, %eax			/* the restorer: rt_sigreturn */
	syscall
END(sighandler)

/*
 * A SIGCHLD nobody handles is discarded when sent (its default action is to ignore it),
 * so it cannot interrupt a wait for another child: fork child 1 (exits at once) and
 * child 2 (sleeps 20 ms, exits 7), wait4 for child 2 while child 1's SIGCHLD comes, then
 * reap child 1. Exit 0 if wait4 gave child 2 with status 7, 50 + errno if it failed
 * (54: EINTR), 60 if it gave something else, 70 if child 1 was not there to reap.
 */
BLOB(sigchld_wait)
	movl	$SYS_fork, %eax
	syscall
	testq	%rax, %rax
	jz	8f				/* child 1 */
	movl	$SYS_fork, %eax
	syscall
	testq	%rax, %rax
	jz	7f				/* child 2 */
	movq	%rax, %r12
	subq	$16, %rsp
	movl	$SYS_wait4, %eax
	movq	%r12, %rdi
	movq	%rsp, %rsi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	testq	%rax, %rax
	js	5f
	cmpq	%rax, %r12
	jne	6f
	cmpl	$(7 << 8), (%rsp)
	jne	6f
	movl	$SYS_wait4, %eax		/* child 1, a zombie by now */
	movq	$-1, %rdi
	xorl	%esi, %esi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	testq	%rax, %rax
	jle	4f
	movl	$SYS_exit_group, %eax
	xorl	%edi, %edi
	syscall
4:	movl	$SYS_exit_group, %eax
	movl	$70, %edi
	syscall
5:	negq	%rax
	leaq	50(%rax), %rdi
	movl	$SYS_exit_group, %eax
	syscall
6:	movl	$SYS_exit_group, %eax
	movl	$60, %edi
	syscall
7:	pushq	$20000000			/* child 2: nanosleep({0, 20 ms}) */
	pushq	$0
	movl	$SYS_nanosleep, %eax
	movq	%rsp, %rdi
	xorl	%esi, %esi
	syscall
	movl	$SYS_exit_group, %eax
	movl	$7, %edi
	syscall
8:	movl	$SYS_exit_group, %eax
	xorl	%edi, %edi
	syscall
END(sigchld_wait)
