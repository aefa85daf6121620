/*
 * The scheduler's constant tables and tunables: the nice-to-weight table, its inverses,
 * the sysctls (ns) and the list of classes in priority order. docs/sched.md explains the
 * numbers; they are Linux's, so a student's measurements compare with a Linux box.
 */
#include <sched/sched.h>

/*
 * Weight of nice -20..19 (index nice + 20). Neighbouring levels differ by a factor of about
 * 1.25, so a CPU-bound task that goes one nice level up gets about 10% less CPU than one that
 * stays: with two tasks at nice 0 and nice 1, the shares are 1024/1844 = 55.5% and 44.5%.
 */
const int sched_prio_to_weight[40] = {
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */ 9548, 7620, 6100, 4904, 3906,
	/*  -5 */ 3121, 2501, 1991, 1586, 1277,
	/*   0 */ 1024, 820, 655, 526, 423,
	/*   5 */ 335, 272, 215, 172, 137,
	/*  10 */ 110, 87, 70, 56, 45,
	/*  15 */ 36, 29, 23, 18, 15,
};

/*
 * 2^32 / weight (within 1), so that x / weight is computed as (x * wmult) >> 32: a multiply
 * and a shift instead of a division on every update of a vruntime.
 */
const uint32_t sched_prio_to_wmult[40] = {
	/* -20 */ 48388, 59856, 76040, 92818, 118348,
	/* -15 */ 147320, 184698, 229616, 287308, 360437,
	/* -10 */ 449829, 563644, 704093, 875809, 1099582,
	/*  -5 */ 1376151, 1717300, 2157191, 2708050, 3363326,
	/*   0 */ 4194304, 5237765, 6557202, 8165337, 10153587,
	/*   5 */ 12820798, 15790321, 19976592, 24970740, 31350126,
	/*  10 */ 39045157, 49367440, 61356676, 76695844, 95443717,
	/*  15 */ 119304647, 148102320, 186737708, 238609294, 286331153,
};

/* Tunables, ns (Linux's defaults for one CPU), set by name through sched/sysctl.c. */
uint64_t sysctl_sched_latency = 6000000ull;
uint64_t sysctl_sched_min_granularity = 750000ull;
uint64_t sysctl_sched_wakeup_granularity = 1000000ull;
uint64_t sysctl_sched_rr_timeslice = RR_TIMESLICE_NS;
uint64_t sysctl_sched_rt_period = 1000000000ull;
int64_t sysctl_sched_rt_runtime = 950000000ll;

/* Highest first: the core takes the first class that has a task to run. */
const struct sched_class *const sched_classes[] = {
	&rt_sched_class,
	&fair_sched_class,
	&idle_sched_class,
};
const unsigned int nr_sched_classes = ARRAY_SIZE(sched_classes);
