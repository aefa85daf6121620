/*
 * demo=buddy: the buddy allocator splitting and merging, shown through buddyinfo.
 * Each step allocates or frees in one zone and prints that zone's buddyinfo line
 * with the orders whose count changed, so the split of a large block into halves
 * (one half per lower order) and the merge back are visible as numbers.
 *  1. one order-3 block: taken from the order-3 list, or split off a larger block
 *  2. 32 order-1 blocks, then every other one freed: 32 free pages, yet no order-2
 *     block among them, because each free block's buddy is still in use (fragmentation)
 *  3. everything freed: the blocks merge back and buddyinfo is as at the start
 * Order-0 pages are left out on purpose: they go through the per-CPU lists, which take
 * and return pages in batches (docs/buddy.md explains both).
 */
#include <kernel/console.h>
#include <kernel/demo.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mmzone.h>

#define PAIRS 32

static struct zone_counters before;

static void show(const char *step, enum zone_type zt)
{
	struct zone_counters now;
	char line[BUDDYINFO_LINE_MAX];

	drain_all_pages();
	zone_counters_read(zt, &now);
	buddyinfo_format_zone(line, sizeof(line), &now);
	console_printf("\n%s\n  %s", step, line);
	console_puts("  changed:");
	for (int o = 0, n = 0; o < MAX_ORDER; o++) {
		if (now.nr_free[o] != before.nr_free[o])
			console_printf(" order %d %lu->%lu", o, before.nr_free[o], now.nr_free[o]);
		n += now.nr_free[o] != before.nr_free[o];
		if (o == MAX_ORDER - 1 && n == 0)
			console_puts(" nothing");
	}
	console_printf("  (free pages %lu->%lu)\n", before.free, now.free);
	before = now;
}

static void demo_buddy(void)
{
	static struct page *pairs[PAIRS];
	struct zone_counters start;
	struct page *block;
	enum zone_type zt;

	block = alloc_pages(GFP_KERNEL, 3);
	if (!block) {
		console_puts("demo: no memory for an order-3 block\n");
		return;
	}
	zt = block->zone;
	__free_pages(block, 3);
	drain_all_pages();
	zone_counters_read(zt, &start);
	before = start;
	show("0. the zone before (free blocks per order 0..10):", zt);

	block = alloc_pages(GFP_KERNEL, 3);
	if (!block)
		return;
	show("1. alloc_pages(GFP_KERNEL, 3): one 8-page block; a larger one splits if needed", zt);

	for (int i = 0; i < PAIRS; i++) {
		pairs[i] = alloc_pages(GFP_KERNEL, 1);
		if (!pairs[i]) {
			console_puts("demo: out of memory for order-1 blocks\n");
			while (i--)
				__free_pages(pairs[i], 1);
			__free_pages(block, 3);
			return;
		}
	}
	show("2a. 32 x alloc_pages(GFP_KERNEL, 1)", zt);
	for (int i = 0; i < PAIRS; i += 2) {
		__free_pages(pairs[i], 1);
		pairs[i] = NULL;
	}
	show("2b. every other order-1 block freed: free pages, but their buddies are in use", zt);

	for (int i = 1; i < PAIRS; i += 2)
		__free_pages(pairs[i], 1);
	__free_pages(block, 3);
	show("3. everything freed: buddies merge back into large blocks", zt);
	console_printf("\nback to the state at the start: %s\n",
		       memcmp(before.nr_free, start.nr_free, sizeof(start.nr_free)) == 0 ? "yes" : "NO");
}
DEMO(buddy, demo_buddy, "split and merge in the buddy allocator, seen in buddyinfo");
