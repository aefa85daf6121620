/*
 * The buddy allocator in the running kernel: everything it has can be allocated
 * and comes back to the same buddyinfo; zone modifiers are honoured; GFP_ATOMIC
 * may use the reserve below the min watermark that GFP_KERNEL must leave alone;
 * bad frees are caught without damaging the lists; split and merge are exact.
 */
#include <kernel/ktest.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/shrinker.h>

static void snapshot(unsigned long nr_free[MAX_NR_ZONES][MAX_ORDER])
{
	struct zone_counters zc;

	drain_all_pages();
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		zone_counters_read(z, &zc);
		memcpy(nr_free[z], zc.nr_free, sizeof(zc.nr_free));
	}
}

/*
 * Allocate order-0 pages with @gfp until it fails, chaining them through their own
 * first word (no other memory is needed to remember millions of pages).
 */
static unsigned long alloc_chain(gfp_t gfp, void **head)
{
	unsigned long n = 0;
	struct page *p;

	while ((p = alloc_page(gfp | __GFP_NOWARN))) {
		void **slot = page_address(p);

		*slot = *head;
		*head = slot;
		n++;
	}
	return n;
}

static void free_chain(void *head)
{
	while (head) {
		void *next = *(void **)head;

		free_page((unsigned long)head);
		head = next;
	}
}

static void test_all_memory_and_back(struct ktest *t)
{
	static unsigned long boot[MAX_NR_ZONES][MAX_ORDER], after[MAX_NR_ZONES][MAX_ORDER];
	unsigned long free_before, min_total = 0, kernel_pages, atomic_pages;
	void *chain = NULL;

	/* Cached pages, and the empty slabs the caches keep, would be reclaimed by the
	 * allocations below and come back as free pages, so the counts could not compare:
	 * none to start with. */
	drop_pagecache();
	shrink_slab(~0ul);
	snapshot(boot);
	free_before = nr_free_pages();
	for (int z = 0; z < MAX_NR_ZONES; z++)
		min_total += zones[z].watermark[WMARK_MIN];

	/* __GFP_NORETRY: reclaim, but no OOM killer at the end (there is no one to kill). */
	kernel_pages = alloc_chain(GFP_KERNEL | __GFP_NORETRY, &chain);
	/* GFP_KERNEL stops at the min watermarks (lowmem_reserve may stop it earlier) ... */
	KTEST_EXPECT_TRUE(t, kernel_pages + min_total <= free_before);
	KTEST_EXPECT_TRUE(t, kernel_pages > free_before / 2);
	/* ... and GFP_ATOMIC may go on into the reserve, but not to the last page. */
	atomic_pages = alloc_chain(GFP_ATOMIC, &chain);
	KTEST_EXPECT_TRUE(t, atomic_pages > 0);
	KTEST_EXPECT_TRUE(t, kernel_pages + atomic_pages < free_before);
	KTEST_EXPECT_TRUE(t, alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN) == NULL);

	free_chain(chain);
	snapshot(after);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free_before);
	KTEST_EXPECT_EQ(t, memcmp(boot, after, sizeof(boot)), 0);	/* fully coalesced */
	KTEST_EXPECT_EQ(t, page_alloc_check(), 0);
}

static void test_zone_modifiers(struct ktest *t)
{
	struct page *dma = alloc_page(GFP_DMA), *dma32 = alloc_page(GFP_DMA32);
	struct page *any = alloc_page(GFP_KERNEL);

	KTEST_ASSERT_TRUE(t, dma && dma32 && any);
	KTEST_EXPECT_TRUE(t, page_to_phys(dma) < (16ull << 20));
	KTEST_EXPECT_EQ(t, dma->zone, ZONE_DMA);
	KTEST_EXPECT_TRUE(t, page_to_phys(dma32) < (4ull << 30));
	/* With memory above 4 GiB, a plain allocation is served from ZONE_NORMAL first. */
	if (zone_populated(&zones[ZONE_NORMAL])) {
		KTEST_EXPECT_EQ(t, any->zone, ZONE_NORMAL);
		KTEST_EXPECT_TRUE(t, page_to_phys(any) >= (4ull << 30));
	} else {
		KTEST_EXPECT_EQ(t, any->zone, ZONE_DMA32);
	}
	__free_page(dma);
	__free_page(dma32);
	__free_page(any);
	if (!zone_populated(&zones[ZONE_NORMAL]))
		KTEST_SKIP(t, "no memory above 4 GiB: boot with -m 6G to see ZONE_NORMAL");
}

static void test_dma32_never_above_4g(struct ktest *t)
{
	void *chain = NULL;
	unsigned long n = 0;

	/* Take a few thousand GFP_DMA32 pages: none may lie at or above 4 GiB. */
	for (int i = 0; i < 4096; i++) {
		struct page *p = alloc_page(GFP_DMA32 | __GFP_NOWARN);

		if (!p)
			break;
		KTEST_EXPECT_TRUE(t, page_to_phys(p) < (4ull << 30));
		*(void **)page_address(p) = chain;
		chain = page_address(p);
		n++;
	}
	KTEST_EXPECT_TRUE(t, n > 0);
	free_chain(chain);
}

