/*
 * Pipes: pipe(2) and pipe2(2). A pipe is a one-page ring buffer with a read end and a
 * write end, each an open file (fds made by dup or fork share them). read takes what is
 * there, sleeping while the pipe is empty and some write end is still open, and returns
 * 0 (end of file) once every write end is closed. write sleeps while the pipe is full and
 * a read end is open; with no read end left it fails with -EPIPE after sending SIGPIPE to
 * the writer, as POSIX says. A write of up to PIPE_BUF (the page) bytes is never mixed
 * with another's. Both ends sleep on one wait queue; every change wakes it.
 * musl's posix_spawn needs this: it passes an exec failure back from the child through a
 * pipe whose write end is close-on-exec, so a successful exec reads as end of file.
 * Locking: one spinlock per pipe, with interrupts off, around the ring's indices and the
 * end counts; the copies are between kernel buffers (fs/sys_rw.c bounces user memory).
 */
#include <fs/fs.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <kernel/spinlock.h>
#include <kernel/syscalls.h>
#include <asm/uaccess.h>
#include <lib/errno.h>
#include <mm/gfp.h>
#include <mm/slab.h>
#include <sched/wait.h>

#define PIPE_SIZE	PAGE_SIZE
#define PIPE_BUF	PAGE_SIZE	/* writes up to this many bytes are atomic */

struct pipe {
	char *buf;
	unsigned int head, tail;	/* free-running: head - tail bytes are in the ring */
	unsigned int readers, writers;	/* open files of each end */
	spinlock_t lock;
	struct wait_queue_head wait;
};

static unsigned int pipe_used(struct pipe *p)
{
	return __atomic_load_n(&p->head, __ATOMIC_ACQUIRE) - __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE);
}

static ssize_t pipe_read(struct file *f, void *buf, size_t count, loff_t *pos)
{
	struct pipe *p = f->private_data;

	(void)pos;
	if (!count)
		return 0;
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&p->lock);
		unsigned int used = p->head - p->tail, writers = p->writers;

		if (used) {
			size_t n = count < used ? count : used;

			for (size_t i = 0; i < n; i++)	/* the ring may wrap: byte by byte is simplest */
				((char *)buf)[i] = p->buf[(p->tail + i) % PIPE_SIZE];
			p->tail += (unsigned int)n;
			spin_unlock_irqrestore(&p->lock, flags);
			wake_up_interruptible_all(&p->wait);	/* room for the writers */
			return (ssize_t)n;
		}
		spin_unlock_irqrestore(&p->lock, flags);
		if (!writers)
			return 0;	/* empty, and nobody can write: end of file */
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(p->wait, pipe_used(p) ||
					     !__atomic_load_n(&p->writers, __ATOMIC_ACQUIRE)))
			return -EINTR;
	}
}

static ssize_t pipe_write(struct file *f, const void *buf, size_t count, loff_t *pos)
{
	struct pipe *p = f->private_data;
	/* An atomic write waits until it fits whole; a larger one goes in pieces. */
	size_t need = count <= PIPE_BUF ? count : 1, done = 0;

	(void)pos;
	while (done < count) {
		unsigned long flags = spin_lock_irqsave(&p->lock);
		size_t room = PIPE_SIZE - (p->head - p->tail);

		if (!p->readers) {
			spin_unlock_irqrestore(&p->lock, flags);
			send_signal(current, SIGPIPE);
			return done ? (ssize_t)done : -EPIPE;
		}
		if (room >= need) {
			size_t n = count - done < room ? count - done : room;

			for (size_t i = 0; i < n; i++)
				p->buf[(p->head + i) % PIPE_SIZE] = ((const char *)buf)[done + i];
			p->head += (unsigned int)n;
			done += n;
			spin_unlock_irqrestore(&p->lock, flags);
			wake_up_interruptible_all(&p->wait);	/* data for the readers */
			continue;
		}
		spin_unlock_irqrestore(&p->lock, flags);
		if (f->f_flags & O_NONBLOCK)
			return done ? (ssize_t)done : -EAGAIN;
		if (wait_event_interruptible(p->wait, PIPE_SIZE - pipe_used(p) >= need ||
					     !__atomic_load_n(&p->readers, __ATOMIC_ACQUIRE)))
			return done ? (ssize_t)done : -EINTR;
	}
	return (ssize_t)done;
}

/* The last close of one end: the other end sees end of file or EPIPE; the last frees. */
static void pipe_release(struct file *f)
{
	struct pipe *p = f->private_data;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	bool last;

	if ((f->f_flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	last = !p->readers && !p->writers;
	spin_unlock_irqrestore(&p->lock, flags);
	if (last) {
		free_page((unsigned long)p->buf);
		kfree(p);
	} else {
		wake_up_interruptible_all(&p->wait);
	}
}

static const struct file_operations pipe_read_fops = {
	.read = pipe_read, .stream = true, .release = pipe_release,
};
static const struct file_operations pipe_write_fops = {
	.write = pipe_write, .stream = true, .release = pipe_release,
};

/* One end: a file on the pipe's inode (which fstat shows as a FIFO). */
static struct file *pipe_end(struct pipe *p, struct inode *inode, int acc, int flags,
			     const struct file_operations *fops)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->f_count = 1;
	f->f_flags = (unsigned int)(acc | (flags & O_NONBLOCK));
	f->f_inode = inode;
	f->f_op = fops;
	f->private_data = p;
	return f;
}

/* pipe2(int fds[2], flags): fds[0] the read end, fds[1] the write end. */
static long do_pipe2(int __user *ufds, unsigned long flags)
{
	struct pipe *p;
	struct inode *inode;
	struct file *r = NULL, *w = NULL;
	int fds[2] = { -1, -1 };

	if (flags & ~(unsigned long)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->buf = (char *)get_zeroed_page(GFP_KERNEL);
	fs_lock_acquire();
	inode = new_inode(S_IFIFO | 0600);	/* no name: freed with its last file */
	if (inode)
		iget(inode);			/* one reference per end */
	fs_lock_release();
	spin_lock_init(&p->lock);
	init_waitqueue_head(&p->wait);
	if (p->buf && inode) {
		r = pipe_end(p, inode, O_RDONLY, (int)flags, &pipe_read_fops);
		w = pipe_end(p, inode, O_WRONLY, (int)flags, &pipe_write_fops);
	}
	if (!r || !w) {
		kfree(r);
		kfree(w);
		if (inode) {
			fs_lock_acquire();
			iput(inode);
			iput(inode);
			fs_lock_release();
		}
		if (p->buf)
			free_page((unsigned long)p->buf);
		kfree(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	fds[0] = fd_alloc_install(current->files, r, (unsigned int)flags);
	if (fds[0] >= 0)
		fds[1] = fd_alloc_install(current->files, w, (unsigned int)flags);
	if (fds[1] < 0 || copy_to_user(ufds, fds, sizeof(fds))) {
		long err = fds[0] < 0 ? fds[0] : fds[1] < 0 ? fds[1] : -EFAULT;

		/* Closing what was installed releases it; the rest is put by hand. */
		if (fds[0] >= 0)
			fd_close(current->files, fds[0]);
		else
			fput(r);
		if (fds[1] >= 0)
			fd_close(current->files, fds[1]);
		else
			fput(w);
		return err;
	}
	return 0;
}

long __x64_sys_pipe(const struct pt_regs *regs)
{
	return do_pipe2((int __user *)regs->rdi, 0);
}

long __x64_sys_pipe2(const struct pt_regs *regs)
{
	return do_pipe2((int __user *)regs->rdi, regs->rsi);
}
