/*
 * bench=fault: what a demand-zero page fault costs, in guest instructions (QEMU -icount
 * shift=0 makes the TSC count instructions). A kernel thread maps 4096 pages of anonymous
 * memory and writes one byte to each: 4096 faults, each allocating a zeroed frame and
 * mapping it. Then the same in a VMA marked VM_BENCH_NOZERO, whose faults take frames
 * without clearing them: the "without clearing" figure, measured, not subtracted. That VMA
 * is the bench's own and is unmapped before anything else could see its stale frames.
 * Each round gets a new address space; one untimed round of each comes first, because
 * the first 16 MiB taken after boot cost the allocator more (its lists fill up) than the
 * rounds after, which then agree with each other.
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

/*
 * TSC ticks per first-touch fault of a fresh NPAGES-page VMA with @flags, in an address
 * space of its own (so every round starts from no page tables), or 0 if a fault went wrong.
 */
static uint64_t fault_cost(unsigned long flags)
{
	struct mm_struct *mm = mm_alloc();
	uint64_t addr, t0 = 0;
	unsigned long faults;

	if (!mm)
		return 0;
	kthread_use_mm(mm);
	addr = vm_mmap_anon(mm, 0, NPAGES * PAGE_SIZE, flags, NULL);
	if (!IS_ERR_VALUE(addr)) {
		faults = mm->min_flt;
		t0 = rdtsc();
		user_access_begin();
		for (uint64_t p = addr; p < addr + NPAGES * PAGE_SIZE; p += PAGE_SIZE)
			*(volatile char *)p = 1;
		user_access_end();
		t0 = (rdtsc() - t0) / NPAGES;
		if (mm->min_flt - faults != NPAGES)
			t0 = 0;
	}
	kthread_unuse_mm(mm);
	mm_destroy(mm);
	return t0;
}

/* One round of each, untimed, so both start from the same allocator state; then two each. */
static void bench_fault(void)
{
	uint64_t with = 0, without = 0, c = 1;

	fault_cost(VM_READ | VM_WRITE);
	fault_cost(VM_READ | VM_WRITE | VM_BENCH_NOZERO);
	for (int round = 0; round < 2 && c; round++) {
		with += c = fault_cost(VM_READ | VM_WRITE);
		without += c = c ? fault_cost(VM_READ | VM_WRITE | VM_BENCH_NOZERO) : 0;
	}
	if (!c) {
		pr_err("bench: fault: no memory, or a fault count is off\n");
		return;
	}
	with /= 2;
	without /= 2;
	pr_info("bench: fault: %u demand-zero faults: %llu TSC ticks per fault with the page "
		"clearing, %llu without (clearing a page: %llu)\n", NPAGES,
		(unsigned long long)with, (unsigned long long)without,
		(unsigned long long)(with - without));
}

KBENCH(fault, bench_fault, "instructions per demand-zero page fault, with and without clearing");
