/*
 * The 8254 PIT's channel 0 as the fallback clock event device, for a CPU without a
 * usable local APIC (or with nolapic or nolapic_timer): a rate generator (mode 2) that
 * raises IRQ 0 every 1193182 / HZ input cycles, i.e. every 0.99985 ms at HZ=1000. It
 * cannot be programmed one shot at a time here, so every hrtimer fires at the first PIT
 * interrupt after its expiry: timer resolution is one tick. IRQ 0 reaches us through
 * whichever chip routes it: the 8259, or the IOAPIC on the GSI of the MADT's override (2 on
 * PCs; docs/interrupts.md).
 * (Channel 2 is the TSC calibration's, kernel/time.c.)
 */
#define pr_fmt(fmt) "pit: " fmt

#include <asm/x86.h>
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/printk.h>

#define PIT_HZ		1193182u
#define PIT_CH0		0x40
#define PIT_CMD		0x43

static struct clock_event_device pit_clockevent = {
	.name = "pit",
	.set_next_event = NULL,	/* periodic */
	.min_delta_ns = TICK_NSEC,
};

static void pit_interrupt(unsigned int irq, void *data)
{
	(void)irq;
	(void)data;
	hrtimer_interrupt();
}

int pit_timer_init(void)
{
	uint16_t divisor = (PIT_HZ + HZ / 2) / HZ;
	int err;

	/* Channel 0, low byte then high byte, mode 2 (rate generator), binary. */
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
	clockevents_register(&pit_clockevent);
	err = request_irq(0, pit_interrupt, "timer", NULL);
	if (err) {
		pr_err("IRQ 0 is taken (%d): no timer interrupts\n", err);
		clock_event = NULL;
		return err;
	}
	pr_info("periodic at %u Hz (divisor %u)\n", PIT_HZ / divisor, divisor);
	return 0;
}
