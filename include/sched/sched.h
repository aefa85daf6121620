/*
 * The scheduler's shared types: tasks, the per-CPU run queue and the scheduler
 * classes. sched/core.c owns the run queue (its lock held for every change) and
 * calls into the classes through struct sched_class; sched/rt.c, sched/fair.c and
 * sched/idle.c are the classes. The classes are pure cores: they touch no hardware,
 * take time only from rq->clock (ns) and ask for a reschedule only through
 * resched_curr(), so tests/host builds them unchanged with a fake core.
 * docs/sched.md walks through it.
 */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H

#include <kernel/compiler.h>
#include <kernel/cpumask.h>
#include <kernel/spinlock.h>
#include <lib/list.h>
#include <lib/rbtree.h>

/* Policies: the values of Linux's ABI (sched_setscheduler(2)). */
#define SCHED_NORMAL	0
#define SCHED_FIFO	1
#define SCHED_RR	2
#define SCHED_BATCH	3
#define SCHED_IDLE	5
#define SCHED_DEADLINE	6
#define SCHED_RESET_ON_FORK 0x40000000

/*
 * Priorities as Linux numbers them inside the kernel: 0..99 are real-time
 * (prio = MAX_RT_PRIO - 1 - rt_priority, so rt_priority 99 is prio 0, the highest),
 * 100..139 are nice -20..19. A lower prio number runs first.
 */
#define MAX_RT_PRIO	100
#define MAX_PRIO	140
#define DEFAULT_PRIO	120	/* nice 0 */
#define NICE_TO_PRIO(n)	((n) + DEFAULT_PRIO)
#define PRIO_TO_NICE(p)	((p) - DEFAULT_PRIO)

/* Task states, Linux's values; `ps` shows R S D T X. */
#define TASK_RUNNING		0x0000	/* running or on a run queue */
#define TASK_INTERRUPTIBLE	0x0001	/* sleeping; a signal (kill) wakes it */
#define TASK_UNINTERRUPTIBLE	0x0002	/* sleeping; only the awaited event wakes it */
#define __TASK_STOPPED		0x0004
#define TASK_DEAD		0x0080	/* exited, waiting to be reaped */

#define TASK_COMM_LEN	16
#define RR_TIMESLICE_NS	(100 * 1000000ull)	/* SCHED_RR quantum: 100 ms */
#define NICE_0_LOAD	1024

struct rq;
struct mm_struct;
struct kthread;
struct signal_struct;
struct files_struct;
struct completion;

/* What the fair class keeps per task. */
struct sched_entity {
	struct rb_node run_node;	/* in cfs_rq->tasks_timeline while queued and not running */
	unsigned long weight;		/* from the nice level: sched_prio_to_weight[] */
	uint32_t inv_weight;		/* 2^32 / weight, to divide by a multiply */
	bool on_rq;
	uint64_t exec_start;		/* rq clock when it last started running, ns */
	uint64_t sum_exec_runtime;	/* total CPU time, ns */
	uint64_t prev_sum_exec_runtime;	/* sum_exec_runtime when picked: this slice's start */
	uint64_t vruntime;		/* weighted CPU time, ns (nice 0: equal to real time) */
};

/* What the rt class keeps per task. */
struct sched_rt_entity {
	struct list_head run_list;	/* in rt_rq->queue[prio], the running task too */
	uint64_t time_slice;		/* SCHED_RR: ns left of the quantum */
	bool on_rq;
};

/* Saved kernel context of a task that is not running (sched/switch.S). */
struct thread_struct {
	uint64_t rsp;	/* callee-saved registers are on the stack below it */
};

struct task_struct {
	struct thread_struct thread;	/* first: switch_to finds rsp at offset 0 */
	volatile long state;		/* TASK_* */
	unsigned int flags;		/* PF_* */
	bool need_resched;		/* set by resched_curr(), acted on at the next preemption point */
	int on_rq;			/* queued on a run queue (a running task is too) */
	int cpu;			/* the CPU whose run queue holds it */
	cpumask_t cpus_mask;		/* where it may run (sched_setaffinity, taskset) */
	bool migrate_pending;		/* off its queue at a switch, to be moved (sched/smp.c) */
	int pid;
	char comm[TASK_COMM_LEN];

