/*
 * Device interrupt dispatch. do_interrupt() hands every vector >= 32 here. Vectors 32..95
 * are IRQ 0..63 (kernel/irq.h): the descriptor says which chip delivered it (the 8259 or an
 * IOAPIC); the line's handler runs, the line is counted and the chip gets its EOI. The
 * local APIC's own vectors (timer, error, spurious) go to drivers/timer/lapic.c and
 * drivers/irq/lapic.c.
 * Interrupts nobody asked for are reported but never fatal: a line without a handler is
 * logged once and masked (a "stray IRQ"), PIC ghosts and the spurious vector are counted,
 * and any other vector is logged as unexpected. The counters are what the shell's
 * `interrupts` command prints, in /proc/interrupts' layout.
 * Invariant: a line is unmasked on its chip exactly while it has a handler (the stray path
 * aside, which masks it).
 */
#define pr_fmt(fmt) "irq: " fmt

#include <asm/apic.h>
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/traps.h>
#include <lib/errno.h>

struct irq_desc irq_desc[NR_IRQS];
struct irq_stats irq_stats[NR_CPUS];
static DEFINE_SPINLOCK(irq_lock);	/* the descriptors' chip and handler fields */

void irq_set_chip(unsigned int irq, const struct irq_chip *chip, uint32_t hwirq, bool level)
{
	struct irq_desc *d;
	unsigned long flags;

	if (irq >= NR_IRQS)
		return;
	d = &irq_desc[irq];
	flags = spin_lock_irqsave(&irq_lock);
	if (d->handler && d->chip)
		d->chip->mask(irq);
	d->chip = chip;
	d->hwirq = hwirq;
	d->level = level;
	if (d->handler && chip)
		chip->unmask(irq);
	spin_unlock_irqrestore(&irq_lock, flags);
	if (d->handler && !chip)
		pr_warn("IRQ %u (%s) lost its line\n", irq, d->name);
}

int request_irq(unsigned int irq, irq_handler_t handler, const char *name, void *data)
{
	struct irq_desc *d;
	unsigned long flags;
	int err = 0;

	if (irq >= NR_IRQS || !handler)
		return -EINVAL;
	d = &irq_desc[irq];
	flags = spin_lock_irqsave(&irq_lock);
	if (!d->chip) {
		err = -ENXIO;	/* no controller has a pin for it */
	} else if (d->handler) {
		err = -EBUSY;
	} else {
		d->handler = handler;
		d->name = name;
		d->data = data;
		d->chip->unmask(irq);
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return err;
}

void free_irq(unsigned int irq)
{
	struct irq_desc *d;
	unsigned long flags;

	if (irq >= NR_IRQS)
		return;
	d = &irq_desc[irq];
	flags = spin_lock_irqsave(&irq_lock);
	if (d->chip)
		d->chip->mask(irq);
	d->handler = NULL;
	d->name = NULL;
	d->data = NULL;
	spin_unlock_irqrestore(&irq_lock, flags);
}

static void handle_irq(unsigned int irq)
{
	struct irq_desc *d = &irq_desc[irq];
	const struct irq_chip *chip = d->chip;

	if (chip->spurious && chip->spurious(irq)) {
		this_cpu_irq_stats()->spurious++;
		return;
	}
	this_cpu_irq_stats()->count[irq]++;
	if (d->handler) {
		d->handler(irq, d->data);
	} else {
		this_cpu_irq_stats()->stray++;
		pr_warn("stray IRQ %u (vector %u) with no handler: masking the line\n", irq,
			irq_to_vector(irq));
		chip->mask(irq);
	}
	/* A level line still asserted interrupts again at once: the handler quieted it. */
	chip->eoi(irq);
}

void do_irq(unsigned int vector)
{
	unsigned int irq = vector - IRQ_BASE_VECTOR;

	if (vector >= IRQ_BASE_VECTOR && irq < NR_IRQS && irq_desc[irq].chip) {
		handle_irq(irq);
	} else if (vector == LOCAL_TIMER_VECTOR) {
		this_cpu_irq_stats()->local_timer++;
		lapic_timer_interrupt();
	} else if (vector == RESCHEDULE_VECTOR) {
		smp_reschedule_interrupt();
	} else if (vector == CALL_FUNCTION_VECTOR) {
		smp_call_function_interrupt();
	} else if (vector == ERROR_APIC_VECTOR && apic_intr_mode != APIC_PIC) {
		lapic_error_interrupt();
	} else if (vector == SPURIOUS_VECTOR) {
		this_cpu_irq_stats()->spurious++;	/* no EOI: the APIC did not set an in-service bit */
	} else {
		this_cpu_irq_stats()->unexpected++;
		pr_warn("unexpected interrupt on vector %u ignored\n", vector);
		/* If the APIC sent it, its in-service bit blocks lower vectors until the EOI. */
		if (apic_intr_mode != APIC_PIC)
			apic_eoi();
	}
}

const char *irq_name(unsigned int irq)
{
	return irq < NR_IRQS ? irq_desc[irq].name : NULL;
}

uint64_t irq_errors(void)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		n += irq_stats[cpu].apic_error + irq_stats[cpu].stray + irq_stats[cpu].unexpected;
	return n;
}
