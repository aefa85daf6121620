/*
 * The slab allocator and kmalloc in the running kernel (suite "slab"): kmalloc's size
 * classes for every size from 1 to 8192 (so ksize(kmalloc(160)) is 192), kmalloc(0), kcalloc's
 * overflow check, krealloc, large kmalloc in pages, GFP_DMA below 16 MiB, kfree of pointers
 * that are not from kmalloc, slabinfo's counts, shrink giving pages back, constructors and
 * alignment, kmem_cache_destroy refusing to free objects still in use, and kmalloc and kfree
 * from interrupt handlers that come in the middle of the allocator's fast paths. The bug
 * detections of debug caches are tests/kernel/test_slab_debug.c.
 * Each case calls kmem_cache_init() first: it is idempotent, so the suite works whether or
 * not the boot has called it already.
 */
#include <asm/x86.h>
#include <kernel/irq.h>
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/shrinker.h>
#include <mm/slab.h>

/* The size classes, written out: the reference kmalloc_index is checked against. */
static size_t expected_ksize(size_t n)
{
	static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048,
					  4096, 8192 };

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (n <= classes[i])
			return classes[i];
	return 0;
}

static const char *cache_of(const void *p)
{
	struct page *page = slab_virt_to_page(p);

	return page && PageFlag(page, PG_slab) ? page->slab_cache->name : "(none)";
}

static void test_ksize_every_size(struct ktest *t)
{
	size_t bad = 0, misaligned = 0;

	kmem_cache_init();
	for (size_t n = 1; n <= KMALLOC_MAX_CACHE_SIZE; n++) {
		void *p = kmalloc(n, GFP_KERNEL);
		size_t got = ksize(p);

		if (!p || got != expected_ksize(n)) {
			if (!bad++)
				KTEST_EXPECT_EQ(t, got, expected_ksize(n));	/* the first one */
		}
		/* Power-of-two classes are naturally aligned while no red zone shifts them. */
		if (p && !(got & (got - 1)) && ((unsigned long)p & (got - 1)) &&
		    !kmem_cache_debug(slab_virt_to_page(p)->slab_cache))
			misaligned++;
		kfree(p);
	}
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, misaligned, 0);
}

static void test_kmalloc_160_is_192(struct ktest *t)
{
	void *p;

	kmem_cache_init();
	p = kmalloc(160, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, ksize(p), 192);
	KTEST_EXPECT_STREQ(t, cache_of(p), "kmalloc-192");
	memset(p, 0x5a, 192);	/* all 192 bytes are the caller's */
	kfree(p);
}

static void test_kmalloc_zero(struct ktest *t)
{
	unsigned long bugs;
	void *p;

	kmem_cache_init();
	bugs = slab_stats.bugs[SLAB_BUG_NOT_SLAB];
	p = kmalloc(0, GFP_KERNEL);
	KTEST_EXPECT_TRUE(t, p == ZERO_SIZE_PTR);
	KTEST_EXPECT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, ksize(p), 0);
	kfree(p);
	kfree(NULL);
	KTEST_EXPECT_TRUE(t, kzalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	KTEST_EXPECT_EQ(t, ksize(NULL), 0);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_NOT_SLAB], bugs);
}

static void test_kcalloc_overflow(struct ktest *t)
{
	uint8_t *p;
	bool zero = true;

	kmem_cache_init();
	KTEST_EXPECT_TRUE(t, kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL) == NULL);
	KTEST_EXPECT_TRUE(t, kcalloc(2, SIZE_MAX / 2 + 1, GFP_KERNEL) == NULL);
	KTEST_EXPECT_TRUE(t, kcalloc(1ul << 32, 1ul << 32, GFP_KERNEL) == NULL);
	/* Dirty an object, free it, and the next one of the class must still come zeroed. */
	p = kmalloc(120, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, p != NULL);
	memset(p, 0xff, 120);
	kfree(p);
	p = kcalloc(10, 12, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, p != NULL);
	for (int i = 0; i < 120; i++)
		zero &= p[i] == 0;
	KTEST_EXPECT_TRUE(t, zero);
	KTEST_EXPECT_EQ(t, ksize(p), 128);
	kfree(p);
}