	int policy;			/* SCHED_* */
	int prio;			/* effective priority (0..139, lower runs first) */
	int static_prio;		/* from the nice value: 100..139 */
	unsigned int rt_priority;	/* 1..99 for SCHED_FIFO/RR, 0 otherwise */
	const struct sched_class *sched_class;
	struct sched_entity se;
	struct sched_rt_entity rt;

	void *stack;			/* bottom of the kernel stack */
	size_t stack_size;		/* bytes */
	struct mm_struct *mm;		/* user address space; NULL for kernel threads */
	struct mm_struct *active_mm;	/* the page tables it runs on (borrowed by kernel threads) */

	struct list_head tasks;		/* in the list of all tasks */
	uint64_t start_time;		/* ns since boot */
	uint64_t nvcsw, nivcsw;		/* voluntary and involuntary context switches */
	uint64_t min_flt, cow_flt;	/* page faults served for this task (mm/fault.c) */
	uint64_t maj_flt;		/* of them, those that read from swap */
	uint64_t bad_flt;		/* faults nothing could serve: an oops, or a test's catch */
	uint64_t oopses;		/* oops reports while it ran (one it survived: a stack overflow) */
	int exit_code;
	int usage;			/* references (get/put_task_struct); freed at 0 */
	struct kthread *kthread;	/* kernel threads: stop flag, exit completion */

	/* User processes (kernel/fork.c, exit.c, exec.c, signal.c); all NULL/0 for kthreads. */
	struct task_struct *parent;	/* who wait4()s for it: init (pid 1) once orphaned */
	struct list_head children;	/* its children, linked by their sibling */
	struct list_head sibling;
	int exit_state;			/* EXIT_ZOMBIE once exited and not reaped */
	int exit_signal;		/* sent to the parent at exit: SIGCHLD */
	struct signal_struct *signal;	/* pending and blocked signals, dispositions */
	struct files_struct *files;	/* open files */
	char *cwd;			/* the working directory, absolute; NULL: "/" */
	void *fpu;			/* FPU/SSE/AVX state, saved at switches (kernel/fpu.c) */
	uint64_t fsbase, gsbase;	/* arch_prctl(ARCH_SET_FS/GS): libc's thread pointer */
	uint64_t clear_child_tid;	/* set_tid_address(), kept for the ABI */
	struct completion *vfork_done;	/* a vfork child: its parent waits on this */
	bool did_exec;			/* has exec'd since fork: setpgid leaves it alone */
	uint64_t maxrss_pages;		/* the RSS high-water mark, kept at exit for wait4 */
	uint64_t cmin_flt, cmaj_flt, cmaxrss_pages, cruntime_ns;	/* of reaped children (getrusage) */
};

#define EXIT_ZOMBIE	0x0020	/* Linux's values */
#define EXIT_DEAD	0x0010

/* Task flags. */
#define PF_KTHREAD	0x00200000	/* a kernel thread */
#define PF_MEMALLOC	0x00000800	/* reclaiming: its own allocations must not reclaim again */
#define PF_IDLE		0x00000002	/* the idle task */

/* Flags for enqueue_task / dequeue_task. */
#define ENQUEUE_WAKEUP	0x01	/* the task was sleeping: fair places it (sleeper credit) */
#define ENQUEUE_HEAD	0x02	/* rt: at the head of its level (its priority was lowered) */
#define DEQUEUE_SLEEP	0x01	/* the task goes to sleep */

