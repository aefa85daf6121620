/*
 * Tunables by name (ktest=sysctl): sysctl_write parses, bounds-checks and stores in the
 * kernel's unit; the rt runtime may never pass its period (nor the period drop below the
 * runtime), -1 turns throttling off, a non-positive RR quantum means the default, and a
 * refused write leaves the value as it was. The shell's output is checked by the
 * sysctl-boot scenario; the effect of the throttle's value by sched_classes.
 */
#include <kernel/ktest.h>
#include <kernel/sysctl.h>
#include <lib/errno.h>
#include <sched/sched.h>

static void test_names_units_and_bounds(struct ktest *t)
{
	const struct ctl_table *period = sysctl_find("kernel.sched_rt_period_us");
	uint64_t latency = sysctl_sched_latency;

	KTEST_ASSERT_TRUE(t, period != NULL);
	KTEST_EXPECT_EQ(t, sysctl_value(period), sysctl_sched_rt_period / 1000);
	KTEST_EXPECT_TRUE(t, sysctl_find("kernel.sched_rt_period") == NULL);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.nosuch", "1"), -ENOENT);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_latency_ns", "abc"), -EINVAL);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_latency_ns", NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_latency_ns", "99999"), -EINVAL);
	KTEST_EXPECT_EQ(t, sysctl_sched_latency, latency);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_latency_ns", "8000000"), 0);
	KTEST_EXPECT_EQ(t, sysctl_sched_latency, 8000000);
	sysctl_sched_latency = latency;
}

static void test_rt_runtime_within_period(struct ktest *t)
{
	uint64_t period = sysctl_sched_rt_period;
	int64_t runtime = sysctl_sched_rt_runtime;

	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rt_runtime_us", "1000001"), -EINVAL);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rt_period_us", "900000"), -EINVAL);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rt_runtime_us", "-2"), -EINVAL);
	KTEST_EXPECT_EQ(t, sysctl_sched_rt_runtime, runtime);
	KTEST_EXPECT_EQ(t, sysctl_sched_rt_period, period);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rt_runtime_us", "-1"), 0);
	KTEST_EXPECT_EQ(t, sysctl_sched_rt_runtime, -1);
	KTEST_EXPECT_EQ(t, sysctl_value(sysctl_find("kernel.sched_rt_runtime_us")), -1);
	/* Unthrottled, any period goes; then a runtime must fit the new one. */
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rt_period_us", "500000"), 0);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rt_runtime_us", "600000"), -EINVAL);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rt_runtime_us", "500000"), 0);
	KTEST_EXPECT_EQ(t, sysctl_sched_rt_runtime, 500000000);
	sysctl_sched_rt_runtime = runtime;
	sysctl_sched_rt_period = period;
}

static void test_rr_timeslice_default(struct ktest *t)
{
	uint64_t slice = sysctl_sched_rr_timeslice;

	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rr_timeslice_ms", "30"), 0);
	KTEST_EXPECT_EQ(t, sysctl_sched_rr_timeslice, 30000000);
	KTEST_EXPECT_EQ(t, sysctl_write("kernel.sched_rr_timeslice_ms", "0"), 0);
	KTEST_EXPECT_EQ(t, sysctl_sched_rr_timeslice, RR_TIMESLICE_NS);
	sysctl_sched_rr_timeslice = slice;
}

static const struct ktest_case sysctl_cases[] = {
	KTEST_CASE(test_names_units_and_bounds),
	KTEST_CASE(test_rt_runtime_within_period),
	KTEST_CASE(test_rr_timeslice_default),
	{},
};
KTEST_SUITE(sysctl, sysctl_cases);
