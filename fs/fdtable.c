/*
 * File-descriptor tables: a task's fds, small integers naming struct files. A table holds
 * one reference to each file it names; dup2 and fork make more fds for the same file, so
 * they share its position. The close-on-exec bit belongs to the fd, not the file. A table
 * may be shared by tasks (count), as CLONE_FILES would; dup_files copies it for fork.
 * The table's spinlock guards its slots; a file is put (fput, which may sleep) only after
 * the lock is dropped. Limit: NR_OPEN_MAX fds. docs/fs.md, "file descriptors".
 */
#include <fs/fs.h>
#include <lib/errno.h>
#include <mm/slab.h>

_Static_assert(NR_OPEN_MAX <= 64, "the close-on-exec bits are one uint64_t");

struct files_struct *files_alloc(void)
{
	struct files_struct *files = kzalloc(sizeof(*files), GFP_KERNEL);

	if (!files)
		return NULL;
	files->count = 1;
	spin_lock_init(&files->lock);
	return files;
}

struct files_struct *dup_files(struct files_struct *old)
{
	struct files_struct *files = files_alloc();
	unsigned long flags;

	if (!files)
		return NULL;
	flags = spin_lock_irqsave(&old->lock);
	for (int fd = 0; fd < NR_OPEN_MAX; fd++)
		if (old->fd[fd])
			files->fd[fd] = get_file(old->fd[fd]);
	files->cloexec = old->cloexec;
	spin_unlock_irqrestore(&old->lock, flags);
	return files;
}

void put_files(struct files_struct *files)
{
	if (!files || __atomic_sub_fetch(&files->count, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (int fd = 0; fd < NR_OPEN_MAX; fd++)
		fput(files->fd[fd]);	/* nobody else sees the table any more: no lock */
	kfree(files);
}

static bool valid_fd(int fd)
{
	return fd >= 0 && fd < NR_OPEN_MAX;
}

static void set_cloexec(struct files_struct *files, int fd, bool on)
{
	if (on)
		files->cloexec |= 1ull << fd;
	else
		files->cloexec &= ~(1ull << fd);
}

/* Install @f (the caller's reference moves to the table) at the lowest free fd >= @minfd. */
static int install_from(struct files_struct *files, struct file *f, unsigned int flags,
			int minfd)
{
	unsigned long irq = spin_lock_irqsave(&files->lock);
	int fd;

	for (fd = minfd; fd < NR_OPEN_MAX && files->fd[fd]; fd++)
		;
	if (fd == NR_OPEN_MAX) {
		spin_unlock_irqrestore(&files->lock, irq);
		return -EMFILE;
	}
	files->fd[fd] = f;
	set_cloexec(files, fd, flags & O_CLOEXEC);
	spin_unlock_irqrestore(&files->lock, irq);
	return fd;
}

int fd_alloc_install(struct files_struct *files, struct file *f, unsigned int flags)
{
	return install_from(files, f, flags, 0);
}

struct file *fd_get(struct files_struct *files, int fd)
{
	struct file *f = NULL;
	unsigned long irq;

	if (!valid_fd(fd))
		return NULL;
	irq = spin_lock_irqsave(&files->lock);
	if (files->fd[fd])
		f = get_file(files->fd[fd]);
	spin_unlock_irqrestore(&files->lock, irq);
	return f;
}

int fd_close(struct files_struct *files, int fd)
{
	struct file *f;
	unsigned long irq;

	if (!valid_fd(fd))
		return -EBADF;
	irq = spin_lock_irqsave(&files->lock);
	f = files->fd[fd];
	files->fd[fd] = NULL;
	set_cloexec(files, fd, false);
	spin_unlock_irqrestore(&files->lock, irq);
	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

/* dup2: @newfd names @oldfd's file (closing what it named), without close-on-exec. */
int fd_dup2(struct files_struct *files, int oldfd, int newfd)
{
	struct file *old = NULL;
	unsigned long irq;

	if (!valid_fd(oldfd) || !valid_fd(newfd))
		return -EBADF;
	irq = spin_lock_irqsave(&files->lock);
	if (!files->fd[oldfd]) {
		spin_unlock_irqrestore(&files->lock, irq);
		return -EBADF;
	}
	if (oldfd != newfd) {
		old = files->fd[newfd];
		files->fd[newfd] = get_file(files->fd[oldfd]);
		set_cloexec(files, newfd, false);
	}
	spin_unlock_irqrestore(&files->lock, irq);
	fput(old);
	return newfd;
}

int fd_dup_min(struct files_struct *files, int oldfd, int minfd)
{
	struct file *f;
	int fd;

	f = fd_get(files, oldfd);
	if (!f)
		return -EBADF;
	if (!valid_fd(minfd)) {
		fput(f);
		return -EINVAL;
	}
	fd = install_from(files, f, 0, minfd);
	if (fd < 0)
		fput(f);
	return fd;
}

int fd_dup(struct files_struct *files, int oldfd)
{
	return fd_dup_min(files, oldfd, 0);
}

int fd_set_cloexec(struct files_struct *files, int fd, bool on)
{
	unsigned long irq;
	int ret = -EBADF;

	if (!valid_fd(fd))
		return -EBADF;
	irq = spin_lock_irqsave(&files->lock);
	if (files->fd[fd]) {
		set_cloexec(files, fd, on);
		ret = 0;
	}
	spin_unlock_irqrestore(&files->lock, irq);
	return ret;
}

int fd_get_cloexec(struct files_struct *files, int fd)
{
	unsigned long irq;
	int ret = -EBADF;

	if (!valid_fd(fd))
		return -EBADF;
	irq = spin_lock_irqsave(&files->lock);
	if (files->fd[fd])
		ret = (files->cloexec >> fd) & 1;
	spin_unlock_irqrestore(&files->lock, irq);
	return ret;
}

/* execve: close every fd marked close-on-exec. */
void files_close_on_exec(struct files_struct *files)
{
	for (int fd = 0; fd < NR_OPEN_MAX; fd++)
		if (fd_get_cloexec(files, fd) == 1)
			fd_close(files, fd);
}
