/*
 * The preemption count: while it is not zero, the scheduler must not take the CPU away
 * from the running task, even if an interrupt asks for it (need_resched). It counts,
 * with Linux's layout:
 *   bits  0..7   preempt_disable() nesting; every held spinlock adds one (spinlock.h)
 *   bits 16..19  hard interrupt nesting (irq_enter/irq_exit around a device interrupt)
 *   bit  20      inside the NMI handler
 * so "may this code sleep or be preempted" is one test: preempt_count() == 0 with
 * interrupts on. The count lives in struct cpu and is changed with one %gs-relative
 * instruction, which cannot be torn by an interrupt. When preempt_enable() brings it
 * back to zero it calls into the scheduler, which switches if need_resched is set
 * (sched/core.c: preempt_schedule). docs/sched.md has the rules.
 */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H

#include <kernel/percpu.h>

#define PREEMPT_OFFSET	1
#define PREEMPT_MASK	0x000000ff
#define HARDIRQ_OFFSET	(1 << 16)
#define HARDIRQ_MASK	0x000f0000
#define NMI_OFFSET	(1 << 20)
#define NMI_MASK	0x00100000

#ifdef HOSTED_TEST
/* Host unit tests have one thread and no scheduler: nothing to count. */
static inline int preempt_count(void) { return 0; }
static inline void preempt_count_add(int v) { (void)v; }
static inline void preempt_count_sub(int v) { (void)v; }
static inline void preempt_disable(void) { }
static inline void preempt_enable(void) { }
static inline void preempt_enable_no_resched(void) { }
#else

#define __PREEMPT_COUNT_OFF	offsetof(struct cpu, preempt_count)

static __always_inline int preempt_count(void)
{
	int c;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(c) : "i"(__PREEMPT_COUNT_OFF) : "memory");
	return c;
}

/* The "memory" clobber makes each a compiler barrier: no access moves across it. */
static __always_inline void preempt_count_add(int v)
{
	__asm__ volatile("addl %1, %%gs:%c0" :: "i"(__PREEMPT_COUNT_OFF), "ir"(v) : "memory", "cc");
}

static __always_inline void preempt_count_sub(int v)
{
	__asm__ volatile("subl %1, %%gs:%c0" :: "i"(__PREEMPT_COUNT_OFF), "ir"(v) : "memory", "cc");
}

/* Decrement; true when the count reached zero. */
static __always_inline bool preempt_count_dec_and_test(void)
{
	bool zero;

	__asm__ volatile("decl %%gs:%c1" : "=@ccz"(zero) : "i"(__PREEMPT_COUNT_OFF) : "memory");
	return zero;
}

/* sched/core.c: switch now if need_resched is set and preemption is allowed. */
void preempt_schedule(void);

static __always_inline void preempt_disable(void) { preempt_count_add(1); }

/*
 * Leave a non-preemptible region; a reschedule asked for meanwhile happens here. Reaching
 * zero is the common case, so preempt_schedule() looks at need_resched first, cheaply.
 */
static __always_inline void preempt_enable(void)
{
	if (preempt_count_dec_and_test())
		preempt_schedule();
}

/* Leave it without switching (the caller is about to call schedule() anyway). */
static __always_inline void preempt_enable_no_resched(void) { preempt_count_sub(1); }
#endif

static inline bool in_hardirq(void) { return preempt_count() & HARDIRQ_MASK; }
static inline bool in_nmi(void) { return preempt_count() & NMI_MASK; }
static inline bool in_interrupt(void) { return preempt_count() & (HARDIRQ_MASK | NMI_MASK); }
/* Not allowed to sleep: preemption disabled, a lock held, or in an interrupt. */
static inline bool in_atomic(void) { return preempt_count() != 0; }

/* Bracket a device interrupt handler (kernel/irq.c). */
static inline void irq_enter(void) { preempt_count_add(HARDIRQ_OFFSET); }
static inline void irq_exit(void) { preempt_count_sub(HARDIRQ_OFFSET); }

#endif
