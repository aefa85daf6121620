/*
 * Host unit tests of the slab allocator and kmalloc (mm/slab*.c, mm/kmalloc.c) with Criterion
 * under ASan/UBSan, on the fake machine of fake_machine.c (which owns host_phys_base and
 * cpus[]): 64 MiB of "RAM" in one MAP_NORESERVE mapping, its mem_map in another, zones
 * and the buddy allocator booted over [4 KiB, 636 KiB) and [1 MiB, 64 MiB), then
 * kmem_cache_init(). slab_host_reset() forgets the previous test's caches first.
 *
 * The targeted tests pin the size classes (every size 1..8192, large blocks, 0), kcalloc's
 * overflow check, krealloc, the slot layout and slab order of typical caches, constructors,
 * shrink and the empty slabs kept, kmem_cache_destroy with and without live objects, GFP_DMA,
 * kfree of foreign pointers, frees from another CPU (through the inbox), running out of memory.
 *
 * The randomized model test allocates and frees across six caches (small, constructor,
 * aligned, order-3, debug, DMA) and kmalloc sizes 1..20000 (GFP_DMA, kzalloc, krealloc
 * mixed in), switching between four pretend CPUs (cpus[0].id: the host has one this_cpu()),
 * one operation in twenty as if from an interrupt handler (every cache's per-CPU part busy).
 * It keeps every live object in a hash set and checks each new one: never handed out twice,
 * aligned, constructed or zeroed when it should be, ksize, below 16 MiB for DMA; every object
 * is filled with a pattern of its own that must be intact when it is freed (an overlap or a
 * stray allocator write shows there). Objects in use per cache must match slabinfo after every
 * step; kmem_cache_check_all() and page_alloc_check() must find nothing every few hundred
 * steps; and after "free everything" and shrinking every cache, the pages must all be back.
 * A second run does the same with slub_debug on every cache. Seed: TEST_SEED or the clock,
 * printed; TEST_ITERS sets the steps (default 20000 and 5000; `make soak` runs 10 million).
 * The debug detections and the report formats are tests/host/test_slab_debug.c.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kernel/percpu.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#include "fake_machine.h"
#include "printk_stub.h"

#define MiB (1ul << 20)
#define MACHINE_END (64 * MiB)

unsigned long slab_machine_free_pages;	/* free pages before kmem_cache_init */

/* Shared with test_slab_debug.c: boot the fake machine and the slab allocator on it. */
void slab_machine_boot(const char *slub_debug)
{
	static const struct fake_range ram[] = {
		{ 0x1000, 0x9f000 }, { MiB, MACHINE_END },
	};

	fake_machine_boot(ram, 2);
	memset(cpus, 0, sizeof(cpus));
	slab_host_reset();
	if (slub_debug)
		cr_assert_eq(slub_debug_setup(*slub_debug ? slub_debug : NULL), 0);
	drain_all_pages();
	slab_machine_free_pages = nr_free_pages();
	kmem_cache_init();
	printk_capture_reset();
}

void slab_machine_teardown(void)
{
	fake_machine_teardown();
	cpus[0].id = 0;
}

static void boot_plain(void)
{
	slab_machine_boot(NULL);
}

TestSuite(slab, .init = boot_plain, .fini = slab_machine_teardown);

static unsigned long active(struct kmem_cache *s)
{
	struct slabinfo si;

	kmem_cache_get_info(s, &si);
	return si.active_objs;
}

static unsigned long slabs_of(struct kmem_cache *s)
{
	struct slabinfo si;

	kmem_cache_get_info(s, &si);
	return si.num_slabs;
}

/* Pages held in slabs by every cache. */
static unsigned long slab_pages(void)
{
	struct kmem_cache *s;
	unsigned long n = 0;

	list_for_each_entry(s, &slab_caches, list)
		n += s->nr_slabs << s->order;
	return n;
}

static size_t ref_class(size_t n)
{
	static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048,
					  4096, 8192 };

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (n <= classes[i])
			return classes[i];
	for (size_t pages = 1;; pages *= 2)
		if (n <= pages * PAGE_SIZE)
			return pages * PAGE_SIZE;
}

/* ---- boot and the size classes ---- */

