/*
 * The end of a task. do_exit() records the exit code, takes the task off the task list
 * (so `ps` and pid lookups no longer see it), tells a waiting kthread_stop(), and
 * switches away for the last time in TASK_DEAD; the task switched to then drops the
 * dead task's own reference, which frees its stack and task_struct unless someone still
 * holds one (kthread_stop does, until it has read the exit code).
 * A user process (a task with signals) ends differently: do_group_exit() frees its
 * address space and files at once, gives its children to init, and stays on the task
 * list as a zombie (`ps` shows Z) holding only its exit status and usage, until its
 * parent reaps it with wait4(). A parent that is a kernel thread other than a waiter in
 * kernel_wait4 never reaps: orphans whose new parent (pid 1) is the kernel shell are
 * reaped at once when they exit ("autoreap", as for a parent that ignores SIGCHLD).
 * The idle task and init (pid 1) must never exit: that is a panic, as on Linux.
 */
#include <asm/uaccess.h>
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <lib/errno.h>
#include <mm/mmu_context.h>
#include <sched/task.h>
#include <sched/wait.h>

/* Parents sleep here in wait4 until some child exits; each rechecks its own children. */
static DECLARE_WAIT_QUEUE_HEAD(child_exit_wq);

static void check_exit_allowed(struct task_struct *tsk, int code)
{
	if (tsk->flags & PF_IDLE)
		panic("Attempted to kill the idle task!");
	if (tsk->pid == 1)
		panic("Attempted to kill init! exitcode=0x%08x", code);
	if (in_atomic()) {
		pr_err("BUG: %s/%d exits in atomic context (preempt_count 0x%08x)\n", tsk->comm,
		       tsk->pid, preempt_count());
		preempt_count_sub(preempt_count());
	}
}

void do_exit(int code)
{
	struct task_struct *tsk = current;

	if (tsk->signal)
		do_group_exit((code & 0xff) << 8);
	check_exit_allowed(tsk, code);
	tsk->exit_code = code;
	unhash_task(tsk);
	kthread_exit_notify(tsk);
	preempt_disable();	/* as schedule() would: the count every switch expects */
	do_task_dead();
}

/* A zombie leaves: off the lists, its usage added to the parent's; tasklist_lock held. */
static void release_task_locked(struct task_struct *p)
{
	struct task_struct *parent = p->parent;

	if (parent) {
		parent->cmin_flt += p->min_flt + p->cmin_flt;
		parent->cmaj_flt += p->maj_flt + p->cmaj_flt;
		parent->cruntime_ns += p->se.sum_exec_runtime + p->cruntime_ns;
		if (p->maxrss_pages > parent->cmaxrss_pages)
			parent->cmaxrss_pages = p->maxrss_pages;
	}
	list_del(&p->sibling);
	INIT_LIST_HEAD(&p->sibling);
	list_del(&p->tasks);
	p->exit_state = EXIT_DEAD;
	nr_user_processes--;
}

/*
 * Does anyone reap @p? A user parent always; a kernel parent only if it started @p to
 * wait for it (kernel_spawn, exit_signal set); orphans given to a kernel init never.
 */
static bool parent_reaps(const struct task_struct *p)
{
	return p->parent && (p->parent->signal || p->exit_signal > 0);
}

/* Give @tsk's children to init; tasklist_lock held. Zombies nobody will reap go now. */
static void forget_original_parent(struct task_struct *tsk, struct list_head *dead)
{
	struct task_struct *init = find_task_by_pid(1), *c, *n;

	list_for_each_entry_safe(c, n, &tsk->children, sibling) {
		list_del(&c->sibling);
		c->parent = init;
		if (init && !init->signal)
			c->exit_signal = 0;	/* the kernel's init does not reap */
		if (init)
			list_add_tail(&c->sibling, &init->children);
		else
			INIT_LIST_HEAD(&c->sibling);
		if (c->exit_state == EXIT_ZOMBIE && !parent_reaps(c)) {
			release_task_locked(c);
			list_add(&c->sibling, dead);
		}
	}
}

