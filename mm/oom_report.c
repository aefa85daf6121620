/*
 * What a process killed for want of memory leaves in the log, in the shape of Linux's OOM
 * report, so the reader can tell who held the memory:
 *   Mem-Info: free:1040 slab:2210 kmalloc_large:9216 vmalloc:412 user_rss:48961 (pages)
 *   Tasks state (memory values in pages):
 *   [  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes ...
 *   [    258]     0   258     1297      960      960        0         0    57344 ...
 *   Out of memory (page fault at 7fffffffe7c0): Killed process 258 (fuzz) total-vm:5188kB, ...
 * user_rss adds up every process's RSS, so a page shared by a fork is counted in each.
 * The OOM killer (mm/oom_kill.c) prints the first part before its verdict; the last line
 * above is for a fault that got no frame when no process could be chosen, which kills the
 * faulting task itself (kernel/traps_user.c). Mem-Info and the task table are printed at
 * most once in 5 s, the verdicts at most 10 times in 5 s.
 */
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/ratelimit.h>
#include <kernel/signal.h>
#include <mm/mmzone.h>
#include <mm/oom.h>
#include <mm/slab.h>
#include <mm/vma.h>
#include <mm/vmalloc.h>
#include <sched/task.h>

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

static DEFINE_RATELIMIT_STATE(report_rs, RATELIMIT_INTERVAL_NS, 1);
static DEFINE_RATELIMIT_STATE(kill_rs, RATELIMIT_INTERVAL_NS, RATELIMIT_BURST);

/* The task list as Linux's dump_tasks prints it; returns the RSS summed over processes. */
static unsigned long dump_tasks(void)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock), sum = 0;
	struct task_struct *p;

	pr_info("Tasks state (memory values in pages):\n");
	pr_info("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem "
		"pgtables_bytes swapents oom_score_adj name\n");
	for_each_user_process(p) {
		struct mm_struct *mm = READ_ONCE(p->mm);

		if (!mm)
			continue;	/* exiting: its memory is on the way back */
		sum += get_mm_rss(mm);
		pr_info("[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5d %s\n",
			p->pid, 0, p->pid, READ_ONCE(mm->total_vm), get_mm_rss(mm),
			get_mm_counter(mm, MM_ANONPAGES), get_mm_counter(mm, MM_FILEPAGES),
			get_mm_counter(mm, MM_SHMEMPAGES), READ_ONCE(mm->pgtables_bytes),
			get_mm_counter(mm, MM_SWAPENTS), p->signal->oom_score_adj, p->comm);
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return sum;
}

/* Mem-Info and the task table, at most once in 5 s. */
static void show_mem_and_tasks(void)
{
	unsigned long missed;

	if (__ratelimit(&report_rs, &missed)) {
		unsigned long slab = kmem_cache_pages(false), large = READ_ONCE(kmalloc_large_stats.pages);
		unsigned long vm = vmalloc_nr_pages(), user = dump_tasks();

		pr_info("Mem-Info: free:%lu slab:%lu kmalloc_large:%lu vmalloc:%lu user_rss:%lu "
			"of %lu pages\n", nr_free_pages(), slab, large, vm, user, totalram_pages());
	}
}

void oom_report_header(gfp_t gfp, unsigned int order)
{
	pr_warn("%s invoked oom-killer: gfp_mask=0x%x, order=%u, oom_score_adj=%d\n",
		current->comm, gfp, order, current->signal ? current->signal->oom_score_adj : 0);
	show_mem_and_tasks();
}

void oom_report(const char *what, unsigned long long addr)
{
	struct mm_struct *mm = current->mm;
	unsigned long missed;

	show_mem_and_tasks();
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
