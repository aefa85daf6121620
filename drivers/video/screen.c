/*
 * Which screen console this machine gets, from the multiboot2 framebuffer tag: a direct-
 * colour framebuffer (GRUB set a graphics mode: UEFI always, BIOS when the header asks)
 * gets the framebuffer console; EGA text (type 2), or no tag on a BIOS machine, the VGA
 * text console at 0xb8000. `nofb` on the command line ignores a graphics framebuffer
 * (iso/grub.cfg also keeps GRUB in text mode then, so the VGA text buffer is visible).
 * A UEFI machine without a tag has no screen we know how to write to, and neither has a
 * machine whose FADT says "VGA not present" (IAPC_BOOT_ARCH bit 2): writing to 0xb8000
 * there would hit whatever is or is not at that address.
 */
#define pr_fmt(fmt) "console: " fmt

#include <drivers/acpi.h>
#include <drivers/vt.h>
#include <kernel/bootinfo.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <lib/errno.h>

#define VGA_TEXT_PHYS	0xb8000

static bool nofb;

KERNEL_PARAM_FLAG("nofb", nofb, NULL, "no value: use VGA text mode, not the framebuffer");

void screen_console_init(void)
{
	const struct boot_framebuffer *m = &boot_info.fb;

	if (boot_info.has_framebuffer && m->type == 2) {
		vgacon_init(m->addr, m->width, m->height);
		return;
	}
	if (boot_info.has_framebuffer && !nofb) {
		fbcon_init(m);
		return;
	}
	if (boot_info.efi_mmap && !boot_info.has_framebuffer) {
		pr_info("no framebuffer from the boot loader: no screen console\n");
		return;
	}
	if (acpi.fadt.present && acpi.fadt.revision >= 2 &&
	    (acpi.fadt.iapc_boot_arch & ACPI_BOOT_NO_VGA)) {
		pr_info("ACPI's FADT says there is no VGA: no VGA text console\n");
		return;
	}
	if (nofb && boot_info.has_framebuffer)
		pr_info("nofb: %ux%u framebuffer ignored, trying VGA text\n", m->width, m->height);
	vgacon_init(VGA_TEXT_PHYS, 80, 25);
}
