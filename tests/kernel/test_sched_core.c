/*
 * The scheduler core, checked by behaviour with exact numbers and orders: the context
 * switch keeps callee-saved registers, kthread_stop joins and returns the exit code, a
 * completion wakes exactly its longest waiter, msleep(20) takes 20..22 ticks, a mutex
 * serves its waiters FIFO, the tick preempts a busy fair thread, preempt_disable holds it
 * off, an interrupt-time wakeup of an RT task switches on the interrupt's return, policy
 * calls check their arguments as Linux's do, stacks have guards. Each case runs in init
 * (pid 1, SCHED_NORMAL) and joins every thread it starts.
 */
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/ktest.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <sched/completion.h>
#include <sched/mutex.h>
#include <sched/task.h>
#include "wakeup_probe.h"
#include <sched/workers.h>

/* Start a kernel thread we will join: it holds a reference until join() drops it. */
static struct task_struct *start(int (*fn)(void *), void *data, const char *name)
{
	struct task_struct *k = kthread_create(fn, data, "%s", name);

	if (!k)
		return NULL;
	get_task_struct(k);
	wake_up_process(k);
	return k;
}

/*
 * kthread_stop, then wait until the thread made its final switch: kthread_stop returns
 * once the thread's exit is announced, and a thread still on the run queue would take the
 * CPU from the next case and spoil its counts (worker_join, sched/workers.c).
 */
static int join(struct task_struct *k)
{
	return worker_join(k);
}

static void set_fifo(struct task_struct *k, int prio)
{
	struct sched_param sp = { prio };

	sched_setscheduler(k, SCHED_FIFO, &sp);
}

/* Wait (sleeping) until @k sleeps in @state; false after 200 ms. */
static bool wait_for_state(struct task_struct *k, long state)
{
	for (int i = 0; i < 200; i++) {
		if (READ_ONCE(k->state) == state && !k->on_rq)
			return true;
		msleep(1);
	}
	return false;
}

/* ---- the switch keeps rbx, rbp, r12-r15 ------------------------------------------------ */

void ktest_yield(void) { yield(); }

/*
 * regs_across_yield(out, seed): load seed, seed+1, ... into rbx, rbp, r12..r15, yield,
 * then store what the six registers hold into out[0..5]. Written in assembly because C
 * cannot promise which registers hold what across the call.
 */
void regs_across_yield(uint64_t *out, uint64_t seed);
__asm__(".pushsection .text\n"
	".globl regs_across_yield\n"
	"regs_across_yield:\n"
	"	pushq %rbp\n	pushq %rbx\n	pushq %r12\n	pushq %r13\n"
	"	pushq %r14\n	pushq %r15\n	pushq %rdi\n"	/* 7 pushes: rsp is 16-aligned */
	"	movq %rsi, %rbx\n"
	"	leaq 1(%rsi), %rbp\n"
	"	leaq 2(%rsi), %r12\n"
	"	leaq 3(%rsi), %r13\n"
	"	leaq 4(%rsi), %r14\n"
	"	leaq 5(%rsi), %r15\n"
	"	call ktest_yield\n"
	"	movq (%rsp), %rdi\n"
	"	movq %rbx, 0(%rdi)\n	movq %rbp, 8(%rdi)\n	movq %r12, 16(%rdi)\n"
	"	movq %r13, 24(%rdi)\n	movq %r14, 32(%rdi)\n	movq %r15, 40(%rdi)\n"
	"	popq %rdi\n	popq %r15\n	popq %r14\n	popq %r13\n"
	"	popq %r12\n	popq %rbx\n	popq %rbp\n"
	"	ret\n"
	".popsection\n");

/*
 * switch_to itself, outside the scheduler: switch from this task to a fake one whose
 * first "return" lands in clobber_and_switch_back, which fills every callee-saved
 * register with junk and switches straight back. Interrupts are off meanwhile, so
 * nothing else runs on the fake stack. A switch_to that forgot one register fails here
 * even where the C callers of the real path happen to save it themselves.
 */
