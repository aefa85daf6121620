/*
 * The buddy page allocator: every page frame of RAM is handed out and taken back here, in
 * blocks of 2^order contiguous frames (order 0..MAX_ORDER-1, 4 KiB..4 MiB). docs/buddy.md
 * explains the idea with pictures; this is Linux's design, in less code.
 *
 * How. Each zone (DMA, DMA32, Normal: which devices can reach the frames) keeps one free
 * list per order. A block of order n starting at frame pfn has its "buddy" at pfn ^ (1 << n):
 * the other half of the naturally aligned block of order n+1 that holds both. Allocating
 * takes the smallest free block that is big enough and splits it, putting the unused upper
 * halves back on the lower lists (expand). Freeing merges the block with its buddy while
 * the buddy is free and of the same order, then puts the result on its list. Order-0 pages
 * go through a per-CPU list first (pcp), so the common alloc/free touches no lock and no
 * free list; it is refilled from and drained to the buddy lists `batch` pages at a time.
 * That fast path is about 60 instructions per alloc+free pair (scripts/bench-page-alloc).
 *
 * Invariants (page_alloc_check() in mm/page_alloc_debug.c verifies all of them):
 *  - a free block is naturally aligned, lies in one zone, and only its first page is
 *    marked: PG_buddy with page->order = n, on zone->free_area[n]; its other pages have
 *    no flags. Free blocks never overlap; two free buddies of the same order never coexist
 *    below MAX_ORDER-1 (they would have been merged).
 *  - a page on a per-CPU list is PG_pcp, order 0; it is free but not in zone->free_pages
 *    (as in Linux: the watermarks see only the buddy lists).
 *  - an allocated block has PG_head and its order on its first page, refcount >= 1 (1
 *    until get/put exist) and mapcount 0; __free_pages drops one reference.
 *  - zone->free_pages = sum over orders of nr_free << order. All under zone->lock;
 *    a per-CPU list belongs to its CPU and is touched with interrupts off.
 *
 * Watermarks (setup_zone_watermarks): an allocation may take a zone's free pages down to
 * its LOW mark; when no zone allows that, to MIN; __GFP_HIGH (GFP_ATOMIC) to MIN/2. A lower
 * zone also keeps lowmem_reserve[] pages away from requests that could have used a higher
 * zone, so GFP_KERNEL cannot eat all of DMA. There is no reclaim yet: past MIN it fails.
 *
 * Limits: one node; no migrate types, so no anti-fragmentation; drain_all_pages() drains
 * other CPUs' lists directly (safe while only the boot CPU runs; SMP needs an IPI). Every
 * struct page in [0, max_pfn) must exist, holes included (zones_init writes them all).
 */
#define pr_fmt(fmt) "page_alloc: " fmt

#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mmzone.h>

#include "internal.h"

struct page *mem_map;
unsigned long max_pfn;
struct zone zones[MAX_NR_ZONES];
struct page_alloc_stats page_alloc_stats;

/*
 * preferred_zone[gfp & (__GFP_DMA | __GFP_DMA32)]: the highest populated zone a request
 * may use, where its fast path looks (a machine below 4 GiB has no Normal zone). Every
 * zone between it and the request's highest zone is empty, so its lowmem_reserve for the
 * request is 0: the fast path need not add it (page_alloc_check verifies this).
 */
static struct zone *preferred_zone[4];

void update_preferred_zones(void)
{
	for (unsigned int bits = 0; bits < ARRAY_SIZE(preferred_zone); bits++) {
		int zt = gfp_zone(bits);

		while (zt > 0 && !zone_populated(&zones[zt]))
			zt--;
		preferred_zone[bits] = &zones[zt];
	}
}

struct zone *gfp_preferred_zone(gfp_t gfp)
{
	return preferred_zone[gfp & (__GFP_DMA | __GFP_DMA32)];
}

/* mem_map + max_pfn (set by zones_init): the range test of __free_pages uses it. */
struct page *mem_map_end;

/*
 * This CPU's list of @z. The empty asm (Linux's OPTIMIZER_HIDE_VAR) makes the compiler
 * keep the address in one register: otherwise gcc rebuilds it for every field it touches,
 * a few instructions more on the hottest path of all.
 */
static inline struct per_cpu_pages *this_cpu_pcp(struct zone *z)
{
	struct per_cpu_pages *pcp = &z->pcp[smp_processor_id()];

	__asm__("" : "+r"(pcp));
	return pcp;
}