Test(slab, boot_creates_the_kmalloc_caches)
{
	static const struct {
		const char *name;
		unsigned int size, objects, order;
	} want[] = {
		{ "kmalloc-8", 8, 512, 0 },	{ "kmalloc-16", 16, 256, 0 },
		{ "kmalloc-32", 32, 128, 0 },	{ "kmalloc-64", 64, 64, 0 },
		{ "kmalloc-96", 96, 42, 0 },	{ "kmalloc-128", 128, 32, 0 },
		{ "kmalloc-192", 192, 21, 0 },	{ "kmalloc-256", 256, 16, 0 },
		{ "kmalloc-512", 512, 16, 1 },	{ "kmalloc-1k", 1024, 16, 2 },
		{ "kmalloc-2k", 2048, 16, 3 },	{ "kmalloc-4k", 4096, 8, 3 },
		{ "kmalloc-8k", 8192, 4, 3 },	{ "dma-kmalloc-192", 192, 21, 0 },
	};
	unsigned long n = 0;
	struct kmem_cache *s;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		s = kmem_cache_find(want[i].name);
		cr_assert_not_null(s, "%s", want[i].name);
		cr_assert_eq(s->size, want[i].size, "%s", want[i].name);
		cr_assert_eq(s->objects, want[i].objects, "%s", want[i].name);
		cr_assert_eq(s->order, want[i].order, "%s", want[i].name);
		cr_assert(s->flags & SLAB_KMALLOC);
	}
	cr_assert_eq(kmem_cache_find("dma-kmalloc-8")->allocflags, __GFP_DMA);
	list_for_each_entry(s, &slab_caches, list)
		n++;
	cr_assert_eq(n, 27, "kmem_cache and 2 x 13 kmalloc caches");
	cr_assert_str_eq(list_first_entry(&slab_caches, struct kmem_cache, list)->name,
			 "dma-kmalloc-8k", "newest first");
	kmem_cache_init();	/* again: nothing changes */
	n = 0;
	list_for_each_entry(s, &slab_caches, list)
		n++;
	cr_assert_eq(n, 27);
	cr_assert_eq(kmem_cache_check_all(), 0);
}

Test(slab, ksize_of_every_size)
{
	for (size_t n = 1; n <= KMALLOC_MAX_CACHE_SIZE + 3 * PAGE_SIZE; n++) {
		void *p = kmalloc(n, GFP_KERNEL);

		cr_assert_not_null(p, "kmalloc(%zu)", n);
		cr_assert_eq(ksize(p), ref_class(n), "kmalloc(%zu): ksize %zu", n, ksize(p));
		if (!(ref_class(n) & (ref_class(n) - 1)))	/* a power of 2: aligned to it */
			cr_assert_eq((uintptr_t)p & (ref_class(n) - 1), 0, "%zu: %p", n, p);
		kfree(p);
	}
	cr_assert_eq(ksize(kmalloc(160, GFP_KERNEL)), 192);
	cr_assert_eq(kmalloc_large_stats.pages, 0);
	cr_assert_eq(kmem_cache_check_all(), 0);
}

