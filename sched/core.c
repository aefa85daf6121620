/*
 * The scheduler core: one run queue per CPU, schedule() and the context switch, waking
 * tasks up, the tick, and preemption. The policies themselves (who runs next, for how
 * long) are the scheduling classes' (sched/rt.c, sched/fair.c, sched/idle.c); the core
 * asks them in priority order (for_each_class) and never looks inside their queues.
 *
 * Invariants:
 *  - A run queue changes only with its lock held and interrupts off; the class hooks run so.
 *  - rq->curr is the running task and stays "on_rq" while it runs; the idle task is never
 *    queued, its class returns it when nothing else is runnable.
 *  - need_resched (per task) asks for a switch at the next preemption point: returning
 *    from an interrupt with preemption and interrupts enabled in the interrupted code,
 *    preempt_enable() reaching zero, cond_resched(), or a voluntary schedule().
 *  - Every task enters switch_to() with preempt_count == 2 (schedule's own disable plus
 *    the run-queue lock), which is why one per-CPU count serves all tasks. The lock taken
 *    by the task that switches away is released by the task that switches in
 *    (finish_task_switch), and schedule() always returns with interrupts enabled.
 * SMP: a run queue is locked by whoever changes it, from any CPU; a remote wakeup or
 * preemption sets need_resched there and sends the reschedule IPI (resched_curr). How
 * tasks move between run queues, and the locking for it, is sched/smp.c's.
 * The scheduler trace records at the switch and at a wakeup (include/sched/trace.h: one
 * predictable branch each while it is off). docs/sched.md walks through a switch.
 */
#define pr_fmt(fmt) "sched: " fmt

#include <asm/ptrace.h>
#include <asm/x86.h>
#include <kernel/oops.h>
#include <kernel/process.h>
#include <kernel/smp.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <mm/mmu_context.h>
#include <sched/task.h>
#include <sched/trace.h>
#include "internal.h"

struct rq runqueues[NR_CPUS];

/* Is class @a before class @b in priority order? */
static bool sched_class_above(const struct sched_class *a, const struct sched_class *b)
{
	const struct sched_class *c;

	for_each_class(c) {
		if (c == b)
			return false;
		if (c == a)
			return true;
	}
	return false;
}

void update_rq_clock(struct rq *rq)
{
	uint64_t now = sched_clock();

	if (now > rq->clock)	/* never backwards, whatever the TSC does */
		rq->clock = now;
}

void resched_curr(struct rq *rq)
{
	struct task_struct *curr = rq->curr;

	if (READ_ONCE(curr->need_resched))
		return;		/* asked already: an IPI is on its way or not needed */
	WRITE_ONCE(curr->need_resched, true);
	/* Another CPU sees the flag at its next interrupt: make that one now. */
	if (rq->cpu != (int)smp_processor_id())
		smp_send_reschedule((unsigned int)rq->cpu);
}

void activate_task(struct rq *rq, struct task_struct *p, int flags)
{
	p->sched_class->enqueue_task(rq, p, flags);
	p->on_rq = 1;
	rq->nr_running++;
}

void deactivate_task(struct rq *rq, struct task_struct *p, int flags)
{
	p->on_rq = 0;
	p->sched_class->dequeue_task(rq, p, flags);
	rq->nr_running--;
}

/* @p just became runnable on @rq: should it take the CPU from rq->curr? */
void check_preempt_curr(struct rq *rq, struct task_struct *p, int flags)
{
	struct task_struct *curr = rq->curr;

	if (p->sched_class == curr->sched_class)
		curr->sched_class->check_preempt_curr(rq, p, flags);
	else if (sched_class_above(p->sched_class, curr->sched_class))
		resched_curr(rq);
}

/* ---- waking up ------------------------------------------------------------------------ */

/* The first wakeup of a new task: its class places it (e.g. its first vruntime). */
static void wake_up_new_task(struct rq *rq, struct task_struct *p)
{
	p->state = TASK_RUNNING;
	if (p->sched_class->task_fork)
		p->sched_class->task_fork(rq, p);
	activate_task(rq, p, 0);
	trace_sched_wakeup(rq, p);
	check_preempt_curr(rq, p, 0);
}

