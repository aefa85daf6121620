/*
 * What a process killed for want of memory leaves in the log, in the shape of Linux's OOM
 * report, so the reader can tell who held the memory:
 *   Mem-Info: free:1040 slab:2210 kmalloc_large:9216 vmalloc:412 user_rss:48961 (pages)
 *   Tasks state (memory values in pages):
 *   [  pid  ] total_vm      rss name
 *   [    258]     1297      960 fuzz
 *   Out of memory (page fault at 7fffffffe7c0): Killed process 258 (fuzz) total-vm:5188kB, ...
 * user_rss adds up every process's RSS, so a page shared by a fork is counted in each.
 * There is no OOM killer choosing a victim yet: the victim is the task whose fault could
 * not get a page (kernel/traps_user.c). The whole report is printed at most once in 5 s,
 * the last line at most 10 times in 5 s.
 */
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/ratelimit.h>
#include <mm/mmzone.h>
#include <mm/oom.h>
#include <mm/slab.h>
#include <mm/vma.h>
#include <mm/vmalloc.h>
#include <sched/task.h>

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

static DEFINE_RATELIMIT_STATE(report_rs, RATELIMIT_INTERVAL_NS, 1);
static DEFINE_RATELIMIT_STATE(kill_rs, RATELIMIT_INTERVAL_NS, RATELIMIT_BURST);

static unsigned long slab_pages(void)
{
	unsigned long flags = spin_lock_irqsave(&slab_lock), n = 0;
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list)
		n += READ_ONCE(s->nr_slabs) * (s->slab_bytes >> PAGE_SHIFT);
	spin_unlock_irqrestore(&slab_lock, flags);
	return n;
}

/* The task list with each address space's size; returns the RSS summed over processes. */
static unsigned long dump_tasks(void)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock), sum = 0;
	struct task_struct *p;

	pr_info("Tasks state (memory values in pages):\n");
	pr_info("[  pid  ] total_vm      rss name\n");
	for_each_user_process(p) {
		struct mm_struct *mm = READ_ONCE(p->mm);

		if (!mm)
			continue;	/* exiting: its memory is on the way back */
		sum += get_mm_rss(mm);
		pr_info("[%7d] %8lu %8lu %s\n", p->pid, READ_ONCE(mm->total_vm),
			get_mm_rss(mm), p->comm);
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return sum;
}

void oom_report(const char *what, unsigned long long addr)
{
	struct mm_struct *mm = current->mm;
	unsigned long missed;

	if (__ratelimit(&report_rs, &missed)) {
		unsigned long slab = slab_pages(), large = READ_ONCE(kmalloc_large_stats.pages);
		unsigned long vm = vmalloc_nr_pages(), user = dump_tasks();

		pr_info("Mem-Info: free:%lu slab:%lu kmalloc_large:%lu vmalloc:%lu user_rss:%lu "
			"of %lu pages\n", nr_free_pages(), slab, large, vm, user, totalram_pages());
	}
	if (!__ratelimit(&kill_rs, &missed))
		return;
	if (missed)
		pr_info("%lu out-of-memory kills not logged\n", missed);
	pr_err("Out of memory (%s at %llx): Killed process %d (%s) total-vm:%lukB, "
	       "anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB\n", what, addr, current->pid,
	       current->comm, mm ? K(mm->total_vm) : 0,
	       mm ? K(get_mm_counter(mm, MM_ANONPAGES)) : 0,
	       mm ? K(get_mm_counter(mm, MM_FILEPAGES)) : 0,
	       mm ? K(get_mm_counter(mm, MM_SHMEMPAGES)) : 0);
}
