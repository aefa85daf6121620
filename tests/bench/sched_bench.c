/*
 * The fair class's switch path, counted in instructions by scripts/bench-sched under
 * callgrind. Usage: sched_bench SHAPE TASKS N, with TASKS runnable nice-0 tasks on the fake
 * core (tests/host/sched_fake.c), then N switches of SHAPE:
 *   switch   what a tick that ends a slice costs the class: 1 ms passes, put_prev_task puts
 *            the running task back in the tree (it just ran, so it goes far right) and
 *            pick_next_task takes the leftmost;
 *   churn    the same, plus one of the waiting tasks goes to sleep (dequeue_task) and one of
 *            TASKS / 10 sleepers wakes up (enqueue_task with ENQUEUE_WAKEUP): a busy system,
 *            where the tree changes between two switches.
 * The loops are out of line so the script can count inside the class's functions only; it
 * subtracts a run with N = 0, so setup (forks, a warm-up of 2 * TASKS switches) cancels out.
 * Built like tests/host (HOSTED_TEST) but at -O2 without sanitizers; not part of the
 * Criterion binary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_fake.h"

static struct task_struct *tasks;
static int *waiting, *sleeping;	/* indices into tasks[]: queued and not running; asleep */
static int *pos;			/* pos[task]: its index in waiting[] */
static int nwaiting, nsleeping;
static uint64_t rng = 88172645463325252ull;

static unsigned int rnd_below(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

/* One tick-driven switch inside the fair class. */
static void switch_once(void)
{
	struct rq *rq = &sim_rq;
	struct task_struct *prev = rq->curr;

	rq->clock += NSEC_PER_MSEC;
	fair_sched_class.put_prev_task(rq, prev);
	rq->curr = fair_sched_class.pick_next_task(rq);
	/* Keep the list of waiting tasks in step: prev waits now, the picked one does not. */
	if (rq->curr != prev) {
		int k = pos[rq->curr - tasks];

		waiting[k] = (int)(prev - tasks);
		pos[waiting[k]] = k;
	}
}

/* A waiting task sleeps, a sleeper wakes: the tree loses and gains one node elsewhere. */
static void churn_once(void)
{
	struct rq *rq = &sim_rq;
	int w = (int)rnd_below((unsigned int)nwaiting), s = (int)rnd_below((unsigned int)nsleeping);
	int goes = waiting[w], comes = sleeping[s];

	fair_sched_class.dequeue_task(rq, &tasks[goes], DEQUEUE_SLEEP);
	fair_sched_class.enqueue_task(rq, &tasks[comes], ENQUEUE_WAKEUP);
	waiting[w] = comes;
	pos[comes] = w;
	sleeping[s] = goes;
}

static __attribute__((noinline)) void run_switches(long n)
{
	for (long i = 0; i < n; i++)
		switch_once();
}

static __attribute__((noinline)) void run_churn(long n)
{
	for (long i = 0; i < n; i++) {
		churn_once();
		switch_once();
	}
}

int main(int argc, char **argv)
{
	int ntasks = argc > 2 ? atoi(argv[2]) : 0, nsleep = ntasks / 10 ? ntasks / 10 : 1;
	long n = argc > 3 ? atol(argv[3]) : -1;

	if (argc != 4 || ntasks < 2 || n < 0) {
		fprintf(stderr, "usage: sched_bench switch|churn TASKS N\n");
		return 2;
	}
	tasks = calloc((size_t)(ntasks + nsleep), sizeof(*tasks));
	waiting = calloc((size_t)ntasks, sizeof(int));
	sleeping = calloc((size_t)nsleep, sizeof(int));
	pos = calloc((size_t)(ntasks + nsleep), sizeof(int));
	if (!tasks || !waiting || !sleeping || !pos)
		return 1;
	sim_init();
	for (int k = 0; k < ntasks + nsleep; k++) {
		sim_task_init(&tasks[k], k + 1, SCHED_NORMAL, 0);
		sim_fork(&tasks[k]);
	}
	/* The last nsleep go to sleep at once; the rest are runnable. */
	for (int k = ntasks + nsleep - 1; k >= ntasks; k--) {
		if (sim_rq.curr != &tasks[k])
			fair_sched_class.dequeue_task(&sim_rq, &tasks[k], DEQUEUE_SLEEP);
		else
			sim_sleep();
		tasks[k].on_rq = 0;
		sleeping[nsleeping++] = k;
	}
	for (int k = 0; k < ntasks; k++)
		if (sim_rq.curr != &tasks[k]) {
			pos[k] = nwaiting;
			waiting[nwaiting++] = k;
		}
	run_switches(2L * ntasks);	/* warm-up: every task has run, vruntimes spread */
	if (!strcmp(argv[1], "switch"))
		run_switches(n);
	else if (!strcmp(argv[1], "churn"))
		run_churn(n);
	else {
		fprintf(stderr, "sched_bench: unknown shape %s\n", argv[1]);
		return 2;
	}
	if (sim_rq.cfs.nr_running != (unsigned int)ntasks || sim_warnings) {
		fprintf(stderr, "sched_bench: run queue wrong after the loop\n");
		return 1;
	}
	return 0;
}
