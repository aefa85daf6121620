/*
 * bench=smp: how the allocators' per-CPU paths scale, and what a TLB shootdown costs in
 * IPIs. scripts/bench boots it with -smp 4 and without -icount: under -icount QEMU runs the
 * CPUs one after another on one host thread, so nothing could run in parallel; here each
 * virtual CPU is a host thread (MTTCG) and times are sched_clock() nanoseconds, real time.
 *
 * Scaling: 1, 2 and 4 kernel threads, each pinned to its own CPU, each doing PAIRS
 * kmalloc(64)+kfree pairs (then alloc_page+free pairs) at once; the figure is the pairs
 * done per millisecond by all of them together (the last to finish ends the round), and
 * the speed-up over one CPU. Per-CPU paths that take no shared lock scale with the CPUs
 * the host really has (the development machine has 2 cores: beyond 2 virtual CPUs they
 * share them). So the first round touches no memory at all, only arithmetic: its speed-up
 * is what the host gives, and the allocators' are to be read against it.
 * Shootdowns: vmalloc(16 KiB)+vfree pairs with every purge forced (vm_unmap_aliases),
 * so each vfree flushes: the IPIs received per shootdown round are the other online CPUs.
 */
#include <kernel/bench.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <mm/gfp.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>
#include <sched/task.h>
#include <sched/workers.h>

#define PAIRS		200000
#define VMALLOC_PAIRS	200

enum { BENCH_COMPUTE, BENCH_KMALLOC, BENCH_PAGES };

struct worker {
	int what;
	volatile bool *go;
	uint64_t end;		/* sched_clock() when it finished its PAIRS pairs */
	unsigned long failed;
};

static int pairs_thread(void *arg)
{
	struct worker *w = arg;
	while (!READ_ONCE(*w->go))
		cpu_relax();
	for (unsigned int i = 0; i < PAIRS; i++) {
		if (w->what == BENCH_COMPUTE) {
			/* No memory shared at all: how far the host lets the CPUs run at once. */
			uint64_t x = i;

			for (unsigned int k = 0; k < 40; k++)
				x = x * 6364136223846793005ull + 1;
			__asm__ volatile("" : : "r"(x));	/* used: the loop is not dropped */
		} else if (w->what == BENCH_KMALLOC) {
			void *p = kmalloc(64, GFP_KERNEL);

			w->failed += !p;
			kfree(p);
		} else {
			struct page *pg = alloc_page(GFP_KERNEL);

			w->failed += !pg;
			if (pg)
				__free_page(pg);
		}
	}
	w->end = sched_clock();
	return 0;
}

/*
 * @n threads on CPUs 0..n-1 at once; the round's time runs from the start signal to the
 * last one's end (a thread's own time would hide a host that runs them one by one).
 */
static uint64_t round_ns(int what, unsigned int n)
{
	static struct worker w[NR_CPUS];
	struct task_struct *p[NR_CPUS];
	volatile bool go = false;
	uint64_t start, last = 0;

	bool failed = false;

	for (unsigned int c = 0; c < n; c++) {
		w[c] = (struct worker){ .what = what, .go = &go };
		p[c] = worker_create(pairs_thread, &w[c], "bench-smp", SCHED_NORMAL, 0);
		if (p[c])
			set_cpus_allowed(p[c], cpumask_of(c));
		failed |= !p[c];
	}
	workers_start(p, n);
	msleep(5);		/* all started and spinning on go */
	start = sched_clock();
	go = true;
	for (unsigned int c = 0; c < n; c++) {
		worker_wait(p[c]);
		failed |= !p[c] || w[c].failed;
		last = w[c].end > last ? w[c].end : last;
	}
	return failed ? 0 : last - start;
}

static void bench_scaling(int what, const char *name)
{
	uint64_t one = 0;

	for (unsigned int n = 1; n <= 4 && n <= num_online_cpus(); n *= 2) {
		uint64_t ns = round_ns(what, n);

		if (!ns) {
			pr_err("bench: smp: %s on %u CPUs failed\n", name, n);
			return;
		}
		if (n == 1)
			one = ns;
		/* pairs per us = n * PAIRS * 1000 / ns; speed-up = n * one / ns */
		pr_info("bench: smp: %s on %u CPU%s: %llu pairs/ms, speed-up %llu.%02llu\n", name, n,
			n == 1 ? "" : "s", (unsigned long long)((uint64_t)n * PAIRS * 1000000 / ns),
			(unsigned long long)(n * one / ns),
			(unsigned long long)(n * one * 100 / ns % 100));
	}
}

static void bench_shootdowns(void)
{
	unsigned long sent = vm_event_sum(NR_TLB_REMOTE_FLUSH);
	unsigned long got = vm_event_sum(NR_TLB_REMOTE_FLUSH_RECEIVED);
	uint64_t t0 = sched_clock();

	for (unsigned int i = 0; i < VMALLOC_PAIRS; i++) {
		char *p = vmalloc(4 * PAGE_SIZE);

		if (!p) {
			pr_err("bench: smp: vmalloc failed\n");
			return;
		}
		p[0] = 1;
		vfree(p);
		vm_unmap_aliases();	/* the purge now: one shootdown round per pair */
	}
	sent = vm_event_sum(NR_TLB_REMOTE_FLUSH) - sent;
	got = vm_event_sum(NR_TLB_REMOTE_FLUSH_RECEIVED) - got;
	pr_info("bench: smp: %u vmalloc+vfree+purge on %u CPUs: %lu shootdown rounds, %lu IPIs "
		"received, %lu.%02lu IPIs per shootdown, %llu us per pair\n", VMALLOC_PAIRS,
		num_online_cpus(), sent, got, sent ? got / sent : 0, sent ? got * 100 / sent % 100 : 0,
		(unsigned long long)((sched_clock() - t0) / 1000 / VMALLOC_PAIRS));
}

static void bench_smp(void)
{
	pr_info("bench: smp: %u CPUs online, %u pairs per thread\n", num_online_cpus(), PAIRS);
	bench_scaling(BENCH_COMPUTE, "arithmetic only (the host's parallelism)");
	bench_scaling(BENCH_KMALLOC, "kmalloc(64)+kfree");
	bench_scaling(BENCH_PAGES, "alloc_page+free");
	bench_shootdowns();
}
KBENCH(smp, bench_smp, "per-CPU allocator paths on 1, 2, 4 CPUs; IPIs per TLB shootdown");
