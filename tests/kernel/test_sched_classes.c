/*
 * The scheduling classes in the running kernel, checked on the orders and numbers the
 * course states (docs/sched.md):
 *  - FIFO: a higher priority preempts at once; the preempted task resumes before the
 *    others of its level; sched_yield goes to the tail; equal priorities never preempt.
 *  - RR: equal priorities take turns of one slice (100 ms, within 10%); an RR task below
 *    a FIFO one never runs while the FIFO one is runnable.
 *  - CFS: nice 0 against nice 5 gets the weights' shares (75.35 / 24.65%) within 2 points
 *    over 1 s; a task that slept 10 s comes back half a latency period ahead, not 10 s,
 *    and shares from then on; a new task takes its share and no more.
 *  - A woken task that should preempt does so on the return from the interrupt that woke
 *    it, within the tick; the idle task runs only when nothing else can; a FIFO busy loop
 *    leaves the fair class its 5% (50 ms of every second), no more, no less.
 *
 * Orders are recorded by the threads themselves (a token each, appended with preemption
 * off) or by sched/runlog.c. Under QEMU without -icount the guest's clock is the host's,
 * so a host that stalls the virtual CPU lengthens whatever runs then; a stall can only
 * spoil a timing, never an order, so the timing checks take the best of a few tries and
 * print what they measured. The cases take about 15 s, 10 of them the long sleep.
 */
#include <kernel/hrtimer.h>
#include <kernel/ktest.h>
#include <kernel/sysctl.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <sched/runlog.h>
#include <sched/workers.h>
#include "wakeup_probe.h"

#define MS	NSEC_PER_MSEC
#define NSEGS	4096

static struct runlog_seg segs[NSEGS], turns[NSEGS];
static struct runlog rlog;
static volatile bool stop;

/* ---- who ran in which order ------------------------------------------------------------- */

static char order[128];

static void note(const char *token)
{
	size_t len;

	preempt_disable();
	len = strlen(order);
	strscpy(order + len, len ? " " : "", sizeof(order) - len);
	strscpy(order + strlen(order), token, sizeof(order) - strlen(order));
	preempt_enable();
}

/* A FIFO thread (rt_priority @prio) that runs @fn(@data), not started. */
static struct task_struct *fifo(int (*fn)(void *), void *data, const char *name, int prio)
{
	return worker_create(fn, data, name, SCHED_FIFO, prio);
}

static int note_h(void *data) { (void)data; note("H"); return 0; }
static int note_b(void *data) { (void)data; note("B"); return 0; }
static int note_c(void *data) { (void)data; note("C"); return 0; }
static int note_l2(void *data) { (void)data; note("L2"); return 0; }

static int low_wakes_high(void *data)
{
	note("L1");
	wake_up_process(data);	/* the higher one runs before this returns */
	note("L1'");
	return 0;
}

static void test_fifo_higher_preempts_and_preempted_resumes_first(struct ktest *t)
{
	struct task_struct *h = fifo(note_h, NULL, "ktest-fifo-H", 20);
	struct task_struct *w[2] = { fifo(low_wakes_high, h, "ktest-fifo-L1", 10),
				     fifo(note_l2, NULL, "ktest-fifo-L2", 10) };

	KTEST_ASSERT_TRUE(t, h && w[0] && w[1]);
	order[0] = '\0';
	workers_start(w, 2);	/* L1 first in its level, L2 behind it */
	workers_join(w, 2);
	worker_join(h);
	KTEST_EXPECT_STREQ(t, order, "L1 H L1' L2");
}

static int yields_between(void *data)
{
	(void)data;
	note("A1");
	yield();
	note("A2");
	return 0;
}

static void test_fifo_yield_goes_to_the_tail(struct ktest *t)
{
	struct task_struct *w[3] = { fifo(yields_between, NULL, "ktest-fifo-A", 10),
				     fifo(note_b, NULL, "ktest-fifo-B", 10),
				     fifo(note_c, NULL, "ktest-fifo-C", 10) };

	KTEST_ASSERT_TRUE(t, w[0] && w[1] && w[2]);
	order[0] = '\0';
	workers_start(w, 3);
	workers_join(w, 3);
	KTEST_EXPECT_STREQ(t, order, "A1 B C A2");
}

