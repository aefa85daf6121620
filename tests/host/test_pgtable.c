/*
 * Host unit tests of the page-table core (mm/pgtable.c), with Criterion under ASan/UBSan.
 *
 * Table pages come from a fake page source over the fake machine's buddy allocator
 * (fake_machine.c): it knows every table page it handed out, can be told to fail, and checks
 * that each page comes back zeroed and only from inside tlb_flush_batch, which this file
 * implements as a recorder of the batch it was given.
 *
 * The randomized model test maps, unmaps and changes protection over random ranges of a
 * 4 GiB window that crosses a PGD entry's boundary (one window in the user half, one in the
 * kernel half), with 4K, 2M and 1G pages wherever alignment and the flags allow. The model is
 * a page array: frame, flags and the size of the leaf that maps each 4 KiB page; it splits
 * large pages the way the API promises. After every step: the tables over the range touched
 * (widened to the large pages it could split) hold exactly the model's leaves, no table in
 * them is empty, random lookups agree with the model, the number of live table pages is what
 * the model's leaves need (so empty tables were freed), every page whose translation changed
 * lies in the flushed range (and the batch counted exactly those pages). Every 50 steps and at
 * the end the whole window is compared. A third run makes 2% of table allocations fail:
 * a failed map must leave nothing behind, a failed unmap or protect must have done a prefix
 * of its range. Teardown unmaps everything and then every page must be back in the buddy
 * allocator. Seed: TEST_SEED or the clock. A step checks up to GiBs of tables, so it weighs
 * like a hundred operations of the other model tests: TEST_ITERS / 100 steps (default 1500;
 * `make soak`'s 10 million give 100000 steps, a few minutes per window).
 *
 * The targeted tests pin lookups, the choice of page sizes, splitting, protection without
 * needless splits, all-or-nothing maps under -EEXIST and -ENOMEM, the kernel half's PUD
 * tables, argument checks, the TLB batch's ranges and flags, and supported_pte_mask.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lib/errno.h>
#include <mm/gfp.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>

#include "fake_machine.h"
#include "rng.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define PAGES_2M 512ull
#define PAGES_1G (512ull * 512)

/* ---- the fake page source ---- */

struct fake_source {
	struct pt_ops ops;
	long live;			/* table pages handed out and not back */
	unsigned long allocs, frees;
	long fail_after;		/* allocations that succeed before all fail; < 0: all do */
	unsigned int fail_permille;	/* random failures */
	uint8_t *is_table;		/* per pfn */
};

static struct fake_source src;
static bool in_flush;		/* tlb_flush_batch is running: frees are allowed */
static unsigned long machine_free_pages;

static uint64_t fake_alloc_table(struct pt_ops *ops)
{
	struct page *p;

	(void)ops;
	if (src.fail_after == 0 || (src.fail_permille && rnd_below(1000) < src.fail_permille))
		return 0;
	if (src.fail_after > 0)
		src.fail_after--;
	p = alloc_page(GFP_KERNEL | __GFP_ZERO);
	cr_assert(p, "the fake machine ran out of pages");
	cr_assert(!src.is_table[page_to_pfn(p)]);
	src.is_table[page_to_pfn(p)] = 1;
	src.live++;
	src.allocs++;
	return page_to_phys(p);
}

static bool all_zero(const pteval_t *t)
{
	for (int i = 0; i < PTRS_PER_TABLE; i++)
		if (t[i])
			return false;
	return true;
}

static void fake_free_table(struct pt_ops *ops, uint64_t pa)
{
	(void)ops;
	cr_assert(in_flush, "table page %#lx freed before the TLB flush", (unsigned long)pa);
	cr_assert(src.is_table[PFN_DOWN(pa)], "%#lx is not a table page", (unsigned long)pa);
	cr_assert(all_zero(__va(pa)), "table page %#lx freed with entries", (unsigned long)pa);
	src.is_table[PFN_DOWN(pa)] = 0;
	src.live--;
	src.frees++;
	__free_page(pfn_to_page(PFN_DOWN(pa)));
}

/* ---- the TLB flush: a recorder ---- */

static struct tlb_batch last_flush;	/* the batch as the last flush got it */
static unsigned long nr_flushes, nr_full_flushes;

void tlb_flush_batch(struct tlb_batch *tlb)
{
	last_flush = *tlb;
	nr_flushes++;
	if (tlb->start != tlb->end && tlb_batch_wants_full_flush(tlb))
		nr_full_flushes++;
	in_flush = true;
	tlb_batch_done(tlb);
	in_flush = false;
	cr_assert(tlb_batch_empty(tlb) && tlb->ops == &src.ops);
}

static bool flushed(uint64_t va)
{
	return last_flush.start != last_flush.end &&
	       (tlb_batch_wants_full_flush(&last_flush) ||
		(va >= last_flush.start && va < last_flush.end));
}

/* ---- setup ---- */

static pteval_t *pgd;
static struct tlb_batch tlb;

static void setup(void)
{
	static const struct fake_range ram[] = { { MiB, 160 * MiB } };

	fake_machine_boot(ram, 1);
	drain_all_pages();
	machine_free_pages = nr_free_pages();
	src = (struct fake_source){
		.ops = { fake_alloc_table, fake_free_table },
		.fail_after = -1,
		.is_table = calloc(max_pfn, 1),
	};
	cr_assert(src.is_table);
	supported_pte_mask = ~0ull;
	memset(kernel_map_bytes, 0, sizeof(kernel_map_bytes));
	pgd = __va(fake_alloc_table(&src.ops));
	tlb_batch_init(&tlb, &src.ops);
	nr_flushes = nr_full_flushes = 0;
}

static void teardown(void)
{
	free(src.is_table);
	src.is_table = NULL;
	fake_machine_teardown();
}

TestSuite(pgtable, .init = setup, .fini = teardown);
TestSuite(pgtable_model, .init = setup, .fini = teardown);

/* Free the PGD and the kernel half's PUD tables by hand, then every page must be back. */
static void free_everything_and_check_no_leak(void)
{
	for (int i = 0; i < PTRS_PER_TABLE; i++) {
		if (!pgd[i])
			continue;
		cr_assert(i >= 256, "user PGD entry %d still present", i);
		cr_assert(all_zero(__va(pgd[i] & PTE_ADDR_MASK)), "kernel PUD table %d in use", i);
		in_flush = true;
		fake_free_table(&src.ops, pgd[i] & PTE_ADDR_MASK);
		in_flush = false;
		pgd[i] = 0;
	}
	in_flush = true;
	fake_free_table(&src.ops, __pa(pgd));
	in_flush = false;
	cr_assert_eq(src.live, 0);
	drain_all_pages();
	cr_assert_eq(nr_free_pages(), machine_free_pages, "pages leaked");
}

