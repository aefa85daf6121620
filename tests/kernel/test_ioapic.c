/*
 * Interrupt routing through the local APIC and the IOAPIC (drivers/irq/): the routing table
 * agrees with the MADT (ISA IRQ n on the GSI acpi_isa_irq_to_gsi() gives, with the override's
 * trigger and polarity, vector 32 + n, the boot CPU as destination), a line is unmasked
 * exactly while it has a handler, the 8259 is fully masked, a real PIT interrupt arrives
 * through the IOAPIC on its GSI and reaches the handler, and the APIC error vector is
 * counted and ended.
 * Every case but the last skips when the kernel is not in symmetric I/O mode (noapic,
 * nolapic, acpi=off, no MADT): there is no IOAPIC routing to check then.
 */
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/ktest.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <sched/task.h>

#define PIT_CH0		0x40
#define PIT_CMD		0x43
#define PIT_DIVISOR	1193	/* 1 kHz */

#define RTE_DEST(rte)	((uint32_t)((rte) >> 56))

#define NEED_SYMMETRIC_IO(t) do {                                                         \
	if (apic_intr_mode != APIC_SYMMETRIC_IO)                                           \
		KTEST_SKIP(t, "not in symmetric I/O mode (no IOAPIC, noapic or nolapic)"); \
} while (0)

/* An IRQ's redirection entry, read back from the chip. */
static uint64_t rte_of(struct ktest *t, unsigned int irq)
{
	uint64_t rte = 0;

	KTEST_EXPECT_EQ(t, ioapic_read_rte(irq_desc[irq].hwirq, &rte), 0);
	return rte;
}

static void test_isa_routes_follow_madt(struct ktest *t)
{
	NEED_SYMMETRIC_IO(t);
	for (unsigned int irq = 0; irq < NR_IRQS_LEGACY; irq++) {
		uint16_t flags = 0;
		uint32_t gsi = acpi_isa_irq_to_gsi(irq, &flags);
		const struct irq_desc *d = &irq_desc[irq];
		uint64_t rte;
		bool level = (flags & ACPI_TRIGGER_MASK) == ACPI_TRIGGER_LEVEL;
		bool low = (flags & ACPI_POLARITY_MASK) == ACPI_POLARITY_LOW;

		if (!d->chip)
			continue;	/* IRQ 2: its GSI went to IRQ 0 (checked below) */
		KTEST_EXPECT_TRUE(t, d->chip == &ioapic_chip);
		KTEST_EXPECT_EQ(t, d->hwirq, gsi);
		KTEST_EXPECT_EQ(t, d->level, level);
		rte = rte_of(t, irq);
		KTEST_EXPECT_EQ(t, rte & IOAPIC_RTE_VECTOR_MASK, irq_to_vector(irq));
		KTEST_EXPECT_EQ(t, !!(rte & IOAPIC_RTE_LEVEL), level);
		KTEST_EXPECT_EQ(t, !!(rte & IOAPIC_RTE_ACTIVE_LOW), low);
		KTEST_EXPECT_EQ(t, rte & (7u << 8), IOAPIC_RTE_DM_FIXED);
		KTEST_EXPECT_EQ(t, rte & IOAPIC_RTE_DEST_LOGICAL, 0);
		KTEST_EXPECT_EQ(t, RTE_DEST(rte), read_apic_id());
	}
}

/* The PC's (and QEMU's) best-known override: the PIT's IRQ 0 is GSI 2, edge. */
static void test_irq0_is_gsi2(struct ktest *t)
{
	uint16_t flags = 0;

	NEED_SYMMETRIC_IO(t);
	if (acpi_isa_irq_to_gsi(0, &flags) != 2)
		KTEST_SKIP(t, "this machine's MADT has no IRQ 0 -> GSI 2 override");
	KTEST_EXPECT_EQ(t, irq_desc[0].hwirq, 2);
	KTEST_EXPECT_TRUE(t, !irq_desc[0].level);
	KTEST_EXPECT_TRUE(t, !(rte_of(t, 0) & IOAPIC_RTE_LEVEL));
	KTEST_EXPECT_TRUE(t, irq_desc[2].chip == NULL);	/* no second IRQ on GSI 2 */
	KTEST_EXPECT_TRUE(t, request_irq(2, (irq_handler_t)1, "ktest", NULL) < 0);
}

