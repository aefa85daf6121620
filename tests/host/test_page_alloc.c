/*
 * Host unit tests of the buddy page allocator (mm/page_alloc.c, page_alloc_init.c,
 * page_alloc_debug.c, buddyinfo.c), with Criterion under ASan/UBSan.
 *
 * Each test boots a fake machine (fake_machine.c): "physical memory" is one big anonymous
 * mapping made with MAP_NORESERVE (host_phys_base, so __va works), mem_map another, and a
 * memory map of usable ranges handed over with free_pages_core(). The maps: a tiny DMA-only
 * PC, one with holes and edges that fit no big order in all three zones, and 6 GiB with the
 * 3-4 GiB PCI hole.
 *
 * The randomized model test runs long sequences of alloc_pages (orders 0..10 weighted to small
 * ones, and 11 which must fail), frees by page and by address, alloc_pages_bulk, drains and
 * "free everything", with random zone modifiers, __GFP_ZERO and __GFP_HIGH. A reference model
 * predicts, from the zones' counters before each call, exactly which zone must serve it (the
 * first zone above its LOW floor, else the first above its MIN floor, else NULL), and keeps a
 * byte per frame: returned blocks must be aligned, in that zone, overlap nothing allocated,
 * be zero when asked; frames keep a marker written at allocation; free pages per zone (per-CPU
 * lists included) must equal the model's after every step; page_alloc_check() must find
 * nothing every few hundred steps; and whenever everything is freed and drained, buddyinfo
 * must be exactly what it was after boot (complete merging).
 * Seed: TEST_SEED or the clock, printed and put in each failure message; TEST_ITERS sets the
 * number of random steps (default 20000; `make soak` uses 10 million).
 *
 * The targeted tests pin boot layout and Linux's watermark formulas, the stop points of
 * GFP_KERNEL (MIN) and GFP_ATOMIC (MIN/2), fallback Normal -> DMA32 -> DMA, lowmem_reserve,
 * every kind of bad free, alloc_pages_bulk, order 11, the rate-limited failure warning and
 * gfp_name. Our headers rename nothing here, so memcmp, strstr and snprintf are the host's.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <mm/mmzone.h>

#include "fake_machine.h"
#include "printk_stub.h"
#include "rng.h"

#define MiB (1ul << 20)
#define GiB (1ul << 30)
#define NORMAL_PFN ZONE_DMA32_END_PFN

static const struct fake_range tiny_map[] = {
	{ 0x1000, 0x9f000 }, { 0x100000, 0x400000 },
};

/* Three zones; edges at odd pages, one mid-page; a range across the 16 MiB line. */
static const struct fake_range holes_map[] = {
	{ 0x1000, 0x9f000 },
	{ 0x100000, 0x1c35000 },
	{ 0x2345800, 0x4000000 },
	{ 4 * GiB, 4 * GiB + 48 * MiB + 0x7000 },
};

/* 6 GiB of RAM as QEMU lays it out: below the PCI hole at 3 GiB, and from 4 GiB. */
static const struct fake_range big_map[] = {
	{ 0x1000, 0x9f000 }, { 0x100000, 3 * GiB }, { 4 * GiB, 7 * GiB },
};

static char boot_buddyinfo[4 * BUDDYINFO_LINE_MAX];
static unsigned long boot_free[MAX_NR_ZONES];

/* Boot the fake machine on @r, then note buddyinfo and free pages per zone as booted. */
static void boot(const struct fake_range *r, size_t n)
{
	fake_machine_boot(r, n);
	buddyinfo_format(boot_buddyinfo, sizeof(boot_buddyinfo));
	for (int z = 0; z < MAX_NR_ZONES; z++)
		boot_free[z] = zone_free_pages_all(&zones[z]);
	printk_capture_reset();
}

TestSuite(page_alloc, .fini = fake_machine_teardown);

/* ---- small helpers ---- */

static enum zone_type pfn_zone(unsigned long pfn)
{
	return pfn < ZONE_DMA_END_PFN ? ZONE_DMA : pfn < ZONE_DMA32_END_PFN ? ZONE_DMA32
									     : ZONE_NORMAL;
}

static enum zone_type ref_gfp_zone(gfp_t gfp)
{
	return (gfp & __GFP_DMA) ? ZONE_DMA : (gfp & __GFP_DMA32) ? ZONE_DMA32 : ZONE_NORMAL;
}

static unsigned long pcp_pages(enum zone_type z)
{
	unsigned long n = 0;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		n += (unsigned long)zones[z].pcp[cpu].count;
	return n;
}

static unsigned int count_substr(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static bool all_zero(const void *p, size_t len)
{
	static const char zero[PAGE_SIZE];

	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		size_t n = len - off < PAGE_SIZE ? len - off : PAGE_SIZE;

		if (memcmp((const char *)p + off, zero, n))
			return false;
	}
	return true;
}

/* Everything is free and drained: the blocks must be those right after boot. */
static void assert_merged_back(void)
{
	char now[4 * BUDDYINFO_LINE_MAX];

	buddyinfo_format(now, sizeof(now));
	cr_assert_str_eq(now, boot_buddyinfo);
}

/* Allocate order-0 pages until the allocator says no; returns how many. */
static unsigned long exhaust(gfp_t gfp, struct page **out, unsigned long cap, uint8_t *zones_seen)
{
	unsigned long n = 0;
	struct page *p;

	while ((p = alloc_page(gfp | __GFP_NOWARN))) {
		cr_assert(n < cap, "more pages than the machine has");
		if (zones_seen)
			zones_seen[n] = p->zone;
		out[n++] = p;
	}
	return n;
}

static void free_all_of(struct page **pages, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		__free_page(pages[i]);
}

/* ---- boot ---- */

