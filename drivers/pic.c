/*
 * The legacy 8259A programmable interrupt controllers (master at 0x20, slave at
 * 0xa0, cascaded on the master's IRQ 2). At power-on they deliver IRQ 0..7 on
 * vectors 8..15, on top of the CPU exceptions, so we remap them to 32..47 and mask
 * every line; drivers unmask the lines they handle. pic_init makes the PIC the chip
 * ("XT-PIC") of IRQ 0..15; when the IOAPIC takes over (drivers/irq/apic.c) the lines move
 * to it and the PIC is masked entirely, cascade included. A "spurious" IRQ 7 or 15 is one the
 * PIC raised and withdrew: its in-service bit is clear, and it must not get an EOI
 * (except the cascade EOI on the master for a spurious IRQ 15).
 */
#include <asm/x86.h>
#include <kernel/irq.h>

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_EOI		0x20
#define PIC_READ_ISR	0x0b

static uint16_t irq_mask = 0xffff;	/* bit set = line masked */

static void write_mask(void)
{
	outb(PIC1_DATA, irq_mask & 0xff);
	outb(PIC2_DATA, irq_mask >> 8);
}

void pic_init(void)
{
	/* ICW1: edge triggered, cascade, ICW4 follows. */
	outb(PIC1_CMD, 0x11); io_delay();
	outb(PIC2_CMD, 0x11); io_delay();
	/* ICW2: vector offsets. */
	outb(PIC1_DATA, 32); io_delay();
	outb(PIC2_DATA, 40); io_delay();
	/* ICW3: slave on master line 2; slave identity 2. */
	outb(PIC1_DATA, 4); io_delay();
	outb(PIC2_DATA, 2); io_delay();
	/* ICW4: 8086 mode. */
	outb(PIC1_DATA, 0x01); io_delay();
	outb(PIC2_DATA, 0x01); io_delay();
	irq_mask = 0xffff & ~(1u << 2);	/* everything masked but the cascade */
	write_mask();
	for (unsigned int irq = 0; irq < NR_IRQS_LEGACY; irq++)
		irq_set_chip(irq, irq != 2 ? &i8259_chip : NULL, irq, false);
}

void pic_mask_all(void)
{
	irq_mask = 0xffff;
	write_mask();
}

uint16_t pic_read_imr(void)
{
	return (uint16_t)(inb(PIC1_DATA) | inb(PIC2_DATA) << 8);
}

void pic_mask(unsigned int irq)
{
	irq_mask |= 1u << irq;
	write_mask();
}

void pic_unmask(unsigned int irq)
{
	irq_mask &= ~(1u << irq);
	write_mask();
}

void pic_eoi(unsigned int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

bool pic_irq_is_spurious(unsigned int irq)
{
	uint16_t port = irq == 7 ? PIC1_CMD : PIC2_CMD;

	if (irq != 7 && irq != 15)
		return false;
	outb(port, PIC_READ_ISR);
	if (inb(port) & 0x80)
		return false;
	if (irq == 15)
		outb(PIC1_CMD, PIC_EOI);	/* the master did see the cascade line */
	return true;
}

const struct irq_chip i8259_chip = {
	.name = "XT-PIC",
	.mask = pic_mask,
	.unmask = pic_unmask,
	.eoi = pic_eoi,
	.spurious = pic_irq_is_spurious,
};
