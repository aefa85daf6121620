/* Reclaim (mm/vmscan.c): kswapd and direct reclaim of the page cache's clean pages. */
#ifndef MM_VMSCAN_H
#define MM_VMSCAN_H

struct vmscan_stats {
	unsigned long pgscan_kswapd, pgscan_direct;	/* pages looked at */
	unsigned long pgsteal_kswapd, pgsteal_direct;	/* pages freed */
	unsigned long kswapd_wakeups;
	unsigned long nr_vmscan_write;			/* dirty pages reclaim wrote back */
};
extern struct vmscan_stats vmscan_stats;

void vmscan_init(void);		/* kswapd0, and the page allocator's hooks */
/* Direct reclaim that may sleep, so swap too: the pages freed for an order-@order request. */
unsigned long try_to_free_pages(unsigned int order);
/* About to take @nr pages where reclaim could not swap (under a spinlock): make room now. */
void reclaim_before_atomic(unsigned long nr);

#endif
