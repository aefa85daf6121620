/*
 * The text screen: what written bytes do to a grid of cells (include/drivers/vt.h).
 * Printable bytes go in the cell under the cursor, which moves right and wraps at the
 * last column (the wrap happens when the next character comes, as on a VT100, so a line
 * of exactly cols characters followed by a newline leaves no blank line). '\n' starts a
 * new line (like the serial console's CR LF), '\r' returns to column 0, '\b' steps left,
 * '\t' goes to the next multiple of 8. At the bottom a newline scrolls: the cells move up
 * one row in memory and the last row is cleared. ESC [ params final is parsed as an ANSI
 * CSI sequence: H/f (cursor position), J and K (erase), m (colours and bold), A-D (cursor
 * moves); others are swallowed, never drawn.
 * Invariant: the cursor is inside the grid (x may be cols: a wrap is pending) and every
 * row outside [dirty_lo, dirty_hi) equals what the screen shows, except the cursor's cell.
 */
#include <drivers/vt.h>
#include <lib/string.h>

/* Colours for printk levels: emergencies to errors red, warnings yellow, debug dim. */
static const uint8_t level_attr[8] = {
	VT_ATTR(VGA_WHITE, VGA_RED), VT_ATTR(VGA_WHITE, VGA_RED), VT_ATTR(VGA_LIGHT_RED, VGA_BLACK),
	VT_ATTR(VGA_LIGHT_RED, VGA_BLACK), VT_ATTR(VGA_YELLOW, VGA_BLACK),
	VT_ATTR(VGA_WHITE, VGA_BLACK), VT_ATTR(VGA_LIGHT_GREY, VGA_BLACK),
	VT_ATTR(VGA_DARK_GREY, VGA_BLACK),
};

/* ANSI's colour numbers (SGR 30-37) in VGA's order. */
static const uint8_t ansi_to_vga[8] = {
	VGA_BLACK, VGA_RED, VGA_GREEN, VGA_BROWN, VGA_BLUE, VGA_MAGENTA, VGA_CYAN, VGA_LIGHT_GREY,
};

static void mark_dirty(struct vt *vt, unsigned int lo, unsigned int hi)
{
	vt->dirty_lo = MIN(vt->dirty_lo, lo);
	vt->dirty_hi = MAX(vt->dirty_hi, hi);
}

static void fill(struct vt *vt, unsigned int from, unsigned int to, uint16_t cell)
{
	for (unsigned int i = from; i < to; i++)
		vt->cells[i] = cell;
	mark_dirty(vt, from / vt->cols, (to + vt->cols - 1) / vt->cols);
}

static uint16_t blank(const struct vt *vt)
{
	return VT_CELL(' ', vt->attr & 0xf0 ? vt->attr : VT_DEFAULT_ATTR);
}

static void scroll_up(struct vt *vt)
{
	size_t row = vt->cols;

	memmove(vt->cells, vt->cells + row, (size_t)(vt->rows - 1) * row * sizeof(*vt->cells));
	fill(vt, (vt->rows - 1) * row, vt->rows * row, blank(vt));
	mark_dirty(vt, 0, vt->rows);
	vt->scrolls++;
}

static void newline(struct vt *vt)
{
	vt->x = 0;
	if (vt->y + 1 < vt->rows)
		vt->y++;
	else
		scroll_up(vt);
}

static void put_char(struct vt *vt, uint8_t ch)
{
	if (vt->x >= vt->cols)
		newline(vt);
	vt->cells[vt->y * vt->cols + vt->x] = VT_CELL(ch, vt->attr);
	mark_dirty(vt, vt->y, vt->y + 1);
	vt->x++;
}

static unsigned int param(const struct vt *vt, unsigned int i, unsigned int def)
{
	return i < vt->nr_params && vt->params[i] ? vt->params[i] : def;
}

