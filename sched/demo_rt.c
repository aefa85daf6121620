/*
 * demo=fifo and demo=rr: the course's real-time rules, watched on one CPU (docs/sched.md,
 * "The real-time class"). Three threads A, B, C are queued together, in that order, and
 * the demo prints the order in which they ran, then each one's stretches of CPU time.
 *
 * fifo: each thread runs three times 10 ms. At equal priorities a SCHED_FIFO thread runs
 *       until it is done (A A A B B B C C C); with C above B above A the highest runs
 *       first (C C C B B B A A A); with sched_yield() after each run, the yield sends the
 *       thread to the tail of its level (A B C A B C A B C).
 * rr:   each thread spins 150 ms. At equal priorities SCHED_RR hands the CPU on at the end
 *       of every 100 ms slice (A B C A B C: 100 ms turns, then the 50 ms left); at different
 *       priorities the slice changes nothing: C, alone at its level, gets a fresh slice
 *       and goes on (C B A, 150 ms each).
 *
 * Limits: the rt throttle (950 ms of every second) would cut into a slice if the parts of
 * rr ran back to back, so it sleeps half a second between them; the thread that runs the
 * demo is a fair one, so nothing it does interleaves with the rt threads.
 */
#include <kernel/demo.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <sched/runlog.h>
#include <sched/workers.h>

#define NR_THREADS	3
#define FIFO_RUNS	3
#define FIFO_RUN_NS	(10 * NSEC_PER_MSEC)
#define RR_WORK_NS	(150 * NSEC_PER_MSEC)
#define MAX_SEGS	256

static struct runlog_seg segs[MAX_SEGS];
static struct runlog runlog;

/* ns in tenths of a ms, to print as "%llu.%llu", t / 10, t % 10. */
static unsigned long long tenths(uint64_t ns)
{
	return ns / (NSEC_PER_MSEC / 10);
}

/* ---- fifo ---- */

struct fifo_demo {
	bool yield;		/* sched_yield() after each run */
	int order[NR_THREADS * FIFO_RUNS];	/* who finished each run, in order */
	unsigned int n;
};

struct fifo_thread {
	struct fifo_demo *demo;
	int who;
};

static int fifo_fn(void *data)
{
	struct fifo_thread *t = data;

	for (int r = 0; r < FIFO_RUNS; r++) {
		runlog_run(&runlog, t->who, FIFO_RUN_NS, NULL);
		preempt_disable();
		t->demo->order[t->demo->n++] = t->who;
		preempt_enable();
		if (t->demo->yield)
			yield();
	}
	return 0;
}

/* Each thread's turns, relative to @t0: "A 0.0-30.0, B ..." or, with !@when, "A 100.0, B ...". */
static void print_turns(const char *prefix, uint64_t t0, bool when)
{
	static struct runlog_seg turns[MAX_SEGS];
	unsigned int nr = runlog_turns(&runlog, turns, MAX_SEGS);
	char buf[400];
	int n = 0;

	for (unsigned int i = 0; i < nr; i++) {
		const struct runlog_seg *s = &turns[i];

		n += scnprintf(buf + n, sizeof(buf) - n, "%s%c ", i ? ", " : "", 'A' + s->who);
		if (when)
			n += scnprintf(buf + n, sizeof(buf) - n, "%llu.%llu-", tenths(s->start - t0) / 10,
				       tenths(s->start - t0) % 10);
		n += scnprintf(buf + n, sizeof(buf) - n, "%llu.%llu",
			       tenths((when ? s->end - t0 : s->end - s->start)) / 10,
			       tenths((when ? s->end - t0 : s->end - s->start)) % 10);
	}
	pr_info("%s%s ms\n", prefix, buf);
}

static void fifo_part(const char *what, const int prio[NR_THREADS], bool yield)
{
	struct fifo_demo demo = { .yield = yield };
	struct fifo_thread t[NR_THREADS];
	struct task_struct *w[NR_THREADS];
	char name[16], order[2 * NR_THREADS * FIFO_RUNS + 1];
	uint64_t t0;
	int n = 0;

	runlog_init(&runlog, segs, MAX_SEGS);
	for (int i = 0; i < NR_THREADS; i++) {
		t[i] = (struct fifo_thread){ &demo, i };
		snprintf(name, sizeof(name), "fifo-%c", 'A' + i);
		w[i] = worker_create(fifo_fn, &t[i], name, SCHED_FIFO, prio[i]);
	}
	pr_info("fifo: %s (%d %d %d): A, B, C woken in turn, each runs %d x %llu ms\n", what,
		prio[0], prio[1], prio[2], FIFO_RUNS, tenths(FIFO_RUN_NS) / 10);
	t0 = sched_clock();
	workers_start(w, NR_THREADS);	/* they all run before this fair thread goes on */
	workers_join(w, NR_THREADS);
	for (unsigned int i = 0; i < demo.n; i++)
		n += scnprintf(order + n, sizeof(order) - n, "%s%c", i ? " " : "",
			       'A' + demo.order[i]);
	pr_info("fifo:   order: %s\n", order);
	print_turns("fifo:   ran: ", t0, true);
}

static void demo_fifo(void)
{
	static const int equal[NR_THREADS] = { 50, 50, 50 }, rising[NR_THREADS] = { 10, 20, 30 };

	fifo_part("equal priorities", equal, false);
	fifo_part("C above B above A", rising, false);
	fifo_part("equal, sched_yield() after each run", equal, true);
}
DEMO(fifo, demo_fifo, "three SCHED_FIFO threads: run to completion, by priority, yield");

/* ---- rr ---- */

static int rr_fn(void *data)
{
	runlog_run(&runlog, (int)(long)data, RR_WORK_NS, NULL);
	return 0;
}

static void rr_part(const char *what, const int prio[NR_THREADS])
{
	struct task_struct *w[NR_THREADS];
	char name[16];

	runlog_init(&runlog, segs, MAX_SEGS);
	for (long i = 0; i < NR_THREADS; i++) {
		snprintf(name, sizeof(name), "rr-%c", (char)('A' + i));
		w[i] = worker_create(rr_fn, (void *)i, name, SCHED_RR, prio[i]);
	}
	pr_info("rr: %s (%d %d %d): A, B, C woken in turn, each spins %llu ms, slice %llu ms\n",
		what, prio[0], prio[1], prio[2], tenths(RR_WORK_NS) / 10,
		tenths(sysctl_sched_rr_timeslice) / 10);
	workers_start(w, NR_THREADS);
	workers_join(w, NR_THREADS);
	print_turns("rr:   turns: ", 0, false);
}

static void demo_rr(void)
{
	static const int equal[NR_THREADS] = { 50, 50, 50 }, rising[NR_THREADS] = { 10, 20, 30 };

	rr_part("equal priorities", equal);
	msleep(500);	/* so the two parts never share one throttling period's 950 ms */
	rr_part("C above B above A", rising);
}
DEMO(rr, demo_rr, "three SCHED_RR threads: turns of one 100 ms slice, or by priority");
