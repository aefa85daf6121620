/*
 * The fair class: SCHED_NORMAL and SCHED_BATCH, a CFS as Linux had it before EEVDF
 * (docs/sched.md, "The fair class").
 *
 * Every task has a vruntime, ns of CPU time weighted by its nice level: running delta ns
 * adds delta * 1024 / weight, so a nice 0 task's vruntime is its real CPU time and a heavier
 * task's grows more slowly. The queued tasks sit in a red-black tree ordered by vruntime and
 * the leftmost (the one that had least) runs next; equal vruntimes keep their arrival order.
 * How long it runs: its slice, its weight's share of a period of sysctl_sched_latency ns
 * (6 ms) in which every runnable task should run once, stretched to nr_running *
 * sysctl_sched_min_granularity when more than 8 tasks share it.
 *
 * min_vruntime follows the smallest vruntime, never backwards. A waking task is placed at
 * least at min_vruntime - latency/2, so a long sleep earns at most half a latency of lead;
 * a new task starts one virtual slice after min_vruntime, so forking cannot take CPU from
 * the tasks already running.
 *
 * The running task is cfs_rq->curr and is not in the tree (put_prev_task puts it back). The
 * core calls put_prev_task before pick_next_task, so pick is the leftmost, O(1), and
 * taking it out and putting it back are O(log n). When only fair tasks run, the core calls
 * pick_next_task_fair_from() instead, which does both and spares the tree work when the
 * running task simply trades places with the leftmost (a yield ping-pong).
 *
 * Vruntimes are compared by signed difference, so they may wrap around 2^64 (min_vruntime
 * starts 1 ms below it to exercise this at once) as long as all are within 2^63 ns.
 *
 * Invariants: the tree holds exactly the entities with on_rq set but curr; nr_running and
 * load count those and curr while curr is on_rq; min_vruntime only grows.
 */
#include <kernel/oops.h>
#include <sched/sched.h>

#define NICE_0_SHIFT	10	/* NICE_0_LOAD == 1 << NICE_0_SHIFT */

static inline struct task_struct *task_of(struct sched_entity *se)
{
	return container_of(se, struct task_struct, se);
}

static inline struct sched_entity *se_of(struct rb_node *node)
{
	return rb_entry(node, struct sched_entity, run_node);
}

static inline bool is_fair_task(const struct task_struct *p)
{
	return p->sched_class == &fair_sched_class;
}

/* a earlier than b, across a wrap of the u64. */
static inline bool vruntime_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

static inline uint64_t max_vruntime(uint64_t a, uint64_t b)
{
	return vruntime_before(a, b) ? b : a;
}

static inline uint64_t min_vruntime(uint64_t a, uint64_t b)
{
	return vruntime_before(b, a) ? b : a;
}

/*
 * floor(a * b / 2^shift) for shift <= 32, exactly, in 64-bit arithmetic: split a into
 * 32-bit halves, hi * b and lo * b each fit in 64 bits. Overflows only if the result does.
 */
static inline uint64_t mul_u64_u32_shr(uint64_t a, uint32_t b, unsigned int shift)
{
	uint64_t hi = (a >> 32) * b, lo = (a & 0xffffffffu) * b;

	return (hi << (32 - shift)) + (lo >> shift);
}

/*
 * Real time @delta (ns) as virtual time for @se: delta * NICE_0_LOAD / weight, computed as
 * delta * NICE_0_LOAD * inv_weight / 2^32 = delta * inv_weight / 2^22, rounded down.
 */
static uint64_t calc_delta_fair(uint64_t delta, const struct sched_entity *se)
{
	if (se->weight == NICE_0_LOAD)
		return delta;
	return mul_u64_u32_shr(delta, se->inv_weight, 32 - NICE_0_SHIFT);
}

void set_load_weight(struct task_struct *p)
{
	int i = p->static_prio - MAX_RT_PRIO;

	/* The cfs_rq's load holds the old weight while queued: change it only when dequeued. */
	WARN_ON(p->se.on_rq);
	if (i < 0 || i >= 40)
		i = DEFAULT_PRIO - MAX_RT_PRIO;
	p->se.weight = (unsigned long)sched_prio_to_weight[i];
	p->se.inv_weight = sched_prio_to_wmult[i];
}