void regs_across_switch(uint64_t *out, uint64_t seed, struct task_struct *me,
			struct task_struct *other);
void clobber_and_switch_back(void);
__asm__(".pushsection .text\n"
	".globl regs_across_switch\n"
	"regs_across_switch:\n"
	"	pushq %rbp\n	pushq %rbx\n	pushq %r12\n	pushq %r13\n"
	"	pushq %r14\n	pushq %r15\n	pushq %rdi\n"
	"	movq %rsi, %rbx\n"
	"	leaq 1(%rsi), %rbp\n"
	"	leaq 2(%rsi), %r12\n"
	"	leaq 3(%rsi), %r13\n"
	"	leaq 4(%rsi), %r14\n"
	"	leaq 5(%rsi), %r15\n"
	"	movq %rdx, %rdi\n"
	"	movq %rcx, %rsi\n"
	"	call switch_to\n"
	"	movq (%rsp), %rdi\n"
	"	movq %rbx, 0(%rdi)\n	movq %rbp, 8(%rdi)\n	movq %r12, 16(%rdi)\n"
	"	movq %r13, 24(%rdi)\n	movq %r14, 32(%rdi)\n	movq %r15, 40(%rdi)\n"
	"	popq %rdi\n	popq %r15\n	popq %r14\n	popq %r13\n"
	"	popq %r12\n	popq %rbx\n	popq %rbp\n"
	"	ret\n"
	".globl clobber_and_switch_back\n"
	"clobber_and_switch_back:\n"		/* rax: the task that switched here; r12: us */
	"	movq %rax, %rsi\n"
	"	movq %r12, %rdi\n"
	"	movabsq $0xdeadbeefdeadbeef, %rbx\n"
	"	movq %rbx, %rbp\n	movq %rbx, %r12\n	movq %rbx, %r13\n"
	"	movq %rbx, %r14\n	movq %rbx, %r15\n"
	"	call switch_to\n"
	"	ud2\n"
	".popsection\n");

static struct task_struct fake_task;
static uint64_t fake_stack[512] __aligned(16);

static void test_switch_to_restores_callee_saved(struct ktest *t)
{
	uint64_t out[6], seed = 0x5eed000000000010ull;
	uint64_t *frame = &fake_stack[512 - 2 - 7];	/* 16-aligned after the final ret */
	unsigned long flags;

	memset(frame, 0, 7 * sizeof(*frame));
	frame[3] = (uint64_t)&fake_task;		/* r12 (order: r15 r14 r13 r12 rbx rbp) */
	frame[6] = (uint64_t)clobber_and_switch_back;	/* the return address */
	fake_task.thread.rsp = (uint64_t)frame;
	flags = local_irq_save();
	regs_across_switch(out, seed, current, &fake_task);
	local_irq_restore(flags);
	for (int r = 0; r < 6; r++)
		KTEST_EXPECT_EQ(t, out[r], seed + r);
	/* The fake task really ran: it left its junk on its own stack when it switched back. */
	KTEST_EXPECT_EQ(t, *(uint64_t *)fake_task.thread.rsp, 0xdeadbeefdeadbeefull);
}

#define PINGS 200

struct regs_player {
	uint64_t seed;
	unsigned int bad, rounds;
	unsigned int *turns;	/* shared: incremented by both players */
	unsigned int not_alternating;
};

static int regs_fn(void *data)
{
	struct regs_player *pl = data;
	uint64_t out[6];

	for (unsigned int i = 0; i < PINGS; i++) {
		unsigned int before = ++*pl->turns;

		regs_across_yield(out, pl->seed);
		for (int r = 0; r < 6; r++)
			pl->bad += out[r] != pl->seed + r;
		/* Two FIFO threads of one priority alternate: the other one ran once meanwhile. */
		pl->not_alternating += i + 1 < PINGS && *pl->turns != before + 1;
		pl->rounds++;
	}
	return 0;
}

