/*
 * Inodes: allocation, numbering, and the two counts that keep one alive: i_nlink (names in
 * directories, plus the "." of a directory) and i_count (open files and walks holding it).
 * The inode is freed, with its data, when both reach 0: a file unlinked while open stays
 * readable through the open file, as in Unix. Everything here runs under fs_lock, the one
 * mutex of the file system (include/fs/fs.h says what it covers). docs/fs.md, "inodes".
 */
#include <fs/fs.h>
#include <kernel/oops.h>
#include <mm/slab.h>
#include <sched/mutex.h>

static DEFINE_MUTEX(fs_lock);
static unsigned long last_ino;
static unsigned long nr_inodes;	/* allocated and not yet freed, under fs_lock */
struct inode *root_inode;

void fs_lock_acquire(void)
{
	mutex_lock(&fs_lock);
}

void fs_lock_release(void)
{
	mutex_unlock(&fs_lock);
}

/* A new inode with no name and one reference (the caller's). */
struct inode *new_inode(umode_t mode)
{
	struct inode *inode = kzalloc(sizeof(*inode), GFP_KERNEL);

	if (!inode)
		return NULL;
	nr_inodes++;
	inode->i_ino = ++last_ino;
	inode->i_mode = mode;
	inode->i_count = 1;
	INIT_LIST_HEAD(&inode->i_dentries);
	inode->i_next_cookie = 2;	/* 0 and 1 are "." and ".." */
	if (S_ISREG(mode) || S_ISLNK(mode))
		inode->i_fop = &ramfs_file_ops;
	return inode;
}

void iget(struct inode *inode)
{
	inode->i_count++;
}

static void free_inode(struct inode *inode)
{
	if (inode->i_data_owned)
		kfree(inode->i_data);
	kfree(inode);
	nr_inodes--;
}

unsigned long get_nr_inodes(void)
{
	unsigned long n;

	fs_lock_acquire();
	n = nr_inodes;
	fs_lock_release();
	return n;
}

void iput(struct inode *inode)
{
	if (!inode)
		return;
	BUG_ON(inode->i_count == 0);
	if (--inode->i_count == 0 && inode->i_nlink == 0)
		free_inode(inode);
}

/* A name of @inode went away (unlink, rmdir). */
void inode_drop_link(struct inode *inode)
{
	BUG_ON(inode->i_nlink == 0);
	if (--inode->i_nlink == 0 && inode->i_count == 0)
		free_inode(inode);
}
