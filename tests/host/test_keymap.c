/*
 * Host unit tests of drivers/input/keymap.c, the keyboard's pure core (Criterion, ASan/UBSan).
 *
 * Hand-written cases pin what the shell relies on: letters with shift and caps lock (caps +
 * shift gives lowercase; caps leaves digits alone), a lock toggling once however long its
 * key autorepeats, the 0xe0 keys (arrows as ESC [ A..D, keypad Enter as '\r', right ctrl
 * and alt, Delete, Home/End, PgUp/PgDn), the keypad with and without num lock, ctrl
 * combinations (Ctrl-C 0x03, Ctrl-U 0x15), the fake shifts and the Pause sequence that are
 * no characters, break codes that type nothing, and unknown or error bytes counted and
 * skipped without disturbing the next key. The random test types random keys under random
 * shift / caps / ctrl states and compares with a reference model built from the rows of a
 * US keyboard, written as strings rather than tables by key code.
 * Seed: TEST_SEED or the clock, printed and put in each failure message; TEST_ITERS sets
 * the number of random keys (default 20000).
 */
#include <criterion/criterion.h>
#include <string.h>

#include <drivers/keyboard.h>

#include "rng.h"

/* Feed @n bytes; returns everything typed, as a NUL-terminated string (static buffer). */
static const char *feed(struct kbd_state *kbd, const uint8_t *bytes, size_t n)
{
	static char typed[256];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		char seq[KBD_SEQ_MAX];
		size_t k = kbd_input(kbd, bytes[i], seq);

		cr_assert_leq(k, KBD_SEQ_MAX);
		cr_assert_lt(len + k, sizeof(typed));
		memcpy(typed + len, seq, k);
		len += k;
	}
	typed[len] = '\0';
	return typed;
}

#define FEED(kbd, ...) \
	feed(kbd, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static struct kbd_state fresh(void)
{
	struct kbd_state kbd;

	memset(&kbd, 0xa5, sizeof(kbd));	/* init must not rely on zeroed memory */
	kbd_state_init(&kbd);
	return kbd;
}

Test(keymap, letters_digits_and_release_codes)
{
	struct kbd_state kbd = fresh();

	cr_assert_str_eq(FEED(&kbd, 0x1e, 0x9e, 0x02, 0x82, 0x39, 0xb9, 0x0c, 0x8c), "a1 -");
	cr_assert_str_eq(FEED(&kbd, 0x9e, 0xae, 0x81), "", "break codes type nothing");
	cr_assert_eq(kbd.stats.presses, 4);
	cr_assert_eq(kbd.stats.releases, 7);
	cr_assert_eq(kbd.stats.chars, 4);
	cr_assert_eq(kbd.stats.unknown, 0);
}

Test(keymap, enter_backspace_tab_escape)
{
	struct kbd_state kbd = fresh();

	cr_assert_str_eq(FEED(&kbd, 0x1c, 0x9c, 0x0e, 0x8e, 0x0f, 0x8f, 0x01, 0x81),
			 "\r\x7f\t\x1b");
}

Test(keymap, shift_both_sides)
{
	struct kbd_state kbd = fresh();

	cr_assert_str_eq(FEED(&kbd, 0x2a, 0x1e, 0x9e, 0x02, 0x82, 0xaa, 0x1e, 0x9e), "A!a");
	cr_assert_str_eq(FEED(&kbd, 0x36, 0x0d, 0x8d, 0x35, 0xb5, 0xb6, 0x0d), "+?=");
	/* both shifts down, one released: still shifted */
	cr_assert_str_eq(FEED(&kbd, 0x2a, 0x36, 0xaa, 0x1e, 0xb6, 0x1e), "Aa");
}

Test(keymap, caps_lock_and_shift)
{
	struct kbd_state kbd = fresh();

	cr_assert_str_eq(FEED(&kbd, 0x3a, 0xba), "");
	cr_assert_eq(kbd.leds, KBD_LED_CAPS);
	cr_assert(kbd.leds_changed);
	cr_assert_str_eq(FEED(&kbd, 0x1e, 0x9e), "A");
	cr_assert_str_eq(FEED(&kbd, 0x2a, 0x1e, 0x9e, 0xaa), "a", "caps + shift is lowercase");
	cr_assert_str_eq(FEED(&kbd, 0x02, 0x82, 0x1a, 0x9a), "1[", "caps leaves the rest alone");
	cr_assert_str_eq(FEED(&kbd, 0x2a, 0x02, 0x82, 0x1a, 0xaa), "!{");
	kbd.leds_changed = false;
	cr_assert_str_eq(FEED(&kbd, 0x3a, 0xba, 0x1e), "a");
	cr_assert_eq(kbd.leds, 0);
	cr_assert(kbd.leds_changed);
}

Test(keymap, lock_toggles_once_while_autorepeating)
{
	struct kbd_state kbd = fresh();

	FEED(&kbd, 0x3a, 0x3a, 0x3a, 0x3a, 0xba);
	cr_assert_eq(kbd.leds, KBD_LED_CAPS);
	FEED(&kbd, 0x45, 0x45, 0xc5, 0x46, 0xc6);
	cr_assert_eq(kbd.leds, KBD_LED_CAPS | KBD_LED_NUM | KBD_LED_SCROLL);
	cr_assert_eq(kbd.stats.presses, 7);
	/* an ordinary key repeats */
	cr_assert_str_eq(FEED(&kbd, 0x20, 0x20, 0x20, 0xa0), "DDD");
}

Test(keymap, e0_keys)
{
	struct kbd_state kbd = fresh();

	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x48, 0xe0, 0xc8), "\x1b[A");
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x50, 0xe0, 0xd0), "\x1b[B");
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x4d, 0xe0, 0xcd), "\x1b[C");
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x4b, 0xe0, 0xcb), "\x1b[D");
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x1c, 0xe0, 0x9c), "\r", "keypad Enter");
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x35, 0xe0, 0xb5), "/", "keypad slash");
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x53, 0xe0, 0x47, 0xe0, 0x4f), "\x1b[3~\x1b[H\x1b[F");
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x49, 0xe0, 0x51, 0xe0, 0x52), "\x1b[5~\x1b[6~\x1b[2~");
	cr_assert_eq(kbd.stats.unknown, 0);

	/* right ctrl and right alt are modifiers, not their left twins' scan codes */
	FEED(&kbd, 0xe0, 0x1d);
	cr_assert(kbd_key_down(&kbd, KEY_RIGHTCTRL));
	cr_assert_not(kbd_key_down(&kbd, KEY_LEFTCTRL));
	cr_assert_str_eq(FEED(&kbd, 0x2e, 0xae), "\x03", "right ctrl + c");
	FEED(&kbd, 0xe0, 0x9d, 0xe0, 0x38);
	cr_assert_not(kbd_key_down(&kbd, KEY_RIGHTCTRL));
	cr_assert(kbd_key_down(&kbd, KEY_RIGHTALT));
	cr_assert_str_eq(FEED(&kbd, 0x1e, 0x9e), "a", "alt types as if not held");
}

