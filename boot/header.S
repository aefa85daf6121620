/*
 * The multiboot2 header: the first thing GRUB looks for in the image (it must sit
 * in the first 32 KiB, 8-byte aligned). It names the architecture (i386 protected
 * mode entry) and lists the tags we ask for; the loader reads it, loads our ELF
 * segments at their physical addresses and jumps to _start32 (boot/entry32.S).
 * Specification: "Multiboot2 Specification version 2.0", section 3.1.
 */
#define MB2_MAGIC	0xe85250d6
#define MB2_ARCH_I386	0

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Information request (type 1): tags we need; the loader fails if it cannot give them. */
	.balign 8
	.short 1, 0
	.long 8 + 4 * 3
	.long 1		/* command line */
	.long 6		/* memory map */
	.long 2		/* boot loader name */

	/* Module alignment (type 6): modules on page boundaries. */
	.balign 8
	.short 6, 0
	.long 8

	/*
	 * Framebuffer (type 5), optional (flags bit 0): 1024x768 at 32 bits per pixel preferred.
	 * GRUB sets a graphics mode and describes it in the framebuffer tag; if it cannot, or
	 * grub.cfg says gfxpayload=text, we boot in VGA text mode (drivers/video/screen.c).
	 */
	.balign 8
	.short 5, 1
	.long 20
	.long 1024, 768, 32

	/* End tag. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:
