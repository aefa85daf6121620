/*
 * High-resolution timers (include/kernel/hrtimer.h): per CPU, a list of pending timers
 * sorted by expiry and the CPU's clock event device programmed for the first of them.
 * hrtimer_interrupt() runs every timer of this CPU whose time has come, in expiry order,
 * then programs the device for the next one. Functions run with interrupts off and the
 * list lock dropped, so they may re-arm their own or other timers and wake tasks.
 *
 * SMP: a timer is on at most one CPU's list, timer->base says which, and that base's
 * lock guards it; lock_timer_base() follows a timer that moves meanwhile. A start puts
 * the timer on this CPU's list, unless its function is running (base->running), then
 * it stays where it runs. Cancel may come from any CPU and waits for a running function.
 * Only the owning CPU programs its device: a cancel from elsewhere leaves that device
 * aimed at the old time, and the interrupt then finds nothing due and re-aims it.
 * Limits: a sorted list makes arming O(n) in the number of pending timers, which stays in
 * the tens here (the ticks, sleepers); Linux uses an rbtree.
 * Invariant: a timer is on a list exactly when its node is not empty; a CPU's device is
 * programmed for its first timer whenever its list changes head outside the interrupt.
 */
#include <kernel/hrtimer.h>
#include <kernel/oops.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>

struct clock_event_device *clock_event;

struct hrtimer_cpu_base {
	spinlock_t lock;
	struct list_head pending;	/* struct hrtimer, earliest first */
	bool in_interrupt;		/* inside hrtimer_interrupt: it programs at the end */
	struct hrtimer *running;	/* the timer whose function runs now, or NULL */
};

/* Ready before any code runs: the console arms a timer from its first line of output. */
#define BASE_INIT(n) [n] = { SPINLOCK_INIT, LIST_HEAD_INIT(hrtimer_bases[n].pending), false, NULL }
static struct hrtimer_cpu_base hrtimer_bases[NR_CPUS] = {
	BASE_INIT(0), BASE_INIT(1), BASE_INIT(2), BASE_INIT(3),
	BASE_INIT(4), BASE_INIT(5), BASE_INIT(6), BASE_INIT(7),
};
_Static_assert(NR_CPUS == 8, "one BASE_INIT per CPU");

static struct hrtimer_cpu_base *this_base(void) { return &hrtimer_bases[smp_processor_id()]; }

void clockevents_register(struct clock_event_device *dev)
{
	clock_event = dev;
}

void hrtimer_init(struct hrtimer *timer, enum hrtimer_restart (*function)(struct hrtimer *))
{
	INIT_LIST_HEAD(&timer->node);
	timer->base = NULL;
	timer->expires = 0;
	timer->function = function;
}

bool hrtimer_active(const struct hrtimer *timer)
{
	return !list_empty(&timer->node);
}

/* With nothing pending, the device still fires this often (the tick is stopped in idle). */
#define IDLE_WAKEUP_NS	(10 * NSEC_PER_SEC)

/* Aim this CPU's device at its first timer. @b is this CPU's base, locked. */
static void program_next(struct hrtimer_cpu_base *b)
{
	uint64_t next;

	if (b->in_interrupt || !clock_event || !clock_event->set_next_event)
		return;
	if (list_empty(&b->pending))
		next = sched_clock() + IDLE_WAKEUP_NS;
	else
		next = list_first_entry(&b->pending, struct hrtimer, node)->expires;
	clock_event->set_next_event(next);
}

/* Insert in expiry order, after timers with the same expiry (they were armed first). */
static void enqueue(struct hrtimer_cpu_base *b, struct hrtimer *timer)
{
	struct hrtimer *t;

	list_for_each_entry(t, &b->pending, node)
		if (t->expires > timer->expires)
			break;
	list_add_tail(&timer->node, &t->node);
}

