/*
 * Host tests of the fair class (sched/fair.c) on the fake core (sched_fake.c).
 *
 * The model test runs random sequences of forks, wakeups, sleeps, yields, ticks of odd
 * lengths and nice changes of up to 16 tasks, and after every step compares the class with a
 * reference model that keeps the tasks in a plain array and recomputes every vruntime with
 * 128-bit arithmetic, without wrapping: the running task, every vruntime and CPU time,
 * min_vruntime (and that it never goes back), nr_running and load, whether a reschedule was
 * asked for, and the tree, walked in order, against the model's queue sorted by vruntime
 * and arrival. min_vruntime starts just below 2^64, so the wrap is crossed at once.
 *
 * The scenarios measure what the kernel tests will: CPU shares by nice level, what a long
 * sleeper and a new task may take, and the wakeup and yield rules.
 * Seeded: TEST_SEED replays a run, TEST_ITERS sets its length.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "rng.h"
#include "sched_fake.h"

#define MS NSEC_PER_MSEC

typedef __int128 i128;

static void setup(void)
{
	sim_init();
}

TestSuite(sched_fair, .init = setup);

Test(sched_fair, weight_tables)
{
	cr_assert_eq(sched_prio_to_weight[20], NICE_0_LOAD);
	for (int i = 0; i < 40; i++) {
		i128 w = sched_prio_to_weight[i], prod = w * sched_prio_to_wmult[i];

		cr_assert_lt(prod > (i128)1 << 32 ? prod - ((i128)1 << 32) : ((i128)1 << 32) - prod,
			     w, "nice %d: wmult is not 2^32 / weight", i - 20);
		if (i < 39) {
			double step = (double)sched_prio_to_weight[i] / sched_prio_to_weight[i + 1];

			cr_assert(step > 1.19 && step < 1.29, "nice %d: step %f", i - 20, step);
		}
	}
}

/* ---- the reference model ---- */

#define NF 16

struct ftask {
	bool started;
	bool queued;		/* on the run queue (the running task too) */
	bool in_tree;		/* queued and not running */
	int nice;
	i128 v;			/* vruntime, not wrapped */
	uint64_t seq;		/* arrival in the tree: ties of v run in this order */
	uint64_t sum, prev_sum, exec_start;
};

struct fair_model {
	struct ftask t[NF];
	int curr;		/* the running fair task, -1: idle */
	i128 min_v;
	uint64_t seq;
	bool expect_resched;
	unsigned long long seed;
	long step;
	unsigned long ops[7];	/* fork wake sleep yield renice tick exit */
	unsigned int max_nr;
};

static struct task_struct tasks[NF];
static struct fair_model model;

static int64_t m_weight(const struct ftask *t)
{
	return sched_prio_to_weight[t->nice + 20];
}

/* Virtual time for real @delta ns: delta * 1024 * (2^32 / weight) / 2^32. */
static i128 m_calc(uint64_t delta, const struct ftask *t)
{
	if (m_weight(t) == NICE_0_LOAD)
		return delta;
	return ((unsigned __int128)delta * NICE_0_LOAD * sched_prio_to_wmult[t->nice + 20]) >> 32;
}

static int m_leftmost(const struct fair_model *m)
{
	int best = -1;

	for (int i = 0; i < NF; i++) {
		const struct ftask *t = &m->t[i];

		if (t->in_tree && (best < 0 || t->v < m->t[best].v ||
				   (t->v == m->t[best].v && t->seq < m->t[best].seq)))
			best = i;
	}
	return best;
}

static void m_update_min(struct fair_model *m)
{
	int left = m_leftmost(m);
	i128 v = m->min_v;

	if (m->curr >= 0 && m->t[m->curr].queued)
		v = left >= 0 && m->t[left].v < m->t[m->curr].v ? m->t[left].v : m->t[m->curr].v;
	else if (left >= 0)
		v = m->t[left].v;
	if (v > m->min_v)
		m->min_v = v;
}

static void m_update_curr(struct fair_model *m)
{
	struct ftask *c;
	uint64_t delta;

	if (m->curr < 0)
		return;
	c = &m->t[m->curr];
	delta = sim_rq.clock - c->exec_start;
	if ((int64_t)delta > 0) {
		c->exec_start = sim_rq.clock;
		c->sum += delta;
		c->v += m_calc(delta, c);
	}
	m_update_min(m);
}

