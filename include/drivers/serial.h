/*
 * The 16550 UART on COM1 (drivers/serial.c): the kernel's main console.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <kernel/compiler.h>

/* Program COM1 for 115200 8N1; false when no UART answers the loopback test. */
bool serial_init(void);
/* Register the serial console (log replay) and its receive interrupt (IRQ 4). */
void serial_console_init(void);
/* Make sure a crash report is seen: register the serial console now if none is. */
void serial_console_emergency(void);
void serial_putc(char c);

#endif