static void test_masked_unless_requested(struct ktest *t)
{
	unsigned int checked = 0;

	NEED_SYMMETRIC_IO(t);
	for (unsigned int irq = 0; irq < NR_IRQS; irq++) {
		if (irq_desc[irq].chip != &ioapic_chip)
			continue;
		/* Masked exactly when there is no handler (a stray line is masked too). */
		KTEST_EXPECT_EQ(t, !!(rte_of(t, irq) & IOAPIC_RTE_MASKED), !irq_desc[irq].handler);
		checked++;
	}
	KTEST_EXPECT_TRUE(t, checked >= 15);
	/* Pins no IRQ uses (GSI 0, the ExtINT pin, on a PC) are masked as well. */
	for (uint32_t gsi = 0; gsi < ioapic_nr_gsis(); gsi++) {
		bool used = false;
		uint64_t rte;

		for (unsigned int irq = 0; irq < NR_IRQS; irq++)
			used |= irq_desc[irq].chip == &ioapic_chip && irq_desc[irq].hwirq == gsi;
		if (!used && ioapic_read_rte(gsi, &rte) == 0)
			KTEST_EXPECT_TRUE(t, rte & IOAPIC_RTE_MASKED);
	}
}

static void dummy_handler(unsigned int irq, void *data)
{
	(void)irq;
	(void)data;
}

static void test_request_unmasks_free_masks(struct ktest *t)
{
	unsigned int irq = 3;	/* COM2: nobody's here */

	NEED_SYMMETRIC_IO(t);
	if (irq_desc[irq].handler || irq_desc[irq].chip != &ioapic_chip)
		KTEST_SKIP(t, "IRQ 3 is in use or has no IOAPIC line");
	KTEST_ASSERT_EQ(t, request_irq(irq, dummy_handler, "ktest", NULL), 0);
	KTEST_EXPECT_EQ(t, rte_of(t, irq) & (IOAPIC_RTE_MASKED | IOAPIC_RTE_VECTOR_MASK),
			irq_to_vector(irq));
	KTEST_EXPECT_EQ(t, request_irq(irq, dummy_handler, "ktest", NULL), -EBUSY);
	free_irq(irq);
	KTEST_EXPECT_TRUE(t, rte_of(t, irq) & IOAPIC_RTE_MASKED);
	/* The serial console's line, requested at boot on the PIC, moved over unmasked. */
	if (irq_desc[4].handler)
		KTEST_EXPECT_EQ(t, rte_of(t, 4) & (IOAPIC_RTE_MASKED | IOAPIC_RTE_VECTOR_MASK),
				irq_to_vector(4));
}

static void test_pic_fully_masked(struct ktest *t)
{
	NEED_SYMMETRIC_IO(t);
	KTEST_EXPECT_EQ(t, pic_read_imr(), 0xffff);
}

static volatile unsigned int pit_seen_irq = ~0u, pit_calls;

static void pit_probe(unsigned int irq, void *data)
{
	(void)data;
	pit_seen_irq = irq;
	pit_calls++;
}

/* A real device interrupt end to end: the PIT on IRQ 0 -> GSI 2 -> vector 32 -> handler. */
static void test_pit_interrupt_through_ioapic(struct ktest *t)
{
	uint64_t before = irq_stats[0].count[0], end;

	NEED_SYMMETRIC_IO(t);
	if (irq_desc[0].handler)
		KTEST_SKIP(t, "the PIT is the tick (nolapic_timer): IRQ 0 is taken");
	KTEST_ASSERT_EQ(t, request_irq(0, pit_probe, "ktest-pit", NULL), 0);
	pit_calls = 0;
	outb(PIT_CMD, 0x34);	/* channel 0, low then high byte, rate generator */
	outb(PIT_CH0, PIT_DIVISOR & 0xff);
	outb(PIT_CH0, PIT_DIVISOR >> 8);
	end = ktime_get_ns() + 200 * NSEC_PER_MSEC;
	while (pit_calls < 5 && ktime_get_ns() < end)
		cpu_relax();
	free_irq(0);
	outb(PIT_CMD, 0x30);	/* mode 0, one count and done: quiet again */
	outb(PIT_CH0, 1);
	outb(PIT_CH0, 0);
	ktest_diag(t, "%u PIT interrupts through GSI %u", pit_calls, irq_desc[0].hwirq);
	KTEST_EXPECT_TRUE(t, pit_calls >= 5);
	KTEST_EXPECT_EQ(t, pit_seen_irq, 0);
	KTEST_EXPECT_TRUE(t, irq_stats[0].count[0] >= before + pit_calls);
	KTEST_EXPECT_TRUE(t, rte_of(t, 0) & IOAPIC_RTE_MASKED);
}