static bool holds_pattern(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(i * 7 + 3))
			return false;
	return true;
}

static void test_krealloc_keeps_contents(struct ktest *t)
{
	uint8_t *p, *q;

	kmem_cache_init();
	p = kmalloc(20, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, p != NULL);
	for (int i = 0; i < 20; i++)
		p[i] = (uint8_t)(i * 7 + 3);
	q = krealloc(p, 30, GFP_KERNEL);	/* still fits the 32-byte object: in place */
	KTEST_EXPECT_TRUE(t, q == p);
	q = krealloc(p, 100, GFP_KERNEL);	/* a kmalloc-128 object, the 32 bytes copied */
	KTEST_ASSERT_TRUE(t, q != NULL);
	KTEST_EXPECT_EQ(t, ksize(q), 128);
	KTEST_EXPECT_TRUE(t, holds_pattern(q, 20));
	for (int i = 20; i < 100; i++)
		q[i] = (uint8_t)(i * 7 + 3);
	p = krealloc(q, 20000, GFP_KERNEL);	/* whole pages */
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, ksize(p), 32768);
	KTEST_EXPECT_TRUE(t, holds_pattern(p, 100));
	q = krealloc(p, 50, GFP_KERNEL);	/* shrinking never moves */
	KTEST_EXPECT_TRUE(t, q == p);
	KTEST_EXPECT_TRUE(t, holds_pattern(q, 50));
	KTEST_EXPECT_TRUE(t, krealloc(q, 0, GFP_KERNEL) == ZERO_SIZE_PTR);	/* frees */
	p = krealloc(NULL, 40, GFP_KERNEL);
	KTEST_EXPECT_EQ(t, ksize(p), 64);
	kfree(p);
}

static void test_large_kmalloc_in_pages(struct ktest *t)
{
	unsigned long before;
	struct page *page;
	void *p;

	kmem_cache_init();
	drain_all_pages();
	before = nr_free_pages();
	p = kmalloc(10000, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, p != NULL);
	page = slab_virt_to_page(p);
	KTEST_EXPECT_EQ(t, ksize(p), 16384);
	KTEST_EXPECT_EQ(t, page->order, 2);
	KTEST_EXPECT_TRUE(t, PageFlag(page, PG_head) && !PageFlag(page, PG_slab));
	KTEST_EXPECT_EQ(t, nr_free_pages(), before - 4);
	kfree(p);
	KTEST_EXPECT_EQ(t, nr_free_pages(), before);
	KTEST_EXPECT_TRUE(t, kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN) == NULL);
	p = kmalloc(8193, GFP_KERNEL);
	KTEST_EXPECT_EQ(t, ksize(p), 16384);
	kfree(p);
}

static void test_gfp_dma_below_16m(struct ktest *t)
{
	uint8_t *p = NULL, *big;
	bool zero = true;

	kmem_cache_init();
	if (!zone_populated(&zones[ZONE_DMA]))
		KTEST_SKIP(t, "no ZONE_DMA");
	p = kzalloc(100, GFP_KERNEL | GFP_DMA);
	big = kmalloc(20000, GFP_DMA);
	KTEST_ASSERT_TRUE(t, p && big);
	KTEST_EXPECT_TRUE(t, __pa(p) + 128 <= (16ul << 20));
	KTEST_EXPECT_TRUE(t, __pa(big) + 32768 <= (16ul << 20));
	KTEST_EXPECT_STREQ(t, cache_of(p), "dma-kmalloc-128");
	for (int i = 0; i < 100; i++)
		zero &= p[i] == 0;
	KTEST_EXPECT_TRUE(t, zero);
	kfree(p);
	kfree(big);
}

