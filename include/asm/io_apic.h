/*
 * The IOAPICs (drivers/irq/ioapic.c): the chips that turn device interrupt lines (global
 * system interrupts, GSIs, numbered across all IOAPICs by the MADT) into messages to a
 * local APIC, one redirection entry per pin: vector, delivery mode, destination,
 * polarity, trigger and a mask bit. docs/interrupts.md walks through it.
 */
#ifndef ASM_IO_APIC_H
#define ASM_IO_APIC_H

#include <kernel/compiler.h>

/* Redirection table entry bits (the low 32 bits; the destination is bits 63:56). */
#define IOAPIC_RTE_VECTOR_MASK	0xffu
#define IOAPIC_RTE_DM_FIXED	(0u << 8)
#define IOAPIC_RTE_DM_NMI	(4u << 8)
#define IOAPIC_RTE_DM_MASK	(7u << 8)
#define IOAPIC_RTE_DEST_LOGICAL	(1u << 11)
#define IOAPIC_RTE_PENDING	(1u << 12)	/* delivery status, read only */
#define IOAPIC_RTE_ACTIVE_LOW	(1u << 13)
#define IOAPIC_RTE_REMOTE_IRR	(1u << 14)	/* level: accepted, no EOI yet (read only) */
#define IOAPIC_RTE_LEVEL	(1u << 15)
#define IOAPIC_RTE_MASKED	(1u << 16)

extern bool noapic;
extern const struct irq_chip ioapic_chip;

/*
 * Map every IOAPIC of the MADT, mask all their pins, program an entry for each ISA IRQ
 * (through the overrides) and each GSI >= 16 (as IRQ of the same number), all to local APIC
 * @dest, and move the IRQs from the 8259 to them. Returns 0, or -ENODEV with nothing
 * changed when no IOAPIC is usable.
 */
int setup_ioapics(uint32_t dest);

/* The redirection entry of @gsi as the chip holds it; -EINVAL when no IOAPIC serves it. */
int ioapic_read_rte(uint32_t gsi, uint64_t *rte);
unsigned int ioapic_nr_gsis(void);

/* Program @gsi as an NMI line (MADT NMI source flags) to @dest, unmasked; -EINVAL: no pin. */
int ioapic_route_nmi(uint32_t gsi, uint16_t flags, uint32_t dest);
void ioapic_mask_gsi(uint32_t gsi);	/* set @gsi's mask bit, its routing kept */	/* one past the highest GSI served */

#endif
