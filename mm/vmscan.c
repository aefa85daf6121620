/*
 * Reclaim, as far as it goes yet: the page cache's clean pages go back to the page
 * allocator when memory runs low, driven by the zones' watermarks as in Linux:
 *  - an allocation that finds a zone below its LOW mark wakes kswapd, which frees pages
 *    from the inactive LRU's tail until every populated zone is above its HIGH mark (or
 *    nothing more can be freed), keeping the inactive list at least as long as the active
 *    one by deactivating pages from the active tail;
 *  - an allocation that finds nothing even above MIN reclaims itself ("direct reclaim")
 *    and tries once more. It frees only clean, unused pages and never sleeps, so it is
 *    safe from any context.
 * A page referenced since it reached the inactive list gets a second chance. Dirty pages
 * are left for writeback (the flusher is woken). When the page cache has nothing more to
 * give, anonymous pages go to swap (mm/swap_out.c), which needs to sleep: kswapd does it,
 * and so does try_to_free_pages, the direct reclaim of a page fault that found no frame
 * (mm/fault.c), once it has dropped its lock. What even that cannot free is the OOM
 * killer's (mm/oom_kill.c). Counters under /proc/vmstat's names: pgscan_kswapd,
 * pgscan_direct, pgsteal_kswapd, pgsteal_direct, kswapd wakeups.
 */
#define pr_fmt(fmt) "vmscan: " fmt

#include <asm/x86.h>
#include <kernel/preempt.h>
#include <kernel/printk.h>
#include <mm/mmzone.h>
#include <mm/oom.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <mm/vmscan.h>
#include <sched/task.h>
#include <sched/wait.h>

#define SWAP_CLUSTER_MAX	32	/* pages per round, Linux's */

struct vmscan_stats vmscan_stats;
static struct task_struct *kswapd;
static DECLARE_WAIT_QUEUE_HEAD(kswapd_wait);
static bool kswapd_kicked;

static bool zones_ok(enum zone_watermarks mark)
{
	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (zone_populated(&zones[i]) && zones[i].free_pages < zones[i].watermark[mark])
			return false;
	return true;
}

/* One round: balance the lists, then free from the inactive tail. */
static unsigned long shrink_round(unsigned long *scanned)
{
	struct pagecache_stats pc;

	pagecache_get_stats(&pc);
	if (pc.active > pc.inactive)
		deactivate_pages(SWAP_CLUSTER_MAX);
	if (pc.dirty)
		wakeup_flusher();	/* dirty pages must be written before they can go */
	return shrink_inactive_list(SWAP_CLUSTER_MAX * 2, scanned);
}

static int kswapd_thread(void *unused)
{
	(void)unused;
	current->flags |= PF_MEMALLOC;	/* reclaim's own allocations do not reclaim */
	for (;;) {
		wait_event_interruptible(kswapd_wait, READ_ONCE(kswapd_kicked));
		WRITE_ONCE(kswapd_kicked, false);
		vmscan_stats.kswapd_wakeups++;
		while (!zones_ok(WMARK_HIGH)) {
			unsigned long scanned, freed = shrink_round(&scanned);

			if (!freed) {		/* the page cache is spent: swap */
				unsigned long anon_scanned;

				freed = shrink_anon(SWAP_CLUSTER_MAX, &anon_scanned);
				scanned += anon_scanned;
			}
			vmscan_stats.pgscan_kswapd += scanned;
			vmscan_stats.pgsteal_kswapd += freed;
			if (!scanned)
				break;	/* nothing left to look at */
			if (!freed)
				cond_resched();
		}
	}
	return 0;
}

static void wakeup_kswapd(void)
{
	if (!kswapd || READ_ONCE(kswapd_kicked))
		return;
	WRITE_ONCE(kswapd_kicked, true);
	wake_up(&kswapd_wait);
}

/* May reclaim sleep here (swap I/O)? Not with a spinlock held or interrupts off. */
static bool reclaim_may_sleep(void)
{
	return !in_atomic() && !irqs_disabled();
}

/*
 * The allocating task's own reclaim: page cache first; where it may sleep, swap as well.
 * PF_MEMALLOC marks it while it runs, so that an allocation reclaim itself makes (the
 * swap write's) does not recurse into reclaim.
 */
static unsigned long direct_reclaim(unsigned int order)
{
	unsigned long want = 1ul << order, got = 0, scanned;

	if (current->flags & PF_MEMALLOC)
		return 0;
	current->flags |= PF_MEMALLOC;
	for (int rounds = 0; rounds < 8 && got < want + SWAP_CLUSTER_MAX; rounds++) {
		unsigned long freed = shrink_round(&scanned);

		vmscan_stats.pgscan_direct += scanned;
		got += freed;
		if (!scanned)
			break;
	}
	if (got < want && reclaim_may_sleep()) {
		got += shrink_anon(SWAP_CLUSTER_MAX, &scanned);
		vmscan_stats.pgscan_direct += scanned;
	}
	current->flags &= ~PF_MEMALLOC;
	vmscan_stats.pgsteal_direct += got;
	return got;
}

unsigned long try_to_free_pages(unsigned int order)
{
	return direct_reclaim(order);
}

void reclaim_before_atomic(unsigned long nr)
{
	unsigned long want = nr;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (zone_populated(&zones[i]))
			want += zones[i].watermark[WMARK_HIGH];
	while (nr_free_pages() < want && reclaim_may_sleep() && direct_reclaim(0))
		;
}

void vmscan_init(void)
{
	kswapd = kthread_run(kswapd_thread, NULL, "kswapd0");
	reclaim_hooks.direct_reclaim = direct_reclaim;
	reclaim_hooks.wakeup_kswapd = wakeup_kswapd;
	reclaim_hooks.out_of_memory = out_of_memory;
}
