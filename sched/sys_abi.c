/*
 * The scheduling and time system calls in the Linux x86_64 ABI: each copies its user
 * arguments in, calls the kernel-side call of sched/syscalls.c (which checks them as Linux
 * does) and copies the results out. Affinity: sched_setaffinity, sched_getaffinity and
 * getcpu, with Linux's rules for the mask's length (docs/smp.md, "Affinity and taskset").
 * Clocks: CLOCK_MONOTONIC (and _RAW, _BOOTTIME, _COARSE) is sched_clock(), ns since boot;
 * there is no real-time clock driver yet, so CLOCK_REALTIME is the same count from the
 * epoch: programs see a date in January 1970 and correct intervals.
 */
#include <asm/uaccess.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <kernel/syscalls.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <sched/task.h>

struct timespec64 {
	int64_t tv_sec;
	int64_t tv_nsec;
};

#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID	3
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7
#define TIMER_ABSTIME		1

static long get_param(unsigned long uparam, struct sched_param *p)
{
	if (!uparam)
		return -EINVAL;
	return copy_from_user(p, (void __user *)uparam, sizeof(*p)) ? -EFAULT : 0;
}

long __x64_sys_sched_setscheduler(const struct pt_regs *regs)
{
	struct sched_param p;
	long err = get_param(regs->rdx, &p);

	return err ? err : sys_sched_setscheduler((int)regs->rdi, (int)regs->rsi, &p);
}

long __x64_sys_sched_setparam(const struct pt_regs *regs)
{
	struct sched_param p;
	long err = get_param(regs->rsi, &p);

	return err ? err : sys_sched_setparam((int)regs->rdi, &p);
}

long __x64_sys_sched_getscheduler(const struct pt_regs *regs)
{
	return sys_sched_getscheduler((int)regs->rdi);
}

long __x64_sys_sched_getparam(const struct pt_regs *regs)
{
	struct sched_param p;
	int err;

	if (!regs->rsi)
		return -EINVAL;
	err = sys_sched_getparam((int)regs->rdi, &p);
	if (err)
		return err;
	return copy_to_user((void __user *)regs->rsi, &p, sizeof(p)) ? -EFAULT : 0;
}

long __x64_sys_sched_get_priority_max(const struct pt_regs *regs)
{
	return sys_sched_get_priority_max((int)regs->rdi);
}

long __x64_sys_sched_get_priority_min(const struct pt_regs *regs)
{
	return sys_sched_get_priority_min((int)regs->rdi);
}

static struct timespec64 ns_to_timespec(uint64_t ns)
{
	return (struct timespec64){ .tv_sec = (int64_t)(ns / NSEC_PER_SEC),
				    .tv_nsec = (int64_t)(ns % NSEC_PER_SEC) };
}

long __x64_sys_sched_rr_get_interval(const struct pt_regs *regs)
{
	struct timespec64 ts;
	uint64_t ns;
	int err = sys_sched_rr_get_interval((int)regs->rdi, &ns);

	if (err)
		return err;
	ts = ns_to_timespec(ns);
	return copy_to_user((void __user *)regs->rsi, &ts, sizeof(ts)) ? -EFAULT : 0;
}

long __x64_sys_sched_yield(const struct pt_regs *regs)
{
	(void)regs;
	return sys_sched_yield();
}

long __x64_sys_setpriority(const struct pt_regs *regs)
{
	return sys_setpriority((int)regs->rdi, (int)regs->rsi, (int)regs->rdx);
}

long __x64_sys_getpriority(const struct pt_regs *regs)
{
	return sys_getpriority((int)regs->rdi, (int)regs->rsi);
}

/*
 * sched_setaffinity(pid, len, const unsigned long *mask). As Linux: @len is an unsigned int
 * (the register's upper half ignored); min(len, sizeof(cpumask_t)) bytes are copied into
 * an empty mask, so a short mask names the low CPUs and a long one's tail is not read;
 * -EFAULT before the pid is looked up, -ESRCH before the mask is judged (-EINVAL when no
 * CPU of it is online, an empty one included).
 */
long __x64_sys_sched_setaffinity(const struct pt_regs *regs)
{
	unsigned int len = (unsigned int)regs->rsi;
	cpumask_t mask = 0;

	if (copy_from_user(&mask, (const void __user *)regs->rdx, MIN(len, sizeof(mask))))
		return -EFAULT;
	return sys_sched_setaffinity((int)regs->rdi, mask);
}

