/*
 * The keyboard's pure core: scan code set 1 bytes -> key events -> characters, with the
 * modifier and lock state and a US layout. It touches no hardware, so it builds unchanged
 * into tests/host (tests/host/test_keymap.c); drivers/input/keyboard.c feeds it the bytes
 * the i8042 delivers and pushes what it returns into the console input queue.
 *
 * Set 1 (what the controller's translation turns every keyboard's set 2 into): a press
 * sends the make code, a release the same code with bit 7 set; keys added after the PC/XT
 * (arrows of the separate block, right ctrl/alt, keypad enter and slash ...) are prefixed
 * with 0xe0; Pause sends the six bytes e1 1d 45 e1 9d c5 and no release. Around some e0
 * keys the keyboard also sends "fake shifts" (e0 2a, e0 aa, e0 36, e0 b6) so that old
 * software sees the shift state it expects; they are not keys and are dropped here.
 *
 * Characters: what a terminal sends for the same key, since the shell reads the serial
 * port and this queue alike: Enter is '\r', Backspace 0x7f, ctrl+letter the control
 * character (Ctrl-C 0x03), the arrows ESC [ A..D, Delete ESC [ 3 ~. Caps lock affects
 * letters only, and shift undoes it (caps + shift + a gives 'a'). Alt types as if it were
 * not held. A lock toggles on a press, not on the autorepeat of a held key; which keys are
 * held is one bit per key code, so the modifier state is read from it, never kept twice.
 */
#include <drivers/keyboard.h>

#define SC_E0		0xe0
#define SC_E1		0xe1
#define SC_BREAK	0x80	/* bit 7 of a set 1 byte: a release */

/* Set 1 make codes 0x01..0x58 are Linux key codes 1..88; these few in between are not keys. */
static bool base_code_known(uint8_t sc)
{
	return sc >= 0x01 && sc <= 0x58 && sc != 0x54 && sc != 0x55;
}

/* e0-prefixed make code -> key code (0: unknown, e.g. a multimedia key). e0 46 is ctrl+break. */
static const uint8_t e0_keys[0x80] = {
	[0x1c] = KEY_KPENTER,	[0x1d] = KEY_RIGHTCTRL,	[0x35] = KEY_KPSLASH,
	[0x37] = KEY_SYSRQ,	[0x38] = KEY_RIGHTALT,	[0x46] = KEY_PAUSE,
	[0x47] = KEY_HOME,	[0x48] = KEY_UP,	[0x49] = KEY_PAGEUP,
	[0x4b] = KEY_LEFT,	[0x4d] = KEY_RIGHT,	[0x4f] = KEY_END,
	[0x50] = KEY_DOWN,	[0x51] = KEY_PAGEDOWN,	[0x52] = KEY_INSERT,
	[0x53] = KEY_DELETE,	[0x5b] = KEY_LEFTMETA,	[0x5c] = KEY_RIGHTMETA,
	[0x5d] = KEY_COMPOSE,
};

/* US layout: the character of each key code without and with shift (0: types nothing here). */
static const char us_plain[KEY_SPACE + 1] = {
	[2] = '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=',
	[16] = 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']',
	[30] = 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
	[43] = '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/',
	[KEY_SPACE] = ' ',
};
static const char us_shift[KEY_SPACE + 1] = {
	[2] = '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+',
	[16] = 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}',
	[30] = 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
	[43] = '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?',
	[KEY_SPACE] = ' ',
};

/* The keypad, codes KEY_KP7..KEY_KPDOT: its character with num lock, else the key it acts as. */
static const char keypad_chars[] = "789-456+1230.";
static const uint8_t keypad_nav[] = {
	KEY_HOME, KEY_UP, KEY_PAGEUP, 0, KEY_LEFT, 0, KEY_RIGHT, 0,
	KEY_END, KEY_DOWN, KEY_PAGEDOWN, KEY_INSERT, KEY_DELETE,
};

/* What a VT100/xterm sends for the editing keys (the shell's history uses the arrows). */
static const char *nav_sequence(unsigned int code)
{
	switch (code) {
	case KEY_UP:		return "\x1b[A";
	case KEY_DOWN:		return "\x1b[B";
	case KEY_RIGHT:		return "\x1b[C";
	case KEY_LEFT:		return "\x1b[D";
	case KEY_HOME:		return "\x1b[H";
	case KEY_END:		return "\x1b[F";
	case KEY_INSERT:	return "\x1b[2~";
	case KEY_DELETE:	return "\x1b[3~";
	case KEY_PAGEUP:	return "\x1b[5~";
	case KEY_PAGEDOWN:	return "\x1b[6~";
	default:		return NULL;
	}
}

void kbd_state_init(struct kbd_state *kbd)
{
	*kbd = (struct kbd_state){ 0 };
}

bool kbd_key_down(const struct kbd_state *kbd, unsigned int code)
{
	return code < KEY_MAX && (kbd->down[code / 8] >> (code % 8)) & 1;
}

static void set_down(struct kbd_state *kbd, unsigned int code, bool down)
{
	if (down)
		kbd->down[code / 8] |= 1u << (code % 8);
	else
		kbd->down[code / 8] &= ~(1u << (code % 8));
}

