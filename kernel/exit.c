/*
 * The end of a task. do_exit() records the exit code, takes the task off the task list
 * (so `ps` and pid lookups no longer see it), tells a waiting kthread_stop(), and
 * switches away for the last time in TASK_DEAD; the task switched to then drops the
 * dead task's own reference, which frees its stack and task_struct unless someone still
 * holds one (kthread_stop does, until it has read the exit code).
 * The idle task and init (pid 1) must never exit: that is a panic, as on Linux.
 */
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <sched/task.h>

void do_exit(int code)
{
	struct task_struct *tsk = current;

	if (tsk->flags & PF_IDLE)
		panic("Attempted to kill the idle task!");
	if (tsk->pid == 1)
		panic("Attempted to kill init! exitcode=0x%08x", code);
	if (in_atomic()) {
		pr_err("BUG: %s/%d exits in atomic context (preempt_count 0x%08x)\n", tsk->comm,
		       tsk->pid, preempt_count());
		preempt_count_sub(preempt_count());
	}
	tsk->exit_code = code;
	unhash_task(tsk);
	kthread_exit_notify(tsk);
	preempt_disable();	/* as schedule() would: the count every switch expects */
	do_task_dead();
}
