/*
 * The scheduler as the rest of the kernel uses it: the running task (`current`), kernel
 * threads, sleeping and waking, yielding, the task list, and the scheduling policy calls
 * that become system calls with the user-process issue. The types are in sched/sched.h;
 * wait queues, completions and mutexes have their own headers (sched/wait.h,
 * sched/completion.h, sched/mutex.h); timers and jiffies are in kernel/hrtimer.h.
 *
 * A task's life (the course's state diagram, Linux's values in sched/sched.h):
 *   kthread_create -> TASK_NEW --wake_up_process--> TASK_RUNNING (runnable, or running
 *   when it is rq->curr) --set_current_state(TASK_(UN)INTERRUPTIBLE) + schedule()-->
 *   sleeping --wake_up_process / wake_up(wq)--> TASK_RUNNING ... --return or do_exit-->
 *   TASK_DEAD (off the task list; freed when the last reference goes).
 *   sched_stop_task/sched_cont_task move a task to and from __TASK_STOPPED.
 * docs/sched.md explains it with the code.
 */
#ifndef SCHED_TASK_H
#define SCHED_TASK_H

#include <kernel/percpu.h>
#include <kernel/preempt.h>
#include <sched/sched.h>

/* Task states beyond sched/sched.h's, Linux's values. */
#define TASK_NEW	0x0800	/* created, never woken yet (kthread_create without run) */
#define TASK_NORMAL	(TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)
#define TASK_STOPPED	__TASK_STOPPED

/* The task running on this CPU. One %gs-relative load (struct cpu, percpu.h). */
static __always_inline struct task_struct *get_current(void)
{
	struct task_struct *t;

	__asm__("movq %%gs:%c1, %0" : "=r"(t) : "i"(offsetof(struct cpu, current_task)));
	return t;
}
#define current get_current()

/*
 * Say what the task is about to do before testing the condition it waits for, so a
 * wakeup between the test and schedule() is not lost: the waker sets TASK_RUNNING and
 * schedule() then returns at once. The exchange orders the store before the test's loads.
 */
#define set_current_state(s)	((void)__atomic_exchange_n(&current->state, (s), __ATOMIC_SEQ_CST))
#define __set_current_state(s)	WRITE_ONCE(current->state, (s))

static inline bool need_resched(void) { return READ_ONCE(current->need_resched); }
static inline bool task_is_running(const struct task_struct *p) { return p->state == TASK_RUNNING; }

/* ---- kernel threads (kernel/kthread.c) ------------------------------------------------ */

/*
 * A new kernel thread that will run @fn(@data) and exit with its return value. The name
 * (`ps`'s COMM) is printf-formatted and cut to 15 characters. The thread starts in
 * TASK_NEW and does not run until wake_up_process(); it is SCHED_NORMAL, nice 0.
 * Returns NULL when out of memory.
 */
struct task_struct *kthread_create(int (*fn)(void *data), void *data, const char *fmt, ...)
	__printf(3, 4);

/* kthread_create + wake_up_process. */
#define kthread_run(fn, data, ...) ({                                                       \
	struct task_struct *__k = kthread_create(fn, data, __VA_ARGS__);                     \
	if (__k)                                                                             \
		wake_up_process(__k);                                                        \
	__k;                                                                                 \
})

/*
 * Ask @k to stop (kthread_should_stop() becomes true), wake it, wait until it exited and
 * return its exit code: the join. A thread never woken exits with -EINTR without running
 * its function. If @k may exit on its own before this call, hold a reference
 * (get_task_struct) from its creation, as on Linux, or it may be freed already.
 */
int kthread_stop(struct task_struct *k);
bool kthread_should_stop(void);		/* for the running kernel thread */
/* Run the current kernel thread in @mm's address space, and give it back (mm/ demos, tests). */
void kthread_use_mm(struct mm_struct *mm);
void kthread_unuse_mm(struct mm_struct *mm);

