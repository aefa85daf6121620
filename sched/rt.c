/*
 * The real-time class: SCHED_FIFO and SCHED_RR (docs/sched.md, "Real-time tasks").
 *
 * How: one FIFO list per priority, rt_rq->queue[0..99] (0 is the highest), and a 100-bit
 * bitmap of the lists that are not empty. The next task is the head of the list of the first
 * set bit, found with one bit scan per 64-bit word: O(1) whatever the number of tasks.
 *
 * The running rt task stays in its list, as in Linux: pick_next_task does not take it out and
 * put_prev_task does not move it. So a task preempted by a higher priority is still at the
 * head of its level when it is picked again, and tasks of equal priority never preempt each
 * other. Only three things move a task inside its level: sched_yield (to the tail), the end
 * of an RR time slice (to the tail, with a fresh slice, when others share the level), and an
 * enqueue with ENQUEUE_HEAD (the core's choice when it lowers a task's priority).
 *
 * Throttling: rt tasks together may run sysctl_sched_rt_runtime ns of every
 * sysctl_sched_rt_period ns (950 of 1000 ms). Once they used that, rt_throttled makes
 * pick_next_task return NULL until the period ends, so the fair class (a shell) runs even
 * under a runaway FIFO loop. Time is charged when it is accounted (ticks, switches), so a
 * period can run over by up to one tick; the overrun is charged to the next period.
 *
 * Invariants: bit p of rt_rq->bitmap is set exactly when queue[p] is not empty; a queued
 * task is in queue[p->prio] (its priority changes only while it is dequeued); rt_nr_running
 * counts the tasks in all the lists, the running one included.
 */
#include <kernel/oops.h>
#include <sched/sched.h>

static inline struct task_struct *rt_task_of(struct list_head *node)
{
	return list_entry(node, struct task_struct, rt.run_list);
}

static inline bool is_rt_task(const struct task_struct *p)
{
	return p->sched_class == &rt_sched_class;
}

/* Bitmap of non-empty levels: word prio / 64, bit prio % 64. */
static inline void rt_bitmap_set(struct rt_rq *rt_rq, int prio)
{
	rt_rq->bitmap[prio / 64] |= 1ull << (prio % 64);
}

static inline void rt_bitmap_clear(struct rt_rq *rt_rq, int prio)
{
	rt_rq->bitmap[prio / 64] &= ~(1ull << (prio % 64));
}

static inline bool rt_bitmap_test(const struct rt_rq *rt_rq, int prio)
{
	return rt_rq->bitmap[prio / 64] & (1ull << (prio % 64));
}

/* The highest queued priority (lowest number), or MAX_RT_PRIO when no rt task is queued. */
static int rt_first_prio(const struct rt_rq *rt_rq)
{
	for (int w = 0; w < (int)ARRAY_SIZE(rt_rq->bitmap); w++)
		if (rt_rq->bitmap[w])
			return w * 64 + __builtin_ctzll(rt_rq->bitmap[w]);
	return MAX_RT_PRIO;
}

void init_rt_rq(struct rt_rq *rt_rq)
{
	for (int i = 0; i < MAX_RT_PRIO; i++)
		INIT_LIST_HEAD(&rt_rq->queue[i]);
	rt_rq->bitmap[0] = rt_rq->bitmap[1] = 0;
	rt_rq->rt_nr_running = 0;
	rt_rq->rt_time = 0;
	rt_rq->rt_period_start = 0;
	rt_rq->rt_throttled = false;
}

/* ---- throttling ---- */

static bool rt_throttling_enabled(void)
{
	return sysctl_sched_rt_runtime >= 0 &&
	       (uint64_t)sysctl_sched_rt_runtime < sysctl_sched_rt_period;
}

/* @rt_time less @periods times @runtime, not below 0; @runtime 0 forgives nothing. */
static uint64_t rt_forgive(uint64_t rt_time, uint64_t periods, uint64_t runtime)
{
	if (!runtime)
		return rt_time;
	if (rt_time / runtime < periods)
		return 0;
	return rt_time - periods * runtime;
}

/*
 * Move the period forward to the one @now is in. Every period that ended forgives
 * sysctl_sched_rt_runtime ns of rt_time (all of it when throttling is off), so what ran
 * over is charged to the next period; the throttle lifts once rt_time is under the runtime.
 */
