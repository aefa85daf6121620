/*
 * A process's file-system state: its file-descriptor table and its working directory.
 * A kernel thread that becomes a process gets a table with stdin, stdout and stderr open
 * on /dev/console (as Linux's init gets them); fork copies the table (the open files are
 * shared, as dup) and the directory; exit closes everything.
 */
#include <fs/fs.h>
#include <kernel/process.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/slab.h>

int process_files_init(struct task_struct *tsk)
{
	struct file *f;

	tsk->files = files_alloc();
	if (!tsk->files)
		return -ENOMEM;
	f = filp_open("/dev/console", O_RDWR, 0);
	if (IS_ERR(f))
		return 0;	/* no console device: the process starts with no fds */
	for (int fd = 0; fd < 3; fd++)
		if (fd_alloc_install(tsk->files, get_file(f), 0) != fd)
			fput(f);
	fput(f);
	return 0;
}

int process_fork_files(struct task_struct *p, struct task_struct *parent)
{
	if (parent->files) {
		p->files = dup_files(parent->files);
		if (!p->files)
			return -ENOMEM;
	}
	if (parent->cwd) {
		size_t len = strlen(parent->cwd) + 1;

		p->cwd = kmalloc(len, GFP_KERNEL);
		if (!p->cwd)
			return -ENOMEM;
		memcpy(p->cwd, parent->cwd, len);
	}
	return 0;
}

void process_exit_files(struct task_struct *tsk)
{
	if (tsk->files)
		put_files(tsk->files);
	tsk->files = NULL;
	kfree(tsk->cwd);
	tsk->cwd = NULL;
}
