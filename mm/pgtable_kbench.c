/*
 * bench=pgtable: the page-table API's big operations in the running kernel, measured with
 * rdtsc, so in instructions under QEMU's -icount shift=0 (scripts/bench). It maps 1 GiB
 * of the vmalloc range in 4 KiB pages (inside 2 GiB it reserves 1 GiB aligned, so the
 * tables below those PUD entries are its own and need no lock), as 256 calls of 4 MiB
 * that all alias one order-10 block (real RAM, so nothing odd is ever mapped), then
 * unmaps the GiB in one call and flushes: the figures of issue 4 with the real buddy
 * allocator, invlpg and CR3.
 * The hosted twin, under callgrind, is scripts/bench-pgtable; docs/paging.md section 10.
 */
#include <asm/x86.h>
#include <kernel/bench.h>
#include <kernel/printk.h>
#include <mm/gfp.h>
#include <mm/pgtable.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>

#define CHUNK		(4ull << 20)		/* one order-10 block */
#define GIB		(1ull << 30)

static unsigned long whole_flushes(void)
{
	return vm_event_sum(NR_TLB_LOCAL_FLUSH_ALL) + vm_event_sum(NR_TLB_LOCAL_FLUSH_GLOBAL);
}

static void bench_pgtable(void)
{
	struct vm_struct *area = __get_vm_area_caller(2 * GIB - PAGE_SIZE, GIB, 0, bench_pgtable);
	struct page *block = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	unsigned long tables = nr_pgtable_pages(), full = whole_flushes();
	uint64_t t0, t_map, t_unmap, t_flush, va;
	struct tlb_batch tlb;

	if (!block || !area) {
		pr_err("bench: pgtable: no 4 MiB block or no 2 GiB of vmalloc space\n");
		if (block)
			__free_pages(block, MAX_ORDER - 1);
		if (area)
			free_vm_area(area);
		return;
	}
	va = (uint64_t)area->addr;
	tlb_batch_init(&tlb, &kernel_pt_ops);
	t0 = rdtsc();
	for (uint64_t off = 0; off < GIB; off += CHUNK)
		if (map_pages(init_pgd, va + off, page_to_phys(block), CHUNK, PAGE_KERNEL, 0,
			      &tlb))
			break;
	t_map = rdtsc() - t0;
	tlb_flush_batch(&tlb);
	tables = nr_pgtable_pages() - tables;
	t0 = rdtsc();
	unmap_range(init_pgd, va, GIB, &tlb);
	t_unmap = rdtsc() - t0;
	t0 = rdtsc();
	tlb_flush_batch(&tlb);
	t_flush = rdtsc() - t0;
	pr_info("bench: pgtable: map 1 GiB in 4 KiB pages (256 calls): %llu TSC ticks, "
		"%llu per page, %lu table pages\n", (unsigned long long)t_map,
		(unsigned long long)t_map >> 18, tables);
	pr_info("bench: pgtable: unmap it (one call): %llu TSC ticks, %llu per page; flush and "
		"free the tables: %llu; whole TLB flushes: %lu\n", (unsigned long long)t_unmap,
		(unsigned long long)t_unmap >> 18, (unsigned long long)t_flush,
		whole_flushes() - full);
	__free_pages(block, MAX_ORDER - 1);
	free_vm_area(area);
}
KBENCH(pgtable, bench_pgtable, "map and unmap 1 GiB of kernel page tables in 4 KiB pages");
