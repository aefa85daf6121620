/*
 * The local APIC of the boot CPU, and the choice of how device interrupts reach it.
 * Registers: in xAPIC mode a 4 KiB MMIO page at the physical address in MSR IA32_APIC_BASE
 * (normally 0xfee00000), which is not RAM and so not in the direct map: we map it uncached
 * at a fixmap slot (include/asm/layout.h), since this runs with interrupts off, where
 * ioremap refuses. In x2APIC mode (CPUID.1:ECX[21], switched on here unless nox2apic) the
 * same registers are MSRs 0x800 + offset / 16: no mapping, and a wider APIC ID.
 * apic_intr_mode_init() picks one of three modes (include/asm/apic.h):
 *  - PIC: no local APIC (CPUID says none, or nolapic): the 8259 interrupts the CPU itself;
 *  - virtual wire: the APIC is on (its timer is the clock event device) but there is no
 *    IOAPIC to use (no MADT, acpi=off, noapic): the 8259 delivers through LINT0 as ExtINT;
 *  - symmetric I/O: the IOAPICs route every line (drivers/irq/ioapic.c), LINT0 is masked,
 *    the 8259 fully masked.
 * LINT1 (and LINT0 outside virtual wire) follows the MADT's local APIC NMI entries; with no
 * MADT, LINT1 is the NMI as on every PC. Error interrupts (vector 254) read, count and log
 * the error status register; the spurious vector (255) is counted by kernel/irq.c.
 * The APs' APICs (lapic_ap_setup, from kernel/smpboot.c) take the BSP's mode and leave LINT0
 * masked: only the BSP takes the 8259's ExtINT. IPIs go through the ICR (apic_icr_write).
 * Limits: device interrupts go to the BSP only; no interrupt remapping, so IOAPIC
 * destinations are 8 bits.
 */
#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/io_apic.h>
#include <asm/layout.h>
#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/irq.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <mm/pgtable.h>

#define MSR_IA32_APICBASE	0x1b
#define  APICBASE_X2APIC	(1ull << 10)
#define  APICBASE_ENABLE	(1ull << 11)
#define MSR_X2APIC_BASE		0x800

#define ERRORS_LOGGED		10	/* then only counted */

enum apic_intr_mode apic_intr_mode = APIC_PIC;
bool x2apic_mode;
bool disable_apic_timer;
static bool nolapic, nox2apic, lapic_ok;
static volatile uint32_t *apic_regs;

KERNEL_PARAM_FLAG("nolapic", nolapic, NULL, "no value: no local APIC (8259 PIC and PIT only)");
KERNEL_PARAM_FLAG("nox2apic", nox2apic, NULL, "no value: keep the local APIC in xAPIC mode");
KERNEL_PARAM_FLAG("nolapic_timer", disable_apic_timer, NULL,
		  "no value: the tick from the PIT, with the APICs still routing interrupts");

uint32_t apic_read(uint32_t reg)
{
	if (x2apic_mode)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return apic_regs[reg / 4];
}

void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic_mode)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		apic_regs[reg / 4] = v;
}

