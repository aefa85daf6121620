/*
 * Device interrupts (kernel/irq.c): a handler table indexed by IRQ line, counts
 * per line, and the handling of interrupts nobody asked for: a stray IRQ (a line
 * with no handler) is logged once, counted and masked; a spurious one (the PIC's
 * IRQ 7/15 ghost, the APIC's vector 255) is counted. Neither is fatal.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <kernel/compiler.h>

#define NR_IRQS 16

typedef void (*irq_handler_t)(unsigned int irq, void *data);

int request_irq(unsigned int irq, irq_handler_t handler, const char *name, void *data);
void free_irq(unsigned int irq);
void do_irq(unsigned int vector);
const char *irq_name(unsigned int irq);	/* NULL when the line has no handler */

struct irq_stats {
	uint64_t count[NR_IRQS];
	uint64_t spurious;	/* PIC ghosts and APIC spurious vector */
	uint64_t stray;		/* interrupts on a line without a handler */
	uint64_t unexpected;	/* vectors nothing is routed to */
	uint64_t local_timer;	/* local APIC timer interrupts ("LOC" in /proc/interrupts) */
};
extern struct irq_stats irq_stats;

/* The legacy 8259 pair (drivers/pic.c). */
void pic_init(void);
void pic_mask(unsigned int irq);
void pic_unmask(unsigned int irq);
void pic_eoi(unsigned int irq);
bool pic_irq_is_spurious(unsigned int irq);

#endif