static void test_switch_keeps_callee_saved_registers(struct ktest *t)
{
	unsigned int turns = 0;
	struct regs_player a = { 0x1111111111111100ull, 0, 0, &turns, 0 };
	struct regs_player b = { 0x2222222222222200ull, 0, 0, &turns, 0 };
	struct task_struct *ka = kthread_create(regs_fn, &a, "ktest-regs-a");
	struct task_struct *kb = kthread_create(regs_fn, &b, "ktest-regs-b");
	uint64_t switches;

	KTEST_ASSERT_TRUE(t, ka && kb);
	get_task_struct(ka);
	get_task_struct(kb);
	set_fifo(ka, 10);
	set_fifo(kb, 10);
	preempt_disable();	/* both queued before either runs (each would beat us) */
	wake_up_process(ka);
	wake_up_process(kb);
	preempt_enable();
	/* A yield counts as an involuntary switch, as on Linux (the task stays runnable). */
	switches = ka->nivcsw + kb->nivcsw;
	KTEST_EXPECT_EQ(t, join(ka), 0);
	KTEST_EXPECT_EQ(t, join(kb), 0);
	KTEST_EXPECT_EQ(t, a.rounds, PINGS);
	KTEST_EXPECT_EQ(t, b.rounds, PINGS);
	KTEST_EXPECT_EQ(t, a.bad + b.bad, 0);
	KTEST_EXPECT_EQ(t, a.not_alternating + b.not_alternating, 0);
	KTEST_EXPECT_TRUE(t, switches >= 2 * PINGS - 2);
}

/* ---- kthread_stop joins and returns the exit code ------------------------------------ */

static int until_stopped(void *data)
{
	unsigned int *iterations = data;

	while (!kthread_should_stop()) {
		(*iterations)++;
		msleep(1);
	}
	return 42;
}

static int returns_seven(void *data)
{
	*(bool *)data = true;
	return 7;
}

static void test_kthread_stop_returns_exit_code(struct ktest *t)
{
	unsigned int iterations = 0;
	struct task_struct *k = kthread_run(until_stopped, &iterations, "ktest-stop");
	int pid;

	KTEST_ASSERT_TRUE(t, k != NULL);
	pid = k->pid;
	msleep(10);
	KTEST_EXPECT_EQ(t, kthread_stop(k), 42);
	KTEST_EXPECT_TRUE(t, iterations > 0);
	KTEST_EXPECT_TRUE(t, find_get_task_by_pid(pid) == NULL);	/* gone from the list */
}

static void test_kthread_stop_before_start(struct ktest *t)
{
	bool ran = false;
	struct task_struct *k = kthread_create(returns_seven, &ran, "ktest-never");

	KTEST_ASSERT_TRUE(t, k != NULL);
	KTEST_EXPECT_EQ(t, task_state_char(k), 'N');
	KTEST_EXPECT_EQ(t, kthread_stop(k), -EINTR);
	KTEST_EXPECT_TRUE(t, !ran);
}

static void test_kthread_exit_then_join(struct ktest *t)
{
	bool ran = false;
	struct task_struct *k = start(returns_seven, &ran, "ktest-exits");

	KTEST_ASSERT_TRUE(t, k != NULL);
	msleep(5);
	KTEST_EXPECT_TRUE(t, ran);
	KTEST_EXPECT_EQ(t, k->state, TASK_DEAD);	/* our reference keeps it readable */
	KTEST_EXPECT_EQ(t, join(k), 7);
}

/* ---- a completion wakes exactly the waiter --------------------------------------------- */

struct waiter {
	struct completion *done;
	int id;
	int *order, *woken;
};

static int wait_fn(void *data)
{
	struct waiter *w = data;

	wait_for_completion(w->done);
	w->order[(*w->woken)++] = w->id;
	return 0;
}