/* list_del without re-pointing the entry at itself: the fast paths overwrite it anyway. */
static inline void list_unlink(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
}

/* ---- the buddy lists (zone->lock held) ---- */

static inline void add_to_free_list(struct free_area *area, struct page *page, unsigned int order)
{
	page->flags = 1ul << PG_buddy;
	page->order = (uint8_t)order;
	list_add(&page->lru, &area->free_list);
	area->nr_free++;
}

static inline void del_from_free_list(struct free_area *area, struct page *page)
{
	list_unlink(&page->lru);
	page->flags = 0;
	area->nr_free--;
}

/* Unlink and return the first entry of a non-empty list. */
static inline struct page *list_take_first(struct list_head *head)
{
	struct list_head *e = head->next, *next = e->next;

	head->next = next;
	next->prev = head;
	return list_entry(e, struct page, lru);
}

/*
 * page->zone and page->order side by side, as one number: zone | order << 8. Comparing it
 * checks both bytes with one instruction in the merge loop (x86 is little-endian).
 */
static inline unsigned int page_zone_order(const struct page *page)
{
	uint16_t v;

	_Static_assert(offsetof(struct page, order) == offsetof(struct page, zone) + 1,
		       "zone and order must be adjacent bytes");
	__builtin_memcpy(&v, &page->zone, sizeof(v));
	return v;
}

/* Is @buddy the first page of a free block with this zone and order, so it can merge? */
static inline bool page_is_buddy(const struct page *buddy, unsigned int zone_order)
{
	return buddy->flags == (1ul << PG_buddy) && page_zone_order(buddy) == zone_order;
}

/*
 * Put the block of @order at @pfn (its pages unmarked, refcount 0) on the free lists,
 * merging it with its buddy as long as the buddy is free, of the same order and in the
 * same zone. At most MAX_ORDER-1 merges: constant time per block.
 */
void __free_one_page(struct zone *z, unsigned long pfn, unsigned int order)
{
	struct free_area *area = &z->free_area[order];
	unsigned int zone_order = mem_map[pfn].zone | order << 8;

	z->free_pages += 1ul << order;
	for (; order < MAX_ORDER - 1; order++, area++, zone_order += 1 << 8) {
		unsigned long buddy_pfn = pfn ^ (1ul << order);

		if (buddy_pfn >= max_pfn || !page_is_buddy(&mem_map[buddy_pfn], zone_order))
			break;
		del_from_free_list(area, &mem_map[buddy_pfn]);
		pfn &= buddy_pfn;	/* the merged block starts at the lower of the two */
	}
	add_to_free_list(area, &mem_map[pfn], order);
}

/* Take the smallest free block of at least @order and split it down to @order. */
static struct page *__rmqueue_smallest(struct zone *z, unsigned int order)
{
	struct free_area *area = &z->free_area[order];

	for (unsigned int o = order; o < MAX_ORDER; o++, area++) {
		struct page *page;

		if (list_empty(&area->free_list))
			continue;
		page = list_take_first(&area->free_list);
		page->flags = 0;
		area->nr_free--;
		/* expand: give back the upper half until the block is the size asked for. */
		for (unsigned long half = 1ul << o; o > order; area--) {
			half >>= 1;
			add_to_free_list(area - 1, page + half, --o);
		}
		z->free_pages -= 1ul << order;
		return page;
	}
	return NULL;
}

/*
 * Move up to @count order-0 pages from the buddy lists to @list (a per-CPU list or the
 * bulk allocator's), marked PG_pcp, without taking free_pages below @floor. Returns how
 * many it moved. One lock round trip however many pages.
 */
static int rmqueue_bulk(struct zone *z, int count, struct list_head *list, unsigned long floor)
{
	unsigned long flags = spin_lock_irqsave(&z->lock);
	unsigned long avail = z->free_pages > floor ? z->free_pages - floor : 0;
	int n = 0;

	if ((unsigned long)count > avail)
		count = (int)avail;
	while (n < count) {
		struct page *page = __rmqueue_smallest(z, 0);

		if (!page)
			break;
		page->flags = 1ul << PG_pcp;
		page->order = 0;
		list_add_tail(&page->lru, list);
		n++;
	}
	spin_unlock_irqrestore(&z->lock, flags);
	return n;
}

