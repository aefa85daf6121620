/*
 * Rate limiting of log lines, as Linux's ratelimit: at most @burst lines per @interval_ns;
 * the first line let through after a quiet spell learns how many were left out, so the log
 * says that something was dropped. kernel/ratelimit.c.
 *
 *	static DEFINE_RATELIMIT_STATE(rs, RATELIMIT_INTERVAL_NS, RATELIMIT_BURST);
 *	unsigned long missed;
 *
 *	if (__ratelimit(&rs, &missed)) {
 *		if (missed)
 *			pr_info("%lu reports not logged\n", missed);
 *		pr_info("...");
 *	}
 */
#ifndef KERNEL_RATELIMIT_H
#define KERNEL_RATELIMIT_H

#include <kernel/spinlock.h>
#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_INTERVAL_NS	(5000ull * 1000 * 1000)	/* Linux's default: 10 per 5 s */
#define RATELIMIT_BURST		10

struct ratelimit_state {
	spinlock_t lock;
	uint64_t interval_ns;
	unsigned int burst;
	unsigned int printed;	/* in the current interval */
	uint64_t begin;		/* when the current interval began */
	unsigned long missed;	/* refused since the last line let through */
};

#define DEFINE_RATELIMIT_STATE(name, interval, n)					\
	struct ratelimit_state name = { .lock = SPINLOCK_INIT, .interval_ns = (interval),	\
					.burst = (n) }

/* True: print. *@missed is then the number refused since the last true. */
bool __ratelimit(struct ratelimit_state *rs, unsigned long *missed);

#endif