static void test_completion_wakes_exactly_one(struct ktest *t)
{
	struct completion a, b;
	int order[3] = { 0 }, woken = 0;
	struct waiter w[3] = {
		{ &a, 1, order, &woken }, { &a, 2, order, &woken }, { &b, 3, order, &woken },
	};
	struct task_struct *k[3];

	init_completion(&a);
	init_completion(&b);
	for (int i = 0; i < 3; i++) {
		k[i] = start(wait_fn, &w[i], "ktest-waiter");
		KTEST_ASSERT_TRUE(t, k[i] && wait_for_state(k[i], TASK_UNINTERRUPTIBLE));
	}
	complete(&a);
	msleep(2);
	KTEST_EXPECT_EQ(t, woken, 1);
	KTEST_EXPECT_EQ(t, order[0], 1);	/* the longest waiter on a, and only it */
	KTEST_EXPECT_EQ(t, task_state_char(k[1]), 'D');
	KTEST_EXPECT_EQ(t, task_state_char(k[2]), 'D');
	complete(&b);
	msleep(2);
	KTEST_EXPECT_EQ(t, woken, 2);
	KTEST_EXPECT_EQ(t, order[1], 3);
	complete(&a);
	msleep(2);
	KTEST_EXPECT_EQ(t, woken, 3);
	KTEST_EXPECT_EQ(t, order[2], 2);
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, join(k[i]), 0);
	/* An event before the wait is remembered: no sleep at all. */
	complete(&a);
	KTEST_EXPECT_TRUE(t, completion_done(&a));
	KTEST_EXPECT_EQ(t, wait_for_completion_timeout(&a, 1), 1);
	KTEST_EXPECT_EQ(t, wait_for_completion_timeout(&a, 3), 0);	/* none left: times out */
}

/* ---- msleep ------------------------------------------------------------------------------- */

/*
 * Never shorter than asked, on any try; at most 2 ticks longer on the best of three.
 * A try can only come out too long by accident (the host stalled the virtual CPU: guest
 * time is host time under TCG), never too short, so the best try is the kernel's own
 * figure, as with the TSC calibration.
 */
static void test_msleep_20_takes_20_to_22_ticks(struct ktest *t)
{
	uint64_t best = ~0ull;

	for (int try = 0; try < 3 && best > 22; try++) {
		uint64_t j0 = jiffies, t0 = sched_clock(), dj, dt;

		msleep(20);
		dj = jiffies - j0;
		dt = sched_clock() - t0;
		KTEST_EXPECT_TRUE(t, dj >= 20);
		KTEST_EXPECT_TRUE(t, dt >= 20 * NSEC_PER_MSEC);
		ktest_diag(t, "msleep(20): %llu ticks, %llu ns", (unsigned long long)dj,
			   (unsigned long long)dt);
		best = MIN(best, dj);
	}
	KTEST_EXPECT_TRUE(t, best <= 22);
}

/* 50 ms of idle: the tick stops, so a handful of timer interrupts instead of 50. */
static void test_tick_stops_while_idle(struct ktest *t)
{
	uint64_t before, ticks;

	if (!tick_nohz_enabled())
		KTEST_SKIP(t, "nohz=off, or the PIT, which interrupts every tick anyway");
	before = irq_stats[0].local_timer;
	msleep(50);
	ticks = irq_stats[0].local_timer - before;
	ktest_diag(t, "%llu timer interrupts in 50 ms of idle", (unsigned long long)ticks);
	KTEST_EXPECT_TRUE(t, ticks <= 5);
}

static void test_wait_event_timeout(struct ktest *t)
{
	DECLARE_WAIT_QUEUE_HEAD(wq);
	bool never = false, now = true;
	uint64_t j0 = jiffies;

	KTEST_EXPECT_EQ(t, wait_event_timeout(wq, never, 5), 0);
	KTEST_EXPECT_TRUE(t, jiffies - j0 >= 5);
	KTEST_EXPECT_EQ(t, wait_event_timeout(wq, now, 5), 5);
}

