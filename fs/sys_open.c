/*
 * The system calls on names: open/openat/close, the stat family, access, dup and fcntl,
 * mkdir/rmdir/unlink, readlink, and the working directory (getcwd, chdir).
 * A user path is copied in once (get_path: at most PATH_MAX bytes with the NUL, -EFAULT
 * for a bad pointer, -ENAMETOOLONG, -ENOENT for ""), and a relative one is joined to the
 * process's working directory, kept as an absolute path (NULL means "/"): the VFS walks
 * absolute paths only. The *at calls take AT_FDCWD or an absolute path; a directory fd
 * as the base is not supported (-EOPNOTSUPP), nor is following it with AT_EMPTY_PATH.
 */
#include <asm/uaccess.h>
#include <fs/fs.h>
#include <kernel/process.h>
#include <kernel/syscalls.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/slab.h>

#define AT_FDCWD		(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_REMOVEDIR		0x200
#define AT_EMPTY_PATH		0x1000
#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030

/* The user's @upath as an absolute kernel path in a new PATH_MAX buffer (kfree it). */
static char *get_path(const char __user *upath, long *err)
{
	char *p = kmalloc(PATH_MAX, GFP_KERNEL);
	long n;

	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	n = strncpy_from_user(p, upath, PATH_MAX);
	if (n == 0)
		n = -ENOENT;
	if (n > 0)
		n = path_join_cwd(p, (size_t)n, current->cwd ? current->cwd : "/");
	if (n < 0) {
		*err = n;
		kfree(p);
		return NULL;
	}
	*err = 0;
	return p;
}

