/*
 * Spinlocks. spin_lock_irqsave also disables interrupts, so a lock taken by an
 * interrupt handler can never be waited on by the code it interrupted on the same
 * CPU. Every spinlock disables preemption while held (include/kernel/preempt.h): a
 * task preempted while holding one would make every other taker spin until it ran
 * again. A test-and-test-and-set lock on one byte: xchg to take it, plain reads while
 * it is busy so the cache line is not bounced. Single-CPU today, correct on SMP already.
 * Never sleep (schedule, mutex_lock, msleep) with a spinlock held.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <asm/x86.h>
#include <kernel/preempt.h>

typedef struct {
	volatile uint8_t locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }
#define DEFINE_SPINLOCK(name) spinlock_t name = SPINLOCK_INIT

static inline void spin_lock_init(spinlock_t *l) { l->locked = 0; }

/* The lock word alone, without preemption: for the scheduler's own hand-over. */
static inline bool arch_spin_trylock(spinlock_t *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void arch_spin_lock(spinlock_t *l)
{
	while (!arch_spin_trylock(l))
		while (READ_ONCE(l->locked))
			cpu_relax();
}

static inline void arch_spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *l) { return READ_ONCE(l->locked); }

static inline bool spin_trylock(spinlock_t *l)
{
	preempt_disable();
	if (arch_spin_trylock(l))
		return true;
	preempt_enable();
	return false;
}

static inline void spin_lock(spinlock_t *l)
{
	preempt_disable();
	arch_spin_lock(l);
}

static inline void spin_unlock(spinlock_t *l)
{
	arch_spin_unlock(l);
	preempt_enable();
}

static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = local_irq_save();

	spin_lock(l);
	return flags;
}

/* Interrupts come back before preemption does, so a wakeup done under the lock switches here. */
static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	arch_spin_unlock(l);
	local_irq_restore(flags);
	preempt_enable();
}

/* For code that knows interrupts are on: they are off while the lock is held. */
static inline void spin_lock_irq(spinlock_t *l)
{
	local_irq_disable();
	spin_lock(l);
}

static inline void spin_unlock_irq(spinlock_t *l)
{
	arch_spin_unlock(l);
	local_irq_enable();
	preempt_enable();
}

#endif
