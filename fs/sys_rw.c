/*
 * The system calls on open files: read, write, their vector and positioned forms, lseek,
 * ioctl and getdents64. Data goes through a kernel bounce buffer of one page at a time
 * (include/fs/fs.h takes kernel buffers): copy_from_user into it before a write,
 * copy_to_user out of it after a read, so a bad user pointer is an -EFAULT, decided before
 * (write) or after (read) the file sees anything; a transfer that fails part way returns
 * the bytes done so far, as Linux does.
 */
#include <asm/uaccess.h>
#include <block/blkdev.h>
#include <fs/fs.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <kernel/syscalls.h>
#include <lib/errno.h>
#include <mm/slab.h>

#define CHUNK		PAGE_SIZE
#define UIO_MAXIOV	1024
#define TCGETS		0x5401
#define TIOCGWINSZ	0x5413
#define TIOCGPGRP	0x540f

struct iovec64 {
	uint64_t base, len;
};

/* The open file behind @fd, with a reference, or NULL. */
static struct file *get_fd(int fd)
{
	return current->files ? fd_get(current->files, fd) : NULL;
}

static bool may_read(const struct file *f)
{
	return (f->f_flags & O_ACCMODE) != O_WRONLY;
}

static bool may_write(const struct file *f)
{
	return (f->f_flags & O_ACCMODE) != O_RDONLY;
}