bool atkbd_decode(struct kbd_state *kbd, uint8_t byte, struct key_event *ev)
{
	bool e0 = kbd->e0;
	uint8_t make = byte & ~SC_BREAK;
	uint8_t code;

	kbd->stats.bytes++;
	kbd->e0 = false;
	if (kbd->e1_left) {
		/* e1 1d 45 (press) or e1 9d c5 (its "release", sent right after): one event */
		if (--kbd->e1_left)
			return false;
		*ev = (struct key_event){ KEY_PAUSE, !(byte & SC_BREAK) };
		return true;
	}
	if (byte == SC_E0) {
		kbd->e0 = true;
		return false;
	}
	if (byte == SC_E1) {
		kbd->e1_left = 2;
		return false;
	}
	if (byte == 0x00 || byte == 0xff) {
		kbd->stats.errors++;
		return false;
	}
	if (e0 && (make == 0x2a || make == 0x36))
		return false;	/* a fake shift */
	if (e0)
		code = e0_keys[make];
	else
		code = base_code_known(make) ? make : 0;
	if (!code) {
		kbd->stats.unknown++;
		return false;
	}
	*ev = (struct key_event){ code, !(byte & SC_BREAK) };
	return true;
}

static bool shift_held(const struct kbd_state *kbd)
{
	return kbd_key_down(kbd, KEY_LEFTSHIFT) || kbd_key_down(kbd, KEY_RIGHTSHIFT);
}

static bool ctrl_held(const struct kbd_state *kbd)
{
	return kbd_key_down(kbd, KEY_LEFTCTRL) || kbd_key_down(kbd, KEY_RIGHTCTRL);
}

static size_t put_string(char *out, const char *s)
{
	size_t n = 0;

	while (s[n] && n < KBD_SEQ_MAX) {
		out[n] = s[n];
		n++;
	}
	return n;
}

/* A key of the main block (codes 2..57): its character under shift, caps lock and ctrl. */
static size_t typed_char(const struct kbd_state *kbd, unsigned int code, char *out)
{
	char c = shift_held(kbd) ? us_shift[code] : us_plain[code];
	bool letter = us_plain[code] >= 'a' && us_plain[code] <= 'z';

	if (!c)
		return 0;
	if (letter && (kbd->leds & KBD_LED_CAPS))
		c ^= 0x20;	/* caps inverts the case shift chose: caps + shift is lowercase */
	if (ctrl_held(kbd)) {
		if (letter)
			c = (c | 0x20) - 'a' + 1;	/* Ctrl-A 0x01 .. Ctrl-Z 0x1a */
		else if (c >= '@' && c <= '_')
			c -= '@';	/* Ctrl-[ ESC, Ctrl-\ 0x1c, Ctrl-] 0x1d, Ctrl-^, Ctrl-_ */
	}
	out[0] = c;
	return 1;
}

static void toggle_lock(struct kbd_state *kbd, uint8_t led)
{
	kbd->leds ^= led;
	kbd->leds_changed = true;
}

size_t kbd_key_event(struct kbd_state *kbd, const struct key_event *ev, char *out)
{
	unsigned int code = ev->code;
	bool repeat;
	size_t n;

	if (code == 0 || code >= KEY_MAX)
		return 0;
	if (!ev->pressed) {
		kbd->stats.releases++;
		set_down(kbd, code, false);
		return 0;
	}
	kbd->stats.presses++;
	repeat = kbd_key_down(kbd, code);
	set_down(kbd, code, true);

	if (code >= KEY_KP7 && code <= KEY_KPDOT) {
		unsigned int i = code - KEY_KP7;
		bool digits = (kbd->leds & KBD_LED_NUM) && !shift_held(kbd);

		/* num lock gives digits; shift or no num lock, the navigation key (5 is none) */
		if (digits || code == KEY_KPMINUS || code == KEY_KPPLUS) {
			out[0] = keypad_chars[i];
			n = 1;
		} else {
			n = keypad_nav[i] ? put_string(out, nav_sequence(keypad_nav[i])) : 0;
		}
		kbd->stats.chars += n;
		return n;
	}
	switch (code) {
	case KEY_CAPSLOCK:
		if (!repeat)
			toggle_lock(kbd, KBD_LED_CAPS);
		return 0;
	case KEY_NUMLOCK:
		if (!repeat)
			toggle_lock(kbd, KBD_LED_NUM);
		return 0;
	case KEY_SCROLLLOCK:
		if (!repeat)
			toggle_lock(kbd, KBD_LED_SCROLL);
		return 0;
	case KEY_ENTER:
	case KEY_KPENTER:
		n = put_string(out, "\r");	/* what a terminal sends for Enter */
		break;
	case KEY_BACKSPACE:
		n = put_string(out, "\x7f");	/* DEL, as terminals and Linux's console send */
		break;
	case KEY_TAB:
		n = put_string(out, "\t");
		break;
	case KEY_ESC:
		n = put_string(out, "\x1b");
		break;
	case KEY_KPSLASH:
		n = put_string(out, "/");
		break;
	case KEY_KPASTERISK:
		n = put_string(out, "*");
		break;
	default:
		if (nav_sequence(code))
			n = put_string(out, nav_sequence(code));
		else if (code <= KEY_SPACE)
			n = typed_char(kbd, code, out);
		else
			n = 0;	/* modifiers, function keys, Pause, SysRq, the Windows keys */
	}
	kbd->stats.chars += n;
	return n;
}

size_t kbd_input(struct kbd_state *kbd, uint8_t byte, char *out)
{
	struct key_event ev;

	if (!atkbd_decode(kbd, byte, &ev))
		return 0;
	return kbd_key_event(kbd, &ev, out);
}
