/*
 * Power off and reset through ACPI's fixed hardware, without an AML interpreter.
 *
 * Power off (S5, "soft off"): write SLP_TYP, the value \_S5 declares for this chipset, into
 * bits 12:10 of the PM1a (and PM1b) control register, then set SLP_EN (bit 13) and the
 * chipset cuts the power. Linux evaluates \_PTS and \_S5 with its AML interpreter first; we
 * have none, so fadt.c finds \_S5's package in the DSDT's bytes. Where that fails we try the
 * chipsets' own values in turn: 0, what PIIX4 and QEMU's PIIX4 (pc) and ICH9 (q35) take for
 * S5 (their DSDTs say so too), then 7, the S5 encoding of Intel's ICH and PCH datasheets
 * (on those, 0 is S0, "working": writing it does nothing).
 * The writes only work in ACPI mode (SCI_EN, bit 0 of PM1_CNT): if the firmware left the
 * machine in legacy mode and gives an SMI command port, we write ACPI_ENABLE there and wait,
 * bounded, for SCI_EN.
 *
 * Reset: the FADT's RESET_REG (a Generic Address Structure in I/O, memory or PCI
 * configuration space) and RESET_VALUE, when the RESET_REG_SUP flag says they are there.
 * kernel/reboot.c tries it first and falls back to the legacy ways.
 * Both functions return only when the write did not take effect. docs/acpi.md explains.
 */
#define pr_fmt(fmt) "ACPI: " fmt

#include <asm/io.h>
#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/errno.h>

#define PM1_SCI_EN		(1u << 0)
#define PM1_SLP_TYP_SHIFT	10
#define PM1_SLP_TYP_MASK	(7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN		(1u << 13)

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc

static inline uint16_t pm_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* ACPI mode: SCI_EN set. Returns false if it cannot be reached. */
static bool acpi_enable_mode(const struct acpi_fadt *f)
{
	if (pm_inw(f->pm1a_cnt) & PM1_SCI_EN)
		return true;
	if (!f->smi_cmd || !f->acpi_enable) {
		pr_warn("SCI_EN is clear and there is no SMI command to enter ACPI mode\n");
		return false;
	}
	pr_info("entering ACPI mode: SMI_CMD 0x%x <- 0x%02x\n", f->smi_cmd, f->acpi_enable);
	outb(f->smi_cmd, f->acpi_enable);
	for (int ms = 0; ms < 300; ms++) {	/* firmware has up to a few hundred ms */
		if (pm_inw(f->pm1a_cnt) & PM1_SCI_EN)
			return true;
		mdelay(1);
	}
	pr_warn("SCI_EN still clear 300 ms after ACPI_ENABLE\n");
	return false;
}

static void pm1_write(uint32_t port, uint8_t slp_typ, uint16_t extra)
{
	uint16_t v;

	if (!port)
		return;
	v = pm_inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	outw(port, v | (uint16_t)(slp_typ << PM1_SLP_TYP_SHIFT) | extra);
}

/* Write SLP_TYP, then SLP_EN with it (the order the specification gives); wait 100 ms. */
static void enter_s5(const struct acpi_fadt *f, uint8_t typa, uint8_t typb)
{
	pr_notice("power off: PM1a_CNT 0x%x <- SLP_TYP %u | SLP_EN", f->pm1a_cnt, typa);
	if (f->pm1b_cnt)
		pr_cont(", PM1b_CNT 0x%x <- SLP_TYP %u | SLP_EN", f->pm1b_cnt, typb);
	pr_cont("\n");
	pm1_write(f->pm1a_cnt, typa, 0);
	pm1_write(f->pm1b_cnt, typb, 0);
	pm1_write(f->pm1a_cnt, typa, PM1_SLP_EN);
	pm1_write(f->pm1b_cnt, typb, PM1_SLP_EN);
	mdelay(100);
}

int acpi_power_off(void)
{
	static const uint8_t chipset_s5[] = { 0, 7 };	/* PIIX4/QEMU, then ICH/PCH */
	const struct acpi_fadt *f = &acpi.fadt;

	if (!acpi.present || !f->present || !f->pm1a_cnt || f->pm1a_cnt > 0xffff) {
		pr_err("power off: no FADT with a PM1a control block\n");
		return -ENODEV;
	}
	if (f->flags & ACPI_FADT_HW_REDUCED) {
		pr_err("power off: hardware-reduced ACPI (sleep control register) is not supported\n");
		return -ENODEV;
	}
	if (!acpi_enable_mode(f))
		pr_warn("power off: trying anyway\n");
	if (acpi.s5.found) {
		enter_s5(f, acpi.s5.slp_typa, acpi.s5.slp_typb);
	} else {
		pr_warn("power off: no \\_S5 in the DSDT; trying the chipsets' values\n");
		for (unsigned int i = 0; i < ARRAY_SIZE(chipset_s5); i++)
			enter_s5(f, chipset_s5[i], chipset_s5[i]);
	}
	pr_err("power off: the machine is still running 100 ms after SLP_EN\n");
	return -EIO;
}

/* A PCI configuration write through mechanism #1 (ports 0xcf8/0xcfc), bus 0. */
static void pci_conf_writeb(uint64_t gas_addr, uint8_t v)
{
	/* ACPI's encoding: bits 47:32 device, 31:16 function, 15:0 register. */
	uint32_t dev = (gas_addr >> 32) & 0x1f, fn = (gas_addr >> 16) & 7, reg = gas_addr & 0xff;

	outl(PCI_CONFIG_ADDRESS, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xfc));
	outb(PCI_CONFIG_DATA + (reg & 3), v);
}

int acpi_reset(void)
{
	const struct acpi_fadt *f = &acpi.fadt;
	const struct acpi_gas *r = &f->reset_reg;
	volatile uint8_t *mmio;

	if (!acpi.present || !f->has_reset_reg)
		return -ENODEV;
	switch (r->space_id) {
	case ACPI_SPACE_IO:
		outb((uint16_t)r->address, f->reset_value);
		break;
	case ACPI_SPACE_MEMORY:
		if (irqs_disabled()) {		/* ioremap would refuse, with a warning */
			pr_err("reset register at 0x%llx is memory, unmappable with interrupts off\n",
			       (unsigned long long)r->address);
			return -EAGAIN;
		}
		mmio = ioremap(r->address, 1);
		if (!mmio) {
			pr_err("reset register at 0x%llx cannot be mapped now\n",
			       (unsigned long long)r->address);
			return -ENOMEM;
		}
		*mmio = f->reset_value;
		break;
	case ACPI_SPACE_PCI:
		pci_conf_writeb(r->address, f->reset_value);
		break;
	default:
		return -ENODEV;
	}
	mdelay(50);
	return -EIO;
}
