/*
 * Host tests of the rt class (sched/rt.c) on the fake core (sched_fake.c).
 *
 * The model test runs random sequences of wakeups, sleeps, yields, ticks and priority
 * changes of FIFO and RR tasks crowded on a few levels, and after every step compares the
 * class with a reference model kept in a different shape: an array of tasks per level,
 * shifted by hand. It checks the running task, whether a reschedule was asked for, every
 * level's order, the bitmap, the count and every RR task's remaining slice. Throttling is
 * off there; the scenarios below test it, and the exact orders the kernel tests rely on.
 * Seeded: TEST_SEED replays a run, TEST_ITERS sets its length.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <string.h>

#include "rng.h"
#include "sched_fake.h"

#define MS NSEC_PER_MSEC

static void setup(void)
{
	sim_init();
}

TestSuite(sched_rt, .init = setup);

/* ---- the reference model ---- */

#define NT 12

struct mtask {
	int prio;		/* 0..99 */
	int policy;
	bool queued;
	uint64_t slice;		/* ns left, RR */
};

struct rt_model {
	struct mtask t[NT];
	int level[MAX_RT_PRIO][NT];	/* task indices, head first */
	int len[MAX_RT_PRIO];
	int curr;			/* task index, -1: idle */
	bool expect_resched;
	unsigned long long seed;
	long step;
	unsigned long ops[5], switches;	/* wake sleep yield setscheduler tick */
};

static struct task_struct tasks[NT];

static int idx_of(struct task_struct *p)
{
	return p == &sim_idle ? -1 : (int)(p - tasks);
}

static void m_remove(struct rt_model *m, int i)
{
	int prio = m->t[i].prio, k = 0;

	while (m->level[prio][k] != i)
		k++;
	memmove(&m->level[prio][k], &m->level[prio][k + 1],
		(size_t)(m->len[prio] - k - 1) * sizeof(int));
	m->len[prio]--;
}

static void m_add(struct rt_model *m, int i, bool head)
{
	int prio = m->t[i].prio;

	if (head) {
		memmove(&m->level[prio][1], &m->level[prio][0], (size_t)m->len[prio] * sizeof(int));
		m->level[prio][0] = i;
	} else {
		m->level[prio][m->len[prio]] = i;
	}
	m->len[prio]++;
}

static int m_first_prio(const struct rt_model *m)
{
	for (int prio = 0; prio < MAX_RT_PRIO; prio++)
		if (m->len[prio])
			return prio;
	return MAX_RT_PRIO;
}

/* What schedule() must choose: the head of the highest non-empty level. */
static void m_schedule(struct rt_model *m)
{
	int prio = m_first_prio(m);

	m->curr = prio == MAX_RT_PRIO ? -1 : m->level[prio][0];
}

static void m_charge(struct rt_model *m, uint64_t ns)
{
	struct mtask *c;

	if (m->curr < 0)
		return;
	c = &m->t[m->curr];
	if (c->policy == SCHED_RR)
		c->slice -= MIN(ns, c->slice);
}