static int wakes_equal(void *data)
{
	note("A1");
	wake_up_process(data);
	note("A2");
	return 0;
}

static void test_fifo_equal_priorities_never_preempt(struct ktest *t)
{
	struct task_struct *b = fifo(note_b, NULL, "ktest-fifo-B", 10);
	struct task_struct *a = fifo(wakes_equal, b, "ktest-fifo-A", 10);

	KTEST_ASSERT_TRUE(t, a && b);
	order[0] = '\0';
	workers_start(&a, 1);
	worker_join(a);
	worker_join(b);
	KTEST_EXPECT_STREQ(t, order, "A1 A2 B");
}

/* ---- RR ------------------------------------------------------------------------------ */

struct rr_worker {
	int who;
	uint64_t cpu_ns;
	struct task_struct *wake;	/* woken after the first 10 ms, or NULL */
};

static int rr_fn(void *data)
{
	struct rr_worker *w = data;

	if (w->wake) {
		runlog_run(&rlog, w->who, 10 * MS, NULL);
		wake_up_process(w->wake);
	}
	runlog_run(&rlog, w->who, w->cpu_ns, NULL);
	return 0;
}

/* Two RR threads, 220 ms each: turns A B A B of 100 ms, then A B of 20 ms. */
static bool rr_try(struct ktest *t, bool last_try)
{
	struct rr_worker a = { 0, 220 * MS, NULL }, b = { 1, 220 * MS, NULL };
	struct task_struct *w[2] = { worker_create(rr_fn, &a, "ktest-rr-A", SCHED_RR, 10),
				     worker_create(rr_fn, &b, "ktest-rr-B", SCHED_RR, 10) };
	unsigned int n, good = 0;

	if (!w[0] || !w[1]) {
		workers_join(w, 2);
		KTEST_EXPECT_TRUE(t, false);
		return true;
	}
	runlog_init(&rlog, segs, NSEGS);
	workers_start(w, 2);
	workers_join(w, 2);
	n = runlog_turns(&rlog, turns, NSEGS);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t len = turns[i].end - turns[i].start;

		ktest_diag(t, "turn %u: %c %llu us", i, 'A' + turns[i].who,
			   (unsigned long long)(len / NSEC_PER_USEC));
		if (i < 4 && turns[i].who == (int)(i % 2) && len >= 90 * MS && len <= 110 * MS)
			good++;
	}
	if (good == 4 || last_try) {
		KTEST_EXPECT_TRUE(t, n >= 4);
		KTEST_EXPECT_EQ(t, good, 4);
		return true;
	}
	return false;
}

static void test_rr_equal_priorities_take_100ms_turns(struct ktest *t)
{
	for (int try = 0; try < 3 && !rr_try(t, try == 2); try++)
		ktest_diag(t, "a turn off by more than 10%%: the host stalled us? again");
}

static void test_rr_below_fifo_waits(struct ktest *t)
{
	struct rr_worker f = { 1, 100 * MS, NULL };
	struct task_struct *ff = worker_create(rr_fn, &f, "ktest-fifo-F", SCHED_FIFO, 20);
	struct rr_worker r = { 0, 30 * MS, ff };
	struct task_struct *rr = worker_create(rr_fn, &r, "ktest-rr-R", SCHED_RR, 10);
	unsigned int n;

	KTEST_ASSERT_TRUE(t, ff && rr);
	runlog_init(&rlog, segs, NSEGS);
	workers_start(&rr, 1);
	worker_stop(rr);
	worker_stop(ff);
	n = runlog_turns(&rlog, turns, NSEGS);
	/* R ran 10 ms, woke F, and got the CPU back only when F was done with its 100 ms. */
	KTEST_EXPECT_EQ(t, n, 3);
	KTEST_EXPECT_TRUE(t, n >= 3 && turns[0].who == 0 && turns[1].who == 1 &&
			  turns[2].who == 0);
	KTEST_EXPECT_TRUE(t, task_sched_runtime(ff) >= 100 * MS);
	worker_put(rr);
	worker_put(ff);
}

