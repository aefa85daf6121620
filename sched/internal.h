/*
 * What the scheduler's own files share and nothing else should use: the per-CPU run
 * queues, putting tasks on and off them, and the pieces of a context switch.
 */
#ifndef SCHED_INTERNAL_H
#define SCHED_INTERNAL_H

#include <kernel/hrtimer.h>
#include <sched/task.h>

#define PF_STOP_PENDING	0x00000008	/* sched_stop_task() on a sleeper: stop at its wakeup */

extern struct rq runqueues[NR_CPUS];

static inline struct rq *cpu_rq(unsigned int cpu) { return &runqueues[cpu]; }
#ifdef HOSTED_TEST
static inline struct rq *this_rq(void) { return this_cpu()->rq; }
#else
static __always_inline struct rq *this_rq(void)	/* one %gs-relative load, as current */
{
	struct rq *rq;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(rq) : "i"(offsetof(struct cpu, rq)));
	return rq;
}
#endif
static inline struct rq *task_rq(const struct task_struct *p) { return cpu_rq(p->cpu); }

/* sched/smp.c: run queues of any CPU, moving tasks between them. */
struct rq *task_rq_lock(struct task_struct *p, unsigned long *flags);	/* irqs off, p->cpu's */
void task_rq_unlock(struct rq *rq, unsigned long flags);
void double_rq_lock(struct rq *a, struct rq *b);	/* interrupts already off */
void double_rq_unlock(struct rq *a, struct rq *b);
int select_task_rq(const struct task_struct *p);
void set_task_cpu(struct task_struct *p, struct rq *src, struct rq *dst);
void sched_finish_migration(struct task_struct *prev);

void update_rq_clock(struct rq *rq);
void activate_task(struct rq *rq, struct task_struct *p, int flags);	/* enqueue, on_rq */
void deactivate_task(struct rq *rq, struct task_struct *p, int flags);
void check_preempt_curr(struct rq *rq, struct task_struct *p, int flags);
int try_to_wake_up(struct task_struct *p, unsigned int state, int wake_flags);

/*
 * sched/switch.S: save prev's callee-saved registers and stack pointer, load next's.
 * Returns (in next) the task that switched to it, which may not be @prev of this call.
 */
struct task_struct *switch_to(struct task_struct *prev, struct task_struct *next);
void ret_from_kthread(void);		/* sched/switch.S: a new task's first return address */
void ret_from_fork(void);		/* kernel/entry_syscall.S: a forked child's */
void schedule_tail(struct task_struct *prev);
void finish_task_switch(struct task_struct *prev);


#endif
