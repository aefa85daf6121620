/*
 * The shell's file commands, with coreutils' output and messages: ls [-a] [-l] [PATH...],
 * cat, stat, mkdir, rmdir, rm, and write PATH TEXT (the shell has no redirection, so this
 * stands for `echo TEXT > PATH`; -a appends, as >>). They use only the VFS calls the system
 * calls use (filp_open, kernel_read, vfs_getdents64, vfs_lstat ...), so they show what a user
 * program would see. Times print as the epoch: there is no wall clock. A failed command
 * returns 1 (the shell prints its usage line only for -EINVAL, bad arguments).
 */
#include <fs/fs.h>
#include <kernel/console.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <mm/slab.h>

#define EPOCH_LS	"Jan  1  1970"	/* ls -l's date for a time more than 6 months old */
#define EPOCH_STAT	"1970-01-01 00:00:00.000000000 +0000"

/* "drwxr-xr-x", as ls -l and stat's %A */
static void mode_string(unsigned int mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	char type = '?';

	switch (mode & S_IFMT) {
	case S_IFREG: type = '-'; break;
	case S_IFDIR: type = 'd'; break;
	case S_IFCHR: type = 'c'; break;
	case S_IFBLK: type = 'b'; break;
	case S_IFLNK: type = 'l'; break;
	case S_IFIFO: type = 'p'; break;
	case S_IFSOCK: type = 's'; break;
	}
	out[0] = type;
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & 0100) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & 0010) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & 0001) ? 't' : 'T';
	out[10] = '\0';
}

static const char *user_name(unsigned int id, char buf[16])
{
	if (id == 0)
		return "root";
	snprintf(buf, 16, "%u", id);
	return buf;
}

/* A file's entries, sorted by name (byte order, as LC_ALL=C ls). */
struct listing {
	char **names;
	size_t nr, cap;
};

static int listing_add(struct listing *l, const char *name)
{
	size_t len = strlen(name) + 1;

	if (l->nr == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **p = krealloc(l->names, cap * sizeof(*p), GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		l->names = p;
		l->cap = cap;
	}
	l->names[l->nr] = kmalloc(len, GFP_KERNEL);
	if (!l->names[l->nr])
		return -ENOMEM;
	memcpy(l->names[l->nr++], name, len);
	return 0;
}

static void listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->nr; i++)
		kfree(l->names[i]);
	kfree(l->names);
}

static void listing_sort(struct listing *l)
{
	for (size_t i = 1; i < l->nr; i++) {	/* insertion sort: directories are small */
		char *x = l->names[i];
		size_t j = i;

		for (; j > 0 && strcmp(l->names[j - 1], x) > 0; j--)
			l->names[j] = l->names[j - 1];
		l->names[j] = x;
	}
}

/* Every name in the directory @f (with "." and ".." only if @all). */
static int read_dir(struct file *f, bool all, struct listing *l)
{
	char *buf = kmalloc(1024, GFP_KERNEL);
	int n, ret = 0;

	if (!buf)
		return -ENOMEM;
	while (ret == 0 && (n = vfs_getdents64(f, buf, 1024)) > 0) {
		for (int off = 0; off < n && ret == 0;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (all || d->d_name[0] != '.')
				ret = listing_add(l, d->d_name);
			off += d->d_reclen;
		}
	}
	kfree(buf);
	if (ret == 0 && n < 0)
		ret = n;
	listing_sort(l);
	return ret;
}

/* The column widths of ls -l: links, owner, group, size. */
struct widths {
	int links, owner, group, size;
};

static void size_field(const struct stat *st, char buf[32])
{
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		snprintf(buf, 32, "%u, %u", MAJOR(st->st_rdev), MINOR(st->st_rdev));
	else
		snprintf(buf, 32, "%lld", (long long)st->st_size);
}

static void widen(struct widths *w, const struct stat *st)
{
	char buf[32], u[16];

	w->links = MAX(w->links, snprintf(buf, sizeof(buf), "%llu",
					  (unsigned long long)st->st_nlink));
	w->owner = MAX(w->owner, (int)strlen(user_name(st->st_uid, u)));
	w->group = MAX(w->group, (int)strlen(user_name(st->st_gid, u)));
	size_field(st, buf);
	w->size = MAX(w->size, (int)strlen(buf));
}