/* Lock the base @timer is on (it may move while we wait); NULL if never started. Irqs off. */
static struct hrtimer_cpu_base *lock_timer_base(struct hrtimer *timer)
{
	for (;;) {
		struct hrtimer_cpu_base *b = READ_ONCE(timer->base);

		if (!b)
			return NULL;
		spin_lock(&b->lock);
		if (b == READ_ONCE(timer->base))
			return b;
		spin_unlock(&b->lock);
	}
}

/* Off its list; true if it was this CPU's first (the device needs aiming again). */
static bool remove_timer(struct hrtimer_cpu_base *b, struct hrtimer *timer)
{
	bool first = hrtimer_active(timer) && b->pending.next == &timer->node;

	list_del(&timer->node);
	return first && b == this_base();
}

void hrtimer_start(struct hrtimer *timer, uint64_t expires)
{
	unsigned long flags = local_irq_save();
	struct hrtimer_cpu_base *old = lock_timer_base(timer), *b = this_base();
	bool reprogram = false;

	if (old) {
		reprogram = remove_timer(old, timer);
		if (old->running == timer)
			b = old;	/* its function runs there now: re-armed where it runs */
		if (old != b) {
			WRITE_ONCE(timer->base, b);
			spin_unlock(&old->lock);
		}
	}
	if (old != b) {
		spin_lock(&b->lock);
		WRITE_ONCE(timer->base, b);
	}
	timer->expires = expires;
	enqueue(b, timer);
	if (b == this_base() && (reprogram || b->pending.next == &timer->node))
		program_next(b);
	spin_unlock(&b->lock);
	local_irq_restore(flags);
}

bool hrtimer_cancel(struct hrtimer *timer)
{
	bool was = false;

	for (;;) {
		unsigned long flags = local_irq_save();
		struct hrtimer_cpu_base *b = lock_timer_base(timer);
		bool running;

		if (!b) {
			local_irq_restore(flags);
			return was;
		}
		was |= hrtimer_active(timer);
		/* Re-aim the device at the new first timer: the idle tick stop relies on it. */
		if (remove_timer(b, timer))
			program_next(b);
		running = b->running == timer;
		spin_unlock(&b->lock);
		local_irq_restore(flags);
		if (!running)
			return was;
		/* Its function runs on another CPU (this one would be inside it): let it end. */
		while (READ_ONCE(b->running) == timer)
			cpu_relax();
	}
}

uint64_t hrtimer_forward(struct hrtimer *timer, uint64_t now, uint64_t interval)
{
	uint64_t steps;

	if (now < timer->expires)
		return 0;
	steps = (now - timer->expires) / interval + 1;
	timer->expires += steps * interval;
	return steps;
}

void hrtimer_interrupt(void)
{
	struct hrtimer_cpu_base *b = this_base();
	uint64_t now;

	spin_lock(&b->lock);	/* interrupts are off: this is the timer interrupt */
	b->in_interrupt = true;
	now = sched_clock();
	while (!list_empty(&b->pending)) {
		struct hrtimer *t = list_first_entry(&b->pending, struct hrtimer, node);
		enum hrtimer_restart r;

		if (t->expires > now)
			break;
		list_del(&t->node);
		b->running = t;
		spin_unlock(&b->lock);
		r = t->function(t);
		spin_lock(&b->lock);
		/* Unless its function started it elsewhere meanwhile (it cannot: see start). */
		if (r == HRTIMER_RESTART && !hrtimer_active(t) && t->base == b)
			enqueue(b, t);
		/* Release: a cancel waiting on another CPU may free the timer once it sees this. */
		__atomic_store_n(&b->running, NULL, __ATOMIC_RELEASE);
	}
	b->in_interrupt = false;
	program_next(b);
	spin_unlock(&b->lock);
}

void hrtimers_dead_cpu(unsigned int cpu)
{
	struct hrtimer_cpu_base *b = &hrtimer_bases[cpu];
	unsigned long flags = spin_lock_irqsave(&b->lock);

	while (!list_empty(&b->pending))
		list_del(b->pending.next);
	spin_unlock_irqrestore(&b->lock, flags);
}