/* ---- CFS ----------------------------------------------------------------------------- */

static int spin_fn(void *data)
{
	(void)data;
	while (!kthread_should_stop())
		cpu_relax();
	return 0;
}

/* @part of @whole in hundredths of a percent. */
static unsigned long long bp(uint64_t part, uint64_t whole)
{
	return whole ? part * 10000 / whole : 0;
}

static bool nice5_try(struct ktest *t, bool last_try)
{
	struct task_struct *w[2] = {
		worker_create(spin_fn, NULL, "ktest-nice0", SCHED_NORMAL, 0),
		worker_create(spin_fn, NULL, "ktest-nice5", SCHED_NORMAL, 5),
	};
	uint64_t a0, b0, a, b;
	unsigned long long share;
	bool ok;

	if (!w[0] || !w[1]) {
		workers_join(w, 2);
		KTEST_EXPECT_TRUE(t, false);
		return true;
	}
	workers_start(w, 2);
	msleep(100);	/* into step */
	a0 = task_sched_runtime(w[0]);
	b0 = task_sched_runtime(w[1]);
	msleep(1000);
	a = task_sched_runtime(w[0]) - a0;
	b = task_sched_runtime(w[1]) - b0;
	workers_join(w, 2);
	share = bp(a, a + b);
	/* 1024 / (1024 + 335) = 75.35%, within 2 points. */
	ok = a + b >= 950 * MS && share >= 7335 && share <= 7735;
	ktest_diag(t, "nice 0: %llu ms, nice 5: %llu ms: %llu.%02llu%% (weights: 75.35%%)",
		   (unsigned long long)(a / MS), (unsigned long long)(b / MS),
		   (unsigned long long)(share / 100), (unsigned long long)(share % 100));
	if (ok || last_try) {
		KTEST_EXPECT_TRUE(t, ok);
		return true;
	}
	return false;
}

static void test_cfs_nice0_vs_nice5_shares(struct ktest *t)
{
	for (int try = 0; try < 3 && !nice5_try(t, try == 2); try++)
		;
}

struct sleeper {
	volatile bool awake;
	uint64_t v_before, v_woken, v_spinner;	/* vruntimes, ns */
	uint64_t exec_before;			/* the sleeper's CPU time when it slept */
	uint64_t z0, s0;			/* CPU times when it woke, ns */
	struct task_struct *spinner;
};

/* Spin, and log once the sleeper is back. */
static int log_after_wake(void *data)
{
	struct sleeper *s = data;

	while (!READ_ONCE(s->awake))
		cpu_relax();
	runlog_run(&rlog, 0, ~0ull, &stop);
	return 0;
}

static int sleeps_10s(void *data)
{
	struct sleeper *s = data;

	struct sched_entity *se = &current->se;
	unsigned long flags;

	s->v_before = se->vruntime;
	s->exec_before = se->sum_exec_runtime;
	msleep(10000);
	/*
	 * Running at once, the spinner off the CPU. We may have been charged already, even
	 * over more than one turn (an interrupt's wakeup of a kernel thread can preempt us):
	 * at nice 0 a vruntime grows by the CPU time, so take off all we ran since we slept.
	 */
	flags = local_irq_save();
	s->v_woken = se->vruntime - (se->sum_exec_runtime - s->exec_before);
	s->v_spinner = s->spinner->se.vruntime;
	local_irq_restore(flags);
	s->z0 = task_sched_runtime(current);
	s->s0 = task_sched_runtime(s->spinner);
	WRITE_ONCE(s->awake, true);
	runlog_run(&rlog, 1, ~0ull, &stop);
	return 0;
}