static __noinline void __rt_period_advance(struct rt_rq *rt_rq, uint64_t now)
{
	uint64_t period = sysctl_sched_rt_period, periods;

	if (!period)
		return;
	periods = (now - rt_rq->rt_period_start) / period;
	rt_rq->rt_period_start += periods * period;
	if (!rt_throttling_enabled()) {
		rt_rq->rt_time = 0;
	} else {
		rt_rq->rt_time = rt_forgive(rt_rq->rt_time, periods,
					    (uint64_t)sysctl_sched_rt_runtime);
		if (rt_rq->rt_time >= (uint64_t)sysctl_sched_rt_runtime)
			return;	/* still over: stays throttled */
	}
	rt_rq->rt_throttled = false;
}

/* The common case inline (the period has not ended): every switch of an rt task asks. */
static inline void rt_period_advance(struct rt_rq *rt_rq, uint64_t now)
{
	if (unlikely(now - rt_rq->rt_period_start >= sysctl_sched_rt_period))
		__rt_period_advance(rt_rq, now);
}

/* rt ran @delta ns more: throttle the class once it used its runtime in this period. */
static void rt_charge(struct rq *rq, uint64_t delta)
{
	struct rt_rq *rt_rq = &rq->rt;

	rt_rq->rt_time += delta;
	rt_period_advance(rt_rq, rq->clock);
	/* Under the runtime first: the common case, and true when throttling is off (-1). */
	if (rt_rq->rt_time < (uint64_t)sysctl_sched_rt_runtime || rt_rq->rt_throttled ||
	    !rt_throttling_enabled())
		return;
	rt_rq->rt_throttled = true;
	resched_curr(rq);
}

/* Charge rq->curr, if it is an rt task, for the time since it was last charged. */
static void update_curr_rt(struct rq *rq)
{
	struct task_struct *curr = rq->curr;
	uint64_t delta;

	if (!curr || !is_rt_task(curr))
		return;
	delta = rq->clock - curr->se.exec_start;
	if ((int64_t)delta <= 0)
		return;
	curr->se.exec_start = rq->clock;
	curr->se.sum_exec_runtime += delta;
	if (curr->policy == SCHED_RR)
		curr->rt.time_slice -= MIN(delta, curr->rt.time_slice);
	rt_charge(rq, delta);
}

/*
 * Called from every class's task_tick, so the period ends on time whatever runs, the idle
 * task included: when it lifts the throttle and rt tasks wait, the running task is
 * preempted. Idempotent within one clock value; a core without a tick while idle must call
 * it when the period ends.
 */
void sched_rt_period_tick(struct rq *rq)
{
	bool was_throttled = rq->rt.rt_throttled;

	update_curr_rt(rq);
	rt_period_advance(&rq->rt, rq->clock);
	if (was_throttled && !rq->rt.rt_throttled && rq->rt.rt_nr_running)
		resched_curr(rq);
}

/* ---- the queue ---- */

static void enqueue_task_rt(struct rq *rq, struct task_struct *p, int flags)
{
	struct rt_rq *rt_rq = &rq->rt;

	BUG_ON(!rt_prio(p->prio) || p->rt.on_rq);
	if (p->policy == SCHED_RR && !p->rt.time_slice)
		p->rt.time_slice = sysctl_sched_rr_timeslice;
	if (flags & ENQUEUE_HEAD)
		list_add(&p->rt.run_list, &rt_rq->queue[p->prio]);
	else
		list_add_tail(&p->rt.run_list, &rt_rq->queue[p->prio]);
	rt_bitmap_set(rt_rq, p->prio);
	rt_rq->rt_nr_running++;
	p->rt.on_rq = true;
}

static void dequeue_task_rt(struct rq *rq, struct task_struct *p, int flags)
{
	struct rt_rq *rt_rq = &rq->rt;

	(void)flags;
	/* A clear bit here means p->prio changed while p was queued: the core broke the rule. */
	BUG_ON(!p->rt.on_rq || !rt_bitmap_test(rt_rq, p->prio));
	if (p == rq->curr)
		update_curr_rt(rq);
	list_del(&p->rt.run_list);
	if (list_empty(&rt_rq->queue[p->prio]))
		rt_bitmap_clear(rt_rq, p->prio);
	rt_rq->rt_nr_running--;
	p->rt.on_rq = false;
}

/* Move @p to the tail of its level. */
static void requeue_task_rt(struct rq *rq, struct task_struct *p)
{
	list_del(&p->rt.run_list);
	list_add_tail(&p->rt.run_list, &rq->rt.queue[p->prio]);
}