static void sgr(struct vt *vt)
{
	unsigned int fg = vt->attr & 0xf, bg = vt->attr >> 4 & 7;

	if (!vt->nr_params)
		vt->params[vt->nr_params++] = 0;
	for (unsigned int i = 0; i < vt->nr_params; i++) {
		unsigned int p = vt->params[i];

		if (p == 0)
			fg = VGA_LIGHT_GREY, bg = VGA_BLACK;
		else if (p == 1)
			fg |= 8;	/* bold: the bright half of the palette */
		else if (p == 22)
			fg &= 7;
		else if (p == 7 || p == 27)
			fg ^= bg, bg ^= fg & 7, fg ^= bg;	/* reverse (27 is approximate) */
		else if (p >= 30 && p <= 37)
			fg = (fg & 8) | ansi_to_vga[p - 30];
		else if (p == 39)
			fg = (fg & 8) | VGA_LIGHT_GREY;
		else if (p >= 40 && p <= 47)
			bg = ansi_to_vga[p - 40];
		else if (p == 49)
			bg = VGA_BLACK;
		else if (p >= 90 && p <= 97)
			fg = 8 | ansi_to_vga[p - 90];
		else if (p >= 100 && p <= 107)
			bg = ansi_to_vga[p - 100];
	}
	vt->attr = VT_ATTR(fg, bg & 7);
}

/* Erase cells [from, to) of the grid (indices into cells). */
static void erase(struct vt *vt, unsigned int from, unsigned int to)
{
	if (from < to)
		fill(vt, from, to, blank(vt));
}

static void csi(struct vt *vt, char final)
{
	unsigned int cur = vt->y * vt->cols + MIN(vt->x, vt->cols - 1), n = param(vt, 0, 1);
	unsigned int line = vt->y * vt->cols, all = vt->rows * vt->cols;

	switch (final) {
	case 'H': case 'f':
		vt->y = MIN(param(vt, 0, 1), vt->rows) - 1;
		vt->x = MIN(param(vt, 1, 1), vt->cols) - 1;
		break;
	case 'A': vt->y -= MIN(n, vt->y); break;
	case 'B': vt->y = MIN(vt->y + n, vt->rows - 1); break;
	case 'C': vt->x = MIN(vt->x + n, vt->cols - 1); break;
	case 'D': vt->x -= MIN(n, MIN(vt->x, vt->cols - 1)); break;
	case 'J':
		if (param(vt, 0, 0) == 0)
			erase(vt, cur, all);
		else if (param(vt, 0, 0) == 1)
			erase(vt, 0, cur + 1);
		else
			erase(vt, 0, all);
		break;
	case 'K':
		if (param(vt, 0, 0) == 0)
			erase(vt, cur, line + vt->cols);
		else if (param(vt, 0, 0) == 1)
			erase(vt, line, cur + 1);
		else
			erase(vt, line, line + vt->cols);
		break;
	case 'm':
		sgr(vt);
		break;
	default:	/* not one we know: swallowed */
		break;
	}
}

/* One byte of an escape sequence; returns when it is complete (or abandoned). */
static void escape(struct vt *vt, char c)
{
	if (vt->esc_state == 3) {	/* the character set named after ESC ( or ESC ) */
		vt->esc_state = 0;
		return;
	}
	if (vt->esc_state == 1) {
		/* ESC [ starts CSI; ESC ( and ESC ) take one more byte; other ESC x: ignored. */
		vt->esc_state = c == '[' ? 2 : c == '(' || c == ')' ? 3 : 0;
		vt->nr_params = 0;
		vt->params[0] = 0;
		return;
	}
	if (c >= '0' && c <= '9') {
		if (!vt->nr_params)
			vt->nr_params = 1;
		if (vt->nr_params <= VT_MAX_PARAMS) {
			unsigned int *p = &vt->params[vt->nr_params - 1];

			*p = MIN(*p * 10 + (unsigned int)(c - '0'), 9999u);
		}
	} else if (c == ';') {
		if (!vt->nr_params)
			vt->nr_params = 1;
		if (vt->nr_params < VT_MAX_PARAMS)
			vt->params[vt->nr_params] = 0;
		vt->nr_params++;
	} else if (c >= 0x40 && c <= 0x7e) {
		vt->nr_params = MIN(vt->nr_params, VT_MAX_PARAMS);
		vt->esc_state = 0;
		csi(vt, c);
	}
	/* '?', spaces and other intermediate bytes: skipped. */
}

