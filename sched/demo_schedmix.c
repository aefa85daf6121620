/*
 * demo=schedmix: all three kinds of thread on one CPU for 600 ms, to be recorded with the
 * scheduler trace and looked at as a picture (docs/sched.md, "Seeing the schedule"):
 *
 *	sched record
 *	demo schedmix
 *	sched stop
 *	sched map                  (or: sched dump, and scripts/sched-svg on the log)
 *
 * - mix-fifo, SCHED_FIFO 50, wakes every 25 ms on a timer and spins 2 ms: it preempts
 *   whoever runs at once, every time.
 * - mix-rr-A and mix-rr-B, SCHED_RR 10, sleep until 100 ms, then spin 150 ms of CPU time
 *   each: 100 ms slices, A B A B, and no fair thread runs meanwhile.
 * - mix-nice0 and mix-nice5, SCHED_NORMAL, spin throughout: they share what is left,
 *   about 3 to 1 (weights 1024 and 335).
 * At the end it prints each thread's CPU time, which the trace's running stretches must
 * add up to (tests/scenarios checks it).
 */
#include <kernel/demo.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <sched/workers.h>

#define MIX_MS		600
#define FIFO_PERIOD_NS	(25 * NSEC_PER_MSEC)
#define FIFO_RUN_NS	(2 * NSEC_PER_MSEC)
#define RR_START_NS	(100 * NSEC_PER_MSEC)
#define RR_WORK_NS	(150 * NSEC_PER_MSEC)

enum { MIX_FIFO, MIX_RR_A, MIX_RR_B, MIX_NICE0, MIX_NICE5, MIX_THREADS };

static uint64_t t0;	/* sched_clock() when the threads start */

/* Spin until the calling thread has used @ns more CPU time. */
static void spin_cpu(uint64_t ns)
{
	uint64_t end = task_sched_runtime(current) + ns;

	while (task_sched_runtime(current) < end)
		cpu_relax();
}

static void sleep_until(uint64_t when)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_hrtimeout(when);
}

static int fifo_fn(void *data)
{
	(void)data;
	for (uint64_t next = t0 + FIFO_PERIOD_NS; next < t0 + MIX_MS * NSEC_PER_MSEC;
	     next += FIFO_PERIOD_NS) {
		sleep_until(next);
		spin_cpu(FIFO_RUN_NS);
	}
	return 0;
}

static int rr_fn(void *data)
{
	(void)data;
	sleep_until(t0 + RR_START_NS);
	spin_cpu(RR_WORK_NS);
	return 0;
}

static int fair_fn(void *data)
{
	(void)data;
	while (!kthread_should_stop())
		cpu_relax();
	return 0;
}

static void demo_schedmix(void)
{
	static const struct {
		const char *name;
		int (*fn)(void *);
		int policy, param;
	} mix[MIX_THREADS] = {
		{ "mix-fifo", fifo_fn, SCHED_FIFO, 50 },
		{ "mix-rr-A", rr_fn, SCHED_RR, 10 },
		{ "mix-rr-B", rr_fn, SCHED_RR, 10 },
		{ "mix-nice0", fair_fn, SCHED_NORMAL, 0 },
		{ "mix-nice5", fair_fn, SCHED_NORMAL, 5 },
	};
	struct task_struct *w[MIX_THREADS];
	uint64_t ran[MIX_THREADS];
	int pid[MIX_THREADS];

	for (int i = 0; i < MIX_THREADS; i++)
		w[i] = worker_create(mix[i].fn, NULL, mix[i].name, mix[i].policy, mix[i].param);
	pr_info("schedmix: %d ms: FIFO 2 ms every 25 ms, two RR 150 ms each from 100 ms, "
		"fair at nice 0 and 5 throughout\n", MIX_MS);
	t0 = sched_clock();
	workers_start(w, MIX_THREADS);
	msleep(MIX_MS);
	for (int i = 0; i < MIX_THREADS; i++) {
		if (!w[i])
			continue;
		worker_stop(w[i]);	/* the rt ones have ended already */
		ran[i] = task_sched_runtime(w[i]);	/* all of its life: it is gone now */
		pid[i] = w[i]->pid;
		worker_put(w[i]);
	}
	for (int i = 0; i < MIX_THREADS; i++)
		if (w[i])
			pr_info("schedmix:   %-10s pid %3d %-11s %2d ran %4llu.%06llu ms\n",
				mix[i].name, pid[i], sched_policy_name(mix[i].policy),
				mix[i].param, (unsigned long long)(ran[i] / NSEC_PER_MSEC),
				(unsigned long long)(ran[i] % NSEC_PER_MSEC));
}
DEMO(schedmix, demo_schedmix, "FIFO, RR and fair threads together for 600 ms: record it");
