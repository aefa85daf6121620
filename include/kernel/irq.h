/*
 * Device interrupts (kernel/irq.c). An IRQ number names a device's interrupt line as Linux
 * numbers them: 0..15 are the ISA lines (the PIT is 0, the keyboard 1, COM1 4) whatever
 * pin they arrive on, 16 and up are the IOAPICs' global system interrupts (GSIs) of the
 * same number. Each has a descriptor: the chip that delivers it (the 8259 "XT-PIC" or an
 * "IO-APIC", with its pin, the hwirq), its trigger, and the handler registered with
 * request_irq(). IRQ n always arrives on vector IRQ_BASE_VECTOR + n, whichever chip is
 * behind it, so a line keeps its handler when the IOAPIC takes over from the PIC.
 * Interrupts nobody asked for are counted, never fatal: a stray IRQ (a line with no
 * handler) is logged once and masked; a spurious one (the PIC's IRQ 7/15 ghost, the
 * APIC's vector 255) is counted.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <kernel/compiler.h>
#include <kernel/percpu.h>
#include <kernel/traps.h>

#define NR_IRQS		64	/* vectors 32..95 */
#define NR_IRQS_LEGACY	16	/* the ISA lines */

typedef void (*irq_handler_t)(unsigned int irq, void *data);

int request_irq(unsigned int irq, irq_handler_t handler, const char *name, void *data);
void free_irq(unsigned int irq);
void do_irq(unsigned int vector);
const char *irq_name(unsigned int irq);	/* NULL when the line has no handler */

/* What delivers a line: the operations every interrupt controller here provides. */
struct irq_chip {
	const char *name;			/* "XT-PIC", "IO-APIC": /proc/interrupts' column */
	void (*mask)(unsigned int irq);
	void (*unmask)(unsigned int irq);
	void (*eoi)(unsigned int irq);
	bool (*spurious)(unsigned int irq);	/* may be NULL: a ghost no handler should see */
};

struct irq_desc {
	const struct irq_chip *chip;	/* NULL: no line behind this IRQ number */
	uint32_t hwirq;			/* the chip's pin: PIC line or GSI */
	bool level;			/* level-triggered, else edge */
	irq_handler_t handler;
	const char *name;
	void *data;
};
extern struct irq_desc irq_desc[NR_IRQS];

static inline unsigned int irq_to_vector(unsigned int irq)
{
	return IRQ_BASE_VECTOR + irq;
}

/*
 * Put @irq behind @chip at pin @hwirq (NULL: no line). A line with a handler is masked on
 * its old chip and unmasked on the new one: the handler stays.
 */
void irq_set_chip(unsigned int irq, const struct irq_chip *chip, uint32_t hwirq, bool level);

/* Per CPU: each CPU counts what it takes, without a lock; readers sum the columns. */
struct irq_stats {
	uint64_t count[NR_IRQS];
	uint64_t spurious;	/* PIC ghosts and APIC spurious vector */
	uint64_t stray;		/* interrupts on a line without a handler */
	uint64_t unexpected;	/* vectors nothing is routed to */
	uint64_t local_timer;	/* local APIC timer interrupts ("LOC" in /proc/interrupts) */
	uint64_t apic_error;	/* local APIC error interrupts (part of "ERR") */
	uint64_t reschedule;	/* reschedule IPIs taken ("RES") */
	uint64_t call_function;	/* call-function IPIs taken ("CAL") */
	uint64_t tlb_shootdown;	/* of the calls, TLB shootdowns ("TLB") */
};
extern struct irq_stats irq_stats[NR_CPUS];

static inline struct irq_stats *this_cpu_irq_stats(void) { return &irq_stats[smp_processor_id()]; }
uint64_t irq_errors(void);	/* APIC errors, stray and unexpected interrupts, all CPUs */

/* The legacy 8259 pair (drivers/pic.c). */
extern const struct irq_chip i8259_chip;
void pic_init(void);
void pic_mask(unsigned int irq);
void pic_unmask(unsigned int irq);
void pic_eoi(unsigned int irq);
bool pic_irq_is_spurious(unsigned int irq);
void pic_mask_all(void);	/* the IOAPIC took over: not even the cascade stays open */
uint16_t pic_read_imr(void);	/* the two mask registers as the chips hold them, slave high */

#endif