/* A path relative to @dirfd: only AT_FDCWD, or any dirfd with an absolute path. */
static char *get_path_at(int dirfd, const char __user *upath, long *err)
{
	char first = 0;

	if (dirfd != AT_FDCWD && !copy_from_user(&first, upath, 1) && first != '/') {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	return get_path(upath, err);
}

static long do_open(int dirfd, const char __user *upath, int flags, unsigned int mode)
{
	long err;
	char *path = get_path_at(dirfd, upath, &err);
	struct file *f;
	int fd;

	if (!path)
		return err;
	f = filp_open(path, flags, mode);
	kfree(path);
	if (IS_ERR(f))
		return PTR_ERR(f);
	fd = fd_alloc_install(current->files, f, (flags & O_CLOEXEC) ? O_CLOEXEC : 0);
	if (fd < 0)
		fput(f);
	return fd;
}

long __x64_sys_open(const struct pt_regs *regs)
{
	return do_open(AT_FDCWD, (const char __user *)regs->rdi, (int)regs->rsi,
		       (unsigned int)regs->rdx);
}

long __x64_sys_openat(const struct pt_regs *regs)
{
	return do_open((int)regs->rdi, (const char __user *)regs->rsi, (int)regs->rdx,
		       (unsigned int)regs->r10);
}

long __x64_sys_close(const struct pt_regs *regs)
{
	return fd_close(current->files, (int)regs->rdi);
}

static long stat_to_user(const struct stat *st, unsigned long ust)
{
	return copy_to_user((void __user *)ust, st, sizeof(*st)) ? -EFAULT : 0;
}

static long do_stat(int dirfd, const char __user *upath, unsigned long ust, bool follow)
{
	struct stat st;
	long err;
	char *path = get_path_at(dirfd, upath, &err);

	if (!path)
		return err;
	err = follow ? vfs_stat(path, &st) : vfs_lstat(path, &st);
	kfree(path);
	return err ? err : stat_to_user(&st, ust);
}

long __x64_sys_stat(const struct pt_regs *regs)
{
	return do_stat(AT_FDCWD, (const char __user *)regs->rdi, regs->rsi, true);
}

long __x64_sys_lstat(const struct pt_regs *regs)
{
	return do_stat(AT_FDCWD, (const char __user *)regs->rdi, regs->rsi, false);
}

long __x64_sys_fstat(const struct pt_regs *regs)
{
	struct file *f = fd_get(current->files, (int)regs->rdi);
	struct stat st;
	long err;

	if (!f)
		return -EBADF;
	err = vfs_fstat(f, &st);
	fput(f);
	return err ? err : stat_to_user(&st, regs->rsi);
}

/* newfstatat(dirfd, path, struct stat *, flags): AT_EMPTY_PATH with "" is fstat(dirfd). */
long __x64_sys_newfstatat(const struct pt_regs *regs)
{
	char first = 1;

	if ((regs->r10 & AT_EMPTY_PATH) && !copy_from_user(&first, (void __user *)regs->rsi, 1) &&
	    !first) {
		struct pt_regs r = { .rdi = regs->rdi, .rsi = regs->rdx };

		return __x64_sys_fstat(&r);
	}
	return do_stat((int)regs->rdi, (const char __user *)regs->rsi, regs->rdx,
		       !(regs->r10 & AT_SYMLINK_NOFOLLOW));
}

/* access: everyone is root, so existence is the answer (X needs some x bit, as for root). */
static long do_access(int dirfd, const char __user *upath, int mode)
{
	struct stat st;
	long err;
	char *path;

	if (mode & ~7)
		return -EINVAL;
	path = get_path_at(dirfd, upath, &err);
	if (!path)
		return err;
	err = vfs_stat(path, &st);
	kfree(path);
	if (!err && (mode & 1) && !S_ISDIR(st.st_mode) && !(st.st_mode & 0111))
		err = -EACCES;
	return err;
}

long __x64_sys_access(const struct pt_regs *regs)
{
	return do_access(AT_FDCWD, (const char __user *)regs->rdi, (int)regs->rsi);
}

long __x64_sys_faccessat(const struct pt_regs *regs)
{
	return do_access((int)regs->rdi, (const char __user *)regs->rsi, (int)regs->rdx);
}

long __x64_sys_dup(const struct pt_regs *regs)
{
	return fd_dup(current->files, (int)regs->rdi);
}

long __x64_sys_dup2(const struct pt_regs *regs)
{
	return fd_dup2(current->files, (int)regs->rdi, (int)regs->rsi);
}

long __x64_sys_dup3(const struct pt_regs *regs)
{
	int ret;

	if (regs->rdi == regs->rsi || (regs->rdx & ~(unsigned long)O_CLOEXEC))
		return -EINVAL;
	ret = fd_dup2(current->files, (int)regs->rdi, (int)regs->rsi);
	if (ret >= 0)
		fd_set_cloexec(current->files, ret, regs->rdx & O_CLOEXEC);
	return ret;
}

long __x64_sys_fcntl(const struct pt_regs *regs)
{
	struct files_struct *files = current->files;
	int fd = (int)regs->rdi, ret;
	struct file *f;

	switch (regs->rsi) {
	case F_GETFD:
		ret = fd_get_cloexec(files, fd);
		return ret < 0 ? ret : ret ? FD_CLOEXEC : 0;
	case F_SETFD:
		return fd_set_cloexec(files, fd, regs->rdx & FD_CLOEXEC);
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		/* The lowest free fd at or above arg, found and filled under the table's lock. */
		ret = fd_dup_min(files, fd, (int)MIN(regs->rdx, (unsigned long)NR_OPEN_MAX));
		if (ret >= 0 && regs->rsi == F_DUPFD_CLOEXEC)
			fd_set_cloexec(files, ret, true);
		return ret;
	case F_GETFL:
		f = fd_get(files, fd);
		if (!f)
			return -EBADF;
		/* What open did once (create, truncate ...) is not a file status flag. */
		ret = (int)(f->f_flags & ~(unsigned int)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC));
		fput(f);
		return ret;
	case F_SETFL:
		f = fd_get(files, fd);
		if (!f)
			return -EBADF;
		/* Only O_APPEND and O_NONBLOCK may change, as on Linux. */
		f->f_flags = (f->f_flags & ~(unsigned int)(O_APPEND | O_NONBLOCK)) |
			     (regs->rdx & (O_APPEND | O_NONBLOCK));
		fput(f);
		return 0;
	}
	return -EINVAL;
}