Test(page_alloc, tiny_machine_boot_layout)
{
	struct zone_counters zc;
	char buf[512];

	boot(tiny_map, 2);
	cr_assert_eq(max_pfn, 0x400);
	/* [1, 0x9f): 1 2-3 4-7 8-15 16-31 32-63 64-127 128-143 144-151 152-155 156-157 158;
	 * [0x100, 0x400): 256-511 (order 8), 512-1023 (order 9). */
	buddyinfo_format(buf, sizeof(buf));
	cr_assert_str_eq(buf, "Node 0, zone      DMA      2      2      2      2      2      1 "
			      "     1      0      1      1      0 \n");
	zone_counters_read(ZONE_DMA, &zc);
	cr_assert(zc.populated);
	cr_assert_eq(zc.managed, 158 + 768);
	cr_assert_eq(zc.present, 158 + 768);
	cr_assert_eq(zc.spanned, 0x400);
	cr_assert_eq(zc.free, 158 + 768);
	cr_assert(!zone_populated(&zones[ZONE_DMA32]) && !zone_populated(&zones[ZONE_NORMAL]));
	cr_assert_eq(zones[ZONE_DMA32].spanned_pages, 0);
	cr_assert_eq(totalram_pages(), 926);
	cr_assert_eq(nr_free_pages(), 926);
	cr_assert(PageFlag(&mem_map[0], PG_reserved) && PageFlag(&mem_map[0x9f], PG_reserved));
	cr_assert(!PageFlag(&mem_map[1], PG_reserved));
	cr_assert_eq(page_alloc_check(), 0);

	/* No Normal zone: GFP_KERNEL is served from DMA, the highest populated zone. */
	struct page *p = alloc_page(GFP_KERNEL);

	cr_assert(p && p->zone == ZONE_DMA);
	__free_page(p);
	cr_assert_eq(page_alloc_check(), 0);
}

/* The same free frames handed over in pieces, in any order, give the same blocks. */
Test(page_alloc, boot_in_pieces_merges_to_the_same_blocks)
{
	char whole[4 * BUDDYINFO_LINE_MAX], pieces[4 * BUDDYINFO_LINE_MAX];
	unsigned long end = PFN_DOWN(holes_map[3].end);	/* the highest range */
	struct fake_range cut[64], back_to_front[64];
	size_t n = 0;

	boot(holes_map, 4);
	strcpy(whole, boot_buddyinfo);
	cr_assert_eq(page_alloc_check(), 0);
	cr_assert_eq(zones[ZONE_DMA].managed_pages, 0x9e + (0x1000 - 0x100));
	cr_assert_eq(zones[ZONE_DMA32].managed_pages, (0x1c35 - 0x1000) + (0x4000 - 0x2346));
	cr_assert_eq(zones[ZONE_NORMAL].managed_pages, 48 * 256 + 7);
	cr_assert_eq(zones[ZONE_NORMAL].zone_start_pfn, NORMAL_PFN);
	cr_assert_eq(zones[ZONE_NORMAL].spanned_pages, end - NORMAL_PFN);
	cr_assert(PageFlag(&mem_map[0x2345], PG_reserved), "a partial page must stay reserved");
	fake_machine_teardown();

	/* Cut every range at a few odd pages and hand the pieces over back to front. */
	for (size_t i = 0; i < 4; i++) {
		uint64_t s = holes_map[i].start, e = holes_map[i].end;
		uint64_t step = ((e - s) / 5) | 0x3000;

		for (uint64_t a = s; a < e; a += step) {
			cut[n].start = a;
			cut[n].end = a + step < e ? a + step : e;
			/* pieces must start and end on pages to lose nothing */
			cut[n].start = a == s ? s : a & ~(uint64_t)(PAGE_SIZE - 1);
			cut[n].end = cut[n].end == e ? e : (a + step) & ~(uint64_t)(PAGE_SIZE - 1);
			n++;
		}
	}
	for (size_t i = 0; i < n; i++)
		back_to_front[i] = cut[n - 1 - i];
	boot(back_to_front, n);
	strcpy(pieces, boot_buddyinfo);
	cr_assert_str_eq(pieces, whole);
	cr_assert_eq(page_alloc_check(), 0);
}