Test(keymap, keypad_and_num_lock)
{
	struct kbd_state kbd = fresh();

	/* num lock off: the keypad is the navigation block; - + * always type */
	cr_assert_str_eq(FEED(&kbd, 0x48, 0xc8, 0x4b, 0x53, 0x4c, 0x4a, 0x4e, 0x37),
			 "\x1b[A\x1b[D\x1b[3~-+*");
	FEED(&kbd, 0x45, 0xc5);
	cr_assert_str_eq(FEED(&kbd, 0x47, 0x48, 0x49, 0x4b, 0x4c, 0x4d, 0x4f, 0x50, 0x51, 0x52,
			      0x53), "7894561230.");
	/* shift with num lock: navigation again */
	cr_assert_str_eq(FEED(&kbd, 0x2a, 0x50, 0xaa, 0x50), "\x1b[B" "2");
}

Test(keymap, ctrl_combinations)
{
	struct kbd_state kbd = fresh();

	cr_assert_str_eq(FEED(&kbd, 0x1d, 0x2e, 0xae, 0x16, 0x96, 0x1e, 0x2c), "\x03\x15\x01\x1a");
	cr_assert_str_eq(FEED(&kbd, 0x2a, 0x2e, 0xaa), "\x03", "ctrl + shift + c is still ^C");
	cr_assert_str_eq(FEED(&kbd, 0x1a, 0x2b, 0x1b), "\x1b\x1c\x1d", "ctrl + [ \\ ]");
	FEED(&kbd, 0x3a, 0xba);
	cr_assert_str_eq(FEED(&kbd, 0x2e), "\x03", "caps lock does not change a control char");
	cr_assert_str_eq(FEED(&kbd, 0x02), "1", "ctrl + digit types the digit");
	FEED(&kbd, 0x9d);
	cr_assert_str_eq(FEED(&kbd, 0x2e), "C");
}

