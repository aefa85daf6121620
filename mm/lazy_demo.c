/*
 * demo=lazy: the course's malloc-memusage program, done with a kernel-made address space.
 * Reserving memory (an anonymous VMA, what malloc's mmap does) makes the VSZ ("vm size")
 * grow at once, but no frame is allocated: the RSS only grows when a page is touched and
 * the fault handler maps it. The demo reserves 400 MiB (less if the machine has less free
 * memory, and says so), prints both figures before, after the reservation and after
 * touching every page, then the space's maps line and what the faults cost.
 * Boot with 1 GiB to see the full 400 MiB: make run MEM=1G CMDLINE=demo=lazy.
 */
#include <asm/x86.h>
#include <kernel/demo.h>
#include <kernel/printk.h>
#include <mm/fault.h>
#include <mm/mmu_context.h>
#include <mm/mmzone.h>
#include <mm/vma.h>
#include <mm/vmstat.h>
#include <sched/task.h>

#define WANT_BYTES (400ul << 20)

static void show(const char *when, const struct mm_struct *mm)
{
	printk(KERN_INFO "%s: max RSS = %lu kB; vm size = %lu kB\n", when,
	       mm->hiwater_rss * (PAGE_SIZE / 1024), mm->total_vm * (PAGE_SIZE / 1024));
}

/* 400 MiB, or three quarters of the free memory if that is less (whole MiB). */
static unsigned long demo_size(void)
{
	unsigned long room = nr_free_pages() / 4 * 3 * PAGE_SIZE & ~((1ul << 20) - 1);

	if (room >= WANT_BYTES)
		return WANT_BYTES;
	printk(KERN_INFO "lazy: only %lu MiB free: using %lu MiB instead of 400 (boot with "
	       "MEM=1G for the full size)\n", nr_free_pages() * PAGE_SIZE >> 20, room >> 20);
	return room;
}

static void demo_lazy(void)
{
	struct mm_struct *mm = mm_alloc();
	unsigned long size = demo_size(), faults;
	char line[128];
	uint64_t addr, t0, t;

	if (!mm) {
		printk(KERN_ERR "lazy: no memory for an address space\n");
		return;
	}
	kthread_use_mm(mm);
	show("started", mm);
	addr = vm_mmap_anon(mm, 0, size, VM_READ | VM_WRITE, NULL);
	if (IS_ERR_VALUE(addr)) {
		printk(KERN_ERR "lazy: mmap of %lu bytes failed: %ld\n", size, (long)addr);
		goto out;
	}
	show("after malloc", mm);
	faults = mm->min_flt;
	t0 = rdtsc();
	user_access_begin();
	for (uint64_t p = addr; p < addr + size; p += PAGE_SIZE)
		*(volatile char *)p = 1;	/* one write per page: one fault per page */
	user_access_end();
	t = rdtsc() - t0;
	show("after touch", mm);
	faults = mm->min_flt - faults;
	vma_format_maps_line(find_vma(mm, addr), line, sizeof(line));
	printk(KERN_INFO "lazy: maps: %s", line);
	printk(KERN_INFO "lazy: %lu pages touched, %lu page faults, %llu TSC ticks per fault "
	       "(the zeroing of each page included)\n", size / PAGE_SIZE, faults,
	       (unsigned long long)(faults ? t / faults : 0));
out:
	kthread_unuse_mm(mm);
	mm_destroy(mm);
	printk(KERN_INFO "lazy: address space freed: %lu pages free\n", nr_free_pages());
}
DEMO(lazy, demo_lazy, "lazy allocation: VSZ grows at mmap, RSS only when pages are touched");