Test(page_alloc, free_pages_core_refuses_bad_ranges)
{
	unsigned long before;

	boot(tiny_map, 2);
	before = nr_free_pages();
	free_pages_core(0x10, 0x20);		/* already free */
	free_pages_core(0x300, 0x500);		/* beyond max_pfn */
	free_pages_core(0x20, 0x20);		/* empty */
	cr_assert_eq(printk_count(3), 3, "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "already free"));
	cr_assert_eq(nr_free_pages(), before);
	cr_assert_eq(page_alloc_check(), 0);
	free_pages_core(0, 1);			/* a reserved frame may still be handed over */
	cr_assert_eq(nr_free_pages(), before + 1);
	cr_assert_eq(page_alloc_check(), 0);
}

/* floor(sqrt(x)) by bisection: a different route from the kernel's bit-by-bit int_sqrt. */
static unsigned long ref_isqrt(unsigned long x)
{
	unsigned long lo = 0, hi = 1ul << 32;	/* lo^2 <= x < hi^2 */

	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (mid * mid <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* 6 GiB: spans, counts, and every number setup_zone_watermarks derives, from Linux's formulas. */
Test(page_alloc, six_gib_zones_and_watermarks)
{
	const unsigned long ratio[MAX_NR_ZONES] = { 256, 256, 32 };
	unsigned long managed[MAX_NR_ZONES], lowmem = 0, kbytes, pages_min;

	boot(big_map, 3);
	cr_assert_eq(max_pfn, 7 * GiB >> PAGE_SHIFT);
	cr_assert_eq(zones[ZONE_DMA].zone_start_pfn, 0);
	cr_assert_eq(zones[ZONE_DMA].spanned_pages, ZONE_DMA_END_PFN);
	cr_assert_eq(zones[ZONE_DMA32].zone_start_pfn, ZONE_DMA_END_PFN);
	cr_assert_eq(zones[ZONE_DMA32].spanned_pages, ZONE_DMA32_END_PFN - ZONE_DMA_END_PFN);
	cr_assert_eq(zones[ZONE_NORMAL].spanned_pages, 3 * GiB >> PAGE_SHIFT);
	cr_assert_eq(zones[ZONE_DMA].managed_pages, 0x9e + 0x1000 - 0x100);
	cr_assert_eq(zones[ZONE_DMA32].managed_pages, (3 * GiB >> PAGE_SHIFT) - 0x1000);
	cr_assert_eq(zones[ZONE_NORMAL].managed_pages, 3 * GiB >> PAGE_SHIFT);
	cr_assert_eq(zones[ZONE_NORMAL].free_area[MAX_ORDER - 1].nr_free, 3 * GiB / (4 * MiB));
	cr_assert_eq(page_alloc_check(), 0);

	for (int z = 0; z < MAX_NR_ZONES; z++)
		lowmem += managed[z] = zones[z].managed_pages;
	kbytes = 4 * ref_isqrt(lowmem * 4);
	kbytes = kbytes < 128 ? 128 : kbytes > 262144 ? 262144 : kbytes;
	pages_min = kbytes / 4;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long min = pages_min * managed[z] / lowmem, gap, above = 0;

		gap = min / 4 > managed[z] * 10 / 10000 ? min / 4 : managed[z] * 10 / 10000;
		cr_assert_eq(zones[z].watermark[WMARK_MIN], min, "zone %d", z);
		cr_assert_eq(zones[z].watermark[WMARK_LOW], min + gap, "zone %d", z);
		cr_assert_eq(zones[z].watermark[WMARK_HIGH], min + 2 * gap, "zone %d", z);
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			above += j > z ? managed[j] : 0;
			cr_assert_eq(zones[z].lowmem_reserve[j], j > z ? above / ratio[z] : 0,
				     "zone %d reserve %d", z, j);
		}
	}
	/* Linux's batch for a 3 GiB zone: min(786432/1024, 128) / 4 = 32 -> 2^5 - 1. */
	cr_assert_eq(zones[ZONE_NORMAL].pcp[0].batch, 31);
	cr_assert_eq(zones[ZONE_NORMAL].pcp[0].high, 186);
	cr_assert_eq(zones[ZONE_DMA].pcp[0].batch, 1);
	/* 6 GiB makes DMA's reserve for GFP_KERNEL larger than DMA itself, as in Linux. */
	cr_assert_gt(zones[ZONE_DMA].lowmem_reserve[ZONE_NORMAL], managed[ZONE_DMA]);
}

Test(page_alloc, dma32_and_dma_stay_below_their_limits)
{
	unsigned long n = 0, frames = 0;
	struct page *p, **held = malloc(2000 * sizeof(*held));

	boot(big_map, 3);
	/* Big blocks while there are any, then smaller ones, until DMA32 and DMA say no. */
	for (unsigned int order = MAX_ORDER - 1;;) {
		p = alloc_pages(GFP_DMA32 | __GFP_NOWARN, order);
		if (!p) {
			if (order == 0)
				break;
			order--;
			continue;
		}
		cr_assert_leq(page_to_pfn(p) + (1ul << order), NORMAL_PFN);
		cr_assert_neq(p->zone, ZONE_NORMAL);
		frames += 1ul << order;
		if (n < 2000)
			held[n++] = p;
	}
	cr_assert_gt(frames, zones[ZONE_DMA32].managed_pages / 2);
	cr_assert_eq(zones[ZONE_NORMAL].free_pages, zones[ZONE_NORMAL].managed_pages);
	while ((p = alloc_page(GFP_DMA | __GFP_NOWARN)))
		cr_assert_lt(page_to_pfn(p), ZONE_DMA_END_PFN);
	p = alloc_pages(GFP_KERNEL, 5);
	cr_assert(p && p->zone == ZONE_NORMAL);
	cr_assert_eq(page_alloc_check(), 0);
	free(held);
}

/* ---- watermarks, fallback, lowmem_reserve ---- */

/*
 * GFP_KERNEL takes every zone down to its MIN floor (MIN + the reserve that a Normal request
 * must leave in the lower zones), in the order Normal, DMA32, DMA for the LOW pass and again
 * for the MIN pass; GFP_ATOMIC then goes on to MIN/2; GFP_DMA can still reach into DMA's reserve.
 */
Test(page_alloc, watermarks_fallback_and_lowmem_reserve)
{
	unsigned long cap = 40000, n, m, k, got_before = 0;
	struct page **pages = malloc(cap * sizeof(*pages));
	uint8_t *seen = malloc(cap);
	int changes = 0;
	const uint8_t want[] = { ZONE_NORMAL, ZONE_DMA32, ZONE_DMA,	/* the LOW pass */
				 ZONE_NORMAL, ZONE_DMA32, ZONE_DMA };	/* the MIN pass */

	boot(holes_map, 4);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		got_before += zone_free_pages_all(&zones[z]);

	n = exhaust(GFP_KERNEL, pages, cap, seen);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long floor = zones[z].watermark[WMARK_MIN] + zones[z].lowmem_reserve[2];

		cr_assert_eq(zones[z].free_pages, floor, "zone %d: free %lu, floor %lu", z,
			     zones[z].free_pages, floor);
	}
	cr_assert_eq(n, got_before - nr_free_pages());
	cr_assert_eq(seen[0], want[0]);
	for (unsigned long i = 1; i < n; i++) {
		if (seen[i] == seen[i - 1])
			continue;
		changes++;
		cr_assert(changes < 6 && seen[i] == want[changes], "step %lu: zone %u after %u", i,
			  seen[i], seen[i - 1]);
	}
	cr_assert_eq(changes, 5, "zones went N D32 D N D32 D");

	m = exhaust(GFP_ATOMIC, pages + n, cap - n, NULL);
	cr_assert_gt(m, 0);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long min = zones[z].watermark[WMARK_MIN];

		cr_assert_eq(zones[z].free_pages, min - min / 2 + zones[z].lowmem_reserve[2],
			     "zone %d", z);
	}
	cr_assert_null(alloc_page(GFP_KERNEL | __GFP_NOWARN));

	/* What GFP_KERNEL and GFP_ATOMIC had to leave in DMA, GFP_DMA may use down to MIN. */
	cr_assert_gt(zones[ZONE_DMA].lowmem_reserve[ZONE_NORMAL], zones[ZONE_DMA].watermark[0] / 2);
	k = exhaust(GFP_DMA, pages + n + m, cap - n - m, NULL);
	cr_assert_gt(k, 0);
	cr_assert_eq(zones[ZONE_DMA].free_pages, zones[ZONE_DMA].watermark[WMARK_MIN]);

	free_all_of(pages, n + m + k);
	drain_all_pages();
	assert_merged_back();
	cr_assert_eq(page_alloc_check(), 0);
	free(pages);
	free(seen);
}

