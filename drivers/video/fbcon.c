/*
 * The framebuffer text console: the text screen (drivers/video/vt.c) drawn with the console
 * font (include/drivers/font.h) into the linear framebuffer GRUB set up and described in
 * the multiboot2 framebuffer tag (boot_info.fb). A cell is font.width x font.height pixels;
 * the grid is as many whole cells as fit, from the top-left corner. Drawing a cell writes
 * every pixel of it, foreground where the glyph has a bit set, background elsewhere, so
 * nothing is ever read back from video memory. The cursor is an underline: the cell's two
 * bottom pixel rows in the foreground colour.
 * Pixel formats: direct colour (type 1) with 2, 3 or 4 bytes per pixel, each colour's
 * position and size taken from the tag; indexed colour is refused (no palette code).
 * The framebuffer is mapped with ioremap_wc (write-combining through the PAT, uncached on
 * a CPU without one), so this runs once vmalloc works; printk's log replays what came before.
 * Drawing is deferred by up to FLUSH_DELAY_NS: a scroll redraws nearly every cell (about
 * 2 ms of interrupts-off time under TCG at 1024x768), so a burst of log lines updates the
 * cells at once and the pixels follow in one redraw from a timer. An oops, or a write
 * before the timers run, draws at once: nothing may be left for a timer that never fires.
 */
#define pr_fmt(fmt) "fbcon: " fmt

#include <asm/io.h>
#include <drivers/font.h>
#include <drivers/vt.h>
#include <kernel/bootinfo.h>
#include <kernel/hrtimer.h>
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <mm/slab.h>

struct fbcon {
	uint8_t *base;			/* the mapped framebuffer */
	uint32_t pitch, width, height;	/* bytes per line, pixels, pixels */
	unsigned int bytes_pp;		/* 2, 3 or 4 */
	uint32_t palette[16];		/* the VGA colours as this framebuffer's pixel values */
	const struct font_desc *font;
	struct vt vt;
};

static struct fbcon fbcon;

#define FLUSH_DELAY_NS	(10 * NSEC_PER_MSEC)	/* 100 redraws a second at most */
#define FLUSH_RETRY_NS	NSEC_PER_MSEC

static struct hrtimer flush_timer;

