/*
 * The kernel's own symbol table names its functions correctly: lookups land on
 * the right function with the right offset and size, the table is sorted, and a
 * backtrace-style string has Linux's "name+0xoff/0xsize" form.
 */
#include <kernel/kernel.h>
#include <kernel/ksyms.h>
#include <kernel/ktest.h>
#include <lib/printf.h>
#include <lib/string.h>

static __noinline int probe_function(int x)
{
	return x * 3 + 1;
}

static void test_lookup_names_function(struct ktest *t)
{
	uint64_t off, size, addr = (uint64_t)probe_function;
	const char *name = ksym_lookup(addr + 2, &off, &size);

	KTEST_ASSERT_TRUE(t, name != NULL);
	KTEST_EXPECT_STREQ(t, name, "probe_function");
	KTEST_EXPECT_EQ(t, off, 2);
	KTEST_EXPECT_TRUE(t, size > 2 && size < 256);
	KTEST_EXPECT_EQ(t, probe_function(1), 4);
}

static void test_lookup_by_name(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, ksym_address("kmain"), (uint64_t)kmain);
	KTEST_EXPECT_EQ(t, ksym_address("no_such_symbol_anywhere"), 0);
}

static void test_outside_text(struct ktest *t)
{
	static int data_object;

	KTEST_EXPECT_TRUE(t, ksym_lookup((uint64_t)&data_object, NULL, NULL) == NULL);
	KTEST_EXPECT_TRUE(t, ksym_lookup(0x1000, NULL, NULL) == NULL);
}

static void test_table_sorted(struct ktest *t)
{
	KTEST_ASSERT_TRUE(t, ksym_count > 100);
	for (uint32_t i = 1; i < ksym_count; i++)
		if (!KTEST_EXPECT_TRUE(t, ksym_addrs[i - 1] < ksym_addrs[i]))
			return;
}

static void test_sprint_symbol_format(struct ktest *t)
{
	char buf[KSYM_NAME_LEN], want[KSYM_NAME_LEN];
	uint64_t size;

	ksym_lookup((uint64_t)probe_function, NULL, &size);
	sprint_symbol(buf, sizeof(buf), (uint64_t)probe_function + 5);
	snprintf(want, sizeof(want), "probe_function+0x5/0x%llx", (unsigned long long)size);
	KTEST_EXPECT_STREQ(t, buf, want);
	sprint_symbol(buf, sizeof(buf), 0x1234);
	KTEST_EXPECT_STREQ(t, buf, "0x0000000000001234");
}

static const struct ktest_case ksyms_cases[] = {
	KTEST_CASE(test_lookup_names_function),
	KTEST_CASE(test_lookup_by_name),
	KTEST_CASE(test_outside_text),
	KTEST_CASE(test_table_sorted),
	KTEST_CASE(test_sprint_symbol_format),
	{},
};
KTEST_SUITE(ksyms, ksyms_cases);
