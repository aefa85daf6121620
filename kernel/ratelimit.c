/*
 * __ratelimit: a fixed window of interval_ns that lets burst calls through. A caller that
 * finds the lock taken (an interrupt on top of a report) is refused rather than made to
 * spin: dropping a log line is always safe. include/kernel/ratelimit.h shows the use.
 */
#include <kernel/ratelimit.h>
#include <kernel/time.h>

bool __ratelimit(struct ratelimit_state *rs, unsigned long *missed)
{
	unsigned long flags;
	uint64_t now = ktime_get_ns();
	bool ok;

	flags = local_irq_save();
	if (!spin_trylock(&rs->lock)) {
		local_irq_restore(flags);
		return false;
	}
	if (!rs->printed || now - rs->begin >= rs->interval_ns) {
		rs->begin = now;
		rs->printed = 0;
	}
	ok = rs->printed < rs->burst;
	if (ok) {
		rs->printed++;
		*missed = rs->missed;
		rs->missed = 0;
	} else {
		rs->missed++;
	}
	spin_unlock_irqrestore(&rs->lock, flags);
	return ok;
}