void init_cfs_rq(struct cfs_rq *cfs_rq)
{
	cfs_rq->tasks_timeline = RB_ROOT_CACHED;
	cfs_rq->curr = NULL;
	cfs_rq->nr_running = 0;
	cfs_rq->load = 0;
	cfs_rq->min_vruntime = (uint64_t)-(1ll << 20);	/* ~1 ms before the wrap, see above */
}

/* ---- the tree ---- */

static bool entity_less(struct rb_node *a, const struct rb_node *b)
{
	return vruntime_before(se_of(a)->vruntime,
			       rb_entry(b, struct sched_entity, run_node)->vruntime);
}

/* Insert after the entities of equal vruntime, so they run in arrival order. */
static void __enqueue_entity(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	rb_add_cached(&se->run_node, &cfs_rq->tasks_timeline, entity_less);
}

static void __dequeue_entity(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	rb_erase_cached(&se->run_node, &cfs_rq->tasks_timeline);
	RB_CLEAR_NODE(&se->run_node);
}

static struct sched_entity *first_entity(struct cfs_rq *cfs_rq)
{
	struct rb_node *left = rb_first_cached(&cfs_rq->tasks_timeline);

	return left ? se_of(left) : NULL;
}

/* The rightmost entity (yield's target), by the right spine: no call on the yield path. */
static struct sched_entity *last_entity(struct cfs_rq *cfs_rq)
{
	struct rb_node *n = cfs_rq->tasks_timeline.rb_root.rb_node;

	if (!n)
		return NULL;
	while (n->rb_right)
		n = n->rb_right;
	return se_of(n);
}

/*
 * rb_next() of the leftmost node, which has no left child: the smallest node of its right
 * subtree, else its parent (NULL at the root).
 */
static struct rb_node *leftmost_next(struct rb_node *left)
{
	struct rb_node *n = left->rb_right;

	if (!n)
		return rb_parent(left);
	while (n->rb_left)
		n = n->rb_left;
	return n;
}

/* ---- time ---- */

/* min_vruntime: the smaller of curr's and the leftmost's vruntime, but never backwards. */
static __always_inline void update_min_vruntime(struct cfs_rq *cfs_rq)
{
	struct sched_entity *curr = cfs_rq->curr, *left = first_entity(cfs_rq);
	uint64_t v = cfs_rq->min_vruntime;

	if (curr && curr->on_rq)
		v = left ? min_vruntime(curr->vruntime, left->vruntime) : curr->vruntime;
	else if (left)
		v = left->vruntime;
	cfs_rq->min_vruntime = max_vruntime(cfs_rq->min_vruntime, v);
}

/* Charge curr (there is one) for the ns since it was last charged. */
static __always_inline void charge_curr(struct cfs_rq *cfs_rq, uint64_t now)
{
	struct sched_entity *curr = cfs_rq->curr;
	uint64_t delta = now - curr->exec_start;

	if ((int64_t)delta <= 0)
		return;
	curr->exec_start = now;
	curr->sum_exec_runtime += delta;
	curr->vruntime += calc_delta_fair(delta, curr);
}

/*
 * Charge curr, then move min_vruntime, even when no time passed: the queue may have changed
 * since the last update (a task queued while no fair task ran, which can raise it), and
 * leaving that for the next charge would move min_vruntime at a different moment.
 */
static __always_inline void update_curr(struct cfs_rq *cfs_rq, uint64_t now)
{
	if (!cfs_rq->curr)
		return;
	charge_curr(cfs_rq, now);
	update_min_vruntime(cfs_rq);
}

static void update_curr_fair(struct rq *rq)
{
	update_curr(&rq->cfs, rq->clock);
}

/*
 * The period in which each of @nr runnable tasks should run once: sched_latency, or
 * nr * min_granularity when that is longer (more than latency / min_granularity = 8 tasks).
 */
static uint64_t sched_period(unsigned int nr)
{
	uint64_t gran = sysctl_sched_min_granularity;

	if (gran && nr > sysctl_sched_latency / gran)
		return nr * gran;
	return sysctl_sched_latency;
}

