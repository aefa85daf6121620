/*
 * Exceptions are caught, decoded and resumed correctly: each case arms a
 * trap_catcher, makes the CPU raise one exception, and checks the vector, error
 * code, CR2 and faulting RIP that do_exception() recorded. Also: int3 resumes,
 * a stray IRQ is counted and masked, the boot stack's guard page is unmapped.
 */
#include <asm/layout.h>
#include <kernel/irq.h>
#include <kernel/ktest.h>
#include <kernel/ksyms.h>
#include <kernel/percpu.h>
#include <kernel/traps.h>
#include <lib/string.h>

static volatile uint64_t zero;

static __noinline void do_ud(void) { __asm__ volatile("ud2"); }
static __noinline void do_de(void)
{
	uint64_t q, r;

	__asm__ volatile("divq %4" : "=a"(q), "=d"(r) : "a"(1ull), "d"(0ull), "r"(zero));
}
static __noinline void do_read_null(void) { (void)*(volatile uint64_t *)(zero + 0x18); }
static __noinline void do_write_unmapped(void) { *(volatile uint64_t *)(0xdead000000ull + zero) = 1; }
static __noinline void do_noncanonical(void) { (void)*(volatile uint64_t *)(0x8000000000000000ull + zero); }
static __noinline void do_nothing(void) { }
static __noinline void do_read_identity(void) { (void)*(volatile uint64_t *)(0x100000 + zero); }

extern const char boot_stack_guard[];
static __noinline void do_write_guard(void) { *(volatile char *)(boot_stack_guard + zero) = 1; }

/* Is @rip inside function @fn? */
static bool rip_in(uint64_t rip, void (*fn)(void))
{
	uint64_t off, size;
	const char *name = ksym_lookup(rip, &off, &size);

	return name && rip - off == (uint64_t)fn;
}

static void test_invalid_opcode(struct ktest *t)
{
	struct trap_catcher tc;

	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, do_ud));
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_UD);
	KTEST_EXPECT_EQ(t, tc.error_code, 0);
	KTEST_EXPECT_TRUE(t, rip_in(tc.rip, do_ud));
	KTEST_EXPECT_EQ(t, *(const uint16_t *)tc.rip, 0x0b0f);	/* RIP points at the ud2 itself */
}

static void test_divide_error(struct ktest *t)
{
	struct trap_catcher tc;

	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, do_de));
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_DE);
	KTEST_EXPECT_TRUE(t, rip_in(tc.rip, do_de));
}

static void test_page_fault_read_not_present(struct ktest *t)
{
	struct trap_catcher tc;

	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, do_read_null));
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, tc.cr2, 0x18);
	KTEST_EXPECT_EQ(t, tc.error_code, 0);	/* not present, read, supervisor */
	KTEST_EXPECT_TRUE(t, rip_in(tc.rip, do_read_null));
}

static void test_page_fault_write(struct ktest *t)
{
	struct trap_catcher tc;

	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, do_write_unmapped));
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_PF);
	KTEST_EXPECT_EQ(t, tc.cr2, 0xdead000000ull);
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_WRITE);
}

static void test_general_protection(struct ktest *t)
{
	struct trap_catcher tc;

	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, do_noncanonical));
	KTEST_EXPECT_EQ(t, tc.vector, X86_TRAP_GP);
	KTEST_EXPECT_EQ(t, tc.error_code, 0);
}

static void test_no_exception_no_catch(struct ktest *t)
{
	struct trap_catcher tc;

	KTEST_EXPECT_TRUE(t, !trap_catch_call(&tc, do_nothing));
	KTEST_EXPECT_TRUE(t, this_cpu()->catcher == NULL);
}

static void test_boot_stack_guard_unmapped(struct ktest *t)
{
	struct trap_catcher tc;

	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, do_write_guard));
	KTEST_EXPECT_EQ(t, tc.cr2, (uint64_t)boot_stack_guard);
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_WRITE);
	KTEST_EXPECT_TRUE(t, addr_in_stack_guard(tc.cr2));
	KTEST_EXPECT_TRUE(t, !addr_in_stack_guard(tc.cr2 + PAGE_SIZE));
}

static void test_no_identity_map(struct ktest *t)
{
	struct trap_catcher tc;

	/* Physical 1 MiB is RAM, but the kernel's tables reach it only through the direct map. */
	KTEST_ASSERT_TRUE(t, trap_catch_call(&tc, do_read_identity));
	KTEST_EXPECT_EQ(t, tc.cr2, 0x100000);
	KTEST_EXPECT_EQ(t, tc.error_code, 0);
	(void)*(volatile uint8_t *)__va(0x100000);	/* no fault: the direct map is there */
}

static void test_int3_resumes(struct ktest *t)
{
	volatile int after = 0;

	__asm__ volatile("int3");
	after = 1;
	KTEST_EXPECT_EQ(t, after, 1);
}

static void test_stray_irq_counted(struct ktest *t)
{
	uint64_t stray = irq_stats[0].stray, count = irq_stats[0].count[5];

	__asm__ volatile("int $37");	/* as if IRQ 5 fired with no driver for it */
	KTEST_EXPECT_EQ(t, irq_stats[0].stray, stray + 1);
	KTEST_EXPECT_EQ(t, irq_stats[0].count[5], count + 1);
	KTEST_EXPECT_TRUE(t, irq_name(5) == NULL);
}

static void test_exception_names(struct ktest *t)
{
	KTEST_EXPECT_STREQ(t, exception_name(X86_TRAP_PF), "page fault");
	KTEST_EXPECT_STREQ(t, exception_name(X86_TRAP_UD), "invalid opcode");
	KTEST_EXPECT_STREQ(t, exception_name(X86_TRAP_DE), "divide error");
	for (unsigned int v = 0; v < NR_EXCEPTIONS; v++)
		KTEST_EXPECT_TRUE(t, exception_name(v) != NULL);
}

static const struct ktest_case traps_cases[] = {
	KTEST_CASE(test_invalid_opcode),
	KTEST_CASE(test_divide_error),
	KTEST_CASE(test_page_fault_read_not_present),
	KTEST_CASE(test_page_fault_write),
	KTEST_CASE(test_general_protection),
	KTEST_CASE(test_no_exception_no_catch),
	KTEST_CASE(test_boot_stack_guard_unmapped),
	KTEST_CASE(test_no_identity_map),
	KTEST_CASE(test_int3_resumes),
	KTEST_CASE(test_stray_irq_counted),
	KTEST_CASE(test_exception_names),
	{},
};
KTEST_SUITE(traps, traps_cases);