/* ---- mutex: FIFO hand-over ------------------------------------------------------------------ */

static DEFINE_MUTEX(fifo_mutex);

static int mutex_fn(void *data)
{
	struct waiter *w = data;

	mutex_lock(&fifo_mutex);
	w->order[(*w->woken)++] = w->id;
	mutex_unlock(&fifo_mutex);
	return 0;
}

static void test_mutex_waiters_fifo(struct ktest *t)
{
	int order[3] = { 0 }, taken = 0;
	struct waiter w[3] = { { NULL, 1, order, &taken }, { NULL, 2, order, &taken },
			       { NULL, 3, order, &taken } };
	struct task_struct *k[3];

	mutex_lock(&fifo_mutex);
	for (int i = 0; i < 3; i++) {
		k[i] = start(mutex_fn, &w[i], "ktest-mutex");
		KTEST_ASSERT_TRUE(t, k[i] && wait_for_state(k[i], TASK_UNINTERRUPTIBLE));
	}
	KTEST_EXPECT_EQ(t, taken, 0);
	KTEST_EXPECT_TRUE(t, mutex_is_locked(&fifo_mutex));
	mutex_unlock(&fifo_mutex);
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, join(k[i]), 0);
	KTEST_EXPECT_EQ(t, taken, 3);
	KTEST_EXPECT_EQ(t, order[0], 1);
	KTEST_EXPECT_EQ(t, order[1], 2);
	KTEST_EXPECT_EQ(t, order[2], 3);
	KTEST_EXPECT_TRUE(t, !mutex_is_locked(&fifo_mutex));
	KTEST_EXPECT_EQ(t, mutex_trylock(&fifo_mutex), 1);
	KTEST_EXPECT_EQ(t, mutex_trylock(&fifo_mutex), 0);
	mutex_unlock(&fifo_mutex);
}

/* ---- preemption ----------------------------------------------------------------------------- */

static int spin_fn(void *data)
{
	volatile uint64_t *count = data;

	while (!kthread_should_stop())
		(*count)++;
	return 0;
}

static void test_tick_preempts_busy_fair_thread(struct ktest *t)
{
	uint64_t ca = 0, cb = 0, ra, rb, t0 = sched_clock(), elapsed;
	struct task_struct *a = start(spin_fn, &ca, "ktest-spin-a");
	struct task_struct *b = start(spin_fn, &cb, "ktest-spin-b");

	KTEST_ASSERT_TRUE(t, a && b);
	msleep(60);
	ra = task_sched_runtime(a);
	rb = task_sched_runtime(b);
	elapsed = sched_clock() - t0;
	KTEST_EXPECT_TRUE(t, READ_ONCE(ca) > 0 && READ_ONCE(cb) > 0);
	/* Taken off the CPU, not giving it up: */
	KTEST_EXPECT_TRUE(t, a->nivcsw > 0 && b->nivcsw > 0);
	KTEST_EXPECT_EQ(t, a->nvcsw, 0);
	/* Both got a real share of the 60 ms, and the shares add up to no more than that. */
	KTEST_EXPECT_TRUE(t, ra > 5 * NSEC_PER_MSEC && rb > 5 * NSEC_PER_MSEC);
	KTEST_EXPECT_TRUE(t, ra + rb <= elapsed);
	join(a);
	join(b);
}

