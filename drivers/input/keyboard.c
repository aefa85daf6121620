/*
 * The PS/2 keyboard (Linux's atkbd): the bytes the i8042 delivers on IRQ 1 go through the
 * pure core (drivers/input/keymap.c) and the characters it makes into the console input
 * queue, the same queue the serial port fills, so the shell cannot tell them apart.
 *
 * At boot, while the port's interrupt is still off, the keyboard is spoken to by polling:
 * its LEDs are set to our lock state (all off) and scanning is enabled (0xf4), each
 * command answered by an ACK (0xfa). A keyboard that does not answer is reported, and the
 * interrupt is enabled anyway (one may be plugged in later; PS/2 is not meant to be
 * hot-plugged, but it usually works).
 * Later, a lock key changes the LEDs from the interrupt handler without waiting: it sends
 * 0xed, and the ACK, arriving as the next interrupt, sends the LED byte; the next ACK ends
 * the exchange. Any other byte in between means the keyboard gave up on the command: it is
 * decoded as a key, and the LEDs are tried again on the next lock change.
 * `kbd` in the shell shows the controller and the counts; docs/keyboard.md explains it all.
 */
#define pr_fmt(fmt) "atkbd: " fmt

#include <drivers/i8042.h>
#include <drivers/keyboard.h>
#include <kernel/console.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/spinlock.h>
#include <lib/errno.h>

#define ATKBD_CMD_SETLEDS	0xed
#define ATKBD_CMD_ENABLE	0xf4
#define ATKBD_RET_ACK		0xfa
#define ATKBD_RET_RESEND	0xfe
#define ATKBD_ACK_TIMEOUT_US	100000	/* 100 ms */

enum led_step { LED_IDLE, LED_WAIT_CMD_ACK, LED_WAIT_VALUE_ACK };

static struct kbd_state kbd;
static enum led_step led_step;
static uint64_t led_updates, led_failures;
static bool keyboard_ok;
static spinlock_t kbd_lock = SPINLOCK_INIT;	/* kbd and led_step; IRQ 1 and `kbd` */

/* Polled command at boot: send @byte, wait for the ACK. */
static int atkbd_command_poll(uint8_t byte)
{
	int ret = i8042_kbd_write(byte);

	if (ret)
		return ret;
	ret = i8042_read_poll(ATKBD_ACK_TIMEOUT_US);
	if (ret < 0)
		return ret;
	return ret == ATKBD_RET_ACK ? 0 : -EIO;
}

/* Start an LED update if a lock changed and none is under way. Under kbd_lock. */
static void leds_kick(void)
{
	if (led_step != LED_IDLE || !kbd.leds_changed)
		return;
	kbd.leds_changed = false;
	if (i8042_kbd_write(ATKBD_CMD_SETLEDS) == 0)
		led_step = LED_WAIT_CMD_ACK;
	else
		led_failures++;
}

/* A byte while an LED update is under way: true when it was the update's answer. */
static bool leds_answer(uint8_t byte)
{
	if (byte == ATKBD_RET_ACK && led_step == LED_WAIT_CMD_ACK) {
		if (i8042_kbd_write(kbd.leds) == 0) {
			led_step = LED_WAIT_VALUE_ACK;
		} else {
			led_failures++;
			led_step = LED_IDLE;
		}
		return true;
	}
	if (byte == ATKBD_RET_ACK) {
		led_updates++;
		led_step = LED_IDLE;
		return true;
	}
	led_failures++;
	led_step = LED_IDLE;
	return byte == ATKBD_RET_RESEND;
}

static void atkbd_receive(uint8_t byte)
{
	char seq[KBD_SEQ_MAX];
	size_t n = 0;

	spin_lock(&kbd_lock);
	if (led_step == LED_IDLE || !leds_answer(byte))
		n = kbd_input(&kbd, byte, seq);
	leds_kick();
	spin_unlock(&kbd_lock);
	for (size_t i = 0; i < n; i++)
		console_input_push(seq[i]);
}

void keyboard_init(void)
{
	int ret;

	kbd_state_init(&kbd);
	if (i8042_probe())
		return;
	ret = atkbd_command_poll(ATKBD_CMD_SETLEDS);
	if (!ret)
		ret = atkbd_command_poll(kbd.leds);
	if (!ret)
		ret = atkbd_command_poll(ATKBD_CMD_ENABLE);
	keyboard_ok = ret == 0;
	if (!keyboard_ok)
		pr_warn("no keyboard answered on the first PS/2 port (%d); listening anyway\n", ret);
	if (i8042_enable_kbd_irq(atkbd_receive))
		return;
	pr_info("AT keyboard on the i8042's first port, scan code set 1, US layout\n");
}

static const char *on_off(uint8_t leds, uint8_t led)
{
	return leds & led ? "on" : "off";
}

static int cmd_kbd(int argc, char **argv)
{
	struct kbd_stats st;
	unsigned long flags;
	uint8_t leds;
	uint64_t updates, failures;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	if (!i8042_info.present) {
		console_printf("i8042: none: %s\n", i8042_info.why);
		return 0;
	}
	flags = spin_lock_irqsave(&kbd_lock);
	st = kbd.stats;
	leds = kbd.leds;
	updates = led_updates;
	failures = led_failures;
	spin_unlock_irqrestore(&kbd_lock, flags);

	console_printf("i8042: config 0x%02x, self-test 0x%02x, port 1 test 0x%02x%s\n",
		       i8042_info.config, i8042_info.self_test, i8042_info.port_test,
		       i8042_info.acpi_absent ? " (ACPI says no 8042)" : "");
	console_printf("keyboard: %s, scan code set 1 (translated), US layout\n",
		       keyboard_ok ? "answered" : "did not answer at boot");
	console_printf("locks: caps %s, num %s, scroll %s; LED updates %llu, failed %llu\n",
		       on_off(leds, KBD_LED_CAPS), on_off(leds, KBD_LED_NUM),
		       on_off(leds, KBD_LED_SCROLL), (unsigned long long)updates,
		       (unsigned long long)failures);
	console_printf("bytes %llu presses %llu releases %llu chars %llu unknown %llu errors %llu\n",
		       (unsigned long long)st.bytes, (unsigned long long)st.presses,
		       (unsigned long long)st.releases, (unsigned long long)st.chars,
		       (unsigned long long)st.unknown, (unsigned long long)st.errors);
	return 0;
}
SHELL_COMMAND(kbd, cmd_kbd, "kbd", "the PS/2 controller and keyboard: state and counts");
