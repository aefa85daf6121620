/*
 * Mutexes (include/sched/mutex.h). The state is who owns it and who waits, both under
 * wait_lock. Unlock hands ownership to the oldest waiter before waking it, so no task
 * arriving in between can take the lock first, and waiters are served in FIFO order.
 * A waiter sleeps until it finds itself the owner: any other wakeup (kthread_stop, a
 * stray wake_up_process) sends it back to sleep.
 * Misuse is reported, not fixed: taking a mutex you hold (a deadlock), unlocking one you
 * do not hold, sleeping on one in atomic context.
 */
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <sched/mutex.h>
#include <sched/task.h>

struct mutex_waiter {
	struct list_head list;
	struct task_struct *task;
};

static void mutex_report(struct mutex *m, const char *what)
{
	pr_err("BUG: %s: %s/%d, mutex %s owned by %s/%d\n", what, current->comm, current->pid,
	       m->name, m->owner ? m->owner->comm : "nobody", m->owner ? m->owner->pid : -1);
	dump_stack();
}

void mutex_lock(struct mutex *m)
{
	struct mutex_waiter waiter = { .task = current };
	unsigned long flags;

	if (in_atomic() || irqs_disabled())
		mutex_report(m, "sleeping mutex_lock in atomic context");
	flags = spin_lock_irqsave(&m->wait_lock);
	if (!m->owner) {
		m->owner = current;
		spin_unlock_irqrestore(&m->wait_lock, flags);
		return;
	}
	if (m->owner == current)
		mutex_report(m, "recursive mutex_lock will deadlock");
	list_add_tail(&waiter.list, &m->wait_list);
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (m->owner == current)	/* handed over by mutex_unlock */
			break;
		spin_unlock_irqrestore(&m->wait_lock, flags);
		schedule();
		flags = spin_lock_irqsave(&m->wait_lock);
	}
	__set_current_state(TASK_RUNNING);
	spin_unlock_irqrestore(&m->wait_lock, flags);
}

int mutex_trylock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->wait_lock);
	int taken = m->owner == NULL;

	if (taken)
		m->owner = current;
	spin_unlock_irqrestore(&m->wait_lock, flags);
	return taken;
}

void mutex_unlock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->wait_lock);
	struct mutex_waiter *next;

	if (m->owner != current) {
		spin_unlock_irqrestore(&m->wait_lock, flags);
		mutex_report(m, "mutex_unlock by a task that does not own it");
		return;
	}
	if (list_empty(&m->wait_list)) {
		m->owner = NULL;
	} else {
		next = list_first_entry(&m->wait_list, struct mutex_waiter, list);
		list_del(&next->list);
		m->owner = next->task;
		wake_up_process(next->task);
	}
	spin_unlock_irqrestore(&m->wait_lock, flags);
}
