/*
 * The IOAPICs: each has a redirection table with one 64-bit entry per input pin, and pin p
 * of an IOAPIC whose MADT entry says "GSI base b" is global system interrupt b + p. An entry
 * says which vector to send, to which local APIC, how (fixed delivery, physical destination)
 * and how to read the pin: active high or low, edge or level. Two registers reach the rest:
 * write an index to IOREGSEL (offset 0), then read or write IOWIN (offset 0x10). The chip's
 * page is mapped at a fixmap slot, as the local APIC's: this runs with interrupts off.
 * Routing, done once at boot by setup_ioapics(): ISA IRQ n (0..15) is GSI n, active high,
 * edge, unless a MADT interrupt source override says otherwise (on QEMU and most PCs the
 * PIT's IRQ 0 is GSI 2; the SCI's IRQ 9 is level); an ISA IRQ whose GSI an override gave to
 * another IRQ has no line (IRQ 2, the old cascade). GSIs from 16 up are IRQs of the same
 * number, active low and level, the PCI convention. IRQ n uses vector 32 + n.
 * A MADT "NMI source" (type 3) names a GSI wired to NMI: its entry is programmed with NMI
 * delivery, edge (the only trigger an NMI has), unmasked, and no IRQ gets that GSI.
 * Every pin starts masked; the chip's unmask and mask (request_irq, free_irq) flip only the
 * mask bit of an entry programmed here. EOI is the local APIC's: for a level line it sends
 * the EOI on to the IOAPIC, which clears the entry's remote IRR.
 * Limits: one destination (the boot CPU) in physical mode, so its APIC ID must fit the
 * entry's 8 bits (no interrupt remapping); no IOAPIC EOI register; PCI lines are set up but
 * no driver asks for one yet.
 */
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/layout.h>
#include <drivers/acpi.h>
#include <kernel/irq.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/errno.h>
#include <mm/pgtable.h>

#define IOREGSEL		0x00	/* bytes: the index register */
#define IOWIN			0x10	/* bytes: the data window */
#define IOAPIC_ID		0x00
#define IOAPIC_VER		0x01	/* bits 7:0 version, 23:16 number of entries - 1 */
#define IOAPIC_REDTBL(pin)	(0x10 + 2 * (pin))	/* low half; high half at + 1 */

struct ioapic {
	volatile uint32_t *regs;
	uint64_t phys;
	uint32_t gsi_base, nr_pins;
};

bool noapic;
static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int nr_ioapics;
static uint32_t rte_low[NR_IRQS];	/* each IRQ's entry, low half, mask bit clear */
static DEFINE_SPINLOCK(ioapic_lock);	/* IOREGSEL and IOWIN are one access in two steps */

KERNEL_PARAM_FLAG("noapic", noapic, NULL, "no value: no IOAPIC, the 8259 delivers through LINT0");

static uint32_t io_apic_read(struct ioapic *a, uint32_t reg)
{
	a->regs[IOREGSEL / 4] = reg;
	return a->regs[IOWIN / 4];
}

static void io_apic_write(struct ioapic *a, uint32_t reg, uint32_t v)
{
	a->regs[IOREGSEL / 4] = reg;
	a->regs[IOWIN / 4] = v;
}

static struct ioapic *gsi_to_ioapic(uint32_t gsi, uint32_t *pin)
{
	for (unsigned int i = 0; i < nr_ioapics; i++) {
		struct ioapic *a = &ioapics[i];

		if (gsi >= a->gsi_base && gsi - a->gsi_base < a->nr_pins) {
			*pin = gsi - a->gsi_base;
			return a;
		}
	}
	return NULL;
}

unsigned int ioapic_nr_gsis(void)
{
	unsigned int end = 0;

	for (unsigned int i = 0; i < nr_ioapics; i++)
		if (ioapics[i].gsi_base + ioapics[i].nr_pins > end)
			end = ioapics[i].gsi_base + ioapics[i].nr_pins;
	return end;
}

