/*
 * Running out of memory (mm/oom_kill.c, mm/oom_report.c). When reclaim cannot free a page
 * for an allocation that may not fail (__GFP_RECLAIM, order <= PAGE_ALLOC_COSTLY_ORDER),
 * the page allocator calls out_of_memory(), which chooses the process whose death frees the
 * most (Linux's badness: resident + swapped + page-table pages, biased by oom_score_adj),
 * kills it with SIGKILL, and reaps its anonymous memory at once, so the allocation can be
 * tried again. docs/reclaim.md, "The OOM killer".
 */
#ifndef MM_OOM_H
#define MM_OOM_H

#include <mm/gfp.h>

#define OOM_SCORE_ADJ_MIN	(-1000)	/* never chosen */
#define OOM_SCORE_ADJ_MAX	1000	/* chosen first */

struct task_struct;

/*
 * Kill a process so that an allocation of 2^@order pages can succeed. OOM_FREED: its
 * memory is back, try again; OOM_SELF: the caller was chosen (or is dying already), so
 * fail the allocation quietly and let it exit; OOM_NONE: no process may be killed.
 */
enum oom_result { OOM_NONE, OOM_FREED, OOM_SELF };
enum oom_result out_of_memory(gfp_t gfp, unsigned int order);
/*
 * A user page could not be had with the mmap_lock held (a fault, exec's copy): now, with
 * no lock, reclaim (when @may_sleep) and else kill. True if the caller should try again.
 */
bool pagefault_out_of_memory(bool may_sleep);

/* Linux's oom_badness in pages; LONG_MIN for a task that may not be chosen. */
long oom_badness(struct task_struct *p, unsigned long totalpages);
unsigned long oom_totalpages(void);		/* RAM + swap, in pages */
long oom_score(struct task_struct *p);		/* /proc/PID/oom_score: 0..2000 */

/* What a process the kernel starts (`run`) begins with: the shell's choom -n. */
extern int kernel_oom_score_adj;

struct oom_stats {
	unsigned long kills;	/* /proc/vmstat's oom_kill */
	unsigned long reaped;	/* pages the reaper freed */
};
extern struct oom_stats oom_stats;

/* The report (mm/oom_report.c): who asked, memory, the task table. */
void oom_report_header(gfp_t gfp, unsigned int order);
/*
 * A user fault that got no frame and no victim to kill for it (every process exempt, or
 * the allocator may not kill): the current task is killed; @what and @addr say where.
 */
void oom_report(const char *what, unsigned long long addr);

#endif
