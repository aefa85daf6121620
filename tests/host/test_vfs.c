/*
 * Host tests of the VFS and ramfs (fs/), on the hosted slab allocator (a fake machine per
 * test, as test_slab.c boots it): an archive unpacked reads back byte for byte; path lookup
 * with ".", "..", repeated and trailing slashes and symlinks; the errors open, read, write,
 * unlink and mkdir give (ENOENT, ENOTDIR, EISDIR, EEXIST, EBADF, EMFILE, ENOTEMPTY, ELOOP);
 * getdents64's records, small buffers and entries removed between calls; fd tables (dup2,
 * fork's copy, close-on-exec, an unlinked file open through an fd); a directory with
 * inode_operations (procfs's kind: made-up names and entries); and a random sequence of
 * file operations in /tmp checked against a model of the files' contents after every step.
 * Every object the file system allocated must be freed at the end: the inodes and open files
 * alive (get_nr_inodes, get_nr_files) and the objects in the kmalloc caches are counted
 * before and after.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <fs/cpio.h>
#include <fs/fs.h>
#include <lib/errno.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#include "cpio_build.h"
#include "printk_stub.h"
#include "rng.h"

void slab_machine_boot(const char *slub_debug);
void slab_machine_teardown(void);

static struct cpio_build arch;
static unsigned long objects_at_start, inodes_at_start, free_pages_at_start;

static const char *const kmalloc_names[] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
	"kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
};
#define NR_KMALLOC (sizeof(kmalloc_names) / sizeof(kmalloc_names[0]))

/* Objects in use in every kmalloc cache: what the file system holds. */
static unsigned long kmalloc_objects(void)
{
	unsigned long n = 0;

	for (size_t i = 0; i < NR_KMALLOC; i++) {
		struct slabinfo si;

		kmem_cache_get_info(kmem_cache_find(kmalloc_names[i]), &si);
		n += si.active_objs;
	}
	return n;
}

/*
 * Free pages in the buddy allocator once the kmalloc caches gave their empty slabs back:
 * a file bigger than the largest cache (8 KiB) takes whole pages (kmalloc_large), which
 * the object count above does not see.
 */
static unsigned long free_pages_after_shrink(void)
{
	for (size_t i = 0; i < NR_KMALLOC; i++)
		kmem_cache_shrink(kmem_cache_find(kmalloc_names[i]));
	return nr_free_pages();
}

static void boot(void)
{
	slab_machine_boot(NULL);
	root_inode = NULL;	/* the last test's tree went with its machine */
	cr_assert_eq(vfs_init(), 0);
	memset(&arch, 0, sizeof(arch));
}

static void teardown(void)
{
	slab_machine_teardown();
}

TestSuite(vfs, .init = boot, .fini = teardown);

static const char motd[] = "Welcome to teachos.\n";

static void unpack_sample(void)
{
	static char big[5000];
	size_t bad = 0;
	const char *why = NULL;
	struct initramfs_stats st;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	cpio_add(&arch, ".", 040755, NULL, 0);
	cpio_add(&arch, "bin", 040755, NULL, 0);
	cpio_add(&arch, "bin/big", 0100755, big, sizeof(big));
	cpio_add(&arch, "etc", 040755, NULL, 0);
	cpio_add(&arch, "etc/empty", 0100600, NULL, 0);
	cpio_add(&arch, "etc/hostname", 0100644, "teachos\n", 8);
	cpio_add(&arch, "./etc/motd", 0100644, motd, strlen(motd));
	cpio_add(&arch, "etc/issue", 0120777, "motd", 4);
	cpio_add(&arch, "etc/abs", 0120777, "/etc/hostname", 13);
	cpio_add(&arch, "etc/sub", 040700, NULL, 0);
	cpio_add(&arch, "loop1", 0120777, "loop2", 5);
	cpio_add(&arch, "loop2", 0120777, "loop1", 5);
	cpio_add(&arch, "dev/sda", 060644, NULL, 0);	/* a block device: skipped */
	cpio_finish(&arch);
	cr_assert_eq(unpack_initramfs(arch.buf, arch.len, &st, &bad, &why), 0, "%s", why);
	cr_assert_eq(st.files, 4);
	cr_assert_eq(st.dirs, 3);
	cr_assert_eq(st.symlinks, 4);
	cr_assert_eq(st.others, 1);
	cr_assert_eq(st.bytes, sizeof(big) + 8 + strlen(motd));
	objects_at_start = kmalloc_objects();
	free_pages_at_start = free_pages_after_shrink();
	inodes_at_start = get_nr_inodes();
	/* "/", /dev, /tmp, 3 directories, 4 files, 4 symlinks; no file open. */
	cr_assert_eq(inodes_at_start, 3 + 3 + 4 + 4);
	cr_assert_eq(get_nr_files(), 0);
}

/* Nothing the test made is left: the tree is as unpacked, and no file is open. */
static void expect_no_leak(const char *what)
{
	cr_assert_eq(get_nr_files(), 0, "%s: %lu files still open", what, get_nr_files());
	cr_assert_eq(get_nr_inodes(), inodes_at_start, "%s: %lu inodes, %lu at the start", what,
		     get_nr_inodes(), inodes_at_start);
	cr_assert_eq(kmalloc_objects(), objects_at_start, "%s: kmalloc objects", what);
	cr_assert_eq(free_pages_after_shrink(), free_pages_at_start, "%s: free pages", what);
}

/* The inode at @path, without keeping a reference (the tree holds it). */
static struct inode *inode_at(const char *path)
{
	struct inode *inode = NULL;

	fs_lock_acquire();
	cr_assert_eq(path_lookup(path, 0, &inode, NULL, NULL), 0, "%s", path);
	iput(inode);
	fs_lock_release();
	return inode;
}

/* Read the whole file at @path into a malloc'd buffer; returns its length or -errno. */
static long slurp(const char *path, char **out)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	char *buf = malloc(65536);
	loff_t pos = 0;
	ssize_t n;
	long len = 0;

	if (IS_ERR(f)) {
		free(buf);
		return PTR_ERR(f);
	}
	while ((n = kernel_read(f, buf + len, 7, &pos)) > 0)	/* odd chunks on purpose */
		len += n;
	fput(f);
	cr_assert_eq(n, 0);
	*out = buf;
	return len;
}

static void expect_contents(const char *path, const void *want, size_t len)
{
	char *got = NULL;
	long n = slurp(path, &got);

	cr_assert_eq(n, (long)len, "%s: %ld bytes, expected %zu", path, n, len);
	cr_assert_eq(memcmp(got, want, len), 0, "%s: contents differ", path);
	free(got);
}

static long open_err(const char *path, int flags)
{
	struct file *f = filp_open(path, flags, 0644);

	if (IS_ERR(f))
		return PTR_ERR(f);
	fput(f);
	return 0;
}

Test(vfs, unpacked_files_read_back_exactly)
{
	struct stat st;

	unpack_sample();
	expect_contents("/etc/motd", motd, strlen(motd));
	expect_contents("/etc/empty", "", 0);
	cr_assert_eq(vfs_stat("/etc/motd", &st), 0);
	cr_assert_eq(st.st_mode, S_IFREG | 0644);
	cr_assert_eq(st.st_size, (int64_t)strlen(motd));
	cr_assert_eq(st.st_nlink, 1);
	cr_assert_eq(st.st_blocks, 8);
	cr_assert_eq(vfs_stat("/bin/big", &st), 0);
	cr_assert_eq(st.st_size, 5000);
	cr_assert_eq(st.st_blocks, 16);
	cr_assert_eq(vfs_stat("/etc", &st), 0);
	cr_assert_eq(st.st_mode, S_IFDIR | 0755);
	cr_assert_eq(st.st_nlink, 3, "., its name, and sub's ..");
	cr_assert_eq(vfs_stat("/etc/sub", &st), 0);
	cr_assert_eq(st.st_mode, S_IFDIR | 0700);
	cr_assert_eq(vfs_stat("/dev/sda", &st), -ENOENT);
	/* The data is the archive's own bytes until written: a pointer into it, not a copy. */
	struct inode *m = inode_at("/etc/motd");

	cr_assert(!m->i_data_owned);
	cr_assert(m->i_data >= (char *)arch.buf &&
		  m->i_data + m->i_size <= (char *)arch.buf + arch.len);
	cr_assert_eq(memcmp(m->i_data, motd, strlen(motd)), 0);
	expect_no_leak("reading");
}