Test(keymap, fake_shifts_and_pause_are_not_keys)
{
	struct kbd_state kbd = fresh();

	/* Print Screen: e0 2a e0 37 / e0 b7 e0 aa */
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa), "");
	cr_assert_not(kbd_key_down(&kbd, KEY_LEFTSHIFT));
	/* with num lock, the keyboard wraps an arrow in a fake shift release/press */
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0xaa, 0x1e),
			 "\x1b[Aa");
	/* Pause: e1 1d 45 e1 9d c5, one press and one release of KEY_PAUSE */
	kbd.stats = (struct kbd_stats){ 0 };
	cr_assert_str_eq(FEED(&kbd, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e), "a");
	cr_assert_eq(kbd.stats.presses, 2);
	cr_assert_eq(kbd.stats.releases, 1);
	cr_assert_eq(kbd.stats.unknown, 0);
	cr_assert_not(kbd_key_down(&kbd, KEY_PAUSE));
}

Test(keymap, unknown_and_error_bytes_counted_and_skipped)
{
	struct kbd_state kbd = fresh();

	/* 0x59 and 0x7f are no set 1 keys, 0x54 neither, e0 20 is a multimedia key */
	cr_assert_str_eq(FEED(&kbd, 0x59, 0x7f, 0x54, 0xe0, 0x20, 0xe0, 0xa0, 0xd9), "");
	cr_assert_eq(kbd.stats.unknown, 6);
	/* an unknown e0 key leaves no prefix behind: 0x1d after it is the left ctrl */
	cr_assert_str_eq(FEED(&kbd, 0xe0, 0x20, 0x1d, 0x2e), "\x03");
	cr_assert(kbd_key_down(&kbd, KEY_LEFTCTRL));
	cr_assert_not(kbd_key_down(&kbd, KEY_RIGHTCTRL));
	cr_assert_eq(kbd.stats.unknown, 7);
	FEED(&kbd, 0x9d);
	cr_assert_str_eq(FEED(&kbd, 0x00, 0xff, 0x1e), "a");
	cr_assert_eq(kbd.stats.errors, 2);
	cr_assert_eq(kbd.stats.unknown, 7);
	cr_assert_eq(kbd.stats.bytes, 8 + 4 + 1 + 3);
}

/* ---- the random test against a model built from the keyboard's rows ---- */

struct row {
	uint8_t first;		/* make code of the row's first key */
	const char *plain, *shifted;
};

static const struct row rows[] = {
	{ 0x02, "1234567890-=", "!@#$%^&*()_+" },
	{ 0x10, "qwertyuiop[]", "QWERTYUIOP{}" },
	{ 0x1e, "asdfghjkl;'`", "ASDFGHJKL:\"~" },
	{ 0x2b, "\\zxcvbnm,./", "|ZXCVBNM<>?" },
	{ 0x39, " ", " " },
};

static char model_char(char plain, char shifted, bool shift, bool caps, bool ctrl)
{
	char c = shift ? shifted : plain;

	if (plain >= 'a' && plain <= 'z') {
		if (caps)
			c = shift ? plain : shifted;
		return ctrl ? (char)(plain - 'a' + 1) : c;
	}
	if (ctrl && strchr("@[\\]^_", c) && c)
		return (char)(c - '@');
	return c;
}

Test(keymap, random_typing_matches_the_model)
{
	unsigned long long seed = test_seed("keymap random typing");
	long iters = test_iters(20000);
	struct kbd_state kbd = fresh();
	bool shift = false, caps = false, ctrl = false;
	unsigned long chars = 0;

	for (long i = 0; i < iters; i++) {
		unsigned int what = rnd_below(10);

		if (what == 0) {
			shift = !shift;
			FEED(&kbd, shift ? 0x2a : 0xaa);
		} else if (what == 1) {
			caps = !caps;
			FEED(&kbd, 0x3a, 0xba);
		} else if (what == 2) {
			ctrl = !ctrl;
			FEED(&kbd, 0xe0, ctrl ? 0x1d : 0x9d);
		} else {
			const struct row *r = &rows[rnd_below(ARRAY_SIZE(rows))];
			size_t k = rnd_below(strlen(r->plain));
			char want[2] = {
				model_char(r->plain[k], r->shifted[k], shift, caps, ctrl)
			};
			uint8_t make = r->first + k;

			cr_assert_str_eq(FEED(&kbd, make, make | 0x80), want,
					 "seed %llu step %ld: key 0x%02x shift %d caps %d ctrl %d",
					 seed, i, make, shift, caps, ctrl);
			chars++;
		}
	}
	cr_assert_eq(kbd.stats.chars, chars, "seed %llu", seed);
	cr_assert_eq(kbd.stats.unknown, 0);
}
