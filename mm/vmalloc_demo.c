/*
 * demo=vmalloc: what vmalloc is for. Physical memory is fragmented on purpose until no
 * free 4 MiB block (order 10) is left anywhere while megabytes are still free; then
 * kmalloc(4 MiB), which needs one such block, fails, and vmalloc(4 MiB), which takes 1024
 * single pages wherever they are, succeeds. vmallocinfo shows the area, and the frames
 * behind it show how scattered they are. Everything is given back at the end.
 *   1. take HOLD single pages (up to 16 MiB), chained through page->lru;
 *   2. take every order-10 block that is left;
 *   3. free the held pages with an odd frame number: free memory again, but each free page's
 *      buddy (the even frame next to it) is held, so no two can merge, and no order-10
 *      block can form; take any order-10 block the freeing let the watermarks allow;
 *   4. kmalloc(4 MiB) fails, vmalloc(4 MiB) works; vmallocinfo; the memory is used;
 *   5. vfree, give back the blocks and pages, purge: the free pages are back but for the
 *      page tables the vmalloc area keeps, and what the slab caches kept.
 */
#include <kernel/console.h>
#include <kernel/demo.h>
#include <lib/list.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>

#define HOLD_MAX	4096	/* single pages taken in step 1: 16 MiB */
#define ORDER_4M	10

static char buddy_buf[BUDDYINFO_LINE_MAX * MAX_NR_ZONES];

static void show_buddyinfo(const char *when)
{
	drain_all_pages();	/* per-CPU lists back to the buddy lists, as Linux's buddyinfo */
	buddyinfo_format(buddy_buf, sizeof(buddy_buf));
	console_printf("\n%s: %lu KiB free\n%s", when, nr_free_pages() * (PAGE_SIZE / 1024),
		       buddy_buf);
}

static unsigned long take_blocks(struct list_head *blocks)
{
	unsigned long n = 0;
	struct page *p;

	while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, ORDER_4M))) {
		list_add(&p->lru, blocks);
		n++;
	}
	return n;
}

/* Steps 1-3: returns the single pages still held (the even frames) in @singles. */
static void fragment(struct list_head *singles, struct list_head *blocks)
{
	unsigned long hold = MIN(HOLD_MAX, nr_free_pages() / 4), taken = 0, freed = 0, nblocks;
	struct page *p, *n;

	while (taken < hold && (p = alloc_page(GFP_KERNEL | __GFP_NOWARN))) {
		list_add(&p->lru, singles);
		taken++;
	}
	nblocks = take_blocks(blocks);
	list_for_each_entry_safe(p, n, singles, lru) {
		if (page_to_pfn(p) & 1) {
			list_del(&p->lru);
			__free_page(p);
			freed++;
		}
	}
	nblocks += take_blocks(blocks);
	console_printf("\nheld %lu single pages and %lu blocks of 4 MiB, then freed the %lu "
		       "single pages with odd frame numbers\n", taken, nblocks, freed);
}

static void give_back(struct list_head *singles, struct list_head *blocks)
{
	struct page *p, *n;

	list_for_each_entry_safe(p, n, singles, lru) {
		list_del(&p->lru);
		__free_page(p);
	}
	list_for_each_entry_safe(p, n, blocks, lru) {
		list_del(&p->lru);
		__free_pages(p, ORDER_4M);
	}
}

/* How the 1024 frames behind @v lie: runs of consecutive frames, the first few pfns. */
static void show_frames(const char *v, unsigned long pages)
{
	unsigned long runs = 0, prev = 0;

	console_puts("frames behind it:");
	for (unsigned long i = 0; i < pages; i++) {
		unsigned long pfn = vmalloc_to_pfn(v + i * PAGE_SIZE);

		runs += i == 0 || pfn != prev + 1;
		if (i < 8)
			console_printf(" %#lx", pfn);
		prev = pfn;
	}
	console_printf(" ... (%lu pages in %lu runs of consecutive frames)\n", pages, runs);
}

static void demo_vmalloc(void)
{
	const unsigned long size = 4ul << 20;
	struct list_head singles = LIST_HEAD_INIT(singles), blocks = LIST_HEAD_INIT(blocks);
	unsigned long start_free, start_tables, tables;
	void *k;
	char *v;

	vm_unmap_aliases();
	show_buddyinfo("at the start");
	start_free = nr_free_pages();
	start_tables = nr_pgtable_pages();
	fragment(&singles, &blocks);
	show_buddyinfo("fragmented (no free block of order 10: the last column is 0)");

	k = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (k)
		console_printf("\nkmalloc(4 MiB) = %p: it found a 4 MiB block after all\n", k);
	else
		console_puts("\nkmalloc(4 MiB) = NULL: failed, no 4 MiB of contiguous frames\n");
	kfree(k);
	v = vmalloc(size);
	console_printf("vmalloc(4 MiB) = %p: %s\n", v, v ? "works, from single pages" : "failed");
	if (v) {
		show_frames(v, size / PAGE_SIZE);
		memset(v, 0x5a, size);
		console_printf("wrote all 4 MiB through it; last byte 0x%02x\n",
			       (unsigned char)v[size - 1]);
		console_printf("meminfo: VmallocUsed %lu kB\n",
			       vmalloc_nr_pages() * (PAGE_SIZE / 1024));
		console_puts("\nvmallocinfo:\n");
		vmallocinfo_show();
	}

	vfree(v);
	give_back(&singles, &blocks);
	vm_unmap_aliases();
	show_buddyinfo("everything given back");
	tables = nr_pgtable_pages() - start_tables;
	console_printf("\nfree pages %lu, were %lu: %lu page-table pages stay (the vmalloc area "
		       "keeps its tables), the rest went to slab caches\n", nr_free_pages(),
		       start_free, tables);
}
DEMO(vmalloc, demo_vmalloc,
     "fragment memory until kmalloc(4 MiB) fails, then vmalloc(4 MiB) works: vmallocinfo");
