/*
 * The scheduler's tunables by name (include/kernel/sysctl.h), with Linux's names, units
 * and rules; the variables are in sched/tables.c, in ns.
 *   kernel.sched_rt_period_us       1000000  the rt throttling period
 *   kernel.sched_rt_runtime_us       950000  rt tasks' share of it; -1: no throttling
 *   kernel.sched_rr_timeslice_ms        100  SCHED_RR's quantum; 0 or less: the default
 *   kernel.sched_latency_ns         6000000  CFS: the period every runnable task runs in
 *   kernel.sched_min_granularity_ns  750000  CFS: the shortest slice
 *   kernel.sched_wakeup_granularity_ns 1000000  CFS: how far ahead a waker must be to preempt
 * (Linux moved the last three to debugfs in 5.13; here they stay where the course finds
 * them.) A runtime longer than its period is refused, as Linux's sched_rt_handler does.
 * A new value counts from the next decision that reads it: the current period, slice or
 * quantum is not cut short.
 */
#include <kernel/sysctl.h>
#include <lib/errno.h>
#include <sched/sched.h>

#define NS_PER_US 1000
#define NS_PER_MS 1000000
#define INT_MAX_ 2147483647

static int write_rt_period(const struct ctl_table *t, int64_t us)
{
	int64_t runtime = READ_ONCE(sysctl_sched_rt_runtime);

	if (runtime >= 0 && runtime > us * NS_PER_US)
		return -EINVAL;
	return sysctl_store(t, us);
}

static int write_rt_runtime(const struct ctl_table *t, int64_t us)
{
	if (us < -1 || (us >= 0 && (uint64_t)us * NS_PER_US > READ_ONCE(sysctl_sched_rt_period)))
		return -EINVAL;
	return sysctl_store(t, us);
}

static int write_rr_timeslice(const struct ctl_table *t, int64_t ms)
{
	if (ms <= 0)
		ms = RR_TIMESLICE_NS / NS_PER_MS;
	return sysctl_store(t, ms);
}

SYSCTL(rt_period, "kernel.sched_rt_period_us", &sysctl_sched_rt_period, NS_PER_US, 1,
       INT_MAX_, write_rt_period);
SYSCTL(rt_runtime, "kernel.sched_rt_runtime_us", &sysctl_sched_rt_runtime, NS_PER_US, -1,
       INT_MAX_, write_rt_runtime);
SYSCTL(rr_timeslice, "kernel.sched_rr_timeslice_ms", &sysctl_sched_rr_timeslice, NS_PER_MS,
       -INT_MAX_, INT_MAX_, write_rr_timeslice);
/* Linux's bounds for these: 0.1 ms to 1 s (the wakeup granularity from 0). */
SYSCTL(latency, "kernel.sched_latency_ns", &sysctl_sched_latency, 1, 100000, 1000000000,
       NULL);
SYSCTL(min_gran, "kernel.sched_min_granularity_ns", &sysctl_sched_min_granularity, 1, 100000,
       1000000000, NULL);
SYSCTL(wakeup_gran, "kernel.sched_wakeup_granularity_ns", &sysctl_sched_wakeup_granularity, 1,
       0, 1000000000, NULL);