static bool rt_alone_at_level(const struct task_struct *p)
{
	return p->rt.run_list.next == p->rt.run_list.prev;
}

/*
 * sched_yield(): to the tail of its level; the core switches next, under the same lock
 * and clock, and put_prev_task_rt charges the time then.
 */
static void yield_task_rt(struct rq *rq)
{
	struct task_struct *curr = rq->curr;

	if (curr->rt.on_rq)
		requeue_task_rt(rq, curr);
}

/* Should the newly runnable @p preempt rq->curr? Only a strictly higher priority does. */
static void check_preempt_curr_rt(struct rq *rq, struct task_struct *p, int flags)
{
	(void)flags;
	if (!rq->rt.rt_throttled && p->prio < rq->curr->prio)
		resched_curr(rq);
}

/* Does queued @p, not running, deserve the CPU more than rq->curr, of any class? */
static void rt_preempt_if_higher(struct rq *rq, struct task_struct *p)
{
	if (rq->rt.rt_throttled || p == rq->curr)
		return;
	if (!is_rt_task(rq->curr) || p->prio < rq->curr->prio)
		resched_curr(rq);
}

/* The head of the highest non-empty level; it stays in its list while it runs. */
static struct task_struct *pick_next_task_rt(struct rq *rq)
{
	struct rt_rq *rt_rq = &rq->rt;
	struct task_struct *p;
	int prio;

	rt_period_advance(rt_rq, rq->clock);
	if (rt_rq->rt_throttled)
		return NULL;
	prio = rt_first_prio(rt_rq);
	if (prio == MAX_RT_PRIO)
		return NULL;
	p = rt_task_of(rt_rq->queue[prio].next);
	p->se.exec_start = rq->clock;
	return p;
}

/* @p (rq->curr) stops running: charge it; its place in the list does not change. */
static void put_prev_task_rt(struct rq *rq, struct task_struct *p)
{
	(void)p;
	update_curr_rt(rq);
}

static void set_next_task_rt(struct rq *rq, struct task_struct *p)
{
	p->se.exec_start = rq->clock;
}

/* Charge the time; an RR task whose slice ran out goes to the tail of its level. */
static void task_tick_rt(struct rq *rq, struct task_struct *p)
{
	sched_rt_period_tick(rq);
	if (p->policy != SCHED_RR || p->rt.time_slice || !p->rt.on_rq)
		return;
	p->rt.time_slice = sysctl_sched_rr_timeslice;
	if (rt_alone_at_level(p))
		return;	/* nobody to take turns with: it goes on with a fresh slice */
	requeue_task_rt(rq, p);
	resched_curr(rq);
}

static void task_fork_rt(struct rq *rq, struct task_struct *p)
{
	(void)rq;
	p->rt.time_slice = sysctl_sched_rr_timeslice;
}

/*
 * @p's priority changed from @oldprio; the core already moved it to its new level (dequeue,
 * change, enqueue). Running and now below a queued task: give way. Queued and now above the
 * running task: take the CPU.
 */
static void prio_changed_rt(struct rq *rq, struct task_struct *p, int oldprio)
{
	(void)oldprio;
	if (!p->rt.on_rq || rq->rt.rt_throttled)
		return;
	if (p == rq->curr) {
		if (rt_first_prio(&rq->rt) < p->prio)
			resched_curr(rq);
		return;
	}
	rt_preempt_if_higher(rq, p);
}

/* @p became SCHED_FIFO or SCHED_RR (the core has enqueued it if it is runnable). */
static void switched_to_rt(struct rq *rq, struct task_struct *p)
{
	if (p->policy == SCHED_RR && !p->rt.time_slice)
		p->rt.time_slice = sysctl_sched_rr_timeslice;
	if (p->rt.on_rq)
		rt_preempt_if_higher(rq, p);
}

const struct sched_class rt_sched_class = {
	.name = "rt",
	.enqueue_task = enqueue_task_rt,
	.dequeue_task = dequeue_task_rt,
	.yield_task = yield_task_rt,
	.check_preempt_curr = check_preempt_curr_rt,
	.pick_next_task = pick_next_task_rt,
	.put_prev_task = put_prev_task_rt,
	.set_next_task = set_next_task_rt,
	.task_tick = task_tick_rt,
	.task_fork = task_fork_rt,
	.prio_changed = prio_changed_rt,
	.switched_to = switched_to_rt,
	.update_curr = update_curr_rt,
};