/*
 * @se's share of the period by weight, ns of real time, counting @se even if it is not
 * queued yet (a task being placed); never below min_granularity.
 */
static uint64_t sched_slice(const struct cfs_rq *cfs_rq, const struct sched_entity *se)
{
	unsigned int nr = cfs_rq->nr_running + !se->on_rq;
	uint64_t load = cfs_rq->load + (se->on_rq ? 0 : se->weight);
	uint64_t slice = sched_period(nr) * se->weight / load;

	return MAX(slice, sysctl_sched_min_granularity);
}

/*
 * Where a task enters the timeline. New (@initial): one virtual slice after min_vruntime
 * (START_DEBIT), so it waits its turn behind the tasks already running. Waking: no earlier
 * than min_vruntime - latency/2 (GENTLE_FAIR_SLEEPERS), so a sleeper gets a little lead but
 * cannot cash in a long sleep. Never moved backwards: placement cannot be used to gain.
 */
static void place_entity(struct cfs_rq *cfs_rq, struct sched_entity *se, bool initial)
{
	uint64_t v = cfs_rq->min_vruntime;

	if (initial)
		v += calc_delta_fair(sched_slice(cfs_rq, se), se);
	else
		v -= sysctl_sched_latency / 2;
	se->vruntime = max_vruntime(se->vruntime, v);
}

/* ---- the class ---- */

static void enqueue_task_fair(struct rq *rq, struct task_struct *p, int flags)
{
	struct cfs_rq *cfs_rq = &rq->cfs;
	struct sched_entity *se = &p->se;

	BUG_ON(se->on_rq);
	update_curr(cfs_rq, rq->clock);
	if (flags & ENQUEUE_WAKEUP)
		place_entity(cfs_rq, se, false);
	cfs_rq->nr_running++;
	cfs_rq->load += se->weight;
	if (se != cfs_rq->curr)
		__enqueue_entity(cfs_rq, se);
	se->on_rq = true;
}

/* Also for the running task going to sleep: it stays cfs_rq->curr until put_prev_task. */
static void dequeue_task_fair(struct rq *rq, struct task_struct *p, int flags)
{
	struct cfs_rq *cfs_rq = &rq->cfs;
	struct sched_entity *se = &p->se;

	(void)flags;
	BUG_ON(!se->on_rq);
	update_curr(cfs_rq, rq->clock);
	if (se != cfs_rq->curr)
		__dequeue_entity(cfs_rq, se);
	cfs_rq->nr_running--;
	cfs_rq->load -= se->weight;
	se->on_rq = false;
	update_min_vruntime(cfs_rq);
}

/*
 * sched_yield(): curr gives up its place to every queued task by taking the largest queued
 * vruntime; put_prev_task then inserts it after that task. The core calls schedule() next.
 */
static void yield_task_fair(struct rq *rq)
{
	struct cfs_rq *cfs_rq = &rq->cfs;
	struct sched_entity *curr = cfs_rq->curr, *last = last_entity(cfs_rq);

	/* Alone: nothing to give way to; the switch that follows charges the time. */
	if (!curr || !last)
		return;
	/*
	 * No min_vruntime update here: the switch that follows at once (put_prev_task, or
	 * pick_next_task_fair_from) makes one after the jump, and as the jump only raises curr's
	 * vruntime, one made before it would change nothing that one does not.
	 */
	charge_curr(cfs_rq, rq->clock);
	curr->vruntime = max_vruntime(curr->vruntime, last->vruntime);
}

/*
 * Should waking @se preempt @curr? Only if curr is ahead by more than the wakeup granularity
 * (1 ms of real time, as virtual time at se's weight): switching costs, so small leads wait
 * for the tick.
 */
static bool wakeup_preempt(const struct sched_entity *curr, const struct sched_entity *se)
{
	int64_t vdiff = (int64_t)(curr->vruntime - se->vruntime);

	return vdiff > (int64_t)calc_delta_fair(sysctl_sched_wakeup_granularity, se);
}

