/*
 * demo=slab: a custom cache for the course's 117-byte struct foo, watched through its
 * /proc/slabinfo row while objects come and go, then kmalloc's size classes through ksize.
 *  0. kmem_cache_create: 117 bytes round up to a 120-byte slot (8-byte aligned, for the
 *     free pointer), 34 slots per 4 KiB slab, 16 bytes left over; the course's bitmap
 *     version also fits 34, but spends 118 bytes of each page on the bitmap;
 *  1. 100 objects: 3 slabs (34 + 34 + 32);
 *  2. all freed: no object in use, but the slabs stay: the CPU's active slab and up to two
 *     empty ones are kept for the next allocations;
 *  3. kmem_cache_shrink: the empty slabs go back to the buddy allocator;
 *  4. ksize of kmalloc for a range of sizes: the class each lands in and the bytes lost.
 */
#include <kernel/console.h>
#include <kernel/demo.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

struct foo {
	char bytes[117];
};

#define NR_FOO 100

static void show(const char *step, struct kmem_cache *s)
{
	struct slabinfo si;
	char row[192];

	kmem_cache_get_info(s, &si);
	slabinfo_format_row(row, sizeof(row), &si);
	console_printf("\n%s\n  %s", step, row);
}

static void show_ksize(void)
{
	static const size_t sizes[] = { 1, 8, 9, 50, 96, 100, 117, 160, 192, 200, 500, 1000,
					3000, 5000, 8192, 8193, 20000 };

	console_puts("\n4. kmalloc(size) hands out ksize() bytes: the next size class\n");
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = kmalloc(sizes[i], GFP_KERNEL);
		struct page *page = p ? slab_virt_to_page(p) : NULL;
		size_t got = ksize(p);

		if (!p)
			continue;
		console_printf("  kmalloc(%5zu): ksize %5zu, %5zu bytes (%2zu%%) unused, from %s\n",
			       sizes[i], got, got - sizes[i], (got - sizes[i]) * 100 / got,
			       PageFlag(page, PG_slab) ? page->slab_cache->name : "whole pages");
		kfree(p);
	}
}

static void demo_slab(void)
{
	static struct foo *objs[NR_FOO];
	struct kmem_cache *s;
	unsigned long free_before;

	kmem_cache_init();	/* a no-op once the boot has done it */
	s = kmem_cache_create("foo", sizeof(struct foo), 0, 0, NULL);
	if (!s) {
		console_puts("demo: cannot create the cache\n");
		return;
	}
	console_printf("kmem_cache_create(\"foo\", %zu): %u-byte slots, %u per %lu-byte slab, %lu "
		       "bytes left over; a free object keeps the free pointer at offset %u\n",
		       sizeof(struct foo), s->size, s->objects, s->slab_bytes,
		       s->slab_bytes - (unsigned long)s->objects * s->size, s->offset);
	console_puts("\n# name            <active_objs> <num_objs> <objsize> <objperslab> "
		     "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		     "<active_slabs> <num_slabs> <sharedavail>\n");
	show("0. the new cache: no slabs yet", s);
	for (int i = 0; i < NR_FOO; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	show("1. 100 x kmem_cache_alloc: 3 slabs of 34 objects", s);
	for (int i = 0; i < NR_FOO; i++)
		kmem_cache_free(s, objs[i]);
	show("2. all freed: no object in use; the active slab and 2 empty ones are kept", s);
	free_before = nr_free_pages();
	kmem_cache_shrink(s);
	show("3. kmem_cache_shrink: the empty slabs go back to the buddy allocator", s);
	console_printf("  (free pages %lu -> %lu)\n", free_before, nr_free_pages());
	kmem_cache_destroy(s);
	show_ksize();
}
DEMO(slab, demo_slab, "a custom cache for a 117-byte struct in slabinfo; kmalloc size classes");
