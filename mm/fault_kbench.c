/*
 * bench=fault: what a demand-zero page fault costs, in guest instructions (QEMU -icount
 * shift=0 makes the TSC count instructions). A kernel thread maps 4096 pages of anonymous
 * memory and writes one byte to each: 4096 faults, each allocating a zeroed frame and
 * mapping it. The zeroing's share is measured in the same run as the difference between
 * alloc_page with and without __GFP_ZERO, and subtracted for the "without clearing" figure.
 */
#include <asm/x86.h>
#include <kernel/bench.h>
#include <kernel/printk.h>
#include <mm/fault.h>
#include <mm/gfp.h>
#include <mm/mmu_context.h>
#include <mm/vma.h>
#include <sched/task.h>

#define NPAGES 4096

/* TSC ticks per alloc_page(@gfp) + __free_page pair, over NPAGES pairs. */
static uint64_t alloc_free_cost(gfp_t gfp)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < NPAGES; i++) {
		struct page *p = alloc_page(gfp);

		if (p)
			__free_page(p);
	}
	return (rdtsc() - t0) / NPAGES;
}

static void bench_fault(void)
{
	struct mm_struct *mm = mm_alloc();
	uint64_t addr, t0, per_fault, zeroing;
	unsigned long faults;

	if (!mm) {
		pr_err("bench: fault: no address space\n");
		return;
	}
	kthread_use_mm(mm);
	addr = vm_mmap_anon(mm, 0, NPAGES * PAGE_SIZE, VM_READ | VM_WRITE, NULL);
	if (IS_ERR_VALUE(addr)) {
		pr_err("bench: fault: mmap failed\n");
		goto out;
	}
	faults = mm->min_flt;
	t0 = rdtsc();
	user_access_begin();
	for (uint64_t p = addr; p < addr + NPAGES * PAGE_SIZE; p += PAGE_SIZE)
		*(volatile char *)p = 1;
	user_access_end();
	per_fault = (rdtsc() - t0) / NPAGES;
	faults = mm->min_flt - faults;
	zeroing = alloc_free_cost(GFP_KERNEL | __GFP_ZERO) - alloc_free_cost(GFP_KERNEL);
	pr_info("bench: fault: %lu demand-zero faults: %llu TSC ticks per fault with the page "
		"clearing, %llu without (clearing a page: %llu)\n", faults,
		(unsigned long long)per_fault, (unsigned long long)(per_fault - zeroing),
		(unsigned long long)zeroing);
out:
	kthread_unuse_mm(mm);
	mm_destroy(mm);
}
KBENCH(fault, bench_fault, "instructions per demand-zero page fault, with and without clearing");
