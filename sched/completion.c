/*
 * Completions (include/sched/completion.h): a count of events and a wait queue. Waiters
 * queue exclusively at the tail, so complete() wakes the longest waiter and only it;
 * the woken waiter consumes one event under the queue's lock, so two waiters can never
 * both take the same one.
 */
#include <sched/completion.h>

#define COMPLETE_ALL	(~0u)

void complete(struct completion *x)
{
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);

	if (x->done != COMPLETE_ALL)
		x->done++;
	__wake_up_locked(&x->wait, TASK_NORMAL, 1);
	spin_unlock_irqrestore(&x->wait.lock, flags);
}

void complete_all(struct completion *x)
{
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);

	x->done = COMPLETE_ALL;
	__wake_up_locked(&x->wait, TASK_NORMAL, 0);
	spin_unlock_irqrestore(&x->wait.lock, flags);
}

/* Sleep in @state until an event arrives or @timeout jiffies passed; jiffies left or 0. */
static long wait_common(struct completion *x, long timeout, int state)
{
	struct wait_queue_entry wait;
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);

	if (!x->done) {
		init_waitqueue_entry(&wait, current);
		wait.flags = WQ_FLAG_EXCLUSIVE;
		list_add_tail(&wait.entry, &x->wait.head);
		do {
			set_current_state(state);
			spin_unlock_irqrestore(&x->wait.lock, flags);
			timeout = schedule_timeout(timeout);
			flags = spin_lock_irqsave(&x->wait.lock);
		} while (!x->done && timeout);
		list_del(&wait.entry);
		__set_current_state(TASK_RUNNING);
		if (!x->done) {
			spin_unlock_irqrestore(&x->wait.lock, flags);
			return 0;
		}
	}
	if (x->done != COMPLETE_ALL)
		x->done--;
	spin_unlock_irqrestore(&x->wait.lock, flags);
	return timeout ? timeout : 1;
}

void wait_for_completion(struct completion *x)
{
	wait_common(x, MAX_SCHEDULE_TIMEOUT, TASK_UNINTERRUPTIBLE);
}

unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
{
	return wait_common(x, timeout, TASK_UNINTERRUPTIBLE);
}

int wait_for_completion_interruptible(struct completion *x)
{
	wait_common(x, MAX_SCHEDULE_TIMEOUT, TASK_INTERRUPTIBLE);
	return 0;
}

bool try_wait_for_completion(struct completion *x)
{
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);
	bool ok = x->done != 0;

	if (ok && x->done != COMPLETE_ALL)
		x->done--;
	spin_unlock_irqrestore(&x->wait.lock, flags);
	return ok;
}

bool completion_done(struct completion *x)
{
	return READ_ONCE(x->done) != 0;
}