static void check(struct rt_model *m, unsigned long resched_before, const char *op)
{
	struct rt_rq *rt_rq = &sim_rq.rt;
	unsigned int n = 0;

	cr_assert_eq(idx_of(sim_rq.curr), m->curr, "seed %llu step %ld (%s): running %d, model %d",
		     m->seed, m->step, op, idx_of(sim_rq.curr), m->curr);
	cr_assert_eq(sim_resched_calls != resched_before, m->expect_resched,
		     "seed %llu step %ld (%s): resched_curr %s", m->seed, m->step, op,
		     m->expect_resched ? "missing" : "not expected");
	for (int prio = 0; prio < MAX_RT_PRIO; prio++) {
		struct list_head *pos;
		int k = 0;

		list_for_each(pos, &rt_rq->queue[prio]) {
			struct task_struct *p = list_entry(pos, struct task_struct, rt.run_list);

			cr_assert_lt(k, m->len[prio], "seed %llu step %ld: level %d too long",
				     m->seed, m->step, prio);
			cr_assert_eq(idx_of(p), m->level[prio][k],
				     "seed %llu step %ld (%s): level %d position %d: %d, model %d",
				     m->seed, m->step, op, prio, k, idx_of(p), m->level[prio][k]);
			k++;
		}
		cr_assert_eq(k, m->len[prio], "seed %llu step %ld: level %d length", m->seed,
			     m->step, prio);
		cr_assert_eq(!!(rt_rq->bitmap[prio / 64] & (1ull << (prio % 64))), k > 0,
			     "seed %llu step %ld: bitmap bit %d", m->seed, m->step, prio);
		n += (unsigned int)k;
	}
	cr_assert_eq(rt_rq->rt_nr_running, n, "seed %llu step %ld", m->seed, m->step);
	for (int i = 0; i < NT; i++) {
		cr_assert_eq(tasks[i].rt.on_rq, m->t[i].queued, "seed %llu step %ld: task %d",
			     m->seed, m->step, i);
		if (tasks[i].policy == SCHED_RR)
			cr_assert_eq(tasks[i].rt.time_slice, m->t[i].slice,
				     "seed %llu step %ld (%s): task %d slice %llu, model %llu",
				     m->seed, m->step, op, i,
				     (unsigned long long)tasks[i].rt.time_slice,
				     (unsigned long long)m->t[i].slice);
	}
	cr_assert_eq(sim_warnings, 0);
}

/* A few crowded levels, so ties and head/tail decisions happen all the time. */
static int random_rt_priority(void)
{
	static const int choice[] = { 10, 11, 12, 50, 99 };

	return choice[rnd_below(ARRAY_SIZE(choice))];
}

static int random_policy(void)
{
	return rnd_below(2) ? SCHED_RR : SCHED_FIFO;
}

static void op_wake(struct rt_model *m, int i, bool fork)
{
	struct mtask *t = &m->t[i];

	t->queued = true;
	m_add(m, i, false);
	m->expect_resched = m->curr < 0 || t->prio < m->t[m->curr].prio;
	if (fork)
		sim_fork(&tasks[i]);
	else
		sim_wake(&tasks[i]);
	if (m->expect_resched)
		m_schedule(m);
}

static void op_sleep(struct rt_model *m)
{
	m->t[m->curr].queued = false;
	m_remove(m, m->curr);
	m->expect_resched = false;
	sim_sleep();
	m_schedule(m);
}

static void op_yield(struct rt_model *m)
{
	m_remove(m, m->curr);
	m_add(m, m->curr, false);
	m->expect_resched = false;
	sim_yield();
	m_schedule(m);
}

static void op_tick(struct rt_model *m, uint64_t ns)
{
	struct mtask *c = m->curr >= 0 ? &m->t[m->curr] : NULL;

	m_charge(m, ns);
	m->expect_resched = false;
	if (c && c->policy == SCHED_RR && !c->slice) {
		c->slice = sysctl_sched_rr_timeslice;
		if (m->len[c->prio] > 1) {
			m_remove(m, m->curr);
			m_add(m, m->curr, false);
			m->expect_resched = true;
		}
	}
	sim_tick(ns);
	if (m->expect_resched)
		m_schedule(m);
}

/* sched_setscheduler(2) within rt: a new level, FIFO or RR. */
static void op_setscheduler(struct rt_model *m, int i)
{
	struct mtask *t = &m->t[i];
	int policy = random_policy(), rtp = random_rt_priority(), oldprio = t->prio;

	m->expect_resched = false;
	if (policy == tasks[i].policy && (unsigned int)rtp == tasks[i].rt_priority)
		return;
	if (t->queued)
		m_remove(m, i);
	t->prio = sim_rt_prio(rtp);
	t->policy = policy;
	if (policy == SCHED_RR && !t->slice && t->queued)
		t->slice = sysctl_sched_rr_timeslice;	/* an enqueue refills an empty slice */
	if (t->queued)
		m_add(m, i, t->prio > oldprio);
	m->expect_resched = false;
	if (t->queued && t->prio != oldprio) {
		if (i == m->curr)
			m->expect_resched = m_first_prio(m) < t->prio;
		else
			m->expect_resched = m->curr < 0 || t->prio < m->t[m->curr].prio;
	}
	sim_setscheduler(&tasks[i], policy, rtp);
	if (m->expect_resched)
		m_schedule(m);
}

