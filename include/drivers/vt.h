/*
 * The text screen behind both screen consoles (drivers/video/vt.c): a grid of character
 * cells, a cursor, and the interpretation of what is written to it (newline, carriage
 * return, backspace, tab, line wrap, scrolling and the few ANSI escape sequences the shell
 * and `top` print). It keeps two grids: cells, the text the screen should show, and shown,
 * what the hardware shows now. Writing changes cells only; vt_flush() then hands each cell
 * that differs to the backend's draw_cell, so scrolling is a memmove of cells and a redraw
 * of the cells that changed, never a read of video memory (slow, often uncached).
 * A cell is the character in its low byte and the attribute in its high byte, in VGA text
 * mode's layout (bits 0-3 foreground, 4-6 background, in VGA's colour order), so the VGA
 * backend stores cells as they are and the framebuffer maps the 16 colours to pixels.
 * No locking here: printk's log lock serializes every console write (kernel/printk.c).
 * docs/console.md walks through it.
 */
#ifndef DRIVERS_VT_H
#define DRIVERS_VT_H

#include <kernel/console.h>

/* VGA's 16 colours, in its order (not ANSI's). */
enum vga_color {
	VGA_BLACK, VGA_BLUE, VGA_GREEN, VGA_CYAN, VGA_RED, VGA_MAGENTA, VGA_BROWN, VGA_LIGHT_GREY,
	VGA_DARK_GREY, VGA_LIGHT_BLUE, VGA_LIGHT_GREEN, VGA_LIGHT_CYAN, VGA_LIGHT_RED,
	VGA_LIGHT_MAGENTA, VGA_YELLOW, VGA_WHITE,
};

#define VT_ATTR(fg, bg)		((uint8_t)((fg) | (bg) << 4))
#define VT_DEFAULT_ATTR		VT_ATTR(VGA_LIGHT_GREY, VGA_BLACK)
#define VT_CELL(ch, attr)	((uint16_t)((uint8_t)(ch) | (attr) << 8))
#define VT_CELL_UNKNOWN		0xffffu	/* in shown: redraw this cell at the next flush */
#define VT_MAX_PARAMS		8

struct vt;

struct vt_ops {
	/* Draw cell @cell at column @x, row @y; @cursor: with the cursor on it. */
	void (*draw_cell)(struct vt *vt, unsigned int x, unsigned int y, uint16_t cell,
			  bool cursor);
	/* Optional: the hardware draws the cursor (VGA); then draw_cell never gets @cursor. */
	void (*move_cursor)(struct vt *vt, unsigned int x, unsigned int y);
	/*
	 * Optional: true when the backend will call vt_flush() itself a little later, so
	 * vt_write() only updates the cells (one redraw for a burst of lines); false: flush now.
	 */
	bool (*defer_flush)(struct vt *vt);
};

struct vt {
	unsigned int cols, rows;
	uint16_t *cells;		/* rows * cols: what the screen should show */
	uint16_t *shown;		/* rows * cols: what it shows (VT_CELL_UNKNOWN: redraw) */
	unsigned int x, y;		/* the cursor; x == cols: the next character wraps first */
	unsigned int dirty_lo, dirty_hi;	/* rows [lo, hi) may differ from shown */
	uint8_t attr;			/* for new characters: what SGR sequences set */
	int esc_state;			/* 0: text, 1: after ESC, 2: in CSI, 3: charset byte */
	unsigned int params[VT_MAX_PARAMS], nr_params;
	bool cursor_drawn;		/* the software cursor is on screen at (cx, cy) */
	unsigned int cx, cy;
	const struct vt_ops *ops;
	struct console con;
	unsigned long scrolls;		/* lines scrolled since boot */
};

/* Set up @vt for a cols x rows screen with cells and shown (rows * cols each) from the caller. */
void vt_init(struct vt *vt, unsigned int cols, unsigned int rows, uint16_t *cells,
	     uint16_t *shown, const struct vt_ops *ops, const char *name);

/* The backend cleared the screen to blank cells of the default colours: nothing to redraw. */
void vt_screen_is_blank(struct vt *vt);

/* Interpret @len bytes; @level is the printk level for colour, CONSOLE_NO_LEVEL for none. */
void vt_write(struct vt *vt, const char *s, size_t len, int level);

/* Bring the screen up to date with cells (vt_write does it, unless ops->defer_flush). */
void vt_flush(struct vt *vt);

/*
 * The screen consoles (drivers/video/screen.c picks one): after vmalloc works, as they
 * ioremap video memory. Each registers its console; they return 0 or a negative errno.
 */
struct boot_framebuffer;
void screen_console_init(void);
int fbcon_init(const struct boot_framebuffer *m);	/* drivers/video/fbcon.c */
int vgacon_init(uint64_t phys, unsigned int cols, unsigned int rows);	/* vgacon.c */

#endif