static uint64_t m_slice(const struct fair_model *m, int i)
{
	const struct ftask *t = &m->t[i];
	uint64_t nr = !t->queued, period, slice;
	int64_t load = t->queued ? 0 : m_weight(t);

	for (int k = 0; k < NF; k++)
		if (m->t[k].queued) {
			nr++;
			load += m_weight(&m->t[k]);
		}
	period = nr > sysctl_sched_latency / sysctl_sched_min_granularity ?
		 nr * sysctl_sched_min_granularity : sysctl_sched_latency;
	slice = (uint64_t)((i128)period * m_weight(t) / load);
	return MAX(slice, sysctl_sched_min_granularity);
}

static void m_insert(struct fair_model *m, int i)
{
	m->t[i].in_tree = true;
	m->t[i].seq = m->seq++;
}

static void m_set_next(struct fair_model *m, int i)
{
	struct ftask *t = &m->t[i];

	t->in_tree = false;
	t->exec_start = sim_rq.clock;
	t->prev_sum = t->sum;
	m->curr = i;
}

/* put_prev_task, then the first class with a task (only fair and idle here). */
static void m_schedule(struct fair_model *m)
{
	int next;

	if (m->curr >= 0) {
		m_update_curr(m);
		if (m->t[m->curr].queued)
			m_insert(m, m->curr);
		m->curr = -1;
	}
	next = m_leftmost(m);
	if (next >= 0)
		m_set_next(m, next);
}

/* Wakeup preemption of the running task by queued @i. */
static bool m_wakeup_preempts(struct fair_model *m, int i)
{
	if (m->curr < 0)
		return true;	/* the idle task */
	m_update_curr(m);
	return m->t[m->curr].v - m->t[i].v > m_calc(sysctl_sched_wakeup_granularity, &m->t[i]);
}

static void m_enqueue(struct fair_model *m, int i, bool wakeup)
{
	struct ftask *t = &m->t[i];

	m_update_curr(m);
	if (wakeup && t->v < m->min_v - (i128)(sysctl_sched_latency / 2))
		t->v = m->min_v - (i128)(sysctl_sched_latency / 2);
	t->queued = true;
	m_insert(m, i);
}

static int random_nice(void)
{
	static const int choice[] = { -20, -5, -1, 0, 0, 0, 1, 5, 19 };

	return rnd_below(4) ? choice[rnd_below(ARRAY_SIZE(choice))] : (int)rnd_below(40) - 20;
}

static uint64_t random_tick(void)
{
	unsigned int r = (unsigned int)rnd_below(10);

	if (r < 6)
		return MS;
	if (r < 8)
		return 4 * MS;
	return 1 + rnd_below(3 * MS);
}

static void op_fork(struct fair_model *m, int i)
{
	struct ftask *t = &m->t[i];
	i128 start;

	m_update_curr(m);
	*t = (struct ftask){ .started = true, .nice = random_nice() };
	sim_task_init(&tasks[i], i + 1, SCHED_NORMAL, t->nice);
	t->v = m->curr >= 0 ? m->t[m->curr].v : m->min_v;
	start = m->min_v + m_calc(m_slice(m, i), t);
	if (t->v < start)
		t->v = start;
	m_enqueue(m, i, false);
	m->expect_resched = m_wakeup_preempts(m, i);
	sim_fork(&tasks[i]);
	if (m->expect_resched)
		m_schedule(m);
}

static void op_wake(struct fair_model *m, int i)
{
	m_enqueue(m, i, true);
	m->expect_resched = m_wakeup_preempts(m, i);
	sim_wake(&tasks[i]);
	if (m->expect_resched)
		m_schedule(m);
}

static void op_sleep(struct fair_model *m)
{
	m_update_curr(m);
	m->t[m->curr].queued = false;
	m_update_min(m);
	m->expect_resched = false;
	sim_sleep();
	m_schedule(m);
}

static void op_yield(struct fair_model *m)
{
	struct ftask *c = &m->t[m->curr];

	m_update_curr(m);
	for (int k = 0; k < NF; k++)
		if (m->t[k].in_tree && m->t[k].v > c->v)
			c->v = m->t[k].v;
	m->expect_resched = false;
	sim_yield();
	m_schedule(m);
}

static bool m_slice_used_up(struct fair_model *m)
{
	struct ftask *c = &m->t[m->curr];
	uint64_t ideal = m_slice(m, m->curr), ran = c->sum - c->prev_sum;
	int left;

	if (ran > ideal)
		return true;
	if (ran < sysctl_sched_min_granularity)
		return false;
	left = m_leftmost(m);
	return left >= 0 && c->v - m->t[left].v > (i128)ideal;
}

