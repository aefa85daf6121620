/*
 * The idle class: the last in sched_classes[], it always has a task to give, the per-CPU
 * idle task rq->idle, which the core runs when no other class has one (its hlt loop is in
 * sched/core.c). The idle task is never queued: it is not counted in any nr_running and
 * enqueueing or dequeueing it, or changing its priority or class, is a kernel bug. Its
 * se.sum_exec_runtime counts the ns the CPU idled, as for any task (ps can show it).
 * docs/sched.md, "The idle task".
 */
#include <kernel/oops.h>
#include <sched/sched.h>

/* Charge the idle task (rq->idle, running) with the ns since it was last charged. */
static void update_curr_idle(struct rq *rq)
{
	struct task_struct *idle = rq->idle;
	uint64_t delta = rq->clock - idle->se.exec_start;

	if (rq->curr != idle || (int64_t)delta <= 0)
		return;
	idle->se.exec_start = rq->clock;
	idle->se.sum_exec_runtime += delta;
}

static void enqueue_task_idle(struct rq *rq, struct task_struct *p, int flags)
{
	(void)rq, (void)flags;
	BUG_ON(p);	/* the idle task is never queued */
}

static void dequeue_task_idle(struct rq *rq, struct task_struct *p, int flags)
{
	(void)rq, (void)flags;
	BUG_ON(p);	/* nor dequeued: it never sleeps */
}

static void yield_task_idle(struct rq *rq)
{
	(void)rq;
}

/* Anything that becomes runnable preempts the idle task. */
static void check_preempt_curr_idle(struct rq *rq, struct task_struct *p, int flags)
{
	(void)p, (void)flags;
	resched_curr(rq);
}

static struct task_struct *pick_next_task_idle(struct rq *rq)
{
	rq->idle->se.exec_start = rq->clock;
	return rq->idle;
}

static void put_prev_task_idle(struct rq *rq, struct task_struct *p)
{
	(void)p;
	update_curr_idle(rq);
}

static void set_next_task_idle(struct rq *rq, struct task_struct *p)
{
	p->se.exec_start = rq->clock;
}

/* The rt period must end on time while the CPU idles too. */
static void task_tick_idle(struct rq *rq, struct task_struct *p)
{
	(void)p;
	update_curr_idle(rq);
	sched_rt_period_tick(rq);
}

static void task_fork_idle(struct rq *rq, struct task_struct *p)
{
	(void)rq;
	BUG_ON(p);	/* a new task never starts in the idle class */
}

static void prio_changed_idle(struct rq *rq, struct task_struct *p, int oldprio)
{
	(void)rq, (void)oldprio;
	BUG_ON(p);
}

static void switched_to_idle(struct rq *rq, struct task_struct *p)
{
	(void)rq;
	BUG_ON(p);
}

const struct sched_class idle_sched_class = {
	.name = "idle",
	.enqueue_task = enqueue_task_idle,
	.dequeue_task = dequeue_task_idle,
	.yield_task = yield_task_idle,
	.check_preempt_curr = check_preempt_curr_idle,
	.pick_next_task = pick_next_task_idle,
	.put_prev_task = put_prev_task_idle,
	.set_next_task = set_next_task_idle,
	.task_tick = task_tick_idle,
	.task_fork = task_fork_idle,
	.prio_changed = prio_changed_idle,
	.switched_to = switched_to_idle,
	.update_curr = update_curr_idle,
};
