/*
 * bench=sched: what the fair class's pick costs with 10, 1,000 and 10,000 runnable tasks,
 * in guest instructions under QEMU's -icount shift=0 (scripts/bench). Real tasks would need
 * a stack each, so the class runs on a private run queue that no CPU schedules from, filled
 * with bare task_structs (no stack, never run: only their sched_entity is used). Each cycle
 * is what a tick that ends a slice asks of the class: the clock moves 1 ms,
 * put_prev_task_fair puts the running task back in the tree (it just ran, so it goes right:
 * an insertion that walks the height of the tree and rebalances) and pick_next_task_fair
 * takes the leftmost out (an erase with rebalancing). Both calls are timed with rdtsc apart,
 * less the cost of an empty rdtsc pair; a warm-up of 2n cycles spreads the vruntimes first.
 * A balanced tree makes both grow like log2(n); scripts/bench prints the ratio.
 */
#include <asm/x86.h>
#include <kernel/bench.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/vmalloc.h>
#include <sched/sched.h>
#include <sched/task.h>

#define CYCLES	20000

static struct rq bench_rq;

static uint64_t rdtsc_overhead(void)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 100; i++) {
		uint64_t t0 = rdtsc(), t1 = rdtsc();

		best = MIN(best, t1 - t0);
	}
	return best;
}

static void fake_task(struct task_struct *p, int i)
{
	memset(p, 0, sizeof(*p));
	p->pid = -1 - i;
	p->policy = SCHED_NORMAL;
	p->static_prio = p->prio = DEFAULT_PRIO;
	p->sched_class = &fair_sched_class;
	set_load_weight(p);
	RB_CLEAR_NODE(&p->se.run_node);
	INIT_LIST_HEAD(&p->rt.run_list);
	p->se.vruntime = (uint64_t)i * 1000;	/* distinct, in the order they were made */
}

/* @n tasks queued, one picked; then @cycles put + pick cycles, each timed if @sum. */
static void cycle(struct rq *rq, struct task_struct **curr, long cycles, uint64_t over,
		  uint64_t *put, uint64_t *pick)
{
	for (long i = 0; i < cycles; i++) {
		uint64_t t0, t1, t2;

		rq->clock += NSEC_PER_MSEC;
		t0 = rdtsc();
		fair_sched_class.put_prev_task(rq, *curr);
		t1 = rdtsc();
		*curr = fair_sched_class.pick_next_task(rq);
		t2 = rdtsc();
		*put += t1 - t0 - over;
		*pick += t2 - t1 - over;
	}
}

static void bench_size(int n, uint64_t over)
{
	struct task_struct *tasks = vzalloc((size_t)n * sizeof(*tasks)), *curr;
	struct rq *rq = &bench_rq;
	uint64_t put = 0, pick = 0;

	if (!tasks) {
		pr_err("bench: sched: no memory for %d tasks\n", n);
		return;
	}
	memset(rq, 0, sizeof(*rq));
	init_cfs_rq(&rq->cfs);
	rq->clock = NSEC_PER_SEC;
	for (int i = 0; i < n; i++) {
		fake_task(&tasks[i], i);
		fair_sched_class.enqueue_task(rq, &tasks[i], 0);
	}
	curr = fair_sched_class.pick_next_task(rq);
	cycle(rq, &curr, 2l * n, over, &put, &pick);	/* warm-up, not counted */
	put = pick = 0;
	cycle(rq, &curr, CYCLES, over, &put, &pick);
	pr_info("bench: sched: %5d runnable: pick_next_task_fair %llu, put_prev_task_fair %llu, "
		"pair %llu TSC ticks (%d cycles)\n", n, (unsigned long long)(pick / CYCLES),
		(unsigned long long)(put / CYCLES), (unsigned long long)((pick + put) / CYCLES),
		CYCLES);
	vfree(tasks);
}

static void bench_sched(void)
{
	uint64_t over = rdtsc_overhead();

	pr_info("bench: sched: task_struct %zu bytes, rdtsc pair %llu ticks subtracted\n",
		sizeof(struct task_struct), (unsigned long long)over);
	bench_size(10, over);
	bench_size(1000, over);
	bench_size(10000, over);
}
KBENCH(sched, bench_sched, "fair pick_next_task + put_prev_task on a private run queue of "
       "10, 1,000 and 10,000 tasks");