static void op_tick(struct fair_model *m, uint64_t ns)
{
	int nr = 0;

	for (int k = 0; k < NF; k++)
		nr += m->t[k].queued;
	sim_rq.clock += ns;
	m_update_curr(m);
	m->expect_resched = m->curr >= 0 && nr > 1 && m_slice_used_up(m);
	sim_rq.clock -= ns;
	sim_tick(ns);
	if (m->expect_resched)
		m_schedule(m);
}

/* nice(2) through the setscheduler path: dequeue, put_prev, reweight, enqueue, set_next. */
static void op_renice(struct fair_model *m, int i, int nice)
{
	struct ftask *t = &m->t[i];
	bool queued = t->queued, running = m->curr == i;
	int oldnice = t->nice;

	m->expect_resched = false;
	if (nice == oldnice)
		return;
	if (queued) {
		m_update_curr(m);
		t->in_tree = false;
		t->queued = false;
		m_update_min(m);
	}
	if (running) {
		m_update_curr(m);
		m->curr = -1;
	}
	t->nice = nice;
	if (queued)
		m_enqueue(m, i, false);
	if (running)
		m_set_next(m, i);
	if (queued)
		m->expect_resched = running ? nice > oldnice : m_wakeup_preempts(m, i);
	sim_setscheduler(&tasks[i], SCHED_NORMAL, nice);
	if (m->expect_resched)
		m_schedule(m);
}

static void check(struct fair_model *m, unsigned long resched_before, const char *op,
		  uint64_t old_min)
{
	struct cfs_rq *cfs_rq = &sim_rq.cfs;
	int order[NF], n = 0, nr = 0;
	unsigned long load = 0;
	struct rb_node *node;

	cr_assert_eq(sim_rq.curr == &sim_idle ? -1 : (int)(sim_rq.curr - tasks), m->curr,
		     "seed %llu step %ld (%s): wrong task running", m->seed, m->step, op);
	cr_assert_eq(sim_resched_calls != resched_before, m->expect_resched,
		     "seed %llu step %ld (%s): resched_curr %s", m->seed, m->step, op,
		     m->expect_resched ? "missing" : "not expected");
	cr_assert_eq(cfs_rq->min_vruntime, (uint64_t)m->min_v,
		     "seed %llu step %ld (%s): min_vruntime %llu, model %llu", m->seed, m->step, op,
		     (unsigned long long)cfs_rq->min_vruntime, (unsigned long long)m->min_v);
	cr_assert_geq((int64_t)(cfs_rq->min_vruntime - old_min), 0,
		      "seed %llu step %ld: min_vruntime went back", m->seed, m->step);
	for (int i = 0; i < NF; i++) {
		const struct ftask *t = &m->t[i];

		cr_assert_eq(tasks[i].se.vruntime, (uint64_t)t->v,
			     "seed %llu step %ld (%s): task %d vruntime %llu, model %llu", m->seed,
			     m->step, op, i, (unsigned long long)tasks[i].se.vruntime,
			     (unsigned long long)t->v);
		cr_assert_eq(tasks[i].se.sum_exec_runtime, t->sum, "seed %llu step %ld: task %d",
			     m->seed, m->step, i);
		cr_assert_eq(tasks[i].se.on_rq, t->queued, "seed %llu step %ld: task %d on_rq",
			     m->seed, m->step, i);
		if (t->queued) {
			nr++;
			load += (unsigned long)m_weight(t);
		}
		if (t->in_tree)
			order[n++] = i;
	}
	cr_assert_eq(cfs_rq->nr_running, (unsigned int)nr, "seed %llu step %ld", m->seed, m->step);
	cr_assert_eq(cfs_rq->load, load, "seed %llu step %ld", m->seed, m->step);
	/* The model's queue by (vruntime, arrival): insertion sort of at most NF. */
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0; b--) {
			const struct ftask *x = &m->t[order[b - 1]], *y = &m->t[order[b]];

			if (x->v < y->v || (x->v == y->v && x->seq < y->seq))
				break;
			int tmp = order[b];

			order[b] = order[b - 1];
			order[b - 1] = tmp;
		}
	node = rb_first(&cfs_rq->tasks_timeline.rb_root);
	cr_assert_eq(node, cfs_rq->tasks_timeline.rb_leftmost, "seed %llu step %ld: leftmost",
		     m->seed, m->step);
	for (int k = 0; k < n; k++, node = rb_next(node)) {
		cr_assert_not_null(node, "seed %llu step %ld: tree too short", m->seed, m->step);
		cr_assert_eq(rb_entry(node, struct task_struct, se.run_node), &tasks[order[k]],
			     "seed %llu step %ld (%s): tree position %d", m->seed, m->step, op, k);
	}
	cr_assert_null(node, "seed %llu step %ld: tree too long", m->seed, m->step);
	cr_assert_eq(sim_warnings, 0);
}

