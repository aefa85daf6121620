/*
 * Reboot, power off, halt and leaving QEMU.
 * Reboot tries, in order, each announced in the log before it is tried:
 *   1. the ACPI reset register (FADT RESET_REG <- RESET_VALUE), the way the firmware says;
 *   2. the keyboard controller's reset line (command 0xfe to port 0x64), if there is an
 *      8042: the FADT's IAPC_BOOT_ARCH says so from revision 2, else a probe of its status;
 *   3. the PCI reset control register 0xcf9 (PIIX and ICH chipsets): 0x02 then 0x06;
 *   4. a triple fault: an empty IDT and an interrupt, which no CPU survives.
 * Power off enters ACPI S5 (drivers/acpi/power.c); if that fails we say so and halt.
 * docs/acpi.md explains why this order.
 */
#define pr_fmt(fmt) "reboot: " fmt

#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/kernel.h>
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <kernel/time.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define I8042_STATUS	0x64
#define I8042_IBF	0x02		/* input buffer full: not ready for a command */
#define I8042_PULSE_RESET 0xfe

static const char *const space_name[] = { "memory", "I/O", "PCI config" };

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
	if (acpi.fadt.has_reset_reg) {
		const struct acpi_gas *r = &acpi.fadt.reset_reg;

		pr_notice("trying the ACPI reset register (%s 0x%llx <- 0x%02x)\n",
			  space_name[r->space_id], (unsigned long long)r->address,
			  acpi.fadt.reset_value);
		acpi_reset();
	}
	local_irq_disable();
	if (have_8042()) {
		pr_notice("trying the keyboard controller (0x64 <- 0xfe)\n");
		for (int i = 0; i < 10000 && (inb(I8042_STATUS) & I8042_IBF); i++)
			io_delay();
		outb(I8042_STATUS, I8042_PULSE_RESET);
		mdelay(50);
	}
	pr_notice("trying the PCI reset control register (0xcf9 <- 0x06)\n");
	outb(0xcf9, 0x02);	/* prepare a hard reset ... */
	io_delay();
	outb(0xcf9, 0x06);	/* ... and do it */
	mdelay(50);
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
