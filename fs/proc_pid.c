/*
 * /proc/PID: what one task is, in Linux's formats.
 *   status          Name, State, Pid, PPid and the Vm* / Rss* lines of its memory (kB)
 *   comm            its name
 *   oom_score       the OOM killer's view of it, 0..2000 (mm/oom_kill.c)
 *   oom_score_adj   -1000..1000, readable and writable: `echo 500 > /proc/PID/oom_score_adj`
 * Each read looks the task up by pid under tasklist_lock (fs/proc.c: show_task) and copies
 * what it shows before the lock is dropped, so a task exiting meanwhile reads as -ESRCH,
 * never as freed memory.
 */
#include <fs/proc.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <mm/oom.h>
#include <mm/vma.h>
#include <sched/task.h>

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

static const char *state_name(char c)
{
	switch (c) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 'Z': return "Z (zombie)";
	case 'I': return "I (idle)";
	}
	return "X (dead)";
}

static int status_of(struct task_struct *p, char *buf, size_t size)
{
	struct mm_struct *mm = p->mm;
	int n = scnprintf(buf, size, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n",
			  p->comm, state_name(task_state_char(p)), p->pid, p->pid,
			  p->parent ? p->parent->pid : 0);

	if (mm && !(p->flags & PF_KTHREAD)) {
		unsigned long anon = get_mm_counter(mm, MM_ANONPAGES);
		unsigned long file = get_mm_counter(mm, MM_FILEPAGES);
		unsigned long shmem = get_mm_counter(mm, MM_SHMEMPAGES);

		n += scnprintf(buf + n, size - n,
			       "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmHWM:\t%8lu kB\n"
			       "VmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu kB\n"
			       "RssShmem:\t%8lu kB\nVmData:\t%8lu kB\nVmStk:\t%8lu kB\n"
			       "VmExe:\t%8lu kB\nVmPTE:\t%8lu kB\nVmSwap:\t%8lu kB\n",
			       K(MAX(mm->hiwater_vm, mm->total_vm)), K(mm->total_vm),
			       K(MAX(mm->hiwater_rss, get_mm_rss(mm))), K(get_mm_rss(mm)),
			       K(anon), K(file), K(shmem), K(mm->data_vm), K(mm->stack_vm),
			       K(mm->exec_vm), (unsigned long)mm->pgtables_bytes >> 10,
			       K(get_mm_counter(mm, MM_SWAPENTS)));
	}
	return n + scnprintf(buf + n, size - n, "Threads:\t1\n");
}

static int comm_of(struct task_struct *p, char *buf, size_t size)
{
	return scnprintf(buf, size, "%s\n", p->comm);
}

static int oom_score_of(struct task_struct *p, char *buf, size_t size)
{
	return scnprintf(buf, size, "%ld\n", oom_score(p));
}

static int oom_score_adj_of(struct task_struct *p, char *buf, size_t size)
{
	return scnprintf(buf, size, "%d\n", p->signal ? p->signal->oom_score_adj : 0);
}

/* "500\n" from echo: a number in -1000..1000, else -EINVAL as Linux. */
static int write_oom_score_adj(const char *text, int pid)
{
	char num[16];
	size_t len = strnlen(text, sizeof(num) - 1);
	unsigned long flags;
	struct task_struct *p;
	int adj, ret = 0;

	if (strlen(text) >= sizeof(num))
		return -EINVAL;
	memcpy(num, text, len);
	while (len && (num[len - 1] == '\n' || num[len - 1] == ' '))
		len--;
	num[len] = '\0';
	if (kstrtoint(num, 10, &adj) || adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	flags = spin_lock_irqsave(&tasklist_lock);
	p = find_task_by_pid(pid);
	if (!p)
		ret = -ESRCH;
	else if (!p->signal)
		ret = -EINVAL;		/* a kernel thread: the OOM killer never takes it anyway */
	else
		p->signal->oom_score_adj = adj;
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return ret;
}

static const struct proc_entry pid_entries[] = {
	{ "comm", S_IFREG | 0444, .show = comm_of },
	{ "oom_score", S_IFREG | 0444, .show = oom_score_of },
	{ "oom_score_adj", S_IFREG | 0644, .show = oom_score_adj_of, .write = write_oom_score_adj },
	{ "status", S_IFREG | 0444, .show = status_of },
};

static struct inode *pid_dir_lookup(struct inode *dir, const char *name, size_t len)
{
	return proc_lookup_table(pid_entries, ARRAY_SIZE(pid_entries), name, len,
				 (int)dir->i_rdev, PROC_INO(dir->i_rdev, 1));
}

static void pid_dir_readdir(struct inode *dir, uint64_t pos, filldir_t fill, void *ctx)
{
	proc_readdir_table(pid_entries, ARRAY_SIZE(pid_entries), pos, fill, ctx,
			   PROC_INO(dir->i_rdev, 1));
}

static const struct inode_operations pid_dir_ops = {
	.lookup = pid_dir_lookup,
	.readdir = pid_dir_readdir,
};

static const struct proc_entry pid_dir_entry = { "", S_IFDIR | 0555, .show = NULL };

struct inode *proc_pid_lookup(int pid, struct inode *proc_root)
{
	struct task_struct *p = find_get_task_by_pid(pid);
	struct inode *dir;

	if (!p)
		return ERR_PTR(-ENOENT);
	put_task_struct(p);
	dir = proc_make_inode(&pid_dir_entry, pid, PROC_INO(pid, 0));
	if (!IS_ERR(dir)) {
		dir->i_op = &pid_dir_ops;
		dir->i_parent = proc_root;
	}
	return dir;
}