static void fair_model_run(long dflt)
{
	struct fair_model *m = &model;
	long iters = test_iters(dflt);

	m->seed = test_seed("sched_fair/model");
	m->curr = -1;
	m->min_v = -((i128)1 << 20);
	for (m->step = 0; m->step < iters; m->step++) {
		unsigned int r = (unsigned int)rnd_below(100);
		unsigned long before = sim_resched_calls;
		uint64_t old_min = sim_rq.cfs.min_vruntime;
		int i = (int)rnd_below(NF);
		const char *op;

		/* Both ways of switching, at random: the model does not tell them apart. */
		sim_fair_fast_path = rnd_below(2);

		if (r < 25) {
			op = m->t[i].started ? "wake" : "fork";
			if (m->t[i].queued)
				continue;
			m->ops[m->t[i].started]++;
			if (m->t[i].started)
				op_wake(m, i);
			else
				op_fork(m, i);
		} else if (r < 35 && m->curr >= 0) {
			op = "sleep";
			op_sleep(m);
			m->ops[2]++;
		} else if (r < 37 && m->curr >= 0) {
			op = "exit";	/* sleeps for good; the slot is forked again later */
			m->t[m->curr].started = false;
			op_sleep(m);
			m->ops[6]++;
		} else if (r < 40 && m->curr >= 0) {
			op = "yield";
			op_yield(m);
			m->ops[3]++;
		} else if (r < 45) {
			op = "renice";
			if (!m->t[i].started)
				continue;
			op_renice(m, i, random_nice());
			m->ops[4]++;
		} else {
			op = "tick";
			op_tick(m, random_tick());
			m->ops[5]++;
		}
		check(m, before, op, old_min);
		m->max_nr = MAX(m->max_nr, sim_rq.cfs.nr_running);
	}
	fprintf(stderr, "sched_fair/model: %ld steps: %lu forks, %lu wakeups, %lu sleeps, "
		"%lu yields, %lu renices, %lu ticks, %lu exits; up to %u runnable; %llu switches, "
		"%lu reschedules; min_vruntime %lld ms\n", iters, m->ops[0], m->ops[1], m->ops[2],
		m->ops[3], m->ops[4], m->ops[5], m->ops[6], m->max_nr,
		(unsigned long long)sim_rq.nr_switches, sim_resched_calls,
		(long long)(m->min_v / (i128)MS));
}

Test(sched_fair, model)
{
	fair_model_run(100000);
}

/* ---- scenarios ---- */

static struct task_struct t[8];

static void start(int k, int nice)
{
	sim_task_init(&t[k], k + 1, SCHED_NORMAL, nice);
	sim_fork(&t[k]);
}

static double share(int k, uint64_t since, uint64_t total)
{
	return (double)(t[k].se.sum_exec_runtime - since) / (double)total;
}

static double weight_share(int nice, const int *nices, int n)
{
	double sum = 0;

	for (int k = 0; k < n; k++)
		sum += sched_prio_to_weight[nices[k] + 20];
	return sched_prio_to_weight[nice + 20] / sum;
}

/* @n CPU hogs at @nices for 1 s after a warm-up: each share within 2 points of its weight. */
static void shares(const int *nices, int n, uint64_t tick)
{
	uint64_t before[8];

	for (int k = 0; k < n; k++)
		start(k, nices[k]);
	sim_run(100 * MS, tick);
	for (int k = 0; k < n; k++)
		before[k] = t[k].se.sum_exec_runtime;
	sim_run(NSEC_PER_SEC, tick);
	for (int k = 0; k < n; k++) {
		double got = share(k, before[k], NSEC_PER_SEC);
		double want = weight_share(nices[k], nices, n);

		cr_assert(got > want - 0.02 && got < want + 0.02,
			  "nice %d: %.2f%% of the CPU, its weight says %.2f%%", nices[k], got * 100,
			  want * 100);
	}
	cr_assert_eq(sim_warnings, 0);
}