Test(page_alloc, per_cpu_pages_are_free_but_not_in_free_pages)
{
	struct zone *z = &zones[ZONE_NORMAL];
	struct page *p;

	boot(holes_map, 4);
	cr_assert_eq(z->pcp[0].batch, 3);
	p = alloc_page(GFP_KERNEL);
	cr_assert(p && p->zone == ZONE_NORMAL);
	/* The refill moved a batch of 3 to this CPU's list and handed out one of them. */
	cr_assert_eq(z->free_pages, z->managed_pages - 3);
	cr_assert_eq(pcp_pages(ZONE_NORMAL), 2);
	cr_assert_eq(zone_free_pages_all(z), z->managed_pages - 1);
	__free_page(p);
	cr_assert_eq(pcp_pages(ZONE_NORMAL), 3);
	cr_assert_eq(nr_free_pages(), totalram_pages());
	drain_all_pages();
	cr_assert_eq(z->free_pages, z->managed_pages);
}

/* ---- per-CPU lists ---- */

Test(page_alloc, per_cpu_list_is_hot_and_bounded)
{
	struct page *pages[400], *p;
	struct per_cpu_pages *pcp = &zones[ZONE_NORMAL].pcp[0];

	boot(big_map, 3);
	p = alloc_page(GFP_KERNEL);
	__free_page(p);
	cr_assert_eq(alloc_page(GFP_KERNEL), p, "the page freed last comes back first");
	__free_page(p);
	for (int i = 0; i < 400; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 400; i++) {
		__free_page(pages[i]);
		cr_assert_leq(pcp->count, pcp->high);
	}
	cr_assert_gt(pcp->count, 0);
	cr_assert_eq(page_alloc_check(), 0);
	drain_all_pages();
	cr_assert_eq(pcp->count, 0);
	assert_merged_back();
}

/* ---- bad frees ---- */

static unsigned long bad_total(void)
{
	unsigned long n = 0;

	for (int k = 0; k < NR_BAD_FREE; k++)
		n += page_alloc_stats.bad_free[k];
	return n;
}

/* Free @page as @order, expect exactly one report of @kind naming @text. */
static void expect_bad_free(struct page *page, unsigned int order, enum bad_free_kind kind,
			    const char *text)
{
	unsigned long kind_before = page_alloc_stats.bad_free[kind], all_before = bad_total();
	unsigned long free_before = nr_free_pages();

	printk_capture_reset();
	__free_pages(page, order);
	cr_assert_eq(page_alloc_stats.bad_free[kind], kind_before + 1, "%s: %s", text,
		     printk_captured());
	cr_assert_eq(bad_total(), all_before + 1, "%s", text);
	cr_assert_eq(printk_count(3), 1, "%s: %s", text, printk_captured());
	cr_assert(strstr(printk_captured(), bad_free_names[kind]), "%s", printk_captured());
	cr_assert(strstr(printk_captured(), text), "want \"%s\" in: %s", text, printk_captured());
	cr_assert(strstr(printk_captured(), "caller 0x"), "%s", printk_captured());
	cr_assert_eq(nr_free_pages(), free_before, "%s changed the free count", text);
	cr_assert_eq(page_alloc_check(), 0, "%s", text);
}

Test(page_alloc, every_bad_free_is_caught_and_ignored)
{
	struct page *a, *b, *c;
	char text[64];

	boot(holes_map, 4);
	a = alloc_pages(GFP_KERNEL, 2);
	b = alloc_page(GFP_KERNEL);
	c = alloc_pages(GFP_KERNEL, 3);
	cr_assert(a && b && c);

	expect_bad_free(NULL, 0, BAD_FREE_NULL, "order 0");
	expect_bad_free(mem_map + max_pfn + 5, 0, BAD_FREE_RANGE, "pfn 0x");
	expect_bad_free(mem_map - 1, 1, BAD_FREE_RANGE, "order 1");
	expect_bad_free((struct page *)((char *)a + 8), 2, BAD_FREE_RANGE,
			"not the start of a struct page");
	expect_bad_free(&mem_map[0], 0, BAD_FREE_RESERVED, "pfn 0 order 0");
	expect_bad_free(&mem_map[0x2345], 0, BAD_FREE_RESERVED, "pfn 0x2345");

	snprintf(text, sizeof(text), "pfn %#lx order 1 (allocated as order 2)", page_to_pfn(a));
	expect_bad_free(a, 1, BAD_FREE_ORDER, text);
	expect_bad_free(a, 0, BAD_FREE_ORDER, "allocated as order 2");
	expect_bad_free(a, 20, BAD_FREE_ORDER, "order 20");
	snprintf(text, sizeof(text), "(inside the order-2 block at pfn %#lx)", page_to_pfn(a));
	expect_bad_free(a + 1, 0, BAD_FREE_TAIL, text);
	expect_bad_free(c + 7, 3, BAD_FREE_TAIL, "inside the order-3 block");

	SetPageFlag(c, PG_slab);
	expect_bad_free(c, 3, BAD_FREE_STATE, "flags");
	ClearPageFlag(c, PG_slab);
	c->mapcount = 1;
	expect_bad_free(c, 3, BAD_FREE_STATE, "mapcount 1");
	c->mapcount = 0;

	__free_page(b);
	expect_bad_free(b, 0, BAD_FREE_DOUBLE, "(on a per-CPU list)");
	__free_pages(a, 2);
	expect_bad_free(a, 2, BAD_FREE_DOUBLE, "pfn 0x");
	drain_all_pages();
	expect_bad_free(b, 0, BAD_FREE_DOUBLE, "free");
	expect_bad_free(a + 2, 1, BAD_FREE_DOUBLE, "free");

	/* The right free still works after all that. */
	__free_pages(c, 3);
	drain_all_pages();
	assert_merged_back();
	cr_assert_eq(bad_total(), 17);
}

