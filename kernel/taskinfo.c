/*
 * Copying the task list for ps and top (include/kernel/taskinfo.h). The list is counted
 * under tasklist_lock, the array allocated outside it, and filled under the lock again;
 * tasks born in between are left for the next snapshot. A task's CPU time comes from
 * task_sched_runtime(), which charges the running task's current slice first, so a
 * spinning task's numbers are up to date and its vruntime is read after that charge.
 * Limits: an address space is read without a reference (there are no mm reference
 * counts yet); a demo freeing its mm during the copy could give wrong sizes, never a
 * fault, since slab memory stays mapped.
 */
#include <kernel/taskinfo.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>
#include <mm/vma.h>

int nr_tasks(void)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p;
	int n = 0;

	for_each_process(p)
		n++;
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return n;
}

static void copy_mm(struct task_info *t, const struct mm_struct *mm)
{
	if (!mm)
		return;	/* a kernel thread: no address space of its own, as VSZ 0 on Linux */
	t->vm_pages = READ_ONCE(mm->total_vm);
	t->rss_pages = get_mm_rss(mm);
	t->shared_pages = get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_SHMEMPAGES);
}

/* tasklist_lock held. */
static void copy_task(struct task_info *t, struct task_struct *p)
{
	memset(t, 0, sizeof(*t));
	t->pid = p->pid;
	strscpy(t->comm, p->comm, sizeof(t->comm));
	t->runtime = task_sched_runtime(p);	/* charges a running task first */
	t->state = task_state_char(p);
	t->idle_task = p->flags & PF_IDLE;
	t->fair = p->sched_class == &fair_sched_class;
	t->policy = p->policy;
	t->rt_priority = p->rt_priority;
	t->prio = p->prio;
	t->nice = task_nice(p);
	t->vruntime = (int64_t)p->se.vruntime;
	t->start_time = p->start_time;
	t->nvcsw = p->nvcsw;
	t->nivcsw = p->nivcsw;
	t->min_flt = p->min_flt;
	t->maj_flt = p->maj_flt;
	copy_mm(t, READ_ONCE(p->mm));
}

struct task_info *task_info_snapshot(int *n)
{
	int room = nr_tasks() + 8;	/* a few may be born before the second walk */
	struct task_info *buf = kmalloc(room * sizeof(*buf), GFP_KERNEL);
	struct task_struct *p;
	unsigned long flags;
	int i = 0;

	*n = 0;
	if (!buf)
		return NULL;
	flags = spin_lock_irqsave(&tasklist_lock);
	for_each_process(p) {
		if (i == room)
			break;
		copy_task(&buf[i++], p);
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	*n = i;
	return buf;
}

const char *task_info_cls(const struct task_info *t)
{
	if (t->idle_task)
		return "-";
	switch (t->policy) {
	case SCHED_NORMAL: return "TS";
	case SCHED_FIFO: return "FF";
	case SCHED_RR: return "RR";
	case SCHED_BATCH: return "B";
	case SCHED_IDLE: return "IDL";
	case SCHED_DEADLINE: return "DLN";
	default: return "?";
	}
}

int format_cputime(char *buf, size_t size, uint64_t ns)
{
	uint64_t s = ns / NSEC_PER_SEC, days = s / 86400;

	if (days)
		return scnprintf(buf, size, "%llu-%02llu:%02llu:%02llu", (unsigned long long)days,
				 (unsigned long long)(s / 3600 % 24),
				 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	return scnprintf(buf, size, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
}

int format_etime(char *buf, size_t size, uint64_t ns)
{
	uint64_t s = ns / NSEC_PER_SEC, days = s / 86400, hours = s / 3600 % 24;
	unsigned long long mm = s / 60 % 60, ss = s % 60;

	if (days)
		return scnprintf(buf, size, "%llu-%02llu:%02llu:%02llu", (unsigned long long)days,
				 (unsigned long long)hours, mm, ss);
	if (hours)
		return scnprintf(buf, size, "%02llu:%02llu:%02llu", (unsigned long long)hours,
				 mm, ss);
	return scnprintf(buf, size, "%02llu:%02llu", mm, ss);
}