Test(sched_fair, nice0_vs_nice5_1ms_tick)
{
	shares((const int[]){ 0, 5 }, 2, MS);
}

Test(sched_fair, nice0_vs_nice5_4ms_tick)
{
	shares((const int[]){ 0, 5 }, 2, 4 * MS);
}

Test(sched_fair, nice_minus5_0_5)
{
	shares((const int[]){ -5, 0, 5 }, 3, MS);
}

Test(sched_fair, eight_equal_hogs)
{
	shares((const int[]){ 0, 0, 0, 0, 0, 0, 0, 0 }, 8, MS);
}

/* When each task last started running, and the longest it ran at once. */
static uint64_t last_start[9], longest[9];

static int slot(struct task_struct *p)
{
	return p == &sim_idle ? 8 : (int)(p - t);
}

static void track(struct task_struct *prev, struct task_struct *next)
{
	uint64_t ran = sim_rq.clock - last_start[slot(prev)];

	if (ran > longest[slot(prev)])
		longest[slot(prev)] = ran;
	last_start[slot(next)] = sim_rq.clock;
}

Test(sched_fair, long_sleeper_does_not_monopolise)
{
	uint64_t woke, before[3];

	start(0, 0);
	start(1, 0);
	start(2, 0);
	sim_run(50 * MS, MS);
	while (sim_rq.curr != &t[2])
		sim_run(MS, MS);
	sim_sleep();
	sim_run(10 * NSEC_PER_SEC, MS);
	for (int k = 0; k < 3; k++)
		before[k] = t[k].se.sum_exec_runtime;
	memset(last_start, 0, sizeof(last_start));
	memset(longest, 0, sizeof(longest));
	woke = sim_rq.clock;
	sim_switch_hook = track;
	sim_wake(&t[2]);
	cr_assert_eq(sim_rq.curr, &t[2], "a sleeper is ahead by more than the wakeup granularity");
	sim_run(100 * MS, MS);
	/* Its lead is latency/2: a third of 100 ms plus 3 ms, and a tick of rounding. */
	cr_assert_leq(t[2].se.sum_exec_runtime - before[2], 100 * MS / 3 + 3 * MS + MS,
		      "the sleeper took %llu ns of 100 ms",
		      (unsigned long long)(t[2].se.sum_exec_runtime - before[2]));
	cr_assert_leq(longest[2], sysctl_sched_latency, "it ran %llu ns at once",
		      (unsigned long long)longest[2]);
	for (int k = 0; k < 2; k++) {
		cr_assert_geq(t[k].se.sum_exec_runtime - before[k], 100 * MS / 3 - 4 * MS);
		cr_assert_leq(last_start[k] - woke, 100 * MS, "task %d waited", k);
	}
}

Test(sched_fair, sleeper_is_not_starved)
{
	start(0, 0);
	start(1, 0);
	sim_run(2 * NSEC_PER_SEC, MS);
	start(2, 0);
	sim_run(MS, MS);
	while (sim_rq.curr != &t[2])
		sim_run(MS, MS);
	sim_sleep();
	sim_run(5 * MS, MS);
	sim_wake(&t[2]);
	cr_assert_eq(sim_rq.curr, &t[2], "a short sleeper keeps its place and preempts");
}

Test(sched_fair, new_task_does_not_starve_running_ones)
{
	uint64_t forked, before[5];

	for (int k = 0; k < 4; k++)
		start(k, 0);
	sim_run(NSEC_PER_SEC, MS);
	memset(last_start, 0, sizeof(last_start));
	forked = sim_rq.clock;
	sim_switch_hook = track;
	start(4, 0);
	cr_assert_neq(sim_rq.curr, &t[4], "a new task does not preempt at fork");
	for (int k = 0; k < 5; k++)
		before[k] = t[k].se.sum_exec_runtime;
	sim_run(2 * sysctl_sched_latency + 2 * MS, MS);
	for (int k = 0; k < 5; k++)
		cr_assert_gt(last_start[k], k == (int)(sim_rq.curr - t) ? 0 : forked,
			     "task %d did not run within two latency periods of the fork", k);
	sim_run(NSEC_PER_SEC, MS);
	for (int k = 0; k < 5; k++) {
		double got = (double)(t[k].se.sum_exec_runtime - before[k]) /
			     (double)(NSEC_PER_SEC + 2 * sysctl_sched_latency + 2 * MS);

		cr_assert(got > 0.18 && got < 0.22, "task %d: %.1f%%", k, got * 100);
	}
}