Test(page_alloc, free_by_address_and_shared_reference)
{
	unsigned long addr, before;
	struct page *p;

	boot(tiny_map, 2);
	before = nr_free_pages();
	addr = __get_free_pages(GFP_KERNEL, 2);
	cr_assert_neq(addr, 0);
	memset((void *)addr, 0xa5, 4 * PAGE_SIZE);
	free_pages(addr, 2);
	cr_assert_eq(nr_free_pages(), before);
	addr = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 2);
	cr_assert(all_zero((void *)addr, 4 * PAGE_SIZE), "__GFP_ZERO left old bytes");
	free_pages(addr + 123, 2);		/* any address inside the first page will do */
	free_pages(0, 3);			/* ignored, as kfree(NULL) */
	addr = get_zeroed_page(GFP_KERNEL);
	cr_assert(addr && all_zero((void *)addr, PAGE_SIZE));
	free_page(addr);
	cr_assert_eq(nr_free_pages(), before);

	/* A block held twice is freed by the second free only. */
	p = alloc_pages(GFP_KERNEL, 1);
	p->refcount = 2;
	__free_pages(p, 1);
	cr_assert_eq(p->refcount, 1);
	cr_assert(PageFlag(p, PG_head));
	cr_assert_eq(nr_free_pages(), before - 2);
	__free_pages(p, 1);
	cr_assert_eq(nr_free_pages(), before);
	cr_assert_eq(bad_total(), 0);
	cr_assert_eq(page_alloc_check(), 0);
}

/* ---- alloc_pages_bulk ---- */

Test(page_alloc, bulk_fills_only_empty_slots)
{
	struct page *arr[64], dummy;
	unsigned long got, left;
	struct page *held[40000];
	unsigned long n;

	boot(holes_map, 4);
	cr_assert_eq(alloc_pages_bulk(GFP_KERNEL, 0, arr), 0);

	memset(arr, 0, sizeof(arr));
	arr[0] = arr[5] = arr[63] = &dummy;
	got = alloc_pages_bulk(GFP_KERNEL | __GFP_ZERO, 64, arr);
	cr_assert_eq(got, 64);
	cr_assert(arr[0] == &dummy && arr[5] == &dummy && arr[63] == &dummy);
	for (int i = 0; i < 64; i++) {
		if (arr[i] == &dummy)
			continue;
		cr_assert(PageFlag(arr[i], PG_head) && arr[i]->order == 0 && arr[i]->refcount == 1);
		cr_assert(all_zero(page_address(arr[i]), PAGE_SIZE));
		for (int j = 0; j < i; j++)
			cr_assert_neq(arr[i], arr[j]);
	}
	cr_assert_eq(alloc_pages_bulk(GFP_KERNEL, 64, arr), 64, "a full array is left alone");
	for (int i = 0; i < 64; i++)
		if (arr[i] != &dummy)
			__free_page(arr[i]);

	memset(arr, 0, sizeof(arr));
	cr_assert_eq(alloc_pages_bulk(GFP_DMA, 64, arr), 64);
	for (int i = 0; i < 64; i++) {
		cr_assert_lt(page_to_pfn(arr[i]), ZONE_DMA_END_PFN);
		__free_page(arr[i]);
	}

	/*
	 * Short of memory. With Normal a little above LOW, a bulk request gets this CPU's list
	 * plus what one refill can take down to LOW, and nothing from the zones below, which
	 * are under their LOW floors. Then, at LOW, it gets one page the ordinary way (MIN).
	 */
	n = exhaust(GFP_KERNEL, held, 40000, NULL);
	free_all_of(held, 60);
	{
		struct zone *z = &zones[ZONE_NORMAL];
		unsigned long low = z->watermark[WMARK_LOW];
		unsigned long want = pcp_pages(ZONE_NORMAL) + z->free_pages - low;

		cr_assert(z->free_pages > z->watermark[WMARK_LOW] && want < 64, "want %lu", want);
		memset(arr, 0, sizeof(arr));
		got = alloc_pages_bulk(GFP_KERNEL, 64, arr);
		cr_assert_eq(got, want);
		for (unsigned long i = 0; i < 64; i++)
			cr_assert_eq(arr[i] != NULL, i < got);
		cr_assert_eq(z->free_pages, z->watermark[WMARK_LOW]);
		left = nr_free_pages();
		cr_assert_eq(alloc_pages_bulk(GFP_KERNEL, 64, arr), got + 1);
		cr_assert_eq(nr_free_pages(), left - 1);
		cr_assert_eq(arr[got]->zone, ZONE_NORMAL);
		got++;
	}
	free_all_of(arr, got);
	free_all_of(held + 60, n - 60);
	drain_all_pages();
	cr_assert_eq(nr_free_pages(), totalram_pages());
	cr_assert_eq(page_alloc_check(), 0);
}

/* ---- failures ---- */

Test(page_alloc, order_above_max_is_refused)
{
	unsigned long before;

	boot(big_map, 3);
	before = nr_free_pages();
	cr_assert_null(alloc_pages(GFP_KERNEL, MAX_ORDER));
	cr_assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 64));
	cr_assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, ~0u));
	cr_assert_eq(printk_count(4), 1);
	cr_assert(strstr(printk_captured(), "order:11, mode:0x4c0(GFP_KERNEL)"));
	cr_assert_eq(nr_free_pages(), before);
	cr_assert_not_null(alloc_pages(GFP_KERNEL, MAX_ORDER - 1));
}

