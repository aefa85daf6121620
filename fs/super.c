/*
 * The root file system: one ramfs, made at boot by vfs_init() with the directories every
 * system has, /dev (devices, made by fs/initramfs_boot.c) and /tmp (writable by all, sticky,
 * as on Linux). The root is its own parent, so "/.." is "/". There is no mount: the whole
 * tree is this one ramfs. docs/fs.md, "the root".
 */
#include <fs/fs.h>
#include <lib/errno.h>

int vfs_init(void)
{
	int ret;

	if (root_inode)
		return 0;
	fs_lock_acquire();
	root_inode = new_inode(S_IFDIR | 0755);
	if (root_inode) {
		root_inode->i_parent = root_inode;
		root_inode->i_nlink = 2;	/* its "." and its ".." */
		/* The reference new_inode gave is the root's for good: it is never freed. */
	}
	fs_lock_release();
	if (!root_inode)
		return -ENOMEM;
	ret = vfs_mkdir("/dev", 0755);
	if (ret == 0)
		ret = vfs_mkdir("/tmp", 01777);
	return ret;
}