static void test_preempt_disable_is_not_preempted(struct ktest *t)
{
	uint64_t count = 0, before, switches;
	struct task_struct *k = start(spin_fn, &count, "ktest-spin");
	uint64_t j0;

	KTEST_ASSERT_TRUE(t, k != NULL);
	msleep(2);	/* it runs now and then */
	preempt_disable();
	before = READ_ONCE(count);
	switches = current->nivcsw;
	j0 = jiffies;
	while (jiffies - j0 < 20)	/* 20 ticks, each of which would preempt us */
		cpu_relax();
	KTEST_EXPECT_EQ(t, READ_ONCE(count), before);
	KTEST_EXPECT_EQ(t, current->nivcsw, switches);
	KTEST_EXPECT_TRUE(t, need_resched());	/* asked for, held off */
	preempt_enable();	/* ... and done here */
	KTEST_EXPECT_TRUE(t, current->nivcsw > switches);
	KTEST_EXPECT_TRUE(t, READ_ONCE(count) > before);
	join(k);
}

/*
 * The proof is in the loop count, not the clock (a busy host can stall the virtual CPU
 * for milliseconds at any point): if the switch happens on the return from the timer
 * interrupt, the interrupted loop does not run a single iteration between the wakeup
 * and the RT task running.
 */
static void test_irq_wakeup_of_rt_task_preempts_at_once(struct ktest *t)
{
	struct wakeup_probe w = { .ran = false };
	uint64_t switches, start_ns;
	struct task_struct *k = kthread_create(wakeup_probe_sleeper, &w, "ktest-rt");

	KTEST_ASSERT_TRUE(t, k != NULL);
	get_task_struct(k);
	set_fifo(k, 50);
	w.task = k;
	wake_up_process(k);	/* FIFO: runs at once and goes to sleep */
	KTEST_ASSERT_TRUE(t, wait_for_state(k, TASK_UNINTERRUPTIBLE));
	hrtimer_init(&w.timer, wakeup_probe_timer);
	switches = current->nivcsw;
	start_ns = sched_clock();
	hrtimer_start(&w.timer, start_ns + 3 * NSEC_PER_MSEC);
	/* Busy, preemptible, never sleeping: only an interrupt's return can switch us out. */
	while (!w.ran && sched_clock() - start_ns < 500 * NSEC_PER_MSEC)
		w.loops++;
	KTEST_ASSERT_TRUE(t, w.ran);
	KTEST_EXPECT_TRUE(t, w.loops_at_irq > 0);
	KTEST_EXPECT_EQ(t, w.loops_at_run, w.loops_at_irq);
	KTEST_EXPECT_EQ(t, current->nivcsw, switches + 1);
	ktest_diag(t, "RT task ran %llu ns after the timer interrupt woke it",
		   (unsigned long long)(w.ran_at - w.fired_at));
	KTEST_EXPECT_EQ(t, join(k), 0);
}

static void test_policy_change_preempts(struct ktest *t)
{
	bool ran = false;
	struct sched_param sp = { 20 };
	struct task_struct *k = kthread_create(returns_seven, &ran, "ktest-promote");
	uint64_t switches;

	KTEST_ASSERT_TRUE(t, k != NULL);
	get_task_struct(k);
	preempt_disable();	/* queue it without letting it run yet */
	set_user_nice(k, 19);
	wake_up_process(k);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, SCHED_FIFO, &sp), 0);
	KTEST_EXPECT_TRUE(t, need_resched());	/* now it must run before us */
	KTEST_EXPECT_TRUE(t, !ran);
	switches = current->nivcsw;
	preempt_enable();	/* switches to it right here */
	KTEST_EXPECT_TRUE(t, ran);
	KTEST_EXPECT_EQ(t, current->nivcsw, switches + 1);
	KTEST_EXPECT_EQ(t, join(k), 7);
}

/* ---- policy calls ----------------------------------------------------------------------- */

static int idle_fn(void *data)
{
	(void)data;
	return 0;
}

