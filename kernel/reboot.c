/*
 * Reboot, halt and leaving QEMU. Reboot tries, in order, the keyboard controller's
 * reset line (pulse via command 0xfe), the PCI reset control register 0xcf9 (PIIX and
 * ICH chipsets), and last a triple fault (an empty IDT and an interrupt). The ACPI
 * reset register joins them with the real-hardware issue.
 */
#include <asm/x86.h>
#include <kernel/kernel.h>
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <kernel/time.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4

void qemu_exit(int status)
{
	outl(QEMU_DEBUG_EXIT_PORT, status);
}

void machine_restart(void)
{
	struct desc_ptr empty_idt = { 0, 0 };

	local_irq_disable();
	for (int i = 0; i < 10000 && (inb(0x64) & 0x02); i++)	/* input buffer full */
		io_delay();
	outb(0x64, 0xfe);
	mdelay(50);
	outb(0xcf9, 0x02);	/* prepare a hard reset ... */
	io_delay();
	outb(0xcf9, 0x06);	/* ... and do it */
	mdelay(50);
	__asm__ volatile("lidt %0; int3" :: "m"(empty_idt));
	halt_forever();
}

void machine_halt(void)
{
	pr_emerg("System halted.\n");
	halt_forever();
}
