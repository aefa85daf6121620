/*
 * Reading the page allocator's counters from outside: a consistent per-zone snapshot
 * (struct zone_counters, copied under zone->lock) for `free`, `meminfo` and tests, and
 * /proc/buddyinfo in exactly Linux's format, which prints, for each populated zone, how
 * many free blocks each order has (orders 0 to 10, left to right):
 *
 *   Node 0, zone      DMA      1      1      0      1      2      1      1      0      1 ...
 *   Node 0, zone    DMA32      3      4      3      3      3      2      3      3      3 ...
 *
 * Formatting happens on the snapshot, never under the lock. Free blocks on per-CPU lists
 * are not in buddyinfo (Linux leaves them out too); drain_all_pages() first for exact
 * numbers. Pure code: the kernel's shell and tests/host both call it.
 */
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mmzone.h>

#include "internal.h"

void zone_counters_read(enum zone_type zt, struct zone_counters *zc)
{
	struct zone *z = &zones[zt];
	unsigned long flags = spin_lock_irqsave(&z->lock);

	zc->name = z->name;
	zc->populated = zone_populated(z);
	zc->start_pfn = z->zone_start_pfn;
	zc->spanned = z->spanned_pages;
	zc->present = z->present_pages;
	zc->managed = z->managed_pages;
	zc->free = z->free_pages;
	zc->pcp = zone_pcp_pages(z);
	zc->alloc_fail = z->alloc_fail;
	for (int i = 0; i < NR_WMARK; i++)
		zc->watermark[i] = z->watermark[i];
	for (int i = 0; i < MAX_NR_ZONES; i++)
		zc->lowmem_reserve[i] = z->lowmem_reserve[i];
	for (int o = 0; o < MAX_ORDER; o++)
		zc->nr_free[o] = z->free_area[o].nr_free;
	spin_unlock_irqrestore(&z->lock, flags);
}

void mem_counters_read(struct mem_counters *mc)
{
	mc->totalram = 0;
	mc->freeram = 0;
	for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
		zone_counters_read((enum zone_type)zt, &mc->zone[zt]);
		mc->totalram += mc->zone[zt].managed;
		mc->freeram += mc->zone[zt].free + mc->zone[zt].pcp;
	}
}

/* One zone's line, "Node 0, zone %8s " and "%6lu " per order, as Linux's frag_show. */
int buddyinfo_format_zone(char *buf, size_t size, const struct zone_counters *zc)
{
	int len = scnprintf(buf, size, "Node %d, zone %8s ", 0, zc->name);

	for (int o = 0; o < MAX_ORDER; o++)
		len += scnprintf(buf + len, size - len, "%6lu ", zc->nr_free[o]);
	len += scnprintf(buf + len, size - len, "\n");
	return len;
}

int buddyinfo_format(char *buf, size_t size)
{
	int len = 0;

	if (size)
		buf[0] = '\0';
	for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
		struct zone_counters zc;

		zone_counters_read((enum zone_type)zt, &zc);
		if (zc.populated)
			len += buddyinfo_format_zone(buf + len, size - len, &zc);
	}
	return len;
}