/* @p became runnable; rq->curr is a fair task too (the core checks classes first). */
static void check_preempt_curr_fair(struct rq *rq, struct task_struct *p, int flags)
{
	struct cfs_rq *cfs_rq = &rq->cfs;

	(void)flags;
	if (!cfs_rq->curr || p == rq->curr)
		return;
	update_curr(cfs_rq, rq->clock);
	if (wakeup_preempt(cfs_rq->curr, &p->se))
		resched_curr(rq);
}

/* Queued @p, not running, may deserve the CPU more than rq->curr: fair or idle. */
static void fair_preempt_check(struct rq *rq, struct task_struct *p)
{
	if (is_fair_task(rq->curr))
		check_preempt_curr_fair(rq, p, 0);
	else if (rq->curr == rq->idle)
		resched_curr(rq);
}

/* @se, out of the tree, becomes curr: its slice starts now. */
static void start_entity(struct cfs_rq *cfs_rq, struct sched_entity *se, uint64_t now)
{
	cfs_rq->curr = se;
	se->exec_start = now;
	se->prev_sum_exec_runtime = se->sum_exec_runtime;
}

/* @se starts running: out of the tree, and its slice starts now. */
static void set_next_entity(struct cfs_rq *cfs_rq, struct sched_entity *se, uint64_t now)
{
	if (se->on_rq && se != cfs_rq->curr)
		__dequeue_entity(cfs_rq, se);
	start_entity(cfs_rq, se, now);
}

/* The leftmost task. The core has called put_prev_task, so curr is back in the tree. */
static struct task_struct *pick_next_task_fair(struct rq *rq)
{
	struct cfs_rq *cfs_rq = &rq->cfs;
	struct sched_entity *se = first_entity(cfs_rq);

	WARN_ON(cfs_rq->curr);	/* put_prev_task was not called: curr would be lost */
	if (!se)
		return NULL;
	set_next_entity(cfs_rq, se, rq->clock);
	return task_of(se);
}

/* @p stops running: charge it and, if it is still runnable, put it back in the tree. */
static void put_prev_task_fair(struct rq *rq, struct task_struct *p)
{
	struct cfs_rq *cfs_rq = &rq->cfs;
	struct sched_entity *se = &p->se;

	WARN_ON(cfs_rq->curr != se);
	update_curr(cfs_rq, rq->clock);
	if (se->on_rq)
		__enqueue_entity(cfs_rq, se);
	cfs_rq->curr = NULL;
}

/*
 * put_prev_task_fair(prev) and pick_next_task_fair in one, for the core's path where every
 * runnable task is fair and prev is one of them; the same result, tree order included. The
 * common cases need no tree surgery: prev still first runs on, and prev that sorts between
 * the leftmost and its successor takes the leftmost's node (rb_replace_node) instead of
 * being inserted while the leftmost is erased, both O(log n) with rebalancing.
 */
struct task_struct *pick_next_task_fair_from(struct rq *rq, struct task_struct *prev)
{
	struct cfs_rq *cfs_rq = &rq->cfs;
	struct sched_entity *se = &prev->se, *left, *after;
	struct rb_node *succ;

	WARN_ON(cfs_rq->curr != se);
	update_curr(cfs_rq, rq->clock);
	left = first_entity(cfs_rq);
	if (!se->on_rq) {	/* prev sleeps: an ordinary pick */
		cfs_rq->curr = NULL;
		if (!left)
			return NULL;
		set_next_entity(cfs_rq, left, rq->clock);
		return task_of(left);
	}
	if (!left || vruntime_before(se->vruntime, left->vruntime)) {
		start_entity(cfs_rq, se, rq->clock);	/* still first: it runs on, a new slice */
		return prev;
	}
	succ = leftmost_next(&left->run_node);
	after = succ ? se_of(succ) : NULL;
	if (!after || vruntime_before(se->vruntime, after->vruntime)) {
		rb_replace_node_cached(&left->run_node, &se->run_node, &cfs_rq->tasks_timeline);
		RB_CLEAR_NODE(&left->run_node);
	} else {
		__dequeue_entity(cfs_rq, left);
		__enqueue_entity(cfs_rq, se);
	}
	start_entity(cfs_rq, left, rq->clock);
	return task_of(left);
}

static void set_next_task_fair(struct rq *rq, struct task_struct *p)
{
	set_next_entity(&rq->cfs, &p->se, rq->clock);
}

