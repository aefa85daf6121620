/*
 * The i8042 PS/2 controller: probe it carefully, then hand the keyboard's bytes to the
 * keyboard driver from IRQ 1. Ports: 0x60 data (both ways), 0x64 status (read) and
 * command (write). Status bit 0 says a byte waits for us in the output buffer, bit 1 that
 * the controller has not yet taken our last byte, bit 5 that the waiting byte is from the
 * second (mouse) port.
 *
 * Probe: a status of 0xff is an empty bus (no controller): stop before writing anything.
 * Otherwise disable both ports so no device talks while we set up, drain the output
 * buffer, and write a configuration byte with both port interrupts off, the second port's
 * clock off (no mouse driver here) and translation on; then the self-test (0xaa must answer
 * 0x55; it may reset the controller, so the configuration is written again) and the first
 * port's interface test (0xab must answer 0), and enable port 1. Its interrupt is turned on
 * only by i8042_enable_kbd_irq(), after the keyboard driver has spoken to the keyboard by
 * polling. Every wait is bounded (I8042_TIMEOUT_US); a controller that does not answer is
 * reported and left alone.
 *
 * Scan code set: translation stays on, so whatever set 2 keyboard is plugged in, we read
 * set 1. Every controller, every firmware's USB-keyboard emulation (the "USB legacy
 * support" that lets a USB keyboard work here) and QEMU do translation; choosing set 2
 * untranslated needs a keyboard command that some of those emulations ignore. Set 1 is
 * also the simpler to decode: a release is the make code with bit 7 set.
 *
 * ACPI: the FADT's IAPC_BOOT_ARCH says whether the machine has an 8042 (revision 2 and
 * later; revision 1, which QEMU's `pc` machine has, lacks the field, and then we probe).
 * When it says no, the ports are left alone, as legacy devices are used only where ACPI
 * says they exist (Linux does the same). Firmware is known to clear the bit on machines
 * that have one: `i8042=force` probes anyway, and a controller that passes its self-test
 * is used, the log saying that ACPI disagreed. `i8042=off` skips the controller always.
 */
#define pr_fmt(fmt) "i8042: " fmt

#include <asm/x86.h>
#include <drivers/acpi.h>
#include <drivers/i8042.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>

#define I8042_DATA	0x60
#define I8042_STATUS	0x64	/* read */
#define I8042_COMMAND	0x64	/* write */

#define STR_OBF		0x01	/* output buffer full: a byte for us */
#define STR_IBF		0x02	/* input buffer full: the controller is busy with ours */
#define STR_AUXDATA	0x20	/* the byte in the output buffer came from port 2 */

#define CMD_READ_CONFIG		0x20
#define CMD_WRITE_CONFIG	0x60
#define CMD_AUX_DISABLE		0xa7
#define CMD_SELF_TEST		0xaa
#define CMD_KBD_TEST		0xab
#define CMD_KBD_DISABLE		0xad
#define CMD_KBD_ENABLE		0xae

#define CFG_KBD_INT		0x01	/* IRQ 1 on a byte from port 1 */
#define CFG_AUX_INT		0x02	/* IRQ 12 on a byte from port 2 */
#define CFG_KBD_CLOCK_OFF	0x10
#define CFG_AUX_CLOCK_OFF	0x20
#define CFG_XLATE		0x40	/* translate the keyboard's set 2 into set 1 */

#define SELF_TEST_OK		0x55
#define I8042_TIMEOUT_US	200000	/* 200 ms: slow real controllers answer in tens */
#define I8042_BUFFER_MAX	32	/* bytes to drain before calling the buffer stuck */

struct i8042_info i8042_info = { .self_test = -1, .port_test = -1, .why = "not probed" };
static bool param_off;
static void (*kbd_handler)(uint8_t byte);

/*
 * The acpi branch defines `acpi` (drivers/acpi/acpi.c); a kernel without it links this
 * weak reference to address 0, and then there are no ACPI tables to consult.
 */
extern struct acpi_info acpi __attribute__((weak));

static bool acpi_says_no_8042(void)
{
	const struct acpi_info *a = &acpi;

	if (!a || !a->present || !a->fadt.present || a->fadt.revision < 2)
		return false;
	return !(a->fadt.iapc_boot_arch & ACPI_BOOT_8042);
}

static bool param_force;

static int set_i8042(const char *val)
{
	if (val && strcmp(val, "off") == 0)
		param_off = true;
	else if (val && strcmp(val, "force") == 0)
		param_force = true;
	else
		return -EINVAL;
	return 0;
}
KERNEL_PARAM("i8042", set_i8042,
	     "off (no PS/2 controller) or force (probe it though ACPI says there is none)");

/* Wait until the controller has taken our last byte; false on the timeout. */
static bool wait_write(void)
{
	for (unsigned int us = 0; us < I8042_TIMEOUT_US; us += 10) {
		if (!(inb(I8042_STATUS) & STR_IBF))
			return true;
		udelay(10);
	}
	return false;
}

static int i8042_command(uint8_t cmd)
{
	if (!wait_write())
		return -ETIMEDOUT;
	outb(I8042_COMMAND, cmd);
	return 0;
}

static int i8042_write_data(uint8_t byte)
{
	if (!wait_write())
		return -ETIMEDOUT;
	outb(I8042_DATA, byte);
	return 0;
}

