/*
 * 16550A UART driver for COM1 (I/O ports 0x3f8..0x3ff, IRQ 4).
 * Setup: divisor latch for 115200 baud (the 1.8432 MHz clock / 16 / 1), 8 data bits,
 * no parity, 1 stop bit, FIFOs on. Before trusting it we put the chip in loopback
 * mode and check that a byte we send comes back: there may be no UART at all (many
 * laptops), and then the serial console is simply not registered.
 * Output is polled (wait for the transmit holding register to empty), so it works
 * from any context, oopses included; input comes from the receive interrupt.
 */
#include <asm/x86.h>
#include <drivers/serial.h>
#include <kernel/console.h>
#include <kernel/irq.h>
#include <kernel/printk.h>

#define COM1		0x3f8
#define COM1_IRQ	4

/* Register offsets. */
#define UART_RBR	0	/* receive buffer (read) / transmit holding (write) */
#define UART_IER	1	/* interrupt enable */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_DLL	0	/* divisor latch, low byte, when LCR.DLAB = 1 */
#define UART_DLM	1

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20
#define MCR_DTR_RTS_OUT2 0x0b	/* OUT2 gates the UART's interrupt line on PCs */
#define MCR_LOOPBACK	0x10
#define IER_RX		0x01

static bool present;

bool serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);	/* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);	/* enable and clear FIFOs, 14-byte receive trigger */

	/* Loopback: what we transmit must come back on the receive side. */
	outb(COM1 + UART_MCR, MCR_LOOPBACK | 0x0e);
	outb(COM1 + UART_RBR, 0xae);
	for (int i = 0; i < 1000 && !(inb(COM1 + UART_LSR) & LSR_DATA_READY); i++)
		io_delay();
	present = inb(COM1 + UART_RBR) == 0xae;
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
	return present;
}

void serial_putc(char c)
{
	/* Bounded wait: a wedged UART must not hang the kernel's only report channel. */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THR_EMPTY); i++)
		cpu_relax();
	outb(COM1 + UART_RBR, c);
}

static void serial_write(struct console *con, const char *s, size_t len)
{
	(void)con;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');	/* terminals want CR LF */
		serial_putc(s[i]);
	}
}

static struct console serial_console = { .name = "ttyS0", .write = serial_write };

static void serial_interrupt(unsigned int irq, void *data)
{
	(void)irq;
	(void)data;
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY)
		console_input_push(inb(COM1 + UART_RBR));
}

/*
 * A kernel that dies before the console is registered must still be heard: panic()
 * calls this, which brings the UART up if needed and replays the log into it.
 */
void serial_console_emergency(void)
{
	if (have_console() || (!present && !serial_init()))
		return;
	register_console(&serial_console);
}

void serial_console_init(void)
{
	if (!present) {
		pr_warn("serial: no 16550 UART at 0x%x (loopback test failed)\n", COM1);
		return;
	}
	register_console(&serial_console);
	if (request_irq(COM1_IRQ, serial_interrupt, "ttyS0", NULL) == 0)
		outb(COM1 + UART_IER, IER_RX);
	pr_info("serial: ttyS0 at I/O 0x%x (irq = %d) is a 16550A\n", COM1, COM1_IRQ);
}