static struct rt_model model;

static void rt_model_run(long dflt)
{
	struct rt_model *m = &model;
	long iters = test_iters(dflt);

	m->seed = test_seed("sched_rt/model");
	sysctl_sched_rt_runtime = -1;	/* throttling has its own tests */
	m->curr = -1;
	for (int i = 0; i < NT; i++) {
		int policy = random_policy(), rtp = random_rt_priority();
		unsigned long before = sim_resched_calls;

		sim_task_init(&tasks[i], i + 1, policy, rtp);
		m->t[i] = (struct mtask){ .prio = sim_rt_prio(rtp), .policy = policy,
					  .slice = sysctl_sched_rr_timeslice };
		op_wake(m, i, true);	/* a fork enqueues like a wakeup in the rt class */
		check(m, before, "fork");
	}
	for (m->step = 0; m->step < iters; m->step++) {
		unsigned int r = (unsigned int)rnd_below(100);
		unsigned long before = sim_resched_calls;
		int i = (int)rnd_below(NT);
		const char *op;

		if (r < 30) {
			op = "wake";
			if (m->t[i].queued)
				continue;
			op_wake(m, i, false);
			m->ops[0]++;
		} else if (r < 42 && m->curr >= 0) {
			op = "sleep";
			op_sleep(m);
			m->ops[1]++;
		} else if (r < 50 && m->curr >= 0) {
			op = "yield";
			op_yield(m);
			m->ops[2]++;
		} else if (r < 60) {
			op = "setscheduler";
			op_setscheduler(m, i);
			m->ops[3]++;
		} else {
			op = "tick";
			op_tick(m, rnd_below(4) ? MS : 1 + rnd_below(5 * MS));
			m->ops[4]++;
		}
		check(m, before, op);
	}
	fprintf(stderr, "sched_rt/model: %ld steps: %lu wakeups, %lu sleeps, %lu yields, "
		"%lu setscheduler, %lu ticks; %llu switches, %lu reschedules\n", iters, m->ops[0],
		m->ops[1], m->ops[2], m->ops[3], m->ops[4], (unsigned long long)sim_rq.nr_switches,
		sim_resched_calls);
}

Test(sched_rt, model)
{
	rt_model_run(200000);
}

/* ---- scenarios ---- */

static struct task_struct a, b, c, f;

static void start(struct task_struct *p, int pid, int policy, int param)
{
	sim_task_init(p, pid, policy, param);
	sim_fork(p);
}

Test(sched_rt, fifo_orders)
{
	sysctl_sched_rt_runtime = -1;
	start(&a, 1, SCHED_FIFO, 50);
	cr_assert_eq(sim_rq.curr, &a);
	start(&b, 2, SCHED_FIFO, 50);
	cr_assert_eq(sim_rq.curr, &a, "equal priority must not preempt");
	sim_run(2000 * MS, MS);
	cr_assert_eq(sim_rq.curr, &a, "a FIFO task has no time slice");
	cr_assert_eq(b.se.sum_exec_runtime, 0);

	start(&c, 3, SCHED_FIFO, 60);
	cr_assert_eq(sim_rq.curr, &c, "a higher priority preempts at once");
	sim_run(5 * MS, MS);
	sim_sleep();
	cr_assert_eq(sim_rq.curr, &a, "the preempted task resumes before the others of its level");

	sim_yield();
	cr_assert_eq(sim_rq.curr, &b, "sched_yield goes to the tail");
	sim_sleep();
	cr_assert_eq(sim_rq.curr, &a);
	sim_yield();
	cr_assert_eq(sim_rq.curr, &a, "yield alone at its level: runs again");
	sim_sleep();
	cr_assert_eq(sim_rq.curr, &sim_idle);
	cr_assert_eq(sim_warnings, 0);
}

/* The switch log of a scenario: who ran from when. */
#define MAX_SWITCHES 64
static struct { uint64_t at; struct task_struct *next; } log_[MAX_SWITCHES];
static int nlog;