/*
 * sched_getaffinity(pid, len, unsigned long *mask): the number of bytes written, as Linux's
 * raw call (glibc's wrapper returns 0 and clears the rest). @len must hold a bit for every
 * CPU the kernel can have (NR_CPUS, Linux's nr_cpu_ids) and be a whole number of longs:
 * -EINVAL before anything else. Only the kernel's mask size is written, never more.
 * "len * 8" is 32-bit arithmetic, as in Linux, where a huge len wraps and is refused.
 */
long __x64_sys_sched_getaffinity(const struct pt_regs *regs)
{
	unsigned int len = (unsigned int)regs->rsi, n;
	cpumask_t mask;
	int err;

	if (len * 8 < NR_CPUS || (len & (sizeof(unsigned long) - 1)))
		return -EINVAL;
	err = sys_sched_getaffinity((int)regs->rdi, &mask);
	if (err)
		return err;
	n = MIN(len, (unsigned int)sizeof(mask));
	if (copy_to_user((void __user *)regs->rdx, &mask, n))
		return -EFAULT;
	return n;
}

/*
 * getcpu(unsigned *cpu, unsigned *node, struct getcpu_cache *unused): where the caller
 * runs at this instant (it may move right after; fine for "where am I" and statistics).
 * One NUMA node, 0. Either pointer may be NULL; a bad one is -EFAULT, after both writes
 * were tried, as Linux does it.
 */
long __x64_sys_getcpu(const struct pt_regs *regs)
{
	unsigned int cpu = smp_processor_id();
	int err = 0;

	if (regs->rdi)
		err |= put_user(cpu, (unsigned int __user *)regs->rdi);
	if (regs->rsi)
		err |= put_user(0u, (unsigned int __user *)regs->rsi);
	return err ? -EFAULT : 0;
}

static long clock_now(int clock, uint64_t *ns)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = sched_clock();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = task_sched_runtime(current);
		return 0;
	}
	return -EINVAL;
}

long __x64_sys_clock_gettime(const struct pt_regs *regs)
{
	struct timespec64 ts;
	uint64_t ns;
	long err = clock_now((int)regs->rdi, &ns);

	if (err)
		return err;
	ts = ns_to_timespec(ns);
	return copy_to_user((void __user *)regs->rsi, &ts, sizeof(ts)) ? -EFAULT : 0;
}

long __x64_sys_gettimeofday(const struct pt_regs *regs)
{
	uint64_t ns = sched_clock();
	int64_t tv[2] = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };

	if (regs->rdi && copy_to_user((void __user *)regs->rdi, tv, sizeof(tv)))
		return -EFAULT;
	return 0;
}

long __x64_sys_time(const struct pt_regs *regs)
{
	int64_t t = (int64_t)(sched_clock() / NSEC_PER_SEC);

	if (regs->rdi && put_user(t, (int64_t __user *)regs->rdi))
		return -EFAULT;
	return t;
}

/*
 * Sleep until sched_clock() reaches @expires (ns) or a signal comes: 0, or -EINTR with
 * the time left in @rem (if not NULL) for nanosleep.
 */
static long do_nanosleep(uint64_t expires, unsigned long rem)
{
	uint64_t now;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (signal_pending(current))
			break;
		if (!schedule_hrtimeout(expires))
			return 0;
	}
	__set_current_state(TASK_RUNNING);
	now = sched_clock();
	if (rem) {
		struct timespec64 left = ns_to_timespec(expires > now ? expires - now : 0);

		if (copy_to_user((void __user *)rem, &left, sizeof(left)))
			return -EFAULT;
	}
	return -EINTR;
}

static long get_timespec_ns(unsigned long uts, uint64_t *ns)
{
	struct timespec64 ts;

	if (copy_from_user(&ts, (void __user *)uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > (UINT64_MAX / 2) / NSEC_PER_SEC)
		*ns = UINT64_MAX / 2;	/* "forever" */
	else
		*ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

long __x64_sys_nanosleep(const struct pt_regs *regs)
{
	uint64_t ns;
	long err = get_timespec_ns(regs->rdi, &ns);

	return err ? err : do_nanosleep(sched_clock() + ns, regs->rsi);
}

/* clock_nanosleep(clock, flags, request, remain) */
long __x64_sys_clock_nanosleep(const struct pt_regs *regs)
{
	uint64_t ns, now;
	long err = clock_now((int)regs->rdi, &now);

	if (err)
		return err;
	if ((int)regs->rdi == CLOCK_PROCESS_CPUTIME_ID || (int)regs->rdi == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;	/* sleeping on CPU time: not supported */
	err = get_timespec_ns(regs->rdx, &ns);
	if (err)
		return err;
	if (regs->rsi & TIMER_ABSTIME)
		return do_nanosleep(ns, 0);
	return do_nanosleep(sched_clock() + ns, regs->r10);
}
