/*
 * The calls that change names: mkdir, mknod (char devices), symlink, unlink, rmdir, and
 * readlink, which reads one. Each looks up the parent directory of the last component
 * (path_lookup with LOOKUP_PARENT) and changes that directory's list under fs_lock.
 * A removed inode lives on while an open file holds it (fs/inode.c). docs/fs.md, "names".
 */
#include <fs/fs.h>
#include <lib/errno.h>
#include <mm/slab.h>

/* Make @inode (one reference, dropped here) the new name @path. */
static int add_name(const char *path, struct inode *inode)
{
	struct inode *dir;
	const char *last;
	size_t len;
	int ret;

	if (!inode)
		return -ENOMEM;
	fs_lock_acquire();
	ret = path_lookup(path, LOOKUP_PARENT, &dir, &last, &len);
	if (ret == 0) {
		if (!len)
			ret = -EEXIST;
		else if (dir->i_op)	/* procfs: its names are made, not added */
			ret = -EACCES;
		else if (last[len] == '/' && !S_ISDIR(inode->i_mode))	/* "name/": a directory */
			ret = ramfs_find(dir, last, len) ? -EEXIST : -ENOENT;
		else
			ret = ramfs_link(dir, last, len, inode);
		iput(dir);
	}
	iput(inode);
	fs_lock_release();
	return ret;
}

int vfs_mkdir(const char *path, unsigned int mode)
{
	struct inode *inode;

	fs_lock_acquire();
	inode = new_inode(S_IFDIR | (mode & S_IALLUGO));
	fs_lock_release();
	return add_name(path, inode);
}

int vfs_mknod_chr(const char *path, unsigned int mode, dev_t dev,
		  const struct file_operations *fop)
{
	return vfs_mknod(path, S_IFCHR | (mode & S_IALLUGO), dev, fop);
}

int vfs_mknod(const char *path, unsigned int mode, dev_t dev, const struct file_operations *fop)
{
	struct inode *inode;

	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		return -EINVAL;
	fs_lock_acquire();
	inode = new_inode((umode_t)(mode & (S_IFMT | S_IALLUGO)));
	if (inode) {
		inode->i_rdev = dev;
		inode->i_fop = fop;
	}
	fs_lock_release();
	return add_name(path, inode);
}

int vfs_symlink(const char *target, const char *path)
{
	size_t n = strnlen(target, PATH_MAX);
	struct inode *inode;
	int ret;

	if (n == 0)
		return -ENOENT;
	if (n == PATH_MAX)
		return -ENAMETOOLONG;
	fs_lock_acquire();
	inode = new_inode(S_IFLNK | 0777);
	ret = inode ? ramfs_set_size(inode, (loff_t)n) : -ENOMEM;
	if (ret == 0)
		memcpy(inode->i_data, target, n);
	else if (inode)
		iput(inode);
	fs_lock_release();
	return ret ? ret : add_name(path, inode);
}

int vfs_readlink(const char *path, char *buf, size_t size)
{
	struct inode *inode;
	int ret;

	fs_lock_acquire();
	ret = path_lookup(path, 0, &inode, NULL, NULL);
	if (ret == 0) {
		if (S_ISLNK(inode->i_mode)) {
			ret = (int)MIN(size, (size_t)inode->i_size);
			memcpy(buf, inode->i_data, (size_t)ret);
		} else {
			ret = -EINVAL;
		}
		iput(inode);
	}
	fs_lock_release();
	return ret;
}

/* Remove the name @path: a directory if @dir, anything else if not. */
static int remove_name(const char *path, bool want_dir)
{
	struct inode *parent;
	struct dentry *d;
	const char *last;
	size_t len;
	int ret;

	fs_lock_acquire();
	ret = path_lookup(path, LOOKUP_PARENT, &parent, &last, &len);
	if (ret)
		goto out;
	if (!len) {		/* "/", "." or "..": never removable */
		ret = !want_dir ? -EISDIR : last[0] != '.' ? -EBUSY :
		      last[1] == '.' ? -ENOTEMPTY : -EINVAL;	/* as Linux's rmdir */
	} else if (!S_ISDIR(parent->i_mode)) {
		ret = -ENOTDIR;
	} else if (!(d = ramfs_find(parent, last, len))) {
		ret = -ENOENT;
	} else if (S_ISDIR(d->d_inode->i_mode) != want_dir) {
		ret = want_dir ? -ENOTDIR : -EISDIR;
	} else if (last[len] == '/' && !want_dir) {
		ret = -ENOTDIR;	/* "file/": unlink would remove a non-directory */
	} else {
		ret = ramfs_unlink(parent, last, len);
	}
	iput(parent);
out:
	fs_lock_release();
	return ret;
}

int vfs_unlink(const char *path)
{
	return remove_name(path, false);
}

int vfs_rmdir(const char *path)
{
	return remove_name(path, true);
}