static void control(struct vt *vt, char c)
{
	switch (c) {
	case '\n':
		newline(vt);
		break;
	case '\r':
		vt->x = 0;
		break;
	case '\b':
		if (vt->x)
			vt->x = MIN(vt->x, vt->cols) - 1;
		break;
	case '\t':
		do
			put_char(vt, ' ');
		while (vt->x % 8 && vt->x < vt->cols);
		break;
	case '\x1b':
		vt->esc_state = 1;
		break;
	default:	/* BEL and the other controls: nothing to draw */
		break;
	}
}

void vt_write(struct vt *vt, const char *s, size_t len, int level)
{
	uint8_t saved = vt->attr;

	if (level >= 0 && level < 8)
		vt->attr = level_attr[level];
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (vt->esc_state)
			escape(vt, c);
		else if (c < 0x20 || c == 0x7f)
			control(vt, c);
		else
			put_char(vt, c);
	}
	if (level >= 0 && level < 8)
		vt->attr = saved;
	if (!vt->ops->defer_flush || !vt->ops->defer_flush(vt))
		vt_flush(vt);
}

void vt_flush(struct vt *vt)
{
	unsigned int cx = MIN(vt->x, vt->cols - 1), cy = vt->y;

	/* The software cursor's cell shows the cursor, not the cell: have it redrawn. */
	if (vt->cursor_drawn && (vt->cx != cx || vt->cy != cy)) {
		vt->shown[vt->cy * vt->cols + vt->cx] = VT_CELL_UNKNOWN;
		mark_dirty(vt, vt->cy, vt->cy + 1);
	}
	for (unsigned int y = vt->dirty_lo; y < vt->dirty_hi && y < vt->rows; y++) {
		uint16_t *want = vt->cells + y * vt->cols, *have = vt->shown + y * vt->cols;

		for (unsigned int x = 0; x < vt->cols; x++) {
			/* The cursor's cell is drawn once, below, with the cursor on it. */
			if (want[x] == have[x] || (x == cx && y == cy && !vt->ops->move_cursor))
				continue;
			vt->ops->draw_cell(vt, x, y, want[x], false);
			have[x] = want[x];
		}
	}
	vt->dirty_lo = vt->rows;
	vt->dirty_hi = 0;
	if (vt->ops->move_cursor) {
		vt->ops->move_cursor(vt, cx, cy);
		return;
	}
	vt->ops->draw_cell(vt, cx, cy, vt->cells[cy * vt->cols + cx], true);
	vt->shown[cy * vt->cols + cx] = VT_CELL_UNKNOWN;	/* so a change there redraws */
	vt->cursor_drawn = true;
	vt->cx = cx;
	vt->cy = cy;
}

void vt_screen_is_blank(struct vt *vt)
{
	for (unsigned int i = 0; i < vt->cols * vt->rows; i++)
		vt->shown[i] = VT_CELL(' ', VT_DEFAULT_ATTR);
}

static void vt_console_write_level(struct console *con, const char *s, size_t len, int level)
{
	vt_write(container_of(con, struct vt, con), s, len, level);
}

static void vt_console_write(struct console *con, const char *s, size_t len)
{
	vt_console_write_level(con, s, len, CONSOLE_NO_LEVEL);
}

void vt_init(struct vt *vt, unsigned int cols, unsigned int rows, uint16_t *cells,
	     uint16_t *shown, const struct vt_ops *ops, const char *name)
{
	*vt = (struct vt){ .cols = cols, .rows = rows, .cells = cells, .shown = shown,
			   .ops = ops, .attr = VT_DEFAULT_ATTR };
	for (unsigned int i = 0; i < cols * rows; i++) {
		cells[i] = VT_CELL(' ', VT_DEFAULT_ATTR);
		shown[i] = VT_CELL_UNKNOWN;	/* whatever firmware left there is cleared */
	}
	vt->dirty_lo = 0;
	vt->dirty_hi = rows;
	vt->con.name = name;
	vt->con.write = vt_console_write;
	vt->con.write_level = vt_console_write_level;
}
