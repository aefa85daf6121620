/*
 * vmalloc in the running kernel (ktest=vmalloc): memory readable and writable on every
 * page, vmalloc_to_page agreeing with the page tables, the guard page, vfree unmapping at
 * once and the range coming back only after the purge's flush, the exact number of purges
 * (and whole TLB flushes) for 10,000 vmalloc/vfree pairs, vmap, ioremap, the
 * /proc/vmallocinfo line, VmallocUsed. Contexts and bad pointers are in
 * test_vmalloc_misuse.c, kernel stacks in test_vmap_stack.c.
 * QEMU fills its TLB only on access, like a CPU without speculation, which the test of
 * "vfree then access faults" relies on: a page never touched through its vmalloc address
 * faults right after vfree; a touched one may still translate until the purge.
 */
#include <asm/io.h>
#include <asm/x86.h>
#include <kernel/ktest.h>
#include <kernel/traps.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>
#include "../../mm/vmalloc_internal.h"

static volatile uint64_t target;
static const struct ktest_case vmalloc_cases[];

static __noinline void read_target(void) { (void)*(volatile uint64_t *)target; }

/* Reading @va faults as "not present" at @va. */
static bool read_faults(struct ktest *t, uint64_t va)
{
	struct trap_catcher tc;

	target = va;
	if (!trap_catch_call(&tc, read_target))
		return false;
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, tc.error_code & X86_PF_PROT, 0);
	KTEST_EXPECT_EQ(t, tc.cr2, va);
	return true;
}

static void test_every_page_readable_and_writable(struct ktest *t)
{
	const unsigned int pages = 37;
	uint64_t *p = vmalloc(pages * PAGE_SIZE - 100);	/* rounded up to 37 pages */
	const unsigned int words = pages * PAGE_SIZE / 8;
	unsigned int bad = 0;

	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_TRUE(t, is_vmalloc_addr(p));
	KTEST_EXPECT_EQ(t, (uint64_t)p % PAGE_SIZE, 0);
	for (unsigned int i = 0; i < words; i++)
		p[i] = 0x5eed0000ull + i * 0x9e3779b9ull;
	for (unsigned int i = 0; i < words; i++)
		bad += p[i] != 0x5eed0000ull + i * 0x9e3779b9ull;
	KTEST_EXPECT_EQ(t, bad, 0);
	vfree(p);

	p = vzalloc(pages * PAGE_SIZE);
	KTEST_ASSERT_TRUE(t, p != NULL);
	for (unsigned int i = 0; i < words; i++)
		bad += p[i] != 0;
	KTEST_EXPECT_EQ(t, bad, 0);
	vfree(p);
}

static void test_vmalloc_to_page_agrees_with_the_mapping(struct ktest *t)
{
	const unsigned int pages = 16;
	char *p = vmalloc(pages * PAGE_SIZE);
	uint64_t pa;
	pteval_t prot;

	KTEST_ASSERT_TRUE(t, p != NULL);
	for (unsigned int i = 0; i < pages; i++) {
		char *va = p + i * PAGE_SIZE;
		struct page *page = vmalloc_to_page(va + 123);

		KTEST_ASSERT_TRUE(t, page != NULL);
		KTEST_EXPECT_EQ(t, follow_pte(init_pgd, (uint64_t)va, &pa, &prot), PAGE_SIZE);
		KTEST_EXPECT_EQ(t, pa, page_to_phys(page));
		KTEST_EXPECT_EQ(t, prot & ~(_PAGE_ACCESSED | _PAGE_DIRTY),
				PAGE_KERNEL & supported_pte_mask);
		KTEST_EXPECT_EQ(t, vmalloc_to_pfn(va), page_to_pfn(page));
		/* The same byte through the direct map and through the vmalloc address. */
		((char *)page_address(page))[77] = (char)(i + 1);
		KTEST_EXPECT_EQ(t, va[77], (char)(i + 1));
		va[78] = (char)(i + 2);
		KTEST_EXPECT_EQ(t, ((char *)page_address(page))[78], (char)(i + 2));
		KTEST_EXPECT_EQ(t, page->order, 0);	/* order-0 frames, any of them */
	}
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(p + pages * PAGE_SIZE) == NULL);	/* the guard */
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(vmalloc_cases) == NULL);	/* the kernel image */
	vfree(p);
}