/* Give @count pages from the cold end of a per-CPU list back to the buddy lists. */
static void free_pcppages_bulk(struct zone *z, struct per_cpu_pages *pcp, int count)
{
	unsigned long flags = spin_lock_irqsave(&z->lock);

	while (count-- > 0 && !list_empty(&pcp->list)) {
		struct page *page = list_entry(pcp->list.prev, struct page, lru);

		list_unlink(&page->lru);
		pcp->count--;
		page->flags = 0;
		__free_one_page(z, page_to_pfn(page), 0);
	}
	spin_unlock_irqrestore(&z->lock, flags);
}

/* ---- allocating ---- */

/*
 * Linux's zone_watermark_ok: may @z give a block of @order to a request that must leave
 * @floor pages (watermark + lowmem_reserve) free? Counts only the buddy lists.
 */
static inline bool zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long floor)
{
	if (z->free_pages < floor + (1ul << order))
		return false;
	/* From the top: where memory is plentiful the biggest blocks are the ones free. */
	for (int o = MAX_ORDER - 1; o >= (int)order; o--)
		if (z->free_area[o].nr_free)
			return true;
	return false;
}

/* The floor a request leaves in @z: pass 0 uses LOW, pass 1 MIN, halved for __GFP_HIGH. */
static unsigned long zone_floor(const struct zone *z, gfp_t gfp, enum zone_type high, int pass)
{
	unsigned long mark = z->watermark[pass == 0 ? WMARK_LOW : WMARK_MIN];

	if (pass > 0 && (gfp & __GFP_HIGH))
		mark -= mark / 2;
	return mark + z->lowmem_reserve[high];
}

/* An order-0 page from this CPU's list of @z, refilled from the buddy lists if empty. */
static __noinline struct page *rmqueue_pcp(struct zone *z, unsigned long floor)
{
	unsigned long flags = local_irq_save();
	struct per_cpu_pages *pcp = this_cpu_pcp(z);
	struct page *page = NULL;

	if (list_empty(&pcp->list))
		pcp->count += rmqueue_bulk(z, pcp->batch, &pcp->list, floor);
	if (!list_empty(&pcp->list)) {
		page = list_take_first(&pcp->list);
		pcp->count--;
	}
	local_irq_restore(flags);
	return page;
}

static struct page *rmqueue(struct zone *z, unsigned int order, unsigned long floor)
{
	unsigned long flags;
	struct page *page;

	if (order == 0)
		return rmqueue_pcp(z, floor);
	flags = spin_lock_irqsave(&z->lock);
	page = __rmqueue_smallest(z, order);
	spin_unlock_irqrestore(&z->lock, flags);
	return page;
}

/* The block is ours: mark its first page, and clear it if asked. */
static inline struct page *prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	page->flags = 1ul << PG_head;
	page->order = (uint8_t)order;
	page->refcount = 1;
	if (gfp & __GFP_ZERO)
		clear_pages(page_address(page), 1ul << order);
	return page;
}

/* Try the zones the request may use, highest first, each down to this pass's floor. */
static struct page *get_page_from_freelist(gfp_t gfp, unsigned int order, enum zone_type high,
					   int pass)
{
	for (int zt = (int)high; zt >= 0; zt--) {
		struct zone *z = &zones[zt];
		unsigned long floor = zone_floor(z, gfp, high, pass);
		struct page *page;

		if (!zone_watermark_ok(z, order, floor))
			continue;
		page = rmqueue(z, order, floor);
		if (page)
			return page;
	}
	return NULL;
}

struct reclaim_hooks reclaim_hooks;	/* mm/vmscan.c fills it in; the host leaves it empty */

