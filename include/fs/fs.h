/*
 * The virtual file system: inodes, directory entries, open files and file-descriptor tables,
 * over one in-memory file system (ramfs) that holds the whole tree. docs/fs.md explains the
 * objects and how they refer to each other.
 *
 * Every function returns a negative Linux errno on failure (include/lib/errno.h); those that
 * return a pointer return ERR_PTR(-errno) (include/lib/err.h). Paths are kernel strings,
 * absolute ("/etc/motd"); a relative path is taken from "/": the working directory is a
 * name the syscall layer joins in front (fs/sys_open.c: get_path, fs/path.c). Buffers are
 * kernel buffers: the syscall layer copies from and to user space itself.
 *
 * Locking: one mutex (fs_lock, fs/inode.c) serialises every change and walk of the tree and
 * every access to a ramfs file's data; it may sleep, so none of this may be called from an
 * interrupt handler or with a spinlock held. A file-descriptor table has its own spinlock,
 * and a struct file's count is atomic, so fd_get/fput may be used from any task. The console's
 * read sleeps without holding fs_lock.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <kernel/compiler.h>
#include <kernel/spinlock.h>
#include <lib/err.h>
#include <lib/list.h>
#include <lib/string.h>
#include <uapi/linux/dirent.h>
#include <uapi/linux/fcntl.h>
#include <uapi/linux/stat.h>

typedef long loff_t;		/* the host's type too (glibc), so both may be seen */
typedef unsigned int umode_t;
typedef unsigned long dev_t;

struct file;
struct inode;

/* What a char device (or a ramfs file) does on read, write and seek. NULL: not supported. */
struct file_operations {
	ssize_t (*read)(struct file *f, void *buf, size_t count, loff_t *pos);
	ssize_t (*write)(struct file *f, const void *buf, size_t count, loff_t *pos);
	loff_t (*llseek)(struct file *f, loff_t offset, int whence);
	void (*release)(struct file *f);	/* the last fput of an open file (a pipe end) */
	bool stream;	/* no position (a pipe, a terminal): lseek, pread, pwrite are -ESPIPE */
	int (*fsync)(struct file *f);	/* what is written reaches the device; NULL: nothing to do */
};

/*
 * A directory whose entries are not all kept in it (procfs): names it does not hold are
 * asked of lookup, and readdir adds its own after the kept ones. NULL: nothing more.
 */
typedef bool (*filldir_t)(void *ctx, uint64_t ino, uint64_t cookie, umode_t mode,
			  const char *name);
struct inode_operations {
	/* The inode for @name (@len bytes) in @dir, referenced, or an ERR_PTR (-ENOENT). */
	struct inode *(*lookup)(struct inode *dir, const char *name, size_t len);
	/*
	 * Entries from cookie @pos on (cookies at least DIR_COOKIE_DYNAMIC, increasing), each
	 * given to @fill until it returns false (the buffer is full): then stop.
	 */
	void (*readdir)(struct inode *dir, uint64_t pos, filldir_t fill, void *ctx);
};
#define DIR_COOKIE_DYNAMIC	(1ull << 32)	/* above every kept entry's cookie */

/*
 * An inode: one file, directory or device, however many names it has. It lives while it
 * has a name (i_nlink > 0) or an open file refers to it (i_count > 0); fs/inode.c frees it
 * when both are 0. Times are all 0 (there is no wall clock yet): the epoch.
 */
struct inode {
	unsigned long i_ino;
	umode_t i_mode;			/* S_IFREG | 0644 ... */
	unsigned int i_uid, i_gid;
	unsigned int i_nlink;		/* names, plus "." and the subdirectories' ".." */
	unsigned int i_count;		/* open files (and lookups in progress), under fs_lock */
	loff_t i_size;			/* bytes */
	dev_t i_rdev;			/* a char or block device's number */
	const struct file_operations *i_fop;
	const struct inode_operations *i_op;	/* a directory's dynamic entries, or NULL */
	void *i_private;			/* the file system's own (procfs: what the file shows) */

