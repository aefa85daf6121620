/*
 * Sleeping locks (sched/mutex.c). A task that finds the mutex taken sleeps instead of
 * spinning, so a mutex may be held across anything that sleeps (msleep, allocation,
 * waiting for a completion), which a spinlock may not. Only the owner may unlock it,
 * and it is not recursive. Waiters get it strictly in arrival order: the unlocking task
 * hands it straight to the first waiter (Linux hands over only to a waiter that has
 * starved; plain FIFO is easier to reason about). No priority inheritance: a low-priority
 * owner can hold up a high-priority waiter (priority inversion, see docs/sched.md).
 * Never take a mutex in an interrupt handler.
 */
#ifndef SCHED_MUTEX_H
#define SCHED_MUTEX_H

#include <kernel/spinlock.h>
#include <lib/list.h>

struct task_struct;

struct mutex {
	spinlock_t wait_lock;		/* guards owner and wait_list */
	struct task_struct *owner;	/* NULL when free */
	struct list_head wait_list;	/* struct mutex_waiter, oldest first */
	const char *name;		/* for reports */
};

#define __MUTEX_INITIALIZER(lockname) \
	{ SPINLOCK_INIT, NULL, LIST_HEAD_INIT((lockname).wait_list), #lockname }
#define DEFINE_MUTEX(name) struct mutex name = __MUTEX_INITIALIZER(name)

static inline void mutex_init(struct mutex *m)
{
	spin_lock_init(&m->wait_lock);
	m->owner = NULL;
	INIT_LIST_HEAD(&m->wait_list);
	m->name = "mutex";
}

void mutex_lock(struct mutex *m);
int mutex_trylock(struct mutex *m);	/* 1 if taken, 0 if someone holds it */
void mutex_unlock(struct mutex *m);

static inline bool mutex_is_locked(struct mutex *m) { return READ_ONCE(m->owner) != NULL; }

#endif