/* Every allocation that is not an order-0 hit on the preferred zone's per-CPU list. */
static __noinline struct page *__alloc_pages(gfp_t gfp, unsigned int order)
{
	enum zone_type high = gfp_zone(gfp);
	struct page *page = NULL;

	if (order < MAX_ORDER) {
		page = get_page_from_freelist(gfp, order, high, 0);
		if (!page && reclaim_hooks.wakeup_kswapd)
			reclaim_hooks.wakeup_kswapd();	/* below LOW: background reclaim */
		if (!page)
			page = get_page_from_freelist(gfp, order, high, 1);
		/* Below MIN: the allocating task reclaims itself, then tries once more. */
		if (!page && reclaim_hooks.direct_reclaim && reclaim_hooks.direct_reclaim(gfp, order))
			page = get_page_from_freelist(gfp, order, high, 1);
		/* Nothing to reclaim and the request may not fail: a process dies for it. */
		for (int kills = 0; !page && kills < 8 && (gfp & __GFP_RECLAIM) &&
		     !(gfp & __GFP_NORETRY) && order <= PAGE_ALLOC_COSTLY_ORDER &&
		     reclaim_hooks.out_of_memory; kills++) {
			enum oom_result r = reclaim_hooks.out_of_memory(gfp, order);

			if (r == OOM_SELF)
				gfp |= __GFP_NOWARN;	/* the caller dies: no warning for it */
			if (r != OOM_FREED)
				break;
			page = get_page_from_freelist(gfp, order, high, 1);
		}
	}
	if (!page) {
		for (int zt = (int)high; zt >= 0; zt--)
			if (zone_populated(&zones[zt]))
				zones[zt].alloc_fail++;
		page_alloc_stats.alloc_fail++;
		if (!(gfp & __GFP_NOWARN))
			warn_alloc(gfp, order);
		return NULL;
	}
	return prep_new_page(page, order, gfp);
}

/*
 * The fast path: an order-0 page, not to be cleared, from this CPU's list of the preferred
 * zone while that zone is above its LOW mark (zone_watermark_ok's test; reserve 0, see
 * preferred_zone). A page on the list is already order 0, so only the flags and refcount
 * change. Refill, clearing, higher orders, lower zones, the MIN pass and failure are all
 * __alloc_pages.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct zone *z = preferred_zone[gfp & (__GFP_DMA | __GFP_DMA32)];

	if (likely(order == 0 && !(gfp & __GFP_ZERO) && z->free_pages > z->watermark[WMARK_LOW])) {
		unsigned long flags = local_irq_save();
		struct per_cpu_pages *pcp = this_cpu_pcp(z);

		if (likely(!list_empty(&pcp->list))) {
			struct page *page;

			pcp->count--;
			page = list_take_first(&pcp->list);
			local_irq_restore(flags);
			page->flags = 1ul << PG_head;
			page->refcount = 1;
			return page;
		}
		local_irq_restore(flags);
	}
	return __alloc_pages(gfp, order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/*
 * Fill the NULL slots of @array with order-0 pages. Each zone the request may use gives
 * what its per-CPU list holds plus what one rmqueue_bulk can take above the LOW floor; if
 * that gives nothing at all, one page the ordinary way (MIN pass, failure message).
 */
unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr, struct page **array)
{
	enum zone_type high = gfp_zone(gfp);
	unsigned long filled = 0, slot = 0, got = 0;
	struct list_head taken = LIST_HEAD_INIT(taken);

	for (unsigned long i = 0; i < nr; i++)
		filled += array[i] != NULL;
	for (int zt = (int)high; zt >= 0 && filled + got < nr; zt--) {
		struct zone *z = &zones[zt];
		unsigned long floor = zone_floor(z, gfp, high, 0);
		unsigned long flags, want = nr - filled - got;
		struct per_cpu_pages *pcp;

		if (!zone_watermark_ok(z, 0, floor))
			continue;
		flags = local_irq_save();
		pcp = this_cpu_pcp(z);
		if ((unsigned long)pcp->count < want)
			pcp->count += rmqueue_bulk(z, (int)MIN(want - pcp->count, 1ul << 30),
						   &pcp->list, floor);
		for (; want && pcp->count; want--, got++) {
			struct page *page = list_take_first(&pcp->list);

			pcp->count--;
			list_add_tail(&page->lru, &taken);
		}
		local_irq_restore(flags);
	}
	/* Hand out (and clear) with interrupts on again. */
	while (!list_empty(&taken)) {
		struct page *page = list_take_first(&taken);

		while (array[slot])
			slot++;
		prep_new_page(page, 0, gfp);
		array[slot] = page;
		filled++;
	}
	if (got == 0 && filled < nr) {
		while (array[slot])
			slot++;
		array[slot] = alloc_pages(gfp, 0);
		filled += array[slot] != NULL;
	}
	return filled;
}

/* ---- freeing ---- */