static void test_guard_page_after_the_area(struct ktest *t)
{
	char *p = vmalloc(2 * PAGE_SIZE);
	struct vm_struct *vm = find_vm_area(p);

	KTEST_ASSERT_TRUE(t, p && vm);
	KTEST_EXPECT_EQ(t, vm->size, 3 * PAGE_SIZE);	/* the guard counts, as on Linux */
	KTEST_EXPECT_EQ(t, vm->nr_pages, 2);
	KTEST_EXPECT_TRUE(t, vm->flags & VM_ALLOC);
	p[2 * PAGE_SIZE - 1] = 1;
	KTEST_EXPECT_TRUE(t, read_faults(t, (uint64_t)p + 2 * PAGE_SIZE));
	KTEST_EXPECT_TRUE(t, read_faults(t, (uint64_t)p + 3 * PAGE_SIZE - 8));
	vfree(p);
}

static void test_vfree_unmaps_at_once_reuses_after_purge(struct ktest *t)
{
	unsigned long purges;
	char *p, *q;

	vm_unmap_aliases();	/* start with nothing lazy */
	purges = vm_event_sum(NR_VMALLOC_PURGE);
	p = vmalloc(2 * PAGE_SIZE);
	KTEST_ASSERT_TRUE(t, p != NULL);
	p[0] = 1;		/* page 0 is in the TLB now, page 1 never was */
	vfree(p);
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(p) == NULL);	/* unmapped at once */
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(p + PAGE_SIZE) == NULL);
	KTEST_EXPECT_TRUE(t, read_faults(t, (uint64_t)p + PAGE_SIZE));
	KTEST_EXPECT_EQ(t, vm_event_sum(NR_VMALLOC_PURGE), purges);	/* no flush yet */
	q = vmalloc(2 * PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, q != p);	/* p's range waits for its flush */
	vfree(q);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vm_event_sum(NR_VMALLOC_PURGE), purges + 1);
	KTEST_EXPECT_TRUE(t, read_faults(t, (uint64_t)p));	/* the flush dropped page 0 */
	q = vmalloc(2 * PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, q && q <= p);	/* lowest fit: p's range is free again */
	vfree(q);
}

/*
 * 10,000 pairs of vmalloc(16 KiB) + vfree, each freeing 5 pages with the guard: a purge
 * when more than lazy_max_pages() wait, so every lazy_max_pages()/5 + 1 pairs, one whole
 * TLB flush each (the pending range is far above the 33-page invlpg ceiling).
 */
#define PAIRS	10000

static void test_lazy_purge_flushes_are_bounded(struct ktest *t)
{
	unsigned long per_purge = lazy_max_pages() / 5 + 1, expect = PAIRS / per_purge;
	unsigned long purges, global, all, failed = 0;

	vm_unmap_aliases();
	purges = vm_event_sum(NR_VMALLOC_PURGE);
	global = vm_event_sum(NR_TLB_LOCAL_FLUSH_GLOBAL);
	all = vm_event_sum(NR_TLB_LOCAL_FLUSH_ALL);
	for (unsigned int i = 0; i < PAIRS; i++) {
		char *p = vmalloc(4 * PAGE_SIZE);

		failed += !p;
		if (p)
			p[i % (4 * PAGE_SIZE)] = 1;
		vfree(p);
	}
	purges = vm_event_sum(NR_VMALLOC_PURGE) - purges;
	global = vm_event_sum(NR_TLB_LOCAL_FLUSH_GLOBAL) - global;
	all = vm_event_sum(NR_TLB_LOCAL_FLUSH_ALL) - all;
	ktest_diag(t, "%u pairs: %lu purges (lazy_max_pages %lu), %lu whole flushes", PAIRS,
		   purges, lazy_max_pages(), global + all);
	KTEST_EXPECT_EQ(t, failed, 0);
	KTEST_EXPECT_EQ(t, purges, expect);
	KTEST_EXPECT_EQ(t, global + all, expect);
	vm_unmap_aliases();
}