Test(page_alloc, oom_returns_null_with_one_rate_limited_warning)
{
	struct page *held[2000];
	unsigned long n;

	boot(tiny_map, 2);
	n = exhaust(GFP_ATOMIC, held, 2000, NULL);
	cr_assert_gt(n, 700);
	printk_capture_reset();
	cr_assert_null(alloc_page(GFP_KERNEL | __GFP_NOWARN));
	cr_assert_eq(printk_count(4), 0);
	cr_assert_eq(page_alloc_stats.alloc_fail, 2, "exhaust's failure and this one");

	cr_assert_null(alloc_page(GFP_KERNEL));
	cr_assert_eq(printk_count(4), 1, "%s", printk_captured());
	cr_assert(strstr(printk_captured(),
			 "page_alloc: page allocation failure: order:0, mode:0x4c0(GFP_KERNEL)\n"),
		  "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "Node 0 DMA free:"), "%s", printk_captured());
	cr_assert_eq(count_substr(printk_captured(), "Node 0 "), 1, "one line per populated zone");
	cr_assert_eq(zones[ZONE_DMA].alloc_fail, 3);

	/* 10 messages, then one per 1000 failures, saying how many it left out. */
	printk_capture_reset();
	for (int i = 0; i < 2999; i++)
		cr_assert_null(alloc_pages(GFP_ATOMIC | __GFP_ZERO, 3));
	cr_assert_eq(count_substr(printk_captured(), "page allocation failure"), 9 + 3);
	cr_assert(strstr(printk_captured(), "mode:0x120(GFP_ATOMIC|__GFP_ZERO)"));
	cr_assert(strstr(printk_captured(), "warn_alloc: 989 callbacks suppressed"), "%s",
		  printk_captured());
	cr_assert(strstr(printk_captured(), "warn_alloc: 999 callbacks suppressed"));
	cr_assert_eq(page_alloc_stats.warn_suppressed, 2999 - 12);
	free_all_of(held, n);
	cr_assert_eq(page_alloc_check(), 0);
}

Test(page_alloc, gfp_names)
{
	char buf[96];
	const struct {
		gfp_t gfp;
		const char *name;
	} cases[] = {
		{ GFP_KERNEL, "GFP_KERNEL" },
		{ GFP_ATOMIC, "GFP_ATOMIC" },
		{ GFP_KERNEL | __GFP_ZERO, "GFP_KERNEL|__GFP_ZERO" },
		{ GFP_DMA32 | __GFP_NOWARN, "GFP_DMA32|__GFP_NOWARN" },
		{ GFP_KERNEL | GFP_DMA, "GFP_KERNEL|GFP_DMA" },
		{ __GFP_IO, "__GFP_IO" },
		{ GFP_KERNEL | __GFP_NORETRY, "GFP_KERNEL|__GFP_NORETRY" },
		{ __GFP_RECLAIM | __GFP_FS, "__GFP_FS|__GFP_RECLAIM" },
		{ 0, "none" },
		{ 0x8000, "0x8000" },
		{ GFP_ATOMIC | 0x30000, "GFP_ATOMIC|0x30000" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = gfp_name(buf, sizeof(buf), cases[i].gfp);

		cr_assert_str_eq(buf, cases[i].name);
		cr_assert_eq(n, (int)strlen(cases[i].name));
	}
	cr_assert_eq(gfp_name(buf, 8, GFP_KERNEL | __GFP_ZERO), 7);
	cr_assert_str_eq(buf, "GFP_KER");
}

/* ---- the checker itself ---- */

Test(page_alloc, check_reports_broken_state)
{
	struct page *p, *free_head = NULL;
	unsigned long saved;

	boot(tiny_map, 2);
	p = alloc_pages(GFP_KERNEL, 2);
	cr_assert_eq(page_alloc_check(), 0);

	saved = zones[ZONE_DMA].free_area[1].nr_free;
	zones[ZONE_DMA].free_area[1].nr_free++;
	printk_capture_reset();
	cr_assert_geq(page_alloc_check(), 1);
	cr_assert(strstr(printk_captured(), "nr_free"), "%s", printk_captured());
	zones[ZONE_DMA].free_area[1].nr_free = saved;

	SetPageFlag(p + 1, PG_buddy);		/* a block head inside an allocated block */
	p[1].order = 0;
	cr_assert_geq(page_alloc_check(), 1);
	ClearPageFlag(p + 1, PG_buddy);

	for (unsigned long pfn = 0x100; pfn < max_pfn; pfn++)
		if (PageFlag(&mem_map[pfn], PG_buddy) && mem_map[pfn].order > 2) {
			free_head = &mem_map[pfn];
			break;
		}
	cr_assert_not_null(free_head);
	free_head[3].flags = 1ul << PG_head;	/* a mark inside a free block */
	printk_capture_reset();
	cr_assert_geq(page_alloc_check(), 1);
	cr_assert(strstr(printk_captured(), "inside the free"), "%s", printk_captured());
	free_head[3].flags = 0;

	zones[ZONE_DMA].free_pages--;
	cr_assert_geq(page_alloc_check(), 1);
	zones[ZONE_DMA].free_pages++;
	cr_assert_eq(page_alloc_check(), 0);
	__free_pages(p, 2);
}

Test(page_alloc, counters_for_free_and_meminfo)
{
	struct mem_counters mc;
	struct page *p;

	boot(holes_map, 4);
	p = alloc_pages(GFP_DMA32, 4);
	mem_counters_read(&mc);
	cr_assert_eq(mc.totalram, totalram_pages());
	cr_assert_eq(mc.freeram, nr_free_pages());
	cr_assert_eq(mc.freeram, mc.totalram - 16);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		cr_assert_str_eq(mc.zone[z].name, zones[z].name);
		cr_assert_eq(mc.zone[z].managed, zones[z].managed_pages);
		cr_assert_eq(mc.zone[z].free + mc.zone[z].pcp, zone_free_pages_all(&zones[z]));
		cr_assert_eq(mc.zone[z].watermark[WMARK_LOW], zones[z].watermark[WMARK_LOW]);
	}
	cr_assert_str_eq(mc.zone[ZONE_NORMAL].name, "Normal");
	__free_pages(p, 4);
}

/* ---- the randomized model test ---- */

struct block {
	unsigned long pfn;
	unsigned int order;
};

struct model {
	uint8_t *owned;			/* per frame: 1 while allocated */
	struct block *live;
	size_t nlive, cap;
	unsigned long allocated[MAX_NR_ZONES];	/* pages */
	unsigned long long seed;
	long step;
	/* what the run covered, printed at the end */
	unsigned long allocs, failed, fell_back, min_pass, bulk_pages, merged_back;
};

/* The zones' counters before a call: what the reference decides from. */
struct zone_snap {
	unsigned long free, nr_free[MAX_ORDER];
};

static void snap(struct zone_snap s[MAX_NR_ZONES])
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		s[z].free = zones[z].free_pages;
		for (int o = 0; o < MAX_ORDER; o++)
			s[z].nr_free[o] = zones[z].free_area[o].nr_free;
	}
}