/* This CPU's list has grown past high: give a batch back (interrupts are off). */
static __noinline void pcp_overflow(struct page *page)
{
	struct per_cpu_pages *pcp = this_cpu_pcp(page_zone(page));

	free_pcppages_bulk(page_zone(page), pcp, pcp->batch);
}

static inline void free_to_pcp(struct page *page)
{
	unsigned long flags = local_irq_save();
	struct per_cpu_pages *pcp = this_cpu_pcp(page_zone(page));

	page->flags = 1ul << PG_pcp;
	page->refcount = 0;
	list_add(&page->lru, &pcp->list);	/* at the head: the next alloc gets it, cache-hot */
	if (unlikely(++pcp->count > pcp->high))
		pcp_overflow(page);
	local_irq_restore(flags);
}

static void free_one_block(struct page *page, unsigned int order)
{
	struct zone *z = page_zone(page);
	unsigned long flags = spin_lock_irqsave(&z->lock);

	page->flags = 0;
	page->refcount = 0;
	__free_one_page(z, page_to_pfn(page), order);
	spin_unlock_irqrestore(&z->lock, flags);
}

/* Everything but a plain free: report and ignore a bad one, drop a shared reference. */
static __noinline void free_pages_slowpath(struct page *page, unsigned int order, void *caller)
{
	if (free_page_is_bad(page, order, caller))
		return;
	if (__atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) > 0)
		return;		/* someone else still holds the block (atomic: they may drop it now) */
	page_alloc_stats.pgfree += 1ul << order;
	if (order == 0)
		free_to_pcp(page);
	else
		free_one_block(page, order);
}

/*
 * refcount 1 and mapcount 0, read as one 64-bit word (they are adjacent ints; x86 is
 * little-endian, so refcount is the low half): one compare on the free fast path.
 */
static inline bool page_held_once(const struct page *page)
{
	uint64_t refs;

	_Static_assert(offsetof(struct page, mapcount) == offsetof(struct page, refcount) + 4,
		       "refcount and mapcount must be adjacent");
	__builtin_memcpy(&refs, &page->refcount, sizeof(refs));
	return refs == 1;
}

/*
 * The plain free: a page of mem_map (the range test also rejects NULL) that
 * heads an allocation of this order (PG_head and nothing else) held once and unmapped.
 * Order 0 goes onto this CPU's list, bigger blocks to the buddy lists. Anything else is
 * the slow path, which names the mistake.
 */
static inline bool page_plain_free(const struct page *page, unsigned int order)
{
	return (uintptr_t)page >= (uintptr_t)mem_map && (uintptr_t)page < (uintptr_t)mem_map_end &&
	       page->flags == 1ul << PG_head && page->order == order && page_held_once(page);
}

static inline void free_plain(struct page *page, unsigned int order)
{
	page_alloc_stats.pgfree += 1ul << order;	/* one add: no interrupt splits it */
	if (likely(order == 0))
		free_to_pcp(page);
	else
		free_one_block(page, order);
}

void __free_pages(struct page *page, unsigned int order)
{
	if (likely(page_plain_free(page, order)))
		free_plain(page, order);
	else
		free_pages_slowpath(page, order, __builtin_return_address(0));
}

/* By direct-map address; 0 is ignored, as kfree(NULL) is. */
void free_pages(unsigned long addr, unsigned int order)
{
	struct page *page;

	if (!addr)
		return;
	page = virt_to_page((void *)addr);
	if (likely(page_plain_free(page, order)))
		free_plain(page, order);
	else
		free_pages_slowpath(page, order, __builtin_return_address(0));
}

void drain_all_pages(void)
{
	for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
		for (int cpu = 0; cpu < NR_CPUS; cpu++) {
			struct per_cpu_pages *pcp = &zones[zt].pcp[cpu];
			unsigned long flags = local_irq_save();

			free_pcppages_bulk(&zones[zt], pcp, pcp->count);
			local_irq_restore(flags);
		}
	}
}

/* ---- counters ---- */

unsigned long zone_free_pages_all(const struct zone *z)
{
	return READ_ONCE(z->free_pages) + zone_pcp_pages(z);
}

unsigned long nr_free_pages(void)
{
	unsigned long n = 0;

	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		n += zone_free_pages_all(&zones[zt]);
	return n;
}

unsigned long totalram_pages(void)
{
	unsigned long n = 0;

	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		n += zones[zt].managed_pages;
	return n;
}