Test(sched_fair, fork_storm_does_not_starve)
{
	uint64_t before;

	start(0, 0);
	sim_run(10 * MS, MS);
	/* A new task every 3 ms: the first task still gets its turn among them all. */
	for (int k = 1; k < 8; k++) {
		start(k, 0);
		sim_run(3 * MS, MS);
	}
	before = t[0].se.sum_exec_runtime;
	sim_run(100 * MS, MS);
	cr_assert_geq(t[0].se.sum_exec_runtime - before, 100 * MS / 8 - 3 * MS);
}

/* Run until @p is the running task, then put it to sleep. */
static void sleep_when_running(struct task_struct *p)
{
	while (sim_rq.curr != p)
		sim_tick(100000);
	sim_sleep();
}

/*
 * A waking task preempts only if the running one is ahead by more than the wakeup
 * granularity, 1 ms of real time taken at the waker's weight: 1 ms of vruntime at nice 0,
 * 1024 / 335 = 3.06 ms at nice 5.
 */
Test(sched_fair, wakeup_granularity)
{
	unsigned long calls;
	uint64_t av;

	start(0, 0);
	start(1, 0);
	start(2, 5);
	start(3, 0);
	sleep_when_running(&t[1]);
	sleep_when_running(&t[2]);
	sleep_when_running(&t[3]);
	sim_run(10 * MS, MS);
	cr_assert_eq(sim_rq.curr, &t[0]);
	av = t[0].se.vruntime;
	calls = sim_resched_calls;
	t[1].se.vruntime = av - 900000;
	sim_wake(&t[1]);
	cr_assert_eq(sim_resched_calls, calls, "0.9 ms behind at nice 0: no preemption");
	t[2].se.vruntime = av - 2 * MS;
	sim_wake(&t[2]);
	cr_assert_eq(sim_resched_calls, calls, "2 ms behind at nice 5 (gran 3.06 ms): no preempt");
	cr_assert_eq(sim_rq.curr, &t[0]);
	t[3].se.vruntime = av - 1100000;
	sim_wake(&t[3]);
	cr_assert_eq(sim_resched_calls, calls + 1, "1.1 ms behind at nice 0: preempts");
	cr_assert_eq(sim_rq.curr, &t[2], "and the leftmost runs: the nice 5 task, 2 ms behind");
}

Test(sched_fair, yield_lets_the_others_run_first)
{
	start(0, 0);
	start(1, 0);
	start(2, 0);
	sim_run(30 * MS, MS);
	struct task_struct *y = sim_rq.curr;

	sim_yield();
	cr_assert_neq(sim_rq.curr, y);
	struct task_struct *second = sim_rq.curr;

	sim_sleep();
	cr_assert_neq(sim_rq.curr, y, "the yielder is behind both others");
	cr_assert_neq(sim_rq.curr, second);
	sim_sleep();
	cr_assert_eq(sim_rq.curr, y);
	sim_yield();
	cr_assert_eq(sim_rq.curr, y, "alone: yield returns at once");
}

Test(sched_fair, thousand_tasks_all_nice_levels)
{
	static struct task_struct many[1000];
	unsigned long load = 0;
	struct rb_node *node;
	uint64_t prev_v = 0;
	int n = 0;

	for (int k = 0; k < 1000; k++) {
		sim_task_init(&many[k], k + 1, SCHED_NORMAL, (k % 40) - 20);
		sim_fork(&many[k]);
		load += many[k].se.weight;
	}
	/* 1000 tasks stretch the period to 750 ms; run a few of them. */
	sim_run(3 * NSEC_PER_SEC, MS);
	cr_assert_eq(sim_rq.cfs.nr_running, 1000);
	cr_assert_eq(sim_rq.cfs.load, load);
	for (node = rb_first(&sim_rq.cfs.tasks_timeline.rb_root); node; node = rb_next(node)) {
		uint64_t v = rb_entry(node, struct sched_entity, run_node)->vruntime;

		cr_assert(n == 0 || (int64_t)(v - prev_v) >= 0, "tree out of order at %d", n);
		prev_v = v;
		n++;
	}
	cr_assert_eq(n, 999, "all but the running task are in the tree");
	/* Heavier tasks ran more: nice -20 (k = 0) against nice 19 (k = 39). */
	cr_assert_gt(many[0].se.sum_exec_runtime, 10 * many[39].se.sum_exec_runtime);
	cr_assert_eq(sim_warnings, 0);
}
