/*
 * Work items: a function to run later in process context, queued from anywhere but an NMI
 * (an interrupt handler included), as Linux's schedule_work() onto the system workqueue.
 * One kernel thread per CPU, "kworker/N", runs the queued items in the order they were
 * queued; it sleeps while the queue is empty. An item is queued at most once at a time:
 * queueing it again before it ran does nothing (and returns false), as on Linux, so the
 * function must do all the work waiting at the moment it runs. kernel/workqueue.c.
 */
#ifndef KERNEL_WORKQUEUE_H
#define KERNEL_WORKQUEUE_H

#include <lib/list.h>
#include <kernel/compiler.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	struct list_head entry;	/* on the queue while pending */
	work_func_t func;
	bool pending;		/* queued and not yet started */
};

#define __WORK_INITIALIZER(n, f) { .entry = LIST_HEAD_INIT((n).entry), .func = (f) }
#define DECLARE_WORK(n, f) struct work_struct n = __WORK_INITIALIZER(n, f)

static inline void INIT_WORK(struct work_struct *work, work_func_t func)
{
	INIT_LIST_HEAD(&work->entry);
	work->func = func;
	work->pending = false;
}

/* Queue @work for the worker thread; false if it was pending already. Interrupt-safe. */
bool schedule_work(struct work_struct *work);
/* Sleep until everything queued before this call has run (process context only). */
void flush_scheduled_work(void);
/* Start the worker thread: once the scheduler runs, before anything queues work. */
void workqueue_init(void);

#endif