/* The documented rule: may zone @z serve this request in @pass (0: LOW, 1: MIN)? */
static bool ref_zone_ok(const struct zone_snap *s, int z, unsigned int order, gfp_t gfp, int pass)
{
	unsigned long mark = zones[z].watermark[pass ? WMARK_MIN : WMARK_LOW];

	if (order >= MAX_ORDER)
		return false;
	if (pass && (gfp & __GFP_HIGH))
		mark -= mark / 2;
	mark += zones[z].lowmem_reserve[ref_gfp_zone(gfp)];
	if (s[z].free < mark + (1ul << order))
		return false;
	for (int o = (int)order; o < MAX_ORDER; o++)
		if (s[z].nr_free[o])
			return true;
	return false;
}

/* The zone that must serve the request, or -1 for a failure. */
static int ref_expected_zone(const struct zone_snap *s, unsigned int order, gfp_t gfp)
{
	for (int pass = 0; pass < 2; pass++)
		for (int z = (int)ref_gfp_zone(gfp); z >= 0; z--)
			if (ref_zone_ok(s, z, order, gfp, pass))
				return z;
	return -1;
}

static uint64_t marker(unsigned long pfn)
{
	return (pfn * 0x9e3779b97f4a7c15ull) | 1;
}

static void model_take(struct model *m, struct page *p, unsigned int order, gfp_t gfp, int zone)
{
	unsigned long pfn = page_to_pfn(p), size = 1ul << order;
	char *va = page_address(p);

	cr_assert(pfn < max_pfn && (pfn & (size - 1)) == 0, "seed %llu step %ld: pfn %#lx order %u",
		  m->seed, m->step, pfn, order);
	cr_assert(pfn_zone(pfn) == (enum zone_type)zone &&
		  pfn_zone(pfn + size - 1) == (enum zone_type)zone,
		  "seed %llu step %ld: pfn %#lx order %u in zone %u, want %d", m->seed, m->step,
		  pfn, order, pfn_zone(pfn), zone);
	cr_assert(p->flags == 1ul << PG_head && p->order == order && p->refcount == 1,
		  "seed %llu step %ld: bad marks on pfn %#lx", m->seed, m->step, pfn);
	for (unsigned long i = 0; i < size; i++)
		cr_assert(!m->owned[pfn + i], "seed %llu step %ld: pfn %#lx handed out twice",
			  m->seed, m->step, pfn + i);
	/*
	 * Cleared? The whole first page, and in every page the two words where the markers of
	 * an earlier owner would be (pages nobody wrote are zero anyway): that catches a block
	 * not cleared, or cleared short, at a fraction of the cost of comparing it all.
	 */
	if (gfp & __GFP_ZERO) {
		cr_assert(all_zero(va, PAGE_SIZE), "seed %llu step %ld: pfn %#lx not zeroed",
			  m->seed, m->step, pfn);
		for (unsigned long i = 0; i < size; i++) {
			const char *pg = va + i * PAGE_SIZE;

			cr_assert(all_zero(pg, 8) && all_zero(pg + PAGE_SIZE - 8, 8),
				  "seed %llu step %ld: pfn %#lx not zeroed", m->seed, m->step,
				  pfn + i);
		}
	}
	for (unsigned long i = 0; i < size; i++) {
		uint64_t mk = marker(pfn + i);

		m->owned[pfn + i] = 1;
		memcpy(va + i * PAGE_SIZE, &mk, sizeof(mk));
		memcpy(va + i * PAGE_SIZE + PAGE_SIZE - sizeof(mk), &mk, sizeof(mk));
	}
	cr_assert(m->nlive < m->cap, "model full");
	m->live[m->nlive++] = (struct block){ pfn, order };
	m->allocated[zone] += size;
}

static void model_free(struct model *m, size_t i)
{
	struct block b = m->live[i];
	unsigned long size = 1ul << b.order;
	char *va = page_address(pfn_to_page(b.pfn));

	for (unsigned long k = 0; k < size; k++) {
		uint64_t mk = marker(b.pfn + k), a, z;

		memcpy(&a, va + k * PAGE_SIZE, sizeof(a));
		memcpy(&z, va + k * PAGE_SIZE + PAGE_SIZE - sizeof(z), sizeof(z));
		cr_assert(a == mk && z == mk, "seed %llu step %ld: pfn %#lx was overwritten",
			  m->seed, m->step, b.pfn + k);
		m->owned[b.pfn + k] = 0;
	}
	if (rnd() & 1)
		__free_pages(pfn_to_page(b.pfn), b.order);
	else
		free_pages((unsigned long)va, b.order);
	m->allocated[pfn_zone(b.pfn)] -= size;
	m->live[i] = m->live[--m->nlive];
}

static unsigned int pick_order(void)
{
	static const uint8_t weight[MAX_ORDER] = { 40, 15, 12, 10, 7, 5, 4, 3, 2, 1, 1 };
	unsigned int r = (unsigned int)(rnd() % 1000);

	if (r < 2)
		return MAX_ORDER;		/* must always fail */
	r %= 100;
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		if (r < weight[o])
			return o;
		r -= weight[o];
	}
	return 0;
}

static gfp_t pick_gfp(void)
{
	unsigned int r = (unsigned int)(rnd() % 100);
	gfp_t gfp = (rnd() & 1) ? GFP_KERNEL : 0;

	gfp |= r < 10 ? __GFP_DMA : r < 30 ? __GFP_DMA32 : 0;
	if (rnd() % 4 == 0)
		gfp |= __GFP_ZERO;
	if (rnd() % 5 == 0)
		gfp |= __GFP_HIGH;
	if (rnd() % 10)
		gfp |= __GFP_NOWARN;
	return gfp;
}

