/*
 * The OOM killer: when reclaim has nothing left to free and an allocation may not fail,
 * a process dies so that the others can go on. Which one is Linux's rule (oom_badness):
 *
 *   points = resident pages + swapped-out pages + page-table pages
 *          + oom_score_adj * (totalpages / 1000)
 *
 * with totalpages = RAM + swap. So the process holding the most memory goes first, and
 * oom_score_adj (-1000..1000) moves it by up to all of memory either way: 1000 makes even
 * a small process the first victim, -1000 exempts it. Init (pid 1), kernel threads and a
 * vfork child (it only borrows its parent's memory) are never chosen; neither is a process
 * already reaped. /proc/PID/oom_score shows the same number scaled to 0..2000 as Linux
 * does: (1000 + points * 1000 / totalpages) * 2 / 3, so an adj of 0 and a tiny RSS read
 * 666.
 * Killing is SIGKILL to the victim and every process sharing its memory, and then the
 * reaping that Linux's oom_reaper thread does: the victim's pages are unmapped and freed
 * right here, before it has even run to its exit, so that the allocation that called us
 * finds them. The victim's VMAs stay (it may touch them again on its way out and gets
 * zero pages); the address space is marked MMF_OOM_SKIP so it is not chosen twice.
 * Everything runs with preemption off and takes only spinlocks: the page-fault path calls
 * us with its mmap_lock held.
 */
#include <limits.h>

#include <kernel/preempt.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/ratelimit.h>
#include <kernel/signal.h>
#include <mm/memory.h>
#include <mm/mmu_context.h>
#include <mm/mmzone.h>
#include <mm/oom.h>
#include <mm/swap.h>
#include <mm/vma.h>
#include <mm/vmscan.h>
#include <sched/task.h>

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

struct oom_stats oom_stats;

unsigned long oom_totalpages(void)
{
	return totalram_pages() + total_swap_pages();
}

long oom_badness(struct task_struct *p, unsigned long totalpages)
{
	struct mm_struct *mm = READ_ONCE(p->mm);
	long points, adj;

	if (!p->signal || !mm || p->pid == 1 || (p->flags & PF_KTHREAD) || p->vfork_done)
		return LONG_MIN;
	adj = p->signal->oom_score_adj;
	if (adj == OOM_SCORE_ADJ_MIN || (mm->flags & (1ul << MMF_OOM_SKIP)))
		return LONG_MIN;
	points = (long)(get_mm_rss(mm) + get_mm_counter(mm, MM_SWAPENTS)) +
		 mm->pgtables_bytes / (long)PAGE_SIZE;
	return points + adj * (long)(totalpages / 1000);
}

long oom_score(struct task_struct *p)
{
	long total = (long)oom_totalpages(), badness = oom_badness(p, (unsigned long)total);

	if (badness == LONG_MIN)
		return 0;
	return (1000 + badness * 1000 / total) * 2 / 3;
}

/* The process with the highest badness (the later one on a tie, as Linux), referenced. */
static struct task_struct *select_bad_process(unsigned long totalpages)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p, *chosen = NULL;
	long chosen_points = LONG_MIN;

	for_each_user_process(p) {
		long points = oom_badness(p, totalpages);

		if (points == LONG_MIN || points < chosen_points)
			continue;
		chosen = p;
		chosen_points = points;
	}
	if (chosen)
		get_task_struct(chosen);
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return chosen;
}

/* SIGKILL to every process using @mm but @victim (a vfork child, or its parent). */
static void kill_sharers(struct mm_struct *mm, struct task_struct *victim)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p;

	for_each_user_process(p)
		if (p != victim && p->mm == mm) {
			pr_err("oom killer %d (%s) has mm pinned by %d (%s)\n", victim->pid,
			       victim->comm, p->pid, p->comm);
			send_signal(p, SIGKILL);
		}
	spin_unlock_irqrestore(&tasklist_lock, flags);
}

