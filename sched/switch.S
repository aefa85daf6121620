/*
 * The context switch: the only place where one task's kernel stack is swapped for
 * another's. switch_to(prev, next) saves the registers the C ABI says a call preserves
 * (rbx, rbp, r12-r15) on prev's stack, stores prev's stack pointer in prev->thread.rsp,
 * loads next's and pops next's registers: the "ret" then returns into whatever call of
 * switch_to next made when it last ran. Caller-saved registers need no saving (the C
 * caller assumes the call clobbers them), and the kernel uses no FPU/SSE registers
 * (-mgeneral-regs-only), so there is nothing else. It returns prev in rax, so the task
 * switched to learns which task ran before it (finish_task_switch needs that).
 * Interrupts are off throughout (sched/core.c: __schedule).
 */
	.text
	.globl switch_to
	.type switch_to, @function
switch_to:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, 0(%rdi)		/* prev->thread.rsp */
	movq	0(%rsi), %rsp		/* next->thread.rsp: from here on we are on next's stack */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movq	%rdi, %rax		/* the task we came from */
	ret
	.size switch_to, . - switch_to

/*
 * A new task's first "return" from switch_to lands here (sched/core.c: copy_thread put
 * this address and the registers on its stack): finish the switch (release the run-queue
 * lock, enable interrupts and preemption), call fn(arg) from r12/r13, and exit with its
 * return value. rbp is 0, so a backtrace ends here.
 */
	.globl ret_from_kthread
	.type ret_from_kthread, @function
ret_from_kthread:
	movq	%rax, %rdi
	call	schedule_tail
	movq	%r13, %rdi
	call	*%r12
	movl	%eax, %edi
	call	do_exit
	ud2
	.size ret_from_kthread, . - ret_from_kthread