static void test_vmap_maps_the_callers_pages(struct ktest *t)
{
	struct page *pages[3];
	unsigned long used = vmalloc_nr_pages();
	uint32_t *v;

	for (int i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KTEST_ASSERT_TRUE(t, pages[i] != NULL);
		*(uint32_t *)page_address(pages[i]) = 0xab00 + i;
	}
	v = vmap(pages, 3, VM_MAP, PAGE_KERNEL);
	KTEST_ASSERT_TRUE(t, v != NULL);
	for (int i = 0; i < 3; i++) {
		KTEST_EXPECT_EQ(t, v[i * PAGE_SIZE / 4], 0xab00 + i);
		KTEST_EXPECT_TRUE(t, vmalloc_to_page(&v[i * PAGE_SIZE / 4]) == pages[i]);
	}
	KTEST_EXPECT_TRUE(t, find_vm_area(v)->flags & VM_MAP);
	KTEST_EXPECT_EQ(t, vmalloc_nr_pages(), used);	/* VmallocUsed counts vmalloc only */
	vunmap(v);
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(v) == NULL);
	for (int i = 0; i < 3; i++) {
		KTEST_EXPECT_EQ(t, pages[i]->refcount, 1);	/* still ours */
		__free_page(pages[i]);
	}
}

#define MSR_IA32_APICBASE	0x1b
#define APIC_LVR		0x30	/* version register */

static void test_ioremap_device_registers(struct ktest *t)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE), phys = base & 0x000ffffffffff000ull;
	struct page *ram = alloc_page(GFP_KERNEL);
	uint64_t pa, want_nx = _PAGE_NX & supported_pte_mask;
	pteval_t prot;
	char *regs;

	KTEST_ASSERT_TRUE(t, ram != NULL);
	KTEST_EXPECT_TRUE(t, ioremap(page_to_phys(ram), 64) == NULL);	/* RAM is refused */
	__free_page(ram);
	if (!(base & (1ull << 11)) || (base & (1ull << 10)))
		KTEST_SKIP(t, "the local APIC is off or in x2APIC mode: no MMIO registers");
	regs = ioremap(phys + APIC_LVR, 4);	/* not page aligned: the offset is kept */
	KTEST_ASSERT_TRUE(t, regs != NULL);
	KTEST_EXPECT_EQ(t, (uint64_t)regs % PAGE_SIZE, APIC_LVR);
	KTEST_EXPECT_EQ(t, follow_pte(init_pgd, (uint64_t)regs, &pa, &prot), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, pa, phys + APIC_LVR);
	KTEST_EXPECT_EQ(t, prot & (_PAGE_PCD | _PAGE_PWT | _PAGE_NX | _PAGE_RW),
			_PAGE_PCD | _PAGE_PWT | _PAGE_RW | want_nx);
	/* The version register: 0x1X for an integrated APIC, the same through the fixmap. */
	KTEST_EXPECT_EQ(t, readl(regs) & 0xf0, 0x10);
	if (lookup_address(init_pgd, fix_to_virt(FIX_APIC_BASE), &pa))
		KTEST_EXPECT_EQ(t, readl(regs),
				readl((void *)(fix_to_virt(FIX_APIC_BASE) + APIC_LVR)));
	KTEST_EXPECT_EQ(t, find_vm_area(regs - APIC_LVR)->phys_addr, phys);
	iounmap(regs);
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(regs) == NULL && !lookup_address(init_pgd,
			  (uint64_t)regs, &pa));
}

static __noinline char *vmalloc_for_vmallocinfo(void)
{
	return vmalloc(4 * PAGE_SIZE);
}

