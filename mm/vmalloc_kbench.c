/*
 * bench=vmalloc: what a vmalloc(16 KiB) + vfree pair costs in the running kernel, measured
 * with rdtsc, so in guest instructions under QEMU's -icount shift=0 (scripts/bench): 10,000
 * pairs, the time of each call summed apart, the lazy purges amortised into vfree, and the
 * TLB flushes they caused. Then the same loop with a purge after every vfree, what freeing
 * without the lazy list would do: one flush per vfree, by invlpg since 4 pages are below
 * the 33-page ceiling. Instruction counts cannot show what a flush costs in TLB misses
 * afterwards (QEMU's icount counts instructions, not cycles): the flush counts can.
 */
#include <asm/x86.h>
#include <kernel/bench.h>
#include <kernel/printk.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>

#define PAIRS	10000
#define SIZE	(4 * PAGE_SIZE)

struct run {
	uint64_t alloc, free;		/* TSC ticks in vmalloc, in vfree (and purges) */
	unsigned long whole, ranges, invlpg, purges;
};

static unsigned long whole_flushes(void)
{
	return vm_event_sum(NR_TLB_LOCAL_FLUSH_ALL) + vm_event_sum(NR_TLB_LOCAL_FLUSH_GLOBAL);
}

static void run_pairs(struct run *r, bool eager)
{
	unsigned long whole, ranges, invlpg, purges;

	vm_unmap_aliases();
	whole = whole_flushes();
	ranges = vm_event_sum(NR_TLB_LOCAL_FLUSH_RANGE);
	invlpg = vm_event_sum(NR_TLB_LOCAL_FLUSH_ONE);
	purges = vm_event_sum(NR_VMALLOC_PURGE);
	*r = (struct run){ 0 };
	for (unsigned int i = 0; i < PAIRS; i++) {
		uint64_t t0 = rdtsc(), t1;
		char *p = vmalloc(SIZE);

		t1 = rdtsc();
		r->alloc += t1 - t0;
		if (!p) {
			pr_err("bench: vmalloc: vmalloc failed after %u pairs\n", i);
			return;
		}
		for (unsigned int off = 0; off < SIZE; off += PAGE_SIZE)
			p[off] = 1;	/* each page used once: its translation is in the TLB */
		t0 = rdtsc();
		vfree(p);
		if (eager)
			vm_unmap_aliases();
		r->free += rdtsc() - t0;
	}
	r->whole = whole_flushes() - whole;
	r->ranges = vm_event_sum(NR_TLB_LOCAL_FLUSH_RANGE) - ranges;
	r->invlpg = vm_event_sum(NR_TLB_LOCAL_FLUSH_ONE) - invlpg;
	r->purges = vm_event_sum(NR_VMALLOC_PURGE) - purges;
}

static void report(const char *what, const struct run *r)
{
	pr_info("bench: vmalloc: %s: %llu TSC ticks per pair (vmalloc %llu, vfree %llu); "
		"%lu purges, whole TLB flushes %lu, page-by-page flushes %lu (%lu invlpg)\n", what,
		(unsigned long long)(r->alloc + r->free) / PAIRS,
		(unsigned long long)r->alloc / PAIRS, (unsigned long long)r->free / PAIRS,
		r->purges, r->whole, r->ranges, r->invlpg);
}

static void bench_vmalloc(void)
{
	struct run lazy, eager;

	run_pairs(&lazy, false);
	run_pairs(&eager, true);
	pr_info("bench: vmalloc: %u pairs of vmalloc(16 KiB) + vfree, lazy_max_pages %lu\n",
		PAIRS, lazy_max_pages());
	report("lazy purge", &lazy);
	report("purge after every vfree", &eager);
}
KBENCH(vmalloc, bench_vmalloc, "vmalloc(16 KiB) + vfree pairs: instructions and TLB flushes");