int ioapic_read_rte(uint32_t gsi, uint64_t *rte)
{
	struct ioapic *a;
	unsigned long flags;
	uint32_t pin, lo, hi;

	flags = spin_lock_irqsave(&ioapic_lock);
	a = gsi_to_ioapic(gsi, &pin);
	if (a) {
		lo = io_apic_read(a, IOAPIC_REDTBL(pin));
		hi = io_apic_read(a, IOAPIC_REDTBL(pin) + 1);
	}
	spin_unlock_irqrestore(&ioapic_lock, flags);
	if (!a)
		return -EINVAL;
	*rte = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Write the low half of @irq's entry: its routing, masked or not. */
static void write_low(unsigned int irq, bool masked)
{
	struct ioapic *a;
	unsigned long flags;
	uint32_t pin;

	flags = spin_lock_irqsave(&ioapic_lock);
	a = gsi_to_ioapic(irq_desc[irq].hwirq, &pin);
	if (a)
		io_apic_write(a, IOAPIC_REDTBL(pin), rte_low[irq] | (masked ? IOAPIC_RTE_MASKED : 0));
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

static void ioapic_mask(unsigned int irq)
{
	write_low(irq, true);
}

static void ioapic_unmask(unsigned int irq)
{
	write_low(irq, false);
}

static void ioapic_eoi(unsigned int irq)
{
	(void)irq;
	apic_eoi();
}

const struct irq_chip ioapic_chip = {
	.name = "IO-APIC",
	.mask = ioapic_mask,
	.unmask = ioapic_unmask,
	.eoi = ioapic_eoi,
};

/* Map one MADT IOAPIC and read how many pins it has. */
static int map_ioapic(unsigned int i, const struct acpi_madt_ioapic *m)
{
	uint64_t offset = m->addr & (PAGE_SIZE - 1);
	struct ioapic *a = &ioapics[nr_ioapics];
	uint32_t ver;

	if (offset > PAGE_SIZE - IOWIN - 4 || i >= FIX_IO_APIC_SLOTS) {
		pr_err("IOAPIC[%u]: address 0x%llx unusable: skipped\n", i,
		       (unsigned long long)m->addr);
		return -EINVAL;
	}
	if (kernel_map_range(fix_to_virt(FIX_IO_APIC_BASE_0 + i), m->addr - offset, PAGE_SIZE,
			     _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD | _PAGE_PWT | _PAGE_NX, false,
			     &kernel_pt_ops))
		return -ENOMEM;
	a->regs = (volatile uint32_t *)(fix_to_virt(FIX_IO_APIC_BASE_0 + i) + offset);
	ver = io_apic_read(a, IOAPIC_VER);
	if (ver == 0xffffffff || (ver & 0xff) == 0) {	/* nothing decodes the address */
		pr_err("IOAPIC[%u]: no answer at 0x%llx (version register 0x%x): skipped\n", i,
		       (unsigned long long)m->addr, ver);
		return -ENODEV;
	}
	a->phys = m->addr;
	a->gsi_base = m->gsi_base;
	a->nr_pins = ((ver >> 16) & 0xff) + 1;
	pr_info("IOAPIC[%u]: apic_id %u, version %u, address 0x%llx, GSI %u-%u\n", i, m->id,
		ver & 0xff, (unsigned long long)m->addr, a->gsi_base, a->gsi_base + a->nr_pins - 1);
	for (uint32_t pin = 0; pin < a->nr_pins; pin++)
		io_apic_write(a, IOAPIC_REDTBL(pin), IOAPIC_RTE_MASKED);
	nr_ioapics++;
	return 0;
}

static const struct acpi_madt_override *isa_override(unsigned int irq)
{
	for (unsigned int i = 0; i < acpi.madt.nr_overrides; i++)
		if (acpi.madt.overrides[i].bus == 0 && acpi.madt.overrides[i].source == irq)
			return &acpi.madt.overrides[i];
	return NULL;
}

/* Is @gsi the target of another ISA IRQ's override? Then it is not @irq's by identity. */
static bool gsi_taken_by_override(uint32_t gsi, unsigned int irq)
{
	for (unsigned int i = 0; i < acpi.madt.nr_overrides; i++) {
		const struct acpi_madt_override *o = &acpi.madt.overrides[i];

		if (o->bus == 0 && o->gsi == gsi && o->source != irq)
			return true;
	}
	return false;
}

struct route {
	bool valid, level, low;
	uint32_t gsi;
};

/* ISA IRQ @irq: its GSI and its pin's polarity and trigger. */
static struct route isa_route(unsigned int irq)
{
	const struct acpi_madt_override *o = isa_override(irq);
	uint16_t flags = 0;
	struct route r = { .gsi = acpi_isa_irq_to_gsi(irq, &flags) };
	uint16_t pol = flags & ACPI_POLARITY_MASK, trig = flags & ACPI_TRIGGER_MASK;

	if (!o && gsi_taken_by_override(r.gsi, irq)) {
		pr_info("IOAPIC: IRQ %u has no line: GSI %u is another IRQ's (override)\n", irq,
			r.gsi);
		return r;
	}
	if (pol == 2 || trig == 8)	/* reserved encodings: the bus default */
		pr_warn("IOAPIC: IRQ %u: reserved MPS flags 0x%x, using ISA's edge/high\n", irq,
			flags);
	r.low = pol == ACPI_POLARITY_LOW;	/* ISA (conforms) is active high */
	r.level = trig == ACPI_TRIGGER_LEVEL;	/* ISA (conforms) is edge */
	r.valid = true;
	if (o)
		pr_info("IOAPIC: IRQ %u -> GSI %u, %s, active %s (MADT override, flags 0x%x)\n",
			irq, r.gsi, r.level ? "level" : "edge", r.low ? "low" : "high", flags);
	return r;
}

/* Program @irq's entry (masked) for route @r to local APIC @dest. */
static bool program_irq(unsigned int irq, struct route r, uint32_t dest)
{
	struct ioapic *a;
	uint32_t pin;

	if (!r.valid)
		return false;
	a = gsi_to_ioapic(r.gsi, &pin);
	if (!a) {
		pr_warn("IOAPIC: IRQ %u: no IOAPIC serves GSI %u\n", irq, r.gsi);
		return false;
	}
	rte_low[irq] = irq_to_vector(irq) | IOAPIC_RTE_DM_FIXED |
		(r.low ? IOAPIC_RTE_ACTIVE_LOW : 0) | (r.level ? IOAPIC_RTE_LEVEL : 0);
	/* The entry is masked: the high half (destination) goes first, then the low. */
	io_apic_write(a, IOAPIC_REDTBL(pin) + 1, dest << 24);
	io_apic_write(a, IOAPIC_REDTBL(pin), rte_low[irq] | IOAPIC_RTE_MASKED);
	return true;
}

int ioapic_route_nmi(uint32_t gsi, uint16_t flags, uint32_t dest)
{
	uint32_t low = IOAPIC_RTE_DM_NMI;	/* the vector field is ignored for NMI delivery */
	struct ioapic *a;
	unsigned long irqflags;
	uint32_t pin;

	if ((flags & ACPI_POLARITY_MASK) == ACPI_POLARITY_LOW)
		low |= IOAPIC_RTE_ACTIVE_LOW;
	irqflags = spin_lock_irqsave(&ioapic_lock);
	a = gsi_to_ioapic(gsi, &pin);
	if (a) {
		io_apic_write(a, IOAPIC_REDTBL(pin) + 1, dest << 24);
		io_apic_write(a, IOAPIC_REDTBL(pin), low);
	}
	spin_unlock_irqrestore(&ioapic_lock, irqflags);
	return a ? 0 : -EINVAL;
}

void ioapic_mask_gsi(uint32_t gsi)
{
	struct ioapic *a;
	unsigned long flags;
	uint32_t pin;

	flags = spin_lock_irqsave(&ioapic_lock);
	a = gsi_to_ioapic(gsi, &pin);
	if (a)
		io_apic_write(a, IOAPIC_REDTBL(pin), io_apic_read(a, IOAPIC_REDTBL(pin)) |
			      IOAPIC_RTE_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

/* The MADT's NMI sources: their GSIs become NMI lines (marked in @claimed, if < NR_IRQS). */
static void setup_nmi_sources(uint32_t dest, bool claimed[NR_IRQS])
{
	for (unsigned int i = 0; i < acpi.madt.nr_nmis; i++) {
		const struct acpi_madt_nmi *n = &acpi.madt.nmis[i];

		if (n->is_lapic)
			continue;
		if (ioapic_route_nmi(n->gsi, n->flags, dest)) {
			pr_warn("IOAPIC: MADT NMI source on GSI %u: no IOAPIC serves it\n", n->gsi);
			continue;
		}
		pr_info("IOAPIC: GSI %u is an NMI source (MADT, flags 0x%x)\n", n->gsi, n->flags);
		if (n->gsi < NR_IRQS)
			claimed[n->gsi] = true;
	}
}

int setup_ioapics(uint32_t dest)
{
	struct route routes[NR_IRQS] = { 0 };
	bool claimed[NR_IRQS] = { 0 };	/* GSIs < NR_IRQS an ISA IRQ or NMI uses */

	if (dest > 0xff) {
		pr_err("IOAPIC: APIC ID %u does not fit a redirection entry: not used\n", dest);
		return -ENODEV;
	}
	for (unsigned int i = 0; i < acpi.madt.nr_ioapics; i++)
		map_ioapic(i, &acpi.madt.ioapics[i]);
	if (!nr_ioapics)
		return -ENODEV;
	setup_nmi_sources(dest, claimed);
	for (unsigned int irq = 0; irq < NR_IRQS_LEGACY; irq++) {
		routes[irq] = isa_route(irq);
		if (routes[irq].valid && routes[irq].gsi < NR_IRQS && claimed[routes[irq].gsi]) {
			pr_warn("IOAPIC: IRQ %u: its GSI %u is an NMI source: no line\n", irq,
				routes[irq].gsi);
			routes[irq].valid = false;
			continue;
		}
		if (!program_irq(irq, routes[irq], dest))
			routes[irq].valid = false;
		else if (routes[irq].gsi < NR_IRQS)
			claimed[routes[irq].gsi] = true;
	}
	for (unsigned int gsi = NR_IRQS_LEGACY; gsi < NR_IRQS && gsi < ioapic_nr_gsis(); gsi++) {
		struct route r = { .valid = true, .level = true, .low = true, .gsi = gsi };

		if (!claimed[gsi] && program_irq(gsi, r, dest))
			routes[gsi] = r;
	}
	/* Every entry is ready: move the lines over, handlers and all. */
	for (unsigned int irq = 0; irq < NR_IRQS; irq++) {
		if (routes[irq].valid)
			irq_set_chip(irq, &ioapic_chip, routes[irq].gsi, routes[irq].level);
		else if (irq < NR_IRQS_LEGACY)
			irq_set_chip(irq, NULL, 0, false);
	}
	return 0;
}
