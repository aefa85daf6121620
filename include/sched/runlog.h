/*
 * Who ran when, seen from inside the running threads (sched/runlog.c), for the scheduling
 * demos and tests: each CPU-bound worker spins in runlog_run(), which notes every stretch
 * of time during which it ran while no other worker of the same log did. On one CPU that
 * is exactly the schedule among the workers: a new stretch starts whenever a worker sees
 * that the last one to run was someone else.
 *
 * A stretch runs from the first to the last time its worker read the clock, so it includes
 * what the kernel charged the worker meanwhile (interrupts, a stalled host) and misses only
 * the switch itself. A worker held up longer than RUNLOG_GAP_NS (by a thread that does
 * not log, a long interrupt, a stalled host) starts a new stretch; runlog_turns() joins
 * them again into turns.
 * Limits: one CPU; at most `max` stretches are kept (later ones are counted in `dropped`).
 */
#ifndef SCHED_RUNLOG_H
#define SCHED_RUNLOG_H

#include <kernel/compiler.h>

#define RUNLOG_GAP_NS	200000ull	/* 0.2 ms without a clock reading: someone else ran */

struct runlog_seg {
	uint64_t start, end;	/* sched_clock() ns */
	int who;		/* the worker's number, as given to runlog_run() */
};

struct runlog {
	struct runlog_seg *segs;
	unsigned int max, n;	/* room, used */
	unsigned int dropped;	/* stretches that found no room */
	int last;		/* the worker that logged last, -1 at first */
	uint64_t last_ns;	/* its last clock reading */
};

void runlog_init(struct runlog *log, struct runlog_seg *segs, unsigned int max);

/*
 * Spin as worker @who until it has run @cpu_ns more (task_sched_runtime: what the kernel
 * charges it) or *@stop became true (@stop may be NULL); every stretch is logged.
 */
void runlog_run(struct runlog *log, int who, uint64_t cpu_ns, const volatile bool *stop);

/*
 * The longest time between the end of one stretch of @who and the start of its next, ns,
 * over the stretches that start in [@since, @until) (sched_clock ns).
 */
uint64_t runlog_max_gap(const struct runlog *log, int who, uint64_t since, uint64_t until);

/*
 * The turns: consecutive stretches of one worker merged (a stretch is split when its
 * worker was held up longer than RUNLOG_GAP_NS, by a long interrupt or a stalled host, or
 * by a thread that does not log). Writes at most @max into @turns, which may be log->segs
 * itself; returns how many.
 */
unsigned int runlog_turns(const struct runlog *log, struct runlog_seg *turns, unsigned int max);

#endif
