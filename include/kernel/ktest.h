/*
 * Kernel tests (kernel/ktest.c), in the style of KUnit. A suite is a name and an
 * array of cases; a case is a function that checks behaviour with KTEST_EXPECT_*
 * (records a failure, goes on) or KTEST_ASSERT_* (records it and returns).
 *
 *	static void test_x(struct ktest *t) { KTEST_EXPECT_EQ(t, 1 + 1, 2); }
 *	static const struct ktest_case cases[] = { KTEST_CASE(test_x), {} };
 *	KTEST_SUITE(example, cases);
 *
 * ktest=all (or ktest=example,other) on the command line, or `ktest` in the shell,
 * runs suites and prints KTAP version 1.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <kernel/compiler.h>

struct ktest {
	const char *name;
	unsigned int failures;
	const char *skip_reason;	/* set by KTEST_SKIP */
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;	/* ends with an empty entry */
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE(sname, scases)                                                     \
	static const struct ktest_suite __ktest_suite_##sname __used                   \
		__section(".ktest_suites." #sname) __aligned(8) = { #sname, scases }

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);
/* A "# ..." line in the case's output: a measurement worth seeing, not a failure. */
void ktest_diag(struct ktest *t, const char *fmt, ...) __printf(2, 3);

#define KTEST_EXPECT_TRUE(t, cond) ({                                                  \
	bool __ok = !!(cond);                                                           \
	if (!__ok)                                                                      \
		ktest_fail(t, __FILE__, __LINE__, "expected %s", #cond);                \
	__ok;                                                                           \
})

#define KTEST_EXPECT_EQ(t, a, b) ({                                                    \
	unsigned long long __a = (unsigned long long)(a), __b = (unsigned long long)(b); \
	bool __ok = __a == __b;                                                         \
	if (!__ok)                                                                      \
		ktest_fail(t, __FILE__, __LINE__, "expected %s == %s, got 0x%llx and 0x%llx", \
			   #a, #b, __a, __b);                                           \
	__ok;                                                                           \
})

#define KTEST_EXPECT_STREQ(t, a, b) ({                                                 \
	const char *__a = (a), *__b = (b);                                              \
	bool __ok = __a && __b && strcmp(__a, __b) == 0;                                \
	if (!__ok)                                                                      \
		ktest_fail(t, __FILE__, __LINE__, "expected %s == %s, got \"%s\" and \"%s\"", \
			   #a, #b, __a ? __a : "(null)", __b ? __b : "(null)");         \
	__ok;                                                                           \
})

#define KTEST_ASSERT_TRUE(t, cond) do { if (!KTEST_EXPECT_TRUE(t, cond)) return; } while (0)
#define KTEST_ASSERT_EQ(t, a, b) do { if (!KTEST_EXPECT_EQ(t, a, b)) return; } while (0)

/*
 * Log checks: the first log record from sequence number @seq on that contains both @a and
 * @b (either may be ""), as its seq + 1, or 0 if there is none; ktest_logged says whether.
 */
uint64_t ktest_find_logged(uint64_t seq, const char *a, const char *b);
static inline bool ktest_logged(uint64_t seq, const char *a, const char *b)
{
	return ktest_find_logged(seq, a, b) != 0;
}

#define KTEST_SKIP(t, reason) do { (t)->skip_reason = (reason); return; } while (0)

#endif
