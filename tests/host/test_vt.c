/*
 * Host unit tests of drivers/video/vt.c, the screen consoles' text grid (Criterion).
 * A fake backend draws into an array of its own, so each test can check what the screen
 * would show (not only the grid), and counts draws: the shadow grid must redraw only the
 * cells that changed. Cases: wrap deferred to the next character, newline scrolling at the
 * bottom, \r \b \t, CSI erase and cursor position, SGR colours, unknown sequences swallowed,
 * printk levels colouring the text and restoring the shell's colour afterwards.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <drivers/vt.h>

#define COLS 10
#define ROWS 3

static uint16_t cells[COLS * ROWS], shown[COLS * ROWS], screen[COLS * ROWS];
static unsigned int draws, cur_x, cur_y;
static struct vt vt;

static void fake_draw(struct vt *v, unsigned int x, unsigned int y, uint16_t cell, bool cursor)
{
	(void)v;
	(void)cursor;
	screen[y * COLS + x] = cell;
	draws++;
}

static void fake_cursor(struct vt *v, unsigned int x, unsigned int y)
{
	(void)v;
	cur_x = x;
	cur_y = y;
}

static const struct vt_ops ops = { .draw_cell = fake_draw, .move_cursor = fake_cursor };

static void setup(void)
{
	vt_init(&vt, COLS, ROWS, cells, shown, &ops, "test");
	vt_flush(&vt);
	draws = 0;
}

static void put(const char *s) { vt_write(&vt, s, strlen(s), CONSOLE_NO_LEVEL); }

/* Row @y as the screen shows it, trailing spaces dropped. */
static const char *row(unsigned int y)
{
	static char buf[COLS + 1];
	int n = 0;

	for (unsigned int x = 0; x < COLS; x++)
		buf[x] = screen[y * COLS + x] & 0xff;
	for (n = COLS; n > 0 && buf[n - 1] == ' '; n--)
		;
	buf[n] = '\0';
	return buf;
}

TestSuite(vt, .init = setup);

Test(vt, wrap_waits_for_the_next_character)
{
	put("0123456789");
	cr_expect_str_eq(row(0), "0123456789");
	cr_expect_eq(vt.x, COLS);
	put("\nab");
	cr_expect_str_eq(row(1), "ab", "a full line and a newline make one row");
	put("cdefghijkXY");
	cr_expect_str_eq(row(1), "abcdefghij");
	cr_expect_str_eq(row(2), "kXY");
}

Test(vt, newline_at_the_bottom_scrolls_and_redraws_only_changes)
{
	put("a\nb\nc");
	cr_expect_eq(vt.scrolls, 0);
	draws = 0;
	put("\nd");
	cr_expect_eq(vt.scrolls, 1);
	cr_expect_str_eq(row(0), "b");
	cr_expect_str_eq(row(1), "c");
	cr_expect_str_eq(row(2), "d");
	cr_expect_eq(draws, 3, "three cells changed, %u drawn", draws);
	cr_expect_eq(cur_y, 2);
	cr_expect_eq(cur_x, 1);
}

Test(vt, carriage_return_backspace_tab)
{
	put("abc\rX");
	cr_expect_str_eq(row(0), "Xbc");
	put("\b\b \b");
	cr_expect_eq(vt.x, 0);
	put("\tZ");
	cr_expect_eq(screen[8] & 0xff, 'Z');
}

Test(vt, csi_erase_and_position)
{
	put("abcdefgh\nxyz");
	put("\x1b[1;3H");
	cr_expect_eq(vt.y, 0);
	cr_expect_eq(vt.x, 2);
	put("\x1b[K");
	cr_expect_str_eq(row(0), "ab");
	put("\x1b[H\x1b[2J");
	cr_expect_str_eq(row(0), "");
	cr_expect_str_eq(row(1), "");
	cr_expect_eq(vt.x, 0);
	cr_expect_eq(vt.y, 0);
}

Test(vt, unknown_sequences_draw_nothing)
{
	put("a\x1b[?25lb\x1b[5;7;99zc\x1b(Bd");
	cr_expect_str_eq(row(0), "abcd", "got '%s'", row(0));
}

Test(vt, sgr_and_levels)
{
	put("\x1b[31;1mR\x1b[mN");
	cr_expect_eq(screen[0] >> 8, VT_ATTR(VGA_LIGHT_RED, VGA_BLACK));
	cr_expect_eq(screen[1] >> 8, VT_DEFAULT_ATTR);
	vt_write(&vt, "W", 1, 4);
	cr_expect_eq(screen[2] >> 8, VT_ATTR(VGA_YELLOW, VGA_BLACK));
	vt_write(&vt, "E", 1, 3);
	cr_expect_eq(screen[3] >> 8, VT_ATTR(VGA_LIGHT_RED, VGA_BLACK));
	put("s");
	cr_expect_eq(screen[4] >> 8, VT_DEFAULT_ATTR, "the level does not stick");
}