/*
 * Linux's check_preempt_tick: curr must give way when it ran longer than its slice, or,
 * having run at least min_granularity, when its vruntime is more than a slice ahead of the
 * leftmost's (that compares virtual with real ns, as Linux did; both are about a slice).
 */
static bool slice_used_up(struct cfs_rq *cfs_rq, struct sched_entity *curr)
{
	uint64_t ideal = sched_slice(cfs_rq, curr);
	uint64_t ran = curr->sum_exec_runtime - curr->prev_sum_exec_runtime;
	struct sched_entity *left;

	if (ran > ideal)
		return true;
	if (ran < sysctl_sched_min_granularity)
		return false;
	left = first_entity(cfs_rq);
	return left && (int64_t)(curr->vruntime - left->vruntime) > (int64_t)ideal;
}

static void task_tick_fair(struct rq *rq, struct task_struct *p)
{
	struct cfs_rq *cfs_rq = &rq->cfs;

	sched_rt_period_tick(rq);
	update_curr(cfs_rq, rq->clock);
	if (cfs_rq->curr == &p->se && cfs_rq->nr_running > 1 && slice_used_up(cfs_rq, &p->se))
		resched_curr(rq);
}

/* New task @p, child of rq->curr: start from the parent's vruntime, then place it. */
static void task_fork_fair(struct rq *rq, struct task_struct *p)
{
	struct cfs_rq *cfs_rq = &rq->cfs;
	struct sched_entity *se = &p->se;

	update_curr(cfs_rq, rq->clock);
	se->vruntime = cfs_rq->curr ? cfs_rq->curr->vruntime : cfs_rq->min_vruntime;
	se->sum_exec_runtime = se->prev_sum_exec_runtime = 0;
	se->on_rq = false;
	RB_CLEAR_NODE(&se->run_node);
	place_entity(cfs_rq, se, true);
}

/*
 * @p's nice level changed; the core already requeued it with its new weight. The vruntime
 * is kept as it is (not rescaled). Running and now lighter: let the others be checked.
 */
static void prio_changed_fair(struct rq *rq, struct task_struct *p, int oldprio)
{
	if (!p->se.on_rq)
		return;
	if (p == rq->curr) {
		if (p->prio > oldprio)
			resched_curr(rq);
		return;
	}
	fair_preempt_check(rq, p);
}

/*
 * @p came from another class (rt, or a new task started there); its vruntime is from its
 * last stay here, or 0. Place it like a waking task so it neither gains nor is starved.
 */
static void switched_to_fair(struct rq *rq, struct task_struct *p)
{
	struct cfs_rq *cfs_rq = &rq->cfs;
	struct sched_entity *se = &p->se;
	bool in_tree = se->on_rq && se != cfs_rq->curr;

	update_curr(cfs_rq, rq->clock);
	if (in_tree)
		__dequeue_entity(cfs_rq, se);
	place_entity(cfs_rq, se, false);
	if (in_tree)
		__enqueue_entity(cfs_rq, se);
	if (!se->on_rq)
		return;
	if (p == rq->curr)
		resched_curr(rq);	/* it ran as rt: let the fair order decide again */
	else
		fair_preempt_check(rq, p);
}

/* Off one timeline onto another: keep its distance from min_vruntime, not the number. */
static void migrate_task_rq_fair(struct task_struct *p, struct rq *src, struct rq *dst)
{
	p->se.vruntime = p->se.vruntime - src->cfs.min_vruntime + dst->cfs.min_vruntime;
}

const struct sched_class fair_sched_class = {
	.name = "fair",
	.enqueue_task = enqueue_task_fair,
	.dequeue_task = dequeue_task_fair,
	.yield_task = yield_task_fair,
	.check_preempt_curr = check_preempt_curr_fair,
	.pick_next_task = pick_next_task_fair,
	.put_prev_task = put_prev_task_fair,
	.set_next_task = set_next_task_fair,
	.task_tick = task_tick_fair,
	.task_fork = task_fork_fair,
	.prio_changed = prio_changed_fair,
	.switched_to = switched_to_fair,
	.update_curr = update_curr_fair,
	.migrate_task_rq = migrate_task_rq_fair,
};