/*
 * The error vector through the APIC itself: a self-IPI on vector 254 is counted as an APIC
 * error, and its handler's EOI clears the in-service bit (left set, it would block every
 * vector of its priority class and below). QEMU's APIC raises no error interrupt of its own
 * (an illegal vector is delivered as is), hence the IPI.
 */
static void test_error_vector_counted_and_ended(struct ktest *t)
{
	uint64_t before = irq_stats[0].apic_error;
	uint32_t isr_reg = APIC_ISR + (ERROR_APIC_VECTOR / 32) * 0x10;
	uint32_t icr = (1u << 18) | ERROR_APIC_VECTOR;	/* shorthand "self", fixed delivery */
	unsigned long flags;

	if (!lapic_usable())
		KTEST_SKIP(t, "no local APIC");
	flags = local_irq_save();
	if (x2apic_mode)
		wrmsr(0x830, icr);	/* the ICR is one 64-bit MSR in x2APIC mode */
	else
		apic_write(0x300, icr);
	local_irq_restore(flags);
	udelay(100);
	KTEST_EXPECT_EQ(t, irq_stats[0].apic_error, before + 1);
	KTEST_EXPECT_EQ(t, apic_read(isr_reg) & (1u << (ERROR_APIC_VECTOR % 32)), 0);
}

/*
 * An NMI source (MADT type 3; QEMU's tables have none, so a free pin stands in): the entry
 * gets NMI delivery, edge, the polarity asked, unmasked, to this CPU. The pin has nothing
 * wired to it, so no NMI comes; it is masked again after.
 */
static void test_nmi_source_entry(struct ktest *t)
{
	uint32_t gsi = ioapic_nr_gsis();
	uint64_t rte = 0;

	NEED_SYMMETRIC_IO(t);
	while (gsi-- > NR_IRQS_LEGACY && (irq_desc[gsi].handler || gsi >= NR_IRQS))
		;
	if (gsi < NR_IRQS_LEGACY)
		KTEST_SKIP(t, "no free GSI above the ISA range");
	KTEST_ASSERT_EQ(t, ioapic_route_nmi(gsi, ACPI_POLARITY_LOW | ACPI_TRIGGER_LEVEL,
					    read_apic_id()), 0);
	KTEST_EXPECT_EQ(t, ioapic_read_rte(gsi, &rte), 0);
	ioapic_mask_gsi(gsi);
	ktest_diag(t, "GSI %u as an NMI source: entry 0x%016llx", gsi, (unsigned long long)rte);
	KTEST_EXPECT_EQ(t, rte & IOAPIC_RTE_DM_MASK, IOAPIC_RTE_DM_NMI);
	KTEST_EXPECT_EQ(t, rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL), 0);	/* NMIs are edge */
	KTEST_EXPECT_TRUE(t, rte & IOAPIC_RTE_ACTIVE_LOW);
	KTEST_EXPECT_EQ(t, RTE_DEST(rte), read_apic_id());
	KTEST_EXPECT_EQ(t, ioapic_route_nmi(ioapic_nr_gsis(), 0, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, ioapic_read_rte(gsi, &rte), 0);
	KTEST_EXPECT_TRUE(t, rte & IOAPIC_RTE_MASKED);
}

/*
 * The spurious vector (255): the APIC sends it when an interrupt vanished before the CPU
 * took it. `int $0xff` enters the same handler: it is counted, and sends no EOI (the APIC
 * set no in-service bit), so the next real interrupts still arrive.
 */
static void test_spurious_vector_counted(struct ktest *t)
{
	uint64_t before = irq_stats[0].spurious;
	uint64_t timer = irq_stats[0].local_timer + irq_stats[0].count[0];

	if (!lapic_usable())
		KTEST_SKIP(t, "no local APIC");
	__asm__ volatile("int $0xff");
	KTEST_EXPECT_EQ(t, irq_stats[0].spurious, before + 1);
	msleep(30);	/* only a timer interrupt can wake us */
	KTEST_EXPECT_TRUE(t, irq_stats[0].local_timer + irq_stats[0].count[0] > timer);
}

static const struct ktest_case ioapic_cases[] = {
	KTEST_CASE(test_isa_routes_follow_madt),
	KTEST_CASE(test_irq0_is_gsi2),
	KTEST_CASE(test_masked_unless_requested),
	KTEST_CASE(test_request_unmasks_free_masks),
	KTEST_CASE(test_pic_fully_masked),
	KTEST_CASE(test_pit_interrupt_through_ioapic),
	KTEST_CASE(test_error_vector_counted_and_ended),
	KTEST_CASE(test_nmi_source_entry),
	KTEST_CASE(test_spurious_vector_counted),
	{},
};
KTEST_SUITE(ioapic, ioapic_cases);
