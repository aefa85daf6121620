/*
 * Setting the page allocator up at boot (the allocator itself is mm/page_alloc.c):
 *   zones_init()            spans DMA, DMA32 and Normal over [0, max_pfn) and writes every
 *                           struct page as reserved, holes included;
 *   account_present_pages() counts a range of RAM, reserved or not, as present;
 *   free_pages_core()       hands one usable range over, as the largest naturally aligned
 *                           blocks that fit, each merged with free buddies: linear in pages;
 *   setup_zone_watermarks() sizes the MIN/LOW/HIGH marks, lowmem_reserve and the per-CPU
 *                           batches from what the zones manage, with Linux's formulas.
 * Call them in that order; setup_zone_watermarks() again if more memory is freed later.
 * docs/buddy.md explains the watermarks.
 */
#define pr_fmt(fmt) "page_alloc: " fmt

#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mmzone.h>

#include "internal.h"

static const char *const zone_names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal" };
static const unsigned long zone_limit_pfn[MAX_NR_ZONES] = {
	ZONE_DMA_END_PFN, ZONE_DMA32_END_PFN, ~0ul
};

/* Linux's sysctl_lowmem_reserve_ratio: a lower zone keeps 1/ratio of the zones above it. */
static const unsigned long lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 256, 32 };

void zones_init(unsigned long end_pfn)
{
	unsigned long start = 0;

	max_pfn = end_pfn;
	mem_map_end = mem_map + end_pfn;
	memset(&page_alloc_stats, 0, sizeof(page_alloc_stats));
	warn_alloc_reset();
	for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
		struct zone *z = &zones[zt];
		unsigned long end = MIN(zone_limit_pfn[zt], end_pfn);

		memset(z, 0, sizeof(*z));
		z->name = zone_names[zt];
		z->zone_start_pfn = MIN(start, end_pfn);
		z->spanned_pages = end > start ? end - start : 0;
		for (int o = 0; o < MAX_ORDER; o++)
			INIT_LIST_HEAD(&z->free_area[o].free_list);
		/* No caching until setup_zone_watermarks sizes the lists: every free drains. */
		for (int cpu = 0; cpu < NR_CPUS; cpu++) {
			INIT_LIST_HEAD(&z->pcp[cpu].list);
			z->pcp[cpu].high = 0;
			z->pcp[cpu].batch = 1;
		}
		/* Every frame, holes included: reserved until free_pages_core says otherwise. */
		for (unsigned long pfn = z->zone_start_pfn; pfn < end; pfn++) {
			mem_map[pfn] = (struct page){ .flags = 1ul << PG_reserved,
						      .zone = (uint8_t)zt };
		}
		start = end;
	}
	update_preferred_zones();
}

/*
 * Hand [start_pfn, end_pfn) to the allocator: every frame in it must still be reserved.
 * Freed as the largest naturally aligned blocks that fit, each merged with free buddies
 * from earlier ranges; linear in the number of frames.
 */
void free_pages_core(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn;

	if (start_pfn >= end_pfn || end_pfn > max_pfn) {
		pr_err("free_pages_core: bad range [%#lx, %#lx), max_pfn %#lx\n", start_pfn,
		       end_pfn, max_pfn);
		return;
	}
	for (pfn = start_pfn; pfn < end_pfn; pfn++) {
		if (!PageFlag(&mem_map[pfn], PG_reserved)) {
			pr_err("free_pages_core: pfn %#lx in [%#lx, %#lx) is already free\n", pfn,
			       start_pfn, end_pfn);
			return;
		}
	}
	for (pfn = start_pfn; pfn < end_pfn; pfn++)
		mem_map[pfn].flags = 0;

	for (pfn = start_pfn; pfn < end_pfn;) {
		unsigned int order = pfn ? MIN((unsigned int)__builtin_ctzl(pfn), MAX_ORDER - 1)
					 : MAX_ORDER - 1;
		struct zone *z = page_zone(&mem_map[pfn]);
		unsigned long flags;

		while (pfn + (1ul << order) > end_pfn)
			order--;
		flags = spin_lock_irqsave(&z->lock);
		z->managed_pages += 1ul << order;
		__free_one_page(z, pfn, order);
		spin_unlock_irqrestore(&z->lock, flags);
		pfn += 1ul << order;
	}
	update_preferred_zones();
}

/* Count the RAM frames [start_pfn, end_pfn) as present in their zones, reserved or not. */
void account_present_pages(unsigned long start_pfn, unsigned long end_pfn)
{
	for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
		struct zone *z = &zones[zt];
		unsigned long lo = MAX(start_pfn, z->zone_start_pfn), hi = MIN(end_pfn, zone_end_pfn(z));

		if (hi > lo)
			z->present_pages += hi - lo;
	}
	update_preferred_zones();
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0;

	for (unsigned long bit = 1ul << 62; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/*
 * Pages a per-CPU list moves at once: a quarter of min(managed/1024, 128), rounded down to
 * 2^n - 1 (so at most 31), Linux's shape.
 */
static int zone_batchsize(unsigned long managed)
{
	unsigned long batch = MIN(managed / 1024, (512ul * 1024) / PAGE_SIZE) / 4;

	if (batch < 1)
		batch = 1;
	/* 2^n - 1, as Linux does, so batches do not line up with block sizes. */
	batch = (1ul << (63 - __builtin_clzl(batch + batch / 2))) - 1;
	return (int)(batch < 1 ? 1 : batch);
}

/*
 * Linux's formulas. min_free_kbytes = 4 * sqrt(lowmem in KiB), within [128 KiB, 256 MiB],
 * split across the zones in proportion to their managed pages; LOW and HIGH sit a quarter
 * of MIN (or 0.1% of the zone, if more) and twice that above MIN. A lower zone i keeps
 * (managed pages of zones i+1..j) / ratio[i] from requests whose highest zone is j.
 */
void setup_zone_watermarks(void)
{
	unsigned long lowmem = totalram_pages();
	unsigned long min_free_kbytes = 4 * int_sqrt(lowmem * (PAGE_SIZE / 1024));
	unsigned long pages_min;

	min_free_kbytes = MAX(MIN(min_free_kbytes, 262144ul), 128ul);
	pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);

	for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
		struct zone *z = &zones[zt];
		unsigned long flags = spin_lock_irqsave(&z->lock);
		unsigned long managed = z->managed_pages;
		unsigned long min = lowmem ? pages_min * managed / lowmem : 0;
		unsigned long gap = MAX(min / 4, managed * 10 / 10000);
		unsigned long above = 0;
		int batch = zone_batchsize(managed);

		z->watermark[WMARK_MIN] = min;
		z->watermark[WMARK_LOW] = min + gap;
		z->watermark[WMARK_HIGH] = min + 2 * gap;
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			if (j > zt)
				above += zones[j].managed_pages;
			z->lowmem_reserve[j] = j > zt ? above / lowmem_reserve_ratio[zt] : 0;
		}
		for (int cpu = 0; cpu < NR_CPUS; cpu++) {
			z->pcp[cpu].batch = batch;
			z->pcp[cpu].high = 6 * batch;
		}
		spin_unlock_irqrestore(&z->lock, flags);
	}
	pr_info("min_free_kbytes %lu, %lu pages managed\n", min_free_kbytes, lowmem);
}
