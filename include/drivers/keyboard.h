/*
 * The keyboard: from the bytes a PS/2 keyboard sends to the characters the shell reads.
 * Two stages, both in the pure core drivers/input/keymap.c (built into tests/host too):
 *   atkbd_decode():   scan code set 1 bytes -> key events (a key code, pressed or released),
 *                     with the 0xe0 prefix, the 0xe1 Pause sequence and the "fake shifts"
 *                     the controller's translation inserts;
 *   kbd_key_event():  key events -> characters, keeping the modifier and lock state
 *                     (shift, ctrl, alt, caps/num/scroll lock) with a US layout.
 * kbd_input() runs both on one byte. The hardware edge is drivers/input/i8042.c (the
 * controller) and drivers/input/keyboard.c (the interrupt, the LEDs, the `kbd` command).
 * Key codes are Linux's (include/uapi/linux/input-event-codes.h): for the keys of the
 * original PC keyboard they equal the set 1 make code, so KEY_A is 30 as scan code 0x1e.
 * docs/keyboard.md explains it all.
 */
#ifndef DRIVERS_KEYBOARD_H
#define DRIVERS_KEYBOARD_H

#include <kernel/compiler.h>

/* The key codes used by name (Linux's numbers). */
#define KEY_ESC		1
#define KEY_BACKSPACE	14
#define KEY_TAB		15
#define KEY_ENTER	28
#define KEY_LEFTCTRL	29
#define KEY_A		30
#define KEY_LEFTSHIFT	42
#define KEY_RIGHTSHIFT	54
#define KEY_KPASTERISK	55
#define KEY_LEFTALT	56
#define KEY_SPACE	57
#define KEY_CAPSLOCK	58
#define KEY_F1		59
#define KEY_NUMLOCK	69
#define KEY_SCROLLLOCK	70
#define KEY_KP7		71	/* the keypad: 71..83 */
#define KEY_KPMINUS	74
#define KEY_KPPLUS	78
#define KEY_KPDOT	83
#define KEY_102ND	86	/* the extra key left of Z on ISO keyboards */
#define KEY_F11		87
#define KEY_F12		88
#define KEY_KPENTER	96
#define KEY_RIGHTCTRL	97
#define KEY_KPSLASH	98
#define KEY_SYSRQ	99
#define KEY_RIGHTALT	100
#define KEY_HOME	102
#define KEY_UP		103
#define KEY_PAGEUP	104
#define KEY_LEFT	105
#define KEY_RIGHT	106
#define KEY_END		107
#define KEY_DOWN	108
#define KEY_PAGEDOWN	109
#define KEY_INSERT	110
#define KEY_DELETE	111
#define KEY_PAUSE	119
#define KEY_LEFTMETA	125
#define KEY_RIGHTMETA	126
#define KEY_COMPOSE	127
#define KEY_MAX		128	/* key codes are below this */

/* LED bits, in the order of the keyboard's "set LEDs" command (0xed). */
#define KBD_LED_SCROLL	0x01
#define KBD_LED_NUM	0x02
#define KBD_LED_CAPS	0x04

/* The longest character sequence one key produces ("\x1b[3~" for Delete). */
#define KBD_SEQ_MAX	8

struct kbd_stats {
	uint64_t bytes;		/* scan code bytes decoded */
	uint64_t presses;	/* key presses, autorepeats included */
	uint64_t releases;
	uint64_t chars;		/* characters produced */
	uint64_t unknown;	/* bytes that are no key we know, skipped */
	uint64_t errors;	/* 0x00 / 0xff: the keyboard's buffer overrun or key error */
};

struct kbd_state {
	/* atkbd_decode's state between bytes */
	bool e0;			/* the previous byte was 0xe0 */
	uint8_t e1_left;		/* bytes of the Pause sequence still to swallow */
	/* kbd_key_event's state */
	uint8_t down[KEY_MAX / 8];	/* keys held now: tells a press from an autorepeat */
	uint8_t leds;			/* KBD_LED_*: the lock states */
	bool leds_changed;		/* set when a lock toggled; the driver clears it */
	struct kbd_stats stats;
};

struct key_event {
	uint8_t code;	/* KEY_* */
	bool pressed;	/* false: released */
};

/* Start with no key down and the locks off. */
void kbd_state_init(struct kbd_state *kbd);

/*
 * Feed one scan code byte; returns true and fills @ev when the byte completes a key
 * event. Prefix bytes, the Pause sequence, fake shifts and unknown codes return false
 * (unknown ones and error bytes are counted in @kbd->stats).
 */
bool atkbd_decode(struct kbd_state *kbd, uint8_t byte, struct key_event *ev);

/*
 * Apply one key event: update the modifiers and locks, and write the characters the key
 * types into @out (at least KBD_SEQ_MAX bytes). Returns how many (0 for modifiers,
 * releases and keys that type nothing).
 */
size_t kbd_key_event(struct kbd_state *kbd, const struct key_event *ev, char *out);

/* Both stages on one byte: returns the number of characters written into @out. */
size_t kbd_input(struct kbd_state *kbd, uint8_t byte, char *out);

/* Whether key @code is held down. */
bool kbd_key_down(const struct kbd_state *kbd, unsigned int code);

/* The kernel side (drivers/input/keyboard.c): probe the controller, take IRQ 1. */
void keyboard_init(void);

#endif