uint32_t read_apic_id(void)
{
	return x2apic_mode ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

bool lapic_usable(void)
{
	return lapic_ok;
}

/*
 * Enable the APIC and pick its register interface. xAPIC to x2APIC is a one-way switch
 * while enabled (going back needs a disable, which loses its state), so a firmware that left
 * x2APIC on is kept in it.
 */
static int lapic_enable_mode(void)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE);
	uint64_t phys = base & 0x000ffffffffff000ull;

	if (!(base & APICBASE_ENABLE)) {
		base |= APICBASE_ENABLE;	/* firmware turned it off; xAPIC comes first */
		wrmsr(MSR_IA32_APICBASE, base);
	}
	if (base & APICBASE_X2APIC) {
		x2apic_mode = true;
		pr_info("x2apic: enabled by the firmware%s\n", nox2apic ? ", nox2apic ignored" : "");
		return 0;
	}
	if (boot_cpu.x2apic && !nox2apic) {
		wrmsr(MSR_IA32_APICBASE, base | APICBASE_X2APIC);
		x2apic_mode = true;
		pr_info("x2apic enabled\n");
		return 0;
	}
	if (kernel_map_range(fix_to_virt(FIX_APIC_BASE), phys, PAGE_SIZE,
			     _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD | _PAGE_PWT | _PAGE_NX, false,
			     &kernel_pt_ops))
		return -ENOMEM;
	apic_regs = (volatile uint32_t *)fix_to_virt(FIX_APIC_BASE);
	pr_info("APIC: xAPIC mode%s, registers at 0x%llx mapped at 0x%llx (uncached)\n",
		boot_cpu.x2apic ? " (nox2apic)" : " (the CPU has no x2APIC)",
		(unsigned long long)phys, (unsigned long long)fix_to_virt(FIX_APIC_BASE));
	if (acpi.madt.present && acpi.madt.lapic_addr && acpi.madt.lapic_addr != phys)
		pr_warn("APIC: the MADT says 0x%llx, the MSR 0x%llx: using the MSR\n",
			(unsigned long long)acpi.madt.lapic_addr, (unsigned long long)phys);
	return 0;
}

/* LVT bits for an NMI source's MPS flags: NMIs are always edge; the polarity is the pin's. */
static uint32_t nmi_lvt(uint16_t flags)
{
	return APIC_DM_NMI | ((flags & ACPI_POLARITY_MASK) == ACPI_POLARITY_LOW ?
			      APIC_LVT_ACTIVE_LOW : 0);
}

/* Does a MADT local APIC NMI entry (for ACPI processor UID @uid) concern this CPU? */
static bool nmi_is_ours(const struct acpi_madt_nmi *n, uint32_t apic_id)
{
	if (n->acpi_uid == 0xff || n->acpi_uid == 0xffffffff)
		return true;
	for (unsigned int i = 0; i < acpi.madt.nr_cpus; i++)
		if (acpi.madt.cpus[i].apic_id == apic_id)
			return acpi.madt.cpus[i].acpi_uid == n->acpi_uid;
	return false;
}

/* LINT0 and LINT1: ExtINT on LINT0 in virtual wire mode, NMIs where the MADT says. */
static void setup_lint(bool virtual_wire)
{
	uint32_t lvt[2] = { virtual_wire ? APIC_DM_EXTINT : APIC_LVT_MASKED, APIC_LVT_MASKED };
	uint32_t id = read_apic_id();
	bool from_madt = false;

	for (unsigned int i = 0; acpi.madt.present && i < acpi.madt.nr_nmis; i++) {
		const struct acpi_madt_nmi *n = &acpi.madt.nmis[i];

		if (!n->is_lapic || !nmi_is_ours(n, id))
			continue;
		if (n->lint > 1) {
			pr_warn("APIC: MADT NMI on LINT%u: no such pin, ignored\n", n->lint);
			continue;
		}
		if (n->lint == 0 && virtual_wire) {
			pr_warn("APIC: MADT NMI on LINT0 ignored: the 8259 needs it (virtual wire)\n");
			continue;
		}
		lvt[n->lint] = nmi_lvt(n->flags);
		from_madt = true;
		if (smp_processor_id() == 0)	/* the APs have the same pins: said once */
			pr_info("APIC: LINT%u is the NMI (MADT, %s)\n", n->lint,
				n->acpi_uid == 0xff || n->acpi_uid == 0xffffffff ? "every CPU" : "this CPU");
	}
	if (!from_madt)
		lvt[1] = APIC_DM_NMI;	/* the PC convention */
	apic_write(APIC_LVT0, lvt[0]);
	apic_write(APIC_LVT1, lvt[1]);
}

/* Everything but the timer: priority, LINT pins, error vector, software enable. */
static void lapic_setup(bool virtual_wire)
{
	apic_write(APIC_TASKPRI, 0);		/* accept every priority */
	apic_write(APIC_LVTT, APIC_LVT_MASKED);	/* drivers/timer/lapic.c programs it */
	setup_lint(virtual_wire);
	apic_write(APIC_ESR, 0);		/* the write latches the errors so far, */
	apic_write(APIC_ESR, 0);		/* the second clears them */
	apic_write(APIC_LVTERR, ERROR_APIC_VECTOR);
	apic_write(APIC_SPIV, APIC_SPIV_ENABLE | SPURIOUS_VECTOR);
	apic_eoi();				/* in case the firmware left one in service */
}

