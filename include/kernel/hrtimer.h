/*
 * Time that fires: the scheduler tick, jiffies, high-resolution timers and the clock
 * event device that raises the interrupts (kernel/hrtimer.c, kernel/tick.c,
 * drivers/timer/).
 *
 * An hrtimer calls its function, in interrupt context, once sched_clock() has passed its
 * expiry (absolute ns since boot). The pending timers are kept sorted by expiry, and the
 * clock event device is programmed, one shot, for the earliest: so a timer fires within
 * the interrupt latency of its time, not at the next tick. The device is the local APIC
 * timer (TSC-deadline mode if the CPU has it, else one-shot counting calibrated against
 * the TSC), or, without a local APIC, the PIT ticking periodically at HZ, in which case
 * timers fire at the first tick after their expiry.
 *
 * The scheduler tick is one periodic hrtimer, every TICK_NSEC: it advances jiffies and
 * calls scheduler_tick(). HZ = 1000: one tick per millisecond, so jiffies are
 * milliseconds, the fair class's 0.75 ms minimum slice and 6 ms latency are enforced at
 * a resolution finer than themselves (at HZ=250 every slice would last at least 4 ms),
 * and SCHED_RR's 100 ms quantum is exactly 100 ticks; the price, ~1000 interrupts a
 * second of a few microseconds each, is well under 1% of a CPU. It stops while a CPU
 * idles (kernel/tick.c).
 *
 * Every CPU has its own pending list and its own device (its local APIC timer), and a
 * timer fires on the CPU that started it (a timer re-armed from its own function stays
 * where it runs). The tick is one timer per CPU.
 */
#ifndef KERNEL_HRTIMER_H
#define KERNEL_HRTIMER_H

#include <kernel/time.h>
#include <lib/list.h>

#define HZ		1000
#define TICK_NSEC	(NSEC_PER_SEC / HZ)

/* Ticks since boot; Linux's name. Written only by the ticks (whichever CPU's comes first). */
extern volatile uint64_t jiffies;

static inline unsigned long msecs_to_jiffies(unsigned int ms) { return ms * (HZ / 1000); }
static inline unsigned int jiffies_to_msecs(unsigned long j) { return j * (1000 / HZ); }

enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };

struct hrtimer_cpu_base;

struct hrtimer {
	struct list_head node;		/* in the pending list, by expiry; empty when not pending */
	struct hrtimer_cpu_base *base;	/* the CPU list it was last started on (NULL: never) */
	uint64_t expires;		/* sched_clock() ns */
	enum hrtimer_restart (*function)(struct hrtimer *timer);
};

void hrtimer_init(struct hrtimer *timer, enum hrtimer_restart (*function)(struct hrtimer *));
/* (Re)arm @timer to fire at @expires (absolute ns); a pending timer is moved. */
void hrtimer_start(struct hrtimer *timer, uint64_t expires);
/*
 * Disarm; true if it was pending. Its function is not running anywhere afterwards: if it
 * runs on another CPU right now, this waits for it to return (never call it from the
 * timer's own function).
 */
bool hrtimer_cancel(struct hrtimer *timer);
bool hrtimer_active(const struct hrtimer *timer);
/*
 * For periodic timers, from their function: move the expiry forward by whole @interval
 * steps until it is after @now; returns the number of steps (more than 1: ticks missed).
 */
uint64_t hrtimer_forward(struct hrtimer *timer, uint64_t now, uint64_t interval);

/* Run the expired timers and program the next event; the device's interrupt calls it. */
void hrtimer_interrupt(void);
/* Forget CPU @cpu's pending timers: it was stopped (INIT) without running them. */
void hrtimers_dead_cpu(unsigned int cpu);

/*
 * What raises timer interrupts. A one-shot device has set_next_event (program an
 * interrupt at an absolute time); a periodic one (the PIT) has none and interrupts
 * every TICK_NSEC by itself.
 */
struct clock_event_device {
	const char *name;		/* "lapic-deadline", "lapic-oneshot", "pit" */
	void (*set_next_event)(uint64_t expires_ns);
	uint64_t min_delta_ns;		/* shortest interval it can program */
};

void clockevents_register(struct clock_event_device *dev);	/* kernel/hrtimer.c */
extern struct clock_event_device *clock_event;			/* the one in use */

/* drivers/timer/: return 0 and register a device, or an error without touching anything. */
int lapic_timer_init(void);
int pit_timer_init(void);
void lapic_timer_interrupt(void);	/* the LAPIC timer vector (kernel/irq.c) */
uint64_t lapic_timer_khz(void);		/* 0 if the LAPIC timer is not in use */
bool lapic_timer_in_use(void);		/* the tick is the local APICs' (one per CPU) */
bool lapic_timer_setup_ap(void);	/* an AP's timer as the BSP's; false: not the LAPIC's */

/* Pick a device, start the tick (kernel/tick.c). After sched_init, before interrupts on. */
void time_init(void);
void tick_nohz_idle_enter(void);	/* the idle task stops the tick before it halts */
void tick_irq_enter(void);		/* an interrupt restarts it */
void tick_start_cpu(void);		/* this CPU's tick (an AP, once its timer is set up) */
bool tick_nohz_enabled(void);		/* a one-shot device, and not nohz=off */

#endif