static void test_cfs_long_sleeper_does_not_monopolise(struct ktest *t)
{
	struct sleeper s = { .awake = false };
	struct task_struct *w[2];
	uint64_t credit = sysctl_sched_latency / 2, first, zs = 0, ss = 0;
	unsigned int n;

	runlog_init(&rlog, segs, NSEGS);
	stop = false;
	w[0] = worker_create(log_after_wake, &s, "ktest-spinner", SCHED_NORMAL, 0);
	w[1] = worker_create(sleeps_10s, &s, "ktest-sleeper", SCHED_NORMAL, 0);
	s.spinner = w[0];
	KTEST_ASSERT_TRUE(t, w[0] && w[1]);
	workers_start(w, 2);
	msleep(10400);
	if (s.awake) {	/* their CPU time in the 400 ms after the wakeup (we take a little) */
		zs = task_sched_runtime(w[1]) - s.z0;
		ss = task_sched_runtime(w[0]) - s.s0;
	}
	stop = true;
	workers_join(w, 2);
	KTEST_ASSERT_TRUE(t, s.awake);
	/* 10 s behind when it woke; put half a latency period (3 ms) ahead instead. */
	KTEST_EXPECT_TRUE(t, (int64_t)(s.v_spinner - s.v_before) > (int64_t)(9 * NSEC_PER_SEC));
	KTEST_EXPECT_TRUE(t, (int64_t)(s.v_spinner - s.v_woken) >= (int64_t)credit);
	/* Above: the spinner may have run a turn between our wakeup and the measurement. */
	KTEST_EXPECT_TRUE(t, (int64_t)(s.v_spinner - s.v_woken) <= (int64_t)(credit + 10 * MS));
	n = runlog_turns(&rlog, turns, NSEGS);
	KTEST_ASSERT_TRUE(t, n >= 3);
	KTEST_EXPECT_EQ(t, turns[0].who, 1);
	first = turns[0].end - turns[0].start;
	ktest_diag(t, "%llu ms behind, woken %llu us behind; first turn %llu us; then %llu ms "
		   "against %llu ms", (unsigned long long)((s.v_spinner - s.v_before) / MS),
		   (unsigned long long)((s.v_spinner - s.v_woken) / NSEC_PER_USEC),
		   (unsigned long long)(first / NSEC_PER_USEC), (unsigned long long)(zs / MS),
		   (unsigned long long)(ss / MS));
	/* Its lead is worth ~4 ms (3 ms plus the tick's rounding), not 10 s. */
	KTEST_EXPECT_TRUE(t, first <= 30 * MS);
	KTEST_EXPECT_TRUE(t, bp(zs, zs + ss) >= 3500 && bp(zs, zs + ss) <= 6500);
}

static int log_fn(void *data)
{
	runlog_run(&rlog, (int)(long)data, ~0ull, &stop);
	return 0;
}

static void test_cfs_new_task_does_not_starve_the_others(struct ktest *t)
{
	struct task_struct *w[3];
	uint64_t since, ran[3], sum = 0;
	unsigned int n, first_n = ~0u;

	runlog_init(&rlog, segs, NSEGS);
	stop = false;
	w[0] = worker_create(log_fn, (void *)0l, "ktest-old-A", SCHED_NORMAL, 0);
	w[1] = worker_create(log_fn, (void *)1l, "ktest-old-B", SCHED_NORMAL, 0);
	w[2] = worker_create(log_fn, (void *)2l, "ktest-new", SCHED_NORMAL, 0);
	KTEST_ASSERT_TRUE(t, w[0] && w[1] && w[2]);
	workers_start(w, 2);
	msleep(100);
	since = sched_clock();
	ran[0] = task_sched_runtime(w[0]);
	ran[1] = task_sched_runtime(w[1]);
	ran[2] = 0;
	workers_start(&w[2], 1);
	msleep(500);
	for (int i = 0; i < 3; i++) {
		ran[i] = task_sched_runtime(w[i]) - ran[i];
		sum += ran[i];
	}
	stop = true;
	workers_join(w, 3);
	n = runlog_turns(&rlog, turns, NSEGS);
	for (unsigned int i = 0; i < n && first_n == ~0u; i++)
		if (turns[i].who == 2 && turns[i].start >= since)
			first_n = i;
	ktest_diag(t, "500 ms after the fork: old %llu.%02llu%% and %llu.%02llu%%, new %llu.%02llu%%",
		   bp(ran[0], sum) / 100, bp(ran[0], sum) % 100, bp(ran[1], sum) / 100,
		   bp(ran[1], sum) % 100, bp(ran[2], sum) / 100, bp(ran[2], sum) % 100);
	KTEST_ASSERT_TRUE(t, first_n < n);
	/* A third each (within the host's noise); the newcomer starts with one slice. */
	KTEST_EXPECT_TRUE(t, turns[first_n].end - turns[first_n].start <= 20 * MS);
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_TRUE(t, bp(ran[i], sum) >= 2500 && bp(ran[i], sum) <= 4200);
}

