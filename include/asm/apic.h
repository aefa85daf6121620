/*
 * The local APIC (drivers/irq/lapic.c): every CPU's own interrupt controller. It accepts
 * interrupts from its LINT0/LINT1 pins, its timer, its error logic and (as messages) from
 * IOAPICs, and delivers them to the CPU by vector; the handler ends each one with an EOI.
 * Two register interfaces for the same registers: xAPIC, a 4 KiB MMIO page (register R
 * at offset R), and x2APIC, MSRs (register R at MSR 0x800 + R / 16). apic_read/apic_write
 * hide which one is in use. docs/interrupts.md walks through it.
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <kernel/compiler.h>

/* Register offsets (xAPIC MMIO; x2APIC MSR = 0x800 + offset / 16). */
#define APIC_ID		0x020
#define APIC_LVR	0x030	/* version: bits 7:0 version, 23:16 highest LVT entry */
#define APIC_TASKPRI	0x080
#define APIC_EOI	0x0b0
#define APIC_LDR	0x0d0
#define APIC_SPIV	0x0f0
#define  APIC_SPIV_ENABLE	(1u << 8)
#define APIC_ISR	0x100	/* in-service bits, 8 registers of 32 vectors, 0x10 apart */
#define APIC_IRR	0x200	/* requested bits, likewise */
#define APIC_ESR	0x280	/* error status: write (0), then read */
#define APIC_ICR	0x300	/* interrupt command: an IPI is sent by writing it */
#define APIC_ICR2	0x310	/* xAPIC: the destination APIC ID in bits 31:24 */
#define  APIC_ICR_BUSY		(1u << 12)	/* xAPIC: delivery status, still sending */
#define  APIC_INT_ASSERT	(1u << 14)
#define  APIC_INT_LEVELTRIG	(1u << 15)
#define  APIC_DM_INIT		(5u << 8)
#define  APIC_DM_STARTUP	(6u << 8)	/* vector = the start page number (addr / 4 KiB) */
#define APIC_LVTT	0x320	/* the local vector table: timer, */
#define APIC_LVT0	0x350	/* LINT0, */
#define APIC_LVT1	0x360	/* LINT1, */
#define APIC_LVTERR	0x370	/* error */
#define  APIC_LVT_MASKED	(1u << 16)
#define  APIC_LVT_LEVEL		(1u << 15)
#define  APIC_LVT_ACTIVE_LOW	(1u << 13)
#define  APIC_DM_FIXED		(0u << 8)
#define  APIC_DM_NMI		(4u << 8)
#define  APIC_DM_EXTINT		(7u << 8)
#define  APIC_LVTT_TSCDEADLINE	(2u << 17)
#define APIC_TMICT	0x380	/* timer initial count */
#define APIC_TMCCT	0x390	/* timer current count */
#define APIC_TDCR	0x3e0	/* timer divide configuration */
#define  APIC_TDR_DIV_1		0xb

#define ERROR_APIC_VECTOR	0xfe	/* Linux's */

/* How device interrupts reach the CPU, decided once by apic_intr_mode_init(). */
enum apic_intr_mode {
	APIC_PIC,		/* no local APIC in use: the 8259 interrupts the CPU directly */
	APIC_VIRTUAL_WIRE,	/* local APIC on, the 8259 behind its LINT0 (ExtINT), no IOAPIC */
	APIC_SYMMETRIC_IO,	/* IOAPICs route every line, the 8259 is masked */
};
extern enum apic_intr_mode apic_intr_mode;

extern bool x2apic_mode;	/* the registers are MSRs */

uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t v);
uint32_t read_apic_id(void);	/* 8 bits in xAPIC mode, 32 in x2APIC mode */
/* Send an IPI: command @low (delivery mode, vector, level) to local APIC @dest. */
void apic_icr_write(uint32_t low, uint32_t dest);

static inline void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);	/* x2APIC: any other value is a #GP */
}

/* Is the local APIC usable and set up (CPUID has it, no nolapic, the page mapped)? */
bool lapic_usable(void);

/*
 * Choose the interrupt mode and set it up: the local APIC (x2APIC if there and allowed),
 * its LINT pins from the MADT, the error and spurious vectors, then the IOAPICs if the MADT
 * lists one and neither noapic nor nolapic is given. Lines requested on the PIC before this
 * move to the IOAPIC with their handlers. Call after acpi_init() and before time_init().
 */
void apic_intr_mode_init(void);

void lapic_error_interrupt(void);
/* On an AP: its own local APIC on, in the BSP's register mode, LINT pins and vectors set. */
void lapic_ap_setup(void);
/* Counts per ms of this CPU's APIC timer, measured against the TSC (drivers/timer/lapic.c). */
uint64_t lapic_timer_measure_khz(void);	/* vector ERROR_APIC_VECTOR (kernel/irq.c) */

/* Did the user ask for the PIT tick instead of the local APIC timer (nolapic_timer)? */
extern bool disable_apic_timer;

#endif