/*
 * Lock the run queue @p should wake on: where it is, or (asleep or new, and its mask says
 * so) the one select_task_rq() picks, with p->cpu moved there. NULL if @p is no longer in
 * @state. Interrupts off in *flags' save, as task_rq_lock.
 */
static struct rq *wakeup_rq_lock(struct task_struct *p, unsigned int state, unsigned long *flags)
{
	for (;;) {
		struct rq *rq = task_rq_lock(p, flags), *dst;

		if (!(READ_ONCE(p->state) & state)) {
			task_rq_unlock(rq, *flags);
			return NULL;
		}
		if (p->on_rq || select_task_rq(p) == rq->cpu)
			return rq;
		dst = cpu_rq((unsigned int)select_task_rq(p));
		spin_unlock(&rq->lock);		/* interrupts stay off */
		double_rq_lock(rq, dst);
		if (task_rq(p) == rq && !p->on_rq && (p->state & state)) {
			set_task_cpu(p, rq, dst);
			spin_unlock(&rq->lock);
			return dst;
		}
		double_rq_unlock(rq, dst);	/* it changed meanwhile: look again */
		local_irq_restore(*flags);
	}
}

int try_to_wake_up(struct task_struct *p, unsigned int state, int wake_flags)
{
	unsigned long flags;
	struct rq *rq = wakeup_rq_lock(p, state, &flags);

	if (!rq)
		return 0;
	update_rq_clock(rq);
	if (p->state == TASK_NEW) {
		wake_up_new_task(rq, p);
		goto out;
	}
	if (p->flags & PF_STOP_PENDING) {	/* sched_stop_task() caught it asleep */
		p->flags &= ~PF_STOP_PENDING;
		p->state = TASK_STOPPED;
		goto out;
	}
	/*
	 * Still on the queue: it set its state but has not reached schedule() yet (or was
	 * preempted before it did). TASK_RUNNING makes that schedule() return at once.
	 */
	if (!p->on_rq) {
		activate_task(rq, p, ENQUEUE_WAKEUP);
		trace_sched_wakeup(rq, p);
		check_preempt_curr(rq, p, wake_flags);
	}
	WRITE_ONCE(p->state, TASK_RUNNING);
out:
	task_rq_unlock(rq, flags);
	return 1;
}

int wake_up_process(struct task_struct *p)
{
	return try_to_wake_up(p, TASK_NORMAL | TASK_NEW, 0);
}

int wake_up_state(struct task_struct *p, unsigned int state)
{
	return try_to_wake_up(p, state, 0);
}

/* ---- the switch ----------------------------------------------------------------------- */

/* The first class, in priority order, that has a runnable task wins; idle always has one. */
static struct task_struct *pick_next_task(struct rq *rq, struct task_struct *prev)
{
	const struct sched_class *class;
	struct task_struct *p;

	/* Every runnable task is fair (the common case): no other class can have the next one. */
	if (likely(rq->nr_running == rq->cfs.nr_running)) {
		if (prev->sched_class == &fair_sched_class) {
			p = pick_next_task_fair_from(rq, prev);
		} else {
			prev->sched_class->put_prev_task(rq, prev);
			p = fair_sched_class.pick_next_task(rq);
		}
		return p ? p : idle_sched_class.pick_next_task(rq);
	}
	prev->sched_class->put_prev_task(rq, prev);
	for_each_class(class) {
		p = class->pick_next_task(rq);
		if (p)
			return p;
	}
	panic("sched: no task to run, not even the idle task");
}

/*
 * Runs in the task switched to, right after switch_to: release the run-queue lock the
 * previous task took, turn interrupts on, and drop a dead task's last own reference (its
 * stack can go now: nothing runs on it any more).
 */
void finish_task_switch(struct task_struct *prev)
{
	struct rq *rq = this_rq();
	long prev_state = READ_ONCE(prev->state);

	spin_unlock_irq(&rq->lock);
	if (unlikely(prev->migrate_pending))
		sched_finish_migration(prev);
	if (prev_state == TASK_DEAD)
		put_task_struct(prev);
}

/* First code a new task runs (from ret_from_kthread in sched/switch.S). */
void schedule_tail(struct task_struct *prev)
{
	finish_task_switch(prev);
	preempt_enable();	/* schedule()'s disable, taken by the task that switched to us */
}

