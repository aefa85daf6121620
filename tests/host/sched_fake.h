/*
 * A fake scheduler core for the host tests and benchmarks of the scheduler classes
 * (sched/rt.c, fair.c, idle.c): one run queue whose clock the test moves, and the core's
 * side of the contract in include/sched/sched.h, each operation in a few lines: wake a task,
 * fork one, put the running task to sleep, yield, change a priority, and tick. A simulated
 * CPU: whenever a class asks for a reschedule (resched_curr), the fake core schedules at
 * once, as the real one does on the way out of the interrupt or system call.
 * No Criterion here: tests/bench links it too.
 */
#ifndef TESTS_HOST_SCHED_FAKE_H
#define TESTS_HOST_SCHED_FAKE_H

#include <sched/sched.h>

#define NSEC_PER_MSEC	1000000ull
#define NSEC_PER_SEC	1000000000ull

extern struct rq sim_rq;
extern struct task_struct sim_idle;
extern unsigned long sim_resched_calls;	/* resched_curr() calls since sim_init */
extern unsigned long sim_warnings;	/* WARN_ON()s hit since sim_init */

/*
 * Use pick_next_task_fair_from() where the kernel core does (every runnable task and prev
 * fair); false: always put_prev_task and ask each class. sim_init sets it.
 */
extern bool sim_fair_fast_path;

/* Called on every switch (prev != next), after rq->curr is next; NULL: none. */
extern void (*sim_switch_hook)(struct task_struct *prev, struct task_struct *next);

/* A fresh run queue at clock 0 running its idle task; the sysctls back at their defaults. */
void sim_init(void);

/*
 * A task that has never run: SCHED_NORMAL/BATCH with @param the nice level, or SCHED_FIFO/RR
 * with @param the rt_priority 1..99. Not queued; sim_fork() starts it.
 */
void sim_task_init(struct task_struct *p, int pid, int policy, int param);

/* Operations of the core, each followed by the preemption it asked for. */
void sim_fork(struct task_struct *p);		/* task_fork, enqueue, check_preempt */
void sim_wake(struct task_struct *p);		/* a sleeping task becomes runnable */
void sim_sleep(void);				/* rq->curr blocks */
void sim_yield(void);				/* rq->curr calls sched_yield() */
void sim_setscheduler(struct task_struct *p, int policy, int param);
void sim_schedule(void);

/* Let @ns pass on the clock, then the timer tick. */
void sim_tick(uint64_t ns);

/* Run for @ns of simulated time in ticks of @tick_ns (the last one may be shorter). */
void sim_run(uint64_t ns, uint64_t tick_ns);

/* The rt priority numbers: prio for rt_priority @rtp. */
static inline int sim_rt_prio(int rtp)
{
	return MAX_RT_PRIO - 1 - rtp;
}

#endif
