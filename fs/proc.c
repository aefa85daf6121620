/*
 * procfs, small: /proc is a directory whose entries are made when looked up, not stored.
 *   /proc/meminfo, buddyinfo, slabinfo, swaps         the kernel's tables, as on Linux
 *   /proc/self                                       a symlink to the caller's /proc/PID
 *   /proc/PID/...                                    one directory per task (fs/proc_pid.c)
 * A lookup builds a fresh inode with no name (i_nlink 0), so it goes with its last
 * reference; the numbers are fixed (PROC_INO) so that stat agrees between two lookups.
 * A file's text is generated anew by each read() and the part at the file position copied
 * out (Linux's seq_file does the same for small files): reading in pieces can see two
 * states of a changing table, never a torn line within one read. A write goes to the
 * entry's write function whole (oom_score_adj). docs/fs.md, "procfs".
 */
#include <fs/fs.h>
#include <fs/proc.h>
#include <kernel/smp.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/swap.h>
#include <mm/vmalloc.h>
#include <sched/task.h>

#define PROC_TEXT_MAX	(64 * 1024)	/* the largest text a file may show */

static struct inode *proc_root;

/* ---- files: generated on read ----------------------------------------------------------- */

/* @e's text for task @pid, shown under tasklist_lock: -ESRCH if there is no such task. */
static int show_task(const struct proc_entry *e, int pid, char *buf, size_t size)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p = find_task_by_pid(pid);
	int ret = p ? e->show(p, buf, size) : -ESRCH;

	spin_unlock_irqrestore(&tasklist_lock, flags);
	return ret;
}

static ssize_t proc_read(struct file *f, void *buf, size_t count, loff_t *pos)
{
	const struct proc_entry *e = f->f_inode->i_private;
	char *text = vmalloc(PROC_TEXT_MAX);
	int len;
	ssize_t n = 0;

	if (!text)
		return -ENOMEM;
	len = e->format ? e->format(text, PROC_TEXT_MAX) :
			  show_task(e, (int)f->f_inode->i_rdev, text, PROC_TEXT_MAX);
	if (len < 0) {
		n = len;
	} else if (*pos < len) {
		n = (ssize_t)MIN(count, (size_t)(len - *pos));
		memcpy(buf, text + *pos, (size_t)n);
		*pos += n;
	}
	vfree(text);
	return n;
}

static ssize_t proc_write(struct file *f, const void *buf, size_t count, loff_t *pos)
{
	const struct proc_entry *e = f->f_inode->i_private;
	char text[32];
	int ret;

	if (!e->write)
		return -EINVAL;
	if (count >= sizeof(text))
		return -EINVAL;
	memcpy(text, buf, count);
	text[count] = '\0';
	ret = e->write(text, (int)f->f_inode->i_rdev);
	if (ret < 0)
		return ret;
	*pos += (loff_t)count;
	return (ssize_t)count;
}

static const struct file_operations proc_file_ops = { .read = proc_read, .write = proc_write };

struct inode *proc_make_inode(const struct proc_entry *e, int pid, unsigned long ino)
{
	struct inode *inode = new_inode(e->mode);

	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_ino = ino;
	inode->i_rdev = (dev_t)pid;
	if (S_ISREG(e->mode)) {
		inode->i_fop = &proc_file_ops;
		inode->i_private = (void *)e;
	}
	return inode;
}

struct inode *proc_lookup_table(const struct proc_entry *table, size_t n, const char *name,
				size_t len, int pid, unsigned long ino_base)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
			return proc_make_inode(&table[i], pid, ino_base + i);
	return ERR_PTR(-ENOENT);
}

void proc_readdir_table(const struct proc_entry *table, size_t n, uint64_t pos, filldir_t fill,
			void *ctx, unsigned long ino_base)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t cookie = DIR_COOKIE_DYNAMIC + i;

		if (cookie >= pos && !fill(ctx, ino_base + i, cookie, table[i].mode, table[i].name))
			return;
	}
}

/* ---- /proc itself ----------------------------------------------------------------------- */

/* The kernel's own tables, straight from their formatters. */
static const struct proc_entry root_entries[] = {
	{ "buddyinfo", S_IFREG | 0444, .format = buddyinfo_format },
	{ "cpuinfo", S_IFREG | 0444, .format = cpuinfo_format },
	{ "meminfo", S_IFREG | 0444, .format = meminfo_format },
	{ "slabinfo", S_IFREG | 0400, .format = slabinfo_format },
	{ "swaps", S_IFREG | 0444, .format = swaps_format },
};

/* "self": a symlink whose target is the caller's pid, so open("/proc/self/...") works. */
static struct inode *make_self(void)
{
	struct inode *inode = new_inode(S_IFLNK | 0777);
	char *target = kmalloc(12, GFP_KERNEL);

	if (!inode || !target) {
		kfree(target);
		if (inode)
			iput(inode);
		return ERR_PTR(-ENOMEM);
	}
	inode->i_ino = PROC_INO(0, 1);
	inode->i_size = snprintf(target, 12, "%d", current->pid);
	inode->i_data = target;
	inode->i_data_owned = true;
	return inode;
}

static int parse_pid(const char *name, size_t len)
{
	int pid = 0;

	if (len == 0 || len > 9 || (name[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		pid = pid * 10 + (name[i] - '0');
	}
	return pid;
}

static struct inode *proc_root_lookup(struct inode *dir, const char *name, size_t len)
{
	int pid = parse_pid(name, len);

	(void)dir;
	if (len == 4 && memcmp(name, "self", 4) == 0)
		return make_self();
	if (pid > 0)
		return proc_pid_lookup(pid, proc_root);
	return proc_lookup_table(root_entries, ARRAY_SIZE(root_entries), name, len, 0,
				 PROC_INO(0, 2));
}

/* The smallest pid of a live task that is at least @from; 0 if none. */
static int next_pid(int from)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p;
	int best = 0;

	for_each_process(p)
		if (p->pid >= from && (!best || p->pid < best))
			best = p->pid;
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return best;
}

/* The table, "self", then a directory per task in pid order (cookie: base + 1 + pid...). */
static void proc_root_readdir(struct inode *dir, uint64_t pos, filldir_t fill, void *ctx)
{
	const uint64_t self = DIR_COOKIE_DYNAMIC + ARRAY_SIZE(root_entries);
	char name[12];

	(void)dir;
	proc_readdir_table(root_entries, ARRAY_SIZE(root_entries), pos, fill, ctx, PROC_INO(0, 2));
	if (pos <= self && !fill(ctx, PROC_INO(0, 1), self, S_IFLNK, "self"))
		return;
	for (int pid = next_pid(pos > self ? (int)(pos - self) : 1); pid; pid = next_pid(pid + 1)) {
		snprintf(name, sizeof(name), "%d", pid);
		if (!fill(ctx, PROC_INO(pid, 0), self + (uint64_t)pid, S_IFDIR, name))
			return;
	}
}

static const struct inode_operations proc_root_ops = {
	.lookup = proc_root_lookup,
	.readdir = proc_root_readdir,
};

int proc_init(void)
{
	struct inode *dir;
	int ret = vfs_mkdir("/proc", 0555);

	if (ret && ret != -EEXIST)
		return ret;
	fs_lock_acquire();
	ret = path_lookup("/proc", LOOKUP_FOLLOW, &dir, NULL, NULL);
	if (!ret) {
		dir->i_op = &proc_root_ops;
		proc_root = dir;	/* the lookup's reference keeps it for good */
	}
	fs_lock_release();
	return ret;
}