static int do_map(uint64_t va, uint64_t pa, uint64_t size, pteval_t prot, unsigned int flags)
{
	int err = map_pages(pgd, va, pa, size, prot, flags, &tlb);

	tlb_flush_batch(&tlb);
	return err;
}

static int do_unmap(uint64_t va, uint64_t size)
{
	int err = unmap_range(pgd, va, size, &tlb);

	tlb_flush_batch(&tlb);
	return err;
}

static int do_protect(uint64_t va, uint64_t size, pteval_t set, pteval_t clear)
{
	int err = protect_range(pgd, va, size, set, clear, &tlb);

	tlb_flush_batch(&tlb);
	return err;
}

/* The size of the page mapping @va (0: none), and its frame address and flags. */
static uint64_t leaf(uint64_t va, uint64_t *pa, pteval_t *prot)
{
	uint64_t size = follow_pte(pgd, va, pa, prot), lsize;
	pteval_t *e = lookup_address(pgd, va, &lsize);

	cr_assert_eq(size != 0, e != NULL, "follow_pte and lookup_address disagree at %#lx",
		     (unsigned long)va);
	if (size)
		cr_assert_eq(size, lsize);
	return size;
}

/* ==== targeted tests ==== */

#define RW_NX (_PAGE_PRESENT | _PAGE_RW | _PAGE_NX)

