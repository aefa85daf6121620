/*
 * The page-table API in the running kernel, in a GiB of the vmalloc range that each test
 * reserves (1 GiB aligned: every table below its PUD entry is the test's alone, so no lock
 * is needed): buddy pages mapped there are reachable through the new addresses and through
 * the direct map; after unmap_range and tlb_flush_batch an access faults, and a protection
 * taken away is enforced at once. That proves the flush: QEMU keeps a TLB of its own, like
 * a CPU, and would go on translating without it. A 2 MiB page splits when a part of it
 * changes; the page-table pages the tests needed go back to the buddy allocator.
 */
#include <asm/cpufeature.h>
#include <kernel/ktest.h>
#include <kernel/traps.h>
#include <mm/gfp.h>
#include <mm/pgtable.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>

/* This CPU's TLB flushes so far, by kind (vmstat -s). */
struct flush_counts {
	unsigned long page, range, full;
};

static struct flush_counts flush_counts(void)
{
	return (struct flush_counts){
		.page = vm_event_sum(NR_TLB_LOCAL_FLUSH_ONE),
		.range = vm_event_sum(NR_TLB_LOCAL_FLUSH_RANGE),
		.full = vm_event_sum(NR_TLB_LOCAL_FLUSH_ALL) +
			vm_event_sum(NR_TLB_LOCAL_FLUSH_GLOBAL),
	};
}

static uint64_t test_va;		/* the test's reserved GiB */
#define TEST_VA		test_va
#define TEST_VA_2M	(test_va + PMD_SIZE)

/* A GiB of the vmalloc area for one test (its last page is the guard: never mapped). */
static struct vm_struct *reserve_gib(void)
{
	struct vm_struct *area = __get_vm_area_caller(PUD_SIZE - PAGE_SIZE, PUD_SIZE, 0,
						      __builtin_return_address(0));

	test_va = area ? (uint64_t)area->addr : 0;
	return area;
}

static volatile uint64_t target;	/* the address a helper touches */

static __noinline void read_target(void) { (void)*(volatile uint64_t *)target; }
static __noinline void write_target(void) { *(volatile uint64_t *)target = 0x5a5a5a5a5a5a5a5aull; }

/*
 * Table pages in use now, and what they should be back to after a test that maps at @va:
 * the PUD table of a kernel PGD entry stays once made (it is shared, never freed).
 */
static unsigned long tables_after(uint64_t va)
{
	return nr_pgtable_pages() + !(init_pgd[pgd_index(va)] & _PAGE_PRESENT);
}

/* Reading @va must fault as "not present", at @va. */
static void expect_not_present(struct ktest *t, uint64_t va)
{
	struct trap_catcher tc;

	target = va;
	if (!KTEST_EXPECT_TRUE(t, trap_catch_call(&tc, read_target)))
		return;
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, tc.error_code, 0);
	KTEST_EXPECT_EQ(t, tc.cr2, va);
}

static void test_map_write_unmap_faults(struct ktest *t)
{
	struct vm_struct *area = reserve_gib();
	unsigned long tables = tables_after(TEST_VA);
	struct flush_counts before;
	struct page *pages[4];
	struct tlb_batch tlb;
	uint64_t pa;
	pteval_t prot;

	KTEST_ASSERT_TRUE(t, area != NULL);
	for (int i = 0; i < 4; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KTEST_ASSERT_TRUE(t, pages[i] != NULL);
	}
	/* Four frames from anywhere, at four consecutive pages. */
	tlb_batch_init(&tlb, &kernel_pt_ops);
	for (int i = 0; i < 4; i++)
		KTEST_EXPECT_EQ(t, map_pages(init_pgd, TEST_VA + i * PAGE_SIZE,
					     page_to_phys(pages[i]), PAGE_SIZE, PAGE_KERNEL, 0,
					     &tlb), 0);
	KTEST_EXPECT_TRUE(t, tlb_batch_empty(&tlb));
	tlb_flush_batch(&tlb);
	for (int i = 0; i < 4; i++) {
		volatile uint64_t *v = (uint64_t *)(TEST_VA + i * PAGE_SIZE);

		v[7] = 0x1000 + i;
		KTEST_EXPECT_EQ(t, ((uint64_t *)page_address(pages[i]))[7], 0x1000 + i);
		KTEST_EXPECT_EQ(t, follow_pte(init_pgd, (uint64_t)&v[7], &pa, &prot), PAGE_SIZE);
		KTEST_EXPECT_EQ(t, pa, page_to_phys(pages[i]) + 56);
		KTEST_EXPECT_EQ(t, prot & ~(_PAGE_ACCESSED | _PAGE_DIRTY),
				PAGE_KERNEL & supported_pte_mask);
	}

	before = flush_counts();
	KTEST_EXPECT_EQ(t, unmap_range(init_pgd, TEST_VA, 4 * PAGE_SIZE, &tlb), 0);
	KTEST_EXPECT_EQ(t, tlb.nr_tables, 2);	/* the PT and PMD tables; the PUD table stays */
	tlb_flush_batch(&tlb);
	KTEST_EXPECT_EQ(t, flush_counts().range, before.range + 1);
	KTEST_EXPECT_EQ(t, flush_counts().page, before.page + 4);
	for (int i = 0; i < 4; i++)
		expect_not_present(t, TEST_VA + i * PAGE_SIZE + 8);
	KTEST_EXPECT_EQ(t, nr_pgtable_pages(), tables);
	for (int i = 0; i < 4; i++)
		__free_page(pages[i]);
	free_vm_area(area);
}

