/*
 * Open files and the calls on them that the syscall layer makes: filp_open, kernel_read,
 * kernel_write, vfs_llseek, vfs_fstat/vfs_stat, get_file/fput. A struct file is what one
 * open(2) made: the inode, the open flags and the position; fds made by dup or fork share it
 * (f_count, atomic). Names are changed by fs/namei_ops.c. Reads and writes of ramfs files and
 * devices go through the inode's file_operations; the rest runs under fs_lock.
 * docs/fs.md, "open files".
 */
#include <fs/fs.h>
#include <lib/errno.h>
#include <mm/slab.h>

#define ROOT_DEV	MKDEV(0, 1)	/* what st_dev says for every ramfs file */

static unsigned long nr_files;	/* struct files alive; atomic (fput runs in any task) */

unsigned long get_nr_files(void)
{
	return __atomic_load_n(&nr_files, __ATOMIC_RELAXED);
}

static bool can_read(const struct file *f)
{
	return (f->f_flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(const struct file *f)
{
	unsigned int acc = f->f_flags & O_ACCMODE;

	return acc == O_WRONLY || acc == O_RDWR;
}

/* O_NOFOLLOW: a symlink as the last component is not followed (open fails with ELOOP). */
static unsigned int open_follow(int flags)
{
	return (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
}

/* The inode for open(O_CREAT): the existing one, or a new regular file. Under fs_lock. */
static int open_create(const char *path, int flags, unsigned int mode, struct inode **out)
{
	struct inode *dir, *inode;
	const char *last;
	size_t len;
	int ret;

	ret = path_lookup(path, LOOKUP_PARENT, &dir, &last, &len);
	if (ret)
		return ret;
	if (len && last[len] == '/') {	/* "name/" is a directory, which open cannot create */
		iput(dir);
		return -EISDIR;
	}
	if (len && !ramfs_find(dir, last, len) && !dir->i_op) {	/* not in procfs */
		inode = new_inode(S_IFREG | (mode & S_IALLUGO));
		if (!inode) {
			iput(dir);
			return -ENOMEM;
		}
		ret = ramfs_link(dir, last, len, inode);
		iput(dir);
		if (ret) {
			iput(inode);
			return ret;
		}
		*out = inode;
		return 0;
	}
	if ((flags & O_EXCL) && !dir->i_op) {
		iput(dir);
		return -EEXIST;	/* the name exists (a dangling symlink too) */
	}
	iput(dir);
	ret = path_lookup(path, open_follow(flags), out, NULL, NULL);
	if (ret == 0 && (S_ISDIR((*out)->i_mode) || (flags & O_EXCL))) {
		iput(*out);
		return (flags & O_EXCL) ? -EEXIST : -EISDIR;	/* procfs: made up, but there */
	}
	return ret;
}

static int open_inode(const char *path, int flags, unsigned int mode, struct inode **out)
{
	struct inode *inode;
	unsigned int acc = flags & O_ACCMODE;
	int ret;

	if (acc == O_ACCMODE)
		return -EINVAL;
	if (flags & O_CREAT)
		ret = open_create(path, flags, mode, &inode);
	else
		ret = path_lookup(path, open_follow(flags), &inode, NULL, NULL);
	if (ret)
		return ret;
	if (S_ISLNK(inode->i_mode))
		ret = -ELOOP;	/* O_NOFOLLOW met a symlink as the last component */
	else if ((flags & O_DIRECTORY) && !S_ISDIR(inode->i_mode))
		ret = -ENOTDIR;
	else if (S_ISDIR(inode->i_mode) && acc != O_RDONLY)
		ret = -EISDIR;
	else if ((flags & O_TRUNC) && inode->i_fop == &ramfs_file_ops && acc != O_RDONLY)
		ret = ramfs_set_size(inode, 0);
	if (ret) {
		iput(inode);
		return ret;
	}
	*out = inode;
	return 0;
}

struct file *filp_open(const char *path, int flags, unsigned int mode)
{
	struct inode *inode;
	struct file *f;
	int ret;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return ERR_PTR(-ENOMEM);
	fs_lock_acquire();
	ret = open_inode(path, flags, mode, &inode);
	fs_lock_release();
	if (ret) {
		kfree(f);
		return ERR_PTR(ret);
	}
	__atomic_add_fetch(&nr_files, 1, __ATOMIC_RELAXED);
	f->f_count = 1;
	f->f_flags = (unsigned int)flags & ~(unsigned int)O_CLOEXEC;
	f->f_inode = inode;	/* the lookup's reference becomes the file's */
	f->f_op = inode->i_fop;
	return f;
}

struct file *get_file(struct file *f)
{
	__atomic_add_fetch(&f->f_count, 1, __ATOMIC_RELAXED);
	return f;
}

void fput(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->f_count, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (f->f_op && f->f_op->release)
		f->f_op->release(f);
	fs_lock_acquire();
	iput(f->f_inode);
	fs_lock_release();
	kfree(f);
	__atomic_sub_fetch(&nr_files, 1, __ATOMIC_RELAXED);
}

ssize_t kernel_read(struct file *f, void *buf, size_t count, loff_t *pos)
{
	if (!can_read(f))
		return -EBADF;
	if (S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	if (!f->f_op || !f->f_op->read)
		return -EINVAL;
	if (*pos < 0)
		return -EINVAL;
	return f->f_op->read(f, buf, count, pos);
}

ssize_t kernel_write(struct file *f, const void *buf, size_t count, loff_t *pos)
{
	if (!can_write(f))
		return -EBADF;
	if (!f->f_op || !f->f_op->write)
		return -EINVAL;
	if (*pos < 0)
		return -EINVAL;
	return f->f_op->write(f, buf, count, pos);
}

loff_t vfs_llseek(struct file *f, loff_t offset, int whence)
{
	loff_t base;

	if (f->f_op && f->f_op->stream)
		return -ESPIPE;
	if (f->f_op && f->f_op->llseek)
		return f->f_op->llseek(f, offset, whence);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->f_pos;
		break;
	case SEEK_END:
		fs_lock_acquire();
		base = f->f_inode->i_size;
		fs_lock_release();
		break;
	default:
		return -EINVAL;
	}
	if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0)
		return -EINVAL;
	f->f_pos = base + offset;
	return f->f_pos;
}

static void fill_stat(const struct inode *inode, struct stat *st)
{
	*st = (struct stat){
		.st_dev = ROOT_DEV,
		.st_ino = inode->i_ino,
		.st_nlink = inode->i_nlink,
		.st_mode = inode->i_mode,
		.st_uid = inode->i_uid,
		.st_gid = inode->i_gid,
		.st_rdev = inode->i_rdev,
		.st_size = inode->i_size,
		.st_blksize = 4096,
		/* 512-byte units of the whole pages that would hold the data, as Linux's ramfs */
		.st_blocks = (inode->i_size + 4095) / 4096 * 8,
	};
}

int vfs_fstat(struct file *f, struct stat *st)
{
	fs_lock_acquire();
	fill_stat(f->f_inode, st);
	fs_lock_release();
	return 0;
}

static int stat_path(const char *path, unsigned int flags, struct stat *st)
{
	struct inode *inode;
	int ret;

	fs_lock_acquire();
	ret = path_lookup(path, flags, &inode, NULL, NULL);
	if (ret == 0) {
		fill_stat(inode, st);
		iput(inode);
	}
	fs_lock_release();
	return ret;
}

int vfs_stat(const char *path, struct stat *st)
{
	return stat_path(path, LOOKUP_FOLLOW, st);
}

int vfs_lstat(const char *path, struct stat *st)
{
	return stat_path(path, 0, st);
}
