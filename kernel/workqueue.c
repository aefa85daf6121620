/*
 * The system workqueue (include/kernel/workqueue.h): deferred work in process context.
 *
 * An interrupt handler may not sleep, take a mutex or free memory that needs a TLB flush,
 * so it queues a work item instead and the worker thread does the job soon after, as a
 * kernel thread that may sleep. vfree() from an interrupt handler is the first user.
 * The queue is a list under a spinlock taken with interrupts off (a handler may queue
 * while the worker holds it on the same CPU); the worker takes one item at a time and
 * runs it with the lock dropped, so an item may queue more work, itself too.
 * Invariant: an item is on the queue exactly while its pending flag is set.
 * One worker for the one CPU today; SMP (issue 11) gives each CPU its own.
 */
#define pr_fmt(fmt) "workqueue: " fmt

#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/workqueue.h>
#include <sched/completion.h>
#include <sched/task.h>
#include <sched/wait.h>

static struct list_head worklist = LIST_HEAD_INIT(worklist);
static DEFINE_SPINLOCK(worklist_lock);
static DECLARE_WAIT_QUEUE_HEAD(worker_wait);
static struct task_struct *worker;

bool schedule_work(struct work_struct *work)
{
	unsigned long flags = spin_lock_irqsave(&worklist_lock);
	bool queued = !work->pending;

	if (queued) {
		work->pending = true;
		list_add_tail(&work->entry, &worklist);
	}
	spin_unlock_irqrestore(&worklist_lock, flags);
	if (queued)
		wake_up(&worker_wait);
	return queued;
}

static bool work_waiting(void)
{
	return !list_empty(&worklist);	/* a racy peek; run_pending takes the lock */
}

/* Run the queue empty, oldest first, with the lock dropped around each function. */
static void run_pending(void)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&worklist_lock);
		struct work_struct *work = NULL;

		if (!list_empty(&worklist)) {
			work = list_first_entry(&worklist, struct work_struct, entry);
			list_del(&work->entry);
			work->pending = false;	/* from here it may be queued again, even by itself */
		}
		spin_unlock_irqrestore(&worklist_lock, flags);
		if (!work)
			return;
		work->func(work);
	}
}

static int worker_thread(void *unused)
{
	(void)unused;
	for (;;) {
		/* Interruptible: an idle worker is S in ps, not D, and adds no load. */
		wait_event_interruptible(worker_wait, work_waiting());
		run_pending();
	}
	return 0;
}

/* A barrier: an item that completes when the worker reaches it, after all older ones. */
struct wq_barrier {
	struct work_struct work;
	struct completion done;
};

static void barrier_func(struct work_struct *work)
{
	complete(&container_of(work, struct wq_barrier, work)->done);
}

void flush_scheduled_work(void)
{
	struct wq_barrier barrier;

	if (!worker)
		return;
	INIT_WORK(&barrier.work, barrier_func);
	init_completion(&barrier.done);
	schedule_work(&barrier.work);
	wait_for_completion(&barrier.done);
}

void workqueue_init(void)
{
	worker = kthread_run(worker_thread, NULL, "kworker/0");
	if (!worker)
		pr_err("cannot start kworker/0: deferred work waits for its next user\n");
}