static void test_split_and_merge(struct ktest *t)
{
	static unsigned long before[MAX_NR_ZONES][MAX_ORDER], mid[MAX_NR_ZONES][MAX_ORDER];
	struct page *p;
	int z, o;

	snapshot(before);
	p = alloc_pages(GFP_KERNEL, 4);
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, page_to_pfn(p) % 16, 0);	/* naturally aligned */
	snapshot(mid);
	z = p->zone;
	/* The smallest order >= 4 with a free block lost one; each order between gained one. */
	for (o = 4; o < MAX_ORDER && before[z][o] == 0; o++)
		;
	KTEST_ASSERT_TRUE(t, o < MAX_ORDER);
	KTEST_EXPECT_EQ(t, mid[z][o], before[z][o] - 1);
	for (int i = 4; i < o; i++)
		KTEST_EXPECT_EQ(t, mid[z][i], before[z][i] + 1);
	__free_pages(p, 4);
	snapshot(mid);
	KTEST_EXPECT_EQ(t, memcmp(before, mid, sizeof(before)), 0);
}

static void test_zeroed_page(struct ktest *t)
{
	struct page *first = alloc_page(GFP_KERNEL), *p;
	uint8_t *b;
	bool all_zero = true;

	KTEST_ASSERT_TRUE(t, first != NULL);
	memset(page_address(first), 0xa5, PAGE_SIZE);
	__free_page(first);
	/* The per-CPU list hands the same, dirty page straight back: it must be cleared now. */
	p = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KTEST_ASSERT_TRUE(t, p == first);
	b = page_address(p);
	for (int i = 0; i < PAGE_SIZE; i++)
		all_zero &= b[i] == 0;
	KTEST_EXPECT_TRUE(t, all_zero);
	__free_page(p);
}

static void test_bad_frees_caught(struct ktest *t)
{
	unsigned long before[NR_BAD_FREE];
	struct page *p = alloc_pages(GFP_KERNEL, 2), *q = alloc_pages(GFP_KERNEL, 1);
	extern const char _text[];

	KTEST_ASSERT_TRUE(t, p && q);
	memcpy(before, page_alloc_stats.bad_free, sizeof(before));
	__free_pages(p, 2);
	__free_pages(p, 2);			/* double free */
	__free_pages(q, 0);			/* wrong order */
	__free_pages(q + 1, 0);			/* inside the block, not its head */
	__free_page(virt_to_page(_text));	/* the kernel image: reserved */
	__free_page(pfn_to_page(max_pfn + 5));	/* beyond the last frame */
	__free_pages(NULL, 0);
	KTEST_EXPECT_EQ(t, page_alloc_stats.bad_free[BAD_FREE_DOUBLE], before[BAD_FREE_DOUBLE] + 1);
	KTEST_EXPECT_EQ(t, page_alloc_stats.bad_free[BAD_FREE_ORDER], before[BAD_FREE_ORDER] + 1);
	KTEST_EXPECT_EQ(t, page_alloc_stats.bad_free[BAD_FREE_TAIL], before[BAD_FREE_TAIL] + 1);
	KTEST_EXPECT_EQ(t, page_alloc_stats.bad_free[BAD_FREE_RESERVED],
			before[BAD_FREE_RESERVED] + 1);
	KTEST_EXPECT_EQ(t, page_alloc_stats.bad_free[BAD_FREE_RANGE], before[BAD_FREE_RANGE] + 1);
	KTEST_EXPECT_EQ(t, page_alloc_stats.bad_free[BAD_FREE_NULL], before[BAD_FREE_NULL] + 1);
	__free_pages(q, 1);			/* the right way still works */
	KTEST_EXPECT_EQ(t, page_alloc_check(), 0);
}

static void test_bulk(struct ktest *t)
{
	struct page *pages[100] = { 0 };
	unsigned long n = alloc_pages_bulk(GFP_KERNEL, 100, pages);
	bool distinct = true;

	KTEST_EXPECT_EQ(t, n, 100);
	for (int i = 0; i < 100; i++)
		for (int j = i + 1; j < 100; j++)
			distinct &= pages[i] != pages[j];
	KTEST_EXPECT_TRUE(t, distinct);
	for (int i = 0; i < 100; i++)
		if (pages[i])
			__free_page(pages[i]);
	KTEST_EXPECT_EQ(t, page_alloc_check(), 0);
}

static void test_order_limits(struct ktest *t)
{
	struct page *p;

	KTEST_EXPECT_TRUE(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER) == NULL);
	p = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);	/* 4 MiB in one block */
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, page_to_pfn(p) % (1ul << (MAX_ORDER - 1)), 0);
	__free_pages(p, MAX_ORDER - 1);
}

static const struct ktest_case page_alloc_cases[] = {
	KTEST_CASE(test_all_memory_and_back),
	KTEST_CASE(test_zone_modifiers),
	KTEST_CASE(test_dma32_never_above_4g),
	KTEST_CASE(test_split_and_merge),
	KTEST_CASE(test_zeroed_page),
	KTEST_CASE(test_bad_frees_caught),
	KTEST_CASE(test_bulk),
	KTEST_CASE(test_order_limits),
	{},
};
KTEST_SUITE(page_alloc, page_alloc_cases);