/* @count bytes from the file at *@pos into user memory; a short read ends the loop. */
static long read_to_user(struct file *f, uint8_t __user *ubuf, size_t count, loff_t *pos)
{
	uint8_t *buf;
	long done = 0;

	if (!may_read(f))
		return -EBADF;
	if (!access_ok(ubuf, count))
		return -EFAULT;
	buf = kmalloc(CHUNK, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while ((size_t)done < count) {
		size_t n = count - done < CHUNK ? count - done : CHUNK;
		ssize_t got = kernel_read(f, buf, n, pos);

		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		if (copy_to_user(ubuf + done, buf, (size_t)got)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		done += got;
		if ((size_t)got < n)
			break;		/* end of file, or a console line */
	}
	kfree(buf);
	return done;
}

static long write_from_user(struct file *f, const uint8_t __user *ubuf, size_t count,
			    loff_t *pos)
{
	uint8_t *buf;
	long done = 0;

	if (!may_write(f))
		return -EBADF;
	if (!access_ok(ubuf, count))
		return -EFAULT;
	buf = kmalloc(CHUNK, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while ((size_t)done < count) {
		size_t n = count - done < CHUNK ? count - done : CHUNK;
		ssize_t put;

		if (copy_from_user(buf, ubuf + done, n)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		put = kernel_write(f, buf, n, pos);
		if (put < 0) {
			if (!done)
				done = put;
			break;
		}
		done += put;
		if ((size_t)put < n)
			break;
	}
	kfree(buf);
	return done;
}

/* read/write/pread/pwrite: one body, @positioned says whose position moves. */
static long rw(const struct pt_regs *regs, bool write, bool positioned)
{
	struct file *f = get_fd((int)regs->rdi);
	loff_t pos;
	long ret;

	if (!f)
		return -EBADF;
	if (positioned && ((f->f_op && f->f_op->stream) || (loff_t)regs->r10 < 0)) {
		ret = (loff_t)regs->r10 < 0 ? -EINVAL : -ESPIPE;
		fput(f);
		return ret;
	}
	pos = positioned ? (loff_t)regs->r10 : f->f_pos;
	ret = write ? write_from_user(f, (const void __user *)regs->rsi, regs->rdx, &pos)
		    : read_to_user(f, (void __user *)regs->rsi, regs->rdx, &pos);
	if (!positioned)
		f->f_pos = pos;
	fput(f);
	return ret;
}

long __x64_sys_read(const struct pt_regs *regs) { return rw(regs, false, false); }
long __x64_sys_write(const struct pt_regs *regs) { return rw(regs, true, false); }
long __x64_sys_pread64(const struct pt_regs *regs) { return rw(regs, false, true); }
long __x64_sys_pwrite64(const struct pt_regs *regs) { return rw(regs, true, true); }

/* readv/writev: each iovec in turn; a short transfer ends the call. */
static long rwv(const struct pt_regs *regs, bool write)
{
	struct file *f = get_fd((int)regs->rdi);
	unsigned long iovcnt = regs->rdx;
	long done = 0;

	if (!f)
		return -EBADF;
	if (iovcnt > UIO_MAXIOV) {
		fput(f);
		return -EINVAL;
	}
	for (unsigned long i = 0; i < iovcnt; i++) {
		struct iovec64 v;
		long n;

		if (copy_from_user(&v, (const struct iovec64 __user *)regs->rsi + i, sizeof(v))) {
			done = done ? done : -EFAULT;
			break;
		}
		if ((long)v.len < 0) {
			done = done ? done : -EINVAL;
			break;
		}
		n = write ? write_from_user(f, (const void __user *)v.base, v.len, &f->f_pos)
			  : read_to_user(f, (void __user *)v.base, v.len, &f->f_pos);
		if (n < 0) {
			done = done ? done : n;
			break;
		}
		done += n;
		if ((uint64_t)n < v.len)
			break;
	}
	fput(f);
	return done;
}

long __x64_sys_readv(const struct pt_regs *regs) { return rwv(regs, false); }
long __x64_sys_writev(const struct pt_regs *regs) { return rwv(regs, true); }

long __x64_sys_lseek(const struct pt_regs *regs)
{
	struct file *f = get_fd((int)regs->rdi);
	loff_t ret;

	if (!f)
		return -EBADF;
	ret = vfs_llseek(f, (loff_t)regs->rsi, (int)regs->rdx);
	fput(f);
	return (long)ret;
}

/*
 * ioctl: the terminal queries libc makes on the console (isatty is TIOCGWINSZ succeeding):
 * the window size is always 80x25 (the serial line has no size; the screen's may differ),
 * and the foreground process group is the caller's own (the console has no job control).
 */
long __x64_sys_ioctl(const struct pt_regs *regs)
{
	struct file *f = get_fd((int)regs->rdi);
	bool tty;
	long ret = -ENOTTY;

	if (!f)
		return -EBADF;
	tty = f->f_op == &console_fops;
	fput(f);
	if (!tty)
		return -ENOTTY;
	switch (regs->rsi) {
	case TIOCGWINSZ: {
		uint16_t ws[4] = { 25, 80, 0, 0 };	/* rows, columns, pixels x, y */

		ret = copy_to_user((void __user *)regs->rdx, ws, sizeof(ws)) ? -EFAULT : 0;
		break;
	}
	case TIOCGPGRP:
		ret = put_user(current->signal->pgrp, (int __user *)regs->rdx);
		break;
	case TCGETS:
		ret = -ENOTTY;	/* no termios yet: programs treat the console as a plain tty */
		break;
	}
	return ret;
}

long __x64_sys_getdents64(const struct pt_regs *regs)
{
	struct file *f = get_fd((int)regs->rdi);
	size_t count = regs->rdx < CHUNK ? regs->rdx : CHUNK;
	void *buf;
	long ret;

	if (!f)
		return -EBADF;
	buf = kmalloc(CHUNK, GFP_KERNEL);
	ret = buf ? vfs_getdents64(f, buf, count) : -ENOMEM;
	if (ret > 0 && copy_to_user((void __user *)regs->rsi, buf, (size_t)ret))
		ret = -EFAULT;
	kfree(buf);
	fput(f);
	return ret;
}

/*
 * fsync/fdatasync: the file's written data on its device (block devices: the page cache's
 * dirty pages written back, then the device's cache flushed). Files of the ramfs live in
 * memory only: nothing to do, 0, as Linux's ramfs. fdatasync is fsync: there is no
 * metadata apart from the data. sync: every disk.
 */
long __x64_sys_fsync(const struct pt_regs *regs)
{
	struct file *f = get_fd((int)regs->rdi);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->f_op && f->f_op->fsync ? f->f_op->fsync(f) : 0;
	fput(f);
	return ret;
}

long __x64_sys_fdatasync(const struct pt_regs *regs)
{
	return __x64_sys_fsync(regs);
}

long __x64_sys_sync(const struct pt_regs *regs)
{
	(void)regs;
	bdev_sync_all();	/* sync(2) returns nothing; errors stay with the pages */
	return 0;
}