/*
 * A scheduling class. sched/core.c asks the classes in priority order
 * (for_each_class) for the next task; the first that has one wins.
 * Every hook runs with rq->lock held, interrupts off and rq->clock updated.
 *
 * The contract between the core and the classes (tests/host/sched_fake.c is a core that
 * keeps it, in a few lines per operation):
 * - The running task is rq->curr and stays "on the run queue" (p->on_rq, and se.on_rq or
 *   rt.on_rq set by its class). rt keeps it in its priority list, at its place; fair keeps it
 *   out of the tree, as cfs_rq->curr. The idle task is never enqueued.
 * - schedule(): if prev is going to sleep, dequeue_task(prev, DEQUEUE_SLEEP) first; then
 *   always put_prev_task(prev), whatever its class or state; then pick_next_task of each
 *   class in order until one returns a task, and run exactly that task (a pick has made it
 *   its class's current task: never discard it). Picking the same task again is fine.
 *   When every runnable task is fair and prev is fair, pick_next_task_fair_from(prev) may
 *   replace put_prev_task and the fair pick: the same in one call, cheaper.
 * - Preemption needs no flag: put_prev_task leaves a preempted rt task at the head of its
 *   level and puts a fair task back by vruntime.
 * - Wakeup: enqueue_task(p, ENQUEUE_WAKEUP), then check_preempt_curr: the class's hook if p
 *   and rq->curr share a class, resched_curr() if p's class is higher, nothing if lower.
 * - New task: task_fork(rq, p) with rq->curr the parent and p's policy, prio, static_prio,
 *   class and weight (set_load_weight) already set and its sched_entity zeroed; then
 *   enqueue_task(p, 0) and check_preempt_curr as for a wakeup.
 * - sched_yield(): yield_task(rq), then schedule().
 * - Changing prio, nice or policy of p (Linux's __sched_setscheduler): if queued,
 *   dequeue_task(p, 0); if running, put_prev_task(p); change the fields (set_load_weight
 *   while dequeued); if queued, enqueue_task(p, ENQUEUE_HEAD if it is an rt task whose
 *   priority was lowered, else 0); if running, set_next_task(p); then switched_to(p) of the
 *   new class if the class changed, else prio_changed(p, oldprio) if the prio changed.
 * - The tick: task_tick(rq->curr) on every tick, the idle task's included; every class's
 *   task_tick calls sched_rt_period_tick(), which ends the rt throttling period on time.
 * - rq->nr_running belongs to the core (activate/deactivate); the classes keep their own
 *   counts (rt_nr_running, cfs_rq->nr_running). Hooks call resched_curr(), never schedule().
 */
struct sched_class {
	const char *name;
	void (*enqueue_task)(struct rq *rq, struct task_struct *p, int flags);
	void (*dequeue_task)(struct rq *rq, struct task_struct *p, int flags);
	void (*yield_task)(struct rq *rq);	/* rq->curr calls sched_yield() */
	/* @p became runnable: should it preempt rq->curr (of this same class)? */
	void (*check_preempt_curr)(struct rq *rq, struct task_struct *p, int flags);
	/* The task to run next, made rq's running task of this class; NULL if none. */
	struct task_struct *(*pick_next_task)(struct rq *rq);
	/* @p stops running (still queued if on_rq): charge its time, put it back in order. */
	void (*put_prev_task)(struct rq *rq, struct task_struct *p);
	/* @p becomes the running task without a pick (e.g. after a policy change). */
	void (*set_next_task)(struct rq *rq, struct task_struct *p);
	/* The timer tick while @p runs: account time, expire slices, resched_curr(). */
	void (*task_tick)(struct rq *rq, struct task_struct *p);
	/* A new task @p is about to be woken for the first time: place it. */
	void (*task_fork)(struct rq *rq, struct task_struct *p);
	/* @p's priority changed from @oldprio (nice, rt_priority) while in this class. */
	void (*prio_changed)(struct rq *rq, struct task_struct *p, int oldprio);
	/* Optional: @p (on no queue) moves from @src to @dst; both locked. */
	void (*migrate_task_rq)(struct task_struct *p, struct rq *src, struct rq *dst);
	/* @p moved into this class. */
	void (*switched_to)(struct rq *rq, struct task_struct *p);
	/* Charge rq->curr's time up to rq->clock. */
	void (*update_curr)(struct rq *rq);
};

