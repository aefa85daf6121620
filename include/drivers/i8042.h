/*
 * The i8042 PS/2 controller (drivers/input/i8042.c): the chip, or its emulation in the
 * chipset or in firmware, behind I/O ports 0x60 (data) and 0x64 (status and commands)
 * that the keyboard on its first port talks through. Every wait on it is bounded, so a
 * missing or wedged controller costs a few milliseconds, never a hang.
 * docs/keyboard.md explains the probe.
 */
#ifndef DRIVERS_I8042_H
#define DRIVERS_I8042_H

#include <kernel/compiler.h>
#include <kernel/irq.h>

#define I8042_KBD_IRQ	1

/* What the probe found, for the log and the `kbd` command. */
struct i8042_info {
	bool present;		/* passed the self-test and the port test; port 1 enabled */
	bool acpi_absent;	/* ACPI's FADT (revision >= 2) says there is no 8042 */
	uint8_t config;		/* the configuration byte as we left it */
	int self_test;		/* the answer to 0xaa (0x55 is good); -1: none */
	int port_test;		/* the answer to 0xab (0 is good); -1: none */
	const char *why;	/* when !present: the reason, for the log and `kbd` */
};
extern struct i8042_info i8042_info;

/*
 * Probe the controller: flush, disable both ports, set the configuration byte (both
 * interrupts off, translation to set 1 on, the second port's clock off), self-test, test
 * and enable port 1. Returns 0, or -ENODEV with i8042_info.why set.
 */
int i8042_probe(void);

/* Send a byte to the keyboard on port 1 (bounded wait); 0 or -ETIMEDOUT. Any context. */
int i8042_kbd_write(uint8_t byte);

/* Wait (bounded, polling) for a byte from the controller; the byte, or -ETIMEDOUT. */
int i8042_read_poll(unsigned int timeout_us);

/*
 * Take IRQ 1 and enable port 1's interrupt: from then on @handler gets every byte the
 * keyboard sends, in interrupt context. 0 or the error of request_irq.
 */
int i8042_enable_kbd_irq(void (*handler)(uint8_t byte));

#endif
