/*
 * demo=cyclictest: how late a real-time task wakes up, the way cyclictest measures it. A
 * SCHED_FIFO 99 thread sleeps until an absolute time on a 700 us period (schedule_hrtimeout,
 * next += period: no drift, not in step with the 1 ms tick), reads the TSC as soon as it
 * runs, and records how far past the expiry that is, while 20 SCHED_NORMAL threads spin
 * to keep the CPU busy. The latency covers the timer interrupt, the wakeup, the preemption
 * of a spinning thread on the interrupt's return, and the switch. Printed: a histogram in
 * TSC ticks (powers of two), the average and the worst case. Under QEMU -icount the TSC
 * counts instructions (`make bench`); under plain TCG it counts host time, noise included.
 */
#include <kernel/demo.h>
#include <kernel/hrtimer.h>
#include <kernel/printk.h>
#include <sched/completion.h>
#include <sched/task.h>

#define SPINNERS	20
#define LOOPS		2000
#define PERIOD_NS	700000
#define BUCKETS		20	/* bucket 0: below 64 ticks; bucket b: [64 << (b - 1), 64 << b) */

struct cyclic {
	uint64_t hist[BUCKETS];
	uint64_t max, sum;
	struct completion done;
};

static int bucket(uint64_t ticks)
{
	int b = 0;

	while (b < BUCKETS - 1 && ticks >= (64ull << b))
		b++;
	return b;
}

static int measure(void *data)
{
	struct cyclic *c = data;
	uint64_t next = sched_clock() + PERIOD_NS;

	for (int i = 0; i < LOOPS; i++) {
		uint64_t late;

		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_hrtimeout(next);
		late = rdtsc() - tsc_at_boot - ns_to_cycles(next);
		if ((int64_t)late < 0)
			late = 0;
		c->hist[bucket(late)]++;
		c->sum += late;
		c->max = MAX(c->max, late);
		next += PERIOD_NS;
	}
	complete(&c->done);
	return 0;
}

static int spin(void *data)
{
	(void)data;
	while (!kthread_should_stop())
		cpu_relax();
	return 0;
}

static void print_result(const struct cyclic *c)
{
	pr_info("cyclictest: SCHED_FIFO 99, period %u us, %u loops, %u SCHED_NORMAL spinners\n",
		PERIOD_NS / 1000, LOOPS, SPINNERS);
	for (int b = 0; b < BUCKETS; b++)
		if (c->hist[b])
			pr_info("cyclictest: %8llu..%-8llu ticks %6llu\n",
				(unsigned long long)(b ? 64ull << (b - 1) : 0),
				(unsigned long long)(64ull << b) - 1, (unsigned long long)c->hist[b]);
	pr_info("cyclictest: wakeup latency avg %llu, max %llu TSC ticks\n",
		(unsigned long long)(c->sum / LOOPS), (unsigned long long)c->max);
}

static void demo_cyclictest(void)
{
	static struct cyclic c;
	struct task_struct *spinners[SPINNERS], *rt;
	struct sched_param sp = { 99 };
	int n = 0;

	c = (struct cyclic){ 0 };
	init_completion(&c.done);
	while (n < SPINNERS && (spinners[n] = kthread_run(spin, NULL, "spin-%d", n)))
		n++;
	rt = kthread_create(measure, &c, "cyclictest");
	if (rt) {
		get_task_struct(rt);	/* it exits on its own: keep it until kthread_stop */
		sched_setscheduler(rt, SCHED_FIFO, &sp);
		wake_up_process(rt);
		wait_for_completion(&c.done);
		kthread_stop(rt);
		put_task_struct(rt);
		print_result(&c);
	} else {
		pr_err("cyclictest: out of memory\n");
	}
	while (n--)
		kthread_stop(spinners[n]);
}
DEMO(cyclictest, demo_cyclictest, "wakeup latency of a FIFO thread on a timer while 20 threads spin");
