/*
 * Zones: physical memory split by what hardware can reach, each with its own buddy
 * free lists, counters and watermarks (mm/page_alloc.c).
 *   ZONE_DMA      frames below 16 MiB (ISA DMA)
 *   ZONE_DMA32    frames below 4 GiB (32-bit PCI DMA)
 *   ZONE_NORMAL   everything above
 * An allocation tries the highest zone its gfp allows first and falls back to lower
 * ones (NORMAL -> DMA32 -> DMA); lowmem_reserve keeps a part of each lower zone out
 * of reach of allocations that could have used a higher one.
 */
#ifndef MM_MMZONE_H
#define MM_MMZONE_H

#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <mm/gfp.h>
#include <mm/oom.h>

enum zone_type { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, MAX_NR_ZONES };
enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

#define ZONE_DMA_END_PFN	(16ul << (20 - PAGE_SHIFT))	/* 16 MiB */
#define ZONE_DMA32_END_PFN	(4ul << (30 - PAGE_SHIFT))	/* 4 GiB */

struct free_area {
	struct list_head free_list;	/* first pages of free blocks of this order */
	unsigned long nr_free;		/* blocks, not pages */
};

/* A per-CPU cache of free order-0 pages: the fast path of alloc/free touches only this. */
struct per_cpu_pages {
	struct list_head list;
	int count;	/* pages on the list */
	int high;	/* free back to the buddy lists when count exceeds this ... */
	int batch;	/* ... and refill or drain this many at a time */
};

struct zone {
	const char *name;
	unsigned long zone_start_pfn;	/* first frame of the span */
	unsigned long spanned_pages;	/* frames in the span, holes included */
	unsigned long present_pages;	/* RAM frames in the span */
	unsigned long managed_pages;	/* frames handed to the buddy allocator */
	unsigned long free_pages;	/* frames on the buddy free lists (not per-CPU lists) */
	unsigned long watermark[NR_WMARK];	/* in pages */
	unsigned long lowmem_reserve[MAX_NR_ZONES];	/* kept back from allocations for zone i */
	struct free_area free_area[MAX_ORDER];
	struct per_cpu_pages pcp[NR_CPUS];
	spinlock_t lock;		/* protects free_area and free_pages */
	unsigned long alloc_fail;	/* allocations that found this zone too low */
};

extern struct zone zones[MAX_NR_ZONES];

static inline bool zone_populated(const struct zone *z) { return z->present_pages != 0; }
static inline struct zone *page_zone(const struct page *p) { return &zones[p->zone]; }

/* Free frames of a zone including its per-CPU lists. */
unsigned long zone_free_pages_all(const struct zone *z);
/*
 * Reclaim's entry points, called by the page allocator's slow path (mm/vmscan.c sets
 * them; NULL: no reclaim, as in the host tests). wakeup_kswapd: a zone fell below its LOW
 * mark. direct_reclaim: nothing above MIN either: free what can be freed now, without
 * sleeping; returns the pages freed.
 */
struct reclaim_hooks {
	void (*wakeup_kswapd)(void);
	unsigned long (*direct_reclaim)(gfp_t gfp, unsigned int order);
	enum oom_result (*out_of_memory)(gfp_t gfp, unsigned int order);	/* mm/oom_kill.c */
};
extern struct reclaim_hooks reclaim_hooks;

unsigned long nr_free_pages(void);	/* all zones, per-CPU lists included */
unsigned long totalram_pages(void);	/* managed pages of all zones */
/* Pages allocations could take without eating into the reserves (mm/show_mem.c). */
unsigned long si_mem_available(void);
int meminfo_format(char *buf, size_t size);	/* /proc/meminfo (mm/show_mem.c) */

/*
 * Setting up (mm/page_alloc_init.c): zones_init() spans the zones over [0, max_pfn) and
 * marks every struct page reserved; account_present_pages() counts each range of RAM;
 * free_pages_core() hands each free range to the allocator; setup_zone_watermarks()
 * computes min/low/high once all is freed.
 */
void zones_init(unsigned long max_pfn);
void account_present_pages(unsigned long start_pfn, unsigned long end_pfn);
void free_pages_core(unsigned long start_pfn, unsigned long end_pfn);
void setup_zone_watermarks(void);

/* Give every per-CPU list's pages back to the buddy lists (for exact counts in tests). */
void drain_all_pages(void);

/* Is the allocator's state consistent? Walks every list; returns the problems found. */
int page_alloc_check(void);

/*
 * Frees the allocator refused (mm/page_alloc_debug.c): each was reported with pr_err and
 * then ignored, so the free lists stay intact. Kernel tests assert on these counts.
 */
enum bad_free_kind {
	BAD_FREE_NULL,		/* __free_pages(NULL, ...) */
	BAD_FREE_RANGE,		/* not a struct page of mem_map: pfn >= max_pfn */
	BAD_FREE_RESERVED,	/* a PG_reserved frame: firmware, kernel image, hole */
	BAD_FREE_DOUBLE,	/* already free: on a buddy or per-CPU list, or refcount 0 */
	BAD_FREE_ORDER,		/* freed with another order than it was allocated with */
	BAD_FREE_TAIL,		/* a page inside an allocated block, not its first page */
	BAD_FREE_STATE,		/* still owned: PG_slab, PG_lru or PG_writeback set, or mapped */
	NR_BAD_FREE,
};

struct page_alloc_stats {
	unsigned long bad_free[NR_BAD_FREE];
	unsigned long alloc_fail;	/* allocations that returned NULL */
	unsigned long warn_suppressed;	/* failure messages left out by the rate limit */
	unsigned long pgfree;		/* pages given back (/proc/vmstat's pgfree; sar -B) */
};

extern struct page_alloc_stats page_alloc_stats;
extern const char *const bad_free_names[NR_BAD_FREE];	/* "double free", ... */

/*
 * A consistent snapshot of one zone's counters (taken under zone->lock), for `free`,
 * `meminfo`, /proc/buddyinfo and /proc/zoneinfo-like output (mm/buddyinfo.c). Pages.
 */
struct zone_counters {
	const char *name;		/* "DMA", "DMA32", "Normal" */
	bool populated;
	unsigned long start_pfn, spanned, present, managed;
	unsigned long free;		/* on the buddy free lists */
	unsigned long pcp;		/* on the per-CPU lists (also free) */
	unsigned long watermark[NR_WMARK];
	unsigned long lowmem_reserve[MAX_NR_ZONES];
	unsigned long nr_free[MAX_ORDER];	/* free blocks of each order, as in buddyinfo */
	unsigned long alloc_fail;
};

struct mem_counters {
	unsigned long totalram;		/* managed pages of all zones */
	unsigned long freeram;		/* free pages of all zones, per-CPU lists included */
	struct zone_counters zone[MAX_NR_ZONES];
};

void zone_counters_read(enum zone_type zt, struct zone_counters *zc);
void mem_counters_read(struct mem_counters *mc);

/*
 * /proc/buddyinfo, in Linux's format: for each populated zone one line
 * "Node 0, zone      DMA      1      0 ...", the number of free blocks of each order.
 * Writes at most @size bytes (NUL-terminated) and returns the length stored (scnprintf).
 * BUDDYINFO_LINE_MAX bytes hold one zone's line, so MAX_NR_ZONES of them hold it all.
 */
#define BUDDYINFO_LINE_MAX	160
int buddyinfo_format(char *buf, size_t size);
int buddyinfo_format_zone(char *buf, size_t size, const struct zone_counters *zc);

#endif
