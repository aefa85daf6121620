/*
 * lib/ as the kernel build compiles it (freestanding, no SSE, kernel code model):
 * the host tests check these functions thoroughly; this suite checks that the
 * kernel's copy behaves the same on the cases that matter most, plus the UBSAN
 * runtime when the kernel has one.
 */
#include <kernel/ktest.h>
#include <kernel/ratelimit.h>
#include <kernel/ubsan.h>
#include <lib/printf.h>
#include <lib/string.h>

static void test_vsnprintf_formats(struct ktest *t)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%d %u %x %lx %s %c %zu %llu", -5, 7u, 0xbeefu, 0x123456789aul,
		 "str", 'c', (size_t)42, 18446744073709551615ull);
	KTEST_EXPECT_STREQ(t, buf, "-5 7 beef 123456789a str c 42 18446744073709551615");
	snprintf(buf, sizeof(buf), "[%5d|%-5d|%05d|%8s|%-4s]", 42, 42, -42, "ab", "cd");
	KTEST_EXPECT_STREQ(t, buf, "[   42|42   |-0042|      ab|cd  ]");
	snprintf(buf, sizeof(buf), "%p", (void *)0xffffffff80200000ull);
	KTEST_EXPECT_STREQ(t, buf, "0xffffffff80200000");
}

static void test_snprintf_truncates(struct ktest *t)
{
	char buf[8];

	KTEST_EXPECT_EQ(t, snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	KTEST_EXPECT_STREQ(t, buf, "0123456");
	KTEST_EXPECT_EQ(t, scnprintf(buf, sizeof(buf), "%s", "0123456789"), 7);
}

static void test_mem_functions(struct ktest *t)
{
	char a[64], b[64];

	for (int i = 0; i < 64; i++)
		a[i] = (char)i;
	memcpy(b, a, sizeof(a));
	KTEST_EXPECT_EQ(t, memcmp(a, b, sizeof(a)), 0);
	memmove(a + 1, a, 32);		/* overlapping, forward */
	KTEST_EXPECT_EQ(t, a[1], 0);
	KTEST_EXPECT_EQ(t, a[32], 31);
	memset(b, 0x5a, 10);
	KTEST_EXPECT_EQ(t, b[9], 0x5a);
	KTEST_EXPECT_EQ(t, b[10], 10);
}

static __noinline int shift_by(int v, volatile int n)
{
	return v << n;
}

static void test_ubsan_reports(struct ktest *t)
{
#ifdef CONFIG_UBSAN
	unsigned int before = ubsan_state.reports;

	(void)shift_by(1, 40);
	KTEST_EXPECT_EQ(t, ubsan_state.reports, before + 1);
	KTEST_EXPECT_STREQ(t, ubsan_state.last_kind, "shift-out-of-bounds");
	(void)shift_by(1, 3);
	KTEST_EXPECT_EQ(t, ubsan_state.reports, before + 1);	/* a valid shift reports nothing */
#else
	(void)shift_by;
	KTEST_SKIP(t, "kernel built without UBSAN=1");
#endif
}

/* __ratelimit: a burst goes through, the rest is refused and counted, and the first line
 * let through after the interval learns how many were missed. */
static void test_ratelimit_burst_and_missed(struct ktest *t)
{
	static DEFINE_RATELIMIT_STATE(rs, 1000000000ull, 3);
	unsigned long missed = 99;

	for (int i = 0; i < 3; i++) {
		KTEST_EXPECT_TRUE(t, __ratelimit(&rs, &missed));
		KTEST_EXPECT_EQ(t, missed, 0);
	}
	KTEST_EXPECT_TRUE(t, !__ratelimit(&rs, &missed));
	KTEST_EXPECT_TRUE(t, !__ratelimit(&rs, &missed));
	rs.begin -= rs.interval_ns;	/* as if a second had passed */
	KTEST_EXPECT_TRUE(t, __ratelimit(&rs, &missed));
	KTEST_EXPECT_EQ(t, missed, 2);
	KTEST_EXPECT_TRUE(t, __ratelimit(&rs, &missed));
	KTEST_EXPECT_EQ(t, missed, 0);
}

static const struct ktest_case lib_cases[] = {
	KTEST_CASE(test_vsnprintf_formats),
	KTEST_CASE(test_snprintf_truncates),
	KTEST_CASE(test_mem_functions),
	KTEST_CASE(test_ubsan_reports),
	KTEST_CASE(test_ratelimit_burst_and_missed),
	{},
};
KTEST_SUITE(lib, lib_cases);