Test(slab, zero_null_and_overflow)
{
	void *p = kmalloc(0, GFP_KERNEL);

	cr_assert_eq(p, ZERO_SIZE_PTR);
	cr_assert_eq(ksize(p), 0);
	kfree(p);
	kfree(NULL);
	cr_assert_eq(kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	cr_assert_null(kcalloc(SIZE_MAX / 3, 4, GFP_KERNEL));
	cr_assert_null(kcalloc(1ul << 33, 1ul << 31, GFP_KERNEL));
	cr_assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	cr_assert(strstr(printk_captured(), "largest block of pages"), "%s", printk_captured());
	cr_assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	p = kcalloc(7, 9, GFP_KERNEL);
	cr_assert_eq(ksize(p), 64);
	for (int i = 0; i < 63; i++)
		cr_assert_eq(((uint8_t *)p)[i], 0);
	kfree(p);
	for (int i = 0; i < NR_SLAB_BUGS; i++)
		cr_assert_eq(slab_stats.bugs[i], 0);
}

Test(slab, krealloc_keeps_contents)
{
	uint8_t *p = kmalloc(10, GFP_KERNEL), *q;

	for (int i = 0; i < 10; i++)
		p[i] = (uint8_t)(i + 1);
	cr_assert_eq(krealloc(p, 16, GFP_KERNEL), p, "fits: in place");
	q = krealloc(p, 3000, GFP_KERNEL);
	cr_assert_neq(q, p);
	cr_assert_eq(ksize(q), 4096);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(q[i], i + 1);
	memset(q + 10, 0x77, 2990);
	p = krealloc(q, 100000, GFP_KERNEL);
	cr_assert_eq(ksize(p), 131072);
	cr_assert_eq(p[9], 10);
	cr_assert_eq(p[2999], 0x77);
	cr_assert_eq(krealloc(p, 1, GFP_KERNEL), p, "shrinking does not move");
	cr_assert_eq(krealloc(p, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	cr_assert_eq(kmalloc_large_stats.pages, 0, "freed by krealloc(p, 0)");
	q = krealloc(NULL, 70, GFP_KERNEL);
	cr_assert_eq(ksize(q), 96);
	kfree(q);
	cr_assert_eq(active(kmem_cache_find("kmalloc-96")), 0);
	cr_assert_eq(active(kmem_cache_find("kmalloc-4k")), 0);
}

/* ---- layout ---- */

static void foo_ctor(void *p)
{
	memset(p, 0xc5, 117);
}

Test(slab, layouts_and_orders)
{
	struct kmem_cache *foo = kmem_cache_create("foo", 117, 0, 0, NULL);
	struct kmem_cache *ctor = kmem_cache_create("foo-ctor", 117, 0, 0, foo_ctor);
	struct kmem_cache *hw = kmem_cache_create("hw", 20, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *dbg = kmem_cache_create("dbg", 117, 0, SLAB_DEBUG, NULL);
	struct kmem_cache *big = kmem_cache_create("big", 7000, 0, 0, NULL);

	cr_assert(foo && ctor && hw && dbg && big);
	/* 117 -> 120 (8-aligned), 34 per page, free pointer in the object's first word */
	cr_assert_eq(foo->size, 120);
	cr_assert_eq(foo->objects, 34);
	cr_assert_eq(foo->order, 0);
	cr_assert_eq(foo->offset, 0);
	/* a constructed object keeps its bytes: the free pointer goes behind it */
	cr_assert_eq(ctor->offset, 120);
	cr_assert_eq(ctor->size, 128);
	cr_assert_eq(ctor->objects, 32);
	/* a small object shares the cache line: 32-byte alignment for 20 bytes */
	cr_assert_eq(hw->align, 32);
	cr_assert_eq(hw->size, 32);
	/* 8 left red zone + 117 + 11 right red zone + free pointer + 2 tracks of 16 */
	cr_assert_eq(dbg->red_left_pad, 8);
	cr_assert_eq(dbg->inuse, 128);
	cr_assert_eq(dbg->offset, 128);
	cr_assert_eq(dbg->size, 8 + 128 + 8 + 32);
	/* 7000: no order wastes <= 1/8 with 16 objects; order 3 holds 4, wasting 14.5% */
	cr_assert_eq(big->order, 3);
	cr_assert_eq(big->objects, 4);
	cr_assert_null(kmem_cache_create("huge", 32769, 0, 0, NULL));
	cr_assert_null(kmem_cache_create("odd-align", 64, 24, 0, NULL));
	cr_assert_null(kmem_cache_create("", 64, 0, 0, NULL));
	cr_assert_null(kmem_cache_create("bad-flags", 64, 0, 0x80000000u, NULL));
	cr_assert_eq(printk_count(3), 4, "%s", printk_captured());
}

Test(slab, constructor_runs_once_per_object)
{
	struct kmem_cache *s = kmem_cache_create("foo-ctor", 117, 0, 0, foo_ctor);
	uint8_t *objs[100];

	for (int i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		for (int b = 0; b < 117; b++)
			cr_assert_eq(objs[i][b], 0xc5);
		objs[i][0] = 1;		/* in use ... */
	}
	for (int i = 0; i < 100; i++) {
		objs[i][0] = 0xc5;	/* ... and back in the constructed state to be freed */
		kmem_cache_free(s, objs[i]);
	}
	for (int i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		for (int b = 0; b < 117; b++)
			cr_assert_eq(objs[i][b], 0xc5, "the free pointer must stay out of it");
	}
	for (int i = 0; i < 100; i++)
		kmem_cache_free(s, objs[i]);
	cr_assert_eq(kmem_cache_check(s), 0);
}

/* ---- shrink, destroy ---- */

Test(slab, empty_slabs_kept_then_shrunk)
{
	struct kmem_cache *s = kmem_cache_create("shrinky", 500, 0, 0, NULL);
	unsigned long before, pages_before = nr_free_pages();
	void *objs[300];

	cr_assert_eq(s->order, 1);	/* 16 per 8 KiB */
	for (int i = 0; i < 300; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	cr_assert_eq(slabs_of(s), 19);
	cr_assert_eq(nr_free_pages(), pages_before - 38);
	for (int i = 0; i < 300; i++)
		kmem_cache_free(s, objs[i]);
	cr_assert_eq(s->nr_empty, 2, "two empty slabs are kept ...");
	cr_assert_eq(slabs_of(s), 3, "... and the CPU's active slab");
	cr_assert_eq(active(s), 0);
	before = nr_free_pages();
	cr_assert_eq(kmem_cache_shrink(s), 0);
	cr_assert_eq(slabs_of(s), 0);
	cr_assert_eq(nr_free_pages(), before + 6);
	cr_assert_eq(nr_free_pages(), pages_before);
	cr_assert_eq(kmem_cache_check(s), 0);
}

Test(slab, destroy_frees_the_cache_or_leaks_it)
{
	struct kmem_cache *kc = kmem_cache_find("kmem_cache");
	unsigned long caches = active(kc);
	struct kmem_cache *s = kmem_cache_create("tmp", 64, 0, 0, NULL);
	void *p[5];

	cr_assert_eq(active(kc), caches + 1);
	for (int i = 0; i < 5; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 0; i < 5; i++)
		kmem_cache_free(s, p[i]);
	kmem_cache_destroy(s);
	cr_assert_eq(active(kc), caches, "the struct kmem_cache went back");
	cr_assert_null(kmem_cache_find("tmp"));

	s = kmem_cache_create("leaky", 64, 0, SLAB_STORE_USER, NULL);
	for (int i = 0; i < 5; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p[1]);
	printk_capture_reset();
	kmem_cache_destroy(s);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DESTROY_BUSY], 1);
	cr_assert(strstr(printk_captured(), "BUG leaky (Not tainted): Objects remaining in leaky "
					    "on kmem_cache_destroy()"), "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "kmem_cache_destroy leaky: Slab cache still has "
					    "objects when called from "), "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "4 objects in use"), "%s", printk_captured());
	cr_assert_eq(strstr(printk_captured(), "allocated in") != NULL, 1);
	cr_assert_eq(kmem_cache_find("leaky"), s, "leaked, still listed");
	cr_assert(s->leaked);
	memset(p[0], 1, 64);		/* the objects are still the callers' */
	cr_assert_eq(active(s), 4);
	cr_assert_eq(kmem_cache_check(s), 0);
	kmem_cache_destroy(kmem_cache_find("kmalloc-64"));
	cr_assert(strstr(printk_captured(), "built-in cache"));
}

/* ---- kfree of what kmalloc did not hand out ---- */

Test(slab, kfree_of_foreign_pointers_is_reported)
{
	char *heap = malloc(64), *big = kmalloc(50000, GFP_KERNEL);
	struct page *page = alloc_pages(GFP_KERNEL, 2);
	unsigned long free_before;

	kfree(heap);				/* not in the fake RAM at all */
	kfree(page_address(&mem_map[0]));	/* a reserved frame */
	kfree(page_address(page));		/* pages, but not a kmalloc (order >= 2 too) */
	kfree(big + 100);			/* inside a large kmalloc */
	cr_assert_eq(ksize(heap), 0);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_NOT_SLAB], 5);
	cr_assert(strstr(printk_captured(), "BUG kmalloc (Not tainted): Not a slab object"));
	cr_assert(strstr(printk_captured(), "not an address in the direct map of RAM"));
	cr_assert(strstr(printk_captured(), "a reserved frame"));
	cr_assert(strstr(printk_captured(), "inside a block of pages"));
	cr_assert_eq(page->refcount, 1);
	free_before = nr_free_pages();
	kfree(big);
	cr_assert_eq(nr_free_pages(), free_before + 16);
	kfree(big);				/* again: its pages are free */
	cr_assert(strstr(printk_captured(), "a free frame"), "%s", printk_captured());
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_NOT_SLAB], 6);
	__free_pages(page, 2);
	free(heap);
	cr_assert_eq(page_alloc_check(), 0);
}