Test(vfs, path_lookup_rules)
{
	struct stat a, b;

	unpack_sample();
	cr_assert_eq(vfs_stat("/etc/motd", &a), 0);
	const char *same[] = { "//etc///motd", "/etc/./motd", "/etc/../etc/motd", "/../etc/motd",
			       "/etc/sub/../motd", "etc/motd", "/./etc/sub/.././motd",
			       "/etc/issue" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		cr_assert_eq(vfs_stat(same[i], &b), 0, "%s", same[i]);
		cr_assert_eq(b.st_ino, a.st_ino, "%s", same[i]);
	}
	cr_assert_eq(vfs_lstat("/etc/issue", &b), 0);
	cr_assert_eq(b.st_mode, S_IFLNK | 0777);
	cr_assert_eq(b.st_size, 4);
	expect_contents("/etc/abs", "teachos\n", 8);
	cr_assert_eq(vfs_stat("/etc/", &b), 0);
	cr_assert_eq(vfs_stat("/", &a), 0);
	cr_assert_eq(vfs_stat("/..", &b), 0);
	cr_assert_eq(a.st_ino, b.st_ino, "the root's parent is the root");
	cr_assert_eq(vfs_stat("/etc/motd/", &b), -ENOTDIR);
	cr_assert_eq(vfs_stat("/etc/motd/x", &b), -ENOTDIR);
	cr_assert_eq(vfs_stat("/etc/nope", &b), -ENOENT);
	cr_assert_eq(vfs_stat("/nope/motd", &b), -ENOENT);
	cr_assert_eq(vfs_stat("", &b), -ENOENT);
	cr_assert_eq(vfs_stat("/loop1", &b), -ELOOP);
	cr_assert_eq(vfs_lstat("/loop1", &b), 0);
	char name[300];

	memset(name, 'x', sizeof(name));
	name[0] = '/';
	name[299] = '\0';
	cr_assert_eq(vfs_stat(name, &b), -ENAMETOOLONG);
	char buf[16];

	cr_assert_eq(vfs_readlink("/etc/abs", buf, sizeof(buf)), 13);
	cr_assert_eq(memcmp(buf, "/etc/hostname", 13), 0);
	cr_assert_eq(vfs_readlink("/etc/motd", buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(vfs_readlink("/etc/abs", buf, 4), 4, "cut to the buffer, as readlink(2)");
	/* A name of NAME_MAX bytes is only not found; the whole path has a limit too. */
	name[1 + NAME_MAX] = '\0';
	cr_assert_eq(vfs_stat(name, &b), -ENOENT);
	char *longpath = malloc(PATH_MAX + 1);

	for (int i = 0; i < PATH_MAX; i += 2)
		memcpy(longpath + i, "/.", 2);
	longpath[PATH_MAX - 1] = '\0';		/* PATH_MAX - 1 bytes of "/./.": fine */
	cr_assert_eq(vfs_stat(longpath, &b), 0);
	cr_assert_eq(b.st_ino, a.st_ino);
	memcpy(longpath + PATH_MAX - 2, "/.", 3);	/* PATH_MAX bytes with no room for NUL */
	cr_assert_eq(vfs_stat(longpath, &b), -ENAMETOOLONG);
	free(longpath);
	expect_no_leak("lookups");
}

Test(vfs, symlinks_relative_chains_and_eloop)
{
	struct stat st;
	char path[32], target[32];

	unpack_sample();
	/* Relative targets are taken from the link's directory, not from where the walk began. */
	cr_assert_eq(vfs_symlink("../hostname", "/etc/sub/up"), 0);
	expect_contents("/etc/sub/up", "teachos\n", 8);
	cr_assert_eq(vfs_symlink("sub", "/etc/subl"), 0);
	cr_assert_eq(vfs_stat("/etc/subl/up", &st), 0, "a link to a directory mid-path");
	cr_assert_eq(vfs_lstat("/etc/subl/", &st), 0);
	cr_assert(S_ISDIR(st.st_mode), "a trailing slash follows the final link");
	cr_assert_eq(vfs_symlink("/nowhere", "/tmp/dangling"), 0);
	cr_assert_eq(vfs_stat("/tmp/dangling", &st), -ENOENT);
	cr_assert_eq(vfs_lstat("/tmp/dangling", &st), 0);
	cr_assert_eq(vfs_symlink("/etc/motd", "/tmp/file"), 0);
	cr_assert_eq(vfs_stat("/tmp/file/", &st), -ENOTDIR);
	cr_assert_eq(open_err("/tmp/file", O_RDONLY | O_NOFOLLOW), -ELOOP, "O_NOFOLLOW");
	cr_assert_eq(open_err("/tmp/file", O_WRONLY | O_CREAT | O_NOFOLLOW), -ELOOP);
	cr_assert_eq(open_err("/etc/subl/up", O_RDONLY | O_NOFOLLOW), -ELOOP,
		     "a link mid-path is followed, the last one is not");
	cr_assert_eq(open_err("/etc/motd", O_RDONLY | O_NOFOLLOW), 0, "no link: opens");
	/* A chain of MAX_SYMLINKS links resolves; one more is ELOOP. */
	for (int i = 0; i <= MAX_SYMLINKS; i++) {
		snprintf(path, sizeof(path), "/tmp/c%d", i);
		snprintf(target, sizeof(target), i ? "c%d" : "/etc/motd", i - 1);
		cr_assert_eq(vfs_symlink(target, path), 0);
	}
	snprintf(path, sizeof(path), "/tmp/c%d", MAX_SYMLINKS - 1);
	cr_assert_eq(vfs_stat(path, &st), 0, "%d links", MAX_SYMLINKS);
	cr_assert_eq(st.st_size, (int64_t)strlen(motd));
	snprintf(path, sizeof(path), "/tmp/c%d", MAX_SYMLINKS);
	cr_assert_eq(vfs_stat(path, &st), -ELOOP, "%d links", MAX_SYMLINKS + 1);
	cr_assert_eq(open_err(path, O_RDONLY), -ELOOP);
	cr_assert_eq(vfs_symlink("x", "/etc/motd/l"), -ENOTDIR);
	cr_assert_eq(vfs_symlink("x", "/etc/issue"), -EEXIST);
	cr_assert_eq(vfs_symlink("", "/tmp/empty"), -ENOENT);
	for (int i = 0; i <= MAX_SYMLINKS; i++) {
		snprintf(path, sizeof(path), "/tmp/c%d", i);
		cr_assert_eq(vfs_unlink(path), 0);
	}
	cr_assert_eq(vfs_unlink("/tmp/dangling"), 0);
	cr_assert_eq(vfs_unlink("/tmp/file"), 0);
	cr_assert_eq(vfs_unlink("/etc/subl"), 0);
	cr_assert_eq(vfs_unlink("/etc/sub/up"), 0);
	expect_no_leak("symlinks");
}

Test(vfs, truncate_shrinks_and_grows_with_zeros)
{
	struct file *f;
	struct inode *inode;
	loff_t pos = 0;

	unpack_sample();
	f = filp_open("/bin/big", O_RDWR, 0);
	cr_assert(!IS_ERR(f));
	inode = f->f_inode;
	fs_lock_acquire();
	cr_assert_eq(ramfs_set_size(inode, 3), 0);
	cr_assert(inode->i_data_owned, "shrinking a borrowed file copies what is kept");
	cr_assert_eq(ramfs_set_size(inode, 10), 0);
	cr_assert_eq(ramfs_set_size(inode, -1), -EINVAL);
	cr_assert_eq(ramfs_set_size(inode, (loff_t)KMALLOC_MAX_SIZE + 1), -EFBIG);
	fs_lock_release();
	expect_contents("/bin/big", "abc\0\0\0\0\0\0\0", 10);
	cr_assert_eq(vfs_llseek(f, 0, SEEK_END), 10);
	pos = 10;
	cr_assert_eq(kernel_write(f, "Z", 1, &pos), 1);
	expect_contents("/bin/big", "abc\0\0\0\0\0\0\0Z", 11);
	fput(f);
	/* O_TRUNC of a borrowed file lets the archive's bytes go without a copy. */
	cr_assert_eq(open_err("/etc/motd", O_WRONLY | O_TRUNC), 0);
	cr_assert_eq(inode_at("/etc/motd")->i_size, 0);
	cr_assert_eq(inode_at("/etc/motd")->i_data_owned, false);
	expect_contents("/etc/motd", "", 0);
	/* O_TRUNC with O_RDONLY does nothing (Linux leaves it unspecified; we keep the data). */
	cr_assert_eq(open_err("/etc/hostname", O_RDONLY | O_TRUNC), 0);
	expect_contents("/etc/hostname", "teachos\n", 8);
	cr_assert_eq(get_nr_files(), 0);
	cr_assert_eq(get_nr_inodes(), inodes_at_start);
}

Test(vfs, open_errors)
{
	struct file *f;
	char c;
	loff_t pos = 0;

	unpack_sample();
	cr_assert_eq(open_err("/nope", O_RDONLY), -ENOENT);
	cr_assert_eq(open_err("/nope/x", O_WRONLY | O_CREAT), -ENOENT);
	cr_assert_eq(open_err("/etc/motd/x", O_WRONLY | O_CREAT), -ENOTDIR);
	cr_assert_eq(open_err("/etc", O_WRONLY), -EISDIR);
	cr_assert_eq(open_err("/etc", O_RDWR | O_CREAT), -EISDIR);
	cr_assert_eq(open_err("/etc/motd", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	cr_assert_eq(open_err("/etc/motd", O_CREAT | O_EXCL | O_WRONLY), -EEXIST);
	cr_assert_eq(open_err("/etc/motd", 3), -EINVAL);
	cr_assert_eq(open_err("/etc", O_RDONLY | O_DIRECTORY), 0);
	f = filp_open("/etc", O_RDONLY, 0);
	cr_assert_eq(kernel_read(f, &c, 1, &pos), -EISDIR);
	fput(f);
	f = filp_open("/etc/motd", O_RDONLY, 0);
	cr_assert_eq(kernel_write(f, "x", 1, &pos), -EBADF);
	cr_assert_eq(vfs_getdents64(f, &c, 1), -ENOTDIR);
	fput(f);
	f = filp_open("/tmp/w", O_WRONLY | O_CREAT, 0600);
	cr_assert(!IS_ERR(f));
	cr_assert_eq(kernel_read(f, &c, 1, &pos), -EBADF);
	fput(f);
	cr_assert_eq(kmalloc_objects(), objects_at_start + 2, "/tmp/w: an inode and a dentry");
	cr_assert_eq(get_nr_inodes(), inodes_at_start + 1);
	cr_assert_eq(get_nr_files(), 0);
}

Test(vfs, tmp_create_write_read_truncate_unlink)
{
	struct file *f, *g;
	struct stat st;
	loff_t pos = 0;
	char buf[32];

	unpack_sample();
	f = filp_open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0640);
	cr_assert(!IS_ERR(f));
	cr_assert_eq(kernel_write(f, "hello, ", 7, &pos), 7);
	cr_assert_eq(kernel_write(f, "world", 5, &pos), 5);
	cr_assert_eq(vfs_fstat(f, &st), 0);
	cr_assert_eq(st.st_mode, S_IFREG | 0640);
	cr_assert_eq(st.st_size, 12);
	cr_assert_eq(vfs_llseek(f, 7, SEEK_SET), 7);
	pos = 7;
	cr_assert_eq(kernel_read(f, buf, sizeof(buf), &pos), 5);
	cr_assert_eq(memcmp(buf, "world", 5), 0);
	cr_assert_eq(vfs_llseek(f, -3, SEEK_END), 9);
	cr_assert_eq(vfs_llseek(f, 1, SEEK_CUR), 10);
	cr_assert_eq(vfs_llseek(f, -11, SEEK_CUR), -EINVAL);
	cr_assert_eq(vfs_llseek(f, 0, 7), -EINVAL);
	/* A write past the end leaves a hole of zeros. */
	pos = 20;
	cr_assert_eq(kernel_write(f, "!", 1, &pos), 1);
	expect_contents("/tmp/a", "hello, world\0\0\0\0\0\0\0\0!", 21);
	/* O_APPEND writes at the end whatever the position. */
	g = filp_open("/tmp/a", O_WRONLY | O_APPEND, 0);
	pos = 0;
	cr_assert_eq(kernel_write(g, "?", 1, &pos), 1);
	cr_assert_eq(pos, 22);
	fput(g);
	/* O_TRUNC empties it; the other open file sees the new size. */
	g = filp_open("/tmp/a", O_WRONLY | O_TRUNC, 0);
	cr_assert(!IS_ERR(g));
	fput(g);
	cr_assert_eq(vfs_fstat(f, &st), 0);
	cr_assert_eq(st.st_size, 0);
	/* Unlinked while open: still readable and writable through f, gone by name. */
	pos = 0;
	cr_assert_eq(kernel_write(f, "kept", 4, &pos), 4);
	cr_assert_eq(vfs_unlink("/tmp/a"), 0);
	cr_assert_eq(vfs_stat("/tmp/a", &st), -ENOENT);
	pos = 0;
	cr_assert_eq(kernel_read(f, buf, sizeof(buf), &pos), 4);
	cr_assert_eq(vfs_fstat(f, &st), 0);
	cr_assert_eq(st.st_nlink, 0);
	cr_assert_eq(get_nr_inodes(), inodes_at_start + 1, "the open file keeps the inode");
	cr_assert_eq(get_nr_files(), 1);
	fput(f);
	cr_assert_eq(vfs_unlink("/tmp/a"), -ENOENT);
	expect_no_leak("the file was freed with its last close");
}

Test(vfs, writing_an_unpacked_file_copies_it)
{
	struct file *f;
	loff_t pos = 0;
	char *before;

	unpack_sample();
	before = malloc(arch.len);
	memcpy(before, arch.buf, arch.len);
	f = filp_open("/etc/motd", O_WRONLY, 0);
	cr_assert_eq(kernel_write(f, "J", 1, &pos), 1);
	fput(f);
	expect_contents("/etc/motd", "Jelcome to teachos.\n", strlen(motd));
	cr_assert_eq(memcmp(before, arch.buf, arch.len), 0, "the archive is never written");
	free(before);
}

Test(vfs, mkdir_rmdir_unlink)
{
	struct stat st;

	unpack_sample();
	cr_assert_eq(vfs_mkdir("/tmp/d", 0755), 0);
	cr_assert_eq(vfs_mkdir("/tmp/d", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdir("/tmp/d/e/f", 0755), -ENOENT);
	cr_assert_eq(vfs_mkdir("/etc/motd/x", 0755), -ENOTDIR);
	cr_assert_eq(vfs_mkdir("/", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdir("/tmp/d/e", 0755), 0);
	cr_assert_eq(vfs_stat("/tmp/d", &st), 0);
	cr_assert_eq(st.st_nlink, 3);
	cr_assert_eq(open_err("/tmp/d/e/file", O_WRONLY | O_CREAT), 0);
	cr_assert_eq(vfs_rmdir("/tmp/d"), -ENOTEMPTY);
	cr_assert_eq(vfs_unlink("/tmp/d"), -EISDIR);
	cr_assert_eq(vfs_rmdir("/tmp/d/e/file"), -ENOTDIR);
	cr_assert_eq(vfs_unlink("/tmp/d/e/file"), 0);
	cr_assert_eq(vfs_rmdir("/tmp/d/e"), 0);
	cr_assert_eq(vfs_stat("/tmp/d", &st), 0);
	cr_assert_eq(st.st_nlink, 2);
	cr_assert_eq(vfs_rmdir("/tmp/d"), 0);
	cr_assert_eq(vfs_rmdir("/"), -EBUSY);
	cr_assert_eq(vfs_symlink("/etc", "/tmp/l"), 0);
	cr_assert_eq(vfs_stat("/tmp/l/motd", &st), 0);
	cr_assert_eq(vfs_unlink("/tmp/l"), 0, "unlink removes the link, not /etc");
	cr_assert_eq(vfs_stat("/etc/motd", &st), 0);
	/* A removed directory still open: "." and ".." are itself, and it lists empty. */
	cr_assert_eq(vfs_mkdir("/tmp/gone", 0700), 0);
	struct file *dir = filp_open("/tmp/gone", O_RDONLY | O_DIRECTORY, 0);
	char buf[64];

	cr_assert_eq(vfs_rmdir("/tmp/gone"), 0);
	cr_assert_eq(vfs_fstat(dir, &st), 0);
	cr_assert_eq(st.st_nlink, 0);
	cr_assert_eq(vfs_getdents64(dir, buf, sizeof(buf)), 48, "only . and ..");
	fput(dir);
	cr_assert_eq(vfs_stat("/tmp", &st), 0);
	cr_assert_eq(st.st_nlink, 2, "the removed child's .. is gone from /tmp's count");
	expect_no_leak("mkdir/rmdir");
}

/* The names getdents64 gives for @path, reading with a @bufsize-byte buffer. */
static int list_names(const char *path, size_t bufsize, char names[][32], int max)
{
	struct file *f = filp_open(path, O_RDONLY | O_DIRECTORY, 0);
	char *buf = malloc(bufsize);
	int n, count = 0;

	cr_assert(!IS_ERR(f));
	while ((n = vfs_getdents64(f, buf, bufsize)) > 0) {
		for (int off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			cr_assert_eq(off % 8, 0);
			cr_assert_eq(d->d_reclen % 8, 0);
			cr_assert(d->d_reclen >= 20 + strlen(d->d_name));
			if (count < max)
				strcpy(names[count], d->d_name);
			count++;
			off += d->d_reclen;
		}
	}
	cr_assert_eq(n, 0);
	free(buf);
	fput(f);
	return count;
}

Test(vfs, getdents64_lists_exactly_the_names)
{
	static const char *const want[] = { ".", "..", "empty", "hostname", "motd", "issue",
					    "abs", "sub" };
	char names[16][32];
	struct file *f;
	char small[32];
	struct linux_dirent64 *d;

	unpack_sample();
	for (size_t bufsize = 32; bufsize <= 1024; bufsize *= 2) {
		int n = list_names("/etc", bufsize, names, 16);

		cr_assert_eq(n, 8, "buffer %zu: %d names", bufsize, n);
		for (int i = 0; i < 8; i++)
			cr_assert_str_eq(names[i], want[i], "buffer %zu", bufsize);
	}
	f = filp_open("/etc", O_RDONLY, 0);
	cr_assert_eq(vfs_getdents64(f, small, 16), -EINVAL, "too small for one record");
	cr_assert_eq(vfs_getdents64(f, small, 32), 24, "one record: the next does not fit");
	d = (void *)small;
	cr_assert_str_eq(d->d_name, ".");
	cr_assert_eq(d->d_type, DT_DIR);
	cr_assert_eq(vfs_getdents64(f, small, 32), 24);	/* ".." */
	cr_assert_eq(vfs_getdents64(f, small, 32), 32);	/* "empty" */
	cr_assert_eq(d->d_type, DT_REG);
	/* Remove the next one and the one after stays; nothing is repeated. */
	cr_assert_eq(vfs_unlink("/etc/hostname"), 0);
	cr_assert_eq(vfs_getdents64(f, small, 32), 24);
	cr_assert_str_eq(d->d_name, "motd");
	cr_assert_eq(vfs_getdents64(f, small, 32), 32);
	cr_assert_str_eq(d->d_name, "issue");
	cr_assert_eq(d->d_type, DT_LNK);
	/* A seek back to a d_off continues after that entry. */
	/* An entry made between calls comes after the ones already there. */
	cr_assert_eq(open_err("/etc/new", O_WRONLY | O_CREAT), 0);
	cr_assert_eq(vfs_getdents64(f, small, 32), 24);
	cr_assert_str_eq(d->d_name, "abs");
	cr_assert_eq(vfs_getdents64(f, small, 32), 24);
	cr_assert_str_eq(d->d_name, "sub");
	cr_assert_eq(vfs_getdents64(f, small, 32), 24);
	cr_assert_str_eq(d->d_name, "new");
	cr_assert_eq(vfs_getdents64(f, small, 32), 0, "the end");
	cr_assert_eq(vfs_getdents64(f, small, 32), 0, "and it stays there");
	/* A seek back to a d_off continues after that entry; 0 starts again. */
	cr_assert_eq(vfs_llseek(f, 0, SEEK_SET), 0);
	cr_assert_eq(vfs_getdents64(f, small, 32), 24);
	cr_assert_str_eq(d->d_name, ".");
	cr_assert_eq(vfs_llseek(f, (loff_t)d->d_off, SEEK_SET), (loff_t)d->d_off);
	cr_assert_eq(vfs_getdents64(f, small, 32), 24);
	cr_assert_str_eq(d->d_name, "..");
	fput(f);
	cr_assert_eq(vfs_unlink("/etc/new"), 0);
	cr_assert_eq(list_names("/tmp", 64, names, 16), 2, "an empty directory: . and ..");
}

Test(vfs, fd_tables)
{
	struct files_struct *files, *child;
	struct file *f, *g;
	loff_t pos;
	char buf[8];
	int fd, fd2;

	unpack_sample();
	files = files_alloc();
	f = filp_open("/etc/motd", O_RDONLY, 0);
	cr_assert_eq(fd_alloc_install(files, f, 0), 0, "the lowest free fd");
	fd = fd_alloc_install(files, filp_open("/etc/hostname", O_RDONLY | O_CLOEXEC, 0),
			      O_CLOEXEC);
	cr_assert_eq(fd, 1);
	cr_assert_eq(fd_get_cloexec(files, 1), 1);
	cr_assert_eq(fd_get_cloexec(files, 0), 0);
	cr_assert_eq(fd_dup2(files, 0, 5), 5);
	cr_assert_eq(fd_dup2(files, 0, 1), 1, "dup2 over an open fd closes it");
	cr_assert_eq(fd_get_cloexec(files, 1), 0, "dup2 clears close-on-exec");
	cr_assert_eq(fd_dup2(files, 7, 1), -EBADF);
	cr_assert_eq(fd_dup2(files, 0, NR_OPEN_MAX), -EBADF);
	cr_assert_eq(fd_dup2(files, 5, 5), 5);
	cr_assert_eq(fd_set_cloexec(files, 5, true), 0);
	cr_assert_eq(fd_dup(files, 5), 2);
	cr_assert_eq(fd_get_cloexec(files, 2), 0, "dup's new fd is not close-on-exec");
	cr_assert_eq(fd_set_cloexec(files, 5, false), 0);
	cr_assert_eq(fd_set_cloexec(files, 9, true), -EBADF);
	cr_assert_eq(fd_get_cloexec(files, 9), -EBADF);
	cr_assert_eq(get_nr_files(), 1, "motd behind fds 0, 1, 2 and 5; hostname went with dup2");
	/* The dups share the position. */
	g = fd_get(files, 5);
	cr_assert_eq(g, f);
	pos = g->f_pos;
	cr_assert_eq(kernel_read(g, buf, 3, &g->f_pos), 3);
	cr_assert_eq(f->f_pos, pos + 3);
	fput(g);
	/* Close of one fd leaves the file readable through the others. */
	cr_assert_eq(fd_close(files, 0), 0);
	cr_assert_eq(fd_close(files, 0), -EBADF);
	cr_assert_eq(fd_close(files, -1), -EBADF);
	cr_assert_null(fd_get(files, 0));
	cr_assert_null(fd_get(files, 99));
	g = fd_get(files, 1);
	cr_assert_eq(kernel_read(g, buf, 3, &g->f_pos), 3);
	cr_assert_eq(memcmp(buf, "com", 3), 0, "after the 3 bytes read through fd 5");
	fput(g);
	/* fork's copy: the same files, its own slots. */
	cr_assert_eq(fd_set_cloexec(files, 2, true), 0);
	child = dup_files(files);
	cr_assert_eq(fd_close(child, 1), 0);
	g = fd_get(files, 1);
	cr_assert_not_null(g);
	fput(g);
	files_close_on_exec(child);
	cr_assert_null(fd_get(child, 2));
	g = fd_get(files, 2);
	cr_assert_not_null(g, "the parent's fd stays");
	fput(g);
	/* EMFILE when full. */
	fd2 = 0;
	for (int i = 0; i < NR_OPEN_MAX; i++) {
		struct file *h = filp_open("/dev", O_RDONLY, 0);
		int r = fd_alloc_install(child, h, 0);

		if (r < 0) {
			cr_assert_eq(r, -EMFILE);
			fput(h);
			fd2++;
		}
	}
	cr_assert_eq(fd2, 1, "fd 5 was still open in the child");
	cr_assert_eq(get_nr_files(), 1 + NR_OPEN_MAX - 1, "motd and the /dev opens that got an fd");
	put_files(child);
	put_files(files);
	expect_no_leak("every file was put");
}

Test(vfs, corrupt_archive_reports_the_offset)
{
	size_t at, bad = 0;
	const char *why = NULL;
	struct initramfs_stats st;
	struct stat sb;

	cpio_add(&arch, "a", 0100644, "1", 1);
	at = cpio_add(&arch, "b", 0100644, "2", 1);
	cpio_finish(&arch);
	memcpy(arch.buf + at, "xxxxxx", 6);
	cr_assert_eq(unpack_initramfs(arch.buf, arch.len, &st, &bad, &why), -EINVAL);
	cr_assert_eq(bad, at);
	cr_assert(strstr(why, "magic"));
	cr_assert_eq(st.files, 1);
	cr_assert_eq(vfs_stat("/a", &sb), 0, "what came before stays");
}

/* An entry that cannot be made is skipped, not the end of the archive (as Linux). */
Test(vfs, uncreatable_entries_are_skipped)
{
	size_t bad = 0;
	const char *why = NULL;
	struct initramfs_stats st;
	struct stat sb;

	cpio_add(&arch, "no/such/file", 0100644, "x", 1);	/* the parent is missing */
	cpio_add(&arch, "d", 040755, "", 0);
	cpio_add(&arch, "d/in", 0100644, "1", 1);
	cpio_add(&arch, "d", 0100644, "file over a directory", 21);
	cpio_add(&arch, "f", 0100644, "2", 1);
	cpio_add(&arch, "f", 040700, "", 0);			/* a directory over a file */
	cpio_add(&arch, "last", 0100644, "3", 1);
	cpio_finish(&arch);
	cr_assert_eq(unpack_initramfs(arch.buf, arch.len, &st, &bad, &why), 0, "%s", why);
	cr_assert_eq(st.failed, 3, "failed %u", st.failed);
	cr_assert_eq(st.files, 3);
	cr_assert_eq(vfs_stat("/d/in", &sb), 0, "the directory is kept with what is in it");
	cr_assert_eq(vfs_stat("/f", &sb), 0);
	cr_assert(S_ISREG(sb.st_mode), "the file stays");
	cr_assert_eq(vfs_stat("/last", &sb), 0, "entries after the failures are unpacked");
	cr_assert_eq(vfs_stat("/no", &sb), -ENOENT);
}

/*
 * Random operations on a few names in /tmp against a model: each name's bytes (or absent).
 * Opens with O_TRUNC/O_APPEND/O_EXCL, writes at random positions, reads, unlinks; after each
 * step every file's whole contents and size must match the model.
 */
#define NAMES 6
#define MAXLEN 3000

struct model_file {
	bool exists;
	size_t len;
	unsigned char data[MAXLEN + 64];
};

Test(vfs, random_operations_match_a_model)
{
	static struct model_file model[NAMES];
	unsigned long long seed = test_seed("vfs/random_operations");
	long iters = test_iters(4000);
	char path[32];
	unsigned char buf[200];

	memset(model, 0, sizeof(model));
	for (long step = 0; step < iters; step++) {
		int i = (int)rnd_below(NAMES), op = (int)rnd_below(5);
		struct model_file *m = &model[i];
		struct file *f;
		loff_t pos;

		snprintf(path, sizeof(path), "/tmp/f%d", i);
		if (op == 0) {		/* unlink */
			cr_assert_eq(vfs_unlink(path), m->exists ? 0 : -ENOENT, "seed %llu", seed);
			m->exists = false;
		} else if (op == 1) {	/* create exclusively */
			f = filp_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
			if (m->exists) {
				cr_assert_eq(PTR_ERR(f), -EEXIST, "seed %llu", seed);
			} else {
				cr_assert(!IS_ERR(f), "seed %llu", seed);
				fput(f);
				m->exists = true;
				m->len = 0;
			}
		} else {		/* write (maybe truncating or appending) */
			bool trunc = rnd_below(4) == 0, append = !trunc && rnd_below(3) == 0;
			size_t n = rnd_below(sizeof(buf)), at = rnd_below(MAXLEN - sizeof(buf));

			f = filp_open(path, O_WRONLY | O_CREAT | (trunc ? O_TRUNC : 0) |
				      (append ? O_APPEND : 0), 0600);
			cr_assert(!IS_ERR(f), "seed %llu", seed);
			if (!m->exists || trunc)
				m->len = 0;
			m->exists = true;
			if (append)
				at = m->len;
			if (at + n > MAXLEN)
				n = 0;
			for (size_t k = 0; k < n; k++)
				buf[k] = (unsigned char)rnd();
			pos = (loff_t)at;
			cr_assert_eq(kernel_write(f, buf, n, &pos), (ssize_t)n, "seed %llu", seed);
			fput(f);
			if (n) {
				if (at > m->len)
					memset(m->data + m->len, 0, at - m->len);
				memcpy(m->data + at, buf, n);
				m->len = at + n > m->len ? at + n : m->len;
			}
		}
		for (int k = 0; k < NAMES; k++) {
			struct stat st;

			snprintf(path, sizeof(path), "/tmp/f%d", k);
			if (!model[k].exists) {
				cr_assert_eq(vfs_stat(path, &st), -ENOENT, "seed %llu", seed);
				continue;
			}
			if (k == i || rnd_below(8) == 0)
				expect_contents(path, model[k].data, model[k].len);
		}
	}
	for (int k = 0; k < NAMES; k++) {
		snprintf(path, sizeof(path), "/tmp/f%d", k);
		vfs_unlink(path);
	}
	cr_assert_eq(list_names("/tmp", 256, (char (*)[32])buf, 0), 2);
	cr_assert_eq(get_nr_files(), 0);
	cr_assert_eq(get_nr_inodes(), 3, "/, /dev and /tmp");
}

/* A trailing slash asks for a directory: open cannot create one, unlink refuses a file. */
Test(vfs, trailing_slash_asks_for_a_directory)
{
	struct stat st;

	unpack_sample();
	cr_assert_eq(open_err("/tmp/new/", O_WRONLY | O_CREAT), -EISDIR);
	cr_assert_eq(vfs_stat("/tmp/new", &st), -ENOENT, "nothing was created");
	cr_assert_eq(open_err("/etc/motd/", O_WRONLY | O_CREAT), -EISDIR);
	cr_assert_eq(open_err("/etc/motd/", O_RDONLY), -ENOTDIR);
	cr_assert_eq(open_err("/etc/", O_RDONLY), 0);
	cr_assert_eq(open_err("/etc//", O_RDONLY | O_DIRECTORY), 0);
	cr_assert_eq(vfs_unlink("/etc/motd/"), -ENOTDIR);
	cr_assert_eq(vfs_stat("/etc/motd", &st), 0, "the file is still there");
	cr_assert_eq(vfs_unlink("/tmp/nope/"), -ENOENT);
	cr_assert_eq(vfs_symlink("x", "/tmp/l/"), -ENOENT);
	cr_assert_eq(vfs_symlink("x", "/etc/motd/"), -EEXIST);
	cr_assert_eq(vfs_mkdir("/tmp/d/", 0755), 0, "mkdir takes a trailing slash");
	cr_assert_eq(vfs_mkdir("/tmp/d//", 0755), -EEXIST);
	cr_assert_eq(vfs_rmdir("/tmp/d//"), 0);
	cr_assert_eq(vfs_stat("/tmp/d", &st), -ENOENT);
	expect_no_leak("trailing slashes");
}

/* rmdir of "." and ".." and "/", and unlink of them, with Linux's errors. */
Test(vfs, rmdir_and_unlink_of_dots)
{
	struct stat st;

	unpack_sample();
	cr_assert_eq(vfs_mkdir("/tmp/d", 0755), 0);
	cr_assert_eq(vfs_rmdir("/tmp/d/."), -EINVAL);
	cr_assert_eq(vfs_rmdir("/tmp/d/./"), -EINVAL);
	cr_assert_eq(vfs_rmdir("/tmp/d/.."), -ENOTEMPTY);
	cr_assert_eq(vfs_rmdir("/"), -EBUSY);
	cr_assert_eq(vfs_rmdir("//"), -EBUSY);
	cr_assert_eq(vfs_unlink("/tmp/d/."), -EISDIR);
	cr_assert_eq(vfs_unlink("/tmp/.."), -EISDIR);
	cr_assert_eq(vfs_unlink("/"), -EISDIR);
	cr_assert_eq(vfs_mkdir("/tmp/d/.", 0755), -EEXIST);
	cr_assert_eq(vfs_mkdir("/tmp/d/..", 0755), -EEXIST);
	cr_assert_eq(vfs_stat("/tmp/d", &st), 0, "still there after all that");
	cr_assert_eq(vfs_rmdir("/tmp/d"), 0);
	cr_assert_eq(vfs_rmdir("/tmp/d"), -ENOENT);
	cr_assert_eq(vfs_rmdir("/tmp/d/e"), -ENOENT);
	cr_assert_eq(vfs_rmdir("/etc/motd/e"), -ENOTDIR);
	cr_assert_eq(vfs_unlink("/etc/motd/e"), -ENOTDIR);
	cr_assert_eq(vfs_rmdir("/etc/issue"), -ENOTDIR, "a symlink to a file is not a directory");
	expect_no_leak("dots");
}

/* @rel resolved as get_path does for a process whose working directory is @cwd. */
static int stat_from(const char *cwd, const char *rel, struct stat *st)
{
	char *buf = malloc(PATH_MAX);
	int ret;

	strcpy(buf, rel);
	ret = path_join_cwd(buf, strlen(rel), cwd);
	if (ret == 0)
		ret = vfs_stat(buf, st);
	free(buf);
	return ret;
}

static void expect_normal(const char *path, const char *want)
{
	char *got = path_normalize(path);

	cr_assert_str_eq(got, want, "normalize(%s)", path);
	kfree(got);
}

Test(vfs, relative_paths_from_the_working_directory)
{
	struct stat motd, st;
	char *cwd, *buf;

	unpack_sample();
	cr_assert_eq(vfs_stat("/etc/motd", &motd), 0);
	expect_normal("/", "/");
	expect_normal("//", "/");
	expect_normal("/..", "/");
	expect_normal("/etc/sub/..", "/etc");
	expect_normal("/etc/./sub//", "/etc/sub");
	expect_normal("/a/b/../../..", "/");
	expect_normal("/a/../b/./c/..", "/b");
	/* chdir("/etc/sub/..") stores "/etc"; "motd", "./motd", "sub/../motd" are /etc/motd. */
	cwd = path_normalize("/etc/sub/..");
	cr_assert_eq(stat_from(cwd, "motd", &st), 0);
	cr_assert_eq(st.st_ino, motd.st_ino);
	cr_assert_eq(stat_from(cwd, "./motd", &st), 0);
	cr_assert_eq(st.st_ino, motd.st_ino);
	cr_assert_eq(stat_from(cwd, "sub/../motd", &st), 0);
	cr_assert_eq(st.st_ino, motd.st_ino);
	cr_assert_eq(stat_from(cwd, "../../../etc/motd", &st), 0, "above the root is the root");
	cr_assert_eq(st.st_ino, motd.st_ino);
	cr_assert_eq(stat_from(cwd, "hostname", &st), 0);
	cr_assert_neq(st.st_ino, motd.st_ino);
	cr_assert_eq(stat_from(cwd, "bin/big", &st), -ENOENT, "relative to /etc, not to /");
	cr_assert_eq(stat_from(cwd, "/bin/big", &st), 0, "an absolute path ignores the cwd");
	cr_assert_eq(stat_from("/", "bin/big", &st), 0);
	kfree(cwd);
	/* The limit is on the joined path; an absolute path does not pay for a long cwd. */
	cwd = malloc(PATH_MAX);
	buf = malloc(PATH_MAX);
	memset(cwd, 'c', PATH_MAX);
	cwd[0] = '/';
	cwd[3000] = '\0';
	memset(buf, 'r', PATH_MAX);
	buf[PATH_MAX - 3000 - 2] = '\0';	/* 3000 + "/" + 1094 + NUL = PATH_MAX */
	cr_assert_eq(path_join_cwd(buf, strlen(buf), cwd), 0);
	cr_assert_eq(strlen(buf), PATH_MAX - 1);
	cr_assert_eq(buf[3000], '/');
	cr_assert_eq(memcmp(buf, cwd, 3000), 0);
	memset(buf, 'r', PATH_MAX);
	buf[PATH_MAX - 3000 - 1] = '\0';	/* one more: no room for the NUL */
	cr_assert_eq(path_join_cwd(buf, strlen(buf), cwd), -ENAMETOOLONG);
	memset(buf, 'a', PATH_MAX);
	buf[0] = '/';
	buf[PATH_MAX - 1] = '\0';
	cr_assert_eq(path_join_cwd(buf, PATH_MAX - 1, cwd), 0);
	cr_assert_eq(buf[1], 'a', "unchanged");
	free(buf);
	free(cwd);
	expect_no_leak("cwd");
}

Test(vfs, seek_read_write_and_holes)
{
	static char big[20000], back[20000];
	struct file *f;
	struct stat st;
	loff_t pos;
	char c = 'x';

	unpack_sample();
	f = filp_open("/tmp/h", O_RDWR | O_CREAT, 0600);
	cr_assert(!IS_ERR(f));
	cr_assert_eq(vfs_llseek(f, 0, SEEK_END), 0, "a new file is empty");
	cr_assert_eq(vfs_llseek(f, 100, SEEK_SET), 100, "past the end is allowed");
	cr_assert_eq(vfs_llseek(f, 5, SEEK_CUR), 105);
	cr_assert_eq(vfs_llseek(f, -1, SEEK_SET), -EINVAL);
	cr_assert_eq(f->f_pos, 105, "a failed seek leaves the position");
	cr_assert_eq(vfs_llseek(f, -106, SEEK_CUR), -EINVAL);
	cr_assert_eq(vfs_llseek(f, -1, SEEK_END), -EINVAL);
	cr_assert_eq(vfs_llseek(f, INT64_MAX, SEEK_CUR), -EINVAL, "overflow");
	cr_assert_eq(vfs_llseek(f, INT64_MAX, SEEK_SET), INT64_MAX);
	cr_assert_eq(vfs_llseek(f, 0, 3), -EINVAL, "SEEK_DATA: not supported");
	pos = 0;
	cr_assert_eq(kernel_read(f, &c, 1, &pos), 0, "end of file at once");
	pos = 50;
	cr_assert_eq(kernel_read(f, &c, 1, &pos), 0, "and past it");
	cr_assert_eq(pos, 50, "a read at the end does not move");
	pos = -1;
	cr_assert_eq(kernel_read(f, &c, 1, &pos), -EINVAL);
	cr_assert_eq(kernel_write(f, &c, 1, &pos), -EINVAL);
	pos = 0;
	cr_assert_eq(kernel_write(f, "", 0, &pos), 0, "an empty write changes nothing");
	cr_assert_eq(vfs_fstat(f, &st), 0);
	cr_assert_eq(st.st_size, 0);
	/* A write at 15000 of a file bigger than kmalloc's caches: pages, and a hole of zeros. */
	for (size_t i = 0; i < 5000; i++)
		big[15000 + i] = (char)(i * 7 + 1);
	pos = 15000;
	cr_assert_eq(kernel_write(f, big + 15000, 5000, &pos), 5000);
	cr_assert_eq(pos, 20000);
	cr_assert_eq(vfs_fstat(f, &st), 0);
	cr_assert_eq(st.st_size, 20000);
	cr_assert_eq(st.st_blocks, 5 * 8);
	expect_contents("/tmp/h", big, sizeof(big));
	pos = 14990;
	cr_assert_eq(kernel_read(f, back, 20, &pos), 20);
	cr_assert_eq(memcmp(back, big + 14990, 20), 0, "the hole's end and the data's start");
	cr_assert_eq(kernel_read(f, back, sizeof(back), &pos), 20000 - 15010, "a short read at EOF");
	/* Overwrite inside, then shrink: the bytes past the new end read as zeros after growth. */
	pos = 3;
	cr_assert_eq(kernel_write(f, "abc", 3, &pos), 3);
	memcpy(big + 3, "abc", 3);
	fs_lock_acquire();
	cr_assert_eq(ramfs_set_size(f->f_inode, 4), 0);
	fs_lock_release();
	pos = 8;
	cr_assert_eq(kernel_write(f, "Z", 1, &pos), 1);
	expect_contents("/tmp/h", "\0\0\0a\0\0\0\0Z", 9);
	/* Writes past the largest file are EFBIG and change nothing. */
	pos = (loff_t)KMALLOC_MAX_SIZE;
	cr_assert_eq(kernel_write(f, "Z", 1, &pos), -EFBIG);
	cr_assert_eq(vfs_fstat(f, &st), 0);
	cr_assert_eq(st.st_size, 9);
	fput(f);
	cr_assert_eq(vfs_unlink("/tmp/h"), 0);
	expect_no_leak("the pages of a big file");
}

Test(vfs, open_flags)
{
	struct file *f, *g;
	struct stat st;
	loff_t pf = 0, pg = 0;
	char name[NAME_MAX + 8];

	unpack_sample();
	/* O_CREAT of an existing file opens it, contents and mode kept. */
	f = filp_open("/etc/hostname", O_RDWR | O_CREAT, 0600);
	cr_assert(!IS_ERR(f));
	fput(f);
	expect_contents("/etc/hostname", "teachos\n", 8);
	cr_assert_eq(vfs_stat("/etc/hostname", &st), 0);
	cr_assert_eq(st.st_mode, S_IFREG | 0644);
	/* The mode of a new file is the call's, without the type bits it might carry. */
	cr_assert_eq(open_err("/tmp/m", O_WRONLY | O_CREAT | O_EXCL), 0);
	cr_assert_eq(vfs_stat("/tmp/m", &st), 0);
	cr_assert_eq(st.st_mode, S_IFREG | 0644);
	cr_assert_eq(st.st_nlink, 1);
	cr_assert_eq(vfs_unlink("/tmp/m"), 0);
	/* O_EXCL refuses a name that exists, even a dangling symlink. */
	cr_assert_eq(vfs_symlink("/tmp/nowhere", "/tmp/dl"), 0);
	cr_assert_eq(open_err("/tmp/dl", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
	cr_assert_eq(vfs_stat("/tmp/nowhere", &st), -ENOENT, "nothing created");
	cr_assert_eq(open_err("/tmp", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
	cr_assert_eq(vfs_unlink("/tmp/dl"), 0);
	/* O_APPEND: every write goes to the end, whatever the positions of the two opens. */
	f = filp_open("/tmp/log", O_WRONLY | O_CREAT | O_APPEND, 0600);
	g = filp_open("/tmp/log", O_WRONLY | O_APPEND, 0);
	cr_assert_eq(kernel_write(f, "one ", 4, &pf), 4);
	cr_assert_eq(kernel_write(g, "two ", 4, &pg), 4);
	cr_assert_eq(pg, 8, "g's position moved to the end it wrote at");
	pf = 0;
	cr_assert_eq(kernel_write(f, "three", 5, &pf), 5);
	expect_contents("/tmp/log", "one two three", 13);
	fput(g);
	fput(f);
	/* O_RDONLY: no write; O_WRONLY: no read; O_RDWR both. */
	f = filp_open("/tmp/log", O_RDONLY, 0);
	pf = 0;
	cr_assert_eq(kernel_write(f, "x", 1, &pf), -EBADF);
	cr_assert_eq(kernel_read(f, name, 3, &pf), 3);
	fput(f);
	f = filp_open("/tmp/log", O_RDWR | O_TRUNC, 0);
	pf = 0;
	cr_assert_eq(kernel_write(f, "rw", 2, &pf), 2);
	pf = 0;
	cr_assert_eq(kernel_read(f, name, sizeof(name), &pf), 2, "O_TRUNC emptied it first");
	fput(f);
	/* O_DIRECTORY opens directories only, and follows a symlink to one. */
	cr_assert_eq(open_err("/etc/subl", O_RDONLY | O_DIRECTORY), -ENOENT);
	cr_assert_eq(vfs_symlink("sub", "/etc/subl"), 0);
	cr_assert_eq(open_err("/etc/subl", O_RDONLY | O_DIRECTORY), 0);
	cr_assert_eq(open_err("/etc/issue", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	cr_assert_eq(open_err("/dev", O_RDWR | O_DIRECTORY), -EISDIR);
	cr_assert_eq(vfs_unlink("/etc/subl"), 0);
	/* A name of NAME_MAX bytes can be made; one more is ENAMETOOLONG. */
	memset(name, 'n', sizeof(name));
	memcpy(name, "/tmp/", 5);
	name[5 + NAME_MAX] = '\0';
	cr_assert_eq(open_err(name, O_WRONLY | O_CREAT), 0);
	cr_assert_eq(vfs_unlink(name), 0);
	name[5 + NAME_MAX] = 'n';
	name[5 + NAME_MAX + 1] = '\0';
	cr_assert_eq(open_err(name, O_WRONLY | O_CREAT), -ENAMETOOLONG);
	cr_assert_eq(vfs_mkdir(name, 0755), -ENAMETOOLONG);
	cr_assert_eq(vfs_unlink("/tmp/log"), 0);
	expect_no_leak("open flags");
}

/* getdents64's records field by field: inode numbers, d_off, lengths, types, padding. */
Test(vfs, getdents64_record_layout)
{
	static const struct { const char *name; uint8_t type; } want[] = {
		{ ".", DT_DIR }, { "..", DT_DIR }, { "f", DT_REG }, { "seven77", DT_REG },
		{ "eight888", DT_REG }, { "d", DT_DIR }, { "l", DT_LNK }, { "null", DT_CHR },
	};
	char buf[512];
	struct file *f;
	struct stat st;
	int n, off, i = 0;
	int64_t last_off = 0;

	unpack_sample();
	cr_assert_eq(vfs_mkdir("/tmp/g", 0755), 0);
	cr_assert_eq(open_err("/tmp/g/f", O_WRONLY | O_CREAT), 0);
	cr_assert_eq(open_err("/tmp/g/seven77", O_WRONLY | O_CREAT), 0);
	cr_assert_eq(open_err("/tmp/g/eight888", O_WRONLY | O_CREAT), 0);
	cr_assert_eq(vfs_mkdir("/tmp/g/d", 0755), 0);
	cr_assert_eq(vfs_symlink("f", "/tmp/g/l"), 0);
	cr_assert_eq(vfs_mknod_chr("/tmp/g/null", 0666, MKDEV(1, 3), &null_fops), 0);
	f = filp_open("/tmp/g", O_RDONLY | O_DIRECTORY, 0);
	memset(buf, 0xa5, sizeof(buf));
	n = vfs_getdents64(f, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	for (off = 0; off < n; i++) {
		struct linux_dirent64 *d = (void *)(buf + off);
		size_t len = strlen(want[i].name);
		char path[64];

		cr_assert_lt(i, 8);
		cr_assert_eq(d->d_reclen, (19 + len + 1 + 7) / 8 * 8, "%s", want[i].name);
		cr_assert_str_eq(d->d_name, want[i].name);
		for (size_t k = 19 + len; k < d->d_reclen; k++)
			cr_assert_eq(((char *)d)[k], 0, "%s: padding byte %zu", want[i].name, k);
		cr_assert_eq(d->d_type, want[i].type, "%s", want[i].name);
		cr_assert_gt(d->d_off, last_off, "d_off increases");
		last_off = d->d_off;
		snprintf(path, sizeof(path), "/tmp/g/%s", want[i].name);
		cr_assert_eq(vfs_lstat(path, &st), 0);
		cr_assert_eq(d->d_ino, st.st_ino, "%s", want[i].name);
		off += d->d_reclen;
	}
	cr_assert_eq(i, 8);
	cr_assert_eq(off, 24 + 24 + 24 + 32 + 32 + 24 + 24 + 24, "the records, back to back");
	cr_assert_eq(vfs_getdents64(f, buf, sizeof(buf)), 0);
	/* A buffer exactly one record long takes it; resumption from each d_off. */
	cr_assert_eq(vfs_llseek(f, 0, SEEK_SET), 0);
	cr_assert_eq(vfs_getdents64(f, buf, 24), 24);
	cr_assert_eq(vfs_getdents64(f, buf, 24), 24);
	cr_assert_eq(vfs_getdents64(f, buf, 24), 24);
	cr_assert_str_eq(((struct linux_dirent64 *)buf)->d_name, "f");
	cr_assert_eq(vfs_getdents64(f, buf, 31), -EINVAL, "seven77 needs 32");
	cr_assert_eq(vfs_getdents64(f, buf, 32), 32);
	cr_assert_str_eq(((struct linux_dirent64 *)buf)->d_name, "seven77");
	fput(f);
	/* A directory's ".." is its parent's inode; the root's is its own. */
	f = filp_open("/", O_RDONLY, 0);
	cr_assert_eq(vfs_getdents64(f, buf, sizeof(buf)) > 48, true);
	cr_assert_eq(((struct linux_dirent64 *)buf)->d_ino,
		     ((struct linux_dirent64 *)(buf + 24))->d_ino);
	fput(f);
	cr_assert_eq(vfs_unlink("/tmp/g/f"), 0);
	cr_assert_eq(vfs_unlink("/tmp/g/seven77"), 0);
	cr_assert_eq(vfs_unlink("/tmp/g/eight888"), 0);
	cr_assert_eq(vfs_rmdir("/tmp/g/d"), 0);
	cr_assert_eq(vfs_unlink("/tmp/g/l"), 0);
	cr_assert_eq(vfs_unlink("/tmp/g/null"), 0);
	cr_assert_eq(vfs_rmdir("/tmp/g"), 0);
	expect_no_leak("getdents64");
}

/* The lowest free fd, dup and F_DUPFD's fd_dup_min, EMFILE from each way of making an fd. */
Test(vfs, fd_allocation_and_dup)
{
	struct files_struct *files;
	struct file *f;

	unpack_sample();
	files = files_alloc();
	for (int i = 0; i < 4; i++)
		cr_assert_eq(fd_alloc_install(files, filp_open("/etc/motd", O_RDONLY, 0), 0), i);
	cr_assert_eq(fd_close(files, 1), 0);
	cr_assert_eq(fd_close(files, 2), 0);
	cr_assert_eq(fd_dup(files, 3), 1, "the lowest free fd");
	cr_assert_eq(fd_dup(files, 9), -EBADF);
	cr_assert_eq(fd_dup(files, -1), -EBADF);
	cr_assert_eq(fd_dup_min(files, 0, 1), 2, "1 is taken, 2 is free");
	cr_assert_eq(fd_dup_min(files, 0, 40), 40);
	cr_assert_eq(fd_dup_min(files, 0, 40), 41);
	cr_assert_eq(fd_dup_min(files, 0, NR_OPEN_MAX - 1), NR_OPEN_MAX - 1);
	cr_assert_eq(fd_dup_min(files, 0, NR_OPEN_MAX - 1), -EMFILE, "none free at or above");
	cr_assert_eq(fd_dup_min(files, 0, NR_OPEN_MAX), -EINVAL);
	cr_assert_eq(fd_dup_min(files, 0, -1), -EINVAL);
	cr_assert_eq(fd_dup_min(files, 30, 1), -EBADF);
	f = fd_get(files, 40);
	cr_assert_eq(f, fd_get(files, 0), "the same open file");
	fput(f);
	fput(f);
	cr_assert_eq(get_nr_files(), 2, "fd 0's and fd 3's; 1 and 2's first files were closed");
	/* dup2(fd, fd) is fd and keeps its close-on-exec bit; dup2 over it clears it. */
	cr_assert_eq(fd_set_cloexec(files, 3, true), 0);
	cr_assert_eq(fd_dup2(files, 3, 3), 3);
	cr_assert_eq(fd_get_cloexec(files, 3), 1);
	cr_assert_eq(fd_dup2(files, 0, 3), 3);
	cr_assert_eq(fd_get_cloexec(files, 3), 0);
	cr_assert_eq(get_nr_files(), 2, "fd 1 still holds fd 3's old file");
	cr_assert_eq(fd_close(files, 1), 0);
	cr_assert_eq(get_nr_files(), 1, "its last fd closed, it is put");
	/* Fill the table: dup and install both say EMFILE and leak nothing. */
	for (int fd; (fd = fd_dup(files, 0)) >= 0;)
		;
	cr_assert_eq(fd_dup(files, 0), -EMFILE);
	f = filp_open("/etc/motd", O_RDONLY, 0);
	cr_assert_eq(fd_alloc_install(files, f, 0), -EMFILE);
	fput(f);
	cr_assert_eq(fd_close(files, 17), 0);
	cr_assert_eq(fd_dup(files, 0), 17, "the one freed");
	/* Close-on-exec: only the marked fds go, and the file lives while another fd holds it. */
	cr_assert_eq(fd_set_cloexec(files, 0, true), 0);
	cr_assert_eq(fd_set_cloexec(files, 5, true), 0);
	files_close_on_exec(files);
	cr_assert_null(fd_get(files, 0));
	cr_assert_null(fd_get(files, 5));
	f = fd_get(files, 6);
	cr_assert_not_null(f);
	fput(f);
	cr_assert_eq(fd_get_cloexec(files, 6), 0);
	put_files(files);
	expect_no_leak("fd allocation");
}

/*
 * A directory with inode_operations, as procfs has: names it does not hold are made up by
 * lookup ("n0".."n2": files whose inode dies with its last reference, and "link": a symlink
 * to "n1"), and readdir adds them after its kept entries, resumable by cookie.
 */
static const char *const dyn_names[] = { "n0", "n1", "n2" };

static struct inode *dyn_lookup(struct inode *dir, const char *name, size_t len)
{
	struct inode *inode;

	(void)dir;
	if (len == 4 && memcmp(name, "link", 4) == 0) {
		inode = new_inode(S_IFLNK | 0777);
		inode->i_data = (char *)"n1";
		inode->i_size = 2;
		return inode;
	}
	for (size_t i = 0; i < 3; i++)
		if (len == 2 && memcmp(name, dyn_names[i], 2) == 0) {
			inode = new_inode(S_IFREG | 0444);
			inode->i_ino = 1000 + i;
			return inode;
		}
	return ERR_PTR(-ENOENT);
}

static void dyn_readdir(struct inode *dir, uint64_t pos, filldir_t fill, void *ctx)
{
	(void)dir;
	for (uint64_t i = 0; i < 3; i++)
		if (DIR_COOKIE_DYNAMIC + i >= pos &&
		    !fill(ctx, 1000 + i, DIR_COOKIE_DYNAMIC + i, S_IFREG, dyn_names[i]))
			return;
}

static const struct inode_operations dyn_ops = { .lookup = dyn_lookup, .readdir = dyn_readdir };

Test(vfs, dynamic_directory_lookup_and_readdir)
{
	char names[16][32];
	struct stat st;
	unsigned long inodes;

	unpack_sample();
	cr_assert_eq(vfs_mkdir("/dyn", 0555), 0);
	inode_at("/dyn")->i_op = &dyn_ops;
	inodes = get_nr_inodes();
	cr_assert_eq(vfs_stat("/dyn/n2", &st), 0);
	cr_assert_eq(st.st_ino, 1002);
	cr_assert_eq(vfs_stat("/dyn/link", &st), 0, "a made-up symlink is followed");
	cr_assert_eq(st.st_ino, 1001);
	cr_assert_eq(get_nr_inodes(), inodes, "made-up inodes go with their last reference");
	cr_assert_eq(vfs_stat("/dyn/n3", &st), -ENOENT);
	cr_assert_eq(open_err("/dyn/n0", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
	cr_assert_eq(open_err("/dyn/new", O_WRONLY | O_CREAT), -ENOENT, "nothing is created");
	cr_assert_eq(vfs_mkdir("/dyn/sub", 0755), -EACCES);
	for (size_t bufsize = 32; bufsize <= 1024; bufsize *= 2) {
		int n = list_names("/dyn", bufsize, names, 16);

		cr_assert_eq(n, 5, "buffer %zu: %d names", bufsize, n);
		for (int i = 0; i < 3; i++)
			cr_assert_str_eq(names[2 + i], dyn_names[i], "buffer %zu", bufsize);
	}
	cr_assert_eq(vfs_rmdir("/dyn"), 0);
	cr_assert_eq(get_nr_files(), 0);
}
