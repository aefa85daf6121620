/*
 * The page tables mm_init() built: kernel text is read+execute only, rodata is
 * read-only, data is not executable, the boot stack guard is still unmapped, the
 * direct map reaches every usable frame, and the struct page array covers them all.
 */
#include <asm/cpufeature.h>
#include <kernel/bootinfo.h>
#include <kernel/ktest.h>
#include <kernel/percpu.h>
#include <kernel/traps.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>

static volatile uint64_t target;	/* the address a faulting helper touches */

/* Writes back the byte that is there: harmless if the page were (wrongly) writable. */
static __noinline void write_target(void) { *(volatile uint8_t *)target = *(volatile uint8_t *)target; }
static __noinline void call_target(void) { ((void (*)(void))target)(); }
static __noinline void read_target(void) { (void)*(volatile uint8_t *)target; }

extern const char _text[], _etext[], _erodata[], boot_stack_guard[];
static uint8_t data_byte = 0xc3;	/* "ret", in .data */

static void test_text_not_writable(struct ktest *t)
{
	struct trap_catcher tc;

	target = (uint64_t)_text + 64;
	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, write_target));
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_WRITE);
	KTEST_EXPECT_EQ(t, tc.cr2, target);
}

static void test_rodata_not_writable(struct ktest *t)
{
	struct trap_catcher tc;

	target = (uint64_t)_etext + 8;
	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, write_target));
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_WRITE);
}

static void test_data_not_executable(struct ktest *t)
{
	struct trap_catcher tc;

	if (!boot_cpu.nx)
		KTEST_SKIP(t, "the CPU has no NX bit");
	target = (uint64_t)&data_byte;
	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, call_target));
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_INSTR);
	KTEST_EXPECT_EQ(t, tc.cr2, target);
}

static void test_guard_page_still_unmapped(struct ktest *t)
{
	struct trap_catcher tc;
	uint64_t size;

	target = (uint64_t)boot_stack_guard;
	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, read_target));
	KTEST_EXPECT_EQ(t, tc.error_code, 0);
	KTEST_EXPECT_TRUE(t, lookup_address(init_pgd, target, &size) == NULL);
	KTEST_EXPECT_TRUE(t, lookup_address(init_pgd, target + PAGE_SIZE, &size) != NULL);
}

static void test_direct_map_covers_ram(struct ktest *t)
{
	for (unsigned int i = 0; i < boot_info.nr_mem; i++) {
		const struct mem_region *m = &boot_info.mem[i];
		uint64_t first = ALIGN_UP(m->base, PAGE_SIZE), last, size;
		pteval_t *e;

		if (m->type != MEM_USABLE || m->base + m->length < first + PAGE_SIZE)
			continue;
		last = ALIGN_DOWN(m->base + m->length, PAGE_SIZE) - PAGE_SIZE;
		e = lookup_address(init_pgd, PAGE_OFFSET + last, &size);
		if (!KTEST_EXPECT_TRUE(t, e != NULL))
			return;
		KTEST_EXPECT_EQ(t, (*e & PTE_ADDR_MASK) + (last & (size - 1)), last);
		KTEST_EXPECT_EQ(t, !!(*e & _PAGE_NX), boot_cpu.nx);	/* data, never code */
		KTEST_EXPECT_TRUE(t, lookup_address(init_pgd, PAGE_OFFSET + first, &size) != NULL);
		/* Touch both ends: no fault. */
		(void)*(volatile uint8_t *)__va(first);
		(void)*(volatile uint8_t *)__va(last + PAGE_SIZE - 1);
	}
}

static void test_direct_map_uses_large_pages(struct ktest *t)
{
	const struct mem_boot_stats *s = &mem_boot_stats;

	unsigned int ranges = 0;

	for (unsigned int i = 0; i < boot_info.nr_mem; i++)
		ranges += boot_info.mem[i].type == MEM_USABLE;
	/* Every machine we boot has at least 64 MiB in one usable range. */
	KTEST_EXPECT_TRUE(t, s->direct_map[1] + s->direct_map[2] >= 32ull << 20);
	/* 4K pages only at the edges: less than 2 MiB at each end of each range. */
	KTEST_EXPECT_TRUE(t, s->direct_map[0] < ranges * (4ull << 20));
}

static void test_mem_map_covers_frames(struct ktest *t)
{
	uint64_t size;

	KTEST_ASSERT_TRUE(t, max_pfn > 0);
	KTEST_EXPECT_EQ(t, (uint64_t)mem_map, VMEMMAP_START);
	/* The array is backed to its last entry, and each frame's struct page knows its zone. */
	KTEST_EXPECT_TRUE(t, lookup_address(init_pgd, (uint64_t)&mem_map[max_pfn - 1], &size) != NULL);
	for (unsigned long pfn = 0; pfn < max_pfn; pfn += 4093) {
		enum zone_type want = pfn < ZONE_DMA_END_PFN ? ZONE_DMA :
				      pfn < ZONE_DMA32_END_PFN ? ZONE_DMA32 : ZONE_NORMAL;

		if (!KTEST_EXPECT_EQ(t, pfn_to_page(pfn)->zone, want))
			return;
	}
	/* The kernel image and the low 1 MiB are reserved; they never reach the allocator. */
	KTEST_EXPECT_TRUE(t, PageFlag(virt_to_page(_text), PG_reserved));
	KTEST_EXPECT_TRUE(t, PageFlag(pfn_to_page(0), PG_reserved));
	KTEST_EXPECT_TRUE(t, PageFlag(pfn_to_page(0x9f), PG_reserved));
}

static const struct ktest_case mm_init_cases[] = {
	KTEST_CASE(test_text_not_writable),
	KTEST_CASE(test_rodata_not_writable),
	KTEST_CASE(test_data_not_executable),
	KTEST_CASE(test_guard_page_still_unmapped),
	KTEST_CASE(test_direct_map_covers_ram),
	KTEST_CASE(test_direct_map_uses_large_pages),
	KTEST_CASE(test_mem_map_covers_frames),
	{},
};
KTEST_SUITE(mm_init, mm_init_cases);