/* mkdir, rmdir, unlink and friends: a path and a VFS call. */
static long path_call(int dirfd, const char __user *upath, int (*op)(const char *))
{
	long err;
	char *path = get_path_at(dirfd, upath, &err);

	if (!path)
		return err;
	err = op(path);
	kfree(path);
	return err;
}

static long do_mkdir(int dirfd, const char __user *upath, unsigned int mode)
{
	long err;
	char *path = get_path_at(dirfd, upath, &err);

	if (!path)
		return err;
	err = vfs_mkdir(path, mode & 07777);
	kfree(path);
	return err;
}

long __x64_sys_mkdir(const struct pt_regs *regs)
{
	return do_mkdir(AT_FDCWD, (const char __user *)regs->rdi, (unsigned int)regs->rsi);
}

long __x64_sys_mkdirat(const struct pt_regs *regs)
{
	return do_mkdir((int)regs->rdi, (const char __user *)regs->rsi, (unsigned int)regs->rdx);
}

long __x64_sys_rmdir(const struct pt_regs *regs)
{
	return path_call(AT_FDCWD, (const char __user *)regs->rdi, vfs_rmdir);
}

long __x64_sys_unlink(const struct pt_regs *regs)
{
	return path_call(AT_FDCWD, (const char __user *)regs->rdi, vfs_unlink);
}

long __x64_sys_unlinkat(const struct pt_regs *regs)
{
	if (regs->rdx & ~(unsigned long)AT_REMOVEDIR)
		return -EINVAL;
	return path_call((int)regs->rdi, (const char __user *)regs->rsi,
			 (regs->rdx & AT_REMOVEDIR) ? vfs_rmdir : vfs_unlink);
}

static long do_readlink(int dirfd, const char __user *upath, unsigned long ubuf, long size)
{
	long err;
	char *path, *buf;

	if (size <= 0)
		return -EINVAL;
	path = get_path_at(dirfd, upath, &err);
	if (!path)
		return err;
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	err = buf ? vfs_readlink(path, buf, size < PATH_MAX ? (size_t)size : PATH_MAX) : -ENOMEM;
	if (err > 0 && copy_to_user((void __user *)ubuf, buf, (size_t)err))
		err = -EFAULT;
	kfree(buf);
	kfree(path);
	return err;
}

long __x64_sys_readlink(const struct pt_regs *regs)
{
	return do_readlink(AT_FDCWD, (const char __user *)regs->rdi, regs->rsi, (long)regs->rdx);
}

long __x64_sys_readlinkat(const struct pt_regs *regs)
{
	return do_readlink((int)regs->rdi, (const char __user *)regs->rsi, regs->rdx,
			   (long)regs->r10);
}

/* getcwd(buf, size): the length with the NUL, as the raw Linux call returns. */
long __x64_sys_getcwd(const struct pt_regs *regs)
{
	const char *cwd = current->cwd ? current->cwd : "/";
	size_t len = strlen(cwd) + 1;

	if (regs->rsi < len)
		return -ERANGE;
	return copy_to_user((void __user *)regs->rdi, cwd, len) ? -EFAULT : (long)len;
}

/*
 * chdir: the directory must exist; the new working directory is stored normalised, with
 * "." and ".." worked out by name (the tree has no mount points or links to directories
 * that would make the name and the walk disagree, except symlinks, which we resolve
 * only as far as the check: cd through a symlink keeps the name, as a shell's logical cd).
 */
long __x64_sys_chdir(const struct pt_regs *regs)
{
	long err;
	char *path = get_path((const char __user *)regs->rdi, &err), *norm;
	struct stat st;

	if (!path)
		return err;
	err = vfs_stat(path, &st);
	if (!err && !S_ISDIR(st.st_mode))
		err = -ENOTDIR;
	norm = err ? NULL : path_normalize(path);
	kfree(path);
	if (err)
		return err;
	if (!norm)
		return -ENOMEM;
	kfree(current->cwd);
	current->cwd = norm;
	return 0;
}