/*
 * What switch_to pops for a task that never ran: six callee-saved registers (r12 = the
 * function, r13 = its argument, rbp = 0 to end backtraces) and ret_from_kthread as the
 * return address. The order is switch_to's push order reversed.
 */
struct inactive_task_frame {
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret_addr;
};

_Static_assert(offsetof(struct task_struct, thread.rsp) == 0, "sched/switch.S reads rsp at 0");

void copy_thread(struct task_struct *p, int (*fn)(void *), void *arg)
{
	/* After the ret, rsp is 16-byte aligned, as the ABI wants it before a call. */
	uint64_t top = ALIGN_DOWN((uint64_t)p->stack + p->stack_size, 16) - 16;
	struct inactive_task_frame *f = (struct inactive_task_frame *)top - 1;

	*f = (struct inactive_task_frame){
		.r12 = (uint64_t)fn,
		.r13 = (uint64_t)arg,
		.ret_addr = (uint64_t)ret_from_kthread,
	};
	p->thread.rsp = (uint64_t)f;
}

/*
 * A forked child: its pt_regs, at the top of its stack where every entry from user mode
 * puts them, are the parent's at the fork with rax = 0 (fork returns 0 in the child); its
 * first switch_to "returns" into ret_from_fork (kernel/entry_syscall.S), which leaves to
 * user mode through them.
 */
void copy_thread_user(struct task_struct *p, const struct pt_regs *regs)
{
	struct pt_regs *child = task_pt_regs(p);
	struct inactive_task_frame *f = (struct inactive_task_frame *)child - 1;

	*child = *regs;
	child->rax = 0;
	*f = (struct inactive_task_frame){ .ret_addr = (uint64_t)ret_from_fork };
	p->thread.rsp = (uint64_t)f;
}

static void context_switch(struct rq *rq, struct task_struct *prev, struct task_struct *next)
{
	(void)rq;
	/*
	 * A kernel thread has no address space of its own: it borrows the page tables that
	 * are loaded (whose kernel half is the same in all), so CR3 is written only when the
	 * next task has an mm and it is not the one already loaded (switch_mm checks).
	 */
	struct cpu *cpu = this_cpu();
	uint64_t top = (uint64_t)next->stack + next->stack_size;

	if (next->mm)
		switch_mm(next->mm);
	next->active_mm = current_loaded_mm();
	/* The stack the CPU loads on an interrupt from user mode, and syscall's (entry_syscall.S). */
	cpu->tss.rsp[0] = top;
	cpu->top_of_stack = top;
	cpu->current_task = next;
	/* FPU registers, FS and GS bases: none between two kernel threads (the usual switch). */
	if (prev->fpu || next->fpu || next->signal)
		switch_user_context(prev, next);
	prev = switch_to(prev, next);
	finish_task_switch(prev);
}

/*
 * Pick the next task and switch to it. @preempt: the task is being preempted, not going
 * to sleep, so it stays queued whatever its state says (it may have set TASK_INTERRUPTIBLE
 * and been interrupted before it could call schedule()). Called with preemption disabled
 * once by the caller, the run-queue lock held and the clock updated; returns with the lock
 * released and interrupts enabled.
 */
static void __schedule_locked(struct rq *rq, bool preempt)
{
	struct task_struct *prev = rq->curr, *next;
	uint64_t *switch_count = &prev->nivcsw;

	if (!preempt && prev->state != TASK_RUNNING) {
		deactivate_task(rq, prev, DEQUEUE_SLEEP);
		switch_count = &prev->nvcsw;
	} else if (unlikely(!cpumask_test_cpu((unsigned int)rq->cpu, prev->cpus_mask)) &&
		   prev->state == TASK_RUNNING) {
		/* Its mask changed: off this queue, and the next task moves it (sched/smp.c). */
		deactivate_task(rq, prev, 0);
		prev->migrate_pending = true;
	}
	next = pick_next_task(rq, prev);
	prev->need_resched = false;
	if (likely(next != prev)) {
		rq->nr_switches++;
		(*switch_count)++;
		rq->curr = next;
		trace_sched_switch(rq, prev, next);
		context_switch(rq, prev, next);
	} else {
		spin_unlock_irq(&rq->lock);
	}
}