static void test_kfree_of_foreign_pointers(struct ktest *t)
{
	static char in_image[64];
	unsigned long bugs;
	struct page *page;
	char on_stack[16];
	char *big;

	kmem_cache_init();
	bugs = slab_stats.bugs[SLAB_BUG_NOT_SLAB];
	kfree(on_stack);
	kfree(in_image);
	KTEST_EXPECT_EQ(t, ksize(in_image), 0);
	page = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, page != NULL);
	kfree(page_address(page));		/* a page, but not a kmalloc */
	KTEST_EXPECT_EQ(t, page->refcount, 1);	/* untouched */
	__free_page(page);
	big = kmalloc(20000, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, big != NULL);
	kfree(big + PAGE_SIZE);			/* inside a large kmalloc */
	kfree(big);
	kfree(big);				/* twice: its pages are free now */
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_NOT_SLAB], bugs + 6);
	KTEST_EXPECT_EQ(t, page_alloc_check(), 0);
}

static void test_slabinfo_counts(struct ktest *t)
{
	static void *objs[50];
	char row[192], want[192];
	struct kmem_cache *s;
	struct slabinfo si;
	unsigned int slabs;

	kmem_cache_init();
	s = kmem_cache_create("ktest-count", 100, 0, 0, NULL);
	KTEST_ASSERT_TRUE(t, s != NULL);
	if (!kmem_cache_debug(s)) {	/* slub_debug adds red zones and call sites */
		KTEST_EXPECT_EQ(t, s->size, 104);
		KTEST_EXPECT_EQ(t, s->objects, 39);
	}
	for (int i = 0; i < 50; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	slabs = (50 + s->objects - 1) / s->objects;
	kmem_cache_get_info(s, &si);
	KTEST_EXPECT_EQ(t, si.active_objs, 50);
	KTEST_EXPECT_EQ(t, si.num_slabs, slabs);
	KTEST_EXPECT_EQ(t, si.num_objs, slabs * s->objects);
	slabinfo_format_row(row, sizeof(row), &si);
	snprintf(want, sizeof(want), "%-17s %6d %6u %6u %4u %4d : tunables %4d %4d %4d : slabdata "
		 "%6u %6u %6d\n", "ktest-count", 50, slabs * s->objects, s->size, s->objects,
		 1 << s->order, 0, 0, 0, slabs, slabs, 0);
	KTEST_EXPECT_STREQ(t, row, want);
	for (int i = 0; i < 20; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_get_info(s, &si);
	KTEST_EXPECT_EQ(t, si.active_objs, 30);
	for (int i = 20; i < 50; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_get_info(s, &si);
	KTEST_EXPECT_EQ(t, si.active_objs, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_check(s), 0);
	kmem_cache_destroy(s);
	KTEST_EXPECT_TRUE(t, kmem_cache_find("ktest-count") == NULL);
}

static void test_shrink_gives_pages_back(struct ktest *t)
{
	static void *objs[200];
	unsigned long before;
	struct kmem_cache *s;
	struct slabinfo si;

	kmem_cache_init();
	s = kmem_cache_create("ktest-shrink", 1000, 0, 0, NULL);
	KTEST_ASSERT_TRUE(t, s != NULL);
	if (!kmem_cache_debug(s))
		KTEST_EXPECT_EQ(t, s->order, 2);	/* 16 objects of 1000 bytes per slab */
	for (int i = 0; i < 200; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_get_info(s, &si);
	KTEST_EXPECT_EQ(t, si.num_slabs, (200 + s->objects - 1) / s->objects);
	for (int i = 0; i < 200; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_get_info(s, &si);
	KTEST_EXPECT_TRUE(t, si.num_slabs > 0 && si.num_slabs <= 3);	/* 2 empty + active */
	before = nr_free_pages();
	KTEST_EXPECT_EQ(t, kmem_cache_shrink(s), 0);
	KTEST_EXPECT_EQ(t, nr_free_pages(), before + (si.num_slabs << s->order));
	kmem_cache_get_info(s, &si);
	KTEST_EXPECT_EQ(t, si.num_slabs, 0);
	kmem_cache_destroy(s);
}

/*
 * The slab shrinker (mm/slab_shrinker.c): the empty slabs a cache keeps after its objects
 * are freed are memory reclaim can have; shrink_slab gives exactly those pages back.
 */
static void test_shrinker_frees_the_kept_empty_slabs(struct ktest *t)
{
	static void *objs[200];
	unsigned long kept, before, freed;
	struct kmem_cache *s = kmem_cache_create("ktest-shrinker", 1000, 0, 0, NULL);

	KTEST_ASSERT_TRUE(t, s != NULL);
	for (int i = 0; i < 200; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 0; i < 200; i++)
		kmem_cache_free(s, objs[i]);
	kept = kmem_cache_pages(true);
	ktest_diag(t, "%lu pages in empty slabs kept by the caches", kept);
	KTEST_EXPECT_TRUE(t, kept >= (1ul << s->order));	/* ours keeps one at least */
	before = nr_free_pages();
	freed = shrink_slab(1ul << 30);
	KTEST_EXPECT_EQ(t, freed, kept);
	KTEST_EXPECT_EQ(t, kmem_cache_pages(true), 0);
	KTEST_EXPECT_TRUE(t, nr_free_pages() >= before + freed);
	kmem_cache_destroy(s);
}

static int ctor_calls;

static void foo_ctor(void *p)
{
	memset(p, 0x3c, 117);
	ctor_calls++;
}

static void test_constructor_and_alignment(struct ktest *t)
{
	static uint8_t *objs[40];
	struct kmem_cache *s, *a;
	bool constructed = true, aligned = true;

	kmem_cache_init();
	s = kmem_cache_create("ktest-ctor", 117, 0, 0, foo_ctor);
	a = kmem_cache_create("ktest-align", 40, 64, SLAB_HWCACHE_ALIGN, NULL);
	KTEST_ASSERT_TRUE(t, s && a);
	ctor_calls = 0;
	for (int i = 0; i < 40; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		for (int b = 0; b < 117; b++)
			constructed &= objs[i][b] == 0x3c;
	}
	KTEST_EXPECT_TRUE(t, constructed);
	KTEST_EXPECT_EQ(t, ctor_calls, 2 * s->objects);	/* once per object of each slab */
	for (int i = 0; i < 40; i++)
		kmem_cache_free(s, objs[i]);
	for (int i = 0; i < 40; i++) {
		objs[i] = kmem_cache_alloc(a, GFP_KERNEL);
		aligned &= ((unsigned long)objs[i] & 63) == 0;
	}
	KTEST_EXPECT_TRUE(t, aligned);
	for (int i = 0; i < 40; i++)
		kmem_cache_free(a, objs[i]);
	KTEST_EXPECT_EQ(t, kmem_cache_create("ktest-bad", 10, 3, 0, NULL) == NULL, 1);
	KTEST_EXPECT_EQ(t, kmem_cache_create("ktest-huge", 40000, 0, 0, NULL) == NULL, 1);
	kmem_cache_destroy(s);
	kmem_cache_destroy(a);
}

static void test_destroy_with_live_objects_leaks(struct ktest *t)
{
	unsigned long bugs;
	struct kmem_cache *s;
	char *p[3];

	kmem_cache_init();
	bugs = slab_stats.bugs[SLAB_BUG_DESTROY_BUSY];
	s = kmem_cache_create("ktest-leak", 64, 0, SLAB_STORE_USER, NULL);
	KTEST_ASSERT_TRUE(t, s != NULL);
	for (int i = 0; i < 3; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_destroy(s);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_DESTROY_BUSY], bugs + 1);
	KTEST_EXPECT_TRUE(t, s->leaked);
	KTEST_EXPECT_TRUE(t, kmem_cache_find("ktest-leak") == s);	/* still listed */
	for (int i = 0; i < 3; i++)
		memset(p[i], 0x11, 64);		/* the memory is still the owners' */
	KTEST_EXPECT_EQ(t, kmem_cache_check(s), 0);
}

/*
 * Interrupt handlers kmalloc and kfree while the interrupted code does too, on the same
 * cache: the per-CPU fast paths run with interrupts on, and a handler that comes in the
 * middle of one finds the cache busy and must take the paths that leave this CPU's state
 * alone (include/mm/slab.h: slab_cpu_enter). The PIT fires IRQ 0 at about 20 kHz while the
 * loop below allocates and frees kmalloc-64 objects; the handler swaps one of its own.
 */
#define PIT_CMD		0x43
#define PIT_CH0		0x40
#define PIT_DIVISOR	60	/* 1193182 Hz / 60: about 20 kHz */
#define IRQ_HELD	16

static struct {
	struct kmem_cache *s;
	void *held[IRQ_HELD];
	unsigned long calls, busy_seen, failed;
} irq_slab;

static void slab_irq_handler(unsigned int irq, void *data)
{
	unsigned int i = irq_slab.calls++ % IRQ_HELD;

	(void)irq;
	(void)data;
	if (this_cpu_slab(irq_slab.s)->busy)	/* it came in the middle of the allocator */
		irq_slab.busy_seen++;
	kfree(irq_slab.held[i]);
	irq_slab.held[i] = kmalloc(64, GFP_ATOMIC);
	if (irq_slab.held[i])
		memset(irq_slab.held[i], 0x5a, 64);
	else
		irq_slab.failed++;
}

static void test_kmalloc_from_interrupts(struct ktest *t)
{
	static char *ring[64];
	unsigned long before, loops = 0;
	struct slabinfo si;

	kmem_cache_init();
	irq_slab.s = kmalloc_caches[KMALLOC_NORMAL][6];
	KTEST_ASSERT_TRUE(t, irq_slab.s != NULL);
	kmem_cache_get_info(irq_slab.s, &si);
	before = si.active_objs;
	KTEST_ASSERT_EQ(t, request_irq(0, slab_irq_handler, "ktest-slab", NULL), 0);
	outb(PIT_CMD, 0x34);	/* channel 0, low then high byte, rate generator */
	outb(PIT_CH0, PIT_DIVISOR & 0xff);
	outb(PIT_CH0, PIT_DIVISOR >> 8);
	for (; loops < 4000000 && irq_slab.busy_seen < 200; loops++) {
		unsigned int i = (unsigned int)(loops * 7) % ARRAY_SIZE(ring);

		kfree(ring[i]);
		ring[i] = kmalloc(40 + loops % 25, GFP_KERNEL);
		if (ring[i])
			ring[i][0] = (char)loops;
	}
	free_irq(0);
	for (size_t i = 0; i < ARRAY_SIZE(ring); i++) {
		kfree(ring[i]);
		ring[i] = NULL;
	}
	for (int i = 0; i < IRQ_HELD; i++) {
		kfree(irq_slab.held[i]);
		irq_slab.held[i] = NULL;
	}
	pr_info("ktest slab: %lu loops, %lu interrupts, %lu of them inside the allocator\n",
		loops, irq_slab.calls, irq_slab.busy_seen);
	KTEST_EXPECT_TRUE(t, irq_slab.busy_seen > 0);
	KTEST_EXPECT_EQ(t, irq_slab.failed, 0);
	kmem_cache_get_info(irq_slab.s, &si);
	KTEST_EXPECT_EQ(t, si.active_objs, before);
	KTEST_EXPECT_EQ(t, kmem_cache_check(irq_slab.s), 0);
}

static void test_every_cache_consistent(struct ktest *t)
{
	kmem_cache_init();
	KTEST_EXPECT_EQ(t, kmem_cache_check_all(), 0);
}

static const struct ktest_case slab_cases[] = {
	KTEST_CASE(test_ksize_every_size),
	KTEST_CASE(test_kmalloc_160_is_192),
	KTEST_CASE(test_kmalloc_zero),
	KTEST_CASE(test_kcalloc_overflow),
	KTEST_CASE(test_krealloc_keeps_contents),
	KTEST_CASE(test_large_kmalloc_in_pages),
	KTEST_CASE(test_gfp_dma_below_16m),
	KTEST_CASE(test_kfree_of_foreign_pointers),
	KTEST_CASE(test_slabinfo_counts),
	KTEST_CASE(test_shrink_gives_pages_back),
	KTEST_CASE(test_shrinker_frees_the_kept_empty_slabs),
	KTEST_CASE(test_constructor_and_alignment),
	KTEST_CASE(test_destroy_with_live_objects_leaks),
	KTEST_CASE(test_kmalloc_from_interrupts),
	KTEST_CASE(test_every_cache_consistent),
	{}
};
KTEST_SUITE(slab, slab_cases);