/* End the calling task with @code (what kthread_stop returns). */
void do_exit(int code) __noreturn;
#define kthread_exit(code) do_exit(code)

/* ---- tasks: references, the list, lookup (kernel/fork.c) ------------------------------ */

extern struct task_struct init_task;	/* pid 0, the boot CPU's idle task ("swapper/0") */
extern struct list_head task_list;	/* every live task, in creation order */
extern spinlock_t tasklist_lock;	/* guards task_list and pids (spin_lock_irqsave) */

/*
 * Walk every task. Hold tasklist_lock (interrupts off) throughout, so keep the body
 * short: copy what you want to print, then print after unlocking.
 */
#define for_each_process(p) list_for_each_entry(p, &task_list, tasks)

/* NULL if none. Hold tasklist_lock for as long as you use the result. */
struct task_struct *find_task_by_pid(int pid);
/* The same with a reference taken (or NULL): release it with put_task_struct(). */
struct task_struct *find_get_task_by_pid(int pid);

static inline void get_task_struct(struct task_struct *p)
{
	__atomic_add_fetch(&p->usage, 1, __ATOMIC_RELAXED);
}
void put_task_struct(struct task_struct *p);	/* frees the task at the last reference */

/*
 * Making tasks, for kernel/kthread.c (everyone else uses kthread_create): a task struct
 * from the "task_struct" slab cache with a pid, a kernel stack with a guard below it, on
 * the task list, in TASK_NEW, whose first switch-in calls @fn(@arg) and then do_exit()
 * with its result. NULL without memory.
 */
void fork_init(void);
struct task_struct *fork_idle(unsigned int cpu, void *stack);	/* an AP's idle task */
void free_idle_task(struct task_struct *p);			/* ... if the AP did not come up */
void init_idle(struct task_struct *idle, unsigned int cpu);	/* make it rq->curr, rq->idle */
struct task_struct *create_task(int (*fn)(void *), void *arg, const char *name);
void copy_thread(struct task_struct *p, int (*fn)(void *), void *arg);	/* sched/core.c */
void unhash_task(struct task_struct *p);	/* off task_list (do_exit) */
void kthread_exit_notify(struct task_struct *p);	/* kernel/kthread.c, from do_exit */
void do_task_dead(void) __noreturn;	/* sched/core.c: the final switch of do_exit */

/* `ps`'s letter for p->state: R S D T X, or N for a new task, I for an idle task. */
char task_state_char(const struct task_struct *p);

/* CPU time @p used so far, ns, including the running task's current slice. */
uint64_t task_sched_runtime(struct task_struct *p);

/* ---- scheduling (sched/core.c) -------------------------------------------------------- */

/* Give up the CPU; returns when this task is picked again. Never with a spinlock held. */
void schedule(void);

/*
 * Make a sleeping (or new) task runnable; true if it was asleep in one of @state's
 * states. Safe from interrupt handlers. Sets need_resched if @p should preempt current.
 */
int wake_up_process(struct task_struct *p);
int wake_up_state(struct task_struct *p, unsigned int state);

void yield(void);		/* sched_yield() from kernel code */
/* Reschedule if asked to and allowed; a preemption point for long loops. Returns 1 if it did. */
int cond_resched(void);

/* Scheduler entry points for the interrupt and timer code. */
void scheduler_tick(void);		/* every tick, in interrupt context */
void sched_init(void);			/* after mm_init: the boot flow becomes pid 0 */
void cpu_idle_loop(void) __noreturn;	/* what pid 0 does once the boot is done */
struct pt_regs;
void irqentry_exit_cond_resched(const struct pt_regs *regs);

/* ---- sleeping with a timeout (kernel/timer.c); timeouts are in jiffies (HZ = 1000) ---- */

#define MAX_SCHEDULE_TIMEOUT	((long)(~0ul >> 1))

