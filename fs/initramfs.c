/*
 * Unpacking an initramfs: each entry of a newc archive (parsed by fs/cpio.c) becomes a
 * directory, regular file or symlink in the root ramfs, with the archive's mode, uid and
 * gid. Names are taken from the root whether or not they start with "/" or "./"; the entry
 * "." (the root itself) only sets the root's mode. A regular file's bytes are not copied:
 * its inode points into the archive until it is written (fs/ramfs.c), so the archive must
 * stay in memory. A name that exists is replaced, as Linux does, except that an existing
 * directory is kept (a directory entry over it only sets its mode; a file or symlink over it
 * is refused). An entry that cannot be created (that clash, a missing parent directory, no
 * memory) is reported by name and skipped, and the rest is unpacked: only a malformed
 * archive stops the unpacking. Limits: hard links (nlink > 1) become separate copies when
 * the archive carries the bytes with each name (scripts/mkcpio does; GNU cpio stores them
 * with the last name only, so the others come out empty), device nodes, FIFOs and sockets
 * are skipped (counted as "others"); the devices under /dev are the kernel's own.
 * Pure code: unit-tested on the host. docs/fs.md, "the initramfs".
 */
#include <fs/cpio.h>
#include <fs/fs.h>
#include <lib/errno.h>
#include <kernel/printk.h>
#include <lib/printf.h>
#include <mm/slab.h>

/* The archive's name as a path from the root: "./etc/motd" and "/etc/motd" are "etc/motd". */
static const char *strip_name(const char *name)
{
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			return name;
	}
}

/* Put @e's regular file at @path (under fs_lock): a new inode borrowing the archive's bytes. */
static int add_file(const char *path, const struct cpio_entry *e)
{
	struct inode *dir, *inode;
	struct dentry *d;
	const char *last;
	size_t len;
	int ret;

	ret = path_lookup(path, LOOKUP_PARENT, &dir, &last, &len);
	if (ret)
		return ret;
	d = len ? ramfs_find(dir, last, len) : NULL;
	if (d && S_ISDIR(d->d_inode->i_mode))
		ret = -EISDIR;
	else if (d)
		ret = ramfs_unlink(dir, last, len);
	else if (!len)
		ret = -EISDIR;
	inode = ret ? NULL : new_inode(S_IFREG | (e->mode & S_IALLUGO));
	if (!ret && !inode)
		ret = -ENOMEM;
	if (!ret) {
		inode->i_uid = e->uid;
		inode->i_gid = e->gid;
		inode->i_data = (char *)e->data;	/* borrowed: copied on the first write */
		inode->i_size = (loff_t)e->size;
		ret = ramfs_link(dir, last, len, inode);
		iput(inode);
	}
	iput(dir);
	return ret;
}

/* Set the owner and mode of the directory or symlink just made at @path. */
static void set_attrs(const char *path, const struct cpio_entry *e)
{
	struct inode *inode;

	fs_lock_acquire();
	if (path_lookup(path, 0, &inode, NULL, NULL) == 0) {
		inode->i_mode = (inode->i_mode & S_IFMT) | (e->mode & S_IALLUGO);
		inode->i_uid = e->uid;
		inode->i_gid = e->gid;
		iput(inode);
	}
	fs_lock_release();
}

/* @path and @target: PATH_MAX bytes of scratch each (too big for the kernel stack). */
static int add_entry(const struct cpio_entry *e, struct initramfs_stats *st, char *path,
		     char *target)
{
	const char *name = strip_name(e->name);
	int ret;

	if (*name == '\0' || strcmp(name, ".") == 0) {
		set_attrs("/", e);
		return 0;
	}
	if (snprintf(path, PATH_MAX, "/%s", name) >= PATH_MAX)
		return -ENAMETOOLONG;
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		ret = vfs_mkdir(path, e->mode);
		if (ret == -EEXIST) {
			struct stat sb;

			ret = vfs_lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -EEXIST;
		}
		if (ret == 0) {
			set_attrs(path, e);
			st->dirs++;
		}
		return ret;
	case S_IFREG:
		fs_lock_acquire();
		ret = add_file(path, e);
		fs_lock_release();
		if (ret == 0) {
			st->files++;
			st->bytes += e->size;
		}
		return ret;
	case S_IFLNK:
		if (e->size == 0 || e->size >= PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(target, e->data, e->size);
		target[e->size] = '\0';
		vfs_unlink(path);	/* replace a file of that name, if any */
		ret = vfs_symlink(target, path);
		if (ret == 0) {
			set_attrs(path, e);
			st->symlinks++;
		}
		return ret;
	default:
		st->others++;
		return 0;
	}
}

int unpack_initramfs(const void *buf, size_t len, struct initramfs_stats *stats,
		     size_t *bad_offset, const char **why)
{
	struct initramfs_stats dummy;
	struct cpio_reader r;
	struct cpio_entry e;
	char *scratch;
	int ret;

	if (!stats)
		stats = &dummy;
	*stats = (struct initramfs_stats){ 0 };
	ret = vfs_init();
	if (ret)
		return ret;
	scratch = kmalloc(2 * PATH_MAX, GFP_KERNEL);
	if (!scratch)
		return -ENOMEM;
	cpio_reader_init(&r, buf, len);
	while ((ret = cpio_next(&r, &e)) > 0) {
		ret = add_entry(&e, stats, scratch, scratch + PATH_MAX);
		if (ret) {
			pr_warn("initramfs: %s (at offset %zu) not created: error %d, skipped\n",
				e.name, e.offset, -ret);
			stats->failed++;
		}
	}
	kfree(scratch);
	if (ret < 0) {
		if (bad_offset)
			*bad_offset = r.error_offset;
		if (why)
			*why = r.error;
	}
	return ret;
}
