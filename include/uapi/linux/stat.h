/*
 * struct stat and the file-type bits as the Linux x86_64 system-call ABI has them
 * (struct stat of arch/x86/include/uapi/asm/stat.h: 144 bytes), so the syscall layer can
 * copy a filled one to user space unchanged. The names are those of <sys/stat.h>.
 */
#ifndef UAPI_LINUX_STAT_H
#define UAPI_LINUX_STAT_H

#include <kernel/compiler.h>

#define S_IFMT		0170000
#define S_IFSOCK	0140000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFBLK		0060000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define S_ISUID		0004000
#define S_ISGID		0002000
#define S_ISVTX		0001000

#define S_ISLNK(m)	(((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m)	(((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)	(((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m)	(((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)	(((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m)	(((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m)	(((m) & S_IFMT) == S_IFSOCK)

#define S_IALLUGO	07777	/* permission bits plus setuid, setgid, sticky */

struct stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;	/* before st_mode on x86_64, unlike most other ABIs */
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t __pad0;
	uint64_t st_rdev;
	int64_t st_size;	/* bytes */
	int64_t st_blksize;	/* bytes: the preferred I/O size */
	int64_t st_blocks;	/* 512-byte units */
	uint64_t st_atime;
	uint64_t st_atime_nsec;
	uint64_t st_mtime;
	uint64_t st_mtime_nsec;
	uint64_t st_ctime;
	uint64_t st_ctime_nsec;
	int64_t __unused[3];
};

_Static_assert(sizeof(struct stat) == 144, "struct stat must match Linux x86_64");

/* Device numbers as glibc's makedev for numbers below 4096 major / 256 minor. */
#define MKDEV(ma, mi)	((((uint64_t)(ma) & 0xfff) << 8) | ((uint64_t)(mi) & 0xff) | \
			 (((uint64_t)(mi) & ~0xffull) << 12))
#define MAJOR(dev)	((unsigned int)(((dev) >> 8) & 0xfff))
#define MINOR(dev)	((unsigned int)(((dev) & 0xff) | (((dev) >> 12) & 0xfff00)))

#endif
