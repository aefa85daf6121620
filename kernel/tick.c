/*
 * The scheduler tick and jiffies. time_init() picks the clock event device (the local
 * APIC timer, or the PIT when there is no usable APIC or nolapic is given) and starts
 * one periodic hrtimer, every TICK_NSEC, that counts jiffies and calls scheduler_tick().
 * A tick that comes late (interrupts were off, or the host stalled the virtual CPU)
 * advances jiffies by every period that passed, so jiffies keep to sched_clock() / TICK_NSEC
 * instead of falling behind. HZ and the reasons for 1000 are in include/kernel/hrtimer.h.
 */
#define pr_fmt(fmt) "clockevents: " fmt

#include <kernel/hrtimer.h>
#include <kernel/printk.h>
#include <sched/task.h>

volatile uint64_t jiffies;
static struct hrtimer tick_timer;

static enum hrtimer_restart tick_sched_timer(struct hrtimer *t)
{
	jiffies += hrtimer_forward(t, sched_clock(), TICK_NSEC);
	scheduler_tick();
	return HRTIMER_RESTART;
}

void time_init(void)
{
	uint64_t now;

	if (lapic_timer_init() && pit_timer_init()) {
		pr_err("no timer interrupt source: no preemption, no sleeping with a timeout\n");
		return;
	}
	pr_info("scheduler tick at HZ=%u from %s\n", HZ, clock_event->name);
	/* Ticks fall on whole multiples of TICK_NSEC since boot: jiffies = ns / TICK_NSEC. */
	now = sched_clock();
	jiffies = now / TICK_NSEC;
	hrtimer_init(&tick_timer, tick_sched_timer);
	hrtimer_start(&tick_timer, (jiffies + 1) * TICK_NSEC);
}