int i8042_read_poll(unsigned int timeout_us)
{
	for (unsigned int us = 0; us < timeout_us; us += 10) {
		if (inb(I8042_STATUS) & STR_OBF)
			return inb(I8042_DATA);
		udelay(10);
	}
	return -ETIMEDOUT;
}

/* A controller command that answers one byte: the byte, or -ETIMEDOUT. */
static int i8042_command_read(uint8_t cmd)
{
	int ret = i8042_command(cmd);

	return ret ? ret : i8042_read_poll(I8042_TIMEOUT_US);
}

static int write_config(uint8_t config)
{
	int ret = i8042_command(CMD_WRITE_CONFIG);

	return ret ? ret : i8042_write_data(config);
}

/* Empty the output buffer; false when it never empties (a stuck or absent controller). */
static bool flush(void)
{
	for (int i = 0; i < I8042_BUFFER_MAX; i++) {
		if (!(inb(I8042_STATUS) & STR_OBF))
			return true;
		udelay(50);
		inb(I8042_DATA);
	}
	return false;
}

static int probe_fail(const char *why)
{
	i8042_info.why = why;
	return -ENODEV;
}

static int probe_controller(void)
{
	int config, ret;

	if (inb(I8042_STATUS) == 0xff)
		return probe_fail("no controller (its status port reads 0xff)");
	if (i8042_command(CMD_KBD_DISABLE) || i8042_command(CMD_AUX_DISABLE))
		return probe_fail("the controller takes no command");
	if (!flush())
		return probe_fail("its output buffer never empties");
	config = i8042_command_read(CMD_READ_CONFIG);
	if (config < 0)
		return probe_fail("no answer to 'read configuration'");
	config &= ~(CFG_KBD_INT | CFG_AUX_INT);
	config |= CFG_XLATE | CFG_AUX_CLOCK_OFF | CFG_KBD_CLOCK_OFF;
	if (write_config(config))
		return probe_fail("no room to write the configuration");

	i8042_info.self_test = i8042_command_read(CMD_SELF_TEST);
	if (i8042_info.self_test != SELF_TEST_OK)
		return probe_fail("self-test failed");
	ret = write_config(config);	/* the self-test may have reset the controller */
	if (ret)
		return probe_fail("no room to write the configuration");

	i8042_info.port_test = i8042_command_read(CMD_KBD_TEST);
	if (i8042_info.port_test != 0)
		return probe_fail("first port failed its interface test");
	config &= ~CFG_KBD_CLOCK_OFF;
	if (write_config(config) || i8042_command(CMD_KBD_ENABLE))
		return probe_fail("cannot enable the first port");
	i8042_info.config = config;
	flush();
	return 0;
}

int i8042_probe(void)
{
	int ret;

	i8042_info.acpi_absent = acpi_says_no_8042();
	if (param_off) {
		i8042_info.why = "disabled by i8042=off";
		pr_info("%s\n", i8042_info.why);
		return -ENODEV;
	}
	if (i8042_info.acpi_absent && !param_force) {
		i8042_info.why = "ACPI's FADT says there is none (i8042=force probes anyway)";
		pr_info("not probed: %s\n", i8042_info.why);
		return -ENODEV;
	}
	ret = probe_controller();
	if (ret) {
		if (i8042_info.acpi_absent)
			pr_info("none: ACPI says so, and %s\n", i8042_info.why);
		else if (i8042_info.self_test < 0)
			pr_warn("no usable controller: %s\n", i8042_info.why);
		else
			pr_warn("no usable controller: %s (self-test 0x%02x, port test %d)\n",
				i8042_info.why, i8042_info.self_test, i8042_info.port_test);
		return ret;
	}
	i8042_info.present = true;
	i8042_info.why = NULL;
	if (i8042_info.acpi_absent)
		pr_warn("ACPI's FADT says there is no 8042, but one passed its self-test: using it\n");
	pr_info("PS/2 controller at 0x%x,0x%x irq %d, config 0x%02x, translation to set 1\n",
		I8042_DATA, I8042_STATUS, I8042_KBD_IRQ, i8042_info.config);
	return 0;
}

int i8042_kbd_write(uint8_t byte)
{
	return i8042_write_data(byte);
}

static void i8042_interrupt(unsigned int irq, void *data)
{
	(void)irq;
	(void)data;
	/* One byte per interrupt is the rule; the bound only guards against a wedged chip. */
	for (int i = 0; i < I8042_BUFFER_MAX; i++) {
		uint8_t status = inb(I8042_STATUS), byte;

		if (!(status & STR_OBF))
			break;
		byte = inb(I8042_DATA);
		if (status & STR_AUXDATA)
			continue;	/* a mouse byte, though its port is off: drop it */
		if (kbd_handler)
			kbd_handler(byte);
	}
}

int i8042_enable_kbd_irq(void (*handler)(uint8_t byte))
{
	int ret;

	if (!i8042_info.present)
		return -ENODEV;
	kbd_handler = handler;
	ret = request_irq(I8042_KBD_IRQ, i8042_interrupt, "i8042", NULL);
	if (ret) {
		pr_err("cannot take IRQ %d (%d)\n", I8042_KBD_IRQ, ret);
		return ret;
	}
	flush();
	i8042_info.config |= CFG_KBD_INT;
	ret = write_config(i8042_info.config);
	if (ret) {
		free_irq(I8042_KBD_IRQ);
		i8042_info.config &= ~CFG_KBD_INT;
		pr_err("cannot enable the keyboard interrupt\n");
	}
	return ret;
}