Test(slab, gfp_dma_objects_below_16m)
{
	for (int i = 0; i < 200; i++) {
		size_t n = 1 + (size_t)i * 97 % 12000;
		char *p = kmalloc(n, GFP_DMA);

		cr_assert_not_null(p);
		cr_assert_leq(__pa(p) + ksize(p), 16 * MiB, "kmalloc(%zu, GFP_DMA)", n);
		if (n <= KMALLOC_MAX_CACHE_SIZE)
			cr_assert_eq(strncmp(slab_virt_to_page(p)->slab_cache->name, "dma-", 4), 0);
	}
	cr_assert_gt(active(kmem_cache_find("dma-kmalloc-8k")), 0);
	cr_assert_eq(active(kmem_cache_find("kmalloc-8k")), 0);
}

/* ---- another CPU ---- */

Test(slab, frees_from_another_cpu_refill_the_owner)
{
	struct kmem_cache *s = kmem_cache_create("remote", 256, 0, 0, NULL);
	void *objs[16], *again[16];
	struct page *head;

	cpus[0].id = 1;				/* pretend to be CPU 1 */
	for (int i = 0; i < 16; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	head = s->cpu_slab[1].page;
	cr_assert_not_null(head, "CPU 1's active slab");
	cr_assert_null(s->cpu_slab[1].freelist, "16 of 16 handed out");
	cpus[0].id = 0;				/* CPU 0 frees them all */
	for (int i = 0; i < 16; i++)
		kmem_cache_free(s, objs[i]);
	cr_assert_eq(s->cpu_slab[1].inbox, objs[15], "they went to CPU 1's inbox, last first");
	cr_assert_eq(head->inuse, 16, "CPU 1's slab is untouched ...");
	cr_assert_eq(s->cpu_slab[1].page, head, "... and still CPU 1's");
	cr_assert_eq(active(s), 0, "the frees count at once");
	cr_assert_eq(kmem_cache_check(s), 0);
	kmem_cache_free(s, objs[15]);		/* pushed last: recognised */
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DOUBLE_FREE], 1);
	cr_assert_eq(active(s), 0);
	cpus[0].id = 1;
	for (int i = 0; i < 16; i++)
		again[i] = kmem_cache_alloc(s, GFP_KERNEL);
	cr_assert_eq(s->nr_slabs, 1, "CPU 1 refilled from its inbox, no new slab");
	cr_assert_null(s->cpu_slab[1].inbox);
	for (int i = 0; i < 16; i++)
		kmem_cache_free(s, again[i]);
	cpus[0].id = 0;
	cr_assert_eq(kmem_cache_check(s), 0);
	kmem_cache_destroy(s);
}

Test(slab, out_of_memory_fails_cleanly)
{
	void **chain = NULL, **p;
	unsigned long n = 0;

	while ((p = kmalloc(2048, GFP_KERNEL | __GFP_NOWARN))) {
		*p = chain;
		chain = p;
		n++;
	}
	cr_assert_gt(n, 20000);
	cr_assert_gt(slab_stats.alloc_fail, 0);
	cr_assert_null(kmalloc(2048, GFP_KERNEL));
	cr_assert(strstr(printk_captured(), "SLUB: Unable to allocate memory"), "%s",
		  printk_captured());
	cr_assert_eq(kmem_cache_check_all(), 0);
	while (chain) {
		p = *chain;
		kfree(chain);
		chain = p;
	}
	cr_assert_eq(active(kmem_cache_find("kmalloc-2k")), 0);
	kmem_cache_shrink(kmem_cache_find("kmalloc-2k"));
	drain_all_pages();
	cr_assert_eq(nr_free_pages() + slab_pages(), slab_machine_free_pages);
}
