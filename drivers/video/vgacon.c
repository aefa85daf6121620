/*
 * The VGA text-mode console: the text screen (drivers/video/vt.c) stored straight into
 * the VGA's text buffer, by default 80x25 cells of two bytes at physical 0xb8000 (the
 * character in the low byte, the attribute in the high byte: the layout vt.c's cells
 * already have). The VGA's own font is in code page 437, not Latin-1, so bytes above 0x7f
 * are shown as '?'. The cursor is the hardware's: CRTC registers 0x0e/0x0f (index port
 * 0x3d4, data port 0x3d5) hold its cell index, 0x0a/0x0b its first and last scan line.
 * The buffer is in the low 1 MiB, which the kernel's direct map does not cover after
 * mm_init (it is not RAM), so it is ioremapped like any device memory.
 */
#define pr_fmt(fmt) "vgacon: " fmt

#include <asm/io.h>
#include <asm/x86.h>
#include <drivers/vt.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <mm/slab.h>

#define CRTC_INDEX	0x3d4
#define CRTC_DATA	0x3d5
#define CRTC_CURSOR_START 0x0a	/* bit 5: cursor off; bits 0-4: first scan line */
#define CRTC_CURSOR_END	0x0b	/* bits 0-4: last scan line */
#define CRTC_CURSOR_HI	0x0e
#define CRTC_CURSOR_LO	0x0f

static volatile uint16_t *vga_mem;
static struct vt vgacon;

static void crtc_write(uint8_t reg, uint8_t v)
{
	outb(CRTC_INDEX, reg);
	outb(CRTC_DATA, v);
}

static uint8_t crtc_read(uint8_t reg)
{
	outb(CRTC_INDEX, reg);
	return inb(CRTC_DATA);
}

static void vgacon_draw_cell(struct vt *vt, unsigned int x, unsigned int y, uint16_t cell,
			     bool cursor)
{
	(void)cursor;	/* the hardware draws it */
	if ((cell & 0xff) > 0x7e)
		cell = (cell & 0xff00) | '?';
	vga_mem[y * vt->cols + x] = cell;
}

static void vgacon_move_cursor(struct vt *vt, unsigned int x, unsigned int y)
{
	unsigned int pos = y * vt->cols + x;

	crtc_write(CRTC_CURSOR_LO, pos & 0xff);
	crtc_write(CRTC_CURSOR_HI, pos >> 8);
}

static const struct vt_ops vgacon_ops = {
	.draw_cell = vgacon_draw_cell,
	.move_cursor = vgacon_move_cursor,
};

int vgacon_init(uint64_t phys, unsigned int cols, unsigned int rows)
{
	uint16_t *grids;

	if (!cols || !rows || cols > 256 || rows > 128) {
		pr_warn("text mode %ux%u not supported\n", cols, rows);
		return -EINVAL;
	}
	vga_mem = ioremap(phys, 2ul * cols * rows);
	if (!vga_mem)
		return -ENOMEM;
	grids = kmalloc(2 * sizeof(*grids) * cols * rows, GFP_KERNEL);
	if (!grids) {
		iounmap(vga_mem);
		return -ENOMEM;
	}
	/* An underline cursor (scan lines 14-15 of 16), switched on. */
	crtc_write(CRTC_CURSOR_START, (crtc_read(CRTC_CURSOR_START) & 0xc0) | 14);
	crtc_write(CRTC_CURSOR_END, (crtc_read(CRTC_CURSOR_END) & 0xe0) | 15);
	vt_init(&vgacon, cols, rows, grids, grids + cols * rows, &vgacon_ops, "tty0");
	register_console(&vgacon.con);
	pr_info("%ux%u text at 0x%llx\n", cols, rows, (unsigned long long)phys);
	return 0;
}
