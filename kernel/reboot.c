/*
 * Reboot, power off, halt and leaving QEMU.
 * Reboot tries, in order, each announced in the log before it is tried:
 *   1. the ACPI reset register (FADT RESET_REG <- RESET_VALUE), the way the firmware says;
 *   2. the keyboard controller's reset line (command 0xfe to port 0x64), if there is an
 *      8042: the FADT's IAPC_BOOT_ARCH says so from revision 2, else a probe of its status;
 *   3. the PCI reset control register 0xcf9 (PIIX and ICH chipsets): 0x02 then 0x06;
 *   4. a triple fault: an empty IDT and an interrupt, which no CPU survives.
 * `reboot=acpi|kbd|pci|triple` on the command line starts the list at that way (Linux's
 * reboot= spells them the same), for a machine whose first ways hang, and so tests can
 * prove each way works.
 * Power off enters ACPI S5 (drivers/acpi/power.c); if that fails we say so and halt.
 * docs/acpi.md explains why this order.
 */
#define pr_fmt(fmt) "reboot: " fmt

#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/kernel.h>
#include <kernel/oops.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define I8042_STATUS	0x64
#define I8042_IBF	0x02		/* input buffer full: not ready for a command */
#define I8042_PULSE_RESET 0xfe

static const char *const space_name[] = { "memory", "I/O", "PCI config" };

/* The ways to reset, in the order they are tried; reboot= picks the first. */
enum reboot_way { REBOOT_ACPI, REBOOT_KBD, REBOOT_PCI, REBOOT_TRIPLE };
static const char *const reboot_way_name[] = { "acpi", "kbd", "pci", "triple" };
static enum reboot_way reboot_first = REBOOT_ACPI;

static int set_reboot(const char *val)
{
	for (unsigned int i = 0; val && i < ARRAY_SIZE(reboot_way_name); i++) {
		if (!strcmp(val, reboot_way_name[i])) {
			reboot_first = i;
			return 0;
		}
	}
	return -EINVAL;
}
KERNEL_PARAM("reboot", set_reboot, "acpi (default), kbd, pci or triple: the first way tried");

void qemu_exit(int status)
{
	outl(QEMU_DEBUG_EXIT_PORT, status);
}

/* Is there a keyboard controller? With no device on the port, the bus reads 0xff. */
static bool have_8042(void)
{
	if (acpi.fadt.present && acpi.fadt.revision >= 2)
		return acpi.fadt.iapc_boot_arch & ACPI_BOOT_8042;
	return inb(I8042_STATUS) != 0xff;
}

void machine_restart(void)
{
	struct desc_ptr empty_idt = { 0, 0 };

	/* First, with interrupts still as they are: a memory reset register needs ioremap. */
	if (reboot_first > REBOOT_ACPI)
		pr_notice("reboot=%s: starting there\n", reboot_way_name[reboot_first]);
	if (reboot_first <= REBOOT_ACPI && acpi.fadt.has_reset_reg) {
		const struct acpi_gas *r = &acpi.fadt.reset_reg;

		pr_notice("trying the ACPI reset register (%s 0x%llx <- 0x%02x)\n",
			  space_name[r->space_id], (unsigned long long)r->address,
			  acpi.fadt.reset_value);
		acpi_reset();
	}
	local_irq_disable();
	if (reboot_first <= REBOOT_KBD && have_8042()) {
		pr_notice("trying the keyboard controller (0x64 <- 0xfe)\n");
		for (int i = 0; i < 10000 && (inb(I8042_STATUS) & I8042_IBF); i++)
			io_delay();
		outb(I8042_STATUS, I8042_PULSE_RESET);
		mdelay(50);
	}
	if (reboot_first <= REBOOT_PCI) {
		pr_notice("trying the PCI reset control register (0xcf9 <- 0x06)\n");
		outb(0xcf9, 0x02);	/* prepare a hard reset ... */
		io_delay();
		outb(0xcf9, 0x06);	/* ... and do it */
		mdelay(50);
	}
	pr_notice("trying a triple fault\n");
	__asm__ volatile("lidt %0; int3" :: "m"(empty_idt));
	halt_forever();
}

void machine_power_off(void)
{
	pr_notice("Power down\n");
	acpi_power_off();
	pr_emerg("power off failed; halting instead (it is now safe to turn the power off)\n");
	machine_halt();
}

void machine_halt(void)
{
	pr_emerg("System halted.\n");
	halt_forever();
}