/* ---- wakeups, idle, throttling ------------------------------------------------------------ */

/*
 * A fair task that slept while this one (fair too) ran 10 ms is 3 ms ahead when the timer
 * wakes it: it must take the CPU on the return from that very interrupt, which the busy
 * loop's count proves (not one more iteration), whatever the host does to the clock.
 */
static bool fair_wakeup_try(struct ktest *t, bool last_try)
{
	struct wakeup_probe w = { .ran = false };
	struct task_struct *k = worker_create(wakeup_probe_sleeper, &w, "ktest-waker", SCHED_NORMAL, 0);
	uint64_t start, late;
	bool ok;

	if (!k) {
		KTEST_EXPECT_TRUE(t, k != NULL);
		return true;
	}
	w.task = k;
	workers_start(&k, 1);
	msleep(2);	/* it runs and sleeps */
	hrtimer_init(&w.timer, wakeup_probe_timer);
	start = sched_clock();
	hrtimer_start(&w.timer, start + 10 * MS);
	while (!w.ran && sched_clock() - start < 500 * MS)
		w.loops++;
	worker_join(k);
	late = w.ran_at - w.fired_at;
	ok = w.ran && w.loops_at_irq > 0 && w.loops_at_run == w.loops_at_irq && late < TICK_NSEC;
	ktest_diag(t, "ran %llu ns after the timer woke it", (unsigned long long)late);
	if (ok || last_try) {
		KTEST_EXPECT_TRUE(t, w.ran);
		KTEST_EXPECT_EQ(t, w.loops_at_run, w.loops_at_irq);
		KTEST_EXPECT_TRUE(t, late < TICK_NSEC);
		return true;
	}
	return false;
}

static void test_wakeup_preempts_within_a_tick(struct ktest *t)
{
	for (int try = 0; try < 3 && !fair_wakeup_try(t, try == 2); try++)
		;
}

static void test_idle_runs_only_when_nothing_else_can(struct ktest *t)
{
	struct task_struct *k = worker_create(spin_fn, NULL, "ktest-busy", SCHED_NORMAL, 0);
	uint64_t idle0, busy_idle, rest_idle;

	KTEST_ASSERT_TRUE(t, k != NULL);
	workers_start(&k, 1);
	msleep(1);
	idle0 = task_sched_runtime(&init_task);
	msleep(100);		/* the spinner has the CPU */
	busy_idle = task_sched_runtime(&init_task) - idle0;
	worker_join(k);
	idle0 = task_sched_runtime(&init_task);
	msleep(50);		/* nobody */
	rest_idle = task_sched_runtime(&init_task) - idle0;
	ktest_diag(t, "idle ran %llu ns beside a spinner, %llu us in 50 ms alone",
		   (unsigned long long)busy_idle, (unsigned long long)(rest_idle / NSEC_PER_USEC));
	KTEST_EXPECT_EQ(t, busy_idle, 0);
	KTEST_EXPECT_TRUE(t, rest_idle >= 40 * MS);
}

struct hog {
	struct task_struct *fair;
	uint64_t c1, c2, r1, r2;	/* clock and the fair task's CPU time, at 1 s and 2 s */
};