static void __schedule(bool preempt)
{
	struct rq *rq = this_rq();

	local_irq_disable();
	spin_lock(&rq->lock);
	update_rq_clock(rq);
	__schedule_locked(rq, preempt);
}

static void schedule_bug(void)
{
	struct task_struct *p = current;

	/* An interrupt handler has no task of its own to put to sleep: nothing to carry on with. */
	if (in_interrupt())
		panic("BUG: scheduling in interrupt context: %s/%d/0x%08x", p->comm, p->pid,
		      preempt_count());
	pr_err("BUG: scheduling while atomic: %s/%d/0x%08x\n", p->comm, p->pid, preempt_count());
	dump_stack();
	/* Carry on as if the holder had not forgotten: one count serves every task. */
	preempt_count_sub(preempt_count());
}

void schedule(void)
{
	if (unlikely(preempt_count()))
		schedule_bug();
	do {
		preempt_disable();
		__schedule(false);
		preempt_enable_no_resched();
	} while (need_resched());
}

/* preempt_enable() reached zero: switch if asked to and interrupts are on. */
void preempt_schedule(void)
{
	struct task_struct *curr = this_cpu()->current_task;

	if (likely(!curr || !READ_ONCE(curr->need_resched)) || irqs_disabled())
		return;
	do {
		preempt_disable();
		__schedule(true);
		preempt_enable_no_resched();
	} while (need_resched());
}

/*
 * Interrupts off, on the way out of an interrupt: switch if the interrupt asked for it
 * and the interrupted code allowed it. The interrupted context stays on this task's
 * stack (its pt_regs) until the task is picked again and returns through iretq.
 */
static void preempt_schedule_irq(void)
{
	do {
		preempt_disable();
		__schedule(true);
		local_irq_disable();
		preempt_enable_no_resched();
	} while (need_resched());
}

void irqentry_exit_cond_resched(const struct pt_regs *regs)
{
	struct task_struct *curr = this_cpu()->current_task;

	if (!(regs->rflags & X86_EFLAGS_IF) || preempt_count() || !curr ||
	    !READ_ONCE(curr->need_resched))
		return;
	preempt_schedule_irq();
}

int cond_resched(void)
{
	if (!need_resched() || preempt_count() || irqs_disabled())
		return 0;
	preempt_schedule();
	return 1;
}

/* The end of do_exit(): the last switch away; finish_task_switch frees what is left. */
void do_task_dead(void)
{
	__set_current_state(TASK_DEAD);
	__schedule(false);
	panic("sched: a dead task %s/%d ran again", current->comm, current->pid);
}

/* ---- the tick and time ------------------------------------------------------------------ */

void scheduler_tick(void)
{
	struct rq *rq = this_rq();
	struct task_struct *curr = rq->curr;

	spin_lock(&rq->lock);	/* interrupts are off: we are in the timer interrupt */
	update_rq_clock(rq);
	curr->sched_class->task_tick(rq, curr);
	spin_unlock(&rq->lock);
}

uint64_t task_sched_runtime(struct task_struct *p)
{
	unsigned long flags;
	struct rq *rq = task_rq_lock(p, &flags);
	uint64_t ns;

	if (rq->curr == p && p->sched_class->update_curr) {
		update_rq_clock(rq);
		p->sched_class->update_curr(rq);
	}
	ns = p->se.sum_exec_runtime;
	task_rq_unlock(rq, flags);
	return ns;
}

/* ---- yielding --------------------------------------------------------------------------- */

/*
 * The class moves the task behind its peers, then the switch follows under the same lock
 * hold and the same clock reading (Linux unlocks and calls schedule(); one hold saves a
 * lock round trip and lets the class find no new time to charge at put_prev_task).
 */
int sys_sched_yield(void)
{
	struct rq *rq;

	if (unlikely(preempt_count()))
		schedule_bug();
	preempt_disable();
	local_irq_disable();
	rq = this_rq();
	spin_lock(&rq->lock);
	update_rq_clock(rq);
	current->sched_class->yield_task(rq);
	__schedule_locked(rq, false);
	preempt_enable_no_resched();
	if (unlikely(need_resched()))
		schedule();
	return 0;
}

