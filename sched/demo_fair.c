/*
 * demo=cfs and demo=latency: the fair class's promises, measured (docs/sched.md, "The fair
 * class").
 *
 * cfs:     three CPU-bound threads at nice 0, 5 and -5 spin for 2 s; each one's CPU time
 *          (task_sched_runtime) as a share of theirs, beside the share its weight promises:
 *          1024, 335 and 3121 of 4480, i.e. 22.86%, 7.48% and 69.67%.
 * latency: N CPU-bound threads at nice 0 for 300 ms, N = 4 and N = 12: for each, the
 *          longest time it waited between two runs, against the period in which every
 *          runnable task should run once (sched_latency, 6 ms, stretched to N x 0.75 ms
 *          beyond 8 tasks). The tick decides when a slice ends, so a slice lasts the first
 *          whole number of ticks above it, and the wait is (N - 1) such slices.
 *
 * With slices of a whole tick or more the queue turns like a carousel, and a wait is the
 * others' slices; with 1-tick slices the tick's jitter (a slice of 0.97 ms, the next of
 * 1.03) reorders tasks of nearly equal vruntime, so a task is sometimes passed over once or
 * twice more: the waits come out a slice or two above the carousel's.
 *
 * Limits: the first 50 ms of the latency runs are left out (new tasks start one slice
 * apart and take a few rounds to fall into step), and so is the end, where the demo's
 * thread joins the workers one by one.
 */
#include <kernel/demo.h>
#include <kernel/hrtimer.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <sched/runlog.h>
#include <sched/workers.h>

#define CFS_THREADS	3
#define CFS_RUN_MS	2000
#define LAT_MAX		12
#define LAT_RUN_MS	300
#define LAT_WARMUP_NS	(50 * NSEC_PER_MSEC)
#define LAT_SEGS	2048

static volatile bool stop;

static int spin_fn(void *data)
{
	(void)data;
	while (!kthread_should_stop())
		cpu_relax();
	return 0;
}

/* ---- cfs ---- */

/* @part of @whole in hundredths of a percent. */
static unsigned long long basis_points(uint64_t part, uint64_t whole)
{
	return whole ? (part * 10000 + whole / 2) / whole : 0;
}

static void demo_cfs(void)
{
	static const int nice[CFS_THREADS] = { 0, 5, -5 };
	struct task_struct *w[CFS_THREADS];
	uint64_t start[CFS_THREADS], ran[CFS_THREADS], total = 0, weights = 0;
	char name[16];

	for (int i = 0; i < CFS_THREADS; i++) {
		snprintf(name, sizeof(name), "cfs-nice%d", nice[i]);
		w[i] = worker_create(spin_fn, NULL, name, SCHED_NORMAL, nice[i]);
		weights += (uint64_t)sched_prio_to_weight[nice[i] + 20];
	}
	pr_info("cfs: %d CPU-bound threads at nice 0, 5 and -5 for %d ms\n", CFS_THREADS,
		CFS_RUN_MS);
	workers_start(w, CFS_THREADS);
	for (int i = 0; i < CFS_THREADS; i++)
		start[i] = w[i] ? task_sched_runtime(w[i]) : 0;
	msleep(CFS_RUN_MS);
	for (int i = 0; i < CFS_THREADS; i++) {
		ran[i] = w[i] ? task_sched_runtime(w[i]) - start[i] : 0;
		total += ran[i];
	}
	workers_join(w, CFS_THREADS);
	for (int i = 0; i < CFS_THREADS; i++) {
		uint64_t weight = (uint64_t)sched_prio_to_weight[nice[i] + 20];
		unsigned long long got = basis_points(ran[i], total);
		unsigned long long due = basis_points(weight, weights);

		pr_info("cfs:   nice %2d: %5llu ms = %2llu.%02llu%%, weight %4llu/%llu = %2llu.%02llu%%\n",
			nice[i], (unsigned long long)(ran[i] / NSEC_PER_MSEC), got / 100, got % 100,
			(unsigned long long)weight, (unsigned long long)weights, due / 100,
			due % 100);
	}
}
DEMO(cfs, demo_cfs, "CPU-bound threads at nice 0, 5 and -5: shares against their weights");

/* ---- latency ---- */

static struct runlog_seg lat_segs[LAT_SEGS];
static struct runlog lat_log;

static int lat_fn(void *data)
{
	runlog_run(&lat_log, (int)(long)data, ~0ull, &stop);
	return 0;
}

/* How long a slice lasts at the tick: the first whole number of ticks above it, ns. */
static uint64_t ticked_slice(uint64_t slice)
{
	return (slice / TICK_NSEC + 1) * TICK_NSEC;
}

static void latency_run(unsigned int nr)
{
	uint64_t gran = sysctl_sched_min_granularity, lat = sysctl_sched_latency;
	uint64_t period = nr > lat / gran ? nr * gran : lat;
	uint64_t slice = MAX(period / nr, gran), worst = 0, since, until;
	struct task_struct *w[LAT_MAX];
	char name[16], buf[160];
	int n = 0;

	runlog_init(&lat_log, lat_segs, LAT_SEGS);
	stop = false;
	for (long i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "lat-%ld", i);
		w[i] = worker_create(lat_fn, (void *)i, name, SCHED_NORMAL, 0);
	}
	since = sched_clock() + LAT_WARMUP_NS;
	workers_start(w, nr);
	msleep(LAT_RUN_MS);
	until = sched_clock();	/* not the end, where this thread joins the workers one by one */
	stop = true;
	workers_join(w, nr);
	for (unsigned int i = 0; i < nr; i++) {
		uint64_t gap = runlog_max_gap(&lat_log, (int)i, since, until);

		worst = MAX(worst, gap);
		n += scnprintf(buf + n, sizeof(buf) - n, " %llu.%llu",
			       (unsigned long long)(gap / NSEC_PER_MSEC),
			       (unsigned long long)(gap / 100000 % 10));
	}
	pr_info("latency: %u threads: period %llu us, slice %llu us, ended by the tick after "
		"%llu ms\n", nr, (unsigned long long)(period / NSEC_PER_USEC),
		(unsigned long long)(slice / NSEC_PER_USEC),
		(unsigned long long)(ticked_slice(slice) / NSEC_PER_MSEC));
	pr_info("latency:   longest wait between two runs, ms:%s\n", buf);
	pr_info("latency:   worst %llu us; the others' slices: (%u - 1) x %llu ms = %llu ms\n",
		(unsigned long long)(worst / NSEC_PER_USEC), nr,
		(unsigned long long)(ticked_slice(slice) / NSEC_PER_MSEC),
		(unsigned long long)((nr - 1) * ticked_slice(slice) / NSEC_PER_MSEC));
}

static void demo_latency(void)
{
	pr_info("latency: sched_latency %llu us, sched_min_granularity %llu us, tick %llu us\n",
		(unsigned long long)(sysctl_sched_latency / NSEC_PER_USEC),
		(unsigned long long)(sysctl_sched_min_granularity / NSEC_PER_USEC),
		(unsigned long long)(TICK_NSEC / NSEC_PER_USEC));
	latency_run(4);
	latency_run(LAT_MAX);
}
DEMO(latency, demo_latency, "every runnable fair thread runs once per period: the waits measured");
