/*
 * High-resolution timers (include/kernel/hrtimer.h): a list of pending timers sorted by
 * expiry and a clock event device programmed for the first of them. hrtimer_interrupt()
 * runs every timer whose time has come, in expiry order, then programs the device for
 * the next one. Functions run with interrupts off and the list lock dropped, so they may
 * re-arm their own or other timers and wake tasks.
 * Limits: one CPU (one list); a sorted list makes arming O(n) in the number of pending
 * timers, which stays in the tens here (the tick, sleepers); Linux uses an rbtree.
 * Invariant: a timer is on the list exactly when its node is not empty; the device is
 * programmed for the first timer whenever the list changes head outside the interrupt.
 */
#include <kernel/hrtimer.h>
#include <kernel/oops.h>
#include <kernel/spinlock.h>

struct clock_event_device *clock_event;

static struct {
	spinlock_t lock;
	struct list_head pending;	/* struct hrtimer, earliest first */
	bool running;			/* inside hrtimer_interrupt: it programs at the end */
} base = { SPINLOCK_INIT, LIST_HEAD_INIT(base.pending), false };

void clockevents_register(struct clock_event_device *dev)
{
	clock_event = dev;
}

void hrtimer_init(struct hrtimer *timer, enum hrtimer_restart (*function)(struct hrtimer *))
{
	INIT_LIST_HEAD(&timer->node);
	timer->expires = 0;
	timer->function = function;
}

bool hrtimer_active(const struct hrtimer *timer)
{
	return !list_empty(&timer->node);
}

/* With nothing pending, the device still fires this often (the tick is stopped in idle). */
#define IDLE_WAKEUP_NS	(10 * NSEC_PER_SEC)

static void program_next(void)
{
	uint64_t next;

	if (base.running || !clock_event || !clock_event->set_next_event)
		return;
	if (list_empty(&base.pending))
		next = sched_clock() + IDLE_WAKEUP_NS;
	else
		next = list_first_entry(&base.pending, struct hrtimer, node)->expires;
	clock_event->set_next_event(next);
}

/* Insert in expiry order, after timers with the same expiry (they were armed first). */
static void enqueue(struct hrtimer *timer)
{
	struct hrtimer *t;

	list_for_each_entry(t, &base.pending, node)
		if (t->expires > timer->expires)
			break;
	list_add_tail(&timer->node, &t->node);
}

void hrtimer_start(struct hrtimer *timer, uint64_t expires)
{
	unsigned long flags = spin_lock_irqsave(&base.lock);
	bool was_first = hrtimer_active(timer) &&
			 base.pending.next == &timer->node;

	list_del(&timer->node);
	timer->expires = expires;
	enqueue(timer);
	if (was_first || base.pending.next == &timer->node)
		program_next();
	spin_unlock_irqrestore(&base.lock, flags);
}

bool hrtimer_cancel(struct hrtimer *timer)
{
	unsigned long flags = spin_lock_irqsave(&base.lock);
	bool was = hrtimer_active(timer);
	bool was_first = was && base.pending.next == &timer->node;

	list_del(&timer->node);
	/* Re-aim the device at the new first timer: the idle tick stop relies on it. */
	if (was_first)
		program_next();
	spin_unlock_irqrestore(&base.lock, flags);
	return was;
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
	uint64_t now;

	spin_lock(&base.lock);	/* interrupts are off: this is the timer interrupt */
	base.running = true;
	now = sched_clock();
	while (!list_empty(&base.pending)) {
		struct hrtimer *t = list_first_entry(&base.pending, struct hrtimer, node);

		if (t->expires > now)
			break;
		list_del(&t->node);
		spin_unlock(&base.lock);
		if (t->function(t) == HRTIMER_RESTART) {
			spin_lock(&base.lock);
			if (!hrtimer_active(t))
				enqueue(t);
		} else {
			spin_lock(&base.lock);
		}
	}
	base.running = false;
	program_next();
	spin_unlock(&base.lock);
}
