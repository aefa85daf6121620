/*
 * Wait queues (include/sched/wait.h explains the protocol). The queue's own spinlock
 * guards its list; waking runs each entry's function with that lock held, so a wake
 * function must not sleep (try_to_wake_up does not). Safe from interrupt handlers: the
 * lock disables interrupts.
 */
#include <sched/wait.h>

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	e->flags &= ~WQ_FLAG_EXCLUSIVE;
	list_add(&e->entry, &wq->head);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	e->flags |= WQ_FLAG_EXCLUSIVE;
	list_add_tail(&e->entry, &wq->head);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	list_del(&e->entry);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/*
 * Non-exclusive waiters go first (at the head), exclusive ones last in arrival order,
 * so wake_up() can stop after the first exclusive one and still have woken everyone else.
 */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, int state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	e->flags &= ~WQ_FLAG_EXCLUSIVE;
	if (list_empty(&e->entry))
		list_add(&e->entry, &wq->head);
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e, int state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	e->flags |= WQ_FLAG_EXCLUSIVE;
	if (list_empty(&e->entry))
		list_add_tail(&e->entry, &wq->head);
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags;

	__set_current_state(TASK_RUNNING);
	/* An autoremove wakeup may have unlinked it already; then no lock is needed. */
	if (list_empty(&e->entry))
		return;
	flags = spin_lock_irqsave(&wq->lock);
	list_del(&e->entry);
	spin_unlock_irqrestore(&wq->lock, flags);
}

int default_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	(void)flags;
	(void)key;
	return wake_up_state(e->private, mode);
}

int autoremove_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	int woken = default_wake_function(e, mode, flags, key);

	if (woken)
		list_del(&e->entry);
	return woken;
}

static void wake_up_common(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive,
			   void *key)
{
	struct wait_queue_entry *e, *next;

	list_for_each_entry_safe(e, next, &wq->head, entry) {
		unsigned int eflags = e->flags;	/* the function may unlink and end @e */
		int woken = e->func(e, mode, 0, key);

		if (woken && (eflags & WQ_FLAG_EXCLUSIVE) && !--nr_exclusive)
			break;
	}
}

void __wake_up(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive, void *key)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	wake_up_common(wq, mode, nr_exclusive, key);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void __wake_up_locked(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive)
{
	wake_up_common(wq, mode, nr_exclusive, NULL);
}