/* The 16 VGA colours as 0xRRGGBB: the usual 0xaa / 0x55 levels, brown not dark yellow. */
static const uint32_t vga_rgb[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

/* An 8-bit colour channel scaled to a field of @size bits at bit @pos. */
static uint32_t channel(uint32_t v8, unsigned int pos, unsigned int size)
{
	uint32_t v = size >= 8 ? v8 << (size - 8) : v8 >> (8 - size);

	return pos < 32 ? v << pos : 0;
}

static uint32_t rgb_to_pixel(const struct boot_framebuffer *m, uint32_t rgb)
{
	return channel(rgb >> 16 & 0xff, m->red_pos, m->red_size) |
	       channel(rgb >> 8 & 0xff, m->green_pos, m->green_size) |
	       channel(rgb & 0xff, m->blue_pos, m->blue_size);
}

/*
 * The fast path for 32 bits per pixel: expand[b] turns the 8 bits of a glyph row byte into
 * four 64-bit masks, two pixels each (all ones where the bit is set), so a row of 8 pixels
 * is four stores of bg ^ (mask & (fg ^ bg)) instead of eight tests and stores.
 */
static uint64_t expand[256][4];

static void build_expand(void)
{
	for (unsigned int b = 0; b < 256; b++)
		for (unsigned int i = 0; i < 4; i++)
			expand[b][i] = (b & 0x80 >> 2 * i ? 0xffffffffull : 0) |
				       (b & 0x40 >> 2 * i ? 0xffffffffull << 32 : 0);
}

static void draw_cell32(uint8_t *row, size_t pitch, const uint8_t *g, unsigned int height,
			uint32_t fg, uint32_t bg, bool cursor)
{
	uint64_t bg2 = (uint64_t)bg << 32 | bg, diff = ((uint64_t)fg << 32 | fg) ^ bg2;

	for (unsigned int r = 0; r < height; r++, row += pitch) {
		const uint64_t *mask = expand[cursor && r + 2 >= height ? 0xff : g[r]];
		uint64_t *p = (uint64_t *)row;

		p[0] = bg2 ^ (mask[0] & diff);
		p[1] = bg2 ^ (mask[1] & diff);
		p[2] = bg2 ^ (mask[2] & diff);
		p[3] = bg2 ^ (mask[3] & diff);
	}
}

/* One pixel row of a cell: @width pixels from @bits (leftmost in bit 31). */
static void draw_row(uint8_t *p, unsigned int bytes_pp, uint32_t bits, unsigned int width,
		     uint32_t fg, uint32_t bg)
{
	switch (bytes_pp) {
	case 4:
		for (unsigned int i = 0; i < width; i++, bits <<= 1)
			((uint32_t *)p)[i] = (int32_t)bits < 0 ? fg : bg;
		break;
	case 3:
		for (unsigned int i = 0; i < width; i++, bits <<= 1, p += 3) {
			uint32_t v = (int32_t)bits < 0 ? fg : bg;

			p[0] = v;
			p[1] = v >> 8;
			p[2] = v >> 16;
		}
		break;
	default:
		for (unsigned int i = 0; i < width; i++, bits <<= 1)
			((uint16_t *)p)[i] = (int32_t)bits < 0 ? fg : bg;
		break;
	}
}

static void fbcon_draw_cell(struct vt *vt, unsigned int x, unsigned int y, uint16_t cell,
			    bool cursor)
{
	struct fbcon *fb = container_of(vt, struct fbcon, vt);
	const struct font_desc *f = fb->font;
	const uint8_t *g = font_glyph(f, cell & 0xff);
	uint32_t fg = fb->palette[cell >> 8 & 0xf], bg = fb->palette[cell >> 12 & 7];
	uint8_t *row = fb->base + (size_t)y * f->height * fb->pitch +
		       (size_t)x * f->width * fb->bytes_pp;

	if (fb->bytes_pp == 4 && f->width == 8) {
		draw_cell32(row, fb->pitch, g, f->height, fg, bg, cursor);
		return;
	}
	for (unsigned int r = 0; r < f->height; r++, row += fb->pitch, g += f->row_bytes) {
		uint32_t bits = 0;

		for (unsigned int b = 0; b < f->row_bytes && b < 4; b++)
			bits |= (uint32_t)g[b] << (24 - 8 * b);
		if (cursor && r + 2 >= f->height)
			bits = ~0u;
		draw_row(row, fb->bytes_pp, bits, f->width, fg, bg);
	}
}

/* Clear what the firmware or GRUB left (the grid covers only whole cells). */
static void clear_screen(struct fbcon *fb)
{
	uint32_t bg = fb->palette[VGA_BLACK];

	for (uint32_t y = 0; y < fb->height; y++) {
		uint8_t *row = fb->base + (size_t)y * fb->pitch;

		if (fb->bytes_pp == 4 && !(fb->width & 1)) {
			for (uint32_t x = 0; x < fb->width / 2; x++)
				((uint64_t *)row)[x] = (uint64_t)bg << 32 | bg;
		} else {
			draw_row(row, fb->bytes_pp, 0, fb->width, 0, bg);
		}
	}
}

/* Timer: draw what changed since the first deferred write; called with interrupts off. */
static enum hrtimer_restart fbcon_flush(struct hrtimer *t)
{
	unsigned long flags;

	if (!console_trylock(&flags)) {	/* a writer holds it: we may have interrupted it */
		t->expires = sched_clock() + FLUSH_RETRY_NS;
		return HRTIMER_RESTART;
	}
	vt_flush(&fbcon.vt);
	console_unlock(flags);
	return HRTIMER_NORESTART;
}

static bool fbcon_defer_flush(struct vt *vt)
{
	(void)vt;
	if (oops_in_progress || !clock_event)
		return false;
	if (!hrtimer_active(&flush_timer))
		hrtimer_start(&flush_timer, sched_clock() + FLUSH_DELAY_NS);
	return true;
}

static const struct vt_ops fbcon_ops = { .draw_cell = fbcon_draw_cell,
					 .defer_flush = fbcon_defer_flush };

/* Why @m cannot be drawn on, or NULL when it can. */
static const char *unsupported(const struct boot_framebuffer *m)
{
	if (m->type != 1)
		return "not a direct-colour (RGB) framebuffer";
	if (m->bpp != 15 && m->bpp != 16 && m->bpp != 24 && m->bpp != 32)
		return "bits per pixel not 15, 16, 24 or 32";
	if (console_font.width > 32 || m->width < console_font.width ||
	    m->height < console_font.height)
		return "the mode is smaller than one character of the font";
	return NULL;
}

int fbcon_init(const struct boot_framebuffer *m)
{
	const char *why = unsupported(m);
	unsigned int cols, rows;
	uint16_t *grids;

	if (why) {
		pr_warn("%ux%ux%u framebuffer at 0x%llx not used: %s\n", m->width, m->height,
			m->bpp, (unsigned long long)m->addr, why);
		return -EINVAL;
	}
	fbcon.base = ioremap_wc(m->addr, (unsigned long)m->pitch * m->height);
	if (!fbcon.base)
		return -ENOMEM;
	cols = m->width / console_font.width;
	rows = m->height / console_font.height;
	grids = kmalloc(2 * sizeof(*grids) * cols * rows, GFP_KERNEL);
	if (!grids) {
		iounmap(fbcon.base);
		return -ENOMEM;
	}
	fbcon.pitch = m->pitch;
	fbcon.width = m->width;
	fbcon.height = m->height;
	fbcon.bytes_pp = (m->bpp + 7) / 8;
	fbcon.font = &console_font;
	for (unsigned int i = 0; i < 16; i++)
		fbcon.palette[i] = rgb_to_pixel(m, vga_rgb[i]);
	build_expand();
	hrtimer_init(&flush_timer, fbcon_flush);
	clear_screen(&fbcon);
	vt_init(&fbcon.vt, cols, rows, grids, grids + cols * rows, &fbcon_ops, "tty0");
	vt_screen_is_blank(&fbcon.vt);	/* the clear drew every blank cell already */
	register_console(&fbcon.vt.con);
	pr_info("%ux%ux%u at 0x%llx (%s), %ux%u cells of %ux%u (font %s)\n", m->width, m->height,
		m->bpp, (unsigned long long)m->addr,
		ioremap_wc_available() ? "write-combining" : "uncached", cols, rows,
		console_font.width, console_font.height, console_font.name);
	return 0;
}