static bool starts_ends(const char *s, const char *head, const char *tail)
{
	size_t n = strlen(s), h = strlen(head), l = strlen(tail);

	return n >= h + l && strncmp(s, head, h) == 0 && strcmp(s + n - l, tail) == 0;
}

static void test_vmallocinfo_line(struct ktest *t)
{
	char *p = vmalloc_for_vmallocinfo();
	unsigned long used = vmalloc_nr_pages();
	static struct vm_info areas[512];
	unsigned int n = MIN(vmap_collect(areas, ARRAY_SIZE(areas)), ARRAY_SIZE(areas));
	char line[256], head[96];
	bool found = false;

	KTEST_ASSERT_TRUE(t, p != NULL);
	snprintf(head, sizeof(head), "0x%016llx-0x%016llx   20480 vmalloc_for_vmallocinfo+0x",
		 (unsigned long long)p, (unsigned long long)p + 5 * PAGE_SIZE);
	for (unsigned int i = 0; i < n; i++) {
		if (areas[i].start != (uint64_t)p)
			continue;
		vmallocinfo_format(line, sizeof(line), &areas[i]);
		found = true;
		if (!KTEST_EXPECT_TRUE(t, starts_ends(line, head, " pages=4 vmalloc\n")))
			ktest_diag(t, "line: %s", line);
	}
	KTEST_EXPECT_TRUE(t, found);
	KTEST_EXPECT_TRUE(t, vmalloc_largest_free() > (1ull << 40));	/* most of 32 TiB */
	vfree(p);
	KTEST_EXPECT_EQ(t, vmalloc_nr_pages(), used);	/* held until the purge */
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_nr_pages(), used - 4);
}

/* Random sizes and lifetimes; contents checked; every page back afterwards. */
static void test_random_sizes_give_everything_back(struct ktest *t)
{
	static char *live[64];
	static unsigned int size[64];
	unsigned long used, free_before, bad = 0;
	uint64_t x = 0x12345678;

	vm_unmap_aliases();
	drain_all_pages();
	used = vmalloc_nr_pages();
	free_before = nr_free_pages();
	for (unsigned int step = 0; step < 2000; step++) {
		unsigned int i = (x = x * 6364136223846793005ull + 1442695040888963407ull) >> 58;

		if (live[i]) {
			bad += live[i][0] != (char)i || live[i][size[i] - 1] != (char)i;
			vfree(live[i]);
			live[i] = NULL;
			continue;
		}
		size[i] = 1 + (x >> 20) % (300 * 1024);
		live[i] = vmalloc(size[i]);
		if (live[i])
			live[i][0] = live[i][size[i] - 1] = (char)i;
	}
	for (unsigned int i = 0; i < 64; i++) {
		vfree(live[i]);
		live[i] = NULL;
	}
	vm_unmap_aliases();
	drain_all_pages();
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, vmalloc_nr_pages(), used);
	/* Page tables stay (the vmalloc area keeps them), slab caches keep some: allow a few. */
	KTEST_EXPECT_TRUE(t, nr_free_pages() + 64 >= free_before);
	ktest_diag(t, "free pages before %lu, after %lu", free_before, nr_free_pages());
}

static const struct ktest_case vmalloc_cases[] = {
	KTEST_CASE(test_every_page_readable_and_writable),
	KTEST_CASE(test_vmalloc_to_page_agrees_with_the_mapping),
	KTEST_CASE(test_guard_page_after_the_area),
	KTEST_CASE(test_vfree_unmaps_at_once_reuses_after_purge),
	KTEST_CASE(test_lazy_purge_flushes_are_bounded),
	KTEST_CASE(test_vmap_maps_the_callers_pages),
	KTEST_CASE(test_ioremap_device_registers),
	KTEST_CASE(test_vmallocinfo_line),
	KTEST_CASE(test_random_sizes_give_everything_back),
	{},
};
KTEST_SUITE(vmalloc, vmalloc_cases);
