/*
 * Reclaim: when memory runs low, pages go back to the page allocator in Linux's order,
 * driven by the zones' watermarks:
 *  - an allocation that finds a zone below its LOW mark wakes kswapd0, which reclaims
 *    until every populated zone is above its HIGH mark (or nothing more can be freed);
 *  - an allocation that finds nothing even above MIN reclaims itself ("direct reclaim")
 *    and tries once more; what even that cannot free is the OOM killer's (mm/oom_kill.c).
 * One round of either (shrink_node) takes, in order, what costs least to give back:
 *  1. clean page-cache pages from the inactive list's tail (the active list's tail is
 *     moved there first when it is the longer; a page referenced since it got there has a
 *     second chance);
 *  2. dirty ones, written back from the inactive tail first (pageout_inactive), then
 *     freed like the clean ones;
 *  3. the memory caches keep for reuse, through their shrinkers (mm/shrinker.c);
 *  4. anonymous pages, to swap (mm/swap_out.c).
 * Steps 2 and 4 do I/O, so they are only for a reclaimer that may sleep: kswapd, and an
 * allocating task without spinlocks and with interrupts on (the page-fault path drops its
 * mmap_lock for it, mm/fault.c). Counters under /proc/vmstat's names: pgscan_kswapd,
 * pgscan_direct, pgsteal_kswapd, pgsteal_direct, nr_vmscan_write, kswapd wakeups.
 */
#define pr_fmt(fmt) "vmscan: " fmt

#include <asm/x86.h>
#include <kernel/preempt.h>
#include <kernel/printk.h>
#include <mm/mmzone.h>
#include <mm/oom.h>
#include <mm/pagemap.h>
#include <mm/shrinker.h>
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

/* May reclaim sleep here (I/O)? Not with a spinlock held or interrupts off. */
static bool reclaim_may_sleep(void)
{
	return !in_atomic() && !irqs_disabled();
}

/*
 * One round, in the order above, looking at up to @nr_scan page-cache pages: the pages
 * freed; *@scanned, those looked at.
 */
static unsigned long shrink_node(bool may_sleep, unsigned long nr_scan, unsigned long *scanned)
{
	struct pagecache_stats pc;
	unsigned long freed, more;

	pagecache_get_stats(&pc);
	if (pc.active > pc.inactive)
		deactivate_pages(nr_scan / 2);
	freed = shrink_inactive_list(nr_scan, scanned);
	if (!freed && pc.dirty) {
		wakeup_flusher();
		if (may_sleep && (more = pageout_inactive(nr_scan))) {
			vmscan_stats.nr_vmscan_write += more;
			freed = shrink_inactive_list(nr_scan, &more);
			*scanned += more;
		}
	}
	if (!freed) {
		freed = shrink_slab(SWAP_CLUSTER_MAX);
		*scanned += freed;
	}
	if (!freed && may_sleep) {
		freed = shrink_anon(SWAP_CLUSTER_MAX, &more);
		*scanned += more;
	}
	return freed;
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
			unsigned long scanned, freed = shrink_node(true, SWAP_CLUSTER_MAX * 2,
								   &scanned);

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

/*
 * The allocating task's own reclaim. PF_MEMALLOC marks it while it runs, so that an
 * allocation reclaim itself makes (a swap write's) does not recurse into reclaim.
 */
static unsigned long direct_reclaim(gfp_t gfp, unsigned int order)
{
	unsigned long want = 1ul << order, got = 0, scanned;
	/* I/O only for a caller that allows it: GFP_NOIO (a disk's own allocation) must not
	 * wait on a disk, and nobody sleeps with a spinlock held. */
	bool may_sleep = (gfp & __GFP_IO) && reclaim_may_sleep();

	/* GFP_ATOMIC and the like may not reclaim at all: an interrupt handler must not scan
	 * the page cache; they have the reserve below MIN instead. */
	if (!(gfp & __GFP_RECLAIM) || (current->flags & PF_MEMALLOC))
		return 0;
	current->flags |= PF_MEMALLOC;
	/* Each round looks at twice as many pages (Linux's falling scan priority). */
	for (int round = 0; round < 8 && got < want + SWAP_CLUSTER_MAX; round++) {
		unsigned long freed = shrink_node(may_sleep, (SWAP_CLUSTER_MAX * 2) << round,
						  &scanned);

		vmscan_stats.pgscan_direct += scanned;
		got += freed;
		if (!scanned)
			break;
	}
	current->flags &= ~PF_MEMALLOC;
	vmscan_stats.pgsteal_direct += got;
	return got;
}

unsigned long try_to_free_pages(unsigned int order)
{
	return direct_reclaim(GFP_KERNEL, order);
}

void reclaim_before_atomic(unsigned long nr)
{
	unsigned long want = nr;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (zone_populated(&zones[i]))
			want += zones[i].watermark[WMARK_HIGH];
	while (nr_free_pages() < want && reclaim_may_sleep() && direct_reclaim(GFP_KERNEL, 0))
		;
}

void vmscan_init(void)
{
	slab_shrinker_init();
	kswapd = kthread_run(kswapd_thread, NULL, "kswapd0");
	reclaim_hooks.direct_reclaim = direct_reclaim;
	reclaim_hooks.wakeup_kswapd = wakeup_kswapd;
	reclaim_hooks.out_of_memory = out_of_memory;
}