static void print_long(const char *path, const char *shown, const struct stat *st,
		       const struct widths *w)
{
	char mode[11], size[32], u[16], g[16], target[256];
	int n;

	mode_string(st->st_mode, mode);
	size_field(st, size);
	console_printf("%s %*llu %-*s %-*s %*s %s %s", mode, w->links,
		       (unsigned long long)st->st_nlink, w->owner, user_name(st->st_uid, u),
		       w->group, user_name(st->st_gid, g), w->size, size, EPOCH_LS, shown);
	if (S_ISLNK(st->st_mode) && (n = vfs_readlink(path, target, sizeof(target) - 1)) >= 0) {
		target[n] = '\0';
		console_printf(" -> %s", target);
	}
	console_puts("\n");
}

static char *join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = kmalloc(a + b + 2, GFP_KERNEL);

	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + (a && dir[a - 1] == '/' ? 0 : 1), name, b + 1);
	return p;
}

static int ls_dir(const char *path, bool all, bool lng)
{
	struct listing l = { 0 };
	struct widths w = { 0 };
	struct stat *st;
	long long blocks = 0;
	struct file *f;
	int ret;

	f = filp_open(path, O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	ret = read_dir(f, all, &l);
	fput(f);
	st = ret ? NULL : kcalloc(l.nr ? l.nr : 1, sizeof(*st), GFP_KERNEL);
	if (!ret && !st)
		ret = -ENOMEM;
	for (size_t i = 0; !ret && lng && i < l.nr; i++) {
		char *p = join(path, l.names[i]);

		if (!p || vfs_lstat(p, &st[i]))
			memset(&st[i], 0, sizeof(st[i]));
		kfree(p);
		widen(&w, &st[i]);
		blocks += st[i].st_blocks;
	}
	if (!ret && lng)
		console_printf("total %lld\n", blocks / 2);	/* 1 KiB units, as ls */
	for (size_t i = 0; !ret && i < l.nr; i++) {
		if (lng) {
			char *p = join(path, l.names[i]);

			if (p)
				print_long(p, l.names[i], &st[i], &w);
			kfree(p);
		} else {
			console_printf("%s\n", l.names[i]);
		}
	}
	kfree(st);
	listing_free(&l);
	return ret;
}

static int cmd_ls(int argc, char **argv)
{
	bool all = false, lng = false, many;
	int first = 1, status = 0;

	for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
		for (const char *o = argv[first] + 1; *o; o++) {
			if (*o == 'l')
				lng = true;
			else if (*o == 'a')
				all = true;
			else
				return -EINVAL;
		}
	}
	many = argc - first > 1;
	for (int i = first; i < argc || i == first; i++) {
		const char *path = i < argc ? argv[i] : "/";
		struct stat st;
		/* Without -l a symlink named here is followed (a link to a directory lists it). */
		int ret = lng ? vfs_lstat(path, &st) : vfs_stat(path, &st);

		if (ret && !lng)
			ret = vfs_lstat(path, &st);	/* a dangling link: list the link */
		if (ret) {
			console_printf("ls: cannot access '%s': %s\n", path, strerror(ret));
			status = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (many)
				console_printf("%s%s:\n", i > first ? "\n" : "", path);
			ret = ls_dir(path, all, lng);
			if (ret) {
				console_printf("ls: cannot open directory '%s': %s\n", path,
					       strerror(ret));
				status = 1;
			}
		} else if (lng) {
			struct widths w = { 0 };

			widen(&w, &st);
			print_long(path, path, &st, &w);
		} else {
			console_printf("%s\n", path);
		}
	}
	return status;
}
SHELL_COMMAND(ls, cmd_ls, "ls [-a] [-l] [PATH...]", "list directory contents (as coreutils' ls)");

static int cmd_cat(int argc, char **argv)
{
	char *buf;
	int status = 0;

	if (argc < 2)
		return -EINVAL;
	buf = kmalloc(512, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (int i = 1; i < argc; i++) {
		struct file *f = filp_open(argv[i], O_RDONLY, 0);
		ssize_t n = 0;
		loff_t pos = 0;

		if (IS_ERR(f)) {
			console_printf("cat: %s: %s\n", argv[i], strerror((int)PTR_ERR(f)));
			status = 1;
			continue;
		}
		while ((n = kernel_read(f, buf, 512, &pos)) > 0)
			console_write(buf, (size_t)n);
		if (n < 0) {
			console_printf("cat: %s: %s\n", argv[i], strerror((int)n));
			status = 1;
		}
		fput(f);
	}
	kfree(buf);
	return status;
}
SHELL_COMMAND(cat, cmd_cat, "cat PATH...", "print files");

static const char *type_name(const struct stat *st)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG: return st->st_size ? "regular file" : "regular empty file";
	case S_IFDIR: return "directory";
	case S_IFCHR: return "character special file";
	case S_IFBLK: return "block special file";
	case S_IFLNK: return "symbolic link";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	}
	return "weird file";
}

