/*
 * The page allocator's interface (mm/page_alloc.c): get free pages, give them back.
 * gfp_t ("get free pages" flags) says where the pages may come from and how hard
 * to try, with Linux's names:
 *   zone modifiers   __GFP_DMA (below 16 MiB), __GFP_DMA32 (below 4 GiB), none: anywhere
 *   behaviour        __GFP_HIGH (may dip into the reserve below the min watermark),
 *                    __GFP_ZERO (clear the pages), __GFP_NOWARN (no failure message)
 *   the usual mixes  GFP_KERNEL (process context), GFP_ATOMIC (cannot sleep: may use
 *                    the reserve), GFP_DMA, GFP_DMA32
 * An order is log2 of the number of pages: order 3 is 8 contiguous pages, 32 KiB.
 */
#ifndef MM_GFP_H
#define MM_GFP_H

#include <mm/page.h>

typedef unsigned int gfp_t;

#define __GFP_DMA	0x01u
#define __GFP_DMA32	0x02u
#define __GFP_HIGH	0x20u
#define __GFP_IO	0x40u
#define __GFP_FS	0x80u
#define __GFP_ZERO	0x100u
#define __GFP_NOWARN	0x200u
#define __GFP_RECLAIM	0x400u	/* may reclaim (direct reclaim), and call the OOM killer */
#define __GFP_NORETRY	0x800u	/* reclaim once, then fail: never the OOM killer */

#define GFP_ATOMIC	(__GFP_HIGH)
#define GFP_KERNEL	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOIO	(__GFP_RECLAIM)	/* may reclaim, but start no I/O (a disk driver's) */
#define GFP_DMA		(__GFP_DMA)
#define GFP_DMA32	(__GFP_DMA32)

#define MAX_ORDER	11	/* orders 0..10: the largest block is 1024 pages, 4 MiB */
/* Above this order a failure is the caller's to handle: no OOM kill for it (Linux's 3). */
#define PAGE_ALLOC_COSTLY_ORDER	3

struct page *alloc_pages(gfp_t gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
static inline struct page *alloc_page(gfp_t gfp) { return alloc_pages(gfp, 0); }
static inline void __free_page(struct page *page) { __free_pages(page, 0); }

/* The same, by direct-map address instead of struct page (0 on failure). */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);
static inline void free_page(unsigned long addr) { free_pages(addr, 0); }

/*
 * References to a page that several owners hold (a frame mapped by two address spaces
 * after fork): get_page takes one more, put_page drops one and frees the page with the
 * last. Atomic: two processes on two CPUs may drop their references to one page at once,
 * and a plain decrement would lose one (a leak) or free it twice. The last put is
 * acquire-release, so every use of the page by the others happens before it is freed; it
 * hands the page to __free_page held once, as it was allocated.
 */
static inline void get_page(struct page *page)
{
	__atomic_add_fetch(&page->refcount, 1, __ATOMIC_RELAXED);
}

static inline void put_page(struct page *page)
{
	int left = __atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL);

	if (left > 0)
		return;
	/* Ours alone now; below 0 it was free already, and __free_page reports that. */
	page->refcount = left == 0 ? 1 : 0;
	__free_page(page);
}

/* The page-table entries mapping an anonymous page; atomic for the same reason. */
static inline void page_map_inc(struct page *page)
{
	__atomic_add_fetch(&page->mapcount, 1, __ATOMIC_RELAXED);
}

static inline void page_map_dec(struct page *page)
{
	__atomic_sub_fetch(&page->mapcount, 1, __ATOMIC_RELAXED);
}

/*
 * Fill @array[0..nr) with order-0 pages that need not be contiguous, skipping slots
 * that are already non-NULL. Returns how many slots hold a page afterwards.
 */
unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr, struct page **array);

/* Human-readable flags ("GFP_KERNEL|__GFP_ZERO") for messages. */
int gfp_name(char *buf, size_t size, gfp_t gfp);

#endif
