/*
 * Device interrupt dispatch. do_interrupt() hands every vector >= 32 here: PIC lines
 * go to the handler registered with request_irq(), are counted, and get their EOI; the
 * local APIC timer's vector goes to its driver (drivers/timer/lapic.c).
 * Interrupts nobody asked for are reported but never fatal: a line without a handler
 * is logged once and masked (a "stray IRQ"), PIC ghosts and the spurious vector are
 * counted, and any other vector is logged as unexpected. The counters are what the
 * shell's `interrupts` command prints, in /proc/interrupts' spirit.
 */
#define pr_fmt(fmt) "irq: " fmt

#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/traps.h>
#include <lib/errno.h>

struct irq_action {
	irq_handler_t handler;
	const char *name;
	void *data;
};

static struct irq_action actions[NR_IRQS];
struct irq_stats irq_stats;

int request_irq(unsigned int irq, irq_handler_t handler, const char *name, void *data)
{
	if (irq >= NR_IRQS || !handler)
		return -EINVAL;
	if (actions[irq].handler)
		return -EBUSY;
	actions[irq] = (struct irq_action){ handler, name, data };
	pic_unmask(irq);
	return 0;
}

void free_irq(unsigned int irq)
{
	if (irq >= NR_IRQS)
		return;
	pic_mask(irq);
	actions[irq] = (struct irq_action){ 0 };
}

static void handle_pic_irq(unsigned int irq)
{
	struct irq_action *a = &actions[irq];

	if (pic_irq_is_spurious(irq)) {
		irq_stats.spurious++;
		return;
	}
	irq_stats.count[irq]++;
	if (a->handler) {
		a->handler(irq, a->data);
	} else {
		irq_stats.stray++;
		pr_warn("stray IRQ %u (vector %u) with no handler: masking the line\n", irq,
			irq + IRQ_BASE_VECTOR);
		pic_mask(irq);
	}
	pic_eoi(irq);
}

void do_irq(unsigned int vector)
{
	if (vector >= IRQ_BASE_VECTOR && vector < IRQ_BASE_VECTOR + NR_IRQS) {
		handle_pic_irq(vector - IRQ_BASE_VECTOR);
	} else if (vector == LOCAL_TIMER_VECTOR) {
		irq_stats.local_timer++;
		lapic_timer_interrupt();
	} else if (vector == SPURIOUS_VECTOR) {
		irq_stats.spurious++;
	} else {
		irq_stats.unexpected++;
		pr_warn("unexpected interrupt on vector %u ignored\n", vector);
	}
}

const char *irq_name(unsigned int irq)
{
	return irq < NR_IRQS ? actions[irq].name : NULL;
}
