/*
 * The page-table core's big operations, counted in instructions by scripts/bench-pgtable
 * under callgrind. Usage: pgtable_bench 4k|2m. It maps 1 GiB at the start of the vmalloc
 * range (0xffffc90000000000) with PAGE_KERNEL in pages of that size, into an empty PGD,
 * flushes, unmaps it all and flushes again, the way a kernel caller would. Table pages come
 * from the buddy allocator of a fake machine (tests/host/fake_machine.c), as the kernel's
 * kernel_pt_ops take them: alloc_page(GFP_KERNEL | __GFP_ZERO) and __free_page, here in
 * bench_alloc_table and bench_free_table so the script can tell their share apart.
 * tlb_flush_batch is this file's: it counts the whole flushes and invlpg instructions that
 * mm/tlb.c would execute for each batch, and prints them. Built like tests/host
 * (HOSTED_TEST) but at -O2 without sanitizers; not part of the Criterion binary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/percpu.h>
#include <mm/gfp.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>

#include "fake_machine.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define BENCH_VA 0xffffc90000000000ull
#define BENCH_PA (4 * GiB)	/* frames are never touched: any aligned address will do */

static unsigned long live_tables, whole_flushes, invlpgs;

static __attribute__((noinline)) uint64_t bench_alloc_table(struct pt_ops *ops)
{
	struct page *p = alloc_page(GFP_KERNEL | __GFP_ZERO);

	(void)ops;
	if (!p)
		return 0;
	live_tables++;
	return page_to_phys(p);
}

static __attribute__((noinline)) void bench_free_table(struct pt_ops *ops, uint64_t pa)
{
	(void)ops;
	live_tables--;
	__free_page(pfn_to_page(PFN_DOWN(pa)));
}

static struct pt_ops ops = { bench_alloc_table, bench_free_table };

void tlb_flush_batch(struct tlb_batch *tlb)
{
	if (tlb->start != tlb->end) {
		if (tlb_batch_wants_full_flush(tlb))
			whole_flushes++;
		else
			invlpgs += tlb_batch_nr_invlpg(tlb);
	}
	tlb_batch_done(tlb);
}

/* What one phase's batch asks of the TLB. */
static void report(const char *what, const struct tlb_batch *tlb)
{
	if (tlb_batch_empty(tlb)) {
		printf("%s: nothing to flush\n", what);
		return;
	}
	printf("%s: %lu pages changed, %lu table pages to free after the flush: %s "
	       "(%llu invlpg at a stride of %llu KiB)\n", what, tlb->nr_pages, tlb->nr_tables,
	       tlb_batch_wants_full_flush(tlb) ? "one whole flush" : "invlpg",
	       (unsigned long long)tlb_batch_nr_invlpg(tlb), (1ull << tlb->stride_shift) >> 10);
}

int main(int argc, char **argv)
{
	static const struct fake_range ram[] = { { MiB, 64 * MiB } };
	unsigned int flags;
	struct tlb_batch tlb;
	pteval_t *pgd;

	if (argc != 2 || (strcmp(argv[1], "4k") && strcmp(argv[1], "2m"))) {
		fprintf(stderr, "usage: pgtable_bench 4k|2m\n");
		return 2;
	}
	flags = strcmp(argv[1], "2m") ? 0 : MAP_PAGES_2M;
	fake_machine_boot(ram, 1);
	pgd = __va(bench_alloc_table(&ops));
	tlb_batch_init(&tlb, &ops);

	if (map_pages(pgd, BENCH_VA, BENCH_PA, GiB, PAGE_KERNEL, flags, &tlb)) {
		fprintf(stderr, "pgtable_bench: map_pages failed\n");
		return 1;
	}
	printf("tables: %lu (the PGD included)\n", live_tables);
	report("map", &tlb);
	tlb_flush_batch(&tlb);
	if (unmap_range(pgd, BENCH_VA, GiB, &tlb)) {
		fprintf(stderr, "pgtable_bench: unmap_range failed\n");
		return 1;
	}
	report("unmap", &tlb);
	tlb_flush_batch(&tlb);
	printf("flushes: %lu whole, %lu invlpg\n", whole_flushes, invlpgs);
	/* The PGD and the kernel half's PUD table stay. */
	if (live_tables != 2) {
		fprintf(stderr, "pgtable_bench: %lu table pages left\n", live_tables);
		return 1;
	}
	return 0;
}