/*
 * Sleep in the state the caller set (set_current_state) until woken or @timeout jiffies
 * passed. Returns the jiffies left (at least 1) when woken early, 0 when the time ran out.
 */
long schedule_timeout(long timeout);
/* The same until an absolute sched_clock() time (ns): 0 when it passed, -EINTR if woken early. */
int schedule_hrtimeout(uint64_t expires);
uint64_t nr_context_switches(void);	/* since boot, all CPUs */
long schedule_timeout_interruptible(long timeout);
long schedule_timeout_uninterruptible(long timeout);
void msleep(unsigned int msecs);		/* at least @msecs ms (uninterruptible) */
unsigned long msleep_interruptible(unsigned int msecs);	/* ms left if woken early */

/* ---- policies and priorities (sched/syscalls.c) --------------------------------------- */

struct sched_param {
	int sched_priority;	/* 1..99 for SCHED_FIFO and SCHED_RR, 0 otherwise */
};

#define MIN_NICE	-20
#define MAX_NICE	19
#define PRIO_PROCESS	0	/* setpriority's "which" for one task */

/*
 * Linux's kernel-internal calls on a task. sched_setscheduler checks its arguments as
 * Linux does: -EINVAL for an unknown policy (SCHED_DEADLINE is not implemented), a
 * priority out of 1..99 for FIFO/RR or not 0 for the others, a NULL @param; -EPERM for
 * the idle task. A change of policy or priority sets need_resched when it changes who
 * should run.
 */
int sched_setscheduler(struct task_struct *p, int policy, const struct sched_param *param);
void set_user_nice(struct task_struct *p, long nice);	/* ignores a nice out of -20..19 */

/*
 * Where @p may run (sched/core.c). Only the online CPUs of @mask count: none gives
 * -EINVAL. If @p's CPU is not in it, @p moves to one that is: at once if it is waiting
 * on a run queue, at its next switch if it runs (the caller itself: before this returns).
 * -EPERM for an idle task. The mask kept is @mask as given (a CPU that comes up later
 * counts), as Linux keeps it.
 */
int set_cpus_allowed(struct task_struct *p, cpumask_t mask);
/*
 * sched_setaffinity/getaffinity by pid (0: the caller; sched/syscalls.c): -ESRCH for no
 * such task, a negative pid included, as on Linux; set_cpus_allowed's errors otherwise.
 * CPUs past NR_CPUS in @mask are ignored. Getting gives the mask's online CPUs only.
 */
int sys_sched_setaffinity(int pid, cpumask_t mask);
int sys_sched_getaffinity(int pid, cpumask_t *mask);

/*
 * The system calls to be, by pid (0 = the calling task), returning -errno: -ESRCH for
 * no such task, -EINVAL for a negative pid or a bad argument.
 */
int sys_sched_setscheduler(int pid, int policy, const struct sched_param *param);
int sys_sched_getscheduler(int pid);
int sys_sched_setparam(int pid, const struct sched_param *param);
int sys_sched_getparam(int pid, struct sched_param *param);
int sys_sched_get_priority_max(int policy);
int sys_sched_get_priority_min(int policy);
int sys_sched_rr_get_interval(int pid, uint64_t *ns);
int sys_sched_yield(void);
int sys_setpriority(int which, int who, int niceval);	/* nice clamped to -20..19 */
int sys_getpriority(int which, int who);		/* 20 - nice (1..40), as Linux's */

/* "SCHED_FIFO" etc., or NULL for a value that is no policy. */
const char *sched_policy_name(int policy);

/*
 * Stop a task (SIGSTOP's effect, for the shell's kill -STOP): it leaves the run queue
 * and stays in TASK_STOPPED until sched_cont_task(). A sleeping task stops when it is
 * next woken. -EPERM for the idle task and for the calling task itself.
 */
int sched_stop_task(struct task_struct *p);
int sched_cont_task(struct task_struct *p);

#endif