static void print_stat(const char *path, const struct stat *st)
{
	char mode[11], u[16], g[16], target[256], blocks[24];
	int n;

	mode_string(st->st_mode, mode);
	console_printf("  File: %s", path);
	if (S_ISLNK(st->st_mode) && (n = vfs_readlink(path, target, sizeof(target) - 1)) >= 0) {
		target[n] = '\0';
		console_printf(" -> %s", target);
	}
	snprintf(blocks, sizeof(blocks), "%lld", (long long)st->st_blocks);
	console_printf("\n  Size: %-10lld\tBlocks: %-10s IO Block: %-6lld %s\n",
		       (long long)st->st_size, blocks, (long long)st->st_blksize, type_name(st));
	console_printf("Device: %u,%u\tInode: %-11llu Links: %llu", MAJOR(st->st_dev),
		       MINOR(st->st_dev), (unsigned long long)st->st_ino,
		       (unsigned long long)st->st_nlink);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		console_printf("     Device type: %u,%u", MAJOR(st->st_rdev), MINOR(st->st_rdev));
	console_printf("\nAccess: (%04o/%s)  Uid: (%5u/%8s)   Gid: (%5u/%8s)\n",
		       st->st_mode & S_IALLUGO, mode, st->st_uid, user_name(st->st_uid, u),
		       st->st_gid, user_name(st->st_gid, g));
	console_printf("Access: " EPOCH_STAT "\nModify: " EPOCH_STAT "\nChange: " EPOCH_STAT
		       "\n Birth: -\n");
}

static int cmd_stat(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return -EINVAL;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int ret = vfs_lstat(argv[i], &st);

		if (ret) {
			console_printf("stat: cannot statx '%s': %s\n", argv[i], strerror(ret));
			status = 1;
			continue;
		}
		print_stat(argv[i], &st);
	}
	return status;
}
SHELL_COMMAND(stat, cmd_stat, "stat PATH...", "show a file's inode (as coreutils' stat)");

static int cmd_mkdir(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return -EINVAL;
	for (int i = 1; i < argc; i++) {
		int ret = vfs_mkdir(argv[i], 0755);

		if (ret) {
			console_printf("mkdir: cannot create directory '%s': %s\n", argv[i],
				       strerror(ret));
			status = 1;
		}
	}
	return status;
}
SHELL_COMMAND(mkdir, cmd_mkdir, "mkdir DIR...", "make directories");

static int cmd_rmdir(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return -EINVAL;
	for (int i = 1; i < argc; i++) {
		int ret = vfs_rmdir(argv[i]);

		if (ret) {
			console_printf("rmdir: failed to remove '%s': %s\n", argv[i],
				       strerror(ret));
			status = 1;
		}
	}
	return status;
}
SHELL_COMMAND(rmdir, cmd_rmdir, "rmdir DIR...", "remove empty directories");

static int cmd_rm(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return -EINVAL;
	for (int i = 1; i < argc; i++) {
		int ret = vfs_unlink(argv[i]);

		if (ret) {
			console_printf("rm: cannot remove '%s': %s\n", argv[i], strerror(ret));
			status = 1;
		}
	}
	return status;
}
SHELL_COMMAND(rm, cmd_rm, "rm PATH...", "remove files");

static int cmd_write(int argc, char **argv)
{
	bool append = argc > 1 && strcmp(argv[1], "-a") == 0;
	int first = append ? 2 : 1, flags = O_WRONLY | O_CREAT;
	struct file *f;
	loff_t pos = 0;
	ssize_t ret = 0;

	if (argc < first + 1)
		return -EINVAL;
	flags |= append ? O_APPEND : O_TRUNC;
	f = filp_open(argv[first], flags, 0644);
	if (IS_ERR(f)) {
		console_printf("write: %s: %s\n", argv[first], strerror((int)PTR_ERR(f)));
		return 1;
	}
	for (int i = first + 1; i < argc && ret >= 0; i++) {
		ret = kernel_write(f, argv[i], strlen(argv[i]), &pos);
		if (ret >= 0)
			ret = kernel_write(f, i + 1 < argc ? " " : "\n", 1, &pos);
	}
	if (argc == first + 1 && ret >= 0)
		ret = kernel_write(f, "\n", 1, &pos);
	fput(f);
	if (ret < 0) {
		console_printf("write: %s: %s\n", argv[first], strerror((int)ret));
		return 1;
	}
	return 0;
}
SHELL_COMMAND(write, cmd_write, "write [-a] PATH [TEXT...]",
	      "write TEXT and a newline to PATH (as echo TEXT > PATH; -a: >>)");