static const char *const esr_bits[8] = {
	"send checksum", "receive checksum", "send accept", "receive accept",
	"redirectable IPI", "send illegal vector", "received illegal vector",
	"illegal register address",
};

void lapic_error_interrupt(void)
{
	uint32_t esr;

	apic_write(APIC_ESR, 0);	/* latch the errors into the readable register */
	esr = apic_read(APIC_ESR);
	apic_eoi();
	if (this_cpu_irq_stats()->apic_error++ >= ERRORS_LOGGED)
		return;
	printk(KERN_ERR "APIC error on CPU0: %02x", esr);
	for (unsigned int b = 0; b < 8; b++)
		if (esr & (1u << b))
			printk(KERN_CONT " (%s)", esr_bits[b]);
	printk(KERN_CONT "\n");
}

/*
 * x2APIC: one 64-bit MSR write, destination in the high half, and no busy bit. xAPIC: the
 * destination first (writing the low word sends), then wait for the delivery to finish.
 */
void apic_icr_write(uint32_t low, uint32_t dest)
{
	unsigned long flags;

	if (x2apic_mode) {
		/*
		 * The x2APIC MSR write is not serializing and may pass earlier stores (SDM
		 * vol. 3 11.12.3): fence, so the target sees what the IPI is about.
		 */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR >> 4), ((uint64_t)dest << 32) | low);
		return;
	}
	/* Two registers: an interrupt between them sending its own IPI would change ICR2. */
	flags = local_irq_save();
	apic_write(APIC_ICR2, dest << 24);
	apic_write(APIC_ICR, low);
	while (apic_read(APIC_ICR) & APIC_ICR_BUSY)
		cpu_relax();
	local_irq_restore(flags);
}

void lapic_ap_setup(void)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE) | APICBASE_ENABLE;

	wrmsr(MSR_IA32_APICBASE, base);		/* xAPIC first: x2APIC needs it enabled */
	if (x2apic_mode && !(base & APICBASE_X2APIC))
		wrmsr(MSR_IA32_APICBASE, base | APICBASE_X2APIC);
	lapic_setup(false);
}

void apic_intr_mode_init(void)
{
	bool ioapics = acpi.madt.present && acpi.madt.nr_ioapics > 0;

	if (nolapic || !boot_cpu.apic) {
		pr_info("APIC: %s: interrupts from the 8259 PIC\n",
			nolapic ? "disabled by nolapic" : "the CPU has no local APIC");
		return;
	}
	if (lapic_enable_mode())
		return;
	lapic_ok = true;
	pr_info("APIC: local APIC id %u, version 0x%x, max LVT %u\n", read_apic_id(),
		apic_read(APIC_LVR) & 0xff, (apic_read(APIC_LVR) >> 16) & 0xff);
	if (noapic || !ioapics) {
		lapic_setup(true);
		apic_intr_mode = APIC_VIRTUAL_WIRE;
		pr_info("APIC: %s: virtual wire mode, the 8259 behind LINT0\n",
			noapic ? "IOAPIC disabled by noapic" :
			acpi.madt.present ? "the MADT lists no IOAPIC" : "no MADT");
		return;
	}
	lapic_setup(false);
	if (setup_ioapics(read_apic_id())) {
		apic_write(APIC_LVT0, APIC_DM_EXTINT);	/* back to the 8259 */
		apic_intr_mode = APIC_VIRTUAL_WIRE;
		pr_warn("APIC: no usable IOAPIC: virtual wire mode, the 8259 behind LINT0\n");
		return;
	}
	apic_intr_mode = APIC_SYMMETRIC_IO;
	pic_mask_all();
	pr_info("APIC: symmetric I/O mode: IOAPIC routing, 8259 masked%s\n",
		acpi.madt.pcat_compat ? "" : " (the MADT says there is none)");
}
