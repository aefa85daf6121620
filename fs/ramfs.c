/*
 * ramfs: the file system that keeps everything in kernel memory. A directory is a list of
 * struct dentry (name -> inode) in creation order; a regular file or a symlink is one buffer
 * of bytes, i_size long. Files unpacked from the initramfs borrow their bytes from the archive
 * (i_data_owned false) and get a kmalloc'd copy on their first write or truncate, so reading
 * a program costs no copy. Limits: a written file grows to KMALLOC_MAX_SIZE (4 MiB, -EFBIG
 * past it); lookups are linear in the directory's size. All of it runs under fs_lock.
 * docs/fs.md, "ramfs".
 */
#include <fs/fs.h>
#include <lib/errno.h>
#include <mm/slab.h>
#include <sched/mutex.h>

struct dentry *ramfs_find(struct inode *dir, const char *name, size_t len)
{
	struct dentry *d;

	list_for_each_entry(d, &dir->i_dentries, d_child)
		if (strlen(d->d_name) == len && memcmp(d->d_name, name, len) == 0)
			return d;
	return NULL;
}

/* Give @inode the name @name in @dir: one more link; a directory's ".." links @dir. */
int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	struct dentry *d;

	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	if (len == 0)
		return -ENOENT;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (ramfs_find(dir, name, len))
		return -EEXIST;
	d = kmalloc(sizeof(*d) + len + 1, GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	memcpy(d->d_name, name, len);
	d->d_name[len] = '\0';
	d->d_inode = inode;
	d->d_cookie = dir->i_next_cookie++;
	list_add_tail(&d->d_child, &dir->i_dentries);
	inode->i_nlink++;
	if (S_ISDIR(inode->i_mode)) {
		inode->i_parent = dir;
		inode->i_nlink++;	/* its own "." */
		dir->i_nlink++;		/* its ".." */
	}
	return 0;
}

/* Remove the name; a directory must be empty. Frees the inode if nothing else holds it. */
int ramfs_unlink(struct inode *dir, const char *name, size_t len)
{
	struct dentry *d = ramfs_find(dir, name, len);
	struct inode *inode;

	if (!d)
		return -ENOENT;
	inode = d->d_inode;
	if (S_ISDIR(inode->i_mode)) {
		if (!list_empty(&inode->i_dentries))
			return -ENOTEMPTY;
		inode_drop_link(dir);		/* its ".." */
		inode->i_nlink--;		/* its "." */
		inode->i_parent = inode;	/* an open handle's ".." stays valid: itself */
	}
	list_del(&d->d_child);
	kfree(d);
	inode_drop_link(inode);
	return 0;
}

/* Make the data ours and at least @need bytes big (bytes past i_size are zero). */
static int ramfs_own_data(struct inode *inode, size_t need)
{
	size_t cap;
	char *p;

	if (inode->i_data_owned && need <= inode->i_capacity)
		return 0;
	if (need > KMALLOC_MAX_SIZE)
		return -EFBIG;
	cap = MAX(need, (size_t)64);
	if (cap < KMALLOC_MAX_SIZE / 2 && cap < 2 * inode->i_capacity)
		cap = 2 * inode->i_capacity;	/* amortised growth for appends */
	p = kzalloc(cap, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	if (inode->i_size)
		memcpy(p, inode->i_data, (size_t)inode->i_size);
	if (inode->i_data_owned)
		kfree(inode->i_data);
	inode->i_data = p;
	inode->i_capacity = cap;
	inode->i_data_owned = true;
	return 0;
}

int ramfs_set_size(struct inode *inode, loff_t size)
{
	int ret;

	if (size < 0)
		return -EINVAL;
	if (size == inode->i_size)
		return 0;
	if (size < inode->i_size && !inode->i_data_owned && size == 0) {
		inode->i_data = NULL;	/* drop the borrowed bytes, nothing to copy */
		inode->i_size = 0;
		return 0;
	}
	ret = ramfs_own_data(inode, (size_t)MAX(size, inode->i_size));
	if (ret)
		return ret;
	if (size < inode->i_size)
		memset(inode->i_data + size, 0, (size_t)(inode->i_size - size));
	inode->i_size = size;
	return 0;
}

ssize_t ramfs_file_read(struct file *f, void *buf, size_t count, loff_t *pos)
{
	struct inode *inode = f->f_inode;
	size_t n = 0;

	fs_lock_acquire();
	if (*pos < inode->i_size) {
		n = MIN(count, (size_t)(inode->i_size - *pos));
		memcpy(buf, inode->i_data + *pos, n);
		*pos += (loff_t)n;
	}
	fs_lock_release();
	return (ssize_t)n;
}

ssize_t ramfs_file_write(struct file *f, const void *buf, size_t count, loff_t *pos)
{
	struct inode *inode = f->f_inode;
	loff_t start;
	int ret;

	if (count == 0)
		return 0;
	fs_lock_acquire();
	start = (f->f_flags & O_APPEND) ? inode->i_size : *pos;
	if (count > (size_t)KMALLOC_MAX_SIZE || start > (loff_t)KMALLOC_MAX_SIZE - (loff_t)count) {
		fs_lock_release();
		return -EFBIG;
	}
	ret = ramfs_own_data(inode, (size_t)MAX(start + (loff_t)count, inode->i_size));
	if (ret) {
		fs_lock_release();
		return ret;
	}
	memcpy(inode->i_data + start, buf, count);
	inode->i_size = MAX(inode->i_size, start + (loff_t)count);
	*pos = start + (loff_t)count;
	fs_lock_release();
	return (ssize_t)count;
}

const struct file_operations ramfs_file_ops = {
	.read = ramfs_file_read,
	.write = ramfs_file_write,
};
