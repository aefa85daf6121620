/*
 * Inter-processor interrupts: asking another CPU to do something now.
 *
 * Two kinds, on two vectors (Linux's numbers):
 *  - the reschedule IPI (RESCHEDULE_VECTOR): the sender has set need_resched of the task
 *    running there (sched/core.c, resched_curr); the handler does nothing itself, the
 *    way out of the interrupt switches (irqentry_exit_cond_resched). It also wakes an
 *    idle CPU out of hlt.
 *  - the call-function IPI (CALL_FUNCTION_VECTOR): run a function there. Each CPU has a
 *    queue of call descriptors (struct call_single_data); the sender adds one, sends the
 *    IPI, and the handler runs everything queued. TLB shootdowns (mm/tlb.c) use it.
 *
 * A descriptor belongs to one (sender, target) pair: cfd[sender][target]. It is "locked"
 * from queueing until the target has run the function, and a sender waits for its last
 * use to end before it reuses it; so a call without @wait needs no allocation and two
 * calls from one CPU to another run in order. Senders keep preemption off while they own
 * their descriptors (they are per sender CPU).
 *
 * Deadlock: CPU A waiting for B while B waits for A, both with interrupts off, would hang
 * if the waits only spun. A waiter serves its own queue in the loop instead, so each
 * answers the other. (A waiter spinning on a lock held by a CPU that waits for it would
 * still hang: callers must not wait with a spinlock held that a call target may spin on
 * with interrupts off. docs/smp.md, "Locking rules".)
 */
#include <asm/apic.h>
#include <asm/x86.h>
#include <kernel/irq.h>
#include <kernel/oops.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <lib/list.h>

struct call_single_data {
	struct list_head node;		/* in the target's call_queue */
	smp_call_func_t func;
	void *info;
	volatile bool locked;		/* queued or running: not reusable yet */
};

static struct call_queue {
	spinlock_t lock;
	struct list_head list;
} call_queue[NR_CPUS];

static struct call_single_data cfd[NR_CPUS][NR_CPUS];	/* [sender][target] */

void smp_ipi_init(void)
{
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		spin_lock_init(&call_queue[c].lock);
		INIT_LIST_HEAD(&call_queue[c].list);
	}
}

static void send_ipi(unsigned int cpu, unsigned int vector)
{
	apic_icr_write(APIC_DM_FIXED | vector, cpus[cpu].apic_id);
}

void smp_send_reschedule(unsigned int cpu)
{
	if (cpu != smp_processor_id() && cpu_online(cpu))
		send_ipi(cpu, RESCHEDULE_VECTOR);
}

/* Run what was queued for this CPU, oldest first. Interrupts off. */
static void flush_call_queue(void)
{
	struct call_queue *q = &call_queue[smp_processor_id()];
	struct list_head todo = LIST_HEAD_INIT(todo);

	spin_lock(&q->lock);
	list_splice_tail_init(&q->list, &todo);
	spin_unlock(&q->lock);
	while (!list_empty(&todo)) {
		struct call_single_data *csd = list_first_entry(&todo, struct call_single_data, node);

		list_del(&csd->node);
		csd->func(csd->info);
		/* Release: whatever the function wrote is seen before the sender may go on. */
		__atomic_store_n(&csd->locked, false, __ATOMIC_RELEASE);
	}
}

void smp_call_function_interrupt(void)
{
	apic_eoi();
	this_cpu_irq_stats()->call_function++;
	flush_call_queue();
}

void smp_reschedule_interrupt(void)
{
	apic_eoi();
	this_cpu_irq_stats()->reschedule++;	/* need_resched was set by the sender */
}

/* Wait for @csd's call to have run, answering calls to this CPU meanwhile. */
static void csd_wait(struct call_single_data *csd)
{
	while (__atomic_load_n(&csd->locked, __ATOMIC_ACQUIRE)) {
		unsigned long flags = local_irq_save();

		flush_call_queue();
		local_irq_restore(flags);
		cpu_relax();
	}
}

/* Queue @func for @cpu with this CPU's descriptor for it; true if its queue was empty. */
static bool queue_call(unsigned int cpu, smp_call_func_t func, void *info)
{
	struct call_single_data *csd = &cfd[smp_processor_id()][cpu];
	struct call_queue *q = &call_queue[cpu];
	unsigned long flags;
	bool first;

	csd_wait(csd);		/* its previous call (one without wait) has to be done */
	csd->func = func;
	csd->info = info;
	csd->locked = true;
	flags = spin_lock_irqsave(&q->lock);
	first = list_empty(&q->list);
	list_add_tail(&csd->node, &q->list);
	spin_unlock_irqrestore(&q->lock, flags);
	return first;
}

/* Queue @func for the other online CPUs of @mask and send the IPIs; the CPUs asked. */
static cpumask_t send_calls(cpumask_t mask, smp_call_func_t func, void *info)
{
	unsigned int cpu;

	mask &= online_cpus() & ~cpumask_of(smp_processor_id());
	for_each_cpu(cpu, mask)
		/* A queue that was not empty has an IPI on its way already. */
		if (queue_call(cpu, func, info))
			send_ipi(cpu, CALL_FUNCTION_VECTOR);
	return mask;
}

static void wait_calls(cpumask_t asked)
{
	unsigned int cpu;

	for_each_cpu(cpu, asked)
		csd_wait(&cfd[smp_processor_id()][cpu]);
}

void smp_call_function_many(cpumask_t mask, smp_call_func_t func, void *info, bool wait)
{
	cpumask_t asked;

	preempt_disable();
	asked = send_calls(mask, func, info);
	if (wait)
		wait_calls(asked);
	preempt_enable();
}

int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info, bool wait)
{
	if (!cpu_online(cpu))
		return -ENXIO;
	on_each_cpu_mask(cpumask_of(cpu), func, info, wait);
	return 0;
}

/* The others first (they start at once), then this CPU with interrupts off, as theirs are. */
void on_each_cpu_mask(cpumask_t mask, smp_call_func_t func, void *info, bool wait)
{
	cpumask_t asked;

	preempt_disable();
	asked = send_calls(mask, func, info);
	if (mask & cpumask_of(smp_processor_id())) {
		unsigned long flags = local_irq_save();

		func(info);
		local_irq_restore(flags);
	}
	if (wait)
		wait_calls(asked);
	preempt_enable();
}
