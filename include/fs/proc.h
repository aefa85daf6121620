/*
 * procfs (fs/proc.c, fs/proc_pid.c): files whose text the kernel writes when they are read.
 * A table of struct proc_entry describes a directory's files; show writes the text for
 * task @p into @buf and returns its length (called with tasklist_lock held: the read
 * is -ESRCH when the task is gone), format does the same for a file of /proc itself (no
 * task); write, if any, takes what was written as a string.
 */
#ifndef FS_PROC_H
#define FS_PROC_H

#include <fs/fs.h>

struct task_struct;

struct proc_entry {
	const char *name;
	umode_t mode;
	int (*show)(struct task_struct *p, char *buf, size_t size);
	int (*write)(const char *text, int pid);
	int (*format)(char *buf, size_t size);	/* instead of show: /proc's own files */
};

/* Inode numbers: one block of 256 per pid (0: /proc itself), fixed across lookups. */
#define PROC_INO(pid, n)	(0x10000000ul + ((unsigned long)(pid) << 8) + (n))

int proc_init(void);	/* mount /proc: after the root file system is unpacked */

/* Helpers for a directory's table (fs/proc.c). */
struct inode *proc_make_inode(const struct proc_entry *e, int pid, unsigned long ino);
struct inode *proc_lookup_table(const struct proc_entry *table, size_t n, const char *name,
				size_t len, int pid, unsigned long ino_base);
void proc_readdir_table(const struct proc_entry *table, size_t n, uint64_t pos, filldir_t fill,
			void *ctx, unsigned long ino_base);

/* /proc/PID (fs/proc_pid.c): the directory of task @pid, or ERR_PTR(-ENOENT). */
struct inode *proc_pid_lookup(int pid, struct inode *proc_root);

#endif