static void record(struct task_struct *prev, struct task_struct *next)
{
	(void)prev;
	if (nlog < MAX_SWITCHES)
		log_[nlog++] = (typeof(log_[0])){ sim_rq.clock, next };
}

Test(sched_rt, rr_slices_exactly_100ms)
{
	sysctl_sched_rt_runtime = -1;
	start(&a, 1, SCHED_RR, 50);
	start(&b, 2, SCHED_RR, 50);
	sim_switch_hook = record;
	sim_run(1000 * MS, MS);
	cr_assert_eq(nlog, 10);
	for (int k = 0; k < nlog; k++) {
		cr_assert_eq(log_[k].at, (uint64_t)(k + 1) * 100 * MS, "switch %d at %llu ns", k,
			     (unsigned long long)log_[k].at);
		cr_assert_eq(log_[k].next, k % 2 ? &a : &b);
	}
	cr_assert_eq(a.se.sum_exec_runtime, 500 * MS);
	cr_assert_eq(b.se.sum_exec_runtime, 500 * MS);
}

Test(sched_rt, rr_alone_keeps_running)
{
	sysctl_sched_rt_runtime = -1;
	start(&a, 1, SCHED_RR, 50);
	start(&b, 2, SCHED_RR, 40);
	sim_switch_hook = record;
	sim_run(500 * MS, MS);
	cr_assert_eq(nlog, 0, "alone at its level, an RR task just gets a fresh slice");
	cr_assert_eq(a.rt.time_slice, RR_TIMESLICE_NS);
}

Test(sched_rt, preempted_rr_keeps_the_rest_of_its_slice)
{
	sysctl_sched_rt_runtime = -1;
	start(&a, 1, SCHED_RR, 50);
	start(&b, 2, SCHED_RR, 50);
	sim_run(30 * MS, MS);
	start(&f, 3, SCHED_FIFO, 70);
	cr_assert_eq(sim_rq.curr, &f);
	sim_run(10 * MS, MS);
	sim_sleep();
	cr_assert_eq(sim_rq.curr, &a);
	sim_switch_hook = record;
	sim_run(100 * MS, MS);
	cr_assert_eq(nlog, 1);
	cr_assert_eq(log_[0].next, &b);
	cr_assert_eq(log_[0].at, 110 * MS, "a resumes with 70 ms left, at the head of its level");
}

Test(sched_rt, rr_below_fifo_never_runs)
{
	sysctl_sched_rt_runtime = -1;
	start(&a, 1, SCHED_RR, 10);
	start(&b, 2, SCHED_RR, 10);
	start(&f, 3, SCHED_FIFO, 20);
	sim_run(3000 * MS, MS);
	cr_assert_eq(sim_rq.curr, &f);
	cr_assert_eq(a.se.sum_exec_runtime + b.se.sum_exec_runtime, 0);
}

Test(sched_rt, lowered_priority_goes_to_head_of_new_level)
{
	sysctl_sched_rt_runtime = -1;
	start(&a, 1, SCHED_FIFO, 60);
	start(&b, 2, SCHED_FIFO, 50);
	start(&c, 3, SCHED_FIFO, 40);
	sim_setscheduler(&a, SCHED_FIFO, 55);
	cr_assert_eq(sim_rq.curr, &a, "still above b: keeps running");
	sim_setscheduler(&a, SCHED_FIFO, 50);
	cr_assert_eq(sim_rq.curr, &a, "equal to b now: no preemption, at the head");
	sim_setscheduler(&a, SCHED_FIFO, 30);
	cr_assert_eq(sim_rq.curr, &b, "below b: b runs");
	sim_setscheduler(&c, SCHED_FIFO, 70);
	cr_assert_eq(sim_rq.curr, &c, "a queued task raised above the running one runs");
	sim_sleep();
	cr_assert_eq(sim_rq.curr, &b, "b was preempted: back at the head of its level");
	sim_sleep();
	cr_assert_eq(sim_rq.curr, &a);
	cr_assert_eq(sim_warnings, 0);
}