static void model_check_counts(const struct model *m)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long want = zones[z].managed_pages - m->allocated[z];

		cr_assert_eq(zone_free_pages_all(&zones[z]), want,
			     "seed %llu step %ld: zone %d has %lu free, the model says %lu",
			     m->seed, m->step, z, zone_free_pages_all(&zones[z]), want);
	}
}

static void model_check_full(const struct model *m)
{
	int problems = page_alloc_check();

	cr_assert_eq(problems, 0, "seed %llu step %ld: page_alloc_check: %s", m->seed, m->step,
		     printk_captured());
}

/* Everything freed and drained: the blocks must have merged back to the boot layout. */
static void model_free_everything(struct model *m)
{
	char now[4 * BUDDYINFO_LINE_MAX];

	while (m->nlive)
		model_free(m, (size_t)(rnd() % m->nlive));
	drain_all_pages();
	model_check_counts(m);
	buddyinfo_format(now, sizeof(now));
	cr_assert_str_eq(now, boot_buddyinfo, "seed %llu step %ld: not merged back", m->seed,
			 m->step);
	m->merged_back++;
}

static void model_alloc(struct model *m)
{
	unsigned int order = pick_order();
	gfp_t gfp = pick_gfp();
	struct zone_snap before[MAX_NR_ZONES];
	int want;
	struct page *p;

	snap(before);
	want = ref_expected_zone(before, order, gfp);
	p = alloc_pages(gfp, order);
	m->allocs++;
	m->failed += want < 0;
	m->fell_back += want >= 0 && want < (int)ref_gfp_zone(gfp);
	m->min_pass += want >= 0 && !ref_zone_ok(before, want, order, gfp, 0);
	if (want < 0) {
		cr_assert_null(p, "seed %llu step %ld: order %u gfp %#x should have failed",
			       m->seed, m->step, order, gfp);
		return;
	}
	cr_assert_not_null(p, "seed %llu step %ld: order %u gfp %#x failed, zone %d could serve",
			   m->seed, m->step, order, gfp, want);
	model_take(m, p, order, gfp, want);
}

static void model_bulk(struct model *m)
{
	struct page *arr[48], dummy;
	unsigned long nr = 1 + rnd() % 48, pre = 0, got, added;
	gfp_t gfp = pick_gfp() & ~__GFP_HIGH;
	struct zone_snap before[MAX_NR_ZONES];
	int high = (int)ref_gfp_zone(gfp), any = ref_expected_zone((snap(before), before), 0, gfp);

	for (unsigned long i = 0; i < nr; i++) {
		arr[i] = rnd() % 4 == 0 ? &dummy : NULL;
		pre += arr[i] != NULL;
	}
	got = alloc_pages_bulk(gfp, nr, arr);
	added = got - pre;
	cr_assert(got >= pre && got <= nr, "seed %llu step %ld: bulk returned %lu", m->seed,
		  m->step, got);
	if (pre < nr)
		cr_assert_eq(added > 0, any >= 0, "seed %llu step %ld: bulk added %lu, zone %d",
			     m->seed, m->step, added, any);
	for (unsigned long i = 0; i < nr; i++) {
		if (!arr[i] || arr[i] == &dummy)
			continue;
		cr_assert_leq(pfn_zone(page_to_pfn(arr[i])), (unsigned int)high);
		model_take(m, arr[i], 0, gfp, (int)pfn_zone(page_to_pfn(arr[i])));
		added--;
		m->bulk_pages++;
	}
	cr_assert_eq(added, 0, "seed %llu step %ld: count and slots disagree", m->seed, m->step);
}

static void model_run(const struct fake_range *map, size_t nmap, const char *name, long dflt)
{
	long iters = test_iters(dflt), every = iters / 2000 > 300 ? iters / 2000 : 300;
	struct model m = { .seed = test_seed(name) };

	boot(map, nmap);
	m.owned = calloc(max_pfn, 1);
	m.cap = totalram_pages() + 64;
	m.live = calloc(m.cap, sizeof(*m.live));
	cr_assert(m.owned && m.live);

	/*
	 * Phases of a few hundred to a few thousand steps that mostly allocate (down to the
	 * watermarks, where failures and fallbacks happen) or mostly free (towards merging).
	 */
	long phase_left = 0;
	unsigned int alloc_share = 500;		/* per 1000 of the alloc/free steps */

	for (m.step = 0; m.step < iters; m.step++) {
		unsigned int r = (unsigned int)(rnd() % 1000);

		if (--phase_left <= 0) {
			phase_left = 200 + (long)(rnd() % 3000);
			alloc_share = rnd() % 3 ? 650 : 300;
		}
		if (r < 20)
			model_bulk(&m);
		else if (r < 30)
			drain_all_pages();
		else if (r < 31)
			model_free_everything(&m);
		else if (rnd() % 1000 < alloc_share || !m.nlive)
			model_alloc(&m);
		else
			model_free(&m, (size_t)(rnd() % m.nlive));
		model_check_counts(&m);
		if (m.step % every == 0)
			model_check_full(&m);
		if (m.step % 4096 == 0)
			printk_capture_reset();	/* keep the failure messages from filling it */
	}
	model_check_full(&m);
	model_free_everything(&m);
	model_check_full(&m);
	cr_assert_eq(nr_free_pages(), totalram_pages());
	fprintf(stderr, "%s: %ld steps: %lu allocations, %lu failed, %lu from a lower "
		"zone, %lu below LOW; %lu pages in bulk; merged back to the boot layout %lu "
		"times\n",
		name, iters, m.allocs, m.failed, m.fell_back, m.min_pass, m.bulk_pages,
		m.merged_back);
	free(m.owned);
	free(m.live);
}

Test(page_alloc, random_model_three_zones)
{
	model_run(holes_map, 4, "page_alloc/random_model_three_zones", 20000);
}

Test(page_alloc, random_model_tiny)
{
	model_run(tiny_map, 2, "page_alloc/random_model_tiny", 5000);
}
