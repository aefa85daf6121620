/*
 * getdents64: a directory's entries as struct linux_dirent64 records, "." and ".." first.
 * The file position is a cookie, not an index: "." is 0, ".." is 1, and every entry has the
 * cookie its directory gave it when it was made (increasing, never reused), so removing
 * entries between two calls neither repeats nor skips the others. After an entry the
 * position is its cookie + 1, which is also the record's d_off. docs/fs.md, "directories".
 */
#include <fs/fs.h>
#include <lib/errno.h>

static uint8_t dirent_type(umode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return DT_REG;
	case S_IFDIR: return DT_DIR;
	case S_IFCHR: return DT_CHR;
	case S_IFLNK: return DT_LNK;
	case S_IFBLK: return DT_BLK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	}
	return DT_UNKNOWN;
}

/* Put one record at @buf + *@used if it fits; false if not. */
static bool emit(void *buf, size_t count, size_t *used, uint64_t ino, uint64_t cookie,
		 umode_t mode, const char *name)
{
	size_t len = strlen(name);
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + len + 1, 8);
	struct linux_dirent64 *d = (void *)((char *)buf + *used);

	if (reclen > count - *used)
		return false;
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = (int64_t)cookie + 1;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = dirent_type(mode);
	memcpy(d->d_name, name, len);
	*used += reclen;
	return true;
}

struct fill_ctx {
	struct file *f;
	void *buf;
	size_t count, used;
	bool full;
};

/* A dynamic entry (procfs) into the buffer; false when it no longer fits. */
static bool fill_dynamic(void *ctx, uint64_t ino, uint64_t cookie, umode_t mode,
			 const char *name)
{
	struct fill_ctx *c = ctx;

	if (!emit(c->buf, c->count, &c->used, ino, cookie, mode, name)) {
		c->full = true;
		return false;
	}
	c->f->f_pos = (loff_t)cookie + 1;
	return true;
}

int vfs_getdents64(struct file *f, void *buf, size_t count)
{
	struct inode *dir = f->f_inode, *parent;
	struct dentry *d;
	size_t used = 0;
	bool full = false;

	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	fs_lock_acquire();
	parent = dir->i_parent ? dir->i_parent : dir;
	if (f->f_pos == 0) {
		full = !emit(buf, count, &used, dir->i_ino, 0, S_IFDIR, ".");
		if (!full)
			f->f_pos = 1;
	}
	if (!full && f->f_pos == 1) {
		full = !emit(buf, count, &used, parent->i_ino, 1, S_IFDIR, "..");
		if (!full)
			f->f_pos = 2;
	}
	if (!full) {
		list_for_each_entry(d, &dir->i_dentries, d_child) {
			if (d->d_cookie < (uint64_t)f->f_pos)
				continue;
			if (!emit(buf, count, &used, d->d_inode->i_ino, d->d_cookie,
				  d->d_inode->i_mode, d->d_name)) {
				full = true;
				break;
			}
			f->f_pos = (loff_t)d->d_cookie + 1;
		}
	}
	if (!full && dir->i_op && dir->i_op->readdir) {
		struct fill_ctx c = { f, buf, count, used, false };

		dir->i_op->readdir(dir, MAX((uint64_t)f->f_pos, DIR_COOKIE_DYNAMIC), fill_dynamic,
				   &c);
		used = c.used;
		full = c.full;
	}
	fs_lock_release();
	if (used == 0 && full)
		return -EINVAL;	/* something is left, and not even one record fit */
	return (int)used;
}