static void test_setscheduler_checks_arguments(struct ktest *t)
{
	struct sched_param p0 = { 0 }, p1 = { 1 }, p50 = { 50 }, p99 = { 99 }, p100 = { 100 };
	struct sched_param neg = { -1 }, got = { -7 };
	struct task_struct *k = kthread_create(idle_fn, NULL, "ktest-policy");

	KTEST_ASSERT_TRUE(t, k != NULL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, 42, &p0), -EINVAL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, -1, &p0), -EINVAL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, SCHED_DEADLINE, &p0), -EINVAL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, SCHED_FIFO, &p0), -EINVAL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, SCHED_FIFO, &p100), -EINVAL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, SCHED_RR, &neg), -EINVAL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, SCHED_NORMAL, &p50), -EINVAL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(k, SCHED_FIFO, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, sched_setscheduler(&init_task, SCHED_FIFO, &p50), -EPERM);
	KTEST_EXPECT_EQ(t, sys_sched_setscheduler(-1, SCHED_FIFO, &p50), -EINVAL);
	KTEST_EXPECT_EQ(t, sys_sched_setscheduler(30000, SCHED_FIFO, &p50), -ESRCH);
	KTEST_EXPECT_EQ(t, k->policy, SCHED_NORMAL);	/* nothing changed by the failures */

	KTEST_EXPECT_EQ(t, sched_setscheduler(k, SCHED_FIFO, &p1), 0);
	KTEST_EXPECT_EQ(t, k->prio, 98);
	KTEST_EXPECT_EQ(t, sys_sched_setscheduler(k->pid, SCHED_RR, &p99), 0);
	KTEST_EXPECT_EQ(t, k->prio, 0);
	KTEST_EXPECT_EQ(t, sys_sched_getscheduler(k->pid), SCHED_RR);
	KTEST_EXPECT_EQ(t, sys_sched_setparam(k->pid, &p50), 0);
	KTEST_EXPECT_EQ(t, sys_sched_getparam(k->pid, &got), 0);
	KTEST_EXPECT_EQ(t, got.sched_priority, 50);
	KTEST_EXPECT_EQ(t, sys_sched_setparam(k->pid, &p0), -EINVAL);
	KTEST_EXPECT_EQ(t, sys_sched_setscheduler(k->pid, SCHED_BATCH, &p0), 0);
	KTEST_EXPECT_EQ(t, sys_sched_getparam(k->pid, &got), 0);
	KTEST_EXPECT_EQ(t, got.sched_priority, 0);
	KTEST_EXPECT_EQ(t, k->prio, 120);

	KTEST_EXPECT_EQ(t, sys_setpriority(PRIO_PROCESS, k->pid, 100), 0);	/* clamped */
	KTEST_EXPECT_EQ(t, task_nice(k), 19);
	KTEST_EXPECT_EQ(t, sys_getpriority(PRIO_PROCESS, k->pid), 1);
	set_user_nice(k, -25);		/* out of range: ignored */
	KTEST_EXPECT_EQ(t, task_nice(k), 19);
	set_user_nice(k, -5);
	KTEST_EXPECT_EQ(t, k->prio, 115);
	KTEST_EXPECT_EQ(t, sys_setpriority(1, k->pid, 0), -EINVAL);

	KTEST_EXPECT_EQ(t, sys_sched_get_priority_max(SCHED_FIFO), 99);
	KTEST_EXPECT_EQ(t, sys_sched_get_priority_min(SCHED_RR), 1);
	KTEST_EXPECT_EQ(t, sys_sched_get_priority_max(SCHED_NORMAL), 0);
	KTEST_EXPECT_EQ(t, sys_sched_get_priority_min(SCHED_IDLE), 0);
	KTEST_EXPECT_EQ(t, sys_sched_get_priority_max(42), -EINVAL);
	KTEST_EXPECT_STREQ(t, sched_policy_name(SCHED_NORMAL), "SCHED_OTHER");
	KTEST_EXPECT_TRUE(t, sched_policy_name(4) == NULL);
	KTEST_EXPECT_EQ(t, kthread_stop(k), -EINTR);
}

/* ---- tasks and stacks -------------------------------------------------------------------- */