void yield(void)
{
	__set_current_state(TASK_RUNNING);
	sys_sched_yield();
}

/* ---- the idle task ---------------------------------------------------------------------- */

/*
 * rt tasks wait for the throttle to lift: the tick must go on while the CPU idles, since
 * the tick is what ends the rt period (sched_rt_period_tick). Stopped, it would leave them
 * waiting for whatever interrupt came next: a FIFO loop beside an idle shell would run only
 * when a key is pressed. Interrupts are off: the fields cannot change under us.
 */
static bool rt_waits_for_period(struct rq *rq)
{
	return rq->rt.rt_throttled && rq->rt.rt_nr_running;
}

/*
 * What pid 0 does when nothing else can run: stop the tick and halt until an interrupt.
 * "sti; hlt" makes the test and the halt one step, so a wakeup by an interrupt between
 * them is not lost.
 * The interrupt that wakes a task usually switches to it on its way out already (idle
 * is preemptible); the schedule() below covers a wakeup that came with interrupts off.
 */
void cpu_idle_loop(void)
{
	for (;;) {
		while (!need_resched()) {
			local_irq_disable();
			if (need_resched()) {
				local_irq_enable();
				break;
			}
			if (!rt_waits_for_period(this_rq()))
				tick_nohz_idle_enter();
			safe_halt();
		}
		schedule();
	}
}

/* ---- stopping and continuing (kill -STOP / -CONT) ---------------------------------------- */

int sched_stop_task(struct task_struct *p)
{
	unsigned long flags;
	struct rq *rq;
	int ret = 0;

	if (p->flags & PF_IDLE)
		return -EPERM;
	if (p == current) {
		set_current_state(TASK_STOPPED);
		schedule();
		return 0;
	}
	rq = task_rq_lock(p, &flags);
	if (p->state == TASK_DEAD) {
		ret = -ESRCH;
	} else if (p->state == TASK_NEW) {
		ret = -EINVAL;	/* not started: nothing to stop */
	} else if (p->on_rq) {
		/* Runnable, or preempted on its way to sleep: either way it stops now. */
		update_rq_clock(rq);
		deactivate_task(rq, p, DEQUEUE_SLEEP);
		p->state = TASK_STOPPED;
	} else if (p->state != TASK_STOPPED) {
		/* Asleep: its wait goes on, and the wakeup that ends it stops it instead. */
		p->flags |= PF_STOP_PENDING;
	}
	task_rq_unlock(rq, flags);
	return ret;
}

int sched_cont_task(struct task_struct *p)
{
	unsigned long flags;
	struct rq *rq = task_rq_lock(p, &flags);

	p->flags &= ~PF_STOP_PENDING;
	task_rq_unlock(rq, flags);
	try_to_wake_up(p, TASK_STOPPED, 0);
	return 0;
}

/* ---- boot ---------------------------------------------------------------------------------- */

void init_idle(struct task_struct *idle, unsigned int cpu)
{
	struct rq *rq = cpu_rq(cpu);

	idle->state = TASK_RUNNING;
	idle->flags |= PF_IDLE | PF_KTHREAD;
	idle->cpu = cpu;
	idle->on_rq = 1;	/* never queued, but never "asleep" either */
	idle->sched_class = &idle_sched_class;
	rq->curr = rq->idle = idle;
}

/* The boot flow becomes pid 0: the idle task of CPU 0, on the boot stack. */
void sched_init(void)
{
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		struct rq *rq = cpu_rq(i);

		spin_lock_init(&rq->lock);
		rq->cpu = i;
		cpus[i].rq = rq;
		init_rt_rq(&rq->rt);
		init_cfs_rq(&rq->cfs);
	}
	fork_init();
	init_idle(&init_task, 0);
	this_cpu()->current_task = &init_task;
	pr_info("scheduler: classes");
	for (unsigned int i = 0; i < nr_sched_classes; i++)
		printk(KERN_CONT " %s", sched_classes[i]->name);
	printk(KERN_CONT "; HZ=%u\n", HZ);
}

/* Context switches since boot, every CPU's (vmstat's cs). */
uint64_t nr_context_switches(void)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		n += READ_ONCE(cpu_rq(cpu)->nr_switches);
	return n;
}