static void test_protection_takes_effect(struct ktest *t)
{
	struct vm_struct *area = reserve_gib();
	unsigned long tables = tables_after(TEST_VA);
	struct page *page = alloc_page(GFP_KERNEL);
	struct trap_catcher tc;
	struct tlb_batch tlb;

	KTEST_ASSERT_TRUE(t, area && page);
	tlb_batch_init(&tlb, &kernel_pt_ops);
	KTEST_ASSERT_EQ(t, map_pages(init_pgd, TEST_VA, page_to_phys(page), PAGE_SIZE, PAGE_KERNEL,
				     0, &tlb), 0);
	tlb_flush_batch(&tlb);
	target = TEST_VA;
	KTEST_EXPECT_TRUE(t, !trap_catch_call(&tc, write_target));	/* in the TLB, writable */

	KTEST_EXPECT_EQ(t, protect_range(init_pgd, TEST_VA, PAGE_SIZE, 0, _PAGE_RW, &tlb), 0);
	tlb_flush_batch(&tlb);
	KTEST_EXPECT_TRUE(t, trap_catch_call(&tc, write_target));
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_WRITE);
	KTEST_EXPECT_TRUE(t, !trap_catch_call(&tc, read_target));

	KTEST_EXPECT_EQ(t, protect_range(init_pgd, TEST_VA, PAGE_SIZE, _PAGE_RW, 0, &tlb), 0);
	tlb_flush_batch(&tlb);
	KTEST_EXPECT_TRUE(t, !trap_catch_call(&tc, write_target));
	KTEST_EXPECT_EQ(t, *(uint64_t *)page_address(page), 0x5a5a5a5a5a5a5a5aull);

	KTEST_EXPECT_EQ(t, unmap_range(init_pgd, TEST_VA, PAGE_SIZE, &tlb), 0);
	tlb_flush_batch(&tlb);
	expect_not_present(t, TEST_VA);
	KTEST_EXPECT_EQ(t, nr_pgtable_pages(), tables);
	__free_page(page);
	free_vm_area(area);
}

/* A 2 MiB page, global: a part made read-only splits it; the whole flush drops it all. */
static void test_large_page_split_and_full_flush(struct ktest *t)
{
	struct vm_struct *area = reserve_gib();
	unsigned long tables = tables_after(TEST_VA_2M);
	struct page *block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 9);
	struct flush_counts before;
	struct trap_catcher tc;
	struct tlb_batch tlb;
	uint64_t size;

	KTEST_ASSERT_TRUE(t, area != NULL);
	if (!block) {
		free_vm_area(area);
		KTEST_SKIP(t, "no free 2 MiB block");
	}
	tlb_batch_init(&tlb, &kernel_pt_ops);
	KTEST_ASSERT_EQ(t, map_pages(init_pgd, TEST_VA_2M, page_to_phys(block), PMD_SIZE,
				     PAGE_KERNEL, MAP_PAGES_2M, &tlb), 0);
	tlb_flush_batch(&tlb);
	KTEST_EXPECT_TRUE(t, lookup_address(init_pgd, TEST_VA_2M + 12345, &size) != NULL);
	KTEST_EXPECT_EQ(t, size, PMD_SIZE);
	for (uint64_t off = 0; off < PMD_SIZE; off += PAGE_SIZE)
		*(volatile uint64_t *)(TEST_VA_2M + off) = off;

	before = flush_counts();
	KTEST_EXPECT_EQ(t, protect_range(init_pgd, TEST_VA_2M + 5 * PAGE_SIZE, PAGE_SIZE, 0,
					 _PAGE_RW, &tlb), 0);
	tlb_flush_batch(&tlb);
	KTEST_EXPECT_EQ(t, flush_counts().page, before.page + 1);
	KTEST_EXPECT_TRUE(t, lookup_address(init_pgd, TEST_VA_2M + 12345, &size) != NULL);
	KTEST_EXPECT_EQ(t, size, PAGE_SIZE);
	target = TEST_VA_2M + 5 * PAGE_SIZE;
	KTEST_EXPECT_TRUE(t, trap_catch_call(&tc, write_target));
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_WRITE);
	target = TEST_VA_2M + 6 * PAGE_SIZE;
	KTEST_EXPECT_TRUE(t, !trap_catch_call(&tc, write_target));
	KTEST_EXPECT_EQ(t, *(volatile uint64_t *)(TEST_VA_2M + 7 * PAGE_SIZE), 7 * PAGE_SIZE);

	/* 512 pages: more than the ceiling, so one whole flush, global entries included. */
	KTEST_EXPECT_EQ(t, unmap_range(init_pgd, TEST_VA_2M, PMD_SIZE, &tlb), 0);
	KTEST_EXPECT_TRUE(t, tlb_batch_wants_full_flush(&tlb));
	KTEST_EXPECT_EQ(t, tlb.global, boot_cpu.pge);
	tlb_flush_batch(&tlb);
	KTEST_EXPECT_EQ(t, flush_counts().full, before.full + 1);
	for (uint64_t off = 0; off < PMD_SIZE; off += 97 * PAGE_SIZE)
		expect_not_present(t, TEST_VA_2M + off);
	KTEST_EXPECT_EQ(t, nr_pgtable_pages(), tables);
	__free_pages(block, 9);
	free_vm_area(area);
}

static const struct ktest_case paging_cases[] = {
	KTEST_CASE(test_map_write_unmap_faults),
	KTEST_CASE(test_protection_takes_effect),
	KTEST_CASE(test_large_page_split_and_full_flush),
	{},
};
KTEST_SUITE(paging, paging_cases);