extern const struct sched_class rt_sched_class, fair_sched_class, idle_sched_class;
/* In priority order, highest first; the stop and deadline classes will go before rt. */
extern const struct sched_class *const sched_classes[];
extern const unsigned int nr_sched_classes;

#define for_each_class(c) \
	for (const struct sched_class *const *__c = sched_classes; \
	     __c < sched_classes + nr_sched_classes && ((c) = *__c); __c++)

/* The rt class's queue: one FIFO list per priority and a bitmap of non-empty ones. */
struct rt_rq {
	struct list_head queue[MAX_RT_PRIO];
	uint64_t bitmap[2];		/* bit prio set: queue[prio] is not empty */
	unsigned int rt_nr_running;
	uint64_t rt_time;		/* ns the rt class ran in this throttling period */
	uint64_t rt_period_start;	/* rq clock at the start of the period */
	bool rt_throttled;		/* used up sched_rt_runtime: rt waits for the period end */
};

/* The fair class's queue: runnable tasks ordered by vruntime (the leftmost runs next). */
struct cfs_rq {
	struct rb_root_cached tasks_timeline;
	struct sched_entity *curr;	/* the running fair entity (not in the tree), or NULL */
	unsigned int nr_running;	/* queued + curr */
	unsigned long load;		/* sum of weights of nr_running entities */
	uint64_t min_vruntime;		/* monotonic floor of the vruntimes, for placement */
};

/* One per CPU. */
struct rq {
	spinlock_t lock;
	int cpu;
	unsigned int nr_running;	/* all classes, the running task included */
	uint64_t clock;			/* ns, updated by update_rq_clock() before class hooks */
	struct task_struct *curr;
	struct task_struct *idle;
	struct rt_rq rt;
	struct cfs_rq cfs;
	uint64_t nr_switches;
};

/* Tunables (ns), as Linux's sysctls. */
extern uint64_t sysctl_sched_latency;		/* 6 ms: every runnable fair task runs once in it */
extern uint64_t sysctl_sched_min_granularity;	/* 0.75 ms: the shortest fair slice */
extern uint64_t sysctl_sched_wakeup_granularity;	/* 1 ms */
extern uint64_t sysctl_sched_rr_timeslice;	/* 100 ms */
extern uint64_t sysctl_sched_rt_period;		/* 1 s */
extern int64_t sysctl_sched_rt_runtime;		/* 950 ms; -1: no throttling */

extern const int sched_prio_to_weight[40];
extern const uint32_t sched_prio_to_wmult[40];

/* Provided by the core (sched/core.c; a fake in tests/host) for the classes. */
void resched_curr(struct rq *rq);

/*
 * The core's fast path when every runnable task is fair and @prev is fair: put_prev_task
 * and pick_next_task of the fair class in one, with the same result (sched/fair.c).
 * NULL when no fair task is runnable.
 */
struct task_struct *pick_next_task_fair_from(struct rq *rq, struct task_struct *prev);

/* Class helpers used by the core and by tests. */
void init_rt_rq(struct rt_rq *rt_rq);
void init_cfs_rq(struct cfs_rq *cfs_rq);
void set_load_weight(struct task_struct *p);	/* from p->static_prio; only while not queued */
/* Ends the rt throttling period when rq->clock passed it (sched/rt.c); see the contract. */
void sched_rt_period_tick(struct rq *rq);

static inline bool rt_prio(int prio) { return prio < MAX_RT_PRIO; }
static inline bool rt_policy(int policy) { return policy == SCHED_FIFO || policy == SCHED_RR; }
static inline int task_nice(const struct task_struct *p) { return PRIO_TO_NICE(p->static_prio); }

#endif
