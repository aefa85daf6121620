/*
 * Groups of kernel threads for the scheduling demos and tests (sched/workers.c): create
 * them with a policy and priority, start them all at once, join them. "At once" matters:
 * they are all queued, in order, before any of them runs, so what happens next is the
 * scheduler's choice and not the order of creation.
 */
#ifndef SCHED_WORKERS_H
#define SCHED_WORKERS_H

#include <sched/task.h>

/*
 * A new thread running @fn(@data), named @name, with @policy and @param (the rt_priority
 * 1..99 for SCHED_FIFO/RR, the nice level otherwise); not started. It holds a reference
 * for worker_join(), so it may exit on its own. NULL without memory.
 */
struct task_struct *worker_create(int (*fn)(void *), void *data, const char *name, int policy,
				  int param);

/* Wake @n workers (NULLs skipped) in order, with preemption off until all are queued. */
void workers_start(struct task_struct **w, unsigned int n);

/*
 * kthread_stop, then wait until the thread has left the CPU for good (its last steps run
 * after the join's wakeup), so its CPU time is final: returns its exit code (NULL: 0).
 * Keeps the reference; worker_put() drops it.
 */
int worker_stop(struct task_struct *w);
void worker_put(struct task_struct *w);

/* worker_stop and worker_put. */
int worker_join(struct task_struct *w);
/*
 * Wait (sleeping) until @w has returned by itself, then worker_join it. For workers that
 * end on their own: a stop request before a worker woken on another CPU first ran would
 * keep its function from running at all (kthread_stop's rule, as Linux's).
 */
int worker_wait(struct task_struct *w);
void workers_join(struct task_struct **w, unsigned int n);

#endif
