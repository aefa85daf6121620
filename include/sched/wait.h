/*
 * Wait queues (sched/wait.c): how a task sleeps until something happens and how whoever
 * makes it happen wakes it. A wait queue head is a locked list of entries; a sleeper
 * puts an entry naming itself on the list, sets its state, tests its condition and calls
 * schedule() if the condition is still false; a waker makes the condition true and calls
 * wake_up(), which runs each entry's wake function (normally: wake_up_process its task).
 * Because the state is set before the test, a wakeup between the test and schedule()
 * is not lost: the task is then TASK_RUNNING and schedule() returns at once.
 *
 *	wait_event(wq, done);			sleeper
 *	done = true; wake_up(&wq);		waker (may be an interrupt handler)
 *
 * Exclusive waiters (WQ_FLAG_EXCLUSIVE, added at the tail) are woken one at a time:
 * wake_up() wakes every non-exclusive waiter and the first exclusive one, which is how a
 * completion or a lock wakes exactly one task instead of a thundering herd.
 * No signals exist yet: "interruptible" waits show as S rather than D in ps and end
 * the same way as the others.
 */
#ifndef SCHED_WAIT_H
#define SCHED_WAIT_H

#include <kernel/spinlock.h>
#include <lib/errno.h>
#include <lib/list.h>
#include <sched/task.h>

struct wait_queue_entry;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry, unsigned int mode, int flags,
				 void *key);

#define WQ_FLAG_EXCLUSIVE	0x01

struct wait_queue_entry {
	unsigned int flags;	/* WQ_FLAG_* */
	void *private;		/* the waiting task */
	wait_queue_func_t func;	/* what wake_up() calls for this entry */
	struct list_head entry;
};

struct wait_queue_head {
	spinlock_t lock;
	struct list_head head;
};
typedef struct wait_queue_head wait_queue_head_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(name) { SPINLOCK_INIT, LIST_HEAD_INIT((name).head) }
#define DECLARE_WAIT_QUEUE_HEAD(name) \
	struct wait_queue_head name = __WAIT_QUEUE_HEAD_INITIALIZER(name)

static inline void init_waitqueue_head(struct wait_queue_head *wq)
{
	spin_lock_init(&wq->lock);
	INIT_LIST_HEAD(&wq->head);
}

/* Wake the task; the entry stays queued (its owner removes it). */
int default_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int flags,
			  void *key);
/* Wake the task and take the entry off the queue if it was asleep. */
int autoremove_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int flags,
			     void *key);

#define DEFINE_WAIT_FUNC(name, function) \
	struct wait_queue_entry name = { 0, current, function, LIST_HEAD_INIT((name).entry) }
#define DEFINE_WAIT(name) DEFINE_WAIT_FUNC(name, autoremove_wake_function)

static inline void init_waitqueue_entry(struct wait_queue_entry *e, struct task_struct *p)
{
	e->flags = 0;
	e->private = p;
	e->func = default_wake_function;
	INIT_LIST_HEAD(&e->entry);
}

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
void add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e);
void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);

/* Queue @e (if it is not already) and set the task's @state, under the queue's lock. */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, int state);
void prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e, int state);
/* Back to TASK_RUNNING and off the queue. */
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e);

/*
 * Wake the waiters in @mode's states: all non-exclusive ones and up to @nr_exclusive
 * exclusive ones (0: all). The _locked variant is for callers holding wq->lock.
 */
void __wake_up(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive, void *key);
void __wake_up_locked(struct wait_queue_head *wq, unsigned int mode, int nr_exclusive);

#define wake_up(wq)			__wake_up(wq, TASK_NORMAL, 1, NULL)
#define wake_up_nr(wq, nr)		__wake_up(wq, TASK_NORMAL, nr, NULL)
#define wake_up_all(wq)			__wake_up(wq, TASK_NORMAL, 0, NULL)
#define wake_up_interruptible(wq)	__wake_up(wq, TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_interruptible_all(wq)	__wake_up(wq, TASK_INTERRUPTIBLE, 0, NULL)

static inline bool waitqueue_active(struct wait_queue_head *wq) { return !list_empty(&wq->head); }

/*
 * Sleep in @state until @cond is true or @timeout jiffies passed (MAX_SCHEDULE_TIMEOUT:
 * no limit). Evaluates to the jiffies left, at least 1, if @cond became true, else 0.
 * A macro because @cond must be evaluated again after every wakeup; it is evaluated
 * until it is true and never after that, so it may consume what it tests for.
 */
#define ___wait_event(wq, cond, state, timeout) ({                                   \
	long __left = (timeout);                                                      \
	bool __done = false;                                                          \
	DEFINE_WAIT(__wait);                                                          \
	for (;;) {                                                                    \
		prepare_to_wait(wq, &__wait, state);                                  \
		if (cond) {                                                           \
			__done = true;                                                \
			break;                                                        \
		}                                                                     \
		if (!__left)                                                          \
			break;                                                        \
		__left = schedule_timeout(__left);                                    \
	}                                                                             \
	finish_wait(wq, &__wait);                                                     \
	__done ? (__left ? __left : 1) : 0;                                           \
})

#define wait_event(wq, cond) do {                                                     \
	if (!(cond))                                                                  \
		(void)___wait_event(&(wq), cond, TASK_UNINTERRUPTIBLE,                \
				    MAX_SCHEDULE_TIMEOUT);                            \
} while (0)

bool signal_pending(const struct task_struct *p);	/* kernel/signal.c */

/*
 * 0 when @cond is true, -EINTR when a signal came first (a process's read of the console
 * ends so that the signal can act; kernel threads have no signals and just wait).
 */
#define wait_event_interruptible(wq, cond) ({                                         \
	int __intr = 0;                                                               \
	if (!(cond)) {                                                                \
		DEFINE_WAIT(__wait);                                                  \
		for (;;) {                                                            \
			prepare_to_wait(&(wq), &__wait, TASK_INTERRUPTIBLE);          \
			if (cond)                                                     \
				break;                                                \
			if (signal_pending(current)) {                                \
				__intr = -EINTR;                                      \
				break;                                                \
			}                                                             \
			schedule();                                                   \
		}                                                                     \
		finish_wait(&(wq), &__wait);                                          \
	}                                                                             \
	__intr;                                                                       \
})

/* The jiffies left (>= 1) if @cond became true, 0 if the time ran out. */
#define wait_event_timeout(wq, cond, timeout)                                         \
	((cond) ? (long)((timeout) ? (timeout) : 1)                                   \
		: ___wait_event(&(wq), cond, TASK_UNINTERRUPTIBLE, timeout))

/* The same, sleeping as S rather than D (a task waiting for input, not for the disk). */
#define wait_event_interruptible_timeout(wq, cond, timeout)                           \
	((cond) ? (long)((timeout) ? (timeout) : 1)                                   \
		: ___wait_event(&(wq), cond, TASK_INTERRUPTIBLE, timeout))

#endif
