/*
 * What mm/page_alloc.c shares with mm/page_alloc_debug.c and mm/buddyinfo.c, and no one
 * else: the fast paths live in page_alloc.c, the checks, messages and reports that are too
 * long to sit beside them live in the other two files. Not an interface; include/mm/ is.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <mm/mmzone.h>

#define MAX_ORDER_NR_PAGES	(1ul << (MAX_ORDER - 1))	/* the largest block, in pages */

/* Blocks never cross a zone boundary because every boundary is a multiple of a block. */
_Static_assert(ZONE_DMA_END_PFN % MAX_ORDER_NR_PAGES == 0, "zone boundary splits a block");
_Static_assert(ZONE_DMA32_END_PFN % MAX_ORDER_NR_PAGES == 0, "zone boundary splits a block");

static inline enum zone_type zone_idx(const struct zone *z)
{
	return (enum zone_type)(z - zones);
}

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

/* Pages on all per-CPU lists of @z; the caller decides how exact it needs the sum. */
static inline unsigned long zone_pcp_pages(const struct zone *z)
{
	unsigned long n = 0;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		n += (unsigned long)READ_ONCE(z->pcp[cpu].count);
	return n;
}

/* The highest zone a request may use: __GFP_DMA wins over __GFP_DMA32. */
static inline enum zone_type gfp_zone(gfp_t gfp)
{
	return gfp & __GFP_DMA ? ZONE_DMA : gfp & __GFP_DMA32 ? ZONE_DMA32 : ZONE_NORMAL;
}

/* The zone where an allocation with these flags looks first (see mm/page_alloc.c). */
struct zone *gfp_preferred_zone(gfp_t gfp);

/* mm/page_alloc.c for mm/page_alloc_init.c: the merge, and what zones_init must set. */
void __free_one_page(struct zone *z, unsigned long pfn, unsigned int order);
void update_preferred_zones(void);
extern struct page *mem_map_end;

/*
 * Called on the slow path of __free_pages for a free that is not the plain case. Returns
 * true when the free is bad: it has been reported (one pr_err naming pfn, order and
 * @caller) and counted in page_alloc_stats, and the caller must ignore it.
 */
bool free_page_is_bad(struct page *page, unsigned int order, void *caller);

/* The rate-limited "page allocation failure" message and per-zone summary. */
void warn_alloc(gfp_t gfp, unsigned int order);
void warn_alloc_reset(void);	/* zones_init: a new machine starts a new count */

#endif