/*
 * Free what @mm maps; false if someone holds its lock (it may be in the middle of a fault).
 * *@freed: the pages it no longer maps (those still shared copy-on-write stay the
 * sharers'); 0 means the kill gave nothing back yet (its memory was on swap, say).
 */
static bool oom_reap(struct mm_struct *mm, unsigned long *freed)
{
	struct vm_area_struct *vma;
	unsigned long rss = get_mm_rss(mm);

	if (!spin_trylock(&mm->mmap_lock))
		return false;
	for_each_vma(mm, vma)
		zap_vma_range(mm, vma->vm_start, vma->vm_end);
	mm->flags |= 1ul << MMF_OOM_SKIP;
	mmap_write_unlock(mm);
	/* Pages it mapped (a free-page count would also see other CPUs' allocations). */
	*freed = rss - get_mm_rss(mm);
	oom_stats.reaped += *freed;
	return true;
}

/* Kill @victim; true if it gave memory back already. */
static bool oom_kill_process(struct task_struct *victim)
{
	struct mm_struct *mm = victim->mm;
	unsigned long freed = 0;
	bool reaped;

	mmget(mm);	/* it stays while we reap, however the victim exits */
	pr_info("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
		"global_oom,task_memcg=/,task=%s,pid=%d,uid=0\n", victim->comm, victim->pid);
	send_signal(victim, SIGKILL);
	oom_stats.kills++;
	pr_err("Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, "
	       "file-rss:%lukB, shmem-rss:%lukB, UID:0 pgtables:%lukB oom_score_adj:%d\n",
	       victim->pid, victim->comm, K(mm->total_vm), K(get_mm_counter(mm, MM_ANONPAGES)),
	       K(get_mm_counter(mm, MM_FILEPAGES)), K(get_mm_counter(mm, MM_SHMEMPAGES)),
	       (unsigned long)mm->pgtables_bytes >> 10, victim->signal->oom_score_adj);
	kill_sharers(mm, victim);
	/* Our own memory is in use by this very call: the victim frees it at its exit. */
	reaped = mm != current->mm && oom_reap(mm, &freed);
	if (reaped)
		pr_info("oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, "
			"shmem-rss:%lukB\n", victim->pid, victim->comm,
			K(get_mm_counter(mm, MM_ANONPAGES)), K(get_mm_counter(mm, MM_FILEPAGES)),
			K(get_mm_counter(mm, MM_SHMEMPAGES)));
	mmput(mm);
	return freed > 0;
}

static DEFINE_RATELIMIT_STATE(none_rs, RATELIMIT_INTERVAL_NS, 1);

enum oom_result out_of_memory(gfp_t gfp, unsigned int order)
{
	struct task_struct *victim;
	enum oom_result r;
	bool ours, freed;

	/* A dying task needs no victim: failing its allocation lets it exit sooner. */
	if (current->signal && fatal_signal_pending(current))
		return OOM_SELF;
	/* Reclaim's own allocation (kswapd, a swap write): it is making room already. */
	if (current->flags & PF_MEMALLOC)
		return OOM_NONE;
	preempt_disable();
	oom_report_header(gfp, order);
	victim = select_bad_process(oom_totalpages());
	if (!victim) {
		unsigned long missed;

		if (__ratelimit(&none_rs, &missed))
			pr_err("Out of memory and no killable processes\n");
		preempt_enable();
		return OOM_NONE;
	}
	ours = victim->mm == current->mm;	/* us, or a sharer of our memory */
	freed = oom_kill_process(victim);
	/* Ours: fail, and die. Another's: try again only if it gave memory back. */
	r = ours ? OOM_SELF : freed ? OOM_FREED : OOM_NONE;
	put_task_struct(victim);
	preempt_enable();
	return r;
}

bool pagefault_out_of_memory(bool may_sleep)
{
	if (may_sleep && try_to_free_pages(0))
		return true;
	return out_of_memory(GFP_KERNEL, 0) == OOM_FREED;
}