	/* Directory: its entries (struct dentry.d_child) in creation order, and its parent. */
	struct list_head i_dentries;
	struct inode *i_parent;		/* the root's is itself */
	uint64_t i_next_cookie;		/* the d_off of the next entry added (2 and up) */

	/* Regular file or symlink: the bytes, borrowed (from the initramfs) until written. */
	char *i_data;
	size_t i_capacity;		/* bytes allocated, when i_data_owned */
	bool i_data_owned;		/* i_data is ours to kfree (else it points into the archive) */
};

/* A name in a directory. The directory owns it; it holds one of the inode's i_nlink. */
struct dentry {
	struct list_head d_child;	/* in the parent's i_dentries */
	struct inode *d_inode;
	uint64_t d_cookie;		/* getdents64's d_off: larger than every earlier entry's */
	char d_name[];			/* NUL-terminated, no '/' */
};

/* An open file: shared by every fd that dup, dup2 or fork made from the same open. */
struct file {
	unsigned int f_count;		/* atomic */
	unsigned int f_flags;		/* the open flags, O_CLOEXEC removed */
	loff_t f_pos;			/* the syscall layer's position; kernel_read takes a pointer */
	struct inode *f_inode;
	const struct file_operations *f_op;
	void *private_data;		/* the file system's own: a pipe's ring */
};

#define NAME_MAX	255
#define PATH_MAX	4096
#define MAX_SYMLINKS	8		/* followed in one lookup, as Linux's 40 but smaller */

/* ---- files (fs/file.c) */
struct file *filp_open(const char *path, int flags, unsigned int mode);
ssize_t kernel_read(struct file *f, void *buf, size_t count, loff_t *pos);
ssize_t kernel_write(struct file *f, const void *buf, size_t count, loff_t *pos);
loff_t vfs_llseek(struct file *f, loff_t offset, int whence);
int vfs_fstat(struct file *f, struct stat *st);
int vfs_stat(const char *path, struct stat *st);	/* follows a final symlink */
int vfs_lstat(const char *path, struct stat *st);	/* does not */
int vfs_getdents64(struct file *f, void *buf, size_t count);
struct file *get_file(struct file *f);
void fput(struct file *f);
/* Objects alive now, as Linux's /proc/sys/fs/file-nr and inode-nr: tests check for leaks. */
unsigned long get_nr_files(void);
unsigned long get_nr_inodes(void);
int vfs_unlink(const char *path);
int vfs_mkdir(const char *path, unsigned int mode);
int vfs_rmdir(const char *path);
int vfs_symlink(const char *target, const char *path);
/* Read a symlink's target into @buf (not NUL-terminated, as readlink(2)); returns bytes. */
int vfs_readlink(const char *path, char *buf, size_t size);
/* A char device at @path (the directories must exist), as mknod(path, S_IFCHR | mode, dev). */
/* A char or block device (S_IFCHR or S_IFBLK in @mode): -EINVAL for another type. */
int vfs_mknod(const char *path, unsigned int mode, dev_t dev, const struct file_operations *fop);
int vfs_mknod_chr(const char *path, unsigned int mode, dev_t dev,
		  const struct file_operations *fop);

/* ---- file-descriptor tables (fs/fdtable.c) */
#define NR_OPEN_MAX	64

struct files_struct {
	unsigned int count;		/* tasks sharing the table; atomic */
	spinlock_t lock;		/* guards fd[] and cloexec */
	struct file *fd[NR_OPEN_MAX];
	uint64_t cloexec;		/* bit n: fd n closes on exec */
};