Test(pgtable, map_lookup_unmap_4k)
{
	uint64_t va = 0x400000001000ull, pa, size;
	pteval_t prot;

	cr_assert_eq(do_map(va, 0x1234000, 3 * PAGE_SIZE, RW_NX | _PAGE_USER, MAP_PAGES_LARGE), 0);
	cr_assert_eq(src.live, 4, "PGD, PUD, PMD and PT tables");
	cr_assert_eq(leaf(va + PAGE_SIZE + 0x123, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(pa, 0x1235123);
	cr_assert_eq(prot, RW_NX | _PAGE_USER);
	cr_assert_eq(*lookup_address(pgd, va + 2 * PAGE_SIZE, &size),
		     0x1236000 | RW_NX | _PAGE_USER);
	cr_assert_eq(leaf(va - PAGE_SIZE, &pa, &prot), 0);
	cr_assert_eq(leaf(va + 3 * PAGE_SIZE, &pa, &prot), 0);
	/* Tables in the user half allow user access; the leaf decides. */
	cr_assert_eq(pgd[pgd_index(va)] & (_PAGE_USER | _PAGE_RW | _PAGE_PRESENT),
		     _PAGE_USER | _PAGE_RW | _PAGE_PRESENT);
	cr_assert_eq(kernel_map_bytes[0], 3 * PAGE_SIZE);

	cr_assert_eq(do_unmap(va + PAGE_SIZE, PAGE_SIZE), 0);
	cr_assert_eq(leaf(va + PAGE_SIZE, &pa, &prot), 0);
	cr_assert_eq(leaf(va, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(src.live, 4);
	cr_assert_eq(do_unmap(va - 16 * MiB, 64 * MiB), 0);
	cr_assert_eq(src.live, 1, "every table but the PGD freed");
	cr_assert(all_zero(pgd));
	free_everything_and_check_no_leak();
}

/* hole_end skips what a missing entry covers, at whichever level the walk stops. */
Test(pgtable, hole_end_skips_missing_tables)
{
	uint64_t va = 0x400000200000ull;	/* 2 MiB aligned, in PGD entry 128 */

	cr_assert_eq(hole_end(pgd, va), 0x408000000000ull, "no PUD table: the 512 GiB span");
	cr_assert_eq(do_map(va + PAGE_SIZE, 0x1234000, PAGE_SIZE, RW_NX | _PAGE_USER, 0), 0);
	cr_assert_eq(hole_end(pgd, va), va + PAGE_SIZE, "missing PTE: the next page");
	cr_assert_eq(hole_end(pgd, va + PAGE_SIZE), va + PAGE_SIZE, "mapped: itself");
	cr_assert_eq(hole_end(pgd, va + 2 * MiB + 5), va + 4 * MiB, "missing PMD entry: 2 MiB");
	cr_assert_eq(hole_end(pgd, va + GiB), 0x400080000000ull, "missing PUD entry: 1 GiB");
	cr_assert_eq(hole_end(pgd, ~0ull - 5), 0, "the last PGD entry's span ends the space");
	cr_assert_eq(do_unmap(va, 4 * MiB), 0);
	free_everything_and_check_no_leak();
}

Test(pgtable, largest_page_that_fits)
{
	uint64_t va = 0x7f0000000000ull - 4 * MiB - 2 * PAGE_SIZE, pa = 7 * GiB - 4 * MiB - 8192;
	uint64_t size = 4 * MiB + 8192 + GiB + 2 * MiB + 4096, got, p;
	pteval_t prot;

	/* 2 pages, 2 x 2M, 1G, 2M, 1 page: va and pa share their offsets within a GiB. */
	cr_assert_eq(do_map(va, pa, size, RW_NX, MAP_PAGES_LARGE), 0);
	cr_assert_eq(kernel_map_bytes[0], 3 * PAGE_SIZE);
	cr_assert_eq(kernel_map_bytes[1], 3 * PMD_SIZE);
	cr_assert_eq(kernel_map_bytes[2], PUD_SIZE);
	cr_assert_eq(leaf(va, &p, &prot), PAGE_SIZE);
	cr_assert_eq(leaf(va + 8192, &p, &prot), PMD_SIZE);
	cr_assert_eq(leaf(va + 8192 + 4 * MiB + 5, &got, &prot), PUD_SIZE);
	cr_assert_eq(got, 7 * GiB + 5);
	cr_assert_eq(prot, RW_NX, "no _PAGE_PSE in what follow_pte reports");
	cr_assert(*lookup_address(pgd, va + 8192, &got) & _PAGE_PSE);
	cr_assert_eq(do_unmap(va, size), 0);
	cr_assert_eq(src.live, 1);

	/* Without the 1G flag, or with pa aligned only to 2M, no 1G page. */
	memset(kernel_map_bytes, 0, sizeof(kernel_map_bytes));
	cr_assert_eq(do_map(0x7f0000000000ull, 3 * GiB, GiB, RW_NX, MAP_PAGES_2M), 0);
	cr_assert_eq(do_map(0x7f0040000000ull, 5 * GiB + 2 * MiB, GiB, RW_NX, MAP_PAGES_LARGE), 0);
	cr_assert_eq(kernel_map_bytes[1], 2 * GiB);
	cr_assert_eq(do_map(0x7f0080000000ull, 9 * GiB + PAGE_SIZE, 2 * MiB, RW_NX,
			    MAP_PAGES_LARGE), 0);
	cr_assert_eq(kernel_map_bytes[0], 2 * MiB, "pa not aligned: 4K pages");
	cr_assert_eq(do_unmap(0x7f0000000000ull, 4 * GiB), 0);
	cr_assert_eq(last_flush.stride_shift, PAGE_SHIFT);
	free_everything_and_check_no_leak();
}

Test(pgtable, unmap_splits_a_2m_page)
{
	uint64_t va = 0x200000000ull, pa;
	pteval_t prot, flags = RW_NX | _PAGE_GLOBAL | _PAGE_SOFTW1 | _PAGE_SOFTW3;

	cr_assert_eq(do_map(va, 0x40000000, PMD_SIZE, flags, MAP_PAGES_2M), 0);
	cr_assert_eq(src.live, 3);
	cr_assert_eq(do_unmap(va + 5 * PAGE_SIZE, PAGE_SIZE), 0);
	cr_assert_eq(src.live, 4, "a PT table for the split");
	cr_assert_eq(leaf(va + 5 * PAGE_SIZE, &pa, &prot), 0);
	for (uint64_t i = 0; i < PAGES_2M; i++) {
		if (i == 5)
			continue;
		cr_assert_eq(leaf(va + i * PAGE_SIZE, &pa, &prot), PAGE_SIZE);
		cr_assert_eq(pa, 0x40000000 + i * PAGE_SIZE);
		cr_assert_eq(prot, flags, "software bits and G survive the split");
	}
	cr_assert(last_flush.global && last_flush.start == va + 5 * PAGE_SIZE &&
		  last_flush.end == va + 6 * PAGE_SIZE && last_flush.nr_pages == 1);
	cr_assert_eq(do_unmap(va, 5 * PAGE_SIZE), 0);
	cr_assert_eq(do_unmap(va + 6 * PAGE_SIZE, PMD_SIZE - 6 * PAGE_SIZE), 0);
	cr_assert_eq(src.live, 1);
	cr_assert_eq(last_flush.nr_tables, 3, "PT, PMD and PUD tables freed at the flush");
	free_everything_and_check_no_leak();
}

Test(pgtable, unmap_splits_a_1g_page_twice)
{
	uint64_t va = 0x8000000000ull, pa;
	pteval_t prot;

	cr_assert_eq(do_map(va, 4 * GiB, GiB, RW_NX, MAP_PAGES_LARGE), 0);
	cr_assert_eq(src.live, 2);
	cr_assert_eq(do_unmap(va + 3 * PMD_SIZE + PAGE_SIZE, PAGE_SIZE), 0);
	cr_assert_eq(src.live, 4, "a PMD table and a PT table");
	cr_assert_eq(leaf(va, &pa, &prot), PMD_SIZE);
	cr_assert_eq(leaf(va + GiB - 1, &pa, &prot), PMD_SIZE);
	cr_assert_eq(pa, 5 * GiB - 1);
	cr_assert_eq(leaf(va + 3 * PMD_SIZE, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(pa, 4 * GiB + 3 * PMD_SIZE);
	cr_assert_eq(leaf(va + 3 * PMD_SIZE + PAGE_SIZE, &pa, &prot), 0);
	cr_assert_eq(do_unmap(va, GiB), 0);
	cr_assert_eq(src.live, 1);
	free_everything_and_check_no_leak();
}

Test(pgtable, protect_splits_only_what_changes)
{
	uint64_t va = 0x40000000ull, pa;
	pteval_t prot;

	cr_assert_eq(do_map(va, 2 * GiB, 2 * PMD_SIZE, RW_NX, MAP_PAGES_LARGE), 0);
	cr_assert_eq(do_protect(va + PAGE_SIZE, PAGE_SIZE, _PAGE_RW, 0), 0);
	cr_assert_eq(leaf(va + PAGE_SIZE, &pa, &prot), PMD_SIZE, "no change, no split");
	cr_assert(tlb_batch_empty(&last_flush));
	/* A whole 2M page changes in place; part of the other one splits. */
	cr_assert_eq(do_protect(va, PMD_SIZE + 2 * PAGE_SIZE, _PAGE_SOFTW2, _PAGE_RW), 0);
	cr_assert_eq(leaf(va + 7, &pa, &prot), PMD_SIZE);
	cr_assert_eq(prot, _PAGE_PRESENT | _PAGE_NX | _PAGE_SOFTW2);
	cr_assert_eq(leaf(va + PMD_SIZE + PAGE_SIZE, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(prot, _PAGE_PRESENT | _PAGE_NX | _PAGE_SOFTW2);
	cr_assert_eq(leaf(va + PMD_SIZE + 2 * PAGE_SIZE, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(prot, RW_NX);
	cr_assert_eq(pa, 2 * GiB + PMD_SIZE + 2 * PAGE_SIZE);
	cr_assert_eq(last_flush.nr_pages, PAGES_2M + 2);
	cr_assert_eq(last_flush.stride_shift, PAGE_SHIFT);
	cr_assert(!last_flush.global);
	cr_assert_eq(src.live, 4);
	/* Holes are skipped. */
	cr_assert_eq(do_protect(va - GiB, 3 * GiB, _PAGE_GLOBAL, _PAGE_NX), 0);
	cr_assert_eq(leaf(va + 3 * PMD_SIZE / 2, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(prot, _PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL);
	cr_assert(last_flush.global);
	cr_assert_eq(do_unmap(va, 2 * PMD_SIZE), 0);
	free_everything_and_check_no_leak();
}

Test(pgtable, map_over_a_mapping_changes_nothing)
{
	uint64_t va = 0x10000000000ull, pa;
	pteval_t prot;
	long live;

	cr_assert_eq(do_map(va + 3 * GiB + 5 * PAGE_SIZE, 0x5000, PAGE_SIZE, RW_NX, 0), 0);
	live = src.live;
	/* Tables for the first 3 GiB are built on the way, then taken back. */
	cr_assert_eq(do_map(va, 0, 4 * GiB, RW_NX, 0), -EEXIST);
	cr_assert_eq(src.live, live);
	cr_assert_eq(leaf(va + 3 * GiB + 4 * PAGE_SIZE, &pa, &prot), 0);
	cr_assert_eq(leaf(va + 3 * GiB + 5 * PAGE_SIZE, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(pa, 0x5000);
	cr_assert(flushed(va) && flushed(va + 3 * GiB + 4 * PAGE_SIZE),
		  "what was mapped for a moment is flushed");
	/* A large page where a table is, and a table where a large page is. */
	cr_assert_eq(do_map(va + 3 * GiB, 0, GiB, RW_NX, MAP_PAGES_LARGE), -EEXIST);
	cr_assert_eq(do_map(va, 0, PMD_SIZE, RW_NX, MAP_PAGES_2M), 0);
	cr_assert_eq(do_map(va + PMD_SIZE - PAGE_SIZE, 0, 2 * PAGE_SIZE, RW_NX, 0), -EEXIST);
	cr_assert_eq(leaf(va + PMD_SIZE, &pa, &prot), 0);
	cr_assert_eq(kernel_map_bytes[0], PAGE_SIZE, "failed maps count nothing");
	cr_assert_eq(do_unmap(va, 4 * GiB), 0);
	free_everything_and_check_no_leak();
}

Test(pgtable, failed_map_leaves_nothing)
{
	uint64_t va = 255 * PGD_SIZE - 3 * PAGE_SIZE, size = 2 * GiB, pa;
	pteval_t prot;

	/* Across a PGD boundary: 2 PUD tables, 1 + 2 PMD tables, 1 + 1024 PT tables. Fail at
	 * each of the first allocations, and at one in the middle. */
	for (long k = 0; k < 12; k++) {
		src.fail_after = k == 11 ? 300 : k;
		cr_assert_eq(do_map(va, 0, size, RW_NX, 0), -ENOMEM);
		cr_assert_eq(src.live, 1, "after failing at allocation %ld", k);
		cr_assert(all_zero(pgd));
		cr_assert_eq(leaf(va, &pa, &prot), 0);
	}
	src.fail_after = -1;
	cr_assert_eq(do_map(va, 0, size, RW_NX, 0), 0);
	cr_assert_eq(src.live, 1 + 2 + 3 + 1025);
	/* A split that finds no page: done up to there, untouched from there. */
	cr_assert_eq(do_map(0x7f0000000000ull, 0, 4 * PMD_SIZE, RW_NX, MAP_PAGES_2M), 0);
	src.fail_after = 0;
	cr_assert_eq(do_unmap(0x7f0000000000ull, 3 * PMD_SIZE + PAGE_SIZE), -ENOMEM);
	cr_assert_eq(leaf(0x7f0000000000ull + 2 * PMD_SIZE, &pa, &prot), 0);
	cr_assert_eq(leaf(0x7f0000000000ull + 3 * PMD_SIZE, &pa, &prot), PMD_SIZE);
	cr_assert_eq(do_protect(0x7f0000000000ull + 3 * PMD_SIZE, PAGE_SIZE, 0, _PAGE_RW), -ENOMEM);
	cr_assert_eq(leaf(0x7f0000000000ull + 3 * PMD_SIZE, &pa, &prot), PMD_SIZE);
	cr_assert_eq(prot, RW_NX);
	src.fail_after = -1;
	cr_assert_eq(do_unmap(0x7f0000000000ull, 4 * PMD_SIZE), 0);
	cr_assert_eq(do_unmap(va, size), 0);

	/* Undone: a 1 GiB page, and the PMD table made for the page after it. */
	cr_assert_eq(do_map(0x7f0000000000ull, 0, PAGE_SIZE, RW_NX, 0), 0);
	src.fail_after = 1;
	cr_assert_eq(do_map(0x7f0040000000ull, 0, GiB + PAGE_SIZE, RW_NX, MAP_PAGES_LARGE),
		     -ENOMEM);
	cr_assert_eq(last_flush.nr_tables, 1);
	cr_assert(flushed(0x7f0040000000ull) && flushed(0x7f0080000000ull),
		  "the range reaches the unlinked table's span");
	src.fail_after = -1;
	cr_assert_eq(do_unmap(0x7f0000000000ull, PAGE_SIZE), 0);
	free_everything_and_check_no_leak();
}

Test(pgtable, kernel_half_pud_tables_stay)
{
	uint64_t kva = 0xffffc90000000000ull, uva = 0x00007f0000000000ull;

	cr_assert_eq(do_map(kva + 3 * PAGE_SIZE, 0x100000, PAGE_SIZE, PAGE_KERNEL, 0), 0);
	cr_assert_eq(do_map(uva, 0x100000, PAGE_SIZE, RW_NX | _PAGE_USER, 0), 0);
	cr_assert_eq(pgd[pgd_index(kva)] & _PAGE_USER, 0, "kernel tables deny user access");
	cr_assert_eq(src.live, 7);
	cr_assert_eq(do_unmap(kva, PGD_SIZE), 0);
	cr_assert_eq(do_unmap(uva, PAGE_SIZE), 0);
	cr_assert_eq(src.live, 2, "the PGD and the kernel half's PUD table");
	cr_assert(pgd[pgd_index(kva)] & _PAGE_PRESENT);
	cr_assert_eq(pgd[pgd_index(uva)], 0);
	free_everything_and_check_no_leak();
}

Test(pgtable, keep_tables_leaves_empty_tables_linked)
{
	uint64_t kva = 0xffffc90000000000ull, size;
	pteval_t *pmd;

	tlb.keep_tables = true;
	cr_assert_eq(do_map(kva, 0x100000, 4 * PAGE_SIZE, PAGE_KERNEL, 0), 0);
	cr_assert_eq(src.live, 4, "PGD, PUD, PMD and page table");
	cr_assert_eq(do_unmap(kva, 4 * PAGE_SIZE), 0);
	cr_assert_eq(last_flush.nr_pages, 4);
	cr_assert_eq(last_flush.nr_tables, 0, "nothing unlinked");
	cr_assert(tlb.keep_tables, "the flush keeps the owner's settings");
	cr_assert_eq(src.live, 4, "the empty tables stay");
	cr_assert_eq(lookup_address(pgd, kva, &size), NULL);
	pmd = __va(((pteval_t *)__va(pgd[pgd_index(kva)] & PTE_ADDR_MASK))[pud_index(kva)] &
		   PTE_ADDR_MASK);
	cr_assert(pmd[pmd_index(kva)] & _PAGE_PRESENT, "the empty page table is still linked");
	cr_assert_eq(do_map(kva + PAGE_SIZE, 0x200000, PAGE_SIZE, PAGE_KERNEL, 0), 0);
	cr_assert_eq(src.live, 4, "and is used again");
	tlb.keep_tables = false;
	cr_assert_eq(do_unmap(kva, PUD_SIZE), 0);
	cr_assert_eq(src.live, 2, "an unmap without keep_tables frees them");
	free_everything_and_check_no_leak();
}

Test(pgtable, bad_arguments)
{
	uint64_t va = 0x100000000ull;
	long allocs = (long)src.allocs;

	cr_assert_eq(map_pages(pgd, va + 1, 0, PAGE_SIZE, RW_NX, 0, &tlb), -EINVAL);
	cr_assert_eq(map_pages(pgd, va, 0x800, PAGE_SIZE, RW_NX, 0, &tlb), -EINVAL);
	cr_assert_eq(map_pages(pgd, va, 0, 100, RW_NX, 0, &tlb), -EINVAL);
	cr_assert_eq(map_pages(pgd, va, 0, 0, RW_NX, 0, &tlb), -EINVAL);
	cr_assert_eq(map_pages(pgd, va, 0, PAGE_SIZE, RW_NX & ~_PAGE_PRESENT, 0, &tlb), -EINVAL);
	cr_assert_eq(map_pages(pgd, va, 0, PAGE_SIZE, RW_NX | _PAGE_PSE, 0, &tlb), -EINVAL);
	cr_assert_eq(map_pages(pgd, va, 0, PAGE_SIZE, RW_NX | 0x5000, 0, &tlb), -EINVAL);
	cr_assert_eq(map_pages(pgd, va, 1ull << 52, PAGE_SIZE, RW_NX, 0, &tlb), -EINVAL);
	/* Across the non-canonical hole, non-canonical, the last page, wrapping. */
	cr_assert_eq(map_pages(pgd, 0x7ffffffff000ull, 0, 2 * PAGE_SIZE, RW_NX, 0, &tlb), -EINVAL);
	cr_assert_eq(map_pages(pgd, 0x800000000000ull, 0, PAGE_SIZE, RW_NX, 0, &tlb), -EINVAL);
	cr_assert_eq(unmap_range(pgd, 0xfffffffffffff000ull, PAGE_SIZE, &tlb), -EINVAL);
	cr_assert_eq(unmap_range(pgd, 0xffffffffffffe000ull, 0x4000, &tlb), -EINVAL);
	cr_assert_eq(unmap_range(pgd, va, 0, &tlb), -EINVAL);
	cr_assert_eq(protect_range(pgd, va, PAGE_SIZE, 0, _PAGE_PRESENT, &tlb), -EINVAL);
	cr_assert_eq(protect_range(pgd, va, PAGE_SIZE, _PAGE_PSE, 0, &tlb), -EINVAL);
	cr_assert_eq(protect_range(pgd, va, PAGE_SIZE, 0x1000, 0, &tlb), -EINVAL);
	cr_assert_eq((long)src.allocs, allocs);
	cr_assert(tlb_batch_empty(&tlb));
	/* The last page but one is fine. */
	cr_assert_eq(do_map(0xffffffffffffd000ull, 0x3000, 2 * PAGE_SIZE, PAGE_KERNEL, 0), 0);
	cr_assert_eq(do_unmap(0xffffffffffffd000ull, 2 * PAGE_SIZE), 0);
	cr_assert_eq(last_flush.end, 0xfffffffffffff000ull);
	free_everything_and_check_no_leak();
}

Test(pgtable, tlb_batch_ranges)
{
	uint64_t va = 0x600000000ull;

	cr_assert_eq(map_pages(pgd, va, 0, 64 * MiB, RW_NX, MAP_PAGES_2M, &tlb), 0);
	cr_assert(tlb_batch_empty(&tlb), "mapping into empty entries needs no flush");
	cr_assert_eq(map_pages(pgd, va + 64 * MiB, 0, 200 * PAGE_SIZE, RW_NX, 0, &tlb), 0);
	cr_assert(tlb_batch_empty(&tlb));

	/* 8 pages of 2 MiB: 8 invlpg at a 2 MiB stride. */
	cr_assert_eq(unmap_range(pgd, va, 16 * MiB, &tlb), 0);
	cr_assert_eq(tlb.stride_shift, 21);
	cr_assert_eq(tlb_batch_nr_invlpg(&tlb), 8);
	cr_assert(!tlb_batch_wants_full_flush(&tlb) && !tlb.global && tlb.nr_pages == 8 * PAGES_2M);
	tlb_flush_batch(&tlb);

	/* Two calls, one batch: the range spans both, at the smaller stride. */
	cr_assert_eq(unmap_range(pgd, va + 16 * MiB, PMD_SIZE, &tlb), 0);
	cr_assert_eq(unmap_range(pgd, va + 64 * MiB + 3 * PAGE_SIZE, 2 * PAGE_SIZE, &tlb), 0);
	cr_assert_eq(tlb.start, va + 16 * MiB);
	cr_assert_eq(tlb.end, va + 64 * MiB + 5 * PAGE_SIZE);
	cr_assert_eq(tlb.stride_shift, PAGE_SHIFT);
	cr_assert(tlb_batch_wants_full_flush(&tlb));
	cr_assert_eq(tlb.nr_pages, PAGES_2M + 2);
	tlb_flush_batch(&tlb);

	/* 33 pages by invlpg, 34 by a whole flush. */
	cr_assert_eq(unmap_range(pgd, va + 64 * MiB + 10 * PAGE_SIZE, 33 * PAGE_SIZE, &tlb), 0);
	cr_assert(!tlb_batch_wants_full_flush(&tlb));
	tlb_flush_batch(&tlb);
	cr_assert_eq(unmap_range(pgd, va + 64 * MiB + 50 * PAGE_SIZE, 34 * PAGE_SIZE, &tlb), 0);
	cr_assert(tlb_batch_wants_full_flush(&tlb));
	tlb_flush_batch(&tlb);
	cr_assert_eq(nr_full_flushes, 2);

	/* Emptied tables wait in the batch until the flush. */
	long live = src.live;

	cr_assert_eq(unmap_range(pgd, va, GiB, &tlb), 0);
	cr_assert_eq(tlb.nr_tables, 3, "the PT table, the PMD table, the PUD table");
	cr_assert_eq(src.live, live);
	tlb_flush_batch(&tlb);
	cr_assert_eq(src.live, 1);
	free_everything_and_check_no_leak();
}

Test(pgtable, supported_pte_mask_applies)
{
	uint64_t va = 0xffff888000000000ull, pa;
	pteval_t prot;

	supported_pte_mask &= ~(_PAGE_NX | _PAGE_GLOBAL);
	cr_assert_eq(do_map(va, 0, PAGE_SIZE, PAGE_KERNEL, 0), 0);
	cr_assert_eq(leaf(va, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(prot, _PAGE_PRESENT | _PAGE_RW);
	cr_assert_eq(do_protect(va, PAGE_SIZE, _PAGE_NX | _PAGE_SOFTW1, _PAGE_RW), 0);
	cr_assert_eq(leaf(va, &pa, &prot), PAGE_SIZE);
	cr_assert_eq(prot, _PAGE_PRESENT | _PAGE_SOFTW1);
	supported_pte_mask = ~0ull;
	cr_assert_eq(do_unmap(va, PAGE_SIZE), 0);
	free_everything_and_check_no_leak();
}

/* ==== the randomized model test ==== */

struct model {
	uint64_t base, npages;	/* the window: 4 GiB from a GiB boundary */
	uint64_t *pa;		/* per page: frame */
	pteval_t *prot;		/* per page: leaf flags (no _PAGE_PSE); 0: not mapped */
	uint8_t *shift;		/* per page: 12, 21 or 30, the size of the leaf that maps it */
	uint32_t *in_2m, *small_in_2m;	/* per 2M: pages mapped; of those, by 4K leaves */
	uint32_t *in_1g, *small_in_1g;	/* per 1G: pages mapped; of those, by 4K or 2M leaves */
	uint32_t in_pgd[2];	/* per PGD entry of the window: pages mapped */
	uint32_t *changed;	/* pages whose translation the last step changed or removed */
	uint64_t nchanged;
	bool changed_global;
};

static struct model M;

static uint64_t va_of(uint64_t i) { return M.base + i * PAGE_SIZE; }
static unsigned int pgd_slot(uint64_t i)
{
	return (unsigned int)((va_of(i) >> 39) - (M.base >> 39));
}

static void model_init(uint64_t base)
{
	M = (struct model){ .base = base, .npages = 4 * PAGES_1G };
	M.pa = calloc(M.npages, sizeof(*M.pa));
	M.prot = calloc(M.npages, sizeof(*M.prot));
	M.shift = calloc(M.npages, 1);
	M.in_2m = calloc(M.npages / PAGES_2M, 4);
	M.small_in_2m = calloc(M.npages / PAGES_2M, 4);
	M.in_1g = calloc(4, 4);
	M.small_in_1g = calloc(4, 4);
	M.changed = calloc(M.npages, 4);
	cr_assert(M.pa && M.prot && M.shift && M.in_2m && M.small_in_2m && M.in_1g &&
		  M.small_in_1g && M.changed);
}

static void model_free(void)
{
	free(M.pa), free(M.prot), free(M.shift), free(M.in_2m), free(M.small_in_2m);
	free(M.in_1g), free(M.small_in_1g), free(M.changed);
}

static void count(uint64_t i, int d)
{
	M.in_2m[i / PAGES_2M] += d;
	M.in_1g[i / PAGES_1G] += d;
	M.in_pgd[pgd_slot(i)] += d;
	if (M.shift[i] == 12)
		M.small_in_2m[i / PAGES_2M] += d;
	if (M.shift[i] <= 21)
		M.small_in_1g[i / PAGES_1G] += d;
}

/* Page @i now maps @pa with @prot (0: nothing) in a leaf of 1 << @shift bytes. */
static void set_page(uint64_t i, uint64_t pa, pteval_t prot, uint8_t shift)
{
	if (M.prot[i]) {
		if (!prot || pa != M.pa[i] || prot != M.prot[i]) {
			M.changed[M.nchanged++] = (uint32_t)i;
			if ((M.prot[i] | prot) & _PAGE_GLOBAL)
				M.changed_global = true;
		}
		count(i, -1);
	}
	M.pa[i] = pa;
	M.prot[i] = prot;
	M.shift[i] = prot ? shift : 0;
	if (prot)
		count(i, +1);
}

static uint64_t leaf_pages(uint64_t i) { return 1ull << (M.shift[i] - PAGE_SHIFT); }
static uint64_t leaf_first(uint64_t i) { return i & ~(leaf_pages(i) - 1); }

/* Split the leaf holding page @i one level down. */
static void model_split(uint64_t i)
{
	uint64_t first = leaf_first(i), n = leaf_pages(i);
	uint8_t shift = M.shift[i] - 9;

	for (uint64_t k = first; k < first + n; k++)
		set_page(k, M.pa[k], M.prot[k], shift);
}

/* Map as map_pages promises: all or nothing, the largest leaf that fits at each step. */
static int model_map(uint64_t first, uint64_t n, uint64_t pa, pteval_t prot, unsigned int flags)
{
	for (uint64_t i = first; i < first + n; i++)
		if (M.prot[i])
			return -EEXIST;
	for (uint64_t i = first; i < first + n;) {
		uint64_t p = pa + (i - first) * PAGE_SIZE, left = first + n - i, len = 1;
		uint8_t shift = 12;

		if ((flags & MAP_PAGES_1G) && !(va_of(i) & (GiB - 1)) && !(p & (GiB - 1)) &&
		    left >= PAGES_1G)
			shift = 30, len = PAGES_1G;
		else if ((flags & MAP_PAGES_2M) && !(va_of(i) & (PMD_SIZE - 1)) &&
			 !(p & (PMD_SIZE - 1)) && left >= PAGES_2M)
			shift = 21, len = PAGES_2M;
		for (uint64_t k = 0; k < len; k++)
			set_page(i + k, p + k * PAGE_SIZE, prot, shift);
		i += len;
	}
	return 0;
}

static void model_unmap(uint64_t first, uint64_t n)
{
	uint64_t end = first + n;

	for (uint64_t i = first; i < end;) {
		uint64_t lf, ln;

		if (!M.prot[i]) {
			i++;
			continue;
		}
		lf = leaf_first(i), ln = leaf_pages(i);
		if (lf < first || lf + ln > end) {
			model_split(i);
			continue;
		}
		for (uint64_t k = lf; k < lf + ln; k++)
			set_page(k, 0, 0, 0);
		i = lf + ln;
	}
}

static void model_protect(uint64_t first, uint64_t n, pteval_t set, pteval_t clear)
{
	uint64_t end = first + n;

	for (uint64_t i = first; i < end;) {
		uint64_t lf, ln;
		pteval_t new = (M.prot[i] & ~clear) | set;

		if (!M.prot[i]) {
			i++;
			continue;
		}
		lf = leaf_first(i), ln = leaf_pages(i);
		if (new == M.prot[i]) {
			i = lf + ln;
			continue;
		}
		if (lf < first || lf + ln > end) {
			model_split(i);
			continue;
		}
		for (uint64_t k = lf; k < lf + ln; k++)
			set_page(k, M.pa[k], new, M.shift[k]);
		i = lf + ln;
	}
}

/* Table pages the model's leaves need: the PGD, then PUD, PMD and PT tables that hold them. */
static long model_tables(void)
{
	long n = 1;

	for (unsigned int s = 0; s < 2; s++) {
		if (va_is_kernel(M.base))
			n += !!pgd[pgd_index(M.base) + s];	/* never freed: checked apart */
		else
			n += M.in_pgd[s] != 0;
	}
	for (uint64_t g = 0; g < 4; g++)
		n += M.small_in_1g[g] != 0;
	for (uint64_t r = 0; r < M.npages / PAGES_2M; r++)
		n += M.small_in_2m[r] != 0;
	return n;
}

/*
 * The tables under @table (at @level) hold exactly the model's leaves over [va, end) (a
 * part of the window), and none is empty. Returns the tables found below @table.
 */
static long verify(pteval_t *table, int level, uint64_t va, uint64_t end)
{
	unsigned int shift = PAGE_SHIFT + 9 * (level - 1);
	uint64_t size = 1ull << shift;
	long tables = 0;

	for (uint64_t next; va < end; va = next) {
		pteval_t e = table[(va >> shift) & 511];
		uint64_t i = (va - M.base) / PAGE_SIZE, span_first = (va & ~(size - 1)) - M.base;

		next = MIN((va | (size - 1)) + 1, end);
		if (!e) {
			if (level == 1)
				cr_assert(!M.prot[i], "page %#lx is mapped in the model only", va);
			else if (level == 2)
				cr_assert(!M.in_2m[span_first / PMD_SIZE], "2M %#lx: mapped", va);
			else if (level == 3)
				cr_assert(!M.in_1g[span_first / GiB], "1G at %#lx: mapped", va);
			else
				cr_assert(!M.in_pgd[pgd_slot(i)]);
			continue;
		}
		if (level == 1 || (e & _PAGE_PSE)) {
			pteval_t flags = e & PTE_FLAGS_MASK & ~_PAGE_PSE;
			uint64_t frame = e & PTE_ADDR_MASK & ~(size - 1);

			cr_assert(level < 4);
			for (uint64_t k = i; k < i + (next - va) / PAGE_SIZE; k++) {
				cr_assert(M.prot[k] == flags && M.shift[k] == shift,
					  "at %#lx: entry %#lx (%u), model flags %#lx shift %u",
					  (unsigned long)va_of(k), (unsigned long)e, shift,
					  (unsigned long)M.prot[k], M.shift[k]);
				cr_assert_eq(M.pa[k], frame + (va_of(k) & (size - 1)));
			}
			continue;
		}
		cr_assert(!all_zero(__va(e & PTE_ADDR_MASK)) || (level == 4 && va_is_kernel(va)),
			  "an empty table at level %d for %#lx", level - 1, va);
		tables += 1 + verify(__va(e & PTE_ADDR_MASK), level - 1, va, next);
	}
	return tables;
}

static void verify_all(void)
{
	long tables = verify(pgd, 4, M.base, M.base + M.npages * PAGE_SIZE);

	cr_assert_eq(tables + 1, src.live, "tables reachable from the PGD vs handed out");
}

static void check_lookups(unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		uint64_t i = rnd_below(M.npages), off = rnd_below(PAGE_SIZE), pa;
		pteval_t prot;
		uint64_t size = leaf(va_of(i) + off, &pa, &prot);

		if (!M.prot[i]) {
			cr_assert_eq(size, 0, "%#lx", (unsigned long)va_of(i));
			continue;
		}
		cr_assert_eq(size, 1ull << M.shift[i], "%#lx", (unsigned long)va_of(i));
		cr_assert_eq(pa, M.pa[i] + off);
		cr_assert_eq(prot, M.prot[i]);
	}
}

/* ---- random choices ---- */

static const pteval_t flag_bits[] = { _PAGE_RW, _PAGE_USER, _PAGE_PWT, _PAGE_PCD, _PAGE_GLOBAL,
				      _PAGE_SOFTW1, _PAGE_SOFTW2, _PAGE_SOFTW3, _PAGE_NX,
				      _PAGE_ACCESSED, _PAGE_DIRTY };

static pteval_t random_flags(unsigned int percent)
{
	pteval_t f = 0;

	for (size_t b = 0; b < ARRAY_SIZE(flag_bits); b++)
		if (rnd_below(100) < percent)
			f |= flag_bits[b];
	return f;
}

/*
 * A random range of the window, in pages: aligned to 4K, 2M or 1G, and then often a
 * multiple of that size, so that large pages come and go; small ranges most of the time.
 */
static void random_range(uint64_t *first, uint64_t *n)
{
	uint64_t r = rnd_below(100), align = r < 50 ? 1 : r < 80 ? PAGES_2M : PAGES_1G;

	*first = rnd_below(M.npages) & ~(align - 1);
	r = rnd_below(100);
	if (align == PAGES_1G && r < 50)
		*n = PAGES_1G * (1 + rnd_below(2));
	else if (align >= PAGES_2M && r < 60)
		*n = PAGES_2M * (1 + rnd_below(8));
	else if (r < 70)
		*n = 1 + rnd_below(16);
	else
		*n = 1 + rnd_below(1024);
	if (!rnd_below(8))	/* a page more or less: edges that split */
		*n = *n + rnd_below(3) - 1;
	*n = MAX(1, MIN(*n, M.npages - *first));
}

/* ---- one step ---- */

struct step {
	uint64_t first, n, pa;
	int op;			/* 0 map, 1 unmap, 2 protect */
	pteval_t prot, set, clear;
	unsigned int flags;
};

/* Where a split could reach: the leaves that hold the first and the last page. */
static void affected(const struct step *s, uint64_t *lo, uint64_t *hi)
{
	uint64_t last = s->first + s->n - 1;

	*lo = M.prot[s->first] ? leaf_first(s->first) : s->first;
	*hi = M.prot[last] ? leaf_first(last) + leaf_pages(last) : last + 1;
}

static void model_apply(const struct step *s, int *expect)
{
	M.nchanged = 0;
	M.changed_global = false;
	*expect = 0;
	if (s->op == 0)
		*expect = model_map(s->first, s->n, s->pa, s->prot, s->flags);
	else if (s->op == 1)
		model_unmap(s->first, s->n);
	else
		model_protect(s->first, s->n, s->set, s->clear);
}

static int real_apply(const struct step *s)
{
	uint64_t va = va_of(s->first), size = s->n * PAGE_SIZE;

	if (s->op == 0)
		return map_pages(pgd, va, s->pa, size, s->prot, s->flags, &tlb);
	if (s->op == 1)
		return unmap_range(pgd, va, size, &tlb);
	return protect_range(pgd, va, size, s->set, s->clear, &tlb);
}

static void check_flush_covers_changes(const struct step *s, int expect)
{
	for (uint64_t k = 0; k < M.nchanged; k++)
		cr_assert(flushed(va_of(M.changed[k])), "op %d: page %#lx changed but not flushed",
			  s->op, (unsigned long)va_of(M.changed[k]));
	if (M.changed_global)
		cr_assert(last_flush.global);
	if (s->op == 0 && expect)
		return;	/* undone: what it flushed was never in the model */
	cr_assert_eq(last_flush.nr_pages, M.nchanged, "op %d: pages counted by the batch", s->op);
	if (s->op == 0)
		cr_assert(tlb_batch_empty(&last_flush), "a map that succeeds needs no flush");
}

static bool as_before(uint64_t i, uint64_t pa, pteval_t prot)
{
	return prot == M.prot[i] && (!prot || pa == M.pa[i]);
}

/*
 * A step failed with -ENOMEM. A map must have changed nothing; an unmap or protect must
 * have done a prefix of its range: each page is either as asked or as it was, and once one
 * is left as it was, all later ones are. Then the model is reread from the tables.
 */
static void resync_after_enomem(const struct step *s, uint64_t lo, uint64_t hi)
{
	bool stopped = false;

	for (uint64_t i = lo; i < hi; i++) {
		uint64_t pa = 0, size;
		pteval_t prot = 0, want;

		size = leaf(va_of(i), &pa, &prot);
		if (!size)
			prot = 0;
		want = s->op == 1 || !M.prot[i] ? 0 : (M.prot[i] & ~s->clear) | s->set;
		if (s->op == 0 || i < s->first || i >= s->first + s->n || want == M.prot[i]) {
			cr_assert(as_before(i, pa, prot), "page %#lx changed", va_of(i));
		} else if (prot == want && (!want || pa == M.pa[i])) {
			cr_assert(!stopped, "page %#lx done after one left undone",
				  (unsigned long)va_of(i));
		} else {
			cr_assert(as_before(i, pa, prot), "page %#lx half done", va_of(i));
			stopped = true;
		}
		set_page(i, pa, prot, size ? (uint8_t)__builtin_ctzll(size) : 0);
	}
}

static void run_random(uint64_t base, unsigned int fail_permille, long steps)
{
	unsigned long long seed = test_seed("pgtable_model");
	unsigned long nr[3] = { 0 }, failed = 0, exists = 0;
	pteval_t kernel_pgd[2] = { 0 };

	model_init(base);
	src.fail_permille = fail_permille;
	for (long step = 0; step < steps; step++) {
		uint64_t r = rnd_below(100);
		struct step s = { .op = r < 40 ? 0 : r < 70 ? 1 : 2 };
		uint64_t lo, hi, frees;
		int expect, err;

		random_range(&s.first, &s.n);
		if (r >= 95) {
			/* A whole GiB: map it with a 1G page if it is empty, else empty it. */
			uint64_t g = rnd_below(4);

			s.first = g * PAGES_1G;
			s.n = PAGES_1G;
			s.op = M.in_1g[g] ? 1 : 0;
			s.pa = rnd_below(64) * GiB;
			s.prot = _PAGE_PRESENT | random_flags(30);
			s.flags = MAP_PAGES_LARGE;
		} else if (s.op == 0) {
			/* Frames share the window's offset within a GiB most of the time. */
			uint64_t off = va_of(s.first) & (GiB - 1);

			if (rnd_below(10) >= 7)
				off = rnd_below(PAGES_1G) * PAGE_SIZE;
			s.pa = rnd_below(64) * GiB + off;
			s.prot = _PAGE_PRESENT | random_flags(30);
			s.flags = (unsigned int)rnd_below(4);
		} else if (s.op == 2) {
			s.set = random_flags(20);
			s.clear = random_flags(20);
		}
		affected(&s, &lo, &hi);
		frees = src.frees;
		err = real_apply(&s);
		cr_assert_eq(src.frees, frees, "a table page was freed before the flush");
		tlb_flush_batch(&tlb);
		if (err == -ENOMEM) {
			cr_assert(fail_permille, "seed %llu step %ld: -ENOMEM", seed, step);
			failed++;
			M.nchanged = 0;
			resync_after_enomem(&s, lo, hi);
		} else {
			model_apply(&s, &expect);
			cr_assert_eq(err, expect, "seed %llu step %ld op %d", seed, step, s.op);
			check_flush_covers_changes(&s, expect);
			nr[s.op]++;
			exists += expect == -EEXIST;
		}
		verify(pgd, 4, va_of(lo), va_of(hi));
		for (unsigned int k = 0; k < 2 && va_is_kernel(base); k++) {
			pteval_t e = pgd[pgd_index(base) + k];

			cr_assert(!kernel_pgd[k] || e == kernel_pgd[k], "a kernel PUD table left");
			kernel_pgd[k] = e;
		}
		cr_assert_eq(src.live, model_tables(), "seed %llu step %ld: live table pages",
			     seed, step);
		check_lookups(16);
		if (step % 50 == 49)
			verify_all();
	}
	verify_all();
	fprintf(stderr, "pgtable_model: %ld steps: %lu maps (%lu -EEXIST), %lu unmaps, "
		"%lu protects, %lu -ENOMEM; mapped %lu 4K, %lu 2M, %lu 1G leaves; "
		"%ld table pages at the end\n", steps, nr[0], exists, nr[1], nr[2], failed,
		kernel_map_bytes[0] >> 12, kernel_map_bytes[1] >> 21, kernel_map_bytes[2] >> 30,
		src.live);
	src.fail_permille = 0;
	cr_assert_eq(do_unmap(M.base, M.npages * PAGE_SIZE), 0);
	model_unmap(0, M.npages);
	verify_all();
	cr_assert_eq(src.live, model_tables());
	model_free();
	free_everything_and_check_no_leak();
}

static long steps(void)
{
	return MAX(test_iters(150000) / 100, 1);
}

Test(pgtable_model, random_user_half)
{
	run_random(512 * GiB - 2 * GiB, 0, steps());
}

Test(pgtable_model, random_kernel_half)
{
	run_random(0xffffc90000000000ull - 2 * GiB, 0, steps());
}

Test(pgtable_model, random_with_failing_allocations)
{
	run_random(0x7f0000000000ull - 2 * GiB, 20, steps());
}