/* FIFO, 2 s: the second second is a whole throttling period's worth, wherever it starts. */
static int hog_fn(void *data)
{
	struct hog *h = data;
	uint64_t t0 = sched_clock();

	while (sched_clock() - t0 < NSEC_PER_SEC)
		cpu_relax();
	preempt_disable();	/* the two readings together */
	h->c1 = sched_clock();
	h->r1 = task_sched_runtime(h->fair);
	preempt_enable();
	while (sched_clock() - h->c1 < NSEC_PER_SEC)
		cpu_relax();
	preempt_disable();
	h->c2 = sched_clock();
	h->r2 = task_sched_runtime(h->fair);
	preempt_enable();
	return 0;
}

/* Does the fair task get between @lo and @hi basis points of the hog's second second? */
static bool throttle_try(struct ktest *t, bool last_try, unsigned int lo, unsigned int hi)
{
	struct hog h = { 0 };
	struct task_struct *w[2] = { worker_create(hog_fn, &h, "ktest-hog", SCHED_FIFO, 50),
				     worker_create(spin_fn, NULL, "ktest-fair", SCHED_NORMAL, 0) };
	unsigned long long share;

	h.fair = w[1];
	if (!w[0] || !w[1]) {
		workers_join(w, 2);
		KTEST_EXPECT_TRUE(t, false);
		return true;
	}
	workers_start(w, 2);
	worker_join(w[0]);	/* returns when the hog is done: we are fair too */
	worker_join(w[1]);
	share = bp(h.r2 - h.r1, h.c2 - h.c1);
	ktest_diag(t, "the fair task got %llu us of %llu us: %llu.%02llu%%",
		   (unsigned long long)((h.r2 - h.r1) / NSEC_PER_USEC),
		   (unsigned long long)((h.c2 - h.c1) / NSEC_PER_USEC),
		   (unsigned long long)(share / 100), (unsigned long long)(share % 100));
	if ((share >= lo && share <= hi) || last_try) {
		KTEST_EXPECT_TRUE(t, share >= lo && share <= hi);
		return true;
	}
	return false;
}

static void test_fifo_hog_leaves_the_fair_class_5_percent(struct ktest *t)
{
	for (int try = 0; try < 2 && !throttle_try(t, try == 1, 400, 600); try++)
		;
}

/* The throttle is a tunable: 700 of every 1000 ms for rt leaves the fair class 30%. */
static void test_rt_runtime_sysctl_sets_the_throttle(struct ktest *t)
{
	int64_t runtime = sysctl_sched_rt_runtime;

	KTEST_ASSERT_EQ(t, sysctl_write("kernel.sched_rt_runtime_us", "700000"), 0);
	KTEST_EXPECT_EQ(t, sysctl_sched_rt_runtime, 700000000);
	for (int try = 0; try < 2 && !throttle_try(t, try == 1, 2900, 3100); try++)
		;
	sysctl_sched_rt_runtime = runtime;
}

static const struct ktest_case sched_classes_cases[] = {
	KTEST_CASE(test_fifo_higher_preempts_and_preempted_resumes_first),
	KTEST_CASE(test_fifo_yield_goes_to_the_tail),
	KTEST_CASE(test_fifo_equal_priorities_never_preempt),
	KTEST_CASE(test_rr_equal_priorities_take_100ms_turns),
	KTEST_CASE(test_rr_below_fifo_waits),
	KTEST_CASE(test_cfs_nice0_vs_nice5_shares),
	KTEST_CASE(test_cfs_long_sleeper_does_not_monopolise),
	KTEST_CASE(test_cfs_new_task_does_not_starve_the_others),
	KTEST_CASE(test_wakeup_preempts_within_a_tick),
	KTEST_CASE(test_idle_runs_only_when_nothing_else_can),
	KTEST_CASE(test_fifo_hog_leaves_the_fair_class_5_percent),
	KTEST_CASE(test_rt_runtime_sysctl_sets_the_throttle),
	{},
};
KTEST_SUITE(sched_classes, sched_classes_cases);