struct files_struct *files_alloc(void);
struct files_struct *dup_files(struct files_struct *files);	/* fork: a copy, files shared */
void put_files(struct files_struct *files);
int fd_alloc_install(struct files_struct *files, struct file *f, unsigned int flags);
struct file *fd_get(struct files_struct *files, int fd);
int fd_close(struct files_struct *files, int fd);
int fd_dup2(struct files_struct *files, int oldfd, int newfd);
int fd_dup(struct files_struct *files, int oldfd);	/* lowest free fd, as dup(2) */
/* fcntl(F_DUPFD): the lowest free fd >= @minfd (-EINVAL outside the table), not cloexec. */
int fd_dup_min(struct files_struct *files, int oldfd, int minfd);
int fd_set_cloexec(struct files_struct *files, int fd, bool on);
int fd_get_cloexec(struct files_struct *files, int fd);	/* 1, 0 or -EBADF */
void files_close_on_exec(struct files_struct *files);

/* ---- the tree (fs/ramfs.c, fs/namei.c, fs/inode.c); callers hold fs_lock */
extern struct inode *root_inode;

void fs_lock_acquire(void);
void fs_lock_release(void);

struct inode *new_inode(umode_t mode);
void iget(struct inode *inode);
void iput(struct inode *inode);		/* frees it when no name and no reference is left */
void inode_drop_link(struct inode *inode);

struct dentry *ramfs_find(struct inode *dir, const char *name, size_t len);
int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *inode);
int ramfs_unlink(struct inode *dir, const char *name, size_t len);
int ramfs_set_size(struct inode *inode, loff_t size);
ssize_t ramfs_file_read(struct file *f, void *buf, size_t count, loff_t *pos);
ssize_t ramfs_file_write(struct file *f, const void *buf, size_t count, loff_t *pos);
extern const struct file_operations ramfs_file_ops;

/*
 * Path walk. On success *@out is the inode @path names, with a reference (iput it).
 * With LOOKUP_PARENT, *@out is the parent directory and @last/@last_len the final name
 * (which need not exist; "" for "/", "." and ".." which cannot be created or removed).
 * @last points into @path: last[last_len] is '/' when the name had a trailing slash
 * ("dir/"), which asks for a directory; the callers refuse to make or remove anything else.
 */
#define LOOKUP_FOLLOW	1	/* follow a symlink in the last component */
#define LOOKUP_PARENT	2
int path_lookup(const char *path, unsigned int flags, struct inode **out, const char **last,
		size_t *last_len);

/* ---- path names as strings: the working directory (fs/path.c) */
/*
 * @buf (PATH_MAX bytes) holds a path of @len bytes; a relative one becomes "@cwd/path" in
 * place. 0, or -ENAMETOOLONG if that does not fit.
 */
int path_join_cwd(char *buf, size_t len, const char *cwd);
/* @path (absolute) without "//", "." and "..": a new string (kfree it), or NULL. */
char *path_normalize(const char *path);

/* ---- the root file system and its contents (fs/super.c, fs/initramfs.c) */
/* An empty root with /dev and /tmp (idempotent), before any file is opened. */
int vfs_init(void);
/*
 * Unpack a newc archive into the root. File data is not copied: the files point into
 * @buf until they are first written, so @buf must stay (the boot module stays reserved).
 * Returns 0 or -errno; on a malformed archive, *@bad_offset (if not NULL) and *@why say
 * where and why, and what came before stays unpacked.
 */
struct initramfs_stats {
	unsigned int files, dirs, symlinks, others;
	unsigned int failed;		/* entries that could not be created: logged, skipped */
	size_t bytes;
};
int unpack_initramfs(const void *buf, size_t len, struct initramfs_stats *stats,
		     size_t *bad_offset, const char **why);

/* The boot's call (fs/initramfs_boot.c): vfs_init, /dev's devices, the module unpacked. */
void initramfs_boot(void);

/* ---- devices (fs/devices.c, fs/console.c) */
int devices_init(void);		/* /dev/null, /dev/zero, /dev/console (fs/initramfs_boot.c) */
extern const struct file_operations console_fops, null_fops, zero_fops;

#endif
