/*
 * The shell's `apic` command: how interrupts are routed right now, read back from the chips
 * (not from what the kernel meant to write): the mode, the local APIC's LVT entries, the
 * 8259's mask registers and every IOAPIC redirection entry, with the IRQ that owns it.
 * A debugging view in the spirit of Linux's boot-time IOAPIC dump (apic=debug).
 */
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <kernel/console.h>
#include <kernel/irq.h>
#include <kernel/shell.h>
#include <lib/errno.h>

static const char *const mode_names[] = {
	[APIC_PIC] = "PIC (no local APIC)",
	[APIC_VIRTUAL_WIRE] = "virtual wire (8259 through LINT0)",
	[APIC_SYMMETRIC_IO] = "symmetric I/O (IOAPIC)",
};

static void show_lvt(const char *name, uint32_t reg)
{
	static const char *const dm[8] = { "fixed", "?", "SMI", "?", "NMI", "INIT", "?", "ExtINT" };
	uint32_t v = apic_read(reg);

	console_printf("  %-6s 0x%08x  %s%s, vector %u\n", name, v, dm[(v >> 8) & 7],
		       v & APIC_LVT_MASKED ? ", masked" : "", v & 0xff);
}

static int irq_of_gsi(uint32_t gsi)
{
	for (unsigned int irq = 0; irq < NR_IRQS; irq++)
		if (irq_desc[irq].chip == &ioapic_chip && irq_desc[irq].hwirq == gsi)
			return (int)irq;
	return -1;
}

static int cmd_apic(int argc, char **argv)
{
	uint16_t imr = pic_read_imr();

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	console_printf("mode: %s\n", mode_names[apic_intr_mode]);
	console_printf("8259 IMR: master 0x%02x, slave 0x%02x\n", imr & 0xff, imr >> 8);
	if (!lapic_usable())
		return 0;
	console_printf("local APIC: id %u, %s mode\n", read_apic_id(), x2apic_mode ? "x2APIC" : "xAPIC");
	show_lvt("timer", APIC_LVTT);
	show_lvt("LINT0", APIC_LVT0);
	show_lvt("LINT1", APIC_LVT1);
	show_lvt("error", APIC_LVTERR);
	if (apic_intr_mode != APIC_SYMMETRIC_IO)
		return 0;
	console_puts(" GSI vector mask trigger polarity dest  IRQ\n");
	for (uint32_t gsi = 0; gsi < ioapic_nr_gsis(); gsi++) {
		uint64_t rte;
		int irq = irq_of_gsi(gsi);

		if (ioapic_read_rte(gsi, &rte))
			continue;
		console_printf("%4u   0x%02x %4u %-7s %-8s %4u  ", gsi,
			       (unsigned int)(rte & IOAPIC_RTE_VECTOR_MASK),
			       !!(rte & IOAPIC_RTE_MASKED), rte & IOAPIC_RTE_LEVEL ? "level" : "edge",
			       rte & IOAPIC_RTE_ACTIVE_LOW ? "low" : "high", (unsigned int)(rte >> 56));
		if ((rte & IOAPIC_RTE_DM_MASK) == IOAPIC_RTE_DM_NMI)
			console_puts("NMI\n");
		else if (irq < 0)
			console_puts("-\n");
		else
			console_printf("%d%s%s\n", irq, irq_name(irq) ? " " : "",
				       irq_name(irq) ? irq_name(irq) : "");
	}
	return 0;
}
SHELL_COMMAND(apic, cmd_apic, "apic",
	      "interrupt routing: APIC mode, LVTs, 8259 masks, IOAPIC entries");
