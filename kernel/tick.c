/*
 * The scheduler tick and jiffies. time_init() picks the clock event device (the local
 * APIC timer, or the PIT when there is no usable APIC or nolapic is given) and starts
 * one periodic hrtimer per CPU, every TICK_NSEC, that counts jiffies and calls
 * scheduler_tick() for that CPU's run queue (tick_start_cpu on each AP, kernel/smpboot.c).
 * A tick that comes late (interrupts were off, or the host stalled the virtual CPU)
 * advances jiffies by every period that passed, so jiffies keep to sched_clock() / TICK_NSEC
 * instead of falling behind. HZ and the reasons for 1000 are in include/kernel/hrtimer.h.
 *
 * Tickless idle (Linux's NO_HZ_IDLE): when the idle task halts, nothing needs a tick (no
 * task runs to be preempted or charged), so it stops the tick timer and the CPU sleeps
 * until the next real timer or device interrupt instead of waking 1000 times a second.
 * The first interrupt after that restarts the tick and brings jiffies up to date before
 * its handler runs. Only with a one-shot device: the PIT interrupts every tick anyway.
 * nohz=off keeps the tick running.
 * jiffies is one for all CPUs: every tick sets it to sched_clock() / TICK_NSEC if that is
 * ahead (an atomic max), so whichever CPUs still tick keep it current, and no CPU has to
 * stay awake for it.
 */
#define pr_fmt(fmt) "clockevents: " fmt

#include <kernel/hrtimer.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <sched/task.h>

volatile uint64_t jiffies;
static bool nohz = true;
static struct tick_sched {
	struct hrtimer timer;
	bool stopped;
} tick_cpu[NR_CPUS];

static int set_nohz(const char *val)
{
	if (!val || (strcmp(val, "on") && strcmp(val, "off")))
		return -EINVAL;
	nohz = strcmp(val, "on") == 0;
	return 0;
}
KERNEL_PARAM("nohz", set_nohz, "on (default: no tick while idle) or off");

/* Ticks fall on whole multiples of TICK_NSEC since boot: jiffies = ns / TICK_NSEC. */
static uint64_t jiffies_update(uint64_t now)
{
	uint64_t j = now / TICK_NSEC, old = READ_ONCE(jiffies);

	while (j > old && !__atomic_compare_exchange_n(&jiffies, &old, j, false, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;	/* another CPU moved it meanwhile: old now holds its value */
	return j;
}

static enum hrtimer_restart tick_sched_timer(struct hrtimer *t)
{
	uint64_t now = sched_clock();

	jiffies_update(now);
	hrtimer_forward(t, now, TICK_NSEC);
	scheduler_tick();
	return HRTIMER_RESTART;
}

static void tick_start(struct tick_sched *ts)
{
	hrtimer_start(&ts->timer, (jiffies_update(sched_clock()) + 1) * TICK_NSEC);
}

bool tick_nohz_enabled(void)
{
	return nohz && clock_event && clock_event->set_next_event;
}

/* The idle task, interrupts off, about to halt. */
void tick_nohz_idle_enter(void)
{
	struct tick_sched *ts = &tick_cpu[smp_processor_id()];

	if (ts->stopped || !tick_nohz_enabled())
		return;
	hrtimer_cancel(&ts->timer);
	ts->stopped = true;
}

/* Every device interrupt, first thing (kernel/idt.c): the tick must run again. */
void tick_irq_enter(void)
{
	struct tick_sched *ts = &tick_cpu[smp_processor_id()];

	if (!ts->stopped)
		return;
	ts->stopped = false;
	tick_start(ts);
}

/* This CPU's tick, from the first one; an AP calls it once its timer is set up. */
void tick_start_cpu(void)
{
	struct tick_sched *ts = &tick_cpu[smp_processor_id()];

	hrtimer_init(&ts->timer, tick_sched_timer);
	tick_start(ts);
}

void time_init(void)
{
	if (lapic_timer_init() && pit_timer_init()) {
		pr_err("no timer interrupt source: no preemption, no sleeping with a timeout\n");
		return;
	}
	pr_info("scheduler tick at HZ=%u from %s%s\n", HZ, clock_event->name,
		tick_nohz_enabled() ? ", stopped while idle" : "");
	tick_start_cpu();
}