static void test_task_list_and_lookup(struct ktest *t)
{
	struct task_struct *p, *init;
	unsigned long flags;
	int n = 0;

	KTEST_EXPECT_EQ(t, current->pid, 1);
	KTEST_EXPECT_STREQ(t, current->comm, "init");
	KTEST_EXPECT_EQ(t, task_state_char(current), 'R');
	init = find_get_task_by_pid(1);
	KTEST_EXPECT_TRUE(t, init == current);
	if (init)
		put_task_struct(init);
	flags = spin_lock_irqsave(&tasklist_lock);
	for_each_process(p)
		n++;
	KTEST_EXPECT_TRUE(t, find_task_by_pid(0) == &init_task);
	spin_unlock_irqrestore(&tasklist_lock, flags);
	KTEST_EXPECT_TRUE(t, n >= 2);
	KTEST_EXPECT_STREQ(t, init_task.comm, "swapper/0");
	KTEST_EXPECT_EQ(t, task_state_char(&init_task), 'I');
}

static volatile uint64_t zero;
static __noinline void write_below_stack(void)
{
	*(volatile char *)((uint64_t)current->stack - 8 + zero) = 1;
}

static void test_task_stack_has_guard(struct ktest *t)
{
	struct trap_catcher tc;
	uint64_t below = (uint64_t)current->stack - 8;

	KTEST_EXPECT_EQ(t, current->stack_size, THREAD_SIZE);
	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, write_below_stack));
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, tc.cr2, below);
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_WRITE);	/* not present */
	KTEST_EXPECT_TRUE(t, addr_in_stack_guard(below));
	KTEST_EXPECT_TRUE(t, !addr_in_stack_guard((uint64_t)current->stack));
}

static void test_stop_and_continue(struct ktest *t)
{
	uint64_t count = 0, frozen;
	struct task_struct *k = start(spin_fn, &count, "ktest-stopped");

	KTEST_ASSERT_TRUE(t, k != NULL);
	msleep(5);
	KTEST_EXPECT_EQ(t, sched_stop_task(k), 0);
	KTEST_EXPECT_EQ(t, task_state_char(k), 'T');
	frozen = READ_ONCE(count);
	msleep(10);
	KTEST_EXPECT_EQ(t, READ_ONCE(count), frozen);
	KTEST_EXPECT_EQ(t, sched_cont_task(k), 0);
	msleep(10);
	KTEST_EXPECT_TRUE(t, READ_ONCE(count) > frozen);
	KTEST_EXPECT_EQ(t, sched_stop_task(&init_task), -EPERM);
	join(k);
}

static const struct ktest_case sched_core_cases[] = {
	KTEST_CASE(test_switch_to_restores_callee_saved),
	KTEST_CASE(test_switch_keeps_callee_saved_registers),
	KTEST_CASE(test_kthread_stop_returns_exit_code),
	KTEST_CASE(test_kthread_stop_before_start),
	KTEST_CASE(test_kthread_exit_then_join),
	KTEST_CASE(test_completion_wakes_exactly_one),
	KTEST_CASE(test_msleep_20_takes_20_to_22_ticks),
	KTEST_CASE(test_tick_stops_while_idle),
	KTEST_CASE(test_wait_event_timeout),
	KTEST_CASE(test_mutex_waiters_fifo),
	KTEST_CASE(test_tick_preempts_busy_fair_thread),
	KTEST_CASE(test_preempt_disable_is_not_preempted),
	KTEST_CASE(test_irq_wakeup_of_rt_task_preempts_at_once),
	KTEST_CASE(test_policy_change_preempts),
	KTEST_CASE(test_setscheduler_checks_arguments),
	KTEST_CASE(test_task_list_and_lookup),
	KTEST_CASE(test_task_stack_has_guard),
	KTEST_CASE(test_stop_and_continue),
	{},
};
KTEST_SUITE(sched_core, sched_core_cases);