void do_group_exit(int code)
{
	struct task_struct *tsk = current, *c, *n;
	struct mm_struct *mm = tsk->mm;
	struct list_head dead = LIST_HEAD_INIT(dead);
	unsigned long flags;
	bool autoreap;

	check_exit_allowed(tsk, code);
	tsk->exit_code = code;
	if (mm) {
		tsk->maxrss_pages = mm->hiwater_rss;
		flags = local_irq_save();
		tsk->mm = NULL;
		switch_mm(&init_mm);
		tsk->active_mm = &init_mm;
		local_irq_restore(flags);
		vfork_release(tsk);	/* a vfork parent may run again */
		mmput(mm);
	}
	process_exit_files(tsk);

	flags = spin_lock_irqsave(&tasklist_lock);
	forget_original_parent(tsk, &dead);
	autoreap = !parent_reaps(tsk);
	if (autoreap) {
		release_task_locked(tsk);
	} else {
		tsk->exit_state = EXIT_ZOMBIE;
		get_task_struct(tsk);	/* the zombie's: dropped when it is reaped */
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	list_for_each_entry_safe(c, n, &dead, sibling)
		put_task_struct(c);
	if (!autoreap && tsk->parent->signal && tsk->exit_signal)
		send_signal(tsk->parent, tsk->exit_signal);
	wake_up_all(&child_exit_wq);
	kthread_exit_notify(tsk);
	preempt_disable();
	do_task_dead();
}

long __x64_sys_exit(const struct pt_regs *regs)
{
	do_group_exit((int)(regs->rdi & 0xff) << 8);
}

long __x64_sys_exit_group(const struct pt_regs *regs)
{
	do_group_exit((int)(regs->rdi & 0xff) << 8);
}

/* ---- wait4 ----------------------------------------------------------------------------- */

#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002
#define WCONTINUED	0x00000008
#define __WALL		0x40000000
#define __WCLONE	0x80000000

/*
 * One look at the caller's children for @pid (-1 or 0: any): 0 if some match but none
 * has exited, -ECHILD if none matches, else the reaped child's pid with *status and *ru.
 */
static int reap_one(int pid, int *status, struct rusage *ru)
{
	struct task_struct *c, *zombie = NULL;
	unsigned long flags;
	bool any = false;
	int ret;

	flags = spin_lock_irqsave(&tasklist_lock);
	list_for_each_entry(c, &current->children, sibling) {
		if (pid > 0 && c->pid != pid)
			continue;
		any = true;
		if (c->exit_state == EXIT_ZOMBIE) {
			zombie = c;
			break;
		}
	}
	if (zombie) {
		*status = zombie->exit_code;
		if (ru)
			fill_rusage(zombie, false, ru);
		ret = zombie->pid;
		release_task_locked(zombie);
	} else {
		ret = any ? 0 : -ECHILD;
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	if (zombie)
		put_task_struct(zombie);
	return ret;
}

static long do_wait(int pid, int *status, int options, struct rusage *ru)
{
	struct wait_queue_entry wait;
	long ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE))
		return -EINVAL;
	init_waitqueue_entry(&wait, current);
	add_wait_queue(&child_exit_wq, &wait);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		ret = reap_one(pid, status, ru);
		if (ret || (options & WNOHANG))
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	remove_wait_queue(&child_exit_wq, &wait);
	return ret;
}

/* wait4(pid, int *wstatus, options, struct rusage *ru) */
long __x64_sys_wait4(const struct pt_regs *regs)
{
	int pid = (int)regs->rdi, status = 0;
	int __user *ustatus = (int __user *)regs->rsi;
	struct rusage ru, __user *uru = (struct rusage __user *)regs->r10;
	long ret;

	if (pid < -1)
		pid = -1;	/* process groups: there is one, so "any child" */
	ret = do_wait(pid, &status, (int)regs->rdx, uru ? &ru : NULL);
	if (ret <= 0)
		return ret;
	if (ustatus && put_user(status, ustatus))
		return -EFAULT;
	if (uru && copy_to_user(uru, &ru, sizeof(ru)))
		return -EFAULT;
	return ret;
}

int kernel_wait4(int pid, int *status)
{
	return (int)do_wait(pid, status, 0, NULL);
}