/* Throttling: rt may take sysctl_sched_rt_runtime of every period, the fair class the rest. */
static void throttle_run(struct task_struct *fair, uint64_t tick)
{
	uint64_t hog_before = 0, fair_before = 0;

	start(&f, 1, SCHED_FIFO, 99);
	if (fair)
		start(fair, 2, SCHED_NORMAL, 0);
	for (int period = 0; period < 10; period++) {
		uint64_t hog, other;

		sim_run(NSEC_PER_SEC, tick);
		hog = f.se.sum_exec_runtime - hog_before;
		other = fair ? fair->se.sum_exec_runtime - fair_before : 0;
		cr_assert_leq(hog, 950 * MS + tick, "period %d: the hog ran %llu ns", period,
			      (unsigned long long)hog);
		cr_assert_geq(hog, 950 * MS - tick, "period %d: %llu ns", period,
			      (unsigned long long)hog);
		if (fair)
			cr_assert_eq(hog + other, NSEC_PER_SEC, "period %d: the fair task %llu ns",
				     period, (unsigned long long)other);
		hog_before = f.se.sum_exec_runtime;
		fair_before = fair ? fair->se.sum_exec_runtime : 0;
	}
	cr_assert_eq(sim_warnings, 0);
}

Test(sched_rt, throttle_fifo_hog_leaves_5_percent_to_fair)
{
	throttle_run(&a, MS);
	cr_assert_eq(f.se.sum_exec_runtime, 9500 * MS, "exactly 950 ms per second at a 1 ms tick");
}

Test(sched_rt, throttle_with_4ms_tick)
{
	throttle_run(&a, 4 * MS);
}

Test(sched_rt, throttle_ends_while_idle)
{
	sim_switch_hook = record;
	throttle_run(NULL, MS);
	cr_assert_eq(f.se.sum_exec_runtime, 9500 * MS);
	cr_assert_eq(log_[0].next, &f);
	cr_assert_eq(log_[1].next, &sim_idle);
	cr_assert_eq(log_[1].at, 950 * MS);
	cr_assert_eq(log_[2].next, &f);
	cr_assert_eq(log_[2].at, 1000 * MS, "the idle task's tick ends the period");
	cr_assert_eq(sim_idle.se.sum_exec_runtime, 500 * MS, "idle time is accounted");
}

Test(sched_rt, throttle_blocks_rr_too_and_unlimited_runtime)
{
	start(&a, 1, SCHED_RR, 10);
	start(&f, 2, SCHED_FIFO, 20);
	start(&b, 3, SCHED_NORMAL, 0);
	sim_run(2000 * MS, MS);
	cr_assert_eq(a.se.sum_exec_runtime, 0, "RR below FIFO never runs, throttled or not");
	cr_assert_eq(b.se.sum_exec_runtime, 100 * MS);
	sysctl_sched_rt_runtime = -1;
	sim_run(2000 * MS, MS);
	cr_assert_eq(b.se.sum_exec_runtime, 100 * MS, "no throttling: the fair task starves");
}

Test(sched_rt, woken_rt_task_waits_while_throttled)
{
	start(&f, 1, SCHED_FIFO, 20);
	start(&b, 2, SCHED_NORMAL, 0);
	sim_run(960 * MS, MS);
	cr_assert_eq(sim_rq.curr, &b);
	start(&a, 3, SCHED_FIFO, 90);
	cr_assert_eq(sim_rq.curr, &b, "throttled: even a higher rt task waits for the period");
	sim_run(40 * MS, MS);
	cr_assert_eq(sim_rq.curr, &a);
}

Test(sched_rt, enqueue_of_idle_is_a_bug, .signal = SIGABRT)
{
	cr_redirect_stderr();	/* the panic message is expected */
	idle_sched_class.enqueue_task(&sim_rq, &sim_idle, 0);
}

Test(sched_rt, idle_pick_and_classes_in_order)
{
	cr_assert_eq(nr_sched_classes, 3);
	cr_assert_eq(sched_classes[0], &rt_sched_class);
	cr_assert_eq(sched_classes[1], &fair_sched_class);
	cr_assert_eq(sched_classes[2], &idle_sched_class);
	cr_assert_eq(idle_sched_class.pick_next_task(&sim_rq), &sim_idle);
	cr_assert_null(rt_sched_class.pick_next_task(&sim_rq));
}
