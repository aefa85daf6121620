/*
 * Kernel threads: a task that runs one kernel function on its own stack, created
 * stopped (TASK_NEW) so its creator can set it up (name, policy) before
 * wake_up_process() lets it run, and stopped again by kthread_stop(), which waits for
 * it to exit and returns its exit code. The stop is a request the thread must honour:
 * its loop tests kthread_should_stop() between units of work, and any sleep it is in
 * ends because kthread_stop() wakes it.
 * Unlike Linux there is no kthreadd: kthread_create() makes the task directly (one CPU,
 * no cgroups or credentials to inherit), so the creator needs no wait for a helper.
 */
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <kernel/oops.h>
#include <mm/mmu_context.h>
#include <mm/slab.h>
#include <sched/completion.h>
#include <sched/task.h>
#include <stdarg.h>

struct kthread {
	int (*threadfn)(void *data);
	void *data;
	bool should_stop;		/* set by kthread_stop */
	struct completion exited;	/* completed by do_exit */
};

/* The body of every kernel thread (ret_from_kthread calls it on the new stack). */
static int kthread(void *arg)
{
	struct kthread *self = arg;
	int ret = -EINTR;

	/* Stopped before it ever ran: do not start the work at all, as Linux. */
	if (!READ_ONCE(self->should_stop))
		ret = self->threadfn(self->data);
	do_exit(ret);
}

struct task_struct *kthread_create(int (*fn)(void *data), void *data, const char *fmt, ...)
{
	struct kthread *kt = kzalloc(sizeof(*kt), GFP_KERNEL);
	struct task_struct *p;
	char name[TASK_COMM_LEN];
	va_list ap;

	if (!kt)
		return NULL;
	kt->threadfn = fn;
	kt->data = data;
	init_completion(&kt->exited);
	va_start(ap, fmt);
	vscnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	p = create_task(kthread, kt, name);
	if (!p) {
		kfree(kt);
		return NULL;
	}
	p->kthread = kt;	/* freed with the task (kernel/fork.c: free_task) */
	return p;
}

bool kthread_should_stop(void)
{
	struct kthread *kt = current->kthread;

	return kt && READ_ONCE(kt->should_stop);
}

int kthread_stop(struct task_struct *k)
{
	struct kthread *kt = k->kthread;
	int ret;

	if (!kt) {
		pr_err("kthread_stop: %s/%d is not a kernel thread made by kthread_create\n",
		       k->comm, k->pid);
		return -EINVAL;
	}
	if (k == current) {
		pr_err("kthread_stop: %s/%d cannot wait for itself to exit\n", k->comm, k->pid);
		return -EDEADLK;
	}
	get_task_struct(k);	/* it must not be freed while we read its exit code */
	WRITE_ONCE(kt->should_stop, true);
	sched_cont_task(k);	/* a stopped thread could never see the request */
	wake_up_process(k);
	wait_for_completion(&kt->exited);
	ret = k->exit_code;
	put_task_struct(k);
	return ret;
}

void kthread_exit_notify(struct task_struct *p)
{
	if (p->kthread)
		complete_all(&p->kthread->exited);
}

/*
 * Let the running kernel thread work in the user half of @mm (Linux's kthread_use_mm):
 * it becomes the thread's own mm, so the scheduler reloads it whenever the thread runs
 * again, and it is loaded now. Demos and tests build address spaces this way.
 */
void kthread_use_mm(struct mm_struct *mm)
{
	unsigned long flags = local_irq_save();

	current->mm = mm;
	switch_mm(mm);
	current->active_mm = mm;
	local_irq_restore(flags);
}

/* Give @mm back: the thread runs on the kernel's own tables again. */
void kthread_unuse_mm(struct mm_struct *mm)
{
	unsigned long flags = local_irq_save();

	WARN_ON(current->mm != mm);
	current->mm = NULL;
	switch_mm(&init_mm);
	current->active_mm = &init_mm;
	local_irq_restore(flags);
}
