/*
 * The scheduler across CPUs: which run queue a task is on, moving it to another, and
 * affinity (where it may run).
 *
 * Locking: p->cpu (task_rq) changes only with that run queue's lock held, and with the
 * destination's too, so task_rq_lock() (lock the run queue p->cpu names, then check it
 * still names it) pins a task to its queue. Two run queues are taken in address order
 * (double_rq_lock), so two CPUs moving tasks towards each other cannot deadlock.
 *
 * How a task moves:
 *  - queued, not running: dequeue from one, enqueue on the other, both locks held
 *    (move_queued_task);
 *  - asleep (or new): at its wakeup, try_to_wake_up puts it where select_task_rq says;
 *  - running: the switch away from it takes it off its queue (it must not be picked here
 *    again), and the task switched to finishes the move once the old task's registers
 *    are saved (sched_finish_migration, from finish_task_switch): before that, another
 *    CPU picking it would run on the same stack.
 * Placement keeps a task where it is when its mask allows: tasks spread only by affinity
 * for now; the mask is checked at every switch (sched/core.c), so it is never violated.
 * The fair class renormalizes vruntime (migrate_task_rq): each queue has its own
 * min_vruntime, so the lead or debt a task carries is kept, not its absolute number.
 */
#include <kernel/oops.h>
#include <kernel/smp.h>
#include <lib/errno.h>
#include <sched/task.h>
#include <sched/trace.h>
#include "internal.h"

struct rq *task_rq_lock(struct task_struct *p, unsigned long *flags)
{
	for (;;) {
		struct rq *rq;

		*flags = local_irq_save();
		rq = task_rq(p);
		spin_lock(&rq->lock);
		if (rq == task_rq(p))
			return rq;
		spin_unlock(&rq->lock);		/* it moved while we waited: follow it */
		local_irq_restore(*flags);
	}
}

void task_rq_unlock(struct rq *rq, unsigned long flags)
{
	spin_unlock_irqrestore(&rq->lock, flags);
}

/* Interrupts off. */
void double_rq_lock(struct rq *a, struct rq *b)
{
	if (a == b) {
		spin_lock(&a->lock);
		return;
	}
	if (a > b) {
		struct rq *t = a;

		a = b;
		b = t;
	}
	spin_lock(&a->lock);
	spin_lock(&b->lock);
}

void double_rq_unlock(struct rq *a, struct rq *b)
{
	spin_unlock(&a->lock);
	if (a != b)
		spin_unlock(&b->lock);
}

/* The CPU @p should run on: its own if allowed, else the first allowed that is up. */
int select_task_rq(const struct task_struct *p)
{
	cpumask_t allowed = p->cpus_mask & online_cpus();

	if (cpumask_test_cpu((unsigned int)p->cpu, allowed) || !allowed)
		return p->cpu;
	return (int)cpumask_first(allowed);
}

/* Point @p (on no queue) at @dst; the locks of its old queue and of @dst are held. */
void set_task_cpu(struct task_struct *p, struct rq *src, struct rq *dst)
{
	if (src == dst)
		return;
	if (p->state != TASK_NEW && p->sched_class->migrate_task_rq)
		p->sched_class->migrate_task_rq(p, src, dst);
	update_rq_clock(dst);	/* the trace event's time */
	trace_sched_migrate_task(p, src->cpu, dst->cpu);
	WRITE_ONCE(p->cpu, dst->cpu);
}

/* Queued on @src and not running there; both locked. */
static void move_queued_task(struct rq *src, struct rq *dst, struct task_struct *p)
{
	update_rq_clock(src);
	deactivate_task(src, p, 0);
	set_task_cpu(p, src, dst);
	activate_task(dst, p, 0);
	check_preempt_curr(dst, p, 0);
}

/*
 * In the task switched to, run queue lock released: @prev was taken off its queue at the
 * switch because its mask no longer allows this CPU; put it where it may run.
 */
void sched_finish_migration(struct task_struct *prev)
{
	unsigned long flags = local_irq_save();
	struct rq *src = task_rq(prev), *dst = cpu_rq((unsigned int)select_task_rq(prev));

	double_rq_lock(src, dst);
	prev->migrate_pending = false;
	set_task_cpu(prev, src, dst);
	activate_task(dst, prev, 0);
	check_preempt_curr(dst, prev, 0);
	double_rq_unlock(src, dst);
	local_irq_restore(flags);
}

int set_cpus_allowed(struct task_struct *p, cpumask_t mask)
{
	unsigned long flags;
	struct rq *rq;

	if (p->flags & PF_IDLE)
		return -EPERM;
	if (!(mask & online_cpus()))
		return -EINVAL;
again:
	rq = task_rq_lock(p, &flags);
	p->cpus_mask = mask;
	if (cpumask_test_cpu((unsigned int)rq->cpu, mask & online_cpus())) {
		task_rq_unlock(rq, flags);
		return 0;
	}
	if (rq->curr == p) {
		resched_curr(rq);	/* the switch away from it moves it (see the top) */
	} else if (p->on_rq) {
		struct rq *dst = cpu_rq((unsigned int)select_task_rq(p));

		spin_unlock(&rq->lock);		/* interrupts stay off */
		double_rq_lock(rq, dst);
		if (task_rq(p) != rq || !p->on_rq || rq->curr == p) {
			double_rq_unlock(rq, dst);	/* it changed meanwhile: look again */
			local_irq_restore(flags);
			goto again;
		}
		move_queued_task(rq, dst, p);
		spin_unlock(&dst->lock);
	}
	/* Asleep or new: its wakeup places it. */
	task_rq_unlock(rq, flags);
	/* The caller itself: the preemption point above has switched already, unless atomic. */
	if (p == current && !preempt_count() && !irqs_disabled())
		while (!cpumask_test_cpu(smp_processor_id(), p->cpus_mask))
			yield();
	return 0;
}
