/*
 * What the boot left behind is what the rest of the kernel relies on: the
 * multiboot2 information was parsed, the CPU runs on our own GDT/TSS with IST
 * stacks, per-CPU data is reachable through GS, the stack canary was randomised,
 * and the TSC was calibrated.
 */
#include <asm/cpufeature.h>
#include <asm/layout.h>
#include <asm/segment.h>
#include <asm/x86.h>
#include <kernel/bootinfo.h>
#include <kernel/ktest.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/pgtable.h>

static bool contains(const char *s, const char *word)
{
	for (size_t n = strlen(word); *s; s++)
		if (strncmp(s, word, n) == 0)
			return true;
	return false;
}

static void test_bootinfo_parsed(struct ktest *t)
{
	KTEST_EXPECT_TRUE(t, boot_info.valid);
	KTEST_EXPECT_TRUE(t, boot_info.loader_name && strncmp(boot_info.loader_name, "GRUB", 4) == 0);
	KTEST_EXPECT_EQ(t, boot_info.nr_warnings, 0);
	/* We are running ktest, so the command line says so. */
	KTEST_EXPECT_TRUE(t, contains(saved_command_line, "ktest="));
}

static void test_memory_map_sane(struct ktest *t)
{
	uint64_t usable = 0;
	bool kernel_in_usable = false;

	KTEST_ASSERT_TRUE(t, boot_info.nr_mem > 0);
	for (unsigned int i = 0; i < boot_info.nr_mem; i++) {
		const struct mem_region *m = &boot_info.mem[i];

		if (m->type != MEM_USABLE)
			continue;
		usable += m->length;
		if (m->base <= KERNEL_PHYS && KERNEL_PHYS < m->base + m->length)
			kernel_in_usable = true;
	}
	KTEST_EXPECT_TRUE(t, usable >= 64ull << 20);	/* every test machine has >= 128 MiB */
	KTEST_EXPECT_TRUE(t, kernel_in_usable);		/* GRUB loaded us into RAM it reported */
}

static void test_gdt_and_tss_loaded(struct ktest *t)
{
	uint16_t tr, cs, ss;
	struct desc_ptr gdtr;

	__asm__ volatile("str %0; mov %%cs, %1; mov %%ss, %2; sgdt %3"
			 : "=r"(tr), "=r"(cs), "=r"(ss), "=m"(gdtr));
	KTEST_EXPECT_EQ(t, tr, GDT_TSS);
	KTEST_EXPECT_EQ(t, cs, GDT_KERNEL_CS);
	KTEST_EXPECT_EQ(t, ss, GDT_KERNEL_DS);
	KTEST_EXPECT_EQ(t, gdtr.base, (uint64_t)this_cpu()->gdt);
	/* The TSS descriptor is "busy" (type 0xb) once loaded with ltr. */
	KTEST_EXPECT_EQ(t, (this_cpu()->gdt[GDT_TSS / 8] >> 40) & 0xf, 0xb);
}

static void test_ist_stacks(struct ktest *t)
{
	struct cpu *c = this_cpu();

	for (int i = 0; i < IST_COUNT; i++)
		KTEST_EXPECT_EQ(t, c->tss.ist[i], (uint64_t)c->ist_stacks[i] + IST_STACK_SIZE);
	KTEST_EXPECT_TRUE(t, c->tss.ist[IST_DOUBLE_FAULT - 1] % 16 == 0);
}

static void test_percpu_through_gs(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, (uint64_t)this_cpu(), (uint64_t)&cpus[0]);
	KTEST_EXPECT_EQ(t, rdmsr(MSR_GS_BASE), (uint64_t)&cpus[0]);
	KTEST_EXPECT_EQ(t, this_cpu()->id, 0);
}

extern uint64_t __stack_chk_guard;

static void test_stack_canary_randomised(struct ktest *t)
{
	KTEST_EXPECT_TRUE(t, __stack_chk_guard != 0x2f8a9d3c5b1e7064ull);
	KTEST_EXPECT_EQ(t, __stack_chk_guard & 0xff, 0);	/* the string-stopping zero byte */
	KTEST_EXPECT_TRUE(t, __stack_chk_guard >> 8 != 0);
}

static void test_tsc_calibrated(struct ktest *t)
{
	uint64_t a, b;

	KTEST_EXPECT_TRUE(t, tsc_khz >= 100000);	/* >= 100 MHz: no real or emulated x86_64 is slower */
	a = ktime_get_ns();
	mdelay(2);
	b = ktime_get_ns();
	KTEST_EXPECT_TRUE(t, b - a >= 2 * NSEC_PER_MSEC);
	KTEST_EXPECT_TRUE(t, b - a < 500 * NSEC_PER_MSEC);
}

static void test_paging_state(struct ktest *t)
{
	KTEST_EXPECT_TRUE(t, read_cr0() & (1ull << 31));	/* PG */
	KTEST_EXPECT_TRUE(t, read_cr0() & (1ull << 16));	/* WP: the kernel honours read-only */
	KTEST_EXPECT_TRUE(t, rdmsr(MSR_EFER) & (1ull << 10));	/* LMA: long mode is active */
	/* mm_init switched to its own tables and turned on what the CPU offers. */
	KTEST_EXPECT_EQ(t, read_cr3() & PTE_ADDR_MASK, __pa(init_pgd));
	KTEST_EXPECT_EQ(t, !!(read_cr4() & (1ull << 7)), boot_cpu.pge);	/* PGE */
	KTEST_EXPECT_EQ(t, !!(rdmsr(MSR_EFER) & (1ull << 11)), boot_cpu.nx);	/* NXE */
}

static const struct ktest_case boot_cases[] = {
	KTEST_CASE(test_bootinfo_parsed),
	KTEST_CASE(test_memory_map_sane),
	KTEST_CASE(test_gdt_and_tss_loaded),
	KTEST_CASE(test_ist_stacks),
	KTEST_CASE(test_percpu_through_gs),
	KTEST_CASE(test_stack_canary_randomised),
	KTEST_CASE(test_tsc_calibrated),
	KTEST_CASE(test_paging_state),
	{},
};
KTEST_SUITE(boot, boot_cases);
